"""Time a small GridSearchCV of GlassClassifier in one process and on a two-worker Dask cluster.

The search: scikit-learn's digits (1797 x 64), ``GlassClassifier(epochs=E, random_state=0)``
over hidden_layer_sizes x alpha x learning_rate (2 x 2 x 3 = 12 candidates), 3-fold CV: 36
fits plus the refit of the best candidate.

* one process: ``GridSearchCV(..., n_jobs=1)``;
* cluster: ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
  dashboard_address=None)`` and ``with joblib.parallel_backend("dask"): search.fit(X, y)``
  (the cluster is started once, before timing; its start-up time is printed separately).

The two runs alternate, ``--repeats`` times each; the median is reported, and the script checks
that both found the same best parameters and scores. Note that the workers' fits run on one
BLAS thread each (distributed sets OMP/OPENBLAS threads to 1) and so does the in-process fit
(glassnet trains batches of <= 256 rows on one BLAS thread).

Usage: ``python bench/bench_search.py [--epochs E] [--repeats R]``
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

import dask  # noqa: E402
import joblib  # noqa: E402
import sklearn  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from glassnet.sklearn import GlassClassifier  # noqa: E402

GRID = {"hidden_layer_sizes": [(32,), (128,)], "alpha": [1e-4, 1e-2],
        "learning_rate": [3e-4, 1e-3, 3e-3]}


def make_search(epochs, n_jobs):
    return GridSearchCV(GlassClassifier(epochs=epochs, random_state=0), GRID, cv=3,
                        n_jobs=n_jobs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    X, y = load_digits(return_X_y=True)
    n_fits = 3 * int(np.prod([len(v) for v in GRID.values()]))
    print(f"# python {platform.python_version()}, numpy {np.__version__}, scikit-learn "
          f"{sklearn.__version__}, dask {dask.__version__}, joblib {joblib.__version__}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")
    print(f"# digits {X.shape}, {n_fits} fits + 1 refit, epochs={args.epochs}")

    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None)
    client = Client(cluster)
    client.wait_for_workers(2)
    client.run(lambda: __import__("glassnet.sklearn"))  # warm the workers' imports
    startup = time.perf_counter() - t0

    times = {"one process (n_jobs=1)": [], "LocalCluster, 2 workers (joblib dask)": []}
    results = {}
    try:
        for _ in range(args.repeats):
            s = make_search(args.epochs, 1)
            t = time.perf_counter()
            s.fit(X, y)
            times["one process (n_jobs=1)"].append(time.perf_counter() - t)
            results["local"] = (s.best_params_, s.best_score_)

            s = make_search(args.epochs, -1)
            t = time.perf_counter()
            with joblib.parallel_backend("dask"):
                s.fit(X, y)
            times["LocalCluster, 2 workers (joblib dask)"].append(time.perf_counter() - t)
            results["dask"] = (s.best_params_, s.best_score_)
    finally:
        client.close()
        cluster.close()

    same = results["local"][0] == results["dask"][0] and \
        abs(results["local"][1] - results["dask"][1]) < 1e-12
    base = statistics.median(times["one process (n_jobs=1)"])
    print("| run | median time (s) | runs (s) | speed-up |")
    print("|---|---|---|---|")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"| {name} | {med:.2f} | {', '.join(f'{t:.2f}' for t in ts)} | "
              f"{base / med:.2f}x |")
    print(f"cluster start-up (2 worker processes, not in the times above): {startup:.2f} s")
    print(f"best params {results['local'][0]}, CV accuracy {results['local'][1]:.4f}; "
          f"identical on the cluster: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
