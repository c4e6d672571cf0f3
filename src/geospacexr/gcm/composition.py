"""Number and mass densities from the models' mixing ratios.

Conventions (stated once, used everywhere):

* the Boltzmann constant is CODATA's, 1.380649e-16 erg/K (GCMprocpy and tgcmproc use 1.3805e-16:
  1.1e-4 relative);
* the mean molecular mass counts O2, O, He and N2, N2 by closure when the file has none
  (TIE-GCM: m = 1 / (O2/32 + O/16 + He/4 + N2/28) from mass mixing ratios, N2 = 1 - O2 - O - He;
  WACCM-X: m = sum of x_i M_i from volume mixing ratios). GCMprocpy leaves He out; below about
  200 km, where He is negligible, the two agree to ~1e-4, but near the top of the model, where He
  is abundant, leaving it out overestimates the mean mass and densities by up to ~15 %;
* the total number density is n = p / (k T), with p the level's pressure (p0 exp(-lev) for
  TIE-GCM, hyam P0 + hybm PS for WACCM-X) and T the neutral temperature.

TIE-GCM species are mass mixing ratios, n_i = mmr_i n m / M_i; WACCM-X species are volume mixing
ratios, n_i = vmr_i n.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import xarray as xr

from ..errors import InvalidArgumentError, MissingVariableError
from ..physics import AMU_G, BOLTZMANN_CGS, MOLECULAR_MASS
from ._select import ALIASES, gcm_dataset, variable

__all__ = ["DENSITY_UNITS", "density", "mean_molecular_mass", "total_number_density"]

#: Units :func:`density` can return.
DENSITY_UNITS = ("cm-3", "m-3", "g/cm3", "kg/m3", "mmr", "mol/mol")
_KIND = {
    "cm-3": "number density",
    "m-3": "number density",
    "g/cm3": "mass density",
    "kg/m3": "mass density",
    "mmr": "mass mixing ratio",
    "mol/mol": "volume mixing ratio",
}


def _is_vmr(ds: xr.Dataset) -> bool:
    return ds.attrs.get("model") == "WACCM-X"


def _species(ds: xr.Dataset, name: str) -> xr.DataArray | None:
    name = ALIASES.get(name, name)
    return ds[name] if name in ds.data_vars else None


def _owned(op: np.ufunc, scratch: np.ndarray | None, *operands: object) -> np.ndarray:
    """``op(*operands)``, written into ``scratch`` (a temporary of this block) when it fits.

    The values are those of ``op(*operands)`` in every case (the same loop, the same dtype):
    only the allocation of a new array (whose pages fault in again under a small
    ``MALLOC_TRIM_THRESHOLD_``) is saved. Inputs of a block are never written into.
    """
    if scratch is not None:
        shape = np.broadcast_shapes(*(np.shape(a) for a in operands))
        if scratch.shape == shape and scratch.dtype == np.result_type(*operands):
            return op(*operands, out=scratch)
    return op(*operands)


def _mbar_block(
    vmr: bool, has_he: bool, has_n2: bool, o1: np.ndarray, o2: np.ndarray, *rest: np.ndarray
) -> np.ndarray:
    """The mean molecular mass of one block, in two temporaries (see :func:`mean_molecular_mass`).

    Each element goes through the operations of the plain expressions, in their order, so the
    result is that of ``1 / (o1/M + o2/M + he/M + n2/M)`` (mass mixing ratios) or
    ``(o1 M + o2 M + he M + n2 M) / (o1 + o2 + he + n2)`` (volume mixing ratios) to the bit.
    """
    he = rest[0] if has_he else np.multiply(0.0, o1)  # 0 * o1: NaN where o1 is
    n2 = rest[int(has_he)] if has_n2 else None
    if n2 is None:  # closure: ((1 - o1) - o2) - he
        n2 = np.subtract(1.0, o1)
        n2 = _owned(np.subtract, n2, n2, o2)
        n2 = _owned(np.subtract, n2, n2, he)
    mass = (MOLECULAR_MASS["O1"], MOLECULAR_MASS["O2"], MOLECULAR_MASS["HE"], MOLECULAR_MASS["N2"])
    species = (o1, o2, he, n2)
    op = np.multiply if vmr else np.divide
    total = op(o1, mass[0])
    term = None
    for x, m in zip(species[1:], mass[1:], strict=True):
        term = _owned(op, term, x, m)
        total = _owned(np.add, total, total, term)
    if vmr:
        weight = _owned(np.add, term, o1, o2)
        weight = _owned(np.add, weight, weight, he)
        weight = _owned(np.add, weight, weight, n2)
        return _owned(np.divide, total, total, weight)
    return _owned(np.divide, total, 1.0, total)


def _blockwise(func: object, *arrays: xr.DataArray) -> xr.DataArray:
    """``func`` over the blocks of ``arrays`` (element-wise, broadcast by dims; dask or not)."""
    dtype = np.result_type(*(a.dtype for a in arrays), 1.0)
    return xr.apply_ufunc(
        func, *arrays, dask="parallelized", output_dtypes=[dtype], keep_attrs=True
    )


def mean_molecular_mass(ds: xr.Dataset) -> xr.DataArray:
    """Mean molecular mass (amu) over O2, O, He and N2 (N2 by closure when absent).

    Computed block by block in two temporaries of a block's size (not one array per operation):
    the values are those of the formulas of the module's docstring, evaluated in their order.

    Args:
        ds: A ``gcm`` Dataset with O1 and O2 (HE and N2 used when present).

    Returns:
        DataArray on the species' grid, ``units = "amu"``.

    Raises:
        MissingVariableError: If O1 or O2 is missing.
    """
    gcm_dataset(ds, "mean_molecular_mass", ("O1", "O2"))
    he, n2 = _species(ds, "HE"), _species(ds, "N2")
    present = [a for a in (he, n2) if a is not None]
    func = partial(_mbar_block, _is_vmr(ds), he is not None, n2 is not None)
    mbar = _blockwise(func, ds["O1"], ds["O2"], *present)
    mbar.attrs = {
        "long_name": "mean molecular mass (O2, O, He, N2)"
        if "HE" in ds or "He" in ds
        else "mean molecular mass (O2, O, N2; no He in the Dataset, e.g. tiegcm1.94)",
        "units": "amu",
    }
    mbar.name = "MBAR"
    return mbar


def _pressure_dyn(ds: xr.Dataset, grid: str) -> xr.DataArray:
    name = "pressure" if grid == "lev" else "ipressure"
    return ds[name] * 1000.0  # hPa -> dyn/cm2


def _ntot_block(p: np.ndarray, tn: np.ndarray) -> np.ndarray:
    """The total density p / (k T) of one block, in k T's temporary when its dtype fits."""
    kt = np.multiply(BOLTZMANN_CGS, tn)
    return _owned(np.divide, kt, p, kt)


def total_number_density(ds: xr.Dataset) -> xr.DataArray:
    """Total neutral number density n = p / (k T), cm-3, on the midpoint grid.

    Args:
        ds: A ``gcm`` Dataset with TN.

    Returns:
        DataArray, ``units = "cm-3"``.
    """
    gcm_dataset(ds, "total_number_density", ("TN",))
    n = _blockwise(_ntot_block, _pressure_dyn(ds, "lev"), ds["TN"])
    n.attrs = {"long_name": "total neutral number density", "units": "cm-3"}
    n.name = "NTOT"
    return n


def _density_block(
    vmr_model: bool, unit: str, mass: float, da: np.ndarray, mbar: np.ndarray, *ntot: np.ndarray
) -> np.ndarray:
    """One block of :func:`density`: the operations of its plain expressions, in their order."""
    if vmr_model:
        vmr = da
        mmr = _owned(np.divide, None, np.multiply(da, mass), mbar) if unit == "mmr" else da
    else:
        vmr = np.multiply(da, mbar) if unit != "mmr" else da
        if vmr is not da:
            vmr = _owned(np.divide, vmr, vmr, mass)
        mmr = da
    if unit == "mol/mol":
        return vmr
    if unit == "mmr":
        return mmr
    n = _owned(np.multiply, vmr if vmr is not da else None, vmr, ntot[0])
    if unit == "m-3":
        return _owned(np.multiply, n, n, 1e6)
    if unit in ("g/cm3", "kg/m3"):
        n = _owned(np.multiply, n, n, mass)
        n = _owned(np.multiply, n, n, AMU_G)
        if unit == "kg/m3":
            n = _owned(np.multiply, n, n, 1e3)
    return n


def density(
    ds: xr.Dataset,
    species: str,
    unit: str = "cm-3",
    *,
    mbar: xr.DataArray | None = None,
    ntot: xr.DataArray | None = None,
) -> xr.DataArray:
    """Number density, mass density or mixing ratio of a species.

    Args:
        ds: A ``gcm`` Dataset.
        species: Name as in the file (O1, O2, NO, HE... for TIE-GCM; O, O2... for WACCM-X);
            ``"O"`` is accepted for O1.
        unit: ``"cm-3"``, ``"m-3"``, ``"g/cm3"``, ``"kg/m3"``, ``"mmr"`` or ``"mol/mol"``.
        mbar: ``mean_molecular_mass(ds)``, when already computed (several densities of one
            Dataset in memory then share it; a dask graph shares it anyway).
        ntot: ``total_number_density(ds)``, likewise.

    Returns:
        DataArray with ``attrs["units"] = unit``.

    Raises:
        MissingVariableError: If the species, TN, O1 or O2 is missing.
        InvalidArgumentError: If the unit or the species' mass is unknown (a ``ValueError``).
    """
    gcm_dataset(ds, "density")
    if unit not in DENSITY_UNITS:
        raise InvalidArgumentError(f"unit must be one of {', '.join(DENSITY_UNITS)}, not {unit!r}")
    da = variable(ds, species, "density")
    name = str(da.name)
    mass = MOLECULAR_MASS.get(name) or MOLECULAR_MASS.get(str(da.attrs.get("source_name", "")))
    if mass is None:
        raise InvalidArgumentError(
            f"no molecular mass known for {name}: density() handles "
            f"{', '.join(sorted(MOLECULAR_MASS))}"
        )
    missing = [v for v in ("TN", "O1", "O2") if v not in ds]
    if missing:
        raise MissingVariableError(f"density needs {', '.join(missing)} besides {name}")
    vmr_model = _is_vmr(ds)
    if (unit == "mol/mol" and vmr_model) or (unit == "mmr" and not vmr_model):
        out = da.copy(deep=False)  # the stored mixing ratio (its attrs replaced below)
    else:
        # one block function over the field, the mean mass and the total density (those two
        # shared by every density of the same Dataset in one graph): the operations of
        # da * mbar / mass * p / (k T) in their order, in the block's temporaries
        arrays = [da, mean_molecular_mass(ds) if mbar is None else mbar]
        if unit not in ("mol/mol", "mmr"):
            arrays.append(total_number_density(ds) if ntot is None else ntot)
        out = _blockwise(partial(_density_block, vmr_model, unit, mass), *arrays)
    out.attrs = {
        "long_name": f"{name} {_KIND[unit]}",
        "units": unit,
        "source_name": str(da.attrs.get("source_name", name)),
    }
    out.name = name
    return out
