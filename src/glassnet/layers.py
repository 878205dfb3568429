"""The layer contract: every layer is one node of the computational graph.

A node has

* ``forward(x, training=False) -> y``: computes its output and caches what backward needs;
* ``backward(dy) -> dx``: receives the upstream gradient dCost/dy, multiplies it by the
  node's local gradient (the chain rule) and returns dCost/dx, the gradient it passes down;
  parameter gradients are written into ``grads``;
* ``params`` and ``grads``: dicts with the same keys (empty for parameter-free nodes).

Examples are in rows: x has shape (m, n_in). Training, tracing and gradient checking are all
built on this contract alone, so a new layer needs nothing but these methods.
"""
from __future__ import annotations

import functools

import numpy as np

from . import init as _init
from ._validate import check_flag, check_fraction, check_positive_int, new_rng, resolve_dtype


def matmul(a, b, out=None):
    """``a @ b``: every matrix product of the engine goes through here, one BLAS call each,
    so a test can count them (tests/test_perf_guard.py).

    A product over an inner dimension of 1 (the weight gradient xᵀ·dy of a one-row batch)
    is the outer product, computed as a broadcast multiply: the same numbers (one term per
    entry; a zero keeps its sign), and NumPy's matmul takes ~200 µs for 784 x 1 x 256
    against ~40 µs."""
    if a.ndim == 2 and b.ndim == 2 and a.shape[1] == 1 and b.shape[0] == 1 \
            and a.shape[0] * b.shape[1] > 1:
        return np.multiply(a, b, out=out)
    return np.matmul(a, b, out=out)


_ONES: dict = {}   # (rows, dtype) -> read-only ones, for column sums


def column_sums(a, out):
    """Σ over the rows of a 2-D float array, into ``out`` (a bias gradient, Σ_rows dy).

    Computed as the product ones·a (one BLAS matrix-vector call; 1024 x 256 float32: 12 µs
    against 29 µs for ``np.add.reduce(a, axis=0)``). It is not one of the products counted
    through ``matmul``: it only sums. The order of the additions differs from NumPy's
    (last-bit differences)."""
    if (type(a) is not np.ndarray or a.ndim != 2 or a.dtype not in (np.float32, np.float64)
            or a.shape[0] < 2 or getattr(out, "dtype", None) != a.dtype):
        return np.add.reduce(a, axis=0, out=out)
    m = a.shape[0]
    if m > 1 << 14:                      # full-batch sized: not kept (a cache of those holds
        ones = np.ones(m, dtype=a.dtype)  # megabytes for row counts that never come back)
    else:
        ones = _ONES.get((m, a.dtype))
        if ones is None:
            if len(_ONES) >= 16:          # batch sizes come and go (a last, smaller batch)
                _ONES.clear()
            ones = np.ones(m, dtype=a.dtype)
            ones.flags.writeable = False
            _ONES[(m, a.dtype)] = ones
    return np.matmul(ones, a, out=out)


def check_backward_output(layer, index, dx, x_shape, needed: bool = True, dtype=None):
    """Check what ``layer.backward`` returned before it is passed down: ``dx`` must be an
    array of the input's shape ``x_shape`` (and of ``dtype``, the model's, when given); None
    is accepted only when ``needed`` is False (the layer was told ``needs_input_grad =
    False``). Returns ``dx``; raises a ValueError (a TypeError for the dtype) naming the
    layer (``index`` is its position in the model, or None for a lone layer) otherwise.
    Cheap: a shape comparison, no copy. ``layer`` may also be a loss, whose backward gives
    dCost/dŷ for the prediction ŷ of shape ``x_shape``."""
    who = (f"layer {index} ({type(layer).__name__})" if index is not None
           else type(layer).__name__)
    grad, x, whose, of = (("dCost/dx", "the input x", "the input's", "an input")
                          if isinstance(layer, Layer) else
                          ("dCost/dŷ", "the prediction ŷ", "ŷ's", "a prediction ŷ"))
    if dx is None:
        if not needed:
            return dx
        raise ValueError(f"{who}.backward returned None (did you forget `return dx`?); it "
                         f"must return {grad}, an array of {whose} shape {tuple(x_shape)}")
    shape = getattr(dx, "shape", None)
    if shape is None:
        raise ValueError(f"{who}.backward returned a {type(dx).__name__}, not an array; it "
                         f"must return {grad}, an array of {whose} shape {tuple(x_shape)}")
    if tuple(shape) != tuple(x_shape):
        raise ValueError(f"{who}.backward returned shape {tuple(shape)} for {of} of shape "
                         f"{tuple(x_shape)}; {grad} must have the shape of {x}")
    if dtype is not None and getattr(dx, "dtype", dtype) != dtype:
        # (the out= products downstream would cast it back without a word, at a cost)
        raise TypeError(f"{who}.backward returned {dx.dtype} in a {np.dtype(dtype).name} "
                        f"model; {grad} must have the dtype of {x} (the model's)")
    return dx


def needs_forward(method):
    """Decorator of a built-in node's ``backward``/``local_grad``: called with no forward
    cache (no ``forward`` run on the node yet, or dropped by ``fit``), a RuntimeError that
    says what to do instead of NumPy's error on None; ``backward(dy)`` with a ``dy`` of
    another shape than the last forward's output, a ValueError (NumPy would broadcast it,
    or fail deep inside). Keeps the method's docstring, which the tracer reads. ``fit``
    calls the method unwrapped (:func:`unchecked_backward`): no check in its steps."""
    @functools.wraps(method)
    def checked(self, *args):
        if self._x is None:
            raise RuntimeError(f"{type(self).__name__} has no forward cache: call forward(x) "
                               f"on this node first (or model.forward(X, training)); "
                               f"predict/evaluate/fit do not keep their inputs")
        if args:
            _check_dy(self, args[0])
        return method(self, *args)
    checked._unchecked = method   # for unchecked_backward
    return checked


def _check_dy(layer, dy):
    """``dy`` (dCost/dy) must have the shape of the output of ``layer``'s last forward: its
    cached output ``_y``, else (Dense) the input's rows by ``n_out``."""
    y, x = layer._y, layer._x
    want = tuple(y.shape) if y is not None else (
        tuple(x.shape) if layer.n_out is None else tuple(x.shape[:-1]) + (layer.n_out,))
    got = getattr(dy, "shape", None)
    if got is None or tuple(got) != want:
        what = f"shape {tuple(got)}" if got is not None else f"a {type(dy).__name__}"
        raise ValueError(f"{type(layer).__name__}.backward got dy of {what}, but its last "
                         f"forward output has shape {want}: dy = dCost/dy must have the "
                         f"output's shape (one row per example)")


def unchecked_backward(layer):
    """``layer.backward`` without :func:`needs_forward`'s checks where it is a built-in
    node's: for ``fit``, whose steps run forward just before and whose first step checks
    every node's output and gradient. Any other ``backward`` is returned as it is."""
    bound = layer.backward
    func = getattr(bound, "__func__", None)
    raw = getattr(func, "_unchecked", None)
    # functools.wraps copies _unchecked onto a user's wrapper of a built-in backward: only
    # needs_forward's own wrapper (the one that wraps raw) is skipped
    if raw is None or getattr(func, "__wrapped__", None) is not raw \
            or getattr(bound, "__self__", None) is not layer:
        return bound
    return raw.__get__(layer, type(layer))


class Layer:
    """Base class of every node. Subclasses override ``forward`` and ``backward``.

    Attributes
    ----------
    params, grads : dict of str -> ndarray
        Trainable arrays and their gradients (same keys, same shapes).
    needs_input_grad : bool
        When False, ``backward`` may skip computing dx and return None (the model sets this
        on its first layer: nobody needs the gradient of the data).

    What ``forward`` keeps for ``backward`` and ``local_grad`` (the input ``_x``, the output
    ``_y``, a dropout ``_mask``, ...) stays in the node until the next ``forward``: call
    ``forward`` then ``local_grad`` or ``backward`` on a node directly, as the tracer does.
    ``predict`` and ``evaluate`` leave it alone (they run on copies of the nodes) and keep
    nothing of their inputs; ``fit`` drops it when it returns (``_clear_caches``: the
    attributes named in ``_cache_attrs``, which a custom node that caches under other names
    can extend), so a model pickled after them does not carry the data. A copy
    (``copy.deepcopy``) keeps it: ``backward`` runs on the copy as on the original.

    A node of your own: create its parameters in ``build`` (never in ``forward``: predict
    runs ``forward`` on shallow copies, so arrays created there are not kept), fill
    ``grads`` in ``backward`` with this batch's gradient (in place or by assigning new
    arrays: both train; overwrite them, never add into them: nothing zeroes them between
    steps, and ``gradcheck`` fills them with junk first to catch a ``+=``), and keep
    what ``backward`` needs as attributes assigned in ``forward`` (a dict filled in place
    would be shared with those copies).
    """

    needs_input_grad = True
    #: False freezes the node: fit and trace compute its gradients (the chain rule needs
    #: them) but their optimizer steps leave its parameters as they are (Keras's
    #: ``layer.trainable``; PyTorch's ``requires_grad_(False)``). fit reads it at each
    #: epoch's start (a callback may freeze or unfreeze). Kept in model files.
    trainable = True
    _x = _y = None  # the built-in nodes' input and output, from the last forward
    _cache_attrs = ("_x", "_y", "_mask", "_t", "_cdf")  # the built-in nodes' forward caches

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.n_in: int | None = None
        self.n_out: int | None = None

    # -- building -----------------------------------------------------------------------
    @property
    def built(self) -> bool:
        return self.n_in is not None

    def build(self, n_in: int, rng: np.random.Generator | None = None, dtype="float32"):
        """Allocate parameters for inputs of width ``n_in``; return the output width."""
        self.n_in = n_in
        self.n_out = n_in
        return self.n_out

    def to(self, dtype):
        """Cast parameters and gradients to ``dtype`` in place (a no-op when they match)."""
        dt = resolve_dtype(dtype)
        for k in self.params:
            if self.params[k].dtype != dt:
                self.params[k] = self.params[k].astype(dt)
                self.grads[k] = np.zeros_like(self.params[k])
        return self

    def _clear_caches(self):
        """Drop what the last ``forward`` kept (the attributes in ``_cache_attrs``)."""
        d = self.__dict__
        for k in self._cache_attrs:
            if d.get(k) is not None:
                d[k] = None

    # -- the contract -------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement "
                                  f"forward(x, training=False) -> y")

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError(f"{type(self).__name__} must implement backward(dy) -> dx "
                                  f"(dx = dCost/dx, the same shape as its input x)")

    def local_grad(self) -> dict[str, np.ndarray]:
        """The node's local gradient from the last forward pass, for the tracer.

        Element-wise nodes return ``{"dy/dx": derivative values}``; Dense returns the pieces
        ``{"dz/dW": x^T, "dz/dx": W}``.
        """
        return {}

    def n_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def config(self) -> dict:
        """Constructor arguments, for saving and for ``repr``."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class Dense(Layer):
    """Fully connected node: ``z = x·W + b``.

    Parameters
    ----------
    n_in, n_out : int
        Input and output widths. ``Dense(n_out)`` alone leaves ``n_in`` to be inferred when
        the model first sees data (as Keras does).
    init : str, callable or array
        Weight initializer (see :mod:`glassnet.init`), default ``"xavier"``.
    bias : bool
        Whether to add ``b`` (initialized to zeros).
    activation : str or None
        Convenience: ``Sequential`` expands ``Dense(..., activation="relu")`` into a Dense
        node followed by a ReLU node, so the graph still shows both.
    seed : int or None
        Seed used only when this layer is built on its own, outside a model.
    l2 : float
        α ≥ 0: L2 penalty on the weights W (not the bias), scaled as scikit-learn's MLP
        ``alpha``: ``fit`` adds α·‖W‖²/(2·Σw) to each batch's cost and α·W/Σw to dW, Σw being
        the batch's total sample weight (its number of rows without weights). Over an epoch
        the penalty's share of the cost does not depend on the batch size. The training
        ``loss`` fit logs includes the penalty (the cost its steps minimise); ``val_loss`` and
        ``evaluate`` are the data loss alone, what the model's predictions score.
    """

    def __init__(self, n_in: int, n_out: int | None = None, init="xavier", bias: bool = True,
                 activation: str | None = None, seed: int | None = None, l2: float = 0.0):
        super().__init__()
        if n_out is None:
            n_in, n_out = None, n_in
        self.units = check_positive_int(n_out, "Dense n_out")
        self._n_in_arg = None if n_in is None else check_positive_int(n_in, "Dense n_in")
        _init.get(init)  # fail early on an unknown name
        self.init = init
        self.bias = check_flag(bias, "bias", "Dense")
        self.activation = activation
        if activation is not None:
            from .activations import get as _get_act
            _get_act(activation)
        new_rng(seed, "Dense")  # fail early on a seed default_rng refuses
        self.seed = seed
        self.l2 = l2
        self._x = None

    @property
    def l2(self) -> float:
        return self._l2

    @l2.setter
    def l2(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) \
                or not np.isfinite(value) or value < 0:
            raise ValueError(f"Dense l2 must be a finite number >= 0, got {value!r}")
        self._l2 = float(value)

    def build(self, n_in, rng=None, dtype="float32"):
        n_in = check_positive_int(n_in, "Dense n_in")
        if self._n_in_arg is not None and n_in != self._n_in_arg:
            raise ValueError(f"Dense({self._n_in_arg}, {self.units}) receives {n_in} inputs; "
                             f"its n_in must match the previous layer's output width")
        dt = resolve_dtype(dtype)
        if rng is None:
            rng = new_rng(self.seed, "Dense")   # (a seed set after __init__ is checked here)
        self.n_in, self.n_out = n_in, self.units
        W = _init.initialize(self.init, rng, n_in, self.units, dt)
        self.params = {"W": W}
        if self.bias:
            self.params["b"] = np.zeros(self.units, dtype=dt)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        return self.units

    def _ensure_built(self, x):
        if not self.built:
            self.build(x.shape[1], dtype=x.dtype if x.dtype == np.float64 else np.float32)

    def forward(self, x, training=False):
        self._ensure_built(x)
        self._x = x
        z = matmul(x, self.params["W"])
        if self.bias:
            z += self.params["b"]
        return z

    @needs_forward
    def backward(self, dy):
        """dW = xᵀ·dy,  db = Σ_rows dy,  dx = dy·Wᵀ."""
        x = self._x
        matmul(x.T, dy, out=self.grads["W"])
        if self.bias:
            column_sums(dy, out=self.grads["b"])
        if not self.needs_input_grad:
            return None
        return matmul(dy, self.params["W"].T)

    @needs_forward
    def local_grad(self):
        return {"dz/dW": self._x.T, "dz/dx": self.params["W"]}

    def config(self):
        cfg = {"n_in": self.n_in if self.n_in is not None else self._n_in_arg,
               "n_out": self.units}
        # only a name is saved: explicit weights (an array, a list) or a function are not
        # JSON a model file can rebuild, and the weights they drew are stored anyway
        if isinstance(self.init, str):
            cfg["init"] = self.init
        if not self.bias:
            cfg["bias"] = False
        if self.l2:
            cfg["l2"] = self.l2
        return cfg


class Dropout(Layer):
    """Inverted dropout, ``training: y = x·mask/(1 − rate); inference: y = x``: in training
    each input is zeroed with probability ``rate`` (its mask 0) and the survivors are scaled
    by 1 / (1 - rate), so nothing changes at inference (``training=False``).

    Backward: dx = dy · mask / (1 - rate).
    """

    def __init__(self, rate: float = 0.5, seed: int | None = None):
        super().__init__()
        self.rate = check_fraction(rate, "Dropout rate")
        self.seed = seed
        self.rng = new_rng(seed, "Dropout")
        self._mask = None

    def build(self, n_in, rng=None, dtype="float32"):
        if rng is not None and self.seed is None:
            self.rng = np.random.default_rng(rng.integers(2**63))
        return super().build(n_in, rng, dtype)

    def forward(self, x, training=False):
        if not self.built:
            self.build(x.shape[1])
        # x is kept as the other nodes keep theirs (a reference, dropped with the caches):
        # backward and local_grad check that a forward ran and dy's shape against it
        self._x = x
        if not training or self.rate == 0.0:
            self._mask = None
            return x
        keep = 1.0 - self.rate
        self._mask = (self.rng.random(x.shape, dtype=np.float32) < keep).astype(x.dtype)
        self._mask *= x.dtype.type(1.0 / keep)
        return x * self._mask

    @needs_forward
    def backward(self, dy):
        """dx = dy · mask / (1 - rate) in training (the mask is stored already scaled); dx = dy
        in inference."""
        if self._mask is None:
            return dy
        return dy * self._mask

    @needs_forward
    def local_grad(self):
        if self._mask is not None:
            return {"dy/dx": self._mask}
        return {"dy/dx": np.ones_like(self._x)}   # inference: y = x, dy/dx = 1

    def config(self):
        return {"rate": self.rate}
