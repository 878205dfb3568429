"""Callbacks: small objects that ``fit`` calls at fixed points of training.

The protocol (all methods optional, all receive a ``logs`` dict they may read or extend):

    on_train_begin(logs)             before the first epoch
    on_epoch_begin(epoch, logs)      epoch counts from 0
    on_batch_begin(batch, logs)
    on_batch_end(batch, logs)        logs["loss"] holds the batch loss
    on_epoch_end(epoch, logs)        logs holds "loss", metrics and "val_*" entries
    on_train_end(logs)

During ``fit`` each callback can reach ``self.model`` (the Sequential being trained) and
``self.model.optimizer``; setting ``self.model.stop_training = True`` ends training after the
current batch (``self.model.history.stop_reason``, set with it, says why; else the reason says
that a callback stopped training).
"""
from __future__ import annotations

import os
import sys
import warnings

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning raised by the caller of this function point at
    the first frame outside glassnet: the user's ``fit(...)`` line, however deep in fit's
    callbacks the warning is raised."""
    frame, level = sys._getframe(1), 1
    while frame is not None:
        here = os.path.dirname(os.path.abspath(frame.f_code.co_filename))
        if not (here == _PACKAGE_DIR or here.startswith(_PACKAGE_DIR + os.sep)):
            return level
        frame, level = frame.f_back, level + 1
    return 1


class Callback:
    """Base class: every hook does nothing."""

    model = None

    def set_model(self, model):
        self.model = model

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def _monitored(self, logs):
        """``(key, maximize)``: the key of ``logs`` that a callback with a ``monitor`` (and a
        ``mode``) watches, and whether it improves upwards.

        ``monitor`` itself when it is logged (Keras's ``acc``/``val_acc`` name the logged
        ``accuracy``/``val_accuracy``), in the direction ``mode`` says. Otherwise, with one
        warning saying why, the closest logged key: with validation data, ``"val_loss"``;
        without, the same metric on the training batches (``val_`` dropped), else ``"loss"``;
        the direction is then that of the key monitored (mode "auto"), never ``mode``, which
        was meant for ``monitor``. ``(None, None)`` when none of them is logged."""
        mode = getattr(self, "mode", "auto")
        key = canonical_key(self.monitor)
        if key in logs:
            return key, _maximizes(key, mode)
        has_val = any(k.startswith("val_") for k in logs)
        if has_val:  # a metric name fit was not asked to log, or a typo
            order = ("val_loss", "loss")
            why = (f"not among the logged values ({', '.join(map(repr, logs))}): is it "
                   f"spelled right, and in fit(metrics=[...])?")
        elif key.startswith("val_"):
            order = (key[4:], "loss")
            why = "logged only with validation data (fit's validation_data or validation_split)"
        else:
            order = ("loss",)
            why = (f"not among the logged values ({', '.join(map(repr, logs)) or 'nothing'}): "
                   f"is it spelled right, and in fit(metrics=[...])?")
        fallback = next((k for k in order if k in logs), None)
        maximize = None if fallback is None else _maximizes(fallback, "auto")
        if not getattr(self, "_monitor_warned", False):
            self._monitor_warned = True
            if fallback is None:
                what = "nothing to monitor"
            else:
                what = (f"monitoring {fallback!r} instead, where "
                        f"{'higher' if maximize else 'lower'} is better")
                if mode != "auto":
                    what += f" (mode={mode!r} was meant for {self.monitor!r})"
            warnings.warn(f"{type(self).__name__}: {self.monitor!r} is {why}; {what}",
                          RuntimeWarning, stacklevel=user_stacklevel())
        return fallback, maximize


def canonical_key(key):
    """A logged key with Keras's metric aliases resolved: ``"val_acc"`` -> ``"val_accuracy"``,
    ``"acc"`` -> ``"accuracy"``; other keys unchanged."""
    from .metrics import ALIASES
    prefix, name = ("val_", key[4:]) if key.startswith("val_") else ("", key)
    return prefix + ALIASES.get(name, name)


def _maximizes(key, mode):
    """Whether a monitored value improves upwards: ``mode`` "max"/"min", or for "auto" what
    :func:`glassnet.metrics.greater_is_better` says of the metric (``val_`` prefix dropped);
    a name it does not know improves upwards when it looks like a score (acc, f1, ...)."""
    if mode != "auto":
        return mode == "max"
    from . import metrics as _metrics
    name = canonical_key(key[4:] if key.startswith("val_") else key)
    if name in _metrics.KIND:
        return _metrics.greater_is_better(name)
    return any(s in key for s in ("acc", "f1", "precision", "recall", "r2", "auc"))
