"""SuperDARN: pure functions on the ``superdarn`` Datasets of :func:`geospacexr.open_superdarn`.

:func:`write` turns such a Dataset back into DMAP records (``docs/superdarn.md``, "Writing").
"""

from __future__ import annotations

from . import convection as convection
from ._write import dmap_bytes, write

__all__ = ["dmap_bytes", "write"]
