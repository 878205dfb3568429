"""Record one training step node by node: the glass box.

``trace(model, X, y, loss, optimizer)`` runs exactly the step that ``fit`` runs on one batch
(forward in training mode, the loss, backward, one optimizer step) and keeps, for every node of
the graph, what the seeds write next to it in their hand-drawn computational graphs:

* the value that came in and the value that went out (forward, left to right);
* the node's local gradient (``layer.local_grad()``: derivative values for element-wise
  nodes; for Dense the pieces dz/dW = xᵀ and dz/dx = W);
* the upstream gradient it received, dCost/d(output), and the gradient it passed down,
  dCost/d(input) (backward, right to left): "upstream × local = passed down";
* its parameter gradients and the parameter update, old -> new.

It uses the layer contract alone (``forward``, ``backward``, ``params``, ``grads``,
``local_grad``), so any layer, including one written by a user, is traced without code of its
own. Nothing here is called by the fit loop: when tracing is not used it costs nothing.

Fused losses. When the last node is a Sigmoid (Softmax) and the loss is binary (categorical)
cross-entropy on probabilities, the engine skips the activation's backward and starts with the
simpler dCost/dz = (ŷ − y)/m ((ŷ − y)/(m·k) for binary cross-entropy on k > 1 outputs). The
trace shows the unfused chain, so every node appears:
``loss.backward()`` gives dCost/dŷ, the activation's ``backward`` turns it into dCost/dz. It
records that the engine fuses the two, and passes the engine's fused gradient on down, so that
every parameter gradient and update in the trace is bit-for-bit the engine's own.

Rendering: :meth:`Trace.to_text`, :meth:`Trace.to_markdown`, :meth:`Trace.to_svg`,
:meth:`Trace.to_html` (see :mod:`glassnet.render`), each with ``layout="rows"`` (glassnet's
examples-in-rows) or ``layout="seeds"`` (the seeds' notation: features in rows, examples in
columns, i.e. every matrix transposed).
"""
from __future__ import annotations

import inspect
import os
import re
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import losses as _losses
from ._validate import check_array, check_consistent_length, check_flag
from .layers import Dense, Dropout, Layer, check_backward_output

__all__ = ["trace", "Trace", "NodeRecord", "LossRecord"]


def _copy(a):
    return None if a is None else np.array(a, copy=True)


def _copy_dict(d):
    return {k: np.array(v, copy=True) for k, v in d.items() if v is not None}


# a trailing parenthetical made of words, e.g. "(shifted by the row max for stability)"
_REMARK = re.compile(r"\s+\((?=[^()]*[a-z]{3,}\s[a-z]{2,})[^()]*\)\.?$")


def _first_paragraph(obj) -> str:
    return _paragraph(inspect.getdoc(obj))


def _paragraph(doc) -> str:
    """The first paragraph of the docstring ``doc`` on one line ("" for None)."""
    doc = inspect.cleandoc(doc) if isinstance(doc, str) else ""
    para = doc.strip().split("\n\n")[0]
    return " ".join(ln.strip() for ln in para.splitlines())


def _first_doc_line(obj) -> str:
    return re.sub(r"\s+", " ", _first_paragraph(obj)).strip()


def _layer_doc(cls) -> str:
    """The docstring that describes what ``cls`` computes: its own, or that of the class it
    inherits ``forward`` from, never the one of the ``Layer`` base ("" if there is none)."""
    for c in cls.__mro__:
        if c is Layer or c is object:
            break
        doc = c.__dict__.get("__doc__")
        if isinstance(doc, str) and doc.strip():
            return doc
        if "forward" in c.__dict__:
            break  # a docstring further up describes another forward
    return ""


def without_bias(math: str) -> str:
    """A Dense formula as it reads for a node without a bias: ``"z = x·W + b"`` becomes
    ``"z = x·W"``, and the ``db = …`` term of its backward is left out."""
    math = re.sub(r"\s*\+\s*b(?!\w)", "", math)
    return ", ".join(t for t in re.split(r",\s+", math) if not t.startswith("db "))


def has_bias(layer) -> bool:
    """A Dense node with a bias b (``Dense(bias=False)`` has none)."""
    return isinstance(layer, Dense) and layer.bias


def forward_math(layer) -> str:
    """The node's forward formula, read from its class docstring (``"z = x·W + b"``); a
    class without a docstring of its own is shown by name, ``"Twice (custom layer)"``."""
    line = re.sub(r"\s+", " ", _paragraph(_layer_doc(type(layer)))).strip()
    if not line:
        return f"{type(layer).__name__} (custom layer)"
    code = [c for c in re.findall(r"``(.+?)``", line) if re.search(r"\s=\s", c)]
    if code:
        return code[0] if not isinstance(layer, Dense) or has_bias(layer) else without_bias(code[0])
    line = re.split(r"(?<=[.;])\s", line)[0].replace("``", "")
    line = _REMARK.sub("", line)
    return line.strip().rstrip(".")


def backward_math(layer) -> str:
    """The node's backward formula, read from its ``backward`` docstring (the guide asks every
    backward to state its math there)."""
    fn = getattr(type(layer), "backward", None)
    para = _paragraph(getattr(fn, "__doc__", None))  # its own: an override inherits none
    if not para:   # an element-wise node's default; a node of its own says nothing
        return ("dx = dy ⊙ local gradient" if type(layer).__module__.startswith("glassnet")
                else "(its backward has no docstring to show a formula from)")
    para = re.sub(r"\s{2,}\([^()]*\)\.?$", "", para)  # drop a trailing "  (remark)"
    math = re.sub(r"\s+", " ", para).strip().rstrip(".")
    return math if not isinstance(layer, Dense) or has_bias(layer) else without_bias(math)


def short_repr(obj) -> str:
    """``repr`` showing only the arguments that differ from their defaults (and ``lr``)."""
    try:
        cfg = obj.config()
        sig = inspect.signature(type(obj).__init__).parameters
        parts = [f"{k}={v!r}" for k, v in cfg.items()
                 if k == "lr" or k not in sig or sig[k].default != v]
        return f"{type(obj).__name__}({', '.join(parts)})"
    except Exception:  # an object without config(): its plain repr
        return repr(obj)


def mismatch_message(rec, expr_of=None) -> str:
    """The ⚠ line of a node whose ``backward`` disagrees with its local gradient;
    ``expr_of(name)`` gives the chain-rule expression as the renderer shows it."""
    parts = []
    for name, diff in rec.chain_mismatch.items():
        expr = expr_of(name) if expr_of else rec.chain[name][0]
        parts.append(f"{name} from backward() differs from {expr} by up to {diff:.3g}")
    keys = ", ".join(rec.local_grad)
    return (f"node {rec.index} ({rec.kind}): {'; '.join(parts)}: {rec.kind}.backward disagrees "
            f"with its local_grad ({keys}), so one of them is wrong; check the layer with "
            f"gn.gradcheck(layer, x)")


# Trace.save: extension -> the method that renders it
_SAVE_FORMATS = {".txt": "to_text", ".md": "to_markdown", ".markdown": "to_markdown",
                 ".svg": "to_svg", ".html": "to_html", ".htm": "to_html"}


@dataclass
class NodeRecord:
    """What one node of the graph did during the traced step.

    Attributes
    ----------
    index : int
        Position of the node in ``model.layers``.
    layer : Layer
        The node itself (live object; the arrays below are copies).
    name : str
        ``repr`` of the node, e.g. ``"Dense(n_in=2, n_out=1)"``.
    in_name, out_name : str
        Names of the values flowing in and out, as the seeds name them: ``X``, ``z1``, ``a1``,
        ..., the last one ``ŷ``.
    input, output : ndarray
        The values in and out (forward).
    local_grad : dict of str -> ndarray
        ``layer.local_grad()`` right after the forward pass.
    upstream : ndarray or None
        dCost/d(output), the gradient this node received.
    downstream : ndarray or None
        dCost/d(input), the gradient it passed down (None when not computed).
    param_grads : dict of str -> ndarray
        dCost/d(parameter) for each parameter, from the loss (what ``backward`` wrote).
    l2_grads : dict of str -> ndarray
        For a Dense with ``l2 > 0``: the whole dCost/dW, the loss's part plus the penalty's
        (l2/m)·W (m is Σw with sample weights: ``l2_denom``), which the step uses (the cost
        shown includes the penalty).
    params_before, params_after : dict of str -> ndarray
        Parameter values before and after the optimizer step (``params_after`` is empty
        without an optimizer).
    fused : bool
        True for the activation whose backward the engine fuses into the loss.
    fused_formula : str
        The fused gradient's formula (see ``LossRecord.fused_formula``).
    unfused_downstream : ndarray or None
        For the fused node: what the unfused chain (upstream × local) gives; the engine's
        fused gradient is ``downstream``.
    chain : dict of str -> (str, ndarray, ndarray, str)
        The chain rule written out from the local gradient: gradient name -> (expression,
        product, the engine's value, the expression in the seeds' transposed layout).
        Element-wise: dCost/dx = upstream ⊙ dy/dx; Dense: dCost/dW = xᵀ·upstream,
        dCost/db = Σ_rows upstream, dCost/dx = upstream·Wᵀ.
    notes : list of str
    chain_mismatch : dict of str -> float
        The gradients for which what ``backward`` returned (or wrote into ``grads``) differs
        from every chain-rule product of the local gradient beyond rounding: gradient name ->
        largest absolute difference. Non-empty means the node's ``backward`` and its
        ``local_grad`` disagree (one of them is wrong); the renderers show both values and a
        ⚠ line, and ``trace`` warns.
    """

    index: int
    layer: object
    name: str
    kind: str
    in_name: str
    out_name: str
    forward_math: str
    backward_math: str
    input: np.ndarray
    output: np.ndarray
    local_grad: dict
    params_before: dict
    upstream: np.ndarray | None = None
    downstream: np.ndarray | None = None
    param_grads: dict = field(default_factory=dict)
    l2_grads: dict = field(default_factory=dict)
    l2_denom: str = "m"   # what the L2 penalty is divided by: m rows, or Σw with weights
    params_after: dict = field(default_factory=dict)
    fused: bool = False
    fused_formula: str = "(ŷ − y)/m"
    unfused_downstream: np.ndarray | None = None
    chain: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    chain_mismatch: dict = field(default_factory=dict)

    def cost_grad(self, name):
        """dCost/d(parameter ``name``) as the step uses it: with an L2 penalty's part."""
        return self.l2_grads.get(name, self.param_grads[name])

    @property
    def has_params(self) -> bool:
        return bool(self.params_before)

    @property
    def has_bias(self) -> bool:
        return has_bias(self.layer)

    def grad_name(self, of: str) -> str:
        return f"dCost/d{of}"


@dataclass
class LossRecord:
    """The loss node: the cost and the first gradient of the backward pass.

    Attributes
    ----------
    name : str
        ``repr`` of the loss.
    value : float
        The cost on the batch.
    y_pred, y_true : ndarray
        The model's output ŷ and the targets, as the loss received them.
    grad : ndarray
        dCost/dŷ from ``loss.backward()`` (the unfused chain's first step).
    fused : bool
        The engine fuses this loss with the model's last node.
    fused_grad : ndarray or None
        The engine's fused gradient dCost/dz = (ŷ − y)/m (input of the last node;
        (ŷ − y)/(m·k) for binary cross-entropy on k > 1 outputs, averaged over them).
    fused_formula : str
        That formula, as the renderers print it.
    """

    name: str
    value: float
    y_pred: np.ndarray
    y_true: np.ndarray
    grad: np.ndarray
    math: str = ""
    fused: bool = False
    fused_with: str | None = None
    fused_grad: np.ndarray | None = None
    fused_formula: str = "(ŷ − y)/m"
    notes: list = field(default_factory=list)


def _clipped(loss, out) -> str:
    """After ``forward``, for a cross-entropy on probabilities (which clips ŷ for its logs):
    ``"ŷ clipped to [eps, 1 − eps] (eps = 1e-12: 1 of 2 entries clipped)"``, read from the
    clipped ŷ the loss kept; "" when it clipped nothing."""
    if getattr(loss, "from_logits", True):
        return ""
    if isinstance(loss, _losses.BinaryCrossEntropy):
        kept, bound = loss._p, "[eps, 1 − eps]"
    elif isinstance(loss, _losses.CategoricalCrossEntropy):
        kept, bound = loss._pc, "[eps, 1]"
    else:
        return ""
    n = int(np.count_nonzero(kept != out))
    eps = _losses.loss_clip_eps(loss, out.dtype)
    return f"ŷ clipped to {bound} (eps = {eps:g}: {n} of {out.size} entries clipped)" if n else ""


def _fused_formula(loss, out, weighted=False) -> str:
    """The fused gradient dCost/dz as the loss computes it: binary cross-entropy averages
    over the m·k entries of k > 1 outputs (unless ``sum_outputs``), the others over m rows;
    with sample weights, row i's share is wᵢ/Σw instead of 1/m."""
    k = out.shape[1] if out.ndim == 2 else 1
    per_entry = isinstance(loss, _losses.BinaryCrossEntropy) and k > 1 and \
        not getattr(loss, "sum_outputs", False)
    if weighted:
        return "w·(ŷ − y)/(Σw·k)" if per_entry else "w·(ŷ − y)/Σw"
    return "(ŷ − y)/(m·k)" if per_entry else "(ŷ − y)/m"


class Trace:
    """One traced step: the nodes in graph order, then the loss.

    Attributes
    ----------
    nodes : list of NodeRecord
    loss : LossRecord or None
        None for a forward-only trace (no targets given).
    X : ndarray
        The batch, as the model saw it.
    optimizer : str or None
        ``repr`` of the optimizer that took the step (None: no step was taken).
    training : bool
        Whether the forward pass ran in training mode (dropout active), as in ``fit``.
    dtype : str
    """

    def __init__(self, nodes, loss, X, optimizer, training, dtype, model_name="Sequential",
                 n_params=0, title=None):
        self.nodes: list[NodeRecord] = nodes
        self.loss: LossRecord | None = loss
        self.X = X
        self.optimizer = optimizer
        self.training = training
        self.dtype = dtype
        self.model_name = model_name
        self.n_params = n_params
        self.title = title

    # -- access -----------------------------------------------------------------------------------
    def __len__(self):
        return len(self.nodes)

    def __iter__(self):
        return iter(self.nodes)

    def __getitem__(self, i):
        return self.nodes[i]

    @property
    def output(self) -> np.ndarray:
        """The model's output ŷ on the batch."""
        return self.nodes[-1].output if self.nodes else self.X

    @property
    def cost(self) -> float | None:
        return None if self.loss is None else self.loss.value

    @property
    def step_taken(self) -> bool:
        return self.optimizer is not None

    @property
    def dropout_off(self) -> bool:
        """The forward pass ran in inference mode through a Dropout node (rate > 0), which
        ``fit`` always runs in training mode: the step is not the one fit takes."""
        return not self.training and any(isinstance(n.layer, Dropout) and n.layer.rate > 0
                                         for n in self.nodes)

    def grads(self) -> list[np.ndarray]:
        """Parameter gradients dCost/dθ in ``model.parameters()`` order (with an L2
        penalty's part, as the step uses them)."""
        return [n.cost_grad(k) for n in self.nodes for k in n.params_before
                if k in n.param_grads]

    def params_before(self) -> list[np.ndarray]:
        return [n.params_before[k] for n in self.nodes for k in n.params_before]

    def params_after(self) -> list[np.ndarray]:
        """Parameters after the step (empty without an optimizer)."""
        return [n.params_after[k] for n in self.nodes for k in n.params_after]

    def chain_errors(self) -> dict:
        """For every chain-rule product the trace wrote out: the largest absolute difference
        from what the engine computed (0.0 or rounding error; large means a wrong backward)."""
        out = {}
        for n in self.nodes:
            for key, (_, val, ref, _) in n.chain.items():
                if ref is not None and val is not None and np.shape(val) == np.shape(ref):
                    out[(n.index, key)] = float(np.max(np.abs(val - ref))) if np.size(val) else 0.0
        return out

    # -- rendering (see glassnet.render) ----------------------------------------------------------
    def to_text(self, layout: str = "rows", precision: int = 5, max_entries: int = 12) -> str:
        """A plain-text table, one block per node (for a terminal)."""
        from .render import trace_to_text
        return trace_to_text(self, layout=layout, precision=precision, max_entries=max_entries)

    def to_markdown(self, layout: str = "rows", precision: int = 5, max_entries: int = 12) -> str:
        """Markdown: a summary table and one table per node."""
        from .render import trace_to_markdown
        return trace_to_markdown(self, layout=layout, precision=precision,
                                 max_entries=max_entries)

    def to_svg(self, layout: str = "rows", precision: int = 4, max_entries: int = 12) -> str:
        """The computational graph as the seeds draw it: nodes in a row, forward values on
        green edges to the right, gradients on red edges to the left; a standalone SVG."""
        from .render import trace_to_svg
        return trace_to_svg(self, layout=layout, precision=precision, max_entries=max_entries)

    def to_html(self, layout: str = "rows", precision: int = 5, max_entries: int = 12,
                title: str | None = None) -> str:
        """A self-contained HTML page: the graph (inline SVG) and the node tables."""
        from .render import Report
        rep = Report(title or self.title or "glassnet trace")
        rep.add_trace(self)
        return rep.to_html(layout=layout, precision=precision, max_entries=max_entries)

    def to_html_fragment(self, layout: str = "rows", precision: int = 5, max_entries: int = 12,
                         title: str | None = None) -> str:
        """What :meth:`to_html` shows, as a fragment for another page (a notebook cell): no
        ``<html>``/``<body>``, CSS scoped under ``div.glassnet-report``, ids unique per call."""
        from .render import Report
        rep = Report(title or self.title or "glassnet trace")
        rep.add_trace(self)
        return rep.to_html_fragment(layout=layout, precision=precision, max_entries=max_entries)

    def _repr_html_(self):
        """Jupyter's rich display: the graph and the tables, as an HTML fragment."""
        return self.to_html_fragment()

    def save(self, path, layout: str = "rows", **kwargs) -> None:
        """Write the trace; the format follows the extension (.txt, .md or .markdown, .svg,
        .html or .htm, in any case); any other extension, or none, is a ValueError."""
        from .io import _as_path, atomic_write_text
        ext = os.path.splitext(_as_path(path))[1].lower()
        method = _SAVE_FORMATS.get(ext)
        if method is None:
            raise ValueError(f"cannot save a trace as {_as_path(path)!r}: "
                             + (f"unknown extension {ext!r}" if ext else "it has no extension")
                             + "; use one of " + ", ".join(_SAVE_FORMATS))
        atomic_write_text(path, getattr(self, method)(layout=layout, **kwargs))

    def __str__(self):
        return self.to_text()

    def __repr__(self):
        cost = "" if self.loss is None else f", cost={self.loss.value:.6g}"
        step = "" if self.optimizer is None else f", optimizer={self.optimizer}"
        return f"Trace({len(self.nodes)} nodes, batch={self.X.shape[0]}{cost}{step})"


# -------------------------------------------------------------------------------------------------
# the tracer
# -------------------------------------------------------------------------------------------------

def _value_names(layers, logits=False):
    """Names of the values between nodes: X, then z1, a1, z2, a2, ... (z after a node with
    parameters, a after a parameter-free one), the last one ŷ, unless the loss takes
    ``logits`` (``from_logits=True``): then it keeps its z name, since the seeds' ŷ is a
    probability."""
    names, k, used = ["X"], 0, set()
    for layer in layers:
        if layer.params:
            k += 1
            base = f"z{k}"
        else:
            base = f"a{k}" if k else "a"
        name = base
        while name in used:
            name += "′"
        used.add(name)
        names.append(name)
    if not logits:
        names[-1] = "ŷ"
    return names


def _candidates_input(up, L, key):
    """Ways the contract's local gradient with respect to the input can meet the upstream
    gradient, most specific first: (product, expression rows layout, expression seeds layout)."""
    out = []
    if L.shape == up.shape:                                   # element-wise: dy/dx values
        e = f"upstream ⊙ {key}"
        out.append((lambda: up * L, e, e))
    if L.ndim == 3 and up.ndim == 2 and L.shape[:2] == up.shape and L.shape[2] == up.shape[1]:
        e = f"upstream · {key} (per row)"                    # a Jacobian per row
        out.append((lambda: np.einsum("mi,mij->mj", up, L), e, e))
    if L.ndim == 2 and up.ndim == 2 and L.shape[1] == up.shape[1]:   # a matrix: dz/dx = W
        out.append((lambda: up @ L.T, f"upstream · ({key})ᵀ", f"({key})ᵀ · upstream"))
    return out


def _candidates_param(up, L, key, ref):
    out = []
    if L.ndim == 2 and up.ndim == 2 and L.shape[1] == up.shape[0]:   # dz/dW = xᵀ
        out.append((lambda: L @ up, f"{key} · upstream", f"upstream · {key}"))
    if L.shape == up.shape:
        if ref.shape == up.shape:
            e = f"upstream ⊙ {key}"
            out.append((lambda: up * L, e, e))
        elif up.ndim == ref.ndim + 1 and up.shape[1:] == ref.shape:
            e = f"Σ_rows upstream ⊙ {key}"
            out.append((lambda: (up * L).sum(axis=0), e, e))
    return out


def _agrees(prod, ref) -> bool:
    """``prod`` equals the engine's ``ref`` up to rounding (NaN matching NaN)."""
    if prod.shape != ref.shape:
        return False
    if not ref.size:
        return True
    mag = np.abs(ref[np.isfinite(ref)])
    scale = float(mag.max()) if mag.size else 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.allclose(prod, ref, rtol=1e-4, atol=1e-6 * (1 + scale), equal_nan=True))


def _max_diff(a, b) -> float:
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))
    finite = d[np.isfinite(d)]
    if finite.size < d.size:
        return float("inf")
    return float(finite.max()) if finite.size else 0.0


def _chain_rule(rec: NodeRecord):
    """Write the chain rule out from the local gradient, by the contract's naming: a key
    ``"d?/dx"`` is the local gradient with respect to the input, ``"d?/d<param>"`` with respect
    to that parameter. Element-wise (same shape as the upstream): product ⊙; a Jacobian per row
    (m, k, k): row-wise matrix product; a matrix W for dz/dx: upstream·Wᵀ; xᵀ for dz/dW:
    xᵀ·upstream. When shapes alone are ambiguous (a square batch), the reading that agrees with
    the engine is shown; when none does, the first is shown, the disagreement is recorded in
    ``rec.chain_mismatch`` (the renderers then show both values) and ``Trace.chain_errors``
    reports it. A Dense bias, whose local gradient dz/db is 1 for every row, gets
    dCost/db = Σ_rows upstream."""
    up = rec.upstream
    if up is None:
        return
    for key, L in rec.local_grad.items():
        if L is None or "/d" not in key:
            continue
        wrt = key.split("/d", 1)[1]
        if wrt == "x":
            ref = rec.unfused_downstream if rec.fused else rec.downstream
            _write_chain(rec, f"dCost/d{rec.in_name}", _candidates_input(up, L, key), ref)
        elif wrt in rec.param_grads:
            ref = rec.param_grads[wrt]
            _write_chain(rec, f"dCost/d{wrt}", _candidates_param(up, L, key, ref), ref)
    if rec.has_bias and up.ndim == 2:
        _write_chain(rec, "dCost/db", [(lambda: up.sum(axis=0), "Σ_rows upstream",
                                        "Σ over examples of upstream")], rec.param_grads["b"])


def _write_chain(rec: NodeRecord, target, cands, ref):
    """Record in ``rec.chain[target]`` the first of the candidate products ``cands`` that
    agrees with the engine's ``ref`` (else the first one, and the disagreement)."""
    chosen = None
    for make, e_rows, e_seeds in cands:
        try:
            prod = make()
        except ValueError:
            continue
        entry = (e_rows, prod, ref, e_seeds)
        if chosen is None:
            chosen = entry
        if ref is not None and _agrees(prod, ref):
            chosen, agreed = entry, True
            break
    else:
        agreed = False
    if chosen is not None:
        rec.chain[target] = chosen
        prod, ref = chosen[1], chosen[2]
        if (not agreed and ref is not None and prod.shape == ref.shape
                and np.isfinite(prod).all() and np.isfinite(ref).all()):
            # (non-finite values are no evidence: inf·0 is NaN in one product, not another)
            rec.chain_mismatch[target] = _max_diff(prod, ref)


def trace(model, X, y=None, loss=None, optimizer=None, *, training: bool = True,
          input_grad: bool = True, title: str | None = None, sample_weight=None,
          class_weight=None) -> Trace:
    """Run one training step of ``model`` on the batch ``(X, y)`` and record every node.

    Parameters
    ----------
    model : Sequential
    X : array of shape (m, n_features)
        The batch (a few rows are best for reading; large arrays are summarized).
    y : array, optional
        Targets, in any form ``fit`` accepts. Without targets only the forward pass runs.
    loss : Loss or name, optional
        Default: the model's own loss (``model.loss`` after ``fit``), else the one ``fit``
        would choose (Sigmoid -> binary cross-entropy, Softmax -> categorical, else MSE).
    optimizer : Optimizer or name, optional
        When given, one ``optimizer.step(model.parameters())`` is taken, exactly as ``fit``
        takes it, so **the model's parameters change** (and the optimizer's state advances).
        Without it the model is left as it was (only its gradients and its nodes' caches
        are filled; the generators of dropout nodes are put back, so a later ``fit`` draws
        the same masks as without the trace).
    training : bool
        Run the forward pass in training mode, as ``fit`` does (dropout active, drawing its
        mask from the layer's generator). ``False`` traces inference (dropout off).
    input_grad : bool
        Also compute dCost/dX at the first node (the engine skips it during training: nobody
        needs the gradient of the data); it changes no other number.
    title : str, optional
        A caption for the renderers.
    sample_weight : array of shape (m,), optional
        A weight wᵢ >= 0 per row, as ``fit`` takes it: the cost is Σ wᵢ·ℓᵢ / Σ wᵢ (so row i's
        gradient is scaled by wᵢ/Σw) and an L2 penalty is divided by Σw instead of m.
    class_weight : dict {class index: weight}, optional
        As ``fit`` takes it: each row weighs its class's weight (times its ``sample_weight``),
        e.g. ``{0: 1.0, 1: 10.0}``; for a classifier with one label per row.

    Returns
    -------
    Trace
    """
    from .model import Sequential
    from .train import model_loss

    if not isinstance(model, Sequential):
        if isinstance(model, Layer):
            hint = f"; wrap a single node as gn.Sequential([{type(model).__name__}(...)])"
        elif isinstance(getattr(model, "model_", None), Sequential):
            hint = (f"; a fitted {type(model).__name__} holds one in .model_ (it expects the "
                    f"standardized inputs (X - x_mean_) / x_scale_)")
        else:
            hint = ""
        raise TypeError(f"trace expects a glassnet Sequential model, got "
                        f"{type(model).__name__}" + (f" {model!r}" if isinstance(model, str)
                                                      else "") + hint)
    training = check_flag(training, "training", "trace")
    input_grad = check_flag(input_grad, "input_grad", "trace")
    # X checked before an unbuilt model is built: a rejected X must not fix the input width
    model._check_names(X)
    X = check_array(X, name="X", dtype=model.dtype,
                    n_features=model.n_features if model.built else None)
    model._ensure_built(X.shape[1])
    loss = model_loss(model, loss, "trace")
    if optimizer is not None:
        from . import optim as _optim
        optimizer = _optim.get(optimizer)

    bad = model._nonfinite_params()
    if bad:
        warnings.warn(f"the model has non-finite parameters (NaN or infinity: "
                      f"{'; '.join(bad[:3])}{'; …' if len(bad) > 3 else ''}), so the traced "
                      f"values are not finite either (were the weights set by hand, or saved "
                      f"from a diverged run?)", RuntimeWarning, stacklevel=2)
        with np.errstate(all="ignore"):  # NumPy's own overflow/invalid warnings add nothing
            return _trace(model, X, y, loss, optimizer, training, input_grad, title,
                          sample_weight, class_weight)
    return _trace(model, X, y, loss, optimizer, training, input_grad, title, sample_weight,
                  class_weight)


def _trace(model, X, y, loss, optimizer, training, input_grad, title, sample_weight=None,
           class_weight=None):
    from .train import prepare_targets

    layers = model.layers
    names = _value_names(layers, logits=getattr(loss, "from_logits", False) is True)
    records: list[NodeRecord] = []

    # -- forward, left to right -------------------------------------------------------------------
    # Without a step the model is left as it was: the generators of its random nodes
    # (dropout masks) are put back, so a later fit draws what it would have drawn.
    generators = [] if optimizer is not None else [
        (layer.rng, layer.rng.bit_generator.state) for layer in layers
        if isinstance(getattr(layer, "rng", None), np.random.Generator)]
    out = X
    try:
        for i, layer in enumerate(layers):
            x_in = out
            out = layer.forward(x_in, training)
            records.append(NodeRecord(
                index=i, layer=layer, name=repr(layer), kind=type(layer).__name__,
                in_name=names[i], out_name=names[i + 1], forward_math=forward_math(layer),
                backward_math=backward_math(layer), input=_copy(x_in), output=_copy(out),
                local_grad=_copy_dict(layer.local_grad()),
                params_before=_copy_dict(layer.params)))
    finally:
        for rng, state in generators:
            rng.bit_generator.state = state

    if y is None:
        if optimizer is not None:
            raise ValueError("trace: an optimizer step needs targets y")
        for name, given in (("sample_weight", sample_weight), ("class_weight", class_weight)):
            if given is not None:
                raise ValueError(f"trace: {name} weighs the rows' losses, which need targets y")
        return Trace(records, None, _copy(X), None, training, model.dtype.name,
                     n_params=model.n_params(), title=title)

    check_consistent_length(X, y)   # "X has 2 rows but y has 3", as fit says it
    Y = prepare_targets(y, loss, model.n_outputs, model.dtype)
    w = None
    if sample_weight is not None or class_weight is not None:
        from .train import (_check_weighted_loss, _class_row_weights, check_sample_weight,
                            with_class_weights)
        _check_weighted_loss(loss)
        if sample_weight is not None:
            w = check_sample_weight(sample_weight, len(X), model.dtype)
        if class_weight is not None:  # each row weighs its class's weight, as in fit
            w = with_class_weights(_class_row_weights(class_weight, Y, loss, model.n_outputs),
                                   w, model.dtype)
    from .train import checked_loss
    cost = checked_loss(loss, out, Y, w)
    fused = model.fused_with(loss)
    # dCost/dŷ: the first gradient of the unfused chain (a custom loss's shape is checked)
    dy = check_backward_output(loss, None, loss.backward(), out.shape)
    lrec = LossRecord(name=short_repr(loss), value=float(cost), y_pred=_copy(out),
                      y_true=_copy(Y), grad=_copy(dy), math=_first_doc_line(type(loss)).rstrip("."),
                      fused=fused)
    clipped = _clipped(loss, out)
    if clipped:
        lrec.notes.append(f"the cost is computed on {clipped}, since log 0 is infinite; "
                          f"dCost/dŷ too")
    if w is not None:
        from .train import _l2_terms
        shown = ", ".join(f"{float(v):.4g}" for v in w[:8]) + (", …" if len(w) > 8 else "")
        source = ("" if class_weight is None else " (each row's class_weight" +
                  (" × its sample_weight)" if sample_weight is not None else ")"))
        lrec.notes.append(f"sample weights w = [{shown}]{source}: the cost is Σ wᵢ·ℓᵢ / Σ wᵢ "
                          f"(Σ w = {float(w.sum(dtype=np.float64)):.6g}), so row i's gradient "
                          f"is scaled by wᵢ/Σw, as fit weighs it"
                          + ("; an L2 penalty is divided by Σw, not m" if _l2_terms(model)
                             else ""))
    if fused:
        lrec.fused_with = type(layers[-1]).__name__
        lrec.fused_grad = _copy(loss.fused_backward())
        lrec.fused_formula = _fused_formula(loss, out, weighted=w is not None)
        lrec.notes.append(
            f"the engine fuses {type(layers[-1]).__name__} with {type(loss).__name__}: its "
            f"backward starts below the {type(layers[-1]).__name__} node with dCost/dz = "
            f"{lrec.fused_formula}; the trace shows the unfused chain (loss → {type(layers[-1]).__name__})"
            f" and passes the engine's fused value on")

    # -- backward, right to left ------------------------------------------------------------------
    first = layers[0]
    saved = first.needs_input_grad
    first.needs_input_grad = bool(input_grad)
    try:
        for i in range(len(layers) - 1, -1, -1):
            layer, rec = layers[i], records[i]
            rec.upstream = _copy(dy)
            dx = check_backward_output(layer, i, layer.backward(dy), rec.input.shape,
                                       needed=layer.needs_input_grad)
            if fused and i == len(layers) - 1:
                rec.fused = True
                rec.fused_formula = lrec.fused_formula
                rec.unfused_downstream = _copy(dx)
                dx = loss.fused_backward()
                diff = float(np.max(np.abs(rec.unfused_downstream - dx))) if dx.size else 0.0
                scale = float(np.max(np.abs(dx))) if dx.size else 0.0
                rounding = diff <= 1e-6 * max(scale, 1e-12) or diff < 1e-12
                same = "is the same" if diff == 0 else f"differs from it by at most {diff:.2g}"
                why = ("" if diff == 0 else ", rounding" if rounding else
                       ", as ŷ saturates: the unfused chain multiplies a huge upstream by a "
                       "local gradient rounded to 0 or clipped; the fused form is exact")
                rec.notes.append(
                    f"fused by the engine with {type(loss).__name__}: it computes dCost/d"
                    f"{rec.in_name} = {lrec.fused_formula} directly (the unfused product "
                    f"upstream × local "
                    f"{same}{why}); the value passed down is the engine's"
                    + (f"; it takes ŷ unclipped, while the cost shown is computed on "
                       f"{clipped}" if clipped else ""))
            rec.downstream = _copy(dx)
            rec.param_grads = _copy_dict(layer.grads)
            if i == 0 and dx is not None:
                rec.notes.append("dCost/dX is shown for completeness: in training the engine "
                                 "skips it (nobody needs the gradient of the data)")
            if dx is None:
                # a node that declined to compute its input gradient ends the chain
                for j in range(i - 1, -1, -1):
                    records[j].notes.append("no gradient reached this node")
                break
            dy = dx
    finally:
        first.needs_input_grad = saved

    for rec in records:
        _chain_rule(rec)
        if rec.chain_mismatch:
            warnings.warn(mismatch_message(rec), RuntimeWarning, stacklevel=3)

    # -- Dense(l2=α): the penalty ½·(α/m)·‖W‖² in the cost and (α/m)·W in the step, as fit ---
    from .train import _apply_l2, _l2_terms
    m = len(X) if w is None else float(w.sum(dtype=np.float64))  # as fit divides
    terms = _l2_terms(model)
    with_l2 = {id(W) for _, W, _ in terms}
    l2_nodes = []
    for rec, layer in zip(records, layers):
        if layer.params and not getattr(layer, "trainable", True):
            rec.notes.append("frozen (trainable = False): its gradients are computed and "
                             "shown, but a step leaves its parameters as they are (and an l2 "
                             "penalty is left out), as fit does")
        if id(layer.params.get("W")) in with_l2:
            l2_nodes.append((rec, layer))
            d = rec.l2_denom = "m" if w is None else "Σw"
            rec.notes.append(f"l2={layer.l2:g}: the cost has the penalty ½·(l2/{d})·‖W‖², "
                             f"whose gradient (l2/{d})·W is added to the loss's part dLoss/dW "
                             f"(as fit does before its step): dCost/dW = dLoss/dW + "
                             f"(l2/{d})·W")
    penalty = _apply_l2(terms, m)
    for rec, layer in l2_nodes:  # the whole gradient, as the step takes it
        rec.l2_grads["W"] = _copy(layer.grads["W"])
    if penalty:
        lrec.value += 0.5 * penalty / m
        lrec.notes.append(f"the cost includes the L2 penalty "
                          f"½·Σ(l2/{'m' if w is None else 'Σw'})·‖W‖² = "
                          f"{0.5 * penalty / m:.6g} of the Dense nodes with l2 > 0")

    # -- the optimizer step -----------------------------------------------------------------------
    opt_name = None
    if optimizer is not None:
        optimizer.step(model.trainable_parameters())   # frozen layers stay, as in fit
        opt_name = short_repr(optimizer)
        for rec, layer in zip(records, layers):
            rec.params_after = _copy_dict(layer.params)

    return Trace(records, lrec, _copy(X), opt_name, training, model.dtype.name,
                 n_params=model.n_params(), title=title)
