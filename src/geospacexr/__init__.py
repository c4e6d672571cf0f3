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
    _lazy_dask,  # noqa: F401  (before any Variable: xarray's checks of numpy data import no dask)
    _numba_cache,  # noqa: F401  (first: numba's cache folder, see the module)
    config,
    errors,
)
from . import accessors as _accessors  # noqa: F401  (registers ds.gcm, ds.asi, ds.rb)
from . import gcm as _gcm  # noqa: F401  (registers the gcm reader's completions: ZG from Z)
from . import rio as _rio  # noqa: F401  (registers the riometer readers' completion: site_mlat)
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
from .io.dmap import open_superdarn
from .io.lfm import open_lfm
from .io.mage import open_gamera, open_remix
from .io.omni import open_omni
from .io.qindenton import open_qindenton, open_ts05_yearly
from .io.riometer import open_riometer
from .io.swmf import open_swmf

__all__ = [
    "__version__", "asi", "clear_caches", "config", "datasets", "errors", "gcm", "io", "open",
    "open_asi", "open_asi_grid",
    "open_calibration", "open_gamera", "open_lfm", "open_omni", "open_qindenton", "open_remix",
    "open_riometer", "open_skymap", "open_superdarn", "open_swmf", "open_tiegcm",
    "open_ts05_yearly", "open_waccmx", "rb", "rio",
]  # fmt: skip


def clear_caches() -> list[str]:
    """Empty every in-memory cache geospacexr keeps.

    That is the mosaic matrices, file checksums, explorer results, compiled-kernel slots and
    every other cache a module registered (:mod:`geospacexr._caches`). Each is bounded by a
    ``cache.*`` configuration key; this frees them at once, e.g. after changing files in the
    cache folder by hand. Files on disk are kept.

    Returns:
        The names of the caches emptied (those of the modules imported so far), sorted.

    Example:
        >>> import geospacexr
        >>> names = geospacexr.clear_caches()
    """
    from ._caches import clear_caches as _clear

    return _clear()


_LAZY = {
    *("datasets", "cli", "describe", "gcm", "asi", "mhd", "physics", "rb", "rio", "scale"),
    "superdarn",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'geospacexr' has no attribute {name!r}")
