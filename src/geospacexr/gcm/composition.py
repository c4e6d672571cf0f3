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


def mean_molecular_mass(ds: xr.Dataset) -> xr.DataArray:
    """Mean molecular mass (amu) over O2, O, He and N2 (N2 by closure when absent).

    Args:
        ds: A ``gcm`` Dataset with O1 and O2 (HE and N2 used when present).

    Returns:
        DataArray on the species' grid, ``units = "amu"``.

    Raises:
        MissingVariableError: If O1 or O2 is missing.
    """
    gcm_dataset(ds, "mean_molecular_mass", ("O1", "O2"))
    o1, o2 = ds["O1"], ds["O2"]
    he = _species(ds, "HE")
    he = 0.0 * o1 if he is None else he
    n2 = _species(ds, "N2")
    if n2 is None:
        n2 = 1.0 - o1 - o2 - he
    if _is_vmr(ds):
        mbar = (
            o1 * MOLECULAR_MASS["O1"]
            + o2 * MOLECULAR_MASS["O2"]
            + he * MOLECULAR_MASS["HE"]
            + n2 * MOLECULAR_MASS["N2"]
        )
        mbar = mbar / (o1 + o2 + he + n2)
    else:
        mbar = 1.0 / (
            o1 / MOLECULAR_MASS["O1"]
            + o2 / MOLECULAR_MASS["O2"]
            + he / MOLECULAR_MASS["HE"]
            + n2 / MOLECULAR_MASS["N2"]
        )
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


def total_number_density(ds: xr.Dataset) -> xr.DataArray:
    """Total neutral number density n = p / (k T), cm-3, on the midpoint grid.

    Args:
        ds: A ``gcm`` Dataset with TN.

    Returns:
        DataArray, ``units = "cm-3"``.
    """
    gcm_dataset(ds, "total_number_density", ("TN",))
    n = _pressure_dyn(ds, "lev") / (BOLTZMANN_CGS * ds["TN"])
    n.attrs = {"long_name": "total neutral number density", "units": "cm-3"}
    n.name = "NTOT"
    return n


def density(ds: xr.Dataset, species: str, unit: str = "cm-3") -> xr.DataArray:
    """Number density, mass density or mixing ratio of a species.

    Args:
        ds: A ``gcm`` Dataset.
        species: Name as in the file (O1, O2, NO, HE... for TIE-GCM; O, O2... for WACCM-X);
            ``"O"`` is accepted for O1.
        unit: ``"cm-3"``, ``"m-3"``, ``"g/cm3"``, ``"kg/m3"``, ``"mmr"`` or ``"mol/mol"``.

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
    mbar = mean_molecular_mass(ds)
    vmr = da if _is_vmr(ds) else da * mbar / mass
    mmr = da if not _is_vmr(ds) else da * mass / mbar
    if unit == "mol/mol":
        out = vmr
    elif unit == "mmr":
        out = mmr
    else:
        n = vmr * total_number_density(ds)
        out = {
            "cm-3": n,
            "m-3": n * 1e6,
            "g/cm3": n * mass * AMU_G,
            "kg/m3": n * mass * AMU_G * 1e3,
        }[unit]
    out.attrs = {
        "long_name": f"{name} {_KIND[unit]}",
        "units": unit,
        "source_name": str(da.attrs.get("source_name", name)),
    }
    out.name = name
    return out
