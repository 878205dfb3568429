"""``glassnet explain``: replay a training step node by node, from the real engine.

    glassnet explain or-gate             the seeds' OR-gate walkthrough, step by step
    glassnet explain xor                 the seeds' XOR network (2-3-1 sigmoid), traced and trained
    glassnet explain --model FILE --data CSV [--target COL] [--rows N]
                                         any saved model on the first rows of a CSV

Options: ``--format text|markdown|html|svg``, ``--out FILE``, ``--layout rows|seeds``.

Every number printed is computed by glassnet's engine (the layers, the loss, the optimizer);
the seeds' own rounded values are quoted next to them for comparison, never used.
"""
from __future__ import annotations

import math
import os
import sys

import numpy as np

from .preprocess import _shown

EXAMPLES = ("or-gate", "xor")
FORMATS = ("text", "markdown", "html", "svg")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "explain",
        help="replay a training step node by node (the seeds' OR gate and XOR, or a saved model)",
        description="Replay a training step node by node: every value, local gradient, "
                    "upstream gradient and update, computed by the engine. "
                    "Examples: `glassnet explain or-gate`, `glassnet explain xor`, "
                    "`glassnet explain --model model.gnet --data data.csv --target y`.")
    p.add_argument("example", nargs="?", choices=EXAMPLES,
                   help="a walkthrough from the seeds: or-gate or xor")
    p.add_argument("--model", metavar="FILE", help="a saved model file (.gnet)")
    p.add_argument("--data", metavar="CSV", help="CSV file (or bundled dataset name) whose "
                                                 "first rows are traced (with --model)")
    from .commands import (DECIMAL_HELP_MODEL, NA_HELP_MODEL, SEP_HELP, SKIP_HELP,
                           _na_tokens, _out_path, _positive_int, _separator, _strict)
    p.add_argument("--sep", type=_separator, metavar="CHAR", help=SEP_HELP)
    p.add_argument("--skip-rows", type=_positive_int("--skip-rows", 0), default=None,
                   metavar="N", help=SKIP_HELP)
    p.add_argument("--decimal", choices=(".", ","), metavar="MARK", help=DECIMAL_HELP_MODEL)
    p.add_argument("--na-values", type=_na_tokens, metavar="TOKENS", help=NA_HELP_MODEL)
    p.add_argument("--target", metavar="COL",
                   help="target column in the CSV (default: the one the model was trained on, "
                        "if recorded); without a target only the forward pass is shown "
                        "('none': the forward pass only, even when the CSV has the target)")
    p.add_argument("--rows", type=int, default=None, metavar="N",
                   help="how many rows of the CSV to trace (default 4)")
    p.add_argument("--lr", type=float, default=None,
                   help="with --model: also take one SGD step with this learning rate and show "
                        "the updates (the model file is not changed)")
    p.add_argument("--train-mode", action="store_true",
                   help="with --model: run the forward pass in training mode (dropout on)")
    p.add_argument("--epochs", type=int, default=None,
                   help="xor: training epochs (default 5000, as the seeds)")
    p.add_argument("--seed", type=_positive_int("--seed", 0), default=None,
                   help="xor: seed of the initial weights (default 48)")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: from --out's extension, .md .html .svg "
                        "as Trace.save reads them, else text)")
    p.add_argument("--out", metavar="FILE", type=_out_path,
                   help="write to FILE instead of standard output ('-': standard output)")
    p.add_argument("--layout", choices=("rows", "seeds"), default=None,
                   help="rows: examples in rows (glassnet); seeds: features in rows, examples "
                        "in columns, as the seeds write it (default: seeds for the seeds' "
                        "examples, rows for --model)")
    p.add_argument("--precision", type=int, default=5,
                   help="significant digits of the numbers in the tables (default 5)")
    p.add_argument("--max-entries", type=_positive_int("--max-entries", 1), default=12,
                   metavar="N",
                   help="arrays of more than N numbers are summarized (shape, mean, std, min, "
                        "max, first values); raise N to see every number, e.g. each one-hot "
                        "input of a row (default 12)")
    p.set_defaults(func=run)
    _strict(p)


def _usage(msg):
    """A mistake in what the user asked for: the CLI prints it and exits with status 2.

    It is also a ValueError, so that it is reported the same way when the CLI runs as
    ``python -m glassnet.cli`` (where the CLI's own UsageError is ``__main__.UsageError``)."""
    from .cli import UsageError

    class ExplainUsageError(UsageError, ValueError):
        pass

    return ExplainUsageError(msg)


# -------------------------------------------------------------------------------------------------
# number formatting for the narrative
# -------------------------------------------------------------------------------------------------

def _d(x, places=3) -> str:
    """A number rounded to ``places`` decimals, trailing zeros dropped (0.5, 0.125, 0.646)."""
    s = f"{float(x):.{places}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _vec(a, places=3) -> str:
    return "[" + " ".join(_d(v, places) for v in np.asarray(a).ravel()) + "]"


def _g(x, digits=5) -> str:
    from .render import fmt_num
    return fmt_num(float(x), digits)


# -------------------------------------------------------------------------------------------------
# the OR gate (seed 001)
# -------------------------------------------------------------------------------------------------

def _or_model(w=(0.1, 0.6), b=0.0):
    from . import Dense, Sequential, Sigmoid
    dense = Dense(2, 1, init=np.array([[w[0]], [w[1]]], dtype=np.float64))
    model = Sequential([dense, Sigmoid()], dtype="float64")
    dense.params["b"][...] = b
    return model


def or_gate_report(w=(0.1, 0.6), b=0.0, lr=1.0):
    """The seeds' OR-gate walkthrough, every number from the engine. Returns a Report.

    ``w``, ``b`` and ``lr`` default to the seeds' values; any others replay the same steps
    with other numbers (the "seeds:" remarks then no longer apply)."""
    from .losses import MSE
    from .optim import SGD
    from .render import Report
    from .trace import trace
    try:
        from .data import make_gate
        X4, y4 = make_gate("or")
    except ImportError:  # the data package not there: the same four rows
        X4 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        y4 = np.array([0, 1, 1, 1])
    X4 = X4.astype(np.float64)
    y4 = np.asarray(y4, dtype=np.float64)
    loss = MSE(half=True)

    rep = Report("glassnet explain or-gate: the seeds' OR-gate walkthrough, from the engine")
    w = (float(w[0]), float(w[1]))
    b, lr = float(b), float(lr)
    rep.add_text("The network", [
        "One logistic neuron, drawn by the seeds as a computational graph:",
        "  z = w1·x1 + w2·x2 + b   (Dense node),   ŷ = σ(z) = 1/(1 + e^(−z))   (Sigmoid node)",
        "Loss for one example: L = ½(y − ŷ)²; over a batch the cost is (1/2m)·Σ(y − ŷ)²: "
        "glassnet's MSE(half=True).",
        f"Weights as in the seeds: w = [{_g(w[0])}, {_g(w[1])}], b = {_g(b)}; plain gradient "
        f"descent with learning rate {_g(lr)}: SGD(lr={_g(lr)}).",
        f"Model: Sequential([Dense(2, 1, init=[[{_g(w[0])}], [{_g(w[1])}]]), Sigmoid()], "
        f"dtype='float64')",
    ])

    # -- one example ------------------------------------------------------------------------------
    model = _or_model(w, b)
    x1, yy = X4[:1], y4[:1]
    t1 = trace(model, x1, yy, loss, SGD(lr=lr),
               title="Step 1: one example (x1, x2) = (0, 0), y = 0")
    dense, sig = t1.nodes
    z = dense.output.item()
    yhat = sig.output.item()
    L = t1.loss.value
    dLdy = t1.loss.grad.item()
    local = sig.local_grad["dy/dx"].item()
    dLdz = sig.downstream.item()
    dW = dense.param_grads["W"].ravel()
    db = dense.param_grads["b"].item()
    b_new = dense.params_after["b"].item()
    w_new = dense.params_after["W"].ravel()
    rep.add_text("Forward, one example: x = (0, 0), y = 0", [
        f"z = w1·x1 + w2·x2 + b = {_g(w[0])}·0 + {_g(w[1])}·0 + {_g(b)} = {_g(z)}",
        f"ŷ = σ(z) = {_g(yhat)}   (seeds: 0.5)",
        f"Loss = ½(y − ŷ)² = ½(0 − {_g(yhat)})² = {_g(L)}   (seeds: 0.125)",
    ])
    rep.add_text("Backward: upstream gradient × local gradient, node by node", [
        "dL/dL = 1: the first upstream gradient",
        f"loss node: dL/dŷ = −(y − ŷ) = {_g(dLdy)}   (seeds: 0.5)",
        f"sigmoid node: local gradient dŷ/dz = ŷ(1 − ŷ) = {_g(local)}   (seeds: 0.25)",
        f"  dL/dz = upstream × local = {_g(dLdy)} × {_g(local)} = {_g(dLdz)}   (seeds: 0.125)",
        "Dense node: local gradients dz/dw1 = x1 = 0, dz/dw2 = x2 = 0, dz/db = 1",
        f"  dL/dw = dL/dz · x = {_vec(dW, 5)}: the weights cannot move on this example",
        f"  dL/db = dL/dz · 1 = {_g(db)}   (seeds: 0.125)",
    ])
    rep.add_text(f"Gradient descent, learning rate {_g(lr)}", [
        f"b = b − {_g(lr)}·dL/db = {_g(b)} − {_g(lr)}·{_g(db)} = {_g(b_new)}   (seeds: -0.125)",
        f"w = w − {_g(lr)}·dL/dw = {_vec(w_new, 5)}   (unchanged)",
    ])
    yhat2 = model.forward(x1)
    L2 = loss.forward(yhat2, yy.reshape(-1, 1))
    z2 = model.layers[0].forward(x1).item()
    rep.add_text("Forward again with the new bias", [
        f"z = {_g(w[0])}·0 + {_g(w[1])}·0 + ({_g(b_new)}) = {_g(z2)}",
        f"ŷ = σ(z) = {yhat2.item():.5f}   (seeds: 0.4687906... ≈ 0.469)",
        f"Loss = ½(0 − ŷ)² = {L2:.5f}, down from {_g(L)}   (the seeds round ŷ to 0.469 first "
        f"and print 0.10998)",
    ])
    rep.add_trace(t1, "Trace of step 1 (one example)")

    # -- the whole batch --------------------------------------------------------------------------
    model = _or_model(w, b)
    t2 = trace(model, X4, y4, loss, SGD(lr=lr),
               title="Step 2: the whole OR table at once (batch gradient descent)")
    dense, sig = t2.nodes
    new_out = model.forward(X4)
    cost2 = loss.forward(new_out, y4.reshape(-1, 1))
    t3 = trace(model, X4, y4, loss, None, title="The gradients after one batch step")
    d3 = t3.nodes[0]
    rep.add_text("Vectorized: all four examples in one pass", [
        "X_train (features in rows, examples in columns, as the seeds write it) = "
        f"{X4.T.astype(int).tolist()}, Y = {_vec(y4, 0)}",
        "(the seeds print X_train as [[0,1,1,1],[0,0,0,1]] by mistake; their numbers use the "
        "one above)",
        f"Z = W·X + b = {_vec(dense.output, 3)}",
        f"Ŷ = σ(Z) = {_vec(sig.output, 3)}   (seeds: [0.5 0.646 0.525 0.668])",
        f"Cost = (1/2m)·Σ(Y − Ŷ)² = {t2.loss.value:.4f} ({_g(t2.loss.value, 6)})   "
        f"(seeds: 0.089)",
    ])
    rep.add_text("Vectorized backward", [
        f"dCost/dŶ = −(Y − Ŷ)/m = {_vec(t2.loss.grad, 3)}   "
        f"(seeds: [0.125 -0.089 -0.119 -0.083])",
        f"local gradient dŶ/dZ = Ŷ ⊙ (1 − Ŷ) = {_vec(sig.local_grad['dy/dx'], 3)}   "
        f"(seeds: [0.25 0.229 0.249 0.222])",
        f"dCost/dZ = upstream ⊙ local = {_vec(sig.downstream, 3)}   "
        f"(seeds: [0.031 -0.020 -0.030 -0.018])",
        f"dCost/dW = dCost/dZ · X_trainᵀ = {_vec(dense.param_grads['W'], 3)} "
        f"({_vec(dense.param_grads['W'], 5)})   (seeds, from rounded intermediates: "
        f"[-0.048 -0.038])",
        f"dCost/db = Σ dCost/dZ = {_d(dense.param_grads['b'].item(), 3)} "
        f"({_g(dense.param_grads['b'].item())})   (seeds: -0.037)",
    ])
    rep.add_text(f"Gradient descent, learning rate {_g(lr)}, and the new cost", [
        f"W = W − {_g(lr)}·dCost/dW = {_vec(dense.params_after['W'], 3)} "
        f"({_vec(dense.params_after['W'], 5)})   (seeds: [0.148 0.638])",
        f"b = b − {_g(lr)}·dCost/db = {_d(dense.params_after['b'].item(), 3)}   (the seeds print "
        f"0.099 by mistake; their next numbers use 0.037)",
        f"new Ŷ = {_vec(new_out, 3)}   (seeds: [0.509 0.663 0.546 0.695])",
        f"Cost: {t2.loss.value:.4f} -> {cost2:.4f}   (seeds: 0.089 -> 0.084)",
        f"next gradients: dCost/dW = {_vec(d3.param_grads['W'], 3)}, dCost/db = "
        f"{_d(d3.param_grads['b'].item(), 3)}   (seeds: [-0.044 -0.035], -0.031)",
    ])
    rep.add_trace(t2, "Trace of the batch step")
    return rep


# -------------------------------------------------------------------------------------------------
# XOR (seed 001, second part)
# -------------------------------------------------------------------------------------------------

# seed 001's hand-worked XOR step: W[1] as its numbers use it (units in rows), W[2], zero biases
SEEDS_XOR_W1 = [[0.1, 0.6], [0.2, 0.4], [0.3, 0.7]]
SEEDS_XOR_W2 = [0.1, 0.4, 0.9]


def _seeds_xor_step(rep, X, y, loss, lr):
    """Seed 001 works one step of its 2-3-1 XOR network by hand from fixed weights; the same
    step from the engine, the text's (rounded) numbers beside it."""
    from . import Dense, Sequential, Sigmoid
    from .optim import SGD
    from .trace import trace
    model = Sequential([Dense(2, 3, init=np.array(SEEDS_XOR_W1).T), Sigmoid(),
                        Dense(3, 1, init=np.array(SEEDS_XOR_W2).reshape(3, 1)), Sigmoid()],
                       dtype="float64")
    t = trace(model, X, y, loss, SGD(lr=lr), title="The seeds' hand-worked step")
    dz2 = t.nodes[3].downstream.ravel()
    _, _, dW2, db2 = t.grads()
    rep.add_text("The seeds' hand-worked step (their weights)", [
        f"W[1] (one row per hidden unit, as the seeds write it) = {SEEDS_XOR_W1}, "
        f"W[2] = {SEEDS_XOR_W2}, biases 0",
        f"Ŷ = {_vec(t.output, 3)}   (seeds: [0.668 0.712 0.688 0.728])",
        f"Cost = {_g(t.cost, 5)}   (seeds: 0.145)",
        f"dCost/dZ[2] = {_vec(dz2, 3)}   (seeds: [0.037 -0.015 -0.017 0.036])",
        f"dCost/dW[2] = {_vec(dW2, 3)}   (seeds: [0.024 0.023 0.025], from rounded "
        f"activations)",
        f"dCost/db[2] = {_g(float(db2[0]), 3)}   (seeds: 0.041, the sum of their rounded "
        f"dCost/dZ[2]; unrounded the sum is {_g(float(dz2.sum()), 3)})",
    ])
    rep.add_trace(t, "Trace of the seeds' hand-worked step")


def xor_report(epochs: int = 5000, seed: int = 48, lr: float = 1.0):
    """The seeds' XOR network: 2-3-1, sigmoid units, Xavier init, squared-error cost, full-batch
    gradient descent with learning rate 1. Traces the first step, then trains."""
    from . import Dense, Sequential, Sigmoid
    from .losses import MSE
    from .optim import SGD
    from .render import Report
    from .trace import trace
    if epochs < 1:
        raise _usage("--epochs must be at least 1")
    try:
        from .data import make_gate
        X, y = make_gate("xor")
    except ImportError:
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
        y = np.array([0, 1, 1, 0])
    X = X.astype(np.float64)
    model = Sequential([Dense(2, 3, init="xavier"), Sigmoid(), Dense(3, 1, init="xavier"),
                        Sigmoid()], seed=seed, dtype="float64")
    loss = MSE(half=True)
    opt = SGD(lr=lr)
    rep = Report("glassnet explain xor: the seeds' XOR network, from the engine")
    rep.add_text("The network", [
        "XOR is not linearly separable: one neuron cannot learn it. A hidden layer of 3 "
        "sigmoid units can.",
        f"Sequential([Dense(2, 3, init='xavier'), Sigmoid(), Dense(3, 1, init='xavier'), "
        f"Sigmoid()], seed={seed}, dtype='float64')",
        f"Cost (1/2m)·Σ(y − ŷ)² = MSE(half=True); full-batch gradient descent, SGD(lr={lr:g}); "
        f"{epochs} epochs (the seeds: learning rate 1, 5000 epochs, Xavier init).",
    ])
    _seeds_xor_step(rep, X, y, loss, lr)
    t = trace(model, X, y, loss, opt, title="The first training step, node by node")
    rep.add_trace(t, "Trace of the first step (from the initial weights)")
    hist = None
    if epochs > 1:
        hist = model.fit(X, y, loss=loss, optimizer=opt, epochs=epochs - 1, batch_size=None,
                         shuffle=False)
    costs = [t.loss.value] + (hist.history["loss"] if hist is not None else [])
    final = model.evaluate(X, y, loss=loss)["loss"]
    out = model.predict(X).ravel()
    pred = (out > 0.5).astype(int)
    acc = float((pred == np.asarray(y)).mean())
    every = max(1, epochs // 5)
    lines = [f"cost before epoch {e + 1}: {_g(costs[e], 6)}" for e in range(0, epochs, every)]
    lines += [f"cost after {epochs} epochs: {_g(final, 6)}   (seeds: about 0.0009)"]
    rep.add_text("Training", lines)
    rep.add_text("Result", [
        f"inputs: {X.astype(int).tolist()}",
        f"outputs ŷ: {_vec(out, 4)}",
        f"predicted: {pred.tolist()}, targets: {np.asarray(y).astype(int).tolist()}",
        f"accuracy: {acc * 100:.1f}%   (seeds: 100.0%)",
    ])
    rep.final_accuracy = acc
    rep.final_cost = final
    return rep


# -------------------------------------------------------------------------------------------------
# any saved model
# -------------------------------------------------------------------------------------------------

def _extra_get(extra, *keys):
    for k in keys:
        if isinstance(extra, dict) and extra.get(k) is not None:
            return extra[k]
    return None


def _stored_classes(extra):
    """The class labels a model file lists (``classes`` or ``class_names``), or None where
    it lists none (an entry that is no list is ignored)."""
    for key in ("classes", "class_names"):
        v = _extra_get(extra, key)
        if isinstance(v, list):
            return v
    return None


def _stored_encoder(model_path, model, extra):
    """The label encoder a model file stores, checked against the network's outputs (None
    where it stores none); a damaged one is a usage error naming the file, as predict's."""
    enc = _extra_get(extra, "target_encoder", "target_encoding", "label_encoder")
    if not isinstance(enc, dict):
        return None
    from .commands import stored_encoder
    return stored_encoder(model_path, model, enc)


def _encode_target(raw, extra, where=lambda i: f"row {i}", enc=None):
    """Targets from a CSV column, encoded as the model was trained (by ``enc``, the model's
    :func:`_stored_encoder`, or its ``classes``, if the file says how); ``where(i)`` names
    row ``i`` in messages."""
    if enc is not None:
        from .preprocess import shown_value
        unknown = enc.unknown_mask(raw)
        if unknown.any():
            i = int(np.flatnonzero(unknown)[0])
            raise _usage(f"the target value {shown_value(np.asarray(raw, dtype=object)[i])} "
                         f"at {where(i)} is not one of the model's classes "
                         f"{enc.classes_.tolist()} (training never saw it)")
        return enc.transform(raw)
    classes = _stored_classes(extra)
    if classes is not None and np.asarray(raw).dtype.kind not in "biuf":
        lookup = {str(c): i for i, c in enumerate(classes)}
        try:
            return np.array([lookup[str(v)] for v in raw], dtype=np.int64)
        except KeyError as exc:
            raise _usage(f"target value {exc.args[0]!r} is not one of the model's classes "
                         f"{list(classes)}") from None
    arr = np.asarray(raw)
    if arr.dtype.kind not in "biuf":
        raise _usage("the target column holds text but the model file does not say how its "
                     "classes were encoded; encode them as 0..k-1 in the CSV")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise _usage("the target column has missing values in the traced rows")
    scaling = _target_scaling(extra)
    if scaling is not None:  # glassnet train's regression: the network learns (y − mean)/std
        return (arr.astype(np.float64) - scaling["mean"]) / scaling["std"]
    return arr


def _target_scaling(extra):
    """``{"mean", "std"}`` of a ``glassnet train`` regression model (its network learns the
    standardized target), else None."""
    sc = extra.get("target_scaling") if isinstance(extra, dict) and \
        extra.get("task") == "regression" else None
    if isinstance(sc, dict) and all(isinstance(sc.get(k), (int, float)) and
                                    math.isfinite(sc[k]) for k in ("mean", "std")) \
            and sc["std"] > 0:
        return sc
    return None


def _estimator_scaling(est):
    """``{"mean", "std"}`` (numbers, or arrays of one per output) of a GlassRegressor that
    standardizes its targets, else None."""
    mean, std = getattr(est, "y_mean_", None), getattr(est, "y_scale_", None)
    if type(est).__name__ != "GlassRegressor" or mean is None or std is None:
        return None
    mean, std = np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)
    return {"mean": mean.item() if mean.size == 1 else mean,
            "std": std.item() if std.size == 1 else std}


def _one_column_target(model, est) -> bool:
    """Whether one CSV column can be the model's target: not for a multi-output regressor or
    a multi-label classifier (a class label column does give a softmax's k outputs)."""
    if est is not None:
        if type(est).__name__ == "GlassClassifier":
            return not getattr(est, "_multilabel", False)
        return getattr(est, "n_outputs_", 1) == 1
    from .activations import Softmax
    from .losses import CategoricalCrossEntropy
    k = model.n_outputs
    return k is None or k == 1 or isinstance(getattr(model, "loss", None),
                                             CategoricalCrossEntropy) \
        or isinstance(model.layers[-1], Softmax)


def _sklearn_estimator(model_path, info):
    """The GlassClassifier/GlassRegressor saved in ``model_path`` (``info``: the file's
    extra["glassnet.sklearn"]), loaded by its own ``load``: its inputs and targets are
    transformed by the estimator's code, not re-derived here."""
    from .commands import ESTIMATOR_CLASSES
    name = info.get("class") if isinstance(info, dict) else None
    if name not in ESTIMATOR_CLASSES:
        raise _usage(f"{model_path} holds a scikit-learn estimator glassnet explain does not "
                     f"know ({name!r}): its inputs cannot be prepared as it prepares them")
    try:
        from . import sklearn as gsk
    except ImportError:
        raise _usage(f"{model_path} was saved by {name}.save: tracing it needs scikit-learn, "
                     f"whose code standardizes its inputs (pip install scikit-learn)") from None
    try:
        return getattr(gsk, name).load(model_path)
    except (ValueError, KeyError, TypeError) as exc:
        raise _usage(f"{model_path}: cannot restore the {name} saved there ({exc}); its "
                     f"inputs cannot be prepared as it prepares them") from None


def _sklearn_inputs(est, part, target, data_path):
    """The traced rows' features as the estimator feeds its network: its columns (by name if
    it was fitted on named columns), standardized with its ``x_mean_``/``x_scale_``."""
    from .data.tabular import is_numeric_column
    name = type(est).__name__
    named = getattr(est, "feature_names_in_", None)
    if named is not None:
        cols = [str(c) for c in named]
        missing = [c for c in cols if c not in part]
        if missing:
            raise _usage(f"{data_path} lacks column(s) the {name} was fitted on: "
                         f"{', '.join(map(_shown, missing))}")
    else:
        cols = [c for c in part.columns if c != target]
    text = [c for c in cols if not is_numeric_column(part[c])]
    if text:
        if named is not None:
            raise _usage(f"the {name} was fitted on numbers, but column(s) "
                         f"{', '.join(map(_shown, text))} of {data_path} hold text")
        cols = [c for c in cols if c not in text]
    X = part.to_numpy(cols, dtype=np.float64)
    if X.shape[1] != est.n_features_in_:
        raise _usage(f"the {name} was fitted on {est.n_features_in_} feature(s) but "
                     f"{data_path} has {X.shape[1]} numeric column(s) besides the target "
                     f"({', '.join(map(_shown, cols[:8]))}{'...' if len(cols) > 8 else ''})"
                     + ("; pass --target to leave the target column out" if target is None
                        else ""))
    if not np.isfinite(X).all():
        raise _usage(f"the traced rows of {data_path} have missing or infinite values, which "
                     f"the {name} does not accept")
    how = f"numeric columns as the {name} takes them" + (
        f" (text columns skipped: {', '.join(map(_shown, text))})" if text else "")
    if getattr(est, "x_mean_", None) is not None:
        how += ", standardized as it does: (x - x_mean_) / x_scale_, from the file"
    return est._transform_X(X, est.model_.dtype), cols, how


def _sklearn_targets(est, raw, target):
    """Targets encoded as the estimator encodes them for its network (classes_ -> 0/1 or class
    indices; a regressor's targets standardized with y_mean_/y_scale_); and how."""
    name = type(est).__name__
    raw = np.asarray(raw)
    if raw.dtype.kind not in "biuf" and any(v is None for v in raw):
        raise _usage(f"the target column {target!r} has missing values in the traced rows")
    if name == "GlassClassifier":
        classes = np.asarray(est.classes_)
        if getattr(est, "_multilabel", False):
            raise _usage(f"the {name} was fitted on multi-label targets (a 0/1 matrix), which "
                         f"one column cannot give; leave out --target for the forward pass")
        if classes.dtype.kind in "biuf" and raw.dtype.kind not in "biuf":
            raise _usage(f"the target column {target!r} holds text but the {name}'s classes "
                         f"are numbers: {classes.tolist()}")
        y = raw.astype(classes.dtype) if classes.dtype.kind in "biuf" else \
            np.array([_label_key(v) for v in raw])
        known = classes if classes.dtype.kind in "biuf" else \
            np.array([_label_key(c) for c in classes])
        unknown = [v for v in dict.fromkeys(y.tolist()) if v not in set(known.tolist())]
        if unknown:
            raise _usage(f"target value(s) {', '.join(map(repr, unknown[:5]))} of {target!r} "
                         f"are not among the {name}'s classes {classes.tolist()}")
        try:
            Y = est._encode_targets(np.array(classes[np.searchsorted(known, y)]), False, False,
                                    None)
        except ValueError as exc:
            raise _usage(f"the target column {target!r} cannot be encoded as the {name} "
                         f"encodes it: {exc}") from None
        how = f"targets encoded as the {name} does, via its classes_ " + (
            "(the second class is 1)" if len(classes) == 2 else "(their indices)")
        return Y, how
    if est.n_outputs_ != 1:
        raise _usage(f"the {name} predicts {est.n_outputs_} targets, which one column cannot "
                     f"give; leave out --target for the forward pass")
    if raw.dtype.kind not in "biuf":
        raise _usage(f"the target column {target!r} holds text; the {name} predicts numbers")
    Y = est._encode_targets(raw.astype(np.float64), False, False, None)
    if not np.isfinite(Y).all():
        raise _usage(f"the target column {target!r} has missing values in the traced rows")
    how = "targets as the network learns them"
    if getattr(est, "y_mean_", None) is not None:
        how += ": standardized with the file's y_mean_ / y_scale_, as the GlassRegressor does"
    return est._scale_y(Y), how


def _label_key(v) -> str:
    """A class label as text, the same for 1, 1.0 and "1" (CSV columns and classes_ differ)."""
    v = v.item() if isinstance(v, np.generic) else v
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _input_key(features, pre=None, most=40) -> str:
    """'inputs (the columns of X, the rows of the first W): 0 Age, 1 Age_missing, 2-3
    Sex=(female, male) ...': which input is which (the names of ``features``), a column's
    one-hot inputs as one range with its first categories, for up to ``most`` columns."""
    groups, start = [], 0   # (first input, inputs, name, categories or None)
    for spec, (name, width) in (zip(pre.columns_, pre._widths()) if pre is not None else
                                (({"kind": "numeric"}, (f, 1)) for f in features)):
        names = features[start:start + width]
        if spec["kind"] == "categorical":
            groups.append((start, width, _shown(name),
                           [_shown(f[len(name) + 1:]) for f in names]))
        else:   # a number, and its missing indicator if it has one
            groups.extend((start + i, 1, _shown(f), None) for i, f in enumerate(names))
        start += width
    parts = []
    for first, width, name, cats in groups[:most]:
        where = str(first) if width == 1 else f"{first}-{first + width - 1}"
        if cats is not None:
            shown = ", ".join(cats if len(cats) <= 4 else cats[:3]) + (
                f" … {len(cats)} categories" if len(cats) > 4 else "")
            name = f"{name}=({shown})"
        parts.append(f"{where} {name}")
    more = (f" … and {len(groups) - most} more column(s)" if len(groups) > most else "")
    return "inputs (the columns of X, the rows of the first W): " + ", ".join(parts) + more


def _numeric(label) -> bool:
    """Whether a class label reads as a number ('1'): quoted in the key, where '0 = 1' would
    read as code 0 is the number 1."""
    try:
        float(label)
    except (TypeError, ValueError):
        return False
    return True


def _class_key(names, n_outputs, with_y=True) -> str | None:
    """Which output is which class: 'classes (the columns of ŷ): 0 = high, 1 = low ...', or
    for one sigmoid output 'ŷ is the probability of class survived, against died (y's codes
    1 and 0)'."""
    if names is None or len(names) < 2:
        return None
    if n_outputs == 1 and len(names) == 2:
        return (f"ŷ is the probability of class {names[1]}, against {names[0]}"
                + (" (y's codes 1 and 0)" if with_y else ""))
    shown = ", ".join(f"{i} = {str(n)!r}" if _numeric(n) else f"{i} = {_shown(str(n))}"
                      for i, n in enumerate(names[:20]))
    return (f"classes (the columns of ŷ{', the codes of y' if with_y else ''}): {shown}"
            + (f" … {len(names) - 20} more" if len(names) > 20 else ""))


def _target_line(target, raw, y, names, most=4) -> str:
    """``target: 'col' = [first values, … N more]``: class names for a classifier."""
    from .render import fmt_num
    raw = np.asarray(raw)
    codes = np.asarray(y if y is not None else [])
    if codes.ndim == 2 and codes.shape[1] == 1:  # a binary classifier's 0/1 column
        codes = codes[:, 0]
    if names is not None and codes.ndim == 1 and codes.size and \
            codes.min() >= 0 and codes.max() < len(names):
        shown = [str(names[int(c)]) for c in codes[:most]]
    elif raw.dtype.kind in "biuf":
        shown = [fmt_num(float(v), 5) for v in raw[:most]]
    else:
        shown = [repr(v) for v in raw[:most]]
    more = f", … {raw.size - most} more" if raw.size > most else ""
    return f"target: {target!r} = [{', '.join(shown)}{more}]"


def model_report(model_path, data_path, target=None, rows=4, lr=None, training=False,
                 sep=None, na_values=None, decimal=None, skip_rows=0):
    from .commands import _load_source, load_model_file, model_read_options, transform_noted
    from .data.tabular import is_numeric_column
    from .optim import SGD
    from .render import Report
    from .trace import trace

    if rows < 1:
        raise _usage("--rows must be at least 1")
    loaded = load_model_file(model_path)
    model, extra = (loaded if isinstance(loaded, tuple) else (loaded, None))
    if extra is None:
        extra = getattr(model, "extra", None) or {}
    # a CSV or a bundled dataset, read as training read its file
    table = _load_source(str(data_path), sep=sep, skip_rows=skip_rows,
                         **model_read_options(extra, na_values, decimal)).table
    part = table.head(rows)
    est = None
    if isinstance(extra, dict) and "glassnet.sklearn" in extra:
        est = _sklearn_estimator(model_path, extra["glassnet.sklearn"])
        model = est.model_
    pre_d = _extra_get(extra, "preprocess", "preprocessor")
    pre = None
    if isinstance(pre_d, dict):
        from .commands import stored_part
        from .preprocess import TabularPreprocessor
        pre = stored_part(model_path, TabularPreprocessor.from_dict, pre_d)
    encoder = _stored_encoder(model_path, model, extra) if est is None else None
    trained_on = _extra_get(extra, "target", "target_column")
    if trained_on is None and pre is not None:
        trained_on = getattr(pre, "target_", None)
    forward_only = target == "none" and "none" not in part
    if forward_only:
        target = None
    elif target is None:
        target = trained_on
        if target is not None and target not in part:
            target = None  # the CSV has no labels: forward only
    elif target not in part:
        from .commands import _did_you_mean
        raise _usage(f"no column {target!r} in {data_path}" + _did_you_mean(part, target)
                     + f"; it has: {', '.join(map(_shown, part.columns))}")
    elif pre is not None and target != trained_on and target in pre.input_columns_:
        raise _usage(f"--target {target} is one of the model's input columns"
                     + (f"; it was trained to predict {trained_on!r}"
                        if trained_on is not None else "")
                     + " (--target none traces the forward pass only)")
    if pre is not None:
        # predict's notes too (unseen categories, new missing values, '.'-decimal columns)
        X = transform_noted(pre, part, extra, [*pre.input_columns_, target])
        features = list(pre.feature_names_out)
        how = "the model's stored preprocessing (TabularPreprocessor)"
    elif est is not None:
        X, features, how = _sklearn_inputs(est, part, target, data_path)
    else:
        label = {target, trained_on}   # the target is never a feature (--target none too)
        cols = [c for c in part.columns if c not in label and is_numeric_column(part[c])]
        skipped = [c for c in part.columns if c not in label and c not in cols]
        if not cols:
            raise _usage(f"{data_path} has no numeric feature columns to feed the model")
        X = part.to_numpy(cols, dtype=np.float64)
        features = cols
        how = "raw numeric columns" + (
            f" (text columns skipped: {', '.join(map(_shown, skipped))})" if skipped else "")
    one_column = _one_column_target(model, est)
    if model.n_features is not None and X.shape[1] != model.n_features:
        hint = ("pass --target to leave the target column out" if target is None else
                f"--target leaves out one column, but the model has {model.n_outputs} "
                f"outputs: trace a CSV of its feature columns only, with --target none"
                if not one_column else
                "the columns other than the target must be the model's features")
        raise _usage(f"the model expects {model.n_features} features but {how} gives "
                     f"{X.shape[1]} ({', '.join(map(_shown, features[:8]))}"
                     f"{'...' if len(features) > 8 else ''}); {hint}")
    loss = getattr(model, "loss", None)
    y = y_how = names = None
    if target is not None:
        from .commands import _missing_mask
        miss = _missing_mask(part[target])
        if miss.any():  # evaluate skips such rows; a trace needs every row it shows
            i = int(np.flatnonzero(miss)[0])
            raise _usage(f"the target column {target!r} has no value at {part.row_label(i)}, "
                         f"one of the {part.n_rows} traced row(s): fill it in or trace "
                         f"fewer --rows")
    if est is not None:
        if target is not None:
            y, y_how = _sklearn_targets(est, part[target], target)
        if type(est).__name__ == "GlassClassifier" and not getattr(est, "_multilabel", False):
            names = [_label_key(c) for c in est.classes_]
    else:
        if target is not None:
            y = _encode_target(part[target], extra, part.row_label, encoder)
        if extra.get("task") != "regression":   # (a forward pass's ŷ has them too)
            from .commands import stored_display_names
            classes = _stored_classes(extra)
            count = (len(encoder.classes_) if encoder is not None else
                     len(classes) if classes is not None else None)
            names = stored_display_names(extra, count) or classes
    scaling = _target_scaling(extra) if est is None else _estimator_scaling(est)
    if scaling is not None and y is not None and est is None:
        y_how = (f"targets as the network learns them: scaled with the file's target "
                 f"scaling, (y − {scaling['mean']:.6g}) / {scaling['std']:.6g}, as glassnet "
                 f"train does")
    opt = SGD(lr=lr) if (lr is not None and y is not None) else None
    tr = trace(model, X, y, loss, opt, training=training,
               title=f"{model_path} on the first {X.shape[0]} row(s) of {data_path}")
    rep = Report(f"glassnet explain: {model_path}")
    lines = [f"data: {data_path}, rows 1..{X.shape[0]} of {table.n_rows}"
             + (f" (all of them: fewer than the {rows} --rows asks)" if rows > table.n_rows
                else ""),
             f"features: {X.shape[1]} from {how}",
             _input_key(features, pre)]
    key = _class_key(names, model.n_outputs, with_y=target is not None)
    if target is not None:
        lines.append(_target_line(target, part[target], y, names))
        if key:
            lines.append(key)
        if y_how:
            lines.append(y_how)
    elif one_column and forward_only:
        lines.append("target: none (forward pass only, as --target none asks)")
    elif one_column:
        lines.append("target: none (forward pass only; pass --target COL for the backward "
                     "pass)")
    else:
        lines.append(f"target: none (forward pass only: the model's {model.n_outputs} outputs "
                     f"are more targets than one --target column gives)")
    if target is None and key:
        lines.append(key)
    if scaling is not None:
        out = np.asarray(tr.output, dtype=np.float64)
        units = np.asarray(out * scaling["std"] + scaling["mean"]).reshape(-1)
        whose = _shown(target or extra.get('target') or 'the target')
        if np.ndim(scaling["std"]) == 0 and np.ndim(scaling["mean"]) == 0:
            formula = (f"ŷ·{scaling['std']:.6g} {'−' if scaling['mean'] < 0 else '+'} "
                       f"{abs(scaling['mean']):.6g}")
        else:
            formula = "ŷ·y_scale_ + y_mean_ (per output)"
        lines.append(f"ŷ is the scaled target: in {whose}'s units {formula} = "
                     + ", ".join(f"{v:.6g}" for v in units[:5])
                     + (" ..." if units.size > 5 else ""))
    # (a forward pass traces no loss: the model's own is named all the same)
    own = getattr(model, "loss", None)
    lines.append(f"model: {model.n_params():,} parameters, loss "
                 + (tr.loss.name if tr.loss else repr(own) if own is not None else "—"))
    if lr is not None and opt is None:
        lines.append("--lr ignored: a step needs targets")
    elif opt is not None:
        lines.append(f"one SGD step with lr {lr:g} is shown; the model file is not changed")
        if tr.dropout_off:   # (the trace's header says the step differs from fit's)
            lines.append("--train-mode steps with dropout on, as fit does")
    rep.add_text("What is traced", lines)
    rep.add_trace(tr, "Trace")
    return rep


# -------------------------------------------------------------------------------------------------
# the command
# -------------------------------------------------------------------------------------------------

# the options that only some modes use: (option, dest, the mode it is for)
_MODE_OPTIONS = (("--epochs", "epochs", "xor"), ("--seed", "seed", "xor"),
                 ("--rows", "rows", "--model"), ("--lr", "lr", "--model"),
                 ("--train-mode", "train_mode", "--model"), ("--target", "target", "--model"),
                 ("--sep", "sep", "--model"), ("--skip-rows", "skip_rows", "--model"),
                 ("--decimal", "decimal", "--model"),
                 ("--na-values", "na_values", "--model"))


def _render_method(fmt, out) -> str:
    """The Report method of --format, else of --out FILE's extension (Trace.save's table),
    else text: a trace.html of plain text showed as one paragraph in a browser."""
    from .trace import _SAVE_FORMATS
    if fmt is not None:
        return f"to_{fmt}"
    return _SAVE_FORMATS.get(os.path.splitext(out or "")[1].lower(), "to_text")


def _note_ignored(args, mode) -> None:
    """One stderr line per given option that ``mode`` (xor, or-gate, --model) does not use."""
    for option, dest, used_by in _MODE_OPTIONS:
        # `is`, not `in (None, False)`: 0 == False, so --seed 0 or --epochs 0 counts as given
        value = getattr(args, dest, None)
        if used_by != mode and value is not None and value is not False:
            where = "explain --model" if mode == "--model" else f"explain {mode}"
            print(f"glassnet: note: {option} is ignored by `{where}` (it is for "
                  f"{'explain xor' if used_by == 'xor' else 'explain --model'})",
                  file=sys.stderr, flush=True)


def run(args) -> int:
    from .commands import refuse_destructive_out
    refuse_destructive_out(args.out, (("model file", args.model), ("input CSV", args.data)))
    if args.model or args.data:
        if args.example:
            raise _usage("give either an example (or-gate, xor) or --model/--data, not both")
        if not (args.model and args.data):
            raise _usage("--model and --data go together: glassnet explain --model FILE "
                         "--data CSV [--target COL]")
        _note_ignored(args, "--model")
        layout = args.layout or "rows"
        rep = model_report(args.model, args.data, args.target,
                           4 if args.rows is None else args.rows, args.lr,
                           args.train_mode, sep=args.sep, na_values=args.na_values,
                           decimal=args.decimal, skip_rows=args.skip_rows or 0)
    elif args.example == "or-gate":
        _note_ignored(args, "or-gate")
        layout = args.layout or "seeds"
        rep = or_gate_report()
    elif args.example == "xor":
        _note_ignored(args, "xor")
        layout = args.layout or "seeds"
        rep = xor_report(5000 if args.epochs is None else args.epochs,
                         48 if args.seed is None else args.seed)
    else:
        raise _usage("what should be explained? `glassnet explain or-gate`, `glassnet explain "
                     "xor`, or `glassnet explain --model FILE --data CSV`")
    if not 1 <= args.precision <= 17:
        raise _usage("--precision must be between 1 and 17")
    method = _render_method(args.format, args.out)
    text = getattr(rep, method)(layout=layout, max_entries=args.max_entries,
                                precision=min(args.precision, 4) if method == "to_svg"
                                else args.precision)
    if args.out and args.out != "-":
        from .io import atomic_write_text
        atomic_write_text(args.out, text)
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0
