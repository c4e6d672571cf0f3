"""The GCM explorer: every slice of a TIE-GCM / WACCM-X run, live.

It holds no science: each widget change calls the functions of :mod:`geospacexr.gcm` (the same as
``ds.gcm``), caches the result per parameter set, and redraws a HoloViews (Bokeh) plot. Bad input
(a height above the model top, a variable the file cannot compute) shows a message and keeps the
session alive.
"""

from __future__ import annotations

import io
import time
from collections import OrderedDict
from functools import lru_cache
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .. import gcm as _gcm
from ..errors import GeospacexrError
from ..plot import colours
from ..resources import coastlines
from .streaming import bokeh_backend

__all__ = ["POLAR_BOUNDARY_LAT", "POLAR_FRAME", "POLAR_PIXELS", "SLICES", "GcmExplorer", "explore"]

#: Slice types offered by the explorer (the functions of geospacexr.gcm).
SLICES = ("lat_lon", "lev_lat", "lev_lon", "lev_time", "lat_time", "lon_time", "var_time")
_VERTICAL = ("level", "height", "pressure")
#: Default equatorward edge (absolute latitude, degrees) of the polar maps; a slider changes it.
POLAR_BOUNDARY_LAT = 50.0
#: Pixels across a polar map (the slice is resampled, nearest cell, onto this square grid).
POLAR_PIXELS = 360
#: Side (screen pixels) of the square frame of a polar map: the whole cap fits a laptop screen.
POLAR_FRAME = 600
#: Latitude rings and meridians of the polar maps are drawn every this many degrees.
_RING_STEP = 10.0
_MERIDIAN_STEP = 30.0
_COLOUR_MAPS = ["viridis", "plasma", "inferno", "cividis", "RdBu_r", "coolwarm", "PuOr_r"]


#: Axis labels of the explorer's plots (as the static figures label them).
_AXIS_LABELS = {
    "lat": "latitude (°N)",
    "lon": "longitude (°E)",
    "mlat": "magnetic latitude (°)",
    "mlon": "magnetic longitude (°)",
    "local_time": "local time (h)",
}
_VERTICAL_DIMS = ("lev", "ilev", "mlev", "imlev")


def _field_info(ds: xr.Dataset) -> dict[str, dict[str, Any]]:
    """Every field the explorer offers: ``name -> {"slices", "vertical", "horizontal"}``.

    The file's variables come from :func:`geospacexr.gcm.variables` (its ``slices`` say what
    each can do; ``other`` rows, which no slice takes, are left out; per-time scalars are
    offered as time series), then the derived fields and emission rates the file can compute
    (3-D fields on the model's geographic levels: every slice). Resolving each derived name
    through :func:`geospacexr.gcm.field` would cost seconds per name on a large file.
    """
    info: dict[str, dict[str, Any]] = {}
    for row in _gcm.variables(ds):
        slices = tuple(s for s in row["slices"].split(", ") if s)
        if row["layout"] == "other" or not slices:
            continue
        info[row["name"]] = {
            "slices": slices,
            "vertical": row["grid"] if row["grid"] in _VERTICAL_DIMS else None,
            "horizontal": row["horizontal"],
        }
    extra = list(_gcm.derived.available(ds)) + [
        n for n in _gcm.emissions.available(ds) if not n.startswith("OH_VIB_")
    ]
    for name in extra:
        if name not in info:
            info[name] = {"slices": SLICES, "vertical": "lev", "horizontal": "geographic"}
    return info


def _fields(ds: xr.Dataset, info: dict[str, dict[str, Any]] | None = None) -> list[str]:
    info = _field_info(ds) if info is None else info
    names = sorted(n for n in info if n in ds.data_vars)
    return names + [n for n in info if n not in ds.data_vars]


def _level_slider_settings(levels: np.ndarray) -> dict[str, float]:
    """Range, start value (a real level near the middle) and step of the level slider.

    Pressure levels in hPa (WACCM-X: 1e-10 to 1000 hPa) get a step finer than their closest
    spacing, so every level of the file can be reached; TIE-GCM's ln(p0/p) levels keep half a
    level's step.
    """
    lev = np.sort(np.asarray(levels, dtype=float)[np.isfinite(levels)])
    middle = float(lev[np.argmin(np.abs(lev - np.median(lev)))])
    gaps = np.diff(lev)
    gaps = gaps[gaps > 0]
    step = float(gaps.min() / 2) if gaps.size else 0.05
    step = min(step, 0.05)
    return {"start": float(lev[0]), "end": float(lev[-1]), "value": middle, "step": step}


def _nan_joined(lines: list[np.ndarray]) -> np.ndarray:
    """Segments as one ``(n, 2)`` array with NaN rows between them (one Bokeh line, fast)."""
    if not lines:
        return np.empty((0, 2))
    gap = np.full((1, 2), np.nan)
    return np.concatenate([part for line in lines for part in (line, gap)][:-1])


@lru_cache(maxsize=1)
def _global_coastlines() -> np.ndarray:
    """The shipped coastlines as one NaN-separated (lon, lat) array."""
    return _nan_joined(list(coastlines()))


def polar_xy(lat: Any, lon: Any, north: bool) -> tuple[np.ndarray, np.ndarray]:
    """Polar-map coordinates (azimuthal equidistant, degrees of colatitude from the pole).

    Longitude 0 points down on the north map and up on the south map, 90° E to the right (as
    Cartopy's polar stereographic maps).

    Args:
        lat: Latitudes (degrees).
        lon: Longitudes (degrees).
        north: North (True) or south polar map.

    Returns:
        ``(x, y)`` arrays.
    """
    lat, lon = np.asarray(lat, dtype=float), np.radians(np.asarray(lon, dtype=float))
    r = 90.0 - lat if north else 90.0 + lat
    return r * np.sin(lon), (-r if north else r) * np.cos(lon)


def polar_latlon(x: Any, y: Any, north: bool) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of :func:`polar_xy`: ``(lat, lon)`` of polar-map points.

    Args:
        x: Map x.
        y: Map y.
        north: North (True) or south polar map.

    Returns:
        ``(lat, lon)`` arrays, longitudes in [-180, 180].
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    r = np.hypot(x, y)
    lon = np.degrees(np.arctan2(x, -y if north else y))
    return (90.0 - r if north else r - 90.0), lon


@lru_cache(maxsize=32)
def _polar_lookup(
    lats: tuple[float, ...], lons: tuple[float, ...], north: bool, boundary: float, pixels: int
) -> dict[str, np.ndarray]:
    """For each pixel of a polar map: the nearest grid cell (indices), its lat/lon, in-cap mask.

    Depends only on the grid and the map, so a slice change is one fancy-indexing of the values.
    """
    radius = 90.0 - boundary
    edges = np.linspace(-radius, radius, pixels + 1)
    centres = 0.5 * (edges[:-1] + edges[1:])
    x, y = np.meshgrid(centres, centres)
    lat, lon = polar_latlon(x, y, north)
    la = np.asarray(lats)
    order = np.argsort(la)
    iy = order[np.searchsorted(0.5 * (la[order][:-1] + la[order][1:]), lat)]
    lo = np.asarray(lons) % 360.0
    lorder = np.argsort(lo)
    ring = lo[lorder]
    extended = np.concatenate([[ring[-1] - 360.0], ring, [ring[0] + 360.0]])
    index = np.concatenate([[lorder[-1]], lorder, [lorder[0]]])
    ix = index[np.searchsorted(0.5 * (extended[:-1] + extended[1:]), lon % 360.0)]
    inside = np.hypot(x, y) <= radius
    # no per-pixel lat/lon: the hover computes them in the browser (:data:`_POLAR_HOVER_JS`)
    return {"iy": iy, "ix": ix, "inside": inside, "centres": centres}


def _clip_to_cap(line: np.ndarray, north: bool, boundary: float) -> list[np.ndarray]:
    """The parts of a (lon, lat) polyline poleward of ``boundary``, cut exactly at its edge."""
    lat = line[:, 1] if north else -line[:, 1]
    inside = lat >= boundary
    parts = []
    start = None
    for k in range(len(line) + 1):
        if k < len(line) and inside[k]:
            if start is None:
                start = k
            continue
        if start is None:
            continue
        piece = [line[start:k]]
        for a, b, where in ((start - 1, start, 0), (k, k - 1, 1)):
            if 0 <= a < len(line):  # the crossing of the cap's edge, linearly interpolated
                f = (boundary - lat[b]) / (lat[a] - lat[b])
                point = (line[b] + f * (line[a] - line[b]))[None, :]
                piece.insert(0, point) if where == 0 else piece.append(point)
        parts.append(np.concatenate(piece))
        start = None
    return [p for p in parts if len(p) > 1]


@lru_cache(maxsize=32)
def _polar_decorations(north: bool, boundary: float) -> dict[str, Any]:
    """Projected coastlines (clipped to the cap), latitude rings, meridians and their labels."""
    coast = []
    for line in coastlines():
        for part in _clip_to_cap(line, north, boundary):
            coast.append(np.column_stack(polar_xy(part[:, 1], part[:, 0], north)))
    radius = 90.0 - boundary
    theta = np.linspace(-180.0, 180.0, 181)
    ring_lats = [boundary] + [
        v for v in np.arange(90.0 - _RING_STEP, boundary, -_RING_STEP)[::-1] if v > boundary
    ]
    hemi = "N" if north else "S"
    rings, ring_labels = [], []
    label_lon = 165.0 if north else 15.0  # the rings are labelled along this meridian
    for lat in ring_lats:
        signed = lat if north else -lat
        rings.append(np.column_stack(polar_xy(np.full_like(theta, signed), theta, north)))
        x, y = polar_xy(signed, label_lon, north)
        ring_labels.append((float(x), float(y), f"{lat:g}°{hemi}"))
    meridians, meridian_labels = [], []
    for lon in np.arange(-180.0, 180.0, _MERIDIAN_STEP):
        edge = boundary if north else -boundary
        pole = 90.0 if north else -90.0
        meridians.append(np.column_stack(polar_xy([pole, edge], [lon, lon], north)))
        x, y = polar_xy(pole - (1.07 * radius if north else -1.07 * radius), lon, north)
        name = (
            "180°"
            if abs(lon) == 180
            else "0°"
            if lon == 0
            else f"{abs(lon):g}°{'E' if lon > 0 else 'W'}"
        )
        meridian_labels.append((float(x), float(y), name))
    return {
        "coast": _nan_joined(coast),
        "rings": _nan_joined(rings),
        "meridians": _nan_joined(meridians),
        "ring_labels": ring_labels,
        "meridian_labels": meridian_labels,
        "radius": radius,
    }


def _height_ticks(levels: np.ndarray, heights: np.ndarray) -> tuple[list[float], list[str]]:
    """Positions on the level axis of round mean heights (km), and their labels."""
    ok = np.isfinite(levels) & np.isfinite(heights)
    levels, heights = levels[ok], heights[ok]
    if levels.size < 2:
        return [], []
    order = np.argsort(heights)
    h, lev = heights[order], levels[order]
    span = h[-1] - h[0]
    step = next((s for s in (5, 10, 20, 25, 50, 100, 200, 500) if span / s <= 8), 1000)
    ticks = np.arange(np.ceil(h[0] / step) * step, h[-1] + 1e-9, step)
    return [float(v) for v in np.interp(ticks, h, lev)], [f"{t:g}" for t in ticks]


def _height_axis_hook(positions: list[float], labels: list[str], log: bool) -> Any:
    """A HoloViews hook adding a right-hand "mean height (km)" axis next to the level axis."""

    def hook(plot: Any, element: Any) -> None:
        from bokeh.models import CustomJSTickFormatter, FixedTicker, LinearAxis, LogAxis

        figure = plot.state
        for old in figure.right:  # a streamed update: new tick positions on the same axis
            if getattr(old, "name", None) == "mean_height_axis":
                old.ticker.ticks = positions
                old.formatter.args = {"pos": positions, "lab": labels}
                return
        axis = (LogAxis if log else LinearAxis)(
            name="mean_height_axis",
            axis_label="mean height (km)",
            ticker=FixedTicker(ticks=positions),
            formatter=CustomJSTickFormatter(
                args={"pos": positions, "lab": labels},
                code=(
                    "let k = 0, best = Infinity;"
                    "for (let i = 0; i < pos.length; i++) {"
                    "  const d = Math.abs(pos[i] - tick); if (d < best) { best = d; k = i; } }"
                    "return lab[k];"
                ),
            ),
        )
        figure.right = [axis, *figure.right]  # next to the plot, the colour bar outside it

    return hook


def _frame_sized(plot: Any, element: Any) -> None:
    """Bokeh hook: the polar figure is sized by its square frame alone.

    (Its sizing mode is left unset: "fixed" would want ``width``/``height`` as well, which would
    override the frame's size.)
    """
    plot.state.sizing_mode = None


#: The polar map's hover read-out of latitude and longitude, computed in the browser from the
#: pointer's map coordinates (the inverse of :func:`polar_xy`, as :func:`polar_latlon`): a
#: per-pixel lat/lon sent with the image would weigh about 0.7 MB per figure (issue 18: the
#: explorers' notebook carried a megabyte of them).
_POLAR_HOVER_JS = """
const x = special_vars.x, y = special_vars.y;
const r = Math.sqrt(x * x + y * y);
if (format == "lat") {
    return (north ? 90 - r : r - 90).toFixed(1) + "\u00b0";
}
return (Math.atan2(x, north ? -y : y) * 180 / Math.PI).toFixed(1) + "\u00b0";
"""


def _polar_hover(north: bool) -> Any:
    """A Bokeh hook: the polar image's hover shows lat, lon (computed in the browser) and value.

    Set again on every update: north and south maps share one figure (``north`` says which).
    """

    def hook(plot: Any, element: Any) -> None:
        from bokeh.models import CustomJSHover, HoverTool

        hover = plot.handles.get("hover")
        if not isinstance(hover, HoverTool):
            return
        formatter = (hover.formatters or {}).get("$x")
        if not isinstance(formatter, CustomJSHover):
            hover.formatters = {"$x": CustomJSHover(code=_POLAR_HOVER_JS, args={"north": north})}
        elif formatter.args.get("north") != north:
            formatter.args = {"north": north}
        # HoloViews sets its own (x, y, value) tooltips again on updates
        values = [t for t in hover.tooltips if t[1] not in ("$x", "$y", "$x{lat}", "$x{lon}")]
        tooltips = [("lat", "$x{lat}"), ("lon", "$x{lon}"), *values]
        if list(hover.tooltips) != tooltips:
            hover.tooltips = tooltips

    hook.north = north  # type: ignore[attr-defined]
    return hook


def _identity(data: Any, x: float | None = None, y: float | None = None) -> Any:
    return data


def _line(xy: np.ndarray, kdims: list[str], **opts: Any) -> Any:
    """A NaN-separated polyline as one HoloViews Curve (one Bokeh line).

    A Curve (plain columns) rather than a Path (a list of paths): HoloViews splits and ranges a
    Path's sub-paths again on every streamed frame, which cost most of a polar map's update.
    """
    import holoviews as hv

    # float32: about 1 m on the globe, half the bytes a page (or a notebook) carries
    xy = np.asarray(xy, dtype=np.float32)
    return hv.Curve((xy[:, 0], xy[:, 1]), kdims[0], kdims[1]).opts(color="black", tools=[], **opts)


def _dim(name: str) -> Any:
    """A HoloViews dimension named as the coordinate, labelled as the static figures do."""
    import holoviews as hv

    return hv.Dimension(name, label=_AXIS_LABELS.get(name, name))


def _title(da: xr.DataArray) -> str:
    """The plot title: the long name in sentence case with name and units (as the figures)."""
    from ..plot.common import variable_title

    return variable_title(da.name, da.attrs)


@lru_cache(maxsize=1)
def _global_coastline_path() -> Any:
    """The coastline element of the global map (one object: Bokeh skips re-sending it)."""
    return _line(_global_coastlines(), ["lon", "lat"], line_width=0.6)


@lru_cache(maxsize=32)
def _polar_elements(north: bool, boundary: float) -> tuple[Any, ...]:
    """Coastlines, latitude rings with meridians, and their labels as (cached) HoloViews elements.

    Each is one element (one Bokeh glyph): a polar map is four glyphs, updated by streaming.
    """
    import holoviews as hv

    deco = _polar_decorations(north, boundary)
    grid = _nan_joined([deco["rings"], deco["meridians"]])
    labels = deco["ring_labels"] + deco["meridian_labels"]
    return (
        _line(deco["coast"], ["x", "y"], line_width=0.8),
        _line(grid, ["x", "y"], line_width=0.5, line_dash="dotted"),
        hv.Labels(labels, ["x", "y"], "text").opts(text_font_size="9pt", text_color="black"),
    )


class _View:
    """One built plot of the GCM explorer: its Pipe, its Panel pane and its click stream."""

    __slots__ = ("pane", "pipe", "tap")

    def __init__(self, pipe: Any, pane: Any, tap: Any) -> None:
        self.pipe, self.pane, self.tap = pipe, pane, tap


def _first_heights(ds: xr.Dataset) -> np.ndarray | None:
    """Column heights (km, on lev) at the first time that has them, or ``None``.

    A merged run can hold times with no height field (a secondary's ZG is NaN at the hours
    only its daily primary has), so the first time is not always usable.
    """
    column = _gcm.column_heights(ds, "lev")
    for i in range(column.sizes.get("time", 1)):
        values = np.asarray(column.isel(time=i).values if "time" in column.dims else column.values)
        if np.isfinite(values).any(axis=0).all():
            return values
        if "time" not in column.dims:
            break
    return None


class GcmExplorer:
    """Widgets and plot of the GCM explorer; ``.panel`` is the Panel layout.

    Args:
        ds: A ``gcm`` Dataset.
        control: Optional control run, for difference mode.
        prebuild: Build the other projection's plot ahead (hidden, see :meth:`prebuild`), so
            the first switch between global and polar maps only streams data. ``None``
            (default): in a served page, once it shows; inline (a notebook), only the polar
            map's pixel lookups, the figure being built on the first switch: a notebook stores
            what it displays, and a hidden figure would weigh as much as the one shown.
    """

    def __init__(
        self, ds: xr.Dataset, control: xr.Dataset | None = None, *, prebuild: bool | None = None
    ) -> None:
        import holoviews as hv
        import panel as pn

        bokeh_backend()  # once; no second copy of the notebook loaders
        _gcm.variables(ds)  # checks the kind with a clear message
        self.ds = ds
        self.control = control
        self._cache: OrderedDict[tuple[Any, ...], xr.DataArray] = OrderedDict()
        self._heights: dict[tuple[str, int], np.ndarray] = {}
        self._syncing = False
        self._pipe: Any = None  # streams each new figure into the displayed DynamicMap
        self._layout: tuple[Any, ...] | None = None
        # one built plot per plot structure (layout key), hidden while another is shown: a
        # switch back to a structure seen before streams data instead of building a figure
        self._views: OrderedDict[tuple[Any, ...], _View] = OrderedDict()
        #: How many Bokeh plots this explorer has built (a switch to a cached one builds none).
        self.figures_built = 0
        #: The HoloViews element drawn last (the DynamicMap in ``.plot`` shows it).
        self.element: Any = None
        #: Server-side seconds of the last redraw (slice, figure and Bokeh update).
        self.last_refresh_seconds = float("nan")
        times = ds["time"].values
        self.times = times
        #: Per offered field: the slices it can do, its vertical grid and horizontal grid.
        self.fields = _field_info(ds)
        fields = _fields(ds, self.fields)
        default = "TN" if "TN" in fields else fields[0]
        heights = _first_heights(ds) if "ZG" in ds or "Z" in ds else None
        # the range every column covers, so any slider value gives a full map
        self.height_range = (
            (
                float(np.nanmax(np.nanmin(heights, axis=0))),
                float(np.nanmin(np.nanmax(heights, axis=0))),
            )
            if heights is not None
            else (100.0, 500.0)
        )
        self.variable = pn.widgets.Select(label="variable", options=fields, value=default)
        offered = self._slices_of(default)
        self.slice = pn.widgets.Select(
            label="slice",
            options=list(offered),
            value="lat_lon" if "lat_lon" in offered else offered[0],
        )
        self.time = pn.widgets.Player(
            label="time",
            start=0,
            end=max(len(times) - 1, 0),
            value=0,
            loop_policy="loop",
            interval=400,
            width=300,
        )
        self.vertical = pn.widgets.RadioButtonGroup(
            label="vertical", options=list(_VERTICAL), value="level"
        )
        self.level = pn.widgets.FloatSlider(
            label="level", **self._level_settings(self.fields[default]["vertical"])
        )
        self.height = pn.widgets.FloatSlider(
            label="height (km)",
            start=round(self.height_range[0] + 1),
            end=round(self.height_range[1] - 1),
            value=300.0,
            step=5.0,
        )
        p = ds["pressure"].values
        self.log_pressure = pn.widgets.FloatSlider(
            label="log10 pressure (hPa)",
            start=float(np.log10(np.nanmin(p))),
            end=float(np.log10(np.nanmax(p))),
            value=float(np.log10(np.nanmedian(p))),
            step=0.1,
        )
        self.lat = pn.widgets.FloatSlider(
            label="latitude", start=-90.0, end=90.0, value=40.0, step=0.5
        )
        self.lon = pn.widgets.FloatSlider(
            label="longitude", start=-180.0, end=180.0, value=0.0, step=0.5
        )
        self.zonal = pn.widgets.Checkbox(label="zonal mean (lev-lat, lat-time)", value=True)
        self.local_time = pn.widgets.Checkbox(label="local time", value=False)
        self.cmap = pn.widgets.Select(
            label="colour map",
            options=list(_COLOUR_MAPS),
            value=colours.default_cmap(colours.is_signed(default)),
        )
        self.logz = pn.widgets.Checkbox(label="log colour scale", value=False)
        self.projection = pn.widgets.Select(
            label="projection", options=["global", "north polar", "south polar"], value="global"
        )
        self.boundary = pn.widgets.FloatSlider(
            label="polar map down to latitude (°)",
            start=0.0,
            end=80.0,
            value=POLAR_BOUNDARY_LAT,
            step=5.0,
        )
        self.difference = pn.widgets.Checkbox(
            label="difference to control", value=False, disabled=control is None
        )
        self.message = pn.pane.Alert("", alert_type="warning", visible=False)
        self.time_label = pn.pane.Markdown(self._time_text(0))
        #: The pane showing the current plot (one of ``self.figures``' panes).
        self.plot = self._new_pane()
        #: The plots built so far, all but the current one hidden.
        self.figures = pn.Column(self.plot, sizing_mode="stretch_width")
        self._tap = hv.streams.Tap(x=None, y=None)
        self._tap.add_subscriber(self._tapped)
        self.export_png = pn.widgets.FileDownload(
            callback=self._png, filename="slice.png", label="PNG", color="primary"
        )
        self.export_nc = pn.widgets.FileDownload(
            callback=self._netcdf, filename="slice.nc", label="NetCDF"
        )
        for w in (
            self.variable,
            self.slice,
            self.time,
            self.vertical,
            self.level,
            self.height,
            self.log_pressure,
            self.lat,
            self.lon,
            self.zonal,
            self.local_time,
            self.cmap,
            self.logz,
            self.projection,
            self.boundary,
            self.difference,
        ):
            w.param.watch(self._changed, "value")
        self.panel = pn.Row(
            pn.Column(
                # texts as panes: for a bare string Panel guesses the pane type, and its
                # Matplotlib check imports matplotlib.figure (seconds of a cold build)
                pn.pane.Markdown("## GCM explorer"),
                self.variable,
                self.slice,
                self.time,
                self.time_label,
                self.vertical,
                self.level,
                self.height,
                self.log_pressure,
                self.lat,
                self.lon,
                self.zonal,
                self.local_time,
                self.cmap,
                self.logz,
                self.projection,
                self.boundary,
                self.difference,
                pn.Row(self.export_png, self.export_nc),
                width=330,
            ),
            pn.Column(self.message, self.figures, sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        )
        self._update_visibility()
        self.refresh()
        served = pn.state.curdoc is not None and pn.state.curdoc.session_context is not None
        if prebuild or (prebuild is None and served):
            pn.state.onload(self.prebuild)  # served: once the page shows; elsewhere: now
        elif prebuild is None:
            self.prebuild(figure=False)

    # -- state -------------------------------------------------------------------------------
    def _time_text(self, index: int) -> str:
        return f"**{np.datetime_as_string(self.times[index], unit='m').replace('T', ' ')} UT**"

    def signed(self) -> bool:
        """Whether the current quantity is signed (a wind, EP flux, any difference...)."""
        return colours.is_signed(
            self.variable.value, difference=bool(self.difference.value and self.control is not None)
        )

    def _slices_of(self, name: str) -> tuple[str, ...]:
        """The slice kinds the explorer offers for one variable (those it can do)."""
        info = self.fields.get(name)
        return tuple(s for s in SLICES if info is None or s in info["slices"])

    def _level_settings(self, grid: str | None) -> dict[str, float]:
        """Level slider settings for a vertical grid (``lev`` when the field has none)."""
        dim = grid if grid is not None and grid in self.ds.coords else "lev"
        return _level_slider_settings(self.ds[dim].values)

    def magnetic(self) -> bool:
        """Whether the current variable is on the geomagnetic grid (mlat, mlon)."""
        info = self.fields.get(self.variable.value)
        return bool(info and info["horizontal"] == "geomagnetic")

    def has_levels(self) -> bool:
        """Whether the current variable has a vertical grid (level/height/pressure apply)."""
        info = self.fields.get(self.variable.value)
        return bool(info and info["vertical"])

    def _variable_changed(self) -> None:
        """Offer only the new variable's slices, its own levels and its coordinates' names."""
        offered = self._slices_of(self.variable.value)
        keep = self.slice.value if self.slice.value in offered else None
        self.slice.options = list(offered)
        self.slice.value = keep or ("lat_lon" if "lat_lon" in offered else offered[0])
        info = self.fields.get(self.variable.value) or {}
        settings = self._level_settings(info.get("vertical"))
        if not (settings["start"] <= self.level.value <= settings["end"]) or (
            self.level.start,
            self.level.end,
        ) != (settings["start"], settings["end"]):
            self.level.param.update(**settings)
        magnetic = self.magnetic()
        self.lat.label = "magnetic latitude" if magnetic else "latitude"
        self.lon.label = "magnetic longitude" if magnetic else "longitude"
        if magnetic:  # no local time, no geographic projection on the magnetic grid
            self.local_time.value = False
            self.projection.value = "global"

    def _changed(self, event: Any) -> None:
        if self._syncing:
            return
        if event.obj in (self.variable, self.difference):
            # a new quantity gets its default map, and the dropdown shows the map drawn
            self._syncing = True
            try:
                self.cmap.value = colours.default_cmap(self.signed())
                if event.obj is self.variable:
                    self._variable_changed()
            finally:
                self._syncing = False
        if event.obj is self.time:
            self.time_label.object = self._time_text(int(self.time.value))
        self._update_visibility()
        self.refresh()

    def _update_visibility(self) -> None:
        kind = self.slice.value
        horizontal = kind in ("lat_lon", "lat_time", "lon_time", "var_time") and self.has_levels()
        magnetic = self.magnetic()
        scalar = (self.fields.get(self.variable.value) or {}).get("horizontal") == "scalar"
        self.vertical.visible = horizontal
        self.level.visible = horizontal and self.vertical.value == "level"
        self.height.visible = horizontal and self.vertical.value == "height"
        self.log_pressure.visible = horizontal and self.vertical.value == "pressure"
        self.lat.visible = kind in ("lev_lon", "lev_time", "lon_time", "var_time") and not scalar
        self.lon.visible = not scalar and (
            kind in ("lev_time", "var_time")
            or (kind in ("lev_lat", "lat_time") and not self.zonal.value)
        )
        self.zonal.visible = kind in ("lev_lat", "lat_time")
        self.local_time.visible = kind == "lat_lon" and not magnetic
        self.projection.visible = kind == "lat_lon" and not self.local_time.value and not magnetic
        self.boundary.visible = self.projection.visible and self.projection.value != "global"
        self.time.visible = kind in ("lat_lon", "lev_lat", "lev_lon")

    def _vertical_kwargs(self) -> dict[str, float]:
        mode = self.vertical.value
        if mode == "height":
            return {"height": float(self.height.value)}
        if mode == "pressure":
            return {"pressure": float(10**self.log_pressure.value)}
        return {"level": float(self.level.value)}

    def _source(self) -> xr.Dataset:
        if self.difference.value and self.control is not None:
            key = ("__difference__",)
            if key not in self._cache:
                self._cache[key] = _gcm.difference(self.ds, self.control)
            return self._cache[key]  # type: ignore[return-value]
        return self.ds

    def parameters(self) -> tuple[Any, ...]:
        """The parameter set that determines the current slice (the cache key)."""
        kind = self.slice.value
        time = self.times[int(self.time.value)]
        v = tuple(sorted(self._vertical_kwargs().items()))
        lat, lon = (
            float(self.lat.value),
            (
                None
                if self.zonal.value and kind in ("lev_lat", "lat_time")
                else float(self.lon.value)
            ),
        )
        return (
            self.variable.value,
            kind,
            str(time),
            v,
            lat,
            lon,
            bool(self.local_time.value),
            bool(self.difference.value),
        )

    def data(self) -> xr.DataArray:
        """The current slice, from the pure functions (cached per parameter set)."""
        key = self.parameters()
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        var, kind, time, vertical, lat, lon, local_time, _ = key
        ds = self._source()
        vkw = dict(vertical) if _gcm.slices.vertical_dim(_gcm.field(ds, var)) else {}
        t = np.datetime64(time)
        if kind == "lat_lon":
            out = _gcm.lat_lon(ds, var, time=t, local_time=local_time or None, **vkw)
        elif kind == "lev_lat":
            out = _gcm.lev_lat(ds, var, time=t, lon=lon)
        elif kind == "lev_lon":
            out = _gcm.lev_lon(ds, var, time=t, lat=lat)
        elif kind == "lev_time":
            out = _gcm.lev_time(ds, var, lat=lat, lon=lon)
        elif kind == "lat_time":
            out = _gcm.lat_time(ds, var, lon=lon, **vkw)
        elif kind == "lon_time":
            out = _gcm.lon_time(ds, var, lat=lat, **vkw)
        else:
            out = _gcm.var_time(ds, var, lat=lat, lon=lon, **vkw)
        out = out.load()
        self._cache[key] = out
        while len(self._cache) > max(config.get().cache.explorer_results, 0):
            self._cache.popitem(last=False)
        return out

    # -- drawing ------------------------------------------------------------------------------
    def _polar_now(self, projection: str | None = None) -> bool:
        """Whether the plot is a polar map (for ``projection``, default the widget's)."""
        projection = self.projection.value if projection is None else projection
        return (
            self.slice.value == "lat_lon"
            and not self.local_time.value
            and projection != "global"
            and not self.magnetic()
        )

    def _layout_key(self, da: xr.DataArray, projection: str | None = None) -> tuple[Any, ...]:
        """What fixes the plot's structure (glyphs, axes, colour mapper type).

        While it is unchanged, a new slice is streamed into the displayed plot (Bokeh keeps its
        figure and receives new data: ~0.1 s); a structure seen before (and still among the
        ``cache.explorer_figures`` kept) is shown again and streamed; otherwise a plot is built.
        """
        polar = self._polar_now(projection)
        return (
            self.slice.value,
            da.dims,
            bool(self.local_time.value),
            polar,  # north and south maps (any boundary) share one structure: streamed
            bool(self.logz.value),
        )

    def _new_pane(self) -> Any:
        import panel as pn

        # axes are not linked across panes: each view keeps its own ranges
        return pn.pane.HoloViews(sizing_mode="stretch_width", min_height=420, linked_axes=False)

    def _build_view(self, key: tuple[Any, ...], element: Any) -> _View:
        """A new plot for the structure ``key`` showing ``element``, hidden unless the first."""
        import holoviews as hv

        pipe = hv.streams.Pipe(data=element)
        streams: list[Any] = [pipe]
        tap = None
        if key[0] == "lat_lon" and not key[2]:
            # a click on a map picks the position of the other slices (a Tap stream is
            # linked to the Bokeh plot only as one of the DynamicMap's own streams)
            tap = hv.streams.Tap(x=None, y=None)
            tap.add_subscriber(self._tapped)
            streams.append(tap)
        dmap = hv.DynamicMap(_identity, streams=streams)
        first = self.plot.object is None
        pane = self.plot if first else self._new_pane()
        # a polar map keeps its square frame; every other plot follows the page's width
        pane.param.update(
            object=dmap, sizing_mode=None if key[3] else "stretch_width", visible=first
        )
        view = _View(pipe, pane, tap)
        self._views[key] = view
        self.figures_built += 1
        if not first:
            self.figures.append(pane)
        return view

    def _show(self, key: tuple[Any, ...], element: Any) -> None:
        """Show ``element`` in the plot built for ``key``: streamed when it exists, else built.

        Only a structure never seen (or evicted) builds a Bokeh figure; a switch between
        structures seen before hides one pane and shows the other, whose plot receives the new
        element through its Pipe (no new Bokeh models).
        """
        import panel as pn

        view = self._views.get(key)
        if view is not None:
            self._views.move_to_end(key)
            view.pipe.send(element)
        else:
            view = self._build_view(key, element)
        if key != self._layout or not view.pane.visible:
            with pn.io.hold():  # one message to the page: hide the old plot, show the new one
                for other in self._views.values():
                    if other is not view and other.pane.visible:
                        other.pane.visible = False
                view.pane.visible = True
                self._evict(keep=key)
        self._layout, self._pipe, self.plot = key, view.pipe, view.pane
        if view.tap is not None:
            self._tap = view.tap

    def prebuild(self, figure: bool = True) -> bool:
        """Build, hidden, the plot the projection menu switches to, so that switch only streams.

        On the lat-lon map the global and polar maps are two plot structures (north and south
        share one): the one not shown is built here, from the current slice. A served page
        calls this once it is loaded (``pn.state.onload``), elsewhere it runs when the explorer
        is built. Nothing happens when ``cache.explorer_figures`` keeps fewer than two plots.

        Args:
            figure: Build the plot; False: only the polar maps' pixel lookups and decorations
                (cached per process), what an inline explorer prepares.

        Returns:
            Whether a plot was built.
        """
        if self.slice.value != "lat_lon" or self.local_time.value or self.magnetic():
            return False
        if int(config.get().cache.explorer_figures) < 2:
            return False
        other = "north polar" if self.projection.value == "global" else "global"
        try:
            da = self.data()
            key = self._layout_key(da, other)
            built = figure and key not in self._views
            if built:
                self._build_view(key, self._figure(da, other))
            # the other hemisphere's pixel lookup and decorations too (cached per process)
            lats = tuple(float(v) for v in da["lat"].values)
            lons = tuple(float(v) for v in da["lon"].values)
            for north in (True, False):
                _polar_lookup(lats, lons, north, float(self.boundary.value), POLAR_PIXELS)
                _polar_elements(north, float(self.boundary.value))
        except (GeospacexrError, ValueError):
            return False
        return built

    def _evict(self, keep: tuple[Any, ...]) -> None:
        """Drop the least recently shown plots beyond ``cache.explorer_figures``."""
        limit = max(int(config.get().cache.explorer_figures), 1)
        while len(self._views) > limit:
            key = next(k for k in self._views if k != keep)
            view = self._views.pop(key)
            if view.pane in self.figures.objects:
                self.figures.remove(view.pane)

    def refresh(self) -> None:
        """Recompute (or fetch) the slice and redraw; errors become a message, not a crash."""
        start = time.perf_counter()
        try:
            da = self.data()
            element = self._figure(da)
            self._show(self._layout_key(da), element)
            self.element = element
            self.message.visible = False
        except (GeospacexrError, ValueError) as exc:
            self.message.object = f"**Cannot draw this slice:** {exc}"
            self.message.visible = True
        self.last_refresh_seconds = time.perf_counter() - start

    def _mean_heights(self, dim: str) -> np.ndarray | None:
        """Global-mean geometric height (km) of each ``lev``/``ilev`` at the current time."""
        index = int(self.time.value)
        key = (dim, index)
        if key not in self._heights:
            try:
                z = _gcm.column_heights(self.ds, dim).isel(time=index)
            except (GeospacexrError, ValueError):
                return None
            self._heights[key] = np.asarray(z.mean(("lat", "lon")).values, dtype=float)
        return self._heights[key]

    def _colour_opts(self, values: np.ndarray) -> dict[str, Any]:
        """cmap, clim and colour-bar formatter of ``values`` (what is drawn, nothing more)."""
        logz = bool(self.logz.value)
        opts: dict[str, Any] = {
            "cmap": self.cmap.value,
            "logz": logz,
            "clim": colours.colour_limits(values, symmetric=self.signed(), log=logz),
        }
        if logz:
            opts["colorbar_opts"] = {"formatter": colours.bokeh_log_formatter()}
        return opts

    def _figure(self, da: xr.DataArray, projection: str | None = None) -> Any:
        import holoviews as hv

        units = da.attrs.get("units", "")
        label = f"{da.name} [{units}]" if units else str(da.name)
        title = _title(da)
        if da.ndim == 1:
            return hv.Curve((da["time"].values, da.values), "time", label).opts(
                responsive=True, min_height=400, title=title, tools=["hover"]
            )
        opts = {
            "colorbar": True,
            "tools": ["hover", "tap"],
            "responsive": True,
            "min_height": 400,
            "title": title,
            "clabel": label,
        }
        if self._polar_now(projection):
            projection = self.projection.value if projection is None else projection
            return self._polar(da, opts, label, north=projection == "north polar")
        xdim = da.dims[-1]
        ydim = da.dims[0]
        values = da.transpose(ydim, xdim).values
        opts.update(self._colour_opts(values))
        # no cell outlines: a QuadMesh draws a faint line around every cell unless told not to
        opts.update(line_alpha=0.0, line_width=0.0)
        xs = da[xdim].values
        if xdim == "lon" and self.slice.value == "lat_lon" and not self.local_time.value:
            from ..plot.common import close_longitudes

            xs, values = close_longitudes(xs, values)
        mesh = hv.QuadMesh((xs, da[ydim].values, values), [_dim(xdim), _dim(ydim)], label)
        if self.slice.value == "lat_lon" and not self.local_time.value:
            mesh = mesh.opts(**opts)
            if xdim == "mlon":  # the geomagnetic grid: a plain mlat-mlon map, no coastlines
                x = np.asarray(da[xdim].values, float)
                return mesh.opts(xlim=(float(x.min()), float(x.max())), ylim=(-90, 90))
            return (mesh * _global_coastline_path()).opts(xlim=(-180, 180), ylim=(-90, 90))
        log = ydim in ("lev", "ilev") and self.ds.attrs.get("model") == "WACCM-X"
        if log:
            opts.update(logy=True, invert_yaxis=True)
        if ydim in ("lev", "ilev") and self.slice.value in ("lev_lat", "lev_lon"):
            heights = self._mean_heights(ydim)
            if heights is not None:
                positions, ticks = _height_ticks(np.asarray(da[ydim].values, float), heights)
                if positions:
                    opts["hooks"] = [_height_axis_hook(positions, ticks, log)]
        return mesh.opts(**opts)

    def _polar(self, da: xr.DataArray, opts: dict[str, Any], label: str, north: bool) -> Any:
        """A polar map filling the panel, centred on the pole.

        The slice is resampled (nearest cell) onto a square grid of precomputed projected
        coordinates; coastlines clipped to the cap, labelled latitude rings and meridians.
        """
        import holoviews as hv

        boundary = float(self.boundary.value)
        lats = tuple(float(v) for v in da["lat"].values)
        lons = tuple(float(v) for v in da["lon"].values)
        look = _polar_lookup(lats, lons, north, boundary, POLAR_PIXELS)
        grid = da.transpose("lat", "lon").values
        values = np.where(look["inside"], grid[look["iy"], look["ix"]], np.nan)
        limit = 1.17 * (90.0 - boundary)  # room for the meridian labels
        opts.update(self._colour_opts(values))
        opts.pop("min_height", None)
        opts.update(  # a square frame (the pane is fixed-size meanwhile): a round cap
            responsive=False,
            frame_width=POLAR_FRAME,
            frame_height=POLAR_FRAME,
            hooks=[_frame_sized, _polar_hover(north)],
            xaxis=None,
            yaxis=None,
            xlim=(-limit, limit),
            ylim=(-limit, limit),
            framewise=True,  # a new boundary, streamed, brings its own axis ranges
        )
        centres = look["centres"]
        # float32: what the colours and the hover need, half the bytes streamed per update
        image = hv.Image((centres, centres, values.astype(np.float32)), ["x", "y"], [label]).opts(
            **opts
        )
        return hv.Overlay([image, *_polar_elements(north, boundary)]).opts(
            xlim=(-limit, limit), ylim=(-limit, limit)
        )

    # -- export -------------------------------------------------------------------------------
    def _png(self) -> io.BytesIO:
        from ..plot import gcm as plot_gcm

        da = self.data()
        kind = self.slice.value
        ds = self._source()
        time = self.times[int(self.time.value)]
        if kind == "lat_lon":
            fig = plot_gcm.plot_lat_lon(
                ds,
                self.variable.value,
                time,
                local_time=bool(self.local_time.value) or None,
                **self._vertical_kwargs(),
            )
        elif kind in ("lev_lat", "lev_lon"):
            extra = (
                {"lon": None if self.zonal.value else float(self.lon.value)}
                if kind == "lev_lat"
                else {"lat": float(self.lat.value)}
            )
            fig = getattr(plot_gcm, f"plot_{kind}")(ds, self.variable.value, time, **extra)
        else:
            from matplotlib.figure import Figure

            fig = Figure(figsize=(8, 4), layout="constrained")
            ax = fig.add_subplot()
            if da.ndim == 1:
                ax.plot(da["time"].values, da.values)
            else:
                ax.pcolormesh(
                    da[da.dims[-1]].values, da[da.dims[0]].values, da.values, shading="nearest"
                )
            ax.set_title(str(da.name))
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        buf.seek(0)
        return buf

    def _netcdf(self) -> io.BytesIO:
        da = self.data()
        data = da.to_dataset(name=str(da.name) or "slice").to_netcdf()
        return io.BytesIO(bytes(data))

    def _tapped(self, x: float | None = None, y: float | None = None) -> None:
        self.tap(x, y)  # type: ignore[arg-type]

    def tap(self, x: float, y: float) -> None:
        """A click on the lat-lon map: pick that longitude/latitude for the other slices.

        Args:
            x: Longitude clicked (map x on a polar map).
            y: Latitude clicked (map y on a polar map).
        """
        if x is None or y is None:
            return
        if (
            self.slice.value == "lat_lon"
            and not self.local_time.value
            and self.projection.value != "global"
        ):  # a click on a polar map: from map coordinates to latitude and longitude
            lat, lon = polar_latlon(x, y, self.projection.value == "north polar")
            x, y = float(lon), float(lat)
        self.lon.value = float(np.clip(x, -180, 180))
        self.lat.value = float(np.clip(y, -90, 90))


def explore(ds: xr.Dataset, control: xr.Dataset | None = None) -> Any:
    """A live explorer of a GCM run (a Panel component; displays inline in Jupyter).

    Args:
        ds: A ``gcm`` Dataset.
        control: Optional control run for difference mode.

    Returns:
        The Panel layout (``GcmExplorer(ds).panel``).
    """
    return GcmExplorer(ds, control).panel
