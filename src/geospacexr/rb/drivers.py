"""Time-varying field-model inputs: each particle evaluated in its own solar-wind conditions.

A *drivers* Dataset holds the model's inputs along ``time``: an OMNI Dataset
(:func:`geospacexr.open_omni`) or any Dataset with the same variable names (a Qin-Denton file
renamed, a user's own series). :func:`drivers_at` takes the value of each model parameter at
each particle's time, and :func:`model_at` builds the model of one instant; :func:`lstar`,
:func:`~geospacexr.rb.invariants.K` and :func:`~geospacexr.rb.tracing.footprint` then evaluate
each particle (or point) with the model of its own time, exactly as a separate call with those
parameters would. Everything here is a pure function of arrays of particle times, so a particle
set can be cut in chunks (e.g. dask partitions) and each chunk computed on its own.

Where each parameter comes from (:data:`DRIVER_VARIABLES`, first variable present wins):

======== ===================== =====================================================
model    drivers variable      note
======== ===================== =====================================================
``pdyn`` ``Pdyn`` (nPa)        solar-wind dynamic pressure
``dst``  ``Dst``, ``SYM_H``    1-min HRO files have SYM-H only (TS05 was fitted with it)
``by``   ``By_GSM`` (nT)       IMF By, GSM
``bz``   ``Bz_GSM`` (nT)       IMF Bz, GSM
``kp``   ``Kp``                decimal Kp (3+ = 3.333); T89 bins it (``kp_to_iopt``)
``w1-6`` ``W1`` ... ``W6``     TS05 storm-time variables: not in OMNI files;
                               :func:`~geospacexr.rb.wparams.ts05_w` computes them,
                               Qin-Denton and Tsyganenko's yearly files hold them
======== ===================== =====================================================

Interpolation (``interpolation=``, default config ``rb.drivers_interpolation``):

* ``"previous"``: the record whose averaging interval ``[stamp, stamp + cadence)`` holds the
  particle's time (OMNI stamps the start of each average); the cadence is
  ``attrs["cadence_s"]`` or the median step of the times. This is what the models were fitted
  with (hourly or 5-min averages) and the default.
* ``"linear"``: linear in time between the averages' centres (``stamp + cadence / 2``).

Kp is a 3-hourly step index: it always takes the previous value. A particle whose time lies
outside the records, or whose record holds a fill (NaN) of a parameter the model needs, gets
NaN results and status 7 ("model drivers missing").
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from ..errors import DataWarning, InvalidArgumentError
from .models import MODELS, Model, get

__all__ = [
    "DRIVER_VARIABLES",
    "INTERPOLATIONS",
    "driver_parameters",
    "drivers_at",
    "model_at",
    "models_for",
]

#: Model parameter -> drivers variables that may give it (the first present is used).
DRIVER_VARIABLES: dict[str, tuple[str, ...]] = {
    "pdyn": ("Pdyn",),
    "dst": ("Dst", "SYM_H"),
    "by": ("By_GSM",),
    "bz": ("Bz_GSM",),
    "kp": ("Kp",),
    **{f"w{i}": (f"W{i}",) for i in range(1, 7)},
}

#: Interpolation methods of :func:`drivers_at`.
INTERPOLATIONS = ("previous", "linear")

#: Parameters that are step indices (always the previous value).
_STEP = {"kp"}


def _model_name(model: Model | str) -> str:
    if isinstance(model, Model):
        if model.external in ("none", "grid"):
            raise InvalidArgumentError(
                f"the {model.name!r} model has no solar-wind parameters to drive", "drivers"
            )
        return model.external
    if isinstance(model, str):
        return MODELS[model].name
    raise InvalidArgumentError(
        f"expected a field model or its registry name, got {type(model).__name__}", "model"
    )


def driver_parameters(model: Model | str, drivers: xr.Dataset) -> dict[str, str]:
    """Which drivers variable gives each parameter of ``model``.

    Args:
        model: A field model (:func:`~geospacexr.rb.models.get`) or a registry name.
        drivers: A Dataset along ``time``.

    Returns:
        ``{parameter: variable}`` for every parameter of the model the drivers give.

    Raises:
        InvalidArgumentError: The drivers are not a Dataset with a ``time`` dimension, or lack a
            parameter the model requires and ``model`` (a name) does not fix.
    """
    if not isinstance(drivers, xr.Dataset) or "time" not in drivers.dims:
        raise InvalidArgumentError(
            "expected a Dataset of model inputs along 'time' (e.g. geospacexr.open_omni(...))",
            "drivers",
        )
    name = _model_name(model)
    entry = MODELS[name]
    found: dict[str, str] = {}
    missing = []
    for p in entry.parameters:
        source = next((v for v in DRIVER_VARIABLES.get(p.name, ()) if v in drivers), None)
        if source is not None:
            found[p.name] = source
        elif p.required and not (isinstance(model, Model) and p.name in model.params):
            wanted = " or ".join(DRIVER_VARIABLES.get(p.name, (p.name,)))
            missing.append(f"{p.name} ({wanted})")
    if missing:
        raise InvalidArgumentError(
            f"{name.upper()} needs {', '.join(missing)}, which the drivers do not hold (OMNI "
            "files have no TS05 W1..W6: compute them with geospacexr.rb.ts05_w(omni), read "
            "Qin-Denton or Tsyganenko's yearly files (geospacexr.open_qindenton, "
            "open_ts05_yearly), or fix them in a model from rb.models.get(...))",
            "drivers",
        )
    if not found:
        raise InvalidArgumentError(
            f"the drivers hold none of {name.upper()}'s parameters "
            f"({', '.join(p.name for p in entry.parameters)})",
            "drivers",
        )
    return found


def _cadence_ns(drivers: xr.Dataset, stamps: np.ndarray) -> int:
    cadence = drivers.attrs.get("cadence_s")
    if cadence is not None and float(cadence) > 0:
        return int(float(cadence) * 1e9)
    step = np.diff(stamps)
    if step.size == 0:
        raise InvalidArgumentError(
            "one record and no attrs['cadence_s']: the interval it covers is unknown", "drivers"
        )
    return int(np.median(step))


def drivers_at(
    drivers: xr.Dataset,
    times: Any,
    parameters: Mapping[str, str],
    interpolation: str | None = None,
) -> dict[str, np.ndarray]:
    """The value of each parameter at each time (a pure function of the times).

    Args:
        drivers: A Dataset along ``time`` (sorted, as readers return it).
        times: Particle times (``datetime64`` array).
        parameters: ``{parameter: variable}`` (:func:`driver_parameters`).
        interpolation: ``"previous"`` or ``"linear"`` (see the module); default config
            ``rb.drivers_interpolation``.

    Returns:
        ``{parameter: float64 array like times}``; NaN where the time lies outside the records
        or the record holds a fill.

    Raises:
        InvalidArgumentError: An unknown interpolation, times that are not times, unsorted
            driver times.
    """
    method = config.resolve(interpolation, "rb.drivers_interpolation")
    if method not in INTERPOLATIONS:
        raise InvalidArgumentError(
            f"unknown interpolation {method!r}; one of {', '.join(INTERPOLATIONS)}",
            "interpolation",
        )
    try:
        t = np.asarray(times, dtype="datetime64[ns]").astype(np.int64)
        nat = np.isnat(np.asarray(times, dtype="datetime64[ns]"))
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"not times: {exc}", "time") from exc
    stamps = drivers["time"].values.astype("datetime64[ns]").astype(np.int64)
    if stamps.size and np.any(np.diff(stamps) <= 0):
        raise InvalidArgumentError("the drivers' times must increase strictly", "drivers")
    if stamps.size == 0:  # no record: every value is missing
        return {name: np.full(t.shape, np.nan) for name in parameters}
    cadence = _cadence_ns(drivers, stamps)
    i = np.searchsorted(stamps, t, side="right") - 1
    inside = (i >= 0) & (t < stamps[np.clip(i, 0, None)] + cadence) & ~nat
    out: dict[str, np.ndarray] = {}
    for name, variable in parameters.items():
        values = np.asarray(drivers[variable].values, dtype=np.float64)
        if method == "previous" or name in _STEP:
            v = np.where(inside, values[np.clip(i, 0, values.size - 1)], np.nan)
        else:  # linear between the averages' centres
            centres = stamps + cadence // 2
            j = np.searchsorted(centres, t, side="right") - 1
            j0 = np.clip(j, 0, values.size - 1)
            j1 = np.clip(j + 1, 0, values.size - 1)
            span = (centres[j1] - centres[j0]).astype(np.float64)
            w = np.where(span > 0, (t - centres[j0]) / np.where(span > 0, span, 1.0), 0.0)
            v = values[j0] * (1.0 - w) + values[j1] * w
            exact = (j >= 0) & (t == centres[j0])
            v = np.where(exact, values[j0], v)
            ok = ((j >= 0) & (j + 1 < values.size)) | exact
            v = np.where(ok & ~nat, v, np.nan)
        out[name] = v
    return out


def model_at(model: Model | str, values: Mapping[str, float]) -> Model | None:
    """The model of one instant: ``model`` with its driven parameters set to ``values``.

    Args:
        model: A field model (its other parameters, internal field and moment are kept) or a
            registry name (IGRF internal field).
        values: ``{parameter: value}`` at that instant.

    Returns:
        The :class:`~geospacexr.rb.models.Model`, or None when a value is NaN (missing).

    Raises:
        InvalidArgumentError: A value outside the parameter's hard limits.
    """
    if any(not math.isfinite(float(v)) for v in values.values()):
        return None
    if isinstance(model, Model):
        fixed = {k: v for k, v in model.params.items() if k != "internal" and v is not None}
        return get(
            model.external,
            **{**fixed, **values},
            internal=model.internal,
            moment=model.moment,
        )
    return get(model, **values)


def models_for(
    model: Model | str,
    drivers: xr.Dataset,
    times: np.ndarray,
    interpolation: str | None = None,
) -> tuple[dict[Any, Model | None], dict[str, np.ndarray], dict[str, str]]:
    """One model per distinct time, the per-time values and the parameter sources.

    Warnings of the models' own checks (a value outside the fitted range) are gathered into
    one :class:`~geospacexr.errors.DataWarning` saying at how many times they occurred.

    Args:
        model: A field model or a registry name.
        drivers: The drivers Dataset.
        times: Particle times.
        interpolation: See :func:`drivers_at`.

    Returns:
        ``({time: Model or None}, {parameter: values per particle}, {parameter: variable})``.
    """
    sources = driver_parameters(model, drivers)
    values = drivers_at(drivers, times, sources, interpolation)
    unique, first = np.unique(np.asarray(times, dtype="datetime64[ns]"), return_index=True)
    models: dict[Any, Model | None] = {}
    messages: dict[str, int] = {}
    for t, k in zip(unique, first, strict=True):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            models[t] = model_at(model, {p: float(v[k]) for p, v in values.items()})
        for w in caught:  # "T96 dst: -152 nT outside the range ..." -> "T96 dst outside ..."
            head, _, tail = str(w.message).partition(": ")
            words = tail.split(" outside ", 1)
            text = f"{head} outside {words[1]}" if len(words) == 2 else str(w.message)
            messages[text] = messages.get(text, 0) + 1
    if messages:
        warnings.warn(
            "driven model: "
            + "; ".join(f"{m} (at {n} of {unique.size} times)" for m, n in messages.items()),
            DataWarning,
            stacklevel=3,
        )
    return models, values, sources
