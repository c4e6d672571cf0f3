"""Range-time-intensity (RTI) data: one beam's fitted parameter against time and range gate.

What an RTI plot or a summary plot draws, computed without plotting
(:mod:`geospacexr.plot.superdarn` draws it):

* :func:`beam_records` — the records of one beam (and channel) of a ``superdarn`` Dataset,
  in time order, within a time window;
* :func:`rti` — one per-gate parameter (``v``, ``p_l``, ``w_l``, ``elv``...) of those records
  as a DataArray ``(time, range_gate)``, NaN where a record did not report a gate, with the
  ground-scatter flag, the slant range of every gate of every record and the time span each
  record's column covers (a longer silence is a gap, never a stretched column), and on request
  the geographic and AACGM-v2 positions of the gates (``coords=``).

The slant range of gate ``g`` in a record is :func:`geospacexr.superdarn.geometry.slant_range`'s
(one implementation): ``frang - rxrise * c / 2 + g * rsep`` km at the centre of the gate, with
the receiver rise time ``rxrise`` of the record, or of the radar hardware file where the record
says 0 (RST's rule; ``rxrise=0`` gives ``frang + g * rsep``, pyDARN's ``gate2slant(center=True)``
without the rise time, which was this module's slant range before the hardware tables).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from .._checks import require
from ..errors import (
    DataWarning,
    InvalidArgumentError,
    MissingVariableError,
    OutOfRangeError,
    UnknownNameError,
)
from . import geometry as _geometry

__all__ = [
    "GAP_FACTOR",
    "GROUND_SCATTER",
    "POSITION_COORDS",
    "SUMMARY_PARAMETERS",
    "SUMMARY_SCALARS",
    "beam_records",
    "beam_summary",
    "rti",
    "rti_parameters",
]

#: A record's RTI column reaches the next record of the same beam unless they are further apart
#: than this many times the median spacing of the records shown (twice a one-minute scan is
#: pyDARN's two-minute gap); a longer silence is drawn as a gap.
GAP_FACTOR = 2.0
#: Choices of ``ground_scatter``: what happens to the values of echoes flagged as ground
#: scatter (``gflg == 1``).
GROUND_SCATTER = ("grey", "colour", "hide", "only")
#: Per-record scalars of a summary plot (pyDARN's ``plot_summary`` panels), where present.
SUMMARY_SCALARS = ("noise.sky", "noise.search", "tfreq", "nave", "cp")
#: Per-gate panels of a summary plot (pyDARN's ``plot_summary``): power, velocity, spectral
#: width, elevation.
SUMMARY_PARAMETERS = ("p_l", "v", "w_l", "elv")
#: Width of the only column of a one-record RTI without an integration time, seconds.
_FALLBACK_WIDTH_S = 1.0
#: Choices of ``coords``: which gate positions :func:`rti` adds (``None``: none).
#: ``"geographic"`` adds ``geo_lat`` and ``geo_lon``; ``"aacgm"`` also ``mag_lat`` and ``mag_lon``.
POSITION_COORDS = _geometry.COORDINATE_SYSTEMS
_NS_PER_S = 1e9


def rti_parameters(ds: xr.Dataset) -> list[str]:
    """The per-gate parameters of a ``superdarn`` Dataset that an RTI can show.

    Args:
        ds: A ``superdarn`` Dataset of a fitacf (or snd) file.

    Returns:
        The names of the numeric ``(time, range_gate)`` variables, in the Dataset's order
        (``v``, ``p_l``, ``w_l``, ``elv``, ``gflg``...).
    """
    require(ds, "superdarn", where="rti_parameters")
    return [
        str(name)
        for name, var in ds.data_vars.items()
        if var.dims == ("time", "range_gate") and var.dtype.kind in "iuf"
    ]


def _window(times: np.ndarray, start: Any, end: Any) -> np.ndarray:
    keep = ~np.isnat(times)
    try:
        if start is not None:
            keep &= times >= np.datetime64(start, "ns")
        if end is not None:
            keep &= times <= np.datetime64(end, "ns")
    except ValueError as exc:
        raise InvalidArgumentError(f"not a time: {exc}", "start" if start else "end") from None
    return keep


def _values_present(ds: xr.Dataset, name: str) -> list[int]:
    return sorted({int(v) for v in np.asarray(ds[name].values) if np.isfinite(v)})


def beam_records(
    ds: xr.Dataset,
    beam: int = 0,
    channel: int | None = None,
    start: Any = None,
    end: Any = None,
) -> xr.Dataset:
    """The records of one beam (and channel) in time order, within ``[start, end]``.

    Records whose time could not be decoded (``NaT``) are left out; records with equal times
    (two channels recording at once) keep their file order.

    Args:
        ds: A ``superdarn`` Dataset of a radar file (fitacf, rawacf, iqdat, snd).
        beam: Beam number (``bmnum``, 0-based).
        channel: Channel number (``channel``); ``None`` takes every channel (as pyDARN's
            ``"all"``).
        start: First time (inclusive); default the first record.
        end: Last time (inclusive); default the last record.

    Returns:
        The selected records (every variable of ``ds``), sorted by time.

    Raises:
        InvalidArgumentError: If the beam or channel has no record (the message lists those
            the Dataset has), or none lies in the time window.
    """
    require(ds, "superdarn", ["bmnum"], where="beam_records")
    bmnum = np.asarray(ds["bmnum"].values)
    keep = bmnum == beam
    if not keep.any():
        raise InvalidArgumentError(
            f"no record of beam {beam} (beams in the data: "
            f"{', '.join(map(str, _values_present(ds, 'bmnum')))})",
            "beam",
        )
    if channel is not None:
        if "channel" not in ds:
            raise MissingVariableError(
                "channel: this Dataset has no 'channel' variable; give channel=None"
            )
        keep &= np.asarray(ds["channel"].values) == channel
        if not keep.any():
            on_beam = _values_present(ds.isel(time=np.flatnonzero(bmnum == beam)), "channel")
            raise InvalidArgumentError(
                f"no record of beam {beam} on channel {channel} (channels of beam {beam}: "
                f"{', '.join(map(str, on_beam))})",
                "channel",
            )
    times = np.asarray(ds["time"].values)
    inside = keep & _window(times, start, end)
    if not inside.any():
        found = times[keep & ~np.isnat(times)]
        span = (
            f"its records span {_stamp(found.min())} to {_stamp(found.max())}"
            if found.size
            else "none of its records has a valid time"
        )
        raise InvalidArgumentError(
            f"no record of beam {beam} between {start or 'the start'} and {end or 'the end'} "
            f"({span})",
            "start" if start is not None else "end",
        )
    index = np.flatnonzero(inside)
    index = index[np.argsort(times[index], kind="stable")]
    return ds.isel(time=index)


def _stamp(t: np.datetime64) -> str:
    return np.datetime_as_string(t, unit="s").replace("T", " ")


def _column_ends(records: xr.Dataset, max_gap: float | None) -> tuple[np.ndarray, float]:
    """When each record's column ends, and the longest column (seconds)."""
    times = np.asarray(records["time"].values, dtype="datetime64[ns]")
    n = times.size
    spacing = np.diff(times).astype(np.int64) / _NS_PER_S
    positive = spacing[spacing > 0]
    if max_gap is None:
        if positive.size:
            max_gap = GAP_FACTOR * float(np.median(positive))
        else:
            max_gap = _integration(records, 0) or _FALLBACK_WIDTH_S
    elif not np.isfinite(max_gap) or max_gap <= 0:
        raise InvalidArgumentError(
            f"must be a positive number of seconds, not {max_gap!r}", "max_gap"
        )
    width = np.empty(n)
    width[:-1] = np.minimum(spacing, max_gap)
    last = float(np.median(positive)) if positive.size else (_integration(records, n - 1) or 0.0)
    width[-1] = min(last or _FALLBACK_WIDTH_S, max_gap)
    ends = times + np.round(width * _NS_PER_S).astype("timedelta64[ns]")
    return ends, float(max_gap)


def _integration(records: xr.Dataset, i: int) -> float:
    """The integration time of record ``i`` (``intt.sc + intt.us``), 0 if unknown."""
    if "intt.sc" not in records:
        return 0.0
    seconds = float(records["intt.sc"].values[i])
    if "intt.us" in records:
        seconds += float(records["intt.us"].values[i]) * 1e-6
    return seconds if np.isfinite(seconds) and seconds > 0 else 0.0


def rti(
    ds: xr.Dataset,
    parameter: str = "v",
    beam: int = 0,
    channel: int | None = None,
    ground_scatter: str = "grey",
    start: Any = None,
    end: Any = None,
    max_gap: float | None = None,
    coords: str | None = None,
    rxrise: Any = None,
) -> xr.DataArray:
    """One beam's per-gate parameter against time: what a range-time-intensity plot shows.

    The values are those of the Dataset (NaN where a record did not report a gate: not in its
    ``slist``). Each record's column spans from its time to the next record's, but never more
    than ``max_gap`` seconds: a longer silence (a missed scan, a change of mode) stays a gap
    instead of stretching the record before it. The y axis can be the range gate, the slant
    range (the ``slant_range`` coordinate, per record, from its ``frang``, ``rsep`` and
    receiver rise time) or, with ``coords``, the latitude of each record's gates.

    Args:
        ds: A ``superdarn`` Dataset of a fitacf file (or any radar file with
            ``(time, range_gate)`` variables).
        parameter: The per-gate variable: ``v`` (line-of-sight velocity), ``p_l`` (power),
            ``w_l`` (spectral width), ``elv`` (elevation), ``phi0``, their errors, ``x_*``
            (interferometer fits)...: :func:`rti_parameters` lists them.
        beam: Beam number (``bmnum``, 0-based).
        channel: Channel number; ``None`` takes every channel (as pyDARN's ``"all"``).
        ground_scatter: Echoes flagged as ground scatter (``gflg == 1``): ``"grey"`` keeps their
            values and figures draw them grey (the SuperDARN convention); ``"colour"`` keeps
            them and figures colour them like the rest; ``"hide"`` sets them to NaN;
            ``"only"`` keeps nothing else.
        start: First time (inclusive); default the first record of the beam.
        end: Last time (inclusive); default the last record of the beam.
        max_gap: Longest span of one record's column, seconds; records further apart leave a
            gap (default: twice the median spacing of the records shown, so a one-minute scan
            shows a missed scan as pyDARN's two-minute rule does).
        coords: Gate positions to add (:func:`geospacexr.superdarn.geometry.gate_positions`,
            standard virtual-height model, gate centres on the record's beam): ``None`` (none,
            the default), ``"geographic"`` (``geo_lat``, ``geo_lon``, geocentric degrees) or
            ``"aacgm"`` (those and AACGM-v2 ``mag_lat``, ``mag_lon``; needs ``aacgmv2``).
        rxrise: Receiver rise time of the slant range and positions, microseconds: ``None``
            (each record's ``rxrise``, the hardware file's where it is 0: RST's rule),
            ``"hardware"`` (the hardware file's, as pyDARN) or a number (``0``: the gate
            centre ``frang + gate * rsep``, without the rise time).

    Returns:
        A float DataArray ``(time, range_gate)`` named ``parameter`` (its ``units`` and
        ``long_name``), with coordinates ``time_end`` (``time``: where each record's column
        ends), ``ground_scatter`` (``(time, range_gate)``, bool: ``gflg == 1``),
        ``slant_range`` (``(time, range_gate)``, km, the gate centres, when the records have
        ``frang`` and ``rsep``), with ``coords`` the gate positions ``geo_lat``, ``geo_lon``
        (and ``mag_lat``, ``mag_lon``) on ``(time, range_gate)``, and the records' ``bmnum``,
        ``channel``, ``frang`` and ``rsep``; ``attrs`` name the beam, the channel,
        ``ground_scatter``, the ``max_gap`` used and, with ``coords``, the position model.

    Raises:
        MissingVariableError: If the Dataset has no such parameter.
        InvalidArgumentError: If the parameter is not per gate, ``ground_scatter`` is not one
            of :data:`GROUND_SCATTER`, ``coords`` not one of :data:`POSITION_COORDS`,
            ``rxrise`` not a rise time, or the beam, channel or time window has no record.
        UnknownNameError: If the hardware is needed (``rxrise`` not a number, or ``coords``)
            and the station is not a known radar.

    Example:
        >>> ds = geospacexr.open_superdarn("20180404.0601.00.rkn.fitacf.bz2")  # doctest: +SKIP
        >>> v = geospacexr.superdarn.rti(ds, "v", beam=7, ground_scatter="hide")  # doctest: +SKIP
    """
    require(ds, "superdarn", ["bmnum"], where="rti")
    if parameter not in ds.data_vars:
        choices = rti_parameters(ds)
        raise MissingVariableError(
            f"parameter: no variable {parameter!r} in this {ds.attrs.get('superdarn_type', '')} "
            f"Dataset (per-gate parameters: {', '.join(choices) or 'none'})"
        )
    if ds[parameter].dims != ("time", "range_gate"):
        raise InvalidArgumentError(
            f"{parameter!r} is not a per-gate variable (dims {ds[parameter].dims}); an RTI shows "
            f"one of: {', '.join(rti_parameters(ds)) or 'none in this Dataset'}",
            "parameter",
        )
    if ground_scatter not in GROUND_SCATTER:
        raise InvalidArgumentError(
            f"must be one of {', '.join(GROUND_SCATTER)}, not {ground_scatter!r}",
            "ground_scatter",
        )
    if coords is not None and coords not in POSITION_COORDS:
        raise InvalidArgumentError(
            f"must be None or one of {', '.join(POSITION_COORDS)}, not {coords!r}", "coords"
        )
    rxrise = _rise_time(rxrise)
    records = beam_records(ds, beam, channel, start, end)
    var = records[parameter]
    values = np.asarray(var.values, dtype=np.float64)
    if "gflg" in records:
        flagged = np.asarray(records["gflg"].values) == 1
    else:
        flagged = np.zeros(values.shape, dtype=bool)
    if ground_scatter == "hide":
        values = np.where(flagged, np.nan, values)
    elif ground_scatter == "only":
        values = np.where(flagged, values, np.nan)
    gates = np.asarray(records["range_gate"].values)
    positions = coords
    coords: dict[str, Any] = {"time": records["time"].values, "range_gate": gates}
    ends, gap = _column_ends(records, max_gap)
    coords["time_end"] = ("time", ends, {"long_name": "end of the record's column"})
    coords["ground_scatter"] = (
        ("time", "range_gate"),
        flagged,
        {"long_name": "ground scatter (gflg == 1)"},
    )
    # positions first: they need the hardware, whose absence is then an error, not a warning
    pos = None
    if positions is not None:
        pos = _geometry.gate_positions(records, coords=positions, rxrise=rxrise)
    if "frang" in records and "rsep" in records:
        coords["slant_range"] = (
            ("time", "range_gate"),
            _slant_range(records, rxrise),
            {"units": "km", "long_name": "slant range (gate centre)"},
        )
    model = {}
    if pos is not None:
        for ours, theirs in POSITION_NAMES.items():
            if theirs in pos:
                attrs_pos = dict(pos[theirs].attrs)
                attrs_pos["long_name"] = _LONG_NAMES[ours]
                coords[ours] = (("time", "range_gate"), pos[theirs].values, attrs_pos)
        model = {
            k: pos.attrs[k]
            for k in ("virtual_height_model", "aacgm_altitude_km", "aacgm_date")
            if k in pos.attrs
        }
    for name in ("bmnum", "channel", "frang", "rsep"):
        if name in records:
            coords[name] = ("time", records[name].values, dict(records[name].attrs))
    attrs = {k: v for k, v in var.attrs.items() if k in ("units", "long_name")}
    attrs.update(
        parameter=parameter,
        beam=int(beam),
        channel="all" if channel is None else int(channel),
        ground_scatter=ground_scatter,
        max_gap_s=gap,
    )
    if positions is not None:
        attrs.update(coords=positions, **model)
    for key in ("station_id", "superdarn_type"):
        if key in ds.attrs:
            attrs[key] = ds.attrs[key]
    return xr.DataArray(
        values, dims=("time", "range_gate"), coords=coords, name=parameter, attrs=attrs
    )


#: The gate-position coordinates of :func:`rti` and the variables of
#: :func:`~geospacexr.superdarn.geometry.gate_positions` they come from.
POSITION_NAMES = {"geo_lat": "lat", "geo_lon": "lon", "mag_lat": "mlat", "mag_lon": "mlon"}
_LONG_NAMES = {
    "geo_lat": "geographic (geocentric) latitude of the gate centre",
    "geo_lon": "geographic longitude of the gate centre",
    "mag_lat": "AACGM-v2 latitude of the gate centre",
    "mag_lon": "AACGM-v2 longitude of the gate centre",
}


def _slant_range(records: xr.Dataset, rxrise: Any) -> np.ndarray:
    """The gate centres' slant range, km: :func:`geometry.slant_range`'s formula.

    A numeric ``rxrise`` needs no hardware file, so the formula is applied directly (the same
    function); otherwise the hardware of the records' station gives the rise time. With the
    default ``rxrise=None`` and no hardware for the records (an unknown station, a time before
    its first hardware line), the records' own ``rxrise`` is used, with a ``DataWarning``.
    """
    if rxrise is None or isinstance(rxrise, str):
        try:
            return np.asarray(_geometry.slant_range(records, center=True, rxrise=rxrise).values)
        except (UnknownNameError, OutOfRangeError, InvalidArgumentError) as exc:
            if rxrise is not None:
                raise
            # no hardware line for these records: the records' own rise time (0 if absent)
            warnings.warn(
                f"the slant range uses the records' own rxrise (0 where absent): no radar "
                f"hardware for them ({exc})",
                DataWarning,
                stacklevel=3,
            )
            rx: Any = _geometry._record_values(records, "rxrise", 0.0)[:, None]
    else:
        rx = float(rxrise)
    frang = _geometry._record_values(records, "frang", np.nan)[:, None]
    rsep = _geometry._record_values(records, "rsep", np.nan)[:, None]
    gates = np.asarray(records["range_gate"].values, dtype=np.float64)[None, :]
    return np.asarray(_geometry._slant(frang, rsep, rx, gates), dtype=np.float64)


def _rise_time(rxrise: Any) -> Any:
    """``rxrise`` checked: ``None``, ``"hardware"`` or a finite number (also given as text)."""
    if rxrise is None or rxrise == "hardware":
        return rxrise
    try:
        value = float(rxrise)
    except (TypeError, ValueError):
        value = np.nan
    if not np.isfinite(value):
        raise InvalidArgumentError(
            f"must be None (the record's), 'hardware' or a finite number of microseconds, "
            f"not {rxrise!r}",
            "rxrise",
        )
    return value


def beam_summary(
    ds: xr.Dataset,
    beam: int = 0,
    channel: int | None = None,
    parameters: Sequence[str] | None = None,
    ground_scatter: str = "grey",
    start: Any = None,
    end: Any = None,
    max_gap: float | None = None,
    coords: str | None = None,
    rxrise: Any = None,
) -> xr.Dataset:
    """What a summary plot of one beam shows (pyDARN's ``plot_summary``).

    The per-record scalars of :data:`SUMMARY_SCALARS` (sky and search noise, frequency, number
    of averages, control program) and the :func:`rti` of each per-gate parameter, all on the
    same records.

    Args:
        ds: A ``superdarn`` Dataset of a fitacf file.
        beam: Beam number (``bmnum``, 0-based).
        channel: Channel number; ``None`` takes every channel (as pyDARN's ``"all"``).
        parameters: The per-gate panels (default :data:`SUMMARY_PARAMETERS`, ``p_l``, ``v``,
            ``w_l``, ``elv``, less those the Dataset lacks or never reports on this beam, as
            pyDARN drops ``elv`` from files without it).
        ground_scatter: As for :func:`rti`, except that ``"grey"`` marks ground scatter only
            on the velocity panels (``v``, ``x_v``) and leaves it coloured on the others, as
            pyDARN's summary does; ``"colour"``, ``"hide"`` and ``"only"`` apply to every panel.
        start: First time (inclusive); default the first record of the beam.
        end: Last time (inclusive); default the last record of the beam.
        max_gap: As for :func:`rti`.
        coords: As for :func:`rti`: the gate positions to add (``None``, ``"geographic"``,
            ``"aacgm"``).
        rxrise: As for :func:`rti`: the receiver rise time of the slant range and positions.

    Returns:
        A Dataset on ``time`` (the beam's records) and ``range_gate``: the scalars present in
        the Dataset, one ``(time, range_gate)`` variable per panel (each with its
        ``ground_scatter`` setting in ``attrs``), and the coordinates of :func:`rti`
        (``time_end``, ``ground_scatter``, ``slant_range``...); ``attrs["parameters"]`` names
        the panels in order, separated by spaces.

    Raises:
        InvalidArgumentError: If no parameter is left to show, or as :func:`rti`.
        MissingVariableError: If a parameter asked for by name is missing.
    """
    require(ds, "superdarn", ["bmnum"], where="beam_summary")
    records = beam_records(ds, beam, channel, start, end)
    if parameters is None:
        chosen = [
            p
            for p in SUMMARY_PARAMETERS
            if p in records.data_vars and bool(np.isfinite(records[p].values).any())
        ]
    else:
        chosen = [str(p) for p in parameters]
    if not chosen:
        raise InvalidArgumentError(
            f"none of {', '.join(SUMMARY_PARAMETERS)} has a value on beam {beam}; name the "
            f"panels (per-gate parameters: {', '.join(rti_parameters(ds)) or 'none'})",
            "parameters",
        )
    panels = {}
    for name in chosen:
        mode = ground_scatter
        if ground_scatter == "grey" and name not in ("v", "x_v"):
            mode = "colour"
        panels[name] = rti(ds, name, beam, channel, mode, start, end, max_gap, coords, rxrise)
    first = panels[chosen[0]]
    out = xr.Dataset(
        {name: da.reset_coords(drop=True) for name, da in panels.items()}, coords=first.coords
    )
    out = out.drop_vars("ground_scatter").assign_coords(ground_scatter=first["ground_scatter"])
    for name in SUMMARY_SCALARS:
        if name in records:
            out[name] = ("time", records[name].values, dict(records[name].attrs))
    for name, da in panels.items():
        out[name].attrs = dict(da.attrs)
    out.attrs = {
        k: v for k, v in first.attrs.items() if k not in ("units", "long_name", "parameter")
    }
    out.attrs["ground_scatter"] = ground_scatter
    out.attrs["parameters"] = " ".join(chosen)
    return out
