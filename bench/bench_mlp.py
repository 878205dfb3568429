"""Training and inference throughput of glassnet against PyTorch and scikit-learn (CPU).

The workload of issue 4: a 784-256-128-10 ReLU MLP, softmax cross-entropy, plain SGD, one
epoch of 60,000 float32 examples, batch sizes 32, 128 and 1024; ``predict`` on 10,000
examples; peak memory of training on a 60,000 x 784 float32 array.

Protocol
--------
* glassnet runs through the real ``Sequential.fit`` (verbose=0, no callbacks, no metrics,
  no validation), with ``CategoricalCrossEntropy(from_logits=True)`` and ``optim.SGD``.
* PyTorch: ``nn.Sequential`` of ``Linear``/``ReLU``, ``CrossEntropyLoss``,
  ``torch.optim.SGD``, ``torch.set_num_threads`` = NumPy's BLAS threads, a new permutation
  each epoch, in two variants: batches gathered with ``X[idx]``, and one pre-permuted copy
  per epoch sliced into batches (the copy is timed). Where ``fit`` itself runs on one BLAS
  thread (batches below ``glassnet.train._ALL_BLAS_THREADS_FROM`` rows), a third variant runs
  the ``X[idx]`` loop with ``torch.set_num_threads(1)``, so that PyTorch gets the thread
  count glassnet really uses as well. Ratios use the fastest PyTorch variant.
* scikit-learn: ``MLPClassifier(solver="sgd", momentum=0, nesterovs_momentum=False,
  alpha=0, learning_rate="constant", max_iter=1)``: one epoch of its own ``fit``.
* Whole epochs of the implementations are interleaved (the order rotates every round) and
  each figure is the median over the rounds.
* Same initial weights and learning rate for glassnet and PyTorch. Before timing, both train
  one epoch on the *same* batch order (the permutation glassnet's fit will draw, read from a
  copy of its generator), and the losses after the epoch must agree to 1e-3.
* % of peak: useful flops / (the machine's float32 matmul rate, measured in the same run with
  a large ``np.matmul``). Useful flops per example: 2·n_in·n_out for every forward product,
  every weight-gradient product and every input-gradient product except the first layer's.
* Products alone: the same rounds time a bare loop of only the step's matrix products (the
  shapes and BLAS threads of ``fit``; no gather, activation, loss or update): the most any
  NumPy training loop can reach in that run. A target above its ratio cannot be met there.
* Peak memory: a fresh subprocess per batch size imports numpy and glassnet, reads its
  ``VmRSS`` (the baseline: interpreter, NumPy, BLAS, glassnet), creates the 60,000 x 784
  float32 array and trains one epoch; reported is (``VmHWM``, the process's peak resident
  set size, at the end − baseline) / the array's size, so the array itself counts as 1.0x
  and everything training adds comes on top (all resident memory included: temporaries,
  buffers, BLAS work space, labels, the model). ``ru_maxrss`` is not used: Linux carries it
  over from the parent through fork/exec. The tracemalloc peak of NumPy's allocations over
  the same span (a second subprocess: tracemalloc's book-keeping would inflate the RSS) is
  printed alongside.

Usage: ``python bench/bench_mlp.py [--quick] [--repeats N] [--json FILE]``
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(HERE), "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)

import glassnet as gn  # noqa: E402
from glassnet import optim  # noqa: E402
from glassnet.train import _ALL_BLAS_THREADS_FROM  # noqa: E402

SIZES = (784, 256, 128, 10)
N_TRAIN, N_PREDICT = 60_000, 10_000
BATCH_SIZES = (32, 128, 1024)
LR = 0.02  # at 0.05 float32 rounding differences grow to ~2e-3 over 1875 steps
SEED = 0

TARGETS = {  # issue 4: ratio to PyTorch, ratio to scikit-learn, % of matmul peak
    32: (1.8, 1.5, None), 128: (1.3, 1.5, None), 1024: (1.0, 1.5, 60.0),
    "predict": (1.0, None, None), "memory": 2.5,
}


# ---------------------------------------------------------------------------------------- data
def make_data(n, seed=SEED):
    """Gaussian inputs, labels from a random 784-64-10 teacher network (a learnable task)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, SIZES[0]), dtype=np.float32)
    W1 = rng.standard_normal((SIZES[0], 64), dtype=np.float32) / SIZES[0] ** 0.5
    W2 = rng.standard_normal((64, SIZES[-1]), dtype=np.float32) / 8.0
    y = (np.maximum(X @ W1, 0) @ W2).argmax(axis=1).astype(np.int64)
    return X, y


def forward_flops_per_example():
    return sum(2 * a * b for a, b in zip(SIZES[:-1], SIZES[1:]))


def useful_flops_per_example():
    """Forward products + weight-gradient products + input-gradient products but the first."""
    fwd = forward_flops_per_example()
    dx = fwd - 2 * SIZES[0] * SIZES[1]
    return fwd + fwd + dx


def blas_threads():
    from threadpoolctl import threadpool_info
    n = [d["num_threads"] for d in threadpool_info()
         if d["user_api"] == "blas" and "numpy" in d["filepath"]]
    return n[0] if n else os.cpu_count()


def matmul_peak(seconds=1.5, n=2048):
    """Best float32 GFLOP/s of a large square np.matmul over a few repeats."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    np.matmul(a, b, out=c)
    best = 0.0
    t_end = time.perf_counter() + seconds
    while time.perf_counter() < t_end:
        t = time.perf_counter()
        np.matmul(a, b, out=c)
        best = max(best, 2 * n ** 3 / (time.perf_counter() - t))
    return best


# --------------------------------------------------------------------------------- glassnet
def glassnet_model():
    layers = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        layers.append(gn.Dense(a, b, init="he" if i < len(SIZES) - 2 else "xavier"))
        if i < len(SIZES) - 2:
            layers.append(gn.ReLU())
    return gn.Sequential(layers, seed=SEED)


def glassnet_epoch(model, X, y, bs):
    """One epoch of the real fit path; returns the mean training loss of the epoch."""
    h = model.fit(X, y, loss=gn.CategoricalCrossEntropy(from_logits=True),
                  optimizer=optim.SGD(lr=LR), epochs=1, batch_size=bs, shuffle=True,
                  verbose=0)
    return h.history["loss"][0]


def next_permutation(model, m):
    """The order glassnet's next fit epoch will use (drawn from a copy of its generator)."""
    return copy.deepcopy(model.rng).permutation(m)


def mean_xent(logits, y):
    z = logits.astype(np.float64)
    z -= z.max(axis=1, keepdims=True)
    return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y]))


def products_epoch(X, bs, threads, weights):
    """The ceiling of any NumPy training loop: one epoch of only the matrix products a step
    needs (forward, weight gradients, input gradients but the first layer's) on the shapes of
    ``fit``, into reused buffers, on ``threads`` BLAS threads; no gather, activation, loss or
    update. Sliced batches in order (no shuffling), the last partial batch included."""
    from threadpoolctl import threadpool_limits
    Ws = list(weights[0::2])
    outs = [np.empty((bs, W.shape[1]), np.float32) for W in Ws]
    grads = [np.empty_like(W) for W in Ws]
    dxs = [np.empty((bs, W.shape[0]), np.float32) for W in Ws]
    with threadpool_limits(threads, "blas"):
        for lo in range(0, len(X), bs):
            a = X[lo:lo + bs]
            n = len(a)
            ins = [a]
            for W, o in zip(Ws, outs):
                np.matmul(ins[-1], W, out=o[:n])
                ins.append(o[:n])
            d = ins[-1]
            for i in range(len(Ws) - 1, -1, -1):
                np.matmul(ins[i].T, d, out=grads[i])
                if i:
                    np.matmul(d, Ws[i].T, out=dxs[i][:n])
                    d = dxs[i][:n]


# ---------------------------------------------------------------------------------- PyTorch
class TorchMLP:
    def __init__(self, weights):
        import torch
        from torch import nn
        self.torch = torch
        mods = []
        for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:])):
            mods.append(nn.Linear(a, b))
            if i < len(SIZES) - 2:
                mods.append(nn.ReLU())
        self.net = nn.Sequential(*mods)
        self.linears = [m for m in mods if isinstance(m, nn.Linear)]
        self.loss_fn = nn.CrossEntropyLoss()
        self.set_weights(weights)

    def set_weights(self, weights):
        """weights: glassnet's [W1, b1, W2, b2, ...] with W of shape (n_in, n_out)."""
        with self.torch.no_grad():
            for lin, W, b in zip(self.linears, weights[0::2], weights[1::2]):
                lin.weight.copy_(self.torch.from_numpy(np.ascontiguousarray(W.T)))
                lin.bias.copy_(self.torch.from_numpy(b))

    def epoch(self, Xt, yt, bs, perm, prepermuted=False):
        torch = self.torch
        opt = torch.optim.SGD(self.net.parameters(), lr=LR)
        perm = torch.from_numpy(perm)
        m = Xt.shape[0]
        if prepermuted:
            Xt, yt = Xt[perm], yt[perm]
        total = 0.0
        losses = []
        for lo in range(0, m, bs):
            if prepermuted:
                xb, yb = Xt[lo:lo + bs], yt[lo:lo + bs]
            else:
                idx = perm[lo:lo + bs]
                xb, yb = Xt[idx], yt[idx]
            opt.zero_grad()
            loss = self.loss_fn(self.net(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.detach())
        total = float(torch.stack(losses).double() @ torch.tensor(
            [min(bs, m - lo) for lo in range(0, m, bs)], dtype=torch.float64))
        return total / m

    def epoch_threads(self, n, *args, **kwargs):
        """One epoch with ``torch.set_num_threads(n)``; the previous count is restored."""
        before = self.torch.get_num_threads()
        self.torch.set_num_threads(n)
        try:
            return self.epoch(*args, **kwargs)
        finally:
            self.torch.set_num_threads(before)

    def predict(self, Xt):
        with self.torch.no_grad():
            return self.net(Xt)


# ------------------------------------------------------------------------------ scikit-learn
def sklearn_epoch(X, y, bs):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    clf = MLPClassifier(hidden_layer_sizes=SIZES[1:-1], activation="relu", solver="sgd",
                        learning_rate="constant", learning_rate_init=LR, momentum=0.0,
                        nesterovs_momentum=False, alpha=0.0, batch_size=bs, max_iter=1,
                        shuffle=True, tol=0.0, n_iter_no_change=10**9, random_state=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    return clf.loss_


# ------------------------------------------------------------------------------- memory
MEMORY_SCRIPT = textwrap.dedent("""
    import json, sys, tracemalloc
    sys.path.insert(0, {src!r}); sys.path.insert(0, {here!r})
    import numpy as np
    import glassnet as gn
    from glassnet import optim
    import bench_mlp as b
    def status(key):  # kB lines of /proc/self/status (VmHWM: this process's peak RSS)
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) * 1024 for l in f if l.startswith(key + ":"))
    np.ones((64, 64), np.float32) @ np.ones((64, 64), np.float32)   # BLAS loaded
    base = status("VmRSS")
    if {traced}:  # tracemalloc's own book-keeping would inflate the RSS: a separate run
        tracemalloc.start()
    X, y = b.make_data(b.N_TRAIN)
    model = b.glassnet_model()
    b.glassnet_epoch(model, X, y, {bs})
    if {traced}:
        print(json.dumps({{"traced": tracemalloc.get_traced_memory()[1] / X.nbytes}}))
    else:
        print(json.dumps({{"rss": (status("VmHWM") - base) / X.nbytes}}))
""")


def peak_memory(bs):
    res = {}
    for traced in (False, True):
        code = MEMORY_SCRIPT.format(src=SRC, here=HERE, bs=bs, traced=traced)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout
        res.update(json.loads(out.strip().splitlines()[-1]))
    return res


# --------------------------------------------------------------------------------- running
def median(xs):
    return statistics.median(xs)


def bench_training(bs, X, y, repeats, Xt, yt, init_weights, log):
    model = glassnet_model()
    model.set_weights(init_weights)
    tm = TorchMLP(init_weights)
    m = len(X)

    # Agreement: same init, same batch order, one epoch each.
    perm = next_permutation(model, m)
    g_epoch = glassnet_epoch(model, X, y, bs)
    g_after = mean_xent(model.predict(X), y)
    t_epoch = tm.epoch(Xt, yt, bs, perm)
    t_after = mean_xent(tm.predict(Xt).numpy(), y)
    agree = {"glassnet_epoch_loss": g_epoch, "torch_epoch_loss": t_epoch,
             "glassnet_loss_after": g_after, "torch_loss_after": t_after,
             "max_abs_diff": max(abs(g_epoch - t_epoch), abs(g_after - t_after))}
    log(f"  batch {bs}: loss after one epoch glassnet {g_after:.6f}  torch {t_after:.6f}  "
        f"(epoch means {g_epoch:.6f} / {t_epoch:.6f}); |diff| {agree['max_abs_diff']:.2e}")

    rng = np.random.default_rng(123)
    impls = {
        "glassnet": lambda: glassnet_epoch(model, X, y, bs),
        "torch_idx": lambda: tm.epoch(Xt, yt, bs, rng.permutation(m)),
        "torch_preperm": lambda: tm.epoch(Xt, yt, bs, rng.permutation(m), prepermuted=True),
        "sklearn": lambda: sklearn_epoch(X, y, bs),
    }
    fit_threads = 1 if bs < _ALL_BLAS_THREADS_FROM else blas_threads()
    if bs < _ALL_BLAS_THREADS_FROM:  # fit runs on one BLAS thread here: so may PyTorch
        impls["torch_1thread"] = lambda: tm.epoch_threads(1, Xt, yt, bs, rng.permutation(m))
    impls["products"] = lambda: products_epoch(X, bs, fit_threads, init_weights)
    if fit_threads != blas_threads():  # what the one-thread rule gives up (or saves) here
        impls["products_all_threads"] = lambda: products_epoch(X, bs, blas_threads(),
                                                               init_weights)
    names = list(impls)
    times = {k: [] for k in names}
    for r in range(repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            model.set_weights(init_weights)
            tm.set_weights(init_weights)
            t = time.perf_counter()
            impls[name]()
            times[name].append(time.perf_counter() - t)
        log(f"  batch {bs} round {r + 1}/{repeats}: "
            + "  ".join(f"{k} {m / times[k][-1]:,.0f}/s" for k in names))
    return {k: m / median(v) for k, v in times.items()}, times, agree


def bench_predict(X, Xt, init_weights, repeats):
    model = glassnet_model()
    model.set_weights(init_weights)
    tm = TorchMLP(init_weights)
    np.testing.assert_allclose(model.predict(X), tm.predict(Xt).numpy(), rtol=1e-4, atol=1e-4)
    times = {"glassnet": [], "torch": []}
    for r in range(repeats * 4):
        for name in (["glassnet", "torch"] if r % 2 == 0 else ["torch", "glassnet"]):
            t = time.perf_counter()
            model.predict(X) if name == "glassnet" else tm.predict(Xt)
            times[name].append(time.perf_counter() - t)
    return {k: len(X) / median(v) for k, v in times.items()}


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import torch
    import sklearn
    from threadpoolctl import threadpool_info
    blas = [d for d in threadpool_info() if d["user_api"] == "blas" and "numpy" in d["filepath"]]
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "torch": torch.__version__, "sklearn": sklearn.__version__,
            "blas_threads": blas_threads(),
            "numpy_blas": " ".join(f"{d.get('internal_api')} {d.get('version')} "
                                   f"({d.get('architecture')} kernels)" for d in blas),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "")}


def fmt_ratio(x, target):
    s = f"{x:.2f}x"
    if target is not None:
        s += " ok" if x >= target else f" <{target}"
    return s


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 rounds instead of 5 (iterating)")
    ap.add_argument("--repeats", type=int, default=None, help="rounds of interleaved epochs")
    ap.add_argument("--batch-sizes", type=str, default=None, help="e.g. 32,1024")
    ap.add_argument("--no-sklearn", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)
    batch_sizes = tuple(int(b) for b in args.batch_sizes.split(",")) if args.batch_sizes \
        else BATCH_SIZES

    import torch
    nthreads = blas_threads()
    torch.set_num_threads(nthreads)
    info = machine()

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    log(f"machine: {info}")
    X, y = make_data(N_TRAIN)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    init_weights = glassnet_model().get_weights()

    flops = useful_flops_per_example()
    peak = matmul_peak(3.0)
    log(f"float32 matmul peak: {peak / 1e9:.1f} GFLOP/s")

    rows, raw = [], {}
    for bs in batch_sizes:
        thr, times, agree = bench_training(bs, X, y, repeats, Xt, yt, init_weights, log)
        mem = peak_memory(bs)
        torch_keys = [k for k in thr if k.startswith("torch")]
        torch_best = max(thr[k] for k in torch_keys)
        tgt = TARGETS.get(bs, (None, None, None))
        rows.append({
            "case": f"train bs={bs}", "glassnet": thr["glassnet"],
            "torch_idx": thr["torch_idx"], "torch_preperm": thr["torch_preperm"],
            "torch_1thread": thr.get("torch_1thread"), "sklearn": thr["sklearn"],
            "products": thr["products"], "products_all_threads": thr.get("products_all_threads"),
            "fit_blas_threads": 1 if bs < _ALL_BLAS_THREADS_FROM else nthreads, "vs_torch": thr["glassnet"] / torch_best,
            "vs_sklearn": thr["glassnet"] / thr["sklearn"],
            "flops": thr["glassnet"] * flops,
            "vs_torch_rounds": sorted(min(ts) / g for g, *ts in zip(
                times["glassnet"], *(times[k] for k in torch_keys))),
            "mem_rss": mem["rss"], "mem_traced": mem["traced"], "agree": agree,
            "targets": tgt,
        })
        raw[bs] = times
        peak = max(peak, matmul_peak(1.0))  # re-measured between cases (a noisy machine):
        log(f"float32 matmul peak so far: {peak / 1e9:.1f} GFLOP/s")   # the best counts

    pthr = bench_predict(X[:N_PREDICT], Xt[:N_PREDICT], init_weights, repeats)
    rows.append({"case": f"predict {N_PREDICT}", "glassnet": pthr["glassnet"],
                 "torch_idx": pthr["torch"], "torch_preperm": None, "torch_1thread": None,
                 "sklearn": None, "products": None, "products_all_threads": None,
                 "fit_blas_threads": nthreads,
                 "vs_torch": pthr["glassnet"] / pthr["torch"], "vs_sklearn": None,
                 "flops": pthr["glassnet"] * forward_flops_per_example(),
                 "mem_rss": None, "mem_traced": None, "agree": None,
                 "targets": TARGETS["predict"]})

    for r in rows:
        r["pct_peak"] = 100 * r["flops"] / peak

    # ------------------------------------------------------------------------ the table
    head = (f"{'case':<16}{'threads':>8}{'glassnet ex/s':>14}{'torch X[idx]':>13}"
            f"{'torch perm':>12}{'torch 1 thr':>12}{'sklearn':>10}{'vs torch':>11}{'vs sklearn':>12}{'% peak':>8}{'peak mem':>14}")
    lines = [head, "-" * len(head)]
    for r in rows:
        t_vs, s_vs, p_t = r["targets"]
        mem = "" if r["mem_rss"] is None else \
            f"{r['mem_rss']:.2f}x" + (" ok" if r["mem_rss"] <= TARGETS["memory"] else " >2.5")
        lines.append(
            f"{r['case']:<16}{r['fit_blas_threads']:>8}{r['glassnet']:>14,.0f}"
            f"{r['torch_idx']:>13,.0f}"
            f"{'' if r['torch_preperm'] is None else format(r['torch_preperm'], ',.0f'):>12}"
            f"{'' if r['torch_1thread'] is None else format(r['torch_1thread'], ',.0f'):>12}"
            f"{'' if r['sklearn'] is None else format(r['sklearn'], ',.0f'):>10}"
            f"{fmt_ratio(r['vs_torch'], t_vs):>11}"
            f"{'' if r['vs_sklearn'] is None else fmt_ratio(r['vs_sklearn'], s_vs):>12}"
            f"{r['pct_peak']:>7.0f}%{mem:>14}")
    lines.append("")
    lines.append(f"float32 matmul peak {peak / 1e9:.1f} GFLOP/s ({nthreads} BLAS threads, "
                 f"torch.set_num_threads({nthreads})); medians of {repeats} interleaved rounds; "
                 f"'threads': the BLAS threads fit uses at that batch size; 'torch 1 thr': "
                 f"the X[idx] loop on one thread, run where fit uses one; 'vs torch' against "
                 f"the fastest PyTorch variant.")
    lines.append("peak mem: (VmHWM after one training epoch - VmRSS before the data) / size of X "
                 "(188 MB); the array itself counts 1.0x. tracemalloc peak of NumPy "
                 "allocations: " + ", ".join(
                     f"bs={r['case'].split('=')[1]} {r['mem_traced']:.2f}x" for r in rows
                     if r["mem_traced"] is not None) + ".")
    lines.append("loss after one epoch (same init, same batch order), glassnet vs torch: "
                 + ", ".join(f"bs={r['case'].split('=')[1]} {r['agree']['glassnet_loss_after']:.5f}"
                             f" vs {r['agree']['torch_loss_after']:.5f}"
                             f" (max |diff| {r['agree']['max_abs_diff']:.1e})"
                             for r in rows if r["agree"]))
    lines.append("vs torch per round (min..max): " + ", ".join(
        f"bs={r['case'].split('=')[1]} {r['vs_torch_rounds'][0]:.2f}..{r['vs_torch_rounds'][-1]:.2f}"
        for r in rows if r.get("vs_torch_rounds")))
    lines.append("products alone (the step's matrix products in a bare loop on fit's BLAS "
                 "threads, nothing else: the most any NumPy loop can reach) vs torch / vs "
                 "sklearn: " + ", ".join(
                     f"bs={r['case'].split('=')[1]} {r['products']:,.0f} ex/s = "
                     f"{r['products'] / (r['glassnet'] / r['vs_torch']):.2f}x / "
                     f"{r['products'] / r['sklearn']:.2f}x (fit reaches "
                     f"{100 * r['glassnet'] / r['products']:.0f}% of it)"
                     for r in rows if r.get("products"))
                 + "".join(f"; bs={r['case'].split('=')[1]} on {nthreads} threads "
                           f"{r['products_all_threads']:,.0f} ex/s"
                           for r in rows if r.get("products_all_threads")))
    ok_agree = all(r["agree"]["max_abs_diff"] < 1e-3 for r in rows if r["agree"])
    lines.append("losses agree within 1e-3: " + ("yes" if ok_agree else "NO"))
    print("\n".join(lines))

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": info, "matmul_peak_flops": peak, "repeats": repeats,
                       "useful_flops_per_example": flops, "rows": rows,
                       "epoch_seconds": {str(k): v for k, v in raw.items()}}, f, indent=1,
                      default=str)
    return 0 if ok_agree else 1


if __name__ == "__main__":
    sys.exit(main())
