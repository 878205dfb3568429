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



@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_all_finite_sums_see_a_bad_value_in_every_column_and_block(dtype):
    # the BLAS row sums must see a NaN/inf at every position of a row (kernels split rows into
    # vector lanes and remainders) and in every block, including the last partial one and the
    # elements past the last whole row
    from glassnet._validate import _SUM_ROWS, _SUM_WIDTH, all_finite
    a = np.full((64, _SUM_WIDTH), 0.5, dtype=dtype)
    assert all_finite(a)
    for j in range(_SUM_WIDTH):
        i = j % 64
        a[i, j] = (np.nan, np.inf, -np.inf)[j % 3]
        assert not all_finite(a), (i, j)
        a[i, j] = 0.5
    big = np.full((2 * _SUM_ROWS + 3) * _SUM_WIDTH + 7, 0.25, dtype=dtype)
    assert all_finite(big)
    for where in (0, _SUM_ROWS * _SUM_WIDTH - 1, _SUM_ROWS * _SUM_WIDTH,
                  2 * _SUM_ROWS * _SUM_WIDTH + 5, big.size - 8, big.size - 1):
        big[where] = np.nan
        assert not all_finite(big), where
        big[where] = 0.25


def test_all_finite_an_overflowing_sum_of_finite_values_is_finite():
    # finite values whose row sum overflows to inf (and inf + -inf = nan) are checked exactly
    from glassnet._validate import _SUM_WIDTH, all_finite
    big = np.finfo(np.float32).max
    a = np.full((8, _SUM_WIDTH), big, dtype=np.float32)
    a[1] = -big
    a[2, ::2] = -big
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isinf(a @ np.ones(_SUM_WIDTH, np.float32)).any()
    assert all_finite(a)
    a[1, 3] = np.inf
    a[0, 5] = -np.inf
    assert not all_finite(a)


# ------------------------------------------- fast paths give the results of the plain forms
SHAPES = [(1, 10), (2, 3), (32, 10), (1024, 10), (5, 16), (70, 16), (7, 17), (9, 64), (9, 65),
          (3, 1), (0, 10), (4, 0), (1000,)]


def awkward(shape, dtype, seed=0):
    """Random values with NaN, ±inf, ±0 and subnormals sprinkled in."""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 10).astype(dtype)
    flat = x.reshape(-1)
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-40], dtype=dtype)
    if flat.size:
        idx = rng.integers(0, flat.size, size=min(6, flat.size))
        flat[idx] = specials[:len(idx)]
    return x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES)
def test_relu_forward_bits_match_np_maximum(shape, dtype):
    x = awkward(shape, dtype)
    y = gn.ReLU().forward(x)
    ref = np.maximum(x, 0)
    assert y.dtype == ref.dtype and y.shape == ref.shape
    assert np.array_equal(y.view(np.uint8), ref.view(np.uint8))   # -0.0 and NaN bits too
    if x.ndim == 2 and x.shape[0] > 2:                              # strided input
        assert np.array_equal(gn.ReLU().forward(x[::2]), np.maximum(x[::2], 0), equal_nan=True)


def test_relu_zeros_stay_zero_and_grow():
    from glassnet.activations import _ZEROS
    small = gn.ReLU().forward(np.ones((2, 3), np.float32))
    small[...] = 7                       # the output is the caller's, never the shared zeros
    big = np.full((300, 1000), -1, np.float32)
    assert not gn.ReLU().forward(big).any()
    z = _ZEROS[np.dtype(np.float32)]
    assert z.size >= big.size and not z.any() and not z.flags.writeable


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [s for s in SHAPES if len(s) == 2 and s[1] > 0])
def test_row_max_and_row_sum_match_numpy(shape, dtype):
    from glassnet.activations import row_max, row_sum
    x = awkward(shape, dtype)
    assert np.array_equal(row_max(x), x.max(axis=-1, keepdims=True), equal_nan=True)
    finite = np.nan_to_num(x, posinf=1.0, neginf=-1.0)
    s = row_sum(finite)
    assert s.shape == (shape[0], 1) and s.dtype == dtype
    np.testing.assert_allclose(s, finite.sum(axis=-1, keepdims=True),
                               rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5)
    rows = np.isnan(row_sum(x)[:, 0])                 # NaN/±inf rows as NumPy gives them
    assert np.array_equal(rows, np.isnan(x.sum(axis=-1)))


def test_softmax_narrow_rows_unchanged():
    from glassnet.activations import softmax
    x = awkward((513, 10), np.float32)
    x[~np.isfinite(x)] = 3.0
    x[5] = [1e30] * 10                                   # huge equal values: no overflow
    p = softmax(x)
    ref = np.exp(x - x.max(axis=1, keepdims=True))
    ref /= ref.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p, ref, rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(1, 5), (2, 3), (32, 256), (1024, 10), (0, 4), (6, 0)])
def test_column_sums_match_add_reduce(shape, dtype):
    from glassnet.layers import column_sums
    a = awkward(shape, dtype, seed=1)
    a[~np.isfinite(a)] = 0.5
    out = np.full(shape[1], np.nan, dtype)
    assert column_sums(a, out=out) is out
    np.testing.assert_allclose(out, a.sum(axis=0), rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-4)
    if a.size:                                          # NaN and inf propagate as in a sum
        a[0, 0], a[-1, -1] = np.nan, np.inf
        column_sums(a, out=out)
        assert np.array_equal(np.isnan(out), np.isnan(a.sum(axis=0)))
        assert np.array_equal(np.isinf(out), np.isinf(a.sum(axis=0)))


def _where_forms(kind, x, alpha):
    """The plain np.where definitions the branch-free forms replace."""
    a = x.dtype.type(alpha)
    if kind == "leaky":
        return np.where(x > 0, x, x * a), np.where(x > 0, x.dtype.type(1), a)
    return (np.where(x > 0, x, a * np.expm1(np.minimum(x, 0))),
            np.where(x > 0, x.dtype.type(1), a * np.exp(np.minimum(x, 0))))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind,alpha", [("leaky", 0.01), ("leaky", 0.5), ("leaky", 1.0),
                                        ("leaky", 3.0), ("leaky", 0.0), ("leaky", -0.2),
                                        ("elu", 1.0), ("elu", 0.3), ("elu", 2.5)])
@pytest.mark.parametrize("shape", [(64, 33), (1, 1), (0, 5), (3, 7)])
@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")   # inf · 0 in the inputs
def test_branch_free_activations_match_np_where(kind, alpha, shape, dtype):
    x = awkward(shape, dtype, seed=2)
    node = gn.LeakyReLU(alpha) if kind == "leaky" else gn.ELU(alpha)
    y = node.forward(x)
    ref_y, ref_df = _where_forms(kind, x, alpha)
    assert y.dtype == dtype and node._df().dtype == dtype
    # same numbers, NaN where NaN; only the sign of a zero may differ (ELU at x = -0.0)
    assert np.array_equal(y, ref_y, equal_nan=True)
    assert np.array_equal(node._df(), ref_df, equal_nan=True)
    dy = awkward(shape, dtype, seed=3)
    assert np.array_equal(node.backward(dy), dy * ref_df, equal_nan=True)
    if kind == "leaky":   # the select of x or alpha·x: bit for bit, -0.0 included
        assert np.array_equal(y.view(np.uint8), ref_y.view(np.uint8))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_within_3_ulp_of_the_stable_form(dtype):
    from glassnet.activations import _sigmoid
    lo = -120 if dtype == np.float32 else -760
    x = np.concatenate([np.linspace(lo, 60, 400_001), [0.0, -0.0, np.inf, -np.inf, np.nan]])
    x = x.astype(dtype)
    e = np.exp(-np.abs(x.astype(np.float64)))
    exact = np.where(x >= 0, 1 / (1 + e), e / (1 + e))       # float64 reference
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # NumPy's warnings
        p = _sigmoid(x)
    assert p.dtype == dtype
    info = np.finfo(dtype)
    normal = exact >= info.tiny
    err = np.abs(p[normal] - exact[normal]) / exact[normal]
    assert err.max() <= 3 * info.eps, err.max() / info.eps
    assert np.all((p[~normal & ~np.isnan(x)] >= 0) & (p[~normal & ~np.isnan(x)] < info.tiny))
    assert np.isnan(p[-1]) and p[-3] == 1 and p[-2] == 0
    assert _sigmoid(np.array([[1, -2]])).dtype == np.float64     # integers: a float result


def test_fast_paths_leave_subclasses_float16_and_mixed_dtypes_to_numpy():
    """Review findings: a masked array's mask, float16's float32 accumulation and a float64
    ``out`` for float32 sums are what the plain forms give."""
    from glassnet.activations import row_max, row_sum, softmax
    from glassnet.layers import column_sums
    rng = np.random.default_rng(0)
    x = np.ma.array(rng.standard_normal((100, 10)), mask=False)
    x.mask[:, 0] = True
    x.data[:, 0] = 50.0                                   # hidden under the mask
    assert np.allclose(row_max(x), x.max(axis=-1, keepdims=True))
    assert np.allclose(softmax(x)[:, 1:].sum(axis=1), 1.0)
    h = (rng.standard_normal((1024, 16)) * 0.3).astype(np.float16)
    assert np.array_equal(row_sum(h), h.sum(axis=-1, keepdims=True))
    a = rng.standard_normal((100, 7)).astype(np.float32)
    out = np.empty(7)
    column_sums(a, out=out)
    assert np.array_equal(out, np.add.reduce(a, axis=0, out=np.empty(7)))


def test_column_sums_cache_stays_small():
    from glassnet.layers import _ONES, column_sums
    out = np.empty(1)
    for m in range(2, 40):
        column_sums(np.ones((m, 1)), out=out)
    column_sums(np.ones((100_000, 1)), out=out)
    assert out[0] == 100_000
    assert len(_ONES) <= 16 and all(k[0] <= 1 << 14 for k in _ONES)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shapes", [((7, 1), (1, 5)), ((1, 1), (1, 4)), ((6, 1), (1, 1)),
                                    ((1, 1), (1, 1)), ((3, 2), (2, 4))])
def test_matmul_inner_dimension_one_is_the_same_outer_product(shapes, dtype):
    """A one-row batch's weight gradient xᵀ·dy (inner dimension 1) is taken as a broadcast
    multiply: np.matmul's numbers, NaN and inf included (a zero product may keep its sign,
    where BLAS adds it to +0), into ``out`` too."""
    from glassnet.layers import matmul
    a, b = awkward(shapes[0], dtype, seed=4), awkward(shapes[1], dtype, seed=5)
    with np.errstate(invalid="ignore"):
        ref = np.matmul(a, b)
        out = np.full(ref.shape, 7, dtype)
        got = matmul(a, b, out=out)
    assert got is out and got.dtype == ref.dtype
    assert np.array_equal(got, ref, equal_nan=True)


def test_batch_size_one_counts_its_products_as_before(monkeypatch):
    """Batch 1 still makes one counted product per forward, weight gradient and input
    gradient but the first layer's (the outer product goes through matmul too)."""
    X, y = data()
    calls = []
    real = _layers.matmul
    monkeypatch.setattr(_layers, "matmul", lambda a, b, out=None: calls.append(1) or
                        real(a, b, out=out))
    mlp().fit(X[:3], y[:3], loss=gn.CategoricalCrossEntropy(from_logits=True),
              optimizer=SGD(lr=0.01), epochs=1, batch_size=1, verbose=0)
    assert len(calls) == 3 * (3 * (len(SIZES) - 1) - 1)


def test_float32_gelu_cdf_within_one_ulp_of_the_precise_erfc():
    """Float32 GELU's Φ comes from one fitted formula evaluated in float64 (no erf intervals
    or np.where): within 1 float32 ulp of the float64 erfc rounded to float32 everywhere."""
    from glassnet.activations import _norm_cdf, _norm_cdf32
    rng = np.random.default_rng(0)
    x = np.concatenate([np.linspace(-60, 60, 600_001), rng.standard_normal(50_000) * 3,
                        [0.0, -0.0, 1e-40, -1e-40, 3e38, -3e38]]).astype(np.float32)
    got = _norm_cdf32(x)
    want = _norm_cdf(x).astype(np.float32)
    assert got.dtype == np.float32
    ulps = np.abs(got.astype(np.float64) - want) / np.spacing(want).astype(np.float64)
    assert ulps.max() <= 1.0, ulps.max()
    special = _norm_cdf32(np.array([[np.inf, -np.inf, np.nan]], np.float32))
    assert special[0, 0] == 1 and special[0, 1] == 0 and np.isnan(special[0, 2])


def test_float32_gelu_matches_the_float64_gelu():
    x = np.random.default_rng(1).standard_normal((64, 33)) * 4
    g32, g64 = gn.GELU(), gn.GELU()
    y32, y64 = g32.forward(x.astype(np.float32)), g64.forward(x)
    np.testing.assert_allclose(y32, y64, rtol=3e-7, atol=1e-7)
    dy = np.ones_like(x)
    np.testing.assert_allclose(g32.backward(dy.astype(np.float32)), g64.backward(dy),
                               rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("node", [gn.LeakyReLU(0.1), gn.ELU(0.5), gn.GELU(), gn.ReLU(),
                                  gn.Sigmoid(), gn.Tanh(), gn.Softplus()])
def test_nodes_called_on_integers_compute_in_float64(node):
    """Trial X: alpha became int64(0.1) == 0 and GELU's Φ was cast to int (all zeros)."""
    x = np.array([[-3, -1, 0, 1, 3]])
    dy = np.ones((1, 5))
    ref = node.forward(x.astype(np.float64))
    ref_dx = node.backward(dy)
    y = node.forward(x)
    assert y.dtype == np.float64 and np.array_equal(y, ref)
    assert np.array_equal(node.backward(dy), ref_dx)


@pytest.mark.parametrize("cls", [gn.LeakyReLU, gn.ELU])
@pytest.mark.parametrize("alpha", [np.nan, np.inf, "0.2", None, True])
def test_alpha_must_be_a_finite_number(cls, alpha):
    with pytest.raises(ValueError, match=f"{cls.__name__}: alpha must be a finite number"):
        cls(alpha)


def test_perfect_categorical_cross_entropy_is_plus_zero():
    loss = gn.losses.CategoricalCrossEntropy().forward(np.array([[1.0, 0.0]]), np.array([0]))
    assert loss == 0 and not np.signbit(loss)
