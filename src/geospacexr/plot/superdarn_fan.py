"""SuperDARN fan plots: one scan of a radar on a map, geographic or AACGM-v2 magnetic.

:func:`plot_fan` takes the parameters of :func:`geospacexr.superdarn.scans.scan_fan` (which scan,
which parameter, which filters, which coordinates) followed by drawing options. Each range-gate
cell is drawn as the quadrilateral of its four corners, coloured by the parameter; ground
scatter (``gflg`` = 1) is grey (``grey_ground_scatter``) or hidden (``ground_scatter="remove"``).
The field of view is outlined and the radar marked. Coastlines are the shipped Natural Earth
lines (nothing is downloaded), converted to AACGM-v2 for magnetic maps. Figures are
:class:`matplotlib.figure.Figure` objects (no pyplot), so they work headless.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import numpy as np
import xarray as xr

from .._declare import Option, Options, figure_function
from ..superdarn.scans import scan_fan
from . import colours
from .common import colour_scale, map_projection, new_figure, require_matplotlib, save_figure
from .options import DRAWING, PROJECTIONS

__all__ = ["FAN_OPTIONS", "plot_fan"]

#: Signed fitacf parameters (a diverging colour map centred on zero).
SIGNED_PARAMETERS = ("v", "x_v", "phi0", "x_phi0")
#: Grey of ground-scatter cells.
GROUND_SCATTER_GREY = "0.55"
#: Margin around the field of view, degrees of latitude (longitude: twice that).
MARGIN_DEG = 2.0
#: Coastlines are converted to AACGM-v2 only poleward of this geographic latitude.
AACGM_COAST_MIN_LAT = 30.0

#: The drawing options of :func:`plot_fan`: fan-specific ones plus shared ones.
FAN_OPTIONS = Options(
    [
        Option(
            "projection",
            None,
            str | None,
            "Map projection, a name of :data:`geospacexr.plot.options.PROJECTIONS` (default: "
            "``north_polar`` or ``south_polar`` by the radar's hemisphere).",
        ),
        Option(
            "grey_ground_scatter",
            True,
            bool,
            "Draw ground-scatter cells (``gflg`` = 1) grey instead of coloured by the "
            'parameter (hide them with ``ground_scatter="remove"``).',
        ),
        Option("show_fov", True, bool, "Outline the radar's field of view."),
        Option("show_radar", True, bool, "Mark and name the radar site."),
    ]
) + DRAWING.select("cmap", "vmin", "vmax", "show_coastlines", "title", "save", "figsize", "ax")


def _unwrap(lon: np.ndarray, centre: float) -> np.ndarray:
    return centre + (np.asarray(lon, dtype=np.float64) - centre + 180.0) % 360.0 - 180.0


def _outline(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The boundary of a (beam_corner, gate_corner) grid, as one closed line."""
    rows = [
        (lat[0, :], lon[0, :]),
        (lat[:, -1], lon[:, -1]),
        (lat[-1, ::-1], lon[-1, ::-1]),
        (lat[::-1, 0], lon[::-1, 0]),
    ]
    return np.concatenate([r[0] for r in rows]), np.concatenate([r[1] for r in rows])


def coastline_segments(magnetic: bool, date: Any, north: bool) -> list[np.ndarray]:
    """The shipped Natural Earth coastlines as ``(lon, lat)`` lines, geographic or AACGM-v2.

    Args:
        magnetic: AACGM-v2 magnetic longitude and latitude (at ground level, on ``date``)
            instead of geographic; only the hemisphere's coastlines poleward of
            ``AACGM_COAST_MIN_LAT`` (AACGM-v2 is not defined near the equator), cut where the
            conversion has no value.
        date: The epoch of the magnetic coordinates (anything ``numpy.datetime64`` takes).
        north: The hemisphere of the magnetic coastlines.

    Returns:
        One ``(n, 2)`` array of (longitude, latitude) per line, degrees.
    """
    from ..resources import coastlines

    segments = list(coastlines())
    if not magnetic:
        return segments
    from ..geomagnetic import aacgm

    converted = []
    for line in segments:
        lat = line[:, 1]
        keep = lat >= AACGM_COAST_MIN_LAT if north else lat <= -AACGM_COAST_MIN_LAT
        if keep.sum() < 2:
            continue
        mlat, mlon = aacgm(lat, line[:, 0], 0.0, date, grid_deg=0)
        good = keep & np.isfinite(mlat) & np.isfinite(mlon)
        edges = np.flatnonzero(np.diff(np.concatenate([[0], good.astype(int), [0]])))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            if b - a >= 2:
                converted.append(np.column_stack([mlon[a:b], mlat[a:b]]))
    return converted


def _coastlines(ax: Any, magnetic: bool, date: Any, north: bool) -> None:
    import cartopy.crs as ccrs

    for line in coastline_segments(magnetic, date, north):
        ax.plot(line[:, 0], line[:, 1], color="0.45", linewidth=0.5, transform=ccrs.Geodetic(),
                zorder=1)  # fmt: skip


def _draw_fan(ds: xr.Dataset, a: dict[str, Any], o: SimpleNamespace) -> Any:
    require_matplotlib()
    import cartopy.crs as ccrs
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    fan = scan_fan(ds, **a)
    magnetic = a["coords"] == "aacgm"
    prefix = "m" if magnetic else ""
    north = fan.attrs["hemisphere"] == "north"
    projection = o.projection or ("north_polar" if north else "south_polar")
    if projection not in PROJECTIONS:
        from ..errors import InvalidArgumentError

        raise InvalidArgumentError(
            f"must be one of {', '.join(PROJECTIONS)}, not {projection!r}", "projection"
        )
    lat_c = fan[f"{prefix}lat_corner"].values
    lon_c = fan[f"{prefix}lon_corner"].values
    hw = json.loads(fan.attrs["hardware"])
    site_lat, site_lon = float(hw["lat"]), float(hw["lon"])
    date = np.datetime64(fan.attrs["start_time"], "ns")
    if magnetic:
        from ..geomagnetic import aacgm

        m_lat, m_lon = aacgm(np.array([site_lat]), np.array([site_lon]), 0.0, date, grid_deg=0)
        site_lat, site_lon = float(m_lat[0]), float(m_lon[0])
    radians = np.deg2rad(lon_c[np.isfinite(lon_c)])
    centre = float(np.rad2deg(np.arctan2(np.sin(radians).mean(), np.cos(radians).mean())))
    lon_c = _unwrap(lon_c, centre)
    proj = map_projection(projection, central_longitude=centre)
    if o.ax is None:
        fig = new_figure(o.figsize)
        ax = fig.add_subplot(projection=proj)
    else:
        ax, fig = o.ax, o.ax.figure
    plate = ccrs.PlateCarree()
    values = fan["value"].values
    ground = fan["gflg"].values == 1
    shown = np.where(ground, np.nan, values) if o.grey_ground_scatter else values
    attrs = fan["value"].attrs
    parameter = fan.attrs["parameter"]
    signed = parameter in SIGNED_PARAMETERS or colours.is_signed(parameter, attrs, False)
    cmap, lo, hi = colour_scale(shown, signed, o.cmap, o.vmin, o.vmax)
    mesh = ax.pcolormesh(
        lon_c, lat_c, shown, cmap=cmap, vmin=lo, vmax=hi, transform=plate, shading="flat",
        zorder=2,
    )  # fmt: skip
    handles = []
    if o.grey_ground_scatter and np.any(ground & np.isfinite(values)):
        ax.pcolormesh(
            lon_c, lat_c, np.where(ground & np.isfinite(values), 1.0, np.nan),
            cmap=ListedColormap([GROUND_SCATTER_GREY]), transform=plate, shading="flat",
            zorder=2,
        )  # fmt: skip
        handles.append(Patch(color=GROUND_SCATTER_GREY, label="ground scatter"))
    if o.show_coastlines:
        _coastlines(ax, magnetic, date, north)
    if o.show_fov:
        out_lat, out_lon = _outline(lat_c, lon_c)
        ax.plot(out_lon, out_lat, color="k", linewidth=0.9, transform=ccrs.Geodetic(), zorder=3)
    if o.show_radar:
        ax.plot(site_lon, site_lat, marker="^", color="k", markersize=5, transform=plate,
                zorder=4)  # fmt: skip
        ax.text(site_lon, site_lat, f" {fan.attrs['radar'].upper()}", fontsize=8,
                transform=plate, zorder=4)  # fmt: skip
    lats = np.concatenate([lat_c.ravel(), [site_lat]])
    lons = np.concatenate([lon_c.ravel(), [_unwrap(np.array(site_lon), centre)]])
    extent = [
        float(np.nanmin(lons)) - 2 * MARGIN_DEG,
        float(np.nanmax(lons)) + 2 * MARGIN_DEG,
        max(float(np.nanmin(lats)) - MARGIN_DEG, -90.0),
        min(float(np.nanmax(lats)) + MARGIN_DEG, 90.0),
    ]
    ax.set_extent(extent, crs=plate)
    try:
        gl = ax.gridlines(draw_labels=True, linewidth=0.4, color="0.7", x_inline=False)
        gl.xlabel_style = gl.ylabel_style = {"size": 7, "color": "0.4"}
    except TypeError:  # projections without label support
        ax.gridlines(linewidth=0.4, color="0.7")
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.85)
    name = attrs.get("long_name", parameter)
    units = attrs.get("units", "")
    fig.colorbar(mesh, ax=ax, shrink=0.75, label=f"{name} ({units})" if units else name)
    system = "AACGM-v2" if magnetic else "geographic"
    title = o.title or (
        f"{fan.attrs['radar_name']} ({fan.attrs['radar'].upper()}) scan "
        f"{fan.attrs['scan_index']}, {fan.attrs['start_time'][:19].replace('T', ' ')}-"
        f"{fan.attrs['end_time'][11:19]} UT, {system}"
    )
    # y given: the automatic placement puts the title under cartopy's grid labels
    ax.set_title(title, fontsize=9, y=1.0, pad=22)
    if o.save is not None:
        save_figure(fig, o.save)
    return fig


plot_fan = figure_function(
    scan_fan,
    _draw_fan,
    name="plot_fan",
    module=__name__,
    summary="Fan plot of one scan on a map (:func:`geospacexr.superdarn.scans.scan_fan`).",
    body="Cells are coloured by the fitacf parameter (units on the colour bar); velocities get\n"
    'a diverging colour map centred on zero. ``coords="aacgm"`` draws the scan, the radar and\n'
    "the coastlines in AACGM-v2 latitude and longitude.",
    options=FAN_OPTIONS,
    defaults={"figsize": (6.4, 5.6)},
)
