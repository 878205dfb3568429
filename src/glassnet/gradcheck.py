"""Finite-difference gradient checks for any layer, loss or model.

The analytic gradient a (from ``backward``) is compared with the central difference
n = (f(θ + h) − f(θ − h)) / 2h for every entry θ, in float64. The error of one array is
‖a − n‖ / max(‖a‖ + ‖n‖, tiny): below 1e-7 is excellent, above 1e-4 means a bug.

A ``backward`` that returns nothing (a forgotten ``return``) or an array whose shape is not
its input's is reported as a ValueError naming the layer, never compared by broadcasting.
"""
from __future__ import annotations

import copy
import math
import numbers

import numpy as np

from ._validate import check_array, check_consistent_length, check_flag, new_rng
from .layers import Layer, check_backward_output
from .losses import Loss, checked_cost, get as _get_loss
from .model import Sequential


# the thresholds of the module docstring
EXCELLENT = 1e-7
BAD = 1e-4


def _rel_error(a, n, name="the gradient"):
    if np.shape(a) != np.shape(n):
        raise ValueError(f"{name} has shape {np.shape(a)} but the array it is the gradient of "
                         f"has shape {np.shape(n)}")
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    if denom < 1e-300:
        return 0.0
    # below 1e-6 both are zero but for the finite difference's rounding noise (about
    # 1e-16·|f|/h): measured against 1e-6, a zero gradient that the difference puts at 3e-11
    # reads 3e-5 instead of 1.0 ("BAD"); a backward off by 1e-8 there still reads 1e-2
    return float(np.linalg.norm(a - n) / max(denom, 1e-6))


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

    The relative error of one array is ‖a − n‖ / (‖a‖ + ‖n‖), a the gradient from
    ``backward`` and n the central finite difference (the denominator at least 1e-6: a zero
    gradient is not BAD for the difference's rounding noise). Below 1e-7 (``EXCELLENT``) is what a
    correct float64 backward gives; up to about 1e-4 is rounding or an entry within h of a
    kink (ReLU near 0); above 1e-4 (``BAD``) means the backward is wrong, at moderate scale:
    an entry exactly at a kink (ReLU at 0, a hinge at its margin) reads up to about 1, as the
    difference there averages the two sides; with entries of |x| ≳ 1e8 (or weights that
    large) the float64 rounding of f swamps the step h of the other entries, and a correct
    backward reads BAD too; check such a node on inputs of ordinary size. A NaN or infinite
    gradient makes the result NaN (never a small number). A ``backward`` that returns None
    (a forgotten ``return``) or an array of another shape than its input is a ValueError
    naming the layer. The measure is relative to the gradient's size: a backward off by a
    factor 1 + δ reads about δ/2, so an error under 2e-4 of the gradient (a factor 1.0002)
    passes as rounding; compare ``details=True``'s arrays where finer errors matter.

    Parameters
    ----------
    obj : Layer, Loss or Sequential
        A layer is checked through the scalar f = Σ forward(x) ⊙ R for a fixed random R; a
        loss through f = loss(x, y); a model through f = loss(model(x), y) plus the L2
        penalty ½·Σ α·‖W‖²/m of its ``Dense(l2=α)`` nodes that train, the cost ``fit``
        minimizes. Forward passes run in inference mode (``training=False``): a Dropout
        node passes its input through, its training mask is not checked here.
    x : array
        The input (a loss's predictions). Converted to float64.
    y : array, optional
        Targets, for a loss or a model.
    loss : Loss or str, optional
        For a model: the model's own ``loss`` (a compiled or loaded model's, the one ``fit``
        trained), else MSE.
    h : float, default 1e-6
        The step of the central finite difference, (f(w + h) − f(w − h)) / 2h, per element.
    seed : int, default 0
        Seeds the random R of a layer, the random targets of a model given no ``y``, and the
        initial weights of a layer that is not built yet.
    details : bool
        Also return a dict {array name: relative error} with one entry per array compared:
        ``"input"`` (dCost/dx), each parameter by name (``"W"``, ``"b"``; for a model
        ``"0:Dense.W"``, index and class of its node), ``"d/dy_pred"`` for a loss.
    check_input : bool
        Also compare the gradient with respect to ``x``.

    Returns
    -------
    float, or (float, dict) with ``details=True``
        The worst relative error over the arrays compared; 0.0 means they agree exactly.
        When there is nothing to compare (no parameters and ``check_input=False``) a
        ValueError is raised rather than a 0.0 that would read as a pass.

    The object is copied and cast to float64, so the original is left untouched.
    """
    if isinstance(h, bool) or not isinstance(h, numbers.Real) or not math.isfinite(h) \
            or not h > 0:
        raise ValueError(f"gradcheck: h, the finite-difference step, must be a finite number "
                         f"> 0 (e.g. 1e-6), got {h!r}")
    if not isinstance(obj, (Loss, Layer, Sequential)):
        raise TypeError(f"gradcheck expects a Layer, a Loss or a Sequential, got "
                        f"{type(obj).__name__}")
    details, check_input = check_flag(details, "details"), check_flag(check_input, "check_input")
    rng = new_rng(seed, "gradcheck:")
    is_loss = isinstance(obj, Loss)
    # the checks fit gives its X (and y): no NumPy error, no NaN result, no complex part lost
    x = check_array(x, name="y_pred" if is_loss else "x", dtype=np.float64,
                    ndim=None if is_loss else 2)
    if y is not None:
        check_consistent_length(x, y, names=("y_pred" if is_loss else "x", "y"))
    elif is_loss:
        raise ValueError("gradcheck of a loss needs y, the targets: gradcheck(loss, y_pred, y)")
    errors = {}
    if is_loss:
        lossc = copy.deepcopy(obj)

        def f():
            return checked_cost(lossc, lossc.forward(x, y))

        f()
        g = check_backward_output(lossc, None, lossc.backward(), x.shape)
        errors["d/dy_pred"] = _rel_error(g, _numeric(f, x, h))
    elif isinstance(obj, (Layer, Sequential)):
        node = copy.deepcopy(obj)
        if isinstance(node, Sequential):
            node.dtype = np.dtype(np.float64)
            node._ensure_built(x.shape[1])
            for layer in node.layers:
                layer.to(np.float64)
            from .losses import MSE, BinaryCrossEntropy, CategoricalCrossEntropy
            from .train import _apply_l2, _l2_penalty, _l2_terms, prepare_targets
            if loss is None:   # a loaded model checks the loss it trains with
                loss = getattr(node, "loss", None)
            lossc = copy.deepcopy(_get_loss(loss)) if loss is not None else MSE()
            if y is None:   # random targets the loss takes: classes for a cross-entropy
                out = node.forward(x).shape
                y = (rng.integers(0, max(out[1], 2), out[0])
                     if isinstance(lossc, (BinaryCrossEntropy, CategoricalCrossEntropy))
                     else rng.standard_normal(out))
            else:  # as fit takes them: labels checked against the loss, one-hot for softmax
                y = prepare_targets(y, lossc, node.n_outputs, np.float64)
            m = x.shape[0]

            def f():  # the cost fit minimizes: the loss and Dense(l2=α)'s ½·Σ α·‖W‖²/m
                cost = checked_cost(lossc, lossc.forward(node.forward(x, training=False), y))
                return cost + 0.5 * _l2_penalty(_l2_terms(node)) / m

            def analytic():  # Sequential.backward checks what each node's backward returns
                f()
                dx = node.backprop(lossc, input_grad=check_input)
                _apply_l2(_l2_terms(node), m)   # (α/m)·W into dW, as fit's step takes it
                return dx
            params = [(f"{i}:{type(la).__name__}.{k}", la, k)
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
            params = [(k, node, k) for k in node.params]
        # stale values in grads first, as fit leaves them between steps (it never zeroes
        # them): a backward that adds into grads (+=, the PyTorch habit) instead of
        # overwriting them then reads BAD here too, as it trains wrong in fit
        owners = {id(owner): owner for _, owner, _ in params}.values()
        for owner in owners:
            for g in owner.grads.values():
                if isinstance(g, np.ndarray) and g.size and g.flags.writeable:
                    g[...] = rng.standard_normal(g.shape)
        dx = analytic()
        if check_input:
            dx = check_backward_output(node, None, dx, x.shape)
        # read after backward: a layer may put a new array in grads instead of filling its own
        grads = {}
        for name, owner, k in params:
            if owner.grads.get(k) is None:
                raise ValueError(f"{type(owner).__name__}.backward left no gradient in "
                                 f"grads[{k!r}] (checking {name})")
            grads[name] = np.array(owner.grads[k], dtype=np.float64)
        if check_input:
            errors["input"] = _rel_error(dx, _numeric(f, x, h))
        for name, owner, k in params:
            errors[name] = _rel_error(grads[name], _numeric(f, owner.params[k], h),
                                      f"the gradient of {name}")
    if not errors:
        raise ValueError(f"gradcheck compared nothing: {type(obj).__name__} has no parameters "
                         f"and check_input=False")
    # a NaN error (a NaN or infinite gradient) is the worst of all: max() would drop it
    worst = math.nan if any(math.isnan(e) for e in errors.values()) else max(errors.values())
    return (worst, errors) if details else worst
