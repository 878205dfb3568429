"""Tests for glassnet.preprocess: TabularPreprocessor, TargetEncoder, detect_task."""
from __future__ import annotations

import json

import numpy as np
import pytest

from glassnet.data import Table, load_breast_cancer, load_titanic, train_test_split
from glassnet.preprocess import TabularPreprocessor, TargetEncoder, detect_task


def _obj(*values):
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


@pytest.fixture(scope="module")
def titanic_split():
    ds = load_titanic()
    tr, te = train_test_split(ds.frame, test_size=0.2, stratify=ds.y, seed=0)
    return tr, te


def test_numeric_scaling_uses_training_stats_only():
    train = Table({"x": [1.0, 2.0, 3.0, 4.0], "k": [0.0, 1.0, 0.0, 1.0]})
    test = Table({"x": [10.0, -2.0], "k": [1.0, 1.0]})
    p = TabularPreprocessor().fit(train)
    Xtr = p.transform(train)
    np.testing.assert_allclose(Xtr.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(Xtr.std(axis=0), 1.0, atol=1e-6)
    mean, std = 2.5, np.std([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(p.transform(test)[:, 0], (np.array([10.0, -2.0]) - mean) / std,
                               rtol=1e-6)
    assert p.transform(test).dtype == np.float32
    # fitting on the test rows would give other numbers
    assert not np.allclose(TabularPreprocessor().fit_transform(test), p.transform(test))


def test_titanic_fit_on_train_transform_test(titanic_split):
    tr, te = titanic_split
    p = TabularPreprocessor().fit(tr, target="Survived")
    Xtr, Xte = p.transform(tr), p.transform(te)
    assert Xtr.shape == (tr.n_rows, p.n_features_out) and Xte.shape[1] == Xtr.shape[1]
    assert np.isfinite(Xtr).all() and np.isfinite(Xte).all()
    j = p.feature_names_out.index("Fare")
    fare_tr = tr["Fare"]
    expected = (te["Fare"] - fare_tr.mean()) / fare_tr.std()
    np.testing.assert_allclose(Xte[:, j], expected, rtol=1e-5, atol=1e-5)


def test_titanic_identifier_like_columns_dropped(titanic_split):
    tr, _ = titanic_split
    p = TabularPreprocessor().fit(tr, target="Survived")
    for col in ["PassengerId", "Name", "Ticket", "Cabin"]:
        assert col in p.dropped_, col
        assert p.dropped_[col]
    assert set(p.input_columns_) == {"Pclass", "Sex", "Age", "SibSp", "Parch", "Fare",
                                     "Embarked"}
    names = p.feature_names_out
    assert "Pclass" in names and "Sex=male" in names and "Sex=female" in names
    assert "Age_missing" in names and "Fare_missing" not in names
    assert "Survived" not in names and not any(n.startswith("Survived") for n in names)
    assert "PassengerId" in p.summary() and "Cabin" in p.summary()
    # a notebook cell's value shows the lines, not one quoted string (trial 14/7)
    assert repr(p.summary()) == str(p.summary()) and "\n" in repr(p.summary())



def _text_table(n, **cols):
    rng = np.random.default_rng(0)
    data = {k: v(rng, n) for k, v in cols.items()}
    data["x"] = rng.normal(size=n)
    return Table(data)


def test_repeating_ids_dates_and_huge_text_columns_are_dropped_not_one_hot_encoded():
    """Trial 14/4 findings 1-2: a text id that repeats (44% distinct), dates (1,500 distinct of
    20,000) and any text column of thousands of categories were one-hot encoded densely: a
    2 MB CSV took 4 GB, and one input per date says nothing of later dates."""
    n = 4000
    ids = lambda rng, n: np.array([f"user_{k:05d}" for k in rng.integers(0, 1500, n)],  # noqa
                                  dtype=object)
    dates = lambda rng, n: np.array(  # noqa: E731
        [str(np.datetime64("2020-01-01") + int(d)) for d in rng.integers(0, 200, n)],
        dtype=object)
    codes = lambda rng, n: np.array([f"c{k}" for k in rng.integers(0, 1200, n)],  # noqa
                                    dtype=object)
    t = _text_table(n, customer_id=ids, signup=dates, code=codes, shop=codes)
    p = TabularPreprocessor().fit(t)
    assert p.input_columns_ == ["x"]
    assert p.dropped_["customer_id"].startswith("identifier-like: ")
    assert "named like an id" in p.dropped_["customer_id"]
    assert p.dropped_["signup"].startswith("the values look like dates or times")
    assert "(> 50, one input each)" in p.dropped_["signup"]
    assert p.dropped_["code"].endswith("(> 1000, one input each)")
    # below the limits they stay categories: few ids or dates, 900 codes, a higher cap
    few = _text_table(
        n, customer_id=lambda rng, n: np.array([f"u{k}" for k in rng.integers(0, 40, n)],
                                               dtype=object),
        signup=lambda rng, n: np.array([f"2020-{m:02d}-01" for m in rng.integers(1, 13, n)],
                                       dtype=object),
        code=lambda rng, n: np.array([f"c{k}" for k in rng.integers(0, 900, n)],
                                     dtype=object))
    p = TabularPreprocessor().fit(few)
    assert p.input_columns_ == ["customer_id", "signup", "code", "x"] and not p.dropped_
    # a category keyed by id, many rows per value, is no identifier (review: country_id)
    keyed = _text_table(n, country_id=lambda rng, n: np.array(
        [f"c{k}" for k in rng.integers(0, 60, n)], dtype=object))
    assert TabularPreprocessor().fit(keyed).input_columns_ == ["country_id", "x"]
    assert TabularPreprocessor(max_categories=100).fit(t).input_columns_ == ["code", "shop",
                                                                               "x"]


def test_breast_cancer_id_dropped():
    ds = load_breast_cancer()
    p = TabularPreprocessor().fit(ds.frame, target="diagnosis")
    assert list(p.dropped_) == ["id"]
    assert p.feature_names_out == ds.feature_names


def test_a_row_index_column_is_dropped_even_with_gaps():
    """Trial S3: pandas' index of sampled rows (blank header, so unnamed_0; or 'Unnamed: 0'
    when read back by pandas; 'index' after reset_index) was a feature: it leaked a sorted
    target (0.99 accuracy on noise)."""
    rng = np.random.default_rng(0)
    idx = np.sort(rng.choice(1000, 60, replace=False)).astype(float)
    for name in ("unnamed_0", "Unnamed: 0", "Unnamed: 0.1", "level_0"):
        t = Table({name: idx, "x": rng.normal(size=60), "y": rng.integers(0, 2, 60)})
        p = TabularPreprocessor().fit(t, target="y")
        assert list(p.dropped_) == [name] and "row index" in p.dropped_[name]
    # a named column of unique whole numbers with gaps is a feature (a count, a year ...)
    # ... and so is one named 'index' (a price index; trial X3): only a dense one is dropped
    for name in ("visits", "index"):
        t = Table({name: idx, "y": rng.integers(0, 2, 60)})
        assert TabularPreprocessor().fit(t, target="y").dropped_ == {}


def test_missing_values_median_and_indicator():
    train = Table({"a": [1.0, np.nan, 3.0, 10.0], "b": [5.0, 6.0, 7.0, 8.0]})
    p = TabularPreprocessor().fit(train)
    assert p.feature_names_out == ["a", "a_missing", "b"]
    X = p.transform(train)
    assert X[:, 1].tolist() == [0.0, 1.0, 0.0, 0.0]
    filled = np.array([1.0, 3.0, 3.0, 10.0])  # the median of 1, 3, 10 is 3
    np.testing.assert_allclose(X[:, 0], (filled - filled.mean()) / filled.std(), rtol=1e-6)
    # at transform: missing in a column that had none in training -> imputed, no indicator
    test = Table({"a": [np.nan], "b": [np.nan]})
    Xt = p.transform(test)
    assert Xt.shape == (1, 3) and np.isfinite(Xt).all()
    np.testing.assert_allclose(Xt[0, 2], (6.5 - 6.5) / np.std([5, 6, 7, 8.0]), atol=1e-6)
    assert Xt[0, 1] == 1.0
    # infinities count as missing
    assert np.isfinite(p.transform(Table({"a": [np.inf], "b": [-np.inf]}))).all()


def test_categorical_unseen_and_missing():
    train = Table({"color": _obj("red", "blue", None, "red"), "v": [1.0, 2.0, 3.0, 4.0]})
    p = TabularPreprocessor().fit(train)
    assert p.feature_names_out == ["color=blue", "color=red", "color=<missing>", "v"]
    test = Table({"color": _obj("green", None, "blue"), "v": [0.0, 0.0, 0.0]})
    X = p.transform(test)
    assert X[0, :3].tolist() == [0, 0, 0]  # unseen -> all zeros, no crash
    assert X[1, :3].tolist() == [0, 0, 1]  # missing -> its own category (seen in training)
    assert X[2, :3].tolist() == [1, 0, 0]
    # a column without missing values in training: missing at transform -> all zeros
    p2 = TabularPreprocessor().fit(Table({"c": _obj("a", "b", "a")}))
    assert p2.transform(Table({"c": _obj(None)})).tolist() == [[0.0, 0.0]]
    # a categorical column that arrives as all-NaN floats (an empty column in a test CSV)
    assert p2.transform(Table({"c": [np.nan, np.nan]})).tolist() == [[0, 0], [0, 0]]


def test_transform_reports_what_training_never_saw():
    train = Table({"color": _obj("red", "blue", None, "red"), "size": _obj("S", "M", "S", "L"),
                   "v": [1.0, 2.0, 3.0, 4.0], "w": [1.0, np.nan, 3.0, 5.0]})
    p = TabularPreprocessor().fit(train)
    test = Table({"color": _obj("green", None, "pink", "green"), "size": _obj("S", None, "M", "XL"),
                  "v": [np.nan, 2.0, np.inf, 1.0], "w": [np.nan, -np.inf, 3.0, 4.0]})
    facts = []
    X = p.transform(test, report=facts)
    np.testing.assert_array_equal(X, p.transform(test))  # the matrix does not change
    got = {(f["column"], f["issue"]): (f["rows"].tolist(), f["values"], f["action"])
           for f in facts}
    assert got == {
        ("color", "unseen"): ([0, 2, 3], ["green", "pink"], "encoded as all zeros (no category)"),
        ("size", "unseen"): ([3], ["XL"], "encoded as all zeros (no category)"),
        ("size", "missing"): ([1], [], "encoded as all zeros (no category)"),
        ("v", "missing"): ([0], [], "filled with the training median 2.5"),
        ("v", "infinite"): ([2], [], "treated as missing (filled with the training median 2.5)"),
        ("w", "infinite"): ([1], [], "treated as missing (filled with the training median 3, "
                                     "flagged in w_missing)"),
    }  # color's missing value and w's NaN were seen in training: nothing to report
    facts = []
    p.transform(train, report=facts)
    assert facts == []


def test_few_distinct_integers_stay_numeric_unless_asked():
    t = Table({"cls": [1.0, 2.0, 3.0, 1.0, 3.0], "x": [0.5, 0.1, 0.3, 0.2, 0.9]})
    assert TabularPreprocessor().fit(t).feature_names_out == ["cls", "x"]
    p = TabularPreprocessor(categorical=["cls"]).fit(t)
    assert p.feature_names_out == ["cls=1", "cls=2", "cls=3", "x"]
    assert p.transform(Table({"cls": [2.0], "x": [0.0]}))[0, :3].tolist() == [0, 1, 0]


def test_small_tables_keep_unique_text_and_constants_dropped():
    t = Table({"c": _obj("a", "b", "c"), "k": [7.0, 7.0, 7.0], "s": _obj("z", "z", "z"),
               "row": [1.0, 2.0, 3.0]})
    p = TabularPreprocessor().fit(t)
    assert p.input_columns_ == ["c", "row"]  # too few rows to call anything an identifier
    assert "constant" in p.dropped_["k"] and "constant" in p.dropped_["s"]
    # a constant column with missing values keeps its indicator; std falls back to 1
    p = TabularPreprocessor().fit(Table({"k": [2.0, np.nan, 2.0], "x": [1.0, 2.0, 3.0]}))
    assert p.feature_names_out == ["k", "k_missing", "x"]
    assert p.columns_[0]["std"] == 1.0


def test_numeric_row_counter_dropped_but_unique_floats_kept():
    n = 60
    rng = np.random.default_rng(0)
    t = Table({"row": rng.permutation(np.arange(100, 100 + n)).astype(float),
               "price": rng.normal(size=n), "big_ints": rng.choice(10**6, n, replace=False)})
    p = TabularPreprocessor().fit(t)
    assert "row" in p.dropped_
    assert p.input_columns_ == ["price", "big_ints"]


def test_many_categories_dropped_only_when_mostly_unique():
    rng = np.random.default_rng(0)
    n = 600
    frequent = _obj(*[f"c{i}" for i in rng.integers(0, 60, n)])  # 60 categories, repeated
    rare = _obj(*[f"r{i}" for i in rng.integers(0, 400, n)])  # mostly unique
    p = TabularPreprocessor().fit(Table({"frequent": frequent, "rare": rare}))
    assert p.input_columns_ == ["frequent"]
    assert "too many categories" in p.dropped_["rare"]


def test_to_dict_from_dict_roundtrip(titanic_split):
    tr, te = titanic_split
    p = TabularPreprocessor(drop=["Fare"]).fit(tr, target="Survived")
    text = json.dumps(p.to_dict(), allow_nan=False)
    q = TabularPreprocessor.from_dict(json.loads(text))
    assert q.feature_names_out == p.feature_names_out
    assert q.dropped_ == p.dropped_ and q.target_ == "Survived"
    assert np.array_equal(q.transform(te), p.transform(te))
    assert np.array_equal(q.transform(tr), p.transform(tr))
    with pytest.raises(ValueError):
        TabularPreprocessor.from_dict({"format": "something else"})


def test_errors():
    t = Table({"a": [1.0, 2.0], "b": _obj("x", "y")})
    with pytest.raises(ValueError, match="'zz'.*'a'"):
        TabularPreprocessor().fit(t, target="zz")
    with pytest.raises(RuntimeError, match="not fitted"):
        TabularPreprocessor().transform(t)
    p = TabularPreprocessor().fit(t)
    with pytest.raises(ValueError, match=r"\['b'\]"):
        p.transform(Table({"a": [1.0]}))
    with pytest.raises(ValueError, match="holds text"):
        p.transform(Table({"a": _obj("oops"), "b": _obj("x")}))
    with pytest.raises(ValueError, match="every column was dropped"):
        TabularPreprocessor().fit(Table({"k": [1.0, 1.0]}))
    with pytest.raises(ValueError):
        TabularPreprocessor(max_categories=0)
    with pytest.raises(ValueError):
        TabularPreprocessor(dtype="int32")


def test_mostly_numeric_text_columns_say_why_they_are_text():
    # one stray word among numbers, or $ and thousands commas: not "identifier-like" alone
    income = [f"{50000 + 37 * i}.5" for i in range(30)]
    income[12] = "unknown"
    price = _obj(*(f"${1000 + 7 * i:,}.00" for i in range(30)))
    names = _obj(*(f"Person {i}" for i in range(30)))
    t = Table({"income": _obj(*income), "price": price, "name": names})
    with pytest.raises(ValueError) as err:
        TabularPreprocessor().fit(t)
    msg = str(err.value)
    assert "{" not in msg and "'income':" not in msg, msg      # readable, not a dict repr
    assert ("income: 29 of 30 values are numbers, but 'unknown' (row 12) is not; it was "
            "read as text (if it marks a missing value: --na-values=unknown; in Python, "
            "read_csv(na_values=['unknown']) or replace it with NaN); as text it was "
            "identifier-like") in msg, msg
    assert "price: 30 of 30 values are numbers, written with currency" in msg, msg
    assert "'$1,000.00', row 0" in msg and "strip the symbols" in msg, msg
    assert "name: identifier-like: 30 distinct values" in msg, msg  # plain text: as before
    from glassnet.preprocess import NoUsableColumnsError, numeric_text_note
    assert isinstance(err.value, NoUsableColumnsError) and set(err.value.dropped) == set(t)
    assert numeric_text_note(_obj("1", "2", None, "n/a")) is None  # 2 of 3 are not "most"
    assert numeric_text_note(_obj(*(["1"] * 9 + ["x", None])), lines=list(range(2, 13))) == (
        "9 of 10 values are numbers, but 'x' (line 11) is not; it was read as text (if it "
        "marks a missing value: --na-values=x; in Python, read_csv(na_values=['x']) or "
        "replace it with NaN)")
    assert numeric_text_note(names) is None


def test_huge_values_are_standardized_without_overflow():
    x = np.array([1e300, -2e300, 3e300, 5e299, 1.7e308])
    p = TabularPreprocessor().fit(Table({"x": x}))
    s = p.columns_[0]
    assert np.isfinite(s["mean"]) and np.isfinite(s["std"]) and s["std"] > 1e299
    np.testing.assert_allclose(s["mean"], np.mean(x / 1e300) * 1e300)
    np.testing.assert_allclose(s["std"], np.std(x / 1e300) * 1e300)
    out = p.transform(Table({"x": x}))
    assert np.isfinite(out).all() and abs(float(out.mean())) < 1e-6


def test_new_values_too_large_for_the_dtype_are_treated_as_missing_and_reported():
    """Trial I: 1e39 in new data overflowed float32 once standardized, and the CLI then said
    'X contains infinity' about a file without one; trial L: 3e38, a float32, overflowed in
    the first product. Values beyond sqrt(float32 max) once standardized are now treated as
    missing, as infinities are, and reported; 1e15 goes through."""
    p = TabularPreprocessor().fit(Table({"x": [1.0, 2.0, 3.0, 4.0], "n": [1.0, None, 3.0, 2.0]}))
    report = []
    out = p.transform(Table({"x": [3e38, 2.0, -1e300], "n": [1e300, 2.0, 3.0]}), report=report)
    assert out.dtype == np.float32 and np.isfinite(out).all()
    median_x = (2.5 - 2.5) / p.columns_[0]["std"]
    assert out[0, 0] == out[2, 0] == np.float32(median_x)
    assert out[0, 2] == 1.0 and out[1:, 2].tolist() == [0.0, 0.0]  # n_missing flags it
    assert [(f["column"], f["issue"], f["rows"].tolist()) for f in report] == [
        ("x", "too large", [0, 2]), ("n", "too large", [0])]
    assert "flagged in n_missing" in report[1]["action"]
    assert p.transform(Table({"x": [1e15], "n": [1.0]}))[0, 0] > 1e14  # far, but usable
    out64 = TabularPreprocessor(dtype="float64").fit(Table({"x": [1.0, 2.0]})).transform(
        Table({"x": [1e39]}))
    assert out64[0, 0] > 1e38  # float64 networks can take it: nothing to replace


def test_transform_ignores_target_and_extra_columns():
    t = Table({"a": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 0.0]})
    p = TabularPreprocessor().fit(t, target="y")
    assert p.feature_names_out == ["a"]
    assert p.transform(Table({"a": [1.0], "other": _obj("q")})).shape == (1, 1)
    p64 = TabularPreprocessor(dtype="float64").fit(t, target="y")
    assert p64.transform(t).dtype == np.float64


def test_accepts_dicts_and_arrays():
    p = TabularPreprocessor().fit({"a": [1, 2, 3], "s": ["u", "v", "u"]})
    assert p.feature_names_out == ["a", "s=u", "s=v"]
    X = np.arange(12, dtype=float).reshape(4, 3)
    assert TabularPreprocessor().fit_transform(X).shape == (4, 3)


# ---------------------------------------------------------------------------------------
# target encoder and task detection
# ---------------------------------------------------------------------------------------
def test_target_encoder_strings():
    enc = TargetEncoder().fit(_obj("M", "B", "B", "M"))
    assert enc.classes_.tolist() == ["B", "M"] and enc.n_classes_ == 2
    codes = enc.transform(_obj("B", "M", "M"))
    assert codes.tolist() == [0, 1, 1] and codes.dtype == np.int64
    assert enc.inverse_transform(codes).tolist() == ["B", "M", "M"]
    with pytest.raises(ValueError, match="'X'"):
        enc.transform(_obj("B", "X"))
    back = TargetEncoder.from_dict(json.loads(json.dumps(enc.to_dict())))
    assert back.transform(_obj("M")).tolist() == [1]


def test_target_encoder_numbers():
    enc = TargetEncoder().fit(np.array([0.0, 1.0, 1.0]))  # as read from a CSV
    assert enc.classes_.dtype == np.int64 and enc.classes_.tolist() == [0, 1]
    assert enc.transform([1, 0]).tolist() == [1, 0]
    with pytest.raises(ValueError, match="2"):
        enc.transform([2.0])
    enc = TargetEncoder().fit([3, 7, 5])
    assert enc.transform([7, 3]).tolist() == [2, 0]
    assert enc.inverse_transform([1]).tolist() == [5]
    with pytest.raises(ValueError):
        enc.inverse_transform([3])
    enc = TargetEncoder().fit([True, False, True])
    assert enc.transform([False]).tolist() == [0]
    with pytest.raises(ValueError, match="missing"):
        TargetEncoder().fit([1.0, np.nan])
    with pytest.raises(ValueError, match="missing"):
        TargetEncoder().fit(_obj("a", None))
    # whole numbers beyond int64's exact range stay floats (1e20 wrapped to -2**63, and two
    # such classes became one)
    enc = TargetEncoder().fit(np.array([1e20, 2e20, 1e20]))
    assert enc.classes_.tolist() == [1e20, 2e20]
    assert enc.transform([2e20, 1e20]).tolist() == [1, 0]
    # ... and integer labels are compared as integers (review: 2**53 and 2**53 + 1 were one
    # class; uint64 labels past int64 wrapped around)
    enc = TargetEncoder().fit(np.array([2**53, 2**53 + 1, 2**53 + 1]))
    assert enc.classes_.tolist() == [2**53, 2**53 + 1]
    assert enc.transform(np.array([2**53 + 1, 2**53])).tolist() == [1, 0]
    assert enc.unknown_mask(np.array([2**53 + 2, 2**53])).tolist() == [True, False]
    big = np.array([2**63 + 10, 2**63 + 5000], dtype=np.uint64)
    enc = TargetEncoder().fit(big)
    assert enc.transform(big[::-1]).tolist() == [1, 0]
    back = TargetEncoder.from_dict(json.loads(json.dumps(enc.to_dict())))
    assert back.classes_.tolist() == big.tolist() and back.transform(big).tolist() == [0, 1]
    assert TargetEncoder().fit([3, 7, 5]).transform(np.array([7.0, 3.0])).tolist() == [2, 0]
    signed = TargetEncoder().fit(np.array([-1, 0, 1]))
    wraps = np.array([2**64 - 1], dtype=np.uint64)   # -1 once cast to int64
    assert signed.unknown_mask(wraps).tolist() == [True]
    with pytest.raises(ValueError, match="unknown label"):
        signed.transform(wraps)


def test_target_encoder_on_titanic():
    ds = load_titanic()
    enc = TargetEncoder().fit(ds.frame["Survived"])
    assert np.array_equal(enc.transform(ds.frame["Survived"]), ds.y)


@pytest.mark.parametrize("y,task", [
    (_obj("a", "b", "a"), "classification"),
    (np.array([True, False]), "classification"),
    (np.array([0, 1, 1, 0]), "classification"),
    (np.array([0.0, 1.0, 2.0, 1.0, 0.0]), "classification"),
    (np.array([1.0, 2.0, np.nan, 1.0]), "classification"),
    (np.linspace(0, 1, 50), "regression"),
    (np.arange(100), "regression"),
    (np.array([0.5, 1.5, 2.5, 0.5]), "regression"),
    (_obj("1.5", "2.25", "3.125", "4.0"), "regression"),
])
def test_detect_task(y, task):
    assert detect_task(y) == task


def test_detect_task_on_bundled():
    assert detect_task(load_titanic().frame["Survived"]) == "classification"
    assert detect_task(load_breast_cancer().frame["diagnosis"]) == "classification"
    assert detect_task(load_breast_cancer().frame["radius_mean"]) == "regression"


def test_mean_std_is_the_power_of_two_scaled_statistics_of_one_column():
    """mean_std is _weighted_stats of one column (the one overflow-safe helper, shared with
    the sklearn estimators): the plain float64 mean and spread for ordinary numbers, finite
    ones for values whose squares (1e200) or sums (1e308) overflow."""
    from glassnet.preprocess import _weighted_stats, mean_std
    x = np.random.default_rng(0).normal(3.0, 2.0, 1000)
    _, m, s = _weighted_stats(x[:, None], None)
    assert mean_std(x) == (m[0], s[0])
    assert mean_std(x) == pytest.approx((x.mean(), x.std()), rel=1e-13)
    assert mean_std([1e200, 3e200]) == (2e200, 1e200)
    mean, std = mean_std([1e308, -1e308, 1e308])
    assert mean == pytest.approx(1e308 / 3) and std == pytest.approx(np.sqrt(8) / 3 * 1e308)
    assert mean_std([]) == (0.0, 0.0) and mean_std([5.0]) == (5.0, 0.0)
    assert mean_std([0.0, 0.0]) == (0.0, 0.0)


def test_numbers_with_unicode_spaces_around_them_are_numbers_everywhere(tmp_path):
    """Review: read_csv read '0.5' followed by a no-break space as 0.5, but transform refused
    the same text as a number 'written with digits other than 0-9': one rule now."""
    from glassnet.data import read_csv
    from glassnet.preprocess import python_only_number
    path = tmp_path / "nb.csv"
    path.write_text("a,y\n0.5\u00a0,1\n2,0\n\u20093\u2009,1\n", encoding="utf-8")
    np.testing.assert_array_equal(read_csv(path)["a"], [0.5, 2.0, 3.0])
    p = TabularPreprocessor().fit(Table({"a": [1.0, 2.0, 3.0]}))
    text = p.transform(Table({"a": _obj("0.5\u00a0", "2", "\u20093\u2009")}))
    np.testing.assert_array_equal(text, p.transform(Table({"a": [0.5, 2.0, 3.0]})))
    assert not python_only_number("0.5\u00a0") and python_only_number("1_5")


def test_numbers_only_python_reads_are_named_with_the_reason():
    """Trial L finding 4: '1_5' and '３' are text here (as for pandas); the notes and the
    error of a numeric column say why."""
    from glassnet.preprocess import (TextInNumericColumnError, _numeric_values,
                                     as_plain_number, numeric_text_note, python_only_number)
    assert python_only_number("1_5") and python_only_number("３") and python_only_number("٣")
    assert not python_only_number("x_1") and not python_only_number("1.5")
    assert as_plain_number("1_000.5") == "1000.5" and as_plain_number("٣٤") == "34"
    assert numeric_text_note(_obj(*(["1"] * 9 + ["1_0", "1_2"]))) == (
        "9 of 11 values are numbers, but '1_0' (row 9) is not (nor are 1 more; numbers are "
        "written without underscores); it was read as text")
    with pytest.raises(TextInNumericColumnError, match="which is not a number glassnet reads: "
                       "numbers are written with the digits 0-9"):
        _numeric_values(_obj("1", "３"), "rooms")


def test_accounting_negatives_are_named_as_numbers():
    """CSV trial: (123,45) and SAP's 123,45- were called identifier-like text."""
    from glassnet.preprocess import numeric_text_note
    vals = ["(698,29)", "12,50", "3,75", "(1.234,00)"] * 5
    note = numeric_text_note(vals, comma=True)
    assert note and "accounting minus" in note and "leading -" in note
    note = numeric_text_note(["698,29-", "12,50", "3,75-"] * 5, comma=True)
    assert note and "leading -" in note
    assert numeric_text_note(["(a)", "b-", "(x-y)"] * 5) is None


def test_date_and_time_columns_say_so_when_dropped():
    from glassnet.data import Table
    from glassnet.preprocess import TabularPreprocessor, date_text_note
    rng = np.random.default_rng(0)
    days = [f"{d:02d}.{m:02d}.2023" for d, m in zip(rng.integers(1, 29, 80),
                                                    rng.integers(1, 13, 80))]
    table = Table({"day": np.array(days, dtype=object), "x": rng.normal(size=80)})
    pre = TabularPreprocessor().fit(table)
    assert "look like dates or times (e.g. '" in pre.dropped_["day"]
    assert date_text_note(["2023-12-31 08:15", "14:30", "2024-01-02"]) is not None
    assert date_text_note(["red", "green", "12.5"]) is None


def test_number_and_date_notes_edge_cases():
    from glassnet.data.tabular import _number_kind
    from glassnet.preprocess import date_text_note
    assert _number_kind("(12-)", True) == 2 and _number_kind("(" * 3000 + "1" + ")" * 3000,
                                                             True) == 2
    assert date_text_note(["1.2.10", "1.3.11", "2.0.15", "2.1.20"]) is None   # versions
    assert date_text_note(["99.99.9999"] * 3) is None


def test_a_code_category_read_as_a_number_in_a_new_file_keeps_its_category():
    """Trial 14/12 finding 1: a text column of codes (0007, 0012, A100) was read as numbers in
    a file holding only numeric codes; 0007 became the unseen category '7' (all zeros), so a
    row's prediction depended on the other rows of its file."""
    train = Table({"code": np.array(["0007", "0012", "A100", "0007", "7.5"], dtype=object),
                   "x": np.arange(5.0)})
    p = TabularPreprocessor().fit(train)
    want = p.transform(Table({"code": np.array(["0007", "0012", "7.5"], dtype=object),
                              "x": np.zeros(3)}))
    got = p.transform(Table({"code": np.array([7.0, 12.0, 7.5]), "x": np.zeros(3)}))
    np.testing.assert_array_equal(got, want)
    # and the other way: categories of a column read as numbers (--categorical zip), a new
    # file's column read as text (a word among the codes): 01234 is the category 1234
    num = TabularPreprocessor(categorical=["zip"]).fit(
        Table({"zip": np.array([1234.0, 2139.0, 501.0]), "x": np.arange(3.0)}))
    a = num.transform(Table({"zip": np.array([1234.0, 501.0]), "x": np.zeros(2)}))
    b = num.transform(Table({"zip": np.array(["01234", "00501"], dtype=object),
                             "x": np.zeros(2)}))
    np.testing.assert_array_equal(a, b)
    # two categories of one value ("7" and "07"): the number's own spelling "7" is taken,
    # and 8.0 matches no category (all zeros), as before
    amb = TabularPreprocessor().fit(Table({"code": np.array(["7", "07", "B"], dtype=object),
                                           "x": np.arange(3.0)}))
    out = amb.transform(Table({"code": np.array([7.0, 8.0]), "x": [0.0, 0.0]}))
    assert amb.columns_[0]["categories"] == ["07", "7", "B"]
    assert out[:, :3].tolist() == [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    two = TabularPreprocessor().fit(Table({"code": np.array(["007", "07", "B"], dtype=object),
                                           "x": np.arange(3.0)}))
    assert two.transform(Table({"code": np.array([7.0]), "x": [0.0]}))[0, :3].sum() == 0


def test_booleans_in_mixed_case_are_one_category_each():
    """Stop 14 leftover: TRUE, True and true (as spreadsheets and databases mix them) were
    three categories, so rows of one value were encoded apart; a new file's spelling in
    another case (YES for yes) was an unseen category."""
    flag = _obj("TRUE", "True", "true", "False", "FALSE", "false", None)
    p = TabularPreprocessor().fit(Table({"flag": flag, "x": np.arange(7.0)}))
    spec = p.columns_[0]
    assert spec["categories"] == ["false", "true"] and spec["missing_category"]
    out = p.transform(Table({"flag": flag, "x": np.zeros(7)}))[:, :3]
    assert out.tolist() == [[0, 1, 0]] * 3 + [[1, 0, 0]] * 3 + [[0, 0, 1]]
    # one spelling throughout: the categories keep it; other words are not folded
    same = TabularPreprocessor().fit(Table({"b": _obj("Yes", "No", "Yes"), "x": [0., 1, 2]}))
    assert same.columns_[0]["categories"] == ["No", "Yes"]
    words = TabularPreprocessor().fit(Table({"c": _obj("Red", "red", "Blue"),
                                             "x": [0., 1, 2]}))
    assert words.columns_[0]["categories"] == ["Blue", "Red", "red"]
    # a new file: a spelling in another case is the one category it matches ignoring case;
    # one that matches two categories (Red and red) stays unseen, and says so
    facts = []
    got = same.transform(Table({"b": _obj("YES", "no", "maybe"), "x": np.zeros(3)}),
                         report=facts)[:, :2]
    assert got.tolist() == [[0, 1], [1, 0], [0, 0]]
    assert [f["values"] for f in facts] == [["maybe"]]
    amb = words.transform(Table({"c": _obj("RED", "BLUE"), "x": [0., 0.]}))[:, :3]
    assert amb.tolist() == [[0, 0, 0], [1, 0, 0]]


def test_dates_in_common_formats_are_recognised():
    """Trial 14/12 finding 4: month names (Jan 31 2023, 31-Jan-2023), 2023/01/31 and ISO times
    with a zone (…T10:00:00Z) were one-hot encoded, one input per date, without a note."""
    import datetime as dt
    rng = np.random.default_rng(0)
    days = [dt.date(2023, 1, 1) + dt.timedelta(days=int(k)) for k in rng.integers(0, 600, 400)]
    fmts = {"mon": "%b %d %Y", "long": "%B %d, %Y", "dash": "%d-%b-%Y", "slash": "%Y/%m/%d",
            "isoz": "%Y-%m-%dT%H:00:00Z", "offset": "%Y-%m-%dT08:15:00+02:00"}
    t = Table({**{k: np.array([d.strftime(f) for d in days], dtype=object)
                  for k, f in fmts.items()}, "x": rng.normal(size=400)})
    p = TabularPreprocessor().fit(t)
    assert p.input_columns_ == ["x"]
    for k in fmts:
        assert p.dropped_[k].startswith("the values look like dates or times"), p.dropped_[k]
    # words and codes are no dates
    from glassnet.preprocess import _DATE_OR_TIME
    for v in ("Janet", "march", "A100", "12 kg", "2023", "1-2-3", "CUST-000123", "3 mar 100"):
        assert not _DATE_OR_TIME.fullmatch(v), v
    for v in ("1/31/2023 2:30 PM", "1/31/2023 2:30:00 PM", "Nov 8, 2023 2:30 PM", "08-Nov-23"):
        assert _DATE_OR_TIME.fullmatch(v), v
    # a --categorical column dropped by the category rules says that option made it text
    p = TabularPreprocessor(categorical=["amount"]).fit(
        Table({"amount": rng.normal(size=400), "x": rng.normal(size=400)}))
    # (in words of neither Python nor the command line, which says it in its own)
    assert p.dropped_["amount"].endswith(" (numbers made categories on request)")


def test_an_id_named_key_is_dropped_and_far_values_are_reported():
    """Trial 14/12 finding 3: a unique integer per row with gaps, named `key`, was kept as a
    number; new ids 60 standard deviations out were used without a word (accuracy 0.53)."""
    rng = np.random.default_rng(0)
    ids = 500000 + np.cumsum(rng.integers(1, 6, 300))
    for name in ("key", "customer_key", "customerKey", "uuid", "row_id"):
        p = TabularPreprocessor().fit(Table({name: ids.astype(float), "x": rng.normal(size=300)}))
        assert p.dropped_[name].endswith("named like an id"), name
    p = TabularPreprocessor().fit(Table({"monkey": ids.astype(float),
                                         "x": rng.normal(size=300)}))
    assert "monkey" in p.input_columns_
    facts = []
    p.transform(Table({"monkey": np.array([ids[0], ids[-1] + 1e5]), "x": [0.0, 0.0]}),
                report=facts)
    far = [f for f in facts if f["issue"] == "far"]
    assert len(far) == 1 and far[0]["column"] == "monkey" and far[0]["rows"].tolist() == [1]
    assert far[0]["beyond_range"] is True
    assert far[0]["values"][0] > 10
    facts = []
    p.transform(Table({"monkey": ids[:5].astype(float), "x": np.zeros(5)}), report=facts)
    assert facts == []
    # a value training saw is never far, however rare (trial 14/13: a 0/1 flag with 7 ones)
    flag = np.zeros(2000)
    flag[:7] = 1
    q = TabularPreprocessor().fit(Table({"flag": flag, "x": rng.normal(size=2000)}))
    facts = []
    q.transform(Table({"flag": flag, "x": np.zeros(2000)}), report=facts)
    assert facts == []
    # kept in the model's dict, and a dict without the range (older files) still works
    d = q.to_dict()
    assert d["columns"][0]["min"] == 0.0 and d["columns"][0]["max"] == 1.0
    for c in d["columns"]:
        c.pop("min"), c.pop("max")
    facts = []
    TabularPreprocessor.from_dict(d).transform(Table({"flag": [1.0], "x": [0.0]}), report=facts)
    assert [f["issue"] for f in facts] == ["far"] and facts[0]["beyond_range"] is False


def test_a_damaged_preprocessor_dict_and_an_old_one_without_the_range():
    """Trial 14/17 findings 2-3: a std of 0 in a model's preprocessor crashed predict with a
    ZeroDivisionError (a negative one flipped the inputs); an older file has no min/max."""
    t = Table({"x": np.arange(10.0), "y": np.arange(10.0) % 2})
    d = TabularPreprocessor().fit(t, target="y").to_dict()
    for bad in (0.0, -2.0, float("nan")):
        d["columns"][0]["std"] = bad
        with pytest.raises(ValueError, match=r"column 'x' needs a finite mean and median and "
                                             r"a finite std > 0"):
            TabularPreprocessor.from_dict(d)


def _charges_and_calls():
    """Number columns with blank and '?' cells, as pandas' read_csv leaves them (text), and
    the same rows as CSV text."""
    rng = np.random.default_rng(0)
    charges = [f"{v:.2f}" for v in rng.uniform(20, 100, 60)]
    calls = [str(v) for v in rng.poisson(1.5, 60)]
    plan = [str(v) for v in rng.choice(["basic", "plus"], 60)]
    charges[3], charges[7], calls[5], calls[9], plan[2] = " ", "", "?", " NA ", "null"
    y = [str(v) for v in rng.integers(0, 2, 60)]
    csv = "charges,calls,plan,y\n" + "".join(
        f"{a},{b},{c},{d}\n" for a, b, c, d in zip(charges, calls, plan, y))
    return {"charges": _obj(*charges), "calls": _obj(*calls), "plan": _obj(*plan),
            "y": np.array(y, dtype=float)}, csv


def test_missing_value_text_is_missing_as_the_csv_reader_reads_it(tmp_path):
    """Finding: given as text (a pandas DataFrame), ' ' and '?' were values: 'calls' was
    one-hot over its counts and '?', 'charges' dropped as identifier-like, where glassnet
    train read both as numbers with missing values. Now both paths encode alike."""
    from glassnet.data import read_csv
    cols, csv = _charges_and_calls()
    (tmp_path / "d.csv").write_text(csv)
    p = TabularPreprocessor().fit(cols, target="y")
    q = TabularPreprocessor().fit(read_csv(tmp_path / "d.csv"), target="y")
    assert p.to_dict() == q.to_dict() and not p.dropped_
    assert p.feature_names_out == ["charges", "charges_missing", "calls", "calls_missing",
                                   "plan=basic", "plan=plus", "plan=<missing>"]
    assert np.array_equal(p.transform(cols), q.transform(read_csv(tmp_path / "d.csv")))
    # at transform too: blank, white space and '?' are missing, not text or a category
    new = {"charges": _obj("?", "  ", "50.5"), "calls": _obj("NA", "2", ""),
           "plan": _obj("?", "plus", "\t")}
    facts = []
    X = p.transform(new, report=facts)
    assert X[:, 1].tolist() == [1, 1, 0] and X[:, 3].tolist() == [1, 0, 1]
    assert X[:, 6].tolist() == [1, 0, 1] and facts == []
    # numbers as the reader reads them: 1_0 is text there, so the column stays text
    t = TabularPreprocessor().fit({"k": _obj(*(["1", "2", "1_0", "?"] * 5)), "x": np.arange(20.0)})
    assert t.columns_[0]["kind"] == "categorical" and t.columns_[0]["missing_category"]
    # a column of number strings without such cells is text as given (zip codes as str)
    z = TabularPreprocessor().fit({"zip": _obj(*(["02134", "10001"] * 5)), "x": np.arange(10.0)})
    assert z.columns_[0]["categories"] == ["02134", "10001"]


def test_missing_value_text_in_a_pandas_frame():
    pd = pytest.importorskip("pandas")
    cols, _ = _charges_and_calls()
    df = pd.DataFrame({k: list(v) for k, v in cols.items()})
    p = TabularPreprocessor().fit(df, target="y")
    assert p.to_dict() == TabularPreprocessor().fit(cols, target="y").to_dict()
    assert [s["kind"] for s in p.columns_] == ["numeric", "numeric", "categorical"]


def test_missing_value_advice_names_a_token_and_python_too():
    """Finding: a blank value was advised as '--na-values ' (nothing), and a Python caller
    was given only a command-line flag."""
    from glassnet.preprocess import numeric_text_note
    note = numeric_text_note(_obj(*(["1.5"] * 9 + ["   "])))
    assert note == "9 of 10 values are numbers, but '   ' (row 9) is not; it was read as text"
    note = numeric_text_note(_obj(*(["1.5"] * 9 + ["not known"])))
    assert note.endswith("(if it marks a missing value: --na-values='not known'; in Python, "
                         "read_csv(na_values=['not known']) or replace it with NaN)"), note
    # a token starting with '-' is no option of its own: --na-values -- is refused by argparse
    note = numeric_text_note(_obj(*(["1.5"] * 9 + ["--"])))
    assert "--na-values=--;" in note, note


def test_a_few_formatted_numbers_are_counted_as_few():
    """Finding: one '$250,000' among 300 plain numbers read '301 of 301 values are numbers,
    written with currency ... signs', as if every value had them."""
    from glassnet.preprocess import numeric_text_note
    values = [str(100000 + 1000 * i) for i in range(300)] + ["$250,000"]
    assert numeric_text_note(_obj(*values)).startswith(
        "301 of 301 values are numbers, 1 of them written with currency or percent signs, "
        "thousands separators or accounting minus signs (e.g. '$250,000', row 300)")
    assert numeric_text_note(_obj(*(["3"] * 8 + ["3,5", "4,25"]))).startswith(
        "10 of 10 values are numbers, 2 of them written with a decimal comma (e.g. '3,5'")
    assert numeric_text_note(_obj("$1", "$2", "$3")).startswith(   # all of them: as before
        "3 of 3 values are numbers, written with currency")


def test_drop_names_a_column_of_the_table_at_fit():
    """Finding: drop=['agee'] (a typo) was ignored, where categorical= refused it."""
    t = Table({"age": [30.0, 40.0, 50.0], "x": [1.0, 2.0, 4.0]})
    with pytest.raises(ValueError, match=r"drop= names column\(s\) not in the table: "
                                         r"\['agee'\]; columns: \['age', 'x'\]"):
        TabularPreprocessor(drop=["agee"]).fit(t)
    p = TabularPreprocessor(drop="age").fit(t)
    assert p.dropped_ == {"age": "dropped on request"}
    assert p.transform(Table({"x": [3.0]})).shape == (1, 1)   # not needed at transform


def test_kept_date_columns_get_a_note():
    """Finding: 24 months one-hot encoded without a word; the dates note came only when a
    date column was dropped."""
    rng = np.random.default_rng(0)
    months = _obj(*(f"{2020 + m // 12}-{m % 12 + 1:02d}-01" for m in rng.integers(0, 24, 300)))
    t = Table({"month": months, "plan": _obj(*rng.choice(["a", "b"], 300)),
               "x": rng.normal(size=300)})
    p = TabularPreprocessor().fit(t)
    assert p.input_columns_ == ["month", "plan", "x"] and list(p.notes_) == ["month"]
    assert p.notes_["month"].startswith("the values look like dates or times (e.g. '20")
    assert "month: categorical, one-hot over 24 categories; the values look like dates" in \
        str(p.summary())
    q = TabularPreprocessor.from_dict(json.loads(json.dumps(p.to_dict())))
    assert q.notes_ == p.notes_
    d = p.to_dict()
    del d["notes"]                 # a dict from before the notes: none
    assert TabularPreprocessor.from_dict(d).notes_ == {}


def test_pandas_missing_values_of_string_and_object_columns_are_missing():
    """Trial 15 (preprocess fixer's note): pandas' NA in a "string" column became the text
    '<NA>', a category of its own, instead of a missing value; in an object column of numbers
    it made the column text."""
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"c": pd.Series(["a", None, "b", "a"] * 10, dtype="string"),
                       "n": pd.Series([1.5, pd.NA, 2.0, 3.0] * 10, dtype=object),
                       "y": [0, 1] * 20})
    p = TabularPreprocessor().fit(df, target="y")
    c, n = p.columns_
    assert c["categories"] == ["a", "b"] and c["missing_category"]
    assert n["kind"] == "numeric" and n["indicator"]


def test_bool_columns_with_and_without_missing_values_encode_alike():
    """Trial 15/L findings 1, 2 and 4: a bool column fitted without missing values crashed at
    transform once a value was missing (Python bools read as the text 'True'); fitted with
    one, a clean bool column at transform was encoded all zeros (its '1'/'0' matched no
    'True'/'False' category); a datetime column's error named no column."""
    pd = pytest.importorskip("pandas")
    clean = pd.DataFrame({"b": [True, False, True, False], "k": [0.0, 1, 2, 3]})
    holed = pd.DataFrame({"b": [True, None, False, True], "k": [0.0, 1, 2, 3]})
    nullable = pd.DataFrame({"b": pd.array([True, None, False, True], dtype="boolean"),
                             "k": [0.0, 1, 2, 3]})
    p = TabularPreprocessor().fit(clean)
    out = p.transform(holed)
    assert np.isfinite(out).all()
    b = p.transform(clean)[:, 0]            # True rows 0 and 2, False rows 1 and 3
    np.testing.assert_array_equal(out[[0, 2, 3], 0], b[[0, 1, 2]])
    np.testing.assert_array_equal(p.transform(nullable), out)
    q = TabularPreprocessor().fit(holed)
    assert q.columns_[0]["kind"] == "numeric" and q.columns_[0]["indicator"]
    facts = []
    z = q.transform(clean, report=facts)
    assert facts == [] and len(np.unique(z[:, 0])) == 2   # True and False apart, no 'unseen'
    with pytest.raises(TypeError, match=r"column 'd': unsupported column dtype datetime64.*"
                                        r"derive numbers"):
        TabularPreprocessor().fit(pd.DataFrame({"d": pd.to_datetime(["2020-01-01",
                                                                     "2020-02-01"]),
                                                "k": [1.0, 2]}))


def test_a_target_encoder_dict_of_an_unknown_kind_says_it_is_the_label_encoders():
    """Trial 16 review: every message of TargetEncoder.from_dict but this one said what it
    was reading."""
    d = TargetEncoder().fit(np.array(["a", "b"])).to_dict()
    d["kind"] = "complex"
    with pytest.raises(ValueError, match=r"^label encoder dict: unknown label kind 'complex'$"):
        TargetEncoder.from_dict(d)


def test_dataframe_duplicate_columns_are_named_once_in_their_order():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame([[1, 2, 3, 4, 5]], columns=["z", "a", "z", "a", "z"])
    with pytest.raises(ValueError, match=r"duplicate column name\(s\) \['z', 'a'\]; column "
                                         r"names must be unique"):
        TabularPreprocessor().fit(df)


def test_the_reader_and_pandas_names_of_a_blank_header_column_are_index_columns(tmp_path):
    """The names are written once, beside the reader (UNNAMED_COLUMN, PANDAS_UNNAMED): the
    column the reader names with a blank header is the one the preprocessor takes for a row
    index, under its name and pandas' for it."""
    from glassnet.data import read_csv
    from glassnet.data.tabular import PANDAS_UNNAMED, UNNAMED_COLUMN
    from glassnet.preprocess import _UNNAMED
    p = tmp_path / "idx.csv"
    p.write_text(",,x\n0,a,1\n1,b,2\n")
    names = list(read_csv(p).columns)
    assert names[:2] == ["unnamed_0", "unnamed_1"]
    for name in names[:2]:
        j = UNNAMED_COLUMN.fullmatch(name).group(1)
        assert _UNNAMED.match(name) and _UNNAMED.match(f"Unnamed: {j}")
        assert PANDAS_UNNAMED.fullmatch(f"Unnamed: {j}").group(1) == j
    assert not _UNNAMED.match("x") and not _UNNAMED.match("unnamed_x")


def test_a_bool_beside_a_missing_marker_is_its_number_at_fit_and_transform():
    """A property-based test's finding: ``{"x": ["", False]}`` (a dict of lists, or a
    DataFrame of dtype object) was read as the text 'False' beside a missing value and
    refused in a numeric column, where ``[None, False]`` was read as ``[NaN, 0]``."""
    pd = pytest.importorskip("pandas")
    p = TabularPreprocessor().fit({"x": [1.0, None, 0.0, 2.0], "k": [0.0, 1, 2, 3]})
    expected = p.transform({"x": [None, 0.0, 1.0], "k": [0.0] * 3})
    for cells in ([None, False, True], ["", False, True], ["NA", np.False_, True],
                  [" ", 0, True], ["?", "0", True]):
        for rows in ({"x": cells, "k": [0.0] * 3},
                     pd.DataFrame({"x": cells, "k": [0.0] * 3}, dtype=object),
                     {"x": pd.Series(cells, dtype=object), "k": [0.0] * 3}):
            np.testing.assert_array_equal(p.transform(rows), expected, err_msg=repr(cells))
    # fitted on such a column, it is numeric with its missing value, as with None
    numeric = TabularPreprocessor().fit({"x": [None, 0.0, 1.0, 1.0], "k": [0.0, 1, 2, 3]})
    for cells in (["", False, True, True], ["NA", np.False_, np.True_, 1.0]):
        got = TabularPreprocessor().fit(
            pd.DataFrame({"x": cells, "k": [0.0, 1, 2, 3]}, dtype=object))
        assert got.columns_ == numeric.columns_, cells


@pytest.mark.parametrize("true, false", [("True", "False"), ("TRUE", "FALSE")])
def test_bools_match_the_true_and_false_categories_of_a_csv(tmp_path, true, false):
    """User trials: a column of True/False (or Excel's TRUE/FALSE) text in the training CSV is
    categorical, but the bools pandas reads it as, or a record's Python bool, were matched as
    the categories '1' and '0': every row unseen, the predictions wrong. A bool matches the
    category that is true or false in any case, however the bools are given."""
    pd = pytest.importorskip("pandas")
    from glassnet.data import read_csv
    flags = [true, false, false, true, "", false] * 5
    (tmp_path / "t.csv").write_text(
        "k,flag\n" + "".join(f"{i % 4},{f}\n" for i, f in enumerate(flags)))
    p = TabularPreprocessor().fit(read_csv(tmp_path / "t.csv"))
    assert p.columns_[1]["categories"] == [false, true]
    k = [0.0, 1.0, 2.0]
    expected = p.transform({"k": k, "flag": [true, false, None]})
    assert expected[:, 1:].tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 1]]
    for cells in ([True, False, None], [np.True_, np.False_, np.nan], ["True", False, "NA"],
                  pd.Series([True, False, None], dtype="boolean")):
        report = []
        got = p.transform(pd.DataFrame({"k": k, "flag": cells}), report=report)
        np.testing.assert_array_equal(got, expected, err_msg=repr(cells))
        assert report == [], cells
        np.testing.assert_array_equal(p.transform({"k": k, "flag": cells}), expected)
    read = pd.read_csv(tmp_path / "t.csv")   # bools (and NaN), as pandas reads the text
    np.testing.assert_array_equal(p.transform(read), p.transform(read_csv(tmp_path / "t.csv")))
    present = read.dropna().astype({"flag": bool})
    assert present["flag"].dtype == bool
    np.testing.assert_array_equal(p.transform(present), p.transform(read)[present.index])


def test_bools_match_the_categories_1_and_0_else_are_unseen():
    """A bool column made categories (categorical=) has the categories '1' and '0', which
    bools still match; where no category says true or 1, a bool is an unseen category,
    shown as the bool it is."""
    numbers = TabularPreprocessor(categorical=["b"]).fit(
        {"b": np.array([True, False, True, True]), "k": [0.0, 1, 2, 3]})
    assert numbers.columns_[0]["categories"] == ["0", "1"]
    np.testing.assert_array_equal(numbers.transform({"b": [False, None], "k": [0.0, 1.0]}),
                                  numbers.transform({"b": [0.0, np.nan], "k": [0.0, 1.0]}))
    words = TabularPreprocessor().fit({"b": ["yes", "no", "yes", "no"], "k": [0.0, 1, 2, 3]})
    report = []
    out = words.transform({"b": [True, False, None], "k": [0.0] * 3}, report=report)
    assert not out[:, :2].any()
    assert report[0]["issue"] == "unseen" and report[0]["values"] == ["True", "False"]


def test_a_bool_beside_other_text_is_its_text_and_matches_that_category():
    """A bool is a number only beside missing values and numbers: beside other text
    (``["u", True]``) it is the text 'True', as it was before bools beside missing markers
    became numbers, so that it matches a 'True' category rather than an unseen '1'."""
    pd = pytest.importorskip("pandas")
    p = TabularPreprocessor().fit({"c": ["u", "True", "False", "u"], "k": [0.0, 1, 2, 3]})
    expected = p.transform({"c": ["u", "True", "False"], "k": [0.0] * 3})
    for rows in ({"c": ["u", True, np.False_], "k": [0.0] * 3},
                 pd.DataFrame({"c": ["u", True, False], "k": [0.0] * 3}, dtype=object)):
        report = []
        np.testing.assert_array_equal(p.transform(rows, report=report), expected)
        assert report == []
    # in a numeric column, the word is what is refused
    q = TabularPreprocessor().fit({"x": [0.0, 1.0, 2.0, 1.0], "k": [0.0, 1, 2, 3]})
    with pytest.raises(ValueError, match="'u'"):
        q.transform({"x": ["u", True], "k": [0.0, 0.0]})


def test_a_pandas_category_column_of_numbers_is_categorical():
    """pandas' category dtype is the user saying so: a column of numbers of that dtype was
    standardized as a number. It is one-hot encoded, as with categorical= (and as
    scikit-learn's categorical_features="from_dtype" reads it), and the same numbers given
    plainly (a CSV's) or with the dtype match the categories."""
    pd = pytest.importorskip("pandas")
    codes = [1, 2, 3, 1, 2, 2, 3, 1] * 3
    k = np.arange(len(codes)) % 5 * 1.0
    frame = pd.DataFrame({"g": pd.Categorical(codes), "k": k})
    by_dtype = TabularPreprocessor().fit(frame)
    asked = TabularPreprocessor(categorical=["g"]).fit({"g": codes, "k": k})
    assert by_dtype.columns_ == asked.columns_
    assert by_dtype.feature_names_out[:3] == ["g=1", "g=2", "g=3"]
    expected = asked.transform({"g": [3, 1, None], "k": [0.0] * 3})
    for g in (pd.Categorical([3, 1, None]), [3, 1, None], [3.0, 1.0, np.nan], ["3", "1", ""]):
        got = by_dtype.transform(pd.DataFrame({"g": g, "k": [0.0] * 3}))
        np.testing.assert_array_equal(got, expected, err_msg=repr(g))
    # a plain int column stays numeric; a category column dropped says why it was categories
    assert TabularPreprocessor().fit({"g": codes, "k": k}).columns_[0]["kind"] == "numeric"
    ids = TabularPreprocessor().fit(pd.DataFrame({"g": pd.Categorical(range(40)),
                                                  "k": np.arange(40) % 3}))
    assert "category dtype" in ids.dropped_["g"]


def _errors_csv(path):
    """A ',' file whose 'price' holds Excel's formula errors, four kinds, among numbers."""
    kinds = ["#REF!", "#DIV/0!", "#N/A", "#VALUE!"]
    rows = ["price,size,y"]
    for i in range(60):
        price = kinds[i // 5 % 4] if i % 5 == 3 else f"{100 + 7 * i % 90}.5"
        rows.append(f"{price},{i % 7},{'ab'[i % 2]}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path, kinds


def test_a_few_kinds_of_non_numbers_are_named_together(tmp_path, capsys):
    """Trial GG finding: Excel's #REF!, #DIV/0!, #N/A and #VALUE! in a numeric column were
    noted by the first alone (--na-values='#REF!'), one rerun per kind. The few distinct
    ones are named, the first with its line, and one --na-values reads them all; following
    it makes the column numeric."""
    from glassnet.cli import main
    from glassnet.data import read_csv
    from glassnet.preprocess import numeric_text_note
    data, kinds = _errors_csv(tmp_path / "errors.csv")
    t = read_csv(data)
    first = int(t.line_numbers[list(t["price"]).index("#REF!")])
    option = "--na-values='" + ",".join(kinds) + "'"
    note = numeric_text_note(t["price"], t.line_numbers)
    assert note == (f"48 of 60 values are numbers, but '#REF!' (line {first}), '#DIV/0!', "
                    f"'#N/A' and '#VALUE!' are not (12 values in all); it was read as text "
                    f"(if they mark missing values: {option}; in Python, read_csv(na_values="
                    f"{kinds!r}) or replace them with NaN)"), note
    out = tmp_path / "run"
    assert main(["train", str(data), "--target", "y", "--epochs", "1", "--out",
                 str(out)]) == 0
    stdout = capsys.readouterr().out
    assert option in stdout, stdout
    # the option as suggested (the shell removes the quotes) reads every kind as missing
    assert main(["train", str(data), "--target", "y", "--epochs", "1", "--out", str(out),
                 "--overwrite", "--na-values=" + ",".join(kinds)]) == 0
    stdout = capsys.readouterr().out
    assert "imputed price: 12 missing value(s)" in stdout, stdout
    assert np.isnan(read_csv(data, na_values=kinds)["price"]).sum() == 12


def test_non_numbers_named_together_only_where_one_option_reads_them():
    """The few-kinds note falls back to the first value alone where one --na-values cannot
    name them all: more than five kinds, a value holding ',' (the option's separator), a
    number only Python reads (1_5: to be rewritten, not read as missing), or one kind
    written with blanks around it (the same token)."""
    from glassnet.preprocess import numeric_text_note
    nums = ["1.5"] * 60
    six = _obj(*(nums + [f"e{k}" for k in range(6)]))
    assert "but 'e0' (row 60) is not (nor are 5 more); it was read as text (if it marks a " \
           "missing value: --na-values=e0;" in numeric_text_note(six)
    five = numeric_text_note(_obj(*(nums + [f"e{k}" for k in range(5)])))
    assert "'e0' (row 60), 'e1', 'e2', 'e3' and 'e4' are not (5 values in all)" in five, five
    assert "--na-values=e0,e1,e2,e3,e4;" in five, five
    comma = numeric_text_note(_obj(*(nums + ["n/a", "a, b"])))
    assert "'n/a' (row 60) is not (nor are 1 more)" in comma and "--na-values=n/a;" in comma
    under = numeric_text_note(_obj(*(nums + ["x", "1_5"])))
    assert "'x' (row 60) is not (nor are 1 more)" in under, under
    same = numeric_text_note(_obj(*(nums + ["#N/A", " #N/A "])))
    assert "'#N/A' (row 60) is not (nor are 1 more)" in same, same
    # beside formatted numbers, the clause says "numbers"
    money = numeric_text_note(_obj(*(["$1.50"] * 20 + ["-", "#N/A"])))
    assert ("; '-' (row 20) and '#N/A' are not numbers (2 values in all) (if they mark "
            "missing values: --na-values='-,#N/A';") in money, money


def _units_csv(path, other):
    """A ',' file with a column of quoted US thousands ("15,470", and 774 among them) and
    ``other``, a column whose values may show the file's decimal mark."""
    rows = ["units,other,k,y"]
    for i in range(40):
        units = f"{i % 9 + 1},{470 + i:03d}" if i % 4 else str(700 + i)
        rows.append(f'"{units}",{other(i)},{i % 3},{"ab"[i % 2]}')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("other, example", [
    (lambda i: f"{i}.5", "'0.5' in other"),                   # a number with decimals
    (lambda i: f'"${i + 1},148.78"', "'$1,148.78' in other"),  # an amount in a text cell
])
def test_thousands_commas_where_the_file_shows_the_decimal_point(tmp_path, other, example):
    """Trial GG finding: in a ',' file whose numbers show '.' as the decimal mark, a column
    of "15,470" was advised "if ',' is the decimal mark there, pass --decimal ,", which reads
    15.47. The note says ',' groups thousands there and to remove the separators; where
    nothing shows the mark (or an amount shows the decimal comma), the advice is as before."""
    from glassnet.data import read_csv
    from glassnet.preprocess import numeric_text_note
    t = read_csv(_units_csv(tmp_path / "u.csv", other))
    first = next(v for v in t["units"] if "," in v)        # '2,471': 2471
    reason = TabularPreprocessor().fit(t, target="y").dropped_["units"]
    assert (f"(e.g. {first!r}, line 3), so it was read as text: strip the symbols; ',' groups "
            f"thousands there, as other values show '.' as the decimal mark (e.g. {example}): "
            f"remove the separators ({first.replace(',', '')}); as text") in reason, reason
    assert "--decimal" not in reason, reason
    # the note of the whole file (as the command makes it) says so too
    note = numeric_text_note(t["units"], t.line_numbers, table=t)
    assert note.endswith(f"remove the separators ({first.replace(',', '')})"), note
    # nothing shows the mark (whole numbers, plain text), or '148,78 €' shows the comma
    for plain in (lambda i: str(i), lambda i: "word", lambda i: f'"{i},5 €"'):
        t = read_csv(_units_csv(tmp_path / "p.csv", plain))
        reason = TabularPreprocessor().fit(t, target="y").dropped_["units"]
        assert reason.split("; as text")[0].endswith(
            "; if ',' is the decimal mark there, pass --decimal , (read_csv(decimal=',') in "
            "Python)"), reason


def test_integer_categories_beyond_2_53_keep_their_exact_digits():
    """Fixer 16: integer categories (pandas' category dtype of 64-bit ids, or categorical=)
    were written through float64, where 2**53 + 1 is 2**53: two ids became one category, and
    12345678901234567 was named 1.2345678901234568e+16. Each is its own category, named by
    its digits, and matched at transform by them; a float of the same number (a CSV reader's)
    still matches it by value where only one category has that value."""
    pd = pytest.importorskip("pandas")
    ids = [2**53 + 1, 2**53, 12345678901234567]
    x = np.arange(9.0) % 4
    big = [2**64 - 1, 2**63, 5]   # uint64 beyond int64 too
    for frame, kw, values in (
            (pd.DataFrame({"c": pd.Series(ids * 3).astype("category"), "x": x}), {}, ids),
            ({"c": np.array(ids * 3, dtype=np.int64), "x": x}, {"categorical": ["c"]}, ids),
            ({"c": np.array(big * 3, dtype=np.uint64), "x": x}, {"categorical": ["c"]}, big)):
        p = TabularPreprocessor(**kw).fit(frame)
        cats = sorted(str(v) for v in values)
        assert p.columns_[0]["categories"] == cats
        X = p.transform(frame)
        assert X[:, :3].sum(axis=1).tolist() == [1.0] * 9
        assert X[:, :3].argmax(axis=1).tolist() == [cats.index(str(v)) for v in values * 3]
    # read as float64 (as the CSV reader reads numbers): a value only one id has matches it;
    # 2**53 could be 2**53 or 2**53 + 1, so it matches neither, and is reported unseen
    p = TabularPreprocessor(categorical=["c"]).fit({"c": np.array(ids * 3), "x": x})
    report = []
    X = p.transform({"c": np.array(ids, dtype=np.float64), "x": x[:3]}, report=report)
    cats = p.columns_[0]["categories"]
    assert X[2, :3].tolist() == [float(c == str(ids[2])) for c in cats]
    assert X[:2, :3].sum() == 0 and [f["issue"] for f in report] == ["unseen"]


def test_a_matrix_over_a_gibibyte_is_announced_before_it_is_allocated(monkeypatch):
    """Fixer 16: each text column is capped at 1,000 categories, but 20 columns of 900 made
    a 2.9 GB matrix silently (and more of them an out-of-memory error naming no column).
    matrix_note tells the size from fit alone, naming the widest one-hot columns;
    transform warns with it before allocating, and a MemoryError names them too."""
    import glassnet.preprocess as pp
    from glassnet.preprocess import MatrixSizeWarning
    rng = np.random.default_rng(0)
    n, widths = 1200, {"a": 100, "b": 300, "c": 200}
    table = {name: np.array([f"v{j}" for j in range(k)], dtype=object)[
        np.arange(n) % k] for name, k in widths.items()}
    table["x"] = rng.normal(size=n)
    p = TabularPreprocessor().fit(table)
    width = sum(widths.values()) + 1
    assert p.n_features_out == width
    assert p.matrix_note(1000) is None   # 2.4 MB: nothing to say
    rows = 10**6   # 601 float32 inputs of a million rows: 2.4 GB
    note = p.matrix_note(rows)
    assert note.startswith(f"the input matrix is large: {width:,} inputs, "
                           f"{rows * width * 4 / 1e9:.1f} GB for {rows:,} rows in float32, "
                           f"{width - 1:,} of them one-hot encoded columns b 300, c 200, a "
                           f"100; leave some columns out (--drop b; drop=['b'] in Python)"), note
    # numbers only, in float64: no column to name; float32 halves it
    wide = TabularPreprocessor(dtype="float64").fit({f"x{j}": rng.normal(size=4)
                                                     for j in range(3)})
    note64 = wide.matrix_note(10**8)
    assert "--drop COLUMN" in note64 and "--dtype float32" in note64, note64
    assert wide.matrix_note(10**7) is None   # 240 MB

    # transform: the warning comes before the allocation, which a MemoryError names
    monkeypatch.setattr(pp, "_BIG_MATRIX", 1000)
    zeros = np.zeros

    def no_memory(shape, *args, **kwargs):
        if tuple(shape) == (n, width):
            raise MemoryError(f"Unable to allocate an array with shape {shape}")
        return zeros(shape, *args, **kwargs)

    monkeypatch.setattr(np, "zeros", no_memory)
    with pytest.warns(MatrixSizeWarning, match=r"b 300, c 200, a 100") as caught, \
            pytest.raises(MemoryError, match=r"^the input matrix does not fit in memory: "
                                             r"601 inputs, .* b 300, c 200, a 100; leave"):
        p.transform(table)
    assert str(caught[0].message) == p.matrix_note(n)
    # a fitted model's input (fitting=False): its columns are fixed, fewer rows is the advice
    with pytest.warns(MatrixSizeWarning) as caught, \
            pytest.raises(MemoryError, match=r"b 300, c 200, a 100; give fewer rows at a time"):
        p.transform(table, fitting=False)
    assert str(caught[0].message) == p.matrix_note(n, fitting=False)
    assert caught[0].filename == __file__   # the user's line, not the library's


def test_a_bool_column_fitted_as_numbers_reads_the_true_and_false_text_of_its_csv(tmp_path):
    """Finding: fitted on a DataFrame's bool column (numbers 0 and 1), the preprocessor refused
    the text True/False of the CSV the frame came from (glassnet's reader, a dict of strings):
    a model prepared in Python could not predict on that file. A column fitted on 0 and 1 only
    reads true/false text in any case as 1/0; other columns, and specs saved before the
    preprocessor recorded that, refuse it as before."""
    pd = pytest.importorskip("pandas")
    from glassnet.data import read_csv
    from glassnet.preprocess import TextInNumericColumnError
    flags = [True, False, False, True, True, False] * 4
    frame = pd.DataFrame({"k": [float(i % 5) for i in range(len(flags))], "flag": flags})
    assert frame["flag"].dtype == bool
    p = TabularPreprocessor().fit(frame)
    assert p.columns_[1]["kind"] == "numeric"
    k = [0.0, 1.0, 2.0, 3.0]
    expected = p.transform(pd.DataFrame({"k": k, "flag": [True, False, True, False]}))
    path = tmp_path / "new.csv"
    path.write_text("k,flag\n0,True\n1,False\n2,TRUE\n3,false\n")
    np.testing.assert_array_equal(p.transform(read_csv(path)), expected)
    np.testing.assert_array_equal(p.transform(pd.read_csv(path)), expected)
    for cells in (["True", "False", "true", "FALSE"], [" True", "false ", "tRuE", "False"]):
        np.testing.assert_array_equal(p.transform({"k": k, "flag": cells}), expected,
                                      err_msg=repr(cells))
    # a missing value beside the text is missing, as beside the bools
    np.testing.assert_array_equal(p.transform({"k": k[:2], "flag": ["True", ""]}),
                                  p.transform({"k": k[:2], "flag": [True, None]}))
    # the field travels through the saved dict (JSON), and other text is still refused
    again = TabularPreprocessor.from_dict(json.loads(json.dumps(p.to_dict())))
    np.testing.assert_array_equal(again.transform(read_csv(path)), expected)
    for bad in ("yes", "1.0x", "Truee"):
        with pytest.raises(TextInNumericColumnError):
            p.transform({"k": [0.0], "flag": [bad]})
    # a column of other numbers (0, 1, 2) is no bool column: 'True' stays text there
    counts = TabularPreprocessor().fit({"n": [0.0, 1.0, 2.0, 1.0], "k": [0.0, 1, 2, 3]})
    with pytest.raises(TextInNumericColumnError, match="'True'"):
        counts.transform({"n": ["True"], "k": [0.0]})
    # a spec saved before the field existed loads, and refuses the text as it did
    old = p.to_dict()
    for s in old["columns"]:
        s.pop("binary", None)
    before = TabularPreprocessor.from_dict(old)
    np.testing.assert_array_equal(before.transform(frame), p.transform(frame))
    with pytest.raises(TextInNumericColumnError, match="'True' at line 2"):
        before.transform(read_csv(path))


def test_pandas_missing_markers_beside_numbers_are_missing_in_memory_too():
    """Rows given in memory read #N/A and None beside numbers as missing, as the CSV reader
    does (predict on records equals predict on the file); a column fitted numeric reads
    them as missing at transform even where they are all a file's column holds."""
    records = {"a": ["1.5", "None", "2", "#N/A", "3"], "c": ["x", "None", "y", "x", "y"]}
    pre = TabularPreprocessor().fit(records)
    spec = {c["name"]: c for c in pre.columns_}
    assert spec["a"]["kind"] == "numeric" and spec["c"]["kind"] == "categorical"
    assert "None" in spec["c"]["categories"]
    X = pre.transform({"a": ["<NA>", "-1.#IND"], "c": ["x", "None"]})
    np.testing.assert_array_equal(X, pre.transform({"a": [None, None], "c": ["x", "None"]}))


def test_keep_uses_columns_the_rules_would_drop():
    """Defaults trial: a unique integer per row that drove the target (an arrival order)
    and a text column of 1,500 store codes were dropped with no way to keep them."""
    n = 6000
    r = np.random.default_rng(0)
    order = r.permutation(n) + 1.0
    stores = np.array([f"S{i % 1500:04d}" for i in range(n)], dtype=object)
    table = {"minute": order, "store": stores, "k": np.full(n, 2.0), "x": r.normal(size=n),
             "y": order % 3}
    auto = TabularPreprocessor().fit(table, "y")
    assert set(auto.dropped_) == {"minute", "store", "k"}
    assert auto.dropped_["store"].endswith("(> 1000, one input each)")
    pre = TabularPreprocessor(keep=["minute", "store", "k"]).fit(table, "y")
    spec = {c["name"]: c for c in pre.columns_}
    assert spec["minute"]["kind"] == "numeric" and len(spec["store"]["categories"]) == 1500
    assert list(pre.dropped_) == ["k"]     # constant: nothing to learn, kept or not
    assert pre.dropped_["k"] == ("constant (every value is 2); asked to keep, but it holds "
                                 "nothing to learn")
    assert pre.transform(table).shape == (n, 1 + 1500 + 1)
    again = TabularPreprocessor.from_dict(pre.to_dict())
    assert again.columns_ == pre.columns_ and again.dropped_ == pre.dropped_
    np.testing.assert_array_equal(again.transform(table), pre.transform(table))
    assert "keep" not in pre.to_dict()["params"]    # as glassnet 0.2.0 wrote (and reads)
    with pytest.raises(ValueError, match="keep= and drop= both name"):
        TabularPreprocessor(keep="minute", drop=["minute"])
    with pytest.raises(ValueError, match="keep= names column"):
        TabularPreprocessor(keep=["minutes"]).fit(table, "y")


def test_a_marker_category_met_as_missing_names_pandas_reading():
    """Trial AE: a DataFrame from pandas' read_csv made the category 'None' NaN, and the
    warning said only that training had no missing value."""
    pre = TabularPreprocessor().fit({"c": ["x", "None", "y", "x"], "k": [1.0, 2.0, 3.0, 4.0]})
    facts = []
    pre.transform({"c": [None, "x"], "k": [1.0, 2.0]}, report=facts)
    assert facts[0]["action"] == ("encoded as all zeros (no category); 'None' is a category "
                                  "of it, which pandas' read_csv reads as missing unless "
                                  "keep_default_na=False")
    facts = []
    TabularPreprocessor().fit({"c": ["x", "y"], "k": [1.0, 2.0]}).transform(
        {"c": [None], "k": [1.0]}, report=facts)
    assert facts[0]["action"] == "encoded as all zeros (no category)"


def test_pandas_corners_of_missing_markers_trial_aq(tmp_path):
    """Trial AQ: a pandas category column with a 'None' category was read as numbers
    (02134 and 2134 merged); markers that training had as missing met as text say so;
    read_csv refuses pandas' per-column na_values dict (its keys became tokens) and takes
    one marker_text_columns name whole; fit explains a target that is no column name."""
    pd = pytest.importorskip("pandas")
    from glassnet.data import read_csv
    df = pd.DataFrame({"zip": pd.Categorical(["02134", "2134", "10001", "None"] * 8),
                       "v": np.arange(32) * 0.1, "y": np.arange(32) % 2})
    names = TabularPreprocessor().fit(df, target="y").feature_names_out
    assert [f for f in names if f.startswith("zip")] == [
        "zip=02134", "zip=10001", "zip=2134", "zip=None"]
    df["zip"] = pd.Categorical(["02134", "2134", "NA", "02134"] * 8)   # NA: missing, as read
    names = TabularPreprocessor().fit(df, target="y").feature_names_out
    assert [f for f in names if f.startswith("zip")] == ["zip=02134", "zip=2134",
                                                         "zip=<missing>"]
    pre = TabularPreprocessor().fit({"t": ["red", None, "green", None], "k": [1.0, 2, 3, 4]})
    facts = []
    pre.transform({"t": ["None", "red"], "k": [1.0, 2.0]}, report=facts)
    assert facts[0]["action"].endswith("; the training rows had 'None' as missing values "
                                       "(pandas' read_csv reads them so): read both the same "
                                       "way")
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,a\n-999,b\nNone,c\n")
    with pytest.raises(TypeError, match="a dict of columns"):
        read_csv(path, na_values={"a": ["-999"]})
    assert list(read_csv(path, marker_text_columns="a")["a"]) == ["1", "-999", "None"]
    with pytest.raises(TypeError, match="target is the name of the table's target column"):
        TabularPreprocessor().fit(df, df["y"])
