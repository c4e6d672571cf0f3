"""Custom keograms: along a path (PyAuroraX create_custom) and along a meridian.

The CCD-path reference numbers were recorded once from PyAuroraX 1.27
``tools.keogram.create_custom(images, timestamps, "ccd", 6, x_locs, y_locs, metric=...)`` on the
themis-gill sample (per segment: first, second and last frame; and the row sums). PyAuroraX
stores single-channel rows in an integer array, so its ``mean`` is our mean truncated.
"""

import numpy as np
import pytest

from geospacexr import asi, datasets
from geospacexr.errors import OutOfRangeError

XS = [20, 60, 127, 200, 230]
YS = [30, 90, 128, 170, 240]
RECORDED = {
    "sum": [
        [1648501.0, 1649057.0, 1647781.0],
        [1928230.0, 1926710.0, 1928824.0],
        [2118627.0, 2119288.0, 2466135.0],
        [2007506.0, 2028065.0, 2037174.0],
    ],
    "sum_total": [98876192.0, 115610669.0, 130289325.0, 125367048.0],
    "mean": [
        [4110.0, 4112.0, 4109.0],
        [4294.0, 4291.0, 4295.0],
        [4314.0, 4316.0, 5022.0],
        [4657.0, 4705.0, 4726.0],
    ],
}


@pytest.fixture(scope="module")
def images():
    return datasets.open_sample("themis-gill")


@pytest.fixture(scope="module")
def sky():
    return datasets.open_sample("themis-gill-skymap")


def _pick(rows):
    return [[row[0], row[1], row[-1]] for row in rows]


def check(reference, images):
    path = list(zip(XS, YS, strict=True))
    total = images.asi.keogram(path=path, width=6, metric="sum")
    assert total.dims == ("segment", "time")
    assert _pick(total.values.tolist()) == _pick(reference["sum"])
    if "sum_total" in reference:
        assert total.values.sum(axis=1).tolist() == reference["sum_total"]
    mean = images.asi.keogram(path=path, width=6, metric="mean")
    assert _pick(np.trunc(mean.values).tolist()) == _pick(reference["mean"])
    # the mean is the sum over the segment's pixels
    np.testing.assert_allclose(mean.values * mean.pixels.values[:, None], total.values)


def test_path_keogram_against_recorded_pyaurorax(images):
    check(RECORDED, images)


def test_path_keogram_against_pyaurorax_live(images, ucalgary_reference):
    reference = ucalgary_reference(
        "pyaurorax_custom_keogram.py",
        datasets.sample_path("themis-gill"),
        ",".join(map(str, XS)),
        ",".join(map(str, YS)),
        "6",
    )
    check(reference, images)


def test_path_pixels_are_those_of_a_straight_strip(images):
    """A horizontal CCD segment of width 4 covers the rows within the strip, nothing else."""
    k = asi.path_keogram(images, [(100, 120), (140, 120)], width=4, metric="mean")
    data = images.image.values.astype(float)
    # Path.contains_points on the rectangle x 100..140, y 118..122 (corners excluded/included
    # by matplotlib's rule): compare with the explicit pixel block it selects
    block = data[:, 118:123, 100:141]
    inside = k.pixels.item()
    assert 3 * 39 <= inside <= 5 * 41
    assert np.all(k.values[0] >= block.min(axis=(1, 2)))
    assert np.all(k.values[0] <= block.max(axis=(1, 2)))
    median = asi.path_keogram(images, [(100, 120), (140, 120)], width=4, metric="median")
    p50 = asi.path_keogram(
        images, [(100, 120), (140, 120)], width=4, metric="percentile", percentile=50
    )
    np.testing.assert_allclose(median.values, p50.values)


def test_geographic_path_round_trips_pixel_centres(images, sky):
    centres = asi.pixel_centres(sky)
    chosen = [(60, 127), (128, 130), (200, 140)]  # (y, x)
    path = [(centres.lat.values[y, x], centres.lon.values[y, x]) for y, x in chosen]
    xy = asi.path_pixels(images, path, sky, axis="geo")
    assert xy.tolist() == [[x, y] for y, x in chosen]
    k = images.asi.keogram(sky, axis="geo", path=path, width=3)
    assert k.sizes["segment"] == 2
    assert np.all(np.diff(k.lat.values) > 0)
    # the same strip as the CCD path through those pixels
    ccd = images.asi.keogram(path=[(x, y) for y, x in chosen], width=3)
    np.testing.assert_array_equal(k.values, ccd.values)


def test_points_outside_the_field_of_view_are_dropped(images, sky):
    centres = asi.pixel_centres(sky)
    inside = (centres.lat.values[128, 127], centres.lon.values[128, 127])
    far = (inside[0] + 30.0, inside[1])
    xy = asi.path_pixels(images, [inside, far, (inside[0] + 1.0, inside[1])], sky, axis="geo")
    assert len(xy) == 2
    with pytest.raises(OutOfRangeError, match="at least two"):
        images.asi.keogram(sky, axis="geo", path=[inside, far])
    with pytest.raises(OutOfRangeError, match="at least two"):
        images.asi.keogram(path=[(10, 10), (-5, 400)])


def test_rgb_path_keogram_has_channel_last():
    rgb = datasets.open_sample("trex_rgb-gill")
    k = rgb.asi.keogram(path=[(40, 40), (120, 200)], width=5, metric="median")
    assert k.dims == ("segment", "time", "channel")
    assert k.sizes["channel"] == 3


def test_meridian_keogram_follows_the_meridian(images, sky):
    centres = asi.pixel_centres(sky)
    target = float(centres.lon.values[128, 127]) + 0.3
    k = images.asi.keogram(sky, axis="geo", longitude=target)
    assert k.dims == ("lat", "time")
    assert np.all(np.diff(k.lat.values) > 0)
    lon = centres.lon.values
    elevation = sky.elevation.values
    for y, x in zip(k.y.values, k.x.values, strict=True):
        row = np.where(np.isfinite(lon[y]) & (elevation[y] >= 5), np.abs(lon[y] - target), np.inf)
        assert x == int(np.argmin(row))  # brute force: nearest pixel of the row
        assert k.elevation.values[list(k.y.values).index(y)] >= 5
    np.testing.assert_array_equal(k.values, images.image.values[:, k.y.values, k.x.values].T)
    # near the zenith the meridian's pixels are within half a pixel of the target longitude
    spacing = np.nanmedian(np.abs(np.diff(lon[100:156, 100:156], axis=1)))
    high = k.elevation.values > 60
    assert high.sum() > 20
    assert np.all(np.abs(k.lon.values[high] - target) <= spacing)


def test_magnetic_meridian_keogram(images, sky):
    mag = asi.magnetic(sky, images.time.values[0])
    target = float(mag.mlon.values[128, 127])
    k = images.asi.keogram(sky, axis="mag", longitude=target)
    assert k.dims == ("mlat", "time")
    assert np.all(np.diff(k.mlat.values) > 0)
    assert k.mlat.min() < float(mag.mlat.values[128, 127]) < k.mlat.max()
    with pytest.raises(OutOfRangeError, match="does not cross"):
        images.asi.keogram(sky, axis="mag", longitude=target + 90)


def test_custom_keogram_argument_errors(images, sky):
    with pytest.raises(ValueError, match="one of column, longitude or path"):
        images.asi.keogram(column=10, path=[(1, 1), (5, 5)])
    with pytest.raises(ValueError, match="needs the site's skymap"):
        images.asi.keogram(axis="geo", longitude=-94.0)
    with pytest.raises(ValueError, match="axis='geo' or 'mag'"):
        asi.meridian_keogram(images, sky, -94.0, axis="ccd")
    with pytest.raises(ValueError, match="at least two"):
        images.asi.keogram(path=[(1, 1)])
    with pytest.raises(ValueError, match="width must be"):
        images.asi.keogram(path=[(1, 1), (5, 5)], width=0)
    with pytest.raises(ValueError, match="percentile"):
        images.asi.keogram(path=[(1, 1), (5, 5)], metric="percentile")
    with pytest.raises(ValueError, match="only goes with"):
        images.asi.keogram(path=[(1, 1), (5, 5)], percentile=20)
    with pytest.raises(ValueError, match="metric must be"):
        images.asi.keogram(path=[(1, 1), (5, 5)], metric="max")
    with pytest.raises(ValueError, match="needs the site's skymap"):
        images.asi.keogram(axis="geo", path=[(55, -95), (56, -95)])
    with pytest.raises(OutOfRangeError, match="no path segment"):
        images.asi.keogram(path=[(5, 5), (5, 5)])
