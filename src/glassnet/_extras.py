"""Optional dependencies: imported only when used, with a message naming the extra to install."""
from __future__ import annotations

import importlib


def require(module: str, package: str, extra: str, who: str):
    """Import ``module`` or raise ImportError saying that ``who`` needs ``package`` and how to
    install it (``pip install "glassnet[extra]"``)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{who} needs {package}, which is not installed: "
                          f'pip install "glassnet[{extra}]" (or pip install {package})') from exc
