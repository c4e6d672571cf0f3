"""Synthetic CESM2 WACCM-X histories: CAM's ``cam_history.F90`` layout, with terrain.

The ``waccmx`` sample (:mod:`geospacexr._synth.gcm`) is a flat planet on 88 levels with a
simplified header. This module writes what a CESM2 WACCM-X run (as CCMC distributes it and
nasa/Kamodo's ``waccmx_4D`` reader reads it) actually looks like:

* the header of CAM's history writer in the CESM2 releases (``h_define`` of
  ``src/control/cam_history.F90`` on ESCOMP/CAM's ``cam_cesm2_1_rel``/``cam_cesm2_2_rel``):
  global attributes ``Conventions``, ``source``, ``case``, ``logname``, ``host``,
  ``initial_file``, ``topography_file``, ``model_doi_url``, ``time_period_freq``; ``time`` in
  "days since 1979-01-01 00:00:00" on the ``noleap`` calendar with ``bounds = "time_bnds"``;
  ``date``/``datesec``, ``date_written``/``time_written`` (char), ``ndbase`` ... ``mdt``,
  ``co2vmr`` ... ``sol_tsi``, ``colat_crit1/2``, ``nsteph``; fields float32 with ``mdims``,
  ``units``, ``long_name`` and, for averaged tapes, ``cell_methods = "time: mean"``;
* the 1.9x2.5 degree finite-volume grid (``lat`` with both poles, ``lon`` 0..357.5, ``gw``),
  130 hybrid levels (``lev``/``ilev`` in hPa, positive down, index 0 at the top, ``hyam`` ...
  ``P0``) and fields on the geomagnetic grid (``mlat`` 97 with both poles, ``mlon`` 80 from
  -180) with their own dims, subsampled in ``lat``/``lon`` to stay small;
* terrain: PHIS (surface geopotential) with a plateau and a ridge, the surface pressure lower
  over them, and heights starting at the surface: ``Z3`` geopotential above sea level and
  ``Z3GM`` written as the CESM2 releases write it (``dpie_coupling.F90``:
  Z3GM = Z3 (1 + Z3 / 6.370e6 m)) or, with ``z3gm="cam6_3_016"``, as cam6_3_016..cam6_3_132
  wrote it (without the surface height, ESCOMP/CAM issue 681).

The 130 hybrid coefficients of the real run are not published with the code (they come with the
run's initial file); :func:`geospacexr._synth.gcm.waccmx_levels` makes a set of the same length
reaching 4e-10 hPa.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..io.atomic import atomic_path
from ..physics import AMU_G, BOLTZMANN_CGS, geometric_heights
from .gcm import WACCMX_G0, _waccmx_temperature, waccmx_levels

#: CAM's constants: gravity (m/s2), Earth radius (m), and the radius ``dpie_coupling.F90`` of
#: the CESM2 releases used for Z3GM (m).
CAM_G = WACCMX_G0 / 100.0
CAM_REARTH = 6.37122e6
DPIE_RE = 6.370e6
#: Days since 1979-01-01 on the noleap calendar of 2020-03-01 00:00 (a date after 28 February
#: of a leap year: on the Gregorian calendar the same count is 2020-02-19).
NOLEAP_DAY_2020_03_01 = 41 * 365 + 59
#: CESM2's ``model_doi_url``.
CESM2_DOI = "https://doi.org/10.5065/D67H1H0V"
#: The full CCMC grid (Kamodo ``waccmx_4D``): lat, lon, lev, mlat, mlon.
FULL_GRID = {"lat": 96, "lon": 144, "lev": 130, "mlat": 97, "mlon": 80}


def fv_grid(nlat: int = 96, nlon: int = 144) -> dict[str, np.ndarray]:
    """CAM finite-volume centres (both poles) and latitude weights ``gw`` (sum 2)."""
    lat = -90.0 + np.arange(nlat) * 180.0 / (nlat - 1)
    lon = np.arange(nlon) * 360.0 / nlon
    half = 90.0 / (nlat - 1)
    edges = np.clip(np.concatenate([[lat[0] - half], lat + half]), -90.0, 90.0)
    gw = np.diff(np.sin(np.deg2rad(edges)))
    return {"lat": lat, "lon": lon, "gw": gw}


def terrain(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Surface height (m, geopotential): a 4.5 km plateau at 33N 90E and a 3 km ridge at 70W."""
    lat2, lon2 = np.meshgrid(lat, lon, indexing="ij")
    dlon = lambda c: (lon2 - c + 180.0) % 360.0 - 180.0  # noqa: E731
    plateau = 4500.0 * np.exp(-(((lat2 - 33.0) / 9.0) ** 2) - (dlon(90.0) / 20.0) ** 2)
    ridge = 3000.0 * np.exp(-((dlon(290.0) / 5.0) ** 2)) * (np.abs(lat2 + 20.0) < 35.0)
    return plateau + ridge


def fv_subgrid(nlat: int, nlon: int, lat_step: int = 1, lon_step: int = 1) -> dict[str, np.ndarray]:
    """Every ``lat_step``-th latitude and ``lon_step``-th longitude of a finite-volume grid.

    ``lat_step`` must divide ``nlat - 1`` so that both poles are kept.
    """
    if (nlat - 1) % lat_step:
        raise ValueError(f"lat_step {lat_step} does not divide {nlat - 1}: a pole would be lost")
    grid = fv_grid(nlat, nlon)
    return {
        "lat": grid["lat"][::lat_step],
        "gw": grid["gw"][::lat_step],
        "lon": grid["lon"][::lon_step],
    }


def cesm2_state(
    times_h: list[float], grid: Mapping[str, np.ndarray], nlev: int = 130, z3gm: str = "cesm2"
) -> dict[str, np.ndarray]:
    """Every field at the given UT hours on the CESM2 grid, ``(time, lev, lat, lon)``, top first.

    The same analytic atmosphere as the ``waccmx`` sample (temperature, composition, Chapman
    electron density...) over terrain: the surface pressure is 1000 hPa reduced by the surface
    height, heights are integrated hydrostatically from the surface (geometric, with gravity
    varying with height and latitude, in ``ZTRUE``; geopotential with CAM's gravity in ``Z3``),
    and ``Z3GM`` is what CAM writes from ``Z3`` (see the module documentation).

    Args:
        times_h: UT hours.
        grid: ``lat``, ``lon`` and ``gw`` (:func:`fv_grid`, :func:`fv_subgrid`).
        nlev: Number of hybrid levels.
        z3gm: ``"cesm2"`` (surface height included) or ``"cam6_3_016"`` (left out).

    Returns:
        Arrays by CAM name, plus ``ZTRUE`` (m), the grid and the hybrid coefficients.
    """
    lv = waccmx_levels(nlev)
    lat, lon = np.asarray(grid["lat"]), np.asarray(grid["lon"])
    zs = terrain(lat, lon)  # geopotential height of the surface, m
    zs_geometric = CAM_REARTH * zs / (CAM_REARTH - zs)
    lat3 = lat[None, :, None]
    coslat = np.cos(np.deg2rad(lat3))
    out: dict[str, list[np.ndarray]] = {}
    for t in times_h:
        lon3 = ((lon + 180.0) % 360.0 - 180.0)[None, None, :]
        local_time = (t + lon3 / 15.0) % 24.0
        phase = 2 * np.pi * (local_time - 15.0) / 24.0
        ps = (
            1e5
            * np.exp(-zs / 8000.0)
            * (1.0 + 0.012 * coslat[0] * np.sin(np.deg2rad(2 * lon[None, :] + 15 * t)))
        )
        p_int = (lv["hyai"][:, None, None] * 1e5 + lv["hybi"][:, None, None] * ps[None]) / 100.0
        p_mid = (lv["hyam"][:, None, None] * 1e5 + lv["hybm"][:, None, None] * ps[None]) / 100.0
        x = np.log(1000.0 / p_mid)
        t_inf = 850.0 + 180.0 * coslat * np.cos(phase) + 60.0 * coslat**2
        tn = _waccmx_temperature(x, t_inf, lat3)
        below = np.clip(15.2 - x, 0.0, None)
        f_o = 0.9 / (1.0 + np.exp(-(x - 17.5) / 1.1)) * np.exp(-below / 0.7 - (below / 2.9) ** 2)
        f_he = np.minimum(3e-6 * np.exp(0.55 * np.clip(x - 11.0, 0, None)), 0.05)
        f_o2 = 0.2095 * (1.0 - f_o - f_he) * np.exp(-np.clip(x - 13.0, 0, None) / 3.5)
        f_co2 = 3.8e-4 * np.exp(-np.clip(x - 11.0, 0, None) / 1.6)
        f_n2 = 1.0 - f_o - f_he - f_o2 - f_co2
        mbar = f_n2 * 28.0 + f_o2 * 32.0 + f_o * 16.0 + f_he * 4.0 + f_co2 * 44.0
        scale = BOLTZMANN_CGS * tn / (mbar * AMU_G)  # cm2/s2, (lev, lat, lon), top first
        p_i_up, p_m_up = p_int[::-1], p_mid[::-1]
        n = scale.shape[0]
        steps = np.empty((2 * n, *scale.shape[1:]))
        steps[0::2] = np.log(p_i_up[:-1] / p_m_up)
        steps[1::2] = np.log(p_m_up / p_i_up[1:])
        layer_scale = np.repeat(scale[::-1], 2, axis=0)
        move = lambda a: np.moveaxis(a, 0, -1)  # noqa: E731
        zg = geometric_heights(move(layer_scale), zs_geometric * 100.0, move(steps), lat[:, None])
        z3 = (
            zs[..., None]
            + np.concatenate(
                [
                    np.zeros((*ps.shape, 1)),
                    np.cumsum(move(layer_scale * steps) / WACCMX_G0, axis=-1),
                ],
                axis=-1,
            )
            / 100.0
        )
        z_true = np.moveaxis(zg[..., 1::2], -1, 0)[::-1] / 100.0  # m, top first
        z3_mid = np.moveaxis(z3[..., 1::2], -1, 0)[::-1]
        if z3gm == "cesm2":
            z3gm_mid = z3_mid * (1.0 + z3_mid / DPIE_RE)
        elif z3gm == "cam6_3_016":
            above = z3_mid - zs[None]
            z3gm_mid = above * (1.0 + above / CAM_REARTH)
        else:
            raise ValueError(f"z3gm must be 'cesm2' or 'cam6_3_016', not {z3gm!r}")
        h_km = z_true / 1000.0
        day = np.clip(coslat * np.cos(2 * np.pi * (local_time - 12.0) / 24.0), 0, 1)
        nm = 1.5e5 + 1.1e6 * day
        xh = (h_km - 300.0) / 55.0
        edens = nm * np.exp(0.5 * (1.0 - xh - np.exp(-xh))) + 10.0
        n_air = p_mid * 100.0 / (1.380649e-23 * tn) * 1e-6  # cm-3
        wind = np.tanh(x / 8.0)
        peak = np.argmax(edens, axis=0)
        dz_cm = np.abs(np.gradient(z_true, axis=0)) * 100.0
        fields = {
            "T": tn, "U": (25.0 * coslat + 60.0 * np.sin(phase) * coslat) * wind,
            "V": -40.0 * np.cos(phase) * np.sin(np.deg2rad(lat3)) * wind,
            "OMEGA": 1e-4 * np.sin(phase) * coslat * p_mid / 1000.0,
            "Z3": z3_mid, "Z3GM": z3gm_mid, "ZTRUE": z_true,
            "O": f_o, "O2": f_o2, "N2": f_n2, "He": f_he, "CO2": f_co2,
            "NO": 1e-9 + 6e-8 * np.exp(-(((x - 15.5) / 1.5) ** 2)),
            "H": 2e-7 * np.exp(0.3 * np.clip(x - 10.0, 0, None))
            * np.exp(-np.clip(x - 20.0, 0, None) / 4.0)
            * np.exp(-np.clip(10.0 - x, 0, None) / 0.3) + 1e-20,
            "N": 1e-9 + 4e-7 * np.exp(-(((x - 17.0) / 2.0) ** 2)),
            "O3": 8e-6 * np.exp(-(((x - 4.5) / 1.2) ** 2))
            + 1e-6 * np.exp(-(((x - 13.0) / 0.8) ** 2)) + 1e-12,
            "HO2": 2e-10 * np.exp(-(((x - 9.0) / 2.0) ** 2)) + 1e-13,
            "EDens": edens, "OpDens": edens / (1.0 + np.exp(-(h_km - 170.0) / 20.0)),
            "e": edens / n_air,
            "TElec": tn + (400.0 + 1400.0 * day) / (1.0 + np.exp(-(h_km - 150.0) / 30.0)),
            "TIon": tn + 80.0 / (1.0 + np.exp(-(h_km - 200.0) / 40.0)),
            "UI": 30.0 * np.sin(phase) * coslat * (h_km > 100.0),
            "VI": 20.0 * np.cos(phase) * coslat * (h_km > 100.0),
            "WI": 5.0 * np.sin(phase) * coslat * (h_km > 100.0),
            "QJOULE": 1e-4 * np.exp(-(((h_km - 125.0) / 15.0) ** 2))
            * np.sin(np.deg2rad(lat3)) ** 4,
        }  # fmt: skip
        for name, value in fields.items():
            out.setdefault(name, []).append(np.broadcast_to(value, p_mid.shape))
        out.setdefault("PS", []).append(ps)
        out.setdefault("PHIS", []).append(zs * CAM_G)
        out.setdefault("NMF2", []).append(np.take_along_axis(edens, peak[None], 0)[0])
        out.setdefault("HMF2", []).append(np.take_along_axis(h_km, peak[None], 0)[0])
        out.setdefault("ElecColDens", []).append((edens * dz_cm).sum(axis=0) / 1e12)
    state = {k: np.stack(v) for k, v in out.items()}
    state.update(lv)
    state.update({k: np.asarray(v) for k, v in grid.items()})
    return state


def magnetic_state(times_h: list[float], nmlat: int = 97, nmlon: int = 80) -> dict[str, Any]:
    """Fields on CAM's geomagnetic grid ``(time, mlat, mlon)``: a two-cell potential and more."""
    mlat = -90.0 + np.arange(nmlat) * 180.0 / (nmlat - 1)
    mlon = -180.0 + np.arange(nmlon) * 360.0 / nmlon
    colat = np.deg2rad(90.0 - np.abs(mlat))[:, None]
    out: dict[str, list[np.ndarray]] = {}
    for t in times_h:
        mlt = np.deg2rad((mlon[None, :] / 15.0 + t) * 15.0)
        phi = 40e3 * np.sin(mlt) * np.exp(-(((colat - 0.3) / 0.12) ** 2))
        e1 = -np.gradient(phi, np.deg2rad(mlon), axis=1) / (6.5e6 * np.maximum(np.sin(colat), 0.05))
        e2 = np.gradient(phi, np.deg2rad(mlat), axis=0) / 6.5e6
        ped = 2.0 + 8.0 * np.exp(-(((colat - 0.3) / 0.1) ** 2)) + 0 * mlt
        for name, value in {
            "PHIM2D": phi,
            "ED1": e1,
            "ED2": e2,
            "EDYN_ZIGM11_PED": ped,
            "EDYN_ZIGM2_HAL": 1.4 * ped,
        }.items():
            out.setdefault(name, []).append(np.broadcast_to(value, (nmlat, nmlon)))
    state: dict[str, Any] = {k: np.stack(v) for k, v in out.items()}
    state.update({"mlat": mlat, "mlon": mlon})
    return state


def write_cam_history(
    path: Path,
    header: Mapping[str, Any],
    values: Mapping[str, Any],
    fmt: str = "NETCDF3_64BIT_OFFSET",
) -> None:
    """Write a netCDF file from a header and values (CAM's writer: no fill on coordinates).

    Args:
        path: Output file.
        header: ``{"dims": {name: size or None}, "attrs": {...}, "variables": {name: (type,
            dims, attrs)}}`` with netCDF type names ("float", "double", "int", "char").
        values: Data by variable name (every variable of the header).
        fmt: netCDF format (CESM2's PIO default: 64-bit offset; with "NETCDF4..." (CAM's
            ``netcdf4c``) the fields are deflated).
    """
    import netCDF4

    types = {"float": "f4", "double": "f8", "int": "i4", "char": "S1", "short": "i2"}
    with atomic_path(path) as tmp:
        with netCDF4.Dataset(tmp, "w", format=fmt) as nc:
            nc.setncatts(dict(header["attrs"]))
            for dim, size in header["dims"].items():
                nc.createDimension(dim, size)
            for name, (kind, dims, attrs) in header["variables"].items():
                attrs = dict(attrs)
                fill = attrs.pop("_FillValue", None)
                compress = fmt.startswith("NETCDF4") and len(dims) >= 3
                chunks = None
                if fmt.startswith("NETCDF4") and dims:  # one time per chunk, as the reader's
                    chunks = [1 if d == "time" else len(nc.dimensions[d]) for d in dims]
                var = nc.createVariable(
                    name,
                    types[kind],
                    dims,
                    fill_value=fill,
                    zlib=compress,
                    complevel=1,
                    chunksizes=chunks,
                )
                var.set_auto_maskandscale(False)
                var.setncatts(attrs)
                value = values[name]
                if kind == "char":
                    var[:] = netCDF4.stringtochar(
                        np.asarray(value, dtype=f"S{nc.dimensions[dims[-1]].size}")
                    )
                else:
                    var[...] = np.asarray(value).astype(types[kind])


def cesm2_header(
    state: Mapping[str, Any], fields: Mapping[str, tuple[str, str]], case: str, freq: str,
    averaged: bool,
) -> dict[str, Any]:  # fmt: skip
    """The header of a CESM2 WACCM-X history holding ``fields`` (name -> (long_name, units))."""
    dims = {
        "lat": state["lat"].size, "lon": state["lon"].size, "mlat": state["mlat"].size,
        "mlon": state["mlon"].size, "lev": state["hyam"].size, "ilev": state["hyai"].size,
        "nbnd": 2, "chars": 8, "time": None,
    }  # fmt: skip
    lev_attrs = {
        "long_name": "hybrid level at midpoints (1000*(A+B))", "units": "hPa",
        "positive": "down", "standard_name": "atmosphere_hybrid_sigma_pressure_coordinate",
        "formula_terms": "a: hyam b: hybm p0: P0 ps: PS",
    }  # fmt: skip
    ilev_attrs = dict(lev_attrs, long_name="hybrid level at interfaces (1000*(A+B))")
    ilev_attrs["formula_terms"] = "a: hyai b: hybi p0: P0 ps: PS"
    variables: dict[str, tuple[str, tuple[str, ...], dict[str, Any]]] = {
        "lat": ("double", ("lat",), {"long_name": "latitude", "units": "degrees_north"}),
        "lon": ("double", ("lon",), {"long_name": "longitude", "units": "degrees_east"}),
        "gw": ("double", ("lat",), {"long_name": "latitude weights"}),
        "mlat": ("double", ("mlat",), {"long_name": "latitude", "units": "degrees_north"}),
        "mlon": ("double", ("mlon",), {"long_name": "longitude", "units": "degrees_east"}),
        "lev": ("double", ("lev",), lev_attrs),
        "hyam": ("double", ("lev",), {"long_name": "hybrid A coefficient at layer midpoints"}),
        "hybm": ("double", ("lev",), {"long_name": "hybrid B coefficient at layer midpoints"}),
        "P0": ("double", (), {"long_name": "reference pressure", "units": "Pa"}),
        "ilev": ("double", ("ilev",), ilev_attrs),
        "hyai": ("double", ("ilev",), {"long_name": "hybrid A coefficient at layer interfaces"}),
        "hybi": ("double", ("ilev",), {"long_name": "hybrid B coefficient at layer interfaces"}),
        "time": ("double", ("time",), {
            "long_name": "time", "units": "days since 1979-01-01 00:00:00",
            "calendar": "noleap", "bounds": "time_bnds",
        }),
        "date": ("int", ("time",), {"long_name": "current date (YYYYMMDD)"}),
        "datesec": ("int", ("time",), {"long_name": "current seconds of current date"}),
        "time_bnds": ("double", ("time", "nbnd"), {"long_name": "time interval endpoints"}),
        "date_written": ("char", ("time", "chars"), {}),
        "time_written": ("char", ("time", "chars"), {}),
        "ndbase": ("int", (), {"long_name": "base day"}),
        "nsbase": ("int", (), {"long_name": "seconds of base day"}),
        "nbdate": ("int", (), {"long_name": "base date (YYYYMMDD)"}),
        "nbsec": ("int", (), {"long_name": "seconds of base date"}),
        "mdt": ("int", (), {"long_name": "timestep", "units": "s"}),
        "ndcur": ("int", ("time",), {"long_name": "current day (from base day)"}),
        "nscur": ("int", ("time",), {"long_name": "current seconds of current day"}),
        "co2vmr": ("double", ("time",), {"long_name": "co2 volume mixing ratio"}),
        "ch4vmr": ("double", ("time",), {"long_name": "ch4 volume mixing ratio"}),
        "n2ovmr": ("double", ("time",), {"long_name": "n2o volume mixing ratio"}),
        "f11vmr": ("double", ("time",), {"long_name": "f11 volume mixing ratio"}),
        "f12vmr": ("double", ("time",), {"long_name": "f12 volume mixing ratio"}),
        "sol_tsi": ("double", ("time",), {"long_name": "total solar irradiance", "units": "W/m2"}),
        "colat_crit1": ("double", ("time",), {
            "long_name": "First co-latitude of electro-potential critical angle",
            "units": "degrees",
        }),
        "colat_crit2": ("double", ("time",), {
            "long_name": "Second co-latitude of electro-potential critical angle",
            "units": "degrees",
        }),
        "nsteph": ("int", ("time",), {"long_name": "current timestep"}),
    }  # fmt: skip
    for name, (long_name, units) in fields.items():
        shape = np.shape(state[name])
        if name in ("PHIM2D", "ED1", "ED2", "EDYN_ZIGM11_PED", "EDYN_ZIGM2_HAL"):
            field_dims: tuple[str, ...] = ("time", "mlat", "mlon")
        elif len(shape) == 4:
            field_dims = ("time", "lev", "lat", "lon")
        else:
            field_dims = ("time", "lat", "lon")
        attrs: dict[str, Any] = {}
        if len(field_dims) == 4:
            attrs["mdims"] = np.int32(1)
        attrs.update({"units": units, "long_name": long_name})
        if averaged:
            attrs["cell_methods"] = "time: mean"
        variables[name] = ("float", field_dims, attrs)
    return {
        "dims": dims,
        "attrs": {
            "Conventions": "CF-1.0", "source": "CAM", "case": case, "logname": "geospacexr",
            "host": "geospacexr", "initial_file": "none (geospacexr synthetic sample)",
            "topography_file": "none (geospacexr synthetic sample)",
            "model_doi_url": CESM2_DOI, "time_period_freq": freq,
        },
        "variables": variables,
    }  # fmt: skip


def cesm2_values(
    state: Mapping[str, Any], header: Mapping[str, Any], days: np.ndarray, bounds: np.ndarray
) -> dict[str, Any]:
    """Values of every header variable: the state's fields and CAM's bookkeeping for ``days``."""
    ntime = days.size
    whole, frac = np.divmod(days, 1.0)
    # noleap day count to YYYYMMDD (days since 1979-01-01)
    year, doy = np.divmod(whole.astype(np.int64), 365)
    starts = np.concatenate([[0], np.cumsum([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])])
    month = np.searchsorted(starts, doy, side="right")
    date = (1979 + year) * 10000 + month * 100 + (doy - starts[month - 1] + 1)
    datesec = np.rint(frac * 86400).astype(np.int64)
    values: dict[str, Any] = {k: v for k, v in state.items() if k in header["variables"]}
    values["lev"] = 1000.0 * (state["hyam"] + state["hybm"])
    values["ilev"] = 1000.0 * (state["hyai"] + state["hybi"])
    values.update(
        {
            "P0": 1e5, "time": days, "date": date, "datesec": datesec, "time_bnds": bounds,
            "date_written": ["01/01/21"] * ntime, "time_written": ["00:00:00"] * ntime,
            "ndbase": 0, "nsbase": 0, "nbdate": 19790101, "nbsec": 0, "mdt": 300,
            "ndcur": whole.astype(np.int64), "nscur": datesec,
            "co2vmr": np.full(ntime, 4.1e-4), "ch4vmr": np.full(ntime, 1.87e-6),
            "n2ovmr": np.full(ntime, 3.3e-7), "f11vmr": np.full(ntime, 2.3e-10),
            "f12vmr": np.full(ntime, 5.0e-10), "sol_tsi": np.full(ntime, 1360.8),
            "colat_crit1": np.full(ntime, 15.0), "colat_crit2": np.full(ntime, 30.0),
            "nsteph": np.rint(days * 288).astype(np.int64),
        }
    )  # fmt: skip
    return values


#: Fields of a CCMC-like h1 history (instantaneous, hourly; Kamodo ``waccmx_4D`` ``gvar_keys``).
H1_FIELDS = {
    "ED1": ("ED1: Eastward Electric Field", "V/m"),
    "ED2": ("ED2: Equatorward Electric Field", "V/m"),
    "EDYN_ZIGM11_PED": ("Pedersen Conductance", "S"),
    "EDYN_ZIGM2_HAL": ("Hall Conductance", "S"),
    "ElecColDens": ("Electron Column Density", "TECU"),
    "H": ("H concentration", "mol/mol"),
    "O": ("O concentration", "mol/mol"),
    "O2": ("O2 concentration", "mol/mol"),
    "OMEGA": ("Vertical velocity (pressure)", "Pa/s"),
    "PHIM2D": ("PHIM2D: Electric Potential", "VOLTS"),
    "PS": ("Surface pressure", "Pa"),
    "T": ("Temperature", "K"),
    "TElec": ("Electron Temperature", "K"),
    "TIon": ("Ion Temperature", "K"),
    "U": ("Zonal wind", "m/s"),
    "UI": ("UI Zonal ion drift from edynamo", "m/s"),
    "V": ("Meridional wind", "m/s"),
    "VI": ("VI Meridional ion drift from edynamo", "m/s"),
    "WI": ("WI Vertical ion drift from edynamo", "m/s"),
    "Z3": ("Geopotential Height (above sea level)", "m"),
    "e": ("e concentration", "mol/mol"),
    "Z3GM": ("Geometric height", "m"),
}
#: Fields of an averaged h0 history (daily means), with PHIS and the ionospheric diagnostics.
H0_FIELDS = {
    "PHIS": ("Surface geopotential", "m2/s2"),
    "PS": ("Surface pressure", "Pa"),
    "T": ("Temperature", "K"),
    "U": ("Zonal wind", "m/s"),
    "V": ("Meridional wind", "m/s"),
    "Z3": ("Geopotential Height (above sea level)", "m"),
    "Z3GM": ("Geometric height", "m"),
    "O": ("O concentration", "mol/mol"),
    "O2": ("O2 concentration", "mol/mol"),
    "N": ("N concentration", "mol/mol"),
    "NO": ("NO concentration", "mol/mol"),
    "CO2": ("CO2 concentration", "mol/mol"),
    "He": ("He concentration", "mol/mol"),
    "H": ("H concentration", "mol/mol"),
    "O3": ("O3 concentration", "mol/mol"),
    "HO2": ("HO2 concentration", "mol/mol"),
    "EDens": ("e Number Density (sum of O2+,NO+,N2+,O+)", "cm^3"),
    "OpDens": ("O+ Number Density", "cm^3"),
    "TElec": ("Electron Temperature", "K"),
    "TIon": ("Ion Temperature", "K"),
    "QJOULE": ("Joule Heat", "K/s"),
    "HMF2": ("Height of the F2 Layer", "km"),
    "NMF2": ("Peak Density of the F2 Layer", "cm-3"),
    "ElecColDens": ("Electron Column Density", "TECU"),
    "PHIM2D": ("PHIM2D: Electric Potential", "VOLTS"),
}


def write_cesm2(
    path: Path,
    kind: str,
    days: np.ndarray,
    *,
    case: str = "waccmx_cesm2",
    grid: Mapping[str, np.ndarray] | None = None,
    z3gm: str = "cesm2",
    fields: Mapping[str, tuple[str, str]] | None = None,
    fmt: str = "NETCDF3_64BIT_OFFSET",
) -> None:
    """Write one CESM2 WACCM-X history: ``kind`` "h1" (instantaneous) or "h0" (daily means).

    Args:
        path: Output file.
        kind: ``"h1"`` (instantaneous, stamped at ``days``) or ``"h0"`` (daily means: each
            stamp the end of its day, ``time_bnds`` the day).
        days: Days since 1979-01-01 on the noleap calendar (the stamps).
        case: The ``case`` attribute.
        grid: ``lat``/``lon``/``gw`` (default: CAM's 4x5 degree finite-volume grid, 46x72).
        z3gm: How Z3GM is written (:func:`cesm2_state`).
        fields: The fields to write (default :data:`H1_FIELDS` / :data:`H0_FIELDS`).
        fmt: netCDF format (:func:`write_cam_history`).
    """
    days = np.asarray(days, dtype=np.float64)
    averaged = kind == "h0"
    bounds = np.stack([days - 1.0, days] if averaged else [days, days], axis=1)
    centres = bounds.mean(axis=1)  # the physics at the middle of each interval
    times_h = list(((centres % 1.0) * 24.0).round(6))
    state = cesm2_state(times_h, grid if grid is not None else fv_grid(46, 72), z3gm=z3gm)
    state.update(magnetic_state(times_h))
    chosen = dict(fields or (H0_FIELDS if averaged else H1_FIELDS))
    freq = "day_1" if averaged else "hour_1"
    header = cesm2_header(state, chosen, case, freq, averaged)
    write_cam_history(path, header, cesm2_values(state, header, days, bounds), fmt=fmt)


#: The sample's netCDF format: CAM's ``netcdf4c`` (deflated; the files are a sixth the size).
_SAMPLE_FORMAT = "NETCDF4_CLASSIC"


def cesm2_generator(case: str = "waccmx_cesm2") -> Callable[[Path], list[str]]:
    """A sample generator: an hourly h1 history (two times) and a daily-mean h0 history (two days).

    Both from 2020-03-01 on the noleap calendar, on CAM's 4x5 degree finite-volume grid (both
    poles), 130 levels, with terrain, written as CAM's compressed ``netcdf4c`` files.
    """

    def generate(folder: Path) -> list[str]:
        h1 = f"{case}.cam.h1.2020-03-01-00000.nc"
        h0 = f"{case}.cam.h0.2020-03-01-00000.nc"
        start = float(NOLEAP_DAY_2020_03_01)
        hours = start + np.array([0.0, 1.0 / 24.0])
        write_cesm2(folder / h1, "h1", hours, case=case, fmt=_SAMPLE_FORMAT)
        write_cesm2(folder / h0, "h0", start + np.array([1.0, 2.0]), case=case, fmt=_SAMPLE_FORMAT)
        return [h0, h1]

    return generate
