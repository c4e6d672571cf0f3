"""Synthetic TIE-GCM and WACCM-X history files in the models' real netCDF layouts.

The fields are smooth analytic models, not model output, but they are physically consistent:

* temperature rises from 185 K at the lower boundary to an exospheric temperature (fitted to
  MSIS-like 120/150/200 km values)
  with a day-night (15 LT maximum) variation, and (for the storm run) high-latitude heating;
* composition (mass mixing ratios O1, O2, HE; N2 by closure) moves from mixed to diffusive,
  atomic oxygen dominating at the top; in WACCM-X, which reaches the ground, atomic oxygen falls
  steeply below ~100 km as in the night-time mesosphere, so the OH and O(1S) layers sit near
  85-95 km;
* heights are integrated hydrostatically from that temperature and the mean molecular mass:
  ``Z`` with TIE-GCM's constant gravity (870 cm/s^2), ``ZG`` with gravity varying with height
  and latitude (:func:`gravity`), both from the same lower-boundary height;
* winds, electron density (a Chapman layer), ion and electron temperatures, NO, O+ and the
  high-latitude potential have plausible shapes and magnitudes.

TIE-GCM files follow ``nchist.F`` (``shared/formats/gcm.md``): ``time`` in seconds since the run
start with unpadded date fields, ``mtime``/``year``/``day``, midpoint ``lev`` and interface
``ilev`` with **empty** ``units``, float64 primaries and float32 secondaries with a **double**
``missing_value = 1e36``, the top midpoint of TN/UN/VN set to 1e36 at every step.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..io.atomic import atomic_path
from ..physics import AMU_G, BOLTZMANN_CGS, geometric_heights

TIEGCM_GRAV = 870.0  # cm/s^2, the model's constant gravity
P0_MICROBAR = 5e-4  # TIE-GCM reference pressure: 5e-4 dyn/cm^2 (microbar)
SPVAL = 1e36
MASS = {"O2": 32.0, "O1": 16.0, "HE": 4.0, "N2": 28.0}


def mean_mass(o2: np.ndarray, o1: np.ndarray, he: np.ndarray) -> np.ndarray:
    """Mean molecular mass (amu) from mass mixing ratios, N2 by closure."""
    n2 = 1.0 - o2 - o1 - he
    return 1.0 / (o2 / MASS["O2"] + o1 / MASS["O1"] + he / MASS["HE"] + n2 / MASS["N2"])


def integrate_heights(
    tn_mid: np.ndarray, mbar_mid: np.ndarray, z_bottom: np.ndarray, dz: float, lat_deg: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Hydrostatic interface heights (cm): ``Z`` (constant gravity) and geometric ``ZG``."""
    scale = BOLTZMANN_CGS * tn_mid / (mbar_mid * AMU_G)
    z = z_bottom[..., None] + np.concatenate(
        [np.zeros((*z_bottom.shape, 1)), np.cumsum(scale / TIEGCM_GRAV * dz, axis=-1)], axis=-1
    )
    return z, geometric_heights(scale, z_bottom, dz, lat_deg)


def _profiles(
    ilev: np.ndarray,
    lev: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    ut_hours: float,
    storm: float,
) -> dict[str, np.ndarray]:
    """All fields at one time, as ``(nlev, nlat, nlon)`` (interface fields on ilev)."""
    lat3 = lat[None, :, None]
    lon3 = lon[None, None, :]
    coslat = np.cos(np.deg2rad(lat3))
    local_time = (ut_hours + lon3 / 15.0) % 24.0
    phase = 2 * np.pi * (local_time - 15.0) / 24.0
    auroral = np.exp(-(((np.abs(lat3) - 70.0) / 10.0) ** 2))
    t_inf = 850.0 + 180.0 * coslat * np.cos(phase) + 60.0 * coslat**2 + storm * 350.0 * auroral
    zm = lev[:, None, None]
    zi = ilev[:, None, None]

    def temperature(z: np.ndarray) -> np.ndarray:
        return t_inf - (t_inf - 185.0) * np.exp(-0.04 * (z + 7.0) ** 2)

    def composition(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        heat = (t_inf - 850.0) / 400.0  # heating pushes the O/N2 ratio down
        o1 = 0.04 + (0.88 - 0.15 * heat) / (1.0 + np.exp(-(z + 1.5 + 0.6 * heat) / 1.3))
        o2 = 0.23 * np.exp(-(z + 7.0) / 2.6)
        he = 2e-6 * np.exp(0.72 * (z + 7.0)) * (1.2 - 0.4 * coslat * np.cos(phase))
        he = np.minimum(he, 0.06)
        return o1, o2, he

    tn = temperature(zm)
    o1, o2, he = composition(zm)
    n2 = 1.0 - o1 - o2 - he
    no = 2.5e-7 * np.exp(-(((zm + 4.5) / 1.4) ** 2)) * (1 + storm * 2 * auroral) + 2e-9
    n2d = 1e-8 * np.exp(-(((zm + 1.0) / 2.0) ** 2))
    n4s = 5e-7 * np.exp(-(((zm + 2.0) / 2.5) ** 2))
    ar = 1.1e-2 * np.exp(-(zm + 7.0) / 1.1)
    day = np.clip(np.cos(np.deg2rad(lat3)) * np.cos(2 * np.pi * (local_time - 12.0) / 24.0), 0, 1)
    nm = 1.5e5 + 1.1e6 * day
    zpk = 1.0 + 0.8 * storm * auroral
    x = (zi - zpk) / 1.1
    ne = nm * np.exp(0.5 * (1.0 - x - np.exp(-x))) + 50.0
    x_mid = (zm - zpk) / 1.1
    op = nm * np.exp(0.5 * (1.0 - x_mid - np.exp(-x_mid))) / (1.0 + np.exp(-(zm + 2.0) / 0.7))
    o2p = 2e4 * day * np.exp(-(((zm + 4.0) / 1.5) ** 2)) + 10.0
    wind = np.tanh((zm + 7.0) / 4.0)
    un = (6000.0 * np.sin(phase) * coslat + storm * 8000.0 * auroral * np.sign(lat3)) * wind
    vn = (
        -4000.0 * np.cos(phase) * np.sin(np.deg2rad(lat3))
        - storm * 6000.0 * auroral * np.sign(lat3)
    ) * wind
    ti = tn + 40.0 * (1 + np.tanh(zm))
    te = tn + (400.0 + 1400.0 * day) * (1.0 - np.exp(-(zm + 7.0) / 3.0))
    mlt_phase = np.deg2rad(lon3) + 2 * np.pi * ut_hours / 24.0
    poten = (30e3 + storm * 60e3) * np.sin(mlt_phase) * np.exp(
        -(((np.abs(lat3) - 72.0) / 7.0) ** 2)
    ) + 0 * zi
    omega = 2e-5 * np.sin(phase) * coslat * np.tanh((zi + 7.0) / 3.0)
    return {
        "TN": tn, "UN": un, "VN": vn, "O2": o2, "O1": o1, "HE": he, "N2": n2, "NO": no, "N2D": n2d,
        "N4S": n4s, "AR": ar, "OP": op, "O2P": o2p, "TI": ti, "TE": te, "NE": ne, "OMEGA": omega,
        "POTEN": poten, "T_INF": t_inf[0],
    }  # fmt: skip


# name -> (long_name, units, vertical grid)
TIEGCM_FIELDS = {
    "TN": ("NEUTRAL TEMPERATURE", "K", "lev"),
    "UN": ("NEUTRAL ZONAL WIND (+EAST)", "cm/s", "lev"),
    "VN": ("NEUTRAL MERIDIONAL WIND (+NORTH)", "cm/s", "lev"),
    "O2": ("MOLECULAR OXYGEN", "mmr", "lev"),
    "O1": ("ATOMIC OXYGEN", "mmr", "lev"),
    "HE": ("HELIUM", "mmr", "lev"),
    "N2": ("MOLECULAR NITROGEN", "mmr", "lev"),
    "N2D": ("N2D", "mmr", "lev"),
    "N4S": ("N4S", "mmr", "lev"),
    "NO": ("NITRIC OXIDE", "mmr", "lev"),
    "AR": ("ARGON", "MMR", "lev"),
    "OP": ("O+ ION", "cm-3", "lev"),
    "O2P": ("O2+ ION", "cm-3", "lev"),
    "TI": ("ION TEMPERATURE", "K", "lev"),
    "TE": ("ELECTRON TEMPERATURE", "K", "lev"),
    "NE": ("ELECTRON DENSITY", "cm-3", "ilev"),
    "OMEGA": ("VERTICAL MOTION", "s-1", "ilev"),
    "POTEN": ("ELECTRIC POTENTIAL", "volts", "ilev"),
    "Z": ("GEOPOTENTIAL HEIGHT", "cm", "ilev"),
    "ZG": ("GEOMETRIC HEIGHT", "cm", "ilev"),
}
PRIMARY = (
    "TN",
    "UN",
    "VN",
    "O2",
    "O1",
    "HE",
    "N2D",
    "N4S",
    "NO",
    "AR",
    "OP",
    "O2P",
    "TI",
    "TE",
    "NE",
    "OMEGA",
    "POTEN",
    "Z",
)
SECONDARY = ("TN", "UN", "VN", "O2", "O1", "HE", "N2", "NO", "OP", "TE", "TI", "NE", "Z", "ZG")


def tiegcm_state(
    resolution: float, times_h: list[float], storm: float = 0.0
) -> dict[str, np.ndarray]:
    """Every TIE-GCM field at the given UT hours: ``(time, level, lat, lon)`` arrays (cgs)."""
    dz = 0.5 if resolution >= 5 else 0.25
    ilev = np.round(np.arange(-7.0, 7.0 + dz / 2, dz), 6)
    lev = ilev + dz / 2
    lat = np.arange(-90 + resolution / 2, 90, resolution)
    lon = np.arange(-180.0, 180.0, resolution)
    out: dict[str, list[np.ndarray]] = {}
    for t in times_h:
        f = _profiles(ilev, lev, lat, lon, t, storm * min(1.0, t / 1.0 + 0.5))
        mbar = mean_mass(f["O2"], f["O1"], f["HE"])
        lat2 = lat[:, None] + 0 * lon[None, :]
        z_bottom = 96.4e5 + 0.6e5 * np.cos(np.deg2rad(2 * lon[None, :] + 30 * t)) * np.cos(
            np.deg2rad(lat2)
        )
        # layers between interfaces k and k+1 use the midpoint k fields (top midpoint excluded)
        z, zg = integrate_heights(
            np.moveaxis(f["TN"][:-1], 0, -1), np.moveaxis(mbar[:-1], 0, -1), z_bottom, dz, lat2
        )
        f["Z"] = np.moveaxis(z, -1, 0)
        f["ZG"] = np.moveaxis(zg, -1, 0)
        for name in TIEGCM_FIELDS:
            out.setdefault(name, []).append(f[name])
        hm = (np.argmax(f["NE"], axis=0)).astype(int)
        out.setdefault("HMF2", []).append(np.take_along_axis(f["ZG"], hm[None], 0)[0] / 1e5)
        out.setdefault("NMF2", []).append(f["NE"].max(axis=0))
    state = {k: np.stack(v) for k, v in out.items()}
    state.update({"ilev": ilev, "lev": lev, "lat": lat, "lon": lon, "dz": np.array(dz)})
    return state


def write_tiegcm(
    path: Path,
    state: dict[str, np.ndarray],
    index: list[int],
    times_h: list[float],
    *,
    history_type: str,
    run_start: tuple[int, int, int],
    year: int,
    fields: tuple[str, ...],
) -> None:
    """Write one TIE-GCM history file (``nchist.F`` layout) for the state's times ``index``."""
    import netCDF4

    secondary = history_type == "secondary"
    dtype = "f4" if secondary else "f8"
    day0, hour0, min0 = run_start
    with atomic_path(path) as tmp:
        with netCDF4.Dataset(tmp, "w", format="NETCDF3_64BIT_OFFSET") as nc:
            nc.setncatts(
                {
                    "Conventions": "CF-1.0",
                    "model_name": "tiegcm",
                    "model_version": "tiegcm3.0",
                    "history_type": history_type,
                    "run_type": "synthetic",
                    "source_file": "geospacexr sample data (synthetic)",
                    "source_mtime": np.array([day0, hour0, min0], dtype="i4"),
                    "initial_mtime": np.array([day0, hour0, min0], dtype="i4"),
                    "lev_to_hPa_method1": "p0*exp(-lev(k))",
                    "lev_to_hPa_method2": "p0_model*1.e-3*exp(-lev(k))",
                    "nhist": np.int32(len(index)),
                    "delhist_secs": np.int32(
                        round((times_h[index[1]] - times_h[index[0]]) * 3600)
                        if len(index) > 1
                        else 3600
                    ),
                    "missing_value": np.float64(SPVAL),
                    "potential_model": "HEELIS",
                    "tuv_lbc_intop": np.int32(0),
                }
            )
            nc.createDimension("time", None)
            nlev = state["lev"].size
            for dim, size in (
                ("lon", state["lon"].size),
                ("lat", state["lat"].size),
                ("lev", nlev),
                ("ilev", nlev),
                ("mtimedim", 4),
            ):
                nc.createDimension(dim, size)
            v = nc.createVariable("lon", "f8", ("lon",))
            v.setncatts(
                {"long_name": "geographic longitude (-west, +east)", "units": "degrees_east"}
            )
            v[:] = state["lon"]
            v = nc.createVariable("lat", "f8", ("lat",))
            v.setncatts(
                {"long_name": "geographic latitude (-south, +north)", "units": "degrees_north"}
            )
            v[:] = state["lat"]
            for name, long_name in (("lev", "midpoint levels"), ("ilev", "interface levels")):
                v = nc.createVariable(name, "f8", (name,))
                v.setncatts(
                    {
                        "long_name": long_name,
                        "short_name": "ln(p0/p)",
                        "units": "",
                        "positive": "up",
                        "standard_name": "atmosphere_ln_pressure_coordinate",
                        "formula_terms": f"p0: p0 lev: {name}",
                        "formula": "p(k) = p0 * exp(-lev(k))",
                    }
                )
                v[:] = state[name]
            v = nc.createVariable("p0", "f8", ())
            v.setncatts({"long_name": "Reference pressure (millibars)", "units": "millibars"})
            v.assignValue(P0_MICROBAR * 1e-3)
            v = nc.createVariable("p0_model", "f8", ())
            v.setncatts({"long_name": "Reference pressure (microbars)", "units": "microbars"})
            v.assignValue(P0_MICROBAR)
            v = nc.createVariable("grav", "f8", ())
            v.setncatts({"long_name": "const gravitational acceleration (cm/s)", "units": "cm/s"})
            v.assignValue(TIEGCM_GRAV)
            seconds = np.array([times_h[i] * 3600.0 for i in index])
            start_day_of_year = day0
            v = nc.createVariable("time", "f8", ("time",))
            month_day = np.datetime64(f"{year}-01-01") + np.timedelta64(start_day_of_year - 1, "D")
            y, m, d = (int(x) for x in str(month_day).split("-"))
            v.setncatts(
                {
                    "long_name": "time",
                    "units": f"seconds since {y}-{m}-{d} {hour0}:{min0}:0",
                    "initial_year": np.int32(year),
                    "initial_day": np.int32(day0),
                    "initial_mtime": np.array([day0, hour0, min0], dtype="i4"),
                }
            )
            v[:] = seconds
            mtime = np.zeros((len(index), 4), dtype="i4")
            for j, s in enumerate(seconds):
                total = round(s) + hour0 * 3600 + min0 * 60
                mtime[j] = [
                    day0 + total // 86400,
                    (total % 86400) // 3600,
                    (total % 3600) // 60,
                    total % 60,
                ]
            v = nc.createVariable("mtime", "i4", ("time", "mtimedim"))
            v.setncatts(
                {
                    "long_name": "model times (day, hour, minute, second)",
                    "units": "day, hour, minute, second",
                }
            )
            v[:] = mtime
            v = nc.createVariable("year", "i4", ("time",))
            v.setncatts({"long_name": "calendar year", "units": "year"})
            v[:] = year
            v = nc.createVariable("day", "i4", ("time",))
            v.setncatts({"long_name": "calendar day", "units": "day"})
            v[:] = mtime[:, 0]
            v = nc.createVariable("ut", "f8", ("time",))
            v.setncatts(
                {"long_name": "universal time (from model time hour and minute)", "units": "hours"}
            )
            v[:] = mtime[:, 1] + mtime[:, 2] / 60.0
            for name, value, units in (
                ("f107d", 150.0, ""),
                ("f107a", 145.0, ""),
                ("hpower", 20.0, "GW"),
                ("ctpoten", 45.0, "kV"),
                ("Kp", 2.0, ""),
            ):
                v = nc.createVariable(name, "f8", ("time",))
                v.setncatts({"long_name": name, "units": units})
                v[:] = value
            for name in fields:
                long_name, units, grid = TIEGCM_FIELDS[name]
                v = nc.createVariable(name, dtype, ("time", grid, "lat", "lon"))
                v.setncatts(
                    {"long_name": long_name, "units": units, "missing_value": np.float64(SPVAL)}
                )
                data = np.array(state[name][index], dtype=np.float64)
                if name in ("TN", "UN", "VN"):
                    data[:, -1] = SPVAL  # the model sets the top midpoint to spval every step
                v[:] = data.astype(dtype)
            if secondary:
                for name, long_name, units in (
                    ("HMF2", "HMF2: Height of the F2 Layer", "km"),
                    ("NMF2", "NMF2: Peak Density of the F2 Layer", "1/cm3"),
                ):
                    v = nc.createVariable(name, dtype, ("time", "lat", "lon"))
                    v.setncatts(
                        {"long_name": long_name, "units": units, "missing_value": np.float64(SPVAL)}
                    )
                    v[:] = state[name][index].astype(dtype)


def tiegcm_generator(
    resolution: float, storm: float = 0.0, run: str = "sample", primary: bool = True
) -> Callable[[Path], list[str]]:
    """A sample generator: a secondary (half-hourly) and optionally a primary (hourly) file."""
    year, day0 = 2003, 80  # 2003-03-21, equinox
    sech_times = [0.0, 0.5, 1.0, 1.5] if primary else [0.0, 1.0]
    prim_index = [0, 2]

    def generate(folder: Path) -> list[str]:
        state = tiegcm_state(resolution, sech_times, storm=storm)
        common = {"run_start": (day0, 0, 0), "year": year}
        names = []
        if primary:
            names.append(f"{run}_prim_001.nc")
            write_tiegcm(
                folder / names[-1], state, prim_index, sech_times,
                history_type="primary", fields=PRIMARY, **common,
            )  # fmt: skip
        names.append(f"{run}_sech_001.nc")
        write_tiegcm(
            folder / names[-1], state, list(range(len(sech_times))), sech_times,
            history_type="secondary", fields=SECONDARY, **common,
        )  # fmt: skip
        return names

    return generate


# ---------------------------------------------------------------------------------------------
# WACCM-X (CAM history layout)
# ---------------------------------------------------------------------------------------------

WACCMX_G0 = 980.616  # cm/s^2, CAM's gravity for geopotential height
WACCMX_MASS = {"N2": 28.0, "O2": 32.0, "O": 16.0, "He": 4.0, "CO2": 44.0, "Ar": 40.0}


def waccmx_levels(nlev: int = 88, p_top_hpa: float = 4e-10) -> dict[str, np.ndarray]:
    """Hybrid coefficients (index 0 at the top) from 1000 hPa up to ``p_top_hpa``."""
    x_top = np.log(1000.0 / p_top_hpa)
    x = np.linspace(x_top, 0.0, nlev + 1)  # interfaces, top first, in scale heights
    p_ref = 1000.0 * np.exp(-x)
    hybi = np.clip((p_ref - 100.0) / 900.0, 0.0, 1.0) ** 1.3
    hyai = p_ref / 1000.0 - hybi
    hyam = 0.5 * (hyai[1:] + hyai[:-1])
    hybm = 0.5 * (hybi[1:] + hybi[:-1])
    return {"hyai": hyai, "hybi": hybi, "hyam": hyam, "hybm": hybm}


def _waccmx_temperature(x: np.ndarray, t_inf: np.ndarray, lat3: np.ndarray) -> np.ndarray:
    """US-standard-like lower atmosphere, mesopause near x = 13, thermosphere towards t_inf."""
    knots_x = np.array([0.0, 1.6, 3.0, 7.0, 13.0])
    knots_t = np.array([288.0, 217.0, 217.0, 270.0, 185.0])
    lower = np.interp(np.clip(x, 0, 13), knots_x, knots_t) - 20.0 * np.sin(np.deg2rad(lat3)) ** 2
    upper = t_inf - (t_inf - 185.0) * np.exp(-0.04 * np.clip(x - 13.0, 0, None) ** 2)
    return np.where(x < 13.0, lower, upper)


def waccmx_state(times_h: list[float], nlat: int = 46, nlon: int = 72) -> dict[str, np.ndarray]:
    """Every WACCM-X field at the given UT hours, ``(time, lev, lat, lon)``, index 0 at the top."""
    lv = waccmx_levels()
    lat = np.linspace(-90.0, 90.0, nlat)
    lon = np.arange(nlon) * 360.0 / nlon
    lat3 = lat[None, :, None]
    coslat = np.cos(np.deg2rad(lat3))
    out: dict[str, list[np.ndarray]] = {}
    for t in times_h:
        lon3 = ((lon + 180.0) % 360.0 - 180.0)[None, None, :]
        local_time = (t + lon3 / 15.0) % 24.0
        phase = 2 * np.pi * (local_time - 15.0) / 24.0
        ps = (
            1e5 * (1.0 + 0.012 * coslat[0] * np.sin(np.deg2rad(2 * lon[None, :] + 15 * t)))
            + 0 * lat[:, None]
        )
        p_int = (lv["hyai"][:, None, None] * 1e5 + lv["hybi"][:, None, None] * ps[None]) / 100.0
        p_mid = (lv["hyam"][:, None, None] * 1e5 + lv["hybm"][:, None, None] * ps[None]) / 100.0
        x = np.log(1000.0 / p_mid)
        t_inf = 850.0 + 180.0 * coslat * np.cos(phase) + 60.0 * coslat**2
        tn = _waccmx_temperature(x, t_inf, lat3)
        # atomic oxygen: diffusive above ~100 km (x = 15.2), falling steeply below it as O
        # recombines (night-time [O] ~3e11 cm-3 at 95 km, ~1e10 at 80 km, ~1e8 at 70 km)
        below = np.clip(15.2 - x, 0.0, None)
        f_o = 0.9 / (1.0 + np.exp(-(x - 17.5) / 1.1)) * np.exp(-below / 0.7 - (below / 2.9) ** 2)
        f_he = np.minimum(3e-6 * np.exp(0.55 * np.clip(x - 11.0, 0, None)), 0.05)
        f_o2 = 0.2095 * (1.0 - f_o - f_he) * np.exp(-np.clip(x - 13.0, 0, None) / 3.5)
        f_co2 = 3.8e-4 * np.exp(-np.clip(x - 11.0, 0, None) / 1.6)
        f_ar = 0.0093 * np.exp(-np.clip(x - 13.0, 0, None) / 1.2)
        f_n2 = 1.0 - f_o - f_he - f_o2 - f_co2 - f_ar
        mbar = f_n2 * 28.0 + f_o2 * 32.0 + f_o * 16.0 + f_he * 4.0 + f_co2 * 44.0 + f_ar * 40.0
        # heights: alternate interface and midpoint from the surface (PS, height 0) upwards
        scale = BOLTZMANN_CGS * tn / (mbar * AMU_G)  # (lev, lat, lon), top first
        scale_up = scale[::-1]
        p_i_up, p_m_up = p_int[::-1], p_mid[::-1]
        n = scale.shape[0]
        steps = np.empty((2 * n, *scale.shape[1:]))
        steps[0::2] = np.log(p_i_up[:-1] / p_m_up)  # interface k -> midpoint k
        steps[1::2] = np.log(p_m_up / p_i_up[1:])  # midpoint k -> interface k+1
        layer_scale = np.repeat(scale_up, 2, axis=0)
        move = lambda a: np.moveaxis(a, 0, -1)  # noqa: E731
        zg = geometric_heights(move(layer_scale), np.zeros(ps.shape), move(steps), lat[:, None])
        z3 = np.concatenate(
            [np.zeros((*ps.shape, 1)), np.cumsum(move(layer_scale * steps) / WACCMX_G0, axis=-1)],
            axis=-1,
        )
        zg_mid = np.moveaxis(zg[..., 1::2], -1, 0)[::-1] / 100.0  # m, top first
        z3_mid = np.moveaxis(z3[..., 1::2], -1, 0)[::-1] / 100.0
        h_km = zg_mid / 1000.0
        day = np.clip(coslat * np.cos(2 * np.pi * (local_time - 12.0) / 24.0), 0, 1)
        nm = 1.5e5 + 1.1e6 * day
        xh = (h_km - 300.0) / 55.0
        edens = nm * np.exp(0.5 * (1.0 - xh - np.exp(-xh))) + 10.0
        opdens = edens / (1.0 + np.exp(-(h_km - 170.0) / 20.0))
        wind = np.tanh(x / 8.0)
        fields = {
            "T": tn, "U": (25.0 * np.cos(np.deg2rad(lat3)) + 60.0 * np.sin(phase) * coslat) * wind,
            "V": -40.0 * np.cos(phase) * np.sin(np.deg2rad(lat3)) * wind,
            "OMEGA": 1e-4 * np.sin(phase) * coslat * p_mid / 1000.0,
            "Z3": z3_mid, "Z3GM": zg_mid,
            "O": f_o, "O2": f_o2, "N2": f_n2, "He": f_he, "CO2": f_co2,
            "NO": 1e-9 + 6e-8 * np.exp(-(((x - 15.5) / 1.5) ** 2)),
            "H": 2e-7 * np.exp(0.3 * np.clip(x - 10.0, 0, None))
            * np.exp(-np.clip(x - 20.0, 0, None) / 4.0)
            * np.exp(-np.clip(10.0 - x, 0, None) / 0.3) + 1e-20,
            "O3": 8e-6 * np.exp(-(((x - 4.5) / 1.2) ** 2))
            + 1e-6 * np.exp(-(((x - 13.0) / 0.8) ** 2)) + 1e-12,
            "HO2": 2e-10 * np.exp(-(((x - 9.0) / 2.0) ** 2)) + 1e-13,
            "EDens": edens, "OpDens": opdens,
            "TElec": tn + (400.0 + 1400.0 * day) / (1.0 + np.exp(-(h_km - 150.0) / 30.0)),
            "TIon": tn + 80.0 / (1.0 + np.exp(-(h_km - 200.0) / 40.0)),
        }  # fmt: skip
        for name, value in fields.items():
            out.setdefault(name, []).append(np.broadcast_to(value, p_mid.shape))
        out.setdefault("PS", []).append(ps)
    state = {k: np.stack(v) for k, v in out.items()}
    state.update(lv)
    state.update({"lat": lat, "lon": lon})
    return state


WACCMX_FIELDS = {
    "T": ("Temperature", "K"), "U": ("Zonal wind", "m/s"), "V": ("Meridional wind", "m/s"),
    "OMEGA": ("Vertical velocity (pressure)", "Pa/s"),
    "Z3": ("Geopotential Height (above sea level)", "m"),
    "Z3GM": ("Geometric height", "m"), "O": ("O concentration", "mol/mol"),
    "O2": ("O2 concentration", "mol/mol"), "N2": ("N2 concentration", "mol/mol"),
    "He": ("He concentration", "mol/mol"), "CO2": ("CO2 concentration", "mol/mol"),
    "NO": ("NO concentration", "mol/mol"), "H": ("H concentration", "mol/mol"),
    "O3": ("O3 concentration", "mol/mol"), "HO2": ("HO2 concentration", "mol/mol"),
    "EDens": ("e Number Density (sum of O2+,NO+,N2+,O+)", "cm-3"),
    "OpDens": ("O+ Number Density", "cm-3"), "TElec": ("Electron Temperature", "K"),
    "TIon": ("Ion Temperature", "K"),
}  # fmt: skip


def write_waccmx(path: Path, state: dict[str, np.ndarray], times_h: list[float], case: str) -> None:
    """Write one CAM history file (``cam_history.F90`` conventions, fill value 1e36)."""
    import netCDF4

    base_day = 79  # days since 2003-01-01 on the noleap calendar: 2003-03-21
    with atomic_path(path) as tmp:
        with netCDF4.Dataset(tmp, "w", format="NETCDF3_64BIT_OFFSET") as nc:
            nc.setncatts(
                {
                    "Conventions": "CF-1.0",
                    "source": "CAM",
                    "case": case,
                    "title": "geospacexr sample data (synthetic WACCM-X history)",
                    "logname": "geospacexr",
                    "host": "geospacexr",
                    "initial_file": "none",
                    "topography_file": "none",
                    "time_period_freq": "hour_1",
                }
            )
            nlev = state["hyam"].size
            nc.createDimension("lat", state["lat"].size)
            nc.createDimension("lon", state["lon"].size)
            nc.createDimension("lev", nlev)
            nc.createDimension("ilev", nlev + 1)
            nc.createDimension("time", None)
            nc.createDimension("nbnd", 2)
            nc.createDimension("chars", 8)

            def var(name, dtype, dims, attrs, value):
                v = nc.createVariable(
                    name,
                    dtype,
                    dims,
                    fill_value=np.float32(1e36) if dtype == "f4" and len(dims) > 2 else None,
                )
                v.setncatts(attrs)
                v[:] = value

            var(
                "lat",
                "f8",
                ("lat",),
                {"long_name": "latitude", "units": "degrees_north"},
                state["lat"],
            )
            var(
                "lon",
                "f8",
                ("lon",),
                {"long_name": "longitude", "units": "degrees_east"},
                state["lon"],
            )
            lev = 1000.0 * (state["hyam"] + state["hybm"])
            ilev = 1000.0 * (state["hyai"] + state["hybi"])
            var(
                "lev",
                "f8",
                ("lev",),
                {
                    "long_name": "hybrid level at midpoints (1000*(A+B))",
                    "units": "hPa",
                    "positive": "down",
                    "standard_name": "atmosphere_hybrid_sigma_pressure_coordinate",
                    "formula_terms": "a: hyam b: hybm p0: P0 ps: PS",
                },
                lev,
            )
            var(
                "ilev",
                "f8",
                ("ilev",),
                {
                    "long_name": "hybrid level at interfaces (1000*(A+B))",
                    "units": "hPa",
                    "positive": "down",
                    "standard_name": "atmosphere_hybrid_sigma_pressure_coordinate",
                    "formula_terms": "a: hyai b: hybi p0: P0 ps: PS",
                },
                ilev,
            )
            for name, long_name in (
                ("hyam", "hybrid A coefficient at layer midpoints"),
                ("hybm", "hybrid B coefficient at layer midpoints"),
            ):
                var(name, "f8", ("lev",), {"long_name": long_name}, state[name])
            for name, long_name in (
                ("hyai", "hybrid A coefficient at layer interfaces"),
                ("hybi", "hybrid B coefficient at layer interfaces"),
            ):
                var(name, "f8", ("ilev",), {"long_name": long_name}, state[name])
            var("P0", "f8", (), {"long_name": "reference pressure", "units": "Pa"}, 1e5)
            days = base_day + np.asarray(times_h) / 24.0
            var(
                "time",
                "f8",
                ("time",),
                {
                    "long_name": "time",
                    "units": "days since 2003-01-01 00:00:00",
                    "calendar": "noleap",
                    "bounds": "time_bnds",
                },
                days,
            )
            var(
                "time_bnds",
                "f8",
                ("time", "nbnd"),
                {"long_name": "time interval endpoints"},
                np.stack([days - 1 / 24.0, days], axis=1),
            )
            var(
                "date",
                "i4",
                ("time",),
                {"long_name": "current date (YYYYMMDD)"},
                np.full(len(times_h), 20030321, dtype="i4"),
            )
            var(
                "datesec",
                "i4",
                ("time",),
                {"long_name": "current seconds of current date"},
                (np.asarray(times_h) * 3600).astype("i4"),
            )
            var(
                "PS",
                "f4",
                ("time", "lat", "lon"),
                {"long_name": "Surface pressure", "units": "Pa", "cell_methods": "time: mean"},
                state["PS"].astype("f4"),
            )
            for name, (long_name, units) in WACCMX_FIELDS.items():
                attrs = {
                    "mdims": np.int32(1),
                    "units": units,
                    "long_name": long_name,
                    "cell_methods": "time: mean",
                }
                var(name, "f4", ("time", "lev", "lat", "lon"), attrs, state[name].astype("f4"))


def waccmx_generator(case: str = "waccmx_sample") -> Callable[[Path], list[str]]:
    """A sample generator: one hourly WACCM-X history file with two times."""
    times_h = [0.0, 1.0]

    def generate(folder: Path) -> list[str]:
        name = f"{case}.cam.h1.2003-03-21-00000.nc"
        write_waccmx(folder / name, waccmx_state(times_h), times_h, case)
        return [name]

    return generate


# ---------------------------------------------------------------------------------------------
# TIE-GCM fields on any grid: for files in other versions' layouts (published header listings)
# ---------------------------------------------------------------------------------------------

#: Field name -> grid of the state :func:`tiegcm_fields` returns (``lev``, ``ilev``, ``2d``,
#: ``imlev``, ``mlev``, ``mag2d``).
LAYOUT_GRIDS = {
    **{name: grid for name, (_, _, grid) in TIEGCM_FIELDS.items()},
    "N2": "lev", "DEN": "ilev", "UI_ExB": "lev", "VI_ExB": "lev", "WI_ExB": "lev",
    "QJOULE": "lev", "HEATING": "lev", "CO2_COOL": "lev", "NO_COOL": "lev",
    "SIGMA_PED": "lev", "SIGMA_HAL": "lev", "ZGMID": "lev",
    "TEC": "2d", "HMF2": "2d", "NMF2": "2d", "TLBC": "2d", "ULBC": "2d", "VLBC": "2d",
    "ZMAG": "imlev", "ED1": "imlev", "ED2": "imlev", "JE13D": "mlev", "JE23D": "mlev",
    "PHIM2D": "mag2d",
}  # fmt: skip


def tiegcm_fields(
    lat: np.ndarray,
    lon: np.ndarray,
    lev: np.ndarray,
    ilev: np.ndarray,
    times_h: list[float],
    storm: float = 0.0,
    *,
    mlat: np.ndarray | None = None,
    mlon: np.ndarray | None = None,
    mlev: np.ndarray | None = None,
    imlev: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """TIE-GCM fields (file units, cgs) on a given grid, ``(time, level, lat, lon)`` arrays.

    The physics of :func:`tiegcm_state` (the same analytic temperature, composition, winds,
    ionosphere, hydrostatic ``Z``/``ZG``) on any grid, ``ilev`` as long as ``lev`` or one
    longer, plus the diagnostics secondary histories of older versions carry: ``N2`` by
    closure, total mass density ``DEN``, ``TEC`` (NE integrated over ZG), ``HMF2``/``NMF2``,
    lower-boundary ``TLBC``/``ULBC``/``VLBC``, ExB drifts from the potential, Joule heating,
    cooling rates and conductivities of plausible shape and size, and, given a geomagnetic
    grid, ``ZMAG`` (height of the magnetic interface levels, km, from the global-mean ZG
    profile), ``ED1``/``ED2``/``JE13D``/``JE23D``/``PHIM2D``.

    Args:
        lat: Geographic latitudes, degrees.
        lon: Geographic longitudes, degrees.
        lev: Midpoint levels, ln(p0/p).
        ilev: Interface levels, ln(p0/p) (as many as ``lev`` or one more).
        times_h: UT hours of the histories.
        storm: Storm strength (0 quiet, 1 the storm samples' heating).
        mlat: Magnetic latitudes (degrees), if fields on the geomagnetic grid are wanted.
        mlon: Magnetic longitudes (degrees).
        mlev: Magnetic midpoint levels (for JE13D/JE23D).
        imlev: Magnetic interface levels (for ZMAG, ED1, ED2).

    Returns:
        Name -> array; the grid of each is :data:`LAYOUT_GRIDS`.
    """
    lat, lon = np.asarray(lat, float), np.asarray(lon, float)
    lev, ilev = np.asarray(lev, float), np.asarray(ilev, float)
    nlayer = ilev.size - 1  # layers between interfaces use the midpoints below the top one
    dz = float(np.mean(np.diff(ilev)))
    lat2 = lat[:, None] + 0 * lon[None, :]
    out: dict[str, list[np.ndarray]] = {}
    for t in times_h:
        f = _profiles(ilev, lev, lat, lon, t, storm * min(1.0, t / 1.0 + 0.5))
        mbar = mean_mass(f["O2"], f["O1"], f["HE"])
        z_bottom = 96.4e5 + 0.6e5 * np.cos(np.deg2rad(2 * lon[None, :] + 30 * t)) * np.cos(
            np.deg2rad(lat2)
        )
        z, zg = integrate_heights(
            np.moveaxis(f["TN"][:nlayer], 0, -1),
            np.moveaxis(mbar[:nlayer], 0, -1),
            z_bottom,
            dz,
            lat2,
        )
        f["Z"] = np.moveaxis(z, -1, 0)
        f["ZG"] = np.moveaxis(zg, -1, 0)
        zg_mid = 0.5 * (f["ZG"][:-1] + f["ZG"][1:])
        f["ZGMID"] = np.concatenate([zg_mid, f["ZG"][-1:] + 0.5 * (f["ZG"][-1:] - f["ZG"][-2:-1])])[
            : lev.size
        ]
        # total mass density on the interfaces (DEN's grid): T and m averaged from the midpoints
        t_int = np.concatenate([f["TN"][:1], 0.5 * (f["TN"][:-1] + f["TN"][1:])])
        m_int = np.concatenate([mbar[:1], 0.5 * (mbar[:-1] + mbar[1:])])
        p_int = P0_MICROBAR * np.exp(-ilev)[:, None, None]  # dyn/cm2
        t_int, m_int = _to_grid(t_int, ilev.size), _to_grid(m_int, ilev.size)
        f["DEN"] = p_int * m_int * AMU_G / (BOLTZMANN_CGS * t_int)  # g/cm3
        rho = P0_MICROBAR * np.exp(-lev)[:, None, None] * mbar * AMU_G / (BOLTZMANN_CGS * f["TN"])
        thickness = np.diff(f["ZG"], axis=0)  # cm
        ne_mid = 0.5 * (f["NE"][:-1] + f["NE"][1:])
        f["TEC"] = np.sum(ne_mid * thickness, axis=0)  # 1/cm2
        hm = np.argmax(f["NE"], axis=0)
        f["HMF2"] = np.take_along_axis(f["ZG"], hm[None], 0)[0] / 1e5
        f["NMF2"] = f["NE"].max(axis=0)
        f["TLBC"], f["ULBC"], f["VLBC"] = f["TN"][0], f["UN"][0], f["VN"][0]
        # ExB drift of the potential's horizontal gradient in a 0.5 G vertical field (cm/s)
        radius_cm = 6.371e8 + f["ZG"].mean()
        dphi_dlon = np.gradient(f["POTEN"][0], np.deg2rad(lon), axis=-1)
        dphi_dlat = np.gradient(f["POTEN"][0], np.deg2rad(lat), axis=-2)
        coslat = np.maximum(np.cos(np.deg2rad(lat2)), 0.05)
        e_east = -dphi_dlon / (radius_cm * 1e-2 * coslat)  # V/m
        e_north = -dphi_dlat / (radius_cm * 1e-2)
        b_tesla = 5e-5
        shape_mid = np.tanh((lev[:, None, None] + 7.0) / 2.0)
        f["UI_ExB"] = (e_north / b_tesla * 100.0) * shape_mid
        f["VI_ExB"] = (-e_east / b_tesla * 100.0) * shape_mid
        f["WI_ExB"] = 0.1 * f["VI_ExB"] * np.sin(np.deg2rad(lat2))
        sigma_shape = np.exp(-(((lev[:, None, None] + 3.0) / 1.5) ** 2))
        ne_rel = f["NE"][: lev.size] / f["NE"].max()
        f["SIGMA_PED"] = 1e-4 * sigma_shape * ne_rel + 1e-9
        f["SIGMA_HAL"] = 1.5e-4 * np.exp(-(((lev[:, None, None] + 4.0) / 1.2) ** 2)) * ne_rel + 1e-9
        e2 = e_east**2 + e_north**2
        f["QJOULE"] = f["SIGMA_PED"] * e2 / np.maximum(rho * 1e3, 1e-30) * 1e4  # erg/g/s
        f["HEATING"] = f["QJOULE"] + 50.0 * (f["TN"] / 1000.0) * np.exp(-lev[:, None, None] / 6.0)
        f["CO2_COOL"] = 20.0 * np.exp(-(((lev[:, None, None] + 5.0) / 1.5) ** 2)) * f["TN"] / 500.0
        f["NO_COOL"] = 5e5 * f["NO"] * f["TN"] / 1000.0
        shapes = {
            "lev": (lev.size, lat.size, lon.size),
            "ilev": (ilev.size, lat.size, lon.size),
            "2d": (lat.size, lon.size),
        }
        for name, grid in LAYOUT_GRIDS.items():
            if name in f and grid in shapes:
                value = np.asarray(f[name])
                if grid in ("lev", "ilev") and value.shape[0] != shapes[grid][0]:
                    value = _to_grid(value, shapes[grid][0])
                out.setdefault(name, []).append(np.broadcast_to(value, shapes[grid]))
        if mlat is not None and mlon is not None:
            mag = _magnetic_fields(f, ilev, t, np.asarray(mlat, float), np.asarray(mlon, float),
                                   mlev, imlev, storm)  # fmt: skip
            for name, value in mag.items():
                out.setdefault(name, []).append(value)
    return {k: np.stack(v) for k, v in out.items()}


def _to_grid(values: np.ndarray, size: int) -> np.ndarray:
    """A midpoint field on ``size`` levels (repeat the top one when one longer)."""
    if values.shape[0] >= size:
        return values[:size]
    return np.concatenate([values, values[-1:]], axis=0)


def _magnetic_fields(
    f: dict[str, np.ndarray],
    ilev: np.ndarray,
    ut_hours: float,
    mlat: np.ndarray,
    mlon: np.ndarray,
    mlev: np.ndarray | None,
    imlev: np.ndarray | None,
    storm: float,
) -> dict[str, np.ndarray]:
    """Fields on the geomagnetic grid at one time (ZMAG in km, as the dynamo writes it)."""
    out = {}
    mlat3 = mlat[None, :, None]
    mlon3 = mlon[None, None, :]
    mlt_phase = np.deg2rad(mlon3) + 2 * np.pi * ut_hours / 24.0
    phi = (30e3 + storm * 60e3) * np.sin(mlt_phase) * np.exp(-(((np.abs(mlat3) - 72.0) / 7.0) ** 2))
    out["PHIM2D"] = phi[0]
    mean_zg = f["ZG"].mean(axis=(1, 2)) / 1e5  # km on ilev
    for name, levels in (("imlev", imlev), ("mlev", mlev)):
        if levels is None:
            continue
        levels = np.asarray(levels, float)
        slope_lo = (mean_zg[1] - mean_zg[0]) / (ilev[1] - ilev[0])
        slope_hi = (mean_zg[-1] - mean_zg[-2]) / (ilev[-1] - ilev[-2])
        height = np.interp(levels, ilev, mean_zg)
        height = np.where(levels < ilev[0], mean_zg[0] + slope_lo * (levels - ilev[0]), height)
        height = np.where(levels > ilev[-1], mean_zg[-1] + slope_hi * (levels - ilev[-1]), height)
        h3 = height[:, None, None] * (1.0 + 0.002 * np.cos(np.deg2rad(2 * mlat3))) + 0 * mlon3
        profile = np.exp(-(((levels[:, None, None] + 3.0) / 2.0) ** 2))
        dphi = np.gradient(phi[0], np.deg2rad(mlon), axis=-1)[None]
        if name == "imlev":
            out["ZMAG"] = h3
            out["ED1"] = -dphi / 6.5e6 * (1.0 + 0 * profile)
            out["ED2"] = -np.gradient(phi[0], np.deg2rad(mlat), axis=-2)[None] / 6.5e6 + 0 * h3
        else:
            out["JE13D"] = (
                1e-6 * profile * np.sin(mlt_phase) * np.exp(-(((np.abs(mlat3) - 68.0) / 6.0) ** 2))
            )
            out["JE23D"] = 0.5 * out["JE13D"] * np.cos(mlt_phase)
    return out


#: Published ``ncdump`` listings the old-layout samples are built from (NCAR/tiegcm,
#: ``doc/userguide/_static/primary.ncd`` at commit a530b8797efe3d2a1a7d48600ee686c1f4cf8621,
#: git blob d08d54ace7c4c65dd38372335bb99e0433a9a2b8: a tiegcm1.94 5-degree primary history).
LAYOUT_LISTINGS = {"tiegcm1.94-primary": "tiegcm1.94_primary_5deg.ncd.gz"}


def layout_listing(name: str) -> str:
    """The text of a stored published listing (:data:`LAYOUT_LISTINGS`)."""
    import gzip

    folder = Path(__file__).parent / "layouts"
    return gzip.decompress((folder / LAYOUT_LISTINGS[name]).read_bytes()).decode("utf-8")


def write_tiegcm_layout(
    spec: object,
    path: Path,
    *,
    keep: dict[str, np.ndarray] | None = None,
    values: dict[str, object] | None = None,
    storm: float = 0.0,
) -> None:
    """Write a TIE-GCM history in a listing's layout with this module's physics.

    Every dim, variable, type and attribute of the listing (``spec``, a
    :class:`geospacexr._synth.cdl.CDLFile`) is written as listed; small variables take the
    listing's values (or ``values``); the large fields come from :func:`tiegcm_fields` on the
    kept grid at each record's UT (from ``mtime``), ``X_NM`` (the previous step) as ``X``, and
    the top midpoint of TN, UN and VN set to 1e36 as the model does.

    Args:
        spec: The parsed listing.
        path: The file to write.
        keep: Indices of the listing's dims to keep (see :func:`geospacexr._synth.cdl.write_cdl`).
        values: Small variables' values replacing the listing's, on the kept indices.
        storm: Storm strength of the physics.
    """
    from .cdl import CDLFile, write_cdl

    assert isinstance(spec, CDLFile)
    keep = dict(keep or {})
    values = dict(values or {})
    listed = {v.name: v.values for v in spec.variables.values()}

    def coord(dim: str) -> np.ndarray | None:
        if dim not in spec.dims or listed.get(dim) is None:
            return None
        data = np.asarray(listed[dim], dtype=float)
        return data[np.asarray(keep[dim])] if dim in keep else data

    records = spec.records
    if "mtime" in values:
        mtime = np.asarray(values["mtime"], dtype=float)
    else:
        mtime = np.asarray(listed["mtime"], dtype=float).reshape(records, -1)
        if "time" in keep:
            mtime = mtime[np.asarray(keep["time"])]
    times_h = [float(m[1] + m[2] / 60.0 + (m[3] / 3600.0 if m.size > 3 else 0.0)) for m in mtime]
    grid = {d: coord(d) for d in ("lat", "lon", "lev", "ilev", "mlat", "mlon", "mlev", "imlev")}
    state = tiegcm_fields(
        grid["lat"], grid["lon"], grid["lev"], grid["ilev"], times_h, storm,
        mlat=grid["mlat"], mlon=grid["mlon"], mlev=grid["mlev"], imlev=grid["imlev"],
    )  # fmt: skip

    def fill(var, shape, indices):
        base = var.name[:-3] if var.name.endswith("_NM") else var.name
        if base not in state:
            raise KeyError(f"no synthetic physics for variable {var.name}")
        data = np.asarray(state[base], dtype=np.float64)
        if data.shape != shape:
            raise ValueError(f"{var.name}: physics has shape {data.shape}, the file {shape}")
        if base in ("TN", "UN", "VN"):  # the model sets their top midpoint to spval (dt.F)
            data = data.copy()
            data[:, -1] = SPVAL
        return data.astype(var.dtype)

    time_dim = next(d for d, n in spec.dims.items() if n is None)
    write_cdl(
        spec, path, fill=fill, keep=keep, values=values,
        records=len(times_h) if time_dim not in keep else None,
    )  # fmt: skip


def tiegcm194_generator(run: str = "tiegcm194_5deg") -> Callable[[Path], list[str]]:
    """A sample generator: one primary history in tiegcm1.94's layout (NCAR's listing).

    The 5-degree tiegcm1.94 primary of NCAR's user guide (:data:`LAYOUT_LISTINGS`), every
    variable and attribute as listed: ``mtime`` (day, hour, minute), ``time`` in minutes since
    an unpadded date, ``delhist_mins``, ``ilev`` as long as ``lev``, ``mag(latlon, latlon)``,
    per-time scalars holding 1e36 (``Kp``, ``bzimf``, ``swvel``...), no ``HE``, no ``N2``, ``Z``
    without ``ZG``. Two hourly histories on 2003-03-21 (0 and 1 UT, the other samples' day) of
    this module's physics replace the listing's six daily ones.
    """
    from .cdl import parse_cdl

    year, day0, times_h = 2003, 80, [0.0, 1.0]

    def generate(folder: Path) -> list[str]:
        spec = parse_cdl(layout_listing("tiegcm1.94-primary"))
        n = len(times_h)
        mtime = np.array([[day0, int(t), round((t % 1) * 60)] for t in times_h], dtype="i4")
        spec.variables["time"].attrs.update(
            {
                "units": f"minutes since {year}-3-21 0:0:0",
                "initial_year": np.int32(year),
                "initial_day": np.int32(day0),
                "initial_mtime": np.array([day0, 0, 0], dtype="i4"),
            }
        )
        spec.attrs.update(
            {
                "label": "geospacexr sample (synthetic) in the tiegcm1.94 primary layout",
                "create_date": "",
                "logname": "geospacexr",
                "host": "geospacexr",
                "source_file": "geospacexr sample data (synthetic)",
                "source_mtime": np.array([day0, 0, 0], dtype="i4"),
                "initial_file": "",
                "initial_mtime": np.array([day0, 0, 0], dtype="i4"),
                "nhist": np.int32(n),
                "delhist_mins": np.int32(60),
                "contents": f"03{day0:03d} {day0:3d}  0  0 to 03{day0:03d} {day0:3d}  1  0 by"
                "   60 tiegcm_trunk primary",
            }
        )
        iters = np.asarray(spec.variables["iter"].values[:n], dtype="i4")
        values = {
            "time": np.asarray(times_h) * 60.0,
            "mtime": mtime,
            "year": np.full(n, year, dtype="i4"),
            "day": mtime[:, 0],
            "ut": np.asarray(times_h),
            "iter": iters[0] + np.arange(n, dtype="i4") * 30,
            "write_date": ["" for _ in range(n)],
        }
        name = f"{run}_prim_001.nc"
        write_tiegcm_layout(spec, folder / name, keep={"time": np.arange(n)}, values=values)
        return [name]

    return generate
