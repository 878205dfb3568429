"""Activation functions, each a parameter-free node of the graph.

Every node caches what its backward needs and states its local gradient in ``backward``'s
docstring. All are numerically stable: inputs of ±1000 give finite outputs and gradients, with
no overflow warnings, in float32 and float64, and the input's dtype is kept.
"""
from __future__ import annotations

import math

import numpy as np

from .layers import Layer


class Activation(Layer):
    """Base for element-wise nodes: y = f(x), dx = dy · f'(x)."""

    def forward(self, x, training=False):
        if not self.built:
            self.build(x.shape[-1])
        self._x = x
        self._y = self._f(x)
        return self._y

    def backward(self, dy):
        return dy * self._df()

    def local_grad(self):
        return {"dy/dx": self._df()}

    def _f(self, x):
        raise NotImplementedError

    def _df(self):
        raise NotImplementedError


class Identity(Activation):
    """y = x.  Local gradient 1."""

    def _f(self, x):
        return x

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

    def backward(self, dy):
        """dx = dy · 0  (zero almost everywhere, undefined at x = 0)."""
        return np.zeros_like(dy)

    def _df(self):
        return np.zeros_like(self._x)


def _sigmoid(x):
    """Stable logistic function: never evaluates exp of a large positive number."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


class Sigmoid(Activation):
    """y = 1 / (1 + e^{-x})."""

    def _f(self, x):
        return _sigmoid(x)

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

    def backward(self, dy):
        """dx = dy · (1 − y²)."""
        return dy * (1 - self._y * self._y)

    def _df(self):
        return 1 - self._y * self._y


class ReLU(Activation):
    """y = max(x, 0)."""

    def _f(self, x):
        return np.maximum(x, 0)

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
        self.alpha = float(alpha)

    def _f(self, x):
        return np.where(x > 0, x, x * x.dtype.type(self.alpha))

    def backward(self, dy):
        """dx = dy · (1 if x > 0 else alpha)."""
        return dy * self._df()

    def _df(self):
        x = self._x
        return np.where(x > 0, x.dtype.type(1), x.dtype.type(self.alpha))

    def config(self):
        return {"alpha": self.alpha}


class ELU(Activation):
    """y = x if x > 0 else alpha·(e^x − 1)."""

    def __init__(self, alpha: float = 1.0):
        super().__init__()
        self.alpha = float(alpha)

    def _f(self, x):
        a = x.dtype.type(self.alpha)
        return np.where(x > 0, x, a * np.expm1(np.minimum(x, 0)))

    def backward(self, dy):
        """dx = dy · (1 if x > 0 else alpha·e^x)."""
        return dy * self._df()

    def _df(self):
        x = self._x
        a = x.dtype.type(self.alpha)
        return np.where(x > 0, x.dtype.type(1), a * np.exp(np.minimum(x, 0)))

    def config(self):
        return {"alpha": self.alpha}


def erf(x):
    """The error function, vectorized in NumPy to double precision (NumPy has none).

    For |x| < 2 a positive-term series, erf(x) = 2/√π · e^{−x²} · Σ 2ⁿ x^{2n+1} / (1·3···(2n+1));
    beyond, sign(x)·(1 − erfc(|x|)) with erfc from its continued fraction. Both converge fast
    where they are used.
    """
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x)
    small = a < 2
    out = np.empty_like(x)
    out[small] = _erf_series(x[small])
    out[~small] = np.sign(x[~small]) * (1.0 - _erfc_cf(a[~small]))
    return out


def _erf_series(x):
    x2 = x * x
    term = x.copy()
    total = x.copy()
    for n in range(1, 60):
        term = term * (2.0 * x2) / (2 * n + 1)
        total += term
    return 2.0 / math.sqrt(math.pi) * np.exp(-x2) * total


def _erfc_cf(x):
    # erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), x >= 2
    frac = np.zeros_like(x)
    for k in range(100, 0, -1):
        frac = (k / 2.0) / (x + frac)
    return np.exp(-x * x) / math.sqrt(math.pi) / (x + frac)


def erfc(x):
    """Complementary error function 1 − erf(x), with full relative precision in the tail."""
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x)
    out = np.empty_like(x)
    small = a < 2
    out[small] = 1.0 - _erf_series(x[small])
    big = ~small
    tail = _erfc_cf(a[big])
    out[big] = np.where(x[big] > 0, tail, 2.0 - tail)
    return out


def _norm_cdf(x):
    """Φ(x) = ½·erfc(−x/√2), exact in the far tails.

    x is clipped to ±40 first: Φ(±40) is already 1 and 0 in float64, and the clip keeps x² in
    erfc from overflowing for huge x (1e160 and beyond)."""
    x = np.clip(np.asarray(x, dtype=np.float64), -40.0, 40.0)
    return 0.5 * erfc(-x / math.sqrt(2.0))


class GELU(Activation):
    """Gaussian error linear unit.

    exact:  y = x·Φ(x), Φ the standard normal CDF;
    tanh:   y = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))   (``approximate="tanh"``).
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
        self._cdf = _norm_cdf(x).astype(x.dtype)
        return x * self._cdf

    def backward(self, dy):
        """exact: dx = dy · (Φ(x) + x·φ(x));  tanh: dx = dy · (½(1+t) + ½x(1−t²)·√(2/π)(1 + 3·0.044715x²))."""
        return dy * self._df()

    def _df(self):
        x = self._x
        if self.approximate == "tanh":
            t = self._t
            xc = np.clip(x, -100, 100)  # 1 − t² is exactly 0 beyond: the term vanishes
            return 0.5 * (1 + t) + 0.5 * xc * (1 - t * t) * self._K * (1 + 3 * 0.044715 * xc * xc)
        xa = np.clip(x, -60, 60)  # φ underflows to 0 beyond; the clip avoids overflow in x²
        pdf = (np.exp(-0.5 * xa.astype(np.float64) ** 2) / math.sqrt(2 * math.pi)).astype(x.dtype)
        return self._cdf + x * pdf

    def config(self):
        return {"approximate": self.approximate} if self.approximate != "none" else {}


class Softplus(Activation):
    """y = log(1 + e^x), computed as max(x, 0) + log1p(e^{−|x|})."""

    def _f(self, x):
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))

    def backward(self, dy):
        """dx = dy · sigmoid(x)."""
        return dy * _sigmoid(self._x)

    def _df(self):
        return _sigmoid(self._x)


def softmax(x):
    """Row-wise softmax e^{x_i} / Σ_j e^{x_j}, shifted by the row max so no exp overflows."""
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


class Softmax(Activation):
    """y_i = e^{x_i} / Σ_j e^{x_j} along each row (shifted by the row max for stability)."""

    def _f(self, x):
        return softmax(x)

    def backward(self, dy):
        """The full Jacobian-vector product: J = diag(y) − y·yᵀ per row, so
        dx = J·dy = y ⊙ (dy − Σ_j dy_j·y_j)."""
        y = self._y
        return y * (dy - (dy * y).sum(axis=-1, keepdims=True))

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
