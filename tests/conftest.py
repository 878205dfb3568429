"""Shared test setup."""
import signal

import numpy as np
import pytest

import glassnet as gn

# A CI runner may start the tests with SIGINT ignored (a background job of a non-interactive
# shell). An ignored signal stays ignored in every subprocess, so the tests that press Ctrl-C
# in a child would never be heard; give this process (and so its children) the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


class NoReturnCube(gn.Layer):
    """y = x**3"""

    def forward(self, x, training=False):
        self._x = x
        return x ** 3

    def backward(self, dy):
        dx = dy * 3 * self._x ** 2  # noqa: F841  (the forgotten `return dx`)


class CollapsingTanh(gn.Layer):
    """y = tanh(x)"""

    def forward(self, x, training=False):
        self._x = x
        return np.tanh(x)

    def backward(self, dy):  # (m, 1) instead of (m, n): would broadcast
        return (dy * (1 - np.tanh(self._x) ** 2)).sum(axis=1, keepdims=True)


@pytest.fixture
def broken_backwards():
    """Custom nodes with a beginner's two backward mistakes: ``NoReturnCube`` forgets
    ``return dx``, ``CollapsingTanh`` returns shape (m, 1) for an (m, n) input."""
    return NoReturnCube, CollapsingTanh


# -- user extensions shared by the tests of their contracts (import with `from conftest import`)

class Scale(gn.Layer):
    """y = x * s, a per-column scale. ``build`` returns ``n_in + extra``, or None when
    ``extra`` is None (a forgotten ``return``); with ``reassign`` backward assigns new gradient
    arrays rather than writing into the ones build made."""

    def __init__(self, extra=0, reassign=False):
        super().__init__()
        self.extra, self.reassign = extra, reassign

    def build(self, n_in, rng=None, dtype="float32"):
        self.n_in = self.n_out = n_in
        self.params = {"s": np.ones(n_in, dtype)}
        self.grads = {"s": np.zeros(n_in, dtype)}
        return None if self.extra is None else n_in + self.extra

    def forward(self, x, training=False):
        self._x = x
        return x * self.params["s"]

    def backward(self, dy):
        g = (dy * self._x).sum(0)
        if self.reassign:
            self.grads["s"] = g
        else:
            self.grads["s"][...] = g
        return dy * self.params["s"]


class SquaredLoss(gn.Loss):
    """The squared error, its cost ``reduce(squares)``: the mean by default; a test passes
    another reduction to return the per-example losses, None, a one-element array, ..."""

    def __init__(self, reduce=np.mean):
        self.reduce = reduce

    def forward(self, y_pred, y_true, weights=None):
        self._d = y_pred - y_true.reshape(y_pred.shape)
        return self.reduce(self._d ** 2)

    def backward(self):
        return 2 * self._d / self._d.size


class StopAt(gn.Callback):
    """Sets model.stop_training at the end of batch ``batch`` of epoch ``epoch`` (of the epoch
    when batch is None), with ``reason`` in model.history.stop_reason when given; keeps the
    logs it is handed (``batches``, ``epochs`` as (epoch, logs), ``end``)."""

    def __init__(self, epoch, batch=None, reason=None):
        self.at, self.batch, self.reason, self.cur = epoch, batch, reason, None
        self.batches, self.epochs, self.end = [], [], None

    def on_epoch_begin(self, epoch, logs=None):
        self.cur = epoch

    def _stop(self):
        self.model.stop_training = True
        if self.reason:
            self.model.history.stop_reason = self.reason

    def on_batch_end(self, batch, logs=None):
        self.batches.append(dict(logs or {}))
        if self.cur == self.at and batch == self.batch:
            self._stop()

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append((epoch, dict(logs or {})))
        if epoch == self.at and self.batch is None:
            self._stop()

    def on_train_end(self, logs=None):
        self.end = dict(logs or {})
