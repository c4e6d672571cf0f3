"""Quiet-day curves and cosmic noise absorption from riometer signals.

A riometer measures the cosmic radio noise power reaching the ground. Without absorption in
the D region the power follows the sky overhead, which repeats every *sidereal* day: the
**quiet-day curve** (QDC). Absorption is how far the signal falls below it, in dB::

    A(t) = QDC(LST(t)) - S(t)          [dB]

Method (Krishnaswamy et al. 1985; Browne et al. 1995), every parameter a keyword whose default
comes from the ``[rio]`` configuration section:

1. the signal in dB: HSR ``raw_power`` as is; a NORSTAR ``raw_signal`` voltage, proportional to
   the received power, as ``rio.volts_db_factor * log10(V)``;
2. a window of ``days`` UT days (``rio.qdc_days``, ending on the last day of the data or on
   ``end``), or an explicit list of quiet days;
3. each sample's local mean sidereal time (GMST from the IAU 1982 expression, plus the site's
   longitude); the sidereal day cut into ``bins`` bins (``rio.qdc_bins``);
4. per day and bin, the median of the samples (bins with fewer than
   ``rio.min_samples_per_bin`` samples are left out): short spikes do not count;
5. per bin, the **upper envelope** over the days: the ``rank``-th highest day value
   (``rio.qdc_rank``; 2 by default, so one day of interference, which raises the signal, is
   skipped; absorption only lowers it). Krishnaswamy et al. (1985) take the upper envelope
   of the days' curves; Browne et al. (1995) the same with a rank statistic against
   interference;
6. the curve smoothed by keeping its first ``harmonics`` sidereal-day Fourier harmonics
   (``rio.qdc_harmonics``), which also fills empty bins.

References:
    Krishnaswamy, S., Detrick, D. L., & Rosenberg, T. J. (1985). The inflection point method
    of determining riometer quiet day curves. Radio Science, 20(1), 123-136.
    Browne, S., Hargreaves, J. K., & Honary, B. (1995). An imaging riometer for ionospheric
    studies. Electronics & Communication Engineering Journal, 7(5), 209-217.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .. import config
from .._checks import require
from ..errors import InvalidArgumentError, MissingVariableError, OutOfRangeError

__all__ = ["absorption", "local_sidereal_time", "quiet_day_curve", "signal_db"]

#: J2000.0 (UT) and GMST then (hours); GMST rate (sidereal hours per solar day): IAU 1982
_J2000 = np.datetime64("2000-01-01T12:00:00", "ns")
_GMST_J2000_H = 18.697374558
_GMST_RATE_H_PER_DAY = 24.06570982441908
_DAY = np.timedelta64(86400, "s")


def local_sidereal_time(times: Any, lon_deg: float) -> np.ndarray:
    """Local mean sidereal time, hours.

    ``GMST = 18.697374558 h + 24.06570982441908 h * D`` (D: days since J2000.0 UT; the linear
    terms of the IAU 1982 expression, good to 0.1 s over a century), plus the longitude / 15.

    Args:
        times: ``datetime64`` values (UT).
        lon_deg: East longitude, degrees.

    Returns:
        LST in ``[0, 24)`` hours, the shape of ``times``.
    """
    days = (np.asarray(times, dtype="datetime64[ns]") - _J2000) / _DAY
    return np.mod(_GMST_J2000_H + _GMST_RATE_H_PER_DAY * days + float(lon_deg) / 15.0, 24.0)


def signal_db(ds: xr.Dataset, volts_db_factor: float | None = None) -> xr.DataArray:
    """The riometer signal in dB: HSR ``raw_power``, or ``factor * log10(raw_signal)``.

    Args:
        ds: A ``riometer`` Dataset (:func:`geospacexr.open_riometer`).
        volts_db_factor: dB per decade of a voltage signal (default ``rio.volts_db_factor``,
            10: a voltage proportional to the received power).

    Returns:
        ``(time[, frequency])`` in dB.

    Raises:
        WrongKindError: If ``ds`` is not a riometer Dataset.
        MissingVariableError: If it has neither ``raw_power`` nor ``raw_signal``.
    """
    require(ds, "riometer", where="geospacexr.rio.signal_db")
    if "raw_power" in ds:
        out = ds["raw_power"].astype(np.float64)
    elif "raw_signal" in ds:
        factor = float(config.resolve(volts_db_factor, "rio.volts_db_factor"))
        raw = ds["raw_signal"].astype(np.float64)
        out = factor * np.log10(raw.where(raw > 0))
    else:
        raise MissingVariableError(
            "geospacexr.rio needs raw_power (HSR, dB) or raw_signal (NORSTAR, V) in the "
            f"riometer Dataset (it has: {', '.join(map(str, ds.data_vars)) or 'nothing'})"
        )
    return out.assign_attrs(long_name="riometer signal", units="dB")


def _day_list(
    times: np.ndarray, days: int | Sequence[Any] | None, end: Any
) -> tuple[np.ndarray, np.ndarray]:
    """UT day of each sample and the days of the window."""
    day_of = times.astype("datetime64[D]")
    if days is None or isinstance(days, int | np.integer):
        n = int(config.resolve(days, "rio.qdc_days"))
        if n < 1:
            raise InvalidArgumentError(f"must be at least 1 day, not {n}", argument="days")
        last = day_of.max() if end is None else np.datetime64(end, "D")
        window = last - np.arange(n)[::-1]
    else:
        window = np.unique(np.array([np.datetime64(d, "D") for d in days]))
        if window.size == 0:
            raise InvalidArgumentError("no quiet day given", argument="days")
    return day_of, window


def quiet_day_curve(
    ds: xr.Dataset,
    days: int | Sequence[str | np.datetime64 | _dt.date] | None = None,
    end: str | np.datetime64 | _dt.date | None = None,
    bins: int | None = None,
    rank: int | None = None,
    harmonics: int | None = None,
    min_samples: int | None = None,
) -> xr.DataArray:
    """The quiet-day curve of a riometer: the upper envelope of quiet days by sidereal time.

    See the module docstring for the method and its references.

    Args:
        ds: A ``riometer`` Dataset (NORSTAR single frequency or HSR with a ``frequency`` dim).
        days: Window length in UT days (default ``rio.qdc_days``), ending on ``end``; or the
            quiet days themselves (dates).
        end: Last day of the window (default: the last day of the data).
        bins: Sidereal-time bins per sidereal day (default ``rio.qdc_bins``).
        rank: Upper-envelope rank: the ``rank``-th highest day value per bin (default
            ``rio.qdc_rank``); with fewer days in a bin, the lowest of them.
        harmonics: Sidereal-day Fourier harmonics kept (default ``rio.qdc_harmonics``).
        min_samples: Fewest samples of a day in a bin for it to count (default
            ``rio.min_samples_per_bin``).

    Returns:
        ``qdc`` in dB, dims ``(sidereal_time[, frequency])``, ``sidereal_time`` the bin centres
        in hours of local sidereal time; attrs record the window, the parameters and the site
        longitude (to evaluate it: :func:`absorption`).

    Raises:
        WrongKindError: If ``ds`` is not a riometer Dataset.
        InvalidArgumentError: If a parameter is out of range or the site longitude is unknown.
        OutOfRangeError: If no sample lies in the window.
    """
    where = "geospacexr.rio.quiet_day_curve"
    require(ds, "riometer", where=where)
    bins = int(config.resolve(bins, "rio.qdc_bins"))
    rank = int(config.resolve(rank, "rio.qdc_rank"))
    harmonics = int(config.resolve(harmonics, "rio.qdc_harmonics"))
    min_samples = int(config.resolve(min_samples, "rio.min_samples_per_bin"))
    for name, value, low in (("bins", bins, 4), ("rank", rank, 1), ("min_samples", min_samples, 1)):
        if value < low:
            raise InvalidArgumentError(f"must be at least {low}, not {value}", argument=name)
    if harmonics < 0:
        raise InvalidArgumentError(f"must be >= 0, not {harmonics}", argument="harmonics")
    lon = float(ds.attrs.get("site_lon", np.nan))
    if not np.isfinite(lon):
        raise InvalidArgumentError(
            "the site longitude (attrs['site_lon']) is unknown; set it to compute sidereal time",
            argument="ds",
        )
    signal = signal_db(ds)
    single = "frequency" not in signal.dims
    values = signal.values[:, None] if single else signal.transpose("time", "frequency").values
    times = ds["time"].values
    day_of, window = _day_list(times, days, end)
    inside = np.isin(day_of, window) & np.isfinite(values).any(axis=1)
    if not inside.any():
        raise OutOfRangeError(
            f"no riometer sample in the quiet-day window {window[0]} to {window[-1]} "
            f"(the data cover {day_of.min()} to {day_of.max()})"
        )
    t, v, d = times[inside], values[inside], day_of[inside]
    b = np.minimum((local_sidereal_time(t, lon) / 24.0 * bins).astype(np.int64), bins - 1)
    day_index = np.searchsorted(window, d)
    group = day_index * bins + b
    frame = pd.DataFrame(v).groupby(group)
    medians = frame.median().where(frame.count() >= min_samples)
    table = np.full((window.size * bins, v.shape[1]), np.nan)
    table[medians.index.to_numpy()] = medians.to_numpy()
    table = table.reshape(window.size, bins, v.shape[1])
    valid = np.isfinite(table).sum(axis=0)  # (bins, band)
    ordered = -np.sort(-table, axis=0)  # descending; NaN last
    pick = np.clip(np.minimum(rank, valid) - 1, 0, None)
    envelope = np.take_along_axis(ordered, pick[None], axis=0)[0]
    envelope[valid == 0] = np.nan
    curve = np.stack([_smooth(envelope[:, k], harmonics) for k in range(v.shape[1])], axis=1)
    centres = (np.arange(bins) + 0.5) * 24.0 / bins
    dims: tuple[str, ...] = ("sidereal_time",) if single else ("sidereal_time", "frequency")
    data = curve[:, 0] if single else curve
    coords: dict[str, Any] = {
        "sidereal_time": (
            "sidereal_time",
            centres,
            {"long_name": "local mean sidereal time (bin centre)", "units": "h"},
        )
    }
    if not single:
        coords["frequency"] = signal["frequency"]
    elif "frequency" in ds.coords:
        coords["frequency"] = ds["frequency"]
    return xr.DataArray(
        data,
        dims=dims,
        coords=coords,
        name="qdc",
        attrs={
            "long_name": "riometer quiet-day curve",
            "units": "dB",
            "site": str(ds.attrs.get("site", "")),
            "site_lon": lon,
            "window_start": str(window[0]),
            "window_end": str(window[-1]),
            "days": int(window.size),
            "days_with_data": int(np.unique(d).size),
            "bins": bins,
            "rank": rank,
            "harmonics": harmonics,
            "min_samples": min_samples,
            "method": "upper envelope (rank) of daily sidereal-time bin medians, Fourier "
            "smoothed (Krishnaswamy et al. 1985; Browne et al. 1995)",
        },
    )


def _smooth(curve: np.ndarray, harmonics: int) -> np.ndarray:
    """Periodic curve: empty bins filled by periodic interpolation, then low-pass in Fourier."""
    good = np.isfinite(curve)
    if not good.any():
        return curve
    x = np.arange(curve.size, dtype=float)
    filled = np.interp(x, x[good], curve[good], period=curve.size)
    spectrum = np.fft.rfft(filled)
    spectrum[harmonics + 1 :] = 0.0
    return np.fft.irfft(spectrum, n=curve.size)


def _evaluate(qdc: xr.DataArray, times: np.ndarray, lon: float) -> np.ndarray:
    """The QDC at each time (periodic linear interpolation in sidereal time)."""
    lst = local_sidereal_time(times, lon)
    centres = qdc["sidereal_time"].values
    values = qdc.values[:, None] if qdc.ndim == 1 else qdc.transpose("sidereal_time", ...).values
    out = np.stack(
        [np.interp(lst, centres, values[:, k], period=24.0) for k in range(values.shape[1])],
        axis=1,
    )
    return out


def absorption(ds: xr.Dataset, qdc: xr.DataArray | None = None, **qdc_options: Any) -> xr.DataArray:
    """Cosmic noise absorption: the quiet-day curve minus the signal, dB.

    Args:
        ds: A ``riometer`` Dataset (single frequency, or HSR: every band).
        qdc: A quiet-day curve (:func:`quiet_day_curve`); computed from ``ds`` when ``None``.
        **qdc_options: Passed to :func:`quiet_day_curve` when ``qdc`` is ``None`` (``days``,
            ``end``, ``bins``, ``rank``, ``harmonics``, ``min_samples``).

    Returns:
        ``absorption`` ``(time[, frequency])`` in dB (positive: absorbed), the QDC's attrs
        kept with a ``qdc_`` prefix.

    Raises:
        WrongKindError: If ``ds`` is not a riometer Dataset.
        IncompatibleInputError: If ``qdc`` has other frequencies than ``ds``.
        InvalidArgumentError: If the site longitude is unknown.
    """
    from ..errors import IncompatibleInputError

    require(ds, "riometer", where="geospacexr.rio.absorption")
    if qdc is None:
        qdc = quiet_day_curve(ds, **qdc_options)
    elif qdc_options:
        raise InvalidArgumentError(
            f"{', '.join(qdc_options)} only apply when the QDC is computed here (qdc=None)",
            argument="qdc",
        )
    signal = signal_db(ds)
    single = "frequency" not in signal.dims
    if single != ("frequency" not in qdc.dims) or (
        not single and not np.array_equal(qdc["frequency"].values, signal["frequency"].values)
    ):
        raise IncompatibleInputError(
            "the quiet-day curve was made for other frequencies than this Dataset's"
        )
    lon = float(ds.attrs.get("site_lon", np.nan))
    if not np.isfinite(lon):
        raise InvalidArgumentError("the site longitude (attrs['site_lon']) is unknown", "ds")
    curve = _evaluate(qdc, ds["time"].values, lon)
    values = signal.values[:, None] if single else signal.transpose("time", "frequency").values
    result = curve - values
    dims = ("time",) if single else ("time", "frequency")
    out = xr.DataArray(
        result[:, 0] if single else result,
        dims=dims,
        coords={k: v for k, v in signal.coords.items()},
        name="absorption",
        attrs={
            "long_name": "cosmic noise absorption (quiet-day curve minus signal)",
            "units": "dB",
            **{f"qdc_{k}": v for k, v in qdc.attrs.items() if k not in ("units", "long_name")},
        },
    )
    return out
