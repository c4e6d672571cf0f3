"""The GCM explorer's widget state, checked through Python and in headless Chromium."""

import numpy as np
import pytest

pn = pytest.importorskip("panel")
hv = pytest.importorskip("holoviews")

from _browser import changed, launch, serve_panel, settled, wait_until  # noqa: E402
from bokeh.document import Document  # noqa: E402
from bokeh.models import (  # noqa: E402
    ColorBar,
    CustomJSTickFormatter,
    LinearColorMapper,
    LogColorMapper,
)

from geospacexr import datasets, gcm  # noqa: E402
from geospacexr.explore import gcm as explore_gcm  # noqa: E402
from geospacexr.explore.gcm import POLAR_BOUNDARY_LAT, GcmExplorer, polar_latlon  # noqa: E402
from geospacexr.plot import colours  # noqa: E402


@pytest.fixture(scope="module")
def samples():
    return datasets.open_sample("tiegcm-storm"), datasets.open_sample("tiegcm-control")


@pytest.fixture
def explorer(samples):
    run, control = samples
    ex = GcmExplorer(run.copy(deep=True), control=control.copy(deep=True), prebuild=True)
    ex.root = ex.panel.get_root(Document())  # rendered, as in a served page
    return ex


def _style(element):
    return hv.Store.lookup_options("bokeh", element, "style").kwargs


def _plot_opts(element):
    return hv.Store.lookup_options("bokeh", element, "plot").kwargs


def _mappers(ex):
    (figure,) = _shown_figures(ex)  # plots built for other projections/slices are hidden
    return [m for m in figure.select({"type": LinearColorMapper}) if m.palette] + [
        m for m in figure.select({"type": LogColorMapper}) if m.palette
    ]


def _palette(name, n):
    from holoviews.plotting.util import process_cmap

    return [c.lower() for c in process_cmap(name, n)]


def _drawn(ex):
    """The colour mapper of the displayed Bokeh plot (the one drawing the field)."""
    (mapper,) = {id(m): m for m in _mappers(ex)}.values()
    return mapper


def test_difference_mode_dropdown_shows_the_map_drawn_with_symmetric_limits(explorer):
    ex = explorer
    assert ex.cmap.value == "viridis"  # TN
    ex.level.value = 2.0
    ex.difference.value = True
    assert not ex.message.visible, ex.message.object
    mesh = ex.element.get(0)
    assert ex.cmap.value == colours.DIVERGING == _style(mesh)["cmap"]
    lo, hi = _plot_opts(mesh)["clim"]
    assert lo == -hi and hi == pytest.approx(np.nanmax(np.abs(ex.data().values)))
    mapper = _drawn(ex)
    assert [c.lower() for c in mapper.palette] == _palette("RdBu_r", len(mapper.palette))
    assert (mapper.low, mapper.high) == (lo, hi)
    ex.difference.value = False
    assert ex.cmap.value == "viridis" == _style(ex.element.get(0))["cmap"]
    mapper = _drawn(ex)
    assert [c.lower() for c in mapper.palette] == _palette("viridis", len(mapper.palette))


def test_signed_variables_get_a_diverging_map_and_a_user_choice_is_drawn(explorer):
    ex = explorer
    ex.variable.value = "UN"
    mesh = ex.element.get(0)
    assert ex.cmap.value == "RdBu_r" == _style(mesh)["cmap"]
    lo, hi = _plot_opts(mesh)["clim"]
    assert lo == -hi > -np.inf
    ex.cmap.value = "coolwarm"  # the user's choice is what is drawn
    assert _style(ex.element.get(0))["cmap"] == "coolwarm"
    mapper = _drawn(ex)
    assert [c.lower() for c in mapper.palette] == _palette("coolwarm", len(mapper.palette))
    ex.variable.value = "TN"  # a new quantity: its own default again
    assert ex.cmap.value == "viridis" == _style(ex.element.get(0))["cmap"]
    lo, hi = _plot_opts(ex.element.get(0))["clim"]
    assert 0 < lo < hi  # temperature: not symmetric


def test_log_colour_bar_labels_are_powers_of_ten(explorer):
    ex = explorer
    ex.variable.value = "NE" if "NE" in ex.variable.options else "O2"
    ex.logz.value = True
    assert not ex.message.visible, ex.message.object
    (figure,) = _shown_figures(ex)
    (bar,) = figure.select({"type": ColorBar})
    assert isinstance(bar.formatter, CustomJSTickFormatter)
    assert bar.formatter.code == colours.LOG_TICK_JS
    assert isinstance(bar.color_mapper, LogColorMapper) and bar.color_mapper.low > 0


@pytest.mark.parametrize("projection", ["north polar", "south polar"])
def test_polar_map_fills_the_panel_centred_on_the_pole(explorer, projection):
    ex = explorer
    north = projection == "north polar"
    ex.difference.value = True  # plain and difference mode draw the same map
    ex.projection.value = projection
    assert ex.boundary.visible and ex.boundary.value == POLAR_BOUNDARY_LAT
    assert not ex.message.visible, ex.message.object
    overlay = ex.element
    image = overlay.get(0)
    radius = 90.0 - POLAR_BOUNDARY_LAT
    limit = 1.17 * radius
    assert _plot_opts(overlay)["xlim"] == (-limit, limit) == _plot_opts(overlay)["ylim"]
    frame = explore_gcm.POLAR_FRAME
    assert (_plot_opts(image)["frame_width"], _plot_opts(image)["frame_height"]) == (frame, frame)
    x0, y0, x1, y1 = image.bounds.lbrt()
    assert (x0, y0, x1, y1) == pytest.approx((-radius, -radius, radius, radius))  # centred
    xs = image.dimension_values("x", flat=False)
    ys = image.dimension_values("y", flat=False)
    lat, _ = polar_latlon(xs, ys, north)
    inside = np.hypot(xs, ys) <= radius
    assert (
        lat[inside] >= POLAR_BOUNDARY_LAT if north else lat[inside] <= -POLAR_BOUNDARY_LAT
    ).all()
    values = image.dimension_values(image.vdims[0], flat=False)
    assert np.isfinite(values[inside]).mean() > 0.99 and not np.isfinite(values[~inside]).any()
    assert image.vdims == [image.vdims[0]]  # no per-pixel lat/lon: the hover computes them
    # the pixel at the pole shows the data's poleward-most row
    data = ex.data().transpose("lat", "lon")
    row = data.isel(lat=int(np.argmax(data.lat.values) if north else np.argmin(data.lat.values)))
    centre = values.shape[0] // 2
    assert values[centre, centre] in row.values.astype(np.float32)
    assert _style(image)["cmap"] == ex.cmap.value == "RdBu_r"
    lo, hi = _plot_opts(image)["clim"]
    assert lo == -hi
    # coastlines clipped to the cap (no stray outline), rings labelled in the right hemisphere
    coast, grid, labels = overlay.values()[1:]
    xy = coast.array([0, 1])
    r = np.hypot(xy[:, 0], xy[:, 1])
    assert len(r) > 100 and np.nanmax(r) <= radius + 1e-6
    r = np.hypot(*grid.array([0, 1]).T)  # rings and meridians, out to the edge
    assert np.nanmax(r) == pytest.approx(radius) and np.nanmin(r) == pytest.approx(0.0)
    hemi = "N" if north else "S"
    texts = list(labels.dimension_values("text"))
    assert texts[:4] == [f"{v}°{hemi}" for v in (50, 60, 70, 80)]
    assert "90°E" in texts
    # the user sets the map's edge: streamed into the same figure, its axes follow
    built = ex.figures_built
    ex.boundary.value = 60.0
    assert ex.element.get(0).bounds.lbrt() == pytest.approx((-30, -30, 30, 30))
    assert ex.element.get(3).dimension_values("text")[0] == f"60°{hemi}"
    assert ex.figures_built == built
    (figure,) = _shown_figures(ex)
    assert (figure.x_range.start, figure.x_range.end) == pytest.approx((-1.17 * 30, 1.17 * 30))


def test_polar_geometry_and_click():
    lat, lon = polar_latlon(0.0, -10.0, True)  # below the pole on the north map: lon 0
    assert (float(lat), float(lon)) == pytest.approx((80.0, 0.0))
    lat, lon = polar_latlon(10.0, 0.0, False)  # right of the pole on the south map: 90 E
    assert (float(lat), float(lon)) == pytest.approx((-80.0, 90.0))
    x, y = explore_gcm.polar_xy(np.array([70.0]), np.array([-135.0]), True)
    assert polar_latlon(x, y, True)[1] == pytest.approx(-135.0)
    # a line across the cap's edge is cut exactly at the edge
    line = np.array([[0.0, 40.0], [10.0, 60.0], [20.0, 40.0]])
    (part,) = explore_gcm._clip_to_cap(line, True, 50.0)
    np.testing.assert_allclose(part, [[5.0, 50.0], [10.0, 60.0], [15.0, 50.0]])
    assert explore_gcm._clip_to_cap(line, False, 50.0) == []


def _clickable(ex):
    from bokeh.models import Plot

    return all("tap" in f.subscribed_events for f in ex.root.select({"type": Plot}))


def _shown_figures(ex):
    """The Bokeh figures of the plot panes on show (the others are built but hidden)."""
    from bokeh.models import Plot

    shown = [p for p in ex.figures.objects if p.visible]
    assert shown == [ex.plot]
    return [f for f in ex.root.select({"type": Plot}) if f.visible]


def test_polar_click_picks_latitude_and_longitude(explorer):
    ex = explorer
    assert _clickable(ex)  # the Bokeh map sends its clicks to the server
    ex.projection.value = "north polar"
    assert _clickable(ex)
    ex._tap.event(x=10.0, y=0.0)
    assert (ex.lat.value, ex.lon.value) == pytest.approx((80.0, 90.0))


def test_level_slices_have_a_mean_height_axis(explorer, samples):
    ex = explorer
    run = samples[0]
    for kind in ("lev_lat", "lev_lon"):
        ex.slice.value = kind
        assert not ex.message.visible, ex.message.object
        (figure,) = _shown_figures(ex)
        axes = [a for a in figure.select({"name": "mean_height_axis"})]
        assert len(axes) == 1 and axes[0].axis_label == "mean height (km)"
        ticks = np.array(axes[0].ticker.ticks)
        labels = [float(v) for v in axes[0].formatter.args["lab"]]
        lev = ex.data()["lev"].values
        assert ticks.min() >= lev.min() and ticks.max() <= lev.max() and len(ticks) >= 3
        z = gcm.column_heights(run, "lev").isel(time=0).mean(("lat", "lon")).values
        ok = np.isfinite(z)
        np.testing.assert_allclose(np.interp(ticks, lev[ok], z[ok]), labels, rtol=1e-6)


def test_a_slice_change_streams_into_the_same_plot(explorer):
    ex = explorer
    shown = ex.plot.object
    ex.level.value = 0.0
    first = _drawn(ex).high
    ex.level.value = 3.0
    assert ex.plot.object is shown  # Bokeh keeps its figure and gets new data
    assert _drawn(ex).high != first
    assert _drawn(ex).high == pytest.approx(float(np.nanmax(ex.data().values)))
    ex.projection.value = "north polar"
    assert ex.plot.object is not shown  # another kind of plot (built ahead, hidden till now)
    polar = ex.plot.object
    ex.projection.value = "south polar"  # the same kind of plot: streamed
    assert ex.plot.object is polar and ex.element.get(3).dimension_values("text")[0] == "50°S"
    image = ex.element.get(0)
    assert _drawn(ex).high == pytest.approx(_plot_opts(image)["clim"][1])


def test_projection_switches_reuse_the_built_figures(explorer, monkeypatch):
    """Global <-> polar switches stream into figures built once: no new Bokeh plot, no
    recomputed pixel lookup or decorations (the speed path of a projection switch)."""
    from bokeh.models import Plot

    ex = explorer
    # built with the explorer: the global map on show, the polar map hidden, ahead of a switch
    assert ex.figures_built == 2 and len(ex.figures.objects) == 2
    global_pane = ex.plot
    polar_pane = next(p for p in ex.figures.objects if p is not global_pane)
    assert global_pane.visible and not polar_pane.visible
    figures = {f.id for f in ex.root.select({"type": Plot})}
    lookups = explore_gcm._polar_lookup.cache_info()
    decorations = explore_gcm._polar_elements.cache_info()

    def no_new_plot(*args, **kwargs):
        raise AssertionError("a switch between seen projections built a new plot")

    monkeypatch.setattr(ex, "_build_view", no_new_plot)
    for projection in ("north polar", "global", "south polar", "north polar", "global"):
        ex.projection.value = projection
        assert not ex.message.visible, ex.message.object
        polar = projection != "global"
        assert ex.plot is (polar_pane if polar else global_pane)
        assert polar_pane.visible is polar and global_pane.visible is not polar
        (figure,) = _shown_figures(ex)
        assert ("x", "lon")[not polar] in figure.xaxis[0].axis_label or polar
    assert {f.id for f in ex.root.select({"type": Plot})} == figures  # no Bokeh plot rebuilt
    assert explore_gcm._polar_lookup.cache_info().misses == lookups.misses
    assert explore_gcm._polar_elements.cache_info().misses == decorations.misses
    # clicks on the polar map still reach the explorer (its own Tap stream)
    ex.projection.value = "north polar"
    ex._tap.event(x=0.0, y=-10.0)
    assert (ex.lat.value, ex.lon.value) == pytest.approx((80.0, 0.0))


def test_figures_kept_are_bounded_by_config(samples):
    from geospacexr import config

    with config.override({"cache.explorer_figures": 2}):
        ex = GcmExplorer(samples[0])
        ex.root = ex.panel.get_root(Document())
        for kind in ("lev_lat", "lev_lon", "lat_lon", "lev_lat"):
            ex.slice.value = kind
            assert not ex.message.visible, ex.message.object
            assert len(ex._views) <= 2 and len(ex.figures.objects) <= 2
            assert [p for p in ex.figures.objects if p.visible] == [ex.plot]
    with config.override({"cache.explorer_figures": 1}):
        ex = GcmExplorer(samples[0])
        assert ex.figures_built == 1  # nothing built ahead
        ex.projection.value = "north polar"
        ex.projection.value = "global"
        assert ex.figures_built == 3 and len(ex.figures.objects) == 1


@pytest.fixture
def served_explorer():
    run = datasets.open_sample("tiegcm-2.5deg")
    built = []

    def page():
        ex = GcmExplorer(run)
        built.append(ex)
        return ex.panel

    url, stop = serve_panel(page)
    yield url, built
    stop()


@pytest.mark.ui
def test_slice_change_updates_the_page_in_chromium(served_explorer, chromium):
    sync = pytest.importorskip("playwright.sync_api")
    url, built = served_explorer
    errors = []
    with sync.sync_playwright() as p:
        browser = launch(p, chromium)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.set_viewport_size({"width": 1400, "height": 900})
            page.goto(url, wait_until="networkidle")
            page.wait_for_selector("text=GCM explorer", timeout=90000)
            page.locator("canvas").first.wait_for(timeout=90000)
            ex = built[-1]
            # the plot area, right of the widgets (a new figure replaces the canvas elements)
            area = {"x": 340, "y": 0, "width": 1000, "height": 880}

            def plot():
                return page.screenshot(clip=area)

            # the first render: wait until the figure has been drawn (pixels stop changing)
            before = settled(page, 90, plot)
            variable = page.locator("select").filter(has_text="TN").first
            variable.select_option("UN")  # a new variable: streamed into the same plot
            wait_until(page, lambda: ex.variable.value == "UN")
            changed(page, plot, before)
            assert ex.cmap.value == "RdBu_r" and not ex.message.visible
            assert ex.last_refresh_seconds < 2.0, ex.last_refresh_seconds
            before = settled(page, 90, plot)
            page.locator("select").filter(has_text="lev_lat").first.select_option("lev_lat")
            wait_until(page, lambda: ex.slice.value == "lev_lat")
            changed(page, plot, before)
            assert not ex.message.visible, ex.message.object
        finally:
            browser.close()
    assert not errors, errors


@pytest.mark.ui
def test_projection_switch_in_chromium_streams_into_the_prebuilt_map(served_explorer, chromium):
    """Served: the polar map is built once the page is loaded (hidden); switching projection
    in the browser shows it and streams the slice into it, and back, building no figure."""
    sync = pytest.importorskip("playwright.sync_api")
    url, built = served_explorer
    errors = []
    with sync.sync_playwright() as p:
        browser = launch(p, chromium)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.set_viewport_size({"width": 1400, "height": 900})
            page.goto(url, wait_until="networkidle")
            page.wait_for_selector("text=GCM explorer", timeout=90000)
            page.locator("canvas").first.wait_for(timeout=90000)
            ex = built[-1]
            # the page's onload builds the polar map, hidden, after the first view
            wait_until(page, lambda: ex.figures_built == 2, 90)
            area = {"x": 340, "y": 0, "width": 1000, "height": 880}

            def plot():
                return page.screenshot(clip=area)

            before = settled(page, 90, plot)
            projection = page.locator("select").filter(has_text="north polar").first
            projection.select_option("north polar")
            wait_until(page, lambda: ex.projection.value == "north polar")
            polar = changed(page, plot, before)
            assert not ex.message.visible, ex.message.object
            assert ex.figures_built == 2  # shown and streamed, not built
            assert [pane.visible for pane in ex.figures.objects] == [False, True]
            polar = settled(page, 90, plot)
            projection.select_option("global")
            wait_until(page, lambda: ex.projection.value == "global")
            changed(page, plot, polar)
            assert ex.figures_built == 2
            assert [pane.visible for pane in ex.figures.objects] == [True, False]
        finally:
            browser.close()
    assert not errors, errors


def _polar_hovers(ex):
    from bokeh.models import CustomJSHover, HoverTool

    return [
        h
        for h in ex.root.select({"type": HoverTool})
        if isinstance((h.formatters or {}).get("$x"), CustomJSHover)
    ]


def test_polar_hover_computes_lat_lon_in_the_browser(explorer):
    """The polar image carries no per-pixel lat/lon (0.7 MB a figure): the hover computes them
    from the pointer's map position, as polar_latlon does, for the hemisphere shown."""
    import json
    import shutil
    import subprocess

    ex = explorer
    for projection, north in (("north polar", True), ("south polar", False)):
        ex.projection.value = projection
        (hover,) = _polar_hovers(ex)
        assert hover.tooltips[:2] == [("lat", "$x{lat}"), ("lon", "$x{lon}")], hover.tooltips
        assert hover.formatters["$x"].args == {"north": north}
    node = shutil.which("node")
    if node is None:
        pytest.skip("no Node.js to run the formatter")
    code = hover.formatters["$x"].code
    points = [(3.0, -20.0), (-15.0, 7.5), (0.5, 30.0)]
    script = (
        f"const f = new Function('value', 'format', 'special_vars', 'north', {json.dumps(code)});"
        f"const out = [];"
        f"for (const north of [true, false]) for (const [x, y] of {json.dumps(points)}) "
        f"out.push([f(x, 'lat', {{x, y}}, north), f(x, 'lon', {{x, y}}, north)]);"
        f"console.log(JSON.stringify(out));"
    )
    got = json.loads(
        subprocess.run([node, "-e", script], capture_output=True, text=True, check=True).stdout
    )
    expected = [polar_latlon(x, y, north) for north in (True, False) for x, y in points]
    for (lat_s, lon_s), (lat, lon) in zip(got, expected, strict=True):
        assert float(lat_s.rstrip("°")) == pytest.approx(float(lat), abs=0.05)
        assert float(lon_s.rstrip("°")) == pytest.approx(float(lon), abs=0.05)
