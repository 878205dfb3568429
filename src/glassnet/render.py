"""Render a :class:`~glassnet.trace.Trace` as a terminal table, Markdown, an SVG graph in the
seeds' style, or a self-contained HTML page; and :class:`Report`, a page of narrative steps and
traces (what ``glassnet explain`` prints).

Two layouts:

* ``"rows"`` (default): glassnet's layout, examples in rows, X of shape (m, n);
* ``"seeds"``: the seeds' notation, features in rows and examples in columns: every matrix is
  shown transposed (so W appears as the seeds' n_out × n_in matrix, ŷ as a row).

Arrays with more than ``max_entries`` entries are summarized (shape, mean, std, min, max and
the first few entries) instead of printed whole. Pure Python and NumPy: no dependencies.
"""
from __future__ import annotations

import hashlib
import html as _html
import itertools
import re

import numpy as np

__all__ = ["Report", "trace_to_text", "trace_to_markdown", "trace_to_svg", "format_array",
           "array_lines", "LAYOUTS"]

LAYOUTS = ("rows", "seeds")

LAYOUT_NOTE = {
    "rows": "rows = examples, columns = features (glassnet's layout)",
    "seeds": "the seeds' notation: features in rows, examples in columns (every matrix "
             "transposed)",
}


def _check_layout(layout, precision=5):
    """Check the options every renderer takes: ``layout``, and ``precision`` (significant
    digits, an integer from 1 to 17, as ``glassnet explain --precision``)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    if isinstance(precision, (bool, np.bool_)) or not isinstance(precision, (int, np.integer)):
        raise TypeError(f"precision must be an integer from 1 to 17 (significant digits), got "
                        f"{precision!r}")
    if not 1 <= precision <= 17:
        raise ValueError(f"precision must be between 1 and 17 (significant digits), got "
                         f"{precision}")
    return layout


# -------------------------------------------------------------------------------------------------
# numbers and arrays
# -------------------------------------------------------------------------------------------------

def fmt_num(v, precision: int = 5) -> str:
    """A number in at most ``precision`` significant digits; integers without a decimal point."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if v != v:
        return "nan"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    if v == round(v) and abs(v) < 1e9:
        return str(int(round(v)))
    s = f"{v:.{precision}g}"
    if "e" in s:
        mant, exp = s.split("e")
        s = f"{mant}e{int(exp)}"
    return s


def _lay(a, layout):
    a = np.asarray(a)
    if layout == "seeds" and a.ndim == 2:
        return a.T
    return a


def _shape(a) -> str:
    return "(" + ", ".join(str(s) for s in a.shape) + ("," if a.ndim == 1 else "") + ")"


def summary_lines(a, precision: int = 4, n_first: int = 4) -> list[str]:
    """Shape, mean, std, min, max and the first entries of a large array."""
    a = np.asarray(a)
    flat = a.reshape(-1)
    if a.dtype.kind == "b":
        flat = flat.astype(np.int64)
    f = flat.astype(np.float64)
    finite = f[np.isfinite(f)]
    p = precision
    if finite.size:
        stats = (f"mean {fmt_num(finite.mean(), p)}  std {fmt_num(finite.std(), p)}",
                 f"min {fmt_num(finite.min(), p)}  max {fmt_num(finite.max(), p)}")
    else:
        stats = ("no finite values", "")
    first = ", ".join(fmt_num(x, p) for x in f[:n_first])
    more = ", …" if f.size > n_first else ""
    lines = [f"shape {_shape(a)}, {a.size} entries", *[s for s in stats if s],
             f"first [{first}{more}]"]
    n_bad = f.size - finite.size
    if n_bad:
        lines.append(f"{n_bad} non-finite")
    return lines


def array_lines(a, layout: str = "rows", precision: int = 5, max_entries: int = 12) -> list[str]:
    """An array as lines of text: matrices row by row with aligned columns; large arrays
    summarized."""
    if a is None:
        return ["—"]
    a = _lay(a, layout)
    if a.ndim == 0:
        return [fmt_num(a.item(), precision)]
    if a.size > max_entries:
        return summary_lines(a, precision)
    if a.ndim == 1:
        return ["[" + "  ".join(fmt_num(x, precision) for x in a.tolist()) + "]"]
    if a.ndim == 2:
        cells = [[fmt_num(x, precision) for x in row] for row in a.tolist()]
        if not cells or not cells[0]:
            return [f"empty {_shape(a)}"]
        widths = [max(len(r[j]) for r in cells) for j in range(len(cells[0]))]
        rows = ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
        if len(rows) == 1:
            return ["[[" + rows[0] + "]]"]
        return (["[[" + rows[0] + "]"] + [" [" + r + "]" for r in rows[1:-1]]
                + [" [" + rows[-1] + "]]"])
    return [format_array(a, "rows", precision, max_entries)]


def _nested(x, precision):
    if isinstance(x, list):
        return "[" + ", ".join(_nested(v, precision) for v in x) + "]"
    return fmt_num(x, precision)


def format_array(a, layout: str = "rows", precision: int = 5, max_entries: int = 12) -> str:
    """An array on one line: a nested list, or a summary for large arrays."""
    if a is None:
        return "—"
    a = _lay(a, layout)
    if a.ndim == 0:
        return fmt_num(a.item(), precision)
    if a.size > max_entries:
        return "; ".join(summary_lines(a, precision))
    return _nested(a.tolist(), precision)


# -------------------------------------------------------------------------------------------------
# the pieces every renderer needs
# -------------------------------------------------------------------------------------------------

def _header(tr) -> list[str]:
    m = tr.X.shape[0]
    n = tr.X.shape[1] if tr.X.ndim > 1 else 1
    lines = [f"model: {tr.model_name}, {len(tr.nodes)} nodes, {tr.n_params:,} parameters "
             f"({tr.dtype})",
             f"batch: {m} example{'s' if m != 1 else ''} × {n} feature{'s' if n != 1 else ''}"
             + ("; forward in training mode (as in fit)" if tr.training
                else "; forward in inference mode (dropout off)")]
    if tr.loss is not None:
        lines.append(f"loss: {tr.loss.name}, cost = {fmt_num(tr.loss.value, 6)}")
    else:
        lines.append("loss: none (forward pass only)")
    if tr.optimizer is not None:
        lines.append(f"step: {tr.optimizer} (parameters updated in place"
                     + ("; dropout was off, so this step differs from fit's, which trains "
                        "with dropout on)" if tr.dropout_off else ", as one fit step)"))
    elif tr.loss is not None:
        lines.append("step: none (gradients only; parameters unchanged)")
    return lines


# -------------------------------------------------------------------------------------------------
# the seeds' notation (layout="seeds": examples in columns)
# -------------------------------------------------------------------------------------------------

# Dense in the seeds' notation: every matrix is transposed, so are the formulas
_SEEDS_DENSE = ("Z = W·X + b", "dW = dZ·Xᵀ, db = Σ over examples of dZ, dX = Wᵀ·dZ")
_SEEDS_DENSE_LOCAL = {"dz/dW": "dZ/dW (Xᵀ in dW = dZ·Xᵀ)", "dz/dx": "dZ/dX (W, used as Wᵀ·dZ)"}
# Dense in glassnet's rows: its local gradients are matrices used in a product, not factors
_ROWS_DENSE_LOCAL = {"dz/dW": "dz/dW (xᵀ in dW = xᵀ·dy)", "dz/dx": "dz/dx (W, used as dy·Wᵀ)"}
# an element-wise node's input and output are the seeds' z and a (y is the target there)
# A name stands alone when no ASCII letter precedes it and no ASCII letter or digit follows:
# "y²", "yᵀ", "y_i", "dy_j" and "0.044715x²" are renamed, "exp", "max", "e^x"'s e are not
# (regex \b would count ², ᵀ and _ as part of the word).
_ELEMENTWISE_NAMES = [(re.compile(rf"(?<![A-Za-z]){old}(?![A-Za-z0-9])"), new)
                      for old, new in (("dy", "da"), ("dx", "dz"), ("y", "a"), ("x", "z"))]


def _seeds_names(text: str) -> str:
    for pattern, name in _ELEMENTWISE_NAMES:
        text = pattern.sub(name, text)
    # the seeds' matrices hold one example per column: a row-wise softmax is column-wise
    return text.replace("along each row", "down each column").replace("per row",
                                                                        "per column")


def _elementwise(rec) -> bool:
    return set(rec.local_grad) <= {"dy/dx"} and not rec.param_grads and rec.kind != "Dense"


def _yhat(tr) -> str:
    """The name of the network's output in a trace: ŷ, or the last z when the loss takes
    logits (``from_logits=True``: the seeds' ŷ is a probability)."""
    return tr.nodes[-1].out_name if tr.nodes else "ŷ"


def node_math(rec, layout="rows") -> tuple[str, str]:
    """(forward, backward) formulas of a traced node as ``layout`` shows its matrices: the
    engine's examples-in-rows notation (z = x·W + b), or, for ``"seeds"``, the seeds' own
    (Z = W·X + b; a = σ(z) for an element-wise node, whose y would read as the target)."""
    if layout != "seeds":
        return rec.forward_math, rec.backward_math
    if rec.kind == "Dense":
        if not rec.has_bias:
            from .trace import without_bias
            return tuple(without_bias(math) for math in _SEEDS_DENSE)
        return _SEEDS_DENSE
    if _elementwise(rec):
        return _seeds_names(rec.forward_math), _seeds_names(rec.backward_math)
    return rec.forward_math, rec.backward_math


def _seeds_expr(rec, expr: str) -> str:
    """A chain-rule expression in the seeds' names: upstream · Xᵀ, Wᵀ · upstream, da/dz."""
    if rec.kind == "Dense":
        return expr.replace("(dz/dx)ᵀ", "Wᵀ").replace("dz/dW", "Xᵀ")
    if _elementwise(rec):
        return expr.replace("dy/dx", "da/dz").replace("(per row)", "(per column)")
    return expr


def local_label(rec, key: str, layout="rows") -> str:
    """The name of a local gradient as ``layout`` shows it."""
    if rec.kind == "Dense":
        return (_SEEDS_DENSE_LOCAL if layout == "seeds" else _ROWS_DENSE_LOCAL).get(key, key)
    if layout != "seeds" or not _elementwise(rec):   # (named as _seeds_expr names it)
        return key
    return "da/dz" if key == "dy/dx" else key


def _chain_expr(rec, name, layout="rows", default=""):
    """The chain-rule expression of the gradient ``name`` as ``layout`` writes it."""
    entry = rec.chain.get(name)
    expr = entry[3 if layout == "seeds" else 0] if entry else default
    return _seeds_expr(rec, expr) if layout == "seeds" else expr


def _backward_rows(rec, layout="rows"):
    """(section, label, expression or '', array) rows of a node's backward pass."""

    def expr_of(name, default=""):
        return _chain_expr(rec, name, layout, default)

    def gradient(section, name, value, default="", label=None):
        """One row, or, when backward() disagrees with the chain rule, two: what backward()
        gave and what the local gradient gives (never a false equality). ``name`` keys the
        chain rule; ``label`` (default ``name``) is what the row shows."""
        label = label or name
        if name not in rec.chain_mismatch:
            return [(section, label, expr_of(name, default), value)]
        return [(section, f"{label} from backward()", "", value),
                ("chain rule", f"{expr_of(name)} (from the local gradient)", "",
                 rec.chain[name][1])]

    rows = []
    if rec.upstream is None:
        return rows
    rows.append(("upstream", f"dCost/d{rec.out_name}", "received", rec.upstream))
    for key, val in rec.local_grad.items():
        rows.append(("local gradient", local_label(rec, key, layout), "", val))
    for k, g in rec.param_grads.items():
        if k not in rec.l2_grads:
            rows += gradient("parameter gradient", f"dCost/d{k}", g)
            continue
        # Dense(l2=α): the loss's part from the chain rule, then the cost's, which the step uses
        rows += gradient("parameter gradient", f"dCost/d{k}", g, label=f"dLoss/d{k}")
        rows.append(("parameter gradient", f"dCost/d{k}",
                     f"dLoss/d{k} + (l2/{rec.l2_denom})·{k}", rec.l2_grads[k]))
    down = f"dCost/d{rec.in_name}"
    if rec.fused:
        rows.append(("passed down", down, f"{rec.fused_formula}, fused by the engine",
                     rec.downstream))
        rows += gradient("unfused chain", down, rec.unfused_downstream, "upstream ⊙ local")
    elif rec.downstream is not None:
        rows += gradient("passed down", down, rec.downstream)
    return rows


def warning_lines(rec, layout="rows") -> list[str]:
    """The ⚠ line of a node whose backward disagrees with its local gradient (else none)."""
    if not rec.chain_mismatch:
        return []
    from .trace import mismatch_message
    return ["⚠ " + mismatch_message(rec, lambda name: _chain_expr(rec, name, layout))]


def _update_rows(rec):
    return [(k, rec.params_before[k], rec.params_after[k]) for k in rec.params_after]


# -------------------------------------------------------------------------------------------------
# text
# -------------------------------------------------------------------------------------------------

def _block(label: str, lines: list[str], width: int, indent: str) -> list[str]:
    out = [indent + label.ljust(width) + lines[0]]
    pad = indent + " " * width
    out += [pad + ln for ln in lines[1:]]
    return out


def _labelled(prefix: str, head: str, lines: list[str], max_width: int = 110) -> list[str]:
    """``prefix head = value`` on one line when it fits, else the value below, indented."""
    if len(lines) == 1 and len(prefix) + len(head) + 3 + len(lines[0]) <= max_width:
        return [f"{prefix}{head} = {lines[0]}"]
    pad = " " * (len(prefix) + 2)
    return [f"{prefix}{head} ="] + [pad + ln for ln in lines]


def trace_to_text(tr, layout="rows", precision=5, max_entries=12) -> str:
    """The trace as a plain-text table: a header, then one block per node and the loss."""
    _check_layout(layout, precision)

    def A(a):
        return array_lines(a, layout, precision, max_entries)

    out = []
    title = tr.title or "glassnet trace: one step, node by node"
    out += [title, "=" * min(len(title), 100)]
    out += _header(tr)
    out.append(f"layout: {LAYOUT_NOTE[layout]}")
    flow = " ──► ".join(["X"] + [f"[{r.index} {r.kind}] {r.out_name}" for r in tr.nodes])
    if tr.loss is not None:
        flow += f" ──► [{tr.loss.name.split('(')[0]}] Cost"
    out += ["", "forward:  " + flow]
    if tr.loss is not None:  # no targets: no cost, so no backward pass to describe
        out.append("backward: gradients flow the other way; each node multiplies the upstream "
                   "gradient by its local gradient (the chain rule)")
    W = 20
    for rec in tr.nodes:
        head = f"── node {rec.index}: {rec.name} "
        out += ["", head + "─" * max(4, 78 - len(head))]
        fwd_math, bwd_math = node_math(rec, layout)
        out.append(f"  forward    {fwd_math}")
        out += _block(f"in   {rec.in_name}", A(rec.input), W, "    ")
        out += _block(f"out  {rec.out_name}", A(rec.output), W, "    ")
        if rec.params_before:
            out.append("  parameters")
            for k, v in rec.params_before.items():
                out += _block(f"     {k}", A(v), W, "    ")
        brow = _backward_rows(rec, layout)
        if brow:
            out.append(f"  backward   {bwd_math}")
            last = None
            for section, name, expr, val in brow:
                label = section if section != last else ""
                last = section
                head_line = f"{name}" + (f" = {expr}" if expr and expr != "received" else "")
                out += _labelled("    " + label.ljust(W), head_line, A(val))
        ups = _update_rows(rec)
        if ups:
            out.append(f"  update     {tr.optimizer}")
            for k, old, new in ups:
                out += _block(f"     {k} (old)", A(old), W, "    ")
                out += _block(f"     {k} (new)", A(new), W, "    ")
        out += [f"  {w}" for w in warning_lines(rec, layout)]
        for note in rec.notes:
            out.append(f"  note: {note}")
    if tr.loss is not None:
        L = tr.loss
        head = f"── loss: {L.name} "
        out += ["", head + "─" * max(4, 78 - len(head))]
        if L.math:
            out.append(f"  {L.math}")
        out += _block(f"in   {_yhat(tr)}", A(L.y_pred), W, "    ")
        out += _block("     y (target)", A(L.y_true), W, "    ")
        out += _block("cost", [fmt_num(L.value, max(precision, 6))], W, "    ")
        out.append("  backward   dCost/dCost = 1 is the first upstream gradient")
        out += _labelled("    " + "passed down".ljust(W), f"dCost/d{_yhat(tr)} = loss.backward()",
                         A(L.grad))
        for note in L.notes:
            out.append(f"  note: {note}")
    return "\n".join(out) + "\n"


# -------------------------------------------------------------------------------------------------
# Markdown
# -------------------------------------------------------------------------------------------------

_MD_HTML = re.compile(r"\\(?=[!-/:-@\[-`{-~])|<|&(?=[A-Za-z#])")


def _md(s: str) -> str:
    """Text for a Markdown line or table cell: one line, | escaped, and what CommonMark
    would read as HTML or an escape escaped with a backslash (<, an & that starts an
    entity, a backslash before punctuation), so that a user's column name such as
    <b>x</b> shows as written."""
    return _md_cell(_MD_HTML.sub(lambda m: "\\" + m.group(0), str(s)))


def _md_cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _mdcode(s: str) -> str:
    s = _md_cell(s)  # a code span shows its text as it is: no backslash escapes there
    return f"`{s}`" if "`" not in s else f"``{s}``"


def trace_to_markdown(tr, layout="rows", precision=5, max_entries=12, heading="##") -> str:
    """The trace in Markdown: a summary table of the graph, then a table per node."""
    _check_layout(layout, precision)

    def F(a):
        return _mdcode(format_array(a, layout, precision, max_entries))

    h2, h3 = heading, heading + "#"
    out = [f"{h2} {_md(tr.title or 'glassnet trace: one step, node by node')}", ""]
    out += [f"- {_md(line)}" for line in _header(tr)]
    out += [f"- layout: {LAYOUT_NOTE[layout]}", ""]
    out += ["| # | node | forward | output | upstream gradient | passed down |",
            "|---|---|---|---|---|---|"]
    for r in tr.nodes:
        out.append(f"| {r.index} | {_mdcode(r.name)} | {_mdcode(node_math(r, layout)[0])} | "
                   f"{_md(r.out_name)} = {F(r.output)} | "
                   f"{F(r.upstream) if r.upstream is not None else '—'} | "
                   f"{F(r.downstream) if r.downstream is not None else '—'} |")
    if tr.loss is not None:
        out.append(f"| loss | {_mdcode(tr.loss.name)} | | Cost = "
                   f"{_mdcode(fmt_num(tr.loss.value, 6))} | 1 | dCost/d{_md(_yhat(tr))} = "
                   f"{F(tr.loss.grad)} |")
    for r in tr.nodes:
        out += ["", f"{h3} node {r.index}: {_mdcode(r.name)}", "",
                "| | name | value |", "|---|---|---|",
                f"| forward | {_mdcode(node_math(r, layout)[0])} | |",
                f"| input | {_md(r.in_name)} | {F(r.input)} |",
                f"| output | {_md(r.out_name)} | {F(r.output)} |"]
        for k, v in r.params_before.items():
            out.append(f"| parameter | {k} | {F(v)} |")
        if r.upstream is not None:
            out.append(f"| backward | {_mdcode(node_math(r, layout)[1])} | |")
        for section, name, expr, val in _backward_rows(r, layout):
            label = name + (f" = {expr}" if expr and expr != "received" else "")
            out.append(f"| {section} | {_md(label)} | {F(val)} |")
        for k, old, new in _update_rows(r):
            out.append(f"| update | {k} | {F(old)} → {F(new)} |")
        notes = [f"**{w}**" for w in warning_lines(r, layout)] + list(r.notes)
        if notes:
            out.append("")
            out += [f"> {_md(n)}" for n in notes]
    if tr.loss is not None:
        L = tr.loss
        out += ["", f"{h3} loss: {_mdcode(L.name)}", ""]
        if L.math:   # the loss's formula, as the text rendering shows it
            out += [_md(L.math), ""]
        out += ["| | name | value |", "|---|---|---|",
                f"| input | {_md(_yhat(tr))} | {F(L.y_pred)} |", f"| target | y | {F(L.y_true)} |",
                f"| cost | Cost | {_mdcode(fmt_num(L.value, max(precision, 6)))} |",
                f"| passed down | dCost/d{_md(_yhat(tr))} = loss.backward() | {F(L.grad)} |"]
        if L.notes:
            out.append("")
            out += [f"> {_md(n)}" for n in L.notes]
    return "\n".join(out) + "\n"


# -------------------------------------------------------------------------------------------------
# SVG: the computational graph as the seeds draw it
# -------------------------------------------------------------------------------------------------

CW = 7.3     # width of one monospace character at 12px (a little generous)
LH = 15      # line height
PAD = 8
GREEN, RED, BLUE, PURPLE, ORANGE, GREY = ("#1a7f37", "#c62828", "#1f4e9c", "#6a1b9a",
                                          "#b35c00", "#57606a")
FONT = "DejaVu Sans Mono, Menlo, Consolas, Liberation Mono, monospace"


def _esc(s) -> str:
    return _html.escape(str(s), quote=True)


def _cut(s: str, n: int) -> str:
    return s if len(s) <= n else s[:n - 1] + "…"


class _Lines:
    """A block of text lines, each with a colour and weight."""

    def __init__(self):
        self.items: list[tuple[str, str, str]] = []

    def add(self, text, color="#1f2328", weight="normal"):
        self.items.append((text, color, weight))
        return self

    def extend(self, lines, color="#1f2328", weight="normal", indent=""):
        for ln in lines:
            self.add(indent + ln, color, weight)
        return self

    @property
    def width(self):
        return max((len(t) for t, _, _ in self.items), default=0) * CW

    @property
    def height(self):
        return len(self.items) * LH

    def svg(self, x, y_first_baseline, anchor="start"):
        out = []
        for i, (t, c, w) in enumerate(self.items):
            y = y_first_baseline + i * LH
            out.append(f'<text x="{x:.1f}" y="{y:.1f}" fill="{c}" font-weight="{w}" '
                       f'text-anchor="{anchor}" xml:space="preserve">{_esc(t)}</text>')
        return "\n".join(out)


def _svg_graph(tr, layout, precision, max_entries, uid="g"):
    """Return (svg body, width, height) of the graph of one trace."""

    def A(a):
        return array_lines(a, layout, precision, max_entries)

    nodes = tr.nodes
    # -- columns: input, the nodes, the loss ------------------------------------------------------
    boxes, kinds = [], []
    b = _Lines().add("X", weight="bold").add("input data", GREY)
    m = tr.X.shape[0]
    n = tr.X.shape[1] if tr.X.ndim > 1 else 1
    b.add(f"{m} example{'s' if m != 1 else ''}", GREY).add(f"{n} feature{'s' if n != 1 else ''}",
                                                             GREY)
    boxes.append(b)
    kinds.append("input")
    for r in nodes:
        b = _Lines().add(f"{r.index} · {r.kind}", weight="bold")
        b.add(_cut(node_math(r, layout)[0], 30), GREY)
        if r.local_grad:
            b.add("local gradient:", BLUE)
            for key, val in r.local_grad.items():
                b.add(f"{local_label(r, key, layout)} =", BLUE)
                b.extend(A(val), BLUE, indent=" ")
        elif r.upstream is not None:
            b.add("local gradient: 1", BLUE)
        if r.fused:
            b.add("engine: fused with", ORANGE).add("the loss", ORANGE)
        for name in r.chain_mismatch:
            expr = _chain_expr(r, name, layout)
            b.add(f"⚠ {name}: backward()", RED, "bold").add("≠ chain rule:", RED, "bold")
            b.add(f" {_cut(expr, 28)} =", RED).extend(A(r.chain[name][1]), RED, indent=" ")
            b.add("check it with gn.gradcheck", RED)
        boxes.append(b)
        kinds.append("node")
    if tr.loss is not None:
        L = tr.loss
        b = _Lines().add("Cost", weight="bold").add(_cut(L.name, 30), GREY)
        targets = A(L.y_true)   # the targets the cost compares with (as the tables show)
        b.add(_cut("y = " + " ".join(line.strip() for line in targets), 40), GREY)
        b.add(f"= {fmt_num(L.value, max(precision, 5))}", GREEN, "bold")
        b.add("dCost/dCost = 1", RED)
        boxes.append(b)
        kinds.append("loss")
    else:  # forward only: the output leaves the graph
        boxes.append(_Lines().add(_yhat(tr), weight="bold").add("output", GREY))
        kinds.append("output")

    # -- parameter boxes above the nodes with parameters ------------------------------------------
    pboxes = [None] * len(boxes)
    for r in nodes:
        if not r.params_before:
            continue
        b = _Lines()
        for k, v in r.params_before.items():
            b.add(f"{k} =", weight="bold").extend(A(v), indent=" ")
            if k in r.param_grads:
                b.add(f"dCost/d{k} =", RED).extend(A(r.cost_grad(k)), RED, indent=" ")
            if k in r.params_after:
                b.add(f"new {k} =", PURPLE).extend(A(r.params_after[k]), PURPLE, indent=" ")
        pboxes[r.index + 1] = b

    # -- edge labels between columns --------------------------------------------------------------
    fwd, bwd = [], []
    values = [("X", tr.X)] + [(r.out_name, r.output) for r in nodes]
    for j in range(len(boxes) - 1):
        name, val = values[j]
        f = _Lines().add(name, GREEN, "bold").extend(A(val), GREEN)
        g = _Lines()
        if j + 1 <= len(nodes):
            rec = nodes[j]  # the node to the right of this edge receives values[j]
            grad = rec.downstream
            if grad is not None:
                color = GREY if j == 0 else RED
                g.add(f"dCost/d{name}", color, "bold").extend(A(grad), color)
                if j == 0:
                    g.add("(not needed to", GREY).add(" train)", GREY)
                if rec.fused:
                    g.add(f"fused: {rec.fused_formula}", ORANGE)
        elif tr.loss is not None:  # edge into the loss
            g.add(f"dCost/d{_yhat(tr)}", RED, "bold").extend(A(tr.loss.grad), RED)
        fwd.append(f)
        bwd.append(g)

    # -- geometry ---------------------------------------------------------------------------------
    margin = 16
    col_w = []
    for b, p in zip(boxes, pboxes):
        w = max(b.width + 2 * PAD, 96)
        if p is not None:
            w = max(w, p.width + 2 * PAD)
        col_w.append(w)
    gap_w = [max(f.width, g.width, 40) + 28 for f, g in zip(fwd, bwd)]
    title = _Lines().add(tr.title or "one training step, node by node", weight="bold")
    sub = " · ".join(_header(tr)[2:])
    title.add(_cut(sub, 160), GREY)
    header_h = title.height + 10
    P = max((p.height for p in pboxes if p is not None), default=0)
    band = P + 2 * PAD + 40 if P else 0
    H = max(b.height for b in boxes) + 2 * PAD
    F = max((f.height for f in fwd), default=0)
    B = max((g.height for g in bwd), default=0)
    top = margin + header_h
    y_box = top + band
    y_mid = y_box + H / 2
    need = top + F + 12
    if y_mid - 8 < need:
        y_box += need - (y_mid - 8)
        y_mid = y_box + H / 2
    y_f, y_b = y_mid - 8, y_mid + 8
    legend_y = max(y_box + H, y_b + 10 + B) + 24
    height = legend_y + 12 + margin

    xs, x = [], margin
    for i, w in enumerate(col_w):
        xs.append(x)
        x += w + (gap_w[i] if i < len(gap_w) else 0)
    width = max(x + margin, title.width + 2 * margin, 760)

    out = [f'<defs>'
           f'<marker id="{uid}-fa" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
           f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           f'fill="{GREEN}"/></marker>'
           f'<marker id="{uid}-ba" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
           f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           f'fill="{RED}"/></marker>'
           f'<marker id="{uid}-ga" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
           f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           f'fill="{GREY}"/></marker></defs>',
           f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>',
           title.svg(margin, margin + 12)]
    fills = {"input": "#eefbf1", "node": "#f6f8fa", "loss": "#fff1f0", "output": "#eefbf1"}
    box_x = []
    for i, (b, kind) in enumerate(zip(boxes, kinds)):
        w = max(b.width + 2 * PAD, 96)
        bx = xs[i] + (col_w[i] - w) / 2
        box_x.append((bx, bx + w))
        shape_r = 18 if kind != "node" else 8
        out.append(f'<rect x="{bx:.1f}" y="{y_box:.1f}" width="{w:.1f}" height="{H:.1f}" '
                   f'rx="{shape_r}" fill="{fills[kind]}" stroke="#444c56" stroke-width="1.3"/>')
        out.append(b.svg(bx + PAD, y_box + PAD + 11))
        p = pboxes[i]
        if p is not None:
            pw = p.width + 2 * PAD
            ph = p.height + 2 * PAD
            px = xs[i] + (col_w[i] - pw) / 2
            py = y_box - 40 - ph
            out.append(f'<rect x="{px:.1f}" y="{py:.1f}" width="{pw:.1f}" height="{ph:.1f}" '
                       f'rx="6" fill="#fbf7ff" stroke="{PURPLE}" stroke-width="1" '
                       f'stroke-dasharray="4 3"/>')
            out.append(p.svg(px + PAD, py + PAD + 11))
            cx = xs[i] + col_w[i] / 2
            out.append(f'<line x1="{cx - 10:.1f}" y1="{py + ph:.1f}" x2="{cx - 10:.1f}" '
                       f'y2="{y_box - 2:.1f}" stroke="{GREEN}" stroke-width="1.6" '
                       f'marker-end="url(#{uid}-fa)"/>')
            out.append(f'<line x1="{cx + 10:.1f}" y1="{y_box:.1f}" x2="{cx + 10:.1f}" '
                       f'y2="{py + ph + 2:.1f}" stroke="{RED}" stroke-width="1.6" '
                       f'marker-end="url(#{uid}-ba)"/>')
    for j in range(len(boxes) - 1):
        x1, x2 = box_x[j][1], box_x[j + 1][0]
        out.append(f'<line x1="{x1 + 2:.1f}" y1="{y_f:.1f}" x2="{x2 - 2:.1f}" y2="{y_f:.1f}" '
                   f'stroke="{GREEN}" stroke-width="1.8" marker-end="url(#{uid}-fa)"/>')
        f = fwd[j]
        out.append(f.svg(x1 + 12, y_f - 6 - (len(f.items) - 1) * LH))
        g = bwd[j]
        if g.items:
            grey = j == 0
            out.append(f'<line x1="{x2 - 2:.1f}" y1="{y_b:.1f}" x2="{x1 + 2:.1f}" '
                       f'y2="{y_b:.1f}" stroke="{GREY if grey else RED}" stroke-width="1.8" '
                       + ('stroke-dasharray="5 4" ' if grey else "")
                       + f'marker-end="url(#{uid}-{"ga" if grey else "ba"})"/>')
            out.append(g.svg(x1 + 12, y_b + 16))
    legend = (f'<text x="{margin}" y="{legend_y:.1f}" xml:space="preserve">'
              f'<tspan fill="{GREEN}">──► forward: values</tspan>'
              + (f'<tspan fill="{RED}">    ◄── backward: gradients dCost/d·</tspan>'
                 if tr.loss is not None else "")
              + f'<tspan fill="{BLUE}">    local gradients</tspan>'
              + (f'<tspan fill="{PURPLE}">    parameter updates</tspan>' if tr.optimizer else "")
              + f'<tspan fill="{GREY}">    layout: {_esc(layout)}</tspan></text>')
    out.append(legend)
    body = (f'<g font-family="{FONT}" font-size="12">' + "\n".join(out) + "</g>")
    return body, float(width), float(height)


def _svg_doc(body, width, height, standalone=True):
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    return (f'{head}<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
            f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'role="img">\n{body}\n</svg>\n')


_UID_MARK = "gnUIDgn"   # stands for the ids' prefix until the text is made
_uid_count = itertools.count(1)


def _with_uid(make) -> str:
    """``make(prefix)``'s text with an id prefix unique to this call, so that two SVGs or
    fragments inlined in one page (a notebook) do not share marker ids: a counter, plus a
    hash of the text so that two kernels' outputs differ too. Deterministic: re-running a
    notebook from the start writes the same ids (no noise in its saved outputs)."""
    text = make(_UID_MARK)
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return text.replace(_UID_MARK, f"gn{next(_uid_count)}x{digest}")


def trace_to_svg(tr, layout="rows", precision=4, max_entries=12, standalone=True, uid=None):
    """The trace's computational graph as an SVG document; its marker ids start with ``uid``,
    by default one unique to this call."""
    _check_layout(layout, precision)
    if uid is None:
        return _with_uid(lambda u: trace_to_svg(tr, layout, precision, max_entries, standalone,
                                                u))
    body, w, h = _svg_graph(tr, layout, precision, max_entries, uid=uid)
    return _svg_doc(body, w, h, standalone)


# -------------------------------------------------------------------------------------------------
# HTML and reports
# -------------------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
margin:24px auto;max-width:1400px;padding:0 16px;color:#1f2328;background:#fff}
h1{font-size:1.6em;border-bottom:2px solid #d0d7de;padding-bottom:6px}
h1,h2,h3{font-weight:600;line-height:1.25}
h2{font-size:1.25em;margin-top:1.6em}h3{font-size:1.05em;margin:1em 0 4px 0}
.graph{overflow-x:auto;border:1px solid #d0d7de;border-radius:6px;padding:6px;background:#fff}
table{border-collapse:collapse;margin:6px 0 14px 0;font-size:13px;table-layout:auto;color:inherit}
tr,tr:hover{background:transparent;text-align:left}
th,td{border:1px solid #d0d7de;padding:3px 8px;vertical-align:top;text-align:left;white-space:normal}
th{background:#f6f8fa;font-weight:bold}
pre{margin:0;padding:0;border:0;background:transparent;color:inherit;white-space:pre;
font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px}
.fw{color:#1a7f37}.bw{color:#c62828}.lg{color:#1f4e9c}.up{color:#6a1b9a}
.note{color:#b35c00;font-size:13px;margin:2px 0}
.warn{color:#c62828;font-weight:bold;font-size:13px;margin:2px 0}
.meta{color:#57606a;font-size:14px}
ul.steps li{margin:3px 0}
pre.text{background:#f6f8fa;padding:8px;border-radius:6px;overflow-x:auto}
"""


# the wrapper of an HTML fragment (a notebook cell): every rule of _CSS is scoped under it
FRAGMENT_CLASS = "glassnet-report"
# the class written three times: specificity (0,3,x) beats the host's rules for the elements
# inside output HTML, e.g. JupyterLab's ":not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td"
# (right-aligned cells, 0,2,1) and ".jp-RenderedHTMLCommon tbody tr:nth-child(odd)" (striped
# rows, 0,2,2), so the fragment looks as the standalone page does
FRAGMENT_SCOPE = ("." + FRAGMENT_CLASS) * 3


def scoped_css(css: str = _CSS, scope: str = FRAGMENT_SCOPE) -> str:
    """``css`` with every selector prefixed by ``scope`` (``body`` becomes ``scope`` itself), so
    that a fragment inserted into a page (a notebook) styles only itself, and wins over the
    host page's rules for its elements (see ``FRAGMENT_SCOPE``)."""
    out = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        scoped = []
        for sel in selectors.split(","):
            sel = " ".join(sel.split())
            scoped.append(scope if sel == "body" else f"{scope} {sel}")
        out.append(",".join(scoped) + "{" + " ".join(body.split()) + "}")
    return "\n".join(out)


def _pre(lines, cls=""):
    c = f' class="{cls}"' if cls else ""
    return f"<pre{c}>" + _esc("\n".join(lines)) + "</pre>"


def _trace_tables_html(tr, layout, precision, max_entries):
    def A(a):
        return array_lines(a, layout, precision, max_entries)

    out = ['<ul class="meta">'] + [f"<li>{_esc(x)}</li>" for x in _header(tr)]
    out += [f"<li>layout: {_esc(LAYOUT_NOTE[layout])}</li></ul>"]
    out.append("<table><tr><th>#</th><th>node</th><th>forward</th><th>output</th>"
               "<th>upstream gradient</th><th>passed down</th></tr>")
    for r in tr.nodes:
        out.append(f"<tr><td>{r.index}</td><td>{_esc(r.name)}</td>"
                   f"<td>{_esc(node_math(r, layout)[0])}"
                   f"</td><td>{_pre([r.out_name + ' ='] + A(r.output), 'fw')}</td>"
                   f"<td>{_pre(A(r.upstream), 'bw') if r.upstream is not None else '—'}</td>"
                   f"<td>{_pre(A(r.downstream), 'bw') if r.downstream is not None else '—'}"
                   f"</td></tr>")
    if tr.loss is not None:
        out.append(f"<tr><td>loss</td><td>{_esc(tr.loss.name)}</td><td></td>"
                   f"<td>{_pre(['Cost = ' + fmt_num(tr.loss.value, 6)], 'fw')}</td><td>1</td>"
                   f"<td>{_pre([f'dCost/d{_yhat(tr)} ='] + A(tr.loss.grad), 'bw')}</td></tr>")
    out.append("</table>")
    for r in tr.nodes:
        out.append(f"<h3>node {r.index}: {_esc(r.name)}</h3><table>"
                   f"<tr><th></th><th>name</th><th>value</th></tr>"
                   f"<tr><td>forward</td><td colspan=2>{_esc(node_math(r, layout)[0])}</td></tr>"
                   f"<tr><td>input</td><td>{_esc(r.in_name)}</td><td>{_pre(A(r.input), 'fw')}"
                   f"</td></tr><tr><td>output</td><td>{_esc(r.out_name)}</td>"
                   f"<td>{_pre(A(r.output), 'fw')}</td></tr>")
        for k, v in r.params_before.items():
            out.append(f"<tr><td>parameter</td><td>{_esc(k)}</td><td>{_pre(A(v))}</td></tr>")
        if r.upstream is not None:
            out.append(f"<tr><td>backward</td><td colspan=2>{_esc(node_math(r, layout)[1])}"
                       f"</td></tr>")
        for section, name, expr, val in _backward_rows(r, layout):
            cls = "lg" if section == "local gradient" else "bw"
            label = name + (f" = {expr}" if expr and expr != "received" else "")
            out.append(f"<tr><td>{_esc(section)}</td><td>{_esc(label)}</td>"
                       f"<td>{_pre(A(val), cls)}</td></tr>")
        for k, old, new in _update_rows(r):
            out.append(f"<tr><td>update</td><td>{_esc(k)}</td><td>"
                       f"{_pre(A(old) + ['→'] + A(new), 'up')}</td></tr>")
        out.append("</table>")
        out += [f'<p class="warn">{_esc(w)}</p>' for w in warning_lines(r, layout)]
        out += [f'<p class="note">{_esc(n)}</p>' for n in r.notes]
    if tr.loss is not None:
        L = tr.loss
        out.append(f"<h3>loss: {_esc(L.name)}</h3>"
                   + (f'<p class="note">{_esc(L.math)}</p>' if L.math else "") + "<table>"
                   f"<tr><th></th><th>name</th><th>value</th></tr>"
                   f"<tr><td>input</td><td>{_esc(_yhat(tr))}</td><td>{_pre(A(L.y_pred), 'fw')}"
                   f"</td></tr>"
                   f"<tr><td>target</td><td>y</td><td>{_pre(A(L.y_true))}</td></tr>"
                   f"<tr><td>cost</td><td>Cost</td><td>{_pre([fmt_num(L.value, 6)], 'fw')}"
                   f"</td></tr><tr><td>passed down</td><td>dCost/d{_esc(_yhat(tr))} = "
                   f"loss.backward()</td>"
                   f"<td>{_pre(A(L.grad), 'bw')}</td></tr></table>")
        out += [f'<p class="note">{_esc(n)}</p>' for n in L.notes]
    return "\n".join(out)


class Report:
    """A page of narrative steps and traces, rendered as text, Markdown, HTML or SVG.

    ``add_text(heading, lines)`` adds a step (a heading and lines of text);
    ``add_trace(trace, caption)`` adds a traced step (graph and tables).
    """

    def __init__(self, title: str):
        self.title = title
        self.sections: list[tuple] = []

    def __repr__(self):
        n_text = sum(kind == "text" for kind, *_ in self.sections)
        return (f"Report({self.title!r}, {n_text} text step(s), "
                f"{len(self.sections) - n_text} trace(s))")

    def add_text(self, heading: str, lines=()) -> "Report":
        self.sections.append(("text", heading, list(lines)))
        return self

    def add_trace(self, trace, caption: str | None = None) -> "Report":
        self.sections.append(("trace", caption, trace))
        return self

    @property
    def traces(self):
        return [s[2] for s in self.sections if s[0] == "trace"]

    def to_text(self, layout="rows", precision=5, max_entries=12) -> str:
        _check_layout(layout, precision)
        out = [self.title, "=" * min(len(self.title), 100), ""]
        for kind, head, body in self.sections:
            if kind == "text":
                if head:
                    out += [head, "-" * min(len(head), 100)]
                out += [f"  {ln}" if ln else "" for ln in body]
                out.append("")
            else:
                if head:
                    out += [head, "-" * min(len(head), 100)]
                out.append(trace_to_text(body, layout, precision, max_entries))
        return "\n".join(out).rstrip() + "\n"

    def to_markdown(self, layout="rows", precision=5, max_entries=12) -> str:
        _check_layout(layout, precision)
        out = [f"# {_md(self.title)}", ""]
        for kind, head, body in self.sections:
            if kind == "text":
                if head:
                    out += [f"## {_md(head)}", ""]
                out += [(f"  - {_md(ln.strip())}" if ln.startswith(" ") else f"- {_md(ln)}")
                        if ln else "" for ln in body]
                out.append("")
            else:
                if head:
                    out += [f"## {_md(head)}", ""]
                out.append(trace_to_markdown(body, layout, precision, max_entries,
                                             heading="###"))
        return "\n".join(out).rstrip() + "\n"

    def to_svg(self, layout="rows", precision=4, max_entries=12) -> str:
        """The graphs of all traces, stacked in one SVG (its ids unique to this call)."""
        _check_layout(layout, precision)
        if not self.traces:
            raise ValueError("this report holds no trace to draw")

        def make(uid):
            parts, y, width = [], 0.0, 0.0
            for i, tr in enumerate(self.traces):
                body, w, h = _svg_graph(tr, layout, precision, max_entries, uid=f"{uid}-t{i}")
                parts.append(f'<g transform="translate(0,{y:.0f})">{body}</g>')
                y += h
                width = max(width, w)
            return _svg_doc("\n".join(parts), width, y)
        return _with_uid(make)

    def to_html(self, layout="rows", precision=5, max_entries=12) -> str:
        """A self-contained HTML page (``<!DOCTYPE html>``, its own ``<style>``)."""
        _check_layout(layout, precision)
        out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
               '<meta name="viewport" content="width=device-width, initial-scale=1">',
               f"<title>{_esc(self.title)}</title><style>{_CSS}</style></head><body>"]
        out += self._html_body(layout, precision, max_entries, "t")
        out.append("</body></html>")
        return "\n".join(out) + "\n"

    def to_html_fragment(self, layout="rows", precision=5, max_entries=12) -> str:
        """The page's content as an HTML fragment to insert into another page (a notebook
        cell): no ``<html>``/``<body>``, its CSS scoped under ``div.glassnet-report`` so it
        cannot restyle the host page, and SVG ids unique to this call so that two fragments
        on one page do not collide."""
        _check_layout(layout, precision)

        def make(uid):
            out = [f'<div class="{FRAGMENT_CLASS}" id="{uid}"><style>{scoped_css()}</style>']
            out += self._html_body(layout, precision, max_entries, f"{uid}-t")
            out.append("</div>")
            return "\n".join(out) + "\n"
        return _with_uid(make)

    def _repr_html_(self):
        """Jupyter's rich display: the HTML fragment."""
        return self.to_html_fragment()

    def _html_body(self, layout, precision, max_entries, uid_prefix) -> list[str]:
        out = [f"<h1>{_esc(self.title)}</h1>",
               '<p class="meta">Made by glassnet from the engine\'s own numbers. '
               '<span class="fw">Green: forward values</span>, '
               '<span class="bw">red: gradients dCost/d·</span>, '
               '<span class="lg">blue: local gradients</span>, '
               '<span class="up">purple: parameter updates</span>.</p>']
        n_trace = 0
        for kind, head, body in self.sections:
            if kind == "text":
                if head:
                    out.append(f"<h2>{_esc(head)}</h2>")
                if body:
                    out.append('<ul class="steps">' + "".join(
                        f"<li>{_esc(ln)}</li>" for ln in body if ln) + "</ul>")
            else:
                out.append(f"<h2>{_esc(head or body.title or 'traced step')}</h2>")
                svg = trace_to_svg(body, layout, min(precision, 4), max_entries,
                                   standalone=False, uid=f"{uid_prefix}{n_trace}")
                n_trace += 1
                out.append(f'<div class="graph">{svg}</div>')
                out.append(_trace_tables_html(body, layout, precision, max_entries))
        return out
