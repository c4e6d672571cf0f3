"""The slit on an imager's CCD: geographic points put on the CCD to a fraction of a pixel."""

import numpy as np
import pytest

from geospacexr import datasets
from geospacexr.asi.skymaps import pixel_centres, skymap_at
from geospacexr.asi.spectrograph import ccd_position, slit_on_ccd, slit_polygons
from geospacexr.errors import InvalidArgumentError, OutOfRangeError


@pytest.fixture(scope="module")
def skymaps():
    return (
        datasets.open_sample("themis-tpas-skymap"),
        datasets.open_sample("trex_spect-rabb")["skymap"],
    )


def test_pixel_centres_and_corners_land_where_they_are(skymaps):
    sky, _ = skymaps
    rows, cols = np.array([100, 128, 60, 200]), np.array([120, 128, 200, 90])
    centres = pixel_centres(sky, 110.0)
    x, y = ccd_position(sky, centres.lat.values[rows, cols], centres.lon.values[rows, cols])
    np.testing.assert_allclose(x, cols, atol=1e-9)
    np.testing.assert_allclose(y, rows, atol=1e-9)
    # a pixel corner is half a pixel down and left of its pixel's centre (sub-pixel position)
    corners = skymap_at(sky, 110.0)
    x, y = ccd_position(
        sky, corners.lat_corner.values[rows, cols], corners.lon_corner.values[rows, cols]
    )
    np.testing.assert_allclose(x, cols - 0.5, atol=0.02)
    np.testing.assert_allclose(y, rows - 0.5, atol=0.02)
    # at another altitude the same point falls elsewhere (farther from the zenith when lower)
    x150, y150 = ccd_position(sky, centres.lat.values[60, 200], centres.lon.values[60, 200], 150.0)
    assert np.hypot(x150 - 128, y150 - 128) < np.hypot(200 - 128, 60 - 128)


def test_points_outside_the_field_of_view_are_nan(skymaps):
    sky, _ = skymaps
    x, y = ccd_position(sky, [10.0, 54.0], [0.0, -100.9])
    assert np.isnan(x[0]) and np.isnan(y[0]) and np.isfinite(x[1]) and np.isfinite(y[1])
    with pytest.raises(InvalidArgumentError, match="same shape"):
        ccd_position(sky, [1.0, 2.0], [1.0])
    with pytest.raises(OutOfRangeError):
        ccd_position(sky, [54.0], [-100.0], altitude_km=400.0)


def test_slit_on_ccd_follows_the_map_polygons(skymaps):
    sky, spect = skymaps
    slit = slit_on_ccd(spect, sky, 110.0)
    poly = slit_polygons(spect, 110.0)
    assert slit.sizes == {"spatial": 256, "vertex": 5}
    inside = slit.inside.values
    assert 0 < inside.sum() < 256  # the slit runs out of The Pas's field of view
    assert np.isnan(slit.x.values[~inside]).all()
    # each drawn vertex is on the CCD where the skymap puts its latitude and longitude: the
    # pixel-centre field interpolated (bilinearly) there gives them back
    from scipy.ndimage import map_coordinates

    centres = pixel_centres(sky, 110.0)
    xs, ys = slit.x.values[inside].ravel(), slit.y.values[inside].ravel()
    for name in ("lat", "lon"):
        field = np.nan_to_num(centres[name].values, nan=0.0)
        got = map_coordinates(field, [ys, xs], order=1)
        sure = map_coordinates(np.isfinite(centres[name].values) * 1.0, [ys, xs], order=1) == 1
        want = poly[name].values[inside].ravel()
        assert sure.mean() > 0.9
        assert np.abs(got - want)[sure].max() < 0.02, name  # pixels are 0.05-0.4 degrees
    # the slit runs south to north along a meridian: its bins step along the CCD's rows
    centre_y = slit.y.values[inside].mean(axis=1)
    steps = np.diff(centre_y[np.argsort(poly.lat.values[inside].mean(axis=1))])
    assert (steps > 0).all() or (steps < 0).all()
