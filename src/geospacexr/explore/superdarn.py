"""The SuperDARN explorer: a scan slider with the fan plot, beam and parameter pickers with the RTI.

No science here: the fan is :func:`geospacexr.superdarn.scan_fan` of the scan on the slider, the
RTI is :func:`geospacexr.superdarn.rti` of the picked beam and parameter, and the colours are
those of the static figures (:func:`geospacexr.plot.superdarn.rti_style`). Clicking the RTI moves
the slider to the scan at that time. The fan is one Bokeh figure built once (its cells are
patches on one data source: a new scan sends only the cells' values, about 0.1 s server-side,
where a HoloViews mesh of the irregular cells took 0.35 s); the RTI is a HoloViews raster
streamed into its figure (:class:`~geospacexr.explore.streaming.StreamedPlot`) with the scan
cursor on a stream of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .. import superdarn as _sd
from .._checks import require
from ..errors import GeospacexrError
from .streaming import StreamedPlot, bokeh_backend

__all__ = ["SuperdarnExplorer", "explorable", "explore"]

#: Height of the fan's plotting frame, screen pixels (its width follows the field of view).
_FAN_FRAME_PX = 420
#: Widest fan frame, screen pixels (a field of view spanning many degrees of longitude).
_FAN_MAX_WIDTH_PX = 700
#: Ground scatter's colour: the static figures' grey (matplotlib's "0.55").
_GROUND_GREY = "#8c8c8c"
#: Relative spread of a beam's record intervals under which the RTI is drawn as one raster.
_REGULAR_CADENCE = 0.01
#: The ground-scatter choices of the picker: the RTI's (:data:`superdarn.rti.GROUND_SCATTER`),
#: and what each means for the fan (:func:`superdarn.scan_fan`'s ``ground_scatter``).
_FAN_GROUND_SCATTER = {"grey": "keep", "colour": "keep", "hide": "remove", "only": "only"}
#: Per-gate variables that are flags or counts, not parameters to colour (left out of the picker).
_NOT_PARAMETERS = ("gflg", "qflg", "x_gflg", "x_qflg", "nlag")
#: The coordinates picker: label -> :func:`superdarn.scan_fan`'s ``coords``.
_COORDINATES = {"geographic": "geographic", "AACGM-v2 magnetic": "aacgm"}
#: Colour of the coastlines under the fan (the static fan plot's "0.45" grey).
_COAST_GREY = "#737373"


def explorable(ds: xr.Dataset) -> bool:
    """Whether a Dataset is a radar file the explorer shows (fitacf-like: beams, scans, gates).

    Args:
        ds: Any Dataset.

    Returns:
        True for a ``superdarn`` Dataset with ``bmnum``, ``scan`` and per-gate parameters.
    """
    if ds.attrs.get("geospacexr_kind") != "superdarn":
        return False
    if not {"bmnum", "scan"} <= set(ds.variables) or "range_gate" not in ds.dims:
        return False
    return bool(_parameters(ds))


def _parameters(ds: xr.Dataset) -> list[str]:
    return [p for p in _sd.rti_parameters(ds) if p not in _NOT_PARAMETERS]


def _radar_name(ds: xr.Dataset) -> str:
    """The radar's name (hardware registry, from the station id), else what the attrs say."""
    from ..errors import UnknownNameError

    station = ds.attrs.get("station_id")
    if station is not None:
        try:
            return f"{_sd.radar(station).name} (station {station})"
        except (UnknownNameError, ValueError):
            return f"station {station}"
    return str(ds.attrs.get("radar_name") or ds.attrs.get("radar") or "")


def _unwrap(lon: np.ndarray, centre: float) -> np.ndarray:
    """Longitudes within 180° of ``centre`` (a fan crossing 180° stays in one piece)."""
    return (np.asarray(lon, dtype=np.float64) - centre + 180.0) % 360.0 - 180.0 + centre


def _coast_xy(lines: list[np.ndarray], centre: float) -> tuple[np.ndarray, np.ndarray]:
    """Coastlines as one NaN-separated line, longitudes within 180° of ``centre``.

    A line is cut where its unwrapped longitude jumps (it crossed ``centre + 180°``).
    """
    xs, ys = [], []
    for line in lines:
        x = _unwrap(line[:, 0], centre)
        y = np.asarray(line[:, 1], dtype=np.float64)
        jumps = np.flatnonzero(np.abs(np.diff(x)) > 180.0) + 1
        x = np.insert(x, jumps, np.nan)
        y = np.insert(y, jumps, np.nan)
        xs += [x, [np.nan]]
        ys += [y, [np.nan]]
    if not xs:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(xs[:-1]), np.concatenate(ys[:-1])


def _stamp(t: Any) -> str:
    return str(np.datetime_as_string(np.datetime64(t, "ms"), unit="s")).replace("T", " ")


class SuperdarnExplorer:
    """Widgets and plots of the SuperDARN explorer; ``.panel`` is the Panel layout.

    Args:
        ds: A ``superdarn`` Dataset of a fitacf (or snd) file: one radar's records.
        parameter: The per-gate parameter shown first (``v``, ``p_l``, ``w_l``, ``elv``...).
        beam: The RTI's beam first shown (default: the beam with the most records).
        ground_scatter: ``"grey"`` (drawn grey, the SuperDARN convention), ``"colour"``,
            ``"hide"`` or ``"only"``.
        coordinates: The fan's coordinates: ``"geographic"`` or ``"aacgm"`` (AACGM-v2 magnetic
            latitude and longitude, as ``plot_fan(coords="aacgm")`` draws them).

    Attributes:
        scan: The scan slider (scan number, 0-based).
        parameter: The parameter picker.
        beam: The beam picker.
        ground_scatter: The ground-scatter picker.
        coordinates: The coordinates picker (value ``"geographic"`` or ``"aacgm"``).
        fan: The fan Dataset shown now (:func:`geospacexr.superdarn.scan_fan`).
        rti: The RTI DataArray shown now (:func:`geospacexr.superdarn.rti`).
        rti_element: Its HoloViews overlay (raster and ground scatter; the cursor apart).

    Raises:
        MissingVariableError: If the Dataset lacks ``bmnum``, ``scan`` or the parameter.
        InvalidArgumentError: If it has no per-gate parameter, or ``parameter``, ``beam``,
            ``ground_scatter`` or ``coordinates`` is not one it offers.
    """

    def __init__(
        self,
        ds: xr.Dataset,
        parameter: str = "v",
        beam: int | None = None,
        ground_scatter: str = "grey",
        coordinates: str = "geographic",
    ) -> None:
        import holoviews as hv
        import panel as pn

        from ..errors import InvalidArgumentError

        bokeh_backend()  # once; no second copy of the notebook loaders
        require(ds, "superdarn", ["bmnum", "scan"], where="ds.superdarn.explore")
        parameters = _parameters(ds)
        if not parameters:
            raise InvalidArgumentError("this Dataset has no per-gate parameter to show", "ds")
        if parameter not in parameters:
            raise InvalidArgumentError(
                f"{parameter!r} is not one of the per-gate parameters ({', '.join(parameters)})",
                "parameter",
            )
        if ground_scatter not in _FAN_GROUND_SCATTER:
            raise InvalidArgumentError(
                f"must be one of {', '.join(_FAN_GROUND_SCATTER)}, not {ground_scatter!r}",
                "ground_scatter",
            )
        if coordinates not in _COORDINATES.values():
            raise InvalidArgumentError(
                f"must be one of {', '.join(_COORDINATES.values())}, not {coordinates!r}",
                "coordinates",
            )
        self.ds = ds
        bmnum = np.asarray(ds["bmnum"].values, dtype=np.float64)
        beams, counts = np.unique(bmnum[np.isfinite(bmnum)].astype(np.int64), return_counts=True)
        if beam is None:
            beam = int(beams[np.argmax(counts)]) if beams.size else 0
        if int(beam) not in beams:
            raise InvalidArgumentError(
                f"no record on beam {beam} (beams: {', '.join(map(str, beams))})", "beam"
            )
        self.times = ds["time"].values
        self.scan_of_record = _sd.scan_index(ds).values
        n_scans = int(self.scan_of_record.max()) + 1 if self.scan_of_record.size else 0
        starts = np.full(n_scans, np.datetime64("NaT"), dtype=self.times.dtype)
        firsts = np.unique(self.scan_of_record, return_index=True)[1]
        starts[self.scan_of_record[firsts]] = self.times[firsts]
        #: Start time of every scan.
        self.scan_starts = starts
        self._limits: dict[str, tuple[str, float, float]] = {}
        self._fans: dict[tuple[int, str, str, str], xr.Dataset] = {}
        self._coasts: dict[tuple[str, str, bool], list[np.ndarray]] = {}
        self._rtis: dict[tuple[str, int, str], Any] = {}
        self.fan: xr.Dataset | None = None
        self.rti: xr.DataArray | None = None
        self.rti_element: Any = None

        self.scan = pn.widgets.IntSlider(
            label="scan", start=0, end=max(n_scans - 1, 0), value=0, width=300
        )
        self.scan_label = pn.pane.Markdown(self._label(0), min_height=24)
        self.parameter = pn.widgets.Select(label="parameter", options=parameters, value=parameter)
        self.beam = pn.widgets.Select(
            label="RTI beam", options=[int(b) for b in beams], value=int(beam)
        )
        self.ground_scatter = pn.widgets.Select(
            label="ground scatter", options=list(_FAN_GROUND_SCATTER), value=ground_scatter
        )
        self.coordinates = pn.widgets.Select(
            label="fan coordinates", options=dict(_COORDINATES), value=coordinates
        )
        self.message = pn.pane.Alert("", alert_type="warning", visible=False)
        self._fan_figure_ = self._fan_figure()
        self.fan_pane = pn.pane.Bokeh(self._fan_figure_, sizing_mode="fixed")
        self.rti_pane = pn.pane.HoloViews(min_height=320, sizing_mode="stretch_width")
        self._tap = hv.streams.Tap(x=None, y=None)
        self.rti_view = StreamedPlot(self.rti_pane, self._tap_stream)
        self.scan.param.watch(self._scan_moved, "value")
        for w in (self.parameter, self.beam, self.ground_scatter, self.coordinates):
            w.param.watch(lambda _event: self.refresh(), "value")
        radar = _radar_name(ds)
        self.panel = pn.Row(
            pn.Column(
                f"## SuperDARN explorer: {radar}".rstrip(": "),
                self.scan,
                self.scan_label,
                self.parameter,
                self.beam,
                self.ground_scatter,
                self.coordinates,
                "Move the scan slider for the fan of a scan; click the RTI to jump to the scan "
                "at that time.",
                width=330,
            ),
            pn.Column(
                self.message,
                self.fan_pane,
                self.rti_pane,  # below the fan: the whole width for the hours of records
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
        self.refresh()

    # -- helpers -------------------------------------------------------------------------

    def _tap_stream(self) -> list[Any]:
        """A click stream for a new RTI figure (a stream serves one plot)."""
        import holoviews as hv

        self._tap = hv.streams.Tap(x=None, y=None)
        self._tap.add_subscriber(self._rti_clicked)
        return [self._tap]

    def _label(self, index: int) -> str:
        if not self.scan_starts.size:
            return ""
        return f"**scan {index}: {_stamp(self.scan_starts[index])} UT**"

    def _colours(self, parameter: str) -> tuple[str, float, float]:
        """``(cmap, low, high)`` of a parameter: the static RTI's, else from all its values."""
        if parameter not in self._limits:
            from ..plot.colours import is_signed
            from ..plot.common import colour_scale
            from ..plot.superdarn import rti_style

            var = self.ds[parameter]
            style = rti_style(parameter, dict(var.attrs))
            if style.limits is not None:
                self._limits[parameter] = (style.cmap, *style.limits)
            else:
                name, lo, hi = colour_scale(
                    np.asarray(var.values), is_signed(parameter, dict(var.attrs)), style.cmap
                )
                self._limits[parameter] = (name, lo, hi if hi > lo else lo + 1.0)
        return self._limits[parameter]

    def _quantity(self, parameter: str) -> str:
        """The colour bar's label: quantity (unit)."""
        from ..plot.superdarn import rti_style

        attrs = dict(self.ds[parameter].attrs)
        label = rti_style(parameter, attrs).label
        units = attrs.get("units", "")
        return f"{label} ({units})" if units and units != "1" else label

    def _lean(self, parameter: str) -> xr.Dataset:
        """The Dataset with only the per-gate variables a fan needs.

        Gate filtering copies every per-gate variable of the scan: five times slower with all
        forty of a fitacf file.
        """
        keep = [
            name
            for name, var in self.ds.data_vars.items()
            if ("range_gate" not in var.dims and len(var.dims) <= 1) or name in (parameter, "gflg")
        ]
        return self.ds[keep]

    # -- what is shown -------------------------------------------------------------------

    def scan_fan(self) -> xr.Dataset:
        """The fan of the scan on the slider (cached per scan and picker values)."""
        key = (
            int(self.scan.value), self.parameter.value, self.ground_scatter.value,
            self.coordinates.value,
        )  # fmt: skip
        if key not in self._fans:
            if len(self._fans) > 256:
                self._fans.clear()
            self._fans[key] = _sd.scan_fan(
                self._lean(key[1]),
                key[1],
                index=key[0],
                ground_scatter=_FAN_GROUND_SCATTER[key[2]],
                coords=key[3],
            )
        return self._fans[key]

    def coastlines(self, fan: xr.Dataset | None = None) -> list[np.ndarray]:
        """The coastlines drawn under a fan (default: the one shown), as ``(lon, lat)`` lines.

        The package's Natural Earth coastlines, geographic or converted to AACGM-v2 as the
        static fan plot converts them (:func:`geospacexr.plot.superdarn_fan.coastline_segments`)
        on the scan's day, in the fan's hemisphere (cached per day and hemisphere).
        """
        from ..plot.superdarn_fan import coastline_segments

        fan = self.fan if fan is None else fan
        assert fan is not None
        coords = "aacgm" if "mlat_corner" in fan.variables else "geographic"
        north = fan.attrs["hemisphere"] == "north"
        day = str(fan.attrs["start_time"])[:10]
        key = (coords, day if coords == "aacgm" else "", north)
        if key not in self._coasts:
            self._coasts[key] = coastline_segments(coords == "aacgm", np.datetime64(day), north)
        return self._coasts[key]

    def _fan_figure(self) -> Any:
        """The fan's Bokeh figure, built once.

        Two patch layers on one source (cell colours, ground scatter grey) and a colour bar;
        new scans and parameters change only data.
        """
        from bokeh.models import ColorBar, ColumnDataSource, HoverTool, LinearColorMapper
        from bokeh.plotting import figure

        self._fan_source = ColumnDataSource(
            {"xs": [], "ys": [], "value": [], "ground": [], "beam": [], "gate": []}
        )
        self._fan_mapper = LinearColorMapper(palette=["#000000"], nan_color=(0, 0, 0, 0))
        fig = figure(
            frame_height=_FAN_FRAME_PX,
            frame_width=_FAN_FRAME_PX,
            x_axis_label="geographic longitude (°)",
            y_axis_label="geographic latitude (°)",
            tools="pan,wheel_zoom,box_zoom,reset,save",
            toolbar_location="above",
        )
        self._coast_source = ColumnDataSource({"x": [], "y": []})
        fig.line("x", "y", source=self._coast_source, line_color=_COAST_GREY, line_width=0.8)
        cells = fig.patches(
            "xs", "ys", source=self._fan_source, line_alpha=0, line_width=0,
            fill_color={"field": "value", "transform": self._fan_mapper},
        )  # fmt: skip
        # the view fits the fan, not the world's coastlines
        fig.x_range.renderers = [cells]
        fig.y_range.renderers = [cells]
        fig.patches(
            "xs", "ys", source=self._fan_source, line_alpha=0, line_width=0,
            fill_color=_GROUND_GREY, fill_alpha="ground",
        )  # fmt: skip
        fig.add_tools(
            HoverTool(
                renderers=[cells],
                tooltips=[("beam", "@beam"), ("gate", "@gate"), ("value", "@value")],
            )
        )
        self._fan_bar = ColorBar(color_mapper=self._fan_mapper, title="")
        fig.add_layout(self._fan_bar, "right")
        self._fan_geometry: Any = None
        self._coast_key: Any = None
        return fig

    def _show_fan(self) -> None:
        """Send the scan's cells to the fan figure (colours; the geometry when it changed)."""
        from holoviews.plotting.util import process_cmap

        fan = self.fan = self.scan_fan()
        parameter = self.parameter.value
        cmap, lo, hi = self._colours(parameter)
        values = np.asarray(fan["value"].values, dtype=np.float64).ravel()
        ground = (np.asarray(fan["gflg"].values) == 1).ravel()
        grey = self.ground_scatter.value == "grey"
        data = {
            "value": np.where(ground, np.nan, values) if grey else values,
            "ground": np.where(ground & grey & np.isfinite(values), 1.0, 0.0),
        }
        magnetic = self.coordinates.value == "aacgm"
        prefix = "m" if magnetic else ""
        lat = np.asarray(fan[f"{prefix}lat_corner"].values, dtype=np.float64)
        lon = np.asarray(fan[f"{prefix}lon_corner"].values, dtype=np.float64)
        geometry = (lat.tobytes(), lon.tobytes())
        if geometry != self._fan_geometry:
            self._fan_geometry = geometry
            centre = float(np.nanmedian(lon))
            lon = _unwrap(lon, centre)  # continuous across 180°
            system = "AACGM-v2 magnetic" if magnetic else "geographic"
            self._fan_figure_.xaxis.axis_label = f"{system} longitude (°)"
            self._fan_figure_.yaxis.axis_label = f"{system} latitude (°)"
            coast = self.coastlines(fan)
            coast_key = (id(coast), centre)
            if coast_key != self._coast_key:
                self._coast_key = coast_key
                x, y = _coast_xy(coast, centre)
                self._coast_source.data = {"x": x, "y": y}
            nb, ng = lat.shape[0] - 1, lat.shape[1] - 1
            b, g = np.meshgrid(np.arange(nb), np.arange(ng), indexing="ij")
            b, g = b.ravel(), g.ravel()
            # each cell's corners, counter-clockwise: (b, g), (b+1, g), (b+1, g+1), (b, g+1)
            xs = np.stack([lon[b, g], lon[b + 1, g], lon[b + 1, g + 1], lon[b, g + 1]], axis=1)
            ys = np.stack([lat[b, g], lat[b + 1, g], lat[b + 1, g + 1], lat[b, g + 1]], axis=1)
            data.update(xs=list(xs), ys=list(ys), beam=b, gate=g)
            dlat = float(np.nanmax(lat) - np.nanmin(lat)) or 1.0
            dlon = float(np.nanmax(lon) - np.nanmin(lon)) or 1.0
            squeeze = np.cos(np.radians(float(np.nanmean(lat))))
            self._fan_figure_.frame_width = int(
                min(_FAN_MAX_WIDTH_PX, max(200, _FAN_FRAME_PX * dlon * squeeze / dlat))
            )
            self._fan_source.data = data
        else:
            self._fan_source.data.update(data)
        self._fan_mapper.update(palette=process_cmap(cmap, 256), low=lo, high=hi)
        self._fan_bar.title = self._quantity(parameter)
        self._fan_figure_.title.text = (
            f"{self._quantity(parameter).split(' (')[0]}, scan {fan.attrs['scan_index']}: "
            f"{fan.attrs['start_time'][:19].replace('T', ' ')} UT"
        )

    def rti_data(self) -> xr.DataArray:
        """The RTI of the picked beam and parameter (cached)."""
        key = (self.parameter.value, int(self.beam.value), self.ground_scatter.value)
        if key not in self._rtis:
            self._rtis = {key: _sd.rti(self.ds, key[0], beam=key[1], ground_scatter=key[2])}
        return self._rtis[key]

    def _rti_mesh(self, da: xr.DataArray) -> Any:
        import holoviews as hv

        parameter = str(da.name)
        cmap, lo, hi = self._colours(parameter)
        values = np.asarray(da.values, dtype=np.float64)
        ground = np.asarray(da["ground_scatter"].values, dtype=bool)
        grey = da.attrs.get("ground_scatter") == "grey"
        shown = np.where(ground, np.nan, values) if grey else values
        times = da["time"].values
        ends = da["time_end"].values
        gates = np.asarray(da["range_gate"].values, dtype=np.float64)
        vdim = hv.Dimension(parameter, label=self._quantity(parameter))
        options = dict(
            cmap=cmap,
            clim=(lo, hi),
            colorbar=True,
            tools=["tap", "hover"],
            responsive=True,
            min_height=320,
            title=(
                f"{self._quantity(parameter).split(' (')[0]}, beam {da.attrs['beam']} "
                "(click to jump to a scan)"
            ),
            xlabel="time (UT)",
            ylabel="range gate",
        )
        steps = np.diff(times).astype(np.float64)
        contiguous = bool(np.all(ends[:-1] == times[1:]))
        # a regular cadence is one raster (a mesh of quads shows seams); gaps and irregular
        # records need the mesh to place each column at its time, NaN columns in the gaps
        if contiguous and steps.size and np.ptp(steps) <= _REGULAR_CADENCE * steps.mean():
            grid = (times, gates)
            mesh = hv.Image((*grid, shown.T), ["time", "range_gate"], vdim, rtol=_REGULAR_CADENCE)
            flags = hv.Image(
                (*grid, np.where(ground, 1.0, np.nan).T), ["time", "range_gate"],
                rtol=_REGULAR_CADENCE,
            )  # fmt: skip
        else:
            edges, columns, gap = [times[0]], [], np.full(gates.size, np.nan)
            for i in range(times.size):
                if edges[-1] != times[i]:  # a silence before this record
                    edges.append(times[i])
                    columns.append(None)
                edges.append(ends[i])
                columns.append(i)
            cells = np.stack([gap if c is None else shown[c] for c in columns], axis=1)
            flag_cells = np.stack(
                [gap if c is None else np.where(ground[c], 1.0, np.nan) for c in columns], axis=1
            )
            y = np.append(gates - 0.5, gates[-1] + 0.5)
            mesh = hv.QuadMesh((np.asarray(edges), y, cells), ["time", "range_gate"], vdim)
            flags = hv.QuadMesh((np.asarray(edges), y, flag_cells), ["time", "range_gate"])
            options.update(line_alpha=0, line_width=0)
            flags = flags.opts(line_alpha=0, line_width=0)
        mesh = mesh.opts(**options)
        if not grey:
            return hv.Overlay([mesh])
        return mesh * flags.opts(cmap=[_GROUND_GREY], clim=(0, 2))

    def _show_rti(self) -> None:
        """Draw the RTI and move its scan cursor.

        A new beam, parameter or ground-scatter choice sends a new raster; a new scan sends
        one line on the cursor's own stream.
        """
        import holoviews as hv

        start = self.scan_starts[int(self.scan.value)]
        key = (self.parameter.value, int(self.beam.value), self.ground_scatter.value)
        self.rti = self.rti_data()
        if getattr(self, "_rti_key", None) != key:
            self._rti_key = key
            raster = self.rti_element = self._rti_mesh(self.rti)
            if getattr(self, "_cursor", None) is None:
                self._cursor = hv.streams.Pipe(data=start)
                self._cursor_line = hv.DynamicMap(
                    lambda data: hv.VLine(data).opts(
                        color="black", line_width=1.5, line_dash="dashed"
                    ),
                    streams=[self._cursor],
                )
            self.rti_view.show(
                raster,
                key=(self.ground_scatter.value == "grey", type(raster.get(0))),
                static=self._cursor_line,
            )
        if self._cursor.data != start:
            self._cursor.send(start)

    def refresh(self) -> None:
        """Redraw the fan and the RTI; errors become a message."""
        try:
            self._show_fan()
            self._show_rti()
            self.message.visible = False
        except (GeospacexrError, ValueError) as exc:
            self.message.object = f"**Cannot draw:** {exc}"
            self.message.visible = True

    def _scan_moved(self, event: Any) -> None:
        self.scan_label.object = self._label(int(event.new))
        self.refresh()

    def scan_at(self, time: Any) -> int:
        """The scan holding the record nearest to ``time``.

        Args:
            time: A datetime64, a date string, or milliseconds since 1970 (Bokeh's clicks).

        Returns:
            The scan number.
        """
        if isinstance(time, (int, float, np.integer, np.floating)):
            t = np.datetime64(int(time * 1e6), "ns")
        else:
            t = np.datetime64(time, "ns")
        gap = np.abs((self.times - t).astype(np.float64))
        return int(self.scan_of_record[int(np.nanargmin(gap))])

    def _rti_clicked(self, x: Any = None, y: Any = None) -> None:
        if x is None:
            return
        self.scan.value = self.scan_at(x)


def explore(
    ds: xr.Dataset,
    parameter: str = "v",
    beam: int | None = None,
    ground_scatter: str = "grey",
    coordinates: str = "geographic",
) -> Any:
    """A live explorer of one radar's scans and beams (a Panel component).

    A scan slider drives the fan of that scan; the parameter, beam and ground-scatter pickers
    drive the range-time-intensity plot, and clicking the RTI jumps to the scan at that time.

    Args:
        ds: A ``superdarn`` Dataset of a fitacf (or snd) file.
        parameter: The per-gate parameter shown first (``v``, ``p_l``, ``w_l``, ``elv``...).
        beam: The RTI's beam (default: the beam with the most records).
        ground_scatter: ``"grey"``, ``"colour"``, ``"hide"`` or ``"only"``.
        coordinates: The fan's coordinates, ``"geographic"`` or ``"aacgm"`` (AACGM-v2).

    Returns:
        The Panel layout.

    Example:
        >>> ds = geospacexr.datasets.open_sample("superdarn-fitacf")  # doctest: +SKIP
        >>> ds.superdarn.explore(parameter="p_l", beam=7)  # doctest: +SKIP
    """
    return SuperdarnExplorer(ds, parameter, beam, ground_scatter, coordinates).panel
