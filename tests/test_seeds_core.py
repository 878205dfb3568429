"""The seed documents' worked numbers, computed by the real engine.

The seeds write X with features in rows (n × m); glassnet takes examples in rows (m × n), so
every X below is the seeds' matrix transposed. Weights are set with ``Dense(init=array)`` and
one step of gradient descent is the plain ``p -= lr · g`` over ``model.parameters()``.
"""
import numpy as np
import pytest

import glassnet as gn

OR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
OR_Y = np.array([0, 1, 1, 1], dtype=float)


def neuron(W, activation, dtype="float64"):
    return gn.Sequential([gn.Dense(len(W), 1, init=np.asarray(W, dtype=float)), activation],
                         dtype=dtype)


def step(model, lr=1.0):
    for _, _, p, g in model.parameters():
        p -= lr * g


def forward_backward(model, loss, X, y):
    y_hat = model.forward(X)
    cost = loss.forward(y_hat, y)
    model.backprop(loss)
    return y_hat, cost


def grads(model):
    return {name: g.copy() for _, name, _, g in model.parameters()}


# ------------------------------------------------------------ 001: OR gate, one example at a time
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_or_gate_single_example_walkthrough(dtype):
    """001, figures 22–26: x = (0, 0), y = 0, w = [0.1, 0.6], b = 0, squared error ½(y − ŷ)²."""
    model = neuron([0.1, 0.6], gn.Sigmoid(), dtype)
    loss = gn.MSE(half=True)
    x, y = np.array([[0.0, 0.0]]), np.array([[0.0]])

    y_hat, L = forward_backward(model, loss, x, y)
    assert y_hat.shape == (1, 1)
    assert y_hat[0, 0] == pytest.approx(0.5, abs=1e-7)
    assert L == pytest.approx(0.125, abs=1e-7)
    g = grads(model)
    # ∂L/∂z = ∂L/∂ŷ · ∂ŷ/∂z = 0.5 · 0.25; the inputs are 0, so ∂L/∂w = 0
    np.testing.assert_allclose(g["W"].ravel(), [0.0, 0.0], atol=1e-7)
    assert g["b"][0] == pytest.approx(0.125, abs=1e-7)

    step(model, lr=1.0)
    W, b = (p for _, _, p, _ in model.parameters())
    assert b[0] == pytest.approx(-0.125, abs=1e-7)
    np.testing.assert_allclose(W.ravel(), [0.1, 0.6], atol=1e-7)  # unchanged

    y_hat2, L2 = forward_backward(model, loss, x, y)
    assert round(float(y_hat2[0, 0]), 5) == 0.46879
    assert round(L2, 5) == 0.10988
    # the text rounds ŷ to 0.469 first and prints ½·0.469² = 0.10998
    assert 0.5 * round(float(y_hat2[0, 0]), 3) ** 2 == pytest.approx(0.10998, abs=1e-5)


def test_or_gate_local_gradients_of_the_graph():
    """001's chain rule, node by node: ∂L/∂ŷ = ŷ − y = 0.5, σ' = ŷ(1 − ŷ) = 0.25."""
    model = neuron([0.1, 0.6], gn.Sigmoid())
    loss = gn.MSE(half=True)
    y_hat = model.forward(np.array([[0.0, 0.0]]))
    loss.forward(y_hat, np.array([[0.0]]))
    assert loss.backward()[0, 0] == pytest.approx(0.5)
    assert model.layers[1].local_grad()["dy/dx"][0, 0] == pytest.approx(0.25)
    dz = model.layers[1].backward(loss.backward())
    assert dz[0, 0] == pytest.approx(0.125)


# --------------------------------------------------------------- 001: OR gate, vectorized batch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_or_gate_vectorized_batch(dtype):
    """001, figures 42–47 and the exercise after them (lr = 1, cost (1/2m)·Σ(y − ŷ)²).

    The text prints X_train as [[0,1,1,1],[0,0,0,1]] and the new bias as 0.099; its numbers
    come from X = [[0,0,1,1],[0,1,0,1]] and b = 0.037 (see seeds/README.md)."""
    model = neuron([0.1, 0.6], gn.Sigmoid(), dtype)
    loss = gn.MSE(half=True)

    y_hat, cost = forward_backward(model, loss, OR_X, OR_Y)
    np.testing.assert_allclose(np.round(y_hat.ravel(), 3), [0.5, 0.646, 0.525, 0.668])
    assert round(cost, 4) == 0.0889
    assert round(cost, 3) == 0.089
    g = grads(model)
    # figure 44.c prints ∂Cost/∂W = [−0.048, −0.038] from rounded intermediates (exactly
    # [−0.04801, −0.03866]) and ∂Cost/∂b = −0.037
    np.testing.assert_allclose(np.round(g["W"].ravel(), 3), [-0.048, -0.039])
    np.testing.assert_allclose(g["W"].ravel(), [-0.048, -0.038], atol=1e-3)
    assert round(float(g["b"][0]), 3) == -0.037

    step(model, lr=1.0)
    W, b = (p for _, _, p, _ in model.parameters())
    np.testing.assert_allclose(np.round(W.ravel(), 3), [0.148, 0.639])
    np.testing.assert_allclose(W.ravel(), [0.148, 0.638], atol=1e-3)  # the text's rounding
    assert round(float(b[0]), 3) == 0.037

    y_hat2, cost2 = forward_backward(model, loss, OR_X, OR_Y)
    np.testing.assert_allclose(np.round(y_hat2.ravel(), 3), [0.509, 0.663, 0.546, 0.695])
    assert round(cost2, 4) == 0.0840
    assert cost2 < cost
    g2 = grads(model)
    np.testing.assert_allclose(np.round(g2["W"].ravel(), 3), [-0.044, -0.035])
    assert round(float(g2["b"][0]), 3) == -0.031


def test_or_gate_vectorized_matches_example_by_example():
    """The batch gradient is the mean of the per-example gradients (the 1/m in the cost)."""
    loss = gn.MSE(half=True)
    batch = neuron([0.1, 0.6], gn.Sigmoid())
    forward_backward(batch, loss, OR_X, OR_Y)
    gb = grads(batch)
    acc = {"W": 0.0, "b": 0.0}
    for x, y in zip(OR_X, OR_Y):
        single = neuron([0.1, 0.6], gn.Sigmoid())
        forward_backward(single, loss, x[None, :], np.array([[y]]))
        for k, v in grads(single).items():
            acc[k] = acc[k] + v / len(OR_X)
    np.testing.assert_allclose(gb["W"], acc["W"], rtol=1e-12)
    np.testing.assert_allclose(gb["b"], acc["b"], rtol=1e-12)


def test_or_gate_learns_with_repeated_steps():
    """001: after many full-batch steps the cost falls steadily and the OR gate is learned."""
    model = neuron([0.1, 0.6], gn.Sigmoid())
    loss = gn.MSE(half=True)
    costs = []
    for _ in range(2000):
        _, cost = forward_backward(model, loss, OR_X, OR_Y)
        costs.append(cost)
        step(model, lr=1.0)
    assert all(b <= a + 1e-15 for a, b in zip(costs, costs[1:]))
    assert costs[-1] < 0.01
    np.testing.assert_array_equal((model.predict(OR_X).ravel() > 0.5).astype(int), OR_Y)


# -------------------------------------------------------------------- 000: the perceptron batch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_perceptron_batch_with_step(dtype):
    """000: w = [0.5, −0.3], b = 0 and the batch X (2 × 3 in the text) of the toy
    velocity/mass dataset; z = wX + b, a = Heaviside(z)."""
    X = np.array([[6.5233, 9.2112, 1.7315],
                  [1.5484, 12.7141, 45.6200]]).T  # examples in rows
    model = neuron([0.5, -0.3], gn.Step(), dtype)
    z = model.layers[0].forward(X.astype(dtype))
    np.testing.assert_allclose(z.ravel(), [2.79713, 0.79137, -12.8202], atol=1e-4)
    assert [round(float(v), 5) for v in z.ravel()[:2]] == [2.79713, 0.79137]
    assert abs(float(z[2, 0]) - -12.8202) < 1e-4  # exactly −12.82025; the text truncates
    a = model.forward(X)
    assert a.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(a.ravel(), [1, 1, 0])
    # no gradient flows through a Step node: why the logistic neuron replaced the perceptron
    np.testing.assert_array_equal(model.layers[1].backward(np.ones_like(a)), 0)


def test_step_at_zero_is_zero():
    """000: a = 1 if z > 0 else 0, so z = 0 gives 0."""
    np.testing.assert_array_equal(gn.Step().forward(np.array([[-1.0, 0.0, 1e-12]])), [[0, 0, 1]])


# ----------------------------------------------------------- seed 001: XOR, by hand
XOR_X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
XOR_Y = np.array([[0.], [1.], [1.], [0.]])


def test_xor_feature_cross_first_step():
    """Seed 001's feature cross x1·x2 as a third input, one neuron, W = [0.1 0.6 0.2], b = 0,
    one step of gradient descent (lr 1): dCost/dW = [0.007 0.016 0.037], dCost/db = 0.018,
    W -> [0.093 0.584 0.163], b -> -0.018 (the text rounds to three decimals)."""
    X = np.c_[XOR_X, XOR_X[:, 0] * XOR_X[:, 1]]
    model = gn.Sequential([gn.Dense(3, 1, init=[[0.1], [0.6], [0.2]]), gn.Sigmoid()],
                          dtype="float64")
    t = gn.trace(model, X, XOR_Y, loss=gn.MSE(half=True), optimizer=gn.SGD(lr=1.0))
    dW, db = t.grads()
    np.testing.assert_allclose(dW.ravel(), [0.007, 0.016, 0.037], atol=6e-4)
    np.testing.assert_allclose(db, [0.018], atol=6e-4)
    W, b = t.params_after()
    np.testing.assert_allclose(W.ravel(), [0.093, 0.584, 0.163], atol=6e-4)
    np.testing.assert_allclose(b, [-0.018], atol=6e-4)


def test_xor_hidden_layer_first_step():
    """Seed 001's 2-3-1 sigmoid network worked by hand (W[1] rows [0.1 0.6], [0.2 0.4],
    [0.3 0.7] as its numbers use them; W[2] = [0.1 0.4 0.9]; zero biases): hidden activations,
    Ŷ = [0.668 0.712 0.688 0.728], Cost 0.145, dCost/dZ[2] = [0.037 -0.015 -0.017 0.036],
    dCost/dW[2] = [0.024 0.023 0.025]. The text's dCost/db[2] = 0.041 sums the rounded
    components; unrounded it is 0.0416."""
    W1_seeds = np.array([[0.1, 0.6], [0.2, 0.4], [0.3, 0.7]])  # (units, inputs), as written
    model = gn.Sequential([gn.Dense(2, 3, init=W1_seeds.T), gn.Sigmoid(),
                           gn.Dense(3, 1, init=[[0.1], [0.4], [0.9]]), gn.Sigmoid()],
                          dtype="float64")
    t = gn.trace(model, XOR_X, XOR_Y, loss=gn.MSE(half=True), optimizer=gn.SGD(lr=1.0))
    hidden = t.nodes[1].output
    np.testing.assert_allclose(hidden, [[0.5, 0.5, 0.5], [0.646, 0.6, 0.668],
                                        [0.525, 0.55, 0.574], [0.668, 0.646, 0.731]],
                               atol=1.4e-3)  # the text writes 0.6 for σ(0.4) = 0.5987
    np.testing.assert_allclose(t.output.ravel(), [0.668, 0.712, 0.688, 0.728], atol=6e-4)
    assert t.cost == pytest.approx(0.145, abs=6e-4)
    np.testing.assert_allclose(t.nodes[3].downstream.ravel(), [0.037, -0.015, -0.017, 0.036],
                               atol=6e-4)
    dW1, db1, dW2, db2 = t.grads()
    np.testing.assert_allclose(dW2.ravel(), [0.024, 0.023, 0.025], atol=8e-4)
    assert float(db2[0]) == pytest.approx(0.0416, abs=1e-4)
    assert sum(round(v, 3) for v in t.nodes[3].downstream.ravel()) == pytest.approx(0.041)
