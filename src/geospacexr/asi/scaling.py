"""Intensity scaling of images for display, movies and explorers."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .._checks import require
from ..errors import InvalidArgumentError

__all__ = ["SCALE_METHODS", "scale"]

#: ``fixed``: the given bounds; ``percentile``: bounds from percentiles of all frames;
#: ``auto``: bounds from percentiles of each frame.
SCALE_METHODS = ("fixed", "percentile", "auto")


def scale(
    ds: xr.Dataset,
    method: str = "percentile",
    low: float | None = None,
    high: float | None = None,
    percentiles: tuple[float, float] = (1.0, 99.5),
) -> xr.Dataset:
    """Scale the images linearly to [0, 1] (values outside the bounds are clipped).

    Args:
        ds: An ``asi`` or ``asi_grid`` Dataset.
        method: ``"fixed"`` (``low``/``high`` given), ``"percentile"`` (one pair of bounds from
            the percentiles of all frames) or ``"auto"`` (the percentiles of each frame).
        low: Lower bound for ``"fixed"``.
        high: Upper bound for ``"fixed"``.
        percentiles: Percentiles for ``"percentile"`` and ``"auto"``.

    Returns:
        A copy of ``ds`` whose ``image`` is float32 in [0, 1] (NaN stays NaN); the bounds used
        are in ``image.attrs`` (``scale_low``, ``scale_high``, one value or one per frame).

    Raises:
        InvalidArgumentError: On an unknown method, missing bounds for ``"fixed"``, or
            ``high <= low``.
    """
    require(ds, ("asi", "asi_grid"), ["image"], where="scale")
    if method not in SCALE_METHODS:
        raise InvalidArgumentError(
            f"method must be one of {', '.join(SCALE_METHODS)}, not {method!r}"
        )
    values = ds["image"].values.astype(np.float64)
    if method == "fixed":
        if low is None or high is None:
            raise InvalidArgumentError("method='fixed' needs low= and high=")
        lo, hi = np.float64(low), np.float64(high)
    elif method == "percentile":
        lo, hi = np.nanpercentile(values, percentiles)
    else:
        axes = tuple(range(1, values.ndim))
        lo = np.nanpercentile(values, percentiles[0], axis=axes)
        hi = np.nanpercentile(values, percentiles[1], axis=axes)
    lo_arr, hi_arr = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    if np.any(hi_arr <= lo_arr):
        raise InvalidArgumentError(
            f"the upper bound must exceed the lower one (low={lo_arr}, high={hi_arr})"
        )
    shape = (-1,) + (1,) * (values.ndim - 1) if lo_arr.ndim else ()
    scaled = np.clip((values - lo_arr.reshape(shape)) / (hi_arr - lo_arr).reshape(shape), 0.0, 1.0)
    out = ds.copy()
    attrs = {
        **ds["image"].attrs,
        "units": "1",
        "scale_method": method,
        "scale_low": lo_arr,
        "scale_high": hi_arr,
    }
    out["image"] = (ds["image"].dims, scaled.astype(np.float32), attrs)
    return out
