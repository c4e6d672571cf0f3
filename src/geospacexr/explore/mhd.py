"""The MHD explorer: a run's equatorial or meridional plane, a clicked field line and its L*.

No science here: the plane is :func:`geospacexr.mhd.equatorial_slice` /
:func:`~geospacexr.mhd.meridional_slice` (or :func:`~geospacexr.mhd.residual_bz` for the
residual field) of the step on the slider; a click on the plane starts a field line that is
traced through the gridded field of that step (:func:`geospacexr.mhd.field` wrapped by
:func:`geospacexr.rb.models.from_grid`, traced by :func:`geospacexr.rb.trace`) and the L* of a
particle mirroring at the clicked point (:func:`geospacexr.rb.lstar`); the ReMIX panel beside
it is :func:`geospacexr.mhd.ionosphere_step` at the nearest time, in colatitude and MLT as the
static polar maps draw it, with the traced line's footprint marked.

The plane and the polar map are HoloViews meshes streamed into their figures
(:class:`~geospacexr.explore.streaming.StreamedPlot`): a new step, variable or hemisphere sends
only new values. The gridded field of a step is built once per process and shared by every
session (``cache.explorer_fields`` of them are kept); so are the slices and the traced lines
(``cache.explorer_results``). The gridded-field kernels are compiled by numba on their first
use on a machine; ``geospacexr serve`` compiles them in a background thread at start
(:func:`compile_in_background`) and a click made before they are ready says so and is traced
as soon as they are.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time as _time
from typing import Any

import numpy as np
import xarray as xr

from .._caches import BoundedCache
from .._checks import require
from ..errors import GeospacexrError, InvalidArgumentError
from ..plot.mhd import COLOUR_LIMITS
from .streaming import StreamedPlot

__all__ = [
    "PLANES",
    "MhdExplorer",
    "compile_in_background",
    "compile_state",
    "explorable",
    "explore",
]

#: The planes offered: label -> the fixed coordinate and the plane's second axis.
PLANES: dict[str, tuple[str, str]] = {"equatorial": ("z", "y"), "meridional": ("y", "z")}
#: The residual field (Bz minus the dipole's, kaipy's ``DelBz``): the first variable offered.
RESIDUAL = "dBz"
#: Variables drawn with symmetric limits and a diverging colour map (their sign is physical).
_SIGNED = frozenset({RESIDUAL, "Bx", "By", "Bz", "Vx", "Vy", "Vz", "Jx", "Jy", "Jz"})
#: Variables drawn on a logarithmic colour scale (they span decades: kaipy draws them so).
_LOG = frozenset({"D", "P", "SrcD_RING", "SrcP_RING"})
#: Fixed colour limits: those of the msphpic figure (kaipy's ``msphViz``).
_FIXED_LIMITS = {RESIDUAL: COLOUR_LIMITS["dBz"], "P": COLOUR_LIMITS["P"], "D": COLOUR_LIMITS["D"]}
#: Colour limits clip this percentile at each end of the first slice shown (robust to a few
#: extreme cells next to the inner boundary).
_PERCENTILE = 1.0
#: Plane view when opened: kaipy's ``std`` size preset.
_VIEW = "std"
#: Polar map: rings every this many degrees of colatitude.
_RING_STEP_DEG = 10.0
#: Frame widths of the plane, the polar map and the side view of the line, screen pixels.
_PLANE_PX, _POLAR_PX, _SIDE_PX = 480, 340, 340
#: Pixels across the polar map's image.
_POLAR_PIXELS = 241
#: How often a session waiting for the background compile looks again, milliseconds.
_POLL_MS = 1000
#: The ReMIX fields offered in the polar panel.
_IONOSPHERE_FIELDS = {"potential": "potential", "field-aligned current": "fac"}

_SLICES: BoundedCache[tuple[Any, Any]] = BoundedCache(
    "explore.mhd.slices",
    "cache.explorer_results",
    "planes of the MHD explorer, by run, step, variable and plane",
)
_LINES: BoundedCache[tuple[Any, Any, Any]] = BoundedCache(
    "explore.mhd.lines",
    "cache.explorer_results",
    "field lines and L* of the MHD explorer, by run, step, start point and pitch angle",
)
_FIELDS: BoundedCache[tuple[Any, Any, Any]] = BoundedCache(
    "explore.mhd.fields",
    "cache.explorer_fields",
    "gridded fields (rb.models.from_grid) of MHD steps, one per run and step",
)


def explorable(ds: xr.Dataset) -> bool:
    """Whether a Dataset is an MHD run the explorer shows (a curvilinear ``(k, j, i)`` grid).

    Args:
        ds: Any Dataset.

    Returns:
        True for an ``mhd`` Dataset with corners ``X``, ``Y`` and B on the cells (GAMERA, LFM);
        SWMF point clouds have no planes to cut.
    """
    if ds.attrs.get("geospacexr_kind") != "mhd" or not {"X", "Y", "Z"} <= set(ds.variables):
        return False
    return bool(_variables(ds)) and all(
        v in ds and {"k", "j", "i"} <= set(ds[v].dims) for v in ("Bx", "By", "Bz")
    )


def _variables(ds: xr.Dataset) -> list[str]:
    """The cell variables a plane can show, the residual field first."""
    cells = [
        str(n) for n, v in ds.data_vars.items()
        if {"k", "j", "i"} <= set(v.dims) and ("time" in v.dims or "time" not in ds.dims)
        and n != "dV"
    ]  # fmt: skip
    return ([RESIDUAL] if "Bz" in cells else []) + sorted(cells)


def _stamp(t: Any) -> str:
    return str(np.datetime_as_string(np.datetime64(t, "s"), unit="s")).replace("T", " ")


# -- the gridded-field kernels, compiled in the background ----------------------------------


class _Warmup:
    """The background compile of the gridded-field kernels (one thread per process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state: str | None = None
        self.started = 0.0
        self.error = ""

    def elapsed(self) -> float:
        return _time.monotonic() - self.started if self.state == "compiling" else 0.0


_WARMUP = _Warmup()


def compile_state() -> str | None:
    """Where the background compile of the gridded-field kernels stands.

    Returns:
        ``"compiling"``, ``"ready"``, or ``None`` when none was started (an explorer then
        computes a click directly, compiling on the way if needed).
    """
    return _WARMUP.state


def compile_in_background(ds: xr.Dataset, step: int = -1) -> None:
    """Compile (or load from numba's cache) the gridded-field kernels in a background thread.

    The thread builds the gridded field of ``step`` (kept for the explorers, so the first click
    on that step traces at once) and traces one field line and one L* through it. ``geospacexr
    serve`` calls this when an MHD run is open; until it is done a click in an MHD explorer
    shows a message and is traced as soon as the kernels are ready.

    Args:
        ds: An MHD run (:func:`explorable`).
        step: The ``Step#`` number whose field is built (``-1``: the last).
    """
    with _WARMUP.lock:
        if _WARMUP.state is not None:
            return
        _WARMUP.state, _WARMUP.started = "compiling", _time.monotonic()

    def run() -> None:
        from .. import config
        from ..rb import lstar, particles, trace

        try:
            # the notice line is for interactive use: the explorer says it compiles
            with config.override({"rb.compile_message": False}):
                model, frame, when = _field(ds, _index(ds, step))
                inner = float(model.params.get("inner_boundary_re", 0.0)) or 1.0
                start = [[-(inner + 2.0), 0.1, 0.0]]  # near the Earth: inside any grid
                trace(model, start, time=when, frame=frame)
                lstar(particles(*start[0], 90.0, time=when, frame=frame), model)
        except Exception as exc:  # a session computes and shows the error itself
            _WARMUP.error = str(exc)
        with _WARMUP.lock:
            _WARMUP.state = "ready"

    threading.Thread(target=run, name="geospacexr-mhd-compile", daemon=True).start()


def _index(ds: xr.Dataset, step: int | None) -> int:
    """The position along ``time`` of a ``Step#`` number (``-1``: the last)."""
    if "time" not in ds.dims:
        return 0
    if step is None or step == -1:
        return ds.sizes["time"] - 1
    steps = ds["step"].values if "step" in ds.coords else np.arange(ds.sizes["time"])
    where = np.flatnonzero(steps == step)
    if where.size == 0:
        shown = ", ".join(str(int(s)) for s in steps[:20])
        raise InvalidArgumentError(
            f"this run has no Step#{step} (it has {shown}{'...' if steps.size > 20 else ''})",
            "step",
        )
    return int(where[0])


def _one(ds: xr.Dataset, index: int) -> xr.Dataset:
    return ds.isel(time=index) if "time" in ds.dims else ds


def _field(ds: xr.Dataset, index: int) -> tuple[Any, str, Any]:
    """(gridded model, frame, time) of one step, built once per process and step."""
    key = (id(ds), index)
    found = _FIELDS.get(key)
    if found is None:
        from ..mhd.bridge import field
        from ..rb.models import from_grid

        grid = field(_one(ds, index).load())
        model = from_grid(grid)
        # the Dataset rides along: its id stays unique while the entry lives
        found = (ds, model, (grid.attrs.get("frame", "SM"), grid.attrs.get("time") or None))
        _FIELDS.put(key, found)
    _, model, (frame, when) = found
    return model, frame, when


def _plane(ds: xr.Dataset, index: int, variable: str, plane: str) -> xr.DataArray:
    """The plane of a variable at one step (cached per run, step, variable and plane)."""
    key = (id(ds), index, variable, plane)
    found = _SLICES.get(key)
    if found is None:
        from ..mhd import equatorial_slice, meridional_slice, residual_bz

        name = "Bz" if variable == RESIDUAL else variable
        one = _one(ds, index)
        one = one.drop_vars([v for v in one.data_vars if v != name]).load()  # that one only
        if variable == RESIDUAL:
            values = residual_bz(one, plane)
        else:
            cut = equatorial_slice if plane == "equatorial" else meridional_slice
            values = cut(one, variable)
        found = (ds, values.load())
        _SLICES.put(key, found)
    return found[1]


def _line(
    ds: xr.Dataset, index: int, start: tuple[float, float, float], pitch: float,
    altitude_km: float,
) -> tuple[xr.Dataset, xr.Dataset]:  # fmt: skip
    """(traced line, L* Dataset) of one start point at one step (cached)."""
    key = (id(ds), index, start, pitch, altitude_km)
    found = _LINES.get(key)
    if found is None:
        from ..rb import lstar, particles, trace

        model, frame, when = _field(ds, index)
        lines = trace(model, [list(start)], time=when, frame=frame, altitude_km=altitude_km)
        invariants = lstar(particles(*start, pitch, time=when, frame=frame), model)
        found = (ds, lines, invariants)
        _LINES.put(key, found)
    return found[1], found[2]


def _send(pipe: Any, data: Any) -> None:
    """Send ``data`` through a layer's pipe only when it changed (each send redraws the plot)."""
    old = pipe.data
    if isinstance(data, dict) and isinstance(old, dict):
        same = data.keys() == old.keys() and all(np.array_equal(data[k], old[k]) for k in data)
    else:
        same = data == old
    if not same:
        pipe.send(data)


def _footprints(lines: xr.Dataset) -> list[tuple[str, float, float]]:
    """The ends of a traced line on the inner boundary: (hemisphere, colatitude, MLT)."""
    n = int(lines["n_points"].values[0])
    out = []
    for end, row in (("end_south", 0), ("end_north", n - 1)):
        if n < 2 or int(lines[end].values[0]) != 0:
            continue  # 0: the half line reached the inner boundary (rb.tracing.END_CODES)
        x, y, z = (float(lines[c].values[0, row]) for c in "xyz")
        r = math.sqrt(x * x + y * y + z * z)
        colat = math.degrees(math.acos(min(1.0, abs(z) / r)))
        mlt = (12.0 + math.degrees(math.atan2(y, x)) / 15.0) % 24.0
        out.append(("north" if z >= 0 else "south", colat, mlt))
    return out


class MhdExplorer:
    """Widgets, plots and read-outs of the MHD explorer; ``.panel`` is the Panel layout.

    Args:
        ds: An ``mhd`` Dataset on a curvilinear grid (:func:`geospacexr.open_gamera`,
            :func:`geospacexr.open_lfm`).
        ionosphere: The run's ReMIX output (an ``ionosphere`` Dataset from
            :func:`geospacexr.open_remix`), drawn beside the plane at the nearest time.
        variable: The variable shown first: ``"dBz"`` (the residual field, Bz minus the
            dipole's) or a cell variable of the run (``"Bz"``, ``"D"``, ``"P"``, ``"Vx"``...).
        plane: ``"equatorial"`` (z = 0) or ``"meridional"`` (y = 0).
        step: The ``Step#`` number shown first (``-1``: the last).
        pitch_angle: Local pitch angle at the clicked point of the particle whose L* is shown,
            degrees (90: mirroring there).

    Attributes:
        step: The step slider (position along ``time``).
        variable: The variable picker.
        plane: The plane picker.
        pitch_angle: The pitch-angle slider.
        ionosphere_field: The polar panel's field (potential or field-aligned current).
        hemisphere: The polar panel's hemisphere.
        values: The plane shown now (a DataArray on ``(i, p)``).
        mesh: Its HoloViews mesh (the Earth and the line drawn over it apart).
        polar_image: The ReMIX panel's image shown now (None without ReMIX).
        start: The clicked start point (x, y, z SM, R_E), or None.
        lines: The traced line (:func:`geospacexr.rb.trace`), or None.
        invariants: Its L* Dataset (:func:`geospacexr.rb.lstar`), or None.
        readout: The Markdown pane with L* (or why there is none).

    Raises:
        WrongKindError: If ``ds`` is not an ``mhd`` Dataset (or ``ionosphere`` not an
            ``ionosphere`` one).
        InvalidArgumentError: If the run has no curvilinear grid, or ``variable``, ``plane`` or
            ``step`` is not one it offers.
    """

    def __init__(
        self,
        ds: xr.Dataset,
        ionosphere: xr.Dataset | None = None,
        variable: str = RESIDUAL,
        plane: str = "equatorial",
        step: int = -1,
        pitch_angle: float = 90.0,
    ) -> None:
        import holoviews as hv
        import panel as pn

        if "bokeh" not in hv.Store.renderers:
            hv.extension("bokeh", logo=False)
        require(ds, "mhd", ["Bx", "By", "Bz", "X", "Y", "Z"], where="ds.mhd.explore")
        if not explorable(ds):
            raise InvalidArgumentError(
                "the explorer needs a curvilinear (k, j, i) grid with corners X, Y, Z (GAMERA, "
                "LFM); a point cloud (SWMF) has no planes to cut",
                "ds",
            )
        if ionosphere is not None:
            require(ionosphere, "ionosphere", ["potential", "fac"], where="ds.mhd.explore")
        variables = _variables(ds)
        if variable not in variables:
            raise InvalidArgumentError(
                f"{variable!r} is not one of the run's cell variables ({', '.join(variables)})",
                "variable",
            )
        if plane not in PLANES:
            raise InvalidArgumentError(f"'equatorial' or 'meridional', not {plane!r}", "plane")
        self.ds = ds
        self.ionosphere_ds = ionosphere
        self.times = ds["time"].values if "time" in ds.dims else np.array([], "datetime64[ns]")
        self.steps = (
            ds["step"].values if "step" in ds.coords else np.arange(max(self.times.size, 1))
        )
        n = max(self.times.size, 1)
        from ..mhd.slices import plane_corners

        self._corners = {p: plane_corners(ds, p) for p in PLANES}
        self._limits: dict[tuple[str, str], tuple[float, float]] = {}
        self.values: xr.DataArray | None = None
        self.mesh: Any = None
        self.polar_image: Any = None
        self.start: tuple[float, float, float] | None = None
        self.lines: xr.Dataset | None = None
        self.invariants: xr.Dataset | None = None
        self._pending: tuple[float, float, float] | None = None
        self._poller: Any = None

        self.step = pn.widgets.IntSlider(
            label="step", start=0, end=n - 1, value=_index(ds, step), width=300
        )
        self.step_label = pn.pane.Markdown("", min_height=24)
        self.variable = pn.widgets.Select(label="variable", options=variables, value=variable)
        self.plane = pn.widgets.Select(label="plane", options=list(PLANES), value=plane)
        self.pitch_angle = pn.widgets.FloatSlider(
            label="local pitch angle at the click (deg)", start=5.0, end=90.0, step=1.0,
            value=float(pitch_angle),
        )  # fmt: skip
        self.ionosphere_field = pn.widgets.Select(
            label="ionosphere", options=dict(_IONOSPHERE_FIELDS), value="potential",
            visible=ionosphere is not None,
        )  # fmt: skip
        self.hemisphere = pn.widgets.Select(
            label="hemisphere", options=["north", "south"], value="north",
            visible=ionosphere is not None,
        )  # fmt: skip
        self.message = pn.pane.Alert("", alert_type="warning", visible=False)
        self.compiling = pn.pane.Alert("", alert_type="info", visible=False)
        self.readout = pn.pane.Markdown(
            "Click the plane to trace the field line through the MHD field and compute its L*.",
            min_width=300,
        )
        # unlinked: the side view of the line has an x axis too, which Panel would share
        self.plane_pane = pn.pane.HoloViews(min_height=420, linked_axes=False)
        self.side_pane = pn.pane.HoloViews(linked_axes=False)
        self.polar_pane = pn.pane.HoloViews(visible=ionosphere is not None, linked_axes=False)
        self._tap = hv.streams.Tap(x=None, y=None)
        self.plane_view = StreamedPlot(self.plane_pane, self._tap_stream)
        self.side_view = StreamedPlot(self.side_pane)
        self.polar_view = StreamedPlot(self.polar_pane)
        self._line_pipe = hv.streams.Pipe(data=self._line_xy())
        self._line_layer = hv.DynamicMap(self._line_element, streams=[self._line_pipe])
        self._foot_pipe = hv.streams.Pipe(data=[])
        self._foot_layer = hv.DynamicMap(self._foot_element, streams=[self._foot_pipe])
        self.step.param.watch(lambda _e: self.refresh(), "value")
        for w in (self.variable, self.plane):
            w.param.watch(lambda _e: self.refresh(ionosphere=False, line=False), "value")
        self.pitch_angle.param.watch(lambda _e: self._retrace(), "value")
        for w in (self.ionosphere_field, self.hemisphere):
            w.param.watch(lambda _e: self._show_ionosphere(), "value")
        run = ds.attrs.get("runid") or ds.attrs.get("mhd_model") or ""
        self.panel = pn.Row(
            pn.Column(
                f"## MHD explorer: {run}".rstrip(": "),
                self.step,
                self.step_label,
                self.variable,
                self.plane,
                self.pitch_angle,
                self.ionosphere_field,
                self.hemisphere,
                "Click the plane to trace the field line through the step's MHD field and "
                "compute the L* of a particle mirroring there.",
                width=330,
            ),
            pn.Column(
                self.compiling,
                self.message,
                pn.Row(self.plane_pane, self.polar_pane),
                pn.Row(self.side_pane, self.readout),
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
        self.refresh()

    # -- helpers -------------------------------------------------------------------------

    def _tap_stream(self) -> list[Any]:
        """A click stream for a new plane figure (a stream serves one plot)."""
        import holoviews as hv

        self._tap = hv.streams.Tap(x=None, y=None)
        self._tap.add_subscriber(self._clicked)
        return [self._tap]

    @property
    def index(self) -> int:
        """The position along ``time`` of the step shown."""
        return int(self.step.value)

    def _label(self) -> str:
        if not self.times.size:
            return ""
        return f"**Step#{int(self.steps[self.index])}: {_stamp(self.times[self.index])} UT**"

    def _quantity(self, values: xr.DataArray, variable: str) -> str:
        units = values.attrs.get("units", "")
        name = "Bz - dipole Bz" if variable == RESIDUAL else variable
        return f"{name} ({units})" if units and units != "1" else name

    def _colours(self, variable: str, plane: str, values: np.ndarray) -> tuple[float, float]:
        """Colour limits of a variable on a plane, kept once chosen.

        The msphpic figure's (kaipy's) for the residual field, pressure and density; for the
        others, from the first slice shown.
        """
        from ..plot.colours import colour_limits

        key = (variable, plane)
        if key not in self._limits:
            if variable in _FIXED_LIMITS:
                self._limits[key] = _FIXED_LIMITS[variable]
            else:
                self._limits[key] = colour_limits(
                    values, variable in _SIGNED, log=variable in _LOG, percentile=_PERCENTILE
                )
        return self._limits[key]

    # -- what is shown -------------------------------------------------------------------

    def plane_values(self) -> xr.DataArray:
        """The plane of the picked variable at the step on the slider (cached)."""
        return _plane(self.ds, self.index, self.variable.value, self.plane.value)

    def _show_plane(self) -> None:
        import holoviews as hv

        from ..mhd.panels import plot_extent

        variable, plane = self.variable.value, self.plane.value
        values = self.values = self.plane_values()
        second = PLANES[plane][1]
        corners = self._corners[plane]
        data = np.asarray(values.values, dtype=np.float64)
        log = variable in _LOG
        lo, hi = self._colours(variable, plane, data)
        if log:
            data = np.where(data > 0, data, np.nan)
        label = self._quantity(values, variable)
        mesh = hv.QuadMesh(
            (corners["x_corner"].values, corners[f"{second}_corner"].values, data),
            [hv.Dimension("x", label="SM x (Re)"), hv.Dimension(second, label=f"SM {second} (Re)")],
            hv.Dimension(variable, label=label),
        )
        x0, x1, y0, y1 = plot_extent(_VIEW)
        when = f", {_stamp(self.times[self.index])} UT" if self.times.size else ""
        mesh = mesh.opts(
            cmap="RdBu_r" if variable in _SIGNED else "viridis",
            clim=(lo, hi),
            logz=log,
            colorbar=True,
            clabel=label,
            tools=["tap", "hover"],
            line_alpha=0,
            line_width=0,
            # not framewise: the view stays where the user put it (a new line or step does
            # not move it); the colours follow each element's clim
            xlim=(x0, x1),
            ylim=(y0, y1),
            data_aspect=1,
            frame_width=_PLANE_PX,
            frame_height=round(_PLANE_PX * (y1 - y0) / (x1 - x0)),
            title=f"{label.split(' (')[0]}, {plane} plane{when}",
        )
        self.mesh = mesh
        self.plane_view.show(mesh, key=(plane, log), static=self._earth() * self._line_layer)
        _send(self._line_pipe, self._line_xy())

    @staticmethod
    def _earth() -> Any:
        """The Earth: day side white, night side black (kaipy's ``addEarth2D``)."""
        import holoviews as hv

        t = np.linspace(-0.5 * math.pi, 0.5 * math.pi, 61)
        # decorations leave the view alone (apply_ranges=False): it is the plane's
        day = hv.Polygons([{"x": np.cos(t), "y": np.sin(t)}]).opts(
            color="white", line_color="k", apply_ranges=False
        )
        night = hv.Polygons([{"x": -np.cos(t), "y": np.sin(t)}]).opts(
            color="k", line_color="k", apply_ranges=False
        )
        return day * night

    def _line_xy(self) -> dict[str, np.ndarray]:
        """The traced line and its start point on the plane shown (empty without a line)."""
        empty = {"x": np.zeros(0), "b": np.zeros(0), "sx": np.zeros(0), "sb": np.zeros(0)}
        if self.lines is None or self.start is None:
            return empty
        second = PLANES[self.plane.value][1]
        n = int(self.lines["n_points"].values[0])
        x = self.lines["x"].values[0, :n]
        b = self.lines[second].values[0, :n]
        s = self.start
        return {"x": x, "b": b, "sx": np.array([s[0]]), "sb": np.array([s["xyz".index(second)]])}

    @staticmethod
    def _line_element(data: dict[str, np.ndarray]) -> Any:
        import holoviews as hv

        curve = hv.Curve((data["x"], data["b"]), "x", "y").opts(
            color="magenta", line_width=2, apply_ranges=False
        )
        start = hv.Points((data["sx"], data["sb"]), ["x", "y"]).opts(
            color="magenta", size=8, apply_ranges=False
        )
        return curve * start

    def _show_side(self) -> None:
        """The traced line in the x-z and x-y projections, with the Earth, on equal axes."""
        import holoviews as hv

        circle = np.linspace(0, 2 * math.pi, 121)
        ex, ez = np.cos(circle), np.sin(circle)
        if self.lines is None:
            x = z = y = np.zeros(0)
        else:
            n = int(self.lines["n_points"].values[0])
            x, y, z = (self.lines[c].values[0, :n] for c in "xyz")
        # a square view around the line and the Earth (the frame is square: equal scales)
        xs, bs = np.concatenate([x, x, ex]), np.concatenate([z, y, ez])
        ok = np.isfinite(xs) & np.isfinite(bs)
        lo, hi = np.array([xs[ok].min(), bs[ok].min()]), np.array([xs[ok].max(), bs[ok].max()])
        centre, half = 0.5 * (lo + hi), 0.55 * float(np.max(hi - lo))
        view = {
            "xlim": (centre[0] - half, centre[0] + half),
            "ylim": (centre[1] - half, centre[1] + half),
            "framewise": True,
        }
        xdim = hv.Dimension("x", label="SM x (Re)")
        bdim = hv.Dimension("b", label="SM z, SM y (Re)")
        xz = hv.Curve((x, z), xdim, bdim, label="x-z")
        xy = hv.Curve((x, y), xdim, bdim, label="x-y")
        earth = hv.Curve((ex, ez), xdim, bdim)
        self.side_view.show(
            (
                xz.opts(color="firebrick", line_width=2, **view)
                * xy.opts(color="steelblue", line_width=1.5, line_dash="dashed", **view)
                * earth.opts(color="black", **view)
            ).opts(
                title="field line (x-z solid, x-y dashed)",
                frame_width=_SIDE_PX,
                frame_height=_SIDE_PX,
                legend_position="top_right",
            )
        )

    def ionosphere_step(self) -> xr.Dataset | None:
        """The ReMIX step nearest in time to the MHD step shown (None without ReMIX)."""
        mix = self.ionosphere_ds
        if mix is None:
            return None
        if "time" in mix.dims and self.times.size:
            gap = np.abs((mix["time"].values - self.times[self.index]).astype(np.float64))
            return mix.isel(time=int(np.argmin(gap)))
        return mix.isel(time=-1) if "time" in mix.dims else mix

    def _polar_index(self, one: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """Pixels of the polar map and the ReMIX cell each lies in (built once per grid).

        The map is drawn as an image: each pixel shows the value of the cell it lies in (no
        interpolation), which Bokeh draws and updates far faster than thousands of quads.
        """
        colat_edges = np.asarray(one["colat_corner"].values, dtype=np.float64)
        mlt_edges = np.asarray(one["mlt_corner"].values, dtype=np.float64)
        key = (colat_edges.tobytes(), mlt_edges.tobytes())
        if getattr(self, "_polar_key", None) != key:
            edge = float(colat_edges.max())
            # the pixels' centres (HoloViews places an image's pixels by its bounds)
            axis = -edge + (np.arange(_POLAR_PIXELS) + 0.5) * (2.0 * edge / _POLAR_PIXELS)
            px, py = np.meshgrid(axis, axis)  # rows: py (image y), columns: px
            colat = np.hypot(px, py)
            # the inverse of polar_xy: px = colat sin(15 MLT), py = -colat cos(15 MLT)
            mlt = (np.degrees(np.arctan2(px, -py)) / 15.0) % 24.0
            i = np.searchsorted(colat_edges, colat, side="right") - 1
            j = np.searchsorted(mlt_edges, mlt, side="right") - 1
            inside = (i >= 0) & (i < colat_edges.size - 1) & (j >= 0) & (j < mlt_edges.size - 1)
            self._polar_key = key
            self._polar_cells = (np.where(inside, i, 0), np.where(inside, j, 0), inside, edge)
        i, j, inside, edge = self._polar_cells
        return i, j, inside, edge

    def _show_ionosphere(self) -> None:
        import holoviews as hv

        from ..plot.mhd import MHD_DRAWING

        one = self.ionosphere_step()
        if one is None:
            return
        name = self.ionosphere_field.value
        hemi = self.hemisphere.value
        h = one.sel(hemisphere=hemi)
        i, j, inside, edge = self._polar_index(one)
        cells = np.asarray(h[name].transpose("colat", "mlt").values, dtype=np.float64)
        values = np.where(inside, cells[i, j], np.nan)[::-1]  # an image's first row is its top
        if name == "potential":
            lim = float(np.nanmax(np.abs(one["potential"].values))) or 1.0
        else:
            lim = float(MHD_DRAWING["fac_max"].default)
        units = one[name].attrs.get("units", "")
        label = ("potential" if name == "potential" else "FAC, upward +") + f" ({units})"
        image = hv.Image(
            values, ["px", "py"], hv.Dimension(name, label=label),
            bounds=(-edge, -edge, edge, edge),
        )  # fmt: skip
        title = f"ReMIX {hemi} {'potential' if name == 'potential' else 'FAC'}"
        if name == "potential" and "cpcp" in h:
            title += f", CPCP {float(h['cpcp']):.1f} kV"
        if (
            "time" in one.coords
            and self.times.size
            and one["time"].values != self.times[self.index]
        ):
            title += f", {_stamp(one['time'].values)[11:]} UT"  # when it is not the step's
        image = image.opts(
            cmap="RdBu_r", clim=(-lim, lim), colorbar=True, clabel=label, xaxis=None,
            yaxis=None, data_aspect=1, frame_width=_POLAR_PX, frame_height=_POLAR_PX,
            xlim=(-1.15 * edge, 1.15 * edge), ylim=(-1.15 * edge, 1.15 * edge), title=title,
            tools=["hover"],
        )  # fmt: skip
        self.polar_image = image
        self.polar_view.show(image, key=edge, static=self._polar_grid(edge) * self._foot_layer)
        _send(self._foot_pipe, self._foot_xy())

    @staticmethod
    def _polar_grid(edge: float) -> Any:
        """Colatitude rings and the 00, 06, 12, 18 MLT labels (noon up, dawn right)."""
        import holoviews as hv

        from ..plot.mhd import polar_xy

        t = np.linspace(0, 2 * math.pi, 181)
        rings = [
            {"px": r * np.cos(t), "py": r * np.sin(t)}
            for r in np.arange(_RING_STEP_DEG, edge + 1e-9, _RING_STEP_DEG)
        ]
        layer = hv.Path(rings, ["px", "py"]).opts(
            color="grey", line_dash="dotted", line_width=1, apply_ranges=False
        )
        for hour in (0, 6, 12, 18):
            hx, hy = polar_xy(np.array(1.08 * edge), np.array(float(hour)))
            label = hv.Text(float(hx), float(hy), f"{hour:02d}", fontsize=9)
            layer = layer * label.opts(apply_ranges=False)
        return layer

    def _foot_xy(self) -> list[tuple[float, float]]:
        """The traced line's footprint in the hemisphere shown, on the polar map."""
        from ..plot.mhd import polar_xy

        if self.lines is None:
            return []
        out = []
        for hemi, colat, mlt in _footprints(self.lines):
            if hemi == self.hemisphere.value:
                px, py = polar_xy(np.array(colat), np.array(mlt))
                out.append((float(px), float(py)))
        return out

    @staticmethod
    def _foot_element(data: list[tuple[float, float]]) -> Any:
        import holoviews as hv

        return hv.Points(data, ["px", "py"]).opts(
            color="magenta", size=10, marker="x", line_width=3, apply_ranges=False
        )

    # -- clicks ---------------------------------------------------------------------------

    def _clicked(self, x: Any = None, y: Any = None) -> None:
        if x is None or y is None:
            return
        fixed, second = PLANES[self.plane.value]
        point = {"x": float(x), second: float(y), fixed: 0.0}
        self.trace((point["x"], point["y"], point["z"]))

    def trace(self, start: tuple[float, float, float]) -> None:
        """Trace the field line through ``start`` (SM, R_E) and show it with its L*.

        What a click on the plane does. A point whose L* cannot be computed (an open field
        line, a drift shell leaving the grid, a point outside the grid or inside the Earth)
        shows why in the read-out.

        Args:
            start: The start point (x, y, z), SM, R_E.
        """
        self.start = tuple(float(v) for v in start)  # type: ignore[assignment]
        if _WARMUP.state == "compiling":
            self._pending = self.start
            self.compiling.object = (
                "**Compiling the gridded-field kernels** "
                f"({_WARMUP.elapsed():.0f} s so far). This happens once per machine (the "
                "result is cached on disk); the click is traced as soon as they are ready."
            )
            self.compiling.visible = True
            self._watch_compile()
            return
        self.compiling.visible = False
        self._retrace()

    def _watch_compile(self) -> None:
        import panel as pn

        if self._poller is None:
            with contextlib.suppress(Exception):  # no server or notebook: nothing polls
                self._poller = pn.state.add_periodic_callback(self._poll, period=_POLL_MS)

    def _poll(self) -> None:
        if _WARMUP.state == "compiling":
            self.compiling.object = self.compiling.object.split(" (")[0] + (
                f" ({_WARMUP.elapsed():.0f} s so far). This happens once per machine (the "
                "result is cached on disk); the click is traced as soon as they are ready."
            )
            return
        if self._poller is not None:
            self._poller.stop()
            self._poller = None
        self.compiling.visible = False
        if self._pending is not None:
            self._pending = None
            self._retrace()

    def _altitude_km(self) -> float:
        """Where traced lines end: the ReMIX sphere when there is one, else the surface."""
        from .. import config

        mix = self.ionosphere_ds
        radius = mix.attrs.get("ionosphere_radius_km") if mix is not None else None
        if radius is None:
            return 0.0
        return max(0.0, float(radius) - float(config.get().rb.earth_radius_km))

    def _retrace(self) -> None:
        """Trace the line through the start point at the step shown, or clear it."""
        from .. import config
        from ..rb import STATUS
        from ..rb.tracing import END_CODES

        r = math.dist(self.start, (0.0, 0.0, 0.0)) if self.start is not None else 0.0
        surface = 1.0 + self._altitude_km() / float(config.get().rb.earth_radius_km)
        if self.start is None:
            self.lines = self.invariants = None
        elif r <= surface:
            self.lines = self.invariants = None
            self.readout.object = (
                f"**Cannot trace from this point:** it is inside the Earth (r = {r:.2f} Re)."
            )
        else:
            try:
                self.lines, self.invariants = _line(
                    self.ds, self.index, self.start, float(self.pitch_angle.value),
                    self._altitude_km(),
                )  # fmt: skip
            except (GeospacexrError, ValueError) as exc:
                self.lines = self.invariants = None
                self.readout.object = f"**Cannot trace from this point:** {exc}"
            else:
                self.readout.object = self._readout(STATUS, END_CODES)
        _send(self._line_pipe, self._line_xy())
        self._show_side()
        _send(self._foot_pipe, self._foot_xy())

    def _readout(self, status_text: dict[int, str], end_text: dict[int, str]) -> str:
        """L* and the line's ends as a Markdown table, or why L* is missing."""
        assert self.lines is not None and self.invariants is not None and self.start is not None
        inv = self.invariants
        status = int(inv["status"].values[0])
        x, y, z = self.start
        r = math.sqrt(x * x + y * y + z * z)
        rows = ["| quantity | value |", "|---|---|"]
        rows.append(f"| start (SM) | ({x:.2f}, {y:.2f}, {z:.2f}) Re, r = {r:.2f} Re |")
        if status == 0:
            rows.append(f"| **L*** | **{float(inv['lstar'].values[0]):.4f}** |")
            rows.append(f"| Lm | {float(inv['Lm'].values[0]):.4f} |")
            rows.append(f"| K | {float(inv['K'].values[0]):.4g} G^0.5 Re |")
            rows.append(f"| equatorial pitch angle | {float(inv['alpha_eq'].values[0]):.2f} deg |")
            rows.append(f"| Bmin on the line | {float(inv['Bmin'].values[0]):.2f} nT |")
        else:
            why = status_text.get(status, f"status {status}")
            rows.append(f"| **L*** | **none: {why}** |")
        from ..mhd.topology import TOPOLOGY, line_topology

        code = int(line_topology(self.lines)[0])
        rows.append(f"| field line | {TOPOLOGY[code].replace('_', ' ')} |")
        ends = [int(self.lines[e].values[0]) for e in ("end_south", "end_north")]
        for name, end in zip(("towards -B", "towards +B"), ends, strict=True):
            rows.append(f"| end {name} | {end_text.get(end, end)} |")
        for hemi, colat, mlt in _footprints(self.lines):
            rows.append(f"| {hemi} footprint | MLAT {90.0 - colat:.2f} deg, MLT {mlt:.2f} h |")
        inner = float(self.ds.attrs.get("inner_boundary_re", 0.0))
        model = _FIELDS.get((id(self.ds), self.index))
        if model is not None:
            inner = float(model[1].params.get("inner_boundary_re", inner))
        if inner and r < inner:
            rows.append(
                f"| note | inside the grid's inner boundary ({inner:.2f} Re): the dipole "
                "field is used there |"
            )
        return "\n".join(rows)

    # -- redraw ---------------------------------------------------------------------------

    def refresh(self, ionosphere: bool = True, line: bool = True) -> None:
        """Redraw at the step shown; errors become a message.

        Args:
            ionosphere: Redraw the ReMIX panel (a new step; a new variable or plane keeps it).
            line: Trace the line through the clicked point again (a new step's field).
        """
        self.step_label.object = self._label()
        try:
            self._show_plane()
            if ionosphere:
                self._show_ionosphere()
            if line and self.start is not None and self._pending is None:
                self._retrace()  # the line of the new step through the same point
            elif line:
                self._show_side()
            self.message.visible = False
        except (GeospacexrError, ValueError) as exc:
            self.message.object = f"**Cannot draw:** {exc}"
            self.message.visible = True


def explore(
    ds: xr.Dataset,
    ionosphere: xr.Dataset | None = None,
    variable: str = RESIDUAL,
    plane: str = "equatorial",
    step: int = -1,
    pitch_angle: float = 90.0,
) -> Any:
    """A live explorer of an MHD run (a Panel component).

    A step slider, variable and plane pickers drive the equatorial (z = 0) or meridional
    (y = 0) plane; a click on the plane traces the field line through that point in the step's
    gridded field and shows it with the L* of a particle mirroring there (or why there is none:
    an open line, a drift shell leaving the grid...). With the run's ReMIX output, its potential
    or field-aligned current is drawn beside the plane in MLT, with the line's footprint.

    Args:
        ds: An ``mhd`` Dataset on a curvilinear grid (:func:`geospacexr.open_gamera`).
        ionosphere: The run's ReMIX output (:func:`geospacexr.open_remix`).
        variable: ``"dBz"`` (Bz minus the dipole's) or a cell variable (``"Bz"``, ``"P"``...).
        plane: ``"equatorial"`` or ``"meridional"``.
        step: The ``Step#`` number shown first (``-1``: the last).
        pitch_angle: Local pitch angle at the clicked point, degrees.

    Returns:
        The Panel layout.

    Example:
        >>> run = geospacexr.datasets.open_sample("mage-msphere")  # doctest: +SKIP
        >>> mix = geospacexr.datasets.open_sample("mage-remix")  # doctest: +SKIP
        >>> run.mhd.explore(ionosphere=mix, variable="P", plane="meridional")  # doctest: +SKIP
    """
    return MhdExplorer(ds, ionosphere, variable, plane, step, pitch_angle).panel
