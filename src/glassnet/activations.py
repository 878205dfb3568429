"""Activation functions, each a parameter-free node of the graph.

Every node caches what its backward needs and states its local gradient in ``backward``'s
docstring. All are numerically stable: inputs of ±1000 give finite outputs and gradients, with
no overflow warnings, in float32 and float64, and the input's dtype is kept.
"""
from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from .layers import Layer, needs_forward


def _finite_alpha(alpha, owner) -> float:
    """``alpha`` of LeakyReLU/ELU as a float: a finite real number (NaN made every gradient
    NaN, a string was accepted)."""
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) \
            or not math.isfinite(alpha):
        raise ValueError(f"{owner}: alpha must be a finite number, got {alpha!r}")
    return float(alpha)


class Activation(Layer):
    """Base for element-wise nodes: y = f(x), dx = dy · f'(x). Integer or boolean input is
    taken as float64 (a node called directly on integers; models cast their input first)."""

    def forward(self, x, training=False):
        if not self.built:
            self.build(x.shape[-1])
        if isinstance(x, np.ndarray) and x.dtype.kind in "biu":
            x = x.astype(np.float64)
        self._x = x
        self._y = self._f(x)
        return self._y

    @needs_forward
    def backward(self, dy):
        return dy * self._df()

    @needs_forward
    def local_grad(self):
        return {"dy/dx": self._df()}

    def _f(self, x):
        raise NotImplementedError(f"{type(self).__name__} must implement _f(x) -> f(x), "
                                  f"element-wise, of x's shape and dtype")

    def _df(self):
        raise NotImplementedError(f"{type(self).__name__} must implement _df() -> f'(x), the "
                                  f"derivative at the input of the last forward (self._x; "
                                  f"its output is self._y), of x's shape")


class Identity(Activation):
    """y = x.  Local gradient 1."""

    def _f(self, x):
        return x

    @needs_forward
    def backward(self, dy):
        """dx = dy."""
        return dy

    def _df(self):
        return np.ones_like(self._x)


class Step(Activation):
    """Heaviside step, the original perceptron's activation: y = 1 if x > 0 else 0.

    Its derivative is zero everywhere except at 0, where it does not exist, so no gradient
    flows through it: a network of Step units cannot learn by backpropagation (that is why
    the logistic neuron replaced it). ``backward`` returns zeros, the honest answer.
    """

    def _f(self, x):
        return (x > 0).astype(x.dtype)

    @needs_forward
    def backward(self, dy):
        """dx = dy · 0  (zero almost everywhere, undefined at x = 0)."""
        return np.zeros_like(dy)

    def _df(self):
        return np.zeros_like(self._x)


def _sigmoid(x):
    """Logistic function 1 / (1 + e^{-x}), element-wise, in x's float dtype (float64 for
    integer or bool x), within 3 ulp of the exact value.

    e^{-x} overflows to infinity only where the result is below the smallest normal number
    (x < -88.7 in float32, < -709.8 in float64): 1 / (1 + inf) is 0 there, with the overflow
    warning silenced; never NaN. Four passes and no data-dependent branch: ``np.where`` on a
    mask of mixed signs is about 9x slower (1024 x 256 float32: 1.2 ms against 0.14 ms)."""
    x = np.asarray(x)
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    t = np.negative(x, dtype=dt, out=np.empty(x.shape, dtype=dt))
    with np.errstate(over="ignore"):
        np.exp(t, out=t)
    t += 1
    return np.divide(1, t, out=t)


def _select_ones(x, other):
    """``np.where(x > 0, 1, other)`` without ``np.where`` (which takes ~1 ms on 1024 x 256
    float32 when the signs are mixed, a data-dependent branch per element): the mask m as
    0/1, then m + (1 − m)·other, exact for finite ``other`` (1 + 0 and 0 + other).
    ``other`` is a scalar or an array of x's shape; the result has x's float dtype."""
    m = np.greater(x, 0, out=np.empty(x.shape, dtype=x.dtype))
    t = np.subtract(1, m, out=np.empty_like(m))
    t *= other
    t += m
    return t


class Sigmoid(Activation):
    """y = 1 / (1 + e^{-x})."""

    def _f(self, x):
        return _sigmoid(x)

    @needs_forward
    def backward(self, dy):
        """dx = dy · y(1 − y)."""
        y = self._y
        return dy * y * (1 - y)

    def _df(self):
        return self._y * (1 - self._y)


class Tanh(Activation):
    """y = tanh(x)."""

    def _f(self, x):
        return np.tanh(x)

    @needs_forward
    def backward(self, dy):
        """dx = dy · (1 − y²)."""
        return dy * (1 - self._y * self._y)

    def _df(self):
        return 1 - self._y * self._y


_ZEROS: dict = {}   # dtype -> read-only flat zeros, grown to the largest input seen


def _zeros_of(x):
    """Read-only zeros of ``x``'s shape and dtype, from one flat array per dtype.

    ``np.maximum(x, 0)`` takes NumPy's slow loop for a scalar operand (about 2.8x slower than
    against an array of zeros for float32 at 1024 x 256, same bits); the zeros are made once
    (``np.zeros``: pages never written, so they cost no resident memory) and reused."""
    z = _ZEROS.get(x.dtype)
    if z is None or z.size < x.size:
        z = np.zeros(max(x.size, 1 << 16), dtype=x.dtype)
        z.flags.writeable = False
        _ZEROS[x.dtype] = z
    return z[:x.size].reshape(x.shape)


class ReLU(Activation):
    """y = max(x, 0)."""

    def _f(self, x):
        if isinstance(x, np.ndarray) and x.dtype in (np.float32, np.float64):
            return np.maximum(x, _zeros_of(x))
        return np.maximum(x, 0)

    @needs_forward
    def backward(self, dy):
        """dx = dy · [x > 0]  (a mask multiply; the gradient at exactly 0 is taken as 0)."""
        dx = np.greater(self._y, 0, out=np.empty_like(dy))  # the mask, as 0/1 in dy's dtype
        dx *= dy
        return dx

    def _df(self):
        return (self._y > 0).astype(self._y.dtype)


class LeakyReLU(Activation):
    """y = x if x > 0 else alpha·x."""

    def __init__(self, alpha: float = 0.01):
        super().__init__()
        self.alpha = _finite_alpha(alpha, "LeakyReLU")

    def _f(self, x):
        a = x.dtype.type(self.alpha)
        if isinstance(x, np.ndarray) and x.dtype.kind == "f" and self.alpha > 0:
            # alpha·x lies between 0 and x, so max(x, alpha·x) (min for alpha > 1) is the
            # same number as the select, without np.where's per-element branch (25x faster)
            t = np.multiply(x, a, out=np.empty_like(x))
            return (np.maximum if self.alpha <= 1 else np.minimum)(x, t, out=t)
        return np.where(x > 0, x, x * a)

    @needs_forward
    def backward(self, dy):
        """dx = dy · (1 if x > 0 else alpha)."""
        return dy * self._df()

    def _df(self):
        x = self._x
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            return _select_ones(x, x.dtype.type(self.alpha))
        return np.where(x > 0, x.dtype.type(1), x.dtype.type(self.alpha))

    def config(self):
        return {"alpha": self.alpha}


class ELU(Activation):
    """y = x if x > 0 else alpha·(e^x − 1)."""

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = _finite_alpha(alpha, "ELU")

    def _f(self, x):
        a = x.dtype.type(self.alpha)
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            z = _zeros_of(x)      # max(x, 0) + alpha·(e^min(x, 0) − 1): one term is 0
            t = np.minimum(x, z, out=np.empty_like(x))
            np.expm1(t, out=t)
            t *= a
            t += np.maximum(x, z)
            return t
        return np.where(x > 0, x, a * np.expm1(np.minimum(x, 0)))

    @needs_forward
    def backward(self, dy):
        """dx = dy · (1 if x > 0 else alpha·e^x)."""
        return dy * self._df()

    def _df(self):
        x = self._x
        a = x.dtype.type(self.alpha)
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            t = np.minimum(x, _zeros_of(x), out=np.empty_like(x))
            np.exp(t, out=t)
            t *= a
            return _select_ones(x, t)
        return np.where(x > 0, x.dtype.type(1), a * np.exp(np.minimum(x, 0)))

    def config(self):
        return {"alpha": self.alpha}


def erf(x):
    """The error function, vectorized in NumPy to double precision (NumPy has none).

    Float64 results are within 1.5 ulp of the exact value (relative error below 1e-15 where the
    result is not subnormal), erfc's within 3 ulp; ±0, ±inf and nan map as math.erf's do. The
    method is in :func:`_erf_core`.
    """
    x = np.asarray(x, dtype=np.float64)
    shape, x = x.shape, x.reshape(-1)
    a, p, e, small = _erf_core(x)
    e *= p
    np.subtract(1.0, e, out=e)                # |x| ≥ ½: erf = 1 − erfc
    p *= a
    p += a                                    # |x| < ½: erf = a + a·q(a)
    out = np.where(small, p, e)
    return np.copysign(out, x, out=out).reshape(shape)


def erfc(x):
    """Complementary error function 1 − erf(x), with full relative precision in the tail."""
    x = np.asarray(x, dtype=np.float64)
    shape, x = x.shape, x.reshape(-1)
    a, p, e, small = _erf_core(x)
    e *= p                                    # |x| ≥ ½: erfc = e^{−a²}·g(a)
    p *= a                                    # |x| < ½: 1 − (a + a·q) as ½ − ((a − ½) + a·q),
    a -= 0.5                                  # a − ½ being exact for a ≥ ¼
    p += a
    np.subtract(0.5, p, out=p)
    out = np.where(small, p, e)
    np.subtract(2.0, out, out=e)
    return np.where(x < 0, e, out).reshape(shape)   # erfc(−a) = 2 − erfc(a)


# erf/erfc tables: |x| is cut into [0, 2^-6) and 32 equal parts of each binade [2^e, 2^(e+1)),
# e = −6..4, so an element's interval is the top bits of its float64 pattern. Each interval
# holds a degree-7 polynomial in δ = |x| − centre (δ exact):
#   below ½   q(a) = erf(a)/a − 1           from erf's Taylor series,
#   from ½    g(a) = e^{a²}·erfc(a)         from erfc's continued fraction,
# fitted by least squares on 128 Chebyshev points per interval once, on first use.
_ERF_BITS = 5                    # 2^5 intervals per binade
_ERF_LOW = -6                    # [0, 2^-6): one interval around 0
_ERF_TOP = 4                     # last binade [16, 32)
_ERF_DEG = 7
_ERF_AMAX = 27.25                # erfc(27.25) < 2^-1075 rounds to 0; larger |x| are clipped here
_ERF_SPLIT = 0.5                 # q below, g from here on
_ERF_MASK = np.uint64(0xFFFFFFFFF8000000)   # keeps 26 significant bits, so ah·ah is exact
_TWO_OVER_SQRTPI = 1.1283791670955125738961589031215451717
_TWO_OVER_SQRTPI_M1 = 0.12837916709551257389615890312154517
_ONE_OVER_SQRTPI = 0.56418958354775628694807945156077259


@functools.cache  # built once, on first use (about 10 ms), not at import
def _erf_build():
    """(centres, coefficient rows highest degree first, index offset) of the erf tables."""
    edges = [(-2.0 ** _ERF_LOW, 2.0 ** _ERF_LOW)]
    for e in range(_ERF_LOW, _ERF_TOP + 1):
        step = 2.0 ** (e - _ERF_BITS)
        edges += [(2.0 ** e + i * step, 2.0 ** e + (i + 1) * step) for i in range(2 ** _ERF_BITS)]
    lo, hi = np.array(edges).T
    centre, half = (lo + hi) / 2, (hi - lo) / 2     # half: powers of two
    n_pts = 128
    # Chebyshev points, rounded to 24 bits so that centre + half·y is exact
    y = np.round(np.cos(np.pi * (np.arange(n_pts) + 0.5) / n_pts) * 2.0 ** 24) / 2.0 ** 24
    x = centre + half * y[:, None]
    rem = np.empty_like(x)
    base = np.empty(len(lo))
    q = hi <= _ERF_SPLIT
    s = x[:, q] ** 2                                  # erf(a)/a = 2/√π Σ (−s)^n / (n!(2n+1))
    term, acc = np.ones_like(s), np.zeros_like(s)
    for n in range(1, 30):
        term = term * -s / n
        acc += term / (2 * n + 1)
    rem[:, q] = _TWO_OVER_SQRTPI * acc
    base[q] = _TWO_OVER_SQRTPI_M1
    for e in range(-1, _ERF_TOP + 1):                 # e^{a²}erfc(a) = (1/√π)/(a + ½/(a + 1/(a + ...)))
        cols = ~q & (lo >= 2.0 ** e) & (lo < 2.0 ** (e + 1))
        xa = x[:, cols]
        frac = np.zeros_like(xa)
        for k in range(int(320 / 4.0 ** e) + 40, 0, -1):   # enough terms to converge
            frac = (0.5 * k) / (xa + frac)
        g = _ONE_OVER_SQRTPI / (xa + frac)
        base[cols] = g[n_pts // 2]
        rem[:, cols] = g - base[cols]                  # fit what is left after a constant: the
    cheb = np.linalg.pinv(np.polynomial.chebyshev.chebvander(y, _ERF_DEG)) @ rem  # rounding
    conv = np.zeros((_ERF_DEG + 1, _ERF_DEG + 1))     # of the fit is then relative to that
    for n in range(_ERF_DEG + 1):
        mono = np.polynomial.chebyshev.cheb2poly(np.eye(_ERF_DEG + 1)[n])
        conv[:len(mono), n] = mono
    coef = conv @ cheb                                # powers of y = δ/half
    coef[0] += base
    coef /= half ** np.arange(_ERF_DEG + 1)[:, None]  # powers of δ (exact: half is 2^k)
    centre[0] = 0.0
    offset = ((1023 + _ERF_LOW) << _ERF_BITS) - 1     # float64 exponent bias 1023
    return centre, [np.ascontiguousarray(c) for c in coef[::-1]], offset


def _erf_core(x):
    """For 1-D float64 x: (a, p, e, small), new arrays: a = |x| (clipped at 27.25), small = a < ½,
    p = q(a) where small and g(a) elsewhere (see the tables above), e = e^{−a²} where not small.

    e^{−a²} = e^{−ah²}·e^{−d}: ah is a cut to 26 bits, so ah² is exact, and d = a² − ah² =
    (a − ah)(a + ah) < 2^-15 goes into a cubic for e^{−d}. So erfc = e·p rounds only in exp,
    the table polynomial (≈ 1 ulp) and a few products. No masked (where=) ufuncs: NumPy runs
    those several times slower than np.where.
    """
    centre, coef, offset = _erf_build()
    a = np.abs(x)
    if not a.max(initial=0.0) <= _ERF_AMAX:          # also when a nan is there (kept: nan)
        np.minimum(a, _ERF_AMAX, out=a)
    idx = a.view(np.int64) >> (52 - _ERF_BITS)        # exponent and top mantissa bits
    idx -= offset
    np.clip(idx, 0, len(centre) - 1, out=idx)
    d = np.take(centre, idx)
    np.subtract(a, d, out=d)                          # δ, exact
    w = np.take(coef[0], idx)
    t = np.empty_like(a)
    for c in coef[1:]:                                # Horner
        w *= d
        w += np.take(c, idx, out=t)
    e = d                                             # δ no longer needed
    np.bitwise_and(a.view(np.uint64), _ERF_MASK, out=e.view(np.uint64))   # ah
    dd = idx.view(np.float64)                         # nor the index
    np.subtract(a, e, out=t)
    np.add(a, e, out=dd)
    dd *= t                                           # d = (a − ah)(a + ah), exact enough
    e *= e
    np.negative(e, out=e)
    np.exp(e, out=e)                                  # e^{−ah²}
    np.multiply(dd, -1.0 / 6.0, out=t)                # 1 − e^{−d} = d·(1 − d·(½ − d/6))
    t += 0.5
    t *= dd
    np.subtract(1.0, t, out=t)
    t *= dd
    t *= e
    e -= t                                            # e^{−a²}
    return a, w, e, a < _ERF_SPLIT


def _norm_cdf(x):
    """Φ(x) = ½·erfc(−x/√2), in float64, exact in the far tails (erfc takes any x: ±inf, and
    finite x whose square overflows, give 0 and 1)."""
    u = np.empty(np.shape(x))
    np.divide(x, -math.sqrt(2.0), out=u, dtype=np.float64)   # float64 even for float32 x
    out = erfc(u)
    out *= 0.5
    return out


# ½·erfc(z) ≈ t·exp(−z² + P(t)), t = 1/(1 + z/2), z ≥ 0: P a degree-11 polynomial (lowest
# coefficient first) fitted by least squares at 4,000 Chebyshev nodes of t for z in [0, 26]
# to this module's float64 erfc (log(½·erfc(z)/t) + z²); relative error < 7.5e-9 there and
# beyond (P is smooth up to t = 0), far below float32's 6e-8. Checked in tests/test_perf_guard.
_PHI32_P = (-1.9586605308923835, 1.0000497767796055, 0.3741983323958959, 0.08991541899357439,
            -0.11439279613281005, -0.09500168994724847, 0.012437455931008298,
            -0.7195778281614729, 1.8730916530854118, -1.8576012426504713, 0.8590958752182588,
            -0.15670161248792192)


def _norm_cdf32(x):
    """Φ(x) for float32 x, as float32: one formula evaluated in float64 (no erf intervals,
    table gathers or ``np.where``; 256 x 256: ~0.3 ms against ~1.4 ms for the float64 erfc,
    within 1 float32 ulp of it). ±inf give 1 and 0, NaN stays NaN."""
    a = np.abs(x).astype(np.float64)
    a *= 1.0 / math.sqrt(2.0)                     # z = |x|/√2
    t = np.multiply(a, 0.5)
    t += 1.0
    np.divide(1.0, t, out=t)                      # t = 1/(1 + z/2)
    p = np.multiply(t, _PHI32_P[-1])
    for c in _PHI32_P[-2:0:-1]:
        p += c
        p *= t
    p += _PHI32_P[0]
    a *= a
    p -= a                                        # −z² + P(t)
    with np.errstate(under="ignore"):
        np.exp(p, out=p)
    p *= t                                        # p = ½·erfc(z) = Φ(−|x|)
    m = np.greater(x, 0, out=np.empty(x.shape))   # Φ(x) = p for x ≤ 0, 1 − p for x > 0:
    q = np.multiply(p, 2.0)                       # p − m·(2p − 1), exact for m = 0
    q -= 1.0
    q *= m
    p -= q
    return p.astype(np.float32)


class GELU(Activation):
    """Gaussian error linear unit.

    exact:  y = x·Φ(x), Φ the standard normal CDF;
    tanh:   y = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))   (``approximate="tanh"``).

    Φ is taken from this module's float64 ``erfc`` for float64 input and from a single fitted
    formula for float32 input (within 1 float32 ulp of it, about 4x faster).
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    _K = math.sqrt(2.0 / math.pi)

    def _f(self, x):
        if self.approximate == "tanh":
            # tanh(u) is exactly ±1 beyond |x| = 100 in both dtypes; the clip keeps x³ from
            # overflowing (float32 does past |x| ≈ 2e12)
            xc = np.clip(x, -100, 100)
            u = self._K * (xc + 0.044715 * xc * xc * xc)
            self._t = np.tanh(u)
            return 0.5 * x * (1 + self._t)
        if type(x) is np.ndarray and x.dtype == np.float32:
            self._cdf = _norm_cdf32(x)
        else:
            self._cdf = _norm_cdf(x).astype(x.dtype, copy=False)
        return x * self._cdf

    @needs_forward
    def backward(self, dy):
        """exact: dx = dy · (Φ(x) + x·φ(x));  tanh: dx = dy · (½(1+t) + ½x(1−t²)·√(2/π)(1 + 3·0.044715x²)), t = tanh(√(2/π)(x + 0.044715x³))."""
        return dy * self._df()

    def _df(self):
        x = self._x
        if self.approximate == "tanh":
            t = self._t
            xc = np.clip(x, -100, 100)  # 1 − t² is exactly 0 beyond: the term vanishes
            return 0.5 * (1 + t) + 0.5 * xc * (1 - t * t) * self._K * (1 + 3 * 0.044715 * xc * xc)
        pdf = np.empty(x.shape)   # float64
        np.clip(x, -60.0, 60.0, out=pdf)  # φ underflows to 0 beyond; the clip avoids overflow in x²
        pdf *= pdf
        pdf *= -0.5
        np.exp(pdf, out=pdf)
        pdf *= 1.0 / math.sqrt(2 * math.pi)
        pdf = pdf.astype(x.dtype, copy=False)
        pdf *= x
        pdf += self._cdf
        return pdf

    def config(self):
        return {"approximate": self.approximate} if self.approximate != "none" else {}


class Softplus(Activation):
    """y = log(1 + e^x), computed as max(x, 0) + log1p(e^{−|x|})."""

    def _f(self, x):
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    @needs_forward
    def backward(self, dy):
        """dx = dy · sigmoid(x)."""
        return dy * _sigmoid(self._x)

    def _df(self):
        return _sigmoid(self._x)


def _narrow_rows(x, max_cols, min_rows):
    """Whether ``row_max``/``row_sum`` take the transposed copy: a plain float32/float64
    2-D array (not a masked array or other subclass, whose reductions differ; float16 sums
    need NumPy's float32 accumulation) of 2..max_cols columns and min_rows..65,536 rows (the
    copy, at most 4 MB at 16 float32 columns, is the only extra memory)."""
    return (type(x) is np.ndarray and x.ndim == 2 and x.dtype in (np.float32, np.float64)
            and 1 < x.shape[1] <= max_cols and min_rows <= x.shape[0] <= 1 << 16)


def row_max(x):
    """max over the last axis, kept as a column (keepdims): what a softmax shifts by.

    NumPy reduces a short last axis one row at a time (42 µs for 1024 x 10 float32); for a
    2-D array of up to 64 columns the rows are reduced together from a transposed copy
    instead (4 µs there), with the same result."""
    if _narrow_rows(x, 64, 2):
        return np.maximum.reduce(np.ascontiguousarray(x.T), axis=0)[:, None]
    return x.max(axis=-1, keepdims=True)


def row_sum(x):
    """Σ over the last axis, kept as a column: as ``row_max``, the rows of a 2-D array of up
    to 16 columns and 64 rows or more are summed together from a transposed copy (1024 x 10:
    15 µs -> 4 µs; below 64 rows the copy costs more than it saves). The order of the
    additions may differ from ``x.sum(axis=-1)`` (last-bit differences)."""
    if _narrow_rows(x, 16, 64):
        return np.add.reduce(np.ascontiguousarray(x.T), axis=0)[:, None]
    return x.sum(axis=-1, keepdims=True)


def softmax(x):
    """Row-wise softmax e^{x_i} / Σ_j e^{x_j}, shifted by the row max so no exp overflows."""
    e = np.exp(x - row_max(x))
    e /= row_sum(e)
    return e


class Softmax(Activation):
    """y_i = e^{x_i} / Σ_j e^{x_j} along each row (shifted by the row max for stability)."""

    def _f(self, x):
        return softmax(x)

    @needs_forward
    def backward(self, dy):
        """The full Jacobian-vector product: J = diag(y) − y·yᵀ per row, so
        dx = J·dy = y ⊙ (dy − Σ_j dy_j·y_j)."""
        y = self._y
        return y * (dy - row_sum(dy * y))

    @needs_forward
    def local_grad(self):
        """The Jacobian of each row, shape (m, k, k): diag(y) − y yᵀ."""
        y = self._y
        return {"dy/dx": y[:, :, None] * np.eye(y.shape[-1], dtype=y.dtype) - y[:, :, None] * y[:, None, :]}


ACTIVATIONS = {
    "identity": Identity, "linear": Identity, "none": Identity, "step": Step,
    "heaviside": Step, "sigmoid": Sigmoid, "logistic": Sigmoid, "tanh": Tanh, "relu": ReLU,
    "leaky_relu": LeakyReLU, "leakyrelu": LeakyReLU, "elu": ELU, "gelu": GELU,
    "softplus": Softplus, "softmax": Softmax,
}


def get(name) -> Activation:
    """Return a new activation node from a name (``"relu"``), a class or an instance."""
    if isinstance(name, Layer):
        return name
    if isinstance(name, type) and issubclass(name, Layer):
        return name()
    if isinstance(name, str):
        key = name.lower().replace("-", "_")
        if key == "gelu_tanh":
            return GELU("tanh")
        if key in ACTIVATIONS:
            return ACTIVATIONS[key]()
    raise ValueError(f"unknown activation {name!r}; choose one of: "
                     + ", ".join(sorted(set(ACTIVATIONS) | {"gelu_tanh"})))
