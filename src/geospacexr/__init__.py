"""geospacexr: space-physics data as xarray objects, in Jupyter.

Importing the package registers the ``ds.gcm``, ``ds.asi`` and ``ds.rb`` accessors and nothing
heavy: plotting (matplotlib, cartopy) and interactive stacks (Panel, HoloViews) are imported only
by the functions that need them.

Example:
    >>> import geospacexr
    >>> ds = geospacexr.datasets.open_sample("themis-gill")    # doctest: +SKIP
    >>> ds.asi.keogram()                                        # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

from . import (
    _numba_cache,  # noqa: F401  (first: numba's cache folder, see the module)
    config,
    errors,
)
from . import accessors as _accessors  # noqa: F401  (registers ds.gcm, ds.asi, ds.rb)
from ._version import __version__
from .io import (
    open,
    open_asi,
    open_asi_grid,
    open_calibration,
    open_skymap,
    open_tiegcm,
    open_waccmx,
)

__all__ = [
    "__version__", "asi", "config", "datasets", "errors", "gcm", "io", "open", "open_asi",
    "open_asi_grid",
    "open_calibration", "open_skymap", "open_tiegcm", "open_waccmx", "rb",
]  # fmt: skip

_LAZY = {"datasets", "cli", "describe", "gcm", "asi", "physics", "rb"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'geospacexr' has no attribute {name!r}")
