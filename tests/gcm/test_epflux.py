"""Eliassen-Palm flux: closed forms, and GCMprocpy 1.5.2's EP flux on the same files.

GCMprocpy's output was recorded by ``tests/gcm/reference/gcmprocpy_epflux.py`` (run in its own
venv) into ``tests/gcm/data/gcmprocpy_epflux.json``; with ``GEOSPACEXR_REF_GCMPROCPY`` set to
that interpreter the comparison also runs live. Inputs: the ``tiegcm-5deg`` primary history
(whose zonal wind has no zonal mean, so only the Coriolis and u'w' terms are non-zero) and the
same file with a sheared jet and an eddy momentum flux added (every term non-zero).

Tolerances, stated:

* same method (GCMprocpy's rotation rate 2 pi/86400 and mass density without He, which it
  leaves out): EPVY, EPVZ and EPVDIV agree to 1e-9 of each field's largest value, or of 1e-3
  for a field that is zero (the sample's EPVY, ~1e-14 in both) (measured ~1e-14: the same
  arithmetic in float64; the record keeps 14 decimals);
* our defaults differ on purpose (module docstring of :mod:`geospacexr.gcm.epflux`): the
  sidereal rotation rate changes EPVZ by < 0.3 % (measured 0.20 %); He in the mean molecular
  mass changes EPVDIV by < 12 % of its largest value near the model top (measured 6.9 % and
  10.1 %); the log-pressure density of the TEM equations instead of the mass density, < 20 %
  (measured 10.3 % and 15.9 %); EPVY does not depend on either;
* closed forms on synthetic fields: EPVY exact (1e-12), EPVZ to the 5 degree centred
  difference of cos(lat) (1 - sin(d)/d = 1.3e-3), EPVDIV to the centred difference of
  exp(-z/H) over dz = H/2 and H/4 (second order: < 5 % and < 1.3 %).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from _digest import content_digest

from geospacexr import datasets, open_tiegcm
from geospacexr.errors import InvalidArgumentError, MissingVariableError
from geospacexr.gcm.epflux import CP, OMEGA_EARTH, R_DRY, SCALE_HEIGHT, epflux

HERE = Path(__file__).parent
RECORD = json.loads((HERE / "data" / "gcmprocpy_epflux.json").read_text())
T = RECORD["time"]
SOLAR_DAY_OMEGA = 2.0 * np.pi / 86400.0  # GCMprocpy's rotation rate
COMPONENTS = ("EPVY", "EPVZ", "EPVDIV")
FLOOR = 1e-3  # m2 s-2 or m s-1 day-1: below this a field is zero (the sample's EPVY is 1e-14)


def _reference_module():
    spec = importlib.util.spec_from_file_location(
        "gcmprocpy_epflux", HERE / "reference" / "gcmprocpy_epflux.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REF = _reference_module()


def _check_input(path, case):
    """The input's data and attributes are those GCMprocpy was run on (not its bytes, which
    depend on the netCDF library that wrote the file)."""
    assert content_digest(path) == RECORD["inputs"][case]["content_sha256"], (
        f"the {case} input changed: re-record tests/gcm/data/gcmprocpy_epflux.json"
    )


@pytest.fixture(scope="module")
def prim_path():
    path = datasets.sample_path("tiegcm-5deg") / "tiegcm_5deg_prim_001.nc"
    _check_input(path, "tiegcm_prim")
    return path


@pytest.fixture(scope="module")
def waves_path(prim_path, tmp_path_factory):
    path = REF.make_wave_input(prim_path, tmp_path_factory.mktemp("ep") / "waves_prim_001.nc")
    _check_input(path, "tiegcm_waves")
    return path


def _open(path):
    ds = open_tiegcm(path)  # the primary history has no ZG: heights from Z, said in attrs
    assert "ZG" in ds.attrs.get("completions", "")
    return ds


def _without_he(ds):
    return ds.assign(HE=ds["HE"] * 0.0)  # GCMprocpy's mean molecular mass leaves He out


def _compare(ours: xr.Dataset, theirs: dict, tol: float, components=COMPONENTS) -> dict[str, float]:
    """Largest |ours - theirs| / max|theirs| per component (GCMprocpy drops the NaN top level)."""
    out = {}
    for name in components:
        ref = np.asarray(theirs[name], dtype=np.float64)
        values = ours[name].values
        assert np.isnan(values[-1]).all()  # TIE-GCM's top TN/UN/VN midpoint is missing
        values = values[:-1]
        assert values.shape == ref.shape
        np.testing.assert_array_equal(ours["lev"].values[:-1], theirs["levs"])
        np.testing.assert_array_equal(ours["lat"].values, theirs["lats"])
        scale = max(float(np.max(np.abs(ref))), FLOOR)
        out[name] = float(np.max(np.abs(values - ref)) / scale)
        assert out[name] <= tol, (name, out[name])
    return out


@pytest.mark.parametrize("case", ["tiegcm_prim", "tiegcm_waves"])
def test_same_method_as_gcmprocpy(case, prim_path, waves_path):
    ds = _open(prim_path if case == "tiegcm_prim" else waves_path)
    ours = epflux(_without_he(ds), T, density="mass", omega=SOLAR_DAY_OMEGA)
    _compare(ours, RECORD[case], 1e-9)
    if case == "tiegcm_waves":  # every term is exercised
        for name in COMPONENTS:
            assert np.max(np.abs(RECORD[case][name])) > 1.0


@pytest.mark.parametrize("case", ["tiegcm_prim", "tiegcm_waves"])
def test_documented_differences_are_bounded(case, prim_path, waves_path):
    ds = _open(prim_path if case == "tiegcm_prim" else waves_path)
    theirs = RECORD[case]
    # the sidereal rotation rate: EPVZ only, by less than 0.3 %
    sidereal = epflux(_without_he(ds), T, density="mass")
    gap = _compare(sidereal, theirs, 1, components=("EPVY", "EPVZ"))
    assert gap["EPVY"] < 1e-9 and 1e-4 < gap["EPVZ"] < 3e-3
    # He in the mean molecular mass (density="mass"): EPVDIV, near the top
    mass = epflux(ds, T, density="mass", omega=SOLAR_DAY_OMEGA)
    gap = _compare(mass, theirs, 1)
    assert gap["EPVY"] < 1e-9 and gap["EPVZ"] < 1e-9 and 0.01 < gap["EPVDIV"] < 0.12
    # the log-pressure density of the TEM equations (our default)
    default = epflux(ds, T, omega=SOLAR_DAY_OMEGA)
    gap = _compare(default, theirs, 1)
    assert gap["EPVY"] < 1e-9 and gap["EPVZ"] < 1e-9 and 0.01 < gap["EPVDIV"] < 0.2


def test_gcmprocpy_gives_nothing_on_waccmx_where_we_do():
    # recorded: GCMprocpy returns None for a datetime64 time (its WACCM-X times are cftime
    # "noleap" objects) and raises AttributeError for the file's own cftime value
    assert "returned None" in RECORD["waccmx"]["error"]
    assert "AttributeError" in RECORD["waccmx_native_time"]["error"]
    ds = datasets.open_sample("waccmx")
    flux = epflux(ds, T)
    assert flux.attrs["model"] == "WACCM-X"
    for name in COMPONENTS:
        values = flux[name].values
        assert values.shape == (ds.sizes["lev"], ds.sizes["lat"])
        assert np.isfinite(values).all()
    assert np.abs(flux["EPVDIV"]).max() > 1.0


# ------------------------------------------------------------------------ closed forms

A_T, V0, U0, W0, T0, SHEAR = 20.0, 10.0, 15.0, 0.5, 500.0, 2e-3  # K, m/s, m/s, m/s, K, 1/s


def _synthetic(model: str, dlev: float, dlat: float = 5.0) -> xr.Dataset:
    """T = T0 + A cos(lon), v = V cos(lon), u = SHEAR z + U cos(lon), w = W cos(lon)."""
    lat = np.arange(-90 + dlat / 2, 90, dlat)
    lon = np.arange(-180.0, 180.0, 5.0)
    lev = np.arange(-7.0 + dlev / 2, 7.0, dlev)  # ln(p0/p)
    p0_hpa = 5e-7
    z = SCALE_HEIGHT * (np.log(1000.0 / p0_hpa) + lev)  # H ln(1000 hPa / p)
    wave = np.cos(np.deg2rad(lon))[None, None, None, :]
    shape = (1, lev.size, lat.size, lon.size)
    tn = np.broadcast_to(T0 + A_T * wave, shape)
    vn = np.broadcast_to(V0 * wave, shape)
    un = np.broadcast_to(SHEAR * (z - z[0])[None, :, None, None] + U0 * wave, shape)
    time = np.array(["2003-03-21T01:00"], dtype="datetime64[ns]")
    dims = ("time", "lev", "lat", "lon")
    if model == "TIE-GCM":
        ilev = np.concatenate([lev - dlev / 2, [lev[-1] + dlev / 2]])
        omega = np.broadcast_to(W0 / SCALE_HEIGHT * wave, (1, ilev.size, lat.size, lon.size))
        ds = xr.Dataset(
            {
                "TN": (dims, tn.copy(), {"units": "K"}),
                "UN": (dims, un.copy(), {"units": "m/s"}),
                "VN": (dims, vn.copy(), {"units": "m/s"}),
                "OMEGA": (("time", "ilev", "lat", "lon"), omega.copy(), {"units": "s-1"}),
            },
            coords={
                "time": time,
                "lev": lev,
                "ilev": ilev,
                "lat": lat,
                "lon": lon,
                "pressure": ("lev", p0_hpa * np.exp(-lev)),
            },
            attrs={"geospacexr_kind": "gcm", "model": model, "p0_hPa": p0_hpa},
        )
        return ds
    # WACCM-X: hybrid levels in hPa, index 0 at the top; OMEGA in Pa/s
    p = (p0_hpa * np.exp(-lev))[::-1]
    pressure = np.broadcast_to(p[None, :, None, None], shape)
    flip = (slice(None), slice(None, None, -1))
    omega = -W0 * wave * pressure * 100.0 / SCALE_HEIGHT  # w = -H omega / p
    return xr.Dataset(
        {
            "TN": (dims, tn[flip].copy(), {"units": "K"}),
            "UN": (dims, un[flip].copy(), {"units": "m/s"}),
            "VN": (dims, vn[flip].copy(), {"units": "m/s"}),
            "OMEGA": (dims, omega.copy(), {"units": "Pa/s"}),
        },
        coords={
            "time": time,
            "lev": p,
            "lat": lat,
            "lon": lon,
            "pressure": (dims, pressure.copy()),
        },
        attrs={"geospacexr_kind": "gcm", "model": model},
    )


def _closed_form(lat_deg: np.ndarray, z: np.ndarray) -> dict[str, np.ndarray]:
    kappa, h, a = R_DRY / CP, SCALE_HEIGHT, 6.371e6
    phi = np.deg2rad(lat_deg)[None, :]
    zz = (z - z[0])[:, None]
    heat = (V0 * A_T / 2) / (kappa * T0 / h)  # v'T' / gamma, gamma = kappa T0 / H
    epvy = -U0 * V0 / 2 + heat * SHEAR + 0 * zz * phi
    ubar = SHEAR * zz
    dudy = -ubar * np.tan(phi) / a  # (a cos)^-1 d(u cos)/d phi
    f = 2 * OMEGA_EARTH * np.sin(phi)
    epvz = -(U0 * W0 / 2 + (dudy - f) * heat)
    dsz_dz = SHEAR * np.tan(phi) / a * heat
    div = (-2 * np.tan(phi) * epvy / a + dsz_dz - epvz / h) * 86400.0
    return {"EPVY": epvy, "EPVZ": epvz, "EPVDIV": div}


@pytest.mark.parametrize("dlev, tol_div", [(0.5, 0.05), (0.25, 0.013)])
def test_closed_form_tiegcm_and_waccmx(dlev, tol_div):
    tie = epflux(_synthetic("TIE-GCM", dlev), "2003-03-21T01:00")
    wac = epflux(_synthetic("WACCM-X", dlev), "2003-03-21T01:00")
    # WACCM-X's hybrid levels (top first, OMEGA in Pa/s) give the same numbers
    for name in COMPONENTS:
        np.testing.assert_allclose(wac[name].values[::-1], tie[name].values, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(wac["zstar"].values[::-1], tie["zstar"].values, rtol=1e-12)
    expected = _closed_form(tie["lat"].values, tie["zstar"].values * 1e3)
    np.testing.assert_allclose(tie["EPVY"].values, expected["EPVY"], rtol=1e-12)
    inner = np.abs(tie["lat"].values) < 80  # the edges are extrapolated (tan lat bends)
    ez, oz = expected["EPVZ"][:, inner], tie["EPVZ"].values[:, inner]
    assert np.max(np.abs(oz - ez)) / np.max(np.abs(ez)) < 1.5e-3
    ed, od = expected["EPVDIV"][1:-1, inner], tie["EPVDIV"].values[1:-1, inner]
    assert np.max(np.abs(od - ed)) / np.max(np.abs(ed)) < tol_div


# ------------------------------------------------------------------------ behaviour


def test_lazy_over_every_time_and_same_as_one_time():
    ds = datasets.open_sample("tiegcm-5deg")  # dask-backed (two files)
    flux = epflux(ds)
    assert flux["EPVDIV"].chunks is not None  # nothing computed yet
    assert flux["EPVDIV"].dims == ("time", "lev", "lat")
    one = epflux(ds, "2003-03-21T01:00")
    for name in COMPONENTS:
        np.testing.assert_allclose(
            flux[name].sel(time="2003-03-21T01:00").values, one[name].values, rtol=1e-12
        )
    assert one["EPVDIV"].attrs["units"] == "m s-1 day-1"
    assert one["EPVY"].attrs["units"] == "m2 s-2"
    assert one["zstar"].attrs["units"] == "km"


def test_result_round_trips_through_netcdf(tmp_path):
    flux = epflux(datasets.open_sample("tiegcm-5deg"), "2003-03-21T01:00")
    flux.to_netcdf(tmp_path / "ep.nc")
    back = xr.open_dataset(tmp_path / "ep.nc")
    xr.testing.assert_allclose(back.load(), flux)


def test_bad_input():
    ds = datasets.open_sample("tiegcm-5deg")
    with pytest.raises(MissingVariableError, match="OMEGA"):
        epflux(ds.drop_vars("OMEGA"), T)
    with pytest.raises(MissingVariableError, match="UN"):
        epflux(ds.drop_vars("UN"), T)
    with pytest.raises(InvalidArgumentError, match="density"):
        epflux(ds, T, density="actual")
    with pytest.raises(InvalidArgumentError, match="omega"):
        epflux(ds, T, omega=-1.0)
    bad = ds.assign(OMEGA=ds["OMEGA"].assign_attrs(units="furlongs"))
    with pytest.raises(InvalidArgumentError, match="OMEGA"):
        epflux(bad, T)


@pytest.mark.skipif(
    not os.environ.get("GEOSPACEXR_REF_GCMPROCPY"),
    reason="set GEOSPACEXR_REF_GCMPROCPY to compare live",
)
def test_live_against_gcmprocpy(prim_path, waves_path, tmp_path):
    out = tmp_path / "live.json"
    subprocess.run(
        [
            os.environ["GEOSPACEXR_REF_GCMPROCPY"],
            str(HERE / "reference" / "gcmprocpy_epflux.py"),
            str(prim_path),
            str(datasets.sample_path("waccmx")),
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    live = json.loads(out.read_text())
    for case, path in (("tiegcm_prim", prim_path), ("tiegcm_waves", waves_path)):
        ours = epflux(_without_he(_open(path)), T, density="mass", omega=SOLAR_DAY_OMEGA)
        _compare(ours, live[case], 1e-9)
