"""XOR without a hidden layer, thanks to a feature cross (seed 001).

Add the synthetic feature x3 = x1·x2 and a single sigmoid neuron separates XOR: the seed starts
from w = [0.1, 0.6, 0.2], b = 0 and trains 5000 full-batch epochs with learning rate 1 on the
squared-error cost (1/2m)·Σ(ŷ − y)². Its first step has gradients ∂Cost/∂W = [0.007, 0.016,
0.037] and ∂Cost/∂b = 0.018 (so W becomes [0.093, 0.584, 0.163] and b −0.018).

Run: python examples/xor_feature_cross.py
"""
import numpy as np

import glassnet as gn
from glassnet.data import make_gate


def with_cross(X):
    """Append the feature cross x1·x2 as a third column."""
    return np.column_stack([X, X[:, 0] * X[:, 1]])


def main(epochs=5000, verbose=True):
    X, y = make_gate("xor")
    X3 = with_cross(X)
    model = gn.Sequential([gn.Dense(3, 1, init=np.array([[0.1], [0.6], [0.2]])), gn.Sigmoid()],
                          dtype="float64")
    loss = gn.MSE(half=True)
    opt = gn.SGD(lr=1.0)
    model.fit(X3, y, loss=loss, optimizer=opt, epochs=1, batch_size=None, shuffle=False)
    W1 = model.layers[0].params["W"].ravel().tolist()
    b1 = float(model.layers[0].params["b"][0])
    history = model.fit(X3, y, loss=loss, optimizer=opt, epochs=epochs - 1, batch_size=None,
                        shuffle=False)
    out = {
        "W_after_first_step": W1,
        "b_after_first_step": b1,
        "accuracy": float((model.predict_classes(X3) == y).mean()),
        "cost": model.evaluate(X3, y, loss=loss)["loss"],
        "epochs": 1 + len(history.epoch),
        "W": model.layers[0].params["W"].ravel().tolist(),
        "b": float(model.layers[0].params["b"][0]),
    }
    # The same neuron on (x1, x2) alone cannot do it: one straight line never separates XOR.
    plain = gn.Sequential([gn.Dense(2, 1, init=np.array([[0.1], [0.6]])), gn.Sigmoid()],
                          dtype="float64")
    plain.fit(X, y, loss=loss, optimizer=gn.SGD(lr=1.0), epochs=epochs, batch_size=None,
              shuffle=False)
    out["accuracy_without_cross"] = float((plain.predict_classes(X) == y).mean())
    if verbose:
        print(f"after one step: W {np.round(W1, 3).tolist()}  b {b1:.3f}")
        print(f"with x1*x2: accuracy {out['accuracy']:.0%}, cost {out['cost']:.5f} after "
              f"{out['epochs']} epochs; W {np.round(out['W'], 2).tolist()}, b {out['b']:.2f}")
        print(f"without it (same neuron on x1, x2): accuracy {out['accuracy_without_cross']:.0%}")
    return out


if __name__ == "__main__":
    main()
