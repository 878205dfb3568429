"""Breast Cancer Wisconsin (Diagnostic): malignant or benign from 30 measurements of cell nuclei.

The seeds use this dataset without reporting an accuracy. Here: mean test accuracy over 5
stratified 80/20 splits (split seeds 0-4), features standardized on each training part only,
and

* a small MLP, 30-16-1 with ReLU, Adam (lr 0.003) with L2 weight decay 0.03, 300 full-batch
  epochs;
* for comparison, a single logistic neuron (logistic regression) with weight decay 0.01.

Run: python examples/breast_cancer.py
"""
import glassnet as gn
from glassnet.data import load_breast_cancer
from glassnet.preprocess import TabularPreprocessor

from _common import five_splits, report

MODEL_SEED = 0


def mlp(X_train, y_train, X_test):
    pre = TabularPreprocessor().fit(X_train)
    model = gn.Sequential([gn.Dense(30, 16, activation="relu"), gn.Dense(16, 1), gn.Sigmoid()],
                          seed=MODEL_SEED)
    model.fit(pre.transform(X_train), y_train, loss="bce",
              optimizer=gn.Adam(lr=0.003, weight_decay=0.03), epochs=300, batch_size=None)
    return model.predict_classes(pre.transform(X_test))


def neuron(X_train, y_train, X_test):
    pre = TabularPreprocessor().fit(X_train)
    model = gn.Sequential([gn.Dense(30, 1), gn.Sigmoid()], seed=MODEL_SEED)
    model.fit(pre.transform(X_train), y_train, loss="bce",
              optimizer=gn.Adam(lr=0.01, weight_decay=0.01), epochs=300, batch_size=None)
    return model.predict_classes(pre.transform(X_test))


def main(verbose=True):
    ds = load_breast_cancer()
    out = {"mlp": five_splits(ds.X, ds.y, mlp), "neuron": five_splits(ds.X, ds.y, neuron)}
    if verbose:
        report("MLP 30-16-1 ReLU, L2", out["mlp"])
        report("single neuron, L2   ", out["neuron"])
    return out


if __name__ == "__main__":
    main()
