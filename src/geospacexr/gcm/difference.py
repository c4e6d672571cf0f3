"""Differences between two runs (perturbation minus control)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .._checks import require
from ..errors import IncompatibleInputError, InvalidArgumentError

__all__ = ["difference"]

_KINDS = ("absolute", "percent")
_HEIGHTS = ("ZG", "Z")


def difference(perturbed: xr.Dataset, control: xr.Dataset, kind: str = "absolute") -> xr.Dataset:
    """Perturbed minus control, field by field, on common times.

    Args:
        perturbed: The perturbed run (``gcm`` Dataset).
        control: The control run, same model and grid.
        kind: ``"absolute"`` (perturbed - control, in the field's units) or ``"percent"``
            (100 (perturbed - control) / control).

    Returns:
        A ``gcm`` Dataset of the fields both runs hold, at the times both have
        (``attrs["difference"]`` says which kind); units are ``"%"`` for percent differences.
        The heights ZG and Z are the perturbed run's (not differenced), so slices at a height
        work on the difference.

    Raises:
        IncompatibleInputError: If the runs differ in model, grid or resolution, or share no time.
        InvalidArgumentError: If ``kind`` is unknown (a ``ValueError``).
    """
    require(perturbed, "gcm", where="difference (perturbed)")
    require(control, "gcm", where="difference (control)")
    if kind not in _KINDS:
        raise InvalidArgumentError(f"kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    if perturbed.attrs.get("model") != control.attrs.get("model"):
        raise IncompatibleInputError(
            f"runs of different models: {perturbed.attrs.get('model')} and "
            f"{control.attrs.get('model')}"
        )
    for dim in ("lon", "lat", "lev", "ilev"):
        a = perturbed[dim].values if dim in perturbed.coords else None
        b = control[dim].values if dim in control.coords else None
        if (a is None) != (b is None) or (
            a is not None and (a.shape != b.shape or not np.allclose(a, b))
        ):
            size_a = None if a is None else a.size
            size_b = None if b is None else b.size
            raise IncompatibleInputError(
                f"runs on different grids: {dim} has {size_a} points in the perturbed run and "
                f"{size_b} in the control (different resolution?)"
            )
    common = np.intersect1d(perturbed["time"].values, control["time"].values)
    if common.size == 0:
        raise IncompatibleInputError(
            "the runs share no time: perturbed "
            f"{perturbed.time.values.min()}..{perturbed.time.values.max()}, control "
            f"{control.time.values.min()}..{control.time.values.max()}"
        )
    names = [
        v for v in perturbed.data_vars
        if v in control.data_vars and "time" in perturbed[v].dims and perturbed[v].dtype.kind == "f"
        and v not in _HEIGHTS
    ]  # fmt: skip
    p = perturbed[names].sel(time=common)
    c = control[names].sel(time=common)
    out = p - c if kind == "absolute" else 100.0 * (p - c) / c
    for name in _HEIGHTS:  # the perturbed run's heights, so height slices of differences work
        if name in perturbed.data_vars:
            out[name] = perturbed[name].sel(time=common)
    for name in names:
        out[name].attrs = dict(perturbed[name].attrs)
        if kind == "percent":
            out[name].attrs["units"] = "%"
        out[name].attrs["long_name"] = (
            f"{perturbed[name].attrs.get('long_name', name)} ({kind} difference)"
        )
    out.attrs = {**perturbed.attrs, "difference": kind}
    return out
