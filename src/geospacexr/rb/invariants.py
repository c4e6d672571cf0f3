"""Adiabatic invariants: particle sets, M, K, Lm and Roederer's L*.

* M, the relativistic first invariant, p⊥² / (2 m0 B), in MeV/G (analytic).
* K = ∫ √(Bm − B(s)) ds between the mirror points (Roederer 1970), in G^0.5 Re, on a traced field
  line: the mirror points are roots of ``|B|`` − Bm on the line's dense (Hermite) representation,
  and the integral uses Gauss-Legendre quadrature with a u² substitution at each mirror point,
  where the integrand has a square-root end point.
* Lm, McIlwain's L from I = K / √Bm and Bm by Hilton's (1971) approximation, with the field's
  dipole moment.
* L* (Roederer 1970): for N local times the field line with the particle's K and Bm is found on
  the dipole's equatorial plane (false position on the equatorial distance, starting from the
  previous local time's solution); the drift shell's northern footprints on the Earth bound a
  polar cap whose magnetic flux Φ is integrated (Gauss-Legendre in colatitude, spectrally exact
  trapezoid in local time); L* = 2π B0 / Φ with B0 the field's own dipole moment (nT Re^3). The
  flux is that of the internal field at the surface by default (the external field's
  contribution there is below 0.05% for T89/T96), or of the total field (``total_flux=True``).

Particles that cannot be computed get NaN and a per-particle ``status`` (see :data:`STATUS`);
a batch never fails for one bad particle.

References:
    Roederer, J. G. (1970), Dynamics of Geomagnetically Trapped Radiation, Springer.
    Hilton, H. H. (1971), L parameter, a new approximation, J. Geophys. Res., 76, 6952.
    McIlwain, C. E. (1961), Coordinates for mapping the distribution of magnetically trapped
    particles, J. Geophys. Res., 66, 3681.
    Dormand, J. R. & Prince, P. J. (1980), A family of embedded Runge-Kutta formulae, J. Comput.
    Appl. Math., 6, 19.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from ..errors import InvalidArgumentError
from . import _kernel as kernels
from ._startup import notice
from .models import Model, from_model_frame, to_model_frame

__all__ = [
    "ACCURACY",
    "SPECIES_MASS_MEV",
    "STATUS",
    "K",
    "K_invariant",
    "M",
    "dipole_l",
    "lstar",
    "particles",
]

#: Per-particle status codes of :func:`lstar` and :func:`K`.
STATUS: dict[int, str] = {
    0: "ok",
    1: "open field line",
    2: "drift shell leaves the model domain",
    3: "mirror point below the atmosphere (trace_stop_altitude_km)",
    4: "Shabansky orbit (off-equator minimum of B)",
    5: "no convergence",
    6: "invalid position (NaN, inside the Earth or beyond trace_outer_re) or pitch angle",
    7: "model drivers missing at the particle's time (outside the records, or a fill)",
}

#: Numerical settings of each accuracy preset: ``rtol`` (tracer relative tolerance),
#: ``n_local_times`` (drift-shell field lines), ``shell_rtol`` (relative tolerance of the
#: equatorial distance of each drift-shell line). "default" reaches 0.1% on L* and K (see the
#: convergence study in the documentation).
ACCURACY: dict[str, dict[str, float]] = {
    "fast": {"rtol": 1e-6, "n_local_times": 8, "shell_rtol": 1e-5},
    "default": {"rtol": 1e-7, "n_local_times": 12, "shell_rtol": 1e-6},
    "high": {"rtol": 1e-9, "n_local_times": 24, "shell_rtol": 1e-8},
}

#: Rest energies (MeV), CODATA 2018.
SPECIES_MASS_MEV: dict[str, float] = {"electron": 0.51099895000, "proton": 938.27208816}


def _settings(accuracy: str | dict[str, Any] | None) -> dict[str, Any]:
    acc = config.resolve(accuracy, "rb.accuracy")
    if isinstance(acc, str):
        if acc not in ACCURACY:
            raise InvalidArgumentError(
                f"unknown accuracy preset {acc!r}; presets: {', '.join(ACCURACY)}", "accuracy"
            )
        return {"accuracy": acc, **ACCURACY[acc]}
    if isinstance(acc, dict):
        unknown = set(acc) - set(ACCURACY["default"])
        if unknown:
            raise InvalidArgumentError(
                f"unknown settings {sorted(unknown)}; known: {sorted(ACCURACY['default'])}",
                "accuracy",
            )
        out = {"accuracy": "custom", **ACCURACY["default"], **acc}
        if not (1e-13 <= float(out["rtol"]) <= 1e-3) or not (1e-13 <= out["shell_rtol"] <= 1e-2):
            raise InvalidArgumentError("rtol/shell_rtol must lie in [1e-13, 1e-3]", "accuracy")
        if int(out["n_local_times"]) < 4:
            raise InvalidArgumentError("n_local_times must be at least 4", "accuracy")
        return out
    raise InvalidArgumentError(f"must be a preset name or a dict, got {acc!r}", "accuracy")


def particles(
    x: Any,
    y: Any,
    z: Any,
    pitch_angle: Any,
    energy: Any = None,
    time: Any = None,
    frame: str = "SM",
    species: str = "electron",
) -> xr.Dataset:
    """A particle set: positions, local pitch angles and energies along a ``particle`` dim.

    Args:
        x: Positions in Earth radii (scalars or arrays, broadcast together).
        y: Positions, Re.
        z: Positions, Re.
        pitch_angle: **Local** pitch angle at the position, degrees in (0, 90] (the equatorial
            pitch angle is an output of :func:`lstar`).
        energy: Kinetic energy, MeV (needed for M only).
        time: UT time, one for all or one per particle (sets the dipole tilt and the IGRF
            epoch); None: zero tilt.
        frame: Frame of the positions (``"SM"``, ``"GSM"``, ``"GSE"``, ``"GEO"``, ...).
        species: ``"electron"`` or ``"proton"`` (rest mass for M).

    Returns:
        A Dataset of kind ``"particles"`` with ``x``, ``y``, ``z``, ``pitch_angle``
        (``energy``) and, when given, a ``time`` coordinate along ``particle``.

    Raises:
        InvalidArgumentError: Pitch angles outside (0, 90], negative energies, an unknown frame
            or species, arrays that do not broadcast.
    """
    from .models import _check_frame

    frame = _check_frame(frame)
    if species not in SPECIES_MASS_MEV:
        raise InvalidArgumentError(
            f"unknown species {species!r}; known: {', '.join(SPECIES_MASS_MEV)}", "species"
        )
    arrays = [np.asarray(v, dtype=float) for v in (x, y, z, pitch_angle)]
    if energy is not None:
        arrays.append(np.asarray(energy, dtype=float))
    try:
        arrays = [np.ravel(a) for a in np.broadcast_arrays(*arrays)]
    except ValueError as exc:
        raise InvalidArgumentError(f"x, y, z, pitch_angle, energy do not broadcast: {exc}") from exc
    pa = arrays[3]
    if not np.all((pa > 0) & (pa <= 90)):
        raise InvalidArgumentError(
            "local pitch angles must lie in (0, 90] degrees (mirror symmetry covers the rest)",
            "pitch_angle",
        )
    n = pa.size
    data = {
        "x": ("particle", arrays[0], {"units": "Re", "long_name": f"x ({frame})"}),
        "y": ("particle", arrays[1], {"units": "Re", "long_name": f"y ({frame})"}),
        "z": ("particle", arrays[2], {"units": "Re", "long_name": f"z ({frame})"}),
        "pitch_angle": ("particle", pa, {"units": "degree", "long_name": "local pitch angle"}),
    }
    if energy is not None:
        e = arrays[4]
        if not np.all(np.isfinite(e) & (e > 0)):
            raise InvalidArgumentError("energies must be positive (MeV)", "energy")
        data["energy"] = ("particle", e, {"units": "MeV", "long_name": "kinetic energy"})
    coords: dict[str, Any] = {"particle": np.arange(n)}
    if time is not None:
        try:
            t = np.asarray(time, dtype="datetime64[ns]")
        except (ValueError, TypeError) as exc:
            raise InvalidArgumentError(f"not a time: {time!r}", "time") from exc
        if t.ndim > 0 and t.size not in (1, n):
            raise InvalidArgumentError(f"{t.size} times for {n} particles", "time")
        coords["time"] = ("particle", np.broadcast_to(t.ravel()[0] if t.size == 1 else t, (n,)))
    return xr.Dataset(
        data,
        coords=coords,
        attrs={"geospacexr_kind": "particles", "frame": frame, "species": species},
    )


def _groups(ds: xr.Dataset) -> list[tuple[Any, np.ndarray]]:
    """Particles grouped by time: [(time or None, indices)]."""
    if "time" not in ds.coords:
        return [(None, np.arange(ds.sizes["particle"]))]
    times = ds["time"].values
    out = []
    for t in np.unique(times):
        out.append((t, np.flatnonzero(times == t)))
    return out


def _run(
    ds: xr.Dataset,
    model: Model,
    settings: dict[str, Any],
    do_shell: bool,
    total_flux: bool,
    models: dict[Any, Model | None] | None = None,
    progress: bool | None = None,
):
    """Every particle's results: on the active Client's workers when there is one, else here."""
    from .. import scale

    client = scale.active_client()
    if client is None:
        return _run_here(ds, model, settings, do_shell, total_flux, models)
    return _run_on(client, ds, model, settings, do_shell, total_flux, models, progress)


def _run_on(
    client: Any,
    ds: xr.Dataset,
    model: Model,
    settings: dict[str, Any],
    do_shell: bool,
    total_flux: bool,
    models: dict[Any, Model | None] | None,
    progress: bool | None,
):
    """:func:`_run_here` on the cluster: one task per ``scale.particles_per_task`` particles.

    A fixed model is scattered once; with drivers, each task carries the models of its own
    particles' times only (a year of minute positions has 500k models: broadcasting them all
    would send every worker every model). Each task gets a slice of the particles and returns
    its rows, which are put back in order. A particle's result does not depend on the others
    of its call, so the rows are those of one process.
    """
    import sys
    import uuid

    from .. import scale

    size = int(config.get().scale.particles_per_task)
    n = ds.sizes["particle"]
    fixed = scale.scatter(model, client) if models is None else model
    task = scale.Configured(_run_task)
    keep = ds[[v for v in ("x", "y", "z", "pitch_angle") if v in ds]]
    name = f"rb-{'lstar' if do_shell else 'K'}-{uuid.uuid4().hex}"  # the dashboard's label
    futures = []
    for k, a in enumerate(range(0, n, size)):
        part = keep.isel(particle=slice(a, a + size))
        own = None if models is None else {t: models[t] for t, _ in _groups(part)}
        futures.append(
            client.submit(task, part, fixed, own, settings, do_shell, total_flux, key=f"{name}-{k}")
        )
    if sys.stderr.isatty() if progress is None else progress:
        scale.progress_bar(futures, client, desc="L*" if do_shell else "K")
    parts = client.gather(futures)
    return tuple(np.concatenate([part[k] for part in parts]) for k in range(4))


def _run_task(
    ds: xr.Dataset,
    model: Model,
    models: dict[Any, Model | None] | None,
    settings: dict[str, Any],
    do_shell: bool,
    total_flux: bool,
):
    """One task of :func:`_run_on`: the kernels' threads are the worker's own threads.

    numba's ``prange`` would otherwise start one thread per core in every worker process, so
    that N single-threaded workers on N cores would run N x N threads.
    """
    import numba
    from distributed import get_worker

    worker = get_worker()
    threads = getattr(worker, "state", worker).nthreads
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
    try:
        return _run_here(ds, model, settings, do_shell, total_flux, models)
    finally:
        numba.set_num_threads(before)


def _run_here(
    ds: xr.Dataset,
    model: Model,
    settings: dict[str, Any],
    do_shell: bool,
    total_flux: bool,
    models: dict[Any, Model | None] | None = None,
):
    """Compute every particle, time group by time group (``models``: one per time, drivers)."""
    cfg = config.get().rb
    n = ds.sizes["particle"]
    nlt = int(settings["n_local_times"]) if do_shell else 1
    res = np.full((n, kernels.R_SIZE), np.nan)
    status = np.zeros(n, dtype=np.int64)
    foot = np.full((n, nlt, 3), np.nan)
    eq = np.full((n, nlt, 3), np.nan)
    frame = ds.attrs.get("frame", "SM")
    r_atm = 1.0 + cfg.trace_stop_altitude_km / cfg.earth_radius_km
    for t, idx in _groups(ds):
        if models is not None:
            model = models[t]
            if model is None:  # drivers missing at this time
                status[idx] = 7
                continue
        args = model.kernel_args(t)
        xs, ys, zs = to_model_frame(
            model, ds["x"].values[idx], ds["y"].values[idx], ds["z"].values[idx], frame, t
        )
        r = np.full((idx.size, kernels.R_SIZE), np.nan)
        s = np.zeros(idx.size, dtype=np.int64)
        f = np.full((idx.size, nlt, 3), np.nan)
        e = np.full((idx.size, nlt, 3), np.nan)
        with notice(model):
            kernels.invariants_many(
                *args,
                np.ascontiguousarray(xs, dtype=float),
                np.ascontiguousarray(ys, dtype=float),
                np.ascontiguousarray(zs, dtype=float),
                np.ascontiguousarray(ds["pitch_angle"].values[idx], dtype=float),
                nlt,
                1.0,
                r_atm,
                float(cfg.trace_outer_re),
                float(settings["rtol"]),
                float(cfg.trace_max_step_re),
                float(settings["shell_rtol"]),
                200,
                bool(total_flux),
                bool(do_shell),
                int(cfg.trace_max_steps),
                r,
                s,
                f,
                e,
            )
        for arr in (f, e):  # back to the particles' frame
            flat = arr.reshape(-1, 3)
            bx, by, bz = from_model_frame(model, flat[:, 0], flat[:, 1], flat[:, 2], frame, t)
            arr[...] = np.stack([bx, by, bz], axis=-1).reshape(arr.shape)
        res[idx], status[idx], foot[idx], eq[idx] = r, s, f, e
    return res, status, foot, eq


def _attrs(model: Model | str, settings: dict[str, Any], frame: str) -> dict[str, Any]:
    cfg = config.get().rb
    return {
        "geospacexr_kind": "invariants",
        **_describe(model),
        **{f"setting_{k}": v for k, v in settings.items()},
        "trace_stop_altitude_km": cfg.trace_stop_altitude_km,
        "trace_outer_re": cfg.trace_outer_re,
        "frame": frame,
        "status_codes": "; ".join(f"{k}: {v}" for k, v in STATUS.items()),
    }


def _outputs(ds: xr.Dataset, res: np.ndarray, status: np.ndarray) -> dict[str, Any]:
    return {
        "K": (
            "particle",
            res[:, kernels.R_K],
            {"units": "G^0.5 Re", "long_name": "second invariant K"},
        ),
        "Lm": (
            "particle",
            res[:, kernels.R_LM],
            {"units": "1", "long_name": "McIlwain L (Hilton)"},
        ),
        "Bm": ("particle", res[:, kernels.R_BM], {"units": "nT", "long_name": "mirror field"}),
        "Bmin": ("particle", res[:, kernels.R_BMIN], {"units": "nT", "long_name": "minimum field"}),
        "Blocal": (
            "particle",
            res[:, kernels.R_BLOCAL],
            {"units": "nT", "long_name": "local field"},
        ),
        "alpha_eq": (
            "particle",
            res[:, kernels.R_ALPHA_EQ],
            {"units": "degree", "long_name": "equatorial pitch angle (at minimum B)"},
        ),
        "status": (
            "particle",
            status,
            {
                "long_name": "status",
                "flag_values": list(STATUS),
                "flag_meanings": list(STATUS.values()),
            },
        ),
    }


def K(
    ds: xr.Dataset,
    model: Model | str,
    accuracy: str | dict[str, Any] | None = None,
    drivers: xr.Dataset | None = None,
    interpolation: str | None = None,
    progress: bool | None = None,
    output: str | os.PathLike[str] | None = None,
    finish: Callable[[xr.Dataset, xr.Dataset], xr.Dataset] | None = None,
) -> xr.Dataset | Path:
    """K, Bm, Bmin, Lm and the equatorial pitch angle of each particle (no drift shell).

    Args:
        ds: A particle set (:func:`particles`).
        model: A field model (:func:`geospacexr.rb.models.get`), or with ``drivers`` a
            registry name (``"t96"``).
        accuracy: Preset name or settings dict (see :data:`ACCURACY`).
        drivers: Time-varying model inputs along ``time`` (e.g. :func:`geospacexr.open_omni`):
            each particle is computed with the inputs at its own time (see
            :mod:`geospacexr.rb.drivers`).
        interpolation: How the drivers are taken at a particle's time (``"previous"`` or
            ``"linear"``; default config ``rb.drivers_interpolation``).
        progress: With a ``dask.distributed`` Client, show a progress bar fed from the
            scheduler (default: when on a terminal). See :func:`lstar` for the cluster path.
        output: A netCDF file to write the results to instead of returning them, part by
            part where each part is computed, as :func:`lstar` does (parts of config
            ``scale.particles_per_task``; atomic; checked before any work). The file reads
            back (``xr.open_dataset``) as the Dataset this function would return, to the bit.
        finish: A picklable function ``finish(result, particles) -> Dataset`` applied to the
            result before it is returned or written (with ``output``, to each part and the
            matching slice of ``ds``), as for :func:`lstar`.

    Returns:
        A Dataset along ``particle`` with ``K`` (G^0.5 Re), ``Bm``, ``Bmin``, ``Blocal`` (nT),
        ``Lm``, ``alpha_eq`` (degrees) and ``status``; with drivers also ``driver_<parameter>``.
        With ``output``, the path of the written file.

    Raises:
        InvalidArgumentError: If ``output`` exists and is not a regular file, or its folder
            cannot be created or written (before any particle is computed).
    """
    require(ds, "particles", ["x", "y", "z", "pitch_angle"], "rb.K")
    return _invariants(
        ds, model, accuracy, False, False, drivers, interpolation, progress, output, finish
    )


def _invariants(
    ds: xr.Dataset,
    model: Model | str,
    accuracy: str | dict[str, Any] | None,
    do_shell: bool,
    total_flux: bool,
    drivers: xr.Dataset | None,
    interpolation: str | None,
    progress: bool | None,
    output: str | os.PathLike[str] | None,
    finish: Callable[[xr.Dataset, xr.Dataset], xr.Dataset] | None,
) -> xr.Dataset | Path:
    """:func:`lstar` (``do_shell``) or :func:`K`: in memory, or written to ``output``."""
    from . import _write

    target = None if output is None else _write.check_output(output)
    model, models, driven, driven_attrs = _driven(ds, model, drivers, interpolation)
    settings = _settings(accuracy)
    if target is not None:
        return _write.write_invariants(ds, model, models, settings, do_shell, total_flux,
                                       driven, driven_attrs, target, finish, progress)  # fmt: skip
    res, status, foot, eq = _run(ds, model, settings, do_shell, total_flux, models, progress)  # type: ignore[arg-type]
    out = _invariants_dataset(ds, model, settings, do_shell, total_flux, driven, driven_attrs,
                              res, status, foot, eq)  # fmt: skip
    return out if finish is None else finish(out, ds)


def _describe(model: Model | str) -> dict[str, Any]:
    if isinstance(model, str):
        return {"field_model": model.lower(), "internal_field": "igrf", "external_field": model}
    return model.describe()


def _driven(
    ds: xr.Dataset, model: Model | str, drivers: Any, interpolation: str | None
) -> tuple[Model | str, dict[Any, Model | None] | None, dict[str, Any], dict[str, Any]]:
    """The model, one model per particle time, output variables and attrs of ``drivers``."""
    if drivers is None:
        if isinstance(model, str):
            from .models import get

            model = get(model)  # the registry says which parameters are missing
        return _model(model), None, {}, {}
    from .drivers import models_for
    from .models import MODELS

    if isinstance(model, Model) and model.external in ("none", "grid"):
        raise InvalidArgumentError(
            f"the {model.name!r} model takes no drivers (it has no solar-wind parameters)",
            "drivers",
        )
    if not isinstance(model, (Model, str)):
        _model(model)
    if "time" not in ds.coords:
        raise InvalidArgumentError(
            "time-varying drivers need the particles' times (rb.particles(..., time=...))",
            "drivers",
        )
    models, values, sources = models_for(model, drivers, ds["time"].values, interpolation)
    entry = MODELS[model if isinstance(model, str) else model.external]
    units = {p.name: p.units for p in entry.parameters}
    data = {
        f"driver_{name}": (
            "particle",
            v,
            {"units": units.get(name, "1"), "long_name": f"model input {name} ({sources[name]})"},
        )
        for name, v in values.items()
    }
    method = config.resolve(interpolation, "rb.drivers_interpolation")
    attrs = {
        "drivers_interpolation": method,
        "drivers_sources": "; ".join(f"{k}: {v}" for k, v in sources.items()),
        "drivers_files": str(drivers.attrs.get("source_files", "")),
    }
    return model, models, data, attrs


def _model(model: Any) -> Model:
    if not isinstance(model, Model):
        raise InvalidArgumentError(
            "expected a field model from geospacexr.rb.models.get(...) or models.from_grid(...), "
            f"got {type(model).__name__}",
            "model",
        )
    return model


def lstar(
    ds: xr.Dataset,
    model: Model | str,
    accuracy: str | dict[str, Any] | None = None,
    total_flux: bool = False,
    drivers: xr.Dataset | None = None,
    interpolation: str | None = None,
    progress: bool | None = None,
    output: str | os.PathLike[str] | None = None,
    finish: Callable[[xr.Dataset, xr.Dataset], xr.Dataset] | None = None,
) -> xr.Dataset | Path:
    """Roederer's L*, with K, Lm, Bm and the equatorial pitch angle, for each particle.

    Args:
        ds: A particle set (:func:`particles`).
        model: A field model (:func:`geospacexr.rb.models.get` or
            :func:`~geospacexr.rb.models.from_grid`).
        accuracy: Preset (``"fast"``, ``"default"``, ``"high"``) or a dict of settings
            (``rtol``, ``n_local_times``, ``shell_rtol``); default from config ``rb.accuracy``.
        total_flux: Integrate the flux of the total field at the surface instead of the
            internal field's.
        drivers: Time-varying model inputs along ``time`` (an OMNI Dataset from
            :func:`geospacexr.open_omni`, or any Dataset with ``Pdyn``, ``Dst``, ``By_GSM``,
            ``Bz_GSM``, ``Kp``, ``W1``..``W6``): each particle is computed with the model of its
            own time, exactly as a separate call with those parameters would (see
            :mod:`geospacexr.rb.drivers`); ``model`` may then be a registry name (``"t96"``)
            or a model whose other parameters (``internal``, W1..W6...) are kept.
        interpolation: How the drivers are taken at a particle's time: ``"previous"`` (the
            average holding the time) or ``"linear"``; default config
            ``rb.drivers_interpolation``. Kp always takes the previous value.
        progress: With a ``dask.distributed`` Client, show a progress bar fed from the
            scheduler (default: when on a terminal).
        output: A netCDF file to write the results to instead of returning them. The
            particles are computed in parts of config ``scale.particles_per_task``; each part
            is written to a part file where it is computed (on a Client, by its worker: the
            results never all sit in the client's memory; without one, here, one part at a
            time), then the parts are copied into ``output`` one at a time and removed. Every
            file is written atomically: a failed or interrupted run leaves no half-written
            part and no ``output`` (the part folder of a killed run is removed by the next
            run writing ``output``). On a cluster, ``output``'s folder must be on a file
            system the workers share. The file reads back (``xr.open_dataset``) as the
            Dataset this function would return, to the bit.
        finish: A picklable function ``finish(result, particles) -> Dataset`` applied to the
            result before it is returned or written (with ``output``, to each part and the
            matching slice of ``ds``): variables or attrs to add that are computed particle by
            particle (``geospacexr rb lstar`` adds the positions' rows and pitch angles).

    With an active ``dask.distributed`` Client (:func:`geospacexr.scale.active_client`), the
    particles are split into tasks of config ``scale.particles_per_task`` particles that run
    on the workers (a fixed model scattered once, driven models sent with the tasks of their
    times); each worker compiles the kernels once or loads them from numba's disk cache
    (docs/scaling.md). The results are identical to the bit to those of one process.

    Returns:
        A Dataset along ``particle`` with ``lstar``, ``K`` (G^0.5 Re), ``Lm``, ``Bm``, ``Bmin``,
        ``Blocal`` (nT), ``alpha_eq`` (degrees), ``status`` (see :data:`STATUS`), ``M``
        (MeV/G, when the particles have energies) and the drift shell: ``shell_footprint`` and
        ``shell_equator`` (particle, local_time, component) in the particles' frame. The model,
        its parameters and the numerical settings are in ``attrs``. With drivers, the inputs
        each particle was computed with are ``driver_<parameter>`` (particles without them have
        status 7). With ``output``, the path of the written file.

    Raises:
        InvalidArgumentError: If ``output`` exists and is not a regular file, or its folder
            cannot be created or written (before any particle is computed).

    Example:
        >>> import numpy as np, geospacexr
        >>> omni = geospacexr.datasets.open_sample("omni-hourly")
        >>> p = geospacexr.rb.particles(x=[-5.0, -5.0], y=0, z=0, pitch_angle=90,
        ...     time=np.array(["2015-03-16T12:00", "2015-03-18T12:00"], "datetime64[ns]"))
        >>> out = p.rb.lstar("t96", drivers=omni, accuracy="fast")  # doctest: +SKIP
    """
    require(ds, "particles", ["x", "y", "z", "pitch_angle"], "rb.lstar")
    return _invariants(
        ds, model, accuracy, True, total_flux, drivers, interpolation, progress, output, finish
    )


def _invariants_dataset(
    ds: xr.Dataset,
    model: Model | str,
    settings: dict[str, Any],
    do_shell: bool,
    total_flux: bool,
    driven: dict[str, Any],
    driven_attrs: dict[str, Any],
    res: np.ndarray,
    status: np.ndarray,
    foot: np.ndarray,
    eq: np.ndarray,
) -> xr.Dataset:
    """:func:`lstar`'s (``do_shell``) or :func:`K`'s Dataset of the particles ``ds``."""
    data = {**_outputs(ds, res, status), **driven}
    coords = dict(ds.coords)
    attrs = {**_attrs(model, settings, ds.attrs.get("frame", "SM")), **driven_attrs}
    if do_shell:
        data.update(_shell(ds, res, foot, eq))
        coords.update(component=["x", "y", "z"], local_time=np.arange(foot.shape[1]))
        attrs["total_flux"] = int(total_flux)
    return xr.Dataset(data, coords=coords, attrs=attrs)


def _shell(ds: xr.Dataset, res: np.ndarray, foot: np.ndarray, eq: np.ndarray) -> dict[str, Any]:
    """:func:`lstar`'s variables beyond :func:`K`'s: L*, the drift shell and M."""
    dims = ("particle", "local_time", "component")
    data = {
        "lstar": ("particle", res[:, kernels.R_LSTAR], {"units": "1", "long_name": "Roederer L*"}),
        "shell_footprint": (
            dims,
            foot,
            {"units": "Re", "long_name": "northern footprints of the drift shell (at the surface)"},
        ),
        "shell_equator": (
            dims,
            eq,
            {"units": "Re", "long_name": "minimum-B points of the drift shell's field lines"},
        ),
    }
    if "energy" in ds:
        data["M"] = (
            "particle",
            _m(
                ds["energy"].values,
                ds["pitch_angle"].values,
                res[:, kernels.R_BLOCAL],
                ds.attrs.get("species", "electron"),
            ),
            {"units": "MeV/G", "long_name": "first invariant M"},
        )
    return data


def _m(energy: np.ndarray, alpha_deg: np.ndarray, b_nt: np.ndarray, species: str) -> np.ndarray:
    m0 = SPECIES_MASS_MEV[species]
    p2 = energy * (energy + 2.0 * m0)  # (pc)^2, MeV^2
    s = np.sin(np.deg2rad(alpha_deg))
    return p2 * s * s / (2.0 * m0 * b_nt * 1e-5)


def M(ds: xr.Dataset, model: Model | None = None, b_local: Any = None) -> xr.DataArray:
    """The relativistic first invariant M = p⊥² / (2 m0 B) of each particle, MeV/G.

    Args:
        ds: A particle set with ``energy`` (MeV).
        model: Field model giving the local ``|B|`` (ignored when ``b_local`` is given).
        b_local: Local field strength, nT (scalar or per particle).

    Returns:
        M along ``particle`` (MeV/G).

    Raises:
        MissingVariableError: The particles have no energy.
        InvalidArgumentError: Neither a model nor ``b_local``; non-positive fields.
    """
    require(ds, "particles", ["x", "y", "z", "pitch_angle", "energy"], "rb.M")
    if b_local is None:
        if model is None:
            raise InvalidArgumentError("give a field model or b_local (nT)", "model")
        b = np.empty(ds.sizes["particle"])
        for tt, idx in _groups(ds):
            bx, by, bz = _model(model).field(
                ds["x"].values[idx],
                ds["y"].values[idx],
                ds["z"].values[idx],
                tt,
                ds.attrs.get("frame", "SM"),
            )
            b[idx] = np.sqrt(bx * bx + by * by + bz * bz)
    else:
        b = np.broadcast_to(np.asarray(b_local, dtype=float), (ds.sizes["particle"],))
    if not np.all(b > 0):
        raise InvalidArgumentError("the local field must be positive (nT)", "b_local")
    values = _m(
        ds["energy"].values, ds["pitch_angle"].values, b, ds.attrs.get("species", "electron")
    )
    return xr.DataArray(
        values,
        dims="particle",
        coords=ds.coords,
        name="M",
        attrs={
            "units": "MeV/G",
            "long_name": "first invariant M",
            "species": ds.attrs.get("species"),
        },
    )


def dipole_l(x: Any, y: Any, z: Any) -> np.ndarray:
    """The L shell of SM positions in a centred, aligned dipole: r / cos²(latitude).

    Args:
        x: SM positions, Re.
        y: SM positions, Re.
        z: SM positions, Re.

    Returns:
        L.
    """
    x, y, z = (np.asarray(v, dtype=float) for v in (x, y, z))
    r = np.sqrt(x * x + y * y + z * z)
    return r**3 / (x * x + y * y)


#: The earlier name of :func:`K` (kept).
K_invariant = K
