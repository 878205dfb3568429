"""Learning views with Matplotlib: learning curves, decision boundaries (the seeds' figures),
loss landscapes and confusion matrices.

Matplotlib is optional (``pip install glassnet[plot]``) and imported only when a function here
is called. Each function draws on ``ax`` when given, else on a new figure, and returns the
:class:`matplotlib.figure.Figure`; save it with ``fig.savefig("name.png")``.

Names that come with the data (a DataFrame's columns, class labels, history keys) are drawn
on one line, cut to 40 characters with "…", so a figure keeps its size whatever the names.

New figures are created without pyplot (``matplotlib.figure.Figure``), so nothing needs a
display or a GUI backend and no figure is left open in pyplot's registry; when your script has
already imported ``matplotlib.pyplot``, new figures are made with it instead, so
``plt.show()`` shows them. Without a display the Agg backend is selected.

In a Jupyter (IPython) kernel new figures are always made without pyplot, and the returned
figure is shown as an image exactly once, as the cell's value (a PNG formatter for
``Figure`` is registered when none is); ``fig = ...`` or a trailing ``;`` shows nothing. The
kernel's backend is never changed. A figure you made with pyplot (``plt.subplots()``, its
``ax`` given here) is pyplot's: the kernel shows it at the end of the cell, as any pyplot
figure, so end the line that returns it with ``;`` to see it once.
"""
from __future__ import annotations

import os
import sys
import warnings

import numpy as np

from ._extras import require

__all__ = ["learning_curve", "decision_boundary", "loss_landscape", "confusion_matrix_plot"]


# the seeds' colours: red dots for class 0, green crosses for class 1
_CLASS_STYLE = [("#d62728", "o"), ("#2ca02c", "x"), ("#1f77b4", "s"), ("#ff7f0e", "^"),
                ("#9467bd", "D"), ("#8c564b", "v"), ("#e377c2", "P"), ("#7f7f7f", "*"),
                ("#bcbd22", "<"), ("#17becf", ">")]

# a name that comes with the data (a column, a class, a history key) is drawn cut to this many
# characters: savefig(bbox_inches="tight") grows the canvas to fit every text, so a figure
# must not take its size from the data's longest name
_NAME_CHARS = 40
_TICK_CHARS = 30     # a class beside a confusion matrix's row, under its column
_TITLE_CHARS = 80


def _short(name, n: int = _NAME_CHARS) -> str:
    """``name`` as one line of at most ``n`` characters ("…" where cut), its dollar signs
    escaped: a name such as ``$\\frac$`` is text, not mathtext that fails to parse."""
    from .render import _cut
    return _cut(" ".join(str(name).split()), n).replace("$", r"\$")


def _ipython_kernel():
    """The running IPython kernel's shell (a Jupyter notebook, JupyterLab, VS Code ...), else
    None. IPython is never imported here: only a shell already running counts."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    try:
        shell = get() if get is not None else None
    except Exception:  # noqa: BLE001 - a half-initialised IPython is no kernel
        return None
    if shell is None or getattr(shell, "kernel", None) is None:
        return None          # plain Python, or the terminal IPython (text only)
    return shell


def _figure_png(fig):
    import io
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", facecolor="white")
    return buf.getvalue()


def _register_figure_formatter(shell):
    """Let the kernel show a bare ``Figure`` (one pyplot never saw) as a PNG, unless a
    formatter for it is already there (e.g. the inline backend's, once activated)."""
    from matplotlib.figure import Figure
    try:
        png = shell.display_formatter.formatters["image/png"]
    except (AttributeError, KeyError, TypeError):
        return
    try:
        png.lookup_by_type(Figure)
        return               # one is registered: keep it
    except KeyError:
        pass
    except Exception:  # noqa: BLE001 - an unexpected formatter: leave it alone
        return
    png.for_type(Figure, _figure_png)


def _mpl():
    """Import matplotlib lazily, with a clear message when it is missing."""
    matplotlib = require("matplotlib", "matplotlib", "plot", "glassnet.plot")
    if ("matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND")
            and sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY")
            and "ipykernel" not in sys.modules and _ipython_kernel() is None):
        matplotlib.use("Agg")    # never in a kernel: its inline display needs no DISPLAY
    return matplotlib


def _new_axes(ax, figsize, subplot_kw=None):
    _mpl()
    if ax is not None:
        return ax.figure, ax
    shell = _ipython_kernel()
    if shell is not None:    # no pyplot figure: the inline backend would show it a second time
        from matplotlib.figure import Figure
        _register_figure_formatter(shell)
        fig = Figure(figsize=figsize)
    elif "matplotlib.pyplot" in sys.modules:
        fig = sys.modules["matplotlib.pyplot"].figure(figsize=figsize)
    else:
        from matplotlib.figure import Figure
        fig = Figure(figsize=figsize)
    return fig, fig.add_subplot(1, 1, 1, **(subplot_kw or {}))


# -------------------------------------------------------------------------------------------------
# learning curve
# -------------------------------------------------------------------------------------------------

def _history_dict(history) -> dict:
    h = history
    if not isinstance(h, dict) and hasattr(h, "history_") and not hasattr(h, "history"):
        h = h.history_                     # a fitted GlassClassifier / GlassRegressor
    if not isinstance(h, dict) and hasattr(h, "history"):
        h = h.history                      # a History, or a model whose .history is one
        if h is None:                      # a model not trained yet
            h = {}
        elif not isinstance(h, dict) and hasattr(h, "history"):
            h = h.history
    if isinstance(h, dict):
        return {k: list(v) for k, v in h.items() if isinstance(v, (list, tuple, np.ndarray))}
    try:
        arr = np.asarray(h, dtype=float)
    except (TypeError, ValueError):
        arr = None
    if arr is not None and arr.ndim == 1:
        return {"loss": arr.tolist()}
    raise TypeError("history must be a History (what fit returns), a model trained with fit, a "
                    f"dict of lists, or a list of losses; got {type(history).__name__}")


# a series this short is drawn with a marker on every point; a longer one marks only the
# points a line cannot show (a value with no finite neighbour, e.g. [1.0, nan, 0.1])
_FEW_POINTS = 20


def _marker_kw(y) -> dict:
    if len(y) <= _FEW_POINTS:
        return {"marker": "o", "ms": 4}
    finite = np.isfinite(y)
    isolated = finite & ~np.r_[False, finite[:-1]] & ~np.r_[finite[1:], False]
    if isolated.any():
        return {"marker": "o", "ms": 4, "markevery": np.flatnonzero(isolated).tolist()}
    return {}


def learning_curve(history, ax=None, keys=None, log: bool | None = None, title=None):
    """Training (and validation) loss per epoch, as in the seeds' learning-curve figure
    (theirs has a linear cost axis: pass ``log=False`` to see the curve flatten as they do;
    by default a cost falling over more than two decades gets a log axis).

    Parameters
    ----------
    history : History, model, dict of lists, or list of floats
        What ``fit`` returns (``History``), a model trained with ``fit`` (its ``.history``),
        the ``History.history`` dict, or a plain list of costs. Short series, and values
        with no finite neighbour, are drawn with markers.
    ax : matplotlib Axes, optional
        Draw into these axes; default: a new figure.
    keys : list of str, optional
        Which series to draw; default ``"loss"`` and ``"val_loss"`` (when present). Metric
        series (e.g. ``"accuracy"``, ``"val_accuracy"``) go on a second y axis.
    log : bool, optional
        Logarithmic cost axis; default: on when the loss spans more than two decades.
    title : str, optional
        The axes' title; default "Learning curve".

    Returns
    -------
    matplotlib.figure.Figure
    """
    h = _history_dict(history)
    if not any(len(v) for v in h.values()):
        raise ValueError("the history is empty: train for at least one epoch")
    if keys is None:
        keys = [k for k in ("loss", "val_loss") if k in h]
        if not keys:
            keys = [k for k in h if k not in ("lr", "size")][:2]
    if isinstance(keys, str):   # one key, as fit's metrics= takes one name
        keys = [keys]
    for k in keys:
        if k not in h:
            raise KeyError(f"no {k!r} in the history; it has: {sorted(h)}")
    fig, ax = _new_axes(ax, (6.4, 4.2))
    loss_keys = [k for k in keys if "loss" in k]
    other = [k for k in keys if k not in loss_keys]
    colours = {"loss": "#1f77b4", "val_loss": "#ff7f0e"}
    for k in loss_keys:
        y = np.asarray(h[k], dtype=float)
        ax.plot(np.arange(1, len(y) + 1), y, label="validation" if k == "val_loss" else
                ("training" if k == "loss" else _short(k)), color=colours.get(k), lw=1.8,
                **_marker_kw(y))
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost")
    if loss_keys:
        vals = np.concatenate([np.asarray(h[k], float) for k in loss_keys])
        vals = vals[np.isfinite(vals) & (vals > 0)]
        if log is None:
            log = vals.size > 1 and vals.max() / vals.min() > 100
        if log and vals.size:
            ax.set_yscale("log")
    if other:
        ax2 = ax.twinx()
        for k in other:
            y = np.asarray(h[k], dtype=float)
            ax2.plot(np.arange(1, len(y) + 1), y, ls="--", lw=1.4, label=_short(k),
                     **_marker_kw(y))
        ax2.set_ylabel(_short(", ".join(other)))
        lines = ax.get_lines() + ax2.get_lines()
        ax.legend(lines, [ln.get_label() for ln in lines], loc="best")
    elif loss_keys:
        ax.legend(loc="best")
    ax.grid(True, alpha=0.3)
    ax.set_title(title or "Learning curve")
    return fig


# -------------------------------------------------------------------------------------------------
# decision boundary
# -------------------------------------------------------------------------------------------------

def _check_classifier(model):
    """Refuse a model whose outputs are not classes, as ``Sequential.predict_classes`` does: a
    glassnet model needs a final Sigmoid, Softmax or Step node or a classification loss; a
    scikit-learn regressor is refused by its tags."""
    from .model import Sequential
    if isinstance(model, Sequential):
        problem = model._not_class_scores()
        if problem:
            raise ValueError(f"decision_boundary needs a classifier, but this model's outputs "
                             f"are not class scores ({problem}): it needs a final Sigmoid, "
                             f"Softmax or Step node or a classification loss")
        return
    tags = getattr(model, "__sklearn_tags__", None)
    if tags is not None and getattr(tags(), "estimator_type", None) == "regressor":
        raise ValueError(f"decision_boundary needs a classifier, but {type(model).__name__} is "
                         f"a regressor")


def _predicted_labels(model, out, labels):
    """The class names of a model whose ``predict`` returns labels (any type), or None when it
    returns scores: ``classes_`` when the model has it, else the sorted labels of its
    predictions and ``y`` together."""
    from .model import Sequential
    classes = getattr(model, "classes_", None)
    if classes is not None:
        names = np.asarray(classes).tolist()
        unknown = sorted(set(labels.tolist()) - set(names), key=repr)
        if unknown:
            raise ValueError(f"y holds labels the model does not know: {unknown[:5]!r} (its "
                             f"classes_: {names[:10]!r})")
        return names
    if isinstance(model, Sequential) or (out.ndim == 2 and out.shape[1] > 1) or (
            out.dtype.kind in "fc" and not np.all(out == np.round(out))):
        return None
    values = set(out.ravel().tolist()) | set(labels.tolist())
    try:
        return sorted(values)
    except TypeError:
        raise ValueError(f"the model predicts labels like {out.ravel()[:1].tolist()[0]!r} but "
                         f"y holds {labels[:1].tolist()[0]!r}: they must be labels of the same "
                         f"kind") from None


def _colormap(cmap):
    """A Matplotlib colormap from one or its name ("coolwarm"); an unknown name is a
    ValueError listing a few."""
    if not isinstance(cmap, str):
        return cmap
    import matplotlib
    try:
        return matplotlib.colormaps[cmap]
    except KeyError:
        raise ValueError(f"unknown colormap {cmap!r}; e.g. 'viridis', 'coolwarm', 'tab10' "
                         f"(matplotlib.colormaps lists them)") from None


def decision_boundary(model, X, y, ax=None, shaded: bool = True, resolution: int = 300,
                      padding: float = 0.5, title=None, cmap=None):
    """The model's decision boundary over 2-D data, with the data points on top.

    ``shaded=True`` fills each predicted class's region (the seeds' "shaded decision
    boundary"); ``False`` draws only the boundary line. For a single output the boundary is
    where the model's output crosses the threshold ``predict_classes`` uses (0.5 for
    probabilities, 0 for logits and Hinge); for several outputs, where the arg-max changes.
    A model whose ``predict`` returns labels (a scikit-learn classifier, strings included)
    is drawn by its predicted labels, in the order of its ``classes_`` when it has one.

    A regression model is refused (ValueError), as by ``predict_classes``: a glassnet model
    needs a final Sigmoid, Softmax or Step node or a classification loss.

    Parameters
    ----------
    model : Sequential (or anything with ``predict``) taking 2 features
    X : array (m, 2)
    y : array (m,) of class labels (or one-hot)
    ax : matplotlib Axes, optional
        Draw into these axes; default: a new figure.
    shaded : bool, default True
        Fill each predicted class's region; False draws only the boundary line.
    resolution : int
        Grid points per axis (at least 2).
    padding : float
        Margin around the data, in data units.
    title : str, optional
        The axes' title; default "Shaded decision boundary" (or "Decision boundary" with
        ``shaded=False``).
    cmap : matplotlib colormap or name, optional
        Colours of the shaded regions; default: the colours of the classes' points.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ._validate import check_array, check_positive_int
    from .train import _labels_of, _threshold
    _mpl()  # a missing matplotlib is said before the grid is predicted
    X_given = X
    columns = list(X.columns) if hasattr(X, "columns") and hasattr(X, "iloc") else None
    X = check_array(X, name="X", dtype=np.float64)  # numbers, at least one row, all finite
    if X.shape[1] != 2:
        raise ValueError(f"decision_boundary needs exactly 2 feature columns, X of shape "
                         f"(m, 2), got shape {X.shape}")
    padding = _finite_number(padding, "padding")
    if padding < 0:
        raise ValueError(f"padding must be >= 0 (a margin around the data, in data units), "
                         f"got {padding!r}")
    if padding == 0:
        flat = [j for j in range(2) if X[:, j].min() == X[:, j].max()]
        if flat:
            raise ValueError(f"X's column {flat[0]} holds a single value, so with padding=0 "
                             f"the plot has no width; give padding > 0")
    resolution = check_positive_int(resolution, "resolution", minimum=2)
    labels = _labels_of(y)
    if len(labels) != len(X):
        raise ValueError(f"X has {len(X)} rows but y has {len(labels)}")
    _check_classifier(model)
    if labels.dtype.kind in "fc":
        bad = labels[labels != np.round(labels)][:1].tolist()[0]
        raise ValueError(f"y holds numbers that are not class labels (e.g. {bad!r}): "
                         f"decision_boundary needs class labels (0, 1, ... or strings), not a "
                         f"regression target")

    (x0, x1), (y0, y1) = (X[:, 0].min() - padding, X[:, 0].max() + padding), \
                         (X[:, 1].min() - padding, X[:, 1].max() + padding)
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    grid = np.c_[gx.ravel(), gy.ravel()]
    if columns is not None and hasattr(model, "feature_names_in_"):
        # a model fitted on a DataFrame is asked with one, of its columns (no name warning)
        grid = type(X_given)(grid, columns=columns)
    out = np.asarray(model.predict(grid))
    if out.ndim == 1:
        out = out[:, None]
    names = _predicted_labels(model, out, labels)
    score = threshold = None
    if names is not None:
        if out.shape[1] != 1:
            raise ValueError(f"{type(model).__name__}.predict returns {out.shape[1]} values "
                             f"per point (multi-label?); decision_boundary needs one class "
                             f"per point")
        index = {c: i for i, c in enumerate(names)}
        region = np.array([index[v] for v in out[:, 0].tolist()]).reshape(gx.shape)
        codes = np.array([index[v] for v in labels.tolist()])
        n_cls = len(names)
    else:
        names = np.unique(labels).tolist()
        codes = np.searchsorted(names, labels)
        k = 2 if out.shape[1] == 1 else out.shape[1]
        if labels.dtype.kind in "biuf" and np.all((labels >= 0) & (labels < k)):
            # class indices, as the model's outputs count them: a class absent from y keeps
            # its colour (its points and its region must not take another class's)
            names, codes = list(range(k)), labels.astype(int)
        if out.shape[1] == 1:
            threshold = _threshold(getattr(model, "loss", None))
            score = out[:, 0].reshape(gx.shape)
            region = (score > threshold).astype(int)
            n_cls = 2
        else:
            region = out.argmax(axis=1).reshape(gx.shape)
            n_cls = out.shape[1]
    fig, ax = _new_axes(ax, (5.6, 5.0))
    from matplotlib.colors import ListedColormap

    colours = [_CLASS_STYLE[i % len(_CLASS_STYLE)][0] for i in range(max(n_cls, len(names)))]
    # each class's region on its own: contours of the class codes themselves would pass
    # through the codes between two classes (a band of class 1 between 0 and 2)
    present = np.unique(region).tolist()
    if shaded:
        cm = _colormap(cmap) if cmap is not None else ListedColormap(colours[:n_cls])
        for c in present:
            ax.contourf(gx, gy, (region == c).astype(float), levels=[0.5, 1.5],
                        colors=[cm(c / max(n_cls - 1, 1))], alpha=0.22, antialiased=True)
    if score is not None and np.nanmin(score) < threshold < np.nanmax(score):
        ax.contour(gx, gy, score, levels=[threshold], colors="k", linewidths=1.6)
    elif score is None and len(present) > 1:
        for c in present:
            ax.contour(gx, gy, (region == c).astype(float), levels=[0.5], colors="k",
                       linewidths=1.2)
    for i, c in enumerate(names):
        col, mk = _CLASS_STYLE[i % len(_CLASS_STYLE)]
        sel = codes == i
        if not sel.any():
            continue
        kw = dict(marker=mk, s=60 if mk != "x" else 80, label=f"y = {_short(c)}")
        if mk == "x":
            ax.scatter(X[sel, 0], X[sel, 1], c=col, linewidths=2.2, **kw)
        else:
            ax.scatter(X[sel, 0], X[sel, 1], c=col, edgecolors="k", linewidths=0.6, **kw)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("$x_1$" if columns is None else _short(columns[0]))
    ax.set_ylabel("$x_2$" if columns is None else _short(columns[1]))
    ax.legend(loc="best", framealpha=0.85)
    ax.set_title(title or ("Shaded decision boundary" if shaded else "Decision boundary"))
    return fig


# -------------------------------------------------------------------------------------------------
# loss landscape
# -------------------------------------------------------------------------------------------------

def _finite_number(value, name) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                      np.floating)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def _param_index(model, spec):
    """(array, flat index, label) for a parameter spec: an int (index into all parameters,
    flattened in ``model.parameters()`` order) or a tuple (layer index, name, index)."""
    params = model.parameters()
    if isinstance(spec, (int, np.integer)):
        k = int(spec)
        total = sum(p.size for _, _, p, _ in params)
        if not 0 <= k < total:
            raise ValueError(f"parameter index {k} is out of range: the model has {total}")
        for layer, name, p, _ in params:
            if k < p.size:
                li = model.layers.index(layer)
                pos = np.unravel_index(k, p.shape)
                return p, int(np.ravel_multi_index(pos, p.shape)), \
                    f"layer {li} {name}{list(map(int, pos))}"
            k -= p.size
    if isinstance(spec, (tuple, list)) and len(spec) == 3:
        li, name, idx = spec
        n_layers = len(model.layers)
        if isinstance(li, (bool, np.bool_)) or not isinstance(li, (int, np.integer)):
            raise TypeError(f"the layer index of {tuple(spec)!r} must be an integer, got {li!r}")
        if not -n_layers <= li < n_layers:
            raise ValueError(f"layer {li} does not exist (the model has {n_layers} layer"
                             f"{'s' if n_layers != 1 else ''}, 0 to {n_layers - 1})")
        li = int(li) % n_layers
        layer = model.layers[li]
        if name not in layer.params:
            raise ValueError(f"layer {li} ({type(layer).__name__}) has no parameter {name!r}; "
                             f"it has {sorted(layer.params)}")
        p = layer.params[name]
        shown = idx
        idx = tuple(idx) if isinstance(idx, (tuple, list, np.ndarray)) else (idx,)
        if len(idx) != p.ndim or not all(
                isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_))
                for i in idx):
            raise ValueError(f"index {shown!r} does not fit {name}'s shape {p.shape}: it "
                             f"needs {p.ndim} integer{'s' if p.ndim != 1 else ''}")
        if not all(-d <= i < d for i, d in zip(idx, p.shape)):
            raise ValueError(f"index {shown!r} is outside {name}'s shape {p.shape} (layer {li}, "
                             f"{type(layer).__name__})")
        idx = tuple(int(i) % d for i, d in zip(idx, p.shape))
        flat = int(np.ravel_multi_index(idx, p.shape))
        return p, flat, f"layer {li} {name}{list(idx)}"
    raise TypeError("a parameter is an int (index into all parameters) or a tuple "
                    "(layer index, name, index), e.g. (0, 'W', (1, 0))")


def loss_landscape(model, X, y, loss=None, params=None, span: float = 1.0,
                   resolution: int = 41, seed: int | None = 0, ax=None, levels: int = 30,
                   title=None):
    """The cost over a 2-D slice of parameter space, around the current weights.

    Either along two single parameters (``params=(p1, p2)``: each an int, the index into all
    parameters in ``model.parameters()`` order, or a tuple ``(layer index, name, index)``, e.g.
    ``(0, "W", (1, 0))``), or, by default, along two random directions in the space of all
    parameters, each direction scaled array by array to the norm of the weights it moves (the
    "filter normalization" of Li et al., 2018; biases are left still).

    The grid runs over ``[-span, span]`` in each direction (``span`` a finite number > 0);
    the model's weights are restored afterwards. The current weights are marked with a star.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ._validate import check_consistent_length, check_positive_int
    from .train import model_loss, prepare_targets

    _mpl()  # a missing matplotlib is said before the grid's forward passes, not after
    resolution = check_positive_int(resolution, "resolution", minimum=2)
    span = _finite_number(span, "span")
    if span <= 0:
        raise ValueError(f"span must be > 0 (the slice runs over [-span, span]), got {span!r}")
    if hasattr(model, "model_") and not hasattr(model, "built"):   # a GlassClassifier
        raise TypeError(f"loss_landscape takes a glassnet Sequential; a fitted "
                        f"{type(model).__name__} holds one in .model_ (give it X standardized "
                        f"as (X - x_mean_) / x_scale_)")
    if not model.built:
        raise RuntimeError("the model is not built yet: fit it (or call it on data) first")
    loss = model_loss(model, loss, "loss_landscape")
    Xc = model._check_X(X)
    check_consistent_length(Xc, y)
    Y = prepare_targets(y, loss, model.n_outputs, model.dtype)
    plist = model.parameters()
    saved = [p.copy() for _, _, p, _ in plist]
    ts = np.linspace(-span, span, resolution)
    cost = np.empty((resolution, resolution))
    try:
        if params is not None:
            if len(params) != 2:
                raise ValueError("params must name exactly two parameters")
            (pa, ia, la), (pb, ib, lb) = (_param_index(model, s) for s in params)
            if pa is pb and ia == ib:
                raise ValueError(f"params names the same parameter twice ({la}): a slice "
                                 f"needs two different parameters")
            a0, b0 = pa.flat[ia], pb.flat[ib]
            for i, tb in enumerate(ts):
                for j, ta in enumerate(ts):
                    pa.flat[ia] = a0 + ta
                    pb.flat[ib] = b0 + tb
                    cost[i, j] = loss.forward(model.forward(Xc), Y)
            xs, ys = a0 + ts, b0 + ts
            xlabel, ylabel = la, lb
            centre = (a0, b0)
        else:
            rng = np.random.default_rng(seed)
            dirs = []
            for _ in range(2):
                d = []
                for _, name, p, _ in plist:
                    r = rng.standard_normal(p.shape)
                    norm_p = float(np.linalg.norm(p))
                    if p.ndim < 2 or norm_p == 0.0:
                        r[...] = 0.0
                    else:
                        r *= norm_p / (float(np.linalg.norm(r)) or 1.0)
                    d.append(r)
                dirs.append(d)
            for i, tb in enumerate(ts):
                for j, ta in enumerate(ts):
                    for (_, _, p, _), s, da, db in zip(plist, saved, dirs[0], dirs[1]):
                        p[...] = s + ta * da + tb * db
                    cost[i, j] = loss.forward(model.forward(Xc), Y)
            xs, ys = ts, ts
            xlabel, ylabel = "direction 1", "direction 2"
            centre = (0.0, 0.0)
    finally:
        for (_, _, p, _), s in zip(plist, saved):
            p[...] = s
    fig, ax = _new_axes(ax, (5.8, 4.8))
    finite = cost[np.isfinite(cost)]
    if finite.size == 0:
        raise ValueError("the cost is not finite anywhere on this slice; try a smaller span")
    cs = ax.contourf(xs, ys, np.where(np.isfinite(cost), cost, finite.max()), levels=levels,
                     cmap="viridis")
    ax.contour(xs, ys, np.where(np.isfinite(cost), cost, finite.max()), levels=levels,
               colors="k", linewidths=0.3, alpha=0.5)
    fig.colorbar(cs, ax=ax, label="cost")
    ax.plot([centre[0]], [centre[1]], marker="*", color="#ff4136", ms=14, mec="k",
            label="current weights")
    ax.set_xlabel(_short(xlabel))    # a layer's own parameter name may be long
    ax.set_ylabel(_short(ylabel))
    ax.legend(loc="upper right", framealpha=0.85)
    ax.set_title(title or f"Loss landscape ({type(loss).__name__})")
    fig.landscape = {"x": xs, "y": ys, "cost": cost}
    return fig


# -------------------------------------------------------------------------------------------------
# confusion matrix
# -------------------------------------------------------------------------------------------------

def confusion_matrix_plot(cm, labels=None, ax=None, normalize: bool = False, cmap="Blues",
                          title=None):
    """A confusion matrix as a heat map with the counts written in each cell.

    Parameters
    ----------
    cm : array (k, k)
        Rows: true class, columns: predicted class (as ``glassnet.metrics.confusion_matrix``).
    labels : list of str, optional
        Class names, in order; each is drawn on one line, cut to 30 characters ("…").
    ax : matplotlib Axes, optional
        Draw into these axes; default: a new figure.
    normalize : bool
        Show each row as fractions of the true class (the counts are kept in the cells).
    cmap : matplotlib colormap or name, default "Blues"
        Colours of the heat map.
    title : str, optional
        The axes' title; default "Confusion matrix" (with ``normalize``, "Confusion matrix
        (normalized by row)").

    Returns
    -------
    matplotlib.figure.Figure
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix is square (k, k), got shape {cm.shape}")
    k = cm.shape[0]
    if labels is None:
        labels = [str(i) for i in range(k)]
    labels = list(labels)
    if len(labels) != k:
        raise ValueError(f"{len(labels)} labels for a {k}×{k} matrix")
    labels = [_short(v, _TICK_CHARS) for v in labels]
    longest = max(map(len, labels), default=0)
    rotate = longest > 4
    title = title or ("Confusion matrix (normalized by row)" if normalize else "Confusion matrix")
    # wide enough for the row labels beside the matrix and for the title above it (a longer
    # title than _TITLE_CHARS is the caller's own: it may overhang), tall enough for the
    # column labels, slanted below it
    width = 1.2 + 0.75 * max(k, 3) + 0.08 * longest
    height = 0.9 + 0.7 * max(k, 3) + (0.06 * longest if rotate else 0.0)
    fig, ax = _new_axes(ax, (max(width, 1.2 + 0.095 * min(len(title), _TITLE_CHARS)), height))
    values = cm.astype(float)
    if normalize:
        rows = values.sum(axis=1, keepdims=True)
        values = np.divide(values, rows, out=np.zeros_like(values), where=rows > 0)
    im = ax.imshow(values, cmap=cmap, vmin=0, vmax=values.max() if values.size and
                   values.max() > 0 else 1)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    vmax = values.max() if values.size else 0
    for i in range(k):
        for j in range(k):
            count = cm[i, j]
            shown = f"{int(count)}" if float(count).is_integer() else f"{count:g}"  # exact
            txt = shown if not normalize else f"{values[i, j]:.2f}\n({shown})"
            ax.text(j, i, txt, ha="center", va="center", fontsize=10 if k <= 6 else 8,
                    color="white" if vmax and values[i, j] > 0.6 * vmax else "black")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xticklabels(labels, rotation=45 if rotate else 0, ha="right" if rotate else "center")
    ax.set_yticklabels(labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    with warnings.catch_warnings():
        # a new figure is sized for its labels; where they still do not fit (axes the caller
        # gave, too small), the layout stays as it is, which is no news for the terminal
        warnings.filterwarnings("ignore", "Tight layout not applied", UserWarning)
        fig.tight_layout()
    return fig
