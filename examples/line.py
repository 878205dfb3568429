"""The "hello world" of seed 002: one logistic neuron learns which side of a line a point is on.

Points are labelled 1 above the line y = 1.23·x + 3.23 and 0 below it. As in the seed, the
neuron starts from zero weights and learns by full-batch gradient descent (learning rate 0.1)
on the log loss, with the raw, unscaled coordinates; it is then asked about 2000 fresh random
points. The seed reports about 99% (its 2000 iterations); 5000 epochs here.

Run: python examples/line.py
"""
import time

import glassnet as gn
from glassnet.data import make_line

TRAIN_SEED, TEST_SEED = 0, 1


def main(n_train=1000, n_test=2000, epochs=5000, verbose=True):
    X, y = make_line(n_train, seed=TRAIN_SEED)
    X_test, y_test = make_line(n_test, seed=TEST_SEED)
    model = gn.Sequential([gn.Dense(2, 1, init="zeros"), gn.Sigmoid()])
    t0 = time.perf_counter()
    history = model.fit(X, y, loss="bce", optimizer=gn.SGD(lr=0.1), epochs=epochs,
                        batch_size=None, shuffle=False)
    seconds = time.perf_counter() - t0
    W = model.layers[0].params["W"].ravel()
    b = float(model.layers[0].params["b"][0])
    out = {
        "train_accuracy": float((model.predict_classes(X) == y).mean()),
        "test_accuracy": float((model.predict_classes(X_test) == y_test).mean()),
        "n_test": n_test,
        "final_loss": history.history["loss"][-1],
        # the learned boundary w1·x + w2·y + b = 0, written as y = slope·x + intercept
        "slope": float(-W[0] / W[1]),
        "intercept": float(-b / W[1]),
        "seeds": {"train": TRAIN_SEED, "test": TEST_SEED},
        "seconds": seconds,
    }
    if verbose:
        print(f"one logistic neuron, {epochs} epochs ({seconds:.2f} s): train accuracy "
              f"{out['train_accuracy']:.2%}, test accuracy {out['test_accuracy']:.2%} on "
              f"{n_test} fresh points")
        print(f"learned boundary: y = {out['slope']:.3f}x + {out['intercept']:.3f} "
              f"(true: y = 1.23x + 3.23)")
    return out


if __name__ == "__main__":
    main()
