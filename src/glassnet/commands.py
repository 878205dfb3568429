"""The ``glassnet`` sub-commands for tabular data: ``train``, ``predict``, ``evaluate`` and
``datasets``.

    glassnet train DATA [--target COLUMN]     CSV file or bundled dataset -> runs/<name>/
    glassnet predict MODEL DATA [--out FILE]  predictions (and class probabilities) as CSV
    glassnet evaluate MODEL DATA [--target COLUMN] [--json]
    glassnet datasets                          the bundled datasets

DATA ``-`` reads the CSV from standard input.

``train`` learns the preprocessing on the training rows only (numeric columns standardized,
text columns one-hot encoded, missing values imputed with an indicator column, identifier-like
columns dropped), trains an MLP with early stopping, prints train/validation/test metrics and
writes the model file (the preprocessing, class names and task inside it), ``metrics.json``,
``history.csv``, the plots and one self-contained ``report.html``. Every file is written
atomically. Ctrl-C stops training at the end of the current batch; the model and the report are
still written.

The defaults (two hidden layers of 64 and 32 ReLU units, Glorot-uniform initialization, Adam at
1e-3, batches of 32, the learning rate halved once the validation loss has not improved for
more than 3 epochs, early stopping after 10, best weights restored) were chosen by
measurement: see ``bench/compare_cli.py`` and ``docs/cli_results.md``.
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import errno
import html
import io
import json
import math
import os
import re
import shlex
import shutil
import signal
import stat
import sys
import threading
import time
import typing
import warnings
from pathlib import Path

import numpy as np

from .cli import UsageError
from ._validate import readable_size
from .data.tabular import PANDAS_UNNAMED, UNNAMED_COLUMN
from .preprocess import _shown, na_values_option, shown_value

# ------------------------------------------------------------------------------------------
# defaults (measured: docs/cli_results.md)
# ------------------------------------------------------------------------------------------
DEFAULT_HIDDEN = "64,32"
DEFAULT_ACTIVATION = "relu"
DEFAULT_OPTIMIZER = "adam"
DEFAULT_EPOCHS = 200
DEFAULT_BATCH = 32
DEFAULT_PATIENCE = 10
DEFAULT_VAL = 0.2
DEFAULT_TEST = 0.2
DEFAULT_INIT = "xavier_uniform"
PLATEAU_FACTOR = 0.5
PLATEAU_PATIENCE = 3
MIN_LR = 1e-6
MAX_INT_CLASSES = 20    # --task auto: integer targets with at most this many values are classes
MAX_AUTO_CLASSES = 100  # more distinct text values: classification only on request (--task)
SMALL_INTEGER = 2 ** 31  # whole numbers below it may be class codes (--task auto's note)
MIN_CLASS_ROWS = 5      # a class with fewer rows gets a note
MAX_PLOT_CLASSES = 30   # more classes: no confusion-matrix plot (unreadable, and slow to draw)
MAX_REGRESSION_TARGET = 1e150  # larger |y|: squared errors overflow float64 (1.8e308)

ACTIVATIONS = ("relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid", "softplus", "identity")
OPTIMIZERS = ("adam", "adamw", "sgd", "momentum", "nesterov", "rmsprop", "adagrad")
TASKS = ("auto", "classification", "regression")

CLASSIFICATION_METRICS = (("accuracy", "accuracy"), ("precision_macro", "precision (macro)"),
                          ("recall_macro", "recall (macro)"), ("f1_macro", "F1 (macro)"),
                          ("log_loss", "log loss"), ("roc_auc", "ROC AUC"))
REGRESSION_METRICS = (("mse", "MSE"), ("rmse", "RMSE"), ("mae", "MAE"), ("r2", "R²"))
PLOT_FILES = ("learning_curve.png", "confusion_matrix.png", "decision_boundary.png",
              "predicted_vs_actual.png")
# every name `glassnet train` writes in --out, in the order it lists them
RUN_FILES = ("model.gnet", "metrics.json", "history.csv", *PLOT_FILES, "report.html")
LOCK_FILE = ".glassnet.lock"  # OS-locked for a whole run; holds the PID (see _FileLock)


def _usage(msg):
    return UsageError(msg)


class SourceNotFound(UsageError):
    """DATA names no file (nor bundled dataset): load_trained raises it as the
    FileNotFoundError open() would."""


# ------------------------------------------------------------------------------------------
# argument parsing
# ------------------------------------------------------------------------------------------

def _strict(parser):
    """Make a sub-command's parser report unknown options itself, so the hint names the
    sub-command's --help (errors are one line: see cli.ArgumentParser)."""
    parse_known = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):
        ns, extras = parse_known(args, namespace)
        if extras:
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        return ns, extras

    parser.parse_known_args = parse_known_args
    return parser


def _fraction(name, allow_zero=True):
    def parse(text):
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
        if not (math.isfinite(v) and (0.0 <= v if allow_zero else 0.0 < v) and v < 1.0):
            raise argparse.ArgumentTypeError(
                f"must be a fraction in {'[0' if allow_zero else '(0'}, 1), got {text}")
        return v
    parse.__name__ = name
    return parse


def _positive_int(name, minimum=1):
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer, got {text!r}") from None
        if v < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {v}")
        return v
    parse.__name__ = name
    return parse


def _positive_float(name, allow_zero=False):
    def parse(text):
        try:
            v = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
        if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
            raise argparse.ArgumentTypeError(
                f"must be a finite number {'>= 0' if allow_zero else '> 0'}, got {text}")
        return v
    parse.__name__ = name
    return parse


def _hidden_sizes(text):
    t = text.strip().lower()
    if not t:  # an unset shell variable: no hidden layer only when asked for by name
        raise argparse.ArgumentTypeError(
            f"must not be empty (got {text!r}): give layer sizes separated by commas, "
            f"e.g. 64,32, or 'none' for no hidden layer")
    if t in ("none", "[]"):
        return []
    sizes = []
    for part in t.replace(" ", "").strip("[]()").split(","):
        try:
            v = int(part)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"takes layer sizes separated by commas, e.g. 64,32 (or 'none'), "
                f"got {text!r}") from None
        if v < 1:
            raise argparse.ArgumentTypeError(
                f"layer sizes must be >= 1, got {v} in {text!r}; use --hidden none for no "
                f"hidden layer")
        sizes.append(v)
    return sizes


_hidden_sizes.__name__ = "hidden"

_SEPARATOR_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|",
                    "space": " "}


def _separator(text):
    sep = _SEPARATOR_NAMES.get(text.lower(), text)
    if len(sep) != 1 or sep in "\"\r\n":
        raise argparse.ArgumentTypeError(
            f"must be one character such as ';' or '|', or 'tab', got {text!r}")
    return sep


_separator.__name__ = "sep"


def _na_tokens(text):
    tokens = tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    if not tokens:
        raise argparse.ArgumentTypeError(f"takes tokens separated by commas, e.g. "
                                         f"unknown,-999, got {text!r}")
    pieces = text.split(",")
    for a, b in zip(pieces, pieces[1:]):
        # -999,0: the number -999 with a decimal comma, or the tokens -999 and 0 (every 0 of
        # the file)? A tail of digits starting with 0 right after the comma reads as decimals
        # (a code list such as 98,99 does not); a space after the comma says two tokens
        if re.fullmatch(r"\s*-?\d+\s*", a) and re.fullmatch(r"0\d*", b):
            number, tail = a.strip(), b
            raise argparse.ArgumentTypeError(
                f"{text!r} splits into the tokens {number!r} and {tail!r} (commas separate "
                f"tokens), and {tail!r} would read every {int(tail)} as missing: for one "
                f"number write it without the comma ({number}.{tail} for a decimal comma: a "
                f"number matches its value however the file writes it, {number},{tail} too"
                + (f"; {number}{tail} for a thousands separator" if len(tail) == 3 else "")
                + f"); for both tokens put a space after the comma ({number}, {tail})")
    return tokens


_na_tokens.__name__ = "na-values"


def _out_path(text):
    if not text.strip():  # an unset shell variable: --out "$DIR"
        raise argparse.ArgumentTypeError(f"must name a file or folder, got {text!r}")
    return text


_out_path.__name__ = "out"
NA_HELP = ("more field values to read as missing, comma-separated, e.g. unknown,-999 (added "
           "to the built-in ones: empty, NA, N/A, n/a, NaN, nan, null, NULL, ?; and in a "
           "column of numbers #N/A, None, <NA>, -nan, as pandas reads them)")
NA_HELP_TRAIN = NA_HELP + ("; stored in the model, so predict, evaluate and explain read new "
                           "files the same way (default: none)")
NA_HELP_MODEL = NA_HELP + (" and to the ones the model was trained with (default: those "
                           "alone)")
SEP_HELP = ("the CSV's field separator: one character, or 'tab' (default: detected from the "
            "header among , ; tab |)")
SKIP_HELP = ("lines at the top of the file to skip before its header: a title, a date or notes "
             "above the table of a report or spreadsheet export (default: 0)")
DECIMAL_HELP_TRAIN = ("the decimal mark of the CSV's numbers, '.' or ',' (default: '.', and "
                      "',' too in a ';'-separated file: 1,5 and 1.234,5; --decimal , reads "
                      "them in a tab, '|' or ',' file as well); kept in the model for predict")
DECIMAL_HELP_MODEL = ("the decimal mark of the CSV's numbers, '.' or ',' (default: the one "
                      "given at training, else '.', and ',' too in a ';'-separated file)")


class _Once(argparse.Action):
    """An option that may be given once: a second --target is an error, not silently the
    one that counts (the first then became a feature)."""

    def __call__(self, parser, namespace, values, option_string=None):
        before = getattr(namespace, self.dest, None)
        if before is not None:
            parser.error(f"{option_string} given twice ({before!r} and {values!r}); glassnet "
                         f"predicts one target column")
        setattr(namespace, self.dest, values)


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``--help`` with one default per option: argparse's value, unless the help text says
    it in words already (an option whose default is None must say it itself)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "(default" in text or action.default is None or action.default is argparse.SUPPRESS:
            return text
        value = action.default
        if isinstance(value, (list, tuple)):
            value = ", ".join(map(str, value)) or "none"
        return f"{text} (default: {str(value).replace('%', '%%')})"


def register(subparsers) -> None:
    """Add ``train``, ``predict``, ``evaluate`` and ``datasets`` to ``glassnet``."""
    fmt = _HelpFormatter

    p = subparsers.add_parser(
        "train", formatter_class=fmt,
        help="train a network on a CSV file or a bundled dataset; writes the model, metrics, "
             "plots and an HTML report",
        description="Train a neural network on a CSV file (or a bundled dataset, see "
                    "`glassnet datasets`). Preprocessing is learned on the training rows and "
                    "saved with the model. Writes model.gnet, metrics.json, history.csv, plots "
                    "and report.html to --out. Ctrl-C stops training at the end of the "
                    "current batch and still writes them (exit status 130); if the loss diverges, the "
                    "best epoch's weights (or the last finite ones) are written and the exit "
                    "status is 3. "
                    "Example: glassnet train titanic")
    p.add_argument("data", metavar="DATA", help="a CSV file ('-': read it from standard "
                                                "input), or the name of a bundled dataset")
    p.add_argument("--target", metavar="COLUMN", action=_Once,
                   help="the column to predict (default: the bundled dataset's own; a CSV file "
                        "needs it)")
    p.add_argument("--task", choices=TASKS, default="auto",
                   help=f"auto: text and yes/no targets are classification, so are numbers "
                        f"with two distinct values and whole numbers with at most "
                        f"{MAX_INT_CLASSES}; other numbers are regression (more than {MAX_AUTO_CLASSES} classes, or more than "
                        f"half the rows, only with --task classification)")
    p.add_argument("--hidden", type=_hidden_sizes, default=DEFAULT_HIDDEN, metavar="SIZES",
                   help="hidden layer sizes, comma-separated ('none' for no hidden layer)")
    p.add_argument("--activation", choices=ACTIVATIONS, default=None,
                   help=f"activation of the hidden layers (default: {DEFAULT_ACTIVATION})")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=DEFAULT_OPTIMIZER,
                   help="the update rule of the weights")
    p.add_argument("--lr", type=_positive_float("--lr"), default=None,
                   help="learning rate (default: 0.001 for adam/adamw, 0.01 otherwise)")
    p.add_argument("--weight-decay", type=_positive_float("--weight-decay", allow_zero=True),
                   default=None, metavar="LAMBDA",
                   help="the optimizer's weight decay λ, on every parameter (biases included): "
                        "decoupled (w ← w − η·λ·w) for adamw, λ·w added to the gradient (L2) "
                        "for the others (default: 0.01 for adamw, 0 otherwise)")
    p.add_argument("--epochs", type=_positive_int("--epochs"), default=DEFAULT_EPOCHS,
                   help="maximum number of epochs (early stopping usually ends sooner)")
    p.add_argument("--batch-size", type=_positive_int("--batch-size"), default=DEFAULT_BATCH,
                   help="training rows per gradient step")
    p.add_argument("--val-split", type=_fraction("--val-split"), default=DEFAULT_VAL,
                   metavar="FRACTION",
                   help="fraction of the training rows held out for validation (early stopping "
                        "and learning-rate decay watch its loss)")
    p.add_argument("--test-split", type=_fraction("--test-split"), default=DEFAULT_TEST,
                   metavar="FRACTION", help="fraction of all rows held out for the final test "
                   "(0 when you keep a test file of your own and score it with glassnet "
                   "evaluate: every row of this file then trains or validates)")
    p.add_argument("--early-stopping", action=argparse.BooleanOptionalAction, default=True,
                   help="stop when the validation loss stops improving and keep the best "
                        "epoch's weights")
    p.add_argument("--patience", type=_positive_int("--patience", 0), default=None,
                   help=f"epochs without improvement before early stopping (default: "
                        f"{DEFAULT_PATIENCE})")
    p.add_argument("--lr-decay", action=argparse.BooleanOptionalAction, default=True,
                   help=f"halve the learning rate once the validation loss has not improved "
                        f"for more than {PLATEAU_PATIENCE} epochs (at the end of the "
                        f"{PLATEAU_PATIENCE + 1}th epoch without improvement)")
    p.add_argument("--loss", choices=REGRESSION_LOSSES, default=None,
                   help="regression: the loss; mse on the standardized target, or huber "
                        "(δ = 1) or mae on the target in robust units (its median and "
                        "1.4826 x its median absolute deviation), which weigh far-off targets "
                        "(outliers) less than mse's squares; classification always uses "
                        "cross-entropy, and refuses huber and mae (default: mse)")
    p.add_argument("--class-weight", choices=("none", "balanced"), default="none",
                   help="classification: 'balanced' weighs each training row's loss by "
                        "n / (k · rows of its class) (scikit-learn's rule), so that a rare "
                        "class counts as much as a common one; within each batch, as "
                        "PyTorch's weighted loss (the validation loss is not weighted)")
    p.add_argument("--sep", type=_separator, metavar="CHAR", help=SEP_HELP)
    p.add_argument("--skip-rows", type=_positive_int("--skip-rows", 0), default=0,
                   metavar="N", help=SKIP_HELP)
    p.add_argument("--decimal", choices=(".", ","), metavar="MARK", help=DECIMAL_HELP_TRAIN)
    p.add_argument("--na-values", type=_na_tokens, metavar="TOKENS", help=NA_HELP_TRAIN)
    p.add_argument("--drop", action="append", default=[], metavar="COLUMN",
                   help="a column not to use as a feature (repeatable)")
    p.add_argument("--keep", action="append", default=[], metavar="COLUMN",
                   help="a column to use even where the automatic rules would drop it (a "
                        "unique integer per row is standardized, text one-hot encoded over "
                        "all its categories; repeatable)")
    p.add_argument("--categorical", action="append", default=[], metavar="COLUMN",
                   help="a column of numbers to one-hot encode as categories instead of "
                        "standardizing (zip codes, store ids, codes; repeatable)")
    p.add_argument("--seed", type=_positive_int("--seed", 0), default=0,
                   help="seeds the split, the initial weights and the shuffling")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help="precision of the weights and of the computations")
    p.add_argument("--out", metavar="DIR", default=None, type=_out_path,
                   help="output folder (default: runs/<dataset name>; runs/stdin for DATA "
                        "'-'): new, empty or holding "
                        "an earlier glassnet train run, whose files are replaced; a folder "
                        "with other files is refused")
    p.add_argument("--overwrite", action="store_true",
                   help="write into an --out folder that holds other files, replacing those "
                        "named like glassnet's own (model.gnet, report.html ...); no other "
                        "file is ever deleted")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="no progress bar and no tables: one line at the end (on standard "
                        "output; an interruption or a divergence adds its own on standard "
                        "error)")
    p.set_defaults(func=cmd_train)
    _strict(p)

    p = subparsers.add_parser(
        "predict", formatter_class=fmt,
        help="predict with a model saved by `glassnet train`",
        description="Apply a model saved by `glassnet train` (and its stored preprocessing) to "
                    "a CSV file. Writes the original columns plus 'prediction' and, for "
                    "classification, one probability column per class. The target column, if "
                    "present, is ignored.")
    p.add_argument("model", metavar="MODEL", help="a model file (model.gnet)")
    p.add_argument("data", metavar="DATA", help="a CSV file ('-': read it from standard "
                                                "input), or a bundled dataset name")
    p.add_argument("--out", metavar="FILE", type=_out_path,
                   help="write the CSV here; '-' is stdout (default: stdout)")
    p.add_argument("--sep", type=_separator, metavar="CHAR", help=SEP_HELP)
    p.add_argument("--skip-rows", type=_positive_int("--skip-rows", 0), default=0,
                   metavar="N", help=SKIP_HELP)
    p.add_argument("--decimal", choices=(".", ","), metavar="MARK", help=DECIMAL_HELP_MODEL)
    p.add_argument("--na-values", type=_na_tokens, metavar="TOKENS", help=NA_HELP_MODEL)
    p.add_argument("--columns", choices=("all", "id", "none"), default="all",
                   help="which input columns to copy into the output: all of them, only "
                        "identifier-like ones, or none")
    p.set_defaults(func=cmd_predict)
    _strict(p)

    p = subparsers.add_parser(
        "evaluate", formatter_class=fmt,
        help="metrics of a saved model on labelled data",
        description="Compute a saved model's metrics on a CSV file that has the target column.")
    p.add_argument("model", metavar="MODEL", help="a model file (model.gnet)")
    p.add_argument("data", metavar="DATA", help="a CSV file ('-': read it from standard "
                                                "input), or a bundled dataset name")
    p.add_argument("--target", metavar="COLUMN",
                   help="the target column (default: the one the model was trained on)")
    p.add_argument("--sep", type=_separator, metavar="CHAR", help=SEP_HELP)
    p.add_argument("--skip-rows", type=_positive_int("--skip-rows", 0), default=0,
                   metavar="N", help=SKIP_HELP)
    p.add_argument("--decimal", choices=(".", ","), metavar="MARK", help=DECIMAL_HELP_MODEL)
    p.add_argument("--na-values", type=_na_tokens, metavar="TOKENS", help=NA_HELP_MODEL)
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=cmd_evaluate)
    _strict(p)

    p = subparsers.add_parser("datasets", help="list the bundled datasets", formatter_class=fmt,
                              description="List the datasets `glassnet train NAME` accepts.")
    p.set_defaults(func=cmd_datasets)
    _strict(p)


# ------------------------------------------------------------------------------------------
# data
# ------------------------------------------------------------------------------------------

class _Source:
    """A table to work on and what is known about it."""

    def __init__(self, table, name, label, default_target=None, class_names=None,
                 description="", bundled=False, features=None):
        self.table = table
        self.name = name                  # short name: runs/<name>
        self.label = label                # how to show it (path or dataset name)
        self.default_target = default_target
        self.class_names = class_names    # display names of classes 0..k-1 (bundled)
        self.description = description
        self.bundled = bundled
        self.features = features          # bundled: the feature columns


STDIN = "-"                      # DATA that names standard input, as in many Unix tools
STDIN_LABEL = "standard input"   # how messages name it


class _StdinFile:
    """Standard input's byte stream under the name messages give it: the reader reads it as
    it reads a file, its first bytes checked before the rest (``- < /dev/zero`` or a Parquet
    file piped in is refused at once, not read into memory whole first)."""

    name = STDIN_LABEL

    def __init__(self, stream):
        self._stream = stream
        self.head = b""   # its first bytes, kept for the title-line hint

    def read(self, size=-1):
        data = self._stream.read(size)
        if len(self.head) < TITLE_SAMPLE_BYTES:
            self.head += data[:TITLE_SAMPLE_BYTES - len(self.head)]
        return data


def _stdin_file():
    """Standard input as a file object for the reader; a terminal is refused: the command
    would wait for a CSV typed by hand."""
    stream = getattr(sys.stdin, "buffer", sys.stdin)
    if stream is None:
        raise _usage(f"DATA {STDIN} reads the CSV from standard input, which is closed")
    if stream.isatty():
        raise _usage(f"DATA {STDIN} reads the CSV from standard input, which is a terminal "
                     f"here: pipe the file in (cat data.csv | glassnet ... {STDIN}) or give "
                     f"its name")
    return _StdinFile(stream)


def _load_source(spec: str, keep_text: bool = False, sep: str | None = None,
                 na_values=None, comma_columns=(), decimal=None, dot_columns=(),
                 options=None, expected=(), announce=False, skip_rows=0,
                 marker_text_columns=()) -> _Source:
    """The CSV file or bundled dataset ``spec``; ``keep_text`` keeps each field's exact text
    (``Table.text``) for writing columns back unchanged; ``sep`` is the CSV's field separator
    (None: detected); ``na_values``, tokens read as missing besides the reader's own;
    ``comma_columns``, columns a model's training file wrote with the decimal comma;
    ``dot_columns``, those whose '.' it read as a decimal point;
    ``decimal``, the decimal mark (None: '.', and ',' too in a ';' file); ``options``, how
    messages name the read options (:func:`_read_option_text`); ``expected``, the columns
    the command looks for (the --target, a model's inputs), which the hint about a title
    line above the header looks for; ``announce``, say on stderr that a large file is being
    read (it takes a while: :data:`ANNOUNCE_BYTES`); ``skip_rows``, lines above the header
    to skip; ``marker_text_columns``, read_csv's (:func:`model_read_options`)."""
    from .data import bundled, read_csv
    from .data.tabular import NA_VALUES, DelimiterError
    path = Path(spec)
    stdin = spec == STDIN
    if path.is_dir() and not stdin:
        raise _usage(f"{spec} is a folder, not a CSV file")
    if stdin or path.exists():
        label = STDIN_LABEL if stdin else spec
        size = 0 if stdin or not announce else path.stat().st_size
        if size > ANNOUNCE_BYTES:   # (stdout stays the command's: predict writes CSV there)
            print(f"glassnet: reading {label} ({readable_size(size)}) ...", file=sys.stderr,
                  flush=True)
        stream = _stdin_file() if stdin else None
        try:
            table = read_csv(stream or path, keep_text=keep_text,
                             delimiter=sep,
                             na_values=NA_VALUES | set(na_values) if na_values else None,
                             decimal=decimal, decimal_comma_columns=comma_columns,
                             dot_decimal_columns=dot_columns, skip_rows=skip_rows,
                             marker_text_columns=marker_text_columns)
        except PermissionError:
            raise _usage(f"cannot read {label}: permission denied") from None
        except UnicodeDecodeError:
            raise _usage(f"{label} is not a readable text CSV file") from None
        except DelimiterError as exc:
            fix = _read_option_text(options, "sep", exc.delimiter)
            raise _usage(f"{exc}; " + (f"pass {fix}" if fix else "read it with that separator")
                         ) from None
        except ValueError as exc:   # a ragged row, maybe the header under a title line
            hint = _title_line_hint(stream.head if stdin else path, sep, expected, skip_rows,
                                    options)
            if not hint:
                raise
            raise _usage(f"{exc}{hint}") from None
        if table.not_utf8_line is not None:
            print(f"glassnet: note: {label} is not all UTF-8 (first at line "
                  f"{table.not_utf8_line}): such bytes were read as Windows-1252 characters; "
                  f"save the file as UTF-8 if they look wrong", file=sys.stderr, flush=True)
        if stdin:
            return _Source(table, "stdin", STDIN_LABEL)
        name = path.name
        for suffix in (".gz", ".csv", ".tsv", ".txt"):
            if name.lower().endswith(suffix):
                name = name[:-len(suffix)]
        return _Source(table, name or "data", str(spec))
    names = bundled.list_datasets()
    looks_like_file = any(c in spec for c in "/\\") or "." in spec
    if not looks_like_file or bundled._canonical(spec) in names:
        try:
            ds = bundled.load_dataset(spec)
        except ValueError:
            if looks_like_file:
                raise
            raise SourceNotFound(f"no such file or bundled dataset: {spec!r} (bundled: "
                                 f"{', '.join(names)})") from None
        for key, value in (("sep", sep), ("decimal", decimal), ("skip_rows", skip_rows or None)):
            if value is not None:
                print(f"glassnet: note: {_read_option_text(options, key)} is ignored: "
                      f"{ds.name} is a bundled dataset", file=sys.stderr, flush=True)
        # (as `glassnet datasets` tells them: a file shipped with glassnet, or made on demand)
        kind = "bundled" if ds.name in bundled._FILES else "generated"
        return _Source(ds.frame, ds.name, f"{ds.name} ({kind})", ds.default_target,
                       list(ds.target_names), ds.description, True, list(ds.feature_names))
    raise SourceNotFound(f"no such file: {spec}")


ANNOUNCE_BYTES = 20_000_000   # files larger than this take seconds to read: said first


TITLE_SAMPLE_BYTES = 1 << 16   # the start of a file looked at for a title line


def _title_line_hint(source, sep, expected=(), skip_rows=0, options=None) -> str:
    """'; line 1 looks like a title above the header (line 3): ...' when the first line read
    (below ``skip_rows`` skipped ones) has fewer fields than one of the next lines (a title
    such as "Sales report 2024", or "Passenger list, 1912"), and that line holds a column
    ``expected`` (the --target, the model's inputs), or is no row of numbers and most of the
    lines below have its width. The reader took the title for the header, so the real header
    and every row below were ragged rows. The fix is named as ``options`` spell it.
    ``source``: the file's path, or standard input's first bytes."""
    import csv
    import gzip
    import zlib
    from .data.tabular import _GZIP_MAGIC, _SEP_LINE, DELIMITERS, _as_number
    if isinstance(source, bytes):
        head = source
        if head[:2] == _GZIP_MAGIC:   # the start of a gzip stream inflates on its own
            try:
                head = zlib.decompressobj(31).decompress(source, TITLE_SAMPLE_BYTES)
            except zlib.error:
                return ""
    else:
        try:
            with open(source, "rb") as fh:
                head = fh.read(TITLE_SAMPLE_BYTES)
                if head[:2] == _GZIP_MAGIC:
                    fh.seek(0)
                    with gzip.open(fh) as inflated:
                        head = inflated.read(TITLE_SAMPLE_BYTES)
        except (OSError, EOFError):
            return ""
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    lines = text.splitlines()[:-1] if len(head) == TITLE_SAMPLE_BYTES else text.splitlines()
    # (line number, fields) of the first records, blank lines and Excel's sep= line skipped
    excel = lines and _SEP_LINE.match(lines[0] + "\n")
    numbered = [(k, line) for k, line in enumerate(lines, 1)
                if k > skip_rows and line.strip() and not (k == 1 and excel)][:100]
    if len(numbered) < 2:
        return ""
    wanted = {str(c).strip() for c in expected}
    found = []   # (header width, its line, the title's line) for each separator that fits
    for d in [sep or (excel and excel.group(1))] if sep or excel else DELIMITERS:
        try:
            records = [(k, next(csv.reader([line], delimiter=d))) for k, line in numbered]
        except csv.Error:
            continue
        width = len(records[0][1])
        below = [(k, r) for k, r in records[1:HEADER_SEARCH_ROWS] if len(r) > width]
        if not below or wanted & {f.strip() for f in records[0][1]}:
            continue   # (line 1 naming the columns looked for is the header: a ragged row)
        start, header = below[0]
        rest = [len(r) for k, r in records if k > start]
        named = wanted & {f.strip() for f in header}   # (it names the columns looked for)
        # a header's names are no values of their columns below it (a row of values is)
        if not named and any(f.strip() and len(r) > j and r[j].strip() == f.strip()
                             for k, r in records if k > start for j, f in enumerate(header)):
            continue
        if named or (
                rest and rest.count(len(header)) > len(rest) / 2
                and not any(_as_number(f) for f in header)):
            found.append((len(header), start, records[0][0]))
    if not found:
        return ""
    # the separator that splits the header widest: with ',' a ';' file's header is one field
    # and its first row of decimal commas (1;1,5;2) the first line wider than the title
    _, start, title = max(found, key=lambda f: f[0])
    fix = _read_option_text(options, "skip_rows", start - 1)
    return (f"; line {title} looks like a title above the header (line {start}): "
            + (f"pass {fix} or delete" if fix else "delete") + f" the lines above line {start}")


def _missing_mask(col) -> np.ndarray:
    col = np.asarray(col)
    if col.dtype.kind in "fc":
        return ~np.isfinite(col)
    if col.dtype.kind in "biu":
        return np.zeros(len(col), dtype=bool)
    return np.fromiter((v is None or (isinstance(v, float) and math.isnan(v)) for v in col),
                       dtype=bool, count=len(col))


def _check_target(table, target, label):
    if target not in table:
        late = _late_header_hint(table, [target])
        raise _usage(f"no column {target!r} in {label}" + _did_you_mean(table, target) + late
                     + f"; available columns: {_column_list(table)}" + _separator_hint(table)
                     + _header_hint(table) + ("" if late else _skipped_hint(table)))


HEADER_SEARCH_ROWS = 10  # the rows looked at for column names below the header line


def _late_header_hint(table, names, options=None) -> str:
    """'; 'churn' is a field of line 3: ...' when the column ``names`` not found are fields
    of one of the file's first rows that looks like a header (no number in it, and none of
    its fields repeated elsewhere in their columns): a title line above the header, or a
    header of two lines (merged cells), made the line above the real header the column
    names. A single name found in a row of values instead ('churned', a class of the target
    column) is said to be a value of its column. The fix is named as ``options`` spell it."""
    from .data.tabular import _as_number
    lines = table.line_numbers
    if lines is None or not names:
        return ""
    wanted = {str(n).strip() for n in names}
    top = min(table.n_rows, HEADER_SEARCH_ROWS)
    head = {c: np.asarray(table[c][:top]) for c in table.columns}
    text = [c for c, col in head.items() if col.dtype == object]
    best = (0, None)   # (how many of the names, row) of the row holding most of them
    for i in range(top):
        found = len(wanted & {v.strip() for v in (head[c][i] for c in text) if v is not None})
        if found > best[0]:
            best = (found, i)
    if best[1] is None:
        return ""
    found, i = best
    where = [c for c in text if head[c][i] is not None and head[c][i].strip() in wanted]

    def number(v):   # a numeric column's value, or text the reader reads as a number
        return not math.isnan(v) if isinstance(v, float) else (
            v is not None and (not isinstance(v, str) or _as_number(v)))

    cells = (col[i] if col.dtype == object else col[i].item() for col in head.values())
    # (any of the row's fields: a header's names are no values elsewhere in their columns;
    # in a file of text alone, a value met once, 'oslo', sits in a row of values that recur,
    # 'no', above it or below)
    def elsewhere(c):
        col = np.asarray(table[c])
        return np.count_nonzero(col == head[c][i]) > 1

    repeated = any(elsewhere(c) for c in text if head[c][i] is not None and head[c][i].strip())
    if any(map(number, cells)) or repeated:
        if len(wanted) > 1:
            return ""
        return (f"; {next(iter(wanted))!r} is a value of column {where[0]!r} (line "
                f"{int(lines[i])}), not a column name")
    what = (f"{next(iter(wanted))!r} is a field" if len(wanted) == 1 else
            "1 of those columns is a field" if found == 1 else
            f"{'all' if found == len(wanted) else found} of those columns are fields")
    line = int(lines[i])
    fix = _read_option_text(options, "skip_rows", line - 1)
    return (f"; {what} of line {line}: the header seems to start there (a title or a second "
            f"header line above it); " + (f"pass {fix} or delete" if fix else "delete")
            + " the lines above it")


def _did_you_mean(table, name) -> str:
    """' (did you mean 'Target Label'?)' when one column differs from ``name`` only in case
    or in blanks (the reader strips the header's blanks around names), or is pandas' name
    (``Unnamed: 1``) of the column without a header name that the reader calls ``name``
    (``unnamed_1``)."""
    def key(s):   # (the name compared, whether it is pandas' name of an unnamed column)
        s = " ".join(str(s).split())
        m = PANDAS_UNNAMED.fullmatch(s)
        return (f"unnamed_{m.group(1)}" if m else s).casefold(), m is not None
    unnamed = UNNAMED_COLUMN.fullmatch(str(name))
    # (column, what the reader's name ``name`` is to it, when that needs saying)
    close = [(c, "pandas' name for the column without a header name that glassnet calls"
              if pandas and unnamed else None)
             for c, (k, pandas) in ((c, key(c)) for c in table.columns) if k == key(name)[0]]
    if unnamed and not close:   # a DataFrame keeps a name of blanks: that column, by position
        j = int(unnamed.group(1))
        if j < len(table.columns) and not str(table.columns[j]).strip():
            close = [(table.columns[j], "a header name of blanks, which glassnet reads as")]
    if len(close) != 1:
        return ""
    column, what = close[0]
    if what:
        return f" (did you mean {column!r}? {what} {name!r}: rename it {name!r})"
    return f" (did you mean {column!r}?)"


def _unnamed_notes(table) -> list[str]:
    """A note per column of ``table``'s file without a header name (blank or white space):
    the reader calls it ``unnamed_<j>``, the name --drop, --categorical and the data given to
    the model later must use (pandas calls it ``Unnamed: <j>``)."""
    notes = []
    for name in table.columns:
        m = UNNAMED_COLUMN.fullmatch(name)
        if m and not table.header_text(name).strip():
            notes.append((repr(name), f"the column at position {m.group(1)} (counted from 0) has "
                                      f"no name in the header: called {name!r}"))
    return _grouped(notes, "columns have no name in the header, called",
                    suffix=" (unnamed_<j>: j is the column's 0-based position)")


def _label_text(v) -> str:
    """A class label as a user reads it: 1.5, 1, 'yes' (not np.float64(1.5))."""
    v = v.item() if isinstance(v, np.generic) else v
    return repr(v) if isinstance(v, str) else str(v)


def _column_list(table, most=60) -> str:
    return ", ".join(map(_shown, table.columns[:most])) + (
        " ..." if len(table.columns) > most else "")


def undecided_dot_notes(table, columns=None) -> list[str]:
    """The note for the numeric columns (of ``columns``, default all) whose whole numbers
    with a '.' (15.470 beside 774) were read with '.' as the decimal point because nothing
    in the decimal-comma file showed its decimal mark (``Table.undecided_dot_columns``)."""
    cols = [c for c in table.columns if c in getattr(table, "undecided_dot_columns", ())
            and (columns is None or c in columns)]
    if not cols:
        return []
    col = np.asarray(table[cols[0]], dtype=np.float64)
    fractions = np.flatnonzero(np.isfinite(col) & (col != np.trunc(col)))
    # (a column whose dotted numbers all end in 000, 1.000 beside 774: one of them)
    i = int(fractions[0]) if fractions.size else int(np.flatnonzero(np.isfinite(col))[0])
    lines = table.line_numbers
    where = f", line {int(lines[i])}" if lines is not None else ""
    v = col[i]
    return [f"{_some_names(cols)}: whole numbers with a '.' before three digits (e.g. "
            f"{v:.3f}{where}) were read with '.' as the decimal point ({v:g}), as nothing in "
            f"the file shows its decimal mark (no number or amount with a decimal comma, as "
            f"1,5 or 12,50 €, nor with a decimal point, as 0.5); if the '.' groups thousands "
            f"there ({v * 1000:.0f}), pass --decimal ,"]


def _skipped_hint(table, options=None) -> str:
    """' (--skip-rows 3 skipped lines 1-3: ...)' when columns looked for are missing from
    a table read below skipped lines: the header may have been one of them."""
    n = getattr(table, "_skipped", 0)
    if not n:
        return ""
    return (f" ({_read_option_text(options, 'skip_rows', n)} skipped line"
            + (f"s 1-{n}" if n > 1 else " 1") + ": was the header among them?)")


def _header_hint(table) -> str:
    """What to add when every column name is a number: the first data row was taken for the
    header."""
    try:
        [float(c) for c in table.columns]
    except ValueError:
        return ""
    return " (the file seems to have no header row; add one)"


_SEPARATOR_ARG = {";": "';'", "\t": "tab", "|": "'|'", ",": "','"}

class ReadOptions(typing.NamedTuple):
    """How messages name the options that read data: as keyword arguments (``sep='\\t'``,
    load_trained) or as the command line's options (``--sep tab``); ``taken``: the options
    the data take (rows in memory take no ``sep`` nor ``decimal``: they are read already)."""
    keyword: bool
    taken: frozenset


CLI_READ_OPTIONS = ReadOptions(False, frozenset({"sep", "decimal", "na_values", "skip_rows"}))


def _read_option_text(options, key, value=None) -> str | None:
    """Read option ``key`` given ``value`` as ``options`` (a ReadOptions, default
    :data:`CLI_READ_OPTIONS`) say it: ``--decimal ,`` or ``decimal=','``, ``--sep tab`` or
    ``sep='\\t'``, ``--na-values`` (its tokens are the caller's to write) or
    ``na_values=['unknown']``; the option's name alone (``--sep``, ``sep=``) where ``value``
    is None; None where the data take no such option."""
    options = options or CLI_READ_OPTIONS
    if key not in options.taken:
        return None
    if options.keyword:
        return f"{key}=" if value is None else \
            f"{key}={[value] if key == 'na_values' else value!r}"
    name = "--" + key.replace("_", "-")
    if value is None or key == "na_values":
        return name
    return f"{name} {_SEPARATOR_ARG.get(value, value) if key == 'sep' else value}"


def _separator_hint(table, options=None) -> str:
    """What to say when a file was read as one column whose name holds another separator
    (``a;b;y``): it was split on the wrong character (``options``: how to say the fix, see
    :func:`_read_option_text`)."""
    if len(table.columns) == 1:
        for ch, arg in _SEPARATOR_ARG.items():
            if ch in table.columns[0]:
                fix = _read_option_text(options, "sep", ch)
                return (f" (the file looks delimited by {arg}: "
                        + (f"pass {fix})" if fix else "read it with that separator)"))
    return ""


def _select_bundled(src: _Source, target: str):
    """A bundled dataset trains on its documented features (e.g. energy's text copy of the
    target is left out) when its default target is used."""
    if src.bundled and src.features is not None and target == src.default_target:
        cols = [c for c in src.features if c != target and c in src.table] + [target]
        return src.table.select(cols)
    return src.table


# ------------------------------------------------------------------------------------------
# the model
# ------------------------------------------------------------------------------------------

REGRESSION_LOSSES = ("mse", "huber", "mae")
_LOSS_TEXT = {"mse": "MSE on the standardized target",
              "huber": "Huber loss (δ = 1) on the target in robust units (median, MAD)",
              "mae": "MAE on the target in robust units (median, MAD)"}


def _robust_scale(y):
    """(median, unit, how the unit was measured) of targets ``y`` for a robust loss: far-off
    targets inflate the std, and the rest would sit within a sliver of zero (a std of 78 of
    theirs made 1). The unit is 1.4826 x the median absolute deviation (the std, where the
    rest is normal); where over half the targets are one value (zero-inflated counts or
    sales: it is 0), the same over the targets other than the median; else 1."""
    y = np.asarray(y, dtype=np.float64)
    median = float(np.median(y))
    dev = np.abs(y - median)
    unit = 1.4826 * float(np.median(dev))
    if math.isfinite(unit) and unit > 0:
        return median, unit, "1.4826 x the median absolute deviation"
    varied = dev[dev > 0]
    unit = 1.4826 * float(np.median(varied)) if varied.size else 0.0
    if math.isfinite(unit) and unit > 0:
        return median, unit, ("1.4826 x the median absolute deviation of the targets other "
                              "than the median, as most equal it")
    return median, 1.0, "1 (the targets are constant)"


def _target_units(model) -> str:
    """What a glassnet train regression network learns: the standardized target (MSE), or
    the target in robust units (a robust loss: :func:`_robust_scale`)."""
    from .losses import MAE, Huber
    return ("target in robust units (median, MAD)"
            if isinstance(getattr(model, "loss", None), (Huber, MAE))
            else "standardized target")


def _regression_loss(name):
    """The loss object of ``--loss NAME`` (None: MSE, the default fit picks)."""
    from .losses import MAE, Huber
    return {"huber": Huber(delta=1.0), "mae": MAE()}.get(name)


def _build_model(n_in, hidden, activation, task, n_classes, seed, dtype):
    from . import Dense, Sequential
    layers = [Dense(n_in if i == 0 else hidden[i - 1], h, activation=activation,
                    init=DEFAULT_INIT) for i, h in enumerate(hidden)]
    width = hidden[-1] if hidden else n_in
    if task == "regression":
        layers.append(Dense(width, 1, init=DEFAULT_INIT))
    elif n_classes == 2:
        layers.append(Dense(width, 1, activation="sigmoid", init=DEFAULT_INIT))
    else:
        layers.append(Dense(width, n_classes, activation="softmax", init=DEFAULT_INIT))
    return Sequential(layers, seed=seed, dtype=dtype)


def _probabilities(model, X):
    """(m, k) class probabilities in float64 (two columns for a single sigmoid output), each
    row summing to 1 to float64 precision (a float32 softmax sums to 1 within ~1e-7, which
    scikit-learn's log_loss warns about). NumPy's overflow warnings of a model with huge
    weights are not printed in the middle of the report (its notes say what is wrong)."""
    with np.errstate(over="ignore", invalid="ignore"):
        p = np.asarray(model.predict_proba(X), dtype=np.float64)
    if p.ndim == 1 or p.shape[1] == 1:
        p = p.reshape(-1, 1)
        p = np.hstack([1.0 - p, p])
    else:
        p /= p.sum(axis=1, keepdims=True)
    return p


def _clip_bounds(model):
    """The bounds a model's cross-entropy clips its probabilities to, [eps, 1 − eps] in its
    dtype (1e-7 and 1 − 1.2e-7 in float32): the log loss of the metrics clips so too, and is
    then the validation loss of the same weights on the same rows, also where a probability
    is exactly 0 or 1."""
    from .losses import loss_clip_eps
    one = np.dtype(model.dtype).type(1)
    eps = one.dtype.type(loss_clip_eps(getattr(model, "loss", None), one.dtype))
    return float(eps), float(one - eps)


def _network_output(model, X):
    """A regression network's outputs, (m,) in its dtype (on the standardized target)."""
    with np.errstate(over="ignore", invalid="ignore"):  # as _probabilities
        return np.asarray(model.predict(X)).reshape(-1)


def _regression_output(model, X, scaling):
    return (_network_output(model, X).astype(np.float64) * scaling["std"]
            + scaling["mean"])


def _regression_metrics(y, pred):
    """The regression metrics of the rows' targets ``y`` predicted as ``pred``."""
    from . import metrics as M
    return {"mse": float(M.mean_squared_error(y, pred)),
            "rmse": float(M.root_mean_squared_error(y, pred)),   # in the target's units
            "mae": float(M.mean_absolute_error(y, pred)),
            "r2": float(M.r2_score(y, pred)) if len(y) > 1 else float("nan")}


def _classification_metrics(y, proba, names, clip):
    """``(metrics, per_class)`` of rows of class indices ``y`` predicted by the argmax of
    ``proba``: the metrics' dict, and each class's precision, recall, F1 and row count
    (support) as scikit-learn's classification_report gives them, a score the class leaves
    undefined (never predicted: precision; no row: recall) None, not a 0 that would read as
    a measured failure. ``clip``: the model's clipping bounds of probabilities for the log
    loss (_clip_bounds)."""
    from . import metrics as M
    n_classes = len(names)
    yp = proba.argmax(axis=1)
    # two classes: the sigmoid's p clipped, as the loss clips it (and 1 − p with it)
    eps, hi = clip
    clipped = np.clip(proba[:, 1], eps, hi) if n_classes == 2 else np.clip(proba, eps, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = M.precision_recall_fscore_support(y, yp, labels=list(range(n_classes)),
                                                   zero_division=np.nan)
        # macro averages over the classes in the rows' labels or predictions, an undefined
        # score counted as 0 (scikit-learn's macro averages with zero_division=0 and no
        # labels given): a class absent from both (a rare class missing from a split) is no 0
        seen = np.union1d(y, yp).astype(np.intp)
        macro = [float(np.nan_to_num(a[seen]).mean()) for a in scores[:3]]
        metrics = {
            "accuracy": float(M.accuracy_score(y, yp)),
            "precision_macro": macro[0], "recall_macro": macro[1], "f1_macro": macro[2],
            "log_loss": float(M.log_loss(y, clipped, labels=list(range(n_classes)), eps=eps)),
            # two classes: how well the scores rank the rows, whatever the threshold (it
            # shows what accuracy hides on imbalanced classes)
            **({"roc_auc": float(M.roc_auc_score(y, proba[:, 1]))}
               if n_classes == 2 and len(np.unique(y)) == 2 else {}),
        }
    p, r, f, n = scores
    num = (lambda v: None if math.isnan(v) else float(v))
    per_class = [{"class": name, "precision": num(p[k]), "recall": num(r[k]), "f1": num(f[k]),
                  "support": int(n[k])} for k, name in enumerate(names)]
    return metrics, per_class


def _numbers_read_as(values):
    """The task --task auto gives the values of ``values`` that read as numbers (None when
    none do)."""
    from .preprocess import detect_task
    nums = []
    for v in values:
        try:
            nums.append(float(v))
        except (TypeError, ValueError):
            continue
    nums = np.array(nums, dtype=np.float64)
    nums = nums[np.isfinite(nums)]
    return detect_task(nums, max_classes=MAX_INT_CLASSES) if nums.size else None


def _held_out(by_split):
    """The split that judges the model (test, else validation) among the keys of
    ``by_split``, or None when only the training rows are there."""
    return next((s for s in ("test", "validation") if s in by_split), None)


def _lowest(values):
    """The epoch (from 1) of the lowest finite value of ``values``, or None (no validation
    loss: with --no-early-stopping the last epoch's weights are kept, whichever was best)."""
    v = np.asarray(values if values is not None else [], dtype=np.float64)
    ok = np.isfinite(v)
    return int(np.argmin(np.where(ok, v, np.inf))) + 1 if ok.any() else None


MORE_EPOCHS = "more epochs (--epochs)"
SMALL_VALIDATION = 20   # validation rows under which early stopping follows noise


def _remedy(history, args, hidden, best_epoch) -> str:
    """What to try next, for the notes that say a model learned too little: train longer
    (more epochs, or where early stopping ended the run before the --epochs limit, a larger
    --patience or none, and no learning-rate decay, which halved the rate meanwhile); but
    where, in a network with hidden layers, the validation loss rose by 5% or more after its
    best epoch as the training loss fell by 10% or more, longer training overfits more: a
    smaller network or weight decay (a few % either way is the noise of a plateau)."""
    if not history.stopped_early:
        return MORE_EPOCHS
    val = np.asarray(history.history.get("val_loss", []), dtype=np.float64)
    train = np.asarray(history.history.get("loss", []), dtype=np.float64)
    if hidden and best_epoch and len(val) > best_epoch and len(train) == len(val) \
            and val[-1] > val[best_epoch - 1] + 0.05 * abs(val[best_epoch - 1]) \
            and train[-1] < train[best_epoch - 1] - 0.1 * abs(train[best_epoch - 1]):
        return (f"a smaller network (--hidden) or --weight-decay (after epoch {best_epoch} "
                f"the validation loss rose as the training loss fell: longer training "
                f"overfits)")
    return ("a larger --patience or --no-early-stopping"
            + (" --no-lr-decay" if args.lr_decay else "")
            + f" (early stopping ended it before --epochs {args.epochs}, keeping epoch "
              f"{best_epoch}'s weights)")


def _small_validation_note(n_val, args) -> list[str]:
    """A note when fewer than :data:`SMALL_VALIDATION` validation rows decide when training
    stops, which epoch is kept and when the learning rate is halved: their loss is noise."""
    on = [(what, flag) for what, flag, given in (
        ("when training stops and which epoch's weights are kept", "--no-early-stopping",
         args.early_stopping),
        ("when the learning rate is halved", "--no-lr-decay", args.lr_decay)) if given]
    if not 0 < n_val < SMALL_VALIDATION or not on:
        return []
    return [f"only {n_val} validation row(s) decide {' and '.join(w for w, _ in on)}: their "
            f"loss is mostly noise; with so few rows, {' '.join(f for _, f in on)} and a fixed "
            f"--epochs, or a larger --val-split, may train better"]


def _mean_baseline_note(results, y, idx_train, more=MORE_EPOCHS) -> list[str]:
    """A note when a regression model does no better on its held-out rows (test, else
    validation) than one constant, their mean: R² ≤ 0 there (``more``: what to try next,
    :func:`_remedy`)."""
    split = _held_out(results)
    r2 = results[split].get("r2") if split else None
    if r2 is None or not r2 <= 0:
        return []
    return [f"the model does no better on the {split} rows than predicting their mean for "
            f"every row ({split} R² {r2:.4f} ≤ 0; the training mean is "
            f"{float(np.mean(y[idx_train])):.6g}): the features may not predict the target, "
            f"or training needs {more} or another learning rate (--lr)"]


def _duplicate_column_notes(pre, train_tab) -> list[str]:
    """A note for each input column that holds the same values as an earlier one in every
    training row (an export that repeats a column): it adds inputs and nothing else."""
    from .preprocess import is_numeric_column
    first, notes = {}, []

    def values(name):   # numbers as float64 bytes (NaN alike), text as its values
        arr = train_tab[name]
        if is_numeric_column(arr):
            x = np.asarray(arr, dtype=np.float64)
            return ("numbers", np.where(np.isnan(x), np.nan, x).tobytes())
        return ("text", tuple(None if v is None else str(v) for v in arr.tolist()))
    for name in pre.input_columns_:
        vals = values(name)
        key = hash(vals)
        twin = first.get(key)
        if twin is not None and values(twin) == vals:
            notes.append(f"column {_shown(name)} holds the same values as {_shown(twin)} in "
                         f"every training row: it adds inputs and nothing else (--drop "
                         f"{shlex.quote(name)})")
        else:
            first.setdefault(key, name)
    return notes


def _leak_notes(pre, train_tab, y, task) -> list[str]:
    """A note for each input column that gives the target exactly on the training rows: its
    values one-to-one with the classes, or (regression) a number in a straight line with the
    target. Such a column is most often the target itself under another name (churn_flag
    beside churned, price_usd beside price), known only once the outcome is: the model then
    scores perfectly here and learns nothing that works on new data."""
    from .preprocess import is_numeric_column
    notes = []
    n_classes = 0 if task == "regression" else len(np.unique(y))
    for name in pre.input_columns_:
        arr = train_tab[name]
        if task == "regression":
            if not is_numeric_column(arr) or len(y) < 10:
                continue
            x = arr.astype(np.float64)
            ok = np.isfinite(x) & np.isfinite(y)
            if ok.sum() < 10 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
                continue
            # each divided by its largest size first: values below ~1e-162 square to 0 in
            # corrcoef (r = ±1 for any column), above ~1e154 to inf
            xs, ys = x[ok] / np.abs(x[ok]).max(), y[ok] / np.abs(y[ok]).max()
            with np.errstate(all="ignore"):
                r = np.corrcoef(xs, ys)[0, 1]
            if not abs(r) >= 0.9999:
                continue
            why = f"it is in a straight line with the target on the training rows (r = {r:.5f})"
        else:
            if len(y) < 10:
                continue
            if is_numeric_column(arr):   # by value, without formatting every number
                x = np.asarray(arr, dtype=np.float64)
                ok = np.isfinite(x)
                keys, labels = x[ok], y[ok]
                n_values = np.unique(keys).size
            else:
                ok = np.array([v is not None for v in arr.tolist()], dtype=bool)
                keys, labels = arr[ok], y[ok]
                n_values = len(set(keys.tolist()))
            if not 2 <= n_values <= n_classes:  # one to one needs as many classes as values
                continue
            pairs = set(zip(keys.tolist(), labels.tolist()))
            if len(pairs) != n_values or len({c for _, c in pairs}) != n_values:
                continue
            if len(pairs) == len(keys):  # a row per value and class: any column of distinct
                continue                 # values pairs so with a target of distinct values
            why = "each of its values goes with one class on the training rows, one to one"
        notes.append(_leak_advice(f"column {_shown(name)} gives the target exactly: {why}",
                                  [name]))
    if task == "regression":
        notes.extend(_sum_leak_notes(pre, train_tab, y))
    return notes


def _missing_code_notes(pre, train_tab) -> list[str]:
    """A note for each numeric input column where a code of nines (-999, 99, 9999), met on
    3 rows or more, lies far beyond the column's other values (more than 10 robust standard
    deviations from their median, outside their range): a survey's or lab's code for a
    missing value, standardized as a number unless --na-values reads it as missing (which
    reads it so in every column: the note names the others that hold it, the target too).
    A column one-hot encoded (--categorical) has the code as its own category already."""
    from .preprocess import is_numeric_column, na_values_option
    notes = []
    numeric = [c for c in train_tab.columns if is_numeric_column(train_tab[c])]
    for name in (s["name"] for s in pre.columns_ if s["kind"] == "numeric"):
        x = np.asarray(train_tab[name], dtype=np.float64)
        x = x[np.isfinite(x)]
        nines = np.isin(np.abs(x), [10.0 ** k - 1 for k in range(1, 10)])
        for code in np.unique(x[nines]).tolist():
            hits = x == code
            rest = x[~hits]
            if hits.sum() < 3 or rest.size < 10:
                continue
            # (most other values alike, a count of zeros: the spread of the others then;
            # all of them alike, 1: 9999999 beside zeros is a code)
            med, spread, _ = _robust_scale(rest)
            if abs(code - med) > 10 * spread and not rest.min() <= code <= rest.max():
                shown = str(int(code))   # (9999999 as 1e+07 would be no --na-values token)
                also = [f"{int(k)} of {_shown(c)}" for c in numeric if c != name
                        for k in [np.count_nonzero(np.asarray(train_tab[c]) == code)] if k]
                notes.append(f"{_shown(name)}: {int(hits.sum())} training value(s) are "
                             f"{shown}, far beyond its other values ({rest.min():g} to "
                             f"{rest.max():g}): a code for a missing value? "
                             f"{na_values_option(shown)} reads it as missing"
                             + (f" (in every column: also {', '.join(also[:3])}"
                                f"{' ...' if len(also) > 3 else ''} training value(s))"
                                if also else ""))
    return notes


def _leak_advice(what, columns) -> str:
    """A leak note: ``what`` the columns do, then what to do if they are known only once the
    outcome is."""
    drop = " ".join(f"--drop {shlex.quote(c)}" for c in columns)
    them = "it is" if len(columns) == 1 else "they are"
    copy = " (a copy of the target)" if len(columns) == 1 else " (parts of it)"
    return (f"{what}; if {them} known only once the outcome is{copy}, leave "
            f"{'it' if len(columns) == 1 else 'them'} out ({drop}), or the model learns "
            f"nothing that works on new data")


SUM_LEAK_COLUMNS = 300   # numeric columns beyond which pairs are not looked for (p² / 2)


def _sum_leak_notes(pre, train_tab, y) -> list[str]:
    """A note for each pair of numeric input columns whose sum is the target on every
    training row (bike sharing's casual + registered = cnt): parts of the outcome, known
    only once it is. Pairs are screened on 64 rows spread over the file (a file sorted by
    its target starts with rows alike), then checked on all of them, a pair at a time."""
    from .preprocess import is_numeric_column
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    if n < 10 or not np.isfinite(y).all():
        return []
    tol = 1e-9 * max(float(np.abs(y).max()), 1.0)
    cols = {}   # the columns that could be parts: numeric, all present, not constant
    for name in pre.input_columns_:
        arr = train_tab[name]
        if is_numeric_column(arr):
            x = np.asarray(arr, dtype=np.float64)
            if np.isfinite(x).all() and np.ptp(x) > tol:
                cols[name] = x
    names = list(cols)
    if not 2 <= len(names) <= SUM_LEAK_COLUMNS:
        return []
    rows = np.linspace(0, n - 1, min(n, 64)).astype(np.int64)
    few = np.column_stack([cols[c][rows] for c in names])
    notes = []
    with np.errstate(over="ignore", invalid="ignore"):   # (sums of ±1e308)
        for i in range(len(names) - 1):
            near = np.abs(few[:, i:i + 1] + few[:, i + 1:] - y[rows, None]).max(axis=0) <= tol
            for j in (np.flatnonzero(near) + i + 1).tolist():
                a, b = names[i], names[j]
                if np.abs(cols[a] + cols[b] - y).max() <= tol:
                    notes.append(_leak_advice(f"columns {_shown(a)} + {_shown(b)} add up to "
                                              f"the target on every training row", [a, b]))
    return notes


def _finite_targets(y, idx_train) -> np.ndarray:
    """The training rows' finite regression targets, as float64 (what the target notes read)."""
    t = np.asarray(y[idx_train], dtype=np.float64)
    return t[np.isfinite(t)]


def _target_outlier_note(y, idx_train, loss="mse") -> list[str]:
    """A note when a few training targets lie far from the rest (more than 10 robust standard
    deviations, 1.4826 x the median absolute deviation, from the median) and make up most of
    the target's spread: squared error is then driven by them; with a robust ``loss`` (the
    --loss name) training was not, but the held-out R² and RMSE are."""
    t = _finite_targets(y, idx_train)
    if t.size < 20:
        return []
    med, robust, how = _robust_scale(t)
    if not how.startswith("1.4826 x the median absolute deviation") or "other" in how:
        return []   # (most targets one value: no spread of the bulk to measure from)
    far = np.abs(t - med) > 10 * robust
    if not far.any() or not t.std() > 3 * robust:
        return []
    # the claim is the spread's: the far values hold most of the variance (the MAD scale
    # understates a skewed target's spread, so it is no figure for the rest's)
    rest = float(t[~far].std())
    if not t.var() > 2 * rest ** 2:
        return []
    shown = ", ".join(f"{v:.4g}" for v in t[far][:3]) + (", …" if far.sum() > 3 else "")
    return [f"{int(far.sum())} training target value(s) ({far.mean():.1%}) lie more than 10 "
            f"robust standard deviations from the median {med:.4g} (e.g. {shown}) and make "
            f"up most of the target's spread (std {t.std():.4g} against {rest:.4g} for the "
            f"rest): " + (
                "squared error is driven by them; check them, leave them out, or train with a "
                "robust loss (--loss mae, or --loss huber)" if loss == "mse" else
                f"--loss {loss} weighed them less in training, but the R² and RMSE of "
                f"held-out rows holding such targets are driven by them (the MAE less): judge "
                f"the fit on rows without them (glassnet evaluate on such a file)")]


def _wide_target_note(outputs, y, idx_train) -> list[str]:
    """A note when a regression target is positive and spans four or more orders of magnitude
    (prices, counts, incomes): squared error is ruled by its largest values, and the model
    may predict negative numbers for the small ones; a log of the target often fits better."""
    t = _finite_targets(y, idx_train)
    pos = t[t > 0]
    if t.size < 2 or not t.min() >= 0 or pos.size < 2 or pos.max() < 1e4 * pos.min():
        return []
    zeros = bool((t == 0).any())   # counts, revenue: log(1 + y) then
    split = _held_out(outputs) or "train"
    pred = np.asarray(outputs.get(split, []), dtype=np.float64).reshape(-1)
    neg = int(np.sum(pred < 0))
    return [f"the target runs from {t.min():.3g} to {t.max():.3g} "
            f"({int(np.log10(pos.max() / pos.min()))} orders of magnitude"
            + (" above its zeros" if zeros else "") + "): squared error is ruled "
            "by its largest values"
            + (f", and {neg} of the {pred.size} {split} predictions are negative though no "
               f"target is" if neg else "")
            + "; training on its logarithm (a column of " + ("log(1 + y)" if zeros else "log")
            + " values as the target) may fit better"]


def _one_class_note(outputs, y, parts, class_labels, weighted=False,
                    more=MORE_EPOCHS) -> list[str]:
    """A note when, on the held-out split (test, else validation) holding several classes,
    the model predicts one class for every row, or its accuracy is no better than always
    answering the split's most common class: imbalanced classes, where accuracy misleads.
    ``weighted``: trained with balanced class weights, which trade accuracy on the common
    class for recall on the rare ones: accuracy under the majority answer is then expected,
    and noted only when some rare class's recall is under one half."""
    split = _held_out(outputs)
    if split is None:
        return []
    truth = y[parts[split][1]]
    pred = outputs[split].argmax(axis=1)
    if len(np.unique(truth)) < 2:
        return []
    counts = np.bincount(y[parts["train"][1]], minlength=len(class_labels))
    rare = int(np.argmin(counts))
    share = counts[rare] / max(counts.sum(), 1)
    auc = "ROC AUC and recall say" if len(class_labels) == 2 else "recall (per class) says"
    remedy = (f"{more} may help" if weighted else
              f"{more}, or --class-weight balanced, may help")
    if len(np.unique(pred)) > 1:
        common = int(np.bincount(truth).argmax())
        k = int(np.sum(truth == common))   # the rows that always answering it gets right
        right = int(np.sum(truth == pred))
        if 10 * k < 7 * len(truth) or right > k:
            return []
        recall = {c: float(np.mean(pred[truth == c] == c)) for c in np.unique(truth)}
        if weighted:
            low = [c for c in recall if c != common and recall[c] < 0.5]
            if not low:   # the weighting finds the rare classes: its accuracy is its price
                return []
            return [f"{split} accuracy {right / len(truth):.4f} is below always answering "
                    f"{class_labels[common]!r} ({k} of {len(truth)} rows), as expected with "
                    f"balanced class weights, which trade errors on the common class for "
                    f"finds of the rare ones; yet it finds only "
                    + ", ".join(f"{int(np.sum(pred[truth == c] == c))} of the "
                                f"{int(np.sum(truth == c))} {split} rows of "
                                f"{class_labels[c]!r}" for c in low)
                    + f" ({remedy})"]
        missed = [class_labels[c] for c in recall if recall[c] == 0]
        return [f"{split} accuracy {right / len(truth):.4f} is no better than always answering "
                f"{class_labels[common]!r} ({k} of {len(truth)} rows): class "
                f"{class_labels[rare]!r} is only {share:.1%} of the training rows, so accuracy "
                f"mostly measures the imbalance; {auc} how well it finds the rare class"
                + (f", and it finds none of the {split} rows of "
                   f"{', '.join(map(repr, missed))}" if missed else "")
                + f" ({remedy})"]
    k = int(np.sum(truth == pred[0]))   # the rows that one answer gets right
    if 10 * k < 7 * len(truth):  # under 70%: the accuracy is no artefact of imbalance
        return [f"the model predicts {class_labels[int(pred[0])]!r} for every {split} row "
                f"({100 * k // len(truth)}% of them are that class): it has not learned to "
                f"tell the classes "
                f"apart; {more} or another learning rate (--lr) may help"]
    return [f"the model predicts {class_labels[int(pred[0])]!r} for every {split} row: class "
            f"{class_labels[rare]!r} is only {share:.1%} of the training rows, so accuracy "
            f"mostly measures the imbalance"
            + (", even with balanced class weights" if weighted else "")
            + f"; {auc} how well it finds the rare class ({remedy})"]


def _metric_names(task, *results) -> list:
    """(key, label) of the task's metrics that any of ``results`` (dicts) holds: ROC AUC is
    there for two classes only."""
    names = REGRESSION_METRICS if task == "regression" else CLASSIFICATION_METRICS
    return [(k, label) for k, label in names if any(k in r for r in results)]


def _metric_table(results: dict, task) -> str:
    splits = [s for s in ("train", "validation", "test") if s in results]
    names = _metric_names(task, *(results[s] for s in splits))
    w0 = max(len(label) for _, label in names) + 2
    head = " " * w0 + "".join(f"{s:>12}" for s in splits)
    lines = [head]
    for key, label in names:
        lines.append(f"{label:<{w0}}" + "".join(f"{_fmt(results[s].get(key)):>12}"
                                                for s in splits))
    return "\n".join(lines)


MAX_SHOWN_CLASSES = 20  # the terminal's per-class table shows at most this many classes

# what a '-' in a per-class table means, and how the macro averages count it: said under the
# terminal's table, in report.html and in evaluate's note on an absent class
UNDEFINED_SCORE = "undefined (never predicted: no precision; no rows: no recall)"
MACRO_COUNTS = ("the macro averages count an undefined score as 0, and leave out a class "
                "with no row unless the model predicts it for some row")


def _text_width(text: str) -> int:
    """The columns ``text`` takes in a terminal: a wide or full-width character (CJK, most
    emoji) takes two, a combining mark or a zero-width format character none, so that labels
    from the data line up (len() counts characters)."""
    import unicodedata
    return sum(0 if unicodedata.category(c) in ("Mn", "Me", "Cf")
               else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _per_class_table(rows, title, names=None, *, rest) -> str:
    """The terminal's per-class table of ``rows`` (_classification_metrics) headed ``title``,
    the classes called by ``names`` (their labels when None); at most MAX_SHOWN_CLASSES
    classes, the rest counted on a line that ends with ``rest`` (where the caller gives them
    all). A '-' shown is explained on a line under it."""
    from .render import _cut
    most = MAX_SHOWN_CLASSES
    shown = rows[:most]
    names = names or [r["class"] for r in rows]
    # as the task: line shows a label: repr() when it holds a control character (an escape
    # would colour the terminal, a line break split the row); a long one is cut
    labels = [_cut(_shown(str(name)), 30) for name in names[:most]]
    w0 = max(_text_width(title), *map(_text_width, labels)) + 2
    lines = [f"{title:<{w0}}{'precision':>12}{'recall':>12}{'F1':>12}{'rows':>12}"]
    for label, r in zip(labels, shown):
        lines.append(label + " " * (w0 - _text_width(label))
                     + "".join(f"{_fmt(r[k]):>12}" for k in ("precision", "recall", "f1"))
                     + f"{r['support']:>12,}")
    if len(rows) > most:
        lines.append(f"... {len(rows) - most} more classes {rest}")
    if any(r[k] is None for r in shown for k in ("precision", "recall", "f1")):
        lines.append(f"-: {UNDEFINED_SCORE}; {MACRO_COUNTS}")
    return "\n".join(lines)


def _fmt(v, digits=4):
    if v is None:
        return "-"
    if isinstance(v, float) and not math.isfinite(v):
        return "n/a"
    if abs(v) >= 1e5 or (v != 0 and abs(v) < 1e-3):
        return f"{v:.4g}"
    return f"{v:.{digits}f}"


# ------------------------------------------------------------------------------------------
# train
# ------------------------------------------------------------------------------------------

def split_rows(y, n_rows, test_split, val_split, seed):
    """Row indices ``(train, validation, test, stratified, notes)``: the test rows are held
    out first, then the validation rows from the rest, stratified by class when ``y`` (class
    codes) is given and every class has at least two rows. ``bench/compare_cli.py`` uses this
    to give other models exactly the same split."""
    from .data import split_indices
    notes = []
    state = {"stratified": y is not None}

    def split(ids, frac, what):
        if frac == 0:
            return ids, ids[:0]
        if len(ids) < 3:
            raise _usage(f"too few rows ({len(ids)}) to hold out a {what} split; lower "
                         f"--{what}-split or set it to 0")
        s = y[ids] if state["stratified"] else None
        label = "validation" if what == "val" else what
        if s is not None:
            _, inv, counts = np.unique(s, return_inverse=True, return_counts=True)
            lone = counts[inv] < 2
            if lone.any() and (~lone).sum() >= 3:
                # a class with one row cannot be in both parts: its rows stay with training,
                # and the other classes are still stratified (one lone row turned it off
                # for every class: a rare class could then miss the test rows entirely)
                sub = ids[~lone]
                # as many held-out rows as the fraction of all rows asks, but never more
                # than half of the other classes' rows (each then keeps training rows)
                asked = math.ceil(frac * len(ids))
                n_held = min(asked, max(math.ceil(frac * len(sub)), len(sub) // 2))
                a, b = split_indices(len(sub), n_held, stratify=s[~lone], seed=seed)
                fewer = "" if n_held == asked else \
                    f" ({n_held} rows held out, not {asked}: half of the others at most)"
                notes.append(f"the {label} split is stratified over the classes with 2 or "
                             f"more rows; {int((counts < 2).sum())} class(es) with a single "
                             f"row there stay in the training rows{fewer}")
                return np.concatenate([sub[a], ids[lone]]), sub[b]
        try:
            a, b = split_indices(len(ids), frac, stratify=s, seed=seed)
        except ValueError:
            if s is not None:
                state["stratified"] = False
                notes.append(f"the {label} split is not stratified: some class has fewer "
                             f"than 2 rows")
            try:
                a, b = split_indices(len(ids), frac, seed=seed)
            except ValueError:   # nothing left on one side (--test-split 0.996)
                raise _usage(f"--{what}-split {frac:g} leaves no row on one side of the "
                             f"{label} split of {len(ids)} rows; lower it") from None
        return ids[a], ids[b]

    rest, test = split(np.arange(n_rows), test_split, "test")
    train, val = split(rest, val_split, "val")
    if len(train) < 2:  # a constant of every column: 'no usable feature columns' misled
        raise _usage(f"--test-split {test_split:g} and --val-split {val_split:g} leave "
                     f"{len(train)} training row(s) of {n_rows}; lower them")
    return train, val, test, state["stratified"], notes


# ------------------------------------------------------------------------------------------
# the --out folder of `glassnet train`
# ------------------------------------------------------------------------------------------

class _RunFolder:
    """The ``--out`` folder of one ``glassnet train`` run: checked before any data is read,
    locked for the whole run, and written so that nothing of the user's is lost.

    The folder may be new, empty, or hold an earlier run: its ``metrics.json``, written by
    glassnet, lists under ``"files"`` what that run wrote (a ``metrics.json`` of a version
    that wrote no list is recognised by its ``"glassnet_version"``; its run's files are
    glassnet's names present, since that version deleted every plot name before writing its
    own). Any other folder is refused, or with ``--overwrite`` used: glassnet's own names
    (:data:`RUN_FILES`) are replaced there. No file the earlier run did not write is ever
    deleted. The folder never mixes the two runs, whenever this one stops (SIGKILL and a
    full disk included): the new model is written in full under a temporary name, then the
    earlier run's files are deleted (its metrics.json last), then the model is renamed into
    place, so that the folder holds the complete earlier run, or part of it, or this run's
    model and what of this run was written after it. A folder holding only a model.gnet of
    ``glassnet train`` (a run stopped between its model and its metrics.json) is such an
    earlier run too. A folder this run created is removed again (when empty) if the run ends
    before saving anything.

    The lock is an OS lock on the file ``.glassnet.lock`` (:class:`_FileLock`), held for the
    whole run: a second run into the folder fails at once, and the lock of a run that dies
    (even killed with SIGKILL) is released by the OS, so nothing stale is ever taken over.
    Creating the file is also the probe that the folder is writable; it holds the PID, for the
    second run's message, and is removed at the end while still locked."""

    def __init__(self, overwrite=False, data=None):
        self.overwrite = overwrite
        # the input file: never one this run writes, --overwrite or not (standard input is
        # no file in the folder)
        self.data = None if data == STDIN else data
        self.path = None
        self.created = []      # the folders this run made, deepest first
        self.lock = None       # the _FileLock held while the run goes on
        self.previous = set()  # the files of the earlier run in the folder
        self.previous_run = None  # (dataset, source, target) of the earlier run
        self.removed = []      # the earlier run's files this run deleted
        self.planned = []      # what this run writes, in order
        self.written = []      # what it has written

    # -- opening: checks, folder, lock --------------------------------------------------------
    def open(self, path) -> None:
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise _usage(f"--out {path} exists and is not a folder")
        if path.is_symlink() and not path.exists():
            raise _usage(f"--out {path} is a broken symbolic link (to {os.readlink(path)}); "
                         f"create its target folder or choose another --out")
        missing, p = [], path
        while not os.path.lexists(p) and p != p.parent:
            missing.append(p)
            p = p.parent
        if missing and not p.is_dir():
            raise _usage(f"--out {path}: {p} is not a folder")
        for name in (*RUN_FILES, LOCK_FILE):
            if self.data is not None and _same_file(path / name, self.data):
                raise _usage(f"--out {path}: this run writes {path / name}, which is the input "
                             f"data {self.data}; choose another --out, or move the data")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _usage(f"cannot create --out {path}: {exc.strerror or exc}") from None
        self.path, self.created = path, missing
        self._lock()
        self._check_contents()
        self._remove_temporary_files()

    def _lock(self) -> None:
        lock = self.path / LOCK_FILE
        try:
            self.lock = _FileLock.acquire(lock)
        except BlockingIOError:
            pid = _FileLock.owner(lock)
            raise _usage(f"another glassnet train is writing to {self.path}"
                         f"{f' (pid {pid})' if pid else ''}; wait for it to end or choose "
                         f"another --out") from None
        except NotALockFile as exc:
            raise _usage(f"{exc}, or choose another --out") from None
        except OSError as exc:
            if lock.is_dir():
                raise _usage(f"{lock} is a folder, not glassnet's lock file; remove it "
                             f"or choose another --out") from None
            raise _usage(f"--out {self.path} is not writable: "
                         f"{exc.strerror or exc}") from None

    def _check_contents(self) -> None:
        names = sorted(n for n in os.listdir(self.path)
                       if n != LOCK_FILE and not _our_temporary_file(n))
        if not names:
            return
        locked = [n for n in names if n in RUN_FILES and not os.access(self.path / n, os.W_OK)]
        if locked:  # found now, not once training is done (the save would then fail)
            raise _usage(f"--out {self.path} holds {_some_names(locked)}, read-only: make "
                         f"{'it' if len(locked) == 1 else 'them'} writable (chmod u+w) for "
                         f"this run to replace {'it' if len(locked) == 1 else 'them'}, or "
                         f"choose another folder")
        previous, summary = _earlier_run(self.path)
        if previous is None:
            if not self.overwrite:
                raise _usage(f"--out {self.path} is not empty and holds no earlier glassnet "
                             f"train run ({_some_names(names)}); choose a new or empty "
                             f"folder, or pass --overwrite to write there anyway (files named "
                             f"like glassnet's, such as report.html, are replaced; no file is "
                             f"deleted)")
            return
        self.previous = previous
        self.previous_run = tuple(summary.get(k) for k in ("dataset", "source", "target"))
        clash = [n for n in names if n in RUN_FILES and n not in previous]
        if clash and not self.overwrite:
            raise _usage(f"--out {self.path} holds an earlier glassnet train run and also "
                         f"{_some_names(clash)}, which that run did not write; move "
                         f"{'it' if len(clash) == 1 else 'them'} away, choose another folder, "
                         f"or pass --overwrite to replace glassnet's own file names there")

    def _remove_temporary_files(self) -> None:
        """Delete the temporary files that atomic writes killed mid-write (SIGKILL, a power
        cut) left (io.remove_stale_temporaries): at once, of any name, those whose writer was
        a process of this machine that has ended; those of glassnet's own names whose writer
        cannot be known (another computer's, an older glassnet's) once they are old. The
        lock keeps other train runs out, but not every writer takes it (save_model or
        ModelCheckpoint from a script): a file whose writer runs, or may still run (a recent
        one), is left alone."""
        from .io import remove_stale_temporaries, temporary_of
        with contextlib.suppress(OSError):
            # the names a temporary of the model's temporary file is of, for the rule on
            # old files whose writer cannot be known
            staged = {temporary_of(n) for n in os.listdir(self.path)
                      if _our_temporary_file(n)}
            remove_stale_temporaries(self.path, (*RUN_FILES, *staged))

    # -- writing --------------------------------------------------------------------------
    def save(self, name, write) -> None:
        """``write(path)`` the file ``name``; a failure names what was saved and what not.

        An interrupt or error that comes once the new file is in place (during the folder's
        fsync after the rename, which can hang on a network file system) still counts it as
        saved: the note must be true."""
        target = self.path / name
        before = _file_identity(target)
        try:
            try:
                if self.previous - {name}:
                    self._replace_previous(name, write)
                else:
                    write(target)
            except BaseException:
                if _file_identity(target) != before:  # renamed into place, then stopped
                    self._saved(name)
                raise
        except (OSError, ValueError) as exc:
            what = f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) and \
                exc.strerror and exc.filename else str(exc).splitlines()[0]
            raise _usage(f"saving to {self.path}/ failed ({what}); {self.saved_note()}") \
                from None
        self._saved(name)

    def _saved(self, name) -> None:
        if name not in self.written:
            self.written.append(name)
        self.previous.discard(name)

    def _replace_previous(self, name, write) -> None:
        """``write`` this run's first file, ``name``, over the earlier run in the folder: in
        full under a temporary name first (a run stopped meanwhile leaves the earlier run
        whole), then the earlier run's other files are deleted, its metrics.json last (a run
        killed among the deletions leaves part of the earlier run, still recognised as one),
        then the new file is renamed into place. So no instant mixes the two runs. Like
        io's atomic writes: a link is written through, the permission bits of the file
        replaced are kept."""
        from . import io as gio
        target = self.path / name
        final = os.path.realpath(target) if os.path.islink(target) else os.fspath(target)
        try:
            st = os.stat(final)
        except OSError:
            st = None
        if st is not None and not stat.S_ISREG(st.st_mode):  # a device, a FIFO: written to
            self._remove_previous(keep=name)                 # as it is, nothing renamed
            write(target)
            return
        folder = os.path.dirname(final)
        staged = os.path.join(folder, gio._temporary_name(os.path.basename(final)[:80]))
        try:
            try:
                write(staged)
            except OSError as exc:  # it names the temporary file: the user knows the target
                raise gio._naming(exc, staged, os.fspath(target)) from None
            if st is not None and os.name != "nt":
                with contextlib.suppress(OSError):
                    os.chmod(staged, stat.S_IMODE(st.st_mode))
            self._remove_previous(keep=name)
            gio._replace(staged, final)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(staged)
            raise
        gio._fsync_dir(folder)

    def _remove_previous(self, keep) -> None:
        """Delete the earlier run's files (those its metrics.json lists) but ``keep``, which
        is about to be replaced; metrics.json last, as it tells the next run that the folder
        is glassnet's. Nothing else is touched."""
        gone = sorted(self.previous - {keep}, key=lambda n: n == "metrics.json")
        for name in gone:
            try:
                (self.path / name).unlink()
            except FileNotFoundError:
                pass
            self.previous.discard(name)
            self.removed.append(name)

    def replacing_note(self, src, target):
        """"replacing the earlier run of moons (target y) in DIR" where the earlier run in
        the folder was of another dataset or target (None otherwise)."""
        if self.previous_run is None:
            return None
        dataset, source, old_target = self.previous_run
        # (an interrupted run known by its model alone names no source: its dataset's name)
        same_data = source == src.label or source is None and dataset == src.name or (
            isinstance(source, str) and not src.bundled and os.path.isfile(source)
            and _same_file(source, src.label))
        if same_data and old_target == target:
            return None
        shown = dataset if not isinstance(source, str) or source.endswith(
            ("(bundled)", "(generated)")) \
            else source
        return f"replacing the earlier run of {shown} (target {old_target}) in {self.path}"

    def saved_note(self) -> str:
        if not self.written:
            # (the earlier run's model stays if its replacement's rename fails)
            return "nothing was saved" + (f" to {self.path}/" if self.path else "") + (
                "" if not (self.previous or self.removed) else
                "; the earlier run there is kept" if not self.removed else
                f"; of the earlier run there, {', '.join(sorted(self.previous))} is kept"
                if self.previous else
                f"; the earlier run's {', '.join(self.removed)} there were removed")
        left = [n for n in self.planned if n not in self.written]
        return (f"saved {', '.join(self.written)}" +
                (f"; not saved: {', '.join(left)}" if left else ""))

    # -- closing --------------------------------------------------------------------------
    def close(self) -> None:
        """Release the lock; remove the folders this run made if nothing was saved."""
        if self.lock is not None:
            self.lock.release()
            self.lock = None
        if not self.written:
            for d in self.created:  # deepest first; rmdir removes only empty folders
                try:
                    d.rmdir()
                except OSError:
                    break


class NotALockFile(OSError):
    """The lock path exists as something glassnet did not make (a symbolic link, a FIFO)."""

    def __init__(self, path, what):
        super().__init__(f"{path} is not glassnet's lock file ({what}); remove it")
        self.path, self.what = path, what


class _FileLock:
    """An exclusive lock on a file, held while the file descriptor is open, that the OS releases
    when the process ends however it ends (so there is never a stale lock to detect, and no
    process is probed: ``os.kill(pid, 0)`` would terminate it on Windows).

    POSIX: ``fcntl.flock``. The file is removed at the end while still locked; a run that
    opened it just before and gets the lock then sees that the path no longer names its file
    (another inode, or none) and tries again on a new file, so two runs never both hold a lock
    on the same path. Windows: ``msvcrt.locking`` on a byte past the PID (locked bytes cannot
    be read there); a file open in another process cannot be removed, so the removal after the
    release simply fails while another run has it open. Where neither exists (WebAssembly
    builds) there is no lock."""

    _BYTE = 64  # Windows: the byte locked, past the PID written at the start

    def __init__(self, path, fd):
        self.path, self.fd = path, fd

    @classmethod
    def acquire(cls, path):
        """The lock on ``path`` (created if need be), or BlockingIOError if another process
        holds it; NotALockFile if ``path`` is a symbolic link or not a regular file (it is
        never followed nor truncated: it may be the user's); any other OSError (a read-only
        folder, a folder of that name) as it is."""
        for _ in range(100):
            if os.path.islink(path):  # Windows has no O_NOFOLLOW; a clearer message anyway
                raise NotALockFile(path, "a symbolic link")
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)
                             | getattr(os, "O_NOFOLLOW", 0), 0o644)
            except OSError as exc:
                if exc.errno == errno.ELOOP:  # a symbolic link made since the check above
                    raise NotALockFile(path, "a symbolic link") from None
                raise
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO, a device: not truncated
                    raise NotALockFile(path, "not a regular file")
                if not _try_lock(fd):
                    raise BlockingIOError(f"{path} is locked")
                if os.name == "posix" and not _names_open_file(path, fd):
                    os.close(fd)  # removed by the run that just ended: lock the new file
                    continue
                os.lseek(fd, 0, os.SEEK_SET)
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
            except BaseException:
                os.close(fd)
                raise
            return cls(path, fd)
        raise BlockingIOError(f"{path} keeps being replaced")

    def release(self) -> None:
        if os.name == "posix":  # while still locked: see the class docstring
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        with contextlib.suppress(OSError):
            _unlock(self.fd)
        os.close(self.fd)
        if os.name != "posix":  # fails while another run has it open, as it should
            with contextlib.suppress(OSError):
                os.unlink(self.path)

    @staticmethod
    def owner(path):
        """The PID written in the lock file ``path`` (None if unreadable or not yet written:
        the owner writes it just after locking, so a moment is waited for it)."""
        for _ in range(10):
            try:
                text = Path(path).read_text(encoding="ascii", errors="replace").strip()
            except OSError:
                return None
            if text.isdigit():
                return int(text)
            time.sleep(0.05)
        return None


def _names_open_file(path, fd) -> bool:
    """Whether ``path`` is (still) the file open as ``fd``."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    return os.path.samestat(st, os.fstat(fd))


try:
    import fcntl
except ImportError:  # Windows, WebAssembly
    fcntl = None
    try:
        import msvcrt
    except ImportError:
        msvcrt = None

if fcntl is not None:
    def _try_lock(fd) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # EWOULDBLOCK/EAGAIN: another process holds it
            return False
        except OSError as exc:  # no locks on this file system (ENOLCK, EOPNOTSUPP)
            if exc.errno == errno.EACCES:
                return False
            print(f"glassnet: note: a second run into --out is not stopped here (this file "
                  f"system has no locks: {exc.strerror or exc})", file=sys.stderr)
        return True

    def _unlock(fd) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
elif msvcrt is not None:
    def _try_lock(fd) -> bool:
        os.lseek(fd, _FileLock._BYTE, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:  # EACCES/EDEADLOCK: another process holds it
            return False
        return True

    def _unlock(fd) -> None:
        os.lseek(fd, _FileLock._BYTE, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    def _try_lock(fd) -> bool:
        return True

    def _unlock(fd) -> None:
        pass


def _file_identity(path):
    """(device, inode, size, mtime) of the file ``path`` names, None if there is none: it
    changes when an atomic write renames a new file into place."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _our_temporary_file(name) -> bool:
    """A temporary file of an interrupted atomic write of a glassnet file (io._atomic_open),
    or of the temporary file that holds a new model until its rename (the atomic write of
    that one is a temporary of a temporary: :meth:`_RunFolder._replace_previous`)."""
    from .io import temporary_of
    target = temporary_of(name)
    while target is not None and target not in RUN_FILES:
        target = temporary_of(target)
    return target is not None


def _earlier_run(folder):
    """The files of the earlier run in ``folder`` (None if it holds none): those its
    metrics.json lists, or, from a version that kept no list, glassnet's names present; and
    that metrics.json. A folder that holds only a model.gnet that ``glassnet train`` wrote
    (a run stopped before its metrics.json) is an earlier run too, of that file alone,
    with what the model file tells of it."""
    try:
        summary = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _interrupted_run(folder)
    if not isinstance(summary, dict) or "glassnet_version" not in summary or \
            "metrics" not in summary:
        return None, None
    files = summary.get("files")
    if isinstance(files, list):
        return {f for f in files if f in RUN_FILES} | {"metrics.json"}, summary
    return {n for n in RUN_FILES if (folder / n).is_file()}, summary


def _interrupted_run(folder):
    """({"model.gnet"}, a summary) where ``folder`` holds nothing but a model.gnet of
    ``glassnet train`` (besides the lock and glassnet's temporary files), else (None, None).
    The model file's header says so (its "extra" has created_by "glassnet train"); only the
    header is read, not the weights."""
    from .io import _PREFIX, MAGIC
    names = [n for n in os.listdir(folder) if n != LOCK_FILE and not _our_temporary_file(n)]
    if names != ["model.gnet"]:
        return None, None
    path = folder / "model.gnet"
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None, None
        with open(path, "rb") as f:
            prefix = f.read(_PREFIX.size)
            if len(prefix) < _PREFIX.size or not prefix.startswith(MAGIC):
                return None, None
            size = _PREFIX.unpack(prefix)[2]
            if size > os.fstat(f.fileno()).st_size:
                return None, None
            header = json.loads(f.read(size).decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None, None
    extra = header.get("extra") if isinstance(header, dict) else None
    if not isinstance(extra, dict) or extra.get("created_by") != "glassnet train":
        return None, None
    return {"model.gnet"}, {"dataset": extra.get("dataset"), "source": None,
                            "target": extra.get("target")}


def _some_names(names, most=3) -> str:
    shown = ", ".join(_shown(n) for n in names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


class _DeferredSigint:
    """Ctrl-C while a run is saved: a press says "saving, please wait" on stderr and is acted
    on (exit status 130) once the files are written, so that a second press, a common reflex,
    does not lose the run the first one stopped. The :data:`SAVE_PRESSES`-th press gives up
    waiting (a write hanging on a network file system): it raises KeyboardInterrupt at once,
    and the command says what was saved and what not. Installed only where Python's own
    handler is (the main thread; not where SIGINT is ignored, as in a background job)."""

    SAVE_PRESSES = 3

    def __init__(self):
        self.pressed = 0   # presses while saving
        self._before = 0   # the press that stopped training, if one did
        self._old = None

    def start(self, pressed_before=0):
        """``pressed_before``: 1 when a Ctrl-C stopped training, so that the third press of
        the run (the README's count), not the third while saving, stops at once."""
        self._before = pressed_before
        if threading.current_thread() is threading.main_thread() and \
                signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._old = signal.signal(signal.SIGINT, self._handler)
        return self

    def _handler(self, signum, frame):
        self.pressed += 1
        left = self.SAVE_PRESSES - self._before - self.pressed
        if left <= 0:
            self.stop()
            raise KeyboardInterrupt
        try:  # os.write: print() may be in the middle of writing to stderr
            os.write(2, (f"\nglassnet: saving, please wait (Ctrl-C takes effect once the files "
                         f"are written; {'once more' if left == 1 else f'{left} more times'} "
                         f"stops at once, leaving the rest unsaved)\n").encode())
        except OSError:
            pass

    def stop(self):
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
            self._old = None


@contextlib.contextmanager
def _sigterm_as_ctrl_c():
    """SIGTERM (``timeout``, ``docker stop``, a batch scheduler's preemption) acts as one
    Ctrl-C: training stops at the end of the batch and the run is saved, where the default
    action would end the process at once and lose every epoch. Only where Ctrl-C itself is
    handled (the main thread, SIGINT not ignored): elsewhere SIGTERM keeps its default."""
    TERMINATED[0] = False
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def handler(signum, frame):
        TERMINATED[0] = True   # said so at the end, with exit status 143 (128 + SIGTERM)
        signal.raise_signal(signal.SIGINT)
    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)   # (TERMINATED stays: cmd_train reads it after)


TERMINATED = [False]   # whether the interrupt of this train run was a SIGTERM


def _stopped_by() -> str:
    return "SIGTERM" if TERMINATED[0] else "Ctrl-C"


def cmd_train(args) -> int:
    folder = _RunFolder(overwrite=getattr(args, "overwrite", False), data=args.data)
    sigint = _DeferredSigint()
    try:
        with _sigterm_as_ctrl_c():
            if args.out is not None:  # checked (and locked) before the data is read and trained
                folder.open(args.out)
            return _train(args, folder, sigint)
    except KeyboardInterrupt:  # before or during training, or the last press while saving
        stop = KeyboardInterrupt(folder.saved_note())
        stop.signal_name = "SIGTERM" if TERMINATED[0] else None  # the CLI's status: 143
        raise stop from None
    finally:
        sigint.stop()
        folder.close()


def _train(args, folder: _RunFolder, sigint: _DeferredSigint) -> int:
    from . import __version__
    from . import optim
    from .io import atomic_write_bytes, atomic_write_text, save_model
    from .preprocess import (MatrixSizeWarning, NoUsableColumnsError, TabularPreprocessor,
                             TargetEncoder, detect_task, drop_reasons, mean_std,
                             numeric_text_note)
    from .train import EarlyStopping

    t_start = time.perf_counter()
    quiet = args.quiet
    if args.patience is not None and not args.early_stopping:
        print("glassnet: note: --patience is ignored with --no-early-stopping", file=sys.stderr,
              flush=True)
    if args.patience is None:
        args.patience = DEFAULT_PATIENCE
    hidden = args.hidden if isinstance(args.hidden, list) else _hidden_sizes(args.hidden)
    if args.activation is not None and not hidden:
        print("glassnet: note: --activation is ignored with --hidden none (no hidden layer "
              "to apply it to)", file=sys.stderr, flush=True)
    # recorded (metrics.json, the model file) only when a hidden layer uses it
    args.activation = (args.activation or DEFAULT_ACTIVATION) if hidden else None
    say = (lambda *a, **k: None) if quiet else (lambda *a, **k: print(*a, **k, flush=True))

    src = _load_source(args.data, sep=args.sep, skip_rows=args.skip_rows,
                       na_values=args.na_values,
                       decimal=args.decimal, expected=[args.target] if args.target else (),
                       announce=not quiet)
    if folder.path is None:
        folder.open(os.path.join("runs", src.name))
    out_dir = folder.path
    target = args.target or src.default_target
    if target is None:
        raise _usage(f"--target is required for a CSV file: name the column to predict "
                     f"(columns: {_column_list(src.table)})" + _header_hint(src.table))
    _check_target(src.table, target, src.label)
    table = _select_bundled(src, target)
    left_out = [c for c in src.table.columns if c not in table]
    for option, cols, hint in (("--drop", args.drop, ""), ("--keep", args.keep, ""),
                               ("--categorical", args.categorical,
                                " (--task classification makes a numeric target's values "
                                "classes)")):
        bad = [c for c in cols if c not in src.table]
        if bad:
            raise _usage(f"{option} names column(s) not in {src.label}: "
                         + ", ".join(_shown(c) + _did_you_mean(src.table, c) for c in bad))
        if target in cols:
            raise _usage(f"{option} {target} is the target column{hint}")
    for option, verb, cols in (("--categorical", "encode", args.categorical),
                               ("--keep", "use", args.keep)):
        both = [c for c in cols if c in args.drop]
        if both:
            raise _usage(f"{option} and --drop both name {', '.join(map(_shown, both))}: "
                         f"{verb} a column or leave it out, not both")
    if len(table.columns) < 2:
        raise _usage(f"{src.label} has only the target column {target!r}: no features to "
                     f"learn from")
    notices = []
    if left_out:  # a bundled dataset's identifier or text copy of the target
        notices.append(f"not used: {', '.join(map(_shown, left_out))} (not among "
                       f"{src.name}'s documented features)")
    header_hint = _header_hint(table)
    if header_hint:
        notices.append(f"every column name is a number{header_hint}: its first row "
                       f"was read as the column names")
    notices.extend(_unnamed_notes(src.table))
    notices.extend(undecided_dot_notes(table))

    # -- the target -----------------------------------------------------------------------
    y_raw = table[target]
    miss = _missing_mask(y_raw)
    if miss.all():
        raise _usage(f"the target column {target!r} has no values")
    if miss.any():
        # (beside numbers None and #N/A are missing too, as pandas reads them: a class of
        # that name among number classes is gone, which the note must say)
        beside = " (empty, or a missing marker: NA, ?, and beside numbers None, #N/A, <NA> " \
            "as pandas reads them)" if np.asarray(y_raw).dtype.kind == "f" else ""
        notices.append(f"{int(miss.sum())} row(s) without a value in the target column "
                       f"{target!r} were left out{beside}")
        table = table.take(np.flatnonzero(~miss))
        y_raw = table[target]
    n_rows = table.n_rows
    if n_rows < 2:   # one target value: nothing to learn, whatever the split
        raise _usage(f"{src.label} has only {n_rows} labelled row: too few to train on; a "
                     f"model needs at least 2 rows with different values in {target!r}")
    task = args.task
    if task == "auto":
        task = detect_task(y_raw, max_classes=MAX_INT_CLASSES)
        notices.extend(_auto_task_note(y_raw, task, target))
    numeric_target = np.asarray(y_raw).dtype.kind in "biuf"
    # a text target that is numbers but for a few values, or for $ % and thousands commas
    number_note = None if numeric_target else numeric_text_note(
        y_raw, table.line_numbers, comma=table.decimal_comma, table=table)
    if task == "regression" and not numeric_target:
        raise _text_target_usage(target, y_raw, number_note, "so it cannot be a regression "
                                 "target", "use --task classification")
    if task == "classification" and args.loss not in (None, "mse"):
        fix = ": pass --task regression to predict it as a number" \
            if args.task == "auto" and numeric_target else ""
        raise _usage(f"--loss {args.loss} is for regression; {target!r} is a classification "
                     f"target (cross-entropy){fix}")
    if task == "classification" and args.loss == "mse":   # (the default, spelled out)
        print(f"glassnet: note: --loss mse is ignored: {target!r} is a classification target, "
              f"trained with cross-entropy", file=sys.stderr, flush=True)
    args.loss = (args.loss or "mse") if task == "regression" else None
    encoder = None
    scaling = None
    class_labels = None
    if task == "classification":
        encoder = TargetEncoder().fit(y_raw)
        y = encoder.transform(y_raw)
        n_classes = encoder.n_classes_
        if n_classes < 2 and args.task == "auto" and numeric_target:
            raise _usage(f"the target column {target!r} holds the same value in every row "
                         f"({np.asarray(y_raw, dtype=np.float64)[0]:.15g}): nothing to learn")
        if n_classes < 2:
            raise _usage(f"the target column {target!r} has a single class "
                         f"({_label_text(encoder.classes_[0])}): classification needs at "
                         f"least two")
        # with --decimal , (or the stray tokens read as missing) the task is detected from
        # the numbers: no --task needed then, unless they would still read as classes
        then = ("" if number_note is not None and ("--decimal ," in number_note or (
                    "--na-values" in number_note and _numbers_read_as(y_raw) == "regression"))
                else ", then pass --task regression")
        looks_numeric = (f"; it looks numeric: {number_note}{then}"
                         if number_note is not None and args.task == "auto" else "")
        counts = np.bincount(y, minlength=n_classes)
        if args.task == "auto" and (n_classes > MAX_AUTO_CLASSES or
                                    n_classes > 2 and 2 * n_classes > n_rows):
            few = "" if n_classes > MAX_AUTO_CLASSES else f" ({_class_sizes(counts)})"
            as_number = "; or --task regression to predict it as a number" \
                if numeric_target else ""
            if looks_numeric and not then:   # --decimal , is the whole fix: say it first
                raise _usage(f"the target column {target!r} looks numeric: {number_note}"
                             f"{then} (as text it "
                             f"has {n_classes} distinct values in {n_rows} rows: too many "
                             f"classes to assume classification; --task classification "
                             f"trains on them anyway)")
            raise _usage(f"the target column {target!r} has {n_classes} distinct values in "
                         f"{n_rows} rows: too many classes to assume classification{few}; "
                         f"pass --task classification to train on them anyway"
                         + (as_number or looks_numeric))
        if args.task == "classification" and numeric_target and n_classes > 2 \
                and 2 * n_classes > n_rows:
            notices.append(f"{target!r} is a number with {n_classes} distinct values in "
                           f"{n_rows} rows, taken as {n_classes} classes as --task "
                           f"classification asks; pass --task regression to predict it as "
                           f"a number")
        if n_classes > MAX_INT_CLASSES and looks_numeric:
            notices.append(f"task: classification, {n_classes} classes, though {target!r} "
                           f"looks numeric: {number_note}, then pass --task regression to "
                           f"predict it as a number")
        if counts.min() < MIN_CLASS_ROWS:
            few, single = int((counts < MIN_CLASS_ROWS).sum()), int((counts == 1).sum())
            notices.append(("all" if few == n_classes else f"{few} of the")
                           + f" {n_classes} classes " + ("has" if few == 1 else "have")
                           + f" fewer than {MIN_CLASS_ROWS} rows"
                           + (f" ({single} a single row)" if single else "")
                           + ": too few to learn them well; expect poor predictions for them")
        class_labels = [str(c) for c in encoder.classes_.tolist()]
        notices.extend(_case_variant_notes(class_labels))
        notices.extend(_missing_marker_notes(class_labels, target))
    else:
        if args.class_weight != "none":
            raise _usage(f"--class-weight {args.class_weight} is for classification; "
                         f"{target!r} is a regression target")
        y = np.asarray(y_raw, dtype=np.float64)
        n_classes = None
        _check_regression_target(y, target)
        if np.unique(y).size < 2:
            raise _usage(f"the target column {target!r} holds the same value in every row "
                         f"({y[0]:.15g}): nothing to learn")
        notices.extend(_totals_row_notes(table, target, y))

    # -- split: test, then validation from the rest ---------------------------------------
    # (after the target's checks: a target that cannot be learned is said first, so that
    # this advice leads to a run)
    if n_rows < 5 and (args.val_split or args.test_split):
        raise _usage(f"{src.label} has only {n_rows} labelled row(s): too few to split into "
                     f"training, validation and test rows; pass --val-split 0 --test-split 0 "
                     f"to train on all of them (the metrics are then on the training rows)")
    idx_train, idx_val, idx_test, stratified, split_notes = split_rows(
        y if task == "classification" else None, n_rows, args.test_split, args.val_split,
        args.seed)
    notices.extend(split_notes)
    if task == "classification":
        notices.extend(_untrained_classes_note(y, idx_train, class_labels))
    has_val, has_test = len(idx_val) > 0, len(idx_test) > 0
    if not has_val and not has_test:
        notices.append("no validation or test rows (--val-split 0 --test-split 0): every "
                       "metric is on the training rows, which the model learned from, so it "
                       "says nothing about new data")
    class_weight = None
    if args.class_weight == "balanced":   # over the classes the training rows hold
        counts = np.bincount(y[idx_train], minlength=n_classes)
        present = np.flatnonzero(counts)
        class_weight = {int(k): len(idx_train) / (len(present) * int(counts[k]))
                        for k in present}
    spread_text = None   # how a robust loss's unit was measured
    if task == "regression":
        if args.loss == "mse":
            mean, std = mean_std(y[idx_train])  # robust: 1e200 squared overflows
        else:
            mean, std, spread_text = _robust_scale(y[idx_train])
        scaling = {"mean": mean, "std": std if std > 0 else 1.0}

    # -- preprocessing learned on the training rows only ----------------------------------
    train_tab = table.take(idx_train)
    try:
        pre = TabularPreprocessor(drop=[c for c in args.drop if c in table],
                                  categorical=[c for c in args.categorical if c in table],
                                  keep=[c for c in args.keep if c in table],
                                  dtype=args.dtype).fit(train_tab, target)
    except NoUsableColumnsError as exc:
        _drop_notes(exc.dropped, table)
        raise _usage(f"no usable feature columns in {src.label}: every column was dropped ("
                     f"{drop_reasons(exc.dropped)})") from None
    _drop_notes(pre.dropped_, table)
    big = pre.matrix_note(table.n_rows)   # said once, for the three matrices together
    if big is not None:
        print(f"glassnet: note: {big}", file=sys.stderr, flush=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MatrixSizeWarning)
        X_train = pre.transform(train_tab)
        X_val = pre.transform(table.take(idx_val)) if has_val else None
        X_test = pre.transform(table.take(idx_test)) if has_test else None
    notices.extend(_preprocessing_notices(pre, table, train_tab,
                                          table.n_rows < src.table.n_rows))
    notices.extend(_leak_notes(pre, train_tab, y[idx_train], task))
    notices.extend(_missing_code_notes(pre, train_tab))
    notices.extend(_duplicate_column_notes(pre, train_tab))

    def fit_target(ids):
        if task == "regression":
            return ((y[ids] - scaling["mean"]) / scaling["std"]).astype(args.dtype)
        return y[ids]

    # -- the model ------------------------------------------------------------------------
    model = _build_model(X_train.shape[1], hidden, args.activation, task, n_classes,
                         args.seed, args.dtype)
    lr = args.lr if args.lr is not None else (0.001 if args.optimizer in ("adam", "adamw")
                                              else 0.01)
    opt = optim.get(args.optimizer, lr=lr,
                    **({} if args.weight_decay is None else {"weight_decay": args.weight_decay}))
    args.weight_decay = opt.weight_decay  # in effect: adamw keeps its own 0.01 if not given
    callbacks = []
    es = None
    if has_val and args.early_stopping:
        es = EarlyStopping(monitor="val_loss", patience=args.patience,
                           restore_best_weights=True)
        callbacks.append(es)
    elif (args.early_stopping or args.lr_decay) and not has_val:
        off = " and ".join(w for w, on in (("early stopping", args.early_stopping),
                                           ("learning-rate decay", args.lr_decay)) if on)
        notices.append(f"{off} {'are' if ' and ' in off else 'is'} off: "
                       f"{'they need' if ' and ' in off else 'it needs'} a validation split "
                       f"(--val-split > 0)")
    if has_val and args.lr_decay:
        callbacks.append(optim.ReduceLROnPlateau(monitor="val_loss", factor=PLATEAU_FACTOR,
                                                 patience=PLATEAU_PATIENCE, min_lr=MIN_LR))

    arch = " -> ".join(str(w) for w in [X_train.shape[1], *hidden,
                                          1 if task == "regression" or n_classes == 2
                                          else n_classes])
    out_kind = (f"linear output, {_LOSS_TEXT[args.loss]}" if task == "regression"
                else "sigmoid output, binary cross-entropy" if n_classes == 2
                else "softmax output, cross-entropy")
    # the file's columns, as `glassnet datasets` counts them (left-out ones are noted)
    say(f"glassnet train: {src.label}, {table.n_rows} rows x {len(src.table.columns)} columns, "
        f"target {target!r}" + _header_hint(table))
    if task == "classification":
        shown = ", ".join(map(_shown,   # a label with a comma or a line break is quoted
                              (_display_names(src, class_labels, target) or class_labels)[:10])) \
            + (" ..." if n_classes > 10 else "")
        say(f"task: classification, {n_classes} classes ({shown})")
    else:
        say(f"task: regression (mean {scaling['mean']:.4g}, std {scaling['std']:.4g})"
            if args.loss == "mse" else f"task: regression (median {scaling['mean']:.4g}, "
            f"robust std {scaling['std']:.4g}: {spread_text})")
    strat = stratified and task == "classification" and (has_val or has_test)
    say(f"split: {len(idx_train)} train / {len(idx_val)} validation / {len(idx_test)} test "
        f"rows{' (stratified)' if strat else ''}, seed {args.seed}")
    n_used, n_in = len(pre.input_columns_), pre.n_features_out
    say(f"features: {n_used} column{'s' if n_used != 1 else ''} used -> {n_in} "
        f"input{'s' if n_in != 1 else ''}; "
        f"{len(pre.dropped_)} column(s) dropped"
        + (f", {len(left_out)} not used (see notes)" if left_out else ""))
    acts = f"{args.activation}, " if hidden else "no hidden layer, "
    say(f"model: {arch} ({acts}{out_kind}), {model.n_params():,} parameters; "
        f"{args.optimizer} lr {lr:g}"
        + (f", weight decay {args.weight_decay:g}" if args.weight_decay else "")
        + (", balanced class weights" if class_weight else "")
        + f", batch {args.batch_size}, up to {args.epochs} epochs")

    replacing = folder.replacing_note(src, target)  # past every usage check: it will replace
    if replacing:  # on stderr also with --quiet: files of another model are about to go
        print(f"glassnet: note: {replacing}", file=sys.stderr, flush=True)
    metric_names = ["accuracy"] if task == "classification" else []
    t_fit = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(X_train, fit_target(idx_train), loss=_regression_loss(args.loss),
                            optimizer=opt, epochs=args.epochs,
                            batch_size=args.batch_size,
                            validation_data=(X_val, fit_target(idx_val)) if has_val else None,
                            callbacks=callbacks, metrics=metric_names,
                            class_weight=class_weight, verbose=0 if quiet else 1)
    # From here until the files are written, Ctrl-C waits: a second press (a common reflex)
    # must not lose the run that the first one stopped.
    sigint.start(1 if history.interrupted else 0)
    fit_seconds = time.perf_counter() - t_fit
    for w in caught:
        msg = str(w.message)
        if history.interrupted and "interrupted" in msg:
            continue
        if history.diverged and "diverged" in msg:
            continue
        if msg not in notices:
            notices.append(msg)
    # A diverged epoch is in the history as a row of NaN (as Keras's TerminateOnNaN logs
    # it) but was not completed: it is not counted.
    epochs_run = len(history.epoch) - bool(history.diverged)
    if history.interrupted and epochs_run == 0 and folder.previous:
        # stopped before one epoch ended: a rerun aborted at once (wrong options) must not
        # replace the earlier, complete run in the folder with an untrained model
        raise KeyboardInterrupt  # cmd_train says what was (not) saved
    best_epoch = (es.best_epoch + 1) if (es is not None and es.best_epoch is not None) \
        else (epochs_run or None) if es is not None \
        else _lowest(history.history.get("val_loss"))
    restored = None if es is None or es.restored_epoch is None else es.restored_epoch + 1
    # after a divergence: the best epoch's weights (early stopping put them back), else the
    # last finite ones, which a loss rising fast may have made poor (see their metrics)
    kept = (f"epoch {restored}'s weights (best validation loss)" if restored is not None
            else f"epoch {epochs_run}'s weights (the last finite ones)"
            if epochs_run else "the untrained initial weights")
    if history.diverged:
        # the inputs are standardized here already: the learning rate is what to change
        notices.insert(0, f"{history.stop_base} Try a lower learning rate (--lr), now "
                          f"{opt.lr:g}." if history.stop_hint_lr
                       else history.stop_reason)
    if history.interrupted:
        status = f"interrupted ({_stopped_by()}) after {epochs_run} complete epoch(s)" + (
            f"; validation loss best at epoch {restored}, whose weights are kept"
            if restored is not None and restored != epochs_run else "")
    elif history.stopped_early:
        status = (f"stopped early after {epochs_run} epochs: validation loss best at epoch "
                  f"{best_epoch}, whose weights are kept")
    elif history.diverged:
        status = f"stopped at epoch {epochs_run + 1}: the loss diverged; {kept} are kept" + (
            " (no epoch was completed)" if epochs_run == 0 else "")
    else:
        status = f"trained {epochs_run} epochs" + (
            f"; validation loss best at epoch {best_epoch}, whose weights are kept"
            if es is not None else "")
    say(f"{status} ({fit_seconds:.1f} s)")

    if not model.built or (epochs_run == 0 and not history.interrupted and
                           not history.diverged):
        raise _usage("training did not run")

    # -- metrics --------------------------------------------------------------------------
    parts = {"train": (X_train, idx_train)}
    if has_val:
        parts["validation"] = (X_val, idx_val)
    if has_test:
        parts["test"] = (X_test, idx_test)
    results, outputs, per_class = {}, {}, {}
    for split_name, (Xs, ids) in parts.items():
        if task == "classification":
            proba = _probabilities(model, Xs)
            outputs[split_name] = proba
            results[split_name], per_class[split_name] = _classification_metrics(
                y[ids], proba, class_labels, _clip_bounds(model))
        else:
            pred = _regression_output(model, Xs, scaling)
            outputs[split_name] = pred
            results[split_name] = _regression_metrics(y[ids], pred)
    more = _remedy(history, args, hidden, best_epoch)
    if task == "classification":
        notices.extend(_one_class_note(outputs, y, parts, class_labels,
                                       weighted=class_weight is not None, more=more))
    else:
        far = _target_outlier_note(y, idx_train, args.loss)
        if args.loss == "mse" or not far:   # (far targets held out make R² ≤ 0: said so)
            notices.extend(_mean_baseline_note(results, y, idx_train, more))
        wide = _wide_target_note(outputs, y, idx_train)
        notices.extend(wide or far)
    notices.extend(_small_validation_note(len(idx_val), args))
    if not (history.stopped_early or history.interrupted or history.diverged) \
            and es is not None and best_epoch == epochs_run and epochs_run == args.epochs:
        notices.append(f"the validation loss was still improving at the last of the "
                       f"{args.epochs} epochs: {MORE_EPOCHS} or a higher learning rate "
                       f"(--lr) may give a better model")

    id_columns = [c for c, r in pre.dropped_.items() if str(r).startswith("identifier")]
    display = _display_names(src, class_labels, target)
    summary = {
        "glassnet_version": __version__,
        "dataset": src.name,
        "source": src.label,
        "target": target,
        "task": task,
        "classes": class_labels,
        # what the terminal and the report call them (a bundled dataset's names), if other
        **({"class_names": display} if display else {}),
        "rows": {"total": int(n_rows), "train": int(len(idx_train)),
                 "validation": int(len(idx_val)), "test": int(len(idx_test))},
        "metrics": results,
        **({"per_class": per_class} if per_class else {}),
        "epochs_trained": epochs_run,
        "best_epoch": best_epoch,
        "stop_reason": status,
        "interrupted": bool(history.interrupted),
        "diverged": bool(history.diverged),
        "train_seconds": round(fit_seconds, 3),
        "options": _options_dict(args, hidden, lr),
        # the units of a regression's loss and val_loss (history.csv): (y - center) / scale
        **({"target_scaling": {"center": scaling["mean"], "scale": scaling["std"],
                               "as": "mean and std" if args.loss == "mse"
                               else f"median and {spread_text}"}} if scaling else {}),
    }
    extra = {
        "glassnet_version": __version__,
        "created_by": "glassnet train",
        "task": task,
        "target": target,
        "classes": class_labels,
        "class_display_names": display,
        "target_encoder": encoder.to_dict() if encoder is not None else None,
        "target_scaling": scaling,
        "preprocessor": _preprocessor_dict(pre, args.na_values),
        "input_columns": pre.input_columns_,
        "feature_names": pre.feature_names_out,
        "id_columns": id_columns,
        "dataset": src.name,
        "metrics": results,
        "options": summary["options"],
        "read_options": {"na_values": list(args.na_values or []), "decimal": args.decimal,
                         # read so again at predict: 1.138 there is 1138 as in training
                         # (the target's too: evaluate reads it from new files)
                         "decimal_comma_columns": sorted(
                             c for c in table.decimal_comma_columns
                             if c in pre.input_columns_ or c == target),
                         # and 886.440 stays 886.44 where training read it so, even when the
                         # new file has a decimal comma somewhere else
                         "dot_decimal_columns": sorted(
                             c for c in table.dot_decimal_columns
                             if c in pre.input_columns_ or c == target)},
    }
    # -- saving: the model first, so the trained weights survive whatever fails later -----
    model_path = out_dir / "model.gnet"
    folder.planned = ["model.gnet", "metrics.json", "history.csv",
                      *_plot_names(history, task, n_classes, pre), "report.html"]
    folder.save("model.gnet", lambda p: save_model(model, p, extra=extra))
    # metrics.json next, listing the files planned: whatever stops the run later (a third
    # Ctrl-C while drawing, a full disk), the folder holds this run's model and its manifest,
    # which the next `train --out` into it recognises
    summary["files"] = list(folder.planned)  # the manifest: what this run writes in --out
    metrics_text = json.dumps(_jsonable(summary), indent=2) + "\n"
    folder.save("metrics.json", lambda p: atomic_write_text(p, metrics_text))

    # -- plots and report, drawn before anything else is replaced ---------------------------
    images = {}
    if task == "classification" and n_classes > MAX_PLOT_CLASSES:
        notices.append(f"no confusion matrix plot: {n_classes} classes are too many to draw "
                       f"(at most {MAX_PLOT_CLASSES})")
    try:
        with warnings.catch_warnings():
            # a label the plot font has no glyph for is drawn as a box; Matplotlib's warning
            # about it (one per glyph, naming a source line) is noise on a command line
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from",
                                    category=UserWarning)
            images = _plots(model, history, best_epoch if es is not None else None,
                            task, outputs, y, parts, pre,
                            extra["class_display_names"] or class_labels)
    except ImportError as exc:
        notices.append(f"no plots: {exc}")
    report = _report_html(src=src, target=target, task=task, table=table, pre=pre,
                          results=results, summary=summary, model=model,
                          images=images, notices=notices, class_labels=class_labels,
                          y=y, status=status, args=args, lr=lr, arch=arch, out_kind=out_kind,
                          display_labels=extra["class_display_names"])
    planned = ["model.gnet", "metrics.json", "history.csv", *images, "report.html"]
    if planned != folder.planned:  # fewer plots than planned (no Matplotlib): a new manifest
        folder.planned = summary["files"] = planned
        metrics_text = json.dumps(_jsonable(summary), indent=2) + "\n"
        folder.save("metrics.json", lambda p: atomic_write_text(p, metrics_text))
    # epochs counted from 1, as the terminal and the report count them
    folder.save("history.csv", lambda p: history.to_csv(p, first_epoch=1))
    for name, data in images.items():
        folder.save(name, lambda p, data=data: atomic_write_bytes(p, data))
    folder.save("report.html", lambda p: atomic_write_text(p, report))
    sigint.stop()
    written = folder.written
    total = time.perf_counter() - t_start

    if quiet:
        key, label = ("accuracy", "accuracy") if task == "classification" else ("r2", "R²")
        where = _held_out(results) or "train"
        print(f"glassnet: {'interrupted; ' if history.interrupted else ''}saved {out_dir}/ "
              f"({where} {label} {_fmt(results[where][key])}, {total:.1f} s)")
    else:
        print()
        print(_metric_table(results, task))
        if per_class:
            where = _held_out(per_class) or "train"
            print()
            print(_per_class_table(per_class[where], f"per class ({where} rows)",
                                   extra["class_display_names"], rest="in metrics.json"))
        if notices:
            print("\nnotes:")
            for n in notices:
                print(f"  - {n}")
        print(f"\n{'training was interrupted; ' if history.interrupted else ''}"
              f"saved to {out_dir}/ ({total:.1f} s in all):")
        print("  " + "  ".join(written))
        print(f"open {out_dir / 'report.html'} in a browser; predict with:")
        print(f"  glassnet predict {shlex.quote(str(model_path))} NEW.csv --out predictions.csv")
    if history.interrupted or sigint.pressed:
        print(f"glassnet: interrupted ({_stopped_by()}); saved {', '.join(written)} to "
              f"{out_dir}/" + (f" ({_stopped_by()} while saving waited for them)"
                               if sigint.pressed else ""), file=sys.stderr)
        return 143 if TERMINATED[0] else 130
    if history.diverged:
        # Everything is saved (with the weights said), but a script must not mistake a
        # diverged run for a good one.
        print(f"glassnet: training diverged; saved {kept} to {out_dir}/ (exit status 3)",
              file=sys.stderr)
        return 3
    return 0


def _untrained_classes_note(y, idx_train, class_labels) -> list[str]:
    """A note naming the classes that have no training row (a split of more held-out rows
    than the classes can spare): the model never learns them."""
    missing = np.setdiff1d(np.arange(len(class_labels)), y[idx_train])
    if not missing.size:
        return []
    one = missing.size == 1
    names = _some_names([class_labels[k] for k in missing])
    # a class of one row held out: the split was not stratified (a note says so already)
    split = (np.bincount(y, minlength=len(class_labels))[missing] > 1).any()
    return [f"{missing.size} of the {len(class_labels)} classes {'has' if one else 'have'} "
            f"no training row ({names}), so the model cannot learn {'it' if one else 'them'}"
            + (f"; the split leaves {len(idx_train)} training rows: lower --test-split or "
               f"--val-split" if split else "")]


def _class_sizes(counts) -> str:
    """How many rows most classes have: "every class would have 1 row", "most classes would
    have 1-2 rows" (from the smallest class to the median one)."""
    c = np.sort(counts)
    lo, hi = int(c[0]), int(c[(len(c) - 1) // 2])
    if lo == hi == int(c[-1]):
        return f"every class would have {lo} row{'s' if lo != 1 else ''}"
    return (f"most classes would have {lo}{f'-{hi}' if hi != lo else ''} "
            f"row{'s' if hi != 1 else ''}")


# Missing-value markers of spreadsheets and pandas that the reader does not read as missing
# by default (its own, NA_VALUES, are: NA, N/A, null, ? ...): as a target's classes, a note.
_MISSING_MARKERS = frozenset({
    "#N/A", "#N/A N/A", "#NA", "<NA>", "None", "none", "NONE", "-", "--", "na", "Na", "n.a.",
    "N.A.", "Null", "missing", "Missing", "-NaN", "-nan", "1.#IND", "1.#QNAN", "-1.#IND",
    "-1.#QNAN", "#VALUE!", "#DIV/0!", "#REF!", "#NUM!", "#NAME?", "#NULL!"})


def _missing_marker_notes(labels, target) -> list[str]:
    """The note for class labels that look like missing-value markers (#N/A, None, -): they
    are classes unless --na-values reads them as missing (those rows are then left out)."""
    found = [label for label in labels if label.strip() in _MISSING_MARKERS]
    if not found:
        return []
    tokens = ",".join(dict.fromkeys(label.strip() for label in found))
    return [f"the target column {target!r} has class(es) {', '.join(map(shown_value, found))}"
            f", which look like missing-value markers: if they mark missing values, pass "
            f"{na_values_option(tokens)} (rows without a target value are left out)"]


def _case_variant_notes(labels) -> list[str]:
    """A note per group of class labels that differ only in case, blanks around them, a
    final period or how an accent is encoded ('yes', 'Yes'; '>50K', '>50K.' as in the adult
    census files): they stay different classes, but that is seldom what the file meant."""
    import unicodedata

    def stem(label):   # NFC: 'Très' typed as e + a combining accent looks the same
        key = unicodedata.normalize("NFC", label.strip()).casefold()
        return key[:-1].rstrip() if key.endswith(".") and len(key) > 1 else key

    groups = {}
    for label in labels:
        groups.setdefault(stem(label), []).append(label)
    notes = []
    for same in groups.values():
        if len(same) < 2:
            continue
        shown = ", ".join(map(shown_value, same[:-1])) + f" and {shown_value(same[-1])}"
        nfc = [unicodedata.normalize("NFC", s) for s in same]
        stripped = {s.strip() for s in nfc}
        hows = [how for how, differ in (
            ("a final period", len({s.endswith(".") for s in stripped}) > 1),
            ("upper/lower case",
             len({s.removesuffix(".").rstrip() for s in stripped})
             > len({s.removesuffix(".").rstrip().casefold() for s in stripped})),
            ("blanks around them", len(set(nfc)) > len(stripped)),
            ("how an accent is encoded (a letter with it, or the letter and a combining "
             "mark: they look the same)", len(set(nfc)) < len(set(same)))) if differ]
        if hows:   # ('.' beside '..' stem alike and differ in none of these)
            notes.append(f"{shown} are different classes; is that intended? (they differ only "
                         f"in {' and '.join(hows)}; make them the same in the file to merge "
                         f"them)")
    return notes


def _numeric_drop_notes(dropped, table):
    """Reword, in place, the reasons of text columns dropped as identifier-like or as too many
    categories that are numbers but for a few values (or $ % and thousands separators),
    counted over the whole file (the preprocessing saw the training rows only)."""
    from .preprocess import (TOO_MANY_CATEGORIES, date_text_note, numeric_text_note,
                             with_numeric_note)
    for col, reason in dropped.items():
        base = with_numeric_note(reason, None)
        if base.startswith(("identifier-like:", TOO_MANY_CATEGORIES)) \
                and np.asarray(table[col]).dtype.kind == "O":
            note = numeric_text_note(table[col], table.line_numbers,
                                     comma=table.decimal_comma, table=table)
            dropped[col] = with_numeric_note(base, note or date_text_note(table[col]))


def _drop_notes(dropped, table):
    """The reasons of dropped columns as the CLI says them (in place): --keep named after
    the rules most often wrong (not where --categorical made the numbers categories: the
    note then says to leave it off), :func:`_numeric_drop_notes`, and
    :func:`_categorical_drop_notes`."""
    from .preprocess import (BY_DTYPE, ON_REQUEST, ROW_NUMBER_LIKE, TOO_MANY_CATEGORIES,
                             with_numeric_note)
    for col, reason in dropped.items():   # (the rule's reason: after any numeric note)
        if with_numeric_note(reason, None).startswith((ROW_NUMBER_LIKE, TOO_MANY_CATEGORIES)) \
                and not reason.endswith((ON_REQUEST, BY_DTYPE)):
            dropped[col] = f"{reason}; --keep {shlex.quote(col)} uses it anyway"
    _numeric_drop_notes(dropped, table)
    _categorical_drop_notes(dropped)


def _categorical_drop_notes(dropped):
    """Reword, in place, the reasons of numeric columns that --categorical made categories
    and the rules of categories then dropped (a continuous column: a category per row)."""
    from .preprocess import ON_REQUEST
    for col, reason in dropped.items():
        if reason.endswith(ON_REQUEST):
            dropped[col] = (f"{reason.removesuffix(ON_REQUEST)}, as --categorical made its "
                            f"numbers categories; leave --categorical {shlex.quote(col)} off "
                            f"to use it as a number")


def _auto_task_note(y_raw, task, target):
    """The note saying why --task auto chose what it did, where it is a judgement call: a
    numeric target of whole numbers with more than two values."""
    y = np.asarray(y_raw)
    if y.dtype.kind not in "iuf":
        return []
    uniq = np.unique(y[np.isfinite(y)] if y.dtype.kind == "f" else y)
    k = uniq.size
    if k == 2 and task == "classification" and not np.all(uniq == np.round(uniq)):
        return [f"task: classification, because {target!r} holds only two distinct values "
                f"({uniq[0]:.15g}, {uniq[1]:.15g}), taken as two classes; pass --task "
                f"regression to predict it as a number"]
    # small whole numbers only: every float of 2**53 or more is "whole", counts are not
    if k <= 2 or not np.all(y == np.round(y)) or np.abs(y).max() >= SMALL_INTEGER:
        return []
    if task == "classification":
        return [f"task: classification, because {target!r} holds {k} distinct whole numbers "
                f"(at most {MAX_INT_CLASSES} are taken as classes); pass --task regression "
                f"to predict it as a number"]
    if k > 100 or 2 * k > y.size:   # a price, a count: as classes, a handful of rows each
        return []
    return [f"task: regression, because {target!r} holds {k} distinct whole numbers (more "
            f"than {MAX_INT_CLASSES}); pass --task classification to treat them as classes"]


def _display_names(src, class_labels, target):
    """Readable names of the classes for plots (bundled datasets say what 0 and 1 mean)."""
    if class_labels is None:
        return None
    names = src.class_names
    if (src.bundled and target == src.default_target and names
            and len(names) == len(class_labels) and names != class_labels
            and class_labels == [str(i) for i in range(len(names))]):
        return [f"{c} ({n})" for c, n in zip(class_labels, names)]
    return None


def _options_dict(args, hidden, lr):
    return {"hidden": hidden, "activation": args.activation, "optimizer": args.optimizer,
            "lr": lr, "weight_decay": args.weight_decay, "epochs": args.epochs,
            "batch_size": args.batch_size, "class_weight": args.class_weight,
            "val_split": args.val_split,
            "test_split": args.test_split, "early_stopping": args.early_stopping,
            "patience": args.patience, "lr_decay": args.lr_decay, "seed": args.seed,
            "dtype": args.dtype, "drop": list(args.drop),
            "categorical": list(args.categorical), "keep": list(args.keep),
            "skip_rows": args.skip_rows,
            **({"loss": args.loss} if args.loss else {}),
            "init": DEFAULT_INIT,
            "na_values": list(args.na_values or []), "decimal": args.decimal}


def _jsonable(o):
    if isinstance(o, dict):
        return {str(k): _jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_jsonable(v) for v in o]
    if isinstance(o, (np.floating, float)):
        v = float(o)
        return v if math.isfinite(v) else None
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.ndarray):
        return _jsonable(o.tolist())
    return o


_GROUP_DROPS_FROM = 6  # columns dropped for one kind of reason: one line for all of them


def _dropped_notes(dropped) -> list[str]:
    """'dropped COL: reason' per column; a wide file's many columns dropped for the same kind
    of reason (constant, all values missing ...: the reason before its details in brackets or
    after a colon) share one line naming the first few."""
    by_kind: dict = {}
    for col, reason in dropped.items():
        kind = str(reason).split(" (")[0].split(":")[0]
        by_kind.setdefault(kind, []).append((col, reason))
    lines = []
    for kind, cols in by_kind.items():
        if len(cols) < _GROUP_DROPS_FROM:
            lines += [f"dropped {_shown(c)}: {r}" for c, r in cols]
            continue
        names = ", ".join(_shown(c) for c, _ in cols[:5])
        lines.append(f"dropped {len(cols)} columns ({kind}): {names} ... {_shown(cols[-1][0])}"
                     f" (report.html's column table gives each one's reason)")
    return lines


# a column name that says its numbers are labels: zip, postcode, ..._code, ...Code
_CODE_NAME = re.compile(r"(?i:(^|[_\s.\-])(zip|zipcode|postcode|postal|code|region|dept|"
                        r"department|district|zone|branch|store|category)$)"
                        r"|[a-z0-9](Code|Region|Dept|Zone|Store|Category)$")
# a position in a cycle (hour of the day, month, weekday, season): as a quantity 23 o'clock
# lies far from 0 and each step weighs the same; one-hot, each hour gets its own effect.
# The name's last word (not after "per": a rate), with the cycle's length: its values must
# fit it (a month column of 1 to 72 is a tenure, not a month of the year)
_CYCLES = {"hour": 24, "hr": 24, "month": 12, "mnth": 12, "weekday": 7, "wkday": 7,
           "dow": 7, "dayofweek": 7, "wday": 7, "season": 4}
_NAME_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def _cycle_length(name) -> int | None:
    """The length of the cycle a column's name says it is a position in (hr: 24), or None:
    its last word, or the words before 'of day/week/year' (hour_of_day, day_of_week), not
    after 'per' (calls_per_hour is a rate)."""
    words = [w.lower() for w in _NAME_WORDS.findall(name)]
    if words[-3:] == ["day", "of", "week"]:
        return 7
    if len(words) > 2 and words[-2] == "of" and words[-1] in ("day", "year"):
        words = words[:-2]
    if not words or (len(words) > 1 and words[-2] == "per"):
        return None
    return _CYCLES.get(words[-1])


def _preprocessing_notices(pre, table, train_tab, targets_dropped=False):
    """What the preprocessing did, one line each: dropped columns, text columns that are
    numbers but for a few values (or for $ % and thousands separators), numbers named like
    codes or like a position in a cycle (--categorical), imputed columns (their share of the
    rows with a target where ``targets_dropped``), missing values kept or met outside the
    training rows."""
    from .preprocess import _ID_NAME_STRICT, numeric_text_note
    dropped = _dropped_notes(pre.dropped_)
    imputed, kept, outside, labels, cycles = [], [], [], [], []
    for s in pre.columns_:
        col, name = s["name"], _shown(s["name"])  # the column, and how a note shows it
        if s["kind"] == "numeric" and (_ID_NAME_STRICT.search(col) or _CODE_NAME.search(col)):
            present = np.asarray(train_tab[col], dtype=np.float64)
            uniq = np.unique(present[np.isfinite(present)])
            if 2 < len(uniq) <= 50 and np.all(uniq == np.round(uniq)):
                labels.append((name, f"{name} holds {len(uniq)} distinct whole numbers and is "
                                     f"named like an id or a code: it is standardized as a "
                                     f"quantity; if its values are labels (stores, regions, "
                                     f"zip codes), --categorical {shlex.quote(col)} one-hot "
                                     f"encodes them"))
        elif s["kind"] == "numeric" and (length := _cycle_length(col)):
            present = np.asarray(train_tab[col], dtype=np.float64)
            uniq = np.unique(present[np.isfinite(present)])
            if 2 < len(uniq) <= length and np.all(uniq == np.round(uniq)) \
                    and uniq[0] >= 0 and uniq[-1] <= length:
                cycles.append((name, f"{name} holds {len(uniq)} whole numbers from "
                                     f"{uniq[0]:g} to {uniq[-1]:g}, named like a position "
                                     f"in a cycle (hours, months, weekdays): as a quantity "
                                     f"its last value lies far from its first and each step "
                                     f"weighs the same; --categorical {shlex.quote(col)} "
                                     f"gives each value its own effect"))
        if s["kind"] == "categorical" and np.asarray(table[col]).dtype.kind == "O":
            # numbers but for a few values (whole file, as dropped), or dates (a few months)
            note = numeric_text_note(table[col], table.line_numbers, comma=table.decimal_comma,
                                     table=table)
            why = [note.removesuffix("; it was read as text")] if note is not None else []
            why += [pre.notes_[col]] if col in pre.notes_ else []
            if why:
                dropped.append(f"{name} is one-hot encoded as text ({len(s['categories'])} "
                               f"categories): {'; '.join(why)}")
        n_miss = int(_missing_mask(table[col]).sum())
        n_train = int(_missing_mask(train_tab[col]).sum())
        what = _missing_words(n_miss, _infinite_count(table[col]))
        if s["kind"] == "numeric" and s["indicator"]:
            imputed.append((name, n_miss, what, s["median"]))
        elif s["kind"] == "categorical" and s["missing_category"]:
            kept.append((name, f"{name}: {what} kept as their own category"))
        elif n_miss and not n_train:
            outside.append((name, f"{name}: {what} outside the training rows are "
                            + ("filled with the training median" if s["kind"] == "numeric"
                               else "encoded as no category")))
    other = _grouped(kept, "columns with missing values kept as their own category") + \
        _grouped(outside, "columns with missing values only outside the training rows "
                          "(numeric ones filled with the training median, categorical ones "
                          "encoded as no category)")
    inf = any("infinite" in what for _, _, what, _ in imputed)
    imputed_notes = _grouped(
        [(f"{name} ({n / table.n_rows:.0%})",
          f"imputed {name}: {what} in the file ({n / table.n_rows:.0%} of its {table.n_rows} "
          f"rows{' with a target' if targets_dropped else ''}) filled with the training "
          f"median {median:.4g}, plus an indicator column {name}_missing")
         for name, n, what, median in imputed],
        f"numeric columns with missing {'or infinite ' if inf else ''}values", prefix="imputed ",
        suffix="; each filled with its training median, plus an indicator column "
               "<name>_missing")
    labels = _grouped(labels, "numeric columns of a few distinct whole numbers named like an "
                              "id or a code, standardized as quantities",
                      suffix="; if their values are labels, --categorical COLUMN one-hot "
                             "encodes one")
    cycles = _grouped(cycles, "numeric columns named like a position in a cycle (hours, "
                              "months, weekdays), standardized as quantities",
                      suffix="; --categorical COLUMN gives each value its own effect")
    return dropped + labels + cycles + imputed_notes + other


def _grouped(notes, summary, most=3, prefix="", suffix=""):
    """``notes`` ((label, line) pairs) as they are, or, beyond ``most``, one line naming up to
    12 labels: a wide file must not flood the terminal with one note per column."""
    if len(notes) <= most:
        return [line for _, line in notes]
    names = [name for name, _ in notes]
    more = f" and {len(names) - 12} more" if len(names) > 12 else ""
    return [f"{prefix}{len(names)} {summary}: {', '.join(names[:12])}{more}{suffix}"]


def _infinite_count(col) -> int:
    col = np.asarray(col)
    return int(np.isinf(col).sum()) if col.dtype.kind == "f" else 0


def _missing_words(n_missing, n_infinite) -> str:
    """"3 missing value(s)", "1 infinite value(s)" or "2 missing and 1 infinite value(s)":
    ``n_missing`` counts both (the preprocessing treats infinities as missing)."""
    if not n_infinite:
        return f"{n_missing} missing value(s)"
    if n_infinite == n_missing:
        return f"{n_infinite} infinite value(s)"
    return f"{n_missing - n_infinite} missing and {n_infinite} infinite value(s)"


# ------------------------------------------------------------------------------------------
# plots
# ------------------------------------------------------------------------------------------

def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def _plot_names(history, task, n_classes, pre) -> list[str]:
    """The plots :func:`_plots` draws, in order (all of them, if Matplotlib is there)."""
    # none without a finished epoch's loss: Ctrl-C in epoch 1, or a divergence there
    losses = np.asarray(history.history.get("loss", []), dtype=np.float64)
    names = ["learning_curve.png"] if np.isfinite(losses).any() else []
    if task != "classification":
        return names + ["predicted_vs_actual.png"]
    if n_classes <= MAX_PLOT_CLASSES:
        names.append("confusion_matrix.png")
    if len(pre.columns_) == 2 and all(s["kind"] == "numeric" and not s["indicator"]
                                      for s in pre.columns_):
        names.append("decision_boundary.png")
    return names


def _plots(model, history, best_epoch, task, outputs, y, parts, pre, labels):
    """Draw the PNGs (written by the caller); return {file name: png bytes}."""
    from . import plot
    from ._extras import private_matplotlib_dir
    private_matplotlib_dir()
    plot._mpl()
    images = {}
    wanted = _plot_names(history, task, outputs[next(iter(outputs))].shape[1]
                         if task == "classification" else None, pre)

    if "learning_curve.png" in wanted:
        fig = plot.learning_curve(history)
        ax = fig.axes[0]
        if task == "regression":  # the network learns the scaled target
            ax.set_ylabel(f"{ax.get_ylabel() or 'cost'} ({_target_units(model)})")
        if best_epoch is not None and len(history.epoch) > 1:
            ax.axvline(best_epoch, color="#2ca02c", ls=":", lw=1.4,
                       label=f"best epoch ({best_epoch})")
            ax.legend(loc="best")
        images["learning_curve.png"] = _png(fig)

    where = _held_out(parts) or "train"
    ids = parts[where][1]
    if task == "classification":
        from .metrics import confusion_matrix
        k = outputs[where].shape[1]
        if "confusion_matrix.png" in wanted:
            cm = confusion_matrix(y[ids], outputs[where].argmax(axis=1), labels=list(range(k)))
            fig = plot.confusion_matrix_plot(cm, labels=labels,
                                             title=f"Confusion matrix ({where} rows)")
            images["confusion_matrix.png"] = _png(fig)
        if "decision_boundary.png" in wanted:
            Xs = parts[where][0]
            fig = plot.decision_boundary(model, Xs, y[ids], resolution=200,
                                         title=f"Decision boundary ({where} rows)")
            ax = fig.axes[0]
            # cut as plot.decision_boundary cuts them: savefig(bbox_inches="tight") would
            # grow the canvas to fit a column name or a class of thousands of characters
            names = pre.feature_names_out
            ax.set_xlabel(f"{plot._short(names[0])} (standardized)")
            ax.set_ylabel(f"{plot._short(names[1])} (standardized)")
            if labels:
                for text in ax.get_legend().get_texts():
                    t = text.get_text()
                    if t.startswith("y = "):
                        try:
                            text.set_text(plot._short(labels[int(t[4:])]))
                        except (ValueError, IndexError):
                            pass
            images["decision_boundary.png"] = _png(fig)
    else:
        from matplotlib.figure import Figure
        fig = Figure(figsize=(5.6, 5.0))
        ax = fig.add_subplot(1, 1, 1)
        yt, yp = y[ids], outputs[where]
        ax.scatter(yt, yp, s=12, alpha=0.6, color="#1f77b4", edgecolors="none")
        lo, hi = float(min(yt.min(), yp.min())), float(max(yt.max(), yp.max()))
        ax.plot([lo, hi], [lo, hi], color="k", lw=1, ls="--", label="perfect")
        ax.set_xlabel("actual")
        ax.set_ylabel("predicted")
        # a power of ten beside the axis for very small or large targets (1e-4: the default
        # labels -0.00020, -0.00015 ... ran into each other)
        ax.ticklabel_format(axis="both", style="sci", scilimits=(-3, 5), useMathText=True)
        ax.set_title(f"Predicted vs actual ({where} rows)")
        ax.legend(loc="best")
        ax.grid(True, alpha=0.3)
        images["predicted_vs_actual.png"] = _png(fig)
    return images


# ------------------------------------------------------------------------------------------
# the HTML report
# ------------------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.45 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;
  color:#1d2430;background:#f4f6f9;margin:0}
main{max-width:1080px;margin:0 auto;padding:24px 28px 48px}
header{background:#1f3a5f;color:#fff;padding:22px 28px}
header h1{margin:0 0 4px;font-size:24px;font-weight:600}
header p{margin:0;color:#c9d6ea}
h2{font-size:18px;margin:28px 0 10px;color:#1f3a5f;border-bottom:2px solid #dbe3ee;
  padding-bottom:4px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:18px}
.card{background:#fff;border:1px solid #dbe3ee;border-radius:8px;padding:12px 16px;
  min-width:150px;flex:1}
.card .v{font-size:24px;font-weight:600;color:#1f3a5f}
.card .k{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#5b6b80}
table{border-collapse:collapse;background:#fff;border:1px solid #dbe3ee;font-size:14px}
th,td{padding:6px 12px;border-bottom:1px solid #e8edf3;text-align:left}
th{background:#eef2f7;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.figs{display:flex;flex-wrap:wrap;gap:16px}
figure{background:#fff;border:1px solid #dbe3ee;border-radius:8px;margin:0;padding:10px}
figure img{display:block;max-width:100%;height:auto}
figcaption{font-size:13px;color:#5b6b80;margin-top:4px}
ul.notes li{margin:3px 0}
pre{background:#fff;border:1px solid #dbe3ee;border-radius:6px;padding:10px 12px;
  overflow-x:auto;font-size:13px}
.muted{color:#5b6b80;font-size:13px}
.warn{color:#9a4d00}
"""


def _e(v) -> str:
    return html.escape(str(v), quote=True)


def _distinct_count(arr):
    """How many distinct present values the column ``arr`` holds (None and NaN are missing;
    0.0 and -0.0 are one value), or "-" when its values cannot be compared."""
    if arr.dtype.kind in "biuf":
        return int(np.unique(arr[~np.isnan(arr)] if arr.dtype.kind == "f" else arr).size)
    try:
        values = set(arr.tolist())
    except TypeError:
        return "-"
    values.discard(None)
    return sum(1 for v in values if v == v)


def _report_html(*, src, target, task, table, pre, results, summary, model, images,
                 notices, class_labels, y, status, args, lr, arch, out_kind,
                 display_labels=None) -> str:
    from . import __version__
    splits = [s for s in ("train", "validation", "test") if s in results]
    main_split = "test" if "test" in results else splits[-1]
    if task == "classification":
        key_metrics = [("accuracy", "accuracy"), ("f1_macro", "F1 (macro)"),
                       ("log_loss", "log loss")]
    else:
        key_metrics = [("r2", "R²"), ("mae", "MAE"), ("mse", "MSE")]
    metric_rows = _metric_names(task, *(results[sp] for sp in splits))
    parts = []
    add = parts.append
    add("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
    add("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    add("<link rel=\"icon\" href=\"data:,\">")
    add(f"<title>glassnet report: {_e(src.name)}</title><style>{_CSS}</style></head><body>")
    add(f"<header><h1>glassnet report: {_e(src.name)}</h1><p>predicting <b>{_e(target)}</b> "
        f"({_e(task)}) from {_e(src.label)} &middot; glassnet {_e(__version__)} &middot; "
        f"{_e(time.strftime('%Y-%m-%d %H:%M'))}</p></header><main>")

    add("<div class=\"cards\">")
    for k, label in key_metrics:
        add(f"<div class=\"card\"><div class=\"k\">{_e(main_split)} {_e(label)}</div>"
            f"<div class=\"v\">{_e(_fmt(results[main_split][k]))}</div></div>")
    add(f"<div class=\"card\"><div class=\"k\">epochs</div><div class=\"v\">"
        f"{summary['epochs_trained']}</div></div>")
    add(f"<div class=\"card\"><div class=\"k\">rows</div><div class=\"v\">"
        f"{summary['rows']['total']:,}</div></div></div>")
    if summary["interrupted"] or summary["diverged"]:
        add(f"<p class=\"warn\"><b>{_e(status)}</b></p>")

    add("<h2>Metrics</h2><table><tr><th></th>" + "".join(f"<th>{_e(s)}</th>" for s in splits)
        + "</tr>")
    for k, label in metric_rows:
        add(f"<tr><td>{_e(label)}</td>" + "".join(
            f"<td class=\"n\">{_e(_fmt(results[s].get(k)))}</td>" for s in splits) + "</tr>")
    add("<tr><td>rows</td>" + "".join(f"<td class=\"n\">{summary['rows'][s]:,}</td>"
                                       for s in splits) + "</tr></table>")
    per_class = summary.get("per_class", {}).get(main_split)
    if per_class:
        add(f"<h2>Per class ({_e(main_split)} rows)</h2><table><tr><th>class</th>"
            "<th>precision</th><th>recall</th><th>F1</th><th>rows</th></tr>")
        for name, r in zip(display_labels or class_labels, per_class):
            add(f"<tr><td>{_e(name)}</td>" + "".join(
                f"<td class=\"n\">{_e(_fmt(r[k]))}</td>" for k in ("precision", "recall", "f1"))
                + f"<td class=\"n\">{r['support']:,}</td></tr>")
        add("</table>")
        if any(r[k] is None for r in per_class for k in ("precision", "recall", "f1")):
            # the macro figures above do count some of these: say how, or they seem to
            # disagree with the column
            add(f"<p class=\"muted\">- : {_e(UNDEFINED_SCORE)}; {_e(MACRO_COUNTS)}.</p>")

    if images:
        add("<h2>Plots</h2><div class=\"figs\">")
        weighted = " (class-weighted)" if args.class_weight == "balanced" else ""
        # the training cost is no end-of-epoch figure: it differs from the table's train
        # column, which the validation cost matches
        captions = {"learning_curve.png": "Cost per epoch: on the training rows, the mean of "
                                          "the epoch's batch losses" + weighted
                                          + ("; on the validation rows, measured at the "
                                             "epoch's end" + (", unweighted" if weighted else "")
                                             if "validation" in results else "")
                                          + (f" (on the {_target_units(model)}, as the "
                                             "network is trained; the table's errors are in "
                                             "the target's units)" if task == "regression"
                                             else ""),
                    "confusion_matrix.png": "Rows: true class; columns: predicted class",
                    "decision_boundary.png": "The model's decision regions over the two "
                                             "features",
                    "predicted_vs_actual.png": "Each point is one row; the dashed line is a "
                                               "perfect prediction"}
        for name, data in images.items():
            b64 = base64.b64encode(data).decode("ascii")
            add(f"<figure><img alt=\"{_e(name)}\" src=\"data:image/png;base64,{b64}\">"
                f"<figcaption>{_e(captions.get(name, name))}</figcaption></figure>")
        add("</div>")

    add("<h2>Training</h2><table>")
    hidden_kind = (f"{args.activation} hidden layers" if arch.count("->") > 1
                   else "no hidden layer")
    rows = [("status", status), ("model", f"{arch} ({hidden_kind}, {out_kind})"),
            ("parameters", f"{model.n_params():,} ({args.dtype})"),
            ("optimizer", f"{args.optimizer}, learning rate {lr:g}"
                          + (f", weight decay {args.weight_decay:g}"
                             if args.weight_decay else "")
                          + (f", halved once the validation loss has not improved for "
                             f"more than {PLATEAU_PATIENCE} epochs"
                             if args.lr_decay and summary["rows"]["validation"] else "")),
            ("batch size", args.batch_size),
            *([("class weights", "balanced: each training row weighs n / (k · rows of its "
                                 "class)")] if args.class_weight == "balanced" else []),
            ("early stopping", f"patience {args.patience} on the validation loss, best "
                               f"weights restored" if args.early_stopping and
             summary["rows"]["validation"] else "off"),
            ("seed", args.seed), ("training time", f"{summary['train_seconds']:.2f} s")]
    for k, v in rows:
        add(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>")
    add("</table>")

    add("<h2>Data</h2>")
    left_out = [c for c in src.table.columns if c not in table]   # (a bundled file's extras)
    add(f"<p>{_e(src.label)}: {table.n_rows:,} rows, {len(src.table.columns)} columns"
        + (f" ({_e(', '.join(left_out))} not used: not among {_e(src.name)}'s documented "
           f"features)" if left_out else "")
        + (f". {_e(src.description)}" if src.description else "") + "</p>")
    if task == "classification":
        counts = np.bincount(y, minlength=len(class_labels))
        add("<table><tr><th>class</th><th>rows</th><th>share</th></tr>")
        for c, n in zip(display_labels or class_labels, counts):
            add(f"<tr><td>{_e(c)}</td><td class=\"n\">{int(n):,}</td>"
                f"<td class=\"n\">{n / counts.sum():.1%}</td></tr>")
        add("</table><p></p>")
    add("<table><tr><th>column</th><th>type</th><th>missing</th><th>distinct</th>"
        "<th>used as</th></tr>")
    specs = {s["name"]: s for s in pre.columns_}
    for col in table.columns:
        arr = table[col]
        kind = "number" if arr.dtype.kind in "biuf" else "text"
        n_inf = _infinite_count(arr)
        miss = f"{int(_missing_mask(arr).sum()):,}" + (f" ({n_inf:,} infinite)" if n_inf else "")
        distinct = _distinct_count(arr)
        if col == target:
            role = "target"
        elif col in specs:
            s = specs[col]
            if s["kind"] == "numeric":
                role = "standardized" + (", missing → median + indicator" if s["indicator"]
                                         else "")
            else:
                role = f"one-hot ({len(s['categories'])} categories" + (
                    " + missing" if s["missing_category"] else "") + ")"
        else:
            role = f"dropped: {pre.dropped_.get(col, 'not used')}"
        add(f"<tr><td>{_e(col)}</td><td>{kind}</td><td class=\"n\">{miss}</td>"
            f"<td class=\"n\">{distinct if isinstance(distinct, str) else f'{distinct:,}'}"
            f"</td><td>{_e(role)}</td></tr>")
    add("</table>")

    add("<h2>Notes</h2>")
    if notices:
        add("<ul class=\"notes\">" + "".join(f"<li>{_e(n)}</li>" for n in notices) + "</ul>")
    else:
        add("<p class=\"muted\">Nothing to report: no column was dropped or imputed.</p>")
    add("<p class=\"muted\">The preprocessing was learned on the training rows only and is "
        "stored in model.gnet, so <code>glassnet predict</code> applies it exactly.</p>")

    add(f"<h2>Model</h2><pre>{_e(model.summary())}</pre>")
    argv = sys.argv[1:]
    at = argv.index("train") if "train" in argv else None   # after --debug, if given
    cmd = _e(shlex.join(["glassnet", *argv[at:]])) if at is not None else "glassnet train"
    add(f"<p class=\"muted\">Command: <code>{cmd}</code></p>")
    add("</main></body></html>\n")
    return "\n".join(parts)


# ------------------------------------------------------------------------------------------
# predict / evaluate
# ------------------------------------------------------------------------------------------

#: The estimators whose files ``glassnet.sklearn`` writes (their extra["glassnet.sklearn"]).
ESTIMATOR_CLASSES = ("GlassClassifier", "GlassRegressor")


def stored_part(path, from_dict, d):
    """``from_dict(d)`` of a part of a model file's stored preprocessing (its
    TabularPreprocessor or TargetEncoder); a damaged one is a usage error naming the file."""
    try:
        return from_dict(d)
    except (KeyError, TypeError, ValueError) as exc:
        raise _usage(f"{path}: the stored preprocessing is damaged ({exc})") from None


def stored_encoder(path, model, d):
    """The label encoder ``d`` a model file stores, checked against the network ``model``'s
    outputs; a damaged one, or one of another number of classes, is a usage error naming the
    file."""
    from .preprocess import TargetEncoder
    encoder = stored_part(path, TargetEncoder.from_dict, d)
    _check_class_count(path, model, encoder)
    return encoder


def _check_class_count(path, model, encoder):
    """A classifier's probability columns (:func:`_probabilities`: one per output, two for
    one sigmoid output) must be its label encoder's classes, one each; otherwise a
    prediction's code would name a class that is not there."""
    k, n_out = len(encoder.classes_), model.n_outputs
    if n_out is not None and (2 if n_out == 1 else n_out) != k:
        raise _usage(f"{path}: the stored preprocessing is damaged (the network has {n_out} "
                     f"output(s) but its label encoder holds {k} class(es): "
                     f"{_some_names([str(c) for c in encoder.classes_.tolist()])})")


def stored_display_names(extra, n_classes):
    """The readable class names a model file stores (``class_display_names``: bundled
    datasets say what 0 and 1 mean), or None where it stores none or something other than
    ``n_classes`` strings (any number when None; a damaged entry: the labels are shown
    instead)."""
    names = extra.get("class_display_names") if isinstance(extra, dict) else None
    if isinstance(names, list) and n_classes in (None, len(names)) and all(
            isinstance(n, str) for n in names):
        return names
    return None


class _Loaded:
    def __init__(self, path):
        from .preprocess import TabularPreprocessor
        p = Path(path)
        if p.is_dir():
            hint = " (did you mean " + str(p / "model.gnet") + "?)" if (
                p / "model.gnet").exists() else ""
            raise _usage(f"{path} is a folder, not a model file{hint}")
        if not p.exists():
            raise _usage(f"no such model file: {path}")
        self.model = load_model_file(path)
        extra = getattr(self.model, "extra", None) or {}
        if not isinstance(extra.get("preprocessor"), dict) or extra.get("task") not in (
                "classification", "regression"):
            est = extra.get("glassnet.sklearn")
            how = (f"glassnet.sklearn.{est['class']}.load (it standardizes the inputs as "
                   f"the estimator did)" if isinstance(est, dict) and est.get("class") in
                   ESTIMATOR_CLASSES else "glassnet.load")
            raise _usage(f"{path} was not written by `glassnet train` (it stores no "
                         f"preprocessing); use it from Python with {how}")
        self.extra = extra
        self.task = extra["task"]
        self.target = extra.get("target")
        self.pre = stored_part(path, TabularPreprocessor.from_dict, extra["preprocessor"])
        self.encoder = None
        if self.task == "classification":
            self.encoder = stored_encoder(path, self.model, extra.get("target_encoder"))
        # labels for the terminal's tables: the stored names if they fit, else the classes
        self.display_names = (stored_display_names(extra, len(self.encoder.classes_))
                              if self.encoder is not None else None)
        self.scaling = extra.get("target_scaling") if self.task == "regression" else None
        if self.task == "regression" and not (
                isinstance(self.scaling, dict)
                and all(isinstance(self.scaling.get(k), (int, float)) for k in ("mean", "std"))):
            raise _usage(f"{path}: the stored target scaling is damaged")
        if self.model.n_features != self.pre.n_features_out:
            raise _usage(f"{path}: the model expects {self.model.n_features} inputs but its "
                         f"preprocessing gives {self.pre.n_features_out}")

    def features(self, table, label, with_target=False):
        """The model's inputs from ``table``; ``with_target``: the target is read too
        (evaluate), so notes about how it was read concern it."""
        need = self.pre.input_columns_
        self.facts = []   # what the notes said: the overflow message points to them
        return transform_noted(self.pre, table, self.extra,
                               [*need, self.target] if with_target else need, label,
                               facts=self.facts)

    def overflow(self, out, table):
        """(rows, message) for the rows of ``table`` whose outputs ``out`` are not finite:
        the network overflowed (its weights, or inputs far beyond training's, too large for
        its dtype); (empty, None) when every output is finite."""
        bad = ~np.isfinite(out).reshape(len(out), -1).all(axis=1)
        rows = np.flatnonzero(bad)
        if not len(rows):
            return rows, None
        far_rows = np.zeros(len(out), dtype=bool)   # the rows with a far value noted
        far = []
        for f in self.facts:
            if f["issue"] in ("far", "too large"):
                at = np.asarray(f["rows"], dtype=np.intp)
                far_rows[at] = True
                if bad[at].any():
                    far.append(f["column"])
        far = list(dict.fromkeys(far))
        top = max((float(np.max(np.abs(w))) for w in self.model.get_weights() if w.size),
                  default=0.0)
        dtype = np.dtype(self.model.dtype).name
        inputs = (f"inputs far beyond training's range (see the notes above on "
                  f"{_some_names(far)})")
        weights = f"weights (up to {top:.3g} in magnitude)"
        # the cause most of those rows share first: far inputs only where they have them
        why = (f"its {weights} or its inputs are too large for {dtype}" if not far else
               f"its {inputs}, or its {weights}, too large for {dtype}"
               if 2 * far_rows[rows].sum() >= len(rows) else
               f"its {weights}, too large for {dtype} (and, for "
               f"{int(far_rows[rows].sum())} of them, its {inputs})")
        return rows, (f"the model's output is not finite for {len(rows)} of {len(out)} "
                      f"row(s) (the first at {table.row_label(int(rows[0]))}): the model "
                      f"overflowed: {why}")

    def outputs(self, X):
        if self.task == "classification":
            return _probabilities(self.model, X)
        return _regression_output(self.model, X, self.scaling)


def _preprocessor_dict(pre, na_values) -> dict:
    """``pre.to_dict()``, marked version 2 when the file was read with extra missing tokens
    (``read_options``): a glassnet from before --na-values would read a numeric token such as
    -999 as a number and mispredict silently; it refuses version 2."""
    d = pre.to_dict()
    if na_values:
        d["version"] = 2
    return d


def _read_option(extra, key):
    """An entry of a model's ``read_options`` (how train read its file), or None (older
    model files, or a damaged entry)."""
    opts = (extra or {}).get("read_options")
    return opts.get(key) if isinstance(opts, dict) else None


def stored_na_values(extra) -> list[str]:
    """The --na-values a model was trained with (none for older model files)."""
    values = _read_option(extra, "na_values")
    return [str(v) for v in values] if isinstance(values, list) else []


def model_na_values(extra, given=None) -> list[str]:
    """The tokens predict, evaluate and explain read as missing: the model's stored
    --na-values and those given (``--na-values``), in that order."""
    return list(dict.fromkeys([*stored_na_values(extra), *(given or ())]))


def model_read_options(extra, na_values=None, decimal=None) -> dict:
    """``_load_source`` arguments for a model's new data, read as its training file was:
    the stored --na-values and those given; the given --decimal, else the stored one; the
    columns the training file wrote with the decimal comma (none for older model files);
    pandas' missing markers (#N/A, None) read as text in the columns where the stored
    preprocessing has one as a category (:func:`_marker_columns`)."""
    if decimal is None and _read_option(extra, "decimal") in (".", ","):
        decimal = _read_option(extra, "decimal")
    cols = _read_option(extra, "decimal_comma_columns")
    dots = _read_option(extra, "dot_decimal_columns")
    return {"na_values": model_na_values(extra, na_values), "decimal": decimal,
            "comma_columns": [str(c) for c in cols] if isinstance(cols, list) else [],
            "dot_columns": [str(c) for c in dots] if isinstance(dots, list) else [],
            "marker_text_columns": _marker_columns(extra)}


def _marker_columns(extra) -> list[str]:
    """The columns of a model file's stored preprocessing with a category that is one of
    pandas' missing markers (``None``, ``#N/A``: :func:`preprocess.marker_categories`): a
    column of numbers and such text fitted before glassnet read them as missing there, or a
    text column whose new file may hold only numbers and them; its new files keep them as
    text there (elsewhere they are missing beside numbers, as in training). The target's
    column too, where its classes hold one ('0', '1', 'None': a label, read as text then)."""
    from .preprocess import marker_categories
    if not isinstance(extra, dict):
        return []
    pre = next((extra.get(k) for k in ("preprocessor", "preprocess")
                if isinstance(extra.get(k), dict)), None)
    columns = pre.get("columns") if pre is not None else None
    names = [c["name"] for c in columns if isinstance(c, dict) and marker_categories(c)] \
        if isinstance(columns, list) else []
    encoder, target = extra.get("target_encoder"), extra.get("target")
    if isinstance(encoder, dict) and isinstance(target, str) and marker_categories(
            {"kind": "categorical", "categories": encoder.get("classes")}):
        names.append(target)
    return names


def transform_for_model(pre, table, extra, report=None, label=None, options=None,
                        announce=True):
    """``pre.transform(table)``; a column the model needs missing from ``table`` (the file
    ``label``, by default the one it was read from) or text in a column that was numeric in
    training is a usage error (naming the --na-values the model reads as missing). The
    fixes it offers name the read options as ``options`` spell them (default: the command
    line's; see :func:`_read_option_text`). A matrix too large for comfort is a note on
    stderr with ``announce`` (the commands), else the preprocessor's MatrixSizeWarning
    (the Python API); either way with a fitted model's advice (fewer rows at a time)."""
    from .preprocess import MatrixSizeWarning, TextInNumericColumnError
    missing = [c for c in pre.input_columns_ if c not in table]
    if missing:
        label = label or getattr(table, "_source", None) or "the data"
        late = _late_header_hint(table, missing, options)
        raise _usage(f"{label} lacks column(s) the model needs: "
                     f"{', '.join(_shown(c) + _did_you_mean(table, c) for c in missing)} "
                     f"(it has: {_column_list(table, 40)})" + _separator_hint(table, options)
                     + late + ("" if late else _skipped_hint(table, options)))
    big = pre.matrix_note(table.n_rows, fitting=False) if announce else None
    if big is not None:
        print(f"glassnet: note: {big}", file=sys.stderr, flush=True)
    try:
        with warnings.catch_warnings():
            if announce:
                warnings.simplefilter("ignore", MatrixSizeWarning)
            return pre.transform(table, report=report, fitting=False)
    except TextInNumericColumnError as exc:
        from .preprocess import as_plain_number, python_only_number
        token = exc.value.strip() if isinstance(exc.value, str) else exc.value
        na_values = _read_option_text(options, "na_values", token)
        if python_only_number(exc.value):  # 1_5, ３: meant as a number, surely
            raise _usage(f"{exc}; write it as {as_plain_number(exc.value)} in the file (or, "
                         f"to read it as missing, add it with {na_values})") from None
        from .data.tabular import _number_kind, comma_float, decimal_comma_number
        from .preprocess import _is_number
        if exc.column in getattr(table, "dot_decimal_columns", ()) and \
                _is_number(exc.value, comma_float):
            raise _usage(f"{exc}; the model's training file wrote this column with '.' as its "
                         f"decimal point (886.440 is 886.44), so it is read so here too: a "
                         f"'.' grouping thousands (alone or before a decimal comma) does not "
                         f"fit it; write {shown_value(exc.value)} as a plain number") from None
        if isinstance(exc.value, str) and _number_kind(exc.value.strip(), True) == 1:
            raise _usage(f"{exc}; it is a number written with symbols (currency, %, "
                         f"thousands separators, a bracketed or trailing minus): write it as "
                         f"a plain number (digits, a leading '-', a '.' decimal point) in "
                         f"the file; reading it as missing would throw it away") from None
        if decimal_comma_number(exc.value):  # 1.138,23 in a file not read with it
            decimal = _read_option_text(options, "decimal", ",")
            how = (f"pass {decimal} (read so only in ';'-separated files by default)"
                   if decimal else "read its file with that decimal mark")
            raise _usage(f"{exc}; if ',' is its decimal mark, {how}; if it groups thousands "
                         f"(1,500 for 1500), write the numbers without it") from None
        stored = stored_na_values(extra)
        known = (f"the model was trained with --na-values {','.join(stored)} (read as "
                 f"missing here too)" if stored else "the model was trained without "
                 "--na-values")
        raise _usage(f"{exc}; {known}: to read {shown_value(exc.value)} as missing, add it with "
                     f"{na_values}") from None


def transform_noted(pre, table, extra, columns, label=None, facts=None):
    """``transform_for_model`` for predict, evaluate and explain, printing on stderr, under
    one "notes:", what training never saw and what was done about it, and how ``columns``
    were read where that differs from training; ``facts``, a list given, gets the facts
    the notes tell (:func:`_transform_notes`)."""
    facts = [] if facts is None else facts
    X = transform_for_model(pre, table, extra, report=facts, label=label)
    notes = capped_transform_notes(facts, table) + dot_read_notes(
        table, columns) + undecided_dot_notes(table, columns)
    if notes:
        print("notes:\n" + "\n".join(f"  - {n}" for n in notes), file=sys.stderr)
    return X


def dot_read_notes(table, columns) -> list[str]:
    """The note for ``columns`` a model's training file wrote with the decimal comma (a '.'
    grouped thousands there) that this file read with '.' decimals: its numbers show them
    elsewhere, so 1.500 is 1.5 here (``Table.dot_read_comma_columns``)."""
    flipped = sorted(c for c in table.dot_read_comma_columns if c in columns)
    if not flipped:
        return []
    return [f"{_some_names(flipped)}: written with the decimal comma in the model's training "
            f"file ('.' grouping thousands), but this file shows '.' decimal points (0.5), so "
            f"a '.' is read as a decimal point here (1.500 is 1.5); if it groups thousands, "
            f"write those numbers without it"]


MOST_NOTES = 10   # transform notes shown one by one: a wide table must not make them endless
MOST_NAMES = 10   # columns named of the notes beyond those


def capped_transform_notes(facts, table) -> list[str]:
    """The notes of ``facts`` (:func:`_transform_notes`) as predict, evaluate and explain
    print them and ``TrainedModel``'s warning gives them: the first :data:`MOST_NOTES`, then
    one saying how many more there are and the columns they are on (the first
    :data:`MOST_NAMES` of those)."""
    notes = _transform_notes(facts, table)
    if len(notes) <= MOST_NOTES:
        return notes
    rest = list(dict.fromkeys(f["column"] for f in facts[MOST_NOTES:]))
    return notes[:MOST_NOTES] + [f"... and {len(notes) - MOST_NOTES} more (column"
                                 f"{'s' if len(rest) > 1 else ''} "
                                 f"{_some_names(rest, MOST_NAMES)})"]


def _transform_notes(facts, table) -> list[str]:
    """One line per fact of ``TabularPreprocessor.transform(..., report=)`` on ``table``."""
    notes = []
    for f in facts:
        n = len(f["rows"])
        lines = table.line_numbers
        where = "" if lines is None else (
            f" (line{'s' if n > 1 else ''} " + ", ".join(str(lines[i]) for i in f["rows"][:5])
            + (" ..." if n > 5 else "") + ")")
        if f["issue"] == "unseen":
            shown = ", ".join(map(shown_value, f["values"][:5])) + (
                " ..." if len(f["values"]) > 5 else "")
            what = f"a category not seen in training ({shown})"
        elif f["issue"] == "missing":
            what = "a missing value (training had none)"
        elif f["issue"] == "too large":
            what = "a number too large for the model once standardized"
        elif f["issue"] == "far":
            what = (("a value far outside the training values (beyond their range, up to "
                     if f.get("beyond_range") else "a value far from the training values "
                     "(up to ") + f"{_deviations(f['values'][0])} standard deviations from "
                                  f"their mean)")
        else:
            what = "an infinite value"
        notes.append(f"{f['column']}: {n} row(s){where} with {what}: {f['action']}")
    return notes


def _unique_name(name, taken):
    out = name
    while out in taken:
        out += "_"
    taken.add(out)
    return out


def _same_file(a, b) -> bool:
    """Whether paths ``a`` and ``b`` name one file (through links too, when both exist)."""
    try:
        if os.path.exists(a) and os.path.exists(b):
            return os.path.samefile(a, b)
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def load_model_file(path):
    """``io.load_model(path)``; any file it refuses (of another kind, such as an HTML page
    explain writes, a CSV or a pickle; or empty, truncated, damaged) is a one-line usage error
    naming the file and what is wrong with it."""
    from .io import ModelFileError, load_model
    try:
        return load_model(path)
    except ModelFileError as exc:
        problem = exc.problem if isinstance(exc.problem, str) else str(exc)
        raise _usage(f"{path}: {problem}; give the model.gnet of a glassnet train run") \
            from None


def refuse_destructive_out(out, inputs) -> None:
    """Refuse ``--out FILE`` (predict, explain) where writing it would destroy one of
    ``inputs``: ``(what, path)`` pairs such as ``("model file", "run/model.gnet")``, a path
    None or STDIN (no file) left out."""
    if out is None or out == "-":
        return
    if os.path.isdir(out):
        raise _usage(f"--out {out} is a folder; give a file name")
    for what, other in inputs:
        if other not in (None, STDIN) and _same_file(out, other):
            raise _usage(f"--out {out} is the {what}: writing there would destroy it; "
                         f"choose another file")
    what = _glassnet_file(out)
    if what is not None:
        raise _usage(f"--out {out} is {what}: writing there would destroy it; choose another "
                     f"file")


def _glassnet_file(path) -> str | None:
    """What ``path`` is, if it is a file glassnet made that another command's output must
    not replace: a model file (any name), or a file of a ``glassnet train`` run's folder
    (listed in its metrics.json); else None."""
    from .io import MAGIC
    p = Path(path)
    try:
        if not stat.S_ISREG(os.stat(p).st_mode):  # a FIFO or /dev/stdout: never read it (a
            return None                            # read would wait for a writer)
        with open(p, "rb") as f:
            if f.read(len(MAGIC)) == MAGIC:
                return "a glassnet model file"
    except OSError:  # no such file (or unreadable): nothing of ours to protect
        return None
    try:
        summary = json.loads((p.parent / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(summary, dict) and isinstance(summary.get("files"), list) and \
            p.name in summary["files"]:
        return f"a file of the glassnet train run in {p.parent}/"
    return None


def _or(value, default):
    return default if value is None else value


# the significant digits predict writes a probability with: enough to tell its float32
# apart and for each row's to sum to 1 within 5e-9 (scikit-learn's log_loss wants 1.5e-8)
PROBA_DIGITS = 9


def _significant(x, digits):
    """``x`` (float64) rounded to ``digits`` significant digits, each value the float nearest
    its decimal, whose shortest repr (what the CSV writer writes) is those digits at most."""
    x = np.array(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = digits - 1 - np.floor(np.log10(np.abs(x)))   # the decimal places kept
    # 10**k is exact for 0 <= k <= 22: m / 10**k is then the float nearest the decimal
    fast = np.isfinite(k) & (k >= 0) & (k <= 22)
    p = 10.0 ** np.where(fast, k, 0)
    x[fast] = np.round(x[fast] * p[fast]) / p[fast]
    slow = np.isfinite(k) & ~fast   # below 1e-14 (or from 1e9 on): rare, Python rounds them
    x[slow] = [float(f"{v:.{digits}g}") for v in x[slow].tolist()]
    return x


def cmd_predict(args) -> int:
    from .data.tabular import _CHUNK_ROWS, _fewest_digits, _write_chunks
    from .io import atomic_text_file
    refuse_destructive_out(args.out, (("input CSV", args.data),
                                      ("model file", args.model)))
    m = _Loaded(args.model)
    src = _load_source(args.data, keep_text=args.columns != "none", sep=args.sep,
                       skip_rows=args.skip_rows,
                       expected=m.pre.input_columns_, announce=True,
                       **model_read_options(m.extra, args.na_values, args.decimal))
    table = src.table
    X = m.features(table, src.label)
    taken = set()   # the column names as a reader reads them back (stripped)
    cols = []       # (name in the output, the input column or the values)
    renamed = []    # (the name wanted, the name given) of output columns the input has
    if args.columns == "all":
        keep = [c for c in table.columns if c != m.target]
    elif args.columns == "id":
        from .preprocess import _ID_NAME_STRICT
        ids = set(m.extra.get("id_columns") or [])
        keep = [c for c in table.columns if c != m.target
                and (c in ids or _ID_NAME_STRICT.search(c))]
    else:
        keep = []
    for c in keep:  # as the file spelled them: 007 stays 007, 3.0 stays 3.0, and ' a ' too
        taken.add(c)
        cols.append((table.header_text(c), c))

    def add(name, values):
        given = _unique_name(name, taken)
        if given != name:
            renamed.append((name, given))
        cols.append((given, values))

    if m.task == "classification":
        out = m.outputs(X)
        bad, overflow = m.overflow(out, table)
        codes = out.argmax(axis=1)
        labels = m.encoder.inverse_transform(codes)
        if m.encoder.kind_ == "bool":
            labels = np.array([str(bool(v)) for v in labels], dtype=object)
        if len(bad):   # (the argmax of NaN probabilities is no class): written empty
            out[bad] = np.nan
            labels = labels.astype(object)   # (not float: a label 2**53 + 1 keeps its digits)
            labels[bad] = None
        add("prediction", labels)
        classes = m.encoder.classes_
        if m.encoder.kind_ != "bool" and classes.dtype.kind in "biuf":
            from .data.tabular import _format_column  # as the prediction column writes them:
            classes = _format_column(classes)          # proba_2 beside a prediction 2
        out = _significant(out, PROBA_DIGITS)
        for j, c in enumerate(list(classes)):
            add(f"proba_{c}", out[:, j])
    else:  # `* std + mean` in float64, as evaluate scores them (a float32 copy of 1.7e9 + x
        # would be a multiple of 128), written in the digits a float32 network's output
        # holds: 1.2345678 rather than the false precision 1.2345677614212036
        z = _network_output(m.model, X)
        bad, overflow = m.overflow(z, table)
        pred = _fewest_digits(z, m.scaling["std"], m.scaling["mean"])
        pred[bad] = np.nan   # written empty, as a missing value: inf is no prediction
        add("prediction", pred)
    if overflow:
        print(f"glassnet: warning: {overflow}; their predictions are written empty",
              file=sys.stderr)
    if renamed:
        print(f"glassnet: note: {src.label} already has column(s) "
              f"{', '.join(_shown(w) for w, _ in renamed)}, copied as they are: the model's "
              f"are named {', '.join(_shown(g) for _, g in renamed)}", file=sys.stderr)

    def chunks():
        """The output's columns, a block of rows at a time: the input columns' text is built
        (from what the reader kept) and every field formatted for one block only."""
        for lo in range(0, table.n_rows, _CHUNK_ROWS):
            hi = lo + _CHUNK_ROWS
            yield [v[lo:hi] if not isinstance(v, str) else _or(table._text_rows(v, lo, hi),
                                                                 table[v][lo:hi])
                   for _, v in cols]

    if args.out and args.out != "-":
        with atomic_text_file(args.out) as fh:  # written straight into the temporary file
            _write_chunks(fh, [name for name, _ in cols], chunks())
        print(f"glassnet: wrote {table.n_rows} prediction(s) to {args.out}", file=sys.stderr)
    else:
        _write_chunks(sys.stdout, [name for name, _ in cols], chunks())
    return 0


def _deviations(z) -> str:
    """A distance in standard deviations as the far-value note says it: 10.5 (not "10", which
    would read as within the threshold of 10), 14, 10509."""
    return f"{z:.0f}" if z >= 100 else f"{z:.1f}".rstrip("0").rstrip(".")


def _text_target_usage(target, values, note, why, otherwise):
    """The usage error for a regression target column read as text (``values``), train's
    and evaluate's: ``note`` (numeric_text_note's, or None) names the value that is not a
    number, its line and the fix; without one, an example value and ``otherwise``, what to
    do. ``why``: what the text rules out."""
    if note is not None:
        return _usage(f"the target column {target!r} holds text, {why}: {note}")
    example = next(v for v in values if v is not None)
    return _usage(f"the target column {target!r} holds text (e.g. {shown_value(example)}), "
                  f"{why}; {otherwise}")


def _check_labels(encoder, table, target, label):
    """A usage error naming the target column, the file's line and the labels as the file
    spells them, where ``table[target]`` holds classes the model was not trained on."""
    from .data.tabular import _format_number
    col = table[target]
    bad = np.flatnonzero(encoder.unknown_mask(col))
    if not bad.size:
        return
    text = table.text(target)
    seen = []
    for i in bad:
        v = text[i] if text is not None else col[i]
        v = _format_number(float(v)) if isinstance(v, (float, np.floating)) else str(v)
        if v not in seen:
            seen.append(v)
        if len(seen) > 10:
            break
    shown = ", ".join(map(shown_value, seen[:10])) + (" ..." if len(seen) > 10 else "")
    known = ", ".join(_label_text(c) for c in encoder.classes_[:20]) + (
        " ..." if len(encoder.classes_) > 20 else "")
    raise _usage(f"the target column {target!r} of {label} has {len(bad)} row(s) with "
                 f"unknown label(s) {shown} (the first at {table.row_label(int(bad[0]))}), "
                 f"not seen in training; known classes: [{known}]")


def _check_regression_target(y, target) -> None:
    """Refuse a regression target (no missing values) whose squared errors overflow float64:
    train could not learn it, and evaluate's MSE, RMSE and R² would be no numbers."""
    top = float(np.max(np.abs(y)))
    if top > MAX_REGRESSION_TARGET:
        raise _usage(f"the target column {target!r} has values up to {top:.3g}: too "
                     f"large for its squared errors (MSE) to be a number; divide it by a "
                     f"power of ten (e.g. 1e{int(math.log10(top)) - 3}) first")


TOTALS_RTOL = 1e-6  # how close a totals row's values are to the sums of the others'


# what the label cell of a spreadsheet's totals row says (English, German, Dutch, French)
TOTAL_WORDS = re.compile(r"(grand\s+)?totals?|sum|gesamt|summe|totaal|somme", re.IGNORECASE)


def _totals_row_notes(table, target, y) -> list[str]:
    """A note per row that looks like a spreadsheet's totals row (Total,,1234.5,,98765): its
    regression target ``y`` is the sum of all the other rows' (to :data:`TOTALS_RTOL`), at
    least 3 of which are not 0 (a sparse count such as 2 = 1 + 1 is no total), and some
    other numeric column of it (not a copy of the target) is its column's sum of the others'
    too (not 0), or a text cell of it says "Total" (:data:`TOTAL_WORDS`) and a numeric cell
    is empty."""
    with np.errstate(over="ignore", invalid="ignore"):
        others = y.sum() - y
        rows = np.flatnonzero((y != 0) & (np.abs(y - others) <= TOTALS_RTOL * np.abs(y)))
    if not len(rows) or np.count_nonzero(y) < 4:   # the row itself and 3 others
        return []
    numeric = [np.asarray(table[c], dtype=np.float64) for c in table.columns
               if c != target and np.asarray(table[c]).dtype.kind in "biuf"]
    # (a copy of the target sums as it does: no second witness)
    numeric = [col for col in numeric if not np.array_equal(col, y, equal_nan=True)]
    text = [table[c] for c in table.columns
            if c != target and np.asarray(table[c]).dtype == object]
    sums = [np.nansum(col) for col in numeric]
    notes = []
    for i in rows.tolist():
        summed = any(col[i] != 0 and abs(s - 2 * col[i]) <= TOTALS_RTOL * abs(col[i])
                     for col, s in zip(numeric, sums))
        if summed or (any(math.isnan(col[i]) for col in numeric) and any(
                isinstance(col[i], str) and TOTAL_WORDS.fullmatch(col[i].strip().rstrip(":"))
                for col in text)):
            notes.append(f"{table.row_label(i)} looks like a totals row (its {target!r} is "
                         f"the sum of the other rows'): it is trained on as a row like the "
                         f"others; delete it from the file")
    return notes


def cmd_evaluate(args) -> int:
    m = _Loaded(args.model)
    src = _load_source(args.data, sep=args.sep, skip_rows=args.skip_rows,
                       expected=[*m.pre.input_columns_, *filter(None, [args.target or m.target])],
                       announce=True,
                       **model_read_options(m.extra, args.na_values, args.decimal))
    table = src.table
    target = args.target or m.target
    if target is None:
        raise _usage("--target is required: the model file does not name its target column")
    _check_target(table, target, src.label)
    miss = _missing_mask(table[target])
    if miss.all():
        raise _usage(f"the target column {target!r} has no values")
    skipped = int(miss.sum())
    if skipped:
        table = table.take(np.flatnonzero(~miss))
    X = m.features(table, src.label, with_target=True)
    out = m.outputs(X)
    overflow = m.overflow(out, table)[1]
    if overflow:   # (the metrics' own check would blame the examples)
        raise _usage(f"{overflow}; its metrics would be no numbers: retrain the model, or "
                     f"leave those rows out")
    if m.task == "classification":
        _check_labels(m.encoder, table, target, src.label)
        y = m.encoder.transform(table[target])
        res, per_class = _classification_metrics(
            y, out, [str(c) for c in m.encoder.classes_.tolist()], _clip_bounds(m.model))
        present = np.unique(y)
        if len(present) < len(m.encoder.classes_):   # (said on stderr: --json stays JSON)
            absent = [str(c) for k, c in enumerate(m.encoder.classes_.tolist())
                      if k not in present]
            print(f"glassnet: note: {src.label} holds no row of class(es) {_some_names(absent)}"
                  + (": ROC AUC is undefined (left out)" if len(m.encoder.classes_) == 2
                     else "")
                  + f"; {MACRO_COUNTS}", file=sys.stderr)
    else:
        yr = np.asarray(table[target])
        if yr.dtype.kind not in "biuf":   # as train says it: the value, its line, the fix
            from .preprocess import numeric_text_note
            raise _text_target_usage(
                target, yr, numeric_text_note(yr, table.line_numbers,
                                              comma=table.decimal_comma, table=table),
                "but the model does regression", f"is it the column the model was trained "
                f"on ({m.target!r})?" if m.target not in (None, target) else
                "the model was trained on numbers in it")
        yr = yr.astype(np.float64)
        _check_regression_target(yr, target)
        res = _regression_metrics(yr, out)
        per_class = None
    if args.json:
        print(json.dumps(_jsonable({"model": str(args.model), "data": src.label,
                                    "target": target, "task": m.task, "rows": table.n_rows,
                                    "rows_skipped": skipped, "metrics": res,
                                    **({"per_class": per_class} if per_class else {})}),
                         indent=2))
        return 0
    print(f"glassnet evaluate: {args.model} on {src.label}, {table.n_rows} "
          f"row{'s' if table.n_rows != 1 else ''}"
          + (f" ({skipped} without a target value skipped)" if skipped else "")
          + f", target {target!r}, {m.task}")
    names = _metric_names(m.task, res)
    w = max(len(label) for _, label in names) + 2
    for key, label in names:
        print(f"{label:<{w}}{_fmt(res[key]):>10}")
    if per_class:
        print()
        print(_per_class_table(per_class, "per class", m.display_names,
                               rest="(all of them with --json)"))
    return 0


# ------------------------------------------------------------------------------------------
# datasets
# ------------------------------------------------------------------------------------------

def _terminal_width(stream):
    """The columns of the terminal ``stream`` writes to (COLUMNS when set), or None when it
    is not a terminal (a pipe, a file: nothing is cut there)."""
    try:
        tty = stream.isatty()
    except (AttributeError, OSError, ValueError):
        tty = False
    return shutil.get_terminal_size().columns if tty else None


def cmd_datasets(args) -> int:
    from .data import bundled
    from .render import _cut  # cut to a width, "…" when something was cut
    rows = [("name", "rows", "columns", "default target", "classes", "description")]
    for name in bundled.list_datasets():
        ds = bundled.load_dataset(name)
        kind = "bundled" if name in bundled._FILES else "generated"
        desc = ds.description
        if kind == "generated" and not desc.startswith("generated"):
            desc = f"generated: {desc}"
        rows.append((name, str(ds.frame.n_rows), str(len(ds.frame.columns)), ds.default_target,
                     _cut(", ".join(map(str, ds.target_names)), 24), desc))
    w = [max(len(r[i]) for r in rows) for i in range(5)]
    columns = _terminal_width(sys.stdout)
    # the description takes the rest of a terminal's line (some of it on a narrow one)
    room = None if columns is None else max(columns - sum(w) - 2 * len(w), 20)
    for i, r in enumerate(rows):
        print("  ".join(r[j].ljust(w[j]) if j not in (1, 2) else r[j].rjust(w[j])
                        for j in range(5)) + "  " + (r[5] if room is None else _cut(r[5], room)))
        if i == 0:
            print("  ".join("-" * x for x in w) + "  " + "-" * 11)
    # on stderr: stdout holds the table alone, for scripts (awk 'NR > 2 {print $1}')
    print("\ntrain on one with: glassnet train NAME   (e.g. glassnet train titanic; the "
          "4-row logic gates need --val-split 0 --test-split 0: glassnet train xor "
          "--val-split 0 --test-split 0)", file=sys.stderr)
    return 0
