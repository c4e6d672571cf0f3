"""Static figures of GCM slices (matplotlib; cartopy for map projections).

One function per slice of :mod:`geospacexr.gcm.slices`; each computes the slice with that
function, draws it and returns the matplotlib Figure (``save=`` writes it atomically). Maps draw
coastlines from the Natural Earth files shipped in the package (nothing is downloaded), the
day-night terminator, and optionally wind vectors from UN/VN. Differences and winds get a
symmetric colour map centred on zero.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import xarray as xr

from .. import gcm as _gcm
from ..errors import InvalidArgumentError
from ..resources import coastlines
from ..solar import terminator
from .common import require_matplotlib, save_figure

__all__ = [
    "PROJECTIONS",
    "plot_lat_lon",
    "plot_lat_time",
    "plot_lev_lat",
    "plot_lev_lon",
    "plot_lev_time",
    "plot_lon_time",
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
