"""Train/test splits and k-fold indices, seeded and optionally stratified.

Arrays are split along their first axis; a :class:`~glassnet.data.tabular.Table` is split by
rows. Given the same ``seed`` the same rows go to the same side.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .generators import _rng
from .tabular import Table

__all__ = ["train_test_split", "split_indices", "kfold", "stratified_kfold"]


def _n_rows(a) -> int:
    if isinstance(a, Table):
        return a.n_rows
    if hasattr(a, "shape") and len(getattr(a, "shape", ())) >= 1:
        return int(a.shape[0])
    return len(a)


def _take(a, idx):
    if isinstance(a, Table):
        return a.take(idx)
    if isinstance(a, np.ndarray):
        return a[idx]
    if hasattr(a, "iloc"):  # pandas, if the user has it
        return a.iloc[idx]
    arr = np.asarray(a)
    return arr[idx]


def _resolve_sizes(n: int, test_size, train_size) -> tuple[int, int]:
    def check(v, name):
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise ValueError(f"{name} must be a fraction in (0, 1) or a row count, got {v!r}")
        if isinstance(v, numbers.Integral):
            if not 1 <= v <= n - 1:
                raise ValueError(f"{name}={v} rows is out of range: with {n} rows it must be "
                                 f"between 1 and {n - 1}")
            return int(v)
        if not (math.isfinite(v) and 0.0 < v < 1.0):
            raise ValueError(f"{name} as a fraction must be strictly between 0 and 1, "
                             f"got {v!r}")
        return v

    if n < 2:
        raise ValueError(f"cannot split {n} row(s): at least 2 are needed")
    test_size, train_size = check(test_size, "test_size"), check(train_size, "train_size")
    if test_size is None and train_size is None:
        test_size = 0.25
    if isinstance(test_size, float):
        n_test = math.ceil(test_size * n)
    else:
        n_test = test_size
    if isinstance(train_size, float):
        n_train = math.floor(train_size * n)
    else:
        n_train = train_size
    if n_test is None:
        n_test = n - n_train
    if n_train is None:
        n_train = n - n_test
    if n_test < 1 or n_train < 1:
        raise ValueError(f"with {n} rows, test_size={test_size!r} and train_size="
                         f"{train_size!r} leave {n_train} training and {n_test} test rows; "
                         f"both sides need at least one")
    if n_train + n_test > n:
        raise ValueError(f"train ({n_train}) + test ({n_test}) rows exceed the {n} available")
    return n_train, n_test


def _class_codes(stratify, n: int) -> np.ndarray:
    s = np.asarray(stratify)
    if s.ndim == 2 and s.shape[1] == 1:
        s = s[:, 0]
    if s.ndim == 2:  # one-hot labels
        s = s.argmax(axis=1)
    if s.ndim != 1 or s.shape[0] != n:
        raise ValueError(f"stratify must have one label per row ({n}), got shape {s.shape}")
    if s.dtype == object:
        if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in s):
            raise ValueError("stratify labels contain missing values")
        s = s.astype(str)
    elif s.dtype.kind == "f" and np.isnan(s).any():
        raise ValueError("stratify labels contain NaN")
    _, codes = np.unique(s, return_inverse=True)
    return codes.reshape(-1)


def split_indices(n: int, test_size=0.2, *, train_size=None, stratify=None, seed=None,
                  shuffle: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``(train_idx, test_idx)`` for ``n`` rows; see :func:`train_test_split`."""
    n_train, n_test = _resolve_sizes(n, test_size, train_size)
    if not shuffle:
        if stratify is not None:
            raise ValueError("stratify needs shuffle=True (a stratified split picks rows at "
                             "random within each class)")
        return np.arange(n_train), np.arange(n - n_test, n)
    rng = _rng(seed)
    if stratify is None:
        perm = rng.permutation(n)
        return perm[n_test:n_test + n_train], perm[:n_test]

    codes = _class_codes(stratify, n)
    counts = np.bincount(codes)
    if counts.min() < 2:
        raise ValueError(f"the least populated class has only {counts.min()} member(s); a "
                         f"stratified split needs at least 2 per class")
    test_alloc = _allocate(counts, n_test, rng)
    train_alloc = _allocate(counts - test_alloc, n_train, rng)
    train_parts, test_parts = [], []
    for c in range(len(counts)):
        members = rng.permutation(np.flatnonzero(codes == c))
        test_parts.append(members[:test_alloc[c]])
        train_parts.append(members[test_alloc[c]:test_alloc[c] + train_alloc[c]])
    train = rng.permutation(np.concatenate(train_parts))
    test = rng.permutation(np.concatenate(test_parts))
    return train, test


def _allocate(counts: np.ndarray, total: int, rng) -> np.ndarray:
    """Split ``total`` between classes in proportion to ``counts`` (largest remainders, ties
    broken at random), never giving a class more than it has."""
    counts = np.asarray(counts, dtype=np.int64)
    exact = total * counts / counts.sum()
    alloc = np.minimum(np.floor(exact).astype(np.int64), counts)
    left = total - alloc.sum()
    if left > 0:
        rem = exact - alloc
        # order by remainder (largest first), ties at random, skipping full classes
        order = np.lexsort((rng.random(len(counts)), -rem))
        for c in order:
            if left == 0:
                break
            if alloc[c] < counts[c]:
                alloc[c] += 1
                left -= 1
        # still some left (only when many classes are full): fill wherever there is room
        for c in order:
            take = min(left, counts[c] - alloc[c])
            alloc[c] += take
            left -= take
    return alloc


def train_test_split(*arrays, test_size=0.2, train_size=None, stratify=None, seed=None,
                     shuffle: bool = True):
    """Split arrays (or Tables) into train and test rows.

    Parameters
    ----------
    *arrays : arrays, lists or Tables with the same number of rows
    test_size : float in (0, 1) or int
        Fraction of rows (rounded up) or number of rows for the test side. Default 0.2.
    train_size : float or int, optional
        Likewise for the training side; by default the complement of the test side.
    stratify : array-like of labels, optional
        Keep each class's proportion the same on both sides (up to rounding).
    seed : int, None or numpy Generator
        Same seed, same split.
    shuffle : bool
        ``False`` keeps row order: the first rows train, the last ones test.

    Returns
    -------
    list
        ``[a_train, a_test, b_train, b_test, ...]`` in the order of ``arrays`` (as in
        scikit-learn).
    """
    if not arrays:
        raise ValueError("train_test_split needs at least one array")
    n = _n_rows(arrays[0])
    lengths = [_n_rows(a) for a in arrays]
    if len(set(lengths)) != 1:
        raise ValueError(f"all arrays must have the same number of rows, got {lengths}")
    train, test = split_indices(n, test_size, train_size=train_size, stratify=stratify,
                                seed=seed, shuffle=shuffle)
    out = []
    for a in arrays:
        out.append(_take(a, train))
        out.append(_take(a, test))
    return out


def _check_k(k, n: int) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 2:
        raise ValueError(f"k must be an integer >= 2, got {k!r}")
    if k > n:
        raise ValueError(f"k={k} folds is more than the {n} rows")
    return int(k)


def kfold(n: int, k: int = 5, seed=None, shuffle: bool = True):
    """Yield ``(train_idx, test_idx)`` for ``k`` folds of ``n`` rows (sizes differ by <= 1)."""
    k = _check_k(k, n)
    order = _rng(seed).permutation(n) if shuffle else np.arange(n)
    folds = np.arange(n) % k
    if not shuffle:
        folds = np.repeat(np.arange(k), [n // k + (i < n % k) for i in range(k)])
    for f in range(k):
        yield np.sort(order[folds != f]), np.sort(order[folds == f])


def stratified_kfold(y, k: int = 5, seed=None):
    """Yield ``(train_idx, test_idx)`` for ``k`` folds, each with about the class proportions
    of ``y`` (per class, fold counts differ by at most one). Each row is in exactly one test
    fold. Classes with fewer than ``k`` members are simply absent from some folds."""
    y = np.asarray(y)
    n = y.shape[0]
    k = _check_k(k, n)
    codes = _class_codes(y, n)
    rng = _rng(seed)
    # Deal each class's shuffled rows round-robin, carrying on where the last class stopped,
    # so fold sizes stay balanced too.
    ordered = np.concatenate([rng.permutation(np.flatnonzero(codes == c))
                              for c in range(codes.max() + 1)])
    folds = np.empty(n, dtype=np.int64)
    folds[ordered] = np.arange(n) % k
    for f in range(k):
        yield np.flatnonzero(folds != f), np.flatnonzero(folds == f)
