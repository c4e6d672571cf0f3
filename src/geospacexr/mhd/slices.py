"""Equatorial (z = 0) and meridional (y = 0) planes of a GAMERA-type grid, as kaipy builds them.

An LFM/GAMERA magnetosphere grid is shells around the Sun-Earth (X) axis: ``i`` radial, ``j``
the angle from +X, ``k`` the azimuth around X. The ``z = 0`` plane is the pair of half-planes at
``k = 0`` (corners) and ``k = Nk/2``; its cells are the two k-planes either side, averaged. The
``y = 0`` plane is the same at ``k = Nk/4`` and ``3 Nk/4``. kaipy (``GamsphPipe.EggSlice``,
``kaipy/gamera/magsphere.py``) loops over ``j``; here the same arithmetic is one array
expression over any leading dims (``time``). Arithmetic loads a lazily indexed variable, so
select the step first (``ds.isel(time=5)``: only that step is read) or open the run with
``chunks=`` (the slice is then a dask array, read when computed).

The plane has dims ``(i, p)``: ``p`` runs over ``2 Nj`` cells, the first ``Nj`` in the upper
half plane (``y > 0``, or ``z > 0`` for the meridional plane) from +X to -X, then the lower half
back from -X to +X (kaipy's order). Its corners (:func:`plane_corners`: ``x_corner`` and
``y_corner`` / ``z_corner`` on ``(ic, pc)``) are kaipy's ``xxi`` and ``yyi``: the ``k = Nk/2``
corner plane mirrored, which assumes the grid is symmetric about X as GAMERA's is; the centres
(``x``, ``y`` / ``z``) are the mean of the four corners (kaipy's ``xxc``, ``yyc``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .._checks import require

__all__ = ["equatorial_slice", "meridional_slice", "plane_corners"]


def _k_pairs(nk: int, plane: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """The k-planes either side of a slice plane: (upper pair, lower pair).

    ``"equatorial"``: ``Nk-1, 0`` and ``Nk/2-1, Nk/2``; ``"meridional"``: ``Nk/4-1, Nk/4`` and
    ``3Nk/4-1, 3Nk/4`` (kaipy's ``EggSlice``). The one place these indices are written: the
    DataArray slices here and the numpy frames of :func:`geospacexr.mhd.panels.msphpic_planes`
    both take them from here.
    """
    if plane == "equatorial":
        return (nk - 1, 0), (nk // 2 - 1, nk // 2)
    q = nk // 4
    return (q - 1, q), (3 * q - 1, 3 * q)


def _mean_of(a: Any, b: Any) -> Any:
    """The cell plane of a slice from the two k-planes either side (DataArrays or arrays)."""
    return 0.5 * (a + b)


def _centres(corners: np.ndarray) -> np.ndarray:
    """Cell centres of a plane: the mean of each cell's four corners (kaipy's ``xxc``)."""
    a = corners
    return 0.25 * (a[:-1, :-1] + a[1:, :-1] + a[:-1, 1:] + a[1:, 1:])


def _plane(ds: xr.Dataset, name: str, plane_kind: str, second: str, where: str) -> xr.DataArray:
    require(ds, "mhd", [name, "X", "Y"], where)
    var = ds[name]
    if not {"k", "j", "i"} <= set(var.dims):
        raise _dims_error(name, var.dims, where)
    upper, lower = _k_pairs(ds.sizes["k"], plane_kind)
    up = _mean_of(var.isel(k=upper[0]), var.isel(k=upper[1]))
    low = _mean_of(var.isel(k=lower[0]), var.isel(k=lower[1])).isel(j=slice(None, None, -1))
    plane = xr.concat([up, low], dim="j", coords="minimal", compat="override")
    plane = plane.drop_vars([c for c in ("x", "y", "z") if c in plane.coords])
    plane = plane.rename(j="p").transpose(..., "i", "p")
    xi, yi = _corners(ds)
    units = {"units": "R_E"}
    plane = plane.assign_coords(
        x=(("i", "p"), _centres(xi), {"long_name": "x (SM) of the plane's cell centres", **units}),
        **{
            second: (
                ("i", "p"),
                _centres(yi),
                {"long_name": f"{second} (SM) of the plane's cell centres", **units},
            ),
        },
    )
    plane.attrs = dict(var.attrs)
    return plane


def plane_corners(ds: xr.Dataset, plane: str = "equatorial") -> xr.Dataset:
    """The corners of the slice planes (kaipy's ``xxi``, ``yyi``), for ``pcolormesh``.

    Args:
        ds: An ``mhd`` Dataset on a curvilinear grid.
        plane: ``"equatorial"`` (coordinates ``x``, ``y``) or ``"meridional"`` (``x``, ``z``).

    Returns:
        A Dataset of ``x_corner`` and ``y_corner`` (or ``z_corner``) on ``(ic, pc)``, R_E.

    Raises:
        WrongKindError: If ``ds`` is not an ``mhd`` Dataset.
        InvalidArgumentError: If ``plane`` is neither.
    """
    from ..errors import InvalidArgumentError

    if plane not in ("equatorial", "meridional"):
        raise InvalidArgumentError(f"'equatorial' or 'meridional', not {plane!r}", argument="plane")
    require(ds, "mhd", ["X", "Y"], "plane_corners")
    xi, yi = _corners(ds)
    second = "y" if plane == "equatorial" else "z"
    units = {"units": "R_E"}
    return xr.Dataset(
        {
            "x_corner": (("ic", "pc"), xi, {"long_name": "x (SM) of the plane's corners", **units}),
            f"{second}_corner": (
                ("ic", "pc"),
                yi,
                {"long_name": f"{second} (SM) of the plane's corners", **units},
            ),
        }
    )


def _corners(ds: xr.Dataset) -> tuple:
    """The corners kaipy calls ``xxi``, ``yyi`` (the ``k = Nk/2`` plane, mirrored above)."""
    nj = ds.sizes["jc"] - 1
    eq = (ds.sizes["kc"] - 1) // 2
    cx = ds["X"].isel(kc=eq).transpose("ic", "jc").values
    cy = ds["Y"].isel(kc=eq).transpose("ic", "jc").values
    xi = np.concatenate([cx[:, :nj], cx[:, nj::-1]], axis=1)
    yi = np.concatenate([-cy[:, :nj], cy[:, nj::-1]], axis=1)
    return xi, yi


def _dims_error(name, dims, where):
    from ..errors import MissingVariableError

    return MissingVariableError(
        f"{where} needs {name} on the cells (k, j, i) of a curvilinear MHD grid, not {dims}"
    )


def equatorial_slice(ds: xr.Dataset, name: str) -> xr.DataArray:
    """The ``z = 0`` plane of a cell variable, as kaipy's ``EggSlice(doEq=True)``.

    The cells either side of the plane are averaged: ``k = Nk-1`` and ``0`` for the upper half
    (``y > 0``), ``Nk/2 - 1`` and ``Nk/2`` for the lower half.

    Args:
        ds: An ``mhd`` Dataset on a curvilinear ``(k, j, i)`` grid (:func:`geospacexr.open_gamera`).
        name: The variable, e.g. ``"Bz"``.

    Returns:
        A DataArray ``(..., i, p)`` in the variable's units, with plane coordinates ``x``, ``y``
        (cell centres, R_E); the corners are :func:`plane_corners`.

    Raises:
        WrongKindError: If ``ds`` is not an ``mhd`` Dataset.
        MissingVariableError: If ``name`` is missing or not on the cells.
    """
    return _plane(ds, name, "equatorial", "y", "equatorial_slice")


def meridional_slice(ds: xr.Dataset, name: str) -> xr.DataArray:
    """The ``y = 0`` plane of a cell variable, as kaipy's ``EggSlice(doEq=False)``.

    The cells either side are averaged: ``k = Nk/4 - 1`` and ``Nk/4`` for the upper half
    (``z > 0``), ``3 Nk/4 - 1`` and ``3 Nk/4`` for the lower half.

    Args:
        ds: An ``mhd`` Dataset on a curvilinear ``(k, j, i)`` grid (:func:`geospacexr.open_gamera`).
        name: The variable, e.g. ``"Jy"``.

    Returns:
        A DataArray ``(..., i, p)`` with plane coordinates ``x``, ``z`` (cell centres, R_E).

    Raises:
        WrongKindError: If ``ds`` is not an ``mhd`` Dataset.
        MissingVariableError: If ``name`` is missing or not on the cells.
    """
    return _plane(ds, name, "meridional", "z", "meridional_slice")
