"""How fast ``glassnet.data.read_csv`` reads big CSV files, against ``pandas.read_csv``.

Generates two files in a temporary folder (or ``--dir``): a "mixed" one (12 number columns
with three decimals, 7 categories of 3 to 40 values, a 0/1 target: the kind ``glassnet train``
reads) and an "mnist"-like one (784 pixel columns of small whole numbers, mostly 0, and a
label). Each reader reads each file in a fresh process (so that its peak memory, VmHWM, is its
own), the readers taking turns, ``--rounds`` times; the table shows the best time of the
rounds and the peak memory. ``read_csv(keep_text=True)`` is what ``glassnet predict`` uses.
Not part of ``make test``.

Usage: ``python bench/bench_csv.py [--rows 200000] [--mnist-rows 20000] [--rounds 3]``
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")

# one read, in a process of its own: "seconds peak_MiB"
_READ = r"""
import sys, time
sys.path.insert(0, {src!r})
reader, path = sys.argv[1], sys.argv[2]
if reader == "pandas":
    import pandas as pd
    read = pd.read_csv
else:
    from glassnet.data import read_csv
    read = (lambda p: read_csv(p, keep_text=True)) if reader == "keep_text" else read_csv
t = time.perf_counter()
read(path)
dt = time.perf_counter() - t
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(dt, peak / 1024)
"""


def _write(path, names, columns):
    """``columns`` (lists of str, one per name) as a CSV file."""
    with open(path, "w", encoding="ascii", newline="") as fh:
        fh.write(",".join(names) + "\n")
        fh.writelines(",".join(row) + "\n" for row in zip(*columns))


def make_mixed(path, n, seed=0):
    rng = np.random.default_rng(seed)
    names, cols = [], []
    nums = [np.round(rng.normal(size=n) * 10, 3) for _ in range(12)]
    for i, x in enumerate(nums):
        names.append(f"num{i}")
        cols.append(list(map(repr, x.tolist())))
    for i, k in enumerate((3, 5, 8, 12, 20, 30, 40)):
        cats = np.array([f"c{j}" for j in range(k)])
        names.append(f"cat{i}")
        cols.append(cats[rng.integers(0, k, n)].tolist())
    names.append("target")
    cols.append(list(map(str, (nums[0] + nums[1] > 0).astype(int).tolist())))
    _write(path, names, cols)


def make_mnist(path, n, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    X = np.zeros((n, 784), dtype=np.uint8)
    mask = rng.random((n, 784)) < 0.19
    X[mask] = rng.integers(1, 256, int(mask.sum()))
    names = [f"px{i}" for i in range(784)] + ["label"]
    cols = [list(map(str, X[:, j].tolist())) for j in range(784)] + [list(map(str, y.tolist()))]
    _write(path, names, cols)


def _time(reader, path):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", _READ.format(src=SRC), reader, path],
                         capture_output=True, text=True, check=False, env=env)
    if out.returncode:
        raise RuntimeError(f"{reader} on {path} failed:\n{out.stderr}")
    seconds, peak = map(float, out.stdout.split())
    return seconds, peak


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=200_000, help="rows of the mixed file")
    ap.add_argument("--mnist-rows", type=int, default=20_000, help="rows of the mnist file")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", help="keep the generated files here (default: a temporary folder)")
    args = ap.parse_args(argv)
    try:
        import pandas  # noqa: F401
        readers = ["glassnet", "keep_text", "pandas"]
    except ImportError:
        readers = ["glassnet", "keep_text"]
        print("pandas is not installed: glassnet alone", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or tmp
        os.makedirs(folder, exist_ok=True)
        files = []
        for kind, make, n in (("mixed", make_mixed, args.rows),
                              ("mnist", make_mnist, args.mnist_rows)):
            path = os.path.join(folder, f"{kind}_{n}.csv")
            if not os.path.exists(path):
                print(f"writing {path}", file=sys.stderr)
                make(path, n)
            files.append(path)
        best = {}
        for r in range(args.rounds):
            for path in files:
                for reader in readers:   # taking turns: a slower moment hits each alike
                    s, peak = _time(reader, path)
                    old = best.get((path, reader), (float("inf"), 0.0))
                    best[path, reader] = (min(old[0], s), max(old[1], peak))
                    print(f"round {r + 1}: {reader} {os.path.basename(path)} {s:.2f} s",
                          file=sys.stderr)
        print(f"{'file':<22} {'reader':<10} {'best s':>8} {'peak MiB':>9} {'vs pandas':>9}")
        for path in files:
            base = best.get((path, "pandas"), (None,))[0]
            for reader in readers:
                s, peak = best[path, reader]
                ratio = f"{s / base:.1f}x" if base else "-"
                print(f"{os.path.basename(path):<22} {reader:<10} {s:>8.2f} {peak:>9.0f} "
                      f"{ratio:>9}")


if __name__ == "__main__":
    main()
