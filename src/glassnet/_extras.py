"""Optional dependencies: imported only when used, with a message naming the extra to install."""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path


def require(module: str, package: str, extra: str, who: str):
    """Import ``module`` or raise ImportError saying that ``who`` needs ``package`` and how to
    install it (``pip install "glassnet[extra]"``)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{who} needs {package}, which is not installed: "
                          f'pip install "glassnet[{extra}]" (or pip install {package})') from exc


def private_matplotlib_dir() -> None:
    """Before Matplotlib is first imported by the ``glassnet`` command: when its config or
    cache folder cannot be made (a HOME that is read-only or missing, as in CI containers run
    with ``--user``) and MPLCONFIGDIR is unset, point MPLCONFIGDIR at a private temporary
    folder, removed at exit. Matplotlib would do the same, but with two warning lines on
    stderr, ``--quiet`` or not. The command owns its process and environment; a program
    using glassnet as a library keeps Matplotlib's own behaviour (and its advice)."""
    if "matplotlib" in sys.modules or os.environ.get("MPLCONFIGDIR"):
        return
    try:
        if sys.platform.startswith(("linux", "freebsd")):   # where Matplotlib looks
            folders = [Path(os.environ.get(var) or Path.home() / sub, "matplotlib")
                       for var, sub in (("XDG_CONFIG_HOME", ".config"),
                                        ("XDG_CACHE_HOME", ".cache"))]
        else:
            folders = [Path.home() / ".matplotlib"]
        if all(_could_write(folder) for folder in folders):
            return
    except (RuntimeError, OSError):   # RuntimeError: Path.home() has no answer
        pass
    import atexit
    import shutil
    import tempfile
    try:
        folder = tempfile.mkdtemp(prefix="glassnet-matplotlib-")
    except OSError:   # no writable temporary folder either: Matplotlib says what it says
        return
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ["MPLCONFIGDIR"] = folder


def _could_write(folder: Path) -> bool:
    """Whether ``folder`` is, or could be made as, a writable folder (nothing is created)."""
    folder = folder.resolve()
    while not folder.exists():
        if folder.parent == folder:
            return False
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
