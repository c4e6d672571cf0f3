"""Riometer samples: NORSTAR K0/K2 text files and a SWAN hyperspectral riometer (HSR) HDF5 day.

What the riometer sees is built from a known truth, so the quiet-day-curve and absorption code
can be checked against it:

* a **quiet-day curve** (QDC) in dB that depends on local sidereal time only (the cosmic radio
  noise of the sky overhead): a mean level and two sidereal harmonics (the first peaking at
  19 h LST, the galactic plane overhead), the sum's maximum near 16 h LST;
* **absorption events** (cosmic noise absorption, CNA), Gaussian in time, 0.4-3 dB at 30 MHz,
  lasting 20 min to 3 h, on some days only; for the HSR bands the absorption scales as
  ``(30 MHz / f)^2`` (the non-deviative absorption of a wave far above the collision frequency);
* one more event at a fixed time, :data:`NIGHT_EVENT`: 2.5 dB peaking at 06:02 UT on
  2014-03-10, the minutes of the ``themis-gill`` and ``rego-gill`` all-sky imager samples (an
  auroral arc over Gillam), so that the riometer sample can be shown beside their keogram;
* receiver noise (0.04 dB rms) and a short burst of radio interference (which *raises* the
  signal: the upper-envelope QDC statistic has to skip it).

NORSTAR signals are voltages proportional to the received power: ``V = 10^(dB / 10)`` (the QDC's
mean level is 3 dB, about 2 V). K2 files carry ``absorption = QDC - signal`` in dB, as the
NORSTAR K2 processing does with its own QDC. Everything is drawn from seeded generators: the
files are the same byte for byte every time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..io.atomic import atomic_path

#: J2000.0 epoch (UT) and the mean sidereal time then, hours; the sidereal rate, hours per day
_J2000 = np.datetime64("2000-01-01T12:00:00", "ns")
_GMST_J2000_H = 18.697374558
_GMST_RATE_H_PER_DAY = 24.06570982441908

#: NORSTAR cadence, seconds; HSR cadence, seconds
NORSTAR_CADENCE_S = 5
HSR_CADENCE_S = 1

#: The sample sites: (site, longitude) and the days they cover. The NORSTAR sample ends on the
#: night of the Gillam all-sky imager samples (2014-03-10, 06:00 UT).
NORSTAR_SITE = "gill"
NORSTAR_START = "2014-03-08"
NORSTAR_DAYS = 3
#: Seed of the NORSTAR sample's events and noise: its seeded events (17:25 UT on 03-09, 14:50
#: UT on 03-10) fall at other sidereal times than the night event, so a 3-day upper envelope
#: has a clean day at every sidereal time.
NORSTAR_SEED = 2015
#: (peak time UT, peak dB at 30 MHz, Gaussian width s) of the absorption event on the ASI
#: samples' night; it adds to the seeded events of any truth whose times cover it.
NIGHT_EVENT = ("2014-03-10T06:02", 2.5, 600.0)
#: days from a NORSTAR file's first day to the "Processing date" of its header
_PROCESSED_AFTER_DAYS = 14
HSR_SITE = "mean"
HSR_LAT, HSR_LON = 54.62, -113.35
HSR_DAY = "2024-02-03"
#: HSR band centres, MHz (the sample keeps 8 of the instrument's bands), and their width
HSR_BANDS_MHZ = (20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0)
HSR_BAND_WIDTH_MHZ = 0.5

#: receiver noise, dB rms
NOISE_DB = 0.04


def local_sidereal_hours(times: np.ndarray, lon_deg: float) -> np.ndarray:
    """Local mean sidereal time in hours (GMST from the IAU 1982 linear term, plus longitude).

    Args:
        times: ``datetime64`` values (UT).
        lon_deg: East longitude, degrees.

    Returns:
        LST in ``[0, 24)`` hours.
    """
    days = (np.asarray(times, dtype="datetime64[ns]") - _J2000) / np.timedelta64(86400, "s")
    return (_GMST_J2000_H + _GMST_RATE_H_PER_DAY * days + lon_deg / 15.0) % 24.0


def qdc_db(lst_hours: np.ndarray, frequency_mhz: float = 30.0) -> np.ndarray:
    """The sample's true quiet-day curve, dB, at local sidereal time ``lst_hours``.

    Args:
        lst_hours: Local sidereal time, hours.
        frequency_mhz: Band centre (the sky is fainter at higher frequencies).

    Returns:
        The QDC in dB (3 dB mean at 30 MHz).
    """
    phase = 2 * np.pi * np.asarray(lst_hours) / 24.0
    level = 3.0 - 12.0 * np.log10(frequency_mhz / 30.0)
    return (
        level
        + 1.2 * np.cos(phase - 2 * np.pi * 19.0 / 24.0)
        + 0.4 * np.cos(2 * phase - 2 * np.pi * 3.0 / 24.0)
    )


def _events(start: np.datetime64, days: int, seed: int) -> list[tuple[np.datetime64, float, float]]:
    """(peak time, peak dB at 30 MHz, width s) of the absorption events, about 1 day in 3."""
    rng = np.random.default_rng(seed)
    out = []
    for day in range(days):
        if day % 3 != 1 and rng.random() > 0.15:
            continue
        for _ in range(int(rng.integers(1, 3))):
            hour = rng.uniform(2.0, 22.0)
            peak = start + np.timedelta64(day * 86400 + int(hour * 3600), "s")
            out.append((peak, float(rng.uniform(0.4, 3.0)), float(rng.uniform(600, 5400))))
    return out


def truth(
    start: str = NORSTAR_START,
    days: int = NORSTAR_DAYS,
    lon_deg: float = -94.64,
    cadence_s: int = NORSTAR_CADENCE_S,
    frequencies_mhz: tuple[float, ...] = (30.0,),
    seed: int = NORSTAR_SEED,
) -> dict[str, np.ndarray]:
    """The known quiet-day curve, absorption and observed signal of a riometer, in dB.

    Args:
        start: First UT day.
        days: Number of days.
        lon_deg: Site east longitude, degrees (sets the local sidereal time).
        cadence_s: Sample spacing, seconds.
        frequencies_mhz: Band centres.
        seed: Random seed.

    Returns:
        ``time`` ``(n,)``, and ``(n, band)`` arrays ``qdc_db``, ``absorption_db`` (the true
        absorption) and ``signal_db`` (QDC - absorption + noise + interference).
    """
    t0 = np.datetime64(start, "ns")
    n = days * 86400 // cadence_s
    times = t0 + np.arange(n, dtype=np.int64) * np.timedelta64(cadence_s, "s")
    lst = local_sidereal_hours(times, lon_deg)
    freqs = np.asarray(frequencies_mhz, dtype=float)
    qdc = np.stack([qdc_db(lst, f) for f in freqs], axis=1)
    shape = np.zeros(n)
    night = (np.datetime64(NIGHT_EVENT[0], "ns"), NIGHT_EVENT[1], NIGHT_EVENT[2])
    for peak, amplitude, width in [*_events(t0, days, seed), night]:
        dt = (times - peak) / np.timedelta64(1, "s")
        shape += amplitude * np.exp(-0.5 * (dt / width) ** 2)
    absorption = shape[:, None] * (30.0 / freqs[None, :]) ** 2
    rng = np.random.default_rng(seed + 1)
    noise = rng.normal(0.0, NOISE_DB, size=qdc.shape)
    interference = np.zeros(n)
    burst = (times >= t0 + np.timedelta64(86400 + 7 * 3600, "s")) & (
        times < t0 + np.timedelta64(86400 + 7 * 3600 + 1200, "s")
    )
    interference[burst] = 1.5  # day 2, 07:00-07:20 UT: the signal jumps up
    signal = qdc - absorption + noise + interference[:, None]
    return {"time": times, "qdc_db": qdc, "absorption_db": absorption, "signal_db": signal}


def _norstar_text(
    site: str, day: np.datetime64, level: str, rows: list[str], processed: np.datetime64
) -> str:
    stamp = np.datetime_as_string(day, "D").replace("-", "")
    when = processed.astype("datetime64[s]").astype(object).strftime("%a %b %d %H:%M:%S %Y")
    header = [
        f"# ---- NORSTAR riometer {level.upper()} data, site {site.upper()} ----",
        f"# Processing date: {when}",
        f"# Site unique ID: {site.upper()}",
        "# Frequency: 30 MHz",
        f"# Data date: {stamp}",
        "# Version: 1.0",
        "# ------------",
    ]
    return "\n".join(header + rows) + "\n"


def write_norstar(
    folder: Path,
    site: str = NORSTAR_SITE,
    start: str = NORSTAR_START,
    days: int = NORSTAR_DAYS,
    levels: tuple[str, ...] = ("k0", "k2"),
    seed: int = NORSTAR_SEED,
    lon_deg: float = -94.64,
) -> list[str]:
    """Write NORSTAR K0 and/or K2 daily text files (new names) of the known truth.

    Args:
        folder: Where to write.
        site: Site unique id.
        start: First UT day.
        days: Number of days.
        levels: ``"k0"`` and/or ``"k2"``.
        seed: Random seed.
        lon_deg: Site east longitude, degrees.

    Returns:
        The file names written.
    """
    t = truth(start, days, lon_deg, NORSTAR_CADENCE_S, (30.0,), seed)
    volts = 10.0 ** (t["signal_db"][:, 0] / 10.0)
    k2 = t["qdc_db"][:, 0] - t["signal_db"][:, 0]
    per_day = 86400 // NORSTAR_CADENCE_S
    processed = np.datetime64(start, "D") + _PROCESSED_AFTER_DAYS + np.timedelta64(12, "h")
    names = []
    for d in range(days):
        day = np.datetime64(start, "D") + d
        sl = slice(d * per_day, (d + 1) * per_day)
        secs = np.arange(per_day) * NORSTAR_CADENCE_S
        dmy = np.datetime_as_string(day, "D")
        date = f"{dmy[8:10]}/{dmy[5:7]}/{dmy[2:4]}"
        clock = [f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in secs]
        for level in levels:
            if level == "k0":
                rows = [f"{date} {c} {v:.4f}" for c, v in zip(clock, volts[sl], strict=True)]
                last = f"{date} 24:00:00 {volts[sl][-1]:.4f}"
            else:
                rows = [
                    f"{date} {c} {a:.3f} {v:.4f}"
                    for c, a, v in zip(clock, k2[sl], volts[sl], strict=True)
                ]
                last = f"{date} 24:00:00 {k2[sl][-1]:.3f} {volts[sl][-1]:.4f}"
            name = f"norstar_{level}_rio-{site}_{dmy.replace('-', '')}_v01.txt"
            with atomic_path(folder / name) as tmp:
                Path(tmp).write_text(_norstar_text(site, day, level, [*rows, last], processed))
            names.append(name)
    return names


def write_hsr(
    folder: Path, site: str = HSR_SITE, day: str = HSR_DAY, seed: int = 2024
) -> list[str]:
    """Write one SWAN HSR K0 HDF5 day file of the known truth.

    Args:
        folder: Where to write.
        site: Site unique id.
        day: The UT day.
        seed: Random seed.

    Returns:
        The file name written.
    """
    import h5py

    t = truth(day, 1, HSR_LON, HSR_CADENCE_S, HSR_BANDS_MHZ, seed)
    stamps = np.char.add(
        np.char.replace(np.datetime_as_string(t["time"], "s").astype("S19"), b"T", b" "), b" UTC"
    )
    name = f"{day.replace('-', '')}_{site}-hsr_k0_v01.h5"
    bands = np.array([f"{f:.1f} MHz".encode() for f in HSR_BANDS_MHZ])
    passbands = np.array(
        [
            f"{f - HSR_BAND_WIDTH_MHZ / 2:.2f}-{f + HSR_BAND_WIDTH_MHZ / 2:.2f} MHz".encode()
            for f in HSR_BANDS_MHZ
        ]
    )
    with atomic_path(folder / name) as tmp, h5py.File(tmp, "w", track_order=True) as f:
        data = f.create_group("data")
        data.create_dataset("timestamp", data=stamps, compression="gzip", shuffle=True)
        data.create_dataset(
            "raw_power",
            data=t["signal_db"].T.astype(np.float32),
            compression="gzip",
            shuffle=True,
            chunks=(len(HSR_BANDS_MHZ), 3600),
        )
        data.create_dataset("band_central_frequency", data=bands)
        data.create_dataset("band_passband", data=passbands)
        meta = f.create_group("metadata").create_group("file")
        for key, value in {
            "site_unique_id": site,
            "site_name": "Meanook",
            "geographic_latitude": f"{HSR_LAT:.2f}",
            "geographic_longitude": f"{HSR_LON:.2f}",
            "instrument_type": "hyperspectral riometer",
            "data_level": "K0",
        }.items():
            meta.attrs[key] = np.bytes_(value)
    return [name]


def norstar_generator() -> Callable[[Path], list[str]]:
    """The ``norstar_rio-gill`` sample: 3 days of K0 and K2 files of Gillam.

    Returns:
        ``generate(folder) -> list[str]``.
    """
    return lambda folder: write_norstar(Path(folder))


def hsr_generator() -> Callable[[Path], list[str]]:
    """The ``swan_hsr-mean`` sample: one day of HSR K0.

    Returns:
        ``generate(folder) -> list[str]``.
    """
    return lambda folder: write_hsr(Path(folder))
