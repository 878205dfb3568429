"""Optimizers and learning-rate schedules: how the gradients become a step.

After ``backward`` every layer holds dCost/dw in ``grads``; an optimizer's ``step`` turns those
gradients into a change of the weights, **in place**:

    w ← w − η · (direction computed from the gradient and the optimizer's memory)

Every optimizer here follows ``torch.optim`` formula for formula (same placement of ε, same bias
correction, same weight decay), so a glassnet model and a PyTorch model started from the same
weights take the same steps.

The contract (the fit loop, the tracer and callbacks rely on it):

* ``step(params)``: ``params`` is ``Sequential.parameters()``, a list of
  ``(layer, name, array, grad)``; each ``array`` is updated in place, ``grad`` is only read.
* ``lr`` is a plain float attribute; schedules and callbacks change it between steps.
* Per-parameter memory (momentum, running averages) lives in ``state``, a dict keyed by
  ``(id(layer), name)``, allocated at the parameter's first step with its shape and dtype
  (float32 stays float32). Scratch buffers live there too, so a step in the steady state
  allocates no new arrays: every operation writes into an existing buffer (``out=``).
* ``reset()`` forgets that memory; ``config()`` gives the constructor arguments.

**L2 regularization** is the ``weight_decay`` argument λ. For SGD, RMSProp, Adagrad and Adam it
adds the gradient of the penalty (λ/2)·‖w‖², that is λ·w, to every gradient (so the penalty
is not part of the reported loss). AdamW instead *decouples* it: w ← w·(1 − η·λ) before the
Adam step.

Learning-rate schedules (:class:`StepLR`, :class:`ExponentialLR`, :class:`CosineAnnealingLR`)
are pure functions ``lr_at(epoch, base_lr)``; :class:`ReduceLROnPlateau` is a callback that
watches a metric and lowers ``model.optimizer.lr`` when it stops improving.
"""
from __future__ import annotations

import inspect
import math
import numbers

import numpy as np

from ._validate import _short, check_flag
from .callbacks import Callback, _maximizes

__all__ = [
    "Optimizer", "SGD", "RMSProp", "Adagrad", "Adam", "AdamW", "get",
    "LRSchedule", "StepLR", "ExponentialLR", "CosineAnnealingLR", "ReduceLROnPlateau",
]


# -- validation (at construction only; the step trusts what was checked) ------------------------
def _real(value, name, owner) -> float:
    if isinstance(value, (list, tuple)) or inspect.isgenerator(value):   # PyTorch's habit
        raise TypeError(f"{owner}: {name} must be a number; glassnet optimizers take no "
                        f"parameters (Adam(model.parameters()) is PyTorch's form): make "
                        f"{owner}(lr=...) and pass it to fit(..., optimizer=...)")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{owner}: {name} must be finite, got {value}")
    return value


def _positive(value, name, owner) -> float:
    v = _real(value, name, owner)
    if v <= 0:
        raise ValueError(f"{owner}: {name} must be > 0, got {value!r}")
    return v


def _non_negative(value, name, owner) -> float:
    v = _real(value, name, owner)
    if v < 0:
        raise ValueError(f"{owner}: {name} must be >= 0, got {value!r}")
    return v


def _unit(value, name, owner, high_inclusive=False) -> float:
    """A number in [0, 1) (or [0, 1])."""
    v = _real(value, name, owner)
    if v < 0 or v > 1 or (v == 1 and not high_inclusive):
        bracket = "]" if high_inclusive else ")"
        raise ValueError(f"{owner}: {name} must be in [0, 1{bracket}, got {value!r}")
    return v


def _int(value, name, owner, minimum) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{owner}: {name} must be >= {minimum}, got {value!r}")
    return int(value)


# -- optimizers ----------------------------------------------------------------------------------
def _checked_params(params, owner):
    """``params`` as a list of (layer, name, weights, gradient) tuples, or a TypeError that
    says what step takes (PyTorch's optimizers hold their parameters; glassnet's are given
    them at each step)."""
    try:
        out = [(layer, name, p, g) for layer, name, p, g in params]
        if not all(isinstance(p, np.ndarray) and isinstance(name, str) for _, name, p, _ in out):
            raise TypeError
    except (TypeError, ValueError):
        raise TypeError(f"{owner}.step takes model.parameters() (or "
                        f"model.trainable_parameters()): (layer, name, weights, gradient) "
                        f"tuples, got {_short(params, 60)}") from None
    return out


class Optimizer:
    """Base class. Subclasses list their per-parameter buffers in ``_init_state`` and write the
    update rule in ``_update(p, g, st, lr)`` using only in-place operations.

    Attributes
    ----------
    lr : float
        The learning rate η of the next step (schedules and callbacks may change it).
    state : dict
        ``(id(layer), name) -> dict`` of per-parameter buffers (and a step count where the
        rule needs one). Each entry also holds its layer (``"_layer"``): it is never applied
        to another layer under the same key (a layer given the ``id`` of one that died before
        it, a copied or re-keyed state), and ``fit`` drops the entries of layers that are not
        in the model it trains, freeing them (an optimizer keeps the memory of one model, as a
        PyTorch optimizer is bound to its parameters).
    """

    def __init__(self, lr: float = 0.01):
        # 0 is taken, as torch.optim takes it (a frozen run; a schedule's end): no rule
        # divides by lr
        self.lr = _non_negative(lr, "lr", type(self).__name__)
        self.state: dict = {}

    # -- the contract ---------------------------------------------------------------------------
    def step(self, params) -> None:
        """Update every array of ``params`` (``Sequential.parameters()``) in place from its
        gradient. Gradients are only read."""
        lr = float(self.lr)  # a Python float keeps float32 arithmetic in float32
        state = self.state
        if type(params) is not list or (params and (type(params[0]) is not tuple
                                                    or len(params[0]) != 4)):
            params = _checked_params(params, type(self).__name__)  # (fit's list: 3 checks)
        for layer, name, p, g in params:
            key = (id(layer), name)
            st = state.get(key)
            if st is None or st.get("_layer", layer) is not layer or st["_shape"] != p.shape \
                    or st["_dtype"] != p.dtype:
                st = state[key] = self._new_state(p, layer)
            self._update(p, g, st, lr)

    def reset(self) -> None:
        """Forget all per-parameter memory (momentum, running averages, step counts)."""
        self.state.clear()

    def _keep_only(self, layers) -> None:
        """Drop the memory of parameters whose layer is not one of ``layers`` (fit calls it
        with its model's layers: the memory of a model trained before, or of a dead one)."""
        mine = {id(layer): layer for layer in layers}
        # (an entry without "_layer" was pickled by an older glassnet: kept, keyed as it is)
        self.state = {k: st for k, st in self.state.items()
                      if isinstance(k, tuple) and k and k[0] in mine and isinstance(st, dict)
                      and st.get("_layer", mine[k[0]]) is mine[k[0]]}

    def __setstate__(self, state):
        """A copy (``copy.deepcopy``) or an unpickled optimizer holds copies of its layers,
        whose ``id`` differs from the key they were stored under: each entry is keyed again
        by the layer it holds, so a copied model continues with its optimizer's memory."""
        self.__dict__.update(state)
        self.state = {(id(st["_layer"]), k[-1])
                      if isinstance(k, tuple) and isinstance(st, dict) and "_layer" in st
                      else k: st for k, st in self.state.items()}

    def config(self) -> dict:
        """Constructor arguments (with the current ``lr``), for saving and ``repr``."""
        return {"lr": self.lr}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"

    # -- for subclasses ---------------------------------------------------------------------------
    def _new_state(self, p, layer) -> dict:
        st = self._init_state(p)
        st["_layer"] = layer
        st["_shape"] = p.shape
        st["_dtype"] = p.dtype
        return st

    def _init_state(self, p) -> dict:
        return {"tmp": np.empty_like(p)}

    def _update(self, p, g, st, lr) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update(p, g, st, lr): "
                                  f"the step of one parameter array p from its gradient g, in "
                                  f"place (p -= ...), with st the buffers its _init_state(p) "
                                  f"returned")


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and Nesterov momentum.

    g ← ∇w + λ·w;   with momentum μ: v ← μ·v + (1 − τ)·g (v = g at the first step),
    then d = g + μ·v (Nesterov) or d = v;   w ← w − η·d   (plain SGD: w ← w − η·g).

    Parameters
    ----------
    lr : float
        Learning rate η ≥ 0; 0.01 by default, as Keras's SGD (``torch.optim.SGD``'s default
        is 0.001: pass ``lr`` to compare them).
    momentum : float
        μ in [0, 1); 0 is plain SGD.
    nesterov : bool
        Nesterov momentum (needs momentum > 0 and dampening = 0).
    weight_decay : float
        λ ≥ 0: L2 regularization, added to the gradient as the penalty's gradient λ·w.
    dampening : float
        τ in [0, 1]: scales the new gradient's share of the velocity.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0, dampening: float = 0.0):
        super().__init__(lr)
        owner = "SGD"
        self.momentum = _unit(momentum, "momentum", owner)
        self.nesterov = check_flag(nesterov, "nesterov", owner)
        self.weight_decay = _non_negative(weight_decay, "weight_decay", owner)
        self.dampening = _unit(dampening, "dampening", owner, high_inclusive=True)
        if self.nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0 "
                             f"(got momentum={momentum!r}, dampening={dampening!r})")

    def config(self):
        return {"lr": self.lr, "momentum": self.momentum, "nesterov": self.nesterov,
                "weight_decay": self.weight_decay, "dampening": self.dampening}

    def _init_state(self, p):
        st = {"tmp": np.empty_like(p), "momentum_buffer": None}
        if self.nesterov and self.weight_decay:
            st["tmp2"] = np.empty_like(p)
        return st

    def _update(self, p, g, st, lr):
        t = st["tmp"]
        wd, mu = self.weight_decay, self.momentum
        if wd:                                   # g ← ∇w + λ·w (into the scratch buffer)
            np.multiply(p, wd, out=t)
            t += g
            d = t
        else:
            d = g
        if mu == 0:                              # w ← w − η·g
            np.multiply(d, lr, out=t)
            p -= t
            return
        v = st["momentum_buffer"]
        if v is None:                            # first step: v = g
            v = st["momentum_buffer"] = d.copy()
        else:                                    # v ← μ·v + (1 − τ)·g
            v *= mu
            if self.dampening:
                np.multiply(d, 1.0 - self.dampening, out=t)
                v += t
            else:
                v += d
        if self.nesterov:                        # w ← w − η·(g + μ·v)
            u = st["tmp2"] if d is t else t
            np.multiply(v, mu, out=u)
            u += d
            u *= lr
            p -= u
        else:                                    # w ← w − η·v
            np.multiply(v, lr, out=t)
            p -= t


class RMSProp(Optimizer):
    """RMSProp: divide the gradient by a running root-mean-square of recent gradients.

    g ← ∇w + λ·w;   s ← α·s + (1 − α)·g²;   (centered: ḡ ← α·ḡ + (1 − α)·g, s̃ = s − ḡ²)
    w ← w − η · g / (√s̃ + ε)   (with momentum μ: b ← μ·b + g/(√s̃ + ε), w ← w − η·b).

    Parameters
    ----------
    lr : float
        Learning rate η ≥ 0.
    alpha : float
        Smoothing constant α in [0, 1).
    eps : float
        ε ≥ 0, added to the root mean square (outside the square root), as in PyTorch.
    momentum : float
        μ in [0, 1).
    centered : bool
        Normalize by an estimate of the gradient's variance instead of its second moment.
    weight_decay : float
        λ ≥ 0: L2 regularization, adds λ·w to the gradient.
    """

    def __init__(self, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 momentum: float = 0, centered: bool = False, weight_decay: float = 0):
        super().__init__(lr)
        owner = "RMSProp"
        self.alpha = _unit(alpha, "alpha", owner)
        self.eps = _non_negative(eps, "eps", owner)
        self.momentum = _unit(momentum, "momentum", owner)
        self.centered = check_flag(centered, "centered", owner)
        self.weight_decay = _non_negative(weight_decay, "weight_decay", owner)

    def config(self):
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps, "momentum": self.momentum,
                "centered": self.centered, "weight_decay": self.weight_decay}

    def _init_state(self, p):
        st = {"square_avg": np.zeros_like(p), "tmp": np.empty_like(p)}
        if self.weight_decay:
            st["tmp2"] = np.empty_like(p)
        if self.centered:
            st["grad_avg"] = np.zeros_like(p)
        if self.momentum > 0:
            st["momentum_buffer"] = np.zeros_like(p)
        return st

    def _update(self, p, g, st, lr):
        t = st["tmp"]
        a = self.alpha
        if self.weight_decay:                    # g ← ∇w + λ·w
            d = st["tmp2"]
            np.multiply(p, self.weight_decay, out=d)
            d += g
        else:
            d = g
        s = st["square_avg"]                     # s ← α·s + (1 − α)·g²
        s *= a
        np.multiply(d, d, out=t)
        t *= 1.0 - a
        s += t
        if self.centered:                        # ḡ ← ḡ + (1 − α)·(g − ḡ);  √(s − ḡ²)
            ga = st["grad_avg"]
            np.subtract(d, ga, out=t)
            t *= 1.0 - a
            ga += t
            np.multiply(ga, ga, out=t)
            np.subtract(s, t, out=t)
            np.sqrt(t, out=t)
        else:
            np.sqrt(s, out=t)
        t += self.eps                            # t = √s + ε
        np.divide(d, t, out=t)                   # t = g / (√s + ε)
        if self.momentum > 0:
            b = st["momentum_buffer"]
            b *= self.momentum
            b += t
            np.multiply(b, lr, out=t)
        else:
            t *= lr
        p -= t


class Adagrad(Optimizer):
    """Adagrad: each weight's step shrinks with the sum of its squared gradients.

    g ← ∇w + λ·w;   S ← S + g²;   w ← w − η · g / (√S + ε).

    Parameters
    ----------
    lr : float
        Learning rate η ≥ 0.
    eps : float
        ε ≥ 0, added outside the square root.
    initial_accumulator_value : float
        S at the start (≥ 0).
    weight_decay : float
        λ ≥ 0: L2 regularization, adds λ·w to the gradient.
    """

    def __init__(self, lr: float = 0.01, eps: float = 1e-10,
                 initial_accumulator_value: float = 0, weight_decay: float = 0):
        super().__init__(lr)
        owner = "Adagrad"
        self.eps = _non_negative(eps, "eps", owner)
        self.initial_accumulator_value = _non_negative(
            initial_accumulator_value, "initial_accumulator_value", owner)
        self.weight_decay = _non_negative(weight_decay, "weight_decay", owner)

    def config(self):
        return {"lr": self.lr, "eps": self.eps,
                "initial_accumulator_value": self.initial_accumulator_value,
                "weight_decay": self.weight_decay}

    def _init_state(self, p):
        st = {"sum": np.full_like(p, self.initial_accumulator_value), "tmp": np.empty_like(p)}
        if self.weight_decay:
            st["tmp2"] = np.empty_like(p)
        return st

    def _update(self, p, g, st, lr):
        t = st["tmp"]
        if self.weight_decay:
            d = st["tmp2"]
            np.multiply(p, self.weight_decay, out=d)
            d += g
        else:
            d = g
        S = st["sum"]                            # S ← S + g²
        np.multiply(d, d, out=t)
        S += t
        np.sqrt(S, out=t)                        # w ← w − η·g/(√S + ε)
        t += self.eps
        np.divide(d, t, out=t)
        t *= lr
        p -= t


class Adam(Optimizer):
    """Adam: momentum on the gradient and RMS scaling, both bias-corrected.

    g ← ∇w + λ·w;   m ← β₁·m + (1 − β₁)·g;   v ← β₂·v + (1 − β₂)·g²   (step k = 1, 2, ...)
    w ← w − η/(1 − β₁ᵏ) · m / (√v / √(1 − β₂ᵏ) + ε)   (amsgrad: v replaced by max over steps of v).

    Parameters
    ----------
    lr : float
        Learning rate η ≥ 0.
    betas : (float, float)
        Decay rates (β₁, β₂), each in [0, 1).
    eps : float
        ε ≥ 0, added to the bias-corrected root (outside the square root), as in PyTorch.
    weight_decay : float
        λ ≥ 0: L2 regularization coupled as in ``torch.optim.Adam``, adding λ·w to the
        gradient (so it is rescaled by the adaptive denominator; see :class:`AdamW`).
    amsgrad : bool
        Use the running maximum of v (the AMSGrad variant).
    """

    _decoupled = False

    def __init__(self, lr: float = 0.001, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False):
        super().__init__(lr)
        owner = type(self).__name__
        try:
            b1, b2 = betas
        except (TypeError, ValueError):
            raise TypeError(f"{owner}: betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.betas = (_unit(b1, "betas[0]", owner), _unit(b2, "betas[1]", owner))
        self.eps = _non_negative(eps, "eps", owner)
        self.weight_decay = _non_negative(weight_decay, "weight_decay", owner)
        self.amsgrad = check_flag(amsgrad, "amsgrad", owner)

    def config(self):
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps,
                "weight_decay": self.weight_decay, "amsgrad": self.amsgrad}

    def _init_state(self, p):
        st = {"step": 0, "exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p),
              "tmp": np.empty_like(p)}
        if self.weight_decay and not self._decoupled:
            st["tmp2"] = np.empty_like(p)
        if self.amsgrad:
            st["max_exp_avg_sq"] = np.zeros_like(p)
        return st

    def _update(self, p, g, st, lr):
        st["step"] = k = st["step"] + 1
        b1, b2 = self.betas
        t = st["tmp"]
        wd = self.weight_decay
        d = g
        if wd:
            if self._decoupled:                  # AdamW: w ← w·(1 − η·λ)
                p *= 1.0 - lr * wd
            else:                                # Adam: g ← ∇w + λ·w
                d = st["tmp2"]
                np.multiply(p, wd, out=d)
                d += g
        m, v = st["exp_avg"], st["exp_avg_sq"]
        np.subtract(d, m, out=t)                 # m ← m + (1 − β₁)·(g − m)
        t *= 1.0 - b1
        m += t
        v *= b2                                  # v ← β₂·v + (1 − β₂)·g²
        np.multiply(d, d, out=t)
        t *= 1.0 - b2
        v += t
        if self.amsgrad:
            vmax = st["max_exp_avg_sq"]
            np.maximum(vmax, v, out=vmax)
            v = vmax
        step_size = lr / (1.0 - b1 ** k)
        bc2_sqrt = (1.0 - b2 ** k) ** 0.5
        np.sqrt(v, out=t)                        # t = √v / √(1 − β₂ᵏ) + ε
        t /= bc2_sqrt
        t += self.eps
        np.divide(m, t, out=t)                   # w ← w − η/(1 − β₁ᵏ) · m / t
        t *= step_size
        p -= t


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay (Loshchilov & Hutter).

    w ← w·(1 − η·λ);   then the Adam step on the plain gradient:
    m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;  w ← w − η/(1 − β₁ᵏ) · m / (√v/√(1 − β₂ᵏ) + ε).

    Parameters are those of :class:`Adam`; ``weight_decay`` (default 0.01) shrinks the weights
    directly instead of entering the gradient.
    """

    _decoupled = True

    def __init__(self, lr: float = 0.001, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01, amsgrad: bool = False):
        super().__init__(lr, betas, eps, weight_decay, amsgrad)


_OPTIMIZERS = {
    "sgd": (SGD, {}),
    "momentum": (SGD, {"momentum": 0.9}),
    "nesterov": (SGD, {"momentum": 0.9, "nesterov": True}),
    "rmsprop": (RMSProp, {}),
    "adagrad": (Adagrad, {}),
    "adam": (Adam, {}),
    "adamw": (AdamW, {}),
}


def get(optimizer="sgd", **kwargs) -> Optimizer:
    """An optimizer from a name, a class or an instance (passed through unchanged).

    Names (case-insensitive): "sgd", "momentum" (SGD with momentum=0.9), "nesterov" (SGD with
    Nesterov momentum 0.9), "rmsprop", "adagrad", "adam", "adamw". Keyword arguments go to the
    constructor, e.g. ``get("adam", lr=3e-4)``.
    """
    if isinstance(optimizer, Optimizer):
        if not isinstance(getattr(optimizer, "state", None), dict):
            # Optimizer.__init__ never ran (as a Layer's, checked where a model is made):
            # said now, not as an AttributeError inside fit
            raise TypeError(f"{type(optimizer).__name__} is not set up as an Optimizer: its "
                            f"__init__ must call super().__init__(lr) first")
        if kwargs:
            raise ValueError(f"optimizer {optimizer!r} is already built; pass its arguments "
                             f"to its constructor, not to get() ({sorted(kwargs)})")
        return optimizer
    if isinstance(optimizer, type) and issubclass(optimizer, Optimizer):
        return optimizer(**kwargs)
    if isinstance(optimizer, str):
        entry = _OPTIMIZERS.get(optimizer.strip().lower())
        if entry is None:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose one of: "
                             + ", ".join(_OPTIMIZERS))
        cls, defaults = entry
        return cls(**{**defaults, **kwargs})
    raise TypeError(f"optimizer must be a name ({', '.join(_OPTIMIZERS)}) or an Optimizer, "
                    f"got {type(optimizer).__name__}")


# -- learning-rate schedules --------------------------------------------------------------------
class LRSchedule:
    """A learning rate as a pure function of the epoch (counted from 0): ``lr_at(epoch, base_lr)``.

    :class:`glassnet.train.LearningRateScheduler` (a callback of ``fit``; the loop itself never
    changes the rate) sets ``optimizer.lr = schedule.lr_at(epoch, base_lr)`` at the start of each
    epoch; the values equal ``torch.optim.lr_scheduler``'s after ``epoch`` calls to ``step()``
    to rounding (closed forms here, step-by-step products there: ~1e-15 relative).
    """

    def lr_at(self, epoch: int, base_lr: float) -> float:
        raise NotImplementedError(f"{type(self).__name__} must implement lr_at(epoch, base_lr) "
                                  f"-> the learning rate of that epoch (counted from 0), a "
                                  f"float")

    def __call__(self, epoch: int, base_lr: float) -> float:
        return self.lr_at(epoch, base_lr)

    def config(self) -> dict:
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


def _check_epoch(epoch, owner):
    return _int(epoch, "epoch", owner, 0)


class StepLR(LRSchedule):
    """Multiply the rate by γ every ``step_size`` epochs:  η_e = η₀ · γ^⌊e / step_size⌋."""

    def __init__(self, step_size: int, gamma: float = 0.1):
        self.step_size = _int(step_size, "step_size", "StepLR", 1)
        self.gamma = _positive(gamma, "gamma", "StepLR")

    def lr_at(self, epoch, base_lr):
        epoch = _check_epoch(epoch, "StepLR")
        return float(base_lr) * self.gamma ** (epoch // self.step_size)

    def config(self):
        return {"step_size": self.step_size, "gamma": self.gamma}


class ExponentialLR(LRSchedule):
    """Multiply the rate by γ every epoch:  η_e = η₀ · γ^e."""

    def __init__(self, gamma: float):
        self.gamma = _positive(gamma, "gamma", "ExponentialLR")

    def lr_at(self, epoch, base_lr):
        epoch = _check_epoch(epoch, "ExponentialLR")
        return float(base_lr) * self.gamma ** epoch

    def config(self):
        return {"gamma": self.gamma}


class CosineAnnealingLR(LRSchedule):
    """Half a cosine from η₀ down to η_min over ``T_max`` epochs (then back up, periodically):

    η_e = η_min + (η₀ − η_min) · (1 + cos(π·e / T_max)) / 2.
    """

    def __init__(self, T_max: int, eta_min: float = 0):
        self.T_max = _int(T_max, "T_max", "CosineAnnealingLR", 1)
        self.eta_min = _non_negative(eta_min, "eta_min", "CosineAnnealingLR")

    def lr_at(self, epoch, base_lr):
        epoch = _check_epoch(epoch, "CosineAnnealingLR")
        base_lr = float(base_lr)
        return self.eta_min + (base_lr - self.eta_min) * (
            1.0 + math.cos(math.pi * epoch / self.T_max)) / 2.0

    def config(self):
        return {"T_max": self.T_max, "eta_min": self.eta_min}


class ReduceLROnPlateau(Callback):
    """Lower the learning rate when a monitored metric stops improving (as PyTorch's).

    At each epoch end: the metric improves when it beats the best value by a relative margin
    (lower is better: x < best·(1 − threshold); higher: x > best·(1 + threshold)). After more
    than ``patience`` epochs without improvement, η ← max(η·factor, min_lr) and ``cooldown``
    epochs follow in which bad epochs are not counted. (Keras's callback of the same name
    lowers the rate after ``patience`` bad epochs, one sooner, and its ``min_delta`` is an
    absolute margin: ``patience=10`` here acts as Keras's ``patience=11``; EarlyStopping
    follows Keras's count.)

    Parameters
    ----------
    monitor : str
        The key of ``logs`` to watch (default "val_loss"); when it is absent, the closest
        logged key ("val_loss", or without validation data the same metric on the training
        batches, else "loss") is watched instead, in its own direction, with one warning.
    factor : float
        In (0, 1): the multiplier of the learning rate.
    patience : int
        Epochs without improvement tolerated before lowering the rate.
    min_lr : float
        The rate is never lowered below this.
    threshold : float
        Relative margin an improvement must beat.
    mode : "auto" (default), "min" or "max"
        Whether a lower or a higher value is better; "auto" infers it from the monitored
        name as EarlyStopping does (higher for accuracy, F1, R², AUC ...; lower for losses
        and errors).
    cooldown : int
        Epochs to wait after a reduction before counting bad epochs again.
    verbose : bool
        Print a line at each reduction.

    A NaN or infinite value (a diverged epoch) is skipped, as EarlyStopping and
    ModelCheckpoint skip it: it neither counts as a bad epoch nor lowers the rate (PyTorch
    counts it as bad).

    Note: a learning-rate schedule that sets the rate every epoch overrides this callback's
    changes; use one or the other.
    """

    eps = 1e-8  # changes smaller than this are skipped (PyTorch's eps)

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10,
                 min_lr: float = 0.0, threshold: float = 1e-4, mode: str = "auto",
                 cooldown: int = 0, verbose: bool = False):
        owner = "ReduceLROnPlateau"
        if not isinstance(monitor, str):
            raise TypeError(f"{owner}: monitor must be a key of the logs (a str), got {monitor!r}")
        self.monitor = monitor
        self.factor = _positive(factor, "factor", owner)
        if self.factor >= 1.0:
            raise ValueError(f"{owner}: factor must be < 1 (it multiplies the learning rate), "
                             f"got {factor!r}")
        self.patience = _int(patience, "patience", owner, 0)
        self.min_lr = _non_negative(min_lr, "min_lr", owner)
        self.threshold = _non_negative(threshold, "threshold", owner)
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.mode = mode
        self.cooldown = _int(cooldown, "cooldown", owner, 0)
        self.verbose = check_flag(verbose, "verbose", owner)
        self._reset()

    def _reset(self, maximize=None):
        self._max = _maximizes(self.monitor, self.mode) if maximize is None else maximize
        self.best = -math.inf if self._max else math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def _is_better(self, x) -> bool:
        if not self._max:
            return x < self.best * (1.0 - self.threshold)
        return x > self.best * (1.0 + self.threshold)

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        key, maximize = self._monitored(logs)
        if key is None:
            return
        if maximize != self._max:  # a fallback key that improves the other way
            self._reset(maximize)
        current = float(logs[key])
        if not math.isfinite(current):
            return  # a diverged epoch (or a NaN validation loss): not counted, as EarlyStopping
        if self._is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr(epoch)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0

    def _reduce_lr(self, epoch):
        opt = getattr(self.model, "optimizer", None)
        if opt is None:
            raise RuntimeError("ReduceLROnPlateau needs the model being trained and its "
                               "optimizer (fit sets them); call set_model first")
        old = float(opt.lr)
        new = max(old * self.factor, self.min_lr)
        if old - new > self.eps:
            opt.lr = new
            if self.verbose:
                print(f"Epoch {epoch + 1}: ReduceLROnPlateau lowers the learning rate "
                      f"from {old:.4g} to {new:.4g}")

    def config(self) -> dict:
        return {"monitor": self.monitor, "factor": self.factor, "patience": self.patience,
                "min_lr": self.min_lr, "threshold": self.threshold, "mode": self.mode,
                "cooldown": self.cooldown, "verbose": self.verbose}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"ReduceLROnPlateau({args})"
