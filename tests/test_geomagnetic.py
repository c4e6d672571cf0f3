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
