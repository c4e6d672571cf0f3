"""Lines of constant elevation, azimuth, latitude or longitude on the CCD (PyAuroraX's ccd_contour).

A line is traced through the skymap's pixel-centre field with marching squares (``contourpy``,
matplotlib's contouring engine) at sub-pixel precision, in the images' orientation: ``x`` is the
column and ``y`` the row, as in ``image[y, x]``, so the line can be drawn over an image shown
with ``origin="lower"``, as PyAuroraX does. PyAuroraX returns, for slices of the line, the
integer pixel (or pixel *corner*, for geographic and magnetic lines) nearest to it; those points
lie within about a pixel of ours (tested against PyAuroraX 1.27).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from ..errors import InvalidArgumentError, OutOfRangeError
from .skymaps import _wrap180, magnetic, pixel_centres

__all__ = ["contour"]


def _wrapped(values: np.ndarray, target: float) -> np.ndarray:
    """``values - target`` wrapped to [-180, 180), NaN on the far half (|difference| > 90).

    A line of constant azimuth or longitude is the zero of this field; the far half is masked so
    that the jump from +180 to -180 behind the site does not draw a second, spurious line.
    """
    d = _wrap180(values - target)
    return np.where(np.abs(d) <= 90.0, d, np.nan)


def contour(
    skymap: xr.Dataset,
    elevation: float | None = None,
    azimuth: float | None = None,
    lat: float | None = None,
    lon: float | None = None,
    mlat: float | None = None,
    mlon: float | None = None,
    altitude_km: float | None = None,
    date: Any = None,
    min_elevation: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """CCD coordinates of a line of constant elevation, azimuth, latitude or longitude.

    Give exactly one of the keywords. Geographic (``lat``, ``lon``) and AACGM-v2 magnetic
    (``mlat``, ``mlon``) lines are at the mapping altitude; magnetic ones need ``date``. Lines
    other than elevation lines stop at ``min_elevation``.

    Args:
        skymap: The site's skymap (:func:`geospacexr.open_skymap`).
        elevation: Elevation, degrees above the horizon.
        azimuth: Azimuth, degrees east of north.
        lat: Geographic latitude, degrees.
        lon: Geographic longitude, degrees east.
        mlat: AACGM-v2 magnetic latitude, degrees.
        mlon: AACGM-v2 magnetic longitude, degrees.
        altitude_km: Mapping altitude for geographic and magnetic lines, km (default from config
            ``asi.altitude_km``).
        date: Date of the magnetic coordinates (needed for ``mlat``/``mlon``).
        min_elevation: Elevation cutoff, degrees (default from config ``asi.min_elevation``).

    Returns:
        ``(x, y)``: float arrays of pixel coordinates (column, row) along the line; separate
        pieces of the line are separated by NaN.

    Raises:
        WrongKindError: If ``skymap`` is not a skymap.
        InvalidArgumentError: Without exactly one line, or a magnetic line without ``date``.
        OutOfRangeError: If the line does not cross the field of view.
    """
    try:
        import contourpy
    except ImportError:
        raise ImportError("contours need contourpy: pip install 'geospacexr[asi]'") from None

    require(skymap, "skymap", ["elevation", "azimuth"], where="contour")
    given = {
        k: v
        for k, v in (
            ("elevation", elevation),
            ("azimuth", azimuth),
            ("lat", lat),
            ("lon", lon),
            ("mlat", mlat),
            ("mlon", mlon),
        )
        if v is not None
    }
    if len(given) != 1:
        raise InvalidArgumentError(
            "give exactly one of elevation=, azimuth=, lat=, lon=, mlat=, mlon= "
            f"(given: {', '.join(given) or 'none'})"
        )
    kind, value = next(iter(given.items()))
    value = float(value)
    elev = skymap["elevation"].values.astype(np.float64)
    cutoff = float(config.resolve(min_elevation, "asi.min_elevation"))
    if kind == "elevation":
        field, level = elev, value
    else:
        if kind == "azimuth":
            coord = skymap["azimuth"].values.astype(np.float64)
        elif kind in ("lat", "lon"):
            coord = pixel_centres(skymap, altitude_km)[kind].values
        else:
            if date is None:
                raise InvalidArgumentError(f"a line of constant {kind} needs date=")
            coord = magnetic(skymap, date, altitude_km)[kind].values
        if kind in ("azimuth", "lon", "mlon"):
            field, level = _wrapped(coord, value), 0.0
        else:
            field, level = coord, value
        field = np.where(elev >= cutoff, field, np.nan)
    lines = contourpy.contour_generator(z=np.ma.masked_invalid(field)).lines(level)
    lines = [line for line in lines if len(line) > 1]
    if not lines:
        finite = field[np.isfinite(field)]
        span = f"{finite.min():.1f} to {finite.max():.1f}" if finite.size else "nothing"
        raise OutOfRangeError(
            f"no line of {kind} {value:g} crosses the field of view "
            f"({'differences from it span' if level == 0.0 and kind != 'elevation' else kind} "
            f"{span})"
        )
    pieces = []
    for line in lines:
        pieces.append(line)
        pieces.append(np.full((1, 2), np.nan))
    xy = np.concatenate(pieces[:-1])
    return xy[:, 0], xy[:, 1]
