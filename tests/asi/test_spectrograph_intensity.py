"""Spectrograph emission intensities and keograms on the sample of known brightness."""

from __future__ import annotations

import numpy as np
import pytest

from geospacexr import datasets
from geospacexr._synth import spectrograph as synth
from geospacexr.asi import spectrograph as sp
from geospacexr.errors import InvalidArgumentError
from geospacexr.io.spectrograph import open_spect_l1, open_spect_raw, open_spect_skymap


@pytest.fixture(scope="module")
def sample():
    return datasets.sample_path("trex_spect-rabb")


@pytest.fixture(scope="module")
def l1(sample):
    return open_spect_l1(sorted(sample.glob("*.h5")))


def _seconds(ds):
    return (ds.time.values - ds.time.values[0]) / np.timedelta64(1, "s")


def _span(wave, band):
    inside = np.flatnonzero((wave >= band[0]) & (wave <= band[1]))
    return wave[inside[-1]] - wave[inside[0]]


@pytest.mark.parametrize("emission", ["green", "red", "blue", "hbeta"])
def test_known_brightness_recovered_exactly_with_mean_background(l1, emission):
    got = sp.emission_intensity(l1, emission, subtract="mean")
    assert got.dims == ("time", "spatial") and got.attrs["units"] == "R"
    truth = synth.line_brightness(emission, _seconds(l1))
    # float32 spectra: exact to their precision
    np.testing.assert_allclose(got.values, truth, rtol=2e-6, atol=1e-3)


@pytest.mark.parametrize("emission", ["green", "red", "blue", "hbeta"])
def test_pyaurorax_subtraction_leaves_the_continuum_of_the_span_difference(l1, emission):
    """subtract="integral" (PyAuroraX's) = brightness + continuum x (line span - bg span)."""
    got = sp.emission_intensity(l1, emission)
    row = sp.EMISSION_BANDS[emission]
    wave = l1.wavelength.values
    diff = _span(wave, row["band"]) - _span(wave, row["background"])
    seconds = _seconds(l1)
    expected = synth.line_brightness(emission, seconds) + synth.continuum(seconds) * diff
    np.testing.assert_allclose(got.values, expected, rtol=2e-6, atol=1e-3)
    if emission == "blue":  # 3.5 nm against 2 nm: about 1.5 nm of continuum left over
        assert diff > 1.0


def test_bands_are_parameters(l1):
    green = sp.emission_intensity(l1, "green", subtract="mean")
    wide = sp.emission_intensity(l1, "green", band=(555.0, 559.0), subtract="mean")
    np.testing.assert_allclose(wide.values, green.values, rtol=1e-5)
    raw = sp.emission_intensity(l1, "green", background=False)
    wave = l1.wavelength.values
    span = _span(wave, (555.5, 558.5))
    seconds = _seconds(l1)
    expected = synth.line_brightness("green", seconds) + synth.continuum(seconds) * span
    np.testing.assert_allclose(raw.values, expected, rtol=2e-6)
    assert raw.attrs["subtract"] == "none"
    # a band holding no line: only continuum, removed by its neighbour
    empty = sp.emission_intensity(
        l1, band=(700.0, 703.0), background=(705.0, 708.0), subtract="mean"
    )
    np.testing.assert_allclose(empty.values, 0.0, atol=1e-3)


def test_errors(l1, sample):
    with pytest.raises(InvalidArgumentError, match="one of"):
        sp.emission_intensity(l1, "purple")
    with pytest.raises(InvalidArgumentError, match="at least two"):
        sp.emission_intensity(l1, band=(900.0, 910.0))
    with pytest.raises(InvalidArgumentError, match="low < high"):
        sp.emission_intensity(l1, band=(560.0, 550.0))
    with pytest.raises(InvalidArgumentError, match="subtract"):
        sp.emission_intensity(l1, subtract="median")
    raw = open_spect_raw(sorted(sample.glob("*_spectra.pgm.gz"))[:1])
    with pytest.raises(InvalidArgumentError, match="wavelength"):
        sp.emission_intensity(raw)
    assert sp.list_emissions() == ["blue", "green", "hbeta", "red"]
    assert sp.list_emissions(details=True)[1]["band"] == (555.5, 558.5)


def test_keogram_follows_the_arc_and_carries_positions(l1, sample):
    sky = open_spect_skymap(sorted(sample.glob("spect_skymap_*.sav")))
    keo = sp.spectrograph_keogram(l1, "green", skymap=sky, height_km=110)
    assert keo.dims == ("spatial", "time")
    peak = keo.argmax("spatial").values
    # the arc drifts from bin 170 towards bin 110 (15 s steps: 1.5 bins each)
    np.testing.assert_allclose(peak, 170 - 1.5 * np.arange(l1.sizes["time"]), atol=1)
    assert keo.lat.attrs["units"] == "degrees_north"
    assert (np.diff(keo.lat.values) > 0).all()
    assert keo.attrs["height_km"] == 110.0
    with pytest.raises(InvalidArgumentError, match="bins"):
        sp.spectrograph_keogram(l1.isel(spatial=slice(0, 10)), skymap=sky)


def test_dask_input_gives_the_same_numbers(sample, l1):
    lazy = open_spect_l1(sorted(sample.glob("*.h5")), chunks={"time": 4})
    got = sp.emission_intensity(lazy, "red")
    np.testing.assert_allclose(got.compute().values, sp.emission_intensity(l1, "red").values)


def test_slit_polygons_follow_the_edges(sample):
    sky = open_spect_skymap(sorted(sample.glob("spect_skymap_*.sav")))
    poly = sp.slit_polygons(sky, height_km=150.0)
    assert poly.lat.shape == (256, 5) and poly.attrs["width_deg"] == sp.SLIT_WIDTH_DEG
    edges = sky.sel(altitude=150.0)
    np.testing.assert_allclose(poly.lat.values[:, 0], edges.lat_edge.values[:-1], atol=1e-4)
    np.testing.assert_allclose(poly.lat.values[:, 1], edges.lat_edge.values[1:], atol=1e-4)
    np.testing.assert_allclose(poly.lat.values[:, 4], poly.lat.values[:, 0])
    np.testing.assert_allclose(
        poly.lon.values[:, 3] - poly.lon.values[:, 0], sp.SLIT_WIDTH_DEG, atol=1e-4
    )
    wide = sp.slit_polygons(sky, height_km=150.0, width_deg=3)
    np.testing.assert_allclose(wide.lon.values[:, 2] - wide.lon.values[:, 1], 3.0, atol=1e-4)
    with pytest.raises(InvalidArgumentError):
        sp.slit_polygons(sky, width_deg=0)
