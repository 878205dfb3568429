"""glassnet.metrics against scikit-learn's metrics (the trusted reference), plus the
warnings, the seed's precision bug and bad inputs."""
import ast
import doctest
import inspect
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassnet import metrics as M

skm = pytest.importorskip("sklearn.metrics")

TOL = dict(rtol=1e-12, atol=1e-12)
AVERAGES = ["macro", "weighted", "micro", None]
PRF = [("precision_score", M.precision_score), ("recall_score", M.recall_score),
       ("f1_score", M.f1_score)]


def quiet(fn, *args, **kwargs):
    """Call with warnings silenced (parity checks; the warnings are tested separately)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def same(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float),
                               **TOL)


def random_labels(rng, m, k, kind="int"):
    classes = np.arange(k)
    if kind == "str":
        classes = np.array([f"class_{c}" for c in "abcdefghij"[:k]])
    elif kind == "float":
        classes = classes.astype(float) + 3.0
    return rng.choice(classes, m), rng.choice(classes, m), classes


# --------------------------------------------------------------------------------------------
# parity with scikit-learn: precision, recall, F1, accuracy
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kind", ["int", "str", "float"])
@pytest.mark.parametrize("k", [2, 3, 5])
def test_prf_accuracy_match_sklearn(seed, kind, k):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 40))
    yt, yp, classes = random_labels(rng, m, k, kind)
    same(M.accuracy_score(yt, yp), skm.accuracy_score(yt, yp))
    assert M.accuracy_score(yt, yp, normalize=False) == skm.accuracy_score(yt, yp,
                                                                          normalize=False)
    for name, ours in PRF:
        ref = getattr(skm, name)
        for avg in AVERAGES:
            for zd in ("warn", 0, 1, np.nan):
                same(quiet(ours, yt, yp, average=avg, zero_division=zd),
                     quiet(ref, yt, yp, average=avg, zero_division=zd))
        present = np.union1d(yt, yp)
        if present.shape[0] <= 2:
            for pos in present:
                same(quiet(ours, yt, yp, pos_label=pos), quiet(ref, yt, yp, pos_label=pos))
        # a label list that adds a class nobody predicted and reorders the rest
        extra = "never" if kind == "str" else 99
        labels = list(classes[::-1]) + [extra]
        for avg in AVERAGES:
            same(quiet(ours, yt, yp, average=avg, labels=labels),
                 quiet(ref, yt, yp, average=avg, labels=labels))
        # a subset of the labels
        sub = list(classes[:1])
        for avg in AVERAGES:
            same(quiet(ours, yt, yp, average=avg, labels=sub),
                 quiet(ref, yt, yp, average=avg, labels=sub))


@pytest.mark.parametrize("seed", range(10))
def test_precision_recall_fscore_support_matches_sklearn(seed):
    rng = np.random.default_rng(100 + seed)
    yt, yp, _ = random_labels(rng, 50, 4)
    yp[yp == 3] = 0  # class 3 is never predicted
    for avg in AVERAGES:
        ours = quiet(M.precision_recall_fscore_support, yt, yp, average=avg)
        ref = quiet(skm.precision_recall_fscore_support, yt, yp, average=avg)
        for a, b in zip(ours[:3], ref[:3]):
            same(a, b)
        if avg is None:
            np.testing.assert_array_equal(ours[3], ref[3])
        else:
            assert ours[3] is None


def test_class_never_predicted_and_never_true():
    yt = np.array([0, 0, 1, 1, 2, 2])
    yp = np.array([0, 1, 1, 1, 0, 1])  # class 2 never predicted
    for name, ours in PRF:
        ref = getattr(skm, name)
        for avg in AVERAGES:
            same(quiet(ours, yt, yp, average=avg), quiet(ref, yt, yp, average=avg))
            same(quiet(ours, yt, yp, average=avg, labels=[0, 1, 2, 3]),
                 quiet(ref, yt, yp, average=avg, labels=[0, 1, 2, 3]))


def test_boolean_and_column_labels():
    rng = np.random.default_rng(7)
    yt = rng.random(30) > 0.5
    yp = rng.random(30) > 0.5
    for name, ours in PRF:
        same(ours(yt, yp), getattr(skm, name)(yt, yp))
    # (m, 1) columns are read as vectors, like sklearn does
    same(M.f1_score(yt.reshape(-1, 1).astype(int), yp.astype(int)),
         skm.f1_score(yt.astype(int), yp.astype(int)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=40),
       st.sampled_from(AVERAGES), st.sampled_from(["warn", 0, 1]))
def test_hypothesis_int_labels(pairs, average, zero_division):
    yt = np.array([a for a, _ in pairs])
    yp = np.array([b for _, b in pairs])
    for name, ours in PRF:
        same(quiet(ours, yt, yp, average=average, zero_division=zero_division),
             quiet(getattr(skm, name), yt, yp, average=average, zero_division=zero_division))
    same(M.accuracy_score(yt, yp), skm.accuracy_score(yt, yp))
    np.testing.assert_array_equal(M.confusion_matrix(yt, yp), quiet(skm.confusion_matrix, yt, yp))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["no", "yes"]), st.sampled_from(["no", "yes"])),
                min_size=1, max_size=30))
def test_hypothesis_binary_string_labels(pairs):
    yt = np.array([a for a, _ in pairs])
    yp = np.array([b for _, b in pairs])
    present = np.union1d(yt, yp)
    for name, ours in PRF:
        ref = getattr(skm, name)
        same(quiet(ours, yt, yp, pos_label="yes"), quiet(ref, yt, yp, pos_label="yes"))
        if present.shape[0] == 2:
            same(quiet(ours, yt, yp, pos_label="no"), quiet(ref, yt, yp, pos_label="no"))


# --------------------------------------------------------------------------------------------
# the seed's precision bug
# --------------------------------------------------------------------------------------------

def seed_precision(y_true, y_pred):
    """The seed's _compute_precision: np.where with one argument returns indices."""
    mask = y_pred == 1
    return np.average(np.where(y_pred[mask] == y_true[mask]))


def test_seed_precision_bug_is_not_reproduced():
    y_true = np.array([0, 1, 1])
    y_pred = np.array([1, 1, 1])
    # the hits among predicted positives sit at positions 1 and 2: the seed averages those
    assert seed_precision(y_true, y_pred) == pytest.approx(1.5)
    assert M.precision_score(y_true, y_pred) == pytest.approx(2 / 3, abs=1e-15)
    assert M.precision_score(y_true, y_pred) == skm.precision_score(y_true, y_pred)
    # and a case where the indices happen to average to something in [0, 1]
    y_true = np.array([1, 0, 0, 0, 1])
    y_pred = np.array([1, 1, 1, 1, 1])
    assert seed_precision(y_true, y_pred) == pytest.approx(2.0)
    assert M.precision_score(y_true, y_pred) == pytest.approx(0.4, abs=1e-15)


def test_precision_is_the_hit_rate_among_predicted_positives():
    rng = np.random.default_rng(3)
    for _ in range(20):
        yt = rng.integers(0, 2, 25)
        yp = rng.integers(0, 2, 25)
        if not (yp == 1).any():
            continue
        assert M.precision_score(yt, yp) == pytest.approx(np.mean(yt[yp == 1] == 1), abs=1e-15)


# --------------------------------------------------------------------------------------------
# zero division: value and warning, as sklearn
# --------------------------------------------------------------------------------------------

def test_no_predicted_positives_gives_zero_and_warns():
    yt, yp = [1, 0, 1, 0], [0, 0, 0, 0]
    with pytest.warns(M.UndefinedMetricWarning, match="Precision is ill-defined"):
        ours = M.precision_score(yt, yp)
    with pytest.warns(skm._classification.UndefinedMetricWarning):
        ref = skm.precision_score(yt, yp)
    assert ours == ref == 0.0
    assert issubclass(M.UndefinedMetricWarning, UserWarning)


def test_other_undefined_cases_warn():
    with pytest.warns(M.UndefinedMetricWarning, match="Recall is ill-defined"):
        assert M.recall_score([0, 0], [1, 0]) == 0.0
    with pytest.warns(M.UndefinedMetricWarning, match="F-score is ill-defined"):
        assert M.f1_score([0, 0], [0, 0]) == 0.0
    with pytest.warns(M.UndefinedMetricWarning, match=r"labels \[2\]"):
        M.precision_score([0, 1, 2], [0, 1, 1], average="macro")
    with pytest.warns(M.UndefinedMetricWarning):
        M.classification_report([0, 1, 2], [0, 1, 1])


def test_f1_with_tp_zero_is_zero_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert M.f1_score([1, 0, 1, 0], [0, 0, 0, 0]) == 0.0  # defined: 2tp/(true+pred)
        assert M.recall_score([1, 0, 1, 0], [0, 0, 0, 0]) == 0.0


@pytest.mark.parametrize("zd", [0, 1, 0.0, 1.0])
def test_zero_division_value_silences_the_warning(zd):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert M.precision_score([1, 0], [0, 0], zero_division=zd) == float(zd)


def test_zero_division_nan_is_left_out_of_the_mean():
    yt, yp = [0, 1, 2, 2], [0, 1, 1, 1]
    assert np.isnan(M.precision_score(yt, yp, average=None, zero_division=np.nan)[2])
    same(M.precision_score(yt, yp, average="macro", zero_division=np.nan),
         skm.precision_score(yt, yp, average="macro", zero_division=np.nan))


def test_pos_label_ignored_warning():
    with pytest.warns(UserWarning, match="pos_label"):
        M.f1_score([0, 1, 2], [0, 1, 2], average="macro", pos_label=2)


# --------------------------------------------------------------------------------------------
# confusion matrix and report
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("kind", ["int", "str"])
@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
def test_confusion_matrix_matches_sklearn(seed, kind, normalize):
    rng = np.random.default_rng(200 + seed)
    yt, yp, classes = random_labels(rng, int(rng.integers(1, 50)), 4, kind)
    ours = M.confusion_matrix(yt, yp, normalize=normalize)
    ref = skm.confusion_matrix(yt, yp, normalize=normalize)
    assert ours.shape == ref.shape
    same(ours, ref)
    if normalize is None:
        assert ours.dtype.kind == "i"
    extra = "zzz" if kind == "str" else 42
    for labels in ([classes[2], classes[0], extra], list(classes[::-1])):
        if not np.isin(yt, labels).any():
            continue
        same(M.confusion_matrix(yt, yp, labels=labels, normalize=normalize),
             skm.confusion_matrix(yt, yp, labels=labels, normalize=normalize))


@pytest.mark.parametrize("seed", range(6))
def test_classification_report_matches_sklearn(seed):
    rng = np.random.default_rng(300 + seed)
    yt, yp, classes = random_labels(rng, 40, 2 + seed % 3, "str" if seed % 2 else "int")
    yp[yp == classes[-1]] = classes[0]  # one class never predicted
    for labels in (None, list(classes[:-1]), list(classes) + (["x"] if seed % 2 else [77])):
        ours = quiet(M.classification_report, yt, yp, labels=labels, output_dict=True)
        ref = quiet(skm.classification_report, yt, yp, labels=labels, output_dict=True)
        assert list(ours) == list(ref)
        for key, val in ref.items():
            if isinstance(val, dict):
                for col in val:
                    same(ours[key][col], val[col])
            else:
                same(ours[key], val)


def test_classification_report_text():
    yt = ["cat", "dog", "dog", "bird", "cat", "dog"]
    yp = ["cat", "dog", "cat", "bird", "cat", "bird"]
    text = M.classification_report(yt, yp, target_names=["Bird", "Cat", "Dog"], digits=3)
    lines = text.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines[1:] if ln.strip()}
    p, r, f, s = M.precision_recall_fscore_support(yt, yp)
    for i, name in enumerate(["Bird", "Cat", "Dog"]):
        assert rows[name] == [f"{p[i]:.3f}", f"{r[i]:.3f}", f"{f[i]:.3f}", str(s[i])]
    assert rows["accuracy"] == [f"{M.accuracy_score(yt, yp):.3f}", "6"]
    assert "macro avg" in text and "weighted avg" in text
    with pytest.raises(ValueError, match="target_names has 2 names"):
        M.classification_report(yt, yp, target_names=["a", "b"])


# --------------------------------------------------------------------------------------------
# log loss and ROC AUC
# --------------------------------------------------------------------------------------------

def softmax_rows(rng, m, k):
    z = rng.normal(size=(m, k)) * 3
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("seed", range(15))
def test_log_loss_binary_matches_sklearn(seed):
    rng = np.random.default_rng(400 + seed)
    m = int(rng.integers(2, 60))
    yt = rng.integers(0, 2, m)
    yt[:2] = [0, 1]
    p = rng.random(m)
    p[rng.random(m) < 0.1] = 0.0  # exact 0/1 exercise the clipping
    p[rng.random(m) < 0.1] = 1.0
    ref = skm.log_loss(yt, p)
    same(M.log_loss(yt, p), ref)
    same(M.log_loss(yt, p.reshape(-1, 1)), ref)
    same(M.log_loss(yt, np.column_stack([1 - p, p])), ref)
    names = np.array(["ham", "spam"])[yt]
    same(M.log_loss(names, p), skm.log_loss(names, p))
    same(M.log_loss(yt, p, eps=1e-3), -np.mean(np.log(np.clip(np.where(yt == 1, p, 1 - p),
                                                              1e-3, 1 - 1e-3))))


@pytest.mark.parametrize("seed", range(15))
@pytest.mark.parametrize("k", [3, 5])
def test_log_loss_multiclass_matches_sklearn(seed, k):
    rng = np.random.default_rng(500 + seed)
    m = int(rng.integers(k, 60))
    P = softmax_rows(rng, m, k)
    yt = rng.integers(0, k, m)
    yt[:k] = np.arange(k)
    same(M.log_loss(yt, P), skm.log_loss(yt, P))
    names = np.array(list("vwxyz"[:k]))[yt]
    same(M.log_loss(names, P), skm.log_loss(names, P))
    # some class missing from y_true: labels given
    yt2 = np.where(yt == k - 1, 0, yt)
    same(M.log_loss(yt2, P, labels=np.arange(k)), skm.log_loss(yt2, P, labels=np.arange(k)))
    # without labels both refuse to guess which columns the classes of y_true are
    with pytest.raises(ValueError, match="different number of classes"):
        skm.log_loss(yt2, P)
    with pytest.raises(ValueError, match=f"{k - 1} classes .* {k} columns"):
        M.log_loss(yt2, P)


def test_log_loss_float32_uses_float32_eps():
    p = np.array([0.0, 1.0, 0.3], dtype=np.float32)
    yt = np.array([1, 0, 1])
    assert M.log_loss(yt, p) == pytest.approx(skm.log_loss(yt, p), rel=1e-6)
    assert M.log_loss(yt, p) == pytest.approx(
        -np.mean(np.log([np.finfo(np.float32).eps] * 2 + [float(p[2])])), rel=1e-12)


def test_log_loss_reads_only_each_rows_own_probability():
    """Trial 15/6 finding 1: log_loss copied all of y_prob to float64 and clipped a second
    float64 copy (1.2 GB at 50,000 rows of 1,000 classes, for fit's log_loss metric); only
    each row's probability of its class is needed. The value is unchanged (sklearn's)."""
    import tracemalloc
    rng = np.random.default_rng(0)
    P = rng.dirichlet(np.ones(300), size=3000).astype(np.float32)
    P[0, :] = 0
    P[0, 0] = 1   # a row clipped at eps
    yt = rng.integers(0, 300, len(P))
    yt[:300] = np.arange(300)
    tracemalloc.start()
    try:
        got = M.log_loss(yt, P)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    eps = np.finfo(np.float32).eps
    own = np.clip(P[np.arange(len(P)), yt].astype(np.float64), eps, 1 - eps)
    assert got == pytest.approx(-np.mean(np.log(own)), rel=1e-12)
    assert got == pytest.approx(skm.log_loss(yt, P), rel=1e-6)  # sklearn sums in float32
    assert peak < 0.5 * P.nbytes, f"log_loss peaked at {peak / P.nbytes:.2f}x y_prob"


def test_log_loss_problems():
    with pytest.raises(ValueError, match="greater than 1"):
        M.log_loss([0, 1], [0.5, 1.5])
    with pytest.raises(ValueError, match="lower than 0"):
        M.log_loss([0, 1], [-0.1, 0.5])
    with pytest.raises(ValueError, match="NaN"):
        M.log_loss([0, 1], [np.nan, 0.5])
    with pytest.raises(ValueError, match="3 columns"):
        M.log_loss(["a", "b"], softmax_rows(np.random.default_rng(0), 2, 3))
    with pytest.raises(ValueError, match="only one label"):
        M.log_loss(["a", "a"], [0.2, 0.3])
    with pytest.raises(ValueError, match="not in labels"):
        M.log_loss([0, 1, 2], softmax_rows(np.random.default_rng(0), 3, 2), labels=[0, 1])
    with pytest.raises(ValueError, match="2 labels but y_prob has 3 rows"):
        M.log_loss([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="eps"):
        M.log_loss([0, 1], [0.1, 0.2], eps="tiny")
    with pytest.warns(UserWarning, match="do not sum to 1"):
        M.log_loss([0, 1], [[0.2, 0.2], [0.5, 0.5]])
    with pytest.warns(UserWarning, match="not sorted"):
        M.log_loss([0, 1], [0.2, 0.6], labels=[1, 0])


@pytest.mark.parametrize("seed", range(15))
def test_roc_auc_matches_sklearn(seed):
    rng = np.random.default_rng(600 + seed)
    m = int(rng.integers(2, 80))
    yt = rng.integers(0, 2, m)
    yt[:2] = [0, 1]
    s = np.round(rng.random(m), 1)  # many ties
    ref = skm.roc_auc_score(yt, s)
    same(M.roc_auc_score(yt, s), ref)
    same(M.roc_auc_score(yt, np.column_stack([1 - s, s])), ref)
    names = np.array(["neg", "pos"])[yt]
    same(M.roc_auc_score(names, s), skm.roc_auc_score(names, s))


def test_roc_auc_edge_cases():
    with pytest.warns(M.UndefinedMetricWarning, match="Only one class"):
        assert np.isnan(M.roc_auc_score([1, 1, 1], [0.1, 0.5, 0.9]))
    with pytest.raises(ValueError, match="binary"):
        M.roc_auc_score([0, 1, 2], [0.1, 0.5, 0.9])


# --------------------------------------------------------------------------------------------
# regression
# --------------------------------------------------------------------------------------------

REG = [(M.mean_squared_error, skm.mean_squared_error),
       (M.mean_absolute_error, skm.mean_absolute_error), (M.r2_score, skm.r2_score)]


def regression_case(rng, outputs):
    """Targets and predictions of 2..49 rows; with 3 outputs one constant output (R² falls
    back to 0, or 1 for a perfect fit) and one predicted exactly."""
    m = int(rng.integers(2, 50))
    shape = (m,) if outputs is None else (m, outputs)
    yt = rng.normal(size=shape) * 10
    yp = yt + rng.normal(size=shape)
    if outputs == 3:
        yt[:, 1] = 2.5
        yp[:, 2] = yt[:, 2]
    return yt, yp


@pytest.mark.parametrize("seed", range(15))
@pytest.mark.parametrize("outputs", [None, 1, 3])
def test_regression_matches_sklearn(seed, outputs):
    yt, yp = regression_case(np.random.default_rng(700 + seed), outputs)
    for ours, ref in REG:
        same(ours(yt, yp), ref(yt, yp))
        same(ours(yt, yp, multioutput="raw_values"), ref(yt, yp, multioutput="raw_values"))
        same(ours(yt.tolist(), yp.tolist()), ref(yt, yp))
    if outputs == 1:  # (m,) against (m, 1)
        for ours, ref in REG:
            same(ours(yt.ravel(), yp), ref(yt.ravel(), yp))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=2,
                max_size=30))
def test_hypothesis_regression(pairs):
    yt = np.array([a for a, _ in pairs])
    yp = np.array([b for _, b in pairs])
    for ours, ref in REG:
        if ours is M.r2_score and (yt == yt[0]).all():  # sklearn's may be rounding's ±1e30
            perfect = np.sum((yt - yp) ** 2) == 0   # (a difference of 1e-221 squares to 0)
            assert ours(yt, yp) == (1.0 if perfect else 0.0)
            continue
        np.testing.assert_allclose(ours(yt, yp), ref(yt, yp), rtol=1e-12, atol=1e-9)


def test_r2_needs_two_samples():
    with pytest.warns(M.UndefinedMetricWarning, match="two samples"):
        assert np.isnan(M.r2_score([1.0], [2.0]))


# --------------------------------------------------------------------------------------------
# bad inputs: clear ValueErrors
# --------------------------------------------------------------------------------------------

LABEL_FNS = [M.accuracy_score, M.precision_score, M.recall_score, M.f1_score,
             M.confusion_matrix, M.classification_report]


@pytest.mark.parametrize("fn", LABEL_FNS)
def test_label_metrics_reject_bad_input(fn):
    with pytest.raises(ValueError, match="y_true has 3 labels but y_pred has 2"):
        fn([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="y_true is empty"):
        fn([], [])
    with pytest.raises(ValueError, match="y_pred contains NaN at index 1"):
        fn([0.0, 1.0], [0.0, np.nan])
    with pytest.raises(ValueError, match="non-integer values.*threshold"):
        fn([0, 1, 1], [0.2, 0.7, 0.9])
    with pytest.raises(ValueError, match="string labels.*numeric labels"):
        fn(["a", "b"], [0, 1])
    with pytest.raises(ValueError, match="1-D.*argmax"):   # probability rows (0/1 rows are
        fn(np.eye(3) * 0.5, np.eye(3) * 0.5)               # multi-label data, as in sklearn)
    with pytest.raises(ValueError, match="None"):
        fn(np.array([0, None], dtype=object), [0, 1])


def test_binary_average_on_multiclass_says_what_to_choose():
    with pytest.raises(ValueError, match="average='binary'") as err:
        M.f1_score([0, 1, 2], [0, 2, 1])
    assert "macro" in str(err.value) and "weighted" in str(err.value)
    with pytest.raises(ValueError):
        skm.f1_score([0, 1, 2], [0, 2, 1])


def test_other_parameter_errors():
    with pytest.raises(ValueError, match="pos_label=1 is not a valid label"):
        M.precision_score(["a", "b"], ["b", "a"])
    with pytest.raises(ValueError, match="pos_label=2 is not a valid label"):
        M.precision_score([0, 1], [1, 1], pos_label=2)
    with pytest.raises(ValueError, match="unknown average 'mean'"):
        M.f1_score([0, 1], [0, 1], average="mean")
    with pytest.raises(ValueError, match="multi-label data"):
        M.f1_score([0, 1], [0, 1], average="samples")
    with pytest.raises(ValueError, match="zero_division"):
        M.f1_score([0, 1], [0, 1], zero_division=2)
    with pytest.raises(ValueError, match="normalize"):
        M.confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ValueError, match="at least one label"):
        M.confusion_matrix([0, 1], [0, 1], labels=[5, 6])
    with pytest.raises(ValueError, match="labels is empty"):
        M.f1_score([0, 1], [0, 1], labels=[], average="macro")
    with pytest.raises(ValueError, match="duplicates"):
        M.f1_score([0, 1], [0, 1], labels=[0, 0], average="macro")
    with pytest.raises(ValueError, match="labels holds string labels"):
        M.f1_score([0, 1], [0, 1], labels=["a"], average="macro")


@pytest.mark.parametrize("fn", [M.mean_squared_error, M.mean_absolute_error, M.r2_score])
def test_regression_metrics_reject_bad_input(fn):
    with pytest.raises(ValueError, match="y_true has 3 rows but y_pred has 2"):
        fn([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="y_true is empty"):
        fn([], [])
    with pytest.raises(ValueError, match="y_true contains NaN at index 0"):
        fn([np.nan, 1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="infinity"):
        fn([0.0, 1.0], [np.inf, 2.0])
    with pytest.raises(ValueError, match="2 output.*3"):
        fn(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="numbers"):
        fn(["a", "b"], [1.0, 2.0])
    with pytest.raises(ValueError, match="multioutput"):
        fn([1.0, 2.0], [1.0, 2.0], multioutput="variance")


# --------------------------------------------------------------------------------------------
# lookup by name
# --------------------------------------------------------------------------------------------

def test_get_kind_and_direction():
    rng = np.random.default_rng(9)
    yt, yp, _ = random_labels(rng, 40, 3)
    for avg in ("macro", "weighted", "micro"):
        for base, ref in (("precision", skm.precision_score), ("recall", skm.recall_score),
                          ("f1", skm.f1_score)):
            fn = M.get(f"{base}_{avg}")
            assert fn.__name__ == f"{base}_{avg}"
            same(quiet(fn, yt, yp), quiet(ref, yt, yp, average=avg))
            assert M.KIND[f"{base}_{avg}"] == "labels"
            assert M.greater_is_better(f"{base}_{avg}")
    assert M.get("accuracy") is M.accuracy_score
    assert M.get("f1") is M.f1_score
    assert M.get("log_loss") is M.log_loss
    assert M.get("mse") is M.mean_squared_error
    assert M.get("mae") is M.mean_absolute_error
    assert M.get("r2") is M.r2_score
    assert M.KIND["accuracy"] == "labels"
    assert M.KIND["log_loss"] == M.KIND["roc_auc"] == "proba"
    assert M.KIND["mse"] == M.KIND["mae"] == M.KIND["r2"] == "values"
    for name in M.KIND:
        assert callable(M.get(name))
        assert isinstance(M.greater_is_better(name), bool)
    assert not M.greater_is_better("log_loss") and not M.greater_is_better("mse")
    assert not M.greater_is_better("mae")
    assert M.greater_is_better("r2") and M.greater_is_better("accuracy")
    assert M.greater_is_better(M.r2_score) and not M.greater_is_better(M.log_loss)
    custom = (lambda a, b: 0.0)
    assert M.get(custom) is custom
    with pytest.raises(TypeError, match="fixes average"):
        M.get("f1_macro")([0, 1], [0, 1], average="micro")


def test_get_unknown_lists_the_choices():
    with pytest.raises(ValueError, match="unknown metric 'acuracy'") as err:
        M.get("acuracy")
    for name in ("accuracy", "f1_macro", "log_loss", "mse", "r2"):
        assert name in str(err.value)
    with pytest.raises(ValueError, match="unknown metric"):
        M.greater_is_better("nope")
    with pytest.raises(TypeError):
        M.get(3)


# --------------------------------------------------------------------------------------------
# the module itself
# --------------------------------------------------------------------------------------------

def test_metrics_imports_only_numpy_and_warnings():
    tree = ast.parse(inspect.getsource(M))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
    assert imported <= {"numpy", "warnings"}, imported


def test_public_functions_document_their_formula():
    for name in ("accuracy_score", "balanced_accuracy_score", "precision_score",
                 "recall_score", "f1_score", "confusion_matrix", "log_loss", "roc_auc_score",
                 "mean_squared_error", "root_mean_squared_error", "mean_absolute_error",
                 "r2_score"):
        doc = inspect.getdoc(getattr(M, name))  # dedented, as Python 3.13 stores __doc__
        assert "Parameters\n----------" in doc and "Returns" in doc, name
        assert re.search(r"=", doc.split("Parameters")[0]), name  # a formula before params


def test_docstring_examples_run():
    result = doctest.testmod(M, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 5


@pytest.mark.parametrize("seed", range(40))
def test_multilabel_indicator_arrays_match_sklearn(seed):
    """Trial V3: glassnet.metrics refused multi-label 0/1 rows (and its hint, argmax, threw
    labels away), so fit's multi-label numbers could not be reproduced with it."""
    rng = np.random.default_rng(seed)
    m, n_labels = int(rng.integers(1, 12)), int(rng.integers(2, 5))
    Y, P = rng.integers(0, 2, (m, n_labels)), rng.integers(0, 2, (m, n_labels))
    assert M.accuracy_score(Y, P) == skm.accuracy_score(Y, P)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for avg in ("micro", "macro", "weighted", "samples", None):
            for zd in (0, 1):
                for name in ("precision_score", "recall_score", "f1_score"):
                    np.testing.assert_allclose(
                        getattr(M, name)(Y, P, average=avg, zero_division=zd),
                        getattr(skm, name)(Y, P, average=avg, zero_division=zd),
                        err_msg=f"{name} {avg} {zd}")
    scores = rng.random((m, n_labels))
    if all(len(set(Y[:, j])) == 2 for j in range(n_labels)):
        assert M.roc_auc_score(Y, scores) == pytest.approx(skm.roc_auc_score(Y, scores))
    with pytest.raises(ValueError, match="average='binary' does not apply"):
        M.f1_score(Y, P)
    with pytest.raises(ValueError, match="must be one too, of the same shape"):
        M.f1_score(Y, P[:, :1], average="macro")
    with pytest.raises(ValueError, match="holds values other than 0 and 1"):
        M.f1_score(Y, P * 0.5 + 0.25, average="macro")
    with pytest.raises(ValueError, match="y_score needs a score per label"):
        M.roc_auc_score(Y, scores[:, :1].repeat(n_labels + 1, axis=1))


# --------------------------------------------------------------------------------------------
# sample_weight: parity with scikit-learn, repeated rows, None as all ones, bad weights
# --------------------------------------------------------------------------------------------

def random_weights(rng, m, kind):
    """Weights with zeros among them: "int" (0..3), "float" (0 or up to 3, two decimals, as
    often typed), "bool", or "ones"; at least one positive."""
    if kind == "int":
        w = rng.integers(0, 4, m)
    elif kind == "float":
        w = np.round(rng.random(m) * 3, 2) * (rng.random(m) > 0.2)
    elif kind == "bool":
        w = rng.random(m) > 0.3
    else:
        w = np.ones(m)
    w[0] = w[0] if w.any() else 1
    return w


WEIGHTS = ["int", "float", "bool"]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("kind", ["int", "str", "float"])
@pytest.mark.parametrize("wkind", WEIGHTS)
def test_weighted_label_metrics_match_sklearn(seed, kind, wkind):
    rng = np.random.default_rng(1000 + seed)
    k = 2 + seed % 3
    m = int(rng.integers(1, 40))
    yt, yp, classes = random_labels(rng, m, k, kind)
    w = random_weights(rng, m, wkind)
    same(M.accuracy_score(yt, yp, sample_weight=w), skm.accuracy_score(yt, yp, sample_weight=w))
    # normalize=False: the summed weight of the hits (sklearn 1.9 takes np.dot of its boolean
    # hits with boolean weights, a logical "any", so compare with the weights as integers)
    same(M.accuracy_score(yt, yp, normalize=False, sample_weight=w),
         skm.accuracy_score(yt, yp, normalize=False, sample_weight=w.astype(float)))
    extra = "never" if kind == "str" else 99
    for labels in (None, list(classes[::-1]) + [extra], list(classes[:1])):
        for name, ours in PRF:
            ref = getattr(skm, name)
            for avg in AVERAGES:
                for zd in ("warn", 0, 1, np.nan):
                    same(quiet(ours, yt, yp, average=avg, labels=labels, zero_division=zd,
                               sample_weight=w),
                         quiet(ref, yt, yp, average=avg, labels=labels, zero_division=zd,
                               sample_weight=w))
        ours = quiet(M.precision_recall_fscore_support, yt, yp, labels=labels, sample_weight=w)
        ref = quiet(skm.precision_recall_fscore_support, yt, yp, labels=labels, sample_weight=w)
        for a, b in zip(ours, ref):
            same(a, b)
        assert ours[3].dtype == np.float64  # weighted support: sums of weights
    present = np.union1d(yt, yp)
    if present.shape[0] <= 2:
        for pos in present:
            for name, ours in PRF:
                same(quiet(ours, yt, yp, pos_label=pos, sample_weight=w),
                     quiet(getattr(skm, name), yt, yp, pos_label=pos, sample_weight=w))
    for normalize in (None, "true", "pred", "all"):
        for labels in (None, [classes[-1], classes[0], extra]):
            if labels is not None and not np.isin(yt, labels).any():
                continue
            ours = M.confusion_matrix(yt, yp, labels=labels, normalize=normalize,
                                      sample_weight=w)
            ref = quiet(skm.confusion_matrix, yt, yp, labels=labels, normalize=normalize,
                        sample_weight=w)
            assert ours.dtype == ref.dtype  # int64 for integer and boolean weights
            same(ours, ref)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("wkind", WEIGHTS)
def test_weighted_classification_report_matches_sklearn(seed, wkind):
    rng = np.random.default_rng(1100 + seed)
    yt, yp, classes = random_labels(rng, 40, 2 + seed % 3, "str" if seed % 2 else "int")
    yp[yp == classes[-1]] = classes[0]  # one class never predicted
    w = random_weights(rng, 40, wkind)
    for labels in (None, list(classes[:-1]), list(classes) + (["x"] if seed % 2 else [77])):
        for digits in (2, 4):   # the text, weighted supports included, as sklearn prints it
            assert quiet(M.classification_report, yt, yp, labels=labels, digits=digits,
                         sample_weight=w) == \
                quiet(skm.classification_report, yt, yp, labels=labels, digits=digits,
                      sample_weight=w)
        ours = quiet(M.classification_report, yt, yp, labels=labels, output_dict=True,
                     sample_weight=w)
        ref = quiet(skm.classification_report, yt, yp, labels=labels, output_dict=True,
                    sample_weight=w)
        assert list(ours) == list(ref)
        for key, val in ref.items():
            if isinstance(val, dict):
                for col in val:
                    same(ours[key][col], val[col])
                assert isinstance(ours[key]["support"], float)
            else:
                same(ours[key], val)


@pytest.mark.parametrize("seed", range(20))
def test_weighted_multilabel_matches_sklearn(seed):
    rng = np.random.default_rng(1200 + seed)
    m, n_labels = int(rng.integers(1, 12)), int(rng.integers(2, 5))
    Y, P = rng.integers(0, 2, (m, n_labels)), rng.integers(0, 2, (m, n_labels))
    w = random_weights(rng, m, WEIGHTS[seed % 3])
    same(M.accuracy_score(Y, P, sample_weight=w), skm.accuracy_score(Y, P, sample_weight=w))
    for avg in ("micro", "macro", "weighted", "samples", None):
        for zd in (0, 1, np.nan):
            for name, ours in PRF:
                same(quiet(ours, Y, P, average=avg, zero_division=zd, sample_weight=w),
                     quiet(getattr(skm, name), Y, P, average=avg, zero_division=zd,
                           sample_weight=w))
    scores = np.round(rng.random((m, n_labels)), 1)
    if all(len(set(Y[w > 0, j])) == 2 for j in range(n_labels)):
        same(M.roc_auc_score(Y, scores, sample_weight=w),
             skm.roc_auc_score(Y, scores, sample_weight=w))


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("wkind", WEIGHTS)
def test_weighted_log_loss_matches_sklearn(seed, wkind):
    rng = np.random.default_rng(1300 + seed)
    m = int(rng.integers(3, 50))
    w = random_weights(rng, m, wkind)
    yt = rng.integers(0, 2, m)
    yt[:2] = [0, 1]
    p = rng.random(m)
    p[rng.random(m) < 0.1] = 0.0   # clipped
    same(M.log_loss(yt, p, sample_weight=w), skm.log_loss(yt, p, sample_weight=w))
    names = np.array(["ham", "spam"])[yt]
    same(M.log_loss(names, np.column_stack([1 - p, p]), sample_weight=w),
         skm.log_loss(names, np.column_stack([1 - p, p]), sample_weight=w))
    k = 3 + seed % 2
    P = softmax_rows(rng, m, k)
    yk = rng.integers(0, k, m)
    same(M.log_loss(yk, P, labels=np.arange(k), sample_weight=w),
         skm.log_loss(yk, P, labels=np.arange(k), sample_weight=w))


@pytest.mark.parametrize("seed", range(15))
@pytest.mark.parametrize("wkind", WEIGHTS)
def test_weighted_roc_auc_matches_sklearn(seed, wkind):
    rng = np.random.default_rng(1400 + seed)
    m = int(rng.integers(2, 80))
    yt = rng.integers(0, 2, m)
    yt[:2] = [0, 1]
    w = random_weights(rng, m, wkind)
    w[:2] = [1, 2]   # both classes keep some weight
    for s in (np.round(rng.random(m), 1), rng.random(m), rng.integers(0, 3, m)):  # ties
        ref = skm.roc_auc_score(yt, s, sample_weight=w)
        same(M.roc_auc_score(yt, s, sample_weight=w), ref)
        same(M.roc_auc_score(yt, np.column_stack([1 - s, s]), sample_weight=w), ref)
        names = np.array(["neg", "pos"])[yt]
        same(M.roc_auc_score(names, s, sample_weight=w),
             skm.roc_auc_score(names, s, sample_weight=w))


def test_weighted_roc_auc_is_the_weighted_pair_count():
    rng = np.random.default_rng(5)
    yt, s, w = rng.integers(0, 2, 30), np.round(rng.random(30), 1), rng.random(30)
    pos, neg = yt == 1, yt == 0
    pairs = np.outer(w[pos], w[neg])
    wins = (s[pos][:, None] > s[neg][None, :]) + 0.5 * (s[pos][:, None] == s[neg][None, :])
    same(M.roc_auc_score(yt, s, sample_weight=w), np.sum(pairs * wins) / pairs.sum())


def test_weighted_roc_auc_class_of_zero_weight_is_nan_with_a_warning():
    for w, which in (([0, 1, 1], "negative"), ([1, 0, 0], "positive")):
        with pytest.warns(M.UndefinedMetricWarning, match=which):
            assert np.isnan(M.roc_auc_score([0, 1, 1], [0.1, 0.5, 0.7], sample_weight=w))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert np.isnan(skm.roc_auc_score([0, 1, 1], [0.1, 0.5, 0.7], sample_weight=w))


MULTIOUTPUTS = ["raw_values", "uniform_average", [0.2, 0.0, 3.0], np.array([1, 2, 1])]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("outputs", [None, 1, 3])
@pytest.mark.parametrize("wkind", WEIGHTS + ["ones"])
def test_weighted_regression_matches_sklearn(seed, outputs, wkind):
    rng = np.random.default_rng(1500 + seed)
    yt, yp = regression_case(rng, outputs)
    w = random_weights(rng, len(yt), wkind)
    modes = MULTIOUTPUTS if outputs == 3 else ["raw_values", "uniform_average"]
    for ours, ref in REG:
        ref = sklearn_r2 if ours is M.r2_score else ref
        for mo in modes:
            same(ours(yt, yp, multioutput=mo, sample_weight=w),
                 quiet(ref, yt, yp, multioutput=mo, sample_weight=w))
            same(ours(yt, yp, multioutput=mo), quiet(ref, yt, yp, multioutput=mo))
    for mo in ("variance_weighted", "raw_values"):
        for weights in (None, w):
            same(quiet(M.r2_score, yt, yp, multioutput=mo, sample_weight=weights),
                 quiet(sklearn_r2, yt, yp, multioutput=mo, sample_weight=weights))


def sklearn_r2(yt, yp, multioutput="uniform_average", sample_weight=None):
    """scikit-learn's R², with the documented rule for outputs constant over the rows of
    positive weight (1 for a perfect fit, else 0; SS_tot 0): a weighted mean of a constant
    2.5 may be inexact, leaving scikit-learn an SS_tot of ~1e-33 and an R² of ~-1e32."""
    raw = skm.r2_score(yt, yp, multioutput="raw_values", sample_weight=sample_weight)
    yt2, yp2 = np.reshape(yt, (len(yt), -1)), np.reshape(yp, (len(yp), -1))
    w = np.ones(len(yt2)) if sample_weight is None else np.asarray(sample_weight, float)
    rows = w > 0
    constant = (yt2[rows] == yt2[rows][0]).all(axis=0)
    raw[constant] = (yt2[rows] == yp2[rows]).all(axis=0)[constant]
    if isinstance(multioutput, str) and multioutput == "raw_values":
        return raw
    if isinstance(multioutput, str) and multioutput == "variance_weighted":
        ss_tot = np.sum(w[:, None] * (yt2 - np.average(yt2, axis=0, weights=w)) ** 2, axis=0)
        ss_tot[constant] = 0
        return float(np.average(raw, weights=ss_tot)) if ss_tot.any() else float(raw.mean())
    return float(np.average(raw, weights=None if isinstance(multioutput, str)
                            else multioutput))


def test_r2_constant_outputs_as_sklearn():
    """Constant outputs (SS_tot = 0): 1 for a perfect fit, else 0; "variance_weighted" falls
    back to the plain mean when every output is constant; weights of 0 can make an output
    constant over the rows that count."""
    cases = [([[1.0, 2], [1, 2]], [[1.0, 2], [2, 3]], None),
             ([[1.0, 2], [2, 2], [3, 2]], [[1.0, 2], [2, 2], [4, 2.5]], None),
             ([[1.0, 2], [2, 2], [3, 2]], [[1.0, 2], [2, 2], [4, 2.5]], [0, 0, 2]),
             ([1.0, 2, 3], [1.0, 2, 4], [0, 0, 1]), ([1.0, 2, 3], [1.0, 2, 3], [0, 0, 1])]
    for yt, yp, w in cases:
        for mo in ("raw_values", "uniform_average", "variance_weighted"):
            same(M.r2_score(yt, yp, multioutput=mo, sample_weight=w),
                 skm.r2_score(yt, yp, multioutput=mo, sample_weight=w))
    with pytest.warns(M.UndefinedMetricWarning, match="two samples"):
        assert np.isnan(M.r2_score([1.0], [2.0], sample_weight=[3.0]))


def test_r2_constant_target_whose_mean_is_inexact():
    """Trial JJ finding 2: the mean of a constant 0.1 is not exactly 0.1, so SS_tot was ~1e-33,
    not 0, and R² came out as -1.7e31 (scikit-learn's value) instead of the documented 0."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        c = float(np.round(rng.random() * 10, int(rng.integers(1, 4))))
        m = int(rng.integers(2, 50))
        yt = np.full(m, c)
        yp = yt + rng.normal(size=m)
        assert M.r2_score(yt, yp) == 0.0
        assert M.r2_score(yt, yt.copy()) == 1.0
    yt = [0.1, 0.1, 0.1]
    assert np.sum((np.array(yt) - np.mean(yt)) ** 2) > 0   # the case is real
    assert M.r2_score(yt, [0.1, 0.1, 0.2]) == 0.0
    # constant over the rows of positive weight; an exactly fitted second output
    assert M.r2_score([0.1, 0.1, 0.1, 5.0], [0.1, 0.1, 0.2, 0.0],
                      sample_weight=[1, 2, 1, 0]) == 0.0
    yt2 = [[0.1, 1.0], [0.1, 2.0], [0.1, 3.0]]
    yp2 = [[0.2, 1.0], [0.1, 2.0], [0.1, 3.0]]
    same(M.r2_score(yt2, yp2, multioutput="raw_values"), [0.0, 1.0])
    # the constant output has SS_tot 0: it weighs nothing in the variance-weighted mean
    assert M.r2_score(yt2, yp2, multioutput="variance_weighted") == 1.0


def repeat_rows(w, *arrays):
    idx = np.repeat(np.arange(len(w)), w)
    return [np.asarray(a)[idx] for a in arrays]


@pytest.mark.parametrize("seed", range(10))
def test_integer_weights_equal_repeated_rows(seed):
    """Weight n on a row = the row n times (0: left out, but its labels still exist)."""
    rng = np.random.default_rng(1600 + seed)
    m = 30
    w = rng.integers(1, 4, m)   # positive: every label stays present in both
    yt, yp, _ = random_labels(rng, m, 3, "str" if seed % 2 else "int")
    rt, rp = repeat_rows(w, yt, yp)
    assert M.accuracy_score(yt, yp, normalize=False, sample_weight=w) == \
        M.accuracy_score(rt, rp, normalize=False)
    same(M.accuracy_score(yt, yp, sample_weight=w), M.accuracy_score(rt, rp))
    for name, ours in PRF:
        for avg in AVERAGES:
            same(quiet(ours, yt, yp, average=avg, sample_weight=w),
                 quiet(ours, rt, rp, average=avg))
    np.testing.assert_array_equal(M.confusion_matrix(yt, yp, sample_weight=w),
                                  M.confusion_matrix(rt, rp))
    assert M.confusion_matrix(yt, yp, sample_weight=w).dtype == np.int64
    rep_w = quiet(M.classification_report, yt, yp, sample_weight=w, output_dict=True)
    rep_r = quiet(M.classification_report, rt, rp, output_dict=True)
    for key, val in rep_r.items():
        if isinstance(val, dict):
            for col in val:
                same(rep_w[key][col], val[col])
        else:
            same(rep_w[key], val)
    Y, P = rng.integers(0, 2, (m, 3)), rng.integers(0, 2, (m, 3))
    RY, RP = repeat_rows(w, Y, P)
    same(M.accuracy_score(Y, P, sample_weight=w), M.accuracy_score(RY, RP))
    for avg in ("micro", "macro", "weighted", "samples", None):
        same(quiet(M.f1_score, Y, P, average=avg, sample_weight=w),
             quiet(M.f1_score, RY, RP, average=avg))
    yb = rng.integers(0, 2, m)
    yb[:2] = [0, 1]
    s = np.round(rng.random(m), 1)
    rb, rs = repeat_rows(w, yb, s)
    same(M.roc_auc_score(yb, s, sample_weight=w), M.roc_auc_score(rb, rs))
    same(M.log_loss(yb, s, sample_weight=w), M.log_loss(rb, rs))
    yv, pv = rng.normal(size=(m, 2)), rng.normal(size=(m, 2))
    rv, rpv = repeat_rows(w, yv, pv)
    for fn in (M.mean_squared_error, M.mean_absolute_error, M.r2_score):
        same(fn(yv, pv, sample_weight=w, multioutput="raw_values"),
             fn(rv, rpv, multioutput="raw_values"))
    # weight 0 drops a row from every count (its label still exists as a class)
    w0 = w.copy()
    w0[:5] = 0
    zt, zp = repeat_rows(w0, yt, yp)
    for avg in ("macro", "weighted", "micro"):
        same(quiet(M.f1_score, yt, yp, average=avg, sample_weight=w0),
             quiet(M.f1_score, zt, zp, average=avg, labels=np.union1d(yt, yp)))


@pytest.mark.parametrize("seed", range(6))
def test_none_equals_all_ones_weights(seed):
    rng = np.random.default_rng(1700 + seed)
    m = 25
    yt, yp, _ = random_labels(rng, m, 3)
    for ones in (np.ones(m), np.ones(m, dtype=int), [1] * m):
        same(M.accuracy_score(yt, yp, sample_weight=ones), M.accuracy_score(yt, yp))
        same(M.accuracy_score(yt, yp, normalize=False, sample_weight=ones),
             M.accuracy_score(yt, yp, normalize=False))
        for name, ours in PRF:
            for avg in AVERAGES:
                same(quiet(ours, yt, yp, average=avg, sample_weight=ones),
                     quiet(ours, yt, yp, average=avg))
        same(M.confusion_matrix(yt, yp, sample_weight=ones), M.confusion_matrix(yt, yp))
        ours = quiet(M.classification_report, yt, yp, sample_weight=ones, output_dict=True)
        for key, val in quiet(M.classification_report, yt, yp, output_dict=True).items():
            if isinstance(val, dict):
                for col in val:
                    same(ours[key][col], val[col])
        yb = rng.integers(0, 2, m)
        yb[:2] = [0, 1]
        s = np.round(rng.random(m), 1)
        same(M.roc_auc_score(yb, s, sample_weight=ones), M.roc_auc_score(yb, s))
        same(M.log_loss(yb, s, sample_weight=ones), M.log_loss(yb, s))
        yv, pv = rng.normal(size=(m, 2)), rng.normal(size=(m, 2))
        for fn in (M.mean_squared_error, M.mean_absolute_error, M.r2_score):
            same(fn(yv, pv, sample_weight=ones, multioutput="raw_values"),
                 fn(yv, pv, multioutput="raw_values"))
    # without weights, counts stay ints
    assert M.confusion_matrix(yt, yp).dtype == np.int64
    assert isinstance(M.accuracy_score(yt, yp, normalize=False), int)
    assert M.precision_recall_fscore_support(yt, yp)[3].dtype == np.int64
    assert isinstance(quiet(M.classification_report, yt, yp, output_dict=True)["macro avg"]
                      ["support"], int)


def test_named_metrics_pass_sample_weight_through():
    rng = np.random.default_rng(11)
    yt, yp, _ = random_labels(rng, 40, 3)
    w = random_weights(rng, 40, "float")
    for avg in ("macro", "weighted", "micro"):
        same(quiet(M.get(f"f1_{avg}"), yt, yp, sample_weight=w),
             quiet(skm.f1_score, yt, yp, average=avg, sample_weight=w))
    same(M.get("accuracy")(yt, yp, sample_weight=w),
         skm.accuracy_score(yt, yp, sample_weight=w))


ALL_FNS = {
    "accuracy_score": lambda w: M.accuracy_score([0, 1, 1], [0, 1, 0], sample_weight=w),
    "precision_score": lambda w: M.precision_score([0, 1, 1], [0, 1, 0], sample_weight=w),
    "recall_score": lambda w: M.recall_score([0, 1, 1], [0, 1, 0], sample_weight=w),
    "f1_score": lambda w: M.f1_score([0, 1, 1], [0, 1, 0], sample_weight=w),
    "f1_score multi-label": lambda w: M.f1_score([[0, 1], [1, 1], [1, 0]],
                                                  [[0, 1], [1, 0], [1, 0]], average="samples",
                                                  sample_weight=w),
    "precision_recall_fscore_support": lambda w: M.precision_recall_fscore_support(
        [0, 1, 1], [0, 1, 0], sample_weight=w),
    "confusion_matrix": lambda w: M.confusion_matrix([0, 1, 1], [0, 1, 0], sample_weight=w),
    "classification_report": lambda w: M.classification_report([0, 1, 1], [0, 1, 0],
                                                               sample_weight=w),
    "log_loss": lambda w: M.log_loss([0, 1, 1], [0.2, 0.7, 0.4], sample_weight=w),
    "roc_auc_score": lambda w: M.roc_auc_score([0, 1, 1], [0.2, 0.7, 0.4], sample_weight=w),
    "roc_auc_score multi-label": lambda w: M.roc_auc_score(
        [[0, 1], [1, 0], [1, 1]], [[0.2, 0.7], [0.4, 0.1], [0.9, 0.5]], sample_weight=w),
    "mean_squared_error": lambda w: M.mean_squared_error([1.0, 2, 3], [1, 2, 4],
                                                         sample_weight=w),
    "mean_absolute_error": lambda w: M.mean_absolute_error([1.0, 2, 3], [1, 2, 4],
                                                           sample_weight=w),
    "r2_score": lambda w: M.r2_score([1.0, 2, 3], [1, 2, 4], sample_weight=w),
}


@pytest.mark.parametrize("name", list(ALL_FNS))
def test_bad_sample_weight_is_a_clear_value_error(name):
    call = ALL_FNS[name]
    call([1, 2, 0.5])  # fine
    for w, match in (
            ([1, 2], "sample_weight has 2 weights but there are 3 examples"),
            ([1, 2, 3, 4], "sample_weight has 4 weights but there are 3 examples"),
            (np.ones((3, 1)), r"sample_weight must be 1-D .* got shape \(3, 1\)"),
            (np.ones((3, 2)), r"sample_weight must be 1-D"),
            (2.0, r"sample_weight must be 1-D .* got shape \(\)"),
            ([1, np.nan, 1], "sample_weight contains NaN at index 1"),
            ([1, 1, np.inf], "sample_weight contains infinity at index 2"),
            ([1, -0.5, 1], r"sample_weight has negative values \(e.g. -0.5 at index 1\)"),
            (["a", "b", "c"], "sample_weight must hold numbers"),
            ([1, None, 1], "sample_weight contains NaN at index 1"),
            ([1, "x", 1], "sample_weight must hold numbers"),
            ([1 + 1j, 1, 1], "sample_weight must hold numbers"),
            ([0, 0, 0], "sample_weight is all zero"),
            (np.zeros(3, dtype=int), "sample_weight is all zero")):
        with pytest.raises(ValueError, match=match):
            call(w)


def test_sklearn_also_refuses_all_zero_weights():
    with pytest.raises(ValueError):
        skm.accuracy_score([0, 1], [0, 1], sample_weight=[0, 0])
    with pytest.raises(ValueError):
        skm.mean_squared_error([0.0, 1], [0, 1], sample_weight=[0, 0])


@pytest.mark.parametrize("fn", [M.mean_squared_error, M.mean_absolute_error, M.r2_score])
def test_bad_multioutput_is_a_clear_value_error(fn):
    yt, yp = np.zeros((4, 2)), np.ones((4, 2))
    for mo, match in (([1.0], "multioutput has 1 weights but there are 2 outputs"),
                      ([1.0, 2, 3], "multioutput has 3 weights but there are 2 outputs"),
                      ([[1.0, 2]], r"multioutput must be 1-D with one weight per output, "
                                   r"shape \(2,\)"),
                      ([1.0, np.nan], "multioutput contains NaN at index 1"),
                      ([1.0, -1], r"multioutput has negative values \(e.g. -1.0 at index 1\)"),
                      ([0, 0], "multioutput is all zero: at least one output needs"),
                      (["a", "b"], r"multioutput must hold numbers \(one weight per output\)"),
                      ("mean", "unknown multioutput 'mean'")):
        with pytest.raises(ValueError, match=match):
            fn(yt, yp, multioutput=mo)
    with pytest.raises(ValueError, match="several outputs"):   # as sklearn
        fn([1.0, 2.0], [1.0, 3.0], multioutput=[1.0])
    if fn is not M.r2_score:
        with pytest.raises(ValueError, match="unknown multioutput 'variance_weighted'"):
            fn(yt, yp, multioutput="variance_weighted")


def test_weighted_report_rows_and_multilabel_sums_match_sklearn_to_the_bit():
    """Review: the report's accuracy row had its own micro formula (0.4063 printed where
    sklearn prints 0.4062), and weighted multi-label sums differed in the last bit."""
    yt = [0, 1, 2, 2, 0, 0, 0, 2, 1, 0, 2, 0, 2, 1]
    yp = [2, 1, 1, 1, 1, 2, 0, 0, 0, 2, 1, 0, 2, 1]
    w = [0, 2.5, 0, 1, .3, 2.5, 2.5, 1, 2.5, .3, 0, .1, 0, .1]
    assert M.classification_report(yt, yp, sample_weight=w, digits=4) == \
        skm.classification_report(yt, yp, sample_weight=w, digits=4)
    for seed in range(60):  # the dict's accuracy is sklearn's micro precision (review)
        rng = np.random.default_rng(seed)
        a, b, ws = rng.integers(0, 3, 20), rng.integers(0, 3, 20), rng.random(20) * 3
        assert M.classification_report(a, b, sample_weight=ws, output_dict=True)["accuracy"] \
            == skm.classification_report(a, b, sample_weight=ws, output_dict=True)["accuracy"]
        assert M.classification_report(a, b, sample_weight=ws, digits=6) == \
            skm.classification_report(a, b, sample_weight=ws, digits=6)
    for seed in range(40):
        rng = np.random.default_rng(seed)
        Y, P = rng.integers(0, 2, (30, 4)), rng.integers(0, 2, (30, 4))
        wt = rng.random(30) * 3
        wt[:5] = 0
        for avg in ("macro", "micro", "weighted", "samples"):
            assert quiet(M.f1_score, Y, P, average=avg, sample_weight=wt) == \
                quiet(skm.f1_score, Y, P, average=avg, sample_weight=wt), (seed, avg)


def test_samples_warning_names_rows_and_huge_weights_keep_their_ratios():
    """Trial 14/14 findings 2-3: the per-sample warning called rows 'labels' and listed rows of
    weight 0; finite weights whose sum overflows (1e308 each) gave 0.0 or NaN."""
    Y, P = np.array([[0, 0], [1, 0], [0, 1]]), np.array([[0, 0], [1, 1], [0, 1]])
    with pytest.warns(M.UndefinedMetricWarning,
                      match=r"in samples with no predicted labels \(rows \[0\]\)"):
        M.precision_score(Y, P, average="samples", sample_weight=[5, 1, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # row 0 weighs 0: nothing to warn about
        assert M.precision_score(Y, P, average="samples", sample_weight=[0, 1, 1]) == 0.75
    yt, yp = [0.0, 1, 1], [0.0, 1, 0]
    for fn in (M.mean_squared_error, M.accuracy_score, M.r2_score):
        assert fn(yt, yp, sample_weight=[1e308] * 3) == fn(yt, yp), fn.__name__
    assert M.log_loss([0, 1, 1], [.2, .6, .5], sample_weight=[1e308] * 3) == \
        pytest.approx(M.log_loss([0, 1, 1], [.2, .6, .5]), rel=1e-15)


def test_log_loss_without_labels_takes_the_classes_of_y_true():
    """Trial JJ finding 1: with integer labels missing a class, log_loss guessed the classes
    0..k-1 and read label 1 of [1, 2, 1] from column 1 of 3 (1.7053, not the 0.3635 of
    labels=[1, 2, 3]); scikit-learn raises, asking for labels."""
    yt, P = [1, 2, 1], [[.7, .2, .1], [.1, .8, .1], [.6, .3, .1]]
    for ref in (skm.log_loss, M.log_loss):
        with pytest.raises(ValueError, match="different number of classes|2 classes"):
            ref(yt, P)
        with pytest.raises(ValueError, match="only one label"):
            ref([1, 1], [0.1, 0.2])
    want = -np.mean(np.log([.7, .8, .6]))   # each row's column of its class in [1, 2, 3]
    same(M.log_loss(yt, P, labels=[1, 2, 3]), want)
    same(M.log_loss(yt, P, labels=[1, 2, 3]), skm.log_loss(yt, P, labels=[1, 2, 3]))
    same(M.log_loss([1, 1], [0.1, 0.2], labels=[0, 1]), -np.mean(np.log([0.1, 0.2])))
    same(M.log_loss([0, 2, 1], P), skm.log_loss([0, 2, 1], P))   # every class present


def test_weighted_counts_are_the_weights_own_sums():
    """Trial JJ finding 3: weights whose sum overflows were divided by their max for every
    metric, so counts came back divided by 1e308 (a cell of 1 read 1e-308); only ratios take
    the rescaled weights, counts are the sums of the weights as given (inf on overflow)."""
    yt, yp = np.array([0, 1, 1, 0, 2]), np.array([0, 1, 0, 0, 2])
    for w in (np.array([1e308, 1e308, 1, 1, 1]), np.array([1e308, 1e308, 1e308, 1, 2])):
        def total(mask):   # the weights' sum, added in Python floats (inf on overflow)
            return sum(float(v) for v in w[mask])
        cm = M.confusion_matrix(yt, yp, sample_weight=w)
        assert cm.tolist() == [[total((yt == i) & (yp == j)) for j in range(3)]
                               for i in range(3)]
        support = M.precision_recall_fscore_support(yt, yp, sample_weight=w)[3]
        assert support.tolist() == [total(yt == c) for c in range(3)]
        assert M.accuracy_score(yt, yp, normalize=False, sample_weight=w) == total(yt == yp)
        report = M.classification_report(yt, yp, sample_weight=w, output_dict=True)
        assert [report[str(c)]["support"] for c in range(3)] == support.tolist()
        assert report["macro avg"]["support"] == np.inf
        # ratios are those of the weights rescaled, finite as before
        scaled = w / w.max()
        same(M.confusion_matrix(yt, yp, sample_weight=w, normalize="true"),
             M.confusion_matrix(yt, yp, sample_weight=scaled, normalize="true"))
        same(M.f1_score(yt, yp, average="weighted", sample_weight=w),
             M.f1_score(yt, yp, average="weighted", sample_weight=scaled))
        assert report["weighted avg"]["f1-score"] == \
            M.f1_score(yt, yp, average="weighted", sample_weight=w)
    Y, P = np.array([[1, 0], [1, 1], [0, 1]]), np.array([[1, 0], [0, 1], [0, 1]])
    wl = np.array([1e308, 1e308, 1.0])
    assert M.precision_recall_fscore_support(Y, P, sample_weight=wl)[3].tolist() == \
        [np.inf, 1e308 + 1.0]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("kind", ["int", "str", "float"])
def test_balanced_accuracy_matches_sklearn(seed, kind):
    rng = np.random.default_rng(2600 + seed)
    k = 2 + seed % 4
    m = int(rng.integers(2, 50))
    yt, yp, _ = random_labels(rng, m, k, kind)
    for w in (None, random_weights(rng, m, WEIGHTS[seed % 3]), rng.random(m) + 0.01):
        for adjusted in (False, True):
            ours = quiet(M.balanced_accuracy_score, yt, yp, sample_weight=w, adjusted=adjusted)
            ref = quiet(skm.balanced_accuracy_score, yt, yp, sample_weight=w,
                        adjusted=adjusted)
            counted = yt if w is None else yt[np.asarray(w) > 0]
            if adjusted and np.unique(counted).size == 1:  # sklearn: -inf or NaN; see below
                assert np.isnan(ours)
            else:
                same(ours, ref)
    # the mean of the classes' recalls
    same(quiet(M.balanced_accuracy_score, yt, yp),
         quiet(skm.recall_score, yt, yp, average="macro", labels=np.unique(yt)))


def test_balanced_accuracy_edge_cases():
    # a class only predicted has no recall: left out, with a warning (sklearn: UserWarning)
    with pytest.warns(M.UndefinedMetricWarning, match=r"classes not in y_true.*\[3\]"):
        got = M.balanced_accuracy_score([0, 1, 2, 2], [0, 1, 3, 2])
    same(got, quiet(skm.balanced_accuracy_score, [0, 1, 2, 2], [0, 1, 3, 2]))
    with pytest.warns(UserWarning, match="classes not in y_true"):
        skm.balanced_accuracy_score([0, 1, 2, 2], [0, 1, 3, 2])
    # so is a class whose examples all weigh 0, as in sklearn
    with pytest.warns(M.UndefinedMetricWarning, match=r"weight 0.*\[2\]"):
        got = M.balanced_accuracy_score([0, 1, 2], [0, 1, 1], sample_weight=[1, 1, 0])
    assert got == quiet(skm.balanced_accuracy_score, [0, 1, 2], [0, 1, 1],
                        sample_weight=[1, 1, 0]) == 1.0
    # imbalanced: always predicting the majority class is chance, 1/K, adjusted 0
    yt = [0] * 95 + [1] * 5
    assert M.balanced_accuracy_score(yt, [0] * 100) == 0.5
    assert M.balanced_accuracy_score(yt, [0] * 100, adjusted=True) == 0.0
    assert M.balanced_accuracy_score(yt, yt, adjusted=True) == 1.0
    # adjusted with one class in y_true: chance is 1 too, undefined (sklearn: -inf or NaN)
    with pytest.warns(M.UndefinedMetricWarning, match="one class"):
        assert np.isnan(M.balanced_accuracy_score([0, 0, 0], [0, 0, 0], adjusted=True))
    with pytest.warns(M.UndefinedMetricWarning):
        assert np.isnan(M.balanced_accuracy_score([0, 0, 0], [0, 1, 0], adjusted=True))
    assert M.balanced_accuracy_score([0, 0, 0], [0, 0, 0]) == 1.0
    with pytest.raises(ValueError, match="adjusted"):
        M.balanced_accuracy_score([0, 1], [0, 1], adjusted="yes")
    with pytest.raises(ValueError, match="1-D"):
        M.balanced_accuracy_score([[0, 1], [1, 0]], [[0, 1], [1, 1]])


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("outputs", [None, 1, 3])
def test_root_mean_squared_error_matches_sklearn(seed, outputs):
    rng = np.random.default_rng(2700 + seed)
    yt, yp = regression_case(rng, outputs)
    w = random_weights(rng, len(yt), WEIGHTS[seed % 3])
    modes = MULTIOUTPUTS if outputs == 3 else ["raw_values", "uniform_average"]
    for mo in modes:
        for sw in (None, w):
            same(M.root_mean_squared_error(yt, yp, multioutput=mo, sample_weight=sw),
                 skm.root_mean_squared_error(yt, yp, multioutput=mo, sample_weight=sw))
    same(M.root_mean_squared_error(yt, yp, multioutput="raw_values"),
         np.sqrt(M.mean_squared_error(yt, yp, multioutput="raw_values")))
    with pytest.raises(ValueError, match="variance_weighted"):
        M.root_mean_squared_error(yt, yp, multioutput="variance_weighted")


def test_new_metrics_are_registered():
    assert M.get("balanced_accuracy") is M.balanced_accuracy_score
    assert M.get("rmse") is M.get("root_mean_squared_error") is M.root_mean_squared_error
    assert M.KIND["balanced_accuracy"] == "labels" and M.KIND["rmse"] == "values"
    assert M.greater_is_better("balanced_accuracy")
    assert not M.greater_is_better(M.root_mean_squared_error)
    assert {"balanced_accuracy_score", "root_mean_squared_error"} <= set(M.__all__)
