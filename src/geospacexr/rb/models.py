"""Magnetic-field models: a registry of analytic models and gridded fields.

``get(name, **params)`` returns a :class:`Model`; every model evaluates B at many points in one
call (:meth:`Model.field`) and hands packed parameters to the compiled tracer
(:meth:`Model.kernel_args`), which dispatches on integer model codes so that numba can cache one
compiled tracer for every model.

Models (internal field plus an optional external one):

========  =================================================================================
dipole    Centred dipole. ``tilt`` (degrees; default from the time, 0 without one),
          ``moment`` (nT; default config ``rb.dipole_moment_nt``; ``"igrf"``: the IGRF dipole
          term of the date).
igrf      IGRF-14 (Alken et al. 2025), any time 1900-2030.
t89       Tsyganenko (1989) + internal field; ``kp`` (0-9).
t96       Tsyganenko (1995, 1996) T96_01 + internal field; ``pdyn`` (nPa), ``dst`` (nT),
          ``by``, ``bz`` (IMF, nT).
ts05      Tsyganenko & Sitnov (2005) + internal field; as t96 plus ``w1`` ... ``w6``.
========  =================================================================================

External models take ``internal="igrf"`` (default) or ``"dipole"`` (then ``moment`` as above).
The analytic models work in GSM; the dipole tilt comes from the time (geopack's convention:
positive when the northern magnetic pole leans towards the Sun) and is zero when ``time=None``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from ..errors import InvalidArgumentError
from . import _kernel as K

__all__ = ["Model", "available", "from_grid", "get", "register"]

_REGISTRY: dict[str, Callable[..., Model]] = {}


def register(name: str) -> Callable[[Callable[..., Model]], Callable[..., Model]]:
    """Decorator adding a model factory to the registry under ``name``.

    Args:
        name: Registry name (lower case).

    Returns:
        The decorator.
    """

    def deco(func: Callable[..., Model]) -> Callable[..., Model]:
        _REGISTRY[name] = func
        return func

    return deco


def available() -> list[str]:
    """Names of the registered analytic models.

    Returns:
        The names accepted by :func:`get`.
    """
    return sorted(_REGISTRY)


def get(name: str, **params: Any) -> Model:
    """A field model from the registry.

    Args:
        name: ``"dipole"``, ``"igrf"``, ``"t89"``, ``"t96"`` or ``"ts05"``.
        **params: The model's parameters (see the module documentation).

    Returns:
        The :class:`Model`.

    Raises:
        InvalidArgumentError: Unknown name, unknown, missing or out-of-range parameter.
    """
    key = str(name).lower()
    if key not in _REGISTRY:
        raise InvalidArgumentError(
            f"unknown field model {name!r}; available: {', '.join(available())}", "name"
        )
    return _REGISTRY[key](**params)


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
        external: ``"none"``, ``"t89"``, ``"t96"``, ``"ts05"`` or ``"grid"``.
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

    def kernel_args(self, time: Any = None) -> tuple[np.ndarray, ...]:
        """The packed arrays the compiled kernels take (see :mod:`geospacexr.rb._kernel`).

        Args:
            time: UT time (dipole tilt, IGRF epoch, GSM orientation).

        Returns:
            ``(ip, fp, gh, gx, gy, gz, gb, gc, gk)``.
        """
        t = _time(time)
        ps = self.dipole_tilt(t)
        ext_code = {
            "none": K.EXTERNAL_NONE,
            "t89": K.EXTERNAL_T89,
            "t96": K.EXTERNAL_T96,
            "ts05": K.EXTERNAL_TS05,
            "grid": K.EXTERNAL_GRID,
        }[self.external]
        # the dtype of ip selects the compiled external model (see _kernel.external_field)
        ip = np.zeros(K.IP_SIZE, dtype=K.EXTERNAL_DTYPES[ext_code])
        fp = np.zeros(K.FP_SIZE)
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
            ip[3] = NMAX
            fp[K.FP_ROT : K.FP_ROT + 9] = np.asarray(rotation(self.frame, "GEO", t)).ravel()
        ext = ext_code
        ip[1] = ext
        one = np.zeros(1)
        gx = gy = gz = one
        gb = np.zeros((1, 1, 1, 3))
        gc = np.zeros((1, 1, 1, 3))
        gk = np.zeros(1, dtype=np.int64)
        if ext == K.EXTERNAL_T89:
            from .tsyganenko import kp_to_iopt

            ip[2] = kp_to_iopt(self.params["kp"])
        elif ext in (K.EXTERNAL_T96, K.EXTERNAL_TS05):
            names = ["pdyn", "dst", "by", "bz"]
            if ext == K.EXTERNAL_TS05:
                names += [f"w{i}" for i in range(1, 7)]
            fp[K.FP_PARMOD : K.FP_PARMOD + len(names)] = [self.params[n] for n in names]
        elif ext == K.EXTERNAL_GRID:
            a = self.arrays
            gx, gy, gz, gb = a["gx"], a["gy"], a["gz"], a["gb"]
            gc, gk = a["gc"], a["gk"]
            fp[K.FP_RINNER] = float(self.params.get("inner_boundary_re", 0.0))
        return ip, fp, gh, gx, gy, gz, gb, gc, gk

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


@register("dipole")
def _dipole(tilt: float | None = None, moment: float | str | None = None) -> Model:
    """Centred dipole (tilt in degrees, moment B0 in nT or ``"igrf"``)."""
    if tilt is not None:
        tilt = _finite(tilt, "tilt", -90.0, 90.0)
    m = _moment(moment)
    return Model("dipole", "dipole", params={"tilt": tilt, "moment": m}, tilt=tilt, moment=m)


@register("igrf")
def _igrf() -> Model:
    """IGRF-14 internal field."""
    return Model("igrf", "igrf")


@register("t89")
def _t89(kp: float | None = None, internal: str = "igrf", moment: Any = None) -> Model:
    """Tsyganenko 1989 with Kp."""
    if kp is None:
        raise InvalidArgumentError("T89 needs kp (0-9)", "kp")
    kp = _finite(kp, "kp", 0.0, 9.0)
    inner, m = _internal(internal, moment)
    return Model("t89", inner, "t89", {"kp": kp, "internal": inner}, moment=m)


def _solar_wind(model: str, **values: Any) -> dict[str, float]:
    out = {}
    for name, value in values.items():
        if value is None:
            raise InvalidArgumentError(f"{model.upper()} needs {name}", name)
        out[name] = _finite(value, name)
    return out


@register("t96")
def _t96(
    pdyn: float | None = None,
    dst: float | None = None,
    by: float | None = None,
    bz: float | None = None,
    internal: str = "igrf",
    moment: Any = None,
) -> Model:
    """Tsyganenko 1996 (T96_01)."""
    p = _solar_wind("t96", pdyn=pdyn, dst=dst, by=by, bz=bz)
    from .tsyganenko import validate_t96_parameters

    validate_t96_parameters(p["pdyn"], p["dst"], p["by"], p["bz"])
    inner, m = _internal(internal, moment)
    return Model("t96", inner, "t96", {**p, "internal": inner}, moment=m)


@register("ts05")
def _ts05(
    pdyn: float | None = None,
    dst: float | None = None,
    by: float | None = None,
    bz: float | None = None,
    w1: float | None = None,
    w2: float | None = None,
    w3: float | None = None,
    w4: float | None = None,
    w5: float | None = None,
    w6: float | None = None,
    internal: str = "igrf",
    moment: Any = None,
) -> Model:
    """Tsyganenko & Sitnov 2005."""
    p = _solar_wind(
        "ts05", pdyn=pdyn, dst=dst, by=by, bz=bz, w1=w1, w2=w2, w3=w3, w4=w4, w5=w5, w6=w6
    )
    from ._ts05 import validate_ts05_parameters

    validate_ts05_parameters(
        p["pdyn"], p["dst"], p["by"], p["bz"], [p[f"w{i}"] for i in range(1, 7)]
    )
    inner, m = _internal(internal, moment)
    return Model("ts05", inner, "ts05", {**p, "internal": inner}, moment=m)


def from_grid(
    ds: xr.Dataset,
    internal: str = "dipole",
    moment: Any = None,
    inner_boundary: float | None = None,
    buckets: int | None = None,
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

    Interpolation weights apply to r^3 B (see :func:`geospacexr.rb._kernel._rectilinear`).
    Inside the grid's inner boundary (``inner_boundary`` or ``attrs["inner_boundary_re"]``, Re)
    and in cells touching NaN values around the Earth the internal field takes over down to the
    Earth, so traced lines and L* flux integrals reach the surface (rbinvariantslib stops at the
    inner boundary, which makes its L* 9-17% low). Outside the grid the field is NaN: a line
    leaving it ends there.

    Args:
        ds: The ``"bfield"`` Dataset.
        internal: Field inside the inner boundary: ``"dipole"`` or ``"igrf"``.
        moment: Dipole B0 for ``internal="dipole"`` (nT or ``"igrf"``).
        inner_boundary: Radius of the grid's inner boundary, Re.
        buckets: Buckets per axis of a curvilinear grid's cell search (default: about the
            cube root of the number of cells).

    Returns:
        The :class:`Model`.

    Raises:
        MissingVariableError: Bx, By, Bz or the coordinates are missing.
        InvalidArgumentError: Coordinates that are neither rectilinear nor curvilinear on the
            field's dimensions, or an unknown frame.
    """
    require(ds, "bfield", ["Bx", "By", "Bz", "x", "y", "z"], "rb.models.from_grid")
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
        arrays = {
            "gx": np.ascontiguousarray(grid["x"].values, dtype=np.float64),
            "gy": np.ascontiguousarray(grid["y"].values, dtype=np.float64),
            "gz": np.ascontiguousarray(grid["z"].values, dtype=np.float64),
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
    return Model("grid", inner, "grid", params, moment=m, grid=grid, frame=frame, arrays=arrays)
