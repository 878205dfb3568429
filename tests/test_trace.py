"""The tracer records what the engine computes, node by node, and nothing else.

Every traced number is compared with the engine's own, computed independently on a deep copy
of the same model: forward outputs with the layers' own forward, gradients with
``Sequential.backprop`` (fused or not), updates with ``optimizer.step`` called directly and
with one step of ``fit``. Then the renderers: text, Markdown, SVG and HTML, in both layouts.
"""
import copy
import html.parser
import inspect
import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import glassnet as gn
from glassnet import optim
from glassnet.render import array_lines, fmt_num, format_array
from glassnet.trace import Trace, backward_math, forward_math, trace


# -------------------------------------------------------------------------------------------------
# architectures: (builder, loss, optimizer factory, data)
# -------------------------------------------------------------------------------------------------

def _xy_binary(m=8, n=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.int64)


def _xy_multi(m=9, n=4, k=3, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    return X, np.arange(m) % k


def _xy_reg(m=7, n=3, k=2, seed=2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n))
    return X, rng.standard_normal((m, k))


ARCHS = {
    "or_neuron_mse_half": (
        lambda: gn.Sequential([gn.Dense(2, 1, init=np.array([[0.1], [0.6]])), gn.Sigmoid()],
                              dtype="float64"),
        lambda: gn.MSE(half=True), lambda: optim.SGD(lr=1.0),
        lambda: (np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float), np.array([0, 1, 1, 1]))),
    "softmax_cce_fused_adam": (
        lambda: gn.Sequential([gn.Dense(4, 6, activation="tanh"), gn.Dense(6, 3), gn.Softmax()],
                              seed=3),
        lambda: gn.CategoricalCrossEntropy(), lambda: optim.Adam(lr=0.01), _xy_multi),
    "sigmoid_bce_fused_momentum": (
        lambda: gn.Sequential([gn.Dense(3, 5, activation="sigmoid"), gn.Dense(5, 1),
                               gn.Sigmoid()], seed=4, dtype="float64"),
        lambda: gn.BinaryCrossEntropy(), lambda: optim.SGD(lr=0.5, momentum=0.9),
        _xy_binary),
    "relu_mlp_dropout_rmsprop": (
        lambda: gn.Sequential([gn.Dense(3, 8, activation="relu"), gn.Dropout(0.3),
                               gn.Dense(8, 8, init="he"), gn.ReLU(), gn.Dense(8, 2)], seed=5),
        lambda: gn.MSE(), lambda: optim.RMSProp(lr=0.01), _xy_reg),
    "leaky_gelu_logits_adamw": (
        lambda: gn.Sequential([gn.Dense(3, 4), gn.LeakyReLU(0.1), gn.Dense(4, 4), gn.GELU(),
                               gn.Dense(4, 1)], seed=6, dtype="float64"),
        lambda: gn.BinaryCrossEntropy(from_logits=True),
        lambda: optim.AdamW(lr=0.01, weight_decay=0.1), _xy_binary),
    "cce_logits_nesterov": (
        lambda: gn.Sequential([gn.Dense(4, 5, activation="elu"), gn.Dense(5, 3)], seed=7),
        lambda: gn.CategoricalCrossEntropy(from_logits=True),
        lambda: optim.SGD(lr=0.1, momentum=0.9, nesterov=True), _xy_multi),
}


def _engine_step(model, X, y, loss, opt, training=True):
    """One step computed by the engine alone (as the fit loop does it)."""
    from glassnet.train import prepare_targets
    X = model._check_X(X)
    Y = prepare_targets(y, loss, model.n_outputs, model.dtype)
    outs = []
    out = X
    for layer in model.layers:
        out = layer.forward(out, training)
        outs.append(out.copy())
    cost = loss.forward(out, Y)
    model.backprop(loss)
    grads = [g.copy() for _, _, _, g in model.parameters()]
    opt.step(model.parameters())
    return outs, cost, grads, [p.copy() for _, _, p, _ in model.parameters()]


@pytest.mark.parametrize("name", sorted(ARCHS))
def test_traced_numbers_equal_the_engines(name):
    build, make_loss, make_opt, data = ARCHS[name]
    X, y = data()
    model = build()
    model.build(X.shape[1])
    twin = copy.deepcopy(model)           # the engine, on its own
    fit_twin = copy.deepcopy(model)       # one step of the real fit loop
    before = [p.copy() for _, _, p, _ in model.parameters()]

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a built-in node's backward never disagrees
        tr = trace(model, X, y, make_loss(), make_opt())
    assert not any(r.chain_mismatch for r in tr.nodes)
    outs, cost, grads, after = _engine_step(twin, X, y, make_loss(), make_opt())

    assert len(tr.nodes) == len(model.layers)
    for rec, out in zip(tr.nodes, outs):
        np.testing.assert_array_equal(rec.output, out)
    for rec, prev in zip(tr.nodes[1:], tr.nodes[:-1]):
        np.testing.assert_array_equal(rec.input, prev.output)
    assert tr.loss.value == cost
    for g_tr, g_engine in zip(tr.grads(), grads, strict=True):
        np.testing.assert_array_equal(g_tr, g_engine)
    for p_before, p_tr in zip(before, tr.params_before(), strict=True):
        np.testing.assert_array_equal(p_before, p_tr)
    for p_tr, p_engine, p_model in zip(tr.params_after(), after,
                                      [p for _, _, p, _ in model.parameters()], strict=True):
        np.testing.assert_array_equal(p_tr, p_engine)
        np.testing.assert_array_equal(p_model, p_engine)

    fit_twin.fit(X, y, loss=make_loss(), optimizer=make_opt(), epochs=1, batch_size=None,
                 shuffle=False)
    for p_tr, p_fit in zip(tr.params_after(), fit_twin.get_weights(), strict=True):
        np.testing.assert_array_equal(p_tr, p_fit)

    # the chain rule the trace writes out (upstream × local) agrees with each backward
    errs = tr.chain_errors()
    assert errs, "no chain-rule product was written out"
    tol = 1e-5 if model.dtype == np.float32 else 1e-12
    assert max(errs.values()) <= tol, errs


def test_square_batch_is_not_mistaken_for_element_wise():
    # m == n_in == n_out: dz/dx = W has the upstream gradient's shape; the chain rule shown
    # must still be upstream · Wᵀ, the product the engine computes
    model = gn.Sequential([gn.Dense(3, 3, activation="relu"), gn.Dense(3, 3)], seed=0,
                          dtype="float64")
    X = np.random.default_rng(0).standard_normal((3, 3))
    tr = trace(model, X, X[:, ::-1], "mse")
    assert tr.nodes[0].chain["dCost/dX"][0] == "upstream · (dz/dx)ᵀ"
    assert tr.nodes[2].chain["dCost/da1"][0] == "upstream · (dz/dx)ᵀ"
    assert max(tr.chain_errors().values()) < 1e-12


def test_every_node_records_what_it_received_and_passed_down():
    build, make_loss, make_opt, data = ARCHS["relu_mlp_dropout_rmsprop"]
    X, y = data()
    model = build()
    tr = trace(model, X, y, make_loss(), make_opt())
    # the gradient a node passes down is the upstream gradient of the node below it
    for lower, upper in zip(tr.nodes[:-1], tr.nodes[1:]):
        np.testing.assert_array_equal(upper.downstream, lower.upstream)
    np.testing.assert_array_equal(tr.nodes[-1].upstream, tr.loss.grad)
    relu = tr.nodes[1]
    assert relu.kind == "ReLU"
    np.testing.assert_array_equal(relu.local_grad["dy/dx"], (relu.output > 0))
    np.testing.assert_array_equal(relu.downstream, relu.upstream * (relu.output > 0))
    dense = tr.nodes[0]
    np.testing.assert_array_equal(dense.local_grad["dz/dW"], dense.input.T)
    np.testing.assert_array_equal(dense.local_grad["dz/dx"], dense.params_before["W"])
    assert [r.out_name for r in tr.nodes] == ["z1", "a1", "a1′", "z2", "a2", "ŷ"]
    assert dense.forward_math == "z = x·W + b"
    assert "dW = xᵀ·dy" in dense.backward_math


def test_fused_loss_is_shown_unfused_and_flagged():
    build, make_loss, make_opt, data = ARCHS["softmax_cce_fused_adam"]
    X, y = data()
    model = build()
    twin = copy.deepcopy(model)
    tr = trace(model, X, y, make_loss())
    assert tr.loss.fused and tr.loss.fused_with == "Softmax"
    soft = tr.nodes[-1]
    assert soft.fused and soft.kind == "Softmax"
    assert soft.local_grad["dy/dx"].shape == (len(X), 3, 3)   # the Jacobian of each row
    # the unfused chain (loss.backward() into Softmax.backward) ...
    np.testing.assert_allclose(soft.unfused_downstream, soft.downstream, atol=1e-6)
    # ... while the value passed on is the engine's fused (ŷ − y)/m, bit for bit
    twin.forward(X, True)
    loss = make_loss()
    loss.forward(twin.layers[-1]._y, y)
    np.testing.assert_array_equal(soft.downstream, loss.fused_backward())
    assert any("fuse" in n for n in soft.notes) and tr.loss.notes
    assert "fused" in tr.to_text()


def test_dropout_off_and_on():
    build, make_loss, make_opt, data = ARCHS["relu_mlp_dropout_rmsprop"]
    X, y = data()
    model = build()
    model.build(X.shape[1])
    twin = copy.deepcopy(model)
    off = trace(model, X, y, make_loss(), training=False)
    drop = off.nodes[2]
    assert drop.kind == "Dropout"
    np.testing.assert_array_equal(drop.output, drop.input)        # identity at inference
    np.testing.assert_array_equal(drop.local_grad["dy/dx"], np.ones_like(drop.input))
    np.testing.assert_array_equal(off.output, twin.predict(X))
    on = trace(model, X, y, make_loss(), training=True)
    drop = on.nodes[2]
    mask = drop.local_grad["dy/dx"]
    assert set(np.unique(mask)) <= {0.0, np.float32(1 / 0.7)}
    np.testing.assert_allclose(drop.output, drop.input * mask)


def test_no_optimizer_leaves_the_model_alone_and_state_is_restored():
    build, make_loss, _, data = ARCHS["sigmoid_bce_fused_momentum"]
    X, y = data()
    model = build()
    model.build(X.shape[1])
    before = model.get_weights()
    flag = model.layers[0].needs_input_grad
    tr = trace(model, X, y, make_loss())
    assert not tr.step_taken and tr.params_after() == []
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.layers[0].needs_input_grad == flag
    assert tr.nodes[0].downstream is not None     # dCost/dX, shown though training skips it
    tr2 = trace(model, X, y, make_loss(), input_grad=False)
    assert tr2.nodes[0].downstream is None
    for g1, g2 in zip(tr.grads(), tr2.grads()):
        np.testing.assert_array_equal(g1, g2)


def test_forward_only_trace_and_default_loss():
    model = gn.Sequential([gn.Dense(3, 4, activation="relu"), gn.Dense(4, 2), gn.Softmax()],
                          seed=0)
    X, y = _xy_binary(5, 3)
    tr = trace(model, X)
    assert tr.loss is None and tr.cost is None
    np.testing.assert_array_equal(tr.output, model.predict(X))
    assert all(r.upstream is None for r in tr.nodes)
    assert "forward pass only" in tr.to_text()
    tr = trace(model, X, y)                       # default loss: what fit would choose
    assert tr.loss.name.startswith("CategoricalCrossEntropy") and tr.loss.fused
    with pytest.raises(ValueError, match="targets"):
        trace(model, X, None, optimizer="sgd")


def test_the_fit_loop_does_not_know_about_tracing():
    import glassnet.model
    import glassnet.train
    for mod in (glassnet.train, glassnet.model):
        src = inspect.getsource(mod)
        assert not re.search(r"(from \.|import glassnet\.|from glassnet\.)(trace|render)\b", src)
        assert "local_grad" not in src


# -------------------------------------------------------------------------------------------------
# rendering
# -------------------------------------------------------------------------------------------------

def _or_trace():
    build, make_loss, make_opt, data = ARCHS["or_neuron_mse_half"]
    X, y = data()
    return trace(build(), X, y, make_loss(), make_opt(), title="OR batch")


def test_array_formatting_and_summaries():
    a = np.array([[0.0, 1.0], [0.5, -0.125]])
    assert format_array(a) == "[[0, 1], [0.5, -0.125]]"
    assert format_array(a, "seeds") == "[[0, 0.5], [1, -0.125]]"
    assert array_lines(np.arange(3.0)) == ["[0  1  2]"]
    big = np.arange(100.0).reshape(20, 5)
    lines = array_lines(big, max_entries=12)
    assert lines[0].startswith("shape (20, 5)")
    assert any("mean 49.5" in ln for ln in lines) and any("min 0  max 99" in ln for ln in lines)
    assert len(lines) <= 5
    assert array_lines(big, "seeds")[0].startswith("shape (5, 20)")
    assert array_lines(np.arange(12.0).reshape(3, 4))[0].startswith("[[")  # 12: still shown


def test_text_and_markdown_show_every_node_in_both_layouts():
    tr = _or_trace()
    rows = tr.to_text()
    seeds = tr.to_text(layout="seeds")
    for text in (rows, seeds):
        for token in ("Dense(n_in=2, n_out=1)", "Sigmoid()", "MSE(half=True)", "0.0889129",
                      "dCost/dz1", "upstream", "passed down", "SGD(lr=1.0)",
                      "0.14801", "0.037024"):
            assert token in text, token
    # each layout in its own notation: the engine's rows (z = x·W + b; y = σ(x) for an
    # element-wise node) and the seeds' columns (Z = W·X + b; a = σ(z), y being the target)
    for token in ("z = x·W + b", "dW = xᵀ·dy", "dz/dW", "dy/dx", "y = 1 / (1 + e^{-x})"):
        assert token in rows and token not in seeds, token
    for token in ("Z = W·X + b", "dW = dZ·Xᵀ, db = Σ over examples of dZ, dX = Wᵀ·dZ",
                  "dZ/dW (Xᵀ in dW = dZ·Xᵀ)", "dZ/dX (W, used as Wᵀ·dZ)", "da/dz",
                  "a = 1 / (1 + e^{-z})", "dz = da · a(1 − a)", "upstream ⊙ da/dz",
                  "dCost/dW = upstream · Xᵀ", "Wᵀ · upstream"):
        assert token in seeds and token not in rows, token
    # the seeds' notation: features in rows, examples in columns
    x_row = re.compile(r"in\s+X\s+\[\[0  0  1  1\]")
    assert x_row.search(seeds) and not x_row.search(rows)
    assert re.search(r"in\s+X\s+\[\[0  0\]", rows)
    assert "[[0.5  0.64566  0.52498  0.66819]]" in seeds
    assert "dz/dW · upstream" in rows
    md = tr.to_markdown()
    assert md.startswith("## OR batch")
    for line in md.splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) in (5, 8), line      # 3 or 6 columns, no stray pipe
    with pytest.raises(ValueError, match="layout"):
        tr.to_text(layout="columns")


def test_large_arrays_are_summarized_not_dumped():
    model = gn.Sequential([gn.Dense(10, 30, activation="relu"), gn.Dense(30, 1)], seed=0)
    X = np.random.default_rng(0).standard_normal((200, 10))
    tr = trace(model, X, X[:, 0], "mse", "sgd")
    text = tr.to_text()
    assert "shape (200, 10)" in text and "shape (10, 30)" in text
    assert len(text.splitlines()) < 250
    assert len(tr.to_svg()) < 60_000


class _TagCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.urls = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href") or (k == "style" and v and "url(" in v):
                self.urls.append(v)


def test_svg_is_well_formed_and_labelled():
    tr = _or_trace()
    for layout in ("rows", "seeds"):
        svg = tr.to_svg(layout=layout)
        root = ET.fromstring(svg.encode("utf-8"))
        assert root.tag.endswith("svg")
        texts = "".join(root.itertext())
        for token in ("Dense", "Sigmoid", "Cost", "dCost/dz1", "dCost/dŷ", "z1", "new W",
                      "forward", "backward", "0.08891"):
            assert token in texts, token
        ns = "{http://www.w3.org/2000/svg}"
        markers = {m.get("id") for m in root.iter(ns + "marker")}
        ends = [ln.get("marker-end") for ln in root.iter(ns + "line") if ln.get("marker-end")]
        assert len(ends) >= 6 and all(e[5:-1] in markers for e in ends)


def test_html_page_is_self_contained():
    tr = _or_trace()
    page = tr.to_html(layout="seeds")
    assert page.startswith("<!DOCTYPE html>")
    p = _TagCollector()
    p.feed(page)
    assert "svg" in p.tags and "table" in p.tags
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags
    assert p.urls == []
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


def test_trace_save_picks_the_format(tmp_path):
    tr = _or_trace()
    for ext, head in ((".txt", "OR batch"), (".md", "## OR batch"), (".svg", "<?xml"),
                      (".html", "<!DOCTYPE html>")):
        path = tmp_path / f"t{ext}"
        tr.save(path)
        assert path.read_text(encoding="utf-8").startswith(head)
    assert isinstance(tr, Trace) and "cost=0.0889" in repr(tr)


def test_trace_save_refuses_an_unknown_extension(tmp_path):
    tr = _or_trace()
    for name in ("t.png", "t.json", "t"):
        with pytest.raises(ValueError, match=r"cannot save a trace as .*: (unknown extension "
                                             r"'\.(png|json)'|it has no extension); use one of "
                                             r"\.txt, \.md, \.markdown, \.svg, \.html, \.htm$"):
            tr.save(tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    tr.save(tmp_path / "T.HTML")  # the extension's case does not matter
    assert (tmp_path / "T.HTML").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


class _Twice(gn.Layer):  # no docstring: Layer's must not describe it
    def forward(self, x, training=False):
        return 2 * x

    def backward(self, dy):
        return 2 * dy


class _Described(_Twice):
    """y = 2x, documented."""


class _PlainReLU(gn.ReLU):  # inherits ReLU's forward and backward
    pass


class _OwnReLU(gn.ReLU):  # its own forward and backward, undocumented
    def forward(self, x, training=False):
        return super().forward(x, training)

    def backward(self, dy):
        return super().backward(dy)


def test_custom_layers_are_not_described_by_a_docstring_they_inherit():
    X, y = _xy_binary()
    model = gn.Sequential([gn.Dense(3, 2), _Twice(), _PlainReLU(), _OwnReLU(), _Described(),
                           gn.Dense(2, 1), gn.Sigmoid()], seed=0)
    tr = trace(model, X, y, loss="bce")
    forward = [r.forward_math for r in tr.nodes[1:5]]
    assert forward == ["_Twice (custom layer)", forward_math(gn.ReLU()),
                       "_OwnReLU (custom layer)", "y = 2x, documented"]
    backward = [r.backward_math for r in tr.nodes[1:5]]
    assert backward[1] == backward_math(gn.ReLU()) != backward[2]
    assert backward[2] == backward[0] == "(its backward has no docstring to show a formula from)"
    text = tr.to_text()
    assert "Base class of every node" not in text and "(custom layer)" in text


# -------------------------------------------------------------------------------------------------
# a wrong backward in a custom layer is named, not crashed on deep inside NumPy
# -------------------------------------------------------------------------------------------------

class _NoBackward(gn.Layer):
    def forward(self, x, training=False):
        return x


def test_trace_names_a_layer_whose_backward_returns_none_or_the_wrong_shape(broken_backwards):
    NoReturnCube, CollapsingTanh = broken_backwards
    X, y = _xy_binary(m=4)
    for bad, match in ((NoReturnCube(), r"layer 1 \(NoReturnCube\)\.backward returned None "
                                        r"\(did you forget `return dx`\?\)"),
                       (CollapsingTanh(), r"layer 1 \(CollapsingTanh\)\.backward returned "
                                          r"shape \(4, 1\) for an input of shape \(4, 3\)")):
        model = gn.Sequential([gn.Dense(3, 3), bad, gn.Dense(3, 1), gn.Sigmoid()], seed=0)
        before = [p.copy() for p in model.get_weights()]
        with pytest.raises(ValueError, match=match):
            trace(model, X, y, optimizer="sgd")
        assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    # the first node may return None when told it need not compute dCost/dX
    model = gn.Sequential([NoReturnCube(), gn.Dense(3, 1), gn.Sigmoid()], seed=0)
    tr = trace(model, X, y, input_grad=False)
    assert tr.nodes[0].downstream is None


def test_the_layer_base_class_says_what_a_subclass_must_implement():
    with pytest.raises(NotImplementedError, match=r"^_NoBackward must implement backward\(dy\) "
                                                  r"-> dx"):
        _NoBackward().backward(np.ones((2, 2)))
    with pytest.raises(NotImplementedError, match=r"^Layer must implement forward\(x, "
                                                  r"training=False\) -> y"):
        gn.Layer().forward(np.ones((2, 2)))
    model = gn.Sequential([gn.Dense(2, 2), _NoBackward(), gn.Dense(2, 1)], seed=0)
    with pytest.raises(NotImplementedError, match="_NoBackward must implement backward"):
        trace(model, np.ones((3, 2)), np.ones(3))


def test_check_backward_output_is_cheap_and_shared():
    from glassnet.layers import check_backward_output
    dx = np.ones((4, 3))
    assert check_backward_output(gn.ReLU(), 2, dx, (4, 3)) is dx
    assert check_backward_output(gn.ReLU(), 0, None, (4, 3), needed=False) is None
    with pytest.raises(ValueError, match=r"^ReLU\.backward returned a list, not an array"):
        check_backward_output(gn.ReLU(), None, [[1.0]], (1, 1))


class _SquareMissingTwo(gn.Layer):
    """Element-wise square: ``y = x**2``."""

    def forward(self, x, training=False):
        self._x = x
        return x ** 2

    def backward(self, dy):
        """dx = dy · 2x."""
        return dy * self._x  # the bug: the factor 2 is missing

    def local_grad(self):
        return {"dy/dx": 2 * self._x}


class _DenseWrongW(gn.Dense):
    def backward(self, dy):
        dx = super().backward(dy)
        self.grads["W"] *= 1.5
        return dx


def test_a_backward_that_disagrees_with_its_local_gradient_is_shown_not_hidden():
    model = gn.Sequential([gn.Dense(1, 1, init=[[1.0]]), _SquareMissingTwo()], dtype="float64")
    with pytest.warns(RuntimeWarning, match=r"node 1 \(_SquareMissingTwo\): dCost/dz1 from "
                                            r"backward\(\) differs from upstream ⊙ dy/dx by up "
                                            r"to 27: _SquareMissingTwo\.backward disagrees with "
                                            r"its local_grad .*gn\.gradcheck\(layer, x\)"):
        tr = trace(model, np.array([[3.0]]), np.array([[0.0]]), loss=gn.MSE(half=True))
    assert tr.nodes[1].chain_mismatch == {"dCost/dz1": 27.0}
    assert tr.chain_errors()[(1, "dCost/dz1")] == 27.0
    for layout in ("rows", "seeds"):
        text = tr.to_text(layout=layout)
        node1 = text.split("── node 1")[1].split("── loss")[0]
        assert "= upstream ⊙" not in node1  # no false equality
        assert "dCost/dz1 from backward() = [[27]]" in text
        assert re.search(r"chain rule +upstream ⊙ d[ay]/d[zx] \(from the local gradient\) = "
                         r"\[\[54\]\]", text)
        assert re.search(r"^  ⚠ node 1 \(_SquareMissingTwo\)", text, re.M)
        md = tr.to_markdown(layout=layout)
        assert "| passed down | dCost/dz1 from backward() | `[[27]]` |" in md
        assert "(from the local gradient) | `[[54]]` |" in md and "> **⚠ node 1" in md
        page = tr.to_html(layout=layout)
        assert '<p class="warn">⚠ node 1 (_SquareMissingTwo)' in page and "[[54]]" in page
        svg = tr.to_svg(layout=layout)
        assert "⚠ dCost/dz1: backward()" in svg and "[[54]]" in svg
        ET.fromstring(svg.split("\n", 1)[1])
    # a wrong parameter gradient: both values, and the warning
    X, y = _xy_binary(m=4)
    model = gn.Sequential([_DenseWrongW(3, 2), gn.Dense(2, 1), gn.Sigmoid()], seed=0)
    with pytest.warns(RuntimeWarning, match=r"node 0 \(_DenseWrongW\): dCost/dW from backward"):
        tr = trace(model, X, y)
    node0 = tr.to_text().split("── node 0")[1].split("── node 1")[0]
    assert "dCost/dW from backward() =" in node0 and "dCost/dW = dz/dW" not in node0
    assert "chain rule          dz/dW · upstream (from the local gradient) =" in node0
    assert "⚠ node 0 (_DenseWrongW)" in node0 and not tr.nodes[1].chain_mismatch


def _specificity(selector):
    """CSS specificity (ids, classes and pseudo-classes, elements) of a simple selector."""
    ids = len(re.findall(r"#[\w-]+", selector))
    classes = len(re.findall(r"\.[\w-]+|:(?!:)[\w-]+", selector))
    elements = len(re.findall(r"(?:^|[\s>+~])([a-zA-Z][\w-]*)", selector))
    return ids, classes, elements


def test_notebook_display_is_a_scoped_fragment_with_unique_ids():
    from glassnet.render import Report
    tr, other = _or_trace(), _or_trace()
    frags = [tr._repr_html_(), other._repr_html_(), tr._repr_html_()]
    ids = []
    for frag in frags:
        p = _TagCollector()
        p.feed(frag)
        assert not {"html", "head", "body", "title", "meta"} & set(p.tags), p.tags
        assert "<!DOCTYPE" not in frag.upper() and "svg" in p.tags and "table" in p.tags
        assert frag.startswith('<div class="glassnet-report" id="')
        css = re.search(r"<style>(.*?)</style>", frag, re.S).group(1)
        selectors = [sel.strip() for rule in re.findall(r"([^{}]+)\{", css)
                     for sel in rule.split(",")]
        assert len(selectors) >= 10
        scope = ".glassnet-report" * 3
        assert all(sel == scope or sel.startswith(scope + " ")
                   for sel in selectors), selectors  # cannot restyle the host page
        # trial N 5: each rule is more specific than JupyterLab's host rules for the elements
        # in output HTML, (0,2,1) for right-aligned td and (0,2,2) for striped tbody rows
        assert all(_specificity(sel) > (0, 2, 2) for sel in selectors)
        rules = {sel.strip(): body for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)}
        tds = next(b for sel, b in rules.items() if f"{scope} td" in sel.split(","))
        assert "text-align:left" in tds
        assert "background:transparent" in rules[f"{scope} tr,{scope} tr:hover"]
        pre = rules[f"{scope} pre"]
        assert "background:transparent" in pre and "text-align" not in pre
        own = re.findall(r'\bid="([^"]+)"', frag)
        refs = re.findall(r'url\(#([^)]+)\)', frag)
        assert refs and set(refs) <= set(own)  # every arrow finds its marker in the fragment
        ids.append(set(own))
    assert not ids[0] & ids[1] and not ids[0] & ids[2] and not ids[1] & ids[2]
    # the page stays a full page, with its own (unscoped) style
    assert tr.to_html().startswith("<!DOCTYPE html>") and "<body>" in tr.to_html()
    rep = Report("two steps").add_trace(tr).add_trace(other)
    frag = rep._repr_html_()
    assert "<body" not in frag and frag.count("<svg") == 2
    assert len(set(re.findall(r'\bid="([^"]+)"', frag))) == len(re.findall(r'\bid="', frag))


def test_renderers_validate_precision_as_the_cli_does():
    from glassnet.render import Report
    tr = _or_trace()
    rep = Report("r").add_trace(tr)
    renderers = [tr.to_text, tr.to_markdown, tr.to_svg, tr.to_html, tr.to_html_fragment,
                 rep.to_text, rep.to_markdown, rep.to_svg, rep.to_html]
    for render in renderers:
        for bad in (-2, 0, 18):
            with pytest.raises(ValueError, match=rf"precision must be between 1 and 17 "
                                                 rf"\(significant digits\), got {bad}$"):
                render(precision=bad)
        for bad in (2.5, "5", True, None):
            with pytest.raises(TypeError, match="precision must be an integer from 1 to 17"):
                render(precision=bad)
        for ok in (1, 17, np.int64(3)):
            assert render(precision=ok)


def test_trace_names_what_it_expects():
    X, y = _xy_binary(m=4)
    with pytest.raises(TypeError, match=r"^trace expects a glassnet Sequential model, got str "
                                        r"'model'$"):
        trace("model", X, y)
    with pytest.raises(TypeError, match=r"got Dense; wrap a single node as "
                                        r"gn\.Sequential\(\[Dense\(\.\.\.\)\]\)"):
        trace(gn.Dense(3, 1), X, y)


def test_trace_of_a_model_with_non_finite_parameters_says_so():
    X, y = _xy_binary(m=4)
    model = gn.Sequential([gn.Dense(3, 2), gn.Tanh(), gn.Dense(2, 1), gn.Sigmoid()], seed=0)
    model.layers[0].params["W"][0, 0] = np.inf
    model.layers[2].params["b"][0] = np.nan
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tr = trace(model, X, y, optimizer="sgd")
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1, messages  # no NumPy allclose/overflow noise, no false ⚠
    assert messages[0].startswith("the model has non-finite parameters (NaN or infinity: "
                                  "layer 0 (Dense) W: 1 of 6; layer 2 (Dense) b: 1 of 1)")
    assert caught[0].category is RuntimeWarning and caught[0].filename == __file__
    assert not np.isfinite(tr.cost) and not any(r.chain_mismatch for r in tr.nodes)
    assert tr.to_text()


def test_svgs_have_ids_unique_per_call_and_reports_a_text_repr():
    """Notebook trial N 7: two SVGs of traces inlined in one page must not share marker ids;
    the ids come from a counter and the content, not random; Report has a useful repr."""
    from glassnet.render import Report
    tr, other = _or_trace(), _or_trace()
    rep = Report("two steps").add_text("first", ["a"]).add_trace(tr).add_trace(other)
    svgs = [tr.to_svg(), tr.to_svg(), other.to_svg(), rep.to_svg(), rep.to_svg()]
    seen = set()
    for svg in svgs:
        own = re.findall(r'\bid="([^"]+)"', svg)
        refs = re.findall(r'url\(#([^)]+)\)', svg)
        assert own and len(set(own)) == len(own) and set(refs) <= set(own)
        assert not seen & set(own)
        seen |= set(own)
    import glassnet.render
    assert not hasattr(glassnet.render, "uuid")
    assert repr(rep) == "Report('two steps', 1 text step(s), 2 trace(s))"


def test_seeds_layout_renames_values_next_to_superscripts_and_subscripts():
    """Trial O: in layout="seeds", Tanh read `dz = da · (1 − y²)` (y, the target's letter) and
    Softmax mixed `diag(a) − a·yᵀ` and `Σ dy_j·y_j`: regex word boundaries count ², ᵀ and _
    as part of a name. Every y/x of an element-wise node is now a/z."""
    X, Y = np.ones((2, 2)), np.ones((2, 3)) / 3
    for node, expect in ((gn.Tanh(), "(1 − a²)"), (gn.Softmax(), "diag(a) − a·aᵀ")):
        model = gn.Sequential([gn.Dense(2, 3), node], seed=0, dtype="float64")
        text = gn.trace(model, X, Y, loss=gn.MSE()).to_text(layout="seeds")
        section = text.split("node 1:")[1].split("── loss")[0]
        formulas = [line for line in section.splitlines()
                    if line.strip().startswith(("forward ", "backward "))]
        assert formulas and any(expect in line for line in formulas), section
        for line in formulas:
            assert not re.search(r"(?<![A-Za-z])[xy](?![A-Za-z0-9])", line), line


def test_a_loss_on_logits_does_not_call_them_y_hat():
    """Trial O: with from_logits=True the trace called the logits ŷ ('ŷ = −1.9'); they keep
    their z name in every format, and the loss's gradient is dCost/dz."""
    model = gn.Sequential([gn.Dense(2, 3)], seed=3, dtype="float64")
    t = gn.trace(model, np.ones((2, 2)), np.array([0, 1]),
                 loss=gn.CategoricalCrossEntropy(from_logits=True))
    for render in (t.to_text, t.to_markdown, t.to_svg, t.to_html):
        out = render()
        assert "ŷ" not in out and "dCost/dz1" in out, render.__name__
    probs = gn.Sequential([gn.Dense(2, 3), gn.Softmax()], seed=3, dtype="float64")
    t = gn.trace(probs, np.ones((2, 2)), np.array([0, 1]), loss=gn.CategoricalCrossEntropy())
    assert "dCost/dŷ" in t.to_text()


def test_glass_box_trial_findings():
    """Trial Z: gradcheck read a zero gradient as BAD (1.0); the fused note called a 100%
    difference rounding; the seeds layout said softmax 'per row' over example columns; the
    SVG lacked the targets and markdown/HTML the loss formula; a scalar y crashed."""
    X = np.array([[0.3, -1.2, 0.5], [1.1, 0.4, -0.7], [-0.2, 0.9, 0.8]])
    m = gn.Sequential([gn.Dense(3, 3)], seed=1, dtype="float64")
    err, parts = gn.gradcheck(m, X, np.array([0, 2, 1]), loss=gn.Hinge(), details=True)
    assert err < 1e-4 and parts["0:Dense.b"] < 1e-4           # below BAD
    sat = gn.Sequential([gn.Dense(1, 1, init=[[1.0]]), gn.Sigmoid()], dtype="float64")
    text = gn.trace(sat, np.array([[40.0]]), np.array([[0.0]]),
                    loss=gn.BinaryCrossEntropy()).to_text()
    assert "as ŷ saturates" in text and ", rounding" not in text
    soft = gn.Sequential([gn.Dense(2, 3, init=[[0.1, 0.6, 0.2], [0.3, -0.1, 0.5]]),
                          gn.Softmax(), gn.Dense(3, 1)], dtype="float64", seed=0)
    tr = gn.trace(soft, np.array([[1.0, -2.0], [0.5, 0.5]]), [[1], [0]], loss="mse")
    seeds = tr.to_text(layout="seeds", max_entries=100)
    assert "per row" not in seeds and "each row" not in seeds and "(per column)" in seeds
    assert "per row" in tr.to_text()
    lin = gn.Sequential([gn.Dense(2, 1, init=[[0.1], [0.6]])], dtype="float64")
    tr = gn.trace(lin, np.array([[1.0, -2.0]]), [[0.777]], loss=gn.MAE())
    assert "0.777" in tr.to_svg()
    assert all("sign(ŷ − y)" in r for r in (tr.to_markdown(), tr.to_html()))
    with pytest.raises(TypeError, match=r"y must be an array with one target per row of X, "
                                        r"got 2"):   # as fit says it
        gn.trace(gn.Sequential([gn.Dense(3, 3), gn.Softmax()], seed=5), np.ones((1, 3)), 2,
                 loss=gn.CategoricalCrossEntropy())


def test_a_trace_without_a_step_leaves_dropout_generators_as_they_were():
    """Trial R5: tracing a model with Dropout (no optimizer) drew masks from its generator, so
    a later fit trained differently than without the trace."""
    X, y = gn.data.make_moons(60, noise=0.2, seed=0)

    def net():
        return gn.Sequential([gn.Dense(2, 6, activation="tanh"), gn.Dropout(0.3),
                              gn.Dense(6, 1), gn.Sigmoid()], seed=0)

    plain, traced = net(), net()
    t1 = gn.trace(traced, X[:4], y[:4])
    t2 = gn.trace(traced, X[:4], y[:4])
    # the same masks each time: what fit's first step will draw
    drop = next(i for i, layer in enumerate(traced.layers) if isinstance(layer, gn.Dropout))
    assert np.array_equal(t1.nodes[drop].output, t2.nodes[drop].output)
    assert (t1.nodes[drop].output == 0).any()  # a mask was drawn
    for m in (plain, traced):
        m.fit(X, y, loss="bce", epochs=2, batch_size=16)
    assert all(a.tobytes() == b.tobytes() for a, b in zip(plain.get_weights(),
                                                          traced.get_weights()))
    # with a step the generator goes on, as fit's own step would move it
    stepped = net()
    state = stepped.layers[drop].rng.bit_generator.state
    gn.trace(stepped, X[:4], y[:4], optimizer=gn.SGD(0.1))
    assert stepped.layers[drop].rng.bit_generator.state != state


def test_fused_formula_frozen_note_and_l2_gradient_without_a_step():
    """Trial S4: sigmoid + BCE on k = 2 outputs printed (ŷ − y)/m beside (ŷ − y)/(m·k); a
    frozen node said nothing; with Dense(l2) and no optimizer the cost held the penalty but
    the layer's gradient did not."""
    X, Y = np.array([[1.0, 2.0]]), np.array([[1.0, 0.0]])
    model = gn.Sequential([gn.Dense(2, 2, init=[[0.1, 0.2], [0.3, 0.4]]), gn.Sigmoid()],
                          dtype="float64")
    t = gn.trace(model, X, Y, loss="bce")
    np.testing.assert_allclose(t[1].downstream, (t.output - Y) / (1 * 2))
    text = t.to_text()
    assert "(ŷ − y)/(m·k), fused by the engine" in text and "(ŷ − y)/m," not in text
    assert "fused: (ŷ − y)/(m·k)" in t.to_svg()
    # one output, or softmax + CCE: /m
    one = gn.Sequential([gn.Dense(2, 1), gn.Sigmoid()], seed=0, dtype="float64")
    assert "(ŷ − y)/m, fused by the engine" in gn.trace(one, X, [1.0], loss="bce").to_text()

    frozen = gn.Sequential([gn.Dense(2, 3, init=[[.1, .2, .3], [-.3, .2, .1]], l2=0.1),
                            gn.Softmax()], dtype="float64")
    frozen.layers[0].trainable = False
    t = gn.trace(frozen, np.array([[.5, -1.], [1, 2]]), np.array([2, 0]), loss="cce",
                 optimizer=gn.SGD(lr=1.0))
    assert any("frozen (trainable = False)" in n for n in t[0].notes)
    np.testing.assert_array_equal(t[0].params_after["W"], t[0].params_before["W"])

    Xl = np.array([[0.5, -1.0], [1.0, 2.0]])
    yl = np.array([1.0, 0.0])
    a = gn.Sequential([gn.Dense(2, 1, init=[[0.3], [-0.2]], l2=2.0)], dtype="float64")
    t = gn.trace(a, Xl, yl, loss="mse")
    W = a.layers[0].params["W"]
    np.testing.assert_allclose(a.layers[0].grads["W"], t[0].param_grads["W"] + (2.0 / 2) * W)
    np.testing.assert_allclose(t.cost, np.mean((t.output[:, 0] - yl) ** 2)
                               + 0.5 * 2.0 * float(np.vdot(W, W)) / 2)


def test_an_l2_node_shows_the_whole_gradient_the_step_uses():
    """Trial 14/9 finding 1: with Dense(l2) the row named dCost/dW was the loss's part only,
    though the cost shown includes the penalty: W − lr·(shown dCost/dW) was not W (new)."""
    X = np.array([[1.0, 0.5], [-0.5, 1.5], [2.0, -1.0], [0.3, 0.3]])
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    m = gn.Sequential([gn.Dense(2, 1, init=[[0.3], [-0.6]], l2=0.5), gn.Sigmoid()],
                      dtype="float64")
    W = m.layers[0].params["W"].copy()
    t = gn.trace(m, X, y, loss=gn.MSE(half=True), optimizer=gn.SGD(lr=0.7))
    node = t[0]
    np.testing.assert_allclose(node.l2_grads["W"], node.param_grads["W"] + (0.5 / 4) * W)
    np.testing.assert_allclose(node.params_after["W"], W - 0.7 * node.l2_grads["W"])
    assert t.grads()[0] is node.l2_grads["W"]
    text = t.to_text()
    assert "dLoss/dW = dz/dW · upstream =" in text
    assert "dCost/dW = dLoss/dW + (l2/m)·W =" in text
    assert "dCost/dW = dz/dW" not in text and "dCost/db = " in text
    seeds = t.to_text(layout="seeds")
    assert "dLoss/dW = upstream · Xᵀ =" in seeds and "dCost/dW = dLoss/dW + (l2/m)·W" in seeds
    # the SVG's parameter box shows the gradient of the step
    svg = t.to_svg()
    assert "dCost/dW" in svg and f"{node.l2_grads['W'][1, 0]:.4g}" in svg


def test_inference_dropout_shows_its_local_gradient_of_one():
    """Trial S4: in inference a Dropout node showed no local gradient and only the training
    formula; it passes x through, so dy/dx = 1 and dCost/dx = upstream."""
    m = gn.Sequential([gn.Dense(2, 3, activation="tanh"), gn.Dropout(0.3), gn.Dense(3, 1),
                       gn.Sigmoid()], seed=0)
    t = gn.trace(m, np.ones((2, 2)), [1, 0], training=False)
    drop = t[2]
    np.testing.assert_array_equal(drop.local_grad["dy/dx"], np.ones((2, 3)))
    np.testing.assert_array_equal(drop.downstream, drop.upstream)
    assert "dx = dy in inference" in t.to_text()
    # a cache like any other (review: a stale shape outlived a training forward and a clear)
    node = m.layers[drop.index]
    node.forward(np.ones((5, 3)), True)
    node._clear_caches()
    with pytest.raises(RuntimeError, match="Dropout has no forward cache"):  # as every node
        node.local_grad()


def test_parameter_counts_have_thousands_separators_everywhere():
    """Review: explain printed '2,305 parameters' above a trace header '2305 parameters'."""
    m = gn.Sequential([gn.Dense(30, 64, activation="relu"), gn.Dense(64, 1), gn.Sigmoid()],
                      seed=0)
    assert "total parameters: 2,049 " in m.summary()
    assert "4 nodes, 2,049 parameters" in gn.trace(m, np.ones((2, 30)), [1, 0]).to_text()


def test_markdown_shows_html_like_user_text_as_written():
    """Trial 14/7 finding 3: a column named <script>…</script> or cat&<b>x</b> went raw into
    Markdown, where a viewer reads it as HTML (dropping or formatting it); HTML escapes it."""
    from glassnet.render import Report, _md
    assert _md("cat&<b>x</b>") == "cat&\\<b>x\\</b>" and _md("a & b > c") == "a & b > c"
    assert _md("&amp;") == "\\&amp;" and _md(r"a\*b") == r"a\\*b" and _md("x|y") == "x\\|y"
    m = gn.Sequential([gn.Dense(2, 1), gn.Sigmoid()], seed=0)
    t = gn.trace(m, np.ones((1, 2)), [1.0], title="<b>lesson</b> & notes")
    md = t.to_markdown()
    assert md.startswith("## \\<b>lesson\\</b> & notes\n")
    rep = Report("<i>run</i>")
    rep.add_text("What is traced", ["feature names: <script>x</script>, cat&<b>y</b>=u"])
    md = rep.to_markdown()
    assert md.startswith("# \\<i>run\\</i>")
    assert "- feature names: \\<script>x\\</script>, cat&\\<b>y\\</b>=u" in md
    import re
    assert not re.search(r"(?<!\\)<", md)  # every < escaped


def test_trace_takes_sample_weight_as_fit_does():
    """Trial 14/9 finding 5 (and an old leftover): trace had no sample_weight, so a weighted
    step could not be shown or checked. Its step now equals fit's, bit for bit."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    y = (X[:, 0] > 0).astype(float)
    w = np.array([1, 2, 0, 0.5, 3, 1.0])

    def mk():
        return gn.Sequential([gn.Dense(3, 4, activation="tanh", l2=0.3), gn.Dense(4, 1),
                              gn.Sigmoid()], seed=0, dtype="float64")
    a, b = mk(), mk()
    t = gn.trace(a, X, y, loss="bce", optimizer=gn.SGD(lr=0.5), sample_weight=w)
    h = b.fit(X, y, loss="bce", optimizer=gn.SGD(lr=0.5), epochs=1, batch_size=None,
              sample_weight=w, shuffle=False)
    assert all(np.array_equal(p, q) for p, q in zip(a.get_weights(), b.get_weights()))
    assert t.cost == h.history["loss"][0]
    # unweighted, the cost differs: the weights did change the step
    assert gn.trace(mk(), X, y, loss="bce").cost != t.cost
    assert any("sample weights w = [1, 2, 0, 0.5, 3, 1]" in n for n in t.loss.notes)
    assert "w·(ŷ − y)/Σw, fused by the engine" in t.to_text()
    # the L2 penalty is divided by Σw, and the text says so (trial 14/14 finding 1)
    assert "dCost/dW = dLoss/dW + (l2/Σw)·W =" in t.to_text() and "(l2/m)" not in t.to_text()
    np.testing.assert_allclose(t[0].l2_grads["W"] - t[0].param_grads["W"],
                               (0.3 / w.sum()) * t[0].params_before["W"])
    with pytest.raises(ValueError, match="sample_weight"):
        gn.trace(mk(), X, y, sample_weight=w[:3])
    with pytest.raises(ValueError, match="need targets y"):
        gn.trace(mk(), X, sample_weight=w)


def _renders(t):
    """Every rendering of a trace, in both layouts (HTML and SVG unescaped)."""
    import html
    return {f"{fmt}/{layout}": html.unescape(getattr(t, f"to_{fmt}")(layout=layout))
            for fmt in ("text", "markdown", "html", "svg") for layout in ("rows", "seeds")}


def test_a_dense_without_bias_is_shown_without_one():
    """Glass-box audit finding 1: Dense(bias=False) was shown as z = x·W + b with a db term
    in every render (its class docstring's formula); Dropout's forward was a sentence."""
    X = np.array([[1.0, 2.0], [0.5, -1.0]])

    def net(bias):
        return gn.Sequential([gn.Dense(2, 1, init=[[0.3], [0.1]], bias=bias), gn.Sigmoid()],
                             dtype="float64")
    t = gn.trace(net(False), X, np.array([0.0, 1.0]), loss="mse", optimizer="sgd")
    assert t[0].forward_math == "z = x·W" and t[0].backward_math == "dW = xᵀ·dy, dx = dy·Wᵀ"
    for name, out in _renders(t).items():
        assert "+ b" not in out and "db" not in out, name
        assert ("Z = W·X" if name.endswith("seeds") else "z = x·W") in out, name
    assert "dW = dZ·Xᵀ, dX = Wᵀ·dZ" in t.to_text(layout="seeds")
    with_bias = gn.trace(net(True), X, np.array([0.0, 1.0]), loss="mse")
    for name, out in _renders(with_bias).items():
        assert ("Z = W·X + b" if name.endswith("seeds") else "z = x·W + b") in out, name
    assert "db = Σ_rows dy" in with_bias.to_text()
    assert forward_math(gn.Dense(2, 1, bias=False)) == "z = x·W"

    drop = gn.Sequential([gn.Dense(2, 3), gn.Dropout(0.3), gn.Dense(3, 1)], seed=0)
    t = gn.trace(drop, X, [0.0, 1.0], loss="mse")
    assert t[1].forward_math == "training: y = x·mask/(1 − rate); inference: y = x"
    assert "training: a = z·mask/(1 − rate); inference: a = z" in t.to_text(layout="seeds")


def test_an_inference_step_with_dropout_is_not_called_a_fit_step():
    """Glass-box audit finding 2: a step with training=False was labelled 'as one fit step',
    though fit always trains with dropout on."""
    X, y = np.ones((2, 2)), [0, 1]

    def net(*middle):
        return gn.Sequential([gn.Dense(2, 3), *middle, gn.Dense(3, 1), gn.Sigmoid()], seed=0)
    off = gn.trace(net(gn.Dropout(0.5)), X, y, optimizer="sgd", training=False)
    assert off.dropout_off
    for name, out in _renders(off).items():
        assert "dropout was off, so this step differs from fit's" in out, name
        assert "as one fit step" not in out, name
    for t in (gn.trace(net(gn.Dropout(0.5)), X, y, optimizer="sgd"),        # training mode
              gn.trace(net(), X, y, optimizer="sgd", training=False),       # nothing to differ
              gn.trace(net(gn.Dropout(0.0)), X, y, optimizer="sgd", training=False)):
        assert not t.dropout_off and "as one fit step" in t.to_text()


def test_a_clipped_cost_says_so():
    """Glass-box audit finding 3: with a saturated sigmoid, binary cross-entropy's cost is
    computed on ŷ clipped to [eps, 1 − eps] while the fused gradient takes ŷ unclipped; the
    notes did not say the cost was clipped."""
    m = gn.Sequential([gn.Dense(1, 1, init=[[1.0]]), gn.Sigmoid()], dtype="float64")
    t = gn.trace(m, np.array([[40.0], [1.0]]), np.array([0.0, 1.0]), loss="bce")
    assert t.cost == pytest.approx((-np.log(1e-12) - np.log(t.output[1, 0])) / 2)
    clipped = "clipped to [eps, 1 − eps] (eps = 1e-12: 1 of 2 entries clipped)"
    assert any("it takes ŷ unclipped, while the cost shown is computed on ŷ " + clipped in n
               for n in t[1].notes)
    assert any("the cost is computed on ŷ " + clipped in n for n in t.loss.notes)
    assert clipped in t.to_text() and clipped in t.to_markdown()
    # nothing clipped: nothing said
    t = gn.trace(m, np.array([[4.0], [1.0]]), np.array([0.0, 1.0]), loss="bce")
    assert "clipped to" not in t.to_text()
    f32 = gn.Sequential([gn.Dense(1, 1, init=[[1.0]]), gn.Sigmoid()])
    assert "(eps = 1e-07: 1 of 1 entries clipped)" in gn.trace(f32, [[40.0]], [0.0],
                                                               loss="bce").to_text()
    # softmax and categorical cross-entropy clip too, to [eps, 1] (review: not said)
    soft = gn.Sequential([gn.Dense(2, 2, init=[[400.0, 0.1], [0.0, 0.0]]), gn.Softmax()],
                         dtype="float64")
    t = gn.trace(soft, np.array([[1.0, 0.0]]), np.array([1]), loss="cce")
    assert "the cost is computed on ŷ clipped to [eps, 1] (eps = 1e-12: 1 of 2 entries " \
           "clipped)" in t.to_text()


def test_dense_local_gradients_and_db_are_labelled_in_rows():
    """Glass-box audit finding 4: in rows, Dense's dz/dW (xᵀ) was not labelled as the seeds
    layout labels it, and dCost/db had no chain expression."""
    build, make_loss, make_opt, data = ARCHS["or_neuron_mse_half"]
    X, y = data()
    t = trace(build(), X, y, make_loss())
    rows, seeds = t.to_text(), t.to_text(layout="seeds")
    assert "dz/dW (xᵀ in dW = xᵀ·dy) =" in rows and "dz/dx (W, used as dy·Wᵀ) =" in rows
    db = fmt_num(t[0].param_grads["b"][0], 5)   # the seeds' −0.037
    assert db.startswith("-0.037") and f"dCost/db = Σ_rows upstream = [{db}]" in rows
    assert f"dCost/db = Σ over examples of upstream = [{db}]" in seeds
    expr, prod, ref, _ = t[0].chain["dCost/db"]
    np.testing.assert_allclose(prod, ref, rtol=1e-12)
    np.testing.assert_allclose(prod, t[0].upstream.sum(axis=0), rtol=1e-12)
    assert "| parameter gradient | dCost/db = Σ_rows upstream |" in t.to_markdown()


def test_summaries_use_the_precision_asked_for():
    """Glass-box audit finding 5: summaries of large arrays always had 4 significant digits."""
    a = np.linspace(0.123456789, 2.987654321, 20)
    for p in (2, 8):
        lines = array_lines(a, precision=p)
        assert f"mean {fmt_num(a.mean(), p)}  std {fmt_num(a.std(), p)}" in lines
        assert f"first [{', '.join(fmt_num(v, p) for v in a[:4])}, …]" in lines
        assert f"max {fmt_num(a.max(), p)}" in format_array(a, precision=p)
    assert array_lines(a, precision=8)[1].startswith("mean 1.5555556  std ")


def test_trace_takes_class_weight_as_fit_does():
    """Glass-box audit finding 6: fit takes class_weight, trace did not."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 3))
    y = np.array([0, 1, 1, 0, 1, 1])
    cw = {0: 3.0, 1: 0.5}

    def mk():
        return gn.Sequential([gn.Dense(3, 4, activation="tanh", l2=0.3), gn.Dense(4, 1),
                              gn.Sigmoid()], seed=0, dtype="float64")
    a, b, c = mk(), mk(), mk()
    t = gn.trace(a, X, y, loss="bce", optimizer=gn.SGD(lr=0.5), class_weight=cw)
    h = b.fit(X, y, loss="bce", optimizer=gn.SGD(lr=0.5), epochs=1, batch_size=None,
              class_weight=cw, shuffle=False)
    assert all(np.array_equal(p, q) for p, q in zip(a.get_weights(), b.get_weights()))
    assert t.cost == h.history["loss"][0]
    gn.trace(c, X, y, loss="bce", optimizer=gn.SGD(lr=0.5), sample_weight=[cw[k] for k in y])
    assert all(np.array_equal(p, q) for p, q in zip(a.get_weights(), c.get_weights()))
    assert any("w = [3, 0.5, 0.5, 3, 0.5, 0.5] (each row's class_weight)" in n
               for n in t.loss.notes)
    # with sample_weight too: their product, as fit takes it
    w = np.array([1, 2, 0, 1, 1, 4.0])
    t = gn.trace(mk(), X, y, loss="bce", class_weight=cw, sample_weight=w)
    assert any("w = [3, 1, 0, 3, 0.5, 2] (each row's class_weight × its sample_weight)" in n
               for n in t.loss.notes)
    with pytest.raises(ValueError, match=r"no weight for class\(es\) \[1\]"):
        gn.trace(mk(), X, y, loss="bce", class_weight={0: 1.0})
    with pytest.raises(ValueError, match="class_weight needs a classifier"):
        gn.trace(mk(), X, y, loss="mse", class_weight=cw)
    with pytest.raises(ValueError, match="class_weight weighs the rows' losses, which need"):
        gn.trace(mk(), X, class_weight=cw)


def test_seeds_layout_names_a_custom_nodes_local_gradient_as_its_chain_rule_does():
    """Trial 15/M finding 7: a custom node with a parameter had its local gradient labelled
    'da/dz' while its chain rule read 'upstream ⊙ dy/dx' (only parameter-free nodes are the
    seeds' element-wise a = σ(z))."""

    class Swish(gn.Layer):
        """``y = x·σ(βx)`` with a learnable β."""

        def __init__(self):
            super().__init__()
            self.params = {"beta": np.ones(1)}
            self.grads = {"beta": np.zeros(1)}

        def forward(self, x, training=False):
            self._x = x
            self._s = 1 / (1 + np.exp(-self.params["beta"] * x))
            return x * self._s

        def local_grad(self):
            s, b = self._s, self.params["beta"]
            return {"dy/dx": s + b * self._x * s * (1 - s)}

        def backward(self, dy):
            s, x = self._s, self._x
            self.grads["beta"][...] = np.sum(dy * x * x * s * (1 - s))
            return dy * self.local_grad()["dy/dx"]

    m = gn.Sequential([gn.Dense(2, 2), Swish(), gn.Dense(2, 1)], seed=0, dtype="float64")
    text = gn.trace(m, np.ones((3, 2)), np.ones(3), loss="mse").to_text(layout="seeds")
    swish = text[text.index("Swish"):]
    assert "dy/dx" in swish and "da/dz" not in swish[:swish.index("node 2")], swish
