"""Coordinate frames (geospacexr.rb.frames) against geopack and geometric identities."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from geospacexr import solar
from geospacexr.errors import InvalidArgumentError
from geospacexr.rb import frames, igrf

HERE = Path(__file__).resolve().parent
RECORD = HERE / "data" / "geopack_igrf_frames.json"
SCRIPT = HERE / "reference" / "geopack_igrf_frames.py"
TIMES = ["1950-02-03T04:05", "1987-06-21T12:00", "2003-10-29T06:11", "2024-12-21T18:00", 2029.9]


@pytest.fixture(scope="module")
def record() -> dict:
    return json.loads(RECORD.read_text())


@pytest.fixture(scope="module")
def live_record(tmp_path_factory) -> dict:
    python = os.environ.get("GEOSPACEXR_REF_RB")
    if not python:
        pytest.skip("set GEOSPACEXR_REF_RB to the reference interpreter to run live comparisons")
    out = tmp_path_factory.mktemp("ref") / "geopack_igrf_frames.json"
    subprocess.run([python, str(SCRIPT), str(out)], check=True, capture_output=True, timeout=600)
    return json.loads(out.read_text())


def compare_frames(rec: dict) -> dict[str, float]:
    """Worst absolute differences of tilt (rad) and matrix elements; asserts the tolerances."""
    worst = {"tilt": 0.0, "matrix": 0.0, "tilt_shipped": 0.0, "matrix_shipped": 0.0}
    for case in rec["frames"]:
        t = case["time"]
        for variant, suffix in (("float64", ""), ("shipped", "_shipped")):
            ref = case[variant]
            worst["tilt" + suffix] = max(
                worst["tilt" + suffix], abs(frames.dipole_tilt(t) - ref["tilt"])
            )
            for pair, matrix in ref["matrices"].items():
                a, b = pair.split("->")
                diff = np.abs(frames.rotation(a, b, t) - np.array(matrix)).max()
                worst["matrix" + suffix] = max(worst["matrix" + suffix], diff)
    # same algorithm and ephemeris as geopack: agreement to rounding
    assert worst["tilt"] < 1e-9 and worst["matrix"] < 1e-9, worst
    # geopack's float32 coefficients move the dipole axis by ~1e-8 rad
    assert worst["tilt_shipped"] < 1e-7 and worst["matrix_shipped"] < 1e-7, worst
    return worst


def test_frames_tuple():
    assert frames.FRAMES == ("GEO", "GEI", "GSE", "GSM", "SM", "MAG")


@pytest.mark.parametrize("time", TIMES)
def test_rotations_are_orthonormal_and_compose(time):
    for a, b in itertools.product(frames.FRAMES, repeat=2):
        r = frames.rotation(a, b, time)
        np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-14)
        assert np.linalg.det(r) == pytest.approx(1.0, abs=1e-14)
        np.testing.assert_allclose(frames.rotation(b, a, time), r.T, atol=1e-15)
        for c in frames.FRAMES:
            np.testing.assert_allclose(
                frames.rotation(b, c, time) @ r, frames.rotation(a, c, time), atol=1e-14
            )
    np.testing.assert_array_equal(frames.rotation("GSM", "GSM", time), np.eye(3))


@pytest.mark.parametrize("time", TIMES)
def test_round_trips(time):
    rng = np.random.default_rng(5)
    x, y, z = rng.normal(size=(3, 4, 5)) * 6
    for a, b in itertools.permutations(frames.FRAMES, 2):
        back = frames.transform(*frames.transform(x, y, z, a, b, time), b, a, time)
        np.testing.assert_allclose(back, (x, y, z), atol=1e-13)
    out = frames.transform(x, y, z, "GEO", "GSM", time)
    assert np.allclose(np.linalg.norm(out, axis=0), np.linalg.norm((x, y, z), axis=0))


@pytest.mark.parametrize("time", TIMES)
def test_geometry_of_the_definitions(time):
    g10, g11, h11 = igrf.dipole_coefficients(time)
    dipole_geo = -np.array([g11, h11, g10]) / np.sqrt(g10**2 + g11**2 + h11**2)
    ez = np.array([0.0, 0.0, 1.0])
    ex = np.array([1.0, 0.0, 0.0])
    # dipole axis is z of MAG and SM
    np.testing.assert_allclose(frames.rotation("GEO", "MAG", time) @ dipole_geo, ez, atol=1e-14)
    np.testing.assert_allclose(frames.rotation("GEO", "SM", time) @ dipole_geo, ez, atol=1e-14)
    # MAG y lies in the geographic equator
    assert abs((frames.rotation("MAG", "GEO", time) @ [0, 1, 0])[2]) < 1e-15
    # GSE and GSM share x (the Sun), GSM and SM share y, GEO and GEI share z
    np.testing.assert_allclose(frames.rotation("GSE", "GSM", time) @ ex, ex, atol=1e-14)
    np.testing.assert_allclose(frames.rotation("SM", "GSM", time)[:, 1], [0, 1, 0], atol=1e-14)
    np.testing.assert_allclose(frames.rotation("GEI", "GEO", time) @ ez, ez, atol=1e-14)
    # the dipole lies in GSM's x-z plane, with z > 0, at angle tilt from z toward x
    ps = frames.dipole_tilt(time)
    d_gsm = frames.rotation("GEO", "GSM", time) @ dipole_geo
    np.testing.assert_allclose(d_gsm, [np.sin(ps), 0.0, np.cos(ps)], atol=1e-14)
    # SM -> GSM is a rotation about y by the tilt (geopack's SMGSM)
    c, s = np.cos(ps), np.sin(ps)
    np.testing.assert_allclose(
        frames.rotation("SM", "GSM", time), [[c, 0, s], [0, 1, 0], [-s, 0, c]], atol=1e-14
    )
    # GSE z is the ecliptic pole: 23.44 degrees from GEI z, in GEI's y-z plane
    pole = frames.rotation("GSE", "GEI", time) @ ez
    assert np.degrees(np.arccos(pole[2])) == pytest.approx(23.44, abs=0.01)
    assert abs(pole[0]) < 1e-15 and pole[1] < 0


@pytest.mark.parametrize("time", ["2001-03-20T13:31", "2016-08-01T00:00", "2023-12-05T22:10"])
def test_sun_direction_matches_the_subsolar_point(time):
    # geospacexr.solar (Astronomical Almanac, with the equation of time) vs GSE x in GEO
    sun = frames.rotation("GSE", "GEO", time) @ [1.0, 0.0, 0.0]
    lat, lon = solar.subsolar_point(time)
    assert np.degrees(np.arcsin(sun[2])) == pytest.approx(lat, abs=0.02)
    assert (np.degrees(np.arctan2(sun[1], sun[0])) - lon + 180) % 360 - 180 == pytest.approx(
        0, abs=0.02
    )


def test_tilt_sign_and_none():
    assert frames.dipole_tilt(None) == 0.0
    # solstices, when the northern dipole pole (80.7 N, 72.7 W in 2020) is at noon or midnight:
    # |tilt| = obliquity + dipole colatitude = 23.44 + 9.35 degrees
    g10, g11, h11 = igrf.dipole_coefficients("2020-06-21")
    colatitude = np.degrees(np.arctan2(np.hypot(g11, h11), -g10))
    assert colatitude == pytest.approx(9.35, abs=0.05)
    peak = 23.44 + colatitude
    assert np.degrees(frames.dipole_tilt("2020-06-21T16:51")) == pytest.approx(peak, abs=0.1)
    assert np.degrees(frames.dipole_tilt("2020-12-21T04:51")) == pytest.approx(-peak, abs=0.1)
    assert abs(frames.dipole_tilt("2020-06-21T04:51")) < abs(frames.dipole_tilt("2020-06-21T16:51"))


def test_time_types_and_case():
    ref = frames.rotation("GEO", "GSM", np.datetime64("2012-05-06T07:08:09"))
    for t in (
        "2012-05-06T07:08:09",
        "2012-05-06T07:08:09Z",
        dt.datetime(2012, 5, 6, 7, 8, 9),
        dt.datetime(2012, 5, 6, 9, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    ):
        np.testing.assert_allclose(frames.rotation("geo", " Gsm ", t), ref, atol=1e-15)


def test_transform_shapes():
    t = "2010-01-01"
    out = frames.transform(1.0, [0.0, 1.0], [[0.0], [2.0], [3.0]], "GEO", "SM", t)
    assert all(a.shape == (3, 2) for a in out)
    scalar = frames.transform(1.0, 2.0, 3.0, "GSM", "GSE", t)
    assert all(np.shape(a) == () for a in scalar)


def test_unknown_frames():
    with pytest.raises(InvalidArgumentError) as info:
        frames.rotation("GSW", "GEO", "2010-01-01")
    assert info.value.argument == "from_frame"
    assert "GEO, GEI, GSE, GSM, SM, MAG" in str(info.value)
    with pytest.raises(InvalidArgumentError) as info:
        frames.transform(1.0, 0.0, 0.0, "GEO", "HEE", "2010-01-01")
    assert info.value.argument == "to_frame"
    with pytest.raises(InvalidArgumentError):
        frames.rotation(None, "GEO", "2010-01-01")


@pytest.mark.parametrize("time", ["1899-06-01", "2030-06-01", "garbage", None])
def test_times_outside_igrf(time):
    with pytest.raises(InvalidArgumentError) as info:
        frames.rotation("GEO", "GSM", time)
    assert info.value.argument == "time"
    if time is not None:
        with pytest.raises(InvalidArgumentError):
            frames.dipole_tilt(time)


def test_against_geopack_recorded(record):
    worst = compare_frames(record)
    print("worst differences:", worst)


def test_against_geopack_live(live_record):
    worst = compare_frames(live_record)
    print("worst differences:", worst)
