"""Turn a table of mixed columns into the float matrix a network needs, learned on training rows.

:class:`TabularPreprocessor` decides once, on the training split, what to do with each column,
and then applies exactly that to any later table (validation, test, new data). Everything it
learned is plain data: :meth:`TabularPreprocessor.to_dict` gives JSON-able numbers and strings
(no pickle), and :meth:`TabularPreprocessor.from_dict` rebuilds a transformer that transforms
identically (``keep=``, a rule of fitting, is not stored), so it can be saved next to a model.

Rules, applied per column of the training table (the target column excluded):

Missing values
    Read as the CSV reader (:func:`glassnet.data.read_csv`) reads them, whatever the table
    (a pandas DataFrame, a dict of lists): besides NaN and None, text cells of
    :data:`glassnet.data.NA_VALUES` (``NA``, ``?``, ``null`` ...) and blank or
    white-space-only ones are missing, at fit and at transform. A text column of numbers that
    only such cells kept text (pandas' ``read_csv`` leaves ``"?"`` and ``" "`` as text) is
    numeric, as the CSV reader makes it; beside numbers the text of
    :data:`glassnet.data.NUMERIC_NA_VALUES` (``#N/A``, ``None``) is missing too, but in a
    column with such a category (:func:`marker_categories`). A bool given in memory is the number 0 or 1 (as in
    a bool column) beside missing values and numbers: ``["", False]`` reads as ``[None, 0]``;
    beside other text it is the text ``True`` or ``False``.

Numeric columns (float, int, bool)
    Standardized: ``(x - mean) / std`` with the training mean and standard deviation; a
    column with std 0 uses std 1. Integer columns with few distinct values (Pclass, SibSp)
    stay numeric; pass their names in ``categorical=`` to one-hot encode them instead.
    Missing values (NaN, inf) are replaced by the training **median** before scaling. A column
    that had missing values in training also gets an indicator column ``"<col>_missing"``
    (1.0 where the value was missing, else 0.0; not scaled). At transform time, missing values
    in a column that had none in training are imputed the same way, without an indicator.
    A column whose training values were only 0 and 1 (a bool column) reads the text true
    and false in any case (``True``, ``FALSE``: the CSV's text of those bools) as 1 and 0.
    ``transform(table, report=facts)`` lists what the training rows never had (missing values
    where training had none, infinities, unseen categories) and what was done with them.

Text (categorical) columns
    One-hot encoded with the categories seen in training, sorted, named ``"<col>=<value>"``.
    A value not seen in training gives all zeros (no error). Missing values: if the column
    had missing values in training they form their own category ``"<col>=<missing>"``;
    otherwise a missing value at transform time gives all zeros. A column of pandas'
    ``category`` dtype is categorical even when its categories are numbers; integers are
    named by their exact digits (64-bit ids beyond 2**53 too, which float64 would merge).
    Bools given for a categorical column (a bool column, pandas' ``boolean``, Python's) are
    the categories that say true and false in any case (``True``, ``TRUE``: a CSV's text,
    which pandas reads as bools), else ``1`` and ``0``.

Dropped columns (recorded in ``dropped_``: column -> reason; a ``keep=`` column only by the
first two rules)
    * ``drop=`` columns named by the user;
    * columns with no values at all, and constant columns without missing values;
    * identifier-like numeric columns: integer-valued, no missing values, a different value in
      every row, at least ``min_id_rows`` rows, and either named like an id (``id``,
      ``..._id``, ``...Id``, ``...ID``, ``key``, ``..._key``, ``...Key``, ``uid``, ``uuid``,
      ``guid``, ``rowid``), or named as pandas' ``to_csv`` names a row index (a
      blank header, read as ``unnamed_<j>``; ``Unnamed: 0``; ``level_0``), or
      densely covering an integer range (distinct values fill at least half of
      ``max - min + 1``), as a row number does (PassengerId);
    * identifier-like text columns: at least ``min_id_rows`` present values of which more
      than ``id_unique_ratio`` (0.9) are distinct (Name);
    * high-cardinality text columns: more than ``max_categories`` (50) distinct values that
      are also more than ``max_unique_ratio`` (0.5) of the present values (Ticket, Cabin), or
      that look like dates or times (one input per date would tell nothing of later dates),
      or that are named like an id with fewer than 10 rows per value (``customer_id``, not
      ``country_id``), or that are more than 20 x ``max_categories`` (1,000) however often
      each repeats: each category is one input of the dense matrix, rows x categories of
      memory.
    A text column of these two kinds whose values are mostly numbers (one stray word among
    them, or ``$1,234`` and ``27%``) says so in its reason, naming the first value that is no
    number (:func:`numeric_text_note`). When every column is dropped, ``fit`` raises
    :class:`NoUsableColumnsError` (a ValueError) listing the reasons.

:class:`TargetEncoder` maps class labels (strings, numbers, bools) to ``0..k-1`` and back, and
:func:`detect_task` tells classification from regression.
"""
from __future__ import annotations

import itertools
import math
import numbers
import re
import shlex
import warnings
from collections.abc import Mapping

import numpy as np

from ._validate import _is_missing, readable_size, rectangular, repeated_names
from .data.tabular import (DATE_ADVICE, NA_VALUES, NUMERIC_NA_VALUES, PANDAS_UNNAMED,
                           UNNAMED_COLUMN, Table, _format_number, _plain, comma_float,
                           decimal_comma_number, is_numeric_column, number_share, plain_float)

__all__ = ["TabularPreprocessor", "TargetEncoder", "detect_task", "MatrixSizeWarning"]

_FORMAT = "glassnet.TabularPreprocessor"
_TARGET_FORMAT = "glassnet.TargetEncoder"
_ID_NAME_STRICT = re.compile(r"(^[Ii][Dd]$)|([_\s.\-][Ii][Dd]$)|([a-z0-9](Id|ID)$)"
                             r"|((^|[_\s.\-])(?i:key|uid|uuid|guid|rowid)$)|([a-z0-9]Key$)")
# a column without a name (the reader calls it unnamed_<j>; pandas read back: "Unnamed: 0"),
# or pandas' second reset_index name: where pandas' to_csv and R's write.csv put a row index
# ("index" may be a real feature, a price index: only the density rule drops it)
_UNNAMED = re.compile(rf"^(?:{UNNAMED_COLUMN.pattern}|{PANDAS_UNNAMED.pattern}|level_0)$")
MISSING_LABEL = "<missing>"
# the end of the reason of a column of numbers that categorical= made categories and the rules
# of categories then dropped (as numbers, the rules of numbers judge it)
ON_REQUEST = " (numbers made categories on request)"
BY_DTYPE = " (numbers made categories by their pandas category dtype)"
# the reasons of the rules most often wrong about a column that matters (an arrival order, a
# store code of 1,500 values): the command line offers --keep after them
ROW_NUMBER_LIKE = "identifier-like: a unique integer per row covering a range like a row number"
TOO_MANY_CATEGORIES = "too many categories:"


def _as_table(data, expected="a glassnet Table, a dict of columns or a 2-D array",
              missing_text=frozenset()) -> Table:
    """``data`` as a Table; ``expected`` says what the caller takes, for the TypeError that
    refuses anything else. Columns given in memory (a dict's, a DataFrame's) have their bools
    read by :func:`_read_bools` (``missing_text``: more text read as missing beside them, a
    model's ``--na-values``)."""
    if isinstance(data, Table):
        return data
    if isinstance(data, Mapping):
        return _in_memory_table(data.items(), missing_text)
    if isinstance(data, np.ndarray) or isinstance(data, (list, tuple)):
        try:
            arr = rectangular(np.asarray(data))
        except ValueError:
            raise ValueError("the rows have different lengths (a ragged list of lists); give "
                             "a Table, a dict of columns or a 2-D array") from None
        if arr.ndim != 2:
            raise ValueError(f"expected a table or a 2-D array, got shape {arr.shape}")
        return Table({f"x{j}": arr[:, j] for j in range(arr.shape[1])})
    if hasattr(data, "columns") and hasattr(data, "__getitem__"):  # a pandas DataFrame
        names = [str(c) for c in data.columns]
        twice = repeated_names(names)
        if twice:   # data[c] would be a frame of them all
            raise ValueError(f"duplicate column name(s) {twice}; column names must be unique")
        return _in_memory_table(((n, data[c]) for n, c in zip(names, data.columns)),
                                missing_text)
    raise TypeError(f"expected {expected}, got {type(data).__name__}")


def _in_memory_table(items, missing_text=frozenset()) -> Table:
    """A Table of the ``(name, values)`` columns given in memory, with what their types say
    and the Table's arrays forget: ``_bool_columns``, the columns of bools (with missing
    values: pandas' "boolean" dtype, ``[True, None]``, which the Table makes numbers), which
    a categorical column matches to its true and false categories; and ``_category_columns``,
    those of pandas' category dtype, categorical at fit even when their categories are
    numbers (as scikit-learn's ``categorical_features="from_dtype"``)."""
    columns, bools, categories = {}, set(), set()
    for name, values in items:
        if getattr(getattr(values, "dtype", None), "name", None) == "category":
            categories.add(name)
        columns[name], is_bool = _read_bools(values, missing_text)
        if is_bool:
            bools.add(name)
        if getattr(columns[name], "ndim", None) == 1 and \
                not isinstance(columns[name], np.ndarray):   # a pandas Series: its values
            columns[name] = np.asarray(columns[name])   # (NaN stays NaN, not the text 'nan')
    table = Table(columns)
    table._bool_columns, table._category_columns = frozenset(bools), frozenset(categories)
    return table


_BOOLS = (bool, np.bool_)


def _missing_cell(v, missing_text=frozenset()) -> bool:
    """Whether a cell given in memory is missing as the CSV reader reads it: None, pandas'
    NA, NaN, or text of :data:`~glassnet.data.NA_VALUES`, blank, or of ``missing_text``."""
    if isinstance(v, str):
        return _read_as_missing(v) or v.strip() in missing_text
    return _is_missing(v) or (isinstance(v, (float, np.floating)) and math.isnan(v))


def _read_bools(values, missing_text=frozenset()):
    """``(values, bools)`` for a column given in memory (a list, an array, a pandas Series):
    ``bools`` says whether its values are bools (a bool array, pandas' "boolean" dtype, or
    Python's or NumPy's bools beside missing values only: :func:`_missing_cell`); and
    ``values`` has those bools made the numbers 0 and 1 where text sits beside them that is
    missing or a number, so that ``["", False]`` reads as ``[None, 0]`` does (a bool is a
    number, as in a bool column; the Table would make it the text 'False', which no number
    reader takes). Beside other text (``["u", True]``) a bool stays the text 'True' it is in
    a Table, so that it matches a category 'True'. Anything else is returned as it is. A
    column holding no bool costs one pass of ``type()``, run by C, not by Python."""
    dtype = getattr(values, "dtype", None)
    if dtype is not None:
        if getattr(dtype, "kind", None) == "b":   # NumPy's bool, pandas' "boolean" (NA)
            return values, True
        if dtype != object:   # numbers, pandas' str or category ...: no bool in them
            return values, False
        cells = np.asarray(values)
        if cells.ndim != 1:
            return values, False
    elif isinstance(values, (list, tuple)):
        cells = values
    else:   # (a generator: as a list, once)
        from collections.abc import Iterable
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            return values, False
        cells = values = list(values)
    kinds = set(map(type, cells))
    if bool not in kinds and np.bool_ not in kinds:
        return values, False
    all_missing, text = True, False
    for v in cells:   # one pass, ended by the first cell of other text
        if isinstance(v, _BOOLS):
            continue
        missing = _missing_cell(v, missing_text)
        if not (missing or isinstance(v, (numbers.Number, np.number)) or _is_number(v)):
            return values, False   # beside other text: the text 'True' or 'False'
        all_missing &= missing
        text = text or isinstance(v, str)
    if text:
        out = np.empty(len(cells), dtype=object)
        out[:] = [int(v) if isinstance(v, _BOOLS) else v for v in cells]
        values = out
    return values, all_missing


def python_only_number(v) -> bool:
    """Whether the text ``v`` is a number only for Python's ``float()``: written with ``_``
    digit separators (``1_5``) or digits other than 0-9 (``３``, ``٣``), which the CSV reader
    (as pandas) reads as text."""
    if not isinstance(v, str) or _plain(v):
        return False
    try:
        float(v)
    except ValueError:
        return False
    return True


def why_not_a_number(v) -> str:
    """For a :func:`python_only_number` value: what a number here is written without."""
    return ("numbers are written without underscores" if "_" in v else
            "numbers are written with the digits 0-9")


def as_plain_number(v) -> str:
    """A :func:`python_only_number` value as the CSV reader reads a number: ``1_5`` -> ``15``,
    ``３`` -> ``3`` (the rest of its text as it is)."""
    return "".join(str(int(c)) if c.isdecimal() else c for c in v.strip().replace("_", ""))


class TextInNumericColumnError(ValueError):
    """A column that was numeric at fit holds text (:attr:`value`) at transform."""

    def __init__(self, message, column, value):
        super().__init__(message)
        self.column, self.value = column, value


def _dot_kept_float(v) -> float:
    """A number of a column whose '.' is its decimal point in a decimal-comma file (see
    ``read_csv(dot_decimal_columns=)``): ``886.440`` is 886.44 and ``0,5`` is 0.5, but a value
    with both marks (``1.234,5``) or a '.' grouping thousands (``1.234.567``) is text."""
    if isinstance(v, str) and "," in v and "." not in v and decimal_comma_number(v.strip()):
        return float(v.strip().replace(",", "."))
    return plain_float(v)


# true/false text in any case (a CSV's text of a bool column, which pandas reads as bools)
_BOOL_TEXT = {"true": 1.0, "false": 0.0}


def _numeric_values(arr: np.ndarray, name: str, where=None, comma=False,
                    bool_text=False) -> np.ndarray:
    """float64 copy of a column, NaN for missing; ValueError if it holds text, saying where
    (``where(i)``, e.g. ``Table.row_label``: "line 5 of new.csv"). With ``comma`` (a file read
    with the decimal comma) ``1,5`` is 1.5 here too, so the value named is really text;
    ``comma="dot"``: a column whose '.' is its decimal point in such a file
    (:func:`_dot_kept_float`). With ``bool_text`` (a column fitted on 0 and 1 only: bools)
    the text true and false in any case is 1 and 0. The text of :data:`NUMERIC_NA_VALUES`
    (``#N/A``, ``None``) is missing, as the reader reads it beside numbers (a file where a
    column holds only such markers has it as text)."""
    to_float = _dot_kept_float if comma == "dot" else comma_float if comma else plain_float
    if is_numeric_column(arr):
        out = arr.astype(np.float64)
    else:
        out = np.empty(len(arr), dtype=np.float64)
        for i, v in enumerate(arr):
            if v is None:
                out[i] = np.nan
                continue
            try:
                out[i] = to_float(v)  # 1_000 is text, as read_csv reads it
            except (TypeError, ValueError):
                if _numeric_marker(v):
                    out[i] = np.nan
                    continue
                if bool_text and isinstance(v, str) and v.strip().casefold() in _BOOL_TEXT:
                    out[i] = _BOOL_TEXT[v.strip().casefold()]
                    continue
                why = (f", which is not a number glassnet reads: {why_not_a_number(v)}"
                       if python_only_number(v) else "")
                raise TextInNumericColumnError(
                    f"column {name!r} was numeric when the preprocessor was fitted but now "
                    f"holds text (e.g. {shown_value(v)} at {where(i) if where else f'row {i}'}"
                    f"{why})", name, v) from None
    out[~np.isfinite(out)] = np.nan
    return out


def na_values_option(tokens: str) -> str:
    """``--na-values=TOKENS`` as a shell reads it back (quoted where needed; with ``=``, so
    that a token starting with ``-``, as ``--``, is no option of its own)."""
    return f"--na-values={shlex.quote(tokens)}"


def _read_as_missing(v) -> bool:
    """Whether ``v`` is text that the CSV reader reads as a missing value: one of its
    :data:`~glassnet.data.NA_VALUES` (``NA``, ``?``, ``null`` ...) or blank, white space
    around it aside."""
    return isinstance(v, str) and v.strip() in NA_VALUES


def _as_read(arr: np.ndarray, markers: bool = True) -> np.ndarray:
    """A column as the CSV reader types it, for one that no file was read into (a pandas
    DataFrame, whose read_csv leaves ``"?"`` and ``" "`` as text; a dict of lists): the text
    the reader reads as missing (:func:`_read_as_missing`) is None, and when the rest of the
    column is numbers it is a numeric column, the numbers read as the reader reads them
    (:func:`plain_float`: no ``1_000``, no ``٣``), the text of :data:`NUMERIC_NA_VALUES`
    (``#N/A``, ``None``) beside them missing too (with ``markers``; without, as read_csv's
    marker_text_columns).
    Other columns are returned as they are: a column of number strings without such text
    stays text (``dtype=str`` keeps zip codes)."""
    if is_numeric_column(arr):
        return arr
    values = set(arr.tolist())
    marked = set(filter(_read_as_missing, values))
    soft = set(filter(_numeric_marker, values)) if markers else set()
    if soft and not any(v not in soft and not _missing_cell(v) for v in values):
        soft = set()   # markers alone: text, as the reader reads such a column
    if not marked and not soft:
        return arr
    out = np.empty(len(arr), dtype=object)
    out[:] = [None if v in marked or v in soft else v for v in arr.tolist()]
    try:
        return np.array([np.nan if v is None else plain_float(v) for v in out],
                        dtype=np.float64)
    except (TypeError, ValueError):
        return _na_text_to_none(arr) if soft else out


def _numeric_marker(v) -> bool:
    """Whether ``v`` is text of :data:`NUMERIC_NA_VALUES` (``#N/A``, ``None``: missing beside
    numbers), white space around it aside."""
    return isinstance(v, str) and v.strip() in NUMERIC_NA_VALUES


def _na_text_to_none(arr: np.ndarray) -> np.ndarray:
    """A text column with its :func:`_read_as_missing` text None (as the reader reads a
    text column), no number read; ``arr`` itself where it holds no such text."""
    if not any(map(_read_as_missing, set(arr.tolist()))):
        return arr
    out = np.empty(len(arr), dtype=object)
    out[:] = [None if _read_as_missing(v) else v for v in arr.tolist()]
    return out


def marker_categories(spec) -> list[str]:
    """The categories of a column's spec (a fitted or stored TabularPreprocessor column)
    that are pandas' missing markers (``None``, ``#N/A``: :data:`NUMERIC_NA_VALUES`), which
    glassnet reads as missing beside numbers: where a column has one, its text is kept."""
    cats = spec.get("categories") if spec.get("kind") == "categorical" else None
    return list(filter(_numeric_marker, cats)) if isinstance(cats, list) else []


def _read_column(table, name, markers=True) -> np.ndarray:
    """``table[name]`` as the CSV reader types it (:func:`_as_read`, ``markers`` as there); a
    table the reader made (it knows its source file) is so already. A pandas category
    column stays text, as the reader keeps a text column (``'02134'`` beside a ``'None'``
    category is no number 2134), its ``NA``-like text missing as there."""
    arr = table[name]
    if getattr(table, "_source", None) is not None:
        return arr
    if name in getattr(table, "_category_columns", ()):
        return arr if is_numeric_column(arr) else _na_text_to_none(arr)
    return _as_read(arr, markers)


def _text_values(arr: np.ndarray) -> np.ndarray:
    """object array of str, None for missing; numbers formatted like the CSV reader reads,
    but integers (int64, uint64: a category dtype's ids) as their exact digits: through
    float64, ids beyond 2**53 would lose digits and two of them become one category."""
    if arr.dtype.kind in "iu":
        out = np.empty(len(arr), dtype=object)
        out[:] = list(map(str, arr.tolist()))
        return out
    if is_numeric_column(arr):
        vals = arr.astype(np.float64)
        out = np.empty(len(vals), dtype=object)
        out[:] = [None if not math.isfinite(v) else _format_number(v) for v in vals.tolist()]
        return out
    out = np.empty(len(arr), dtype=object)
    out[:] = [None if (v is None or (isinstance(v, float) and math.isnan(v))) else str(v)
              for v in arr]
    return out


_FAR = 10.0   # standard deviations from the training mean beyond which a new value is far


def _as_number(text):
    """float(text), or None for text that is no number."""
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _unique_index(cats, key) -> dict:
    """{key(category): index} of the categories ``key`` gives a value (not None), leaving out
    a value two categories share: by number (``"0007"`` -> 7.0; ``"7"`` and ``"007"`` share
    7: which one a 7 was is unknown) or by case (``US`` and ``us`` share ``us``)."""
    seen: dict = {}
    for i, c in enumerate(cats):
        k = key(c)
        if k is not None:
            seen.setdefault(k, []).append(i)
    return {k: idx[0] for k, idx in seen.items() if len(idx) == 1}


def _casefold(c) -> str:
    return str(c).casefold()


_BOOLEAN_WORDS = (set(_BOOL_TEXT), {"yes", "no"})


def _mixed_case_booleans(present) -> bool:
    """True for text of only true/false (or yes/no) written in more than one case (``TRUE``,
    ``True``, ``true``), as spreadsheets and databases mix them: one value, not several
    categories (pandas reads them all as one bool)."""
    spellings = set(present.tolist())
    lower = {v.lower() for v in spellings}
    return len(spellings) > len(lower) and any(lower <= words for words in _BOOLEAN_WORDS)


def _bools_as_categories(vals, cats, lookup) -> None:
    """In place: the values of a column of bools (``vals``, the text '1' and '0' that
    :func:`_text_values` writes for them, None for missing) as the fitted categories ``cats``
    (``lookup``: category -> index) name them: by the category that is true or false in any
    case ('True', 'TRUE', 'true': the text of a CSV file, which pandas reads as bools), else
    by '1' and '0' (bools made categories), else by a category of that number ('1.0'); a
    bool none of them names is an unseen category, shown as 'True' or 'False'."""
    by_case = _unique_index(cats, _casefold)
    by_value = _unique_index(cats, _as_number)
    as_category = {}
    for word, number in _BOOL_TEXT.items():   # ('true', 1.0): the text '1' of a bool
        text = str(int(number))
        as_category[text] = (cats[by_case[word]] if word in by_case else text if text in lookup
                             else cats[by_value[number]] if number in by_value
                             else word.capitalize())
    vals[:] = [None if v is None else as_category.get(v, v) for v in vals.tolist()]


def _infinite_mask(arr: np.ndarray) -> np.ndarray:
    """True where a column (numbers, or text that parses as numbers) holds +-inf."""
    if is_numeric_column(arr):
        return np.isinf(arr.astype(np.float64))
    return np.fromiter((v is not None and str(v).strip().lower().lstrip("+-") in
                        ("inf", "infinity") for v in arr), dtype=bool, count=len(arr))


def _numeric_facts(s, arr, miss) -> list[dict]:
    """TabularPreprocessor.transform's report on a numeric column with missing values."""
    facts = []
    inf = _infinite_mask(arr)
    nan = miss & ~inf
    median = f"the training median {s['median']:.6g}"
    if nan.any() and not s["indicator"]:
        facts.append({"column": s["name"], "issue": "missing", "rows": np.flatnonzero(nan),
                      "values": [], "action": f"filled with {median}"})
    if inf.any():
        facts.append({"column": s["name"], "issue": "infinite", "rows": np.flatnonzero(inf),
                      "values": [], "action": f"treated as missing (filled with {median}"
                      + (f", flagged in {s['name']}_missing" if s["indicator"] else "") + ")"})
    return facts


def _huge_fact(s, huge) -> dict:
    """TabularPreprocessor.transform's report on finite numbers too large for a network in
    the matrix's dtype once standardized (beyond about 1.8e19 in float32): treated as
    missing, as infinities are."""
    return {"column": s["name"], "issue": "too large", "rows": np.flatnonzero(huge),
            "values": [], "action": f"treated as missing (filled with the training median "
            f"{s['median']:.6g}" + (f", flagged in {s['name']}_missing" if s["indicator"]
                                    else "") + ")"}


def _categorical_facts(s, vals, hit) -> list[dict]:
    """TabularPreprocessor.transform's report on a categorical column with values that get
    no category (unseen ones, or missing ones when training had none)."""
    facts = []
    absent = np.array([v is None for v in vals], dtype=bool)
    unseen = ~hit & ~absent
    if unseen.any():
        seen_order = list(dict.fromkeys(vals[unseen].tolist()))
        # the mirror case: markers that training's rows had as missing (pandas made them NaN)
        # met here as text (glassnet's reader keeps them in a text column)
        markers = list(filter(_numeric_marker, seen_order)) \
            if s.get("missing_category") else []
        facts.append({"column": s["name"], "issue": "unseen", "rows": np.flatnonzero(unseen),
                      "values": seen_order, "action": "encoded as all zeros (no category)"
                      + (f"; the training rows had {', '.join(map(repr, markers))} as missing "
                         f"values (pandas' read_csv reads them so): read both the same way"
                         if markers else "")})
    if (~hit & absent).any():
        # a category that is a missing marker (None, #N/A): pandas' read_csv made it NaN
        markers = marker_categories(s)
        facts.append({"column": s["name"], "issue": "missing",
                      "rows": np.flatnonzero(~hit & absent), "values": [],
                      "action": "encoded as all zeros (no category)"
                      + (f"; {', '.join(map(repr, markers))} "
                         f"{'is a category' if len(markers) == 1 else 'are categories'} of "
                         f"it, which pandas' read_csv reads as missing unless "
                         f"keep_default_na=False" if markers else "")})
    return facts


def numeric_text_note(values, lines=None, share: float = 0.8,
                      comma: bool = False, table=None) -> str | None:
    """For a column read as text (``values``: str, None for missing): when at least ``share``
    of its present values are numbers, possibly written with currency or percent signs or
    thousands separators, a sentence saying so and naming the first value that is not a
    number (and its line, from ``lines``, the file line of each row, e.g.
    ``Table.line_numbers``), or each such value when a few differ (#REF!, #N/A), with the
    ``--na-values`` that reads them as missing; else None. ``table``: the :class:`Table` the
    column is of, whose other values may show the decimal mark (:attr:`Table.
    decimal_point_example`: then 15,470 groups thousands). Cheap on columns that are not:
    it gives up after looking at a few values."""
    where = (lambda i: f"line {lines[i]}") if lines is not None else (lambda i: f"row {i}")
    counted = number_share(values, comma=comma, give_up_below=share)
    if counted is None:
        return None
    n, n_plain, n_symbols = counted.n_values, counted.n_numeric, counted.n_formatted
    first_bad = counted.first_bad_row
    n_num = n_plain + n_symbols
    if n == 0 or n_num < share * n:
        return None
    if first_bad is not None:
        bad, bad_number, missing = _not_numbers(values[first_bad], where(first_bad),
                                                counted.bad_values, n - n_num)
    if n_symbols:  # the first formatted value is where that value first stands
        at = next(i for i, v in enumerate(values) if v == counted.first_formatted)
        first = str(counted.first_formatted).strip()
        decimal = not comma and decimal_comma_number(first)
        # how many of the numbers are so written: all, or a few among plain ones
        some = "" if n_symbols == n_num else f", {n_symbols} of them"
        if decimal and not re.search(r",[0-9]{3}(?![0-9])", first):
            # 3,54 or 1.234,5: a decimal comma, no thousands group, no symbol to strip
            return (f"{n_num} of {n} values are numbers{some} written with a decimal comma "
                    f"(e.g. {shown_value(counted.first_formatted)}, {where(at)}), read as text in "
                    f"a file that is not ';'-separated: pass --decimal , (read_csv("
                    f"decimal=',') in Python)"
                    + (f"; {bad_number}{missing}" if first_bad is not None else ""))
        grouping = ""
        if decimal:   # 15,470: thousands, unless ',' is the decimal mark (15.47)
            point = (table.decimal_point_example if table is not None
                     and re.fullmatch(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+", first) else None)
            # read_csv has no thousands= option: the separators go from the file
            grouping = (f"; ',' groups thousands there, as other values show '.' as the "
                        f"decimal mark (e.g. {shown_value(point[1])} in {_shown(point[0])}): "
                        f"remove the separators ({first.replace(',', '')})" if point else
                        "; if ',' is the decimal mark there, pass --decimal , (read_csv("
                        "decimal=',') in Python)")
        return (f"{n_num} of {n} values are numbers{some or ','} written with currency or "
                f"percent signs, thousands separators or accounting minus signs (e.g. "
                f"{shown_value(counted.first_formatted)}, {where(at)}), "
                f"so it was read as text: strip the symbols"
                + (" (a bracketed or trailing minus: write the number with a leading -)"
                   if _accounting(counted.first_formatted) else "")
                + (f"; {bad_number}{missing}" if first_bad is not None else "")
                + grouping)
    if first_bad is None:
        return f"all {n} values are numbers, but held as text"
    return f"{n_num} of {n} values are numbers, but {bad}; it was read as text{missing}"


_FEW_NON_NUMBERS = 5   # distinct values that are no number, named together up to this many


def _not_numbers(first, at: str, distinct, n_bad: int) -> tuple[str, str, str]:
    """For :func:`numeric_text_note`: ``(clause, clause with "a number", advice)`` naming the
    column's values that are no number: ``first`` (``at`` its line), or each of its few
    ``distinct`` ones (Excel's #REF!, #DIV/0!, #N/A: one --na-values for them all, not one
    run per kind); ``n_bad`` of them in all."""
    tokens = list(dict.fromkeys(str(v).strip() for v in distinct))
    # a missing-value marker ('-', 'n.a.') is the usual such value: say how to read it (blank
    # text is missing already, 1_5 is a number to fix; --na-values splits on ',')
    if 1 < len(tokens) <= _FEW_NON_NUMBERS and all(
            t and "," not in t and not python_only_number(t) for t in tokens):
        named = [f"{shown_value(first)} ({at})"] + [shown_value(t) for t in tokens[1:]]
        names = f"{', '.join(named[:-1])} and {named[-1]}"
        advice = (f" (if they mark missing values: {na_values_option(','.join(tokens))}; in "
                  f"Python, read_csv(na_values={tokens!r}) or replace them with NaN)")
        return (f"{names} are not ({n_bad} values in all)",
                f"{names} are not numbers ({n_bad} values in all)", advice)
    aside = [f"nor are {n_bad - 1} more"] if n_bad > 1 else []
    if python_only_number(first):
        aside.append(why_not_a_number(first))
    clause = f"{shown_value(first)} ({at}) is not" + (f" ({'; '.join(aside)})" if aside else "")
    token = str(first).strip()
    advice = ("" if python_only_number(first) or not token else
              f" (if it marks a missing value: {na_values_option(token)}; in "
              f"Python, read_csv(na_values=[{token!r}]) or replace it with NaN)")
    return clause, f"{clause} a number", advice


_DAY, _MONTH = r"(?:0?[1-9]|[12][0-9]|3[01])", r"(?:0?[1-9]|1[0-2])"
# a month's name, English, in full or in three letters (Jan, January, Sept)
_MONTH_NAME = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|"
               r"march|april|june|july|august|september|october|november|december)\.?")
_TIME = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?: ?[AaPp][Mm])?"   # 14:30, 2:30 PM
_YEAR = r"(?:[0-9]{4}|[0-9]{2})"
_DATE_OR_TIME = re.compile(
    rf"(?:{_DAY}\.{_MONTH}\.[0-9]{{4}}|{_DAY}/{_MONTH}/{_YEAR}"                  # 31.12.2023
    rf"|{_MONTH}/{_DAY}/{_YEAR}"                                                # 12/31/23
    rf"|[0-9]{{4}}[-/]{_MONTH}[-/]{_DAY}"                                 # 2023-12-31, 2023/1/5
    rf"|{_DAY}[- ]{_MONTH_NAME}[- ,]*{_YEAR}"                             # 31-Dec-2023
    rf"|{_MONTH_NAME} {_DAY},? [0-9]{{4}})"                               # Dec 31, 2023
    rf"(?:(?:[ T]|, ){_TIME}(?: ?(?:Z|UTC|[+-][0-9]{{2}}:?[0-9]{{2}}))?)?"  # and a time, zone
    rf"|{_TIME}",                                                         # a time alone
    re.IGNORECASE)


def date_text_note(values, share: float = 0.8) -> str | None:
    """For a text column (``values``: str, None for missing) whose first present values are
    mostly dates or times (31.12.2023, 2023-12-31 08:15, 14:30), a sentence saying so and
    what to do; else None. Looks at 50 values at most."""
    present = (v for v in values if v is not None)
    seen = [str(v).strip() for v in itertools.islice(present, 50)]
    hits = [v for v in seen if _DATE_OR_TIME.fullmatch(v)]
    if not seen or len(hits) < share * len(seen):
        return None
    return (f"the values look like dates or times (e.g. {shown_value(hits[0])}), which "
            f"glassnet reads as text: {DATE_ADVICE}")


_ONE_HOT_CAP = 20  # a text column with more than 20 x max_categories values is dropped
_ID_NAME_RATIO = 0.1  # and one named like an id, of over 10% distinct values (< 10 rows each)
# Bytes of the matrix transform builds above which it says so first. The cap per column
# leaves the sum open (20 columns of 900 categories: 18,000 inputs); 1 GiB of float32 is
# 270 million values, far beyond a usual table (a CSV of a few MB of numbers), and a run holds
# more than one such matrix (training, validation, test rows): on a laptop of 8 or 16 GB,
# the size where memory starts to run short, not one where a note would nag.
_BIG_MATRIX = 1 << 30
_NAMED_WIDEST = 5   # one-hot columns named in that note, widest first


class MatrixSizeWarning(UserWarning):
    """:meth:`TabularPreprocessor.transform` is about to build a matrix of more than 1 GiB
    (:meth:`TabularPreprocessor.matrix_note` says why and what to leave out)."""


def _accounting(value) -> bool:
    """Whether ``value`` is a number written with an accounting minus: (12,5) or 12,5-."""
    v = str(value).strip()
    return (v.startswith("(") and v.endswith(")")) or v.endswith("-")


def with_numeric_note(reason: str, note: str | None) -> str:
    """A drop ``reason`` with a :func:`numeric_text_note` in front (replacing any earlier
    one): the column would have been a number but for a few values."""
    base = reason.rsplit(_AS_TEXT, 1)[-1]
    return base if note is None else f"{note}{_AS_TEXT}{base}"


_AS_TEXT = "; as text it was "


class NoUsableColumnsError(ValueError):
    """``TabularPreprocessor.fit`` dropped every column; ``dropped`` says why (column ->
    reason)."""

    def __init__(self, dropped: dict):
        self.dropped = dict(dropped)
        super().__init__(f"no usable feature columns: every column was dropped ("
                         f"{drop_reasons(self.dropped)})")


def drop_reasons(dropped: dict) -> str:
    """``{column: reason}`` as one readable line: "a: constant (...); b: ..."."""
    return "; ".join(f"{_shown(c)}: {r}" for c, r in dropped.items())


def shown_value(v, width: int = 40) -> str:
    """A field value for a message: its repr(), cut to ``width`` characters ("…" where cut),
    so that one long field never fills the terminal."""
    from .render import _cut
    return _cut(repr(v), width)


def _entry(v) -> str:
    """An entry of a stored dict for a message: a container by its size (a damaged model file
    may hold a huge one), anything else as :func:`shown_value` shows it."""
    if isinstance(v, (list, tuple, Mapping)):
        return f"a {type(v).__name__} of {len(v)} entries"
    return shown_value(v)


def _stored_float(spec: Mapping, key: str, column: str) -> float:
    """``spec[key]`` of a stored column spec as a float: a JSON number, else a ValueError
    naming the column (float() of a 400-digit int is an OverflowError, of a str a parse)."""
    v = spec.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"preprocessor dict: column {column!r} needs a number as its {key}, "
                         f"got {_entry(v)}")
    try:
        return float(v)
    except OverflowError:
        raise ValueError(f"preprocessor dict: column {column!r} has {key} {_entry(v)}, "
                         f"beyond float64's range") from None


def _stored_bool(spec: Mapping, key: str, column: str) -> bool:
    v = spec.get(key)
    if not isinstance(v, bool):
        raise ValueError(f"preprocessor dict: column {column!r} needs true or false as its "
                         f"{key}, got {_entry(v)}")
    return v


def _shown(name: str) -> str:
    """A column name for a message: as it is, or repr() when it holds a line break or
    another control character (one-line messages must not be cut inside it), blanks at its
    ends, or a comma (names are listed with commas between them)."""
    if name != name.strip() or "," in name or any(not ch.isprintable() for ch in name):
        return repr(name)
    return name


_BLOCK_ELEMENTS = 1 << 18  # elements in a float64 block of rows (2 MB): statistics, scaling


def _pow2_at_least_half(*arrays):
    """Per column, the power of two p with max |value| / p in [1, 2) (1 for all-zero columns):
    dividing by it is exact, and it keeps sums of squares far from float64's overflow."""
    top = np.max([np.max(np.abs(a), axis=0) if np.ndim(a) > 1 else np.abs(a)
                  for a in arrays], axis=0)
    _, exp = np.frexp(np.asarray(top, dtype=np.float64))
    p = np.ldexp(1.0, exp - 1)
    p[top == 0] = 1.0
    return p


def _row_blocks(A, rows=None):
    """(lo, hi, buf) over the rows of A (of ``A[rows]`` when ``rows`` is given), about
    _BLOCK_ELEMENTS values a block: ``buf[1:]`` holds rows lo..hi as float64 (C order), ``buf[0]`` is a spare
    row for the caller's running total. ``buf`` is one reused buffer the caller may overwrite:
    the input statistics never build a float64 (or gathered) array the size of A."""
    m = A.shape[0] if rows is None else len(rows)
    step = max(1, _BLOCK_ELEMENTS // max(1, int(np.prod(A.shape[1:], dtype=np.int64))))
    buf = np.empty((min(step, m) + 1,) + A.shape[1:], dtype=np.float64)
    for lo in range(0, m, step):
        hi = min(m, lo + step)
        out = buf[:hi - lo + 1]
        out[1:] = A[lo:hi] if rows is None else A[rows[lo:hi]]
        yield lo, hi, out


def _weighted_stats(A, sw, rows=None):
    """(weight sum, mean, standard deviation) of the columns of A (of ``A[rows]``), in float64.

    Computed on each column divided by a power of two near its largest |value| (exact), then
    multiplied back: columns of finite values near 1e160 or 1e300, whose squares or sums
    overflow float64, get their true mean and spread. Passes over blocks of rows (the largest
    |value|, the mean, then the squared deviations from it), so the memory used is a block's,
    not A's. Unweighted, each block's sum starts from the running total (in the block's spare
    first row), so the rows are added one after another, as one sum over all of A adds them."""
    m = A.shape[0] if rows is None else len(rows)
    top = np.zeros(A.shape[1:], dtype=np.float64)
    for _, _, buf in _row_blocks(A, rows):
        np.maximum(top, np.max(np.abs(buf[1:], out=buf[1:]), axis=0), out=top)
    p = _pow2_at_least_half(top)
    n = float(m) if sw is None else float(sw.sum())

    def column_sums(deviations_from=None):
        total = np.zeros(A.shape[1:], dtype=np.float64)
        for lo, hi, buf in _row_blocks(A, rows):
            block = buf[1:]
            block /= p
            if deviations_from is not None:
                block -= deviations_from
                np.square(block, out=block)
            if sw is None:
                buf[0] = total
                total = buf.sum(axis=0)
            else:
                total += sw[lo:hi] @ block
        return total

    mean = column_sums() / n
    m2 = column_sums(deviations_from=mean)
    return n, mean * p, np.sqrt(m2 / n) * p


def mean_std(x) -> tuple[float, float]:
    """Mean and (population) standard deviation of finite numbers, in float64
    (:func:`_weighted_stats` of one column: scaled by a power of two, exactly, so values near
    1e200, whose squares overflow, or 1e308, whose sum does, give finite results)."""
    x = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    if not x.size:
        return 0.0, 0.0
    if not np.isfinite(x).all():  # inf or NaN: no spread to speak of
        return float(x.mean()), 0.0
    _, mean, std = _weighted_stats(x, None)
    return float(mean[0]), float(std[0])


def _check_fraction(v, name):
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {v!r}")
    return float(v)


class TabularPreprocessor:
    """Learn per-column encoding on training rows; apply it to any table.

    Parameters
    ----------
    max_categories : int
        A text column with more distinct values than this, most of them rare (see
        ``max_unique_ratio``), is dropped as high-cardinality. Default 50.
    max_unique_ratio : float
        Fraction of distinct values above which a column with more than ``max_categories``
        categories is dropped. Default 0.5.
    id_unique_ratio : float
        A text column whose fraction of distinct values exceeds this is identifier-like and
        dropped (when it has at least ``min_id_rows`` values). Default 0.9.
    min_id_rows : int
        Fewer rows than this never make a column identifier-like. Default 20.
    drop : iterable of str
        Columns to drop unconditionally. At fit each must be in the table (a name that is
        not, a typo, raises ValueError, as in ``categorical=``); at transform time they need
        not exist.
    categorical : iterable of str
        Numeric columns to one-hot encode instead of standardizing (each must be in the
        table at fit). A column of pandas' ``category`` dtype is one-hot encoded without it.
    keep : iterable of str
        Columns the rules above never drop (each must be in the table at fit): a unique
        integer per row (an arrival order, a rank) is standardized, a text column is one-hot
        encoded over all its categories, however many (``matrix_note`` says when the matrix
        grows large). An empty or constant column is dropped still: it tells nothing.
    dtype : "float32" or "float64"
        dtype of the output matrix. Default float32.

    Attributes (after ``fit``)
    --------------------------
    feature_names_out : list of str
        Names of the output columns, in order.
    input_columns_ : list of str
        Columns used (they must be present at transform time).
    dropped_ : dict
        Column -> reason it was dropped.
    notes_ : dict
        Column -> a note on a used column worth a look: text values that look like dates or
        times, one-hot encoded (a few months), which say nothing of later dates
        (:func:`date_text_note`).
    target_ : str or None
        The target column excluded at fit.
    columns_ : list of dict
        What was learned for each used column.
    """

    def __init__(self, *, max_categories: int = 50, max_unique_ratio: float = 0.5,
                 id_unique_ratio: float = 0.9, min_id_rows: int = 20, drop=(),
                 categorical=(), dtype="float32", keep=()):
        if isinstance(max_categories, bool) or not isinstance(max_categories, numbers.Integral) \
                or max_categories < 1:
            raise ValueError(f"max_categories must be a positive int, got {max_categories!r}")
        if isinstance(min_id_rows, bool) or not isinstance(min_id_rows, numbers.Integral) \
                or min_id_rows < 2:
            raise ValueError(f"min_id_rows must be an int >= 2, got {min_id_rows!r}")
        if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
        self.max_categories = int(max_categories)
        self.max_unique_ratio = _check_fraction(max_unique_ratio, "max_unique_ratio")
        self.id_unique_ratio = _check_fraction(id_unique_ratio, "id_unique_ratio")
        self.min_id_rows = int(min_id_rows)
        self.drop = [drop] if isinstance(drop, str) else list(drop)
        self.categorical = [categorical] if isinstance(categorical, str) else list(categorical)
        self.keep = [keep] if isinstance(keep, str) else list(keep)
        both = [c for c in self.keep if c in self.drop]
        if both:
            raise ValueError(f"keep= and drop= both name {both}: use a column or leave it "
                             f"out, not both")
        self.dtype = np.dtype(dtype).name
        self.columns_: list[dict] | None = None
        self.dropped_: dict[str, str] = {}
        self.notes_: dict[str, str] = {}
        self.target_: str | None = None

    # -- fitting ----------------------------------------------------------------------------
    def fit(self, table, target: str | None = None) -> "TabularPreprocessor":
        """Learn the encoding from ``table`` (training rows only), ignoring ``target``."""
        table = _as_table(table)
        if target is not None and not isinstance(target, str):
            raise TypeError(f"TabularPreprocessor.fit(table, target): target is the name of "
                            f"the table's target column, got {type(target).__name__} (it is "
                            f"no scikit-learn transformer: in a Pipeline, use the "
                            f"glassnet.sklearn estimators)")
        if target is not None and target not in table:
            raise ValueError(f"target column {target!r} is not in the table; columns: "
                             f"{table.columns}")
        if table.n_rows == 0:
            raise ValueError("cannot fit a preprocessor on a table with no rows")
        for option, names in (("categorical", self.categorical), ("drop", self.drop),
                              ("keep", self.keep)):
            unknown = [c for c in names if c not in table]
            if unknown:
                raise ValueError(f"{option}= names column(s) not in the table: {unknown}; "
                                 f"columns: {table.columns}")
        specs, dropped, notes = [], {}, {}
        drop, keep = set(self.drop), set(self.keep)
        # pandas' category dtype: categories, as the user said, even when they are numbers
        by_dtype = getattr(table, "_category_columns", frozenset())
        for name in table.columns:
            if name == target:
                continue
            if name in drop:
                dropped[name] = "dropped on request"
                continue
            arr = _read_column(table, name)
            note = None   # on a column kept: text that looks like dates (a few months)
            if is_numeric_column(arr) and name not in self.categorical and name not in by_dtype:
                spec, reason = self._fit_numeric(name, arr, name in keep)
            else:
                spec, reason, note = self._fit_categorical(
                    name, arr, table.line_numbers, getattr(table, "decimal_comma", False),
                    table, name in keep)
            if reason is not None:
                dropped[name] = reason + (
                    "" if not is_numeric_column(arr) else ON_REQUEST if name in self.categorical
                    else BY_DTYPE if name in by_dtype else "") + (
                    "; asked to keep, but it holds nothing to learn" if name in keep else "")
                continue
            specs.append(spec)
            if note is not None:
                notes[name] = note
        if not specs:
            raise NoUsableColumnsError(dropped)
        self.columns_ = specs
        self.dropped_ = dropped
        self.notes_ = notes
        self.target_ = target
        return self

    def _fit_numeric(self, name, arr, kept=False):
        x = _numeric_values(arr, name)
        miss = np.isnan(x)
        present = x[~miss]
        n = len(x)
        if present.size == 0:
            return None, "all values missing"
        uniq = np.unique(present)
        if len(uniq) == 1 and not miss.any():
            return None, f"constant (every value is {_format_number(float(uniq[0]))})"
        integral = bool(np.all(present == np.round(present)))
        if not kept and not miss.any() and integral and len(uniq) == n \
                and n >= self.min_id_rows:
            span = uniq[-1] - uniq[0] + 1
            if _ID_NAME_STRICT.search(name):
                return None, "identifier-like: a unique integer per row, named like an id"
            if _UNNAMED.match(name):  # an index of filtered or sampled rows has gaps
                return None, ("identifier-like: a unique integer per row, named as pandas' "
                              "to_csv names a row index (a blank name, 'Unnamed: 0', "
                              "'level_0')")
            if n / span >= 0.5:
                return None, ROW_NUMBER_LIKE
        median = float(np.median(present))
        mean, std = mean_std(np.where(miss, median, x))
        if not std > 0 or not math.isfinite(std):
            std = 1.0
        return {"name": name, "kind": "numeric", "median": median, "mean": mean, "std": std,
                "indicator": bool(miss.any()), "min": float(present.min()),
                "max": float(present.max()),
                # 0 and 1 only (a bool column): the CSV's True/False text is read at transform
                "binary": bool(np.isin(uniq, (0.0, 1.0)).all())}, None

    def _fit_categorical(self, name, arr, lines=None, comma=False, table=None, kept=False):
        """(spec, None, the date note of text that looks like dates, or None) for a column
        kept, (None, why, None) for one dropped (``kept``: by no rule but empty or constant:
        keep=)."""
        vals = _text_values(arr)
        miss = np.array([v is None for v in vals], dtype=bool)
        present = vals[~miss]
        if _mixed_case_booleans(present):  # TRUE, True, true: one category, not three
            vals[~miss] = present = np.array([v.lower() for v in present], dtype=object)
        if present.size == 0:
            return None, "all values missing", None
        cats = sorted(set(present.tolist()))
        n_present = len(present)
        n_u = len(cats)
        if n_u == 1 and not miss.any():
            return None, f"constant (every value is {cats[0]!r})", None
        ratio = n_u / n_present
        reason = None
        many = n_u > self.max_categories
        numeric = is_numeric_column(arr)
        dates = None if numeric else date_text_note(vals)
        if kept:
            pass
        elif n_present >= self.min_id_rows and ratio > self.id_unique_ratio:
            reason = (f"identifier-like: {n_u} distinct values in {n_present} rows "
                      f"({ratio:.0%} unique)")
        elif many and ratio > self.max_unique_ratio:
            reason = (f"{TOO_MANY_CATEGORIES} {n_u} distinct values in {n_present} rows "
                      f"(> {self.max_categories} and {ratio:.0%} unique)")
        elif many and dates is not None:
            reason = (f"{TOO_MANY_CATEGORIES} {n_u} distinct values in {n_present} rows "
                      f"(> {self.max_categories}, one input each)")
        elif many and ratio > _ID_NAME_RATIO and _ID_NAME_STRICT.search(name):
            # few rows per value: an id (customer_id), not a category keyed by id (country_id)
            reason = (f"identifier-like: {n_u} distinct values in {n_present} rows, named "
                      f"like an id")
        elif n_u > _ONE_HOT_CAP * self.max_categories:
            reason = (f"{TOO_MANY_CATEGORIES} {n_u} distinct values in {n_present} rows "
                      f"(> {_ONE_HOT_CAP * self.max_categories}, one input each)")
        if reason is not None:
            # numbers with one stray word, or with $ and %, are no identifier: say so
            note = None if numeric else numeric_text_note(vals, lines, comma=comma,
                                                          table=table) or dates
            return None, with_numeric_note(reason, note), None
        return {"name": name, "kind": "categorical", "categories": cats,
                "missing_category": bool(miss.any())}, None, dates

    # -- applying ---------------------------------------------------------------------------
    def _check_fitted(self):
        if self.columns_ is None:
            raise RuntimeError("this TabularPreprocessor is not fitted yet; call fit(train) "
                               "first")

    @property
    def input_columns_(self) -> list[str]:
        self._check_fitted()
        return [s["name"] for s in self.columns_]

    @property
    def feature_names_out(self) -> list[str]:
        self._check_fitted()
        names = []
        for s in self.columns_:
            if s["kind"] == "numeric":
                names.append(s["name"])
                if s["indicator"]:
                    names.append(f"{s['name']}_missing")
            else:
                names.extend(f"{s['name']}={c}" for c in s["categories"])
                if s["missing_category"]:
                    names.append(f"{s['name']}={MISSING_LABEL}")
        return names

    def get_feature_names_out(self) -> list[str]:
        return self.feature_names_out

    @property
    def n_features_out(self) -> int:
        return len(self.feature_names_out)

    def _widths(self) -> list[tuple[str, int]]:
        """``(column, inputs)`` per used column, in order: the matrix's width without
        building the names of its (maybe 18,000) inputs."""
        return [(s["name"], 1 + s["indicator"] if s["kind"] == "numeric"
                 else len(s["categories"]) + s["missing_category"]) for s in self.columns_]

    def matrix_note(self, n_rows: int, fitting: bool = True) -> str | None:
        """What :meth:`transform` says (a :class:`MatrixSizeWarning`, before it allocates)
        when its matrix for ``n_rows`` rows would be over 1 GiB, as many wide one-hot
        columns make it: the size and the widest columns, to leave some out; None for a
        smaller matrix. Known from fit alone: a caller that transforms several tables (the
        training, validation and test rows) can say it once, for all their rows, first.
        ``fitting=False``: for a fitted model's predictions, whose columns are fixed: the
        advice is fewer rows at a time, or a model trained without some columns."""
        self._check_fitted()
        width = sum(k for _, k in self._widths())
        if n_rows * width * np.dtype(self.dtype).itemsize <= _BIG_MATRIX:
            return None
        return f"the input matrix is large: {self._size_text(n_rows, fitting)}"

    def _size_text(self, n_rows: int, fitting: bool = True) -> str:
        """The size of transform's matrix for ``n_rows`` rows, the one-hot columns that make
        it widest, and what to do: for :meth:`matrix_note` and for a MemoryError."""
        widths = self._widths()
        width = sum(k for _, k in widths)
        size = n_rows * width * np.dtype(self.dtype).itemsize
        shown = readable_size(size)
        text = f"{width:,} inputs, {shown} for {n_rows:,} rows in {self.dtype}"
        one_hot = sorted(((c, k) for (c, k), s in zip(widths, self.columns_)
                          if s["kind"] == "categorical"), key=lambda ck: -ck[1])
        if one_hot:
            more = len(one_hot) - _NAMED_WIDEST
            text += (f", {sum(k for _, k in one_hot):,} of them one-hot encoded columns "
                     + ", ".join(f"{_shown(c)} {k:,}" for c, k in one_hot[:_NAMED_WIDEST])
                     + (f" and {more} more" if more > 0 else ""))
            widest = one_hot[0][0]
            how = f"--drop {shlex.quote(widest)}; drop=[{widest!r}] in Python"
        else:
            how = "--drop COLUMN; drop= in Python"
        if not fitting:
            return (f"{text}; give fewer rows at a time (split the file), or train a model "
                    f"without some of those columns ({how})")
        return (f"{text}; leave some columns out ({how}) or use fewer rows"
                + (", or float32 (--dtype float32; dtype='float32' in Python), half the size"
                   if self.dtype == "float64" else ""))

    def transform(self, table, *, report: list | None = None,
                  fitting: bool = True) -> np.ndarray:
        """Encode ``table`` with what was learned at fit: an ``(n_rows, n_features_out)`` matrix.

        Columns not used at fit (the target, dropped or extra columns) are ignored.

        ``report``, a list, receives one dict per thing in ``table`` that the training rows
        did not have, saying how it was encoded (the matrix is the same with or without it):
        ``{"column", "issue", "rows", "values", "action"}`` where ``issue`` is ``"unseen"``
        (a category not seen at fit; ``values`` lists them), ``"missing"`` (missing values in
        a column that had none at fit), ``"infinite"`` (infinite numbers, always reported) or
        ``"too large"`` (finite numbers whose standardized value is beyond the square root of
        the matrix dtype's largest number, about 1.8e19 for float32, where a network's products
        would overflow: treated as missing, like infinities);
        ``rows`` are the row indices and ``action`` says what was done, e.g. ``"encoded as
        all zeros (no category)"``.

        A matrix of more than 1 GiB is announced before it is allocated, by a
        :class:`MatrixSizeWarning` of :meth:`matrix_note`'s text (many wide one-hot columns
        make one); one that does not fit in memory is a MemoryError with the same naming.
        ``fitting=False``: the table is a fitted model's input, whose columns are fixed: the
        advice of both is fewer rows at a time (:meth:`matrix_note`).
        """
        self._check_fitted()
        table = _as_table(table)
        missing = [s["name"] for s in self.columns_ if s["name"] not in table]
        if missing:
            raise ValueError(f"the table lacks column(s) {missing} that the preprocessor was "
                             f"fitted with; it has: {table.columns}")
        n = table.n_rows
        note = self.matrix_note(n, fitting)
        if note is not None:   # before the allocation and the seconds of filling it
            from .callbacks import user_stacklevel
            warnings.warn(note, MatrixSizeWarning, stacklevel=user_stacklevel())
        try:
            out = np.zeros((n, self.n_features_out), dtype=self.dtype)
        except MemoryError as exc:   # NumPy's names a shape, not the columns that made it
            raise MemoryError(f"the input matrix does not fit in memory: "
                              f"{self._size_text(n, fitting)}") from exc
        # Beyond the square root of the dtype's largest number, a standardized value can no
        # longer go through a network's products without overflowing (1e38 is a float32,
        # but 1e38 x any weight above 3.4 is not): such values are treated as missing.
        limit = math.sqrt(np.finfo(out.dtype).max)
        j = 0
        for s in self.columns_:
            # a category that is a missing marker (None, #N/A: a column of numbers and such
            # text fitted before they were missing there) stays its text
            arr = _read_column(table, s["name"], not marker_categories(s))
            if s["kind"] == "numeric":
                comma = getattr(table, "decimal_comma", False)
                if comma and s["name"] in getattr(table, "dot_decimal_columns", ()):
                    comma = "dot"
                x = _numeric_values(arr, s["name"], table.row_label, comma,
                                    s.get("binary", False))
                miss = np.isnan(x)
                if report is not None and miss.any():
                    report.extend(_numeric_facts(s, arr, miss))
                x[miss] = s["median"]
                z = (x - s["mean"]) / s["std"]
                az = np.abs(z)
                huge = az > limit  # finite, but beyond the matrix dtype once scaled
                if report is not None:
                    far = (az > _FAR) & ~huge
                    if "min" in s:  # (a model file before glassnet kept the range: no test)
                        far &= (x < s["min"]) | (x > s["max"])
                    if far.any():   # a new id, a unit mix-up: the model extrapolates there
                        report.append({"column": s["name"], "issue": "far",
                                       "rows": np.flatnonzero(far),
                                       "values": [float(np.max(az[far]))],
                                       "beyond_range": "min" in s,
                                       "action": "used as they are: the model extrapolates "
                                                 "there, far from anything it learned"})
                if huge.any():
                    if report is not None:
                        report.append(_huge_fact(s, huge))
                    z[huge] = (s["median"] - s["mean"]) / s["std"]
                    if s["indicator"]:
                        miss = miss | huge
                out[:, j] = z
                j += 1
                if s["indicator"]:
                    out[:, j] = miss
                    j += 1
            else:
                cats = s["categories"]
                k = len(cats) + (1 if s["missing_category"] else 0)
                vals = _text_values(arr)
                lookup = {c: i for i, c in enumerate(cats)}
                miss_code = len(cats) if s["missing_category"] else -1
                if arr.dtype.kind == "b" or s["name"] in getattr(table, "_bool_columns", ()):
                    _bools_as_categories(vals, cats, lookup)
                if any(v is not None and v not in lookup for v in vals.tolist()):
                    # a column read as numbers in one file and as text in the other (0007 is
                    # 7 where every value is a number): a value written as a number is also
                    # matched by its value to a category written as a number
                    # and a value spelled in other case (YES for yes) by the one category
                    # it matches ignoring case
                    by_value = _unique_index(cats, _as_number)
                    by_case = _unique_index(cats, _casefold)
                    vals[:] = [v if v is None or v in lookup else
                               cats[by_value[num]] if (num := _as_number(v)) in by_value
                               else cats[by_case[low]] if (low := v.casefold()) in by_case
                               else v for v in vals.tolist()]
                codes = np.fromiter(
                    (miss_code if v is None else lookup.get(v, -1) for v in vals),
                    dtype=np.int64, count=n)
                hit = codes >= 0
                out[np.flatnonzero(hit), j + codes[hit]] = 1.0
                j += k
                if report is not None and not hit.all():
                    report.extend(_categorical_facts(s, vals, hit))
        return out

    def fit_transform(self, table, target: str | None = None) -> np.ndarray:
        """``fit(table, target)`` then ``transform(table)``."""
        return self.fit(table, target).transform(table)

    def summary(self) -> str:
        """One line per input column: how it is encoded, or why it was dropped. A ``str``
        whose repr is the text itself, so that as a notebook cell's value it shows as lines
        (as ``Sequential.summary()`` does)."""
        self._check_fitted()
        lines = []
        for s in self.columns_:
            if s["kind"] == "numeric":
                extra = f", missing -> median {s['median']:.4g} + indicator" \
                    if s["indicator"] else ""
                lines.append(f"{s['name']}: numeric, standardized (mean {s['mean']:.4g}, std "
                             f"{s['std']:.4g}){extra}")
            else:
                extra = ", missing is a category" if s["missing_category"] else ""
                if s["name"] in self.notes_:
                    extra += f"; {self.notes_[s['name']]}"
                lines.append(f"{s['name']}: categorical, one-hot over {len(s['categories'])} "
                             f"categories{extra}")
        for name, reason in self.dropped_.items():
            lines.append(f"{name}: dropped ({reason})")
        if self.target_ is not None:
            lines.append(f"{self.target_}: target (not a feature)")
        from .model import Summary
        return Summary("\n".join(lines))

    # -- persistence ------------------------------------------------------------------------
    def get_params(self) -> dict:
        return {"max_categories": self.max_categories,
                "max_unique_ratio": self.max_unique_ratio,
                "id_unique_ratio": self.id_unique_ratio, "min_id_rows": self.min_id_rows,
                "drop": list(self.drop), "categorical": list(self.categorical),
                "dtype": self.dtype, "keep": list(self.keep)}

    def to_dict(self) -> dict:
        """Everything learned, as plain JSON-able data (dicts, lists, str, float, bool)."""
        self._check_fitted()
        params = self.get_params()
        # keep= is a rule of fitting, whose outcome the columns hold: not written, so that
        # glassnet 0.2.0, which knows no keep=, reads the file (it called it damaged)
        del params["keep"]
        return {"format": _FORMAT, "version": 1, "params": params,
                "target": self.target_,
                "columns": [dict(s, categories=list(s["categories"]))
                            if s["kind"] == "categorical" else dict(s)
                            for s in self.columns_],
                "dropped": dict(self.dropped_), "notes": dict(self.notes_),
                "feature_names_out": self.feature_names_out}

    @classmethod
    def from_dict(cls, d: dict) -> "TabularPreprocessor":
        """Rebuild a fitted preprocessor from :meth:`to_dict` output. A dict that is not
        what :meth:`to_dict` writes (a model file's damaged or hand-edited section) is a
        ValueError naming the entry."""
        if not isinstance(d, Mapping) or d.get("format") != _FORMAT:
            raise ValueError(f"not a TabularPreprocessor dict (expected format {_FORMAT!r})")
        if d.get("version") not in (1, 2):  # 2: its data is read with extra missing tokens
            raise ValueError(f"unsupported TabularPreprocessor version {d.get('version')!r} "
                             f"(from a newer glassnet?)")
        params = d.get("params")
        if not isinstance(params, Mapping):
            raise ValueError(f"preprocessor dict: params must be a dict, got "
                             f"{_entry(params)}")
        try:
            self = cls(**params)
        except TypeError as exc:  # an unknown or misspelt parameter
            raise ValueError(f"preprocessor dict: bad params ({exc})") from None
        columns = d.get("columns")
        if not isinstance(columns, list):
            raise ValueError(f"preprocessor dict: columns must be a list of column dicts, "
                             f"got {_entry(columns)}")
        specs = []
        for i, s in enumerate(columns):
            if not isinstance(s, Mapping) or not isinstance(s.get("name"), str):
                raise ValueError(f"preprocessor dict: columns[{i}] must be a dict with a "
                                 f"str name, got {_entry(s)}")
            name = s["name"]
            if s.get("kind") == "numeric":
                specs.append({"name": name, "kind": "numeric",
                              **{k: _stored_float(s, k, name)
                                 for k in ("median", "mean", "std")},
                              "indicator": _stored_bool(s, "indicator", name)})
                if not (math.isfinite(specs[-1]["std"]) and specs[-1]["std"] > 0
                        and math.isfinite(specs[-1]["mean"])
                        and math.isfinite(specs[-1]["median"])):
                    raise ValueError(f"preprocessor dict: column {name!r} needs a finite "
                                     f"mean and median and a finite std > 0, got "
                                     f"{s['mean']!r}, {s['median']!r}, {s['std']!r}")
                if "min" in s and "max" in s:   # the training range (newer files)
                    specs[-1].update(min=_stored_float(s, "min", name),
                                     max=_stored_float(s, "max", name))
                if "binary" in s:   # (newer files; without it, true/false text is refused)
                    specs[-1]["binary"] = _stored_bool(s, "binary", name)
            elif s.get("kind") == "categorical":
                cats = s.get("categories")
                if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
                    raise ValueError(f"preprocessor dict: column {name!r} needs a list of "
                                     f"str categories, got {_entry(cats)}")
                specs.append({"name": name, "kind": "categorical", "categories": list(cats),
                              "missing_category": _stored_bool(s, "missing_category", name)})
            else:
                raise ValueError(f"unknown column kind in preprocessor dict: {_entry(s)}")
        entries = {}
        for key in ("dropped", "notes"):   # (notes: newer files)
            v = d.get(key, {})
            if not isinstance(v, Mapping) or not all(isinstance(t, str)
                                                     for kv in v.items() for t in kv):
                raise ValueError(f"preprocessor dict: {key} must be a dict of column name -> "
                                 f"str, got {_entry(v)}")
            entries[key] = dict(v)
        target = d.get("target")
        if target is not None and not isinstance(target, str):
            raise ValueError(f"preprocessor dict: target must be a str or None, got "
                             f"{_entry(target)}")
        self.columns_ = specs
        self.dropped_, self.notes_ = entries["dropped"], entries["notes"]
        self.target_ = target
        names = d.get("feature_names_out", self.feature_names_out)
        if not isinstance(names, list) or names != self.feature_names_out:
            raise ValueError("preprocessor dict is inconsistent: feature_names_out does not "
                             "match its columns")
        return self

    def __repr__(self):
        if self.columns_ is None:
            return "TabularPreprocessor(unfitted)"
        return (f"TabularPreprocessor({len(self.columns_)} columns -> {self.n_features_out} "
                f"features, {len(self.dropped_)} dropped)")


# ---------------------------------------------------------------------------------------
# targets
# ---------------------------------------------------------------------------------------
def _label_array(y, name="y") -> np.ndarray:
    if y is None:
        raise TypeError(f"{name} is None; give one label per row")
    if isinstance(y, Table):
        raise TypeError(f"{name} must be one column, not a Table; use table[column]")
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per row), got shape {arr.shape}")
    return arr


def _label_kind(arr: np.ndarray) -> str:
    """'bool', 'int', 'float' or 'str' for a 1-D label array (missing values refused)."""
    if arr.dtype.kind == "b":
        return "bool"
    if arr.dtype.kind in "iu":
        return "int"
    if arr.dtype.kind == "f":
        if np.isnan(arr).any():
            raise ValueError(f"the target has {int(np.isnan(arr).sum())} missing value(s); "
                             f"drop those rows first")
        # whole numbers that int64 holds exactly (1e20 would wrap around to -2**63)
        return "int" if (np.all(arr == np.round(arr)) and np.all(np.isfinite(arr))
                         and np.all(np.abs(arr) < 2.0 ** 53)) else "float"
    n_missing = sum(1 for v in arr if v is None or (isinstance(v, float) and math.isnan(v)))
    if n_missing:
        raise ValueError(f"the target has {n_missing} missing value(s); drop those rows first")
    if arr.size and all(isinstance(v, (bool, np.bool_)) for v in arr):
        return "bool"
    return "str"


_FLOAT64_MAX_INT = int(np.finfo(np.float64).max)

# what each kind of stored class is, as to_dict writes it (JSON's Infinity is a float label)
_KIND_OF_CLASS = {
    "str": (lambda c: isinstance(c, str), "a str"),
    "bool": (lambda c: isinstance(c, bool), "true or false"),
    "int": (lambda c: isinstance(c, int) and not isinstance(c, bool) and -2**63 <= c < 2**64,
            "a whole number in int64's or uint64's range"),
    "float": (lambda c: (isinstance(c, float) and not math.isnan(c)) or (
        isinstance(c, int) and not isinstance(c, bool) and abs(c) <= _FLOAT64_MAX_INT),
              "a number in float64's range, not NaN"),
}


class TargetEncoder:
    """Map class labels to ``0..k-1`` (sorted order) and back, like scikit-learn's
    ``LabelEncoder``. Labels may be strings, integers, integral floats (stored as ints) or
    bools. ``classes_[i]`` is the label of code ``i``."""

    def __init__(self):
        self.classes_ = None
        self.kind_ = None

    def fit(self, y) -> "TargetEncoder":
        arr = _label_array(y)
        if arr.size == 0:
            raise ValueError("cannot fit a TargetEncoder on an empty target")
        kind = _label_kind(arr)
        if kind == "str":
            classes = np.array(sorted(set(str(v) for v in arr)), dtype=object)
        elif kind == "bool":
            classes = np.unique(arr.astype(bool))
        elif kind == "int" and arr.dtype.kind in "iu":  # exactly, 2**53 + 1 too
            classes = np.unique(arr)
            if classes.dtype.kind == "i" or classes[-1] <= np.iinfo(np.int64).max:
                classes = classes.astype(np.int64)           # (uint64 beyond int64 stays)
        elif kind == "int":
            classes = np.unique(arr.astype(np.float64)).astype(np.int64)
        else:
            classes = np.unique(arr.astype(np.float64))
        self.classes_ = classes
        self.kind_ = kind
        return self

    @property
    def n_classes_(self) -> int:
        self._check_fitted()
        return len(self.classes_)

    def _check_fitted(self):
        if self.classes_ is None:
            raise RuntimeError("this TargetEncoder is not fitted yet; call fit(y) first")

    def transform(self, y) -> np.ndarray:
        """Codes ``0..k-1`` (int64); a label not seen at fit is a ValueError naming it."""
        self._check_fitted()
        arr = _label_array(y)
        if self.kind_ == "str":
            lookup = {c: i for i, c in enumerate(self.classes_)}
            codes = np.empty(len(arr), dtype=np.int64)
            unknown = []
            for i, v in enumerate(arr):
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    unknown.append(v)
                    continue
                c = lookup.get(str(v))
                if c is None:
                    unknown.append(v)
                else:
                    codes[i] = c
            if unknown:
                self._unknown(unknown)
            return codes
        exact = self._exact_positions(arr)
        if exact is not None:
            pos, ok = exact
        else:
            try:
                vals = arr.astype(np.float64)
            except (TypeError, ValueError):
                bad = next(v for v in arr if not _is_number(v))
                self._unknown([bad])
            cls = self.classes_.astype(np.float64)
            pos = np.clip(np.searchsorted(cls, vals), 0, len(cls) - 1)
            ok = cls[pos] == vals
        if not ok.all():
            self._unknown(arr[~ok].tolist())
        return pos.astype(np.int64)

    def _exact_positions(self, arr):
        """(positions in classes_, found) for integer labels against integer classes,
        compared as integers (float64 holds whole numbers exactly only up to 2**53); None
        for other labels."""
        cls = self.classes_
        if arr.dtype.kind not in "iu" or cls.dtype.kind not in "iu":
            return None
        a = arr.astype(cls.dtype)
        fits = a.astype(arr.dtype) == arr            # no wrap-around in the cast
        if arr.dtype.kind == "i" and cls.dtype.kind == "u":
            fits &= arr >= 0
        if arr.dtype.kind == "u" and cls.dtype.kind == "i":
            fits &= a >= 0                           # 2**64 - 1 wraps around to -1
        pos = np.clip(np.searchsorted(cls, a), 0, len(cls) - 1)
        return pos, fits & (cls[pos] == a)

    def unknown_mask(self, y) -> np.ndarray:
        """True where a label of ``y`` was not seen at fit (a missing label included): the
        rows :meth:`transform` would refuse."""
        self._check_fitted()
        arr = _label_array(y)
        if self.kind_ == "str":
            known = set(self.classes_.tolist())
            return np.fromiter((v is None or (isinstance(v, float) and math.isnan(v))
                                or str(v) not in known for v in arr), dtype=bool,
                               count=len(arr))
        exact = self._exact_positions(arr)
        if exact is not None:
            return ~exact[1]
        if arr.dtype.kind in "biuf":
            vals = arr.astype(np.float64)
        else:
            vals = np.array([float(v) if _is_number(v) else np.nan for v in arr],
                            dtype=np.float64)
        cls = self.classes_.astype(np.float64)
        pos = np.clip(np.searchsorted(cls, vals), 0, len(cls) - 1)
        return ~(cls[pos] == vals)

    def _unknown(self, values):
        seen = []
        for v in values:
            v = v.item() if isinstance(v, np.generic) else v  # 'c', not np.str_('c')
            if v not in seen:
                seen.append(v)
        shown = ", ".join(map(shown_value, seen[:10])) + (" ..." if len(seen) > 10 else "")
        raise ValueError(f"unknown label(s) {shown} not seen at fit; known classes: "
                         f"{self.classes_.tolist()}")

    def fit_transform(self, y) -> np.ndarray:
        return self.fit(y).transform(y)

    def inverse_transform(self, codes) -> np.ndarray:
        """Labels for codes (ints in ``0..k-1``)."""
        self._check_fitted()
        c = np.asarray(codes)
        if c.dtype.kind == "f":
            if not np.all(c == np.round(c)):
                raise ValueError("codes must be integers (did you pass probabilities? take "
                                 "argmax first)")
            c = c.astype(np.int64)
        if c.dtype.kind not in "iu":
            raise ValueError(f"codes must be integers, got dtype {c.dtype}")
        if c.size and (c.min() < 0 or c.max() >= len(self.classes_)):
            raise ValueError(f"codes must be in 0..{len(self.classes_) - 1}, got values from "
                             f"{c.min()} to {c.max()}")
        return self.classes_[c]

    def to_dict(self) -> dict:
        self._check_fitted()
        return {"format": _TARGET_FORMAT, "version": 1, "kind": self.kind_,
                "classes": self.classes_.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "TargetEncoder":
        """Rebuild a fitted encoder from :meth:`to_dict` output: a ValueError for classes
        that are not what :meth:`fit` stores (each a value of its kind, no NaN, unique and
        sorted, as transform's lookups need), e.g. a model file's damaged section."""
        if not isinstance(d, Mapping) or d.get("format") != _TARGET_FORMAT:
            raise ValueError(f"not a TargetEncoder dict (expected format {_TARGET_FORMAT!r})")
        kind, classes = d.get("kind"), d.get("classes")
        if kind not in _KIND_OF_CLASS:
            raise ValueError(f"label encoder dict: unknown label kind {_entry(kind)}")
        if not isinstance(classes, list) or not classes:
            raise ValueError(f"label encoder dict: classes must be a non-empty list, got "
                             f"{_entry(classes)}")
        is_label, what = _KIND_OF_CLASS[kind]
        bad = [c for c in classes if not is_label(c)]
        if bad:
            raise ValueError(f"label encoder dict: class {_entry(bad[0])} does not fit its "
                             f"kind {kind!r} (each class must be {what})")
        for a, b in zip(classes, classes[1:]):
            if not a < b:  # fit stores them unique and sorted; transform bisects them
                raise ValueError(f"label encoder dict: classes must be unique and sorted, "
                                 f"but {_entry(b)} follows {_entry(a)}")
        if kind == "int" and classes[-1] > np.iinfo(np.int64).max and classes[0] < 0:
            raise ValueError(f"label encoder dict: int classes from {classes[0]} to "
                             f"{classes[-1]} fit neither int64 nor uint64")
        self = cls()
        if kind == "str":
            self.classes_ = np.array(classes, dtype=object)
        elif kind == "bool":
            self.classes_ = np.array(classes, dtype=bool)
        elif kind == "int":
            big = classes[-1] > np.iinfo(np.int64).max
            self.classes_ = np.array(classes, dtype=np.uint64 if big else np.int64)
        else:
            self.classes_ = np.array(classes, dtype=np.float64)
        self.kind_ = kind
        return self

    def __repr__(self):
        if self.classes_ is None:
            return "TargetEncoder(unfitted)"
        return f"TargetEncoder(classes={self.classes_.tolist()})"


def _is_number(v, to_float=plain_float) -> bool:
    """Whether ``to_float`` (plain_float, or comma_float for a decimal-comma file) reads v."""
    try:
        to_float(v)
        return True
    except (TypeError, ValueError):
        return False


def detect_task(y, max_classes: int = 20) -> str:
    """``"classification"`` or ``"regression"`` for a target column.

    Strings and bools are classification; so are numbers that are all integers with at most
    ``max_classes`` distinct values (or only two distinct values of any kind). Other numbers
    (floats with fractional parts, or many distinct integers) are regression. Missing values
    are ignored.
    """
    arr = _label_array(y)
    if arr.dtype.kind == "b":
        return "classification"
    if arr.dtype.kind in "OUS":
        present = [v for v in arr if not (v is None or (isinstance(v, float) and math.isnan(v)))]
        if all(isinstance(v, (bool, np.bool_)) for v in present):
            return "classification"
        try:
            vals = np.array(present, dtype=np.float64)
        except (TypeError, ValueError):
            return "classification"
    elif arr.dtype.kind in "iuf":
        vals = arr.astype(np.float64)
    else:
        raise ValueError(f"cannot tell the task of a target with dtype {arr.dtype}")
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        raise ValueError("the target has no values")
    uniq = np.unique(vals)
    if len(uniq) <= 2:
        return "classification"
    if np.all(uniq == np.round(uniq)) and len(uniq) <= max_classes:
        return "classification"
    return "regression"
