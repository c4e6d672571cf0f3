"""Quiet-day curves and absorption over a long record: one QDC per window of days.

A QDC describes the sky of a few weeks: the receiver's gain drifts and the sky itself shifts
by about 4 minutes of UT a day, so a month of data is cut into consecutive windows of ``days``
UT days, each with its own QDC (:func:`geospacexr.rio.quiet_day_curve` on that window), and
every sample's absorption is taken from the QDC of its window. The last window, when shorter
than ``days``, takes its QDC from the ``days`` days ending on its last day (overlapping the
window before), so every QDC is made from the same number of days. This is what
``geospacexr rio absorption`` computes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from ..errors import InvalidArgumentError
from .qdc import absorption, quiet_day_curve

__all__ = ["absorption_by_window"]


def absorption_by_window(
    ds: xr.Dataset,
    days: int | None = None,
    progress: bool | None = False,
    **qdc_options: Any,
) -> xr.Dataset:
    """Absorption of a long record, one quiet-day curve per window of ``days`` UT days.

    Args:
        ds: A ``riometer`` Dataset (:func:`geospacexr.open_riometer`), any length.
        days: Window length in UT days (default ``rio.qdc_days``).
        progress: Show a progress bar over the windows (``None``: in a terminal or a notebook).
        **qdc_options: Passed to :func:`~geospacexr.rio.quiet_day_curve` (``bins``, ``rank``,
            ``harmonics``, ``min_samples``).

    Returns:
        ``ds``'s signal variables (a K2 ``absorption`` renamed ``absorption_k2``), plus
        ``absorption`` ``(time[, frequency])`` in dB, ``qdc`` ``(window, sidereal_time[,
        frequency])`` in dB, ``qdc_window`` ``(time)`` (the window of each sample) and
        coordinates ``window_start``, ``window_end`` (the days of each window's samples),
        ``qdc_start``, ``qdc_end`` (the days its QDC was made from) and ``days_with_data``.
        The QDC parameters are in the attrs with a ``qdc_`` prefix.

    Raises:
        WrongKindError: If ``ds`` is not a riometer Dataset.
        InvalidArgumentError: If ``days`` is below 1, an option is unknown or out of range,
            or the site longitude is unknown.
    """
    from .._progress import progress as progress_bar

    require(ds, "riometer", where="geospacexr.rio.absorption_by_window")
    n = config.resolve(days, "rio.qdc_days")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InvalidArgumentError(f"must be a whole number of days >= 1, not {n!r}", "days")
    n = int(n)
    unknown = set(qdc_options) - {"bins", "rank", "harmonics", "min_samples"}
    if unknown:
        raise InvalidArgumentError(
            f"unknown quiet-day curve option(s): {', '.join(sorted(unknown))}", "qdc_options"
        )
    times = ds["time"].values
    if times.size == 0:
        raise InvalidArgumentError("the Dataset holds no sample", "ds")
    day_of = times.astype("datetime64[D]")
    first, last = day_of.min(), day_of.max()
    starts = np.arange(first, last + 1, n)
    qdcs, pieces, window_of = [], [], np.full(times.size, -1, dtype=np.int32)
    meta: dict[str, list[Any]] = {k: [] for k in ("start", "end", "qdc_start", "qdc_end", "with")}
    bar = progress_bar(starts, desc="quiet-day curves", unit="window", show=progress)
    for start in bar:
        end = min(start + n - 1, last)
        inside = (day_of >= start) & (day_of <= end)
        if not inside.any():
            continue  # a gap of a whole window: nothing to compute, no QDC
        qdc = quiet_day_curve(ds, days=n, end=end, **qdc_options)
        k = len(qdcs)
        block = ds.isel(time=np.flatnonzero(inside))
        pieces.append(absorption(block, qdc))
        window_of[inside] = k
        qdcs.append(qdc)
        meta["start"].append(start)
        meta["end"].append(end)
        meta["qdc_start"].append(np.datetime64(qdc.attrs["window_start"], "D"))
        meta["qdc_end"].append(np.datetime64(qdc.attrs["window_end"], "D"))
        meta["with"].append(int(qdc.attrs["days_with_data"]))
    result = xr.concat(pieces, dim="time")
    qdc_all = xr.concat(qdcs, dim="window", coords="minimal", compat="override")
    qdc_all = qdc_all.drop_attrs() if hasattr(qdc_all, "drop_attrs") else qdc_all
    out = ds.rename({"absorption": "absorption_k2"}) if "absorption" in ds else ds.copy()
    if "absorption_k2" in out:
        out["absorption_k2"].attrs["long_name"] = "cosmic noise absorption (K2 files' own)"
    out["absorption"] = result.assign_attrs(
        {k: v for k, v in result.attrs.items() if not k.startswith("qdc_window")}
    )
    out["qdc"] = qdc_all.assign_attrs(
        long_name="riometer quiet-day curve of each window", units="dB"
    )
    out["qdc_window"] = (
        ("time",),
        window_of,
        {"long_name": "index of the window (and QDC) of each sample"},
    )
    window_coords = {
        "window_start": ("window", np.array(meta["start"], dtype="datetime64[ns]")),
        "window_end": ("window", np.array(meta["end"], dtype="datetime64[ns]")),
        "qdc_start": ("window", np.array(meta["qdc_start"], dtype="datetime64[ns]")),
        "qdc_end": ("window", np.array(meta["qdc_end"], dtype="datetime64[ns]")),
        "days_with_data": ("window", np.array(meta["with"], dtype=np.int32)),
    }
    out = out.assign_coords(window_coords)
    first_qdc = qdcs[0].attrs
    for key in ("bins", "rank", "harmonics", "min_samples", "method"):
        out.attrs[f"qdc_{key}"] = first_qdc[key]
    out.attrs["qdc_days"] = n
    return out
