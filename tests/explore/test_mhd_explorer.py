"""The MHD explorer through its widgets' Python state (the browser test is beside it)."""

import math
import re

import numpy as np
import pytest

pn = pytest.importorskip("panel")
hv = pytest.importorskip("holoviews")

import geospacexr.rb as rb  # noqa: E402
from geospacexr import datasets, mhd  # noqa: E402
from geospacexr.errors import InvalidArgumentError, WrongKindError  # noqa: E402
from geospacexr.explore import app  # noqa: E402
from geospacexr.explore import mhd as explore_mhd  # noqa: E402
from geospacexr.explore.mhd import MhdExplorer, explorable  # noqa: E402
from geospacexr.plot.mhd import polar_xy  # noqa: E402


@pytest.fixture(scope="module")
def run():
    return datasets.open_sample("mage-msphere")


@pytest.fixture(scope="module")
def mix():
    return datasets.open_sample("mage-remix")


@pytest.fixture
def explorer(run, mix):
    return MhdExplorer(run, mix)


def _lstar(text):
    found = re.search(r"\*\*L\*\*\* \| \*\*([0-9.]+)\*\*", text)
    return float(found.group(1)) if found else None


def _mesh(explorer):
    """The plane's mesh shown now (under the Earth and the line)."""
    assert isinstance(explorer.mesh, hv.QuadMesh)
    return explorer.mesh


def test_plane_follows_step_variable_and_plane(explorer, run):
    assert not explorer.message.visible, explorer.message.object
    last = run.isel(time=-1)
    # first view: the residual field of the last step on the equator (kaipy's default)
    assert explorer.variable.value == "dBz" and explorer.step.value == run.sizes["time"] - 1
    np.testing.assert_allclose(explorer.values.values, mhd.residual_bz(last).values)
    assert "Step#3: 2017-09-04 06:03:00 UT" in explorer.step_label.object
    mesh = _mesh(explorer)
    assert mesh.vdims[0].label == "Bz - dipole Bz (nT)"
    np.testing.assert_allclose(mesh.dimension_values(2, flat=False), explorer.values.values)
    built = explorer.plane_view.built
    explorer.variable.value = "Bz"
    np.testing.assert_allclose(explorer.values.values, mhd.equatorial_slice(last, "Bz").values)
    explorer.step.value = 0
    first = run.isel(time=0)
    np.testing.assert_allclose(explorer.values.values, mhd.equatorial_slice(first, "Bz").values)
    assert "Step#0: 2017-09-04 06:00:00 UT" in explorer.step_label.object
    # a new step or a linear variable streams into the figure already there
    assert explorer.plane_view.built == built
    explorer.plane.value = "meridional"
    np.testing.assert_allclose(explorer.values.values, mhd.meridional_slice(first, "Bz").values)
    assert _mesh(explorer).kdims[1].name == "z"
    explorer.variable.value = "P"
    assert hv.Store.lookup_options("bokeh", _mesh(explorer), "plot").kwargs["logz"] is True
    np.testing.assert_allclose(explorer.values.values, mhd.meridional_slice(first, "P").values)
    assert not explorer.message.visible, explorer.message.object


def test_click_traces_the_line_and_shows_lstar(explorer, run):
    explorer.step.value = 3
    explorer._tap.event(x=-6.0, y=0.5)  # what a click on the equatorial plane sends
    assert explorer.start == (-6.0, 0.5, 0.0)
    lines = explorer.lines
    n = int(lines["n_points"].values[0])
    xyz = np.stack([lines[c].values[0, :n] for c in "xyz"], axis=-1)
    # the line passes through the clicked point and both its ends land on the ReMIX sphere
    assert np.min(np.linalg.norm(xyz - [-6.0, 0.5, 0.0], axis=1)) < 1e-9
    assert list(explorer._line_pipe.data["x"]) == list(xyz[:, 0])
    assert (lines["end_south"].values[0], lines["end_north"].values[0]) == (0, 0)
    radius = 6500.0 / 6371.2  # mage-remix's ionosphere_radius_km over the Earth's radius
    np.testing.assert_allclose(np.linalg.norm(xyz[[0, -1]], axis=1), radius, rtol=1e-6)
    # L* in the read-out is rb.lstar through the bridge of that step, computed independently
    grid = rb.models.from_grid(mhd.field(run, time=3))
    when = mhd.field(run, time=3).attrs["time"]
    expected = rb.particles(-6.0, 0.5, 0.0, 90.0, time=when, frame="SM").rb.lstar(grid)
    shown = _lstar(explorer.readout.object)
    assert shown == pytest.approx(float(expected["lstar"].values[0]), abs=1e-4)
    assert 5.0 < shown < 7.0  # a compressed-and-stretched dipole near 6 Re
    assert "closed" in explorer.readout.object
    # the footprint on the northern ReMIX map: near midnight (the start's MLT), high latitude
    (foot,) = explorer._foot_pipe.data
    colat = math.hypot(*foot)
    mlt = (math.degrees(math.atan2(foot[0], -foot[1])) / 15.0) % 24.0
    assert 15.0 < colat < 35.0
    assert mlt == pytest.approx((12.0 + math.degrees(math.atan2(0.5, -6.0)) / 15.0), abs=0.3)
    # the side view draws the same line
    side = explorer.side_view.element
    curves = [e for e in side.traverse(lambda x: x) if isinstance(e, hv.Curve)]
    assert len(curves[0]) == n
    # a new step traces again through the same point, in that step's field
    explorer.step.value = 0
    assert explorer.lines is not lines
    assert _lstar(explorer.readout.object) != shown
    # the pitch angle: a particle mirroring off the equator has its own K
    explorer.pitch_angle.value = 45.0
    assert "| equatorial pitch angle | 45.00 deg |" in explorer.readout.object  # at the equator
    assert float(explorer.invariants["K"].values[0]) > 0.01


def test_points_without_lstar_say_why(explorer):
    explorer.plane.value = "meridional"
    explorer._tap.event(x=-20.0, y=8.0)  # the northern lobe: (x, z) on the meridian
    assert explorer.start == (-20.0, 0.0, 8.0)
    text = explorer.readout.object
    assert "| field line | open north |" in text
    assert _lstar(text) is None and "**none: " in text
    explorer.plane.value = "equatorial"
    explorer._tap.event(x=-70.0, y=2.0)  # beyond the grid's outer boundary
    text = explorer.readout.object
    assert "left the model domain" in text and "**none: invalid position" in text
    explorer._tap.event(x=0.5, y=0.2)
    assert "inside the Earth" in explorer.readout.object and explorer.lines is None
    assert len(explorer._line_pipe.data["x"]) == 0
    explorer._tap.event(x=1.8, y=0.3)  # between the surface and the grid's inner boundary
    assert "inside the grid's inner boundary (2.00 Re)" in explorer.readout.object
    assert not explorer.message.visible, explorer.message.object


def _polar_image(explorer):
    assert isinstance(explorer.polar_image, hv.Image)
    return explorer.polar_image


def test_ionosphere_panel_in_mlt(explorer, mix):
    explorer.step.value = 2
    one = explorer.ionosphere_step()
    assert one["time"].values == mix["time"].values[2]
    image = _polar_image(explorer)
    assert "CPCP" in hv.Store.lookup_options("bokeh", image, "plot").kwargs["title"]
    cells = one.sel(hemisphere="north")["potential"].values
    # a few cells, projected as the static maps project them (noon up, dawn right), show
    # their own value in the image
    for ci, mi in [(20, 0), (30, 22), (10, 45), (35, 67)]:
        colat, mlt = float(one["colat"][ci]), float(one["mlt"][mi])
        px, py = polar_xy(np.array(colat), np.array(mlt))
        assert image[float(px), float(py)] == pytest.approx(float(cells[ci, mi]))
    # noon is up and dawn on the right
    # the cells just before noon are up, those just before dawn on the right
    mlts = one["mlt"].values
    noon, dawn = int(np.argmin(np.abs(mlts - 11.9))), int(np.argmin(np.abs(mlts - 5.9)))
    assert image[0.6, 29.5] == pytest.approx(float(cells[29, noon]))  # morning: right of noon
    assert image[29.5, -0.6] == pytest.approx(float(cells[29, dawn]))
    assert float(cells[29, noon]) != pytest.approx(float(cells[29, dawn]))
    explorer.hemisphere.value = "south"
    explorer.ionosphere_field.value = "fac"
    image = _polar_image(explorer)
    south = one.sel(hemisphere="south")["fac"].values
    colat, mlt = float(one["colat"][25]), float(one["mlt"][70])
    px, py = polar_xy(np.array(colat), np.array(mlt))
    assert image[float(px), float(py)] == pytest.approx(float(south[25, 70]))
    assert image.vdims[0].label.startswith("FAC, upward +")
    assert np.isnan(image[44.9, 44.9])  # beyond the grid's last ring


def test_a_click_waits_for_the_background_compile(explorer, monkeypatch):
    warm = explore_mhd._Warmup()
    warm.state = "compiling"
    monkeypatch.setattr(explore_mhd, "_WARMUP", warm)
    explorer._tap.event(x=-5.0, y=1.0)
    assert explorer.compiling.visible and "Compiling the gridded-field kernels" in (
        explorer.compiling.object
    )
    assert explorer.lines is None or explorer.start == (-5.0, 1.0, 0.0)
    traced = explorer.lines
    warm.state = "ready"
    explorer._poll()
    assert not explorer.compiling.visible
    assert explorer.lines is not traced and _lstar(explorer.readout.object) is not None


def test_bad_arguments_and_datasets(run, mix):
    with pytest.raises(InvalidArgumentError, match="variable"):
        MhdExplorer(run, variable="T")
    with pytest.raises(InvalidArgumentError, match="meridional"):
        MhdExplorer(run, plane="polar")
    with pytest.raises(InvalidArgumentError, match="Step#9"):
        MhdExplorer(run, step=9)
    with pytest.raises(WrongKindError):
        MhdExplorer(mix)
    with pytest.raises(WrongKindError):
        MhdExplorer(run, ionosphere=run)
    cloud = datasets.open_sample("swmf-idl")
    assert explorable(run) and not explorable(cloud) and not explorable(mix)
    # without ReMIX the polar panel and its pickers are hidden
    alone = MhdExplorer(run, step=1)
    assert not alone.polar_pane.visible and not alone.hemisphere.visible
    assert alone.step.value == 1 and alone.ionosphere_step() is None


def test_accessor_and_app_tab(run, mix):
    layout = run.mhd.explore(ionosphere=mix, variable="D", plane="meridional")
    assert isinstance(layout, pn.Row)
    assert any("MHD explorer: msphere" in str(md.object) for md in layout.select(pn.pane.Markdown))
    data = {"mage-msphere": run, "mage-remix": mix}
    tabs = app.build_app(data)
    assert "MHD: mage-msphere" in tabs._names
    tab = tabs[tabs._names.index("MHD: mage-msphere")]
    assert any(p.visible for p in tab.select(pn.pane.HoloViews) if p.object is not None)
    assert app._companion("mage-msphere", run, data) is mix
    # with files, the run finds its ReMIX by the run id
    files = {"gamera msphere": run, "remix msphere": mix}
    assert app._companion("gamera msphere", run, files) is mix


def test_an_lfm_run_gives_the_bridge_lstar_of_the_docs():
    """On the ``lfm-hdf`` sample, the click's L* is the bridge's number of docs/mhd.md."""
    lfm = datasets.open_sample("lfm-hdf")
    ex = MhdExplorer(lfm)  # no ReMIX, one step
    assert not ex.message.visible, ex.message.object
    assert ex.step.end == 0 and ex.variable.options[0] == "dBz"
    ex.trace((-5.0, 0.3, 0.0))
    # docs/mhd.md, "Next to rbinvariantslib": 5.315 through the bridge from (-5, 0.3, 0) SM
    assert _lstar(ex.readout.object) == pytest.approx(5.315, abs=1e-3)
