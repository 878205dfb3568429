"""Scaling out with Dask: out-of-core training over the chunks of a Dask array, and
predictions chunk by chunk.

Two ways to use more than one process or more than one machine's memory, both through
Dask's ``distributed`` scheduler (``pip install "glassnet[dask]"``):

* **Hyperparameter search on a cluster** needs nothing from this module: scikit-learn's
  ``GridSearchCV``/``RandomizedSearchCV`` run their fits through joblib, and joblib's
  ``"dask"`` backend sends them to the workers of the active ``distributed.Client``::

      from dask.distributed import Client, LocalCluster
      import joblib
      from sklearn.model_selection import GridSearchCV
      from glassnet.sklearn import GlassClassifier

      with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster):
          search = GridSearchCV(GlassClassifier(random_state=0), grid, cv=3, n_jobs=-1)
          with joblib.parallel_backend("dask"):
              search.fit(X, y)

* **Data larger than memory**: :func:`fit_incremental` trains an estimator with
  ``partial_fit`` on one chunk of a Dask array at a time (the loop dask-ml's ``Incremental``
  runs), and :func:`predict_blocks` predicts chunk by chunk, lazily.

Each ``partial_fit`` call is one epoch over its chunk (shuffled mini-batches), and the
optimizer's memory (Adam's moments) carries over from chunk to chunk, so ``epochs`` passes of
:func:`fit_incremental` over the chunks do about the work of ``fit(X, y)`` with ``epochs``
epochs in memory. ``GlassClassifier``/``GlassRegressor`` keep running input statistics over
the chunks (``standardize=True``), so no separate scaling pass is needed.
"""
from __future__ import annotations

import inspect
import math
import numbers
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._extras import require
from ._validate import _short, check_column_names, global_seed

__all__ = ["fit_incremental", "predict_blocks"]


def _as_dask(a, name):
    da = require("dask.array", "dask", "dask", "glassnet.scaling")
    if not isinstance(a, da.Array):  # a pandas DataFrame has no dtype: its values first
        a = da.asarray(a if hasattr(a, "__dask_graph__") else np.asarray(a))
    if a.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1-D or 2-D, got shape {a.shape}")
    return a


def _row_aligned(X, y, name):
    """Rechunk ``y`` (or a weight vector) to X's row chunks; X is chunked along rows only."""
    if y.ndim == 2 and y.numblocks[1] > 1:
        y = y.rechunk({1: -1})
    if y.chunks[0] == X.chunks[0]:
        return y
    unknown = [who for who, a in (("X", X), (name, y)) if any(math.isnan(c) for c in a.chunks[0])]
    if unknown:
        if y.numblocks[0] == X.numblocks[0]:
            return y  # unknown sizes but the same partitioning: blocks correspond
        which = " and ".join(unknown) + (" have" if len(unknown) == 2 else " has")
        raise ValueError(f"{which} unknown chunk sizes, and X and {name} have different "
                         f"numbers of row blocks ({X.numblocks[0]} and {y.numblocks[0]}); call "
                         f"compute_chunk_sizes() on {' and '.join(unknown)} first")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but {name} has {y.shape[0]}")
    return y.rechunk({0: X.chunks[0]})


def fit_incremental(estimator, X, y, *, epochs=10, classes=None, sample_weight=None,
                    shuffle=True, random_state=None, prefetch=True, verbose=0):
    """Train ``estimator`` on Dask arrays with ``partial_fit``, one chunk at a time.

    Each epoch visits every row block of ``X`` once, in a new random order (drawn from
    ``random_state``), and calls ``estimator.partial_fit(X_block, y_block, ...)`` on the
    computed block. Only the block being trained on (and, with ``prefetch``, the next one,
    computed in a background thread while the current one trains) is in memory.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
        E.g. :class:`glassnet.sklearn.GlassClassifier`; trained in place. An estimator that is
        already fitted continues from its current state.
    X : dask.array.Array (or array-like) of shape (n_samples, n_features)
        Chunked along rows; chunks along columns are merged first.
    y : dask.array.Array (or array-like) of shape (n_samples,) or (n_samples, n_outputs)
        Rechunked to X's row chunks if they differ.
    epochs : int, default=10
        Passes over all the chunks (any integer type, NumPy's included; not a bool).
    classes : array-like, optional
        Every class label, passed to ``partial_fit`` for classifiers. When None and the
        estimator takes ``classes``, the labels are found with one pass over ``y``
        (``dask.array.unique``); for multi-label 0/1 targets nothing is passed. Given
        classes are checked against the labels of a 1-D ``y`` (or a single column, shape
        (n_samples, 1)) with the same one pass, before any training: a label missing from
        ``classes`` is a ValueError naming it.
    sample_weight : dask.array.Array (or array-like) of shape (n_samples,), optional
    shuffle : bool, default=True
        Visit the chunks in a new random order each epoch (rows inside a chunk are shuffled
        by the estimator's own ``partial_fit``).
    random_state : int, numpy Generator or None
        Seeds the chunk order; None draws from NumPy's global random state (``np.random.seed``
        makes it repeatable), as the estimators' ``random_state=None`` does.
    prefetch : bool, default=True
        Compute the next chunk while the current one trains.
    verbose : int, default=0
        Print one line per epoch (time, and the estimator's ``loss_`` if it has one).

    Returns
    -------
    estimator
        The same object, trained.

    Notes
    -----
    Row blocks without rows, and blocks whose sample weights are all 0, are skipped (there is
    nothing to learn from them); when every block is skipped, a ValueError says so. An error
    raised by ``partial_fit`` on a block (a NaN in X, a label not in ``classes``, ...) is
    raised again as a ValueError that names the block (its index and row range) and the
    epoch, chained to the original (``raise ... from``); the blocks before it stay trained.

    Each ``partial_fit`` call is one update of the estimator's bookkeeping, as with
    ``MLPClassifier.partial_fit``: after ``epochs`` passes over ``k`` non-empty blocks, a
    glassnet estimator's ``n_iter_`` has grown by ``epochs * k`` and ``loss_curve_`` holds one
    loss per block visited (``loss_`` and the ``verbose`` line show the last block's loss,
    not an epoch mean).
    """
    dask = require("dask", "dask", "dask", "glassnet.scaling")

    _check_instance(estimator, "fit_incremental")
    if not hasattr(estimator, "partial_fit"):
        raise TypeError(f"{type(estimator).__name__} has no partial_fit; fit_incremental needs "
                        f"an incremental estimator such as glassnet.sklearn.GlassClassifier")
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    epochs = int(epochs)
    X = _as_dask(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (samples, features), got shape {X.shape}")
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})
    y = _row_aligned(X, _as_dask(y, "y"), "y")
    sw = None
    if sample_weight is not None:
        sw = _as_dask(sample_weight, "sample_weight")
        if sw.ndim != 1:
            raise ValueError(f"sample_weight must be 1-D, got shape {sw.shape}")
        sw = _row_aligned(X, sw, "sample_weight")

    kwargs = {}
    if "classes" in inspect.signature(estimator.partial_fit).parameters:
        # a column vector y (n, 1) holds labels as a 1-D y does (partial_fit reads it so)
        labels_y = y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y
        if classes is None and labels_y.ndim == 1 and not hasattr(estimator, "classes_"):
            classes = _labels_of(dask, labels_y)
        elif classes is not None and labels_y.ndim == 1:
            _check_classes(classes, _labels_of(dask, labels_y))
        if classes is not None:
            kwargs["classes"] = np.asarray(classes)

    rng = np.random.default_rng(global_seed() if random_state is None else random_state)
    n_blocks = X.numblocks[0]
    offsets = np.cumsum((0,) + X.chunks[0])  # NaN from the first unknown chunk size on

    def where(i, n_rows, epoch):
        lo, hi = offsets[i], offsets[i + 1]
        rows = (f"rows {int(lo)}:{int(hi)}" if np.isfinite(hi) else
                ("rows" if n_rows is None else f"{n_rows} rows")
                + " at an unknown offset: X has unknown chunk sizes")
        return f"chunk {i + 1} of {n_blocks} ({rows}), epoch {epoch + 1} of {epochs}"

    def load(i):
        parts = [X.blocks[i], y.blocks[i]] + ([sw.blocks[i]] if sw is not None else [])
        return dask.compute(*parts)

    pool = ThreadPoolExecutor(max_workers=1) if prefetch and n_blocks > 1 else None
    trained = done = False
    try:
        for epoch in range(epochs):
            t0 = time.perf_counter()
            order = rng.permutation(n_blocks) if shuffle else np.arange(n_blocks)
            pending = pool.submit(load, order[0]) if pool else None
            for j, i in enumerate(order):
                try:
                    parts = pending.result() if pool else load(i)
                except Exception as e:  # computing the chunk failed (a worker, its source)
                    _note(e, f"(raised computing {where(i, None, epoch)})")
                    raise
                if pool and j + 1 < n_blocks:
                    pending = pool.submit(load, order[j + 1])
                Xb, yb = parts[0], parts[1]
                if len(Xb) == 0 or (sw is not None and not np.any(parts[2])):
                    continue  # nothing to learn from: no rows, or every weight 0
                weights = {"sample_weight": parts[2]} if sw is not None else {}
                try:
                    estimator.partial_fit(Xb, yb, **weights, **kwargs)
                except ValueError as e:
                    raise ValueError(f"{where(i, len(Xb), epoch)}: {e}") from e
                except Exception as e:
                    _note(e, f"(raised by partial_fit on {where(i, len(Xb), epoch)})")
                    raise
                trained = True
            if not trained:
                raise ValueError("no chunk has a row to train on: every row block of X is "
                                 "empty" + (" or has all its sample weights 0"
                                            if sw is not None else ""))
            if verbose:
                loss = getattr(estimator, "loss_", None)
                shown = f", loss {loss:.6f}" if isinstance(loss, float) else ""
                print(f"epoch {epoch + 1}/{epochs}: {n_blocks} chunks in "
                      f"{time.perf_counter() - t0:.2f}s{shown}", flush=True)
        done = True
    finally:
        if pool:  # an error is raised at once, not after the chunk being prefetched arrives
            pool.shutdown(wait=done, cancel_futures=not done)
    return estimator


def _check_instance(estimator, who):
    """Refuse an estimator class (``GlassClassifier`` for ``GlassClassifier()``): its methods
    would be called without an instance and fail with a "missing argument" TypeError."""
    if isinstance(estimator, type):
        raise TypeError(f"{who} needs an estimator instance, got the class "
                        f"{estimator.__name__}; pass {estimator.__name__}() (with its "
                        f"parameters)")


_PREDICT_METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function",
                    "transform", "score_samples")


def _check_method(estimator, method):
    """Refuse a ``method`` the estimator lacks, naming the ones it has."""
    if isinstance(method, str) and callable(getattr(estimator, method, None)):
        return
    have = [m for m in _PREDICT_METHODS if callable(getattr(estimator, m, None))]
    has = ", ".join(have) if have else "none of " + ", ".join(_PREDICT_METHODS)
    raise ValueError(f"method={method!r}: {type(estimator).__name__} has no such method; "
                     f"it has {has}")


def _note(exc, text) -> None:
    """Add ``text`` to the exception's message (Python 3.11+; earlier, nothing)."""
    if hasattr(exc, "add_note"):
        exc.add_note(text)


def _has_nan(labels):
    labels = np.asarray(labels)
    return labels.dtype.kind in "fc" and bool(np.isnan(labels).any())


def _first_row(X):
    """The first row of the Dask array ``X`` (computing its blocks in order until one has
    rows: the chunk sizes may be unknown after a filter)."""
    for i in range(X.numblocks[0]):
        block = np.asarray(X.blocks[i].compute())
        if len(block):
            return block[:1]
    raise ValueError("X has no rows to predict")


def _labels_of(dask, y):
    """The distinct labels of a 1-D Dask ``y`` (one pass); a NaN among them is refused here,
    named as y's (partial_fit would see it in ``classes`` and say only "Input contains NaN")."""
    labels = dask.compute(dask.array.unique(y))[0]
    if _has_nan(labels):
        raise ValueError("y contains NaN (a missing label); drop those rows or fill in their "
                         "labels first")
    return labels


def _check_classes(classes, labels):
    """Refuse ``classes=`` that lacks labels of the data (``labels``: those of y), before any
    chunk is trained on: partial_fit would stop at the first chunk holding one."""
    if _has_nan(classes):
        raise ValueError("classes contains NaN; pass the labels of the data")
    given = np.unique(np.asarray(classes).ravel())
    missing = np.setdiff1d(labels, given)
    if missing.size:
        raise ValueError(f"classes={_short(given.tolist(), 60)} lacks labels that y holds: "
                         f"{_short(missing.tolist(), 60)}; pass every label of the data "
                         f"(or classes=None to find them with one pass over y)")


def predict_blocks(estimator, X, method="predict"):
    """``estimator.<method>`` applied to each row block of the Dask array ``X``, lazily.

    Returns a Dask array (1-D for ``predict`` of single-output models, 2-D for
    ``predict_proba`` or several outputs); call ``.compute()`` or store it chunk by chunk.
    Blocks without rows (after a boolean filter such as ``X[X[:, 0] > t]``, or explicit
    0-row chunks) give empty results of the same dtype and width; the estimator is not called
    on them. A Dask (or pandas) DataFrame is read by position as an array of its values: of
    an estimator fitted with column names, its columns must be those names in that order
    (a ValueError otherwise); a pipeline step that selects columns by name gets arrays, so
    select them by position there.
    """
    _check_instance(estimator, "predict_blocks")
    _check_method(estimator, method)
    by_name = _check_column_order(estimator, X)
    X = _as_dask(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (samples, features), got shape {X.shape}")
    if X.numblocks[1] > 1:
        X = X.rechunk({1: -1})

    def method_fn(block):
        return _apply_method(block, estimator, method, None, by_name)
    # the output's shape and dtype, from a row of zeros (nothing computed: the result stays
    # lazy); an estimator that refuses it (a pipeline's OneHotEncoder: unknown category 0,
    # log(0)) is probed with the first real row, the one block holding it computed
    try:
        probe = method_fn(np.zeros((1, X.shape[1]), dtype=X.dtype))
    except Exception:
        probe = method_fn(_first_row(X))
    empty = probe[:0]  # what a block without rows gives (estimators refuse 0-row input)
    # the estimator enters the graph once, as one delayed object every block task depends on:
    # in the blocks' function it would be pickled into each task (a 5 MB model over 400
    # chunks: 2 GB sent to the workers)
    dask = require("dask", "dask", "dask", "glassnet.scaling")
    shared = dask.delayed(estimator, pure=False)

    if probe.ndim == 1:
        return X.map_blocks(_apply_method, shared, method, empty, by_name, drop_axis=1,
                            dtype=probe.dtype, meta=empty)
    return X.map_blocks(_apply_method, shared, method, empty, by_name,
                        chunks=(X.chunks[0], (probe.shape[1],)), dtype=probe.dtype, meta=empty)


def _check_column_order(estimator, X):
    """A (Dask or pandas) DataFrame is read by position, as an array: its columns must be the
    ones the estimator was fitted on, in that order (predictions from reordered columns would
    be silently wrong; in memory scikit-learn refuses them the same way)."""
    cols = getattr(X, "columns", None)
    names = getattr(estimator, "feature_names_in_", None)
    if cols is None or names is None:
        return False
    check_column_names([str(c) for c in cols], [str(c) for c in names], "X",
                       type(estimator).__name__, "estimator")
    return True


def _apply_method(block, estimator, method, empty, by_name=False):
    """One block's result for :func:`predict_blocks` (``empty`` for a block without rows).
    ``by_name``: the columns were checked against the estimator's names, so its warning that
    the block (an array) has none is noise."""
    if len(block) == 0:
        return empty
    with warnings.catch_warnings():
        if by_name:
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
        return getattr(estimator, method)(block)
