"""Performance regression guard that times nothing (safe on a noisy CI machine).

A training step of ``fit`` on a fixed MLP is measured by what it does, not how long it takes:

* the matrix products: every product of the engine goes through ``glassnet.layers.matmul``,
  which the test wraps to count calls and flops. A step must do exactly one GEMM per forward
  product, one per weight gradient and one per input gradient except the first layer's
  (nobody needs the gradient of the data);
* the memory: the tracemalloc peak inside each step (``on_batch_begin`` to
  ``on_batch_end``), above what training holds anyway (parameters, gradients, optimizer
  state, data, batch buffers), must stay below a bound derived from the model's shapes:
  each node's output and one gradient per node. An extra copy of an activation, or a
  gradient nobody needs, goes over it.

The last tests show the guard can fail: a first layer that computes its input gradient is
caught by both measures. The benchmark itself lives in bench/ (not part of the test run).
"""
import tracemalloc

import numpy as np
import pytest

import glassnet as gn
from glassnet import layers as _layers
from glassnet.callbacks import Callback
from glassnet.optim import SGD

SIZES = (256, 48, 32, 10)  # a wide input, as the 784-256-128-10 benchmark MLP
BS = 16
N_BATCHES = 6


def mlp(first=gn.Dense):
    nodes = [first(SIZES[0], SIZES[1]), gn.ReLU(), gn.Dense(SIZES[1], SIZES[2]), gn.ReLU(),
             gn.Dense(SIZES[2], SIZES[3])]
    return gn.Sequential(nodes, seed=0)


def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((BS * N_BATCHES, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], len(X))
    return X, y


class StepMemory(Callback):
    """tracemalloc peak of the memory a training step adds to what training holds anyway.

    The baseline is taken as training begins, once the nodes' caches from earlier calls are
    dropped (forward recomputes them): parameters, gradients, optimizer state, the data and
    the batch buffers. Each step's peak above it is the step's working set: node outputs
    (cached for backward), gradients and temporaries."""

    def __init__(self):
        self.peaks = []

    def on_train_begin(self, logs=None):
        for node in [*self.model.layers, self.model.loss]:
            keep = {id(a) for a in [*getattr(node, "params", {}).values(),
                                    *getattr(node, "grads", {}).values()]}
            for k, v in list(vars(node).items()):
                if isinstance(v, np.ndarray) and id(v) not in keep:
                    setattr(node, k, None)
        self._base = tracemalloc.get_traced_memory()[0]

    def on_batch_begin(self, batch, logs=None):
        tracemalloc.reset_peak()

    def on_batch_end(self, batch, logs=None):
        self.peaks.append(tracemalloc.get_traced_memory()[1] - self._base)


def train(model, callbacks=(), optimizer=None):
    X, y = data()
    return model.fit(X, y, loss=gn.CategoricalCrossEntropy(from_logits=True),
                     optimizer=optimizer or SGD(lr=0.01), epochs=1, batch_size=BS,
                     callbacks=callbacks)


def products_per_step(model, monkeypatch):
    """(matmul calls, flops) per training step, counted through glassnet.layers.matmul."""
    calls = []
    real = _layers.matmul

    def counting(a, b, out=None):
        calls.append(2 * a.shape[0] * a.shape[1] * b.shape[1])
        return real(a, b, out=out)

    train(model)  # warm-up: builds the optimizer state
    monkeypatch.setattr(_layers, "matmul", counting)
    train(model)
    monkeypatch.setattr(_layers, "matmul", real)
    return len(calls) / N_BATCHES, sum(calls) / N_BATCHES


def step_peak_bytes(model):
    """Largest tracemalloc peak of one training step (after a warm-up fit)."""
    opt = SGD(lr=0.01)
    train(model, optimizer=opt)  # warm-up: allocates the optimizer's state
    cb = StepMemory()
    tracemalloc.start()
    try:
        train(model, [cb], optimizer=opt)
    finally:
        tracemalloc.stop()
    return max(cb.peaks)


def needed_flops():
    pairs = list(zip(SIZES[:-1], SIZES[1:]))
    fwd = sum(2 * BS * a * b for a, b in pairs)
    return fwd + fwd + sum(2 * BS * a * b for a, b in pairs[1:])


def memory_bound():
    """Each node's output plus one gradient of each node's output, in float32 (the forward
    caches live through the backward pass), with 30% slack for the loss's small arrays and
    Python objects (tracemalloc sees those too)."""
    widths = [SIZES[1], SIZES[1], SIZES[2], SIZES[2], SIZES[3]]
    return 1.3 * 2 * BS * sum(widths) * 4


# ----------------------------------------------------------------------------- the guard
def test_one_gemm_per_needed_product(monkeypatch):
    n, flops = products_per_step(mlp(), monkeypatch)
    n_layers = len(SIZES) - 1
    assert n == 3 * n_layers - 1, "forward, weight gradients, input gradients but the first"
    assert flops == needed_flops()


def test_step_memory_within_bound():
    peak = step_peak_bytes(mlp())
    assert 0 < peak <= memory_bound(), (peak, memory_bound())


# ----------------------------------------------------------------- the guard can fail
class DenseWithInputGrad(gn.Dense):
    """A first layer that ignores needs_input_grad: the regression the guard must catch."""

    def backward(self, dy):
        self.needs_input_grad = True
        return super().backward(dy)


def test_guard_catches_first_layer_input_grad(monkeypatch):
    n, flops = products_per_step(mlp(DenseWithInputGrad), monkeypatch)
    assert n == 3 * (len(SIZES) - 1)
    assert flops == needed_flops() + 2 * BS * SIZES[0] * SIZES[1]
    with pytest.raises(AssertionError):
        assert flops == needed_flops()


def test_memory_guard_catches_first_layer_input_grad():
    assert step_peak_bytes(mlp(DenseWithInputGrad)) > memory_bound()


# -------------------------------------------------------------------- the input check of fit
def test_finiteness_check_allocates_no_mask_the_size_of_the_data():
    """check_array (run by every fit, predict and evaluate) scans for NaN/inf in blocks: its
    peak allocation on an already float32, C-contiguous X is a small fraction of X, not the
    boolean array of X's shape that ``np.isfinite(X).all()`` would make (25% of X)."""
    from glassnet._validate import check_array
    X = np.random.default_rng(0).standard_normal((4096, 256), dtype=np.float32)
    tracemalloc.start()
    try:
        out = check_array(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out is X or np.shares_memory(out, X)
    assert peak < 0.05 * X.nbytes, f"check_array peaked at {peak / X.nbytes:.2f}x of X"


@pytest.mark.parametrize("where", [0, 1, (1 << 16) - 1, 1 << 16, (1 << 16) + 1, -1])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_all_finite_finds_a_bad_value_anywhere(where, bad):
    from glassnet._validate import all_finite
    a = np.ones(3 * (1 << 16) + 40, dtype=np.float32)
    assert all_finite(a) and all_finite(a.reshape(-1, 8))
    a[where] = bad
    assert not all_finite(a)
    assert not all_finite(a.reshape(-1, 8))
