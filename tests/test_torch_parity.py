"""Parity with PyTorch (CPU, float64): same weights, same inputs, same numbers.

For every layer and loss PyTorch has, the forward values, the input gradients and the parameter
gradients must agree to 1e-10 relative. A whole three-layer model is compared too: forward,
loss and every gradient.
"""
import math
import zlib

import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

RTOL = 1e-10
SHAPES = [(1, 1), (1, 5), (7, 3), (16, 10)]


def seed_of(*parts):
    return zlib.crc32(repr(parts).encode())


def assert_close(ours, theirs, what=""):
    """Equal to RTOL relative, entry-wise, with an absolute floor of RTOL times the array's
    scale (entries that are ~0 in both have no meaningful relative error)."""
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    ours = np.asarray(ours)
    assert ours.shape == theirs.shape, (what, ours.shape, theirs.shape)
    scale = max(float(np.max(np.abs(theirs), initial=0.0)), 1e-300)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=RTOL * scale * 1e-3, err_msg=what)


def t64(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=grad)


# --------------------------------------------------------------------------------- layers
ACTIVATIONS = {
    "sigmoid": (gn.Sigmoid, nn.Sigmoid),
    "tanh": (gn.Tanh, nn.Tanh),
    "relu": (gn.ReLU, nn.ReLU),
    "leaky_relu": (lambda: gn.LeakyReLU(0.01), lambda: nn.LeakyReLU(0.01)),
    "leaky_relu_0.2": (lambda: gn.LeakyReLU(0.2), lambda: nn.LeakyReLU(0.2)),
    "elu": (gn.ELU, nn.ELU),
    "elu_0.5": (lambda: gn.ELU(0.5), lambda: nn.ELU(0.5)),
    "gelu": (gn.GELU, lambda: nn.GELU()),
    "gelu_tanh": (lambda: gn.GELU("tanh"), lambda: nn.GELU(approximate="tanh")),
    "softplus": (gn.Softplus, nn.Softplus),
    "softmax": (gn.Softmax, lambda: nn.Softmax(dim=1)),
    "identity": (gn.Identity, nn.Identity),
}


def _layer_pair_check(ours, theirs, x, dy):
    xt = t64(x, grad=True)
    yt = theirs(xt)
    yt.backward(t64(dy))
    y = ours.forward(x)
    ours.needs_input_grad = True
    dx = ours.backward(dy)
    assert_close(y, yt, "forward")
    assert_close(dx, xt.grad, "input gradient")
    return theirs


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_matches_torch(name, shape):
    rng = np.random.default_rng(seed_of(name, shape))
    x = 3 * rng.standard_normal(shape)
    if name.startswith(("relu", "leaky")):
        x[np.abs(x) < 1e-3] = 0.5  # the derivative at exactly 0 is a convention
    dy = rng.standard_normal(shape)
    ours_cls, theirs_cls = ACTIVATIONS[name]
    _layer_pair_check(ours_cls(), theirs_cls().double(), x, dy)


@pytest.mark.parametrize("name", ["gelu", "gelu_tanh", "softplus", "elu", "sigmoid", "tanh"])
def test_activation_matches_torch_wide_range(name):
    """Values from −30 to 30, the tails included. Far in a tail both libraries lose digits to
    the same cancellations (1 + tanh u, 1 − tanh², 1 + erf) and round them differently
    (absolute differences up to ~2e-15, for tanh-GELU's gradient near x = −5), so the
    tolerance is 1e-10 relative plus 1e-14 absolute. Softplus stops at 19.5: beyond 20 torch switches to
    the linear approximation y = x (its ``threshold``), which is off by e^{−x}."""
    hi = 19.5 if name == "softplus" else 30
    x = np.linspace(-30, hi, 241).reshape(1, -1)
    dy = np.ones_like(x)
    ours_cls, theirs_cls = ACTIVATIONS[name]
    xt = t64(x, grad=True)
    yt = theirs_cls().double()(xt)
    yt.backward(t64(dy))
    ours = ours_cls()
    y = ours.forward(x)
    dx = ours.backward(dy)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=RTOL, atol=1e-14)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=RTOL, atol=1e-14)


def test_gelu_exact_tails_are_relatively_accurate():
    """x·Φ(x) keeps full relative precision deep in the negative tail (where the naive
    ½x(1 + erf(x/√2)) cancels to 0): compare with Python's math.erfc entry by entry."""
    import math
    x = np.linspace(-30, 30, 241)
    ref = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in x])
    dref = np.array([0.5 * math.erfc(-v / math.sqrt(2))
                     + v * math.exp(-0.5 * v * v) / math.sqrt(2 * math.pi) for v in x])
    layer = gn.GELU()
    y = layer.forward(x.reshape(1, -1))[0]
    dx = layer.backward(np.ones((1, x.size)))[0]
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=0)
    assert y[0] < 0  # −30·Φ(−30) ≈ −1.5e-196, not 0
    np.testing.assert_allclose(dx, dref, rtol=1e-12, atol=1e-15)


def test_gelu_erf_matches_torch_erf():
    from glassnet.activations import erf, erfc
    x = np.concatenate([np.linspace(-7, 7, 281), [-1.9999, 1.9999, 2.0, 2.0001, -2.0]])
    np.testing.assert_allclose(erf(x), torch.erf(t64(x)).numpy(), rtol=1e-13, atol=1e-16)
    y = np.linspace(-3, 25, 200)
    np.testing.assert_allclose(erfc(y), torch.erfc(t64(y)).numpy(), rtol=1e-12, atol=1e-300)


def _ulps(got, ref):
    """|got − ref| in units of ref's last place (the smallest subnormal where ref is 0)."""
    return np.abs(got - ref) / np.maximum(np.spacing(np.abs(ref)), 5e-324)


def test_erf_erfc_are_within_a_few_ulp_of_math_over_the_whole_range():
    """erf/erfc against Python's math.erf/math.erfc (libm's, themselves within ~1-2 ulp) on a
    dense grid, the tails (erfc down to its subnormals and 0 past 27.2) and tiny arguments
    included: erf within 2 ulp, erfc within 4.5 ulp; no torch needed for these."""
    from glassnet.activations import erf, erfc
    tiny = np.geomspace(1e-310, 30, 4001)
    x = np.concatenate([np.linspace(-30, 30, 120001), tiny, -tiny, [-27.25, 27.25, -27.3, 27.3]])
    ref_erf = np.frompyfunc(math.erf, 1, 1)(x).astype(np.float64)
    ref_erfc = np.frompyfunc(math.erfc, 1, 1)(x).astype(np.float64)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got_erf, got_erfc = erf(x), erfc(x)
    assert got_erf.dtype == got_erfc.dtype == np.float64
    assert _ulps(got_erf, ref_erf).max() <= 2.0
    assert _ulps(got_erfc, ref_erfc).max() <= 4.5
    normal = ref_erfc >= np.finfo(np.float64).tiny
    np.testing.assert_allclose(got_erfc[normal], ref_erfc[normal], rtol=1e-15, atol=0)
    big = np.abs(x) >= 0.5
    np.testing.assert_allclose(got_erf[big], ref_erf[big], rtol=1e-15, atol=0)


def test_erf_erfc_special_values():
    from glassnet.activations import erf, erfc
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-320, -1e-320, 1e308, -1e308, 5e-324])
    with np.errstate(all="raise", under="ignore"):
        e, c = erf(x), erfc(x)
    np.testing.assert_array_equal(e[:4], [0.0, -0.0, 1.0, -1.0])
    assert not np.signbit(e[0]) and np.signbit(e[1])
    assert np.isnan(e[4]) and np.isnan(c[4])
    np.testing.assert_array_equal(e[5:7], [math.erf(1e-320), math.erf(-1e-320)])  # subnormal, not 0
    np.testing.assert_array_equal(e[7:9], [1.0, -1.0])
    np.testing.assert_array_equal(c[[0, 1, 2, 3, 7, 8]], [1.0, 1.0, 0.0, 2.0, 0.0, 2.0])
    assert erf(5e-324) == math.erf(5e-324) and erf(np.float32(-0.0)) == 0.0
    np.testing.assert_array_equal(erf(np.array([], dtype=np.float64)), [])
    assert erf(0.5).shape == ()


def test_erf_float32_inputs_give_float64_results_of_the_same_values():
    """float32 in, the float64 function of those same values out (GELU casts once at the end)."""
    from glassnet.activations import erf, erfc
    x32 = (np.random.default_rng(3).standard_normal((64, 33)) * 3).astype(np.float32)
    np.testing.assert_array_equal(erf(x32), erf(x32.astype(np.float64)))
    np.testing.assert_array_equal(erfc(x32), erfc(x32.astype(np.float64)))


def test_gelu_float32_is_the_rounded_float64_result():
    """Exact GELU on float32 computes Φ in float64 and rounds it: close to the float64 result."""
    x64 = np.random.default_rng(4).standard_normal((32, 40)) * 3
    x32 = x64.astype(np.float32)
    layer32, layer64 = gn.GELU(), gn.GELU()
    y32 = layer32.forward(x32)
    y64 = layer64.forward(x32.astype(np.float64))
    dx32 = layer32.backward(np.ones_like(x32))
    dx64 = layer64.backward(np.ones_like(y64))
    assert y32.dtype == dx32.dtype == np.float32
    eps = np.finfo(np.float32).eps
    # y = x·Φ(x) rounds Φ and the product: within 2 ulp; dx = Φ + x·φ adds terms up to ~1.1
    assert (np.abs(y32 - y64) <= 2 * np.spacing(np.abs(y64).astype(np.float32))).all()
    np.testing.assert_allclose(dx32, dx64, rtol=2 * eps, atol=2 * eps)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_dense_matches_linear(shape, bias):
    m, n_in = shape
    rng = np.random.default_rng(seed_of(shape, bias))
    n_out = int(rng.integers(1, 6))
    W = rng.standard_normal((n_in, n_out))
    ours = gn.Dense(n_in, n_out, init=W, bias=bias)
    ours.build(n_in, dtype="float64")
    if bias:
        ours.params["b"][...] = rng.standard_normal(n_out)
    lin = nn.Linear(n_in, n_out, bias=bias).double()
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(W.T.copy()))  # torch stores W transposed
        if bias:
            lin.bias.copy_(torch.from_numpy(ours.params["b"].copy()))
    x = rng.standard_normal((m, n_in))
    dy = rng.standard_normal((m, n_out))
    _layer_pair_check(ours, lin, x, dy)
    assert_close(ours.grads["W"], lin.weight.grad.T, "dW")
    if bias:
        assert_close(ours.grads["b"], lin.bias.grad, "db")


def test_dropout_eval_is_identity_like_torch():
    x = np.random.default_rng(0).standard_normal((4, 6))
    ours = gn.Dropout(0.4, seed=0)
    theirs = nn.Dropout(0.4).double().eval()
    _layer_pair_check(ours, theirs, x, np.ones_like(x))


# --------------------------------------------------------------------------------- losses
def _loss_pair_check(ours, theirs_fn, y_pred, y_true, theirs_target=None):
    """theirs_fn(pred_tensor, target) -> scalar tensor."""
    pt = t64(y_pred, grad=True)
    target = theirs_target if theirs_target is not None else t64(y_true)
    lt = theirs_fn(pt, target)
    lt.backward()
    val = ours.forward(y_pred, y_true)
    grad = ours.backward()
    assert isinstance(val, float)
    assert_close(np.array(val), lt, "loss value")
    assert_close(grad, pt.grad, "loss gradient")


LOSS_SHAPES = [(1, 1), (1, 4), (6, 1), (9, 3)]


@pytest.mark.parametrize("shape", LOSS_SHAPES, ids=str)
def test_mse_matches_torch(shape):
    rng = np.random.default_rng(seed_of("mse", shape))
    yp, yt = rng.standard_normal(shape), rng.standard_normal(shape)
    _loss_pair_check(gn.MSE(), nn.MSELoss(), yp, yt)
    # the seeds' 1/2m form: torch's sum-reduced MSE / (2m)
    m = shape[0]
    _loss_pair_check(gn.MSE(half=True),
                     lambda p, t: nn.MSELoss(reduction="sum")(p, t) / (2 * m), yp, yt)


@pytest.mark.parametrize("shape", LOSS_SHAPES, ids=str)
def test_mae_matches_torch(shape):
    rng = np.random.default_rng(seed_of("mae", shape))
    yt = rng.standard_normal(shape)
    yp = yt + np.where(rng.random(shape) < 0.5, -1, 1) * (0.1 + rng.random(shape))
    _loss_pair_check(gn.MAE(), nn.L1Loss(), yp, yt)


@pytest.mark.parametrize("delta", [1.0, 0.3, 2.5])
@pytest.mark.parametrize("shape", LOSS_SHAPES, ids=str)
def test_huber_matches_torch(shape, delta):
    rng = np.random.default_rng(seed_of("huber", shape, delta))
    yp, yt = 2 * rng.standard_normal(shape), rng.standard_normal(shape)
    _loss_pair_check(gn.Huber(delta), nn.HuberLoss(delta=delta), yp, yt)


@pytest.mark.parametrize("shape", LOSS_SHAPES, ids=str)
def test_bce_matches_torch(shape):
    rng = np.random.default_rng(seed_of("bce", shape))
    p = rng.uniform(0.01, 0.99, shape)
    y = rng.integers(0, 2, shape).astype(float)
    _loss_pair_check(gn.BinaryCrossEntropy(), nn.BCELoss(), p, y)
    soft = rng.random(shape)
    _loss_pair_check(gn.BinaryCrossEntropy(), nn.BCELoss(), p, soft)


@pytest.mark.parametrize("shape", LOSS_SHAPES, ids=str)
def test_bce_logits_matches_torch(shape):
    rng = np.random.default_rng(seed_of("bce_logits", shape))
    z = 4 * rng.standard_normal(shape)
    z.flat[0] = 40.0  # a saturated logit: the stable form must still agree
    y = rng.integers(0, 2, shape).astype(float)
    _loss_pair_check(gn.BinaryCrossEntropy(from_logits=True), nn.BCEWithLogitsLoss(), z, y)


CLASS_SHAPES = [(1, 2), (1, 5), (8, 3), (12, 6)]


@pytest.mark.parametrize("onehot", [False, True], ids=["labels", "onehot"])
@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
def test_cce_logits_matches_cross_entropy(shape, onehot):
    m, k = shape
    rng = np.random.default_rng(seed_of("cce_logits", shape, onehot))
    z = 3 * rng.standard_normal(shape)
    labels = rng.integers(0, k, m)
    y = np.eye(k)[labels] if onehot else labels
    _loss_pair_check(gn.CategoricalCrossEntropy(from_logits=True), nn.CrossEntropyLoss(), z, y,
                     theirs_target=torch.from_numpy(labels))


@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
def test_cce_logits_soft_targets_match_cross_entropy(shape):
    rng = np.random.default_rng(seed_of("cce_soft", shape))
    z = rng.standard_normal(shape)
    t = rng.random(shape)
    t /= t.sum(axis=1, keepdims=True)
    _loss_pair_check(gn.CategoricalCrossEntropy(from_logits=True), nn.CrossEntropyLoss(), z, t)


@pytest.mark.parametrize("onehot", [False, True], ids=["labels", "onehot"])
@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
def test_cce_probabilities_match_nll_of_log(shape, onehot):
    m, k = shape
    rng = np.random.default_rng(seed_of("cce_probs", shape, onehot))
    z = rng.standard_normal(shape)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    labels = rng.integers(0, k, m)
    y = np.eye(k)[labels] if onehot else labels
    _loss_pair_check(gn.CategoricalCrossEntropy(), lambda pt, t: F.nll_loss(torch.log(pt), t),
                     p, y, theirs_target=torch.from_numpy(labels))


@pytest.mark.parametrize("onehot", [False, True], ids=["labels", "onehot"])
@pytest.mark.parametrize("shape", CLASS_SHAPES, ids=str)
def test_multiclass_hinge_matches_multi_margin(shape, onehot):
    m, k = shape
    rng = np.random.default_rng(seed_of("hinge", shape, onehot))
    # differences 0.3·n ± 0.04: no margin sits on the kink
    f = 0.3 * rng.integers(-5, 6, size=shape) + rng.uniform(-0.02, 0.02, shape)
    labels = rng.integers(0, k, m)
    y = np.eye(k)[labels] if onehot else labels
    _loss_pair_check(gn.Hinge(), nn.MultiMarginLoss(), f, y,
                     theirs_target=torch.from_numpy(labels))


@pytest.mark.parametrize("labels01", [False, True], ids=["pm1", "01"])
@pytest.mark.parametrize("m", [1, 4, 11])
def test_binary_hinge_matches_two_class_multi_margin(m, labels01):
    """With one score f, the binary hinge max(0, 1 − y·f) equals 2 × MultiMarginLoss on the
    two scores [0, f] with class (y + 1)/2: max(0, 1 − s_c + s_other)/2 per example."""
    rng = np.random.default_rng(seed_of("binary_hinge", m, labels01))
    y = np.where(rng.random(m) < 0.5, -1, 1)
    f = y * (1 - np.where(rng.random(m) < 0.5, -1, 1) * (0.2 + rng.random(m)))  # off the kink
    target = torch.from_numpy((y + 1) // 2)
    _loss_pair_check(gn.Hinge(), lambda ft, t: 2 * nn.MultiMarginLoss()(
        torch.cat([torch.zeros_like(ft), ft], dim=1), t), f.reshape(m, 1),
        (y + 1) // 2 if labels01 else y, theirs_target=target)


# ----------------------------------------------------------------------------- whole model
MODEL_CASES = {
    # name: (hidden activations, head, glassnet loss, torch loss on the head's output, target)
    "cce_logits": ((gn.Tanh, nn.Tanh), (gn.ReLU, nn.ReLU), None,
                   lambda: gn.CategoricalCrossEntropy(from_logits=True), nn.CrossEntropyLoss(),
                   "labels"),
    "softmax_cce": ((gn.GELU, nn.GELU), (gn.ELU, nn.ELU), (gn.Softmax, lambda: nn.Softmax(1)),
                    lambda: gn.CategoricalCrossEntropy(),
                    lambda p, t: F.nll_loss(torch.log(p), t), "labels"),
    "sigmoid_bce": ((gn.Sigmoid, nn.Sigmoid), (gn.Softplus, nn.Softplus),
                    (gn.Sigmoid, nn.Sigmoid), lambda: gn.BinaryCrossEntropy(), nn.BCELoss(),
                    "binary"),
    "bce_logits": ((lambda: gn.LeakyReLU(0.1), lambda: nn.LeakyReLU(0.1)), (gn.Tanh, nn.Tanh),
                   None, lambda: gn.BinaryCrossEntropy(from_logits=True),
                   nn.BCEWithLogitsLoss(), "binary"),
    "mse": ((gn.ReLU, nn.ReLU), (lambda: gn.GELU("tanh"), lambda: nn.GELU(approximate="tanh")),
            None, lambda: gn.MSE(), nn.MSELoss(), "real"),
    "huber": ((gn.Tanh, nn.Tanh), (gn.Sigmoid, nn.Sigmoid), None, lambda: gn.Huber(0.5),
              nn.HuberLoss(delta=0.5), "real"),
}


@pytest.mark.parametrize("m", [1, 10])
@pytest.mark.parametrize("case", list(MODEL_CASES))
def test_three_layer_model_matches_torch(case, m):
    act1, act2, head, make_loss, torch_loss, target = MODEL_CASES[case]
    rng = np.random.default_rng(seed_of(case, m))
    sizes = [5, 8, 6, 3]
    Ws = [rng.standard_normal((a, b)) / np.sqrt(a) for a, b in zip(sizes, sizes[1:])]
    bs = [0.1 * rng.standard_normal(b) for b in sizes[1:]]

    ours_layers = [gn.Dense(5, 8, init=Ws[0]), act1[0](), gn.Dense(8, 6, init=Ws[1]), act2[0](),
                   gn.Dense(6, 3, init=Ws[2])]
    theirs_layers = [nn.Linear(5, 8), act1[1](), nn.Linear(8, 6), act2[1](), nn.Linear(6, 3)]
    if head is not None:
        ours_layers.append(head[0]())
        theirs_layers.append(head[1]())
    model = gn.Sequential(ours_layers, dtype="float64")
    dense = [la for la in model.layers if isinstance(la, gn.Dense)]
    for la, b in zip(dense, bs):
        la.params["b"][...] = b
    tmodel = nn.Sequential(*theirs_layers).double()
    linears = [la for la in tmodel if isinstance(la, nn.Linear)]
    with torch.no_grad():
        for lin, W, b in zip(linears, Ws, bs):
            lin.weight.copy_(torch.from_numpy(W.T.copy()))
            lin.bias.copy_(torch.from_numpy(b))

    x = rng.standard_normal((m, 5))
    if target == "labels":
        labels = rng.integers(0, 3, m)
        y, ty = labels, torch.from_numpy(labels)
    elif target == "binary":
        y = rng.integers(0, 2, (m, 3)).astype(float)
        ty = t64(y)
    else:
        y = rng.standard_normal((m, 3))
        ty = t64(y)

    xt = t64(x, grad=True)
    out_t = tmodel(xt)
    loss_t = torch_loss(out_t, ty)
    loss_t.backward()

    loss = make_loss()
    out = model.forward(x)
    val = loss.forward(out, y)
    dx = model.backprop(loss, input_grad=True)

    assert_close(out, out_t, "model output")
    assert_close(np.array(val), loss_t, "loss")
    assert_close(dx, xt.grad, "input gradient")
    for i, (la, lin) in enumerate(zip(dense, linears)):
        assert_close(la.grads["W"], lin.weight.grad.T, f"dW of Dense {i}")
        assert_close(la.grads["b"], lin.bias.grad, f"db of Dense {i}")
