"""Keograms and ewograms: one image column (north-south) or row (east-west) stacked over time.

Rows are labelled with CCD pixel indices, geographic positions or magnetic positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from ..errors import InvalidArgumentError
from ..geomagnetic import aacgm
from .custom import meridian_keogram, path_keogram
from .skymaps import check_skymap, pixel_centres

__all__ = ["default_column", "ewogram", "inject_nans", "keogram"]

_AXES = ("ccd", "geo", "mag")


def default_column(width: int) -> int:
    """Return PyAuroraX's default keogram column (or ewogram row) for a ``width``-pixel image.

    PyAuroraX takes ``floor(width / 2 - 1)``: column 127 of a 256-pixel THEMIS image.

    Args:
        width: Image width (or height) in pixels.

    Returns:
        The column (row) index.
    """
    return int(width // 2 - 1)


def inject_nans(gram: xr.DataArray, cadence_s: float) -> xr.DataArray:
    """Put a NaN column at every expected time that has no frame (PyAuroraX's ``inject_nans``).

    Args:
        gram: A keogram or ewogram with a ``time`` dim.
        cadence_s: Expected frame interval, seconds.

    Returns:
        The gram on a regular time grid from its first time at ``cadence_s``; each frame sits at
        the nearest grid time (within half a cadence), other grid times are NaN.

    Raises:
        InvalidArgumentError: If the cadence is not positive.
    """
    if not cadence_s or cadence_s <= 0:
        raise InvalidArgumentError(
            f"cadence must be a positive number of seconds, not {cadence_s!r}"
        )
    times = gram["time"].values
    step = np.timedelta64(round(cadence_s * 1e9), "ns")
    count = int((times[-1] - times[0]) / step) + 1
    grid = times[0] + step * np.arange(count)
    index = np.rint((times - times[0]) / step).astype(int)
    keep = np.abs(times - grid[np.clip(index, 0, count - 1)]) <= step / 2
    values = np.full(
        (*gram.shape[: gram.dims.index("time")], count, *gram.shape[gram.dims.index("time") + 1 :]),
        np.nan,
    )
    axis = gram.dims.index("time")
    taken = np.take(gram.values.astype(np.float64), np.flatnonzero(keep), axis=axis)
    slots = [slice(None)] * gram.ndim
    slots[axis] = index[keep]
    values[tuple(slots)] = taken
    coords = {k: v for k, v in gram.coords.items() if "time" not in v.dims}
    out = xr.DataArray(
        values,
        dims=gram.dims,
        coords={**coords, "time": grid},
        name=gram.name,
        attrs={**gram.attrs, "cadence_s": float(cadence_s)},
    )
    return out


def _gram(
    ds: xr.Dataset,
    skymap: xr.Dataset | None,
    axis: str,
    altitude_km: float | None,
    index: int | None,
    min_elevation: float | None,
    direction: str,
    cadence: float | None,
    date: Any = None,
) -> xr.DataArray:
    where = "keogram" if direction == "ns" else "ewogram"
    require(ds, "asi", ["image"], where=where)
    if axis not in _AXES:
        raise InvalidArgumentError(f"axis must be one of {', '.join(_AXES)}, not {axis!r}")
    image = ds["image"]
    across, along = ("x", "y") if direction == "ns" else ("y", "x")
    size = image.sizes[across]
    k = default_column(size) if index is None else int(index)
    if not 0 <= k < size:
        name = "column" if direction == "ns" else "row"
        raise InvalidArgumentError(f"{name} must be within 0..{size - 1} for this image, not {k}")
    gram = image.isel({across: k}).drop_vars(across, errors="ignore")
    gram = gram.transpose(along, "time", *(["channel"] if "channel" in gram.dims else []))
    gram = gram.assign_coords({along: (along, np.arange(image.sizes[along]))})
    kind = "keogram" if direction == "ns" else "ewogram"
    attrs = {
        "units": image.attrs.get("units", ""),
        "axis": axis,
        "column" if direction == "ns" else "row": k,
        "site": ds.attrs.get("site", ""),
        "instrument": ds.attrs.get("instrument", ""),
    }
    if axis == "ccd":
        gram.name = kind
        gram.attrs = {
            "long_name": f"CCD {kind} ({'column' if direction == 'ns' else 'row'} {k})",
            **attrs,
        }
        return inject_nans(gram, cadence) if cadence else gram
    if skymap is None:
        raise InvalidArgumentError(
            f"axis={axis!r} needs the site's skymap: {kind}(skymap, axis={axis!r})"
        )
    check_skymap(ds, skymap)
    cutoff = float(config.resolve(min_elevation, "asi.min_elevation"))
    # only the line's pixel corners: one column (row) of pixels, not the whole skymap
    corner = "x_corner" if direction == "ns" else "y_corner"
    centres = pixel_centres(skymap.isel({corner: slice(k, k + 2)}), altitude_km)
    altitude = float(centres["altitude"])
    lat_line, lon_line = (centres[c].values.ravel() for c in ("lat", "lon"))
    pick = (slice(None), k) if direction == "ns" else (k, slice(None))
    coordinate = "lat" if direction == "ns" else "lon"
    if axis == "geo":
        position = lat_line if direction == "ns" else lon_line
        name, long_name = (
            coordinate,
            "geographic " + ("latitude" if direction == "ns" else "longitude"),
        )
    else:
        when = ds["time"].values[0] if date is None else date
        mlat_line, mlon_line = aacgm(lat_line, lon_line, altitude, when)
        position = mlat_line if direction == "ns" else mlon_line
        name, long_name = (
            "m" + coordinate,
            "AACGM-v2 magnetic " + ("latitude" if direction == "ns" else "longitude"),
        )
    elevation = skymap["elevation"].values[pick].astype(np.float64)
    keep = np.isfinite(position) & np.isfinite(elevation) & (elevation >= cutoff)
    if not keep.any():
        raise InvalidArgumentError(
            f"no pixel of {kind} line {k} is above {cutoff:g} degrees elevation"
        )
    rows = np.flatnonzero(keep)
    rows = rows[np.argsort(position[rows])]
    gram = gram.isel({along: rows})
    gram = gram.assign_coords(
        {
            name: (
                along,
                position[rows],
                {"units": "degrees", "long_name": f"pixel-centre {long_name} at {altitude:g} km"},
            ),
            "elevation": (along, elevation[rows], {"units": "degrees"}),
        }
    ).swap_dims({along: name})
    gram.name = kind
    gram.attrs = {
        "long_name": f"{'geographic' if axis == 'geo' else 'magnetic'} {kind} "
        f"(line {k}, {altitude:g} km)",
        "altitude_km": altitude,
        "min_elevation": cutoff,
        **attrs,
    }
    return inject_nans(gram, cadence) if cadence else gram


def keogram(
    ds: xr.Dataset,
    skymap: xr.Dataset | None = None,
    axis: str = "ccd",
    altitude_km: float | None = None,
    column: int | None = None,
    min_elevation: float | None = None,
    cadence: float | None = None,
    longitude: float | None = None,
    path: Sequence[Sequence[float]] | np.ndarray | None = None,
    width: float | None = None,
    metric: str = "mean",
    percentile: float | None = None,
    date: Any = None,
) -> xr.DataArray:
    """Build a keogram: one image column per frame, stacked along time.

    * ``axis="ccd"``: rows are CCD rows ``y`` in the Dataset's (pyucalgarysrs) orientation, so
      the result equals PyAuroraX's CCD keogram pixel for pixel.
    * ``axis="geo"`` / ``"mag"``: each row is labelled with its pixel-centre geographic latitude
      (``lat``), or AACGM-v2 magnetic latitude (``mlat``, computed at the mapping altitude and
      dated to the first frame), at the mapping altitude; rows below ``min_elevation`` or without
      a position are dropped and the rows are sorted by latitude. PyAuroraX labels a row with one
      of the pixel's corners instead of its centre (half a pixel, up to ~0.1 degree near the
      zenith) and converts to magnetic coordinates at height 0 (up to ~0.4 degree).
    * ``longitude=``: follow that geographic (``axis="geo"``) or magnetic (``"mag"``) meridian
      instead of a CCD column (:func:`geospacexr.asi.custom.meridian_keogram`).
    * ``path=``: a custom keogram along a path of points in the ``axis`` coordinate system,
      ``width`` pixels wide, one row per segment holding the ``metric`` of its pixels
      (PyAuroraX's ``create_custom``; :func:`geospacexr.asi.custom.path_keogram`).

    Args:
        ds: An ``asi`` Dataset from :func:`geospacexr.open_asi`.
        skymap: The site's skymap (:func:`geospacexr.open_skymap`), needed for geo/mag.
        axis: ``"ccd"``, ``"geo"`` or ``"mag"``.
        altitude_km: Mapping altitude, km (default from config ``asi.altitude_km``: 110).
        column: Image column (default: PyAuroraX's, :func:`default_column`).
        min_elevation: Elevation cutoff, degrees (default from config ``asi.min_elevation``: 5).
        cadence: If given (seconds), missing frames become NaN columns (:func:`inject_nans`).
        longitude: A meridian (degrees east; magnetic for ``axis="mag"``) to follow instead of
            a column.
        path: Points ``(x, y)`` / ``(lat, lon)`` / ``(mlat, mlon)`` of a custom keogram.
        width: Strip width of a path keogram, pixels (default from config
            ``asi.keogram_width``: 5).
        metric: Path keogram metric: ``"mean"``, ``"median"``, ``"sum"`` or ``"percentile"``.
        percentile: The percentile (0-100) for ``metric="percentile"``.
        date: Date of the AACGM-v2 coordinates for ``axis="mag"`` (default: the first frame;
            a night keogram dates every file to the night's first frame).

    Returns:
        DataArray ``(y|lat|mlat, time)`` (``channel`` last for RGB) with the image's units; for
        geo/mag the row index ``y`` and ``elevation`` are kept as coordinates. Path keograms
        are ``(segment, time)``.

    Raises:
        WrongKindError: If ``ds`` is not an ``asi`` Dataset (or ``skymap`` not a skymap).
        MissingVariableError: If ``ds`` has no ``image``.
        IncompatibleInputError: If the skymap is for another site, size or period.
        InvalidArgumentError: If ``axis`` is unknown, geo/mag lack a skymap, or ``column`` is
            outside the image, or ``column``, ``longitude`` and ``path`` are combined.
    """
    chosen = [
        n
        for n, v in (("column", column), ("longitude", longitude), ("path", path))
        if v is not None
    ]
    if len(chosen) > 1:
        raise InvalidArgumentError(
            f"give one of column, longitude or path, not {' and '.join(chosen)}"
        )
    if path is not None:
        gram = path_keogram(
            ds, path, skymap, axis, width, metric, percentile, altitude_km, min_elevation, date
        )
    elif longitude is not None:
        if skymap is None:
            raise InvalidArgumentError("a meridian keogram (longitude=...) needs the site's skymap")
        gram = meridian_keogram(ds, skymap, longitude, axis, altitude_km, min_elevation, date)
    else:
        return _gram(ds, skymap, axis, altitude_km, column, min_elevation, "ns", cadence, date)
    return inject_nans(gram, cadence) if cadence else gram


def ewogram(
    ds: xr.Dataset,
    skymap: xr.Dataset | None = None,
    axis: str = "ccd",
    altitude_km: float | None = None,
    row: int | None = None,
    min_elevation: float | None = None,
    cadence: float | None = None,
    date: Any = None,
) -> xr.DataArray:
    """Build an ewogram: one image row (east-west) per frame, stacked along time.

    The counterpart of :func:`keogram` across the image: labels are CCD columns ``x``,
    geographic longitudes ``lon`` or magnetic longitudes ``mlon`` of the pixel centres.

    Args:
        ds: An ``asi`` Dataset.
        skymap: The site's skymap, needed for geo/mag.
        axis: ``"ccd"``, ``"geo"`` or ``"mag"``.
        altitude_km: Mapping altitude, km (default 110).
        row: Image row (default ``floor(height / 2 - 1)``).
        min_elevation: Elevation cutoff, degrees (default 5).
        cadence: If given (seconds), missing frames become NaN columns.
        date: Date of the AACGM-v2 coordinates for ``axis="mag"`` (default: the first frame).

    Returns:
        DataArray ``(x|lon|mlon, time)``.
    """
    return _gram(ds, skymap, axis, altitude_km, row, min_elevation, "ew", cadence, date)
