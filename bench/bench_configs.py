"""glassnet's `fit` against a PyTorch loop beyond the issue-4 workload: each activation, loss
and optimizer, float64, small and one-row batches, many classes.

Each configuration trains an MLP (default 784-256-128-10 on 10,000 synthetic rows) for one
epoch from the same initial weights, in the same batch order (no shuffling), with the same
number of BLAS threads on both sides (``--threads``, default 1); whole epochs of the two are
interleaved and each figure is the median over ``--rounds``. "speed" is glassnet's examples/s
divided by PyTorch's (above 1: glassnet faster); "|dloss|" is the difference of the mean
training loss of the first (untimed) epoch, a check that both computed the same thing.

Usage: ``python bench/bench_configs.py [--threads N] [--rounds R] [--only NAME,...]``
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))

import glassnet as gn  # noqa: E402

# name -> (hidden activation, loss, optimizer, batch size, dtype, sizes, rows)
BASE = dict(act="relu", loss="cce_logits", opt="sgd", bs=32, dtype="float32",
            sizes=(784, 256, 128, 10), rows=10_000)
CONFIGS = {
    "relu (reference)": {},
    **{f"act {a}": {"act": a} for a in ("leaky_relu", "elu", "gelu", "gelu_tanh", "tanh",
                                        "sigmoid", "softplus")},
    **{f"loss {k}": {"loss": k} for k in ("mse", "mae", "huber", "bce_logits", "cce")},
    **{f"opt {o}": {"opt": o} for o in ("momentum", "nesterov", "rmsprop", "adagrad", "adam",
                                        "adamw")},
    "float64": {"dtype": "float64"},
    "float64 adam": {"dtype": "float64", "opt": "adam"},
    "float64 rmsprop": {"dtype": "float64", "opt": "rmsprop"},
    "batch 1": {"bs": 1, "rows": 2_000},
    "batch 8": {"bs": 8},
    "batch 256": {"bs": 256},
    "batch 256 gelu": {"bs": 256, "act": "gelu"},
    "1000 classes": {"sizes": (784, 256, 1000)},
    "tiny 2-8-1 bce": {"sizes": (2, 8, 1), "loss": "bce_logits", "rows": 20_000},
}


def torch_parts():
    import torch
    from torch import nn
    acts = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.01), "elu": nn.ELU,
            "gelu": nn.GELU, "gelu_tanh": lambda: nn.GELU("tanh"), "tanh": nn.Tanh,
            "sigmoid": nn.Sigmoid, "softplus": nn.Softplus}
    return torch, nn, acts


def make(cfg, seed=0):
    """(glassnet model, torch model, X, y as numpy, y as torch, glassnet loss, torch loss)."""
    torch, nn, acts = torch_parts()
    sizes, dt = cfg["sizes"], cfg["dtype"]
    tdt = torch.float64 if dt == "float64" else torch.float32
    g_layers, t_layers = [], []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        g_layers.append(gn.Dense(a, b))
        t_layers.append(nn.Linear(a, b).to(tdt))
        if i < len(sizes) - 2:
            g_layers.append(gn.activations.get(cfg["act"]))
            t_layers.append(acts[cfg["act"]]())
    loss = cfg["loss"]
    if loss == "cce":                           # probabilities: a Softmax output node
        g_layers.append(gn.Softmax())
        t_layers.append(nn.Softmax(dim=1))
    model = gn.Sequential(g_layers, seed=seed, dtype=dt)
    net = nn.Sequential(*t_layers)
    with torch.no_grad():
        dense = [layer for layer in model.layers if isinstance(layer, gn.Dense)]
        for d, lin in zip(dense, [m for m in net if isinstance(m, nn.Linear)]):
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(d.params["W"].T)))
            lin.bias.copy_(torch.from_numpy(d.params["b"]))
    rng = np.random.default_rng(seed)
    m, k = cfg["rows"], sizes[-1]
    X = rng.standard_normal((m, sizes[0])).astype(dt)
    if loss in ("cce", "cce_logits"):
        y = rng.integers(0, k, m)
        yt = torch.from_numpy(y)
    elif loss == "bce_logits":
        y = rng.integers(0, 2, (m, k)).astype(dt)
        yt = torch.from_numpy(y)
    else:
        y = rng.standard_normal((m, k)).astype(dt)
        yt = torch.from_numpy(y)
    L = gn.losses
    g_loss = {"cce_logits": L.CategoricalCrossEntropy(from_logits=True),
              "cce": L.CategoricalCrossEntropy(), "mse": L.MSE(), "mae": L.MAE(),
              "huber": L.Huber(), "bce_logits": L.BinaryCrossEntropy(from_logits=True)}[loss]
    t_loss = {"cce_logits": nn.CrossEntropyLoss(), "mse": nn.MSELoss(), "mae": nn.L1Loss(),
              "huber": nn.HuberLoss(), "bce_logits": nn.BCEWithLogitsLoss(),
              "cce": lambda p, t: nn.functional.nll_loss(torch.log(p.clamp_min(1e-7)), t)}[loss]
    return model, net, X, y, torch.from_numpy(X), yt, g_loss, t_loss


def optimizers(name, lr, params):
    import torch
    g = {"sgd": lambda: gn.optim.SGD(lr), "momentum": lambda: gn.optim.SGD(lr, momentum=0.9),
         "nesterov": lambda: gn.optim.SGD(lr, momentum=0.9, nesterov=True),
         "rmsprop": lambda: gn.optim.RMSProp(lr), "adagrad": lambda: gn.optim.Adagrad(lr),
         "adam": lambda: gn.optim.Adam(lr), "adamw": lambda: gn.optim.AdamW(lr)}[name]()
    O = torch.optim
    t = {"sgd": lambda: O.SGD(params, lr), "momentum": lambda: O.SGD(params, lr, momentum=0.9),
         "nesterov": lambda: O.SGD(params, lr, momentum=0.9, nesterov=True),
         # glassnet's RMSProp/Adagrad/AdamW defaults, spelled out for PyTorch
         "rmsprop": lambda: O.RMSprop(params, lr, alpha=g.alpha, eps=g.eps),
         "adagrad": lambda: O.Adagrad(params, lr, eps=g.eps),
         "adam": lambda: O.Adam(params, lr), "adamw": lambda: O.AdamW(
             params, lr, weight_decay=g.weight_decay)}[name]()
    return g, t


def run(name, cfg, rounds):
    model, net, X, y, Xt, yt, g_loss, t_loss = make(cfg)
    lr = 1e-3 if cfg["opt"] in ("adam", "adamw", "rmsprop") else 0.01
    g_opt, t_opt = optimizers(cfg["opt"], lr, net.parameters())
    bs, m = cfg["bs"], len(X)

    def g_epoch():
        h = model.fit(X, y, loss=g_loss, optimizer=g_opt, epochs=1, batch_size=bs,
                      shuffle=False, verbose=0)
        return h.history["loss"][0]

    def t_epoch():
        total = 0.0
        for lo in range(0, m, bs):
            t_opt.zero_grad()
            out = net(Xt[lo:lo + bs])
            loss = t_loss(out, yt[lo:lo + bs])
            loss.backward()
            t_opt.step()
            total += loss.item() * len(Xt[lo:lo + bs])
        return total / m

    dloss = abs(g_epoch() - t_epoch())   # same weights, same batches: the check
    times = {"glassnet": [], "torch": []}
    for r in range(rounds):
        for k in (("glassnet", "torch") if r % 2 == 0 else ("torch", "glassnet")):
            t = time.perf_counter()
            g_epoch() if k == "glassnet" else t_epoch()
            times[k].append(time.perf_counter() - t)
    g = m / statistics.median(times["glassnet"])
    t = m / statistics.median(times["torch"])
    return g, t, dloss


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default=None, help="comma-separated configuration names")
    args = ap.parse_args(argv)
    import torch
    from threadpoolctl import threadpool_limits
    torch.set_num_threads(args.threads)
    names = args.only.split(",") if args.only else list(CONFIGS)
    print(f"{'configuration':<20}{'glassnet ex/s':>15}{'torch ex/s':>13}{'speed':>8}"
          f"{'|dloss|':>10}")
    with threadpool_limits(args.threads, "blas"):
        for name in names:
            cfg = {**BASE, **CONFIGS[name]}
            g, t, d = run(name, cfg, args.rounds)
            print(f"{name:<20}{g:>15,.0f}{t:>13,.0f}{g / t:>7.2f}x{d:>10.1e}", flush=True)
    print(f"\n{args.threads} BLAS thread(s) and torch.set_num_threads({args.threads}); "
          f"medians of {args.rounds} interleaved epochs; speed = glassnet / PyTorch.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
