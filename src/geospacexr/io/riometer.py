"""Riometer files: NORSTAR K0/K2 text files and SWAN hyperspectral riometer (HSR) HDF5 files.

Layouts (as pyucalgarysrs 1.28 reads them; see ``docs/riometers.md``):

* **NORSTAR** text, one file per site and UT day, 5 s cadence. A header of ``#`` lines: a
  summary line (``# ---- ... ----``), ``key: value`` lines (``Processing date``, ``Site unique
  ID``...), a ``Version`` line, ending at a line holding ``------------``. Then rows
  ``dd/mm/yy HH:MM:SS raw_signal_V`` (K0, old ``v0``) or ``dd/mm/yy HH:MM:SS absorption_dB
  raw_signal_V`` (K2, old ``v1a``). Rows stamped hour ``24`` (the next day's midnight) are
  dropped. Names: ``norstar_k0_rio-gill_20070402_v01.txt`` (new), ``gil_rio_19900402_v0.txt``
  or ``chu_canopus_dcp_rio_20050402_v0.txt`` (old: the first three letters are the site).
* **SWAN HSR** HDF5, one file per site and day: ``/data/timestamp`` strings
  ``YYYY-mm-dd HH:MM:SS UTC`` (~1 s), ``/data/raw_power[band, time]`` in dB,
  ``/data/band_central_frequency`` (``"30.0 MHz"``), ``/data/band_passband``, and the file's
  metadata as attributes of ``/metadata/file``. Name ``20240203_mean-hsr_k0_v01.h5``.

Both give a standard Dataset of kind ``"riometer"``: ``raw_signal`` (V, NORSTAR) or
``raw_power`` (dB, HSR, dims ``(time, frequency)``), ``absorption`` (dB) where K2 files give
it, a ``frequency`` coordinate in MHz (a scalar for single-frequency riometers), and attrs
``site``, ``site_name``, ``site_lat``, ``site_lon`` (geographic degrees), ``instrument``,
``source_files``, ``problematic_files`` (JSON) and ``file_metadata`` (JSON of the first file's
header). The site's magnetic position (``site_mlat``, ``site_mlon``) is science: the ``rio``
package adds it through a completion (:func:`register_completion`; importing :mod:`geospacexr`
registers it), run on the Dataset of all the days. Damaged lines and files are reported as
the ASI readers do: the good part is kept, every problem is listed in
``attrs["problematic_files"]`` and one :class:`~geospacexr.errors.DataWarning` names them.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from ..errors import FileFormatError, IncompatibleInputError
from .completions import Completion, Completions
from .h5safe import read_strings
from .hdf5 import check_size, check_storage
from .instruments import UnknownInstrumentError, get_instrument
from .limits import Limits, how_to_raise
from .registry import Paths, expand_paths, peek, read_each, register_reader, warn_problems
from .times import check_ns, to_ns

__all__ = [
    "RIOMETER_SITES",
    "list_completions",
    "open_hsr",
    "open_norstar_riometer",
    "open_riometer",
    "read_norstar_file",
    "register_completion",
]

#: NORSTAR (formerly CANOPUS) riometer sites: unique id -> (name, old 3-letter code, geographic
#: latitude, longitude). A view of the ``norstar_riometer`` row's sites in the instrument table
#: (:mod:`geospacexr.io.instruments`), where the positions are kept.
RIOMETER_SITES: dict[str, tuple[str, str, float, float]] = {
    s.code: (s.name, s.aliases[0], s.lat, s.lon) for s in get_instrument("norstar_riometer").sites
}

#: NORSTAR riometers observe at 30 MHz.
NORSTAR_FREQUENCY_MHZ = 30.0

_NEW_NAME = re.compile(
    r"^norstar_(?P<level>k\d)_rio-(?P<site>[a-z0-9]+)_(?P<date>\d{8})_v\w+\.txt$", re.I
)
_OLD_NAME = re.compile(
    r"^(?P<code>[a-z]{3})_(?:\w+_)?rio_(?P<date>\d{8})_(?P<ver>v0|v1a)\.txt$", re.I
)
_HSR_NAME = re.compile(r"^(?P<date>\d{8})_(?P<site>[a-z0-9]+)-hsr_(?P<level>k\d)_v\w+\.h5$", re.I)
#: longest number a row may hold, characters (a longer one makes the row a damaged one)
_MAX_NUMBER = 40
_ROW = re.compile(
    rb"^\s*(\d\d)/(\d\d)/(\d\d)\s+(\d\d):(\d\d):(\d\d)\s+(\S{1,%d})(?:\s+(\S{1,%d}))?\s*$"
    % (_MAX_NUMBER, _MAX_NUMBER)
)
_HEADER_END = "------------"
#: how many damaged line numbers a report lists
_MAX_LISTED = 5


_COMPLETIONS = Completions("riometer completion")


def register_completion(name: str, *, replace: bool = False) -> Callable[[Completion], Completion]:
    """Register a function that completes every ``riometer`` Dataset the readers return.

    :func:`open_norstar_riometer` and :func:`open_hsr` run the completions in name order on the
    Dataset of all the files (days concatenated), so a completion sees the whole record. This is
    how the ``rio`` package adds the site's magnetic position
    (:func:`geospacexr.rio.site_magnetic_position`) without the reader importing science.

    Args:
        name: The completion's name.
        replace: Replace a completion of the same name.

    Returns:
        A decorator that registers ``fn(ds, source) -> ds`` and returns it unchanged.
    """
    return _COMPLETIONS.register(name, replace=replace)


def list_completions(details: bool = False) -> list[str] | list[dict[str, str]]:
    """The registered completions of ``riometer`` Datasets.

    Args:
        details: Return one dict per completion (``name``, ``description``, ``function``).

    Returns:
        Sorted names, or the dicts.
    """
    return _COMPLETIONS.listing(details)


def _site_from_name(name: str) -> str | None:
    m = _NEW_NAME.match(name)
    if m:
        return m.group("site").lower()
    m = _OLD_NAME.match(name)
    if m:
        code = m.group("code").lower()
        for uid, (_, old, _, _) in RIOMETER_SITES.items():
            if old == code:
                return uid
        return code
    m = _HSR_NAME.match(name)
    if m:
        return m.group("site").lower()
    return None


def _level_from_name(name: str) -> str | None:
    m = _NEW_NAME.match(name)
    if m:
        return m.group("level").lower()
    m = _OLD_NAME.match(name)
    if m:
        return "k0" if m.group("ver").lower() == "v0" else "k2"
    return None


def _day_from_name(name: str) -> np.datetime64 | None:
    """The UT day a daily file's name gives (``None``: not a known name or no valid date)."""
    for pattern in (_NEW_NAME, _OLD_NAME, _HSR_NAME):
        m = pattern.match(name)
        if m:
            d = m.group("date")
            try:
                _dt.date(int(d[:4]), int(d[4:6]), int(d[6:]))
            except ValueError:
                return None
            return np.datetime64(f"{d[:4]}-{d[4:6]}-{d[6:]}", "D")
    return None


def _parse_header(lines: list[bytes]) -> tuple[dict[str, str], int]:
    """The header's fields and the index of the first line after it."""
    meta: dict[str, str] = {}
    for i, raw in enumerate(lines):
        text = raw.decode("latin-1").strip()
        if not text.startswith("#"):
            return meta, i
        if _HEADER_END in text:
            return meta, i + 1
        body = text[1:].strip()
        if not body:
            continue
        if "Version" in body:  # the whole line, as pyucalgarysrs keeps it
            meta["version"] = body
        elif "----" in body:
            meta["summary"] = body
        elif ":" in body:
            key, value = (s.strip() for s in body.split(":", 1))
            key = key.lower().replace(" ", "_")
            if key == "site_unique_id":
                value = value.lower()
            if key == "processing_date":
                try:
                    value = _dt.datetime.strptime(value, "%a %b %d %H:%M:%S %Y").isoformat(" ")
                except ValueError:
                    pass  # kept as written
            meta[key] = value
        else:
            meta.setdefault("comments", "")
            meta["comments"] = (meta["comments"] + " " + body).strip()
    return meta, len(lines)  # only header lines


def _clock(
    dd: np.ndarray, mm: np.ndarray, yy: np.ndarray, hh: np.ndarray, mi: np.ndarray, ss: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Times of ``dd/mm/yy HH:MM:SS`` fields (int arrays) and the mask of possible ones."""
    year = np.where(yy >= 69, 1900 + yy, 2000 + yy)  # strptime's %y rule
    good = (mm >= 1) & (mm <= 12) & (dd >= 1) & (dd <= 31) & (hh < 24) & (mi < 60) & (ss < 60)
    month = (year - 1970) * 12 + np.clip(mm, 1, 12) - 1
    first = month.astype("datetime64[M]").astype("datetime64[D]")
    day = first + (np.clip(dd, 1, 31) - 1)
    good &= day.astype("datetime64[M]") == first.astype("datetime64[M]")  # 31/04 is no date
    times = day.astype("datetime64[ns]") + ((hh * 60 + mi) * 60 + ss) * np.timedelta64(1, "s")
    return times, good


def _decode_rows(
    fields: list[tuple[bytes | None, ...]], columns: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times, values ``(n, 2)`` and a good-row mask of matched rows, in a few numpy passes."""
    n = len(fields)
    if n == 0:
        return np.empty(0, "datetime64[ns]"), np.empty((0, 2)), np.zeros(0, bool)
    cols = list(zip(*fields, strict=True))
    ints = np.array(cols[:6], dtype="S2").astype(np.int64)  # the regex matched 2 digits each
    times, good = _clock(*ints)
    values = np.full((n, 2), np.nan)
    for j in range(columns):
        texts = cols[6 + j]
        try:
            values[:, j] = np.array(texts, dtype=bytes).astype(float)
        except ValueError:  # one unreadable number: each on its own
            for k, text in enumerate(texts):
                try:
                    values[k, j] = float(text)
                except (TypeError, ValueError):
                    values[k, j] = np.nan
    good &= np.isfinite(values[:, :columns]).all(axis=1)
    return times, values, good


#: Columns of the fixed ``dd/mm/yy HH:MM:SS `` start of a row that the fast path requires:
#: digit positions, and the separators at their positions.
_DIGITS = np.array([0, 1, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16])
_SEPARATORS = ((2, ord("/")), (5, ord("/")), (8, ord(" ")), (11, ord(":")), (14, ord(":")))
_STAMP_WIDTH = 17
#: Bytes the fast path refuses in the numbers' part (``\s`` other than a space: the regex's
#: slow path decides what they mean).
_OTHER_SPACE = np.array([9, 10, 11, 12, 13], dtype=np.uint8)


def _fast_rows(
    body: list[bytes], columns: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int] | None:
    """The rows of a well-formed body at numpy speed, or ``None`` to take the line-by-line path.

    Taken only when *every* line is a row the line-by-line path would read the same way: the
    fixed ``dd/mm/yy HH:MM:SS`` start at column 0 with a single space after the date, then
    ``columns`` numbers (each at most ``_MAX_NUMBER`` characters) separated by spaces, no blank
    or comment line, no tab or other white space, numbers numpy parses (the caller leaves files
    with a NUL byte to the line-by-line path: numpy pads shorter lines with NULs). Anything
    else, and every damaged file, goes the line-by-line way, which names the damaged lines.

    Returns:
        ``(times, values (n, 2), good, columns, rows at hour 24)``, the hour-24 rows removed.
    """
    n = len(body)
    # the longest line first: numpy pads every line to it (one long line must not cost n times)
    if n == 0 or max(map(len, body)) > _STAMP_WIDTH + 2 * (_MAX_NUMBER + 1) + 1:
        return None
    table = np.array(body)
    width = table.dtype.itemsize
    if width <= _STAMP_WIDTH + 1:
        return None
    u = table.view(np.uint8).reshape(n, width)
    digits = u[:, _DIGITS]
    if not ((digits >= 48) & (digits <= 57)).all():
        return None
    if any((u[:, col] != code).any() for col, code in _SEPARATORS):
        return None
    rest = u[:, _STAMP_WIDTH:]
    if np.isin(rest, _OTHER_SPACE).any() or (u[:, _STAMP_WIDTH] != 32).any():
        return None
    filled = (rest != 32) & (rest != 0)  # zeros: numpy's padding of shorter lines
    starts = filled.copy()
    starts[:, 1:] &= ~filled[:, :-1]
    counts = starts.sum(axis=1)
    ncol = int(counts[0])
    if ncol not in (1, 2) or (columns is not None and ncol != columns) or (counts != ncol).any():
        return None
    # every row's numbers start with a space (checked above): the rows' bytes side by side,
    # padding as spaces, split into the same tokens as row by row
    tokens = np.where(rest == 0, np.uint8(32), rest).tobytes().split()
    if len(tokens) != n * ncol:
        return None
    texts = np.array(tokens)
    if texts.dtype.itemsize > _MAX_NUMBER:
        return None
    try:
        numbers = texts.astype(np.float64).reshape(n, ncol)
    except ValueError:
        return None
    d = (digits.astype(np.int64) - 48).reshape(n, 6, 2)
    dd, mm, yy, hh, mi, ss = (d[:, :, 0] * 10 + d[:, :, 1]).T
    keep = hh != 24
    hour24 = int(n - keep.sum())
    times, good = _clock(dd[keep], mm[keep], yy[keep], hh[keep], mi[keep], ss[keep])
    values = np.full((int(keep.sum()), 2), np.nan)
    values[:, :ncol] = numbers[keep]
    good &= np.isfinite(values[:, :ncol]).all(axis=1)
    return times, values, good, ncol, hour24


def read_norstar_file(
    path: str | Path, limits: Limits | None = None, max_rows: int | None = None
) -> dict[str, Any]:
    """Read one NORSTAR riometer text file, keeping its good rows.

    Args:
        path: A K0 or K2 file.
        limits: Reading limits (default: those in force; the file's size is checked against
            ``io.max_decompressed_mb`` before it is read).
        max_rows: Most lines after the header (default ``rio.max_rows_per_file``); a file with
            more is refused before its rows are decoded.

    Returns:
        A dict with ``time`` (``datetime64[ns]``), ``raw_signal`` (V), ``absorption`` (dB, or
        ``None`` for K0), ``level`` (``"k0"``/``"k2"``), ``site``, ``metadata`` (the header) and
        ``problem`` (text describing damaged rows, or ``None``).

    Raises:
        FileFormatError: If the file cannot be read or holds no readable row.
    """
    path = Path(path)
    limits = limits or Limits.current()
    try:
        size = path.stat().st_size
        limits.check_content(size, path, "the file")
        content = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"cannot read the file ({exc})", path=path) from None
    if b"\0" in content[:4096]:
        raise FileFormatError("binary content, not a NORSTAR riometer text file", path=path)
    lines = content.splitlines()
    meta, first = _parse_header(lines)
    if max_rows is None:
        max_rows = config.get().rio.max_rows_per_file
    if len(lines) - first > max_rows:
        raise FileFormatError(
            f"holds {len(lines) - first:,} lines after its header, more than "
            f"rio.max_rows_per_file={max_rows:,} (a daily file at 5 s holds 17,280); "
            f"{how_to_raise('rio.max_rows_per_file')}",
            path=path,
        )
    level = _level_from_name(path.name)
    columns: int | None = {"k0": 1, "k2": 2}.get(level or "")
    fields: list[tuple[bytes, ...]] = []
    bad: list[int] = []
    hour24 = 0
    fast = None if b"\0" in content else _fast_rows(lines[first:], columns)
    for n in range(first, len(lines) if fast is None else first):
        line = lines[n]
        if not line.strip() or line.lstrip().startswith(b"#"):
            continue
        m = _ROW.match(line)
        if m is None:
            bad.append(n + 1)
            continue
        groups = m.groups()
        ncol = 1 if groups[7] is None else 2
        if columns is None:
            columns = ncol
        if ncol != columns:
            bad.append(n + 1)
            continue
        if groups[3] == b"24":
            hour24 += 1
            continue
        fields.append(groups)
    if fast is not None:
        times, values, good, columns, hour24 = fast
    else:
        times, values, good = _decode_rows(fields, columns or 1)
    invalid = int((~good).sum())
    day = _day_from_name(path.name)
    outside = 0
    if day is not None:  # a daily file: a row of another day is a damaged date
        elsewhere = good & (times.astype("datetime64[D]") != day)
        outside = int(elsewhere.sum())
        good &= ~elsewhere
    count = len(bad) + invalid
    problems = []
    if count:
        listed = ", ".join(str(b) for b in bad[:_MAX_LISTED])
        more = ", ..." if len(bad) > _MAX_LISTED else ""
        where = f" (line{'s' if len(bad) > 1 else ''} {listed}{more})" if bad else ""
        problems.append(f"{count} damaged row(s) skipped{where}")
    if outside:
        problems.append(f"{outside} row(s) dated outside the file's day {day} skipped")
    problem = "; ".join(problems) or None
    if not good.any():
        raise FileFormatError(
            "no readable row (expected 'dd/mm/yy HH:MM:SS [absorption_dB] raw_signal_V' after "
            "the '#' header)",
            path=path,
        )
    times, values = times[good], values[good]
    site = (meta.get("site_unique_id") or _site_from_name(path.name) or "").lower()
    if columns == 2:
        absorption, raw = values[:, 0], values[:, 1]
    else:
        absorption, raw = None, values[:, 0]
    return {
        "time": times,
        "raw_signal": raw,
        "absorption": absorption,
        "level": "k2" if columns == 2 else "k0",
        "site": site,
        "metadata": meta,
        "problem": problem,
        "dropped_hour24": hour24,
    }


def _warn(problems: list[dict[str, str]], what: str) -> None:
    warn_problems(problems, what, stacklevel=4)


def _site_attrs(site: str, meta: dict[str, Any], instrument: str) -> dict[str, Any]:
    """Site name and position: the file's metadata, else the instrument table's site list."""
    name, lat, lon = "", float("nan"), float("nan")
    try:
        known = get_instrument(instrument).site(site)
        name, lat, lon = known.name, known.lat, known.lon
    except (UnknownInstrumentError, KeyError):
        pass
    for keys, which in (
        (("geographic_latitude", "site_latitude", "latitude"), "lat"),
        (("geographic_longitude", "site_longitude", "longitude"), "lon"),
    ):
        for key in keys:
            m = re.fullmatch(r"\s*([-+]?\d{1,3}(?:\.\d*)?)\s*", str(meta.get(key, "")))
            value = float(m.group(1)) if m else float("nan")
            if which == "lat" and -90.0 <= value <= 90.0:
                lat = value
                break
            if which == "lon" and -360.0 <= value <= 360.0:
                lon = (value + 180.0) % 360.0 - 180.0
                break
    return {
        "site": site,
        "site_name": str(meta.get("site_name", name) or name),
        "site_lat": float(lat),
        "site_lon": float(lon),
    }


def _progress(files: list[Path], progress: bool | None, what: str) -> Any:
    """``files``, wrapped in a tqdm bar (on stderr) when ``progress`` is not false."""
    if progress is False:
        return files
    from tqdm import tqdm

    return tqdm(files, desc=what, unit="file", disable=None if progress is None else False)


def open_norstar_riometer(paths: Paths, progress: bool | None = False) -> xr.Dataset:
    """Read NORSTAR riometer K0/K2 text files of one site into one ``riometer`` Dataset.

    Days are concatenated in time order; where K0 and K2 files cover the same instants, the K2
    rows (which carry the absorption) are kept.

    Args:
        paths: Files, a folder or a glob pattern.
        progress: Show a progress bar over the files (``None``: when on a terminal).

    Returns:
        ``raw_signal`` ``(time)`` in V and, when any K2 file is given, ``absorption`` ``(time)``
        in dB (NaN where only K0 data exist); a scalar ``frequency`` coordinate (30 MHz).

    Raises:
        NoFilesError: If nothing matches ``paths``.
        FileFormatError: If no file has a readable row (every file's reason is listed).
        IncompatibleInputError: If the files come from several sites.
    """
    files = expand_paths(paths)
    limits = Limits.current()
    max_rows = config.get().rio.max_rows_per_file
    parts, problems = read_each(
        _progress(files, progress, "reading NORSTAR files"),
        lambda path: read_norstar_file(path, limits, max_rows),
        "riometer data",
        len(files),
    )
    sites = {p["site"] for _, p in parts if p["site"]}
    if len(sites) > 1:
        raise IncompatibleInputError(
            f"riometer files of several sites: {sorted(sites)}; open each site separately"
        )
    site = sites.pop() if sites else ""
    times = np.concatenate([p["time"] for _, p in parts])
    raw = np.concatenate([p["raw_signal"] for _, p in parts])
    levels = sorted({p["level"] for _, p in parts})
    has_k2 = "k2" in levels
    absorption = np.concatenate(
        [
            p["absorption"] if p["absorption"] is not None else np.full(p["time"].size, np.nan)
            for _, p in parts
        ]
    )
    is_k2 = np.concatenate([np.full(p["time"].size, p["level"] == "k2") for _, p in parts])
    # time order; at equal times the K2 row first, then keep the first of each time
    order = np.lexsort((~is_k2, times))
    times, raw, absorption = times[order], raw[order], absorption[order]
    keep = np.ones(times.size, dtype=bool)
    keep[1:] = times[1:] != times[:-1]
    times, raw, absorption = times[keep], raw[keep], absorption[keep]
    _warn(problems, "NORSTAR riometer files")
    meta = parts[0][1]["metadata"]
    data_vars: dict[str, Any] = {
        "raw_signal": (
            ("time",),
            raw.astype(np.float32),
            {"long_name": "riometer raw signal", "units": "V"},
        )
    }
    if has_k2:
        data_vars["absorption"] = (
            ("time",),
            absorption.astype(np.float32),
            {"long_name": "cosmic noise absorption (K2 files)", "units": "dB"},
        )
    ds = xr.Dataset(
        data_vars,
        coords={
            "time": ("time", times),
            "frequency": ((), NORSTAR_FREQUENCY_MHZ, {"long_name": "frequency", "units": "MHz"}),
        },
        attrs={
            "geospacexr_kind": "riometer",
            "instrument": "norstar_riometer",
            **_site_attrs(site, meta, "norstar_riometer"),
            "products": json.dumps(levels),
            "source_files": json.dumps(sorted(p.name for p, _ in parts)),
            "problematic_files": json.dumps(problems),
            "file_metadata": json.dumps(meta),
        },
    )
    return _COMPLETIONS.run(ds, parts[0][0].name)


def _hsr_stamps(texts: list[str]) -> np.ndarray:
    """``YYYY-mm-dd HH:MM:SS UTC`` stamps as ``datetime64[ns]`` (NaT where unreadable)."""
    cleaned = np.char.replace(
        np.char.strip(np.char.replace(np.array(texts, dtype=str), "UTC", "")), " ", "T"
    )
    try:  # the whole array at once; one bad stamp sends it the slow way
        seconds = cleaned.astype("datetime64[s]")
        check_ns(seconds, "timestamp")
        return seconds.astype("datetime64[ns]")
    except (ValueError, TypeError):
        pass
    out = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
    for i, text in enumerate(cleaned.tolist()):
        try:
            out[i] = to_ns(text, "timestamp")
        except ValueError:
            pass
    return out


def _mhz(text: str) -> float:
    m = re.search(r"[-+]?\d+(?:\.\d*)?", text)
    if m is None:
        return float("nan")
    value = float(m.group(0))
    if re.search(r"khz", text, re.I):
        return value / 1000.0
    if re.search(r"(?<![mk])hz", text, re.I):
        return value / 1e6
    return value


def _attr_text(value: Any) -> Any:
    value = np.asarray(value)
    if value.size == 1:
        value = value.ravel()[0]
        if isinstance(value, bytes):
            return value.decode("latin-1")
        if isinstance(value, np.generic):
            return value.item()
        return value if isinstance(value, str | int | float) else str(value)
    return [_attr_text(v) for v in value.ravel().tolist()]


def _read_hsr_file(path: Path, limits: Limits) -> dict[str, Any]:
    import h5py

    try:
        with h5py.File(path, "r") as f:
            data = f.get("data")
            if not isinstance(data, h5py.Group):
                raise FileFormatError("no /data group", path=path)
            missing = [
                k for k in ("timestamp", "raw_power", "band_central_frequency") if k not in data
            ]
            if missing:
                raise FileFormatError(f"no /data/{', /data/'.join(missing)}", path=path)
            power = check_storage(data["raw_power"], path)
            check_size(power, path, limits, kinds="biuf")
            if power.ndim != 2:
                raise FileFormatError(
                    f"/data/raw_power has shape {power.shape}, expected (band, time)", path=path
                )
            stamp_ds = check_storage(data["timestamp"], path)
            check_size(stamp_ds, path, limits, kinds="SUO")
            stamps = _hsr_stamps(read_strings(stamp_ds, path, "/data/timestamp"))
            bands_ds = check_storage(data["band_central_frequency"], path)
            check_size(bands_ds, path, limits, kinds="SUO")
            bands = read_strings(bands_ds, path, "/data/band_central_frequency")
            passbands: list[str] = [""] * len(bands)
            if "band_passband" in data:
                pb = check_storage(data["band_passband"], path)
                check_size(pb, path, limits, kinds="SUO")
                passbands = read_strings(pb, path, "/data/band_passband")
            if len(bands) != power.shape[0] or len(passbands) != len(bands):
                raise FileFormatError(
                    f"{len(bands)} band frequencies and {len(passbands)} passbands for "
                    f"/data/raw_power of {power.shape[0]} bands",
                    path=path,
                )
            values = np.asarray(power[()], dtype=np.float32)
            meta: dict[str, Any] = {}
            group = f.get("metadata/file")
            if group is not None:
                for key, value in group.attrs.items():
                    try:
                        meta[str(key)] = _attr_text(value)
                    except Exception:  # an attribute libhdf5 cannot decode: skipped
                        continue
    except FileFormatError:
        raise
    except Exception as exc:  # h5py raises many types on damaged files
        raise FileFormatError(
            f"cannot read the HDF5 file ({type(exc).__name__}: {exc})", path=path
        ) from None
    problems = []
    n = min(values.shape[1], stamps.size)
    if values.shape[1] != stamps.size:
        problems.append(
            f"{stamps.size} timestamps for {values.shape[1]} raw_power samples (the first {n} kept)"
        )
    values, stamps = values[:, :n], stamps[:n]
    good = ~np.isnat(stamps)
    if not good.all():
        problems.append(f"{int((~good).sum())} unreadable timestamp(s) (samples skipped)")
    day = _day_from_name(path.name)
    if day is not None:  # a daily file: a sample of another day has a damaged timestamp
        elsewhere = good & (stamps.astype("datetime64[D]") != day)
        if elsewhere.any():
            problems.append(
                f"{int(elsewhere.sum())} timestamp(s) outside the file's day {day} (skipped)"
            )
            good &= ~elsewhere
    if not good.any():
        raise FileFormatError("no readable timestamp in /data/timestamp", path=path)
    site = str(meta.get("site_unique_id", "") or _site_from_name(path.name) or "").lower()
    return {
        "time": stamps[good],
        "raw_power": values[:, good].T,
        "bands": bands,
        "passbands": passbands,
        "metadata": meta,
        "site": site,
        "problem": "; ".join(problems) or None,
    }


def open_hsr(paths: Paths, progress: bool | None = False) -> xr.Dataset:
    """Read SWAN hyperspectral riometer (HSR) HDF5 files of one site into a ``riometer`` Dataset.

    Args:
        paths: Files, a folder or a glob pattern.
        progress: Show a progress bar over the files (``None``: when on a terminal).

    Returns:
        ``raw_power`` ``(time, frequency)`` in dB; coordinates ``frequency`` (band centre,
        MHz), ``band_central_frequency`` and ``band_passband`` (the file's text).

    Limits (:mod:`geospacexr.io.limits`): every dataset's declared size within
    ``io.max_array_mb`` before it is read; variable-length strings read through
    :func:`geospacexr.io.h5safe.read_strings`.

    Raises:
        NoFilesError: If nothing matches ``paths``.
        FileFormatError: If no file can be read (every file's reason is listed).
        IncompatibleInputError: If the files come from several sites or have different bands.
    """
    files = expand_paths(paths)
    limits = Limits.current()
    parts, problems = read_each(
        _progress(files, progress, "reading HSR files"),
        lambda path: _read_hsr_file(path, limits),
        "HSR data",
        len(files),
    )
    sites = {p["site"] for _, p in parts if p["site"]}
    if len(sites) > 1:
        raise IncompatibleInputError(
            f"HSR files of several sites: {sorted(sites)}; open each site separately"
        )
    bands = {tuple(p["bands"]) for _, p in parts}
    if len(bands) > 1:
        raise IncompatibleInputError(
            "HSR files with different bands; open files of one band layout together"
        )
    first = parts[0][1]
    times = np.concatenate([p["time"] for _, p in parts])
    power = np.concatenate([p["raw_power"] for _, p in parts])
    order = np.argsort(times, kind="stable")
    times, power = times[order], power[order]
    keep = np.ones(times.size, dtype=bool)
    keep[1:] = times[1:] != times[:-1]
    _warn(problems, "SWAN HSR files")
    site = sites.pop() if sites else ""
    frequency = np.array([_mhz(b) for b in first["bands"]])
    ds = xr.Dataset(
        {
            "raw_power": (
                ("time", "frequency"),
                power[keep],
                {"long_name": "riometer raw power", "units": "dB"},
            )
        },
        coords={
            "time": ("time", times[keep]),
            "frequency": (
                "frequency",
                frequency,
                {"long_name": "band centre frequency", "units": "MHz"},
            ),
            "band_central_frequency": ("frequency", np.array(first["bands"], dtype=str)),
            "band_passband": ("frequency", np.array(first["passbands"], dtype=str)),
        },
        attrs={
            "geospacexr_kind": "riometer",
            "instrument": "swan_hsr",
            **_site_attrs(site, first["metadata"], "swan_hsr"),
            "products": json.dumps(["k0"]),
            "source_files": json.dumps(sorted(p.name for p, _ in parts)),
            "problematic_files": json.dumps(problems),
            "file_metadata": json.dumps(first["metadata"], default=str),
        },
    )
    return _COMPLETIONS.run(ds, parts[0][0].name)


def _is_norstar(path: Path) -> bool:
    head = peek(path, 4096)
    if not head.startswith(b"#") or _HEADER_END.encode() not in head:
        return False
    after = head.split(_HEADER_END.encode(), 1)[1].splitlines()[1:3]
    return any(_ROW.match(line) for line in after) or len(after) == 0


def _is_hsr(path: Path) -> bool:
    import h5py

    with h5py.File(path, "r") as f:
        return "data/raw_power" in f and "data/band_central_frequency" in f


@register_reader(
    "riometer-norstar",
    kind="riometer",
    patterns=("*rio*.txt",),
    magic=(b"#",),
    sniff=_is_norstar,
    sample="norstar_rio-gill",
    description="NORSTAR riometer K0/K2 daily text files",
    group=lambda path: _site_from_name(path.name) or "",
)
def _open_norstar_registry(files: Paths, **_: Any) -> xr.Dataset:
    return open_norstar_riometer(files)


@register_reader(
    "riometer-hsr",
    kind="riometer",
    patterns=("*hsr*.h5",),
    magic=(b"\x89HDF",),
    sniff=_is_hsr,
    sample="swan_hsr-mean",
    description="SWAN hyperspectral riometer (HSR) daily HDF5 files",
    group=lambda path: _site_from_name(path.name) or "",
)
def _open_hsr_registry(files: Paths, **_: Any) -> xr.Dataset:
    return open_hsr(files)


def open_riometer(paths: Paths, progress: bool | None = False) -> xr.Dataset:
    """Open riometer files (NORSTAR K0/K2 text or SWAN HSR HDF5) of one site.

    The format is recognised from the content (an HDF5 file is read as HSR, anything else as
    NORSTAR text); one or many files, days concatenated in time order.

    Args:
        paths: A file, a folder, a glob pattern or a list of them.
        progress: Show a progress bar over the files (``None``: when on a terminal).

    Returns:
        A standard ``riometer`` Dataset (see :mod:`geospacexr.io.riometer`).

    Raises:
        NoFilesError: If nothing matches ``paths``.
        FileFormatError: If no file can be read, or HDF5 and text files are mixed.
        IncompatibleInputError: If the files come from several sites.

    Example:
        >>> import geospacexr
        >>> ds = geospacexr.open_riometer(geospacexr.datasets.sample_path("norstar_rio-gill"))
        >>> ds.attrs["site"]
        'gill'
    """
    files = expand_paths(paths)
    files = [f for f in files if f.name != "manifest.json"]
    hdf = [peek(f, 4).startswith(b"\x89HDF") for f in files]
    if any(hdf) and not all(hdf):
        raise FileFormatError(
            "HDF5 (SWAN HSR) and text (NORSTAR) riometer files mixed; open each kind separately"
        )
    if hdf and all(hdf):
        return open_hsr(files, progress)
    return open_norstar_riometer(files, progress)
