"""Times as the readers build them: ``datetime64[ns]`` that never wrap around.

numpy converts a date outside what 64-bit nanoseconds hold (about 1677-09-22 to 2262-04-11)
to ``datetime64[ns]`` silently and wrongly (2262-12-31 becomes 1678-06-11). Every reader parses
times through :func:`to_ns` / :func:`check_ns`, which refuse such dates, so a damaged time stamp
is reported (the frame skipped, or the file refused) instead of read as another date.

A time can also hold in ``datetime64[ns]`` and still be impossible for the instrument: a zeroed
stamp reads as 1970, a flipped digit as 2104. :func:`plausible_range` gives the window an
instrument's frames can lie in (from its first light in the instrument table, or
``asi.earliest_frame_time``, to now plus ``asi.future_margin_days``); readers skip and report
frames outside it (:func:`implausible`) exactly as they do frames that overflow.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from .. import config
from ..errors import ConfigError, FileFormatError, OutOfRangeError

__all__ = [
    "NS_RANGE",
    "check_ns",
    "check_validity_start",
    "far_from_name",
    "implausible",
    "implausible_reason",
    "name_time",
    "name_window",
    "plausible_range",
    "to_ns",
]

_LAST_SECOND = int(np.iinfo(np.int64).max) // 1_000_000_000
_SECONDS_PER_DAY = 86_400
_MAX_MARGIN_DAYS = 36_525  # a century: beyond it the check means nothing
#: The first and last whole second that ``datetime64[ns]`` can hold (int64 nanoseconds).
NS_RANGE = (np.datetime64(-_LAST_SECOND, "s"), np.datetime64(_LAST_SECOND, "s"))


def check_ns(values: Any, what: str = "time") -> None:
    """Refuse dates that ``datetime64[ns]`` cannot hold.

    Args:
        values: ``datetime64`` values of any unit (seconds, days...), before conversion to ns.
        what: What the values are, for the message.

    Raises:
        OutOfRangeError: If a value lies outside :data:`NS_RANGE` (a ``ValueError``).
    """
    seconds = np.asarray(values).astype("datetime64[s]")  # coarser unit: no overflow
    ok = np.isnat(seconds) | ((seconds >= NS_RANGE[0]) & (seconds <= NS_RANGE[1]))
    if not np.all(ok):
        bad = seconds[~ok].reshape(-1)[:3]
        raise OutOfRangeError(
            f"{what} {', '.join(str(b) for b in bad)} outside what datetime64[ns] holds "
            f"({NS_RANGE[0]} to {NS_RANGE[1]})"
        )


def to_ns(value: Any, what: str = "time") -> np.datetime64:
    """Parse a time (ISO text or ``datetime64``) into ``datetime64[ns]`` without wrapping.

    Args:
        value: Anything ``numpy.datetime64`` accepts.
        what: What the value is, for the message.

    Returns:
        The time in nanoseconds.

    Raises:
        ValueError: If the text is not a time.
        OutOfRangeError: If the time lies outside :data:`NS_RANGE` (a ``ValueError``).
    """
    parsed = np.datetime64(value)
    check_ns(parsed, what)
    return parsed.astype("datetime64[ns]")


def plausible_range(
    instrument: str | None = None, now: Any = None
) -> tuple[np.datetime64, np.datetime64]:
    """The window in which an instrument's frames can lie.

    Args:
        instrument: Instrument name (or alias) of the instrument table; unknown or ``None``:
            the configuration's ``asi.earliest_frame_time`` is the start.
        now: The present (default: the current UTC time), for tests.

    Returns:
        ``(earliest, latest)`` as ``datetime64[ns]``: the instrument's ``first_light`` (else
        ``asi.earliest_frame_time``) and ``now + asi.future_margin_days``. With
        ``asi.check_frame_times`` off, the whole of :data:`NS_RANGE`.

    Raises:
        ConfigError: If ``asi.earliest_frame_time`` is not a date.
    """
    from .instruments import get_instrument

    cfg = config.get().asi
    if not cfg.check_frame_times:
        return NS_RANGE[0].astype("datetime64[ns]"), NS_RANGE[1].astype("datetime64[ns]")
    earliest = None
    if instrument:
        try:
            earliest = get_instrument(instrument).first_light
        except KeyError:  # not in the table (UnknownInstrumentError): the configured time
            earliest = None
    try:
        first = to_ns(earliest or cfg.earliest_frame_time, "earliest frame time")
    except ValueError:
        raise ConfigError(
            f"asi.earliest_frame_time must be an ISO date, not {cfg.earliest_frame_time!r}"
        ) from None
    if now is None:
        now = np.datetime64(_dt.datetime.now(_dt.UTC).replace(tzinfo=None), "ns")
    days = float(cfg.future_margin_days)
    if not 0 <= days <= _MAX_MARGIN_DAYS:  # also NaN
        raise ConfigError(f"asi.future_margin_days must lie in [0, {_MAX_MARGIN_DAYS}], not {days}")
    margin = np.timedelta64(round(days * _SECONDS_PER_DAY), "s")
    return first, to_ns(now, "now") + margin


def implausible(
    times: Any, instrument: str | None = None, now: Any = None
) -> tuple[np.ndarray, str]:
    """Which times lie outside the instrument's plausible range, and why.

    Args:
        times: ``datetime64`` values (NaT counts as plausible: readers report it separately).
        instrument: As for :func:`plausible_range`.
        now: As for :func:`plausible_range`.

    Returns:
        A boolean array (``True``: implausible, skip it) and the reason to report, e.g.
        ``"outside the plausible range of themis (2003-01-01 to 2026-12-09)"``.
    """
    first, last = plausible_range(instrument, now)
    values = np.asarray(times).astype("datetime64[ns]")
    bad = ~np.isnat(values) & ((values < first) | (values > last))
    return bad, implausible_reason(instrument, now)


#: The start time in an image file's name: ``YYYYMMDD_HHMM`` or ``YYYYMMDD_HHMMSS`` first.
_NAME_TIME = re.compile(r"^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})?(?=[_.])")


def name_time(path: str | os.PathLike[str]) -> np.datetime64 | None:
    """The start time an image file's name carries (``20140310_0600_gill_...``), if any.

    Args:
        path: The file.

    Returns:
        The time as ``datetime64[ns]``, or ``None`` if the name holds none or an impossible one
        (then nothing can be checked against it).
    """
    m = _NAME_TIME.match(Path(path).name)
    if not m:
        return None
    year, month, day, hour, minute, second = m.groups()
    try:
        return to_ns(f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}", "file name time")
    except (ValueError, OutOfRangeError):
        return None


def name_window(path: str | os.PathLike[str]) -> tuple[np.datetime64, np.datetime64, str] | None:
    """The window of frame times the file name allows, ``asi.name_time_margin_hours`` each side.

    Args:
        path: The file, whose name may carry its start time (:func:`name_time`).

    Returns:
        ``(earliest, latest, reason)`` with the reason to report for frames outside, or ``None``
        when the name carries no time or ``asi.check_frame_times`` is off.
    """
    cfg = config.get().asi
    named = name_time(path)
    if named is None or not cfg.check_frame_times:
        return None
    hours = float(cfg.name_time_margin_hours)
    margin = np.timedelta64(round(hours * 3600), "s")
    reason = (
        f"more than {hours:g} h from the time in the file name ({named.astype('datetime64[s]')}; "
        "asi.name_time_margin_hours)"
    )
    named_s = named.astype("datetime64[s]")  # clipped to what datetime64[ns] holds: no wrapping
    first = max(named_s - margin, NS_RANGE[0]).astype("datetime64[ns]")
    last = min(named_s + margin, NS_RANGE[1]).astype("datetime64[ns]")
    return first, last, reason


def far_from_name(times: Any, path: str | os.PathLike[str]) -> tuple[np.ndarray, str]:
    """Which frame times lie outside the file name's window (:func:`name_window`).

    Args:
        times: ``datetime64`` values of the file's frames (NaT is never flagged).
        path: The file.

    Returns:
        A boolean array (``True``: skip the frame) and the reason to report (all ``False`` and
        ``""`` when the name carries no time or the check is off).
    """
    values = np.asarray(times).astype("datetime64[ns]")
    window = name_window(path)
    if window is None:
        return np.zeros(values.shape, dtype=bool), ""
    first, last, reason = window
    return ~np.isnat(values) & ((values < first) | (values > last)), reason


def implausible_reason(instrument: str | None = None, now: Any = None) -> str:
    """The words a reader reports for frames outside :func:`plausible_range`.

    Args:
        instrument: As for :func:`plausible_range`.
        now: As for :func:`plausible_range`.

    Returns:
        E.g. ``"outside the plausible range of themis (2003-01-01 to 2026-12-09; ...)"``, naming
        the settings that move the range.
    """
    first, last = plausible_range(instrument, now)
    return (
        f"outside the plausible range of {instrument or 'an all-sky imager'} "
        f"({np.datetime_as_string(first, 'D')} to {np.datetime_as_string(last, 'D')}; set by "
        "the instrument table's first_light, asi.earliest_frame_time, asi.future_margin_days "
        "and asi.check_frame_times)"
    )


def check_validity_start(
    start: str, instrument: str | None, what: str, path: Any = None, now: Any = None
) -> None:
    """Refuse a calibration or skymap whose validity starts at an implausible time.

    A skymap or calibration file is made for an imager that is running: a validity start before
    the instrument's first light or after the present (with ``asi.future_margin_days``) is a
    damaged or mis-named file, which would otherwise be matched to no frame or to the wrong ones.

    Args:
        start: The validity start as an ISO time (``""``: none given, nothing to check).
        instrument: Instrument name (see :func:`plausible_range`).
        what: Where the date comes from, for the message (``"VALID_INTERVAL_START"``).
        path: The file, for the message.
        now: The present (default: the current UTC time), for tests.

    Raises:
        FileFormatError: If the start lies outside :func:`plausible_range`.
    """
    if not start:
        return
    try:
        when = to_ns(start, what)
    except ValueError as exc:  # not a date, or one datetime64[ns] cannot hold (never wrapped)
        raise FileFormatError(f"{what} {start}: {exc}", path=path) from None
    bad, why = implausible(when, instrument, now)
    if bool(np.any(bad)):
        raise FileFormatError(f"{what} {start} is {why}", path=path)
