"""Shared test setup."""
import signal

import numpy as np
import pytest

import glassnet as gn

# A CI runner may start the tests with SIGINT ignored (a background job of a non-interactive
# shell). An ignored signal stays ignored in every subprocess, so the tests that press Ctrl-C
# in a child would never be heard; give this process (and so its children) the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


class NoReturnCube(gn.Layer):
    """y = x**3"""

    def forward(self, x, training=False):
        self._x = x
        return x ** 3

    def backward(self, dy):
        dx = dy * 3 * self._x ** 2  # noqa: F841  (the forgotten `return dx`)


class CollapsingTanh(gn.Layer):
    """y = tanh(x)"""

    def forward(self, x, training=False):
        self._x = x
        return np.tanh(x)

    def backward(self, dy):  # (m, 1) instead of (m, n): would broadcast
        return (dy * (1 - np.tanh(self._x) ** 2)).sum(axis=1, keepdims=True)


@pytest.fixture
def broken_backwards():
    """Custom nodes with a beginner's two backward mistakes: ``NoReturnCube`` forgets
    ``return dx``, ``CollapsingTanh`` returns shape (m, 1) for an (m, n) input."""
    return NoReturnCube, CollapsingTanh
