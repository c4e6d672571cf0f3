"""Intensity scaling of images for display, movies and explorers.

**Scaling methods are a registry.** ``fixed``, ``percentile`` and ``auto`` are built in; a new one
is one function and one decorator line::

    @register_scaling("minmax", description="the smallest and largest value of all frames")
    def _minmax(values, low, high, percentiles):
        return np.nanmin(values), np.nanmax(values)

The contract: ``bounds(values, low, high, percentiles) -> (lo, hi)``, where ``values`` is the
``(time, ...)`` image as float64, ``low``/``high``/``percentiles`` are :func:`scale`'s arguments,
and ``lo``/``hi`` are either one number each or one per frame (``(time,)`` arrays).
:func:`list_scalings` lists them; an unknown name raises :class:`UnknownScalingError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from .._checks import require
from .._registry import Registry
from ..errors import InvalidArgumentError, UnknownNameError

__all__ = [
    "SCALE_METHODS",
    "ScaleMethod",
    "UnknownScalingError",
    "get_scaling",
    "list_scalings",
    "register_scaling",
    "scale",
]

Bounds = Callable[..., tuple[Any, Any]]


class UnknownScalingError(UnknownNameError, InvalidArgumentError):
    """A scaling method that is not registered (a ``KeyError`` and, as before, a ``ValueError``)."""


@dataclass(frozen=True)
class ScaleMethod:
    """A registered scaling method.

    Attributes:
        name: Its name (``method=`` of :func:`scale`).
        bounds: ``bounds(values, low, high, percentiles) -> (lo, hi)`` (see the module docs).
        description: One line for listings.
    """

    name: str
    bounds: Bounds
    description: str = ""


_SCALINGS: Registry[ScaleMethod] = Registry(
    "scaling method", error=UnknownScalingError, argument="method"
)


def register_scaling(
    name: str, *, description: str = "", replace: bool = False
) -> Callable[[Bounds], Bounds]:
    """Register a scaling method (decorator).

    Args:
        name: The method's name.
        description: One line for listings (default: the first docstring line).
        replace: Allow replacing a method of the same name.

    Returns:
        The decorator, which returns the function unchanged.

    Raises:
        InvalidArgumentError: If the name is taken and ``replace`` is false.
    """

    def decorator(func: Bounds) -> Bounds:
        doc = (func.__doc__ or "").strip().splitlines()
        _SCALINGS.add(
            name, ScaleMethod(name, func, description or (doc[0] if doc else "")), replace=replace
        )
        return func

    return decorator


def list_scalings(details: bool = False) -> list[str] | list[dict[str, Any]]:
    """Return the registered scaling methods.

    Args:
        details: If true, one dict per method (``name``, ``description``) instead of names.

    Returns:
        Sorted names, or dicts sorted by name.
    """
    return _SCALINGS.listing(details, lambda m: {"name": m.name, "description": m.description})


def get_scaling(method: str) -> ScaleMethod:
    """Return a registered scaling method.

    Args:
        method: Its name.

    Returns:
        The :class:`ScaleMethod`.

    Raises:
        UnknownScalingError: If no method has that name (close matches are named).
    """
    return _SCALINGS[method]


@register_scaling("fixed", description="the given bounds low= and high=")
def _fixed(
    values: np.ndarray, low: float | None, high: float | None, percentiles: Any
) -> tuple[Any, Any]:
    if low is None or high is None:
        raise InvalidArgumentError("method='fixed' needs low= and high=")
    return np.float64(low), np.float64(high)


@register_scaling("percentile", description="one pair of bounds: percentiles of all frames")
def _percentile(values: np.ndarray, low: Any, high: Any, percentiles: Any) -> tuple[Any, Any]:
    lo, hi = np.nanpercentile(values, percentiles)
    return lo, hi


@register_scaling("auto", description="bounds for each frame: the percentiles of that frame")
def _auto(values: np.ndarray, low: Any, high: Any, percentiles: Any) -> tuple[Any, Any]:
    axes = tuple(range(1, values.ndim))
    return (
        np.nanpercentile(values, percentiles[0], axis=axes),
        np.nanpercentile(values, percentiles[1], axis=axes),
    )


#: The scaling methods registered at import (``list_scalings()`` is the live list).
SCALE_METHODS: tuple[str, ...] = tuple(_SCALINGS.names())


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
            the percentiles of all frames), ``"auto"`` (the percentiles of each frame) or any
            method registered with :func:`register_scaling` (:func:`list_scalings`).
        low: Lower bound for ``"fixed"``.
        high: Upper bound for ``"fixed"``.
        percentiles: Percentiles for ``"percentile"`` and ``"auto"``.

    Returns:
        A copy of ``ds`` whose ``image`` is float32 in [0, 1] (NaN stays NaN); the bounds used
        are in ``image.attrs`` (``scale_low``, ``scale_high``, one value or one per frame).

    Raises:
        UnknownScalingError: On an unknown method (an ``InvalidArgumentError``).
        InvalidArgumentError: On missing bounds for ``"fixed"``, or ``high <= low``.
    """
    require(ds, ("asi", "asi_grid"), ["image"], where="scale")
    entry = get_scaling(method)
    values = ds["image"].values.astype(np.float64)
    lo, hi = entry.bounds(values, low, high, percentiles)
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
