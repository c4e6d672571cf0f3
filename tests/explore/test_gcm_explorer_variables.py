"""The GCM explorer offers every variable of a history, with only the slices it can do.

Checked on the published layouts (TIE-GCM 1.94 primary and secondary, TIE-GCM 2.0 primary and
float32 secondary, CESM2 WACCM-X)
and the ``waccmx`` sample, through the explorer's Python state.
"""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

pn = pytest.importorskip("panel")
hv = pytest.importorskip("holoviews")

import geospacexr  # noqa: E402
from geospacexr import datasets  # noqa: E402
from geospacexr.explore.gcm import SLICES, GcmExplorer  # noqa: E402
from geospacexr.gcm.variables import supported_slices, variables  # noqa: E402

_SPEC = importlib.util.spec_from_file_location(
    "tiegcm_layouts_for_explorer",
    Path(__file__).parents[1] / "gcm" / "layouts" / "tiegcm_layouts.py",
)
layouts = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = layouts  # dataclasses look their module up there
_SPEC.loader.exec_module(layouts)


@pytest.fixture(scope="module")
def secondary(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layouts")
    return geospacexr.open(layouts.build("tiegcm2.0-secondary", folder))


@pytest.fixture(scope="module")
def primary20(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layouts")
    return geospacexr.open(layouts.build("tiegcm2.0-primary", folder))


@pytest.fixture(scope="module")
def secondary194(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layouts")
    return geospacexr.open(layouts.build("tiegcm1.94-secondary", folder))


@pytest.fixture(scope="module")
def cesm2():
    return datasets.open_sample("waccmx-cesm2")


@pytest.fixture(scope="module")
def tiegcm194():
    return datasets.open_sample("tiegcm-1.94")


def _explorer(ds):
    return GcmExplorer(ds, prebuild=False)


def _style(element):
    return hv.Store.lookup_options("bokeh", element, "style").kwargs


def _mesh(element):
    return element if isinstance(element, hv.QuadMesh) else element.get(0)


@pytest.mark.parametrize("which", ["secondary", "cesm2", "tiegcm194", "primary20", "secondary194"])
def test_every_sliceable_variable_is_offered_with_its_own_slices(which, request):
    ds = request.getfixturevalue(which)
    ex = _explorer(ds)
    rows = {r["name"]: r for r in variables(ds)}
    sliceable = {n for n, r in rows.items() if r["layout"] != "other" and r["slices"]}
    offered = set(ex.variable.options)
    assert sliceable <= offered
    # "other" rows (per-time tables such as dtide) are never offered
    assert not {n for n, r in rows.items() if r["layout"] == "other"} & offered
    for name in sorted(sliceable):
        expected = tuple(s for s in SLICES if s in supported_slices(ds, name))
        assert ex._slices_of(name) == expected, name
    # through the widgets: one variable of each layout (each change redraws)
    for name in {r["layout"]: n for n, r in sorted(rows.items()) if n in sliceable}.values():
        ex.variable.value = name
        expected = [s for s in SLICES if s in supported_slices(ds, name)]
        assert ex.slice.options == expected, name
        assert ex.slice.value in expected
        assert not ex.message.visible, (name, ex.message.object)


def test_geomagnetic_fields_are_offered(secondary, cesm2):
    assert "ZMAG" in _explorer(secondary).variable.options
    assert {"ED1", "PHIM2D"} <= set(_explorer(cesm2).variable.options)


def test_a_2d_field_offers_no_level_slices_and_its_map_renders(cesm2):
    ex = _explorer(cesm2)
    ex.slice.value = "lev_lat"
    ex.variable.value = "TEC"
    assert ex.slice.options == ["lat_lon", "lat_time", "lon_time", "var_time"]
    assert ex.slice.value == "lat_lon"  # lev_lat is not possible: back to the map
    assert not ex.message.visible, ex.message.object
    assert not ex.vertical.visible and not ex.level.visible and not ex.height.visible
    mesh = _mesh(ex.element)
    assert mesh.kdims[0].name == "lon" and mesh.kdims[1].name == "lat"
    shown = mesh.dimension_values(2, flat=False)[:, :-1]  # less the closing column
    np.testing.assert_allclose(
        np.sort(shown.ravel()),
        np.sort(np.asarray(cesm2["TEC"].isel(time=0).values, float).ravel()),
    )
    for kind in ("lat_time", "lon_time", "var_time"):
        ex.slice.value = kind
        assert not ex.message.visible, (kind, ex.message.object)


def test_a_scalar_is_a_time_series(tiegcm194):
    ex = _explorer(tiegcm194)
    ex.variable.value = "Kp"
    assert ex.slice.options == ["var_time"] and ex.slice.value == "var_time"
    assert not ex.message.visible, ex.message.object
    assert isinstance(ex.element, hv.Curve)
    assert not ex.lat.visible and not ex.lon.visible and not ex.vertical.visible


def test_a_magnetic_field_map_has_magnetic_labels_and_no_geographic_options(secondary):
    ex = _explorer(secondary)
    ex.projection.value = "north polar"
    ex.variable.value = "ZMAG"
    assert ex.slice.value == "lat_lon"
    assert not ex.message.visible, ex.message.object
    assert not ex.local_time.visible and not ex.projection.visible
    mesh = _mesh(ex.element)
    assert isinstance(mesh, hv.QuadMesh)  # a plain mlat-mlon map, not a polar image
    assert [d.name for d in mesh.kdims] == ["mlon", "mlat"]
    assert "magnetic" in mesh.kdims[0].label and "magnetic" in mesh.kdims[1].label
    assert "magnetic" in ex.lat.label and "magnetic" in ex.lon.label
    # a height slice through the slice functions (they use ZMAG for magnetic fields)
    ex.vertical.value = "height"
    ex.height.value = 300.0
    assert not ex.message.visible, ex.message.object
    assert float(ex.data()["height"]) == pytest.approx(300.0)
    # back to a geographic field: geographic labels and options again
    ex.variable.value = "TN"
    assert ex.lat.label == "latitude" and ex.projection.visible and ex.local_time.visible


def test_a_2d_magnetic_field_map_renders_without_vertical_controls(cesm2):
    ex = _explorer(cesm2)
    ex.variable.value = "PHIM2D"
    assert ex.slice.options == ["lat_lon", "lat_time", "lon_time", "var_time"]
    assert not ex.message.visible, ex.message.object
    assert not ex.vertical.visible and not ex.projection.visible
    assert ex.data().dims == ("mlat", "mlon")
    assert [d.name for d in _mesh(ex.element).kdims] == ["mlon", "mlat"]


@pytest.mark.parametrize("sample", ["waccmx", "waccmx-cesm2"])
def test_waccmx_first_map_renders_at_a_real_level(sample):
    ds = datasets.open_sample(sample)
    ex = _explorer(ds)
    assert not ex.message.visible, ex.message.object
    lev = ds["lev"].values
    assert np.isclose(lev, ex.level.value, rtol=1e-9, atol=0).any()
    assert lev.min() <= ex.level.value <= lev.max()
    assert ex.level.step < np.diff(np.sort(lev)).min()  # every level reachable


def test_maps_draw_no_cell_lines_and_titles_are_in_sentence_case():
    ds = datasets.open_sample("tiegcm-storm")
    ex = _explorer(ds)
    mesh = _mesh(ex.element)
    assert isinstance(mesh, hv.QuadMesh)
    style = _style(mesh)
    assert style["line_width"] == 0 and style["line_alpha"] == 0
    title = hv.Store.lookup_options("bokeh", mesh, "plot").kwargs["title"]
    long_name = ds["TN"].attrs["long_name"]
    assert title.startswith(long_name[0].upper() + long_name[1:].lower())
    assert [d.label for d in mesh.kdims] == ["longitude (°E)", "latitude (°N)"]


@pytest.mark.parametrize("sample", ["tiegcm-5deg", "tiegcm-2.5deg"])
def test_global_maps_have_no_empty_strip_at_the_date_line(sample):
    """A QuadMesh ends half a cell past its outer centres: the map's longitude circle is closed
    so the cells reach both -180 and +180 (no empty strip at the right edge)."""
    ds = datasets.open_sample(sample)
    mesh = _mesh(_explorer(ds).element)
    lons = np.asarray(mesh.dimension_values(0, expanded=False), float)
    step = float(np.diff(ds["lon"].values)[0])
    assert lons.min() - step / 2 <= -180.0 and lons.max() + step / 2 >= 180.0
    values = mesh.dimension_values(2, flat=False)
    # the closing column repeats the first (the same cells, 360 degrees on)
    np.testing.assert_array_equal(values[:, -1], values[:, 0])


def test_close_longitudes_keeps_grids_that_are_not_one_whole_circle():
    from geospacexr.plot.common import close_longitudes

    values = np.arange(6.0).reshape(2, 3)
    regional = np.array([0.0, 10.0, 20.0])
    assert close_longitudes(regional, values)[0].tolist() == regional.tolist()
    whole = np.array([-180.0, -60.0, 60.0])
    x, v = close_longitudes(whole, values)
    assert x.tolist() == [-180.0, -60.0, 60.0, 180.0] and v[:, -1].tolist() == [0.0, 3.0]
