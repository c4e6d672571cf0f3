"""CAM (CESM) history conventions the WACCM-X reader needs: CF times on model calendars, layout.

CAM writes ``time`` as "days since <reference date> <hh:mm:ss>" on the run's calendar (CESM's
default ``noleap``; also ``gregorian``/``standard`` or ``proleptic_gregorian`` for runs with leap
years), ``time_bnds(time, nbnd)`` without units (CF: bounds take the units and calendar of the
variable they bound), and ``date`` (YYYYMMDD) / ``datesec`` at the same instant as ``time``
(``cam_history.F90`` ``h_define``/``wshist``). For time-averaged fields (``cell_methods``
"time: mean") the stamp is the **end** of the averaging interval, which ``time_bnds`` spans.

Times are decoded here with integer arithmetic, never through ``cftime`` objects: a ``noleap``
(or ``365_day``) date label is also a real date, so it converts exactly to the Gregorian date
of the same label; ``all_leap``/``366_day`` and ``360_day`` labels convert only when every label
exists in the Gregorian calendar (29 February of a common year, 30 February do not), else the
decoding fails. The mixed Julian/Gregorian ``standard`` calendar is read as Gregorian for
reference dates from 1582-10-15 on (where the two agree); earlier references and the ``julian``
calendar are refused rather than guessed.

No science here: this module imports nothing from the ``gcm`` package.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "CALENDARS",
    "cam_history_layout",
    "decode_cf_times",
    "parse_since",
]

_SECONDS = {
    "days": 86_400,
    "day": 86_400,
    "d": 86_400,
    "hours": 3_600,
    "hour": 3_600,
    "hrs": 3_600,
    "hr": 3_600,
    "h": 3_600,
    "minutes": 60,
    "minute": 60,
    "mins": 60,
    "min": 60,
    "seconds": 1,
    "second": 1,
    "secs": 1,
    "sec": 1,
    "s": 1,
}
_SINCE = re.compile(
    r"^\s*(?P<unit>[a-zA-Z]+)\s+since\s+(?P<y>-?\d{1,4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{1,2})(?::(?P<S>\d{1,2})(?:\.0*)?)?)?"
    r"\s*(?:Z|UTC|GMT|[+-]0{1,2}(?::?00)?)?\s*$"
)
_COMMON = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_LEAP = np.array([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_THIRTY = np.full(12, 30)

#: Calendars decoded (CF names), each with its month lengths (None: real Gregorian dates).
CALENDARS: dict[str, np.ndarray | None] = {
    "noleap": _COMMON,
    "365_day": _COMMON,
    "all_leap": _LEAP,
    "366_day": _LEAP,
    "360_day": _THIRTY,
    "gregorian": None,
    "standard": None,
    "proleptic_gregorian": None,
}
#: First day of the Gregorian calendar: the ``standard`` calendar is Julian before it.
_GREGORIAN_START = np.datetime64("1582-10-15", "s")
#: Largest count of seconds handled (int64 with room for the reference date).
_MAX_SECONDS = 2.0**62
#: Global-attribute values that CAM writes as unfilled placeholders.
_PLACEHOLDERS = ("", "$Name$", "$Id$", "UNSET", "none")
#: ``model_doi_url`` of the CESM2 releases (CESM2.0 to 2.2), written by CAM since CESM2.
_CESM2_DOI = "https://doi.org/10.5065/D67H1H0V"
#: Horizontal dims of CAM fields (geographic, geomagnetic, unstructured).
_HORIZONTAL = ("lat", "lon", "mlat", "mlon", "ncol")
#: ``cell_methods`` time operations of averaged (non-instantaneous) CAM fields.
_TIME_OPS = ("time: mean", "time: maximum", "time: minimum", "time: standard_deviation")


def parse_since(units: str) -> tuple[int, tuple[int, int, int, int, int, int]]:
    """Parse CF time units "<unit> since Y-M-D[ h:m[:s]]" (unpadded fields accepted).

    Args:
        units: The ``units`` attribute, e.g. "days since 1979-01-01 00:00:00".

    Returns:
        Seconds per unit and the reference (year, month, day, hour, minute, second).

    Raises:
        ValueError: If the text is not of that form (a time zone other than UTC included).
    """
    match = _SINCE.match(str(units))
    if not match or match["unit"].lower() not in _SECONDS:
        raise ValueError(
            f"units {units!r} are not '<days|hours|minutes|seconds> since YYYY-MM-DD hh:mm:ss'"
        )
    ref = tuple(int(match[k] or 0) for k in ("y", "m", "d", "H", "M", "S"))
    return _SECONDS[match["unit"].lower()], ref  # type: ignore[return-value]


def _real_month_length(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return np.where(leap, _LEAP[month - 1], _COMMON[month - 1])


def _labels_to_datetime(
    year: np.ndarray, month: np.ndarray, day: np.ndarray, second_of_day: np.ndarray, calendar: str
) -> np.ndarray:
    """Gregorian ``datetime64[s]`` of date labels; ValueError if a label is not a real date."""
    bad = day > _real_month_length(year, month)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"the {calendar} calendar date {year[i]:04d}-{month[i]:02d}-{day[i]:02d} does not "
            "exist in the Gregorian calendar"
        )
    days = ((year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)).astype(
        "datetime64[D]"
    ) + (day - 1)
    return days.astype("datetime64[s]") + second_of_day.astype("timedelta64[s]")


def decode_cf_times(values: Any, units: str, calendar: str) -> np.ndarray:
    """Decode CF "<unit> since <date>" numbers on a model calendar into ``datetime64[s]``.

    Every value is rounded to the nearest second (CAM's time step is a whole number of seconds).

    Args:
        values: The numbers (any shape; ``time`` or ``time_bnds``).
        units: Their ``units`` attribute.
        calendar: Their CF ``calendar`` (lower case or not; see :data:`CALENDARS`).

    Returns:
        ``datetime64[s]`` of the same shape, each the Gregorian date with the same label.

    Raises:
        ValueError: If the units cannot be parsed, the calendar is not supported, a value is not
            finite or too large, or a date has no Gregorian equivalent; the message says which.
    """
    name = str(calendar).strip().lower()
    if name not in CALENDARS:
        raise ValueError(
            f"calendar {calendar!r} is not supported (expected one of {', '.join(CALENDARS)})"
        )
    unit_seconds, (y0, m0, d0, hh, mm, ss) = parse_since(units)
    numbers = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(numbers)):
        raise ValueError(
            f"values that are not finite numbers: {numbers[~np.isfinite(numbers)][:3]}"
        )
    offsets = numbers * unit_seconds
    if numbers.size and float(np.abs(offsets).max()) >= _MAX_SECONDS:
        raise ValueError(f"a value too large to be a time ({float(np.abs(numbers).max()):g})")
    offsets = np.rint(offsets).astype(np.int64)
    if not (1 <= m0 <= 12 and 0 <= hh <= 24 and 0 <= mm <= 59 and 0 <= ss <= 60):
        raise ValueError(f"impossible reference date in units {units!r}")
    months = CALENDARS[name]
    ref_seconds = hh * 3600 + mm * 60 + ss
    if months is None:  # real Gregorian dates
        ref_y, ref_m, ref_d = np.array([y0]), np.array([m0]), np.array([d0])
        if d0 < 1 or d0 > 31:
            raise ValueError(f"impossible reference date in units {units!r}")
        ref = _labels_to_datetime(ref_y, ref_m, ref_d, np.array([ref_seconds]), name)[0]
        if name in ("gregorian", "standard") and ref < _GREGORIAN_START:
            raise ValueError(
                f"reference date {ref} before 1582-10-15 on the mixed Julian/Gregorian "
                f"{name!r} calendar is not supported"
            )
        return ref + offsets.astype("timedelta64[s]")
    if d0 < 1 or d0 > months[m0 - 1]:
        raise ValueError(f"reference date in units {units!r} does not exist on the {name} calendar")
    year_days = int(months.sum())
    starts = np.concatenate([[0], np.cumsum(months)])  # day of year where each month starts
    ref_total = ((y0 * year_days + starts[m0 - 1] + d0 - 1) * 86_400) + ref_seconds
    total = ref_total + offsets
    day_number, second_of_day = np.divmod(total, 86_400)
    year, day_of_year = np.divmod(day_number, year_days)
    month = np.searchsorted(starts, day_of_year, side="right")
    day = day_of_year - starts[month - 1] + 1
    return _labels_to_datetime(year, month, day, second_of_day, name)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def cam_history_layout(attrs: Mapping[str, Any], variables: Mapping[str, Any]) -> dict[str, str]:
    """Describe a CAM history from its own content (never its file name).

    Args:
        attrs: The file's global attributes.
        variables: Its variables (anything with ``.attrs``), by name.

    Returns:
        ``model_version`` (the ``Version`` attribute when filled, else "CESM2 (CAM6)" for the
        CESM2 DOI in ``model_doi_url``, else the DOI, else "CAM (version not recorded)"),
        ``layout`` (e.g. "CAM history: time-averaged fields, hour_1") and ``history_type``
        (the same without the prefix; files of one kind are concatenated, kinds are merged).
    """
    version = _text(attrs.get("Version"))
    doi = _text(attrs.get("model_doi_url"))
    if version and version not in _PLACEHOLDERS:
        model_version = version
    elif doi == _CESM2_DOI:
        model_version = "CESM2 (CAM6)"
    elif doi:
        model_version = f"CAM ({doi})"
    else:
        model_version = f"{_text(attrs.get('source')) or 'CAM'} (version not recorded)"
    methods = [
        _text(getattr(var, "attrs", {}).get("cell_methods"))
        for var in variables.values()
        if "time" in getattr(var, "dims", ()) and set(_HORIZONTAL) & set(var.dims)
    ]
    averaged = [any(op in m for op in _TIME_OPS) for m in methods]
    if averaged and all(averaged):
        kind = "time-averaged fields"
    elif any(averaged):
        kind = "instantaneous and time-averaged fields"
    else:
        kind = "instantaneous fields"
    freq = _text(attrs.get("time_period_freq"))
    history_type = f"{kind}, {freq}" if freq else kind
    return {
        "model_version": model_version,
        "layout": f"CAM history: {history_type}",
        "history_type": history_type,
    }
