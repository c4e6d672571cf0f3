"""The riometer panel of the app: a stack of traces with a time cursor (Python state)."""

import numpy as np
import pytest

pytest.importorskip("panel")

from geospacexr import datasets, rio
from geospacexr.explore import riometer
from geospacexr.explore.asi import AsiExplorer


@pytest.fixture(scope="module")
def riometers():
    return {n: datasets.open_sample(n) for n in ("norstar_rio-gill", "swan_hsr-mean")}


def _on_the_imager_night(ds, imager):
    """A riometer Dataset moved (whole days) so that its data cover the imager's frames."""
    days = imager.time.values[0].astype("datetime64[D]") - ds.time.values[0].astype("datetime64[D]")
    return ds.assign_coords(time=ds.time.values + days)


def test_traces_are_bin_means_of_the_absorption(riometers):
    out = riometer.traces(riometers, "absorption", most=500)
    assert [label for label, _ in out] == ["gill 30 MHz"] + [
        f"mean {f:g} MHz" for f in riometers["swan_hsr-mean"].frequency.values
    ]
    gill = rio.absorption(riometers["norstar_rio-gill"])
    _, series = out[0]
    assert series.sizes["time"] == 500 and series.attrs["units"] == "dB"
    # each point is the mean over its time bin (equal bins from the first to the last sample)
    t = gill.time.values.astype(np.int64)
    edges = np.linspace(t[0], t[-1] + 1, 501)
    inside = (t >= edges[7]) & (t < edges[8])
    assert series.values[7] == pytest.approx(float(np.nanmean(gill.values[inside])))
    np.testing.assert_allclose(np.nanmean(series.values), np.nanmean(gill.values), rtol=0.02)
    # the signal in dB, and short series as they are
    short = {"x": riometers["norstar_rio-gill"].isel(time=slice(0, 100))}
    _, series = riometer.traces(short, "signal")[0]
    np.testing.assert_allclose(series.values, rio.signal_db(short["x"]).values, rtol=1e-6)
    np.testing.assert_array_equal(series.time.values, short["x"].time.values)


def test_panel_builds_on_demand_and_follows_the_imager(riometers):
    import holoviews as hv

    ds, sky = datasets.open_sample("themis-gill"), datasets.open_sample("themis-gill-skymap")
    imager = AsiExplorer(ds, sky)
    gill = _on_the_imager_night(riometers["norstar_rio-gill"], ds)
    rios = {"gill": gill, "mean": riometers["swan_hsr-mean"]}
    panel = riometer.RiometerPanel(rios, imager=imager, keogram=imager.keogram_element, defer=True)
    assert not panel.computed and len(panel.plot_pane) == 0  # nothing built yet
    assert panel.sites.value == ["gill"]  # the riometer of the imager's night
    panel.refresh()
    assert panel.computed and len(panel.shown) == 1
    assert isinstance(panel.keogram_pane.object, hv.DynamicMap)  # the imager's keogram
    # the cursor follows the imager's frame, streamed (the figure is not rebuilt)
    built = panel.plot_pane[0].object
    imager.time.value = 17
    assert panel._cursor.t == ds.time.values[17] and panel.plot_pane[0].object is built
    assert not panel.message.visible
    spans = [r for r in hv.render(built).renderers if type(r).__name__ == "Span"]
    ms = ds.time.values[17].astype("datetime64[ms]").astype(np.int64)
    assert spans and spans[0].location == pytest.approx(ms)  # the cursor in the stack's row
    # a click on a trace moves the imager to the nearest frame
    panel._clicked(x=ds.time.values[40] + np.timedelta64(1, "s"))
    assert imager.time.value == 40
    # absorption or signal; several riometers; a time outside the data is said
    panel.quantity.value = "signal (dB)"
    np.testing.assert_allclose(
        np.nanmean(panel.shown[0][1].values), float(rio.signal_db(gill).mean()), rtol=1e-3
    )
    panel.quantity.value = "raw"  # in the file's units: volts for NORSTAR
    assert panel.shown[0][1].attrs["units"] == "V"
    panel.sites.value = ["gill", "mean"]
    assert panel.shown[1][1].attrs["units"] == "dB"  # SWAN HSR's raw power
    assert len(panel.shown) == 1 + riometers["swan_hsr-mean"].sizes["frequency"]
    panel.sites.value = ["mean"]
    assert panel.message.visible and "outside these riometer data" in panel.message.object
    panel.sites.value = []
    assert len(panel.plot_pane) == 0 and "Choose" in panel.message.object


def test_absorption_is_computed_once_for_every_page(riometers, monkeypatch):
    calls = []
    real = rio.absorption
    monkeypatch.setattr(riometer, "_CACHE", {})
    monkeypatch.setattr(rio, "absorption", lambda ds: calls.append(1) or real(ds))
    for _ in range(2):
        riometer.RiometerPanel({"g": riometers["norstar_rio-gill"]})
    assert len(calls) == 1
