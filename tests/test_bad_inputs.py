"""A table of bad inputs at every entry point, each with the error it must give.

Every row names the entry point, the bad input, the exception type and a regex the message
must match: the message has to *name the problem* (and the fix where there is one), not just
fail somewhere deep inside NumPy. The CLI rows run ``python -m glassnet`` in a subprocess and
check exit status 2 and one line on stderr, ``glassnet: error: ...``, with no traceback.

Entry points: Sequential.fit, predict, predict_proba, evaluate, model construction options,
TabularPreprocessor, TargetEncoder, read_csv / Table, glassnet.io.load_model,
GlassClassifier, and the CLI (train, predict, evaluate).
"""
from __future__ import annotations

import importlib.util
import os
import pickle
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.data import Table, read_csv
from glassnet.preprocess import TabularPreprocessor, TargetEncoder

HAS_IO = importlib.util.find_spec("glassnet.io") is not None
HAS_COMMANDS = importlib.util.find_spec("glassnet.commands") is not None
SRC = str(Path(gn.__file__).resolve().parents[1])

RNG = np.random.default_rng(0)
X6 = RNG.standard_normal((6, 2))
Y3 = np.array([0, 1, 2, 0, 1, 2])


def clf():
    """A built 3-class classifier on 2 features."""
    return gn.Sequential([gn.Dense(2, 4, activation="relu"), gn.Dense(4, 3), gn.Softmax()],
                         seed=0)


def reg():
    """A built regressor on 2 features, one output."""
    return gn.Sequential([gn.Dense(2, 1)], seed=0)


def binary():
    return gn.Sequential([gn.Dense(2, 1), gn.Sigmoid()], seed=0)


def with_nan(i, j, value=np.nan):
    X = X6.copy()
    X[i, j] = value
    return X


def pandas_with_na(kind):
    """X6 as a DataFrame with one missing value at row 2, column 1: pd.NA in a nullable
    Float64 column, or None in an object column that also holds text."""
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X6, columns=["a", "b"])
    if kind == "nullable":
        df["b"] = df["b"].astype("Float64")
        df.loc[2, "b"] = pd.NA
    else:
        df["b"] = pd.Series([*X6[:2, 1], None, *X6[3:, 1]], dtype=object)
    return df


def _with_pandas_na():
    """Nullable booleans with one NA (it was called 'a non-numeric label')."""
    pd = pytest.importorskip("pandas")
    return pd.array([True, pd.NA, False, True, False, True], dtype="boolean")


class _Unreadable:
    """A container NumPy cannot turn into an array (as a tensor that requires grad)."""
    def __len__(self):
        return 6

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("no array here")


def _trace_bad_x_then_good():
    """A rejected X must leave an unbuilt model unbuilt: the next, valid X (3 columns) is
    traced; it raised 'X has 3 columns but the model expects 2' when the bad one fixed the
    width."""
    m = gn.Sequential([gn.Dense(None, 2), gn.Dense(2, 1), gn.Sigmoid()], seed=0)
    with pytest.raises(ValueError, match="X contains non-numeric"):
        gn.trace(m, np.array([["m", 30.0], ["f", 40.0]], dtype=object), [1, 0])
    assert not m.built
    gn.trace(m, np.ones((2, 3)), [1, 0])
    raise ValueError("X contains non-numeric (reached: the valid X was traced)")


class _SparseLike:
    """Quacks like a scipy.sparse matrix (has toarray), without needing scipy."""
    shape = (6, 2)

    def toarray(self):
        return X6


def _fitted_preprocessor():
    tr = Table({"age": [20.0, 30, 40, 50], "city": ["a", "b", "a", "b"], "t": [0, 1, 0, 1]})
    return TabularPreprocessor().fit(tr, target="t")


def _write(tmp, name, content):
    p = tmp / name
    (p.write_bytes if isinstance(content, bytes) else p.write_text)(content)
    return p


def _model_file(tmp):
    p = tmp / "good.gnet"
    from glassnet.io import save_model
    save_model(reg(), p)
    return p


def _damaged_model(tmp, how):
    data = _model_file(tmp).read_bytes()
    if how == "truncated":
        data = data[: len(data) // 2]
    else:  # one bit flipped in the middle
        k = len(data) // 2
        data = data[:k] + bytes([data[k] ^ 0x10]) + data[k + 1:]
    return _write(tmp, f"{how}.gnet", data)


def _load(path):
    from glassnet.io import load_model
    return load_model(path)


def _glass_classifier_single_class():
    from glassnet.sklearn import GlassClassifier
    GlassClassifier().fit(X6, np.zeros(6, dtype=int))


# (id, call(tmp_path), exception type, regex the message must match)
LIB_CASES = [
    # ---------------------------------------------------------------- Sequential.fit: X
    ("fit/X wrong number of columns", lambda t: clf().fit(np.ones((6, 3)), Y3),
     ValueError, r"X has 3 columns but the model expects 2 features"),
    ("fit/X and y lengths differ", lambda t: clf().fit(X6, Y3[:5]),
     ValueError, r"X has 6 rows but y has 5"),
    ("fit/X empty", lambda t: reg().fit(np.empty((0, 2)), np.empty(0)),
     ValueError, r"X is empty \(shape \(0, 2\)\)"),
    ("fit/X no columns", lambda t: gn.Sequential([gn.Dense(1)]).fit(np.empty((3, 0)), np.ones(3)),
     ValueError, r"X has no columns"),
    ("fit/X NaN", lambda t: reg().fit(with_nan(1, 0), np.ones(6)),
     ValueError, r"X contains NaN at row 1, column 0.*impute"),
    ("fit/X inf", lambda t: reg().fit(with_nan(4, 1, -np.inf), np.ones(6)),
     ValueError, r"X contains infinity at row 4, column 1"),
    ("fit/X strings", lambda t: reg().fit([["1", "a"]] * 6, np.ones(6)),
     ValueError, r"X contains non-numeric values \(e\.g\. 'a'\); encode text columns"),
    ("fit/X objects with None (missing)",
     lambda t: reg().fit(np.array([[1.0, None]] * 6, dtype=object), np.ones(6)),
     ValueError, r"X contains NaN at row 0, column 1"),
    ("fit/X pandas NA in a nullable column (missing, not text)",
     lambda t: reg().fit(pandas_with_na("nullable"), np.ones(6)),
     ValueError, r"^X contains a missing value \(<NA>\) at row 2, column 1 \('b'\) \(1 "
                 r"missing or non-finite value\(s\) in all\); remove or impute missing values "
                 r"first$"),
    ("fit/X pandas None in an object column",
     lambda t: reg().fit(pandas_with_na("object"), np.ones(6)),
     ValueError, r"^X contains (NaN|a missing value \(None\)) at row 2, column 1"),
    ("fit/X text and pd.NA: the text is what fails",
     lambda t: reg().fit(pandas_with_na("nullable").assign(a=["x"] * 6), np.ones(6)),
     ValueError, r"X contains non-numeric values \(e\.g\. 'x'\)"),
    ("fit/X objects, not numbers", lambda t: reg().fit(np.array([[1.0, {}]] * 6, dtype=object),
                                                       np.ones(6)),
     ValueError, r"X contains non-numeric values \(e\.g\. \{\}\)"),
    ("fit/X complex", lambda t: reg().fit(X6 + 1j, np.ones(6)),
     TypeError, r"X has complex values"),
    ("fit/X datetime", lambda t: reg().fit(np.zeros((6, 2), dtype="datetime64[D]"), np.ones(6)),
     TypeError, r"X has unsupported dtype datetime64\[D\]; expected numbers"),
    ("fit/X 1-D", lambda t: reg().fit(np.ones(6), np.ones(6)),
     ValueError, r"X must be 2-D .*X\.reshape\(-1, 1\)"),
    ("fit/X 3-D", lambda t: reg().fit(np.ones((6, 2, 1)), np.ones(6)),
     ValueError, r"X must be 2-D, got 3-D with shape \(6, 2, 1\)"),
    ("fit/X scalar", lambda t: reg().fit(3.0, np.ones(1)),
     ValueError, r"X must be 2-D, got 0-D"),
    ("fit/X None", lambda t: reg().fit(None, np.ones(6)),
     TypeError, r"X is None"),
    ("fit/X sparse-like", lambda t: reg().fit(_SparseLike(), np.ones(6)),
     TypeError, r"X is a sparse matrix.*toarray\(\)"),
    ("fit/X ragged list of lists", lambda t: reg().fit([[1.0, 2.0], [3.0]], [1.0, 2.0]),
     ValueError, r"X is ragged: its rows have different lengths"),
    ("fit/X dict", lambda t: reg().fit({"a": [1.0], "b": [2.0]}, [1.0]),
     TypeError, r"X is a dict; pass a NumPy array or a list of rows"),
    ("fit/X generator", lambda t: reg().fit((r for r in X6), np.ones(6)),
     TypeError, r"X is a generator"),
    ("fit/X a file name", lambda t: reg().fit("train.csv", np.ones(6)),
     TypeError, r"X is a string \('train\.csv'\).*read_csv"),
    ("fit/X masked array", lambda t: reg().fit(np.ma.masked_equal(with_nan(2, 0, -999.0), -999.0),
                                               np.ones(6)),
     ValueError, r"X is a masked array with 1 masked value\(s\); fill them"),
    ("fit/X too large for float32", lambda t: reg().fit(with_nan(2, 1, 1e300), np.ones(6)),
     ValueError, r"X holds a value too large for float32 \(1e\+300 at row 2, column 1\).*"
                 r"float64"),
    # ---------------------------------------------------------------- Sequential.fit: y
    ("fit/y None", lambda t: clf().fit(X6, None),
     TypeError, r"y is None"),
    ("fit/y scalar", lambda t: reg().fit(X6, 3.0),
     TypeError, r"y must be an array with one target per row of X, got 3\.0"),
    ("fit/y a string of 6 characters", lambda t: reg().fit(X6, "abcdef"),
     TypeError, r"y must be an array with one target per row of X, got 'abcdef'"),
    ("evaluate/y a string", lambda t: reg().evaluate(X6, "1.5"),
     TypeError, r"y must be an array with one target per row of X, got '1\.5'"),
    ("fit/y NaN", lambda t: reg().fit(X6, [1.0, 2.0, np.nan, 1.0, 1.0, 1.0]),
     ValueError, r"y contains NaN or infinity \(first at row 2\)"),
    ("fit/y inf", lambda t: reg().fit(X6, [1.0, 2.0, 1.0, 1.0, 1.0, np.inf]),
     ValueError, r"y contains NaN or infinity \(first at row 5\)"),
    ("fit/y string labels", lambda t: clf().fit(X6, ["cat", "dog", "owl"] * 2),
     ValueError, r"y holds non-numeric labels \(e\.g\. 'cat'\); encode them as 0\.\.k-1"),
    ("fit/y complex", lambda t: reg().fit(X6, np.ones(6) + 1j),
     TypeError, r"y has unsupported dtype complex128"),
    ("fit/y label out of range", lambda t: clf().fit(X6, [0, 1, 5, 0, 1, 2]),
     ValueError, r"y has labels 0\.\.5 but the model has 3 outputs: labels must be in 0\.\.2"),
    ("fit/y negative label", lambda t: clf().fit(X6, [0, -1, 2, 0, 1, 2]),
     ValueError, r"y has labels -1\.\.2 .*labels must be in 0\.\.2"),
    ("fit/y fractional class labels", lambda t: clf().fit(X6, [0, 1, 1.5, 0, 1, 2]),
     ValueError, r"y must hold integer class labels, found fractional values"),
    ("fit/y one-hot of the wrong width", lambda t: clf().fit(X6, np.eye(2)[[0, 1] * 3]),
     ValueError, r"y has shape \(6, 2\); for 3 classes give integer labels .* one-hot"),
    ("fit/y too many regression columns", lambda t: reg().fit(X6, np.ones((6, 3))),
     ValueError, r"y has 3 column\(s\) per example but the model has 1 output"),
    ("fit/y not 0/1 for binary cross-entropy", lambda t: binary().fit(X6, [0, 1, 2, 0, 1, 1]),
     ValueError, r"y must hold 0/1 labels .*binary cross-entropy, found values in \[0, 2\]"),
    # ---------------------------------------------------------------- Sequential.fit: options
    ("fit/negative batch size", lambda t: reg().fit(X6, np.ones(6), batch_size=-4),
     ValueError, r"batch_size must be >= 1, got -4"),
    ("fit/zero batch size", lambda t: reg().fit(X6, np.ones(6), batch_size=0),
     ValueError, r"batch_size must be >= 1, got 0"),
    ("fit/fractional batch size", lambda t: reg().fit(X6, np.ones(6), batch_size=2.5),
     TypeError, r"batch_size must be an integer, got 2\.5"),
    ("fit/negative epochs", lambda t: reg().fit(X6, np.ones(6), epochs=-1),
     ValueError, r"epochs must be >= 0, got -1"),
    ("fit/epochs as text", lambda t: reg().fit(X6, np.ones(6), epochs="10"),
     TypeError, r"epochs must be an integer, got '10'"),
    ("fit/unknown loss", lambda t: reg().fit(X6, np.ones(6), loss="msee"),
     ValueError, r"unknown loss 'msee'; choose one of: .*\bmse\b"),
    ("fit/unknown optimizer", lambda t: reg().fit(X6, np.ones(6), optimizer="adamm"),
     ValueError, r"unknown optimizer 'adamm'; choose one of: .*\badam\b"),
    ("fit/optimizer of the wrong type", lambda t: reg().fit(X6, np.ones(6), optimizer=0.01),
     TypeError, r"optimizer must be a name \(sgd.*\) or an Optimizer, got float"),
    ("fit/unknown metric", lambda t: clf().fit(X6, Y3, metrics=["acuracy"]),
     ValueError, r"unknown metric 'acuracy'; choose one of: accuracy"),
    ("fit/metric of the wrong type", lambda t: clf().fit(X6, Y3, metrics=[3]),
     TypeError, r"a metric is given by name \(a str\) or as a callable, got 3"),
    ("fit/validation_split out of range", lambda t: reg().fit(X6, np.ones(6),
                                                              validation_split=1.5),
     ValueError, r"validation_split must be in \[0\.0, 1\.0\), got 1\.5"),
    ("fit/validation_split leaves no rows", lambda t: reg().fit(X6, np.ones(6),
                                                                validation_split=0.01),
     ValueError, r"validation_split=0\.01 leaves 6 training and 0 validation rows"),
    ("fit/validation_data not a pair", lambda t: reg().fit(X6, np.ones(6), validation_data=X6),
     ValueError, r"validation_data must be a tuple \(X_val, y_val\)"),
    ("fit/validation X wrong columns",
     lambda t: reg().fit(X6, np.ones(6), validation_data=(np.ones((3, 3)), np.ones(3))),
     ValueError, r"X_val has 3 columns but the model expects 2 features"),
    ("fit/validation lengths differ",
     lambda t: reg().fit(X6, np.ones(6), validation_data=(np.ones((3, 2)), np.ones(2))),
     ValueError, r"X_val has 3 rows but y_val has 2"),
    ("fit/validation y NaN",
     lambda t: reg().fit(X6, np.ones(6), validation_data=(np.ones((2, 2)), [1.0, np.nan])),
     ValueError, r"y_val contains NaN or infinity \(first at row 1\)"),
    ("fit/unknown on_nonfinite", lambda t: reg().fit(X6, np.ones(6), on_nonfinite="ignore"),
     ValueError, r"on_nonfinite must be 'stop' or 'raise', got 'ignore'"),
    ("fit/callbacks not a list", lambda t: reg().fit(X6, np.ones(6),
                                                     callbacks=gn.EarlyStopping()),
     TypeError, r"callbacks must be a list of Callback instances, got EarlyStopping"),
    ("fit/callback not a Callback", lambda t: reg().fit(X6, np.ones(6), callbacks=[print]),
     TypeError, r"callbacks must be glassnet Callback instances, got <built-in function print>"),
    ("fit/bad verbose", lambda t: reg().fit(X6, np.ones(6), verbose=5),
     ValueError, r"verbose must be 0, 1 or 2, got 5"),
    # ---------------------------------------------------------------- model options
    ("model/unknown activation", lambda t: gn.Dense(2, 3, activation="relux"),
     ValueError, r"unknown activation 'relux'; choose one of: .*\brelu\b"),
    ("model/unknown initializer", lambda t: gn.Dense(2, 3, init="xavierr"),
     ValueError, r"unknown initializer 'xavierr'; choose one of: .*\bxavier\b"),
    ("model/unsupported dtype", lambda t: gn.Sequential([gn.Dense(2, 1)], dtype="int32"),
     ValueError, r"dtype must be 'float32' or 'float64', got 'int32'"),
    ("model/not a layer", lambda t: gn.Sequential([gn.Dense(2, 1), "relu"]),
     TypeError, r"layer 1 is 'relu', not a glassnet Layer"),
    # ---------------------------------------------------------------- predict
    ("predict/X wrong number of columns", lambda t: reg().predict(np.ones((3, 1))),
     ValueError, r"X has 1 columns but the model expects 2 features"),
    ("predict/X NaN", lambda t: reg().predict([[0.0, np.nan]]),
     ValueError, r"X contains NaN at row 0, column 1"),
    ("predict/X 1-D", lambda t: reg().predict([1.0, 2.0]),
     ValueError, r"X must be 2-D .*X\.reshape\(1, -1\) for a single example"),
    ("predict/X 3-D", lambda t: reg().predict(np.ones((2, 2, 2))),
     ValueError, r"X must be 2-D, got 3-D"),
    ("predict/X None", lambda t: reg().predict(None),
     TypeError, r"X is None"),
    ("predict/X empty", lambda t: reg().predict(np.empty((0, 2))),
     ValueError, r"X is empty"),
    ("predict/X non-numeric", lambda t: reg().predict([["1.5", "high"]]),
     ValueError, r"non-numeric values \(e\.g\. 'high'\)"),
    ("predict/X ragged", lambda t: reg().predict([[1.0, 2.0], [1.0, 2.0, 3.0]]),
     ValueError, r"X is ragged"),
    ("predict/X bytes", lambda t: reg().predict(b"1,2"),
     TypeError, r"X is a string"),
    ("predict/negative batch size", lambda t: reg().predict(X6, batch_size=-1),
     ValueError, r"batch_size must be >= 1, got -1"),
    ("predict/zero batch size", lambda t: reg().predict(X6, batch_size=0),
     ValueError, r"batch_size must be >= 1, got 0"),
    ("predict/batch size as text", lambda t: reg().predict(X6, batch_size="2"),
     TypeError, r"batch_size must be an integer, got '2'"),
    ("predict/unbuilt model", lambda t: gn.Sequential([gn.Dense(3)]).predict([[1.0, 2.0]]),
     RuntimeError, r"no input width yet: fit it, or give the first layer n_in"),
    # ---------------------------------------------------------------- predict_proba
    ("predict_proba/regression output", lambda t: reg().predict_proba(X6),
     ValueError, r"output is not a probability: end it with a Sigmoid or Softmax"),
    ("predict_proba/X wrong columns", lambda t: clf().predict_proba(np.ones((2, 3))),
     ValueError, r"X has 3 columns but the model expects 2 features"),
    ("predict_proba/X inf", lambda t: clf().predict_proba([[np.inf, 0.0]]),
     ValueError, r"X contains infinity at row 0, column 0"),
    ("predict_proba/X complex", lambda t: clf().predict_proba(np.ones((1, 2)) * 1j),
     TypeError, r"complex"),
    # ---------------------------------------------------------------- evaluate
    ("evaluate/unbuilt model", lambda t: gn.Sequential([gn.Dense(1)]).evaluate(X6, np.ones(6)),
     RuntimeError, r"not built yet: fit it first"),
    ("evaluate/X and y lengths differ", lambda t: reg().evaluate(X6, np.ones(4)),
     ValueError, r"X has 6 rows but y has 4"),
    ("evaluate/y None", lambda t: reg().evaluate(X6, None),
     TypeError, r"y is None"),
    ("evaluate/y scalar", lambda t: reg().evaluate(X6, 1.0),
     TypeError, r"y must be an array with one target per row"),
    ("evaluate/label out of range", lambda t: clf().evaluate(X6, [0, 1, 7, 0, 1, 2]),
     ValueError, r"y has labels 0\.\.7 but the model has 3 outputs"),
    ("evaluate/unknown metric", lambda t: reg().evaluate(X6, np.ones(6), metrics=["rmsle"]),
     ValueError, r"unknown metric 'rmsle'"),
    ("evaluate/unknown loss", lambda t: reg().evaluate(X6, np.ones(6), loss="l2"),
     ValueError, r"unknown loss 'l2'"),
    ("evaluate/X NaN", lambda t: reg().evaluate(with_nan(3, 1), np.ones(6)),
     ValueError, r"X contains NaN at row 3, column 1"),
    ("evaluate/y NaN", lambda t: reg().evaluate(X6, [np.nan] + [1.0] * 5),
     ValueError, r"y contains NaN or infinity \(first at row 0\)"),
    ("evaluate/scores where labels are needed",
     lambda t: reg().evaluate(X6, np.full(6, 0.5), metrics=["accuracy"]),
     ValueError, r"metric 'accuracy' needs class labels, but the targets are not whole numbers"),
    # ---------------------------------------------------------------- TabularPreprocessor
    ("preprocess/transform lacks a column",
     lambda t: _fitted_preprocessor().transform(Table({"age": [1.0]})),
     ValueError, r"the table lacks column\(s\) \['city'\] that the preprocessor was fitted "
                 r"with; it has: \['age'\]"),
    ("preprocess/text in a numeric column",
     lambda t: _fitted_preprocessor().transform(Table({"age": ["old"], "city": ["a"]})),
     ValueError, r"column 'age' was numeric when the preprocessor was fitted but now holds "
                 r"text \(e\.g\. 'old' at row 0\)"),
    ("preprocess/text in a numeric column of a CSV names the line",
     lambda t: _fitted_preprocessor().transform(
         read_csv(_write(t, "new.csv", "age,city\n\n3,a\nold,b\n"))),
     ValueError, r"holds text \(e\.g\. 'old' at line 4 of .*new\.csv\)"),
    ("preprocess/transform before fit",
     lambda t: TabularPreprocessor().transform(Table({"a": [1.0]})),
     RuntimeError, r"not fitted yet; call fit\(train\) first"),
    ("preprocess/transform None", lambda t: _fitted_preprocessor().transform(None),
     TypeError, r"expected a glassnet Table, a dict of columns or a 2-D array, got NoneType"),
    ("preprocess/transform 1-D array", lambda t: _fitted_preprocessor().transform(np.ones(3)),
     ValueError, r"expected a table or a 2-D array, got shape \(3,\)"),
    ("preprocess/transform ragged rows",
     lambda t: _fitted_preprocessor().transform([[1.0, "a"], [2.0]]),
     ValueError, r"rows have different lengths"),
    ("preprocess/columns of different lengths",
     lambda t: _fitted_preprocessor().transform({"age": [1.0, 2.0], "city": ["a"]}),
     ValueError, r"column 'city' has 1 rows, expected 2"),
    ("preprocess/fit target column missing",
     lambda t: TabularPreprocessor().fit(Table({"a": [1.0, 2.0]}), target="label"),
     ValueError, r"target column 'label' is not in the table; columns: \['a'\]"),
    ("preprocess/fit on no rows",
     lambda t: TabularPreprocessor().fit(Table({"a": np.array([])})),
     ValueError, r"cannot fit a preprocessor on a table with no rows"),
    # ---------------------------------------------------------------- TargetEncoder
    ("target/unknown string label at predict time",
     lambda t: TargetEncoder().fit(["no", "yes"]).transform(["yes", "maybe"]),
     ValueError, r"unknown label\(s\) 'maybe' not seen at fit; known classes: \['no', 'yes'\]"),
    ("target/unknown integer label", lambda t: TargetEncoder().fit([0, 1]).transform([1, 2]),
     ValueError, r"unknown label\(s\) 2 not seen at fit; known classes: \[0, 1\]"),
    ("target/text against numeric classes",
     lambda t: TargetEncoder().fit([0, 1]).transform(["x"]),
     ValueError, r"unknown label\(s\) 'x' not seen at fit"),
    ("target/missing labels", lambda t: TargetEncoder().fit([0.0, 1.0, np.nan]),
     ValueError, r"the target has 1 missing value\(s\); drop those rows first"),
    ("target/None", lambda t: TargetEncoder().fit(None),
     TypeError, r"y is None"),
    ("target/2-D labels", lambda t: TargetEncoder().fit(np.ones((3, 2))),
     ValueError, r"y must be 1-D \(one label per row\), got shape \(3, 2\)"),
    ("target/empty", lambda t: TargetEncoder().fit([]),
     ValueError, r"cannot fit a TargetEncoder on an empty target"),
    ("target/code out of range",
     lambda t: TargetEncoder().fit(["a", "b"]).inverse_transform([0, 3]),
     ValueError, r"codes must be in 0\.\.1, got values from 0 to 3"),
    ("target/probabilities as codes",
     lambda t: TargetEncoder().fit(["a", "b"]).inverse_transform([0.2, 0.8]),
     ValueError, r"codes must be integers \(did you pass probabilities\? take argmax"),
    # ---------------------------------------------------------------- read_csv / Table
    ("csv/file not found", lambda t: read_csv(t / "nope.csv"),
     FileNotFoundError, r"CSV file not found: '.*nope\.csv'"),
    ("csv/empty file", lambda t: read_csv(_write(t, "e.csv", "")),
     ValueError, r"e\.csv is empty: a CSV needs a header line and at least one row"),
    ("csv/only white space", lambda t: read_csv(_write(t, "w.csv", "  \n\n \n")),
     ValueError, r"w\.csv is empty"),
    ("csv/header without rows", lambda t: read_csv(_write(t, "h.csv", "a,b\n")),
     ValueError, r"h\.csv has a header \(2 columns\) but no data rows"),
    ("csv/ragged row", lambda t: read_csv(_write(t, "r.csv", "a,b\n1,2\n3\n")),
     ValueError, r"r\.csv, line 3: expected 2 fields like the header, found 1"),
    ("csv/unclosed quote", lambda t: read_csv(_write(t, "q.csv", 'a,b\n"1,2\n3,4\n')),
     ValueError, r"line \d+: expected 2 fields .*unclosed quote"),
    ("csv/binary file", lambda t: read_csv(_write(t, "b.csv", b"\x00\x01\x02\xff" * 8)),
     ValueError, r"b\.csv is not a text CSV file .*binary"),
    ("csv/a directory", lambda t: read_csv(t),
     IsADirectoryError, r"expected a CSV file, got a directory"),
    ("csv/broken gzip", lambda t: read_csv(_write(t, "g.csv.gz", b"\x1f\x8b\x08\x00garbage")),
     ValueError, r"looks gzip-compressed but could not be decompressed"),
    ("csv/duplicate column names", lambda t: read_csv(_write(t, "d.csv", "a,a\n1,2\n")),
     ValueError, r"duplicate column name\(s\) \['a'\]"),
    ("csv/not a path", lambda t: read_csv(None),
     TypeError, r"read_csv expects a path or a file object, got NoneType"),
    ("csv/column not found", lambda t: Table({"a": [1.0]})["target"],
     KeyError, r"no column 'target'; available columns: 'a'"),
    ("csv/text to a matrix", lambda t: Table({"a": [1.0], "c": ["x"]}).to_numpy(),
     ValueError, r"column\(s\) \['c'\] hold text, not numbers; encode them first"),
    # ---------------------------------------------------------------- targets and weights
    ("fit/y too large for float32", lambda t: reg().fit(X6, np.full(6, 1e39)),
     ValueError, r"y holds a value too large for float32 \(1e\+39 at row 0\).*float64"),
    ("evaluate/y too large for float32", lambda t: reg().evaluate(X6, np.full(6, 1e39)),
     ValueError, r"y holds a value too large for float32"),
    ("fit/one-hot y too large for float32",
     lambda t: clf().fit(X6, np.eye(3)[Y3] * 1e39, loss="cce"),
     ValueError, r"y holds a value too large for float32"),
    ("fit/ragged y", lambda t: reg().fit(X6[:2], [[1], [0, 1]]),
     ValueError, r"y is ragged: its rows have different lengths"),
    ("evaluate/ragged y", lambda t: reg().evaluate(X6[:2], [[1], [0, 1]]),
     ValueError, r"y is ragged"),
    ("fit/ragged y_val",
     lambda t: reg().fit(X6, np.ones(6), validation_data=(X6[:2], [[1], [0, 1]])),
     ValueError, r"y_val is ragged"),
    ("fit/y with pandas NA", lambda t: binary().fit(X6, _with_pandas_na()),
     ValueError, r"y contains a missing value \(<NA>\) at row 1 \(1 in all\)"),
    ("fit/y masked",
     lambda t: reg().fit(X6, np.ma.masked_array(np.ones(6), mask=[1, 0, 0, 0, 0, 0])),
     ValueError, r"y is a masked array with 1 masked value\(s\)"),
    ("fit/sample_weight masked", lambda t: reg().fit(
        X6, np.ones(6), sample_weight=np.ma.masked_array(np.ones(6), mask=[0, 1, 0, 0, 0, 0])),
     ValueError, r"sample_weight is a masked array with 1 masked value\(s\)"),
    ("fit/y unreadable container", lambda t: reg().fit(X6, _Unreadable()),
     ValueError, r"y could not be read as an array: no array here"),
    ("trace/unbuilt model, bad X, stays unbuilt", lambda t: _trace_bad_x_then_good(),
     ValueError, r"X has 3 columns but the model expects 2|X contains non-numeric"),
    # ---------------------------------------------------------------- scikit-learn wrapper
    ("GlassClassifier/single class", lambda t: _glass_classifier_single_class(),
     ValueError, r"needs samples of at least 2 classes .*only one class: 0$"),
]

LOAD_CASES = [
    ("load_model/file not found", lambda t: _load(t / "missing.gnet"),
     FileNotFoundError, r"No such file or directory: '.*missing\.gnet'"),
    ("load_model/a directory", lambda t: _load(t),
     ValueError, r"it is a directory, not a model file"),
    ("load_model/empty file", lambda t: _load(_write(t, "e.gnet", b"")),
     ValueError, r"cannot load model file '.*e\.gnet': the file is empty"),
    ("load_model/a CSV", lambda t: _load(_write(t, "c.gnet", "a,b\n1,2\n")),
     ValueError, r"not a glassnet model file: it looks like a text file"),
    ("load_model/a pickle", lambda t: _load(_write(t, "p.pkl", pickle.dumps({"W": [1.0]}))),
     ValueError, r"not a glassnet model file: .*pickle.*never loads"),
    ("load_model/truncated", lambda t: _load(_damaged_model(t, "truncated")),
     ValueError, r"truncated"),
    ("load_model/one bit flipped", lambda t: _load(_damaged_model(t, "flipped")),
     ValueError, r"checksum mismatch: the file is corrupt"),
    ("load_model/None", lambda t: _load(None),
     TypeError, r"^path must be a file path \(str or os\.PathLike\), got NoneType$"),
    ("load_model/a number", lambda t: _load(3),
     TypeError, r"^path must be a file path \(str or os\.PathLike\), got int 3$"),
    ("load_model/the file's bytes", lambda t: _load(_saved_bytes(t)),
     TypeError, r"path must be a file path .*got \d+ bytes of data \(a file's content\?\)"),
]


def _saved_bytes(t):
    gn.io.save_model(reg(), t / "m.gnet")
    return (t / "m.gnet").read_bytes()


def _ids(cases):
    return [c[0] for c in cases]


@pytest.mark.parametrize("case", LIB_CASES, ids=_ids(LIB_CASES))
def test_library_rejects_bad_input(case, tmp_path):
    _, call, exc, pattern = case
    with pytest.raises(exc, match=pattern) as info:
        call(tmp_path)
    assert type(info.value).__module__ != "numpy", "a raw NumPy error escaped"


@pytest.mark.skipif(not HAS_IO, reason="glassnet.io (load_model) is not there yet")
@pytest.mark.parametrize("case", LOAD_CASES, ids=_ids(LOAD_CASES))
def test_load_model_rejects_bad_files(case, tmp_path):
    _, call, exc, pattern = case
    with pytest.raises(exc, match=pattern):
        call(tmp_path)


def test_inputs_that_look_odd_but_are_fine():
    """The validation must not refuse what is well defined: bool features, numbers held as
    objects or numeric strings, pandas-like objects, lists of lists."""
    model = reg()
    model.fit(np.array([[True, False]] * 6), np.ones(6), epochs=1)
    model.fit([[1, 2]] * 6, np.array([1, 2, 3, 1, 2, 3], dtype=object), epochs=1)
    model.fit(X6, ["1.5", "2", "3", "1", "2", "3"], epochs=1)
    clf().fit(X6, np.array([0, 1, 2, 0, 1, 2], dtype=object), epochs=1)
    np.testing.assert_allclose(model.predict([["1", "2.5"]]), model.predict([[1.0, 2.5]]))
    masked = np.ma.array(X6, mask=np.zeros_like(X6, dtype=bool))  # nothing masked
    np.testing.assert_array_equal(model.predict(masked), model.predict(X6))


# ==============================================================================================
# The CLI: exit status 2, one line "glassnet: error: ..." on stderr, no traceback
# ==============================================================================================

def _cli_files(tmp: Path) -> dict:
    """CSV files for the CLI rows, written once."""
    rng = np.random.default_rng(1)
    n = 40
    x1, x2 = rng.standard_normal(n), rng.standard_normal(n)
    label = np.where(x1 + x2 > 0, "yes", "no")
    rows = ["x1,x2,color,label"] + [f"{a:.4f},{b:.4f},{'red' if a > 0 else 'blue'},{c}"
                                    for a, b, c in zip(x1, x2, label)]
    files = {
        "good": "\n".join(rows) + "\n",
        "one_class": "\n".join(["x1,x2,label"] + [f"{a:.4f},{b:.4f},yes"
                                                   for a, b in zip(x1, x2)]) + "\n",
        "unseen_label": "\n".join(["x1,x2,color,label"] + [f"{a:.4f},{b:.4f},red,maybe"
                                                            for a, b in zip(x1[:5], x2[:5])]
                                  ) + "\n",
        "no_color": "\n".join(["x1,x2,label"] + [f"{a:.4f},{b:.4f},{c}"
                                                 for a, b, c in zip(x1, x2, label)]) + "\n",
        "empty": "",
        "header_only": "x1,x2,label\n",
        "ragged": "x1,x2,label\n1,2,yes\n3,no\n",
        "text_in_x1": "x1,x2,color\n0.5,0.1,red\n\n\"abc\",0.2,blue\n",
        "target_all_missing": "\n".join(["x1,x2,label"] + [f"{a:.4f},{b:.4f},"
                                                           for a, b in zip(x1, x2)]) + "\n",
    }
    out = {}
    for name, text in files.items():
        p = tmp / f"{name}.csv"
        p.write_text(text)
        out[name] = str(p)
    binary = tmp / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    out["binary"] = str(binary)
    not_model = tmp / "not_a_model.gnet"
    not_model.write_text("x1,x2\n1,2\n")
    out["not_model"] = str(not_model)
    out["missing"] = str(tmp / "does_not_exist.csv")
    out["outdir_parent"] = str(tmp)
    return out


# Each row: (id, argv with {placeholders} from _cli_files plus {model}, regex on the message).
CLI_CASES = [
    ("train/file not found", ["train", "{missing}", "--target", "label"],
     r"no such file.*does_not_exist\.csv"),
    ("train/a folder", ["train", "{outdir_parent}", "--target", "label"],
     r"is a folder, not a CSV file"),
    ("train/empty CSV", ["train", "{empty}", "--target", "label"],
     r"empty\.csv is empty: a CSV needs a header line"),
    ("train/header without rows", ["train", "{header_only}", "--target", "label"],
     r"has a header \(3 columns\) but no data rows"),
    ("train/ragged CSV", ["train", "{ragged}", "--target", "label"],
     r"ragged\.csv, line 3: expected 3 fields like the header, found 2"),
    ("train/binary file", ["train", "{binary}", "--target", "label"],
     r"binary\.csv is not a text CSV file"),
    ("train/target column missing", ["train", "{good}", "--target", "price"],
     r"no column 'price' in .*; available columns: x1, x2, color, label"),
    ("train/a single class", ["train", "{one_class}", "--target", "label"],
     r"target column 'label' has a single class \('yes'\)"),
    ("train/target all missing", ["train", "{target_all_missing}", "--target", "label"],
     r"target column 'label' has no values"),
    ("train/text target for regression", ["train", "{good}", "--target", "label", "--task",
                                          "regression"],
     r"target column 'label' holds text \(e\.g\. '(yes|no)'\).*--task classification"),
    ("train/unknown task", ["train", "{good}", "--target", "label", "--task", "clustering"],
     r"--task: invalid choice: 'clustering'"),
    ("train/unknown optimizer", ["train", "{good}", "--target", "label", "--optimizer",
                                 "adamm"], r"--optimizer: invalid choice: 'adamm'.*'adam'"),
    ("train/unknown activation", ["train", "{good}", "--target", "label", "--activation",
                                  "relux"], r"--activation: invalid choice: 'relux'.*'relu'"),
    ("train/negative batch size", ["train", "{good}", "--target", "label", "--batch-size",
                                   "-5"], r"--batch-size must be at least 1, got -5"),
    ("train/zero epochs", ["train", "{good}", "--target", "label", "--epochs", "0"],
     r"--epochs must be at least 1, got 0"),
    ("train/validation split of 1.5", ["train", "{good}", "--target", "label", "--val-split",
                                       "1.5"], r"--val-split must be a fraction in \[0, 1\)"),
    ("train/negative learning rate", ["train", "{good}", "--target", "label", "--lr", "-1"],
     r"--lr must be a finite number > 0, got -1"),
    ("train/hidden sizes not numbers", ["train", "{good}", "--target", "label", "--hidden",
                                        "big,small"], r"--hidden takes layer sizes"),
    ("train/--drop an unknown column", ["train", "{good}", "--target", "label", "--drop",
                                        "colour"], r"--drop names column\(s\) not in .*colour"),
    ("train/unknown dataset name", ["train", "titanicc", "--target", "Survived"],
     r"no such file or bundled dataset: 'titanicc'"),
    ("predict/model file not found", ["predict", "{missing}", "{good}"],
     r"no such model file: .*does_not_exist\.csv"),
    ("predict/not a model file", ["predict", "{not_model}", "{good}"],
     r"not a glassnet model file"),
    ("predict/data lacks a column", ["predict", "{model}", "{no_color}"],
     r"lacks column\(s\) the model needs: color"),
    ("predict/text in a numeric column names the file's line",
     ["predict", "{model}", "{text_in_x1}"],
     r"column 'x1' was numeric .*\(e\.g\. 'abc' at line 4 of .*text_in_x1\.csv\)"),
    ("predict/data file not found", ["predict", "{model}", "{missing}"],
     r"no such file: .*does_not_exist\.csv"),
    ("evaluate/unseen label", ["evaluate", "{model}", "{unseen_label}", "--target", "label"],
     r"unknown label\(s\) 'maybe'.*known classes: \['no', 'yes'\]"),
    ("evaluate/target column missing", ["evaluate", "{model}", "{no_color}", "--target",
                                        "outcome"], r"no column 'outcome'"),
    ("evaluate/empty CSV", ["evaluate", "{model}", "{empty}", "--target", "label"],
     r"empty\.csv is empty"),
]


def _run_cli(args, timeout=120):
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "glassnet", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def cli_results(tmp_path_factory):
    """Run every CLI row once, a few at a time (each is a fresh interpreter)."""
    if not HAS_COMMANDS:
        pytest.skip("glassnet.commands (glassnet train/predict/evaluate) is not there yet")
    tmp = tmp_path_factory.mktemp("cli")
    files = _cli_files(tmp)
    files["model"] = str(tmp / "model" / "model.gnet")
    with ThreadPoolExecutor(max_workers=4) as pool:
        # the rows that need no model run while the model for the others trains
        trained = pool.submit(_run_cli, ["train", files["good"], "--target", "label",
                                         "--epochs", "3", "--out", str(tmp / "model"),
                                         "--seed", "0", "--quiet"])
        futures = {name: pool.submit(_run_cli, [a.format(**files) for a in argv])
                   for name, argv, _ in CLI_CASES if not any("{model}" in a for a in argv)}
        res = trained.result()
        assert res.returncode == 0, res.stderr[-2000:]
        assert os.path.exists(files["model"]), os.listdir(tmp / "model")
        futures.update({name: pool.submit(_run_cli, [a.format(**files) for a in argv])
                        for name, argv, _ in CLI_CASES if any("{model}" in a for a in argv)})
        return {k: f.result() for k, f in futures.items()}


@pytest.mark.parametrize("case", CLI_CASES, ids=_ids(CLI_CASES))
def test_cli_rejects_bad_input(case, cli_results):
    name, _, pattern = case
    res = cli_results[name]
    err = res.stderr.strip()
    assert res.returncode == 2, f"exit {res.returncode}; stderr: {err[-1500:]}"
    assert "Traceback" not in res.stderr, err[-1500:]
    lines = [ln for ln in err.splitlines() if ln.strip()]
    # One error line at the end (progress output before it, on stderr, is allowed).
    assert lines and lines[-1].startswith("glassnet: error: "), err[-1500:]
    assert sum(ln.startswith("glassnet: error:") for ln in lines) == 1, err[-1500:]
    assert re.search(pattern, lines[-1], flags=re.IGNORECASE), lines[-1]


def test_cli_debug_shows_the_traceback(cli_results, tmp_path):
    res = _run_cli(["--debug", "train", str(tmp_path / "nope.csv"), "--target", "y"])
    assert res.returncode != 0
    assert "Traceback" in res.stderr


def test_the_table_is_large_enough():
    n = len(LIB_CASES) + len(LOAD_CASES) + len(CLI_CASES)
    assert n >= 40, n


@pytest.mark.parametrize("call, exc, match", [
    (lambda L: L.BinaryCrossEntropy().forward([[0.2], [0.9]], [0, 1]), TypeError,
     r"forward: y_pred must be a NumPy array, got list; calling the loss"),
    (lambda L: L.MSE().backward(), AttributeError,
     r"MSE has no forward cache \(_d\): call forward\(y_pred, y_true\) before backward"),
    (lambda L: L.BinaryCrossEntropy().backward(), AttributeError, "no forward cache"),
    (lambda L: L.CategoricalCrossEntropy().fused_backward(), AttributeError,
     "no forward cache"),
    (lambda L: L.Hinge().backward(), AttributeError, "no forward cache"),
    (lambda L: gn.Sequential([gn.Dense(2, 1)], seed=0).backprop(L.MSE()), AttributeError,
     "no forward cache"),
    (lambda L: L.BinaryCrossEntropy()(np.array([[1.5]]), np.array([1])), ValueError,
     r"takes probabilities in \[0, 1\], got values in \[1.5, 1.5\]"),
    (lambda L: L.CategoricalCrossEntropy()(np.array([[-0.5, 1.5]]), np.array([1])),
     ValueError, "from_logits=True"),
    (lambda L: L.BinaryCrossEntropy()(np.empty((0, 1)), np.empty(0)), ValueError,
     "y_pred is empty"),
    (lambda L: L.MSE()([[np.nan]], [[1.0]]), ValueError, "y_pred contains NaN"),
    (lambda L: L.MSE()([["a"]], [[1.0]]), ValueError, "non-numeric"),
])
def test_losses_used_on_their_own_name_the_problem(call, exc, match):
    """Trial 15/7 finding 6: a loss called directly with lists, or backward before forward,
    gave AttributeError: 'list' object has no attribute 'shape' / 'MSE' object has no
    attribute '_d'; probabilities outside [0, 1] gave a silent cost."""
    from glassnet import losses as L
    with pytest.raises(exc, match=match):
        call(L)


def test_a_loss_called_converts_lists_and_equals_forward():
    from glassnet import losses as L
    bce = L.BinaryCrossEntropy()
    assert bce([[0.2], [0.9]], [0, 1]) == bce.forward(np.array([[0.2], [0.9]]), np.array([0, 1]))
    assert L.MSE()(np.array([[True]]), np.array([[False]])) == 1.0   # bools as 0/1
    logits = L.BinaryCrossEntropy(from_logits=True)
    assert logits(np.array([[-3.5]]), np.array([1])) == pytest.approx(np.log1p(np.exp(3.5)))
    import copy
    import pickle
    h = L.Huber(delta=2.0)
    assert repr(copy.deepcopy(h)) == repr(pickle.loads(pickle.dumps(h))) == "Huber(delta=2.0)"
    with pytest.raises(AttributeError, match="has no attribute 'nonexistent'"):
        L.MSE().nonexistent
    # after fit, which drops the loss's caches (review: set to None, backward then failed in
    # NumPy's words)
    m = gn.Sequential([gn.Dense(2, 1)], seed=0)
    m.fit(np.ones((4, 2)), np.ones(4), loss="mse", epochs=1)
    with pytest.raises(AttributeError, match=r"MSE has no forward cache \(_d\)"):
        m.loss.backward()


@pytest.mark.parametrize("call, exc, match", [
    (lambda: gn.Dropout(0.5, seed=-1), ValueError, "Dropout seed must be None or an integer"),
    (lambda: gn.Dropout(0.5, seed="a"), TypeError, "Dropout seed must be None or an integer"),
    (lambda: gn.Dense(2, 1, seed="a"), TypeError, "Dense seed must be None or an integer"),
    (lambda: gn.Dense(2, 1, bias="False"), TypeError, "Dense: bias must be True or False"),
    (lambda: gn.EarlyStopping(restore_best_weights="yes"), TypeError,
     "restore_best_weights must be True or False"),
    (lambda: gn.CSVLogger("log.csv", append="yes"), TypeError, "append must be True or False"),
    (lambda: gn.trace(gn.Sequential([gn.Dense(2, 1)], seed=0), [[0.0, 1.0]], [1.0],
                      loss="mse", training="no"), TypeError, "training must be True or False"),
    (lambda: gn.Sequential([gn.Dense]), TypeError,
     r"layer 0 is the class Dense, which needs arguments: pass an instance"),
])
def test_seeds_flags_and_classes_are_checked_where_given(call, exc, match):
    """Trial 15/7 findings 9, 11 and 14: NumPy's SeedSequence errors for a bad Dropout/Dense
    seed; 'False' read as True for bias, restore_best_weights, append and training; the
    class Dense given for an instance said '__init__() missing 1 required argument'."""
    with pytest.raises(exc, match=match):
        call()


def test_a_trainable_flag_that_is_not_a_bool_is_refused_at_fit(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    X = np.random.default_rng(0).standard_normal((20, 2))
    y = (X[:, 0] > 0).astype(int)
    m = gn.Sequential([gn.Dense(2, 4), gn.ReLU(), gn.Dense(4, 1), gn.Sigmoid()], seed=0)
    m.layers[0].trainable = "no"   # read as True, the layer kept training
    before = m.get_weights()
    with pytest.raises(TypeError, match="layer 0 trainable must be True or False, got 'no'"):
        m.fit(X, y, epochs=1, callbacks=[gn.CSVLogger("never.csv")])
    assert all(np.array_equal(a, b) for a, b in zip(before, m.get_weights()))
    assert not os.path.exists("never.csv")   # refused before the callbacks began (review)
    m.layers[0].trainable = np.bool_(False)
    m.fit(X, y, epochs=1)
    assert np.array_equal(before[0], m.get_weights()[0])


@pytest.mark.parametrize("call, exc, match", [
    (lambda: gn.init.he(np.random.default_rng(0), 0, 3), ValueError, "he: n_in must be >= 1"),
    (lambda: gn.init.he(None, 2, 3), TypeError, "rng must be a numpy.random.Generator"),
    (lambda: gn.init.xavier(np.random.default_rng(0), 2.5, 3), TypeError,
     "xavier: n_in must be an integer"),
    (lambda: gn.init.lecun(np.random.default_rng(0), 2, -1), ValueError,
     "lecun: n_out must be >= 1"),
    (lambda: gn.init.he(np.random.default_rng(0), 2, 3, dtype=int), ValueError,
     "dtype must be 'float32' or 'float64'"),
    (lambda: gn.metrics.accuracy_score((i for i in [0, 1]), [0, 1]), TypeError,
     "y_true is a generator; pass a NumPy array or a list"),
    (lambda: gn.trace(gn.Sequential([gn.Dense(2, 1), gn.Sigmoid()], seed=0), np.ones((2, 2)),
                      [0, 1, 1], loss="bce"), ValueError, "X has 2 rows but y has 3"),
])
def test_initializers_metrics_and_trace_called_wrongly_say_so(call, exc, match):
    """Trial 15/7 findings 12, 13 and 16: ZeroDivisionError and NumPy errors from an
    initializer called on its own (an int dtype rounded the weights to integers); a
    generator of labels shown as 'the scalar array(<generator ...>)'; trace's row-count
    mismatch said in the loss's words."""
    with pytest.raises(exc, match=match):
        call()
    w = gn.init.he(np.random.default_rng(0), 2, 3)
    assert w.shape == (2, 3) and w.dtype == np.float32


def test_a_custom_loss_that_ignores_weights_and_a_custom_loss_lost_by_a_file(tmp_path):
    """Trial 15/M findings 2, 5 and 6: a custom loss whose forward took weights= and ignored
    them made sample_weight do nothing in fit, evaluate and trace; a model saved after
    training with a custom loss evaluated with binary cross-entropy in its place, silently;
    a Loss subclass without backward raised a bare NotImplementedError."""
    from glassnet.losses import Loss

    class LogCosh(Loss):
        def forward(self, y_pred, y_true, weights=None):
            self._d = y_pred - np.asarray(y_true, y_pred.dtype).reshape(y_pred.shape)
            return float(np.mean(np.log(np.cosh(self._d))))

        def backward(self):
            return np.tanh(self._d) / self._d.size

    X, y = gn.data.make_moons(40, noise=0.2, seed=0)
    w = np.r_[np.ones(20), np.zeros(20)]
    m = gn.Sequential([gn.Dense(2, 4), gn.Dense(4, 1), gn.Sigmoid()], seed=0)
    for call in (lambda: m.fit(X, y, loss=LogCosh(), epochs=1, sample_weight=w),
                 lambda: m.evaluate(X, y, loss=LogCosh(), sample_weight=w),
                 lambda: gn.trace(m, X, y, loss=LogCosh(), sample_weight=w)):
        with pytest.raises(ValueError, match=r"LogCosh.forward takes weights= but did not "
                                             r"apply them"):
            call()
    m.fit(X, y, loss=LogCosh(), epochs=1)   # without weights it trains
    with pytest.warns(RuntimeWarning, match="fit, evaluate, trace and loss_landscape ask for"):
        m.save(tmp_path / "lc.gnet")
    back = gn.load(tmp_path / "lc.gnet")
    with pytest.raises(ValueError, match="custom loss LogCosh, which model files do not keep: "
                                         "pass loss= to evaluate"):
        back.evaluate(X, y)
    with pytest.raises(ValueError, match="pass loss= to trace"):
        gn.trace(back, X, y)
    assert back.evaluate(X, y, loss=LogCosh())["loss"] == m.evaluate(X, y)["loss"]

    class NoBackward(Loss):
        def forward(self, y_pred, y_true, weights=None):
            return 0.0

    with pytest.raises(NotImplementedError, match=r"NoBackward must implement backward\(\)"):
        gn.Sequential([gn.Dense(2, 1), gn.Sigmoid()], seed=0).fit(X, y, loss=NoBackward())


def test_a_custom_losss_backward_keeps_its_keywords_and_static_methods():
    """Review: the wrapper that names a missing forward cache took positional arguments only
    (a backward(scale=...) failed) and wrapped a static backward (which then got self)."""
    from glassnet.losses import Loss

    class Scaled(Loss):
        def forward(self, y_pred, y_true, weights=None):
            self._d = y_pred - y_true
            return float(np.mean(self._d ** 2))

        def backward(self, scale=1.0):
            return scale * self._d

    k = Scaled()
    k.forward(np.ones((2, 1)), np.zeros((2, 1)))
    np.testing.assert_array_equal(k.backward(scale=2.0), np.full((2, 1), 2.0))

    class Static(Loss):
        @staticmethod
        def backward():
            return np.zeros((1, 1))

    assert Static().backward().shape == (1, 1)
    with pytest.raises(AttributeError, match=r"Scaled has no forward cache \(_d\)") as info:
        Scaled().backward()
    assert any(f.name == "backward" for f in __import__("traceback").extract_tb(
        info.value.__traceback__))   # the line of the loss's backward that read it


def test_missing_value_errors_name_the_rows_pandas_index_label():
    """User trial finding 3: "NaN at row 2" named the position in a frame whose index is
    another ([40, 30, 20, 10], dates, a shuffle): df.loc[2] is another row, or none. The
    label is named beside the position, for X, y and sample_weight alike."""
    pd = pytest.importorskip("pandas")
    X = np.arange(8.0).reshape(4, 2)
    X[2, 1] = np.nan
    y = np.array([0.0, 1.0, 0.0, 1.0])
    shuffled = pd.DataFrame(np.arange(40.0).reshape(20, 2)).sample(frac=1, random_state=0)
    for index in (pd.Index([40, 30, 20, 10]), pd.date_range("2024-01-01", periods=4),
                  pd.Index(["w", "x", "y", "z"]), shuffled.index[:4]):
        frame = pd.DataFrame(X, columns=["a", "b"], index=index)
        label = index.tolist()   # the labels as Python values (20, not np.int64(20))
        at = re.escape(f"row 2 (index {label[2]!r}), column 1 ('b')")
        m = gn.Sequential([gn.Dense(2, 1)], seed=0)
        with pytest.raises(ValueError, match=r"^X contains NaN at " + at):
            m.fit(frame, y, epochs=1)
        m.fit(X[[0, 1, 3]], y[[0, 1, 3]], epochs=1)
        for call in (lambda: m.predict(frame), lambda: m.evaluate(frame, y)):
            with pytest.raises(ValueError, match=r"^X contains NaN at " + at):
                call()
        targets = pd.Series([0.0, np.nan, 0.0, 1.0], index=index)
        with pytest.raises(ValueError, match=r"^y contains NaN or infinity \(first at " +
                                             re.escape(f"row 1 (index {label[1]!r}))")):
            m.fit(np.nan_to_num(X), targets, epochs=1)
        with pytest.raises(ValueError, match=r"^y contains a missing value \(<NA>\) at " +
                                             re.escape(f"row 3 (index {label[3]!r})")):
            m.fit(np.nan_to_num(X), pd.Series([0, 1, 0, pd.NA], index=index, dtype=object))
        with pytest.raises(ValueError, match=r"^sample_weight contains a missing value .* at " +
                                             re.escape(f"row 0 (index {label[0]!r});")):
            m.fit(np.nan_to_num(X), y, sample_weight=pd.Series([np.nan, 1, 1, 1], index=index))
    # the default index (0..n-1) is the position: named once
    with pytest.raises(ValueError, match=r"^X contains NaN at row 2, column 1 \('b'\) \("):
        gn.Sequential([gn.Dense(2, 1)], seed=0).fit(pd.DataFrame(X, columns=["a", "b"]), y)
    with pytest.raises(ValueError, match=r"first at row 1\); remove"):
        gn.Sequential([gn.Dense(2, 1)], seed=0).fit(np.nan_to_num(X),
                                                    pd.Series([0, np.nan, 1, 1]))
