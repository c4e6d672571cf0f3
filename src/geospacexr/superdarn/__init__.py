"""SuperDARN: pure functions on the ``superdarn`` Datasets of :func:`geospacexr.open_superdarn`.

:func:`write` turns such a Dataset back into DMAP records (``docs/superdarn.md``, "Writing").
:mod:`~geospacexr.superdarn.hardware` holds every radar's hardware (shipped SuperDARN/hdw
files), :mod:`~geospacexr.superdarn.geometry` places the range gates (geographic and AACGM-v2)
and :mod:`~geospacexr.superdarn.scans` groups records into scans and filters gates;
:func:`rti`, :func:`beam_summary` and :func:`beam_records` compute what range-time-intensity
and summary plots show; :mod:`~geospacexr.superdarn.convection` reconstructs convection maps.
"""

from __future__ import annotations

from . import convection, geometry, hardware, scans
from ._write import dmap_bytes, write
from .geometry import field_of_view, gate_positions, slant_range, virtual_height
from .hardware import (
    HardwareRecord,
    Radar,
    list_radars,
    parse_hdw,
    radar,
    radar_hardware,
    read_hdw,
    register_radar,
)
from .hardware import hardware as hardware_at
from .rti import beam_records, beam_summary, rti, rti_parameters
from .scans import filter_gates, scan, scan_fan, scan_index, with_scan_index
from .scans import scans as split_scans

__all__ = [
    "HardwareRecord",
    "Radar",
    "beam_records",
    "beam_summary",
    "convection",
    "dmap_bytes",
    "field_of_view",
    "filter_gates",
    "gate_positions",
    "geometry",
    "hardware",
    "hardware_at",
    "list_radars",
    "parse_hdw",
    "plot_fan",
    "radar",
    "radar_hardware",
    "read_hdw",
    "register_radar",
    "rti",
    "rti_parameters",
    "scan",
    "scan_fan",
    "scan_index",
    "scans",
    "slant_range",
    "split_scans",
    "virtual_height",
    "with_scan_index",
    "write",
]


def __getattr__(name: str):  # the figure is a thin, lazily imported re-export of plot/
    if name == "plot_fan":
        from ..plot.superdarn_fan import plot_fan

        return plot_fan
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
