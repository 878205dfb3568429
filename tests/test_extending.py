"""Extending glassnet: what a custom layer, activation, loss, optimizer, schedule or callback
that breaks its contract is told (one message naming the class and the fix, not NumPy's
error somewhere after it), and what fit records when a callback stops it mid-epoch."""
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import losses as _losses
from glassnet import train as _train
from glassnet.activations import Activation
from glassnet.optim import LRSchedule, Optimizer


@pytest.fixture
def data():
    X = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")
    return X, (X.sum(1) > 0).astype("float32")


# ---------------------------------------------------------------- a loss's forward returns
class ArrLoss(gn.losses.Loss):
    """The per-example losses, not their mean (a forgotten .mean())."""

    def forward(self, y_pred, y_true, weights=None):
        self._d = y_pred - y_true.reshape(y_pred.shape)
        return self._d ** 2

    def backward(self):
        return 2 * self._d / self._d.size


class NoneLoss(ArrLoss):
    def forward(self, y_pred, y_true, weights=None):
        self._d = y_pred - y_true.reshape(y_pred.shape)


class ZeroDimLoss(ArrLoss):
    """A 0-d array is one number: accepted, as NumPy reductions may give one."""

    def forward(self, y_pred, y_true, weights=None):
        self._d = y_pred - y_true.reshape(y_pred.shape)
        return np.asarray(np.mean(self._d ** 2))


ARRAY_COST = r"ArrLoss\.forward must return the cost, a number \(got an array of shape"


def test_loss_returning_an_array_is_named_by_fit_evaluate_gradcheck_trace(data):
    X, y = data
    m = gn.Sequential([gn.Dense(3, 1)], seed=0)
    before = m.get_weights()
    with pytest.raises(ValueError, match=ARRAY_COST + r" \(40, 1\)\)"):
        m.evaluate(X, y, loss=ArrLoss())
    with pytest.raises(ValueError, match=ARRAY_COST + r" \(8, 1\)\)"):
        m.fit(X, y, loss=ArrLoss(), batch_size=8)
    assert all(np.array_equal(a, b) for a, b in zip(before, m.get_weights()))  # no step
    with pytest.raises(ValueError, match=ARRAY_COST):
        gn.gradcheck(ArrLoss(), X[:4, :1].astype("float64"), y[:4])
    with pytest.raises(ValueError, match=ARRAY_COST):
        gn.gradcheck(m, X[:4], y[:4], loss=ArrLoss())
    with pytest.raises(ValueError, match=ARRAY_COST):
        gn.trace(m, X[:2], y[:2], loss=ArrLoss())
    with pytest.raises(ValueError, match=ARRAY_COST):
        ArrLoss()(X[:4, :1], y[:4])


def test_loss_returning_none_or_zero_dim(data):
    X, y = data
    m = gn.Sequential([gn.Dense(3, 1)], seed=0)
    with pytest.raises(ValueError, match=r"NoneLoss\.forward must return the cost, a number "
                                         r"\(got None\); did you forget `return cost`"):
        m.fit(X, y, loss=NoneLoss())
    h = m.fit(X, y, loss=ZeroDimLoss(), epochs=2, batch_size=8)
    assert len(h.history["loss"]) == 2 and all(np.isfinite(h.history["loss"]))
    assert np.isfinite(float(m.evaluate(X, y, loss=ZeroDimLoss())["loss"]))


def test_cost_is_checked_on_the_first_step_only(data, monkeypatch):
    X, y = data
    calls = []
    real = _losses.checked_cost
    monkeypatch.setattr(_losses, "checked_cost", lambda *a: calls.append(1) or real(*a))
    gn.Sequential([gn.Dense(3, 1)], seed=0).fit(X, y, loss="mse", epochs=3, batch_size=8)
    assert len(calls) == 1   # 15 steps, one check


# ------------------------------------------------------------------------- a layer's build
class NoReturnScale(gn.Layer):
    def build(self, n_in, rng=None, dtype="float32"):
        self.n_in = self.n_out = n_in
        self.params = {"s": np.ones(n_in, dtype)}
        self.grads = {"s": np.zeros(n_in, dtype)}
        # the forgotten `return n_in`

    def forward(self, x, training=False):
        self._x = x
        return x * self.params["s"]

    def backward(self, dy):
        self.grads["s"][...] = (dy * self._x).sum(0)
        return dy * self.params["s"]


@pytest.mark.parametrize("rest, where", [
    (lambda: [NoReturnScale(), gn.Dense(4, 1)], 1),
    (lambda: [gn.Dense(4, 1), NoReturnScale()], 2),   # last: refused as in the middle
])
def test_build_returning_none_is_named(data, rest, where):
    X, y = data
    msg = (rf"layer {where} \(NoReturnScale\)\.build\(\) returned None; it must return its "
           rf"output width")
    with pytest.raises(TypeError, match=msg):
        gn.Sequential([gn.Dense(3, 4), *rest()], seed=0)   # built at once: n_in is known
    with pytest.raises(TypeError, match=msg):
        gn.Sequential([gn.Dense(4), *rest()], seed=0).fit(X, y, loss="mse")   # built by fit


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
    class Reassign(gn.Layer):
        def build(self, n_in, rng=None, dtype="float32"):
            self.n_in = self.n_out = n_in
            self.params = {"s": np.ones(n_in, dtype)}
            self.grads = {"s": np.zeros(n_in, dtype)}
            return n_in

        def forward(self, x, training=False):
            self._x = x
            return x * self.params["s"]

        def backward(self, dy):
            self.grads["s"] = (dy * self._x).sum(0)
            return dy * self.params["s"]

    X, y = data
    m = gn.Sequential([gn.Dense(3, 4), Reassign(), gn.Dense(4, 1)], seed=0)
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


class F64Build(NoReturnScale):
    def build(self, n_in, rng=None, dtype="float32"):
        super().build(n_in, rng, "float64")   # ignores the dtype it is given
        return n_in


class F64LossGrad(ArrLoss):
    def forward(self, y_pred, y_true, weights=None):
        return float(np.mean(super().forward(y_pred, y_true)))

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


# -------------------------------------------------- stop_training set in on_batch_end
def test_stop_in_on_batch_end_records_the_partial_epoch(data):
    X, y = data

    class Stop(gn.callbacks.Callback):
        def __init__(self):
            self.batches, self.epochs, self.end = [], [], None

        def on_batch_end(self, batch, logs=None):
            self.batches.append(dict(logs))
            if batch == 1:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            self.epochs.append((epoch, dict(logs)))

        def on_train_end(self, logs=None):
            self.end = dict(logs)

    stop = Stop()
    m = gn.Sequential([gn.Dense(3, 1), gn.Sigmoid()], seed=0)
    h = m.fit(X, y, loss="bce", epochs=3, batch_size=8, validation_split=0.25,
              metrics=["accuracy"], callbacks=[stop])
    assert len(stop.batches) == 2 and [e for e, _ in stop.epochs] == [0]
    assert h.epoch == [0] and h.stopped_early and m.epochs_trained == 1
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    # the loss of the two batches run (8 rows each), the validation of the weights left
    assert h.history["loss"][0] == pytest.approx(np.mean([b["loss"] for b in stop.batches]))
    assert h.history["val_loss"][0] == stop.epochs[0][1]["val_loss"] == stop.end["val_loss"]
    Xv_loss = m.evaluate(X, y, loss="bce")["loss"]   # the model did train on those rows
    assert np.isfinite(Xv_loss)
    assert 0 <= h.history["accuracy"][0] <= 1


def test_partial_epoch_metrics_undefined_on_its_rows_are_nan(data):
    X, y = data
    order = np.argsort(y, kind="stable")       # the first batch holds one class only
    X, y = X[order], y[order]

    class Stop(gn.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            self.model.stop_training = True

    with pytest.warns(gn.metrics.UndefinedMetricWarning, match="metric 'roc_auc' is NaN"):
        h = gn.Sequential([gn.Dense(3, 1), gn.Sigmoid()], seed=0).fit(
            X, y, loss="bce", epochs=2, batch_size=8, shuffle=False, metrics=["roc_auc"],
            callbacks=[Stop()])
    assert h.epoch == [0] and np.isnan(h.history["roc_auc"][0])
    assert np.isfinite(h.history["loss"][0])


def test_partial_metrics_helper_matches_compute_metrics(data):
    X, y = data
    out = np.random.default_rng(1).random((16, 1)).astype("float32")
    yt = y[:16].reshape(-1, 1)
    loss = gn.losses.BinaryCrossEntropy()
    assert _train._partial_metrics(("accuracy",), yt, out, loss) == \
        _train.compute_metrics(("accuracy",), yt, out, loss)
