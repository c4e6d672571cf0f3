"""OMNI solar-wind and geomagnetic-index files as distributed by NASA SPDF.

Layouts (word lists and fill values as SPDF's format descriptions give them: ``omni2.text`` /
``aareadme_extended`` for the hourly set, ``hroformat.txt`` for the high-resolution set):

* **OMNI2 hourly** ``omni2_YYYY.dat``: one record per hour, 55 whitespace-separated words in
  fixed Fortran columns (56 in the ``extended`` directory, the Lyman-alpha index last): year,
  day of year, hour, then the IMF, plasma and index words. Missing values are all-9 fills of
  each word's format (``999.9`` for an F6.1, ``99999`` for the I6 Dst, ``99`` for the I3
  Kp*10 ...).
* **HRO 1-min / 5-min** ``omni_min_YYYYMM.asc``, ``omni_5min_YYYYMM.asc`` (and the yearly
  ``omni_min1995.dat``): one record per minute (or 5 minutes), 46 words (49 for 5-min: three
  proton fluxes): year, day of year, hour, minute, then the IMF (GSE and GSM), plasma, bow-shock
  nose position and the AE/AL/AU, SYM-H/D, ASY-H/D and PC(N) indices; fills as above
  (``9999.99`` for an F8.2, ``99999.9`` for an F8.1 ...).
* **HRO CDF** ``omni_hro_1min_YYYYMMDD_v01.cdf`` / ``omni_hro_5min_...`` (CDAWeb): the same
  words as CDF variables (``BY_GSM``, ``flow_speed``, ``Pressure``, ``SYM_H`` ...) with their
  ``FILLVAL`` attributes. Read with the pure-Python ``cdflib`` (``pip install
  geospacexr[omni]``); without it a CDF file is refused with a message saying so.

Every layout gives one standard Dataset of kind ``"omni"`` on a ``time`` coordinate (the start
of each average, as OMNI stamps it) with the same names and units whatever the source:
``Kp`` (decimal, thirds: OMNI's Kp*10 code 33 = 3+ = 3.333), ``Dst``, ``Pdyn`` (nPa), ``Bx_GSE``,
``By_GSM``, ``Bz_GSM``, ``By_GSE``, ``Bz_GSE``, ``B_magnitude`` (nT), ``flow_speed`` (km/s),
``proton_density`` (cm^-3), ``temperature`` (K), ``electric_field`` (mV/m), the AE/AL/AU,
``SYM_H`` ... indices where the source has them; each with ``units``, ``long_name`` and
``source_name`` (the word number or CDF variable). Fills become NaN. OMNI files carry no TS05
W1..W6 (those come from Qin-Denton files); the HRO sets carry SYM-H but no Dst.

Damaged lines are skipped and reported as the other text readers do: the good part is kept,
``attrs["problematic_files"]`` (JSON) lists each problem and one
:class:`~geospacexr.errors.DataWarning` names them; a file with no readable record is a
:class:`~geospacexr.errors.FileFormatError`. A file's size is checked against
``io.max_decompressed_mb`` before it is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import FileFormatError, IncompatibleInputError
from .limits import Limits
from .registry import Paths, expand_paths, peek, read_each, register_reader, warn_problems

__all__ = ["OMNI_LAYOUTS", "open_omni", "read_omni_file"]

#: (word number from 1, name, units, long name, fill value) of the hourly OMNI2 words kept.
_OMNI2: tuple[tuple[int, str, str, str, float], ...] = (
    (9, "B_magnitude", "nT", "IMF field magnitude average", 999.9),
    (13, "Bx_GSE", "nT", "IMF Bx (GSE = GSM)", 999.9),
    (14, "By_GSE", "nT", "IMF By (GSE)", 999.9),
    (15, "Bz_GSE", "nT", "IMF Bz (GSE)", 999.9),
    (16, "By_GSM", "nT", "IMF By (GSM)", 999.9),
    (17, "Bz_GSM", "nT", "IMF Bz (GSM)", 999.9),
    (23, "temperature", "K", "proton temperature", 9999999.0),
    (24, "proton_density", "cm-3", "proton density", 999.9),
    (25, "flow_speed", "km/s", "solar-wind flow speed", 9999.0),
    (29, "Pdyn", "nPa", "solar-wind flow (dynamic) pressure", 99.99),
    (36, "electric_field", "mV/m", "electric field -V x Bz (GSM)", 999.99),
    (37, "plasma_beta", "1", "plasma beta", 999.99),
    (38, "alfven_mach", "1", "Alfven Mach number", 999.9),
    (39, "Kp", "1", "planetary Kp index", 99.0),
    (40, "sunspot_number", "1", "sunspot number R", 999.0),
    (41, "Dst", "nT", "Dst index", 99999.0),
    (42, "AE", "nT", "AE index", 9999.0),
    (50, "ap", "nT", "ap index", 999.0),
    (51, "F10_7", "sfu", "F10.7 solar radio flux", 999.9),
    (52, "PC_N", "1", "polar cap (north) index", 999.9),
    (53, "AL", "nT", "AL index", 99999.0),
    (54, "AU", "nT", "AU index", 99999.0),
    (55, "magnetosonic_mach", "1", "magnetosonic Mach number", 99.9),
)

#: The same for the high-resolution (1-min, 5-min) words.
_HRO: tuple[tuple[int, str, str, str, float], ...] = (
    (14, "B_magnitude", "nT", "IMF field magnitude average", 9999.99),
    (15, "Bx_GSE", "nT", "IMF Bx (GSE = GSM)", 9999.99),
    (16, "By_GSE", "nT", "IMF By (GSE)", 9999.99),
    (17, "Bz_GSE", "nT", "IMF Bz (GSE)", 9999.99),
    (18, "By_GSM", "nT", "IMF By (GSM)", 9999.99),
    (19, "Bz_GSM", "nT", "IMF Bz (GSM)", 9999.99),
    (22, "flow_speed", "km/s", "solar-wind flow speed", 99999.9),
    (23, "Vx_GSE", "km/s", "flow velocity Vx (GSE)", 99999.9),
    (24, "Vy_GSE", "km/s", "flow velocity Vy (GSE)", 99999.9),
    (25, "Vz_GSE", "km/s", "flow velocity Vz (GSE)", 99999.9),
    (26, "proton_density", "cm-3", "proton density", 999.99),
    (27, "temperature", "K", "proton temperature", 9999999.0),
    (28, "Pdyn", "nPa", "solar-wind flow (dynamic) pressure", 99.99),
    (29, "electric_field", "mV/m", "electric field -V x Bz (GSM)", 999.99),
    (30, "plasma_beta", "1", "plasma beta", 999.99),
    (31, "alfven_mach", "1", "Alfven Mach number", 999.9),
    (38, "AE", "nT", "AE index", 99999.0),
    (39, "AL", "nT", "AL index", 99999.0),
    (40, "AU", "nT", "AU index", 99999.0),
    (41, "SYM_D", "nT", "SYM-D index", 99999.0),
    (42, "SYM_H", "nT", "SYM-H index", 99999.0),
    (43, "ASY_D", "nT", "ASY-D index", 99999.0),
    (44, "ASY_H", "nT", "ASY-H index", 99999.0),
    (45, "PC_N", "1", "polar cap (north) index", 999.99),
    (46, "magnetosonic_mach", "1", "magnetosonic Mach number", 99.9),
)

_HRO5 = (
    *_HRO,
    (47, "proton_flux_10MeV", "cm-2 s-1 sr-1", "proton flux > 10 MeV", 99999.99),
    (48, "proton_flux_30MeV", "cm-2 s-1 sr-1", "proton flux > 30 MeV", 99999.99),
    (49, "proton_flux_60MeV", "cm-2 s-1 sr-1", "proton flux > 60 MeV", 99999.99),
)

#: Layouts by number of words: (layout name, cadence in seconds, time words, kept words).
OMNI_LAYOUTS: dict[int, tuple[str, int, int, tuple[tuple[int, str, str, str, float], ...]]] = {
    55: ("omni2-hourly", 3600, 3, _OMNI2),
    56: ("omni2-hourly", 3600, 3, _OMNI2),  # the "extended" files: + solar Lyman alpha
    46: ("hro-1min", 60, 4, _HRO),
    49: ("hro-5min", 300, 4, _HRO5),
}

#: CDAWeb HRO CDF variable -> our name (units, long names and fills from the tables above).
_CDF_NAMES = {
    "F": "B_magnitude", "BX_GSE": "Bx_GSE", "BY_GSE": "By_GSE", "BZ_GSE": "Bz_GSE",
    "BY_GSM": "By_GSM", "BZ_GSM": "Bz_GSM", "flow_speed": "flow_speed", "Vx": "Vx_GSE",
    "Vy": "Vy_GSE", "Vz": "Vz_GSE", "proton_density": "proton_density", "T": "temperature",
    "Pressure": "Pdyn", "E": "electric_field", "Beta": "plasma_beta", "Mach_num": "alfven_mach",
    "AE_INDEX": "AE", "AL_INDEX": "AL", "AU_INDEX": "AU", "SYM_D": "SYM_D", "SYM_H": "SYM_H",
    "ASY_D": "ASY_D", "ASY_H": "ASY_H", "PC_N_INDEX": "PC_N", "Mgs_mach_num": "magnetosonic_mach",
    "PR-FLX_10": "proton_flux_10MeV", "PR-FLX_30": "proton_flux_30MeV",
    "PR-FLX_60": "proton_flux_60MeV",
}  # fmt: skip
_CDF_MAGIC = (b"\xcd\xf3\x00\x01", b"\xcd\xf2\x60\x02", b"\x00\x00\xff\xff")
#: longest word a record may hold, characters (a longer one makes the line a damaged one)
_MAX_WORD = 16
_MAX_LISTED = 5
#: lines decoded at a time
_BLOCK = 20_000
_FIRST_YEAR, _LAST_YEAR = 1963, 2100
#: CDF_EPOCH (ms since 0000-01-01T00:00) of 1970-01-01T00:00
_EPOCH_1970_MS = 62167219200000.0


def _fill(values: np.ndarray, fill: float, rtol: float = 1e-9) -> np.ndarray:
    """NaN where ``values`` hold the all-9 fill (or more: a fill is the format's largest).

    ``rtol`` is 1e-6 for single-precision (CDF) values.
    """
    out = values.astype(np.float64, copy=True)
    out[~np.isfinite(out) | (np.abs(out) >= fill * (1.0 - rtol))] = np.nan
    return out


def _decode(rows: list[list[bytes]]) -> tuple[np.ndarray, np.ndarray]:
    """The rows as a float array and a mask of the rows whose every word is a number."""
    n = len(rows)
    if n == 0:
        return np.empty((0, 0)), np.zeros(0, bool)
    width = len(rows[0])
    try:
        flat = np.fromiter(map(float, chain.from_iterable(rows)), np.float64, count=n * width)
        return flat.reshape(n, width), np.ones(n, bool)
    except ValueError:  # some word is not a number: row by row
        values = np.full((n, width), np.nan)
        good = np.ones(n, bool)
        for i, row in enumerate(rows):
            try:
                values[i] = [float(w) for w in row]
            except ValueError:
                good[i] = False
        return values, good


def _times(values: np.ndarray, time_words: int) -> tuple[np.ndarray, np.ndarray]:
    """``datetime64[ns]`` of year, day-of-year, hour (minute) words, and a valid-time mask."""
    year, doy, hour = values[:, 0], values[:, 1], values[:, 2]
    minute = values[:, 3] if time_words == 4 else np.zeros_like(year)
    integral = np.all(values[:, :time_words] == np.round(values[:, :time_words]), axis=1)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    good = (
        integral
        & (year >= _FIRST_YEAR)
        & (year <= _LAST_YEAR)
        & (doy >= 1)
        & (doy <= np.where(leap, 366, 365))
        & (hour >= 0)
        & (hour < 24)
        & (minute >= 0)
        & (minute < 60)
    )
    y = np.where(good, year, 2000).astype(np.int64)
    start = (y - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    day = start + (np.where(good, doy, 1).astype(np.int64) - 1)
    seconds = (np.where(good, hour, 0) * 3600 + np.where(good, minute, 0) * 60).astype(np.int64)
    return day.astype("datetime64[ns]") + seconds * np.timedelta64(1, "s"), good


def read_omni_file(path: str | Path, limits: Limits | None = None) -> dict[str, Any]:
    """Read one OMNI ASCII file (hourly OMNI2 or 1-/5-min HRO), keeping its good records.

    The layout is recognised from the number of words of the records (55 or 56: hourly; 46:
    1-min; 49: 5-min); the most common count among the first lines decides, and a record with
    another count is a damaged one.

    Args:
        path: The file.
        limits: Reading limits (default: those in force; the file's size is checked against
            ``io.max_decompressed_mb`` before it is read).

    Returns:
        A dict with ``time`` (``datetime64[ns]``), ``variables`` (``{name: float64 array}``,
        fills as NaN), ``layout`` (``"omni2-hourly"``, ``"hro-1min"``, ``"hro-5min"``),
        ``cadence_s``, ``words`` (``{name: word number}``) and ``problem`` (text describing
        the damaged records, or ``None``).

    Raises:
        FileFormatError: If the file cannot be read, is binary, or holds no readable record.
    """
    path = Path(path)
    limits = limits or Limits.current()
    try:
        limits.check_content(path.stat().st_size, path, "the file")
        content = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"cannot read the file ({exc})", path=path) from None
    if b"\0" in content[:4096]:
        raise FileFormatError("binary content, not an OMNI ASCII file", path=path)
    lines = content.splitlines()
    del content
    known = [c for c in (len(line.split()) for line in lines[:1000]) if c in OMNI_LAYOUTS]
    if not known:
        raise FileFormatError(
            "no OMNI record (expected lines of 55 words (hourly OMNI2), 46 (1-min HRO) or 49 "
            "(5-min HRO) starting with year, day of year, hour)",
            path=path,
        )
    nwords = max(set(known), key=known.count)
    layout, cadence, time_words, table = OMNI_LAYOUTS[nwords]
    columns = [word - 1 for word, *_ in table]
    # blocks of lines: only the kept words of the good records stay (a year of 1-min records
    # split at once would hold 24 million word objects)
    kept: list[np.ndarray] = []
    stamps: list[np.ndarray] = []
    bad: list[int] = []
    for start in range(0, len(lines), _BLOCK):
        rows: list[list[bytes]] = []
        numbers: list[int] = []
        for n in range(start, min(start + _BLOCK, len(lines))):
            words = lines[n].split()
            if not words:
                continue
            if len(words) != nwords or max(map(len, words)) > _MAX_WORD:
                bad.append(n + 1)
                continue
            rows.append(words)
            numbers.append(n + 1)
        if not rows:
            continue
        values, good = _decode(rows)
        del rows
        times, valid = _times(np.where(good[:, None], values, 0.0), time_words)
        good &= valid
        bad.extend(np.asarray(numbers)[~good].tolist())
        kept.append(values[good][:, columns])
        stamps.append(times[good])
    values = np.concatenate(kept) if kept else np.empty((0, len(columns)))
    times = np.concatenate(stamps) if stamps else np.empty(0, "datetime64[ns]")
    good = np.ones(times.size, dtype=bool)
    bad.sort()
    problem = None
    if bad:
        listed = ", ".join(str(b) for b in bad[:_MAX_LISTED])
        more = ", ..." if len(bad) > _MAX_LISTED else ""
        problem = f"{len(bad)} damaged record(s) skipped (line{'s' if len(bad) > 1 else ''} "
        problem += f"{listed}{more})"
    if not good.any():
        raise FileFormatError(
            f"no readable OMNI record ({layout} layout, {nwords} words per line)", path=path
        )
    period = _period_from_name(path.name)
    outside = 0
    if period is not None:  # a yearly or monthly file: a record of another period is damaged
        elsewhere = good & ((times < period[0]) | (times >= period[1]))
        outside = int(elsewhere.sum())
        good &= ~elsewhere
        if outside:
            text = f"{outside} record(s) dated outside the file's period {period[0]!s:.7}"
            problem = f"{problem}; {text}" if problem else text
    if not good.any():
        raise FileFormatError(
            f"no OMNI record inside the period its name gives ({problem})", path=path
        )
    values, times = values[good], times[good]
    variables: dict[str, np.ndarray] = {}
    words: dict[str, int] = {}
    for k, (word, name, _, _, fill) in enumerate(table):
        column = _fill(values[:, k], fill)
        if name == "Kp":  # OMNI's Kp*10 code (3- = 27, 3 = 30, 3+ = 33) as thirds
            column = np.round(column * 0.3) / 3.0
            column[(column < 0) | (column > 9)] = np.nan
        variables[name] = column
        words[name] = word
    return {
        "time": times,
        "variables": variables,
        "layout": layout,
        "cadence_s": cadence,
        "words": words,
        "problem": problem,
    }


_PERIOD = re.compile(r"^omni(?:2_|_min_?|_5min_?)(\d{4})(\d\d)?\.(?:dat|asc|txt)$", re.I)


def _period_from_name(name: str) -> tuple[np.datetime64, np.datetime64] | None:
    """The year (``omni2_2015.dat``) or month (``omni_min_201503.asc``) a file's name gives."""
    m = _PERIOD.match(name)
    if m is None:
        return None
    year, month = int(m.group(1)), m.group(2)
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        return None
    if month is None:
        start = np.datetime64(f"{year:04d}-01", "M")
        end = start + np.timedelta64(12, "M")
    elif 1 <= int(month) <= 12:
        start = np.datetime64(f"{year:04d}-{month}", "M")
        end = start + np.timedelta64(1, "M")
    else:
        return None
    return start.astype("datetime64[ns]"), end.astype("datetime64[ns]")


def _cdf_epoch_ns(values: np.ndarray, kind: int) -> np.ndarray:
    """CDF_EPOCH values (ms since 0000-01-01, what OMNI HRO files hold) as ``datetime64[ns]``.

    Other epoch types are converted by ``cdflib.cdfepoch.to_datetime``.
    """
    if kind != 31:  # CDF_EPOCH16 or TT2000
        import cdflib

        return np.asarray(cdflib.cdfepoch.to_datetime(values), dtype="datetime64[ns]")
    ms = np.asarray(values, dtype=np.float64) - _EPOCH_1970_MS
    out = np.full(ms.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.isfinite(ms) & (np.abs(ms) < 9.2e12)  # datetime64[ns] spans 1677..2262
    out[ok] = (np.round(ms[ok]).astype(np.int64) * 1_000_000).astype("datetime64[ns]")
    return out


def _read_cdf(path: Path, limits: Limits) -> dict[str, Any]:
    """One CDAWeb HRO CDF file, as :func:`read_omni_file` returns an ASCII one."""
    try:
        import cdflib
    except ImportError:
        raise FileFormatError(
            "reading OMNI CDF files needs the optional package cdflib "
            "(pip install 'geospacexr[omni]'), or use the ASCII files",
            path=path,
        ) from None
    try:
        limits.check_content(path.stat().st_size, path, "the file")
        cdf = cdflib.CDF(str(path))
        info = cdf.cdf_info()
        names = set(info.zVariables) | set(info.rVariables)
        if "Epoch" not in names:
            raise FileFormatError("no Epoch variable: not an OMNI HRO CDF file", path=path)
        epoch_info = cdf.varinq("Epoch")
        raw_epoch = np.asarray(cdf.varget("Epoch"))
        times = _cdf_epoch_ns(raw_epoch.ravel(), int(epoch_info.Data_Type))
        n = times.size
        limits.check_array(n * 8 * len(_CDF_NAMES), path, f"its {n:,} records")
        tables = {name: (units, long, fill) for _, name, units, long, fill in _HRO5}
        variables: dict[str, np.ndarray] = {}
        words: dict[str, str] = {}
        for cdf_name, name in _CDF_NAMES.items():
            if cdf_name not in names:
                continue
            raw = np.asarray(cdf.varget(cdf_name)).ravel()
            data = raw.astype(np.float64)
            if data.size != n:
                raise FileFormatError(
                    f"{cdf_name} holds {data.size} values for {n} epochs", path=path
                )
            column = data.copy()
            try:  # compared in the variable's own type (a CDF_FLOAT 99.99 is not 99.99)
                fill = np.asarray(cdf.attget("FILLVAL", cdf_name).Data).ravel()[0]
                column[raw == np.asarray(fill).astype(raw.dtype)] = np.nan
            except Exception:  # no usable FILLVAL attribute: the documented fill of the word
                pass
            variables[name] = _fill(column, tables[name][2], 1e-6)
            words[name] = cdf_name
    except FileFormatError:
        raise
    except Exception as exc:  # cdflib's own errors on damaged files
        raise FileFormatError(
            f"not a readable CDF file ({type(exc).__name__}: {exc})", path=path
        ) from None
    good = ~np.isnat(times)
    if not good.any() or not variables:
        raise FileFormatError("no readable OMNI record in the CDF file", path=path)
    bad = int((~good).sum())
    step = np.diff(times[good]).astype("timedelta64[s]").astype(np.int64)
    cadence = int(np.median(step)) if step.size else 60
    return {
        "time": times[good],
        "variables": {k: v[good] for k, v in variables.items()},
        "layout": "hro-5min" if cadence >= 300 else "hro-1min",
        "cadence_s": cadence,
        "words": words,
        "problem": f"{bad} record(s) with an unreadable epoch skipped" if bad else None,
    }


def _is_cdf(path: Path) -> bool:
    return any(peek(path, 4).startswith(m) for m in _CDF_MAGIC)


def _merge_parts(
    parts: list[tuple[Path, dict[str, Any]]], what: str
) -> tuple[dict[str, Any], list[str], np.ndarray, Callable[[str], np.ndarray]]:
    """Join the files of one solar-wind series (OMNI, Qin-Denton): one cadence, time order.

    Args:
        parts: ``(path, part)`` of every file read (:func:`~geospacexr.io.registry.read_each`).
        what: The files' kind, for the message.

    Returns:
        ``(first part, variables every file has, sorted unique times, column)``: ``column(name)``
        is that variable over all files in the times' order, a repeated time kept once.

    Raises:
        IncompatibleInputError: If the files have several cadences.
    """
    cadences = {p["cadence_s"] for _, p in parts}
    if len(cadences) > 1:
        raise IncompatibleInputError(
            f"{what} files of several resolutions ({sorted(cadences)} s): open each separately"
        )
    first = parts[0][1]
    names = [n for n in first["variables"] if all(n in p["variables"] for _, p in parts)]
    times = np.concatenate([p["time"] for _, p in parts])
    order = np.argsort(times, kind="stable")
    times = times[order]
    keep = np.ones(times.size, dtype=bool)
    keep[1:] = times[1:] != times[:-1]

    def column(name: str) -> np.ndarray:
        return np.concatenate([p["variables"][name] for _, p in parts])[order][keep]

    return first, names, times[keep], column


def open_omni(paths: Paths) -> xr.Dataset:
    """Read OMNI files (hourly OMNI2 ASCII, 1-/5-min HRO ASCII or HRO CDF) into one Dataset.

    Files of one resolution are concatenated in time order (a time given twice keeps the first
    file's record, in name order).

    Args:
        paths: Files, a folder or a glob pattern.

    Returns:
        A standard ``omni`` Dataset (see :mod:`geospacexr.io.omni`): variables on ``time`` with
        ``units``, ``long_name`` and ``source_name``; attrs ``layout``, ``cadence_s``,
        ``source_files``, ``problematic_files`` (JSON).

    Raises:
        NoFilesError: If nothing matches ``paths``.
        FileFormatError: If no file has a readable record (every file's reason is listed).
        IncompatibleInputError: If files of different resolutions are mixed.

    Example:
        >>> import geospacexr
        >>> ds = geospacexr.open_omni(geospacexr.datasets.sample_path("omni-hourly"))
        >>> ds.attrs["layout"], str(ds["Dst"].attrs["units"])
        ('omni2-hourly', 'nT')
    """
    files = [f for f in expand_paths(paths) if f.name != "manifest.json"]
    limits = Limits.current()
    parts, problems = read_each(
        files,
        lambda path: _read_cdf(path, limits) if _is_cdf(path) else read_omni_file(path, limits),
        "OMNI data",
        len(files),
    )
    first, names, times, columns = _merge_parts(parts, "OMNI")
    tables = {name: (units, long) for _, name, units, long, _ in (*_OMNI2, *_HRO5)}
    data_vars = {}
    for name in names:
        column = columns(name)
        units, long = tables[name]
        source = first["words"][name]
        data_vars[name] = (
            ("time",),
            column,
            {
                "units": units,
                "long_name": long,
                "source_name": source if isinstance(source, str) else f"word {source}",
            },
        )
    warn_problems(problems, "OMNI files", stacklevel=2)
    return xr.Dataset(
        data_vars,
        coords={"time": ("time", times, {"long_name": "start of the average (UT)"})},
        attrs={
            "geospacexr_kind": "omni",
            "layout": first["layout"],
            "cadence_s": int(first["cadence_s"]),
            "source": "NASA/GSFC SPDF OMNIWeb (OMNI2 / high-resolution OMNI)",
            "source_files": json.dumps(sorted(p.name for p, _ in parts)),
            "problematic_files": json.dumps(problems),
        },
    )


_NAME = re.compile(r"^omni(2_\d{4}|_(5)?min_?\d{4,6}|_hro_(1|5)min_\d{8}_v\d+)\.", re.I)


def _looks_like_omni(path: Path) -> bool:
    if _is_cdf(path):
        return bool(_NAME.match(path.name))
    head = peek(path, 2048)
    if b"\0" in head:
        return False
    line = head.split(b"\n", 1)[0].split()
    if len(line) not in OMNI_LAYOUTS:
        return False
    try:
        year, doy = int(line[0]), int(line[1])
    except ValueError:
        return False
    return _FIRST_YEAR <= year <= _LAST_YEAR and 1 <= doy <= 366


@register_reader(
    "omni",
    kind="omni",
    patterns=(
        "omni2_*.dat",
        "omni2_*.txt",
        "omni_min*.asc",
        "omni_min*.dat",
        "omni_5min*.asc",
        "omni_5min*.dat",
        "omni_hro_*.cdf",
    ),
    sniff=_looks_like_omni,
    sample="omni-hourly",
    description="OMNI solar wind and indices: hourly OMNI2 and 1-/5-min HRO (ASCII, CDF)",
)
def _open_omni_registry(files: Paths, **_: Any) -> xr.Dataset:
    return open_omni(files)
