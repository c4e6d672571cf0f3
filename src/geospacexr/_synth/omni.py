"""OMNI samples: a geomagnetic storm in the hourly OMNI2 and 1-min HRO ASCII layouts.

The solar wind is a known truth: a quiet day, an interplanetary shock (density and speed jump,
dynamic pressure from ~1.5 to ~12 nPa) and a sheath/ejecta with the IMF turning south
(Bz down to about -18 nT) for half a day, then a slow recovery. Dst follows from the solar wind
through the Burton, McPherron & Russell (1975) equation::

    dDst*/dt = Q(E) - Dst*/tau,   Q = -4.4 (E - 0.5) nT/h for E = V Bs > 0.5 mV/m,
    Dst = Dst* + b sqrt(Pdyn) - c,   tau = 7.7 h, b = 15.8 nT/nPa^0.5, c = 20 nT

(so Dst shows the sudden commencement and then the main phase, to about -200 nT); Kp grows with
the merging electric field, in thirds. The flow pressure is OMNI's ``2e-6 N V^2`` nPa and the
electric field ``-V Bz 1e-3`` mV/m. Words the sample does not model are written as the
format's all-9 fills, as in the real files. Seeded: the files are the same byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..io.atomic import atomic_path

#: the sample's storm: first day, days of hourly data, the day of 1-min data
START = "2015-03-16"
HOURLY_DAYS = 3
MINUTE_DAY = "2015-03-17"
#: shock arrival and southward-IMF interval, hours after START
SHOCK_H = 28.0
SOUTH_H = (31.0, 43.0)

# Fortran formats of the records (SPDF omni2.text and hroformat.txt)
_OMNI2_FORMAT = (
    ["I4", "I4", "I3", "I5", "I3", "I3", "I4", "I4"] + ["F6.1"] * 14
    + ["F9.0", "F6.1", "F6.0", "F6.1", "F6.1", "F6.3", "F6.2", "F9.0", "F6.1", "F6.0", "F6.1",
       "F6.1", "F6.3", "F7.2", "F7.2", "F6.1", "I3", "I4", "I6", "I5", "F10.2"]
    + ["F9.2"] * 5 + ["I3", "I4", "F6.1", "F6.1", "I6", "I6", "F5.1"]
)  # fmt: skip
_HRO_FORMAT = (
    ["I4", "I4", "I3", "I3", "I3", "I3", "I4", "I4", "I4", "I7", "I7", "F6.2", "I7"]
    + ["F8.2"] * 8 + ["F8.1"] * 4 + ["F7.2", "F9.0", "F6.2", "F7.2", "F7.2", "F6.1"]
    + ["F8.2"] * 6 + ["I6"] * 7 + ["F7.2", "F5.1"]
)  # fmt: skip


def _fill_of(fmt: str) -> float:
    """The all-9 fill of a Fortran format (one column is the separating blank)."""
    kind, rest = fmt[0], fmt[1:]
    if kind == "I":
        return float("9" * (int(rest) - 1))
    width, decimals = (int(v) for v in rest.split("."))
    digits = width - 2  # the blank and the decimal point
    return float("9" * (digits - decimals) + ("." + "9" * decimals if decimals else ""))


def _field(value: float, fmt: str) -> str:
    kind, rest = fmt[0], fmt[1:]
    if not np.isfinite(value):
        value = _fill_of(fmt)
    if kind == "I":
        return f"{round(value):>{int(rest)}d}"
    width, decimals = (int(v) for v in rest.split("."))
    if decimals == 0:
        return f"{value:>{width - 1}.0f}."
    return f"{value:>{width}.{decimals}f}"


def record(values: list[float], formats: list[str]) -> str:
    """One record in the fixed Fortran columns (NaN written as the word's fill).

    Args:
        values: The words.
        formats: Their Fortran formats (``"I4"``, ``"F6.1"`` ...).

    Returns:
        The line, without the newline.
    """
    return "".join(_field(float(v), f) for v, f in zip(values, formats, strict=True))


def storm(hours: np.ndarray, seed: int = 2015) -> dict[str, np.ndarray]:
    """The solar wind and indices of the sample storm at ``hours`` after :data:`START`.

    Args:
        hours: Hours after START (any cadence; Dst integrates on that cadence).
        seed: Noise seed.

    Returns:
        ``bx, by, bz`` (GSM, nT), ``v`` (km/s), ``n`` (cm^-3), ``t`` (K), ``pdyn`` (nPa),
        ``e`` (mV/m), ``dst`` (nT), ``kp`` (decimal thirds), ``ae``, ``al``, ``au`` (nT).
    """
    rng = np.random.default_rng(seed)
    h = np.asarray(hours, dtype=float)
    after = h >= SHOCK_H
    south = (h >= SOUTH_H[0]) & (h < SOUTH_H[1])
    ramp = np.clip((h - SOUTH_H[0]) / 2.0, 0, 1) * np.clip((SOUTH_H[1] - h) / 3.0, 0, 1)
    v = np.where(after, 560.0 + 60.0 * np.exp(-(h - SHOCK_H) / 20.0), 400.0)
    n = np.where(after, 4.0 + 22.0 * np.exp(-np.clip(h - SHOCK_H, 0, None) / 6.0), 5.0)
    bz = np.where(south, -18.0 * ramp, np.where(after, 3.0, 1.0))
    by = np.where(after, 8.0 * np.sin((h - SHOCK_H) / 5.0), -2.0)
    bx = np.where(after, -4.0, 2.0)
    noise = h.size
    bz = bz + rng.normal(0, 0.8, noise)
    by = by + rng.normal(0, 0.8, noise)
    bx = bx + rng.normal(0, 0.5, noise)
    v = v + rng.normal(0, 5.0, noise)
    n = np.clip(n + rng.normal(0, 0.3, noise), 0.5, None)
    t = np.where(after, 2.0e5, 7.0e4) * (1 + rng.normal(0, 0.05, noise))
    pdyn = 2e-6 * n * v * v
    e = -v * bz * 1e-3
    # Burton et al. (1975)
    dst_star = np.empty_like(h)
    ds = -5.0
    for i in range(h.size):
        dt = h[i] - h[i - 1] if i else 0.0
        q = -4.4 * (e[i] - 0.5) if e[i] > 0.5 else 0.0
        ds = ds + dt * (q - ds / 7.7)
        dst_star[i] = ds
    dst = dst_star + 15.8 * np.sqrt(pdyn) - 20.0
    kp = 1.0 + 1.6 * np.sqrt(np.clip(e, 0, None)) + np.where(after, 1.0, 0.0)
    kp = np.clip(np.round(kp * 3) / 3, 0, 9)  # in thirds
    ae = 40.0 + 120.0 * np.clip(e, 0, None) + np.abs(rng.normal(0, 15, noise))
    al = -0.7 * ae
    au = 0.3 * ae
    return {"bx": bx, "by": by, "bz": bz, "v": v, "n": n, "t": t, "pdyn": pdyn, "e": e,
            "dst": dst, "kp": kp, "ae": ae, "al": al, "au": au}  # fmt: skip


def _doy_hour_minute(times: np.ndarray) -> tuple[np.ndarray, ...]:
    days = times.astype("datetime64[D]")
    years = times.astype("datetime64[Y]")
    doy = (days - years.astype("datetime64[D]")).astype(int) + 1
    minutes = ((times - days) // np.timedelta64(1, "m")).astype(int)
    return years.astype(int) + 1970, doy, minutes // 60, minutes % 60


def write_hourly(folder: Path, seed: int = 2015) -> list[str]:
    """Write ``omni2_2015.dat``: :data:`HOURLY_DAYS` days of hourly OMNI2 records of the storm.

    Args:
        folder: Where to write.
        seed: Noise seed.

    Returns:
        The file name.
    """
    times = np.datetime64(START, "h") + np.arange(24 * HOURLY_DAYS) * np.timedelta64(1, "h")
    hours = (times - np.datetime64(START, "h")).astype(float)
    s = storm(hours, seed)
    year, doy, hour, _ = _doy_hour_minute(times.astype("datetime64[ns]"))
    nan = float("nan")
    lines = []
    for i in range(times.size):
        bmag = float(np.sqrt(s["bx"][i] ** 2 + s["by"][i] ** 2 + s["bz"][i] ** 2))
        words = [
            year[i], doy[i], hour[i], 2478, 51, 51, 60, 58,
            bmag * 1.05, bmag, nan, nan, s["bx"][i], s["by"][i] * 0.95, s["bz"][i] * 0.9,
            s["by"][i], s["bz"][i], 0.5, 1.2, 0.8, 1.0, 1.1,
            s["t"][i], s["n"][i], s["v"][i], nan, nan, 0.04, s["pdyn"][i],
            nan, nan, nan, nan, nan, nan, s["e"][i], 1.1, 9.5,
            round(s["kp"][i] * 10),  # OMNI codes Kp as Kp*10: 3- = 27, 3+ = 33
            85, round(s["dst"][i]), round(s["ae"][i]),
            nan, nan, nan, nan, nan, nan, 0, 12, 115.2, nan, round(s["al"][i]), round(s["au"][i]),
            6.5,
        ]  # fmt: skip
        lines.append(record(words, _OMNI2_FORMAT))
    name = "omni2_2015.dat"
    with atomic_path(Path(folder) / name) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")
    return [name]


def write_minute(folder: Path, seed: int = 2017) -> list[str]:
    """Write ``omni_min_201503.asc``: the storm's main day, :data:`MINUTE_DAY`, at 1 min.

    Args:
        folder: Where to write.
        seed: Noise seed.

    Returns:
        The file name.
    """
    day = np.datetime64(MINUTE_DAY, "m")
    times = day + np.arange(1440) * np.timedelta64(1, "m")
    hours = (times - np.datetime64(START, "m")).astype(float) / 60.0
    s = storm(hours, seed)
    year, doy, hour, minute = _doy_hour_minute(times.astype("datetime64[ns]"))
    nan = float("nan")
    lines = []
    for i in range(times.size):
        gap = 600 <= i < 615  # a plasma gap, as HRO has
        bmag = float(np.sqrt(s["bx"][i] ** 2 + s["by"][i] ** 2 + s["bz"][i] ** 2))
        p = (lambda x: nan) if gap else (lambda x: x)
        words = [
            year[i], doy[i], hour[i], minute[i], 71, 71 if not gap else nan, 4, 1 if not gap else
            nan, 0, 2700, 60, 0.05, 90,
            bmag, s["bx"][i], s["by"][i] * 0.95, s["bz"][i] * 0.9, s["by"][i], s["bz"][i], 0.4,
            1.1, p(s["v"][i]), p(-s["v"][i]), p(10.0), p(-5.0), p(s["n"][i]), p(s["t"][i]),
            p(s["pdyn"][i]), p(s["e"][i]), p(1.0), p(9.0), 230.0, 40.0, 20.0, 11.5, 0.5, 0.8,
            round(s["ae"][i]), round(s["al"][i]), round(s["au"][i]), 5,
            round(s["dst"][i] - 8.0), 20, 35, 1.5, 6.0,
        ]  # fmt: skip
        lines.append(record(words, _HRO_FORMAT))
    name = "omni_min_201503.asc"
    with atomic_path(Path(folder) / name) as tmp:
        Path(tmp).write_text("\n".join(lines) + "\n")
    return [name]
