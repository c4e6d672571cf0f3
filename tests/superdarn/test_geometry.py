"""Range-gate geometry: closed forms, pyDARN's numbers on the real files (a twin), the Dataset.

The twin ``reference/pydarn_geometry_twin.json.gz`` holds pyDARN 4.3's corners
(``Coords.GEOGRAPHIC``/``Coords.AACGM``) and gate positions (standard, Chisham and 20 degree
elevation) for both real fitacf files; ``reference/pydarn_geometry_twin.py`` made it. pyDARN
takes the newest hardware line whatever the date (``hardware_rxrise``) and its ``center=True``
centres the beam but not the range (``gate2slant`` is not told), so the comparisons give our
functions the same inputs. Set ``GEOSPACEXR_REF_PYDARN`` to a python with pyDARN to regenerate
the twin live and compare.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr.errors import InvalidArgumentError, MissingVariableError, OutOfRangeError
from geospacexr.superdarn import geometry as geo
from geospacexr.superdarn import hardware as hw

HERE = Path(__file__).parent
TWIN_PATH = HERE / "reference" / "pydarn_geometry_twin.json.gz"
with gzip.open(TWIN_PATH, "rt", encoding="utf-8") as _fh:
    TWIN = json.load(_fh)
FILES = sorted(TWIN["files"])
#: The twin is rounded to 1e-6 degree.
TOL = 2e-6


def wrap(d):
    return (np.asarray(d) + 180.0) % 360.0 - 180.0


@pytest.fixture(scope="module")
def datasets(superdarn_data):
    return {name: geospacexr.open_superdarn(superdarn_data / name) for name in FILES}


# -- closed forms ----------------------------------------------------------------------------
def equator_radar(boresight: float) -> hw.HardwareRecord:
    """A radar at 0N 0E (geodetic = geocentric there) with one beam along ``boresight``."""
    return replace(
        hw.hardware("sas", "2000-01-01"), lat=0.0, lon=0.0, boresight=boresight,
        boresight_shift=0.0, max_beams=1,
    )  # fmt: skip


def test_along_the_equator_the_position_is_the_law_of_cosines():
    """Eastward along the equator the radius is a: rho = a + h, cos t = (a2+rho2-R2) / 2a rho."""
    rec = equator_radar(90.0)
    r = np.array([200.0, 700.0, 1500.0, 3000.0])
    h = geo.virtual_height(r)
    lat, lon = geo.cell_positions(rec, 0.0, r, h)
    a = geo.WGS84_A_KM
    rho = a + h
    theta = np.degrees(np.arccos((a**2 + rho**2 - r**2) / (2 * a * rho)))
    np.testing.assert_allclose(lat, 0.0, atol=1e-9)
    np.testing.assert_allclose(lon, theta, rtol=1e-12)
    # westward: the same angle west
    _, lon_w = geo.cell_positions(equator_radar(-90.0), 0.0, r, h)
    np.testing.assert_allclose(lon_w, -theta, rtol=1e-12)


def test_northward_the_point_is_at_slant_range_and_height():
    rec = equator_radar(0.0)
    r = np.linspace(180.0, 3500.0, 40)
    h = geo.virtual_height(r, "standard", 300.0)
    lat, lon = geo.cell_positions(rec, 0.0, r, h)
    np.testing.assert_allclose(lon, 0.0, atol=1e-9)  # on the meridian
    assert np.all(np.diff(lat) > 0)
    # the slant distance from the site to the point is R; its height above the ellipsoid's
    # radius under it is h within RST's 0.5 km tolerance
    e2 = geo.WGS84_A_KM**2 / (geo.WGS84_A_KM * (1 - geo.WGS84_F)) ** 2 - 1
    phi = np.radians(lat)
    radius = geo.WGS84_A_KM / np.sqrt(1 + e2 * np.sin(phi) ** 2)
    # the height is within tolerance, so rho = radius + h + eps with |eps| <= 0.5
    for eps in (-0.5, 0.5):
        rho = radius + h + eps
        dist = np.hypot(rho * np.cos(phi) - geo.WGS84_A_KM, rho * np.sin(phi))
        assert np.all(np.abs(dist - r) <= 0.5 + 1e-9) or eps  # bounds checked below
    rho_lo, rho_hi = radius + h - 0.5, radius + h + 0.5
    d_lo = np.hypot(rho_lo * np.cos(phi) - geo.WGS84_A_KM, rho_lo * np.sin(phi))
    d_hi = np.hypot(rho_hi * np.cos(phi) - geo.WGS84_A_KM, rho_hi * np.sin(phi))
    assert np.all((np.minimum(d_lo, d_hi) <= r + 1e-6) & (r - 1e-6 <= np.maximum(d_lo, d_hi)))
    # great-circle ground distance on a sphere of radius a: within 0.3 % of a * theta
    rho = geo.WGS84_A_KM + h
    theta = np.arccos((geo.WGS84_A_KM**2 + rho**2 - r**2) / (2 * geo.WGS84_A_KM * rho))
    np.testing.assert_allclose(np.radians(lat), theta, rtol=3e-3)


def test_beams_are_symmetric_about_the_boresight():
    rec = replace(equator_radar(0.0), max_beams=16, beam_separation=3.24)
    r = np.full(16, 1500.0)
    lat, lon = geo.cell_positions(rec, np.arange(16.0), r, geo.virtual_height(r))
    np.testing.assert_allclose(lat, lat[::-1], atol=1e-9)
    np.testing.assert_allclose(lon, -lon[::-1], atol=1e-9)
    assert np.all(np.diff(lon) > 0)  # beam 0 is the westernmost for a north-looking radar


def test_virtual_height_models():
    r = np.array([75.0, 150.0, 400.0, 700.0, 800.0, 1200.0])
    np.testing.assert_allclose(geo.virtual_height(r), [57.5, 115.0, 115.0, 207.5, 300.0, 300.0])
    np.testing.assert_allclose(geo.virtual_height(r, virtual_height_km=400.0)[-1], 400.0)
    np.testing.assert_allclose(geo.virtual_height([100.0, 600.0], virtual_height_km=110.0),
                               [100 / 150 * 115, 110.0])  # fmt: skip
    chisham = geo.virtual_height([50.0, 500.0, 1000.0, 3000.0], "chisham")
    expected = [
        50 / 115 * 112,
        108.974 + 0.0191271 * 500 + 6.68283e-5 * 500**2,
        384.416 - 0.178640 * 1000 + 1.81405e-4 * 1000**2,
        1098.28 - 0.354557 * 3000 + 9.39961e-5 * 3000**2,
    ]
    np.testing.assert_allclose(chisham, expected)
    h = geo.virtual_height(1000.0, "elevation", elevation=30.0)
    re = geo.EARTH_RADIUS_KM
    assert h == pytest.approx(np.sqrt(re**2 + 2 * 1000 * re * 0.5 + 1000**2) - re)
    assert geo.virtual_height(500.0, "elevation", elevation=0.0) == pytest.approx(
        np.hypot(re, 500.0) - re
    )
    with pytest.raises(InvalidArgumentError, match="model: must be one of"):
        geo.virtual_height(100.0, "ionosonde")
    with pytest.raises(InvalidArgumentError, match="needs elevation"):
        geo.virtual_height(100.0, "elevation")


def test_impossible_geometry_is_nan():
    lat, lon = geo.cell_positions(equator_radar(0.0), 0.0, [100.0, np.nan], [500.0, 300.0])
    assert np.isnan(lat).all() and np.isnan(lon).all()


# -- pyDARN's numbers ------------------------------------------------------------------------
@pytest.mark.parametrize("name", FILES)
def test_corners_match_pydarn(datasets, name):
    t = TWIN["files"][name]
    fov = geo.field_of_view(datasets[name], rxrise=t["hardware_rxrise"], n_gates=t["nrang"])
    ref_lat = np.array(t["geographic_corners"]["lat"])  # (gate corner, beam corner)
    ref_lon = np.array(t["geographic_corners"]["lon"])
    assert fov["lat_corner"].shape == ref_lat.T.shape == (17, t["nrang"] + 1)
    np.testing.assert_allclose(fov["lat_corner"].values.T, ref_lat, atol=TOL, rtol=0)
    np.testing.assert_allclose(wrap(fov["lon_corner"].values.T - ref_lon), 0, atol=TOL)


@pytest.mark.parametrize("name", FILES)
def test_aacgm_corners_match_pydarn(datasets, name):
    pytest.importorskip("aacgmv2")
    t = TWIN["files"][name]
    fov = geo.field_of_view(
        datasets[name], rxrise=t["hardware_rxrise"], n_gates=t["nrang"], coords="aacgm",
        aacgm_altitude_km=250.0,
    )  # fmt: skip
    # pyDARN converts point by point; ours interpolates a 1-degree AACGM grid (< 0.001 deg)
    np.testing.assert_allclose(fov["mlat_corner"].values.T, t["aacgm_corners"]["mlat"], atol=1e-3)
    assert np.abs(wrap(fov["mlon_corner"].values.T - t["aacgm_corners"]["mlon"])).max() < 1e-3
    assert fov.attrs["aacgm_altitude_km"] == 250.0


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize(
    "case, model, elevation",
    [("centres_standard", "standard", None), ("centres_chisham", "chisham", None),
     ("centres_elevation20", "elevation", 20.0)],
)  # fmt: skip
def test_gate_positions_match_pydarn(datasets, name, case, model, elevation):
    t = TWIN["files"][name]
    rec = hw.hardware(t["stid"], datasets[name].time.values[0])
    beams = np.arange(t["beams"], dtype=float)[None, :]
    gates = np.arange(t["nrang"], dtype=float)[:, None] - 0.5  # pyDARN's centre: the near edge
    r = np.broadcast_to(
        geo._slant(t["frang"], t["rsep"], t["hardware_rxrise"], gates), (t["nrang"], t["beams"])
    )
    h = geo.virtual_height(r, model, 300.0, elevation)
    lat, lon = geo.cell_positions(rec, beams, r, h, chisham=model == "chisham")
    ref_lat, ref_lon = np.array(t[case]["lat"]), np.array(t[case]["lon"])
    # pyDARN passes an elevation's height through the standard model's range rules (115 km
    # below 600 km); we use it as it is: the same beyond 800 km of slant range
    same = r >= 800 if model == "elevation" else np.ones(r.shape, bool)
    assert same.sum() > 0.7 * same.size
    np.testing.assert_allclose(lat[same], ref_lat[same], atol=TOL, rtol=0)
    np.testing.assert_allclose(wrap(lon[same] - ref_lon[same]), 0, atol=TOL)
    if model == "elevation":
        assert np.abs(lat[~same] - ref_lat[~same]).max() > 0.01  # they do differ there


@pytest.mark.skipif(not os.environ.get("GEOSPACEXR_REF_PYDARN"), reason="set GEOSPACEXR_REF_PYDARN")
def test_live_pydarn_twin(superdarn_data):
    """pyDARN, run now on the real files, still gives the recorded twin."""
    out = subprocess.run(
        [os.environ["GEOSPACEXR_REF_PYDARN"], str(HERE / "reference" / "pydarn_geometry_twin.py"),
         str(superdarn_data), "-"],
        check=True, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    live = json.loads(out.stdout)
    assert live["pydarn"].startswith("4.")
    for name in FILES:
        for key, value in TWIN["files"][name].items():
            if isinstance(value, dict):
                for part, numbers in value.items():
                    np.testing.assert_allclose(
                        live["files"][name][key][part], numbers, atol=1e-6, err_msg=f"{name} {key}"
                    )
            else:
                assert live["files"][name][key] == value, (name, key)


def test_twin_generator_is_named_in_the_twin():
    assert TWIN["generator"] == "tests/superdarn/reference/pydarn_geometry_twin.py"
    assert (HERE / "reference" / "pydarn_geometry_twin.py").is_file()


# -- the Dataset functions ------------------------------------------------------------------
def test_slant_range_and_the_rxrise_rule(datasets):
    ds = datasets["pydarn/test.fitacf.bz2"]  # records: rxrise 100; hardware 1995-2019: 100
    c2 = geo.C_KM_PER_US / 2
    sr = ds.superdarn.slant_range()
    assert sr.dims == ("time", "range_gate") and sr.attrs["units"] == "km"
    np.testing.assert_allclose(sr.values[0, :3], 180 - 100 * c2 + 45 * np.arange(3))
    edge = geo.slant_range(ds, center=False)
    np.testing.assert_allclose(sr - edge, 22.5)
    zero = ds.assign(rxrise=ds.rxrise * 0)  # 0 in the record: the hardware's 100
    np.testing.assert_allclose(geo.slant_range(zero).values, sr.values)
    np.testing.assert_allclose(geo.slant_range(ds, rxrise=0).values, sr.values + 100 * c2)
    np.testing.assert_allclose(geo.slant_range(ds, rxrise="hardware").values, sr.values)
    with pytest.raises(InvalidArgumentError, match="rxrise"):
        geo.slant_range(ds, rxrise="record")
    with pytest.raises(InvalidArgumentError, match="rxrise"):
        geo.slant_range(ds, rxrise=np.nan)


def test_gate_positions_follow_each_records_beam(datasets):
    ds = datasets["pydarn/test.fitacf.bz2"]
    pos = ds.superdarn.gate_positions()
    assert pos["lat"].dims == ("time", "range_gate") and pos.attrs["radar"] == "han"
    fov = ds.superdarn.field_of_view()
    for i in (0, 1, 2, 57):
        b = int(ds.bmnum[i])
        np.testing.assert_allclose(pos["lat"].values[i], fov["lat"].values[b], atol=1e-12)
        np.testing.assert_allclose(pos["lon"].values[i], fov["lon"].values[b], atol=1e-12)
    # centres lie between the corners of their cell (where the virtual height is the same at
    # both ends of the cell: the standard model changes height between 600 and 800 km)
    lat_c = fov["lat_corner"].values
    r = fov["slant_range"].values
    flat = ((r - 22.5 >= 800) | ((r - 22.5 >= 150) & (r + 22.5 <= 600))) & (fov["lat"].values < 80)
    lo = np.minimum.reduce([lat_c[:-1, :-1], lat_c[1:, :-1], lat_c[:-1, 1:], lat_c[1:, 1:]])
    hi = np.maximum.reduce([lat_c[:-1, :-1], lat_c[1:, :-1], lat_c[:-1, 1:], lat_c[1:, 1:]])
    inside = (fov["lat"].values > lo) & (fov["lat"].values < hi)
    assert flat.sum() > 500 and np.all(inside[flat])


def test_elevation_from_the_measured_elv(datasets):
    ds = datasets["pydarn/test.fitacf.bz2"]
    pos = geo.gate_positions(ds, model="elevation")
    elv = ds["elv"].values
    assert np.array_equal(np.isfinite(pos["lat"].values), np.isfinite(elv))
    h = pos["virtual_height"].values
    sr = pos["slant_range"].values
    re = geo.EARTH_RADIUS_KM
    expected = np.sqrt(re**2 + 2 * sr * re * np.sin(np.radians(elv)) + sr**2) - re
    np.testing.assert_allclose(h[np.isfinite(elv)], expected[np.isfinite(elv)])
    one = geo.gate_positions(ds, model="elevation", elevation=20.0)
    assert np.isfinite(one["lat"].values).all()
    with pytest.raises(MissingVariableError, match="elv"):
        geo.gate_positions(ds.drop_vars("elv"), model="elevation")


def test_gate_positions_in_aacgm_round_trip_netcdf(datasets, tmp_path):
    pytest.importorskip("aacgmv2")
    ds = datasets["darn-dmap/test.fitacf"]
    pos = ds.superdarn.gate_positions(coords="aacgm")
    assert {"mlat", "mlon"} <= set(pos.data_vars) and pos.attrs["aacgm_altitude_km"] == 300.0
    assert np.all(pos["mlat"].values > 70) and np.all(pos["mlat"].values < 90)
    from geospacexr.geomagnetic import aacgm

    mlat, mlon = aacgm(pos["lat"].values, pos["lon"].values, 300.0, ds["time"].values[0])
    np.testing.assert_allclose(pos["mlat"].values, mlat, atol=1e-9)
    np.testing.assert_allclose(pos["mlon"].values, mlon, atol=1e-9)
    pos.to_netcdf(tmp_path / "pos.nc")
    with xr.open_dataset(tmp_path / "pos.nc") as back:
        xr.testing.assert_identical(back.load(), pos)


def test_field_of_view_of_a_radar_by_name():
    fov = geo.field_of_view("sas", time="2019-06-01", n_gates=20)
    assert fov.sizes == {"beam": 16, "range_gate": 20, "beam_corner": 17, "gate_corner": 21}
    assert json.loads(fov.attrs["hardware"])["beam_separation"] == 3.5
    assert fov.attrs["rxrise_us"] == 0.0 and fov.attrs["frang_km"] == 180.0  # Borealis line
    assert geo.field_of_view("sas", time="2000-01-01", n_gates=2).attrs["rxrise_us"] == 0.0
    assert geo.field_of_view("sas", time="1995-01-01", n_gates=2).attrs["rxrise_us"] == 100.0
    latest = geo.field_of_view(5)
    assert latest.sizes["range_gate"] == 225
    with pytest.raises(InvalidArgumentError, match="n_gates"):
        geo.field_of_view("sas", n_gates=0)
    with pytest.raises(OutOfRangeError):
        geo.field_of_view("sas", time="1980-01-01")
    with pytest.raises(InvalidArgumentError, match="coords"):
        geo.field_of_view("sas", coords="gse")


def test_records_on_both_sides_of_a_hardware_change():
    """Saskatoon's beams were 3.5 degrees apart from 2018-12-20 16:11 (Borealis) to 2022-02-01."""
    ds = geospacexr.datasets.open_sample("superdarn-fitacf").isel(time=slice(0, 32))
    change = np.datetime64("2018-12-20T16:11:00", "ns")
    times = change + (np.arange(32) - 16) * np.timedelta64(4, "s")
    ds = ds.assign_coords(time=times).assign(rxrise=ds.rxrise * 0)  # hardware rise times
    pos = geo.gate_positions(ds)
    for i in (0, 20):
        rec = hw.hardware("sas", times[i])
        b = float(ds.bmnum.values[i])
        r = pos["slant_range"].values[i]
        lat, lon = geo.cell_positions(rec, b, r, geo.virtual_height(r))
        np.testing.assert_allclose(pos["lat"].values[i], lat, atol=1e-12)
        np.testing.assert_allclose(pos["lon"].values[i], lon, atol=1e-12)
    assert hw.hardware("sas", times[0]).beam_separation == 3.24
    assert hw.hardware("sas", times[20]).beam_separation == 3.5
    # the rise time follows the line too: 0 from 1996 on
    np.testing.assert_allclose(pos["slant_range"].values[:, 0], float(ds.frang[0]))
    with pytest.raises(OutOfRangeError, match="no hardware before 1993-09-29"):
        geo.gate_positions(ds.assign_coords(time=times - np.timedelta64(9500, "D")))
