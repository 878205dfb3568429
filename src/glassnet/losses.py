"""Losses: the last node of the graph, turning predictions into one number, the cost.

Each loss has ``forward(y_pred, y_true, weights=None) -> float`` and ``backward() ->
dCost/dy_pred`` (same shape and dtype as ``y_pred``). Costs are means over the batch of the
examples' losses ℓᵢ, cost = (1/m) Σ ℓᵢ, so gradients carry the 1/m.

With per-example ``weights`` w (shape (m,), non-negative, not all zero) the cost is the
weighted mean cost = Σ wᵢ·ℓᵢ / Σ wᵢ (scikit-learn's convention: integer weights are the same
as repeated rows, weight 0 removes a row), and row i of every gradient is the unweighted one
times m·wᵢ/Σ w.

The fused losses (``from_logits=True``) take the pre-activation z of the last layer and fold
the sigmoid or softmax into the loss: their gradient is the simple (ŷ − y)/m and they never
take the log of 0. A model whose last node is a Sigmoid/Softmax trained with the matching
probability loss uses the same fused gradient automatically (see ``fused_backward``).
"""
from __future__ import annotations

import functools
import math
import numbers
import types

import numpy as np

from .activations import Sigmoid, Softmax, _sigmoid, row_max, row_sum
from ._validate import check_array, check_flag


def _as_targets(y_true, y_pred, name):
    """y_true as an array of y_pred's shape and dtype.

    Shapes may differ only by axes of length 1 ((m,) or (1, m) for (m, 1)); any other
    mismatch is an error, never a reshape that would pair predictions with the wrong targets.
    """
    if not isinstance(y_pred, np.ndarray):
        raise TypeError(f"{name}.forward: y_pred must be a NumPy array, got "
                        f"{type(y_pred).__name__}; calling the loss, {name}()(y_pred, y_true), "
                        f"converts and checks it")
    y = np.asarray(y_true)
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{name}: y_true must be numeric, got dtype {y.dtype}")
    if y.shape != y_pred.shape:
        if [d for d in y.shape if d != 1] == [d for d in y_pred.shape if d != 1]:
            y = y.reshape(y_pred.shape)
        else:
            raise ValueError(f"{name}: y_true has shape {y.shape} but y_pred has shape "
                             f"{y_pred.shape}")
    return y.astype(y_pred.dtype, copy=False)


def _row_weights(weights, m):
    """Validated weights as a float64 array of shape (m,), and their sum."""
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.shape != (m,):
        raise ValueError(f"weights has {w.size} values for {m} examples; one weight per row "
                         f"is needed")
    s = float(w.sum())
    if not s > 0 or not np.isfinite(s) or w.min() < 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    return w, s


def _needs_forward(method):
    """``method`` (a loss's backward), whose AttributeError for a missing ``_``-named
    attribute of its loss (a cache forward sets) says to call forward first; the traceback
    still ends at the line that read it. Free when nothing is raised. (A node's backward
    checks its cache beforehand instead, layers.needs_forward, and raises RuntimeError.)"""
    @functools.wraps(method)
    def checked(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except AttributeError as exc:
            name = getattr(exc, "name", None) or ""
            if getattr(exc, "obj", None) is self and name.startswith("_"):
                raise AttributeError(
                    f"{type(self).__name__} has no forward cache ({name}): call "
                    f"forward(y_pred, y_true) before backward() (or is {name} misspelt?)"
                ).with_traceback(exc.__traceback__) from None
            raise
    return checked


def checked_cost(loss, cost):
    """``cost``, what ``loss.forward`` returned, when it is one number (a Python or NumPy
    real, or a 0-d array); otherwise a ValueError naming the loss, in place of NumPy's error
    where the cost is first used as a float (an array of per-example losses, a forgotten
    ``return``). fit runs it on its first step only; evaluate, gradcheck and trace on each
    cost they take: a type test, no copy."""
    if isinstance(cost, numbers.Real) and not isinstance(cost, (bool, np.bool_)):
        return cost
    if isinstance(cost, np.ndarray) and cost.ndim == 0 and cost.dtype.kind in "iuf":
        return cost
    if cost is None:
        got, fix = "None", "; did you forget `return cost`?"
    elif isinstance(cost, np.ndarray):
        got = f"an array of shape {cost.shape}" + (f" and dtype {cost.dtype}" if cost.ndim == 0
                                                   else "")
        # one element is reduced already, but float() of it warns (NumPy 1.25+) or fails
        # (2.4+): taking it as one would mean a conversion on each step
        fix = ("" if cost.ndim == 0 else ": return a number, e.g. cost.item(), not a "
               "1-element array" if cost.size == 1 else
               ": reduce the examples' losses to their mean (or the weighted mean, "
               "self._weighted(rows, weights, y_pred.dtype))")
    else:
        got, fix = f"a {type(cost).__name__}", ""
    raise ValueError(f"{type(loss).__name__}.forward must return the cost, a number (got "
                     f"{got}){fix}")


class Loss:
    """Base class. Subclasses implement ``forward`` and ``backward``.

    A subclass supports ``weights`` by computing its per-example losses ℓ (shape (m,), whose
    mean is its unweighted cost) and returning ``self._weighted(rows, weights)`` from
    ``forward``; its ``backward``/``fused_backward`` pass their result through
    ``self._rows_scaled``. The unweighted path does no extra work.
    """

    fuses_with: type | None = None  # activation class this loss can absorb
    _row_scale = None  # m·wᵢ/Σw as a column while the last forward call was weighted

    def __call__(self, y_pred, y_true, weights=None):
        """``forward`` for a loss used on its own (PyTorch's ``loss(y_pred, y_true)``): lists
        become arrays and the predictions are checked as fit checks its inputs (numbers,
        finite, not empty; probabilities in [0, 1] for a cross-entropy on probabilities).
        ``fit`` calls ``forward`` itself, on arrays it has checked once."""
        arr = np.asarray(y_pred) if not isinstance(y_pred, np.ndarray) else y_pred
        y_pred = check_array(arr, name="y_pred", ndim=None,
                             dtype=arr.dtype if arr.dtype.kind == "f" else np.float64)
        if y_pred.ndim == 0:
            raise ValueError(f"{type(self).__name__}: y_pred must hold one prediction per "
                             f"example (an array of shape (m,) or (m, k)), got a scalar")
        if not getattr(self, "from_logits", True) and (y_pred.min() < 0 or y_pred.max() > 1):
            raise ValueError(f"{type(self).__name__}() takes probabilities in [0, 1], got "
                             f"values in [{y_pred.min():.4g}, {y_pred.max():.4g}]: apply the "
                             f"sigmoid/softmax first, or use {type(self).__name__}"
                             f"(from_logits=True)")
        return checked_cost(self, self.forward(y_pred, y_true, weights))

    def __init_subclass__(cls, **kwargs):
        # backward before forward (or after fit dropped the caches) reads a cache the loss
        # does not have: said so, in place of "'MSE' object has no attribute '_d'". (Not a
        # __getattr__: its presence puts every attribute read of a loss on CPython's slow
        # path, on every training step.)
        super().__init_subclass__(**kwargs)
        for name in ("backward", "fused_backward"):
            if isinstance(vars(cls).get(name), types.FunctionType):   # (not a staticmethod)
                setattr(cls, name, _needs_forward(vars(cls)[name]))

    def _clear_caches(self):
        """Drop what the last ``forward`` kept for ``backward`` (its ``_``-named arrays: the
        batch's outputs, targets, row scales); ``fit`` calls it as it returns. Deleted, not
        set to None: a later ``backward`` then says to call ``forward`` first."""
        for k, v in list(vars(self).items()):
            if k.startswith("_") and isinstance(v, np.ndarray):
                delattr(self, k)

    def forward(self, y_pred, y_true, weights=None) -> float:
        raise NotImplementedError(f"{type(self).__name__} must implement forward(y_pred, "
                                  f"y_true, weights=None) -> the cost, a float")

    def _weighted(self, rows, weights, dtype):
        """Σ wᵢ·ℓᵢ / Σ wᵢ from the per-example losses ``rows``; remembers m·wᵢ/Σw (in
        ``dtype``), the factor that turns row i of the unweighted gradient into the weighted
        one."""
        m = rows.shape[0]
        w, s = _row_weights(weights, m)
        self._row_scale = (w * (m / s)).astype(dtype).reshape(m, 1)
        return float(np.dot(rows, w) / s)

    def _rows_scaled(self, g):
        """Row i of ``g`` times m·wᵢ/Σw after a weighted forward call (in place); ``g`` as it
        is otherwise."""
        rs = self._row_scale
        if rs is not None:
            g *= rs if g.ndim == 2 else rs.reshape(-1)
        return g

    def backward(self) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement backward() -> "
                                  f"dCost/dy_pred, an array of y_pred's shape")

    def fused_backward(self) -> np.ndarray:
        """Gradient with respect to the input of the absorbed activation, (ŷ − y)/m."""
        raise NotImplementedError

    def config(self) -> dict:
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class MSE(Loss):
    """Mean squared error.

    ``half=False`` (default, as PyTorch): cost = (1/(m·k)) Σ (ŷ − y)²,  dŷ = 2(ŷ − y)/(m·k).
    ``half=True`` (the seeds' form):      cost = (1/2m) Σ (ŷ − y)²,    dŷ = (ŷ − y)/m.
    """

    def __init__(self, half: bool = False):
        self.half = check_flag(half, "half", "MSE")

    def forward(self, y_pred, y_true, weights=None):
        y = _as_targets(y_true, y_pred, "MSE")
        self._d = y_pred - y
        m = y_pred.shape[0] if y_pred.ndim else 1
        self._scale = 1.0 / m if self.half else 2.0 / self._d.size
        self._row_scale = None
        if weights is not None:  # ℓᵢ = ½Σⱼ dᵢⱼ² (half) or Σⱼ dᵢⱼ²/k
            d = self._d.reshape(m, -1)
            rows = np.einsum("ij,ij->i", d, d)
            return self._weighted(rows, weights, d.dtype) * (0.5 if self.half else 1 / d.shape[1])
        sq = float(np.vdot(self._d, self._d))
        return sq / (2 * m) if self.half else sq / self._d.size

    def backward(self):
        return self._rows_scaled(self._d * self._d.dtype.type(self._scale))

    def config(self):
        return {"half": True} if self.half else {}


class MAE(Loss):
    """Mean absolute error: cost = (1/(m·k)) Σ |ŷ − y|,  dŷ = sign(ŷ − y)/(m·k)."""

    def forward(self, y_pred, y_true, weights=None):
        y = _as_targets(y_true, y_pred, "MAE")
        self._d = y_pred - y
        self._row_scale = None
        if weights is not None:  # ℓᵢ = mean over the row of |dᵢⱼ|
            m = y_pred.shape[0]
            return self._weighted(np.abs(self._d).reshape(m, -1).mean(axis=1), weights,
                                  y_pred.dtype)
        return float(np.abs(self._d).mean())

    def backward(self):
        return self._rows_scaled(np.sign(self._d) * self._d.dtype.type(1.0 / self._d.size))


def loss_clip_eps(loss, dtype) -> float:
    """The bound ``loss`` clips probabilities of ``dtype`` at (its own ``eps``, else
    :func:`clip_eps`'s): what a log-loss metric clips at to equal the loss."""
    return clip_eps(getattr(loss, "eps", None), dtype)


def clip_eps(eps, dtype) -> float:
    """The clipping bound a cross-entropy uses for probabilities of ``dtype``: its own
    ``eps``, or (None) 1e-7 for float32 and 1e-12 for float64."""
    return eps if eps is not None else (1e-7 if dtype == np.float32 else 1e-12)


def _check_eps(eps, owner):
    """A probability clipping bound: None (by dtype), or a number in (0, 0.5), so that
    [eps, 1 − eps] holds probabilities and log(eps) is finite (a model file refuses others)."""
    if eps is None:
        return None
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps < 0.5:
        raise ValueError(f"{owner} eps must be None or a number in (0, 0.5), the clipping "
                         f"bound of probabilities, got {eps!r}")
    return float(eps)


class Huber(Loss):
    """Huber loss: ½d² where |d| ≤ δ, else δ(|d| − ½δ), averaged over all entries.

    dŷ = clip(d, −δ, δ)/(m·k)."""

    def __init__(self, delta: float = 1.0):
        if isinstance(delta, bool) or not isinstance(delta, numbers.Real) \
                or not math.isfinite(delta) or not delta > 0:
            raise ValueError(f"Huber delta must be a finite number > 0, got {delta!r}")
        self.delta = float(delta)

    def forward(self, y_pred, y_true, weights=None):
        y = _as_targets(y_true, y_pred, "Huber")
        d = self._d = y_pred - y
        # With c = clip(d, −δ, δ): ½c² + δ(|d| − |c|) is ½d² inside and δ(|d| − ½δ) outside,
        # and never squares a large d (which would overflow where the loss itself is finite).
        c = np.clip(d, -self.delta, self.delta)
        a = np.abs(d)
        a -= np.abs(c)
        a *= d.dtype.type(self.delta)
        a += 0.5 * c * c
        self._row_scale = None
        if weights is not None:  # ℓᵢ = mean over the row
            return self._weighted(a.reshape(d.shape[0], -1).mean(axis=1), weights, d.dtype)
        return float(a.mean())

    def backward(self):
        d = self._d
        return self._rows_scaled(np.clip(d, -self.delta, self.delta) * d.dtype.type(1.0 / d.size))

    def config(self):
        return {"delta": self.delta}


class BinaryCrossEntropy(Loss):
    """Log loss for 0/1 targets, averaged over all entries.

    On probabilities p (``from_logits=False``): cost = −mean(y·log p + (1−y)·log(1−p)), p
    clipped to [eps, 1−eps];  dp = (p − y) / (p(1 − p)) / (m·k).
    On logits z (``from_logits=True``, sigmoid fused): cost = mean(max(z,0) − z·y + log(1+e^{−|z|}));
    dz = (sigmoid(z) − y)/(m·k).

    ``sum_outputs=True`` sums each example's k terms instead of averaging them (cost = the
    above times k, gradients too): the multi-label loss of scikit-learn's MLPClassifier.

    ``eps`` (default None) is the clipping bound on probabilities: None picks 1e-7 for
    float32 predictions and 1e-12 for float64 ones (a float; unused with ``from_logits``).
    The clip keeps the logs finite (Keras's rule; PyTorch caps each log at −100 instead, so
    a wrong p of exactly 0 or 1 costs 100 there, about −log(eps) here: 16.1 for a float32 p
    of 0, 15.9 for one of 1, as 1 − 1e-7 rounds to 1 − 2⁻²³). dp is the unclipped cost's
    derivative at the clipped p: a right p of exactly 0 or 1 gets ±1/(m·k), where the clipped
    cost is flat (``gradcheck`` reads BAD there) and PyTorch gives 0. A model whose last node
    is a Sigmoid never meets this: its gradient is the fused dz.
    """

    fuses_with = Sigmoid

    def __init__(self, from_logits: bool = False, eps: float | None = None,
                 sum_outputs: bool = False):
        self.from_logits = check_flag(from_logits, "from_logits", "BinaryCrossEntropy")
        self.eps = _check_eps(eps, "BinaryCrossEntropy")
        self.sum_outputs = check_flag(sum_outputs, "sum_outputs", "BinaryCrossEntropy")

    def forward(self, y_pred, y_true, weights=None):
        y = _as_targets(y_true, y_pred, "BinaryCrossEntropy")
        self._y = y
        m = y_pred.shape[0] if y_pred.ndim else 1
        n = self._n = m if self.sum_outputs else y_pred.size
        if self.from_logits:
            z = y_pred
            self._p = self._yhat = _sigmoid(z)
            terms = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        else:
            eps = clip_eps(self.eps, y_pred.dtype)
            p = self._p = np.clip(y_pred, eps, 1 - eps)  # for the logs and dp's division
            self._yhat = y_pred   # the fused dz = (ŷ − y)/n takes ŷ unclipped: a sigmoid
            terms = -(y * np.log(p) + (1 - y) * np.log1p(-p))  # saturated right has dz = 0
        self._row_scale = None
        if weights is not None:  # ℓᵢ = Σⱼ termsᵢⱼ·(m/n): the row's mean, or sum
            return self._weighted(terms.reshape(m, -1).sum(axis=1), weights, y_pred.dtype) \
                * (m / n)
        return float(terms.sum() / n)

    def backward(self):
        inv_n = self._p.dtype.type(1.0 / self._n)
        if self.from_logits:
            return self._rows_scaled((self._p - self._y) * inv_n)
        p = self._p
        return self._rows_scaled((p - self._y) / (p * (1 - p)) * inv_n)

    def fused_backward(self):
        """dz = (ŷ − y)/(m·k), the sigmoid's input gradient in one step (ŷ not clipped)."""
        return self._rows_scaled((self._yhat - self._y) * self._p.dtype.type(1.0 / self._n))

    def config(self):
        cfg = {"from_logits": True} if self.from_logits else {}
        if self.sum_outputs:
            cfg["sum_outputs"] = True
        return cfg


def _class_targets(y_true, y_pred, name, soft=True, labels=False):
    """Integer labels (m,) or one-hot (m, k) -> one-hot (m, k) of y_pred's dtype.

    With ``soft``, rows of class probabilities (non-negative, summing to 1) are accepted too.
    With ``labels``, integer labels are returned as they are (validated, shape (m,)) instead
    of being expanded into a one-hot array."""
    y = np.asarray(y_true)
    m, k = y_pred.shape
    if y.ndim == 2 and y.shape == (m, k) and k > 1:
        if y.dtype.kind not in "biuf":
            raise TypeError(f"{name}: one-hot targets must be numeric, got dtype {y.dtype}")
        yf = y.astype(y_pred.dtype, copy=False)
        sums = yf.sum(axis=1)
        ok = np.all(yf >= 0) and np.allclose(sums, 1, atol=1e-4)
        if ok and not soft:
            ok = np.all((yf == 0) | (yf == 1))
        if not ok:
            what = "one-hot rows (a single 1 per row)" if not soft else \
                "one-hot rows or class probabilities summing to 1"
            raise ValueError(f"{name}: 2-D targets must be {what}; for several independent "
                             f"0/1 outputs use BinaryCrossEntropy")
        return yf
    if y.ndim == 2 and y.shape == (m, 1):
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != m:
        raise ValueError(f"{name}: y_true must be integer labels of shape ({m},) or one-hot of "
                         f"shape ({m}, {k}), got shape {y.shape}")
    if y.dtype.kind == "f":
        if not np.all(y == np.round(y)):
            raise ValueError(f"{name}: integer class labels expected, got fractional values")
        y = y.astype(np.int64)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name}: class labels must be integers, got dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"{name}: labels must be in 0..{k - 1} for {k} outputs, found "
                         f"{int(y.min())}..{int(y.max())}")
    if labels:
        return y
    onehot = np.zeros((m, k), dtype=y_pred.dtype)
    onehot[np.arange(m), y] = 1
    return onehot


class CategoricalCrossEntropy(Loss):
    """Cross-entropy for one of k classes; labels as integers (m,) or one-hot (m, k).

    On probabilities p (``from_logits=False``): cost = −(1/m) Σ y·log p (p clipped);  dp = −y/p/m.
    On logits z (``from_logits=True``, softmax fused): cost = (1/m) Σ (logsumexp(z) − z_y);
    dz = (softmax(z) − y)/m.

    Integer labels are never expanded into a one-hot array: y has a single 1 per row, so
    Σ y·log p picks log p[i, label_i], and subtracting y means subtracting 1 at [i, label_i].

    ``eps`` (default None) is the lower clipping bound of p: None picks 1e-7 for float32
    predictions and 1e-12 for float64 ones (a float; unused with ``from_logits``).
    """

    fuses_with = Softmax

    def __init__(self, from_logits: bool = False, eps: float | None = None):
        self.from_logits = check_flag(from_logits, "from_logits", "CategoricalCrossEntropy")
        self.eps = _check_eps(eps, "CategoricalCrossEntropy")

    def forward(self, y_pred, y_true, weights=None):
        if y_pred.ndim != 2:
            raise ValueError(f"CategoricalCrossEntropy: y_pred must be 2-D (m, k), got shape "
                             f"{y_pred.shape}")
        y = _class_targets(y_true, y_pred, "CategoricalCrossEntropy", labels=True)
        m = self._m = y_pred.shape[0]
        # integer labels (m,) are kept as they are; one-hot or soft targets (m, k) as arrays
        self._labels, self._y = (y, None) if y.ndim == 1 else (None, y)
        rows = np.arange(m)
        self._row_scale = None
        if self.from_logits:
            z = y_pred - row_max(y_pred)
            p = np.exp(z)
            s = row_sum(p)
            p /= s
            self._p = p
            if weights is not None:            # ℓᵢ = log sᵢ − Σⱼ yᵢⱼ zᵢⱼ
                per = np.log(s[:, 0]) - (z[rows, y] if self._labels is not None
                                         else (y * z).sum(axis=1))
                return self._weighted(per, weights, y_pred.dtype)
            if self._labels is not None:       # −log p_y = log s − z_y
                return float(np.log(s).sum() - z[rows, y].sum()) / m
            logp = z - np.log(s)
            return float(-(y * logp).sum() / m)
        eps = clip_eps(self.eps, y_pred.dtype)
        p = np.clip(y_pred, eps, 1.0)
        self._p = y_pred
        self._pc = p
        if weights is not None:                # ℓᵢ = −Σⱼ yᵢⱼ log pᵢⱼ
            per = -(np.log(p[rows, y]) if self._labels is not None
                    else (y * np.log(p)).sum(axis=1))
            return self._weighted(per, weights, y_pred.dtype)
        if self._labels is not None:                 # + 0.0: a perfect fit is 0.0, not -0.0
            return float(-np.log(p[rows, y]).sum() / m) + 0.0
        return float(-(y * np.log(p)).sum() / m) + 0.0

    def backward(self):
        if self.from_logits:
            return self.fused_backward()
        inv_m = self._p.dtype.type(1.0 / self._m)
        if self._labels is not None:           # −y/p/m is zero except at the labels
            g = np.zeros_like(self._p)
            rows = np.arange(self._m)
            g[rows, self._labels] = -inv_m / self._pc[rows, self._labels]
            return self._rows_scaled(g)
        return self._rows_scaled(-self._y / self._pc * inv_m)

    def fused_backward(self):
        """dz = (ŷ − y)/m, the softmax's input gradient in one step."""
        inv_m = self._p.dtype.type(1.0 / self._m)
        if self._labels is not None:           # ŷ/m, then −1/m at each row's label
            g = self._p * inv_m
            g[np.arange(self._m), self._labels] -= inv_m
            return self._rows_scaled(g)
        return self._rows_scaled((self._p - self._y) * inv_m)

    def config(self):
        return {"from_logits": True} if self.from_logits else {}


class Hinge(Loss):
    """Hinge (margin) loss on raw scores.

    One output: targets in {−1, +1} (or {0, 1}, mapped to ±1);
    cost = mean(max(0, 1 − y·f)),  df = −y·[y·f < 1]/m.
    k > 1 outputs with integer labels (multi-class, as torch's MultiMarginLoss):
    cost = (1/m) Σ_i Σ_{j≠y_i} max(0, 1 − f_{y_i} + f_j) / k.

    ``labels`` (one output): the two labels the targets use, ``(0, 1)`` or ``(-1, 1)``; ``fit``
    sets it from its targets (and model files keep it), so ``predict_classes`` answers in the
    targets' own convention (−1/+1 after training on −1/+1). Metrics compare the sign of
    the output with the targets mapped to 0/1 as ``forward`` maps them (−1 → 0), which gives
    scikit-learn's values on the ±1 labels (class +1 positive). None: 0/1.
    """

    def __init__(self, labels=None):
        if labels is not None:
            labels = tuple(int(v) for v in labels)
            if labels not in ((0, 1), (-1, 1)):
                raise ValueError(f"Hinge labels must be (0, 1) or (-1, 1), got {labels!r}")
        self.labels = labels

    def config(self):
        return {"labels": list(self.labels)} if self.labels == (-1, 1) else {}

    def forward(self, y_pred, y_true, weights=None):
        self._row_scale = None
        if y_pred.ndim == 2 and y_pred.shape[1] > 1:
            self._multi = True
            y = _class_targets(y_true, y_pred, "Hinge", soft=False).astype(bool)
            m, k = y_pred.shape
            fy = y_pred[y][:, None]
            margins = 1 - fy + y_pred
            margins[y] = 0
            self._active = (margins > 0).astype(y_pred.dtype)
            self._ybool, self._scale = y, 1.0 / (m * k)
            if weights is not None:  # ℓᵢ = Σⱼ max(0, marginᵢⱼ)/k
                return self._weighted(np.maximum(margins, 0).sum(axis=1) / k, weights,
                                      y_pred.dtype)
            return float(np.maximum(margins, 0).sum() * self._scale)
        self._multi = False
        y = _as_targets(y_true, y_pred, "Hinge")
        vals = np.unique(y)
        if np.all(np.isin(vals, (0, 1))):
            y = 2 * y - 1
        elif not np.all(np.isin(vals, (-1, 1))):
            raise ValueError(f"Hinge: binary targets must be -1/+1 or 0/1, got values {vals[:5]}")
        self._y = y
        margin = 1 - y * y_pred
        self._active = (margin > 0).astype(y_pred.dtype)
        self._scale = 1.0 / y_pred.size
        if weights is not None:  # ℓᵢ = mean over the row of max(0, marginᵢⱼ)
            m = y_pred.shape[0]
            return self._weighted(np.maximum(margin, 0).reshape(m, -1).mean(axis=1), weights,
                                  y_pred.dtype)
        return float(np.maximum(margin, 0).sum() * self._scale)

    def backward(self):
        s = self._active.dtype.type(self._scale)
        if self._multi:
            g = self._active.copy()
            g[self._ybool] = -self._active.sum(axis=1)
            return self._rows_scaled(g * s)
        return self._rows_scaled(-self._y * self._active * s)


LOSSES = {
    "mse": MSE, "mean_squared_error": MSE, "mae": MAE, "mean_absolute_error": MAE,
    "huber": Huber, "bce": BinaryCrossEntropy, "binary_crossentropy": BinaryCrossEntropy,
    "binary_cross_entropy": BinaryCrossEntropy, "log_loss": BinaryCrossEntropy,
    "cce": CategoricalCrossEntropy, "categorical_crossentropy": CategoricalCrossEntropy,
    "categorical_cross_entropy": CategoricalCrossEntropy,
    "cross_entropy": CategoricalCrossEntropy, "hinge": Hinge,
    # Keras's name for integer labels, which CategoricalCrossEntropy takes as they are
    "sparse_categorical_crossentropy": CategoricalCrossEntropy,
}


def get(loss) -> Loss:
    """A loss from an instance, a class or a name ("mse", "bce", "cce", ...).

    The names ``"bce_logits"`` and ``"cce_logits"`` give the fused forms.
    """
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, type) and issubclass(loss, Loss):
        return loss()
    if isinstance(loss, str):
        key = loss.lower().replace("-", "_")
        base = LOSSES.get(key[:-7]) if key.endswith("_logits") else None
        if base is not None and base.fuses_with is not None:  # the losses with from_logits
            return base(from_logits=True)
        if key in LOSSES:
            return LOSSES[key]()
    raise ValueError(f"unknown loss {loss!r}; choose one of: " + ", ".join(sorted(LOSSES))
                     + ", bce_logits, cce_logits, or pass a Loss instance")
