"""Input validation at the library's boundary (fit, predict, evaluate, load).

Everything that enters from a user passes through here once; the hot loop then trusts it.
Errors name the problem and, where there is one, the fix.
"""
from __future__ import annotations

import inspect
import numbers
from collections import Counter

import numpy as np


def resolve_dtype(dtype) -> np.dtype:
    """Return float32 or float64 as a NumPy dtype; another dtype is a ValueError, something
    that is not a dtype a TypeError."""
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"dtype must be 'float32' or 'float64', got {dtype!r}") from exc
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    return dt


def check_array(X, *, name: str = "X", dtype=np.float32, ndim: int | None = 2,
                n_features: int | None = None, allow_empty: bool = False,
                allow_nonfinite: bool = False) -> np.ndarray:
    """Convert ``X`` to a C-contiguous float array and check it.

    Raises ValueError/TypeError naming the problem: non-numeric values, wrong number of
    dimensions or columns, no rows, NaN or infinity.
    """
    if X is None:
        raise TypeError(f"{name} is None; expected an array of numbers")
    if isinstance(X, (str, bytes)):
        raise TypeError(f"{name} is a string ({_short(X)}), not an array of numbers; to use a "
                        f"CSV file read it first (glassnet.data.read_csv)")
    if isinstance(X, (dict, set, frozenset)) or inspect.isgenerator(X) or (
            hasattr(X, "__next__") and not hasattr(X, "__len__")):
        raise TypeError(f"{name} is a {type(X).__name__}; pass a NumPy array or a list of "
                        f"rows (lists of numbers)")
    columns = None   # a DataFrame's column names, for an error that names the column
    index = pandas_index(X)   # and its row labels, for one that names the row
    if hasattr(X, "to_numpy") and not isinstance(X, np.ndarray):  # pandas and friends
        columns = getattr(X, "columns", None)
        X = X.to_numpy()
    if hasattr(X, "toarray") and not isinstance(X, np.ndarray):  # scipy.sparse
        raise TypeError(f"{name} is a sparse matrix; glassnet needs a dense array "
                        f"(call .toarray() if it fits in memory)")
    arr = read_array(X, name)
    missing = None
    if arr.dtype == object or arr.dtype.kind in "USVO":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            if arr.dtype == object:  # pandas' NA (and None): missing values, like NaN
                missing = missing_entries(arr)
                if missing.any():
                    raw, arr = arr, np.where(missing, np.nan, arr)
                else:
                    missing = None
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError):
                bad = _first_non_numeric(arr)
                raise ValueError(f"{name} contains non-numeric values (e.g. {bad!r}); "
                                 f"encode text columns as numbers first") from exc
    if arr.dtype.kind == "c":
        raise TypeError(f"{name} has complex values; glassnet works with real numbers")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} has unsupported dtype {arr.dtype}; expected numbers")
    if ndim == 2 and arr.ndim == 1:
        raise ValueError(f"{name} must be 2-D (examples in rows, features in columns), got "
                         f"shape {arr.shape}; use X.reshape(-1, 1) for a single feature or "
                         f"X.reshape(1, -1) for a single example")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got {arr.ndim}-D with shape {arr.shape}")
    if not allow_empty and arr.size == 0 and (arr.ndim == 0 or arr.shape[0] == 0):
        raise ValueError(f"{name} is empty (shape {arr.shape}); at least one example is needed")
    if ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"{name} has no columns (shape {arr.shape})")
    if n_features is not None and arr.ndim == 2 and arr.shape[1] != n_features:
        raise ValueError(f"{name} has {arr.shape[1]} columns but the model expects "
                         f"{n_features} features")
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported just below
        out = np.ascontiguousarray(arr, dtype=dtype)
    if not allow_nonfinite and not all_finite(out):
        bad = np.argwhere(~np.isfinite(out))[0]
        where = row_name(bad[0], index) + (f", column {bad[1]}" if out.ndim > 1 else "")
        if out.ndim > 1 and columns is not None and len(columns) == out.shape[1]:
            where += f" ({_short(columns[int(bad[1])], 60)})"
        src = arr[tuple(bad)]
        if arr.dtype.kind in "iu" or (arr.dtype.kind == "f" and np.isfinite(src)):
            raise ValueError(f"{name} holds a value too large for {np.dtype(dtype).name} "
                             f"({float(src):.4g} at {where}); scale the inputs (standardize "
                             f"them) or use dtype='float64'")
        what = "non-finite" if missing is None else "missing or non-finite"
        if missing is not None and missing[tuple(bad)]:
            kind = f"a missing value ({raw[tuple(bad)]!r})"
        else:
            kind = "NaN" if np.isnan(out[tuple(bad)]) else "infinity"
        n_bad = int((~np.isfinite(out)).sum())
        raise ValueError(f"{name} contains {kind} at {where} ({n_bad} {what} value(s) in "
                         f"all); remove or impute missing values first")
    return out


def readable_size(size) -> str:
    """A size in bytes as people read it: '106 MB', '2.9 GB'."""
    return f"{size / 1e9:.1f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"


def pandas_index(obj):
    """The index of a pandas Series or DataFrame (its row labels), else None."""
    if isinstance(obj, np.ndarray) or not hasattr(obj, "to_numpy"):
        return None
    index = getattr(obj, "index", None)
    return index if hasattr(index, "__getitem__") else None   # (not a method named index)


def row_name(row, index=None) -> str:
    """``"row 2"``, with the row's label when ``index`` (from :func:`pandas_index`) is not
    the default 0..n-1 (``"row 2 (index 20)"``): after a shuffle or a filter, or by dates, a
    frame's position 2 is not ``df.loc[2]`` (and where the two happen to agree, the user
    cannot know it). Only called for an error's message."""
    row = int(row)
    if index is None or (type(index).__name__ == "RangeIndex" and index.start == 0
                         and index.step == 1):
        return f"row {row}"
    try:
        label = index[row]
    except Exception:   # an index of another length or kind: the position alone
        return f"row {row}"
    if isinstance(label, np.generic):
        label = label.item()   # 20, not np.int64(20)
    return f"row {row} (index {_short(label, 60)})"


def read_array(v, name: str) -> np.ndarray:
    """``np.asarray(v)`` with the errors that name ``name``: a masked array with masked
    values, ragged nested lists, a container NumPy cannot read (e.g. a tensor that requires
    grad)."""
    if isinstance(v, np.ma.MaskedArray):
        n_masked = int(np.ma.count_masked(v))
        if n_masked:
            raise ValueError(f"{name} is a masked array with {n_masked} masked value(s); fill "
                             f"them ({name}.filled(value)) or drop those rows first")
        v = v.data
    try:
        return rectangular(np.asarray(v))
    except Exception as exc:  # ragged nested lists and the like
        if "inhomogeneous" in str(exc) or "sequence" in str(exc):
            raise ValueError(f"{name} is ragged: its rows have different lengths (or hold "
                             f"nested lists); every row needs the same number of numbers") \
                from exc
        raise ValueError(f"{name} could not be read as an array: {exc}") from exc


def global_seed() -> int:
    """A seed drawn from NumPy's global random state: what ``random_state=None`` means in
    scikit-learn (``check_random_state(None)``), so ``np.random.seed`` makes runs repeatable."""
    return int(np.random.randint(np.iinfo(np.int32).max))


def missing_entries(arr: np.ndarray) -> np.ndarray:
    """Boolean mask of the None / pandas NA / NaT entries of an object array."""
    return np.frompyfunc(_is_missing, 1, 1)(arr).astype(bool)


def _is_missing(v) -> bool:
    """None and pandas' missing-value markers (pd.NA, pd.NaT), which do not convert to float."""
    return v is None or type(v).__name__ in ("NAType", "NaTType")


def rectangular(arr: np.ndarray) -> np.ndarray:
    """``arr``, or the ValueError that NumPy >= 1.24 raises itself for ragged nested lists where
    NumPy 1.23 only warns and makes a 1-D object array of the rows."""
    if arr.dtype == object and arr.ndim == 1 and any(
            isinstance(row, (list, tuple, np.ndarray)) for row in arr):
        raise ValueError("setting an array element with a sequence: the rows have different "
                         "lengths")
    return arr


_SUM_WIDTH = 1024          # elements per row of the blocks all_finite sums
_SUM_ROWS = 1024           # rows per block (4 MiB of float32)


def all_finite(a: np.ndarray, chunk: int = 1 << 16) -> bool:
    """``np.isfinite(a).all()``, without a boolean array the size of ``a``.

    Float arrays are first summed in blocks of rows, by one BLAS matrix-vector product with
    ones per block: a NaN or infinity anywhere in a row makes that row's sum NaN or infinite
    (IEEE arithmetic propagates both; inf − inf is NaN), so finite sums clear the whole block,
    at memory speed on every BLAS thread (about 2.5x faster than ``np.isfinite`` over the
    same blocks, on two threads; bench/RESULTS.md, stop 14). A block whose sums are not all
    finite is checked exactly, since finite values can also add up past the largest float.
    Other dtypes, and the elements past the last whole row, are checked by ``np.isfinite``
    over blocks of ``chunk`` elements into one small reused mask; the check stops at the
    first bad block."""
    flat = a.reshape(-1)  # a view for the C-contiguous arrays checked here; a copy otherwise
    if flat.dtype in (np.float32, np.float64) and flat.size >= 2 * _SUM_WIDTH:
        n = flat.size - flat.size % _SUM_WIDTH
        rows = flat[:n].reshape(-1, _SUM_WIDTH)
        ones = np.ones(_SUM_WIDTH, dtype=flat.dtype)
        sums = np.zeros(min(_SUM_ROWS, rows.shape[0]), dtype=flat.dtype)
        for lo in range(0, rows.shape[0], _SUM_ROWS):
            block = rows[lo:lo + _SUM_ROWS]
            s = sums[:block.shape[0]]
            with np.errstate(over="ignore", invalid="ignore"):   # inf − inf, overflow
                np.matmul(block, ones, out=s)
            if not np.isfinite(s).all() and not _isfinite_blocks(block.reshape(-1), chunk):
                return False
        flat = flat[n:]
    return _isfinite_blocks(flat, chunk)


def _isfinite_blocks(flat, chunk):
    if flat.size <= chunk:
        return bool(np.isfinite(flat).all())
    mask = np.empty(chunk, dtype=bool)
    for lo in range(0, flat.size, chunk):
        block = flat[lo:lo + chunk]
        m = mask[:block.size]
        np.isfinite(block, out=m)
        if not m.all():
            return False
    return True


def _first_non_numeric(arr):
    for v in arr.ravel():
        try:
            float(v)
        except (TypeError, ValueError):
            return v.item() if isinstance(v, np.generic) else v  # 'a', not np.str_('a')
    return None


def _short(v, n=40):
    r = repr(v)
    return r if len(r) <= n else r[:n - 3] + "..."


def repeated_names(names) -> list:
    """The names that occur more than once in ``names``, each once, in the order they first
    occur; counted in one pass (``names.count`` per name is quadratic: wide tables stall)."""
    return [n for n, k in Counter(names).items() if k > 1]


def check_column_names(names, known, name, owner, where):
    """Refuse a DataFrame's column ``names`` unless they are ``known`` (the names ``owner``
    was fitted on) in that order: the columns are read by position, so others, or the same
    in another order, would give wrong predictions silently. ``where``: what holds the known
    names (for the hint ``X[where.feature_names_in_]``)."""
    if names == known:
        return
    hint = f"{name}[list({where}.feature_names_in_)]"
    if sorted(names) == sorted(known):
        raise ValueError(f"{name}'s columns are those {owner} was fitted on, in another order: "
                         f"they are read by position; reorder them with {hint} (fitted on "
                         f"{_short(known, 100)})")
    missing = [c for c in known if c not in names]
    extra = [c for c in names if c not in known]
    raise ValueError(f"{name}'s columns differ from those {owner} was fitted on"
                     + (f": it lacks {_short(missing, 100)}" if missing else "")
                     + (f"{';' if missing else ':'} it has {_short(extra, 100)} that "
                        f"{owner} was not fitted on" if extra else "")
                     + f" (fitted on {_short(known, 100)}); select {hint}")


def check_consistent_length(X, y, names=("X", "y")):
    """Same number of rows in X and y; y None or a scalar is a TypeError naming it."""
    if not hasattr(y, "__len__") or getattr(y, "ndim", 1) == 0 or isinstance(y, (str, bytes)):
        if isinstance(y, np.ndarray):  # fit hands over np.asarray(y) of a scalar
            y = y.item()
        if y is None:
            raise TypeError(f"{names[1]} is None; give one target per row of {names[0]}")
        raise TypeError(f"{names[1]} must be an array with one target per row of {names[0]}, "
                        f"got {_short(y)}")
    if len(X) != len(y):
        raise ValueError(f"{names[0]} has {len(X)} rows but {names[1]} has {len(y)}; "
                         f"they must have one row per example")


def check_flag(value, name, owner=None) -> bool:
    """True or False only (NumPy's bool too): ``bool('False')`` is True, so a string, a
    number or None is a TypeError naming ``name`` (and ``owner``, the class it is for)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner + ': ' if owner else ''}{name} must be True or False, got "
                        f"{value!r}")
    return bool(value)


def new_rng(seed, owner="") -> np.random.Generator:
    """``np.random.default_rng(seed)``, whose errors for a negative or non-integer seed
    ("SeedSequence expects int or sequence of ints") say what is wrong in glassnet's words."""
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{owner + ' ' if owner else ''}seed must be None or an integer >= 0, "
                        f"got {seed!r}") from None


def check_positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_fraction(value, name, low=0.0, high=1.0, inclusive_high=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    ok = low <= value < high or (inclusive_high and value == high)
    if not ok or not np.isfinite(value):
        bracket = "]" if inclusive_high else ")"
        raise ValueError(f"{name} must be in [{low}, {high}{bracket}, got {value}")
    return float(value)
