"""Custom keograms: along a path of points, or along a geographic/magnetic meridian.

A *path* keogram follows PyAuroraX's ``create_custom``: the path's points are put on the CCD
(nearest pixel for geographic or magnetic points), each pair of consecutive points spans a
rectangle ``width`` pixels wide, and every rectangle becomes one keogram row holding a metric
(mean, median, sum or percentile) of its pixels in every frame.

A *meridian* keogram picks, in every image row, the pixel whose centre is nearest to a given
longitude (or magnetic longitude), so it follows the meridian through the field of view
instead of a CCD column.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from ..errors import InvalidArgumentError, OutOfRangeError
from ..geodesy import great_circle_deg
from .metrics import check_metric, reduce_pixels
from .skymaps import check_skymap, magnetic, pixel_centres, skymap_at

__all__ = ["meridian_keogram", "path_keogram", "path_pixels"]


def _positions(
    ds: xr.Dataset, skymap: xr.Dataset, axis: str, altitude_km: float | None, date: Any = None
) -> tuple[np.ndarray, np.ndarray, float]:
    centres = pixel_centres(skymap, altitude_km)
    altitude = float(centres["altitude"])
    if axis == "geo":
        return centres["lat"].values, centres["lon"].values, altitude
    mag = magnetic(skymap, ds["time"].values[0] if date is None else date, altitude)
    return mag["mlat"].values, mag["mlon"].values, altitude


def _check_metric(metric: str, percentile: float | None) -> None:
    check_metric(metric, percentile)
    if metric != "percentile" and percentile is not None:
        raise InvalidArgumentError(f"percentile={percentile!r} only goes with metric='percentile'")


def path_pixels(
    ds: xr.Dataset,
    path: Sequence[Sequence[float]] | np.ndarray,
    skymap: xr.Dataset | None = None,
    axis: str = "ccd",
    altitude_km: float | None = None,
    min_elevation: float | None = None,
    date: Any = None,
) -> np.ndarray:
    """Put a path's points on the CCD.

    For ``axis="ccd"`` the points are ``(x, y)`` pixel positions (column first, as PyAuroraX's
    ``x_locs``/``y_locs``); for ``"geo"`` ``(lat, lon)`` and for ``"mag"`` ``(mlat, mlon)``
    (AACGM-v2 at the mapping altitude, dated to the first frame), each moved to the pixel whose
    centre is nearest on the sphere. PyAuroraX takes the nearest pixel *corner* minus one in
    both directions (up to a pixel off) and converts to magnetic coordinates at height 0.

    Points outside the image, or (geo/mag) farther than one pixel diagonal from the nearest
    pixel above ``min_elevation``, are dropped.

    Args:
        ds: An ``asi`` Dataset.
        path: Sequence of points, shape ``(n, 2)``.
        skymap: The site's skymap (needed for geo/mag).
        axis: ``"ccd"``, ``"geo"`` or ``"mag"``.
        altitude_km: Mapping altitude, km (default from config ``asi.altitude_km``).
        min_elevation: Elevation cutoff, degrees (default from config ``asi.min_elevation``).
        date: Date of the AACGM-v2 coordinates for ``axis="mag"`` (default: the first frame).

    Returns:
        Integer array ``(m, 2)`` of ``(x, y)`` pixel indices, ``m <= n``, in path order.

    Raises:
        InvalidArgumentError: If the path is not a sequence of pairs, the axis unknown, or a
            skymap is missing for geo/mag.
    """
    points = np.asarray(path, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) < 2:
        raise InvalidArgumentError(
            f"path must be a sequence of at least two (a, b) points, got shape {points.shape}"
        )
    if not np.isfinite(points).all():
        raise InvalidArgumentError("path points must be finite numbers")
    height, width = ds["image"].sizes["y"], ds["image"].sizes["x"]
    if axis == "ccd":
        xy = np.floor(points).astype(np.int64)
        keep = (xy[:, 0] >= 0) & (xy[:, 0] < width) & (xy[:, 1] >= 0) & (xy[:, 1] < height)
        return xy[keep]
    if axis not in ("geo", "mag"):
        raise InvalidArgumentError(f"axis must be one of ccd, geo, mag, not {axis!r}")
    if skymap is None:
        raise InvalidArgumentError(f"a {axis} path needs the site's skymap (skymap=...)")
    check_skymap(ds, skymap)
    lat, lon, altitude = _positions(ds, skymap, axis, altitude_km, date)
    cutoff = float(config.resolve(min_elevation, "asi.min_elevation"))
    elevation = skymap["elevation"].values.astype(np.float64)
    valid = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(elevation) & (elevation >= cutoff)
    if not valid.any():
        raise InvalidArgumentError(f"no pixel of this skymap is above {cutoff:g} degrees elevation")
    corners = skymap_at(skymap, altitude)
    clat = corners["lat_corner"].values.astype(np.float64)
    clon = corners["lon_corner"].values.astype(np.float64)
    diagonal = np.fmax(
        great_circle_deg(clat[:-1, :-1], clon[:-1, :-1], clat[1:, 1:], clon[1:, 1:]),
        great_circle_deg(clat[1:, :-1], clon[1:, :-1], clat[:-1, 1:], clon[:-1, 1:]),
    )
    vy, vx = np.nonzero(valid)
    vlat, vlon = lat[valid], lon[valid]
    out = []
    for plat, plon in points:
        distance = great_circle_deg(plat, plon, vlat, vlon)
        best = int(np.argmin(distance))
        size = diagonal[vy[best], vx[best]]
        if np.isfinite(size) and distance[best] > size:
            continue
        out.append((vx[best], vy[best]))
    return np.asarray(out, dtype=np.int64).reshape(-1, 2)


def _segment_pixels(x0: float, y0: float, x1: float, y1: float, width: float, shape):  # type: ignore[no-untyped-def]
    """Pixels inside the ``width``-wide rectangle around one segment (PyAuroraX's rule)."""
    from matplotlib.path import Path

    dx, dy = x1 - x0, y1 - y0
    length = np.hypot(dx, dy)
    if length == 0:
        return None
    ox, oy = -dy / length * width / 2, dx / length * width / 2
    vertices = [
        (int(x0 + ox), int(y0 + oy)),
        (int(x1 + ox), int(y1 + oy)),
        (int(x1 - ox), int(y1 - oy)),
        (int(x0 - ox), int(y0 - oy)),
    ]
    xmin = max(int(np.floor(min(v[0] for v in vertices))), 0)
    xmax = min(int(np.ceil(max(v[0] for v in vertices))), shape[1] - 1)
    ymin = max(int(np.floor(min(v[1] for v in vertices))), 0)
    ymax = min(int(np.ceil(max(v[1] for v in vertices))), shape[0] - 1)
    if xmax < xmin or ymax < ymin:
        return None
    gx, gy = np.meshgrid(np.arange(xmin, xmax + 1), np.arange(ymin, ymax + 1))
    inside = Path(vertices).contains_points(np.column_stack([gx.ravel(), gy.ravel()]))
    if not inside.any():
        return None
    return gy.ravel()[inside], gx.ravel()[inside]


def path_keogram(
    ds: xr.Dataset,
    path: Sequence[Sequence[float]] | np.ndarray,
    skymap: xr.Dataset | None = None,
    axis: str = "ccd",
    width: float | None = None,
    metric: str = "mean",
    percentile: float | None = None,
    altitude_km: float | None = None,
    min_elevation: float | None = None,
    date: Any = None,
) -> xr.DataArray:
    """Build a keogram along a path (PyAuroraX's ``create_custom``).

    The points are put on the CCD (:func:`path_pixels`); each pair of consecutive points spans
    a rectangle ``width`` pixels wide around the segment joining them, and the keogram row of
    that segment is the ``metric`` of the rectangle's pixels in each frame. The rectangle's
    corners are truncated to whole pixels and pixels are tested with matplotlib's
    ``Path.contains_points``, as PyAuroraX does, so the same points give the same pixels. Unlike
    PyAuroraX the result is floating point (PyAuroraX stores single-channel rows in an integer
    array, truncating means and medians, and floors RGB rows) and segments that collapse to one
    pixel or hold no pixel are left out rather than kept as rows of zeros.

    Args:
        ds: An ``asi`` Dataset.
        path: Points ``(x, y)`` (``axis="ccd"``), ``(lat, lon)`` (``"geo"``) or
            ``(mlat, mlon)`` (``"mag"``).
        skymap: The site's skymap (geo/mag paths; also labels CCD paths with positions when
            given).
        axis: The path's coordinate system: ``"ccd"``, ``"geo"`` or ``"mag"``.
        width: Rectangle width, pixels (default from config ``asi.keogram_width``: 5).
        metric: ``"mean"``, ``"median"``, ``"sum"`` or ``"percentile"``.
        percentile: The percentile (0-100) for ``metric="percentile"``.
        altitude_km: Mapping altitude, km (default from config ``asi.altitude_km``).
        min_elevation: Elevation cutoff for geo/mag points, degrees (default from config).
        date: Date of the AACGM-v2 coordinates for ``axis="mag"`` (default: the first frame).

    Returns:
        DataArray ``(segment, time)`` (``channel`` last for RGB) with, per segment, its end
        pixels ``x0, y0, x1, y1``, its pixel count ``pixels`` and (with a skymap) the
        ``lat``/``lon`` (or ``mlat``/``mlon``) of its midpoint pixel.

    Raises:
        InvalidArgumentError: If the metric or percentile is invalid or the width not positive.
        OutOfRangeError: If fewer than two points fall on the image (or in the field of view),
            or no segment holds a pixel.
    """
    from .._checks import require

    require(ds, "asi", ["image"], where="path_keogram")
    _check_metric(metric, percentile)
    width = float(config.resolve(width, "asi.keogram_width"))
    if not np.isfinite(width) or width <= 0:
        raise InvalidArgumentError(f"width must be a positive number of pixels, not {width!r}")
    xy = path_pixels(ds, path, skymap, axis, altitude_km, min_elevation, date)
    if len(xy) < 2:
        raise OutOfRangeError(
            f"only {len(xy)} of the {len(np.asarray(path))} path points fall on the image "
            "(or inside the field of view): a path keogram needs at least two"
        )
    image = ds["image"]
    shape = (image.sizes["y"], image.sizes["x"])
    data = image.transpose("time", "y", "x", ...).values
    rows, ends, counts = [], [], []
    for (x0, y0), (x1, y1) in itertools.pairwise(xy):
        pixels = _segment_pixels(float(x0), float(y0), float(x1), float(y1), width, shape)
        if pixels is None:
            continue
        rows.append(reduce_pixels(data[:, pixels[0], pixels[1]], metric, percentile))
        ends.append((x0, y0, x1, y1))
        counts.append(len(pixels[0]))
    if not rows:
        raise OutOfRangeError(
            "no path segment holds a pixel: spread the points out or increase width"
        )
    values = np.stack(rows)  # (segment, time[, channel])
    ends_arr = np.asarray(ends, dtype=np.int64)
    coords: dict = {
        "segment": np.arange(len(rows)),
        "time": ds["time"],
        "x0": ("segment", ends_arr[:, 0]),
        "y0": ("segment", ends_arr[:, 1]),
        "x1": ("segment", ends_arr[:, 2]),
        "y1": ("segment", ends_arr[:, 3]),
        "pixels": ("segment", np.asarray(counts)),
    }
    dims = ["segment", "time"]
    if "channel" in image.dims:
        dims.append("channel")
        if "channel" in image.coords:
            coords["channel"] = image["channel"]
    label = metric if percentile is None else f"{percentile:g}th percentile"
    attrs = {
        "long_name": f"path keogram ({label}, {width:g} px wide)",
        "units": image.attrs.get("units", ""),
        "axis": axis,
        "metric": metric,
        "width": width,
        "site": ds.attrs.get("site", ""),
        "instrument": ds.attrs.get("instrument", ""),
    }
    if skymap is not None:
        check_skymap(ds, skymap)
        label = "mag" if axis == "mag" else "geo"
        lat, lon, altitude = _positions(ds, skymap, label, altitude_km, date)
        mx = (ends_arr[:, 0] + ends_arr[:, 2]) // 2
        my = (ends_arr[:, 1] + ends_arr[:, 3]) // 2
        prefix = "m" if label == "mag" else ""
        coords[prefix + "lat"] = ("segment", lat[my, mx], {"units": "degrees"})
        coords[prefix + "lon"] = ("segment", lon[my, mx], {"units": "degrees"})
        attrs["altitude_km"] = altitude
    return xr.DataArray(values, dims=dims, coords=coords, name="keogram", attrs=attrs)


def meridian_keogram(
    ds: xr.Dataset,
    skymap: xr.Dataset,
    longitude: float,
    axis: str = "geo",
    altitude_km: float | None = None,
    min_elevation: float | None = None,
    date: Any = None,
) -> xr.DataArray:
    """Build a keogram along a geographic (or magnetic) meridian rather than a CCD column.

    In every image row the pixel whose centre longitude is nearest to ``longitude`` is taken,
    provided it lies within half a pixel's longitude span of the meridian and above
    ``min_elevation``; rows are labelled with that pixel's centre latitude and sorted by it.

    Args:
        ds: An ``asi`` Dataset.
        skymap: The site's skymap.
        longitude: Geographic longitude (``axis="geo"``) or AACGM-v2 magnetic longitude
            (``axis="mag"``), degrees east.
        axis: ``"geo"`` or ``"mag"``.
        altitude_km: Mapping altitude, km (default from config).
        min_elevation: Elevation cutoff, degrees (default from config).
        date: Date of the AACGM-v2 coordinates for ``axis="mag"`` (default: the first frame).

    Returns:
        DataArray ``(lat|mlat, time)`` (``channel`` last for RGB) with the pixel indices ``x``,
        ``y``, and ``lon``/``mlon`` and ``elevation`` of each row as coordinates.

    Raises:
        InvalidArgumentError: If ``axis`` is not geo/mag.
        OutOfRangeError: If the meridian does not cross the field of view.
    """
    from .._checks import require

    require(ds, "asi", ["image"], where="meridian_keogram")
    if axis not in ("geo", "mag"):
        raise InvalidArgumentError(f"a meridian keogram needs axis='geo' or 'mag', not {axis!r}")
    if not np.isfinite(longitude):
        raise InvalidArgumentError(f"longitude must be a finite number, not {longitude!r}")
    check_skymap(ds, skymap)
    lat, lon, altitude = _positions(ds, skymap, axis, altitude_km, date)
    cutoff = float(config.resolve(min_elevation, "asi.min_elevation"))
    elevation = skymap["elevation"].values.astype(np.float64)
    valid = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(elevation) & (elevation >= cutoff)
    offset = np.abs((lon - longitude + 180.0) % 360.0 - 180.0)
    offset = np.where(valid, offset, np.inf)
    # Half the local longitude span of a pixel: the meridian passes through the chosen pixel.
    step = np.abs((np.diff(lon, axis=1) + 180.0) % 360.0 - 180.0)
    span = np.full(lon.shape, np.nan)
    span[:, :-1] = step
    span[:, 1:] = np.fmax(span[:, 1:], step)
    best = np.argmin(offset, axis=1)
    ys = np.arange(lat.shape[0])
    near = offset[ys, best] <= 0.5 * np.nan_to_num(span[ys, best], nan=0.0) + 1e-9
    ys, xs = ys[near], best[near]
    if len(ys) == 0:
        raise OutOfRangeError(
            f"longitude {longitude:g} does not cross this imager's field of view above "
            f"{cutoff:g} degrees elevation"
        )
    order = np.argsort(lat[ys, xs])
    ys, xs = ys[order], xs[order]
    image = ds["image"].transpose("time", "y", "x", ...)
    values = np.moveaxis(image.values[:, ys, xs], 0, 1)  # (row, time[, channel])
    name = "mlat" if axis == "mag" else "lat"
    lon_name = "mlon" if axis == "mag" else "lon"
    dims = [name, "time"] + (["channel"] if "channel" in image.dims else [])
    coords: dict = {
        name: (name, lat[ys, xs], {"units": "degrees", "long_name": "pixel-centre latitude"}),
        lon_name: (name, lon[ys, xs], {"units": "degrees"}),
        "x": (name, xs),
        "y": (name, ys),
        "elevation": (name, elevation[ys, xs], {"units": "degrees"}),
        "time": ds["time"],
    }
    if "channel" in image.coords:
        coords["channel"] = image["channel"]
    return xr.DataArray(
        values,
        dims=dims,
        coords=coords,
        name="keogram",
        attrs={
            "long_name": f"{'magnetic' if axis == 'mag' else 'geographic'} meridian keogram "
            f"({longitude:g} E, {altitude:g} km)",
            "units": image.attrs.get("units", ""),
            "axis": axis,
            "longitude": float(longitude),
            "altitude_km": altitude,
            "min_elevation": cutoff,
            "site": ds.attrs.get("site", ""),
            "instrument": ds.attrs.get("instrument", ""),
        },
    )
