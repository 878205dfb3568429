"""Read and write CSV files without pandas: a :class:`Table` of named 1-D NumPy columns.

Columns are typed once, when the file is read:

* a column whose every present value parses as a number is **numeric**: ``float64`` with
  ``NaN`` for missing values;
* any other column is **text**: an ``object`` array of ``str`` with ``None`` for missing values.

Missing values are empty fields and the tokens in :data:`NA_VALUES` (``NA``, ``NaN``, ``nan``,
``null``, ``?`` ...), and in a column whose other values are numbers those of
:data:`NUMERIC_NA_VALUES` too (``#N/A``, ``None``, ``<NA>`` ...: the rest of pandas' default
missing markers; in a text column they are categories, as glassnet always read them there),
and any spelling of NaN that NumPy reads (``Nan``, ``+nan``).
Fields are stripped of surrounding white space.

The field separator is detected from the header (``,``, ``;``, tab or ``|``; see
:func:`read_csv`) unless given. The reader understands quoted fields (commas and new lines
inside quotes), a UTF-8 byte-order mark, UTF-16 with a byte-order mark, ``\\r\\n`` line ends, gzip files (by their magic
bytes, whatever the name) and a trailing empty column with an empty header (written by some
spreadsheet exports; it is dropped, also when only the header has the trailing separator).
Another column with a blank name is named ``unnamed_<j>`` (``j`` its 0-based position; with a
``.1``, ``.2`` ... suffix while that name is taken), so it never replaces a named column. It
refuses, with a ``ValueError`` that says why: an empty file, a header without rows, rows whose
number of fields differs from the header (naming the line), duplicate column names, and files
that are not text. A table read from a file knows the line each row starts on
(:attr:`Table.line_numbers`, :meth:`Table.row_label`), so
later messages can point into it.
"""
from __future__ import annotations

import codecs
import contextlib
import csv as _csv
import gc
import gzip
import io
import itertools
import math
import operator
import os
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .._validate import _is_missing, repeated_names

__all__ = ["Table", "ColumnNotFoundError", "DelimiterError", "read_csv", "write_csv",
           "NA_VALUES", "NUMERIC_NA_VALUES", "DELIMITERS", "is_numeric_column",
           "NumericShare"]

#: Field values read as missing (after stripping white space). Empty fields are missing too.
NA_VALUES = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "NAN", "null", "NULL", "?"})

#: Field values read as missing in a column whose other values are numbers (Excel's #N/A, a
#: Python script's None, pandas' <NA> ...): pandas' default markers beyond NA_VALUES. In a
#: text column they stay text, as glassnet always read them there (models have them as
#: categories).
NUMERIC_NA_VALUES = frozenset({"#N/A", "#N/A N/A", "#NA", "<NA>", "None", "-NaN", "-nan",
                               "1.#IND", "1.#QNAN", "-1.#IND", "-1.#QNAN"})

_GZIP_MAGIC = b"\x1f\x8b"

#: The field separators ``read_csv`` chooses from when none is given, preferred in this order.
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "';'", "\t": "tab", "|": "'|'"}


class DelimiterError(ValueError):
    """A file read with one field separator that looks delimited by another
    (:attr:`delimiter`): its header came out as a single field holding that character."""

    def __init__(self, message, delimiter):
        super().__init__(message)
        self.delimiter = delimiter


class ColumnNotFoundError(KeyError):
    """A column name that the table does not have; the message lists the ones it has."""

    def __init__(self, name, columns):
        self.name = name
        self.columns = list(columns)
        shown = ", ".join(repr(c) for c in self.columns[:50])
        more = f", ... ({len(self.columns)} in all)" if len(self.columns) > 50 else ""
        self.message = f"no column {name!r}; available columns: {shown}{more}"
        super().__init__(self.message)

    def __str__(self):  # KeyError would quote the whole message
        return self.message


class NumericShare(NamedTuple):
    """What :meth:`Table.numeric_share` finds in a column: how many of its ``n_values``
    present values are plain numbers (``n_numeric``) or numbers with formatting
    (``n_formatted``: currency signs, ``%``, thousands separators; the first is
    ``first_formatted``), and the first value that is neither (``first_bad``, at row
    ``first_bad_row``, line ``first_bad_line`` of the file or None); ``bad_values``: each
    distinct value that is neither, in the order they first appear."""

    n_values: int
    n_numeric: int
    n_formatted: int
    first_bad: str | None
    first_bad_row: int | None
    first_bad_line: int | None
    first_formatted: str | None
    bad_values: tuple = ()


# A number with formatting: a currency sign before or after it, a trailing %, thousands
# groups (',' or an apostrophe with '.' as the decimal point; or '.' with the decimal comma;
# or spaces).
_CURRENCY = "$€£¥₹"
_FORMATTED = [re.compile(  # [0-9], not \d: the digits pandas reads (not ٣)
    r"[+-]?\s*[" + _CURRENCY + r"]?\s*[+-]?(?:(?:[0-9]{1,3}(?:[" + sep
    + r" \u00a0\u202f][0-9]{3})+|[0-9]+)(?:" + dec + r"[0-9]*)?|" + dec + r"[0-9]+)\s*(?:%|["
    + _CURRENCY + r"])?") for sep, dec in ((",'", r"\."), (r"\.", ","))]
_SAMPLE = 50  # values looked at before number_share(give_up_below=...) may give up


_ACCOUNTING = re.compile(r"\((.+)\)|(.+?)\s*-")   # (123,45) and SAP's 123,45-: negatives


def _number_kind(v: str, comma: bool) -> int:
    """0: ``v`` reads as a number (with the decimal comma too if ``comma``); 1: it does once
    currency signs, ``%``, thousands separators and an accounting minus ((12) or 12-) are
    removed; 2: neither."""
    if _plain(v):
        try:
            float(v)
            return 0
        except ValueError:
            pass
        if comma and _COMMA_NUMBER.fullmatch(v):
            return 0
    if any(f.fullmatch(v) for f in _FORMATTED):
        return 1
    inner = _ACCOUNTING.fullmatch(v)
    if inner and any(c.isdigit() for c in v):
        body = (inner.group(1) or inner.group(2)).strip()
        if body[:1] in "+-(" or body[-1:] in "-)":   # (12-), ((12)): no accounting number
            return 2
        return 1 if _number_kind(body, comma) < 2 else 2
    return 2


def _plain(text: str) -> bool:
    """Whether ``text`` may be a number: no ``_`` and only ASCII once the white space around
    it (any Unicode space, as ``float()`` strips) is removed. Python's ``float()`` and numpy
    read PEP 515 digit separators (``1_000``, ``2021_01``) and any Unicode digits (``٣``);
    pandas (and so glassnet) reads those as text."""
    text = text.strip()
    return text.isascii() and "_" not in text


def plain_float(v) -> float:
    """``float(v)`` for a number as :func:`read_csv` reads one: ValueError for text that
    only Python reads as a number (``1_000``, ``٣``; see :func:`_plain`)."""
    if isinstance(v, str) and not _plain(v):
        raise ValueError(f"not a number: {v!r}")
    return float(v)


def decimal_comma_number(value) -> bool:
    """Whether ``value`` is a number as written with the decimal comma (``1,5``, ``3,54``,
    ``1.138,23``; ``1,500`` too: a comma may also group thousands)."""
    if not isinstance(value, str):
        return False
    t = value.strip()
    return "," in t and _COMMA_NUMBER.fullmatch(t) is not None


def comma_float(v) -> float:
    """A number as :func:`read_csv` reads it in a decimal-comma file: ``1,5`` and ``1.500,25``
    (``.`` grouping thousands) as well as plain ones; ValueError otherwise."""
    if isinstance(v, str):
        t = v.strip()
        if decimal_comma_number(t) or _GROUPED.fullmatch(t):   # 1,5 or 1.500
            return float(t.replace(".", "").replace(",", "."))
    return plain_float(v)


def number_share(values, comma: bool = False, lines=None,
                 give_up_below: float | None = None) -> NumericShare | None:
    """:class:`NumericShare` of the text ``values`` (None for missing): how many read as
    numbers, plain or with formatting (see :meth:`Table.numeric_share`); ``lines`` gives
    each row's file line. With ``give_up_below``, None as soon as the first 50 present
    values hold fewer numbers than that share (cheap on columns that are plainly text)."""
    kind_of: dict[str, int] = {}  # value -> 0 number, 1 formatted number, 2 neither
    counts = [0, 0, 0]
    bad = formatted = None
    for i, v in enumerate(values):
        if v is None:
            continue
        kind = kind_of.get(v)
        if kind is None:
            kind = kind_of[v] = _number_kind(str(v).strip(), comma)
        counts[kind] += 1
        if kind == 2 and bad is None:
            bad = (v, i)
        elif kind == 1 and formatted is None:
            formatted = v
        if (give_up_below is not None and sum(counts) == _SAMPLE
                and counts[0] + counts[1] < give_up_below * _SAMPLE):
            return None
    line = None if bad is None or lines is None else int(lines[bad[1]])
    return NumericShare(sum(counts), counts[0], counts[1], bad and bad[0], bad and bad[1],
                        line, formatted, tuple(v for v, k in kind_of.items() if k == 2))


def is_numeric_column(arr: np.ndarray) -> bool:
    """True for bool, integer and float columns; False for text (object/str) columns."""
    return np.asarray(arr).dtype.kind in "biuf"


class Table(Mapping):
    """An ordered mapping ``column name -> 1-D array``, all columns the same length.

    ``table["Age"]`` is a column; ``table[rows]`` with an integer array, a boolean mask or a
    slice is a new Table with those rows. ``len(table)`` is the number of *columns* (it is a
    mapping); the number of rows is :attr:`n_rows`.
    """

    def __init__(self, columns=None, *, n_rows: int | None = None):
        self._cols: dict[str, np.ndarray] = {}
        columns = {} if columns is None else columns
        items = columns.items() if isinstance(columns, Mapping) else columns
        for name, values in items:
            if not isinstance(name, str):
                raise TypeError(f"column names must be str, got {name!r}")
            if name in self._cols:
                raise ValueError(f"duplicate column name {name!r}")
            try:
                arr = _as_column(values)
            except TypeError as exc:   # (a datetime column: "unsupported column dtype ...")
                raise TypeError(f"column {name!r}: {exc}") from None
            if arr.ndim != 1:
                raise ValueError(f"column {name!r} must be 1-D, got shape {arr.shape}")
            if n_rows is None:
                n_rows = arr.shape[0]
            elif arr.shape[0] != n_rows:
                raise ValueError(f"column {name!r} has {arr.shape[0]} rows, expected {n_rows}")
            self._cols[name] = arr
        self._n_rows = 0 if n_rows is None else int(n_rows)
        # keep_text: column -> the fields whose text is not what write_csv writes for the
        # value read (None where it is; see _full_text)
        self._text: dict[str, np.ndarray] = {}
        self._lines: np.ndarray | None = None     # read_csv: the line each row starts on
        self._source: str | None = None           # read_csv: the file's name
        self._comma = False                        # read_csv: with the decimal comma
        self._comma_cols: frozenset = frozenset()  # read_csv: columns read with it
        self._dot_cols: frozenset = frozenset()    # read_csv: columns read with '.' decimals
        self._dot_read_forced: frozenset = frozenset()  # of the model's comma columns
        self._undecided_dots: frozenset = frozenset()   # read_csv: 15.470 read as 15.47
        self._not_utf8_line: int | None = None     # read_csv: the first Windows-1252 line
        self._header: dict[str, str] = {}          # read_csv: names spelled otherwise
        self._point_example = False                # decimal_point_example, once computed

    def _carry_read_facts(self, out, keep) -> "Table":
        """Copy onto ``out`` (a table of some of these columns or rows) what ``read_csv``
        recorded about this one, each column fact for the columns ``keep(c)`` says stay."""
        out._source, out._comma, out._not_utf8_line = \
            self._source, self._comma, self._not_utf8_line
        for attr in ("_comma_cols", "_dot_cols", "_dot_read_forced", "_undecided_dots"):
            setattr(out, attr, frozenset(c for c in getattr(self, attr) if keep(c)))
        out._header = {c: h for c, h in self._header.items() if keep(c)}
        return out

    def _derived(self, names, rows=None) -> "Table":
        """The columns ``names`` (and only the ``rows`` given, integer indices), keeping
        what ``read_csv`` recorded about them."""
        if rows is None:
            out = Table({c: self._cols[c] for c in names}, n_rows=self._n_rows)
        else:
            out = Table({c: self._cols[c][rows] for c in names}, n_rows=len(rows))
        out._text = {c: (t if rows is None else t[rows]) for c, t in self._text.items()
                     if c in out._cols}
        if self._lines is not None:
            out._lines = self._lines if rows is None else self._lines[rows]
        return self._carry_read_facts(out, lambda c: c in out._cols)

    # -- mapping protocol ---------------------------------------------------------------
    def __getitem__(self, key):
        if isinstance(key, str):
            try:
                return self._cols[key]
            except KeyError:
                raise ColumnNotFoundError(key, self._cols) from None
        return self.take(key)

    def __iter__(self):
        return iter(self._cols)

    def __len__(self):
        return len(self._cols)

    def __contains__(self, key):
        return isinstance(key, str) and key in self._cols

    def get(self, key, default=None):
        return self._cols.get(key, default)

    def __eq__(self, other):
        if not isinstance(other, Table):
            return NotImplemented
        if self.columns != other.columns or self.n_rows != other.n_rows:
            return False
        for name in self.columns:
            a, b = self._cols[name], other._cols[name]
            if is_numeric_column(a) != is_numeric_column(b):
                return False
            if is_numeric_column(a):
                if not np.array_equal(a, b, equal_nan=True):
                    return False
            elif list(a) != list(b):
                return False
        return True

    __hash__ = None

    # -- shape ----------------------------------------------------------------------------
    @property
    def columns(self) -> list[str]:
        """Column names, in file order."""
        return list(self._cols)

    @property
    def n_rows(self) -> int:
        return self._n_rows

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_rows, n_columns)``."""
        return (self._n_rows, len(self._cols))

    def __repr__(self):
        cols = ", ".join(self.columns[:8]) + (", ..." if len(self._cols) > 8 else "")
        return f"Table({self._n_rows} rows x {len(self._cols)} columns: {cols})"

    # -- selection ------------------------------------------------------------------------
    def take(self, rows) -> "Table":
        """A new Table with the given rows (integer indices, boolean mask or slice)."""
        if isinstance(rows, slice):
            idx = np.arange(self._n_rows)[rows]
        else:
            idx = np.asarray(rows)
            if idx.dtype == bool:
                if idx.shape != (self._n_rows,):
                    raise ValueError(f"boolean row mask has shape {idx.shape}, "
                                     f"expected ({self._n_rows},)")
                idx = np.flatnonzero(idx)
            elif idx.size == 0:
                idx = idx.astype(np.intp)
            elif idx.dtype.kind not in "iu":
                raise TypeError(f"rows must be integer indices, a boolean mask or a slice, "
                                f"got dtype {idx.dtype}")
            if idx.ndim != 1:
                raise ValueError(f"row indices must be 1-D, got shape {idx.shape}")
            if idx.size and (idx.max() >= self._n_rows or idx.min() < -self._n_rows):
                raise IndexError(f"row index out of range for a table of {self._n_rows} rows")
        return self._derived(self._cols, idx)

    def head(self, n: int = 5) -> "Table":
        return self.take(slice(0, n))

    def select(self, columns) -> "Table":
        """A new Table with only ``columns``, in that order."""
        if isinstance(columns, str):
            columns = [columns]
        missing = [c for c in columns if c not in self._cols]
        if missing:
            raise ColumnNotFoundError(missing[0] if len(missing) == 1 else missing, self._cols)
        return self._derived(columns)

    def drop(self, columns) -> "Table":
        """A new Table without ``columns`` (each must exist)."""
        if isinstance(columns, str):
            columns = [columns]
        missing = [c for c in columns if c not in self._cols]
        if missing:
            raise ColumnNotFoundError(missing[0] if len(missing) == 1 else missing, self._cols)
        gone = set(columns)
        return self._derived([c for c in self._cols if c not in gone])

    def with_column(self, name: str, values) -> "Table":
        """A new Table with column ``name`` added (or replaced)."""
        cols = dict(self._cols)
        cols[name] = values
        out = Table(cols, n_rows=self._n_rows)
        out._text = {c: t for c, t in self._text.items() if c != name}
        out._lines = self._lines
        return self._carry_read_facts(out, lambda c: c != name)

    @property
    def line_numbers(self) -> np.ndarray | None:
        """For a table from :func:`read_csv` (and row selections of it): the line of the file
        each row starts on (1-based, the header being line 1 unless blank lines come before
        it); None for other tables."""
        return self._lines

    def row_label(self, i: int) -> str:
        """Where row ``i`` is, for messages: ``"line 5 of data.csv"`` for a table read from a
        file, else ``"row 3"`` (0-based)."""
        if self._lines is None:
            return f"row {i}"
        return f"line {self._lines[i]}" + (f" of {self._source}" if self._source else "")

    def text(self, name: str) -> np.ndarray | None:
        """Column ``name`` as the file spelled it: an ``object`` array of the fields' exact
        text (``"007"``, ``"3.0"``, ``"NA"``), or None when the table was not read with
        ``read_csv(..., keep_text=True)``."""
        if name not in self._cols:
            raise ColumnNotFoundError(name, self._cols)
        return self._text_rows(name, 0, self._n_rows)

    def _text_rows(self, name, lo, hi):
        """:meth:`text` of rows lo..hi only (None without keep_text): built on request from
        the values read and the fields spelled otherwise, so that only those are held."""
        diff = self._text.get(name)
        if diff is None:
            return None
        diff = diff[lo:hi]
        if diff.dtype.kind == "S":  # the fields of a number column, as ASCII bytes
            return diff.astype(str).astype(object)
        out = np.empty(len(diff), dtype=object)
        out[:] = [s if d is None else d
                  for d, s in zip(diff.tolist(), _format_column(self._cols[name][lo:hi]))]
        return out

    def header_text(self, name: str) -> str:
        """Column ``name``'s header as the file spelled it (``" a "`` for ``a``, ``""`` for
        an ``unnamed_<j>`` column); ``name`` itself for tables not read from a file."""
        if name not in self._cols:
            raise ColumnNotFoundError(name, self._cols)
        return self._header.get(name, name)

    @property
    def not_utf8_line(self):
        """The file line of the first bytes :func:`read_csv` found not to be UTF-8 (read as
        Windows-1252 characters), or None for a UTF-8 (or UTF-16, or ASCII) file."""
        return self._not_utf8_line

    @property
    def decimal_comma_columns(self) -> frozenset:
        """The numeric columns :func:`read_csv` read with the decimal comma (a value had one,
        or ``.`` grouped thousands): what ``read_csv(decimal_comma_columns=)`` takes for a
        later file written the same way."""
        return self._comma_cols

    @property
    def dot_decimal_columns(self) -> frozenset:
        """In a table read with the decimal comma: the numeric columns whose ``.`` was read as
        a decimal point although it might have grouped thousands (``886.440``; the file showed
        no decimal comma): what ``read_csv(dot_decimal_columns=)`` takes for a later file."""
        return self._dot_cols

    @property
    def undecided_dot_columns(self) -> frozenset:
        """In a table read with the decimal comma: the numeric columns of whole numbers with a
        ``.`` before three digits (``15.470`` beside ``774``) that were read with ``.`` as
        their decimal point because nothing in the file showed its decimal mark (no number
        nor amount such as ``148,78 €`` with a decimal comma or ``0.5``), though the ``.``
        may group thousands there."""
        return self._undecided_dots

    @property
    def dot_read_comma_columns(self) -> frozenset:
        """Of the ``decimal_comma_columns`` given to :func:`read_csv`, those read with '.' as
        their decimal point because the file's numbers show '.' decimals elsewhere."""
        return self._dot_read_forced

    @property
    def decimal_comma(self) -> bool:
        """Whether :func:`read_csv` read this table's numbers with the decimal comma (``1,5``
        as 1.5: a ';'-separated file, or ``decimal=","``)."""
        return self._comma

    @property
    def decimal_point_example(self) -> tuple[str, str] | None:
        """For a table not read with the decimal comma: ``(column, value)`` of a value that
        shows '.' as its decimal mark, a number with decimals (``3.5``) or an amount in a
        text cell (``$148.78``, ``21.3%``), when no amount shows the decimal comma
        (``148,78 €``); else None. Where '.' is so the decimal mark, a comma in a text
        column's numbers (``15,470``) groups thousands. Computed on first use."""
        if getattr(self, "_point_example", False) is False:   # (a Table pickled before it)
            self._point_example = None if self._comma else _point_example(self)
        return self._point_example

    def numeric_share(self, name: str) -> "NumericShare":
        """Why column ``name`` is text when it is mostly numbers: a :class:`NumericShare`
        ``(n_values, n_numeric, n_formatted, first_bad, first_bad_row, first_bad_line,
        first_formatted, bad_values)``.

        Of the column's ``n_values`` present (non-missing) values, ``n_numeric`` read as
        plain numbers (with the decimal comma too when the file was read with it, see
        :func:`read_csv`) and ``n_formatted`` as numbers once currency signs (``$ € £``), a
        trailing ``%``, and thousands separators are removed (``"$170,274"``, ``"27.0%"``):
        a caller can then say "strip the symbols". ``first_formatted`` is the first such
        value; ``first_bad`` the first value that is neither, with its row index
        ``first_bad_row`` and, for a table read from a file, its line ``first_bad_line``
        (else None); ``bad_values`` holds each distinct such value once (``#REF!``,
        ``#N/A`` ...). A numeric column gives ``(n, n, 0, None, None, None, None, ())``.

        Computed on request from the column's values (it costs nothing when reading).
        """
        col = self[name]
        if is_numeric_column(col):
            n = int(col.size - _missing_mask(col).sum())
            return NumericShare(n, n, 0, None, None, None, None)
        return number_share(col, self._comma, self._lines)

    def to_numpy(self, columns=None, dtype=np.float32) -> np.ndarray:
        """The numeric ``columns`` (all by default) as an ``(n_rows, n_columns)`` matrix.

        Text columns are refused: encode them first (see :class:`glassnet.preprocess.
        TabularPreprocessor`).
        """
        names = self.columns if columns is None else list(columns)
        text = [c for c in names if not is_numeric_column(self[c])]
        if text:
            raise ValueError(f"column(s) {text} hold text, not numbers; encode them first "
                             f"(glassnet.preprocess.TabularPreprocessor does one-hot encoding)")
        out = np.empty((self._n_rows, len(names)), dtype=dtype)
        for j, c in enumerate(names):
            out[:, j] = self._cols[c]
        return out

    def to_dict(self) -> dict:
        """``{name: list of values}`` with ``None`` for missing values (JSON-friendly)."""
        out = {}
        for name, arr in self._cols.items():
            if is_numeric_column(arr):
                out[name] = [None if (isinstance(v, float) and math.isnan(v)) else v
                             for v in arr.tolist()]
            else:
                out[name] = list(arr)
        return out

    def missing_counts(self) -> dict[str, int]:
        """Number of missing values per column."""
        return {name: int(_missing_mask(arr).sum()) for name, arr in self._cols.items()}


#: What to do with dates or times, which glassnet reads as text (or refuses, as datetime64).
DATE_ADVICE = ("derive numbers from them (year, month, day, weekday, hour) in a column of "
               "their own to use them")


_TEXT_TYPES = frozenset({str, type(None)})


def _as_column(values) -> np.ndarray:
    """Normalise a user-given column: numbers (and bools, and either with None or pandas' NA
    for missing) are numeric, datetime64/timedelta64 a TypeError, everything else text."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "biufO":
        arr = values
    else:
        values = list(values) if not isinstance(values, np.ndarray) else values
        try:
            arr = np.asarray(values)
        except ValueError:
            arr = np.empty(len(values), dtype=object)
            arr[:] = values
    if arr.dtype.kind in "biuf":
        return arr
    if arr.dtype.kind in "US":
        arr = arr.astype(object)
    if arr.dtype.kind != "O":
        what = (f"dates or times: {DATE_ADVICE}" if arr.dtype.kind in "mM" else
                "numbers or text only")
        raise TypeError(f"unsupported column dtype {arr.dtype} ({what})")
    if arr.ndim == 1 and arr.size and all(
            _is_missing(v) or isinstance(v, (int, float, np.number, np.bool_)) for v in arr):
        # numbers (or bools, 0 and 1 as in a bool column) with None or pandas' NA for missing:
        # a numeric column, as the same column without its missing values is
        return np.array([np.nan if _is_missing(v) else float(v) for v in arr], dtype=np.float64)
    if arr.ndim == 1 and set(map(type, arr.tolist())) <= _TEXT_TYPES:
        return arr.copy()   # already text as read_csv makes it (every table it reads, and
        # each take or select of one): no per-value work below
    out = np.empty(arr.shape, dtype=object)
    flat = arr.ravel()
    out_flat = out.ravel()
    for i, v in enumerate(flat):  # pandas' NA of a "string" column is missing, not '<NA>'
        if _is_missing(v) or (isinstance(v, float) and math.isnan(v)):
            out_flat[i] = None
        elif isinstance(v, bytes):
            out_flat[i] = v.decode("utf-8", "replace")
        else:
            out_flat[i] = v if isinstance(v, str) else str(v)
    return out


def _missing_mask(arr: np.ndarray) -> np.ndarray:
    if is_numeric_column(arr):
        return np.isnan(arr) if arr.dtype.kind == "f" else np.zeros(arr.shape, bool)
    return np.array([v is None for v in arr], dtype=bool)


# ---------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------
def _read_bytes(source) -> tuple[bytes, str]:
    """The raw bytes of a path or file object, and a name for messages."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise FileNotFoundError(f"CSV file not found: {str(path)!r}")
        if path.is_dir():
            raise IsADirectoryError(f"expected a CSV file, got a directory: {str(path)!r}")
        with open(path, "rb") as f:
            return _checked_read(f, str(path)), str(path)
    if hasattr(source, "read"):
        name = str(getattr(source, "name", "<file object>"))
        head = source.read(_SAMPLE_BYTES)
        if isinstance(head, str):   # a text file: a pasted web page, NUL characters
            # (one opened with errors="surrogateescape" holds its undecodable bytes as lone
            # surrogates: they are put back, and the decoding reads them as Windows-1252 and
            # notes it; another lone surrogate is kept as bytes that are not UTF-8 either)
            text = head + source.read()
            try:
                data = text.encode("utf-8", "surrogateescape")
            except UnicodeEncodeError:
                data = text.encode("utf-8", "surrogatepass")
            _refuse_binary(data[:_SAMPLE_BYTES], name)
            return data, name
        return _checked_read(source, name, bytes(head)), name
    raise TypeError(f"read_csv expects a path or a file object, got {type(source).__name__}")


def _checked_read(f, name, head=None) -> bytes:
    """The bytes of the binary file ``f``, its first ones (``head``, read here when None)
    checked before the rest is read: a binary file (a multi-GB Parquet file, /dev/zero) is
    refused at once, not read whole into memory first."""
    if head is None:
        head = f.read(_SAMPLE_BYTES)
    if not head.startswith(_GZIP_MAGIC):   # (a gzip file's own bytes are checked inflated)
        _refuse_binary(head, name)
    return head + f.read()


def _refuse_binary(head: bytes, name: str) -> None:
    """Refuse data whose first bytes ``head`` show a file of another kind (a workbook, a web
    page, ...) or binary data (NUL bytes; text with a UTF-16 byte-order mark has its own,
    checked by _decode once decoded)."""
    found = _foreign(head)
    if found is not None:
        raise ValueError(f"{name} is not a CSV file: it looks like {found[0]}{found[1]}")
    if not head.startswith(_UTF16_BOMS):
        _refuse_nul_bytes(head, name)


def foreign_format(data: bytes) -> str | None:
    """What a file is, by its first bytes, when it is a kind of file that is neither a CSV nor
    a glassnet model's text (a workbook, an archive, a pickle, a web page, ...): "a Parquet
    file", "a glassnet model file"; None for anything else. The CSV reader and the model
    loader name such files instead of failing on their bytes."""
    found = _foreign(data)
    return None if found is None else found[0]


def _foreign(data: bytes):
    """(kind, what to do about it as the data) for :func:`foreign_format`, or None."""
    if data[:1] == b"\x80" and len(data) > 1 and data[1] <= 5:
        return "a Python pickle, which glassnet never loads (unpickling can run code)", ""
    for magic, kind, advice in _MAGIC_KINDS:
        if data.startswith(magic):
            return kind, advice
    head = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n").lower()
    if head.startswith("<"):
        if head.startswith(("<!doctype html", "<html")) or "<html" in head:
            return "an HTML page (such as glassnet explain --format html writes)", ""
        if "<svg" in head:
            return "an SVG image (such as glassnet explain --format svg writes)", ""
        if head.startswith(("<?xml", "<!doctype", "<!--")):
            return "an XML file", ""
    return None


# (first bytes, what the file is, what to do when it was given as the data)
_MAGIC_KINDS = (
    (b"GLASSNET", "a glassnet model file",
     ": did you swap the model and the data? (glassnet predict MODEL DATA)"),
    (b"\x93NUMPY", "a NumPy .npy file", ""),
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook, an .npz file or zipped files)",
     ": save a workbook's sheet as CSV UTF-8, or unzip the CSV"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
     "an Excel 97-2003 workbook (.xls) or another Office file", ": save the sheet as CSV UTF-8"),
    (b"PAR1", "a Parquet file", ""),
    (b"\x89HDF", "an HDF5 file (a Keras .h5 model?)", ""),
    (b"version https://git-lfs.github.com/spec/",
     "a Git LFS pointer, not the file itself (fetch it with git lfs pull)", ""),
)


_SAMPLE_BYTES = 65536  # the file's first bytes, where binary data shows itself
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _refuse_nul_bytes(sample: bytes, name: str) -> None:
    """A file whose first bytes ``sample`` hold NUL bytes is no CSV text: UTF-16 without a
    byte-order mark (a NUL in every other position, the other half text), or binary."""
    if b"\x00" not in sample:
        return
    half = len(sample) // 2
    nul = sorted((sample[0::2].count(0), sample[1::2].count(0)))
    if half >= 2 and nul[1] >= 0.9 * half and nul[0] < 0.1 * half:
        raise ValueError(f"{name} looks like UTF-16 text without a byte-order mark (a NUL "
                         f"byte in every other position); save it as CSV UTF-8")
    raise ValueError(f"{name} is not a text CSV file (it contains NUL bytes; is it binary?)")


def _decode(data: bytes, name: str) -> str:
    """The text of ``data``, whose first bytes :func:`_refuse_binary` has checked."""
    if data.startswith(_UTF16_BOMS):  # UTF-16 (Excel's "Unicode Text")
        try:
            text = data.decode("utf-16")  # the byte-order mark says which end first
        except UnicodeDecodeError as exc:
            raise ValueError(f"{name} starts with a UTF-16 byte-order mark but is not valid "
                             f"UTF-16 ({exc.reason} at byte {exc.start}); save it as CSV "
                             f"UTF-8") from None
        if "\x00" in text[:32768]:
            raise ValueError(f"{name} is not a text CSV file (it contains NUL characters; is "
                             f"it binary?)")
        return text
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Not UTF-8: accept it as a legacy 8-bit encoding (Windows-1252) if it looks like text.
    sample = data[:_SAMPLE_BYTES]
    control = sum(1 for b in sample if (b < 32 and b not in (9, 10, 12, 13)) or b == 127)
    if control > 0.01 * len(sample):
        raise ValueError(f"{name} is not a text CSV file (undecodable bytes and control "
                         f"characters; is it binary?)")
    # UTF-8 where it is valid, Windows-1252 for the bytes that are not: a UTF-8 file with a
    # few pasted Windows-1252 rows keeps its UTF-8 text (decoding all of it as Windows-1252
    # turned ü into Ã¼ there), and a Windows-1252 file reads as Windows-1252 (in one pass
    # when no valid multi-byte UTF-8 sequence is there: the handler is per byte)
    escaped = data.decode("utf-8-sig", errors="surrogateescape")
    if not _UTF8_CHAR.search(escaped):  # (a UTF-8 byte-order mark is no Windows-1252 text)
        return data.removeprefix(codecs.BOM_UTF8).decode("cp1252", errors="replace")
    return data.decode("utf-8-sig", errors=_CP1252_FALLBACK)


# a character that UTF-8 decoding made of a valid multi-byte sequence (not an escaped byte)
_UTF8_CHAR = re.compile("[\u0080-\udc7f\udd00-\U0010ffff]")


def _cp1252_bytes(exc):
    """Codec error handler: the undecodable bytes of a UTF-8 decode as Windows-1252."""
    return exc.object[exc.start:exc.end].decode("cp1252", errors="replace"), exc.end


_CP1252_FALLBACK = "glassnet-cp1252"
codecs.register_error(_CP1252_FALLBACK, _cp1252_bytes)


def _not_utf8_line(data: bytes):
    """The line (1-based) of ``data``'s first byte that is not valid UTF-8, or None."""
    try:
        data.decode("utf-8-sig")
        return None
    except UnicodeDecodeError as exc:   # lines end in \n, \r\n or (old Macs) \r
        return (data.count(b"\n", 0, exc.start) or data.count(b"\r", 0, exc.start)) + 1


_SEP_LINE = re.compile(r"\ufeff?sep=(.)[ \t]*\r?\n")


def read_csv(source, *, delimiter: str | None = None, na_values=None,
             keep_text: bool = False, decimal: str | None = None,
             decimal_comma_columns=(), dot_decimal_columns=(), skip_rows: int = 0,
             marker_text_columns=()) -> Table:
    """Read a CSV file (path, ``Path`` or file object; gzip detected) into a :class:`Table`.

    Parameters
    ----------
    source : str, os.PathLike or file object
        The file. Gzip-compressed content is recognised by its magic bytes.
    delimiter : str, optional
        Field separator. By default it is detected: of :data:`DELIMITERS` (``,`` ``;`` tab
        ``|``), the one that splits the header line (outside quotes) into the most fields and
        gives the first rows as many; ``,`` when none splits the header.
        Only ASCII digits make numbers, and ``_`` is no digit separator: fields such as
        ``2021_01``, ``1_000`` or ``٣`` are text, as pandas reads them (Python's ``float()``
        would read 202101.0, 1000.0 and 3.0).
    na_values : str or iterable of str, optional
        More tokens read as missing (``["unknown", "-", "-999"]``), in addition to
        :data:`NA_VALUES` and empty fields, which are always missing, and
        :data:`NUMERIC_NA_VALUES` (``#N/A``, ``None``), missing in a column whose other
        values are numbers (a category in a text column). Fields are compared
        after stripping white space (the tokens are stripped too), case-sensitively. Anything
        but strings raises ``TypeError``.
    keep_text : bool
        Also keep every field's exact text (:meth:`Table.text`), for writing columns back
        unchanged: ``007`` stays ``007``, not the number 7. Off by default (it keeps the
        file's strings in memory).
    decimal : {".", ","}, optional
        The decimal mark. By default ``.``, and for a ``;``-separated file also ``,`` (as
        spreadsheets write CSV where the comma is the decimal mark): a column whose every
        value reads as a number once its one comma is taken as the decimal point (``1,5``,
        ``-0,25``) is numeric. In such a column (one value with a decimal comma is enough,
        anywhere in the file) a ``.`` groups thousands: ``1.500`` is 1500 and ``2.250,75``
        2250.75; a number whose ``.`` is no such grouping (``1.5``) makes the column
        ambiguous, and it is refused with a ``ValueError`` naming the line. Columns of whole
        numbers with ``.`` (``850``, ``42.605``, ``1.234.567``) follow the file: when some
        number of it has a decimal comma and none a ``.`` decimal point (``0.5``), or with
        ``decimal=","``, every such ``.`` groups thousands (``30.673`` is 30673, alone too);
        when some number has a ``.`` decimal point, none does. Where no number shows the
        mark, an amount in a text cell does (``148,78 €``, ``21,3 %`` or ``12,5 kg``: the
        decimal comma; ``$148.78``, ``12.50 CHF``: the point): a currency sign or code, a
        percentage or a unit of measure, not a clock time (``12.03 Uhr``, ``08.15 am``) or
        other words. Otherwise only in ``decimal_comma_columns``
        (and where two dots leave no doubt), and ``Table.undecided_dot_columns`` names the
        columns read with ``.`` decimals. Other numbers with a ``.`` are read as usual.
    decimal_comma_columns : iterable of str
        With the decimal comma on: columns known to be written with it (a model's training
        file had decimal commas there), where a ``.`` groups thousands even when no value of
        this file has a comma or one of fewer than four digits (``1.138`` is 1138), unless
        the file's numbers show ``.`` as their decimal point (then
        ``Table.dot_read_comma_columns`` names those of them read with '.' decimals).
    dot_decimal_columns : iterable of str
        With the decimal comma on: columns known to use ``.`` as their decimal point (a
        model's training file read ``886.440`` as 886.44 there: ``Table.dot_decimal_columns``),
        read as in a file without the decimal comma: a ``.`` never groups thousands there,
        whatever the rest of this file shows, and a value with a decimal comma is text.
    skip_rows : int
        Lines at the top of the file to skip before the header: a title, a date, notes that
        a report or spreadsheet export puts above its table (``skip_rows=2``). Line numbers
        in messages still count the file's lines, skipped ones included.
    marker_text_columns : iterable of str
        Columns where :data:`NUMERIC_NA_VALUES` stay text beside numbers too, as glassnet
        0.2.0 read them: a model's columns that have one of them as a category (``None`` of
        a column of numbers and such text, fitted then, or of a text column whose new file
        holds only numbers and it). (``-nan`` and ``-NaN`` are NaN to numpy: missing beside
        numbers either way, as any case and sign of ``nan`` is, ``Nan`` and ``+nan`` too.)

    Returns
    -------
    Table
        Numeric columns as ``float64`` (``NaN`` = missing); others as ``object`` arrays of
        ``str`` (``None`` = missing).
    """
    skip_rows = _skip_count(skip_rows)
    data, name = _read_bytes(source)
    if data[:2] == _GZIP_MAGIC:
        try:
            # its first bytes first: binary data inside (a few hundred kB of zeros can
            # decompress to hundreds of MB) is refused before the whole is decompressed
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as inflated:
                head = inflated.read(_SAMPLE_BYTES)
                _refuse_binary(head, name)
                data = head + inflated.read()
        except (OSError, EOFError) as exc:
            raise ValueError(f"{name} looks gzip-compressed but could not be decompressed: "
                             f"{exc}") from exc
    if not data.strip():
        raise ValueError(f"{name} is empty: a CSV needs a header line and at least one row")
    text = _decode(data, name)
    legacy = None if text.isascii() or data.startswith(_UTF16_BOMS) \
        else _not_utf8_line(data)
    del data  # the decoded text is what is parsed
    sep_line = _SEP_LINE.match(text)
    if sep_line:  # Excel's "sep=;" first line: the separator, then the header (its line
        if delimiter is None:  # stays, blank, so that line numbers still match the file)
            delimiter = sep_line.group(1)
        text = "\n" + text[sep_line.end():]
    if skip_rows:
        text = _skip_lines(text, skip_rows, name)
    extra = _na_tokens(na_values)
    na = NA_VALUES | extra
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
    if decimal not in (None, ".", ","):
        raise ValueError(f"decimal must be '.' or ',', got {decimal!r}")
    comma_decimal = decimal == "," or (decimal is None and delimiter == ";")

    # the fast path reads a column with numpy alone: right unless a missing token reads as
    # a number (the default ones read as NaN at most)
    fast = not any(_as_number(tok) for tok in extra)
    # no field below the header holds "_" or a non-ASCII character (most files): no field
    # needs the check that numpy read no 1_000 or ٣ as a number
    plain = text.isascii() and text.find("_", _first_line_end(text) + 1) < 0
    forced = frozenset(decimal_comma_columns or ()) if comma_decimal else frozenset()
    kept = frozenset(dot_decimal_columns or ()) - forced if comma_decimal else frozenset()
    if isinstance(marker_text_columns, str):   # one column's name, not its letters
        marker_text_columns = [marker_text_columns]
    opts = (name, delimiter, na, fast, comma_decimal, keep_text, plain, forced, kept,
            frozenset(marker_text_columns or ()))
    # Rows are typed in chunks, so the fields of a large file are never all held as Python
    # strings at once (keep_text holds only those the values read do not spell). A column
    # that a later chunk shows to be text after earlier chunks read as numbers is rare: then
    # the file is typed again in one piece.
    with _reading():  # a text cell longer than csv's default limit is no error
        table = _parse(text, *opts, chunk_rows=_CHUNK_ROWS)
        if table is None:
            table = _parse(text, *opts, chunk_rows=None)
        mode = None
        if comma_decimal:
            ev = table._evidence
            if not (ev["comma"] or ev["dot"]) and (ev["thousands"] or ev["maybe"] or forced):
                # no number decides: the text cells' amounts (12,50 €, 3,5 %) show the mark
                ev = dict(ev, **_text_marks(table))
            mode = _decide_grouping(ev, decimal, forced)
            # the probe already read it so unless a column must now group or stop grouping
            if (mode == "all" and ev["maybe"]) or (mode == "none" and ev["thousands"]) or (
                    mode == "forced" and (ev["thousands"] - forced or ev["maybe"] & forced)):
                table = _parse(text, *opts, chunk_rows=None, grouping=mode)
    # a missing token that is a number (-999) marks the same number however it is written
    # (-999.0 from pandas' to_csv, -999,0 with the decimal comma), as pandas' na_values does
    nums = [float(np.array([t.strip()], dtype=np.float64)[0]) for t in extra if _as_number(t)]
    if nums:
        for c in table.columns:
            col = table._cols[c]
            if col.dtype == np.float64:
                col[np.isin(col, nums)] = np.nan
    # a model's decimal-comma columns whose '.' this file made a decimal point (it shows '.'
    # decimals elsewhere): the command says so, as the reading differs from training's
    table._dot_read_forced = frozenset(forced & table._ambiguous_dots)
    # the columns read with '.' decimals as asked, even where they hold text (1.234.567):
    # their text is then no decimal-comma number either
    table._dot_cols = table.dot_decimal_columns | (kept & set(table.columns))
    table._not_utf8_line = legacy
    table._skipped = skip_rows   # (a missing column's message asks if the header was one)
    # nothing in the file showed its decimal mark: whole numbers with '.' (15.470, 774) were
    # read with '.' decimals, which the command says (they may group thousands)
    if mode == "forced":
        table._undecided_dots = table._ambiguous_dots - forced
    return table


_CHUNK_ROWS = 16384


def _first_line_end(text: str) -> int:
    """Where the first line of ``text`` ends ("\n", "\r\n" or a lone "\r"), -1 if nowhere:
    in a file of "\r" line ends the first "\n" may lie inside a quoted field far below."""
    ends = [i for i in (text.find("\n"), text.find("\r")) if i >= 0]
    return min(ends) if ends else -1


def _skip_count(skip_rows) -> int:
    """``read_csv``'s ``skip_rows`` checked: a whole number, 0 or more."""
    if isinstance(skip_rows, bool) or not isinstance(skip_rows, (int, np.integer)):
        raise TypeError(f"skip_rows must be a whole number of lines, got {skip_rows!r}")
    if skip_rows < 0:
        raise ValueError(f"skip_rows must be 0 or more, got {skip_rows}")
    return int(skip_rows)


_LINE_END = re.compile(r"\r\n|\n|\r")


def _skip_lines(text: str, k: int, name: str) -> str:
    """``text`` with its first ``k`` lines left blank (their line ends kept, so that the
    reader's line numbers still count the file's lines); a ValueError when nothing is left
    to read."""
    end = None
    for i, m in enumerate(_LINE_END.finditer(text), 1):
        if i == k:
            end = m.end()
            break
    rest = "" if end is None else text[end:]
    if not rest.strip():
        n = len(_LINE_END.findall(text)) + (text[-1:] not in ("\r", "\n"))
        raise ValueError(f"{name}: nothing is left to read after skipping its first {k} "
                         f"line(s): it has {n}")
    return "\n" * k + rest


def _na_tokens(na_values) -> frozenset:
    """``read_csv``'s ``na_values`` as a set of stripped strings (a lone str is one token)."""
    if na_values is None:
        return frozenset()
    if isinstance(na_values, str):
        na_values = [na_values]
    if isinstance(na_values, dict):   # pandas' per-column form: its keys would be tokens
        raise TypeError("na_values must be a string or an iterable of strings, read in every "
                        "column; a dict of columns (pandas' per-column form) is not taken")
    try:
        tokens = list(na_values)
    except TypeError:
        raise TypeError(f"na_values must be a string or an iterable of strings, got "
                        f"{type(na_values).__name__}") from None
    bad = [t for t in tokens if not isinstance(t, str)]
    if bad:
        raise TypeError(f"na_values must be strings, got {bad[0]!r} "
                        f"({type(bad[0]).__name__}); write it as {str(bad[0])!r}")
    return frozenset(t.strip() for t in tokens)


def _as_number(token: str) -> bool:
    """True when the reader would read ``token`` as a number other than NaN."""
    if not _plain(token.strip()):
        return False
    try:
        return not np.isnan(np.array([token], dtype=np.float64)[0])
    except ValueError:
        return False


def _records(text, delimiter, name):
    """(line the record starts on, the line it ends on, its fields) for every non-empty
    record of ``text``."""
    reader = _csv.reader(_lines_of(text), delimiter=delimiter)
    start = first = 1
    r = None
    try:
        for r in reader:
            if r:  # [] is an empty line
                first = start
                yield start, reader.line_num, r
            start = reader.line_num + 1
    except _csv.Error as exc:
        raise ValueError(f"{name}, line {start}: malformed CSV: {exc}"
                         + _unclosed(start, reader.line_num)) from exc
    # a quote never closed: the last field swallowed the rest of the file, its last character
    # too (a closed one would end the file with '"', or leave it outside the field); the
    # reader's last character is a line end (_lines_of gives one to a last line without)
    if r and ("\n" in r[-1] or "\r" in r[-1]) and r[-1][-1] == (
            text[-1] if text[-1] in "\r\n" else "\n") and not text.rstrip().endswith('"'):
        raise ValueError(f"{name}, line {first}: a quoted field runs from there to the end "
                         f"of the file{_unclosed(first, reader.line_num, always=True)}")


def _unclosed(start, end, always=False) -> str:
    """What a record from line ``start`` to ``end`` suggests: an unclosed quote when it spans
    lines (``always``: known to hold one, on one line too)."""
    if end > start:
        return f" (lines {start}-{end}: it looks like an unclosed quote)"
    return " (it looks like an unclosed quote)" if always else ""


# the longest field the reader takes: csv's default (131,072 characters) refuses a long text
# cell of a valid file; raised only while glassnet reads (see _reading)
_FIELD_LIMIT = 2**31 - 1
_limit_lock = threading.Lock()
# readers now reading; the limit before the first of them; whether the cyclic GC was on
_limit_users = [0, None, False]


@contextlib.contextmanager
def _reading():  # (around whole reads: a paused generator would hold the limit raised)
    """While a file is read: csv's field size limit raised to :data:`_FIELD_LIMIT`, and the
    cyclic garbage collector paused; then both set back, so that other users of the csv
    module keep their limit (counted: threads reading at once restore it when the last one
    is done). The csv reader makes a list per row, and each few hundred set the collector
    off to walk the rows held (a quarter of a read's time) for no cycle: rows hold strings.
    The pause is process-wide: other threads' cyclic garbage waits for the read's end, and a
    gc.enable() or gc.disable() another thread calls meanwhile is overridden by it."""
    with _limit_lock:
        if _limit_users[0] == 0:
            _limit_users[1] = _csv.field_size_limit(_FIELD_LIMIT)
            _limit_users[2] = gc.isenabled()
            gc.disable()
        _limit_users[0] += 1
    try:
        yield
    finally:
        with _limit_lock:
            _limit_users[0] -= 1
            if _limit_users[0] == 0:
                _csv.field_size_limit(_limit_users[1])
                if _limit_users[2]:
                    gc.enable()


def _fit_row(r, n, line, end, header, name, delimiter, shortest=None):
    """A data record (from ``line`` to ``end``) as ``n`` fields (extra trailing empty fields
    dropped; a record of at least ``shortest`` fields padded with empty ones: the header
    ends in blank names), or ValueError naming the line of a ragged row (DelimiterError when
    the file looks split wrongly)."""
    if len(r) == n:
        return r
    if len(r) > n and not any(f.strip() for f in r[n:]):
        return r[:n]  # a trailing comma on data lines
    if shortest is not None and shortest <= len(r) < n:
        return r + [""] * (n - len(r))  # a trailing comma on the header line
    raise _ragged_row(r, n, line, end, header, name, delimiter)


def _shortest_row(header):
    """The fewest fields a data record under ``header`` (stripped names) may have: a header
    ending in blank names (``a,b,y,``) may stand over rows without those fields."""
    named = len(list(itertools.dropwhile(lambda f: not f, reversed(header))))
    return max(named, 1)


def _ragged_row(r, n, line, end, header, name, delimiter):
    """The error for a record of fields ``r`` under a header of ``n``, from ``line`` to
    ``end`` (further when a quoted field holds line breaks)."""
    fields = "field" if n == 1 else "fields"
    unquoted = f"an unquoted {_DELIMITER_NAMES.get(delimiter, repr(delimiter))}"
    if end <= line and any("\n" in f or "\r" in f for f in r):
        # a line break inside a record of one line: its quote, never closed, took the end
        # of the file (the csv reader reads on over further lines)
        why = "a quoted field runs from there to the end of the file: it looks like an " \
              "unclosed quote"
    elif end <= line:
        why = f"check for {unquoted}"
    elif any(delimiter in f and ("\n" in f or "\r" in f) for f in r):
        # a quoted field holding whole lines of fields: rows swallowed by an open quote
        why = (f"a quoted field runs on to line {end}, over lines of fields: it looks like an "
               f"unclosed quote, or check for {unquoted}")
    else:
        why = f"check for {unquoted} or an unclosed quote"
    msg = (f"{name}, line {line}: expected {n} {fields} like the header, found "
           f"{len(r)} (a ragged row; {why})")
    other = [d for d in DELIMITERS if d != delimiter and d in header[0]]
    if n == 1 and other:
        return DelimiterError(f"{msg}; the header is one field, {header[0]!r}: the file looks "
                              f"delimited by {_DELIMITER_NAMES[other[0]]}", other[0])
    return ValueError(msg)


#: The name _parse gives a column with a blank header name: ``unnamed_<j>`` (group 1: ``j``,
#: its 0-based position), ``.<k>`` appended (group 2) while the name is taken.
UNNAMED_COLUMN = re.compile(r"unnamed_(\d+)(\.\d+)?")
#: pandas' name for the same column: ``Unnamed: <j>`` (group 1: ``j`` and any ``.<k>``).
PANDAS_UNNAMED = re.compile(r"Unnamed: (\d+(\.\d+)?)")


def _parse(text, name, delimiter, na, fast, comma_decimal, keep_text, plain, forced, kept,
           marker_text, chunk_rows, grouping="probe"):
    """The Table of ``text``, its rows typed ``chunk_rows`` at a time (None: all at once);
    None when a column typed as numbers in one chunk holds text in another."""
    recs = _records(text, delimiter, name)
    header = None
    for _, _, r in recs:
        if len(r) > 1 or r[0].strip():  # white space before the header is skipped
            header, spelled = [f.strip() for f in r], r
            break
    if header is None:
        raise ValueError(f"{name} is empty: a CSV needs a header line and at least one row")
    n = len(header)
    dupes = repeated_names([c for c in header if c])  # blank names are numbered below
    if dupes:
        raise ValueError(f"{name}: duplicate column name(s) {dupes}; column names must be "
                         f"unique")
    seen = set(header) - {""}
    keep = []  # the columns kept: (index, name)
    for j, col_name in enumerate(header):
        if not col_name:  # a blank name: UNNAMED_COLUMN, suffixed (.1, .2 ...) until unique
            col_name, base, k = f"unnamed_{j}", f"unnamed_{j}", 0  # (dropped below when
            while col_name in seen:                               # empty throughout)
                k += 1
                col_name = f"{base}.{k}"
            seen.add(col_name)
        keep.append((j, col_name))
    shortest = _shortest_row(header)
    short = None                      # (line, fields, end line) of the first such row
    parts = [[] for _ in keep]        # per column: its typed chunks
    commas = [set() for _ in keep]    # per column: read with the decimal comma? (numbers)
    texts = [[] for _ in keep]        # keep_text: per column, the fields as read
    empty = [col_name == "" for col_name in header]  # unnamed and (so far) all missing
    lines, chunk = [], []

    # the columns typed a block at a time (_number_block): those _type_column's fast path
    # would return as numpy reads them, whose fields nothing else looks at (an unnamed
    # column's test for being empty, the decimal comma's look at '.'); after a chunk where
    # they were not all numbers, only those that then were (no NaN: none missing), and
    # after a second such chunk none
    block = [k for k, (j, col_name) in enumerate(keep) if header[j]
             and not (comma_decimal and col_name not in kept)] if fast else []
    block_misses = [0]

    def flush():
        """Type the rows of ``chunk``; False when the file must be typed in one piece."""
        typed = {}
        if block:
            got = _number_block(chunk, [keep[k][0] for k in block], n, plain, keep_text)
            if got is not None:
                values, spelled = got
                typed = dict(zip(block, zip(values, spelled or [None] * len(block))))
        for k, (j, col_name) in enumerate(keep):
            if k in typed:
                col, spelled = typed[k]
                parts[k].append(col)
                commas[k].add(False)
                if keep_text:
                    texts[k].append(spelled)
                continue
            raw = list(map(operator.itemgetter(j), chunk))
            if empty[j]:
                empty[j] = all(v.strip() in na for v in raw)
            try:
                col, comma = _type_column(raw, na, fast,   # a kept column: '.' decimals,
                                          comma_decimal and col_name not in kept,  # no ','
                                          plain, col_name in forced, grouping,
                                          col_name not in marker_text)
            except _Ambiguous as amb:
                if chunk_rows is not None:
                    return False  # the same error, from the whole file's first such value
                first = len(lines) - len(chunk)
                (bad, value), (row, example) = amb.bad, amb.comma
                raise ValueError(
                    f"{name}, line {lines[first + bad]}: column {col_name!r} is ambiguous: "
                    f"{example!r} (line {lines[first + row]}) has a decimal comma, so '.' "
                    f"should group thousands (1.500), but {value!r} is no such grouping; "
                    f"write every number of the column in one convention") from None
            parts[k].append(col)
            if col.dtype.kind == "f":
                commas[k].add(comma)
            if keep_text:
                texts[k].append(_spelled_otherwise(raw, col))
        if block and not typed:
            block_misses[0] += 1
            block[:] = [] if block_misses[0] > 1 else [
                k for k in block if parts[k][-1].dtype.kind == "f"
                and not np.isnan(parts[k][-1]).any()]
        chunk.clear()
        return True

    for line, end, r in recs:
        if len(r) == 1 and not r[0].strip() and (n > 1 or r[0]):
            continue  # a white-space-only line (in one column, "" is a missing value)
        if short is None and shortest <= len(r) < n:
            short = (line, r, end)
        chunk.append(r if len(r) == n else
                     _fit_row(r, n, line, end, header, name, delimiter, shortest))
        lines.append(line)
        if chunk_rows is not None and len(chunk) >= chunk_rows and not flush():
            return None
    if chunk and not flush():
        return None
    if not lines:
        raise ValueError(f"{name} has a header ({n} columns) but no data rows")
    for k, (j, col_name) in enumerate(keep):   # before any error at the end: reading in
        if empty[j]:                           # one piece decides which comes first
            continue
        kinds = {p.dtype.kind for p in parts[k]}
        read = commas[k]   # True (decimal commas), "thousands", or a _grouping kind
        comma = True in read or "thousands" in read
        if len(kinds) > 1 or (comma and (False in read or "dot" in read)) or (
                "maybe" in read and len(read) > 1 and grouping == "probe"):
            return None  # numbers and text, or numbers with and without decimal commas
    if short is not None and not all(empty[len(short[1]):]):
        # rows without the blank-named fields are fine only when no row fills them in
        raise _ragged_row(short[1], n, short[0], short[2], header, name, delimiter)
    columns, col_texts = {}, {}
    for k, (j, col_name) in enumerate(keep):
        if empty[j]:
            continue  # trailing/empty unnamed column: drop it
        columns[col_name] = parts[k][0] if len(parts[k]) == 1 else np.concatenate(parts[k])
        if keep_text:
            if any(t.dtype.kind == "S" for t in texts[k]) and any(
                    t.dtype.kind == "O" for t in texts[k]):
                texts[k] = [t.astype(str).astype(object) if t.dtype.kind == "S" else t
                            for t in texts[k]]
            col_texts[col_name] = np.concatenate(texts[k])
    if not columns:
        raise ValueError(f"{name} has no named columns")
    table = Table(columns, n_rows=len(lines))
    table._text = col_texts
    table._header = {col_name: spelled[j] for j, col_name in keep
                     if col_name in columns and spelled[j] != col_name}
    table._lines = np.array(lines, dtype=np.int64)
    table._source = name
    table._comma = comma_decimal
    table._comma_cols = frozenset(col_name for k, (_, col_name) in enumerate(keep)
                                  if col_name in columns
                                  and (True in commas[k] or "thousands" in commas[k]))
    floats = [(c, col_name) for c, (_, col_name) in zip(commas, keep) if col_name in columns]
    # the numeric columns whose '.' was read as a decimal point where it could have grouped
    # thousands (0.5, 886.440): a model reads them so again (read_csv(dot_decimal_columns=))
    table._dot_cols = frozenset(n for c, n in floats if ({"dot", "maybe", "grouped"} & c)
                                and "thousands" not in c and True not in c) \
        if comma_decimal else frozenset()
    # of those, the ones whose dots could have grouped thousands (1.500, not 0.25)
    table._ambiguous_dots = frozenset(n for c, n in floats if ({"maybe", "grouped"} & c)
                                      and "thousands" not in c and True not in c)
    table._evidence = {   # what read_csv decides the thousands dots from
        "comma": any(True in c for c, _ in floats), "dot": any("dot" in c for c, _ in floats),
        "thousands": {n for c, n in floats if "thousands" in c},   # read grouped
        "maybe": {n for c, n in floats if ({"maybe", "sure"} & c) and "thousands" not in c}}
    return table


_BLOCK_FIELDS = 1 << 14   # fields _number_block converts at once (128 KiB of pointers)


def _number_block(chunk, js, n, plain, spelled=False):
    """``(values, texts)``: the fields of columns ``js`` (of ``n``) of the rows ``chunk`` as
    numbers, a row of ``values`` per column, when numpy reads every one of them (and none
    holds ``_`` or a non-ASCII character, unless ``plain`` says that no field does), as
    :func:`_type_column`'s fast path reads each column; with ``spelled``, ``texts`` are
    keep_text's record of each column (:func:`_spelled_otherwise`: the fields as ASCII
    bytes; none longer than ``_MAX_PACKED_FIELD``). None otherwise. Converted some rows at a
    time in row order, the order the csv reader made the strings in memory: column by column
    numpy hops from row to row, several times slower."""
    out = np.empty((len(js), len(chunk)), dtype=np.float64)
    pick = None if js == list(range(n)) else operator.itemgetter(*js)
    step = max(1, _BLOCK_FIELDS // len(js))
    packed = []
    for lo in range(0, len(chunk), step):
        rows = chunk[lo:lo + step]
        if pick is None:
            fields = list(itertools.chain.from_iterable(rows))
        elif len(js) == 1:   # (itemgetter of one index gives the field, not a tuple)
            fields = list(map(pick, rows))
        else:
            fields = list(itertools.chain.from_iterable(map(pick, rows)))
        if spelled and max(map(len, fields)) > _MAX_PACKED_FIELD:
            return None
        try:
            values = np.array(fields, dtype=np.float64)
        except ValueError:
            return None
        if not plain and not _plain("".join(fields)):
            return None
        out[:, lo:lo + len(rows)] = values.reshape(len(rows), len(js)).T
        if spelled:
            packed.append(np.array(fields, dtype="S").reshape(len(rows), len(js)))
    if not spelled:
        return out, None
    packed = np.concatenate(packed)
    texts = []
    for i in range(len(js)):   # each column as wide as its longest field, as on its own
        t = np.ascontiguousarray(packed[:, i])
        width = int(np.char.str_len(t).max())
        texts.append(t.astype(f"S{width}") if width < t.dtype.itemsize else t)
    return out, texts


def _decide_grouping(evidence, decimal, forced) -> str:
    """The :data:`_GROUP_MODES` entry for a decimal-comma file from what the probe found:
    the file's own numbers decide first (a decimal comma and no '.' decimal: every '.' of a
    whole number groups thousands, 30.673 alone too; a '.' decimal such as 0.5: no '.'
    groups, even where a model had decimal commas), then ``decimal=','`` and the model's
    ``forced`` columns."""
    if evidence["dot"]:
        return "none"
    if evidence["comma"] or decimal == ",":
        return "all"
    return "forced"


# An amount in a text cell whose decimal mark is plain: a currency sign or code before or
# after it, or a %, or a unit of measure (12,5 kg, 3.5 m², 20,5 °C), and a mark no thousands
# separator could be (not followed by exactly three digits, or after groups of the other
# mark: 1.888,73 €). Only these: any word after a number would take clock times (12.03 Uhr,
# 08.15 am, 12,30 h) and time zones (17.45 MEZ) for decimals. The units are those no time,
# date or version is written with (no h, min, s; no lone capital letter, no 3-letter zone).
_CURRENCY_CODES = ("EUR", "USD", "CHF", "GBP", "JPY", "CNY", "INR", "CAD", "AUD", "NZD",
                   "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN", "TRY", "BRL",
                   "MXN", "ZAR", "HKD", "SGD", "kr", "zł", "Kč", "Ft")
_MEASURES = ("mg", "g", "kg", "lb", "lbs", "oz", "mm", "cm", "m", "km", "ft", "ml", "cl",
             "dl", "l", "m²", "m³", "cm²", "cm³", "km²", "°C", "°F", "kW", "Wh", "kWh", "MWh",
             "kB", "KB", "MB", "GB", "TB")
_CODE = "|".join(sorted(map(re.escape, _CURRENCY_CODES), key=len, reverse=True))
_UNIT = r"(?:%|[" + _CURRENCY + r"]|" + _CODE + "|" + "|".join(
    sorted(map(re.escape, _MEASURES), key=len, reverse=True)) + ")"
_AMOUNTS = {mark: re.compile(
    r"[+-]?\s*(?:(?P<pre>[" + _CURRENCY + r"]|" + _CODE + r")\s*[+-]?\s*)?"
    r"(?:[0-9]{1,3}(?:" + groups + r"[0-9]{3})+" + dec + r"[0-9]+|[0-9]+" + dec
    + r"(?:[0-9]{1,2}|[0-9]{4,}))"
    r"(?:\s*(?P<post>" + _UNIT + r"))?") for mark, groups, dec in (
        ("comma", r"[. \u00a0\u202f]", ","), ("dot", r"[, \u00a0\u202f']", r"\."))}


def _text_marks(table) -> dict:
    """``{"comma": ..., "dot": ...}``: whether the text columns of ``table`` hold amounts
    written with the decimal comma (148,78 €, 21,3 %) or the decimal point ($148.78),
    when only one of them does (both: nothing is shown). Spreadsheets format such cells by
    the locale that also writes the file's plain numbers, which then have no other sign of
    their decimal mark (a column of 15.470 and 774 alone)."""
    found = _amounts(table)
    both = all(found.values())
    return {mark: bool(where) and not both for mark, where in found.items()}


def _amounts(table) -> dict:
    """``{"comma": ..., "dot": ...}``: the first amount (see :func:`_text_marks`) of the
    text columns of ``table`` written with each decimal mark, as ``(column, value)``, or
    None where there is none."""
    found = {"comma": None, "dot": None}
    for name in table.columns:
        col = table._cols[name]
        if col.dtype != object:
            continue
        for v in dict.fromkeys(col.tolist()):   # each distinct value once
            if not isinstance(v, str):   # None (missing); a table made in memory may hold
                continue                 # other objects
            for mark, pattern in _AMOUNTS.items():
                m = None if found[mark] else pattern.fullmatch(v)
                if m and (m.group("pre") or m.group("post")):
                    found[mark] = (name, v)
            if all(found.values()):
                return found
    return found


def _point_example(table) -> tuple[str, str] | None:
    """:attr:`Table.decimal_point_example` of a table not read with the decimal comma."""
    found = _amounts(table)
    if found["comma"]:   # the decimal comma shows somewhere: nothing is shown
        return None
    for name in table.columns:   # a number with decimals says it first
        col = table._cols[name]
        if col.dtype.kind == "f":
            frac = np.flatnonzero(np.isfinite(col) & (col != np.trunc(col)))
            if frac.size:
                return name, str(col[frac[0]])
    return found["dot"]


def _sniff_delimiter(text: str, max_rows: int = 50) -> str:
    """The separator of :data:`DELIMITERS` that splits the header into the most fields (at
    least two) and is consistent on the first ``max_rows`` rows (each has that many fields,
    or more that are all empty); earlier in the list on a tie. If none is consistent, the one
    that splits the header most (a ragged row is then reported); ``,`` if none splits it."""
    sample = text[:1 << 16]
    cut = len(sample) < len(text)
    best, fallback = None, None
    for d in DELIMITERS:
        reader = _csv.reader(io.StringIO(sample, newline=""), delimiter=d)
        records = []
        try:
            for r in reader:
                if r and (records or len(r) > 1 or r[0].strip()):  # skip blank lines
                    records.append(r)
                if len(records) > max_rows + 1:
                    break
        except _csv.Error:
            pass
        if cut and len(records) <= max_rows + 1:
            records = records[:-1]  # the last line may be cut short
        if not records or len(records[0]) < 2:
            continue
        n = len(records[0])
        if fallback is None or n > fallback[1]:
            fallback = (d, n)
        shortest = _shortest_row([f.strip() for f in records[0]])
        consistent = all(len(r) == n or (len(r) > n and not any(f.strip() for f in r[n:]))
                         or shortest <= len(r) < n
                         or (len(r) == 1 and not r[0].strip()) for r in records[1:])
        if consistent and (best is None or n > best[1]):
            best = (d, n)
    return (best or fallback or (",", 0))[0]


# A number as written with the decimal comma (1,5  -0,25  1,0e3  12), '.' grouping thousands
# (1.500  2.250,75).
_COMMA_NUMBER = re.compile(
    r"[+-]?(?:[0-9]*,[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+,?|[1-9][0-9]{0,2}(?:\.[0-9]{3})+"
    r"(?:,[0-9]*)?)")


class _Ambiguous(Exception):
    """A column of numbers where some have the decimal comma and some a '.' that does not
    group thousands: ``bad`` and ``comma`` are (row index, value) of the first of each."""

    def __init__(self, bad, comma):
        super().__init__(bad, comma)
        self.bad, self.comma = bad, comma


def _lines_of(text: str):
    """The lines of ``text`` with their line ends, for the csv reader; a last line without
    one is given "\n", as a quote it opens and never closes then takes a line end, as in a
    file that ends in one, and is found open (_records). Split on "\n" without copying the
    text (an ``io.StringIO`` holds 4 bytes per character: 4x the file); a file whose lines
    end in a lone "\r" (old Mac) goes through StringIO's universal newlines."""
    n_cr = text.count("\r")
    if n_cr and n_cr != text.count("\r\n"):
        for line in io.StringIO(text, newline=""):
            yield line if line.endswith(("\n", "\r")) else line + "\n"
        return
    start, find = 0, text.find
    while True:
        end = find("\n", start)
        if end < 0:
            if start < len(text):
                yield text[start:] + "\n"
            return
        yield text[start:end + 1]
        start = end + 1


_GROUPED = re.compile(r"[+-]?[1-9][0-9]{0,2}(?:\.[0-9]{3})+")   # 42.605, 1.234.567
_WHOLE = re.compile(r"[+-]?[0-9]+")
_DOTTED = re.compile(r"[+-]?[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?")   # 0.5, .25, 1.25e3


def _grouping(present, values=None):
    """What the present fields of a numeric column of a decimal-comma file say about '.':
    "whole" (whole numbers, none with a '.'), "dot" (a '.' that groups no thousands: 0.5,
    1.25, the file's decimal point), "sure" (whole numbers grouped with '.', one with two
    dots: 1.234.567), "grouped" (grouped ones beside plain ones: 850, 42.605), "maybe"
    (grouped ones alone: 1.500 may be 1.5) or False (1e3, inf). ``values``: the fields as
    numpy read them, when it could (a quick test for whole numbers)."""
    joined = "".join(present)
    if values is not None and "." not in joined:
        whole = bool(np.all(np.isfinite(values)) and np.all(values == np.trunc(values))
                     and "e" not in joined and "E" not in joined)
        return "whole" if whole else False
    grouped = plain = 0
    sure = other = False
    for v in present:   # all of them: a 0.5 after an inf still says '.' is the decimal point
        if "." in v:
            if _GROUPED.fullmatch(v):
                grouped += 1
                sure = sure or v.count(".") > 1     # 1.234.567 is no decimal number
            elif _DOTTED.fullmatch(v):
                return "dot"
            else:
                other = True
        elif _WHOLE.fullmatch(v):
            plain += 1
        else:
            other = True           # 1e3, inf: not a column of grouped whole numbers
    if other:
        return False
    if not grouped:
        return "whole"
    return "sure" if sure else "grouped" if plain else "maybe"


def _ungrouped(present):
    """The fields of a column of whole numbers grouped with '.', as numbers."""
    return np.array([v.replace(".", "") for v in present], dtype=np.float64)


# Which columns of a decimal-comma file read '.' as a thousands separator (read_csv decides
# from the whole file, see _decide_grouping): "probe" (grouped beside plain, or two dots:
# the first pass), "all" (every column of whole numbers with '.' groups, 1.500 alone too),
# "forced" (only the columns a model knows had decimal commas) or "none".
_GROUP_MODES = ("probe", "all", "forced", "none")


def _groups(kind, forced: bool, mode: str) -> bool:
    """Whether a column of ``_grouping`` kind is read with '.' grouping thousands."""
    if kind not in ("sure", "grouped", "maybe") or mode == "none":
        return False      # a file whose numbers show '.' decimals: 1.100.200 stays text
    if kind == "sure":    # two dots, and no '.' decimal in the file: no decimal number
        return True
    if mode == "all" or forced:
        return True
    return mode == "probe" and kind != "maybe"


def _type_column(raw, na, fast: bool = False, comma_decimal: bool = False,
                 plain: bool = False, forced: bool = False, grouping: str = "probe",
                 numeric_na: bool = True):
    """``(column, comma)``: the column as float64 (NaN = missing) if every present value is a
    number, else as object str/None; ``comma`` is True when it was read with the decimal comma.

    With ``comma_decimal``, a column where some value has the decimal comma (``1,5``) is read
    that way: ``.`` groups thousands (``1.500``, ``2.250,75``), and a value whose ``.`` does not
    (``1.5``) raises :class:`_Ambiguous`. A column of whole numbers grouped with ``.`` is
    read so as ``grouping`` (one of :data:`_GROUP_MODES`) and ``forced`` (the column is known
    to have decimal commas) say (:func:`_groups`). ``comma`` is then "thousands", and else
    the :func:`_grouping` kind (for read_csv's decision and the chunks' agreement).

    A column with a field holding ``_`` or a non-ASCII character is text (numpy reads
    ``1_000`` and ``٣`` as numbers, pandas does not); ``plain`` says that no field does.
    ``numeric_na``: :data:`NUMERIC_NA_VALUES` are missing where the rest is numbers (False
    for read_csv's ``marker_text_columns``)."""
    refused = None   # the fields, when numpy refused to read them all as numbers
    if fast:
        try:
            refused = raw
            col = np.array(raw, dtype=np.float64)  # all present and numeric: common
            refused = None
            if plain or _plain("".join(raw)):  # else 1_000 or ٣, read by numpy: see below
                if not comma_decimal:
                    return col, False
                joined = "".join(raw)
                if "." not in joined:  # the common case, with numpy alone (NaN is a missing
                    fin = col[~np.isnan(col)]   # token; inf, 1e3 are no whole numbers as
                    whole = (np.all(np.isfinite(fin)) and np.all(fin == np.trunc(fin))
                             and "e" not in joined and "E" not in joined)   # _grouping says)
                    return col, ("whole" if whole else False)
                stripped = [v.strip() for v in raw]
                keep = np.fromiter((v not in na for v in stripped), dtype=bool,
                                   count=len(stripped))   # NaN, nan: missing, not text
                present = [v for v, k in zip(stripped, keep) if k]
                kind = _grouping(present, col[keep])
                if not _groups(kind, forced, grouping):
                    return col, kind
                col[keep] = _ungrouped(present)
                return col, "thousands"
        except ValueError:
            pass
    raw = list(map(str.strip, raw))
    # each distinct value once (a category repeats): the per-field work below is in C
    distinct = dict.fromkeys(raw)
    gone = na.intersection(distinct)   # the missing tokens the column holds
    soft = NUMERIC_NA_VALUES.intersection(distinct) - gone if numeric_na else frozenset()
    if soft and len(gone) + len(soft) < len(distinct):
        gone = gone | soft   # missing beside numbers; text again below if the rest is text
    else:
        soft = frozenset()
    if gone:
        missing = np.fromiter(map(gone.__contains__, raw), dtype=bool, count=len(raw))
        present = list(itertools.filterfalse(gone.__contains__, raw))
    else:
        missing = np.zeros(len(raw), dtype=bool)
        present = raw
    comma = False
    if present and not plain and not _plain("".join(present)):
        values = None  # text: 2021_01, 1_000, ٣ (numbers to Python, text to pandas)
    elif present:
        try:
            if present == refused:   # the very fields numpy refused above: text, or 1,5
                raise ValueError
            values = np.array(present, dtype=np.float64)
            if comma_decimal:
                comma = _grouping(present, values)
                if _groups(comma, forced, grouping):
                    values, comma = _ungrouped(present), "thousands"
        except ValueError:
            values = None
            if comma_decimal:  # 1,5 and 1.500,25; or 1.234.567, which numpy cannot read
                values = _comma_numbers(present, ~missing)
                comma = values is not None
                if values is None:   # 1.234.567: numpy reads no two-dot number
                    kind = _grouping(present)
                    if _groups(kind, forced, grouping):
                        values, comma = _ungrouped(present), "thousands"
    else:
        values = np.empty(0, dtype=np.float64)
    if values is not None:
        out = np.full(len(raw), np.nan, dtype=np.float64)
        out[~missing] = values
        return out, comma
    out = np.empty(len(raw), dtype=object)
    # one string object per distinct value (a category repeats): the file's other copies are
    # freed, and with them the memory they were scattered over
    same = {v: v for v in distinct}
    same.update(dict.fromkeys(gone - soft))
    out[:] = list(map(same.__getitem__, raw))
    return out, False


_MAX_PACKED_FIELD = 64  # characters: keep_text packs a number column's fields up to this long


def _spelled_otherwise(raw, col):
    """keep_text's record of a chunk's fields ``raw`` typed as ``col``, smaller than the
    fields as Python strings: for numbers, the fields as ASCII bytes (``S`` array, about a
    byte a character, while no field is longer than ``_MAX_PACKED_FIELD``); otherwise (text,
    a number field beyond ASCII or a longer one) an object array with
    the field where write_csv would write the value read differently (``007``, ``NA``,
    `` a ``), None where it writes the same text (most categories)."""
    # (an S array is as wide as its longest field: one field of 100,000 digits would make
    # every row 100 kB, and the chunks' concatenation and predict's text blocks more)
    if col.dtype.kind == "f" and max(map(len, raw), default=0) <= _MAX_PACKED_FIELD:
        try:
            return np.array(raw, dtype="S")
        except UnicodeEncodeError:
            pass
    out = np.empty(len(raw), dtype=object)
    differ = np.flatnonzero(np.fromiter(map(operator.ne, raw, _format_column(col)),
                                        dtype=bool, count=len(raw))).tolist()
    if differ:
        out[differ] = [raw[i] for i in differ]
    return out


def _comma_numbers(present, where):
    """The ``present`` values as numbers written with the decimal comma (see
    :func:`_type_column`), or None when none has a comma or some is not a number; ``where``
    marks their rows, for :class:`_Ambiguous`."""
    first_comma = next((i for i, v in enumerate(present) if "," in v), None)
    if first_comma is None:
        return None
    conv, dotted = [], None
    for i, v in enumerate(present):
        if _COMMA_NUMBER.fullmatch(v):
            conv.append(v.replace(".", "").replace(",", "."))
        elif "," in v:
            return None  # text
        else:  # 1e3, inf, or a '.' that does not group thousands
            if dotted is None and "." in v:
                dotted = i
            conv.append(v)
    try:
        values = np.array(conv, dtype=np.float64)
    except ValueError:
        return None
    if dotted is not None:
        rows = np.flatnonzero(where)
        raise _Ambiguous((int(rows[dotted]), present[dotted]),
                         (int(rows[first_comma]), present[first_comma]))
    return values


# ---------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------
def _format_number(v: float) -> str:
    if math.isnan(v):
        return ""
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def _fewest_digits(z, scale=1.0, offset=0.0) -> np.ndarray:
    """``z * scale + offset`` in float64, as a float32 ``z`` holds it: each value moved to the
    number of fewest significant digits (the nearest such) that still identifies its
    float32 z, which float64's repr then writes (1.2345678 for float32 1.2345678, not
    1.2345678329467773); a float64 ``z`` keeps all its digits. With an offset far above the
    scale (1.7e9 + 100 z) the float32 z still holds digits a float32 of the result would
    lose: they are kept."""
    z = np.asarray(z)
    y = z.astype(np.float64) * scale + offset
    if z.dtype != np.float32 or not len(z):
        return y
    identity = scale == 1 and offset == 0
    with np.errstate(all="ignore"):
        # the values that round to z: from the midpoints to its float32 neighbours, mapped
        z64 = z.astype(np.float64)
        ends = [(z64 + np.nextafter(z, np.float32(side)).astype(np.float64)) / 2 * scale
                + offset for side in (-np.inf, np.inf)]
        lo, hi = np.minimum(*ends), np.maximum(*ends)
        k0 = np.floor(np.log10(hi - lo))  # the finest decimal place the width asks for
    # a reader rounds a tie to the even float32: the ends are z's own where it is even (not
    # mapped ones: rounded, they may lie a hair outside)
    even = (z.view(np.uint32) & 1) == 0 if identity else np.zeros(len(z), dtype=bool)
    out = y.copy()
    done = np.zeros(len(z), dtype=bool)
    # 10**k is exact to k = 22: m * 10**k and m / 10**-k are the floats nearest those decimals
    fast = np.isfinite(k0) & (np.abs(k0) <= 21)
    for step in (1, 0, -1):   # coarsest first; one place finer than the width always fits
        k = k0 + step
        p = 10.0 ** np.where(fast, np.abs(k), 0)
        with np.errstate(all="ignore"):
            m = np.round(np.where(k < 0, y * p, y / p))
            c = np.where(k < 0, m / p, m * p)
        ok = fast & ~done & (np.abs(m) < 2.0 ** 53) & np.where(
            even, (lo <= c) & (c <= hi), (lo < c) & (c < hi))
        out[ok] = c[ok]
        done |= ok
    # the rest keep y's digits (finer than float64 resolves, or beyond 1e±21: rare), but for
    # a float32 column's own values
    if identity:
        for i in np.flatnonzero(np.isfinite(y) & ~done).tolist():
            out[i] = float(str(z[i]))  # NumPy's fewest digits for a float32
    return out


def _format_column(arr) -> list:
    """The fields write_csv writes for the column ``arr``."""
    if arr.dtype == np.float32:
        arr = _fewest_digits(arr)
    if is_numeric_column(arr):
        arr = arr.astype(np.float64, copy=False)
        values = arr.tolist()
        out = list(map(repr, values))  # _format_number's answer but for NaN and whole numbers
        with np.errstate(invalid="ignore"):
            other = np.isnan(arr) | ((arr == np.trunc(arr)) & (np.abs(arr) < 1e15))
        for i in np.flatnonzero(other).tolist():
            out[i] = _format_number(values[i])
        return out
    return ["" if v is None else v for v in arr]


def _write_chunks(fh, names, chunks, delimiter=","):
    """Write CSV to the text file ``fh``: the header ``names``, then the rows of each chunk
    (a list of column arrays, as write_csv formats them), so only a chunk's fields are ever
    held as strings."""
    w = _csv.writer(fh, delimiter=delimiter, lineterminator="\n")
    w.writerow(names)
    for cols in chunks:
        w.writerows(zip(*[_format_column(a) for a in cols]))


def write_csv(table, path, *, delimiter: str = ",") -> None:
    """Write a :class:`Table` (or a mapping of columns) as CSV; gzip if ``path`` ends in .gz.

    Missing values are written as empty fields; numbers so that reading them back gives the
    same float64 values, except float32 columns: they get the fewest digits that read back
    as the same float32 values (``5.0553327``, not ``5.055332660675049``), the precision they
    have. ``path`` may also be a text file object.
    """
    if not isinstance(table, Table):
        table = Table(table)

    def emit(fh):
        _write_chunks(fh, table.columns, (
            [table[c][lo:lo + _CHUNK_ROWS] for c in table.columns]
            for lo in range(0, table.n_rows, _CHUNK_ROWS)), delimiter)

    if hasattr(path, "write"):
        emit(path)
        return
    path = Path(path)
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
            emit(fh)
    else:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            emit(fh)
