"""glassnet: a glass-box neural-network library in pure NumPy.

Every node of the computational graph shows its value, its local gradient and the gradient it
passes back; the same engine trains fast on real data.

Where to start:

* ``glassnet.Sequential([glassnet.Dense(2, 8, activation="relu"), glassnet.Dense(8, 1),
  glassnet.Sigmoid()]).fit(X, y)``: build and train a network (``help(glassnet.Sequential)``);
* ``glassnet.trace(model, X, y, loss, optimizer)``: one training step, node by node;
  ``glassnet.gradcheck``: gradients against finite differences;
* ``glassnet.sklearn.GlassClassifier`` / ``GlassRegressor``: scikit-learn estimators;
* ``glassnet.data``: bundled datasets, generators, a CSV reader; ``glassnet.plot``: figures;
* on the command line: ``glassnet train data.csv --target COLUMN``, ``glassnet explain
  or-gate`` (``glassnet --help``).
"""
from . import activations, callbacks, data, init, losses, metrics, optim, preprocess
from .activations import (ELU, GELU, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Softplus,
                          Step, Tanh)
from .gradcheck import gradcheck
from .layers import Dense, Dropout, Layer
from .losses import (MAE, MSE, BinaryCrossEntropy, CategoricalCrossEntropy, Hinge, Huber,
                     Loss)
from .model import Sequential
from .io import ModelFileError, load_model, save_model
from .io import load_model as load
from .trace import Trace, trace
from .trained import TrainedModel, load_trained
from .callbacks import Callback
from .optim import SGD, Adagrad, Adam, AdamW, ReduceLROnPlateau, RMSProp
from .train import (CSVLogger, DivergenceError, EarlyStopping, History, LearningRateScheduler,
                    ModelCheckpoint)

__version__ = "0.2.0"

# Modules with optional dependencies load on first use, so ``gn.plot`` after ``import glassnet
# as gn`` works (or says which extra to install) without slowing ``import glassnet``.
_LAZY = ("plot", "sklearn", "scaling")


def __getattr__(name):
    if name in _LAZY:
        import importlib
        try:
            return importlib.import_module(f".{name}", __name__)
        except ImportError as exc:  # hasattr(), help() and completion expect AttributeError
            raise AttributeError(f"glassnet.{name} is unavailable: {exc}") from exc
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")


def __dir__():  # tab completion lists the lazy modules too
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "Dense", "Dropout", "Layer", "Sequential", "Identity", "Step", "Sigmoid", "Tanh", "ReLU",
    "LeakyReLU", "ELU", "GELU", "Softplus", "Softmax", "Loss", "MSE", "MAE", "Huber",
    "BinaryCrossEntropy", "CategoricalCrossEntropy", "Hinge", "gradcheck", "activations",
    "init", "losses", "__version__", "trace", "Trace", "load", "load_model", "save_model", "ModelFileError", "optim", "data", "preprocess", "metrics", "callbacks", "Callback",
    "SGD", "Adagrad", "Adam", "AdamW", "RMSProp", "CSVLogger", "DivergenceError",
    "EarlyStopping", "History", "LearningRateScheduler", "ModelCheckpoint", "ReduceLROnPlateau",
    "load_trained", "TrainedModel",
]
