"""The variables table: GCMprocpy's exploration step."""

from __future__ import annotations

import xarray as xr

from ._select import gcm_dataset, variable, vertical_dim

__all__ = ["field", "variables"]


def field(ds: xr.Dataset, name: str | xr.DataArray) -> xr.DataArray:
    """Return one field of a GCM Dataset by any name the slices accept.

    The name may be the standard name (``TN``), the file's own name (``T``, ``Z3GM``), an alias
    (``O`` for O1, ``He`` for HE), a derived field (:func:`geospacexr.gcm.available`) or an
    emission (:func:`geospacexr.gcm.emissions.available`); a DataArray is returned as is.

    Args:
        ds: A ``gcm`` Dataset.
        name: The field's name, or a DataArray.

    Returns:
        The field (derived fields and emissions lazily computed).

    Raises:
        WrongKindError: If ``ds`` is not a ``gcm`` Dataset.
        MissingVariableError: If no field has that name (the message suggests close names).
    """
    return variable(ds, name, "field")


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
