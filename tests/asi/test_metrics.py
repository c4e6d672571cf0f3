import numpy as np
import pytest

from geospacexr import asi, datasets


@pytest.fixture(scope="module")
def ds():
    return datasets.open_sample("themis-gill")


@pytest.mark.parametrize("metric", ["mean", "median", "sum"])
def test_box_metric_matches_numpy(ds, metric):
    x0, x1, y0, y1 = 100, 140, 150, 200
    box = ds.image.values[:, y0:y1, x0:x1].astype(float)
    expected = getattr(np, metric)(box, axis=(1, 2))
    np.testing.assert_allclose(
        asi.box_metric(ds, ccd=(x0, x1, y0, y1), metric=metric).values, expected
    )


def test_percentile_and_rgb(ds):
    out = ds.asi.box_metric(ccd=(0, 9, 0, 9), metric="percentile", percentile=90)
    np.testing.assert_allclose(
        out.values, np.percentile(ds.image.values[:, :9, :9].astype(float), 90, axis=(1, 2))
    )
    rgb = datasets.open_sample("trex_rgb-gill")
    series = rgb.asi.box_metric(ccd=(200, 300, 100, 200))
    assert series.dims == ("time", "channel")


def test_bad_boxes(ds):
    with pytest.raises(ValueError, match="empty box"):
        asi.box_metric(ds, ccd=(10, 10, 0, 1))
    # reversed bounds are swapped, as PyAuroraX does
    np.testing.assert_array_equal(
        asi.box_metric(ds, ccd=(20, 10, 5, 0)).values, asi.box_metric(ds, ccd=(10, 20, 0, 5)).values
    )
    # the whole image: upper bounds may equal the size
    assert asi.box_metric(ds, ccd=(0, 256, 0, 256)).attrs["pixels"] == 256 * 256
    with pytest.raises(ValueError, match="outside the 256x256 image"):
        asi.box_metric(ds, ccd=(250, 300, 0, 1))
    with pytest.raises(ValueError, match="needs percentile"):
        asi.box_metric(ds, ccd=(0, 1, 0, 1), metric="percentile")
    with pytest.raises(ValueError, match="metric must be one of"):
        asi.box_metric(ds, ccd=(0, 1, 0, 1), metric="max")


def test_montage(ds):
    pytest.importorskip("matplotlib")
    fig = ds.asi.plot.montage(step=10, columns=3)
    assert len(fig.axes) == 6
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array(), ds.image.values[10])
    assert fig.axes[1].get_title() == "2014-03-10 06:00:30"
    fig = ds.asi.plot.montage(times=["2014-03-10T06:01:00"])
    assert len(fig.axes) == 1 and fig.axes[0].get_title().endswith("06:01:00")


@pytest.fixture(scope="module")
def sky():
    return datasets.open_sample("themis-gill-skymap")


def test_angle_and_map_boxes(ds, sky):
    el = sky.elevation.values
    high = ds.asi.box_metric(sky, elevation=(60, 90))
    expected = ds.image.values[:, (el >= 60) & (el <= 90)].astype(float).mean(axis=1)
    np.testing.assert_allclose(high.values, expected)
    assert high.attrs["pixels"] == int(((el >= 60) & (el <= 90)).sum())
    az = sky.azimuth.values
    north = ds.asi.box_metric(sky, azimuth=(330, 30), metric="median")
    mask = ((az >= 330) | (az <= 30)) & np.isfinite(el)
    np.testing.assert_allclose(
        north.values, np.median(ds.image.values[:, mask].astype(float), axis=1)
    )
    centres = asi.pixel_centres(sky, 110)
    box = (-96.0, -93.0, 57.0, 58.0)
    geo = ds.asi.box_metric(sky, geo=box)
    lat, lon = centres.lat.values, centres.lon.values
    inside = (lon >= box[0]) & (lon <= box[1]) & (lat >= box[2]) & (lat <= box[3])
    np.testing.assert_allclose(geo.values, ds.image.values[:, inside].astype(float).mean(axis=1))
    pytest.importorskip("aacgmv2")
    mag = asi.magnetic(sky, ds.time.values[0], 110)
    mbox = (float(np.nanmedian(mag.mlon)) - 2, float(np.nanmedian(mag.mlon)) + 2, 66.0, 67.0)
    assert ds.asi.box_metric(sky, mag=mbox).attrs["pixels"] > 0


def test_box_outside_the_field_of_view(ds, sky):
    with pytest.raises(ValueError, match="contains no pixel of the field of view"):
        ds.asi.box_metric(sky, geo=(10.0, 20.0, 10.0, 20.0))
    with pytest.raises(ValueError, match="exactly one of"):
        ds.asi.box_metric(sky, ccd=(0, 1, 0, 1), elevation=(10, 20))
    with pytest.raises(ValueError, match="needs the site's skymap"):
        ds.asi.box_metric(elevation=(10, 20))


def test_image_contours(ds, sky):
    pytest.importorskip("matplotlib")
    ax = ds.asi.plot.image(skymap=sky, contours="elevation", levels=[30, 60])
    sets = [c for c in ax.collections if hasattr(c, "levels")]
    assert list(sets[0].levels) == [30, 60]
    ax = ds.asi.plot.image(skymap=sky, contours="geo")
    lat_levels = next(c for c in ax.collections if hasattr(c, "levels")).levels
    assert 44 <= min(lat_levels) < 56.35 < max(lat_levels) <= 68  # the field of view spans the site
    with pytest.raises(ValueError, match="need the site's skymap"):
        ds.asi.plot.image(contours="azimuth")
    with pytest.raises(ValueError, match="contours: must be"):
        ds.asi.plot.image(skymap=sky, contours="polar")


def test_scale(ds):
    fixed = ds.asi.scale("fixed", low=3300, high=9300)
    np.testing.assert_allclose(
        fixed.image.values, np.clip((ds.image.values.astype(float) - 3300) / 6000, 0, 1), rtol=1e-6
    )
    pct = ds.asi.scale("percentile", percentiles=(5, 95))
    lo, hi = np.percentile(ds.image.values.astype(float), [5, 95])
    assert float(pct.image.attrs["scale_low"]) == pytest.approx(lo) and float(
        pct.image.attrs["scale_high"]
    ) == pytest.approx(hi)
    auto = ds.asi.scale("auto")
    assert auto.image.attrs["scale_low"].shape == (60,)
    assert float(auto.image.max()) == 1.0 and float(auto.image.min()) == 0.0
    with pytest.raises(ValueError, match="needs low= and high="):
        ds.asi.scale("fixed")
    with pytest.raises(ValueError, match="must exceed"):
        ds.asi.scale("fixed", low=5, high=5)


# --- the compiled box kernel against numpy on the same pixels ------------------------------------


@pytest.mark.parametrize("dtype", [np.uint16, np.uint8])
@pytest.mark.parametrize("npix", [1, 2, 3, 257, 4000])
def test_box_kernel_equals_numpy(dtype, npix):
    from geospacexr.asi._kernels import METRIC_CODES, box_reduce

    rng = np.random.default_rng(npix)
    top = np.iinfo(dtype).max
    frames = rng.integers(0, top, (7, 64 * 64 * 3), dtype=dtype, endpoint=True)
    # values straddling a high-byte boundary (ranks k and k+1 in different buckets) in frame 0
    frames[0, : 64 * 64 * 3 // 2] = min(255, top)
    frames[0, 64 * 64 * 3 // 2 :] = 256 if dtype == np.uint16 else 0
    offsets = np.sort(rng.choice(64 * 64, npix, replace=False)).astype(np.int64) * 3
    pixels = frames[:, offsets[:, None] + np.arange(3)]  # (time, pixels, channel)
    for metric, q, expected in [
        ("mean", 0.0, pixels.mean(axis=1, dtype=np.float64)),
        ("sum", 0.0, pixels.sum(axis=1, dtype=np.float64)),
        ("median", 50.0, np.median(pixels, axis=1)),
        ("percentile", 0.0, np.percentile(pixels, 0.0, axis=1)),
        ("percentile", 37.5, np.percentile(pixels, 37.5, axis=1)),
        ("percentile", 90.0, np.percentile(pixels, 90.0, axis=1)),
        ("percentile", 100.0, np.percentile(pixels, 100.0, axis=1)),
    ]:
        got = box_reduce(frames, offsets, 3, METRIC_CODES[metric], q)
        np.testing.assert_array_equal(got, expected, err_msg=f"{metric} {q}")


def test_box_metric_float_images_use_numpy_and_agree(ds):
    # calibrated (float) images take the numpy path: same numbers as the integer kernel
    counts = ds.isel(time=slice(0, 5))
    floats = counts.assign(image=counts["image"].astype(np.float32))
    for metric in ("mean", "median"):
        a = counts.asi.box_metric(ccd=(100, 140, 150, 200), metric=metric)
        b = floats.asi.box_metric(ccd=(100, 140, 150, 200), metric=metric)
        np.testing.assert_allclose(a.values, b.values, rtol=1e-12)
