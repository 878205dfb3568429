"""Helpers shared by the examples (kept out of the library: they are about reporting).

The three real-data examples report the mean test accuracy over 5 stratified 80/20 splits
(split seeds 0-4), with every preprocessing step fitted on the training part only.
"""
from __future__ import annotations

import time

import numpy as np

from glassnet.data import split_indices
from glassnet.metrics import accuracy_score

SPLIT_SEEDS = (0, 1, 2, 3, 4)


def take(X, rows):
    """Rows of an array or of a glassnet Table."""
    return X.take(rows) if hasattr(X, "take") and not isinstance(X, np.ndarray) else X[rows]


def five_splits(X, y, fit_predict, seeds=SPLIT_SEEDS, test_size=0.2):
    """Mean test accuracy of ``fit_predict`` over stratified splits, one per seed.

    ``fit_predict(X_train, y_train, X_test)`` fits everything (scaling, encoding, the network)
    on the training part and returns predicted labels for the test part.

    Returns ``{"mean": ..., "per_split": [...], "seeds": [...], "seconds": ...}``.
    """
    t0 = time.perf_counter()
    accs = []
    for seed in seeds:
        train, test = split_indices(len(y), test_size, stratify=y, seed=seed)
        pred = fit_predict(take(X, train), y[train], take(X, test))
        accs.append(float(accuracy_score(y[test], pred)))
    return {"mean": float(np.mean(accs)), "per_split": accs, "seeds": list(seeds),
            "seconds": time.perf_counter() - t0}


def report(name, res):
    per = "  ".join(f"{a:.4f}" for a in res["per_split"])
    print(f"{name}: mean test accuracy {res['mean']:.4f} over split seeds {res['seeds']} "
          f"[{per}]  ({res['seconds']:.1f} s)")
