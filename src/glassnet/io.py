"""Model files in a safe format, atomic writes, checkpoints and exact resume.

The model file (``.gnet`` by convention) holds no code and no pickle; loading it only parses
JSON and copies raw numbers, so a file from anywhere can be opened without risk::

    offset 0      b"GLASSNET"                      magic, 8 bytes
    8             format version                   uint32, little-endian (now 1)
    12            header length N                  uint64, little-endian
    20            header                           N bytes of UTF-8 JSON
    ...           zero padding to a multiple of 64
    data_start    array data                       raw little-endian bytes, each array at
                                                   data_start + its "offset" (64-aligned)
    end - 32      SHA-256 of every byte before it

The header describes the glassnet version, the model (``dtype``, ``seed``, ``n_features``,
the list of layers as ``{"class": name, "config": {...}}`` from an allow-list), the loss the
model was trained with, its optimizer's type and configuration (``{"class", "config",
"initial_lr"}``, not its state), the random generators' states, every array (``name``,
``dtype`` in {float32, float64, int64}, ``shape``, ``offset``, ``nbytes``) and ``extra``, a
free JSON dict (the CLI keeps preprocessing, class names, task and metrics there). A
checkpoint is the same file with ``"kind": "checkpoint"`` and a ``"training"`` section: the
epoch just finished, the history so far, the optimizer's configuration and per-parameter
state (arrays named ``optimizer.<layer index>.<param>.<slot>``).

Reading trusts nothing: the size, the checksum, every JSON type and value, and every array's
extent are checked before anything is allocated, and any problem raises
:class:`ModelFileError` (a ``ValueError``) naming the file and what is wrong.

Writing is atomic: the bytes go to a temporary file in the same directory, which is flushed,
fsynced and then renamed over the target (``os.replace``), so a crash mid-write leaves the
previous file intact.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import os
import re
import stat
import struct
import time
import uuid
import warnings

import numpy as np

from . import activations as _act
from . import losses as _losses
from ._validate import _short, repeated_names
from .callbacks import Callback, user_stacklevel
from .layers import Dense, Dropout, Layer

__all__ = ["ModelFileError", "save_model", "load_model", "save_checkpoint", "load_checkpoint",
           "resume", "register_layer", "atomic_write_bytes", "atomic_write_text",
           "atomic_text_file", "MAGIC", "FORMAT_VERSION"]

MAGIC = b"GLASSNET"
FORMAT_VERSION = 1
_WINDOWS = os.name == "nt"
_PREFIX = struct.Struct("<8sIQ")          # magic, format version, header length
_ALIGN = 64
_DIGEST_SIZE = 32                         # SHA-256
_MAX_DIM = 2 ** 40                        # no axis of a real model comes near this
_MAX_NDIM = 8
_ARRAY_DTYPES = {"float32": np.dtype("<f4"), "float64": np.dtype("<f8"),
                 "int64": np.dtype("<i8")}
_MODEL_DTYPES = ("float32", "float64")


class ModelFileError(ValueError):
    """A file that is not a valid glassnet model file (truncated, corrupt, hand-crafted or
    of another kind). ``path`` and ``problem`` hold the two parts of the message."""

    def __init__(self, message, path=None, problem=None):
        super().__init__(message)
        self.path = path
        self.problem = problem


# ------------------------------------------------------------------------------------------
# atomic writes
# ------------------------------------------------------------------------------------------

def _as_path(path, what="path"):
    """``os.fspath(path)`` with a message that says what was expected."""
    if isinstance(path, (bytes, bytearray)) and (b"\0" in path or len(path) > 4096):
        raise TypeError(f"{what} must be a file path (str or os.PathLike), got "
                        f"{len(path)} bytes of data (a file's content?): write them to a file "
                        f"and pass its path")
    try:
        return os.fspath(path)
    except TypeError:
        raise TypeError(f"{what} must be a file path (str or os.PathLike), got "
                        f"{type(path).__name__}{'' if path is None else f' {path!r:.60}'}") \
            from None


STALE_TEMPORARY_SECONDS = 3600

# .NAME.<16 hex>.<writer's pid>-<8 hex of its machine>.tmp; names without the writer (those
# of glassnet 0.2.0 and earlier) are still recognised
_TEMPORARY = re.compile(r"\.(.+)\.[0-9a-f]{16}(?:\.([0-9]{1,10})-([0-9a-f]{8}))?\.tmp")
_machine_tag = None


def _this_machine() -> str:
    """8 hex digits naming this machine, this boot and this PID namespace: a temporary file
    tagged with them was written by a process whose PID this process can check (a file of
    another computer on a shared disk, another container, or one from before a reboot has
    another tag, and only grows stale with age)."""
    global _machine_tag
    if _machine_tag is None:
        import socket
        parts = [socket.gethostname(), "", ""]
        with contextlib.suppress(OSError, UnicodeDecodeError):
            with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
                parts[1] = f.read().strip()
        with contextlib.suppress(OSError, AttributeError):
            parts[2] = os.readlink("/proc/self/ns/pid")
        _machine_tag = hashlib.sha256("\0".join(parts).encode("utf-8", "replace")
                                      ).hexdigest()[:8]
    return _machine_tag


def _temporary_name(base) -> str:
    """The name of a new temporary file for an atomic write of the file ``base``."""
    return f".{base}.{uuid.uuid4().hex[:16]}.{os.getpid()}-{_this_machine()}.tmp"


def temporary_of(name) -> str | None:
    """The file name whose interrupted atomic write left ``name`` (``.model.gnet.<16
    hex>.<pid>-<8 hex>.tmp``, or without the pid part -> ``model.gnet``), else None."""
    m = _TEMPORARY.fullmatch(name)
    return m.group(1) if m else None


def _writer_alive(name) -> bool | None:
    """Whether the process that writes the temporary file ``name`` is running: True or False
    for a process of this machine (its pid and tag are in the name), None where that cannot
    be known (no pid in the name, another machine's tag, Windows, where os.kill would end
    the process). A pid since reused by another program reads as running: its file stays
    until that program ends, rather than a file being removed while its writer is at work."""
    m = _TEMPORARY.fullmatch(name)
    if _WINDOWS or m is None or m.group(2) is None or m.group(3) != _this_machine():
        return None
    pid = int(m.group(2))
    if pid <= 0:  # os.kill(0, ...) would signal this process group
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # PermissionError: alive, another user's
        return True
    return True


def remove_stale_temporaries(directory, names) -> None:
    """Delete the temporary files that atomic writes killed mid-write (SIGKILL, a power cut)
    left in ``directory``: at once, of any file name, those whose writer was a process of
    this machine that has ended; the temporaries of ``names`` whose writer cannot be known
    (another computer's save to a shared disk, an older glassnet's) once untouched for
    STALE_TEMPORARY_SECONDS (a write still running is recent). Only regular files, and
    never one whose writer is running."""
    now = time.time()
    try:
        entries = os.listdir(directory)
    except OSError:
        return
    for name in entries:
        target = temporary_of(name)
        if target is None:
            continue
        alive = _writer_alive(name)
        if alive or alive is None and target not in names:
            continue
        path = os.path.join(directory, name)
        with contextlib.suppress(OSError):
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode) and (
                    alive is False or now - st.st_mtime > STALE_TEMPORARY_SECONDS):
                os.unlink(path)


@contextlib.contextmanager
def _atomic_open(path):
    """Yield a binary file object whose content replaces ``path`` atomically on success.

    A symbolic link is followed (its target is replaced); a device, FIFO or socket is
    written to directly, never replaced by a file, and so is a descriptor of this process
    named as /dev/stdout, /dev/stderr or /dev/fd/N, whatever it is open on. For a regular
    file (or a new one) the temporary file sits next to the target (same file system, so the
    rename is atomic) and is removed if anything fails, KeyboardInterrupt included. Parent
    directories are created; an existing target's permission bits are kept. A target that is
    a folder is refused before anything is written, and an OSError about the temporary file
    (a read-only or full disk) is raised again, of the same type and errno, naming ``path``.
    """
    path = _as_path(path)
    if not os.path.basename(path) or os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, f"{path!r} is a folder; give a file name")
    fd = _descriptor_named(path)
    if fd is not None:
        with _descriptor_file(fd, path) as f:
            yield f
        return
    # A device, FIFO or socket (/dev/null, a named pipe, or a link to one) is written to as
    # it is: replacing it would put a regular file in its place. os.stat of the path as
    # given, the kernel following its links: resolving them by name first fails for a pipe
    # (/proc/<pid>/fd/N's link reads "pipe:[N]", no path at all).
    try:
        special = not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        special = False  # no such file yet (or unreadable: the write will say so)
    if special:
        with open(path, "wb") as f:
            yield f
        return
    # A symbolic link is written through (the file it points to is replaced, the link stays).
    path = os.path.realpath(path) if os.path.islink(path) else path
    if os.path.exists(path) and not os.access(path, os.W_OK):
        # (os.access says no for every file of a read-only mount too: that is not the file's)
        if _on_read_only_mount(path):
            raise OSError(errno.EROFS, "the file system holding the file is mounted read-only: "
                                       "save to another place", path)
        # a rename replaces a read-only file too (it needs only the folder's permission); a
        # file marked read-only is one its owner meant to keep, as open(path, "w") would
        raise PermissionError(errno.EACCES, "the file is read-only: chmod u+w makes it "
                                            "writable, to replace it", path)
    # relative where path is: an absolute path built from a deep current folder can pass
    # PATH_MAX (4096) and fail where the relative one works
    directory = os.path.dirname(path) or os.curdir
    os.makedirs(directory, exist_ok=True)
    # the temporary's name: the target's first characters, at most 80 bytes (80 CJK
    # characters are 240 bytes, past the 255 a file name may have with the suffix); cut
    # between characters, never inside one
    base = os.path.basename(path)[:80]
    while len(os.fsencode(base)) > 80:
        base = base[:-1]
    remove_stale_temporaries(directory, (base,))  # a killed save's of this file, if any
    tmp = os.path.join(directory, _temporary_name(base))
    try:
        # 0o666 and O_EXCL: the kernel applies the umask, nobody else's file is reused
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o666)
    except OSError as exc:
        raise _not_created(exc, tmp, path) from None
    try:
        with os.fdopen(fd, "wb") as f:
            if not _WINDOWS:  # there the only bit is read-only: the temporary file would be
                with contextlib.suppress(OSError):  # one that cannot be removed if need be
                    os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
            yield f
            f.flush()
            os.fsync(f.fileno())
        _replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _naming(exc, tmp, path) from None
        raise
    _fsync_dir(directory)


def _descriptor_named(path) -> int | None:
    """The file descriptor of this process that ``path`` names (/dev/stdin, /dev/stdout,
    /dev/stderr, /dev/fd/N, /proc/self/fd/N; bash's ``>(...)`` is /dev/fd/N), else None."""
    if _WINDOWS:
        return None
    m = re.fullmatch(r"/dev/(stdin|stdout|stderr)|/(?:dev|proc/self)/fd/([0-9]{1,9})",
                     os.path.normpath(path))
    if m is None:
        return None
    return ("stdin", "stdout", "stderr").index(m.group(1)) if m.group(1) else int(m.group(2))


@contextlib.contextmanager
def _descriptor_file(fd, path):
    """A binary file writing to a copy of the descriptor ``fd`` (named ``path``), at its
    offset, as the shell's own writes to it go, so ``{ echo header; glassnet ... --out
    /dev/stdout; } > f`` keeps the header and ``>> log`` appends. Reopening the path would
    truncate a regular file, and an atomic rename would replace it, so that the descriptor
    is left pointing at the deleted old file. One open for reading only (stdin redirected
    from a file) is refused: opened again by its name, the input file would be emptied."""
    import fcntl
    import sys
    try:
        mode = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE
    except OSError as exc:
        raise type(exc)(exc.errno, f"{exc.strerror}: descriptor {fd} is not open in this "
                                   f"process", path) from None
    if mode == os.O_RDONLY:
        raise PermissionError(errno.EACCES, f"descriptor {fd} is open for reading only; "
                                            f"give a file name", path)
    for stream in (sys.stdout, sys.stderr):  # what this process printed there comes first
        with contextlib.suppress(Exception):
            if stream.fileno() == fd:
                stream.flush()
    with os.fdopen(os.dup(fd), "wb") as f:
        yield f


def _replace(tmp, path):
    """``os.replace``; on Windows tried again for a moment while the target is open elsewhere
    (a reader, an antivirus scan), which refuses the rename there with PermissionError."""
    for delay in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5) if _WINDOWS else ():
        try:
            return os.replace(tmp, path)
        except PermissionError:
            time.sleep(delay)
    os.replace(tmp, path)


def _naming(exc, tmp, path):
    """``exc`` as the user should see it: an OSError that names the hidden temporary file ``tmp``
    (or no file at all) becomes the same type with the same errno and reason, naming ``path``;
    any other exception is returned as it is."""
    if exc.filename not in (None, tmp):
        return exc  # it names a file of the user's (a parent directory that cannot be made)
    try:
        if exc.errno is None:
            return type(exc)(f"cannot write {path!r}: {exc}")
        return type(exc)(exc.errno, exc.strerror or os.strerror(exc.errno), path)
    except Exception:  # an OSError subclass with a constructor of its own
        return exc


def _on_read_only_mount(path) -> bool:
    """Whether ``path`` is on a file system mounted read-only (False where unknown)."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


def _not_created(exc, tmp, path):
    """:func:`_naming` for a failure to create the temporary file ``tmp`` beside ``path``: the
    message says it was the temporary in that folder that could not be made, and why, not
    (as the bare reason naming ``path`` would) that the file itself is missing or locked."""
    if exc.filename not in (None, tmp) or exc.errno is None:
        return _naming(exc, tmp, path)
    folder = os.path.dirname(path) or os.curdir
    why = {errno.EROFS: "the file system is mounted read-only",
           errno.EACCES: f"this user may not create files in the folder {folder!r}",
           errno.EPERM: f"this user may not create files in the folder {folder!r}",
           errno.ENOENT: f"the folder {folder!r} takes no new files (a virtual file system "
                         f"such as /proc or /sys?)",
           errno.ENOSPC: "the disk is full",
           getattr(errno, "EDQUOT", -1): "the disk quota is used up"}.get(exc.errno)
    why = why or f"{exc.strerror or os.strerror(exc.errno)} in the folder {folder!r}"
    try:
        return type(exc)(exc.errno, f"could not create the temporary file that a save "
                                    f"writes beside its target (and renames over it): {why}",
                         path)
    except Exception:  # an OSError subclass with a constructor of its own
        return exc


def _fsync_dir(directory):
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path, data) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename), creating parent
    directories: readers see the old content or the new one, never a mix."""
    with _atomic_open(path) as f:
        f.write(data)


def atomic_write_text(path, text: str, encoding: str = "utf-8") -> None:
    """:func:`atomic_write_bytes` for text (written as given: no newline translation). A
    character the encoding cannot hold, such as the lone surrogate that stands for a
    non-UTF-8 byte of a file name shown in the text, is written as "?"."""
    atomic_write_bytes(path, text.encode(encoding, errors="replace"))


@contextlib.contextmanager
def atomic_text_file(path, encoding: str = "utf-8"):
    """Yield a text file (no newline translation) whose content replaces ``path`` atomically
    when the block ends without an error, as :func:`atomic_write_text` does for one string:
    for text written piece by piece, never held whole."""
    import io as _io
    with _atomic_open(path) as f:
        fh = _io.TextIOWrapper(f, encoding=encoding, newline="")
        try:
            yield fh
            fh.flush()
        finally:
            fh.detach()  # _atomic_open closes (and syncs) the file itself


# ------------------------------------------------------------------------------------------
# what may be in a file: the allow-lists
# ------------------------------------------------------------------------------------------

_ACTIVATION_CLASSES = {cls.__name__: cls for cls in (
    _act.Identity, _act.Step, _act.Sigmoid, _act.Tanh, _act.ReLU, _act.LeakyReLU, _act.ELU,
    _act.GELU, _act.Softplus, _act.Softmax)}
_LAYER_CLASSES = {"Dense": Dense, "Dropout": Dropout, **_ACTIVATION_CLASSES}
_CUSTOM_LAYERS: dict[str, type] = {}  # register_layer: name in the file -> class


def register_layer(cls=None, *, name: str | None = None):
    """Let model files hold a layer class of your own (use as ``@register_layer`` or
    ``register_layer(MyLayer)``).

    A registered layer is saved as its name (default: the class name), its ``config()`` (the
    constructor's keyword arguments, plain JSON values) and its ``params`` arrays. Loading
    calls ``cls(**config)``, ``build(n_in, dtype=...)`` and checks every array against the
    shape ``build`` gave it. Nothing from the file is executed: a name that was not
    registered in the loading process is refused, so register the class before
    ``load_model``.

    Registering a class with the same module and qualified name as the one registered under
    that name (a notebook cell run again) replaces it; another class under a taken name is
    refused.
    """
    def add(c):
        if not (isinstance(c, type) and issubclass(c, Layer)):
            raise TypeError(f"register_layer expects a subclass of glassnet.Layer, got {c!r}")
        key = c.__name__ if name is None else name
        if not isinstance(key, str) or not key:
            raise TypeError(f"register_layer: name must be a non-empty string, got {key!r}")
        if key in _LAYER_CLASSES:
            raise ValueError(f"register_layer: {key!r} is a built-in layer; pass name= to "
                             f"register {c.__qualname__} under another name")
        old = _CUSTOM_LAYERS.get(key, c)
        if old is not c and _full_name(old) != _full_name(c):
            raise ValueError(f"register_layer: {key!r} is already registered for "
                             f"{_full_name(old)}; pass name= to register {_full_name(c)} "
                             f"under another name")
        _CUSTOM_LAYERS[key] = c  # the same name and module: a redefinition replaces it
        return c
    return add if cls is None else add(cls)


def _full_name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


_LOSS_CLASSES = {cls.__name__: cls for cls in (
    _losses.MSE, _losses.MAE, _losses.Huber, _losses.BinaryCrossEntropy,
    _losses.CategoricalCrossEntropy, _losses.Hinge)}
_OPTIMIZER_NAMES = ("SGD", "RMSProp", "Adagrad", "Adam", "AdamW")
_BIT_GENERATORS = {"PCG64": np.random.PCG64, "PCG64DXSM": np.random.PCG64DXSM}


# ------------------------------------------------------------------------------------------
# reading: a checker that turns every surprise into ModelFileError
# ------------------------------------------------------------------------------------------

class _Checker:
    def __init__(self, path):
        self.path = path

    def fail(self, problem):
        raise ModelFileError(f"cannot load model file {self.path!r}: {problem}",
                             self.path, problem)

    def obj(self, v, where) -> dict:
        if not isinstance(v, dict):
            self.fail(f"{where} must be a JSON object, got {_jtype(v)}")
        return v

    def list_(self, v, where) -> list:
        if not isinstance(v, list):
            self.fail(f"{where} must be a JSON list, got {_jtype(v)}")
        return v

    def str_(self, v, where, choices=None) -> str:
        if not isinstance(v, str):
            self.fail(f"{where} must be a string, got {_jtype(v)}")
        if choices is not None and v not in choices:
            self.fail(f"{where} is {_short(v)}; expected one of: " + ", ".join(choices))
        return v

    def int_(self, v, where, lo=None, hi=None) -> int:
        if isinstance(v, bool) or not isinstance(v, int):
            self.fail(f"{where} must be an integer, got {_jtype(v)}")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            rng = f">= {lo}" if hi is None else f"in [{lo}, {hi}]"
            self.fail(f"{where} must be {rng}, got {_short(v)}")
        return v

    def num(self, v, where) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(f"{where} must be a number, got {_jtype(v)}")
        try:
            v = float(v)
        except OverflowError:
            self.fail(f"{where} is out of range")
        if not math.isfinite(v):
            self.fail(f"{where} must be finite, got {v}")
        return v

    def bool_(self, v, where) -> bool:
        if not isinstance(v, bool):
            self.fail(f"{where} must be true or false, got {_jtype(v)}")
        return v

    def keys(self, d, where, allowed):
        for k in d:
            if k not in allowed:
                self.fail(f"{where} has an unknown entry {_short(k)} (allowed: "
                          + (", ".join(sorted(allowed)) or "none") + ")")


def _jtype(v):
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
            int: "an integer", float: "a number", type(None): "null"}.get(type(v), type(v).__name__)


def _guess_kind(data: bytes) -> str:
    from .data.tabular import foreign_format
    kind = foreign_format(data)
    if kind is not None:
        return f"it looks like {kind}"
    head = data[:4096]
    try:
        if b"\x00" in head:
            raise UnicodeDecodeError("utf-8", head, 0, 1, "NUL byte")
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "it does not start with the glassnet magic bytes b'GLASSNET'"
    if text.lstrip().startswith(("{", "[")):
        return "it looks like JSON text"
    return "it looks like a text file (a CSV?)"


def _rng_to_json(gen):
    """The JSON state of a Generator (PCG64 family only; None for others)."""
    if not isinstance(gen, np.random.Generator):
        return None
    st = gen.bit_generator.state
    name = st.get("bit_generator")
    if name not in _BIT_GENERATORS:
        return None
    return {"bit_generator": name,
            "state": {"state": int(st["state"]["state"]), "inc": int(st["state"]["inc"])},
            "has_uint32": int(st["has_uint32"]), "uinteger": int(st["uinteger"])}


def _rng_from_json(ck, v, where):
    """A Generator in the saved state, or None; every field is checked first."""
    if v is None:
        return None
    v = ck.obj(v, where)
    ck.keys(v, where, {"bit_generator", "state", "has_uint32", "uinteger"})
    name = ck.str_(v.get("bit_generator"), f"{where}.bit_generator", tuple(_BIT_GENERATORS))
    inner = ck.obj(v.get("state"), f"{where}.state")
    ck.keys(inner, f"{where}.state", {"state", "inc"})
    s = ck.int_(inner.get("state"), f"{where}.state.state", 0, 2 ** 128 - 1)
    inc = ck.int_(inner.get("inc"), f"{where}.state.inc", 0, 2 ** 128 - 1)
    has = ck.int_(v.get("has_uint32"), f"{where}.has_uint32", 0, 1)
    u = ck.int_(v.get("uinteger"), f"{where}.uinteger", 0, 2 ** 32 - 1)
    bg = _BIT_GENERATORS[name]()
    try:
        bg.state = {"bit_generator": name, "state": {"state": s, "inc": inc},
                    "has_uint32": has, "uinteger": u}
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        ck.fail(f"{where} is not a valid {name} state ({exc})")
    return np.random.Generator(bg)


# ------------------------------------------------------------------------------------------
# the container: header + arrays
# ------------------------------------------------------------------------------------------

def _align(n):
    return -(-n // _ALIGN) * _ALIGN


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"a value of type {type(o).__name__} cannot be stored in a model file "
                    f"(only JSON types, NumPy numbers and arrays): {_short(o)}")


def _write_file(path, header, arrays):
    """Lay out ``arrays`` (a list of (name, ndarray)), add their table to ``header`` and write
    the whole file atomically, hashing as it goes."""
    entries, prepared, end = [], [], 0
    for name, a in arrays:
        dt = a.dtype.name
        if dt not in _ARRAY_DTYPES:
            raise TypeError(f"array {name!r} has dtype {dt}; model files store "
                            + ", ".join(_ARRAY_DTYPES))
        # (ascontiguousarray would make a 0-d parameter, a scalar, 1-d: load then refused it)
        a = np.ascontiguousarray(a, dtype=_ARRAY_DTYPES[dt]).reshape(a.shape)
        off = _align(end)
        entries.append({"name": name, "dtype": dt, "shape": [int(d) for d in a.shape],
                        "offset": off, "nbytes": int(a.nbytes)})
        prepared.append((off, a))
        end = off + a.nbytes
    header["arrays"] = entries
    hbytes = json.dumps(header, separators=(",", ":"),
                        default=_json_default).encode("utf-8")
    prefix = _PREFIX.pack(MAGIC, FORMAT_VERSION, len(hbytes))
    digest = hashlib.sha256()
    with _atomic_open(path) as f:
        def put(b):
            f.write(b)
            digest.update(b)

        put(prefix)
        put(hbytes)
        n = len(prefix) + len(hbytes)
        put(bytes(_align(n) - n))
        pos = 0
        for off, a in prepared:
            put(bytes(off - pos))
            if a.size:
                put(memoryview(a.reshape(-1)).cast("B"))
            pos = off + a.nbytes
        f.write(digest.digest())


def _read_bytes(path) -> bytes:
    """The bytes of a regular file; anything else (a directory, a FIFO) is refused before it
    is opened for reading, so nothing blocks. A file that does not start with the magic bytes
    is read no further than its first 4 KiB (enough to say what it is): a large CSV given by
    mistake costs nothing."""
    path = _as_path(path)
    ck = _Checker(path)
    st = os.stat(path)  # a missing file is FileNotFoundError, as for open()
    if stat.S_ISDIR(st.st_mode):
        ck.fail("it is a directory, not a model file")
    if not stat.S_ISREG(st.st_mode):
        ck.fail("it is not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        ck.fail("it is a directory, not a model file")
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            ck.fail("it is not a regular file")
        head = f.read(min(st.st_size, 4096))
        if not head.startswith(MAGIC):
            return head
        return head + f.read(max(st.st_size - len(head), 0))


def _parse(data: bytes, path):
    """Check the container in ``data`` (read from ``path``); return (checker, header dict,
    arrays dict)."""
    ck = _Checker(path)
    n = len(data)
    if n == 0:
        ck.fail("the file is empty")
    if not data.startswith(MAGIC):
        if MAGIC.startswith(data):
            ck.fail(f"the file is truncated ({n} bytes)")
        ck.fail(f"not a glassnet model file: {_guess_kind(data)}")
    if n < _PREFIX.size + _DIGEST_SIZE:
        ck.fail(f"the file is truncated ({n} bytes, less than the smallest model file)")
    _, version, hlen = _PREFIX.unpack_from(data)
    if version != FORMAT_VERSION:
        if version > FORMAT_VERSION:
            ck.fail(f"format version {version} is newer than this glassnet reads "
                    f"({FORMAT_VERSION}); upgrade glassnet")
        ck.fail(f"unknown format version {version}")
    body_end = n - _DIGEST_SIZE
    if hlen > body_end - _PREFIX.size:
        ck.fail(f"the header length ({hlen} bytes) exceeds the file size ({n} bytes): the "
                f"file is truncated or corrupt")
    if hashlib.sha256(memoryview(data)[:body_end]).digest() != data[body_end:]:
        ck.fail("checksum mismatch: the file is corrupt or truncated")
    try:
        header = json.loads(data[_PREFIX.size:_PREFIX.size + hlen].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        ck.fail(f"the header is not valid JSON ({str(exc).splitlines()[0][:100]})")
    header = ck.obj(header, "the header")
    data_start = _align(_PREFIX.size + hlen)
    data_len = body_end - data_start
    if data_len < 0:
        ck.fail("the file is truncated (it ends inside the header's padding)")

    table = ck.list_(header.get("arrays"), "arrays")
    arrays, spans = {}, []
    for j, e in enumerate(table):
        where = f"arrays[{j}]"
        e = ck.obj(e, where)
        ck.keys(e, where, {"name", "dtype", "shape", "offset", "nbytes"})
        name = ck.str_(e.get("name"), f"{where}.name")
        if name in arrays:
            ck.fail(f"array {_short(name)} appears twice")
        dt = _ARRAY_DTYPES[ck.str_(e.get("dtype"), f"{where}.dtype", tuple(_ARRAY_DTYPES))]
        shape = ck.list_(e.get("shape"), f"{where}.shape")
        if len(shape) > _MAX_NDIM:
            ck.fail(f"{where}.shape has {len(shape)} axes (at most {_MAX_NDIM})")
        shape = tuple(ck.int_(d, f"{where}.shape[{k}]", 0, _MAX_DIM) for k, d in enumerate(shape))
        offset = ck.int_(e.get("offset"), f"{where}.offset", 0)
        nbytes = ck.int_(e.get("nbytes"), f"{where}.nbytes", 0)
        count = math.prod(shape)
        if count == 0 and math.prod(d or 1 for d in shape) > _MAX_DIM:
            # no bytes to bound it by the file's size; NumPy refuses such a shape itself
            ck.fail(f"array {_short(name)}: shape {shape} is too large (an empty array's other "
                    f"axes may hold {_MAX_DIM} elements at most)")
        if count * dt.itemsize != nbytes:
            ck.fail(f"array {_short(name)}: shape {shape} of {dt.name} needs "
                    f"{count * dt.itemsize} bytes but nbytes says {nbytes}")
        if offset + nbytes > data_len:
            ck.fail(f"array {_short(name)} ({nbytes} bytes at offset {offset}) extends past the "
                    f"end of the data ({data_len} bytes): the file is truncated or corrupt")
        spans.append((offset, offset + nbytes, name))
        arrays[name] = (dt, shape, offset, count)
    spans.sort()
    for (a0, a1, an), (b0, b1, bn) in zip(spans, spans[1:]):
        if b0 < a1:
            ck.fail(f"arrays {_short(an)} and {_short(bn)} overlap")
    end = max((s[1] for s in spans), default=0)
    if end != data_len:
        ck.fail(f"the data section holds {data_len} bytes but the arrays end at {end}")
    # Every size was checked against the file: copying now allocates at most its size.
    out = {}
    for name, (dt, shape, offset, count) in arrays.items():
        native = dt.newbyteorder("=")
        if count == 0:
            out[name] = np.zeros(shape, dtype=native)
        else:
            out[name] = np.frombuffer(data, dtype=dt, count=count,
                                      offset=data_start + offset).reshape(shape).astype(native)
    return ck, header, out


# ------------------------------------------------------------------------------------------
# model <-> header
# ------------------------------------------------------------------------------------------

def _layer_to_json(i, layer, dtype):
    rec = _layer_record(i, layer, dtype)
    if getattr(layer, "trainable", True) is False:  # only then: older glassnets read the rest
        rec["trainable"] = False
    return rec


def _layer_record(i, layer, dtype):
    name = type(layer).__name__
    if _LAYER_CLASSES.get(name) is type(layer):
        return {"class": name, "config": layer.config()}
    name = next((k for k, c in _CUSTOM_LAYERS.items() if c is type(layer)), None)
    if name is None:  # an instance of a class since redefined (a notebook cell run again)
        name = next((k for k, c in _CUSTOM_LAYERS.items()
                     if _full_name(c) == _full_name(type(layer))), None)
    if name is None:
        raise TypeError(f"cannot save layer {i} ({layer!r}): model files hold glassnet's "
                        f"built-in layers (" + ", ".join(_LAYER_CLASSES) + ") and classes "
                        "registered with glassnet.io.register_layer")
    cfg = layer.config()
    if not isinstance(cfg, dict):
        raise TypeError(f"cannot save layer {i} ({name}): config() must return a dict, got "
                        f"{type(cfg).__name__}")
    cfg = _plain(cfg)
    try:
        cfg = json.loads(json.dumps(cfg, allow_nan=False))  # exactly what loading will see
    except (TypeError, ValueError) as exc:
        raise TypeError(f"cannot save layer {i} ({name}): its config() must be a dict of plain "
                        f"JSON values (numbers, strings, booleans, lists), got {cfg!r}: "
                        f"{exc}") from None
    _check_rebuilds(i, name, layer, cfg, dtype)
    return {"class": name, "custom": True, "config": cfg}


def _plain(v):
    """``v`` with NumPy scalars (np.float32(0.5), np.int64(3), np.bool_) as Python values, in
    dicts, lists and tuples too; anything else (arrays included) is left for JSON to judge."""
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _check_rebuilds(i, name, layer, cfg, dtype):
    """Refuse to write a file that loading could not rebuild: ``type(layer)(**cfg)`` built for
    the layer's input width must give the same parameters (names and shapes) and width."""
    need = ("config() must return the constructor's keyword arguments, so that "
            f"{name}(**config) rebuilds the layer")
    try:
        probe = type(layer)(**cfg)
        probe.build(layer.n_in, dtype=dtype)
    except Exception as exc:  # user code: whatever it raises, config() is what is wrong
        raise TypeError(f"cannot save layer {i} ({name}): it cannot be rebuilt from its "
                        f"config() {_short(cfg, 80)} ({type(exc).__name__}: {exc}); "
                        f"{need}") from None
    got = {k: tuple(np.shape(p)) for k, p in probe.params.items()}
    has = {k: tuple(np.shape(p)) for k, p in layer.params.items()}
    if got != has or probe.n_out != layer.n_out:
        raise TypeError(f"cannot save layer {i} ({name}): rebuilt from its config() "
                        f"{_short(cfg, 80)} for {layer.n_in} inputs it has parameters {got} "
                        f"and {probe.n_out} outputs, but the layer has {has} and "
                        f"{layer.n_out}; {need}")


def _loss_to_json(loss):
    if loss is None:
        return None
    name = type(loss).__name__
    if _unsaved_loss(loss):
        warnings.warn(f"the loss {loss!r} is not one of glassnet's built-in losses and is not "
                      f"saved (its name is): the loaded model's fit, evaluate, trace and "
                      f"loss_landscape ask for loss=, and predict_proba cannot know about it",
                      RuntimeWarning, stacklevel=user_stacklevel())
        return None
    cfg = dict(loss.config())
    if getattr(loss, "eps", None) is not None:
        cfg["eps"] = float(loss.eps)
    return {"class": name, "config": cfg}


def _unsaved_loss(loss):
    """The class name of a loss model files cannot keep (a custom one), else None."""
    if loss is None or _LOSS_CLASSES.get(type(loss).__name__) is type(loss):
        return None
    return type(loss).__name__


def _model_payload(model, extra):
    """The header dict and the arrays of a model (the part shared by models and checkpoints)."""
    from . import __version__
    from .model import Sequential
    if not isinstance(model, Sequential):
        raise TypeError(f"expected a glassnet Sequential model, got {type(model).__name__}")
    if not model.built:
        raise ValueError("cannot save a model that has no input width yet: fit it first, or "
                         "give the first layer n_in (Dense(n_in, n_out))")
    if extra is None:
        extra = getattr(model, "extra", None) or {}
    if not isinstance(extra, dict):
        raise TypeError(f"extra must be a dict, got {type(extra).__name__}")
    layers, arrays, layer_rngs = [], [], {}
    for i, layer in enumerate(model.layers):
        layers.append(_layer_to_json(i, layer, model.dtype))
        for k, p in layer.params.items():
            if p.dtype != model.dtype:   # load would refuse the file: refuse to write it
                raise ValueError(f"cannot save: layer {i} ({type(layer).__name__}) parameter "
                                 f"{k} is {p.dtype} but the model is {model.dtype} (a layer "
                                 f"shared with a model of another dtype?); layer.to("
                                 f"{model.dtype.name!r}) casts it")
            if not np.isfinite(p).all():
                raise ValueError(f"cannot save: layer {i} ({type(layer).__name__}) parameter "
                                 f"{k} contains NaN or infinity")
            if type(layer) is Dense and p.shape != (need := (
                    (layer.n_in, layer.n_out) if k == "W" else (layer.n_out,))):
                raise ValueError(f"cannot save: layer {i} (Dense) parameter {k} has shape "
                                 f"{p.shape} but a Dense of {layer.n_in} inputs and "
                                 f"{layer.n_out} outputs needs {need} (W is (n_in, n_out): "
                                 f"inputs in rows)")
            arrays.append((f"layers.{i}.{k}", p))
        r = _rng_to_json(getattr(layer, "rng", None))
        if r is not None:
            layer_rngs[str(i)] = r
    seed = model.seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        seed = int(seed)
    else:
        seed = None
    header = {
        "format": "glassnet model",
        "glassnet_version": __version__,
        "kind": "model",
        "dtype": model.dtype.name,
        "seed": seed,
        "n_features": int(model.n_features),
        "layers": layers,
        "loss": _loss_to_json(getattr(model, "loss", None)),
        # a custom loss is not saved, but its name is: resume and fit refuse to go on with
        # the default loss in its place (older glassnets ignore the entry)
        "unsaved_loss": (_unsaved_loss(getattr(model, "loss", None))   # loaded and saved
                         or getattr(model, "_unsaved_loss", None)),      # again: kept
        "optimizer": _optimizer_config_to_json(getattr(model, "optimizer", None)),
        "epochs_trained": int(getattr(model, "epochs_trained", 0) or 0),
        "rng": {"model": _rng_to_json(model.rng), "layers": layer_rngs},
        # where fit(validation_split=) drew its split: a later fit on as many rows holds out
        # the same rows after loading too (older glassnets ignore the entry)
        "validation_split": _split_to_json(model),
        # the columns of the DataFrame it was fitted on: predict refuses others (older
        # glassnets ignore the entry)
        "feature_names": getattr(model, "feature_names_in_", None),
        "extra": extra,
    }
    return header, arrays


def _build_layer(ck, i, rec, width, dtype, arrays):
    where = f"layers[{i}]"
    rec = ck.obj(rec, where)
    ck.keys(rec, where, {"class", "config", "custom", "trainable"})
    trainable = ck.bool_(rec.get("trainable", True), f"{where}.trainable")
    layer = _build_layer_of(ck, i, rec, width, dtype, arrays)
    if not trainable:
        layer.trainable = False
    return layer


def _build_layer_of(ck, i, rec, width, dtype, arrays):
    where = f"layers[{i}]"
    name = ck.str_(rec.get("class"), f"{where}.class")
    custom = ck.bool_(rec.get("custom", False), f"{where}.custom")
    cfg = ck.obj(rec.get("config", {}), f"{where}.config")
    if custom:
        return _build_custom_layer(ck, where, name, cfg, width, dtype, arrays, i)
    if name not in _LAYER_CLASSES:
        ck.fail(f"{where}: unknown layer type {_short(name)} (a model file may hold: "
                + ", ".join(_LAYER_CLASSES) + ")")
    w = f"{where}.config"

    def take(pname, shape):
        return _take_array(ck, arrays, f"layers.{i}.{pname}", dtype, shape, where, name,
                           f"{name} with this configuration")

    try:
        if name == "Dense":
            ck.keys(cfg, w, {"n_in", "n_out", "init", "bias", "l2"})
            n_in = ck.int_(cfg.get("n_in"), f"{w}.n_in", 1, _MAX_DIM)
            n_out = ck.int_(cfg.get("n_out"), f"{w}.n_out", 1, _MAX_DIM)
            init = _dense_init(ck, cfg.get("init", "xavier"), f"{w}.init")
            bias = ck.bool_(cfg.get("bias", True), f"{w}.bias")
            l2 = ck.num(cfg.get("l2", 0.0), f"{w}.l2")
            if not l2 >= 0:
                ck.fail(f"{w}.l2 must be >= 0, got {l2}")
            if n_in != width:
                ck.fail(f"{where}: Dense has n_in={n_in} but receives {width} inputs")
            layer = Dense(n_in, n_out, init=init, bias=bias, l2=l2)
            params = {"W": take("W", (n_in, n_out))}
            if bias:
                params["b"] = take("b", (n_out,))
            layer.n_in, layer.n_out = n_in, n_out
            layer.params = params
            layer.grads = {k: np.zeros_like(v) for k, v in params.items()}
            return layer
        if name == "Dropout":
            ck.keys(cfg, w, {"rate"})
            layer = Dropout(ck.num(cfg.get("rate", 0.5), f"{w}.rate"))
        elif name in ("LeakyReLU", "ELU"):
            ck.keys(cfg, w, {"alpha"})
            layer = _LAYER_CLASSES[name](**({"alpha": ck.num(cfg["alpha"], f"{w}.alpha")}
                                            if "alpha" in cfg else {}))
        elif name == "GELU":
            ck.keys(cfg, w, {"approximate"})
            layer = _act.GELU(ck.str_(cfg.get("approximate", "none"), f"{w}.approximate",
                                      ("none", "tanh")))
        else:
            ck.keys(cfg, w, set())
            layer = _LAYER_CLASSES[name]()
    except (TypeError, ValueError, OverflowError) as exc:
        if isinstance(exc, ModelFileError):
            raise
        ck.fail(f"{where} ({name}): {exc}")
    layer.build(width)  # parameter-free: just records the width
    return layer


def _dense_init(ck, v, where):
    """A Dense config's ``init``: an initializer's name, or, for the explicit initial weights
    (a list of numbers, or a number) that earlier glassnet releases wrote there, the default:
    the file holds W and b, which replace whatever the init drew. Only what that writer could
    produce is taken (JSON numbers and booleans, in lists), and it is never evaluated."""
    if isinstance(v, str):
        return v
    stack = [v]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif not isinstance(item, (bool, int, float)):
            got = _jtype(v) if item is v else f"a list holding {_jtype(item)}"
            ck.fail(f"{where} must be an initializer's name or a list of numbers (explicit "
                    f"initial weights), got {got}")
    return "xavier"


def _build_custom_layer(ck, where, name, cfg, width, dtype, arrays, i):
    """A layer of a class registered with :func:`register_layer`: constructed from its config,
    built for ``width``, its arrays checked against the shapes ``build`` allocated."""
    cls = _CUSTOM_LAYERS.get(name)
    if cls is None:
        ck.fail(f"{where}: the layer {_short(name)} is a custom class that is not registered "
                f"in this process; import its code and call glassnet.io.register_layer on it "
                f"before loading")
    try:
        layer = cls(**cfg)
        layer.build(width, dtype=dtype)
    except Exception as exc:  # user code: whatever it raises, the file is what is wrong
        ck.fail(f"{where} ({name}): could not rebuild it from its config {_short(cfg)}: "
                f"{type(exc).__name__}: {exc}")
    if not isinstance(layer.n_out, int) or layer.n_out < 1:
        ck.fail(f"{where} ({name}): build() left no output width (n_out)")
    for k, p in list(layer.params.items()):
        a = _take_array(ck, arrays, f"layers.{i}.{k}", p.dtype, p.shape, where, name,
                        f"{name} built for {width} inputs")
        layer.params[k] = a
        layer.grads[k] = np.zeros_like(a)
    return layer


def _take_array(ck, arrays, key, dtype, shape, where, name, who):
    """Remove the array ``key`` from ``arrays`` and return it, after checking that it is
    there, of ``dtype`` and ``shape``, and finite (``who`` needs that shape)."""
    a = arrays.pop(key, None)
    if a is None:
        ck.fail(f"{where} ({name}) needs the array {key!r}, which the file lacks")
    if a.dtype != dtype:
        ck.fail(f"array {key!r} is {a.dtype.name} but the model is {np.dtype(dtype).name}")
    if a.shape != shape:
        ck.fail(f"array {key!r} has shape {a.shape} but {who} needs {shape}")
    if not np.isfinite(a).all():
        ck.fail(f"array {key!r} contains NaN or infinity")
    return a


def _version_key(version):
    """``(major, minor, patch)`` of a version string ("0.3.0", "1.2", "0.3.0rc1",
    "0.3.0.dev2+g1a2b": a suffix is ignored), or None for one that starts otherwise."""
    m = re.match(r"\s*v?([0-9]{1,9})(?:\.([0-9]{1,9}))?(?:\.([0-9]{1,9}))?", version)
    return None if m is None else tuple(int(g or 0) for g in m.groups())


def _warn_if_newer(ck, written):
    """Warn when the file was written by a newer glassnet than this one: what it holds may
    mean something this version does not know (files of older versions are read as they
    were meant: that is kept working on purpose)."""
    from . import __version__
    mine, theirs = _version_key(__version__), _version_key(written)
    if mine is not None and theirs is not None and theirs > mine:
        shown = written if len(written) <= 40 and written.isprintable() else _short(written)
        warnings.warn(f"model file {ck.path!r} was written by glassnet {shown}, "
                      f"newer than this glassnet {__version__}: it may hold things this "
                      f"version reads differently or leaves out; upgrade glassnet to read it "
                      f"as it was written", UserWarning, stacklevel=user_stacklevel())


def _build_model(ck, header, arrays):
    from .model import Sequential
    if "glassnet_version" in header:
        _warn_if_newer(ck, ck.str_(header["glassnet_version"], "glassnet_version"))
    dtype = np.dtype(ck.str_(header.get("dtype"), "dtype", _MODEL_DTYPES))
    seed = header.get("seed")
    if seed is not None:
        seed = ck.int_(seed, "seed", 0)
    n_features = ck.int_(header.get("n_features"), "n_features", 1, _MAX_DIM)
    recs = ck.list_(header.get("layers"), "layers")
    if not recs:
        ck.fail("layers is empty")
    layers, width = [], n_features
    for i, rec in enumerate(recs):
        layer = _build_layer(ck, i, rec, width, dtype, arrays)
        layers.append(layer)
        width = layer.n_out
    leftover = [k for k in arrays if k.startswith("layers.")]
    if leftover:
        ck.fail(f"the file has arrays no layer uses: {_short(leftover)}")
    try:
        model = Sequential(layers, seed=seed, dtype=dtype)
    except (TypeError, ValueError) as exc:
        ck.fail(f"the layers do not form a model: {exc}")
    if model.n_features != n_features:
        ck.fail(f"n_features is {n_features} but the first layer takes {model.n_features}")

    rng = header.get("rng", {})
    rng = {} if rng is None else ck.obj(rng, "rng")
    ck.keys(rng, "rng", {"model", "layers"})
    gen = _rng_from_json(ck, rng.get("model"), "rng.model")
    if gen is not None:
        model.rng = gen
    lrng = rng.get("layers", {})
    lrng = {} if lrng is None else ck.obj(lrng, "rng.layers")
    for k, v in lrng.items():
        idx = int(k) if k.isascii() and k.isdigit() and len(k) < 10 else -1
        if not 0 <= idx < len(model.layers) or not hasattr(model.layers[idx], "rng"):
            ck.fail(f"rng.layers has an entry {_short(k)} that is not a layer with a random "
                    f"generator")
        g = _rng_from_json(ck, v, f"rng.layers[{k}]")
        if g is not None:
            model.layers[idx].rng = g

    names, repeated = header.get("feature_names"), None
    if names is not None:
        names = [ck.str_(c, "feature_names[]") for c in ck.list_(names, "feature_names")]
        if len(names) != n_features:
            ck.fail(f"feature_names has {len(names)} names for {n_features} inputs")
        # Sequential.fit took a frame with repeated column names before it refused them;
        # kept, such names would refuse every DataFrame (those repeat, any others differ)
        repeated = repeated_names(names) or None
        if repeated is None:
            model.feature_names_in_ = names
    model.loss = _loss_from_json(ck, header.get("loss"))
    model.optimizer = None
    if "optimizer" in header:
        model.optimizer = _optimizer_config_from_json(ck, header["optimizer"], "optimizer")
    elif isinstance(header.get("training"), dict) and header["training"].get("optimizer"):
        # a checkpoint written before model files kept the optimizer: its configuration
        model.optimizer = _optimizer_config_from_json(
            ck, header["training"]["optimizer"], "training.optimizer", ("state",))
    # a trained model from a file written before model files kept the optimizer: fit cannot
    # know how it was trained, and says so when given no optimizer=
    model._optimizer_unknown = ("optimizer" not in header and model.optimizer is None
                                and model.loss is not None)
    unsaved = header.get("unsaved_loss")
    model._unsaved_loss = unsaved if isinstance(unsaved, str) and model.loss is None else None
    if "epochs_trained" in header:   # files written before it was kept: 0 (unknown)
        model.epochs_trained = ck.int_(header["epochs_trained"], "epochs_trained", 0)
    split = header.get("validation_split")
    if split is not None:
        split = ck.obj(split, "validation_split")
        ck.keys(split, "validation_split", {"rng", "rows"})
        gen = _rng_from_json(ck, split.get("rng"), "validation_split.rng")
        if gen is not None:
            model._split_rng_state = gen.bit_generator.state
            model._split_rows = ck.int_(split.get("rows"), "validation_split.rows", 2)
    extra = header.get("extra", {})
    model.extra = {} if extra is None else ck.obj(extra, "extra")
    if repeated is not None:
        shown, more = repeated[:10], max(len(repeated) - 10, 0)
        warnings.warn(f"model file {ck.path!r} was saved by an older glassnet from a "
                      f"DataFrame with duplicate column names ({', '.join(map(repr, shown))}"
                      f"{f' and {more} more' if more else ''} repeat); the names are not "
                      f"kept: its columns are read by position, from an array or a DataFrame "
                      f"of unique names in that order", RuntimeWarning,
                      stacklevel=user_stacklevel())
    return model


def _loss_from_json(ck, v):
    if v is None:
        return None
    v = ck.obj(v, "loss")
    ck.keys(v, "loss", {"class", "config"})
    name = ck.str_(v.get("class"), "loss.class", tuple(_LOSS_CLASSES))
    cfg = ck.obj(v.get("config", {}), "loss.config")
    kw = {}
    spec = {"MSE": {"half": "bool"}, "MAE": {}, "Hinge": {"labels": "labels"},
            "Huber": {"delta": "pos"},
            "BinaryCrossEntropy": {"from_logits": "bool", "eps": "pos", "sum_outputs": "bool"},
            "CategoricalCrossEntropy": {"from_logits": "bool", "eps": "pos"}}[name]
    ck.keys(cfg, "loss.config", set(spec))
    for k, kind in spec.items():
        if k not in cfg:
            continue
        if kind == "bool":
            kw[k] = ck.bool_(cfg[k], f"loss.config.{k}")
        elif kind == "labels":
            if cfg[k] not in ([0, 1], [-1, 1]):
                ck.fail(f"loss.config.{k} must be [0, 1] or [-1, 1], got {cfg[k]!r}")
            kw[k] = cfg[k]
        else:
            x = ck.num(cfg[k], f"loss.config.{k}")
            if x <= 0:
                ck.fail(f"loss.config.{k} must be > 0, got {x}")
            kw[k] = x
    return _LOSS_CLASSES[name](**kw)


# ------------------------------------------------------------------------------------------
# public API: models
# ------------------------------------------------------------------------------------------

def save_model(model, path, extra=None) -> None:
    """Save ``model`` to ``path`` in glassnet's safe format, atomically.

    Stores the architecture, the parameters (bit for bit, in the model's dtype), the seed and
    random generators' states, the loss the model was trained with (so ``predict_proba``
    works after loading), the type and configuration of ``model.optimizer`` when it is one of
    glassnet's (not its state: see :func:`save_checkpoint`) and ``extra``, a JSON-able dict
    (NumPy numbers and arrays are converted to JSON numbers and lists). ``extra=None`` keeps
    ``model.extra`` if the model has one. Non-finite parameters are refused (ValueError): a
    good file is never replaced by a diverged model.
    """
    header, arrays = _model_payload(model, extra)
    _write_file(path, header, arrays)


def load_model(path):
    """Load a model saved by :func:`save_model` (or a checkpoint) and return a ``Sequential``.

    The model predicts exactly as the saved one (same dtype, same bytes); ``model.extra``
    holds the saved dict ({} if none), ``model.loss`` the loss it was trained with and
    ``model.optimizer`` a fresh optimizer of the saved type and configuration (learning rate
    included; None for a file without one), which ``fit`` uses when given no ``optimizer``.
    Unlike Keras's ``load_model``, which also restores the optimizer's state, its state
    (momentum, Adam's moments) starts afresh: checkpoints keep it, and
    :func:`load_checkpoint` and :func:`resume` restore it.
    Anything wrong with the file raises :class:`ModelFileError`; nothing in it is executed.
    """
    path = _as_path(path)
    return _model_from_bytes(_read_bytes(path), path)


def _model_from_bytes(data: bytes, path="<bytes>"):
    ck, header, arrays = _parse(data, path)
    ck.str_(header.get("kind", "model"), "kind", ("model", "checkpoint"))
    return _build_model(ck, header, arrays)


# ------------------------------------------------------------------------------------------
# checkpoints and resume
# ------------------------------------------------------------------------------------------

def _scalar_ok(v):
    return v is None or isinstance(v, (bool, int, float, str))


def _optimizer_config_to_json(opt, warn=True):
    """``{"class", "config", "initial_lr"}`` of one of glassnet's optimizers (its type and
    constructor arguments, not its state); None for None or an optimizer of another type
    (with a warning that the model file leaves it out, when ``warn``)."""
    from . import optim as _optim
    name = type(opt).__name__
    if opt is None or isinstance(opt, str):
        return None
    if name not in _OPTIMIZER_NAMES or getattr(_optim, name) is not type(opt):
        if warn:
            warnings.warn(f"the optimizer {name} is not saved (only glassnet's built-in "
                          f"optimizers are); the loaded model's fit will use Adam (lr=0.001) "
                          f"unless given optimizer=", RuntimeWarning,
                          stacklevel=user_stacklevel())
        return None
    initial = getattr(opt, "initial_lr", None)
    return {"class": name, "config": opt.config(),
            "initial_lr": float(initial) if initial is not None else None}


def _optimizer_config_from_json(ck, v, where, more_keys=()):
    """A fresh optimizer (no state) of the type and configuration ``v`` records, built only
    from glassnet's optimizer classes; None for null."""
    if v is None:
        return None
    from . import optim as _optim
    v = ck.obj(v, where)
    ck.keys(v, where, {"class", "config", "initial_lr", *more_keys})
    name = ck.str_(v.get("class"), f"{where}.class", _OPTIMIZER_NAMES)
    cfg = ck.obj(v.get("config", {}), f"{where}.config")
    try:
        opt = _optim.get(name.lower(), **cfg)
    except (TypeError, ValueError, OverflowError) as exc:
        ck.fail(f"{where}.config is not valid for {name}: {exc}")
    if type(opt) is not getattr(_optim, name):
        ck.fail(f"{where}.class {name} was rebuilt as {type(opt).__name__}")
    if v.get("initial_lr") is not None:
        lr0 = ck.num(v["initial_lr"], f"{where}.initial_lr")
        try:   # checked as the optimizer checks its lr
            opt.initial_lr = _optim._non_negative(lr0, "initial_lr", name)
        except ValueError as exc:
            ck.fail(f"{where}.initial_lr is not valid: {exc}")
    return opt


def check_checkpointable(opt):
    """TypeError unless ``opt`` (None or an optimizer) can go into a checkpoint: only
    glassnet's built-in optimizers can (ModelCheckpoint asks before training starts). Returns
    its configuration (``_optimizer_config_to_json``), None for None."""
    out = None if opt is None else _optimizer_config_to_json(opt, warn=False)
    if opt is not None and out is None:
        raise TypeError(f"cannot checkpoint the optimizer {opt!r}: checkpoints hold "
                        f"glassnet's built-in optimizers only (" + ", ".join(_OPTIMIZER_NAMES)
                        + "); use ModelCheckpoint(training_state=False) to save the model only")
    return out


def _optimizer_to_json(model, opt, arrays):
    if opt is None:
        return None
    out = check_checkpointable(opt)
    index = {id(layer): i for i, layer in enumerate(model.layers)}
    entries = []
    for key, st in getattr(opt, "state", {}).items():
        if not (isinstance(key, tuple) and len(key) == 2 and key[0] in index):
            continue  # memory of a parameter that is not in this model
        i, pname = index[key[0]], key[1]
        values, slots = {}, {}
        for k, v in st.items():
            if k.startswith("_") or k.startswith("tmp"):
                continue  # shape/dtype bookkeeping and scratch buffers: rebuilt on load
            if isinstance(v, np.ndarray):
                aname = f"optimizer.{i}.{pname}.{k}"
                arrays.append((aname, v))
                slots[k] = aname
            elif isinstance(v, np.generic):
                values[k] = v.item()
            elif _scalar_ok(v):
                values[k] = v
            else:
                raise TypeError(f"cannot checkpoint optimizer state {k!r} of type "
                                f"{type(v).__name__}")
        entries.append({"layer": i, "param": pname, "values": values, "arrays": slots})
    out["state"] = entries
    return out


def _optimizer_from_json(ck, v, model, arrays):
    opt = _optimizer_config_from_json(ck, v, "training.optimizer", ("state",))
    if opt is None:
        return None
    name = type(opt).__name__
    seen = set()
    for j, e in enumerate(ck.list_(v.get("state", []), "training.optimizer.state")):
        where = f"training.optimizer.state[{j}]"
        e = ck.obj(e, where)
        ck.keys(e, where, {"layer", "param", "values", "arrays"})
        i = ck.int_(e.get("layer"), f"{where}.layer", 0, len(model.layers) - 1)
        layer = model.layers[i]
        pname = ck.str_(e.get("param"), f"{where}.param", tuple(layer.params))
        if (i, pname) in seen:
            ck.fail(f"{where}: a second state for layer {i} parameter {pname}")
        seen.add((i, pname))
        p = layer.params[pname]
        st = opt._new_state(p, layer) if hasattr(opt, "_new_state") else {}
        for k, x in ck.obj(e.get("values", {}), f"{where}.values").items():
            w = f"{where}.values.{k}"
            if k.startswith("_") or k not in st or isinstance(st[k], np.ndarray):
                ck.fail(f"{w}: {name} keeps no scalar state of that name")
            default = st[k]
            if default is None:
                if x is not None:
                    ck.fail(f"{w} must be null (or stored as an array)")
            elif isinstance(default, bool):
                x = ck.bool_(x, w)
            elif isinstance(default, int):
                x = ck.int_(x, w, 0, 2 ** 62)
            elif isinstance(default, float):
                x = ck.num(x, w)
            else:
                ck.fail(f"{w}: unsupported state value")
            st[k] = x
        for k, aname in ck.obj(e.get("arrays", {}), f"{where}.arrays").items():
            w = f"{where}.arrays.{k}"
            aname = ck.str_(aname, w)
            if k.startswith("_") or k not in st or not (st[k] is None
                                                          or isinstance(st[k], np.ndarray)):
                ck.fail(f"{w}: {name} keeps no array state of that name")
            a = arrays.pop(aname, None)
            if a is None:
                ck.fail(f"{w} names the array {_short(aname)}, which the file lacks")
            if a.shape != p.shape or a.dtype != p.dtype:
                ck.fail(f"array {_short(aname)} is {a.dtype.name}{list(a.shape)} but the "
                        f"parameter is {p.dtype.name}{list(p.shape)}")
            st[k] = a
        opt.state[(id(layer), pname)] = st
    return opt


def _history_from_json(ck, v):
    from .train import History
    h = History()
    if v is None:
        return h
    v = ck.obj(v, "training.history")
    ck.keys(v, "training.history", {"history", "epoch"})
    for k, vals in ck.obj(v.get("history", {}), "training.history.history").items():
        vals = ck.list_(vals, f"training.history.history.{k}")
        out = []
        for x in vals:
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                ck.fail(f"training.history.history.{_short(k)} must hold numbers, got "
                        f"{_jtype(x)}")
            try:
                out.append(float(x))
            except OverflowError:
                ck.fail(f"training.history.history.{_short(k)} holds a number out of range")
        h.history[k] = out
    h.epoch = [ck.int_(x, "training.history.epoch[]", 0, 2 ** 62)
               for x in ck.list_(v.get("epoch", []), "training.history.epoch")]
    return h


def save_checkpoint(path, model, epoch, extra=None) -> None:
    """Save ``model`` with its training state, atomically, so training can continue exactly.

    Stores everything :func:`save_model` does plus ``epoch`` (the epoch just finished,
    counted from 0), the history so far, ``model.optimizer`` (configuration, ``initial_lr``
    and per-parameter state: momentum, running averages, step counts) and the random
    generators' states (shuffling, dropout, the validation split). Called by
    :class:`glassnet.train.ModelCheckpoint` at the end of an epoch.
    """
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise ValueError(f"epoch must be an integer >= 0, got {epoch!r}")
    # the optimizer first: one save_checkpoint cannot store is refused before anything else
    # (and before save_model's warning that a plain model file would leave it out)
    opt_arrays = []
    optimizer = _optimizer_to_json(model, getattr(model, "optimizer", None), opt_arrays)
    header, arrays = _model_payload(model, extra)
    arrays.extend(opt_arrays)
    header["kind"] = "checkpoint"
    hist = getattr(model, "history", None)
    history = None
    if hist is not None:
        history = {"history": {str(k): [float(x) for x in v] for k, v in hist.history.items()},
                   "epoch": [int(e) for e in hist.epoch]}
    header["training"] = {
        "epoch": int(epoch),
        "optimizer": optimizer,
        "history": history,
        "split_rng": _rng_to_json_state(getattr(model, "_split_rng_state", None)),
    }
    # what the split depends on, which resume checks (top level: older glassnets, which
    # check the training section's entries, ignore it)
    split = _split_data_to_json(model)
    if split is not None:
        header["split_data"] = split
    _write_file(path, header, arrays)


def data_fingerprint(X, y) -> str:
    """16 hex digits of SHA-256 of the sizes of ``X`` and ``y`` and of 64 of their rows,
    spread evenly (the first and the last among them): enough to tell the data a validation
    split was drawn over from other data or the same rows in another order, and cheap on
    any size (a copy of 64 rows, not a pass over the data). An edit in a row it skips goes
    unseen."""
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
    rows = np.unique(np.linspace(0, n - 1, num=min(n, 64)).round().astype(np.intp))
    ys = y.reshape(len(y), -1)  # (n,) and (n, 1) are the same targets
    h = hashlib.sha256(f"{n},{X.shape[1] if X.ndim == 2 else 1},{ys.shape}".encode())
    # as float32: the same numbers whether they come as given (float64, say) or as a float32
    # model's fit and resume take them
    part = ys[rows[rows < len(ys)]]
    with np.errstate(over="ignore", invalid="ignore"):
        h.update(np.ascontiguousarray(X[rows], dtype="<f4").tobytes())
        if part.dtype.kind in "biuf":
            h.update(np.ascontiguousarray(part, dtype="<f4").tobytes())
    if part.dtype.kind not in "biuf":  # class names
        h.update("\0".join(map(str, part.ravel().tolist())).encode("utf-8", "replace"))
    return h.hexdigest()[:16]


def _split_data_to_json(model):
    """``{"fraction", "rows", "fingerprint"}`` of the model's last validation split (as fit or
    resume recorded it), or None when not all three are known."""
    fraction = getattr(model, "_split_fraction", None)
    rows = getattr(model, "_split_rows", None)
    fingerprint = getattr(model, "_split_fingerprint", None)
    if not (isinstance(fraction, float) and 0 < fraction < 1 and isinstance(fingerprint, str)
            and isinstance(rows, (int, np.integer)) and rows >= 2):
        return None
    return {"fraction": fraction, "rows": int(rows), "fingerprint": fingerprint}


def _split_data_from_json(ck, v):
    """The checked ``split_data`` entry of a checkpoint, or None (one written before it was
    kept). Entries a later glassnet may add are ignored, as that glassnet's own are."""
    if v is None:
        return None
    v = ck.obj(v, "split_data")
    fraction = ck.num(v.get("fraction"), "split_data.fraction")
    if not 0 < fraction < 1:
        ck.fail(f"split_data.fraction must be between 0 and 1, got {fraction}")
    fingerprint = ck.str_(v.get("fingerprint"), "split_data.fingerprint")
    if not re.fullmatch(r"[0-9a-f]{1,64}", fingerprint):
        ck.fail(f"split_data.fingerprint must be hex digits, got {_short(fingerprint)}")
    return {"fraction": fraction, "rows": ck.int_(v.get("rows"), "split_data.rows", 2),
            "fingerprint": fingerprint}


def _split_to_json(model):
    """``{"rng", "rows"}`` of the model's last validation split, or None."""
    rng = _rng_to_json_state(getattr(model, "_split_rng_state", None))
    rows = getattr(model, "_split_rows", None)
    if rng is None or not isinstance(rows, (int, np.integer)) or rows < 2:
        return None
    return {"rng": rng, "rows": int(rows)}


def _rng_to_json_state(state):
    """A bit-generator state dict (as ``bit_generator.state`` gives it) in JSON form."""
    if not isinstance(state, dict) or state.get("bit_generator") not in _BIT_GENERATORS:
        return None
    bg = _BIT_GENERATORS[state["bit_generator"]]()
    bg.state = state
    return _rng_to_json(np.random.Generator(bg))


def load_checkpoint(path):
    """Load a checkpoint written by :func:`save_checkpoint`; return ``(model, state)``.

    ``model`` is as :func:`load_model` gives it, with ``model.optimizer`` (its state
    restored), ``model.loss``, ``model.history`` and ``model.epochs_trained`` set. ``state``
    is a dict with ``epoch`` (the last finished, from 0), ``initial_epoch`` (epoch + 1, the
    value for ``fit(..., initial_epoch=...)``), ``optimizer``, ``loss``, ``history``,
    ``extra``, ``split_rng_state`` (the generator state the validation split was drawn
    from, or None) and ``split_data`` (``{"fraction", "rows", "fingerprint"}`` of that split,
    see :func:`data_fingerprint`; None in checkpoints written before it was kept). A plain
    model file raises :class:`ModelFileError`.
    """
    path = _as_path(path)
    return _checkpoint_from_bytes(_read_bytes(path), path)


def _checkpoint_from_bytes(data: bytes, path="<bytes>"):
    ck, header, arrays = _parse(data, path)
    kind = ck.str_(header.get("kind", "model"), "kind", ("model", "checkpoint"))
    if kind != "checkpoint":
        ck.fail("it holds a model without training state, not a checkpoint (written by "
                "save_model or by ModelCheckpoint(training_state=False)): load it with "
                "load_model; to resume training, write checkpoints with "
                "ModelCheckpoint(training_state=True), the default")
    model = _build_model(ck, header, arrays)
    tr = ck.obj(header.get("training"), "training")
    ck.keys(tr, "training", {"epoch", "optimizer", "history", "split_rng"})
    epoch = ck.int_(tr.get("epoch"), "training.epoch", 0, 2 ** 62)
    opt = _optimizer_from_json(ck, tr.get("optimizer"), model, arrays)
    leftover = [k for k in arrays if k.startswith("optimizer.")]
    if leftover:
        ck.fail(f"the file has optimizer arrays no state uses: {_short(leftover)}")
    history = _history_from_json(ck, tr.get("history"))
    split = _rng_from_json(ck, tr.get("split_rng"), "training.split_rng")
    split_data = _split_data_from_json(ck, header.get("split_data"))
    model.optimizer = opt
    model.history = history
    model.epochs_trained = epoch + 1
    state = {"epoch": epoch, "initial_epoch": epoch + 1, "optimizer": opt, "loss": model.loss,
             "history": history, "extra": model.extra,
             "split_rng_state": None if split is None else split.bit_generator.state,
             "split_data": split_data}
    return model, state


class _RestoreHistory(Callback):
    """Put the checkpoint's history into the History of the resumed ``fit``, so that it (and
    every checkpoint written from it) covers all epochs. First among the callbacks: a best-only
    ModelCheckpoint's ``on_train_begin`` reads the best value so far from it."""

    def __init__(self, saved):
        self.saved = saved

    def on_train_begin(self, logs=None):
        h = getattr(self.model, "history", None)
        if h is None or h is self.saved:
            return
        h.history = {k: list(v) for k, v in self.saved.history.items()}
        h.epoch = list(self.saved.epoch)


def resume(path, X, y, epochs, **fit_kwargs):
    """Continue the training saved in the checkpoint ``path`` up to ``epochs`` epochs in all.

    ``epochs`` is the total, as in the original ``fit`` call: a checkpoint taken after epoch
    4 of 10 runs epochs 5..10. Pass the same data and the same ``fit`` arguments
    (``batch_size``, ``shuffle``, ``validation_split``/``validation_data``, ``metrics``,
    callbacks such as a new ``ModelCheckpoint``); the model, loss, optimizer and its state,
    history and random generators come from the checkpoint, so the result is bit-identical
    to an uninterrupted run. ``loss`` and ``optimizer`` may be given only when the
    checkpoint lacks them. Returns the model (``model.history`` covers all epochs). A
    checkpoint of a validated run (its history has ``val_loss``) is refused without
    ``validation_split``/``validation_data``, and a ``validation_split`` whose fraction, or
    whose data (its number of rows, or a sample of its rows: :func:`data_fingerprint`),
    differ from those the checkpoint records is refused too: the redrawn split would hold
    out other rows. ``epochs`` below the checkpoint's count is refused; equal to it, nothing
    is trained (with a warning).

    An appending ``CSVLogger(path, append=True)`` among the callbacks first loses the rows of
    the epochs the resumed run trains again (those logged after the checkpoint was written,
    by a run killed before its next one), so that its file has each epoch once: the logger
    does it itself in any fit that continues from ``initial_epoch`` > 0.

    Callbacks that keep their own state across epochs (EarlyStopping's patience counter,
    ReduceLROnPlateau) start afresh; a ``ModelCheckpoint(save_best_only=True)`` starts from
    the best monitored value of the checkpoint's epochs (its ``initial_value_threshold``).
    """
    from ._validate import check_array, check_positive_int
    from .train import fit
    epochs = check_positive_int(epochs, "epochs", minimum=0)
    if "initial_epoch" in fit_kwargs:
        raise TypeError("resume() takes the initial epoch from the checkpoint; do not pass "
                        "initial_epoch")
    model, state = load_checkpoint(path)
    start = state["initial_epoch"]
    if epochs < start:
        # epochs is the total (Keras's fit(epochs=, initial_epoch=)), not the number to add
        raise ValueError(f"resume(epochs={epochs}): the checkpoint {_as_path(path)!r} already "
                         f"holds {start} epochs, and epochs is the total to reach, as in the "
                         f"first fit, not the number to add: pass epochs="
                         f"{start + max(epochs, 1)} to train {max(epochs, 1)} more")
    if epochs == start:
        warnings.warn(f"resume(epochs={epochs}): the checkpoint {_as_path(path)!r} already "
                      f"holds all {start} epochs; nothing is trained (epochs is the total to "
                      f"reach: pass more to train further)", RuntimeWarning,
                      stacklevel=user_stacklevel())
    for key in ("loss", "optimizer"):
        if key in fit_kwargs and state[key] is not None:
            raise TypeError(f"resume() restores the {key} from the checkpoint; do not pass {key}")
    loss = fit_kwargs.pop("loss", None) or state["loss"]
    if loss is None and getattr(model, "_unsaved_loss", None):
        raise ValueError(f"this checkpoint was trained with the custom loss "
                         f"{model._unsaved_loss}, which model files do not keep: pass "
                         f"resume(..., loss={model._unsaved_loss}(...)) to go on with it (the "
                         f"default loss would silently take its place)")
    optimizer = fit_kwargs.pop("optimizer", None) or state["optimizer"] or "adam"
    split = fit_kwargs.get("validation_split", 0.0) or 0.0
    saved = state["history"]
    if not split and fit_kwargs.get("validation_data") is None and saved is not None \
            and "val_loss" in saved.history:
        # the checkpoint's run validated every epoch: without the same validation it would
        # train on rows it held out, and its history would lose val_* values from here on
        raise ValueError("the run this checkpoint comes from was validated every epoch (its "
                         "history has val_loss): pass resume(..., validation_split=...) or "
                         "validation_data=..., the same as the first fit: without them it "
                         "would train on the rows a validation_split held out, and its history "
                         "would stop recording val_loss")
    if split and fit_kwargs.get("validation_data") is None:
        # Redraw the split the first fit drew, from the generator state it was drawn from.
        if state["split_rng_state"] is None:
            raise ValueError("this checkpoint does not record how the validation split was "
                             "drawn; pass validation_data instead of validation_split")
        X = check_array(X, name="X", dtype=model.dtype, n_features=model.n_features)
        y = np.asarray(y)
        n_val = int(round(len(X) * split))
        if n_val < 1 or n_val >= len(X) or len(y) != len(X):
            raise ValueError(f"validation_split={split} does not split {len(X)} rows "
                             f"({len(y)} targets)")
        # the permutation redrawn below is the first fit's only over as many rows, and it
        # holds out the same ones only with the same fraction of the same data in the same
        # order: else rows it validated on would be trained on
        recorded = state["split_data"] or {"rows": getattr(model, "_split_rows", None)}
        fingerprint = data_fingerprint(X, y)
        differs = []
        if recorded.get("fraction") is not None and not math.isclose(
                split, recorded["fraction"], rel_tol=1e-9):
            differs.append(f"it held out validation_split={recorded['fraction']}, not {split}")
        if isinstance(recorded["rows"], (int, np.integer)) and recorded["rows"] != len(X):
            differs.append(f"it split {recorded['rows']} rows, and this X has {len(X)}")
        elif recorded.get("fingerprint") not in (None, fingerprint):
            differs.append("X and y are not the data it split (a sample of their rows "
                           "differs: other data, or the same rows in another order)")
        if differs:
            raise ValueError(f"resume cannot redraw the validation split of the run "
                             f"checkpointed in {_as_path(path)!r}: {'; '.join(differs)}. "
                             f"Pass the same X, y (in the same order) and validation_split as "
                             f"that run; to go on with other data, pass validation_data="
                             f"(X_val, y_val) instead of validation_split (the rows the run "
                             f"held out may then be trained on)")
        bg = _BIT_GENERATORS[state["split_rng_state"]["bit_generator"]]()
        bg.state = state["split_rng_state"]
        perm = np.random.Generator(bg).permutation(len(X))
        fit_kwargs["validation_data"] = (X[perm[:n_val]], y[perm[:n_val]])
        fit_kwargs["validation_split"] = 0.0
        X, y = X[perm[n_val:]], y[perm[n_val:]]
        sw = fit_kwargs.get("sample_weight")
        if sw is not None:  # split as fit splits it
            sw = np.asarray(sw)
            if sw.shape != (len(perm),):
                raise ValueError(f"sample_weight has shape {sw.shape}; one weight per row is "
                                 f"needed: shape ({len(perm)},)")
            wv = sw[perm[:n_val]]
            fit_kwargs["validation_data"] += (wv if wv.sum() > 0 else None,)
            fit_kwargs["sample_weight"] = sw[perm[n_val:]]
        model._split_rng_state = state["split_rng_state"]
        model._split_rows = len(perm)
        model._split_fraction = float(split)   # the checkpoints of this run record them
        model._split_fingerprint = fingerprint
    callbacks = [_RestoreHistory(state["history"]), *fit_kwargs.pop("callbacks", ())]
    fit(model, X, y, loss=loss, optimizer=optimizer, epochs=epochs - start,
        initial_epoch=start, callbacks=callbacks, **fit_kwargs)
    return model


def logged_columns(path) -> list[str] | None:
    """The columns of a :class:`~glassnet.train.CSVLogger`'s file ``path`` (its header, which
    starts with ``epoch``), or None: no such file, another kind of file (another header, not
    UTF-8 text). One rule for appending to it and for cleaning it up."""
    try:
        with open(path, encoding="utf-8", newline="") as f:
            header = [c.strip() for c in f.readline().rstrip("\r\n").split(",")]
    except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError):
        return None
    return header if header[0] == "epoch" else None


def drop_logged_epochs(path, start) -> None:
    """Remove from the CSV file ``path`` (a :class:`~glassnet.train.CSVLogger`'s: a header
    row whose first column is ``epoch``) the rows of epoch ``start`` and later that end it,
    atomically: the rows a run continued from epoch ``start`` logged before it was killed.
    Only those after the file's last row of an epoch below ``start`` go: rows of other runs
    logged into the same file before, a file with another header, or a row of something
    else, are kept as they are; a missing file is left missing."""
    if logged_columns(path) is None:
        return
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    lines = re.findall(r"[^\n]*\n|[^\n]+$", text)  # (splitlines also splits at \f, \x1c...)

    drop = set()
    for i in range(len(lines) - 1, 0, -1):   # back from the end, to this run's start
        field = lines[i].split(",", 1)[0].strip()
        if not (field.isascii() and field.isdigit()):
            continue   # (a line of something else: kept)
        if int(field) < start:
            break      # the run's epochs before the one continued from, and other runs'
        drop.add(i)
    if drop:
        atomic_write_text(path, "".join(line for i, line in enumerate(lines) if i not in drop))
