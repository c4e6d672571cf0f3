"""Derived fields: a registry. Adding one is one function and one decorator line.

The module is itself callable: ``geospacexr.gcm.derived(ds, "O/N2")`` is
:func:`derived`, and ``geospacexr.gcm.derived.available(ds)`` lists what a Dataset can compute.

The registry speaks the common dialect (:mod:`geospacexr._registry`): :func:`register_derived`,
:func:`list_derived` (every registered name; ``details=True`` for one dict per field), and an
unknown name raises :class:`~geospacexr.errors.UnknownDerivedError` (both an
:class:`~geospacexr.errors.UnknownNameError` and the
:class:`~geospacexr.errors.MissingVariableError` raised before). :func:`registry` (name -> entry)
and :func:`available` (what one Dataset can compute) are kept.

Contract of a derived field: ``func(ds: xarray.Dataset) -> xarray.DataArray``. It receives the
whole ``gcm`` Dataset (every variable the decorator's ``inputs`` names is present, in the file's
own units: mixing ratios stay mixing ratios) because a derived field may need columns, heights
or pressures, and returns a DataArray on the Dataset's grid, lazy when the Dataset is; the
decorator declares ``inputs``, ``units``, ``long_name`` and ``reference``, which
:func:`derived` writes into the result's attrs.

Example:
    >>> @register_derived("TN_C", inputs=("TN",), units="degC",
    ...                   long_name="neutral temperature in Celsius", reference="definition")
    ... def _tn_celsius(ds):
    ...     return ds["TN"] - 273.15

Ratios of species (``O/N2``, ``N2/O``, ``O/O2``, ``O/(O2+N2)``, ``O/CO2``) are ratios of *number
densities*, whatever the file stores. GCMprocpy divides the stored mixing ratios, which for
TIE-GCM's mass mixing ratios gives mass ratios (its O/N2 is 28/16 = 1.75 times the number-density
ratio); multiply ours by the mass ratio to compare.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from .._checks import require
from .._registry import Registry
from ..errors import MissingVariableError, UnknownDerivedError
from ..physics import AMU_G, BOLTZMANN_CGS, MOLECULAR_MASS, gravity
from ._select import fused

__all__ = ["Derived", "available", "derived", "list_derived", "register_derived", "registry"]


@dataclass(frozen=True)
class Derived:
    """A registered derived field.

    Attributes:
        name: Registry name.
        func: ``func(ds) -> DataArray``.
        inputs: Variables the Dataset must hold.
        units: Units of the result.
        long_name: Description.
        reference: Formula source (paper, model documentation).
    """

    name: str
    func: Callable[[xr.Dataset], xr.DataArray]
    inputs: tuple[str, ...]
    units: str
    long_name: str
    reference: str


#: The derived fields by name.
_REGISTRY: Registry[Derived] = Registry("derived field", error=UnknownDerivedError)


def register_derived(
    name: str,
    *,
    inputs: tuple[str, ...],
    units: str,
    long_name: str,
    reference: str,
    replace: bool = False,
) -> Callable[[Callable[[xr.Dataset], xr.DataArray]], Callable[[xr.Dataset], xr.DataArray]]:
    """Register a derived field (decorator).

    The decorated function takes the ``gcm`` Dataset and returns the field as a DataArray (see
    the module notes); it is returned unchanged.

    Args:
        name: Name users ask for.
        inputs: Variables needed (checked before the function is called).
        units: Units of the result.
        long_name: Description.
        reference: Where the formula comes from.
        replace: Replace a field already registered under ``name`` by another function (the
            same function defined again, as a re-run notebook cell does, always replaces).

    Returns:
        The decorator.

    Raises:
        InvalidArgumentError: If another function is registered under ``name`` and
            ``replace`` is false.
    """

    def decorator(
        func: Callable[[xr.Dataset], xr.DataArray],
    ) -> Callable[[xr.Dataset], xr.DataArray]:
        entry = Derived(name, func, tuple(inputs), units, long_name, reference)
        _REGISTRY.add(name, entry, replace=replace, source=func)
        return func

    return decorator


def registry() -> dict[str, Derived]:
    """Return every registered derived field by name (a copy; see :func:`list_derived`)."""
    return dict(_REGISTRY)


def list_derived(details: bool = False) -> list[str] | list[dict[str, Any]]:
    """List the registered derived fields (whatever a Dataset holds; see :func:`available`).

    Args:
        details: If true, one dict per field instead of its name.

    Returns:
        Sorted names; with ``details``, dicts with ``name``, ``description`` (the long name),
        ``inputs``, ``units`` and ``reference``.

    Example:
        >>> "O/N2" in list_derived()
        True
    """
    return _REGISTRY.listing(
        details,
        lambda e: {
            "name": e.name,
            "description": e.long_name,
            "inputs": list(e.inputs),
            "units": e.units,
            "reference": e.reference,
        },
    )


def available(ds: xr.Dataset) -> list[str]:
    """Names of the derived fields this Dataset can compute (all inputs present, not on file).

    Args:
        ds: A ``gcm`` Dataset.

    Returns:
        Sorted names.
    """
    return sorted(
        name
        for name, entry in _REGISTRY.items()
        if all(v in ds.variables for v in entry.inputs) and name not in ds.data_vars
    )


def derived(ds: xr.Dataset, name: str) -> xr.DataArray:
    """Compute a derived field.

    Args:
        ds: A ``gcm`` Dataset.
        name: Registry name (see :func:`registry`).

    Returns:
        DataArray with ``units``, ``long_name`` and ``reference`` in its attrs.

    Raises:
        UnknownDerivedError: If the name is unknown (a ``MissingVariableError`` too; the
            message names close matches).
        MissingVariableError: If the Dataset lacks inputs (they are named).
    """
    require(ds, "gcm", where="derived")
    entry = _REGISTRY[name]
    missing = [v for v in entry.inputs if v not in ds.variables]
    if missing:
        raise MissingVariableError(
            f"derived field {name} needs {', '.join(missing)}, which this "
            f"{ds.attrs.get('model', 'GCM')} Dataset lacks (needs: {', '.join(entry.inputs)})"
        )
    out = entry.func(ds)
    canonical = [d for d in ("time", "lev", "ilev", "lat", "lon") if d in out.dims]
    out = out.transpose(*canonical, ...)
    out.attrs = {"long_name": entry.long_name, "units": entry.units, "reference": entry.reference}
    out.name = name
    return fused(out)


# ---------------------------------------------------------------------------------------------
# helpers


def _vmr(ds: xr.Dataset, name: str) -> xr.DataArray:
    """Volume mixing ratio of a species whatever the file stores."""
    from .composition import mean_molecular_mass

    da = ds[name]
    if ds.attrs.get("model") == "WACCM-X":
        return da
    return da * mean_molecular_mass(ds) / MOLECULAR_MASS[name]


def _n2(ds: xr.Dataset) -> xr.DataArray:
    if "N2" in ds:
        return ds["N2"]
    he = ds["HE"] if "HE" in ds else 0.0
    return 1.0 - ds["O1"] - ds["O2"] - he


def _ratio(ds: xr.Dataset, top: tuple[str, ...], bottom: tuple[str, ...]) -> xr.DataArray:
    ds = ds if "N2" in ds else ds.assign(N2=_n2(ds))
    num = sum(_vmr(ds, n) for n in top)
    den = sum(_vmr(ds, n) for n in bottom)
    return num / den


# ---------------------------------------------------------------------------------------------
# entries

_GCM_REF = "NCAR TIE-GCM documentation; tgcmproc/GCMprocpy derived fields"


@register_derived(
    "N2",
    inputs=("O1", "O2"),
    units="mmr or mol/mol (as O1)",
    long_name="molecular nitrogen by closure (1 - O2 - O - He)",
    reference="TIE-GCM addiag.F: N2 = 1 - O2 - O1 - HE",
)
def _n2_closure(ds: xr.Dataset) -> xr.DataArray:
    he = ds["HE"] if "HE" in ds else 0.0
    return 1.0 - ds["O1"] - ds["O2"] - he


@register_derived(
    "MBAR",
    inputs=("O1", "O2"),
    units="amu",
    long_name="mean molecular mass (O2, O, He, N2)",
    reference="m = 1/sum(mmr_i/M_i); m = sum(x_i M_i)",
)
def _mbar(ds: xr.Dataset) -> xr.DataArray:
    from .composition import mean_molecular_mass

    return mean_molecular_mass(ds)


@register_derived(
    "PMB",
    inputs=("TN",),
    units="hPa",
    long_name="pressure (mb)",
    reference="TIE-GCM p = p0 exp(-lev), p0 = 5e-4 microbar; CAM p = hyam P0 + hybm PS",
)
def _pmb(ds: xr.Dataset) -> xr.DataArray:
    return ds["pressure"] + 0.0 * ds["TN"]


@register_derived(
    "RHO",
    inputs=("TN", "O1", "O2"),
    units="g/cm3",
    long_name="neutral mass density",
    reference="rho = n m amu, n = p/(kT)",
)
def _rho(ds: xr.Dataset) -> xr.DataArray:
    from .composition import mean_molecular_mass, total_number_density

    return total_number_density(ds) * mean_molecular_mass(ds) * AMU_G


@register_derived(
    "SCALE_HEIGHT",
    inputs=("TN", "O1", "O2", "ZG"),
    units="km",
    long_name="pressure scale height kT/(m g)",
    reference="H = kT/(m g(h, lat)), gravity from geospacexr.physics.gravity",
)
def _scale_height(ds: xr.Dataset) -> xr.DataArray:
    from .composition import mean_molecular_mass
    from .heights import column_heights

    h_cm = column_heights(ds, "lev") * 1e5
    g = xr.apply_ufunc(gravity, h_cm, ds["lat"], dask="allowed")
    return BOLTZMANN_CGS * ds["TN"] / (mean_molecular_mass(ds) * AMU_G * g) * 1e-5


@register_derived(
    "O/N2",
    inputs=("O1", "O2"),
    units="1",
    long_name="O/N2 number-density ratio",
    reference=_GCM_REF,
)
def _o_n2(ds: xr.Dataset) -> xr.DataArray:
    return _ratio(ds, ("O1",), ("N2",))


@register_derived(
    "N2/O",
    inputs=("O1", "O2"),
    units="1",
    long_name="N2/O number-density ratio",
    reference=_GCM_REF,
)
def _n2_o(ds: xr.Dataset) -> xr.DataArray:
    return _ratio(ds, ("N2",), ("O1",))


@register_derived(
    "O/O2",
    inputs=("O1", "O2"),
    units="1",
    long_name="O/O2 number-density ratio",
    reference=_GCM_REF,
)
def _o_o2(ds: xr.Dataset) -> xr.DataArray:
    return _ratio(ds, ("O1",), ("O2",))


@register_derived(
    "O/(O2+N2)",
    inputs=("O1", "O2"),
    units="1",
    long_name="O/(O2+N2) number-density ratio",
    reference=_GCM_REF,
)
def _o_o2n2(ds: xr.Dataset) -> xr.DataArray:
    return _ratio(ds, ("O1",), ("O2", "N2"))


@register_derived(
    "O/CO2",
    inputs=("O1", "O2", "CO2"),
    units="1",
    long_name="O/CO2 number-density ratio",
    reference=_GCM_REF,
)
def _o_co2(ds: xr.Dataset) -> xr.DataArray:
    return _ratio(ds, ("O1",), ("CO2",))


def _number_density_sum(ds: xr.Dataset, names: tuple[str, ...]) -> xr.DataArray:
    from .composition import density

    return sum(density(ds, n, "cm-3") for n in names)


@register_derived(
    "OX",
    inputs=("TN", "O1", "O2", "O3"),
    units="cm-3",
    long_name="odd oxygen O + O3",
    reference=_GCM_REF,
)
def _ox(ds: xr.Dataset) -> xr.DataArray:
    return _number_density_sum(ds, ("O1", "O3"))


@register_derived(
    "NOZ",
    inputs=("TN", "O1", "O2", "NO", "NO2"),
    units="cm-3",
    long_name="NO + NO2",
    reference=_GCM_REF,
)
def _noz(ds: xr.Dataset) -> xr.DataArray:
    return _number_density_sum(ds, ("NO", "NO2"))


@register_derived(
    "HOX",
    inputs=("TN", "O1", "O2", "OH", "HO2", "H"),
    units="cm-3",
    long_name="odd hydrogen OH + HO2 + H",
    reference=_GCM_REF,
)
def _hox(ds: xr.Dataset) -> xr.DataArray:
    return _number_density_sum(ds, ("OH", "HO2", "H"))


#: Marti & Mauersberger (1993) ice vapour pressure: log10(p / Pa) = A - B / T.
_FROST_A = 12.537
_FROST_B_K = 2663.5


@register_derived(
    "TNFP",
    inputs=("TN", "H2O"),
    units="K",
    long_name="temperature above the frost point (TN - T_frost)",
    reference="Marti & Mauersberger (1993), GRL 20, 363: log10(p_ice/Pa) = 12.537 - 2663.5/T",
)
def _tnfp(ds: xr.Dataset) -> xr.DataArray:
    """TN minus the frost point of the local water vapour (negative: ice can form, e.g. PMCs).

    The water vapour partial pressure is the H2O volume mixing ratio (WACCM-X stores it; a
    TIE-GCM mass mixing ratio is converted with the mean molecular mass, so O1 and O2 are then
    needed too) times the pressure, in Pa; a non-positive partial pressure gives NaN.
    """
    p_h2o = _vmr(ds, "H2O") * ds["pressure"] * 100.0  # hPa -> Pa
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = np.log10(p_h2o.where(p_h2o > 0))
    frost = _FROST_B_K / (_FROST_A - log_p)
    return ds["TN"] - frost


@register_derived(
    "TEC",
    inputs=("NE", "ZG"),
    units="TECU",
    long_name="total electron content (vertical integral of NE)",
    reference="TEC = integral of NE dh; 1 TECU = 1e16 m-2 = 1e12 cm-2",
)
def _tec(ds: xr.Dataset) -> xr.DataArray:
    from .heights import column_heights

    grid = "ilev" if "ilev" in ds["NE"].dims else "lev"
    h_cm = column_heights(ds, grid) * 1e5
    ne = ds["NE"]
    integral = xr.apply_ufunc(
        _trapezoid,
        ne,
        h_cm,
        input_core_dims=[[grid], [grid]],
        dask="parallelized",
        output_dtypes=[np.float64],
    )
    return integral / 1e12


def _trapezoid(values: np.ndarray, heights: np.ndarray) -> np.ndarray:
    ok = np.isfinite(values) & np.isfinite(heights)
    v = np.where(ok, values, 0.0)
    h = np.where(ok, heights, np.nan)
    order = np.argsort(np.where(ok, heights, np.inf), axis=-1)
    v = np.take_along_axis(v, order, axis=-1)
    h = np.take_along_axis(h, order, axis=-1)
    dh = np.diff(h, axis=-1)
    mid = 0.5 * (v[..., 1:] + v[..., :-1])
    return np.nansum(np.where(np.isfinite(dh), mid * dh, 0.0), axis=-1)


@register_derived(
    "ON2_COLUMN",
    inputs=("TN", "O1", "O2", "ZG"),
    units="1",
    long_name="column O/N2 ratio (GUVI: O column above the N2 column depth of 1e17 cm-2)",
    reference="Strickland, Evans and Paxton (1995), JGR 100(A7), 12217; Strickland et al. (2004), "
    "JGR 109, A01302",
)
def _on2_column(ds: xr.Dataset) -> xr.DataArray:
    from .composition import density
    from .heights import column_heights

    n_o = density(ds, "O1", "cm-3")
    n_n2 = (
        density(ds.assign(N2=_n2(ds)), "N2", "cm-3")
        if "N2" not in ds
        else density(ds, "N2", "cm-3")
    )
    h_cm = column_heights(ds, "lev") * 1e5
    return xr.apply_ufunc(
        _column_ratio,
        n_o,
        n_n2,
        h_cm,
        input_core_dims=[["lev"], ["lev"], ["lev"]],
        dask="parallelized",
        output_dtypes=[np.float64],
    )


GUVI_N2_COLUMN = 1e17  # cm-2, the reference N2 column depth of the GUVI O/N2 product


def _column_ratio(n_o: np.ndarray, n_n2: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Integrate O and N2 from the top down; the O column where the N2 column reaches 1e17.

    Densities are taken as exponential between levels (exact for a constant scale height), and
    the column above the highest level is n H with the local scale height of each species.
    """
    ok = np.isfinite(h) & np.isfinite(n_o) & np.isfinite(n_n2) & (n_o > 0) & (n_n2 > 0)
    out = np.full(h.shape[:-1], np.nan)
    flat_o = n_o.reshape(-1, h.shape[-1])
    flat_n = n_n2.reshape(-1, h.shape[-1])
    flat_h = h.reshape(-1, h.shape[-1])
    flat_ok = ok.reshape(-1, h.shape[-1])
    res = out.reshape(-1)
    # vectorised over columns: use the common valid levels (all but the top midpoint in TIE-GCM)
    common = flat_ok.all(axis=0)
    idx = np.nonzero(common)[0]
    if idx.size < 3:
        return out
    o, n2, z = flat_o[:, idx], flat_n[:, idx], flat_h[:, idx]
    order = np.argsort(z[0])[::-1]  # top first
    o, n2, z = o[:, order], n2[:, order], z[:, order]

    def layer(n: np.ndarray) -> np.ndarray:
        dz = z[:, :-1] - z[:, 1:]
        ratio = n[:, 1:] / n[:, :-1]
        scale = dz / np.log(ratio)
        return np.where(np.abs(ratio - 1) > 1e-9, (n[:, 1:] - n[:, :-1]) * scale, n[:, :-1] * dz)

    def top(n: np.ndarray) -> np.ndarray:
        hscale = (z[:, 0] - z[:, 1]) / np.log(n[:, 1] / n[:, 0])
        return n[:, 0] * hscale

    col_o = np.concatenate([top(o)[:, None], top(o)[:, None] + np.cumsum(layer(o), axis=1)], axis=1)
    col_n = np.concatenate(
        [top(n2)[:, None], top(n2)[:, None] + np.cumsum(layer(n2), axis=1)], axis=1
    )
    # find where log(col_n) crosses log(1e17) and interpolate log(col_o) there
    target = np.log(GUVI_N2_COLUMN)
    ln_n, ln_o = np.log(col_n), np.log(col_o)
    above = (ln_n < target).sum(axis=1) - 1
    k = np.clip(above, 0, ln_n.shape[1] - 2)
    rows = np.arange(ln_n.shape[0])
    w = (target - ln_n[rows, k]) / (ln_n[rows, k + 1] - ln_n[rows, k])
    value = np.exp(ln_o[rows, k] + w * (ln_o[rows, k + 1] - ln_o[rows, k])) / GUVI_N2_COLUMN
    valid = (above >= 0) & (above < ln_n.shape[1] - 1)
    res[:] = np.where(valid, value, np.nan)
    return out


class _CallableModule(types.ModuleType):
    """Lets ``geospacexr.gcm.derived(ds, name)`` call :func:`derived` on this module."""

    def __call__(self, ds: xr.Dataset, name: str) -> xr.DataArray:
        return derived(ds, name)


sys.modules[__name__].__class__ = _CallableModule
