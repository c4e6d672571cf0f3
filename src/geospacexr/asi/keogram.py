"""Keograms: one image column (north-south) or row (east-west) stacked over time."""

from __future__ import annotations

import xarray as xr

from .._checks import require

__all__ = ["default_column", "keogram"]

_AXES = ("ccd",)


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
    column: int | None = None,
) -> xr.DataArray:
    """Build a keogram: one image column per frame, stacked along time.

    With ``axis="ccd"`` the rows are CCD rows (``y``) in the Dataset's orientation (that of
    pyucalgarysrs), so the result equals PyAuroraX's CCD keogram pixel for pixel.

    Args:
        ds: An ``asi`` Dataset from :func:`geospacexr.open_asi`.
        skymap: Skymap for geographic or magnetic keograms (only ``axis="ccd"`` is available in
            this version, which needs no skymap).
        axis: ``"ccd"``.
        column: Image column to take (default: PyAuroraX's, :func:`default_column`).

    Returns:
        DataArray ``(y, time)`` (``(y, time, channel)`` for RGB images) with the image's units.

    Raises:
        WrongKindError: If ``ds`` is not an ``asi`` Dataset.
        MissingVariableError: If ``ds`` has no ``image``.
        ValueError: If ``axis`` is not supported, a skymap is given, or ``column`` is outside
            the image.
    """
    require(ds, "asi", ["image"], where="keogram")
    if axis not in _AXES or skymap is not None:
        raise ValueError(
            f"axis={axis!r}{' with a skymap' if skymap is not None else ''} is not available in "
            f"this version: supported axes are {', '.join(_AXES)} (without a skymap)"
        )
    image = ds["image"]
    width = image.sizes["x"]
    col = default_column(width) if column is None else int(column)
    if not 0 <= col < width:
        raise ValueError(
            f"column must be within 0..{width - 1} for this {width}-pixel-wide image, not {col}"
        )
    keo = image.isel(x=col).drop_vars("x", errors="ignore")
    order = ["y", "time"] + (["channel"] if "channel" in keo.dims else [])
    keo = keo.transpose(*order)
    keo = keo.assign_coords(y=("y", range(image.sizes["y"])))
    keo.name = "keogram"
    keo.attrs = {
        "long_name": f"CCD keogram (column {col})",
        "units": image.attrs.get("units", ""),
        "axis": axis,
        "column": col,
        "site": ds.attrs.get("site", ""),
        "instrument": ds.attrs.get("instrument", ""),
    }
    return keo
