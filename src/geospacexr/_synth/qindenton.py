"""Qin-Denton sample: the OMNI sample storm as a ``QinDenton_YYYYMMDD_5min.txt`` file.

The layout is the RBSP-ECT / ViRBO one (a JSON header in ``#`` lines giving each variable's
``START_COLUMN``; 44 words per record: ISO time, year, month, day, hour, minute, second,
``ByIMF``, ``BzIMF``, ``Vsw``, ``Den_P``, ``Pdyn``, ``G1..G3``, eight status flags, ``Kp``,
``akp3``, ``Dst``, ``Bz1..Bz6``, ``W1..W6``, six W status flags), with the numbers' widths of
the published files. The solar wind is the sample storm of :mod:`geospacexr._synth.omni` on
5-min steps from its quiet start (2015-03-16, northward IMF, so the sums start at zero as
Tsyganenko's do); W1..W6 are computed from it by :func:`geospacexr.rb.wparams.ts05_w`
(``spinup_efolds=0``); the file holds the storm's main day, 2015-03-17. G1..G3 follow the
T01 definitions (Tsyganenko 2002, JGR 107, 1176: hourly means of ``V (B_perp/40)^2 /
(1 + B_perp/40) sin^3(theta/2)``, ``0.005 V Bs`` and ``N V Bs / 2000``); akp3 is Kp averaged
with a 3-day exponential weight; status flags are 2 (measured) except for a 15-min plasma gap
(1: interpolated), as in the real files. Deterministic: the same bytes on every machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import xarray as xr

from ..io.atomic import atomic_path
from . import omni

#: the day the sample file covers
DAY = "2015-03-17"
#: records of the interpolated plasma gap (status 1), indices in the day
GAP = (150, 153)

#: (name, description, units or None for a vector, dimension) in the order of the columns
_COLUMNS: tuple[tuple[str, str, str | None, int], ...] = (
    ("DateTime", "The date and time in ISO 8601 compliant format.", "UTC", 1),
    ("Year", "Year.", "Years", 1),
    ("Month", "Month", "Months", 1),
    ("Day", "Day of month.", "Days", 1),
    ("Hour", "Hour of current day.", "Hours", 1),
    ("Minute", "Minute of the current hour.", "Minutes", 1),
    ("Second", "Second of the current minute.", "Seconds", 1),
    ("ByIMF", "Y-component of the interplanetary magnetic field.", "nT", 1),
    ("BzIMF", "Z-component of the interplanetary magnetic field.", "nT", 1),
    ("Vsw", "Solar wind speed.", "km/s", 1),
    ("Den_P", "Solar wind proton density.", "cm^-3", 1),
    ("Pdyn", "Solar wind dynamic pressure.", "nPa", 1),
    ("G", "Tsyganeko G parameters.", None, 3),
    ("ByIMF_status", "Quality flag for ByIMF value.", "dimless", 1),
    ("BzIMF_status", "Quality flag for BzIMF value.", "dimless", 1),
    ("Vsw_status", "Quality flag for Vsw value.", "dimless", 1),
    ("Den_P_status", "Quality flag for Den_P value.", "dimless", 1),
    ("Pdyn_status", "Quality flag for Pdyn value.", "dimless", 1),
    ("G_status", "Quality flag for G values.", None, 3),
    ("Kp", "Kp index.", "dimless", 1),
    ("akp3", "akp3 index.", "dimless", 1),
    ("Dst", "Dst index.", "nT", 1),
    ("Bz", "Tsyganeko Bz parameters.", None, 6),
    ("W", "Tsyganeko W parameters.", None, 6),
    ("W_status", "Quality flags for Tsyganeko W parameters.", None, 6),
)


def header() -> str:
    """The JSON header, as ``#`` comment lines, in the layout of the published files.

    Returns:
        The header text, ending with the ``# } End JSON`` line and a newline.
    """
    entries: dict[str, dict] = {
        "OriginFile": {
            "DESCRIPTION": "ViRBO origin file for Qin-Denton data",
            "NAME": "OriginFile",
            "VALUES": [""],
        }
    }
    column = 0
    for name, text, units, dim in _COLUMNS:
        entry: dict = {"DESCRIPTION": text, "NAME": name, "TITLE": name, "LABEL": name}
        if dim > 1:
            base = name.removesuffix("_status")
            names = [f"{base}{i}" + ("_status" if name.endswith("_status") else "")
                     for i in range(1, dim + 1)]  # fmt: skip
            entry.update(DIMENSION=[dim], ELEMENT_NAMES=names, ELEMENT_LABELS=names)
        else:
            entry["UNITS"] = units
        entry["START_COLUMN"] = column
        entries[name] = entry
        column += dim
    lines = ["# {"]
    items = list(entries.items())
    for k, (name, entry) in enumerate(items):
        fields = [f"{json.dumps(key)}: {json.dumps(value)}" for key, value in entry.items()]
        body = (",\n#" + " " * 22).join(fields)
        tail = "}," if k < len(items) - 1 else "}"
        lines.append(f"#  {json.dumps(name) + ':':<19} {{ {body} {tail}")
        lines.append("#")
    lines.append("# } End JSON")
    return "\n".join(lines) + "\n"


def _hourly_mean(values: np.ndarray) -> np.ndarray:
    """Trailing 1-hour (12-sample) means."""
    kernel = np.ones(12) / 12.0
    padded = np.r_[np.full(11, values[0]), values]
    return np.convolve(padded, kernel, mode="valid")


def write_5min(folder: Path, seed: int = 2019) -> list[str]:
    """Write ``QinDenton_20150317_5min.txt``.

    Args:
        folder: Where to write.
        seed: Noise seed of the solar wind.

    Returns:
        The file name.
    """
    from ..rb.wparams import ts05_w

    start = np.datetime64(omni.START, "m")
    n = int((np.datetime64(DAY, "m") - start) / np.timedelta64(5, "m")) + 288
    times = start + np.arange(n) * np.timedelta64(5, "m")
    hours = (times - start).astype(float) / 60.0
    s = omni.storm(hours, seed)
    series = xr.Dataset(
        {"Bz_GSM": ("time", s["bz"]), "By_GSM": ("time", s["by"]),
         "flow_speed": ("time", s["v"]), "proton_density": ("time", s["n"]),
         "Pdyn": ("time", s["pdyn"])},
        coords={"time": times.astype("datetime64[ns]")},
        attrs={"cadence_s": 300},
    )  # fmt: skip
    w = ts05_w(series, spinup_efolds=0)
    day = slice(n - 288, n)
    bs = np.clip(-s["bz"], 0, None)
    bperp = np.hypot(s["by"], s["bz"])
    theta = np.abs(np.arctan2(s["by"], s["bz"]))  # IMF clock angle, 0..180 degrees
    g1 = _hourly_mean(s["v"] * (bperp / 40) ** 2 / (1 + bperp / 40) * np.sin(theta / 2) ** 3)
    g2 = _hourly_mean(0.005 * s["v"] * bs)
    g3 = _hourly_mean(s["n"] * s["v"] * bs / 2000.0)
    weights = np.exp(-(hours[-1] - hours) / 72.0)  # akp3: 3-day memory (the scale cancels)
    akp3 = np.cumsum(s["kp"] * weights) / np.cumsum(weights)
    lines = [header().rstrip("\n")]
    for k in range(day.start, day.stop):
        t = times[k].astype("datetime64[s]").item()
        i = k - day.start
        st = 1 if GAP[0] <= i < GAP[1] else 2
        ws = [float(w[f"W{j}"].values[k]) for j in range(1, 7)]
        words = (
            f"{t:%Y-%m-%dT%H:%M:%S} {t.year:4d} {t.month:3d} {t.day:2d} {t.hour:2d} "
            f"{t.minute:2d} {t.second:02d} {s['by'][k]:7.2f} {s['bz'][k]:6.2f} "
            f"{s['v'][k]:6.1f} {s['n'][k]:7.2f} {s['pdyn'][k]:6.2f} {g1[k]:7.2f} {g2[k]:6.2f} "
            f"{g3[k]:6.2f}  2 2 {st} {st} {st} 2 2 2 {s['kp'][k]:6.2f} {akp3[k]:5.2f} "
            f"{round(s['dst'][k]):5d} "
            + " ".join(f"{s['bz'][k]:6.2f}" for _ in range(6))
            + "  "
            + " ".join(f"{v:6.3f}" for v in ws)
            + "  2 2 2 2 2 2"
        )
        lines.append(words)
    name = f"QinDenton_{DAY.replace('-', '')}_5min.txt"
    with atomic_path(Path(folder) / name) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")
    return [name]


def write_ts05_yearly(folder: Path, seed: int = 2021) -> list[str]:
    """Write ``2015_OMNI_5m_with_TS05_variables.dat``: the sample storm's three days.

    The records follow Tsyganenko's Fortran format (``2I4,2I3,3F8.2,3F8.1,F7.2,F9.0,F7.1,
    2(3X,I2),F8.4,7F7.2``); W1..W6 come from :func:`geospacexr.rb.wparams.ts05_w` of the same
    5-min series (from its quiet start, as his code starts at quiet times), the tilt from
    :func:`geospacexr.rb.frames.dipole_tilt`. A 40-min plasma gap is filled (flag 2) and a
    3-hour IMF gap left open (flag -1, the words written as fills), as in his files.

    Args:
        folder: Where to write.
        seed: Noise seed of the solar wind.

    Returns:
        The file name.
    """
    from ..rb.frames import dipole_tilt
    from ..rb.wparams import ts05_w

    start = np.datetime64(omni.START, "m")
    n = 288 * omni.HOURLY_DAYS
    times = start + np.arange(n) * np.timedelta64(5, "m")
    hours = (times - start).astype(float) / 60.0
    s = omni.storm(hours, seed)
    bz, by, bx = s["bz"].copy(), s["by"].copy(), s["bx"].copy()
    v, dens = s["v"].copy(), s["n"].copy()
    imf_gap = slice(700, 736)  # 3 h without IMF, late on the last day
    for x in (bz, by, bx):
        x[imf_gap] = np.nan
    v[200:208] = np.nan  # 40 min of plasma: interpolated
    dens[200:208] = np.nan
    series = xr.Dataset(
        {"Bz_GSM": ("time", bz), "By_GSM": ("time", by), "flow_speed": ("time", v),
         "proton_density": ("time", dens)},
        coords={"time": times.astype("datetime64[ns]")},
        attrs={"cadence_s": 300},
    )  # fmt: skip
    import warnings

    from ..errors import DataWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # the open IMF gap, on purpose
        w = ts05_w(series, spinup_efolds=0)
    vx = -w.flow_speed.values * np.cos(np.radians(3.0))
    vy = w.flow_speed.values * np.sin(np.radians(3.0))
    lines = []
    for k in range(n):
        t = times[k].astype("datetime64[s]").item()
        imf, sw = int(w.IMF_flag.values[k]), int(w.SW_flag.values[k])
        missing = imf == -1 or sw == -1
        b = [9999.99] * 3 if imf == -1 else [bx[k], w.By_GSM.values[k], w.Bz_GSM.values[k]]
        ws = [0.0] * 6 if missing else [float(w[f"W{j}"].values[k]) for j in range(1, 7)]
        tilt = dipole_tilt(times[k])
        lines.append(
            f"{t.year:4d}{t.timetuple().tm_yday:4d}{t.hour:3d}{t.minute:3d}"
            + "".join(f"{x:8.2f}" for x in b)
            + f"{vx[k]:8.1f}{vy[k]:8.1f}{-8.0:8.1f}{w.proton_density.values[k]:7.2f}"
            + f"{round(s['t'][k]):8d}.{round(s['dst'][k] - 6.0):5d}.0"
            + f"   {imf:2d}   {sw:2d}{tilt:8.4f}{w.Pdyn.values[k]:7.2f}"
            + "".join(f"{x:7.2f}" for x in ws)
        )
    name = "2015_OMNI_5m_with_TS05_variables.dat"
    with atomic_path(Path(folder) / name) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")
    return [name]
