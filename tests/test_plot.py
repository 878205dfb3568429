"""Learning views: each function returns a Matplotlib Figure that saves a non-blank PNG; the
loss landscape leaves the weights as they were; matplotlib stays optional."""
import os
import warnings
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet.optim import SGD

pytest.importorskip("matplotlib")
from matplotlib.figure import Figure  # noqa: E402

from glassnet import plot  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _png_stats(path):
    from PIL import Image
    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB"))
    colours = np.unique(rgb.reshape(-1, 3), axis=0).shape[0]
    non_white = float((rgb.min(axis=2) < 235).mean())
    return colours, non_white


def _check_png(fig, path, min_colours=20, min_ink=0.01):
    assert isinstance(fig, Figure)
    fig.savefig(path, dpi=60)
    colours, ink = _png_stats(path)
    assert colours >= min_colours, colours
    assert ink >= min_ink, ink


@pytest.fixture(scope="module")
def or_model():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([0, 1, 1, 1])
    model = gn.Sequential([gn.Dense(2, 1, init=np.array([[0.1], [0.6]])), gn.Sigmoid()],
                          dtype="float64")
    hist = model.fit(X, y, loss=gn.MSE(half=True), optimizer=SGD(lr=1.0), epochs=300,
                     batch_size=None, shuffle=False)
    return model, X, y, hist


def test_learning_curve(or_model, tmp_path):
    model, X, y, hist = or_model
    fig = plot.learning_curve(hist)
    _check_png(fig, tmp_path / "lc.png")
    ax = fig.axes[0]
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), hist.history["loss"])
    # a dict with validation and a metric on a second axis, and a plain list
    h = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.6, 0.4], "accuracy": [0.5, 0.7, 0.9]}
    fig = plot.learning_curve(h, keys=["loss", "val_loss", "accuracy"])
    assert len(fig.axes) == 2 and len(fig.axes[0].get_lines()) == 2
    assert isinstance(plot.learning_curve([3.0, 2.0, 1.0]), Figure)
    with pytest.raises(KeyError, match="val_accuracy"):
        plot.learning_curve(h, keys=["val_accuracy"])


def test_decision_boundary_binary_and_multiclass(or_model, tmp_path):
    model, X, y, _ = or_model
    for shaded in (True, False):
        fig = plot.decision_boundary(model, X, y, shaded=shaded, resolution=60)
        _check_png(fig, tmp_path / f"db{shaded}.png")
        ax = fig.axes[0]
        assert ax.get_title() == ("Shaded decision boundary" if shaded else "Decision boundary")
    # three classes, softmax output: regions where the arg-max changes
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [3, 0], [0, 3]])
    lab = np.repeat(np.arange(3), 20)
    X3 = centres[lab] + 0.5 * rng.standard_normal((60, 2))
    m3 = gn.Sequential([gn.Dense(2, 8, activation="tanh"), gn.Dense(8, 3), gn.Softmax()],
                       seed=0)
    m3.fit(X3, lab, epochs=60, optimizer="adam", batch_size=None)
    fig = plot.decision_boundary(m3, X3, lab, resolution=60)
    _check_png(fig, tmp_path / "db3.png")
    with pytest.raises(ValueError, match="exactly 2 feature columns"):
        plot.decision_boundary(m3, np.zeros((4, 3)), [0, 1, 2, 0])


def test_loss_landscape_restores_the_weights(or_model, tmp_path):
    model, X, y, _ = or_model
    before = model.get_weights()
    fig = plot.loss_landscape(model, X, y, gn.MSE(half=True), params=((0, "W", (0, 0)),
                                                                       (0, "b", 0)),
                              resolution=15, span=2.0)
    _check_png(fig, tmp_path / "ll.png")
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    land = fig.landscape
    assert land["cost"].shape == (15, 15)
    # the centre of the grid is the current weights: its cost is the model's cost
    cost_now = gn.MSE(half=True).forward(model.predict(X), y.reshape(-1, 1).astype(float))
    np.testing.assert_allclose(land["cost"][7, 7], cost_now, rtol=1e-12)
    # along W[0,0] (columns) and b (rows): moving b by +2 changes the cost
    assert land["cost"][14, 7] != pytest.approx(cost_now)
    # a random 2-D slice through all parameters, with flat indices accepted too
    fig = plot.loss_landscape(model, X, y, gn.MSE(half=True), resolution=9, seed=1)
    _check_png(fig, tmp_path / "ll2.png")
    fig = plot.loss_landscape(model, X, y, gn.MSE(half=True), params=(0, 2), resolution=5)
    assert fig.axes[0].get_xlabel() == "layer 0 W[0, 0]"
    assert fig.axes[0].get_ylabel() == "layer 0 b[0]"
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="out of range"):
        plot.loss_landscape(model, X, y, params=(0, 99))


def test_confusion_matrix_plot(tmp_path):
    cm = np.array([[50, 3, 1], [4, 40, 6], [0, 2, 44]])
    fig = plot.confusion_matrix_plot(cm, ["cat", "dog", "bird"])
    _check_png(fig, tmp_path / "cm.png")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "50" in texts and "44" in texts and len(texts) == 9
    fig = plot.confusion_matrix_plot(cm, normalize=True)
    assert any(t.get_text().startswith("0.93") for t in fig.axes[0].texts)   # 50/54
    with pytest.raises(ValueError, match="labels"):
        plot.confusion_matrix_plot(cm, ["a", "b"])


def test_functions_draw_on_given_axes(or_model):
    model, X, y, hist = or_model
    fig = Figure(figsize=(10, 3))
    axes = fig.subplots(1, 2)
    assert plot.learning_curve(hist, ax=axes[0]) is fig
    assert plot.decision_boundary(model, X, y, ax=axes[1], resolution=30) is fig


def test_missing_matplotlib_gives_a_clear_message(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"needs matplotlib, .*pip install \"glassnet\[plot\]\""):
        plot.learning_curve([1.0, 0.5])


@pytest.mark.parametrize("draw", ["decision_boundary", "loss_landscape"])
def test_missing_matplotlib_is_said_before_any_forward_pass(monkeypatch, draw):
    # loss_landscape ran its whole grid of forward passes before it noticed (2.5 s)
    X, y = gn.data.make_moons(40, noise=0.2, seed=0)
    model = gn.Sequential([gn.Dense(2, 4, activation="relu"), gn.Dense(4, 1), gn.Sigmoid()],
                          seed=0)
    model.fit(X, y, epochs=1)
    calls = []
    monkeypatch.setattr(model, "predict", lambda *a, **k: calls.append(1))
    monkeypatch.setattr(model, "forward", lambda *a, **k: calls.append(1))
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install \"glassnet\[plot\]\""):
        getattr(plot, draw)(model, X, y)
    assert calls == []


def test_core_glassnet_does_not_import_matplotlib():
    code = ("import sys, glassnet, glassnet.trace, glassnet.render, glassnet.explain_cmd\n"
            "import glassnet.plot\n"
            "print('matplotlib' in sys.modules)")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"


def _legend(fig):
    return [t.get_text() for t in fig.axes[0].get_legend().texts]


def test_decision_boundary_of_a_model_predicting_labels():
    # predict returns labels of any type: regions and points are drawn by label, legend too
    X, y = gn.data.make_moons(120, noise=0.2, seed=0)

    class LeftRight:
        def predict(self, G):
            return np.where(np.asarray(G)[:, 0] > 0.5, "right", "left")

    side = LeftRight().predict(X)
    fig = plot.decision_boundary(LeftRight(), X, side, resolution=20)
    assert _legend(fig) == ["y = left", "y = right"]
    for coll, name in zip(fig.axes[0].collections[-2:], ("left", "right")):
        np.testing.assert_array_equal(coll.get_offsets(), X[side == name])
    with pytest.raises(ValueError, match="labels of the same kind"):
        plot.decision_boundary(LeftRight(), X, y, resolution=20)

    class Thirds:   # integer labels 0, 1, 2 in one column: three classes, not a 0.5 threshold
        def predict(self, G):
            return np.digitize(np.asarray(G)[:, 0], [0.0, 1.0])

    fig = plot.decision_boundary(Thirds(), X, Thirds().predict(X), resolution=20)
    assert _legend(fig) == ["y = 0", "y = 1", "y = 2"]


@pytest.mark.filterwarnings("ignore:.*maximum number of epochs")
def test_decision_boundary_of_a_sklearn_classifier_with_string_labels():
    pytest.importorskip("sklearn")
    from glassnet.sklearn import GlassClassifier, GlassRegressor
    X, y = gn.data.make_moons(120, noise=0.2, seed=0)
    names = np.array(["b", "a"])[y]          # classes_ is sorted: ["a", "b"]
    gc = GlassClassifier(hidden_layer_sizes=(8,), epochs=30, random_state=0).fit(X, names)
    fig = plot.decision_boundary(gc, X, names, resolution=20)
    assert _legend(fig) == ["y = a", "y = b"]
    np.testing.assert_array_equal(fig.axes[0].collections[-2].get_offsets(), X[names == "a"])
    with pytest.raises(ValueError, match=r"labels the model does not know: \[0, 1\]"):
        plot.decision_boundary(gc, X, y, resolution=20)
    reg = GlassRegressor(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="GlassRegressor is a regressor"):
        plot.decision_boundary(reg, X, y, resolution=20)


def test_decision_boundary_refuses_a_regression_model():
    X, y = gn.data.make_moons(100, noise=0.2, seed=0)
    target = X[:, 0] + 0.1 * np.random.default_rng(0).standard_normal(len(X))
    reg = gn.Sequential([gn.Dense(2, 8, activation="tanh"), gn.Dense(8, 1)], seed=0)
    reg.fit(X, target, loss="mse", epochs=2)
    with pytest.raises(ValueError, match=r"not class scores \(last node Dense, trained with MSE"):
        plot.decision_boundary(reg, X, target, resolution=20)
    with pytest.raises(ValueError, match="not class scores"):
        plot.decision_boundary(reg, X, y, resolution=20)
    # a classifier keeps working with a float target of integer values ...
    clf = gn.Sequential([gn.Dense(2, 8, activation="tanh"), gn.Dense(8, 1), gn.Sigmoid()],
                        seed=0)
    clf.fit(X, y.astype(float), epochs=2)
    assert _legend(plot.decision_boundary(clf, X, y.astype(float), resolution=20)) == \
        ["y = 0", "y = 1"]
    # ... but a continuous target is not class labels
    with pytest.raises(ValueError, match="not class labels"):
        plot.decision_boundary(clf, X, target, resolution=20)
    with pytest.raises(ValueError, match="resolution must be >= 2"):
        plot.decision_boundary(clf, X, y, resolution=1)


def test_learning_curve_markers_models_and_empty_histories(or_model):
    model, X, y, hist = or_model
    m1 = gn.Sequential([gn.Dense(2, 1), gn.Sigmoid()], seed=0)
    one = m1.fit(X, y, epochs=1)
    (line,) = plot.learning_curve(one).axes[0].get_lines()
    assert line.get_marker() == "o" and len(line.get_xdata()) == 1    # a single point shows
    (line,) = plot.learning_curve([1.0, np.nan, 0.1]).axes[0].get_lines()
    assert line.get_marker() == "o"
    # a long series: no markers, except on a value a line cannot show (no finite neighbour)
    (line,) = plot.learning_curve(hist).axes[0].get_lines()
    assert line.get_marker() in ("None", None, "")
    series = np.linspace(1.0, 0.1, 40)
    series[[10, 12]] = np.nan
    (line,) = plot.learning_curve(series).axes[0].get_lines()
    assert line.get_marker() == "o" and line.get_markevery() == [11]
    # a model trained with fit: its History
    (line,) = plot.learning_curve(model).axes[0].get_lines()
    np.testing.assert_allclose(line.get_ydata(), hist.history["loss"])
    empty = gn.Sequential([gn.Dense(2, 1), gn.Sigmoid()], seed=0)
    for h in ([], np.array([]), {"loss": []}, gn.History(), empty):
        with pytest.raises(ValueError, match="the history is empty"):
            plot.learning_curve(h)
    with pytest.raises(TypeError, match="history must be"):
        plot.learning_curve("loss")


def test_loss_landscape_validates_resolution_and_params(or_model):
    model, X, y, _ = or_model
    before = model.get_weights()
    with pytest.raises(ValueError, match="resolution must be >= 2, got 1"):
        plot.loss_landscape(model, X, y, resolution=1)
    with pytest.raises(TypeError, match="resolution must be an integer"):
        plot.loss_landscape(model, X, y, resolution=4.5)
    for same in ((1, 1), (0, (0, "W", (0, 0))), ((0, "b", 0), 2)):
        with pytest.raises(ValueError, match=r"the same parameter twice \(layer 0 [Wb]"):
            plot.loss_landscape(model, X, y, params=same, resolution=3)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_decision_boundary_validates_the_users_X_and_padding(or_model):
    model, X, y, _ = or_model
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"^X contains NaN at row 0, column 0 \(1 non-finite "):
        plot.decision_boundary(model, Xn, y)
    Xn[0, 0] = np.inf
    with pytest.raises(ValueError, match=r"^X contains infinity at row 0, column 0 \(1 non-"):
        plot.decision_boundary(model, Xn, y)
    with pytest.raises(ValueError, match=r"^X is empty \(shape \(0, 2\)\)"):
        plot.decision_boundary(model, np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(ValueError, match=r"needs exactly 2 feature columns, X of shape "
                                         r"\(m, 2\), got shape \(4, 3\)"):
        plot.decision_boundary(model, np.zeros((4, 3)), y)
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="padding must be a finite number"):
            plot.decision_boundary(model, X, y, padding=bad)
    with pytest.raises(ValueError, match=r"padding must be >= 0"):
        plot.decision_boundary(model, X, y, padding=-1)
    with pytest.raises(TypeError, match="padding must be a number"):
        plot.decision_boundary(model, X, y, padding="0.5")
    with pytest.raises(ValueError, match="column 0 holds a single value, so with padding=0"):
        plot.decision_boundary(model, np.c_[np.ones(4), X[:, 1]], y, padding=0)
    assert isinstance(plot.decision_boundary(model, X, y, padding=0, resolution=5), Figure)


def test_loss_landscape_bound_checks_layers_indices_and_span(or_model):
    model, X, y, _ = or_model
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"^layer 9 does not exist \(the model has 2 layers, "
                                         r"0 to 1\)"):
        plot.loss_landscape(model, X, y, params=((9, "W", (0, 0)), (0, "W", (1, 0))))
    with pytest.raises(ValueError, match=r"^index \(5, 0\) is outside W's shape \(2, 1\)"):
        plot.loss_landscape(model, X, y, params=((0, "W", (5, 0)), (0, "W", (0, 0))))
    with pytest.raises(ValueError, match=r"^index 3 is outside b's shape \(1,\)"):
        plot.loss_landscape(model, X, y, params=((0, "b", 3), (0, "W", (0, 0))))
    with pytest.raises(ValueError, match=r"^index \(0,\) does not fit W's shape \(2, 1\): it "
                                         r"needs 2 integers"):
        plot.loss_landscape(model, X, y, params=((0, "W", (0,)), (0, "W", (1, 0))))
    with pytest.raises(TypeError, match="layer index of .* must be an integer, got '0'"):
        plot.loss_landscape(model, X, y, params=(("0", "W", (0, 0)), (0, "W", (1, 0))))
    for bad in (0, -1.0):
        with pytest.raises(ValueError, match=r"span must be > 0"):
            plot.loss_landscape(model, X, y, span=bad)
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="span must be a finite number"):
            plot.loss_landscape(model, X, y, span=bad)
    # negative indices count from the end, as in Python, and are labelled by their position
    fig = plot.loss_landscape(model, X, y, params=((-2, "W", (-1, 0)), (0, "b", 0)),
                              resolution=3)
    assert fig.axes[0].get_xlabel() == "layer 0 W[1, 0]"
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


class _FakeFormatter:
    """The two methods of IPython's BaseFormatter that glassnet.plot uses."""

    def __init__(self):
        self.type_printers = {}

    def lookup_by_type(self, typ):
        for cls in typ.__mro__:
            if cls in self.type_printers:
                return self.type_printers[cls]
        raise KeyError(typ)

    def for_type(self, typ, func):
        self.type_printers[typ] = func


def _fake_kernel(monkeypatch, with_kernel=True):
    import types
    png = _FakeFormatter()
    shell = types.SimpleNamespace(
        kernel=object() if with_kernel else None,
        display_formatter=types.SimpleNamespace(formatters={"image/png": png}))
    # version_info: matplotlib reads it the first time it makes a canvas (a PNG) in a process
    monkeypatch.setitem(sys.modules, "IPython",
                        types.SimpleNamespace(get_ipython=lambda: shell, version_info=(9, 0)))
    return png


def test_in_a_kernel_figures_are_bare_and_shown_once_as_png(monkeypatch):
    # notebook trial N 1: a pyplot figure is flushed by the inline backend AND shown as the
    # cell's value; a bare Figure had no PNG formatter before the inline backend was active
    png = _fake_kernel(monkeypatch)

    class _NoPyplot:
        def figure(self, *a, **k):
            raise AssertionError("a pyplot figure in a kernel is shown twice")
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", _NoPyplot())
    fig = plot.learning_curve([1.0, 0.5, 0.2])
    assert type(fig) is Figure
    printer = png.lookup_by_type(Figure)
    data = printer(fig)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    # an existing formatter (the inline backend's) is kept
    png.type_printers[Figure] = keep = (lambda f: b"inline")
    plot.learning_curve([1.0, 0.5])
    assert png.lookup_by_type(Figure) is keep


def test_a_kernel_is_never_switched_to_agg(monkeypatch):
    # notebook trial N 6: a headless Linux notebook server has an inline display
    import matplotlib
    _fake_kernel(monkeypatch)
    calls = []
    monkeypatch.setattr(matplotlib, "use", lambda *a, **k: calls.append(a))
    monkeypatch.delitem(sys.modules, "matplotlib.pyplot", raising=False)
    for var in ("MPLBACKEND", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    plot._mpl()
    assert calls == []
    # outside a kernel (here: the terminal IPython, text only) the script behaviour stays
    _fake_kernel(monkeypatch, with_kernel=False)
    plot._mpl()
    assert calls == [("Agg",)] or "ipykernel" in sys.modules


def test_decision_boundary_keeps_each_class_colour_when_y_lacks_a_class():
    """Trial 14/16 findings 1-2: with class 1 absent from y, class 2's points took class 1's
    style over class 2's region; and a band of the never-predicted class 1 was shaded along
    the boundary between 0 and 2 (contours of the codes pass through 1)."""
    from matplotlib.colors import to_rgba
    d = gn.Dense(2, 3, init=[[-10.0, 0.0, 10.0], [0.0, 0.0, 0.0]])
    m = gn.Sequential([d, gn.Softmax()], dtype="float64")
    d.params["b"][...] = [0.0, -100.0, 0.0]   # only classes 0 and 2 are ever predicted
    X = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], float)
    fig = plot.decision_boundary(m, X, np.array([0, 0, 2, 2]), resolution=40)
    ax = fig.axes[0]
    handles = ax.get_legend().legend_handles
    assert [h.get_label() for h in handles] == ["y = 0", "y = 2"]
    point = to_rgba(plot._CLASS_STYLE[2][0])
    assert np.allclose(handles[1].get_facecolor()[0], point)
    # the filled regions: one per predicted class, in that class's colour, none for class 1
    fills = [c for c in ax.collections if c.get_facecolor().size and
             np.isclose(c.get_alpha() or 0, 0.22)]
    colours = {tuple(np.round(c.get_facecolor()[0][:3], 3)) for c in fills}
    assert colours == {tuple(np.round(to_rgba(plot._CLASS_STYLE[i][0])[:3], 3)) for i in (0, 2)}


@pytest.mark.filterwarnings("ignore:GlassClassifier. the maximum number of epochs")
def test_plots_take_an_estimator_s_history_and_one_key_as_a_string():
    """Trial 14/16 findings 4, 6, 9: learning_curve(clf) was refused though clf.history_ is
    there; keys="loss" was read letter by letter ("no 'l'"); loss_landscape(clf) failed with
    an AttributeError; a 3-feature X was "not 2-D"."""
    pytest.importorskip("sklearn")
    from glassnet.sklearn import GlassClassifier
    X, y = gn.data.make_moons(120, noise=0.3, seed=0)
    clf = GlassClassifier(epochs=5, random_state=0).fit(X, y)
    fig = plot.learning_curve(clf)
    assert len(fig.axes[0].get_lines()) >= 1
    assert len(plot.learning_curve(clf.history_, keys="loss").axes[0].get_lines()) == 1
    with pytest.raises(TypeError, match=r"holds one in \.model_"):
        plot.loss_landscape(clf, X, y)
    with pytest.raises(ValueError, match="exactly 2 feature columns"):
        plot.decision_boundary(clf, np.c_[X, X[:, 0]], y)


def test_decision_boundary_of_a_dataframe_fitted_estimator_uses_its_column_names():
    """Trial 14/16 finding 5: a DataFrame-fitted estimator warned that X has no feature names
    (the grid was an array) and the axes read x1/x2."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression
    X, y = gn.data.make_moons(120, noise=0.2, seed=0)
    df = pd.DataFrame(X, columns=["width", "height"])
    est = LogisticRegression().fit(df, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot.decision_boundary(est, df, y)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("width", "height")


def test_confusion_matrix_plot_writes_large_counts_exactly():
    # trial 14/16 finding 7: 1234567 was written 1.23457e+06 (":g")
    fig = plot.confusion_matrix_plot(np.array([[1234567, 12], [3, 7654321]]))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "1234567" in texts and "7654321" in texts


def test_decision_boundary_takes_a_colormap_name_and_the_confusion_title_fits():
    """Trial 15/M findings 3 and 4: cmap="coolwarm" (the docstring's "or name") raised
    "'str' object is not callable"; a normalized confusion matrix with long labels had its
    title cut at the figure's right edge."""
    X, y = gn.data.make_moons(60, noise=0.2, seed=0)
    m = gn.Sequential([gn.Dense(2, 4, activation="tanh"), gn.Dense(4, 1), gn.Sigmoid()], seed=0)
    m.fit(X, y, epochs=2)
    fig = gn.plot.decision_boundary(m, X, y, cmap="coolwarm")
    assert isinstance(fig, Figure)
    with pytest.raises(ValueError, match="unknown colormap 'nope'"):
        gn.plot.decision_boundary(m, X, y, cmap="nope")
    cm = np.array([[76, 13, 11], [4, 93, 3], [9, 16, 75]])
    for labels in (["setosa", "versicolor", "virginica"], ["arm A", "arm B", "arm C"]):
        fig = gn.plot.confusion_matrix_plot(cm, labels=labels, normalize=True)
        fig.canvas.draw()
        title = fig.axes[0].title.get_window_extent()
        assert title.x1 <= fig.bbox.x1 and title.x0 >= 0, (labels, title, fig.bbox)


def _saved_size(fig, dpi=110):
    """The pixel size of the PNG ``glassnet train`` writes (bbox_inches="tight" grows the
    canvas to fit every text)."""
    import io
    from PIL import Image
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    with Image.open(io.BytesIO(buf.getvalue())) as im:
        return im.size


def _texts(fig):
    ax = fig.axes[0]
    legend = ax.get_legend()
    return ([ax.get_xlabel(), ax.get_ylabel()] + [t.get_text() for t in ax.get_xticklabels()]
            + [t.get_text() for t in ax.get_yticklabels()]
            + ([t.get_text() for t in legend.texts] if legend is not None else []))


@pytest.mark.filterwarnings("error")
def test_long_column_and_class_names_keep_the_decision_boundary_bounded():
    """Trial R finding 1: 5,000-character column names made a 45147x45147 px PNG (107 s);
    long class names in the legend do the same."""
    pd = pytest.importorskip("pandas")
    X, y = gn.data.make_moons(40, noise=0.2, seed=0)
    a, b = "a" * 5000, "b\n" * 2500
    df = pd.DataFrame(X, columns=[a, b])

    class Sides:   # predicts its own long labels
        def predict(self, G):
            return np.where(np.asarray(G)[:, 0] > 0.5, "R" * 3000, "L" * 3000)

    for model, labels in ((Sides(), Sides().predict(X)),
                          (gn.Sequential([gn.Dense(2, 1), gn.Sigmoid()], seed=0), y)):
        fig = plot.decision_boundary(model, df, labels, resolution=10)
        texts = _texts(fig)
        assert max(map(len, texts)) <= plot._NAME_CHARS + len("y = "), texts
        assert fig.axes[0].get_xlabel() == "a" * (plot._NAME_CHARS - 1) + "…"
        assert "\n" not in fig.axes[0].get_ylabel()
        w, h = _saved_size(fig)
        assert w <= 1000 and h <= 1000, (w, h)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("length", [3, 40, 200, 3000])
@pytest.mark.parametrize("k", [2, 3, 8])
def test_long_class_labels_keep_the_confusion_matrix_bounded(k, length):
    """Trial R finding 2: the width grew by 0.08 inch a character (3,000-character labels: a
    32446x22449 px PNG, 3 GB); 200-character labels leaked "Tight layout not applied" and
    squeezed the matrix into a corner."""
    labels = [chr(65 + i) * length for i in range(k)]
    cm = np.arange(k * k).reshape(k, k)
    fig = plot.confusion_matrix_plot(cm, labels=labels, title="Confusion matrix (test rows)")
    w, h = fig.get_size_inches() * 110
    # under an inch a class, and a few inches for labels of at most 30 characters
    bw, bh = 110 * (4 + 0.8 * max(k, 3)), 110 * (3 + 0.8 * max(k, 3))
    assert w <= bw and h <= bh, (w, h)
    assert max(map(len, _texts(fig))) <= plot._TICK_CHARS
    sw, sh = _saved_size(fig)
    assert sw <= bw and sh <= bh, (sw, sh)
    # the matrix keeps its room (half an inch a cell at least): the labels did not take it
    box = fig.axes[0].get_position()
    assert box.width * w >= 55 * k and box.height * h >= 55 * k, box


def test_confusion_matrix_in_small_given_axes_leaks_no_layout_warning():
    from matplotlib.figure import Figure as Fig
    ax = Fig(figsize=(1.5, 1.5)).add_subplot(1, 1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot.confusion_matrix_plot(np.eye(3, dtype=int), labels=["x" * 30] * 3, ax=ax)


@pytest.mark.filterwarnings("error")
def test_learning_curve_cuts_long_history_keys():
    h = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "m" * 4000: [0.1, 0.2],
         "loss_" + "q" * 4000: [0.3, 0.2]}
    fig = plot.learning_curve(h, keys=list(h))
    texts = [t.get_text() for t in fig.axes[0].get_legend().texts]
    texts.append(fig.axes[1].get_ylabel())
    assert max(map(len, texts)) <= plot._NAME_CHARS, texts
    w, h = _saved_size(fig)
    assert w <= 1000 and h <= 700, (w, h)


def test_names_with_dollar_signs_are_drawn_as_text():
    # "$\frac$" is not valid mathtext: drawn as such, savefig raised a ParseException
    fig = plot.confusion_matrix_plot(np.eye(2, dtype=int), labels=[r"$\frac$", "$ b $"])
    _saved_size(fig, dpi=40)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [r"\$\frac\$", r"\$ b \$"]
