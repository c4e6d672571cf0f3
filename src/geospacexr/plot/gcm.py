"""Static figures of GCM slices (matplotlib; cartopy for map projections).

One function per slice of :mod:`geospacexr.gcm.slices`; each computes the slice with that
function, draws it and returns the matplotlib Figure (``save=`` writes it atomically). Maps draw
coastlines from the Natural Earth files shipped in the package (nothing is downloaded), the
day-night terminator, and optionally wind vectors from UN/VN. Differences and winds get a
symmetric colour map centred on zero.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from .. import gcm as _gcm
from ..errors import GeospacexrError, InvalidArgumentError
from ..resources import coastlines
from ..solar import terminator
from .common import require_matplotlib, save_figure

__all__ = [
    "PLOTS",
    "PROJECTIONS",
    "plot_epflux",
    "plot_function",
    "plot_lat_lon",
    "plot_lat_time",
    "plot_lev_lat",
    "plot_lev_lon",
    "plot_lev_time",
    "plot_lon_time",
    "plot_movie",
    "plot_var_time",
]

#: Map projections of :func:`plot_lat_lon` (GCMprocpy's set).
PROJECTIONS = ("platecarree", "mercator", "orthographic", "mollweide", "north_polar", "south_polar")
_SIGNED = {"UN", "VN", "WN", "OMEGA", "POTEN"}


def _figure(figsize: tuple[float, float]) -> Any:
    require_matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def _projection(name: str, central_longitude: float = 0.0) -> Any:
    if name not in PROJECTIONS:
        raise ValueError(f"projection must be one of {', '.join(PROJECTIONS)}, not {name!r}")
    try:
        import cartopy.crs as ccrs
    except ImportError:
        if name == "platecarree":
            return None
        raise ImportError("map projections need cartopy: pip install 'geospacexr[plot]'") from None
    return {
        "platecarree": lambda: ccrs.PlateCarree(central_longitude=central_longitude),
        "mercator": lambda: ccrs.Mercator(central_longitude=central_longitude),
        "orthographic": lambda: ccrs.Orthographic(
            central_longitude=central_longitude, central_latitude=30
        ),
        "mollweide": lambda: ccrs.Mollweide(central_longitude=central_longitude),
        "north_polar": lambda: ccrs.NorthPolarStereo(central_longitude=central_longitude),
        "south_polar": lambda: ccrs.SouthPolarStereo(central_longitude=central_longitude),
    }[name]()


def _colour_limits(
    values: np.ndarray, symmetric: bool, vmin: float | None, vmax: float | None
) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    if symmetric:
        bound = max(abs(np.nanpercentile(finite, 1)), abs(np.nanpercentile(finite, 99))) or 1.0
        return (-bound if vmin is None else vmin), (bound if vmax is None else vmax)
    return (float(finite.min()) if vmin is None else vmin), (
        float(finite.max()) if vmax is None else vmax
    )


def _is_symmetric(ds: xr.Dataset, da: xr.DataArray, symmetric: bool | None) -> bool:
    if symmetric is not None:
        return symmetric
    values = np.asarray(da.values)
    signed = bool(np.nanmin(values) < 0 < np.nanmax(values)) if np.isfinite(values).any() else False
    return signed and ("difference" in ds.attrs or str(da.name) in _SIGNED)


def _label(da: xr.DataArray) -> str:
    units = da.attrs.get("units", "")
    return f"{da.name} [{units}]" if units else str(da.name)


def _where(da: xr.DataArray) -> str:
    parts = []
    for name, fmt in (
        ("lev", "lev {:g}"),
        ("ilev", "ilev {:g}"),
        ("height", "{:g} km"),
        ("pressure", "{:.3g} hPa"),
    ):
        if name in da.coords and da[name].ndim == 0:
            parts.append(fmt.format(float(da[name])))
    if "time" in da.coords and da["time"].ndim == 0:
        parts.append(np.datetime_as_string(da["time"].values, unit="m").replace("T", " ") + " UT")
    return ", ".join(parts)


def _draw(
    ax: Any,
    x: np.ndarray,
    y: np.ndarray,
    values: np.ndarray,
    style: str,
    cmap: str,
    vmin: float,
    vmax: float,
    levels: int,
    **kw: Any,
) -> Any:
    if style == "filled":
        return ax.pcolormesh(x, y, values, cmap=cmap, vmin=vmin, vmax=vmax, shading="nearest", **kw)
    if style == "contourf":
        return ax.contourf(
            x, y, values, levels=np.linspace(vmin, vmax, levels), cmap=cmap, extend="both", **kw
        )
    if style == "contour":
        return ax.contour(x, y, values, levels=np.linspace(vmin, vmax, levels), cmap=cmap, **kw)
    raise ValueError(f"style must be 'filled', 'contourf' or 'contour', not {style!r}")


def _finish(fig: Any, save: str | os.PathLike[str] | None) -> Any:
    if save is not None:
        save_figure(fig, save)
    return fig


def _draw_magnetic(
    ax: Any,
    da: xr.DataArray,
    values: np.ndarray,
    style: str,
    cmap: str,
    lo: float,
    hi: float,
    levels: int,
) -> Any:
    """Draw a lat-lon slice in MAG coordinates on plain axes (triangulated model grid)."""
    import matplotlib.tri as mtri

    from ..geomagnetic import dipole_coordinates

    lon2, lat2 = np.meshgrid(da["lon"].values, da["lat"].values)
    mlat, mlon = dipole_coordinates(lat2, lon2, np.datetime64(da["time"].values, "ns"))
    ok = np.isfinite(values).ravel()
    tri = mtri.Triangulation(mlon.ravel()[ok], mlat.ravel()[ok])
    span = np.ptp(tri.x[tri.triangles], axis=1)
    tri.set_mask(span > 90.0)  # triangles across the +-180 degree seam
    vals = values.ravel()[ok]
    if style == "filled":
        mesh = ax.tripcolor(tri, vals, cmap=cmap, vmin=lo, vmax=hi, shading="gouraud")
    else:
        steps = np.linspace(lo, hi, levels + 1)
        draw = ax.tricontourf if style == "contourf" else ax.tricontour
        mesh = draw(tri, vals, levels=steps, cmap=cmap, extend="both")
    ax.set_xlabel("magnetic longitude (deg, centred dipole)")
    ax.set_ylabel("magnetic latitude (deg)")
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    return mesh


def plot_lat_lon(
    ds: xr.Dataset,
    var: str,
    time: Any = None,
    level: float | None = None,
    height: float | None = None,
    pressure: float | None = None,
    local_time: bool | None = None,
    *,
    projection: str = "platecarree",
    style: str = "filled",
    levels: int = 20,
    cmap: str | None = None,
    symmetric: bool | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    show_coastlines: bool = True,
    show_terminator: bool = True,
    wind: bool = False,
    wind_stride: int = 3,
    title: str | None = None,
    save: str | os.PathLike[str] | None = None,
    figsize: tuple[float, float] = (9.0, 4.8),
    show_magnetic_equator: bool = False,
    magnetic: bool = False,
) -> Any:
    """Map of a lat-lon slice (see :func:`geospacexr.gcm.lat_lon` for the slice arguments).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        time: Time (nearest); default the first time.
        level: Level on the variable's grid.
        height: Height, km.
        pressure: Pressure, hPa.
        local_time: Plot against solar local time instead of longitude (plain axes).
        projection: One of :data:`PROJECTIONS`.
        style: ``"filled"`` (cells), ``"contourf"`` or ``"contour"``.
        levels: Number of contour levels.
        cmap: Colour map (default ``viridis``, ``RdBu_r`` when symmetric).
        symmetric: Centre the colours on zero (default: for differences and winds).
        vmin: Lower colour limit.
        vmax: Upper colour limit.
        show_coastlines: Draw the shipped Natural Earth coastlines.
        show_terminator: Draw the day-night terminator.
        wind: Overlay UN/VN wind vectors at the same level/height/pressure.
        wind_stride: Draw every n-th wind vector.
        title: Title (default: variable, level/height and time).
        save: Write the figure to this file (atomically).
        figsize: Figure size, inches.
        show_magnetic_equator: Draw the IGRF dip equator of the slice's time at the ground
            (:func:`geospacexr.geomagnetic.dip_equator`).
        magnetic: Plot in centred-dipole (MAG) latitude and longitude of the date instead of
            geographic coordinates (plain axes; the model grid is triangulated in MAG
            coordinates), as GCMprocpy's magnetic plots.

    Returns:
        The matplotlib Figure.

    Raises:
        InvalidArgumentError: ``magnetic`` together with ``local_time``.
    """
    if magnetic and local_time:
        raise InvalidArgumentError("choose magnetic or local_time, not both", "magnetic")
    if time is None:
        time = ds["time"].values[0]
    da = _gcm.lat_lon(ds, var, time, level, height, pressure, local_time)
    values = np.asarray(da.values, dtype=np.float64)
    sym = _is_symmetric(ds, da, symmetric)
    lo, hi = _colour_limits(values, sym, vmin, vmax)
    cmap = cmap or ("RdBu_r" if sym else "viridis")
    fig = _figure(figsize)
    if magnetic:
        ax = fig.add_subplot()
        mesh = _draw_magnetic(ax, da, values, style, cmap, lo, hi, levels)
        if show_magnetic_equator:
            ax.axhline(0.0, color="m", linewidth=1.2, label="dipole equator")
    elif local_time:
        ax = fig.add_subplot()
        mesh = _draw(
            ax, da["local_time"].values, da["lat"].values, values, style, cmap, lo, hi, levels
        )
        ax.set_xlabel("solar local time (h)")
        ax.set_ylabel("latitude (deg)")
        ax.set_xlim(0, 24)
    else:
        proj = _projection(projection)
        if proj is None:
            ax = fig.add_subplot()
            transform = {}
        else:
            import cartopy.crs as ccrs

            ax = fig.add_subplot(projection=proj)
            transform = {"transform": ccrs.PlateCarree()}
            if projection in ("north_polar", "south_polar"):
                ax.set_extent(
                    [-180, 180, 40, 90] if projection == "north_polar" else [-180, 180, -90, -40],
                    ccrs.PlateCarree(),
                )
            else:
                ax.set_global()
        lons = da["lon"].values
        plot_values, plot_lons = values, lons
        if style != "filled":  # close the longitude circle for contours
            plot_values = np.concatenate([values, values[:, :1]], axis=1)
            plot_lons = np.concatenate([lons, lons[:1] + 360.0])
        mesh = _draw(
            ax, plot_lons, da["lat"].values, plot_values, style, cmap, lo, hi, levels, **transform
        )
        if show_coastlines:
            for line in coastlines():
                ax.plot(line[:, 0], line[:, 1], color="0.25", linewidth=0.6, **transform)
        if show_terminator:
            tlon = np.linspace(-180, 180, 361)
            ax.plot(
                tlon,
                terminator(np.datetime64(da["time"].values), tlon),
                color="orange",
                linewidth=1.2,
                linestyle="--",
                label="terminator",
                **transform,
            )
        if show_magnetic_equator:
            from ..geomagnetic import dip_equator

            elon = np.linspace(-180, 180, 181)
            ax.plot(
                elon,
                dip_equator(elon, np.datetime64(da["time"].values, "ns")),
                color="m",
                linewidth=1.2,
                label="dip equator",
                **transform,
            )
        if wind:
            u = _gcm.lat_lon(ds, "UN", time, level, height, pressure).values
            v = _gcm.lat_lon(ds, "VN", time, level, height, pressure).values
            s = slice(None, None, max(1, wind_stride))
            lon2, lat2 = np.meshgrid(lons, da["lat"].values)
            ax.quiver(
                lon2[s, s],
                lat2[s, s],
                u[s, s],
                v[s, s],
                color="k",
                scale_units="xy",
                angles="xy",
                **transform,
            )
        if proj is None:
            ax.set_xlabel("longitude (deg)")
            ax.set_ylabel("latitude (deg)")
            ax.set_xlim(-180, 180)
            ax.set_ylim(-90, 90)
    fig.colorbar(mesh, ax=ax, label=_label(da), shrink=0.8)
    ax.set_title(title or f"{da.attrs.get('long_name', da.name)}\n{_where(da)}", fontsize=10)
    return _finish(fig, save)


def _vertical_plot(
    ds: xr.Dataset,
    da: xr.DataArray,
    xdim: str,
    style: str,
    cmap: str | None,
    symmetric: bool | None,
    vmin: float | None,
    vmax: float | None,
    levels: int,
    title: str | None,
    save: Any,
    figsize: tuple[float, float],
) -> Any:
    grid = "lev" if "lev" in da.dims else "ilev"
    values = np.asarray(da.transpose(grid, xdim).values, dtype=np.float64)
    sym = _is_symmetric(ds, da, symmetric)
    lo, hi = _colour_limits(values, sym, vmin, vmax)
    fig = _figure(figsize)
    ax = fig.add_subplot()
    y = da[grid].values
    mesh = _draw(
        ax,
        da[xdim].values,
        y,
        values,
        style,
        cmap or ("RdBu_r" if sym else "viridis"),
        lo,
        hi,
        levels,
    )
    if ds.attrs.get("model") == "WACCM-X":
        ax.set_yscale("log")
        ax.invert_yaxis()
        ax.set_ylabel(f"{grid} (hybrid level, hPa)")
    else:
        ax.set_ylabel(f"{grid} = ln(p0/p)")
    try:  # a right-hand axis with the global-mean height of each level
        z = _gcm.column_heights(ds, grid)
        if "time" in da.coords and da["time"].ndim == 0:
            z = z.sel(time=da["time"].values)
        mean_z = np.asarray(z.mean([d for d in z.dims if d != grid]).values, dtype=np.float64)
        ok = np.isfinite(mean_z)
        order = np.argsort(y[ok])
        yy, zz = y[ok][order], mean_z[ok][order]
        if ds.attrs.get("model") != "WACCM-X" and zz.size > 1:
            sec = ax.secondary_yaxis(
                "right", functions=(lambda v: np.interp(v, yy, zz), lambda h: np.interp(h, zz, yy))
            )
            sec.set_ylabel("mean height (km)")
    except Exception:  # heights are optional decoration
        pass
    fig.colorbar(mesh, ax=ax, label=_label(da), pad=0.12)
    ax.set_title(title or f"{da.attrs.get('long_name', da.name)}\n{_where(da)}", fontsize=10)
    if xdim == "time":
        ax.set_xlabel("time (UT)")
    else:
        ax.set_xlabel(f"{xdim} (deg)")
    return _finish(fig, save)


def plot_lev_lat(
    ds: xr.Dataset,
    var: str,
    time: Any = None,
    lon: float | None = None,
    *,
    style: str = "filled",
    cmap: str | None = None,
    symmetric: bool | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    levels: int = 20,
    title: str | None = None,
    save: Any = None,
    figsize: tuple[float, float] = (8.0, 4.5),
) -> Any:
    """Level against latitude at a longitude or zonally averaged (:func:`geospacexr.gcm.lev_lat`).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        time: Time (nearest); default the first time.
        lon: Longitude; ``None`` for the zonal mean.
        style: ``"filled"``, ``"contourf"`` or ``"contour"``.
        cmap: Colour map.
        symmetric: Centre the colours on zero.
        vmin: Lower colour limit.
        vmax: Upper colour limit.
        levels: Number of contour levels.
        title: Title.
        save: Write the figure to this file.
        figsize: Figure size, inches.

    Returns:
        The matplotlib Figure.
    """
    da = _gcm.lev_lat(ds, var, ds["time"].values[0] if time is None else time, lon)
    return _vertical_plot(
        ds, da, "lat", style, cmap, symmetric, vmin, vmax, levels, title, save, figsize
    )


def plot_lev_lon(
    ds: xr.Dataset,
    var: str,
    time: Any = None,
    lat: float = 0.0,
    *,
    style: str = "filled",
    cmap: str | None = None,
    symmetric: bool | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    levels: int = 20,
    title: str | None = None,
    save: Any = None,
    figsize: tuple[float, float] = (8.0, 4.5),
) -> Any:
    """Level against longitude at a latitude (:func:`geospacexr.gcm.lev_lon`).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        time: Time (nearest); default the first time.
        lat: Latitude.
        style: ``"filled"``, ``"contourf"`` or ``"contour"``.
        cmap: Colour map.
        symmetric: Centre the colours on zero.
        vmin: Lower colour limit.
        vmax: Upper colour limit.
        levels: Number of contour levels.
        title: Title.
        save: Write the figure to this file.
        figsize: Figure size, inches.

    Returns:
        The matplotlib Figure.
    """
    da = _gcm.lev_lon(ds, var, ds["time"].values[0] if time is None else time, lat)
    return _vertical_plot(
        ds, da, "lon", style, cmap, symmetric, vmin, vmax, levels, title, save, figsize
    )


def plot_lev_time(
    ds: xr.Dataset,
    var: str,
    lat: float = 0.0,
    lon: float | None = 0.0,
    local_time: float | None = None,
    *,
    style: str = "filled",
    cmap: str | None = None,
    symmetric: bool | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    levels: int = 20,
    title: str | None = None,
    save: Any = None,
    figsize: tuple[float, float] = (8.0, 4.5),
) -> Any:
    """Level against time at a place or local time (:func:`geospacexr.gcm.lev_time`).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        lat: Latitude.
        lon: Longitude.
        local_time: Local time to follow instead of a fixed longitude.
        style: ``"filled"``, ``"contourf"`` or ``"contour"``.
        cmap: Colour map.
        symmetric: Centre the colours on zero.
        vmin: Lower colour limit.
        vmax: Upper colour limit.
        levels: Number of contour levels.
        title: Title.
        save: Write the figure to this file.
        figsize: Figure size, inches.

    Returns:
        The matplotlib Figure.
    """
    da = _gcm.lev_time(ds, var, lat, lon, local_time)
    return _vertical_plot(
        ds, da, "time", style, cmap, symmetric, vmin, vmax, levels, title, save, figsize
    )


def _time_plot(
    ds: xr.Dataset,
    da: xr.DataArray,
    ydim: str,
    style: str,
    cmap: str | None,
    symmetric: bool | None,
    vmin: float | None,
    vmax: float | None,
    levels: int,
    title: str | None,
    save: Any,
    figsize: tuple[float, float],
) -> Any:
    values = np.asarray(da.transpose(ydim, "time").values, dtype=np.float64)
    sym = _is_symmetric(ds, da, symmetric)
    lo, hi = _colour_limits(values, sym, vmin, vmax)
    fig = _figure(figsize)
    ax = fig.add_subplot()
    mesh = _draw(
        ax,
        da["time"].values,
        da[ydim].values,
        values,
        style,
        cmap or ("RdBu_r" if sym else "viridis"),
        lo,
        hi,
        levels,
    )
    ax.set_xlabel("time (UT)")
    ax.set_ylabel(f"{ydim} (deg)")
    fig.colorbar(mesh, ax=ax, label=_label(da))
    ax.set_title(title or f"{da.attrs.get('long_name', da.name)}\n{_where(da)}", fontsize=10)
    return _finish(fig, save)


def plot_lat_time(
    ds: xr.Dataset,
    var: str,
    lon: float | None = None,
    level: float | None = None,
    height: float | None = None,
    pressure: float | None = None,
    local_time: float | None = None,
    *,
    style: str = "filled",
    cmap: str | None = None,
    symmetric: bool | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    levels: int = 20,
    title: str | None = None,
    save: Any = None,
    figsize: tuple[float, float] = (8.0, 4.5),
) -> Any:
    """Latitude against time (:func:`geospacexr.gcm.lat_time`).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        lon: Longitude (``None``: zonal mean).
        level: Level on the variable's grid.
        height: Height, km.
        pressure: Pressure, hPa.
        local_time: Follow this local time.
        style: ``"filled"``, ``"contourf"`` or ``"contour"``.
        cmap: Colour map.
        symmetric: Centre the colours on zero.
        vmin: Lower colour limit.
        vmax: Upper colour limit.
        levels: Number of contour levels.
        title: Title.
        save: Write the figure to this file.
        figsize: Figure size, inches.

    Returns:
        The matplotlib Figure.
    """
    da = _gcm.lat_time(ds, var, lon, level, height, pressure, local_time)
    return _time_plot(
        ds, da, "lat", style, cmap, symmetric, vmin, vmax, levels, title, save, figsize
    )


def plot_lon_time(
    ds: xr.Dataset,
    var: str,
    lat: float = 0.0,
    level: float | None = None,
    height: float | None = None,
    pressure: float | None = None,
    *,
    style: str = "filled",
    cmap: str | None = None,
    symmetric: bool | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    levels: int = 20,
    title: str | None = None,
    save: Any = None,
    figsize: tuple[float, float] = (8.0, 4.5),
) -> Any:
    """Longitude against time (:func:`geospacexr.gcm.lon_time`).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        lat: Latitude.
        level: Level on the variable's grid.
        height: Height, km.
        pressure: Pressure, hPa.
        style: ``"filled"``, ``"contourf"`` or ``"contour"``.
        cmap: Colour map.
        symmetric: Centre the colours on zero.
        vmin: Lower colour limit.
        vmax: Upper colour limit.
        levels: Number of contour levels.
        title: Title.
        save: Write the figure to this file.
        figsize: Figure size, inches.

    Returns:
        The matplotlib Figure.
    """
    da = _gcm.lon_time(ds, var, lat, level, height, pressure)
    return _time_plot(
        ds, da, "lon", style, cmap, symmetric, vmin, vmax, levels, title, save, figsize
    )


def plot_var_time(
    ds: xr.Dataset,
    var: str,
    lat: float = 0.0,
    lon: float | None = 0.0,
    level: float | None = None,
    height: float | None = None,
    pressure: float | None = None,
    local_time: float | None = None,
    *,
    title: str | None = None,
    save: Any = None,
    figsize: tuple[float, float] = (8.0, 3.5),
) -> Any:
    """A time series (:func:`geospacexr.gcm.var_time`).

    Args:
        ds: A ``gcm`` Dataset.
        var: Variable name.
        lat: Latitude.
        lon: Longitude.
        level: Level on the variable's grid.
        height: Height, km.
        pressure: Pressure, hPa.
        local_time: Follow this local time.
        title: Title.
        save: Write the figure to this file.
        figsize: Figure size, inches.

    Returns:
        The matplotlib Figure.
    """
    da = _gcm.var_time(ds, var, lat, lon, level, height, pressure, local_time)
    fig = _figure(figsize)
    ax = fig.add_subplot()
    ax.plot(da["time"].values, da.values, marker="o")
    ax.set_xlabel("time (UT)")
    ax.set_ylabel(_label(da))
    ax.grid(alpha=0.3)
    ax.set_title(
        title
        or f"{da.attrs.get('long_name', da.name)} at {lat:g}N "
        f"{'' if lon is None else f'{lon:g}E'}\n{_where(da)}",
        fontsize=10,
    )
    return _finish(fig, save)


def plot_epflux(
    ds: xr.Dataset,
    time: Any = None,
    density: str = "log-pressure",
    omega: float | None = None,
    *,
    style: str = "filled",
    cmap: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    levels: int = 20,
    arrows: bool = True,
    arrow_stride: int | None = None,
    density_scaling: bool = True,
    title: str | None = None,
    save: str | os.PathLike[str] | None = None,
    figsize: tuple[float, float] = (8.0, 4.5),
) -> Any:
    r"""Eliassen–Palm flux vectors over its divergence, against latitude and log-pressure height.

    The colours are EPVDIV (the zonal-wind acceleration, m/s/day, centred on zero) and the
    arrows (EPVY, EPVZ) of :func:`geospacexr.gcm.epflux`, drawn in the plot's own units
    (degrees of latitude and km of log-pressure height, :math:`z = H\ln(1000\,hPa/p)`) so that
    their direction on the page is the direction of the flux (Edmon, Hoskins & McIntyre 1980,
    J. Atmos. Sci. 37, 2600, on the display of EP cross-sections).

    Args:
        ds: A ``gcm`` Dataset with TN, UN, VN and OMEGA.
        time: Time (nearest); default the first time.
        density: Density of the vertical divergence, ``"log-pressure"`` or ``"mass"``.
        omega: Rotation rate, rad/s (default Earth's sidereal rate).
        style: ``"filled"``, ``"contourf"`` or ``"contour"``.
        cmap: Colour map (default ``RdBu_r``).
        vmin: Lower colour limit (default symmetric, from the 1st/99th percentiles).
        vmax: Upper colour limit.
        levels: Number of contour levels.
        arrows: Draw the flux vectors.
        arrow_stride: Draw every n-th level and latitude (default: about 15 x 18 arrows).
        density_scaling: Scale the arrows by sqrt(rho0 / rho0 at the bottom) = exp(-dz / 2H),
            so that the growth of a per-unit-mass flux with height (as exp(z / 2H) for a
            conserved wave) does not hide the lower levels.
        title: Title (default: the quantity and the time).
        save: Write the figure to this file (atomically).
        figsize: Figure size, inches.

    Returns:
        The matplotlib Figure.
    """
    from ..gcm.epflux import OMEGA_EARTH
    from ..gcm.epflux import epflux as _epflux

    if time is None:
        time = ds["time"].values[0]
    flux = _epflux(ds, time, density=density, omega=OMEGA_EARTH if omega is None else omega)
    flux = flux.sortby(flux["zstar"])
    div = flux["EPVDIV"]
    values = np.asarray(div.values, dtype=np.float64)
    lo, hi = _colour_limits(values, True, vmin, vmax)
    fig = _figure(figsize)
    ax = fig.add_subplot()
    lat = flux["lat"].values
    z = flux["zstar"].values
    mesh = _draw(ax, lat, z, values, style, cmap or "RdBu_r", lo, hi, levels)
    if arrows:
        stride_z = arrow_stride or max(1, z.size // 15)
        stride_y = arrow_stride or max(1, lat.size // 18)
        s = (slice(None, None, stride_z), slice(None, None, stride_y))
        height_m = float(flux.attrs["scale_height_m"])
        radius_m = float(flux.attrs["earth_radius_m"])
        u = np.asarray(flux["EPVY"].values, dtype=np.float64) * (180.0 / (np.pi * radius_m))
        v = np.asarray(flux["EPVZ"].values, dtype=np.float64) / 1e3
        if density_scaling:
            weight = np.exp(-(z - np.nanmin(z)) * 1e3 / (2.0 * height_m))[:, None]
            u, v = u * weight, v * weight
        lat2, z2 = np.meshgrid(lat, z)
        uu, vv = u[s], v[s]
        dx = abs(float(np.median(np.diff(lat)))) * stride_y
        dz = abs(float(np.median(np.diff(z)))) * stride_z
        reach = np.nanmax(np.maximum(np.abs(uu) / dx, np.abs(vv) / dz), initial=0.0)
        if np.isfinite(reach) and reach > 0:
            ax.quiver(
                lat2[s],
                z2[s],
                uu,
                vv,
                angles="xy",
                scale_units="xy",
                scale=reach / 1.2,  # the longest arrow spans 1.2 arrow spacings
                width=0.003,
                color="k",
            )
    ax.set_xlabel("latitude (deg)")
    ax.set_ylabel("log-pressure height H ln(1000 hPa/p) (km)")
    ax.set_xlim(float(lat.min()), float(lat.max()))
    fig.colorbar(mesh, ax=ax, label=f"EPVDIV [{div.attrs.get('units', '')}]")
    when = ""
    if "time" in flux.coords and flux["time"].ndim == 0:
        when = np.datetime_as_string(flux["time"].values, unit="m").replace("T", " ") + " UT"
    ax.set_title(
        title or f"EP flux (arrows) and its divergence ({flux.attrs.get('model', '')})\n{when}",
        fontsize=10,
    )
    return _finish(fig, save)


#: Figure functions by slice kind: the ``kind=`` of :func:`plot_movie` and ``--slice`` of the
#: command line (``lat-lon`` is accepted for ``lat_lon``).
PLOTS: dict[str, str] = {
    "lat_lon": "plot_lat_lon",
    "lev_lat": "plot_lev_lat",
    "lev_lon": "plot_lev_lon",
    "lev_time": "plot_lev_time",
    "lat_time": "plot_lat_time",
    "lon_time": "plot_lon_time",
    "var_time": "plot_var_time",
    "epflux": "plot_epflux",
}


def plot_function(kind: str) -> Any:
    """The figure function of a slice kind (``"lat_lon"`` or ``"lat-lon"``, ..., ``"epflux"``).

    Args:
        kind: A key of :data:`PLOTS` (dashes or underscores).

    Returns:
        The ``plot_*`` function.

    Raises:
        InvalidArgumentError: If the kind is unknown.
    """
    key = str(kind).replace("-", "_")
    if key not in PLOTS:
        raise InvalidArgumentError(
            f"must be one of {', '.join(k.replace('_', '-') for k in PLOTS)}, not {kind!r}",
            "kind",
        )
    return globals()[PLOTS[key]]


def _slice_function(kind: str) -> tuple[Any, Any]:
    """The pure function behind a figure kind, and how to get the coloured field from it."""
    if kind == "epflux":
        from ..gcm.epflux import epflux

        return epflux, lambda result: result["EPVDIV"]
    return getattr(_gcm, kind), lambda result: result


class _MovieFrames:
    """Frame ``i`` of a movie: one figure function called with one value of ``over`` (picklable)."""

    def __init__(
        self,
        ds: xr.Dataset,
        kind: str,
        kwargs: dict[str, Any],
        over: str,
        values: list[Any],
        dpi: float,
        ylim: tuple[float, float] | None,
    ) -> None:
        self.ds, self.kind, self.kwargs, self.over = ds, kind, kwargs, over
        self.values, self.dpi, self.ylim = values, dpi, ylim

    def __call__(self, i: int) -> np.ndarray:
        from .movie import figure_to_rgb

        fig = plot_function(self.kind)(self.ds, **{**self.kwargs, self.over: self.values[i]})
        fig.set_dpi(self.dpi)
        if self.ylim is not None:
            fig.axes[0].set_ylim(*self.ylim)
        return figure_to_rgb(fig)


def _movie_data(
    ds: xr.Dataset,
    kind: str,
    plot: Any,
    kwargs: dict[str, Any],
    over: str,
    values: list[Any],
) -> tuple[str, np.ndarray]:
    """The name and the data of every frame (one vectorised slice over all times if possible)."""
    import inspect

    func, field = _slice_function(kind)
    slice_params = inspect.signature(func).parameters
    bound = inspect.signature(plot).bind_partial(ds, **kwargs)
    bound.apply_defaults()
    args = {
        k: v
        for k, v in bound.arguments.items()
        if k in slice_params
        and k != "ds"
        and not (v is None and slice_params[k].default not in (None, inspect.Parameter.empty))
    }
    if "time" in args and args["time"] is None:
        args["time"] = ds["time"].values[0]  # the figures' default: the first time
    if over == "time" and "time" in slice_params:
        try:  # every frame at once, lazily, then one compute
            sub = ds.sel(time=np.asarray(values, dtype="datetime64[ns]"))
            da = field(func(sub, **{**args, "time": None}))
            return str(da.name), np.asarray(da.values, dtype=np.float64)
        except (GeospacexrError, ValueError):
            pass  # e.g. local-time maps need one time: frame by frame below
    frames = [field(func(ds, **{**args, over: value})) for value in values]
    data = np.stack([np.asarray(f.values, dtype=np.float64) for f in frames])
    return str(frames[0].name), data


def plot_movie(
    ds: xr.Dataset,
    out: str | os.PathLike[str],
    var: str | None = None,
    fps: float = 4.0,
    workers: int | None = None,
    *,
    kind: str = "lat_lon",
    over: str = "time",
    values: Sequence[Any] | None = None,
    start: Any = None,
    end: Any = None,
    parallel: str = "processes",
    progress: bool | None = None,
    dpi: float = 100.0,
    **kwargs: Any,
) -> Any:
    """A time-lapse (or a sweep through any argument) of any GCM figure, as MP4 or GIF.

    Every frame is the figure of ``kind`` (:data:`PLOTS`: the seven slices and ``epflux``) with
    the same arguments except ``over``, which takes one value per frame: by default every time
    of the files between ``start`` and ``end``; or, e.g., ``over="height", values=[150, 200,
    ...]`` for a sweep through heights of a lat-time figure. The colour limits (``vmin``,
    ``vmax``; the y-limits of a time series) are fixed over all frames: computed once from the
    data of every frame (one vectorised slice over all times where the slice allows it), with
    the figure's own rule (min/max, or symmetric 1st/99th percentiles for signed fields),
    unless given. Frames are rendered in parallel and streamed into the encoder, written
    atomically (:func:`geospacexr.plot.movie.write_movie`), with a progress bar.

    Args:
        ds: A ``gcm`` Dataset.
        out: Output ``.mp4`` (H.264 through imageio-ffmpeg) or ``.gif`` (Pillow) file.
        var: Variable name (not needed for ``kind="epflux"``).
        fps: Frames per second.
        workers: Parallel workers (default from config ``io.workers``: one per core).
        kind: Figure kind: ``lat_lon``, ``lev_lat``, ``lev_lon``, ``lev_time``, ``lat_time``,
            ``lon_time``, ``var_time`` or ``epflux`` (dashes accepted).
        over: The argument that changes from frame to frame (``time``, ``height``, ``level``,
            ``lat``...).
        values: Its values, one per frame (default for ``over="time"``: the file's times).
        start: First time of a time-lapse (inclusive; default the first).
        end: Last time of a time-lapse (inclusive; default the last).
        parallel: ``"processes"`` (default), ``"threads"``, ``"dask"`` or ``"none"``.
        progress: Show a progress bar (default: when on a terminal).
        dpi: Pixels per inch of the frames (a 9 x 4.8 inch map at 100 dpi is 900 x 480).
        **kwargs: Arguments of the figure function (slice arguments such as ``level=``,
            ``height=``, ``lon=`` and drawing options such as ``projection=``, ``cmap=``).

    Returns:
        The path written.

    Raises:
        InvalidArgumentError: If the kind is unknown, ``over`` is not an argument of its
            figure, a time-axis figure is asked for a time-lapse, ``values`` is missing or
            empty, or no time lies between ``start`` and ``end``.
        OutOfRangeError: If a value is outside the data.
    """
    import inspect

    from .movie import write_movie

    plot = plot_function(kind)
    kind = str(kind).replace("-", "_")
    params = inspect.signature(plot).parameters
    if var is not None:
        kwargs["var"] = var
    elif "var" in params:
        raise InvalidArgumentError(f"a {kind} movie needs a variable (var=)", "var")
    if over not in params or over in ("ds", "var", "save"):
        hint = (
            f"; {kind} already has time as an axis: sweep another argument, e.g. "
            "over='height', values=[...]"
            if over == "time"
            else ""
        )
        raise InvalidArgumentError(f"{over!r} is not an argument of {plot.__name__}{hint}", "over")
    if over in kwargs:
        raise InvalidArgumentError(f"{over} changes from frame to frame: give it as values=", over)
    unknown = sorted(set(kwargs) - set(params))
    if unknown:
        raise InvalidArgumentError(
            f"{plot.__name__} takes no {', '.join(unknown)} (its arguments: "
            f"{', '.join(p for p in params if p not in ('ds', 'save'))})",
            unknown[0],
        )
    if values is None:
        if over != "time":
            raise InvalidArgumentError(f"give the {over} of every frame", "values")
        from .common import time_window

        times = ds["time"].values
        values = list(times[time_window(times, start, end)])
        if not values:
            raise InvalidArgumentError(
                f"no time between {start} and {end} (the files: {times.min()} to {times.max()})",
                "start",
            )
    else:
        if start is not None or end is not None:
            raise InvalidArgumentError(
                "start/end pick times only when values is not given", "start"
            )
        values = list(values) if isinstance(values, list | tuple) else list(np.atleast_1d(values))
        if not values:
            raise InvalidArgumentError("no frames", "values")
    colour = "vmin" in params
    ylim = None
    if not (colour and "vmin" in kwargs and "vmax" in kwargs):
        name, data = _movie_data(ds, kind, plot, kwargs, over, values)
        symmetric = kwargs.get("symmetric")
        if kind == "epflux":
            symmetric = True
        elif symmetric is None:  # the figures' rule (_is_symmetric), on every frame's data
            finite = data[np.isfinite(data)]
            signed = bool(finite.size and finite.min() < 0 < finite.max())
            symmetric = signed and ("difference" in ds.attrs or name in _SIGNED)
        lo, hi = _colour_limits(data, symmetric, kwargs.get("vmin"), kwargs.get("vmax"))
        if colour:
            kwargs = {**kwargs, "vmin": lo, "vmax": hi}
        else:
            pad = 0.05 * (hi - lo) or 1.0
            ylim = (lo - pad, hi + pad)
    frames = _MovieFrames(ds, kind, kwargs, over, values, dpi, ylim)
    return write_movie(
        frames, len(values), out, fps=fps, workers=workers, progress=progress, parallel=parallel
    )
