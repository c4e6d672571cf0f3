"""The Sun's position: subsolar point, solar local time, the day-night terminator.

Low-precision formulas of the Astronomical Almanac (the "Low precision formulas for the Sun"
section, also in the NOAA solar calculator): accurate to about 0.01 degree in declination and
a few seconds of time in the equation of time between 1950 and 2050, ample for maps.
"""

from __future__ import annotations

import numpy as np

__all__ = ["subsolar_point", "terminator"]


def subsolar_point(time: np.datetime64 | str) -> tuple[float, float]:
    """Latitude and longitude (degrees) of the point where the Sun is at the zenith.

    Args:
        time: UT time.

    Returns:
        ``(lat, lon)``, longitude in [-180, 180).
    """
    t = np.datetime64(time, "ns")
    days = (t - np.datetime64("2000-01-01T12:00", "ns")) / np.timedelta64(1, "D")
    mean_lon = np.deg2rad((280.460 + 0.9856474 * days) % 360.0)
    anomaly = np.deg2rad((357.528 + 0.9856003 * days) % 360.0)
    ecliptic_lon = (
        mean_lon + np.deg2rad(1.915) * np.sin(anomaly) + np.deg2rad(0.020) * np.sin(2 * anomaly)
    )
    obliquity = np.deg2rad(23.439 - 4.0e-7 * days)
    declination = np.arcsin(np.sin(obliquity) * np.sin(ecliptic_lon))
    right_ascension = np.arctan2(np.cos(obliquity) * np.sin(ecliptic_lon), np.cos(ecliptic_lon))
    equation_of_time = np.rad2deg((mean_lon - right_ascension + np.pi) % (2 * np.pi) - np.pi)  # deg
    ut_hours = (t - t.astype("datetime64[D]")) / np.timedelta64(1, "h")
    lon = -15.0 * (ut_hours - 12.0) - equation_of_time
    return float(np.rad2deg(declination)), float((lon + 180.0) % 360.0 - 180.0)


def terminator(time: np.datetime64 | str, lons: np.ndarray) -> np.ndarray:
    """Latitude of the day-night terminator (solar zenith angle 90 degrees) at longitudes.

    Args:
        time: UT time.
        lons: Longitudes, degrees.

    Returns:
        Latitudes, degrees.
    """
    lat_ss, lon_ss = subsolar_point(time)
    dec = np.deg2rad(lat_ss)
    if abs(dec) < 1e-6:
        dec = 1e-6
    hour_angle = np.deg2rad(np.asarray(lons, dtype=np.float64) - lon_ss)
    return np.rad2deg(np.arctan(-np.cos(hour_angle) / np.tan(dec)))
