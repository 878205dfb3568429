"""Finite-difference checks of every layer, loss and whole models (float64).

Each analytic gradient (``backward``) must agree with central differences to a relative error
below 1e-6. Inputs are kept away from kinks (ReLU at 0, |d| = 0 for MAE, |d| = delta for Huber,
margin 0 for Hinge), where the derivative does not exist and finite differences straddle it.
The last section checks that the checker can fail: a wrong backward must give a large error.
"""
import zlib

import numpy as np
import pytest

import glassnet as gn
from glassnet.data import make_moons
from glassnet.gradcheck import gradcheck

TOL = 1e-6
SHAPES = [(1, 1), (1, 4), (3, 5), (8, 3)]


def seed_of(*parts):
    """A stable seed from test parameters (``hash`` of a str varies between runs)."""
    return zlib.crc32(repr(parts).encode())


def away_from_zero(rng, shape, low=0.1, scale=1.0):
    """Random values with |v| >= low and random signs."""
    mag = low + scale * np.abs(rng.standard_normal(shape))
    return np.where(rng.random(shape) < 0.5, -mag, mag)


# --------------------------------------------------------------------------------- layers
LAYERS = {
    "dense": lambda: gn.Dense(3),
    "dense_nobias": lambda: gn.Dense(2, bias=False),
    "dense_explicit_n_in": None,  # built from the shape below
    "sigmoid": gn.Sigmoid,
    "tanh": gn.Tanh,
    "relu": gn.ReLU,
    "leaky_relu": lambda: gn.LeakyReLU(0.1),
    "elu": gn.ELU,
    "elu_alpha": lambda: gn.ELU(0.7),
    "gelu": gn.GELU,
    "gelu_tanh": lambda: gn.GELU("tanh"),
    "softplus": gn.Softplus,
    "softmax": gn.Softmax,
    "identity": gn.Identity,
    "step": gn.Step,
    "dropout_eval": lambda: gn.Dropout(0.5, seed=0),
}
KINKED = {"relu", "leaky_relu", "step"}


def make_layer(name, shape):
    if name == "dense_explicit_n_in":
        return gn.Dense(shape[1], 4, init="he")
    return LAYERS[name]()


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_gradcheck(name, shape):
    rng = np.random.default_rng(seed_of(name, shape))
    if name in KINKED:
        x = away_from_zero(rng, shape)
    else:
        x = 1.5 * rng.standard_normal(shape)
    layer = make_layer(name, shape)
    worst, errors = gradcheck(layer, x, details=True, seed=1)
    assert worst < TOL, errors
    if isinstance(layer, gn.Dense):
        expected = {"input", "W"} | ({"b"} if layer.bias else set())
        assert set(errors) == expected


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_dense_with_nonzero_bias(shape):
    rng = np.random.default_rng(7)
    layer = gn.Dense(shape[1], 3)
    layer.build(shape[1], rng, "float64")
    layer.params["b"][...] = rng.standard_normal(3)
    assert gradcheck(layer, rng.standard_normal(shape)) < TOL


def test_gradcheck_leaves_object_untouched():
    layer = gn.Dense(3, 2, seed=0)
    layer.build(3, np.random.default_rng(0), "float32")
    before = {k: v.copy() for k, v in layer.params.items()}
    gradcheck(layer, np.ones((2, 3)))
    for k, v in layer.params.items():
        assert v.dtype == np.float32
        np.testing.assert_array_equal(v, before[k])


@pytest.mark.parametrize("x", [np.linspace(-9, 9, 12).reshape(3, 4),
                               np.array([[-40.0, -6.0, 6.0, 40.0]])], ids=["moderate", "tails"])
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_gradcheck_far_from_origin(approximate, x):
    assert gradcheck(gn.GELU(approximate), x) < TOL


# --------------------------------------------------------------------------------- losses
def _onehot(labels, k):
    return np.eye(k)[labels]


def _multiclass_scores(rng, m, k):
    """Scores whose pairwise differences are 0.3·n ± 0.04, so every margin
    1 − f_y + f_j is at least 0.06 away from the hinge's kink at 0."""
    return 0.3 * rng.integers(-5, 6, size=(m, k)) + rng.uniform(-0.02, 0.02, (m, k))


def loss_case(name, shape, rng):
    """Return (loss, y_pred, y_true) for a loss and a prediction shape (m, k)."""
    m, k = shape
    if name == "mse":
        return gn.MSE(), rng.standard_normal(shape), rng.standard_normal(shape)
    if name == "mse_half":
        return gn.MSE(half=True), rng.standard_normal(shape), rng.standard_normal(shape)
    if name == "mae":
        y = rng.standard_normal(shape)
        return gn.MAE(), y + away_from_zero(rng, shape), y
    if name in ("huber", "huber_delta_0.5"):
        delta = 1.0 if name == "huber" else 0.5
        y = rng.standard_normal(shape)
        # |d| in [0.1, 0.8]·δ (quadratic part) or [1.2, 3]·δ (linear part)
        mag = np.where(rng.random(shape) < 0.5, rng.uniform(0.1, 0.8, shape),
                       rng.uniform(1.2, 3.0, shape)) * delta
        sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
        return gn.Huber(delta), y + sign * mag, y
    if name == "bce":
        return (gn.BinaryCrossEntropy(), rng.uniform(0.05, 0.95, shape),
                rng.integers(0, 2, shape).astype(float))
    if name == "bce_soft_targets":
        return (gn.BinaryCrossEntropy(), rng.uniform(0.05, 0.95, shape),
                rng.uniform(0, 1, shape))
    if name == "bce_logits":
        return (gn.BinaryCrossEntropy(from_logits=True), 3 * rng.standard_normal(shape),
                rng.integers(0, 2, shape).astype(float))
    if name.startswith("cce"):
        labels = rng.integers(0, k, m)
        y = _onehot(labels, k) if name.endswith("onehot") else labels
        if "logits" in name:
            return gn.CategoricalCrossEntropy(from_logits=True), 2 * rng.standard_normal(shape), y
        z = rng.standard_normal(shape)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return gn.CategoricalCrossEntropy(), p, y
    if name in ("hinge_binary_pm1", "hinge_binary_01"):
        y = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
        t = 1 - away_from_zero(rng, shape, low=0.2)  # margin 1 − y·f = 1 − t, away from 0
        f = y * t
        return gn.Hinge(), f, (y if name.endswith("pm1") else (y + 1) / 2)
    if name in ("hinge_multi", "hinge_multi_onehot"):
        labels = rng.integers(0, k, m)
        y = _onehot(labels, k) if name.endswith("onehot") else labels
        return gn.Hinge(), _multiclass_scores(rng, m, k), y
    raise KeyError(name)


ELEMENTWISE_LOSSES = ["mse", "mse_half", "mae", "huber", "huber_delta_0.5", "bce",
                      "bce_soft_targets", "bce_logits", "hinge_binary_pm1", "hinge_binary_01"]
CLASS_LOSSES = ["cce", "cce_onehot", "cce_logits", "cce_logits_onehot", "hinge_multi",
                "hinge_multi_onehot"]


LOSS_SHAPES = [(1, 1), (1, 3), (5, 1), (6, 4)]
ELEMENTWISE_CASES = [(name, shape) for name in ELEMENTWISE_LOSSES for shape in LOSS_SHAPES
                     # Hinge with k > 1 outputs is the multi-class loss, checked below
                     if not (name.startswith("hinge") and shape[1] > 1)]


@pytest.mark.parametrize("name, shape", ELEMENTWISE_CASES, ids=str)
def test_elementwise_loss_gradcheck(name, shape):
    rng = np.random.default_rng(seed_of(name, shape))
    loss, y_pred, y_true = loss_case(name, shape, rng)
    worst = gradcheck(loss, y_pred, y_true)
    assert worst < TOL


@pytest.mark.parametrize("shape", [(1, 2), (1, 4), (5, 3), (9, 5)], ids=str)
@pytest.mark.parametrize("name", CLASS_LOSSES)
def test_class_loss_gradcheck(name, shape):
    rng = np.random.default_rng(seed_of(name, shape))
    loss, y_pred, y_true = loss_case(name, shape, rng)
    assert gradcheck(loss, y_pred, y_true) < TOL


@pytest.mark.parametrize("name", ["mse", "mae", "bce_logits", "hinge_binary_pm1"])
def test_loss_gradcheck_on_1d_predictions(name):
    rng = np.random.default_rng(3)
    loss, y_pred, y_true = loss_case(name, (6, 1), rng)
    assert gradcheck(loss, y_pred[:, 0], y_true[:, 0]) < TOL


def test_cce_soft_targets_gradcheck():
    rng = np.random.default_rng(4)
    z = rng.standard_normal((5, 3))
    t = rng.random((5, 3))
    t /= t.sum(axis=1, keepdims=True)
    assert gradcheck(gn.CategoricalCrossEntropy(from_logits=True), z, t) < TOL
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert gradcheck(gn.CategoricalCrossEntropy(), p, t) < TOL


# ----------------------------------------------------------------------------- whole models
def _hidden(n_in, act):
    return [gn.Dense(n_in, 6, init="he"), act, gn.Dense(6, 5, init="xavier"), gn.Tanh()]


HIDDEN_ACTS = {
    "relu": gn.ReLU, "leaky": lambda: gn.LeakyReLU(0.2), "elu": gn.ELU, "gelu": gn.GELU,
    "gelu_tanh": lambda: gn.GELU("tanh"), "softplus": gn.Softplus, "sigmoid": gn.Sigmoid,
    "identity": gn.Identity, "dropout": lambda: gn.Dropout(0.3, seed=1),
}

MODEL_LOSSES = ["mse", "mse_half", "mae", "huber", "bce", "bce_logits", "cce", "cce_onehot",
                "cce_logits", "cce_logits_onehot", "hinge_binary", "hinge_multi"]


def model_case(loss_name, act_name, m, seed):
    """A float64 model ending in the right head for the loss, its input and fitting targets
    (kept away from the loss's kinks given the model's own outputs)."""
    rng = np.random.default_rng(seed)
    n_in = 4
    layers = _hidden(n_in, HIDDEN_ACTS[act_name]())
    k = 3
    if loss_name in ("mse", "mse_half", "mae", "huber"):
        layers += [gn.Dense(5, k)]
        loss = {"mse": gn.MSE(), "mse_half": gn.MSE(half=True), "mae": gn.MAE(),
                "huber": gn.Huber(0.7)}[loss_name]
    elif loss_name == "bce":
        layers += [gn.Dense(5, 2), gn.Sigmoid()]
        loss = gn.BinaryCrossEntropy()
    elif loss_name == "bce_logits":
        layers += [gn.Dense(5, 1)]
        loss = gn.BinaryCrossEntropy(from_logits=True)
    elif loss_name in ("cce", "cce_onehot"):
        layers += [gn.Dense(5, k), gn.Softmax()]
        loss = gn.CategoricalCrossEntropy()
    elif loss_name.startswith("cce_logits"):
        layers += [gn.Dense(5, k)]
        loss = gn.CategoricalCrossEntropy(from_logits=True)
    elif loss_name == "hinge_binary":
        layers += [gn.Dense(5, 1)]
        loss = gn.Hinge()
    elif loss_name == "hinge_multi":
        layers += [gn.Dense(5, k)]
        loss = gn.Hinge()
    model = gn.Sequential(layers, seed=seed, dtype="float64")
    x = rng.standard_normal((m, n_in))
    out = model.forward(x)
    if loss_name in ("mse", "mse_half"):
        y = rng.standard_normal(out.shape)
    elif loss_name == "mae":
        y = out + away_from_zero(rng, out.shape)
    elif loss_name == "huber":
        y = out + np.where(rng.random(out.shape) < 0.5, 0.3, 1.5) * 0.7 * \
            np.where(rng.random(out.shape) < 0.5, -1, 1)
    elif loss_name in ("bce", "bce_logits"):
        y = rng.integers(0, 2, out.shape).astype(float)
    elif loss_name.startswith("cce"):
        labels = rng.integers(0, out.shape[1], m)
        y = _onehot(labels, out.shape[1]) if loss_name.endswith("onehot") else labels
    elif loss_name == "hinge_binary":
        y = np.where(rng.random(out.shape) < 0.5, -1.0, 1.0)
        y = np.where(np.abs(1 - y * out) < 0.05, -y, y)
    else:  # hinge_multi: per row, a label whose every margin is away from 0
        labels = []
        for row in out:
            ok = [c for c in range(k)
                  if all(abs(1 - row[c] + row[j]) > 0.05 for j in range(k) if j != c)]
            assert ok, "no kink-free label for this row; change the seed"
            labels.append(ok[rng.integers(len(ok))])
        y = np.array(labels)
    return model, loss, x, y


@pytest.mark.parametrize("m", [1, 7])
@pytest.mark.parametrize("loss_name", MODEL_LOSSES)
def test_model_gradcheck_each_loss(loss_name, m):
    model, loss, x, y = model_case(loss_name, "elu", m, seed=11)
    worst, errors = gradcheck(model, x, y, loss=loss, details=True)
    assert worst < TOL, errors
    # every parameter array and the input were checked
    assert len(errors) == 1 + len(model.parameters())


@pytest.mark.parametrize("act_name", list(HIDDEN_ACTS))
def test_model_gradcheck_each_hidden_activation(act_name):
    model, loss, x, y = model_case("cce_logits", act_name, 5, seed=12)
    worst, errors = gradcheck(model, x, y, loss=loss, details=True)
    assert worst < TOL, errors


def test_model_gradcheck_unbuilt_model_and_default_loss():
    model = gn.Sequential([gn.Dense(5, activation="tanh"), gn.Dense(2)], seed=3)
    assert not model.built
    x = np.random.default_rng(0).standard_normal((4, 3))
    assert gradcheck(model, x) < TOL
    assert not model.built  # the check worked on a copy


def test_fused_and_unfused_paths_agree():
    """Sigmoid + BCE on probabilities backpropagates the fused (ŷ − y)/n; it must equal the
    product of the loss's own gradient and the sigmoid's local gradient."""
    rng = np.random.default_rng(5)
    for head, loss in [(gn.Sigmoid(), gn.BinaryCrossEntropy()),
                       (gn.Softmax(), gn.CategoricalCrossEntropy())]:
        model = gn.Sequential([gn.Dense(3, 4), head], seed=0, dtype="float64")
        x = rng.standard_normal((6, 3))
        y = rng.integers(0, 2, (6, 4)) if isinstance(head, gn.Sigmoid) else rng.integers(0, 4, 6)
        loss.forward(model.forward(x), y)
        assert model.fused_with(loss)
        fused = model.backprop(loss, input_grad=True)
        gW_fused = model.layers[0].grads["W"].copy()
        loss.forward(model.forward(x), y)
        unfused = model.backward(loss.backward(), input_grad=True)
        np.testing.assert_allclose(fused, unfused, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(gW_fused, model.layers[0].grads["W"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("head, loss", [
    (gn.Sigmoid, gn.CategoricalCrossEntropy()),      # sigmoid outputs, categorical loss
    (gn.Softmax, gn.BinaryCrossEntropy()),           # softmax outputs, binary loss
    (gn.Tanh, gn.MSE()),
    (gn.Sigmoid, gn.BinaryCrossEntropy(from_logits=True)),  # the sigmoid output taken as logits
], ids=["sigmoid_cce", "softmax_bce", "tanh_mse", "sigmoid_bce_logits"])
def test_mismatched_heads_are_not_fused(head, loss):
    """Only Sigmoid + BCE and Softmax + CCE (on probabilities) take the fused shortcut; any
    other pairing must backpropagate through the head node itself."""
    rng = np.random.default_rng(8)
    model = gn.Sequential([gn.Dense(3, 4, init="he"), gn.Tanh(), gn.Dense(4, 3), head()],
                          seed=2, dtype="float64")
    assert not model.fused_with(loss)
    x = rng.standard_normal((5, 3))
    y = np.array([0, 2, 1, 1, 0]) if isinstance(loss, gn.CategoricalCrossEntropy) else \
        rng.integers(0, 2, (5, 3)).astype(float)
    worst, errors = gradcheck(model, x, y, loss=loss, details=True)
    assert worst < TOL, errors


def test_binary_hinge_value_with_either_label_encoding():
    """cost = mean(max(0, 1 − y·f)) with y in {−1, +1}; labels 0/1 mean −1/+1."""
    f = np.array([[2.0], [0.5], [-0.3], [-2.0], [0.9]])
    pm = np.array([1, 1, 1, -1, -1])
    expected = np.maximum(0, 1 - pm * f[:, 0]).mean()  # [0, .5, 1.3, 0, 1.9] -> 0.74
    assert expected == pytest.approx(0.74)
    h = gn.Hinge()
    assert h.forward(f, pm) == pytest.approx(expected)
    g_pm = h.backward()
    assert h.forward(f, (pm + 1) // 2) == pytest.approx(expected)
    np.testing.assert_allclose(h.backward(), g_pm)
    np.testing.assert_allclose(g_pm[:, 0], np.array([0, -1, -1, 0, 1]) / 5)


# ---------------------------------------------------------------- the checker itself can fail
class WrongSigmoid(gn.Sigmoid):
    def backward(self, dy):  # forgets the (1 − y) factor
        return dy * self._y


class WrongDenseW(gn.Dense):
    def backward(self, dy):
        dx = super().backward(dy)
        self.grads["W"] *= 1.5
        return dx


class NoBiasGradDense(gn.Dense):
    def backward(self, dy):
        dx = super().backward(dy)
        self.grads["b"][...] = 0
        return dx


class WrongInputGradDense(gn.Dense):
    def backward(self, dy):
        dx = super().backward(dy)
        return None if dx is None else -dx


class WrongMSE(gn.MSE):
    def backward(self):  # drops the factor 2
        return super().backward() / 2


class WrongCCE(gn.CategoricalCrossEntropy):
    def backward(self):  # forgets the 1/m
        return super().backward() * self._m


@pytest.mark.parametrize("layer, bad_key", [
    (WrongSigmoid(), "input"),
    (WrongDenseW(3, 2), "W"),
    (NoBiasGradDense(3, 2), "b"),
    (WrongInputGradDense(3, 2), "input"),
], ids=["sigmoid", "dense_W", "dense_b", "dense_dx"])
def test_gradcheck_detects_wrong_layer_backward(layer, bad_key):
    x = np.random.default_rng(0).standard_normal((4, 3))
    worst, errors = gradcheck(layer, x, details=True)
    assert worst > 1e-2
    assert errors[bad_key] > 1e-2
    good = {k: v for k, v in errors.items() if k != bad_key}
    assert all(v < TOL for v in good.values()), errors


@pytest.mark.parametrize("loss, y_pred, y_true", [
    (WrongMSE(), np.linspace(-1, 1, 6).reshape(3, 2), np.zeros((3, 2))),
    (WrongCCE(from_logits=True), np.linspace(-1, 1, 6).reshape(3, 2), np.array([0, 1, 1])),
], ids=["mse", "cce"])
def test_gradcheck_detects_wrong_loss_backward(loss, y_pred, y_true):
    assert gradcheck(loss, y_pred, y_true) > 1e-2


def test_gradcheck_detects_wrong_node_inside_model():
    model = gn.Sequential([gn.Dense(3, 4), WrongSigmoid(), gn.Dense(4, 2)], seed=0)
    x = np.random.default_rng(1).standard_normal((5, 3))
    worst, errors = gradcheck(model, x, details=True)
    assert worst > 1e-2
    assert errors["2:Dense.W"] < TOL  # above the broken node: still right
    assert errors["0:Dense.W"] > 1e-2  # below it: wrong


def test_gradcheck_rejects_other_objects():
    with pytest.raises(TypeError, match="Layer, a Loss or a Sequential"):
        gradcheck(lambda x: x, np.ones((2, 2)))


@pytest.mark.parametrize("name, cls", [("cce", gn.CategoricalCrossEntropy), ("mse", gn.MSE)])
def test_gradcheck_takes_a_loss_name_as_fit_does(name, cls):
    """gradcheck(model, X, y, loss="cce") checks the same thing as with the Loss instance."""
    model = gn.Sequential([gn.Dense(4, 6, activation="relu"), gn.Dense(6, 3), gn.Softmax()],
                          seed=0)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 4))
    y = rng.integers(0, 3, 5) if name == "cce" else rng.standard_normal((5, 3))
    by_name = gradcheck(model, x, y, loss=name, details=True)
    by_obj = gradcheck(model, x, y, loss=cls(), details=True)
    assert by_name[0] < TOL
    assert by_name[1].keys() == by_obj[1].keys()
    assert all(np.isclose(by_name[1][k], by_obj[1][k], rtol=0, atol=1e-12) for k in by_obj[1])


def test_gradcheck_unknown_loss_name_is_a_clear_error():
    model = gn.Sequential([gn.Dense(2, 1)], seed=0)
    with pytest.raises(ValueError, match="unknown loss"):
        gradcheck(model, np.ones((2, 2)), np.ones((2, 1)), loss="nope")


# --------------------------------------------------------------------------------- a backward that returns nothing, or the wrong shape
def test_gradcheck_refuses_a_backward_that_returns_none_or_the_wrong_shape(broken_backwards):
    NoReturnCube, CollapsingTanh = broken_backwards
    x = np.random.default_rng(0).standard_normal((4, 3))
    with pytest.raises(ValueError, match=r"^NoReturnCube\.backward returned None \(did you "
                                         r"forget `return dx`\?\)"):
        gradcheck(NoReturnCube(), x, details=True)
    with pytest.raises(ValueError, match=r"^CollapsingTanh\.backward returned shape \(4, 1\) "
                                         r"for an input of shape \(4, 3\)"):
        gradcheck(CollapsingTanh(), x, details=True)
    # inside a model: named by its index, instead of a NumPy error in the next node
    for bad, what in ((NoReturnCube(), "returned None"), (CollapsingTanh(), "returned shape")):
        model = gn.Sequential([gn.Dense(3, 3), bad, gn.Dense(3, 1)], seed=0)
        with pytest.raises(ValueError, match=rf"^layer 1 \({type(bad).__name__}\)\.backward "
                                             rf"{what}"):
            gradcheck(model, x)


def test_gradcheck_never_reports_a_pass_for_nothing_compared(broken_backwards):
    NoReturnCube, _ = broken_backwards
    x = np.random.default_rng(0).standard_normal((4, 3))
    with pytest.raises(ValueError, match="compared nothing: ReLU has no parameters and "
                                         "check_input=False"):
        gradcheck(gn.ReLU(), x + 5, check_input=False)
    # a first node that declines dCost/dX is fine when the input is not checked
    worst, errors = gradcheck(gn.Dense(3, 2), x, check_input=False, details=True)
    assert sorted(errors) == ["W", "b"] and worst < TOL
    # in a model too: its first node is told it need not return dCost/dX (Sequential.backward
    # checks every node's return, once)
    model = gn.Sequential([NoReturnCube(), gn.Dense(3, 1)], seed=0)
    worst, errors = gradcheck(model, x, np.ones((4, 1)), check_input=False, details=True)
    assert sorted(errors) == ["1:Dense.W", "1:Dense.b"] and worst < TOL


class WrongShapeGradDense(gn.Dense):
    def backward(self, dy):
        dx = super().backward(dy)
        self.grads["W"] = self.grads["W"][:1]
        return dx


def test_gradcheck_refuses_a_parameter_gradient_of_the_wrong_shape():
    x = np.random.default_rng(0).standard_normal((4, 3))
    with pytest.raises(ValueError, match=r"the gradient of W has shape \(1, 2\) but the array "
                                         r"it is the gradient of has shape \(3, 2\)"):
        gradcheck(WrongShapeGradDense(3, 2), x)


def test_gradcheck_docstring_says_what_a_bad_value_is():
    import importlib
    module = importlib.import_module("glassnet.gradcheck")
    doc = module.gradcheck.__doc__
    assert "1e-7" in doc and "1e-4" in doc and module.BAD == 1e-4 and module.EXCELLENT == 1e-7


class AssigningLinear(gn.Layer):
    """y = x·W (puts a new array in grads, as a learner would write it)"""

    def build(self, n_in, rng=None, dtype="float32"):
        self.n_in, self.n_out = n_in, 2
        self.params = {"W": np.linspace(-1, 1, 2 * n_in).reshape(n_in, 2)}
        self.grads = {"W": np.zeros((n_in, 2))}
        return 2

    def forward(self, x, training=False):
        self._x = x
        return x @ self.params["W"]

    def backward(self, dy):
        self.grads["W"] = self._x.T @ dy
        return dy @ self.params["W"].T


def test_gradcheck_reads_a_gradient_the_layer_assigned_anew():
    x = np.random.default_rng(0).standard_normal((4, 3))
    worst, errors = gradcheck(AssigningLinear(), x, details=True)
    assert worst < TOL, errors  # not 1.0 from the stale zeros it was built with
    model = gn.Sequential([AssigningLinear(), gn.Dense(2, 1)], seed=0)
    assert gradcheck(model, x) < TOL


def test_a_models_l2_penalty_is_part_of_the_checked_cost():
    """Trial 14/9 finding 4: the cost gradcheck differentiated left out Dense(l2)'s penalty,
    so its gradient was never checked (the same error with l2=0.5 and without)."""
    import glassnet as gn
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 1))

    def model(l2):
        return gn.Sequential([gn.Dense(3, 4, l2=l2), gn.Tanh(), gn.Dense(4, 1, l2=l2)], seed=0,
                             dtype="float64")
    assert gradcheck(model(0.5), X, y) < 1e-7
    # a penalty gradient left out of the analytic side is now caught
    from glassnet import train
    real = train._apply_l2
    try:
        train._apply_l2 = lambda terms, denom: 0.0
        assert gradcheck(model(0.5), X, y) > 1e-2
        assert gradcheck(model(0.0), X, y) < 1e-7
    finally:
        train._apply_l2 = real


@pytest.mark.parametrize("call, exc, match", [
    (lambda m, X, y: gn.gradcheck(m, X[0], y[:1], loss="bce"), ValueError, "x must be 2-D"),
    (lambda m, X, y: gn.gradcheck(m, None, [1], loss="bce"), TypeError, "x is None"),
    (lambda m, X, y: gn.gradcheck(gn.Tanh(), 0.5), ValueError, "x must be 2-D"),
    (lambda m, X, y: gn.gradcheck(m, X[:0], y[:0], loss="bce"), ValueError, "x is empty"),
    (lambda m, X, y: gn.gradcheck(m, X[:3].astype(complex), y[:3], loss="bce"), TypeError,
     "complex"),
    (lambda m, X, y: gn.gradcheck(m, [["a", "b"]], [1], loss="bce"), ValueError,
     "non-numeric values"),
    (lambda m, X, y: gn.gradcheck(m, [[np.nan, 2]], [1], loss="bce"), ValueError,
     "x contains NaN at row 0"),
    (lambda m, X, y: gn.gradcheck(m, X[:3], y[:3], loss="bce", seed=-1), ValueError,
     "seed must be None or an integer >= 0"),
    (lambda m, X, y: gn.gradcheck(m, X[:3], [1, 2, 2], loss="bce"), ValueError,
     "0/1 labels"),
    (lambda m, X, y: gn.gradcheck(m, X[:2], y[:3], loss="bce"), ValueError,
     "x has 2 rows but y has 3"),
    (lambda m, X, y: gn.gradcheck(gn.MSE(), X[:3]), ValueError, "needs y, the targets"),
    (lambda m, X, y: gn.gradcheck(m, X[:3], y[:3], loss="bce", details="yes"), TypeError,
     "details must be True or False"),
])
def test_gradcheck_checks_its_input_as_fit_does(call, exc, match):
    """Trial 15/7 finding 4: gradcheck converted x with np.array: IndexError for 1-D or None
    x, ZeroDivisionError for no rows, NaN returned for a NaN input, a complex part dropped,
    labels fit refuses checked as 'excellent', NumPy's errors for text and a bad seed."""
    m = gn.Sequential([gn.Dense(2, 4, activation="tanh"), gn.Dense(4, 1), gn.Sigmoid()],
                      seed=0, dtype="float64")
    X, y = make_moons(20, noise=0.2, seed=0)
    with pytest.raises(exc, match=match):
        call(m, X, y)
    # labels are taken as fit takes them: class indices for a softmax model
    soft = gn.Sequential([gn.Dense(2, 3), gn.Softmax()], seed=0)
    assert gn.gradcheck(soft, X[:3], np.array([0, 2, 1]), loss="cce") < 1e-6
