"""Numba start-up: the one-line compile notice and :func:`warmup`.

The compiled kernels (:mod:`geospacexr.rb._kernel`) are compiled once for every model (a
model's external field reaches them as a first-class function) and cached on disk by numba.
With a cold cache the first trace or L* compiles them (about half a minute on a small machine)
and each model's first use its own field kernel (seconds; measured numbers: ``docs/rb.md``,
"Compilation and the cache"). :func:`notice` prints
one plain line on stderr when that happens, once per model and process (config
``rb.compile_message`` turns it off); :func:`warmup` compiles everything in advance, with a
progress bar, for users about to go offline or starting a batch of workers.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from numba.core import event

from .. import config
from ..errors import InvalidArgumentError

__all__ = ["notice", "warmup"]

#: Marker keys whose kernels were compiled (notice shown) or found ready in this process.
_SEEN: set[str] = set()
_LOCK = threading.Lock()
_QUIET: contextvars.ContextVar[bool] = contextvars.ContextVar("geospacexr_rb_quiet", default=False)

#: The time used to warm the kernels up (any time works; the tilt and IGRF are then non-trivial).
_WARMUP_TIME = "2017-09-01T12:00"


def _label(model: Any) -> str:
    name = str(model.name)
    if name == "grid":
        return "gridded-field"
    if name == "dipole":
        return "dipole"
    return name.upper()


#: CPU seconds to compile, on a cold cache, the kernels every model shares: the tracer, K and L*
#: with the dipole, IGRF and gridded fields (measured on a 2-core machine: docs/rb.md,
#: "Compilation and the cache"). A model's own kernel adds its ``compile_seconds``.
SHARED_COMPILE_SECONDS = 25.0


def shared_ready() -> bool:
    """Whether the kernels every model shares are compiled (or loaded) in this process."""
    from . import _kernel as K

    return bool(K.invariants_many.signatures)


def estimate(name: str, shared: bool | None = None) -> float:
    """Seconds a model's first L* compiles for on a cold cache (2-core machine).

    Args:
        name: A registered model's name.
        shared: Whether the kernels every model shares compile too (default: when they are
            not ready in this process, see :func:`shared_ready`).

    Returns:
        The model's own kernel's ``compile_seconds``, plus :data:`SHARED_COMPILE_SECONDS`.
    """
    from .models import MODELS

    own = (MODELS[name].compile_seconds or 0.0) if name in MODELS else 0.0
    if shared is None:
        shared = not shared_ready()
    return own + (SHARED_COMPILE_SECONDS if shared else 0.0)


def _message(model: Any, shared: bool) -> str:
    seconds = estimate(str(model.name), shared) if model.name != "grid" else None
    about = f", about {seconds:.0f} s on a 2-core machine" if seconds else ""
    what = f"the {_label(model)} kernels"
    if shared:
        what = f"the tracer and L* kernels (shared by every model) with {what}"
    return (
        f"geospacexr: compiling {what} once{about}; cached afterwards "
        "(`geospacexr warmup` compiles every model in advance)"
    )


class _Notice(event.Listener):
    """A numba ``numba:compile`` listener that prints the notice on the first compile."""

    def __init__(self, key: str, model: Any) -> None:
        self.key = key
        self.model = model
        self.compiled = False

    def on_start(self, ev: Any) -> None:
        if self.compiled:
            return
        self.compiled = True
        with _LOCK:
            first = self.key not in _SEEN
            _SEEN.add(self.key)
        if first and not _QUIET.get() and config.get().rb.compile_message:
            # the first kernel compiling says which: a shared one (the tracer's) or the model's
            py = getattr(ev.data.get("dispatcher"), "py_func", None)
            shared = getattr(py, "__module__", "") == __name__.rsplit(".", 1)[0] + "._kernel"
            shared = shared and py.__name__ != "no_external_field"
            print(_message(self.model, shared), file=sys.stderr, flush=True)

    def on_end(self, ev: Any) -> None:
        pass


@contextlib.contextmanager
def notice(model: Any) -> Iterator[None]:
    """Print the one-line compile notice if the kernels called inside the block compile.

    Numba fires its ``numba:compile`` event only when a kernel is really compiled (not when it
    is loaded from the disk cache), so the line appears only with a cold cache, once per model
    (marker) and process. The line is plain text on stderr (no ``logging``, no ``warnings``:
    it is information, not a problem); config ``rb.compile_message = false`` (or
    ``GEOSPACEXR_RB_COMPILE_MESSAGE=0``) turns it off.

    Args:
        model: The :class:`~geospacexr.rb.models.Model` whose kernels are called.

    Yields:
        Nothing.
    """
    key = _marker_key(model)
    if key in _SEEN:
        yield
        return
    listener = _Notice(key, model)
    event.register("numba:compile", listener)
    try:
        yield
    finally:
        event.unregister("numba:compile", listener)
        if not listener.compiled:
            with _LOCK:
                _SEEN.add(key)


def _marker_key(model: Any) -> str:
    from . import _kernel as K
    from .models import MODELS

    if model.external == "grid":
        return K.GRID.key
    if model.external == "none":
        return K.NO_EXTERNAL.key
    return MODELS[model.external].marker.key


def _steps(model: Any) -> list[tuple[str, Any]]:
    """The calls that compile every kernel a model uses (each on one point)."""
    import numpy as np
    import xarray as xr

    from .invariants import lstar, particles
    from .tracing import footprint, trace

    t = _WARMUP_TIME
    p = particles([-5.0], [0.0], [0.0], [60.0], energy=[1.0], time=t, frame="GSM")
    track = xr.Dataset(
        {v: ("time", [val]) for v, val in zip("xyz", (-5.0, 0.0, 0.0), strict=True)},
        coords={"time": [np.datetime64(t, "ns")]},
        attrs={"frame": "GSM"},
    )
    return [
        ("field", lambda: model.field(-5.0, 0.0, 0.0, time=t)),
        ("trace", lambda: trace(model, [[-5.0, 0.0, 0.0]], time=t)),
        ("footprint", lambda: footprint(track, model)),
        ("L*", lambda: lstar(p, model)),
    ]


def warmup(models: Sequence[str] | None = None, progress: bool = True) -> dict[str, float]:
    """Compile the kernels of field models now (for users about to go offline, or batch jobs).

    Each model's field evaluation, tracer, footprint and L* kernels are compiled (or loaded from
    numba's disk cache when already there) by running them once on one point; later processes
    then start in about a second. Gridded fields (:func:`~geospacexr.rb.models.from_grid`)
    compile their own specialisation on first use and are not included.

    Args:
        models: Registered model names (default: every registered model).
        progress: Show a progress bar (on stderr; in a notebook, a display emptied at the end).

    Returns:
        Seconds spent per model (compile or cache load, plus one tiny run of each kernel).

    Raises:
        UnknownFieldModelError: An unknown model name.
        InvalidArgumentError: A model whose required parameters have no example value.

    Example:
        >>> import geospacexr.rb as rb
        >>> rb.warmup(["t89"], progress=False)  # doctest: +SKIP
        {'t89': 14.2}
    """
    from .._progress import progress as progress_bar
    from .models import MODELS, get

    names = list(MODELS.names() if models is None else models)
    entries = [MODELS[str(n)] for n in names]  # unknown names fail before any work
    built = []
    for entry in entries:
        missing = [p.name for p in entry.parameters if p.required and p.example is None]
        if missing:
            raise InvalidArgumentError(
                f"cannot warm up {entry.name!r}: no example value for {', '.join(missing)}",
                "models",
            )
        built.append((entry.name, get(entry.name, **entry.example())))
    steps = [(name, model, what, call) for name, model in built for what, call in _steps(model)]
    seconds: dict[str, float] = {name: 0.0 for name, _ in built}
    token = _QUIET.set(True)
    try:
        bar = progress_bar(steps, desc="compiling", unit="kernel", show=progress)
        for name, model, what, call in bar:
            bar.set_description(f"compiling {_label(model)} {what}")
            start = time.perf_counter()
            with notice(model):
                call()
            seconds[name] += time.perf_counter() - start
        bar.close()
    finally:
        _QUIET.reset(token)
    return seconds
