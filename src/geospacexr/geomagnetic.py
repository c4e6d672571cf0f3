"""Geomagnetic coordinates from IGRF-14: the dip equator, centred-dipole coordinates, MLT.

* The **dip (magnetic) equator** is where the IGRF field is horizontal (inclination zero), found
  per longitude by bisection on the radial field component at a given height. This is the
  "geomagnetic equator" of maps (GCMprocpy's ``gm_equator`` plots the declination at latitude 0
  instead).
* **Centred-dipole (MAG) coordinates** use the IGRF dipole axis of the date (Hapgood 1992, as in
  :mod:`geospacexr.rb.frames`): magnetic latitude and longitude of geographic points.
* **Magnetic local time** is the MAG-longitude difference from the anti-sunward direction, in
  hours (12 h at the subsolar MAG longitude).

Geographic latitudes here are geocentric (spherical Earth of radius ``rb.earth_radius_km``), as
for the model grids they are used with.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import config
from .errors import InvalidArgumentError

__all__ = ["dip_equator", "dipole_coordinates", "magnetic_local_time"]


def _cartesian(lat_deg: np.ndarray, lon_deg: np.ndarray, r: np.ndarray | float) -> np.ndarray:
    lat, lon = np.deg2rad(lat_deg), np.deg2rad(lon_deg)
    return np.stack(
        [r * np.cos(lat) * np.cos(lon), r * np.cos(lat) * np.sin(lon), r * np.sin(lat) + 0 * lon]
    )


def dip_equator(
    lons: Any, time: Any, height_km: float = 0.0, tolerance_deg: float = 1e-6
) -> np.ndarray:
    """Geocentric latitude of the IGRF dip equator (inclination 0) at each longitude.

    Args:
        lons: Geographic longitudes, degrees.
        time: UT time (IGRF epoch, 1900-2030).
        height_km: Height above the spherical Earth, km.
        tolerance_deg: Latitude tolerance of the bisection, degrees.

    Returns:
        Latitudes (degrees) shaped like ``lons``.

    Raises:
        InvalidArgumentError: Negative height, or a time outside IGRF.
    """
    from .rb.igrf import igrf_field

    if not (height_km >= 0.0):
        raise InvalidArgumentError("must be a non-negative height in km", "height_km")
    lon = np.asarray(lons, dtype=float)
    r = 1.0 + float(height_km) / config.get().rb.earth_radius_km
    flat = lon.ravel()
    lo = np.full(flat.shape, -45.0)  # the dip equator lies within +-20 degrees of the equator
    hi = np.full(flat.shape, 45.0)

    def radial(lat: np.ndarray) -> np.ndarray:
        p = _cartesian(lat, flat, r)
        b = np.array(igrf_field(p[0], p[1], p[2], time, frame="GEO"))
        return np.sum(b * p, axis=0) / r

    f_lo = radial(lo)
    for _ in range(int(np.ceil(np.log2(90.0 / tolerance_deg))) + 1):
        mid = 0.5 * (lo + hi)
        f_mid = radial(mid)
        same = np.sign(f_mid) == np.sign(f_lo)
        lo = np.where(same, mid, lo)
        f_lo = np.where(same, f_mid, f_lo)
        hi = np.where(same, hi, mid)
    return (0.5 * (lo + hi)).reshape(lon.shape)


def dipole_coordinates(lat: Any, lon: Any, time: Any) -> tuple[np.ndarray, np.ndarray]:
    """Centred-dipole (MAG) latitude and longitude of geographic points.

    Args:
        lat: Geocentric latitudes, degrees.
        lon: Longitudes, degrees.
        time: UT time (IGRF dipole axis of the date).

    Returns:
        ``(mlat, mlon)`` in degrees, mlon in [-180, 180), broadcast shape.
    """
    from .rb.frames import transform

    la, lo = np.broadcast_arrays(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float))
    p = _cartesian(la.ravel(), lo.ravel(), 1.0)
    x, y, z = transform(p[0], p[1], p[2], "GEO", "MAG", time)
    mlat = np.degrees(np.arcsin(np.clip(z, -1.0, 1.0)))
    mlon = (np.degrees(np.arctan2(y, x)) + 180.0) % 360.0 - 180.0
    return mlat.reshape(la.shape), mlon.reshape(la.shape)


def magnetic_local_time(mlon: Any, time: Any) -> np.ndarray:
    """Magnetic local time (hours) of MAG longitudes: 12 h under the Sun's MAG longitude.

    Args:
        mlon: MAG longitudes, degrees.
        time: UT time.

    Returns:
        MLT in [0, 24).
    """
    from .rb.frames import transform

    sun = transform(np.array([1.0]), np.array([0.0]), np.array([0.0]), "GSE", "MAG", time)
    sun_lon = float(np.degrees(np.arctan2(sun[1][0], sun[0][0])))
    return ((np.asarray(mlon, dtype=float) - sun_lon) / 15.0 + 12.0) % 24.0
