"""Fixtures in the layout of CESM2 WACCM-X history files, built from header listings.

No CESM2 WACCM-X history is public in a form small enough to ship, so the headers below are
written out as ``ncdump -h`` would print them, assembled from the sources that define them:

* **CAM's history writer** of the CESM2 releases, ESCOMP/CAM branch ``cam_cesm2_1_rel``
  (same in ``cam_cesm2_2_rel``), ``src/control/cam_history.F90`` ``h_define``: the global
  attributes (``Conventions`` "CF-1.0", ``source`` "CAM", ``case``, ``logname``, ``host``,
  ``initial_file``, ``topography_file``, ``model_doi_url``, ``time_period_freq``; no ``title``
  or ``Version``: commented out there), dims ``time`` (unlimited), ``nbnd``, ``chars``, the
  variables ``time`` ("days since <ref> <hh:mm:ss>", ``calendar``, ``bounds``), ``date``,
  ``datesec``, ``time_bnds``, ``date_written``, ``time_written``, ``ndbase``, ``nsbase``,
  ``nbdate``, ``nbsec``, ``mdt``, ``ndcur``, ``nscur``, ``co2vmr`` ... ``sol_tsi``,
  ``colat_crit1``/``2`` (WACCM-X's electric potential model is active), ``nsteph``, and the
  field attributes (float32, ``mdims`` on 3-D fields, ``units``, ``long_name``,
  ``cell_methods`` "time: mean" only for averaged fields);
* ``src/utils/hycoef.F90`` for ``lev``/``ilev``/``hyam``/``hybm``/``hyai``/``hybi``/``P0``;
  ``src/dynamics/fv/dyn_grid.F90`` for ``lat``/``lon``/``gw`` (finite-volume centres, both
  poles); ``src/ionosphere/waccmx/edyn_init.F90`` for ``mlat``/``mlon`` (the ``gmag_grid``:
  long names "latitude"/"longitude", as written there);
* the fields' names, units and long names from their ``addfld`` calls (``cam_diagnostics.F90``,
  ``dpie_coupling.F90``, ``edyn_init.F90``, ``ion_electron_temp.F90``; note EDens/OpDens in
  "cm^3" and PHIM2D in "VOLTS", as CAM writes them) and which fields an h1/h0 of the CCMC run
  holds from nasa/Kamodo ``kamodo_ccmc/readers/waccmx_4D.py`` (``gvar_keys``; its grid: lon 144
  from 0, lat 96 and mlat 97 with both poles, mlon 80 from -180, lev 130, ilev 131, "days since
  1979-01-01 00:00:00").

The grid is subsampled for size (every 5th latitude, both poles kept, every 8th longitude; all
130 levels and the whole geomagnetic grid). The real run's 130 hybrid coefficients are not
published with the code (they come with the run's initial file): the fixture uses
:func:`geospacexr._synth.gcm.waccmx_levels` (130 levels to 4e-10 hPa) instead. The fields are
filled with the physics of :mod:`geospacexr._synth.cesm` (which builds on the WACCM-X sample's
atmosphere in :mod:`geospacexr._synth.gcm`), over terrain.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from geospacexr._synth import cesm

SOURCE = (
    "header: ESCOMP/CAM cam_cesm2_1_rel cam_history.F90 h_define, hycoef.F90, fv dyn_grid.F90, "
    "edyn_init.F90, addfld calls; fields per file: nasa/Kamodo waccmx_4D.py gvar_keys"
)

_COMMON_HEAD = """
dimensions:
	lat = 96 ;
	lon = 144 ;
	mlat = 97 ;
	mlon = 80 ;
	lev = 130 ;
	ilev = 131 ;
	nbnd = 2 ;
	chars = 8 ;
	time = UNLIMITED ; // (2 currently)
variables:
	double lat(lat) ;
		lat:long_name = "latitude" ;
		lat:units = "degrees_north" ;
	double lon(lon) ;
		lon:long_name = "longitude" ;
		lon:units = "degrees_east" ;
	double gw(lat) ;
		gw:long_name = "latitude weights" ;
	double mlat(mlat) ;
		mlat:long_name = "latitude" ;
		mlat:units = "degrees_north" ;
	double mlon(mlon) ;
		mlon:long_name = "longitude" ;
		mlon:units = "degrees_east" ;
	double lev(lev) ;
		lev:long_name = "hybrid level at midpoints (1000*(A+B))" ;
		lev:units = "hPa" ;
		lev:positive = "down" ;
		lev:standard_name = "atmosphere_hybrid_sigma_pressure_coordinate" ;
		lev:formula_terms = "a: hyam b: hybm p0: P0 ps: PS" ;
	double hyam(lev) ;
		hyam:long_name = "hybrid A coefficient at layer midpoints" ;
	double hybm(lev) ;
		hybm:long_name = "hybrid B coefficient at layer midpoints" ;
	double P0 ;
		P0:long_name = "reference pressure" ;
		P0:units = "Pa" ;
	double ilev(ilev) ;
		ilev:long_name = "hybrid level at interfaces (1000*(A+B))" ;
		ilev:units = "hPa" ;
		ilev:positive = "down" ;
		ilev:standard_name = "atmosphere_hybrid_sigma_pressure_coordinate" ;
		ilev:formula_terms = "a: hyai b: hybi p0: P0 ps: PS" ;
	double hyai(ilev) ;
		hyai:long_name = "hybrid A coefficient at layer interfaces" ;
	double hybi(ilev) ;
		hybi:long_name = "hybrid B coefficient at layer interfaces" ;
	double time(time) ;
		time:long_name = "time" ;
		time:units = "days since 1979-01-01 00:00:00" ;
		time:calendar = "noleap" ;
		time:bounds = "time_bnds" ;
	int date(time) ;
		date:long_name = "current date (YYYYMMDD)" ;
	int datesec(time) ;
		datesec:long_name = "current seconds of current date" ;
	double time_bnds(time, nbnd) ;
		time_bnds:long_name = "time interval endpoints" ;
	char date_written(time, chars) ;
	char time_written(time, chars) ;
	int ndbase ;
		ndbase:long_name = "base day" ;
	int nsbase ;
		nsbase:long_name = "seconds of base day" ;
	int nbdate ;
		nbdate:long_name = "base date (YYYYMMDD)" ;
	int nbsec ;
		nbsec:long_name = "seconds of base date" ;
	int mdt ;
		mdt:long_name = "timestep" ;
		mdt:units = "s" ;
	int ndcur(time) ;
		ndcur:long_name = "current day (from base day)" ;
	int nscur(time) ;
		nscur:long_name = "current seconds of current day" ;
	double co2vmr(time) ;
		co2vmr:long_name = "co2 volume mixing ratio" ;
	double ch4vmr(time) ;
		ch4vmr:long_name = "ch4 volume mixing ratio" ;
	double n2ovmr(time) ;
		n2ovmr:long_name = "n2o volume mixing ratio" ;
	double f11vmr(time) ;
		f11vmr:long_name = "f11 volume mixing ratio" ;
	double f12vmr(time) ;
		f12vmr:long_name = "f12 volume mixing ratio" ;
	double sol_tsi(time) ;
		sol_tsi:long_name = "total solar irradiance" ;
		sol_tsi:units = "W/m2" ;
	double colat_crit1(time) ;
		colat_crit1:long_name = "First co-latitude of electro-potential critical angle" ;
		colat_crit1:units = "degrees" ;
	double colat_crit2(time) ;
		colat_crit2:long_name = "Second co-latitude of electro-potential critical angle" ;
		colat_crit2:units = "degrees" ;
	int nsteph(time) ;
		nsteph:long_name = "current timestep" ;
"""

#: An instantaneous hourly h1 history of the CCMC run (Kamodo's h1 ``gvar_keys``).
H1 = (
    "netcdf waccmx_ccmc.cam.h1.2020-03-01-00000 {"
    + _COMMON_HEAD
    + """
	float ED1(time, mlat, mlon) ;
		ED1:units = "V/m" ;
		ED1:long_name = "ED1: Eastward Electric Field" ;
	float ED2(time, mlat, mlon) ;
		ED2:units = "V/m" ;
		ED2:long_name = "ED2: Equatorward Electric Field" ;
	float EDYN_ZIGM11_PED(time, mlat, mlon) ;
		EDYN_ZIGM11_PED:units = "S" ;
		EDYN_ZIGM11_PED:long_name = "Pedersen Conductance" ;
	float EDYN_ZIGM2_HAL(time, mlat, mlon) ;
		EDYN_ZIGM2_HAL:units = "S" ;
		EDYN_ZIGM2_HAL:long_name = "Hall Conductance" ;
	float ElecColDens(time, lat, lon) ;
		ElecColDens:units = "TECU" ;
		ElecColDens:long_name = "Electron Column Density" ;
	float H(time, lev, lat, lon) ;
		H:mdims = 1 ;
		H:units = "mol/mol" ;
		H:long_name = "H concentration" ;
	float O(time, lev, lat, lon) ;
		O:mdims = 1 ;
		O:units = "mol/mol" ;
		O:long_name = "O concentration" ;
	float O2(time, lev, lat, lon) ;
		O2:mdims = 1 ;
		O2:units = "mol/mol" ;
		O2:long_name = "O2 concentration" ;
	float OMEGA(time, lev, lat, lon) ;
		OMEGA:mdims = 1 ;
		OMEGA:units = "Pa/s" ;
		OMEGA:long_name = "Vertical velocity (pressure)" ;
	float PHIM2D(time, mlat, mlon) ;
		PHIM2D:units = "VOLTS" ;
		PHIM2D:long_name = "PHIM2D: Electric Potential" ;
	float PS(time, lat, lon) ;
		PS:units = "Pa" ;
		PS:long_name = "Surface pressure" ;
	float T(time, lev, lat, lon) ;
		T:mdims = 1 ;
		T:units = "K" ;
		T:long_name = "Temperature" ;
	float TElec(time, lev, lat, lon) ;
		TElec:mdims = 1 ;
		TElec:units = "K" ;
		TElec:long_name = "Electron Temperature" ;
	float TIon(time, lev, lat, lon) ;
		TIon:mdims = 1 ;
		TIon:units = "K" ;
		TIon:long_name = "Ion Temperature" ;
	float U(time, lev, lat, lon) ;
		U:mdims = 1 ;
		U:units = "m/s" ;
		U:long_name = "Zonal wind" ;
	float UI(time, lev, lat, lon) ;
		UI:mdims = 1 ;
		UI:units = "m/s" ;
		UI:long_name = "UI Zonal ion drift from edynamo" ;
	float V(time, lev, lat, lon) ;
		V:mdims = 1 ;
		V:units = "m/s" ;
		V:long_name = "Meridional wind" ;
	float VI(time, lev, lat, lon) ;
		VI:mdims = 1 ;
		VI:units = "m/s" ;
		VI:long_name = "VI Meridional ion drift from edynamo" ;
	float WI(time, lev, lat, lon) ;
		WI:mdims = 1 ;
		WI:units = "m/s" ;
		WI:long_name = "WI Vertical ion drift from edynamo" ;
	float Z3(time, lev, lat, lon) ;
		Z3:mdims = 1 ;
		Z3:units = "m" ;
		Z3:long_name = "Geopotential Height (above sea level)" ;
	float Z3GM(time, lev, lat, lon) ;
		Z3GM:mdims = 1 ;
		Z3GM:units = "m" ;
		Z3GM:long_name = "Geometric height" ;
	float e(time, lev, lat, lon) ;
		e:mdims = 1 ;
		e:units = "mol/mol" ;
		e:long_name = "e concentration" ;

// global attributes:
		:Conventions = "CF-1.0" ;
		:source = "CAM" ;
		:case = "waccmx_ccmc" ;
		:logname = "ccmc" ;
		:host = "ccmc" ;
		:initial_file = "waccmx_ccmc_ic.nc" ;
		:topography_file = "fv_1.9x2.5_nc3000_Nsw084_Nrs016_Co120_Fi001_ZR_GRNL_031819.nc" ;
		:model_doi_url = "https://doi.org/10.5065/D67H1H0V" ;
		:time_period_freq = "hour_1" ;
}
"""
)

#: A daily-mean h0 history (averaged fields: ``cell_methods``, the stamp at the interval end).
H0 = (
    "netcdf waccmx_ccmc.cam.h0.2020-03-01-00000 {"
    + _COMMON_HEAD
    + """
	float PHIS(time, lat, lon) ;
		PHIS:units = "m2/s2" ;
		PHIS:long_name = "Surface geopotential" ;
	float PS(time, lat, lon) ;
		PS:units = "Pa" ;
		PS:long_name = "Surface pressure" ;
		PS:cell_methods = "time: mean" ;
	float T(time, lev, lat, lon) ;
		T:mdims = 1 ;
		T:units = "K" ;
		T:long_name = "Temperature" ;
		T:cell_methods = "time: mean" ;
	float U(time, lev, lat, lon) ;
		U:mdims = 1 ;
		U:units = "m/s" ;
		U:long_name = "Zonal wind" ;
		U:cell_methods = "time: mean" ;
	float V(time, lev, lat, lon) ;
		V:mdims = 1 ;
		V:units = "m/s" ;
		V:long_name = "Meridional wind" ;
		V:cell_methods = "time: mean" ;
	float Z3(time, lev, lat, lon) ;
		Z3:mdims = 1 ;
		Z3:units = "m" ;
		Z3:long_name = "Geopotential Height (above sea level)" ;
		Z3:cell_methods = "time: mean" ;
	float Z3GM(time, lev, lat, lon) ;
		Z3GM:mdims = 1 ;
		Z3GM:units = "m" ;
		Z3GM:long_name = "Geometric height" ;
		Z3GM:cell_methods = "time: mean" ;
	float O(time, lev, lat, lon) ;
		O:mdims = 1 ;
		O:units = "mol/mol" ;
		O:long_name = "O concentration" ;
		O:cell_methods = "time: mean" ;
	float O2(time, lev, lat, lon) ;
		O2:mdims = 1 ;
		O2:units = "mol/mol" ;
		O2:long_name = "O2 concentration" ;
		O2:cell_methods = "time: mean" ;
	float NO(time, lev, lat, lon) ;
		NO:mdims = 1 ;
		NO:units = "mol/mol" ;
		NO:long_name = "NO concentration" ;
		NO:cell_methods = "time: mean" ;
	float CO2(time, lev, lat, lon) ;
		CO2:mdims = 1 ;
		CO2:units = "mol/mol" ;
		CO2:long_name = "CO2 concentration" ;
		CO2:cell_methods = "time: mean" ;
	float EDens(time, lev, lat, lon) ;
		EDens:mdims = 1 ;
		EDens:units = "cm^3" ;
		EDens:long_name = "e Number Density (sum of O2+,NO+,N2+,O+)" ;
		EDens:cell_methods = "time: mean" ;
	float OpDens(time, lev, lat, lon) ;
		OpDens:mdims = 1 ;
		OpDens:units = "cm^3" ;
		OpDens:long_name = "O+ Number Density" ;
		OpDens:cell_methods = "time: mean" ;
	float HMF2(time, lat, lon) ;
		HMF2:units = "km" ;
		HMF2:long_name = "Height of the F2 Layer" ;
		HMF2:cell_methods = "time: mean" ;
	float NMF2(time, lat, lon) ;
		NMF2:units = "cm-3" ;
		NMF2:long_name = "Peak Density of the F2 Layer" ;
		NMF2:cell_methods = "time: mean" ;
	float PHIM2D(time, mlat, mlon) ;
		PHIM2D:units = "VOLTS" ;
		PHIM2D:long_name = "PHIM2D: Electric Potential" ;
		PHIM2D:cell_methods = "time: mean" ;

// global attributes:
		:Conventions = "CF-1.0" ;
		:source = "CAM" ;
		:case = "waccmx_ccmc" ;
		:logname = "ccmc" ;
		:host = "ccmc" ;
		:initial_file = "waccmx_ccmc_ic.nc" ;
		:topography_file = "fv_1.9x2.5_nc3000_Nsw084_Nrs016_Co120_Fi001_ZR_GRNL_031819.nc" ;
		:model_doi_url = "https://doi.org/10.5065/D67H1H0V" ;
		:time_period_freq = "day_1" ;
}
"""
)

HEADERS = {"h1": H1, "h0": H0}
#: Subsampling of the 96 x 144 grid: every 5th latitude (95 = 5 x 19: both poles kept), 8th lon.
LAT_STEP, LON_STEP = 5, 8

_VAR = re.compile(r"^\s*(double|float|int|char|short)\s+(\w+)(?:\(([^)]*)\))?\s*;")
_ATTR = re.compile(r"^\s*(\w*):(\w+)\s*=\s*(.*?)\s*;\s*$")
_DIM = re.compile(r"^\s*(\w+)\s*=\s*(UNLIMITED|\d+)\s*;")


def _value(text: str) -> Any:
    if text.startswith('"'):
        return text[1:-1]
    if text.endswith("f"):
        return np.float32(text[:-1])
    if re.fullmatch(r"-?\d+", text):
        return np.int32(text)
    return np.float64(text)


def parse_header(text: str) -> dict[str, Any]:
    """An ``ncdump -h`` listing as ``{"dims", "attrs", "variables": {name: (type, dims, attrs)}}``.

    Only what the listings here use: dims, scalar and array variables, text and number attributes.
    """
    dims: dict[str, int | None] = {}
    attrs: dict[str, Any] = {}
    variables: dict[str, tuple[str, tuple[str, ...], dict[str, Any]]] = {}
    section = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped in ("dimensions:", "variables:"):
            section = stripped[:-1]
            continue
        if section == "dimensions" and (m := _DIM.match(line)):
            dims[m[1]] = None if m[2] == "UNLIMITED" else int(m[2])
        elif m := _VAR.match(line):
            names = tuple(d.strip() for d in (m[3] or "").split(",") if d.strip())
            variables[m[2]] = (m[1], names, {})
        elif m := _ATTR.match(line):
            target = attrs if m[1] == "" else variables[m[1]][2]
            target[m[2]] = _value(m[3])
    return {"dims": dims, "attrs": attrs, "variables": variables}


@functools.lru_cache(maxsize=16)
def _cached_state(kind: str, times_h: tuple[float, ...], z3gm: str) -> dict[str, np.ndarray]:
    header = parse_header(HEADERS[kind])
    sizes = header["dims"]
    grid = cesm.fv_subgrid(sizes["lat"], sizes["lon"], LAT_STEP, LON_STEP)
    state = cesm.cesm2_state(list(times_h), grid, nlev=sizes["lev"], z3gm=z3gm)
    state.update(cesm.magnetic_state(list(times_h), sizes["mlat"], sizes["mlon"]))
    for value in state.values():
        if isinstance(value, np.ndarray):
            value.setflags(write=False)  # shared between fixtures: no edit may change it
    return state


def physics(kind: str, times_h: list[float], z3gm: str = "cesm2") -> dict[str, np.ndarray]:
    """The fixture's physics (:func:`geospacexr._synth.cesm.cesm2_state` and the magnetic
    fields) on the subsampled grid of ``kind``, computed once per argument set (read-only).
    """
    return dict(_cached_state(kind, tuple(float(t) for t in times_h), z3gm))


def build(
    path: Path,
    kind: str = "h1",
    days: Any = None,
    *,
    z3gm: str = "cesm2",
    edit: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
) -> Path:
    """Write a fixture history: the header of ``kind`` ("h1" or "h0"), subsampled, filled.

    Args:
        path: Output file.
        kind: ``"h1"`` (instantaneous, hourly) or ``"h0"`` (daily means, ``time_bnds`` the day).
        days: The stamps, days since 1979-01-01 on the noleap calendar (default: 2020-03-01
            00:00 and 01:00 for h1, the ends of 2020-03-01 and 03-02 for h0).
        z3gm: How Z3GM is written: ``"cesm2"`` (CESM2 releases, surface height included) or
            ``"cam6_3_016"`` (without it, ESCOMP/CAM issue 681).
        edit: ``edit(header, values)`` changes either before writing (bad-input tests).

    Returns:
        ``path``.
    """
    start = float(cesm.NOLEAP_DAY_2020_03_01)
    averaged = kind == "h0"
    if days is None:
        days = start + (np.array([1.0, 2.0]) if averaged else np.array([0.0, 1.0 / 24.0]))
    days = np.asarray(days, dtype=np.float64)
    bounds = np.stack([days - 1.0, days] if averaged else [days, days], axis=1)
    centres = bounds.mean(axis=1)
    times_h = list(((centres % 1.0) * 24.0).round(6))
    header = parse_header(HEADERS[kind])
    state = physics(kind, times_h, z3gm)
    header["dims"].update({"lat": state["lat"].size, "lon": state["lon"].size})
    header["dims"]["time"] = None
    header["attrs"]["geospacexr_fixture_source"] = SOURCE
    values = cesm.cesm2_values(state, header, days, bounds)
    if edit is not None:
        edit(header, values)
    cesm.write_cam_history(path, header, values)
    return path
