"""Values of an MHD variable at arbitrary points, and the selection of one output step.

:func:`at_points` interpolates a cell variable of an ``mhd`` Dataset linearly between the cell
centres (``x``, ``y``, ``z``): the centres in the query's bounding box (widened by the largest
cell there) are triangulated (Delaunay, :class:`scipy.interpolate.LinearNDInterpolator`), so
the cost follows the size of the region asked for, not the whole grid, and all points and all
times are interpolated in one call. Linear fields are reproduced exactly; points outside the
hull of the cell centres (inside the inner boundary, beyond the outer one) get NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .._checks import require

__all__ = ["at_points", "select_step"]

#: Cell centres around each point that are triangulated (enough to hold its enclosing simplex).
_NEIGHBOURS = 64


def select_step(ds: xr.Dataset, step: int | None = -1) -> xr.Dataset:
    """One output step of an ``mhd`` or ``ionosphere`` Dataset, by its ``Step#`` number.

    Args:
        ds: A Dataset with a ``time`` dim and a ``step`` coordinate (the ``Step#`` numbers).
        step: The ``Step#`` number; ``-1`` the last step (kaipy's ``-n -1``); ``None`` keeps
            every step.

    Returns:
        ``ds`` at that step (no ``time`` dim), or ``ds`` itself for ``None``.

    Raises:
        InvalidArgumentError: If the run has no such step (the available ones are named).
    """
    from ..errors import InvalidArgumentError

    if step is None or "time" not in ds.dims:
        return ds
    if step == -1:
        return ds.isel(time=-1)
    steps = ds["step"].values if "step" in ds.coords else np.arange(ds.sizes["time"])
    where = np.flatnonzero(steps == step)
    if where.size == 0:
        shown = ", ".join(str(int(s)) for s in steps[:20])
        raise InvalidArgumentError(
            f"this run has no Step#{step} (it has {shown}{'...' if steps.size > 20 else ''})",
            argument="step",
        )
    return ds.isel(time=int(where[0]))


def at_points(
    ds: xr.Dataset,
    name: str,
    x: Any,
    y: Any,
    z: Any,
    step: int | None = -1,
) -> xr.DataArray:
    """A cell variable at arbitrary points (R_E, SM), linear between the cell centres.

    Args:
        ds: An ``mhd`` Dataset with cell-centre coordinates ``x``, ``y``, ``z``
            (:func:`geospacexr.open_gamera`, :func:`geospacexr.open_lfm`...).
        name: The variable, e.g. ``"Bz"``.
        x: Points' x, R_E (scalar or array; ``x``, ``y``, ``z`` broadcast together).
        y: Points' y, R_E.
        z: Points' z, R_E.
        step: The ``Step#`` number; ``-1`` the last step; ``None`` every step (a ``time`` dim).

    Returns:
        A DataArray on dim ``point`` (and ``time`` for ``step=None``), in the variable's units,
        with the points as coordinates ``x``, ``y``, ``z``; NaN outside the cell centres' hull.

    Raises:
        WrongKindError: If ``ds`` is not an ``mhd`` Dataset.
        MissingVariableError: If ``name`` or the centre coordinates are missing.
        InvalidArgumentError: If the run has no such step.
    """
    from scipy.interpolate import LinearNDInterpolator

    from ..errors import MissingVariableError

    require(ds, "mhd", [name, "x", "y", "z"], "at_points")
    px, py, pz = (np.asarray(a, dtype=float) for a in np.broadcast_arrays(x, y, z))
    shape = px.shape
    query = np.stack([px.ravel(), py.ravel(), pz.ravel()], axis=-1)
    var = select_step(ds, step)[name]
    cells = ds["x"].dims
    if not set(cells) <= set(var.dims):
        raise MissingVariableError(f"at_points needs {name} on the cells {cells}, not {var.dims}")
    var = var.transpose(*cells, ...)
    centres = np.stack([ds[c].values.ravel() for c in ("x", "y", "z")], axis=-1)
    extra = var.dims[len(cells) :]
    values = np.asarray(var.values, dtype=float).reshape(centres.shape[0], -1)
    radius = np.sqrt((centres**2).sum(axis=1))
    ok = np.isfinite(query).all(axis=1)
    # the hole around the Earth lies inside the centres' hull: a point there is in no cell
    ok[ok] &= np.sqrt((query[ok] ** 2).sum(axis=1)) >= radius.min()
    result = np.full((query.shape[0], values.shape[1]), np.nan)
    if ok.any():
        from scipy.spatial import cKDTree

        near = min(_NEIGHBOURS, centres.shape[0])
        _, index = cKDTree(centres).query(query[ok], k=near)
        keep = np.unique(np.asarray(index).ravel())
        interp = LinearNDInterpolator(centres[keep], values[keep], fill_value=np.nan)
        result[ok] = interp(query[ok]).reshape(-1, values.shape[1])
    out = xr.DataArray(
        result.reshape(query.shape[0], *[var.sizes[d] for d in extra]),
        dims=("point", *extra),
        coords={d: var[d] for d in extra if d in var.coords},
        name=name,
        attrs=dict(var.attrs),
    )
    for c, v in zip(("x", "y", "z"), (px, py, pz), strict=True):
        out = out.assign_coords(
            {c: ("point", v.ravel(), {"units": "R_E", "long_name": f"{c} (SM)"})}
        )
    for c, v in var.coords.items():
        if c not in out.coords and v.ndim == 0:
            out = out.assign_coords({c: v})
    if len(shape) > 1:
        out.attrs["points_shape"] = list(shape)
    return out
