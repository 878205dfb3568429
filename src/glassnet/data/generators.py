"""Small synthetic datasets, generated offline from a seed.

Every generator returns ``(X, y)``: ``X`` a float32 array of shape ``(m, n)`` (examples in rows)
and ``y`` an int64 array of class labels of shape ``(m,)``. Randomness comes only from
``numpy.random.default_rng(seed)``; ``seed`` may be an int, ``None`` or a ``Generator``. The
same seed gives the same numbers.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["make_gate", "make_line", "make_moons", "make_circles", "make_spirals", "GATES"]

#: Truth tables of the logic gates, for inputs (0,0), (0,1), (1,0), (1,1).
GATES = {
    "and": (0, 0, 0, 1),
    "or": (0, 1, 1, 1),
    "xor": (0, 1, 1, 0),
    "nand": (1, 1, 1, 0),
    "nor": (1, 0, 0, 0),
}


def _rng(seed) -> np.random.Generator:
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, None or a numpy Generator, "
                         f"got {seed!r}")
    return np.random.default_rng(int(seed))


def _check_n(n, minimum: int, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {n!r}")
    if n < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {n}")
    return int(n)


def _check_nonneg(x, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x) or x < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {x!r}")
    return float(x)


def _finite(x, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    return float(x)


def _shuffle(rng, X, y):
    order = rng.permutation(len(y))
    return np.ascontiguousarray(X[order], dtype=np.float32), y[order].astype(np.int64)


def make_gate(kind: str = "xor"):
    """The four rows of a two-input logic gate.

    ``X`` is ``[[0,0],[0,1],[1,0],[1,1]]`` (float32, shape (4, 2)) and ``y`` the gate's output
    for each row (int64, shape (4,)). ``kind`` is one of ``"and"``, ``"or"``, ``"xor"``,
    ``"nand"``, ``"nor"`` (case-insensitive).
    """
    key = kind.lower() if isinstance(kind, str) else kind
    if key not in GATES:
        raise ValueError(f"unknown gate {kind!r}; choose one of {sorted(GATES)}")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array(GATES[key], dtype=np.int64)
    return X, y


def make_line(n: int = 1000, seed=None, slope: float = 1.23, intercept: float = 3.23,
              low: float = -10.0, high: float = 10.0):
    """Random points labelled by the side of a line: the "hello world" of seed 002.

    The seed labels points above the line ``y = 1.23 x + 3.23`` as one class and points below
    as the other, and tests on randomly generated points. Here:

    * the first coordinate ``x1 ~ Uniform(low, high)``;
    * the second ``x2 ~ Uniform(line(low), line(high))``, the range the line itself spans over
      ``[low, high]``, so both classes are equally likely and many points lie near the line
      (which is where the seed's ~1% of errors come from);
    * ``y = 1`` if ``x2 > slope * x1 + intercept`` (strictly above), else ``0``.

    Labels are computed from the float32 coordinates that are returned, so they are exact for
    the data a model sees.

    Returns ``X`` (float32, (n, 2)) and ``y`` (int64, (n,)).
    """
    n = _check_n(n, 1)
    slope, intercept = _finite(slope, "slope"), _finite(intercept, "intercept")
    low, high = _finite(low, "low"), _finite(high, "high")
    if not low < high:
        raise ValueError(f"low must be smaller than high, got low={low}, high={high}")
    rng = _rng(seed)
    y_a, y_b = slope * low + intercept, slope * high + intercept
    y_lo, y_hi = min(y_a, y_b), max(y_a, y_b)
    if y_lo == y_hi:  # a horizontal line: spread the points over the x range around it
        half = (high - low) / 2
        y_lo, y_hi = y_lo - half, y_hi + half
    X = np.empty((n, 2), dtype=np.float64)
    X[:, 0] = rng.uniform(low, high, n)
    X[:, 1] = rng.uniform(y_lo, y_hi, n)
    X = X.astype(np.float32)
    X64 = X.astype(np.float64)
    y = (X64[:, 1] > slope * X64[:, 0] + intercept).astype(np.int64)
    return X, y


def make_moons(n: int = 200, noise: float = 0.1, seed=None):
    """Two interleaving half circles ("moons"), Gaussian noise of std ``noise`` added.

    Class 0 is the upper moon (centre (0, 0), radius 1); class 1 the lower one (centre
    (1, 0.5)). ``n // 2`` points go to class 0, the rest to class 1, in shuffled order.
    """
    n = _check_n(n, 2)
    noise = _check_nonneg(noise, "noise")
    rng = _rng(seed)
    n0 = n // 2
    n1 = n - n0
    t0 = np.linspace(0.0, math.pi, n0)
    t1 = np.linspace(0.0, math.pi, n1)
    X = np.concatenate([np.stack([np.cos(t0), np.sin(t0)], axis=1),
                        np.stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)])
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    if noise:
        X = X + rng.normal(0.0, noise, X.shape)
    return _shuffle(rng, X, y)


def make_circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, seed=None):
    """A circle inside another: class 0 the outer circle (radius 1), class 1 the inner one
    (radius ``factor``, 0 < factor < 1), Gaussian noise of std ``noise`` added."""
    n = _check_n(n, 2)
    noise = _check_nonneg(noise, "noise")
    factor = _finite(factor, "factor")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be between 0 and 1 (exclusive), got {factor}")
    rng = _rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0.0, 2 * math.pi, n_out, endpoint=False)
    t_in = np.linspace(0.0, 2 * math.pi, n_in, endpoint=False)
    X = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
                        factor * np.stack([np.cos(t_in), np.sin(t_in)], axis=1)])
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    if noise:
        X = X + rng.normal(0.0, noise, X.shape)
    return _shuffle(rng, X, y)


def make_spirals(n: int = 300, n_classes: int = 2, noise: float = 0.2, seed=None,
                 turns: float = 0.75):
    """Interleaved spiral arms, one per class (the classic CS231n toy problem).

    Each arm starts at the origin and winds ``turns`` full turns outwards to radius 1; arm
    ``k`` is rotated by ``2*pi*k / n_classes``. ``noise`` is the std of Gaussian noise added to
    each point's angle, in radians (a point near the centre moves less than one far out). Points are
    split as evenly as possible between classes and returned shuffled.
    """
    n_classes = _check_n(n_classes, 2, "n_classes")
    n = _check_n(n, n_classes)
    noise = _check_nonneg(noise, "noise")
    turns = _finite(turns, "turns")
    if turns <= 0:
        raise ValueError(f"turns must be > 0, got {turns}")
    rng = _rng(seed)
    counts = np.full(n_classes, n // n_classes)
    counts[: n % n_classes] += 1
    parts, labels = [], []
    for k, nk in enumerate(counts):
        r = np.linspace(0.0, 1.0, nk) if nk > 1 else np.ones(1)
        theta = 2 * math.pi * (k / n_classes + turns * r)
        if noise:
            theta = theta + rng.normal(0.0, noise, nk)
        parts.append(np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1))
        labels.append(np.full(nk, k, dtype=np.int64))
    return _shuffle(rng, np.concatenate(parts), np.concatenate(labels))
