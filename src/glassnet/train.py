"""The fit loop: epochs of shuffled mini-batches, each a forward pass, a loss, a backward pass
and an optimizer step; callbacks around them; validation and metrics at each epoch's end.

The loop is the hot path of the library, so it is written to do nothing twice: the data is
validated and cast once, each batch is gathered into one reused buffer, the first layer skips
the gradient of the data, and the optimizer updates parameters in place. The list of
parameter arrays is taken once; a custom node that assigns new arrays to its ``grads`` or
``params`` (``self.grads["W"] = x.T @ dy``) is found on the first step, and the list is then
taken afresh at every step, so such a node trains too. The first step also checks what each
node's ``backward`` returns.

Per-row ``sample_weight`` w makes each batch's cost the weighted mean Σ wᵢ·ℓᵢ / Σ wᵢ of the
rows' losses (see :mod:`glassnet.losses`), and each epoch's logged loss the weighted mean over
the epoch; without it none of that work is done. Dense layers with ``l2=α`` add
α·‖W‖²/(2·Σw) to each batch's cost and α·W/Σw to dW (Σw: the batch's total weight, its row
count without weights).
"""
from __future__ import annotations

import contextlib
import copy
import inspect
import math
import numbers
import os
import signal
import sys
import threading
import time
import warnings

import numpy as np

from . import activations as _act
from . import losses as _losses
from ._validate import (_first_non_numeric, check_array, check_consistent_length,
                        check_flag, check_fraction, check_positive_int, missing_entries,
                        pandas_index, read_array, row_name)
from .callbacks import Callback, user_stacklevel
from .layers import Dense, check_backward_output, unchecked_backward
from .model import PREDICT_CHUNK


class DivergenceError(RuntimeError):
    """Training produced a non-finite loss (raised when ``on_nonfinite="raise"``)."""


class History(Callback):
    """What ``fit`` returns: per-epoch values, as in Keras.

    Attributes
    ----------
    history : dict of str -> list of float
        ``"loss"``, each metric, ``"val_loss"`` and ``"val_<metric>"`` when validating, and
        ``"lr"``.
    epoch : list of int
    stopped_early, diverged, interrupted : bool
        Why training ended before ``epochs`` (if it did). An epoch that diverged is recorded
        with every value NaN but ``"lr"``; an epoch cut short by Ctrl-C is not recorded, one
        that ``model.stop_training = True`` (set in ``on_batch_end``) cut short is, with the
        loss and metrics of the batches it ran (as in Keras).
    stop_reason : str or None
        Why training ended early, in words (e.g. "early stopping: val_loss did not improve
        for 10 epochs (best ... at epoch ...)", or "stopped by a callback (model.stop_training
        = True) after epoch 3" when a callback that stopped training left it None); None when
        all ``epochs`` ran. A callback that sets ``model.stop_training`` may set it to say
        why (EarlyStopping does).
    stop_what, stop_restored, stop_hint, stop_base : str or None
        The parts of a divergence's ``stop_reason``, for whoever words it anew: what happened
        ("training diverged: the loss became non-finite at epoch 3, batch 7"), what was done
        about the weights ("the weights from the start of that epoch were restored.", or ""),
        the hint (what to try, or ""), and ``stop_base``, "{stop_what}; {stop_restored}"
        (``stop_reason`` is "{stop_base} {stop_hint}", and a sentence when EarlyStopping
        then put back its best weights). None when training did not diverge.
    model : Sequential
        The model that was trained (set by ``fit``, as on every callback).
    """

    def __init__(self):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.stopped_early = False
        self.diverged = False
        self.interrupted = False
        self.stop_reason = None
        # a divergence's stop_reason in parts (see above)
        self.stop_what = self.stop_restored = self.stop_hint = self.stop_base = None
        self.stop_hint_lr = False   # whether the hint is to lower the learning rate

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(float(v))

    def add_late_values(self, logs):
        """Record the numbers other callbacks put in this epoch's ``logs`` after History ran
        (``fit`` calls it once every callback has seen the epoch; Keras runs its History last).
        History runs first so that a checkpoint written at the epoch's end holds the epoch; a
        key that first appears at a later epoch has NaN for the earlier ones."""
        n = len(self.epoch)
        for k, v in (logs or {}).items():
            col = self.history.get(k)
            if col is not None and len(col) >= n:
                continue
            try:
                v = float(v)
            except (TypeError, ValueError):
                continue   # not a number: nothing to plot or compare
            col = self.history.setdefault(k, [])
            col.extend([math.nan] * (n - 1 - len(col)))
            col.append(v)

    def to_csv(self, path, first_epoch=0):
        """Write one row per epoch (epoch, then every logged value). Epochs are numbered from
        0, as ``fit`` and CSVLogger number them; ``first_epoch=1`` counts from 1 instead."""
        from .io import atomic_write_text
        keys = list(self.history)
        lines = [",".join(["epoch", *keys])]
        for i, e in enumerate(self.epoch):
            lines.append(",".join([str(e + first_epoch),
                                   *(repr(self.history[k][i]) if i < len(self.history[k])
                                     else "" for k in keys)]))
        atomic_write_text(path, "\n".join(lines) + "\n")

    def __repr__(self):
        last = {k: round(v[-1], 6) for k, v in self.history.items() if v}
        return f"History(epochs={len(self.epoch)}, last={last})"


def _optional_number(value, name, owner):
    """None or a number (not NaN, not a bool): a monitored value's starting point."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real)
                              or math.isnan(value)):
        raise ValueError(f"{owner} {name} must be None or a number, got {value!r}")
    return value


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs, and
    (by default) put back the weights of the best epoch.

    ``monitor`` defaults to ``"val_loss"``; without validation data it falls back to
    ``"loss"`` with a warning (a key that is not logged falls back the same way, and the key
    watched instead is followed in its own direction, whatever ``mode`` says; ``"val_acc"``
    watches ``"val_accuracy"``). ``baseline``: training stops after ``patience`` epochs unless
    the value beats it (as Keras 3: the best epoch is still followed, and put back, when none
    does).

    ``rule`` says what "improved" means (for ``mode="min"``; mirrored for ``"max"``):

    * ``"keras"`` (default): an epoch improves when value < best − min_delta, and only such an
      epoch becomes the new best.
    * ``"sklearn"``: scikit-learn MLP's ``tol``/``n_iter_no_change`` rule. The patience
      counter uses the same test, but the best value (and the weights kept) follow every epoch
      with value < best, however small the gain; so training stops after ``patience`` epochs
      in a row each gained less than min_delta on the best before it
      (MLPClassifier's ``n_iter_no_change`` is ``patience - 1``).

    With ``restore_best_weights`` the best epoch's weights are put back when training ends,
    however it ends (patience run out, the last epoch reached, Ctrl-C, divergence), as
    Keras 3 does (tf.keras 2 put them back only when it stopped training itself);
    ``restored_epoch`` then holds that epoch (from 0), else None, and ``fit``'s Ctrl-C
    message names it.
    """

    def __init__(self, monitor="val_loss", patience=10, min_delta=0.0, mode="auto",
                 restore_best_weights=True, baseline=None, rule="keras"):
        self.monitor = monitor
        self.patience = check_positive_int(patience, "patience", minimum=0)
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real) \
                or not math.isfinite(min_delta):
            raise ValueError(f"EarlyStopping min_delta must be a finite number, got "
                             f"{min_delta!r}")
        self.min_delta = abs(float(min_delta))
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping mode must be 'auto', 'min' or 'max', got {mode!r}")
        if rule not in ("keras", "sklearn"):
            raise ValueError(f"EarlyStopping rule must be 'keras' or 'sklearn', got {rule!r}")
        self.mode = mode
        self.restore_best_weights = check_flag(restore_best_weights, "restore_best_weights",
                                               "EarlyStopping")
        self.baseline = _optional_number(baseline, "baseline", "EarlyStopping")
        self.rule = rule

    def _better(self, a, b):
        return a > b + self.min_delta if self._max else a < b - self.min_delta

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.best = None
        self.best_epoch = None
        self.best_weights = None
        self.stopped_epoch = None
        self.restored_epoch = None
        self._key = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._key is None:
            self._key, self._max = self._monitored(logs)
            if self._key is None:
                return
        value = logs.get(self._key)
        if value is None or not math.isfinite(value):
            return
        if self.best is None or self._better(value, self.best):
            self._new_best(value, epoch)
            # as Keras 3: the wait starts over only when the value also beats the baseline;
            # the best epoch is followed (and put back) whether or not it does
            if self.baseline is None or self._better(value, self.baseline):
                self.wait = 0
            else:
                self.wait += 1
        else:
            if self.rule == "sklearn" and (value > self.best if self._max else value < self.best):
                self._new_best(value, epoch)
            self.wait += 1
            if self.wait >= self.patience:  # as Keras: `patience` epochs without improvement
                self.stopped_epoch = epoch
                self.model.stop_training = True
                at = "" if self.best_epoch is None else f" at epoch {self.best_epoch + 1}"
                self.model.history.stop_reason = (
                    f"early stopping: {self._key} did not improve for {self.wait} epochs "
                    f"(best {self.best:.6g}{at})" if self.baseline is None or
                    self._better(self.best, self.baseline) else
                    f"early stopping: {self._key} did not beat the baseline "
                    f"{self.baseline:g} in {self.wait} epochs (best {self.best:.6g}{at})")

    def _new_best(self, value, epoch):
        self.best, self.best_epoch = value, epoch
        if self.restore_best_weights:
            self.best_weights = self.model.get_weights()

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)
            self.restored_epoch = self.best_epoch


class LearningRateScheduler(Callback):
    """Set the optimizer's learning rate at the start of each epoch.

    ``schedule`` is a schedule object with ``lr_at(epoch, base_lr)`` (see
    :mod:`glassnet.optim`) or a function ``f(epoch, lr) -> new lr`` (Keras style; a function
    of the epoch alone, ``f(epoch)``, as Keras also takes).
    """

    def __init__(self, schedule):
        if not (hasattr(schedule, "lr_at") or callable(schedule)):
            raise TypeError("schedule must have lr_at(epoch, base_lr) or be callable")
        self.schedule = schedule
        self._epoch_only = False
        if not hasattr(schedule, "lr_at"):
            try:
                sig = inspect.signature(schedule)
            except (TypeError, ValueError):  # no signature to read: called as f(epoch, lr)
                sig = None
            if sig is not None:
                try:
                    sig.bind(0, 0.1)
                except TypeError:
                    try:
                        sig.bind(0)
                    except TypeError:
                        raise TypeError("schedule must be a function f(epoch, lr) or "
                                        "f(epoch) returning the new learning rate") from None
                    self._epoch_only = True

    def on_train_begin(self, logs=None):
        # The base rate is remembered on the optimizer (as torch's ``initial_lr``), so a
        # training resumed from a checkpoint schedules from the same base.
        opt = self.model.optimizer
        base = getattr(opt, "initial_lr", None)   # (0 is a base too: lr=0 is allowed)
        self.base_lr = opt.lr if base is None else base
        opt.initial_lr = self.base_lr

    def on_epoch_begin(self, epoch, logs=None):
        opt = self.model.optimizer
        if hasattr(self.schedule, "lr_at"):
            lr = self.schedule.lr_at(epoch, self.base_lr)
        else:
            lr = self.schedule(epoch) if self._epoch_only else self.schedule(epoch, opt.lr)
        if not (isinstance(lr, (int, float, np.floating)) and math.isfinite(lr) and lr >= 0):
            raise ValueError(f"the learning-rate schedule returned {lr!r} at epoch {epoch}")
        opt.lr = float(lr)


def _ends_a_line(path) -> bool:
    """Whether the file ``path`` ends with a line end."""
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1) in (b"\n", b"\r")


class CSVLogger(Callback):
    """Append one CSV row per epoch to ``path`` as training goes (flushed each epoch), so a
    crash or Ctrl-C keeps the history so far.

    Parameters
    ----------
    path : str or path-like
        The CSV file: a header row (``epoch`` and the logged keys), then one row per epoch.
    append : bool, default False
        False: the file is truncated when training begins, and the header is written with the
        first row. True: rows are added to the end of an existing file under its header (no
        second header; logged keys not in it are dropped, with one warning); a missing or
        headerless file gets a header first. A fit that continues a run
        (``initial_epoch=k``, k > 0, as :func:`glassnet.io.resume` passes) first removes the
        file's rows of epochs k and later, atomically: a run killed after logging them left
        them, and they are logged again, so the file has each epoch once. A file whose header
        does not start with ``epoch`` (not a CSVLogger's) is left as it is, and so is a fit
        from epoch 0 (a new run appended to the log of earlier ones).
    """

    def __init__(self, path, append=False):
        self.path = _file_path(path, "CSVLogger")
        self.append = check_flag(append, "append", "CSVLogger")

    def on_train_begin(self, logs=None):
        self._keys = None
        if self.append:  # keep the columns of the file being appended to
            from .io import logged_columns
            header = logged_columns(self.path)
            if header is not None:
                self._keys = header[1:]
        self._f = open(self.path, "a" if self.append else "w", encoding="utf-8",
                       newline="")  # "\n" on every platform, as every file glassnet writes
        if self.append and self._f.tell() and not _ends_a_line(self.path):
            self._f.write("\n")   # a row cut short (a kill mid-write): not joined to the next
        self._dropped_warned = False
        self._first_epoch = self.append   # unknown until fit's first on_epoch_begin

    def on_epoch_begin(self, epoch, logs=None):
        if self._first_epoch:
            self._first_epoch = False
            if epoch > 0:
                from .io import drop_logged_epochs
                self._f.close()   # (Windows cannot replace a file that is open)
                drop_logged_epochs(self.path, epoch)
                self._f = open(self.path, "a", encoding="utf-8", newline="")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._keys is None:
            self._keys = list(logs)
            self._f.write(",".join(["epoch", *self._keys]) + "\n")
        dropped = [k for k in logs if k not in self._keys]
        if dropped and not self._dropped_warned:
            self._dropped_warned = True
            warnings.warn(f"CSVLogger: {os.fspath(self.path)!r} has the columns "
                          f"{', '.join(self._keys)}; not written: {', '.join(dropped)} "
                          f"(append=False starts a new file)", RuntimeWarning,
                          stacklevel=user_stacklevel())
        self._f.write(",".join([str(epoch), *(repr(float(logs[k])) if k in logs else ""
                                              for k in self._keys)]) + "\n")
        self._f.flush()

    def on_train_end(self, logs=None):
        self._f.close()


class ModelCheckpoint(Callback):
    """Save the model every ``every`` epochs (or only when ``monitor`` improves, with
    ``save_best_only``), atomically: a crash mid-write leaves the previous file intact.

    With ``training_state=True`` the optimizer state, epoch, history and random state are
    saved too, so ``glassnet.io.resume(path, X, y, epochs=...)`` continues exactly where it
    stopped.

    ``path`` may hold ``str.format`` fields, filled in at each save as Keras does: ``epoch``
    (counted from 1) and the logged values, e.g. ``"ckpt-{epoch:03d}-{val_loss:.3f}.gnet"``
    keeps one file per save (``{acc}``/``{val_acc}`` as in Keras); a field fit will not log
    fails as training begins. An epoch that diverged (its logged loss is NaN) is never saved;
    with ``save_best_only`` a non-finite monitored value (a NaN validation loss) is never a
    new best, and later epochs are still compared with the last finite best.

    ``initial_value_threshold`` (as in Keras), with ``save_best_only``: the value an epoch
    must beat to be saved at all. In a run continued by ``glassnet.io.resume`` it defaults to
    the best monitored value of the epochs the checkpoint holds, so the first resumed epoch
    does not replace the best file unless it is better.
    """

    def __init__(self, path, every=1, save_best_only=False, monitor="val_loss", mode="auto",
                 training_state=True, initial_value_threshold=None):
        self.path = _file_path(path, "ModelCheckpoint")
        self.every = check_positive_int(every, "every")
        self.monitor = monitor
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"ModelCheckpoint mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.mode = mode
        self.training_state = check_flag(training_state, "training_state", "ModelCheckpoint")
        self.save_best_only = check_flag(save_best_only, "save_best_only", "ModelCheckpoint")
        self.initial_value_threshold = _optional_number(
            initial_value_threshold, "initial_value_threshold", "ModelCheckpoint")
        self.best = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if not math.isfinite(logs.get("loss", 0.0)):
            return  # a diverged epoch: its weights were put back to its start, nothing to save
        if self.save_best_only:
            key, mx = self._monitored(logs)
            if key is None:
                return
            v = logs[key]
            if v is None or not math.isfinite(v) or (
                    self.best is not None and (v <= self.best if mx else v >= self.best)):
                return  # a NaN/inf value is never a new best (nor compared with), as Keras
            self.best = v
        elif (epoch + 1) % self.every:
            return
        self.save(epoch, logs)

    def on_train_begin(self, logs=None):
        """Fill the path in once with the keys fit will log (each 0.0), so a field that can
        never be filled in fails now, not after the first epoch; so does an optimizer a
        checkpoint cannot hold (``training_state=True`` with a custom optimizer)."""
        if self.training_state:
            from .io import check_checkpointable
            check_checkpointable(getattr(self.model, "optimizer", None))
        # the value to beat: the threshold, else the best of the epochs the history already
        # holds (a run resumed from a checkpoint; a new fit's history starts empty)
        self.best = self.initial_value_threshold
        saved = getattr(getattr(self.model, "history", None), "history", None)
        if self.save_best_only and self.best is None and saved:
            key, mx = self._monitored(saved)
            seen = [v for v in saved.get(key, ()) if v is not None and math.isfinite(v)]
            if seen:
                self.best = (max if mx else min)(seen)
        keys = getattr(self.model, "_log_keys", None)
        if keys is not None and "{" in os.fspath(self.path):
            self.filepath(0, dict.fromkeys(keys, 0.0), before=True)

    def filepath(self, epoch, logs=None, before=False) -> str:
        """``path`` with its format fields filled in for ``epoch`` (from 0) and ``logs``
        (Keras's ``acc``/``val_acc`` fill in the logged ``accuracy``/``val_accuracy``)."""
        from .metrics import ALIASES
        path = os.fspath(self.path)
        if "{" not in path:
            return path
        logs = dict(logs or {})
        for alias, name in ALIASES.items():
            for prefix in ("", "val_"):
                if prefix + name in logs:
                    logs.setdefault(prefix + alias, logs[prefix + name])
        try:
            return path.format(epoch=epoch + 1, **logs)
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            what = "the values fit will log" if before else "the logged values"
            raise ValueError(f"ModelCheckpoint path {path!r} cannot be filled in: {exc!r} "
                             f"(fields: epoch and {what} "
                             f"{', '.join(map(repr, logs))}; write {{{{ }}}} for a brace)"
                             ) from None

    def save(self, epoch, logs=None):
        from .io import save_checkpoint, save_model
        hist = getattr(self.model, "history", None)
        if isinstance(hist, History):  # what callbacks before this one added to the logs:
            hist.add_late_values(logs)  # in the saved history too (resume would pad NaN)
        path = self.filepath(epoch, logs)
        if self.training_state:
            save_checkpoint(path, self.model, epoch=epoch)
        else:
            save_model(self.model, path)


class ProgressBar(Callback):
    """A tqdm progress bar over epochs (or over batches when there is one epoch), showing the
    latest loss and metrics.

    Without tqdm, or on a stream that is not a terminal (a log file, a CI job, a pipe: a
    redrawn bar would pile up carriage returns), ``verbose=1`` writes plain lines to stderr
    instead: one when training starts, then one per epoch, at most one a second (the first
    and the last epoch always). In a Jupyter (IPython) kernel the same lines go to stdout,
    as Keras prints its progress there: a tqdm widget would be saved with the notebook as
    its stale first frame, and stderr is styled as an error. ``verbose=2`` prints one line
    per epoch on stdout, as Keras does."""

    LINE_EVERY_S = 1.0

    def __init__(self, epochs, n_batches, verbose=1, initial_epoch=0):
        self.epochs, self.n_batches, self.verbose = epochs, n_batches, verbose
        self.first = initial_epoch      # epochs are shown as first+1 .. first+epochs, out of
        self.last = initial_epoch + epochs  # the last (Keras: 'Epoch 4/6' when continuing)
        self.bar = None
        self._lines = False

    def on_train_begin(self, logs=None):
        if self.verbose != 1:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        from .plot import _ipython_kernel
        isatty = getattr(sys.stderr, "isatty", None)
        kernel = _ipython_kernel() is not None
        if tqdm is None or kernel or not (isatty and isatty()) or not _sized_terminal():
            self._lines = True
            self._stream = sys.stdout if kernel else sys.stderr
            self._pending, self._last = None, -math.inf
            which = f"up to {self.epochs}" if not self.first else \
                f"epochs {self.first + 1}..{self.last}, up to {self.epochs}"
            print(f"training: {which} epoch(s) of {self.n_batches} batch(es)",
                  file=self._stream, flush=True)
            return
        per_batch = self.epochs == 1
        self.bar = tqdm(total=self.n_batches if per_batch else self.last,
                        initial=0 if per_batch else self.first,
                        unit="batch" if per_batch else "epoch", dynamic_ncols=True,
                        leave=True, desc="training")
        self._per_batch = per_batch

    def on_batch_end(self, batch, logs=None):
        if self.bar is not None and self._per_batch:
            self.bar.update(1)
            if batch % 20 == 0:
                self.bar.set_postfix(loss=f"{logs['loss']:.4g}")

    def on_epoch_end(self, epoch, logs=None):
        shown = {k: f"{v:.4g}" for k, v in (logs or {}).items() if k != "lr"}
        line = f"epoch {epoch + 1}/{self.last}  " + "  ".join(
            f"{k} {v}" for k, v in shown.items())
        if self._lines:
            now = time.monotonic()
            if epoch == self.first or epoch + 1 == self.last or \
                    now - self._last >= self.LINE_EVERY_S:
                print("training: " + line, file=self._stream, flush=True)
                self._pending, self._last = None, now
            else:
                self._pending = (epoch, line)
        elif self.bar is not None:
            if not self._per_batch:
                self.bar.update(1)
            self.bar.set_postfix(shown)
        elif self.verbose == 2:
            print(line, flush=True)

    def on_train_end(self, logs=None):
        if self.bar is not None:
            self.bar.close()
        if self._lines and self._pending is not None:  # the last epoch run (early stop)
            print("training: " + self._pending[1], file=self._stream, flush=True)
            self._pending = None


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def default_loss(model):
    """The loss that suits the model's last node: Sigmoid -> binary cross-entropy, Softmax ->
    categorical cross-entropy, anything else -> mean squared error."""
    last = model.layers[-1]
    if isinstance(last, _act.Sigmoid):
        return _losses.BinaryCrossEntropy()
    if isinstance(last, _act.Softmax):
        return _losses.CategoricalCrossEntropy()
    return _losses.MSE()


def model_loss(model, loss=None, what="fit"):
    """The loss given (a name or a Loss), else the model's own (its last fit's, as Keras's
    compiled loss), else :func:`default_loss`. A model trained with a custom loss that its
    file could not keep is refused: the default would silently take its place (``what``
    names the call to give loss= to)."""
    if loss is not None:
        return _losses.get(loss)
    own = getattr(model, "loss", None)
    if isinstance(own, _losses.Loss):
        return own
    if getattr(model, "_unsaved_loss", None):
        raise ValueError(f"this model was trained with the custom loss {model._unsaved_loss}, "
                         f"which model files do not keep: pass loss= to {what} (the default "
                         f"loss would silently take its place)")
    return default_loss(model)


# nodes whose outputs are raw scores, never probabilities
_RAW_OUTPUT = (Dense, _act.Identity, _act.ReLU, _act.LeakyReLU, _act.ELU, _act.GELU,
               _act.Softplus, _act.Tanh)


_SQUASH = (_act.Sigmoid, _act.Softmax)


def _warn_misfit(model, loss):
    """Models that train into nothing useful without any error: warned before training."""
    layers = model.layers
    if not layers:
        return
    last, name = layers[-1], type(loss).__name__

    def say(msg):
        warnings.warn(msg, UserWarning, stacklevel=user_stacklevel())

    if isinstance(last, _act.Softmax) and model.n_outputs == 1:
        say("the model ends in Softmax over a single output, which is always 1: nothing can "
            "be learned; for two classes end in Sigmoid (one output) or give the last Dense "
            "two outputs")
    elif len(layers) > 1 and isinstance(last, _SQUASH) and isinstance(layers[-2], _SQUASH):
        say(f"the model ends in {type(layers[-2]).__name__} then {type(last).__name__}: the "
            f"outputs are squashed twice (a sigmoid of probabilities stays within 0.5 and "
            f"0.73); keep one (a Dense's activation= adds one node already)")
    elif isinstance(loss, _losses.Hinge) and isinstance(last, _SQUASH):
        say(f"Hinge expects raw margins (its threshold is 0), but the model ends in "
            f"{type(last).__name__}, whose outputs are never below 0: remove the "
            f"{type(last).__name__} node")
    steps = [i for i, node in enumerate(layers) if isinstance(node, _act.Step)]
    if steps:
        say(f"node {steps[0]} is a Step, whose gradient is 0 everywhere: the nodes before it "
            f"never learn by gradient descent (use Sigmoid; Step is the perceptron's "
            f"activation, trained by the perceptron rule)")
    # A cross-entropy and the last node that do not fit together. A from_logits loss applies
    # the softmax/sigmoid itself: after a model that already ends in that node it squashes
    # twice. A loss on probabilities after a node that gives raw scores (Dense, ReLU ...)
    # takes logs of numbers that are not probabilities. Both still train, badly.
    node = {_losses.CategoricalCrossEntropy: _act.Softmax,
            _losses.BinaryCrossEntropy: _act.Sigmoid}.get(type(loss))
    if node is not None and getattr(loss, "from_logits", False) and isinstance(last, node):
        say(f"{name}(from_logits=True) expects raw scores, but the model already ends in "
            f"{node.__name__}: the {node.__name__.lower()} is applied twice. Use {name}() (on "
            f"probabilities, fused with the {node.__name__} node), or remove the "
            f"{node.__name__} node")
    elif node is not None and not getattr(loss, "from_logits", False) and \
            isinstance(last, _RAW_OUTPUT):
        say(f"{name}() expects probabilities, but the model ends in {type(last).__name__}, "
            f"whose outputs are raw scores: add a {node.__name__} node at the end, or use "
            f"{name}(from_logits=True)")


def prepare_targets(y, loss, n_out, dtype, name="y"):
    """Validate targets once, at the boundary, into the form the loss expects."""
    if y is None:
        raise ValueError(f"{name} is None; fit needs targets")
    index = pandas_index(y)   # a Series' or frame's row labels, for the errors
    y = read_array(y, name)
    if y.dtype.kind in "US" or y.dtype == object:
        try:  # numbers held as objects or numeric strings are fine, as for X
            y = y.astype(np.float64)
        except (TypeError, ValueError):
            missing = missing_entries(y) if y.dtype == object else None
            if missing is not None and missing.any():  # pandas' NA, None
                at = tuple(np.argwhere(missing)[0])
                raise ValueError(f"{name} contains a missing value "
                                 f"({y[at]!r}) at {row_name(at[0], index)} "
                                 f"({int(missing.sum())} in all); remove those rows or fill "
                                 f"them in") from None
            raise ValueError(f"{name} holds non-numeric labels (e.g. "
                             f"{_first_non_numeric(y)!r}); encode them as 0..k-1 first "
                             f"(glassnet.sklearn.GlassClassifier and `glassnet train` do it "
                             f"for you)") from None
    if y.dtype == bool:
        y = y.astype(np.int64)
    if y.dtype.kind not in "iuf":
        raise TypeError(f"{name} has unsupported dtype {y.dtype}")
    if y.size == 0:
        raise ValueError(f"{name} is empty")
    if y.ndim == 0:   # trace(model, x, 2): one number, where a target per row is needed
        raise ValueError(f"{name} is a single value ({y.item()!r}); give one target per row, "
                         f"e.g. [{y.item()!r}] for one example")
    if y.ndim > 2:
        raise ValueError(f"{name} has shape {y.shape}; targets must be 1-D (one label or value "
                         f"per row) or 2-D (rows x outputs)")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        row = int(np.argwhere(~np.isfinite(y))[0][0])
        raise ValueError(f"{name} contains NaN or infinity (first at {row_name(row, index)}); "
                         f"remove those rows or fill them in")
    m = y.shape[0]
    if isinstance(loss, _losses.CategoricalCrossEntropy) or (
            isinstance(loss, _losses.Hinge) and n_out > 1):
        if y.ndim == 2 and y.shape[1] == n_out and n_out > 1:
            return _cast_targets(y, dtype, name, index)
        y1 = y.reshape(m, -1)
        if y1.shape[1] != 1:
            raise ValueError(f"{name} has shape {y.shape}; for {n_out} classes give integer "
                             f"labels of shape ({m},) or one-hot of shape ({m}, {n_out})")
        y1 = y1[:, 0]
        if y1.dtype.kind == "f":
            if not np.all(y1 == np.round(y1)):
                raise ValueError(f"{name} must hold integer class labels, found fractional "
                                 f"values")
        y1 = y1.astype(np.int64)
        lo, hi = int(y1.min()), int(y1.max())
        if lo < 0 or hi >= n_out:
            raise ValueError(f"{name} has labels {lo}..{hi} but the model has {n_out} "
                             f"outputs: labels must be in 0..{n_out - 1} (is the last Dense "
                             f"layer wide enough?)")
        return np.ascontiguousarray(y1)
    y2 = y.reshape(m, -1) if y.ndim != 2 else y
    if y2.shape[1] != n_out:
        hint = ""
        if y2.shape[1] == 1 and n_out > 1 and np.all(y2 == np.round(y2)) \
                and 0 <= y2.min() and y2.max() < n_out:
            # Keras's usual slip: a logits model fitted on labels with a regression loss
            hint = (f"; the values look like class labels 0..{int(y2.max())}, but the loss is "
                    f"{type(loss).__name__}, which needs {n_out} target columns: for a "
                    f"classifier use loss='cce' on a model ending in gn.Softmax(), or "
                    f"loss=gn.CategoricalCrossEntropy(from_logits=True) on one ending in "
                    f"logits")
        raise ValueError(f"{name} has {y2.shape[1]} column(s) per example but the model has "
                         f"{n_out} output(s){hint}")
    if isinstance(loss, _losses.BinaryCrossEntropy):
        if y2.min() < 0 or y2.max() > 1:
            raise ValueError(f"{name} must hold 0/1 labels (or probabilities) for binary "
                             f"cross-entropy, found values in [{y2.min()}, {y2.max()}]")
    return _cast_targets(y2, dtype, name, index)


def _cast_targets(y, dtype, name, index=None):
    """``y`` (finite) as a C-contiguous array of the model's dtype; a value the dtype cannot
    hold (1e39 in float32) is an error, as it is in X (it became inf: an infinite loss, and
    fit blamed the learning rate)."""
    with np.errstate(over="ignore"):
        out = np.ascontiguousarray(y, dtype=dtype)
    if not np.isfinite(out).all():
        bad = tuple(np.argwhere(~np.isfinite(out))[0])
        raise ValueError(f"{name} holds a value too large for {np.dtype(dtype).name} "
                         f"({float(y[bad]):.4g} at {row_name(bad[0], index)}); scale the "
                         f"targets (standardize them) or use dtype='float64'")
    return out


def check_sample_weight(sample_weight, n, dtype, name="sample_weight"):
    """Validate per-row weights once, at the boundary: numbers of shape (n,), finite,
    non-negative, not all zero; returned cast to ``dtype``."""
    index = pandas_index(sample_weight)   # a Series' row labels, for the errors
    w = read_array(sample_weight, name)
    if w.dtype == object:  # pandas' nullable arrays (pandas < 2.1 gives objects): NA is NaN
        missing = missing_entries(w)
        with contextlib.suppress(TypeError, ValueError):  # text: "must hold numbers" below
            w = np.where(missing, np.nan, w).astype(np.float64)
    if w.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold numbers, got dtype {w.dtype}")
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(f"{name} has shape {w.shape}; it must be 1-D with one weight per "
                         f"row: shape ({n},)")
    w = w.astype(np.float64)
    if not np.isfinite(w).all():
        row = int(np.argmin(np.isfinite(w)))
        what = "a missing value (NaN, or pandas' NA)" if np.isnan(w[row]) else "infinity"
        raise ValueError(f"{name} contains {what} at {row_name(row, index)}; give every row "
                         f"a finite weight")
    if (w < 0).any():
        raise ValueError(f"{name} has negative values (first at "
                         f"{row_name(np.argmax(w < 0), index)}); weights must be >= 0")
    if not w.sum() > 0:
        raise ValueError(f"{name} is all zero: at least one row needs a positive weight")
    with np.errstate(over="ignore", under="ignore"):  # reported just below, more clearly
        out = w.astype(dtype)
    dt = np.dtype(dtype).name
    hint = (f"rescale the weights (e.g. {name} / {name}.max(): the loss, a weighted mean, "
            f"stays the same, but an l2 penalty divided by their sum weighs more or less) or "
            f"use dtype='float64'")
    if not np.isfinite(out).all():
        row = int(np.argmin(np.isfinite(out)))
        raise ValueError(f"{name} holds a weight too large for {dt} ({w[row]:.4g} at "
                         f"{row_name(row, index)}); {hint}")
    if not out.sum(dtype=np.float64) > 0:
        raise ValueError(f"{name} has weights too small for {dt}: every one rounds to 0 "
                         f"(largest {w.max():.4g}); {hint}")
    return out


def _file_path(path, owner):
    """A file name (str or os.PathLike): open() would take an int as a file descriptor
    (CSVLogger(1) wrote to stdout, then closed it) and fail later on None."""
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{owner} needs a file name (a str or a path), got {path!r}")
    return path


def _check_weighted_loss(loss):
    """Refuse, before training, a loss whose ``forward`` cannot take ``weights``."""
    try:
        ok = "weights" in inspect.signature(loss.forward).parameters
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"sample_weight needs a loss whose forward() takes weights= (see "
                         f"glassnet.losses.Loss); {loss!r} does not")


def weights_applied(loss, cost):
    """``cost``, after a weighted ``forward`` of ``loss`` that applied the weights (through
    ``Loss._weighted``, which keeps the rows' scale for backward); a forward that takes
    ``weights=`` and ignores them is a ValueError: sample_weight would do nothing."""
    if getattr(loss, "_row_scale", None) is None:
        raise ValueError(f"{type(loss).__name__}.forward takes weights= but did not apply them "
                         f"(sample_weight would change nothing): return self._weighted(rows, "
                         f"weights, y_pred.dtype) from the per-row losses, and pass the "
                         f"gradient of backward through self._rows_scaled (see "
                         f"glassnet.losses.Loss)")
    return cost


def checked_loss(loss, out, y, weights=None):
    """``loss.forward(out, y[, weights])``, checked: a number (:func:`losses.checked_cost`),
    and weights that the loss applied (:func:`weights_applied`). For a first step and for
    whole-set values (evaluate, trace), not for fit's later steps."""
    return _losses.checked_cost(loss, loss.forward(out, y) if weights is None
                                else weights_applied(loss, loss.forward(out, y, weights)))


def _to_proba(out, loss):
    if isinstance(loss, _losses.CategoricalCrossEntropy) and loss.from_logits:
        return _act.softmax(out)
    if isinstance(loss, _losses.BinaryCrossEntropy) and loss.from_logits:
        return _act._sigmoid(out)
    return out


def _threshold(loss):
    """Where a single output splits class 0 from class 1: 0 for logits (a from_logits loss)
    and for Hinge's margins, 0.5 for probabilities."""
    return 0.0 if (getattr(loss, "from_logits", False) or isinstance(loss, _losses.Hinge)) \
        else 0.5


def _to_labels(out, loss):
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(axis=1)
    return (out.reshape(-1) > _threshold(loss)).astype(np.int64)


def with_class_weights(CW, W, dtype, rows=""):
    """The checked row weights of class weights ``CW`` (per row), times the rows' sample
    weights ``W`` when given (None): fit's and trace's ``class_weight``. ``rows`` says which
    rows in an error (" (training rows)")."""
    return check_sample_weight(CW if W is None else CW * W, len(CW), dtype,
                               f"the rows' class_weight{rows}" if W is None else
                               f"sample_weight × class_weight{rows}")


def _class_row_weights(class_weight, Y, loss, n_out):
    """Per-row weights from Keras's ``class_weight`` ({class index: weight}) for targets
    ``Y`` (as ``prepare_targets`` gives them): class labels 0..k-1, 0/1 of one sigmoid output,
    or one-hot rows."""
    if not isinstance(class_weight, dict):
        raise TypeError(f"class_weight must be a dict {{class index: weight}}, got "
                        f"{type(class_weight).__name__}")
    multilabel = isinstance(loss, _losses.BinaryCrossEntropy) and n_out > 1
    if multilabel or not isinstance(loss, (_losses.BinaryCrossEntropy,
                                           _losses.CategoricalCrossEntropy, _losses.Hinge)):
        raise ValueError("class_weight needs a classifier with one label per row (binary "
                         "cross-entropy on one output, categorical cross-entropy, hinge); "
                         "for " + ("multi-label outputs" if multilabel else
                                   f"{type(loss).__name__}") + " pass sample_weight")
    Yc = np.asarray(Y)
    if isinstance(loss, _losses.BinaryCrossEntropy) and Yc.dtype.kind == "f" \
            and not np.all((Yc == 0) | (Yc == 1)):
        raise ValueError("class_weight needs 0/1 targets for binary cross-entropy, got "
                         "probabilities (soft targets); pass sample_weight")
    labels = _labels_of(Yc, loss, n_out)
    hinge01 = isinstance(loss, _losses.Hinge) and n_out == 1  # −1/+1 (or 0/1): classes 0, 1
    n_classes = max(n_out, 2)
    weights = {}
    for k, v in class_weight.items():
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"class_weight keys are class indices (ints), got {k!r}")
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v) \
                or v < 0:
            raise ValueError(f"class_weight[{k!r}] must be a finite number >= 0, got {v!r}")
        c = int(k > 0) if hinge01 else int(k)
        if c in weights:  # (only with hinge's classes can two keys name one)
            raise ValueError("class_weight keys -1 and 0 both name hinge's first class (-1): "
                             "give one of them")
        if not (-1 <= k <= 1 if hinge01 else 0 <= k < n_classes):
            # (a typo or an off-by-one would weigh no row, or another class, silently)
            raise ValueError(f"class_weight key {k!r} names no class of this model, whose "
                             f"classes are " + ("-1 (or 0) and 1" if hinge01 else
                                                f"0..{n_classes - 1}"))
        weights[c] = v
    missing = sorted(set(np.unique(labels).tolist()) - set(weights))
    if missing:
        raise ValueError(f"class_weight has no weight for class(es) {missing[:10]} of y "
                         f"(give every class present a weight)")
    table = np.zeros(n_classes, dtype=np.float64)
    for k, v in weights.items():
        table[k] = float(v)
    return table[labels]


def _labels_of(y, loss=None, n_out=1):
    """Targets as one class label per row: the argmax of one-hot rows; integer-valued floats
    (0./1. for binary cross-entropy) as integers; a one-output Hinge's −1/+1 (or 0/1) as 0/1,
    the way ``Hinge.forward`` maps them, to compare with :func:`_to_labels` (a Hinge model of
    ``n_out`` > 1 outputs takes class labels 0..k-1 as they are)."""
    y = np.asarray(y)
    if isinstance(loss, _losses.Hinge) and n_out == 1 and (y.ndim == 1 or y.shape[1] == 1):
        return (y.reshape(-1) > 0).astype(np.int64)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    y = y.reshape(-1)
    if y.dtype.kind == "f" and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    return y


class _CustomMetric(str):
    """The logged name of a metric function of the user's (its ``__name__``), carrying the
    function as ``fn``: it is a str, so it serves as a key of the logs like any name."""

    fn = None


_RESERVED_KEYS = ("loss", "lr", "size")


def _metric_names(metrics):
    """``metrics`` as fit and evaluate take them (a name, a function, or a list of them) as
    a tuple of the names they are logged under: Keras's aliases resolved ("acc" ->
    "accuracy"), one of glassnet's metric functions under its registered name
    (``metrics.accuracy_score`` -> "accuracy"), any other function under its ``__name__``
    (as Keras). An unknown name, or two metrics logged under one name, fails here, before
    training starts."""
    from . import metrics as _metrics
    if isinstance(metrics, str) or callable(metrics):
        metrics = (metrics,)
    names, given = [], {}   # given: the name each logged key was asked for by
    for name in metrics:
        if callable(name):
            key = _metrics._key(name)
            if key is None:
                label = getattr(name, "__name__", None) or type(name).__name__
                key = _CustomMetric(label)
                key.fn = name
        else:
            _metrics.get(name)
            key = _metrics.ALIASES.get(name, name)
        if isinstance(name, str) and key in names:  # 'acc' and 'accuracy': one metric
            first = given[key]
            raise ValueError(f"metric {name!r} is given twice" if first == name else
                             f"metrics {first!r} and {name!r} are one metric ({str(key)!r}); "
                             f"give it once")
        if key in names or key in _RESERVED_KEYS or str(key).startswith("val_"):
            raise ValueError(f"metric {name!r} would be logged as {str(key)!r}, "
                             + ("which another metric already is" if key in names else
                                "a key fit logs itself")
                             + "; give each metric function its own __name__")
        names.append(key)
        given[key] = name
    return tuple(names)


def _custom_metric(name, y, out):
    """A user's metric function ``name.fn(y_true, y_pred)`` on the targets (shaped as the
    outputs when they have as many values) and the model's raw outputs, as Keras calls it;
    its result must be a number. Any error is re-raised as a ValueError naming it."""
    try:
        val = name.fn(y.reshape(out.shape) if y.size == out.size else y, out)
        return float(val)
    except Exception as exc:  # noqa: BLE001  (a user's function: any failure is reported)
        raise ValueError(f"metric {str(name)!r} ({name.fn!r}) failed on the targets (shape "
                         f"{y.shape}) and the model's outputs (shape {out.shape}): "
                         f"{type(exc).__name__}: {exc} (a metric function is called as "
                         f"f(y_true, y_pred) on the raw outputs and must return a number)"
                         ) from exc


def compute_metrics(names, y, out, loss, prefix="", said=None):
    """Evaluate metric names on the model outputs ``out`` for targets ``y`` (see
    :func:`_compute_metrics`). An ill-defined precision, recall or F1 (no predicted or no
    true positives) is 0 without a warning, as Keras gives it: a warning from inside fit
    would name a ``zero_division`` option fit does not have. A score that is undefined and
    NaN (roc_auc on targets of one class, r2 on one row) warns, naming the metric and why:
    once per key in ``said`` (a set fit keeps for the whole run), else at every call."""
    from .metrics import UndefinedMetricWarning
    why = {}   # metric name -> its last UndefinedMetricWarning (see _naming_metric)
    res = _compute_metrics(names, y, out, loss, prefix, why)
    for name, message in why.items():   # said outside the metrics' catch: the caller's
        key = prefix + str(name)        # filters apply (fit's first check ignores them)
        if not math.isnan(res[key]) or (said is not None and key in said):
            continue
        if said is not None:
            said.add(key)
        warnings.warn(f"metric {key!r} is NaN: {message}", UndefinedMetricWarning,
                      stacklevel=user_stacklevel())
    return res


def _compute_metrics(names, y, out, loss, prefix, why):
    """Evaluate metric names on the model outputs ``out`` for targets ``y``.

    "precision", "recall" and "f1" are binary metrics (class 1 is positive), also on a model
    with two class outputs; with three or more they are macro-averaged (logged under the name
    asked for; ask for "f1_weighted" or "f1_micro" for another average). ``why``, a dict,
    takes each metric's undefined-metric warning instead of its being shown (see
    :func:`_naming_metric`)."""
    if not names:
        return {}
    from . import metrics as _metrics
    if any(isinstance(n, _CustomMetric) for n in names):  # in the order asked for
        own = _compute_metrics([n for n in names if not isinstance(n, _CustomMetric)], y,
                               out, loss, prefix, why)
        res = {}
        for n in names:
            if isinstance(n, _CustomMetric):
                with _naming_metric(n, y, out, loss, why):
                    res[prefix + str(n)] = _custom_metric(n, y, out)
            else:
                res[prefix + n] = own[prefix + n]
        return res
    if isinstance(loss, _losses.BinaryCrossEntropy) and out.ndim == 2 and out.shape[1] > 1:
        return _multilabel_metrics(names, y, out, loss, prefix, why)
    res = {}
    multiclass = out.ndim == 2 and out.shape[1] > 1
    # several regression outputs (a loss that is not a classifier's) whose targets are not
    # 0/1 class indicators: their argmax is no class label (trial H finding 10)
    not_labels = multiclass and y.ndim == 2 and not isinstance(
        loss, (_losses.CategoricalCrossEntropy, _losses.BinaryCrossEntropy, _losses.Hinge)) \
        and not ((y == 0) | (y == 1)).all()
    for name in names:
        binary_only = name in ("precision", "recall", "f1")
        several = multiclass and out.shape[1] > 2   # two outputs: classes 0 and 1
        fn = _metrics.get(name + "_macro" if binary_only and several else name)
        kind = _metrics.KIND.get(name, "labels")
        with _naming_metric(name, y, out, loss, why):
            if not_labels and kind != "values":
                raise ValueError(f"the {y.shape[1]} target columns are not class indicators "
                                 f"(one-hot or 0/1), and {type(loss).__name__} is a regression "
                                 f"loss; for regression use mse, mae or r2")
            n_out = out.shape[1] if out.ndim == 2 else 1
            if kind == "labels":
                val = fn(_labels_of(y, loss, n_out), _to_labels(out, loss))
            elif kind == "proba":
                p = _to_proba(out, loss)
                # the log loss clips as the model's cross-entropy does: val_log_loss is then
                # val_loss also where a probability rounds to 0; its classes are the model's
                # outputs' (0..k-1), also where these rows miss some
                clip = {"eps": _losses.loss_clip_eps(loss, p.dtype),
                        "labels": range(max(n_out, 2))} if name == "log_loss" else {}
                val = fn(_labels_of(y, loss, n_out),
                         p[:, 0] if p.ndim == 2 and p.shape[1] == 1 else p, **clip)
            else:
                val = fn(y.reshape(out.shape) if y.size == out.size else y, out)
        res[prefix + name] = float(val)
    return res


@contextlib.contextmanager
def _naming_metric(name, y, out, loss, why):
    """Re-raise a metric's ValueError as one that names the metric and says why it does not
    fit this model (its outputs ``out``, its targets ``y``, its loss); a custom metric's is
    raised as it is (:func:`_custom_metric` names it). The metric's last
    UndefinedMetricWarning (its message) is kept in the dict ``why`` under ``name``, not
    shown: the caller says it, once, naming the metric; other warnings pass on as they are."""
    from .metrics import UndefinedMetricWarning
    with warnings.catch_warnings():
        warnings.simplefilter("always", UndefinedMetricWarning)
        show = warnings.showwarning

        def keep(message, category, *args, **kwargs):
            if issubclass(category, UndefinedMetricWarning):
                why[name] = str(message)
            else:
                show(message, category, *args, **kwargs)
        warnings.showwarning = keep   # (catch_warnings puts the original back)
        try:
            yield
        except ValueError as exc:
            if isinstance(name, _CustomMetric):
                raise
            raise _named_error(exc, name, y, out, loss) from exc


def _named_error(exc, name, y, out, loss):
    """The ValueError :func:`_naming_metric` raises for ``exc``, a built-in metric's."""
    from . import metrics as _metrics
    n_out = out.shape[1] if out.ndim == 2 else 1
    kind = _metrics.KIND.get(name, "labels")
    y = np.asarray(y)
    multilabel = isinstance(loss, _losses.BinaryCrossEntropy) and n_out > 1
    if name == "roc_auc" and n_out > 1 and not multilabel:
        why = (f"needs a binary model (one output, or independent 0/1 outputs trained "
               f"with binary cross-entropy); this model has {n_out} outputs")
    elif kind == "values" and y.size != out.size:
        why = (f"compares the outputs with numeric targets of the same shape, but this "
               f"model has {n_out} outputs and the targets {y.size // len(y)} column(s) "
               f"(class labels?); for a classifier use accuracy, f1 or log_loss")
    elif kind != "values" and y.dtype.kind == "f" and not np.all(y == np.round(y)):
        why = ("needs class labels, but the targets are not whole numbers (a regression "
               "model?); for regression use mse, mae or r2")
    else:
        why = (f"does not fit this model ({n_out} output(s), {type(loss).__name__} "
               f"loss): {exc}")
    return ValueError(f"metric {name!r} {why}")


def _multilabel_metrics(names, y, out, loss, prefix, why):
    """Metrics of a multi-label model (several independent 0/1 outputs, binary
    cross-entropy), with scikit-learn's meaning for label-indicator arrays: accuracy is the
    share of rows with every label right; precision/recall/F1 score each label as a binary
    problem and average (plain names and _macro: the mean over labels; _weighted: weighted by
    each label's positives; _micro: pooled over all labels); log_loss and roc_auc are the
    means over labels of the binary ones."""
    from . import metrics as _metrics
    Y = np.asarray(y).reshape(out.shape)
    classed = [n for n in names if _metrics.KIND.get(n, "labels") != "values"]
    if classed and not ((Y == 0) | (Y == 1)).all():  # soft targets (0.9): no labels
        raise ValueError(f"the metrics {', '.join(map(str, classed))} of a multi-label model "
                         f"need 0/1 targets; these hold probabilities (soft targets), which "
                         f"the loss (and mse, mae) takes but a label metric cannot")
    Y = Y.astype(np.int64) if classed else Y
    P = (out > _threshold(loss)).astype(np.int64)
    proba = _to_proba(out, loss)
    res = {}
    for name in names:
        with _naming_metric(name, y, out, loss, why):
            res[prefix + name] = _multilabel_metric(name, y, out, loss, Y, P, proba)
    return res


def _multilabel_metric(name, y, out, loss, Y, P, proba):
    """One metric of :func:`_multilabel_metrics` (Y: the 0/1 targets, P: the 0/1 predictions,
    proba: the probabilities)."""
    from . import metrics as _metrics
    # glassnet.metrics takes multi-label indicator arrays as scikit-learn does; the plain
    # precision/recall/f1 are macro averages over the labels here
    if name in ("precision", "recall", "f1"):
        return float(_metrics.get(name + "_macro")(Y, P))
    if _metrics.KIND.get(name) == "labels":
        return float(_metrics.get(name)(Y, P))
    if name == "roc_auc":
        return float(_metrics.roc_auc_score(Y, proba))
    if name == "log_loss":  # the mean of the labels' binary cross-entropies (Keras's), clipped
        eps = _losses.loss_clip_eps(loss, proba.dtype)   # as the model's loss clips
        return float(np.mean([_metrics.log_loss(Y[:, j], proba[:, j], eps=eps, labels=[0, 1])
                              for j in range(Y.shape[1])]))
    return float(_metrics.get(name)(np.asarray(y).reshape(out.shape), out))


_ALL_BLAS_THREADS_FROM = 64  # batch rows
# the fits running now below that many rows, and the one BLAS limit they share
_SMALL_BATCH_FITS = {"lock": threading.Lock(), "running": 0}


@contextlib.contextmanager
def _blas_threads(batch_size):
    """Batches below ``_ALL_BLAS_THREADS_FROM`` rows run on one BLAS thread; uses
    threadpoolctl when it is installed (the ``perf`` extra), else does nothing.

    Measured with the 784-256-128-10 MLP of bench/ (whole epochs of ``fit``; bench/RESULTS.md):
    on a 2-core VM, two threads at 32 rows are either ~1.45x faster or ~25% slower than one,
    depending on a state of the machine that changes within minutes; on 16 cores, one thread
    is within 10% of the best count at 32 rows and 16 threads are ~30% slower. From 128 rows
    more threads pay. The count is fixed by the batch size, never chosen by timing: the BLAS gives
    different float32 bits on different thread counts, and the same seed must give the same
    weights. When other work shares the cores, multi-thread epochs can run 3-30x slower at
    any batch size; limit the threads yourself there (``threadpoolctl.threadpool_limits(1)``)."""
    if batch_size >= _ALL_BLAS_THREADS_FROM:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    # The limit is the whole process's: fits that overlap in threads share one, set by the
    # first to start and restored by the last to end (each restoring what it saw would
    # leave the process on one thread, or the later fit on all of them, by timing). OpenBLAS
    # 0.3.31 sometimes ignores the restore when it comes from another thread than the
    # limit: the process may then stay on one thread (as it always did before)
    with _SMALL_BATCH_FITS["lock"]:
        if _SMALL_BATCH_FITS["running"] == 0:
            _SMALL_BATCH_FITS["limiter"] = threadpool_limits(limits=1, user_api="blas")
        _SMALL_BATCH_FITS["running"] += 1
    try:
        yield
    finally:
        with _SMALL_BATCH_FITS["lock"]:
            _SMALL_BATCH_FITS["running"] -= 1
            if _SMALL_BATCH_FITS["running"] == 0:
                _SMALL_BATCH_FITS.pop("limiter").restore_original_limits()


def _sized_terminal() -> bool:
    """Whether stderr's terminal reports a size: a pseudo-terminal of 0 rows or columns
    (some CI runners allocate one) makes tqdm draw nothing at all."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):
        return True   # no size to ask for: let tqdm decide, as before
    return size.columns > 0 and size.lines > 0


@contextlib.contextmanager
def _catch_sigint(state):
    """Turn the first Ctrl-C into a request to stop at the next batch boundary; a second
    Ctrl-C interrupts at once."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return

    def handler(signum, frame):
        if state.get("interrupted"):
            raise KeyboardInterrupt
        state["interrupted"] = True

    old = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


# --------------------------------------------------------------------------------------------
# fit
# --------------------------------------------------------------------------------------------

def fit(model, X, y, loss=None, optimizer=None, epochs=1, batch_size=32, shuffle=True,
        validation_data=None, validation_split=0.0, callbacks=(), metrics=(), verbose=0,
        on_nonfinite="stop", initial_epoch=0, sample_weight=None, class_weight=None):
    """Train ``model`` in place; see :meth:`glassnet.Sequential.fit` for the parameters."""
    from . import optim as _optim

    epochs = check_positive_int(epochs, "epochs", minimum=0)
    if batch_size is not None:
        batch_size = check_positive_int(batch_size, "batch_size")
    validation_split = check_fraction(validation_split, "validation_split")
    if on_nonfinite not in ("stop", "raise"):
        raise ValueError(f"on_nonfinite must be 'stop' or 'raise', got {on_nonfinite!r}")
    check_flag(shuffle, "shuffle")   # 'no' would read as True
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}")
    metrics = _metric_names(metrics)

    if isinstance(callbacks, Callback) or not hasattr(callbacks, "__iter__"):
        raise TypeError(f"callbacks must be a list of Callback instances, got "
                        f"{type(callbacks).__name__} (write callbacks=[cb])")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks must be glassnet Callback instances, got {cb!r}")

    known = getattr(model, "feature_names_in_", None)
    names = model._check_names(X, fitting=True)
    X = check_array(X, name="X", dtype=model.dtype,
                    n_features=model.n_features if model.built else None)
    # The checks below need the built graph (the targets against its output width, the
    # metrics against its outputs): a call they refuse leaves the model as it was, unbuilt
    # if it was, its generator not advanced (so the corrected call draws the weights a fresh
    # model of the same seed draws), no names recorded
    with model._unchanged_on_error():
        model._ensure_built(X.shape[1])
        bad = model._nonfinite_params()   # else "diverged" at the first step, NaN "restored"
        if bad:
            raise ValueError(f"the model has NaN or infinite parameters before training "
                             f"({'; '.join(bad[:3])}{'; …' if len(bad) > 3 else ''}): fit "
                             f"cannot start from them; give the nodes finite weights "
                             f"(set_weights, or new nodes)")
        model.trainable_parameters()   # its check of each node's trainable flag
        loss = model_loss(model, loss)
        _warn_misfit(model, loss)
        if optimizer is None:  # the previous fit's optimizer (its rate and state), else Adam
            prev = getattr(model, "optimizer", None)
            if not isinstance(prev, _optim.Optimizer) and \
                    getattr(model, "_optimizer_unknown", False):
                warnings.warn("this model was loaded from a file written before glassnet's "
                              "model files kept the optimizer, so fit goes on with "
                              "Adam(lr=0.001), which may not be how it was trained: pass "
                              "optimizer= (the one it was trained with) to continue as before",
                              RuntimeWarning, stacklevel=user_stacklevel())
            optimizer = prev if isinstance(prev, _optim.Optimizer) else "adam"
        optimizer = _optim.get(optimizer)
        n_out = model.n_outputs
        check_consistent_length(X, y)
        Y = prepare_targets(y, loss, n_out, model.dtype)
        hinge_labels = None  # set on the loss once the checks pass (it may be the last fit's)
        if isinstance(loss, _losses.Hinge) and n_out == 1 and Y.min() <= 0:
            hinge_labels = (-1, 1) if Y.min() < 0 else (0, 1)  # predict_classes answers in them
        _check_metrics_fit(model, metrics, X, Y, loss)
        W = Wv = rows = None
        if sample_weight is not None:
            _check_weighted_loss(loss)
            W = check_sample_weight(sample_weight, len(X), model.dtype)
        CW = None
        if class_weight is not None:  # Keras's: each training row weighs its class's weight
            _check_weighted_loss(loss)  # (times its own); applied once the validation rows are
            CW = _class_row_weights(class_weight, Y, loss, n_out)  # held out, as Keras does

        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or \
                    len(validation_data) not in (2, 3):
                raise ValueError("validation_data must be a tuple (X_val, y_val) or (X_val, "
                                 "y_val, sample_weight_val)")
            model._check_names(validation_data[0], "X_val", fitting=True,
                               known=names if known is None else known)
            Xv = check_array(validation_data[0], name="X_val", dtype=model.dtype,
                             n_features=model.n_features)
            check_consistent_length(Xv, validation_data[1], ("X_val", "y_val"))
            Yv = prepare_targets(validation_data[1], loss, n_out, model.dtype, name="y_val")
            _check_metrics_fit(model, metrics, Xv, Yv, loss)
            if len(validation_data) == 3 and validation_data[2] is not None:
                _check_weighted_loss(loss)
                Wv = check_sample_weight(validation_data[2], len(Xv), model.dtype,
                                         "sample_weight_val")
        elif validation_split > 0:
            n_val = int(round(len(X) * validation_split))
            if n_val < 1 or n_val >= len(X):
                raise ValueError(f"validation_split={validation_split} leaves "
                                 f"{len(X) - n_val} training and {n_val} validation rows; "
                                 f"both need at least one")
            prev = getattr(model, "_split_rng_state", None)
            kind = getattr(np.random, str(prev.get("bit_generator")), None) \
                if isinstance(prev, dict) else None
            if isinstance(kind, type) and issubclass(kind, np.random.BitGenerator) \
                    and getattr(model, "_split_rows", None) == len(X):
                # a later fit on as many rows holds out the same ones (as Keras's last
                # fraction does): a new draw would validate on rows the network trained on
                bg = kind()
                bg.state = prev
                perm = np.random.Generator(bg).permutation(len(X))
            else:
                model._split_rng_state = model.rng.bit_generator.state  # io.resume redraws it
                model._split_rows = len(X)
                perm = model.rng.permutation(len(X))
            # what the split depends on, which checkpoints record and resume checks
            from .io import data_fingerprint
            model._split_fraction = validation_split
            model._split_fingerprint = data_fingerprint(X, y)
            # Only the held-out rows of X are copied: the batches are gathered from X itself,
            # through `rows` (the training rows, in the order a copy X[rows] would have them)
            Xv, Yv = X[perm[:n_val]], Y[perm[:n_val]]
            rows, Y = perm[n_val:], Y[perm[n_val:]]
            if CW is not None:
                CW = CW[perm[n_val:]]
            if W is not None:
                Wv, W = W[perm[:n_val]], W[perm[n_val:]]
                if not W.sum() > 0:
                    raise ValueError("every training row left by validation_split weighs 0")
                if not Wv.sum() > 0:
                    Wv = None  # held-out rows all weigh 0: their plain mean loss is logged
        else:
            Xv = Yv = None
        if CW is not None:
            W = with_class_weights(CW, W, model.dtype, " (training rows)")

        if names is not None and known is None:
            model.feature_names_in_ = names   # (a DataFrame's columns, checked at predict)
    if hinge_labels is not None:
        loss.labels = hinge_labels

    m = len(Y)
    bs = m if batch_size is None or batch_size >= m else batch_size
    n_batches = -(-m // bs)
    full_batch = bs == m
    if rows is not None and full_batch:
        X, rows = X[rows], None  # every training row in each step: gathered once

    history = History()
    model.history = history  # visible to callbacks during fit (ModelCheckpoint saves it)
    cbs = [history, *callbacks]
    if verbose:
        cbs.append(ProgressBar(epochs, n_batches, int(verbose), initial_epoch))
    for cb in cbs:
        cb.set_model(model)

    model.optimizer = optimizer
    # evaluate's default, as Keras's compiled metrics (names only: a metric function, maybe
    # a lambda, would make the model unpicklable; evaluate takes it again); set once the
    # inputs passed their checks, and not kept in model files
    model._fit_metrics = tuple(str(m) for m in metrics if not isinstance(m, _CustomMetric))
    if isinstance(optimizer, _optim.Optimizer):
        optimizer._keep_only(model.layers)  # the memory of another (or a dead) model's layers
    model.loss = loss
    model.stop_training = False
    params = model.parameters()
    # the steps after fit's first (checked) one skip the checks the built-in nodes make of a
    # direct backward call (a cache, dy's shape); taken once, as params: the nodes of the
    # model stay the same through fit
    backwards = [unchecked_backward(node) for node in model.layers]
    fused = model.fused_with(loss)
    fused_start = len(model.layers) - 2
    first = model.layers[0]
    state = {"interrupted": False}
    checked = False  # the first step's forward and backward are checked
    # True when a node replaces its params/grads arrays instead of writing into them: the
    # list of arrays the optimizer steps is then taken afresh at every step
    refresh = False
    val_warned = False  # a non-finite validation loss is said once per fit
    undefined_said = set()  # and so is each metric that is NaN as undefined (compute_metrics)

    # One reused buffer for the batch rows, one for the targets (and one for the weights).
    # A full batch needs neither: its gradient does not depend on the order of the rows.
    if not full_batch:
        xbuf = np.empty((bs, X.shape[1]), dtype=X.dtype)
        if rows is not None and shuffle:
            xorder = np.empty(m, dtype=rows.dtype)  # each epoch's order, as rows of X
        ybuf = np.empty((bs,) + Y.shape[1:], dtype=Y.dtype)
        if W is not None:
            wbuf = np.empty(bs, dtype=W.dtype)
    wb = None
    snapshot = [p.copy() for _, _, p, _ in params]
    logs = {}
    # what a divergence's hint adds: regression targets far from 1 make gradients that large
    top = max(float(Y.max()), -float(Y.min())) if isinstance(
        loss, (_losses.MSE, _losses.MAE, _losses.Huber)) and Y.size else 0.0
    target_hint = (f", scaled targets (they reach {top:.3g}: divide them by their standard "
                   f"deviation, and multiply predictions back)" if top > 1e4 else "")

    def call(hook, *args):
        for cb in cbs:
            getattr(cb, hook)(*args)

    # NumPy's overflow warnings are silenced in the loop: a non-finite loss or weight is caught
    # by the divergence guard below, which says what happened and what to do about it.
    # what each epoch's logs will hold (ModelCheckpoint checks its path's fields against it)
    model._log_keys = ("loss", *map(str, metrics),
                       *(() if Xv is None else ("val_loss", *("val_" + k for k in metrics))),
                       "lr")
    with _blas_threads(bs), _catch_sigint(state), \
            np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        call("on_train_begin", logs)
        epoch = initial_epoch - 1
        completed = 0  # epochs recorded (not one that diverged or Ctrl-C cut short)
        try:
            for epoch in range(initial_epoch, initial_epoch + epochs):
                logs = {}
                call("on_epoch_begin", epoch, logs)
                # layer.trainable is read at each epoch's start (a callback may unfreeze)
                # frozen layers (trainable = False) stay as they are
                steps, l2 = model.trainable_parameters(), _l2_terms(model)
                for s, (_, _, p, _) in zip(snapshot, params):
                    np.copyto(s, p)
                order = model.rng.permutation(m) if shuffle and not full_batch else None
                xrows = rows if rows is None or order is None else \
                    np.take(rows, order, out=xorder)
                total, seen, wseen = 0.0, 0, 0.0
                out_epoch = np.empty((m, n_out), dtype=model.dtype) if metrics else None
                for b in range(n_batches):
                    lo = b * bs
                    hi = min(lo + bs, m)
                    if full_batch:
                        xb, yb = X, Y
                    elif order is None:
                        xb = X[lo:hi] if xrows is None else \
                            X.take(xrows[lo:hi], axis=0, out=xbuf[:hi - lo], mode="clip")
                        yb = Y[lo:hi]
                    else:
                        idx = order[lo:hi]
                        xb = X.take(idx if xrows is None else xrows[lo:hi], axis=0,
                                    out=xbuf[:hi - lo], mode="clip")
                        yb = Y.take(idx, axis=0, out=ybuf[:hi - lo], mode="clip")
                    if W is None:
                        bw = hi - lo
                    else:
                        wb = W if full_batch else W[lo:hi] if order is None else \
                            np.take(W, idx, out=wbuf[:hi - lo], mode="clip")
                        bw = float(wb.sum(dtype=np.float64))
                        if bw == 0:  # every row of the batch weighs 0: nothing to learn, no step
                            if out_epoch is not None:
                                out_epoch[lo:hi] = model._outputs(xb)
                            seen += hi - lo
                            continue
                    call("on_batch_begin", b, logs)
                    # forward
                    out = xb
                    if checked:
                        for layer in model.layers:
                            out = layer.forward(out, True)
                        batch_loss = loss.forward(out, yb) if wb is None else \
                            loss.forward(out, yb, wb)
                    else:  # the first step checks each output's width and dtype, and
                        # what the loss returns, once per fit
                        out = _checked_forward(model.layers, out, model.dtype)
                        batch_loss = checked_loss(loss, out, yb, wb)
                    if not math.isfinite(batch_loss):
                        _diverged(params, snapshot, history, epoch, b, on_nonfinite,
                                  optimizer, more=target_hint + _l2_hint(l2))
                        model.stop_training = True
                        break
                    # backward
                    first.needs_input_grad = False
                    if fused:
                        dy = loss.fused_backward()
                        top = fused_start
                    else:
                        dy = loss.backward()
                        top = len(model.layers) - 1
                    if checked:
                        for i in range(top, -1, -1):
                            dy = backwards[i](dy)
                    else:  # the first step checks what each backward returns, once per fit
                        dy = check_backward_output(loss, None, dy, out.shape,  # a custom loss
                                                   dtype=model.dtype)
                        dy = model.backward(dy, start=top, dtype=model.dtype)
                        checked = True
                        refresh = _arrays_replaced(model, params)
                    if refresh:
                        params, l2 = model.parameters(), _l2_terms(model)
                        steps = model.trainable_parameters()
                    if l2:
                        batch_loss += 0.5 * _apply_l2(l2, bw) / bw
                        if not math.isfinite(batch_loss):  # ‖W‖² overflowed: huge weights
                            _diverged(params, snapshot, history, epoch, b, on_nonfinite,
                                      optimizer, "the L2 penalty became non-finite at",
                                      more=target_hint + _l2_hint(l2))
                            model.stop_training = True
                            break
                    optimizer.step(steps)
                    total += batch_loss * bw
                    seen += hi - lo
                    wseen += bw
                    if out_epoch is not None:
                        out_epoch[lo:hi] = out
                    logs = {"loss": batch_loss, "size": hi - lo}
                    call("on_batch_end", b, logs)
                    if state["interrupted"] or model.stop_training:
                        break
                if not history.diverged and not all(np.isfinite(p).all()
                                                    for _, _, p, _ in params):
                    # The loss was finite but a step overflowed the weights (the last batch's, or
                    # one whose next loss is never computed): never end, or snapshot, an epoch
                    # with non-finite weights.
                    _diverged(params, snapshot, history, epoch, b, on_nonfinite, optimizer,
                              what="the weights became non-finite after",
                              more=target_hint + _l2_hint(l2))
                if history.diverged:
                    # As Keras's TerminateOnNaN, the epoch is recorded, every value NaN but lr
                    # (so history.history has its keys even when the first epoch diverged)
                    logs = dict.fromkeys(["loss", *map(str, metrics)], math.nan)
                    if Xv is not None:
                        logs.update(dict.fromkeys(["val_loss", *("val_" + k for k in metrics)],
                                                  math.nan))
                    logs["lr"] = float(optimizer.lr)
                    call("on_epoch_end", epoch, logs)
                    break
                # An epoch that model.stop_training cut short (set in on_batch_end) is
                # recorded, as Keras records it: its loss and metrics are those of the rows it
                # ran through, its validation that of the weights it ends with. One cut short
                # by Ctrl-C is not (fit ends at once; the warning says which weights it kept).
                recorded = seen == m or not state["interrupted"]
                logs = {"loss": total / (wseen or 1)}
                if out_epoch is not None and recorded:
                    # (an epoch cut short: the rows it ran through; a metric they leave
                    # undefined, roc_auc on one class, is NaN and says so)
                    yt = Y if order is None else Y[order]
                    logs.update(compute_metrics(metrics, yt[:seen], out_epoch[:seen], loss,
                                                said=undefined_said))
                if Xv is not None:
                    logs.update(_evaluate(model, Xv, Yv, loss, metrics, prefix="val_",
                                          weights=Wv, said=undefined_said))
                    if not (val_warned or math.isfinite(logs["val_loss"])):
                        val_warned = True
                        _warn_nonfinite_val(logs, epoch)
                logs["lr"] = float(optimizer.lr)
                if recorded:
                    call("on_epoch_end", epoch, logs)
                    history.add_late_values(logs)  # what callbacks added (Keras: History last)
                    completed += 1
                if state["interrupted"]:
                    history.interrupted = True
                    break
                if model.stop_training:
                    history.stopped_early = True
                    # the callback that stopped may say why (EarlyStopping does) in
                    # model.history.stop_reason; else it is said here
                    history.stop_reason = history.stop_reason or (
                        "stopped by a callback (model.stop_training = True) "
                        + (f"after epoch {epoch + 1}" if seen == m else
                           f"during epoch {epoch + 1}, after batch {b + 1}"))
                    break
                history.stop_reason = None   # a stop that a later callback took back
        finally:  # callbacks finish (close files, restore best weights) even on an error
            # the initial_epoch of a fit that continues this one, also after a raise: a
            # diverged epoch (its weights were put back) and one cut short by Ctrl-C are not
            # counted, as `glassnet train` counts
            model.epochs_trained = initial_epoch + completed
            trained = model.get_weights() if history.interrupted else None
            try:
                call("on_train_end", logs)
            finally:  # the last batch's inputs and activations (all of X in a full batch)
                model._clear_caches()
                loss._clear_caches()
    # Said only now: on_train_end may have put back other weights (EarlyStopping's best).
    if history.interrupted:
        history.stop_reason = (f"interrupted (Ctrl-C) during epoch {epoch + 1}; "
                               f"{_weights_kept(model, cbs, trained)}")
        warnings.warn(history.stop_reason, RuntimeWarning, stacklevel=3)
    elif history.diverged and _restored(cbs):
        history.stop_reason += f" EarlyStopping then put back {_restored(cbs)}."
    model.history = history
    return history


def _checked_forward(layers, out, dtype=None):
    """Forward (training mode) through ``layers``, checking that each node's output is
    ``n_out`` wide (what the next node was built for) and, given the model's ``dtype``, of
    that dtype: a custom node that returns another width is named here, not in the next
    node's matmul; one that returns float64 in a float32 model here too, since nothing else
    would fail (the nodes after it, and predict, would silently run in float64). ``fit``
    runs it on the first step only, as ``Sequential.backward(dtype=...)`` for the backward.
    What is not an array (None, a list) is named too, not left to fail in the next node or
    the loss."""
    for i, layer in enumerate(layers):
        out = layer.forward(out, True)
        width = getattr(layer, "n_out", None)
        if not isinstance(out, np.ndarray):  # None, a list: the next node needs .shape
            got = ("None (did you forget `return y`?)" if out is None
                   else f"a {type(out).__name__}, not an array")
            raise ValueError(f"layer {i} ({type(layer).__name__}).forward returned {got}; "
                             f"forward must return a NumPy array, of shape (m, "
                             f"{'n_out' if width is None else width}) and the input's dtype")
        shape = out.shape
        if width is not None and len(shape) == 2 and shape[1] != width:
            raise ValueError(f"layer {i} ({type(layer).__name__}).forward returned "
                             f"{shape[1]} columns but the layer says n_out={width} (set "
                             f"n_out in build to the width forward returns)")
        got = out.dtype
        if dtype is not None and got != dtype:
            raise TypeError(f"layer {i} ({type(layer).__name__}).forward returned {got} in a "
                            f"{np.dtype(dtype).name} model; return arrays of the input's "
                            f"dtype (x.dtype)")
    return out


def _restored(cbs):
    """"the weights of epoch 14 (best val_loss)" when an EarlyStopping among ``cbs`` put back
    its best epoch's weights as training ended, else None."""
    for cb in reversed(cbs):
        epoch = getattr(cb, "restored_epoch", None) if isinstance(cb, EarlyStopping) else None
        if epoch is not None:
            return f"the weights of epoch {epoch + 1} (best {cb._key})"
    return None


def _weights_kept(model, cbs, trained):
    """What the model holds after ``on_train_end``, in words: "the weights of epoch 14 (best
    val_loss) are kept" when EarlyStopping put back its best epoch's weights; else, when a
    callback changed ``trained`` (the weights before on_train_end), that it replaced them;
    else "the weights trained so far are kept"."""
    restored = _restored(cbs)
    if restored:
        return f"{restored} are kept"
    if not all(np.array_equal(a, b) for a, b in zip(trained, model.get_weights())):
        return ("a callback replaced the weights trained so far as training ended "
                "(on_train_end); its weights are kept")
    return "the weights trained so far are kept"


def _warn_nonfinite_val(logs, epoch):
    """The one warning of a fit whose validation loss is NaN or infinite (the training loss
    being finite): nothing else would say it, and EarlyStopping, which skips such values,
    would never stop on it."""
    warnings.warn(f"the validation loss is not finite ({logs['val_loss']}) at epoch "
                  f"{epoch + 1}, while the training loss is {logs['loss']:.6g}: the validation "
                  f"inputs are probably far outside the scale of the training data (scale them "
                  f"with the training data's statistics), or the model diverges on them. "
                  f"EarlyStopping skips non-finite values, so it cannot stop on this one "
                  f"(said once per fit)", RuntimeWarning, stacklevel=4)


def _l2_terms(model):
    """The L2 penalties of Dense(l2=α) nodes that train (not frozen): a list of (α, W, dW)."""
    return [(layer.l2, layer.params["W"], layer.grads["W"]) for layer in model.layers
            if getattr(layer, "l2", 0) and "W" in layer.params
            and getattr(layer, "trainable", True)]


def _apply_l2(terms, denom) -> float:
    """Add each L2 term's gradient (α/denom)·W to its dW (``terms`` from :func:`_l2_terms`;
    ``denom`` the batch's weight, its rows when unweighted) and return :func:`_l2_penalty`:
    the cost then gains ½·Σ α·‖W‖² / denom. fit and trace both take their step through
    here."""
    for alpha, w, g in terms:
        g += w.dtype.type(alpha / denom) * w
    return _l2_penalty(terms)


def _l2_penalty(terms) -> float:
    """Σ α·‖W‖² over the L2 terms (from :func:`_l2_terms`)."""
    return sum(alpha * float(np.vdot(w, w)) for alpha, w, _ in terms)


def _arrays_replaced(model, params):
    """Whether a node has put new arrays in its ``params`` or ``grads`` dicts since ``params``
    (a ``model.parameters()`` list) was taken. Built-in nodes write into their arrays in
    place, so the list fit takes once stays valid; a custom node whose backward assigns
    ``self.grads["W"] = x.T @ dy`` (or that assigns new weights) would otherwise be stepped
    with stale gradients, or not at all."""
    now = model.parameters()
    if [(id(t[0]), t[1]) for t in now] != [(id(t[0]), t[1]) for t in params]:
        # the weights fit saved at the epoch's start (to restore them on divergence) would
        # be paired with other arrays, and predict (on copies of the nodes) would not see them
        for i, layer in enumerate(model.layers):
            before = [k for la, k, _, _ in params if la is layer]
            if list(layer.params) != before:
                raise RuntimeError(
                    f"layer {i} ({type(layer).__name__}) changed its parameters during the "
                    f"first training step (before: {before or 'none'}, now: "
                    f"{list(layer.params) or 'none'}): create them in build(), never in "
                    f"forward or backward (see glassnet.layers.Layer)")
    return len(now) != len(params) or any(
        p is not q or g is not h for (_, _, p, g), (_, _, q, h) in zip(now, params))


def _l2_hint(l2) -> str:
    """The divergence hint's part for an L2 penalty this epoch applies (``_l2_terms``)."""
    return ", a smaller L2 penalty (Dense(l2=...))" if l2 else ""


def _diverged(params, snapshot, history, epoch, batch, on_nonfinite, optimizer,
              what="the loss became non-finite at", more=""):
    """Put back the weights of the epoch's start and say so (warn, or raise with
    ``on_nonfinite="raise"``), with a hint: a lower learning rate, scaled inputs, and
    ``more`` (what else this fit's data or model suggests)."""
    for s, (_, _, p, _) in zip(snapshot, params):
        np.copyto(p, s)
    if hasattr(optimizer, "reset"):
        optimizer.reset()
    history.diverged = True
    eps = getattr(optimizer, "eps", None)
    if isinstance(eps, (int, float)) and eps == 0:  # 0/0 where a gradient is exactly 0
        hint = (f"{type(optimizer).__name__}(eps=0) divides by the root of a running mean "
                f"of squared gradients, 0 for a parameter whose gradient is 0 (0/0 = NaN): "
                f"give eps > 0 (the default 1e-8).")
    else:
        hint = (f"Try a lower learning rate (now {optimizer.lr:g}), scaled inputs "
                f"(standardize them){more}.")
    # what happened and the hint apart: `glassnet train` (which standardizes its inputs)
    # words the learning-rate hint its own way
    history.stop_what = f"training diverged: {what} epoch {epoch + 1}, batch {batch + 1}"
    history.stop_restored = "the weights from the start of that epoch were restored."
    history.stop_hint = hint
    history.stop_base = f"{history.stop_what}; {history.stop_restored}"
    history.stop_hint_lr = not (isinstance(eps, (int, float)) and eps == 0)
    msg = history.stop_reason = f"{history.stop_base} {hint}"
    if on_nonfinite == "raise":
        raise DivergenceError(msg)
    warnings.warn(msg, RuntimeWarning, stacklevel=4)


def _evaluate(model, X, Y, loss, metrics, prefix="", batch_size=None, weights=None,
              cast=False, said=None):
    """Loss (weighted by ``weights`` when given; metrics are not) and metrics on (X, Y) in
    inference mode, in chunks to bound memory (``cast``: X is from ``model._input``). The
    loss is computed on a copy of ``loss``, so the model's loss keeps no outputs or targets
    of these rows. The loss is a Python float (as Keras's), whatever number type a custom
    loss returns (a 0-d array, a Fraction, np.float16)."""
    out = model._outputs(X, batch_size, cast=cast)
    loss = copy.copy(loss)
    res = {prefix + "loss": float(_blocked_loss(loss, out, Y, weights,
                                                batch_size or PREDICT_CHUNK))}
    res.update(compute_metrics(metrics, Y, out, loss, prefix, said))
    return res


def _blocked_loss(loss, out, Y, weights, step):
    """``loss.forward(out, Y[, weights])`` a block of ``step`` rows at a time: a built-in
    loss's temporaries (softmax, logs: several times the outputs, in float64 for some) stay
    one block's. A loss written elsewhere gets all rows at once: its value need not be a mean
    over rows."""
    m = len(out)
    whole = m <= step or type(loss).__module__ != _losses.__name__
    wsum = m if whole or weights is None else float(weights.sum(dtype=np.float64))
    if whole or not 0 < wsum < math.inf:   # (weights summing to 0: the loss's own error)
        return checked_loss(loss, out, Y, weights)
    total = 0.0
    for lo in range(0, m, step):
        rows = slice(lo, lo + step)
        if weights is None:
            total += loss.forward(out[rows], Y[rows]) * len(out[rows])
        elif (part := float(weights[rows].sum(dtype=np.float64))) > 0:
            total += loss.forward(out[rows], Y[rows], weights[rows]) * part
    return total / wsum


def _check_metrics_fit(model, metrics, X, Y, loss, rows=16):
    """Fail before training, not after the first epoch, when a metric does not fit the model
    (roc_auc on three classes, accuracy on a regression): the metrics are computed on the
    model's outputs for the first ``rows`` rows, in inference mode, so no random number is
    drawn and nothing changes. A failure on those few rows (they may hold one class only) is
    confirmed on all of them before it is raised, as the ValueError of
    :func:`_naming_metric`."""
    if not metrics:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a few rows may lack a class: metrics warn
        try:
            compute_metrics(metrics, Y[:rows], model._outputs(X[:rows]), loss)
            return
        except ValueError:
            pass   # confirmed below, outside this handler: one traceback, not a chain
        compute_metrics(metrics, Y, model._outputs(X), loss)


def evaluate(model, X, y, loss=None, metrics=None, sample_weight=None):
    """Loss (and metrics) of ``model`` on (X, y), without training; with ``sample_weight``
    the loss is the weighted mean Σ wᵢ·ℓᵢ / Σ wᵢ (the metrics stay unweighted). ``metrics``
    None: those of the model's last ``fit`` (as Keras evaluates the compiled metrics)."""
    if not model.built:
        raise RuntimeError("the model is not built yet: fit it first")
    if metrics is None:
        metrics = getattr(model, "_fit_metrics", ())
    metrics = _metric_names(metrics)
    loss = model_loss(model, loss, "evaluate")
    X, cast = model._input(X)  # a NumPy X is cast and checked a block of rows at a time
    check_consistent_length(X, y)
    Y = prepare_targets(y, loss, model.n_outputs, model.dtype)
    W = None
    if sample_weight is not None:
        _check_weighted_loss(loss)
        W = check_sample_weight(sample_weight, len(X), model.dtype)
    res = _evaluate(model, X, Y, loss, metrics, weights=W, cast=cast)
    if metrics and not math.isfinite(res["loss"]):   # (a NaN output reads as class 0)
        from .model import OVERFLOW_CAUSES
        warnings.warn(f"the loss is not finite: the model's outputs, or their errors, "
                      f"overflowed ({OVERFLOW_CAUSES}); the metrics are of those outputs",
                      RuntimeWarning, stacklevel=user_stacklevel())
    return res
