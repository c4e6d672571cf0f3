"""The ASI explorer: the image, its keogram with a time cursor, and box statistics.

No science here: the keogram comes from :func:`geospacexr.asi.keogram` (computed once), the box
time series from :func:`geospacexr.asi.box_metric`. Clicking the keogram jumps to that time; a box
drawn on the image gives its mean against time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .. import asi as _asi
from .._checks import require
from ..asi.instruments import label_of
from ..errors import GeospacexrError

__all__ = ["AsiExplorer", "explore"]

#: Height of the image's plotting frame, screen pixels (its width follows the image).
_IMAGE_FRAME_PX = 400


class AsiExplorer:
    """Widgets and plots of the ASI explorer; ``.panel`` is the Panel layout.

    Args:
        ds: An ``asi`` Dataset.
        skymap: Optional skymap: elevation contours on the image.
    """

    def __init__(self, ds: xr.Dataset, skymap: xr.Dataset | None = None) -> None:
        import holoviews as hv
        import panel as pn

        if "bokeh" not in hv.Store.renderers:
            hv.extension("bokeh", logo=False)
        require(ds, "asi", ["image"], where="ds.asi.explore")
        self.ds = ds
        self.skymap = skymap
        self.times = ds["time"].values
        self.keogram = _asi.keogram(ds)  # once
        self.box: tuple[int, int, int, int] | None = None
        self.time = pn.widgets.Player(
            label="frame",
            start=0,
            end=len(self.times) - 1,
            value=0,
            interval=200,
            loop_policy="loop",
            width=300,
        )
        self.time_label = pn.pane.Markdown(self._label(0))
        self.contrast = pn.widgets.RangeSlider(
            label="contrast (percentiles)", start=0.0, end=100.0, value=(1.0, 99.5), step=0.5
        )
        self.channel = (
            pn.widgets.Select(
                label="channel", options=list(map(str, ds["channel"].values)), value="g"
            )
            if "channel" in ds.dims
            else None
        )
        self.message = pn.pane.Alert("", alert_type="warning", visible=False)
        self.image_pane = pn.pane.HoloViews(sizing_mode="fixed")
        self.keogram_pane = pn.pane.HoloViews(min_height=300, sizing_mode="stretch_width")
        self.box_pane = pn.pane.HoloViews(min_height=220, sizing_mode="stretch_width")
        self._tap = hv.streams.Tap(x=None, y=None)
        self._tap.add_subscriber(self._keogram_clicked)
        self._bounds = hv.streams.BoundsXY(bounds=None)
        self._bounds.add_subscriber(self._box_drawn)
        self._limits = self._compute_limits()
        for w in (self.time, self.contrast, *([self.channel] if self.channel else [])):
            w.param.watch(self._changed, "value")
        controls = [
            f"## ASI explorer: {label_of(ds.attrs.get('instrument', ''))} "
            f"{ds.attrs.get('site', '')}",
            self.time,
            self.time_label,
            self.contrast,
        ]
        if self.channel:
            controls.append(self.channel)
        self.panel = pn.Row(
            pn.Column(
                *controls,
                "Draw a box on the image (box select) for its mean against time; "
                "click the keogram to jump to a time.",
                width=330,
            ),
            pn.Column(
                self.message,
                pn.Row(self.image_pane, self.keogram_pane, sizing_mode="stretch_width"),
                self.box_pane,
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
        self.keogram_pane.object = self._keogram_plot()
        self.refresh()

    def _label(self, index: int) -> str:
        return f"**{np.datetime_as_string(self.times[index], unit='ms').replace('T', ' ')} UT**"

    def _compute_limits(self) -> tuple[float, float]:
        sample = self.ds["image"].isel(time=slice(None, None, max(1, len(self.times) // 10))).values
        lo, hi = np.percentile(sample, self.contrast.value)
        return float(lo), float(max(hi, lo + 1))

    def _changed(self, event: Any) -> None:
        if event.obj is self.contrast:
            self._limits = self._compute_limits()
            self.keogram_pane.object = self._keogram_plot()
        if event.obj is self.time:
            self.time_label.object = self._label(int(self.time.value))
        self.refresh()

    def frame(self) -> np.ndarray:
        """The current frame as shown (one channel for RGB)."""
        image = self.ds["image"].isel(time=int(self.time.value))
        if self.channel is not None:
            image = image.sel(channel=self.channel.value)
        return np.asarray(image.values, dtype=np.float64)

    def _image_plot(self) -> Any:
        import holoviews as hv

        frame = self.frame()
        h, w = frame.shape
        # hv.Image draws its first row at the top: flip so that y = 0 is at the bottom, as
        # imshow(origin="lower") shows the sky and as the keogram's y axis runs
        img = hv.Image(
            frame[::-1], bounds=(-0.5, -0.5, w - 0.5, h - 0.5), kdims=["x", "y"], vdims=["counts"]
        ).opts(
            cmap="gray",
            clim=self._limits,
            tools=["box_select", "hover"],
            active_tools=["box_select"],
            # fixed frame: square pixels (responsive sizing would stretch the sky)
            frame_height=_IMAGE_FRAME_PX,
            frame_width=round(_IMAGE_FRAME_PX * w / h),
            colorbar=True,
            title=self._label(int(self.time.value)).strip("*"),
        )
        self._bounds.source = img
        layers = img
        if self.skymap is not None:
            elevation = np.nan_to_num(self.skymap["elevation"].values.astype(float), nan=-90.0)
            levels = [10, 30, 60]
            contours = hv.operation.contours(
                hv.Image(elevation[::-1], bounds=(-0.5, -0.5, w - 0.5, h - 0.5)), levels=levels
            )
            layers = layers * contours.opts(hv.opts.Contours(color="orange", line_width=1))
        if self.box is not None:
            x0, x1, y0, y1 = self.box
            # upper bounds are excluded (image[y0:y1, x0:x1]): the last pixel's edge is x1 - 0.5
            edges = (x0 - 0.5, y0 - 0.5, x1 - 0.5, y1 - 0.5)
            layers = layers * hv.Bounds(edges).opts(color="cyan")
        return layers

    def _keogram_plot(self) -> Any:
        import holoviews as hv

        keo = self.keogram
        if "channel" in keo.dims:
            keo = keo.sel(channel=self.channel.value if self.channel else "g")
        mesh = hv.QuadMesh(
            (keo["time"].values, keo["y"].values, keo.values.astype(float)), ["time", "y"], "counts"
        ).opts(
            cmap="gray",
            clim=self._limits,
            tools=["tap"],
            responsive=True,
            min_height=300,
            title="keogram (click to jump)",
        )
        self._tap.source = mesh
        cursor = hv.VLine(self.times[int(self.time.value)]).opts(color="red", line_width=1.5)
        return mesh * cursor

    def refresh(self) -> None:
        """Redraw the image and the keogram cursor; errors become a message."""
        try:
            self.image_pane.object = self._image_plot()
            self.keogram_pane.object = self._keogram_plot()
            self.message.visible = False
        except (GeospacexrError, ValueError) as exc:
            self.message.object = f"**Cannot draw:** {exc}"
            self.message.visible = True

    def _keogram_clicked(self, x: Any = None, y: Any = None) -> None:
        if x is None:
            return
        t = (
            np.datetime64(x, "ns")
            if not isinstance(x, (int, float))
            else np.datetime64(int(x * 1e6), "ns")
        )
        self.time.value = int(np.argmin(np.abs(self.times - t)))

    def _box_drawn(self, bounds: Any = None) -> None:
        if bounds is None:
            return
        x0, y0, x1, y1 = bounds
        self.select_box((round(x0 + 0.5), round(x1 + 0.5), round(y0 + 0.5), round(y1 + 0.5)))

    def select_box(self, ccd: tuple[int, int, int, int]) -> xr.DataArray | None:
        """Select a CCD box ``(x0, x1, y0, y1)`` and show its mean against time.

        Args:
            ccd: Box bounds, columns first, upper bounds excluded (``image[y0:y1, x0:x1]``).

        Returns:
            The box time series, or ``None`` when the box is invalid (a message says why).
        """
        import holoviews as hv

        try:
            series = _asi.box_metric(self.ds, ccd=ccd, metric="mean")
        except (GeospacexrError, ValueError) as exc:
            self.message.object = f"**Box not usable:** {exc}"
            self.message.visible = True
            return None
        self.box = tuple(int(v) for v in ccd)  # type: ignore[assignment]
        if "channel" in series.dims:
            curves = [
                hv.Curve(
                    (series["time"].values, series.sel(channel=c).values),
                    "time",
                    "mean",
                    label=str(c),
                )
                for c in series["channel"].values
            ]
            plot = hv.Overlay(curves)
        else:
            plot = hv.Curve((series["time"].values, series.values), "time", "mean")
        self.box_pane.object = plot.opts(
            title=series.attrs["long_name"], responsive=True, min_height=200
        )
        self.message.visible = False
        self.refresh()
        return series


def explore(ds: xr.Dataset, skymap: xr.Dataset | None = None) -> Any:
    """A live explorer of one imager's frames (a Panel component).

    Args:
        ds: An ``asi`` Dataset.
        skymap: Optional skymap for elevation contours.

    Returns:
        The Panel layout.
    """
    return AsiExplorer(ds, skymap).panel
