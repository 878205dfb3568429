"""Finite-difference gradient checks for any layer, loss or model.

The analytic gradient a (from ``backward``) is compared with the central difference
n = (f(θ + h) − f(θ − h)) / 2h for every entry θ, in float64. The error of one array is
‖a − n‖ / max(‖a‖ + ‖n‖, tiny): below 1e-7 is excellent, above 1e-4 means a bug.
"""
from __future__ import annotations

import copy

import numpy as np

from .layers import Layer
from .losses import Loss, get as _get_loss
from .model import Sequential


def _rel_error(a, n):
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    if denom < 1e-300:
        return 0.0
    return float(np.linalg.norm(a - n) / max(denom, 1e-12))


def _numeric(f, arr, h):
    """Central differences of scalar f() with respect to every entry of arr (in place)."""
    g = np.zeros_like(arr)
    flat, gflat = arr.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = f()
        flat[i] = old - h
        fm = f()
        flat[i] = old
        gflat[i] = (fp - fm) / (2 * h)
    return g


def gradcheck(obj, x, y=None, loss=None, h: float = 1e-6, seed: int = 0,
              details: bool = False, check_input: bool = True):
    """Compare analytic and numerical gradients; return the worst relative error.

    Parameters
    ----------
    obj : Layer, Loss or Sequential
        A layer is checked through the scalar f = Σ forward(x) ⊙ R for a fixed random R; a
        loss through f = loss(x, y); a model through f = loss(model(x), y).
    x : array
        The input (a loss's predictions). Converted to float64.
    y : array, optional
        Targets, for a loss or a model.
    loss : Loss or str, optional
        For a model (default MSE).
    details : bool
        Also return a dict {array name: relative error}.

    The object is copied and cast to float64, so the original is left untouched.
    """
    x = np.array(x, dtype=np.float64)
    rng = np.random.default_rng(seed)
    errors = {}
    if isinstance(obj, Loss):
        lossc = copy.deepcopy(obj)

        def f():
            return lossc.forward(x, y)

        f()
        errors["d/dy_pred"] = _rel_error(lossc.backward(), _numeric(f, x, h))
    elif isinstance(obj, (Layer, Sequential)):
        node = copy.deepcopy(obj)
        if isinstance(node, Sequential):
            node.dtype = np.dtype(np.float64)
            if not node.built:
                node.build(x.shape[1])
            for layer in node.layers:
                layer.to(np.float64)
            from .losses import MSE
            lossc = copy.deepcopy(_get_loss(loss)) if loss is not None else MSE()
            if y is None:
                y = rng.standard_normal(node.forward(x).shape)

            def f():
                return lossc.forward(node.forward(x, training=False), y)

            def analytic():
                f()
                return node.backprop(lossc, input_grad=True)
            params = [(f"{i}:{type(la).__name__}.{k}", la.params[k], la.grads[k])
                      for i, la in enumerate(node.layers) for k in la.params]
        else:
            if not node.built:
                node.build(x.shape[-1], np.random.default_rng(seed), np.float64)
            node.to(np.float64)
            R = rng.standard_normal(node.forward(x).shape)

            def f():
                return float(np.sum(node.forward(x) * R))

            def analytic():
                node.forward(x)
                node.needs_input_grad = True
                return node.backward(R.copy())
            params = [(k, node.params[k], node.grads[k]) for k in node.params]
        dx = analytic()
        grads = {name: g.copy() for name, _, g in params}
        if check_input and dx is not None:
            errors["input"] = _rel_error(dx, _numeric(f, x, h))
        for name, p, _ in params:
            errors[name] = _rel_error(grads[name], _numeric(f, p, h))
    else:
        raise TypeError(f"gradcheck expects a Layer, a Loss or a Sequential, got "
                        f"{type(obj).__name__}")
    worst = max(errors.values()) if errors else 0.0
    return (worst, errors) if details else worst
