"""The ``glassnet`` command.

Sub-commands live in their own modules, each with ``register(subparsers)`` adding a parser
whose ``func`` default runs it. Errors a user can fix (bad files, bad options, bad data) are
printed as one line on stderr with exit status 2; ``--debug`` shows the full traceback.
"""
from __future__ import annotations

import argparse
import codecs
import contextlib
import difflib
import errno
import importlib
import os
import re
import sys

_WINDOWS = os.name == "nt"

# Modules providing sub-commands, in the order `glassnet --help` lists them.
COMMAND_MODULES = ("glassnet.commands", "glassnet.explain_cmd")


class UsageError(Exception):
    """An error in what the user asked for; printed without a traceback."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with its errors on one line like every other glassnet error (exit status 2).

    Sub-command parsers are made from the same class, so they report the same way;
    "argument --lr: must be > 0, got -1" reads "--lr must be > 0, got -1"."""

    def error(self, message):
        m = re.match(r"argument (\S+): ((?:must|takes|layer) .*)", message, flags=re.S)
        if m:
            message = f"{m.group(1)} {m.group(2)}"
        # argparse's own words, whichever parser (or commands._strict) found the extras
        if message.startswith("unrecognized arguments: "):
            message += self._did_you_mean(message.split(" ")[2:])
        self.exit(2, f"glassnet: error: {message} (see `{self.prog} --help`)\n")

    def _did_you_mean(self, words) -> str:
        """"; did you mean --out?" for the mistyped options among ``words``, as git says it:
        only for a close option of this parser."""
        options = [o for o in self._option_string_actions if o.startswith("--")]
        pairs = []
        for word in words:
            typed = word.split("=", 1)[0]
            if typed.startswith("-") and typed not in self._option_string_actions:
                close = _closest(typed.lstrip("-"), [o[2:] for o in options])
                if close:
                    pairs.append((typed, f"--{close}"))
        if not pairs:
            return ""
        if len(pairs) == 1:
            return f"; did you mean {pairs[0][1]}?"
        return "; did you mean " + ", ".join(f"{o} for {t}" for t, o in pairs) + "?"

    def _check_value(self, action, value):
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as exc:
            # Python 3.14's suggest_on_error says it itself ("maybe you meant")
            choices = action.choices if not getattr(self, "suggest_on_error", False) else None
            close = (_closest(value, list(choices)) if isinstance(value, str) and choices
                     and all(isinstance(c, str) for c in choices) else None)
            if not close:
                raise
            raise argparse.ArgumentError(action, f"{exc.message}; did you mean {close!r}?") \
                from None


def _closest(word, candidates):
    """The candidate ``word`` was most likely meant to be, or None when none is close."""
    match = difflib.get_close_matches(word, candidates, n=1)
    return match[0] if match else None


def build_parser() -> argparse.ArgumentParser:
    from . import __version__
    parser = ArgumentParser(
        prog="glassnet",
        description="Glass-box neural networks in pure NumPy: train on a CSV, predict, "
                    "evaluate, and explain every number.")
    parser.add_argument("--version", action="version", version=f"glassnet {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback when something fails")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        mod.register(sub)
    # The error hint says "run with --debug": it must work where a user types it, after the
    # sub-command too. SUPPRESS keeps `glassnet --debug CMD` from being reset to False.
    for p in {id(p): p for p in sub.choices.values()}.values():
        if "--debug" not in p._option_string_actions:
            p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                           help="show the full traceback when something fails (default: "
                                "False)")
    return parser


class _PipeSafeStream:
    """``sys.stdout`` or ``sys.stderr`` that survives its reader going away (``glassnet
    train ... | head -2``, ``2>&1 | head``, a log shipper that dies): on the first
    BrokenPipeError the file descriptor is pointed at /dev/null, as the Python docs advise,
    and from then on the output is dropped silently, so a run still finishes and saves
    everything (and exits 0)."""

    def __init__(self, stream):
        self._stream = stream
        self.broken = False

    def write(self, text):
        if not self.broken:
            try:
                return self._stream.write(text)
            except OSError as exc:
                self._drop_if_broken(exc)
        return len(text)

    def flush(self):
        if not self.broken:
            try:
                self._stream.flush()
            except OSError as exc:
                self._drop_if_broken(exc)

    def _drop_if_broken(self, exc):
        # Windows reports a pipe whose reader has gone as EINVAL, not EPIPE
        if not (isinstance(exc, BrokenPipeError) or _WINDOWS and exc.errno == errno.EINVAL):
            raise exc
        self.broken = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())  # what is still buffered goes there
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # no real descriptor (a test's capture)
            pass

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main(argv=None) -> int:
    from . import _cli_started
    restore = [_closed_to_devnull(), _tolerant(sys.stdout), _tolerant(sys.stderr)]
    _cli_started()  # Ctrl-C while the package loaded had a guard of its own; now it is ours
    try:
        return _main(argv)
    except KeyboardInterrupt:  # before a command's own handling: while modules load, say
        return interrupted()
    finally:
        for undo in restore:
            undo()


def _closed_to_devnull():
    """A closed stdout or stderr (``>&-``, ``2>&-``) is None in Python, and print(file=None)
    writes to stdout: notes and errors would land in the predictions written there, and a
    None stdout fails at its first write. Each goes to os.devnull instead (its output is
    dropped, as the shell asked). Returns what undoes it."""
    opened = []
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            f = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (closed by the undo)
            setattr(sys, name, f)
            opened.append((name, f))

    def undo():
        for name, f in opened:
            if getattr(sys, name) is f:
                setattr(sys, name, None)
            f.close()
    return undo


# What the commands print beyond ASCII (help's λ, explain's formulas, warnings' ⚠, tables'
# rules), spelled in ASCII for a terminal whose encoding lacks them; anything else shows "?".
_ASCII = {
    "\u0177": "y_hat", "\u0176": "Y_hat", "\u0233": "y_bar", "\u1e21": "g_bar",
    "\u0302": "_hat", "\u0303": "_tilde", "\u0304": "_bar",   # combining ^ ~ -
    "\u03c3": "sigma", "\u03bb": "lambda", "\u03b7": "eta", "\u03b1": "alpha",
    "\u03b2": "beta", "\u03b3": "gamma", "\u03b4": "delta", "\u03b5": "epsilon",
    "\u03b8": "theta", "\u03bc": "mu", "\u00b5": "mu", "\u03c0": "pi", "\u03c4": "tau",
    "\u03c6": "phi", "\u03a6": "Phi", "\u03a3": "sum", "\u2211": "sum", "\u2202": "d",
    "\u2207": "grad", "\u2113": "l",
    "\u00b7": "*", "\u22c5": "*", "\u2299": "(*)", "\u00d7": "x", "\u221a": "sqrt",
    "\u2212": "-", "\u00b1": "+/-", "\u2264": "<=", "\u2265": ">=", "\u2260": "!=",
    "\u2248": "~=", "\u2273": ">~", "\u2016": "||", "\u230a": "floor(", "\u230b": ")",
    "\u00bd": "1/2", "\u00bc": "1/4", "\u00b2": "^2", "\u00b3": "^3", "\u1d40": "^T",
    "\u1d4f": "^k", "\u1d62": "_i", "\u2c7c": "_j", "\u2080": "_0", "\u2081": "_1",
    "\u2082": "_2", "\u208a": "_+", "\u208b": "_-", "\u00b0": " deg",
    "\u2014": "--", "\u2013": "-", "\u2026": "...", "\u2192": "->", "\u2190": "<-",
    "\u25ba": ">", "\u25c4": "<", "\u2500": "-", "\u26a0": "!", "\u2032": "'",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ",
}
_GLYPHS = "".join(_ASCII)


def _ascii_spelling(exc):
    """Error handler "glassnet-ascii": the characters an encoding lacks, spelled from _ASCII."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return "".join(_ASCII.get(c, "?") for c in exc.object[exc.start:exc.end]), exc.end


codecs.register_error("glassnet-ascii", _ascii_spelling)


def _tolerant(stream):
    """Make ``stream`` unable to fail on a character its encoding lacks (a Windows pipe or
    redirection is cp1252, say): written to a file or pipe it becomes UTF-8, as every file
    glassnet writes is; a terminal keeps its encoding and shows an ASCII spelling instead
    (ŷ as y_hat, σ as sigma), or "?". Returns what undoes it (for ``main`` called from
    Python)."""
    encoding = getattr(stream, "encoding", None)
    if not encoding or not callable(getattr(stream, "reconfigure", None)):
        return lambda: None
    try:
        _GLYPHS.encode(encoding)
        return lambda: None
    except (UnicodeError, LookupError):
        pass
    errors = stream.errors
    try:
        tty = stream.isatty()
    except (OSError, ValueError):
        tty = False
    try:
        stream.reconfigure(**({"errors": "glassnet-ascii"} if tty else
                              {"encoding": "utf-8", "errors": "glassnet-ascii"}))
    except (OSError, ValueError):
        return lambda: None

    def undo():
        with contextlib.suppress(OSError, ValueError):
            stream.reconfigure(encoding=encoding, errors=errors)
    return undo


def interrupted() -> int:
    """Ctrl-C outside a command: one line, no traceback, exit status 130."""
    _say("glassnet: interrupted")
    return 130


def _say(line):
    """Print ``line`` on stderr, come what may: it reports an error or an interruption, and
    a stderr that cannot be written (full, closed, gone) must not turn that into a second
    error with its traceback and exit status 1."""
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _joined_na_values(argv):
    """``--na-values -,#N/V`` as ``--na-values=-,#N/V``: argparse takes a value starting
    with '-' (and not a number) for an option and says "expected one argument", and '-' is
    the commonest missing marker of spreadsheet exports."""
    out = list(argv)
    for i in range(len(out) - 1):
        value = out[i + 1]
        # an option of its own (--overwrite, -q, -h) is left for argparse to refuse
        if out[i] == "--na-values" and value.startswith("-") and not value.startswith("--") \
                and value not in ("-q", "-h"):
            out[i:i + 2] = [f"--na-values={value}", None]
        if out[i] == "--":
            break
    return [a for a in out if a is not None]


def _main(argv) -> int:
    parser = build_parser()
    args = parser.parse_args(_joined_na_values(sys.argv[1:] if argv is None else argv))
    if not getattr(args, "func", None):  # a bare `glassnet`: the help, and the one error line
        parser.print_help()
        _say("glassnet: error: choose a command: train, predict, evaluate, explain or "
             "datasets (glassnet COMMAND --help)")
        return 2
    streams = {"stdout": sys.stdout, "stderr": sys.stderr}
    for name, stream in streams.items():
        setattr(sys, name, _PipeSafeStream(stream))
    try:
        return _run(args)
    finally:
        for name, stream in streams.items():
            safe = getattr(sys, name)
            if safe.__class__ is _PipeSafeStream:
                safe.flush()  # what print() left in the buffer, while EPIPE is still caught
                setattr(sys, name, stream)


def _memory_advice(args, exc) -> str:
    """What to change after a MemoryError. Training's --hidden layers are blamed when the
    array that failed is of their sizes only (a weight matrix between two of them) or their
    weights alone would fill a quarter of the machine's memory; they are named beside rows
    and columns when one side of the array is of their sizes (a layer's outputs for many
    rows); otherwise rows and columns are."""
    data = "use fewer rows, or leave wide columns out (--drop, or columns of many categories)"
    hidden = getattr(args, "hidden", None)
    if not isinstance(hidden, list) or not hidden:
        return data
    m = re.search(r"with shape \(([\d, ]+)\)", str(exc))
    dims = [int(d) for d in m.group(1).split(",") if d.strip()] if m else []
    between = sum(a * b for a, b in zip(hidden, hidden[1:]))  # weights, hidden to hidden
    size = between * (8 if getattr(args, "dtype", None) == "float64" else 4)
    if between and ((dims and all(d in hidden for d in dims)) or size > _memory_bytes() / 4):
        return (f"use smaller --hidden layers (--hidden {','.join(map(str, hidden))} has "
                f"{between:,} weights between its hidden layers alone)")
    if any(d in hidden for d in dims):
        return f"{data}, or use smaller --hidden layers"
    return data


def _memory_bytes() -> float:
    """The machine's memory in bytes (infinite where the system does not say)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return float("inf")


def _run(args) -> int:
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt as exc:  # a command may say what it saved: KeyboardInterrupt(note)
        note = str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else ""
        term = getattr(exc, "signal_name", None) == "SIGTERM"   # set by glassnet train
        _say(f"glassnet: interrupted{' (SIGTERM)' if term else ''}"
             f"{'; ' + note if note else ''}")
        return 143 if term else 130
    except MemoryError as exc:  # NumPy's says which array: "Unable to allocate 626. MiB ..."
        if args.debug:
            raise
        _say(f"glassnet: error: out of memory{': ' + str(exc) if str(exc) else ''}; "
             f"{_memory_advice(args, exc)} (run with --debug for details)")
        return 2
    except (UsageError, ValueError, TypeError, KeyError, OSError, RuntimeError) as exc:
        if args.debug:
            raise
        msg = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        if isinstance(exc, OSError) and exc.filename and exc.strerror:
            msg = f"{exc.strerror}: {exc.filename}"
        _say(f"glassnet: error: {msg.splitlines()[0] if msg else type(exc).__name__}"
             + ("" if args.debug else " (run with --debug for details)"
                if not isinstance(exc, UsageError) else ""))
        return 2


if __name__ == "__main__":
    # Run through the package module so exception classes are the package's own
    # (``python -m glassnet.cli`` would otherwise define a second UsageError in __main__).
    from glassnet.cli import main as _main  # Ctrl-C: glassnet/__init__.py's start guard
    sys.exit(_main())
