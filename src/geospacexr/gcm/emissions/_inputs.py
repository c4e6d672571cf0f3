"""What an emission receives: its inputs found in a Dataset, as number densities, on one grid.

* a species stored as a mixing ratio (``mmr`` for TIE-GCM, ``mol/mol`` for WACCM-X; N2 by
  closure when the file has none) becomes a number density in cm-3
  (:func:`geospacexr.gcm.density`);
* an input on the other vertical grid is put on the emission's grid (``lev`` when any input is
  on ``lev``) at the level's log-pressure, log-linearly for densities and linearly otherwise.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ...errors import MissingVariableError
from .._select import ALIASES
from ._registry import Emission

_MIXING_RATIO = ("mmr", "mol/mol")


def _resolve(ds: xr.Dataset, name: str, derivable: list[str]) -> str | None:
    """The Dataset's name for an input, or ``None`` when it is neither on file nor derivable."""
    if name in ds.data_vars:
        return name
    alias = ALIASES.get(name)
    if alias and alias in ds.data_vars:
        return alias
    for var_name in ds.data_vars:  # the Variables' attrs: a DataArray each would cost ~1 ms
        if ds.variables[var_name].attrs.get("source_name") == name:
            return str(var_name)
    return name if name in derivable else None


def _is_mixing_ratio(units: str) -> bool:
    low = units.lower()
    return any(u in low for u in _MIXING_RATIO)


def _missing(ds: xr.Dataset, entry: Emission) -> list[str]:
    from ..derived import available as derivable_fields

    derivable = derivable_fields(ds)
    missing: list[str] = []
    needs_density = False
    for name in entry.inputs:
        found = _resolve(ds, name, derivable)
        if found is None:
            missing.append(name)
        elif found in ds.data_vars:
            needs_density |= _is_mixing_ratio(str(ds[found].attrs.get("units", "")))
        else:  # derived (N2 by closure): a mixing ratio
            needs_density = True
    if needs_density:
        missing += [v for v in ("TN", "O1", "O2") if v not in ds.data_vars and v not in missing]
    return missing


def _check_inputs(ds: xr.Dataset, entry: Emission, where: str) -> None:
    missing = _missing(ds, entry)
    if missing:
        model = ds.attrs.get("model", "GCM")
        note = " (TIE-GCM files carry no CO2)" if "CO2" in missing and model == "TIE-GCM" else ""
        raise MissingVariableError(
            f"{where}: emission {entry.name} needs {', '.join(missing)}, which this {model} "
            f"Dataset lacks{note} (inputs: {', '.join(entry.inputs)})"
        )


def _input_array(
    ds: xr.Dataset, name: str, shared: dict[str, xr.DataArray] | None = None
) -> xr.DataArray:
    """One input as the function receives it: number density for a mixing ratio.

    ``shared`` (a dict kept over the inputs of one computation) holds the mean molecular mass
    and total density that every number density of ``ds`` needs, computed once: in memory each
    density would compute them again (in a dask graph they are shared by their keys anyway).
    """
    from .._select import variable
    from ..composition import density, mean_molecular_mass, total_number_density

    da = variable(ds, name, "emission")
    if _is_mixing_ratio(str(da.attrs.get("units", ""))):
        if shared is None:
            return density(ds, str(da.name), "cm-3")
        if not shared:
            shared["mbar"] = mean_molecular_mass(ds)
            shared["ntot"] = total_number_density(ds)
        da = density(ds, str(da.name), "cm-3", mbar=shared["mbar"], ntot=shared["ntot"])
    return da


def _input_dims(ds: xr.Dataset, entry: Emission) -> list[tuple[str, ...]]:
    """Dims of each input, without computing anything (a derived input is on O1's grid)."""
    from ..derived import available as derivable_fields

    derivable = derivable_fields(ds)
    out = []
    for name in entry.inputs:
        found = _resolve(ds, name, derivable)
        out.append(tuple(ds[found if found in ds.data_vars else "O1"].dims))
    return out


def _grid(ds: xr.Dataset, entry: Emission) -> str | None:
    grids = {d for dims in _input_dims(ds, entry) for d in dims if d in ("lev", "ilev")}
    return "lev" if "lev" in grids else ("ilev" if "ilev" in grids else None)


def _log_pressure(ds: xr.Dataset, grid: str) -> np.ndarray:
    values = np.asarray(ds[grid].values, dtype=np.float64)
    # TIE-GCM levels are ln(p0/p) already; WACCM-X levels are (reference) pressures in hPa
    return -np.log(values) if ds.attrs.get("model") == "WACCM-X" else values


def _to_grid(ds: xr.Dataset, da: xr.DataArray, source: str, grid: str) -> xr.DataArray:
    """Put a field of one vertical grid on the other, at the target levels' log-pressure."""
    from ..heights import interpolation_for

    x_src, x_dst = _log_pressure(ds, source), _log_pressure(ds, grid)
    order = np.argsort(x_src)
    xs = x_src[order]
    j = np.clip(np.searchsorted(xs, x_dst) - 1, 0, xs.size - 2)
    w = (x_dst - xs[j]) / (xs[j + 1] - xs[j])
    inside = (x_dst >= xs[0] - 1e-9) & (x_dst <= xs[-1] + 1e-9)
    i0 = xr.DataArray(order[j], dims=grid)
    i1 = xr.DataArray(order[j + 1], dims=grid)
    weight = xr.DataArray(np.where(inside, w, np.nan), dims=grid)
    da = da.astype(np.float64)
    if da.chunks:
        da = da.chunk({source: -1})
    a, b = da.isel({source: i0}), da.isel({source: i1})
    if interpolation_for(da) == "log":
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.exp(np.log(a) * (1.0 - weight) + np.log(b) * weight)
    else:
        out = a * (1.0 - weight) + b * weight
    out = out.drop_vars([c for c in da.coords if source in da[c].dims and c in out.coords])
    out = out.assign_coords({grid: ds[grid].variable})
    out.attrs = da.attrs
    out.name = da.name
    return out
