"""Extending glassnet: what a custom layer, activation, loss, optimizer, schedule or callback
that breaks its contract is told (one message naming the class and the fix, not NumPy's
error somewhere after it), what evaluate gives for a custom loss's cost, and what fit records
(its history, its stop_reason) when a callback stops it."""
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import losses as _losses
from glassnet.activations import Activation
from glassnet.optim import LRSchedule, Optimizer

from conftest import Scale, SquaredLoss, StopAt


@pytest.fixture
def data():
    X = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")
    return X, (X.sum(1) > 0).astype("float32")


# ---------------------------------------------------------------- a loss's forward returns
def per_example_loss():
    """The per-example losses, not their mean (a forgotten .mean())."""
    return SquaredLoss(reduce=lambda sq: sq)


ARRAY_COST = r"SquaredLoss\.forward must return the cost, a number \(got an array of shape"


def test_loss_returning_an_array_is_named_by_fit_evaluate_gradcheck_trace(data):
    X, y = data
    m = gn.Sequential([gn.Dense(3, 1)], seed=0)
    before = m.get_weights()
    with pytest.raises(ValueError, match=ARRAY_COST + r" \(40, 1\)\)"):
        m.evaluate(X, y, loss=per_example_loss())
    with pytest.raises(ValueError, match=ARRAY_COST + r" \(8, 1\)\)"):
        m.fit(X, y, loss=per_example_loss(), batch_size=8)
    assert all(np.array_equal(a, b) for a, b in zip(before, m.get_weights()))  # no step
    with pytest.raises(ValueError, match=ARRAY_COST):
        gn.gradcheck(per_example_loss(), X[:4, :1].astype("float64"), y[:4])
    with pytest.raises(ValueError, match=ARRAY_COST):
        gn.gradcheck(m, X[:4], y[:4], loss=per_example_loss())
    with pytest.raises(ValueError, match=ARRAY_COST):
        gn.trace(m, X[:2], y[:2], loss=per_example_loss())
    with pytest.raises(ValueError, match=ARRAY_COST):
        per_example_loss()(X[:4, :1], y[:4])


def test_loss_returning_none_or_zero_dim(data):
    X, y = data
    m = gn.Sequential([gn.Dense(3, 1)], seed=0)
    with pytest.raises(ValueError, match=r"SquaredLoss\.forward must return the cost, a "
                                         r"number \(got None\); did you forget `return cost`"):
        m.fit(X, y, loss=SquaredLoss(reduce=lambda sq: None))
    # a 0-d array is one number: accepted, as NumPy reductions may give one
    zero_dim = SquaredLoss(reduce=lambda sq: np.asarray(np.mean(sq)))
    h = m.fit(X, y, loss=zero_dim, epochs=2, batch_size=8)
    assert len(h.history["loss"]) == 2 and all(np.isfinite(h.history["loss"]))
    assert np.isfinite(float(m.evaluate(X, y, loss=zero_dim)["loss"]))


def test_a_loss_returning_a_one_element_array_is_told_to_return_a_number(data):
    X, y = data
    # the mean kept as a shape-(1,) array (np.mean(..., keepdims=True) of a flat array)
    one_element = SquaredLoss(reduce=lambda sq: np.mean(sq.ravel(), keepdims=True))
    with pytest.raises(ValueError) as info:
        gn.Sequential([gn.Dense(3, 1)], seed=0).fit(X, y, loss=one_element, epochs=1)
    msg = str(info.value)
    assert "SquaredLoss.forward must return the cost, a number" in msg
    assert "shape (1,)" in msg and "cost.item()" in msg
    assert "reduce the examples' losses" not in msg   # it is reduced already


@pytest.mark.parametrize("kind", [np.asarray, np.float16, float,
                                  lambda v: __import__("fractions").Fraction(float(v))])
def test_evaluate_gives_a_custom_loss_as_a_python_float(data, kind):
    X, y = data
    m = gn.Sequential([gn.Dense(3, 4, activation="relu"), gn.Dense(4, 1)], seed=0)
    m.fit(X, y, loss="mse", epochs=1)
    res = m.evaluate(X, y, loss=SquaredLoss(reduce=lambda sq: kind(np.mean(sq))))
    assert type(res["loss"]) is float
    mse = np.mean((m.predict(X).ravel() - y) ** 2)
    assert res["loss"] == pytest.approx(mse, rel=1e-3)   # float16 keeps 3 digits
    assert type(m.evaluate(X, y, loss="mse")["loss"]) is float


def test_cost_is_checked_on_the_first_step_only(data, monkeypatch):
    X, y = data
    calls = []
    real = _losses.checked_cost
    monkeypatch.setattr(_losses, "checked_cost", lambda *a: calls.append(1) or real(*a))
    gn.Sequential([gn.Dense(3, 1)], seed=0).fit(X, y, loss="mse", epochs=3, batch_size=8)
    assert len(calls) == 1   # 15 steps, one check


# ------------------------------------------------------------------------- a layer's build
@pytest.mark.parametrize("rest, where", [
    (lambda: [Scale(extra=None), gn.Dense(4, 1)], 1),
    (lambda: [gn.Dense(4, 1), Scale(extra=None)], 2),   # last: refused as in the middle
])
def test_build_returning_none_is_named(data, rest, where):
    X, y = data
    msg = (rf"layer {where} \(Scale\)\.build\(\) returned None; it must return its "
           rf"output width")
    with pytest.raises(TypeError, match=msg):
        gn.Sequential([gn.Dense(3, 4), *rest()], seed=0)   # built at once: n_in is known
    with pytest.raises(TypeError, match=msg):
        gn.Sequential([gn.Dense(4), *rest()], seed=0).fit(X, y, loss="mse")   # built by fit


def test_a_build_returning_another_width_than_its_n_out_is_named(data):
    X, y = data
    with pytest.raises(ValueError, match=r"layer 1 \(Scale\)\.build\(\) returned 9 but set "
                                         r"n_out=8: return the width forward gives"):
        gn.Sequential([gn.Dense(3, 8), Scale(extra=1), gn.Dense(1)], seed=0)
    lazy = gn.Sequential([gn.Dense(8), Scale(extra=1), gn.Dense(1)], seed=0)  # built by fit
    with pytest.raises(ValueError, match=r"layer 1 \(Scale\)\.build\(\) returned 9 but set "
                                         r"n_out=8"):
        lazy.fit(X, y, loss="mse", epochs=1)
    ok = gn.Sequential([gn.Dense(3, 8), Scale(), gn.Dense(1)], seed=0)
    assert np.isfinite(ok.fit(X, y, loss="mse", epochs=1).history["loss"]).all()


# ------------------------------------------------------------------------- a layer's forward
class ListOut(Scale):
    def forward(self, x, training=False):
        return super().forward(x, training).tolist()


class NoneOut(Scale):
    def forward(self, x, training=False):
        super().forward(x, training)   # the forgotten `return y`


@pytest.mark.parametrize("make, got", [(ListOut, r"a list, not an array"),
                                       (NoneOut, r"None \(did you forget `return y`\?\)")])
def test_a_forward_returning_no_array_is_named_before_any_step(data, make, got):
    X, y = data
    m = gn.Sequential([gn.Dense(3, 4), make(), gn.Dense(1)], seed=0)
    before = m.get_weights()
    with pytest.raises(ValueError, match=rf"layer 1 \({make.__name__}\)\.forward "
                                         rf"returned {got}; forward must return a NumPy "
                                         rf"array, of shape \(m, 4\)"):
        m.fit(X, y, loss="mse", epochs=1)
    assert all(np.array_equal(a, b) for a, b in zip(before, m.get_weights()))


# ------------------------------------------------------ parameters created in forward
class Lazy(gn.Layer):
    def forward(self, x, training=False):
        if "s" not in self.params:
            self.params["s"] = np.ones(x.shape[1], x.dtype)
            self.grads["s"] = np.zeros_like(self.params["s"])
        self._x = x
        return x * self.params["s"]

    def backward(self, dy):
        self.grads["s"][...] = (dy * self._x).sum(0)
        return dy * self.params["s"]


@pytest.mark.parametrize("tail, n_targets", [
    ([gn.Dense(4, 1), gn.Sigmoid()], 1),     # was NumPy's broadcast error at epoch 2
    ([gn.Dense(4, 4, bias=False)], 4),       # was silent: the snapshot held other arrays
])
def test_parameters_created_in_forward_are_refused(data, tail, n_targets):
    X, y = data
    Y = np.repeat(y[:, None], n_targets, axis=1)
    m = gn.Sequential([gn.Dense(3, 4), Lazy(), *tail], seed=0)
    before = m.get_weights()
    with pytest.raises(RuntimeError, match=r"layer 1 \(Lazy\) changed its parameters .*"
                                           r"create them in build\(\)"):
        m.fit(X, Y, loss="mse", epochs=3, batch_size=8)
    # raised before the optimizer's first step: the other nodes' weights are as they were
    after = [p for la, _, p, _ in m.parameters() if not isinstance(la, Lazy)]
    assert len(after) == len(before)
    assert all(np.array_equal(a, b) for a, b in zip(before, after))


def test_replacing_grads_arrays_still_trains(data):
    """A layer that assigns new gradient arrays (same keys) keeps training, not refused."""
    X, y = data
    m = gn.Sequential([gn.Dense(3, 4), Scale(reassign=True), gn.Dense(4, 1)], seed=0)
    s0 = m.layers[1].params["s"].copy()
    m.fit(X, y, loss="mse", epochs=2, batch_size=8)
    assert not np.array_equal(s0, m.layers[1].params["s"])


# ------------------------------------------- optimizer, schedule, activation base classes
class O1(Optimizer):
    pass


class O2(Optimizer):
    def __init__(self, lr=0.01):
        self.lr = lr

    def _update(self, p, g, st, lr):
        p -= lr * g


class S(LRSchedule):
    pass


class A(Activation):
    def _f(self, x):
        return x / (1 + np.exp(-x))


def _mlp(act=gn.Tanh):
    return gn.Sequential([gn.Dense(3, 4), act(), gn.Dense(4, 1)], seed=0)


def test_base_classes_say_what_to_implement(data):
    X, y = data
    with pytest.raises(NotImplementedError, match=r"O1 must implement _update\(p, g, st, lr\)"):
        _mlp().fit(X, y, loss="mse", optimizer=O1())
    with pytest.raises(TypeError, match=r"O2 is not set up as an Optimizer: its __init__ must "
                                        r"call super\(\)\.__init__\(lr\)"):
        _mlp().fit(X, y, loss="mse", optimizer=O2())
    with pytest.raises(TypeError, match="O2 is not set up as an Optimizer"):
        gn.trace(_mlp(), X[:2], y[:2], loss="mse", optimizer=O2())
    with pytest.raises(NotImplementedError, match=r"S must implement lr_at\(epoch, base_lr\)"):
        _mlp().fit(X, y, loss="mse", callbacks=[gn.LearningRateScheduler(S())])
    with pytest.raises(NotImplementedError, match=r"A must implement _df\(\)"):
        _mlp(A).fit(X, y, loss="mse")

    class NoF(Activation):
        pass
    with pytest.raises(NotImplementedError, match=r"NoF must implement _f\(x\)"):
        _mlp(NoF).fit(X, y, loss="mse")


# --------------------------------------------------------------------- dtypes of a node
class F64(gn.Layer):
    def forward(self, x, training=False):
        self._x = x
        return x.astype(np.float64) * 2

    def backward(self, dy):
        return dy * 2


class F64Back(gn.Layer):
    def forward(self, x, training=False):
        return x * 2

    def backward(self, dy):
        return dy.astype(np.float64) * 2


class F64Build(Scale):
    def build(self, n_in, rng=None, dtype="float32"):
        super().build(n_in, rng, "float64")   # ignores the dtype it is given
        return n_in


class F64LossGrad(SquaredLoss):
    def backward(self):
        return (2 * self._d / self._d.size).astype(np.float64)


def test_float64_node_in_float32_model_is_named(data):
    X, y = data
    m = gn.Sequential([gn.Dense(3, 4), F64(), gn.Dense(4, 1)], seed=0)
    with pytest.raises(TypeError, match=r"layer 1 \(F64\)\.forward returned float64 in a "
                                        r"float32 model"):
        m.fit(X, y, loss="mse")
    m = gn.Sequential([gn.Dense(3, 4), F64Back(), gn.Dense(4, 1)], seed=0)
    with pytest.raises(TypeError, match=r"layer 1 \(F64Back\)\.backward returned float64 in "
                                        r"a float32 model"):
        m.fit(X, y, loss="mse")
    with pytest.raises(TypeError, match=r"layer 1 \(F64Build\)\.build\(\) allocated "
                                        r"parameters .*float32 .*s is float64"):
        gn.Sequential([gn.Dense(3, 4), F64Build(), gn.Dense(4, 1)], seed=0)
    m = gn.Sequential([gn.Dense(3, 1)], seed=0)
    with pytest.raises(TypeError, match=r"F64LossGrad\.backward returned float64 in a float32 "
                                        r"model"):
        m.fit(X, y, loss=F64LossGrad())
    # the same nodes in a float64 model train
    for node in (F64(), F64Back()):
        m = gn.Sequential([gn.Dense(3, 4), node, gn.Dense(4, 1)], seed=0, dtype="float64")
        m.fit(X, y, loss="mse", epochs=1)
        assert m.predict(X).dtype == np.float64


# ------------------------------------------------------ where save's warnings point
def test_save_warnings_point_at_the_callers_line(data, tmp_path):
    X, y = data

    class Quantile(gn.losses.Loss):
        def forward(self, y_pred, y_true, weights=None):
            self._d = y_pred - y_true.reshape(y_pred.shape)
            return float(np.mean(np.maximum(0.5 * self._d, -0.5 * self._d)))

        def backward(self):
            return (0.5 * np.sign(self._d) / self._d.size).astype(self._d.dtype)

    class MySGD(Optimizer):
        def _update(self, p, g, st, lr):
            p -= lr * g

    m = gn.Sequential([gn.Dense(3, 1)], seed=0)
    m.fit(X, y, loss=Quantile(), optimizer=MySGD(0.01), epochs=1)
    for save in (lambda: m.save(tmp_path / "a.gnet"),
                 lambda: gn.io.save_model(m, tmp_path / "b.gnet")):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            save()
        said = {("loss" if "loss" in str(w.message) else "optimizer"): w for w in caught
                if "not saved" in str(w.message)}
        assert set(said) == {"loss", "optimizer"}
        for w in said.values():
            assert w.filename == __file__, (str(w.message)[:40], w.filename)


# ------------------------------------------------------------- a callback stops training
def test_stop_in_on_batch_end_records_the_partial_epoch(data):
    X, y = data
    stop = StopAt(0, batch=1)
    m = gn.Sequential([gn.Dense(3, 1), gn.Sigmoid()], seed=0)
    m.build(3)
    before = m.get_weights()
    h = m.fit(X, y, loss="bce", epochs=3, batch_size=8, validation_split=0.25,
              metrics=["accuracy"], callbacks=[stop])
    assert len(stop.batches) == 2 and [e for e, _ in stop.epochs] == [0]
    assert h.epoch == [0] and h.stopped_early and m.epochs_trained == 1
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    # the loss of the two batches run (8 rows each), the validation of the weights left
    assert h.history["loss"][0] == pytest.approx(np.mean([b["loss"] for b in stop.batches]))
    assert h.history["val_loss"][0] == stop.epochs[0][1]["val_loss"] == stop.end["val_loss"]
    # the two steps were taken: the weights left are trained ones
    assert not all(np.array_equal(a, b) for a, b in zip(before, m.get_weights()))
    assert 0 <= h.history["accuracy"][0] <= 1


def test_partial_epoch_metrics_undefined_on_its_rows_are_nan(data):
    X, y = data
    order = np.argsort(y, kind="stable")       # the first batch holds one class only
    X, y = X[order], y[order]
    with pytest.warns(gn.metrics.UndefinedMetricWarning, match="metric 'roc_auc' is NaN"):
        h = gn.Sequential([gn.Dense(3, 1), gn.Sigmoid()], seed=0).fit(
            X, y, loss="bce", epochs=2, batch_size=8, shuffle=False, metrics=["roc_auc"],
            callbacks=[StopAt(0, batch=0)])
    assert h.epoch == [0] and np.isnan(h.history["roc_auc"][0])
    assert np.isfinite(h.history["loss"][0])


def _small():
    return gn.Sequential([gn.Dense(3, 8, activation="relu"), gn.Dense(8, 1), gn.Sigmoid()],
                         seed=0)


@pytest.mark.parametrize("make, reason", [
    (lambda: StopAt(1), "stopped by a callback (model.stop_training = True) after epoch 2"),
    (lambda: StopAt(2, batch=2), "stopped by a callback (model.stop_training = True) during "
                                 "epoch 3, after batch 3"),
    (lambda: StopAt(1, reason="target accuracy reached"), "target accuracy reached"),
])
def test_a_callback_that_stops_training_gives_a_stop_reason(data, make, reason):
    X, y = data
    cb = make()
    h = _small().fit(X, y, loss="bce", epochs=6, batch_size=8, callbacks=[cb])
    assert h.stopped_early and h.stop_reason == reason
    assert len(h.epoch) == cb.at + 1 < 6
    full = _small().fit(X, y, loss="bce", epochs=2)
    assert not full.stopped_early and full.stop_reason is None


def test_a_stop_a_later_callback_takes_back_leaves_no_reason(data):
    """Review 16/5: EarlyStopping writes its reason into the history as it stops; a later
    callback that sets stop_training back (a minimum-epochs guard) must not leave that
    reason behind when every epoch ran (the History says None then)."""
    X, y = data

    class KeepGoing(gn.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = False

    es = gn.EarlyStopping(patience=1, min_delta=1.0)
    h = _small().fit(X, y, loss="bce", epochs=4, validation_split=0.25,
                     optimizer=gn.SGD(lr=1e-6), callbacks=[es, KeepGoing()])
    assert es.stopped_epoch is not None      # it did stop, and was overruled
    assert h.epoch == [0, 1, 2, 3] and not h.stopped_early and h.stop_reason is None


def test_a_build_that_only_returns_its_width_trains(data):
    """Trial 16/Z5: a custom node whose build returns its output width, as documented, but
    sets neither n_in nor n_out, failed fit's first-step check with 'an input of shape (32,
    None)'. The model records the widths it built the node for."""
    X, y = data

    class Ident(gn.Layer):
        def build(self, n_in, rng=None, dtype="float32"):
            return n_in

        def forward(self, x, training=False):
            return x

        def backward(self, dy):
            return dy

    m = gn.Sequential([gn.Dense(3, 4), Ident(), gn.Dense(4, 1), gn.Sigmoid()], seed=0)
    assert (m.layers[1].n_in, m.layers[1].n_out) == (4, 4)
    w0 = m.layers[0].params["W"].copy()
    m.fit(X, y, loss="bce", epochs=1, batch_size=8)
    assert not np.array_equal(w0, m.layers[0].params["W"])
