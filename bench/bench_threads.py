"""How fit's speed depends on the number of BLAS threads, per batch size (and PyTorch's).

The evidence behind ``glassnet.train._ALL_BLAS_THREADS_FROM``: the benchmark MLP of
bench_mlp.py, one epoch of ``fit`` per measurement with the BLAS limited to each thread count
in turn (fit's own small-batch rule switched off for the scan), against the PyTorch loop with
``torch.set_num_threads`` set alike. Rounds are interleaved; the best of the rounds is shown.

Usage: ``python bench/bench_threads.py [--threads 1,2,4] [--batch-sizes 32,128] [--rounds 2]``
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench_mlp as B  # noqa: E402  (puts src/ on the path)
from glassnet import train as _train  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", default=None, help="e.g. 1,2,4 (default: 1, 2, 4, ... cores)")
    ap.add_argument("--batch-sizes", default="32,128,1024")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--n", type=int, default=B.N_TRAIN, help="training rows")
    args = ap.parse_args(argv)
    import torch
    from threadpoolctl import threadpool_limits

    cores = os.cpu_count() or 1
    counts = [int(t) for t in args.threads.split(",")] if args.threads else \
        sorted({1, cores, *(2 ** i for i in range(1, cores.bit_length()) if 2 ** i <= cores)})
    sizes = [int(b) for b in args.batch_sizes.split(",")]
    X, y = B.make_data(args.n)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    init = B.glassnet_model().get_weights()
    rule = _train._ALL_BLAS_THREADS_FROM
    _train._ALL_BLAS_THREADS_FROM = 0  # the scan sets the threads itself
    rng = np.random.default_rng(1)
    print(f"{cores} cores; NumPy {np.__version__}, PyTorch {torch.__version__}; "
          f"fit's rule: one BLAS thread below {rule} rows; best of {args.rounds} rounds")
    print(f"{'batch':>6}{'threads':>8}{'glassnet ex/s':>15}{'torch ex/s':>12}{'ratio':>8}")
    warm = B.TorchMLP(init)  # first calls pay for PyTorch's and the BLAS's set-up
    for t in counts:
        torch.set_num_threads(t)
        warm.epoch(Xt[:4096], yt[:4096], 64, rng.permutation(4096))
        B.glassnet_epoch(B.glassnet_model(), X[:4096], y[:4096], 64)
    try:
        for bs in sizes:
            best = {}
            for _ in range(args.rounds):
                for t in counts:
                    model = B.glassnet_model()
                    model.set_weights(init)
                    tm = B.TorchMLP(init)
                    torch.set_num_threads(t)
                    with threadpool_limits(limits=t, user_api="blas"):
                        s = time.perf_counter()
                        B.glassnet_epoch(model, X, y, bs)
                        g = len(X) / (time.perf_counter() - s)
                    s = time.perf_counter()
                    tm.epoch(Xt, yt, bs, rng.permutation(len(X)))
                    p = len(X) / (time.perf_counter() - s)
                    old = best.get(t, (0.0, 0.0))
                    best[t] = (max(old[0], g), max(old[1], p))
            for t in counts:
                g, p = best[t]
                print(f"{bs:>6}{t:>8}{g:>15,.0f}{p:>12,.0f}{g / p:>7.2f}x", flush=True)
    finally:
        _train._ALL_BLAS_THREADS_FROM = rule
    return 0


if __name__ == "__main__":
    sys.exit(main())
