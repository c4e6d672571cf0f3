"""Fields of view and satellite conjunctions.

A site's field of view at a mapping altitude is where it sees that altitude above the elevation
cutoff: the boundary is the ring of lines of sight at the cutoff elevation (PyAuroraX's FoV maps).
A footprint point is inside when the elevation at which the site sees it, from the closed-form
geometry of :func:`geospacexr.geodesy.geographic_to_look`, is at or above the cutoff (asilib's
Conjunction.find asks the same of the skymap's pixels; with the cutoff above the lens's edge the
two agree).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from ..errors import InvalidArgumentError
from ..geodesy import geographic_to_look, look_to_geographic

__all__ = ["conjunctions", "field_of_view"]


def field_of_view(
    skymap: xr.Dataset,
    altitude_km: float | None = None,
    min_elevation: float | None = None,
    points: int = 361,
) -> xr.Dataset:
    """The boundary of a site's field of view at a mapping altitude.

    Args:
        skymap: The site's skymap (its position is used).
        altitude_km: Mapping altitude, km (default 110).
        min_elevation: Elevation cutoff, degrees (default 5).
        points: Number of boundary points.

    Returns:
        Dataset with ``lat``, ``lon`` along ``azimuth`` (a closed ring).
    """
    require(skymap, "skymap", where="field_of_view")
    altitude = float(config.resolve(altitude_km, "asi.altitude_km"))
    cutoff = float(config.resolve(min_elevation, "asi.min_elevation"))
    azimuth = np.linspace(0.0, 360.0, points)
    lat, lon = look_to_geographic(
        skymap.attrs["site_lat"],
        skymap.attrs["site_lon"],
        skymap.attrs.get("site_alt_m", 0.0) / 1000.0,
        azimuth,
        np.full(points, cutoff),
        altitude,
    )
    return xr.Dataset(
        {
            "lat": ("azimuth", lat, {"units": "degrees_north"}),
            "lon": ("azimuth", lon, {"units": "degrees_east"}),
        },
        coords={"azimuth": ("azimuth", azimuth, {"units": "degrees"})},
        attrs={
            "site": skymap.attrs.get("site", ""),
            "altitude_km": altitude,
            "min_elevation": cutoff,
        },
    )


def conjunctions(
    track: xr.Dataset,
    skymaps: list[xr.Dataset],
    min_elevation: float | None = None,
    altitude_km: float | None = None,
) -> xr.Dataset:
    """The intervals when a footprint track was inside each site's field of view.

    Args:
        track: Footprint at the mapping altitude: ``lat`` and ``lon`` along ``time``.
        skymaps: The sites' skymaps.
        min_elevation: Elevation cutoff, degrees (default 5).
        altitude_km: Altitude of the footprint, km (default 110).

    Returns:
        Dataset along ``interval``: ``site``, ``start``, ``end`` (first and last track times
        inside) and ``max_elevation``; sorted by start time.

    Raises:
        InvalidArgumentError: If the track lacks ``lat``/``lon`` along ``time``.
    """
    if (
        not isinstance(track, xr.Dataset)
        or not {"lat", "lon"} <= set(track.variables)
        or "time" not in track.dims
    ):
        raise InvalidArgumentError("the track must be a Dataset with lat and lon along time")
    altitude = float(config.resolve(altitude_km, "asi.altitude_km"))
    cutoff = float(config.resolve(min_elevation, "asi.min_elevation"))
    times = track["time"].values
    rows: list[tuple[str, Any, Any, float]] = []
    for sky in skymaps:
        require(sky, "skymap", where="conjunctions")
        _, elevation = geographic_to_look(
            sky.attrs["site_lat"],
            sky.attrs["site_lon"],
            sky.attrs.get("site_alt_m", 0.0) / 1000.0,
            track["lat"].values,
            track["lon"].values,
            altitude,
        )
        inside = elevation >= cutoff
        edges = np.diff(np.concatenate([[0], inside.astype(np.int8), [0]]))
        for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1, strict=True):
            rows.append(
                (
                    str(sky.attrs.get("site", "")),
                    times[a],
                    times[b],
                    float(elevation[a : b + 1].max()),
                )
            )
    rows.sort(key=lambda r: r[1])
    return xr.Dataset(
        {
            "site": ("interval", np.array([r[0] for r in rows], dtype=str)),
            "start": ("interval", np.array([r[1] for r in rows], dtype="datetime64[ns]")),
            "end": ("interval", np.array([r[2] for r in rows], dtype="datetime64[ns]")),
            "max_elevation": (
                "interval",
                np.array([r[3] for r in rows], dtype=np.float64),
                {"units": "degrees"},
            ),
        },
        attrs={"altitude_km": altitude, "min_elevation": cutoff},
    )
