"""Slices of GCM fields: every GCMprocpy slice, on xarray, lazily.

Conventions shared by every slice:

* ``time``: a string, datetime or datetime64; the nearest time unless ``method="exact"``;
  ``time=None`` keeps every time (a leading ``time`` dim, still lazy).
* vertical: exactly one of ``level`` (the variable's own grid: ln(p0/p) on ``lev`` or ``ilev``
  for TIE-GCM, the hybrid level in hPa for WACCM-X; between two levels the field is interpolated
  linearly in log-pressure, where GCMprocpy averages the two), ``pressure`` (hPa; per column for
  WACCM-X, whose pressure varies with surface pressure) or ``height`` (km; true per-column
  interpolation, :func:`geospacexr.gcm.at_height`).
* ``lat``/``lon`` pick the nearest grid point; ``lon=None`` in :func:`lev_lat` and
  :func:`lat_time` means the zonal mean.
* ``local_time``: in :func:`lat_lon`, ``True`` replaces longitude by solar local time
  (UT + lon/15) at that time; in the time slices a number h samples, at every time, the
  longitude where the local time is h (what a sun-synchronous satellite sees), interpolating
  periodically in longitude.

Every variable of a history can be sliced, whatever its grid (:func:`geospacexr.gcm.variables`
says which grid each is on):

* 2-D fields on ``(time, lat, lon)`` (TEC, NMF2, HMF2, FOF2, TLBC...) take the horizontal and
  time slices (:func:`lat_lon`, :func:`lat_time`, :func:`lon_time`, :func:`var_time`,
  :func:`zonal_mean`, :func:`global_mean`); they have no vertical dim, so ``level``, ``height``
  and ``pressure`` are refused (:class:`~geospacexr.errors.InvalidArgumentError` naming the
  field), as are the vertical slices (:func:`lev_lat`, :func:`lev_lon`, :func:`lev_time`).
* Per-time scalars on ``(time,)`` (Kp, ctpoten...) take only :func:`var_time`, which returns
  their series (``lat``/``lon`` are not used); every other slice refuses them.
* Fields on TIE-GCM's geomagnetic grid (dims ``mlat``, ``mlon`` and, for 3-D fields, ``mlev``
  or ``imlev``: ZMAG, ED1, JE13D, PHIM2D...) slice on that grid: ``lat``/``lon`` arguments
  are *magnetic* latitude and longitude, results have ``mlat``/``mlon`` dims (``lat_lon``
  gives an ``(mlat, mlon)`` map, ``lev_lat`` an ``(mlev|imlev, mlat)`` section), ``level`` and
  ``pressure`` select on ``mlev``/``imlev`` (ln(p0/p), as ``lev``), and ``height`` interpolates
  each magnetic column with its own geometric height from ZMAG (:func:`magnetic_heights`).
  ``mlon``'s periodic duplicate (both -180 and +180) is kept in maps and sections (it is the
  model's grid) and counted once in zonal and global means. Local time is geographic: the
  ``local_time`` arguments and :func:`along_track` refuse geomagnetic fields.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ..errors import InvalidArgumentError, MissingVariableError, OutOfRangeError
from ._select import (
    MAGNETIC_VERTICAL,
    as_number,
    check_method,
    check_range,
    fused,
    gcm_dataset,
    grid_of,
    horizontal_dims,
    local_time_lon,
    require_vertical,
    time_first,
    time_of,
    ut_hours,
    variable,
    vertical_dim,
)
from .heights import at_height, interp_columns, interpolation_for

__all__ = [
    "along_track",
    "global_mean",
    "lat_lon",
    "lat_time",
    "lev_lat",
    "lev_lon",
    "lev_time",
    "lon_time",
    "magnetic_heights",
    "select_vertical",
    "var_time",
    "zonal_mean",
]


def _finish(da: xr.DataArray, order: list[str], long_name: str | None = None) -> xr.DataArray:
    present = [d for d in order if d in da.dims]
    rest = [d for d in da.dims if d not in present]
    out = da.transpose(*rest, *present)
    if long_name:
        out.attrs = {**out.attrs, "slice": long_name}
    return fused(out)


def _level_weights(
    grid_values: np.ndarray, target: float, log_axis: bool
) -> tuple[int, int, float]:
    axis = np.log(grid_values) if log_axis else grid_values
    t = np.log(target) if log_axis else target
    order = np.argsort(axis)
    sorted_axis = axis[order]
    j = int(np.clip(np.searchsorted(sorted_axis, t) - 1, 0, len(axis) - 2))
    w = (t - sorted_axis[j]) / (sorted_axis[j + 1] - sorted_axis[j])
    return int(order[j]), int(order[j + 1]), float(w)


def select_vertical(
    ds: xr.Dataset,
    da: xr.DataArray,
    level: float | None = None,
    height: float | None = None,
    pressure: float | None = None,
    where: str = "slice",
) -> xr.DataArray:
    """Reduce a field's vertical dim by a level, a pressure or a height.

    Args:
        ds: The ``gcm`` Dataset (for heights and pressures).
        da: The field.
        level: Level on the field's own grid (ln(p0/p) for TIE-GCM, hybrid hPa for WACCM-X).
        height: Geometric height, km (per-column interpolation).
        pressure: Pressure, hPa.
        where: Caller name for messages.

    Returns:
        The field without its vertical dim (a scalar coordinate records the choice).

    Raises:
        InvalidArgumentError: If not exactly one of level/height/pressure is given for a 3-D
            field.
        OutOfRangeError: If the value lies outside the model's range.
    """
    grid = vertical_dim(da)
    given = [
        k
        for k, v in (("level", level), ("height", height), ("pressure", pressure))
        if v is not None
    ]
    if grid is None:
        if given:
            placed = any(c in da.coords for c in ("lat", "lon", "mlat", "mlon"))
            kind = "per-time scalar" if grid_of(da) == "scalar" and not placed else "2-D field"
            raise InvalidArgumentError(
                f"{where}: {da.name} is a {kind} (dims {', '.join(map(str, da.dims))}) with no "
                f"levels, so it takes no {given[0]}=; leave level, height and pressure unset",
                given[0],
            )
        return da
    if len(given) != 1:
        raise InvalidArgumentError(
            f"{where}: give exactly one of level=, height= or pressure= for the 3-D field "
            f"{da.name} (given: {', '.join(given) or 'none'})"
        )
    model = ds.attrs.get("model")
    magnetic = grid in MAGNETIC_VERTICAL
    if height is not None:
        if magnetic:
            return _magnetic_at_height(ds, da, grid, as_number(height, "height"), where)
        out = at_height(ds, da, [as_number(height, "height")]).squeeze("height")
        return out
    values = (da[grid] if grid in da.coords else ds[grid]).values
    if pressure is not None:
        pressure = as_number(pressure, "pressure")
        if magnetic and "p0_hPa" not in ds.attrs:
            raise InvalidArgumentError(
                f"{where}: no reference pressure (attrs['p0_hPa']) to turn {pressure:g} hPa into "
                f"a {grid} level; give level= instead",
                "pressure",
            )
        if model == "TIE-GCM" or magnetic:
            level = float(np.log(ds.attrs["p0_hPa"] / pressure)) if pressure > 0 else np.inf
            check_range(
                "pressure",
                pressure,
                float(np.min(ds.attrs["p0_hPa"] * np.exp(-values))),
                float(np.max(ds.attrs["p0_hPa"] * np.exp(-values))),
                "hPa",
            )
        else:
            return _pressure_columns(ds, da, grid, pressure)
    assert level is not None
    level = as_number(level, "level")
    check_range("level", level, float(values.min()), float(values.max()), "(model level)")
    exact = np.isclose(values, level, rtol=0, atol=1e-9)
    if exact.any():
        out = da.isel({grid: int(np.argmax(exact))})
    else:
        i0, i1, w = _level_weights(values, level, log_axis=(model == "WACCM-X" and not magnetic))
        out = _between_levels(da, grid, i0, i1, w, level)
    if pressure is not None:
        out = out.assign_coords(pressure=pressure)
    return out


def _between_levels(
    da: xr.DataArray, grid: str, i0: int, i1: int, w: float, level: float
) -> xr.DataArray:
    """``da`` at ``(1 - w) * level i0 + w * level i1``, labelled with the scalar ``level``.

    Both levels come in one read; in-memory (numpy) fields are combined in numpy and wrapped
    once, which avoids xarray's per-operation alignment (most of a slice's time otherwise).
    """
    pair = da.isel({grid: [i0, i1]})
    if pair.chunks:  # dask: stay lazy
        out = pair.isel({grid: 0}, drop=True) * (1.0 - w) + pair.isel({grid: 1}, drop=True) * w
        out = out.assign_coords({grid: level})
        out.attrs = da.attrs
        out.name = da.name
        return out
    axis = pair.dims.index(grid)
    values = pair.values
    low, high = np.take(values, 0, axis=axis), np.take(values, 1, axis=axis)
    template = pair.isel({grid: 0}, drop=True)
    return xr.DataArray(
        low * (1.0 - w) + high * w,
        dims=template.dims,
        coords={**template.coords, grid: level},
        attrs=da.attrs,
        name=da.name,
    )


def _pressure_columns(ds: xr.Dataset, da: xr.DataArray, grid: str, pressure: float) -> xr.DataArray:
    """WACCM-X: interpolate each column linearly in ln p to ``pressure`` hPa."""
    pname = "pressure" if grid == "lev" else "ipressure"
    p = ds[pname]
    lo, hi = float(p.min().values), float(p.max().values)
    check_range("pressure", pressure, lo, hi, "hPa")
    p = p.sel({d: da[d].values for d in p.dims if d != grid and d in da.coords})
    p = p.chunk({grid: -1}) if p.chunks else p
    da = da.chunk({grid: -1}) if da.chunks else da
    out = xr.apply_ufunc(
        lambda v, c: interp_columns(v, np.log(c), np.array([np.log(pressure)]))[..., 0],
        da,
        p,
        input_core_dims=[[grid], [grid]],
        dask="parallelized",
        output_dtypes=[np.float64],
    )
    out.attrs = da.attrs
    out.name = da.name
    return out.assign_coords(pressure=pressure)


def _nearest(da: xr.DataArray, dim: str, value: float, low: float, high: float) -> xr.DataArray:
    value = as_number(value, dim)
    check_range(dim, value, low, high, "degrees")
    if dim in ("lon", "mlon"):
        value = (float(value) + 180.0) % 360.0 - 180.0
        lons = da[dim].values
        diff = np.abs((lons - value + 180.0) % 360.0 - 180.0)
        return da.isel({dim: int(np.argmin(diff))})
    return da.sel({dim: value}, method="nearest")


def _at(da: xr.DataArray, axis: str, value: float, where: str) -> xr.DataArray:
    """``da`` at the nearest latitude (``axis="lat"``) or longitude of its own grid.

    On the geomagnetic grid the value is a magnetic latitude or longitude (``mlat``/``mlon``).
    """

    def on(dims: tuple[str, str]) -> bool:  # also after one of the two was selected
        return any(d in da.dims or d in da.coords for d in dims)

    if on(("mlat", "mlon")):
        lat_dim, lon_dim = "mlat", "mlon"
    elif on(("lat", "lon")):
        lat_dim, lon_dim = "lat", "lon"
    else:
        lat_dim, lon_dim = horizontal_dims(da, where)  # refuses with the reason
    if axis == "lat":
        return _nearest(da, lat_dim, value, -90, 90)
    return _nearest(da, lon_dim, value, -180, 360)


def _geographic_only(da: xr.DataArray, what: str, where: str) -> None:
    """Refuse local-time sampling and tracks for fields off the geographic grid."""
    grid = grid_of(da)
    if grid != "geographic":
        raise InvalidArgumentError(
            f"{where}: {what} needs a field on the geographic (lat, lon) grid; {da.name} is on "
            f"the {grid} grid (dims {', '.join(map(str, da.dims))})",
            "local_time" if "local" in what else "var",
        )


def _without_periodic_duplicate(da: xr.DataArray, lon_dim: str) -> xr.DataArray:
    """Drop the last longitude when it repeats the first one 360 degrees on (mlon's +180)."""
    lons = np.asarray(da[lon_dim].values, dtype=np.float64)
    if lons.size > 1 and np.isclose(lons[-1] - lons[0], 360.0, rtol=0.0, atol=1e-6):
        return da.isel({lon_dim: slice(None, -1)})
    return da


def _gravity_45() -> tuple[float, float]:
    """Surface gravity (cm/s^2) and effective radius (km) of gravity at 45 degrees latitude.

    :func:`geospacexr.physics.gravity`'s latitude term vanishes there.
    """
    from ..physics import gravity_parameters

    g_surface, r_eff_cm = gravity_parameters(np.float64(45.0))
    return float(g_surface), float(r_eff_cm) * 1e-5


#: TIE-GCM's constant gravity (``grav`` in ``cons.F`` and on the histories), cm/s^2: its
#: geopotential heights (Z, ZMAG) are heights under this gravity.
TIEGCM_GRAVITY_CGS = 870.0
_LENGTH_TO_KM = {"km": 1.0, "m": 1e-3, "cm": 1e-5}


def _in_km(z: xr.DataArray) -> xr.DataArray:
    """``z`` in km from its ``units`` (km, m or cm); without units cm when values exceed 1e4."""
    units = str(z.attrs.get("units", "")).strip().lower()
    if units in _LENGTH_TO_KM:
        return z * _LENGTH_TO_KM[units]
    if units:
        raise InvalidArgumentError(f"{z.name} has units {units!r}; heights need km, m or cm", "ds")
    sample = np.asarray(z.isel({d: 0 for d in z.dims if d not in ("imlev", "mlev")}).values)
    big = np.nanmax(np.abs(sample)) > 1e4 if np.isfinite(sample).any() else False
    return z * (1e-5 if big else 1.0)


def magnetic_heights(ds: xr.Dataset, grid: str = "imlev") -> xr.DataArray:
    """Geometric height (km) of every point of TIE-GCM's geomagnetic grid, from ZMAG.

    ZMAG is the model's geopotential height Z (constant gravity g0, the file's ``grav``, 870
    cm/s^2 in TIE-GCM) carried onto the geomagnetic grid by the dynamo, on ``imlev``. Gravity
    pulls with g(h) dh = g0 dZ, and with g(h) = g_s (r_e / (r_e + h))^2
    (:func:`geospacexr.physics.gravity`, at 45 degrees latitude: the geographic latitude of a
    magnetic grid point is not on the file) this integrates exactly from a reference level, where
    Z is taken as geometric (as :func:`geospacexr.gcm.heights.zg_from_z` takes the lowest Z of a
    column), to

        1 / (r_e + h) = 1 / (r_e + Z_b) - g0 (Z - Z_b) / (g_s r_e^2).

    The reference level is the model's lower boundary (the ``imlev`` nearest to the lowest
    ``ilev``, -7; the lowest ``imlev`` without ``ilev``). Omitting the latitude term moves
    heights by under 0.3 % of their distance from the boundary (about 1 km at 400 km).
    ``mlev`` heights are ``imlev`` heights interpolated linearly in ln(p0/p) (the mean of the two
    neighbouring interfaces for TIE-GCM's half-level midpoints); levels beyond the ``imlev``
    range are NaN. Units of ZMAG are read from its ``units`` (km on real histories, also cm or
    m); nothing is read until the result is.

    Args:
        ds: A ``gcm`` Dataset with ZMAG.
        grid: ``"imlev"`` (interfaces) or ``"mlev"`` (midpoints).

    Returns:
        DataArray ``(time, grid, mlat, mlon)`` in km, named ``height``.

    Raises:
        MissingVariableError: If the Dataset has no ZMAG.
        InvalidArgumentError: If ``grid`` is not a geomagnetic vertical dim, ZMAG is not on one,
            or its units are not a length.
    """
    gcm_dataset(ds, "magnetic_heights")
    if grid not in MAGNETIC_VERTICAL:
        raise InvalidArgumentError(
            f"must be one of {', '.join(MAGNETIC_VERTICAL)}, not {grid!r}", "grid"
        )
    if "ZMAG" not in ds:
        raise MissingVariableError(
            "heights on the geomagnetic grid need ZMAG (the geopotential height on that grid, "
            "written on every TIE-GCM secondary history): open the secondary histories too"
        )
    zmag = ds["ZMAG"]
    source = vertical_dim(zmag)
    if source not in MAGNETIC_VERTICAL:
        raise InvalidArgumentError(f"ZMAG must be on imlev or mlev, found dims {zmag.dims}", "ds")
    z = _in_km(zmag.astype(np.float64))  # float32 histories: convert in double precision
    levels = np.asarray(zmag[source].values, dtype=np.float64)
    bottom = float(np.min(ds["ilev"].values)) if "ilev" in ds.coords else float(levels.min())
    ref = int(np.argmin(np.abs(levels - bottom)))
    g0 = float(ds["grav"].values) if "grav" in ds and ds["grav"].ndim == 0 else TIEGCM_GRAVITY_CGS
    g_surface, r_eff = _gravity_45()
    z_b = z.isel({source: ref}, drop=True)
    h = 1.0 / (1.0 / (r_eff + z_b) - (g0 / g_surface) * (z - z_b) / r_eff**2) - r_eff
    if grid != source:
        h = _to_levels(h, source, grid, np.asarray(ds[grid].values, dtype=np.float64))
    h = h.transpose(*[d for d in ("time", grid, "mlat", "mlon") if d in h.dims], ...)
    h.attrs = {"long_name": f"geometric height ({grid}, from ZMAG)", "units": "km"}
    h.name = "height"
    return h


def _to_levels(h: xr.DataArray, source: str, grid: str, targets: np.ndarray) -> xr.DataArray:
    """``h`` on ``source`` levels interpolated linearly to ``targets`` on ``grid`` (NaN outside)."""
    levels = np.asarray(h[source].values, dtype=np.float64)
    order = np.argsort(levels)
    sorted_levels = levels[order]
    j = np.clip(np.searchsorted(sorted_levels, targets) - 1, 0, levels.size - 2)
    w = (targets - sorted_levels[j]) / (sorted_levels[j + 1] - sorted_levels[j])
    inside = (targets >= sorted_levels[0] - 1e-9) & (targets <= sorted_levels[-1] + 1e-9)
    low = h.isel({source: xr.DataArray(order[j], dims=grid)}, drop=True)
    high = h.isel({source: xr.DataArray(order[j + 1], dims=grid)}, drop=True)
    weight = xr.DataArray(w, dims=grid)
    out = (low * (1.0 - weight) + high * weight).where(xr.DataArray(inside, dims=grid))
    return out.assign_coords({grid: targets})


def _magnetic_at_height(
    ds: xr.Dataset, da: xr.DataArray, grid: str, height: float, where: str
) -> xr.DataArray:
    """A geomagnetic-grid field at one geometric height, each column with its own ZMAG heights."""
    z = magnetic_heights(ds, grid)
    selection = {
        d: da[d].values
        for d in z.dims
        if d != grid
        and d in da.coords
        and not (d in da.dims and d in z.indexes and da.indexes[d].equals(z.indexes[d]))
    }
    if selection:
        z = z.sel(selection)
    z = z.drop_vars([c for c in z.coords if c not in z.dims and c not in da.coords])
    lo, hi = float(z.min().values), float(z.max().values)
    if not lo <= height <= hi:
        raise OutOfRangeError(
            f"{where}: height {height:g} km is outside the geomagnetic grid's heights "
            f"{lo:.1f} to {hi:.1f} km (from ZMAG)"
        )
    log = interpolation_for(da) == "log"
    da_in = da.chunk({grid: -1}) if da.chunks else da
    z = z.chunk({grid: -1}) if z.chunks else z
    z.name = None
    out = xr.apply_ufunc(
        lambda v, c: interp_columns(v, c, np.array([height]), log=log)[..., 0],
        da_in,
        z,
        input_core_dims=[[grid], [grid]],
        dask="parallelized",
        output_dtypes=[np.float64],
    )
    out = out.assign_coords(height=((), height, {"units": "km", "long_name": "geometric height"}))
    out.attrs = {
        **da.attrs,
        "interpolation": f"{'log' if log else 'linear'} in height, per column (ZMAG)",
    }
    out.name = da.name
    return out


def _lon_periodic(da: xr.DataArray) -> xr.DataArray:
    """Append the first longitude at +360 so interpolation wraps around."""
    first = da.isel(lon=[0])
    first = first.assign_coords(lon=first["lon"] + 360.0)
    return xr.concat([da, first], dim="lon")


def _sample_local_time(da: xr.DataArray, local_time: float) -> xr.DataArray:
    """At every time, the field at the longitude where the solar local time is ``local_time``.

    Geographic fields only: the callers refuse others first (:func:`_geographic_only`).
    """
    local_time = as_number(local_time, "local_time")
    check_range("local_time", local_time, 0.0, 24.0, "h")
    lons = local_time_lon(ut_hours(da["time"].values), float(local_time))
    lon0 = float(da["lon"].values.min())
    lons = (lons - lon0) % 360.0 + lon0
    sampled = _lon_periodic(da).interp(
        lon=xr.DataArray(lons, dims="time", coords={"time": da["time"]})
    )
    sampled = sampled.assign_coords(lon=("time", lons), local_time=float(local_time))
    sampled.attrs = da.attrs
    return sampled


def lat_lon(
    ds: xr.Dataset,
    var: str,
    time: Any = None,
    level: float | None = None,
    height: float | None = None,
    pressure: float | None = None,
    local_time: bool | None = None,
    method: str = "nearest",
) -> xr.DataArray:
    """A horizontal (latitude-longitude) slice.

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name (standard, file name or derived).
        time: Time (nearest unless ``method="exact"``); ``None`` keeps every time.
        level: Level on the variable's own grid.
        height: Geometric height, km.
        pressure: Pressure, hPa.
        local_time: ``True`` replaces longitude by solar local time (needs one time).
        method: ``"nearest"`` or ``"exact"`` time matching.

    Returns:
        DataArray ``(lat, lon)`` (``(time, lat, lon)`` when ``time=None``; ``local_time`` in place
        of ``lon`` with ``local_time=True``); ``(mlat, mlon)`` for a field on the geomagnetic
        grid (its ``mlon`` as on file, periodic duplicate included). A 2-D field (TEC, NMF2...)
        is its map at that time, with no vertical argument.

    Raises:
        OutOfRangeError: If the time, level, pressure or height is outside the data.
        MissingVariableError: If the variable does not exist (close names are suggested), or a
            height is asked of a geomagnetic-grid field without ZMAG.
        InvalidArgumentError: For a per-time scalar (no map), a vertical argument for a 2-D
            field, or ``local_time=True`` for a geomagnetic-grid field.
    """
    gcm_dataset(ds, "lat_lon")
    check_method(method)
    ds, cut = time_first(ds, time, method)
    da = variable(ds, var, "lat_lon")
    lat_dim, lon_dim = horizontal_dims(da, "lat_lon")
    if local_time:
        _geographic_only(da, "local_time=True", "lat_lon")
    da = time_of(da, time, method, cut)
    da = select_vertical(ds, da, level, height, pressure, where="lat_lon")
    if local_time:
        if "time" in da.dims:
            raise InvalidArgumentError("lat_lon(local_time=True) needs one time: pass time=...")
        ut = float(ut_hours(np.atleast_1d(da["time"].values))[0])
        lt = (ut + da["lon"].values / 15.0) % 24.0
        da = da.assign_coords(
            local_time=("lon", lt, {"units": "h", "long_name": "solar local time"})
        )
        da = da.swap_dims(lon="local_time").sortby("local_time")
        return _finish(da, ["lat", "local_time"], "lat-local time")
    return _finish(da, ["time", lat_dim, lon_dim], "lat-lon")


def lev_lon(
    ds: xr.Dataset, var: str, time: Any = None, lat: float | None = None, method: str = "nearest"
) -> xr.DataArray:
    """A vertical slice along a latitude circle: (level, longitude).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        time: Time (nearest unless ``method="exact"``); ``None`` keeps every time.
        lat: Latitude (nearest grid latitude).
        method: ``"nearest"`` or ``"exact"`` time matching.

    Returns:
        DataArray ``(lev|ilev, lon)``; ``(mlev|imlev, mlon)`` for a field on the geomagnetic
        grid (``lat`` is then a magnetic latitude).

    Raises:
        InvalidArgumentError: If ``lat`` is missing or the field has no levels (2-D fields,
            per-time scalars).
    """
    gcm_dataset(ds, "lev_lon")
    if lat is None:
        raise InvalidArgumentError("lev_lon needs lat=")
    ds, cut = time_first(ds, time, method)
    da = variable(ds, var, "lev_lon")
    grid = require_vertical(da, "lev_lon", "use lon_time or lat_lon for a 2-D field")
    _, lon_dim = horizontal_dims(da, "lev_lon")
    da = time_of(da, time, method, cut)
    da = _at(da, "lat", lat, "lev_lon")
    return _finish(da, ["time", grid, lon_dim], "lev-lon")


def lev_lat(
    ds: xr.Dataset, var: str, time: Any = None, lon: float | None = None, method: str = "nearest"
) -> xr.DataArray:
    """A vertical slice along a meridian, or the zonal mean: (level, latitude).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        time: Time (nearest unless ``method="exact"``); ``None`` keeps every time.
        lon: Longitude (nearest grid longitude); ``None`` for the zonal mean.
        method: ``"nearest"`` or ``"exact"`` time matching.

    Returns:
        DataArray ``(lev|ilev, lat)``; ``(mlev|imlev, mlat)`` for a field on the geomagnetic
        grid (``lon`` is then a magnetic longitude, the mean is over ``mlon``).

    Raises:
        InvalidArgumentError: If the field has no levels (2-D fields, per-time scalars).
    """
    gcm_dataset(ds, "lev_lat")
    ds, cut = time_first(ds, time, method)
    da = variable(ds, var, "lev_lat")
    grid = require_vertical(da, "lev_lat", "use lat_time or zonal_mean for a 2-D field")
    lat_dim, _ = horizontal_dims(da, "lev_lat")
    da = time_of(da, time, method, cut)
    da = zonal_mean(ds, da) if lon is None else _at(da, "lon", lon, "lev_lat")
    return _finish(da, ["time", grid, lat_dim], "lev-lat")


def lev_time(
    ds: xr.Dataset, var: str, lat: float, lon: float | None = None, local_time: float | None = None
) -> xr.DataArray:
    """A vertical profile against time at one place (or at one local time): (level, time).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        lat: Latitude (nearest grid latitude).
        lon: Longitude (nearest); needed unless ``local_time`` is given, ignored when it is.
        local_time: Sample, at every time, the longitude where the local time is this (hours).

    Returns:
        DataArray ``(lev|ilev, time)``.

    Raises:
        InvalidArgumentError: If neither ``lon`` nor ``local_time`` is given, the field has no
            levels, or ``local_time`` is given for a geomagnetic-grid field.
    """
    gcm_dataset(ds, "lev_time")
    if lon is None and local_time is None:
        raise InvalidArgumentError(
            "give the longitude (lon=, degrees) or a local time to follow (local_time=, hours)",
            "lon",
        )
    da = variable(ds, var, "lev_time")
    grid = require_vertical(da, "lev_time", "use var_time for a 2-D field")
    if local_time is not None:
        _geographic_only(da, "local_time", "lev_time")
    da = _at(da, "lat", lat, "lev_time")
    da = (
        _sample_local_time(da, local_time)
        if local_time is not None
        else _at(da, "lon", lon, "lev_time")
    )
    return _finish(da, [grid, "time"], "lev-time")


def lat_time(
    ds: xr.Dataset,
    var: str,
    lon: float | None = None,
    level: float | None = None,
    height: float | None = None,
    pressure: float | None = None,
    local_time: float | None = None,
) -> xr.DataArray:
    """Latitude against time at one longitude, one local time, or zonally averaged: (lat, time).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        lon: Longitude (nearest); ``None`` (and no ``local_time``) for the zonal mean.
        level: Level on the variable's grid.
        height: Height, km.
        pressure: Pressure, hPa.
        local_time: Sample the longitude where the local time is this, at every time.

    Returns:
        DataArray ``(lat, time)``; ``(mlat, time)`` for a field on the geomagnetic grid.
    """
    gcm_dataset(ds, "lat_time")
    da = variable(ds, var, "lat_time")
    lat_dim, _ = horizontal_dims(da, "lat_time")
    if local_time is not None:
        _geographic_only(da, "local_time", "lat_time")
    da = select_vertical(ds, da, level, height, pressure, where="lat_time")
    if local_time is not None:
        da = _sample_local_time(da, local_time)
    elif lon is None:
        da = zonal_mean(ds, da)
    else:
        da = _at(da, "lon", lon, "lat_time")
    return _finish(da, [lat_dim, "time"], "lat-time")


def lon_time(
    ds: xr.Dataset,
    var: str,
    lat: float,
    level: float | None = None,
    height: float | None = None,
    pressure: float | None = None,
) -> xr.DataArray:
    """Longitude against time at one latitude: (lon, time).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        lat: Latitude (nearest).
        level: Level on the variable's grid.
        height: Height, km.
        pressure: Pressure, hPa.

    Returns:
        DataArray ``(lon, time)``; ``(mlon, time)`` for a field on the geomagnetic grid.
    """
    gcm_dataset(ds, "lon_time")
    da = variable(ds, var, "lon_time")
    _, lon_dim = horizontal_dims(da, "lon_time")
    da = _at(da, "lat", lat, "lon_time")
    da = select_vertical(ds, da, level, height, pressure, where="lon_time")
    return _finish(da, [lon_dim, "time"], "lon-time")


def var_time(
    ds: xr.Dataset,
    var: str,
    lat: float,
    lon: float | None = None,
    level: float | None = None,
    height: float | None = None,
    pressure: float | None = None,
    local_time: float | None = None,
) -> xr.DataArray:
    """A time series at one place (or one local time): (time,).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        lat: Latitude (nearest).
        lon: Longitude (nearest); not needed with ``local_time``.
        level: Level on the variable's grid.
        height: Height, km.
        pressure: Pressure, hPa.
        local_time: Sample the longitude where the local time is this, at every time.

    Returns:
        DataArray ``(time,)``. A per-time scalar (Kp, ctpoten...) gives its own series (``lat``
        and ``lon`` are not used); on the geomagnetic grid ``lat``/``lon`` are magnetic.
    """
    gcm_dataset(ds, "var_time")
    da = variable(ds, var, "var_time")
    if grid_of(da) == "scalar":
        da = select_vertical(ds, da, level, height, pressure, where="var_time")
        return _finish(da, ["time"], "time series")
    if lon is None and local_time is None:
        raise InvalidArgumentError("var_time needs lon= or local_time=")
    if local_time is not None:
        _geographic_only(da, "local_time", "var_time")
    da = _at(da, "lat", lat, "var_time")
    da = (
        _sample_local_time(da, local_time)
        if local_time is not None
        else _at(da, "lon", lon, "var_time")
    )
    da = select_vertical(ds, da, level, height, pressure, where="var_time")
    return _finish(da, ["time"], "time series")


def zonal_mean(ds: xr.Dataset, var: str | xr.DataArray) -> xr.DataArray:
    """Mean over longitude (NaN ignored).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name or DataArray.

    Returns:
        The field without ``lon`` (``mlon`` on the geomagnetic grid, whose periodic duplicate
        longitude is counted once).
    """
    da = variable(ds, var, "zonal_mean")
    _, lon_dim = horizontal_dims(da, "zonal_mean")
    da = _without_periodic_duplicate(da, lon_dim)
    attrs = {**da.attrs, "cell_methods": f"{lon_dim}: mean"}
    out = xr.apply_ufunc(
        _nanmean_last,
        da,
        input_core_dims=[[lon_dim]],
        dask="parallelized",
        output_dtypes=[np.float64],
    )
    out.attrs = attrs
    out.name = da.name
    return fused(out)


def _nanmean_last(values: np.ndarray) -> np.ndarray:
    """Mean over the last axis ignoring NaN (compiled, one pass; float64)."""
    from .._fastmath import nanmean_last

    return nanmean_last(values)


def global_mean(ds: xr.Dataset, var: str | xr.DataArray) -> xr.DataArray:
    """Area-weighted (cos latitude) mean over the globe (NaN ignored).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name or DataArray.

    Returns:
        The field without ``lat`` and ``lon`` (``mlat`` and ``mlon`` on the geomagnetic grid,
        cos(magnetic latitude) weights, the periodic duplicate longitude counted once).
    """
    da = variable(ds, var, "global_mean")
    lat_dim, lon_dim = horizontal_dims(da, "global_mean")
    da = _without_periodic_duplicate(da, lon_dim)
    weights = np.cos(np.deg2rad(da[lat_dim])).clip(min=0.0)
    out = da.weighted(weights).mean((lat_dim, lon_dim), skipna=True, keep_attrs=True)
    out.attrs["cell_methods"] = "area: mean (cos latitude weights)"
    return fused(out)


def along_track(
    ds: xr.Dataset, var: str, time: Any, lat: Any, lon: Any, height: Any
) -> xr.DataArray:
    """Interpolate a field along a satellite track, in time, latitude, longitude and height.

    Linear in time, latitude and longitude (periodic), then per-column in height (linear or
    log-linear as :func:`~geospacexr.gcm.at_height`), all points at once.

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        time: Track times (``(n,)`` datetime64 or strings).
        lat: Track latitudes, degrees.
        lon: Track longitudes, degrees.
        height: Track heights, km.

    Returns:
        DataArray ``(track,)`` with the track's coordinates; NaN outside the model's times or
        heights.
    """
    from .heights import column_heights, interpolation_for

    gcm_dataset(ds, "along_track")
    da = variable(ds, var, "along_track")
    _geographic_only(da, "a satellite track (geographic positions)", "along_track")
    t = np.asarray(np.atleast_1d(time), dtype="datetime64[ns]")
    la, lo, h = (np.atleast_1d(np.asarray(x, dtype=np.float64)) for x in (lat, lon, height))
    if not (t.size == la.size == lo.size == h.size):
        raise InvalidArgumentError(
            "time, lat, lon and height must have one length "
            f"(got {t.size}, {la.size}, {lo.size}, {h.size})"
        )
    check_range("lat", la, -90, 90, "degrees")
    lon0 = float(ds["lon"].values.min())
    lo_wrapped = (lo - lon0) % 360.0 + lon0
    points = {
        "time": xr.DataArray(t, dims="track"),
        "lat": xr.DataArray(la, dims="track"),
        "lon": xr.DataArray(lo_wrapped, dims="track"),
    }
    grid = vertical_dim(da)
    field = _lon_periodic(da).interp(points)
    if grid is None:
        out = field
    else:
        z = _lon_periodic(column_heights(ds, grid)).interp(points)
        values = interp_columns(
            field.transpose("track", grid).values,
            z.transpose("track", grid).values,
            h[:, None],
            log=interpolation_for(da) == "log",
        )[:, 0]
        out = xr.DataArray(values, dims="track")
    out = out.assign_coords(
        time=("track", t), lat=("track", la), lon=("track", lo), height=("track", h)
    )
    out.attrs = {**da.attrs, "slice": "along track"}
    out.name = da.name
    return out
