"""The ASI explorer: the image, its keogram with a time cursor, and box statistics.

No science here: the keogram comes from :func:`geospacexr.asi.keogram` (computed once), the box
time series from :func:`geospacexr.asi.box_metric`. Clicking the keogram jumps to that time; a box
drawn on the image gives its mean against time. Given a TREx spectrograph, its slit is drawn on
the image (bins coloured by an emission's intensity) and its keogram shown with a cursor at the
frame's time (:mod:`geospacexr.explore.spectrograph`).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import xarray as xr

from .. import asi as _asi
from .._checks import require
from ..asi.instruments import label_of
from ..errors import GeospacexrError
from .spectrograph import Spectrograph, SpectrographView, as_spectrograph
from .streaming import StreamedPlot, bokeh_backend

__all__ = ["AsiExplorer", "explore"]

#: Height of the image's plotting frame, screen pixels (its width follows the image).
_IMAGE_FRAME_PX = 400
#: Elevation contours drawn on the image, degrees.
_ELEVATION_LEVELS = (10, 30, 60)
#: Azimuth of each elevation label, degrees east of north (between the compass arrows).
_LABEL_AZIMUTH = 135.0
#: The compass: its centre (fraction of the image's width and height from the corner the arrows
#: point away from) and the length of its arrows (fraction of the image's height).
_COMPASS_AT, _COMPASS_LENGTH = (0.12, 0.12), 0.08
#: Space kept between the player's controls and the time label below, screen pixels.
_PLAYER_GAP_PX = 12
#: Relative spread of frame intervals under which the keogram is drawn as one raster.
_REGULAR_CADENCE = 0.01


def _toward(skymap: xr.Dataset, azimuth: float, elevation: float) -> tuple[float, float] | None:
    """Image coordinates (x, y) of the sky at ``azimuth``, ``elevation`` (the nearest pixel)."""
    az = np.asarray(skymap["azimuth"].values, dtype=np.float64)
    el = np.asarray(skymap["elevation"].values, dtype=np.float64)
    gap = np.abs((az - azimuth + 180.0) % 360.0 - 180.0)
    cost = np.where(np.isfinite(az) & np.isfinite(el), gap + np.abs(el - elevation), np.inf)
    if not np.isfinite(cost).any():
        return None
    y, x = np.unravel_index(int(np.argmin(cost)), cost.shape)
    return float(x), float(y)


def _bounds_in_words(ccd: tuple[int, int, int, int]) -> str:
    """``(x0, x1, y0, y1)`` (upper bounds excluded) as a phrase for a title."""
    x0, x1, y0, y1 = ccd
    return f"columns {x0} to {x1 - 1}, rows {y0} to {y1 - 1}"


class AsiExplorer:
    """Widgets and plots of the ASI explorer; ``.panel`` is the Panel layout.

    Args:
        ds: An ``asi`` Dataset.
        skymap: Optional skymap: elevation contours on the image.
        spectrograph: Optional TREx spectrograph: calibrated (L1) spectra, their file(s), or
            ``{"l1": ..., "skymap": ...}`` (see
            :func:`geospacexr.explore.spectrograph.as_spectrograph`): its slit on the image
            (with ``skymap`` and the spectrograph's skymap) and its keogram.
        spectrograph_skymap: The spectrograph's skymap (or its file).
    """

    def __init__(
        self,
        ds: xr.Dataset,
        skymap: xr.Dataset | None = None,
        spectrograph: Spectrograph | None = None,
        spectrograph_skymap: xr.Dataset | str | os.PathLike[str] | None = None,
    ) -> None:
        import holoviews as hv
        import panel as pn

        bokeh_backend()  # once; no second copy of the notebook loaders
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
        # the player's loop-mode buttons wrap under its transport buttons: the label keeps a
        # gap below them (it overlapped them at some window sizes)
        self.time_label = pn.pane.Markdown(
            self._label(0), margin=(_PLAYER_GAP_PX, 10, 5, 10), min_height=24
        )
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
        self._bounds = hv.streams.BoundsXY(bounds=None)
        #: The three plots, each redrawn by streaming into its figure (a new frame, a new
        #: contrast or a new box sends data; the figure is built once).
        self.image_view = StreamedPlot(self.image_pane, self._box_stream)
        self.keogram_view = StreamedPlot(self.keogram_pane, self._tap_stream)
        self.box_view = StreamedPlot(self.box_pane)
        self._sky: dict[tuple[int, int], Any] = {}  # the skymap's overlay, drawn once
        self._box_layer: tuple[Any, Any] = ("none yet", None)  # (box, its drawn rectangle)
        self._keogram_mesh: dict[tuple[Any, ...], Any] = {}  # the keogram, per channel/contrast
        self._limits = self._compute_limits()
        self.spectrograph: SpectrographView | None = None
        if spectrograph is not None:
            spectra, spect_sky = as_spectrograph(spectrograph, spectrograph_skymap)
            self.spectrograph = SpectrographView(spectra, spect_sky, skymap, self.jump_to)
        spect_widgets = self.spectrograph.widgets[:3] if self.spectrograph else []
        for w in (
            self.time, self.contrast, *([self.channel] if self.channel else []), *spect_widgets
        ):  # fmt: skip
            w.param.watch(self._changed, "value")
        controls = [
            pn.pane.Markdown(
                f"## ASI explorer: {label_of(ds.attrs.get('instrument', ''))} "
                f"{ds.attrs.get('site', '')}"
            ),
            self.time,
            self.time_label,
            self.contrast,
        ]
        if self.channel:
            controls.append(self.channel)
        if self.spectrograph is not None:
            controls.extend(self.spectrograph.widgets)
        self.panel = pn.Row(
            pn.Column(
                *controls,
                pn.pane.Markdown(
                    "Draw a box on the image (box select) for its mean against time; "
                    "click the keogram to jump to a time."
                ),
                width=330,
            ),
            pn.Column(
                self.message,
                pn.Row(self.image_pane, self.keogram_pane, sizing_mode="stretch_width"),
                *([self.spectrograph.keogram_pane] if self.spectrograph else []),
                self.box_pane,
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
        self.refresh()
        self._box_placeholder()

    def _box_placeholder(self) -> None:
        """The box plot before a box is drawn: its figure (time axis, title) built with the rest.

        The first box then streams into it (building the figure on the first box took 1-2 s).
        """
        import holoviews as hv

        units = self.ds["image"].attrs.get("units", "counts")
        mean = hv.Dimension("mean", label=f"box mean ({units})")
        empty = np.full(len(self.times), np.nan)
        if "channel" in self.ds.dims:
            plot: Any = hv.Overlay(
                [
                    hv.Curve((self.times, empty), "time", mean, label=str(c)).opts(framewise=True)
                    for c in self.ds["channel"].values
                ]
            )
        else:
            plot = hv.Curve((self.times, empty), "time", mean).opts(framewise=True)
        self.box_view.show(
            plot.opts(
                title="Draw a box on the image (box select): its mean brightness against time",
                xlabel="time (UT)",
                responsive=True,
                min_height=200,
            ),
            key=self.ds.sizes.get("channel"),
        )

    def _tap_stream(self) -> list[Any]:
        """A click stream for a new keogram figure (a stream serves one plot)."""
        import holoviews as hv

        self._tap = hv.streams.Tap(x=None, y=None)
        self._tap.add_subscriber(self._keogram_clicked)
        return [self._tap]

    def _box_stream(self) -> list[Any]:
        """A box-select stream for a new image figure."""
        import holoviews as hv

        self._bounds = hv.streams.BoundsXY(bounds=None)
        self._bounds.add_subscriber(self._box_drawn)
        return [self._bounds]

    def _label(self, index: int) -> str:
        return f"**{np.datetime_as_string(self.times[index], unit='ms').replace('T', ' ')} UT**"

    def _compute_limits(self) -> tuple[float, float]:
        sample = self.ds["image"].isel(time=slice(None, None, max(1, len(self.times) // 10))).values
        lo, hi = np.percentile(sample, self.contrast.value)
        return float(lo), float(max(hi, lo + 1))

    def _changed(self, event: Any) -> None:
        if event.obj is self.contrast:
            self._limits = self._compute_limits()
        if event.obj is self.time:
            self.time_label.object = self._label(int(self.time.value))
        self.refresh()

    def frame(self) -> np.ndarray:
        """The current frame as shown (one channel for RGB)."""
        image = self.ds["image"].isel(time=int(self.time.value))
        if self.channel is not None:
            image = image.sel(channel=self.channel.value)
        return np.asarray(image.values, dtype=np.float64)

    def _shown(self, values: np.ndarray) -> np.ndarray:
        """``values`` in the lightest dtype that draws them exactly, for the page.

        The camera's integer counts as the file has them (uint16: a quarter of float64's bytes),
        otherwise float32 (ample for a calibrated brightness): what is sent per frame, and what
        a notebook stores of the first one.
        """
        raw = self.ds["image"].dtype
        if raw.kind in "iu" and raw.itemsize <= 2 and np.array_equal(values, np.round(values)):
            return values.astype(raw)
        return values.astype(np.float32)

    def _image_plot(self) -> tuple[Any, Any]:
        """The frame (changes) and the layers over it (skymap, box: fixed while drawn)."""
        import holoviews as hv

        frame = self.frame()
        h, w = frame.shape
        # hv.Image draws its first row at the top: flip so that y = 0 is at the bottom, as
        # imshow(origin="lower") shows the sky and as the keogram's y axis runs
        img = hv.Image(
            self._shown(frame[::-1]),
            bounds=(-0.5, -0.5, w - 0.5, h - 0.5),
            kdims=["x", "y"],
            vdims=["counts"],
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
        # the box is always a layer (empty before one is drawn): drawing the first box streams
        # into the figure instead of building a new one
        if self._box_layer[0] != self.box:
            edges = []
            if self.box is not None:
                x0, x1, y0, y1 = self.box
                # upper bounds are excluded (image[y0:y1, x0:x1]): the last edge is x1 - 0.5
                edges = [(x0 - 0.5, y0 - 0.5, x1 - 0.5, y1 - 0.5)]
            self._box_layer = (
                self.box,
                hv.Rectangles(edges, ["x", "y", "x1", "y1"]).opts(
                    fill_alpha=0.0, line_color="cyan", line_width=2
                ),
            )
        img = img * self._box_layer[1]
        if self.spectrograph is not None:
            img = img * self.spectrograph.slit_layer(self.times[int(self.time.value)])
        if self.skymap is None:
            return img, None
        if (w, h) not in self._sky:  # drawn once, not sent again with each frame
            self._sky[(w, h)] = self._sky_overlay(w, h)
        return img, self._sky[(w, h)]

    def _sky_overlay(self, w: int, h: int) -> Any:
        """Elevation contours with their labels, and a compass (N and E arrows)."""
        import holoviews as hv

        sky = self.skymap
        elevation = np.nan_to_num(sky["elevation"].values.astype(float), nan=-90.0)
        contours = hv.operation.contours(
            hv.Image(elevation[::-1], bounds=(-0.5, -0.5, w - 0.5, h - 0.5)),
            levels=list(_ELEVATION_LEVELS),
        ).opts(hv.opts.Contours(color="orange", line_width=1))
        labels = []
        for level in _ELEVATION_LEVELS:
            at = _toward(sky, _LABEL_AZIMUTH, float(level))
            if at is not None:
                labels.append((*at, f"{level}°"))
        overlay = contours * hv.Labels(labels, ["x", "y"], "elevation").opts(
            text_color="orange", text_font_size="9pt", text_align="center"
        )
        # the compass: unit vectors from the zenith toward north and east, drawn in a corner
        zenith = _toward(sky, 0.0, 90.0)
        ends = {k: _toward(sky, az, 45.0) for k, az in (("N", 0.0), ("E", 90.0))}
        if zenith is None or any(v is None for v in ends.values()):
            return overlay
        units = {}
        for letter, (ex, ey) in ends.items():  # type: ignore[misc]
            dx, dy = ex - zenith[0], ey - zenith[1]
            norm = float(np.hypot(dx, dy)) or 1.0
            units[letter] = (dx / norm, dy / norm)
        # in the corner the arrows point away from: they stay inside the frame
        sx = sum(u[0] for u in units.values())
        sy = sum(u[1] for u in units.values())
        cx = (_COMPASS_AT[0] if sx >= 0 else 1.0 - _COMPASS_AT[0]) * w
        cy = (_COMPASS_AT[1] if sy >= 0 else 1.0 - _COMPASS_AT[1]) * h
        length = _COMPASS_LENGTH * h
        segments, letters = [], []
        for letter, (ux, uy) in units.items():
            segments.append((cx, cy, cx + length * ux, cy + length * uy))
            letters.append((cx + 1.4 * length * ux, cy + 1.4 * length * uy, letter))
        compass = hv.Segments(segments, ["x", "y", "x1", "y1"]).opts(
            color="yellow", line_width=2
        ) * hv.Labels(letters, ["x", "y"], "direction").opts(
            text_color="yellow", text_font_size="10pt", text_align="center",
            text_baseline="middle",
        )  # fmt: skip
        return overlay * compass

    def _keogram_plot(self) -> Any:
        import holoviews as hv

        channel = self.channel.value if self.channel else "g"
        key = (channel, self._limits)
        if key not in self._keogram_mesh:  # one element per contrast: a new frame sends none
            self._keogram_mesh = {key: self._keogram_raster(channel)}
        cursor = hv.VLine(self.times[int(self.time.value)]).opts(color="red", line_width=1.5)
        return self._keogram_mesh[key] * cursor

    def keogram_element(self) -> Any:
        """The keogram as drawn now (the channel and contrast shown), without its cursor."""
        channel = self.channel.value if self.channel else "g"
        return self._keogram_raster(channel)

    def _keogram_raster(self, channel: str) -> Any:
        import holoviews as hv

        keo = self.keogram
        if "channel" in keo.dims:
            keo = keo.sel(channel=channel)
        times = keo["time"].values
        steps = np.diff(times).astype(np.float64)
        units = keo.attrs.get("units", "counts")
        data = (times, keo["y"].values, keo.values.astype(np.float32))
        vdim = hv.Dimension("brightness", label=f"brightness ({units})")
        options = dict(
            cmap="gray",
            clim=self._limits,
            tools=["tap", "hover"],
            responsive=True,
            min_height=300,
            title="keogram (click to jump)",
            xlabel="time (UT)",
            ylabel="y (CCD row)",
        )
        # a regular cadence is one raster (a mesh of quads shows seams: a checkerboard); gaps
        # in the frames need the mesh to place each column at its time
        if steps.size and np.ptp(steps) <= _REGULAR_CADENCE * steps.mean():
            mesh = hv.Image(data, ["time", "y"], vdim).opts(**options)
        else:
            mesh = hv.QuadMesh(data, ["time", "y"], vdim).opts(line_alpha=0, **options)
        return mesh

    def refresh(self) -> None:
        """Redraw the image and the keogram cursor; errors become a message."""
        try:
            image, layers = self._image_plot()
            spect_key = tuple(self.spectrograph.scale.value) if self.spectrograph else None
            self.image_view.show(
                image,
                key=(self.ds.sizes["y"], self.ds.sizes["x"], spect_key),
                static=layers,
            )
            self.keogram_view.show(self._keogram_plot())
            if self.spectrograph is not None:
                self.spectrograph.show(self.times[int(self.time.value)])
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
        self.jump_to(t)

    def jump_to(self, time: Any) -> None:
        """Show the frame nearest ``time`` (a click on either keogram)."""
        t = np.datetime64(time, "ns")
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
        units = series.attrs.get("units", self.ds["image"].attrs.get("units", "counts"))
        mean = hv.Dimension("mean", label=f"box mean ({units})")
        if "channel" in series.dims:
            curves = [
                hv.Curve(
                    (series["time"].values, series.sel(channel=c).values),
                    "time",
                    mean,
                    label=str(c),
                ).opts(framewise=True)  # each box has its own range of brightness
                for c in series["channel"].values
            ]
            plot = hv.Overlay(curves)
        else:
            plot = hv.Curve((series["time"].values, series.values), "time", mean).opts(
                framewise=True
            )
        self.box_view.show(
            plot.opts(
                title=f"Mean brightness in the box of CCD {_bounds_in_words(self.box)}",
                xlabel="time (UT)",
                responsive=True,
                min_height=200,
            ),
            key=series.sizes.get("channel"),
        )
        self.message.visible = False
        self.refresh()
        return series


def explore(
    ds: xr.Dataset,
    skymap: xr.Dataset | None = None,
    spectrograph: Spectrograph | None = None,
    spectrograph_skymap: xr.Dataset | str | os.PathLike[str] | None = None,
) -> Any:
    """A live explorer of one imager's frames (a Panel component).

    Args:
        ds: An ``asi`` Dataset.
        skymap: Optional skymap for elevation contours.
        spectrograph: Optional TREx spectrograph (L1 spectra, their files, or
            ``{"l1": ..., "skymap": ...}``): its slit on the image, coloured by an emission's
            intensity at the frame's time, and its keogram with a cursor at that time.
        spectrograph_skymap: The spectrograph's skymap (or its file), for the slit.

    Returns:
        The Panel layout.
    """
    return AsiExplorer(ds, skymap, spectrograph, spectrograph_skymap).panel
