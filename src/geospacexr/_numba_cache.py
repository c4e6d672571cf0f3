"""Where numba caches geospacexr's compiled kernels.

Numba caches a ``@njit(cache=True)`` function next to its source file (``__pycache__``) and
chooses the place when the function is *decorated*, i.e. when its module is imported. In an
installation whose package directory is not writable (a system-wide or read-only install, a
container image) it would fall back to a per-user folder of its own; geospacexr sends the cache
to its configured cache directory instead (``<paths.cache_dir>/numba``), next to its other
caches, by setting ``NUMBA_CACHE_DIR`` before any kernel module is imported. The hook is
:func:`configure`, which this module runs when ``geospacexr/__init__.py`` imports it first
(every kernel module is imported after it). A ``NUMBA_CACHE_DIR`` the user set is respected.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["configure", "package_writable"]

_PACKAGE = Path(__file__).resolve().parent


def package_writable() -> bool:
    """Whether numba can write its cache next to geospacexr's kernel sources.

    Returns:
        True when the ``rb`` package folder (and its ``__pycache__``, if present) is writable.
    """
    folder = _PACKAGE / "rb"
    cache = folder / "__pycache__"
    target = cache if cache.is_dir() else folder
    return os.access(target, os.W_OK)


def configure() -> str | None:
    """Point numba's cache at ``<paths.cache_dir>/numba`` when the package is not writable.

    Returns:
        The folder set as ``NUMBA_CACHE_DIR``, or None when nothing was changed (the package
        folder is writable, the user set ``NUMBA_CACHE_DIR``, or the configuration is invalid:
        then numba keeps its own fallback and the error surfaces where the configuration is
        used).
    """
    if os.environ.get("NUMBA_CACHE_DIR") or package_writable():
        return None
    from . import config
    from .errors import ConfigError

    try:
        folder = str(config.get().paths.cache_dir / "numba")
    except ConfigError:
        return None
    os.environ["NUMBA_CACHE_DIR"] = folder
    numba_config = sys.modules.get("numba.core.config")
    if numba_config is not None:  # numba already imported: it read the variable already
        numba_config.CACHE_DIR = folder
    return folder


configure()
