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

``--same-settings`` runs the other comparison: GlassRegressor against MLPRegressor and
GlassClassifier against MLPClassifier with the *same* ``hidden_layer_sizes`` and epochs
(``max_iter``) and every other setting at its (shared) default -- Adam at 1e-3, batches of
min(200, n), alpha 1e-4, tol 1e-4, no early stopping -- on inputs (and regression targets)
already standardized with a StandardScaler, so that ``standardize=True`` changes nothing.
It reports the *training* score (R² or accuracy), the measure of how fast each learns, as the
mean over seeds 0..R-1 for each width and epoch budget (``--widths 4,8,100 --epochs 50,200``),
on small problems where the initial weights matter most: y = sin(x1) + x1·x2 + noise and a
linear target (300 rows, 2 features), make_regression, make_friedman1, diabetes; iris, wine,
breast cancer, make_classification. A last line averages each column over all rows.
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
from sklearn.datasets import (load_breast_cancer, load_diabetes, load_digits,  # noqa: E402
                              load_iris, load_wine, make_classification, make_friedman1,
                              make_regression)
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

from glassnet.data import load_titanic  # noqa: E402
from glassnet.sklearn import GlassClassifier, GlassRegressor  # noqa: E402

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


def small_problems():
    """(task, name, X, y): the --same-settings problems, X not yet scaled."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = np.sin(X[:, 0]) + X[:, 0] * X[:, 1] + 0.1 * rng.normal(size=300)
    yield "reg", "sin(x1)+x1*x2", X, y
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 2))
    yield "reg", "linear", X, 3 * X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=300)
    yield "reg", "make_regression", *make_regression(300, 5, noise=5.0, random_state=0)
    yield "reg", "friedman1", *make_friedman1(300, random_state=0)
    yield "reg", "diabetes", *load_diabetes(return_X_y=True)
    yield "clf", "iris", *load_iris(return_X_y=True)
    yield "clf", "wine", *load_wine(return_X_y=True)
    yield "clf", "breast cancer", *load_breast_cancer(return_X_y=True)
    yield "clf", "make_classification", *make_classification(300, 4, n_informative=3,
                                                             n_redundant=0, random_state=0)


def run_same_settings(n_seeds, widths, epoch_budgets):
    """Rows (task, data, width, epochs, glassnet mean, min, sklearn mean, min) of training
    scores over seeds 0..n_seeds-1, same settings on both sides."""
    rows = []
    for task, name, X, y in small_problems():
        X = StandardScaler().fit_transform(X)
        if task == "reg":
            y = StandardScaler().fit_transform(y.reshape(-1, 1)).ravel()
            glass, mlp = GlassRegressor, MLPRegressor
        else:
            glass, mlp = GlassClassifier, MLPClassifier
        for width in widths:
            for ep in epoch_budgets:
                g, m = [], []
                for s in range(n_seeds):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", ConvergenceWarning)
                        g.append(glass(hidden_layer_sizes=width, epochs=ep,
                                       random_state=s).fit(X, y).score(X, y))
                        m.append(mlp(hidden_layer_sizes=width, max_iter=ep,
                                     random_state=s).fit(X, y).score(X, y))
                rows.append((task, f"{name} ({len(y)}x{X.shape[1]})", width, ep,
                             float(np.mean(g)), min(g), float(np.mean(m)), min(m)))
    return rows


def print_same_settings(rows):
    print("| task | data | width | epochs | glassnet mean (min) | sklearn mean (min) | "
          "glassnet - sklearn |")
    print("|---|---|---|---|---|---|---|")
    for task, name, width, ep, gm, gmin, mm, mmin in rows:
        print(f"| {'R²' if task == 'reg' else 'accuracy'} | {name} | {width} | {ep} | "
              f"{gm:.3f} ({gmin:.3f}) | {mm:.3f} ({mmin:.3f}) | {gm - mm:+.3f} |")
    for task in ("reg", "clf"):
        sel = [r for r in rows if r[0] == task]
        if sel:
            gm, mm = np.mean([r[4] for r in sel]), np.mean([r[6] for r in sel])
            print(f"| {'R²' if task == 'reg' else 'accuracy'} | mean of {len(sel)} rows | | | "
                  f"{gm:.3f} | {mm:.3f} | {gm - mm:+.3f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5, help="model seeds per row (default 5)")
    ap.add_argument("--blas-threads", type=int, default=None,
                    help="limit BLAS threads for every fit (default: the BLAS default)")
    ap.add_argument("--same-settings", action="store_true",
                    help="training scores with the same width and epochs on both sides "
                         "(see the module docstring)")
    ap.add_argument("--widths", default="4,8,100",
                    help="--same-settings: one-hidden-layer widths (default 4,8,100)")
    ap.add_argument("--epochs", default="50,200",
                    help="--same-settings: epoch budgets = max_iter (default 50,200)")
    args = ap.parse_args()
    if args.same_settings:
        widths = [(int(w),) for w in args.widths.split(",")]
        budgets = [int(e) for e in args.epochs.split(",")]
        print(f"# python {platform.python_version()}, numpy {np.__version__}, scikit-learn "
              f"{sklearn.__version__}; training scores, seeds 0..{args.seeds - 1}")
        print_same_settings(run_same_settings(args.seeds, widths, budgets))
        return
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
