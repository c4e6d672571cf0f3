"""Files that carry the TS05 W parameters: Qin-Denton files and Tsyganenko's yearly files.

OMNI files have no W1..W6 (storm-time driving variables of the TS05 model); these two
distributions have them, already computed from 5-min OMNI data:

* **Qin-Denton** ``QinDenton_YYYYMMDD_1min.txt`` / ``_5min.txt`` / ``_hour.txt`` (RBSP-ECT
  and ViRBO, Qin et al. 2007, Space Weather 5, S11003): a JSON header in ``#`` comment lines
  (each variable with its ``START_COLUMN``, and ``DIMENSION`` / ``ELEMENT_NAMES`` for the
  vectors ``G``, ``Bz``, ``W`` and their status flags), then one record per line: ISO time,
  year, month, day, hour, minute, second, ``ByIMF``, ``BzIMF``, ``Vsw`` (older files
  ``V_SW``), ``Den_P``, ``Pdyn``, ``G1..G3``, eight status flags, ``Kp``, ``akp3``, ``Dst``,
  ``Bz1..Bz6``, ``W1..W6`` and six W status flags (44 words). Status flags: 2 measured, 1
  interpolated, 0 from a 20-day average. The header decides the columns, so a file whose
  layout differs is read by its own header; a damaged header (not JSON, or an entry without a
  usable ``START_COLUMN``) on records of the published 44 words falls back to the published
  layout (:data:`STANDARD_LAYOUT`), and says so in ``problematic_files``.
* **Tsyganenko's yearly files** ``YYYY_OMNI_5m_with_TS05_variables.dat`` (made by his
  ``Prepare_input_4.for``; format in the file ``Data_format`` beside them): 23 words per 5-min
  record: year, day of year, hour, minute, IMF Bx, By, Bz (GSM, nT), Vx, Vy, Vz (GSE, km/s),
  proton density, temperature, SYM-H, IMF and plasma flags (1 measured, 2 interpolated, -1
  missing), dipole tilt (radians), Pdyn (nPa), W1..W6. Records with a -1 flag have their
  quantities (and W) set to NaN.

Times are read as the start of each average, as OMNI stamps them (the drivers' ``"previous"``
interpolation then takes the average holding a particle's time). ``Kp`` is kept as the file
gives it: OMNI's ``Kp*10`` code over 10 (1.7 is 2-, which :func:`~geospacexr.io.omni.open_omni`
gives as 1.667); T89's Kp bins put both in the same bin.

Both give a Dataset of kind ``"omni"`` with the names :func:`~geospacexr.io.omni.open_omni`
uses (``By_GSM``, ``Bz_GSM``, ``flow_speed``, ``proton_density``, ``Pdyn``, ``Kp``, ``Dst``,
``SYM_H`` ...) plus ``W1``..``W6`` (and, from Qin-Denton files, ``G1``..``G3``, ``Bz1``..``Bz6``,
``akp3`` and the ``<name>_status`` flags), so either is a ``drivers=`` Dataset for
``lstar(model="ts05")``. Damaged lines are skipped and reported (``problematic_files``, one
:class:`~geospacexr.errors.DataWarning`); a file with no readable record is a
:class:`~geospacexr.errors.FileFormatError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import FileFormatError
from .limits import Limits
from .omni import _BLOCK, _MAX_WORD, _decode, _fill, _merge_parts, _times
from .registry import Paths, expand_paths, peek, read_each, register_reader, warn_problems

__all__ = [
    "QINDENTON_NAMES",
    "STANDARD_LAYOUT",
    "TS05_YEARLY_WORDS",
    "open_qindenton",
    "open_ts05_yearly",
    "read_qindenton_file",
    "read_ts05_yearly_file",
]

#: Qin-Denton column name -> (our name, units, long name).
QINDENTON_NAMES: dict[str, tuple[str, str, str]] = {
    "ByIMF": ("By_GSM", "nT", "IMF By (GSM)"),
    "BzIMF": ("Bz_GSM", "nT", "IMF Bz (GSM)"),
    "Vsw": ("flow_speed", "km/s", "solar-wind flow speed"),
    "V_SW": ("flow_speed", "km/s", "solar-wind flow speed"),
    "Den_P": ("proton_density", "cm-3", "proton density"),
    "Pdyn": ("Pdyn", "nPa", "solar-wind flow (dynamic) pressure"),
    "Kp": ("Kp", "1", "planetary Kp index"),
    "akp3": ("akp3", "1", "Kp averaged with a 3-day exponential weight"),
    "Dst": ("Dst", "nT", "Dst index"),
    **{f"G{i}": (f"G{i}", "1", f"Tsyganenko T01 G{i} parameter") for i in range(1, 4)},
    **{f"Bz{i}": (f"Bz{i}", "nT", f"Bz average for W{i} (Qin et al. 2007)") for i in range(1, 7)},
    **{f"W{i}": (f"W{i}", "1", f"TS05 driving variable W{i}") for i in range(1, 7)},
}
_STATUS = {"ByIMF", "BzIMF", "Vsw", "V_SW", "Den_P", "Pdyn", "G1", "G2", "G3",
           *(f"W{i}" for i in range(1, 7))}  # fmt: skip
_TIME_COLUMNS = ("Year", "Month", "Day", "Hour", "Minute", "Second")
_CADENCE = {"1min": 60, "5min": 300, "hour": 3600, "1hr": 3600}
_QD_NAME = re.compile(r"^QinDenton_(\d{4})(\d\d)(\d\d)_(1min|5min|hour|1hr)\.txt$", re.I)
#: a value this large is a fill (no quantity of these files comes near it)
_FILL = 99999.0
_MAX_COLUMNS = 1000
_MAX_LISTED = 5

#: The published layout (RBSP-ECT / ViRBO files): (header entry, number of columns) in order;
#: used when a file's JSON header is damaged but its records have these 44 words.
STANDARD_LAYOUT: tuple[tuple[str, int], ...] = (
    ("DateTime", 1), ("Year", 1), ("Month", 1), ("Day", 1), ("Hour", 1), ("Minute", 1),
    ("Second", 1), ("ByIMF", 1), ("BzIMF", 1), ("Vsw", 1), ("Den_P", 1), ("Pdyn", 1),
    ("G", 3), ("ByIMF_status", 1), ("BzIMF_status", 1), ("Vsw_status", 1),
    ("Den_P_status", 1), ("Pdyn_status", 1), ("G_status", 3), ("Kp", 1), ("akp3", 1),
    ("Dst", 1), ("Bz", 6), ("W", 6), ("W_status", 6),
)  # fmt: skip


def _standard_columns() -> tuple[dict[str, int], int]:
    columns: dict[str, int] = {}
    at = 0
    for name, dim in STANDARD_LAYOUT:
        if dim == 1:
            columns[name] = at
        else:
            base, _, suffix = name.partition("_")
            for k in range(dim):
                columns[f"{base}{k + 1}" + (f"_{suffix}" if suffix else "")] = at + k
        at += dim
    return columns, at


#: (word from 1, name, units, long name, fill) of the yearly files' words kept.
TS05_YEARLY_WORDS: tuple[tuple[int, str, str, str, float], ...] = (
    (5, "Bx_GSE", "nT", "IMF Bx (GSE = GSM)", 9999.99),
    (6, "By_GSM", "nT", "IMF By (GSM)", 9999.99),
    (7, "Bz_GSM", "nT", "IMF Bz (GSM)", 9999.99),
    (8, "Vx_GSE", "km/s", "flow velocity Vx (GSE)", 99999.9),
    (9, "Vy_GSE", "km/s", "flow velocity Vy (GSE)", 99999.9),
    (10, "Vz_GSE", "km/s", "flow velocity Vz (GSE)", 99999.9),
    (11, "proton_density", "cm-3", "proton density", 999.99),
    (12, "temperature", "K", "proton temperature", 9999999.0),
    (13, "SYM_H", "nT", "SYM-H index", 99999.0),
    (14, "IMF_flag", "1", "IMF flag (1 measured, 2 interpolated, -1 missing)", 99.0),
    (15, "SW_flag", "1", "plasma flag (1 measured, 2 interpolated, -1 missing)", 99.0),
    (16, "dipole_tilt", "degree", "geodipole tilt angle", 99.0),
    (17, "Pdyn", "nPa", "solar-wind flow (dynamic) pressure", 999.99),
    *((17 + i, f"W{i}", "1", f"TS05 driving variable W{i}", 999.99) for i in range(1, 7)),
)
_YEARLY_WORDS = 23
_YEARLY_NAME = re.compile(r"^(\d{4})_OMNI_5m_with_TS05_variables\.(dat|txt)$", re.I)
_IMF_WORDS = ("Bx_GSE", "By_GSM", "Bz_GSM")
_SW_WORDS = ("Vx_GSE", "Vy_GSE", "Vz_GSE", "proton_density", "temperature", "Pdyn")


def _content(path: Path, limits: Limits) -> bytes:
    try:
        limits.check_content(path.stat().st_size, path, "the file")
        content = path.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"cannot read the file ({exc})", path=path) from None
    if b"\0" in content[:4096]:
        raise FileFormatError("binary content, not a text file", path=path)
    return content


def _header(lines: list[bytes], path: Path) -> dict[str, Any]:
    """The JSON header of a Qin-Denton file (the ``#`` lines before the records)."""
    text = []
    for line in lines:
        if not line.startswith(b"#"):
            break
        text.append(line[1:].decode("utf-8", "replace"))
    joined = "\n".join(text)
    start, end = joined.find("{"), joined.rfind("}")
    if start < 0 or end <= start:
        raise FileFormatError(
            "no JSON header (expected '# {' ... '# } End JSON' comment lines, as in "
            "QinDenton_YYYYMMDD_*.txt files)",
            path=path,
        )
    try:
        header = json.loads(joined[start : end + 1])
    except (ValueError, RecursionError) as exc:
        raise FileFormatError(
            f"the JSON header is not valid JSON ({type(exc).__name__}: {exc})", path=path
        ) from None
    if not isinstance(header, dict):
        raise FileFormatError("the JSON header is not an object of variables", path=path)
    return header


def _columns(header: dict[str, Any], path: Path) -> tuple[dict[str, int], int]:
    """``{element name: column}`` from the header, and the number of words of a record."""
    columns: dict[str, int] = {}
    width = 0
    for key, entry in header.items():
        if not isinstance(entry, dict) or "START_COLUMN" not in entry:
            continue
        start = entry["START_COLUMN"]
        dim = entry.get("DIMENSION", [1])
        names = entry.get("ELEMENT_NAMES", [key])
        ok = (
            isinstance(start, int) and not isinstance(start, bool) and 0 <= start < _MAX_COLUMNS
            and isinstance(dim, list) and len(dim) == 1 and isinstance(dim[0], int)
            and 1 <= dim[0] <= 64 and isinstance(names, list) and len(names) == dim[0]
            and all(isinstance(n, str) for n in names)
        )  # fmt: skip
        if not ok:
            raise FileFormatError(
                f"the JSON header's entry {key!r} has no usable START_COLUMN / DIMENSION / "
                "ELEMENT_NAMES",
                path=path,
            )
        for k, name in enumerate(names):
            columns[name] = start + k
        width = max(width, start + dim[0])
    missing = [c for c in _TIME_COLUMNS[:5] if c not in columns]
    if missing:
        raise FileFormatError(
            f"the JSON header has no {', '.join(missing)} column: not a Qin-Denton file",
            path=path,
        )
    if not any(name in columns for name in QINDENTON_NAMES):
        raise FileFormatError("the JSON header lists none of the model inputs", path=path)
    return columns, width


def _calendar_times(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``datetime64[ns]`` of year, month, day, hour, minute, second columns; valid mask."""
    year, month, day, hour, minute, second = (values[:, k] for k in range(6))
    integral = np.all(values == np.round(values), axis=1)
    good = (
        integral & (year >= 1950) & (year <= 2100) & (month >= 1) & (month <= 12)
        & (day >= 1) & (day <= 31) & (hour >= 0) & (hour < 24) & (minute >= 0) & (minute < 60)
        & (second >= 0) & (second < 61)
    )  # fmt: skip
    y = np.where(good, year, 2000).astype(np.int64)
    m = np.where(good, month, 1).astype(np.int64)
    months = (y - 1970) * 12 + (m - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    dayv = first + (np.where(good, day, 1).astype(np.int64) - 1)
    good &= dayv.astype("datetime64[M]") == months.astype("datetime64[M]")  # 31 Feb
    seconds = np.where(good, hour * 3600 + minute * 60 + second, 0).astype(np.int64)
    return dayv.astype("datetime64[ns]") + seconds * np.timedelta64(1, "s"), good


def _records(
    lines: list[bytes], width: int, columns: list[int], first: int
) -> tuple[np.ndarray, list[int], list[int]]:
    """Decode the records (``width`` words) in blocks; values of ``columns``; line numbers."""
    kept: list[np.ndarray] = []
    numbers_ok: list[int] = []
    bad: list[int] = []
    for start in range(first, len(lines), _BLOCK):
        rows: list[list[bytes]] = []
        numbers: list[int] = []
        for n in range(start, min(start + _BLOCK, len(lines))):
            line = lines[n]
            if not line.strip() or line.startswith(b"#"):
                continue
            words = line.split()
            if len(words) != width or max(map(len, words)) > _MAX_WORD + 16:
                bad.append(n + 1)
                continue
            rows.append([words[c] for c in columns])
            numbers.append(n + 1)
        if not rows:
            continue
        values, good = _decode(rows)
        bad.extend(np.asarray(numbers)[~good].tolist())
        kept.append(values[good])
        numbers_ok.extend(np.asarray(numbers)[good].tolist())
    values = np.concatenate(kept) if kept else np.empty((0, len(columns)))
    return values, numbers_ok, bad


def _problem_text(bad: list[int]) -> str | None:
    if not bad:
        return None
    bad = sorted(bad)
    listed = ", ".join(str(b) for b in bad[:_MAX_LISTED])
    more = ", ..." if len(bad) > _MAX_LISTED else ""
    return (
        f"{len(bad)} damaged record(s) skipped (line{'s' if len(bad) > 1 else ''} {listed}{more})"
    )


def _outside(
    times: np.ndarray, period: tuple[np.datetime64, np.datetime64] | None, problem: str | None
) -> tuple[np.ndarray, str | None]:
    good = np.ones(times.size, bool)
    if period is not None:
        good = (times >= period[0]) & (times < period[1])
        n = int((~good).sum())
        if n:
            text = f"{n} record(s) dated outside the file's period {period[0]!s:.10}"
            problem = f"{problem}; {text}" if problem else text
    return good, problem


def read_qindenton_file(path: str | Path, limits: Limits | None = None) -> dict[str, Any]:
    """Read one Qin-Denton file (JSON-headed ASCII), keeping its good records.

    Args:
        path: The file.
        limits: Reading limits (default: those in force).

    Returns:
        A dict with ``time``, ``variables`` (``{our name: float64 array}``), ``units`` and
        ``long_names`` (``{our name: text}``), ``words`` (``{our name: source column name}``),
        ``layout``, ``cadence_s`` and ``problem``.

    Raises:
        FileFormatError: If the file is not a Qin-Denton file or holds no readable record.
    """
    path = Path(path)
    content = _content(path, limits or Limits.current())
    lines = content.splitlines()
    del content
    first = next((i for i, line in enumerate(lines) if not line.startswith(b"#")), len(lines))
    fallback = None
    try:
        columns, width = _columns(_header(lines, path), path)
    except FileFormatError as exc:
        columns, width = _standard_columns()
        counts = [len(line.split()) for line in lines[first : first + 100] if line.strip()]
        if not counts or counts.count(width) * 2 < len(counts):
            raise
        fallback = str(exc).removeprefix(f"{path}: ")
    time_cols = [columns[c] if c in columns else -1 for c in _TIME_COLUMNS]
    sources = [name for name in columns if name in QINDENTON_NAMES]
    status = [f"{name}_status" for name in sources if f"{name}_status" in columns]
    wanted = [c for c in time_cols if c >= 0] + [columns[n] for n in (*sources, *status)]
    values, _, bad = _records(lines, width, wanted, first)
    nt = sum(c >= 0 for c in time_cols)
    cal = np.zeros((values.shape[0], 6))
    cal[:, :nt] = values[:, :nt]  # a file without a Second column: second 0
    times, valid = _calendar_times(cal)
    m = _QD_NAME.match(path.name)
    period = None
    if m is not None:
        try:
            day = np.datetime64(f"{m.group(1)}-{m.group(2)}-{m.group(3)}", "D")
            period = (day.astype("datetime64[ns]"), (day + 1).astype("datetime64[ns]"))
        except ValueError:
            period = None
    problem = _problem_text(bad)
    if (~valid).any():
        text = f"{int((~valid).sum())} record(s) with an impossible date skipped"
        problem = f"{problem}; {text}" if problem else text
    if fallback is not None:
        text = f"{fallback}: read with the published 44-word Qin-Denton layout"
        problem = f"{text}; {problem}" if problem else text
    values, times = values[valid], times[valid]
    inside, problem = _outside(times, period, problem)
    values, times = values[inside], times[inside]
    order = np.argsort(times, kind="stable")
    values, times = values[order], times[order]
    keep = np.ones(times.size, bool)
    keep[1:] = times[1:] != times[:-1]
    if keep.size and not keep.all():
        text = f"{int((~keep).sum())} record(s) with a repeated time skipped"
        problem = f"{problem}; {text}" if problem else text
    values, times = values[keep], times[keep]
    if times.size == 0:
        raise FileFormatError(
            f"no readable Qin-Denton record ({problem or 'no data lines'})", path=path
        )
    variables: dict[str, np.ndarray] = {}
    units: dict[str, str] = {}
    long_names: dict[str, str] = {}
    words: dict[str, str] = {}
    for k, name in enumerate((*sources, *status), start=nt):
        column = _fill(values[:, k], _FILL)
        if name.endswith("_status"):
            ours = f"{QINDENTON_NAMES[name[:-7]][0]}_status"
            units[ours] = "1"
            long_names[ours] = "quality: 2 measured, 1 interpolated, 0 from a 20-day average"
        else:
            ours, units[ours], long_names[ours] = QINDENTON_NAMES[name]
        variables[ours] = column
        words[ours] = name
    if m is not None:
        cadence = _CADENCE[m.group(4).lower()]
    else:
        step = np.diff(times).astype("timedelta64[s]").astype(np.int64)
        cadence = int(np.median(step)) if step.size else 3600
    return {
        "time": times,
        "variables": variables,
        "units": units,
        "long_names": long_names,
        "words": words,
        "layout": f"qindenton-{ {60: '1min', 300: '5min'}.get(cadence, 'hour') }",
        "cadence_s": cadence,
        "problem": problem,
    }


def read_ts05_yearly_file(path: str | Path, limits: Limits | None = None) -> dict[str, Any]:
    """Read one of Tsyganenko's ``YYYY_OMNI_5m_with_TS05_variables.dat`` files.

    Args:
        path: The file.
        limits: Reading limits (default: those in force).

    Returns:
        A dict as :func:`read_qindenton_file` returns.

    Raises:
        FileFormatError: If the file holds no readable 23-word record.
    """
    path = Path(path)
    content = _content(path, limits or Limits.current())
    lines = content.splitlines()
    del content
    counts = [len(line.split()) for line in lines[:1000]]
    if _YEARLY_WORDS not in counts:
        raise FileFormatError(
            f"no record of {_YEARLY_WORDS} words (year, day of year, hour, minute, IMF, plasma, "
            "SYM-H, flags, tilt, Pdyn, W1..W6): not a TS05 yearly input file",
            path=path,
        )
    wanted = [0, 1, 2, 3] + [word - 1 for word, *_ in TS05_YEARLY_WORDS]
    values, _, bad = _records(lines, _YEARLY_WORDS, wanted, 0)
    times, valid = _times(values[:, :4], 4) if values.size else (np.empty(0, "M8[ns]"), [])
    problem = _problem_text(bad)
    nbad = int((~np.asarray(valid, bool)).sum())
    if nbad:
        text = f"{nbad} record(s) with an impossible date skipped"
        problem = f"{problem}; {text}" if problem else text
    values, times = values[valid], times[valid]
    m = _YEARLY_NAME.match(path.name)
    period = None
    if m is not None and 1950 <= int(m.group(1)) <= 2100:
        year = np.datetime64(m.group(1), "Y")
        period = (year.astype("datetime64[ns]"), (year + 1).astype("datetime64[ns]"))
    inside, problem = _outside(times, period, problem)
    values, times = values[inside], times[inside]
    order = np.argsort(times, kind="stable")
    values, times = values[order], times[order]
    keep = np.ones(times.size, bool)
    keep[1:] = times[1:] != times[:-1]
    values, times = values[keep], times[keep]
    if times.size == 0:
        raise FileFormatError(
            f"no readable TS05 input record ({problem or 'no data lines'})", path=path
        )
    variables: dict[str, np.ndarray] = {}
    for k, (_, name, _, _, fill) in enumerate(TS05_YEARLY_WORDS, start=4):
        variables[name] = _fill(values[:, k], fill)
    variables["dipole_tilt"] = np.degrees(variables["dipole_tilt"])
    imf_missing = variables["IMF_flag"] == -1
    sw_missing = variables["SW_flag"] == -1
    for name in _IMF_WORDS:
        variables[name][imf_missing] = np.nan
    for name in _SW_WORDS:
        variables[name][sw_missing] = np.nan
    for i in range(1, 7):
        variables[f"W{i}"][imf_missing | sw_missing] = np.nan
    variables["flow_speed"] = np.sqrt(
        variables["Vx_GSE"] ** 2 + variables["Vy_GSE"] ** 2 + variables["Vz_GSE"] ** 2
    )
    units = {name: u for _, name, u, _, _ in TS05_YEARLY_WORDS}
    long_names = {name: text for _, name, _, text, _ in TS05_YEARLY_WORDS}
    units["flow_speed"], long_names["flow_speed"] = "km/s", "solar-wind flow speed |V|"
    words = {name: f"word {word}" for word, name, *_ in TS05_YEARLY_WORDS}
    words["flow_speed"] = "|(Vx, Vy, Vz)|"
    return {
        "time": times,
        "variables": variables,
        "units": units,
        "long_names": long_names,
        "words": words,
        "layout": "ts05-yearly-5min",
        "cadence_s": 300,
        "problem": problem,
    }


def _open(
    paths: Paths, read: Callable[[Path, Limits], dict[str, Any]], what: str, source: str
) -> xr.Dataset:
    files = [f for f in expand_paths(paths) if f.name != "manifest.json"]
    limits = Limits.current()
    parts, problems = read_each(files, lambda path: read(path, limits), what, len(files))
    first, names, times, columns = _merge_parts(parts, what)
    data_vars = {}
    for name in names:
        column = columns(name)
        attrs = {
            "units": first["units"][name],
            "long_name": first["long_names"][name],
            "source_name": first["words"][name],
        }
        data_vars[name] = (("time",), column, attrs)
    warn_problems(problems, f"{what} files", stacklevel=3)
    return xr.Dataset(
        data_vars,
        coords={"time": ("time", times, {"long_name": "start of the average (UT)"})},
        attrs={
            "geospacexr_kind": "omni",
            "layout": first["layout"],
            "cadence_s": int(first["cadence_s"]),
            "source": source,
            "source_files": json.dumps(sorted(p.name for p, _ in parts)),
            "problematic_files": json.dumps(problems),
        },
    )


def open_qindenton(paths: Paths) -> xr.Dataset:
    """Read Qin-Denton files (``QinDenton_YYYYMMDD_1min|5min|hour.txt``) into one Dataset.

    Args:
        paths: Files, a folder or a glob pattern (one resolution).

    Returns:
        A Dataset of kind ``"omni"`` (see :mod:`geospacexr.io.qindenton`) with ``W1``..``W6``,
        usable as ``drivers=`` for ``model="ts05"``.

    Raises:
        NoFilesError: If nothing matches ``paths``.
        FileFormatError: If no file has a readable record (every file's reason is listed).
        IncompatibleInputError: If files of different resolutions are mixed.

    Example:
        >>> import geospacexr
        >>> ds = geospacexr.open_qindenton(geospacexr.datasets.sample_path("qindenton-5min"))
        >>> ds.attrs["layout"], "W6" in ds
        ('qindenton-5min', True)
    """
    return _open(
        paths,
        read_qindenton_file,
        "Qin-Denton",
        "Qin-Denton solar-wind and TS05 inputs (RBSP-ECT / ViRBO; Qin et al. 2007)",
    )


def open_ts05_yearly(paths: Paths) -> xr.Dataset:
    """Read Tsyganenko's yearly ``YYYY_OMNI_5m_with_TS05_variables.dat`` files.

    Args:
        paths: Files, a folder or a glob pattern.

    Returns:
        A Dataset of kind ``"omni"`` on 5-min ``time`` with ``W1``..``W6``, ``SYM_H``,
        ``Pdyn``, ``By_GSM``, ``Bz_GSM``, ``dipole_tilt`` (degrees) and the IMF / plasma flags.

    Raises:
        NoFilesError: If nothing matches ``paths``.
        FileFormatError: If no file has a readable record.
    """
    return _open(
        paths,
        read_ts05_yearly_file,
        "TS05 yearly input",
        "Tsyganenko's yearly TS05 input files (5-min OMNI with W1..W6; Prepare_input_4.for)",
    )


def _looks_like_qindenton(path: Path) -> bool:
    head = peek(path, 4096)
    return head.startswith(b"#") and b"START_COLUMN" in head and b"\0" not in head


def _looks_like_ts05_yearly(path: Path) -> bool:
    head = peek(path, 1024)
    if b"\0" in head:
        return False
    words = head.split(b"\n", 1)[0].split()
    if len(words) != _YEARLY_WORDS:
        return False
    try:
        year, doy = int(words[0]), int(words[1])
    except ValueError:
        return False
    return 1950 <= year <= 2100 and 1 <= doy <= 366


@register_reader(
    "qindenton",
    kind="omni",
    patterns=(
        "QinDenton_*_1min.txt",
        "QinDenton_*_5min.txt",
        "QinDenton_*_hour.txt",
        "QinDenton_*.txt",
    ),
    sniff=_looks_like_qindenton,
    sample="qindenton-5min",
    description="Qin-Denton solar wind, indices and TS05 W1..W6 (JSON-headed ASCII)",
)
def _open_qindenton_registry(files: Paths, **_: Any) -> xr.Dataset:
    return open_qindenton(files)


@register_reader(
    "ts05-yearly",
    kind="omni",
    patterns=("*_OMNI_5m_with_TS05_variables.dat", "*_OMNI_5m_with_TS05_variables.txt"),
    sniff=_looks_like_ts05_yearly,
    sample="ts05-yearly",
    description="Tsyganenko's yearly 5-min OMNI files with the TS05 W1..W6",
)
def _open_ts05_registry(files: Paths, **_: Any) -> xr.Dataset:
    return open_ts05_yearly(files)
