"""Titanic: who survived? A mixed table (numbers, text, missing values) into a small network.

On each training part, :class:`glassnet.preprocess.TabularPreprocessor` learns the encoding:
Age, SibSp, Parch and Fare standardized (missing ages imputed with the training median, plus an
"Age_missing" indicator), Pclass, Sex and Embarked one-hot encoded; PassengerId, Name, Ticket
and Cabin dropped as identifier-like or too sparse. The test part is encoded with what was
learned, never refitted.

Model: an MLP n-16-1 with ReLU, Adam (lr 0.01) with L2 weight decay 0.01, 300 full-batch
epochs. Reported: mean test accuracy over 5 stratified 80/20 splits (split seeds 0-4).

Run: python examples/titanic.py
"""
import glassnet as gn
from glassnet.data import load_titanic, split_indices
from glassnet.preprocess import TabularPreprocessor

from _common import five_splits, report

MODEL_SEED = 0


def mlp(X_train, y_train, X_test):
    pre = TabularPreprocessor(categorical=["Pclass"]).fit(X_train)
    A = pre.transform(X_train)
    model = gn.Sequential([gn.Dense(A.shape[1], 16, activation="relu"), gn.Dense(16, 1),
                           gn.Sigmoid()], seed=MODEL_SEED)
    model.fit(A, y_train, loss="bce", optimizer=gn.Adam(lr=0.01, weight_decay=0.01),
              epochs=300, batch_size=None)
    return model.predict_classes(pre.transform(X_test))


def main(verbose=True):
    ds = load_titanic()
    out = {"mlp": five_splits(ds.X, ds.y, mlp)}
    if verbose:
        train, _ = split_indices(len(ds.y), 0.2, stratify=ds.y, seed=0)
        print("the encoding learned on the training part of split 0:")
        print(TabularPreprocessor(categorical=["Pclass"]).fit(ds.X.take(train)).summary())
        report("MLP n-16-1 ReLU, L2", out["mlp"])
    return out


if __name__ == "__main__":
    main()
