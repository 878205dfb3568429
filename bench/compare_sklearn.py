"""GlassClassifier() with its defaults next to MLPClassifier() with its defaults.

Data: breast cancer (scikit-learn's bundled copy, 569 x 30), Titanic (glassnet's bundled
Kaggle training set, 891 rows: Pclass, Age, SibSp, Parch, Fare with missing ages filled by the
training median, plus one-hot Sex and Embarked, through a ColumnTransformer) and scikit-learn's
digits (1797 x 64). One split per dataset: ``train_test_split(test_size=0.2, stratify=y,
random_state=0)``; every model sees the same split and the same features.

Rows: the two estimators with defaults (``random_state`` is the only argument, so that the
numbers can be reproduced), and, for context, MLPClassifier behind a StandardScaler: the
scaling GlassClassifier does by default (``standardize=True``). Accuracy is reported for model
seeds 0..R-1 (mean, min, max); fit time is the median over the seeds, in seconds, on this
machine's CPU (both libraries use the same BLAS). glassnet trains batches below 64 rows on one
BLAS thread (``glassnet.train.fit``'s rule); scikit-learn uses the BLAS default (all cores),
which on a busy machine can cost it a lot: ``--blas-threads 1`` runs everything on one BLAS
thread, to compare the implementations rather than the threading.

Usage: ``python bench/compare_sklearn.py [--seeds R] [--blas-threads N]``
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)

import sklearn  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

from glassnet.data import load_titanic  # noqa: E402
from glassnet.sklearn import GlassClassifier  # noqa: E402

TITANIC_NUMERIC = ["Pclass", "Age", "SibSp", "Parch", "Fare"]
TITANIC_CATEGORICAL = ["Sex", "Embarked"]


def titanic_features():
    """(X object array: numeric columns then text columns, y, the ColumnTransformer)."""
    ds = load_titanic()
    cols = [ds.X[c] for c in TITANIC_NUMERIC + TITANIC_CATEGORICAL]
    X = np.empty((len(ds.y), len(cols)), dtype=object)
    for j, c in enumerate(cols):
        X[:, j] = c
    k = len(TITANIC_NUMERIC)
    ct = ColumnTransformer([
        ("num", SimpleImputer(strategy="median"), list(range(k))),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                              OneHotEncoder(handle_unknown="ignore")),
         list(range(k, len(cols)))),
    ])
    return X, ds.y, ct


def datasets():
    X, y = load_breast_cancer(return_X_y=True)
    yield "breast cancer", X, y, None
    X, y, ct = titanic_features()
    yield "Titanic", X, y, ct
    X, y = load_digits(return_X_y=True)
    yield "digits", X, y, None


MODELS = {
    "GlassClassifier()": lambda s: GlassClassifier(random_state=s),
    "MLPClassifier()": lambda s: MLPClassifier(random_state=s),
    "StandardScaler + MLPClassifier()": lambda s: make_pipeline(StandardScaler(),
                                                                MLPClassifier(random_state=s)),
}


def run(n_seeds):
    rows = []
    for name, X, y, ct in datasets():
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
        if ct is not None:  # fitted on the training rows only
            Xtr = ct.fit_transform(Xtr).astype(np.float64)
            Xte = ct.transform(Xte).astype(np.float64)
        for label, make in MODELS.items():
            accs, times, iters = [], [], []
            for s in range(n_seeds):
                est = make(s)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    t0 = time.perf_counter()
                    est.fit(Xtr, ytr)
                    times.append(time.perf_counter() - t0)
                accs.append(est.score(Xte, yte))
                iters.append(getattr(est[-1] if hasattr(est, "steps") else est, "n_iter_"))
            rows.append((name, label, float(np.mean(accs)), min(accs), max(accs),
                         statistics.median(times), statistics.median(iters), len(ytr), len(yte)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5, help="model seeds per row (default 5)")
    ap.add_argument("--blas-threads", type=int, default=None,
                    help="limit BLAS threads for every fit (default: the BLAS default)")
    args = ap.parse_args()
    print(f"# python {platform.python_version()}, numpy {np.__version__}, scikit-learn "
          f"{sklearn.__version__}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}, BLAS threads {args.blas_threads or 'default'}; "
          f"seeds 0..{args.seeds - 1}")
    if args.blas_threads:
        from threadpoolctl import threadpool_limits
        with threadpool_limits(limits=args.blas_threads, user_api="blas"):
            rows = run(args.seeds)
    else:
        rows = run(args.seeds)
    print("| data (train/test) | model | accuracy mean | min..max | fit time (s) | epochs |")
    print("|---|---|---|---|---|---|")
    for name, label, mean, lo, hi, t, it, ntr, nte in rows:
        print(f"| {name} ({ntr}/{nte}) | {label} | {mean:.4f} | {lo:.4f}..{hi:.4f} | "
              f"{t:.2f} | {it:g} |")


if __name__ == "__main__":
    main()
