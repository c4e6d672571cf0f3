"""The mosaic explorer: several imagers on one map, live.

No science here: each change calls :func:`geospacexr.asi.mosaic`, whose pixel-to-grid mapping is
computed once per set of sites, altitude and elevation cutoff and then cached, so moving the time
is one sparse product per frame. Coastlines come from the files shipped in the package (web map
tiles are unreachable offline).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .. import asi as _asi
from .. import config
from ..asi.instruments import colour_of, hex_colour
from ..errors import GeospacexrError, InvalidArgumentError
from ..resources import coastlines
from .streaming import StreamedPlot, bokeh_backend

__all__ = ["MosaicExplorer", "explore_mosaic"]

#: Grid cells of margin around the covered cells in the initial view.
_PAD_CELLS = 5
#: Colour of the cells no site sees (the plot background): dark, like the night sky around it.
_NO_DATA_COLOUR = "#1e2430"
#: Site labels sit this fraction of the view's latitude span above their marker.
_LABEL_OFFSET = 0.015
#: Names of the image quantities in the colour bar title, by the images' long name.
_QUANTITY = {"raw image": "raw brightness", "calibrated image": "brightness"}


class MosaicExplorer:
    """Widgets and map of the mosaic explorer; ``.panel`` is the Panel layout.

    Args:
        images: ``asi`` Datasets, one per site.
        skymaps: Their skymaps, in the same order.
        footprint: Optional satellite footprint track: a Dataset with ``lat`` and ``lon`` along
            ``time`` (drawn, with the point nearest the frame's time marked).
    """

    def __init__(
        self,
        images: list[xr.Dataset],
        skymaps: list[xr.Dataset],
        footprint: xr.Dataset | None = None,
    ) -> None:
        import panel as pn

        bokeh_backend()  # once; no second copy of the notebook loaders
        if not images or len(images) != len(skymaps):
            raise InvalidArgumentError("give one skymap per image set")
        self.images, self.skymaps, self.footprint = images, skymaps, footprint
        self.names = [str(ds.attrs.get("site", f"site{i}")) for i, ds in enumerate(images)]
        self.times = images[0]["time"].values
        source = images[0]["image"].attrs
        name = str(source.get("long_name", "brightness"))
        #: The colour bar's title: the quantity and its unit.
        self.quantity = f"{_QUANTITY.get(name, name)} ({source.get('units', 'counts')})"
        altitudes = sorted({float(a) for s in skymaps for a in s["altitude"].values})
        self.time = pn.widgets.Player(
            label="frame",
            start=0,
            end=len(self.times) - 1,
            value=0,
            interval=300,
            loop_policy="loop",
            width=300,
        )
        self.time_label = pn.pane.Markdown(self._label(0))
        self.altitude = pn.widgets.FloatSlider(
            label="altitude (km)",
            start=altitudes[0],
            end=altitudes[-1],
            value=float(config.get().asi.altitude_km),
            step=5.0,
        )
        self.min_elevation = pn.widgets.FloatSlider(
            label="minimum elevation (deg)",
            start=0.0,
            end=40.0,
            value=float(config.get().asi.min_elevation),
            step=1.0,
        )
        self.sites = pn.widgets.CheckBoxGroup(
            label="sites", options=self.names, value=list(self.names), inline=False
        )
        self.message = pn.pane.Alert("", alert_type="warning", visible=False)
        # not linked to the other tabs' plots (the GCM map also has lon/lat axes: linked, it
        # would open this map on the whole globe)
        self.plot = pn.pane.HoloViews(
            min_height=500, sizing_mode="stretch_width", linked_axes=False
        )
        #: The map, redrawn by streaming into one Bokeh figure (built once).
        self.view = StreamedPlot(self.plot)
        self._coast: dict[tuple[float, ...], Any] = {}  # coastlines of a view, drawn once
        for w in (self.time, self.altitude, self.min_elevation, self.sites):
            w.param.watch(self._changed, "value")
        self.panel = pn.Row(
            pn.Column(
                pn.pane.Markdown("## Mosaic explorer"),
                self.time,
                self.time_label,
                self.altitude,
                self.min_elevation,
                pn.pane.Markdown("sites"),
                self.sites,
                width=330,
            ),
            pn.Column(self.message, self.plot, sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        )
        self.refresh()

    def _label(self, index: int) -> str:
        return f"**{np.datetime_as_string(self.times[index], unit='s').replace('T', ' ')} UT**"

    def _changed(self, event: Any) -> None:
        if event.obj is self.time:
            self.time_label.object = self._label(int(self.time.value))
        self.refresh()

    def data(self) -> xr.Dataset:
        """The current frame's mosaic (from :func:`geospacexr.asi.mosaic`)."""
        chosen = [i for i, name in enumerate(self.names) if name in self.sites.value]
        if not chosen:
            raise InvalidArgumentError("no site selected")
        return _asi.mosaic(
            [self.images[i] for i in chosen],
            [self.skymaps[i] for i in chosen],
            altitude_km=float(self.altitude.value),
            min_elevation=float(self.min_elevation.value),
            time=self.times[int(self.time.value)],
        )

    def refresh(self) -> None:
        """Recompute the frame (cached mapping) and redraw; errors become a message."""
        import holoviews as hv

        try:
            m = self.data()
        except (GeospacexrError, ValueError) as exc:
            self.message.object = f"**Cannot draw the mosaic:** {exc}"
            self.message.visible = True
            return
        frame = m["image"].isel(time=0)
        covered = np.isfinite(frame.values)
        rows, cols = np.flatnonzero(covered.any(axis=1)), np.flatnonzero(covered.any(axis=0))
        if rows.size == 0:
            self.message.object = "**No cell is covered** at this elevation cutoff."
            self.message.visible = True
            return
        pad = _PAD_CELLS
        sub = frame.isel(
            lat=slice(max(rows[0] - pad, 0), rows[-1] + pad + 1),
            lon=slice(max(cols[0] - pad, 0), cols[-1] + pad + 1),
        )
        finite = sub.values[np.isfinite(sub.values)]
        lo, hi = np.percentile(finite, [1, 99.5])
        lon, lat = sub["lon"].values, sub["lat"].values
        half_lon, half_lat = 0.5 * abs(lon[1] - lon[0]), 0.5 * abs(lat[1] - lat[0])
        lon0, lon1 = float(lon.min() - half_lon), float(lon.max() + half_lon)
        lat0, lat1 = float(lat.min() - half_lat), float(lat.max() + half_lat)
        # one raster (the grid is regular): no cell outlines nor seams between cells; cells no
        # site sees are transparent over the dark "no data" background
        image = hv.Image(
            (lon, lat, sub.values.astype(np.float32)),  # float32: half the bytes per frame
            ["lon", "lat"],
            hv.Dimension("brightness", label=self.quantity),
        ).opts(
            cmap="gray",
            clim=(float(lo), float(max(hi, lo + 1))),
            colorbar=True,
            clabel=self.quantity,
            bgcolor=_NO_DATA_COLOUR,
            responsive=True,
            min_height=480,
            tools=["hover"],
            framewise=True,  # a new cutoff or set of sites, streamed, brings its own view
            xlabel="longitude (deg)",
            ylabel="latitude (deg)",
            title=f"{m.attrs['altitude_km']:g} km, {self._label(int(self.time.value)).strip('*')}",
        )
        layers = image * self._coastlines(lon0, lon1, lat0, lat1)
        # site markers in their instrument's colour (the instrument table's), named
        shown = [
            (ds, name)
            for ds, name in zip(self.images, self.names, strict=True)
            if name in self.sites.value
        ]
        markers = [
            (
                float(ds.attrs["site_lon"]),
                float(ds.attrs["site_lat"]),
                hex_colour(colour_of(str(ds.attrs.get("instrument", "")))),
            )
            for ds, _ in shown
        ]
        layers = layers * hv.Points(markers, ["lon", "lat"], vdims=["colour"]).opts(
            color=hv.dim("colour"), size=9, marker="triangle", line_color="white"
        )
        offset = _LABEL_OFFSET * (lat1 - lat0)
        layers = layers * hv.Labels(
            [
                (lon_, lat_ + offset, name)
                for (lon_, lat_, _), (_, name) in zip(markers, shown, strict=True)
            ],
            ["lon", "lat"],
            "site",
        ).opts(text_color="white", text_font_size="10pt", text_baseline="bottom")
        if self.footprint is not None:
            track = self.footprint
            layers = layers * hv.Path(
                [np.column_stack([track["lon"].values, track["lat"].values])], ["lon", "lat"]
            ).opts(color="cyan", line_width=1.5)
            k = int(np.argmin(np.abs(track["time"].values - self.times[int(self.time.value)])))
            layers = layers * hv.Points(
                [(float(track["lon"].values[k]), float(track["lat"].values[k]))], ["lon", "lat"]
            ).opts(color="cyan", size=10)
        layers = layers.opts(xlim=(lon0, lon1), ylim=(lat0, lat1))
        self.view.show(layers, key=self.footprint is not None)
        self.message.visible = False

    def _coastlines(self, lon0: float, lon1: float, lat0: float, lat1: float) -> Any:
        """The coastlines crossing the view as one line (a cached element per view)."""
        import holoviews as hv

        key = (lon0, lon1, lat0, lat1)
        if key not in self._coast:
            lines = [
                line
                for line in coastlines()
                if (
                    line[:, 0].max() > lon0
                    and line[:, 0].min() < lon1
                    and line[:, 1].max() > lat0
                    and line[:, 1].min() < lat1
                )
            ]
            gap = np.full((1, 2), np.nan)
            xy = (
                np.concatenate([part for line in lines for part in (line, gap)][:-1])
                if lines
                else np.empty((0, 2))
            )
            # one Curve (NaN-separated), not a Path: HoloViews re-splits a Path on every frame
            xy = xy.astype(np.float32)  # about 1 m: half the bytes a page or notebook carries
            self._coast = {
                key: hv.Curve((xy[:, 0], xy[:, 1]), "lon", "lat").opts(
                    color="orange", line_width=0.8, tools=[]
                )
            }
        return self._coast[key]


def explore_mosaic(
    images: list[xr.Dataset], skymaps: list[xr.Dataset], footprint: xr.Dataset | None = None
) -> Any:
    """A live mosaic of several imagers (a Panel component).

    Args:
        images: ``asi`` Datasets, one per site.
        skymaps: Their skymaps.
        footprint: Optional satellite footprint (``lat``/``lon`` along ``time``).

    Returns:
        The Panel layout.
    """
    return MosaicExplorer(images, skymaps, footprint).panel
