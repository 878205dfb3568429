"""Core fixes of round 16 (trials S, R, X, Y) not at home in another file: a Dense with a list
``init`` saves and loads (checkpoints too, and the list inits earlier releases wrote, while an
init no release wrote is refused); resume's refusals (a model file; a validated run resumed
without validation); lr=0 taken by the optimizers and a schedule resumed from it; a NaN metric
that warns; duplicate DataFrame columns refused, and duplicate stored feature names dropped
with a warning; the NaN error naming its column; a node's backward checking dy's shape; and an
empty array of a huge shape in a model file refused."""
import math
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim
from glassnet.io import ModelFileError, load_model, resume
from glassnet.metrics import UndefinedMetricWarning

import _modelfile as mf

pd = pytest.importorskip("pandas")

OR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
OR_Y = np.array([0, 1, 1, 1.0])


def glass_box():
    """The README's glass-box model: explicit initial weights, given as a list."""
    return gn.Sequential([gn.Dense(2, 1, init=[[0.1], [0.6]]), gn.Sigmoid()], dtype="float64")


def moons():
    return gn.data.make_moons(120, noise=0.2, seed=0)


def small(seed=0):
    return gn.Sequential([gn.Dense(2, 8, activation="relu"), gn.Dense(8, 1), gn.Sigmoid()],
                         seed=seed)


# -- S1: a Dense with explicit initial weights as a list -----------------------------------

@pytest.mark.parametrize("init", [[[0.1], [0.6]], ((0.1,), (0.6,)), [0.1, 0.6]])
def test_a_dense_with_a_list_init_saves_and_loads(tmp_path, init):
    m = gn.Sequential([gn.Dense(2, 1, init=init), gn.Sigmoid()], dtype="float64")
    np.testing.assert_array_equal(m.layers[0].params["W"], [[0.1], [0.6]])
    m.save(tmp_path / "or.gnet")
    back = gn.load(tmp_path / "or.gnet")
    np.testing.assert_array_equal(back.layers[0].params["W"], m.layers[0].params["W"])
    np.testing.assert_array_equal(back.predict_proba(OR_X), m.predict_proba(OR_X))


def test_a_dense_with_a_name_init_keeps_it_in_the_file(tmp_path):
    m = gn.Sequential([gn.Dense(2, 3, init="he"), gn.Dense(3, 1)], seed=0)
    m.save(tmp_path / "m.gnet")
    assert load_model(tmp_path / "m.gnet").layers[0].init == "he"


def test_checkpoints_of_a_list_init_run_resume_as_straight_through(tmp_path):
    kw = dict(loss=gn.MSE(half=True), batch_size=None, verbose=0)
    straight = glass_box()
    straight.fit(OR_X, OR_Y, optimizer=gn.SGD(lr=1.0), epochs=6, **kw)
    first = glass_box()
    first.fit(OR_X, OR_Y, optimizer=gn.SGD(lr=1.0), epochs=3,
              callbacks=[gn.ModelCheckpoint(tmp_path / "ck.gnet")], **kw)
    r = resume(tmp_path / "ck.gnet", OR_X, OR_Y, epochs=6, batch_size=None, verbose=0)
    np.testing.assert_array_equal(r.layers[0].params["W"], straight.layers[0].params["W"])
    assert r.history.history["loss"] == straight.history.history["loss"]


# -- S3: resume's refusals ------------------------------------------------------------------

def test_resume_of_a_checkpoint_without_training_state_names_the_fix(tmp_path):
    X, y = moons()
    small().fit(X, y, epochs=2, verbose=0,
                callbacks=[gn.ModelCheckpoint(tmp_path / "a.gnet", training_state=False)])
    with pytest.raises(ModelFileError) as info:
        resume(tmp_path / "a.gnet", X, y, epochs=4)
    msg = str(info.value)
    assert "not a checkpoint" in msg
    assert "ModelCheckpoint(training_state=False)" in msg and "save_model" in msg
    assert "training_state=True" in msg and "load_model" in msg


def test_resume_without_the_validation_split_of_its_run_is_refused(tmp_path):
    X, y = moons()
    small().fit(X, y, epochs=2, validation_split=0.2, verbose=0,
                callbacks=[gn.ModelCheckpoint(tmp_path / "b.gnet")])
    for kw in ({}, {"validation_split": 0.0}, {"validation_split": None}):
        with pytest.raises(ValueError, match="validation_split.*validation_data.*same as the "
                                             "first fit"):
            resume(tmp_path / "b.gnet", X, y, epochs=4, verbose=0, **kw)
    r = resume(tmp_path / "b.gnet", X, y, epochs=4, validation_split=0.2, verbose=0)
    h = r.history.history
    assert len(h["loss"]) == len(h["val_loss"]) == 4


def test_resume_without_the_validation_data_of_its_run_is_refused(tmp_path):
    X, y = moons()
    small().fit(X[:100], y[:100], epochs=2, validation_data=(X[100:], y[100:]), verbose=0,
                callbacks=[gn.ModelCheckpoint(tmp_path / "c.gnet")])
    with pytest.raises(ValueError, match="history has val_loss"):
        resume(tmp_path / "c.gnet", X[:100], y[:100], epochs=4, verbose=0)
    r = resume(tmp_path / "c.gnet", X[:100], y[:100], epochs=4,
               validation_data=(X[100:], y[100:]), verbose=0)
    assert len(r.history.history["val_loss"]) == 4


def test_resume_of_an_unvalidated_run_needs_no_validation(tmp_path):
    """A split drawn by an earlier fit of the model (still recorded in the checkpoint) does
    not make the checkpointed run a validated one."""
    X, y = moons()
    m = small()
    m.fit(X, y, epochs=1, validation_split=0.2, verbose=0)
    m.fit(X, y, epochs=2, verbose=0, callbacks=[gn.ModelCheckpoint(tmp_path / "d.gnet")])
    r = resume(tmp_path / "d.gnet", X, y, epochs=3, verbose=0)
    assert len(r.history.history["loss"]) == 3 and "val_loss" not in r.history.history


# -- S5: lr = 0 -----------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [optim.SGD, optim.RMSProp, optim.Adagrad, optim.Adam,
                                 optim.AdamW])
def test_optimizers_take_lr_zero_and_leave_the_weights(cls):
    opt = cls(lr=0)
    assert opt.lr == 0.0
    X, y = moons()
    m = small()
    m.build(2)
    before = m.get_weights()
    m.fit(X, y, epochs=2, optimizer=opt, verbose=0)
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_a_model_trained_at_lr_zero_with_a_schedule_saves_and_resumes(tmp_path):
    """initial_lr 0 (a run started at lr=0) loads, and a schedule resumes from that base."""
    X, y = moons()
    sched = lambda: gn.LearningRateScheduler(optim.CosineAnnealingLR(T_max=4, eta_min=0.01))
    straight = small()
    straight.fit(X, y, epochs=4, optimizer=optim.SGD(lr=0.0), callbacks=[sched()], verbose=0)
    first = small()
    first.fit(X, y, epochs=2, optimizer=optim.SGD(lr=0.0),
              callbacks=[sched(), gn.ModelCheckpoint(tmp_path / "ck.gnet")], verbose=0)
    assert load_model(tmp_path / "ck.gnet").optimizer.initial_lr == 0.0
    r = resume(tmp_path / "ck.gnet", X, y, epochs=4, callbacks=[sched()], verbose=0)
    assert r.history.history["lr"] == straight.history.history["lr"]
    for a, b in zip(r.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(a, b)


# -- R6: a metric that is NaN because it is undefined warns --------------------------------

def _trained():
    X = np.random.default_rng(0).normal(size=(20, 3)).astype("f4")
    y = (np.arange(20) % 2).astype("f4")
    m = gn.Sequential([gn.Dense(3, 4, activation="relu"), gn.Dense(4, 1), gn.Sigmoid()],
                      seed=0)
    m.fit(X, y, loss="bce", epochs=1, verbose=0)
    return m, X, y


def test_evaluate_warns_when_roc_auc_is_nan_on_one_class():
    m, X, _ = _trained()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = m.evaluate(X[:5], np.ones(5, "f4"), loss="bce", metrics=["roc_auc", "precision"])
    assert math.isnan(res["roc_auc"])
    said = [w for w in caught if issubclass(w.category, UndefinedMetricWarning)]
    assert len(said) == 1, [str(w.message) for w in caught]
    assert "'roc_auc'" in str(said[0].message) and "one class" in str(said[0].message)
    assert said[0].filename == __file__   # points at the user's line


def test_fit_warns_once_per_run_for_a_nan_val_roc_auc():
    m, X, y = _trained()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m.fit(X, y, loss="bce", epochs=4, verbose=0, metrics=["roc_auc"],
              validation_data=(X[:5], np.ones(5, "f4")))
    assert all(math.isnan(v) for v in m.history.history["val_roc_auc"])
    said = [str(w.message) for w in caught if issubclass(w.category, UndefinedMetricWarning)]
    assert len(said) == 1 and "'val_roc_auc'" in said[0], said


def test_an_undefined_precision_stays_silent_at_zero():
    """Keras's: precision with no predicted positive is 0, no warning from inside fit."""
    m, X, y = _trained()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = m.evaluate(X, np.zeros(20, "f4"), loss="bce", metrics=["precision", "recall"])
    assert res["recall"] == 0.0
    assert not [w for w in caught if issubclass(w.category, UndefinedMetricWarning)]


def test_a_nan_metric_warning_obeys_the_callers_filters():
    m, X, _ = _trained()
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndefinedMetricWarning)
        with pytest.raises(UndefinedMetricWarning, match="roc_auc"):
            m.evaluate(X[:5], np.ones(5, "f4"), loss="bce", metrics=["roc_auc"])


# -- R7 / R8: DataFrame column names ---------------------------------------------------------

def test_fit_refuses_duplicate_column_names():
    x = np.arange(20.0)
    frame = pd.DataFrame(np.c_[x, x * 2, x * 3], columns=["a", "a", "b"])
    m = gn.Sequential([gn.Dense(3, 1), gn.Sigmoid()], seed=0)
    with pytest.raises(ValueError, match=r"^X has duplicate column name\(s\) \['a'\]; column "
                                         r"names must be unique"):
        m.fit(frame, x % 2, loss="bce", epochs=1, verbose=0)
    assert getattr(m, "feature_names_in_", None) is None


def test_predict_and_validation_refuse_duplicate_column_names():
    x = np.arange(20.0)
    m = gn.Sequential([gn.Dense(3, 1), gn.Sigmoid()], seed=0)
    m.fit(pd.DataFrame(np.c_[x, x, x], columns=["a", "b", "c"]), x % 2, loss="bce", epochs=1,
          verbose=0)
    dup = pd.DataFrame(np.c_[x, x, x], columns=["a", "b", "b"])
    with pytest.raises(ValueError, match=r"X has duplicate column name\(s\) \['b'\]"):
        m.predict(dup)
    with pytest.raises(ValueError, match=r"X_val has duplicate column name\(s\) \['b'\]"):
        m.fit(pd.DataFrame(np.c_[x, x, x], columns=["a", "b", "c"]), x % 2, epochs=1,
              verbose=0, validation_data=(dup, x % 2))


def test_the_nan_error_names_the_dataframe_column():
    x = np.arange(20.0)
    frame = pd.DataFrame({"a": x, "b": np.nan, "c": x})
    with pytest.raises(ValueError, match=r"^X contains NaN at row 0, column 1 \('b'\) "):
        gn.Sequential([gn.Dense(3, 1), gn.Sigmoid()]).fit(frame, x % 2, loss="bce", epochs=1,
                                                          verbose=0)
    with pytest.raises(ValueError, match=r"X contains NaN at row 0, column 1 \(20 non-fin"):
        gn.Sequential([gn.Dense(3, 1), gn.Sigmoid()]).fit(frame.to_numpy(), x % 2, epochs=1,
                                                          verbose=0)
    frame2 = pd.DataFrame({"a": x, "b": x, "c": x})
    frame2.iloc[3, 2] = np.inf
    m = gn.Sequential([gn.Dense(3, 1), gn.Sigmoid()], seed=0)
    m.fit(frame2.iloc[:3], x[:3] % 2, loss="bce", epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"infinity at row 3, column 2 \('c'\)"):
        m.predict(frame2)


# -- a node's backward called directly checks dy's shape ----------------------------------

@pytest.mark.parametrize("make, width", [(lambda: gn.Dense(3, 4, seed=0), 4), (gn.ReLU, 3),
                                         (gn.Sigmoid, 3), (gn.Softmax, 3), (gn.GELU, 3)])
def test_a_node_backward_refuses_a_dy_of_another_shape(make, width):
    node = make()
    x = np.random.default_rng(0).normal(size=(5, 3))
    y = node.forward(x, True)
    assert y.shape == (5, width)
    node.backward(np.ones_like(y))   # the right shape is taken
    for bad in (np.ones((5, 1)), np.ones((1, width)), np.ones(5), [[1.0] * width] * 5):
        with pytest.raises(ValueError, match=rf"{type(node).__name__}.backward got dy of .*"
                                             rf"output has shape \(5, {width}\)"):
            node.backward(bad)


def test_fit_steps_call_the_unchecked_backward(monkeypatch):
    """The shape check is for direct calls: fit checks its first step, then calls the
    methods unwrapped (no per-step check)."""
    from glassnet import layers as _layers
    calls = []
    real = _layers._check_dy
    monkeypatch.setattr(_layers, "_check_dy", lambda layer, dy: (calls.append(1),
                                                                 real(layer, dy)))
    X, y = moons()
    small().fit(X, y, epochs=3, batch_size=10, verbose=0)
    n_checked = len(calls)
    assert 0 < n_checked <= 3   # the first step's nodes (Dense(relu), Dense, Sigmoid) only


# -- round 16, X: an empty array of a huge shape in a model file ----------------------------

def _with_array(path, entry):
    """The model file at ``path`` with ``entry`` added to its header's array table."""
    return mf.edit_header(path, lambda h: h["arrays"].append(entry))


@pytest.mark.parametrize("shape", [[0, 2 ** 40, 2 ** 40], [2 ** 21, 0, 2 ** 20]])
def test_an_empty_array_of_a_huge_shape_is_a_model_file_error(tmp_path, shape):
    m = small()
    m.save(tmp_path / "m.gnet")
    bad = tmp_path / "z.gnet"
    bad.write_bytes(_with_array(tmp_path / "m.gnet", {"name": "x", "dtype": "float64",
                                                      "shape": shape, "offset": 0,
                                                      "nbytes": 0}))
    with pytest.raises(ModelFileError) as info:
        gn.load(bad)
    msg = str(info.value)
    assert "z.gnet" in msg and "array 'x'" in msg and "too large" in msg


def test_an_empty_array_of_a_plain_shape_still_loads(tmp_path):
    m = small()
    m.save(tmp_path / "m.gnet")
    ok = tmp_path / "e.gnet"
    ok.write_bytes(_with_array(tmp_path / "m.gnet", {"name": "x", "dtype": "float64",
                                                     "shape": [0, 2 ** 20, 2 ** 20],
                                                     "offset": 0, "nbytes": 0}))
    X, _ = moons()
    np.testing.assert_array_equal(gn.load(ok).predict(X), m.predict(X))


# -- round 16, Y1: a model file with a list init, as earlier releases wrote it ---------------

def _dense_init_file(tmp_path, init):
    m = glass_box()
    m.save(tmp_path / "new.gnet")
    old = tmp_path / "old.gnet"
    old.write_bytes(mf.edit_header(tmp_path / "new.gnet",
                                 lambda h: h["layers"][0]["config"].update(init=init)))
    return m, old


@pytest.mark.parametrize("init", [[[0.1], [0.6]], [0.1, 0.6], [[1, True]], 0.5, 2])
def test_a_list_init_written_by_an_earlier_release_loads_with_its_stored_weights(tmp_path,
                                                                                 init):
    m, old = _dense_init_file(tmp_path, init)
    back = gn.load(old)
    np.testing.assert_array_equal(back.layers[0].params["W"], m.layers[0].params["W"])
    np.testing.assert_array_equal(back.predict_proba(OR_X), m.predict_proba(OR_X))
    assert isinstance(back.layers[0].init, str)  # a later save writes a name, as for others


@pytest.mark.parametrize("init, got", [({"a": 1}, "an object"), (None, "null"),
                                       ([[0.1], ["x"]], "a list holding a string"),
                                       (["__import__('os').system('x')"],
                                        "a list holding a string"),
                                       ([[0.1], [{"a": 1}]], "a list holding an object")])
def test_an_init_no_release_wrote_is_still_refused(tmp_path, init, got):
    _, bad = _dense_init_file(tmp_path, init)
    with pytest.raises(ModelFileError) as info:
        gn.load(bad)
    msg = str(info.value)
    assert "layers[0].config.init" in msg and got in msg and "old.gnet" in msg


# -- round 16, Y3: feature names with duplicates, as earlier releases' fit stored them -------

def test_duplicate_stored_feature_names_are_dropped_with_one_warning(tmp_path):
    X, y = moons()
    m = small()
    m.fit(pd.DataFrame(X, columns=["a", "b"]), y, epochs=1, verbose=0)
    m.save(tmp_path / "new.gnet")
    old = tmp_path / "dup.gnet"
    old.write_bytes(mf.edit_header(tmp_path / "new.gnet",
                                 lambda h: h.update(feature_names=["a", "a"])))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        back = gn.load(old)
    assert len(caught) == 1 and caught[0].category is RuntimeWarning
    msg = str(caught[0].message)
    assert "dup.gnet" in msg and "duplicate column names" in msg and "by position" in msg
    assert caught[0].filename == __file__  # the caller's line, not glassnet's
    assert getattr(back, "feature_names_in_", None) is None
    want = m.predict_proba(X)
    np.testing.assert_array_equal(back.predict_proba(X), want)
    np.testing.assert_array_equal(back.predict_proba(pd.DataFrame(X, columns=["a", "a_2"])),
                                  want)
    back.fit(pd.DataFrame(X, columns=["p", "q"]), y, epochs=1, verbose=0)
    assert back.feature_names_in_ == ["p", "q"]  # as for a model fitted on arrays


def test_unique_stored_feature_names_are_kept_without_a_warning(tmp_path):
    X, y = moons()
    m = small()
    m.fit(pd.DataFrame(X, columns=["a", "b"]), y, epochs=1, verbose=0)
    m.save(tmp_path / "m.gnet")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gn.load(tmp_path / "m.gnet").feature_names_in_ == ["a", "b"]


def test_dropout_and_sequential_backward_check_the_given_dy():
    """Trial 16/EE: Dropout's backward (the one built-in node without the check) broadcast
    a dy of another shape, and worked before any forward; Sequential.backward blamed a
    correct node for a dy of the wrong rows or dtype, and took any dtype= argument."""
    x = np.random.default_rng(0).normal(size=(4, 3))
    d = gn.Dropout(0.5, seed=0)
    with pytest.raises(RuntimeError, match="Dropout has no forward cache"):
        d.backward(np.ones((4, 3)))
    for training in (True, False):
        d.forward(x, training=training)
        for dy in (np.ones((1, 3)), np.ones((4, 4)), [[1.0, 2.0, 3.0]]):
            with pytest.raises(ValueError, match=r"Dropout\.backward got dy of .* last "
                                                 r"forward output has shape \(4, 3\)"):
                d.backward(dy)
        assert d.backward(np.ones((4, 3))).shape == (4, 3)
    X = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    m = gn.Sequential([gn.Dense(3, 4), gn.Dropout(0.5, seed=0)], seed=0)
    m.forward(X, training=True)
    with pytest.raises(ValueError, match=r"^dy has shape \(1, 4\) but the model's last forward "
                                         r"output has shape \(20, 4\)"):
        m.backward(np.ones((1, 4), np.float32))
    with pytest.raises(TypeError, match="^dy is float64 in a float32 model"):
        m.backward(np.ones((20, 4)), dtype=np.float32)
    with pytest.raises(ValueError, match=r"dtype=float64 is not this model's \(float32\)"):
        m.backward(np.ones((20, 4), np.float32), dtype="float64")
    assert m.backward(np.ones((20, 4), np.float32), input_grad=True).shape == (20, 3)
