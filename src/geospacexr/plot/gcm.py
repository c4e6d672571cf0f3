"""Static figures of GCM slices (matplotlib; cartopy for map projections).

One function per slice of :mod:`geospacexr.gcm.slices`; each computes the slice with that
function, draws it and returns the matplotlib Figure (``save=`` writes it atomically). Maps draw
coastlines from the Natural Earth files shipped in the package (nothing is downloaded), the
day-night terminator, and optionally wind vectors from UN/VN. Differences and winds get a
symmetric colour map centred on zero.

Every variable of a history draws (``docs/gcm_grids.md``): 2-D fields (TEC, NMF2...) as maps
and time series like any slice; fields on TIE-GCM's geomagnetic grid (ZMAG, ED1, JE13D,
PHIM2D...) on magnetic axes: a ``lat_lon`` figure is a map in magnetic latitude and longitude
(plain axes for ``projection="platecarree"``, a polar view of the magnetic pole for
``north_polar``/``south_polar``; never a geographic map, and without the geographic overlays:
coastlines, terminator and dip equator are not drawn on it), the vertical and time figures label
their axes magnetic latitude/longitude and mlev/imlev. Per-time scalars (Kp...) draw only as
``var_time`` series.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
import xarray as xr

from .. import gcm as _gcm
from .._declare import figure_function
from ..errors import GeospacexrError, InvalidArgumentError
from ..gcm.slices import magnetic_heights
from ..resources import coastlines
from ..solar import terminator
from .common import (
    SIGNED_NAMES,
    close_longitudes,
    colour_scale,
    degree_axes,
    is_signed,
    map_projection,
    new_figure,
    nice_step,
    require_matplotlib,
    save_figure,
    variable_title,
)
from .options import DRAWING, PROJECTIONS

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

_SIGNED = SIGNED_NAMES  # kept for callers of the old name
_POLAR_EDGE_LAT = 40.0  # polar maps reach down to this latitude (degrees from the equator)
_POLAR_FIGSIZE = (6.4, 5.4)  # a polar map with its colour bar, used instead of the wide default
_LAT_LON_FIGSIZE = (9.0, 4.8)
_GRID = {"linewidth": 0.4, "color": "0.35", "alpha": 0.6, "linestyle": ":"}


def _figure(figsize: tuple[float, float]) -> Any:
    require_matplotlib()
    return new_figure(figsize)


def _colour_limits(
    values: np.ndarray, symmetric: bool, vmin: float | None, vmax: float | None
) -> tuple[float, float]:
    _, lo, hi = colour_scale(values, symmetric, None, vmin, vmax)
    return lo, hi


def _is_symmetric(ds: xr.Dataset, da: xr.DataArray, symmetric: bool | None) -> bool:
    if symmetric is not None:
        return symmetric
    values = np.asarray(da.values, dtype=np.float64)
    return is_signed(da.name, da.attrs, values, "difference" in ds.attrs)


def _label(da: xr.DataArray) -> str:
    units = da.attrs.get("units", "")
    return f"{da.name} [{units}]" if units else str(da.name)


def _title(da: xr.DataArray, extra: str = "") -> str:
    """``Long name (NAME, units)`` over where and when, in sentence case."""
    what = variable_title(da.name, da.attrs)
    where = ", ".join(p for p in (extra, _where(da)) if p)
    return f"{what}\n{where}" if where else what


def _where(da: xr.DataArray) -> str:
    parts = []
    for name, fmt in (
        ("lev", "lev {:g}"),
        ("ilev", "ilev {:g}"),
        ("mlev", "mlev {:g}"),
        ("imlev", "imlev {:g}"),
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
    raise InvalidArgumentError(f"must be 'filled', 'contourf' or 'contour', not {style!r}", "style")


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
    degree_axes(ax, "magnetic longitude (centred dipole)", "magnetic latitude")
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.grid(**_GRID)
    return mesh


#: Axis labels of the slices' horizontal dims (geographic and geomagnetic).
_AXIS_LABELS = {
    "lat": "latitude (deg)",
    "lon": "longitude (deg)",
    "mlat": "magnetic latitude (deg)",
    "mlon": "magnetic longitude (deg)",
}
#: Projections a geomagnetic-grid map can be drawn in (magnetic coordinates, no geography).
_MAGNETIC_PROJECTIONS = ("platecarree", "north_polar", "south_polar")


def _own_dim(da: xr.DataArray, axis: str) -> str:
    """``axis`` (``lat``/``lon``) as the slice's own dim: ``mlat``/``mlon`` on the magnetic grid."""
    return axis if axis in da.dims or f"m{axis}" not in da.dims else f"m{axis}"


def _polar_grid(
    proj: Any, lons: np.ndarray, lats: np.ndarray, values: np.ndarray, south: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A polar map's grid in the projection's own coordinates, for contouring.

    Contours are drawn on the projected grid rather than through cartopy's path transform:
    cartopy 0.25 fails on the zero-area contour pieces a polar cap gives (``GEOSException:
    getX called on empty Point``, SciTools/cartopy#2635). Around a pole the projected grid is
    continuous across the date line (``lons`` closes the circle), so the contours are the same.
    Only the shown hemisphere's rows are kept (the other one projects far off the map); a grid
    without a row at the pole gets one, the nearest row's mean, so the cap has no hole.

    Args:
        proj: The cartopy projection of the axes.
        lons: Longitudes, degrees (the last column may repeat the first plus 360).
        lats: Latitudes, degrees.
        values: ``(lat, lon)`` values.
        south: The south polar view.

    Returns:
        ``x`` and ``y`` ``(lat, lon)`` in projection coordinates, and the values of those rows.
    """
    import cartopy.crs as ccrs

    lats = np.asarray(lats, dtype=np.float64)
    rows = lats <= 0.0 if south else lats >= 0.0
    lats, values = lats[rows], np.asarray(values, dtype=np.float64)[rows]
    pole = -90.0 if south else 90.0
    if lats.size and not np.any(lats == pole):
        # cell-centred grids stop half a cell short of the pole: close the cap with the
        # nearest row's mean, else the contours leave a hole at the pole
        nearest = int(np.argmax(np.abs(lats)))
        with np.errstate(all="ignore"):
            cap = np.full((1, values.shape[1]), np.nanmean(values[nearest]))
        if nearest == lats.size - 1:
            lats, values = np.append(lats, pole), np.concatenate((values, cap))
        else:
            lats, values = np.insert(lats, 0, pole), np.concatenate((cap, values))
    lon2, lat2 = np.meshgrid(np.asarray(lons, dtype=np.float64), lats)
    xyz = proj.transform_points(ccrs.PlateCarree(), lon2, lat2)
    return xyz[..., 0], xyz[..., 1], values


def _draw_geomagnetic_map(
    fig: Any,
    da: xr.DataArray,
    values: np.ndarray,
    o: SimpleNamespace,
    cmap: str,
    lo: float,
    hi: float,
) -> tuple[Any, Any]:
    """Draw an ``(mlat, mlon)`` slice on magnetic axes; return the axes and the mesh.

    ``platecarree`` gives plain axes (magnetic longitude across, magnetic latitude up);
    ``north_polar``/``south_polar`` a polar stereographic view around the magnetic pole, drawn
    by cartopy with magnetic latitude and longitude standing for latitude and longitude (no
    geographic feature is drawn on it). TIE-GCM's ``mlon`` closes the circle (it holds both
    -180 and +180); CESM2's stops a cell short, and its contours get the closing column.
    """
    name = da.name
    if o.magnetic:
        raise InvalidArgumentError(
            f"{name} is already on the geomagnetic grid; magnetic=True converts geographic "
            "fields to dipole coordinates",
            "magnetic",
        )
    if o.wind:
        raise InvalidArgumentError(
            f"wind vectors are geographic (UN/VN): not drawn on the geomagnetic map of {name}",
            "wind",
        )
    if o.projection not in _MAGNETIC_PROJECTIONS:
        raise InvalidArgumentError(
            f"a geomagnetic-grid field ({name}) is drawn in magnetic coordinates: projection "
            f"must be one of {', '.join(_MAGNETIC_PROJECTIONS)}, not {o.projection!r}",
            "projection",
        )
    mlon, mlat = da["mlon"].values, da["mlat"].values
    if o.projection == "platecarree":
        ax = fig.add_subplot()
        mesh = _draw(ax, mlon, mlat, values, o.style, cmap, lo, hi, o.levels)
        degree_axes(ax, _AXIS_LABELS["mlon"], _AXIS_LABELS["mlat"])
        ax.set_xlim(-180, 180)
        ax.set_ylim(-90, 90)
        ax.grid(**_GRID)
        if o.show_magnetic_equator:
            ax.axhline(0.0, color="m", linewidth=1.2, label="magnetic equator")
        return ax, mesh
    import cartopy.crs as ccrs

    ax = fig.add_subplot(projection=map_projection(o.projection))
    south = o.projection == "south_polar"
    edge = _POLAR_EDGE_LAT
    ax.set_extent([-180, 180, -90, -edge] if south else [-180, 180, edge, 90], ccrs.PlateCarree())
    _polar_boundary(ax)
    if o.style == "filled":
        mesh = _draw(
            ax, mlon, mlat, values, o.style, cmap, lo, hi, o.levels, transform=ccrs.PlateCarree()
        )
    else:
        ring, closed = close_longitudes(mlon, values)  # CESM2's mlon stops a cell short of 180
        x, y, shown = _polar_grid(ax.projection, ring, mlat, closed, south)
        mesh = _draw(ax, x, y, shown, o.style, cmap, lo, hi, o.levels)
    sign = -1.0 if south else 1.0
    rings = sign * np.arange(edge + 10.0, 90.0, 10.0)
    meridians = np.arange(-180, 180, 45)
    ax.gridlines(xlocs=meridians, ylocs=rings, **_GRID)
    style = {"fontsize": 7, "color": "0.15", "ha": "center", "va": "center"}
    box = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6}
    for ring in rings:
        ax.text(0.0, ring, f"{ring:g}° MLAT", transform=ccrs.PlateCarree(), bbox=box, **style)
    for lon in meridians:
        ax.text(
            lon,
            sign * (edge + 3.0),
            _lon_label(lon),
            transform=ccrs.PlateCarree(),
            bbox=box,
            **style,
        )
    ax.text(
        0.5, -0.04, "magnetic longitude (deg) around the magnetic pole",
        transform=ax.transAxes, ha="center", va="top", fontsize=8,
    )  # fmt: skip
    return ax, mesh


def _first_time(ds: xr.Dataset, time: Any) -> Any:
    return ds["time"].values[0] if time is None else time


_FIRST_TIME = 'Time (nearest unless ``method="exact"``); default the first time.'


def _polar_boundary(ax: Any) -> None:
    """Clip a polar map to a circle (the latitude circle of its edge)."""
    import matplotlib.path as mpath

    theta = np.linspace(0.0, 2.0 * np.pi, 181)
    circle = mpath.Path(np.column_stack([np.sin(theta), np.cos(theta)]) * 0.5 + 0.5)
    ax.set_boundary(circle, transform=ax.transAxes)


def _lon_label(v: float) -> str:
    return "0°" if v == 0 else ("180°" if abs(v) == 180 else f"{abs(v):g}°{'E' if v > 0 else 'W'}")


def _lat_label(v: float) -> str:
    return "0°" if v == 0 else f"{abs(v):g}°{'N' if v > 0 else 'S'}"


def _map_gridlines(ax: Any, projection: str) -> None:
    """Labelled longitude and latitude lines of a cartopy map.

    Rectangular maps get real axis ticks (so that the layout makes room for their labels);
    polar maps get labels inside the circle (longitudes along the edge, latitudes along a
    meridian); the others labels inside the map (latitudes along the central meridian,
    longitudes along the equator). Cartopy's own gridline labels are not used: the layout
    does not make room for them, and they call a matplotlib API deprecated in 3.11.
    """
    import cartopy.crs as ccrs

    lons, lats = np.arange(-180, 181, 60), np.arange(-90, 91, 30)
    if projection in ("platecarree", "mercator"):
        ax.gridlines(xlocs=lons, ylocs=lats, **_GRID)
        ax.set_xticks(lons, crs=ccrs.PlateCarree())
        ax.set_xticklabels([_lon_label(v) for v in lons])
        ticks = lats if projection == "platecarree" else lats[1:-1]
        ax.set_yticks(ticks, crs=ccrs.PlateCarree())
        ax.set_yticklabels([_lat_label(v) for v in ticks])
        ax.tick_params(labelsize=8)
    elif projection in ("north_polar", "south_polar"):
        sign = -1.0 if projection == "south_polar" else 1.0
        rings = sign * np.arange(_POLAR_EDGE_LAT + 10.0, 90.0, 10.0)
        meridians = np.arange(-180, 180, 45)
        ax.gridlines(xlocs=meridians, ylocs=rings, **_GRID)
        style = {"fontsize": 7, "color": "0.15", "ha": "center", "va": "center"}
        box = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6}
        for ring in rings:
            ax.text(
                0.0, ring, f"{abs(ring):g}°{'S' if sign < 0 else 'N'}",
                transform=ccrs.PlateCarree(), bbox=box, **style,
            )  # fmt: skip
        edge = sign * (_POLAR_EDGE_LAT + 3.0)
        for lon in meridians:
            ax.text(lon, edge, _lon_label(lon), transform=ccrs.PlateCarree(), bbox=box, **style)
    else:  # labels inside the map: latitudes along the central meridian, longitudes the equator
        ax.gridlines(xlocs=lons, ylocs=lats, **_GRID)
        style = {"fontsize": 7, "color": "0.15", "ha": "center", "va": "center"}
        box = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6}
        for lat in lats[1:-1]:
            ax.text(0.0, lat, _lat_label(lat), transform=ccrs.PlateCarree(), bbox=box, **style)
        for lon in lons[1:-1]:
            if lon != 0:
                ax.text(lon, 0.0, _lon_label(lon), transform=ccrs.PlateCarree(), bbox=box, **style)


def _quiver_key(ax: Any, quiver: Any, speed: np.ndarray, units: str) -> None:
    """A reference arrow above the map's top right corner, labelled with its speed."""
    finite = speed[np.isfinite(speed)]
    ref = nice_step(float(np.percentile(finite, 90))) if finite.size else 1.0
    ax.quiverkey(
        quiver,
        0.9,
        1.03,
        ref,
        f"{ref:g} {units}",
        labelpos="E",
        coordinates="axes",
        fontproperties={"size": 8},
    )


def _draw_lat_lon(ds: xr.Dataset, a: dict[str, Any], o: SimpleNamespace) -> Any:
    if o.magnetic and a["local_time"]:
        raise InvalidArgumentError("choose magnetic or local_time, not both", "magnetic")
    a = {**a, "time": _first_time(ds, a["time"])}
    da = _gcm.lat_lon(ds, var=a.pop("var"), **a)
    values = np.asarray(da.values, dtype=np.float64)
    sym = _is_symmetric(ds, da, o.symmetric)
    cmap, lo, hi = colour_scale(values, sym, o.cmap, o.vmin, o.vmax)
    style, levels = o.style, o.levels
    polar = o.projection in ("north_polar", "south_polar") and not (o.magnetic or a["local_time"])
    default_size = tuple(o.figsize) == tuple(_LAT_LON_FIGSIZE)
    fig = _figure(_POLAR_FIGSIZE if polar and default_size else o.figsize)
    if "mlat" in da.dims:
        ax, mesh = _draw_geomagnetic_map(fig, da, values, o, cmap, lo, hi)
    elif o.magnetic:
        ax = fig.add_subplot()
        mesh = _draw_magnetic(ax, da, values, style, cmap, lo, hi, levels)
        if o.show_magnetic_equator:
            ax.axhline(0.0, color="m", linewidth=1.2, label="dipole equator")
    elif a["local_time"]:
        ax = fig.add_subplot()
        mesh = _draw(
            ax, da["local_time"].values, da["lat"].values, values, style, cmap, lo, hi, levels
        )
        from matplotlib.ticker import MultipleLocator

        degree_axes(ax, "solar local time (h)", "latitude")
        ax.set_xlim(0, 24)
        ax.xaxis.set_major_locator(MultipleLocator(3))
        ax.xaxis.set_major_formatter("{x:g}")
        ax.grid(**_GRID)
    else:
        proj = map_projection(o.projection)
        if proj is None:
            ax = fig.add_subplot()
            transform = {}
        else:
            import cartopy.crs as ccrs

            ax = fig.add_subplot(projection=proj)
            transform = {"transform": ccrs.PlateCarree()}
            south = o.projection == "south_polar"
            if polar:
                edge = _POLAR_EDGE_LAT
                extent = [-180, 180, -90, -edge] if south else [-180, 180, edge, 90]
                ax.set_extent(extent, ccrs.PlateCarree())
                _polar_boundary(ax)
            else:
                ax.set_global()
            _map_gridlines(ax, o.projection)
        lons = da["lon"].values
        plot_values, plot_lons = values, lons
        if style != "filled":  # close the longitude circle for contours
            plot_values = np.concatenate([values, values[:, :1]], axis=1)
            plot_lons = np.concatenate([lons, lons[:1] + 360.0])
        if polar and style != "filled":
            x, y, plot_values = _polar_grid(proj, plot_lons, da["lat"].values, plot_values, south)
            mesh = _draw(ax, x, y, plot_values, style, cmap, lo, hi, levels)
        else:
            mesh = _draw(
                ax,
                plot_lons,
                da["lat"].values,
                plot_values,
                style,
                cmap,
                lo,
                hi,
                levels,
                **transform,
            )
        if o.show_coastlines:
            for line in coastlines():
                ax.plot(line[:, 0], line[:, 1], color="0.25", linewidth=0.6, **transform)
        if o.show_terminator:
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
        if o.show_magnetic_equator:
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
        if o.wind:
            vertical = {k: a[k] for k in ("time", "level", "height", "pressure", "method")}
            u = _gcm.lat_lon(ds, "UN", **vertical).values
            v = _gcm.lat_lon(ds, "VN", **vertical).values
            s = slice(None, None, max(1, o.wind_stride))
            lon2, lat2 = np.meshgrid(lons, da["lat"].values)
            quiver = ax.quiver(
                lon2[s, s],
                lat2[s, s],
                u[s, s],
                v[s, s],
                color="k",
                scale_units="xy",
                angles="xy",
                **transform,
            )
            units = ds["UN"].attrs.get("units", "m/s")
            _quiver_key(ax, quiver, np.hypot(u[s, s], v[s, s]), units)
        if proj is None:
            degree_axes(ax)
            ax.set_xlim(-180, 180)
            ax.set_ylim(-90, 90)
            ax.grid(**_GRID)
    if any(not str(line.get_label()).startswith("_") for line in ax.get_lines()):
        ax.legend(loc="lower left", fontsize=8, framealpha=0.85)
    fig.colorbar(mesh, ax=ax, label=_label(da), shrink=0.8)
    # y given: matplotlib's automatic title placement fails on maps with a quiver key
    ax.set_title(o.title or _title(da), fontsize=10, y=1.0, pad=14 if o.wind else 6)
    return _finish(fig, o.save)


_SLICE_STYLE = DRAWING.select(
    "style", "levels", "cmap", "symmetric", "vmin", "vmax", "title", "save", "figsize"
)

plot_lat_lon = figure_function(
    _gcm.lat_lon,
    _draw_lat_lon,
    name="plot_lat_lon",
    module=__name__,
    summary="Map of a lat-lon slice (:func:`geospacexr.gcm.lat_lon`).",
    options=DRAWING.select("projection")
    + _SLICE_STYLE
    + DRAWING.select(
        "show_coastlines",
        "show_terminator",
        "wind",
        "wind_stride",
        "show_magnetic_equator",
        "magnetic",
    ),
    body="A polar map asked for with the default figure size is drawn 6.4 x 5.4 inches, so that\n"
    "the circle fills its panel. A field on the geomagnetic grid (PHIM2D, ED1...) is drawn in\n"
    "magnetic latitude and longitude (plain axes, or a polar view of the magnetic pole with\n"
    "``north_polar``/``south_polar``), without geographic overlays.",
    defaults={"figsize": _LAT_LON_FIGSIZE},
    docs={
        "time": _FIRST_TIME,
        "local_time": "Plot against solar local time instead of longitude (plain axes).",
    },
    raises="    InvalidArgumentError: ``magnetic`` together with ``local_time``.",
)


def _cell_edges(y: np.ndarray, log: bool = False) -> np.ndarray:
    """Edges of the cells ``shading="nearest"`` draws around sorted centres ``y``."""
    v = np.log(y) if log else np.asarray(y, dtype=np.float64)
    if v.size == 1:
        edges = np.array([v[0] - 0.5, v[0] + 0.5])
    else:
        mid = 0.5 * (v[1:] + v[:-1])
        edges = np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])
    return np.exp(edges) if log else edges


def _data_limits(y: np.ndarray, values: np.ndarray, log: bool = False) -> tuple[float, float]:
    """The vertical extent of the rows that hold data (no empty band above the top level)."""
    order = np.argsort(y)
    ys = np.asarray(y, dtype=np.float64)[order]
    rows = np.isfinite(values[order]).any(axis=tuple(range(1, values.ndim)))
    edges = _cell_edges(ys, log)
    if not rows.any():
        return float(edges[0]), float(edges[-1])
    first, last = np.flatnonzero(rows)[[0, -1]]
    if log:  # pcolormesh's nearest shading puts linear midpoints even on a log axis
        edges = _cell_edges(ys)
    return float(edges[first]), float(edges[last + 1])


def _height_axis(ax: Any, y: np.ndarray, mean_z: np.ndarray) -> Any:
    """A right-hand axis with the mean height of the levels, ticked only where it is known.

    The conversion extrapolates linearly past the first and last level, so that no tick
    below the bottom level is drawn at the bottom edge (``np.interp`` would clamp it there
    and label the ~97 km edge "0").
    """
    from matplotlib.ticker import FixedLocator, MaxNLocator

    ok = np.isfinite(mean_z) & np.isfinite(y)
    order = np.argsort(y[ok])
    yy, zz = y[ok][order], mean_z[ok][order]
    if zz.size < 2 or np.any(np.diff(zz) <= 0):
        return None

    def extrapolate(v: Any, xs: np.ndarray, fs: np.ndarray) -> Any:
        v = np.asarray(v, dtype=np.float64)
        out = np.interp(v, xs, fs)
        lo_slope = (fs[1] - fs[0]) / (xs[1] - xs[0])
        hi_slope = (fs[-1] - fs[-2]) / (xs[-1] - xs[-2])
        out = np.where(v < xs[0], fs[0] + (v - xs[0]) * lo_slope, out)
        return np.where(v > xs[-1], fs[-1] + (v - xs[-1]) * hi_slope, out)

    sec = ax.secondary_yaxis(
        "right",
        functions=(lambda v: extrapolate(v, yy, zz), lambda h: extrapolate(h, zz, yy)),
    )
    ticks = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(zz[0], zz[-1])
    sec.yaxis.set_major_locator(FixedLocator(ticks[(ticks >= zz[0]) & (ticks <= zz[-1])]))
    sec.set_ylabel("mean height (km)")
    return sec


def _vertical_plot(ds: xr.Dataset, da: xr.DataArray, xdim: str, o: SimpleNamespace) -> Any:
    grid = _gcm.slices.vertical_dim(da) or "lev"
    xdim = _own_dim(da, xdim)
    magnetic = grid in ("mlev", "imlev")
    values = np.asarray(da.transpose(grid, xdim).values, dtype=np.float64)
    sym = _is_symmetric(ds, da, o.symmetric)
    cmap, lo, hi = colour_scale(values, sym, o.cmap, o.vmin, o.vmax)
    fig = _figure(o.figsize)
    ax = fig.add_subplot()
    y = np.asarray(da[grid].values, dtype=np.float64)
    mesh = _draw(ax, da[xdim].values, y, values, o.style, cmap, lo, hi, o.levels)
    waccmx = ds.attrs.get("model") == "WACCM-X"
    bottom, top = _data_limits(y, values)
    if waccmx:
        ax.set_yscale("log")
        ax.set_ylim(top, bottom)  # pressure decreases upwards
        ax.set_ylabel(f"{grid} (hybrid level, hPa)")
    else:
        ax.set_ylim(bottom, top)
        ax.set_ylabel(f"{grid} = ln(p0/p)")
    try:  # a right-hand axis with the global-mean height of each level
        z = magnetic_heights(ds, grid) if magnetic else _gcm.column_heights(ds, grid)
        if "time" in da.coords and da["time"].ndim == 0:
            z = z.sel(time=da["time"].values)
        mean_z = np.asarray(z.mean([d for d in z.dims if d != grid]).values, dtype=np.float64)
        if not waccmx:
            _height_axis(ax, y, mean_z)
    except Exception:  # heights are optional decoration
        pass
    fig.colorbar(mesh, ax=ax, label=_label(da), pad=0.02)
    ax.set_title(o.title or _title(da), fontsize=10)
    if xdim == "time":
        ax.set_xlabel("time (UT)")
    else:
        ax.set_xlabel(_AXIS_LABELS.get(xdim, xdim))
    return _finish(fig, o.save)


def _time_plot(ds: xr.Dataset, da: xr.DataArray, ydim: str, o: SimpleNamespace) -> Any:
    ydim = _own_dim(da, ydim)
    values = np.asarray(da.transpose(ydim, "time").values, dtype=np.float64)
    sym = _is_symmetric(ds, da, o.symmetric)
    cmap, lo, hi = colour_scale(values, sym, o.cmap, o.vmin, o.vmax)
    fig = _figure(o.figsize)
    ax = fig.add_subplot()
    mesh = _draw(ax, da["time"].values, da[ydim].values, values, o.style, cmap, lo, hi, o.levels)
    ax.set_xlabel("time (UT)")
    ax.set_ylabel(_AXIS_LABELS.get(ydim, f"{ydim} (deg)"))
    fig.colorbar(mesh, ax=ax, label=_label(da))
    ax.set_title(o.title or _title(da), fontsize=10)
    return _finish(fig, o.save)


def _slice_figure(compute: Any, axis: str, draw: Any, first_time: bool) -> Any:
    """The drawing step of a vertical or time-axis figure of ``compute``."""

    def run(ds: xr.Dataset, a: dict[str, Any], o: SimpleNamespace) -> Any:
        if first_time:
            a = {**a, "time": _first_time(ds, a["time"])}
        return draw(ds, compute(ds, **a), axis, o)

    return run


plot_lev_lat = figure_function(
    _gcm.lev_lat,
    _slice_figure(_gcm.lev_lat, "lat", _vertical_plot, True),
    name="plot_lev_lat",
    module=__name__,
    summary="Level against latitude at a longitude or zonally averaged "
    "(:func:`geospacexr.gcm.lev_lat`).",
    options=_SLICE_STYLE,
    docs={"time": _FIRST_TIME},
)

plot_lev_lon = figure_function(
    _gcm.lev_lon,
    _slice_figure(_gcm.lev_lon, "lon", _vertical_plot, True),
    name="plot_lev_lon",
    module=__name__,
    summary="Level against longitude at a latitude (:func:`geospacexr.gcm.lev_lon`).",
    options=_SLICE_STYLE,
    defaults={"lat": 0.0},
    docs={"time": _FIRST_TIME},
)

plot_lev_time = figure_function(
    _gcm.lev_time,
    _slice_figure(_gcm.lev_time, "time", _vertical_plot, False),
    name="plot_lev_time",
    module=__name__,
    summary="Level against time at a place or local time (:func:`geospacexr.gcm.lev_time`).",
    options=_SLICE_STYLE,
    defaults={"lat": 0.0, "lon": 0.0},
)

plot_lat_time = figure_function(
    _gcm.lat_time,
    _slice_figure(_gcm.lat_time, "lat", _time_plot, False),
    name="plot_lat_time",
    module=__name__,
    summary="Latitude against time (:func:`geospacexr.gcm.lat_time`).",
    options=_SLICE_STYLE,
)

plot_lon_time = figure_function(
    _gcm.lon_time,
    _slice_figure(_gcm.lon_time, "lon", _time_plot, False),
    name="plot_lon_time",
    module=__name__,
    summary="Longitude against time (:func:`geospacexr.gcm.lon_time`).",
    options=_SLICE_STYLE,
    defaults={"lat": 0.0},
)


def _draw_var_time(ds: xr.Dataset, a: dict[str, Any], o: SimpleNamespace) -> Any:
    da = _gcm.var_time(ds, **a)
    fig = _figure(o.figsize)
    ax = fig.add_subplot()
    ax.plot(da["time"].values, da.values, marker="o")
    ax.set_xlabel("time (UT)")
    ax.set_ylabel(_label(da))
    ax.grid(alpha=0.3)
    lat, lon = a["lat"], a["lon"]
    where = f"{lat:g}°N" + ("" if lon is None else f" {lon:g}°E")
    if "mlat" in da.coords:  # the point taken on the geomagnetic grid
        where = f"magnetic {float(da['mlat']):.3g}°N {float(da['mlon']):.3g}°E"
    elif "lat" not in da.coords:  # a per-time scalar: no place
        where = ""
    ax.set_title(o.title or _title(da, where), fontsize=10)
    return _finish(fig, o.save)


plot_var_time = figure_function(
    _gcm.var_time,
    _draw_var_time,
    name="plot_var_time",
    module=__name__,
    summary="A time series (:func:`geospacexr.gcm.var_time`).",
    options=DRAWING.select("title", "save", "figsize"),
    defaults={"lat": 0.0, "lon": 0.0, "figsize": (8.0, 3.5)},
)


def _draw_epflux(ds: xr.Dataset, a: dict[str, Any], o: SimpleNamespace) -> Any:
    from ..gcm.epflux import epflux as _epflux

    flux = _epflux(ds, **{**a, "time": _first_time(ds, a["time"])})
    flux = flux.sortby(flux["zstar"])
    div = flux["EPVDIV"]
    values = np.asarray(div.values, dtype=np.float64)
    lo, hi = _colour_limits(values, True, o.vmin, o.vmax)
    fig = _figure(o.figsize)
    ax = fig.add_subplot()
    lat = flux["lat"].values
    z = flux["zstar"].values
    mesh = _draw(ax, lat, z, values, o.style, o.cmap or "RdBu_r", lo, hi, o.levels)
    if o.arrows:
        stride_z = o.arrow_stride or max(1, z.size // 15)
        stride_y = o.arrow_stride or max(1, lat.size // 18)
        s = (slice(None, None, stride_z), slice(None, None, stride_y))
        height_m = float(flux.attrs["scale_height_m"])
        radius_m = float(flux.attrs["earth_radius_m"])
        u = np.asarray(flux["EPVY"].values, dtype=np.float64) * (180.0 / (np.pi * radius_m))
        v = np.asarray(flux["EPVZ"].values, dtype=np.float64) / 1e3
        if o.density_scaling:
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
        o.title or f"EP flux (arrows) and its divergence ({flux.attrs.get('model', '')})\n{when}",
        fontsize=10,
    )
    return _finish(fig, o.save)


plot_epflux = figure_function(
    _gcm.epflux,
    _draw_epflux,
    name="plot_epflux",
    module=__name__,
    summary="Eliassen–Palm flux vectors over its divergence, against latitude and log-pressure "
    "height (:func:`geospacexr.gcm.epflux`).",
    body="The colours are EPVDIV (the zonal-wind acceleration, m/s/day, centred on zero) and the\n"
    "arrows (EPVY, EPVZ), drawn in the plot's own units (degrees of latitude and km of\n"
    "log-pressure height, :math:`z = H\\ln(1000\\,hPa/p)`) so that their direction on the page\n"
    "is the direction of the flux (Edmon, Hoskins & McIntyre 1980, J. Atmos. Sci. 37, 2600).",
    options=DRAWING.select(
        "style",
        "cmap",
        "vmin",
        "vmax",
        "levels",
        "arrows",
        "arrow_stride",
        "density_scaling",
        "title",
        "save",
        "figsize",
    ),
    docs={
        "time": _FIRST_TIME,
        "cmap": "Colour map (default ``RdBu_r``).",
        "vmin": "Lower colour limit (default symmetric, from the 1st/99th percentiles).",
    },
)


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
        out: Output ``.mp4`` (H.264 through imageio-ffmpeg: libx264 at the preset
            ``io.movie_preset``, default ``veryfast``, and quality ``io.movie_crf`` of
            :mod:`geospacexr.config`) or ``.gif`` (Pillow) file.
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
            attrs = ds[name].attrs if name in ds.variables else {}
            symmetric = is_signed(name, attrs, data, "difference" in ds.attrs)
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
