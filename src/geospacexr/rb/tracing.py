"""Field-line tracing and satellite footprints.

Lines are integrated with an adaptive Dormand-Prince 5(4) scheme (error-controlled steps along
the unit field direction) in compiled code, many start points in parallel; both directions are
traced until the inner boundary (the Earth's surface, or an ionospheric altitude) or the outer
boundary (config ``rb.trace_outer_re``), and the last node is placed exactly on the inner
boundary.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from ..errors import InvalidArgumentError
from . import _kernel as K
from ._startup import notice
from .models import Model, _time, from_model_frame, to_model_frame

__all__ = ["END_CODES", "footprint", "trace"]

#: How each half of a traced line ended.
END_CODES: dict[int, str] = {
    0: "reached the inner boundary",
    1: "reached the outer boundary (open)",
    2: "left the model domain (NaN field)",
    3: "step limit reached",
}


def _starts(starts: Any, frame: str | None) -> tuple[np.ndarray, str, Any]:
    """(n, 3) start points, their frame and times from a particle Dataset or an array."""
    if isinstance(starts, xr.Dataset):
        for v in "xyz":
            if v not in starts:
                raise InvalidArgumentError(f"start Dataset lacks {v!r}", "starts")
        pts = np.stack([np.ravel(starts[v].values) for v in "xyz"], axis=-1)
        t = starts["time"].values if "time" in starts.coords else None
        return pts.astype(float), frame or starts.attrs.get("frame", "GSM"), t
    pts = np.asarray(starts, dtype=float)
    if pts.ndim == 1 and pts.size == 3:
        pts = pts[None, :]
    if pts.ndim != 2 or pts.shape[1] != 3:
        raise InvalidArgumentError(
            f"start points must be (n, 3) in Re, got shape {pts.shape}", "starts"
        )
    return pts, frame or "GSM", None


def trace(
    model: Model,
    starts: Any,
    time: Any = None,
    frame: str | None = None,
    altitude_km: float = 0.0,
    rtol: float = 1e-8,
) -> xr.Dataset:
    """Trace the field lines through many start points, both directions.

    Args:
        model: A field model (:func:`geospacexr.rb.models.get`, :func:`~.models.from_grid`).
        starts: An (n, 3) array of positions (Re) or a Dataset with ``x``, ``y``, ``z`` (such
            as a particle set).
        time: UT time (tilt, IGRF epoch); a Dataset's ``time`` coordinate wins (its first value).
        frame: Frame of the start points and of the output (default: the Dataset's
            ``attrs["frame"]``, else GSM).
        altitude_km: Altitude of the inner boundary, km (0: the Earth's surface).
        rtol: Relative tolerance of the integrator.

    Returns:
        A Dataset along ``line`` and ``point`` (padded with NaN) with ``x``, ``y``, ``z`` (Re),
        ``B`` (``|B|``, nT) and ``s`` (arc length along +B from the start point, Re), plus
        ``n_points``, ``start_index`` and ``end_south``/``end_north`` codes (towards -B / +B,
        see :data:`END_CODES`).
    """
    if not isinstance(model, Model):
        raise InvalidArgumentError("expected a field model", "model")
    pts, frame, times = _starts(starts, frame)
    if times is not None and times.size:
        time = times[0]
    t = _time(time)
    cfg = config.get().rb
    if not (0.0 <= float(altitude_km) < 1e5):
        raise InvalidArgumentError("must be a non-negative altitude in km", "altitude_km")
    if not (1e-13 <= float(rtol) <= 1e-3):
        raise InvalidArgumentError("must lie in [1e-13, 1e-3]", "rtol")
    xs, ys, zs = to_model_frame(model, pts[:, 0], pts[:, 1], pts[:, 2], frame, t)
    n = pts.shape[0]
    nmax = int(cfg.trace_max_steps)
    lines = np.full((n, 2 * nmax, 11), np.nan)
    counts = np.zeros(n, dtype=np.int64)
    first = np.zeros(n, dtype=np.int64)
    ends = np.zeros((n, 2), dtype=np.int64)
    with notice(model):
        K.trace_many(
            *model.kernel_args(t),
            np.ascontiguousarray(xs, dtype=float),
            np.ascontiguousarray(ys, dtype=float),
            np.ascontiguousarray(zs, dtype=float),
            1.0 + float(altitude_km) / cfg.earth_radius_km,
            float(cfg.trace_outer_re),
            float(rtol),
            float(cfg.trace_max_step_re),
            nmax,
            lines,
            counts,
            first,
            ends,
        )
    m = int(counts.max()) if n else 0
    out = lines[:, :m, :]
    for i in range(n):
        out[i, counts[i] :, :] = np.nan
    flat = out[:, :, :3].reshape(-1, 3)
    px, py, pz = from_model_frame(model, flat[:, 0], flat[:, 1], flat[:, 2], frame, t)
    shape = out.shape[:2]
    ds = xr.Dataset(
        {
            "x": (("line", "point"), px.reshape(shape), {"units": "Re"}),
            "y": (("line", "point"), py.reshape(shape), {"units": "Re"}),
            "z": (("line", "point"), pz.reshape(shape), {"units": "Re"}),
            "B": (
                ("line", "point"),
                out[:, :, 3],
                {"units": "nT", "long_name": "magnetic field strength"},
            ),
            "s": (("line", "point"), out[:, :, 4], {"units": "Re", "long_name": "arc length"}),
            "n_points": ("line", counts),
            "start_index": ("line", first),
            "end_south": ("line", ends[:, 0], {"long_name": "end towards -B"}),
            "end_north": ("line", ends[:, 1], {"long_name": "end towards +B"}),
        },
        coords={"line": np.arange(n)},
        attrs={
            "geospacexr_kind": "field_lines",
            "frame": frame,
            **model.describe(),
            "rtol": float(rtol),
            "altitude_km": float(altitude_km),
            "end_codes": "; ".join(f"{k}: {v}" for k, v in END_CODES.items()),
        },
    )
    if t is not None:
        ds.attrs["time"] = str(t)
    return ds


def footprint(
    points: xr.Dataset,
    model: Model | str,
    altitude_km: float | None = None,
    hemisphere: str = "north",
    frame: str | None = None,
    drivers: xr.Dataset | None = None,
    interpolation: str | None = None,
    output: str | os.PathLike[str] | None = None,
    finish: Callable[[xr.Dataset, xr.Dataset], xr.Dataset] | None = None,
) -> xr.Dataset | Path:
    """Magnetic footprints of spacecraft positions: a track for the ASI maps.

    With an active ``dask.distributed`` Client (:func:`geospacexr.scale.active_client`), the
    positions are split into tasks of config ``scale.footprints_per_task`` that run on the
    workers (a fixed model scattered once, driven models sent with the tasks of their times);
    the track is the same to the bit.

    Args:
        points: A Dataset with ``x``, ``y``, ``z`` (Re) along ``time`` (spacecraft positions),
            frame in ``attrs["frame"]`` (default GSM).
        model: A field model.
        altitude_km: Footprint altitude, km (default config ``asi.altitude_km``, the auroral
            mapping altitude).
        hemisphere: ``"north"`` (traced along +B) or ``"south"``.
        frame: Overrides ``attrs["frame"]``.
        drivers: Time-varying model inputs along ``time`` (e.g. :func:`geospacexr.open_omni`):
            each point is traced in the model of its own time (see :mod:`geospacexr.rb.drivers`;
            ``model`` may then be a registry name such as ``"t96"``).
        interpolation: ``"previous"`` or ``"linear"`` (default config
            ``rb.drivers_interpolation``).
        output: A netCDF file to write the track to instead of returning it. The positions
            are traced in parts of config ``scale.footprints_per_task``, each written where it
            is computed (on a Client, by its worker; without one, here, one part at a time),
            then copied part by part into ``output``, as
            :func:`~geospacexr.rb.invariants.lstar` does (atomic; checked before any work; on
            a cluster, ``output``'s folder must be on a file system the workers share). The
            file reads back (``xr.open_dataset``) as the Dataset this function would return,
            to the bit.
        finish: A picklable function ``finish(track, points) -> Dataset`` applied to the track
            before it is returned or written (with ``output``, to each part and the matching
            slice of ``points``): variables or attrs computed position by position.

    Returns:
        A track Dataset along ``time`` with ``lat``, ``lon`` (geographic, geocentric, degrees,
        lon in [-180, 180)) and ``alt_km``; NaN where the line is open or leaves the model (or
        the drivers are missing at that time). With ``output``, the path of the written file.

    Raises:
        InvalidArgumentError: If ``points`` lacks ``x``, ``y``, ``z`` along ``time``, the
            hemisphere is unknown, or ``output`` exists and is not a regular file or its
            folder cannot be created or written (before any position is traced).
    """
    if not isinstance(points, xr.Dataset) or "time" not in points.dims:
        raise InvalidArgumentError("expected a Dataset of x, y, z along time", "points")
    missing = [v for v in "xyz" if v not in points]
    if missing:
        raise InvalidArgumentError(f"missing {', '.join(missing)}", "points")
    if hemisphere not in ("north", "south"):
        raise InvalidArgumentError("must be 'north' or 'south'", "hemisphere")
    from . import _write

    target = None if output is None else _write.check_output(output)
    alt = float(config.resolve(altitude_km, "asi.altitude_km"))
    cfg = config.get().rb
    frame = frame or points.attrs.get("frame", "GSM")
    sign = 1.0 if hemisphere == "north" else -1.0
    times = points["time"].values
    models = None
    if drivers is not None:
        from .drivers import models_for

        models, _, _ = models_for(model, drivers, times, interpolation)
    elif not isinstance(model, Model):
        from .models import get

        model = get(str(model))
    attrs = {
        "geospacexr_kind": "track",
        "hemisphere": hemisphere,
        **(model.describe() if isinstance(model, Model) else {"field_model": str(model)}),
    }
    if drivers is not None:
        method = config.resolve(interpolation, "rb.drivers_interpolation")
        attrs["drivers_interpolation"] = str(method)
    track = (frame, sign, 1.0 + alt / cfg.earth_radius_km, alt, attrs, finish)
    if target is not None:
        size = int(config.get().scale.footprints_per_task)
        pieces = (
            (points.isel(time=slice(a, a + size)), _own(models, times[a : a + size]), *track)
            for a in range(0, max(times.size, 1), size)  # no position: one empty part
        )
        return _write.write_parts(target, _track, model, pieces, "time", "rb-footprint-write")
    from .. import scale

    client = scale.active_client()
    if client is None:
        return _track(True, model, points, models, *track)
    xyz = np.stack([np.asarray(points[v].values, dtype=np.float64) for v in "xyz"])
    lat, lon = _footprints_on(client, xyz, times, model, models, frame, sign, track[2])
    out = _track_dataset(times, lat, lon, alt, attrs)
    return out if finish is None else finish(out, points)


def _own(
    models: dict[Any, Model | None] | None, times: np.ndarray
) -> dict[Any, Model | None] | None:
    """The driven models of ``times`` only (a task carries the models of its own times)."""
    if models is None:
        return None
    return {t: models[t] for t in np.unique(times.astype("datetime64[ns]"))}


def _track(
    here: bool,
    model: Model | str,
    points: xr.Dataset,
    models: dict[Any, Model | None] | None,
    frame: str,
    sign: float,
    r_in: float,
    alt: float,
    attrs: dict[str, Any],
    finish: Callable[[xr.Dataset, xr.Dataset], xr.Dataset] | None,
) -> xr.Dataset:
    """:func:`footprint`'s track of ``points``, traced in this process (``here`` unused).

    Also one part of ``footprint(output=)`` (:func:`geospacexr.rb._write.write_parts`).
    """
    times = points["time"].values
    xyz = np.stack([np.asarray(points[v].values, dtype=np.float64) for v in "xyz"])
    lat, lon = _footprints(xyz, times, model, models, frame, sign, r_in)  # type: ignore[arg-type]
    out = _track_dataset(times, lat, lon, alt, attrs)
    return out if finish is None else finish(out, points)


def _track_dataset(
    times: np.ndarray, lat: np.ndarray, lon: np.ndarray, alt: float, attrs: dict[str, Any]
) -> xr.Dataset:
    """The track Dataset of :func:`footprint`."""
    return xr.Dataset(
        {
            "lat": ("time", lat, {"units": "degree_north", "long_name": "footprint latitude"}),
            "lon": ("time", lon, {"units": "degree_east", "long_name": "footprint longitude"}),
            "alt_km": ("time", np.full(times.size, alt), {"units": "km"}),
        },
        coords={"time": times},
        attrs=dict(attrs),
    )


def _footprints(
    xyz: np.ndarray,
    times: np.ndarray,
    model: Model,
    models: dict[Any, Model | None] | None,
    frame: str,
    sign: float,
    r_in: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Geographic (lat, lon) of each position's footprint, one traced half line each.

    One process and a cluster's tasks both call this: a position's footprint does not depend
    on the others, so the rows of tasks are those of one process.
    """
    from .frames import transform

    cfg = config.get().rb
    n = times.size
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    nmax = int(cfg.trace_max_steps)
    work = np.empty((nmax, 3))
    tan = np.empty((nmax, 3))
    bm = np.empty(nmax)
    arc = np.empty(nmax)
    cor = np.empty((nmax, 3))
    for i in range(n):
        t = _time(times[i])
        p = [float(xyz[k, i]) for k in range(3)]
        if not np.all(np.isfinite(p)):
            continue
        m = model if models is None else models[np.datetime64(times[i], "ns")]
        if m is None:  # drivers missing at this time
            continue
        xs, ys, zs = to_model_frame(m, *(np.array([v]) for v in p), frame, t)
        with notice(m):
            cnt, end = K.trace_half(
                *m.kernel_args(t),
                float(xs[0]),
                float(ys[0]),
                float(zs[0]),
                sign,
                r_in,
                float(cfg.trace_outer_re),
                1e-8,
                float(cfg.trace_max_step_re),
                np.inf,
                work,
                tan,
                bm,
                arc,
                cor,
            )
        if end != K.END_INNER:
            continue
        e = work[cnt - 1]
        gx, gy, gz = transform(
            np.array([e[0]]), np.array([e[1]]), np.array([e[2]]), m.frame, "GEO", t
        )
        r = float(np.sqrt(gx[0] ** 2 + gy[0] ** 2 + gz[0] ** 2))
        lat[i] = float(np.degrees(np.arcsin(gz[0] / r)))
        lon[i] = float((np.degrees(np.arctan2(gy[0], gx[0])) + 180.0) % 360.0 - 180.0)
    return lat, lon


def _footprints_on(
    client: Any,
    xyz: np.ndarray,
    times: np.ndarray,
    model: Model,
    models: dict[Any, Model | None] | None,
    frame: str,
    sign: float,
    r_in: float,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_footprints` on the cluster: one task per ``scale.footprints_per_task`` positions.

    A fixed model is scattered once; with drivers, each task carries the models of its own
    positions' times only (as :func:`geospacexr.rb.lstar` does). The caller's configuration
    overrides travel with the tasks.
    """
    import uuid

    from .. import scale

    size = int(config.get().scale.footprints_per_task)
    fixed = scale.scatter(model, client) if models is None else model
    task = scale.Configured(_footprints)
    name = f"rb-footprint-{uuid.uuid4().hex}"
    futures = []
    for k, a in enumerate(range(0, times.size, size)):
        part = times[a : a + size]
        own = _own(models, part)
        futures.append(
            client.submit(
                task, xyz[:, a : a + size], part, fixed, own, frame, sign, r_in, key=f"{name}-{k}"
            )
        )
    parts = client.gather(futures)
    return (
        np.concatenate([p[0] for p in parts]) if parts else np.full(0, np.nan),
        np.concatenate([p[1] for p in parts]) if parts else np.full(0, np.nan),
    )


def trace_grid(
    ds: xr.Dataset,
    starts: Any,
    time: Any = None,
    frame: str | None = None,
    altitude_km: float = 0.0,
    rtol: float = 1e-8,
    internal: str = "dipole",
    moment: Any = None,
    inner_boundary: float | None = None,
) -> xr.Dataset:
    """Trace field lines in a gridded field (a ``"bfield"`` Dataset, e.g. from an MHD run).

    The grid is wrapped by :func:`geospacexr.rb.models.from_grid` and traced with
    :func:`trace`; this is what ``ds.rb.trace(starts)`` calls.

    Args:
        ds: The ``"bfield"`` Dataset (total Bx, By, Bz in nT on a rectilinear or curvilinear
            grid).
        starts: An (n, 3) array of positions (Re) or a Dataset with ``x``, ``y``, ``z``.
        time: UT time (tilt, IGRF epoch); a Dataset's ``time`` coordinate wins.
        frame: Frame of the start points and of the output (default: the start Dataset's
            ``attrs["frame"]``, else GSM).
        altitude_km: Altitude of the inner boundary, km (0: the Earth's surface).
        rtol: Relative tolerance of the integrator.
        internal: Field inside the grid's inner boundary: ``"dipole"`` or ``"igrf"``.
        moment: Dipole B0 for ``internal="dipole"`` (nT or ``"igrf"``).
        inner_boundary: Radius of the grid's inner boundary, Re (default from the Dataset).

    Returns:
        The field-line Dataset of :func:`trace`.
    """
    from .models import from_grid

    model = from_grid(ds, internal=internal, moment=moment, inner_boundary=inner_boundary)
    return trace(model, starts, time=time, frame=frame, altitude_km=altitude_km, rtol=rtol)
