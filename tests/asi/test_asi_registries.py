"""Box metrics and scaling methods are registries that speak the common dialect."""

import numpy as np
import pytest

from geospacexr import asi, datasets
from geospacexr.asi import metrics, scaling
from geospacexr.errors import InvalidArgumentError, UnknownNameError

BOX = (100, 140, 150, 200)  # x0, x1, y0, y1


@pytest.fixture(scope="module")
def ds():
    return datasets.open_sample("themis-gill")


def test_listings():
    assert asi.list_metrics() == ["mean", "median", "percentile", "sum"]
    assert asi.list_scalings() == ["auto", "fixed", "percentile"]
    # the older tuples still name every built-in
    assert set(asi.METRICS) == set(asi.list_metrics())
    assert set(asi.SCALE_METHODS) == set(asi.list_scalings())
    for listing in (asi.list_metrics(details=True), asi.list_scalings(details=True)):
        assert [d["name"] for d in listing] == sorted(d["name"] for d in listing)
        assert all(d["description"] for d in listing)
    percentile = next(d for d in asi.list_metrics(details=True) if d["name"] == "percentile")
    assert percentile["needs_percentile"] and percentile["compiled"]


@pytest.mark.parametrize(
    ("call", "error", "close"),
    [
        (lambda d: asi.box_metric(d, ccd=BOX, metric="meen"), metrics.UnknownMetricError, "mean"),
        (lambda d: asi.scale(d, method="fixd"), scaling.UnknownScalingError, "fixed"),
    ],
)
def test_unknown_names(ds, call, error, close):
    with pytest.raises(error, match=rf"must be one of .*did you mean '{close}'") as info:
        call(ds)
    # the common registry error (a KeyError), and still the ValueError it was before
    assert isinstance(info.value, UnknownNameError) and isinstance(info.value, KeyError)
    assert isinstance(info.value, InvalidArgumentError) and isinstance(info.value, ValueError)
    assert close in info.value.candidates


def test_a_registered_metric_is_used_by_box_metric(ds):
    @asi.register_metric("test_max")
    def brightest(values, percentile):
        """Brightest pixel of the box."""
        return values.max(axis=1).astype(np.float64)

    try:
        assert "test_max" in asi.list_metrics()
        described = next(d for d in asi.list_metrics(details=True) if d["name"] == "test_max")
        assert described["description"] == "Brightest pixel of the box."
        assert not described["compiled"]
        x0, x1, y0, y1 = BOX
        got = asi.box_metric(ds, ccd=BOX, metric="test_max")
        np.testing.assert_array_equal(got.values, ds.image.values[:, y0:y1, x0:x1].max(axis=(1, 2)))
        # the custom keograms reduce through the same registry
        path = asi.path_keogram(ds, [(110, 160), (130, 190)], metric="test_max")
        assert np.isfinite(path.values).all()
        with pytest.raises(InvalidArgumentError, match="already registered"):
            asi.register_metric("test_max")(brightest)
    finally:
        metrics._METRICS.remove("test_max")
    assert "test_max" not in asi.list_metrics()


def test_a_registered_scaling_is_used_by_scale(ds):
    @asi.register_scaling("test_minmax", description="smallest and largest value")
    def minmax(values, low, high, percentiles):
        return np.nanmin(values), np.nanmax(values)

    try:
        out = asi.scale(ds, method="test_minmax")
        assert float(out.image.min()) == 0.0 and float(out.image.max()) == 1.0
        assert out.image.attrs["scale_method"] == "test_minmax"
        assert float(out.image.attrs["scale_low"]) == float(ds.image.min())
    finally:
        scaling._SCALINGS.remove("test_minmax")
    with pytest.raises(scaling.UnknownScalingError):
        asi.scale(ds, method="test_minmax")
