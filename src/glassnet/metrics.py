"""Metrics: numbers that say how good a model's predictions are.

Three families, told apart by what they read (see ``KIND``):

* ``"labels"``: class labels in, e.g. accuracy, balanced accuracy, precision, recall, F1, the
  confusion matrix.
  Labels may be integers, floats holding whole numbers, booleans or strings.
* ``"proba"``: class labels and predicted probabilities in, e.g. log loss, ROC AUC.
* ``"values"``: real-valued targets and predictions in (regression): MSE, RMSE, MAE, R².

Everything a classifier's score rests on can be read off four counts per class c:

    tp_c = #{i : y_i = c and ŷ_i = c}      (true positives)
    fp_c = #{i : y_i ≠ c and ŷ_i = c}      (false positives)
    fn_c = #{i : y_i = c and ŷ_i ≠ c}      (false negatives)
    support_c = tp_c + fn_c = #{i : y_i = c}

so precision = tp / (tp + fp) is a ratio of counts. (A classic from-scratch bug, found in one
of the texts glassnet grew from, writes ``np.average(np.where(y_pred[mask] == y_true[mask]))``:
``np.where`` with one argument returns the *indices* of the matches, so that averages
positions, not hits. Counting avoids it.)

Multi-label data (one 0/1 column per label, shape (m, L), scikit-learn's
``multilabel-indicator``): ``accuracy_score`` is the share of rows with every label right,
precision/recall/F1 count each label (column) as a binary problem (``average`` micro, macro,
weighted, samples or None), ``roc_auc_score`` is the mean of the labels' AUCs; the other
functions take one label per example.

Sample weights: every function takes ``sample_weight`` (one number w_i >= 0 per example,
default None: all 1). Example i then counts w_i times: the counts above become sums of
weights (tp_c = Σ_{i : y_i = c, ŷ_i = c} w_i, and so on; support_c = Σ_{i : y_i = c} w_i), and
every mean over examples becomes the weighted mean Σ_i w_i x_i / Σ_i w_i. Integer weights
give the scores of the data with row i repeated w_i times (w_i = 0 leaves it out,
but its labels still count as classes that exist, as in scikit-learn). Weights must be
finite, non-negative and not all zero; scikit-learn accepts negative weights, glassnet
refuses them (they are a mistake far more often than they are meant). Weights whose sum
overflows (1e308 each) still give the right scores, ratios of sums being taken on the
weights divided by their max; the sums returned as counts (confusion-matrix cells,
supports, ``accuracy_score(normalize=False)``) are the weights' own, inf where they overflow,
as in scikit-learn.

Signatures follow scikit-learn's so the names feel familiar; results agree with
``sklearn.metrics`` (the tests check this on random inputs) but where a docstring says
otherwise (R² of a constant target, adjusted balanced accuracy of one class). This module
needs NumPy only.
"""
import warnings

import numpy as np

__all__ = [
    "UndefinedMetricWarning", "accuracy_score", "balanced_accuracy_score", "precision_score",
    "recall_score", "f1_score", "precision_recall_fscore_support", "confusion_matrix",
    "classification_report", "log_loss", "roc_auc_score", "mean_squared_error",
    "root_mean_squared_error", "mean_absolute_error", "r2_score",
    "get", "KIND", "greater_is_better",
]


class UndefinedMetricWarning(UserWarning):
    """A metric is ill-defined on the data given (e.g. precision with no predicted
    positives) and was set to a conventional value (see ``zero_division``)."""


_AVERAGES = ("binary", "micro", "macro", "weighted", None)


# --------------------------------------------------------------------------------------------
# input validation
# --------------------------------------------------------------------------------------------

def _group(arr):
    """'string', 'bytes' or 'numeric': labels can only be compared within one group."""
    k = arr.dtype.kind
    return "string" if k == "U" else "bytes" if k == "S" else "numeric"


def _value_group(value):
    if isinstance(value, (str, np.str_)):
        return "string"
    if isinstance(value, (bytes, np.bytes_)):
        return "bytes"
    return "numeric"


def _from_object(arr, name):
    """Turn an object array of labels into a str or numeric array, or explain why not."""
    flat = arr.ravel()
    for i, v in enumerate(flat):
        if v is None:
            raise ValueError(f"{name} contains None at index {i}; every example needs a label")
    is_str = np.array([isinstance(v, (str, np.str_)) for v in flat])
    if is_str.all():
        return arr.astype(str)
    if is_str.any():
        i, j = int(np.argmax(is_str)), int(np.argmin(is_str))
        raise ValueError(f"{name} mixes string and numeric labels (e.g. {flat[i]!r} and "
                         f"{flat[j]!r}); use one type for all labels")
    try:
        out = np.array(flat.tolist())
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} could not be read as labels: {exc}") from exc
    if out.dtype == object or out.dtype.kind not in "biuf":
        raise ValueError(f"{name} has labels of unsupported type (e.g. {flat[0]!r}); use "
                         f"integers or strings")
    return out.reshape(arr.shape)


def _as_array(y, name):
    # (this module imports only NumPy, so it keeps its own copy of _validate.unwrap's checks)
    if y is None:
        raise TypeError(f"{name} is None; expected an array")
    if hasattr(y, "to_numpy") and not isinstance(y, np.ndarray):  # pandas and friends
        y = y.to_numpy()
    if hasattr(y, "toarray") and not isinstance(y, np.ndarray):  # scipy.sparse
        raise TypeError(f"{name} is a sparse matrix; pass a dense array (.toarray())")
    if isinstance(y, (dict, set, frozenset)) or (hasattr(y, "__next__")
                                                 and not hasattr(y, "__len__")):
        raise TypeError(f"{name} is a {type(y).__name__}; pass a NumPy array or a list")
    try:
        return np.asarray(y)
    except Exception as exc:  # ragged nested lists and the like
        raise ValueError(f"{name} could not be read as an array: {exc}") from exc


def _first_nonfinite(arr, name):
    bad = ~np.isfinite(arr)
    if bad.any():
        where = np.argwhere(bad)[0]
        what = "NaN" if np.isnan(arr[tuple(where)]) else "infinity"
        pos = f"index {where[0]}" if arr.ndim == 1 else f"row {where[0]}, column {where[1]}"
        raise ValueError(f"{name} contains {what} at {pos} ({int(bad.sum())} non-finite "
                         f"value(s) in all); remove or fix those examples first")


def _check_sample_weight(sample_weight, n, sums=False):
    """Validate per-example weights against ``n`` examples (see :func:`_check_weights`);
    None stays None (every example counts 1). The weights are for ratios of weighted sums
    (:func:`_for_ratios`), or with ``sums`` as given, for a weighted sum returned as it is."""
    if sample_weight is None:
        return None
    w = _check_weights(sample_weight, n, "sample_weight", "example")
    return w if sums else _for_ratios(w)


def _for_ratios(w):
    """``w`` divided by its max when its sum overflows (1e308 each): a ratio of weighted sums
    depends only on the ratios of the weights, and a sum of inf would make it 0 or NaN. A
    weighted sum returned as such (a count) takes the weights as they are, inf included."""
    with np.errstate(over="ignore"):
        total = w.sum()
    return w if np.isfinite(total) else w / w.max()


def _check_weights(values, n, name, unit):
    """Weights, one per ``unit`` (example, output), as float64: numbers, shape (n,), finite,
    >= 0, not all zero; else a ValueError naming ``name`` and the problem."""
    w = _as_array(values, name)
    if w.dtype == object:  # lists mixing None or text with numbers, pandas' nullable arrays
        try:
            w = w.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must hold numbers (one weight per {unit}): "
                             f"{exc}") from exc
    if w.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers (one weight per {unit}), got dtype "
                         f"{w.dtype}")
    if w.ndim != 1:
        raise ValueError(f"{name} must be 1-D with one weight per {unit}, shape ({n},); got "
                         f"shape {w.shape}")
    if w.shape[0] != n:
        raise ValueError(f"{name} has {w.shape[0]} weights but there are {n} {unit}s; give "
                         f"one weight per {unit}")
    w = w.astype(np.float64)
    _first_nonfinite(w, name)
    if (w < 0).any():
        i = int(np.argmax(w < 0))
        raise ValueError(f"{name} has negative values (e.g. {w[i].item()!r} at index {i}); "
                         f"weights must be >= 0")
    if not (w > 0).any():
        raise ValueError(f"{name} is all zero: at least one {unit} needs a positive weight")
    return w


def _check_labels_1d(y, name):
    """Validate a vector of class labels: 1-D (or a column), non-empty, no NaN, no scores."""
    arr = _as_array(y, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a 1-D array of labels, got the scalar {arr!r}")
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one label per example), got shape {arr.shape}; "
                         f"for one-hot or probability rows pass {name}.argmax(axis=1) (multi-"
                         f"label 0/1 rows: accuracy_score, precision/recall/f1_score and "
                         f"roc_auc_score take them; score each label's column for the others)")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty; at least one example is needed")
    if arr.dtype == object:
        arr = _from_object(arr, name)
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(f"{name} has complex values; labels must be integers or strings")
    if kind not in "biufUS":
        raise TypeError(f"{name} has unsupported dtype {arr.dtype}; labels must be integers "
                        f"or strings")
    if kind == "f":
        _first_nonfinite(arr, name)
        frac = arr != np.round(arr)
        if frac.any():
            i = int(np.argmax(frac))
            raise ValueError(
                f"{name} contains non-integer values (e.g. {arr[i].item()!r} at index {i}): these "
                f"look like probabilities or scores, but this metric needs class labels; "
                f"threshold them, e.g. (p >= 0.5).astype(int), or take p.argmax(axis=1)")
    return arr


def _check_pair(y_true, y_pred):
    """Validate two label vectors together; return them and the sorted union of labels."""
    yt = _check_labels_1d(y_true, "y_true")
    yp = _check_labels_1d(y_pred, "y_pred")
    if yt.shape[0] != yp.shape[0]:
        raise ValueError(f"y_true has {yt.shape[0]} labels but y_pred has {yp.shape[0]}; they "
                         f"must have one label per example")
    gt, gp = _group(yt), _group(yp)
    if gt != gp:
        raise ValueError(f"y_true holds {gt} labels (e.g. {yt[0].item()!r}) but y_pred holds {gp} "
                         f"labels (e.g. {yp[0].item()!r}); both must use the same kind of labels")
    return yt, yp, np.union1d(yt, yp)


def _indicator(v):
    """``v`` as an array when it is a multi-label indicator array (shape (m, L), L > 1, every
    value 0 or 1, as scikit-learn's ``multilabel-indicator``); None otherwise."""
    if getattr(v, "ndim", None) is None and not isinstance(v, (list, tuple)):
        return None
    try:
        a = np.asarray(v)
    except (TypeError, ValueError):
        return None
    if a.ndim != 2 or a.shape[1] < 2 or a.dtype.kind not in "biuf" or a.shape[0] == 0:
        return None
    return a if ((a == 0) | (a == 1)).all() else None


def _multilabel_pair(y_true, y_pred, name_pred="y_pred"):
    """(Y, P) as int arrays when both are multi-label indicator arrays (:func:`_indicator`);
    None when y_true is not one."""
    Y = _indicator(y_true)
    if Y is None:
        return None
    P = _indicator(y_pred)
    if P is None and np.shape(y_pred) == Y.shape:
        raise ValueError(f"y_true is a multi-label indicator array of shape {Y.shape} (0/1 per "
                         f"label), but {name_pred} holds values other than 0 and 1 "
                         f"(probabilities?): threshold them first, or use roc_auc_score")
    if P is None or P.shape != Y.shape:
        got = np.shape(y_pred) if hasattr(y_pred, "__len__") else "a scalar"
        raise ValueError(f"y_true is a multi-label indicator array of shape {Y.shape} (0/1 "
                         f"per label); {name_pred} must be one too, of the same shape, got "
                         f"{got}")
    return Y.astype(np.int64), P.astype(np.int64)


def _check_labels_param(labels, like, name="labels"):
    """Validate a user-given list of labels against the kind of labels in the data."""
    lab = _as_array(labels, name)
    if lab.ndim != 1:
        raise ValueError(f"{name} must be a 1-D list of labels, got shape {lab.shape}")
    if lab.shape[0] == 0:
        raise ValueError(f"{name} is empty; give at least one label or leave it as None")
    if lab.dtype == object:
        lab = _from_object(lab, name)
    if lab.dtype.kind == "f":
        _first_nonfinite(lab, name)
    if _group(lab) != _group(like):
        raise ValueError(f"{name} holds {_group(lab)} labels (e.g. {lab[0].item()!r}) but the data "
                         f"holds {_group(like)} labels (e.g. {like[0].item()!r})")
    if np.unique(lab).shape[0] != lab.shape[0]:
        raise ValueError(f"{name} contains duplicates: {lab.tolist()}")
    return lab


def _contains(classes, value):
    if _value_group(value) != _group(classes):
        return False
    return bool(np.any(classes == value))


def _lookup(sorted_keys, values):
    """Position of each value in ``sorted_keys`` and whether it was found there."""
    pos = np.searchsorted(sorted_keys, values)
    pos = np.minimum(pos, sorted_keys.shape[0] - 1)
    return pos, sorted_keys[pos] == values


def _check_zero_division(zero_division):
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
    elif isinstance(zero_division, (int, float, np.integer, np.floating)) and \
            not isinstance(zero_division, (bool, np.bool_)):
        if np.isnan(zero_division):
            return np.nan
        if zero_division in (0, 1):
            return float(zero_division)
    raise ValueError(f"zero_division must be 'warn', 0, 1 or np.nan, got {zero_division!r}")


def _check_average(average, multilabel=False):
    if average == "samples" and not multilabel:
        raise ValueError("average='samples' is for multi-label data (0/1 indicator rows); "
                         "choose 'binary', 'micro', 'macro', 'weighted' or None")
    if average == "samples":
        return
    if average == "binary" and multilabel:
        raise ValueError("y_true and y_pred are multi-label (0/1 per label): average='binary' "
                         "does not apply; choose 'micro', 'macro', 'weighted', 'samples' or "
                         "None")
    if average not in _AVERAGES:
        raise ValueError(f"unknown average {average!r}; choose one of 'binary', 'micro', "
                         f"'macro', 'weighted' or None (per-class scores)")


# --------------------------------------------------------------------------------------------
# classification: counts, precision, recall, F1
# --------------------------------------------------------------------------------------------

def _class_counts(yt, yp, classes, labels, sample_weight=None, cells=True):
    """tp, predicted and true counts for each entry of ``labels`` (0 for absent labels):
    int64 counts, or float64 sums of the examples' weights when ``sample_weight`` is given
    (with ``cells``, rebuilt from the confusion-matrix cells as scikit-learn adds them)."""
    k = classes.shape[0]
    it = np.searchsorted(classes, yt)
    ip = np.searchsorted(classes, yp)
    hit = it == ip
    true_all = np.bincount(it, weights=sample_weight, minlength=k)
    pred_all = np.bincount(ip, weights=sample_weight, minlength=k)
    tp_all = np.bincount(it[hit], minlength=k, weights=None if sample_weight is None
                         else sample_weight[hit])
    pos, found = _lookup(classes, labels)
    if sample_weight is None:
        pick = (lambda c: np.where(found, c[pos], 0).astype(np.int64))
        return pick(tp_all), pick(pred_all), pick(true_all)
    pick = (lambda c: np.where(found, c[pos], 0.0))
    counts = pick(tp_all), pick(pred_all), pick(true_all)
    return _as_cell_sums(*counts) if cells else counts


def _label_sums(w, *indicators):
    """For each 0/1 indicator array (m, L): per label, the sum of the weights ``w`` of its
    rows holding a 1, added in row order as scikit-learn adds them."""
    return [np.bincount(np.nonzero(A)[1], weights=np.repeat(w, A.sum(1)), minlength=A.shape[1])
            for A in indicators]


def _as_cell_sums(tp, pred, true):
    """Weighted (float) counts rebuilt as scikit-learn adds them up, from its confusion-matrix
    cells: pred = tp + fp and true = tp + fn with fp = pred − tp, fn = true − tp. This can
    differ from the direct sums in the last bit, which shows in a weighted support
    (classification_report prints it in full)."""
    return tp, tp + (pred - tp), tp + (true - tp)


def _divide(num, den, zero_value, warn, metric, modifier, labels, rows=False):
    """num / den elementwise; where den == 0 the result is ``zero_value`` (and maybe a warning
    naming the labels, or with ``rows`` the rows of a per-sample average)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    zero = den == 0
    out = num / np.where(zero, 1.0, den)
    if zero.any():
        out[zero] = zero_value
        if warn:
            if out.shape[0] == 1:
                where = f"due to no {modifier} samples"
            elif rows:   # labels: the rows that count (weight > 0)
                bad = np.intersect1d(np.flatnonzero(zero), labels)
                if not bad.size:   # only rows of weight 0, which change nothing
                    return out
                where = f"in samples with no {modifier} labels (rows {bad.tolist()})"
            else:
                where = (f"in labels with no {modifier} samples "
                         f"(labels {labels[zero].tolist()})")
            warnings.warn(f"{metric} is ill-defined and being set to 0.0 {where}. Use the "
                          f"`zero_division` parameter to control this behavior.",
                          UndefinedMetricWarning, stacklevel=4)
    return out


def _mean_ignoring_nan(values, weights=None):
    """Plain (or weighted) mean, skipping NaN entries (from ``zero_division=np.nan``)."""
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    v = values[keep]
    if weights is None:
        return float(np.mean(v))
    w = np.asarray(weights, dtype=np.float64)[keep]
    if w.sum() == 0:  # every class weighted 0: fall back to the plain mean
        return float(np.mean(v))
    return float(np.sum(v * w) / np.sum(w))


def _resolve_labels(yt, classes, average, pos_label, labels):
    """The labels scored: [pos_label] for average='binary', else ``labels`` or all classes."""
    if average == "binary":
        if classes.shape[0] > 2:
            shown = classes.tolist() if classes.shape[0] <= 10 else \
                classes[:10].tolist() + ["..."]
            raise ValueError(
                f"y_true and y_pred hold {classes.shape[0]} classes ({shown}) but "
                f"average='binary' scores a single positive class; for multiclass data "
                f"choose average='macro' (unweighted mean over classes), 'weighted' (weighted "
                f"by support), 'micro' (global counts) or None (one score per class)")
        if not _contains(classes, pos_label):
            if _value_group(pos_label) != _group(classes) or classes.shape[0] == 2:
                raise ValueError(f"pos_label={pos_label!r} is not a valid label; it should be "
                                 f"one of {classes.tolist()}")
        return np.asarray([pos_label])
    if pos_label not in (None, 1):
        warnings.warn(f"pos_label={pos_label!r} is ignored when average={average!r} (it is used "
                      f"only with average='binary'); use labels=[{pos_label!r}] to score a "
                      f"single class", UserWarning, stacklevel=4)
    if labels is None:
        return classes
    return _check_labels_param(labels, yt)


def _scores(y_true, y_pred, average, pos_label, labels, zero_division, warn_for,
            sample_weight=None):
    """Per-class (or micro) precision, recall, F1, support, before averaging; for
    multi-label indicator arrays per label (column), as scikit-learn counts them. Also
    returns the validated ``sample_weight`` (None when not given; rescaled for ratios,
    :func:`_for_ratios`) and the support as the sums of the weights as given (the support
    itself unless rescaling changed the weights; inf where such a sum overflows)."""
    ml = _multilabel_pair(y_true, y_pred)
    _check_average(average, ml is not None)
    zero_value = _check_zero_division(zero_division)
    if ml is not None:
        Y, P = ml
        cols = np.arange(Y.shape[1]) if labels is None else np.asarray(labels, dtype=np.int64)
        if cols.ndim != 1 or (cols < 0).any() or (cols >= Y.shape[1]).any():
            raise ValueError(f"labels of multi-label data are column indices 0..{Y.shape[1] - 1}"
                             f", got {labels!r}")
        Y, P = Y[:, cols], P[:, cols]
        given = _check_sample_weight(sample_weight, Y.shape[0], sums=True)
        w = None if given is None else _for_ratios(given)
        if average == "samples":   # per row, then the (weighted) mean over rows
            axis, labels = 1, np.arange(len(Y))
        else:
            axis, labels = 0, cols
        if w is None:
            tp, pred, true = (Y & P).sum(axis), P.sum(axis), Y.sum(axis)
        elif axis == 1:  # row i's counts times w_i (its weight in the mean over rows)
            tp, pred, true = ((Y & P).sum(1) * w, P.sum(1) * w, Y.sum(1) * w)
            labels = labels[w > 0]  # the rows that count, for a warning (as sklearn's sums)
        else:   # as sklearn adds them up
            tp, pred, true = _as_cell_sums(*_label_sums(w, Y & P, P, Y))
        support = true if w is given or axis == 1 else _label_sums(given, Y)[0]
    else:
        yt, yp, classes = _check_pair(y_true, y_pred)
        labels = _resolve_labels(yt, classes, average, pos_label, labels)
        given = _check_sample_weight(sample_weight, yt.shape[0], sums=True)
        w = None if given is None else _for_ratios(given)
        tp, pred, true = _class_counts(yt, yp, classes, labels, w)
        # (the direct sums, not rebuilt from cells: inf − inf would give NaN)
        support = true if w is given else _class_counts(yt, yp, classes, labels, given,
                                                        cells=False)[2]
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)
        with np.errstate(over="ignore"):
            support = support.sum(keepdims=True)
    warn = zero_division == "warn"
    rows = average == "samples"
    p = _divide(tp, pred, zero_value, warn and "precision" in warn_for, "Precision",
                "predicted", labels, rows)
    r = _divide(tp, true, zero_value, warn and "recall" in warn_for, "Recall", "true",
                labels, rows)
    f = _divide(2 * tp, true + pred, zero_value, warn and "f-score" in warn_for, "F-score",
                "true nor predicted", labels, rows)
    return p, r, f, true, w, support


def _averaged(values, true, average, sample_weight=None):
    """Average per-label scores: "weighted" by support (``true``), "samples" (per-row
    scores) by the rows' weights, the others plainly; None: no averaging."""
    if average is None:
        return values
    weights = true if average == "weighted" else \
        sample_weight if average == "samples" else None
    return _mean_ignoring_nan(values, weights)


def precision_recall_fscore_support(y_true, y_pred, *, average=None, pos_label=1, labels=None,
                                    zero_division="warn", sample_weight=None):
    """Precision, recall, F1 and support in one pass over the counts.

    See :func:`precision_score`, :func:`recall_score` and :func:`f1_score` for the formulas
    and parameters. Warns (``UndefinedMetricWarning``) for every ill-defined score.

    Returns
    -------
    precision, recall, f1 : float, or ndarray of shape (n_labels,) when ``average=None``
    support : ndarray of shape (n_labels,) (number of true examples per label: int64, or the
        float64 sum of their weights with ``sample_weight``, inf if it overflows), or None
        when averaging
    """
    p, r, f, true, w, support = _scores(y_true, y_pred, average, pos_label, labels,
                                        zero_division, ("precision", "recall", "f-score"),
                                        sample_weight)
    if average is None:
        return p, r, f, support
    return (_averaged(p, true, average, w), _averaged(r, true, average, w),
            _averaged(f, true, average, w), None)


_PRF_PARAMS = """
    Parameters
    ----------
    y_true : array-like of shape (m,)
        True class labels (integers, whole-number floats, booleans or strings).
    y_pred : array-like of shape (m,)
        Predicted class labels, of the same kind as ``y_true``.
    average : {"binary", "macro", "weighted", "micro"} or None, default "binary"
        ``"binary"``: the score of class ``pos_label`` only (data must have at most two
        classes). ``"macro"``: the plain mean of the per-class scores. ``"weighted"``: their
        mean weighted by support (number of true examples per class). ``"micro"``: the score
        of the counts summed over classes. ``None``: one score per label, as an array.
    pos_label : int, float, bool or str, default 1
        The positive class for ``average="binary"``; ignored (with a warning if changed) for
        the other modes.
    labels : array-like, optional
        Labels to score, in this order (default: every label in ``y_true`` or ``y_pred``,
        sorted). May include labels absent from the data or leave some out.
    zero_division : "warn", 0, 1 or np.nan, default "warn"
        The value of a score whose denominator is 0. ``"warn"`` gives 0 and an
        ``UndefinedMetricWarning``; np.nan scores are left out of the averages.
    sample_weight : array-like of shape (m,), optional
        A weight w_i >= 0 per example: the counts tp, fp, fn and support become sums of the
        weights of those examples (so ``"weighted"`` weights by the summed weight of each
        class's true examples; multi-label ``"samples"`` takes the weighted mean over rows).
        Default: every example counts 1.

    Returns
    -------
    float, or ndarray of shape (n_labels,) when ``average=None``
"""


def precision_score(y_true, y_pred, *, average="binary", pos_label=1, labels=None,
                    zero_division="warn", sample_weight=None):
    """Precision: of the examples predicted as class c, the fraction that truly are c.

    precision_c = tp_c / (tp_c + fp_c)  (tp_c + fp_c = number of predictions of c).

    With no predictions of c the ratio is 0/0: the score is ``zero_division`` (0 by default,
    with an ``UndefinedMetricWarning``). Micro averaging uses Σ tp / Σ (tp + fp).
    {params}
    Examples
    --------
    >>> precision_score([0, 1, 1], [1, 1, 1])  # 2 of the 3 predicted positives are right
    0.6666666666666666
    """
    p, _, _, true, w, _ = _scores(y_true, y_pred, average, pos_label, labels, zero_division,
                                  ("precision",), sample_weight)
    return _averaged(p, true, average, w)


def recall_score(y_true, y_pred, *, average="binary", pos_label=1, labels=None,
                 zero_division="warn", sample_weight=None):
    """Recall (sensitivity): of the examples truly of class c, the fraction predicted as c.

    recall_c = tp_c / (tp_c + fn_c)  (tp_c + fn_c = support_c, the true examples of c).

    With no true examples of c the ratio is 0/0: the score is ``zero_division`` (0 by
    default, with an ``UndefinedMetricWarning``). Micro-averaged recall equals accuracy when
    all labels are scored.
    {params}
    Examples
    --------
    >>> recall_score([0, 1, 1], [1, 1, 0])
    0.5
    """
    _, r, _, true, w, _ = _scores(y_true, y_pred, average, pos_label, labels, zero_division,
                                  ("recall",), sample_weight)
    return _averaged(r, true, average, w)


def f1_score(y_true, y_pred, *, average="binary", pos_label=1, labels=None,
             zero_division="warn", sample_weight=None):
    """F1: the harmonic mean of precision and recall.

    F1_c = 2·P·R / (P + R) = 2·tp_c / (2·tp_c + fp_c + fn_c) = 2·tp_c / (pred_c + support_c),

    computed from the counts (so F1 = 0, not undefined, when tp = 0 but there are predictions
    or true examples). Only when class c is neither predicted nor present is it 0/0, set to
    ``zero_division``. Note: macro F1 is the mean of per-class F1, not the F1 of the mean
    precision and recall.
    {params}
    Examples
    --------
    >>> f1_score([0, 1, 1], [1, 1, 0])
    0.5
    """
    _, _, f, true, w, _ = _scores(y_true, y_pred, average, pos_label, labels, zero_division,
                                  ("f-score",), sample_weight)
    return _averaged(f, true, average, w)


def _with_params(doc, params):
    """``doc`` with ``params`` (written indented by 4 spaces) in place of ``{params}``, and
    unindented where ``doc`` is: Python >= 3.13 strips the indentation of docstrings."""
    if "\n    {params}" not in doc:
        params = params.replace("\n    ", "\n")
    return doc.replace("{params}", params)


for _fn in (precision_score, recall_score, f1_score):
    _fn.__doc__ = _with_params(_fn.__doc__, _PRF_PARAMS)
del _fn


def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    """Accuracy: the fraction of examples whose predicted label equals the true label.

    accuracy = (1/m) Σ_i [ŷ_i = y_i],  or with weights  Σ_i w_i [ŷ_i = y_i] / Σ_i w_i

    Parameters
    ----------
    y_true, y_pred : array-like of shape (m,)
        True and predicted class labels (integers, whole-number floats, booleans or strings).
    normalize : bool, default True
        False returns the number of correct predictions instead of the fraction (with
        ``sample_weight``: the sum of their weights, Σ_i w_i [ŷ_i = y_i]).
    sample_weight : array-like of shape (m,), optional
        A weight w_i >= 0 per example (default: every example counts 1).

    Returns
    -------
    float (int when ``normalize=False`` without ``sample_weight``; inf when the sum of the
    weights overflows)

    Examples
    --------
    >>> accuracy_score([0, 1, 2, 2], [0, 2, 2, 2])
    0.75
    """
    ml = _multilabel_pair(y_true, y_pred)
    if ml is not None:   # multi-label: a row counts when every label is right (subset)
        hits = (ml[0] == ml[1]).all(axis=1)
    else:
        yt, yp, _ = _check_pair(y_true, y_pred)
        hits = yt == yp
    if sample_weight is None:
        return float(np.mean(hits)) if normalize else int(np.sum(hits))
    w = _check_sample_weight(sample_weight, hits.shape[0], sums=not normalize)
    if normalize:
        return float(np.average(hits, weights=w))
    with np.errstate(over="ignore"):   # a sum of weights over the float range is inf
        return float(np.sum(hits * w))


def balanced_accuracy_score(y_true, y_pred, *, sample_weight=None, adjusted=False):
    """Balanced accuracy: the mean over the classes of y_true of their recall.

    balanced = (1/K) Σ_c tp_c / support_c  (K classes with support_c > 0),

    the accuracy with each class's examples weighted by 1/support_c, so that every class
    counts as much: on 95% negatives, always predicting "negative" scores 0.5, not 0.95.
    A class that only ``y_pred`` holds (or whose examples all have weight 0) has no recall:
    it is left out, with an ``UndefinedMetricWarning``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (m,)
        True and predicted class labels (integers, whole-number floats, booleans or strings).
    sample_weight : array-like of shape (m,), optional
        A weight w_i >= 0 per example: tp_c and support_c become sums of weights (default:
        every example counts 1).
    adjusted : bool, default False
        Rescale for chance: (balanced − 1/K) / (1 − 1/K), so that random predictions
        score 0 (and the worst can be negative) while a perfect one keeps 1. Undefined for
        K = 1: NaN with an ``UndefinedMetricWarning`` (scikit-learn divides by zero, giving
        -inf or NaN).

    Returns
    -------
    float

    Examples
    --------
    >>> balanced_accuracy_score([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1])  # (3/4 + 1/2) / 2
    0.625
    """
    if not isinstance(adjusted, (bool, np.bool_)):
        raise ValueError(f"adjusted must be True or False, got {adjusted!r}")
    yt, yp, classes = _check_pair(y_true, y_pred)
    w = _check_sample_weight(sample_weight, yt.shape[0])
    tp, _, support = _class_counts(yt, yp, classes, classes, w)
    counted = support > 0
    if not counted.all():
        warnings.warn(f"y_pred contains classes not in y_true (or only in rows of weight 0): "
                      f"{classes[~counted].tolist()}; they have no recall and are left out of "
                      f"the balanced accuracy", UndefinedMetricWarning, stacklevel=2)
    score = float(np.mean(tp[counted] / support[counted]))
    if adjusted:
        k = int(counted.sum())
        if k == 1:
            warnings.warn(f"adjusted balanced accuracy is not defined when y_true holds one "
                          f"class ({classes[counted][0].item()!r}): chance scores 1 too",
                          UndefinedMetricWarning, stacklevel=2)
            return float("nan")
        score = (score - 1.0 / k) / (1.0 - 1.0 / k)
    return score


def confusion_matrix(y_true, y_pred, *, labels=None, normalize=None, sample_weight=None):
    """Confusion matrix C: C[i, j] = number of examples of true class i predicted as class j.

    The diagonal holds the hits; row i sums to the support of class i, column j to the number
    of predictions of class j. Examples whose true or predicted label is not in ``labels``
    are left out. With weights, C[i, j] = Σ w_e over the examples e of true class i predicted
    as class j.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (m,)
        True and predicted class labels.
    labels : array-like of shape (k,), optional
        The classes, in the order of the rows and columns (default: every label in ``y_true``
        or ``y_pred``, sorted). At least one must occur in ``y_true``.
    normalize : {None, "true", "pred", "all"}, default None
        None: counts. "true": C[i, j] / Σ_j C[i, j] (rows sum to 1; the diagonal is per-class
        recall). "pred": C[i, j] / Σ_i C[i, j] (columns sum to 1; the diagonal is per-class
        precision). "all": C / Σ C. An empty row or column gives zeros.
    sample_weight : array-like of shape (m,), optional
        A weight w_e >= 0 per example (default: every example counts 1).

    Returns
    -------
    ndarray of shape (k, k): int64 counts (also for integer or boolean weights, as in
    scikit-learn), float64 sums for float weights (inf where a sum overflows), float64 when
    normalized

    Examples
    --------
    >>> confusion_matrix([0, 1, 1], [0, 0, 1])
    array([[1, 0],
           [1, 1]])
    """
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"unknown normalize {normalize!r}; choose None, 'true', 'pred' or "
                         f"'all'")
    yt, yp, classes = _check_pair(y_true, y_pred)
    if labels is None:
        labels = classes
    else:
        labels = _check_labels_param(labels, yt)
        if not np.isin(yt, labels).any():
            raise ValueError(f"none of the labels {labels.tolist()} occurs in y_true; at least "
                             f"one label specified must be in y_true")
    k = labels.shape[0]
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    pt, ft = _lookup(sorted_labels, yt)
    pp, fp = _lookup(sorted_labels, yp)
    keep = ft & fp
    rows, cols = order[pt[keep]], order[pp[keep]]
    if sample_weight is None:
        cm = np.bincount(rows * k + cols, minlength=k * k).reshape(k, k).astype(np.int64)
    else:
        whole = _as_array(sample_weight, "sample_weight").dtype.kind in "biu"
        # counts are the weights' sums as given, normalized ones ratios of them
        w = _check_sample_weight(sample_weight, yt.shape[0], sums=normalize is None)
        cm = np.bincount(rows * k + cols, weights=w[keep], minlength=k * k).reshape(k, k)
        if whole:  # sums of integers, exact in float64 below 2**53
            cm = cm.astype(np.int64)
    if normalize is None:
        return cm
    cm = cm.astype(np.float64)
    if normalize == "true":
        den = cm.sum(axis=1, keepdims=True)
    elif normalize == "pred":
        den = cm.sum(axis=0, keepdims=True)
    else:
        den = cm.sum()
    return np.divide(cm, den, out=np.zeros_like(cm), where=den != 0)


def classification_report(y_true, y_pred, target_names=None, *, labels=None, digits=2,
                          zero_division="warn", output_dict=False, sample_weight=None):
    """A text table of precision, recall, F1 and support for each class, plus averages.

    Rows: one per label; then "accuracy" (when all labels present in the data are scored;
    otherwise "micro avg"), "macro avg" (plain mean over classes) and "weighted avg" (mean
    weighted by support). The accuracy row shows only the F1 column (micro F1 = accuracy)
    and the support. See :func:`precision_score`, :func:`recall_score`, :func:`f1_score`.
    With ``sample_weight`` every count is a sum of weights, the support included: it is then
    a float, shown as Python prints it (``2.0``, ``8.75``), as scikit-learn shows it. Without
    weights the supports are ints (``1``), also where scikit-learn shows floats (``1.0``:
    it does so when no class has a true positive).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (m,)
        True and predicted class labels.
    target_names : list of str, optional
        Display names for ``labels`` (same length and order).
    labels : array-like, optional
        Labels to report (default: every label in ``y_true`` or ``y_pred``, sorted).
    digits : int, default 2
        Digits after the decimal point in the table.
    zero_division : "warn", 0, 1 or np.nan, default "warn"
        Value of an ill-defined score (see :func:`precision_score`).
    output_dict : bool, default False
        Return ``{name: {"precision", "recall", "f1-score", "support"}, "accuracy": float,
        "macro avg": {...}, "weighted avg": {...}}`` (unrounded) instead of the text.
    sample_weight : array-like of shape (m,), optional
        A weight >= 0 per example (default: every example counts 1).

    Returns
    -------
    str or dict

    Examples
    --------
    >>> print(classification_report([0, 1, 1, 2], [0, 1, 2, 2]))  # doctest: +NORMALIZE_WHITESPACE
                  precision    recall  f1-score   support
    <BLANKLINE>
               0       1.00      1.00      1.00         1
               1       1.00      0.50      0.67         2
               2       0.50      1.00      0.67         1
    <BLANKLINE>
        accuracy                           0.75         4
       macro avg       0.83      0.83      0.78         4
    weighted avg       0.88      0.75      0.75         4
    """
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or digits < 0:
        raise ValueError(f"digits must be a non-negative integer, got {digits!r}")
    p, r, f, true, w, support = _scores(y_true, y_pred, None, 1, labels, zero_division,
                                        ("precision", "recall", "f-score"), sample_weight)
    yt, yp, classes = _check_pair(y_true, y_pred)
    lab = classes if labels is None else _check_labels_param(labels, yt)
    if target_names is None:
        names = [str(v) for v in lab.tolist()]
    else:
        names = [str(v) for v in target_names]
        if len(names) != lab.shape[0]:
            raise ValueError(f"target_names has {len(names)} names but there are "
                             f"{lab.shape[0]} labels ({lab.tolist()}); give one name per label")
    micro_is_accuracy = labels is None or bool(np.isin(classes, lab).all())
    as_support = int if w is None else float   # weighted supports are sums of weights
    with np.errstate(over="ignore"):
        total = as_support(support.sum())
    # micro P, R, F1 over the same labels, by the formulas of the micro average (no warning)
    micro = [v[0] for v in _scores(y_true, y_pred, "micro", 1, lab, zero_division, (), w)[:3]]

    rows = {}
    for i, name in enumerate(names):
        rows[name] = {"precision": float(p[i]), "recall": float(r[i]), "f1-score": float(f[i]),
                      "support": as_support(support[i])}
    avg_rows = {}
    if micro_is_accuracy:  # micro P = R = F1 = accuracy but for rounding: sklearn's dict
        avg_rows["accuracy"] = float(micro[0])  # holds micro P, its table micro F1
    else:
        avg_rows["micro avg"] = dict(zip(("precision", "recall", "f1-score"),
                                         map(float, micro)), support=total)
    for name, by in (("macro avg", None), ("weighted avg", true)):
        avg_rows[name] = {"precision": _mean_ignoring_nan(p, by),
                          "recall": _mean_ignoring_nan(r, by),
                          "f1-score": _mean_ignoring_nan(f, by), "support": total}
    if output_dict:
        rows.update(avg_rows)
        return rows

    width = max(len(n) for n in names + ["weighted avg"])
    col = max(9, digits + 3)
    head = " " * (width + 1) + "".join(f" {h:>{col}}" for h in
                                 ("precision", "recall", "f1-score", "support"))
    lines = [head, ""]

    def line(name, vals, n):
        cells = "".join(f" {'' if v is None else format(v, f'.{digits}f'):>{col}}"
                        for v in vals)
        return f"{name:>{width}} {cells} {n:>{col}}"

    for name, d in rows.items():
        lines.append(line(name, (d["precision"], d["recall"], d["f1-score"]), d["support"]))
    lines.append("")
    for name, d in avg_rows.items():
        if name == "accuracy":
            lines.append(line(name, (None, None, float(micro[2])), total))
        else:
            lines.append(line(name, (d["precision"], d["recall"], d["f1-score"]),
                              d["support"]))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# classification: probabilities
# --------------------------------------------------------------------------------------------

def _check_proba(y_prob, name):
    P = _as_array(y_prob, name)
    if P.dtype == object or P.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers (probabilities), got dtype {P.dtype}")
    if P.ndim == 0 or P.ndim > 2:
        raise ValueError(f"{name} must be 1-D (probability of the positive class) or 2-D "
                         f"(one column per class), got shape {P.shape}")
    if P.shape[0] == 0:
        raise ValueError(f"{name} is empty; at least one example is needed")
    if P.ndim == 2 and P.shape[1] == 0:
        raise ValueError(f"{name} has no columns (shape {P.shape})")
    if P.dtype.kind == "f":
        _first_nonfinite(P, name)
    return P


def log_loss(y_true, y_prob, *, labels=None, eps="auto", sample_weight=None):
    """Log loss (cross-entropy): the mean negative log-probability given to the true class.

    L = -(1/m) Σ_i Σ_c y_ic · log(p_ic) = -(1/m) Σ_i log(p_i,y_i),
    or with weights  L = -Σ_i w_i log(p_i,y_i) / Σ_i w_i

    where y_ic is 1 if example i is of class c (one-hot) and p_ic the predicted probability
    of class c. For two classes, with p_i = P(class 1):
    L = -(1/m) Σ_i [y_i log(p_i) + (1 − y_i) log(1 − p_i)].
    Probabilities are first clipped to [eps, 1 − eps] so that log(0) never occurs.

    Parameters
    ----------
    y_true : array-like of shape (m,)
        True class labels.
    y_prob : array-like of shape (m,), (m, 1) or (m, k)
        Predicted probabilities. 1-D or one column: the probability of the greater of two
        labels (class 1). k columns: one per class, in the sorted order of the labels.
    labels : array-like, optional
        All the classes, one per column of ``y_prob`` (default: those in ``y_true``). Needed
        when ``y_true`` misses some class (a ValueError otherwise, as in scikit-learn), also
        for integer labels 0..k-1: pass ``labels=range(k)``.
    eps : "auto" or float, default "auto"
        Clipping bound; "auto" is the machine epsilon of ``y_prob``'s float dtype (float64 for
        integer input).
    sample_weight : array-like of shape (m,), optional
        A weight w_i >= 0 per example (default: every example counts 1).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Probabilities outside [0, 1], NaN, mismatched lengths, a number of columns that
        does not match the number of classes (of ``labels``, else of ``y_true``), or a
        ``y_true`` of one class without ``labels``. Rows not summing to 1 only warn.

    Examples
    --------
    >>> round(log_loss([0, 1, 1], [0.1, 0.8, 0.6]), 6)  # -(log .9 + log .8 + log .6)/3
    0.279777
    """
    yt = _check_labels_1d(y_true, "y_true")
    P = _check_proba(y_prob, "y_prob")
    if P.shape[0] != yt.shape[0]:
        raise ValueError(f"y_true has {yt.shape[0]} labels but y_prob has {P.shape[0]} rows; "
                         f"they must have one row per example")
    w = _check_sample_weight(sample_weight, yt.shape[0])
    dtype = P.dtype if P.dtype.kind == "f" else np.dtype(np.float64)
    if isinstance(eps, str):
        if eps != "auto":
            raise ValueError(f"eps must be 'auto' or a number in [0, 0.5), got {eps!r}")
        eps = float(np.finfo(dtype).eps)
    elif isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)) \
            or not 0 <= eps < 0.5:
        raise ValueError(f"eps must be 'auto' or a number in [0, 0.5), got {eps!r}")
    if P.max() > 1:
        raise ValueError(f"y_prob contains values greater than 1 (max {P.max()}); pass "
                         f"probabilities (apply sigmoid/softmax to logits first)")
    if P.min() < 0:
        raise ValueError(f"y_prob contains values lower than 0 (min {P.min()}); pass "
                         f"probabilities (apply sigmoid/softmax to logits first)")
    if P.ndim == 1:
        P = P[:, None]
    binary = P.shape[1] == 1   # the probability of the second class: the first's is 1 - p
    k = 2 if binary else P.shape[1]

    if labels is not None:
        lab = _check_labels_param(labels, yt)
        classes = np.sort(lab)
        if not np.array_equal(classes, lab):
            warnings.warn(f"labels {lab.tolist()} are not sorted; the columns of y_prob are "
                          f"taken to be in the sorted order {classes.tolist()}", UserWarning,
                          stacklevel=2)
        missing = ~np.isin(yt, classes)
        if missing.any():
            raise ValueError(f"y_true contains labels {np.unique(yt[missing]).tolist()} that "
                             f"are not in labels {lab.tolist()}")
        if classes.shape[0] < 2:
            raise ValueError(f"labels must contain at least two classes, got {lab.tolist()}")
    else:
        # the classes are those of y_true, as scikit-learn takes them: guessing 0..k-1 for
        # integer labels would read label 1 of y_true [1, 2] from column 1 of 3
        classes = np.unique(yt)
        if classes.shape[0] == 1:
            raise ValueError(f"y_true contains only one label ({classes[0].item()!r}); give all the "
                             f"classes explicitly through the labels argument")
    if classes.shape[0] != k:
        raise ValueError(f"y_true{'' if labels is None else ' (with labels)'} has "
                         f"{classes.shape[0]} classes {classes.tolist()} but y_prob has {k} "
                         f"columns; give all the classes through the labels argument, one "
                         f"per column of y_prob")

    if not binary and not np.allclose(P.sum(axis=1, dtype=np.float64), 1.0,
                                      rtol=np.sqrt(np.finfo(dtype).eps), atol=0):
        warnings.warn("the rows of y_prob do not sum to 1; make sure to pass probabilities",
                      UserWarning, stacklevel=2)
    # only each row's probability of its own class is read (in float64): no copy of P
    idx = np.searchsorted(classes, yt)
    if binary:
        p = P[:, 0].astype(np.float64)
        p = np.where(idx == 1, p, 1.0 - p)
    else:
        p = P[np.arange(P.shape[0]), idx].astype(np.float64)
    nll = -np.log(np.clip(p, eps, 1.0 - eps))
    return float(np.mean(nll) if w is None else np.average(nll, weights=w))


# roc_auc_score on several classes: the form it takes them in
_OVR_HINT = ("or one-hot rows (np.eye(k)[y]) with one score column per class for the "
             "one-vs-rest macro AUC (scikit-learn's multi_class='ovr')")


def roc_auc_score(y_true, y_score, *, sample_weight=None):
    """Area under the ROC curve (binary): the probability that a random positive example is
    scored higher than a random negative one (ties count one half).

    AUC = (R₊ − n₊(n₊ + 1)/2) / (n₊ · n₋)

    where R₊ is the sum of the ranks of the positive examples among all scores (tied scores
    share their average rank): the Mann-Whitney U statistic, normalized. It equals the area
    under the curve of true-positive rate against false-positive rate.

    With weights, each pair (positive i, negative j) counts w_i · w_j:
    AUC = Σ_{i pos, j neg} w_i w_j ([s_i > s_j] + ½[s_i = s_j]) / (W₊ · W₋), with W₊, W₋ the
    summed weights of the positives and negatives. It is computed as scikit-learn does, as
    the trapezoidal area under the weighted ROC curve: the scores sorted from the highest
    down, one point per distinct score (tied scores form one step), at
    (FPR, TPR) = (negative weight, positive weight) scored at least that high, / (W₋, W₊).

    Parameters
    ----------
    y_true : array-like of shape (m,)
        True labels of two classes; the greater label (1, or the later string) is positive.
    y_score : array-like of shape (m,), (m, 1) or (m, 2)
        Scores or probabilities for the positive class; from two columns the second is used.
    sample_weight : array-like of shape (m,), optional
        A weight w_i >= 0 per example (default: every example counts 1).

    Returns
    -------
    float (NaN, with an ``UndefinedMetricWarning``, when y_true holds one class only, or when
    the weights of one class sum to 0)

    Examples
    --------
    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75

    Multi-label data (``y_true`` of 0/1 rows, shape (m, L), with scores of the same shape):
    the mean of the L labels' AUCs (scikit-learn's ``average="macro"``).
    """
    Y = _indicator(y_true) if np.ndim(y_score) == 2 and np.shape(y_score)[1] > 1 else None
    if Y is not None:
        S = _check_proba(y_score, "y_score")
        if S.shape != Y.shape:
            raise ValueError(f"y_true is a multi-label indicator array of shape {Y.shape}; "
                             f"y_score needs a score per label, shape {Y.shape}, got {S.shape}")
        w = _check_sample_weight(sample_weight, Y.shape[0])
        return float(np.mean([roc_auc_score(Y[:, j], S[:, j], sample_weight=w)
                              for j in range(Y.shape[1])]))
    yt = _check_labels_1d(y_true, "y_true")
    s = _check_proba(y_score, "y_score")
    if s.ndim == 2:
        if s.shape[1] == 1 or s.shape[1] == 2:
            s = s[:, -1]
        else:
            raise ValueError(f"y_score has {s.shape[1]} columns; roc_auc_score takes binary "
                             f"targets with the scores of the positive class, shape (m,), "
                             f"{_OVR_HINT}")
    if s.shape[0] != yt.shape[0]:
        raise ValueError(f"y_true has {yt.shape[0]} labels but y_score has {s.shape[0]} "
                         f"scores; they must have one per example")
    w = _check_sample_weight(sample_weight, yt.shape[0])
    classes = np.unique(yt)
    if classes.shape[0] > 2:
        raise ValueError(f"y_true holds {classes.shape[0]} classes; roc_auc_score takes binary "
                         f"targets, {_OVR_HINT}")
    if classes.shape[0] < 2:
        warnings.warn("Only one class is present in y_true. ROC AUC score is not defined in "
                      "that case.", UndefinedMetricWarning, stacklevel=2)
        return float("nan")
    s = s.astype(np.float64)
    if w is not None:
        return _weighted_auc(s, yt == classes[1], w)
    _, inv, counts = np.unique(s, return_inverse=True, return_counts=True)
    last = np.cumsum(counts)                 # 1-based rank of each distinct score's last copy
    avg_rank = last - (counts - 1) / 2.0     # tied scores share their average rank
    ranks = avg_rank[inv.ravel()]
    pos = yt == classes[1]
    n_pos = int(pos.sum())
    n_neg = yt.shape[0] - n_pos
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def _weighted_auc(s, pos, w):
    """ROC AUC of scores ``s`` for the positives ``pos`` with example weights ``w``: the
    trapezoidal area under the weighted ROC curve (see :func:`roc_auc_score`)."""
    distinct, inv = np.unique(s, return_inverse=True)
    k = distinct.shape[0]
    step = k - 1 - inv.ravel()        # 0 for the highest score: one step per distinct score
    w_pos = np.bincount(step, weights=np.where(pos, w, 0.0), minlength=k)
    w_neg = np.bincount(step, weights=np.where(pos, 0.0, w), minlength=k)
    tps = np.concatenate([[0.0], np.cumsum(w_pos)])   # weight scored at least this high
    fps = np.concatenate([[0.0], np.cumsum(w_neg)])
    for total, which in ((fps[-1], "negative"), (tps[-1], "positive")):
        if total <= 0:
            warnings.warn(f"the {which} examples of y_true all have weight 0; ROC AUC is not "
                          f"defined in that case.", UndefinedMetricWarning, stacklevel=3)
            return float("nan")
    tpr, fpr = tps / tps[-1], fps / fps[-1]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0))


# --------------------------------------------------------------------------------------------
# regression
# --------------------------------------------------------------------------------------------

def _check_values(y, name):
    arr = _as_array(y, name)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {arr.dtype}")
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a 1-D or 2-D array, got the scalar {arr!r}")
    if arr.ndim > 2:
        raise ValueError(f"{name} must be 1-D (m,) or 2-D (m, outputs), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty; at least one example is needed")
    if arr.ndim == 2 and arr.shape[1] == 0:
        raise ValueError(f"{name} has no columns (shape {arr.shape})")
    arr = arr.astype(np.float64)
    _first_nonfinite(arr, name)
    return arr if arr.ndim == 2 else arr[:, None]


def _check_output_weights(multioutput, n_outputs):
    """Validate per-output weights (``multioutput`` given as an array), as float64."""
    if n_outputs == 1:  # as scikit-learn
        raise ValueError("multioutput weights are for several outputs, but y_true has one; "
                         "leave multioutput as 'uniform_average'")
    return _for_ratios(_check_weights(multioutput, n_outputs, "multioutput", "output"))


def _check_regression(y_true, y_pred, multioutput, sample_weight=None,
                      variance_weighted=False):
    """Validate regression targets and predictions, the sample weights and ``multioutput``
    (a name, or per-output weights: returned validated). Returns (yt, yp, w, multioutput),
    yt and yp of shape (m, outputs)."""
    names = ("uniform_average", "raw_values") + (("variance_weighted",) if variance_weighted
                                                 else ())
    if isinstance(multioutput, str) and multioutput not in names:
        raise ValueError(f"unknown multioutput {multioutput!r}; choose "
                         f"{', '.join(map(repr, names))} or an array of weights, one per "
                         f"output")
    yt = _check_values(y_true, "y_true")
    yp = _check_values(y_pred, "y_pred")
    if yt.shape[0] != yp.shape[0]:
        raise ValueError(f"y_true has {yt.shape[0]} rows but y_pred has {yp.shape[0]}; they "
                         f"must have one row per example")
    if yt.shape[1] != yp.shape[1]:
        raise ValueError(f"y_true has {yt.shape[1]} output(s) but y_pred has {yp.shape[1]}")
    if not isinstance(multioutput, str):
        multioutput = _check_output_weights(multioutput, yt.shape[1])
    return yt, yp, _check_sample_weight(sample_weight, yt.shape[0]), multioutput


def _finish(per_output, multioutput, variance=None):
    """Combine the per-output values as ``multioutput`` says: "raw_values" (all of them),
    "uniform_average" (their plain mean), "variance_weighted" (their mean weighted by each
    output's SS_tot, ``variance``; the plain mean when every output is constant) or an
    array of per-output weights (weighted mean Σ_j a_j v_j / Σ_j a_j)."""
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return per_output
        if multioutput == "uniform_average" or not (variance != 0).any():
            return float(np.mean(per_output))
        return float(np.average(per_output, weights=variance))
    return float(np.average(per_output, weights=multioutput))


_REG_PARAMS = """
    Parameters
    ----------
    y_true, y_pred : array-like of shape (m,) or (m, n_outputs)
        True and predicted values; (m,) and (m, 1) are interchangeable.
    multioutput : str or array-like of shape (n_outputs,), default "uniform_average"
        With several outputs: ``"uniform_average"``, their plain mean; ``"raw_values"``, one
        value per output (an array); an array of per-output weights a_j >= 0 (several
        outputs only), their weighted mean Σ_j a_j v_j / Σ_j a_j; ``"variance_weighted"``
        (r2_score only), the mean of the outputs' R² weighted by their SS_tot (the plain mean
        when every output is constant).
    sample_weight : array-like of shape (m,), optional
        A weight w_i >= 0 per example (row): every sum and mean over the rows becomes the
        weighted one, e.g. Σ_i w_i (y_i − ŷ_i)² / Σ_i w_i. Default: every row counts 1.

    Returns
    -------
    float, or ndarray of shape (n_outputs,) for ``multioutput="raw_values"``
"""


def mean_squared_error(y_true, y_pred, *, multioutput="uniform_average", sample_weight=None):
    """Mean squared error: MSE = (1/m) Σ_i (y_i − ŷ_i)², per output, then averaged.

    With weights: MSE = Σ_i w_i (y_i − ŷ_i)² / Σ_i w_i.

    (Losses in glassnet may use the seeds' (1/2m) form for a tidier gradient; this metric is
    the plain mean.)
    {params}
    Examples
    --------
    >>> mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0, 5.0])  # (0 + 0 + 4)/3
    1.3333333333333333
    """
    yt, yp, w, multioutput = _check_regression(y_true, y_pred, multioutput, sample_weight)
    return _finish(_mse_per_output(yt, yp, w), multioutput)


def _mse_per_output(yt, yp, w):
    return np.average((yt - yp) ** 2, axis=0, weights=w)


def root_mean_squared_error(y_true, y_pred, *, sample_weight=None,
                            multioutput="uniform_average"):
    """Root mean squared error: RMSE = √MSE = √((1/m) Σ_i (y_i − ŷ_i)²), per output, then
    averaged (the mean of the outputs' RMSEs, not the root of the mean MSE).

    With weights: RMSE = √(Σ_i w_i (y_i − ŷ_i)² / Σ_i w_i). In the targets' units.
    {params}
    Examples
    --------
    >>> root_mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0, 6.0])  # √((0 + 0 + 9)/3)
    1.7320508075688772
    """
    yt, yp, w, multioutput = _check_regression(y_true, y_pred, multioutput, sample_weight)
    return _finish(np.sqrt(_mse_per_output(yt, yp, w)), multioutput)


def mean_absolute_error(y_true, y_pred, *, multioutput="uniform_average", sample_weight=None):
    """Mean absolute error: MAE = (1/m) Σ_i |y_i − ŷ_i|, per output, then averaged.

    With weights: MAE = Σ_i w_i |y_i − ŷ_i| / Σ_i w_i (a weighted mean, as scikit-learn's).
    {params}
    Examples
    --------
    >>> mean_absolute_error([1.0, 2.0, 3.0], [1.5, 2.0, 2.0])  # (0.5 + 0 + 1)/3
    0.5
    """
    yt, yp, w, multioutput = _check_regression(y_true, y_pred, multioutput, sample_weight)
    if w is None:
        return _finish(np.mean(np.abs(yt - yp), axis=0), multioutput)
    return _finish(np.average(np.abs(yt - yp), axis=0, weights=w), multioutput)


def r2_score(y_true, y_pred, *, multioutput="uniform_average", sample_weight=None):
    """Coefficient of determination: R² = 1 − SS_res / SS_tot, per output, then averaged.

    SS_res = Σ_i (y_i − ŷ_i)²,  SS_tot = Σ_i (y_i − ȳ)²;  with weights
    SS_res = Σ_i w_i (y_i − ŷ_i)²,  SS_tot = Σ_i w_i (y_i − ȳ_w)²,
    where ȳ_w = Σ_i w_i y_i / Σ_i w_i.

    1 is a perfect fit, 0 is as good as always predicting the mean ȳ, and it can be negative.
    When y_true is constant (all its values equal; with weights, over the rows of positive
    weight) the score is 1 for a perfect fit (SS_res = 0), else 0, and SS_tot counts as 0
    for ``"variance_weighted"``, whatever rounding leaves of it (scikit-learn's SS_tot of
    the constant 0.1, about 1e-33, gives R² of about -1e31). With fewer than two
    examples R² is undefined: NaN with an ``UndefinedMetricWarning`` (whatever the weights).
    {params}
    Examples
    --------
    >>> r2_score([1.0, 2.0, 3.0], [1.0, 2.0, 4.0])  # 1 - 1/2
    0.5
    """
    yt, yp, w, multioutput = _check_regression(y_true, y_pred, multioutput, sample_weight,
                                               variance_weighted=True)
    if yt.shape[0] < 2:
        warnings.warn("R^2 score is not well-defined with less than two samples.",
                      UndefinedMetricWarning, stacklevel=2)
        return float("nan")
    if w is None:
        ss_res = np.sum((yt - yp) ** 2, axis=0)
        ss_tot = np.sum((yt - yt.mean(axis=0)) ** 2, axis=0)
        counted = yt
    else:
        ss_res = np.sum(w[:, None] * (yt - yp) ** 2, axis=0)
        ss_tot = np.sum(w[:, None] * (yt - np.average(yt, axis=0, weights=w)) ** 2, axis=0)
        counted = yt[w > 0]
    # constancy is read off the values: the mean of a constant 0.1 is not exactly 0.1, which
    # leaves an SS_tot of ~1e-33 that would give R² = -1e31 instead of the rule's 0
    constant = (counted == counted[0]).all(axis=0)
    ss_tot[constant] = 0.0
    score = np.where(ss_res == 0, 1.0, 0.0)
    ok = (ss_tot != 0) & (ss_res != 0)
    score[ok] = 1.0 - ss_res[ok] / ss_tot[ok]
    return _finish(score, multioutput, variance=ss_tot)


for _fn in (mean_squared_error, root_mean_squared_error, mean_absolute_error, r2_score):
    _fn.__doc__ = _with_params(_fn.__doc__, _REG_PARAMS)
del _fn


# --------------------------------------------------------------------------------------------
# lookup by name
# --------------------------------------------------------------------------------------------

def _fixed_average(fn, average, name):
    def metric(y_true, y_pred, **kwargs):
        if "average" in kwargs:
            raise TypeError(f"metric {name!r} fixes average={average!r}; call "
                            f"{fn.__name__} to choose another")
        return fn(y_true, y_pred, average=average, **kwargs)
    metric.__name__ = metric.__qualname__ = name
    metric.__doc__ = f"{fn.__name__} with average={average!r}.\n\n" + (fn.__doc__ or "")
    return metric


# name -> (function, what it reads, greater is better)
_REGISTRY = {
    "accuracy": (accuracy_score, "labels", True),
    "balanced_accuracy": (balanced_accuracy_score, "labels", True),
    "precision": (precision_score, "labels", True),
    "recall": (recall_score, "labels", True),
    "f1": (f1_score, "labels", True),
}
for _base, _fn in (("precision", precision_score), ("recall", recall_score), ("f1", f1_score)):
    for _avg in ("macro", "weighted", "micro"):
        _name = f"{_base}_{_avg}"
        _REGISTRY[_name] = (_fixed_average(_fn, _avg, _name), "labels", True)
_REGISTRY.update({
    "log_loss": (log_loss, "proba", False),
    "roc_auc": (roc_auc_score, "proba", True),
    "mse": (mean_squared_error, "values", False),
    "rmse": (root_mean_squared_error, "values", False),
    "mae": (mean_absolute_error, "values", False),
    "r2": (r2_score, "values", True),
})
del _base, _fn, _avg, _name

#: What each named metric reads: "labels" (class labels), "proba" (class labels and predicted
#: probabilities/scores) or "values" (regression targets and outputs).
KIND = {name: kind for name, (_, kind, _) in _REGISTRY.items()}

#: Other names accepted for a metric (Keras's): ``get``, ``greater_is_better`` and ``fit``'s
#: ``metrics`` take them; fit logs the metric under its own name ("acc" is logged as
#: "accuracy").
ALIASES = {"acc": "accuracy", "binary_accuracy": "accuracy",
           "categorical_accuracy": "accuracy", "sparse_categorical_accuracy": "accuracy",
           "auc": "roc_auc", "mean_squared_error": "mse", "mean_absolute_error": "mae",
           "root_mean_squared_error": "rmse"}


def _key(name):
    if callable(name):
        for key, (fn, _, _) in _REGISTRY.items():
            if fn is name:
                return key
        return None
    if not isinstance(name, str):
        raise TypeError(f"a metric is given by name (a str) or as a callable, got {name!r}")
    name = ALIASES.get(name, name)
    if name not in _REGISTRY:
        raise ValueError(f"unknown metric {name!r}; choose one of: " + ", ".join(_REGISTRY))
    return name


def get(name):
    """The metric function called ``name`` (a callable is returned unchanged).

    Names: accuracy, balanced_accuracy, precision, recall, f1 (binary: class 1 is positive; in
    ``fit`` and ``evaluate`` of a model with three or more class outputs, macro-averaged),
    precision_macro, precision_weighted, precision_micro (and the same for recall and f1),
    log_loss, roc_auc, mse, rmse, mae, r2; Keras's names are accepted too (``"acc"``,
    ``"binary_accuracy"``, ``"auc"``, ``"mean_absolute_error"`` ...: :data:`ALIASES`).
    ``KIND[name]`` says what the function reads; ``greater_is_better(name)`` which direction
    is good. Every function takes ``sample_weight=`` (the fixed-average ones, such as
    "f1_macro", pass it on with the other keyword arguments).

    Raises
    ------
    ValueError
        For an unknown name; the message lists the choices.
    """
    if callable(name):
        return name
    return _REGISTRY[_key(name)][0]


def greater_is_better(name):
    """True for scores (accuracy, balanced accuracy, precision, recall, F1, R², ROC AUC), False
    for losses and errors (log_loss, mse, rmse, mae). ``name`` may also be one of this
    module's functions."""
    key = _key(name)
    if key is None:
        raise ValueError(f"{name!r} is not one of glassnet's metrics; cannot tell whether "
                         f"greater is better")
    return _REGISTRY[key][2]
