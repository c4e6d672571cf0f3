"""Where a line of sight meets a given altitude: the geometry behind skymaps and keograms.

A spherical Earth of radius ``rb.earth_radius_km`` (config; 6371.2 km by default) is used, as the
University of Calgary skymap generator and asilib do; the ellipsoid changes positions at 110 km by
well under a pixel of an all-sky imager.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import config

__all__ = ["geographic_to_look", "great_circle_deg", "look_to_geographic"]


def look_to_geographic(
    site_lat: float,
    site_lon: float,
    site_alt_km: float,
    azimuth: np.ndarray,
    elevation: np.ndarray,
    altitude_km: float | np.ndarray,
    earth_radius_km: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Geographic position where lines of sight from a site reach an altitude.

    The angle at the Earth's centre between the site and the point is
    θ = 90° - e - asin((R + a_site) cos e / (R + h)), and the point lies at great-circle distance
    θ from the site along the azimuth.

    Args:
        site_lat: Site geodetic latitude, degrees.
        site_lon: Site longitude, degrees.
        site_alt_km: Site altitude, km.
        azimuth: Azimuths, degrees east of north.
        elevation: Elevations, degrees above the horizon.
        altitude_km: Mapping altitude(s), km (broadcast against the angles).
        earth_radius_km: Earth radius (default from config ``rb.earth_radius_km``).

    Returns:
        ``(lat, lon)`` in degrees, longitude in [-180, 180); NaN where an input is NaN. Slightly
        negative elevations, which real skymaps carry at the edge of the field of view, are
        mapped with the same formula, as the skymap generator does.
    """
    radius = config.resolve(earth_radius_km, "rb.earth_radius_km")
    az = np.deg2rad(np.asarray(azimuth, dtype=np.float64))
    el = np.deg2rad(np.asarray(elevation, dtype=np.float64))
    ratio = (
        (radius + site_alt_km) * np.cos(el) / (radius + np.asarray(altitude_km, dtype=np.float64))
    )
    with np.errstate(invalid="ignore"):
        theta = np.pi / 2 - el - np.arcsin(ratio)
        lat0, lon0 = np.deg2rad(site_lat), np.deg2rad(site_lon)
        lat = np.arcsin(np.sin(lat0) * np.cos(theta) + np.cos(lat0) * np.sin(theta) * np.cos(az))
        lon = lon0 + np.arctan2(
            np.sin(az) * np.sin(theta) * np.cos(lat0), np.cos(theta) - np.sin(lat0) * np.sin(lat)
        )
    bad = ~np.isfinite(theta)
    lat = np.where(bad, np.nan, np.rad2deg(lat))
    lon = np.where(bad, np.nan, (np.rad2deg(lon) + 180.0) % 360.0 - 180.0)
    return lat, lon


def geographic_to_look(
    site_lat: float,
    site_lon: float,
    site_alt_km: float,
    lat: np.ndarray,
    lon: np.ndarray,
    altitude_km: float | np.ndarray,
    earth_radius_km: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth and elevation at which a site sees points at an altitude.

    The inverse of :func:`look_to_geographic`.

    With θ the angle at the Earth's centre between the site (radius R + a) and the point
    (radius R + h), tan e = (cos θ - (R + a)/(R + h)) / sin θ.

    Args:
        site_lat: Site latitude, degrees.
        site_lon: Site longitude, degrees.
        site_alt_km: Site altitude, km.
        lat: Point latitudes, degrees.
        lon: Point longitudes, degrees.
        altitude_km: Point altitude(s), km.
        earth_radius_km: Earth radius (default from config ``rb.earth_radius_km``).

    Returns:
        ``(azimuth, elevation)`` in degrees (azimuth east of north in [0, 360)).
    """
    radius = config.resolve(earth_radius_km, "rb.earth_radius_km")
    la0, lo0 = np.deg2rad(site_lat), np.deg2rad(site_lon)
    la, lo = (
        np.deg2rad(np.asarray(lat, dtype=np.float64)),
        np.deg2rad(np.asarray(lon, dtype=np.float64)),
    )
    cos_theta = np.sin(la0) * np.sin(la) + np.cos(la0) * np.cos(la) * np.cos(lo - lo0)
    theta = np.arccos(np.clip(cos_theta, -1.0, 1.0))
    ratio = (radius + site_alt_km) / (radius + np.asarray(altitude_km, dtype=np.float64))
    elevation = np.rad2deg(np.arctan2(np.cos(theta) - ratio, np.sin(theta)))
    azimuth = (
        np.rad2deg(
            np.arctan2(
                np.sin(lo - lo0) * np.cos(la),
                np.cos(la0) * np.sin(la) - np.sin(la0) * np.cos(la) * np.cos(lo - lo0),
            )
        )
        % 360.0
    )
    return azimuth, elevation


def great_circle_deg(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> np.ndarray:
    """Great-circle angle between points, degrees (haversine form, exact for small angles).

    Args:
        lat1: Latitude of the first point(s), degrees.
        lon1: Longitude of the first point(s), degrees.
        lat2: Latitude of the second point(s), degrees.
        lon2: Longitude of the second point(s), degrees.

    Returns:
        The central angle, degrees, broadcast over the inputs.
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.degrees(2 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))
