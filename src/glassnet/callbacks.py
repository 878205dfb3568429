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
        when it is logged; otherwise the same metric on the training batches (``val_``
        dropped), else ``"loss"``, with one warning; None when none of them is logged."""
        key = self.monitor
        if key in logs:
            return key
        base = key[4:] if key.startswith("val_") else None
        fallback = next((k for k in (base, "loss") if k and k in logs), None)
        if not getattr(self, "_monitor_warned", False):
            self._monitor_warned = True
            what = f"monitoring {fallback!r} instead" if fallback else "nothing to monitor"
            warnings.warn(f"{type(self).__name__}: {key!r} is not logged (no validation data? "
                          f"logged: {', '.join(map(repr, logs)) or 'nothing'}); {what}",
                          RuntimeWarning, stacklevel=3)
        return fallback
