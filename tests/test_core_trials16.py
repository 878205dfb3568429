"""Trials S and R (round 16): a Dense with a list ``init`` saves and loads (checkpoints too),
resume's refusals (a model file; a validated run resumed without validation), lr=0 taken by
the optimizers, a NaN metric that warns, duplicate DataFrame columns refused, the NaN
error naming its column, and a node's backward checking dy's shape."""
import math
import os
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim
from glassnet.io import ModelFileError, load_model, resume
from glassnet.metrics import UndefinedMetricWarning

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


@pytest.mark.parametrize("lr, exc, match", [
    (-0.1, ValueError, r"^SGD: lr must be >= 0, got -0.1$"),
    (-1e-300, ValueError, "lr must be >= 0"),
    (float("nan"), ValueError, "lr must be finite"),
    (float("inf"), ValueError, "lr must be finite"),
    ("0.1", TypeError, "lr must be a number"),
])
def test_a_negative_or_non_finite_lr_is_still_refused(lr, exc, match):
    with pytest.raises(exc, match=match):
        optim.SGD(lr=lr)


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

@pytest.mark.parametrize("node, width", [(gn.Dense(3, 4, seed=0), 4), (gn.ReLU(), 3),
                                         (gn.Sigmoid(), 3), (gn.Softmax(), 3),
                                         (gn.GELU(), 3)])
def test_a_node_backward_refuses_a_dy_of_another_shape(node, width):
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
    assert 0 < n_checked <= 3   # the first step's nodes (Dense, ReLU, Dense) only


# -- Trials V and X (round 16, core): custom nodes' and losses' contracts, stop_reason, an
# -- empty array of a huge shape in a model file ----------------------------------------------

class _Scale(gn.Layer):
    """A per-column scale; ``extra`` is added to the width build returns (a wrong one)."""

    def __init__(self, extra=0):
        super().__init__()
        self.extra = extra

    def build(self, n_in, rng=None, dtype="float32"):
        self.n_in = self.n_out = n_in
        self.params = {"s": np.ones(n_in, dtype)}
        self.grads = {"s": np.zeros(n_in, dtype)}
        return n_in + self.extra

    def forward(self, x, training=False):
        self._x = x
        return x * self.params["s"]

    def backward(self, dy):
        self.grads["s"][...] = (dy * self._x).sum(0)
        return dy * self.params["s"]


def test_a_build_returning_another_width_than_its_n_out_is_named():
    X, y = moons()
    with pytest.raises(ValueError, match=r"layer 1 \(_Scale\)\.build\(\) returned 9 but set "
                                         r"n_out=8: return the width forward gives"):
        gn.Sequential([gn.Dense(2, 8), _Scale(extra=1), gn.Dense(1)], seed=0)
    lazy = gn.Sequential([gn.Dense(8), _Scale(extra=1), gn.Dense(1)], seed=0)  # built by fit
    with pytest.raises(ValueError, match=r"layer 1 \(_Scale\)\.build\(\) returned 9 but set "
                                         r"n_out=8"):
        lazy.fit(X, y, loss="mse", epochs=1, verbose=0)
    ok = gn.Sequential([gn.Dense(2, 8), _Scale(), gn.Dense(1)], seed=0)
    assert np.isfinite(ok.fit(X, y, loss="mse", epochs=1, verbose=0).history["loss"]).all()


class _ListOut(_Scale):
    def forward(self, x, training=False):
        self._x = x
        return (x * self.params["s"]).tolist()


class _NoneOut(_Scale):
    def forward(self, x, training=False):
        self._x = x


@pytest.mark.parametrize("node, got", [(_ListOut(), r"a list, not an array"),
                                       (_NoneOut(), r"None \(did you forget `return y`\?\)")])
def test_a_forward_returning_no_array_is_named_before_any_step(node, got):
    X, y = moons()
    m = gn.Sequential([gn.Dense(2, 4), node, gn.Dense(1)], seed=0)
    before = m.get_weights()
    with pytest.raises(ValueError, match=rf"layer 1 \({type(node).__name__}\)\.forward "
                                         rf"returned {got}; forward must return a NumPy "
                                         rf"array, of shape \(m, 4\)"):
        m.fit(X, y, loss="mse", epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, m.get_weights()))


class _OneElementLoss(gn.Loss):
    """The mean, kept as a shape-(1,) array (np.mean(..., keepdims=True) of a flat array)."""

    def forward(self, y_pred, y_true, weights=None):
        self._d = y_pred - y_true.reshape(y_pred.shape)
        return np.mean((self._d ** 2).ravel(), keepdims=True)

    def backward(self):
        return 2 * self._d / self._d.size


def test_a_loss_returning_a_one_element_array_is_told_to_return_a_number():
    X, y = moons()
    with pytest.raises(ValueError) as info:
        small().fit(X, y, loss=_OneElementLoss(), epochs=1, verbose=0)
    msg = str(info.value)
    assert "_OneElementLoss.forward must return the cost, a number" in msg
    assert "shape (1,)" in msg and "cost.item()" in msg
    assert "reduce the examples' losses" not in msg   # it is reduced already


class _TypedLoss(gn.Loss):
    """The mean squared error, returned as ``kind`` makes it."""

    def __init__(self, kind):
        self.kind = kind

    def forward(self, y_pred, y_true, weights=None):
        self._d = y_pred - y_true.reshape(y_pred.shape)
        return self.kind(np.mean(self._d ** 2))

    def backward(self):
        return 2 * self._d / self._d.size


@pytest.mark.parametrize("kind", [np.asarray, np.float16, float,
                                  lambda v: __import__("fractions").Fraction(float(v))])
def test_evaluate_gives_a_custom_loss_as_a_python_float(kind):
    X, y = moons()
    m = small()
    m.fit(X, y, loss="mse", epochs=1, verbose=0)
    res = m.evaluate(X, y, loss=_TypedLoss(kind))
    assert type(res["loss"]) is float
    mse = np.mean((m.predict(X).ravel() - y) ** 2)
    assert res["loss"] == pytest.approx(mse, rel=1e-3)   # float16 keeps 3 digits
    assert type(m.evaluate(X, y, loss="mse")["loss"]) is float


class _StopAt(gn.Callback):
    """Sets model.stop_training at ``batch`` of ``epoch`` (at its end when batch is None),
    with ``reason`` in model.history.stop_reason when given."""

    def __init__(self, epoch, batch=None, reason=None):
        self.at, self.batch, self.reason, self.cur = epoch, batch, reason, None

    def on_epoch_begin(self, epoch, logs=None):
        self.cur = epoch

    def _stop(self):
        self.model.stop_training = True
        if self.reason:
            self.model.history.stop_reason = self.reason

    def on_batch_end(self, batch, logs=None):
        if self.cur == self.at and batch == self.batch:
            self._stop()

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at and self.batch is None:
            self._stop()


@pytest.mark.parametrize("cb, reason", [
    (_StopAt(1), "stopped by a callback (model.stop_training = True) after epoch 2"),
    (_StopAt(2, batch=2), "stopped by a callback (model.stop_training = True) during epoch 3, "
                          "after batch 3"),
    (_StopAt(1, reason="target accuracy reached"), "target accuracy reached"),
])
def test_a_callback_that_stops_training_gives_a_stop_reason(cb, reason):
    X, y = moons()
    h = small().fit(X, y, loss="bce", epochs=6, batch_size=16, verbose=0, callbacks=[cb])
    assert h.stopped_early and h.stop_reason == reason
    assert len(h.epoch) == cb.at + 1 < 6
    full = small().fit(X, y, loss="bce", epochs=2, verbose=0)
    assert not full.stopped_early and full.stop_reason is None


def test_early_stopping_keeps_its_own_stop_reason():
    X, y = moons()
    h = small().fit(X, y, loss="bce", epochs=50, verbose=0, validation_split=0.25,
                    optimizer=gn.SGD(lr=1e-6),
                    callbacks=[gn.EarlyStopping(patience=1, min_delta=1.0)])
    assert h.stopped_early and h.stop_reason.startswith("early stopping: val_loss")


def _with_array(path, entry):
    """The model file at ``path`` with ``entry`` added to its header's array table (checksum
    redone): the documented layout, prefix, JSON header, data padded to 64 bytes, SHA-256."""
    import hashlib
    import json
    import struct
    prefix = struct.Struct("<8sIQ")
    data = path.read_bytes()
    magic, version, hlen = prefix.unpack_from(data)
    header = json.loads(data[prefix.size:prefix.size + hlen])
    section = data[-(-(prefix.size + hlen) // 64) * 64:-32]
    header["arrays"].append(entry)
    hb = json.dumps(header).encode()
    body = prefix.pack(magic, version, len(hb)) + hb
    body += bytes(-len(body) % 64) + section
    return body + hashlib.sha256(body).digest()


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

def _with_header(path, change):
    """The model file at ``path`` with ``change(header)`` applied to its JSON header
    (checksum redone), as :func:`_with_array` lays it out."""
    import hashlib
    import json
    import struct
    prefix = struct.Struct("<8sIQ")
    data = path.read_bytes()
    magic, version, hlen = prefix.unpack_from(data)
    header = json.loads(data[prefix.size:prefix.size + hlen])
    section = data[-(-(prefix.size + hlen) // 64) * 64:-32]
    change(header)
    hb = json.dumps(header).encode()
    body = prefix.pack(magic, version, len(hb)) + hb
    body += bytes(-len(body) % 64) + section
    return body + hashlib.sha256(body).digest()


def _dense_init_file(tmp_path, init):
    m = glass_box()
    m.save(tmp_path / "new.gnet")
    old = tmp_path / "old.gnet"
    old.write_bytes(_with_header(tmp_path / "new.gnet",
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
    old.write_bytes(_with_header(tmp_path / "new.gnet",
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


# -- round 16, W2: --out /dev/stdout, /dev/stderr, /dev/fd/N written into the descriptor -----

posix_only = pytest.mark.skipif(os.name == "nt" or not os.path.exists("/dev/fd"),
                                reason="/dev/stdout and /dev/fd are POSIX's")


def _write_via(target, text="a,b\n1,2\n"):
    """Python code for a child process that writes ``text`` to ``target`` with glassnet's
    atomic writer."""
    return ("from glassnet.io import atomic_write_text; "
            f"atomic_write_text({target!r}, {text!r})")


def _sh(script, tmp_path, shell="sh"):
    """Run ``script`` with ``shell`` in ``tmp_path``; $PY is this Python, importing this
    glassnet."""
    import subprocess
    import sys
    src = os.path.dirname(os.path.dirname(os.path.abspath(gn.__file__)))
    env = dict(os.environ, PY=sys.executable, MPLBACKEND="Agg",
               PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([shell, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env=env)


@posix_only
@pytest.mark.parametrize("target, fd", [("/dev/stdout", 1), ("/dev/stderr", 2),
                                         ("/dev/fd/1", 1), ("/proc/self/fd/1", 1)])
def test_a_descriptor_path_that_is_a_pipe_is_written_into(tmp_path, target, fd):
    if target.startswith("/proc") and not os.path.exists("/proc/self/fd"):
        pytest.skip("no /proc")
    redirect = "" if fd == 1 else " 2>&1 >/dev/null"
    r = _sh(f'"$PY" -c "{_write_via(target)}"{redirect} | cat', tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "a,b\n1,2\n"


@posix_only
def test_dev_stdout_redirected_to_a_file_keeps_what_the_shell_wrote(tmp_path):
    r = _sh('{ echo header; "$PY" -c "' + _write_via("/dev/stdout") + '"; echo footer; } > g.csv'
            '; echo old > h.csv; "$PY" -c "' + _write_via("/dev/stdout") + '" >> h.csv',
            tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "g.csv").read_text() == "header\na,b\n1,2\nfooter\n"
    assert (tmp_path / "h.csv").read_text() == "old\na,b\n1,2\n"


@posix_only
def test_a_process_substitution_fd_is_written_into(tmp_path):
    import shutil
    import time
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    code = _write_via("/dev/fd/X").replace("'/dev/fd/X'", "__import__('sys').argv[1]")
    r = _sh(f'"$PY" -c "{code}" >(cat > sub.txt)', tmp_path, shell="bash")
    assert r.returncode == 0, r.stderr
    sub = tmp_path / "sub.txt"
    for _ in range(200):  # the substitution's cat may finish after bash
        if sub.exists() and sub.read_text():
            break
        time.sleep(0.05)
    assert sub.read_text() == "a,b\n1,2\n"


@posix_only
def test_dev_stdin_from_a_file_is_refused_and_the_file_kept(tmp_path):
    (tmp_path / "in.csv").write_text("x\n1\n")
    r = _sh('"$PY" -c "' + _write_via("/dev/stdin") + '" < in.csv', tmp_path)
    assert r.returncode != 0 and "PermissionError" in r.stderr
    assert "reading only" in r.stderr and "/dev/stdin" in r.stderr
    assert (tmp_path / "in.csv").read_text() == "x\n1\n"


@posix_only
def test_a_descriptor_that_is_not_open_is_named(tmp_path):
    from glassnet.io import atomic_write_text
    fd = os.open(os.devnull, os.O_RDONLY)
    os.close(fd)  # a number no descriptor has now
    with pytest.raises(OSError) as info:
        atomic_write_text(f"/dev/fd/{fd}", "x")
    assert f"descriptor {fd} is not open" in str(info.value)


@posix_only
def test_glassnet_predict_out_dev_stdout_into_a_pipe_and_after_an_echo(tmp_path):
    (tmp_path / "x.csv").write_text("x1,x2\n0,0\n0,1\n1,0\n1,1\n")
    cli = '"$PY" -m glassnet.cli'
    r = _sh(f"{cli} train xor --epochs 2 --val-split 0 --test-split 0"
            f" --out r --quiet"
            f" && {cli} predict r/model.gnet x.csv --out /dev/stdout | cat > piped.csv"
            f" && {{ echo header; {cli} predict r/model.gnet x.csv --out /dev/stdout; }}"
            f" > g.csv", tmp_path)
    assert r.returncode == 0, r.stderr
    piped = (tmp_path / "piped.csv").read_text().splitlines()
    assert len(piped) == 5 and piped[0].startswith("x1,x2,"), r.stderr
    assert (tmp_path / "g.csv").read_text().splitlines() == ["header", *piped]
