"""Skymap geometry: positions at any mapping altitude, magnetic coordinates, compatibility."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from ..errors import IncompatibleInputError, InvalidArgumentError, OutOfRangeError

__all__ = ["check_skymap", "magnetic", "pixel_centres", "skymap_at"]


def _wrap180(a: np.ndarray) -> np.ndarray:
    """Wrap degrees to [-180, 180) (floor-based: numpy's float modulo is slow, NaN-heavy)."""
    return a - 360.0 * np.floor((a + 180.0) / 360.0)


def skymap_at(skymap: xr.Dataset, altitude_km: float | None = None) -> xr.Dataset:
    """Pixel-corner latitude/longitude at a mapping altitude.

    Altitudes the file carries are used as they are; others between them are interpolated
    linearly in altitude, for all corners at once (longitudes through their difference, so the
    ±180° seam is safe). Altitudes outside the file's are refused: the skymap is never
    extrapolated.

    Args:
        skymap: A ``skymap`` Dataset (:func:`geospacexr.open_skymap`).
        altitude_km: Mapping altitude, km (default from config ``asi.altitude_km``: 110).

    Returns:
        Dataset with ``lat_corner``, ``lon_corner`` ``(y_corner, x_corner)`` and the altitude as
        a scalar coordinate.

    Raises:
        InvalidArgumentError: If the altitude is not a finite number.
        OutOfRangeError: If the altitude is outside the file's altitudes.
    """
    require(skymap, "skymap", ["lat_corner", "lon_corner", "altitude"], where="skymap_at")
    value = config.resolve(altitude_km, "asi.altitude_km")
    try:
        altitude = float(value)
    except (TypeError, ValueError):
        altitude = float("nan")
    if not np.isfinite(altitude):
        raise InvalidArgumentError(
            f"the mapping altitude must be a finite number of km, not {value!r}",
            argument="altitude_km",
        )
    alts = np.asarray(skymap["altitude"].values, dtype=np.float64)
    if altitude < alts.min() - 1e-9 or altitude > alts.max() + 1e-9:
        hint = (
            f" (altitudes are in km: {altitude:g} km looks like metres)"
            if alts.min() <= altitude / 1000.0 <= alts.max()
            else ""
        )
        raise OutOfRangeError(
            f"altitude {altitude:g} km is outside the skymap's mapping altitudes "
            f"({', '.join(f'{a:g}' for a in alts)} km); the skymap cannot be extrapolated, so "
            f"choose an altitude from {alts.min():g} to {alts.max():g} km{hint}"
        )
    exact = np.flatnonzero(np.isclose(alts, altitude))
    if exact.size:
        out = skymap[["lat_corner", "lon_corner"]].isel(altitude=int(exact[0]))
        return out.assign_coords(altitude=altitude)
    order = np.argsort(alts)
    k = int(np.clip(np.searchsorted(alts[order], altitude) - 1, 0, alts.size - 2))
    i0, i1 = int(order[k]), int(order[k + 1])
    w = (altitude - alts[i0]) / (alts[i1] - alts[i0])
    lat0 = skymap["lat_corner"].isel(altitude=i0).values.astype(np.float64)
    lat1 = skymap["lat_corner"].isel(altitude=i1).values.astype(np.float64)
    lon0 = skymap["lon_corner"].isel(altitude=i0).values.astype(np.float64)
    lon1 = skymap["lon_corner"].isel(altitude=i1).values.astype(np.float64)
    dlon = _wrap180(lon1 - lon0)
    lat = lat0 + w * (lat1 - lat0)
    lon = _wrap180(lon0 + w * dlon)
    dims = ("y_corner", "x_corner")
    return xr.Dataset(
        {
            "lat_corner": (dims, lat, skymap["lat_corner"].attrs),
            "lon_corner": (dims, lon, skymap["lon_corner"].attrs),
        },
        coords={"altitude": altitude},
        attrs=skymap.attrs,
    )


def pixel_centres(skymap: xr.Dataset, altitude_km: float | None = None) -> xr.Dataset:
    """Pixel-centre latitude/longitude: the mean of each pixel's four corners.

    Args:
        skymap: A ``skymap`` Dataset.
        altitude_km: Mapping altitude, km (default 110 from config).

    Returns:
        Dataset with ``lat``, ``lon`` ``(y, x)`` in degrees (NaN outside the field of view).
    """
    from ._kernels import pixel_centres as centres_of

    corners = skymap_at(skymap, altitude_km)
    clat, clon = centres_of(corners["lat_corner"].values, corners["lon_corner"].values)
    return xr.Dataset(
        {
            "lat": (
                ("y", "x"),
                clat,
                {"units": "degrees_north", "long_name": "pixel-centre latitude"},
            ),
            "lon": (
                ("y", "x"),
                clon,
                {"units": "degrees_east", "long_name": "pixel-centre longitude"},
            ),
        },
        coords={"altitude": corners["altitude"]},
        attrs=skymap.attrs,
    )


def magnetic(
    skymap: xr.Dataset, date: Any, altitude_km: float | None = None, grid_deg: float | None = None
) -> xr.Dataset:
    """AACGM-v2 magnetic latitude and longitude of the pixel centres at the mapping altitude.

    The conversion is done at the mapping altitude (PyAuroraX converts at height 0, which moves
    magnetic latitudes by up to about 0.4 degree). Converting all of an imager's pixels one by
    one takes 0.1 s; by default AACGM-v2 is evaluated exactly on a 1-degree geographic grid over
    the field of view and interpolated to the pixels (within 0.001 degree of the direct
    conversion, :func:`geospacexr.geomagnetic.aacgm`); ``grid_deg=0`` converts every pixel.

    Args:
        skymap: A ``skymap`` Dataset.
        date: Date of the coefficients (the images' first time, usually).
        altitude_km: Mapping altitude, km (default 110).
        grid_deg: Interpolation grid spacing, degrees; 0 for a direct conversion of every pixel
            (default from config ``asi.aacgm_grid_deg``: 1).

    Returns:
        Dataset with ``mlat``, ``mlon`` ``(y, x)`` in degrees.

    Raises:
        ImportError: If ``aacgmv2`` (the ``asi`` extra) is not installed.
    """
    from ..geomagnetic import aacgm

    centres = pixel_centres(skymap, altitude_km)
    altitude = float(centres["altitude"])
    mlat, mlon = aacgm(centres["lat"].values, centres["lon"].values, altitude, date, grid_deg)
    shape = centres["lat"].shape
    return xr.Dataset(
        {
            "mlat": (
                ("y", "x"),
                mlat.reshape(shape),
                {"units": "degrees", "long_name": "AACGM-v2 magnetic latitude"},
            ),
            "mlon": (
                ("y", "x"),
                mlon.reshape(shape),
                {"units": "degrees", "long_name": "AACGM-v2 magnetic longitude"},
            ),
        },
        coords={"altitude": altitude},
        attrs={**skymap.attrs, "aacgm_date": str(np.datetime64(date, "s"))},
    )


def check_skymap(images: xr.Dataset, skymap: xr.Dataset) -> None:
    """Refuse a skymap of another site, instrument or image size, or outside its validity period.

    Site and instrument are compared when both Datasets name them (``attrs["site"]``,
    ``attrs["instrument"]``); the validity period is ``attrs["valid_start"]`` to
    ``attrs["valid_end"]`` (an empty end means "still valid").

    Args:
        images: An ``asi`` Dataset.
        skymap: A ``skymap`` Dataset.

    Raises:
        IncompatibleInputError: With what differs.
    """
    require(skymap, "skymap", ["elevation"], where="skymap check")
    for what in ("site", "instrument"):
        mine, theirs = images.attrs.get(what), skymap.attrs.get(what)
        if mine and theirs and str(mine).lower() != str(theirs).lower():
            raise IncompatibleInputError(
                f"the skymap is for {what} {theirs!r}, the images for {mine!r}: "
                f"use a skymap of the images' {what} ({mine!r}) valid at their time"
            )
    shape = (images.sizes.get("y"), images.sizes.get("x"))
    if shape != (skymap.sizes["y"], skymap.sizes["x"]):
        raise IncompatibleInputError(
            f"the skymap is {skymap.sizes['x']}x{skymap.sizes['y']} pixels, "
            f"the images {shape[1]}x{shape[0]}"
        )
    start, end = skymap.attrs.get("valid_start") or None, skymap.attrs.get("valid_end") or None
    if "time" not in images.variables:
        return
    times = np.atleast_1d(images["time"].values)
    if times.size == 0:
        return
    first, last = times.min(), times.max()
    if start and first < np.datetime64(start):
        raise IncompatibleInputError(
            f"the images ({first}) predate the skymap's validity (from {start}): "
            "use the skymap valid at the images' time"
        )
    if end and last > np.datetime64(end):
        raise IncompatibleInputError(
            f"the images ({last}) postdate the skymap's validity (until {end}): "
            "use the skymap valid at the images' time"
        )
