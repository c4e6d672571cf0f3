"""What kaipy's ``msphpic`` quick-look draws, as pure functions on the Datasets.

* :func:`residual_bz`: ``Bz`` on a slice plane minus the dipole's ``Bz`` there (kaipy's
  ``GamsphPipe.DelBz``: ``Bz - BzD`` with ``BzD = -MagM0 / r^3`` on the equator);
* :func:`msphpic`: the panels of one step (residual and total ``Bz``, density, pressure and
  velocity on the equatorial plane and on the meridian), as one Dataset on the ``(i, p)`` plane;
* :func:`plot_extent`: kaipy's ``-size`` presets (``msphViz.szBds``) as axis limits;
* :func:`ionosphere_step`: one step of a ReMIX Dataset, the fields its polar plots draw.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .._checks import require
from .points import select_step
from .slices import equatorial_slice, meridional_slice

__all__ = ["SIZES", "ionosphere_step", "msphpic", "msphpic_planes", "plot_extent", "residual_bz"]

#: kaipy's ``-size`` presets (``kaipy/gamera/msphViz.py`` ``szBds``): x tailward limit, x
#: sunward limit, aspect (x span / y span), R_E.
SIZES: dict[str, tuple[float, float, float]] = {
    "small": (-10.0, 5.0, 2.0),
    "std": (-40.0, 20.0, 2.0),
    "big": (-100.0, 20.0, 2.0),
    "bigger": (-200.0, 25.0, 2.0),
    "fullD": (-300.0, 30.0, 3.0),
    "dm": (-30.0, 10.0, 40.0 / 15.0),
}


def plot_extent(size: str = "std") -> tuple[float, float, float, float]:
    """Axis limits of a kaipy ``-size`` preset, as ``msphViz.GetSizeBds`` computes them.

    Args:
        size: ``"small"``, ``"std"``, ``"big"``, ``"bigger"``, ``"fullD"`` or ``"dm"``
            (:data:`SIZES`).

    Returns:
        ``(x_min, x_max, y_min, y_max)`` in R_E; ``y_max = (x_max - x_min) / aspect``.

    Raises:
        InvalidArgumentError: For another name.
    """
    from ..errors import InvalidArgumentError

    if size not in SIZES:
        raise InvalidArgumentError(f"one of {', '.join(SIZES)}, not {size!r}", argument="size")
    tail, sun, aspect = SIZES[size]
    half = (sun - tail) / aspect
    return (tail, sun, -half, half)


def residual_bz(ds: xr.Dataset, plane: str = "equatorial") -> xr.DataArray:
    """``Bz`` minus the dipole's ``Bz`` on a slice plane (kaipy's ``DelBz``), nT.

    The dipole of moment ``M = attrs["MagM0"]`` (nT R_E^3, negative for the Earth; without it,
    minus config ``rb.dipole_moment_nt``, 30,000 nT out of the box) has
    ``Bz = M (3 z^2 - r^2) / r^5`` at the plane's cell centres, which on the equator is kaipy's
    ``BzD = -M / r^3``.

    Args:
        ds: An ``mhd`` Dataset with ``Bz`` on a curvilinear grid (select a step first, or
            every step is computed).
        plane: ``"equatorial"`` (z = 0) or ``"meridional"`` (y = 0).

    Returns:
        The residual field on the plane, ``(..., i, p)``, nT.

    Raises:
        WrongKindError: If ``ds`` is not an ``mhd`` Dataset.
        MissingVariableError: If ``Bz`` is missing.
        InvalidArgumentError: For another plane.
    """
    from ..errors import InvalidArgumentError

    require(ds, "mhd", ["Bz"], "residual_bz")
    if plane == "equatorial":
        bz = equatorial_slice(ds, "Bz")
        r2, z2 = bz["x"] ** 2 + bz["y"] ** 2, 0.0 * bz["x"]
    elif plane == "meridional":
        bz = meridional_slice(ds, "Bz")
        r2, z2 = bz["x"] ** 2 + bz["z"] ** 2, bz["z"] ** 2
    else:
        raise InvalidArgumentError(f"'equatorial' or 'meridional', not {plane!r}", argument="plane")
    if "MagM0" in ds.attrs:
        moment = float(ds.attrs["MagM0"])
    else:  # a run that does not say (SWMF, LFM): the configured centred dipole, pointing south
        from .. import config

        moment = -float(config.get().rb.dipole_moment_nt)
    dipole = moment * (3.0 * z2 - r2) / r2**2.5
    out = (bz - dipole).rename("dBz")
    out.attrs = {
        "units": "nT",
        "long_name": "residual field Bz - dipole Bz",
        "dipole_moment": moment,
    }
    return out


def msphpic(ds: xr.Dataset, step: int | None = -1, source: bool = False) -> xr.Dataset:
    """The panels of kaipy's ``msphpic`` for one step, on the slice planes.

    Equatorial plane (``*_eq``): residual ``dBz`` and total ``Bz`` (nT), density ``D``,
    velocity ``Vx`` and speed ``V`` (km/s); meridian (``*_mer``): pressure ``P`` (nPa) and
    density ``D``, and ``Jy`` when the run has it. With ``source=True`` the pressure and density
    are the ring-current source terms ``SrcP_RING`` / ``SrcD_RING`` (kaipy's ``-src``).

    Args:
        ds: An ``mhd`` Dataset on a curvilinear grid (:func:`geospacexr.open_gamera`).
        step: The ``Step#`` number (kaipy's ``-n``); ``-1`` the last step.
        source: Show the ring-current source terms instead of the plasma moments.

    Returns:
        A Dataset on ``(i, p)`` with plane coordinates ``x``, ``y`` (equator) and ``z``
        (meridian: the same numbers, the grid being symmetric about x), ``time`` and ``step``,
        and the corners ``x_corner``, ``y_corner`` on ``(ic, pc)`` for ``pcolormesh``.

    Raises:
        WrongKindError: If ``ds`` is not an ``mhd`` Dataset.
        MissingVariableError: If a needed variable is missing (``SrcP_RING`` for
            ``source=True`` on a run without a ring-current model).
        InvalidArgumentError: If the run has no such step.
    """
    from .slices import plane_corners

    pressure, density = ("SrcP_RING", "SrcD_RING") if source else ("P", "D")
    require(ds, "mhd", ["Bz", "Vx", "Vy", "Vz", pressure, density], "msphpic")
    one = select_step(ds, step)
    speed = one.assign(V=np.sqrt(one["Vx"] ** 2 + one["Vy"] ** 2 + one["Vz"] ** 2))
    speed["V"].attrs = {"units": one["Vx"].attrs.get("units", "km s-1"), "long_name": "speed"}
    eq = {
        "dBz_eq": residual_bz(one, "equatorial"),
        "Bz_eq": equatorial_slice(one, "Bz"),
        "D_eq": equatorial_slice(one, density),
        "Vx_eq": equatorial_slice(one, "Vx"),
        "V_eq": equatorial_slice(speed, "V"),
    }
    mer = {"P_mer": meridional_slice(one, pressure), "D_mer": meridional_slice(one, density)}
    if "Jy" in one.data_vars:
        mer["Jy_mer"] = meridional_slice(one, "Jy")
    z = mer["P_mer"]["z"]
    out = xr.Dataset({k: v.drop_vars("y", errors="ignore") for k, v in eq.items()})
    out = out.assign_coords(y=eq["dBz_eq"]["y"], z=z)
    for k, v in mer.items():
        out[k] = v.drop_vars(["z", "x"], errors="ignore")
    out = out.merge(plane_corners(one, "equatorial"))
    for k in eq:
        out[k].attrs.setdefault("plane", "equatorial (z = 0)")
    for k in mer:
        out[k].attrs.setdefault("plane", "meridional (y = 0)")
    out.attrs = {
        "geospacexr_kind": "mhd_planes",
        "source_terms": int(source),
        "MagM0": float(ds.attrs.get("MagM0", np.nan)),
        "runid": str(ds.attrs.get("runid", "")),
    }
    return out


def msphpic_planes(
    ds: xr.Dataset, step: int | None, source: bool = False, geometry: dict | None = None
) -> dict[str, np.ndarray]:
    """What a frame of an msphpic movie draws of one step, as numpy arrays (:func:`msphpic`'s).

    The numbers of :func:`msphpic` (the same operations in the same order, so the same bits),
    without building its Dataset: each variable's cell planes either side of a slice plane are
    read once (a pair of neighbouring k-planes in one read) and averaged with numpy, which
    spares a movie frame about 0.06 s of xarray bookkeeping and half of its reads. ``geometry``
    (a dict, filled on the first call) keeps the planes' cell centres from frame to frame.

    Args:
        ds: An ``"mhd"`` Dataset of a GAMERA run (:func:`geospacexr.open_gamera`).
        step: The step (as :func:`msphpic`'s ``step``; ``None``: the last).
        source: Draw the ring-current source terms (``SrcP_RING``, ``SrcD_RING``) instead of
            ``P`` and ``D``, as :func:`msphpic`'s ``source``.
        geometry: A dict kept between the calls of one movie (filled on the first call).

    Returns:
        ``dBz_eq``, ``Bz_eq``, ``D_eq``, ``V_eq``, ``P_mer``, ``D_mer`` (``Jy_mer`` when the
        run has it) on ``(i, p)``, the centres ``x``, ``y`` of the equatorial plane, and
        ``time`` and ``step`` where the step has them, and the ``runid``.

    Raises:
        MissingVariableError: If the run lacks a variable the figure draws.
    """
    from .slices import _centres, _corners, _k_pairs, _mean_of

    pressure, density = ("SrcP_RING", "SrcD_RING") if source else ("P", "D")
    require(ds, "mhd", ["Bz", "Vx", "Vy", "Vz", pressure, density, "X", "Y"], "msphpic")
    one = select_step(ds, step)
    nk = one.sizes["k"]
    pairs = {"eq": _k_pairs(nk, "equatorial"), "mer": _k_pairs(nk, "meridional")}
    cache: dict[tuple[str, int], np.ndarray] = {}

    def planes(name: str, ks: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """The cell planes k = ks of ``name``, (j, i) each, neighbours read together."""
        var = one[name].variable.transpose("k", "j", "i")
        missing = [k for k in ks if (name, k) not in cache]
        if len(missing) == 2 and abs(missing[0] - missing[1]) == 1:
            lo = min(missing)
            both = np.asarray(var[lo : lo + 2].values)
            cache[(name, lo)], cache[(name, lo + 1)] = both[0], both[1]
        else:
            for k in missing:
                cache[(name, k)] = np.asarray(var[k].values)
        return cache[(name, ks[0])], cache[(name, ks[1])]

    def plane(name: str, where: str, field: Any = None) -> np.ndarray:
        """:func:`_plane`'s numbers: the two halves averaged, the lower one reversed, (i, p)."""
        halves = []
        for ks in pairs[where]:
            a, b = field(ks) if field is not None else planes(name, ks)
            halves.append(_mean_of(a, b))
        return np.concatenate([halves[0], halves[1][::-1]], axis=0).T

    def speed(ks: tuple[int, int]) -> tuple[np.ndarray, ...]:
        vx, vy, vz = (planes(n, ks) for n in ("Vx", "Vy", "Vz"))
        return tuple(np.sqrt(vx[m] ** 2 + vy[m] ** 2 + vz[m] ** 2) for m in range(2))

    geometry = {} if geometry is None else geometry
    if "x" not in geometry:
        xi, yi = _corners(one)
        geometry["x"], geometry["y"] = _centres(xi), _centres(yi)
    x, y = geometry["x"], geometry["y"]
    if "MagM0" in one.attrs:
        moment = float(one.attrs["MagM0"])
    else:  # residual_bz's configured dipole
        from .. import config

        moment = -float(config.get().rb.dipole_moment_nt)
    r2, z2 = x**2 + y**2, 0.0 * x
    bz = plane("Bz", "eq")
    out = {
        "dBz_eq": bz - moment * (3.0 * z2 - r2) / r2**2.5,
        "Bz_eq": bz,
        "D_eq": plane(density, "eq"),
        "V_eq": plane("V", "eq", speed),
        "P_mer": plane(pressure, "mer"),
        "D_mer": plane(density, "mer"),
        "x": x,
        "y": y,
    }
    if "Jy" in one.data_vars:
        out["Jy_mer"] = plane("Jy", "mer")
    for name in ("time", "step"):
        if name in one.coords and one[name].ndim == 0:
            out[name] = one[name].values
    out["runid"] = str(ds.attrs.get("runid", ""))
    return out


def ionosphere_step(ds: xr.Dataset, step: int | None = -1) -> xr.Dataset:
    """One step of a ReMIX Dataset: potential, field-aligned current and conductances.

    Args:
        ds: An ``ionosphere`` Dataset (:func:`geospacexr.open_remix`).
        step: The ``Step#`` number; ``-1`` the last step.

    Returns:
        ``potential`` (kV), ``fac`` (uA/m2, upward positive) and the other variables of that
        step on ``(hemisphere, colat, mlt)``, with the cell corners ``colat_corner``,
        ``mlt_corner``.

    Raises:
        WrongKindError: If ``ds`` is not an ``ionosphere`` Dataset.
        MissingVariableError: If ``potential`` or ``fac`` is missing.
        InvalidArgumentError: If the run has no such step.
    """
    require(ds, "ionosphere", ["potential", "fac", "colat_corner", "mlt_corner"],
            "ionosphere_step")  # fmt: skip
    return select_step(ds, step)
