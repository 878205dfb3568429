"""The OR-gate walkthrough of seed 001, on the real engine.

One sigmoid neuron, w = [0.1, 0.6], b = 0, squared-error cost (1/2m)·Σ(ŷ − y)², plain gradient
descent with learning rate 1 (``MSE(half=True)`` and ``SGD(lr=1)``):

1. one example, x = (0, 0), y = 0: ŷ = 0.5, loss 0.125, ∂L/∂b = 0.125; after one step
   b = −0.125, ŷ = 0.46879 and the loss is 0.10988;
2. the whole truth table at once (vectorized): ŷ = [0.5, 0.646, 0.525, 0.668] and cost 0.0889;
   after one step b = 0.037, ŷ = [0.509, 0.663, 0.546, 0.695], cost 0.0840, and the next
   gradients are ∂Cost/∂W = [−0.044, −0.035], ∂Cost/∂b = −0.031;
3. 5000 full-batch epochs: every row right, the cost near 0.0005.

Run: python examples/or_gate.py
"""
import numpy as np

import glassnet as gn
from glassnet.data import make_gate


def neuron():
    """The seed's neuron: weights [0.1, 0.6], bias 0 (float64, to print the seed's digits)."""
    return gn.Sequential([gn.Dense(2, 1, init=np.array([[0.1], [0.6]])), gn.Sigmoid()],
                         dtype="float64")


def gradients(model, X, y, loss):
    """One forward and backward pass without a step: the gradients the next step would use."""
    loss.forward(model.forward(X), y.reshape(-1, 1))
    model.backprop(loss)
    return {name: g.copy() for _, name, _, g in model.parameters()}


def main(verbose=True):
    X, y = make_gate("or")
    loss = gn.MSE(half=True)
    out = {}

    # 1. one example: fit runs forward, loss, backward and one SGD step
    model = neuron()
    x0, y0 = X[:1], y[:1]
    out["single_y_hat_before"] = float(model.predict(x0)[0, 0])
    hist = model.fit(x0, y0, loss=loss, optimizer=gn.SGD(lr=1.0), epochs=1, batch_size=None,
                     shuffle=False)
    out["single_loss_before"] = hist.history["loss"][0]  # the loss of the step's forward pass
    out["single_b_after"] = float(model.layers[0].params["b"][0])
    out["single_y_hat_after"] = float(model.predict(x0)[0, 0])
    out["single_loss_after"] = model.evaluate(x0, y0, loss=loss)["loss"]

    # 2. the four rows at once
    model = neuron()
    out["batch_y_hat_before"] = model.predict(X).ravel().tolist()
    hist = model.fit(X, y, loss=loss, optimizer=gn.SGD(lr=1.0), epochs=1, batch_size=None,
                     shuffle=False)
    out["batch_cost_before"] = hist.history["loss"][0]
    out["batch_W_after"] = model.layers[0].params["W"].ravel().tolist()
    out["batch_b_after"] = float(model.layers[0].params["b"][0])
    out["batch_y_hat_after"] = model.predict(X).ravel().tolist()
    out["batch_cost_after"] = model.evaluate(X, y, loss=loss)["loss"]
    g = gradients(model, X, y, loss)
    out["next_dW"] = g["W"].ravel().tolist()
    out["next_db"] = float(g["b"][0])

    # 3. train on: 5000 full-batch epochs (one was done already)
    hist = model.fit(X, y, loss=loss, optimizer=gn.SGD(lr=1.0), epochs=4999, batch_size=None,
                     shuffle=False)
    out["final_cost"] = model.evaluate(X, y, loss=loss)["loss"]
    out["accuracy"] = float((model.predict_classes(X) == y).mean())

    if verbose:
        r = lambda v: np.round(v, 5).tolist()  # noqa: E731
        print("1. one example, x = (0, 0), y = 0")
        print(f"   y_hat {out['single_y_hat_before']:.5f}  loss {out['single_loss_before']:.5f}"
              f"  ->  b {out['single_b_after']:.5f}  y_hat {out['single_y_hat_after']:.5f}"
              f"  loss {out['single_loss_after']:.5f}")
        print("2. the four rows at once")
        print(f"   y_hat {r(out['batch_y_hat_before'])}  cost {out['batch_cost_before']:.4f}")
        print(f"   after one step: W {r(out['batch_W_after'])}  b {out['batch_b_after']:.4f}")
        print(f"   y_hat {r(out['batch_y_hat_after'])}  cost {out['batch_cost_after']:.4f}")
        print(f"   next gradients: dCost/dW {r(out['next_dW'])}  dCost/db "
              f"{out['next_db']:.4f}")
        print(f"3. after 5000 epochs: accuracy {out['accuracy']:.0%}, cost "
              f"{out['final_cost']:.5f}")
    return out


if __name__ == "__main__":
    main()
