import io

import numpy as np
import pytest
import xarray as xr

pytest.importorskip("panel")

from geospacexr import asi, datasets, gcm
from geospacexr.explore.asi import AsiExplorer
from geospacexr.explore.gcm import GcmExplorer


# The samples are opened once per module (a few seconds); every test gets deep copies (dask
# graphs and small arrays, ~20 ms) and its own explorer (~1 s), so no widget state, cache or
# Dataset change made by one test is seen by another.
@pytest.fixture(scope="module")
def gcm_samples():
    return datasets.open_sample("tiegcm-storm"), datasets.open_sample("tiegcm-control")


@pytest.fixture
def run(gcm_samples):
    return gcm_samples[0].copy(deep=True)


@pytest.fixture
def explorer(run, gcm_samples):
    return GcmExplorer(run, control=gcm_samples[1].copy(deep=True))


def test_gcm_widgets_drive_the_pure_functions(explorer, run):
    explorer.slice.value = "lat_lon"
    explorer.variable.value = "TN"
    explorer.vertical.value = "level"
    explorer.level.value = 2.0
    explorer.time.value = 2
    expected = gcm.lat_lon(run, "TN", time=run.time.values[2], level=2.0)
    xr.testing.assert_allclose(explorer.data(), expected.load())
    mesh = explorer.element.get(0)  # QuadMesh under the coastlines
    shown = mesh.data[2] if isinstance(mesh.data, tuple) else mesh.dimension_values(2, flat=False)
    # the map closes the longitude circle: the first column again after the last
    np.testing.assert_allclose(shown[:, :-1], expected.values)
    np.testing.assert_array_equal(shown[:, -1], shown[:, 0])
    explorer.vertical.value = "height"
    explorer.height.value = 300.0
    xr.testing.assert_allclose(
        explorer.data(), gcm.lat_lon(run, "TN", time=run.time.values[2], height=300.0)
    )
    assert not explorer.message.visible


def test_gcm_every_slice_and_cache(explorer):
    for kind in ("lev_lat", "lev_lon", "lev_time", "lat_time", "lon_time", "var_time", "lat_lon"):
        explorer.slice.value = kind
        assert not explorer.message.visible, (kind, explorer.message.object)
        assert explorer.plot.object is not None
    first = explorer.data()
    assert explorer.data() is first  # cached per parameter set


def test_gcm_bad_input_shows_a_message(explorer):
    explorer.slice.value = "lat_lon"
    explorer.vertical.value = "level"
    explorer.variable.value = "HMF2"  # a 2-D field: the level is ignored, no error
    assert not explorer.message.visible
    explorer.variable.value = "TN"
    explorer.vertical.value = "height"
    explorer.height.value = explorer.height.end
    explorer.height.param.update(end=5000)
    explorer.height.value = 5000.0
    assert explorer.message.visible and "outside the model's range" in explorer.message.object
    explorer.height.value = 300.0
    assert not explorer.message.visible


def test_gcm_difference_mode_and_exports(explorer):
    explorer.slice.value = "lat_lon"
    explorer.vertical.value = "level"
    explorer.level.value = 2.0
    explorer.difference.value = True
    assert not explorer.message.visible
    mesh = explorer.element.get(0)
    import holoviews as hv

    lo, hi = hv.Store.lookup_options("bokeh", mesh, "plot").kwargs["clim"]
    assert lo == pytest.approx(-hi)
    png = explorer._png().getvalue()
    assert png.startswith(b"\x89PNG")
    nc = xr.open_dataset(io.BytesIO(explorer._netcdf().getvalue()))
    assert "TN" in nc
    explorer.difference.value = False


def test_gcm_tap_picks_the_vertical_slice_position(explorer):
    explorer.slice.value = "lat_lon"
    explorer._tap.event(x=33.0, y=-20.0)  # what a click on the map sends
    assert (explorer.lon.value, explorer.lat.value) == (33.0, -20.0)


@pytest.fixture
def imager():
    return datasets.open_sample("themis-gill"), datasets.open_sample("themis-gill-skymap")


def title_of(element):
    import holoviews as hv

    return hv.Store.lookup_options("bokeh", element, "plot").kwargs["title"]


def test_asi_time_player_keogram_click_and_box(imager):
    import holoviews as hv

    ds, sky = imager
    ex = AsiExplorer(ds, sky)
    assert "ASI explorer: THEMIS ASI gill" in ex.panel[0][0].object  # the table's label
    ex.time.value = 12
    np.testing.assert_array_equal(ex.frame(), ds.image.values[12].astype(float))
    img = ex.image_view.element.get(0)
    # the plot shows pixel (x, y) at coordinates (x, y): y = 0 at the bottom, as the keogram
    for x, y in ((100, 200), (30, 40), (128, 5)):
        assert img[x, y] == ds.image.values[12, y, x]
    ex._keogram_clicked(x=ds.time.values[40])
    assert ex.time.value == 40
    ex.contrast.value = (2.0, 98.0)
    # frames, a click and a new contrast stream into the figures built first (none rebuilt);
    # the skymap overlay is one element drawn once, not one per frame
    assert (ex.image_view.built, ex.keogram_view.built) == (1, 1)

    def contours():
        return next(el for el in ex.image_view.element if isinstance(el, hv.Contours))

    def box_drawn():
        return next(el for el in ex.image_view.element if isinstance(el, hv.Rectangles))

    sky = contours()
    ex.time.value = 41
    assert contours() is sky and ex.image_view.built == 1
    assert len(box_drawn()) == 0  # the box layer is there, empty, before a box is drawn
    # the box plot's figure is built with the explorer (time axis, a title saying what to do)
    assert ex.box_view.built == 1 and "Draw a box" in title_of(ex.box_view.element)
    series = ex.select_box((100, 140, 150, 200))
    xr.testing.assert_allclose(series, asi.box_metric(ds, ccd=(100, 140, 150, 200)))
    # the first box streams into both figures: none is rebuilt (a rebuild took 1-2 s)
    assert (ex.image_view.built, ex.box_view.built) == (1, 1)
    assert "columns 100 to 139" in title_of(ex.box_view.element)
    np.testing.assert_array_equal(box_drawn().array(), [[99.5, 149.5, 139.5, 199.5]])
    assert ex.select_box((300, 310, 0, 5)) is None and ex.message.visible
    # a box drawn over pixels x 0..2, y 0..1 (each pixel spans +-0.5 around its index)
    ex._box_drawn((-0.5, -0.5, 2.5, 1.5))
    assert ex.box == (0, 3, 0, 2)


def test_asi_labels_compass_keogram_raster_and_box_titles(imager):
    import holoviews as hv

    ds, sky = imager
    ex = AsiExplorer(ds, sky)
    overlay = ex.image_view.element
    labels = [el for el in overlay if isinstance(el, hv.Labels)]
    texts = {str(t) for el in labels for t in el.dimension_values(2)}
    assert {"10°", "30°", "60°", "N", "E"} <= texts, texts
    # each elevation label sits on its contour: the skymap's elevation there is the label's
    elevation_labels = next(el for el in labels if el.vdims[0].name == "elevation")
    for x, y, text in zip(*(elevation_labels.dimension_values(i) for i in range(3)), strict=True):
        assert abs(sky.elevation.values[int(y), int(x)] - float(text[:-1])) < 2.0
    # the compass arrows lie inside the image and point where the skymap's azimuths say
    arrows = next(el for el in overlay if isinstance(el, hv.Segments))
    h, w = ds.image.shape[1:]
    x0, y0, x1, y1 = (arrows.dimension_values(i) for i in range(4))
    assert ((x0 >= 0) & (x1 >= 0) & (x0 < w) & (x1 < w) & (y1 >= 0) & (y1 < h)).all()
    az = sky.azimuth.values
    zy, zx = np.unravel_index(np.nanargmax(sky.elevation.values), az.shape)
    for k, want in enumerate((0.0, 90.0)):  # N, then E
        far = (
            round(zx + 60 * (x1[k] - x0[k]) / np.hypot(x1[k] - x0[k], y1[k] - y0[k])),
            round(zy + 60 * (y1[k] - y0[k]) / np.hypot(x1[k] - x0[k], y1[k] - y0[k])),
        )
        assert abs((az[far[1], far[0]] - want + 180) % 360 - 180) < 10, (k, az[far[1], far[0]])
    # the keogram (regular cadence) is one raster: no mesh of quads, no seams
    keogram = ex.keogram_view.element.get(0)
    assert isinstance(keogram, hv.Image)
    assert "counts" in keogram.vdims[0].label
    series = ex.select_box((100, 140, 150, 200))
    assert series is not None
    box = ex.box_view.element
    title = hv.Store.lookup_options("bokeh", box, "plot").kwargs["title"]
    assert "columns 100 to 139, rows 150 to 199" in title
    assert box.vdims[0].label == "box mean (counts)"


def test_mosaic_explorer():
    from geospacexr.explore.mosaic import MosaicExplorer

    sites = ["gill", "rank", "snkq"]
    images = [datasets.open_sample(f"themis-{s}") for s in sites]
    skymaps = [datasets.open_sample(f"themis-{s}-skymap") for s in sites]
    track = xr.Dataset(
        {"lat": ("time", np.linspace(55, 62, 60)), "lon": ("time", np.full(60, -90.0))},
        coords={"time": images[0].time.values},
    )
    ex = MosaicExplorer(images, skymaps, footprint=track)
    # site markers in the instrument table's colour of their instrument
    from geospacexr.asi.instruments import get_instrument, hex_colour

    markers = [el for el in ex.view.element if "colour" in el.dimensions("value", label=True)]
    assert len(markers) == 1 and len(markers[0].data) == len(sites)
    assert set(markers[0].data["colour"]) == {hex_colour(get_instrument("themis").colour)}
    ex.time.value = 30
    expected = asi.mosaic(images, skymaps, time=images[0].time.values[30])
    xr.testing.assert_identical(ex.data(), expected)
    ex.sites.value = ["gill"]
    assert list(ex.data().sites.values) == ["gill"]
    ex.sites.value = []
    assert ex.message.visible and "no site selected" in ex.message.object
    ex.sites.value = sites
    ex.min_elevation.value = 20.0
    assert not ex.message.visible
    assert float(np.nanmin(ex.data().elevation.values)) >= 20.0
    # every change above streamed into the figure built first
    assert ex.view.built == 1


def test_mosaic_opens_on_the_fields_of_view_labelled():
    import holoviews as hv

    from geospacexr.explore.mosaic import MosaicExplorer

    sites = ["gill", "rank", "snkq"]
    images = [datasets.open_sample(f"themis-{s}") for s in sites]
    skymaps = [datasets.open_sample(f"themis-{s}-skymap") for s in sites]
    ex = MosaicExplorer(images, skymaps)
    # not linked to other plots' lon/lat axes (the GCM map's would open it on the globe)
    assert ex.plot.linked_axes is False
    figure = hv.render(ex.plot.object)
    covered = ex.data()["image"].isel(time=0).notnull()
    lat = covered["lat"].where(covered.any("lon"), drop=True)
    lon = covered["lon"].where(covered.any("lat"), drop=True)
    # the view holds every covered cell, with a margin of a few cells, and no more
    assert figure.x_range.start <= float(lon.min()) and figure.x_range.end >= float(lon.max())
    assert figure.y_range.start <= float(lat.min()) and figure.y_range.end >= float(lat.max())
    assert figure.x_range.end - figure.x_range.start < float(lon.max() - lon.min()) + 5
    assert figure.y_range.end - figure.y_range.start < float(lat.max() - lat.min()) + 5
    image = ex.view.element.get(0)
    assert isinstance(image, hv.Image)  # one raster: no cell outlines
    assert image.vdims[0].label == "raw brightness (counts)"
    assert figure.background_fill_color not in ("white", "#ffffff", "#FFFFFF")
    labels = [el for el in ex.view.element if isinstance(el, hv.Labels)]
    assert len(labels) == 1 and sorted(labels[0].dimension_values(2)) == sorted(sites)


def test_rb_explorer_widgets_drive_the_pure_functions():
    import geospacexr.rb as rb
    from geospacexr.explore.rb import RbExplorer

    ex = RbExplorer(model="dipole", time="2017-09-01T12:00", position=(5.0, 0.0, 0.0))
    p = rb.particles(5.0, 0.0, 0.0, 45.0, energy=1.0, time="2017-09-01T12:00", frame="GSM")
    shell = {"n_local_times": ex.shell_local_times.value}
    expected = p.rb.lstar(rb.models.get("dipole"), accuracy=shell)
    _, inv = ex.data()
    np.testing.assert_allclose(inv["lstar"], expected["lstar"])
    assert f"{float(expected['lstar'][0]):.4f}" in ex.readout.object
    assert not ex.kp.visible and not ex.pdyn.visible
    ex.model.value = "t96"
    assert ex.pdyn.visible and not ex.kp.visible
    ex.dst.value = -50.0
    _, inv = ex.data()
    t96 = rb.models.get("t96", pdyn=2.0, dst=-50.0, by=0.0, bz=-2.0)
    np.testing.assert_allclose(inv["lstar"], p.rb.lstar(t96, accuracy=shell)["lstar"])
    assert ex.data()[1] is inv  # cached per parameter set
    lines = ex.line_view.element
    assert lines is not None and ex.shell_view.element is not None
    ex.x.value = 2.0
    ex.pitch.value = 5.0  # at 2 Re the loss cone is 14 degrees wide
    assert ex.message.visible and "Status 3" in ex.message.object
    ex.pitch.value = 45.0
    ex.time.value = "not a time"
    assert ex.message.visible and "time" in ex.message.object


def test_rb_explorer_finer_drift_shell():
    from geospacexr.explore.rb import SHELL_LOCAL_TIMES, RbExplorer

    assert max(SHELL_LOCAL_TIMES) >= 48 and 24 in SHELL_LOCAL_TIMES
    ex = RbExplorer(model="dipole", time="2017-09-01T12:00", position=(5.0, 0.0, 0.0))
    assert ex.shell_local_times.value >= 24
    ex.shell_local_times.value = 48
    _, inv = ex.data()
    assert inv.sizes["local_time"] == 48
    shell = ex.shell_view.element.get(0)
    assert len(shell.dimension_values(0)) == 48 + 1  # closed ring
    assert "48 local times" in ex.shell_view.element.opts.get().kwargs["title"]


def test_rb_explorer_models_and_sliders_come_from_the_registry(monkeypatch):
    import geospacexr.rb as rb
    from geospacexr.explore import rb as explore_rb

    ex = explore_rb.RbExplorer(model="dipole", defer=True)
    monkeypatch.setattr(ex, "refresh", lambda: None)  # widget logic only, no compilation
    assert list(ex.model.options) == rb.models.list_models()
    assert "ts05" in ex.model.options and explore_rb.MODELS["ts05"][-1] == "w6"
    assert not any(w.visible for w in ex.parameters.values())
    ex.model.value = "ts05"
    visible = {n for n, w in ex.parameters.items() if w.visible}
    assert visible == {"pdyn", "dst", "by", "bz", "w1", "w2", "w3", "w4", "w5", "w6"}
    assert (ex.dst.start, ex.dst.end) == (-300.0, 20.0)  # TS05's fitted range
    ex.parameters["w3"].value = 2.0
    name, params, *_ = ex.key()
    model = rb.models.get(name, **dict(params))
    assert model.external == "ts05" and model.params["w3"] == 2.0 and model.params["w1"] == 0.5
    ex.model.value = "t96"
    assert (ex.dst.start, ex.dst.end) == (-100.0, 20.0) and not ex.parameters["w1"].visible
    assert dict(ex.key()[1]) == {"pdyn": 2.0, "dst": -20.0, "by": 0.0, "bz": -2.0}


def test_gcm_explorer_offers_emissions(explorer, run):
    assert {"NO53", "OI6300"} <= set(explorer.variable.options)
    explorer.slice.value = "lat_lon"
    explorer.vertical.value = "height"
    explorer.height.value = 250.0
    explorer.variable.value = "OI6300"
    assert not explorer.message.visible, explorer.message.object
    expected = gcm.lat_lon(run, "OI6300", time=explorer.data().time.values, height=250.0)
    np.testing.assert_allclose(explorer.data().values, expected.values, rtol=1e-12)
    explorer.variable.value = "TN"


@pytest.fixture
def gated_compiler(monkeypatch):
    """A fresh background compiler whose warm-up waits for ``release.set()``."""
    import threading

    import geospacexr.rb._startup as startup
    from geospacexr.explore import rb as explore_rb

    release, calls = threading.Event(), []

    def warmup(models, progress=True):
        calls.append(list(models))
        assert release.wait(60)
        return {m: 0.0 for m in models}

    monkeypatch.setattr(explore_rb, "_COMPILER", explore_rb._Compiler())
    monkeypatch.setattr(startup, "warmup", warmup)
    yield release, calls
    release.set()


def test_rb_explorer_shows_the_background_compile_and_computes_after(gated_compiler):
    import time

    from geospacexr.explore import rb as explore_rb

    release, calls = gated_compiler
    explore_rb.compile_in_background(["dipole", "t96"])
    deadline = time.monotonic() + 30
    while explore_rb.compile_state("dipole") != "compiling":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert explore_rb.compile_state("t96") == "queued"
    ex = explore_rb.RbExplorer(model="dipole", time="2017-09-01T12:00", position=(5.0, 0, 0))
    assert ex.compiling.visible and ex.progress.visible
    assert "Compiling the dipole kernels" in ex.compiling.object
    from geospacexr.rb._startup import estimate

    # the shared kernels' time while they are not loaded in this process, plus the model's own
    seconds = estimate("dipole")
    about = f"about {seconds:.0f} s"
    assert (about in ex.compiling.object) if seconds else ("about" not in ex.compiling.object)
    assert ex.readout.object == ""  # nothing computed (that would block the server)
    ex._poll()  # still compiling: the message stays
    assert ex.compiling.visible
    release.set()
    deadline = time.monotonic() + 30
    while explore_rb.compile_state("t96") != "ready":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert calls == [["dipole"], ["t96"]]
    ex._poll()
    assert not ex.compiling.visible and not ex.progress.visible
    assert "L*" in ex.readout.object


def test_rb_compile_queue_puts_the_asked_model_first(gated_compiler):
    import time

    from geospacexr.explore import rb as explore_rb

    release, calls = gated_compiler
    explore_rb.compile_in_background(["dipole", "igrf", "t96"])
    deadline = time.monotonic() + 30
    while explore_rb.compile_state("dipole") != "compiling":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    ex = explore_rb.RbExplorer(model="t96", defer=True)
    ex.refresh()  # t96 waits behind dipole and moves ahead of igrf
    assert "Waiting to compile the T96 kernels" in ex.compiling.object
    assert "DIPOLE" not in ex.compiling.object and "dipole kernels" in ex.compiling.object
    release.set()
    deadline = time.monotonic() + 30
    while explore_rb.compile_state("igrf") != "ready":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert calls == [["dipole"], ["t96"], ["igrf"]]


def _errors_on_our_deprecations():
    """A warnings context where deprecations attributed to geospacexr's code are errors."""
    import warnings

    context = warnings.catch_warnings()
    context.__enter__()
    for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
        warnings.filterwarnings("error", category=category, module=r"geospacexr(\.|$)")
    return context


def test_building_the_explorers_warns_nothing_from_our_code(imager):
    from geospacexr.explore.mosaic import MosaicExplorer
    from geospacexr.explore.rb import RbExplorer

    ds, sky = imager
    context = _errors_on_our_deprecations()
    try:
        AsiExplorer(ds, sky)
        MosaicExplorer([ds], [sky])
        RbExplorer(model="dipole", defer=True)
    finally:
        context.__exit__(None, None, None)
    # the check is live: a deprecation attributed to our code (as Panel attributes its own, to
    # the first caller outside Panel) fails it
    import warnings

    context = _errors_on_our_deprecations()
    try:
        with pytest.raises(PendingDeprecationWarning):
            warnings.warn_explicit(
                "Widget.name is deprecated",
                PendingDeprecationWarning,
                "rb.py",
                1,
                module="geospacexr.explore.rb",
            )
    finally:
        context.__exit__(None, None, None)


def test_building_the_gcm_explorer_warns_nothing_from_our_code(gcm_samples):
    context = _errors_on_our_deprecations()
    try:
        GcmExplorer(gcm_samples[0].copy(deep=True), control=gcm_samples[1].copy(deep=True))
    finally:
        context.__exit__(None, None, None)


def test_explorer_layouts_leave_panel_no_pane_type_to_guess(monkeypatch, imager, run):
    """Every text of an explorer's layout is a Markdown pane, not a bare string.

    For a bare string Panel tries each pane type, and its Matplotlib check imports
    ``matplotlib.figure`` (5 s of a cold explorer build on a loaded machine).
    """
    import panel as pn

    from geospacexr.explore.mosaic import MosaicExplorer
    from geospacexr.explore.rb import RbExplorer

    base = pn.pane.base.PaneBase
    real = base.get_pane_type.__func__
    guessed = []

    def recording(cls, obj, **kwargs):
        guessed.append(obj)
        return real(cls, obj, **kwargs)

    monkeypatch.setattr(base, "get_pane_type", classmethod(recording))
    ds, sky = imager
    AsiExplorer(ds, sky)
    MosaicExplorer([ds], [sky])
    RbExplorer(defer=True)
    GcmExplorer(run, prebuild=False)
    assert not [g for g in guessed if isinstance(g, str)], guessed


def _inline_bytes(viewable):
    """What a notebook stores of an explorer displayed inline (its MIME bundle)."""
    import json

    import panel as pn

    bundle, _ = pn.panel(viewable)._repr_mimebundle_()
    return len(json.dumps(bundle))


def test_inline_explorers_are_light_to_store_in_a_notebook(gcm_samples, monkeypatch):
    """Issue 18: notebooks/05-explorers.ipynb stored 973 kB for the GCM explorer alone (its
    hidden polar map, built ahead, with a per-pixel lat/lon for the hover) and 306 kB for the
    ASI explorer (float64 frames). Inline, the polar map is built on the first switch and its
    hover computes lat/lon in the browser; frames go as the camera's counts."""
    import panel as pn

    monkeypatch.setattr(pn.extension, "_loaded", True)  # as after pn.extension() in a notebook
    gcm = GcmExplorer(gcm_samples[0], control=gcm_samples[1])
    assert gcm.figures_built == 1  # the map shown, nothing hidden
    assert _inline_bytes(gcm.panel) < 150_000
    gcm.projection.value = "north polar"  # built on demand: the function is all there
    assert gcm.figures_built == 2 and not gcm.message.visible
    images = datasets.open_sample("themis-gill")
    asi = AsiExplorer(images, datasets.open_sample("themis-gill-skymap"))
    assert _inline_bytes(asi.panel) < 270_000
    shown = asi.image_view.element.get(0)
    assert shown.dimension_values(2).dtype == images["image"].dtype  # counts, exactly
