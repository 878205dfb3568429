"""The fit loop: History, batching, validation, callbacks, regularization, determinism, the
divergence guard, Ctrl-C, metrics, prediction helpers, dtypes and argument checking."""
import copy
import csv
import io
import json
import math
import os
import re
import subprocess
import sys
import textwrap
import types
import warnings
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import metrics as M
from glassnet.data import make_moons
from glassnet.optim import ReduceLROnPlateau, StepLR
from glassnet.train import DivergenceError


# --------------------------------------------------------------------------------- helpers
@pytest.fixture(scope="module")
def moons():
    X, y = make_moons(200, noise=0.2, seed=0)
    Xv, yv = make_moons(100, noise=0.2, seed=1)
    return X, y, Xv, yv


def mlp(seed=0, hidden=8, dropout=0.0, dtype="float32"):
    layers = [gn.Dense(2, hidden, activation="tanh")]
    if dropout:
        layers.append(gn.Dropout(dropout))
    layers += [gn.Dense(hidden, 1), gn.Sigmoid()]
    return gn.Sequential(layers, seed=seed, dtype=dtype)


class Recorder(gn.Callback):
    """Copies of the weights at each epoch's beginning and end, the learning rate seen by each
    batch, and the size of each batch."""

    def __init__(self):
        self.begin, self.end, self.batch_lr, self.sizes, self.calls = [], [], [], [], []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))
        self.begin.append(self.model.get_weights())
        self.sizes.append([])

    def on_batch_begin(self, batch, logs=None):
        self.batch_lr.append(self.model.optimizer.lr)

    def on_batch_end(self, batch, logs=None):
        self.sizes[-1].append(logs["size"])

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch))
        self.end.append(self.model.get_weights())

    def on_train_end(self, logs=None):
        self.calls.append("train_end")


def same(ws1, ws2):
    return len(ws1) == len(ws2) and all(np.array_equal(a, b) for a, b in zip(ws1, ws2))


# --------------------------------------------------------------------------------- History
def test_fit_returns_history_with_per_epoch_values(moons):
    X, y, Xv, yv = moons
    model = mlp()
    rec = Recorder()
    h = model.fit(X, y, optimizer=gn.Adam(lr=0.05), epochs=7, batch_size=50,
                  validation_data=(Xv, yv), metrics=["accuracy", "f1"], callbacks=[rec])
    assert isinstance(h, gn.History) and model.history is h
    assert h.epoch == list(range(7))
    assert set(h.history) == {"loss", "accuracy", "f1", "val_loss", "val_accuracy", "val_f1",
                              "lr"}
    assert all(len(v) == 7 for v in h.history.values())
    assert all(isinstance(v, float) and math.isfinite(v) for vs in h.history.values() for v in vs)
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert h.history["lr"] == [0.05] * 7
    assert not (h.stopped_early or h.diverged or h.interrupted)
    assert model.epochs_trained == 7
    # the callback protocol, in order
    assert rec.calls[0] == "train_begin" and rec.calls[-1] == "train_end"
    assert rec.calls[1:-1] == [c for e in range(7) for c in (("epoch_begin", e), ("epoch_end", e))]
    assert "History(epochs=7" in repr(h)


def test_loss_is_the_mean_of_the_batch_losses(moons):
    X, y, _, _ = moons
    losses = []

    class Batches(gn.Callback):
        def on_batch_end(self, batch, logs=None):
            losses.append((logs["loss"], logs["size"]))

    h = mlp().fit(X, y, epochs=1, batch_size=64, shuffle=False, callbacks=[Batches()])
    assert [s for _, s in losses] == [64, 64, 64, 8]
    mean = sum(v * s for v, s in losses) / 200
    assert h.history["loss"][0] == pytest.approx(mean, rel=1e-6)


def test_batch_size_none_is_full_batch_gradient_descent():
    """One step per epoch over all rows: equals w ← w − η·∇ computed by hand (linear model,
    MSE)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    W0 = rng.normal(size=(3, 1))
    model = gn.Sequential([gn.Dense(3, 1, init=W0.copy())], dtype="float64")
    rec = Recorder()
    model.fit(X, y, loss="mse", optimizer=gn.SGD(lr=0.1), epochs=5, batch_size=None,
              callbacks=[rec])
    assert rec.sizes == [[30]] * 5
    W, b = W0.copy(), np.zeros(1)
    for _ in range(5):
        r = X @ W + b - y[:, None]
        W -= 0.1 * 2 * X.T @ r / 30
        b -= 0.1 * 2 * r.sum(0) / 30
    np.testing.assert_allclose(model.layers[0].params["W"], W, rtol=1e-12)
    np.testing.assert_allclose(model.layers[0].params["b"], b, rtol=1e-12)
    # a batch larger than the data is full-batch too
    rec2 = Recorder()
    mlp().fit(X[:, :2], (y > 0).astype(int), epochs=2, batch_size=1000, callbacks=[rec2])
    assert rec2.sizes == [[30], [30]]


def test_shuffle_false_keeps_row_order_and_shuffle_true_changes_it():
    X = np.arange(40, dtype=np.float32).reshape(20, 2)
    y = (X[:, 0] > 19).astype(int)
    seen = {}

    class FirstColumn(gn.Callback):  # the rows the first layer saw, batch by batch
        def on_batch_end(self, batch, logs=None):
            seen.setdefault(self.key, []).append(self.model.layers[0]._x[:, 0].copy())

    for shuffle in (False, True):
        cb = FirstColumn()
        cb.key = shuffle
        mlp().fit(X, y, epochs=1, batch_size=5, shuffle=shuffle, callbacks=[cb])
    np.testing.assert_array_equal(np.concatenate(seen[False]), X[:, 0])
    shuffled = np.concatenate(seen[True])
    assert sorted(shuffled) == sorted(X[:, 0]) and not np.array_equal(shuffled, X[:, 0])


# ------------------------------------------------------------------------------ validation
def test_validation_data_is_evaluated_with_the_epochs_weights(moons):
    X, y, Xv, yv = moons
    model = mlp()
    h = model.fit(X, y, epochs=4, batch_size=32, validation_data=(Xv, yv),
                  metrics=["accuracy"])
    ev = model.evaluate(Xv, yv, metrics=["accuracy"])
    assert h.history["val_loss"][-1] == pytest.approx(ev["loss"], rel=1e-6)
    assert h.history["val_accuracy"][-1] == ev["accuracy"]


def test_validation_split_holds_out_rows(moons):
    X, y, Xv, yv = moons
    rec = Recorder()
    h = mlp().fit(X, y, epochs=3, batch_size=40, validation_split=0.25, callbacks=[rec])
    assert [sum(s) for s in rec.sizes] == [150] * 3  # 50 of the 200 rows held out
    assert len(h.history["val_loss"]) == 3
    # validation_data, when given, wins over validation_split
    rec = Recorder()
    h = mlp().fit(X, y, epochs=1, batch_size=None, validation_split=0.5,
                  validation_data=(Xv, yv), callbacks=[rec])
    assert rec.sizes == [[200]]


def test_a_later_fit_holds_out_the_same_rows(moons, tmp_path_factory):
    """Trial R5: each fit drew a new split, so continuing training validated on rows the
    network had trained on (34 of 50); now 4 + 4 epochs equal 8 in one call, bit for bit."""
    X, y, _, _ = moons
    kw = dict(batch_size=16, validation_split=0.25)
    one = mlp()
    h1 = one.fit(X, y, epochs=8, optimizer=gn.Adam(0.01), **kw)
    two, opt = mlp(), gn.Adam(0.01)   # one optimizer for both calls: its moments go on
    ha = two.fit(X, y, epochs=4, optimizer=opt, **kw)
    hb = two.fit(X, y, epochs=4, initial_epoch=4, optimizer=opt, **kw)
    assert all(a.tobytes() == b.tobytes() for a, b in zip(one.get_weights(), two.get_weights()))
    assert ha.history["val_loss"] + hb.history["val_loss"] == h1.history["val_loss"]
    # through a model file and a checkpoint as well (review: both drew a new split)
    def held_out(m):
        bg = type(m.rng.bit_generator)()
        bg.state = m._split_rng_state
        return set(np.random.Generator(bg).permutation(len(X))[:50].tolist())

    tmp = tmp_path_factory.mktemp("split")
    gn.io.save_model(two, tmp / "m.gnet")
    loaded = gn.io.load_model(tmp / "m.gnet")
    assert loaded._split_rows == len(X) and held_out(loaded) == held_out(two)
    loaded.fit(X, y, epochs=1, **kw)
    assert held_out(loaded) == held_out(two)
    three = mlp()
    three.fit(X, y, epochs=2, callbacks=[gn.ModelCheckpoint(tmp / "c.gnet")], **kw)
    again, _ = gn.io.load_checkpoint(tmp / "c.gnet")
    assert held_out(again) == held_out(three)
    # a generator of another kind put on the model since: the split's own kind is used
    want = held_out(two)
    two.rng = np.random.Generator(np.random.PCG64DXSM(1))
    two.fit(X, y, epochs=1, **kw)
    bg = np.random.PCG64()
    bg.state = two._split_rng_state
    assert set(np.random.Generator(bg).permutation(len(X))[:50].tolist()) == want
    # data of another length: a new split, drawn from the model's generator
    rec = Recorder()
    two.fit(X[:100], y[:100], epochs=1, batch_size=None, validation_split=0.5, callbacks=[rec])
    assert rec.sizes == [[50]] and two._split_rows == 100


# ------------------------------------------------------------------------------ callbacks
@pytest.fixture(scope="module")
def overfit():
    """A tiny noisy training set and a big network: the validation loss falls, then rises."""
    X, y = make_moons(40, noise=0.35, seed=1)
    Xv, yv = make_moons(400, noise=0.35, seed=2)
    return X, y, Xv, yv


def big(seed=0):
    return gn.Sequential([gn.Dense(2, 64, activation="relu"), gn.Dense(64, 64, activation="relu"),
                          gn.Dense(64, 1), gn.Sigmoid()], seed=seed)


@pytest.mark.parametrize("patience", [0, 5])
def test_early_stopping_stops_and_restores_the_best_weights(overfit, patience):
    X, y, Xv, yv = overfit
    model = big()
    rec = Recorder()
    es = gn.EarlyStopping(monitor="val_loss", patience=patience)
    h = model.fit(X, y, optimizer=gn.Adam(lr=0.01), epochs=300, batch_size=None,
                  validation_data=(Xv, yv), callbacks=[rec, es])
    val = h.history["val_loss"]
    best = int(np.argmin(val))
    assert h.stopped_early and "early stopping" in h.stop_reason
    assert best > 0  # a real minimum, not the first epoch
    # Keras semantics: stop after `patience` epochs without improvement
    assert len(h.epoch) == best + 1 + max(patience, 1)
    assert es.best_epoch == best and es.best == val[best]
    assert same(model.get_weights(), rec.end[best])
    assert not same(model.get_weights(), rec.end[-1])


def test_early_stopping_without_restore_keeps_the_last_weights(overfit):
    X, y, Xv, yv = overfit
    model = big()
    rec = Recorder()
    h = model.fit(X, y, optimizer=gn.Adam(lr=0.01), epochs=300, batch_size=None,
                  validation_data=(Xv, yv),
                  callbacks=[rec, gn.EarlyStopping(patience=3, restore_best_weights=False)])
    assert h.stopped_early and len(h.epoch) < 300
    assert same(model.get_weights(), rec.end[-1])


def test_early_stopping_on_accuracy_maximizes_and_falls_back_without_validation(moons):
    X, y, Xv, yv = moons
    es = gn.EarlyStopping(monitor="val_accuracy", patience=2)
    mlp().fit(X, y, epochs=30, batch_size=None, optimizer=gn.SGD(lr=1e-6),
              validation_data=(Xv, yv), metrics=["accuracy"], callbacks=[es])
    assert es._max  # "acc" in the name: greater is better
    with pytest.warns(RuntimeWarning, match="logged only with validation data"):
        h = mlp().fit(X, y, epochs=50, batch_size=None, optimizer=gn.SGD(lr=1e-9),
                      callbacks=[gn.EarlyStopping(patience=2, min_delta=1e-3)])
    assert h.stopped_early and len(h.epoch) == 3  # the loss hardly moves: 2 bad epochs


def test_learning_rate_scheduler_sets_lr_each_epoch(moons):
    X, y, _, _ = moons
    opt = gn.SGD(lr=0.1)
    rec = Recorder()
    h = mlp().fit(X, y, optimizer=opt, epochs=6, batch_size=100,
                  callbacks=[gn.LearningRateScheduler(StepLR(step_size=2, gamma=0.5)), rec])
    expected = [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert h.history["lr"] == pytest.approx(expected, rel=1e-12)
    assert rec.batch_lr == pytest.approx([v for v in expected for _ in range(2)], rel=1e-12)
    assert opt.lr == pytest.approx(0.025)
    # a Keras-style function of (epoch, lr)
    h = mlp().fit(X, y, optimizer=gn.SGD(lr=1.0), epochs=3, batch_size=None,
                  callbacks=[gn.LearningRateScheduler(lambda epoch, lr: 1.0 / (epoch + 1))])
    assert h.history["lr"] == pytest.approx([1.0, 0.5, 1 / 3])
    with pytest.raises(ValueError, match="schedule returned"):
        mlp().fit(X, y, epochs=2, callbacks=[gn.LearningRateScheduler(lambda e, lr: -1.0)])


def test_reduce_lr_on_plateau_in_fit(moons):
    X, y, _, _ = moons
    # a 50% relative threshold: every epoch counts as a plateau
    plateau = ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5, threshold=0.5)
    rec = Recorder()
    h = mlp().fit(X, y, optimizer=gn.SGD(lr=0.01), epochs=6, batch_size=100,
                  callbacks=[plateau, rec])
    # epoch 0 sets the best; epochs 1-2 are bad (2 > patience): halved after epoch 2, and
    # after epochs 3-4 again. History logs the rate each epoch trained with.
    assert h.history["lr"] == pytest.approx([0.01, 0.01, 0.01, 0.005, 0.005, 0.0025])
    assert rec.batch_lr == pytest.approx([0.01] * 6 + [0.005] * 4 + [0.0025] * 2)
    assert plateau.model.optimizer.lr == pytest.approx(0.0025)
    # with real progress, the rate stays
    h = mlp().fit(X, y, optimizer=gn.SGD(lr=0.5), epochs=5, batch_size=None,
                  callbacks=[ReduceLROnPlateau(monitor="loss", patience=1)])
    assert h.history["lr"] == [0.5] * 5


def test_reduce_on_plateau_mode_auto_maximizes_scores():
    assert gn.ReduceLROnPlateau is ReduceLROnPlateau
    for monitor, maximize in [("val_accuracy", True), ("val_acc", True), ("f1_macro", True),
                              ("val_loss", False), ("mse", False), ("val_log_loss", False)]:
        cb = ReduceLROnPlateau(monitor=monitor, patience=0, factor=0.5)
        assert cb.mode == "auto" and cb._max is maximize and cb.best == (
            -math.inf if maximize else math.inf), monitor
    # a rising accuracy is progress: the rate stays until the accuracy stops rising
    opt = gn.SGD(lr=1.0)
    cb = ReduceLROnPlateau(monitor="val_accuracy", patience=0, factor=0.5)
    cb.set_model(types.SimpleNamespace(optimizer=opt))
    cb.on_train_begin({})
    lrs = []
    for e, acc in enumerate([0.7, 0.75, 0.8, 0.85, 0.85]):
        cb.on_epoch_end(e, {"loss": 1.0, "val_loss": 1.0, "val_accuracy": acc})
        lrs.append(opt.lr)
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5]
    assert ReduceLROnPlateau(**cb.config()).config() == cb.config()


def test_reduce_on_plateau_on_accuracy_in_fit_keeps_the_rate_while_it_improves(moons):
    X, y, Xv, yv = moons
    h = mlp().fit(X, y, epochs=8, batch_size=None, validation_data=(Xv, yv),
                  optimizer=gn.Adam(lr=0.01), metrics=["accuracy"],
                  callbacks=[ReduceLROnPlateau(monitor="val_accuracy", patience=0,
                                               factor=0.5, threshold=0.0)])
    acc, lr = h.history["val_accuracy"], h.history["lr"]
    # lr[e] is the rate epoch e trained with: an epoch that beats every one before it keeps
    # the rate for the next
    better = [e for e in range(1, len(acc) - 1) if acc[e] > max(acc[:e])]
    assert better, acc
    assert all(lr[e + 1] == lr[e] for e in better), (acc, lr)


def test_csv_logger_writes_one_row_per_epoch(moons, tmp_path):
    X, y, Xv, yv = moons
    path = tmp_path / "log.csv"
    h = mlp().fit(X, y, epochs=4, batch_size=None, validation_data=(Xv, yv),
                  metrics=["accuracy"], callbacks=[gn.CSVLogger(str(path))])
    rows = list(csv.DictReader(path.open()))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2, 3]
    assert set(rows[0]) == {"epoch", *h.history}
    for key, values in h.history.items():
        assert [float(r[key]) for r in rows] == values
    # append=True continues the same file without a second header
    mlp().fit(X, y, epochs=2, batch_size=None, validation_data=(Xv, yv), metrics=["accuracy"],
              callbacks=[gn.CSVLogger(str(path), append=True)])
    lines = path.read_text().splitlines()
    assert len(lines) == 1 + 4 + 2 and lines[0].startswith("epoch,")
    # appending a run that logs other values keeps the file's columns (blank where a value
    # is missing) and names what it could not write
    with pytest.warns(RuntimeWarning, match=r"CSVLogger: .*not written: f1 "):
        mlp().fit(X, y, epochs=1, batch_size=None, metrics=["f1"],
                  callbacks=[gn.CSVLogger(str(path), append=True)])
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 7 and set(rows[-1]) == {"epoch", *h.history}
    assert rows[-1]["val_loss"] == "" and rows[-1]["accuracy"] == ""
    assert float(rows[-1]["loss"]) > 0


def test_model_checkpoint_fills_in_epoch_and_logged_values(moons, tmp_path):
    X, y, Xv, yv = moons
    ck = gn.ModelCheckpoint(tmp_path / "m-{epoch:02d}-{val_loss:.2f}.gnet", every=2,
                            training_state=False)
    h = mlp().fit(X, y, epochs=4, batch_size=None, validation_data=(Xv, yv), callbacks=[ck])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"m-{e:02d}-{h.history['val_loss'][e - 1]:.2f}.gnet" for e in (2, 4)]
    bad = gn.ModelCheckpoint(tmp_path / "m-{val_acc}.gnet")
    with pytest.raises(ValueError, match=r"cannot be filled in: KeyError\('val_acc'\)"):
        mlp().fit(X, y, epochs=1, batch_size=None, callbacks=[bad])


# -------------------------------------------------------------------------------- dropout
def test_dropout_mask_and_scaling():
    layer = gn.Dropout(0.3, seed=0)
    x = np.ones((2000, 50), dtype=np.float32)
    out = layer.forward(x, training=True)
    assert out.dtype == np.float32 and out.shape == x.shape
    vals = np.unique(out)
    np.testing.assert_allclose(vals, [0.0, 1 / 0.7], rtol=1e-6)
    assert (out == 0).mean() == pytest.approx(0.3, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.01)  # inverted dropout keeps the mean
    # backward multiplies by the same mask, scaled the same way
    dy = np.random.default_rng(1).normal(size=x.shape).astype(np.float32)
    dx = layer.backward(dy)
    np.testing.assert_array_equal(dx, dy * out)
    # a fresh forward draws a fresh mask
    assert not np.array_equal(layer.forward(x, training=True), out)


def test_dropout_is_off_at_inference_and_at_rate_zero():
    x = np.random.default_rng(0).normal(size=(100, 10))
    layer = gn.Dropout(0.5, seed=0)
    np.testing.assert_array_equal(layer.forward(x, training=False), x)
    dy = np.ones_like(x)
    np.testing.assert_array_equal(layer.backward(dy), dy)
    np.testing.assert_array_equal(gn.Dropout(0.0).forward(x, training=True), x)
    with pytest.raises(ValueError):
        gn.Dropout(1.0)
    with pytest.raises(ValueError):
        gn.Dropout(-0.1)


def test_dropout_in_a_model_trains_noisily_and_predicts_deterministically(moons):
    X, y, _, _ = moons
    model = mlp(dropout=0.5)
    model.fit(X, y, epochs=2, batch_size=None)
    np.testing.assert_array_equal(model.predict(X), model.predict(X))
    a, b = model.forward(X, training=True), model.forward(X, training=True)
    assert not np.array_equal(a, b)


# ----------------------------------------------------------------------------- L2 penalty
def test_weight_decay_shrinks_weights(moons):
    X, y, _, _ = moons
    norms = {}
    for wd in (0.0, 0.1):
        model = mlp(hidden=16)
        model.fit(X, y, optimizer=gn.Adam(lr=0.05, weight_decay=wd), epochs=100,
                  batch_size=None)
        norms[wd] = sum(float(np.sum(w ** 2)) for w in model.get_weights())
    assert norms[0.1] < 0.5 * norms[0.0]


def test_weight_decay_alone_is_exponential_shrinkage():
    """With zero inputs the data gradient of W vanishes: only the L2 term λ·w acts, so
    W = W₀·(1 − η·λ)^steps."""
    W0 = np.array([[1.0, -2.0], [0.5, 3.0]])
    model = gn.Sequential([gn.Dense(2, 2, init=W0.copy(), bias=False)], dtype="float64")
    X = np.zeros((8, 2))
    model.fit(X, np.zeros((8, 2)), loss="mse", optimizer=gn.SGD(lr=0.1, weight_decay=0.5),
              epochs=10, batch_size=4)
    np.testing.assert_allclose(model.layers[0].params["W"], W0 * (1 - 0.05) ** 20, rtol=1e-12)


# ---------------------------------------------------------------------------- determinism
def _train(seed, moons):
    X, y, _, _ = moons
    model = mlp(seed=seed, hidden=16, dropout=0.3)
    h = model.fit(X, y, optimizer=gn.Adam(lr=0.01), epochs=5, batch_size=16, shuffle=True,
                  validation_split=0.2, metrics=["accuracy"])
    return model.get_weights(), h.history


def test_training_is_deterministic(moons):
    w1, h1 = _train(7, moons)
    w2, h2 = _train(7, moons)
    assert same(w1, w2)  # bit-identical
    assert h1 == h2
    w3, h3 = _train(8, moons)
    assert not any(np.array_equal(a, b) for a, b in zip(w1, w3))
    assert h1 != h3


# ------------------------------------------------------------------------ divergence guard
@pytest.fixture(scope="module")
def unscaled():
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(200, 3)) * 100 + 500).astype(np.float32)
    y = X @ np.array([1.0, -2.0, 3.0], dtype=np.float32)
    return X, y


def regressor():
    return gn.Sequential([gn.Dense(3, 8, activation="relu"), gn.Dense(8, 1)], seed=0)


def test_divergence_stops_with_a_warning_and_restores_weights(unscaled):
    X, y = unscaled
    model = regressor()
    rec = Recorder()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = model.fit(X, y, loss="mse", optimizer=gn.SGD(lr=10.0), epochs=20, batch_size=32,
                      callbacks=[rec])
    # one clear warning, not NumPy's overflow noise before it
    assert [str(w.message)[:18] for w in caught] == ["training diverged:"]
    assert re.search(r"diverged.*learning rate \(now 10\)", str(caught[0].message))
    assert h.diverged and not h.stopped_early
    assert "learning rate" in h.stop_reason
    assert all(np.isfinite(w).all() for w in model.get_weights())
    # the weights from the start of the epoch that diverged
    assert same(model.get_weights(), rec.begin[-1])
    # the failed epoch is recorded with a NaN loss (as Keras's TerminateOnNaN)
    assert len(h.epoch) == len(rec.begin) and math.isnan(h.history["loss"][-1])
    assert all(math.isfinite(v) for v in h.history["loss"][:-1])


def test_the_divergence_hint_names_large_targets_and_an_l2_penalty():
    """Trial 15/J finding 4: the hint always said 'a lower learning rate or scale the inputs',
    also where targets of 1e9 or a huge L2 penalty were the cause."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3))
    y = X @ np.array([1.0, 2.0, -1.0])
    with pytest.warns(RuntimeWarning, match=r"scaled inputs \(standardize them\), scaled "
                                            r"targets \(they reach 8\.\d+e\+09: divide them"):
        regressor().fit(X, y * 1e9, loss="mse", optimizer=gn.SGD(lr=0.01), epochs=3)
    big_l2 = gn.Sequential([gn.Dense(3, 8, activation="relu", l2=1e30), gn.Dense(8, 1)], seed=0)
    with pytest.warns(RuntimeWarning, match=r"a smaller L2 penalty \(Dense\(l2=\.\.\.\)\)\.$"):
        big_l2.fit(X, y, loss="mse", optimizer=gn.SGD(lr=0.01), epochs=3)


def test_a_first_epoch_that_diverges_is_recorded_with_nan_values(moons, tmp_path):
    # Trial D finding 12: history.history was {} after a divergence in the first epoch, so
    # history.history["val_accuracy"][-1] raised KeyError.
    X, y, Xv, yv = moons
    model = gn.Sequential([gn.Dense(2, 16, activation="relu"), gn.Dense(16, 1), gn.Sigmoid()],
                          seed=0)
    ck = tmp_path / "ck-{epoch}.gnet"
    with pytest.warns(RuntimeWarning, match="training diverged"):
        h = model.fit(X, y, optimizer=gn.SGD(lr=1e10), epochs=20, metrics=["accuracy"],
                      validation_data=(Xv, yv),
                      callbacks=[gn.CSVLogger(tmp_path / "log.csv"), gn.ModelCheckpoint(ck),
                                 gn.EarlyStopping(patience=1)])
    # trial H finding 9: the diverged epoch (its weights put back) is not counted as trained
    assert h.diverged and h.epoch == [0] and model.epochs_trained == 0
    assert list(h.history) == ["loss", "accuracy", "val_loss", "val_accuracy", "lr"]
    assert math.isnan(h.history["val_accuracy"][-1]) and math.isnan(h.history["loss"][-1])
    assert h.history["lr"] == [1e10]
    rows = list(csv.reader((tmp_path / "log.csv").open()))
    assert rows[0] == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr"]
    assert rows[1][:5] == ["0", "nan", "nan", "nan", "nan"] and len(rows) == 2
    h.to_csv(tmp_path / "h.csv")
    assert (tmp_path / "h.csv").read_text() == (tmp_path / "log.csv").read_text()
    assert not list(tmp_path.glob("ck-*"))  # the restored weights are not saved as epoch 1
    # without validation or metrics only the keys fit logs are there
    model = gn.Sequential([gn.Dense(2, 16, activation="relu"), gn.Dense(16, 1), gn.Sigmoid()],
                          seed=0)
    with pytest.warns(RuntimeWarning, match="training diverged"):
        h = model.fit(X, y, optimizer=gn.SGD(lr=1e10), epochs=20)
    assert list(h.history) == ["loss", "lr"] and math.isnan(h.history["loss"][0])


def test_divergence_can_raise(unscaled):
    X, y = unscaled
    model = regressor()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's overflow warnings on the way
        with pytest.raises(DivergenceError, match="learning rate"):
            model.fit(X, y, loss="mse", optimizer=gn.SGD(lr=10.0), epochs=20, batch_size=32,
                      on_nonfinite="raise")
    assert issubclass(DivergenceError, RuntimeError)
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_callbacks_finish_when_fit_raises(unscaled, tmp_path):
    X, y = unscaled
    model = regressor()
    log = gn.CSVLogger(tmp_path / "log.csv")
    with pytest.raises(DivergenceError):
        model.fit(X, y, loss="mse", optimizer=gn.SGD(lr=10.0), epochs=20, batch_size=32,
                  on_nonfinite="raise", callbacks=[log])
    assert log._f.closed  # on_train_end ran


def test_full_batch_neither_copies_the_data_nor_depends_on_shuffle():
    import tracemalloc
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4000, 200)).astype(np.float32)  # 3.2 MB: the data dominates
    y = (X[:, 0] > 0).astype(np.int64)
    weights = []
    for shuffle in (True, False):
        model = gn.Sequential([gn.Dense(200, 4, activation="tanh"), gn.Dense(1), gn.Sigmoid()],
                              seed=0)
        tracemalloc.start()
        model.fit(X, y, optimizer=gn.SGD(lr=0.5), epochs=3, batch_size=None, shuffle=shuffle)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 0.5 * X.nbytes  # activations and targets, never a copy of X
        weights.append(model.get_weights())
    assert same(*weights)


def test_binary_metric_names_are_macro_averaged_for_several_classes():
    X, y = gn.data.make_spirals(300, n_classes=3, seed=0)
    model = gn.Sequential([gn.Dense(2, 16, activation="relu"), gn.Dense(3), gn.Softmax()],
                          seed=0)
    h = model.fit(X, y, epochs=3, shuffle=False, metrics=["f1", "precision", "recall"])
    assert set(h.history) >= {"f1", "precision", "recall"}
    pred = model.predict_classes(X)
    # the last epoch's training metrics were computed batch by batch; recompute at the end
    # with evaluate and compare with glassnet.metrics' macro average
    res = model.evaluate(X, y, metrics=["f1", "precision"])
    assert res["f1"] == pytest.approx(M.f1_score(y, pred, average="macro"))
    assert res["precision"] == pytest.approx(
        M.precision_score(y, pred, average="macro", zero_division=0))


def test_binary_metric_names_stay_binary_on_two_class_outputs():
    """A 2-class Softmax model's "f1" is the binary F1 (class 1 positive), as metrics.get
    says, not the macro average (trial P: 0.53 reported where the binary F1 was 0.23)."""
    rng = np.random.default_rng(6)
    X = rng.normal(size=(600, 3))
    y = (rng.random(600) < 0.08).astype(int)
    X[y == 1] += 1.0
    model = gn.Sequential([gn.Dense(3, 2), gn.Softmax()], seed=0)
    h = model.fit(X, y, epochs=15, sample_weight=np.where(y == 1, 10.0, 1.0),
                  metrics=["f1", "precision", "recall", "f1_macro"])
    assert {"f1", "precision", "recall", "f1_macro"} <= set(h.history)
    pred = model.predict_classes(X)
    assert 0 < pred.sum() < len(pred)
    res = model.evaluate(X, y, metrics=["f1", "precision", "recall", "f1_macro"])
    assert res["f1"] == pytest.approx(M.f1_score(y, pred))
    assert res["precision"] == pytest.approx(M.precision_score(y, pred))
    assert res["recall"] == pytest.approx(M.recall_score(y, pred))
    assert res["f1_macro"] == pytest.approx(M.f1_score(y, pred, average="macro"))
    assert abs(res["f1"] - res["f1_macro"]) > 0.05     # the two averages really differ here


# --------------------------------------------------------------------------- interruption
SIGINT_SCRIPT = textwrap.dedent("""
    import json, os, signal, sys, warnings
    import numpy as np
    import glassnet as gn

    class Interrupt(gn.Callback):
        def on_batch_end(self, batch, logs=None):
            self.model.batches = getattr(self.model, "batches", 0) + 1
            if self.model.batches == 5:
                os.kill(os.getpid(), signal.SIGINT)

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 4)).astype(np.float32)
    y = (X.sum(1) > 0).astype(int)
    model = gn.Sequential([gn.Dense(4, 8, activation="relu"), gn.Dense(8, 1), gn.Sigmoid()],
                          seed=0)
    init = model.get_weights()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = model.fit(X, y, epochs=50, batch_size=10, callbacks=[Interrupt()])
    print(json.dumps({
        "interrupted": h.interrupted,
        "batches": model.batches,
        "epochs_logged": len(h.epoch),
        "epochs_trained": model.epochs_trained,
        "changed": any(not np.array_equal(a, b) for a, b in zip(init, model.get_weights())),
        "finite": all(bool(np.isfinite(w).all()) for w in model.get_weights()),
        "warning": [str(w.message) for w in caught],
        "handler_restored": signal.getsignal(signal.SIGINT) is signal.default_int_handler,
    }))
""")


def test_sigint_stops_fit_and_keeps_the_weights():
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(src), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", SIGINT_SCRIPT], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["interrupted"] is True
    assert r["batches"] == 5  # stopped at the end of the batch that was interrupted
    assert r["epochs_logged"] == 0  # the first epoch was not complete
    assert r["epochs_trained"] == 0  # trial H finding 9: nor counted as trained
    assert r["changed"] and r["finite"]
    assert any("interrupted" in w for w in r["warning"])
    assert r["handler_restored"]


SIGINT_RESTORE_SCRIPT = textwrap.dedent("""
    import json, os, signal, warnings
    import numpy as np
    import glassnet as gn

    class InterruptAt(gn.Callback):  # Ctrl-C in the middle of epoch `epoch` (from 0)
        def __init__(self, epoch):
            self.epoch = epoch
        def on_epoch_begin(self, epoch, logs=None):
            self.now = epoch
        def on_batch_end(self, batch, logs=None):
            if self.now == self.epoch and batch == 2:
                os.kill(os.getpid(), signal.SIGINT)

    class Reset(gn.Callback):  # puts the first weights back as training ends
        def on_train_begin(self, logs=None):
            self.first = self.model.get_weights()
        def on_train_end(self, logs=None):
            self.model.set_weights(self.first)

    X, y = gn.data.make_moons(400, noise=0.3, seed=0)
    out = {}
    for name, extra in [("best", [gn.EarlyStopping(patience=10**6)]),
                        ("no_restore", [gn.EarlyStopping(patience=10**6,
                                                         restore_best_weights=False)]),
                        ("plain", []), ("reset", [Reset()])]:
        m = gn.Sequential([gn.Dense(2, 16, activation="relu"), gn.Dense(16, 1), gn.Sigmoid()],
                          seed=0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            h = m.fit(X, y, epochs=1000, optimizer=gn.Adam(lr=0.05), batch_size=16,
                      validation_split=0.25, callbacks=[InterruptAt(30), *extra])
        es = extra[0] if name != "reset" and extra else None
        out[name] = {
            "interrupted": h.interrupted, "stop_reason": h.stop_reason,
            "warnings": [str(w.message) for w in caught],
            "best_epoch": None if es is None else es.best_epoch,
            "best_kept": es is not None and es.best_weights is not None and all(
                np.array_equal(a, b) for a, b in zip(m.get_weights(), es.best_weights)),
            "epochs_logged": len(h.epoch),
        }
    print(json.dumps(out))
""")


def test_the_ctrl_c_message_names_the_weights_that_are_really_kept():
    # Trial D finding 9: with EarlyStopping, Ctrl-C used to say "the weights trained so far
    # are kept" while the model held the best epoch's weights, put back as training ended.
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(src), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-c", SIGINT_RESTORE_SCRIPT], capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    head = "interrupted (Ctrl-C) during epoch 31; "
    best = r["best"]
    assert best["interrupted"] and best["epochs_logged"] == 30 and best["best_kept"]
    assert best["best_epoch"] < 29  # an earlier epoch than the last one, so it matters here
    assert best["stop_reason"] == (f"{head}the weights of epoch {best['best_epoch'] + 1} "
                                   f"(best val_loss) are kept")
    assert best["warnings"] == [best["stop_reason"]]
    for name in ("no_restore", "plain"):
        assert r[name]["stop_reason"] == head + "the weights trained so far are kept", name
        assert r[name]["warnings"] == [r[name]["stop_reason"]]
    assert r["reset"]["stop_reason"] == (head + "a callback replaced the weights trained so "
                                         "far as training ended (on_train_end); its weights "
                                         "are kept")


def test_after_a_divergence_the_stop_reason_says_early_stopping_put_back_its_best():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)).astype(np.float32)
    y = X @ np.array([1.0, -2.0, 3.0], dtype=np.float32)
    model = gn.Sequential([gn.Dense(3, 8, activation="relu"), gn.Dense(8, 1)], seed=0)
    es = gn.EarlyStopping(patience=100)
    boom = gn.LearningRateScheduler(lambda e, lr: 0.01 if e < 4 else 1e12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = model.fit(X, y, loss="mse", optimizer=gn.SGD(lr=0.01), epochs=10, batch_size=32,
                      validation_split=0.2, callbacks=[es, boom])
    assert h.diverged and es.restored_epoch == es.best_epoch == 3
    assert h.stop_reason.startswith("training diverged: the loss became non-finite at epoch 5")
    assert h.stop_reason.endswith(" EarlyStopping then put back the weights of epoch 4 "
                                  "(best val_loss).")
    assert same(model.get_weights(), es.best_weights)


# ------------------------------------------------------------------------------- metrics
def test_training_metrics_equal_glassnet_metrics_on_the_same_predictions(moons):
    """Full batch, no shuffling: epoch e's training metrics are those of the predictions made
    with the weights at the start of epoch e."""
    X, y, Xv, yv = moons
    names = ["accuracy", "precision", "recall", "f1", "f1_macro", "log_loss", "roc_auc"]
    model = mlp()
    rec = Recorder()
    h = model.fit(X, y, optimizer=gn.Adam(lr=0.05), epochs=5, batch_size=None, shuffle=False,
                  metrics=names, validation_data=(Xv, yv), callbacks=[rec])
    probe = mlp()
    for e, weights in enumerate(rec.begin):
        probe.set_weights(weights)
        p = probe.predict(X)[:, 0]
        labels = (p > 0.5).astype(int)
        assert h.history["accuracy"][e] == M.accuracy_score(y, labels)
        assert h.history["precision"][e] == M.precision_score(y, labels)
        assert h.history["recall"][e] == M.recall_score(y, labels)
        assert h.history["f1"][e] == M.f1_score(y, labels)
        assert h.history["f1_macro"][e] == M.f1_score(y, labels, average="macro")
        assert h.history["log_loss"][e] == pytest.approx(M.log_loss(y, p), rel=1e-6)
        assert h.history["roc_auc"][e] == M.roc_auc_score(y, p)
    pv = model.predict(Xv)[:, 0]
    assert h.history["val_accuracy"][-1] == M.accuracy_score(yv, (pv > 0.5).astype(int))
    assert h.history["val_roc_auc"][-1] == M.roc_auc_score(yv, pv)


def test_regression_and_multiclass_metrics_in_fit():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = X @ np.array([1.0, 2.0, -1.0])
    model = gn.Sequential([gn.Dense(3, 1)], seed=0, dtype="float64")
    h = model.fit(X, y, loss="mse", optimizer=gn.SGD(lr=0.05), epochs=3, batch_size=None,
                  metrics=["mse", "mae", "r2"], validation_data=(X, y))
    out = model.predict(X)[:, 0]
    assert h.history["val_mse"][-1] == pytest.approx(M.mean_squared_error(y, out), rel=1e-12)
    assert h.history["val_mae"][-1] == pytest.approx(M.mean_absolute_error(y, out), rel=1e-12)
    assert h.history["val_r2"][-1] == pytest.approx(M.r2_score(y, out), rel=1e-12)
    assert h.history["val_mse"][-1] == pytest.approx(h.history["val_loss"][-1], rel=1e-12)

    labels = rng.integers(0, 3, size=120)
    clf = gn.Sequential([gn.Dense(3, 3), gn.Softmax()], seed=0)
    h = clf.fit(X, labels, epochs=2, batch_size=None, metrics=["accuracy", "f1_weighted"],
                validation_data=(X, labels))
    pred = clf.predict(X).argmax(1)
    assert h.history["val_accuracy"][-1] == M.accuracy_score(labels, pred)
    assert h.history["val_f1_weighted"][-1] == M.f1_score(labels, pred, average="weighted")


def test_a_metric_that_does_not_fit_the_model_fails_before_training(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    labels = rng.integers(0, 3, 300)
    clf = gn.Sequential([gn.Dense(4, 8, activation="relu"), gn.Dense(8, 3), gn.Softmax()],
                        seed=0)
    w0, rng0 = clf.get_weights(), clf.rng.bit_generator.state
    log = tmp_path / "h.csv"
    with pytest.raises(ValueError, match=r"^metric 'roc_auc' needs a binary model \(one "
                                         r"output.*; this model has 3 outputs$"):
        clf.fit(X, labels, epochs=5, metrics=["accuracy", "roc_auc"],
                callbacks=[gn.CSVLogger(log)])
    # nothing trained, nothing set, no random number drawn, no callback run
    assert same(clf.get_weights(), w0) and clf.rng.bit_generator.state == rng0
    assert getattr(clf, "optimizer", None) is None and not log.exists()
    with pytest.raises(ValueError, match="^metric 'mse' compares the outputs with numeric "
                                         "targets.*3 outputs.*1 column"):
        clf.fit(X, labels, metrics=["mse"])
    with pytest.raises(ValueError, match="^metric 'roc_auc' needs a binary model"):
        clf.evaluate(X, labels, metrics=["roc_auc"])

    reg = gn.Sequential([gn.Dense(4, 1)], seed=0)
    w0 = reg.get_weights()
    with pytest.raises(ValueError, match="^metric 'accuracy' needs class labels, but the "
                                         "targets are not whole numbers.*mse, mae or r2"):
        reg.fit(X, rng.normal(size=300), metrics=["accuracy"])
    # the validation data is checked too: here only its targets are fractional
    with pytest.raises(ValueError, match="^metric 'accuracy' needs class labels"):
        reg.fit(X, labels, metrics=["accuracy"],
                validation_data=(X[:50], rng.normal(size=50)))
    assert same(reg.get_weights(), w0)


def test_the_metric_check_draws_no_random_numbers_and_changes_nothing(moons):
    """fit's up-front metric check runs the model in inference mode on a few rows: a
    Dropout model trains to the same bits with metrics as without."""
    X, y, Xv, yv = moons
    a, b = mlp(dropout=0.3), mlp(dropout=0.3)
    a.fit(X, y, epochs=3, batch_size=32, validation_split=0.2)
    b.fit(X, y, epochs=3, batch_size=32, validation_split=0.2, metrics=["accuracy", "roc_auc"])
    assert same(a.get_weights(), b.get_weights())
    # a few rows of one class only do not fail a metric that works on the whole set
    order = np.argsort(y, kind="stable")  # every class-0 row first
    h = mlp().fit(X[order], y[order], epochs=1, metrics=["roc_auc", "log_loss", "f1"],
                  validation_data=(Xv[np.argsort(yv)], np.sort(yv)))
    assert np.isfinite(h.history["val_roc_auc"][0]) and np.isfinite(h.history["roc_auc"][0])


# ------------------------------------------------------------------- predict and evaluate
def test_predict_proba_and_predict_classes(moons):
    X, y, _, _ = moons
    model = mlp()
    model.fit(X, y, epochs=20, batch_size=None, optimizer=gn.Adam(lr=0.05))
    p = model.predict_proba(X)
    assert p.shape == (200, 1) and p.dtype == np.float32 and ((p >= 0) & (p <= 1)).all()
    np.testing.assert_array_equal(model.predict_classes(X), (p[:, 0] > 0.5).astype(int))
    np.testing.assert_array_equal(model.predict(X, batch_size=7), model.predict(X))

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, size=200)
    soft = gn.Sequential([gn.Dense(2, 3), gn.Softmax()], seed=0)
    soft.fit(X, labels, epochs=2, batch_size=None)
    ps = soft.predict_proba(X)
    np.testing.assert_allclose(ps.sum(1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(soft.predict_classes(X), ps.argmax(1))

    # trained on logits: the probabilities are the sigmoid of the output
    logits = gn.Sequential([gn.Dense(2, 1)], seed=0)
    logits.fit(X, y, loss="bce_logits", epochs=3, batch_size=None)
    z = logits.predict(X)
    np.testing.assert_allclose(logits.predict_proba(X), 1 / (1 + np.exp(-z)), rtol=1e-5)
    np.testing.assert_array_equal(logits.predict_classes(X), (z[:, 0] > 0).astype(int))

    reg = gn.Sequential([gn.Dense(2, 1)], seed=0)
    reg.fit(X, y.astype(float), loss="mse", epochs=1)
    with pytest.raises(ValueError, match="not a probability"):
        reg.predict_proba(X)
    with pytest.raises(ValueError, match=r"not class scores \(last node Dense, trained with "
                                         r"MSE\).*use predict"):
        reg.predict_classes(X)
    with pytest.raises(ValueError, match="not trained"):
        gn.Sequential([gn.Dense(2, 1)], seed=0).predict_classes(X)


def test_predict_classes_multilabel_and_step(moons):
    """Binary cross-entropy on several outputs means independent labels: one 0/1 each, not an
    argmax; a final Step node (the seeds' perceptron) gives classes without any training."""
    X, y, _, _ = moons
    Y = np.stack([y, 1 - y, (X[:, 0] > 0).astype(int)], axis=1)
    ml = gn.Sequential([gn.Dense(2, 8, activation="tanh"), gn.Dense(8, 3), gn.Sigmoid()], seed=0)
    ml.fit(X, Y, loss="bce", epochs=30, batch_size=None, optimizer=gn.Adam(lr=0.05))
    got = ml.predict_classes(X)
    assert got.shape == (200, 3) and set(np.unique(got)) <= {0, 1}
    np.testing.assert_array_equal(got, (ml.predict_proba(X) > 0.5).astype(int))
    assert (got.sum(axis=1) != 1).any()  # rows with 0 or 2+ labels: not an argmax

    perceptron = gn.Sequential([gn.Dense(2, 1), gn.Step()], seed=0)
    np.testing.assert_array_equal(perceptron.predict_classes(X),
                                  perceptron.predict(X)[:, 0].astype(int))


@pytest.mark.parametrize("nodes, loss, match", [
    (lambda: [gn.Dense(2, 8, activation="relu"), gn.Dense(8, 1, activation="sigmoid"),
              gn.Sigmoid()], None, "ends in Sigmoid then Sigmoid: the outputs are squashed"),
    (lambda: [gn.Dense(2, 3), gn.Softmax(), gn.Softmax()], None, "Softmax then Softmax"),
    (lambda: [gn.Dense(2, 8, activation="relu"), gn.Dense(8, 1), gn.Softmax()], "bce",
     "Softmax over a single output, which is always 1"),
    (lambda: [gn.Dense(2, 1), gn.Sigmoid()], "hinge", "Hinge expects raw margins"),
    (lambda: [gn.Dense(2, 4), gn.Step(), gn.Dense(4, 1), gn.Sigmoid()], None,
     "node 1 is a Step, whose gradient is 0 everywhere"),
])
def test_models_that_cannot_learn_are_warned_about_before_training(moons, nodes, loss, match):
    """Trial 15/7 finding 2: a sigmoid applied twice (outputs within 0.5 and 0.73: every row
    class 1), a softmax over one output (always 1), hinge on probabilities and a Step (no
    gradient) trained silently into useless models."""
    X, y, _, _ = moons
    model = gn.Sequential(nodes(), seed=0)
    with pytest.warns(UserWarning, match=match) as got:
        model.fit(X, y, loss=loss, epochs=1)
    assert got[0].filename == __file__  # said at the user's fit line
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # a model that fits together says nothing
        mlp().fit(X, y, epochs=1)
        gn.Sequential([gn.Dense(2, 1)], seed=0).fit(X, y, loss="hinge", epochs=1)


def test_fit_refuses_weights_that_are_not_finite_before_training(moons):
    """Trial 15/7 finding 5: a NaN put into the weights by hand (or by an initializer) was
    reported as "training diverged ... try a lower learning rate" and "restored" as NaN."""
    X, y, _, _ = moons
    model = mlp()
    model.fit(X, y, epochs=1)
    model.layers[0].params["W"][0, 0] = np.nan
    before = model.get_weights()
    history, optimizer, state = model.history, model.optimizer, model.rng.bit_generator.state
    with pytest.raises(ValueError, match=r"NaN or infinite parameters before training \(layer "
                                         r"0 \(Dense\) W: 1 of 16\)"):
        model.fit(X, y, epochs=1, optimizer="sgd", validation_split=0.2)
    after = model.get_weights()
    assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(before, after))
    # refused before fit changed anything (review: history, optimizer and rng were replaced)
    assert model.history is history and model.optimizer is optimizer
    assert model.rng.bit_generator.state == state


def test_a_model_fitted_on_a_dataframe_refuses_its_columns_in_another_order(moons, tmp_path):
    """Trial 15/7 finding 3: Sequential read a DataFrame's columns by position and forgot
    their names: reordered columns gave other predictions without a word (the estimators
    refuse them, as scikit-learn does)."""
    pd = pytest.importorskip("pandas")
    X, y, _, _ = moons
    df = pd.DataFrame(X, columns=["a", "b"])
    model = mlp()
    model.fit(df, y, epochs=2)
    assert model.feature_names_in_ == ["a", "b"]
    want = model.predict(X)
    np.testing.assert_array_equal(model.predict(df), want)
    swapped = df[["b", "a"]]
    for call in (lambda: model.predict(swapped), lambda: model.evaluate(swapped, y),
                 lambda: model.fit(swapped, y), lambda: gn.trace(model, swapped[:2], y[:2]),
                 lambda: model.fit(df, y, validation_data=(swapped, y))):
        with pytest.raises(ValueError, match=r"in another order: they are read by position; "
                                             r"reorder them with X(_val)?\[list\(model\."):
            call()
    with pytest.raises(ValueError, match=r"it lacks \['a'\]; it has \['A'\] that the model"):
        model.predict(df.rename(columns={"a": "A"}))
    np.testing.assert_array_equal(model.predict(X), want)   # arrays are read by position
    model.save(tmp_path / "m.gnet")                          # the names are kept in files
    loaded = gn.load(tmp_path / "m.gnet")
    assert loaded.feature_names_in_ == ["a", "b"]
    with pytest.raises(ValueError, match="another order"):
        loaded.predict(swapped)
    # a frame with numbers for column names is read by position, as an array
    plain = mlp()
    plain.fit(pd.DataFrame(X), y, epochs=1)
    assert not hasattr(plain, "feature_names_in_")
    plain.predict(pd.DataFrame(X[:, ::-1]))


def _trial_frame():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=100), "b": rng.normal(size=100),
                       "id": np.arange(100)})
    return df, pd.Series(np.where(df.a > 0, "yes", "no"))


def _trial_model():
    return gn.Sequential([gn.Dense(4, activation="relu"), gn.Dense(1), gn.Sigmoid()], seed=0)


def test_a_fit_refused_for_its_inputs_leaves_the_model_as_it_was():
    """User trial finding 1: a fit refused for its targets (or its validation data) had built
    the model and recorded the frame's columns first: the corrected call was refused for
    its columns, and a fresh model's weights were no longer drawn."""
    df, y = _trial_frame()
    y01 = (y == "yes").astype(int)
    one_weight = np.zeros(100)
    one_weight[0] = 1.0
    refused = {   # the start of each error, and a call that gets it
        "y holds non-numeric labels": lambda m: m.fit(df, y, loss="bce", epochs=2),
        "X_val's columns are those the model was fitted on, in another order": lambda m: m.fit(
            df, y01, loss="bce", epochs=2, validation_data=(df[["b", "a", "id"]], y01)),
        "X_val has 100 rows but y_val has 50": lambda m: m.fit(
            df, y01, loss="bce", validation_data=(df, y01[:50])),
        "class_weight has no weight for class": lambda m: m.fit(
            df, y01, loss="bce", class_weight={0: 1.0}),
        # refused after validation_split drew its rows from the model's generator
        "every training row left by validation_split weighs 0": lambda m: m.fit(
            df, y01, loss="bce", validation_split=0.99, sample_weight=one_weight),
    }
    fresh = _trial_model()
    fresh.fit(df[["a", "b"]], y01, loss="bce", epochs=2)
    for what, call in refused.items():
        m = _trial_model()
        state = m.rng.bit_generator.state
        with pytest.raises(ValueError, match="^" + re.escape(what)):
            call(m)
        assert not m.built and not any(node.built for node in m.layers), what
        assert all(not node.params for node in m.layers), what
        assert getattr(m, "feature_names_in_", None) is None and m.history is None, what
        assert "_split_rng_state" not in vars(m), what
        assert m.rng.bit_generator.state == state, what
        m.fit(df[["a", "b"]], y01, loss="bce", epochs=2)   # the corrected call
        assert m.feature_names_in_ == ["a", "b"]
        for got, want in zip(m.get_weights(), fresh.get_weights(), strict=True):
            np.testing.assert_array_equal(got, want)
    # a trained model refused for its inputs keeps its names, weights, history and generator
    before = fresh.get_weights()
    history, state = fresh.history, fresh.rng.bit_generator.state
    with pytest.raises(ValueError, match="non-numeric labels"):
        fresh.fit(df[["a", "b"]], y, loss="bce", validation_split=0.2)
    assert fresh.history is history and fresh.rng.bit_generator.state == state
    assert fresh.feature_names_in_ == ["a", "b"] and "_split_rng_state" not in vars(fresh)
    for got, want in zip(fresh.get_weights(), before, strict=True):
        np.testing.assert_array_equal(got, want)


def test_a_frame_without_text_column_names_is_warned_about_after_a_named_fit(moons):
    """User trial finding 2: after a fit on named columns, predict/evaluate/fit read a frame
    whose column names are numbers, mixed or a MultiIndex by position without a word;
    scikit-learn warns ("X does not have valid feature names"), and refuses to fit on
    names that mix text and numbers."""
    pd = pytest.importorskip("pandas")
    X, y, _, _ = moons
    model = mlp()
    model.fit(pd.DataFrame(X, columns=["a", "b"]), y, epochs=1)
    for cols in ([0, 1], ["a", 1], pd.MultiIndex.from_tuples([("x", "a"), ("x", "b")])):
        frame = pd.DataFrame(X, columns=cols)
        calls = [lambda: model.predict(frame), lambda: model.evaluate(frame, y)]
        if all(not isinstance(c, str) for c in cols):
            calls.append(lambda: model.fit(frame, y, epochs=1))
        for call in calls:
            with pytest.warns(UserWarning, match=r"^X does not have valid feature names .*but "
                                                 r"Sequential was fitted with feature names "
                                                 r"\(\['a', 'b'\]\)") as rec:
                call()
            said = [w for w in rec if "valid feature names" in str(w.message)]
            assert len(said) == 1 and said[0].filename == __file__   # the user's line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(X)        # an array has no names to be wrong: taken as before
        model.evaluate(X, y)
    mixed = pd.DataFrame(X, columns=["a", 1])
    with pytest.raises(TypeError, match=r"^X's column names mix text and other types "
                                        r"\(int, str\).*X.columns = X.columns.astype\(str\)"):
        model.fit(mixed, y, epochs=1)
    with pytest.raises(TypeError, match=r"^X_val's column names mix text"):
        model.fit(X, y, epochs=1, validation_data=(mixed, y))
    new = mlp()
    state = new.rng.bit_generator.state
    with pytest.raises(TypeError, match="column names mix text"):
        new.fit(mixed, y, epochs=1)
    assert getattr(new, "feature_names_in_", None) is None and new.history is None
    assert new.rng.bit_generator.state == state


def test_evaluate_warns_when_outputs_are_not_finite_and_metrics_score_them():
    """Trial 15/J finding 5: inputs that overflow float32's products gave NaN outputs; evaluate
    reported accuracy 0.5 (NaN rows read as class 0) without a word of its own."""
    m = gn.Sequential([gn.Dense(2, 4, activation="relu", init=np.ones((2, 4))),
                       gn.Dense(4, 1, init=np.array([[1.0], [1.0], [-1.0], [-1.0]])),
                       gn.Sigmoid()])
    X = np.array([[3e38, 3e38], [1, 1]], np.float32)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "overflow|invalid", RuntimeWarning)  # NumPy's own
        with pytest.warns(RuntimeWarning, match="the loss is not finite: the model's outputs, "
                                                "or their errors, overflowed"):
            res = m.evaluate(X, np.array([[1.0], [0.0]]), loss="bce", metrics=["accuracy"])
        assert math.isnan(res["loss"])
        with pytest.warns(RuntimeWarning, match="NaN for 1 of 2 rows .*inputs of huge magnitude"):
            m.predict_classes(X)


def test_evaluate(moons):
    X, y, Xv, yv = moons
    model = mlp()
    with pytest.raises(RuntimeError, match="fit"):
        gn.Sequential([gn.Dense(4), gn.Sigmoid()]).evaluate(X, y)
    model.fit(X, y, epochs=3, batch_size=None)
    r = model.evaluate(Xv, yv, metrics=["accuracy", "log_loss"])
    p = model.predict(Xv)[:, 0]
    assert set(r) == {"loss", "accuracy", "log_loss"}
    assert r["accuracy"] == M.accuracy_score(yv, (p > 0.5).astype(int))
    assert r["loss"] == pytest.approx(M.log_loss(yv, p), rel=1e-5)  # bce is the log loss
    assert model.evaluate(Xv, yv, metrics="accuracy")["accuracy"] == r["accuracy"]
    assert model.evaluate(Xv, yv, loss="mse")["loss"] == pytest.approx(
        float(np.mean((p - yv) ** 2)), rel=1e-5)


# ------------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_is_kept_through_fit(moons, dtype):
    X, y, Xv, yv = moons
    model = mlp(dtype=dtype, dropout=0.2)
    opt = gn.Adam(lr=0.01)
    model.fit(X.astype(np.float64), y, optimizer=opt, epochs=2, batch_size=32,
              validation_data=(Xv, yv))
    want = np.dtype(dtype)
    for layer, name, p, g in model.parameters():
        assert p.dtype == want and g.dtype == want, (layer, name)
    for st in opt.state.values():
        for k, v in st.items():
            if isinstance(v, np.ndarray):
                assert v.dtype == want, k
    assert model.predict(X.astype(np.float64)).dtype == want
    assert model.predict_proba(X).dtype == want


# --------------------------------------------------------------------------- bad arguments
BAD = [
    (dict(loss="nope"), ValueError, "unknown loss"),
    (dict(optimizer="nope"), ValueError, "unknown optimizer"),
    (dict(optimizer=3), TypeError, "optimizer"),
    (dict(metrics=["nope"]), ValueError, "unknown metric"),
    (dict(metrics="nope"), ValueError, "unknown metric"),
    (dict(batch_size=0), ValueError, "batch_size"),
    (dict(batch_size=-3), ValueError, "batch_size"),
    (dict(batch_size=2.5), TypeError, "batch_size"),
    (dict(epochs=-1), ValueError, "epochs"),
    (dict(epochs=1.5), TypeError, "epochs"),
    (dict(validation_split=1.0), ValueError, "validation_split"),
    (dict(validation_split=-0.1), ValueError, "validation_split"),
    (dict(validation_split=0.001), ValueError, "validation_split"),
    (dict(validation_data=[[0.0, 0.0]]), ValueError, "validation_data"),
    (dict(validation_data=(np.zeros((3, 5)), np.zeros(3))), ValueError, "columns"),
    (dict(validation_data=(np.zeros((3, 2)), np.zeros(4))), ValueError, "rows"),
    (dict(callbacks=[object()]), TypeError, "Callback"),
    (dict(on_nonfinite="ignore"), ValueError, "on_nonfinite"),
    (dict(verbose=3), ValueError, "verbose"),
]


@pytest.mark.parametrize("kwargs, exc, match", BAD, ids=[f"{i}-{b[1].__name__}-{b[2][:20]}" for i, b in enumerate(BAD)])
def test_bad_fit_arguments_raise_clear_errors(moons, kwargs, exc, match):
    X, y, _, _ = moons
    model = mlp()
    before = model.get_weights()
    with pytest.raises(exc, match=match):
        model.fit(X, y, **{"epochs": 1, **kwargs})
    assert same(model.get_weights(), before)  # nothing was trained


BAD_DATA = [
    ("y with the wrong length", lambda X, y: (X, y[:-1]), "rows"),
    ("X with NaN", lambda X, y: (np.where(np.arange(len(X))[:, None] == 3, np.nan, X), y),
     "NaN"),
    ("y with NaN", lambda X, y: (X, np.where(np.arange(len(y)) == 3, np.nan, y)), "NaN"),
    ("X with inf", lambda X, y: (np.where(np.arange(len(X))[:, None] == 3, np.inf, X), y),
     "infinity"),
    ("labels out of 0/1", lambda X, y: (X, y * 2), "0/1"),
    ("text labels", lambda X, y: (X, np.where(y == 1, "yes", "no")), "non-numeric"),
    ("X 1-D", lambda X, y: (X[:, 0], y), "2-D"),
    ("X with wrong width", lambda X, y: (np.hstack([X, X]), y), "columns"),
    ("X empty", lambda X, y: (X[:0], y[:0]), "empty"),
]


@pytest.mark.parametrize("what, make, match", BAD_DATA, ids=[b[0] for b in BAD_DATA])
def test_bad_data_raises_clear_errors(moons, what, make, match):
    X, y, _, _ = moons
    Xb, yb = make(X, y)
    with pytest.raises(ValueError, match=match):
        mlp().fit(Xb, yb, epochs=1)


def test_labels_out_of_range_for_softmax(moons):
    X, _, _, _ = moons
    model = gn.Sequential([gn.Dense(2, 3), gn.Softmax()], seed=0)
    with pytest.raises(ValueError, match=r"labels 0\.\.3 .* 3 outputs"):
        model.fit(X, np.arange(200) % 4, epochs=1)
    with pytest.raises(ValueError, match="labels"):
        model.fit(X, np.arange(200) % 3 - 1, epochs=1)


def test_zero_epochs_returns_an_empty_history(moons):
    X, y, _, _ = moons
    model = mlp()
    before = model.get_weights()
    rec = Recorder()
    h = model.fit(X, y, epochs=0, callbacks=[rec])
    assert h.epoch == [] and h.history == {}
    assert rec.calls == ["train_begin", "train_end"]
    assert same(model.get_weights(), before)
    assert model.epochs_trained == 0


def test_verbose_2_prints_one_line_per_epoch(moons, capsys):
    X, y, _, _ = moons
    mlp().fit(X, y, epochs=3, batch_size=None, verbose=2)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("epoch ")]
    assert len(lines) == 3 and lines[-1].startswith("epoch 3/3")


class _Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def test_verbose_1_off_a_terminal_writes_lines_not_a_redrawn_bar(moons, monkeypatch):
    """In a log file or CI job (stderr not a terminal) verbose=1 writes plain lines: one at the
    start, the first and last epoch and at most one a second between; on a terminal, tqdm."""
    pytest.importorskip("tqdm")
    X, y, _, _ = moons
    log = _Stream(tty=False)
    monkeypatch.setattr(sys, "stderr", log)
    mlp().fit(X, y, epochs=40, batch_size=None, verbose=1)
    lines = log.getvalue().splitlines()
    assert "\r" not in log.getvalue()
    assert lines[0] == "training: up to 40 epoch(s) of 1 batch(es)"
    assert lines[1].startswith("training: epoch 1/40  loss ")
    assert lines[-1].startswith("training: epoch 40/40  loss ")
    assert len(lines) < 10  # 40 fast epochs: throttled to about one line a second

    stopped = _Stream(tty=False)  # early stopping: the last epoch run is still shown
    monkeypatch.setattr(sys, "stderr", stopped)
    h = mlp().fit(X, y, epochs=500, batch_size=None, verbose=1, validation_split=0.2,
                  callbacks=[gn.EarlyStopping(patience=1, min_delta=10.0)])
    last = stopped.getvalue().splitlines()[-1]
    assert last.startswith(f"training: epoch {len(h.epoch)}/500  loss "), last

    term = _Stream(tty=True)
    monkeypatch.setattr(sys, "stderr", term)
    mlp().fit(X, y, epochs=3, batch_size=None, verbose=1)
    assert "\r" in term.getvalue() and "3/3" in term.getvalue()  # tqdm redraws in place


def _no_tqdm(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)


def _in_a_kernel(monkeypatch):
    import types
    shell = types.SimpleNamespace(kernel=object())
    monkeypatch.setitem(sys.modules, "IPython",   # version_info: as matplotlib reads it
                        types.SimpleNamespace(get_ipython=lambda: shell, version_info=(9, 0)))


@pytest.mark.parametrize("where, setup, stream", [
    # a plain `pip install glassnet`: the throttled lines on stderr, even on a terminal, not
    # one stdout line per epoch
    ("without tqdm", _no_tqdm, "stderr"),
    # notebook trial N 2: in a Jupyter kernel on stdout (stderr is styled as an error; a tqdm
    # widget is saved as its stale first frame), even with tqdm and a terminal-like stderr
    ("in a kernel", _in_a_kernel, "stdout"),
])
def test_verbose_1_writes_throttled_lines(moons, monkeypatch, where, setup, stream):
    setup(monkeypatch)
    X, y, _, _ = moons
    streams = {"stderr": _Stream(tty=True), "stdout": _Stream(tty=True)}
    for name, s in streams.items():
        monkeypatch.setattr(sys, name, s)
    mlp().fit(X, y, epochs=200, batch_size=None, verbose=1)
    other = "stdout" if stream == "stderr" else "stderr"
    assert streams[other].getvalue() == "" and "\r" not in streams[stream].getvalue()
    lines = streams[stream].getvalue().splitlines()
    assert lines[0] == "training: up to 200 epoch(s) of 1 batch(es)"
    assert lines[-1].startswith("training: epoch 200/200  loss ")
    assert len(lines) < 20  # 200 fast epochs: about one line a second


def test_initial_epoch_numbers_the_epochs(moons):
    X, y, _, _ = moons
    model = mlp()
    model.fit(X, y, epochs=2, batch_size=None)
    h = model.fit(X, y, epochs=3, batch_size=None, initial_epoch=2)
    assert h.epoch == [2, 3, 4] and model.epochs_trained == 5


# ------------------------------------------------------------------ sample_weight, l2
def _weighted_problem(kind):
    """(X, y, integer weights with zeros, loss, a fresh float64 model) for each loss."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 3))
    w = rng.integers(0, 4, size=24)
    w[:3] = 0
    if kind in ("cce", "cce_logits", "hinge_multi"):
        y = rng.integers(0, 3, size=24)
        out = [gn.Dense(5, 3)] + ([gn.Softmax()] if kind == "cce" else [])
    elif kind in ("bce", "bce_logits", "bce_sum"):
        y = (rng.random((24, 2)) > 0.5).astype(float)
        out = [gn.Dense(5, 2)] + ([gn.Sigmoid()] if kind == "bce" else [])
    elif kind == "hinge":
        y = rng.integers(0, 2, size=24)
        out = [gn.Dense(5, 1)]
    else:
        y = rng.normal(size=(24, 2))
        out = [gn.Dense(5, 2)]
    loss = {"cce": "cce", "cce_logits": "cce_logits", "bce": "bce", "bce_logits": "bce_logits",
            "bce_sum": gn.losses.BinaryCrossEntropy(from_logits=True, sum_outputs=True),
            "hinge": "hinge", "hinge_multi": "hinge", "mse": "mse",
            "mse_half": gn.losses.MSE(half=True), "mae": "mae", "huber": "huber"}[kind]
    model = gn.Sequential([gn.Dense(3, 5, activation="tanh"), *out], seed=0, dtype="float64")
    return X, y, w, loss, model


LOSS_KINDS = ["cce", "cce_logits", "bce", "bce_logits", "bce_sum", "hinge", "hinge_multi",
              "mse", "mse_half", "mae", "huber"]


@pytest.mark.parametrize("kind", LOSS_KINDS)
def test_sample_weight_equals_repeated_rows_full_batch(kind):
    """Full-batch gradient descent in float64: integer weights train exactly as the rows
    repeated that many times (weight 0: the row left out), and the logged losses agree."""
    X, y, w, loss, a = _weighted_problem(kind)
    b = _weighted_problem(kind)[-1]
    kw = dict(loss=loss, optimizer=gn.SGD(lr=0.1), epochs=5, batch_size=None, shuffle=False)
    ha = a.fit(X.repeat(w, axis=0), y.repeat(w, axis=0), **kw)
    hb = b.fit(X, y, sample_weight=w, **kw)
    for p, q in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-10)


def test_sample_weight_ones_is_the_unweighted_fit(moons):
    X, y, Xv, yv = moons
    ha = mlp(dtype="float64").fit(X, y, epochs=3, batch_size=32, validation_data=(Xv, yv))
    m = mlp(dtype="float64")
    hb = m.fit(X, y, epochs=3, batch_size=32, sample_weight=np.ones(len(X)),
               validation_data=(Xv, yv, np.ones(len(Xv))))
    for k in ("loss", "val_loss"):
        np.testing.assert_allclose(ha.history[k], hb.history[k], rtol=1e-12)


def test_zero_weights_ignore_rows(moons):
    """Rows of weight 0 change nothing: not the steps, not the logged losses; garbage targets
    on those rows included. A batch whose rows all weigh 0 takes no step."""
    X, y, Xv, yv = moons
    Xg = np.vstack([X, np.full((40, 2), 50.0)])
    yg = np.concatenate([y, 1 - y[:40]])
    w = np.concatenate([np.ones(len(X)), np.zeros(40)])
    kw = dict(epochs=3, batch_size=None, shuffle=False, optimizer=gn.SGD(lr=0.5))
    a, b = mlp(dtype="float64"), mlp(dtype="float64")
    ha = a.fit(X, y, validation_data=(Xv, yv), **kw)
    hb = b.fit(Xg, yg, sample_weight=w,
               validation_data=(np.vstack([Xv, Xg[-40:]]), np.concatenate([yv, yg[-40:]]),
                                np.concatenate([np.ones(len(Xv)), np.zeros(40)])), **kw)
    for p, q in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-12)
    np.testing.assert_allclose(ha.history["val_loss"], hb.history["val_loss"], rtol=1e-12)
    # mini-batches in order: the last batch holds only zero-weight rows and is skipped
    c = mlp()
    before = c.get_weights()
    rec = Recorder()
    c.fit(Xg[-40:].repeat(2, axis=0)[:64], yg[-40:].repeat(2)[:64], batch_size=32,
          shuffle=False, sample_weight=np.r_[np.ones(32), np.zeros(32)], callbacks=[rec])
    assert rec.sizes == [[32]]
    assert not same(before, c.get_weights())


def test_sample_weight_gather_reuses_one_buffer(moons):
    X, y, _, _ = moons
    seen = []

    class Spy(gn.Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(self.model.loss._row_scale.shape)

    h = mlp().fit(X, y, epochs=2, batch_size=64, sample_weight=np.linspace(0.1, 2, len(X)),
                  callbacks=[Spy()])
    assert seen[:4] == [(64, 1), (64, 1), (64, 1), (8, 1)]
    assert all(np.isfinite(h.history["loss"]))


def test_sample_weight_with_pandas_na_is_called_missing(moons):
    """Trial H: a pandas NA weight was reported as 'NaN or infinity'; X's NA says 'missing'."""
    pd = pytest.importorskip("pandas")
    X, y, _, _ = moons
    sw = pd.Series(np.ones(len(X))).astype("Float64")
    sw[150] = pd.NA
    with pytest.raises(ValueError, match=r"a missing value \(NaN, or pandas' NA\) at row 150"):
        mlp().fit(X, y, sample_weight=sw)


@pytest.mark.parametrize("sw, match", [
    (np.ones(5), r"shape \(5,\); it must be 1-D with one weight per row"),
    (np.ones((200, 1)), r"shape \(200, 1\)"),
    (np.r_[np.ones(199), np.nan], r"a missing value \(NaN, or pandas' NA\) at row 199"),
    (np.r_[np.ones(199), np.inf], "infinity at row 199"),
    (np.r_[-1.0, np.ones(199)], "negative values .first at row 0"),
    (np.zeros(200), "all zero"),
    (np.array(["a"] * 200), "numbers"),
])
def test_bad_sample_weight_raises(moons, sw, match):
    X, y, Xv, yv = moons
    with pytest.raises(ValueError, match=match):
        mlp().fit(X, y, sample_weight=sw)
    with pytest.raises(ValueError):
        mlp().fit(X, y, validation_data=(Xv, yv, np.r_[sw[:50], sw[-50:]] if len(sw) == 200
                                         else sw))


def test_sample_weight_out_of_the_model_dtype_range_fails_before_training(moons):
    """Weights finite in float64 that the cast to float32 turns into inf, or all into 0, fail
    at once naming the dtype (no overflow warning, no step), not mid-fit or as a 'perfect'
    loss of 0; the weights are not rescaled silently (Dense l2 uses their sum)."""
    X, y, Xv, yv = moons
    model = mlp()
    w0 = model.get_weights()
    cases = [(np.full(200, 1e-50), r"^sample_weight has weights too small for float32: every "
                                   r"one rounds to 0 \(largest 1e-50\); rescale the weights "
                                   r"\(e.g. sample_weight / sample_weight.max\(\): the loss"),
             (np.r_[np.ones(199), 1e39], r"^sample_weight holds a weight too large for float32 "
                                         r"\(1e\+39 at row 199\); rescale the weights")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "overflow encountered in cast"
        for sw, match in cases:
            with pytest.raises(ValueError, match=match):
                model.fit(X, y, epochs=1, sample_weight=sw)
            with pytest.raises(ValueError, match=match.replace("sample_weight",
                                                                "sample_weight_val")
                               .replace("199", "99")):
                model.fit(X, y, epochs=1, validation_data=(Xv, yv, sw[-100:]))
        assert same(model.get_weights(), w0) and getattr(model, "optimizer", None) is None
        model.fit(X, y, epochs=1)
        with pytest.raises(ValueError, match="too small for float32"):
            model.evaluate(Xv, yv, sample_weight=np.r_[1e-50, np.zeros(99)])
        # float64 holds them: the weighted mean is the unweighted one
        m64, ref = mlp(dtype="float64"), mlp(dtype="float64")
        h = m64.fit(X, y, epochs=1, batch_size=None, sample_weight=np.full(200, 1e39))
        assert h.history["loss"] == pytest.approx(
            ref.fit(X, y, epochs=1, batch_size=None).history["loss"], rel=1e-12)


def test_validation_data_needs_two_or_three_items(moons):
    X, y, Xv, yv = moons
    with pytest.raises(ValueError, match="sample_weight_val"):
        mlp().fit(X, y, validation_data=(Xv, yv, None, None))
    h = mlp().fit(X, y, validation_data=(Xv, yv, None))
    assert "val_loss" in h.history


def test_sample_weight_with_validation_split_splits_the_weights(moons):
    X, y, _, _ = moons
    w = np.ones(len(X))
    a = mlp().fit(X, y, epochs=2, validation_split=0.25)
    b = mlp().fit(X, y, epochs=2, validation_split=0.25, sample_weight=w)
    np.testing.assert_allclose(a.history["val_loss"], b.history["val_loss"], rtol=1e-6)


def test_sample_weight_needs_a_loss_that_takes_weights(moons):
    X, y, _, _ = moons

    class Old(gn.losses.Loss):  # a user loss written before weights existed
        def forward(self, y_pred, y_true):
            self._d = y_pred - np.asarray(y_true, dtype=y_pred.dtype).reshape(y_pred.shape)
            return float((self._d ** 2).mean())

        def backward(self):
            return 2 * self._d / self._d.size

    mlp().fit(X, y, loss=Old(), epochs=1)  # fine without weights
    with pytest.raises(ValueError, match="takes weights"):
        mlp().fit(X, y, loss=Old(), sample_weight=np.ones(len(X)))


def test_weighted_loss_forward_and_evaluate():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(6, 3))
    labels = rng.integers(0, 3, 6)
    w = np.array([1.0, 0, 2, 0.5, 0, 3])
    cce = gn.losses.CategoricalCrossEntropy(from_logits=True)
    per = [cce.forward(z[i:i + 1], labels[i:i + 1]) for i in range(6)]
    assert cce.forward(z, labels, w) == pytest.approx(np.dot(per, w) / w.sum(), rel=1e-12)
    g = cce.backward()
    cce.forward(z, labels)
    np.testing.assert_allclose(g, cce.backward() * (6 * w / w.sum())[:, None], rtol=1e-12)
    with pytest.raises(ValueError, match="one weight per row"):
        cce.forward(z, labels, w[:3])
    model = gn.Sequential([gn.Dense(3, 3), gn.Softmax()], seed=0, dtype="float64")
    X = rng.normal(size=(6, 3))
    full = model.evaluate(X, labels)["loss"]
    assert model.evaluate(X, labels, sample_weight=np.ones(6))["loss"] == pytest.approx(full)
    keep = w > 0
    assert model.evaluate(X, labels, sample_weight=keep.astype(float))["loss"] == \
        pytest.approx(model.evaluate(X[keep], labels[keep])["loss"])


def test_dense_l2_penalty_in_cost_and_gradient():
    """Dense(l2=α): each batch's cost gains α·‖W‖²/(2·Σw) and dW gains α·W/Σw (scikit-learn's
    alpha scaling); b is not penalized. Checked against one full-batch SGD step by hand."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 3))
    y = rng.normal(size=10)
    w = rng.uniform(0.5, 2, size=10)
    W0 = rng.normal(size=(3, 1))
    alpha = 0.7
    model = gn.Sequential([gn.Dense(3, 1, init=W0.copy(), l2=alpha)], dtype="float64")
    h = model.fit(X, y, loss=gn.losses.MSE(half=True), optimizer=gn.SGD(lr=0.1), epochs=1,
                  batch_size=None, shuffle=False, sample_weight=w)
    r = X @ W0 - y[:, None]
    sw = w.sum()
    cost = 0.5 * (w * r[:, 0] ** 2).sum() / sw + alpha * (W0 ** 2).sum() / (2 * sw)
    assert h.history["loss"][0] == pytest.approx(cost, rel=1e-12)
    dW = X.T @ (w[:, None] * r) / sw + alpha * W0 / sw
    np.testing.assert_allclose(model.layers[0].params["W"], W0 - 0.1 * dW, rtol=1e-12)
    np.testing.assert_allclose(model.layers[0].params["b"], -0.1 * (w[:, None] * r).sum(0) / sw,
                               rtol=1e-12)
    with pytest.raises(ValueError, match="l2"):
        gn.Dense(3, 1, l2=-1)


def test_dense_l2_round_trips_through_the_model_file(tmp_path):
    model = gn.Sequential([gn.Dense(3, 4, l2=0.25), gn.ReLU(), gn.Dense(4, 1)], seed=0)
    model.loss = gn.losses.BinaryCrossEntropy(from_logits=True, sum_outputs=True)
    model.save(tmp_path / "m.gnet")
    back = gn.io.load_model(tmp_path / "m.gnet")
    assert back.layers[0].l2 == 0.25 and back.layers[2].l2 == 0.0
    assert back.loss.sum_outputs and back.loss.from_logits


def test_early_stopping_sklearn_rule():
    """rule="sklearn": the best follows every improvement; patience counts epochs that gained
    less than min_delta on the best before them (MLPClassifier's tol / n_iter_no_change)."""
    values = [10.0, 9.5, 9.1, 8.8, 8.7, 8.65, 8.64, 8.0]

    class Feed(gn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["loss"] = values[epoch]

    def run(rule):
        model = gn.Sequential([gn.Dense(1, 1)], seed=0)
        es = gn.EarlyStopping(monitor="loss", patience=3, min_delta=0.3, rule=rule,
                              restore_best_weights=False)
        h = model.fit(np.zeros((4, 1)), np.zeros(4), epochs=len(values), optimizer=gn.SGD(lr=1e-9),
                      callbacks=[Feed(), es])
        return len(h.epoch), es

    # keras: best moves only by 0.3 steps: 10 -> 9.5 -> 9.1 (wait 1) -> 8.8 (9.5-0.3=9.2>8.8)...
    n_keras, es_k = run("keras")
    n_sk, es_s = run("sklearn")
    # sklearn: 9.1 gains 0.4 on 9.5 (reset); 8.8 gains 0.3 (not > 0.3: wait 1); 8.7 wait 2;
    # 8.65 wait 3 -> stop after epoch 6, best 8.65
    assert n_sk == 6 and es_s.best == 8.65 and es_s.best_epoch == 5
    assert n_keras > n_sk
    with pytest.raises(ValueError, match="rule"):
        gn.EarlyStopping(rule="nope")


def test_callbacks_fall_back_the_same_way_when_the_monitor_is_not_logged(moons, tmp_path):
    X, y = moons[:2]
    es = gn.EarlyStopping(monitor="val_accuracy", patience=100)
    ck = gn.ModelCheckpoint(tmp_path / "best.gnet", save_best_only=True, monitor="val_f1")
    with pytest.warns(RuntimeWarning) as rec:
        mlp().fit(X, y, epochs=2, batch_size=None, metrics=["accuracy"], callbacks=[es, ck])
    msgs = [str(w.message) for w in rec]
    assert any(m.startswith("EarlyStopping: 'val_accuracy' is logged only with validation "
                            "data") and "monitoring 'accuracy'" in m for m in msgs)
    assert any(m.startswith("ModelCheckpoint: 'val_f1' is logged only with validation data")
               and "monitoring 'loss'" in m for m in msgs)
    assert es._key == "accuracy" and es._max
    assert (tmp_path / "best.gnet").exists()

    # with validation data, a name fit does not log (a typo) falls back to val_loss, not to
    # the training loss, and the warning does not blame missing validation data
    typo = gn.EarlyStopping(monitor="val_acuracy", patience=100)
    with pytest.warns(RuntimeWarning) as rec:
        mlp().fit(X, y, epochs=2, batch_size=None, metrics=["accuracy"], callbacks=[typo],
                  validation_split=0.25)
    (msg,) = [str(w.message) for w in rec if "EarlyStopping" in str(w.message)]
    assert "'val_acuracy' is not among the logged values ('loss', 'accuracy', 'val_loss', " in msg
    assert "spelled right" in msg
    assert msg.endswith("monitoring 'val_loss' instead, where lower is better")
    assert typo._key == "val_loss" and not typo._max


def test_a_fallback_monitor_follows_its_own_direction_not_the_mode_given(moons, tmp_path):
    """mode="max" was meant for the missing key: the val_loss watched instead is minimized, so
    EarlyStopping keeps and ModelCheckpoint saves the lowest val_loss, never the highest."""
    X, y, Xv, yv = moons
    es = gn.EarlyStopping(monitor="val_auc", mode="max", patience=3)
    ck = gn.ModelCheckpoint(tmp_path / "best.gnet", save_best_only=True, monitor="val_auc",
                            mode="max")
    model = mlp()
    with pytest.warns(RuntimeWarning) as rec:
        h = model.fit(X, y, epochs=15, batch_size=None, optimizer=gn.Adam(lr=0.05),
                      validation_data=(Xv, yv), metrics=["accuracy"], callbacks=[es, ck])
    msgs = [str(w.message) for w in rec]
    assert any(m.startswith("EarlyStopping: 'val_auc' is not among the logged values") and
               m.endswith("monitoring 'val_loss' instead, where lower is better "
                          "(mode='max' was meant for 'val_auc')") for m in msgs), msgs
    vl = h.history["val_loss"]
    assert vl[-1] < vl[0]  # it learns: the highest val_loss is the first
    assert es._key == "val_loss" and not es._max and es.best == min(vl)
    assert model.evaluate(Xv, yv)["loss"] == pytest.approx(min(vl), rel=1e-5)
    saved = gn.load(tmp_path / "best.gnet")
    assert saved.evaluate(Xv, yv)["loss"] == pytest.approx(min(vl), rel=1e-5)


def test_keras_acc_alias_names_accuracy_in_metrics_and_monitors(moons):
    X, y, Xv, yv = moons
    es = gn.EarlyStopping(monitor="val_acc", mode="max", patience=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # val_acc is val_accuracy: no fallback, no warning
        h = mlp().fit(X, y, epochs=3, batch_size=None, validation_data=(Xv, yv),
                      metrics=["acc"], callbacks=[es])
    assert "accuracy" in h.history and "val_accuracy" in h.history
    assert es._key == "val_accuracy" and es._max
    model = mlp()
    model.fit(X, y, epochs=1)
    res = model.evaluate(Xv, yv, metrics="acc")
    assert res["accuracy"] == model.evaluate(Xv, yv, metrics=["accuracy"])["accuracy"]
    assert M.get("acc") is M.accuracy_score and M.greater_is_better("acc")
    # without validation data, monitor "val_acc" falls back to the training accuracy
    es = gn.EarlyStopping(monitor="val_acc", patience=2)
    with pytest.warns(RuntimeWarning, match="monitoring 'accuracy' instead, where higher"):
        mlp().fit(X, y, epochs=2, batch_size=None, metrics=["acc"], callbacks=[es])
    assert es._key == "accuracy" and es._max


# ------------------------------------------------------------- targets and losses that clash
def test_targets_of_three_dimensions_are_refused(moons):
    X, y, _, _ = moons
    model = gn.Sequential([gn.Dense(2, 1)], seed=0)
    with pytest.raises(ValueError, match=r"shape \(200, 1, 1\); targets must be 1-D"):
        model.fit(X, y.reshape(-1, 1, 1).astype(float), loss="mse")


@pytest.mark.parametrize("last, loss, name", [
    (gn.Softmax, "cce_logits", "Softmax"), (gn.Sigmoid, "bce_logits", "Sigmoid")])
def test_from_logits_loss_after_a_squashing_node_warns(moons, last, loss, name):
    X, y, _, _ = moons
    k = 2 if last is gn.Softmax else 1
    model = gn.Sequential([gn.Dense(2, k), last()], seed=0)
    with pytest.warns(UserWarning, match=rf"model already ends in {name}: the "
                                         rf"{name.lower()} is applied twice") as rec:
        model.fit(X, y, loss=loss, epochs=1)
    assert rec[0].filename == __file__  # points at the user's call
    plain = gn.Sequential([gn.Dense(2, k)], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain.fit(X, y, loss=loss, epochs=1)  # raw scores: no warning


# ----------------------------------------------------------- fit twice; one node in two places
def test_second_fit_continues_with_the_same_optimizer_and_loss(moons):
    """As a model compiled once in Keras: fit() without optimizer=/loss= keeps the previous
    ones (learning rate, Adam's moments), and two fits equal one longer fit."""
    X, y, _, _ = moons
    a = mlp()
    opt = gn.Adam(lr=0.01)
    a.fit(X, y, epochs=3, optimizer=opt, loss="bce", batch_size=50)
    a.fit(X, y, epochs=2, batch_size=50)
    assert a.optimizer is opt and isinstance(a.loss, gn.BinaryCrossEntropy)
    b = mlp()
    b.fit(X, y, epochs=5, optimizer=gn.Adam(lr=0.01), loss="bce", batch_size=50)
    assert same(a.get_weights(), b.get_weights())
    a.fit(X, y, epochs=1, optimizer="sgd")  # an explicit one replaces it
    assert isinstance(a.optimizer, gn.SGD)

    reg = gn.Sequential([gn.Dense(2, 1)], seed=0)
    reg.fit(X, y.astype(float), loss="mae", epochs=1)
    reg.fit(X, y.astype(float), epochs=1)
    assert isinstance(reg.loss, gn.MAE)  # not the default MSE


def test_one_layer_object_in_two_places_is_refused():
    shared = gn.Dense(4, 4)
    with pytest.raises(ValueError, match=r"node 2 \(Dense.*\) is the same object as node 0.*"
                                         r"create a new layer for each place"):
        gn.Sequential([shared, gn.Tanh(), shared])
    relu = gn.ReLU()
    with pytest.raises(ValueError, match="node 3 .* same object as node 1"):
        gn.Sequential([gn.Dense(2, 4), relu, gn.Dense(4, 4), relu])


def test_sequential_add_appends_nodes_as_the_list_would(moons):
    X, y, _, _ = moons
    for first in (lambda: gn.Dense(2, 8, activation="relu"),  # built at once
                  lambda: gn.Dense(8, activation="relu")):    # built by fit
        listed = gn.Sequential([first(), gn.Dropout(0.2), gn.Dense(8, 1), gn.Sigmoid()], seed=0)
        added = gn.Sequential([first()], seed=0)
        assert added.add(gn.Dropout(0.2)) is added
        added.add(gn.Dense(8, 1)).add(gn.Sigmoid)
        assert repr(added) == repr(listed)
        ha = added.fit(X, y, epochs=2)
        assert ha.history == listed.fit(X, y, epochs=2).history
        assert same(added.get_weights(), listed.get_weights())
    model = gn.Sequential([gn.Dense(2, 8)], seed=0)
    model.add(gn.Dense(1, activation="sigmoid"))  # a Dense with activation adds two nodes
    assert [type(n).__name__ for n in model.layers] == ["Dense", "Dense", "Sigmoid"]
    # a width that does not fit, a node already in the graph, not a layer: refused, unchanged
    with pytest.raises(ValueError, match=r"cannot add Dense\(n_in=5.*receives 1 input"):
        model.add(gn.Dense(5, 1))
    with pytest.raises(ValueError, match="same object as node 0"):
        model.add(model.layers[0])
    with pytest.raises(TypeError, match="not a glassnet Layer"):
        model.add("relu")
    assert len(model.layers) == 3
    # a trained model refuses: its loss and optimizer were chosen for the old graph
    model.fit(X, y, epochs=1)
    with pytest.raises(RuntimeError, match=r"trained.*Sequential\(\[\*model.layers, layer\]\)"):
        model.add(gn.Dense(1))


@pytest.mark.parametrize("seed, exc", [(-1, ValueError), ("a", TypeError), (1.5, TypeError)])
def test_a_bad_seed_is_named(seed, exc):
    with pytest.raises(exc, match=f"^seed must be None or an integer >= 0, got {seed!r}$"):
        gn.Sequential([gn.Dense(2, 1)], seed=seed)


def test_multilabel_metrics_mean_what_scikit_learn_means(moons):
    """Several sigmoid outputs trained with binary cross-entropy are independent labels:
    accuracy is the share of rows with every label right, F1 & co. average per-label scores;
    the same numbers as sklearn.metrics on the label-indicator arrays."""
    skm = pytest.importorskip("sklearn.metrics")
    X, y, _, _ = moons
    Y = np.stack([y, 1 - y, (X[:, 0] > 0).astype(int)], axis=1)
    m = gn.Sequential([gn.Dense(2, 8, activation="relu"), gn.Dense(8, 3), gn.Sigmoid()], seed=0)
    h = m.fit(X, Y, loss="bce", epochs=30, batch_size=None, optimizer=gn.Adam(lr=0.05),
              metrics=["accuracy"])
    names = ["accuracy", "f1", "f1_macro", "f1_micro", "f1_weighted", "precision",
             "recall_weighted", "roc_auc", "log_loss"]
    got = m.evaluate(X, Y, metrics=names)
    P, p = m.predict_classes(X), m.predict_proba(X)
    want = {"accuracy": skm.accuracy_score(Y, P), "f1": skm.f1_score(Y, P, average="macro"),
            "f1_macro": skm.f1_score(Y, P, average="macro"),
            "f1_micro": skm.f1_score(Y, P, average="micro"),
            "f1_weighted": skm.f1_score(Y, P, average="weighted"),
            "precision": skm.precision_score(Y, P, average="macro"),
            "recall_weighted": skm.recall_score(Y, P, average="weighted"),
            "roc_auc": skm.roc_auc_score(Y, p),
            "log_loss": np.mean([skm.log_loss(Y[:, j], p[:, j]) for j in range(3)])}
    for k in names:
        assert got[k] == pytest.approx(want[k], rel=1e-6, abs=1e-9), k
    assert got["accuracy"] > 0.7  # not the argmax of independent labels (about 0.33)
    assert h.history["accuracy"][-1] > 0.7


@pytest.mark.parametrize("loss, node", [("cce", "Softmax"), ("bce", "Sigmoid")])
def test_probability_loss_after_raw_scores_warns(moons, loss, node):
    X, y, _, _ = moons
    k = 2 if loss == "cce" else 1
    raw = gn.Sequential([gn.Dense(2, 4, activation="relu"), gn.Dense(4, k)], seed=0)
    with pytest.warns(UserWarning, match=rf"expects probabilities, but the model ends in Dense, "
                                         rf"whose outputs are raw scores: add a {node} node"):
        raw.fit(X, y, loss=loss, epochs=1)
    ok = gn.Sequential([gn.Dense(2, k), getattr(gn, node)()], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ok.fit(X, y, loss=loss, epochs=1)


# ----------------------------------------------------------------------- custom nodes in fit
class _Tanh(gn.Layer):
    """y = tanh(x), written as a user would; ``bug`` selects a wrong backward."""

    def __init__(self, bug=None):
        super().__init__()
        self.bug = bug

    def forward(self, x, training=False):
        self._y = np.tanh(x)
        return self._y

    def backward(self, dy):
        dx = dy * (1 - self._y ** 2)
        if self.bug == "none":
            return None  # as a forgotten `return dx`
        if self.bug == "shape":
            return dx.sum(axis=1, keepdims=True)  # (m, 1) for an input of (m, 4)
        return dx


@pytest.mark.parametrize("bug, match", [
    ("none", r"^layer 1 \(_Tanh\)\.backward returned None \(did you forget `return dx`\?\); "
             r"it must return dCost/dx, an array of the input's shape \(32, 4\)"),
    ("shape", r"^layer 1 \(_Tanh\)\.backward returned shape \(32, 1\) for an input of shape "
              r"\(32, 4\)"),
])
def test_a_wrong_custom_backward_is_named_by_fit_and_backward(moons, bug, match):
    X, y, _, _ = moons
    model = gn.Sequential([gn.Dense(2, 4), _Tanh(bug), gn.Dense(4, 1), gn.Sigmoid()], seed=0)
    before = model.get_weights()
    with pytest.raises(ValueError, match=match):
        model.fit(X, y, epochs=2, batch_size=32)
    assert same(model.get_weights(), before)  # no step was taken with stale gradients
    # Sequential's own backward checks every node, always
    out = model.forward(X[:32], training=True)
    with pytest.raises(ValueError, match=match):
        model.backward(np.ones_like(out))
    # a correct custom node trains, and may return None where it was told it need not
    good = gn.Sequential([gn.Dense(2, 4), _Tanh(), gn.Dense(4, 1), gn.Sigmoid()], seed=0)
    h = good.fit(X, y, epochs=2, batch_size=32)
    assert len(h.history["loss"]) == 2
    first = gn.Sequential([_Tanh("none"), gn.Dense(2, 1), gn.Sigmoid()], seed=0)
    first.fit(X, y, epochs=1)
    first.forward(X[:5], training=True)
    assert first.backward(np.ones((5, 1))) is None
    with pytest.raises(ValueError, match=r"^layer 0 \(_Tanh\)\.backward returned None"):
        first.backward(np.ones((5, 1)), input_grad=True)


class _FlatMSE(gn.Loss):
    """A custom loss whose backward returns (m,) where ŷ is (m, 1)."""

    def forward(self, y_pred, y, weights=None):
        self._d = y_pred.ravel() - np.asarray(y, dtype=float).ravel()
        return float(np.mean(self._d ** 2))

    def backward(self):
        return 2 * self._d / self._d.size


@pytest.mark.parametrize("top", ["Sigmoid", "Dense"])
def test_a_wrong_custom_loss_backward_is_named_by_fit_trace_and_backprop(moons, top):
    """Trial 14/3 finding 3: the (m,) gradient was broadcast against the (m, 1) Sigmoid
    output, and the error blamed the Sigmoid ("returned shape (32, 32)"); without a Sigmoid
    NumPy's matmul failed. The loss is named, as gradcheck names it."""
    X, y, _, _ = moons
    layers = [gn.Dense(2, 3), gn.ReLU(), gn.Dense(3, 1)] + ([gn.Sigmoid()] if top == "Sigmoid"
                                                            else [])
    model = gn.Sequential(layers, seed=0)
    match = (r"^_FlatMSE\.backward returned shape \(32,\) for a prediction ŷ of shape "
             r"\(32, 1\); dCost/dŷ must have the shape of the prediction ŷ")
    before = model.get_weights()
    with pytest.raises(ValueError, match=match):
        model.fit(X, y, loss=_FlatMSE(), epochs=1, batch_size=32)
    assert same(model.get_weights(), before)
    with pytest.raises(ValueError, match=match):
        gn.trace(model, X[:32], y[:32], loss=_FlatMSE())
    loss = _FlatMSE()
    loss.forward(model.forward(X[:32], training=True), y[:32])
    with pytest.raises(ValueError, match=match):
        model.backprop(loss)


class _Scale(gn.Layer):
    """y = x ⊙ w (one weight per column), written the way a user may: backward ASSIGNS a
    new gradient array, and with ``clip`` forward assigns new (clipped) weights."""

    def __init__(self, clip=None):
        super().__init__()
        self.clip = clip

    def build(self, n_in, rng=None, dtype="float32"):
        self.n_in = self.n_out = n_in
        self.params = {"w": np.ones(n_in, dtype=dtype)}
        self.grads = {"w": np.zeros(n_in, dtype=dtype)}
        return n_in

    def forward(self, x, training=False):
        if self.clip is not None:
            self.params["w"] = np.clip(self.params["w"], -self.clip, self.clip)
        self._x = x
        return x * self.params["w"]

    def backward(self, dy):
        self.grads["w"] = (self._x * dy).sum(axis=0)  # a new array, not written in place
        return dy * self.params["w"]


@pytest.mark.parametrize("clip", [None, 1.5])
def test_a_node_that_assigns_new_grad_or_weight_arrays_is_trained(clip):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3)).astype(np.float32)
    Y = X * np.array([1.0, 2.0, 3.0], dtype=np.float32)
    model = gn.Sequential([_Scale(clip)], seed=0)
    lr, loss = 0.1, gn.losses.MSE()
    model.fit(X, Y, loss=loss, optimizer=gn.SGD(lr=lr), epochs=5, batch_size=None)
    # the same steps by hand: plain gradient descent on w
    w = np.ones(3, dtype=np.float32)
    for _ in range(5):
        if clip is not None:
            w = np.clip(w, -clip, clip)
        loss.forward(X * w, Y)
        w = w - np.float32(lr) * (X * loss.backward()).sum(axis=0)
    got = model.layers[0].params["w"]
    assert not np.allclose(got, 1.0)  # it was trained (it used to stay at [1, 1, 1])
    np.testing.assert_allclose(got, w, rtol=1e-5)
    # the same with mini-batches, Adam and Dense nodes around it: it learns the columns' scale
    model = gn.Sequential([gn.Dense(3, 3), _Scale(clip), gn.Dense(3, 3)], seed=0)
    h = model.fit(X, Y, loss="mse", optimizer=gn.Adam(lr=0.05), epochs=60, batch_size=8)
    assert h.history["loss"][-1] < 0.1 * h.history["loss"][0]
    assert not np.allclose(model.layers[1].params["w"], 1.0)


def test_a_non_finite_validation_loss_warns_once(moons):
    # Trial D finding 12: fit(X, y, validation_data=(X * 1e30, y)) logged val_loss inf
    # silently, and EarlyStopping (which skips non-finite values) never stopped.
    X, y, _, _ = moons
    model = gn.Sequential([gn.Dense(2, 8, activation="relu"), gn.Dense(8, 1)], seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = model.fit(X, y.astype(float), loss="mse", epochs=3,
                      validation_data=(X * 1e30, y), callbacks=[gn.EarlyStopping(patience=1)])
    assert h.history["val_loss"] == [math.inf] * 3 and len(h.epoch) == 3
    assert [w.category for w in caught] == [RuntimeWarning]
    msg = str(caught[0].message)
    assert msg.startswith("the validation loss is not finite (inf) at epoch 1, while the "
                          "training loss is ")
    assert "far outside the scale of the training data" in msg and "EarlyStopping" in msg
    assert caught[0].filename == __file__  # pointed at the caller's fit
    with warnings.catch_warnings():  # a finite validation loss says nothing
        warnings.simplefilter("error")
        model.fit(X, y.astype(float), loss="mse", epochs=2, validation_data=(X, y))


# ------------------------------------- memory: what predict, evaluate and fit keep and copy
BIG = 3 * 8192 + 100  # more rows than one inference block (glassnet.model.PREDICT_CHUNK)


def _held_arrays(model):
    """(where, array) for every array the model's nodes (and its loss) hold besides their
    parameters and gradients: the forward caches."""
    held = []
    for i, node in enumerate([*model.layers, getattr(model, "loss", None)]):
        keep = {id(a) for a in [*getattr(node, "params", {}).values(),
                                *getattr(node, "grads", {}).values()]}
        for k, v in vars(node).items() if node is not None else ():
            if isinstance(v, np.ndarray) and id(v) not in keep:
                held.append((f"{i}:{type(node).__name__}.{k}", v))
    return held


def _big_data(dtype=np.float32):
    rng = np.random.default_rng(0)
    return rng.standard_normal((BIG, 6)).astype(dtype), rng.integers(0, 3, BIG)


def _wide_model(dtype="float32"):
    return gn.Sequential([gn.Dense(6, 32, activation="relu"), gn.Dropout(0.2),
                          gn.Dense(32, 16, activation="gelu"), gn.Dense(16, 3), gn.Softmax()],
                         seed=0, dtype=dtype)


def test_inference_keeps_nothing_of_the_input_and_leaves_the_caches_alone():
    """Trial F finding 1: after predict/evaluate the nodes held X and every activation of all
    its rows (GBs; the last block's view kept the whole input alive). Inference now runs on
    copies of the nodes: nothing of X stays, and the caches of a user's own forward (what
    local_grad and backward read) are the ones that were there."""
    X, y = _big_data()
    model = _wide_model()
    model.fit(X[:300], y[:300], epochs=1)  # a trained model: it has a loss, which caches too
    small = np.linspace(-1, 1, 12, dtype=np.float32).reshape(2, 6)
    model.forward(small)
    before = {where: a for where, a in _held_arrays(model)}
    assert before["1:ReLU._x"].shape == (2, 32)
    calls = {
        "predict": lambda: model.predict(X),
        "predict(batch_size)": lambda: model.predict(X, batch_size=1000),
        "predict float64": lambda: model.predict(X.astype(np.float64)),
        "predict list": lambda: model.predict(X[:50].tolist()),
        "predict_proba": lambda: model.predict_proba(X),
        "predict_classes": lambda: model.predict_classes(X),
        "evaluate": lambda: model.evaluate(X, y, metrics=["accuracy"]),
        "evaluate float64": lambda: model.evaluate(X.astype(np.float64), y),
    }
    for name, call in calls.items():
        call()
        held = _held_arrays(model)
        for where, a in held:
            assert len(a) < 300 and not np.shares_memory(a, X), (name, where, a.shape)
        assert {w: id(a) for w, a in held} == {w: id(a) for w, a in before.items()}, name
    relu = model.layers[1]
    np.testing.assert_array_equal(relu.local_grad()["dy/dx"], relu._y > 0)  # still the user's
    np.testing.assert_array_equal(model.layers[0].local_grad()["dz/dW"], small.T)


@pytest.mark.parametrize("how", ["predict", "predict(batch_size)", "evaluate",
                                 "fit shuffle=False", "fit full batch",
                                 "fit validation_split"])
def test_nothing_keeps_the_users_X_alive(how):
    """The last block of predict(batch_size=...)/evaluate was a view into X, and an unshuffled
    or full-batch fit's last batch was X itself: the model kept the user's X from being
    freed after `del X`."""
    import gc
    import weakref
    X, y = _big_data()
    X = X[:3000].copy() if how.startswith("fit") else X
    y = y[:len(X)]
    model = _wide_model()
    ref = weakref.ref(X)
    if how == "predict":
        model.predict(X)
    elif how == "predict(batch_size)":
        model.predict(X, batch_size=1000)
    elif how == "evaluate":
        model.evaluate(X, y)
    elif how == "fit shuffle=False":
        model.fit(X, y, epochs=1, batch_size=64, shuffle=False)
    elif how == "fit full batch":
        model.fit(X, y, epochs=1, batch_size=None)
    else:
        model.fit(X, y, epochs=1, batch_size=64, validation_split=0.2)
    held = _held_arrays(model)
    assert all(len(a) <= 64 or ":" + type(model.loss).__name__ in w for w, a in held), \
        [(w, a.shape) for w, a in held]  # (the loss keeps its last batch's outputs, targets)
    del X
    gc.collect()
    assert ref() is None


@pytest.mark.filterwarnings("ignore:node 2 is a Step")  # every node, Step too
def test_pickles_after_fit_and_predict_hold_no_data_and_copies_keep_backward():
    """Trial F: a 256-unit model pickled to 491 MB after predict on 200k rows. predict leaves
    the nodes alone and fit drops the last batch's caches, so a pickle taken after either is
    the model's size; a copy taken after a user's own forward keeps its caches, so backward
    runs on it as on the original (review: dropping them in __getstate__ broke that)."""
    import copy
    import pickle
    X, y = _big_data()
    nodes = [gn.Dense(6, 16), gn.Identity(), gn.Step(), gn.Sigmoid(), gn.Tanh(), gn.ReLU(),
             gn.LeakyReLU(0.1), gn.ELU(), gn.GELU(), gn.GELU("tanh"), gn.Softplus(),
             gn.Dropout(0.5), gn.Dense(16, 1)]
    model = gn.Sequential(nodes, seed=0)
    fresh = len(pickle.dumps(model))
    model.predict(X)
    model.fit(X[:2000], y[:2000].reshape(-1, 1).astype(np.float32), loss="mse", epochs=1,
              batch_size=None, optimizer="sgd")
    model.predict(X)
    assert _held_arrays(model) == []
    assert len(pickle.dumps(model)) < 2 * fresh
    back = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(back.predict(X[:500]), model.predict(X[:500]))
    assert back.layers[-2].rate == 0.5 and back.layers[6].alpha == 0.1
    assert back.layers[8].approximate == "none" and back.layers[9].approximate == "tanh"
    out = model.forward(X[:4], training=False)
    twin = copy.deepcopy(model)
    dy = np.ones_like(out)
    np.testing.assert_array_equal(twin.backward(dy, input_grad=True),
                                  model.backward(dy, input_grad=True))
    assert twin.layers[5].local_grad()["dy/dx"].shape == (4, 16)


def test_predict_runs_in_blocks_into_one_output(monkeypatch):
    """Trial F finding 2: predict without batch_size ran all rows at once (peak 5x the input,
    4x slower than in blocks). It now runs PREDICT_CHUNK rows at a time, as evaluate."""
    from glassnet import layers as _layers
    from glassnet.model import PREDICT_CHUNK
    for dtype in (np.float32, np.float64):
        X, _ = _big_data(dtype)
        model = _wide_model(dtype.__name__)
        rows = []
        real = _layers.matmul

        def counting(a, b, out=None):
            rows.append(a.shape[0])
            return real(a, b, out=out)

        monkeypatch.setattr(_layers, "matmul", counting)
        got = model.predict(X)
        monkeypatch.setattr(_layers, "matmul", real)
        assert max(rows) == PREDICT_CHUNK and sum(rows) == 3 * BIG
        assert got.shape == (BIG, 3) and got.dtype == dtype and got.flags.c_contiguous
        # each block's rows exactly as a forward pass of that block gives them, and all of
        # them as one pass over every row up to the last bit of float32 products
        blocks = [model.forward(X[i:i + PREDICT_CHUNK]) for i in range(0, BIG, PREDICT_CHUNK)]
        np.testing.assert_array_equal(got, np.concatenate(blocks))
        np.testing.assert_allclose(got, model.forward(X), rtol=1e-5, atol=1e-7)
        np.testing.assert_array_equal(model.predict(X, batch_size=BIG), model.forward(X))
        np.testing.assert_array_equal(model.predict_proba(X), got)


@pytest.mark.parametrize("shuffle,batch_size,weighted", [
    (True, 7, False), (False, 7, False), (True, None, False), (False, None, False),
    (True, 16, True), (False, 16, True), (True, 1000, True)])
def test_validation_split_trains_exactly_as_on_copied_rows(shuffle, batch_size, weighted):
    """Trial F finding 6: fit(validation_split=...) no longer copies the training rows of X;
    it gathers each batch from X through their indices. The numbers are those of training
    on the copy X[perm[n_val:]] (what fit did before, and what io.resume still does) with
    validation_data X[perm[:n_val]], bit for bit: the split and every epoch's order are drawn
    as before."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((101, 5)).astype(np.float32)
    y = rng.integers(0, 2, 101)
    w = rng.random(101) if weighted else None

    def model():
        return gn.Sequential([gn.Dense(5, 8, activation="tanh"), gn.Dropout(0.2),
                              gn.Dense(8, 1), gn.Sigmoid()], seed=4)

    kw = dict(epochs=3, batch_size=batch_size, shuffle=shuffle, metrics=["accuracy"])
    a = model()
    ha = a.fit(X, y, validation_split=0.2, sample_weight=w, **kw)
    b = model()
    perm = b.rng.permutation(len(X))
    n_val = 20
    tr, va = perm[n_val:], perm[:n_val]
    val = (X[va], y[va]) if w is None else (X[va], y[va], w[va])
    hb = b.fit(X[tr], y[tr], validation_data=val, sample_weight=None if w is None else w[tr],
               **kw)
    assert ha.history == hb.history
    for p, q in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(p, q)


def test_validation_split_copies_only_the_held_out_rows():
    import tracemalloc
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20000, 50), dtype=np.float32)
    y = rng.integers(0, 2, len(X))
    model = gn.Sequential([gn.Dense(50, 4, activation="relu"), gn.Dense(4, 1), gn.Sigmoid()],
                          seed=0)
    model.fit(X[:100], y[:100], epochs=1)  # warm-up: the optimizer's state
    tracemalloc.start()
    try:
        model.fit(X, y, epochs=1, batch_size=256, validation_split=0.2)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # before: a copy of all of X (0.8 training + 0.2 held out); now the held-out 0.2
    assert peak < 0.4 * X.nbytes, f"fit peaked at {peak / X.nbytes:.2f}x X"


def test_the_validation_and_evaluate_loss_is_computed_a_block_at_a_time():
    """Trial 15/6 finding 2: only the forward pass was blocked; the loss ran on all rows at
    once (a softmax cross-entropy makes two float copies of the outputs: 600 MB for 50,000
    rows of 1,000 classes). Now a built-in loss sees one block of rows at a time, weighted
    or not, and gives the mean over all rows."""
    import tracemalloc
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20000, 20), dtype=np.float32)
    y = rng.integers(0, 200, len(X))
    w = rng.uniform(0, 2, len(X))
    w[:9000] = 0   # whole blocks of weight 0 (as a weighted validation set can have)
    model = gn.Sequential([gn.Dense(20, 200)], seed=0)
    loss = gn.CategoricalCrossEntropy(from_logits=True)
    out = model.predict(X)
    Y = np.eye(200, dtype=np.float32)[y]
    want = loss.forward(out, Y)
    want_w = loss.forward(out, Y, w)
    tracemalloc.start()
    try:
        got = model.evaluate(X, y, loss=loss)["loss"]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got == pytest.approx(want, rel=1e-6)
    assert model.evaluate(X, y, loss=loss, sample_weight=w)["loss"] == pytest.approx(want_w,
                                                                                   rel=1e-6)
    # the outputs (16 MB) and their one-hot targets (16 MB), and one block's temporaries:
    # before, two more copies of all the outputs
    assert peak < 2.8 * out.nbytes, f"evaluate peaked at {peak / out.nbytes:.2f}x the outputs"
    # the validation loss of fit is the same blocked mean
    h = model.fit(X[:10], y[:10], loss=loss, optimizer=gn.SGD(lr=1e-30), epochs=1,
                  validation_data=(X, y))
    assert h.history["val_loss"][0] == pytest.approx(want, rel=1e-6)


def test_predict_and_evaluate_cast_a_block_at_a_time_and_name_the_bad_row(tmp_path):
    """predict(X, batch_size=...) cast all of X to the model's dtype first (0.5x of a float64
    X, or all of a memory-mapped file read in). Now each block is cast and checked; a NaN or
    an overflow is still reported at its row and column in X."""
    import tracemalloc
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100_000, 20))
    y = rng.integers(0, 2, len(X))
    model = gn.Sequential([gn.Dense(20, 4, activation="relu"), gn.Dense(4, 1), gn.Sigmoid()],
                          seed=0)
    want = model.predict(X.astype(np.float32))
    for call in (lambda: model.predict(X, batch_size=1000), lambda: model.predict(X),
                 lambda: model.evaluate(X, y)):
        tracemalloc.start()
        try:
            call()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 0.25 * X.nbytes, f"peaked at {peak / X.nbytes:.2f}x X"  # was > 0.5x
    np.testing.assert_array_equal(model.predict(X, batch_size=1000), want)
    np.testing.assert_array_equal(model.predict(X), want)
    np.save(tmp_path / "X.npy", X)
    mm = np.load(tmp_path / "X.npy", mmap_mode="r")
    np.testing.assert_array_equal(model.predict(mm, batch_size=5000), want)
    assert model.evaluate(mm, y) == model.evaluate(X.astype(np.float32), y)
    bad = X.copy()
    bad[30001, 7] = np.nan
    for call in (lambda: model.predict(bad, batch_size=1000), lambda: model.predict(bad),
                 lambda: model.evaluate(bad, y)):
        with pytest.raises(ValueError, match=r"X contains NaN at row 30001, column 7 \(1 "):
            call()
    bad[30001, 7] = 1e300
    with pytest.raises(ValueError, match=r"too large for float32 \(1e\+300 at row 30001, "
                                         r"column 7\)"):
        model.predict(bad, batch_size=1000)
    ints = (X * 10).astype(np.int64)
    np.testing.assert_array_equal(model.predict(ints, batch_size=999),
                                  model.predict(ints.astype(np.float32)))


def test_glass_classifier_keeps_no_training_rows():
    """GlassClassifier.fit left one-row caches that were views of its standardized copy of
    X, which kept that whole copy alive after fit; the nodes now hold nothing of it."""
    pytest.importorskip("sklearn")
    from glassnet.sklearn import GlassClassifier
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3000, 6))
    y = (X[:, 0] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = GlassClassifier(hidden_layer_sizes=(8,), epochs=2, random_state=0).fit(X, y)
    assert _held_arrays(clf.model_) == []


# ------------------------------------------------------------------ trial H: fit's results
def test_hinge_metrics_and_classes_on_signed_targets(tmp_path):
    """Trial H finding 1: a Hinge model trained on −1/+1 targets logged accuracy against
    0/1 predictions (0.46 for a 0.985 model), and precision/recall/f1 raised on "3 classes".
    The targets are mapped to 0/1 as Hinge.forward maps them; predict_classes answers −1/+1,
    also after save/load; the metrics equal sklearn's on the sign predictions."""
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2)).astype("float32")
    y = np.where(X[:, 0] + 0.3 * rng.normal(size=200) > 0, 1, -1)
    m = gn.Sequential([gn.Dense(2, 1)], seed=0)
    names = ["accuracy", "precision", "recall", "f1", "roc_auc"]
    h = m.fit(X, y, loss="hinge", epochs=30, metrics=names, optimizer=gn.Adam(lr=0.05))
    out = m.predict(X).ravel()
    pred = np.where(out > 0, 1, -1)
    want = {"accuracy": sk.accuracy_score(y, pred), "precision": sk.precision_score(y, pred),
            "recall": sk.recall_score(y, pred), "f1": sk.f1_score(y, pred),
            "roc_auc": sk.roc_auc_score(y, out)}
    got = m.evaluate(X, y, metrics=names)
    for k, v in want.items():
        assert got[k] == pytest.approx(v, abs=1e-12), k
    assert want["accuracy"] > 0.8 and h.history["accuracy"][-1] > 0.8
    np.testing.assert_array_equal(m.predict_classes(X), pred)
    m.save(tmp_path / "h.gnet")
    np.testing.assert_array_equal(gn.load(tmp_path / "h.gnet").predict_classes(X), pred)
    # 0/1 targets: the same model answers 0/1
    m01 = gn.Sequential([gn.Dense(2, 1)], seed=0)
    m01.fit(X, (y > 0).astype(int), loss="hinge", epochs=30, optimizer=gn.Adam(lr=0.05))
    np.testing.assert_array_equal(m01.predict_classes(X), (m01.predict(X).ravel() > 0))
    assert m01.evaluate(X, (y > 0).astype(int), metrics=names) == \
        m01.evaluate(X, y, metrics=names)


def test_checkpoint_and_plateau_skip_nonfinite_values(tmp_path):
    """Trial H finding 2 (and 9's second half): with save_best_only a NaN val_loss became the
    "best" and every later (worse) epoch was saved over the best file; ReduceLROnPlateau
    counted a NaN epoch as bad and cut the rate after a divergence."""
    m = gn.Sequential([gn.Dense(1, 1)], seed=0)
    ck = gn.ModelCheckpoint(str(tmp_path / "d_{epoch}.gnet"), save_best_only=True,
                            training_state=False)
    ck.set_model(m)
    for e, v in enumerate([0.5, float("nan"), 0.9, float("inf"), 1.5, 0.4]):
        ck.on_epoch_end(e, {"loss": 0.1, "val_loss": v})
    assert sorted(os.listdir(tmp_path)) == ["d_1.gnet", "d_6.gnet"]
    assert ck.best == 0.4
    m.optimizer = gn.SGD(lr=0.1)
    r = ReduceLROnPlateau(patience=0, factor=0.5)
    r.set_model(m)
    r.on_train_begin()
    for e, v in enumerate([1.0, float("nan"), float("inf"), 0.5]):
        r.on_epoch_end(e, {"loss": 0.1, "val_loss": v})
    assert m.optimizer.lr == 0.1 and r.best == 0.5 and r.num_bad_epochs == 0
    r.on_epoch_end(4, {"loss": 0.1, "val_loss": 0.7})
    assert m.optimizer.lr == 0.05


def test_failed_add_or_constructor_leaves_the_layer_as_given():
    """Trial H finding 3: a failed Sequential.add (or constructor) had already set the Dense
    layer's activation to None, so adding it again silently built a model without its ReLU."""
    m = gn.Sequential([gn.Dense(3, 4)], seed=0)
    d = gn.Dense(5, 2, activation="relu")
    with pytest.raises(ValueError, match="cannot add"):
        m.add(d)
    assert d.activation == "relu" and len(m.layers) == 1
    m.add(gn.Dense(4, 5)).add(d)
    assert [type(n).__name__ for n in m.layers] == ["Dense", "Dense", "Dense", "ReLU"]
    assert d.activation == "relu"  # kept: the list it came from builds the same graph again
    d2 = gn.Dense(5, 2, activation="tanh")
    with pytest.raises(ValueError):
        gn.Sequential([gn.Dense(3, 4), d2], seed=0)
    assert d2.activation == "tanh"
    with pytest.raises(ValueError, match="seed"):
        gn.Sequential([d2], seed=-1)
    assert d2.activation == "tanh"
    assert [type(n).__name__ for n in gn.Sequential([gn.Dense(4, 5), d2]).layers] == \
        ["Dense", "Dense", "Tanh"]



def test_one_list_of_layers_builds_the_same_graph_twice():
    """Trial 14/3 finding 1: the first Sequential cleared its Dense layers' activation, so a
    second model from the same list (or a Dense shared between two models) lost its Tanh and
    Sigmoid silently: a linear model with an MSE default loss."""
    layers = [gn.Dense(3, 8, activation="tanh"), gn.Dense(8, 1, activation="sigmoid")]
    a = gn.Sequential(layers, seed=0)
    b = gn.Sequential(layers, seed=0)
    names = ["Dense", "Tanh", "Dense", "Sigmoid"]
    assert [type(n).__name__ for n in a.layers] == names
    assert [type(n).__name__ for n in b.layers] == names
    assert a.layers[1] is not b.layers[1]  # each model its own activation node
    X = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    # a model's own nodes give each activation once, not twice
    c = gn.Sequential([*a.layers, gn.Dense(1, 2, activation="relu")], seed=0)
    assert [type(n).__name__ for n in c.layers] == names + ["Dense", "ReLU"]
    assert c.layers[1] is a.layers[1]
    # nodes rearranged: the Tanh after a Dropout is still the Dense's own (review)
    d, t, d2, s = a.layers
    again = gn.Sequential([d, gn.Dropout(0.1), t, d2, s], seed=0)
    assert [type(n).__name__ for n in again.layers] == ["Dense", "Dropout", "Tanh", "Dense",
                                                        "Sigmoid"]
    # so does a deep copy and a pickle
    import pickle
    for m in (copy.deepcopy(a), pickle.loads(pickle.dumps(a))):
        assert [type(n).__name__ for n in gn.Sequential([*m.layers]).layers] == names
    shared = gn.Dense(3, 4, activation="relu")
    m1, m2 = gn.Sequential([shared, gn.Dense(4, 1)]), gn.Sequential([shared, gn.Dense(4, 2)])
    assert [type(n).__name__ for n in m1.layers] == ["Dense", "ReLU", "Dense"]
    assert [type(n).__name__ for n in m2.layers] == ["Dense", "ReLU", "Dense"]


def test_callable_metrics_are_logged_under_their_names(moons):
    """Trial H finding 4: metrics=[fn] was accepted, then crashed inside fit with "can only
    concatenate str (not "function") to str". A glassnet metric function is logged under its
    registered name, any other under its __name__ (called on targets and raw outputs, as
    Keras); a failing or clashing one is refused before training."""
    X, y, Xv, yv = moons

    def mean_out(y_true, y_pred):
        return np.mean(y_pred)

    m = gn.Sequential([gn.Dense(2, 1), gn.Sigmoid()], seed=0)
    h = m.fit(X, y, epochs=2, metrics=[M.accuracy_score, mean_out, "f1"],
              validation_data=(Xv, yv))
    assert list(h.history) == ["loss", "accuracy", "mean_out", "f1", "val_loss",
                               "val_accuracy", "val_mean_out", "val_f1", "lr"]
    got = m.evaluate(Xv, yv, metrics=[mean_out, M.accuracy_score])
    assert got["mean_out"] == pytest.approx(float(np.mean(m.predict(Xv))), rel=1e-6)
    assert got["accuracy"] == m.evaluate(Xv, yv, metrics=["accuracy"])["accuracy"]
    w0 = m.get_weights()
    for bad, msg in (([lambda a, b: 0.0, lambda a, b: 1.0], "already is"),
                     ([mean_out, "loss"], "unknown metric"),
                     ([lambda a, b: "x"], r"'<lambda>' .*must return a number"),
                     ([lambda a, b: a.nope], "AttributeError")):
        with pytest.raises(ValueError, match=msg):
            m.fit(X, y, epochs=1, metrics=bad)
    assert all(np.array_equal(a, b) for a, b in zip(w0, m.get_weights()))


def test_epochs_trained_counts_completed_epochs_only(moons):
    """Trial H finding 9: epochs_trained counted the epoch that diverged, so continuing with
    fit(initial_epoch=model.epochs_trained) was off by one (the CLI counts as now)."""
    X = np.random.default_rng(0).normal(size=(64, 2)).astype("float32") * 10
    y = X[:, 0] * 50
    m = gn.Sequential([gn.Dense(2, 8, activation="relu"), gn.Dense(1)], seed=0)
    with pytest.warns(RuntimeWarning, match="diverged"):
        h = m.fit(X, y, epochs=20, validation_split=.25, optimizer=gn.SGD(lr=0.05),
                  initial_epoch=3)
    assert h.diverged and len(h.epoch) >= 2
    assert m.epochs_trained == 3 + len(h.epoch) - 1


def test_label_metrics_refused_on_multi_output_regression():
    """Trial H finding 10: accuracy/f1 on a 3-output regression (MSE, float targets) logged
    the argmax of continuous targets; they are refused before training, as for one output.
    One-hot targets with MSE stay a classifier's."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4))
    for Y, msg in ((rng.normal(size=(50, 3)), "not whole numbers"),
                   (rng.integers(0, 5, size=(50, 3)), "not class indicators")):
        for met in ("accuracy", "f1", "precision_macro"):
            m = gn.Sequential([gn.Dense(4, 5, activation="relu"), gn.Dense(3)], seed=0)
            w0 = m.get_weights()
            with pytest.raises(ValueError, match=f"metric '{met}' .*{msg}"):
                m.fit(X, Y, metrics=[met])
            assert all(np.array_equal(a, b) for a, b in zip(w0, m.get_weights()))
        assert "r2" in gn.Sequential([gn.Dense(4, 3)], seed=0).fit(X, Y, metrics=["r2"]).history
    onehot = np.eye(3)[rng.integers(0, 3, 50)]
    assert "accuracy" in gn.Sequential([gn.Dense(4, 3)], seed=0).fit(
        X, onehot, metrics=["accuracy"]).history


def test_checkpoint_path_takes_acc_aliases_and_fails_before_training(moons, tmp_path):
    """Trial H finding 6: "{val_acc}" in a ModelCheckpoint path failed after a whole epoch
    (monitor="val_acc" worked); now filled in from val_accuracy, and a field fit will not
    log fails as training begins, the weights untouched."""
    X, y, Xv, yv = moons
    m = gn.Sequential([gn.Dense(2, 1), gn.Sigmoid()], seed=0)
    ck = gn.ModelCheckpoint(str(tmp_path / "x_{epoch}_{val_acc:.2f}_{acc:.2f}.gnet"),
                            save_best_only=True, monitor="val_acc", training_state=False)
    m.fit(X, y, epochs=2, metrics=["acc"], validation_data=(Xv, yv), callbacks=[ck])
    acc = m.history.history["val_accuracy"]
    assert any(f"_{a:.2f}_" in name for name in os.listdir(tmp_path) for a in acc)
    w0 = m.get_weights()
    for path in ("y_{val_f1}.gnet", "y_{val_loss}.gnet", "y_{epoch:.2q}.gnet"):
        cb = gn.ModelCheckpoint(str(tmp_path / path))
        with pytest.raises(ValueError, match="cannot be filled in.*values fit will log"):
            m.fit(X, y, epochs=1, metrics=["acc"], callbacks=[cb])  # no validation data
        assert all(np.array_equal(a, b) for a, b in zip(w0, m.get_weights()))


def test_summary_shows_as_the_table_as_a_value():
    """Notebook trial N 3: `model.summary()` as a cell's last line (or at >>>) shows the table,
    not one quoted line with \\n; it is still a str for print() and string use."""
    model = mlp()
    s = model.summary()
    assert isinstance(s, str) and "\n" in s
    assert repr(s) == str(s) == s and repr(s).startswith("#  node")
    assert "total parameters" in s and s.splitlines()[0].startswith("#")
    import pickle
    assert pickle.loads(pickle.dumps(s)) == s


def test_summary_marks_frozen_nodes_and_counts_trainable_parameters():
    # trial 14/3 finding 5: frozen nodes were not marked, and no trainable count (Keras's)
    model = gn.Sequential([gn.Dense(3, 400, activation="relu"), gn.Dense(400, 1)], seed=0)
    assert "trainable" not in model.summary() and "1,600" in model.summary()
    model.layers[0].trainable = False
    s = model.summary()
    assert "(frozen)" in s.splitlines()[2] and "(frozen)" not in s.splitlines()[4]
    assert s.splitlines()[-1] == "trainable: 401  non-trainable (frozen): 1,600"


def test_a_custom_layer_without_super_init_is_named():
    # trial 14/3 finding 5: AttributeError: 'NoSuper' object has no attribute 'n_in'
    class NoSuper(gn.Layer):
        def __init__(self):
            self.k = 1

        def forward(self, x, training=False):
            return x
    with pytest.raises(TypeError, match=r"^layer 1 \(NoSuper\) is not set up as a Layer: its "
                                        r"__init__ must call super\(\).__init__\(\) first"):
        gn.Sequential([gn.Dense(3, 2), NoSuper()])
    with pytest.raises(TypeError, match="super"):
        gn.Sequential([gn.Dense(3, 2)]).add(NoSuper())


def test_callback_warnings_point_at_the_users_fit_line(moons, tmp_path):
    """Notebook trial N 4: the monitor fallbacks of EarlyStopping, ModelCheckpoint and
    ReduceLROnPlateau, and CSVLogger's dropped columns, are reported at the user's fit(...)
    line, not inside glassnet's train.py."""
    import warnings
    X, y = moons[:2]
    log = tmp_path / "log.csv"
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        mlp().fit(X, y, epochs=1, batch_size=None, callbacks=[gn.CSVLogger(log)])
        mlp().fit(X, y, epochs=2, batch_size=None, metrics=["accuracy"], callbacks=[
            gn.EarlyStopping(monitor="val_loss", patience=1),
            gn.ModelCheckpoint(tmp_path / "best.gnet", save_best_only=True, monitor="val_f1"),
            gn.ReduceLROnPlateau(monitor="val_acc"), gn.CSVLogger(log, append=True)])
    mine = [w for w in rec if str(w.message).startswith(
        ("EarlyStopping:", "ModelCheckpoint:", "ReduceLROnPlateau:", "CSVLogger:"))]
    assert len(mine) == 4, [str(w.message) for w in rec]
    assert all(w.filename == __file__ for w in mine), [(w.filename, w.lineno) for w in mine]


def test_logits_model_fitted_on_labels_without_a_loss_says_what_to_pass():
    """Trial P: a Dense(4, 3) model given labels 0..2 and no loss (so MSE) said only that y
    has 1 column and the model 3 outputs."""
    X = np.random.default_rng(0).normal(size=(30, 4))
    with pytest.raises(ValueError, match=r"look like class labels 0\.\.2.*MSE.*"
                                         r"CategoricalCrossEntropy\(from_logits=True\)"):
        gn.Sequential([gn.Dense(4, 3)], seed=0).fit(X, np.arange(30) % 3, epochs=1)
    with pytest.raises(ValueError, match=r"1 column\(s\) per example but the model has 3 "
                                         r"output\(s\)$"):         # not labels: no hint
        gn.Sequential([gn.Dense(4, 3)], seed=0).fit(X, np.linspace(0, 1, 30), epochs=1)
    # trial 16/Z5: the labels' own range, not the outputs' (0/1 labels, 4 outputs)
    with pytest.raises(ValueError, match=r"look like class labels 0\.\.1, but"):
        gn.Sequential([gn.Dense(4, 4)], seed=0).fit(X, np.arange(30) % 2, epochs=1)


def test_metric_that_does_not_fit_fails_once_before_training():
    X = np.random.default_rng(0).normal(size=(40, 4))
    m = gn.Sequential([gn.Dense(4, 3), gn.Softmax()], seed=0)
    with pytest.raises(ValueError, match="roc_auc") as info:
        m.fit(X, np.arange(40) % 3, epochs=1, metrics=["roc_auc"])
    # the metric's own error is the cause; no "during handling of the above" chain on top
    assert info.value.__cause__ is not None and info.value.__cause__.__context__ is None


def test_pytorch_habits_trial_findings(tmp_path):
    """Trial T: frozen layers (trainable = False) stay, in fit, trace and model files; a
    backward adding into grads reads BAD in gradcheck; a forward of the wrong width and
    bad set_weights arrays are named; a layer of another dtype is refused by save."""
    X, y = gn.data.make_moons(128, noise=0.2, seed=0)
    m = gn.Sequential([gn.Dense(2, 8, activation="tanh", l2=0.1), gn.Dense(8, 1), gn.Sigmoid()],
                      seed=0)
    m.layers[0].trainable = False
    before = m.get_weights()
    m.fit(X, y, epochs=2, verbose=0)
    after = m.get_weights()
    assert np.array_equal(before[0], after[0]) and np.array_equal(before[1], after[1])
    assert not np.array_equal(before[2], after[2])
    class Unfreeze(gn.Callback):      # read at each epoch's start
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 1:
                self.model.layers[0].trainable = True
    u = gn.Sequential([gn.Dense(2, 3), gn.Dense(3, 1)], seed=0)
    u.build(2)
    u.layers[0].trainable = False
    W0 = u.layers[0].params["W"].copy()
    u.fit(X, y, epochs=2, verbose=0, callbacks=[Unfreeze()])
    assert not np.array_equal(W0, u.layers[0].params["W"])
    m.save(tmp_path / "f.gnet")
    back = gn.load(tmp_path / "f.gnet")
    assert back.layers[0].trainable is False and back.layers[2].trainable is True
    gn.trace(back, X[:4], y[:4], optimizer=gn.SGD(lr=1.0))
    assert np.array_equal(back.get_weights()[0], after[0])

    class AccDense(gn.Dense):
        def backward(self, dy):
            keep = {k: g.copy() for k, g in self.grads.items()}
            dx = super().backward(dy)
            for k in keep:
                self.grads[k] += keep[k]
            return dx
    assert gn.gradcheck(AccDense(3, 2), np.random.default_rng(1).normal(size=(4, 3))) > 1e-2

    class Twice(gn.Layer):
        def forward(self, x, training=False):
            return np.hstack([x, x])

        def backward(self, dy):
            return dy[:, :dy.shape[1] // 2]
    with pytest.raises(ValueError, match=r"layer 1 \(Twice\)\.forward returned 6 columns"):
        gn.Sequential([gn.Dense(2, 3), Twice(), gn.Dense(3, 1)], seed=0).fit(
            np.ones((8, 2)), np.ones(8), verbose=0)

    s = gn.Sequential([gn.Dense(2, 3), gn.Dense(3, 1)], seed=0)
    w = s.get_weights()
    for bad, err in [(np.full((2, 3), np.nan), "NaN"), (np.full((2, 3), 1e300), "NaN"),
                     (np.full((2, 3), "1.5"), "real numbers"), (None, "is None"),
                     (np.ones((3, 2)), r"layer 0 Dense\.W\) has shape")]:
        with pytest.raises((ValueError, TypeError), match=err):
            s.set_weights([bad, *w[1:]])
    assert all(np.array_equal(a, b) for a, b in zip(w, s.get_weights()))   # untouched
    with pytest.raises(RuntimeError, match="not built"):
        gn.Sequential([gn.Dense(3), gn.Dense(1)]).set_weights([])
    mixed = gn.Sequential([gn.Dense(2, 1)], seed=0)
    mixed.layers[0].to("float64")
    with pytest.raises(ValueError, match="is float64 but the model is float32"):
        mixed.save(tmp_path / "mixed.gnet")


def test_resume_and_fit_refuse_to_replace_an_unsaved_custom_loss(tmp_path):
    class LogCosh(gn.Loss):
        def forward(self, y_pred, y_true, weights=None):
            self._d = y_pred - np.asarray(y_true, dtype=y_pred.dtype).reshape(y_pred.shape)
            return float(np.log(np.cosh(self._d)).mean())

        def backward(self):
            return np.tanh(self._d) / self._d.size
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3))
    y = X @ [1.0, -2.0, 0.5]
    m = gn.Sequential([gn.Dense(3, 8, activation="tanh"), gn.Dense(8, 1)], seed=0)
    with pytest.warns(RuntimeWarning, match="not saved"):
        m.fit(X, y, loss=LogCosh(), optimizer=gn.SGD(lr=0.1), epochs=2, verbose=0,
              callbacks=[gn.ModelCheckpoint(str(tmp_path / "lc.gnet"))])
    with pytest.raises(ValueError, match="custom loss LogCosh"):
        gn.io.resume(tmp_path / "lc.gnet", X, y, epochs=4)
    r = gn.io.resume(tmp_path / "lc.gnet", X, y, epochs=3, loss=LogCosh(), verbose=0)
    assert len(r.history.history["loss"]) == 3
    with pytest.raises(ValueError, match="custom loss LogCosh"):
        gn.load(tmp_path / "lc.gnet").fit(X, y, epochs=1, verbose=0)
    gn.load(tmp_path / "lc.gnet").save(tmp_path / "again.gnet")   # saved again: kept
    with pytest.raises(ValueError, match="custom loss LogCosh"):
        gn.load(tmp_path / "again.gnet").fit(X, y, epochs=1, verbose=0)


def test_trace_with_l2_takes_fits_step():
    X, y = gn.data.make_moons(64, noise=0.2, seed=0)
    X, y = X.astype(float), y.reshape(-1, 1).astype(float)
    a = gn.Sequential([gn.Dense(2, 1, l2=100.0)], seed=0, dtype="float64")
    b = gn.Sequential([gn.Dense(2, 1, l2=100.0)], seed=0, dtype="float64")
    t = gn.trace(a, X, y, loss="mse", optimizer=gn.SGD(lr=0.1))
    h = b.fit(X, y, loss="mse", optimizer=gn.SGD(lr=0.1), batch_size=None, epochs=1,
              shuffle=False, verbose=0)
    assert np.array_equal(a.get_weights()[0], b.get_weights()[0])
    assert t.loss.value == pytest.approx(h.history["loss"][0], rel=1e-12)
    assert "L2 penalty" in t.to_text()


def test_keras_user_trial_findings(tmp_path, capsys):
    """Trial V2/V3: values a callback adds to the logs were missing from history; 'epoch 9/6'
    when continuing; EarlyStopping(baseline) never restored; a one-argument schedule failed;
    an ill-defined precision warned about a zero_division option fit does not have; evaluate
    forgot fit's metrics; multi-class Hinge metrics compared 0/1 with 0..k-1; soft
    multi-label targets were truncated to 0."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] > 0).astype(int)

    class Add(gn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch >= 1:
                logs["val_custom"] = 1.0 + epoch

    m = gn.Sequential([gn.Dense(4, activation="relu"), gn.Dense(1, activation="sigmoid")],
                      seed=0)
    h = m.fit(X, y, epochs=3, validation_split=0.2, callbacks=[Add()], metrics=["accuracy"])
    assert np.isnan(h.history["val_custom"][0]) and h.history["val_custom"][1:] == [2.0, 3.0]
    assert len(h.history["loss"]) == 3
    # evaluate uses fit's metrics unless told otherwise
    assert set(m.evaluate(X, y)) == {"loss", "accuracy"}
    assert set(m.evaluate(X, y, metrics=())) == {"loss"}
    # continuing: epochs are shown out of initial_epoch + epochs
    capsys.readouterr()
    m.fit(X, y, epochs=2, initial_epoch=3, verbose=2)
    out = capsys.readouterr().out
    assert "epoch 4/5" in out and "epoch 5/5" in out and "/2" not in out
    # EarlyStopping with a baseline never beaten: stops after patience, restores the best
    Xv, yv = rng.normal(size=(60, 3)), rng.integers(0, 2, 60)
    es = gn.EarlyStopping(patience=3, baseline=0.01)
    m = gn.Sequential([gn.Dense(32, activation="relu"), gn.Dense(1, activation="sigmoid")],
                      seed=0)
    h = m.fit(X, y, epochs=50, validation_data=(Xv, yv), callbacks=[es],
              optimizer=gn.Adam(lr=0.05))
    assert es.stopped_epoch is not None and min(h.history["val_loss"]) > 0.01
    best = int(np.argmin(h.history["val_loss"]))
    assert es.restored_epoch == best
    assert m.evaluate(Xv, yv)["loss"] == pytest.approx(min(h.history["val_loss"]), rel=1e-5)
    # a Keras schedule of the epoch alone
    h = gn.Sequential([gn.Dense(1, activation="sigmoid")], seed=0).fit(
        X, y, epochs=3, optimizer="sgd",
        callbacks=[gn.LearningRateScheduler(lambda epoch: 0.1 * 0.5 ** epoch)])
    assert h.history["lr"] == [0.1, 0.05, 0.025]
    # precision with no predicted positive: 0, no warning from inside fit (the weights make
    # every prediction 0; review: the earlier version predicted positives)
    rare = (X[:, 0] > 2.5).astype(int)
    z = gn.Sequential([gn.Dense(3, 1, init=np.zeros((3, 1))), gn.Sigmoid()], seed=0)
    z.layers[0].params["b"][:] = -20.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = z.fit(X, rare, epochs=1, optimizer=gn.SGD(lr=1e-9), metrics=["precision"])
    assert h.history["precision"] == [0.0] and z.predict_classes(X).sum() == 0
    # multi-class Hinge: labels 0..k-1 as they are
    m = gn.Sequential([gn.Dense(3, 3, init=np.eye(3) * 5)], seed=0)
    res = m.evaluate(np.eye(3), np.array([0, 1, 2]), loss="hinge",
                     metrics=["accuracy", "f1_macro"])
    assert res["accuracy"] == 1.0 and res["f1_macro"] == 1.0
    # soft multi-label targets: a clear error for label metrics, the loss alone is fine
    soft = np.array([[.9, .8], [.9, .8], [.1, .2], [.1, .2]])
    m = gn.Sequential([gn.Dense(4, 2), gn.Sigmoid()], seed=0)
    with pytest.raises(ValueError, match="need 0/1 targets; these hold probabilities"):
        m.evaluate(np.eye(4), soft, loss="bce", metrics=["accuracy"])
    assert set(m.evaluate(np.eye(4), soft, loss="bce", metrics=())) == {"loss"}


def test_the_log_loss_metric_clips_as_the_models_loss_and_multiclass_auc_says_how():
    """Trial 15/L finding 3 and 15/N finding 3: in float32 the log_loss metric clipped at
    float32's eps (1.19e-7) and the loss at 1e-7, so val_log_loss was not val_loss for a
    saturated output; roc_auc on three classes did not say the one-hot form works."""
    rng = np.random.default_rng(442)
    X = rng.normal(size=(3, 1)) * 10
    y = rng.integers(0, 2, size=3)
    m = gn.Sequential([gn.Dense(1, 2, bias=False), gn.Softmax()], seed=442)
    m.loss = gn.CategoricalCrossEntropy()
    res = m.evaluate(X, y, metrics=["log_loss"])
    assert m.predict(X).min() < 1e-7                   # a probability the loss clips
    assert res["log_loss"] == pytest.approx(res["loss"], rel=1e-6)
    with pytest.raises(ValueError, match=r"one-hot rows \(np\.eye\(k\)\[y\]\)"):
        M.roc_auc_score([0, 1, 2, 2, 1, 0], rng.dirichlet(np.ones(3), 6))


def test_class_weight_keys_must_name_classes_of_the_model():
    """Trial 15/N finding 4: a key beyond the model's classes (a typo, an off-by-one in the
    label mapping) or a negative one was dropped silently; with hinge, -1 and 0 both name
    class 0 and the last one won."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = rng.integers(0, 3, 30)
    soft = gn.Sequential([gn.Dense(2, 3), gn.Softmax()], seed=0)
    for cw in ({0: 1.0, 1: 2.0, 2: 3.0, 7: 100.0}, {-1: 1.0, 0: 1.0, 1: 1.0, 2: 1.0}):
        with pytest.raises(ValueError, match=r"class_weight key -?\d names no class of this "
                                             r"model, whose classes are 0\.\.2"):
            soft.fit(X, y, loss="cce", class_weight=cw)
    hinge = gn.Sequential([gn.Dense(2, 1)], seed=0)
    with pytest.raises(ValueError, match=r"class_weight keys -1 and 0 both name hinge's first "
                                         r"class"):
        hinge.fit(X, np.where(y > 0, 1, -1), loss="hinge", class_weight={-1: 1.0, 0: 2.0,
                                                                          1: 3.0})


def test_class_weight_is_sample_weight_by_class():
    """Keras trial: fit(class_weight=) was unknown; it weighs each row by its class's weight,
    so it equals the matching sample_weight bit for bit."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    for head, y, loss in (([gn.Dense(1), gn.Sigmoid()], (X[:, 0] > 0.8).astype(int), "bce"),
                          ([gn.Dense(3), gn.Softmax()], rng.integers(0, 3, 90), "cce")):
        cw = {0: 1.0, 1: 5.0, 2: 2.0} if loss == "cce" else {0: 1.0, 1: 5.0}
        a = gn.Sequential([gn.Dense(3, 4, activation="tanh"), *copy.deepcopy(head)], seed=0)
        b = copy.deepcopy(a)
        a.fit(X, y, loss=loss, epochs=2, class_weight=cw)
        b.fit(X, y, loss=loss, epochs=2, sample_weight=np.array([cw[int(c)] for c in y]))
        assert all(p.tobytes() == q.tobytes() for p, q in zip(a.get_weights(), b.get_weights()))
    # validation rows are not weighted by it (Keras): val_loss as without class_weight
    c = gn.Sequential([gn.Dense(3, 4, activation="tanh"), gn.Dense(3), gn.Softmax()], seed=0)
    d = copy.deepcopy(c)
    hc = c.fit(X, y, loss="cce", epochs=1, validation_split=0.3, class_weight=cw)
    hd = d.fit(X, y, loss="cce", epochs=1, validation_split=0.3)
    bg = type(c.rng.bit_generator)()
    bg.state = c._split_rng_state
    held = np.random.Generator(bg).permutation(len(X))[:27]
    vc = c.evaluate(X[held], y[held], loss="cce", metrics=())
    assert hc.history["val_loss"][0] == pytest.approx(vc["loss"], rel=1e-6)
    assert hc.history["loss"] != hd.history["loss"]
    # hinge with -1/+1 labels (review: refused as 'soft targets')
    yh = np.where(X[:, 0] > 0.8, 1, -1)
    e = gn.Sequential([gn.Dense(3, 1)], seed=0)
    f = copy.deepcopy(e)
    e.fit(X, yh, loss="hinge", epochs=1, class_weight={-1: 1.0, 1: 5.0})  # or {0: ..}
    f.fit(X, yh, loss="hinge", epochs=1, sample_weight=np.where(yh > 0, 5.0, 1.0))
    assert all(p.tobytes() == q.tobytes() for p, q in zip(e.get_weights(), f.get_weights()))
    with pytest.raises(ValueError, match=r"metrics 'acc' and 'binary_accuracy' are one "
                                         r"metric \('accuracy'\)"):
        e.fit(X, yh, loss="hinge", metrics=["acc", "binary_accuracy"])
    with pytest.raises(ValueError, match="metric 'accuracy' is given twice"):
        e.fit(X, yh, loss="hinge", metrics=["accuracy", "accuracy"])
    for bad in ({0: "a", 1: 1.0}, {0: 1.0, 1: -2.0}, {0: 1.0, 1: float("nan")}):
        with pytest.raises(ValueError, match=r"class_weight\[.*\] must be a finite number"):
            e.fit(X, yh, loss="hinge", class_weight=bad)
    with pytest.raises(ValueError, match=r"no weight for class\(es\) \[2\]"):
        a.fit(X, y, loss="cce", class_weight={0: 1.0, 1: 2.0})
    with pytest.raises(ValueError, match="class_weight needs a classifier"):
        gn.Sequential([gn.Dense(3, 1)], seed=0).fit(X, X[:, 0], class_weight={0: 1.0})
    with pytest.raises(TypeError, match="class_weight must be a dict"):
        a.fit(X, y, loss="cce", class_weight=[1.0, 2.0, 3.0])


def test_review_of_the_keras_changes(tmp_path):
    """Review: mse on soft multi-label targets was refused with the label metrics; a resumed
    history padded NaN where a callback had logged; EarlyStopping's reason said 'did not
    improve' when the baseline was not beaten; a failed fit replaced evaluate's metrics; a
    schedule without a readable signature crashed."""
    soft = np.array([[.9, .8], [.9, .8], [.1, .2], [.1, .2]])
    m = gn.Sequential([gn.Dense(4, 2), gn.Sigmoid()], seed=0)
    assert set(m.evaluate(np.eye(4), soft, loss="bce", metrics=["mse", "mae"])) == {
        "loss", "mse", "mae"}

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)

    class Add(gn.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["custom"] = 10.0 + epoch

    m = gn.Sequential([gn.Dense(4, activation="relu"), gn.Dense(1, activation="sigmoid")],
                      seed=0)
    m.fit(X, y, epochs=3, callbacks=[Add(), gn.ModelCheckpoint(tmp_path / "ck.gnet")],
          metrics=["accuracy"])
    back = gn.io.resume(tmp_path / "ck.gnet", X, y, epochs=5, callbacks=[Add()])
    assert back.history.history["custom"] == [10.0, 11.0, 12.0, 13.0, 14.0]

    with pytest.raises(ValueError, match="2 columns"):
        m.fit(X[:, :2], y, metrics=["precision"])
    assert set(m.evaluate(X, y)) == {"loss", "accuracy"}

    class Feed(gn.Callback):
        seq = [1.0, 0.9, 0.8, 0.7, 0.75, 0.6]

        def on_epoch_end(self, e, logs=None):
            logs["score"] = self.seq[e]

    h = gn.Sequential([gn.Dense(1, activation="sigmoid")], seed=0).fit(
        X, y, epochs=6, callbacks=[Feed(), gn.EarlyStopping(monitor="score", mode="min",
                                                            patience=3, baseline=0.5)])
    assert h.stop_reason.startswith("early stopping: score did not beat the baseline 0.5")

    class NoSignature:
        __signature__ = 5

        def __call__(self, epoch, lr):
            return lr

    h = gn.Sequential([gn.Dense(1)], seed=0).fit(
        X, y, epochs=2, optimizer=gn.SGD(lr=0.3), loss="mse",
        callbacks=[gn.LearningRateScheduler(NoSignature())])
    assert h.history["lr"] == [0.3, 0.3]   # called as f(epoch, lr)


def test_a_node_put_into_a_built_model_is_built_once_from_the_models_seed():
    """Trial 14/3 finding 4: predict built a new Dense on its throwaway copy of the nodes, with
    unseeded weights, so every predict call gave other numbers."""
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)

    def swapped():
        m = gn.Sequential([gn.Dense(3, 4, activation="tanh"), gn.Dense(4, 1), gn.Sigmoid()],
                          seed=0)
        m.fit(X, y, epochs=2)
        m.layers[2] = gn.Dense(4, 1)
        return m
    a, b = swapped(), swapped()
    p = a.predict(X[:5])
    assert a.layers[2].built
    np.testing.assert_array_equal(p, a.predict(X[:5]))
    np.testing.assert_array_equal(p, b.forward(X[:5]))  # the same weights from the same seed
    # fit and trace too (review: they built the new node unseeded)
    c, d = swapped(), swapped()
    c.fit(X, y, epochs=1)
    d.fit(X, y, epochs=1)
    assert same(c.get_weights(), d.get_weights())
    e, f = swapped(), swapped()
    assert np.array_equal(gn.trace(e, X[:3], y[:3]).output, gn.trace(f, X[:3], y[:3]).output)
    a.layers[2] = gn.Dense(5, 1)
    with pytest.raises(ValueError, match=r"layer 2 \(Dense\): Dense\(5, 1\) receives 4 inputs"):
        a.predict(X[:5])


def test_progress_falls_back_to_lines_on_a_terminal_of_no_size(monkeypatch, capsys):
    """Trial 14/8 finding 10: a pseudo-terminal reporting 0 rows (some CI runners) made tqdm
    draw nothing: no progress at all. Plain lines are written instead."""
    pytest.importorskip("tqdm")
    import sys as _sys

    from glassnet.train import ProgressBar

    class Tty:
        def __init__(self, stream):
            self.stream = stream

        def isatty(self):
            return True

        def fileno(self):
            return 2

        def __getattr__(self, name):
            return getattr(self.stream, name)
    monkeypatch.setattr(_sys, "stderr", Tty(_sys.stderr))
    for size, lines in (((80, 0), True), ((0, 24), True), ((80, 24), False)):
        monkeypatch.setattr(os, "get_terminal_size",
                            lambda fd=None, s=size: os.terminal_size(s))
        bar = ProgressBar(epochs=2, n_batches=3)
        bar.on_train_begin()
        assert bar._lines is lines, size
        if bar.bar is not None:
            bar.bar.close()
    capsys.readouterr()


def test_fits_overlapping_in_threads_share_one_blas_limit():
    """Trial 16/Z2: each fit below 64 rows set the process's BLAS threads to one and put
    back what it saw on entry: two fits overlapping in threads left the process on one
    thread for good (and the later fit's last epochs on all of them). The limit is shared:
    set by the first, restored by the last. (In a fresh process with the BLAS's own thread
    count: make test holds this one to one thread.) What the last fit's restore gives back
    is not asserted: OpenBLAS 0.3.31 sometimes ignores a thread count set from a thread
    other than the one that set the limit (6 of 12 runs here), which no caller can mend;
    before, the process always ended on one thread."""
    pytest.importorskip("threadpoolctl")
    script = textwrap.dedent("""
        import json, threading
        import glassnet as gn
        from threadpoolctl import threadpool_info

        def blas():
            return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

        X, y = gn.data.make_moons(200, noise=0.2, seed=0)
        b_started, a_done = threading.Event(), threading.Event()
        seen = {"before": blas()}

        class Wait(gn.callbacks.Callback):
            def __init__(self, event, key):
                super().__init__()
                self.event, self.key = event, key

            def on_epoch_end(self, epoch, logs=None):
                self.event.wait(10)
                seen.setdefault(self.key, []).append(blas())

        class Started(gn.callbacks.Callback):
            def on_train_begin(self, logs=None):
                b_started.set()

        def model():
            return gn.Sequential([gn.Dense(2, 8, activation="relu"), gn.Dense(8, 1),
                                  gn.Sigmoid()], seed=0)

        def fit_a():
            model().fit(X, y, epochs=1, batch_size=32, callbacks=[Wait(b_started, "a")])
            a_done.set()

        a = threading.Thread(target=fit_a)
        b = threading.Thread(target=lambda: model().fit(
            X, y, epochs=2, batch_size=32, callbacks=[Started(), Wait(a_done, "b")]))
        a.start(), b.start()
        a.join(), b.join()
        seen["after"] = blas()
        print(json.dumps(seen))
    """)
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    env["PYTHONPATH"] = str(Path(gn.__file__).parents[1])
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    if not seen["before"] or max(seen["before"]) < 2:
        pytest.skip("the BLAS here runs one thread")
    assert seen["b"] == [[1] * len(seen["b"][0])] * 2   # B's epochs, after A's end too: one


@pytest.mark.parametrize("case", ["multiclass", "binary", "multilabel"])
def test_log_loss_metric_on_rows_missing_a_class(case):
    """glassnet.metrics.log_loss no longer guesses the classes 0..k-1 when y_true misses one
    (scikit-learn raises there): fit must name the model's classes ."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3)).astype(np.float32)
    if case == "multiclass":
        y, k, loss, act = rng.integers(0, 3, 60), 3, "cce", gn.Softmax()
        yv = np.where(y[:10] == 2, 0, y[:10])                 # no class 2
    elif case == "binary":
        y, k, loss, act = (X[:, 0] > 0).astype(int), 1, "bce", gn.Sigmoid()
        yv = np.ones(10, dtype=int)                           # class 1 only
    else:
        y = (rng.random((60, 3)) > 0.5).astype(np.float32)
        k, loss, act = 3, "bce", gn.Sigmoid()
        yv = y[:10].copy()
        yv[:, 1] = 0                                          # a label never on
    model = gn.Sequential([gn.Dense(3, k), act], seed=0)
    h = model.fit(X, y, loss=loss, epochs=1, metrics=["log_loss"], verbose=0,
                  validation_data=(X[:10], yv))
    assert h.history["val_log_loss"][0] == pytest.approx(h.history["val_loss"][0], rel=1e-6)
    p = model.predict_proba(X[:10]) if case != "multilabel" else model.predict(X[:10])
    if case == "multiclass":
        want = M.log_loss(yv, p, labels=range(3))
        assert h.history["val_log_loss"][0] == pytest.approx(want, rel=1e-6)
