"""scikit-learn estimators backed by glassnet: :class:`GlassClassifier` and :class:`GlassRegressor`.

They follow the scikit-learn contract (``get_params``/``set_params``, ``fit``, ``predict``,
``predict_proba``, ``score``, ``partial_fit``, ``warm_start``, ``sample_weight``, fitted
attributes ending in ``_``) and pass ``sklearn.utils.estimator_checks.check_estimator`` but for
its two sample-weight equivalence checks in float32 (a weighted fit and a fit on repeated rows
differ by about 5e-7 relative where the checks ask 1e-7; with ``dtype="float64"`` they pass), so
they drop into ``Pipeline``, ``ColumnTransformer``, ``GridSearchCV`` and ``cross_val_score``::

    from glassnet.sklearn import GlassClassifier
    clf = GlassClassifier(hidden_layer_sizes=(64,), random_state=0).fit(X_train, y_train)
    clf.score(X_test, y_test)

What the network is
-------------------
``Dense -> activation`` for each hidden width, then ``Dense(n_outputs)`` and the output node:

==========================  ==================  ==========================================
task                        output node         training loss (on the logits, fused)
==========================  ==================  ==========================================
binary classification       Sigmoid, 1 unit     binary cross-entropy
multi-class                 Softmax, k units    categorical cross-entropy
multi-label (y 0/1, 2-D)    Sigmoid, k units    binary cross-entropy, summed over labels
regression (1 or k outputs) none (identity)     ½·squared error, summed over outputs
==========================  ==================  ==========================================

The fitted network is ``model_``, a plain :class:`glassnet.Sequential` (trace it, check its
gradients, save it); it expects *standardized* inputs when ``standardize=True`` (the default):
``model_.predict((X - x_mean_) / x_scale_)``.

Defaults, and how they differ from ``MLPClassifier``'s
-------------------------------------------------------
The hyperparameters mean what they mean in ``sklearn.neural_network.MLPClassifier`` (Adam,
lr 1e-3, batches of min(200, n), 200 epochs, L2 ``alpha`` on the weights, stop when the
training loss improves by less than ``tol`` for ``n_iter_no_change`` epochs), with two
differences. With ``early_stopping=True`` the held-out *loss* is watched (MLP watches the
held-out accuracy or R²; the loss moves on every epoch where accuracy moves by whole rows),
and the best epoch's weights are kept. The one that matters most on tabular data:

* ``standardize=True``: the estimator centres and scales each input column (weighted mean and
  standard deviation of the training rows) and, for the regressor, each target. A network
  trained on raw columns whose scales differ by 1000x (areas next to ratios, fares next to
  ages) learns poorly; scikit-learn leaves this to a ``StandardScaler`` in a pipeline, which
  many users forget. Inside a pipeline that already scales, it is a no-op.

The initial weights are drawn as MLP draws them, Glorot uniform with its activation-dependent
bound ``sqrt(6 / (fan_in + fan_out))`` (``sqrt(2 / ...)`` for ``"logistic"``, or its alias
``"sigmoid"``) on every layer, the output layer included; the biases start at zero (MLP draws
them from the same uniform, which measured within 0.01 R² at width 100 and worse at widths 4
to 8). He initialization, the usual choice for ReLU, is *not* used: its variance 2/fan_in is
five times Glorot's for 2 inputs into 8 units, and with the few Adam steps a small data set
gets (two per epoch for 300 rows) a narrow network spent most of its 200 epochs undoing that
large random start (mean training R² over 10 seeds 0.34, now 0.70, against MLPRegressor's 0.57
on a 2-feature problem; see ``bench/compare_sklearn.py --same-settings``).

Sample weights
--------------
``sample_weight`` weights each row's loss: every mini-batch minimizes
Σ wᵢ·lossᵢ / Σ wᵢ + α·‖W‖² / (2·Σ wᵢ) (scikit-learn's MLP convention), so integer weights
are equivalent to repeating rows when a batch holds the whole set, and rows of weight 0 do
not move the weights. Standardization uses the weighted statistics; early stopping uses the
weighted validation loss.

How it trains
-------------
Through :func:`glassnet.train.fit`, the library's one training loop (its BLAS-thread choice,
divergence guard and Ctrl-C handling included): ``model_`` without its output node, with the
matching loss on the logits (``CategoricalCrossEntropy(from_logits=True)``,
``BinaryCrossEntropy(from_logits=True, sum_outputs=True)``, ``MSE(half=True)``), fit's
``sample_weight``, ``alpha`` as ``Dense(l2=alpha)`` on every Dense node, and the stopping rule
as ``EarlyStopping(rule="sklearn")``. ``partial_fit`` is one epoch of it with the same optimizer
instance, whose memory is keyed by node and so carries over between calls. A ``learning_rate``
changed with ``set_params`` between calls is applied to that optimizer; a changed ``optimizer``
(or optimizer settings) replaces it, and its memory starts over (``MLPClassifier.partial_fit``
keeps its first optimizer and learning rate). A ``fit`` or ``partial_fit`` that raises (training
that diverges raises ValueError) leaves the estimator as it was before the call.
"""
from __future__ import annotations

import copy
import functools
import inspect
import numbers
import time
import warnings

import numpy as np

from ._extras import require

require("sklearn", "scikit-learn", "sklearn", "glassnet.sklearn")  # a clear message first
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d

try:
    from sklearn.utils.validation import validate_data
except ImportError:  # scikit-learn < 1.6
    def validate_data(estimator, X="no_validation", y="no_validation", **kwargs):
        return estimator._validate_data(X, y, **kwargs)

from . import activations as _act
from . import optim as _optim
from ._validate import global_seed, resolve_dtype
from .callbacks import Callback, user_stacklevel
from .layers import Dense
from .losses import MSE, BinaryCrossEntropy, CategoricalCrossEntropy
from .model import Sequential, forward_blocks
from .preprocess import _BLOCK_ELEMENTS, _pow2_at_least_half, _weighted_stats, shown_value
from .train import DivergenceError, EarlyStopping, History, check_sample_weight

__all__ = ["GlassClassifier", "GlassRegressor"]

_EPS = np.finfo(np.float64).eps


# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------

def _seed_from(random_state):
    """An int seed from scikit-learn's ``random_state`` forms: None (drawn from NumPy's
    global random state, as scikit-learn's ``check_random_state(None)`` does, so that
    ``np.random.seed`` makes runs repeatable), an int, a ``numpy.random.RandomState`` or a
    ``numpy.random.Generator``."""
    if random_state is None:
        return global_seed()
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be an int >= 0 (or None, a RandomState or a "
                             f"Generator), got {random_state}")
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(np.iinfo(np.int32).max))
    raise ValueError(f"random_state must be None, an int, a numpy RandomState or Generator; "
                     f"got {random_state!r}")


def _glorot_uniform_logistic(rng, n_in, n_out, dtype=np.float32):
    """MLPClassifier's initial weights for the logistic activation: U(-a, a) with
    a = sqrt(2 / (n_in + n_out)) (a third of Glorot's variance)."""
    a = np.sqrt(2.0 / (n_in + n_out))
    return rng.uniform(-a, a, (n_in, n_out)).astype(dtype)


def _check_weights(sample_weight, n):
    """Validate ``sample_weight`` (fit's rules, plus a scalar for every row) into a float64
    array of shape (n,), or None when it cannot change anything (None, or all weights 1:
    equal weights of another value still scale the L2 term, α‖W‖²/(2·Σw), as in MLP)."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, numbers.Number):
        sample_weight = np.full(n, float(sample_weight))
    sw = check_sample_weight(sample_weight, n, np.float64)
    if np.all(sw == 1.0):
        return None  # exactly the unweighted objective
    return sw


def _moments(A, sw, rows=None):
    """(weight sum, mean, std, number of rows) of the columns of A (of ``A[rows]``): the
    running summary that :func:`_merge_stats` combines and :func:`_unscaled` reads."""
    return (*_weighted_stats(A, sw, rows), float(A.shape[0] if rows is None else len(rows)))


def _upgraded_moments(key, value):
    """(key, (n, mean, std, rows)) of the running statistics an estimator kept under ``key``,
    as this glassnet keeps them: older ones kept ``_x_stats`` (n, mean, sum of squared
    deviations), then ``_x_moments`` (n, mean, std) without the row count (taken to be the
    weight sum)."""
    if key.endswith("_stats"):
        n, mean, m2 = value
        return key.replace("stats", "moments"), (float(n), mean, np.sqrt(m2 / n), float(n))
    n, mean, std, *rows = value
    return key, (float(n), mean, std, float(rows[0] if rows else n))


def _merge_stats(a, b):
    """Combine two (n, mean, std, rows) summaries (Chan et al.'s parallel update), on the same
    power-of-two scale as :func:`_weighted_stats` so that nothing overflows."""
    na, ma, sa, ra = a
    nb, mb, sb, rb = b
    n = na + nb
    p = _pow2_at_least_half(ma, mb, sa, sb)
    ma, mb, sa, sb = ma / p, mb / p, sa / p, sb / p
    d = mb - ma
    m2 = na * sa * sa + nb * sb * sb + d * d * (na * nb / n)
    return n, (ma + d * (nb / n)) * p, np.sqrt(m2 / n) * p, ra + rb


def _standardized(A, mean, scale):
    """(A − mean) / scale in float64; where A − mean overflows although the result does not
    (values near ±1e308 on both sides of the mean), A / scale − mean / scale instead."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = (np.asarray(A, dtype=np.float64) - mean) / scale
    bad = ~np.isfinite(out)
    if bad.any():
        alt = np.broadcast_to(A / scale - mean / scale, out.shape)
        out[bad] = alt[bad]
    return out


def _dense(X):
    """A scipy.sparse X (a OneHotEncoder's output, say) as the dense array the network
    multiplies; dense input unchanged."""
    return X.toarray() if hasattr(X, "toarray") else X


def _scale_of(moments):
    """The standardization scale of (n, mean, std, rows) :func:`_moments`: the standard
    deviation, or 1 where the column is constant, too little spread to divide by, or not
    finite (see :func:`_unscaled`). A constant column's rows all lie std from its rounded
    mean: a std above 1 (a constant near 1e300, its mean off by 1e286) stays the scale, so
    that the column standardizes to within ±1, not to a huge constant."""
    std = np.asarray(moments[2], dtype=np.float64)
    keep = ~_unscaled(moments) | (np.isfinite(std) & (std > 1))
    return np.where(keep, std, 1.0)


def _unscaled(moments):
    """Where a column counts as constant (its scale is then no spread of the data: the
    placeholder 1 of :func:`_scale_of`, or a constant's rounding spread above 1): a standard
    deviation not finite, below the smallest normal float64 (1/std would overflow), or within
    the rounding error of the column's mean, std <= rows·eps·|mean| (scikit-learn's
    StandardScaler test for a constant feature). The test is relative to the column's
    magnitude: a column of spread 1e-16 around 0 is data, a constant 1e6 is not. It counts
    rows, not the weight sum: the rounding grows with the number of values added, whatever
    their weights (weights summing to 1 would call a constant column data)."""
    _, mean, std, rows = moments
    std = np.asarray(std, dtype=np.float64)
    return (~np.isfinite(std) | (std < np.finfo(np.float64).tiny)
            | (std <= rows * _EPS * np.abs(mean)))


# MLPClassifier/MLPRegressor parameters that glassnet names differently, and those it does not
# have (with what to do instead): the hint the constructor's TypeError and set_params's
# ValueError give
_MLP_RENAMED = {"max_iter": "epochs", "learning_rate_init": "learning_rate",
                "solver": "optimizer"}
_ADAM = "optimizer=glassnet.optim.Adam(lr, betas=(beta_1, beta_2), eps=epsilon)"
_MLP_MISSING = {
    "momentum": "use optimizer=\"momentum\" (SGD with momentum 0.9) or "
                "optimizer=glassnet.optim.SGD(lr, momentum=...)",
    "nesterovs_momentum": "use optimizer=\"nesterov\" or "
                          "optimizer=glassnet.optim.SGD(lr, momentum=..., nesterov=True)",
    "beta_1": "use " + _ADAM, "beta_2": "use " + _ADAM, "epsilon": "use " + _ADAM,
    "power_t": "there is no learning-rate schedule parameter; lower learning_rate over warm "
               "starts, or pass a glassnet optimizer",
    "shuffle": "the rows are always shuffled each epoch (seeded by random_state)",
    "max_fun": "L-BFGS is not offered",
    "loss": "it trains squared error on the standardized target; for a robust loss, "
            "glassnet train --loss huber|mae, or glassnet.Sequential(...).fit(X, y, "
            "loss=glassnet.Huber()) in Python",
}
_MLP_REGRESSOR_ONLY = {"loss"}   # (MLPClassifier has no loss=)


def _unknown_parameter(cls, name):
    """``name`` and why ``cls`` refuses it: glassnet's name for an MLP parameter, what to do
    instead of one glassnet lacks, or else the list of its parameters."""
    mlp = "MLPRegressor" if issubclass(cls, RegressorMixin) else "MLPClassifier"
    if name in _MLP_RENAMED:
        new = _MLP_RENAMED[name]
        note = (" (adam, sgd, ...; L-BFGS is not offered; MLP's solver=\"sgd\" with its "
                "default Nesterov momentum 0.9 is optimizer=\"nesterov\")"
                if name == "solver" else "")
        return (f"{name!r}: that is {mlp}'s name for what glassnet calls {new}; write "
                f"{cls.__name__}({new}=...){note}")
    if name in _MLP_MISSING and (mlp == "MLPRegressor" or name not in _MLP_REGRESSOR_ONLY):
        return f"{name!r}: {mlp} has it, glassnet does not; {_MLP_MISSING[name]}"
    return f"{name!r}; its parameters are: {', '.join(cls._get_param_names())}"


class _EpochLog(Callback):
    """The estimator's bookkeeping at the end of each epoch of ``glassnet.train.fit``:
    ``n_iter_``, ``t_``, ``loss_``, ``loss_curve_``, the validation score (accuracy or R², on
    ``validation`` = (X, y, sample_weight)), ``history_`` and the verbose line."""

    def __init__(self, est, n_rows, validation):
        self.est, self.n_rows, self.validation = est, n_rows, validation
        self.scores = []

    def on_epoch_begin(self, epoch, logs=None):
        self._t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        est, logs = self.est, dict(logs)
        est.n_iter_ += 1
        est.t_ += self.n_rows
        est.loss_ = logs["loss"]
        est.loss_curve_.append(logs["loss"])
        extra = ""
        if self.validation is not None:
            Xv, Yv, swv = self.validation
            score = est._val_score(est._logits(Xv), Yv, swv)
            self.scores.append(score)
            est.validation_scores_.append(score)
            logs["val_score"] = score
            extra = f", validation loss = {logs['val_loss']:.8f}, score = {score:.6f}"
        est.history_.on_epoch_end(est.n_iter_ - 1, logs)
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {logs['loss']:.8f}{extra} "
                  f"({time.perf_counter() - self._t0:.3f}s)", flush=True)


# ------------------------------------------------------------------------------------------
# the shared estimator
# ------------------------------------------------------------------------------------------

class _GlassBase(BaseEstimator):
    """Shared machinery of GlassClassifier and GlassRegressor (see their docstrings)."""

    def __new__(cls, *args, **kwargs):
        # Before __init__, whose own TypeError would name _GlassBase and not say that
        # MLPClassifier's max_iter is epochs here (__init__'s signature stays explicit). A
        # subclass with an __init__ of its own checks its own arguments: only MLP's names
        # are caught for it.
        own = cls.__init__ is _GlassBase.__init__
        if own and len(args) > 2:
            raise TypeError(f"{cls.__name__} takes hidden_layer_sizes and activation by "
                            f"position, every other parameter by keyword ({len(args)} "
                            f"positional arguments given)")
        for name in kwargs:
            if ((own or name in _MLP_RENAMED or name in _MLP_MISSING)
                    and name not in _param_names(cls)):
                raise TypeError(f"{cls.__name__} got an unexpected keyword argument "
                                f"{_unknown_parameter(cls, name)}")
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs):
        # inspect.signature(cls) would show __new__'s (*args, **kwargs): show cls.__init__'s
        super().__init_subclass__(**kwargs)
        cls.__signature__ = _init_signature(cls)

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, optimizer="adam",
                 learning_rate=1e-3, batch_size="auto", epochs=200, early_stopping=False,
                 validation_fraction=0.1, n_iter_no_change=10, tol=1e-4, alpha=1e-4,
                 standardize=True, random_state=None, dtype="float32", warm_start=False,
                 verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.alpha = alpha
        self.standardize = standardize
        self.random_state = random_state
        self.dtype = dtype
        self.warm_start = warm_start
        self.verbose = verbose

    def set_params(self, **params):
        for name in params:
            if name in _MLP_RENAMED or name in _MLP_MISSING:  # sklearn's message lists names
                raise ValueError(f"Invalid parameter for estimator {type(self).__name__}: "
                                 f"{_unknown_parameter(type(self), name)}")
        return super().set_params(**params)

    # -- tags ---------------------------------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = True  # densified: the network multiplies dense arrays
        tags.target_tags.multi_output = True
        return tags

    # -- parameters (validated at fit, as scikit-learn requires) ----------------------------------
    def _check_params(self):
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = (sizes,)
        try:
            sizes = tuple(sizes)
        except TypeError:
            raise ValueError(f"hidden_layer_sizes must be an int or a sequence of ints, got "
                             f"{self.hidden_layer_sizes!r}") from None
        if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0
                   for s in sizes):
            raise ValueError(f"hidden_layer_sizes must hold positive ints, got "
                             f"{self.hidden_layer_sizes!r}")
        act = self.activation
        if not isinstance(act, str) or act.lower() in ("softmax", "step", "heaviside"):
            raise ValueError(f"activation must be the name of an element-wise activation "
                             f"(relu, tanh, logistic, identity, gelu, ...), got {act!r}")
        try:
            _act.get(act)
        except ValueError:
            raise ValueError(f"activation must be one of relu, tanh, logistic, identity, "
                             f"leaky_relu, elu, gelu, softplus, got {act!r}") from None

        def positive_number(v, name, allow_zero=False):
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) \
                    or v < 0 or (v == 0 and not allow_zero):
                raise ValueError(f"{name} must be a {'non-negative' if allow_zero else 'positive'}"
                                 f" number, got {v!r}")
            return float(v)

        def positive_int(v, name):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
                raise ValueError(f"{name} must be a positive int, got {v!r}")
            return int(v)

        if isinstance(self.learning_rate, str):
            raise ValueError(f"learning_rate is the step size here (MLPClassifier's "
                             f"learning_rate_init), a positive number, got "
                             f"{self.learning_rate!r}; for a schedule, pass a glassnet "
                             f"optimizer or reduce it with warm starts")
        lr = positive_number(self.learning_rate, "learning_rate")
        if isinstance(self.optimizer, _optim.Optimizer):
            opt_factory = lambda: copy.deepcopy(self.optimizer)  # noqa: E731  (its own lr wins)
        elif isinstance(self.optimizer, str):
            if self.optimizer.strip().lower().replace("-", "") in ("lbfgs", "l_bfgs"):
                raise ValueError(f"optimizer={self.optimizer!r}: L-BFGS (MLPClassifier's "
                                 f"full-batch solver) is not offered; glassnet trains with "
                                 f"mini-batch optimizers: {', '.join(_optim._OPTIMIZERS)}, or a "
                                 f"glassnet.optim.Optimizer instance")
            _optim.get(self.optimizer, lr=lr)  # unknown names raise now
            opt_factory = lambda: _optim.get(self.optimizer, lr=lr)  # noqa: E731
        else:
            raise ValueError(f"optimizer must be a name (adam, adamw, sgd, momentum, nesterov, "
                             f"rmsprop, adagrad) or a glassnet.optim.Optimizer, got "
                             f"{self.optimizer!r}")
        bs = self.batch_size
        if not (isinstance(bs, str) and bs == "auto"):
            bs = positive_int(bs, "batch_size ('auto' or an int)")
        frac = self.validation_fraction
        if isinstance(frac, bool) or not isinstance(frac, numbers.Real) or not 0 < frac < 1:
            raise ValueError(f"validation_fraction must be in (0, 1), got {frac!r}")
        for flag in ("early_stopping", "standardize", "warm_start"):
            if not isinstance(getattr(self, flag), (bool, np.bool_)):
                raise ValueError(f"{flag} must be True or False, got {getattr(self, flag)!r}")
        return {
            "sizes": sizes, "activation": act.lower(), "opt_factory": opt_factory,
            "batch_size": bs, "epochs": positive_int(self.epochs, "epochs"),
            "n_iter_no_change": positive_int(self.n_iter_no_change, "n_iter_no_change"),
            "tol": positive_number(self.tol, "tol", allow_zero=True),
            "alpha": positive_number(self.alpha, "alpha", allow_zero=True),
            "dtype": resolve_dtype(self.dtype), "validation_fraction": float(frac),
            "verbose": int(self.verbose),
        }

    # -- building -----------------------------------------------------------------------------
    def _check_same_network(self, p):
        """A warm start or partial_fit goes on with the fitted network: a hidden_layer_sizes
        or activation changed since (set_params) is refused, instead of training the old
        network while get_params and save() report the new one."""
        dense = [layer for layer in self.model_.layers if isinstance(layer, Dense)]
        sizes = tuple(layer.units for layer in dense[:-1])
        hidden = [type(layer) for layer in self.model_.layers[1:-1]
                  if not isinstance(layer, Dense)]
        changed = []
        if sizes != p["sizes"]:
            changed.append(f"hidden_layer_sizes from {sizes} to {p['sizes']}")
        if hidden and hidden[0] is not type(_act.get(p["activation"])):
            changed.append(f"activation from {hidden[0].__name__} to {p['activation']!r}")
        if changed:
            raise ValueError(f"{' and '.join(changed)} since the network was fitted; a warm "
                             f"start or partial_fit trains the fitted network: refit from "
                             f"scratch (warm_start=False), or set the fitted values back")

    def _follow_optimizer_setting(self, p):
        """partial_fit goes on with the optimizer get_params and save() report: a learning
        rate changed since (set_params) is applied to the live optimizer, whose memory (Adam's
        moments) carries over; another optimizer, or other settings of one, replaces it, and
        its memory starts over. (MLPClassifier's partial_fit ignores such changes.)"""
        # Reached from the second partial_fit on. fit's callbacks never change the lr (no
        # schedule here), so the live lr is the setting's unless set_params changed it.
        def settings(opt):
            return {k: v for k, v in opt.config().items() if k != "lr"}

        new, live = p["opt_factory"](), self._optimizer
        if type(new) is type(live) and settings(new) == settings(live):
            live.lr = new.lr
        else:
            self._optimizer = new

    def _build(self, n_in, n_out, p, seed):
        # MLP's draw (see "Defaults" in the module docstring); biases start at zero
        # by the node the name gives, not the name: "sigmoid" is "logistic" too
        logistic = isinstance(_act.get(p["activation"]), _act.Sigmoid)
        init = _glorot_uniform_logistic if logistic else "xavier_uniform"
        layers = []
        for width in p["sizes"]:
            layers += [Dense(width, init=init), _act.get(p["activation"])]
        layers.append(Dense(n_out, init=init))
        if self.out_activation_ == "softmax":
            layers.append(_act.Softmax())
        elif self.out_activation_ == "logistic":
            layers.append(_act.Sigmoid())
        model = Sequential(layers, seed=seed, dtype=p["dtype"]).build(n_in)
        # the training loss on model_'s own outputs (probabilities): its predict_classes,
        # evaluate and saved file then read the outputs as the estimator does (0/1 per label
        # for a multi-label model, not an argmax)
        model.loss = self._training_loss(from_logits=False)
        return model

    def _initialize(self, X, Y, sw, p):
        """Fresh network, optimizer, scaling statistics and bookkeeping."""
        seed = _seed_from(self.random_state)
        seeds = np.random.SeedSequence(seed).spawn(3)
        model_seed = int(seeds[0].generate_state(1)[0])
        self._rng = np.random.default_rng(seeds[1])
        self._split_seed = int(seeds[2].generate_state(1)[0] % (2**31 - 1))
        self.n_outputs_ = Y.shape[1] if Y.ndim == 2 else int(self._n_units())
        self.model_ = self._build(X.shape[1], self.n_outputs_, p, model_seed)
        self._optimizer = p["opt_factory"]()
        self._x_moments = self._y_moments = None
        self.x_mean_ = self.x_scale_ = None
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_ = None
        self.loss_curve_ = []
        self.best_loss_ = np.inf
        self.validation_scores_ = None
        self.best_validation_score_ = None
        self.history_ = History()

    # -- scaling ------------------------------------------------------------------------------
    def _update_x_stats(self, X, sw, compensate, rows=None):
        """Merge (X, sw) (X[rows], sw) into the running input statistics; with ``compensate``,
        change the first Dense layer so that the network computes the same function of the raw
        inputs after the new scaling as before it (W' = W·σ₂/σ₁ row-wise,
        b' = b + ((μ₂−μ₁)/σ₁)·W), but for an input constant in every row so far, whose
        weights are kept."""
        new = _moments(X, sw, rows)
        old_mean, old_scale = self.x_mean_, self.x_scale_
        old_flat = None if self._x_moments is None else _unscaled(self._x_moments)
        self._x_moments = new if self._x_moments is None \
            else _merge_stats(self._x_moments, new)
        self.x_mean_, self.x_scale_ = self._x_moments[1], _scale_of(self._x_moments)
        if compensate and old_mean is not None:
            # an input constant in every row so far (one-row first chunk) was 0 after
            # standardizing: its weights never learned anything, and carrying its raw-unit
            # function over would multiply them by its new spread (50x: training wrecked)
            dense = self.model_.layers[0]
            W, b = dense.params["W"], dense.params["b"]
            move = np.where(old_flat, 0.0, _standardized(self.x_mean_, old_mean, old_scale))
            b += (move @ W.astype(np.float64)).astype(b.dtype)
            W *= np.where(old_flat, 1.0, self.x_scale_ / old_scale).astype(W.dtype)[:, None]

    def _transform_X(self, X, dtype, rows=None):
        """(X − x_mean_) / x_scale_ in ``dtype``, of the rows ``rows`` of X when given (no
        copy of X[rows] is made first). The subtraction is done in float64, a block of rows at
        a time, before the cast: a column with a large offset next to its spread (values near
        1e8 varying by 1) would lose its variation if cast to float32 first, and finite values
        beyond float32's range standardize to ordinary numbers."""
        if self.x_mean_ is None and rows is None:
            return np.ascontiguousarray(X, dtype=dtype)
        m = X.shape[0] if rows is None else len(rows)
        out = np.empty((m,) + X.shape[1:], dtype=dtype)
        step = max(1, _BLOCK_ELEMENTS // max(1, X.shape[1]))
        for lo in range(0, m, step):
            block = X[lo:lo + step] if rows is None else X[rows[lo:lo + step]]
            out[lo:lo + step] = block if self.x_mean_ is None \
                else _standardized(block, self.x_mean_, self.x_scale_)
        return out

    # -- what glassnet.train.fit trains -----------------------------------------------------------
    def _network(self):
        """``model_``'s nodes (shared, not copied) without the output node: the loss takes the
        sigmoid/softmax from the logits (exact log-probabilities, no clipping). The shuffling
        draws from the estimator's generator."""
        layers = self.model_.layers
        if self.out_activation_ != "identity":
            layers = layers[:-1]
        net = Sequential(layers, dtype=self.model_.dtype)
        net.rng = self._rng
        return net

    def _training_loss(self, from_logits=True):
        """Per-row loss on the logits z, as MLPClassifier/MLPRegressor: softmax cross-entropy;
        sigmoid cross-entropy summed over the labels; ½·squared error summed over the outputs.
        Each has dz = ŷ − y per row (scaled by the row's share of the batch). With
        ``from_logits=False``, the same on the probabilities model_ outputs."""
        if self.out_activation_ == "softmax":
            return CategoricalCrossEntropy(from_logits=from_logits)
        if self.out_activation_ == "logistic":
            return BinaryCrossEntropy(from_logits=from_logits, sum_outputs=True)
        return MSE(half=True)

    def _logits(self, Xs, dtype=None):
        """Network output before the output node, for standardized Xs.

        Runs on shallow copies of the nodes, so the model's caches are not touched (safe in
        threads; no data left behind). With ``dtype``, the copies' parameters are cast to it:
        predictions run in float64, which makes each row's result independent of the other
        rows in the call (float32 matrix products round differently for different numbers of
        rows; scikit-learn's contract asks that predicting a subset gives the same numbers)."""
        layers = self.model_.layers
        if self.out_activation_ != "identity":
            layers = layers[:-1]
        nodes = [copy.copy(layer) for layer in layers]
        if dtype is not None:
            for node in nodes:
                if node.params:
                    node.params = {k: v.astype(dtype, copy=False) for k, v in node.params.items()}
            Xs = Xs.astype(dtype, copy=False)
        return forward_blocks(nodes, Xs)

    def _output(self, X):
        """Validated raw X -> network output (probabilities, or standardized targets) as float64."""
        check_is_fitted(self)
        X = _dense(validate_data(self, X, reset=False, dtype=(np.float64, np.float32),
                                 accept_sparse=("csr", "csc", "coo")))
        z = self._logits(self._transform_X(X, np.float64), np.float64)
        if self.out_activation_ == "softmax":
            z = _act.softmax(z)
        elif self.out_activation_ == "logistic":
            z = _act._sigmoid(z)
        return z

    # -- fit / partial_fit ----------------------------------------------------------------------
    def _fit(self, X, y, sample_weight, incremental, classes=None):
        """fit (``incremental=False``) or partial_fit; one that raises (a divergence, bad
        data, an interrupt) leaves the estimator as it was before the call: not fitted after
        a failed first fit, its previous fitted state after a failed warm start or
        partial_fit, never a half-trained network that looks fitted."""
        before = self._state_before_fit(self._fresh_fit(incremental))
        try:
            return self._fit_steps(X, y, sample_weight, incremental, classes)
        except BaseException:
            self._put_back(before)
            raise

    def _fresh_fit(self, incremental):
        """Whether this fit or partial_fit starts from a new network (:meth:`_initialize`)."""
        return not hasattr(self, "model_") or (not incremental and not self.warm_start)

    def _state_before_fit(self, fresh):
        """What :meth:`_put_back` needs: the attributes, and copies of what training changes
        in place (the weights and L2 factors, the optimizer's memory, the shuffling generator)
        or appends to (the per-epoch records, by their lengths): one copy of the parameters
        and of the optimizer's memory per call, nothing that grows with the epochs run. A
        ``fresh`` fit replaces all of those (:meth:`_initialize`) before it changes them:
        the attributes alone then bring the previous state back."""
        attrs = dict(self.__dict__)
        model = attrs.get("model_")
        if model is None or fresh:
            return attrs, None
        layers = model.layers
        weights = [({k: v.copy() for k, v in layer.params.items()}, getattr(layer, "l2", None))
                   for layer in layers]
        # the optimizer's entries hold their layers: the copy refers to the same ones
        opt = copy.deepcopy(attrs.get("_optimizer"), {id(layer): layer for layer in layers})
        h = attrs.get("history_")
        records = None if h is None else (
            {k: len(v) for k, v in h.history.items()}, len(h.epoch),
            {k: v for k, v in vars(h).items() if k not in ("history", "epoch")})
        lengths = {k: len(v) for k in ("loss_curve_", "validation_scores_")
                   if isinstance(v := attrs.get(k), list)}
        return attrs, (weights, opt, copy.deepcopy(attrs.get("_rng")), records, lengths)

    def _put_back(self, before):
        attrs, inplace = before
        self.__dict__.clear()
        self.__dict__.update(attrs)
        if inplace is None:
            return
        weights, opt, rng, records, lengths = inplace
        for layer, (params, l2) in zip(self.model_.layers, weights):
            for k, v in params.items():
                layer.params[k][...] = v
            if l2 is not None:
                layer.l2 = l2
        self._optimizer, self._rng = opt, rng
        for k, n in lengths.items():
            del getattr(self, k)[n:]
        if records is not None:
            h, (sizes, n_epochs, flags) = self.history_, records
            for k in list(h.history):
                if k in sizes:
                    del h.history[k][sizes[k]:]
                else:
                    del h.history[k]
            del h.epoch[n_epochs:]
            for k, v in flags.items():
                setattr(h, k, v)

    def _fit_steps(self, X, y, sample_weight, incremental, classes):
        p = self._check_params()
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True (it holds out "
                             "part of the data given to fit); use fit, or "
                             "early_stopping=False")
        fitted = hasattr(self, "model_")
        first = self._fresh_fit(incremental)
        X, y = validate_data(self, X, y, reset=first, multi_output=True,
                             dtype=(np.float64, np.float32), y_numeric=self._y_numeric,
                             accept_sparse=("csr", "csc", "coo"))
        X = _dense(X)
        sw = _check_weights(sample_weight, X.shape[0])
        Y = self._encode_targets(y, first, incremental, classes)
        if first:
            self._initialize(X, Y, sw, p)
        elif p["dtype"] != self.model_.dtype:
            raise ValueError(f"dtype changed from {self.model_.dtype.name} to {p['dtype'].name} "
                             f"between calls; refit from scratch (warm_start=False)")
        else:
            self._check_same_network(p)
        if not incremental and not first:
            self._optimizer = p["opt_factory"]()  # warm start: fresh optimizer, as in MLP
        elif incremental and not first:
            self._follow_optimizer_setting(p)

        Xv = Yv = swv = tr = va = None
        if self.early_stopping and not incremental:
            # the training and validation rows of X are gathered block by block as they are
            # standardized: no X[tr], X[va] copies
            tr, va, Y, sw, Yv, swv = self._split_validation(X, Y, sw, p)

        # Scaling statistics: from the training rows at a fresh fit; running (merged) over
        # partial_fit calls, with the first layer compensated; kept as they are by warm_start.
        if self.standardize and (first or incremental):
            self._update_x_stats(X, sw, compensate=not first, rows=tr)
        Y = self._scale_targets(Y, sw, first, incremental)
        dt = p["dtype"]
        Xs = self._transform_X(X, dt, rows=tr)
        Yt = Y if Y.dtype.kind in "iu" else np.ascontiguousarray(Y, dtype=dt)
        if va is not None:
            Xv = self._transform_X(X, dt, rows=va)
            Yv = Yv if Yv.dtype.kind in "iu" else np.ascontiguousarray(
                self._scale_y(Yv), dtype=dt)
            self.validation_scores_ = [] if first or self.validation_scores_ is None \
                else self.validation_scores_
        validation = None if Xv is None else (Xv, Yv, swv)
        log = _EpochLog(self, len(Xs), validation)
        callbacks = [log]
        stop = None
        if not incremental:
            # MLP's rule: stop after more than n_iter_no_change epochs in a row without a gain
            # of tol on the best value so far (the validation loss, whose best epoch's weights
            # are put back, or the training loss, whose best carries over warm starts)
            stop = EarlyStopping(monitor="loss" if validation is None else "val_loss",
                                 patience=p["n_iter_no_change"] + 1, min_delta=p["tol"],
                                 restore_best_weights=validation is not None,
                                 baseline=self.best_loss_ if validation is None else None,
                                 rule="sklearn")
            callbacks.append(stop)
        for layer in self.model_.layers:
            if isinstance(layer, Dense):
                layer.l2 = p["alpha"]
        start = self.n_iter_
        bs = p["batch_size"]
        if bs != "auto" and bs > len(Xs):
            warnings.warn(f"{type(self).__name__}: got 'batch_size'={bs}, larger than sample "
                          f"size ({len(Xs)} training rows); it is clipped to {len(Xs)}",
                          UserWarning, stacklevel=user_stacklevel())
        net = self._network()
        try:
            h = net.fit(
                Xs, Yt, loss=self._training_loss(), optimizer=self._optimizer,
                epochs=1 if incremental else p["epochs"], batch_size=200 if bs == "auto" else bs,
                validation_data=validation, callbacks=callbacks, on_nonfinite="raise",
                initial_epoch=start, sample_weight=sw)
        except DivergenceError as exc:
            raise ValueError(self._divergence_message(net.history, p, fitted)) from exc
        finally:  # no rows of Xs stay in the nodes (nor keep Xs alive); pickles stay small
            self.model_._clear_caches()
        if incremental:  # as MLP's partial_fit: the lowest training loss so far
            best = np.inf if self.best_loss_ is None else self.best_loss_
            self.best_loss_ = min(best, self.loss_curve_[-1])
        elif stop is not None and validation is None:
            self.best_loss_ = stop.best
        elif stop is not None and stop.best_epoch is not None:
            self.best_validation_score_ = log.scores[stop.best_epoch - start]
            self.best_loss_ = None  # as MLP: with early stopping the validation score rules
        if not incremental and not (h.stopped_early or h.interrupted):
            warnings.warn(f"{type(self).__name__}: the maximum number of epochs ({p['epochs']}) "
                          f"was reached before the loss stopped improving; raise epochs or tol "
                          f"to silence this.", ConvergenceWarning, stacklevel=user_stacklevel())
        return self

    def _divergence_message(self, history, p, fitted):
        """The divergence error in the estimator's terms: fit's account of what happened
        (``history.stop_what``), a hint that names this estimator's parameters (fit's own
        hint names Dense(l2=...) and scaling by hand, which ``standardize`` does), and the
        state the failed call leaves (:meth:`_fit` puts back the one before it, so fit's
        clause on the weights it restored, the network's, is left out)."""
        base = f"{history.stop_what}."
        state = ("The estimator keeps its previous fitted state" if fitted else
                 "The estimator is left not fitted, as it was before this call")
        if not history.stop_hint_lr:  # not the step size (Adam's eps=0): fit's hint says what
            return f"{type(self).__name__}: {base} {history.stop_hint} {state}."
        name = "learning_rate" if isinstance(self.optimizer, str) \
            else f"lr in optimizer={type(self.optimizer).__name__}(...)"
        hint = f"Try a lower {name} (now {self._optimizer.lr:g})"
        if p["alpha"] > 0:
            hint += f" or a smaller alpha (now {p['alpha']:g})"
        if not self.standardize:
            what = "inputs" if isinstance(self, ClassifierMixin) else "inputs and targets"
            hint += f", and set standardize=True (it scales the {what})"
        return f"{type(self).__name__}: {base} {hint}. {state}."

    def _split_validation(self, X, Y, sw, p):
        """Training and validation row indices (sorted), then Y, sw of the training rows and
        Y, sw of the validation rows."""
        n = X.shape[0]
        n_val = int(np.ceil(p["validation_fraction"] * n))
        if n < 2:
            raise ValueError(f"early_stopping needs at least 2 samples, got n_samples={n}: "
                             f"one row cannot be split into training and validation rows")
        if n_val >= n:
            raise ValueError(f"validation_fraction={p['validation_fraction']} holds out all "
                             f"n_samples={n} rows for validation, leaving none to train on; "
                             f"lower it or pass more rows")
        idx = np.arange(n)
        strat = self._stratify_on(Y)
        try:
            tr, va = train_test_split(idx, test_size=n_val, random_state=self._split_seed,
                                      stratify=strat)
        except ValueError:  # a class too rare to stratify: fall back to a random split
            tr, va = train_test_split(idx, test_size=n_val, random_state=self._split_seed)
        tr.sort()
        va.sort()
        sw_tr = None if sw is None else sw[tr]
        sw_va = None if sw is None else sw[va]
        if sw_tr is not None and not sw_tr.sum() > 0:
            raise ValueError("all training rows left after the validation split weigh 0")
        if sw_va is not None and not sw_va.sum() > 0:
            sw_va = None
        return tr, va, Y[tr], sw_tr, Y[va], sw_va

    # -- MLPClassifier's views of the weights ---------------------------------------------------
    def _dense_params(self, name):
        check_is_fitted(self)
        out = []
        for layer in self.model_.layers:
            if isinstance(layer, Dense):
                view = layer.params[name].view()
                view.flags.writeable = False  # model_ is the network to change, not a view
                out.append(view)
        return out

    @property
    def coefs_(self):
        """Weight matrix of each Dense layer, shape (n_in, n_out), as MLPClassifier's (see the
        class docstring: on standardized inputs when standardize=True)."""
        return self._dense_params("W")

    @property
    def intercepts_(self):
        """Bias vector of each Dense layer, shape (n_out,), as MLPClassifier's."""
        return self._dense_params("b")

    @property
    def n_layers_(self):
        """Number of layers, the input and output layers counted, as MLPClassifier's."""
        return len(self.coefs_) + 1

    # -- pickling ---------------------------------------------------------------------------------
    def __setstate__(self, state):
        state = dict(state)
        for k in ("_x_stats", "_y_stats", "_x_moments", "_y_moments"):  # an older glassnet's
            if state.get(k) is not None:
                key, value = _upgraded_moments(k, state.pop(k))
                state[key] = value
        super().__setstate__(state)
        # the optimizer keys its state by its layers' ids again itself (Optimizer.__setstate__);
        # an older glassnet pickled its entries without their layer, keyed by position:
        opt = getattr(self, "_optimizer", None)
        model = getattr(self, "model_", None)
        if opt is not None and model is not None and opt.state:
            opt.state = {(id(model.layers[k[1]]), k[2]) if k[0] == "#layer" else k: v
                         for k, v in opt.state.items()}

    # -- glassnet's safe format -----------------------------------------------------------------
    _FITTED = ("n_features_in_", "n_outputs_", "out_activation_", "n_iter_", "t_", "loss_",
               "loss_curve_", "best_loss_", "validation_scores_", "best_validation_score_",
               "_multilabel", "_y_1d")
    _FITTED_ARRAYS = ("classes_", "x_mean_", "x_scale_", "y_mean_", "y_scale_",
                      "feature_names_in_")
    _FITTED_MOMENTS = ("_x_moments", "_y_moments")

    def save(self, path):
        """Save the fitted estimator to glassnet's safe model format (no pickle): the network,
        the hyperparameters and the fitted attributes (classes, scaling) in ``extra``.

        Load it back with ``type(self).load(path)``. The optimizer's memory is not saved: a
        loaded estimator predicts identically; ``partial_fit`` continues with a fresh optimizer
        of the estimator's ``optimizer`` setting (its state, e.g. Adam's moments, starts
        over). The validation split's seed and the shuffling generator are kept, so a
        warm-start fit holds out the same rows as the saved estimator would. ``optimizer``
        is stored when it is a name or an instance of one of glassnet's built-in optimizers
        (its type and settings, as model files store theirs); an optimizer class of your own
        cannot be (pickle the estimator instead). A ``random_state`` that is not an int is
        stored as None. The section carries the format version its structure needs
        (:data:`ESTIMATOR_FORMAT_VERSION` at most), so that a glassnet too old to read it says
        so instead of misreading it."""
        check_is_fitted(self)
        from .io import _OPTIMIZER_NAMES, _optimizer_config_to_json, save_model

        def plain(v):
            if isinstance(v, np.ndarray) and v.dtype.kind in "mM":
                # datetime64/timedelta64 labels as their int64 counts of the dtype's unit
                # (tolist() gives datetime objects, or ints for ns): loaded back exactly
                return {"__ndarray__": v.astype(np.int64).tolist(), "dtype": v.dtype.str}
            if isinstance(v, np.ndarray):
                return {"__ndarray__": v.tolist(), "dtype": v.dtype.str}
            if isinstance(v, (np.floating, np.integer, np.bool_)):
                return v.item()
            if isinstance(v, float) and not np.isfinite(v):
                return {"__float__": repr(v)}
            if isinstance(v, (list, tuple)):
                return [plain(x) for x in v]
            if isinstance(v, dict):
                return {k: plain(x) for k, x in v.items()}
            return v

        params = self.get_params()
        if params.get("dtype") is not None and not isinstance(params["dtype"], str):
            params["dtype"] = np.dtype(params["dtype"]).name  # np.float64 -> "float64"
        opt = params.get("optimizer")
        version = 1
        if not isinstance(opt, str):
            version = 2
            config = _optimizer_config_to_json(opt, warn=False)
            if config is None:
                raise ValueError(f"{type(self).__name__}.save() stores glassnet's built-in "
                                 f"optimizers ({', '.join(_OPTIMIZER_NAMES)}), by name or as "
                                 f"an instance, not optimizer={type(opt).__name__}(...); "
                                 f"pickle the estimator instead")
            params["optimizer"] = {"__optimizer__": config}
        if params.get("random_state") is not None and not isinstance(params["random_state"],
                                                                      numbers.Integral):
            params["random_state"] = None
        fitted = {k: plain(getattr(self, k)) for k in self._FITTED if hasattr(self, k)}
        for k in self._FITTED_ARRAYS:
            v = getattr(self, k, None)
            if v is not None:
                fitted[k] = plain(np.asarray(v))
        for k in self._FITTED_MOMENTS:
            v = getattr(self, k, None)
            if v is not None:
                fitted[k] = [plain(np.asarray(a)) for a in v]
        # the held-out rows of a later warm-start fit and the next shuffles, as in a pickle
        if isinstance(getattr(self, "_split_seed", None), numbers.Integral):
            fitted["_split_seed"] = int(self._split_seed)
        rng = getattr(self, "_rng", None)
        if isinstance(rng, np.random.Generator):
            fitted["_rng_state"] = plain(rng.bit_generator.state)
        h = getattr(self, "history_", None)
        if h is not None:  # per-epoch logs (val_loss, lr, ...) that loss_curve_ does not hold
            fitted["history_"] = plain({"history": h.history, "epoch": list(h.epoch),
                                        "stop_reason": h.stop_reason})
        extra = {"glassnet.sklearn": {"class": type(self).__name__, "version": version,
                                      "params": plain(params), "fitted": fitted}}
        return save_model(self.model_, path, extra=extra)

    @classmethod
    def load(cls, path):
        """Load an estimator written by :meth:`save`. A file whose estimator section is
        damaged (a missing entry, a wrong type, arrays of the wrong length or of a dtype
        :meth:`save` never writes, an attribute it never sets) raises
        ``glassnet.io.ModelFileError`` naming the file, before any large allocation."""
        try:
            est = cls._load(path)
            n = est.n_features_in_
            for k in ("x_mean_", "x_scale_"):
                if getattr(est, k) is not None and np.shape(getattr(est, k)) != (n,):
                    raise damaged(path, f"{k} has shape {np.shape(getattr(est, k))} for {n} "
                                        f"input features")
            return est
        except (KeyError, TypeError, AttributeError, IndexError, OverflowError) as exc:
            raise damaged(path, f"{type(exc).__name__}: {exc}") from None

    @classmethod
    def _load(cls, path):
        from .io import ModelFileError, _Checker, _optimizer_config_from_json, load_model
        loaded = load_model(path)
        model, extra = _model_and_extra(loaded)
        info = (extra or {}).get("glassnet.sklearn")
        if info is None:
            by = (extra or {}).get("created_by") if isinstance(extra, dict) else None
            how = ("written by `glassnet train`: use it with `glassnet predict` or "
                   "glassnet.load" if by == "glassnet train" else
                   "saved by glassnet.save / Sequential.save or a checkpoint, not by "
                   f"{cls.__name__}.save: load it with glassnet.load")
            raise ValueError(f"{path} holds a glassnet model but no scikit-learn estimator "
                             f"({how})")
        version = info.get("version", 1)   # (files from before it was written: 1)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise damaged(path, f"its version is {shown_value(version)}, not a whole number "
                                f">= 1")
        if version > ESTIMATOR_FORMAT_VERSION:
            raise ModelFileError(f"{path}: its scikit-learn estimator section is format "
                                 f"version {version}, newer than this glassnet reads "
                                 f"({ESTIMATOR_FORMAT_VERSION}): it was written by a newer "
                                 f"glassnet; upgrade glassnet", str(path))
        if info["class"] != cls.__name__:
            raise ValueError(f"{path} holds a {info['class']}, not a {cls.__name__}; load it "
                             f"with {info['class']}.load")

        def restore(v):
            if isinstance(v, dict) and "__optimizer__" in v:   # an optimizer instance
                return _optimizer_config_from_json(_Checker(str(path)), v["__optimizer__"],
                                                   "the estimator's optimizer")
            if isinstance(v, dict) and "__ndarray__" in v:
                return _saved_array(v["__ndarray__"], v.get("dtype"), path)
            if isinstance(v, dict) and "__float__" in v:
                return float(v["__float__"])
            return v

        params = {k: restore(v) for k, v in info["params"].items()}
        if isinstance(params.get("hidden_layer_sizes"), list):
            params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
        est = cls(**params)
        # what fit sets to None without standardize=True is not in the file: None again
        est._x_moments = est._y_moments = est.x_mean_ = est.x_scale_ = None
        if isinstance(est, GlassRegressor):
            est.y_mean_ = est.y_scale_ = None
        history = History()
        est._rng = None  # the file's shuffling generator, below
        est._split_seed = 0  # files from before it was kept
        # what save() writes (and older files' _x_stats): nothing else is set on the estimator
        known = {*cls._FITTED, *cls._FITTED_ARRAYS, *cls._FITTED_MOMENTS, "_x_stats",
                 "_y_stats", "_rng_state", "_split_seed", "history_"}
        unknown = [k for k in info["fitted"] if k not in known]
        if unknown:
            raise damaged(path, f"it sets {shown_value(unknown[0])}, not a fitted attribute "
                                f"{cls.__name__}.save writes")
        for k, v in info["fitted"].items():
            if k == "_rng_state":
                est._rng = _generator_from_state(v, path)
                continue
            if k == "_split_seed" and (isinstance(v, bool) or not isinstance(v, int)):
                raise damaged(path, f"its split seed is {shown_value(v)}, not an integer")
            if k == "history_":
                history.history = {str(name): [float(restore(x)) for x in vals]
                                   for name, vals in v.get("history", {}).items()}
                history.epoch = [int(e) for e in v.get("epoch", [])]
                history.stop_reason = v.get("stop_reason")
                continue
            if k in ("_x_stats", "_y_stats", "_x_moments", "_y_moments"):
                k, v = _upgraded_moments(k, [restore(a) for a in v])
            else:
                v = restore(v)
            setattr(est, k, v)
        if isinstance(est.loss_curve_, np.ndarray):
            est.loss_curve_ = est.loss_curve_.tolist()
        est.model_ = model
        est._optimizer = est._check_params()["opt_factory"]()
        if est._rng is None:  # a file from before it was kept: fresh shuffles (loading never
            est._rng = np.random.default_rng(  # draws from NumPy's global random state)
                None if est.random_state is None else _seed_from(est.random_state))
        est.history_ = history   # empty for files written before it was kept
        return est


# The structure of the estimator section of a model file. save() writes the lowest version
# that reads what it stores, so a file without a newer structure stays readable by releases
# that read only older ones; raise it with each new structure. 2: params.optimizer may be
# an optimizer instance ({"__optimizer__": its type and settings}).
ESTIMATOR_FORMAT_VERSION = 2

# the dtypes save() writes a fitted array in: numbers and bools, datetimes (as int64 counts),
# str labels and object arrays (feature_names_in_), the last two as lists of plain values
_SAVED_KINDS = "biufMmUO"
_PLAIN_VALUES = {"U": (str,), "O": (str, int, float, bool, type(None))}


def damaged(path, why):
    """The ModelFileError of a file whose estimator section is damaged: ``why`` says how."""
    from .io import ModelFileError
    problem = f"its scikit-learn estimator section is damaged ({why})"
    return ModelFileError(f"{path}: {problem}", str(path), problem)


def _saved_array(values, dtype, path):
    """A fitted array save() wrote as ``{"__ndarray__": values, "dtype": dtype}``. The dtype
    string comes from the file: one that is not a plain scalar dtype of :data:`_SAVED_KINDS`
    (a subarray dtype such as "(16000,16000)f8" makes every element a block of gigabytes; a
    record dtype) is a ModelFileError before anything is allocated. Str labels are taken at
    their own width, not at the file's: a declared "<U400000000" would take 1.6 GB a value.
    So an array never takes more than a few times the bytes its values took in the file."""
    try:
        dt = np.dtype(dtype) if isinstance(dtype, str) else None
    except (TypeError, ValueError):
        dt = None
    if dt is None or dt.kind not in _SAVED_KINDS or dt.shape or dt.names:
        raise damaged(path, f"an array's dtype {shown_value(dtype)} is not one glassnet writes")
    if dt.kind in _PLAIN_VALUES and not (isinstance(values, list) and all(
            isinstance(v, _PLAIN_VALUES[dt.kind]) for v in values)):
        raise damaged(path, f"an array of dtype {dt.str} must be a list of "
                            f"{'str' if dt.kind == 'U' else 'plain'} values")
    try:
        if dt.kind == "U":
            arr = np.array(values, dtype=str) if values else np.empty(0, dtype=dt)
            if arr.itemsize > dt.itemsize:
                raise ValueError(f"a value longer than its {dt.itemsize // 4} characters")
            return arr
        return np.array(values, dtype=dt)
    except (TypeError, ValueError, OverflowError) as exc:
        raise damaged(path, f"an array of dtype {dt.str} holds other values: {exc}") from None


def _generator_from_state(state, path):
    """The NumPy Generator whose ``bit_generator.state`` a model file recorded."""
    name = state.get("bit_generator") if isinstance(state, dict) else None
    bit = getattr(np.random, name, None) if isinstance(name, str) else None
    if not (isinstance(bit, type) and issubclass(bit, np.random.BitGenerator)):
        raise damaged(path, "its random state names no NumPy bit generator")
    gen = bit()
    try:
        gen.state = state
    except (TypeError, ValueError, KeyError) as exc:
        raise damaged(path, f"its random state does not fit its bit generator ({exc})") \
            from None
    return np.random.Generator(gen)


def _plain_label(v):
    """A label as a user wrote it: 0, not np.int64(0)."""
    return v.item() if isinstance(v, np.generic) else v


def _init_signature(cls):
    """``cls.__init__``'s signature without ``self``: what ``inspect.signature(cls)`` shows."""
    sig = inspect.signature(cls.__init__)
    return sig.replace(parameters=list(sig.parameters.values())[1:])


@functools.cache
def _param_names(cls):
    return frozenset(cls._get_param_names())


_GlassBase.__signature__ = _init_signature(_GlassBase)


def _model_and_extra(loaded):
    """``glassnet.io.load_model`` may return the model with ``extra`` attached, or a pair."""
    if isinstance(loaded, tuple):
        return loaded[0], loaded[1]
    return loaded, getattr(loaded, "extra", None)


# ------------------------------------------------------------------------------------------
# the two estimators
# ------------------------------------------------------------------------------------------

_PARAMS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default=(100,)
        Width of each hidden layer; ``()`` gives a linear model.
    activation : str, default="relu"
        Hidden activation: "relu", "tanh", "logistic", "identity", "gelu", "elu",
        "leaky_relu", "softplus" (glassnet's names).
    optimizer : str or glassnet.optim.Optimizer, default="adam"
        "adam", "adamw", "sgd", "momentum", "nesterov", "rmsprop", "adagrad", or an instance
        (copied at each fit; its own ``lr`` then wins over ``learning_rate``). "sgd" is plain
        SGD; MLPClassifier's ``solver="sgd"`` adds Nesterov momentum 0.9 by default, which
        is ``optimizer="nesterov"`` here.
    learning_rate : float, default=1e-3
    batch_size : int or "auto", default="auto"
        "auto" is min(200, n_samples), as in MLPClassifier.
    epochs : int, default=200
        Maximum number of passes over the data (MLPClassifier's ``max_iter``).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows{stratified}, stop when
        the validation loss has not improved by ``tol`` for ``n_iter_no_change`` epochs, and
        restore the weights of the best epoch. Otherwise the training loss is monitored.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=10
    tol : float, default=1e-4
    alpha : float, default=1e-4
        L2 penalty on the weights (not the biases), on MLPClassifier's scale.
    standardize : bool, default=True
        Centre and scale every input column{and_target} with the
        (weighted) training statistics; running statistics over ``partial_fit`` calls.
    random_state : int, RandomState, Generator or None, default=None
        Seeds the initial weights, the shuffling and the validation split. None draws the
        seed from NumPy's global random state (``np.random.seed`` makes runs repeatable),
        as scikit-learn's estimators do.
    dtype : "float32" or "float64", default="float32"
        Precision of the network's arithmetic.
    warm_start : bool, default=False
        ``fit`` continues from the current weights (and scaling) instead of starting over.
    verbose : int, default=0
        Print one line per epoch.

    Attributes
    ----------
    model_ : glassnet.Sequential
        The trained network (inputs standardized with ``x_mean_``/``x_scale_``).
    coefs_ : list of ndarray of shape (n_in, n_out)
        Weight matrix of each Dense layer of ``model_``, as MLP's (read-only views, in
        ``dtype``; change ``model_`` itself). With ``standardize=True`` these are the weights
        on the *standardized* inputs{coef_target}, so they
        differ from an MLP's fitted on the raw columns.
    intercepts_ : list of ndarray of shape (n_out,)
        Bias vector of each Dense layer (read-only views).
    n_layers_ : int
        Number of layers, input and output counted: ``len(hidden_layer_sizes) + 2``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.
    n_outputs_ : int
        Units of the output layer.
    out_activation_ : str
        {out_activation}.
    x_mean_, x_scale_ : ndarray of shape (n_features_in_,) or None
    loss_ : float
        Training loss of the last epoch (with the L2 term).
    loss_curve_ : list of float
        Training loss of every epoch.
    best_loss_ : float or None
        Lowest training loss (None with early_stopping, as in MLP).
    validation_scores_ : list of float or None
        Validation score ({score}) of every epoch, with early_stopping.
    best_validation_score_ : float or None
        Validation score of the epoch whose weights were kept.
    n_iter_ : int
        Epochs run (accumulated over partial_fit and warm starts).
    t_ : int
        Training samples seen.
    history_ : glassnet.train.History
        Per-epoch "loss", and "val_loss"/"val_score" with early stopping, and "lr".
"""


def _class_doc(summary, attributes, own):
    """``summary``, the shared parameters and the class's own ``attributes`` as one docstring,
    unindented on every Python (Python >= 3.13 unindents ``summary`` but not the rest);
    ``own`` maps each {placeholder} of ``_PARAMS_DOC`` to the class's own text."""
    shared = _PARAMS_DOC
    for key, text in own.items():
        assert "{" + key + "}" in shared, key
        shared = shared.replace("{" + key + "}", text)
    return inspect.cleandoc(summary) + "\n\n" + inspect.cleandoc(shared + attributes)


class GlassClassifier(ClassifierMixin, _GlassBase):
    """A glassnet multilayer perceptron as a scikit-learn classifier.

    Binary (one sigmoid unit), multi-class (softmax) and multi-label (y a 0/1 indicator
    matrix: one sigmoid per label) targets; labels of any type (strings included).
    """

    __doc__ = _class_doc(__doc__, """    classes_ : ndarray
        Class labels (for multi-label targets, 0..n_labels-1).
    """, {"stratified": " (stratified)", "and_target": "", "coef_target": "",
          "out_activation": '"softmax" (multi-class) or "logistic" (binary, multi-label)',
          "score": "accuracy"})
    _y_numeric = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def _n_units(self):
        return 1 if len(self.classes_) == 2 else len(self.classes_)

    def _encode_targets(self, y, first, incremental, classes):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        kind = type_of_target(y)
        if kind == "multiclass-multioutput":
            raise ValueError(f"{type(self).__name__} does not support multiclass-multioutput "
                             f"targets (2-D y with more than two values); multi-label targets "
                             f"must be a 0/1 indicator matrix")
        multilabel = kind.startswith("multilabel")
        if first:
            if multilabel:
                labels = np.arange(y.shape[1])
                if classes is not None and len(unique_labels(classes)) != y.shape[1]:
                    raise ValueError(f"classes has {len(unique_labels(classes))} labels but y "
                                     f"has {y.shape[1]} columns")
            elif incremental:
                if classes is None:
                    raise ValueError("classes must be passed on the first call to partial_fit "
                                     "(all the labels the data will ever hold)")
                labels = unique_labels(classes)
            else:
                labels = unique_labels(y)
            if len(labels) < 2 and not multilabel and incremental:
                raise ValueError(f"classes={classes!r} names one class; partial_fit's first "
                                 f"call needs every label the data will ever hold (at least 2)")
            if len(labels) < 2 and not multilabel:
                raise ValueError(f"{type(self).__name__} needs samples of at least 2 classes "
                                 f"in the data, but the data contains only one class: "
                                 f"{_plain_label(labels[0])!r}")
            self.classes_ = labels
            self._multilabel = multilabel
            self.out_activation_ = "softmax" if (len(labels) > 2 and not multilabel) \
                else "logistic"
        else:
            if multilabel != self._multilabel or (multilabel and y.shape[1] != len(self.classes_)):
                raise ValueError("y has a different kind of target (or number of labels) than "
                                 "in the previous fit; refit with warm_start=False")
            if incremental and classes is not None and not np.array_equal(
                    unique_labels(classes), self.classes_):
                raise ValueError(f"classes={classes!r} differs from the classes of the first "
                                 f"partial_fit call {self.classes_!r}")
        if multilabel:
            return np.asarray(y, dtype=np.float64)
        unseen = np.setdiff1d(unique_labels(y), self.classes_)
        if unseen.size:
            raise ValueError(f"y contains labels {unseen.tolist()!r} that are not in classes_ "
                             f"{self.classes_.tolist()!r}"
                             + ("; pass every label in `classes` on the first partial_fit call"
                                if incremental else "; refit with warm_start=False"))
        codes = np.searchsorted(self.classes_, y)
        if len(self.classes_) == 2:
            return (codes == 1).astype(np.float64).reshape(-1, 1)
        return codes.astype(np.int64)

    def _stratify_on(self, Y):
        if self._multilabel:
            return None
        return Y.ravel() if Y.ndim == 2 else Y

    def _scale_targets(self, Y, sw, first, incremental):
        return Y

    def _scale_y(self, Y):
        return Y

    def _val_score(self, z, Yv, swv):
        if self.out_activation_ == "softmax":
            pred = z.argmax(axis=1)
        else:
            pred = (z > 0).astype(Yv.dtype)
            if not self._multilabel:
                pred, Yv = pred.ravel(), Yv.ravel()
        return accuracy_score(Yv, pred, sample_weight=swv)

    def fit(self, X, y, sample_weight=None):
        """Train on X of shape (n_samples, n_features) and y of shape (n_samples,) (any
        labels) or (n_samples, n_labels) (0/1 multi-label); returns self."""
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One pass (epoch) of mini-batch training over (X, y), keeping the optimizer's memory
        between calls (a changed ``learning_rate`` is applied to it; a changed ``optimizer``
        replaces it). ``classes`` (every label the stream will hold) is required on the
        first call, except for multi-label indicator targets."""
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes) (for multi-label targets, the
        probability of each label)."""
        p = self._output(X)
        if self.out_activation_ == "logistic" and not self._multilabel:
            p = np.hstack([1.0 - p, p])
        return p

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Predicted labels, shape (n_samples,) (multi-label: a 0/1 matrix)."""
        p = self._output(X)
        if self._multilabel:
            return (p > 0.5).astype(int)
        if self.out_activation_ == "softmax":
            return self.classes_[p.argmax(axis=1)]
        return self.classes_[(p[:, 0] > 0.5).astype(int)]


class GlassRegressor(RegressorMixin, _GlassBase):
    """A glassnet multilayer perceptron as a scikit-learn regressor (one or several outputs,
    squared-error loss, identity output)."""

    __doc__ = _class_doc(__doc__, """    y_mean_, y_scale_ : ndarray of shape (n_outputs_,) or None
        Target scaling (with standardize=True). The network learns the standardized targets,
        so ``loss_``, ``loss_curve_``, ``best_loss_`` and ``tol`` are in their units. The
        loss is ½·squared error summed over the outputs (and averaged over the rows): about
        0.5 per output for a model no better than the mean. MLPRegressor's loss averages
        over the outputs instead and is in the targets' own units (var(y)/2 for that model,
        with one output). So ``tol`` is on another scale here, and ``alpha`` weighs the L2
        term against this loss: for one output, one var(y) times smaller than
        MLPRegressor's; for k outputs, a sum over them rather than a mean.
    """, {"stratified": "", "and_target": " and every target", "out_activation": '"identity"',
          "coef_target": " (the last layer's giving standardized targets)",
          "score": "R²"})
    _y_numeric = True

    def _encode_targets(self, y, first, incremental, classes):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if first:
            self._y_1d = y.ndim == 1
            self.out_activation_ = "identity"
        Y = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        if not first and Y.shape[1] != self.n_outputs_:
            raise ValueError(f"y has {Y.shape[1]} output(s) but the model was fitted with "
                             f"{self.n_outputs_}; refit with warm_start=False")
        return Y

    def _stratify_on(self, Y):
        return None

    def _scale_targets(self, Y, sw, first, incremental):
        if not self.standardize:
            self.y_mean_ = self.y_scale_ = None
            return Y
        if first or incremental:
            new = _moments(Y, sw)
            old_mean, old_scale = getattr(self, "y_mean_", None), getattr(self, "y_scale_", None)
            old_flat = None if self._y_moments is None else _unscaled(self._y_moments)
            self._y_moments = new if self._y_moments is None \
                else _merge_stats(self._y_moments, new)
            self.y_mean_, self.y_scale_ = self._y_moments[1], _scale_of(self._y_moments)
            if not first and old_mean is not None:
                # same function of the raw targets: o' = (o·σ₁ + μ₁ − μ₂)/σ₂, but for an
                # output constant so far (as for inputs: nothing learned to carry over)
                dense = self.model_.layers[-1]
                W, b = dense.params["W"], dense.params["b"]
                r = np.where(old_flat, 1.0, old_scale / self.y_scale_)
                move = np.where(old_flat, 0.0,
                                _standardized(old_mean, self.y_mean_, self.y_scale_))
                W *= r.astype(W.dtype)
                b[...] = (b.astype(np.float64) * r + move).astype(b.dtype)
        return self._scale_y(Y)

    def _scale_y(self, Y):
        if getattr(self, "y_mean_", None) is None:
            return Y
        return _standardized(Y, self.y_mean_, self.y_scale_)

    def _val_score(self, z, Yv, swv):
        return r2_score(Yv, z, sample_weight=swv)

    def _initialize(self, X, Y, sw, p):
        super()._initialize(X, Y, sw, p)
        self.y_mean_ = self.y_scale_ = None

    def fit(self, X, y, sample_weight=None):
        """Train on X of shape (n_samples, n_features) and y of shape (n_samples,) or
        (n_samples, n_outputs); returns self."""
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, sample_weight=None):
        """One pass (epoch) of mini-batch training over (X, y), keeping the optimizer's memory
        between calls (a changed ``learning_rate`` is applied to it; a changed ``optimizer``
        replaces it)."""
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predictions, shape (n_samples,) or (n_samples, n_outputs)."""
        out = self._output(X)
        if self.y_mean_ is not None:
            out = out * self.y_scale_ + self.y_mean_
        return out.ravel() if self.n_outputs_ == 1 and self._y_1d else out
