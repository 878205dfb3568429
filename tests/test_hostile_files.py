"""Model files from strangers (trial X): a crafted estimator or `glassnet train` file, its
checksum recomputed so that only the loaders can object, is refused with one clear error
naming the file, before it allocates more than its bytes suggest; never a raw traceback."""
import copy
import json
import re
import tracemalloc

import numpy as np
import pytest

import glassnet as gn
from glassnet.cli import main
from glassnet.io import ModelFileError
from glassnet.preprocess import TabularPreprocessor, TargetEncoder
from glassnet.sklearn import GlassClassifier, GlassRegressor

import _modelfile as mf

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def crafted(src, dst, edit):
    """``src`` with ``edit(header["extra"])`` applied, written to ``dst``."""
    dst.write_bytes(mf.edit_header(src, lambda header: edit(header["extra"])))
    return dst


# -- the scikit-learn estimators' section ------------------------------------------------------

@pytest.fixture(scope="module")
def estimator_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("estimator")
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = np.where(X[:, 0] > 0, "yes", "no")
    clf = GlassClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0).fit(X, y)
    clf.save(folder / "clf.gnet")
    return folder / "clf.gnet", clf, X


def _fitted(edit):
    return lambda extra: edit(extra["glassnet.sklearn"]["fitted"])


@pytest.mark.parametrize("values, dtype", [
    ([0], "(4000,4000)f8"),            # 128 MB for one element
    ([0] * 10, "(16000,16000)f8"),     # 19 GiB: a raw MemoryError before
    ([0], "(100000,100000)f8"),        # beyond a C int: a raw ValueError before
    ([0], "V8"), ([0], "S4"), ([0, 0], "i4,i4"), ([0], 5), ([0], "not a dtype"),
])
def test_an_array_dtype_save_never_writes_is_refused_before_allocating(
        estimator_file, tmp_path, values, dtype):
    """Finding 1: the fitted arrays' dtype string went straight to np.dtype, so a 2.8 KB file
    with a subarray dtype allocated gigabytes before its shape was checked."""
    path, _, _ = estimator_file
    bomb = crafted(path, tmp_path / "bomb.gnet", _fitted(lambda f: f.__setitem__(
        "x_mean_", {"__ndarray__": values, "dtype": dtype})))
    assert bomb.stat().st_size < 10_000
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match=r"bomb\.gnet: its scikit-learn estimator "
                                                 r"section is damaged \(an array's dtype"):
            GlassClassifier.load(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20


def test_a_wide_str_dtype_is_read_at_its_values_width(estimator_file, tmp_path):
    """A str dtype is the one kind whose width is not its values': "<U100000000" made each
    label 400 MB. The labels load at their own width; values that are not str are refused."""
    path, clf, X = estimator_file
    wide = crafted(path, tmp_path / "wide.gnet", _fitted(
        lambda f: f["classes_"].__setitem__("dtype", "<U100000000")))
    tracemalloc.start()
    try:
        est = GlassClassifier.load(wide)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20
    assert est.classes_.tolist() == clf.classes_.tolist() == ["no", "yes"]
    np.testing.assert_array_equal(est.predict(X), clf.predict(X))
    for values in ([0, 1], [["no"], ["yes"]], "no"):
        bad = crafted(path, tmp_path / "bad.gnet", _fitted(
            lambda f: f["classes_"].__setitem__("__ndarray__", values)))
        with pytest.raises(ModelFileError, match="must be a list of str values"):
            GlassClassifier.load(bad)
    narrow = crafted(path, tmp_path / "narrow.gnet", _fitted(   # truncating "yes" to "y"
        lambda f: f["classes_"].__setitem__("dtype", "<U1")))
    with pytest.raises(ModelFileError, match="longer than its 1 characters"):
        GlassClassifier.load(narrow)


@pytest.mark.parametrize("name", ["predict", "fit", "__dict__", "model_", "_optimizer",
                                  "random_state"])
def test_only_the_fitted_attributes_save_writes_are_set(estimator_file, tmp_path, name):
    """Finding 1: any key under "fitted" was setattr on the estimator (predict = 5 loaded,
    then predict(X) failed with "'int' object is not callable")."""
    path, _, _ = estimator_file
    bad = crafted(path, tmp_path / "attr.gnet", _fitted(lambda f: f.__setitem__(name, 5)))
    with pytest.raises(ModelFileError, match=f"it sets '{name}', not a fitted attribute "
                                             f"GlassClassifier.save writes"):
        GlassClassifier.load(bad)


def test_every_attribute_save_writes_loads_back(tmp_path):
    """The allow-list is what save() writes, for both estimators (all their optional parts:
    standardized targets, moments, history, the random state)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 2))
    for est, y in ((GlassRegressor(hidden_layer_sizes=(3,), epochs=2, random_state=0,
                                   early_stopping=True), X @ [1.0, -2.0]),
                   (GlassClassifier(hidden_layer_sizes=(3,), epochs=2, random_state=0),
                    (X[:, 0] > 0).astype(int))):
        est.fit(X, y)
        est.save(tmp_path / "e.gnet")
        back = type(est).load(tmp_path / "e.gnet")
        header = mf.split((tmp_path / "e.gnet").read_bytes())[0]
        fitted = header["extra"]["glassnet.sklearn"]["fitted"]
        assert {"x_mean_", "_x_moments", "history_", "_rng_state"} <= set(fitted)
        np.testing.assert_array_equal(back.predict(X), est.predict(X))


def test_an_overflowing_history_epoch_is_a_model_file_error(estimator_file, tmp_path):
    """Finding 1: history_.epoch = [1e400] raised a raw OverflowError (int(inf))."""
    path, _, _ = estimator_file
    bad = crafted(path, tmp_path / "inf.gnet", _fitted(
        lambda f: f["history_"].__setitem__("epoch", [1e400])))
    with pytest.raises(ModelFileError, match=r"inf\.gnet: .*damaged \(OverflowError"):
        GlassClassifier.load(bad)


# -- `glassnet train` files: the preprocessing in ``extra`` --------------------------------------

@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trained")
    assert main(["train", "titanic", "--epochs", "1", "--quiet", "--out",
                 str(folder / "run")]) == 0
    return folder / "run" / "model.gnet"


def _columns(extra):
    return extra["preprocessor"]["columns"]


DAMAGED = [  # (edit of extra, what the message names)
    (lambda e: _columns(e).__setitem__(0, 1), r"columns\[0\] must be a dict with a str name"),
    (lambda e: e["preprocessor"].__setitem__("columns", "abc"), "columns must be a list"),
    (lambda e: e["preprocessor"].__setitem__("notes", [1, 2]), "notes must be a dict"),
    (lambda e: e["preprocessor"].__setitem__("dropped", [[1, 2]]), "dropped must be a dict"),
    (lambda e: e["preprocessor"].__setitem__("params", 5), "params must be a dict"),
    (lambda e: e["preprocessor"]["params"].__setitem__("colour", 1), "bad params"),
    (lambda e: _columns(e)[1].__setitem__("categories", None),
     "column 'Sex' needs a list of str categories"),
    (lambda e: _columns(e)[0].__setitem__("median", 10**400),
     "column 'Pclass' has median .* beyond float64's range"),
    (lambda e: _columns(e)[0].__setitem__("mean", "0.5"),
     "column 'Pclass' needs a number as its mean"),
    (lambda e: _columns(e)[0].__setitem__("indicator", None),
     "column 'Pclass' needs true or false as its indicator"),
    (lambda e: e["target_encoder"].__setitem__("classes", [0, 2**70]), "does not fit its kind"),
    (lambda e: e["target_encoder"].__setitem__("classes", [-1, 2**64]), "does not fit its kind"),
    (lambda e: e["target_encoder"].__setitem__("classes", 7), "classes must be a non-empty"),
    (lambda e: e["target_encoder"].__setitem__("classes", [0]),   # the network has 1 output
     r"the network has 1 output\(s\) but its label encoder holds 1 class\(es\)"),
    (lambda e: e["target_encoder"].__setitem__("classes", [0, 1, 2]),
     r"the network has 1 output\(s\) but its label encoder holds 3 class\(es\)"),
]


@pytest.mark.parametrize("edit, problem", DAMAGED)
def test_damaged_stored_preprocessing_is_one_line_naming_the_file(trained, tmp_path, capsys,
                                                                  edit, problem):
    """Findings 3 and 6: predict, evaluate and explain crashed with raw AttributeError or
    OverflowError tracebacks (explain said only "'NoneType' object is not iterable"), and a
    one-class encoder for two outputs failed at predict time with "codes must be in 0..0";
    load_trained raised the raw errors too."""
    bad = crafted(trained, tmp_path / "bad.gnet", edit)
    expected = rf"bad\.gnet: the stored preprocessing is damaged \(.*{problem}"
    for args in (["predict", str(bad), "titanic", "--out", str(tmp_path / "p.csv")],
                 ["evaluate", str(bad), "titanic"],
                 ["explain", "--model", str(bad), "--data", "titanic"]):
        assert main(args) == 2, args
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and err.startswith("glassnet: error: "), args
        assert re.search(expected, err), (args, err)
    with pytest.raises(ValueError, match=expected) as info:
        gn.load_trained(bad)
    assert type(info.value) is ValueError


@pytest.mark.parametrize("names", [5, ["only one"], [1, 2], None])
def test_unusable_class_display_names_are_ignored(trained, tmp_path, capsys, names):
    """Finding 6: class_display_names = 5 made evaluate fail with "'int' object is not
    subscriptable" and explain with "object of type 'int' has no len()". Names that are not
    one str per class are no names: the classes' labels show instead."""
    bad = crafted(trained, tmp_path / "names.gnet",
                  lambda e: e.__setitem__("class_display_names", names))
    assert main(["evaluate", str(bad), "titanic"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("per class"):].splitlines()
    assert [row.split()[0] for row in table[1:3]] == ["0", "1"]
    assert main(["explain", "--model", str(bad), "--data", "titanic", "--rows", "2"]) == 0
    assert "target: 'Survived' = [0, 1]" in capsys.readouterr().out
    # the file's own names, one per class, are shown as before
    assert main(["evaluate", str(trained), "titanic"]) == 0
    assert "0 (died)" in capsys.readouterr().out


# -- the dicts themselves ------------------------------------------------------------------------

def _encoder(kind, classes):
    return {"format": "glassnet.TargetEncoder", "version": 1, "kind": kind, "classes": classes}


@pytest.mark.parametrize("kind, classes, problem", [
    ("bool", ["a", "b"], r"class 'a' does not fit its kind 'bool'"),   # became [True, True]
    ("float", [None, 1], r"class None does not fit its kind 'float'"),  # became a nan class
    ("float", [0.5, float("nan")], r"class nan does not fit its kind 'float'"),
    ("float", [1.0, 10**400], r"does not fit its kind 'float'"),
    ("str", ["a", 1], r"class 1 does not fit its kind 'str'"),
    ("int", [0, 1.5], r"class 1.5 does not fit its kind 'int'"),
    ("int", [True, 2], r"class True does not fit its kind 'int'"),
    ("int", [1, 1], r"unique and sorted, but 1 follows 1"),
    ("bool", [True, True], r"unique and sorted, but True follows True"),
    ("float", [0.0, -0.0], r"unique and sorted"),
    ("str", ["b", "a"], r"unique and sorted, but 'a' follows 'b'"),
    ("int", [-1, 2**63], r"fit neither int64 nor uint64"),
    ("int", [], r"non-empty list"),
    ("complex", [1, 2], r"unknown label kind 'complex'"),
])
def test_a_target_encoder_dict_with_odd_classes_is_refused(kind, classes, problem):
    """Finding 9: duplicate, NaN and unconvertible classes were accepted (kind "bool" with
    ["a", "b"] became [True, True]: two columns proba_True and proba_True_)."""
    with pytest.raises(ValueError, match=problem):
        TargetEncoder.from_dict(_encoder(kind, classes))


def test_what_fit_stores_still_loads():
    """The dict of an encoder fitted on each label kind (object strings, bools, signed ints,
    floats with an infinity, uint64 past int64) survives JSON and gives the same encoder."""
    for y in (np.array(["b", "a", "b"], dtype=object), np.array([True, False]),
              np.array([3, -7, 3]), np.array([0.5, -np.inf, 2.0]),
              np.array([2**63 + 10, 5], dtype=np.uint64)):
        enc = TargetEncoder().fit(y)
        back = TargetEncoder.from_dict(json.loads(json.dumps(enc.to_dict())))
        assert back.kind_ == enc.kind_ and back.classes_.dtype == enc.classes_.dtype
        assert back.classes_.tolist() == enc.classes_.tolist()
        assert back.transform(y).tolist() == enc.transform(y).tolist()


def test_a_preprocessor_dict_names_its_bad_entry():
    """from_dict checks each entry's type itself, so every caller gets a ValueError (not an
    AttributeError from s.get on an int) that says which entry is wrong."""
    from glassnet.data.tabular import Table
    fitted = TabularPreprocessor().fit(Table({"x": np.arange(10.0), "c": ["a", "b"] * 5}))
    d = fitted.to_dict()
    assert TabularPreprocessor.from_dict(json.loads(json.dumps(d))).feature_names_out == \
        fitted.feature_names_out
    for edit, problem in (
            (lambda d: d["columns"].append("x"), r"columns\[2\] must be a dict"),
            (lambda d: d["columns"][0].__setitem__("name", 3), r"columns\[0\] must be a dict "
                                                               r"with a str name, got"),
            (lambda d: d["columns"][1].__setitem__("categories", [1, 2]),
             "column 'c' needs a list of str categories"),
            (lambda d: d["columns"][1].__setitem__("missing_category", "no"),
             "needs true or false as its missing_category"),
            (lambda d: d.__setitem__("target", 5), "target must be a str or None"),
            (lambda d: d.__setitem__("feature_names_out", 5), "feature_names_out does not"),
            (lambda d: d["notes"].__setitem__("x", 5), "notes must be a dict")):
        bad = copy.deepcopy(d)
        edit(bad)
        with pytest.raises(ValueError, match=problem):
            TabularPreprocessor.from_dict(bad)
