"""A model ``glassnet train`` wrote, used from Python on raw rows.

Its file holds the network (on the *preprocessed* columns) and what ``glassnet train``
learned to get there: the column preprocessing, the class labels or the target's scaling, and
how the training file was read (``--na-values``, ``--decimal``). :func:`load_trained` puts them
together, so that a DataFrame (or a dict of columns, or a CSV file) is predicted as
``glassnet predict`` predicts it::

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

    def _table(self, data):
        """``data`` as the table ``glassnet predict`` would read: a CSV file read with the
        training file's options; a DataFrame or dict with the training's ``--na-values``
        read as missing too."""
        from .commands import stored_na_values
        from .data import read_csv
        from .preprocess import _as_table
        if isinstance(data, (str, os.PathLike)):   # (a model from before read_options: {})
            options = self._run.extra.get("read_options")
            return read_csv(data, **(options if isinstance(options, dict) else {}))
        return _with_missing(_as_table(data), stored_na_values(self._run.extra))

    def transform(self, data) -> np.ndarray:
        """The network's inputs for the rows of ``data`` (a pandas DataFrame, a dict of
        columns, a glassnet Table or a CSV file's path): the stored preprocessing applied.
        Columns the model does not use are ignored; a missing one is a ValueError."""
        table = self._table(data)
        missing = [c for c in self.feature_names_in_ if c not in table]
        if missing:
            raise ValueError(f"the rows lack column(s) the model needs: {missing}; they have "
                             f"{list(table.columns)}")
        return self._run.pre.transform(table)

    def predict_proba(self, data) -> np.ndarray:
        """(m, k) class probabilities in float64, columns in ``classes_`` order (two for a
        single sigmoid output), as ``glassnet predict`` writes them."""
        if self.task != "classification":
            raise ValueError("predict_proba needs a classification model; this one does "
                             "regression: use predict")
        from .commands import _probabilities
        return _probabilities(self.model, self.transform(data))

    def predict(self, data) -> np.ndarray:
        """Class labels (classification) or numbers in the target's units (regression), one
        per row, as ``glassnet predict`` writes them."""
        if self.task == "classification":
            codes = self.predict_proba(data).argmax(axis=1)
            return self._run.encoder.inverse_transform(codes)
        from .commands import _regression_output
        return _regression_output(self.model, self.transform(data), self._run.scaling)


def _with_missing(table, tokens):
    """``table`` with the cells that read as one of ``tokens`` missing, as the CSV reader
    reads them (a number token matches its value in a column of numbers; text tokens match
    text cells, white space around them aside)."""
    if not tokens:
        return table
    from .data import Table
    from .data.tabular import is_numeric_column
    numbers = set()
    for t in tokens:
        try:
            v = float(t)
        except ValueError:
            continue
        if math.isfinite(v):
            numbers.add(v)
    text = {str(t).strip() for t in tokens}
    columns = {}
    for name in table.columns:
        arr = table[name]
        if is_numeric_column(arr):
            if numbers:
                arr = np.where(np.isin(arr.astype(np.float64), list(numbers)), np.nan,
                               arr.astype(np.float64))
        else:
            out = np.empty(len(arr), dtype=object)
            out[:] = [None if isinstance(v, str) and v.strip() in text else v for v in arr]
            arr = out
        columns[name] = arr
    return Table(columns, n_rows=table.n_rows)
