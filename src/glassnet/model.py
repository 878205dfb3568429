"""Sequential: a chain of nodes, the computational graph of the seeds.

forward:  ŷ = L_k(…L_2(L_1(X)))
backward: the loss's gradient enters at the top and each node, in reverse, multiplies it by
its local gradient and passes the result down (the chain rule), filling its ``grads``.
"""
from __future__ import annotations

import contextlib
import copy
import numbers
import warnings

import numpy as np

from . import activations as _act
from ._validate import (_short, all_finite, check_array, check_column_names, check_flag,
                        check_positive_int, new_rng, repeated_names, resolve_dtype)
from .callbacks import user_stacklevel
from .layers import Dense, Layer, check_backward_output

#: Rows per forward pass of predict and evaluate (and fit's validation loss) when no
#: batch_size is given: the memory used is one block's activations, not all rows'.
PREDICT_CHUNK = 8192


#: Why a model's outputs can be NaN: said by predict_classes and evaluate.
OVERFLOW_CAUSES = ("its weights may have overflowed, see model.history, or its products did "
                   "on inputs of huge magnitude: standardize them")


def _is_frame(X) -> bool:
    """Whether X is a pandas (or pandas-like) DataFrame: columns, and to_numpy."""
    return getattr(X, "columns", None) is not None and hasattr(X, "to_numpy")


def _name_kinds(names) -> str:
    """The types of column ``names``, for a message: "int, str"."""
    return ", ".join(sorted({type(c).__name__ for c in names}))


def _frame_names(X, name="X", fitting=False):
    """The column names of a pandas (or pandas-like) DataFrame when they are all text, else
    None (arrays, frames with numbers for column names). Names that repeat are refused (as
    scikit-learn refuses them): two columns of one name could be swapped unseen. With
    ``fitting``, names that mix text and other types (``["a", 1]``) are a TypeError, as in
    scikit-learn: they can be neither recorded nor checked, and the fit would record none."""
    if not _is_frame(X):
        return None
    names = list(X.columns)
    text = [isinstance(c, str) for c in names]
    if not (names and all(text)):
        if fitting and any(text):
            raise TypeError(f"{name}'s column names mix text and other types "
                            f"({_name_kinds(names)}): the model records and checks the "
                            f"columns by name only when all names are text; make them all "
                            f"text ({name}.columns = {name}.columns.astype(str)) or, to fit "
                            f"without names, pass {name}.to_numpy()")
        return None
    dups = repeated_names(names)
    if dups:
        raise ValueError(f"{name} has duplicate column name(s) {_short(dups, 100)}; column "
                         f"names must be unique (the model checks the columns by name): "
                         f"rename or drop the copies")
    return names


def forward_blocks(nodes, X, step=PREDICT_CHUNK, prepare=None):
    """The inference-mode outputs of ``nodes`` for the rows of X, ``step`` rows at a time,
    written into one array (memory bounded by one block's activations).

    The passes run on shallow copies of the nodes, dropped at the end: the nodes' own caches
    (from the last ``forward`` run on them directly) stay as they were, and nothing of X or
    its activations stays referenced once this returns. ``prepare(block, first_row)``, if
    given, turns each block of X before it goes in (a cast and a check)."""
    m = len(X)
    nodes = [copy.copy(node) for node in nodes]
    out = None
    for lo in range(0, max(m, 1), step):
        z = X[lo:lo + step]
        if prepare is not None:
            z = prepare(z, lo)
        for node in nodes:
            z = node.forward(z, False)
        if step >= m:
            return z
        for node in nodes:  # this block's caches go before the next block is prepared
            node._clear_caches()
        if out is None:
            out = np.empty((m,) + z.shape[1:], dtype=z.dtype)
        out[lo:lo + step] = z
    return out


class Sequential:
    """A model made of nodes applied in order.

    Parameters
    ----------
    layers : list of Layer
        The nodes. ``Dense(..., activation="relu")`` is expanded into a Dense node and an
        activation node, so every node of the graph stays visible.
    seed : int or None
        Seeds the ``numpy.random.Generator`` that initializes every layer not yet built (and
        drives dropout and shuffling): the same seed gives the same numbers.
    dtype : "float32" (default) or "float64"
        The dtype of parameters and computations; inputs are cast to it once, at the boundary.

    Attributes
    ----------
    epochs_trained : int
        The epoch the last ``fit`` ended at, Keras's count: its ``initial_epoch`` plus the
        epochs it completed (0 for a new model; kept in model files), so the
        ``initial_epoch`` of a ``fit`` that continues it, also after ``save``/``load``. A
        ``fit`` that starts again from ``initial_epoch=0`` counts from 0 (two ``fit(epochs=5)``
        end at 5, not 10).
    """

    epochs_trained = 0   # a class default: also for models unpickled from older versions

    def __init__(self, layers, seed: int | None = None, dtype="float32"):
        if isinstance(layers, Layer) and isinstance(seed, Layer):   # PyTorch's Sequential(a, b)
            raise TypeError("Sequential takes its layers as one list: Sequential([Dense(...), "
                            "ReLU(), ...]), not as separate arguments")
        if isinstance(layers, Layer):
            layers = [layers]
        try:
            layers = list(layers)
        except TypeError:
            raise TypeError(f"Sequential expects a list of layers, got {type(layers).__name__}") from None
        if not layers:
            raise ValueError("Sequential needs at least one layer")
        expanded = _nodes(layers)
        self.layers = expanded
        self.seed = seed
        self.dtype = resolve_dtype(dtype)
        self.rng = new_rng(seed)
        self.n_features = None
        self.history = None
        first = self.layers[0]
        n_in = first.n_in if first.built else getattr(first, "_n_in_arg", None)
        if n_in is not None:
            self.build(n_in)

    # -- structure ------------------------------------------------------------------------
    def build(self, n_in: int):
        """Give every node its input width, initializing parameters from the model's seed.

        Nodes already built keep their parameters (cast to the model's dtype)."""
        width = n_in
        for i, layer in enumerate(self.layers):
            try:
                if layer.built and layer.n_in == width:
                    layer.to(self.dtype)
                    width = layer.n_out
                elif layer.built and layer.params:
                    raise ValueError(f"layer {i} ({layer!r}) expects {layer.n_in} inputs but "
                                     f"the layer before it gives {width}")
                else:
                    given = width
                    width = _built_width(i, layer, layer.build(width, self.rng, self.dtype),
                                         self.dtype)
                    # a custom build that returns its width without recording the widths
                    # (the base class's does) still describes its node: the checks and the
                    # trace read n_in and n_out
                    if layer.n_in is None:
                        layer.n_in = given
                    if layer.n_out is None:
                        layer.n_out = width
            except ValueError as exc:
                if str(exc).startswith("layer "):
                    raise
                raise ValueError(f"layer {i} ({type(layer).__name__}): {exc}") from None
        self.n_features = n_in
        return self

    def add(self, layer):
        """Append ``layer`` (expanded as in the constructor: ``Dense(..., activation=...)``
        adds two nodes) and return the model, as Keras's ``Sequential.add``.

        A built model builds the new nodes at once, for the width of its last node, from the
        model's generator: the weights are those ``Sequential([..., layer], seed=...)`` gives.
        A trained model (one with a loss or an optimizer, from ``fit`` or a file) refuses:
        its loss and optimizer were chosen for the old graph; make a new model of the same
        (trained) nodes instead, ``Sequential([*model.layers, layer])``."""
        if getattr(self, "loss", None) is not None or getattr(self, "optimizer", None) is not None:
            raise RuntimeError("add() builds a model before training; this one is trained (it "
                               "has a loss/optimizer): make a new model of its nodes, "
                               "Sequential([*model.layers, layer]), and fit that")
        before, self.layers = self.layers, _nodes([layer], self.layers)
        if self.built:
            try:  # the old nodes are kept as they are; a width that does not fit fails
                self.build(self.n_features)  # before any new node is built
            except ValueError as exc:
                self.layers = before  # `layer` is left as given
                raise ValueError(f"cannot add {layer!r}: {exc}") from None
        return self

    @contextlib.contextmanager
    def _unchanged_on_error(self):
        """Put the model back as it was when the block raises: its attributes, its nodes'
        (their parameter and gradient dicts too) and its generator's state. fit builds the
        model to check its inputs against the graph; a call refused for its inputs leaves an
        unbuilt model unbuilt, and the generator where it was. Shallow: what a node's build
        changes in place beyond its own attributes and dicts is not undone."""
        state = dict(vars(self))
        rng_state = self.rng.bit_generator.state
        nodes = [(node, dict(vars(node)), dict(node.params), dict(node.grads))
                 for node in self.layers]
        try:
            yield
        except BaseException:
            vars(self).clear()
            vars(self).update(state)
            self.rng.bit_generator.state = rng_state
            for node, attrs, params, grads in nodes:
                vars(node).clear()
                vars(node).update(attrs)
                for d, saved in ((node.params, params), (node.grads, grads)):
                    d.clear()
                    d.update(saved)
            raise

    def _ensure_built(self, n_in):
        """Build the model for ``n_in`` inputs if it is not built; if it is, build the nodes
        put into it since (``model.layers[i] = Dense(4, 1)``) from the model's generator, as
        :meth:`build` does. fit, trace, forward and predict all start here: a node built by
        its own first forward would take unseeded weights (and predict, running on copies
        of the nodes, new ones at every call)."""
        if not self.built:
            self.build(n_in)
        elif not all(layer.built for layer in self.layers):
            self.build(self.n_features)

    @property
    def built(self) -> bool:
        return self.n_features is not None

    @property
    def n_outputs(self) -> int | None:
        return self.layers[-1].n_out if self.built else None

    def parameters(self):
        """Every parameter array: a list of (layer, name, array, grad) in graph order (frozen
        layers' too: ``get_weights``/``set_weights`` cover them)."""
        return [(layer, k, layer.params[k], layer.grads[k])
                for layer in self.layers for k in layer.params]

    def _nonfinite_params(self) -> list[str]:
        """``"layer i (Dense) W: n of size"`` for each parameter holding NaN or infinity."""
        return [f"layer {i} ({type(layer).__name__}) {k}: {int(n)} of {np.size(v)}"
                for i, layer in enumerate(self.layers) for k, v in layer.params.items()
                if (n := np.size(v) - np.count_nonzero(np.isfinite(v)))]

    def trainable_parameters(self):
        """``parameters()`` of the layers not frozen (``layer.trainable = False``): what an
        optimizer step updates."""
        for i, layer in enumerate(self.layers):  # 'no' would read as True
            check_flag(getattr(layer, "trainable", True), f"layer {i} trainable",
                       type(layer).__name__)
        return [t for t in self.parameters() if getattr(t[0], "trainable", True)]

    def n_params(self) -> int:
        return sum(layer.n_params() for layer in self.layers)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of all parameter arrays, in ``parameters()`` order."""
        return [p.copy() for _, _, p, _ in self.parameters()]

    def set_weights(self, weights) -> None:
        """Copy arrays (as from ``get_weights``) back into the parameters, in place. Each
        must be a real, finite array of its parameter's shape; nothing is changed unless all
        are."""
        if not self.built:
            raise RuntimeError("the model is not built yet (no input width): build it "
                               "(model.build(n_in)) or fit it before set_weights")
        params = self.parameters()
        if len(weights) != len(params):
            raise ValueError(f"expected {len(params)} arrays, got {len(weights)}")
        checked = []
        for k, ((layer, name, p, _), w) in enumerate(zip(params, weights)):
            where = f"array {k} (layer {self.layers.index(layer)} {type(layer).__name__}.{name})"
            if w is None:
                raise TypeError(f"{where} is None")
            w = np.asarray(w)
            if w.dtype.kind not in "iuf":
                raise TypeError(f"{where} must hold real numbers, got dtype {w.dtype}")
            if w.shape != p.shape:
                raise ValueError(f"{where} has shape {p.shape}, got {w.shape}")
            with np.errstate(over="ignore"):
                cast = w.astype(p.dtype)
            if not np.isfinite(cast).all():
                raise ValueError(f"{where} holds NaN or infinity (or numbers too large for "
                                 f"{p.dtype})")
            checked.append((p, cast))
        for p, cast in checked:
            p[...] = cast

    # -- the graph --------------------------------------------------------------------------
    def forward(self, x, training: bool = False):
        """Run every node in order and return the last node's output."""
        if not isinstance(x, np.ndarray):
            x = np.asarray(x)
        if x.dtype.kind not in "biuf":
            raise ValueError(f"input must hold numbers, got dtype {x.dtype}")
        if x.ndim != 2 or (self.built and x.shape[1] != self.n_features):
            raise ValueError("input must be 2-D (examples, features)"
                             + (f" with {self.n_features} features" if self.built else "")
                             + f", got shape {x.shape}")
        self._ensure_built(x.shape[1])
        if x.dtype != self.dtype:
            x = x.astype(self.dtype)
        for layer in self.layers:
            x = layer.forward(x, training)
        self._out_shape = x.shape  # what backprop checks the loss's gradient against
        return x

    __call__ = forward

    def backward(self, dy, input_grad: bool = False, start: int | None = None, dtype=None):
        """Pass dCost/dŷ back through the nodes in reverse; return dCost/dX if ``input_grad``.

        ``start`` is the index of the node whose *output* gradient ``dy`` is (default: the
        last node). The first node skips its input gradient unless asked: nobody needs the
        gradient of the data, and skipping it saves one matrix product per step.

        Each node's ``backward`` must return an array of its input's shape (m, n_in) (None
        only where the node was told it need not), and of ``dtype`` when given (``fit``'s
        first step gives the model's); otherwise a ValueError (a TypeError for the dtype)
        names the node's index and class.
        """
        last = len(self.layers) - 1 if start is None else start
        if dtype is not None:
            dtype = resolve_dtype(dtype)
            if dtype != self.dtype:
                raise ValueError(f"dtype={dtype.name} is not this model's ({self.dtype.name})")
        # the given dy first, so that a node is not blamed for it: an array in the model's
        # dtype, of the shape of model.forward's last output when dy is its gradient (fit,
        # which forwards node by node, passes ``start``)
        if not isinstance(dy, np.ndarray):
            raise ValueError(f"dy must be an array, got {type(dy).__name__}")
        want = getattr(self, "_out_shape", None) if start is None else None
        if want is not None and dy.shape != tuple(want):
            raise ValueError(f"dy has shape {dy.shape} but the model's last forward output has "
                             f"shape {tuple(want)}: dy = dCost/dŷ must have the output's shape")
        if dtype is not None and dy.dtype != dtype:
            raise TypeError(f"dy is {dy.dtype} in a {dtype.name} model: give dCost/dŷ in the "
                            f"model's dtype")
        self.layers[0].needs_input_grad = input_grad
        for i in range(last, -1, -1):
            layer = self.layers[i]
            # what backward returns is checked (a shape comparison): a custom node that
            # forgets `return dx`, or returns a wrong shape, is named here
            dy = check_backward_output(layer, i, layer.backward(dy), (dy.shape[0], layer.n_in),
                                       needed=layer.needs_input_grad, dtype=dtype)
            if dy is None:
                break
        return dy

    def fused_with(self, loss) -> bool:
        """True when the last node is the activation ``loss`` absorbs (Softmax + categorical
        cross-entropy, Sigmoid + binary cross-entropy): backprop then starts below it with the
        simple gradient (ŷ − y)/m."""
        fw = getattr(loss, "fuses_with", None)
        return (fw is not None and not getattr(loss, "from_logits", True)
                and type(self.layers[-1]) is fw)

    def backprop(self, loss, input_grad: bool = False):
        """Backward from a loss whose ``forward`` was just called on this model's output."""
        fused = self.fused_with(loss)
        dy = loss.fused_backward() if fused else loss.backward()
        shape = getattr(self, "_out_shape", None)
        if shape is not None:  # a custom loss's gradient is named, not a node below it
            dy = check_backward_output(loss, None, dy, shape)
        if fused:
            return self.backward(dy, input_grad, start=len(self.layers) - 2) \
                if len(self.layers) > 1 else dy
        return self.backward(dy, input_grad)

    # -- use ----------------------------------------------------------------------------------
    def _check_X(self, X, name="X"):
        self._check_names(X, name)
        return check_array(X, name=name, dtype=self.dtype, n_features=self.n_features)

    def _check_names(self, X, name="X", fitting=False, known=None):
        """A DataFrame's columns against those of the frame the model was first fitted on
        (``feature_names_in_``, as scikit-learn keeps them, or ``known``): other names, or
        the same in another order, are refused, since the columns are read by position.
        Returns the names (fit records them when the model has none yet), None for arrays
        and frames whose column names are not all text. Such a frame cannot be checked: after
        a fit on named columns it is warned about, as scikit-learn does (an array is taken
        silently: it has no names to be wrong). ``fitting``: see :func:`_frame_names`."""
        names = _frame_names(X, name, fitting)
        if known is None:
            known = getattr(self, "feature_names_in_", None)
        if known is None:
            return names
        if names is not None:
            check_column_names(names, known, name, "the model", "model")
        elif _is_frame(X) and len(X.columns):   # (no columns: check_array says so)
            warnings.warn(f"{name} does not have valid feature names (its column names are "
                          f"not all text: {_name_kinds(X.columns)}), but {type(self).__name__} was "
                          f"fitted with feature names ({_short(list(known), 100)}): its "
                          f"columns are read by position, unchecked; name them as fitted "
                          f"({name}.columns = list(model.feature_names_in_), if they are in "
                          f"that order)", UserWarning, stacklevel=user_stacklevel())
        return names

    def _input(self, X, name="X"):
        """(X, cast) for :meth:`_outputs`. A NumPy array (or memmap) of numbers with the
        model's columns is kept as it is (cast=True): ``_outputs`` casts and checks one block
        of rows at a time, so a float64 or memory-mapped X is never copied (or read) whole.
        Anything else (lists, DataFrames, object arrays, a wrong shape) goes through
        ``check_array`` whole (cast=False), with its errors."""
        if type(X) in (np.ndarray, np.memmap) and X.dtype.kind in "biuf" and X.ndim == 2 \
                and X.shape[0] > 0 and X.shape[1] == self.n_features:
            return X, True
        return self._check_X(X, name), False

    def _outputs(self, X, batch_size=None, name="X", cast=False):
        """The outputs for X in inference mode, ``batch_size`` rows (default
        :data:`PREDICT_CHUNK`) at a time, through :func:`forward_blocks` (copies of the nodes;
        their own caches are left alone). With ``cast``, X comes from :meth:`_input` and each
        block is cast to the model's dtype and checked for NaN/infinity (the error names the
        row and column in X)."""
        self._ensure_built(self.n_features)
        prepare = None
        if cast:
            def prepare(z, lo):
                with np.errstate(over="ignore", invalid="ignore"):  # reported just below
                    z = np.ascontiguousarray(z, dtype=self.dtype)
                if X.dtype.kind == "f" and not all_finite(z):
                    self._check_X(X, name)  # its error names the value's row and column in X
                    raise ValueError(f"{name} contains NaN or infinity in rows {lo} to "
                                     f"{lo + len(z) - 1}")  # not reached: check_array raises
                return z
        return forward_blocks(self.layers, X, batch_size or PREDICT_CHUNK, prepare)

    def predict(self, X, batch_size: int | None = None):
        """The network's output for X of shape (m, n_features), computed without training.

        The rows go through the network ``batch_size`` at a time (default 8192), into one
        output array, so the memory used is one block's activations, not all rows'; a NumPy
        X (a memmap too) is cast to the model's dtype and checked a block at a time. Each
        row's output does not depend on the other rows, up to rounding: float32 matrix
        products may round the last bit differently in blocks of different sizes. Nothing of
        X is kept once this returns: the nodes' caches (what their backward reads) stay those
        of the last ``forward`` called on them directly."""
        if not self.built:
            raise RuntimeError("this model has no input width yet: fit it, or give the first "
                               "layer n_in (Dense(n_in, n_out))")
        if batch_size is not None:
            batch_size = check_positive_int(batch_size, "batch_size")
        X, cast = self._input(X)
        return self._outputs(X, batch_size, cast=cast)

    def _clear_caches(self):
        """Drop what each node's last ``forward`` kept (input, output, mask: the attributes
        in ``Layer._cache_attrs``); ``fit`` calls it as it returns."""
        for layer in self.layers:
            layer._clear_caches()

    def fit(self, X, y, loss=None, optimizer=None, epochs=1, batch_size=32, shuffle=True,
            validation_data=None, validation_split=0.0, callbacks=(), metrics=(), verbose=0,
            on_nonfinite="stop", initial_epoch=0, sample_weight=None, class_weight=None):
        """Train the model in place and return a :class:`~glassnet.train.History`.

        Parameters
        ----------
        X : array of shape (m, n_features)
        y : array of shape (m,) or (m, n_outputs)
            Integer labels 0..k-1 (or one-hot) for categorical cross-entropy, 0/1 for binary
            cross-entropy, numbers for regression.
        loss : Loss or name, optional
            Default: the loss of the previous ``fit`` (or of the loaded model file); for a
            model never trained, from the last node: Sigmoid -> "bce", Softmax -> "cce", else
            "mse".
        optimizer : Optimizer or name, optional
            Default: the optimizer of the previous ``fit``, so a second ``fit`` continues with
            the same learning rate and state (Adam's moments, momentum, a reduced rate); for
            a loaded model, a fresh optimizer of the type and configuration saved in the file
            (its state is not in a model file: :func:`glassnet.io.resume` continues from a
            checkpoint's); for a model never trained (or a file without one), ``"adam"``. E.g. ``glassnet.optim.SGD(lr=1.0)`` for the
            seeds' plain gradient descent.
        epochs : int
        batch_size : int or None
            None trains on the whole set at once (full-batch gradient descent, as the seeds).
        shuffle : bool
            Draw a new order of the examples each epoch (from the model's seeded generator).
        validation_data : (X_val, y_val) or (X_val, y_val, sample_weight_val), optional
        validation_split : float
            Hold out this fraction of (X, y) (and of ``sample_weight``), chosen at random,
            when no validation_data. A later ``fit`` of the same model on as many rows holds
            out the same rows (continuing training never validates on rows it trained on).
            Only the held-out rows of X are copied: the batches are gathered from X itself (a
            full batch gathers the training rows once).
        callbacks : list of Callback
            E.g. EarlyStopping, LearningRateScheduler, CSVLogger, ModelCheckpoint.
        metrics : list of names (or functions)
            Logged each epoch (on the training batches as they were seen, and on validation);
            see :func:`glassnet.metrics.get` (Keras's ``"acc"`` is logged as ``"accuracy"``).
            One of glassnet's metric functions (``glassnet.metrics.accuracy_score``) is
            logged under its name; any other function ``f(y_true, y_pred) -> number``, as
            in Keras, is called on the targets and the raw outputs and logged under
            ``f.__name__``.
            An unknown name, or a metric that does not fit the model (roc_auc on three
            classes, accuracy on a regression), fails before training starts.
        verbose : 0, 1 or 2
            0 silent, 1 a progress bar (tqdm), 2 one line per epoch.
        on_nonfinite : "stop" or "raise"
            What to do when the loss becomes NaN or infinite: put back the weights of the
            start of the epoch (the last finite ones; a loss already rising fast may have
            made them poor: EarlyStopping's restore_best_weights puts back the best epoch's)
            and stop with a warning, or raise
            :class:`~glassnet.train.DivergenceError`. With "stop", as Keras's
            ``TerminateOnNaN``, the epoch that diverged is still recorded: the history and
            the callbacks' ``on_epoch_end`` (CSVLogger's row too) get ``loss``, each metric
            and the ``val_`` values as NaN (``lr`` as it was), so ``history.history`` has
            every key even when the first epoch diverged. ModelCheckpoint saves nothing for
            it and EarlyStopping ignores it.
        initial_epoch : int
            The number of the first epoch (for logs, callbacks and schedules); ``epochs``
            more are run. Afterwards ``model.epochs_trained`` is ``initial_epoch`` plus the
            epochs completed (an epoch that diverged, whose weights were put back, and one
            cut short by Ctrl-C do not count): the ``initial_epoch`` for a ``fit`` that
            continues. To continue from a checkpoint exactly, see
            :func:`glassnet.io.resume`.
        sample_weight : array of shape (m,), optional
            Non-negative, finite, not all zero, also once cast to the model's dtype (a
            weight beyond float32's range fails: rescale them, only their relative sizes
            matter to the loss; Dense ``l2`` divides by the batch's weight sum). Each batch then minimizes the weighted mean
            Σ wᵢ·ℓᵢ / Σ wᵢ of its rows' losses (integer weights act as repeated rows, weight
            0 removes a row; a batch whose rows all weigh 0 takes no step), and the logged
            ``loss``/``val_loss`` are weighted means too (metrics are not weighted).
            (Keras divides Σ wᵢ·ℓᵢ by the batch's number of rows instead: its losses and
            gradients are these times the batch's mean weight.)
        class_weight : dict {class index: weight}, optional
            Keras's form: each training row weighs its class's weight (times its
            ``sample_weight``), e.g. ``{0: 1.0, 1: 10.0}`` for a rare class 1; every class in
            ``y`` needs a weight, and every key must be a class of the model. For a
            classifier with one label per row (binary cross-entropy on one output,
            categorical cross-entropy, hinge); validation rows are not weighted by it. Each
            batch then minimizes Σ wᵢ·ℓᵢ / Σ wᵢ, as with ``sample_weight`` (as PyTorch's
            ``CrossEntropyLoss(weight=)`` and scikit-learn's MLP weigh; Keras divides by the
            batch's rows): with mini-batches a rare row's weight counts within its batch
            only, so "balanced" weights (``n / (k · count)``) correct an imbalance less than
            in a full batch (``batch_size=None``) or in Keras.

        A call refused for its inputs (X, y, the weights, ``validation_data``, ...) leaves
        the model as it was: an unbuilt model stays unbuilt, its generator is not advanced
        and no column names are recorded, so the corrected call gives the weights a fresh
        model of the same seed gives.

        Ctrl-C during fit stops at the end of the current batch and keeps the weights and the
        history (``history.interrupted`` is then True); an EarlyStopping callback still puts
        back its best epoch's weights, and the warning (``history.stop_reason``) says which
        weights are kept.
        """
        from .train import fit
        return fit(self, X, y, loss=loss, optimizer=optimizer, epochs=epochs,
                   batch_size=batch_size, shuffle=shuffle, validation_data=validation_data,
                   validation_split=validation_split, callbacks=callbacks, metrics=metrics,
                   verbose=verbose, on_nonfinite=on_nonfinite, initial_epoch=initial_epoch,
                   sample_weight=sample_weight, class_weight=class_weight)

    def evaluate(self, X, y, loss=None, metrics=None, sample_weight=None):
        """Return {"loss": ..., metric: ...} on (X, y) without training (the loss weighted by
        ``sample_weight`` when given): a dict, as Keras's ``return_dict=True`` (unpack it with
        ``res["loss"]``, not ``loss, acc = ...``). ``metrics`` None: the named metrics of the
        last ``fit`` (``()`` for the loss alone; metric functions are given again)."""
        from .train import evaluate
        return evaluate(self, X, y, loss=loss, metrics=metrics, sample_weight=sample_weight)

    def predict_proba(self, X, batch_size: int | None = None):
        """Class probabilities: the output of a final Sigmoid/Softmax node, or the sigmoid /
        softmax of the output when the model was trained on logits (a from_logits loss)."""
        from .train import _to_proba
        out = self.predict(X, batch_size)
        last = self.layers[-1]
        if isinstance(last, (_act.Sigmoid, _act.Softmax)):
            return out
        loss = getattr(self, "loss", None)
        if loss is not None and getattr(loss, "from_logits", False):
            return _to_proba(out, loss)
        raise ValueError("this model's output is not a probability: end it with a Sigmoid or "
                         "Softmax node, or train it with a from_logits loss")

    def _not_class_scores(self) -> str | None:
        """Why this model's outputs are not class scores ("last node Dense, trained with
        MSE"), or None when they are: a final Sigmoid, Softmax or Step node, or a
        classification loss (binary/categorical cross-entropy, hinge)."""
        from . import losses as _losses
        loss = getattr(self, "loss", None)
        last = self.layers[-1] if self.layers else None
        if isinstance(loss, (_losses.BinaryCrossEntropy, _losses.CategoricalCrossEntropy,
                             _losses.Hinge)) or \
                isinstance(last, (_act.Sigmoid, _act.Softmax, _act.Step)):
            return None
        how = f"trained with {type(loss).__name__}" if loss is not None else "not trained"
        return f"last node {type(last).__name__}, {how}"

    def predict_classes(self, X, batch_size: int | None = None):
        """Predicted classes: for one output, output > 0.5 (> 0 when the model was trained on
        logits, or with Hinge: −1/+1 when its targets were −1/+1, see ``Hinge.labels``,
        else 0/1); for several, the argmax (one class index per row), except
        after training with binary cross-entropy, where the outputs are independent labels
        (multi-label) and each gets its own 0/1.

        Needs outputs that score classes: a final Sigmoid, Softmax or Step node, or a
        classification loss (binary/categorical cross-entropy, hinge). A regression model
        (say a linear output trained with MSE) raises ValueError rather than returning
        thresholded numbers."""
        from . import losses as _losses
        from .train import _threshold, _to_labels
        problem = self._not_class_scores()
        if problem:
            raise ValueError(f"this model's outputs are not class scores ({problem}): "
                             f"predict_classes needs a final Sigmoid, Softmax or Step node or "
                             f"a classification loss; use predict for numeric outputs")
        loss = getattr(self, "loss", None)
        out = self.predict(X, batch_size)
        bad = np.isnan(out)   # (an infinite logit still says which class wins)
        if bad.any():  # argmax and '> 0.5' would give class 0 without a word
            rows = int(bad.reshape(len(out), -1).any(axis=1).sum())
            warnings.warn(f"the model's outputs are NaN for {rows} of {len(out)} rows "
                          f"({OVERFLOW_CAUSES}); their predicted class is meaningless",
                          RuntimeWarning, stacklevel=2)
        if isinstance(loss, _losses.BinaryCrossEntropy) and out.ndim == 2 and out.shape[1] > 1:
            return (out > _threshold(loss)).astype(np.int64)
        labels = _to_labels(out, loss)
        if isinstance(loss, _losses.Hinge) and getattr(loss, "labels", None) == (-1, 1) \
                and (out.ndim == 1 or out.shape[1] == 1):
            labels = 2 * labels - 1  # the targets' own −1/+1
        return labels

    def save(self, path):
        """Save to glassnet's safe model format (JSON description + raw arrays; no pickle)."""
        from .io import save_model
        return save_model(self, path)

    def summary(self) -> "Summary":
        """A table of the nodes with output widths and parameter counts: a ``str`` (print it,
        or use it as text) whose repr is the table itself, so ``model.summary()`` as a
        notebook cell's last line or at the ``>>>`` prompt shows the table."""
        rows = [("#", "node", "output", "params")]
        frozen = 0
        for i, layer in enumerate(self.layers):
            out = f"(m, {layer.n_out})" if layer.built else "?"
            n = layer.n_params()
            if not layer.trainable:
                frozen += n
            rows.append((str(i), repr(layer) + ("" if layer.trainable else "  (frozen)"), out,
                         f"{n:,}"))
        w = [max(len(r[c]) for r in rows) for c in range(4)]
        lines = ["  ".join(r[c].ljust(w[c]) if c < 3 else r[c].rjust(w[c]) for c in range(4))
                 for r in rows]
        rule = "-" * len(lines[0])
        total = f"total parameters: {self.n_params():,}  (dtype {self.dtype.name}, seed {self.seed})"
        if frozen:  # as Keras's summary: what fit changes and what it leaves
            total += (f"\ntrainable: {self.n_params() - frozen:,}  non-trainable (frozen): "
                      f"{frozen:,}")
        return Summary("\n".join([lines[0], rule, *lines[1:], rule, total]))

    def __repr__(self):
        inner = ",\n".join(f"    {layer!r}" for layer in self.layers)
        return f"Sequential([\n{inner},\n], seed={self.seed!r}, dtype={self.dtype.name!r})"


class Summary(str):
    """What :meth:`Sequential.summary` returns: the table as a ``str``, shown as the table
    (not one quoted line with ``\\n``) when it is a notebook cell's or the prompt's value."""

    __slots__ = ()

    def __repr__(self):
        return str(self)

    def _repr_pretty_(self, p, cycle):   # IPython's plain-text display
        p.text(str(self))


def _built_width(i, layer, width, dtype):
    """``width``, what node ``i``'s ``build`` returned, checked (once, as the model is built)
    as the next node's input width, with the parameters it allocated: a custom node whose
    build forgets ``return`` is named here, last in the model or not (not as the next node's
    n_in), one that ignores ``dtype`` here (its float64 weights would silently turn a
    float32 model's later nodes float64), and one that returns another width than the
    ``n_out`` it set (fit checks forward against ``n_out``; the next node is built for the
    width returned, and would fail in NumPy's matmul)."""
    who = f"layer {i} ({type(layer).__name__}).build()"
    if isinstance(width, bool) or not isinstance(width, numbers.Integral) or width < 1:
        got = "None" if width is None else repr(width)
        raise TypeError(f"{who} returned {got}; it must return its output width (n_out), "
                        f"a positive integer")
    n_out = getattr(layer, "n_out", None)
    if n_out is not None and n_out != width:  # the next node would be built for `width`
        raise ValueError(f"{who} returned {width} but set n_out={n_out}: return the width "
                         f"forward gives, and set n_out to it")
    bad = [f"{k} is {p.dtype}" for k, p in layer.params.items()
           if isinstance(p, np.ndarray) and p.dtype != dtype]
    if bad:
        raise TypeError(f"{who} allocated parameters of another dtype than the model's "
                        f"{np.dtype(dtype).name} ({', '.join(bad)}): allocate them with the "
                        f"dtype build() is given")
    return int(width)


def _nodes(layers, before=()):
    """The graph's nodes: ``before`` followed by ``layers``, each Dense with an activation
    split into the Dense node and a new activation node. Raises TypeError for something that
    is not a Layer, ValueError for one object at two places.

    The Dense keeps its ``activation`` (the list it came from builds the same graph again, as
    a Keras layer keeps its activation); the activation node records the Dense it was split
    from, so the nodes of a model (``Sequential([*model.layers, ...])``) give each
    activation once, not twice."""
    given = []
    for i, layer in enumerate(layers, len(before)):
        if isinstance(layer, type) and issubclass(layer, Layer):
            try:
                layer = layer()
            except TypeError as exc:  # Dense (the class), for Dense(2, 1)
                raise TypeError(f"layer {i} is the class {layer.__name__}, which needs "
                                f"arguments: pass an instance ({layer.__name__}(...); {exc})"
                                ) from None
        if not isinstance(layer, Layer):
            raise TypeError(f"layer {i} is {layer!r}, not a glassnet Layer "
                            f"(e.g. Dense(4, 8) or ReLU())")
        if "params" not in vars(layer):  # Layer.__init__ never ran: no params, grads, caches
            raise TypeError(f"layer {i} ({type(layer).__name__}) is not set up as a Layer: "
                            f"its __init__ must call super().__init__() first")
        given.append(layer)
    # the Dense nodes whose activation node is among the given ones, wherever it stands
    split = {id(n._split_from) for n in given if getattr(n, "_split_from", None) is not None}
    expanded = list(before)
    for layer in given:
        expanded.append(layer)
        if isinstance(layer, Dense) and layer.activation is not None and id(layer) not in split:
            node = _act.get(layer.activation)
            node._split_from = layer
            expanded.append(node)
    first_at = {}
    for i, layer in enumerate(expanded):
        j = first_at.setdefault(id(layer), i)
        if j != i:
            raise ValueError(f"node {i} ({layer!r}) is the same object as node {j}: a node "
                             f"keeps its own input and gradients, so one object cannot "
                             f"sit at two places of the graph; create a new layer for each "
                             f"place (shared weights are not supported)")
    return expanded

