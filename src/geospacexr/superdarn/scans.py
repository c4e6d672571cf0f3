"""SuperDARN scans and data quality: records grouped into scans, gates filtered.

A radar sweeps its beams one after the other; the record that begins a sweep has the scan
flag ``scan`` = 1 or -1 (0 for the others). :func:`scan_index` numbers the scans the way
pyDARN's ``build_scan`` does (checked on the real files): a record whose time repeats an
earlier record's (a second channel of a stereo or twin-channel mode, recorded at the same
moment) joins the current scan; any other record with ``|scan| == 1`` starts the next scan
(the first record always belongs to scan 0).

:func:`filter_gates` blanks the gates that fail quality limits (minimum power, largest
velocity and width errors, RST's quality flag) and keeps, removes or isolates ground scatter
(``gflg`` = 1). Everything here is a pure function of the Dataset.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import xarray as xr

from .._checks import require
from ..errors import InvalidArgumentError, MissingVariableError, OutOfRangeError

__all__ = [
    "GROUND_SCATTER",
    "filter_gates",
    "scan",
    "scan_fan",
    "scan_index",
    "scans",
    "with_scan_index",
]

#: What :func:`filter_gates` does with ground scatter.
GROUND_SCATTER = ("keep", "remove", "only")
#: Per-gate variables that are never blanked (the lag-0 power is measured, not fitted; the
#: flags say what a gate is).
_NOT_BLANKED = ("pwr0", "gflg", "qflg", "x_gflg", "x_qflg")


def _select_channel(ds: xr.Dataset, channel: int | None) -> xr.Dataset:
    if channel is None:
        return ds
    if "channel" not in ds.variables:
        raise MissingVariableError("channel= needs the variable channel, which this Dataset lacks")
    keep = np.asarray(ds["channel"].values) == channel
    if not keep.any():
        found = sorted({int(c) for c in np.asarray(ds["channel"].values) if np.isfinite(c)})
        raise InvalidArgumentError(f"no record on channel {channel} (channels: {found})", "channel")
    return ds.isel(time=np.flatnonzero(keep))


def scan_index(ds: xr.Dataset, channel: int | None = None) -> xr.DataArray:
    """The scan number of every record (0, 1, 2...), as pyDARN's ``build_scan``.

    Args:
        ds: A fitacf, rawacf, iqdat or snd Dataset with the scan flag ``scan``.
        channel: Number only the records of this channel (default: all records).

    Returns:
        Integers on ``time`` named ``scan_index`` (of the records of ``channel`` if given).

    Raises:
        MissingVariableError: Without ``scan``.
    """
    require(ds, "superdarn", ["scan"], where="scan_index")
    ds = _select_channel(ds, channel)
    flag = np.asarray(ds["scan"].values, dtype=np.float64)
    times = ds["time"].values
    n = flag.size
    first = np.zeros(n, dtype=bool)
    if n:
        _, where = np.unique(times, return_index=True)
        first[where] = True
    starts = first & (np.abs(flag) == 1)
    if n:
        starts[0] = False
    index = np.cumsum(starts).astype(np.int64)
    return xr.DataArray(
        index,
        dims=("time",),
        coords={"time": ds["time"]},
        name="scan_index",
        attrs={"long_name": "scan number in the Dataset (from the scan flag)"},
    )


def with_scan_index(ds: xr.Dataset, channel: int | None = None) -> xr.Dataset:
    """The Dataset with a ``scan_index`` coordinate on ``time`` (:func:`scan_index`).

    ``ds.groupby("scan_index")`` then iterates over scans.

    Args:
        ds: A radar Dataset.
        channel: Keep only the records of this channel (default: all).

    Returns:
        The (selected) Dataset with the coordinate added.
    """
    index = scan_index(ds, channel)
    return _select_channel(ds, channel).assign_coords(scan_index=index)


def scans(ds: xr.Dataset, channel: int | None = None) -> list[xr.Dataset]:
    """The Dataset cut into scans, one Dataset per scan, in time order.

    Args:
        ds: A radar Dataset.
        channel: Keep only the records of this channel (default: all).

    Returns:
        One Dataset per scan, each with its ``scan_index`` coordinate.
    """
    indexed = with_scan_index(ds, channel)
    values = indexed["scan_index"].values
    if values.size == 0:
        return []
    bounds = np.flatnonzero(np.diff(values)) + 1
    cuts = np.concatenate([[0], bounds, [values.size]])
    return [indexed.isel(time=slice(a, b)) for a, b in itertools.pairwise(cuts)]


def scan(
    ds: xr.Dataset, index: int | None = None, time: Any = None, channel: int | None = None
) -> xr.Dataset:
    """One scan: by its number, or the scan that holds a time.

    Args:
        ds: A radar Dataset.
        index: The scan number (:func:`scan_index`; negative counts from the end).
        time: A time: the scan of the last record at or before it (default when neither is
            given: the first scan).
        channel: Keep only the records of this channel (default: all).

    Returns:
        The scan's records, with the ``scan_index`` coordinate.

    Raises:
        InvalidArgumentError: If both ``index`` and ``time`` are given.
        OutOfRangeError: If there is no such scan, or ``time`` is outside the records.
    """
    if index is not None and time is not None:
        raise InvalidArgumentError("give index or time, not both", "index")
    indexed = with_scan_index(ds, channel)
    values = indexed["scan_index"].values
    if values.size == 0:
        raise OutOfRangeError("the Dataset has no record")
    count = int(values.max()) + 1
    if time is not None:
        times = indexed["time"].values
        when = np.datetime64(time, "ns")
        before = np.flatnonzero(times <= when)
        if before.size == 0 or when > times.max() + np.timedelta64(10, "m"):
            raise OutOfRangeError(
                f"{np.datetime_as_string(when, unit='s')} is outside the records "
                f"({np.datetime_as_string(times.min(), unit='s')} to "
                f"{np.datetime_as_string(times.max(), unit='s')})"
            )
        index = int(values[before[np.argmax(times[before])]])
    elif index is None:
        index = 0
    index = int(index)
    if not -count <= index < count:
        raise OutOfRangeError(f"scan {index} does not exist: the Dataset has {count} scans")
    index %= count
    return indexed.isel(time=np.flatnonzero(values == index))


def filter_gates(
    ds: xr.Dataset,
    ground_scatter: str = "keep",
    min_power: float | None = None,
    max_velocity_error: float | None = None,
    max_width_error: float | None = None,
    quality_flag: bool = False,
) -> xr.Dataset:
    """Blank (NaN) the gates that fail quality limits or are (not) ground scatter.

    Every fitted per-gate variable (``v``, ``p_l``, ``w_l``, their errors, ``elv``...) is set
    to NaN at the gates that fail; the lag-0 power ``pwr0`` and the flags ``gflg``/``qflg``
    are left as they are. Limits left at ``None`` are not applied.

    Args:
        ds: A fitacf (or snd) Dataset.
        ground_scatter: ``"keep"``, ``"remove"`` (blank ``gflg`` = 1) or ``"only"`` (blank
            everything else).
        min_power: Lowest ``p_l``, dB.
        max_velocity_error: Largest ``v_e``, m/s.
        max_width_error: Largest ``w_l_e``, m/s.
        quality_flag: Blank gates whose RST quality flag ``qflg`` is not 1.

    Returns:
        The filtered Dataset; ``attrs["gate_filters"]`` (JSON) says what was applied.

    Raises:
        InvalidArgumentError: For an unknown ``ground_scatter``.
        MissingVariableError: If a limit's variable is absent.
    """
    if ground_scatter not in GROUND_SCATTER:
        raise InvalidArgumentError(
            f"must be one of {', '.join(GROUND_SCATTER)}, not {ground_scatter!r}",
            "ground_scatter",
        )
    needed = ["range_gate"]
    if ground_scatter != "keep":
        needed.append("gflg")
    limits = {"p_l": min_power, "v_e": max_velocity_error, "w_l_e": max_width_error}
    needed += [name for name, value in limits.items() if value is not None]
    if quality_flag:
        needed.append("qflg")
    require(ds, "superdarn", needed, where="filter_gates")
    shape = (ds.sizes["time"], ds.sizes["range_gate"])

    def gate_values(name: str) -> np.ndarray:
        return np.asarray(ds[name].transpose("time", "range_gate").values, dtype=np.float64)

    bad = np.zeros(shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        if ground_scatter != "keep":
            ground = gate_values("gflg") == 1
            bad |= ground if ground_scatter == "remove" else ~ground
        if min_power is not None:
            bad |= ~(gate_values("p_l") >= float(min_power))
        if max_velocity_error is not None:
            bad |= ~(gate_values("v_e") <= float(max_velocity_error))
        if max_width_error is not None:
            bad |= ~(gate_values("w_l_e") <= float(max_width_error))
        if quality_flag:
            bad |= gate_values("qflg") != 1
    out = ds.copy()
    mask = xr.DataArray(bad, dims=("time", "range_gate"))
    for name, var in ds.data_vars.items() if bad.any() else ():
        if (
            "time" in var.dims
            and "range_gate" in var.dims
            and name not in _NOT_BLANKED
            and var.dtype.kind == "f"
        ):
            if var.dims == ("time", "range_gate"):  # the usual layout: one numpy where
                blank = np.where(bad, var.dtype.type(np.nan), var.values)
                out[name] = var.copy(data=blank)
            else:
                out[name] = var.where(~mask)
                out[name].attrs = dict(var.attrs)
    applied = {
        "ground_scatter": ground_scatter,
        "min_power": min_power,
        "max_velocity_error": max_velocity_error,
        "max_width_error": max_width_error,
        "quality_flag": quality_flag,
        "blanked_gates": int(bad.sum()),
    }
    out.attrs["gate_filters"] = json.dumps(applied)
    return out


def scan_fan(
    ds: xr.Dataset,
    parameter: str = "v",
    index: int | None = None,
    time: Any = None,
    channel: int | None = None,
    coords: str = "geographic",
    ground_scatter: str = "keep",
    min_power: float | None = None,
    max_velocity_error: float | None = None,
    max_width_error: float | None = None,
    quality_flag: bool = False,
    model: str = "standard",
    virtual_height_km: float | None = None,
    aacgm_altitude_km: float | None = None,
) -> xr.Dataset:
    """One scan's values of a parameter on the radar's beams and gates, with their cells.

    The scan (:func:`scan`) is filtered (:func:`filter_gates`), then each beam's gates take
    the value of the scan's last record on that beam that reported the gate (as pyDARN's
    ``plot_fan``: a camping beam's later records overwrite only the gates they report). The
    cells are :func:`geospacexr.superdarn.geometry.field_of_view` of the scan's first record.

    Args:
        ds: A fitacf (or snd) Dataset of one radar.
        parameter: The per-gate variable (``v``, ``p_l``, ``w_l``, ``elv``...).
        index: The scan number (default: the first scan, or the one holding ``time``).
        time: A time within the scan.
        channel: Keep only the records of this channel (default: all).
        coords: ``"geographic"`` or ``"aacgm"`` (adds ``mlat``/``mlon`` of centres and
            corners).
        ground_scatter: ``"keep"``, ``"remove"`` or ``"only"`` (:func:`filter_gates`).
        min_power: Lowest ``p_l``, dB.
        max_velocity_error: Largest ``v_e``, m/s.
        max_width_error: Largest ``w_l_e``, m/s.
        quality_flag: Blank gates whose ``qflg`` is not 1.
        model: Virtual-height model (``"standard"``, ``"chisham"``; ``"elevation"`` needs one
            angle and is not offered here).
        virtual_height_km: F-region height of the standard model, km (default from config
            ``superdarn.virtual_height_km``: 300).
        aacgm_altitude_km: Altitude of the AACGM-v2 conversion, km (default from config
            ``superdarn.aacgm_altitude_km``: 300).

    Returns:
        The field of view with ``value`` (the parameter, its units and long name) and
        ``gflg`` on ``(beam, range_gate)``; attrs ``parameter``, ``scan_index``,
        ``start_time`` and ``end_time``.

    Raises:
        MissingVariableError: If ``parameter`` or ``bmnum`` is absent.
        InvalidArgumentError: If ``parameter`` is not a per-gate variable.
    """
    from .geometry import field_of_view

    require(ds, "superdarn", [parameter, "bmnum", "range_gate"], where="scan_fan")
    if ds[parameter].dims != ("time", "range_gate"):
        raise InvalidArgumentError(
            f"{parameter!r} is on {ds[parameter].dims}, not a per-gate variable on "
            "(time, range_gate)",
            "parameter",
        )
    if model == "elevation":
        raise InvalidArgumentError(
            "a fan takes the standard or chisham model (the elevation model: gate_positions)",
            "model",
        )
    one = scan(ds, index=index, time=time, channel=channel)
    filtered = filter_gates(
        one, ground_scatter, min_power, max_velocity_error, max_width_error, quality_flag
    )
    fov = field_of_view(
        one,
        time=one["time"].values[0],
        coords=coords,
        model=model,
        virtual_height_km=virtual_height_km,
        aacgm_altitude_km=aacgm_altitude_km,
    )
    n_beams, n_gates = fov.sizes["beam"], fov.sizes["range_gate"]
    values = np.asarray(filtered[parameter].values, dtype=np.float64)[:, :n_gates]
    gflg = (
        np.asarray(filtered["gflg"].values, dtype=np.float64)[:, :n_gates]
        if "gflg" in filtered.variables
        else np.zeros_like(values)
    )
    beams = np.asarray(one["bmnum"].values, dtype=np.float64)
    usable = np.isfinite(beams) & (beams >= 0) & (beams < n_beams)
    finite = np.isfinite(values) & usable[:, None]
    records = np.arange(values.shape[0])[:, None]
    latest = np.full((n_beams, n_gates), -1, dtype=np.int64)
    rows, cols = np.nonzero(finite)
    np.maximum.at(latest, (beams[rows].astype(np.int64), cols), records[rows, 0])
    have = latest >= 0
    gate_idx = np.broadcast_to(np.arange(n_gates), latest.shape)
    fan_values = np.full(latest.shape, np.nan)
    fan_gflg = np.full(latest.shape, np.nan)
    fan_values[have] = values[latest[have], gate_idx[have]]
    fan_gflg[have] = gflg[latest[have], gate_idx[have]]
    attrs = {k: v for k, v in ds[parameter].attrs.items() if k in ("units", "long_name")}
    fov["value"] = (("beam", "range_gate"), fan_values, attrs)
    fov["gflg"] = (
        ("beam", "range_gate"),
        fan_gflg,
        {"units": "1", "long_name": "ground-scatter flag"},
    )
    times = one["time"].values
    fov.attrs.update(
        parameter=parameter,
        scan_index=int(one["scan_index"].values[0]),
        start_time=str(np.datetime_as_string(times.min(), unit="ms")),
        end_time=str(np.datetime_as_string(times.max(), unit="ms")),
        gate_filters=filtered.attrs["gate_filters"],
    )
    if channel is not None:
        fov.attrs["channel"] = int(channel)
    return fov
