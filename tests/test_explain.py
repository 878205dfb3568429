"""`glassnet explain`: the seeds' walkthroughs replayed from the engine, any saved model traced,
and the HTML page checked in a real browser (headless Chromium, when installed)."""
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from types import SimpleNamespace

import numpy as np
import pytest

import glassnet as gn
from glassnet import explain_cmd

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, timeout=120):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return subprocess.run([sys.executable, "-m", "glassnet.cli", "explain", *args],
                          capture_output=True, text=True, encoding="utf-8", timeout=timeout,
                          cwd=ROOT, env=env)


# -------------------------------------------------------------------------------------------------
# the OR gate, as the seeds walk through it
# -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def or_gate_output():
    res = run_cli("or-gate")
    assert res.returncode == 0, res.stderr
    return res.stdout


def _line(text, start):
    hits = [ln.strip() for ln in text.splitlines() if ln.strip().startswith(start)]
    assert hits, f"no line starting with {start!r}"
    return hits[0]


def test_or_gate_prints_the_seeds_numbers(or_gate_output):
    out = or_gate_output
    # one example: ŷ 0.5, loss 0.125, dL/db 0.125, b -> -0.125, then ŷ 0.46879, loss 0.10988
    assert re.search(r"ŷ = σ\(z\) = 0\.5\b", out)
    assert re.search(r"Loss = ½\(y − ŷ\)² = ½\(0 − 0\.5\)² = 0\.125\b", out)
    assert re.search(r"dL/db = dL/dz · 1 = 0\.125\b", out)
    assert re.search(r"b = b − 1·dL/db = 0 − 1·0\.125 = -0\.125\b", out)
    assert re.search(r"ŷ = σ\(z\) = 0\.46879\b", out)
    assert re.search(r"Loss = ½\(0 − ŷ\)² = 0\.10988\b", out)
    # the vectorized batch: 0.0889 -> 0.0840, then the next gradients
    assert "Cost: 0.0889 -> 0.0840" in out
    assert _line(out, "Ŷ = σ(Z) =").startswith("Ŷ = σ(Z) = [0.5 0.646 0.525 0.668]")
    assert _line(out, "new Ŷ =").startswith("new Ŷ = [0.509 0.663 0.546 0.695]")
    assert _line(out, "next gradients").startswith(
        "next gradients: dCost/dW = [-0.044 -0.035], dCost/db = -0.031")
    for token in ("0.5", "0.125", "-0.125", "0.10988", "0.0889", "0.0840"):
        assert token in out
    # and the node-by-node traces of both steps
    assert out.count("── node 0: Dense(n_in=2, n_out=1)") == 2
    assert out.count("── loss: MSE(half=True)") == 2
    # the default layout for the seeds' examples is the seeds' own notation
    assert "the seeds' notation" in out


def test_or_gate_numbers_are_computed_not_pasted():
    # the same walkthrough with another learning rate and other weights gives other numbers
    text = explain_cmd.or_gate_report(w=(0.3, -0.2), b=0.1, lr=0.5).to_text()
    z = 0.1
    yhat = 1 / (1 + np.exp(-z))
    b_new = 0.1 - 0.5 * yhat * (1 - yhat) * yhat
    assert f"ŷ = σ(z) = {yhat:.5g}" in text
    assert f"= {b_new:.5g}   (seeds: -0.125)" in text
    assert "ŷ = σ(z) = 0.46879" not in text and "Cost: 0.0889 -> 0.0840" not in text
    assert re.search(r"Cost: 0\.\d{4} -> 0\.\d{4}", text)


# -------------------------------------------------------------------------------------------------
# XOR
# -------------------------------------------------------------------------------------------------

def test_xor_network_learns_and_is_traced():
    rep = explain_cmd.xor_report()
    assert rep.final_accuracy == 1.0
    assert rep.final_cost < 0.002          # the seeds: about 0.0009
    seeds_step, tr = rep.traces
    # seed 001's hand-worked step, replayed from its weights by the engine
    assert seeds_step.cost == pytest.approx(0.145, abs=6e-4)
    assert seeds_step.nodes[0].params_before["W"].T.tolist() == explain_cmd.SEEDS_XOR_W1
    np.testing.assert_allclose(seeds_step.output.ravel(), [0.668, 0.712, 0.688, 0.728],
                               atol=6e-4)
    summary = rep.to_text()
    assert f"Cost = {seeds_step.cost:.5f}   (seeds: 0.145)" in summary
    assert [r.kind for r in tr.nodes] == ["Dense", "Sigmoid", "Dense", "Sigmoid"]
    assert tr.nodes[0].params_before["W"].shape == (2, 3)
    assert tr.step_taken
    text = rep.to_text(layout="seeds")
    assert "accuracy: 100.0%" in text and "predicted: [0, 1, 1, 0]" in text


def test_xor_cli_runs():
    res = run_cli("xor", "--epochs", "20", "--format", "markdown")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("# glassnet explain xor")
    assert "accuracy:" in res.stdout and "### node 3: `Sigmoid()`" in res.stdout


# -------------------------------------------------------------------------------------------------
# any saved model
# -------------------------------------------------------------------------------------------------

def _write_csv(path, header, rows):
    path.write_text(",".join(header) + "\n" + "\n".join(",".join(map(str, r)) for r in rows)
                    + "\n", encoding="utf-8")


def test_explain_saved_model_on_raw_numeric_csv(tmp_path):
    io = pytest.importorskip("glassnet.io")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 3))
    y = (X[:, 0] > 0).astype(int)
    model = gn.Sequential([gn.Dense(3, 4, activation="relu"), gn.Dense(4, 1), gn.Sigmoid()],
                          seed=0)
    model.fit(X, y, epochs=3, optimizer="adam")
    io.save_model(model, tmp_path / "m.gnet")
    csv = tmp_path / "d.csv"
    _write_csv(csv, ["a", "b", "c", "label"],
               [[*np.round(x, 6), int(t)] for x, t in zip(X, y)])
    res = run_cli("--model", str(tmp_path / "m.gnet"), "--data", str(csv), "--target", "label",
                  "--rows", "3")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "── node 0: Dense(n_in=3, n_out=4" in out and "── loss: BinaryCrossEntropy" in out
    assert "engine fuses Sigmoid with BinaryCrossEntropy" in out
    assert "batch: 3 examples × 3 features" in out
    # the traced output is the model's prediction on those rows
    rep = explain_cmd.model_report(tmp_path / "m.gnet", csv, "label", 3)
    loaded = io.load_model(tmp_path / "m.gnet")
    np.testing.assert_allclose(rep.traces[0].output,
                               loaded.predict(np.round(X[:3], 6)), rtol=1e-6)
    # no --target and none recorded in the file: the numeric label would be a 4th feature
    res = run_cli("--model", str(tmp_path / "m.gnet"), "--data", str(csv), "--rows", "2")
    assert res.returncode == 2
    assert "expects 3 features" in res.stderr and "--target" in res.stderr
    # a CSV without labels: the forward pass only
    csv2 = tmp_path / "x.csv"
    _write_csv(csv2, ["a", "b", "c"], [list(np.round(x, 6)) for x in X])
    res = run_cli("--model", str(tmp_path / "m.gnet"), "--data", str(csv2), "--rows", "2",
                  "--format", "svg")
    assert res.returncode == 0, res.stderr
    assert "dCost" not in res.stdout and "ŷ" in res.stdout
    # a step with --lr, and the file is not changed
    before = (tmp_path / "m.gnet").read_bytes()
    res = run_cli("--model", str(tmp_path / "m.gnet"), "--data", str(csv), "--target", "label",
                  "--lr", "0.1", "--format", "html", "--out", str(tmp_path / "m.html"))
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "m.gnet").read_bytes() == before
    assert "<svg" in (tmp_path / "m.html").read_text(encoding="utf-8")


def test_explain_saved_model_with_stored_preprocessing(tmp_path):
    io = pytest.importorskip("glassnet.io")
    pre_mod = pytest.importorskip("glassnet.preprocess")
    from glassnet.data import read_csv
    rng = np.random.default_rng(1)
    n = 40
    colour = rng.choice(["red", "green", "blue"], n)
    size = rng.normal(10, 3, n).round(3)
    label = ((colour == "red") | (size > 11)).astype(int)
    csv = tmp_path / "d.csv"
    _write_csv(csv, ["colour", "size", "label"], list(zip(colour, size, label)))
    table = read_csv(csv)
    pre = pre_mod.TabularPreprocessor().fit(table, target="label")
    X = pre.transform(table)
    model = gn.Sequential([gn.Dense(X.shape[1], 3, activation="tanh"), gn.Dense(3, 1),
                           gn.Sigmoid()], seed=0)
    model.fit(X, label, epochs=2, optimizer="adam")
    io.save_model(model, tmp_path / "m.gnet", extra={"preprocess": pre.to_dict(),
                                                     "target": "label"})
    rep = explain_cmd.model_report(tmp_path / "m.gnet", csv, None, 5)
    tr = rep.traces[0]
    assert tr.loss is not None                           # the stored target column was used
    np.testing.assert_allclose(tr.X, X[:5].astype(tr.X.dtype))
    np.testing.assert_allclose(tr.output, model.predict(X[:5]), rtol=1e-6)
    assert "TabularPreprocessor" in rep.to_text()

    # the same rows in a semicolon-separated file: detected, or forced with --sep
    semi = tmp_path / "d_semi.csv"
    semi.write_text(csv.read_text().replace(",", ";"))
    for sep in (None, ";"):
        rs = explain_cmd.model_report(tmp_path / "m.gnet", semi, None, 5, sep=sep)
        np.testing.assert_array_equal(rs.traces[0].X, tr.X)
    res = run_cli("--model", str(tmp_path / "m.gnet"), "--data", str(semi), "--sep", ";")
    assert res.returncode == 0, res.stderr
    assert "TabularPreprocessor" in res.stdout


def test_usage_errors_exit_2():
    for args, msg in ((["--model", "x.gnet"], "--model and --data go together"),
                      ([], "what should be explained"),
                      (["or-gate", "--model", "a", "--data", "b"], "not both")):
        res = run_cli(*args)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert msg in res.stderr


def test_options_a_mode_does_not_use_get_a_note_and_seed_is_checked():
    res = run_cli("or-gate", "--epochs", "7", "--format", "markdown")
    assert res.returncode == 0, res.stderr
    assert res.stderr.strip() == ("glassnet: note: --epochs is ignored by `explain or-gate` "
                                  "(it is for explain xor)"), res.stderr
    res = run_cli("xor", "--lr", "0.5", "--epochs", "3")
    assert res.returncode == 0, res.stderr
    assert res.stderr.strip() == ("glassnet: note: --lr is ignored by `explain xor` "
                                  "(it is for explain --model)"), res.stderr
    # review 2 finding 5: a value of 0 is given too (0 == False must not hide it)
    res = run_cli("or-gate", "--seed", "0", "--format", "markdown")
    assert res.returncode == 0, res.stderr
    assert res.stderr.strip() == ("glassnet: note: --seed is ignored by `explain or-gate` "
                                  "(it is for explain xor)"), res.stderr
    res = run_cli("xor", "--seed", "-1")
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert res.stderr.strip().splitlines() == [
        "glassnet: error: --seed must be at least 0, got -1 (see `glassnet explain --help`)"]
    assert "seed of the initial weights (default 48)" in " ".join(run_cli("--help").stdout.split())


def test_svg_and_markdown_formats(tmp_path):
    res = run_cli("or-gate", "--format", "svg", "--out", str(tmp_path / "or.svg"),
                  "--layout", "rows")
    assert res.returncode == 0, res.stderr
    root = ET.parse(tmp_path / "or.svg").getroot()
    assert root.tag.endswith("svg") and float(root.get("height")) > 300
    assert "Step 1: one example" in "".join(root.itertext())
    md = explain_cmd.or_gate_report().to_markdown(layout="seeds")
    assert md.startswith("# glassnet explain or-gate") and "Cost: 0.0889 -> 0.0840" in md


# -------------------------------------------------------------------------------------------------
# the HTML page in a real browser
# -------------------------------------------------------------------------------------------------

def _chromium():
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        path = shutil.which(name) if not os.path.isabs(name) else (
            name if os.access(name, os.X_OK) else None)
        if path:
            return path
    return None


CHROMIUM = _chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="headless Chromium not installed (Debian: apt-get install "
                             "chromium); the browser checks need it")

_CONSOLE = re.compile(r":CONSOLE[:(]|Uncaught|Failed to load resource", re.I)


def _render_in_chromium(html_path, png_path, tmp_path):
    """Open the page headless, take a screenshot, and return the console lines."""
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}",
           "--enable-logging=stderr", "--v=0", f"--screenshot={png_path}",
           "--window-size=1200,900", Path(html_path).as_uri()]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=90,
                         env={**os.environ, "HOME": str(tmp_path)})
    assert Path(png_path).exists(), res.stderr[-2000:]
    return [ln for ln in (res.stderr + res.stdout).splitlines() if _CONSOLE.search(ln)]


def _distinct_colours(png_path):
    from PIL import Image
    with Image.open(png_path) as im:
        im = im.convert("RGB")
        small = im.resize((im.width // 2, im.height // 2))
        colours = small.getcolors(maxcolors=1 << 20) or []
        arr = np.asarray(im)
    non_white = float((arr.min(axis=2) < 240).mean())
    return len(colours), non_white


@needs_chromium
def test_html_renders_in_chromium_without_console_errors(tmp_path):
    page = tmp_path / "or.html"
    res = run_cli("or-gate", "--format", "html", "--out", str(page))
    assert res.returncode == 0, res.stderr
    console = _render_in_chromium(page, tmp_path / "or.png", tmp_path)
    assert console == [], console
    n_colours, non_white = _distinct_colours(tmp_path / "or.png")
    assert n_colours > 200, n_colours         # text, green/red/blue numbers, boxes, lines
    assert non_white > 0.02, non_white


@needs_chromium
def test_the_console_check_can_fail(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><p>x</p><script>nosuchfunction();</script>"
                   "</body></html>", encoding="utf-8")
    console = _render_in_chromium(bad, tmp_path / "bad.png", tmp_path)
    assert any("Uncaught" in ln for ln in console), console
    n_colours, non_white = _distinct_colours(tmp_path / "bad.png")
    assert n_colours < 200 and non_white < 0.01    # a nearly blank page is recognised as such


# -------------------------------------------------------------------------------------------------
# models saved by GlassClassifier/GlassRegressor.save: their own input and target transforms
# -------------------------------------------------------------------------------------------------

def _offset_data(n=60):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, 2)) * 100 + 50  # far from standardized
    return X, X[:, 0] - 50 + 0.5 * (X[:, 1] - 50)


@pytest.mark.filterwarnings("ignore:.*maximum number of epochs")
def test_explain_a_glass_classifier_file_standardizes_and_encodes_as_it_does(tmp_path):
    pytest.importorskip("sklearn")
    from glassnet.sklearn import GlassClassifier
    X, s = _offset_data()
    labels = np.where(s > 0, "yes", "no")
    clf = GlassClassifier(hidden_layer_sizes=(4,), epochs=5, random_state=0).fit(X, labels)
    clf.save(tmp_path / "clf.gnet")
    csv = tmp_path / "d.csv"
    _write_csv(csv, ["x1", "x2", "label"], [[*np.round(x, 6), t] for x, t in zip(X, labels)])
    Xr = np.round(X, 6)

    rep = explain_cmd.model_report(tmp_path / "clf.gnet", csv, "label", 6)
    tr = rep.traces[0]
    np.testing.assert_allclose(tr.output[:, 0], clf.predict_proba(Xr[:6])[:, 1], rtol=1e-5)
    np.testing.assert_allclose(tr.loss.y_true.ravel(), (labels[:6] == "yes").astype(float))
    text = rep.to_text()
    assert "(x - x_mean_) / x_scale_" in text and "classes_" in text, text[:2000]
    shown = [f"{v}" for v in labels[:4]]
    assert f"target: 'label' = [{', '.join(shown)}, … 2 more]" in text, text[:2000]

    # forward only (no --target): the text label column is not a feature
    rep = explain_cmd.model_report(tmp_path / "clf.gnet", csv, None, 3)
    np.testing.assert_allclose(rep.traces[0].output[:, 0], clf.predict_proba(Xr[:3])[:, 1],
                               rtol=1e-5)
    # a label the classifier never saw is refused by name, not traced
    bad = tmp_path / "bad.csv"
    _write_csv(bad, ["x1", "x2", "label"], [[1, 2, "maybe"]])
    res = run_cli("--model", str(tmp_path / "clf.gnet"), "--data", str(bad), "--target", "label")
    assert res.returncode == 2, res.stdout[-2000:] + res.stderr
    assert "'maybe'" in res.stderr and "classes ['no', 'yes']" in res.stderr, res.stderr


@pytest.mark.filterwarnings("ignore:.*maximum number of epochs")
def test_explain_a_glass_regressor_file_standardizes_inputs_and_targets(tmp_path):
    pytest.importorskip("sklearn")
    from glassnet.sklearn import GlassRegressor
    X, s = _offset_data()
    y = 1000 + 50 * s
    reg = GlassRegressor(hidden_layer_sizes=(4,), epochs=5, random_state=0,
                         dtype="float64").fit(X, y)
    reg.save(tmp_path / "reg.gnet")
    csv = tmp_path / "d.csv"
    _write_csv(csv, ["x1", "x2", "y"], [[*np.round(x, 6), round(t, 6)] for x, t in zip(X, y)])
    rep = explain_cmd.model_report(tmp_path / "reg.gnet", csv, "y", 5)
    tr = rep.traces[0]
    pred = tr.output[:, 0] * reg.y_scale_[0] + reg.y_mean_[0]
    np.testing.assert_allclose(pred, reg.predict(np.round(X[:5], 6)), rtol=1e-6)
    np.testing.assert_allclose(tr.loss.y_true.ravel(),
                               (np.round(y[:5], 6) - reg.y_mean_[0]) / reg.y_scale_[0])
    assert "y_mean_ / y_scale_" in rep.to_text()


def test_explain_target_line_is_summarized_with_class_names(tmp_path):
    io = pytest.importorskip("glassnet.io")
    model = gn.Sequential([gn.Dense(1, 1), gn.Sigmoid()], seed=0)
    model.build(1)
    io.save_model(model, tmp_path / "m.gnet", extra={
        "task": "classification", "target": "t", "classes": ["0", "1"],
        "class_display_names": ["0 (died)", "1 (survived)"],
        "target_encoder": None})
    csv = tmp_path / "d.csv"
    _write_csv(csv, ["x", "t"], [[i, i % 2] for i in range(30)])
    text = explain_cmd.model_report(tmp_path / "m.gnet", csv, "t", 30).to_text()
    assert "target: 't' = [0 (died), 1 (survived), 0 (died), 1 (survived), … 26 more]" in text, \
        text[:1500]


def test_explain_out_refuses_to_overwrite_the_model_or_the_data(tmp_path, capsys):
    """Trial G finding 1: `explain --out` naming the model file or the CSV is refused, as
    predict's --out is (the same check), and neither file is touched."""
    from glassnet.cli import main
    io = pytest.importorskip("glassnet.io")
    X = np.random.default_rng(0).standard_normal((8, 2))
    model = gn.Sequential([gn.Dense(2, 1), gn.Sigmoid()], seed=0)
    io.save_model(model, tmp_path / "m.gnet")
    csv = tmp_path / "d.csv"
    _write_csv(csv, ["a", "b", "label"], [[*np.round(x, 3), int(x[0] > 0)] for x in X])
    before = {p: p.read_bytes() for p in (tmp_path / "m.gnet", csv)}
    link = tmp_path / "link.csv"
    link.symlink_to(csv)
    for out, what in ((tmp_path / "m.gnet", "model file"), (csv, "input CSV"),
                      (link, "input CSV"), (tmp_path / "." / "m.gnet", "model file")):
        code = main(["explain", "--model", str(tmp_path / "m.gnet"), "--data", str(csv),
                     "--target", "label", "--rows", "2", "--format", "html", "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 2 and f"is the {what}: writing there would destroy it" in err, err
        assert "--debug" not in err
    assert {p: p.read_bytes() for p in before} == before


def test_explain_a_train_regression_model_standardizes_the_target(tmp_path):
    """A `glassnet train` regression network learns (y − mean)/std: explain traced the raw
    target against it (cost ~1e11 for prices around 3e5, gradients 1e5 times too large)."""
    from glassnet import cli, io
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    price = 1e5 * (3 + x[:, 0]) + 1e3 * x[:, 1]
    csv = tmp_path / "p.csv"
    _write_csv(csv, ["x1", "x2", "price"], [[*np.round(r, 6), round(p, 3)]
                                           for r, p in zip(x, price)])
    assert cli.main(["train", str(csv), "--target", "price", "--out",
                          str(tmp_path / "r"), "--epochs", "5", "-q"]) == 0
    path = tmp_path / "r" / "model.gnet"
    extra = io.load_model(path).extra
    mean, std = extra["target_scaling"]["mean"], extra["target_scaling"]["std"]
    rep = explain_cmd.model_report(path, csv, "price", 4)
    tr = rep.traces[0]
    y_std = (np.round(price[:4], 3) - mean) / std
    out = tr.output.astype(np.float64).reshape(-1)
    np.testing.assert_allclose(tr.cost, np.mean((out - y_std) ** 2), rtol=1e-4)
    assert tr.cost < 10
    text = rep.to_text()
    assert "scaled with the file's target scaling" in text
    # ŷ shown in the target's units too: what `glassnet predict` writes
    shown = re.search(r"in price's units .* = ([-\d.e+, ]+)", text)
    assert shown, text
    first = float(shown.group(1).split(",")[0])
    np.testing.assert_allclose(first, out[0] * std + mean, rtol=1e-5)


def test_explain_names_a_traced_row_without_a_target_or_with_an_unknown_class(tmp_path):
    """Trial R3: a missing target cell read 'unknown label(s) None not seen at fit' without a
    line; an unseen class the same, where evaluate names the line."""
    from glassnet import cli
    rng = np.random.default_rng(0)
    k = rng.integers(0, 3, 90)
    X = np.eye(3)[k] * 5 + rng.normal(size=(90, 3)) * 0.3
    _write_csv(tmp_path / "tr.csv", ["x0", "x1", "x2", "y"],
               [[*np.round(x, 4), "abc"[c]] for x, c in zip(X, k)])
    assert cli.main(["train", str(tmp_path / "tr.csv"), "--target", "y", "--out",
                     str(tmp_path / "r"), "--epochs", "2", "-q"]) == 0
    _write_csv(tmp_path / "miss.csv", ["x0", "x1", "x2", "y"],
               [[0.1, 5, 0.2, "b"], [5, 0.1, 0.2, ""]])
    _write_csv(tmp_path / "unk.csv", ["x0", "x1", "x2", "y"],
               [[0.1, 5, 0.2, "b"], [5, 0.1, 0.2, "brand new"]])
    res = run_cli("--model", str(tmp_path / "r" / "model.gnet"), "--data",
                  str(tmp_path / "miss.csv"), "--rows", "2")
    assert res.returncode == 2
    assert "the target column 'y' has no value at line 3 of" in res.stderr, res.stderr
    res = run_cli("--model", str(tmp_path / "r" / "model.gnet"), "--data",
                  str(tmp_path / "unk.csv"), "--rows", "2")
    assert res.returncode == 2
    assert ("the target value 'brand new' at line 3 of" in res.stderr
            and "is not one of the model's classes ['a', 'b', 'c']" in res.stderr), res.stderr
    # one traced row: the row without a target is not traced, and the trace runs
    res = run_cli("--model", str(tmp_path / "r" / "model.gnet"), "--data",
                  str(tmp_path / "miss.csv"), "--rows", "1")
    assert res.returncode == 0, res.stderr


def test_explain_target_none_and_a_feature_given_as_target(tmp_path):
    """Docs trial: --target set to an input column read 'unknown label(s) 125.73 ... not seen
    at fit'; there was no way to trace the forward pass of a file holding the target."""
    from glassnet import cli
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    _write_csv(tmp_path / "d.csv", ["a", "b", "y"],
               [[*np.round(x, 4), "yes" if x[0] > 0 else "no"] for x in X])
    assert cli.main(["train", str(tmp_path / "d.csv"), "--target", "y", "--out",
                     str(tmp_path / "r"), "--epochs", "2", "-q"]) == 0
    model = str(tmp_path / "r" / "model.gnet")
    res = run_cli("--model", model, "--data", str(tmp_path / "d.csv"), "--target", "a")
    assert res.returncode == 2
    assert ("--target a is one of the model's input columns; it was trained to predict 'y' "
            "(--target none traces the forward pass only)") in res.stderr, res.stderr
    res = run_cli("--model", model, "--data", str(tmp_path / "d.csv"), "--target", "Y")
    assert res.returncode == 2 and "no column 'Y' in" in res.stderr
    assert "(did you mean 'y'?)" in res.stderr
    res = run_cli("--model", model, "--data", str(tmp_path / "d.csv"), "--target", "none")
    assert res.returncode == 0, res.stderr
    assert "target: none (forward pass only" in res.stdout and "dCost" not in res.stdout


@pytest.mark.filterwarnings("ignore:GlassRegressor. the maximum number of epochs")
def test_explain_on_multi_output_models_and_a_regressors_units(tmp_path):
    """Trial 14/6 findings 2-3: a 2-output model with --target t1 was told to 'pass --target';
    a multi-output GlassRegressor's forward pass said 'pass --target COL', which then failed;
    a GlassRegressor's ŷ was shown standardized without saying so."""
    pytest.importorskip("sklearn")
    from glassnet.sklearn import GlassRegressor
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    Y = np.c_[X[:, 0], X[:, 1] - X[:, 2]] * 50 - 7
    both = tmp_path / "both.csv"
    _write_csv(both, ["a", "b", "c", "t1", "t2"], np.round(np.c_[X, Y], 6).tolist())
    m = gn.Sequential([gn.Dense(3, 5, activation="tanh"), gn.Dense(5, 2)], seed=0)
    m.fit(X, Y, loss="mse", epochs=2)
    m.save(tmp_path / "mo.gnet")
    with pytest.raises(ValueError, match=r"gives 4 \(a, b, c, t2\); --target leaves "
                       r"out one column, but the model has 2 outputs: trace a CSV of its "
                       r"feature columns only, with --target none"):
        explain_cmd.model_report(tmp_path / "mo.gnet", both, "t1", 2)
    frame = {k: X[:, j] for j, k in enumerate("abc")}
    import pandas as pd
    est = GlassRegressor(epochs=3, random_state=0).fit(pd.DataFrame(frame), Y)
    est.save(tmp_path / "moreg.gnet")
    text = explain_cmd.model_report(tmp_path / "moreg.gnet", both, None, 2).to_text()
    assert "target: none (forward pass only: the model's 2 outputs are more targets than " \
           "one --target column gives)" in text
    shown = re.search(r"ŷ·y_scale_ \+ y_mean_ \(per output\) = ([-\d.e+, ]+)", text)
    want = est.predict(pd.DataFrame({k: v[:2] for k, v in frame.items()})).reshape(-1)
    np.testing.assert_allclose([float(v) for v in shown.group(1).split(",")], want, rtol=1e-5)
    one = GlassRegressor(epochs=3, random_state=0).fit(pd.DataFrame(frame), Y[:, 0])
    one.save(tmp_path / "reg.gnet")
    text = explain_cmd.model_report(tmp_path / "reg.gnet", both, "t1", 2).to_text()
    shown = re.search(r"in t1's units ŷ·([\d.]+) − ([\d.]+) = ([-\d.e+, ]+)", text)
    assert shown, text
    np.testing.assert_allclose([float(v) for v in shown.group(3).split(",")],
                               one.predict(pd.DataFrame({k: v[:2] for k, v in frame.items()})),
                               rtol=1e-5)
    assert "standardized with the file's y_mean_ / y_scale_" in text


def test_max_entries_shows_every_number_or_summarizes_more():
    """Trial 14/9 finding 3: a 4-row trace of 8 one-hot inputs (32 entries) was always
    summarized (mean, std, first values): the inputs could not be read off; --max-entries
    sets the limit."""
    default = run_cli("or-gate")
    assert default.returncode == 0 and " entries" not in default.stdout
    few = run_cli("or-gate", "--max-entries", "2")
    assert few.returncode == 0 and "shape (2, 4), 8 entries" in few.stdout, few.stdout
    bad = run_cli("or-gate", "--max-entries", "0")
    assert bad.returncode == 2 and "--max-entries must be at least 1" in bad.stderr


def test_precision_applies_to_summaries_too():
    """Glass-box audit finding 5: --precision 8 left the summaries of arrays longer than
    --max-entries at 4 significant digits (mean 0.0532 std 0.5936, first [0.2228, …])."""
    res = run_cli("or-gate", "--max-entries", "2", "--precision", "8")
    assert res.returncode == 0, res.stderr
    # the OR batch's ŷ (seeds: [0.5 0.646 0.525 0.668]: σ of 0, 0.6, 0.1, 0.7), summarized
    # with 8 significant digits
    from glassnet.render import fmt_num
    z = np.array([0.0, 0.6, 0.1, 0.7])
    first = ", ".join(fmt_num(v, 8) for v in 1 / (1 + np.exp(-z)))
    assert f"first [{first}]" in res.stdout and len(first) > 30, res.stdout
    means = re.findall(r"mean (-?[\d.]+(?:e-?\d+)?)  std", res.stdout)
    assert means and any(len(m.lstrip("-0.").replace(".", "")) > 4 for m in means)


def test_explain_an_inference_step_of_a_dropout_model_is_not_fits(tmp_path):
    """Glass-box audit finding 2: `explain --model --lr` without --train-mode steps with
    dropout off, and called it 'one fit step'."""
    io = pytest.importorskip("glassnet.io")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 2))
    y = (X[:, 0] > 0).astype(int)
    model = gn.Sequential([gn.Dense(2, 3, activation="relu"), gn.Dropout(0.5), gn.Dense(3, 1),
                           gn.Sigmoid()], seed=0)
    model.fit(X, y, epochs=1)
    io.save_model(model, tmp_path / "m.gnet")
    csv = tmp_path / "d.csv"
    _write_csv(csv, ["a", "b", "label"], [[*np.round(x, 6), int(t)] for x, t in zip(X, y)])
    off = explain_cmd.model_report(tmp_path / "m.gnet", csv, "label", 3, lr=0.1).to_text()
    assert "dropout was off, so this step differs from fit's, which trains with dropout on" \
        in off and "as one fit step" not in off
    assert "--train-mode steps with dropout on, as fit does" in off
    assert off.count("dropout was off") == 1   # said once (review: three times)
    on = explain_cmd.model_report(tmp_path / "m.gnet", csv, "label", 3, lr=0.1,
                                  training=True).to_text()
    assert "as one fit step" in on and "differs from fit's" not in on


def test_explain_names_every_input_and_each_output_class(tmp_path, capsys):
    """Trial AH: the trace of a real model never said which input is which column or
    category (the first 20 names only) nor which column of ŷ is which class, and --out
    t.html without --format wrote plain text into it."""
    from glassnet.cli import main
    r = np.random.default_rng(0)
    cities = [f"c{i}" for i in range(30)]
    rows = "".join(f"{r.normal():.3f},{'' if i % 7 == 0 else f'{r.normal():.3f}'},"
                   f"{cities[i % 30]},{('high', 'low', 'mid')[i % 3]}\n" for i in range(300))
    data = tmp_path / "d.csv"
    data.write_text("a,b,city,label\n" + rows)
    assert main(["train", str(data), "--target", "label", "--epochs", "1", "-q", "--out",
                 str(tmp_path / "run")]) == 0
    model = str(tmp_path / "run" / "model.gnet")
    capsys.readouterr()
    assert main(["explain", "--model", model, "--data", str(data), "--rows", "2"]) == 0
    text = capsys.readouterr().out
    assert ("inputs (the columns of X, the rows of the first W): 0 a, 1 b, 2 b_missing, "
            "3-32 city=(c0, c1, c10 … 30 categories)") in text, text
    assert explain_cmd._input_key(["e=C", "e=Q", "e=S", "e=<missing>"], SimpleNamespace(
        columns_=[{"kind": "categorical"}], _widths=lambda: [("e", 4)])).endswith(
        "0-3 e=(C, Q, S, <missing>)")   # (four shown whole: '…' hid just one)
    # trial AP: a category holding ', ' quoted, a class that reads as a number too
    assert explain_cmd._input_key(["d=big, red", "d=x"], SimpleNamespace(
        columns_=[{"kind": "categorical"}], _widths=lambda: [("d", 2)])).endswith(
        "0-1 d=('big, red', x)")
    assert explain_cmd._class_key([1, 2, 3], 3) == (
        "classes (the columns of ŷ, the codes of y): 0 = '1', 1 = '2', 2 = '3'")
    assert "classes (the columns of ŷ, the codes of y): 0 = high, 1 = low, 2 = mid" in text
    out = tmp_path / "t.html"
    assert main(["explain", "--model", model, "--data", str(data), "--out", str(out)]) == 0
    assert out.read_text().lstrip().lower().startswith("<!doctype html")
    assert explain_cmd._render_method(None, "t.md") == "to_markdown"
    assert explain_cmd._render_method(None, None) == "to_text"
    assert explain_cmd._render_method("svg", "t.md") == "to_svg"
    titanic = tmp_path / "tt"
    assert main(["train", "titanic", "--epochs", "1", "-q", "--out", str(titanic)]) == 0
    capsys.readouterr()
    assert main(["explain", "--model", str(titanic / "model.gnet"), "--data", "titanic"]) == 0
    assert "ŷ is the probability of class 1 (survived), against 0 (died) (y's codes 1 and " \
           "0)" in capsys.readouterr().out
    assert main(["explain", "--model", str(titanic / "model.gnet"), "--data", "titanic",
                 "--target", "none"]) == 0
    captured = capsys.readouterr()
    text = captured.out   # the model's loss named on a forward pass too
    assert "target: none (forward pass only, as --target none asks)" in text
    assert "ŷ is the probability of class 1 (survived), against 0 (died)\n" in text
    assert "loss BinaryCrossEntropy()" in text
    assert main(["explain", "--model", model, "--data", str(data), "--rows", "1000"]) == 0
    assert "rows 1..300 of 300 (all of them: fewer than the 1000 --rows asks)" in \
        capsys.readouterr().out


def test_gradcheck_of_a_trained_model_checks_its_own_loss():
    """Trial AH: gradcheck on a loaded classifier checked MSE (and refused its labels), where
    trace used the model's loss."""
    r = np.random.default_rng(0)
    X, y = r.normal(size=(30, 3)), np.arange(30) % 3
    model = gn.Sequential([gn.Dense(3, 4, activation="relu"), gn.Dense(4, 3,
                                                                      activation="softmax")],
                          seed=0)
    model.fit(X, y, loss="cce", epochs=1)
    assert gn.gradcheck(model, X[:4], y[:4]) < 1e-6
    assert gn.gradcheck(model, X[:4]) < 1e-6   # random targets the loss takes: classes
