"""The variables table: GCMprocpy's exploration step."""

from __future__ import annotations

import xarray as xr

from ._select import gcm_dataset, vertical_dim

__all__ = ["variables"]


def variables(ds: xr.Dataset) -> list[dict[str, str]]:
    """List the fields of a GCM Dataset with long name, units, dims and vertical grid.

    Args:
        ds: A ``gcm`` Dataset.

    Returns:
        One dict per field (``name``, ``long_name``, ``units``, ``dims``, ``grid`` (``lev``,
        ``ilev`` or ``2-D``), ``source_name``), fields with a time dim only, sorted by name.
        ``pandas.DataFrame(ds.gcm.variables())`` shows it as a table.
    """
    gcm_dataset(ds, "variables")
    rows = []
    for name, var in ds.data_vars.items():
        if "time" not in var.dims or var.ndim < 2:
            continue
        rows.append(
            {
                "name": str(name),
                "long_name": str(var.attrs.get("long_name", "")),
                "units": str(var.attrs.get("units", "")),
                "dims": ", ".join(map(str, var.dims)),
                "grid": vertical_dim(var) or "2-D",
                "source_name": str(var.attrs.get("source_name", name)),
            }
        )
    return sorted(rows, key=lambda r: r["name"])
