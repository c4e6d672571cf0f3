import numpy as np
import pytest

from geospacexr import asi, datasets, open_skymap
from geospacexr.errors import IncompatibleInputError, OutOfRangeError
from geospacexr.geodesy import look_to_geographic


@pytest.fixture(scope="module")
def images():
    return datasets.open_sample("themis-gill")


@pytest.fixture(scope="module")
def sky():
    return datasets.open_sample("themis-gill-skymap")


def test_skymap_at_file_and_interpolated_altitudes(sky):
    at110 = asi.skymap_at(sky, 110)
    np.testing.assert_array_equal(at110.lat_corner.values, sky.lat_corner.sel(altitude=110).values)
    at130 = asi.skymap_at(sky, 130)
    lo, hi = sky.lat_corner.sel(altitude=110).values, sky.lat_corner.sel(altitude=150).values
    np.testing.assert_allclose(at130.lat_corner.values, 0.5 * (lo + hi), rtol=1e-6)
    with pytest.raises(OutOfRangeError, match="outside the skymap's mapping altitudes"):
        asi.skymap_at(sky, 250)


def test_pixel_centres_agree_with_line_of_sight_geometry(shared_data):
    """Centres from the file's corners (real ATHA skymap) against the geometry from az/el."""
    real = open_skymap(shared_data / "asi/themis_skymap_atha_20230115-+_v02.sav")
    centres = asi.pixel_centres(real, 110)
    lat, lon = look_to_geographic(
        real.site_lat, real.site_lon, 0.0, real.azimuth.values, real.elevation.values, 110.0
    )
    high = real.elevation.values > 10
    assert np.nanmax(np.abs(centres.lat.values - lat)[high]) < 0.01
    assert np.nanmax(np.abs((centres.lon.values - lon + 180) % 360 - 180)[high]) < 0.05


def test_magnetic_agrees_with_aacgmv2(sky):
    aacgmv2 = pytest.importorskip("aacgmv2")
    exact = sky.asi.magnetic("2014-03-10T06:00", 110, grid_deg=0)
    gridded = sky.asi.magnetic("2014-03-10T06:00", 110)  # the default: interpolated
    centres = asi.pixel_centres(sky, 110)
    for y, x in ((128, 127), (60, 200), (200, 40)):
        mlat, mlon, _ = aacgmv2.convert_latlon(
            float(centres.lat[y, x]),
            float(centres.lon[y, x]),
            110.0,
            np.datetime64("2014-03-10T06:00").astype(object),
        )
        assert float(exact.mlat[y, x]) == pytest.approx(mlat, abs=1e-6)
        assert float(exact.mlon[y, x]) == pytest.approx(mlon, abs=1e-6)
    # every pixel of the field of view: the interpolated default within 0.001 degree
    ok = np.isfinite(exact.mlat.values)
    assert ok.sum() > 30000
    assert np.array_equal(ok, np.isfinite(gridded.mlat.values))
    assert np.abs(gridded.mlat.values - exact.mlat.values)[ok].max() < 1e-3
    dlon = (gridded.mlon.values - exact.mlon.values + 180) % 360 - 180
    assert np.abs(dlon * np.cos(np.deg2rad(exact.mlat.values)))[ok].max() < 1e-3


def test_geographic_keogram(images, sky):
    keo = images.asi.keogram(sky, axis="geo")
    assert keo.dims == ("lat", "time")
    assert np.all(np.diff(keo.lat.values) > 0)
    assert keo.elevation.values.min() >= 5.0
    col = keo.attrs["column"]
    centres = asi.pixel_centres(sky, 110)
    for k in (0, keo.sizes["lat"] // 2, -1):
        y = int(keo.y.values[k])
        assert keo.lat.values[k] == pytest.approx(float(centres.lat[y, col]))
        np.testing.assert_array_equal(keo.values[k], images.image.values[:, y, col])
    # a higher cutoff keeps fewer rows; another altitude moves the latitudes outward
    assert images.asi.keogram(sky, axis="geo", min_elevation=30).sizes["lat"] < keo.sizes["lat"]
    high = images.asi.keogram(sky, axis="geo", altitude_km=150)
    assert high.lat.values.min() < keo.lat.values.min()


def test_magnetic_keogram(images, sky):
    pytest.importorskip("aacgmv2")
    keo = images.asi.keogram(sky, axis="mag")
    assert keo.dims == ("mlat", "time") and np.all(np.diff(keo.mlat.values) > 0)
    assert 60 < keo.mlat.values.mean() < 72  # Gillam is near 66 magnetic latitude


def test_skymap_mismatches_are_refused(images, shared_data):
    atha = open_skymap(shared_data / "asi/themis_skymap_atha_20230115-+_v02.sav")
    with pytest.raises(IncompatibleInputError, match="site 'atha'"):
        images.asi.keogram(atha, axis="geo")
    gill = datasets.open_sample("themis-gill-skymap")
    late = gill.assign_attrs(valid_start="2020-01-01T00:00:00")
    with pytest.raises(IncompatibleInputError, match="predate"):
        images.asi.keogram(late, axis="geo")


def test_ewogram(images, sky):
    ccd = images.asi.ewogram()
    assert ccd.dims == ("x", "time") and ccd.attrs["row"] == 127
    np.testing.assert_array_equal(ccd.values, images.image.values[:, 127, :].T)
    geo = images.asi.ewogram(sky, axis="geo")
    assert geo.dims == ("lon", "time") and np.all(np.diff(geo.lon.values) > 0)
    centres = asi.pixel_centres(sky, 110)
    x = int(geo.x.values[0])
    assert geo.lon.values[0] == pytest.approx(float(centres.lon[127, x]))
    # the site lies inside the ewogram's longitude span
    assert geo.lon.values.min() < images.attrs["site_lon"] < geo.lon.values.max()


def test_cadence_marks_missing_frames(images):
    gap = images.isel(time=list(range(10)) + list(range(15, 60)))
    keo = gap.asi.keogram(cadence=3.0)
    assert keo.sizes["time"] == 60
    missing = np.isnan(keo.values).all(axis=0)
    assert missing.sum() == 5 and missing[10:15].all()
    np.testing.assert_array_equal(keo.values[:, 20], images.image.values[20, :, 127])
    with pytest.raises(ValueError, match="positive"):
        asi.inject_nans(images.asi.keogram(), 0)
