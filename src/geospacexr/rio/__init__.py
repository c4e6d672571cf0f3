"""Riometers: pure functions on the ``riometer`` Datasets of :func:`geospacexr.open_riometer`.

:func:`quiet_day_curve` builds a quiet-day curve (sidereal-time binning of a window of days, an
upper-envelope statistic, Fourier smoothing) and :func:`absorption` the cosmic noise absorption
(QDC minus signal, dB) for a single-frequency riometer or every band of a hyperspectral one.
The method and its references: :mod:`geospacexr.rio.qdc` and ``docs/riometers.md``.
:func:`quantity`, :func:`downsample` and :func:`field_of_view` compute what the figures of
:mod:`geospacexr.plot.rio` draw (``ds.rio.plot``).
"""

from __future__ import annotations

from .qdc import absorption, local_sidereal_time, quiet_day_curve, signal_db
from .series import QUANTITIES, downsample, field_of_view, quantity

__all__ = [
    "QUANTITIES",
    "absorption",
    "downsample",
    "field_of_view",
    "local_sidereal_time",
    "quantity",
    "quiet_day_curve",
    "signal_db",
]
