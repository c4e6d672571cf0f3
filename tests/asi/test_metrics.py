import numpy as np
import pytest

from geospacexr import asi, datasets


@pytest.fixture(scope="module")
def ds():
    return datasets.open_sample("themis-gill")


@pytest.mark.parametrize("metric", ["mean", "median", "sum"])
def test_box_metric_matches_numpy(ds, metric):
    x0, x1, y0, y1 = 100, 140, 150, 200
    box = ds.image.values[:, y0 : y1 + 1, x0 : x1 + 1].astype(float)
    expected = getattr(np, metric)(box, axis=(1, 2))
    np.testing.assert_allclose(asi.box_metric(ds, (x0, x1, y0, y1), metric).values, expected)


def test_percentile_and_rgb(ds):
    out = ds.asi.box_metric((0, 9, 0, 9), "percentile", percentile=90)
    np.testing.assert_allclose(
        out.values, np.percentile(ds.image.values[:, :10, :10].astype(float), 90, axis=(1, 2))
    )
    rgb = datasets.open_sample("trex_rgb-gill")
    series = rgb.asi.box_metric((200, 300, 100, 200))
    assert series.dims == ("time", "channel")


def test_bad_boxes(ds):
    with pytest.raises(ValueError, match="empty box"):
        asi.box_metric(ds, (10, 5, 0, 1))
    with pytest.raises(ValueError, match="outside the 256x256 image"):
        asi.box_metric(ds, (250, 300, 0, 1))
    with pytest.raises(ValueError, match="needs percentile"):
        asi.box_metric(ds, (0, 1, 0, 1), "percentile")
    with pytest.raises(ValueError, match="metric must be one of"):
        asi.box_metric(ds, (0, 1, 0, 1), "max")


def test_montage(ds):
    pytest.importorskip("matplotlib")
    fig = ds.asi.plot.montage(step=10, columns=3)
    assert len(fig.axes) == 6
    np.testing.assert_array_equal(fig.axes[1].images[0].get_array(), ds.image.values[10])
    assert fig.axes[1].get_title() == "2014-03-10 06:00:30"
    fig = ds.asi.plot.montage(times=["2014-03-10T06:01:00"])
    assert len(fig.axes) == 1 and fig.axes[0].get_title().endswith("06:01:00")
