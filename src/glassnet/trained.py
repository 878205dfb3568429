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

import math
import os

import numpy as np

__all__ = ["load_trained", "TrainedModel"]

# how messages name the read options here: by these keyword arguments, not the command line's
# options (sep= and decimal= read a file only: rows in memory are read already)
_FILE_OPTIONS = {"sep": "sep=", "decimal": "decimal=", "na_values": "na_values="}
_ROWS_OPTIONS = {"sep": None, "decimal": None, "na_values": "na_values="}


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

    def _table(self, data, sep=None, decimal=None, na_values=None):
        """``data`` as the table ``glassnet predict`` would read: a CSV file read as the
        CLI reads it (the training file's options, and ``sep``/``decimal``/``na_values`` as
        predict's --sep/--decimal/--na-values); a DataFrame, a dict of columns, one row as a
        dict of values or a list of such dicts, as the CSV reader reads text (see
        :func:`_as_read`)."""
        from .commands import _load_source, model_na_values, model_read_options
        from .preprocess import _as_table
        given = _tokens(na_values)
        if _is_path(data):
            return _cli(lambda: _load_source(
                os.fspath(data), sep=_check_sep(sep), options=_FILE_OPTIONS,
                **model_read_options(self._run.extra, given, _check_decimal(decimal))).table)
        if sep is not None or decimal is not None:
            raise ValueError("sep= and decimal= say how to read a CSV file; "
                             f"{type(data).__name__} data is read as it is")
        return _as_read(_as_table(_rows_as_columns(data)), self.feature_names_in_,
                        model_na_values(self._run.extra, given))

    def transform(self, data, *, sep=None, decimal=None, na_values=None) -> np.ndarray:
        """The network's inputs for the rows of ``data``: the stored preprocessing applied.
        ``data`` is a pandas DataFrame, a dict of columns, one row as a dict of values
        (``{"Age": 22, "Sex": "male"}``), a list of such dicts (a key a row lacks is
        missing there), a glassnet Table or a CSV file's path. For a file, ``sep`` and
        ``decimal`` override what the model stored, as ``glassnet predict``'s --sep and
        --decimal do; ``na_values`` (tokens) are read as missing besides the training's, in
        any data. Columns the model does not use are ignored; a missing one is a ValueError,
        and what the training rows never had is said in a warning (as ``glassnet predict``'s
        notes)."""
        import warnings
        from .callbacks import user_stacklevel
        from .commands import _transform_notes, transform_for_model
        table = self._table(data, sep, decimal, na_values)
        facts = []
        X = _cli(lambda: transform_for_model(
            self._run.pre, table, self._run.extra, report=facts, label="the data",
            options=_FILE_OPTIONS if _is_path(data) else _ROWS_OPTIONS))
        if facts:
            warnings.warn("; ".join(_transform_notes(facts, table)), UserWarning,
                          stacklevel=user_stacklevel())
        return X

    def predict_proba(self, data, **read) -> np.ndarray:
        """(m, k) class probabilities in float64, columns in ``classes_`` order (two for a
        single sigmoid output), as ``glassnet predict`` writes them; ``data`` and the read
        options (``sep``, ``decimal``, ``na_values``) as :meth:`transform` takes them."""
        if self.task != "classification":
            raise ValueError("predict_proba needs a classification model; this one does "
                             "regression: use predict")
        from .commands import _probabilities
        return _probabilities(self.model, self.transform(data, **read))

    def predict(self, data, **read) -> np.ndarray:
        """Class labels (classification) or numbers in the target's units (regression), one
        per row, as ``glassnet predict`` writes them; ``data`` and the read options
        (``sep``, ``decimal``, ``na_values``) as :meth:`transform` takes them."""
        if self.task == "classification":
            codes = self.predict_proba(data, **read).argmax(axis=1)
            return self._run.encoder.inverse_transform(codes)
        from .commands import _regression_output
        return _regression_output(self.model, self.transform(data, **read),
                                  self._run.scaling)


def _cli(call):
    """``call()``, with the CLI's one-line usage errors as ValueErrors."""
    from .cli import UsageError
    try:
        return call()
    except UsageError as exc:
        raise ValueError(str(exc)) from None


def _tokens(na_values):
    """``na_values`` as a list of tokens: one string (comma-separated, as --na-values
    takes them) or an iterable of them."""
    from .commands import _na_tokens
    if na_values is None:
        return []
    if isinstance(na_values, str):
        return _option("na_values", _na_tokens, na_values)
    if not isinstance(na_values, (list, tuple, set)) or not all(
            isinstance(t, str) for t in na_values):
        raise TypeError(f"na_values must be a string or a list of strings, got "
                        f"{na_values!r}")
    return list(na_values)


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


def _scalar(v) -> bool:
    return v is None or isinstance(v, (str, bytes, int, float, bool, np.generic))


def _rows_as_columns(data):
    """One row given as a dict of values (``{"Age": 22}``) or rows as a list of dicts, as a
    dict of columns (a key a row lacks is None there, i.e. missing); anything else as it is."""
    from collections.abc import Mapping
    if isinstance(data, Mapping) and data and all(_scalar(v) for v in data.values()):
        return {k: [v] for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and all(isinstance(r, Mapping) for r in data):
        keys = list(dict.fromkeys(k for r in data for k in r))
        return {k: [r.get(k) for r in data] for k in keys}
    return data


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
    return Table(out, n_rows=table.n_rows)
