"""SuperDARN: pure functions on the ``superdarn`` Datasets of :func:`geospacexr.open_superdarn`.

:func:`write` turns such a Dataset back into DMAP records (``docs/superdarn.md``, "Writing");
:func:`rti`, :func:`beam_summary` and :func:`beam_records` compute what range-time-intensity
and summary plots show
(``docs/superdarn.md``, "RTI and summary plots").
"""

from __future__ import annotations

from ._write import dmap_bytes, write
from .rti import beam_records, beam_summary, rti, rti_parameters

__all__ = ["beam_records", "beam_summary", "dmap_bytes", "rti", "rti_parameters", "write"]
