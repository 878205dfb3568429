"""Numerical soundness, property by property (hypothesis), beyond test_core_robustness.py.

test_core_robustness.py already checks every layer and loss on values in ±1e4 (and a fixed
grid of extremes) for finiteness, dtype and shape. This file goes further:

* magnitudes up to ±1e30 (float32 and float64), tiny and subnormal values, exact zeros, and
  random upstream gradients instead of ones; Dropout in training mode;
* element-wise activations on *any* finite value of the dtype, with their ranges
  (sigmoid in [0, 1], tanh in [-1, 1], ...) and the ranges of their derivatives;
* softmax: rows sum to 1, shift invariance, its backward sums to 0 per row;
* losses at extreme magnitudes: value finite and >= 0 (cross-entropies included, on
  saturated probabilities and soft targets), zero at a perfect prediction, gradient finite;
* whole models: predict in batches equals predict at once; fit never leaves NaN weights: they
  are finite, or training diverged and the weights of the start of that epoch were restored.

Where the math itself is not finite in a dtype the property is restricted, and says so:
MSE squares the residual, so in float32 a residual beyond ~1.8e19 has no finite square (we
stop at 1e15); softmax subtracts the row maximum, so a row spread beyond the dtype's maximum
overflows (we stop at ±1e30); sums of 1e38-sized float32 values overflow (we stop at 1e30).
"""
import contextlib
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet as gn

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)
PER_CASE = settings(max_examples=15, deadline=None, derandomize=True)  # for parametrized tests
DTYPE_IDS = {"ids": lambda d: d.__name__}
DTYPES = [np.float32, np.float64]
TINY = {np.float32: [1e-30, 1e-38, 1e-45], np.float64: [1e-30, 1e-300, 5e-324]}


@contextlib.contextmanager
def strict():
    """Every warning is an error; NumPy raises on overflow, 0/0 and invalid operations.
    Underflow to 0 (e^-1000) is the intended result of the stable formulas."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            yield


@st.composite
def extreme_arrays(draw, dtype, shape=None, big=1e30):
    """Arrays mixing ordinary values, huge ones (up to ±big), tiny and subnormal ones, and
    exact zeros (so the special values actually occur, not only by luck)."""
    if shape is None:
        shape = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    big = float(dtype(big))  # exactly representable in the dtype
    width = 32 if dtype == np.float32 else 64
    specials = [float(dtype(v)) for v in
                (0.0, -0.0, big, -big, 1e4, -1e4, *TINY[dtype], *(-t for t in TINY[dtype]))]
    elem = st.one_of(st.sampled_from(specials),
                     st.floats(-big, big, allow_nan=False, width=width),
                     st.floats(-10, 10, allow_nan=False, width=32))
    return draw(hnp.arrays(dtype, shape, elements=elem))


def upstream(draw, shape, dtype):
    """A random upstream gradient dCost/dy of moderate size (with exact zeros)."""
    elem = st.one_of(st.just(0.0), st.floats(-1, 1, allow_nan=False, width=32))
    return draw(hnp.arrays(dtype, shape, elements=elem))


ELEMENTWISE = {
    "identity": gn.Identity, "step": gn.Step, "sigmoid": gn.Sigmoid, "tanh": gn.Tanh,
    "relu": gn.ReLU, "leaky_relu": lambda: gn.LeakyReLU(0.1), "elu": gn.ELU, "gelu": gn.GELU,
    "gelu_tanh": lambda: gn.GELU("tanh"), "softplus": gn.Softplus,
}
LAYERS = {
    **ELEMENTWISE, "softmax": gn.Softmax,
    "dense": lambda: gn.Dense(3, seed=0), "dense_nobias": lambda: gn.Dense(2, bias=False, seed=1),
    "dropout_train": lambda: gn.Dropout(0.4, seed=0),
}


# -------------------------------------------------------------------------- every layer
@pytest.mark.parametrize("dtype", DTYPES, **DTYPE_IDS)
@pytest.mark.parametrize("name", sorted(LAYERS))
@PER_CASE
@given(data=st.data())
def test_layers_finite_on_huge_tiny_and_zero_inputs(data, name, dtype):
    """Outputs, input gradients and parameter gradients are finite for inputs up to ±1e30
    (both dtypes) with a random upstream gradient; shapes and dtype are kept."""
    x = data.draw(extreme_arrays(dtype))
    layer = LAYERS[name]()
    with strict():
        y = layer.forward(x, training=True)
        dy = upstream(data.draw, y.shape, dtype)
        layer.needs_input_grad = True
        dx = layer.backward(dy)
    assert y.shape[0] == x.shape[0] and y.shape[1] == layer.n_out
    assert dx.shape == x.shape
    assert y.dtype == dtype and dx.dtype == dtype
    assert np.isfinite(y).all() and np.isfinite(dx).all()
    for k, g in layer.grads.items():
        assert g.shape == layer.params[k].shape and g.dtype == dtype
        assert np.isfinite(g).all(), k


@pytest.mark.parametrize("dtype", DTYPES, **DTYPE_IDS)
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@PER_CASE
@given(data=st.data())
def test_elementwise_activations_on_any_finite_value(data, name, dtype):
    """Any finite value of the dtype, up to its maximum: finite output and derivative, and
    each function stays in its range."""
    width = 32 if dtype == np.float32 else 64
    x = data.draw(hnp.arrays(dtype, (data.draw(st.integers(1, 4)), data.draw(st.integers(1, 6))),
                             elements=st.floats(allow_nan=False, allow_infinity=False,
                                                width=width)))
    layer = ELEMENTWISE[name]()
    with strict():
        y = layer.forward(x)
        d = layer._df()
        dx = layer.backward(np.ones_like(y))
    assert y.dtype == dtype and d.dtype == dtype and dx.dtype == dtype
    assert np.isfinite(y).all() and np.isfinite(d).all() and np.isfinite(dx).all()
    if name == "sigmoid":
        assert ((y >= 0) & (y <= 1)).all() and ((d >= 0) & (d <= 0.25)).all()
    elif name == "tanh":
        assert ((y >= -1) & (y <= 1)).all() and ((d >= 0) & (d <= 1)).all()
    elif name == "relu":
        np.testing.assert_array_equal(y, np.maximum(x, 0))
        assert np.isin(d, [0, 1]).all()
    elif name == "step":
        assert np.isin(y, [0, 1]).all() and (d == 0).all()
    elif name == "softplus":
        assert (y >= np.maximum(x, 0)).all() and ((d >= 0) & (d <= 1)).all()
    elif name == "elu":
        assert (y >= -1).all() and ((d >= 0) & (d <= 1)).all()
    elif name in ("gelu", "gelu_tanh"):
        assert (y >= -0.1701).all()  # min of x·Φ(x) is -0.16997 at x = -0.7518
        assert ((d >= -0.1300) & (d <= 1.1300)).all()  # GELU' lies in about [-0.129, 1.129]
    elif name == "leaky_relu":
        assert np.isin(d, dtype([0.1, 1.0])).all()
    elif name == "identity":
        np.testing.assert_array_equal(y, x)


@SETTINGS
@given(data=st.data(), name=st.sampled_from(sorted(ELEMENTWISE)), dtype=st.sampled_from(DTYPES))
def test_elementwise_activations_are_monotonic(data, name, dtype):
    """Every activation here is non-decreasing, except GELU (which dips below 0 left of the
    origin): sorting the inputs sorts the outputs."""
    assume(name not in ("gelu", "gelu_tanh"))
    x = np.sort(data.draw(extreme_arrays(dtype, shape=(1, data.draw(st.integers(2, 12))))))
    with strict():
        y = ELEMENTWISE[name]().forward(x)
    assert (np.diff(y, axis=1) >= 0).all()


# ------------------------------------------------------------------------------ softmax
@SETTINGS
@given(data=st.data(), dtype=st.sampled_from(DTYPES))
def test_softmax_rows_are_distributions(data, dtype):
    x = data.draw(extreme_arrays(dtype))
    sm = gn.Softmax()
    with strict():
        p = sm.forward(x)
        dy = upstream(data.draw, p.shape, dtype)
        dx = sm.backward(dy)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert ((p >= 0) & (p <= 1)).all()
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=0, atol=tol * x.shape[1])
    # the row of maximum input has the largest probability
    np.testing.assert_array_equal(p[np.arange(len(x)), x.argmax(axis=1)], p.max(axis=1))
    # J = diag(p) - p pᵀ has rows summing to 0, so dx does too (up to rounding of |p·dy|)
    scale = np.abs(p * dy).sum(axis=1) + np.abs(dx).sum(axis=1)
    assert (np.abs(dx.sum(axis=1)) <= 4 * tol * (scale + tol)).all()


@SETTINGS
@given(data=st.data(), dtype=st.sampled_from(DTYPES), shift=st.floats(-1e3, 1e3, width=32))
def test_softmax_is_shift_invariant(data, dtype, shift):
    x = data.draw(hnp.arrays(dtype, (3, 4), elements=st.floats(-50, 50, width=32)))
    with strict():
        a = gn.Softmax().forward(x)
        b = gn.Softmax().forward(x + dtype(shift))
    # adding `shift` rounds x itself by up to ulp(|shift|), which moves p by as much
    atol = 1e-12 + 4 * np.finfo(dtype).eps * (abs(shift) + 50)
    np.testing.assert_allclose(a, b, rtol=0, atol=atol)


# ------------------------------------------------------------------------------- losses
LOSSES = {
    "mse": gn.MSE, "mse_half": lambda: gn.MSE(half=True), "mae": gn.MAE, "huber": gn.Huber,
    "bce": gn.BinaryCrossEntropy, "bce_logits": lambda: gn.BinaryCrossEntropy(True),
    "cce": gn.CategoricalCrossEntropy, "cce_logits": lambda: gn.CategoricalCrossEntropy(True),
    "cce_soft": gn.CategoricalCrossEntropy, "hinge": gn.Hinge,
}


def _targets(draw, which, m, k, dtype):
    if which in ("cce", "cce_logits") or (which == "hinge" and k > 1):
        return np.array(draw(st.lists(st.integers(0, k - 1), min_size=m, max_size=m)))
    if which == "cce_soft":
        w = draw(hnp.arrays(np.float64, (m, k), elements=st.floats(0, 1)))
        w[:, 0] += 1e-3  # no all-zero row
        return w / w.sum(axis=1, keepdims=True)
    if which in ("bce", "bce_logits", "hinge"):
        return draw(hnp.arrays(np.int64, (m, k), elements=st.integers(0, 1)))
    return draw(extreme_arrays(dtype, (m, k), big=1e4))


@pytest.mark.parametrize("dtype", DTYPES, **DTYPE_IDS)
@pytest.mark.parametrize("which", sorted(LOSSES))
@PER_CASE
@given(data=st.data())
def test_losses_finite_and_nonnegative_at_extremes(data, which, dtype):
    """Predictions up to ±1e30 (probabilities in [0, 1] with exact 0, 1 and subnormals for
    the probability losses): the cost is a finite float >= 0 and the gradient is finite, of
    the predictions' shape and dtype. MSE in float32 stops at ±1e15 (see the module doc)."""
    m = data.draw(st.integers(1, 5))
    k = data.draw(st.integers(2, 4)) if which.startswith("cce") else data.draw(st.integers(1, 4))
    if which in ("bce", "cce", "cce_soft"):
        # rounded to dtype: hypothesis rejects 1e-30 != float32(1e-30), as NumPy 1.x compares
        exact = [float(dtype(v)) for v in (0.0, 1.0, *TINY[dtype], 0.5)]
        elem = st.one_of(st.sampled_from(exact),
                         st.floats(0, 1, width=32))
        y_pred = data.draw(hnp.arrays(dtype, (m, k), elements=elem))
    else:
        big = 1e15 if (which.startswith("mse") and dtype == np.float32) else 1e30
        y_pred = data.draw(extreme_arrays(dtype, (m, k), big=big))
    y = _targets(data.draw, which, m, k, dtype)
    loss = LOSSES[which]()
    with strict():
        value = loss.forward(y_pred, y)
        grad = loss.backward()
    assert isinstance(value, float) and np.isfinite(value) and value >= 0
    assert grad.shape == y_pred.shape and grad.dtype == dtype
    assert np.isfinite(grad).all()
    if which in ("bce", "bce_logits", "cce", "cce_logits", "cce_soft") and \
            getattr(loss, "fuses_with", None) is not None:
        with strict():
            fused = loss.fused_backward()
        assert fused.dtype == dtype and np.isfinite(fused).all()


@SETTINGS
@given(data=st.data(), which=st.sampled_from(["mse", "mse_half", "mae", "huber", "cce", "bce"]),
       dtype=st.sampled_from(DTYPES))
def test_losses_vanish_at_a_perfect_prediction(data, which, dtype):
    m, k = data.draw(st.integers(1, 5)), data.draw(st.integers(2, 4))
    if which in ("cce", "bce"):
        labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=m, max_size=m)))
        y = np.eye(k)[labels]
        y_pred = y.astype(dtype)
        target = labels if which == "cce" else y
    else:
        y_pred = data.draw(extreme_arrays(dtype, (m, k), big=1e4))
        target = y_pred.astype(np.float64)
    loss = LOSSES[which]()
    with strict():
        value = loss.forward(y_pred, target)
        grad = loss.backward()
    eps = 1e-7 if dtype == np.float32 else 1e-12  # the probability clip
    assert 0 <= value <= 2 * eps
    if which not in ("cce", "bce"):
        np.testing.assert_array_equal(grad, 0)


@SETTINGS
@given(data=st.data(), dtype=st.sampled_from(DTYPES))
def test_huber_is_mse_inside_and_linear_outside(data, dtype):
    """Huber's value, computed without squaring large residuals, still equals the textbook
    piecewise formula (in float64) wherever that one is finite."""
    d = data.draw(extreme_arrays(dtype, big=1e30))
    delta = data.draw(st.sampled_from([0.5, 1.0, 3.0]))
    with strict():
        value = gn.Huber(delta).forward(d, np.zeros_like(d))
    a = np.abs(d.astype(np.float64))
    with np.errstate(over="ignore"):
        ref = np.where(a <= delta, 0.5 * a * a, delta * (a - 0.5 * delta)).mean()
    assert value == pytest.approx(ref, rel=1e-5 if dtype == np.float32 else 1e-12, abs=1e-30)


# ------------------------------------------------------------------------- whole models
@settings(max_examples=25, deadline=None, derandomize=True)
@given(data=st.data(), dtype=st.sampled_from(DTYPES), m=st.integers(1, 30),
       batch=st.integers(1, 40), act=st.sampled_from(["relu", "tanh", "gelu", "elu"]))
def test_predict_in_batches_equals_predict_at_once(data, dtype, m, batch, act):
    n = data.draw(st.integers(1, 5))
    model = gn.Sequential([gn.Dense(n, 6, activation=act), gn.Dense(6, 3), gn.Softmax()],
                          seed=data.draw(st.integers(0, 100)), dtype=dtype)
    X = np.random.default_rng(m).standard_normal((m, n)) * 3
    whole = model.predict(X)
    assert whole.shape == (m, 3) and whole.dtype == dtype
    np.testing.assert_allclose(model.predict(X, batch_size=batch), whole, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(model.predict_proba(X), whole)


class _EpochStart(gn.Callback):
    """Remembers the weights at the start of every epoch."""

    def on_train_begin(self, logs=None):
        self.starts = []

    def on_epoch_begin(self, epoch, logs=None):
        self.starts.append(self.model.get_weights())


@settings(max_examples=30, deadline=None, derandomize=True)
@given(dtype=st.sampled_from(DTYPES), scale=st.sampled_from([1.0, 1e3, 1e10, 1e30]),
       lr=st.sampled_from([1e-3, 1.0, 1e3, 1e10, 1e30]),
       opt=st.sampled_from(["sgd", "momentum", "adam", "rmsprop", "adagrad"]),
       task=st.sampled_from(["regression", "classification"]),
       batch=st.sampled_from([None, 3, 8]), on_nonfinite=st.sampled_from(["stop", "raise"]),
       seed=st.integers(0, 1000))
def test_fit_never_leaves_nan_weights(dtype, scale, lr, opt, task, batch, on_nonfinite, seed):
    """Unscaled data and absurd learning rates (the seeds' NaN crash): after fit the weights
    are finite. If training diverged, the weights are exactly those of the start of the epoch
    where it happened (and with on_nonfinite="raise" a DivergenceError says so)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((20, 3)) * scale
    if task == "regression":
        model = gn.Sequential([gn.Dense(3, 4, activation="tanh"), gn.Dense(4, 1)], seed=seed,
                              dtype=dtype)
        y = X @ np.array([1.0, -2.0, 0.5]) + rng.standard_normal(20)
    else:
        model = gn.Sequential([gn.Dense(3, 4, activation="relu"), gn.Dense(4, 3),
                               gn.Softmax()], seed=seed, dtype=dtype)
        y = rng.integers(0, 3, 20)
    from glassnet import optim
    spy = _EpochStart()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            hist = model.fit(X, y, optimizer=optim.get(opt, lr=lr), epochs=3, batch_size=batch,
                             callbacks=[spy], on_nonfinite=on_nonfinite)
            diverged = hist.diverged
            if diverged:
                assert "diverged" in hist.stop_reason and "learning rate" in hist.stop_reason
            losses = hist.history.get("loss", [])
            # the epoch that diverged is recorded with a NaN loss (as Keras's TerminateOnNaN)
            assert all(np.isfinite(v) for v in (losses[:-1] if diverged else losses))
            assert not diverged or np.isnan(losses[-1])
        except gn.DivergenceError as exc:
            assert on_nonfinite == "raise" and "lower" in str(exc)
            diverged = True
    weights = model.get_weights()
    assert all(np.isfinite(w).all() for w in weights)
    assert all(w.dtype == dtype for w in weights)
    if diverged:
        for w, s in zip(weights, spy.starts[-1]):
            np.testing.assert_array_equal(w, s)
    with np.errstate(all="ignore"):
        out = model.predict(X)
    assert out.shape[0] == 20 and out.dtype == dtype


def test_a_step_that_overflows_the_weights_is_caught():
    """The loss of the last step is finite, but the step itself overflows the weights: fit
    must not return infinite weights (this used to slip through: only losses were checked)."""
    X = np.random.default_rng(0).standard_normal((8, 2)) * 1e30
    model = gn.Sequential([gn.Dense(2, 1)], seed=0, dtype="float64")
    before = model.get_weights()
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        hist = model.fit(X, np.ones(8), optimizer=gn.SGD(lr=1e300), epochs=1, batch_size=None)
    assert hist.diverged
    assert any("weights became non-finite" in str(w.message) for w in caught)
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)
    model2 = gn.Sequential([gn.Dense(2, 1)], seed=0, dtype="float64")
    with pytest.raises(gn.DivergenceError, match="weights became non-finite"), \
            np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model2.fit(X, np.ones(8), optimizer=gn.SGD(lr=1e300), epochs=2, batch_size=None,
                   on_nonfinite="raise")
    assert all(np.isfinite(w).all() for w in model2.get_weights())
