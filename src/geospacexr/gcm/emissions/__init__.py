"""Airglow and infrared emissions of GCM output: a registry.

Adding an emission is one function and one decorator line. The function receives its inputs as
float64 numpy arrays of one shape, in the order the decorator declares them, and returns the
volume emission rate; everything else (number densities, grids, laziness, heights, times) is done
here::

    from geospacexr.gcm import emissions

    @emissions.register("NO53", inputs=("TN", "O1", "NO"), units="photons cm-3 s-1",
                        long_name="NO 5.3 um", reference="Kockarts (1980), GRL 7, 137")
    def _no53(tn, o, no):
        return ...

What each input is, when the function receives it:

* a species stored as a mixing ratio (``mmr`` for TIE-GCM, ``mol/mol`` for WACCM-X; N2 by
  closure when the file has none) is a **number density in cm-3**, from
  :func:`geospacexr.gcm.density` (CODATA Boltzmann constant, He in the mean molecular mass);
* everything else is as in the Dataset: temperatures in K, ``NE``/``OP`` in cm-3, heights in km;
* an input on the other vertical grid is put on the emission's grid (``lev`` when any input is on
  ``lev``) at the level's log-pressure, log-linearly for densities and linearly otherwise; the
  TIE-GCM top midpoint, above the top interface, gets NaN.

:func:`emission` returns the rate on the model grid for every time (or one ``time``), or on a
``level`` or at a ``height`` (per column, log-linear: :func:`geospacexr.gcm.at_height`);
:func:`brightness` integrates it over each column, in rayleigh, vertically or along a slant path.
:func:`available` says which emissions a Dataset can compute; asking for one whose inputs are
missing raises :class:`~geospacexr.errors.MissingVariableError` naming them.

Built in: every emission GCMprocpy 1.5.2 computes (a port of tgcmproc ``mkemiss.F`` and
``ohrad.F``), with the same formulas and inputs: ``NO53`` (TN, O1, NO), ``CO215`` (TN, O1,
CO2), ``OH83`` (TN, O1, O2, N2), and the OH Meinel vibrational model (TN, O1, O2, N2, H, O3, HO2:
WACCM-X) with its 39 bands ``OH_v_v'`` (``OH_1_0`` ... ``OH_9_3``), their sum ``OH_TOTAL`` and
the level populations ``OH_VIB_0`` ... ``OH_VIB_9`` (cm-3).

**Units.** GCMprocpy labels all of them "photons cm-3 sec-1". For the OH bands that is right
(population times Einstein coefficient). For ``NO53`` and ``CO215`` it is not: the tgcmproc
prefactors are ``hv A k`` (photon energy times Einstein coefficient times the O-atom collision
rate coefficient), and the result is divided by 4 pi, so GCMprocpy's numbers (around 1e-8 in the
lower thermosphere) are *energy* emission rates per steradian, erg cm-3 s-1 sr-1; the photon
volume emission rates are 13 orders of magnitude larger. Ours are photon volume emission rates,
photons cm-3 s-1 (all directions, the quantity a rayleigh counts), and ``attrs["gcmprocpy_factor"]``
holds the exact factor from GCMprocpy's numbers to ours (4 pi A k / prefactor, constants only).
``attrs["photon_energy_erg"]`` gives hc/lambda to turn a photon rate into a cooling rate.
``OH83`` (tgcmproc's 6/95 simple model) is 0.29 [O][O2] k_M [M] / (260 + 2e-11 [O2]): the
O + O2 + M rate (at night the H + O3 source of OH*) over the loss rate of OH(v=8); it is a photon
rate when 0.29 is read in s-1, the branching into v=8 (about 0.3) times the (8,3) Einstein
coefficient (0.918 s-1, Nelson et al. 1990), and its unit and values are kept (factor 1). Read as
a bare branching ratio the same number would be [OH(v=8)] in cm-3, 1/0.918 of the (8,3) rate: the
two readings differ by 9 %. An independent check settles the unit class: on the WACCM-X sample
the full OH(v) model's ``OH_8_3`` and ``OH83`` peak at the same height and their column
brightnesses agree within 30 % (``tests/gcm/test_emissions.py``).

Rates are computed lazily and in blocks: :func:`emission` returns a lazily indexed DataArray (as
a variable of the file is), computed when its values are asked for; a selection computes only
what it selects, and all of it is computed over dask chunks of the inputs written into one
buffer, so the peak memory stays near the size of the result. ``.chunk()`` makes it a dask array.

References:
    Kockarts, G. (1980), Nitric oxide cooling in the terrestrial thermosphere, Geophys. Res.
    Lett. 7(2), 137-140 (NO 5.3 um). Dickinson, R. E. (1984), J. Atmos. Terr. Phys. 46,
    995-1008, and Sharma, R. D. and Wintersteiner, P. P. (1990), Geophys. Res. Lett. 17,
    2201-2204 (CO2 15 um and its O rate coefficient). Lin, C. L. and Leu, M. T. (1982), Int. J.
    Chem. Kinet. 14, 417-434 (O + O2 + M). Makhlouf, U. B., Picard, R. H. and Winick, J. R.
    (1995), J. Geophys. Res. 100(D6), 11289-11311 (OH model); Nelson, D. D. et al. (1990),
    J. Chem. Phys. 93, 7003-7019 (OH Einstein coefficients); Adler-Golden, S. (1997), J.
    Geophys. Res. 102(A9), 19969-19976 (OH quenching); Klenerman, D. and Smith, I. W. M. (1987)
    and Kaye, J. A. (1988) (OH production branching). Hunten, D. M., Roach, F. E. and
    Chamberlain, J. W. (1956), J. Atmos. Terr. Phys. 8, 345-346 (the rayleigh). tgcmproc
    ``mkemiss.F`` and ``ohrad.F`` (NCAR; B. Foster, U. B. Makhlouf, J. Wise), as ported by
    GCMprocpy 1.5.2 (``data_emissions``, ``data_oh``).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

from ..errors import InvalidArgumentError, MissingVariableError
from ..physics import EARTH_RADIUS_KM
from ._select import ALIASES, gcm_dataset, select_time, vertical_dim

__all__ = [
    "PHOTON_RATE_UNITS",
    "Emission",
    "available",
    "brightness",
    "emission",
    "register",
    "registry",
]

#: Units of a volume emission rate that :func:`brightness` integrates, and their factor to
#: photons cm-3 s-1.
PHOTON_RATE_UNITS = {"photons cm-3 s-1": 1.0, "photons m-3 s-1": 1e-6}

#: 1 rayleigh = 1e6 photons cm-2 s-1 emitted in all directions from a column (Hunten, Roach
#: and Chamberlain, 1956, J. Atmos. Terr. Phys. 8, 345).
PHOTONS_PER_RAYLEIGH = 1e6

_PLANCK_CGS = 6.62607015e-27  # erg s (CODATA 2018, exact)
_LIGHT_CGS = 2.99792458e10  # cm/s (exact)
_CANONICAL = ("time", "lev", "ilev", "lat", "lon")
_MIXING_RATIO = ("mmr", "mol/mol")
_BLOCK_POINTS = 1_000_000  # grid points per dask chunk of a computation
_SMALL_POINTS = 50_000  # up to this many points, a block is computed in memory without dask


@dataclass(frozen=True)
class Emission:
    """A registered emission.

    Attributes:
        name: Registry name.
        func: ``func(*inputs) -> ndarray``: the rate from float64 arrays of one shape, given in
            the order of ``inputs`` (number densities in cm-3 for species, see the module notes).
        inputs: Variables the Dataset must hold (standard names).
        units: Units of the result.
        long_name: Description.
        reference: Where the formula comes from (papers, code).
        wavelength_nm: Wavelength of the emission, if it has one.
        gcmprocpy_factor: Ours = factor x GCMprocpy's number, for the emissions GCMprocpy has.
    """

    name: str
    func: Callable[..., np.ndarray]
    inputs: tuple[str, ...]
    units: str
    long_name: str
    reference: str
    wavelength_nm: float | None = None
    gcmprocpy_factor: float | None = None

    def attrs(self) -> dict[str, Any]:
        """The attributes of a result (NetCDF-storable)."""
        out: dict[str, Any] = {
            "long_name": self.long_name,
            "units": self.units,
            "reference": self.reference,
            "emission": self.name,
        }
        if self.wavelength_nm is not None:
            out["wavelength_nm"] = float(self.wavelength_nm)
            out["photon_energy_erg"] = _PLANCK_CGS * _LIGHT_CGS / (self.wavelength_nm * 1e-7)
        if self.gcmprocpy_factor is not None:
            out["gcmprocpy_factor"] = float(self.gcmprocpy_factor)
        return out


_REGISTRY: dict[str, Emission] = {}


def register(
    name: str,
    *,
    inputs: tuple[str, ...],
    units: str = "photons cm-3 s-1",
    long_name: str,
    reference: str,
    wavelength_nm: float | None = None,
    gcmprocpy_factor: float | None = None,
) -> Callable[[Callable[..., np.ndarray]], Callable[..., np.ndarray]]:
    """Register an emission (decorator).

    The decorated function gets the inputs as float64 arrays of one shape, in the declared
    order (species as number densities in cm-3, temperatures in K, other fields in the
    Dataset's units) and returns the rate in ``units``; it is returned unchanged.

    Args:
        name: Name users ask for.
        inputs: Variables needed (standard names: TN, O1, O2, N2, NO, CO2, H, O3, HO2, NE...).
        units: Units of the result (a photon volume emission rate for :func:`brightness`).
        long_name: Description.
        reference: Papers (and code) the formula comes from.
        wavelength_nm: Wavelength, if any (gives ``photon_energy_erg`` in the result's attrs).
        gcmprocpy_factor: For a GCMprocpy emission, ours divided by GCMprocpy's number.

    Returns:
        The decorator.

    Raises:
        InvalidArgumentError: If ``inputs`` is empty.

    Example:
        >>> @register("TN_K", inputs=("TN",), units="K", long_name="t", reference="none")
        ... def _t(tn):
        ...     return tn
    """
    if not inputs:
        raise InvalidArgumentError("an emission needs at least one input", argument="inputs")

    def decorator(func: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        _REGISTRY[name] = Emission(
            name, func, tuple(inputs), units, long_name, reference, wavelength_nm, gcmprocpy_factor
        )
        return func

    return decorator


def registry() -> dict[str, Emission]:
    """Every registered emission by name.

    Returns:
        A copy of the registry.
    """
    return dict(_REGISTRY)


def _entry(name: str) -> Emission:
    if name not in _REGISTRY:
        close = difflib.get_close_matches(str(name), list(_REGISTRY), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InvalidArgumentError(
            f"no emission {name!r}{hint} (known: {', '.join(sorted(_REGISTRY))})", argument="name"
        )
    return _REGISTRY[name]


# ---------------------------------------------------------------------------------------------
# inputs


def _resolve(ds: xr.Dataset, name: str, derivable: list[str]) -> str | None:
    """The Dataset's name for an input, or ``None`` when it is neither on file nor derivable."""
    if name in ds.data_vars:
        return name
    alias = ALIASES.get(name)
    if alias and alias in ds.data_vars:
        return alias
    for var_name, var in ds.data_vars.items():
        if var.attrs.get("source_name") == name:
            return str(var_name)
    return name if name in derivable else None


def _is_mixing_ratio(units: str) -> bool:
    low = units.lower()
    return any(u in low for u in _MIXING_RATIO)


def _missing(ds: xr.Dataset, entry: Emission) -> list[str]:
    from .derived import available as derivable_fields

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


def available(ds: xr.Dataset) -> list[str]:
    """Names of the emissions this Dataset can compute (every input present or derivable).

    Args:
        ds: A ``gcm`` Dataset.

    Returns:
        Sorted names.
    """
    gcm_dataset(ds, "emissions.available")
    return sorted(name for name, entry in _REGISTRY.items() if not _missing(ds, entry))


def _input_array(ds: xr.Dataset, name: str) -> xr.DataArray:
    """One input as the function receives it: number density for a mixing ratio."""
    from ._select import variable
    from .composition import density

    da = variable(ds, name, "emission")
    if _is_mixing_ratio(str(da.attrs.get("units", ""))):
        da = density(ds, str(da.name), "cm-3")
    return da


def _input_dims(ds: xr.Dataset, entry: Emission) -> list[tuple[str, ...]]:
    """Dims of each input, without computing anything (a derived input is on O1's grid)."""
    from .derived import available as derivable_fields

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
    from .heights import interpolation_for

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


def _call(func: Callable[..., np.ndarray], *arrays: np.ndarray) -> np.ndarray:
    """Run a registered function on one block: float64 arrays of one shape in, float64 out."""
    values = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in arrays])
    with np.errstate(all="ignore"):
        out = func(*values)
    return np.asarray(np.broadcast_to(out, values[0].shape), dtype=np.float64)


def _expression(ds: xr.Dataset, entry: Emission, grid: str | None) -> xr.DataArray:
    """The emission over ``ds`` as one (dask-lazy when ``ds`` is chunked) xarray expression."""
    arrays = []
    for name in entry.inputs:
        da = _input_array(ds, name)
        source = vertical_dim(da)
        if source is not None and grid is not None and source != grid:
            da = _to_grid(ds, da, source, grid)
        arrays.append(da)
    out = xr.apply_ufunc(
        partial(_call, entry.func),
        *arrays,
        dask="parallelized",
        output_dtypes=[np.float64],
        keep_attrs=False,
    )
    order = [d for d in _CANONICAL if d in out.dims]
    out = out.transpose(*order, ...)
    out.attrs = entry.attrs()
    out.name = entry.name
    return out


def _subset(ds: xr.Dataset, entry: Emission, extra: tuple[str, ...] = ()) -> xr.Dataset:
    """Only the variables a computation reads (cheaper to chunk and to index)."""
    from .derived import available as derivable_fields

    derivable = derivable_fields(ds)
    names = {_resolve(ds, n, derivable) for n in entry.inputs}
    names |= {"TN", "O1", "O2", "HE", "N2", *extra}
    return ds[[n for n in sorted(n for n in names if n) if n in ds.data_vars]]


def _chunked(ds: xr.Dataset) -> xr.Dataset:
    """Chunks of about ``_BLOCK_POINTS`` points: one time, whole columns, a band of latitudes."""
    vertical = {d: -1 for d in ("lev", "ilev") if d in ds.dims}
    if any(v.chunks for v in ds.data_vars.values()):
        return ds.chunk(vertical)
    column = max(ds.sizes.get("lev", 1), ds.sizes.get("ilev", 1)) * ds.sizes.get("lon", 1)
    chunks: dict[str, int] = dict(vertical)
    if "time" in ds.dims:
        chunks["time"] = 1
    if "lat" in ds.dims:
        chunks["lat"] = max(1, _BLOCK_POINTS // max(column, 1))
    return ds.chunk(chunks)


def _store(expr: xr.DataArray, out: np.ndarray) -> None:
    """Compute into ``out`` chunk by chunk (no second full-size copy, as ``.values`` makes)."""
    if not expr.chunks:
        out[...] = expr.values
        return
    import dask
    import dask.array as dsa

    scheduler = dask.config.get("scheduler", None)
    local = scheduler if scheduler in ("sync", "synchronous", "single-threaded") else "threads"
    dsa.store(expr.data, out, lock=False, scheduler=local)


class _LazyEmission(BackendArray):
    """An emission over a whole Dataset, computed only where it is indexed (BASIC indexing)."""

    def __init__(self, ds: xr.Dataset, entry: Emission, grid: str | None, dims: tuple[str, ...]):
        self.ds, self.entry, self.grid, self.dims = ds, entry, grid, dims
        self.shape = tuple(ds.sizes[d] for d in dims)
        self.dtype = np.dtype(np.float64)
        self.pointwise = all(
            grid in dims or not ({"lev", "ilev"} & set(dims)) for dims in _input_dims(ds, entry)
        )

    def __getitem__(self, key: indexing.ExplicitIndexer) -> np.ndarray:
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.BASIC, self._compute
        )

    def _compute(self, key: tuple[Any, ...]) -> np.ndarray:
        selection, dropped = {}, []
        for axis, (dim, k) in enumerate(zip(self.dims, key, strict=True)):
            if isinstance(k, (int, np.integer)):
                selection[dim] = slice(int(k), int(k) + 1)
                dropped.append(axis)
            else:
                selection[dim] = k
        vertical = selection.pop(self.grid, slice(None)) if self.grid else slice(None)
        sub = self.ds.isel(selection)
        if self.pointwise and self.grid:
            sub = sub.isel({self.grid: vertical})
            vertical = slice(None)
        points = math.prod(sub.sizes[d] for d in self.dims if d in sub.sizes)
        # a small block is read once and computed in memory (building a graph costs more)
        sub = sub.load() if points <= _SMALL_POINTS else _chunked(sub)
        expr = _expression(sub, self.entry, self.grid)
        if self.grid:
            expr = expr.isel({self.grid: vertical})
        expr = expr.transpose(*self.dims)
        out = np.empty(expr.shape, dtype=np.float64)
        _store(expr, out)
        return out.squeeze(axis=tuple(dropped)) if dropped else out


def _lazy(ds: xr.Dataset, entry: Emission) -> xr.DataArray:
    ds = _subset(ds, entry)
    grid = _grid(ds, entry)
    present: set[str] = set()
    for dims in _input_dims(ds, entry):
        present |= {grid if d in ("lev", "ilev") and grid else d for d in dims}
    dims = tuple(d for d in _CANONICAL if d in present) + tuple(
        sorted(d for d in present if d not in _CANONICAL)
    )
    data = indexing.LazilyIndexedArray(_LazyEmission(ds, entry, grid, dims))
    coords = {
        name: c.variable
        for name, c in ds.coords.items()
        if c.ndim <= 1 and set(c.dims) <= set(dims)
    }
    return xr.DataArray(
        xr.Variable(dims, data), coords=coords, name=entry.name, attrs=entry.attrs()
    )


def _time_index(ds: xr.Dataset, time: Any) -> int:
    index = xr.DataArray(np.arange(ds.sizes["time"]), dims="time", coords={"time": ds["time"]})
    return int(select_time(index, time).values)


# ---------------------------------------------------------------------------------------------
# public functions


def emission(
    ds: xr.Dataset,
    name: str,
    time: Any = None,
    level: float | None = None,
    height: float | None = None,
) -> xr.DataArray:
    """Volume emission rate of a registered emission.

    Args:
        ds: A ``gcm`` Dataset (TIE-GCM or WACCM-X).
        name: Registry name (see :func:`available`, :func:`registry`), e.g. ``"NO53"``,
            ``"OH_8_3"``.
        time: One time (nearest), or ``None`` for every time of the Dataset.
        level: A model level (as :func:`geospacexr.gcm.lat_lon`: ln(p0/p) for TIE-GCM, hybrid
            hPa for WACCM-X; between levels, linear in log-pressure).
        height: A geometric height, km (per column, log-linear in height).

    Returns:
        Lazy DataArray ``(time, lev|ilev, lat, lon)`` (without ``time`` for one time, without
        the vertical dim for a level or a height) with ``units``, ``long_name``,
        ``reference`` and ``emission`` in its attrs. On the model grid it is lazily indexed
        (nothing is computed until values are asked for, and then only what is selected);
        on a level or a height it is a dask array.

    Raises:
        InvalidArgumentError: If the name is unknown, or both ``level`` and ``height`` are given.
        MissingVariableError: If the Dataset lacks inputs (they are named).
        OutOfRangeError: If the time, level or height is outside the Dataset.

    References:
        Per emission, in ``attrs["reference"]`` and in the module notes.
    """
    gcm_dataset(ds, "emission")
    entry = _entry(name)
    _check_inputs(ds, entry, "emission")
    if level is not None and height is not None:
        raise InvalidArgumentError("give level= or height=, not both", argument="level")
    out = _lazy(ds, entry)
    if time is not None and "time" in out.dims:
        out = out.isel(time=_time_index(ds, time))
    if level is not None or height is not None:
        from .slices import select_vertical

        out = out.chunk({"time": 1} if "time" in out.dims else {})
        out = select_vertical(ds, out, level=level, height=height, where=f"emission {name}")
        out.attrs = {**entry.attrs(), **out.attrs}
        out.name = entry.name
    return out


def _column_integral(values: np.ndarray, heights: np.ndarray, zenith_deg: float) -> np.ndarray:
    """Integral over height (same units as height) of each column, along a slant path.

    Between two levels the rate is taken as exponential in height when both values are positive
    (exact for exponential segments) and linear otherwise; the slant factor is the van Rhijn
    factor of spherical shells seen from the ground, 1/sqrt(1 - (R sin z / (R + h))^2).
    """
    ok = np.isfinite(values) & np.isfinite(heights)
    order = np.argsort(np.where(ok, heights, np.inf), axis=-1)
    v = np.take_along_axis(np.where(ok, values, np.nan), order, axis=-1)
    h = np.take_along_axis(np.where(ok, heights, np.nan), order, axis=-1)
    if zenith_deg:
        s = EARTH_RADIUS_KM * math.sin(math.radians(zenith_deg)) / (EARTH_RADIUS_KM + h)
        v = v / np.sqrt(1.0 - s * s)
    v0, v1, dh = v[..., :-1], v[..., 1:], np.diff(h, axis=-1)
    with np.errstate(all="ignore"):
        trapezoid = 0.5 * (v0 + v1) * dh
        log_ratio = np.log(v1 / v0)
        exponential = np.where(np.abs(log_ratio) > 1e-8, (v1 - v0) * dh / log_ratio, trapezoid)
        segment = np.where((v0 > 0) & (v1 > 0), exponential, trapezoid)
    valid = np.isfinite(segment)
    total = np.where(valid, segment, 0.0).sum(axis=-1)
    return np.where(valid.any(axis=-1), total, np.nan)


def brightness(
    ds: xr.Dataset, name: str, time: Any = None, zenith_angle: float = 0.0
) -> xr.DataArray:
    """Column brightness of an emission in rayleigh: what a photometer or imager measures.

    The volume emission rate is integrated over each model column, B = 1e-6 * integral of
    eps dh (eps in photons cm-3 s-1, h in cm), exponentially between levels where the rate is
    positive (exact for an exponential profile), linearly otherwise. With a zenith angle the
    integral follows the line of sight of an observer on the ground through spherical shells,
    each height weighted by the van Rhijn factor 1/sqrt(1 - (R sin z/(R + h))^2), the column
    being taken as horizontally uniform. Only the model's height range is integrated.

    Args:
        ds: A ``gcm`` Dataset with heights (ZG, or Z).
        name: Registry name of an emission in photons cm-3 s-1 (or m-3).
        time: One time (nearest), or ``None`` for every time.
        zenith_angle: Zenith angle of the line of sight, degrees, 0 to 90 (0: vertical).

    Returns:
        Lazy (dask) DataArray ``(time, lat, lon)``, ``units = "R"``.

    Raises:
        InvalidArgumentError: If the name is unknown, its units are not a photon rate, or the
            zenith angle is outside [0, 90].
        MissingVariableError: If the Dataset lacks inputs or heights.

    References:
        Hunten, D. M., Roach, F. E., and Chamberlain, J. W. (1956), A photometric unit for the
        airglow and aurora, J. Atmos. Terr. Phys. 8, 345-346 (the rayleigh); van Rhijn, P. J.
        (1921), Publ. Astron. Lab. Groningen 31 (the slant factor).
    """
    from .heights import column_heights

    gcm_dataset(ds, "brightness")
    entry = _entry(name)
    if entry.units not in PHOTON_RATE_UNITS:
        raise InvalidArgumentError(
            f"{name} is in {entry.units!r}, not a photon volume emission rate "
            f"({', '.join(PHOTON_RATE_UNITS)}): it has no brightness",
            argument="name",
        )
    zenith = float(zenith_angle)
    if not 0.0 <= zenith <= 90.0:
        raise InvalidArgumentError(
            f"must be between 0 and 90 degrees, not {zenith_angle!r}", argument="zenith_angle"
        )
    _check_inputs(ds, entry, "brightness")
    if "ZG" not in ds and "Z" not in ds:
        raise MissingVariableError(
            "brightness needs heights: ZG (TIE-GCM) or Z3GM/Z3 (WACCM-X); open the secondary "
            "histories (they carry ZG) together with the primaries"
        )
    sub = ds
    if time is not None and "time" in ds.dims:
        index = _time_index(ds, time)
        sub = ds.isel(time=slice(index, index + 1))
    sub = _chunked(_subset(sub, entry, extra=("ZG", "Z")))
    grid = _grid(sub, entry)
    if grid is None:
        raise InvalidArgumentError(f"{name} has no vertical dimension to integrate", "name")
    rate = _expression(sub, entry, grid)
    z = column_heights(sub, grid)
    if entry.name == "OI5577":  # TIE-GCM's lower boundary cuts through the Barth layer
        from .oi_airglow import check_peak_at_boundary

        rising = float(np.nanmedian(z.diff(grid).values)) > 0  # heights grow with the index
        check_peak_at_boundary(rate, grid, bottom="first" if rising else "last")
    column = xr.apply_ufunc(
        _column_integral,
        rate,
        z,
        input_core_dims=[[grid], [grid]],
        kwargs={"zenith_deg": zenith},
        dask="parallelized",
        output_dtypes=[np.float64],
    )
    # km -> cm, then photons cm-2 s-1 -> rayleigh
    out = column * (PHOTON_RATE_UNITS[entry.units] * 1e5 / PHOTONS_PER_RAYLEIGH)
    if time is not None and "time" in out.dims:
        out = out.isel(time=0)
    out.attrs = {
        "long_name": f"{entry.long_name} brightness"
        + (" (vertical column)" if zenith == 0 else f" (slant path, zenith angle {zenith:g} deg)"),
        "units": "R",
        "reference": entry.reference,
        "emission": entry.name,
        "zenith_angle": zenith,
    }
    out.name = entry.name
    return out


# ---------------------------------------------------------------------------------------------
# the emissions of GCMprocpy / tgcmproc (mkemiss.F)

# NO 5.3 um (Kockarts 1980 form): A = Einstein coefficient of NO(v=1), k = O-NO(v) rate
# coefficient, theta = hc/(k lambda) for lambda = 5.3 um; tgcmproc's prefactor 2.63e-22 is
# k_B theta A k = 2.627e-22 erg cm3 s-2.
NO53_A, NO53_K, NO53_THETA, NO53_PREFACTOR = 10.78, 6.5e-11, 2715.0, 2.63e-22
# CO2 15 um: A = Einstein coefficient of CO2(nu2), k sqrt(T) = O-CO2(nu2) rate coefficient,
# theta for lambda = 15 um; tgcmproc's prefactor 5.94e-26 is k_B theta A k = 5.938e-26.
CO215_A, CO215_K, CO215_THETA, CO215_PREFACTOR = 1.28, 3.5e-13, 960.0, 5.94e-26

_TGCMPROC = "tgcmproc mkemiss.F (NCAR, B. Foster; J. Wise), as ported by GCMprocpy 1.5.2"

_IR_KERNELS: dict[str, Callable[..., None]] = {}


def _ir_kernels() -> dict[str, Callable[..., None]]:  # compiled on first use, cached on disk
    """One fused loop per formula: no temporaries, the GIL released (threads run in parallel)."""
    if _IR_KERNELS:
        return _IR_KERNELS
    from numba import njit

    a_no, k_no = NO53_A, NO53_K
    a_co, k_co = CO215_A, CO215_K

    # the exponentials come in precomputed (numpy's SIMD exp); the rest is one fused pass
    @njit(cache=True, nogil=True)
    def no53_loop(e, o, no, out):  # pragma: no cover - compiled
        for i in range(out.size):
            out[i] = a_no * k_no * o[i] * no[i] * e[i] / (a_no + k_no * o[i])

    @njit(cache=True, nogil=True)
    def co215_loop(e, t, o, co2, out):  # pragma: no cover - compiled
        for i in range(out.size):
            k = k_co * np.sqrt(t[i])
            out[i] = a_co * k * o[i] * co2[i] * e[i] / (a_co + k * o[i])

    @njit(cache=True, nogil=True)
    def oh83_loop(p237, t, o, o2, n2, out):  # pragma: no cover - compiled
        for i in range(out.size):
            # (300/T)^2.37 given; (300/T)^2.62 = (300/T)^2.37 (300/T)^(1/4)
            k_n2 = 5.70e-34 * p237[i] * np.sqrt(np.sqrt(300.0 / t[i]))
            k_o2 = 5.96e-34 * p237[i]
            out[i] = 0.29 * o[i] * o2[i] * (k_n2 * n2[i] + k_o2 * o2[i]) / (260.0 + 2e-11 * o2[i])

    _IR_KERNELS.update(NO53=no53_loop, CO215=co215_loop, OH83=oh83_loop)
    return _IR_KERNELS


def _run(name: str, *arrays: np.ndarray) -> np.ndarray:
    values = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in arrays])
    flat = [np.ascontiguousarray(v).reshape(-1) for v in values]
    tn = flat[0]
    if name == "OH83":  # (300/T)^2.37, in place
        first = np.divide(300.0, tn)
        np.log(first, out=first)
        first *= 2.37
        np.exp(first, out=first)
        args = [first, *flat]
    else:  # exp(-theta/T), in place
        first = np.divide(-(NO53_THETA if name == "NO53" else CO215_THETA), tn)
        np.exp(first, out=first)
        args = [first, *flat[1:]] if name == "NO53" else [first, *flat]
    out = np.empty(tn.size)
    _ir_kernels()[name](*args, out)
    return out.reshape(values[0].shape)


@register(
    "NO53",
    inputs=("TN", "O1", "NO"),
    long_name="NO 5.3 um volume emission rate",
    reference="Kockarts, G. (1980), Nitric oxide cooling in the terrestrial thermosphere, "
    f"Geophys. Res. Lett. 7(2), 137-140; {_TGCMPROC} (mkeno53)",
    wavelength_nm=5300.0,
    gcmprocpy_factor=4.0 * math.pi * NO53_A * NO53_K / NO53_PREFACTOR,
)
def no53(tn: np.ndarray, o: np.ndarray, no: np.ndarray) -> np.ndarray:
    """NO 5.3 um volume emission rate, photons cm-3 s-1.

    Two-level NO(v=1) excited by collisions with O and emptied by emission or by O
    (Kockarts, 1980): eps = A k [O][NO] exp(-theta/T) / (A + k [O]), A = 10.78 s-1,
    k = 6.5e-11 cm3 s-1, theta = hc/(k_B 5.3 um) = 2715 K. tgcmproc (and GCMprocpy) compute
    2.63e-22 exp(-theta/T)[O][NO] / (4 pi (A + k[O])), with 2.63e-22 = hv A k: the same
    emission in erg cm-3 s-1 sr-1; ours = that x 4 pi A k / 2.63e-22 (3.348e13).

    Args:
        tn: Neutral temperature, K.
        o: Atomic oxygen number density, cm-3.
        no: Nitric oxide number density, cm-3.

    Returns:
        The rate, photons cm-3 s-1.
    """
    return _run("NO53", tn, o, no)


@register(
    "CO215",
    inputs=("TN", "O1", "CO2"),
    long_name="CO2 15 um volume emission rate (O-CO2 collisional term)",
    reference="Dickinson, R. E. (1984), Infrared radiative cooling in the mesosphere and lower "
    "thermosphere, J. Atmos. Terr. Phys. 46, 995-1008; Sharma, R. D. and Wintersteiner, P. P. "
    "(1990), Role of carbon dioxide in cooling planetary thermospheres, Geophys. Res. Lett. 17, "
    f"2201-2204; {_TGCMPROC} (mkeco215)",
    wavelength_nm=15000.0,
    gcmprocpy_factor=4.0 * math.pi * CO215_A * CO215_K / CO215_PREFACTOR,
)
def co215(tn: np.ndarray, o: np.ndarray, co2: np.ndarray) -> np.ndarray:
    """CO2 15 um volume emission rate (its O-CO2 collisional part), photons cm-3 s-1.

    Two-level CO2(nu2) excited by O: eps = A k(T) [O][CO2] exp(-theta/T) / (A + k(T) [O]),
    A = 1.28 s-1, k(T) = 3.5e-13 sqrt(T) cm3 s-1 (6e-12 at 300 K), theta = hc/(k_B 15 um) =
    960 K; the O term gives at least 80 % of the radiance above 110 km. tgcmproc computes
    5.94e-26 sqrt(T) exp(-theta/T)[O][CO2] / (4 pi (A + k(T)[O])), 5.94e-26 = hv A k: erg
    cm-3 s-1 sr-1; ours = that x 4 pi A k / 5.94e-26 (9.478e13).

    Args:
        tn: Neutral temperature, K.
        o: Atomic oxygen number density, cm-3.
        co2: Carbon dioxide number density, cm-3.

    Returns:
        The rate, photons cm-3 s-1.
    """
    return _run("CO215", tn, o, co2)


@register(
    "OH83",
    inputs=("TN", "O1", "O2", "N2"),
    long_name="OH Meinel (8,3) band volume emission rate (simple model)",
    reference="Lin, C. L. and Leu, M. T. (1982), Int. J. Chem. Kinet. 14, 417-434 (O + O2 + M); "
    "Makhlouf, U. B., Picard, R. H. and Winick, J. R. (1995), J. Geophys. Res. 100(D6), "
    f"11289-11311; {_TGCMPROC} (mkeoh83, 6/95)",
    wavelength_nm=727.8,
    gcmprocpy_factor=1.0,
)
def oh83(tn: np.ndarray, o: np.ndarray, o2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """OH (8,3) band volume emission rate from the O3 production rate, photons cm-3 s-1.

    eps = 0.29 [O][O2](k_N2 [N2] + k_O2 [O2]) / (260 + 2e-11 [O2]), with k_N2 = 5.70e-34
    (300/T)^2.62 and k_O2 = 5.96e-34 (300/T)^2.37 cm6 s-1: the O + O2 + M rate, which at night
    equals the H + O3 production of OH*, over the loss rate of OH(v=8) (260 s-1 radiative,
    2e-11 cm3 s-1 quenching by O2); 0.29 s-1 is the branching into v=8 times the (8,3)
    Einstein coefficient, so the result is a photon rate as tgcmproc labels it (factor 1).

    Args:
        tn: Neutral temperature, K.
        o: Atomic oxygen number density, cm-3.
        o2: Molecular oxygen number density, cm-3.
        n2: Molecular nitrogen number density, cm-3.

    Returns:
        The rate, photons cm-3 s-1.
    """
    return _run("OH83", tn, o, o2, n2)


# ---------------------------------------------------------------------------------------------
# the OH Meinel vibrational model (tgcmproc ohrad.F)

OH_LEVELS = 10
#: Vibrational energies of OH(v), cm-1 (HITRAN, as in ohrad.F).
OH_ENERGY = np.array(
    [0.0, 3568.50, 6971.37, 10210.57, 13287.19, 16201.33, 18951.90, 21536.25, 23949.83, 26185.79]
)
#: Einstein coefficients A(v -> v - dv), s-1, rows v = 0..9, columns dv = 1..6: Nelson et al.
#: (1990), updated by Makhlouf (1999), as in ohrad.F.
OH_EINSTEIN = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [17.36, 0.0, 0.0, 0.0, 0.0, 0.0],
        [23.60, 10.32, 0.0, 0.0, 0.0, 0.0],
        [22.21, 27.57, 1.122, 0.0, 0.0, 0.0],
        [16.45, 48.65, 4.118, 0.134, 0.0, 0.0],
        [9.360, 70.73, 9.415, 0.625, 0.019, 0.0],
        [3.780, 91.13, 17.16, 1.744, 0.110, 0.003],
        [2.310, 107.3, 27.20, 3.785, 0.364, 0.023],
        [7.250, 116.8, 39.07, 7.033, 0.918, 0.088],
        [20.43, 117.5, 51.94, 11.74, 1.962, 0.254],
    ]
)
# quenching of OH(v) by O2, N2 (single quantum) and O (cm3 s-1; Adler-Golden 1997)
_OH_Q_O2 = np.array(
    [0.0, 1.3e-13, 2.7e-13, 5.2e-13, 8.8e-13, 1.7e-12, 3.0e-12, 5.42e-12, 9.81e-12, 1.7e-11]
)
_OH_Q_N2 = np.array(
    [
        0.0,
        5.757e-15,
        1.0e-14,
        1.737e-14,
        3.017e-14,
        5.241e-14,
        9.103e-14,
        1.581e-13,
        2.746e-13,
        4.77e-13,
    ]
)
_OH_Q_O = np.array(
    [3.9e-11, 10.5e-11, 2.5e-10, 2.5e-10, 2.5e-10, 2.5e-10, 2.5e-10, 2.5e-10, 2.5e-10, 2.5e-10]
)
# reverse (upward) quenching: the rates of the level above, times exp(-dE/kT)
_OH_R_O2 = np.append(_OH_Q_O2[1:], 0.0)
_OH_R_N2 = np.append(_OH_Q_N2[1:], 0.0)
_OH_DE_K = np.append(np.diff(OH_ENERGY) * 1.438818, 0.0)  # hc/k = 1.438818 K cm (ohrad.F)
# production branching: H + O3 (Klenerman and Smith 1987) and O + HO2 (Kaye 1988)
_OH_F_HO3 = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.08, 0.17, 0.27, 0.48])
_OH_F_OHO2 = np.array([0.52, 0.34, 0.13, 0.01, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])


def _multi_quantum() -> np.ndarray:
    """Fraction of the O2 quenching of level s that lands in level t (exp(-j) weights)."""
    frac = np.zeros((OH_LEVELS, OH_LEVELS))
    for s in range(1, OH_LEVELS):
        steps = np.arange(min(s, 6))
        weights = np.exp(-steps.astype(np.float64))
        frac[s - steps - 1, s] = weights / weights.sum()
    return frac


_OH_MQ = _multi_quantum()
#: The 39 bands (v, v'), in GCMprocpy's order.
OH_BANDS = [
    (v, v - dv)
    for v in range(1, OH_LEVELS)
    for dv in range(1, 7)
    if v - dv >= 0 and OH_EINSTEIN[v, dv - 1] > 0
]

_OH_KERNEL: list[Callable[..., None]] = []


def _oh_kernel() -> Callable[..., None]:  # compiled on first use, cached on disk
    if _OH_KERNEL:
        return _OH_KERNEL[0]
    from numba import njit

    @njit(cache=True, nogil=True)
    def solve(
        t,
        o2,
        o,
        n2,
        h,
        o3,
        ho2,
        weights,
        a_v,
        a_sum,
        q_o2,
        q_n2,
        q_o,
        r_o2,
        r_n2,
        de,
        f1,
        f2,
        mq,
        out,
    ):  # pragma: no cover - compiled
        n = t.shape[0]
        m = a_v.shape[0]
        mat = np.empty((m, m))
        rhs = np.empty(m)
        x = np.empty(m)
        rq_o2 = np.empty(m)
        rq_n2 = np.empty(m)
        for p in range(n):
            tp, so2, so, sn2 = t[p], o2[p], o[p], n2[p]
            sh, so3, sho2 = h[p], o3[p], ho2[p]
            if not (
                np.isfinite(tp)
                and np.isfinite(so2)
                and np.isfinite(so)
                and np.isfinite(sn2)
                and np.isfinite(sh)
                and np.isfinite(so3)
                and np.isfinite(sho2)
                and tp > 0
            ):
                out[p] = np.nan
                continue
            rk1 = 1.4e-10 * np.exp(-470.0 / tp)
            rk2 = 3.0e-11 * np.exp(200.0 / tp)
            rk6 = 1.6e-12 * np.exp(-1140.0 / tp)
            primary = rk1 * sh * so3
            secondary = rk2 * sho2 * so
            for v in range(m):
                boltz = np.exp(-de[v] / tp)
                rq_o2[v] = r_o2[v] * boltz
                rq_n2[v] = r_n2[v] * boltz
            for i in range(m):
                rhs[i] = -(primary * f1[i] + secondary * f2[i])
                for j in range(m):
                    mat[i, j] = 0.0
            rhs[0] -= 1.1e-14 * so3 * sho2
            for v in range(m):
                mat[v, v] = -(
                    a_sum[v]
                    + q_o2[v] * so2
                    + q_n2[v] * sn2
                    + q_o[v] * so
                    + rq_o2[v] * so2
                    + rq_n2[v] * sn2
                )
            mat[0, 0] -= rk6 * so3 + 4.8e-11 * sho2
            for v in range(m - 1):
                mat[v, v + 1] = a_v[v + 1, 0] + mq[v, v + 1] * q_o2[v + 1] * so2 + q_n2[v + 1] * sn2
            for dv in range(2, 7):
                for v in range(m - dv):
                    mat[v, v + dv] = a_v[v + dv, dv - 1] + mq[v, v + dv] * q_o2[v + dv] * so2
            for v in range(1, m):
                mat[v, v - 1] = mq[v - 1, v] * rq_o2[v] * so2 + rq_n2[v - 1] * sn2
            for v in range(2, m):
                for s in range(v - 1):
                    mat[v, s] = mq[s, v] * rq_o2[v] * so2
            # Gaussian elimination with partial pivoting (as LAPACK gesv)
            for k in range(m):
                piv = k
                best = abs(mat[k, k])
                for i in range(k + 1, m):
                    if abs(mat[i, k]) > best:
                        best = abs(mat[i, k])
                        piv = i
                if piv != k:
                    for j in range(m):
                        tmp = mat[k, j]
                        mat[k, j] = mat[piv, j]
                        mat[piv, j] = tmp
                    tmp = rhs[k]
                    rhs[k] = rhs[piv]
                    rhs[piv] = tmp
                for i in range(k + 1, m):
                    f = mat[i, k] / mat[k, k]
                    if f != 0.0:
                        for j in range(k + 1, m):
                            mat[i, j] -= f * mat[k, j]
                        rhs[i] -= f * rhs[k]
            total = 0.0
            for i in range(m - 1, -1, -1):
                acc = rhs[i]
                for j in range(i + 1, m):
                    acc -= mat[i, j] * x[j]
                x[i] = acc / mat[i, i]
            for i in range(m):
                total += max(x[i], 0.0) * weights[i]
            out[p] = total

    _OH_KERNEL.append(solve)
    return solve


def oh_vibrational(
    weights: np.ndarray,
    tn: np.ndarray,
    o: np.ndarray,
    o2: np.ndarray,
    n2: np.ndarray,
    h: np.ndarray,
    o3: np.ndarray,
    ho2: np.ndarray,
) -> np.ndarray:
    """Weighted sum of the steady-state OH(v = 0..9) populations, point by point.

    Solves the 10x10 steady-state rate equations of tgcmproc ``ohrad.F`` at every point
    (production by H + O3 into v = 6..9 and by O + HO2 into v = 0..3, radiative cascade,
    single-quantum N2 and multi-quantum O2 quenching with their reverse rates, removal by O, and
    for v = 0 by O3 and HO2), clips negative populations to zero, and returns
    sum_v weights[v] [OH(v)]: a band's emission with ``weights`` its Einstein coefficient at
    ``v``, the total with the sums of each level's coefficients, a population with a unit
    vector. The v = 0 self-reaction with OH is left out, as in GCMprocpy without an OH field.

    Args:
        weights: ``(10,)`` weights of the populations.
        tn: Temperature, K.
        o: O number density, cm-3.
        o2: O2 number density, cm-3.
        n2: N2 number density, cm-3.
        h: H number density, cm-3.
        o3: O3 number density, cm-3.
        ho2: HO2 number density, cm-3.

    Returns:
        Array of the inputs' shape (cm-3 times the weights' units).

    References:
        Makhlouf, U. B., Picard, R. H. and Winick, J. R. (1995), J. Geophys. Res. 100(D6),
        11289-11311; Nelson, D. D. et al. (1990), J. Chem. Phys. 93, 7003-7019 (Einstein
        coefficients); Adler-Golden, S. (1997), J. Geophys. Res. 102(A9), 19969-19976
        (quenching); Klenerman, D. and Smith, I. W. M. (1987), J. Chem. Soc. Faraday Trans. 2
        83, 229-241 (H + O3 branching); Kaye, J. A. (1988), J. Geophys. Res. 93(D1), 285-288
        (O + HO2 branching).
    """
    inputs = (tn, o2, o, n2, h, o3, ho2)
    arrays = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in inputs])
    shape = arrays[0].shape
    flat = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
    out = np.empty(flat[0].size)
    _oh_kernel()(
        *flat,
        np.asarray(weights, dtype=np.float64),
        OH_EINSTEIN, OH_EINSTEIN.sum(axis=1), _OH_Q_O2, _OH_Q_N2, _OH_Q_O, _OH_R_O2, _OH_R_N2,
        _OH_DE_K, _OH_F_HO3, _OH_F_OHO2, _OH_MQ, out,
    )  # fmt: skip
    return out.reshape(shape)


_OH_INPUTS = ("TN", "O1", "O2", "N2", "H", "O3", "HO2")
_OH_REFERENCE = (
    "Makhlouf, U. B., Picard, R. H. and Winick, J. R. (1995), J. Geophys. Res. 100(D6), "
    "11289-11311; Nelson, D. D. et al. (1990), J. Chem. Phys. 93, 7003 (Einstein coefficients, "
    "updated by Makhlouf 1999); Adler-Golden, S. (1997), J. Geophys. Res. 102, 19969 "
    "(quenching); Klenerman and Smith (1987), Kaye (1988) (branching); tgcmproc ohrad.F "
    "(B. Foster, U. B. Makhlouf), as ported by GCMprocpy 1.5.2 (data_oh.ohrad)"
)


def _register_oh() -> None:
    for v, lower in OH_BANDS:
        weights = np.zeros(OH_LEVELS)
        weights[v] = OH_EINSTEIN[v, v - lower - 1]
        wavelength = 1e7 / (OH_ENERGY[v] - OH_ENERGY[lower])
        register(
            f"OH_{v}_{lower}",
            inputs=_OH_INPUTS,
            long_name=f"OH Meinel ({v},{lower}) band volume emission rate",
            reference=_OH_REFERENCE,
            wavelength_nm=float(round(wavelength, 1)),
            gcmprocpy_factor=1.0,
        )(partial(oh_vibrational, weights))
    register(
        "OH_TOTAL",
        inputs=_OH_INPUTS,
        long_name="OH Meinel volume emission rate, all 39 bands",
        reference=_OH_REFERENCE,
        gcmprocpy_factor=1.0,
    )(partial(oh_vibrational, OH_EINSTEIN.sum(axis=1)))
    for v in range(OH_LEVELS):
        register(
            f"OH_VIB_{v}",
            inputs=_OH_INPUTS,
            units="cm-3",
            long_name=f"OH(v={v}) vibrational population",
            reference=_OH_REFERENCE,
            gcmprocpy_factor=1.0,
        )(partial(oh_vibrational, np.eye(OH_LEVELS)[v]))


_register_oh()


# ---------------------------------------------------------------------------------------------
# the oxygen airglow lines (no peer package computes them; physics in oi_airglow)

_OI_INPUTS = ("TN", "O1", "O2", "N2", "NE", "OP", "TE")


def _non_negative(*densities: np.ndarray) -> tuple[np.ndarray, ...]:
    """Densities with rounding negatives set to zero (NaN stays NaN).

    The N2 closure (1 - O2 - O - He) of float32 files gives tiny negatives near the top.
    """
    return tuple(np.where(d < 0, 0.0, d) for d in densities)


@register(
    "OI5577",
    inputs=_OI_INPUTS,
    long_name="OI 557.7 nm green line volume emission rate",
    reference="McDade, I. C. et al. (1986), Planet. Space Sci. 34, 789-800 (Barth mechanism, "
    "ETON parameters); Yee, J.-H. et al. (1988), Kella, D. et al. (1997) (O(1S) yield of O2+ "
    "dissociative recombination); see geospacexr.gcm.oi_airglow",
    wavelength_nm=557.7,
)
def oi5577(
    tn: np.ndarray,
    o: np.ndarray,
    o2: np.ndarray,
    n2: np.ndarray,
    ne: np.ndarray,
    op: np.ndarray,
    te: np.ndarray,
) -> np.ndarray:
    """OI 557.7 nm: the Barth layer plus the thermospheric O2+ recombination source.

    O2+ is taken in photochemical equilibrium with O+ + O2 (the same for TIE-GCM and WACCM-X;
    see :func:`geospacexr.gcm.oi_airglow.oi5577_ver`). TIE-GCM's lower boundary (about 97 km)
    cuts through the Barth layer: :func:`brightness` warns when profiles peak on the bottom
    level.
    """
    from .oi_airglow import oi5577_ver

    o, o2, n2, ne, op = _non_negative(o, o2, n2, ne, op)
    return oi5577_ver(o, o2, n2, tn, n_e=ne, n_op=op, t_e=te)


@register(
    "OI6300",
    inputs=_OI_INPUTS,
    long_name="OI 630.0 nm red line volume emission rate",
    reference="Link, R. and Cogger, L. L. (1988), J. Geophys. Res. 93, 9883-9892; Streit, G. E. "
    "et al. (1976), J. Chem. Phys. 65, 4761 (quenching); Froese Fischer, C. and Tachiev, G. "
    "(2004) (A coefficients); see geospacexr.gcm.oi_airglow",
    wavelength_nm=630.0,
)
def oi6300(
    tn: np.ndarray,
    o: np.ndarray,
    o2: np.ndarray,
    n2: np.ndarray,
    ne: np.ndarray,
    op: np.ndarray,
    te: np.ndarray,
) -> np.ndarray:
    """OI 630.0 nm from O2+ dissociative recombination (O2+ in equilibrium with O+ + O2).

    See :func:`geospacexr.gcm.oi_airglow.oi6300_ver`.
    """
    from .oi_airglow import oi6300_ver

    o, o2, n2, ne, op = _non_negative(o, o2, n2, ne, op)
    return oi6300_ver(o, o2, n2, tn, ne, te, n_op=op)
