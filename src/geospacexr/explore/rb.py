"""The radiation-belt explorer: a field model, a particle, its field line, drift shell and M, K, L*.

No science here: each change calls :func:`geospacexr.rb.trace` and :func:`geospacexr.rb.lstar`;
results are cached per parameter set, so going back to a previous setting is instant.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._caches import BoundedCache
from ..errors import GeospacexrError

__all__ = ["MODELS", "RbExplorer", "explore"]  # noqa: F822  (MODELS: from the registry, below)


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


def _compute(key: tuple[Any, ...]) -> tuple[Any, Any]:
    """Field line and invariants for one parameter set (cached, shared by every session)."""
    found = _RESULTS.get(key)
    if found is None:
        found = _compute_uncached(key)
        _RESULTS.put(key, found)
    return found


def _compute_uncached(key: tuple[Any, ...]) -> tuple[Any, Any]:
    from .. import rb

    name, params, time, x, y, z, pitch, energy = key
    model = rb.models.get(name, **dict(params))
    particle = rb.particles(x, y, z, pitch, energy=energy, time=time, frame="GSM")
    lines = rb.trace(model, particle, frame="GSM")
    return lines, particle.rb.lstar(model)


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
    """

    def __init__(
        self,
        model: str = "t89",
        time: str = "2017-09-01T12:00:00",
        position: tuple[float, float, float] = (-6.0, 0.0, 0.0),
        pitch_angle: float = 45.0,
        energy: float = 1.0,
        defer: bool = False,
    ) -> None:
        import holoviews as hv
        import panel as pn

        if "bokeh" not in hv.Store.renderers:
            hv.extension("bokeh", logo=False)
        from ..rb.models import MODELS as REGISTRY

        self._models = _models()
        self._updating = False
        self.model = pn.widgets.Select(
            name="field model", options=list(self._models), value=str(model).lower()
        )
        self.time = pn.widgets.TextInput(name="time (UT)", value=str(time))
        self.x = pn.widgets.FloatSlider(name="x GSM (Re)", start=-10, end=10, step=0.1, value=0.0)
        self.y = pn.widgets.FloatSlider(name="y GSM (Re)", start=-10, end=10, step=0.1, value=0.0)
        self.z = pn.widgets.FloatSlider(name="z GSM (Re)", start=-5, end=5, step=0.1, value=0.0)
        self.x.value, self.y.value, self.z.value = (float(v) for v in position)
        self.pitch = pn.widgets.FloatSlider(
            name="local pitch angle (deg)", start=5.0, end=90.0, step=1.0, value=pitch_angle
        )
        self.energy = pn.widgets.FloatSlider(
            name="energy (MeV)", start=0.05, end=10.0, step=0.05, value=energy
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
                    name=f"{p.name}{units}", start=lo, end=hi, step=_step(lo, hi),
                    value=min(max(value, lo), hi),
                )  # fmt: skip
        self.readout = pn.pane.Markdown("", min_width=260)
        self.message = pn.pane.Alert("", alert_type="warning", visible=False)
        self.line_plot = pn.pane.HoloViews()
        self.shell_plot = pn.pane.HoloViews()
        for name, widget in self.parameters.items():  # ex.kp, ex.pdyn, ... as attributes too
            if not hasattr(self, name):
                setattr(self, name, widget)
        self._widgets = (
            self.model, self.time, *self.parameters.values(),
            self.x, self.y, self.z, self.pitch, self.energy,
        )  # fmt: skip
        for w in self._widgets:
            w.param.watch(self._changed, "value")
        self.computed = False
        self._show_parameters()
        self.panel = pn.Row(
            pn.Column("## Radiation-belt explorer", *self._widgets, width=320),
            pn.Column(
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
        )

    def data(self) -> tuple[Any, Any]:
        """(traced line Dataset, invariants Dataset) of the current parameters."""
        return _compute(self.key())

    def refresh(self) -> None:
        """Recompute (cached) and redraw; errors and failed particles become a message."""
        import holoviews as hv

        from ..rb import STATUS

        self.computed = True
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
                "| | |",
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
        self.line_plot.object = (
            hv.Curve((x, z), "x GSM (Re)", "z GSM (Re)").opts(color="firebrick", line_width=2)
            * earth
            * hv.Points([(self.x.value, self.z.value)]).opts(color="blue", size=8)
        ).opts(title="field line (x-z)", data_aspect=1, frame_width=380)
        eq = inv["shell_equator"].values[0]
        ok = np.isfinite(eq[:, 0])
        if ok.any():
            ring = np.vstack([eq[ok], eq[ok][:1]])
            shell = hv.Curve((ring[:, 0], ring[:, 1]), "x GSM (Re)", "y GSM (Re)").opts(
                color="darkorange", line_width=2
            )
        else:
            shell = hv.Curve(([], []), "x GSM (Re)", "y GSM (Re)")
        self.shell_plot.object = (shell * earth).opts(
            title="drift shell (minimum-B points)", data_aspect=1, frame_width=380
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
