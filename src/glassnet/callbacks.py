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
current batch.
"""
from __future__ import annotations

import warnings


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
        """The key of ``logs`` that a callback with a ``monitor`` watches: ``monitor`` itself
        when it is logged; otherwise, with one warning saying why, the closest logged one:
        with validation data, ``"val_loss"``; without, the same metric on the training
        batches (``val_`` dropped), else ``"loss"``. None when none of them is logged."""
        key = self.monitor
        if key in logs:
            return key
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
        if not getattr(self, "_monitor_warned", False):
            self._monitor_warned = True
            what = f"monitoring {fallback!r} instead" if fallback else "nothing to monitor"
            warnings.warn(f"{type(self).__name__}: {key!r} is {why}; {what}", RuntimeWarning,
                          stacklevel=3)
        return fallback
