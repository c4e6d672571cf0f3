"""Dip equator, centred-dipole coordinates and MLT from IGRF-14."""

from __future__ import annotations

import numpy as np
import pytest

from geospacexr import geomagnetic
from geospacexr.errors import InvalidArgumentError
from geospacexr.rb import igrf


def test_dip_equator_is_horizontal_field():
    lons = np.linspace(-180, 170, 36)
    t = "2015-06-01"
    lats = geomagnetic.dip_equator(lons, t)
    lat, lon = np.deg2rad(lats), np.deg2rad(lons)
    p = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    b = np.array(igrf.igrf_field(*p, t))
    inclination = np.degrees(np.arcsin(np.sum(b * p, axis=0) / np.linalg.norm(b, axis=0)))
    np.testing.assert_allclose(inclination, 0.0, atol=1e-4)
    assert np.all(np.abs(lats) < 20)


def test_dip_equator_published_points():
    # the dip equator passes near Jicamarca (11.95 S, 76.87 W; dip ~1 deg in the 2010s) and
    # Thumba, India (8.5 N, 76.9 E: the "magnetic equator station" of the 1960s-2000s)
    lat_peru = geomagnetic.dip_equator(-76.87, "2015-01-01")
    assert -13.5 < float(lat_peru) < -10.5
    lat_india = geomagnetic.dip_equator(76.9, "1980-01-01")
    assert 7.0 < float(lat_india) < 10.0


def test_dipole_coordinates_pole_and_mlt():
    t = "2020-01-01"
    g10, g11, h11 = igrf.dipole_coefficients(t)
    # the northern geomagnetic pole: colatitude acos(-g10/B0), longitude atan2(-h11, -g11)
    b0 = np.sqrt(g10**2 + g11**2 + h11**2)
    pole_lat = 90 - np.degrees(np.arccos(-g10 / b0))
    pole_lon = np.degrees(np.arctan2(-h11, -g11))
    mlat, _ = geomagnetic.dipole_coordinates(pole_lat, pole_lon, t)
    assert float(mlat) == pytest.approx(90.0, abs=1e-6)
    assert 80.0 < pole_lat < 81.0 and -73.0 < pole_lon < -72.0  # IGRF-14 2020: 80.65 N, 72.68 W
    # local noon: the subsolar point has MLT close to 12 (within the dipole's offset)
    from geospacexr.solar import subsolar_point

    slat, slon = subsolar_point(np.datetime64("2020-01-01T12:00"))
    _, smlon = geomagnetic.dipole_coordinates(slat, slon, "2020-01-01T12:00")
    assert abs(float(geomagnetic.magnetic_local_time(smlon, "2020-01-01T12:00")) - 12.0) < 1.5


def test_bad_height():
    with pytest.raises(InvalidArgumentError, match="height"):
        geomagnetic.dip_equator([0.0], "2015-01-01", height_km=-5)


# --- AACGM-v2 for many points (gridded, interpolated) against aacgmv2 called directly ----------


def _aacgm_direct(lat, lon, altitude_km, when):
    aacgmv2 = pytest.importorskip("aacgmv2")
    mlat, mlon, _ = aacgmv2.convert_latlon_arr(
        lat.ravel(), lon.ravel(), altitude_km, when, method_code="G2A"
    )
    return np.asarray(mlat).reshape(lat.shape), np.asarray(mlon).reshape(lat.shape)


@pytest.mark.parametrize(
    "centre_lon", [-94.6, 179.0]
)  # Gillam; a field of view on the antimeridian
def test_aacgm_grid_matches_direct_conversion(centre_lon):
    import datetime

    from geospacexr.geomagnetic import aacgm

    pytest.importorskip("aacgmv2")
    rng = np.random.default_rng(3)
    lat = rng.uniform(47.0, 66.0, (120, 100))
    lon = centre_lon + rng.uniform(-18.0, 18.0, lat.shape)
    lon = (lon + 180.0) % 360.0 - 180.0
    lat[0, :5] = np.nan  # outside the field of view
    when = datetime.datetime(2014, 3, 10, 6)
    mlat, mlon = aacgm(lat, lon, 110.0, "2014-03-10T06:00", grid_deg=1.0)
    ref_lat, ref_lon = _aacgm_direct(lat, lon, 110.0, when)
    assert np.isnan(mlat[0, :5]).all() and np.isnan(mlon[0, :5]).all()
    ok = np.isfinite(ref_lat)
    assert np.abs(mlat - ref_lat)[ok].max() < 1e-3
    dlon = (mlon - ref_lon + 180.0) % 360.0 - 180.0
    assert np.abs(dlon * np.cos(np.deg2rad(ref_lat)))[ok].max() < 1e-3
    assert ((mlon >= -180.0) & (mlon < 180.0))[ok].all()


def test_aacgm_small_sets_are_converted_directly():
    import datetime

    from geospacexr.geomagnetic import aacgm

    pytest.importorskip("aacgmv2")
    lat = np.array([56.38, 62.0, 49.5])
    lon = np.array([-94.64, -114.4, -80.0])
    mlat, mlon = aacgm(lat, lon, 110.0, "2014-03-10T06:00")
    ref_lat, ref_lon = _aacgm_direct(lat, lon, 110.0, datetime.datetime(2014, 3, 10, 6))
    np.testing.assert_array_equal(mlat, ref_lat)
    np.testing.assert_allclose((mlon - ref_lon + 180.0) % 360.0 - 180.0, 0.0, atol=1e-12)


def test_aacgm_refuses_mismatched_shapes():
    from geospacexr.errors import InvalidArgumentError
    from geospacexr.geomagnetic import aacgm

    pytest.importorskip("aacgmv2")
    with pytest.raises(InvalidArgumentError, match="differ in shape"):
        aacgm(np.zeros(3), np.zeros(4), 110.0, "2014-03-10")
