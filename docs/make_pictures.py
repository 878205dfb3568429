"""Make the pictures the README shows, from the engine:

    docs/or_gate_trace.svg, docs/or_gate_trace.png   the seeds' OR-gate step as a graph
    docs/xor_decision_boundary.png                   the XOR network's decision boundary

Run from the repository root:  .venv/bin/python docs/make_pictures.py

The SVG is drawn by glassnet itself; the PNG of it is a screenshot by headless Chromium
(Debian: ``apt-get install chromium``), skipped with a notice when Chromium is missing. The
decision boundary needs matplotlib (``pip install glassnet[plot]``).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import glassnet as gn  # noqa: E402
from glassnet.explain_cmd import _or_model  # noqa: E402
from glassnet.optim import SGD  # noqa: E402
from glassnet.trace import trace  # noqa: E402


def or_gate_trace():
    """The seeds' first worked step: x = (0, 0), y = 0, w = [0.1, 0.6], b = 0, lr 1."""
    model = _or_model()
    X = np.array([[0.0, 0.0]])
    return trace(model, X, [0.0], gn.MSE(half=True), SGD(lr=1.0),
                 title="glassnet trace: the seeds' OR gate, one example, one step")


def svg_to_png(svg_path: Path, png_path: Path, scale: float = 2.0) -> bool:
    """Screenshot an SVG with headless Chromium at its own size (``scale`` × for sharpness)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium not found: skipping", png_path.name, file=sys.stderr)
        return False
    text = svg_path.read_text(encoding="utf-8")
    import xml.etree.ElementTree as ET
    root = ET.fromstring(text.encode("utf-8"))
    w, h = int(float(root.get("width"))), int(float(root.get("height")))
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        body = text.split("?>", 1)[-1]
        page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
                        "html,body{margin:0;padding:0;background:#fff}</style></head><body>"
                        + body + "</body></html>", encoding="utf-8")
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", f"--user-data-dir={tmp}/profile",
               f"--force-device-scale-factor={scale}", f"--window-size={w},{h}",
               f"--screenshot={png_path}", page.as_uri()]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return png_path.exists()


def xor_decision_boundary(path: Path):
    from glassnet import plot
    from matplotlib.figure import Figure

    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([0, 1, 1, 0])
    model = gn.Sequential([gn.Dense(2, 3, init="xavier"), gn.Sigmoid(),
                           gn.Dense(3, 1, init="xavier"), gn.Sigmoid()], seed=48,
                          dtype="float64")
    hist = model.fit(X, y, loss=gn.MSE(half=True), optimizer=SGD(lr=1.0), epochs=5000,
                     batch_size=None, shuffle=False)
    fig = Figure(figsize=(13.5, 4.2))
    axes = fig.subplots(1, 3)
    plot.learning_curve(hist, ax=axes[0], title="Learning curve (XOR, lr 1)")
    plot.decision_boundary(model, X, y, ax=axes[1], shaded=False, padding=0.6)
    plot.decision_boundary(model, X, y, ax=axes[2], shaded=True, padding=0.6)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    tr = or_gate_trace()
    svg = HERE / "or_gate_trace.svg"
    svg.write_text(tr.to_svg(layout="seeds"), encoding="utf-8")
    print("wrote", svg)
    png = HERE / "or_gate_trace.png"
    if svg_to_png(svg, png):
        print("wrote", png)
    db = HERE / "xor_decision_boundary.png"
    xor_decision_boundary(db)
    print("wrote", db)


if __name__ == "__main__":
    main()
