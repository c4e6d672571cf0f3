"""A short, uniform summary of any geospacexr Dataset (used by the CLI and the app)."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ._checks import require

__all__ = ["summary"]

_ATTRS = ("instrument", "site", "site_name", "imager", "model", "site_lat", "site_lon")


def summary(ds: xr.Dataset) -> dict[str, Any]:
    """Summarise a geospacexr Dataset: kind, time span, sizes, variables and key attributes.

    Args:
        ds: A Dataset returned by a geospacexr reader or function.

    Returns:
        A JSON-serialisable dict with ``kind``, ``dims``, ``variables``, ``time_start``,
        ``time_end``, ``n_times`` and the identifying attributes present.

    Raises:
        WrongKindError: If ``ds`` has no ``geospacexr_kind``.
    """
    require(ds, tuple(_kinds()), where="geospacexr.describe.summary")
    out: dict[str, Any] = {
        "kind": ds.attrs["geospacexr_kind"],
        "dims": {str(k): int(v) for k, v in ds.sizes.items()},
        "variables": {
            str(name): {
                "dims": list(map(str, var.dims)),
                "dtype": str(var.dtype),
                "units": str(var.attrs.get("units", "")),
            }
            for name, var in ds.data_vars.items()
        },
    }
    if "time" in ds.coords and ds.sizes.get("time", 0):
        t = ds["time"].values
        out["time_start"] = str(np.datetime_as_string(t.min(), unit="ms"))
        out["time_end"] = str(np.datetime_as_string(t.max(), unit="ms"))
        out["n_times"] = int(t.size)
    for key in _ATTRS:
        if key in ds.attrs:
            value = ds.attrs[key]
            out[key] = value.item() if isinstance(value, np.generic) else value
    return out


def _kinds() -> list[str]:
    from ._checks import KIND_HELP

    return list(KIND_HELP)
