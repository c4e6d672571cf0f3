"""Statistics of a box of pixels in every frame (PyAuroraX's bounding-box metrics).

A box is given in one of five ways, with PyAuroraX's argument conventions:

* ``ccd=(x0, x1, y0, y1)``: pixel bounds, columns first, in the images' (pyucalgarysrs)
  orientation, with the upper bounds excluded as in a Python slice: the box is
  ``image[y0:y1, x0:x1]``. This is what PyAuroraX computes (its docstring says "inclusive" but
  its code slices ``images[y_0:y_1, x_0:x_1]``), so the numbers agree; reversed bounds are
  swapped, as PyAuroraX does;
* ``azimuth=(az0, az1)``: pixels whose centre azimuth lies between the bounds (degrees east of
  north; ``az0 > az1`` wraps through north);
* ``elevation=(el0, el1)``: pixels whose centre elevation lies between the bounds;
* ``geo=(lon0, lon1, lat0, lat1)``: pixels whose centre, mapped to ``altitude_km``, lies inside;
* ``mag=(mlon0, mlon1, mlat0, mlat1)``: the same in AACGM-v2 coordinates at that altitude.

Pixel positions come from the skymap (:mod:`geospacexr.asi.skymaps`); the statistic is computed
for all frames at once.

**Metrics are a registry.** ``mean``, ``median``, ``sum`` and ``percentile`` are built in; a new
one is one function and one decorator line::

    @register_metric("max", description="brightest pixel of the box")
    def _max(values, percentile):
        return values.max(axis=1).astype(np.float64)

The contract: ``reduce(values, percentile) -> ndarray``, where ``values`` holds the box's pixels
of every frame, ``(time, pixels[, channel])`` in the images' own dtype, and the result is
``(time[, channel])`` float64. :func:`list_metrics` lists them; an unknown name raises
:class:`UnknownMetricError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from .._checks import require
from .._registry import Registry
from ..errors import InvalidArgumentError, OutOfRangeError, UnknownNameError
from .skymaps import check_skymap, magnetic, pixel_centres

__all__ = [
    "METRICS",
    "Metric",
    "UnknownMetricError",
    "box_mask",
    "box_metric",
    "get_metric",
    "list_metrics",
    "register_metric",
]

Reducer = Callable[[np.ndarray, "float | None"], np.ndarray]


class UnknownMetricError(UnknownNameError, InvalidArgumentError):
    """A box metric that is not registered (a ``KeyError`` and, as before, a ``ValueError``)."""


@dataclass(frozen=True)
class Metric:
    """A registered box metric.

    Attributes:
        name: Its name (``metric=`` of :func:`box_metric`).
        reduce: ``reduce(values, percentile) -> ndarray``: ``(time, pixels[, channel])`` pixels
            in the images' dtype to ``(time[, channel])`` float64.
        description: One line for listings.
        needs_percentile: Whether ``percentile=`` (0-100) is required.
        kernel: The compiled one-pass kernel's name for this metric
            (:data:`geospacexr.asi._kernels.METRIC_CODES`), used on uint8 / uint16 images
            instead of ``reduce``; ``None`` for metrics that only have ``reduce``.
    """

    name: str
    reduce: Reducer
    description: str = ""
    needs_percentile: bool = False
    kernel: str | None = None


_METRICS: Registry[Metric] = Registry("box metric", error=UnknownMetricError, argument="metric")


def register_metric(
    name: str,
    *,
    description: str = "",
    needs_percentile: bool = False,
    kernel: str | None = None,
    replace: bool = False,
) -> Callable[[Reducer], Reducer]:
    """Register a box metric (decorator).

    Args:
        name: The metric's name.
        description: One line for listings (default: the first docstring line).
        needs_percentile: Whether the metric needs ``percentile=`` (0-100).
        kernel: Name of the compiled kernel's metric, if it has one (built-ins only).
        replace: Allow replacing a metric of the same name.

    Returns:
        The decorator, which returns the function unchanged.

    Raises:
        InvalidArgumentError: If the name is taken and ``replace`` is false.
    """

    def decorator(func: Reducer) -> Reducer:
        doc = (func.__doc__ or "").strip().splitlines()
        _METRICS.add(
            name,
            Metric(
                name,
                func,
                description or (doc[0] if doc else ""),
                needs_percentile,
                kernel,
            ),
            replace=replace,
        )
        return func

    return decorator


def list_metrics(details: bool = False) -> list[str] | list[dict[str, Any]]:
    """Return the registered box metrics.

    Args:
        details: If true, one dict per metric (``name``, ``description``, ``needs_percentile``,
            ``compiled``) instead of names.

    Returns:
        Sorted names, or dicts sorted by name.
    """
    return _METRICS.listing(
        details,
        lambda m: {
            "name": m.name,
            "description": m.description,
            "needs_percentile": m.needs_percentile,
            "compiled": m.kernel is not None,
        },
    )


def get_metric(metric: str) -> Metric:
    """Return a registered box metric.

    Args:
        metric: Its name.

    Returns:
        The :class:`Metric`.

    Raises:
        UnknownMetricError: If no metric has that name (close matches are named).
    """
    return _METRICS[metric]


@register_metric("mean", kernel="mean", description="mean of the box's pixels")
def _mean(values: np.ndarray, percentile: float | None) -> np.ndarray:
    return values.mean(axis=1, dtype=np.float64)


@register_metric("sum", kernel="sum", description="sum of the box's pixels")
def _sum(values: np.ndarray, percentile: float | None) -> np.ndarray:
    return values.sum(axis=1, dtype=np.float64)


@register_metric("median", kernel="median", description="median of the box's pixels")
def _median(values: np.ndarray, percentile: float | None) -> np.ndarray:
    return np.median(values, axis=1).astype(np.float64, copy=False)


@register_metric(
    "percentile",
    kernel="percentile",
    needs_percentile=True,
    description="a percentile (percentile=, 0-100) of the box's pixels",
)
def _percentile(values: np.ndarray, percentile: float | None) -> np.ndarray:
    return np.percentile(values, percentile, axis=1).astype(np.float64, copy=False)


#: The metrics registered at import (``list_metrics()`` is the live list).
METRICS: tuple[str, ...] = tuple(_METRICS.names())


def _pair(name: str, value: Any, size: int) -> tuple[float, ...]:
    try:
        out = tuple(float(v) for v in value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} must be {size} numbers, not {value!r}") from None
    if len(out) != size:
        raise InvalidArgumentError(f"{name} must be {size} numbers, not {value!r}")
    return out


def check_metric(metric: str, percentile: float | None) -> None:
    """Refuse an unknown metric, or ``"percentile"`` without a percentile in 0-100.

    Args:
        metric: A registered metric (:func:`list_metrics`).
        percentile: The percentile for ``metric="percentile"``.

    Raises:
        UnknownMetricError: If the metric is not registered (an ``InvalidArgumentError``).
        InvalidArgumentError: If the metric needs a percentile and none in 0-100 is given.
    """
    entry = get_metric(metric)
    if entry.needs_percentile and (percentile is None or not 0 <= percentile <= 100):
        raise InvalidArgumentError(
            f"metric={metric!r} needs percentile between 0 and 100, not {percentile!r}"
        )


def reduce_pixels(values: np.ndarray, metric: str, percentile: float | None) -> np.ndarray:
    """Reduce ``(time, pixels[, channel])`` over pixels, in float64 whatever the input dtype.

    Integer images are not converted first: sums and means accumulate in float64, and medians
    and percentiles partition the (smaller) integer array, then interpolate in float64.

    Args:
        values: The pixels of every frame.
        metric: A registered metric (:func:`list_metrics`).
        percentile: The percentile (0-100) for ``metric="percentile"``.

    Returns:
        ``(time[, channel])`` float64 array.
    """
    return np.asarray(get_metric(metric).reduce(values, percentile), dtype=np.float64)


def _reduce(
    image: xr.DataArray, mask: np.ndarray, metric: str, percentile: float | None
) -> np.ndarray:
    """Reduce the pixels ``mask`` (``(y, x)``) of every frame of ``image`` ``(time, y, x[, c])``.

    uint8 and uint16 images go, for the metrics that have one, through the compiled one-pass
    kernel (:func:`geospacexr.asi._kernels.box_reduce`: no gathered copy, frames in parallel);
    other dtypes (calibrated float images) and other metrics through the metric's ``reduce``.
    Both give numpy's numbers. Only the box's bounding window is read from lazily loaded images.
    """
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    data = image.data
    if isinstance(data, np.ndarray) and data.flags.c_contiguous:
        window, sub = data, mask  # in memory already: index the frames in place
    else:
        window = image.isel(y=slice(rows[0], rows[-1] + 1), x=slice(cols[0], cols[-1] + 1)).values
        sub = mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    kernel = get_metric(metric).kernel
    if window.shape[0] and window.dtype in (np.uint8, np.uint16) and kernel is not None:
        from ._kernels import METRIC_CODES, box_reduce

        window = np.ascontiguousarray(window)
        nc = window.shape[3] if window.ndim == 4 else 1
        offsets = np.flatnonzero(sub).astype(np.int64) * nc
        q = 50.0 if kernel == "median" else float(percentile or 0.0)
        frames = window.reshape(window.shape[0], -1)
        out = box_reduce(frames, offsets, nc, METRIC_CODES[kernel], q)
        return out if window.ndim == 4 else out[:, 0]
    values = window[:, sub]  # (time, pixels[, channel]), the images' own dtype
    return reduce_pixels(values, metric, percentile)


def box_mask(
    ds: xr.Dataset,
    skymap: xr.Dataset | None = None,
    ccd: Any = None,
    azimuth: Any = None,
    elevation: Any = None,
    geo: Any = None,
    mag: Any = None,
    altitude_km: float | None = None,
) -> np.ndarray:
    """The ``(y, x)`` boolean mask of the pixels inside a box (one of the five modes).

    Args:
        ds: An ``asi`` Dataset.
        skymap: The site's skymap (needed for every mode but ``ccd``).
        ccd: ``(x0, x1, y0, y1)``, upper bounds excluded (``image[y0:y1, x0:x1]``).
        azimuth: ``(az0, az1)`` degrees.
        elevation: ``(el0, el1)`` degrees.
        geo: ``(lon0, lon1, lat0, lat1)`` degrees.
        mag: ``(mlon0, mlon1, mlat0, mlat1)`` degrees.
        altitude_km: Mapping altitude for geo/mag (default 110).

    Returns:
        The mask.

    Raises:
        InvalidArgumentError: Without exactly one mode, with bad bounds, or when no pixel is inside.
    """
    modes = {
        k: v
        for k, v in (
            ("ccd", ccd),
            ("azimuth", azimuth),
            ("elevation", elevation),
            ("geo", geo),
            ("mag", mag),
        )
        if v is not None
    }
    if len(modes) != 1:
        raise InvalidArgumentError(
            "give exactly one of ccd=, azimuth=, elevation=, geo=, mag= "
            f"(given: {', '.join(modes) or 'none'})"
        )
    mode, value = next(iter(modes.items()))
    height, width = ds.sizes["y"], ds.sizes["x"]
    if mode == "ccd":
        x0, x1, y0, y1 = (int(v) for v in _pair("ccd", value, 4))
        x0, x1 = min(x0, x1), max(x0, x1)
        y0, y1 = min(y0, y1), max(y0, y1)
        if x1 == x0 or y1 == y0:
            raise InvalidArgumentError(
                f"empty box {tuple(value)}: the upper bounds are excluded (image[y0:y1, x0:x1]), "
                "so x1 must differ from x0 and y1 from y0"
            )
        if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
            raise InvalidArgumentError(
                f"box {tuple(value)} lies outside the {width}x{height} image"
            )
        mask = np.zeros((height, width), dtype=bool)
        mask[y0:y1, x0:x1] = True
        return mask
    if skymap is None:
        raise InvalidArgumentError(f"a box in {mode} needs the site's skymap")
    check_skymap(ds, skymap)
    if mode in ("azimuth", "elevation"):
        lo, hi = _pair(mode, value, 2)
        angle = skymap[mode].values.astype(np.float64)
        with np.errstate(invalid="ignore"):
            if mode == "azimuth" and lo > hi:  # through north
                mask = (angle >= lo) | (angle <= hi)
            else:
                mask = (angle >= lo) & (angle <= hi)
    else:
        lon0, lon1, lat0, lat1 = _pair(mode, value, 4)
        if mode == "geo":
            centres = pixel_centres(skymap, altitude_km)
            lon, lat = centres["lon"].values, centres["lat"].values
            altitude = centres["altitude"].values
        else:
            coords = magnetic(skymap, ds["time"].values[0], altitude_km)
            lon, lat = coords["mlon"].values, coords["mlat"].values
            altitude = coords["altitude"].values
        with np.errstate(invalid="ignore"):
            inside_lon = (
                (lon >= lon0) & (lon <= lon1) if lon0 <= lon1 else (lon >= lon0) | (lon <= lon1)
            )
            mask = inside_lon & (lat >= min(lat0, lat1)) & (lat <= max(lat0, lat1))
    seen = np.isfinite(skymap["elevation"].values)
    mask &= seen
    if not mask.any():
        if mode in ("geo", "mag"):
            m = "m" if mode == "mag" else ""
            la, lo = lat[seen & np.isfinite(lat)], lon[seen & np.isfinite(lon)]
            extent = (
                f"; the field of view at {float(altitude):g} km spans {m}lon {lo.min():.1f} to "
                f"{lo.max():.1f}, {m}lat {la.min():.1f} to {la.max():.1f}"
            )
        else:
            a = skymap[mode].values[seen]
            extent = f"; the field of view spans {mode} {np.nanmin(a):.1f} to {np.nanmax(a):.1f}"
        raise OutOfRangeError(
            f"the {mode} box {tuple(value)} contains no pixel of the field of view{extent}"
        )
    return mask


def box_metric(
    ds: xr.Dataset,
    skymap: xr.Dataset | None = None,
    ccd: Any = None,
    azimuth: Any = None,
    elevation: Any = None,
    geo: Any = None,
    mag: Any = None,
    altitude_km: float | None = None,
    metric: str = "mean",
    percentile: float | None = None,
) -> xr.DataArray:
    """A statistic of the pixels inside a box, for every frame at once.

    Args:
        ds: An ``asi`` Dataset.
        skymap: The site's skymap (needed for azimuth, elevation, geo and mag boxes).
        ccd: ``(x0, x1, y0, y1)`` pixel bounds, columns first (PyAuroraX's ``ccd_bounds``).
        azimuth: ``(az0, az1)`` degrees.
        elevation: ``(el0, el1)`` degrees.
        geo: ``(lon0, lon1, lat0, lat1)`` degrees at ``altitude_km``.
        mag: ``(mlon0, mlon1, mlat0, mlat1)`` AACGM-v2 degrees at ``altitude_km``.
        altitude_km: Mapping altitude, km (default from config, 110).
        metric: ``"mean"``, ``"median"``, ``"sum"``, ``"percentile"`` or any metric registered
            with :func:`register_metric` (:func:`list_metrics`).
        percentile: The percentile (0-100) for ``metric="percentile"``.

    Returns:
        DataArray ``(time,)`` (``(time, channel)`` for RGB images), in the image's units, with
        the number of pixels used in ``attrs["pixels"]``.

    Raises:
        InvalidArgumentError: If the metric is unknown, the percentile missing, or the box is empty,
            outside the image or outside the field of view.
        IncompatibleInputError: If the skymap is for another site.
    """
    require(ds, "asi", ["image"], where="box_metric")
    check_metric(metric, percentile)
    mask = box_mask(ds, skymap, ccd, azimuth, elevation, geo, mag, altitude_km)
    return _box_series(ds, mask, metric, percentile, _box_kind(ccd, azimuth, elevation, geo, mag))


def _box_kind(*boxes: Any) -> tuple[str, np.ndarray]:
    """The box's mode (``ccd``, ``azimuth``, ...) and bounds, the first one given."""
    modes = ("ccd", "azimuth", "elevation", "geo", "mag")
    given = [(m, v) for m, v in zip(modes, boxes, strict=True) if v is not None]
    if not given:
        raise InvalidArgumentError(f"give a box: one of {', '.join(modes)}")
    mode, value = given[0]
    return mode, np.asarray(value, dtype=np.float64)


def _box_series(
    ds: xr.Dataset,
    mask: np.ndarray,
    metric: str,
    percentile: float | None,
    kind: tuple[str, np.ndarray],
) -> xr.DataArray:
    """:func:`box_metric` of ``ds`` with the box's pixel ``mask`` already built."""
    out = _reduce(ds["image"], mask, metric, percentile)
    dims = ("time", "channel") if "channel" in ds["image"].dims else ("time",)
    mode, bounds = kind
    label = metric if percentile is None else f"{percentile:g}th percentile"
    return xr.DataArray(
        out,
        dims=dims,
        coords={d: ds[d] for d in dims if d in ds.coords},
        name="box_metric",
        attrs={
            "long_name": f"{label} of the {mode} box {tuple(bounds.tolist())}",
            "units": ds["image"].attrs.get("units", ""),
            "mode": mode,
            "bounds": bounds,
            "metric": metric,
            "pixels": int(mask.sum()),
        },
    )
