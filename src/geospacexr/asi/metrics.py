"""Statistics of a box of pixels in every frame (PyAuroraX's bounding-box metrics)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .._checks import require

__all__ = ["METRICS", "box_metric"]

#: Supported metrics.
METRICS = ("mean", "median", "sum", "percentile")


def box_metric(
    ds: xr.Dataset,
    ccd: tuple[int, int, int, int],
    metric: str = "mean",
    percentile: float | None = None,
) -> xr.DataArray:
    """A statistic of the pixels inside a CCD box, for every frame at once.

    The box follows PyAuroraX's ``ccd_bounds`` convention: ``(x0, x1, y0, y1)``, columns first,
    both ends included, in the images' (pyucalgarysrs) orientation.

    Args:
        ds: An ``asi`` Dataset.
        ccd: ``(x0, x1, y0, y1)`` pixel bounds.
        metric: ``"mean"``, ``"median"``, ``"sum"`` or ``"percentile"``.
        percentile: The percentile (0-100) for ``metric="percentile"``.

    Returns:
        DataArray ``(time,)`` (``(time, channel)`` for RGB images), in the image's units.

    Raises:
        ValueError: If the metric is unknown, the percentile missing, or the box is empty or
            outside the image.
    """
    require(ds, "asi", ["image"], where="box_metric")
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    if metric == "percentile" and (percentile is None or not 0 <= percentile <= 100):
        raise ValueError(
            f"metric='percentile' needs percentile between 0 and 100, not {percentile!r}"
        )
    try:
        x0, x1, y0, y1 = (int(v) for v in ccd)
    except (TypeError, ValueError):
        raise ValueError(f"ccd must be (x0, x1, y0, y1), not {ccd!r}") from None
    width, height = ds.sizes["x"], ds.sizes["y"]
    if x1 < x0 or y1 < y0:
        raise ValueError(f"empty box {ccd}: x1 must be >= x0 and y1 >= y0")
    if x0 < 0 or y0 < 0 or x1 >= width or y1 >= height:
        raise ValueError(f"box {ccd} lies outside the {width}x{height} image")
    box = ds["image"].isel(x=slice(x0, x1 + 1), y=slice(y0, y1 + 1))
    values = box.values.astype(np.float64)
    axes = (1, 2)
    if metric == "mean":
        out = values.mean(axis=axes)
    elif metric == "median":
        out = np.median(values, axis=axes)
    elif metric == "sum":
        out = values.sum(axis=axes)
    else:
        out = np.percentile(values, percentile, axis=axes)
    dims = ("time", "channel") if "channel" in box.dims else ("time",)
    coords = {d: ds[d] for d in dims if d in ds.coords}
    return xr.DataArray(
        out,
        dims=dims,
        coords=coords,
        name="box_metric",
        attrs={
            "long_name": f"{metric if percentile is None else f'{percentile:g}th percentile'} "
            f"of box x {x0}-{x1}, y {y0}-{y1}",
            "units": ds["image"].attrs.get("units", ""),
            "ccd_bounds": np.array([x0, x1, y0, y1]),
            "metric": metric,
        },
    )
