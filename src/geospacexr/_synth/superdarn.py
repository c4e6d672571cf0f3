"""The ``superdarn-fitacf`` sample: two hours of one radar's fitacf records, written as DMAP.

The records carry exactly the fields, order and DMAP types of a real FITACF 3.0 record
(darn-dmap's ``test.fitacf``, written out below, so nothing is read at run time): 51 scalars,
``ptab``/``ltab``/``pwr0`` and 37 range-gate arrays indexed by ``slist``. The radar is
Saskatoon (``sas``, station 5; 52.16 N, 106.53 W, boresight 23.1 degrees, 16 beams 3.24 degrees
apart, 75 gates of 45 km from 180 km) on a one-minute normal scan (16 beams of 3.75 s, ``scan``
flag 1 at beam 0), 04:00-06:00 UT on 2019-03-01 (evening local time). What the radar sees:

* ground scatter (``gflg`` 1) in the near gates, ~600-1400 km slant range (the half-hop
  skip distance), with Doppler velocities of a few m/s and narrow spectra;
* ionospheric F-region scatter (``gflg`` 0) farther out, whose line-of-sight velocities are the
  E x B drift of a two-cell convection pattern (a 60 kV potential ``sin(MLT)`` inside a 16
  degree polar cap, falling off outside it) projected on the beam, with widths of 50-300 m/s;
* powers, errors, noise and elevations in the ranges real fitacf files show; gates below the
  FITACF power threshold are not reported (``slist`` lists the rest).

Everything is drawn from one seeded generator: the file is the same byte for byte every time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr

#: The sample's file name (RST's naming: date, time, radar, type).
FILE_NAME = "20190301.0400.00.sas.fitacf.bz2"
START = np.datetime64("2019-03-01T04:00:00", "us")
HOURS = 2
SCAN_SECONDS = 60
BEAMS = 16
GATES = 75
#: Saskatoon (RST hdw.dat.sas): geographic latitude, longitude, boresight, beam separation.
RADAR = {"stid": 5, "lat": 52.16, "lon": -106.53, "boresight": 23.1, "beamsep": 3.24}
FRANG_KM, RSEP_KM = 180, 45
#: Centred-dipole north pole (IGRF-13, 2019) used for magnetic coordinates.
DIPOLE_POLE = (80.6, -72.6)
POTENTIAL_V = 60e3
CAP_COLAT = 16.0
EARTH_RADIUS_KM = 6371.2
B_NT = 55_000.0

#: DMAP scalars of a FITACF 3.0 record, in file order, with their DMAP type keys.
SCALARS: tuple[tuple[str, int], ...] = (
    ("radar.revision.major", 1), ("radar.revision.minor", 1), ("origin.code", 1),
    ("origin.time", 9), ("origin.command", 9), ("cp", 2), ("stid", 2), ("time.yr", 2),
    ("time.mo", 2), ("time.dy", 2), ("time.hr", 2), ("time.mt", 2), ("time.sc", 2),
    ("time.us", 3), ("txpow", 2), ("nave", 2), ("atten", 2), ("lagfr", 2), ("smsep", 2),
    ("ercod", 2), ("stat.agc", 2), ("stat.lopwr", 2), ("noise.search", 4), ("noise.mean", 4),
    ("channel", 2), ("bmnum", 2), ("bmazm", 4), ("scan", 2), ("offset", 2), ("rxrise", 2),
    ("intt.sc", 2), ("intt.us", 3), ("txpl", 2), ("mpinc", 2), ("mppul", 2), ("mplgs", 2),
    ("mplgexs", 2), ("ifmode", 2), ("nrang", 2), ("frang", 2), ("rsep", 2), ("xcf", 2),
    ("tfreq", 2), ("mxpwr", 3), ("lvmax", 3), ("combf", 9), ("fitacf.revision.major", 3),
    ("fitacf.revision.minor", 3), ("noise.sky", 4), ("noise.lag0", 4), ("noise.vel", 4),
)  # fmt: skip
#: DMAP arrays of the record, in file order, with their type keys (after ``pwr0``, every
#: array is indexed by ``slist``).
ARRAYS: tuple[tuple[str, int], ...] = (
    ("ptab", 2), ("ltab", 2), ("pwr0", 4), ("slist", 2), ("nlag", 2), ("qflg", 1),
    ("gflg", 1), ("p_l", 4), ("p_l_e", 4), ("p_s", 4), ("p_s_e", 4), ("v", 4), ("v_e", 4),
    ("w_l", 4), ("w_l_e", 4), ("w_s", 4), ("w_s_e", 4), ("sd_l", 4), ("sd_s", 4),
    ("sd_phi", 4), ("x_qflg", 1), ("x_gflg", 1), ("x_p_l", 4), ("x_p_l_e", 4), ("x_p_s", 4),
    ("x_p_s_e", 4), ("x_v", 4), ("x_v_e", 4), ("x_w_l", 4), ("x_w_l_e", 4), ("x_w_s", 4),
    ("x_w_s_e", 4), ("phi0", 4), ("phi0_e", 4), ("elv", 4), ("elv_low", 4), ("elv_high", 4),
    ("x_sd_l", 4), ("x_sd_s", 4), ("x_sd_phi", 4),
)  # fmt: skip
#: The 7-pulse sequence (``katscan``) and its 22 lags + the bad lag (``mplgs`` 22).
PTAB = (0, 9, 12, 20, 22, 26, 27)
LTAB = (
    (0, 0), (26, 27), (20, 22), (9, 12), (22, 26), (22, 27), (20, 26), (20, 27), (12, 20),
    (0, 9), (12, 22), (9, 20), (0, 12), (9, 22), (12, 26), (12, 27), (9, 26), (9, 27),
    (0, 20), (0, 22), (0, 26), (0, 27), (27, 27),
)  # fmt: skip
_DTYPES = {1: "i1", 2: "i2", 3: "i4", 4: "f4", 9: "str"}


def _destination(lat: float, lon: float, azimuth: np.ndarray, distance_km: np.ndarray):
    """Great-circle destination (degrees) from a point along azimuths."""
    phi1, lam1 = np.radians(lat), np.radians(lon)
    az, d = np.radians(azimuth), distance_km / EARTH_RADIUS_KM
    phi2 = np.arcsin(np.sin(phi1) * np.cos(d) + np.cos(phi1) * np.sin(d) * np.cos(az))
    lam2 = lam1 + np.arctan2(
        np.sin(az) * np.sin(d) * np.cos(phi1), np.cos(d) - np.sin(phi1) * np.sin(phi2)
    )
    return np.degrees(phi2), np.degrees(lam2)


def _dipole(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centred-dipole magnetic latitude and longitude (degrees)."""
    plat, plon = np.radians(DIPOLE_POLE)
    la, lo = np.radians(lat), np.radians(lon)
    x, y, z = np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)
    # rotate about z by -plon, then about y by -(90 - plat)
    x1, y1 = x * np.cos(plon) + y * np.sin(plon), -x * np.sin(plon) + y * np.cos(plon)
    t = np.pi / 2 - plat
    x2, z2 = x1 * np.cos(t) - z * np.sin(t), x1 * np.sin(t) + z * np.cos(t)
    return np.degrees(np.arcsin(np.clip(z2, -1, 1))), np.degrees(np.arctan2(y1, x2))


def _convection(mlat: np.ndarray, mlt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-cell E x B drift (northward, eastward in m/s) at magnetic latitude and MLT."""
    colat = np.radians(90.0 - mlat)
    cap = np.radians(CAP_COLAT)
    phi = np.radians(mlt * 15.0)
    inside = colat < cap
    shape = np.where(inside, colat / cap, (cap / np.maximum(colat, 1e-6)) ** 3)
    dshape = np.where(inside, 1 / cap, -3 * cap**3 / np.maximum(colat, 1e-6) ** 4)
    pot, r = POTENTIAL_V / 2, EARTH_RADIUS_KM * 1e3
    e_theta = -pot * dshape * np.sin(phi) / r  # southward electric field, V/m
    e_phi = -pot * shape * np.cos(phi) / (r * np.maximum(np.sin(colat), 1e-3))
    b = B_NT * 1e-9  # downward field: v = (E_theta phi_hat - E_phi theta_hat) / B
    return e_phi / b, e_theta / b  # (north = -v_theta, east = v_phi)


def _coarse(values: np.ndarray) -> np.ndarray:
    """float32 rounded to 8 significant bits (0.4 %, finer than every fitted error).

    The values stay plausible and the bzip2 sample stays small.
    """
    bits = np.asarray(values, dtype="f4").view("u4")
    return ((bits + np.uint32(0x4000)) & np.uint32(0xFFFF8000)).view("f4")


def _subsolar_mlon(t: np.datetime64) -> float:
    hours = (t - t.astype("datetime64[D]")) / np.timedelta64(1, "h")
    return float(_dipole(np.array(0.0), np.array(-15.0 * (hours - 12.0)))[1])


def fitacf_records(seed: int = 20190301) -> xr.Dataset:
    """The sample's records as a ``superdarn`` fitacf Dataset (the reader's layout).

    Args:
        seed: Random seed (the records are deterministic).

    Returns:
        A Dataset that :func:`geospacexr.superdarn.write` writes as the sample file.
    """
    rng = np.random.default_rng(seed)
    nscan = HOURS * 3600 // SCAN_SECONDS
    n = nscan * BEAMS
    beam = np.tile(np.arange(BEAMS), nscan)
    dwell = SCAN_SECONDS / BEAMS
    offsets_us = (np.repeat(np.arange(nscan), BEAMS) * SCAN_SECONDS + beam * dwell) * 1e6
    offsets_us = offsets_us + rng.integers(5_000, 60_000, n)  # start jitter of each beam
    times = START + offsets_us.astype("timedelta64[us]")
    azimuth = RADAR["boresight"] + (beam - (BEAMS - 1) / 2) * RADAR["beamsep"]
    gate = np.arange(GATES)
    slant = FRANG_KM + RSEP_KM * gate
    # -- ionospheric scatter: F region (300 km) at the gates' positions, 600-2600 km slant
    ground = np.sqrt(np.maximum(slant**2 - 300.0**2, 0))
    lat, lon = _destination(RADAR["lat"], RADAR["lon"], azimuth[:, None], ground[None, :])
    mlat, mlon = _dipole(lat, lon)
    sub = np.array([_subsolar_mlon(t) for t in times[::BEAMS]]).repeat(BEAMS)
    mlt = (12.0 + (mlon - sub[:, None]) / 15.0) % 24.0
    v_n, v_e = _convection(mlat, mlt)
    az = np.radians(azimuth)[:, None]
    drift = v_n * np.cos(az) + v_e * np.sin(az)  # along the beam, away from the radar
    hour = (offsets_us / 3.6e9)[:, None]
    # the echo region: a band of irregularities drifting poleward through the interval
    centre = 28 + 6 * np.sin(2 * np.pi * hour / 2.0) + 4 * np.cos(np.radians(azimuth))[:, None]
    width = 5 + 2 * np.sin(2 * np.pi * hour / 0.7)
    iono_p = 28 * np.exp(-(((gate - centre) / width) ** 2)) + rng.normal(0, 3, (n, GATES))
    iono = (iono_p > 6) & (gate >= 14) & (gate <= 65)
    # -- ground scatter: the skip zone, gates 9-24, strongest near gate 14
    gs_p = 32 * np.exp(-(((gate - 14 - 1.5 * np.sin(2 * np.pi * hour)) / 2.5) ** 2))
    gs_p = gs_p + rng.normal(0, 3, (n, GATES))
    gs = (gs_p > 8) & (gate >= 8) & (gate <= 22) & ~iono
    keep = (iono | gs) & (rng.random((n, GATES)) > 0.2)  # some gates fail the fit

    power = np.where(gs, gs_p, iono_p)
    velocity = np.where(gs, rng.normal(0, 6, (n, GATES)), -drift + rng.normal(0, 25, (n, GATES)))
    spread = np.where(gs, np.abs(rng.normal(12, 6, (n, GATES))),
                      50 + 250 * rng.random((n, GATES)) ** 2)  # fmt: skip
    snr = np.maximum(power, 0.5)
    v_err = 20 + 400 / snr + np.abs(rng.normal(0, 5, (n, GATES)))
    p_err = 0.3 + 8 / snr
    w_err = 10 + 300 / snr
    elevation = np.where(gs, 18 + 8 * rng.random((n, GATES)), 22 + 14 * rng.random((n, GATES)))
    nlag = np.clip(np.round(6 + 16 * np.tanh(snr / 15) - rng.integers(0, 4, (n, GATES))), 3, 22)

    def jitter(values: np.ndarray, scale: float) -> np.ndarray:
        return values + rng.normal(0, scale, values.shape)

    range_values = {
        "nlag": nlag,
        "qflg": np.ones((n, GATES)),
        "gflg": gs.astype(float),
        "p_l": power,
        "p_l_e": p_err,
        "p_s": jitter(power + 0.8, 0.5),
        "p_s_e": p_err * 1.1,
        "v": velocity,
        "v_e": v_err,
        "w_l": spread,
        "w_l_e": w_err,
        "w_s": jitter(spread * 0.75, 5),
        "w_s_e": w_err * 0.9,
        "sd_l": 0.05 + 0.5 / snr,
        "sd_s": 0.06 + 0.6 / snr,
        "sd_phi": 0.1 + 2 / snr,
        "x_qflg": (rng.random((n, GATES)) > 0.05).astype(float),
        "x_gflg": gs.astype(float),
        "x_p_l": jitter(power - 1.5, 1.0),
        "x_p_l_e": p_err * 1.5,
        "x_p_s": jitter(power - 0.8, 1.0),
        "x_p_s_e": p_err * 1.6,
        "x_v": jitter(velocity, 30),
        "x_v_e": v_err * 1.5,
        "x_w_l": jitter(spread, 20),
        "x_w_l_e": w_err * 1.4,
        "x_w_s": jitter(spread * 0.75, 20),
        "x_w_s_e": w_err * 1.3,
        "phi0": rng.uniform(-np.pi, np.pi, (n, GATES)),
        "phi0_e": 0.05 + 1.5 / snr,
        "elv": elevation,
        "elv_low": elevation - 1 - 3 * rng.random((n, GATES)),
        "elv_high": elevation + 1 + 3 * rng.random((n, GATES)),
        "x_sd_l": 0.08 + 0.7 / snr,
        "x_sd_s": 0.09 + 0.8 / snr,
        "x_sd_phi": 0.15 + 2.5 / snr,
    }
    data_vars: dict[str, xr.Variable] = {}

    # -- scalars
    dt = times.astype("datetime64[us]").astype(object)
    noise_sky = 2.0 + 1.5 * np.abs(np.sin(2 * np.pi * hour[:, 0] / 3)) + rng.gamma(2, 0.2, n)
    tfreq = np.where((np.arange(n) // (BEAMS * 20)) % 2 == 0, 10_800, 12_300)
    scalar_values = {
        "radar.revision.major": np.full(n, 1),
        "radar.revision.minor": np.full(n, 18),
        "origin.code": np.full(n, 1),
        "origin.time": np.full(n, "Fri Mar  1 12:40:18 2019"),
        "origin.command": np.full(n, "make_fit -fitacf-version 3.0 20190301.0400.00.sas.rawacf"),
        "cp": np.full(n, 153),
        "stid": np.full(n, RADAR["stid"]),
        "time.yr": np.array([d.year for d in dt]),
        "time.mo": np.array([d.month for d in dt]),
        "time.dy": np.array([d.day for d in dt]),
        "time.hr": np.array([d.hour for d in dt]),
        "time.mt": np.array([d.minute for d in dt]),
        "time.sc": np.array([d.second for d in dt]),
        "time.us": np.array([d.microsecond for d in dt]),
        "txpow": np.full(n, 9000),
        "nave": rng.integers(28, 36, n),
        "atten": np.zeros(n),
        "lagfr": np.full(n, 1200),
        "smsep": np.full(n, 300),
        "ercod": np.zeros(n),
        "stat.agc": np.full(n, 8191),
        "stat.lopwr": np.full(n, 8191),
        "noise.search": noise_sky * 1.9,
        "noise.mean": noise_sky * 4.2,
        "channel": np.zeros(n),
        "bmnum": beam,
        "bmazm": azimuth,
        "scan": (beam == 0).astype(int),
        "offset": np.zeros(n),
        "rxrise": np.full(n, 100),
        "intt.sc": np.full(n, 3),
        "intt.us": np.full(n, 500_000),
        "txpl": np.full(n, 300),
        "mpinc": np.full(n, 2400),
        "mppul": np.full(n, len(PTAB)),
        "mplgs": np.full(n, len(LTAB) - 1),
        "mplgexs": np.zeros(n),
        "ifmode": np.full(n, -1),
        "nrang": np.full(n, GATES),
        "frang": np.full(n, FRANG_KM),
        "rsep": np.full(n, RSEP_KM),
        "xcf": np.ones(n),
        "tfreq": tfreq,
        "mxpwr": np.full(n, 1073741824),
        "lvmax": np.full(n, 20000),
        "combf": np.full(n, "$Id: normalscan.c,v 1.9 2008/03/15 00:46:13 code Exp $"),
        "fitacf.revision.major": np.full(n, 3),
        "fitacf.revision.minor": np.full(n, 0),
        "noise.sky": noise_sky,
        "noise.lag0": np.zeros(n),
        "noise.vel": np.zeros(n),
    }
    for name, key in SCALARS:
        values = scalar_values[name]
        dtype = _DTYPES[key]
        arr = values.astype(str) if dtype == "str" else np.asarray(values).astype(dtype)
        data_vars[name] = xr.Variable(("time",), arr, {"dmap_type": key})

    # -- arrays: ptab, ltab, pwr0, then the range gates by slist
    data_vars["ptab"] = xr.Variable(
        ("time", "pulse"), np.tile(np.array(PTAB, "i2"), (n, 1)), {"dmap_type": 2}
    )
    data_vars["ltab"] = xr.Variable(
        ("time", "ltab_lag", "ltab_pulse"),
        np.tile(np.array(LTAB, "i2"), (n, 1, 1)),
        {"dmap_type": 2},
    )
    pwr0 = np.where(iono | gs, power + 1.0, rng.gamma(1.5, 0.8, (n, GATES)))
    data_vars["pwr0"] = xr.Variable(("time", "range_gate"), _coarse(pwr0), {"dmap_type": 4})
    width = int(keep.sum(axis=1).max())
    slist = np.full((n, width), -1, dtype="i2")
    for rec in range(n):
        g = np.flatnonzero(keep[rec])
        slist[rec, : g.size] = g
    data_vars["slist"] = xr.Variable(("time", "slist_index"), slist, {"dmap_type": 2})
    for name, key in ARRAYS[4:]:
        values = _coarse(np.where(keep, range_values[name], np.nan))
        data_vars[name] = xr.Variable(("time", "range_gate"), values, {"dmap_type": key})
    ds = xr.Dataset(
        data_vars,
        coords={"time": ("time", times.astype("datetime64[ns]")), "range_gate": gate.astype("i4")},
    )
    ds.attrs.update(
        {
            "geospacexr_kind": "superdarn",
            "superdarn_type": "fitacf",
            "station_id": RADAR["stid"],
            "dmap_fields": json.dumps(
                {"scalars": [s for s, _ in SCALARS], "arrays": [a for a, _ in ARRAYS]}
            ),
        }
    )
    return ds


def fitacf_generator(seed: int = 20190301) -> Callable[[Path], list[str]]:
    """Generator of the ``superdarn-fitacf`` sample (one bzip2 fitacf file).

    Args:
        seed: Random seed.

    Returns:
        ``generate(folder) -> [file name]``.
    """

    def generate(folder: Path) -> list[str]:
        from ..superdarn import write

        write(fitacf_records(seed), Path(folder) / FILE_NAME)
        return [FILE_NAME]

    return generate
