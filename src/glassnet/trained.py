"""A model ``glassnet train`` wrote, used from Python on raw rows.

Its file holds the network (on the *preprocessed* columns) and what ``glassnet train``
learned to get there: the column preprocessing, the class labels or the target's scaling, and
how the training file was read (``--na-values``, ``--decimal``). :func:`load_trained` puts them
together, so that a CSV file (read as the training file was), a DataFrame or a dict of columns
(its text cells stripped and its ``--na-values`` cells missing, as the CSV reader reads them;
numbers in them are taken as they are) is predicted as ``glassnet predict`` predicts it, and
what the training rows never had (a new category, missing values) is said in one warning::

    run = glassnet.load_trained("runs/titanic/model.gnet")
    run.predict(df)          # class labels (or numbers, for a regression)
    run.predict_proba(df)    # (m, k) probabilities, columns in run.classes_ order

``run.model`` is the network itself (``glassnet.load`` gives the same), ``run.transform(df)``
the inputs it takes.
"""
from __future__ import annotations

import errno
import math
import os

import numpy as np

__all__ = ["load_trained", "TrainedModel"]

# what predict takes, for the error that refuses something else
_FORMS = ("a pandas DataFrame, a dict of columns, one record as a dict (or a pandas Series), "
          "a list (or any iterable) of record dicts, a glassnet Table or a CSV file's path")


def _read_options(data):
    """How messages name the read options for ``data``: by these keyword arguments, not the
    command line's options; sep=, decimal= and skip_rows= read a file only (rows in memory
    are read already)."""
    from .commands import CLI_READ_OPTIONS, ReadOptions
    return ReadOptions(True, CLI_READ_OPTIONS.taken if _is_path(data)
                       else frozenset({"na_values"}))


def _is_path(data) -> bool:
    return isinstance(data, (str, os.PathLike))


def load_trained(path) -> "TrainedModel":
    """The model file ``path`` written by ``glassnet train``, ready to predict raw rows; a
    file without stored preprocessing (``Sequential.save``, ``GlassClassifier.save``) is a
    ValueError saying how to load it instead."""
    return TrainedModel(path)


class TrainedModel:
    """See :mod:`glassnet.trained`. Attributes: ``model`` (the Sequential), ``task``
    ("classification" or "regression"), ``target`` (the target column's name),
    ``feature_names_in_`` (the columns the rows must have), ``classes_`` (classification)."""

    def __init__(self, path):
        from .cli import UsageError
        from .commands import _Loaded
        if not os.path.exists(path):   # as gn.load and GlassClassifier.load say it
            raise FileNotFoundError(errno.ENOENT, "no such model file", os.fspath(path))
        try:
            self._run = _Loaded(os.fspath(path))
        except UsageError as exc:  # the CLI's one-line message, as a Python error
            raise ValueError(str(exc)) from None
        self.model = self._run.model
        self.task = self._run.task
        self.target = self._run.target
        self.feature_names_in_ = list(self._run.pre.input_columns_)
        if self.task == "classification":
            self.classes_ = self._run.encoder.classes_

    def __repr__(self):
        return (f"TrainedModel({self.task}, target {self.target!r}, "
                f"{len(self.feature_names_in_)} input columns)")

    def _table(self, data, sep=None, decimal=None, na_values=None, skip_rows=0):
        """``data`` as the table ``glassnet predict`` would read: a CSV file read as the
        CLI reads it (the training file's options, and ``sep``/``decimal``/``na_values``/
        ``skip_rows`` as predict's --sep/--decimal/--na-values/--skip-rows); a DataFrame, a
        dict of columns, one row as a dict of values or a Series, or a list or iterable of
        such dicts (:func:`_rows_as_columns`), as the CSV reader reads text (see
        :func:`_as_read`)."""
        from .commands import _load_source, model_na_values, model_read_options
        from .preprocess import _as_table
        given = _tokens(na_values)
        if _is_path(data):
            path = os.fspath(data)
            return _cli(lambda: _load_source(
                path, sep=_check_sep(sep), options=_read_options(data), skip_rows=skip_rows,
                **model_read_options(self._run.extra, given, _check_decimal(decimal))).table)
        if sep is not None or decimal is not None or skip_rows:
            raise ValueError("sep=, decimal= and skip_rows= say how to read a CSV file; "
                             f"{type(data).__name__} data is read as it is")
        tokens = model_na_values(self._run.extra, given)
        table = _as_table(_rows_as_columns(data, self.feature_names_in_), expected=_FORMS,
                          missing_text=frozenset(str(t).strip() for t in tokens))
        return _as_read(table, self.feature_names_in_, tokens)

    def transform(self, data, *, sep=None, decimal=None, na_values=None,
                  skip_rows=0) -> np.ndarray:
        """The network's inputs for the rows of ``data``: the stored preprocessing applied.
        ``data`` is a pandas DataFrame, a dict of columns (a single value in it, text
        included, is repeated on every row, as pandas does), one row as a dict of values
        (``{"Age": 22, "Sex": "male"}``) or a pandas Series (``df.iloc[0]``), a list or any
        iterable of such dicts (a key a row lacks is missing there), a glassnet Table or a
        CSV file's path (a missing one is a FileNotFoundError). For a file, ``sep`` and
        ``decimal`` override what the model stored, as ``glassnet predict``'s --sep and
        --decimal do, and ``skip_rows`` lines above its header are skipped; ``na_values``
        (tokens, or numbers: matched by value) are read as missing besides the training's,
        in any data. Columns the model does not use are ignored; a missing one is a
        ValueError, and what the training rows never had is said in a warning (as
        ``glassnet predict``'s notes)."""
        import warnings
        from .callbacks import user_stacklevel
        from .commands import capped_transform_notes, transform_for_model
        table = self._table(data, sep, decimal, na_values, skip_rows)
        facts = []
        X = _cli(lambda: transform_for_model(
            self._run.pre, table, self._run.extra, report=facts, label="the data",
            options=_read_options(data), announce=False))
        if facts:
            warnings.warn("; ".join(capped_transform_notes(facts, table)), UserWarning,
                          stacklevel=user_stacklevel())
        return X

    def predict_proba(self, data, *, sep=None, decimal=None, na_values=None,
                      skip_rows=0) -> np.ndarray:
        """(m, k) class probabilities in float64, columns in ``classes_`` order (two for a
        single sigmoid output), as ``glassnet predict`` writes them; ``data`` and the read
        options (``sep``, ``decimal``, ``na_values``, ``skip_rows``) as :meth:`transform`
        takes them."""
        if self.task != "classification":
            raise ValueError("predict_proba needs a classification model; this one does "
                             "regression: use predict")
        from .commands import _probabilities
        return _probabilities(self.model, self.transform(
            data, sep=sep, decimal=decimal, na_values=na_values, skip_rows=skip_rows))

    def predict(self, data, *, sep=None, decimal=None, na_values=None,
                skip_rows=0) -> np.ndarray:
        """Class labels (classification) or numbers in the target's units (regression), one
        per row, as ``glassnet predict`` writes them (a regression's in float64, all digits:
        the CSV holds the fewest digits that identify the same float32 output of the
        network); ``data`` and the read options (``sep``, ``decimal``, ``na_values``,
        ``skip_rows``) as :meth:`transform` takes them."""
        read = {"sep": sep, "decimal": decimal, "na_values": na_values, "skip_rows": skip_rows}
        if self.task == "classification":
            codes = self.predict_proba(data, **read).argmax(axis=1)
            return self._run.encoder.inverse_transform(codes)
        from .commands import _regression_output
        return _regression_output(self.model, self.transform(data, **read),
                                  self._run.scaling)


def _cli(call):
    """``call()``, with the CLI's one-line usage errors as ValueErrors (no such file: as the
    FileNotFoundError open() raises)."""
    from .cli import UsageError
    from .commands import SourceNotFound
    try:
        return call()
    except SourceNotFound as exc:
        raise FileNotFoundError(str(exc)) from None
    except UsageError as exc:
        raise ValueError(str(exc)) from None


def _tokens(na_values):
    """``na_values`` as a list of tokens: one string (comma-separated, as --na-values
    takes them), one number, or an iterable of them (a number as its text, as pandas takes
    ``na_values=[-999]``: it matches that value however a cell writes it)."""
    from .commands import _na_tokens
    if na_values is None:
        return []
    if isinstance(na_values, str):
        return _option("na_values", _na_tokens, na_values)
    if _na_number(na_values):
        return [str(na_values)]
    if not isinstance(na_values, (list, tuple, set, frozenset, np.ndarray)) or not all(
            isinstance(t, str) or _na_number(t) for t in na_values):
        raise TypeError(f"na_values must be a string, a number or a list of them, got "
                        f"{na_values!r}")
    return [t if isinstance(t, str) else str(t) for t in na_values]


def _na_number(v) -> bool:
    # (a bool is no missing-value marker: True would be every 1)
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(
        v, (bool, np.bool_))


def _option(name, parse, text):
    """``parse(text)`` of the CLI's option parser, its complaint a ValueError naming
    ``name``."""
    import argparse
    try:
        return parse(text)
    except argparse.ArgumentTypeError as exc:
        raise ValueError(f"{name} {exc}") from None


def _check_sep(sep):
    from .commands import _separator
    if sep is not None and not isinstance(sep, str):
        raise TypeError(f"sep must be a string such as ';' or 'tab', got {sep!r}")
    return None if sep is None else _option("sep", _separator, sep)


def _check_decimal(decimal):
    if decimal not in (None, ".", ","):
        raise ValueError(f"decimal must be '.' or ',', got {decimal!r}")
    return decimal


def _list_like(v) -> bool:
    """Whether a dict's value ``v`` holds a column's values (a list, an array, a Series...),
    as pandas tells them: iterable, but not text; a dict value is one cell."""
    from collections.abc import Mapping
    if isinstance(v, (str, bytes, Mapping)) or (isinstance(v, np.ndarray) and v.ndim == 0):
        return False
    return hasattr(v, "__iter__")


def _cell(v) -> np.ndarray:
    """``v`` as a column of one row (a list in it stays one cell, not a row of cells)."""
    out = np.empty(1, dtype=object)
    out[0] = v
    return out


def _records_column(values):
    """One key's ``values`` across records, as a column: an object array where any value is
    list-like (equal-length lists would otherwise make a 2-D column), one cell each."""
    if not any(_list_like(v) for v in values):
        return values
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _record_or_columns(data, columns):
    """A dict as pandas' DataFrame constructor takes it: one record when the model's
    ``columns`` in it (all its keys, when it has none of them) hold single values, so that a
    record's extra keys are ignored whatever they hold; else a dict of columns, its single
    values (text included) repeated on every row, and a column of another length an error."""
    used = [k for k in data if k in columns] or list(data)
    if not any(_list_like(data[k]) for k in used):
        return {k: _cell(v) if _list_like(v) else [v] for k, v in data.items()}
    unordered = [k for k, v in data.items() if isinstance(v, (set, frozenset))]
    if unordered:
        from .preprocess import _shown
        raise TypeError(f"column {_shown(str(unordered[0]))} is a set, whose values have no "
                        f"order (the rows would be shuffled): give a list")
    values = {k: (v if not _list_like(v) or hasattr(v, "__len__") else list(v))
              for k, v in data.items()}
    lengths = {k: len(v) for k, v in values.items() if _list_like(v)}
    first, n = next(iter(lengths.items()))
    for k, m in lengths.items():
        if m != n:
            from .preprocess import _shown
            raise ValueError(
                f"column {_shown(str(k))} has {m} value{'s' if m != 1 else ''} and column "
                f"{_shown(str(first))} {n}: the lists of a dict of columns hold one value per "
                f"row (a single value, text included, is repeated on every row)")
    return {k: v if k in lengths else [v] * n for k, v in values.items()}


def _rows_as_columns(data, columns=()):
    """Rows given in a form the table reader does not take, as a dict of columns: one
    record (a dict of values, ``{"Age": 22}``, or a pandas Series, ``df.iloc[0]``), a dict
    mixing lists and single values (:func:`_record_or_columns`), or records as a list or any
    iterable of dicts (a key a record lacks is None there, i.e. missing); anything else as
    it is (an iterator of something else as a list)."""
    from collections.abc import Iterable, Iterator, Mapping
    from .data import Table
    if getattr(data, "ndim", None) == 1 and hasattr(data, "index") and hasattr(data, "items") \
            and not isinstance(data, np.ndarray):   # a pandas Series: one record
        names = [str(k) for k in data.index]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"duplicate name(s) {twice} in the Series' index; as one record "
                             f"its index names the columns, which must be unique")
        data = dict(zip(names, data.tolist()))
    if isinstance(data, Mapping):
        return _record_or_columns(data, columns) if data else data
    if isinstance(data, (str, bytes, np.ndarray, Table)) or hasattr(data, "columns") or \
            not isinstance(data, Iterable):
        return data
    rows = data if isinstance(data, (list, tuple)) else list(data)
    if not rows:
        raise ValueError("no rows given: the data is an empty "
                         f"{type(data).__name__}")
    if all(isinstance(r, Mapping) for r in rows):
        keys = list(dict.fromkeys(k for r in rows for k in r))
        return {k: _records_column([r.get(k) for r in rows]) for k in keys}
    return rows if isinstance(data, Iterator) else data


def _number(text):
    """The value of ``text`` read as the CSV reader reads a number, else None."""
    from .data.tabular import plain_float
    try:
        return plain_float(text)
    except ValueError:
        return None


def _as_read(table, columns, tokens):
    """``table`` with its ``columns`` (those present) as the CSV reader would have read their
    text: cells stripped of white space, and the cells of ``tokens`` (the training's
    --na-values) missing: a number token by its value, in numbers and in text cells alike
    (-999 matches -999.0); text tokens by their text."""
    from .data import Table
    from .data.tabular import is_numeric_column
    numbers = {v for t in tokens if (v := _number(str(t))) is not None and math.isfinite(v)}
    text = {str(t).strip() for t in tokens}
    out = {name: table[name] for name in table.columns}  # the others as they are, to be named
    for name in (c for c in columns if c in table):
        arr = table[name]
        if is_numeric_column(arr):
            x = arr.astype(np.float64)
            arr = np.where(np.isin(x, list(numbers)), np.nan, x) if numbers else arr
        else:
            cells = np.empty(len(arr), dtype=object)
            cells[:] = [v.strip() if isinstance(v, str) else v for v in arr]
            cells[:] = [None if isinstance(v, str) and (v in text or _number(v) in numbers)
                        else v for v in cells]
            arr = cells
        out[name] = arr
    read = Table(out, n_rows=table.n_rows)
    # what the types of the columns given said (bools, pandas' category dtype): see
    # preprocess._in_memory_table
    for fact in ("_bool_columns", "_category_columns"):
        setattr(read, fact, getattr(table, fact, frozenset()))
    return read
