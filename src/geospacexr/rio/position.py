"""A riometer site's magnetic position, added to every ``riometer`` Dataset the readers return.

The readers of :mod:`geospacexr.io.riometer` import no science (``tests/test_layers.py``), so
the magnetic position is added by a completion this module registers with them
(:func:`geospacexr.io.riometer.register_completion`), run on the Dataset of all the files read
together (the days concatenated): :func:`site_magnetic_position`. The conversion itself is
:func:`magnetic_position`, for one geographic point, through :func:`geospacexr.geomagnetic.aacgm`
and :func:`geospacexr.geomagnetic.dipole_coordinates` (the one implementation of both).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .. import config
from ..errors import GeospacexrError
from ..io.riometer import register_completion

__all__ = ["magnetic_position", "site_magnetic_position"]

#: The instants both models cover: IGRF-14's span (:data:`geospacexr.rb.igrf.VALID_FROM`,
#: ``VALID_UNTIL``; not imported here, as that module loads numba), which AACGM-v2's
#: coefficients share (``aacgmv2`` refuses later dates and extrapolates earlier ones silently).
MODEL_SPAN = (np.datetime64("1900-01-01T00:00", "ns"), np.datetime64("2030-01-01T00:00", "ns"))


def magnetic_position(
    lat: float, lon: float, time: Any, height_km: float | None = None
) -> dict[str, Any]:
    """The magnetic latitude and longitude of one geographic point, and the model used.

    AACGM-v2 at ``height_km`` on the date of ``time`` when ``aacgmv2`` (the ``asi`` extra) is
    installed, covers the date and defines the point there (not near the magnetic equator);
    else the centred dipole of IGRF-14 of that instant (MAG coordinates,
    :func:`geospacexr.geomagnetic.dipole_coordinates`; the latitude taken as geocentric on the
    spherical Earth used throughout, the height irrelevant to a centred dipole's angles).

    Args:
        lat: Geographic latitude, degrees.
        lon: Geographic longitude, degrees east.
        time: The instant (anything ``numpy.datetime64`` accepts).
        height_km: Height of the point, km (default from config ``rio.fov_height_km``: 90, the
            absorbing D-region layer a riometer sees).

    Returns:
        ``{"site_mlat": ..., "site_mlon": ..., "site_magnetic_model": ...}`` (degrees, mlon in
        [-180, 180); the model as ``"AACGM-v2 at 90 km, 2014-03-08"`` or
        ``"centred dipole (IGRF-14), 2014-03-08"``), or ``{}`` when the position or the time is
        unknown (NaN, NaT) or outside the models' span (:data:`MODEL_SPAN`, 1900-2030).

    Example:
        >>> from geospacexr.rio import magnetic_position
        >>> sorted(magnetic_position(56.38, -94.64, "2014-03-08"))
        ['site_magnetic_model', 'site_mlat', 'site_mlon']
    """
    from ..geomagnetic import aacgm, dipole_coordinates

    height = float(config.resolve(height_km, "rio.fov_height_km"))
    try:
        when = np.datetime64(time, "ns")
    except (TypeError, ValueError):
        return {}
    if np.isnat(when) or not (np.isfinite(lat) and np.isfinite(lon)):
        return {}
    if not MODEL_SPAN[0] <= when <= MODEL_SPAN[1]:
        return {}
    day = str(when.astype("datetime64[D]"))
    point = (np.array([float(lat)]), np.array([float(lon)]))
    try:
        mlat, mlon = aacgm(*point, height, when, grid_deg=0)
        model = f"AACGM-v2 at {height:g} km, {day}"
    except (ImportError, RuntimeError, ValueError):  # no aacgmv2, or a date beyond its model
        mlat = mlon = np.array([np.nan])
    if not (np.isfinite(mlat[0]) and np.isfinite(mlon[0])):
        try:
            mlat, mlon = dipole_coordinates(*point, when)
        except (GeospacexrError, ValueError):  # beyond IGRF-14
            return {}
        model = f"centred dipole (IGRF-14), {day}"
    return {
        "site_mlat": float(mlat[0]),
        "site_mlon": float(mlon[0]),
        "site_magnetic_model": model,
    }


@register_completion("site magnetic position")
def site_magnetic_position(ds: xr.Dataset, source: str = "") -> xr.Dataset:
    """The site's magnetic position: ``site_mlat``, ``site_mlon``, ``site_magnetic_model``.

    :func:`magnetic_position` of ``site_lat``/``site_lon`` at ``rio.fov_height_km`` on the
    data's first time: for files of many days (read together or concatenated later, which keeps
    the first Dataset's attrs) the first day's: AACGM-v2 moves a site by less than a tenth of a
    degree a year (Gillam: 0.66 degree in magnetic latitude from 2014 to 2024). Nothing is
    added when the position or the time is unknown.

    Args:
        ds: A ``riometer`` Dataset (:func:`geospacexr.open_riometer`).
        source: The first file's name (the completion's signature; unused).

    Returns:
        ``ds`` with the three attrs, or ``ds`` unchanged.
    """
    del source
    times = ds["time"].values if "time" in ds.coords else np.array([], "datetime64[ns]")
    times = times[~np.isnat(times)]
    lat, lon = ds.attrs.get("site_lat"), ds.attrs.get("site_lon")
    if times.size == 0 or lat is None or lon is None:
        return ds
    found = magnetic_position(float(lat), float(lon), times.min())
    return ds.assign_attrs(found) if found else ds
