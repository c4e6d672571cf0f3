"""The radiation-belt explorer: a field model, a particle, its field line, drift shell and M, K, L*.

No science here: each change calls :func:`geospacexr.rb.trace` and :func:`geospacexr.rb.lstar`;
results are cached per parameter set, so going back to a previous setting is instant.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._caches import BoundedCache
from ..errors import GeospacexrError
from .streaming import StreamedPlot, bokeh_backend

__all__ = [  # noqa: F822  (MODELS: from the registry, below)
    "MODELS",
    "SHELL_LOCAL_TIMES",
    "RbExplorer",
    "compile_in_background",
    "compile_message",
    "compile_state",
    "explore",
]

#: Drift-shell resolutions offered (field lines traced around the shell); 12 is the "default"
#: accuracy preset's, the others trace more lines for a smoother shell (and a finer L*).
SHELL_LOCAL_TIMES = (12, 24, 36, 48)
#: Drift-shell resolution of a new explorer.
DEFAULT_SHELL_LOCAL_TIMES = 24
#: How often a session waiting for a background compile looks again, milliseconds.
_POLL_MS = 1000


def _models() -> dict[str, tuple[str, ...]]:
    """Each registered field model and the parameters the explorer offers (its required ones)."""
    from ..rb.models import MODELS as REGISTRY

    return {
        name: tuple(p.name for p in REGISTRY[name].parameters if p.required)
        for name in REGISTRY.names()
    }


def __getattr__(name: str) -> Any:
    if name == "MODELS":  # the models offered and their parameters, read from the registry
        return _models()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _step(lo: float, hi: float) -> float:
    """A round slider step of about 1/200 of the range (1, 2 or 5 times a power of ten)."""
    raw = (hi - lo) / 200.0
    power = 10.0 ** math.floor(math.log10(raw))
    return min((m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw), default=power)


_RESULTS: BoundedCache[tuple[Any, Any]] = BoundedCache(
    "explore.rb.results",
    "cache.explorer_results",
    "field lines and invariants of the radiation-belt explorer, by parameter set",
)


class _Compiler:
    """Compiles field models' kernels in one background thread, one model at a time.

    Numba compiles (or loads from its disk cache) a model's kernels on their first call in a
    process; a cold compile takes from 30 s to a minute on a small machine and would block the
    server's event loop for every session. The app starts this at launch
    (:func:`compile_in_background`); a session whose model is not ready shows a message and
    looks again every second instead of computing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[str] = []
        self._done: set[str] = set()
        self._current: str | None = None
        self._started = 0.0
        self._thread: threading.Thread | None = None

    def start(self, models: Sequence[str]) -> None:
        with self._lock:
            for name in models:
                if name not in self._done and name != self._current and name not in self._queue:
                    self._queue.append(name)
            if self._queue and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(
                    target=self._run, name="geospacexr-rb-compile", daemon=True
                )
                self._thread.start()

    def prioritise(self, name: str) -> None:
        with self._lock:
            if name in self._queue:
                self._queue.remove(name)
                self._queue.insert(0, name)

    def state(self, name: str) -> tuple[str | None, str | None, float]:
        """(state of ``name``, model compiling now, seconds since it started)."""
        with self._lock:
            elapsed = time.monotonic() - self._started if self._current else 0.0
            if name == self._current:
                return "compiling", self._current, elapsed
            if name in self._queue:
                return "queued", self._current, elapsed
            if name in self._done:
                return "ready", self._current, elapsed
            return None, self._current, elapsed

    def _run(self) -> None:
        from ..rb import warmup

        while True:
            with self._lock:
                if not self._queue:
                    self._current = None
                    return
                self._current = self._queue.pop(0)
                self._started = time.monotonic()
            # a model that fails to warm up is marked done: the session computes it and shows
            # the error itself
            with contextlib.suppress(Exception):
                warmup([self._current], progress=False)
            with self._lock:
                self._done.add(self._current)
                self._current = None


_COMPILER = _Compiler()


def compile_in_background(models: Sequence[str] | None = None) -> None:
    """Compile (or load from numba's disk cache) field models' kernels in a background thread.

    ``geospacexr serve`` calls this when the server starts, so that the radiation-belt tab
    computes at once; until a model is ready its explorer shows a "compiling" message instead
    of blocking the server. Models are compiled one at a time, in the order given (a model a
    session asks for moves to the front).

    Args:
        models: Registered model names (default: every model, the explorer's default first).
    """
    from ..rb.models import MODELS as REGISTRY

    names = list(REGISTRY.names()) if models is None else [str(m).lower() for m in models]
    if models is None and "t89" in names:
        names.remove("t89")
        names.insert(0, "t89")
    _COMPILER.start(names)


def compile_state(model: str) -> str | None:
    """Where the background compile of a model stands.

    Args:
        model: A registered model name.

    Returns:
        ``"queued"``, ``"compiling"``, ``"ready"``, or ``None`` when no background compile of
        it was asked for (the explorer then computes directly).
    """
    return _COMPILER.state(str(model).lower())[0]


def compile_message(model: str) -> str | None:
    """The message a session shows while a model's kernels compile in the background.

    Args:
        model: A registered model name.

    Returns:
        Markdown text, or ``None`` when the model is ready (or not compiled in the background).
    """
    from ..rb import compile_estimate as estimate
    from ..rb.models import MODELS as REGISTRY

    name = str(model).lower()
    state, current, elapsed = _COMPILER.state(name)
    if state in (None, "ready"):
        return None
    seconds = estimate(name) if name in REGISTRY else None
    about = f", about {seconds:.0f} s on a 2-core machine" if seconds else ""
    label = "dipole" if name == "dipole" else name.upper()
    if state == "compiling":
        return (
            f"**Compiling the {label} kernels**{about} ({elapsed:.0f} s so far). This happens "
            "once per machine (the result is cached on disk; `geospacexr warmup` does it in "
            "advance); the explorer updates by itself when it is done."
        )
    other = "dipole" if current == "dipole" else str(current).upper()
    return (
        f"**Waiting to compile the {label} kernels**{about}: the {other} kernels are compiling "
        "now. The explorer updates by itself when they are ready."
    )


def _compute(key: tuple[Any, ...]) -> tuple[Any, Any]:
    """Field line and invariants for one parameter set (cached, shared by every session)."""
    found = _RESULTS.get(key)
    if found is None:
        found = _compute_uncached(key)
        _RESULTS.put(key, found)
    return found


def _compute_uncached(key: tuple[Any, ...]) -> tuple[Any, Any]:
    from .. import rb

    name, params, when, x, y, z, pitch, energy, *shell = key
    model = rb.models.get(name, **dict(params))
    particle = rb.particles(x, y, z, pitch, energy=energy, time=when, frame="GSM")
    lines = rb.trace(model, particle, frame="GSM")
    accuracy = {"n_local_times": int(shell[0])} if shell else None
    return lines, particle.rb.lstar(model, accuracy=accuracy)


class RbExplorer:
    """Widgets, plots and read-outs of the radiation-belt explorer; ``.panel`` is the layout.

    Args:
        model: Initial model name (a registered field model, see
            :func:`geospacexr.rb.models.list_models`; its required parameters get sliders).
        time: UT time (sets the dipole tilt and the IGRF epoch).
        position: Start position (x, y, z) in GSM, Re.
        pitch_angle: Local pitch angle, degrees.
        energy: Kinetic energy (electrons), MeV.
        defer: Do not compute until :meth:`refresh` is called (the app computes when its tab is
            first shown).
        shell_local_times: Field lines traced around the drift shell (one of
            :data:`SHELL_LOCAL_TIMES`).

    When the model's kernels are compiling in the background (:func:`compile_in_background`,
    started by ``geospacexr serve``), the explorer shows a message with the expected time and
    computes as soon as they are ready.
    """

    def __init__(
        self,
        model: str = "t89",
        time: str = "2017-09-01T12:00:00",
        position: tuple[float, float, float] = (-6.0, 0.0, 0.0),
        pitch_angle: float = 45.0,
        energy: float = 1.0,
        defer: bool = False,
        shell_local_times: int = DEFAULT_SHELL_LOCAL_TIMES,
    ) -> None:
        import panel as pn

        bokeh_backend()  # once; no second copy of the notebook loaders
        from ..rb.models import MODELS as REGISTRY

        self._models = _models()
        self._updating = False
        self.model = pn.widgets.Select(
            label="field model", options=list(self._models), value=str(model).lower()
        )
        self.time = pn.widgets.TextInput(label="time (UT)", value=str(time))
        self.x = pn.widgets.FloatSlider(label="x GSM (Re)", start=-10, end=10, step=0.1, value=0.0)
        self.y = pn.widgets.FloatSlider(label="y GSM (Re)", start=-10, end=10, step=0.1, value=0.0)
        self.z = pn.widgets.FloatSlider(label="z GSM (Re)", start=-5, end=5, step=0.1, value=0.0)
        self.x.value, self.y.value, self.z.value = (float(v) for v in position)
        self.pitch = pn.widgets.FloatSlider(
            label="local pitch angle (deg)", start=5.0, end=90.0, step=1.0, value=pitch_angle
        )
        self.energy = pn.widgets.FloatSlider(
            label="energy (MeV)", start=0.05, end=10.0, step=0.05, value=energy
        )
        #: Drift-shell resolution: the number of field lines traced around the shell.
        self.shell_local_times = pn.widgets.Select(
            label="drift-shell local times",
            options=list(SHELL_LOCAL_TIMES),
            value=int(shell_local_times),
        )
        #: One slider per model parameter (shared by models that declare the same name; its
        #: range follows the selected model's declaration).
        self.parameters: dict[str, Any] = {}
        for name, used in self._models.items():
            for p in REGISTRY[name].parameters:
                if p.name not in used or p.name in self.parameters:
                    continue
                lo, hi = p.slider
                value = p.example if p.example is not None else 0.5 * (lo + hi)
                units = f" ({p.units})" if p.units != "1" else ""
                self.parameters[p.name] = pn.widgets.FloatSlider(
                    label=f"{p.name}{units}", start=lo, end=hi, step=_step(lo, hi),
                    value=min(max(value, lo), hi),
                )  # fmt: skip
        self.readout = pn.pane.Markdown("", min_width=260)
        self.message = pn.pane.Alert("", alert_type="warning", visible=False)
        #: Shown while the model's kernels compile in the background.
        self.compiling = pn.pane.Alert("", alert_type="info", visible=False)
        self.progress = pn.indicators.Progress(
            active=True, value=-1, visible=False, sizing_mode="stretch_width", max_width=400
        )
        self._poller: Any = None
        self.line_plot = pn.pane.HoloViews()
        self.shell_plot = pn.pane.HoloViews()
        #: The two plots, redrawn by streaming into their figures (each built once).
        self.line_view = StreamedPlot(self.line_plot)
        self.shell_view = StreamedPlot(self.shell_plot)
        for name, widget in self.parameters.items():  # ex.kp, ex.pdyn, ... as attributes too
            if not hasattr(self, name):
                setattr(self, name, widget)
        self._widgets = (
            self.model, self.time, *self.parameters.values(),
            self.x, self.y, self.z, self.pitch, self.energy, self.shell_local_times,
        )  # fmt: skip
        for w in self._widgets:
            w.param.watch(self._changed, "value")
        self.computed = False
        self._show_parameters()
        self.panel = pn.Row(
            pn.Column(pn.pane.Markdown("## Radiation-belt explorer"), *self._widgets, width=320),
            pn.Column(
                self.compiling,
                self.progress,
                self.message,
                self.readout,
                pn.Row(self.line_plot, self.shell_plot),
                sizing_mode="stretch_width",
            ),
            sizing_mode="stretch_width",
        )
        if not defer:
            self.refresh()

    def _show_parameters(self) -> None:
        from ..rb.models import MODELS as REGISTRY

        declared = {p.name: p for p in REGISTRY[self.model.value].parameters}
        used = self._models[self.model.value]
        self._updating = True
        try:
            for name, widget in self.parameters.items():
                widget.visible = name in used
                if name in used:  # the selected model's range
                    lo, hi = declared[name].slider
                    widget.param.update(
                        start=lo, end=hi, step=_step(lo, hi), value=min(max(widget.value, lo), hi)
                    )
        finally:
            self._updating = False

    def _changed(self, event: Any) -> None:
        if self._updating:
            return
        if event.obj is self.model:
            self._show_parameters()
        self.refresh()

    def _watch_compile(self) -> None:
        import panel as pn

        if self._poller is None:
            self._poller = pn.state.add_periodic_callback(self._poll, period=_POLL_MS)

    def _poll(self) -> None:
        """Periodic check while compiling: update the message, compute once ready."""
        waiting = compile_message(self.model.value)
        if waiting is None:
            if self._poller is not None:
                self._poller.stop()
                self._poller = None
            self.refresh()
        else:
            self.compiling.object = waiting

    def key(self) -> tuple[Any, ...]:
        """The parameter set of the current widgets (the cache key)."""
        params = tuple((n, float(self.parameters[n].value)) for n in self._models[self.model.value])
        return (
            self.model.value,
            params,
            self.time.value.strip() or None,
            float(self.x.value),
            float(self.y.value),
            float(self.z.value),
            float(self.pitch.value),
            float(self.energy.value),
            int(self.shell_local_times.value),
        )

    def data(self) -> tuple[Any, Any]:
        """(traced line Dataset, invariants Dataset) of the current parameters."""
        return _compute(self.key())

    def refresh(self) -> None:
        """Recompute (cached) and redraw; errors and failed particles become a message."""
        import holoviews as hv

        from ..rb import STATUS

        self.computed = True
        waiting = compile_message(self.model.value)
        self.compiling.object = waiting or ""
        self.compiling.visible = self.progress.visible = waiting is not None
        if waiting is not None:  # compiling in the background: look again later
            _COMPILER.prioritise(self.model.value)
            self._watch_compile()
            return
        try:
            lines, inv = self.data()
        except (GeospacexrError, ValueError) as exc:
            self.message.object = f"**Cannot compute:** {exc}"
            self.message.visible = True
            return
        status = int(inv["status"].values[0])
        self.message.visible = status != 0
        if status:
            self.message.object = f"**Status {status}:** {STATUS[status]}"
        values = {v: float(inv[v].values[0]) for v in ("lstar", "K", "Lm", "alpha_eq", "Bm", "M")}
        self.readout.object = "\n".join(
            [
                "| quantity | value |",
                "|---|---|",
                f"| L* | {values['lstar']:.4f} |",
                f"| K | {values['K']:.4g} G^0.5 Re |",
                f"| Lm | {values['Lm']:.4f} |",
                f"| M | {values['M']:.4g} MeV/G |",
                f"| equatorial pitch angle | {values['alpha_eq']:.2f} deg |",
                f"| mirror field Bm | {values['Bm']:.1f} nT |",
            ]
        )
        n = int(lines["n_points"].values[0])
        x, z = lines["x"].values[0, :n], lines["z"].values[0, :n]
        circle = np.linspace(0, 2 * math.pi, 121)
        earth = hv.Curve((np.cos(circle), np.sin(circle))).opts(color="black")
        # framewise: each new line or shell, streamed into its figure, brings its own ranges
        self.line_view.show(
            (
                hv.Curve((x, z), "x GSM (Re)", "z GSM (Re)").opts(
                    color="firebrick", line_width=2, framewise=True
                )
                * earth
                * hv.Points([(self.x.value, self.z.value)]).opts(color="blue", size=8)
            ).opts(title="field line (x-z)", data_aspect=1, frame_width=380)
        )
        eq = inv["shell_equator"].values[0]
        ok = np.isfinite(eq[:, 0])
        if ok.any():
            ring = np.vstack([eq[ok], eq[ok][:1]])
            shell = hv.Curve((ring[:, 0], ring[:, 1]), "x GSM (Re)", "y GSM (Re)").opts(
                color="darkorange", line_width=2, framewise=True
            )
        else:
            shell = hv.Curve(([], []), "x GSM (Re)", "y GSM (Re)").opts(framewise=True)
        self.shell_view.show(
            (shell * earth).opts(
                title=f"drift shell (minimum-B points, {int(ok.sum())} local times)",
                data_aspect=1,
                frame_width=380,
            )
        )


def explore(**kwargs: Any) -> Any:
    """A live radiation-belt explorer (a Panel component).

    Args:
        **kwargs: Initial settings of :class:`RbExplorer` (``model``, ``time``, ``position``,
            ``pitch_angle``, ``energy``).

    Returns:
        The Panel layout.
    """
    return RbExplorer(**kwargs).panel
