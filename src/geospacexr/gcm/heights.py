"""Geometric heights of GCM grid points and true per-column interpolation to heights.

Every column (time, lat, lon) has its own heights, so a field is interpolated to a height with
that column's own profile, never with a global-mean one:

* TIE-GCM interface fields (``ilev``) use ZG; midpoint fields (``lev``) use the mean of the two
  neighbouring interface heights (as TIE-GCM's ZGMID), and the top midpoint, which lies above
  the top interface, has no height and takes no part;
* WACCM-X fields use Z3GM (geometric, on ``lev``), or Z3 converted from geopotential with
  h = R Z / (R - Z) when Z3GM is missing;
* temperatures, winds and other intensive fields are interpolated linearly in height; densities,
  mixing ratios and emission rates log-linearly; heights outside a column give NaN, never an
  extrapolated value.

WACCM-X's Z3GM is not always height above sea level. CAM computes it from the geopotential
height ``zm`` it holds *above the surface*; from cam6_3_016 (the ionosphere coupling rewrite,
October 2020) to cam6_3_132 it wrote Z3GM = zm (1 + zm/R) without adding the surface height
PHIS/g (ESCOMP/CAM issue 681; fixed in cam6_3_133, October 2023), while the CESM2.0-2.2 releases
(``dpie_coupling.F90``) and later tags add it. The file does not say which it is, so
:func:`z3gm_reference` tells from the data (the lowest level of one time, against PHIS or Z3),
and the completion this module registers corrects the heights when the surface was left out;
see :func:`zg_above_sea_level`.

Older TIE-GCM secondaries carry the geopotential Z but not ZG; :func:`zg_from_z` computes ZG
from them (lazily), and the reader adds it through the completion this module registers with
:func:`geospacexr.io.gcm.register_completion`.

GCMprocpy instead picks the level whose *global-mean* height is nearest (``height_to_pres_level``),
or interpolates every column with one global-mean profile; on the ``tiegcm-5deg`` sample at
300 km the two differ from this per-column result by up to several percent in temperature and
tens of percent in densities where the columns' heights differ most (day against night), which
``tests/gcm/test_heights.py`` measures.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._caches import register_cache
from ..errors import DataWarning, InvalidArgumentError, MissingVariableError, OutOfRangeError
from ..io.gcm import register_completion
from ..physics import AMU_G, BOLTZMANN_CGS, EARTH_RADIUS_KM, geometric_heights
from ._select import fused, gcm_dataset, variable, vertical_dim
from .composition import mean_molecular_mass

__all__ = [
    "at_height",
    "column_heights",
    "interp_columns",
    "interpolation_for",
    "z3gm_reference",
    "zg_above_sea_level",
    "zg_from_z",
]

#: CAM's gravity for geopotential (``shr_const_g``, m/s2) and Earth radius (``shr_const_rearth``,
#: m): the constants CAM's Z3GM was computed with.
CAM_GRAVITY = 9.80616
CAM_EARTH_RADIUS_M = 6.37122e6
#: Without Z3, whether Z3GM includes the surface height is read from how the lowest level's Z3GM
#: follows the surface height PHIS/g across columns (slope 1: included, 0: not); that needs
#: surface heights spread over at least this much (m).
_TERRAIN_M = 300.0
#: With Z3 (geopotential above sea level), Z3GM lacks the surface height when Z3 exceeds the
#: geopotential Z3GM implies by more than this (m) somewhere (float32 noise is centimetres).
_SURFACE_EVIDENCE_M = 50.0

_LINEAR_UNITS = {
    "K",
    "m/s",
    "cm/s",
    "km",
    "m",
    "cm",
    "volts",
    "V",
    "s-1",
    "Pa/s",
    "hPa",
    "deg",
    "degrees",
}


def interpolation_for(da: xr.DataArray) -> str:
    """Return ``"log"`` for densities, mixing ratios and emission rates, else ``"linear"``.

    Args:
        da: The field.

    Returns:
        ``"linear"`` or ``"log"``.
    """
    units = str(da.attrs.get("units", "")).strip()
    if units in _LINEAR_UNITS:
        return "linear"
    low = units.lower()
    if any(
        k in low
        for k in ("cm-3", "cm3", "m-3", "mmr", "mol/mol", "g/cm", "kg/m", "photons", "rayleigh")
    ):
        return "log"
    return "linear"


def _kernel_first():  # compiled on first use, cached on disk; never at import
    from numba import njit

    @njit(cache=True, nogil=True)
    def interp_first(values, coord, targets, log, out):  # pragma: no cover - compiled
        """Columns along axis 1, the vertical along axis 0 (any strides: no copies needed).

        ``targets`` is (m, 1) for the same targets in every column or (m, ncol).
        """
        n, ncol = coord.shape
        m = targets.shape[0]
        per_column = targets.shape[1] > 1
        for c in range(ncol):
            col = c if per_column else 0
            for j in range(m):
                t = targets[j, col]
                out[j, c] = np.nan
                for k in range(n - 1):
                    c0 = coord[k, c]
                    c1 = coord[k + 1, c]
                    if not (np.isfinite(c0) and np.isfinite(c1)) or c0 == c1:
                        continue
                    if (c0 <= t <= c1) or (c1 <= t <= c0):
                        w = (t - c0) / (c1 - c0)
                        v0 = np.float64(values[k, c])
                        v1 = np.float64(values[k + 1, c])
                        if log and v0 > 0 and v1 > 0:
                            out[j, c] = np.exp(np.log(v0) * (1.0 - w) + np.log(v1) * w)
                        else:
                            out[j, c] = v0 + w * (v1 - v0)
                        break
        return out

    return interp_first


_COMPILED_FIRST: list[Any] = []  # the compiled kernel, once loaded (cleared with the caches)
register_cache(
    "gcm.heights.kernel",
    _COMPILED_FIRST.clear,
    _COMPILED_FIRST.__len__,
    limit=lambda: 1,
    description="compiled per-column interpolation kernel (reloaded from numba's disk cache)",
)


def interp_columns(
    values: np.ndarray, coord: np.ndarray, targets: np.ndarray, log: bool = False
) -> np.ndarray:
    """Interpolate every column to target coordinates (compiled; no Python loop over columns).

    Args:
        values: ``(..., n)`` field values along each column.
        coord: ``(..., n)`` the column's coordinate (height or ln p), monotonic along the last axis
            (increasing or decreasing); NaN marks points without a coordinate.
        targets: ``(m,)`` target coordinates for every column, or ``(..., m)`` per column.
        log: Interpolate the logarithm of positive values (log-linear).

    Returns:
        ``(..., m)``; NaN where a target lies outside the column's valid coordinates.
    """
    if not _COMPILED_FIRST:
        _COMPILED_FIRST.append(_kernel_first())
    values = np.asarray(values)
    if values.dtype not in (np.float32, np.float64):
        values = values.astype(np.float64)
    coord = np.asarray(coord, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    shape = np.broadcast_shapes(values.shape, coord.shape)
    lead, n = shape[:-1], shape[-1]
    ncol = int(np.prod(lead)) if lead else 1
    v2 = np.ascontiguousarray(np.broadcast_to(values, shape)).reshape(ncol, n)
    c2 = np.ascontiguousarray(np.broadcast_to(coord, shape)).reshape(ncol, n)
    if targets.ndim <= 1:
        t2 = targets.reshape(1, -1)
    else:
        t2 = np.ascontiguousarray(np.broadcast_to(targets, (*lead, targets.shape[-1]))).reshape(
            ncol, -1
        )
    out = np.empty((t2.shape[1], ncol))
    _COMPILED_FIRST[0](v2.T, c2.T, t2.T, bool(log), out)
    out = out.T
    return out.reshape(*lead, t2.shape[1])


def column_heights(ds: xr.Dataset, grid: str = "lev") -> xr.DataArray:
    """Geometric height (km) of every grid point of the ``lev`` or ``ilev`` grid.

    Args:
        ds: A ``gcm`` Dataset.
        grid: ``"lev"`` (midpoints) or ``"ilev"`` (interfaces).

    Returns:
        DataArray ``(time, grid, lat, lon)`` in km (NaN at TIE-GCM's top midpoint).

    Raises:
        MissingVariableError: If the Dataset has no geometric (ZG) or geopotential (Z) height.
    """
    gcm_dataset(ds, "column_heights")
    model = ds.attrs.get("model")
    if "ZG" in ds:
        zg = ds["ZG"]
    elif "Z" in ds:
        z = ds["Z"]
        zg = EARTH_RADIUS_KM * z / (EARTH_RADIUS_KM - z)
        zg.attrs = {"units": "km", "long_name": "geometric height from geopotential height"}
    else:
        raise MissingVariableError(
            "heights need ZG (TIE-GCM) or Z3GM/Z3 (WACCM-X) in the Dataset; open the secondary "
            "histories (they carry ZG) together with the primaries"
        )
    source = vertical_dim(zg)
    if source == grid:
        out = zg
    elif source == "ilev" and grid == "lev":
        axis = zg.dims.index("ilev")
        before = (slice(None),) * axis
        nlev = ds.sizes["lev"]
        if zg.chunks:
            import dask.array as da_

            data = zg.data
            mid = 0.5 * (data[(*before, slice(None, -1))] + data[(*before, slice(1, None))])
            pad_shape = list(mid.shape)
            pad_shape[axis] = nlev - mid.shape[axis]
            mid = da_.concatenate([mid, da_.full(pad_shape, np.nan)], axis=axis)
        else:
            data = zg.values  # one read of the file
            shape = list(data.shape)
            shape[axis] = nlev
            mid = np.full(shape, np.nan)
            inner = mid[(*before, slice(None, data.shape[axis] - 1))]
            np.add(data[(*before, slice(None, -1))], data[(*before, slice(1, None))], out=inner)
            inner *= 0.5
        dims = tuple("lev" if d == "ilev" else d for d in zg.dims)
        out = xr.DataArray(mid, dims=dims, coords={d: ds[d] for d in dims if d in ds.coords})
    else:
        raise MissingVariableError(
            f"no heights on the {grid} grid of this {model} Dataset (ZG is on {source})"
        )
    if out.chunks:
        out = out.chunk({grid: -1})
    elif out is zg:
        out = out.copy(deep=False)
    out.attrs = {"long_name": f"geometric height ({grid})", "units": "km"}
    out.name = "height"
    return out


def _integrate_heights(
    scale: np.ndarray, bottom: np.ndarray, lat: np.ndarray, dz: float
) -> np.ndarray:
    """Interface heights (km) of columns: layer scales along the last axis, bottom height (km)."""
    return geometric_heights(scale, bottom * 1e5, dz, lat) * 1e-5


def zg_from_z(ds: xr.Dataset) -> xr.DataArray:
    """Geometric height ZG of TIE-GCM interfaces from Z, TN and composition, lazily.

    TIE-GCM's Z is a geopotential height under constant gravity. Starting from each column's
    lowest Z, hydrostatic balance dh = k T / (m g(h, lat)) d(ln p) is integrated upwards layer
    by layer with gravity varying with height and latitude (:func:`geospacexr.physics.gravity`,
    :func:`geospacexr.physics.geometric_heights`), T the midpoint TN and m the mean molecular
    mass of O, O2, He and N2 by closure (:func:`geospacexr.gcm.mean_molecular_mass`). Nothing is
    read until the result is: the fields are split into dask chunks of ``gcm.time_chunk`` times
    (already dask-backed fields keep their chunks), so one time's heights read one time.

    Args:
        ds: A TIE-GCM ``gcm`` Dataset with Z (on ``ilev``), TN, O1 and O2 (HE used if present).

    Returns:
        DataArray ``(time, ilev, lat, lon)`` in km, named ``ZG``.

    Raises:
        MissingVariableError: If Z, TN, O1 or O2 is missing.
        InvalidArgumentError: If they are not on TIE-GCM's grid: Z on ``ilev``, TN and the
            species on ``lev`` (as many levels as ``ilev``, at least two), both with
            ``lat``/``lon``, numeric.
    """
    gcm_dataset(ds, "zg_from_z", ("Z", "TN", "O1", "O2"))
    _check_zg_inputs(ds)
    time_chunk = config.get().gcm.time_chunk

    def lazy(da: xr.DataArray) -> xr.DataArray:
        if da.chunks is None:
            da = da.chunk({"time": time_chunk} if "time" in da.dims else {})
        return da.chunk({d: -1 for d in ("lev", "ilev") if d in da.dims})

    # layers between interfaces k and k+1 use midpoint k: when lev is as long as ilev, the top
    # midpoint lies above the top interface and is not used
    layers = {"lev": slice(None, ds.sizes["ilev"] - 1)}
    species = [v for v in ("O1", "O2", "HE") if v in ds]  # N2 by closure, as the model does
    composition = xr.Dataset({v: lazy(ds[v]) for v in species}, attrs=ds.attrs).isel(layers)
    mbar = mean_molecular_mass(composition)
    scale = BOLTZMANN_CGS * lazy(ds["TN"]).isel(layers) / (mbar * AMU_G)  # cm2/s2
    bottom = lazy(ds["Z"]).isel(ilev=0, drop=True)  # km
    dz = float(np.diff(ds["ilev"].values).mean())
    zg = xr.apply_ufunc(
        _integrate_heights,
        scale.drop_vars([c for c in scale.coords if "lev" in scale[c].dims]),
        bottom,
        ds["lat"],
        kwargs={"dz": dz},
        input_core_dims=[["lev"], [], []],
        output_core_dims=[["ilev"]],
        dask="parallelized",
        output_dtypes=[np.float64],
        dask_gufunc_kwargs={"output_sizes": {"ilev": ds.sizes["ilev"]}},
    )
    zg = zg.assign_coords({c: ds[c] for c in ds["Z"].coords if "ilev" in ds[c].dims})
    zg = zg.transpose(*[d for d in ("time", "ilev", "lat", "lon") if d in zg.dims])
    zg.attrs = {
        "long_name": "geometric height (from Z with height- and latitude-dependent gravity)",
        "units": "km",
        "source_name": "Z",
    }
    zg.name = "ZG"
    return zg


def _check_zg_inputs(ds: xr.Dataset) -> None:
    """Refuse inputs of :func:`zg_from_z` whose dims or types its integration cannot use."""
    need = {"Z": "ilev", "TN": "lev", "O1": "lev", "O2": "lev", "HE": "lev"}
    for name, grid in need.items():
        if name not in ds:
            continue
        da = ds[name]
        if not {grid, "lat", "lon"} <= set(da.dims) or da.dtype.kind not in "iuf":
            raise InvalidArgumentError(
                f"zg_from_z: {name} must be numbers on ({grid}, lat, lon), found {da.dtype} on "
                f"{da.dims}",
                "ds",
            )
    for coord in ("lev", "ilev", "lat"):
        if coord not in ds.coords or ds[coord].dtype.kind not in "iuf" or ds[coord].ndim != 1:
            raise InvalidArgumentError(f"zg_from_z: no numeric 1-D coordinate {coord}", "ds")
    if ds.sizes["ilev"] < 2 or ds.sizes["lev"] not in (ds.sizes["ilev"], ds.sizes["ilev"] - 1):
        raise InvalidArgumentError(
            f"zg_from_z: needs as many midpoint as interface levels, or one fewer (at least 2 "
            f"interfaces), found lev "
            f"{ds.sizes['lev']}, ilev {ds.sizes['ilev']}",
            "ds",
        )


@register_completion("ZG from Z")
def add_zg_from_z(ds: xr.Dataset, source: str) -> xr.Dataset:
    """Add ZG to a TIE-GCM Dataset that has Z but no ZG (primaries, older secondaries).

    The reader (:func:`geospacexr.open_tiegcm`) runs this completion. It does not warn (every
    primary history lacks ZG): ``ds.attrs["completions"]`` and ZG's ``long_name`` and
    ``source_name`` say that ZG was computed.

    Args:
        ds: A standard ``gcm`` Dataset.
        source: The first file's name, for messages.

    Returns:
        ``ds`` with ZG (:func:`zg_from_z`), or ``ds`` unchanged when ZG is there, the model is
        not TIE-GCM, or Z, TN, O1 or O2 is missing; unchanged with a
        :class:`~geospacexr.errors.DataWarning` when they are not on the grid ZG needs.
    """
    if (
        ds.attrs.get("model") != "TIE-GCM"
        or "ZG" in ds
        or any(v not in ds for v in ("Z", "TN", "O1", "O2"))
    ):
        return ds
    try:
        zg = zg_from_z(ds)
    except InvalidArgumentError as exc:
        warnings.warn(
            f"{source}: no ZG on file, and none computed from Z: {exc}", DataWarning, stacklevel=4
        )
        return ds
    ds["ZG"] = zg  # said in ZG's attrs and ds.attrs["completions"]: the usual case, no warning
    ds.attrs["completions"] = "; ".join(
        filter(None, [ds.attrs.get("completions", ""), "ZG computed from Z (no ZG on file)"])
    )
    return ds


#: Times looked through for one where a field has values (histories of several kinds merged
#: are NaN at the other kinds' times).
_MAX_PROBE_TIMES = 16


def _first_time(da: xr.DataArray, others: tuple[xr.DataArray, ...] = ()) -> int:
    """Index of the first time (of the first few) where ``da`` and ``others`` have values."""
    if "time" not in da.dims:
        return 0
    for t in range(min(da.sizes["time"], _MAX_PROBE_TIMES)):
        picks = [a.isel(time=t) for a in (da, *others) if "time" in a.dims]
        picks = [p.isel(lev=-1) if "lev" in p.dims else p for p in picks]
        if all(np.isfinite(np.asarray(p.values, dtype=np.float64)).any() for p in picks):
            return t
    return 0


def _bottom(da: xr.DataArray, t: int) -> np.ndarray:
    """The lowest model level (largest ``lev``: CAM's index 0 is the top) at time ``t``, m."""
    lev = np.asarray(da["lev"].values) if "lev" in da.coords else None
    k = int(np.argmax(lev)) if lev is not None and lev.size else -1
    one = da.isel(lev=k)
    if "time" in one.dims:
        one = one.isel(time=t)
    return np.asarray(one.values, dtype=np.float64) * (1e3 if da.attrs.get("units") == "km" else 1)


def _surface_geopotential(ds: xr.Dataset) -> xr.DataArray:
    """PHIS (m2/s2) at its first time with values, without time (CAM's PHIS does not change)."""
    phis = ds["PHIS"]
    if "time" in phis.dims:
        phis = phis.isel(time=_first_time(phis), drop=True)
    return phis


def _geopotential_from_z3gm(z3gm_m: Any) -> Any:
    """Invert Z3GM = z (1 + z/R) (CAM's formula) for the geopotential height z, m."""
    r = CAM_EARTH_RADIUS_M
    return 0.5 * r * (np.sqrt(1.0 + 4.0 * z3gm_m / r) - 1.0)


def z3gm_reference(ds: xr.Dataset) -> str:
    """Whether a WACCM-X Dataset's ZG (the file's Z3GM) is height above sea level or surface.

    Decided from the lowest model level at the first time (a few kB read):

    * with Z (the file's Z3, geopotential height above sea level, as CAM always writes it): the
      geopotential height z that Z3GM implies (inverting Z3GM = z (1 + z/R)) equals Z3 when Z3GM
      includes the surface and Z3 - PHIS/g when it does not: a gap above 50 m in any column
      means the surface height is missing;
    * else with PHIS: the lowest level lies a similar depth above the surface in every column,
      so across columns its Z3GM follows the surface height PHIS/g with a slope near 1 when
      Z3GM includes it and near 0 when not (a least-squares slope below 0.5: not included);
      this needs surface heights spread over 300 m or more.

    Args:
        ds: A WACCM-X ``gcm`` Dataset with ZG (from Z3GM).

    Returns:
        ``"sea level"``, ``"surface"`` or ``"unknown"`` (no Z or PHIS, or surface heights
        spread over less than 300 m to tell by PHIS alone).

    Raises:
        MissingVariableError: If the Dataset has no ZG.
    """
    gcm_dataset(ds, "z3gm_reference", ("ZG",))
    if "Z" in ds and "lev" in ds["Z"].dims:
        t = _first_time(ds["ZG"], (ds["Z"],))
        gap = _bottom(ds["Z"], t) - _geopotential_from_z3gm(_bottom(ds["ZG"], t))
        if np.isfinite(gap).any():
            return "surface" if np.nanmax(gap) > _SURFACE_EVIDENCE_M else "sea level"
    if "PHIS" in ds:
        zb = _bottom(ds["ZG"], _first_time(ds["ZG"]))
        zs = np.asarray(_surface_geopotential(ds).values, dtype=np.float64) / CAM_GRAVITY
        ok = np.isfinite(zb) & np.isfinite(zs)
        if ok.any() and np.ptp(zs[ok]) >= _TERRAIN_M:
            x, y = zs[ok] - zs[ok].mean(), zb[ok] - zb[ok].mean()
            slope = float((x * y).sum() / (x * x).sum())
            return "surface" if slope < 0.5 else "sea level"
    return "unknown"


def zg_above_sea_level(ds: xr.Dataset) -> xr.DataArray:
    """Geometric height above sea level from a Z3GM written without the surface height, lazily.

    CAM's cam6_3_016..cam6_3_132 wrote Z3GM = z (1 + z/R) with z the geopotential height above
    the surface (ESCOMP/CAM issue 681). This inverts that for z and adds the surface height
    Zs = PHIS/g (or, without PHIS, Zs = Z3 - z, since Z3 = z + PHIS/g) the way CAM does since
    cam6_4_004 (ESCOMP/CAM issue 987, Hanli Liu's formula)::

        ZG = (Zs + x z) / (1 - x z / R),   x = 1 + Zs / R

    with CAM's g = 9.80616 m/s2 and R = 6.37122e6 m. Nothing is read until the result is (the
    fields become dask arrays of ``gcm.time_chunk`` times).

    Args:
        ds: A WACCM-X ``gcm`` Dataset with ZG (from Z3GM, km) and PHIS (m2/s2) or Z (km).

    Returns:
        DataArray like ZG, km, named ``ZG``.

    Raises:
        MissingVariableError: If ZG, or both PHIS and Z, are missing.
    """
    gcm_dataset(ds, "zg_above_sea_level", ("ZG",))
    time_chunk = config.get().gcm.time_chunk

    def lazy(da: xr.DataArray) -> xr.DataArray:
        return da if da.chunks else da.chunk({"time": time_chunk} if "time" in da.dims else {})

    r = CAM_EARTH_RADIUS_M
    z = _geopotential_from_z3gm(lazy(ds["ZG"]) * 1e3)
    if "PHIS" in ds:
        zs = _surface_geopotential(ds) / CAM_GRAVITY  # (lat, lon): at every time of ZG
        how = "PHIS/g"
    elif "Z" in ds:
        zs = lazy(ds["Z"]) * 1e3 - z
        how = "Z3 minus the geopotential height Z3GM implies"
    else:
        raise MissingVariableError(
            "zg_above_sea_level needs PHIS (surface geopotential) or Z (Z3) for the surface height"
        )
    x = 1.0 + zs / r
    zg = ((zs + x * z) / (1.0 - x * z / r)) * 1e-3
    zg = zg.transpose(*ds["ZG"].dims)
    zg.attrs = {
        "long_name": "geometric height above sea level",
        "units": "km",
        "source_name": "Z3GM",
        "note": "the file's Z3GM is height above the surface (CAM cam6_3_016..cam6_3_132, "
        f"ESCOMP/CAM issue 681); the surface height ({how}) was added with CAM's formula "
        "ZG = (Zs + x z)/(1 - x z/R), x = 1 + Zs/R",
    }
    zg.name = "ZG"
    return zg


@register_completion("ZG above sea level (WACCM-X Z3GM)")
def add_sea_level_heights(ds: xr.Dataset, source: str) -> xr.Dataset:
    """Make a WACCM-X Dataset's ZG height above sea level when the file's Z3GM is not.

    Runs in :func:`geospacexr.open_waccmx`; see :func:`z3gm_reference` and
    :func:`zg_above_sea_level`. ZG's ``attrs["note"]`` and the Dataset's
    ``attrs["zg_reference"]`` record what was found and done.

    Args:
        ds: A standard ``gcm`` Dataset.
        source: The first file's name, for the warning.

    Returns:
        ``ds`` with ZG corrected (heights above the surface), unchanged otherwise; a
        :class:`~geospacexr.errors.DataWarning` when neither PHIS nor Z3 can tell.
    """
    if (
        ds.attrs.get("model") != "WACCM-X"
        or "ZG" not in ds
        or ds["ZG"].attrs.get("source_name") != "Z3GM"
        or "lev" not in ds["ZG"].dims
    ):
        return ds
    reference = z3gm_reference(ds)
    if reference == "surface":
        ds["ZG"] = zg_above_sea_level(ds)
        ds.attrs["zg_reference"] = "sea level (surface height added to the file's Z3GM)"
    elif reference == "sea level":
        ds["ZG"].attrs["note"] = (
            "the file's Z3GM already includes the surface height (checked at the lowest level "
            "against Z3 or PHIS): used as written"
        )
        ds.attrs["zg_reference"] = "sea level (as written)"
    else:
        ds["ZG"].attrs["note"] = (
            "unverified: without Z3 or PHIS (or terrain 300 m high) it cannot be told whether "
            "the file's Z3GM includes the surface height (CAM cam6_3_016..cam6_3_132 left it out)"
        )
        ds.attrs["zg_reference"] = "unverified"
        warnings.warn(
            f"{source}: cannot tell whether Z3GM includes the surface height (no Z3 or PHIS to "
            "check against); ZG used as written",
            DataWarning,
            stacklevel=4,
        )
    return ds


def at_height(
    ds: xr.Dataset,
    var: str | xr.DataArray,
    heights_km: Any,
    interpolation: str | None = None,
) -> xr.DataArray:
    """Interpolate a field to geometric heights, column by column.

    Args:
        ds: A ``gcm`` Dataset (its ZG gives every column's heights).
        var: Variable name (or a DataArray on the Dataset's grid).
        heights_km: One height or a sequence of heights, km.
        interpolation: ``"linear"`` or ``"log"`` (default: log for densities, mixing ratios and
            emissions, linear otherwise; see :func:`interpolation_for`).

    Returns:
        The field with a ``height`` dim (km) in place of ``lev``/``ilev``; NaN where a height is
        outside a column (one :class:`~geospacexr.errors.DataWarning` says how many).

    Raises:
        OutOfRangeError: If a height lies outside every column. With dask-backed heights
            in several chunks (a run opened with ``chunks=``), the range is not computed up
            front (that would read every file's heights twice): a height outside every
            column is then NaN everywhere, as it is in a column that does not reach it, so the
            result never fails part way and equals the in-memory one wherever that one has
            no error; check ``z.min()``/``z.max()`` first when unsure.
        MissingVariableError: If the variable or the heights are missing.
    """
    gcm_dataset(ds, "at_height")
    da = variable(ds, var, "at_height")
    grid = vertical_dim(da)
    if grid is None:
        raise InvalidArgumentError(
            f"{da.name} has no vertical dimension: it cannot be put on heights", "var"
        )
    targets = np.atleast_1d(np.asarray(heights_km, dtype=np.float64))
    if targets.ndim != 1 or targets.size == 0 or not np.all(np.isfinite(targets)):
        raise InvalidArgumentError(
            f"heights_km must be finite numbers, not {heights_km!r}", "heights_km"
        )
    method = interpolation or interpolation_for(da)
    if method not in ("linear", "log"):
        raise InvalidArgumentError(
            f"interpolation must be 'linear' or 'log', not {interpolation!r}", "interpolation"
        )
    # heights only where the field is: select the field's time(s) before computing them
    if "time" in da.coords and "time" in ds.dims and da["time"].ndim == 0:
        index = int(np.flatnonzero(ds["time"].values == da["time"].values)[0])
        z = column_heights(ds.isel(time=index), grid)
    elif "time" in da.coords and "time" in ds.dims and da.sizes.get("time") != ds.sizes["time"]:
        z = column_heights(ds.sel(time=da["time"].values), grid)
    else:
        z = column_heights(ds, grid)
    selection = {
        d: da[d].values
        for d in z.dims
        if d != grid
        and d in da.coords
        and not (d in da.dims and da.indexes[d].equals(z.indexes[d]))
    }
    if selection:
        z = z.sel(selection)
    if da.chunks is None and z.chunks is None:
        return _at_height_numpy(da, z, grid, targets, method)
    if z.chunks is None or z.data.npartitions == 1:
        # heights in memory, or one chunk (one time of a run): their range is cheap, and a
        # height outside it is an error before any work
        lo, hi = float(z.min().values), float(z.max().values)
        _check_heights(targets, lo, hi)
    # else no range check: a pass over the heights of a whole run in the client, before the
    # work, would read every file twice; a chunk no column of which reaches a height gives NaN
    # there, as the in-memory path does for the columns that do not reach it
    da_in = da.chunk({grid: -1}) if da.chunks else da
    z = z.chunk({grid: -1}) if z.chunks else z
    result = xr.apply_ufunc(
        interp_columns,
        da_in,
        z,
        kwargs={"targets": targets, "log": method == "log"},
        input_core_dims=[[grid], [grid]],
        output_core_dims=[["height"]],
        dask="parallelized",
        output_dtypes=[np.float64],
        dask_gufunc_kwargs={"output_sizes": {"height": targets.size}},
    )
    return _wrap(result, da, grid, targets, method)


def _check_heights(targets: np.ndarray, lo: float, hi: float) -> None:
    outside = targets[(targets < lo) | (targets > hi)]
    if outside.size:
        raise OutOfRangeError(
            f"height {outside[0]:g} km is outside the model's range {lo:.1f} to {hi:.1f} km"
        )


def _wrap(
    result: xr.DataArray, da: xr.DataArray, grid: str, targets: np.ndarray, method: str
) -> xr.DataArray:
    result = result.assign_coords(
        height=("height", targets, {"units": "km", "long_name": "geometric height"})
    )
    order = [d for d in da.dims if d != grid]
    order.insert(da.dims.index(grid), "height")
    result = result.transpose(*order)
    result.attrs = {**da.attrs, "interpolation": f"{method} in height, per column"}
    result.name = da.name
    return fused(result)


def _at_height_numpy(
    da: xr.DataArray, z: xr.DataArray, grid: str, targets: np.ndarray, method: str
) -> xr.DataArray:
    """The in-memory path: each array read once, one compiled pass, one NaN count."""
    others = [d for d in da.dims if d != grid]
    raw = np.asarray(da.values)
    z_values = np.asarray(z.values)
    if (
        da.dims[0] == grid
        and z.dims == da.dims
        and raw.shape == z_values.shape
        and raw.dtype in (np.float32, np.float64)
    ):
        # vertical axis first in both (a field at one time): interpolate in place, no copies
        if not _COMPILED_FIRST:
            _COMPILED_FIRST.append(_kernel_first())
        n = raw.shape[0]
        first = np.empty((targets.size, raw[0].size))
        _COMPILED_FIRST[0](
            np.ascontiguousarray(raw).reshape(n, -1),
            np.ascontiguousarray(z_values, dtype=np.float64).reshape(n, -1),
            targets.reshape(-1, 1),
            method == "log",
            first,
        )
        out = np.moveaxis(first.reshape(targets.size, *raw.shape[1:]), 0, -1)
        values = np.moveaxis(raw, 0, -1)
        heights = np.moveaxis(z_values, 0, -1)
    else:
        # read first, then reorder in memory (a lazy transpose of a file-backed array is slow)
        values = np.moveaxis(raw, da.dims.index(grid), -1)
        heights = np.moveaxis(
            z_values.transpose([z.dims.index(d) for d in (*others, grid)]), -1, -1
        )
        out = interp_columns(values, heights, targets, log=method == "log")
    empty = np.isnan(out).reshape(-1, targets.size).all(axis=0)
    if empty.any():  # only then look at the range, to say why
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices
            _check_heights(targets[empty], float(np.nanmin(heights)), float(np.nanmax(heights)))
    has_data = np.isfinite(values).any(axis=-1)
    missing = int((np.isnan(out) & has_data[..., None]).sum())
    # build the result once, in the field's dim order (no assign_coords/transpose round trip)
    position = da.dims.index(grid)
    coords = {name: c for name, c in da.coords.items() if grid not in c.dims}
    coords["height"] = ("height", targets, {"units": "km", "long_name": "geometric height"})
    dims = list(others)
    dims.insert(position, "height")
    result = xr.DataArray(
        np.moveaxis(out, -1, position),
        dims=dims,
        coords=coords,
        attrs={**da.attrs, "interpolation": f"{method} in height, per column"},
        name=da.name,
    )
    if missing:
        warnings.warn(
            f"{missing} of {result.size} values are NaN: those heights lie outside some columns",
            DataWarning,
            stacklevel=3,
        )
    return result
