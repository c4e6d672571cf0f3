"""Magnetic-field models: the field-model registry, analytic models and gridded fields.

``get(name, **params)`` returns a :class:`Model`; every model evaluates B at many points in one
call (:meth:`Model.field`) and hands a marker and packed parameters to the compiled tracer
(:meth:`Model.kernel_args`).

The registry is the one place a model is declared: :func:`register_model` records its
parameters (units, valid and fitted ranges, defaults), its compiled kernel and its references;
:func:`get`, the tracer's compile-time dispatch, the explorer's model list and widgets and the
table in the documentation all read it. :func:`list_models` lists the models
(``details=True``: everything declared). External models (T89, T96, TS05 and any registered
kernel) are added to an internal field: ``internal="igrf"`` (default) or ``"dipole"`` (then
``moment``: B0 in nT, or ``"igrf"`` for the IGRF dipole term of the date).

The analytic models work in GSM; the dipole tilt comes from the time (geopack's convention:
positive when the northern magnetic pole leans towards the Sun) and is zero when ``time=None``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from .._registry import Registry
from ..errors import InvalidArgumentError, UnknownNameError
from . import _kernel as K

__all__ = [
    "FieldModel",
    "Model",
    "Parameter",
    "UnknownFieldModelError",
    "available",
    "from_grid",
    "get",
    "list_models",
    "register",
    "register_model",
    "table",
]

_INF = math.inf


class UnknownFieldModelError(UnknownNameError, InvalidArgumentError):
    """An unknown field-model name (an :class:`UnknownNameError` and an InvalidArgumentError).

    Args:
        message: What was looked up and the known names.
        name: The unknown name.
        candidates: Close matches, best first.
    """

    def __init__(self, message: str, name: str | None = None, candidates: tuple[str, ...] = ()):
        # "name: ..." as every InvalidArgumentError names its argument
        super().__init__(f"name: {message}", name=name, candidates=candidates)
        self.argument = "name"


@dataclass(frozen=True)
class Parameter:
    """One parameter of a field model, as declared in the registry.

    Attributes:
        name: Keyword of :func:`get` (lower case).
        units: Units (``"1"`` for dimensionless numbers).
        description: What it is, in a few words.
        default: Value used when the parameter is not given (None: no value; the model decides,
            e.g. the dipole's tilt from the time).
        required: The model cannot be built without it.
        valid: Hard limits (inclusive): values outside raise InvalidArgumentError.
        fitted: The range of the data the model was fitted to (outside it the model warns and
            extrapolates), or None.
        span: The range offered by the explorer's slider (default: ``fitted``, else ``valid``).
        example: An ordinary value (documentation, warm-up, the explorer's starting value).
    """

    name: str
    units: str = "1"
    description: str = ""
    default: float | None = None
    required: bool = False
    valid: tuple[float, float] = (-_INF, _INF)
    fitted: tuple[float, float] | None = None
    span: tuple[float, float] | None = None
    example: float | None = None

    @property
    def slider(self) -> tuple[float, float]:
        """The explorer's slider range: ``span``, else ``fitted``, else a finite ``valid``."""
        for rng in (self.span, self.fitted, self.valid):
            if rng is not None and all(math.isfinite(v) for v in rng):
                return rng
        v = self.example if self.example is not None else 0.0
        return (v - 10.0, v + 10.0)

    def describe(self) -> dict[str, Any]:
        """The declaration as a dict (for :func:`list_models` with ``details=True``).

        Returns:
            The attributes, ranges as lists.
        """
        return {
            "name": self.name,
            "units": self.units,
            "description": self.description,
            "default": self.default,
            "required": self.required,
            "valid": list(self.valid),
            "fitted": None if self.fitted is None else list(self.fitted),
            "example": self.example,
        }


@dataclass(frozen=True)
class FieldModel:
    """A registry entry: everything declared about one field model.

    Attributes:
        name: Registry name (lower case).
        description: One line.
        factory: Builds the :class:`Model` from :func:`get`'s keywords.
        parameters: The model's own parameters.
        kernel: The compiled external field ``kernel(par, ps, x, y, z) -> (bx, by, bz)`` (None
            for internal-only models).
        references: Papers and data sources.
        pack: ``pack(params) -> numbers``: the kernel's ``par`` from the model's parameters
            (default: the parameters' values in declaration order).
        validate: ``validate(params)``: further checks (warnings outside the fitted ranges).
        compile_seconds: Measured cold-cache compile time of the kernel, seconds (for the
            one-line notice; see docs/rb.md, "Compilation and the cache").
    """

    name: str
    description: str
    factory: Callable[..., Model]
    parameters: tuple[Parameter, ...] = ()
    kernel: Any = None
    references: tuple[str, ...] = ()
    pack: Callable[[Mapping[str, Any]], Sequence[float]] | None = None
    validate: Callable[[Mapping[str, float]], None] | None = None
    compile_seconds: float | None = None

    @property
    def external(self) -> bool:
        """Whether the model has an external (compiled kernel) field."""
        return self.kernel is not None

    @functools.cached_property
    def marker(self) -> K.ExternalModel:
        """The marker that hands this model's kernel to the compiled tracer (a function)."""
        if self.kernel is None:
            return K.NO_EXTERNAL
        return K.external_model(f"{self.name}-{K.kernel_token(self.kernel)}", self.kernel)

    def packed(self, params: Mapping[str, Any]) -> np.ndarray:
        """The kernel's parameter array ``par`` for a model's parameters.

        Args:
            params: The model's parameters (:attr:`Model.params`).

        Returns:
            float64 array.
        """
        if self.pack is not None:
            values = self.pack(params)
        else:
            values = [params[p.name] for p in self.parameters if params.get(p.name) is not None]
        return np.asarray(values, dtype=np.float64).reshape(-1)

    def example(self) -> dict[str, float]:
        """Keywords of :func:`get` that build this model with ordinary values.

        Returns:
            ``{name: example}`` for every parameter with an example value.
        """
        return {p.name: p.example for p in self.parameters if p.example is not None}

    def describe(self) -> dict[str, Any]:
        """The entry as a dict (:func:`list_models` with ``details=True``).

        Returns:
            ``name``, ``description``, ``parameters`` (dicts), ``references``, ``external``,
            ``kernel`` (qualified name or None) and ``compile_seconds``.
        """
        kernel = None
        if self.kernel is not None:
            py = getattr(self.kernel, "py_func", self.kernel)
            kernel = f"{py.__module__}.{py.__qualname__}"
        return {
            "name": self.name,
            "description": self.description,
            "parameters": [p.describe() for p in self.parameters],
            "references": list(self.references),
            "external": self.external,
            "kernel": kernel,
            "compile_seconds": self.compile_seconds,
        }


def _load_builtin() -> None:
    """Register the built-in models (run once, before the registry's first lookup)."""
    _register_internal_models()
    from . import _ts05, tsyganenko  # noqa: F401  (their modules register t89, t96, ts05)


#: The field-model registry (names are case-insensitive).
MODELS: Registry[FieldModel] = Registry(
    "field model", loader=_load_builtin, error=UnknownFieldModelError, case_sensitive=False
)


def register_model(
    name: str,
    kernel: Any = None,
    *,
    parameters: Sequence[Parameter] = (),
    description: str | None = None,
    references: Sequence[str] = (),
    factory: Callable[..., Model] | None = None,
    pack: Callable[[Mapping[str, Any]], Sequence[float]] | None = None,
    validate: Callable[[Mapping[str, float]], None] | None = None,
    compile_seconds: float | None = None,
    replace: bool = False,
) -> Any:
    """Declare a field model: its parameters, its compiled kernel and its references.

    The usual form decorates the model's compiled external field (the contract of the kernel:
    ``kernel(par, ps, x, y, z) -> (bx, by, bz)``, a ``numba.njit`` function taking the packed
    parameters ``par`` (float64 array), the dipole tilt ``ps`` (radians) and one GSM position
    (Re), returning the external field in GSM, nT)::

        @register_model("uniform", parameters=[Parameter("bz", "nT", required=True)])
        @numba.njit(cache=True)
        def uniform(par, ps, x, y, z):
            return 0.0, 0.0, par[0]

    :func:`get` then builds the model (the declared parameters are checked against ``valid``,
    then ``validate`` runs; ``internal`` and ``moment`` select the internal field), and the
    kernel compiles on first use for the one signature the tracer calls it with (cached on
    disk; the tracer itself is shared by every model).

    Args:
        name: Registry name (case-insensitive).
        kernel: The compiled kernel (or pass it by decorating it).
        parameters: The model's parameters, in the order ``par`` holds them.
        description: One line (default: the first line of the kernel's or factory's docstring).
        references: Papers and data sources.
        factory: Instead of a kernel: a function building the :class:`Model` from :func:`get`'s
            keywords (internal-only models such as ``"dipole"``).
        pack: ``pack(params) -> numbers`` when ``par`` is not simply the parameters in order.
        validate: ``validate(params)`` for checks beyond ``valid`` (e.g. warnings outside the
            fitted ranges).
        compile_seconds: Measured cold-cache compile time of the kernel (for the notice).
        replace: Replace an entry of the same name (default: refuse).

    Returns:
        The registered :class:`FieldModel` when ``kernel`` or ``factory`` is given, else a
        decorator that registers the kernel and returns it unchanged.

    Raises:
        InvalidArgumentError: The name is taken (without ``replace``), the kernel is not a
            numba-compiled function, or both or neither of kernel and factory are usable.
    """
    if kernel is None and factory is None:

        def deco(func: Any) -> Any:
            register_model(
                name, func, parameters=parameters, description=description,
                references=references, pack=pack, validate=validate,
                compile_seconds=compile_seconds, replace=replace,
            )  # fmt: skip
            return func

        return deco
    if kernel is not None and factory is not None:
        raise InvalidArgumentError("give a kernel or a factory, not both", "factory")
    if kernel is not None and not hasattr(kernel, "py_func"):
        raise InvalidArgumentError(
            "the kernel must be compiled with numba.njit (it is called from compiled code)",
            "kernel",
        )
    key = str(name).lower()
    doc = getattr(getattr(kernel, "py_func", None) or factory, "__doc__", None) or ""
    entry = FieldModel(
        name=key,
        description=description or (doc.strip().splitlines() or [key])[0],
        factory=factory,  # type: ignore[arg-type]  (set below for kernels)
        parameters=tuple(parameters),
        kernel=kernel,
        references=tuple(references),
        pack=pack,
        validate=validate,
        compile_seconds=compile_seconds,
    )
    if factory is None:
        object.__setattr__(entry, "factory", functools.partial(_external, entry))
    names = [p.name for p in entry.parameters]
    if len(set(names)) != len(names) or (
        kernel is not None and {"internal", "moment"} & set(names)
    ):
        raise InvalidArgumentError(
            f"parameter names must be unique and not 'internal' or 'moment', got {names}",
            "parameters",
        )
    if key in MODELS and not replace:  # (looking the name up loads the built-in models first)
        raise InvalidArgumentError(
            f"a field model named {key!r} is already registered (pass replace=True to replace it)",
            "name",
        )
    return MODELS.add(key, entry, replace=True)


def register(name: str) -> Callable[[Callable[..., Model]], Callable[..., Model]]:
    """Decorator adding a model factory to the registry (older form of :func:`register_model`).

    Args:
        name: Registry name (case-insensitive).

    Returns:
        The decorator; it registers ``func`` as the factory of ``name`` (replacing an entry of
        that name) and returns it unchanged.
    """

    def deco(func: Callable[..., Model]) -> Callable[..., Model]:
        register_model(name, factory=func, replace=True)
        return func

    return deco


def list_models(details: bool = False) -> list[str] | list[dict[str, Any]]:
    """The registered field models.

    Args:
        details: Return one dict per model (name, description, parameters with units and
            ranges, references, kernel) instead of the names.

    Returns:
        The sorted names, or the dicts in the same order.
    """
    if details:
        return [MODELS[n].describe() for n in MODELS.names()]
    return MODELS.names()


def available() -> list[str]:
    """Names of the registered models (the same as :func:`list_models`).

    Returns:
        The names accepted by :func:`get`.
    """
    return MODELS.names()


def get(name: str, **params: Any) -> Model:
    """A field model from the registry.

    Args:
        name: A registered name (:func:`list_models`): ``"dipole"``, ``"igrf"``, ``"t89"``,
            ``"t96"``, ``"ts05"`` or one you registered.
        **params: The model's parameters (:func:`list_models` with ``details=True``, or the
            table in the documentation); external models also take ``internal`` and ``moment``.

    Returns:
        The :class:`Model`.

    Raises:
        UnknownFieldModelError: Unknown name (an InvalidArgumentError and a KeyError).
        InvalidArgumentError: Unknown, missing or out-of-range parameter.
    """
    return MODELS[str(name)].factory(**params)


def _external(entry: FieldModel, **given: Any) -> Model:
    """The factory of a registered external model: checks the declared parameters."""
    internal = given.pop("internal", "igrf")
    moment = given.pop("moment", None)
    known = [p.name for p in entry.parameters]
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise InvalidArgumentError(
            f"{entry.name.upper()} takes {', '.join([*known, 'internal', 'moment'])}; "
            f"unknown: {', '.join(unknown)}",
            unknown[0],
        )
    values: dict[str, Any] = {}
    for p in entry.parameters:
        value = given.get(p.name)
        if value is None:
            if p.required:
                lo, hi = p.valid
                rng = f" ({lo:g}-{hi:g})" if math.isfinite(lo) and math.isfinite(hi) else ""
                raise InvalidArgumentError(f"{entry.name.upper()} needs {p.name}{rng}", p.name)
            if p.default is None:
                continue
            value = p.default
        values[p.name] = _finite(value, p.name, *p.valid)
    if entry.validate is not None:
        entry.validate(values)
    inner, m = _internal(internal, moment)
    return Model(entry.name, inner, entry.name, {**values, "internal": inner}, moment=m)


def table() -> str:
    """The registry as the Markdown table of the documentation (``docs/rb.md``).

    ``tests/rb/test_models_registry.py`` checks that the documentation holds this table;
    ``python docs/make_model_table.py`` writes it there.

    Returns:
        The table: one row per model with its description, parameters (units, valid range,
        fitted range, required or default) and references.
    """

    def rng(r: tuple[float, float] | None) -> str:
        if r is None:
            return ""
        lo, hi = r
        if math.isfinite(lo) and math.isfinite(hi):
            return f"{lo:g} to {hi:g}"
        if math.isfinite(lo):
            return f">= {lo:g}"
        return f"<= {hi:g}" if math.isfinite(hi) else ""

    rows = ["| model | description | parameters | references |", "|---|---|---|---|"]
    for name in MODELS.names():
        e = MODELS[name]
        params = []
        for p in e.parameters:
            bits = [b for b in (p.units if p.units != "1" else "", rng(p.valid)) if b]
            if p.fitted is not None:
                bits.append(f"fitted {rng(p.fitted)}")
            bits.append("required" if p.required else "optional")
            params.append(f"`{p.name}` ({', '.join(bits)}): {p.description}")
        rows.append(
            f"| `{name}` | {e.description} | {'<br>'.join(params) or '-'} | "
            f"{'<br>'.join(e.references) or '-'} |"
        )
    return "\n".join(rows)


def _time(time: Any) -> np.datetime64 | None:
    if time is None:
        return None
    try:
        t = np.datetime64(time, "ns")
    except (ValueError, TypeError) as exc:
        raise InvalidArgumentError(f"not a time: {time!r}", "time") from exc
    if np.isnat(t):
        raise InvalidArgumentError("time is NaT", "time")
    return t


def _finite(value: Any, argument: str, low: float = -np.inf, high: float = np.inf) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"must be a number, got {value!r}", argument) from exc
    if not np.isfinite(v) or not (low <= v <= high):
        raise InvalidArgumentError(f"must be a finite number in [{low}, {high}], got {v}", argument)
    return v


@dataclass(frozen=True, eq=False)
class Model:
    """A magnetic-field model: an internal field plus an optional external one, or a grid.

    Attributes:
        name: Registry name (``"grid"`` for gridded fields).
        internal: ``"dipole"``, ``"igrf"`` (or ``"none"``).
        external: ``"none"``, ``"grid"`` or the registry name of an external model.
        params: The model parameters as given (recorded in results' attrs).
        tilt: Fixed dipole tilt (degrees) of a dipole model, or None (from the time).
        moment: Dipole B0 (nT), or ``"igrf"``.
        grid: The ``"bfield"`` Dataset of a gridded model.
        frame: The frame the model is traced in (GSM, or the grid's frame).
    """

    name: str
    internal: str
    external: str = "none"
    params: dict[str, Any] = field(default_factory=dict)
    tilt: float | None = None
    moment: float | str | None = None
    grid: xr.Dataset | None = None
    frame: str = "GSM"
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    # ----------------------------------------------------------------- geometry of the date
    def dipole_tilt(self, time: Any = None) -> float:
        """The dipole tilt used at ``time``, radians (0 without a time; a fixed ``tilt``).

        Args:
            time: UT time or None.

        Returns:
            The tilt angle ps, radians.
        """
        if self.tilt is not None:
            return math.radians(self.tilt)
        t = _time(time)
        if t is None:
            return 0.0
        from .frames import dipole_tilt

        return float(dipole_tilt(t))

    def dipole_moment(self, time: Any = None) -> float:
        """The dipole moment B0 (nT Re^3) used for the internal field and for L*.

        For IGRF (and ``moment="igrf"``) this is the IGRF dipole term of the date, as in Roederer's
        definition of L* with the field's own moment.

        Args:
            time: UT time (needed for IGRF).

        Returns:
            B0 in nT (the equatorial surface field of the dipole).
        """
        if self.internal == "igrf" or self.moment == "igrf":
            from .igrf import dipole_coefficients

            t = _time(time)
            if t is None:
                raise InvalidArgumentError("the IGRF field needs a time", "time")
            g10, g11, h11 = dipole_coefficients(t)
            return float(math.sqrt(g10 * g10 + g11 * g11 + h11 * h11))
        if self.moment is not None:
            return float(self.moment)
        return float(config.get().rb.dipole_moment_nt)

    def kernel_args(self, time: Any = None) -> tuple[Any, ...]:
        """The marker and packed arrays the compiled kernels take (see :mod:`~.rb._kernel`).

        Args:
            time: UT time (dipole tilt, IGRF epoch, GSM orientation).

        Returns:
            ``(em, ip, fp, gh, gx, gy, gz, gb, gc, gk)``: ``em`` the registry's marker of the
            external model (its kernel, as a first-class function), then the arrays.
        """
        t = _time(time)
        ps = self.dipole_tilt(t)
        packed: np.ndarray = np.zeros(0)
        if self.external == "none":
            em = K.NO_EXTERNAL
        elif self.external == "grid":
            em = K.GRID
            packed = self.arrays.get("bg", np.zeros(0))  # the background dipole, if any
        else:
            entry = MODELS[self.external]
            if entry.kernel is None:
                raise InvalidArgumentError(
                    f"the external field {self.external!r} of model {self.name!r} is not a "
                    "registered kernel (see register_model)",
                    "model",
                )
            em = entry.marker
            packed = entry.packed(self.params)
        ip = np.zeros(K.IP_SIZE, dtype=np.int64)
        fp = np.zeros(K.FP_SIZE + packed.size)
        fp[K.FP_PARMOD :] = packed
        gh = np.zeros(1)
        fp[K.FP_PS] = ps
        fp[K.FP_B0] = self.dipole_moment(t) if self.internal != "none" else 0.0
        if self.frame == "SM":
            fp[K.FP_AXIS : K.FP_AXIS + 3] = (0.0, 0.0, 1.0)
        else:
            fp[K.FP_AXIS : K.FP_AXIS + 3] = (math.sin(ps), 0.0, math.cos(ps))
        ip[0] = {"none": K.INTERNAL_NONE, "dipole": K.INTERNAL_DIPOLE, "igrf": K.INTERNAL_IGRF}[
            self.internal
        ]
        if self.internal == "igrf":
            from .frames import rotation
            from .igrf import NMAX, coefficients

            gh = np.ascontiguousarray(coefficients(t), dtype=np.float64)
            ip[1] = NMAX
            fp[K.FP_ROT : K.FP_ROT + 9] = np.asarray(rotation(self.frame, "GEO", t)).ravel()
        one = np.zeros(1)
        gx = gy = gz = one
        gb = np.zeros((1, 1, 1, 3))
        gc = np.zeros((1, 1, 1, 3))
        gk = np.zeros(1, dtype=np.int64)
        if em is K.GRID:
            ip[K.IP_GRID] = 1
            a = self.arrays
            gx, gy, gz, gb = a["gx"], a["gy"], a["gz"], a["gb"]
            gc, gk = a["gc"], a["gk"]
            fp[K.FP_RINNER] = float(self.params.get("inner_boundary_re", 0.0))
        return em, ip, fp, gh, gx, gy, gz, gb, gc, gk

    # ----------------------------------------------------------------- evaluation
    def field(
        self, x: Any, y: Any, z: Any, time: Any = None, frame: str = "GSM"
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """B at many points (arrays of any shape, Re) in one call.

        Args:
            x: Positions, Re, in ``frame``.
            y: Positions, Re.
            z: Positions, Re.
            time: UT time (tilt, IGRF epoch, frame orientation); None: zero tilt (then only
                the GSM and SM frames, which coincide, are accepted).
            frame: Frame of the positions and of the returned field.

        Returns:
            ``(Bx, By, Bz)`` in nT, in ``frame``, shaped like the broadcast inputs.
        """
        xa, ya, za = np.broadcast_arrays(
            np.asarray(x, dtype=float), np.asarray(y, dtype=float), np.asarray(z, dtype=float)
        )
        shape = xa.shape
        t = _time(time)
        xs, ys, zs = to_model_frame(self, xa.ravel(), ya.ravel(), za.ravel(), frame, t)
        from ._startup import notice

        with notice(self):
            bx, by, bz = K.field_many(
                *self.kernel_args(t),
                np.ascontiguousarray(xs),
                np.ascontiguousarray(ys),
                np.ascontiguousarray(zs),
            )
        bx, by, bz = from_model_frame(self, bx, by, bz, frame, t)
        return bx.reshape(shape), by.reshape(shape), bz.reshape(shape)

    def describe(self) -> dict[str, Any]:
        """The model and its parameters as flat attrs (for results).

        Returns:
            A dict of NetCDF-storable values.
        """
        out: dict[str, Any] = {
            "field_model": self.name,
            "internal_field": self.internal,
            "external_field": self.external,
        }
        for k, v in self.params.items():
            if v is None:
                continue
            out[f"model_{k}"] = v if isinstance(v, (int, float, str)) else str(v)
        return out


def _check_frame(frame: str, argument: str = "frame") -> str:
    from .frames import FRAMES

    f = str(frame).upper()
    if f not in FRAMES:
        raise InvalidArgumentError(
            f"unknown frame {frame!r}; known frames: {', '.join(FRAMES)}", argument
        )
    return f


def _sm_gsm(
    model: Model, x: np.ndarray, y: np.ndarray, z: np.ndarray, time: Any, to_gsm: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rotate SM <-> GSM about y by the model's own dipole tilt (consistent with its dipole)."""
    ps = model.dipole_tilt(time)
    c, s = math.cos(ps), math.sin(ps)
    if to_gsm:
        return x * c + z * s, y, -x * s + z * c
    return x * c - z * s, y, x * s + z * c


def _convert(
    model: Model, x: np.ndarray, y: np.ndarray, z: np.ndarray, src: str, dst: str, time: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    src = _check_frame(src)
    dst = _check_frame(dst)
    x, y, z = (np.asarray(v, dtype=float) for v in (x, y, z))
    if src == dst:
        return x, y, z
    if {src, dst} == {"GSM", "SM"}:
        return _sm_gsm(model, x, y, z, time, to_gsm=dst == "GSM")
    if time is None:
        raise InvalidArgumentError(f"converting {src} to {dst} needs a time", "time")
    from .frames import transform

    return transform(x, y, z, src, dst, time)


def to_model_frame(
    model: Model, x: np.ndarray, y: np.ndarray, z: np.ndarray, frame: str, time: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Convert vectors from ``frame`` to the model's tracing frame.

    SM and GSM differ by the model's own dipole tilt (so a dipole with a fixed ``tilt`` and no
    time is handled consistently); other frames need a time.

    Args:
        model: The model.
        x: Components in ``frame``.
        y: Components.
        z: Components.
        frame: Their frame.
        time: UT time or None.

    Returns:
        The components in ``model.frame``.
    """
    return _convert(model, x, y, z, frame, model.frame, time)


def from_model_frame(
    model: Model, x: np.ndarray, y: np.ndarray, z: np.ndarray, frame: str, time: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Convert vectors from the model's tracing frame to ``frame`` (see :func:`to_model_frame`).

    Args:
        model: The model.
        x: Components in ``model.frame``.
        y: Components.
        z: Components.
        frame: The wanted frame.
        time: UT time or None.

    Returns:
        The components in ``frame``.
    """
    return _convert(model, x, y, z, model.frame, frame, time)


def _internal(internal: str, moment: Any) -> tuple[str, float | str | None]:
    name = str(internal).lower()
    if name not in ("igrf", "dipole"):
        raise InvalidArgumentError(
            f"internal field must be 'igrf' or 'dipole', got {internal!r}", "internal"
        )
    return name, _moment(moment)


def _moment(moment: Any) -> float | str | None:
    if moment is None or moment == "igrf":
        return moment
    return _finite(moment, "moment", 1.0, 1e6)


def _dipole(tilt: float | None = None, moment: float | str | None = None) -> Model:
    """Centred dipole (tilt in degrees, moment B0 in nT or ``"igrf"``)."""
    if tilt is not None:
        tilt = _finite(tilt, "tilt", -90.0, 90.0)
    m = _moment(moment)
    return Model("dipole", "dipole", params={"tilt": tilt, "moment": m}, tilt=tilt, moment=m)


def _igrf() -> Model:
    """IGRF-14 internal field."""
    return Model("igrf", "igrf")


def _register_internal_models() -> None:
    """The internal-only models (no kernel: their factories build the Model)."""
    register_model(
        "dipole",
        factory=_dipole,
        description="Centred dipole, tilted with the date (GSM).",
        parameters=[
            Parameter("tilt", "degree", "dipole tilt (default: from the time, 0 without one)",
                      valid=(-90.0, 90.0)),
            Parameter("moment", "nT", "B0, or \"igrf\" for the IGRF dipole term of the date "
                      "(default: config rb.dipole_moment_nt)", valid=(1.0, 1e6)),
        ],
    )  # fmt: skip
    register_model(
        "igrf",
        factory=_igrf,
        description="IGRF-14 internal field, any time 1900-2030 (degree 13).",
        references=["Alken et al. (2025), IGRF-14, doi:10.5281/zenodo.14012302"],
    )


def from_grid(
    ds: xr.Dataset,
    internal: str = "dipole",
    moment: Any = None,
    inner_boundary: float | None = None,
    buckets: int | None = None,
    background: str = "dipole",
) -> Model:
    """Wrap a gridded field (a Dataset of kind ``"bfield"``) as a model.

    The grid holds the *total* field (Bx, By, Bz in nT) in the frame of ``attrs["frame"]`` (GSM
    or SM), on either

    * a rectilinear grid: 1-D coordinates ``x``, ``y``, ``z`` (Re, increasing) that are the
      dimensions of Bx, By, Bz (trilinear interpolation), or
    * a curvilinear grid: 3-D coordinates ``x``, ``y``, ``z`` (Re) on the same three dimensions
      as Bx, By, Bz (e.g. the spherical or stretched grids of LFM, SWMF and MAGE). The cell
      holding a point is found through a precomputed bucket search (the cells overlapping each
      bucket of a regular box grid, built once here, compiled) and the point's local
      coordinates in its hexahedral cell by Newton's method.

    With ``background="dipole"`` (the default) the grid's *residual* over a centred dipole (the
    internal field's moment, on the SM z axis) is interpolated linearly and the dipole is added
    back exactly at the point, so near the Earth only the external part carries interpolation
    error (on the coarse MAGE sample grid this makes B, footprints and L* of a T96 field match
    the analytic T96 within 0.5 %, where the total field is off by 1-3 %; ``docs/mhd.md``).
    With ``background="none"`` the total field is interpolated, its weights applied to r^3 B
    (see :func:`geospacexr.rb._kernel._rectilinear`).
    Inside the grid's inner boundary (``inner_boundary`` or ``attrs["inner_boundary_re"]``, Re)
    and in cells touching NaN values around the Earth the internal field takes over down to the
    Earth (plus ``attrs["inner_field_nt"]``, a uniform field in nT, if given: the external field
    continued inward, which :func:`geospacexr.mhd.bridge.field` measures on the inner shell),
    so traced lines and L* flux integrals reach the surface (rbinvariantslib stops at the inner
    boundary, which makes its L* 9-17% low). Outside the grid the field is NaN: a line
    leaving it ends there.

    Args:
        ds: The ``"bfield"`` Dataset.
        internal: Field inside the inner boundary: ``"dipole"`` or ``"igrf"``.
        moment: Dipole B0 for ``internal="dipole"`` (nT or ``"igrf"``).
        inner_boundary: Radius of the grid's inner boundary, Re.
        buckets: Buckets per axis of a curvilinear grid's cell search (default: about the
            cube root of the number of cells).
        background: ``"dipole"`` (interpolate the residual over the dipole) or ``"none"``
            (interpolate r^3 B). The dipole's moment is the model's (``moment``, or the IGRF
            dipole term at ``attrs["time"]``), its axis SM z (in GSM, tilted at
            ``attrs["time"]``; untilted without a time).

    Returns:
        The :class:`Model`.

    Raises:
        MissingVariableError: Bx, By, Bz or the coordinates are missing.
        InvalidArgumentError: Coordinates that are neither rectilinear nor curvilinear on the
            field's dimensions, an unknown frame or an unknown ``background``.
    """
    require(ds, "bfield", ["Bx", "By", "Bz", "x", "y", "z"], "rb.models.from_grid")
    if background not in ("dipole", "none"):
        raise InvalidArgumentError(
            f"background must be 'dipole' or 'none', not {background!r}", "background"
        )
    frame = _check_frame(ds.attrs.get("frame", "GSM"), "ds.attrs['frame']")
    if frame not in ("GSM", "SM"):
        raise InvalidArgumentError(f"gridded fields must be in GSM or SM, not {frame}", "ds")
    inner, m = _internal(internal, moment)
    rin = float(
        inner_boundary if inner_boundary is not None else ds.attrs.get("inner_boundary_re", 0.0)
    )
    params = {"internal": inner, "inner_boundary_re": rin, "source": ds.attrs.get("source", "")}
    if all(ds[c].ndim == 1 for c in "xyz"):
        for c in "xyz":
            if ds[c].dims != (c,) or c not in ds["Bx"].dims:
                raise InvalidArgumentError(
                    "a rectilinear grid needs 1-D coordinates x, y, z as the field's dims", "ds"
                )
            if not np.all(np.diff(ds[c].values) > 0):
                raise InvalidArgumentError(f"grid coordinate {c} must increase strictly", "ds")
        grid = ds[["Bx", "By", "Bz"]].transpose("x", "y", "z").astype("float64")
        # writable copies (an xarray index is read-only): every model passes the kernels the
        # same array types, so they compile once (a read-only axis would compile them again)
        arrays = {
            "gx": np.array(grid["x"].values, dtype=np.float64, order="C"),
            "gy": np.array(grid["y"].values, dtype=np.float64, order="C"),
            "gz": np.array(grid["z"].values, dtype=np.float64, order="C"),
            "gb": np.ascontiguousarray(
                np.stack([grid[v].values for v in ("Bx", "By", "Bz")], axis=-1), dtype=np.float64
            ),
            "gc": np.zeros((1, 1, 1, 3)),
            "gk": np.zeros(1, dtype=np.int64),
        }
        params["grid"] = "rectilinear"
    elif all(ds[c].ndim == 3 and ds[c].dims == ds["Bx"].dims for c in "xyz"):
        dims = ds["Bx"].dims
        nodes = np.stack([ds[c].transpose(*dims).values for c in "xyz"], axis=-1)
        values = np.stack([ds[v].transpose(*dims).values for v in ("Bx", "By", "Bz")], axis=-1)
        if min(nodes.shape[:3]) < 2:
            raise InvalidArgumentError("a curvilinear grid needs at least 2 nodes per dim", "ds")
        cells = int(np.prod(np.array(nodes.shape[:3]) - 1))
        nb = int(buckets or min(200, max(1, round(cells ** (1 / 3)))))
        geometry, gk = K.build_buckets(np.ascontiguousarray(nodes, dtype=np.float64), nb, nb, nb)
        arrays = {
            "gx": geometry,
            "gy": np.zeros(1),
            "gz": np.zeros(1),
            "gb": np.ascontiguousarray(values, dtype=np.float64),
            "gc": np.ascontiguousarray(nodes, dtype=np.float64),
            "gk": gk,
        }
        grid = ds[["Bx", "By", "Bz"]]
        params["grid"] = "curvilinear"
    else:
        raise InvalidArgumentError(
            "x, y, z must be 1-D (rectilinear) or 3-D on the dims of Bx, By, Bz (curvilinear)",
            "ds",
        )
    grid.attrs = {**ds.attrs, "inner_boundary_re": rin}
    model = Model("grid", inner, "grid", params, moment=m, grid=grid, frame=frame, arrays=arrays)
    params["background"] = background
    hole = np.zeros(3)
    if "inner_field_nt" in ds.attrs:
        hole = np.asarray(ds.attrs["inner_field_nt"], dtype=np.float64).ravel()
        if hole.shape != (3,) or not np.isfinite(hole).all():
            raise InvalidArgumentError("attrs['inner_field_nt'] must be 3 finite numbers", "ds")
    arrays["bg"] = np.concatenate([np.zeros(4), hole])
    if background == "dipole":
        _subtract_background(model, ds.attrs.get("time") or None)
    return model


def _subtract_background(model: Model, time: Any) -> None:
    """Make a gridded model's values the residual over its background dipole (in place)."""
    t = _time(time)
    try:
        b0 = model.dipole_moment(t)
    except InvalidArgumentError:  # IGRF without the grid's time: the configured moment
        b0 = float(config.get().rb.dipole_moment_nt)
    if model.frame == "SM" or t is None:
        axis = np.array([0.0, 0.0, 1.0])
    else:
        from .frames import dipole_tilt

        ps = float(dipole_tilt(t))
        axis = np.array([math.sin(ps), 0.0, math.cos(ps)])
    a = model.arrays
    nodes = (
        a["gc"]
        if model.params["grid"] == "curvilinear"
        else np.stack(np.meshgrid(a["gx"], a["gy"], a["gz"], indexing="ij"), axis=-1)
    )
    r2 = (nodes**2).sum(-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        dip = b0 / r2**2.5 * (axis * r2 - 3.0 * (nodes @ axis)[..., None] * nodes)
    a["gb"] = np.ascontiguousarray(a["gb"] - dip, dtype=np.float64)
    a["bg"][:4] = (b0, *axis)
