"""The riometer panel of the app: a stack plot of absorption (or signal) per site and band.

No science here: absorption comes from :func:`geospacexr.rio.absorption` (quiet-day curves from
the data's own quiet days), the signal in dB from :func:`geospacexr.rio.signal_db`; each is
computed once per Dataset and kept for every page of the server. One trace per site (and per
band of a hyperspectral riometer), each in its own row of the stack (its own axes), is
shown as bin means (at most :data:`MAX_POINTS` per trace: the moving-average downsampling of
PyUCRio's plots). A time cursor stands in every row and follows the ASI explorer the panel is
tied to (its frame's time); a click on a trace moves that explorer to the nearest frame.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import xarray as xr

from ..errors import GeospacexrError
from .streaming import bokeh_backend

__all__ = ["MAX_POINTS", "RiometerPanel", "explorable", "riometer_panel", "traces"]

#: Most points drawn per trace (longer series are shown as means over equal time bins).
MAX_POINTS = 2000
#: Height of each row of the stack, and the least width of the stack, screen pixels.
_ROW_PX, _MIN_WIDTH_PX = 200, 600
#: Quantities the panel shows: widget label -> what is computed.
QUANTITIES = {"absorption (dB)": "absorption", "signal (dB)": "signal", "raw": "raw"}
#: The raw variable of each riometer layout (NORSTAR: volts; SWAN HSR: dB).
_RAW = ("raw_signal", "raw_power")

#: Computed quantities per Dataset, shared by the server's pages: ``(id, quantity)`` -> the
#: Dataset (kept, so that its id is not reused) and the result.
_CACHE: dict[tuple[int, str], tuple[xr.Dataset, xr.DataArray]] = {}
_LOCK = threading.Lock()


def explorable(ds: xr.Dataset) -> bool:
    """Whether ``ds`` is a riometer Dataset the panel draws."""
    return ds.attrs.get("geospacexr_kind") == "riometer"


def _quantity(ds: xr.Dataset, quantity: str) -> xr.DataArray:
    """Absorption or signal (dB) of ``ds``, computed once per Dataset for the whole server."""
    from .. import rio

    key = (id(ds), quantity)
    with _LOCK:
        if key not in _CACHE or _CACHE[key][0] is not ds:
            if quantity == "raw":
                name = next((v for v in _RAW if v in ds), None)
                if name is None:
                    raise GeospacexrError(f"no raw variable ({' or '.join(_RAW)}) in {list(ds)}")
                result = ds[name]
            else:
                result = rio.absorption(ds) if quantity == "absorption" else rio.signal_db(ds)
            _CACHE[key] = (ds, result.compute())
        return _CACHE[key][1]


def _bin_means(times: np.ndarray, values: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray]:
    """Means over ``most`` equal time bins (NaN-aware) when the series is longer."""
    if times.size <= most:
        return times, values
    t = times.astype("datetime64[ns]").astype(np.int64)
    edges = np.linspace(t[0], t[-1] + 1, most + 1)
    which = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, most - 1)
    finite = np.isfinite(values)
    sums = np.bincount(which, np.where(finite, values, 0.0), minlength=most)
    counts = np.bincount(which, finite.astype(np.float64), minlength=most)
    centres = ((edges[:-1] + edges[1:]) / 2).astype(np.int64).astype("datetime64[ns]")
    with np.errstate(invalid="ignore", divide="ignore"):
        return centres, np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def traces(
    riometers: Mapping[str, xr.Dataset], quantity: str = "absorption", most: int = MAX_POINTS
) -> list[tuple[str, xr.DataArray]]:
    """The stack's traces: ``(label, series)`` per site and band, downsampled to ``most`` points.

    Args:
        riometers: ``{title: riometer Dataset}``.
        quantity: ``"absorption"`` (:func:`geospacexr.rio.absorption`), ``"signal"``
            (:func:`geospacexr.rio.signal_db`) or ``"raw"`` (the file's raw signal, in its
            units: volts for NORSTAR, dB for SWAN HSR).
        most: Most points per trace (bin means beyond).

    Returns:
        Labels (``"gill 30 MHz"``) and 1-D series along ``time`` (units in their attrs).
    """
    out = []
    for ds in riometers.values():
        values = _quantity(ds, quantity)
        site = ds.attrs.get("site", "")
        bands = values["frequency"].values if "frequency" in values.dims else [None]
        for band in bands:
            series = values if band is None else values.sel(frequency=band)
            if band is None and "frequency" in values.coords:
                band = values["frequency"].values
            label = f"{site} {float(band):g} MHz" if band is not None else site
            t, v = _bin_means(
                series["time"].values, np.asarray(series.values, dtype=np.float64), most
            )
            out.append(
                (
                    label,
                    xr.DataArray(
                        v, coords={"time": t}, dims="time", name=quantity, attrs=series.attrs
                    ),
                )
            )
    return out


class RiometerPanel:
    """A stack plot of riometer traces with a time cursor; ``.panel`` is the Panel layout.

    Args:
        riometers: ``{title: riometer Dataset}`` (:func:`geospacexr.open_riometer`).
        imager: The ASI explorer whose frame's time the cursor follows (and which a click on a
            trace moves), or ``None`` for a cursor of the panel's own.
        keogram: A HoloViews element drawn above the stack (the imager's keogram), or a
            callable returning one when the panel is first built.
        defer: Do not build until :meth:`refresh` is called (the app builds on the tab's first
            view, keeping its start-up cost low).
    """

    def __init__(
        self,
        riometers: Mapping[str, xr.Dataset],
        imager: Any = None,
        keogram: Any = None,
        defer: bool = False,
    ) -> None:
        import holoviews as hv
        import panel as pn

        bokeh_backend()  # once; no second copy of the notebook loaders
        self.riometers = dict(riometers)
        self.imager = imager
        self._keogram = keogram
        titles = list(self.riometers)
        self.sites = pn.widgets.MultiChoice(
            label="riometers", options=titles, value=self._default_titles(titles), width=300
        )
        self.quantity = pn.widgets.RadioButtonGroup(
            options=list(QUANTITIES), value=next(iter(QUANTITIES))
        )
        self.message = pn.pane.Alert("", alert_type="info", visible=False)
        # not linked to the app's other plots: a riometer's days would set the time axis of the
        # imager's minutes (and the keogram's rows are not the stack's)
        #: The stack: one plot pane per trace (a HoloViews Layout of responsive plots collapsed)
        self.plot_pane = pn.Column(sizing_mode="stretch_width")
        self.title = pn.pane.Markdown("", margin=(0, 10))
        self.keogram_pane = pn.pane.HoloViews(
            min_height=260, sizing_mode="stretch_width", linked_axes=False
        )
        self._cursor = hv.streams.Stream.define("Cursor", t=self._now())()
        self.computed = False
        self.shown: list[tuple[str, xr.DataArray]] = []
        for w in (self.sites, self.quantity):
            w.param.watch(lambda _event: self.refresh(), "value")
        if imager is not None:
            imager.time.param.watch(lambda _event: self.follow(), "value")
        self.panel = pn.Row(
            pn.Column(
                pn.pane.Markdown("## Riometer panel"),
                self.sites,
                self.quantity,
                pn.pane.Markdown(
                    "Absorption: quiet-day curve minus signal (`geospacexr.rio.absorption`). "
                    "The red line is the imager's frame time; click a trace to move the "
                    "imager there."
                ),
                width=330,
            ),
            pn.Column(
                self.message,
                self.keogram_pane,
                self.title,
                self.plot_pane,
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
        if not defer:
            self.refresh()

    def _default_titles(self, titles: list[str]) -> list[str]:
        """The riometers whose data overlap the imager's, else the first one."""
        if self.imager is not None:
            t0, t1 = self.imager.times[0], self.imager.times[-1]
            near = [
                k
                for k in titles
                if self.riometers[k]["time"].values[0] <= t1
                and self.riometers[k]["time"].values[-1] >= t0
            ]
            if near:
                return near
        return titles[:1]

    def _now(self) -> np.datetime64:
        if self.imager is not None:
            return self.imager.times[int(self.imager.time.value)]
        first = next(iter(self.riometers.values()), None)
        return first["time"].values[0] if first is not None else np.datetime64("NaT")

    def _cursor_layer(self, t: np.datetime64) -> Any:
        import holoviews as hv

        return hv.VLine(t).opts(color="red", line_width=1.5)

    def follow(self) -> None:
        """Move the cursor to the imager's frame time (streamed: no figure is rebuilt)."""
        t = self._now()
        self._cursor.event(t=t)
        self._say_outside(t)

    def _say_outside(self, t: np.datetime64) -> None:
        if not self.shown:
            return
        first = min(s["time"].values[0] for _, s in self.shown)
        last = max(s["time"].values[-1] for _, s in self.shown)
        if first <= t <= last:
            self.message.visible = False
            return
        span = " to ".join(
            np.datetime_as_string(v, unit="m").replace("T", " ") for v in (first, last)
        )
        self.message.object = (
            f"The imager's time ({np.datetime_as_string(t, unit='s').replace('T', ' ')} UT) is "
            f"outside these riometer data ({span} UT): the cursor is off the plot."
        )
        self.message.visible = True

    def _clicked(self, x: Any = None, y: Any = None) -> None:
        if x is None or self.imager is None:
            return
        t = (
            np.datetime64(x, "ns")
            if not isinstance(x, (int, float))
            else np.datetime64(int(x * 1e6), "ns")
        )
        self.imager.jump_to(t)

    def refresh(self) -> None:
        """Build the stack for the chosen riometers and quantity."""
        import holoviews as hv

        quantity = QUANTITIES[self.quantity.value]
        chosen = {k: self.riometers[k] for k in self.sites.value}
        try:
            self.shown = traces(chosen, quantity)
        except (GeospacexrError, ValueError) as exc:
            self.message.object = f"**Cannot compute:** {exc}"
            self.message.visible = True
            return
        self.computed = True
        if self._keogram is not None and self.keogram_pane.object is None:
            keogram = self._keogram() if callable(self._keogram) else self._keogram
            cursor = hv.DynamicMap(self._cursor_layer, streams=[self._cursor])
            tap = hv.streams.Tap(source=keogram, x=None, y=None)
            tap.add_subscriber(self._clicked)
            self.keogram_pane.object = keogram * cursor
        if not self.shown:
            self.plot_pane.objects = []
            self.title.object = ""
            self.message.object = "Choose one or more riometers."
            self.message.visible = True
            return
        import panel as pn

        rows = []
        for label, series in self.shown:
            units = series.attrs.get("units", "dB")
            dim = hv.Dimension(f"{quantity}_{len(rows)}", label=f"{label} ({units})")
            curve = hv.Curve((series["time"].values, series.values), "time", dim).opts(
                responsive=True,
                min_width=_MIN_WIDTH_PX,
                height=_ROW_PX,
                line_width=1,
                tools=["tap", "hover"],
                title=label,
                xlabel="time (UT)" if len(rows) == len(self.shown) - 1 else "",
            )
            tap = hv.streams.Tap(source=curve, x=None, y=None)
            tap.add_subscriber(self._clicked)
            cursor = hv.DynamicMap(self._cursor_layer, streams=[self._cursor])
            rows.append(
                pn.pane.HoloViews(
                    curve * cursor, sizing_mode="stretch_width", linked_axes=False, margin=0
                )
            )
        title = {
            "absorption": "cosmic noise absorption (quiet-day curve minus signal)",
            "signal": "riometer signal (dB)",
            "raw": "riometer raw signal (file units)",
        }[quantity]
        self.title.object = f"### {title}"
        self.plot_pane.objects = rows
        self.follow()


def riometer_panel(
    riometers: Mapping[str, xr.Dataset] | xr.Dataset,
    imager: Any = None,
    keogram: Any | Callable[[], Any] = None,
) -> Any:
    """A riometer stack plot with a time cursor (a Panel component).

    Args:
        riometers: A riometer Dataset or ``{title: Dataset}``.
        imager: An :class:`geospacexr.explore.asi.AsiExplorer` whose time the cursor follows.
        keogram: A HoloViews element to draw above the stack.

    Returns:
        The Panel layout.
    """
    if isinstance(riometers, xr.Dataset):
        riometers = {riometers.attrs.get("site", "riometer"): riometers}
    return RiometerPanel(riometers, imager, keogram).panel
