"""SuperDARN radar hardware: every radar's site, boresight, beams and gates, and their changes.

The SuperDARN Data Standards Working Group keeps one *hardware file* per radar
(``hdw.dat.<abbreviation>``, github.com/SuperDARN/hdw): comment lines starting with ``#`` and
one line of 22 whitespace-separated values per period of validity, each line valid from its
date and time until the next line's. The files of SuperDARN/hdw (commit ``a16657f``,
2026-07-23) are shipped in ``geospacexr/data/superdarn_hdw`` (README there: source and
credit), so nothing is downloaded.

The fields, in file order (SuperDARN/hdw ``README.txt``):

===  ======================  ===========================================================
  1  ``station_id``          station id (``stid`` of the radar's DMAP records)
  2  ``status``              1 operational, -1 offline (0 for the test radar)
3-4  ``valid_from``          first date and time the line is valid, ``YYYYMMDD HH:MM:SS`` UT
  5  ``lat``                 geographic (geodetic) latitude of the site, degrees
  6  ``lon``                 geographic longitude of the site, degrees east
  7  ``altitude_m``          altitude of the site, m
  8  ``boresight``           physical boresight, degrees east of geographic north
  9  ``boresight_shift``     electronic shift of the boresight, degrees
 10  ``beam_separation``     angle between adjacent beams, degrees (normally 3.24)
 11  ``velocity_sign``       +1 or -1: sign convention of Doppler velocities
 12  ``phase_sign``          +1 or -1: sign of the interferometer phase
 13  ``tdiff_a``             interferometer time difference, channel A, microseconds
 14  ``tdiff_b``             interferometer time difference, channel B, microseconds
 15  ``interferometer_x``    interferometer offset along the antenna row, m
 16  ``interferometer_y``    interferometer offset along the array normal, m
 17  ``interferometer_z``    interferometer offset in altitude, m
 18  ``rx_rise_time``        analogue receiver rise time, microseconds
 19  ``rx_attenuator_db``    analogue receiver attenuator step, dB
 20  ``attenuation_stages``  number of analogue attenuation stages
 21  ``max_gates``           largest number of range gates
 22  ``max_beams``           largest number of beams
===  ======================  ===========================================================

Radars are looked up by station id (``ds.attrs["station_id"]``, the ``stid`` variable) or
three-letter abbreviation through one registry (:func:`list_radars`, :func:`radar`,
:func:`register_radar`); :func:`hardware` gives the line in effect at a time.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, fields
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .._checks import require
from .._registry import Registry
from ..errors import FileFormatError, InvalidArgumentError, OutOfRangeError

__all__ = [
    "HardwareRecord",
    "Radar",
    "hardware",
    "list_radars",
    "parse_hdw",
    "radar",
    "radar_hardware",
    "read_hdw",
    "register_radar",
]

#: The folder of shipped hardware files inside the package.
HDW_FOLDER = "superdarn_hdw"
#: Values on one line of a hardware file.
N_FIELDS = 22
_NAME = re.compile(r"^#\s*Hardware parameters for (.+?)(?:,)?\s+radar\.?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class HardwareRecord:
    """One line of a hardware file: a radar's hardware from ``valid_from`` on.

    Attributes:
        station_id: Station id (``stid``).
        status: 1 operational, -1 offline, 0 other.
        valid_from: First time the line is valid (UT, ``datetime64[s]``).
        valid_to: First time the next line is valid (``None`` for the last line).
        lat: Geographic (geodetic) latitude of the site, degrees.
        lon: Geographic longitude of the site, degrees east.
        altitude_m: Site altitude, m.
        boresight: Physical boresight, degrees east of north.
        boresight_shift: Electronic shift of the boresight, degrees.
        beam_separation: Angle between adjacent beams, degrees.
        velocity_sign: +1 or -1.
        phase_sign: +1 or -1.
        tdiff_a: Interferometer time difference of channel A, microseconds.
        tdiff_b: Interferometer time difference of channel B, microseconds.
        interferometer_x: Interferometer offset along the antenna row, m.
        interferometer_y: Interferometer offset along the array normal, m.
        interferometer_z: Interferometer offset in altitude, m.
        rx_rise_time: Analogue receiver rise time, microseconds.
        rx_attenuator_db: Receiver attenuator step, dB.
        attenuation_stages: Number of attenuation stages.
        max_gates: Largest number of range gates.
        max_beams: Largest number of beams.
    """

    station_id: int
    status: int
    valid_from: np.datetime64
    valid_to: np.datetime64 | None
    lat: float
    lon: float
    altitude_m: float
    boresight: float
    boresight_shift: float
    beam_separation: float
    velocity_sign: float
    phase_sign: float
    tdiff_a: float
    tdiff_b: float
    interferometer_x: float
    interferometer_y: float
    interferometer_z: float
    rx_rise_time: float
    rx_attenuator_db: float
    attenuation_stages: int
    max_gates: int
    max_beams: int

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (times as ISO strings, for JSON and NetCDF attributes)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.datetime64):
                value = str(np.datetime_as_string(value, unit="s"))
            out[f.name] = value
        return out


@dataclass(frozen=True)
class Radar:
    """A SuperDARN radar and the history of its hardware.

    Attributes:
        abbreviation: Three-letter code (``"sas"``), lower case.
        station_id: Station id (``stid``).
        name: Full name (``"Saskatoon"``).
        records: The hardware lines, in time order.
        source: Where the lines came from (a file name).
    """

    abbreviation: str
    station_id: int
    name: str
    records: tuple[HardwareRecord, ...]
    source: str = ""

    @property
    def hemisphere(self) -> str:
        """``"north"`` or ``"south"``, from the latest site latitude."""
        return "north" if self.records[-1].lat >= 0 else "south"

    @property
    def description(self) -> str:
        """One line: name, station id, site, hemisphere."""
        last = self.records[-1]
        return (
            f"{self.name} (stid {self.station_id}), {last.lat:.2f}°, {last.lon:.2f}°, "
            f"boresight {last.boresight:g}°, {last.max_beams} beams, {self.hemisphere}"
        )

    def at(self, time: Any = None) -> HardwareRecord:
        """The hardware line in effect at ``time`` (default: the latest line).

        Args:
            time: A time (anything ``numpy.datetime64`` accepts), or ``None``.

        Returns:
            The last line whose ``valid_from`` is not after ``time``.

        Raises:
            OutOfRangeError: If ``time`` is before the radar's first line.
        """
        if time is None:
            return self.records[-1]
        when = _as_time(time)
        starts = np.array([r.valid_from for r in self.records], dtype="datetime64[s]")
        i = int(np.searchsorted(starts, when, side="right")) - 1
        if i < 0:
            raise OutOfRangeError(
                f"{self.abbreviation} (stid {self.station_id}) has no hardware before "
                f"{np.datetime_as_string(starts[0], unit='s')}; asked for "
                f"{np.datetime_as_string(when, unit='s')}"
            )
        return self.records[i]


def _as_time(time: Any) -> np.datetime64:
    try:
        when = np.datetime64(time, "s")
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"not a time: {time!r} ({exc})", "time") from None
    if np.isnat(when):
        raise InvalidArgumentError("is NaT", "time")
    return when


# -- parsing -------------------------------------------------------------------------------
def parse_hdw(text: str, source: str = "<text>", abbreviation: str | None = None) -> Radar:
    """Parse the text of a hardware file.

    Args:
        text: The file's content.
        source: Its name, for messages (``hdw.dat.sas``); the abbreviation is taken from a
            ``hdw.dat.<abbreviation>`` name when ``abbreviation`` is not given.
        abbreviation: The radar's three-letter code.

    Returns:
        The radar with its hardware lines in time order.

    Raises:
        FileFormatError: If a line does not hold 22 numbers, a date or time is impossible,
            lines disagree on the station id, lines are not in time order, or there is no line.
    """
    if abbreviation is None:
        match = re.match(r"^hdw\.dat\.(\w+)$", Path(source).name)
        if match is None:
            raise InvalidArgumentError(
                f"cannot tell the radar's abbreviation from {source!r}: pass abbreviation=",
                "abbreviation",
            )
        abbreviation = match.group(1)
    abbreviation = abbreviation.lower()
    name = abbreviation.upper()
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            found = _NAME.match(stripped)
            if found and name == abbreviation.upper():
                name = found.group(1).strip().rstrip(",")
            continue
        rows.append(_parse_line(stripped, source, number))
    if not rows:
        raise FileFormatError("no hardware line (only comments or blank lines)", path=source)
    ids = {r["station_id"] for r in rows}
    if len(ids) != 1:
        raise FileFormatError(f"lines name different station ids {sorted(ids)}", path=source)
    for a, b in itertools.pairwise(rows):
        if b["valid_from"] <= a["valid_from"]:
            raise FileFormatError(
                f"line {b['line']}: valid from {b['valid_from']}, not after the line before "
                f"({a['valid_from']}): lines must be in time order",
                path=source,
            )
    records = []
    for i, row in enumerate(rows):
        row = dict(row)
        row.pop("line")
        row["valid_to"] = rows[i + 1]["valid_from"] if i + 1 < len(rows) else None
        records.append(HardwareRecord(**row))
    return Radar(abbreviation, rows[0]["station_id"], name, tuple(records), Path(source).name)


_FLOATS = (
    "lat", "lon", "altitude_m", "boresight", "boresight_shift", "beam_separation",
    "velocity_sign", "phase_sign", "tdiff_a", "tdiff_b", "interferometer_x",
    "interferometer_y", "interferometer_z", "rx_rise_time", "rx_attenuator_db",
)  # fmt: skip


def _parse_line(line: str, source: str, number: int) -> dict[str, Any]:
    values = line.split("#", 1)[0].split()
    where = f"line {number}"
    if len(values) != N_FIELDS:
        raise FileFormatError(
            f"{where}: {len(values)} values, a hardware line has {N_FIELDS} "
            f"(station id, status, date, time, latitude ... range gates, beams): {line!r}",
            path=source,
        )
    try:
        valid_from = np.datetime64(
            datetime.strptime(f"{values[2]} {values[3]}", "%Y%m%d %H:%M:%S"), "s"
        )
    except ValueError:
        raise FileFormatError(
            f"{where}: {values[2]} {values[3]} is not a date and time YYYYMMDD HH:MM:SS",
            path=source,
        ) from None
    row: dict[str, Any] = {"line": number, "valid_from": valid_from}
    numbers = [values[0], values[1], *values[4:]]
    names = ["station_id", "status", *_FLOATS, "attenuation_stages", "max_gates", "max_beams"]
    for field_name, text in zip(names, numbers, strict=True):
        try:
            value = float(text)
        except ValueError:
            raise FileFormatError(
                f"{where}: {field_name} is {text!r}, not a number", path=source
            ) from None
        if not np.isfinite(value):
            raise FileFormatError(f"{where}: {field_name} is {text!r}", path=source)
        if field_name in _FLOATS:
            row[field_name] = value
        else:
            if value != int(value):
                raise FileFormatError(
                    f"{where}: {field_name} is {text!r}, not an integer", path=source
                )
            row[field_name] = int(value)
    if not -90 <= row["lat"] <= 90 or not -360 <= row["lon"] <= 360:
        raise FileFormatError(
            f"{where}: site latitude {row['lat']} / longitude {row['lon']} out of range",
            path=source,
        )
    if row["max_beams"] < 1 or row["max_gates"] < 1:
        raise FileFormatError(
            f"{where}: {row['max_beams']} beams and {row['max_gates']} gates", path=source
        )
    return row


def read_hdw(path: str | Path, abbreviation: str | None = None) -> Radar:
    """Read a hardware file (``hdw.dat.<abbreviation>``).

    Args:
        path: The file.
        abbreviation: The radar's code (default: from the file name).

    Returns:
        The radar (:func:`parse_hdw`).

    Raises:
        FileFormatError: If the file cannot be read or parsed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="strict")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"cannot read the hardware file: {exc}", path=path) from None
    return parse_hdw(text, source=str(path), abbreviation=abbreviation)


# -- the registry --------------------------------------------------------------------------
def _load_shipped() -> None:
    folder = resources.files("geospacexr") / "data" / HDW_FOLDER
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith("hdw.dat."):
            register_radar(
                parse_hdw(entry.read_text(encoding="utf-8"), source=entry.name), _shipped=True
            )


_RADARS: Registry[Radar] = Registry("SuperDARN radar", loader=_load_shipped, case_sensitive=False)
_BY_ID: dict[int, str] = {}


def register_radar(entry: Radar, replace: bool = False, *, _shipped: bool = False) -> Radar:
    """Add a radar (a table row: :func:`read_hdw` or :func:`parse_hdw` of its hardware file).

    Args:
        entry: The radar.
        replace: Replace a radar of the same abbreviation or station id.

    Returns:
        ``entry``.

    Raises:
        InvalidArgumentError: If the abbreviation or station id is taken and ``replace`` is
            false.
    """
    if not isinstance(entry, Radar):
        raise InvalidArgumentError(f"a Radar, not {type(entry).__name__}", "entry")
    if not _shipped:
        _RADARS._load()
    other = _BY_ID.get(entry.station_id)
    if other is not None and other != entry.abbreviation and not replace:
        raise InvalidArgumentError(
            f"station id {entry.station_id} is already radar {other!r} "
            "(pass replace=True to replace it)"
        )
    previous = _RADARS._entries.get(entry.abbreviation)
    _RADARS.add(entry.abbreviation, entry, replace=replace)
    if previous is not None and _BY_ID.get(previous.station_id) == entry.abbreviation:
        del _BY_ID[previous.station_id]
    if other is not None and other != entry.abbreviation:
        _RADARS.remove(other)
    _BY_ID[entry.station_id] = entry.abbreviation
    return entry


def list_radars(details: bool = False) -> list[str] | list[dict[str, Any]]:
    """The radars' abbreviations (sorted), or one dict per radar.

    Args:
        details: If true, dicts with ``name`` (the abbreviation), ``description``,
            ``station_id``, ``full_name``, ``hemisphere``, ``lat``, ``lon``, ``boresight``,
            ``beams``, ``gates`` (of the latest hardware line) and ``changes`` (the number of
            hardware lines).

    Returns:
        The names or the dicts.
    """

    def describe(r: Radar) -> dict[str, Any]:
        last = r.records[-1]
        return {
            "name": r.abbreviation,
            "description": r.description,
            "station_id": r.station_id,
            "full_name": r.name,
            "hemisphere": r.hemisphere,
            "lat": last.lat,
            "lon": last.lon,
            "boresight": last.boresight,
            "beams": last.max_beams,
            "gates": last.max_gates,
            "changes": len(r.records),
        }

    return _RADARS.listing(details, describe)


def radar(key: int | str) -> Radar:
    """A radar by station id (``5``) or abbreviation (``"sas"``, any case).

    Args:
        key: Station id or abbreviation.

    Returns:
        The radar.

    Raises:
        UnknownNameError: If no radar has that id or abbreviation (a ``KeyError``; the
            message names close matches and every radar).
    """
    if isinstance(key, bool):
        raise InvalidArgumentError(f"a station id or abbreviation, not {key!r}", "radar")
    if isinstance(key, (int, np.integer)):
        _RADARS._load()
        abbr = _BY_ID.get(int(key))
        if abbr is None:
            error = _RADARS.unknown(str(int(key)))
            known = ", ".join(f"{i} {a}" for i, a in sorted(_BY_ID.items()))
            raise type(error)(
                f"unknown SuperDARN station id {int(key)} (known: {known})", name=str(int(key))
            )
        return _RADARS[abbr]
    if isinstance(key, str) and key.strip().lstrip("-").isdigit():
        return radar(int(key.strip()))
    return _RADARS[key.strip() if isinstance(key, str) else key]


def hardware(key: int | str, time: Any = None) -> HardwareRecord:
    """The hardware of a radar at a time.

    Args:
        key: Station id or abbreviation.
        time: The time (default: the latest hardware line).

    Returns:
        The hardware line in effect at ``time``.

    Raises:
        UnknownNameError: If the radar is unknown.
        OutOfRangeError: If ``time`` is before the radar's first hardware line.
    """
    return radar(key).at(time)


def station_of(ds: xr.Dataset) -> int:
    """The station id of a one-radar ``superdarn`` Dataset (``attrs["station_id"]`` or ``stid``).

    Args:
        ds: A radar Dataset (fitacf, rawacf, iqdat, snd).

    Returns:
        The station id.

    Raises:
        InvalidArgumentError: If the Dataset holds no station id or several.
    """
    if "station_id" in ds.attrs:
        return int(ds.attrs["station_id"])
    if "stid" in ds.variables and ds["stid"].dims == ("time",):
        ids = np.unique(np.asarray(ds["stid"].values, dtype=np.float64))
        ids = ids[np.isfinite(ids)]
        if ids.size == 1:
            return int(ids[0])
        raise InvalidArgumentError(
            f"the Dataset holds records of {ids.size} radars ({ids.astype(int).tolist()}): "
            "select one with ds.where(ds.stid == ..., drop=True)",
            "ds",
        )
    raise InvalidArgumentError(
        "the Dataset has no station id (attrs['station_id'] or a stid variable on time): "
        "grid and map files hold many radars",
        "ds",
    )


def radar_hardware(ds: xr.Dataset, time: Any = None) -> HardwareRecord:
    """The hardware of the radar that recorded a ``superdarn`` Dataset.

    Args:
        ds: A radar Dataset (fitacf, rawacf, iqdat, snd) of one station.
        time: The time (default: the Dataset's first record).

    Returns:
        The hardware line in effect at ``time``.

    Raises:
        InvalidArgumentError: If the Dataset holds no single station id.
        UnknownNameError: If the station id is not a known radar.
    """
    require(ds, "superdarn", where="radar_hardware")
    if time is None:
        times = ds["time"].values if "time" in ds.variables else np.array([], "datetime64[ns]")
        times = times[~np.isnat(times)]
        time = times.min() if times.size else None
    return hardware(station_of(ds), time)
