"""`glassnet train` with default options next to scikit-learn on the same split.

For each dataset and seed this runs the real command line, ``python -m glassnet.cli train DATA
--seed S`` (in a subprocess, timed end to end: start-up, CSV reading, preprocessing, training,
metrics, plots and report), reads the test accuracy from its ``metrics.json``, and trains
scikit-learn's ``MLPClassifier(early_stopping=True)`` (otherwise defaults) and
``LogisticRegression`` on exactly the same test split. The scikit-learn models get the rows
glassnet trains and validates on (MLPClassifier holds out its own 10 % for early stopping),
encoded by the same :class:`~glassnet.preprocess.TabularPreprocessor` fitted on those rows.

Datasets: the bundled ``titanic``, ``breast_cancer`` and ``energy``; ``synthetic``, a
generated CSV of tens of thousands of rows with numeric, categorical, missing and identifier
columns and a string target; and scikit-learn's ``make_classification`` (both written to a
temporary folder).

    python bench/compare_cli.py                  # 10 seeds on the small sets, 3 on synthetic
    python bench/compare_cli.py --seeds 3 --big-rows 50000
    python bench/compare_cli.py --cli-args="--hidden 64,32"   # try other options

Times depend on the machine; compare the columns of one run.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))

from glassnet.commands import _load_source, _select_bundled, split_rows  # noqa: E402
from glassnet.data import Table, write_csv  # noqa: E402
from glassnet.preprocess import TabularPreprocessor, TargetEncoder  # noqa: E402


def make_synthetic(n: int, seed: int = 0) -> Table:
    """A mixed table: 8 numeric columns (5 % missing), two categorical ones, an id column, a
    free-text column, and a yes/no target from a non-linear rule plus noise."""
    r = np.random.default_rng(seed)
    X = r.standard_normal((n, 8))
    colour = r.choice(["red", "green", "blue", "grey"], n)
    size = r.choice(["S", "M", "L"], n, p=[0.5, 0.3, 0.2])
    f = (np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.5 * X[:, 3] ** 2 - 0.5
         + 0.8 * (colour == "red") - 0.5 * (size == "L") + 0.3 * X[:, 4])
    y = np.where(f + 0.5 * r.standard_normal(n) > 0, "yes", "no").astype(object)
    X[r.random(X.shape) < 0.05] = np.nan
    cols = {"customer_id": np.arange(100000, 100000 + n, dtype=np.float64)}
    cols.update({f"x{j}": X[:, j] for j in range(8)})
    colour = colour.astype(object)
    colour[r.random(n) < 0.03] = None
    cols.update(colour=colour, size=size.astype(object),
                note=np.array([f"note {i:x}-{r.integers(1e9)}" for i in range(n)], dtype=object),
                label=y)
    return Table(cols)


def make_sklearn_classification(n: int, seed: int = 0) -> Table:
    """scikit-learn's ``make_classification``: 20 numeric features (10 informative, 4
    redundant), two classes, 5 % of labels flipped."""
    from sklearn.datasets import make_classification
    X, y = make_classification(n_samples=n, n_features=20, n_informative=10, n_redundant=4,
                               flip_y=0.05, class_sep=0.8, random_state=seed)
    return Table({**{f"f{j}": X[:, j] for j in range(20)}, "y": y.astype(np.float64)})


def run_cli(data, target, seed, out, cli_args):
    cmd = [sys.executable, "-m", "glassnet.cli", "train", data, "--seed", str(seed), "--quiet",
           "--out", out] + (["--target", target] if target else []) + cli_args
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src") + os.pathsep
               + os.environ.get("PYTHONPATH", ""))
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    with open(os.path.join(out, "metrics.json"), encoding="utf-8") as f:
        m = json.load(f)
    return m["metrics"]["test"]["accuracy"], wall, m["train_seconds"], m["epochs_trained"]


def run_sklearn(data, target, seed):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    src = _load_source(data)
    target = target or src.default_target
    table = _select_bundled(src, target)
    y = TargetEncoder().fit_transform(table[target])
    tr, va, te, _, _ = split_rows(y, table.n_rows, 0.2, 0.2, seed)
    fit_rows = np.concatenate([tr, va])
    t = time.perf_counter()
    pre = TabularPreprocessor().fit(table.take(fit_rows), target)
    Xf, Xt = pre.transform(table.take(fit_rows)), pre.transform(table.take(te))
    t_pre = time.perf_counter() - t
    out = {}
    for name, est in (("mlp", MLPClassifier(early_stopping=True, random_state=seed)),
                      ("logreg", LogisticRegression(max_iter=2000))):
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(Xf, y[fit_rows])
        acc = float((est.predict(Xt) == y[te]).mean())
        out[name] = (acc, time.perf_counter() - t + t_pre)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10, help="seeds per small dataset")
    ap.add_argument("--big-seeds", type=int, default=3, help="seeds for the synthetic set")
    ap.add_argument("--big-rows", type=int, default=50000)
    ap.add_argument("--mc-rows", type=int, default=30000,
                    help="rows of the make_classification set (0: leave it out)")
    ap.add_argument("--no-big", action="store_true", help="only the bundled datasets")
    ap.add_argument("--datasets", default="titanic,breast_cancer,energy")
    ap.add_argument("--cli-args", default="", help="extra options for glassnet train")
    ap.add_argument("--json", metavar="FILE", help="also write the raw numbers here")
    args = ap.parse_args(argv)
    cli_args = shlex.split(args.cli_args)

    tmp = tempfile.mkdtemp(prefix="glassnet-bench-")
    jobs = [(name, name, None, args.seeds) for name in args.datasets.split(",") if name]
    if not args.no_big:
        path = os.path.join(tmp, "synthetic.csv")
        write_csv(make_synthetic(args.big_rows), path)
        jobs.append((f"synthetic ({args.big_rows:,} rows)", path, "label", args.big_seeds))
        if args.mc_rows:
            path = os.path.join(tmp, "make_classification.csv")
            write_csv(make_sklearn_classification(args.mc_rows), path)
            jobs.append((f"make_classification ({args.mc_rows:,} rows)", path, "y",
                         args.big_seeds))

    rows, raw = [], {}
    for label, data, target, n_seeds in jobs:
        g, mlp, lr = [], [], []
        for seed in range(n_seeds):
            out = os.path.join(tmp, f"run-{abs(hash(label))}-{seed}")
            acc, wall, fit_s, epochs = run_cli(data, target, seed, out, cli_args)
            sk = run_sklearn(data, target, seed)
            g.append((acc, wall, fit_s, epochs))
            mlp.append(sk["mlp"])
            lr.append(sk["logreg"])
            print(f"  {label} seed {seed}: glassnet {acc:.4f} ({wall:.1f} s, {epochs} epochs)  "
                  f"MLP {sk['mlp'][0]:.4f} ({sk['mlp'][1]:.1f} s)  "
                  f"LogReg {sk['logreg'][0]:.4f}", file=sys.stderr, flush=True)
        g, mlp, lr = np.array(g), np.array(mlp), np.array(lr)
        raw[label] = {"glassnet": g.tolist(), "mlp": mlp.tolist(), "logreg": lr.tolist()}
        rows.append((label, n_seeds, g, mlp, lr))

    opts = f" {args.cli_args}" if args.cli_args else ""
    print(f"\nTest accuracy on the same split: `glassnet train DATA{opts}` (defaults) vs "
          f"scikit-learn.\nSeed 0 is what `glassnet train` gives with no options; the mean ± "
          f"s.d. is over seeds 0..n-1\n(each seed: another split and another initialization). "
          f"Times are means per run: glassnet's\nwhole command (start-up, preprocessing, "
          f"training, plots, report) and, in brackets, its training\nloop; scikit-learn's "
          f"preprocessing + fit.\n")
    head = ("| dataset | seeds | glassnet seed 0 | glassnet mean ± sd | glassnet time (fit) "
            "| MLPClassifier seed 0 | MLPClassifier mean ± sd | MLP time "
            "| LogisticRegression seed 0 | LogReg mean ± sd | LogReg time |")
    print(head)
    print("|" + "|".join(["---"] * (head.count("|") - 1)) + "|")
    for label, n, g, mlp, lr in rows:
        def ms(a):
            return f"{a[:, 0].mean():.4f} ± {a[:, 0].std():.4f}"
        print(f"| {label} | {n} | {g[0, 0]:.4f} | {ms(g)} | {g[:, 1].mean():.2f} s "
              f"({g[:, 2].mean():.2f} s) | {mlp[0, 0]:.4f} | {ms(mlp)} | "
              f"{mlp[:, 1].mean():.2f} s | {lr[0, 0]:.4f} | {ms(lr)} | {lr[:, 1].mean():.2f} s |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(raw, f, indent=1)


if __name__ == "__main__":
    main()
