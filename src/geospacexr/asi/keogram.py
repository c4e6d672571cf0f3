"""Keograms: one image column (north-south) stacked over time.

Rows are CCD rows, geographic latitudes or magnetic latitudes.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from .skymaps import check_skymap, magnetic, pixel_centres

__all__ = ["default_column", "keogram"]

_AXES = ("ccd", "geo", "mag")


def default_column(width: int) -> int:
    """Return PyAuroraX's default keogram column for an image ``width`` pixels wide.

    PyAuroraX takes ``floor(width / 2 - 1)``: column 127 of a 256-pixel THEMIS image.

    Args:
        width: Image width in pixels.

    Returns:
        The column index.
    """
    return int(width // 2 - 1)


def keogram(
    ds: xr.Dataset,
    skymap: xr.Dataset | None = None,
    axis: str = "ccd",
    altitude_km: float | None = None,
    column: int | None = None,
    min_elevation: float | None = None,
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

    Args:
        ds: An ``asi`` Dataset from :func:`geospacexr.open_asi`.
        skymap: The site's skymap (:func:`geospacexr.open_skymap`), needed for geo/mag.
        axis: ``"ccd"``, ``"geo"`` or ``"mag"``.
        altitude_km: Mapping altitude, km (default from config ``asi.altitude_km``: 110).
        column: Image column (default: PyAuroraX's, :func:`default_column`).
        min_elevation: Elevation cutoff, degrees (default from config ``asi.min_elevation``: 5).

    Returns:
        DataArray ``(y|lat|mlat, time)`` (``channel`` last for RGB) with the image's units; for
        geo/mag the row index ``y`` and ``elevation`` are kept as coordinates.

    Raises:
        WrongKindError: If ``ds`` is not an ``asi`` Dataset (or ``skymap`` not a skymap).
        MissingVariableError: If ``ds`` has no ``image``.
        IncompatibleInputError: If the skymap is for another site, size or period.
        ValueError: If ``axis`` is unknown, geo/mag lack a skymap, or ``column`` is outside the
            image.
    """
    require(ds, "asi", ["image"], where="keogram")
    if axis not in _AXES:
        raise ValueError(f"axis must be one of {', '.join(_AXES)}, not {axis!r}")
    image = ds["image"]
    width = image.sizes["x"]
    col = default_column(width) if column is None else int(column)
    if not 0 <= col < width:
        raise ValueError(
            f"column must be within 0..{width - 1} for this {width}-pixel-wide image, not {col}"
        )
    keo = image.isel(x=col).drop_vars("x", errors="ignore")
    keo = keo.transpose("y", "time", *(["channel"] if "channel" in keo.dims else []))
    keo = keo.assign_coords(y=("y", np.arange(image.sizes["y"])))
    attrs = {
        "units": image.attrs.get("units", ""),
        "axis": axis,
        "column": col,
        "site": ds.attrs.get("site", ""),
        "instrument": ds.attrs.get("instrument", ""),
    }
    if axis == "ccd":
        keo.name = "keogram"
        keo.attrs = {"long_name": f"CCD keogram (column {col})", **attrs}
        return keo
    if skymap is None:
        raise ValueError(f"axis={axis!r} needs the site's skymap: keogram(skymap, axis={axis!r})")
    check_skymap(ds, skymap)
    cutoff = float(config.resolve(min_elevation, "asi.min_elevation"))
    centres = pixel_centres(skymap, altitude_km)
    altitude = float(centres["altitude"])
    if axis == "geo":
        position = centres["lat"].values[:, col]
        name, long_name = "lat", "geographic latitude"
    else:
        position = magnetic(skymap, ds["time"].values[0], altitude)["mlat"].values[:, col]
        name, long_name = "mlat", "AACGM-v2 magnetic latitude"
    elevation = skymap["elevation"].values[:, col].astype(np.float64)
    keep = np.isfinite(position) & np.isfinite(elevation) & (elevation >= cutoff)
    if not keep.any():
        raise ValueError(f"no pixel of column {col} is above {cutoff:g} degrees elevation")
    rows = np.flatnonzero(keep)
    rows = rows[np.argsort(position[rows])]
    keo = keo.isel(y=rows)
    keo = keo.assign_coords(
        {
            name: (
                "y",
                position[rows],
                {"units": "degrees", "long_name": f"pixel-centre {long_name} at {altitude:g} km"},
            ),
            "elevation": ("y", elevation[rows], {"units": "degrees"}),
        }
    ).swap_dims(y=name)
    keo.name = "keogram"
    keo.attrs = {
        "long_name": f"{'geographic' if axis == 'geo' else 'magnetic'} keogram "
        f"(column {col}, {altitude:g} km)",
        "altitude_km": altitude,
        "min_elevation": cutoff,
        **attrs,
    }
    return keo
