"""The variables table: GCMprocpy's exploration step, with the grid of every field.

A history holds fields on several grids (``docs/gcm_grids.md``): 3-D fields on the geographic
grid (``lev``/``ilev``, ``lat``, ``lon``), 2-D geographic fields (TEC, NMF2, HMF2, TLBC...),
fields on TIE-GCM's geomagnetic grid (``mlev``/``imlev``, ``mlat``, ``mlon``: ZMAG, ED1, JE13D,
PHIM2D...) and per-time scalars (Kp, ctpoten...). :func:`variables` says which grid each is on
and which slices it takes (:func:`supported_slices`), so that a list of variables never offers a
slice a variable cannot do.
"""

from __future__ import annotations

import xarray as xr

from ._select import gcm_dataset, grid_of, variable, vertical_dim

__all__ = ["SLICE_KINDS", "field", "supported_slices", "variables"]

#: The slice kinds of :mod:`geospacexr.gcm.slices` (and of the figures, the explorer and the
#: command line's ``--slice``), in the order they are listed.
SLICE_KINDS = ("lat_lon", "lev_lat", "lev_lon", "lev_time", "lat_time", "lon_time", "var_time")
_HORIZONTAL_SLICES = ("lat_lon", "lat_time", "lon_time", "var_time")


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


def _slices_of(da: xr.DataArray) -> tuple[str, ...]:
    grid = grid_of(da)
    if grid == "scalar":
        return ("var_time",) if "time" in da.dims else ()
    if grid not in ("geographic", "geomagnetic"):
        return ()
    if vertical_dim(da) is None:
        return _HORIZONTAL_SLICES
    return SLICE_KINDS


def supported_slices(ds: xr.Dataset, name: str | xr.DataArray) -> tuple[str, ...]:
    """The slice kinds a variable can do (a subset of :data:`SLICE_KINDS`).

    3-D fields (geographic or geomagnetic) take every slice; 2-D fields (TEC, NMF2, PHIM2D...)
    the horizontal and time slices ``lat_lon``, ``lat_time``, ``lon_time`` and ``var_time``;
    per-time scalars (Kp...) only ``var_time``. Local-time sampling and satellite tracks are
    geographic only (see :mod:`geospacexr.gcm.slices`).

    Args:
        ds: A ``gcm`` Dataset.
        name: The variable's name (any name :func:`field` accepts), or a DataArray.

    Returns:
        The slice kinds, in the order of :data:`SLICE_KINDS`.

    Raises:
        WrongKindError: If ``ds`` is not a ``gcm`` Dataset.
        MissingVariableError: If no field has that name.
    """
    return _slices_of(variable(ds, name, "supported_slices"))


def _layout(grid: str, vertical: str | None) -> str:
    if grid == "scalar":
        return "scalar"
    if grid not in ("geographic", "geomagnetic"):
        return "other"  # e.g. mtime(time, mtimedim), dtide(time, dtidedim): no slice applies
    return f"{'3-D' if vertical else '2-D'} {grid}"


def variables(ds: xr.Dataset) -> list[dict[str, str]]:
    """List the fields of a GCM Dataset with long name, units, dims, grid and slices.

    Args:
        ds: A ``gcm`` Dataset.

    Returns:
        One dict per variable with a time dim, sorted by name, with string values:
        ``name``; ``long_name``; ``units``; ``dims`` (comma-separated); ``grid`` (the vertical
        grid: ``lev``, ``ilev``, ``mlev`` or ``imlev``; ``2-D`` for a 2-D field; ``scalar`` for
        a per-time scalar); ``horizontal`` (``geographic``, ``geomagnetic`` or ``scalar``: the
        grid the reader records in ``attrs["grid"]``, decided here from the dims);
        ``layout`` (``3-D geographic``, ``2-D geographic``, ``3-D geomagnetic``,
        ``2-D geomagnetic``, ``scalar``, or ``other`` for per-time tables such as
        ``dtide(time, dtidedim)``, which no slice takes); ``slices`` (the slice kinds it
        takes, comma-separated, :func:`supported_slices`); ``source_name``.
        ``pandas.DataFrame(ds.gcm.variables())`` shows it as a table.
    """
    gcm_dataset(ds, "variables")
    rows = []
    for name, var in ds.data_vars.items():
        if "time" not in var.dims or var.dtype.kind not in "iuf":
            continue
        horizontal = grid_of(var)
        if var.ndim < 2 and horizontal != "scalar":
            continue
        vertical = vertical_dim(var)
        rows.append(
            {
                "name": str(name),
                "long_name": str(var.attrs.get("long_name", "")),
                "units": str(var.attrs.get("units", "")),
                "dims": ", ".join(map(str, var.dims)),
                "grid": vertical or ("scalar" if horizontal == "scalar" else "2-D"),
                "horizontal": horizontal,
                "layout": _layout(horizontal, vertical),
                "slices": ", ".join(_slices_of(var)),
                "source_name": str(var.attrs.get("source_name", name)),
            }
        )
    return sorted(rows, key=lambda r: r["name"])
