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


def _guard_cli_start():
    """Ctrl-C while the ``glassnet`` command starts (NumPy and every module load first, for
    half a second) ends it with one line and exit status 130, as once the command runs, not a
    traceback of the imports. Only in that process: the console script, ``python -m glassnet``
    or ``-m glassnet.cli`` (sys.argv[0] is "-m" while the package loads, and sys.orig_argv
    says which module); a program that imports glassnet keeps its KeyboardInterrupt.

    Returns what hands Ctrl-C back (KeyboardInterrupt, which the commands handle): cli.main
    calls it; for the console script the end of this module does, once glassnet.cli is
    loaded, so a script of its own that happens to be named glassnet gets it back at once."""
    import os
    import sys
    argv = getattr(sys, "argv", None) or [""]
    as_module = argv[0] == "-m"
    if as_module:
        orig = getattr(sys, "orig_argv", [])
        word = orig[len(orig) - len(argv)] if len(orig) > len(argv) else ""
        name = word.partition("m")[2] if word.startswith("-") else word   # -m NAME, -mNAME
    else:
        name = os.path.basename(argv[0]).removesuffix(".exe")
    try:  # the C module is loaded at startup; `signal` imports enum first, unguarded
        import _signal as signal
    except ImportError:
        import signal
    if name not in ("glassnet", "glassnet.cli") \
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        # not the command, or Ctrl-C ignored (a background job): nothing to guard
        return lambda end_of_init=False: None

    def interrupted(signum, frame):
        # an exit, not an exception: raised inside NumPy's C import it would come out as an
        # ImportError with a page of advice; nothing has been written or saved yet
        if sys.stderr is not None:
            try:
                sys.stderr.write("glassnet: interrupted\n")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
        os._exit(130)

    def done(end_of_init=False):
        if end_of_init and as_module:  # runpy has __main__ to find and load: main() hands back
            return
        if signal.getsignal(signal.SIGINT) is interrupted:
            try:
                if end_of_init:
                    from . import cli  # noqa: F401 (the console script's next import)
            finally:
                signal.signal(signal.SIGINT, signal.default_int_handler)

    try:
        signal.signal(signal.SIGINT, interrupted)
    except ValueError:  # not the main thread
        pass
    return done


_cli_started = _guard_cli_start()

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

__version__ = "0.3.0.dev0"

_cli_started(end_of_init=True)
del _guard_cli_start

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
