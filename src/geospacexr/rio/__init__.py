"""Riometers: pure functions on the ``riometer`` Datasets of :func:`geospacexr.open_riometer`.

:func:`quiet_day_curve` builds a quiet-day curve (sidereal-time binning of a window of days, an
upper-envelope statistic, Fourier smoothing) and :func:`absorption` the cosmic noise absorption
(QDC minus signal, dB) for a single-frequency riometer or every band of a hyperspectral one;
:func:`absorption_by_window` does both over a long record, one QDC per window of days.
The method and its references: :mod:`geospacexr.rio.qdc` and ``docs/riometers.md``.
:func:`quantity`, :func:`downsample` and :func:`field_of_view` compute what the figures of
:mod:`geospacexr.plot.rio` draw (``ds.rio.plot``).
:func:`download` fetches the files of the datasets ``NORSTAR_RIOMETER_K0_TXT``,
``NORSTAR_RIOMETER_K2_TXT`` and ``SWAN_HSR_K0_H5`` into the local mirror
(:func:`geospacexr.io.download.download_dataset`).
:func:`magnetic_position` converts a site's geographic position (AACGM-v2, else the centred
dipole); importing this package registers :func:`site_magnetic_position` with the readers, so
every ``riometer`` Dataset carries ``site_mlat``, ``site_mlon`` and ``site_magnetic_model``.
"""

from __future__ import annotations

from ..io.download import download_dataset as download
from .batch import absorption_by_window
from .position import magnetic_position, site_magnetic_position
from .qdc import absorption, local_sidereal_time, quiet_day_curve, signal_db
from .series import QUANTITIES, downsample, field_of_view, quantity

__all__ = [
    "QUANTITIES",
    "absorption",
    "absorption_by_window",
    "download",
    "downsample",
    "field_of_view",
    "local_sidereal_time",
    "magnetic_position",
    "quantity",
    "quiet_day_curve",
    "signal_db",
    "site_magnetic_position",
]
