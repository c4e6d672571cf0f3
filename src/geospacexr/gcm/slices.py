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
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ..errors import InvalidArgumentError
from ._select import (
    as_number,
    check_method,
    check_range,
    gcm_dataset,
    local_time_lon,
    select_time,
    ut_hours,
    variable,
    vertical_dim,
)
from .heights import at_height, interp_columns

__all__ = [
    "along_track",
    "global_mean",
    "lat_lon",
    "lat_time",
    "lev_lat",
    "lev_lon",
    "lev_time",
    "lon_time",
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
    return out


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
            raise InvalidArgumentError(
                f"{where}: {da.name} is a 2-D field and takes no {given[0]}="
            )
        return da
    if len(given) != 1:
        raise InvalidArgumentError(
            f"{where}: give exactly one of level=, height= or pressure= for the 3-D field "
            f"{da.name} (given: {', '.join(given) or 'none'})"
        )
    model = ds.attrs.get("model")
    if height is not None:
        out = at_height(ds, da, [as_number(height, "height")]).squeeze("height")
        return out
    values = ds[grid].values
    if pressure is not None:
        pressure = as_number(pressure, "pressure")
        if model == "TIE-GCM":
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
        i0, i1, w = _level_weights(values, level, log_axis=(model == "WACCM-X"))
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
    if dim == "lon":
        value = (float(value) + 180.0) % 360.0 - 180.0
        lons = da["lon"].values
        diff = np.abs((lons - value + 180.0) % 360.0 - 180.0)
        return da.isel(lon=int(np.argmin(diff)))
    return da.sel({dim: value}, method="nearest")


def _lon_periodic(da: xr.DataArray) -> xr.DataArray:
    """Append the first longitude at +360 so interpolation wraps around."""
    first = da.isel(lon=[0])
    first = first.assign_coords(lon=first["lon"] + 360.0)
    return xr.concat([da, first], dim="lon")


def _sample_local_time(da: xr.DataArray, local_time: float) -> xr.DataArray:
    """At every time, the field at the longitude where the solar local time is ``local_time``."""
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
        of ``lon`` with ``local_time=True``).

    Raises:
        OutOfRangeError: If the time, level, pressure or height is outside the data.
        MissingVariableError: If the variable does not exist (close names are suggested).
    """
    gcm_dataset(ds, "lat_lon")
    check_method(method)
    da = select_time(variable(ds, var, "lat_lon"), time, method)
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
    return _finish(da, ["time", "lat", "lon"], "lat-lon")


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
        DataArray ``(lev|ilev, lon)``.
    """
    gcm_dataset(ds, "lev_lon")
    if lat is None:
        raise InvalidArgumentError("lev_lon needs lat=")
    da = select_time(variable(ds, var, "lev_lon"), time, method)
    da = _nearest(da, "lat", lat, -90, 90)
    return _finish(da, ["time", vertical_dim(da) or "", "lon"], "lev-lon")


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
        DataArray ``(lev|ilev, lat)``.
    """
    gcm_dataset(ds, "lev_lat")
    da = select_time(variable(ds, var, "lev_lat"), time, method)
    da = zonal_mean(ds, da) if lon is None else _nearest(da, "lon", lon, -180, 360)
    return _finish(da, ["time", vertical_dim(da) or "", "lat"], "lev-lat")


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
        InvalidArgumentError: If neither ``lon`` nor ``local_time`` is given.
    """
    gcm_dataset(ds, "lev_time")
    if lon is None and local_time is None:
        raise InvalidArgumentError(
            "give the longitude (lon=, degrees) or a local time to follow (local_time=, hours)",
            "lon",
        )
    da = _nearest(variable(ds, var, "lev_time"), "lat", lat, -90, 90)
    da = (
        _sample_local_time(da, local_time)
        if local_time is not None
        else _nearest(da, "lon", lon, -180, 360)
    )
    return _finish(da, [vertical_dim(da) or "", "time"], "lev-time")


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
        DataArray ``(lat, time)``.
    """
    gcm_dataset(ds, "lat_time")
    da = select_vertical(
        ds, variable(ds, var, "lat_time"), level, height, pressure, where="lat_time"
    )
    if local_time is not None:
        da = _sample_local_time(da, local_time)
    elif lon is None:
        da = zonal_mean(ds, da)
    else:
        da = _nearest(da, "lon", lon, -180, 360)
    return _finish(da, ["lat", "time"], "lat-time")


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
        DataArray ``(lon, time)``.
    """
    gcm_dataset(ds, "lon_time")
    da = _nearest(variable(ds, var, "lon_time"), "lat", lat, -90, 90)
    da = select_vertical(ds, da, level, height, pressure, where="lon_time")
    return _finish(da, ["lon", "time"], "lon-time")


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
        DataArray ``(time,)``.
    """
    gcm_dataset(ds, "var_time")
    if lon is None and local_time is None:
        raise InvalidArgumentError("var_time needs lon= or local_time=")
    da = _nearest(variable(ds, var, "var_time"), "lat", lat, -90, 90)
    da = (
        _sample_local_time(da, local_time)
        if local_time is not None
        else _nearest(da, "lon", lon, -180, 360)
    )
    da = select_vertical(ds, da, level, height, pressure, where="var_time")
    return _finish(da, ["time"], "time series")


def zonal_mean(ds: xr.Dataset, var: str | xr.DataArray) -> xr.DataArray:
    """Mean over longitude (NaN ignored).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name or DataArray.

    Returns:
        The field without ``lon``.
    """
    da = variable(ds, var, "zonal_mean")
    attrs = {**da.attrs, "cell_methods": "lon: mean"}
    out = xr.apply_ufunc(
        _nanmean_last,
        da,
        input_core_dims=[["lon"]],
        dask="parallelized",
        output_dtypes=[np.float64],
    )
    out.attrs = attrs
    out.name = da.name
    return out


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
        The field without ``lat`` and ``lon``.
    """
    da = variable(ds, var, "global_mean")
    weights = np.cos(np.deg2rad(da["lat"]))
    out = da.weighted(weights).mean(("lat", "lon"), skipna=True, keep_attrs=True)
    out.attrs["cell_methods"] = "area: mean (cos latitude weights)"
    return out


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
