"""Weight initializers.

Each initializer is a function ``(rng, n_in, n_out, dtype) -> array of shape (n_in, n_out)``
drawing from a ``numpy.random.Generator``. The model passes down one generator seeded from its
``seed``, so the same seed gives the same weights.

==============  ===============================================  ========================
name            distribution                                     suits
==============  ===============================================  ========================
plain           N(0, 1) x 0.01 (the seeds' "small random")       tiny networks
xavier          N(0, 2 / (n_in + n_out))  (Glorot normal)        sigmoid, tanh
xavier_uniform  U(-a, a), a = sqrt(6 / (n_in + n_out))           sigmoid, tanh
he              N(0, 2 / n_in)  (Kaiming normal)                 ReLU family
he_uniform      U(-a, a), a = sqrt(6 / n_in)                     ReLU family
lecun           N(0, 1 / n_in)                                   SELU, linear
lecun_uniform   U(-a, a), a = sqrt(3 / n_in)
zeros           all zeros (fine for one neuron, breaks symmetry nowhere else)
==============  ===============================================  ========================

An explicit array of shape (n_in, n_out) is accepted wherever a name is. The normal ones are
plain (untruncated) normals, as PyTorch's ``kaiming_normal_``/``xavier_normal_`` draw them;
Keras's ``he_normal``/``glorot_normal``/``lecun_normal`` (accepted names here) draw from a
truncated normal of the same variance.
"""
from __future__ import annotations

import functools

import numpy as np

from ._validate import check_positive_int, resolve_dtype


def _checked(draw):
    """An initializer called on its own (``gn.init.he(rng, 784, 256)``) checks what it is
    given: a Generator, widths >= 1, a float dtype (an int dtype rounded the weights)."""
    @functools.wraps(draw)
    def init(rng, n_in, n_out, dtype=np.float32):
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"{draw.__name__}: rng must be a numpy.random.Generator (e.g. "
                            f"np.random.default_rng(0)), got {type(rng).__name__}")
        n_in = check_positive_int(n_in, f"{draw.__name__}: n_in")
        n_out = check_positive_int(n_out, f"{draw.__name__}: n_out")
        return draw(rng, n_in, n_out, resolve_dtype(dtype))
    return init


@_checked
def plain(rng, n_in, n_out, dtype=np.float32):
    return (rng.standard_normal((n_in, n_out)) * 0.01).astype(dtype)


@_checked
def xavier(rng, n_in, n_out, dtype=np.float32):
    return (rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out))).astype(dtype)


@_checked
def xavier_uniform(rng, n_in, n_out, dtype=np.float32):
    a = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-a, a, (n_in, n_out)).astype(dtype)


@_checked
def he(rng, n_in, n_out, dtype=np.float32):
    return (rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(dtype)


@_checked
def he_uniform(rng, n_in, n_out, dtype=np.float32):
    a = np.sqrt(6.0 / n_in)
    return rng.uniform(-a, a, (n_in, n_out)).astype(dtype)


@_checked
def lecun(rng, n_in, n_out, dtype=np.float32):
    return (rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)).astype(dtype)


@_checked
def lecun_uniform(rng, n_in, n_out, dtype=np.float32):
    a = np.sqrt(3.0 / n_in)
    return rng.uniform(-a, a, (n_in, n_out)).astype(dtype)


@_checked
def zeros(rng, n_in, n_out, dtype=np.float32):
    return np.zeros((n_in, n_out), dtype=dtype)


INITIALIZERS = {
    "plain": plain, "xavier": xavier, "glorot": xavier, "xavier_normal": xavier,
    "glorot_normal": xavier, "xavier_uniform": xavier_uniform, "glorot_uniform": xavier_uniform,
    "he": he, "kaiming": he, "he_normal": he, "kaiming_normal": he, "he_uniform": he_uniform,
    "kaiming_uniform": he_uniform, "lecun": lecun, "lecun_normal": lecun,
    "lecun_uniform": lecun_uniform, "zeros": zeros,
}


def get(init):
    """Return an initializer from a name, a callable, or an explicit array."""
    if callable(init):
        return init
    if isinstance(init, str):
        try:
            return INITIALIZERS[init.lower()]
        except KeyError:
            raise ValueError(f"unknown initializer {init!r}; choose one of: "
                             + ", ".join(sorted(set(INITIALIZERS)))
                             + ", or pass an array") from None
    arr = np.asarray(init)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"init must be a name, a callable or an array of numbers, got {init!r}")

    def explicit(rng, n_in, n_out, dtype=np.float32):
        a = np.asarray(arr, dtype=dtype)
        if a.ndim == 1 and n_out == 1 and a.shape[0] == n_in:
            a = a.reshape(n_in, 1)
        return _checked_weights(a, n_in, n_out, "explicit initial weights", np.shape(arr)).copy()

    explicit.__name__ = "explicit"
    return explicit


def _checked_weights(a, n_in, n_out, source, shown=None):
    """``a`` if it is a finite (n_in, n_out) array, else a ValueError naming ``source``."""
    if a.shape != (n_in, n_out):
        hint = ("; glassnet's W is (n_in, n_out), inputs in rows: the seeds' W, (n_out, n_in), "
                "is its transpose: pass W.T" if a.shape == (n_out, n_in) else "")
        raise ValueError(f"{source} have shape {shown or a.shape}, expected ({n_in}, {n_out})"
                         f"{hint}")
    if not np.isfinite(a).all():
        raise ValueError(f"{source} contain NaN or infinity")
    return a


def initialize(init, rng, n_in, n_out, dtype=np.float32):
    """Draw a (n_in, n_out) weight array with the initializer ``init``; what a callable of
    the user's own returns is checked (the built-in ones and an explicit array are)."""
    W = np.ascontiguousarray(get(init)(rng, n_in, n_out, dtype), dtype=dtype)
    if callable(init) and init not in INITIALIZERS.values():
        _checked_weights(W, n_in, n_out, f"the weights the initializer "
                                         f"{getattr(init, '__name__', init)!r} returned")
    return W
