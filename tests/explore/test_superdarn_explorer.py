"""The SuperDARN explorer through its widgets' Python state (the browser test is beside it)."""

import numpy as np
import pytest

pn = pytest.importorskip("panel")
hv = pytest.importorskip("holoviews")

from geospacexr import datasets, superdarn  # noqa: E402
from geospacexr.errors import InvalidArgumentError, MissingVariableError  # noqa: E402
from geospacexr.explore import app  # noqa: E402
from geospacexr.explore.superdarn import SuperdarnExplorer, explorable  # noqa: E402


@pytest.fixture(scope="module")
def radar():
    return datasets.open_sample("superdarn-fitacf")


@pytest.fixture(scope="module")
def explorer(radar):
    return SuperdarnExplorer(radar)


def _rti_raster(explorer):
    """The RTI raster shown now (under the ground scatter and the cursor)."""
    return explorer.rti_element.get(0)


def test_slider_changes_the_scan_of_the_fan(explorer, radar):
    assert not explorer.message.visible, explorer.message.object
    assert explorer.beam.value == 0 or explorer.beam.value in explorer.beam.options
    explorer.scan.value = 7
    fan = explorer.fan
    assert fan.attrs["scan_index"] == 7
    expected = superdarn.scan_fan(radar, "v", index=7)
    np.testing.assert_array_equal(fan["value"].values, expected["value"].values)
    # the figure's cells carry that scan's values; ground scatter is grey, not coloured
    source = explorer._fan_source.data
    ground = expected["gflg"].values.ravel() == 1
    values = expected["value"].values.ravel()
    np.testing.assert_array_equal(
        np.asarray(source["value"], dtype=float), np.where(ground, np.nan, values)
    )
    assert np.asarray(source["ground"])[ground & np.isfinite(values)].all()
    assert ground.any() and np.isfinite(values[~ground]).any()
    assert "scan 7: 2019-03-01 04:07:00" in explorer.scan_label.object
    assert explorer._fan_figure_.title.text.startswith("Velocity, scan 7: 2019-03-01 04:07")
    assert explorer._fan_bar.title == "Velocity (m/s)"
    # the cursor on the RTI is at the scan's start
    assert explorer._cursor.data == explorer.scan_starts[7]
    # a new scan sends data: the fan figure stays the same object
    figure = explorer.fan_pane.object
    explorer.scan.value = 8
    assert explorer.fan_pane.object is figure and explorer.fan.attrs["scan_index"] == 8


def test_pickers_change_the_rti(explorer, radar):
    explorer.parameter.value = "v"
    explorer.beam.value = 7
    v7 = explorer.rti
    expected = superdarn.rti(radar, "v", beam=7)
    np.testing.assert_array_equal(v7.values, expected.values)
    raster = _rti_raster(explorer)
    assert raster.vdims[0].label == "Velocity (m/s)"
    explorer.beam.value = 3
    assert int(explorer.rti.attrs["beam"]) == 3
    np.testing.assert_array_equal(explorer.rti.values, superdarn.rti(radar, "v", beam=3).values)
    explorer.parameter.value = "p_l"
    assert explorer.rti.name == "p_l"
    assert _rti_raster(explorer).vdims[0].label == "Power (dB)"
    assert explorer._fan_bar.title == "Power (dB)"
    assert explorer.fan.attrs["parameter"] == "p_l"
    # ground scatter hidden: NaN in the RTI and removed from the fan
    explorer.ground_scatter.value = "hide"
    assert np.isnan(explorer.rti.values[explorer.rti["ground_scatter"].values]).all()
    assert not (explorer.fan["gflg"].values == 1).any()
    assert not np.asarray(explorer._fan_source.data["ground"]).any()
    explorer.ground_scatter.value = "grey"
    explorer.parameter.value = "v"
    assert not explorer.message.visible, explorer.message.object


def test_titles_colour_bars_and_no_mesh_lines(explorer):
    first = _rti_raster(explorer)
    options = hv.Store.lookup_options("bokeh", first, "plot").kwargs
    assert options["colorbar"] is True
    title = options["title"]
    assert title[0].isupper() and title[1:].split(",")[0].islower(), title
    if isinstance(first, hv.QuadMesh):
        assert hv.Store.lookup_options("bokeh", first, "style").kwargs["line_alpha"] == 0
    patches = [r for r in explorer._fan_figure_.renderers if type(r.glyph).__name__ == "Patches"]
    assert len(patches) == 2  # the cells and their ground-scatter grey: no outlines
    for renderer in patches:
        assert renderer.glyph.line_alpha == 0


def test_tap_on_the_rti_jumps_to_the_scan(explorer, radar):
    explorer.scan.value = 0
    record = 1000
    t = radar["time"].values[record]
    expected = int(superdarn.scan_index(radar).values[record])
    # Bokeh sends a datetime axis click as milliseconds since 1970
    explorer._tap.event(x=float(t.astype("datetime64[ms]").astype(np.int64)), y=20)
    assert explorer.scan.value == expected
    assert explorer.fan.attrs["scan_index"] == expected
    assert explorer.scan_at(np.datetime64("2019-03-01T05:30:10")) == 90


def test_bad_arguments_and_datasets(radar):
    with pytest.raises(InvalidArgumentError, match="per-gate"):
        SuperdarnExplorer(radar, parameter="tfreq")
    with pytest.raises(InvalidArgumentError, match="beam 40"):
        SuperdarnExplorer(radar, beam=40)
    with pytest.raises(InvalidArgumentError, match="ground_scatter"):
        SuperdarnExplorer(radar, ground_scatter="purple")
    with pytest.raises(MissingVariableError):
        SuperdarnExplorer(radar.drop_vars("scan"))
    assert explorable(radar) and not explorable(radar.drop_vars("bmnum"))


def test_accessor_and_app_tab(radar):
    layout = radar.superdarn.explore(parameter="w_l", beam=5)
    assert isinstance(layout, pn.Row)
    assert any(
        "SuperDARN explorer: Saskatoon (station 5)" in str(md.object)
        for md in layout.select(pn.pane.Markdown)
    )
    tabs = app.build_app({"superdarn-fitacf": radar})
    assert "SuperDARN: superdarn-fitacf" in tabs._names


@pytest.mark.parametrize("name", ["pydarn/test.fitacf.bz2", "darn-dmap/test.fitacf"])
def test_app_opens_a_fitacf_file(shared_data, name):
    data = app.load_datasets([shared_data / "superdarn" / name])
    tabs = app.build_app(data)
    names = [n for n in tabs._names if n.startswith("SuperDARN: ")]
    assert names, tabs._names
    alerts = tabs[tabs._names.index(names[0])].select(pn.pane.Alert)
    assert not any(a.visible for a in alerts), [a.object for a in alerts]


def _cells_corners(explorer):
    source = explorer._fan_source.data
    return np.asarray(list(source["xs"])), np.asarray(list(source["ys"]))


def test_coastlines_and_magnetic_coordinates(radar):
    from geospacexr.plot.superdarn_fan import coastline_segments
    from geospacexr.resources import coastlines

    ex = SuperdarnExplorer(radar)
    ex.scan.value = 3
    assert not ex.message.visible, ex.message.object
    # geographic: the shipped coastlines, every point of them, under the fan
    coast = ex._coast_source.data
    x, y = np.asarray(coast["x"], float), np.asarray(coast["y"], float)
    lines = list(coastlines())
    assert np.isfinite(y).sum() == sum(len(line) for line in lines)
    np.testing.assert_allclose(np.sort(y[np.isfinite(y)]), np.sort(np.concatenate(lines)[:, 1]))
    xs, ys = _cells_corners(ex)
    centre = np.nanmedian(xs)
    assert np.nanmax(np.abs(x - centre)) <= 180.0  # unwrapped about the fan
    # some coast lies within the fan's box (the radar sits on land)
    box = (x > np.nanmin(xs) - 5) & (x < np.nanmax(xs) + 5) & (y > np.nanmin(ys) - 5)
    box &= y < np.nanmax(ys) + 5
    assert box.any()
    assert ex._fan_figure_.xaxis[0].axis_label == "geographic longitude (°)"
    geo_y = ys.copy()
    # the cells follow the fan's lat/lon corners
    expected = superdarn.scan_fan(radar, "v", index=3)
    np.testing.assert_allclose(np.nanmax(ys), np.nanmax(expected["lat_corner"].values))

    ex.coordinates.value = "aacgm"
    assert not ex.message.visible, ex.message.object
    fan = ex.fan
    mag = superdarn.scan_fan(radar, "v", index=3, coords="aacgm")
    np.testing.assert_allclose(fan["mlat_corner"].values, mag["mlat_corner"].values)
    xs, ys = _cells_corners(ex)
    lat = mag["mlat_corner"].values
    np.testing.assert_allclose(np.nanmax(ys), np.nanmax(lat))
    np.testing.assert_allclose(np.nanmin(ys), np.nanmin(lat))
    assert not np.allclose(np.nanmax(ys), np.nanmax(geo_y))  # magnetic differ from geographic
    assert ex._fan_figure_.xaxis[0].axis_label == "AACGM-v2 magnetic longitude (°)"
    assert ex._fan_figure_.yaxis[0].axis_label == "AACGM-v2 magnetic latitude (°)"
    # magnetic coastlines: the static fan plot's conversion on the scan's day and hemisphere
    north = fan.attrs["hemisphere"] == "north"
    segs = coastline_segments(True, np.datetime64(fan.attrs["start_time"][:10]), north)
    y = np.asarray(ex._coast_source.data["y"], float)
    assert np.isfinite(y).sum() == sum(len(s) for s in segs)
    np.testing.assert_allclose(np.sort(y[np.isfinite(y)]), np.sort(np.concatenate(segs)[:, 1]))
    assert ((y[np.isfinite(y)] > 0) == north).all()  # the fan's hemisphere only
    # a new scan in magnetic coordinates keeps the picker's system
    ex.scan.value = 4
    assert "mlat_corner" in ex.fan and ex.fan.attrs["scan_index"] == 4
    ex.coordinates.value = "geographic"
    assert "mlat_corner" not in ex.fan
    assert ex._fan_figure_.xaxis[0].axis_label == "geographic longitude (°)"
    with pytest.raises(InvalidArgumentError, match="coordinates"):
        SuperdarnExplorer(radar, coordinates="magnetic")
