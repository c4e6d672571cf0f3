"""The MHD tab of ``geospacexr serve RUN.gam.h5 RUN.mix.h5`` in headless Chromium."""

import re
import time

import pytest

pytest.importorskip("panel")

from _browser import GOTO_MS, launch, plot_canvases, serve_app, wait_until

from geospacexr import datasets

#: The step label's pattern (it lives in Bokeh's shadow DOM: read through Playwright).
LABEL = "text=/^Step#\\d+: 2017-09-04 .* UT$/"

#: For each figure of the page's Bokeh documents: its title and the longest line drawn in it
#: (Bokeh models live in the page, not in the DOM).
_LINES_JS = """() => {
  const out = [];
  for (const doc of (window.Bokeh ? Bokeh.documents : [])) {
    for (const m of doc.all_models) {
      if (!(m.x_range && m.y_range && m.title && m.renderers)) continue;
      let longest = 0;
      for (const r of m.renderers) {
        const name = r.glyph ? (r.glyph.type || r.glyph.constructor.name) : "";
        const data = r.data_source && r.data_source.data;
        if (name === "Line" && data && data.x) longest = Math.max(longest, data.x.length);
      }
      out.push({title: String(m.title.text), longest: longest});
    }
  }
  return out;
}"""


#: Where a point of the plane (SM x, y in R_E) is on the page, through the plane figure's own
#: scales: the screen position a click must have to start there.
_PLANE_POINT_JS = """(target) => {
  function* walk(v) {
    yield v;
    for (const c of (v.child_views || [])) yield* walk(c);
    for (const c of (v.renderer_views ? v.renderer_views.values() : [])) yield* walk(c);
  }
  for (const root of Object.values(Bokeh.index)) for (const v of walk(root)) {
    if (v.model && v.model.title && v.frame && String(v.model.title.text).includes(" plane, ")) {
      const r = v.canvas_view.el.getBoundingClientRect();
      return [r.left + v.frame.x_scale.compute(target[0]),
              r.top + v.frame.y_scale.compute(target[1])];
    }
  }
  return null;
}"""


@pytest.fixture
def served_run():
    """``geospacexr serve`` on the MAGE sample run and its ReMIX file; yields its URL."""
    files = [datasets.sample_path("mage-msphere"), datasets.sample_path("mage-remix")]
    url, stop = serve_app(files)
    yield url
    stop()


def _line_on_the_plane(page):
    figures = page.evaluate(_LINES_JS)
    plane = [f for f in figures if " plane, " in f["title"]]
    return plane and max(f["longest"] for f in plane) > 10


@pytest.mark.ui
def test_mhd_tab_click_traces_a_line_with_its_lstar(served_run, chromium):
    import geospacexr.rb as rb
    from geospacexr import mhd

    # compile the gridded-field kernels in this (the server's) process first (numba caches
    # them on disk): the page's click would otherwise wait for them
    run = datasets.open_sample("mage-msphere")
    model = rb.models.from_grid(mhd.field(run, time=0))
    rb.particles(-5.0, 0.5, 0.0, 90.0, frame="SM").rb.lstar(model)
    sync = pytest.importorskip("playwright.sync_api")
    errors = []
    with sync.sync_playwright() as p:
        browser = launch(p, chromium)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.set_viewport_size({"width": 1500, "height": 1100})
            page.goto(served_run, wait_until="networkidle", timeout=GOTO_MS)
            # the run's explorer is the first tab: the plane, the ReMIX map and the side view
            page.wait_for_selector("text=MHD explorer: msphere", timeout=60000)
            wait_until(page, lambda: len(plot_canvases(page)) >= 3, 60, "no plots")
            assert page.locator(LABEL).first.inner_text() == "Step#3: 2017-09-04 06:03:00 UT"
            figures = page.evaluate(_LINES_JS)
            titles = [f["title"] for f in figures]
            assert any(t.startswith("Bz - dipole Bz, equatorial plane") for t in titles), titles
            assert any(t.startswith("ReMIX north potential, CPCP") for t in titles), titles
            assert not _line_on_the_plane(page)

            # a click on the plane at (-6, 0.5) R_E traces the line there: its L* is shown
            def clicked():
                page.mouse.click(*page.evaluate(_PLANE_POINT_JS, [-6.0, 0.5]))
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    if page.locator("table").filter(has_text="start (SM)").count():
                        return True
                    page.wait_for_timeout(250)
                return False

            wait_until(page, clicked, 120, "the click traced no line")
            readout = page.locator("table").filter(has_text="start (SM)").first
            text = readout.inner_text()
            assert "(-6.00, 0.50, 0.00) Re" in text, text  # within a hundredth of an R_E
            assert re.search(r"L\*\s+6\.\d{4}", text) and "closed" in text, text
            wait_until(page, lambda: _line_on_the_plane(page), 30, "no line drawn on the plane")

            # the slider moves the step (the keyboard on its handle); the line is traced again
            def stepped():
                page.locator(".noUi-handle").first.press("ArrowLeft")
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    if page.locator(LABEL).first.inner_text().startswith("Step#2:"):
                        return True
                    page.wait_for_timeout(250)
                return False

            wait_until(page, stepped, 60, "the slider did not move the step")
            assert "06:02:00" in page.locator(LABEL).first.inner_text()

            # a new variable and plane redraw without an error
            page.locator("select").filter(has_text="dBz").first.select_option("P")
            wait_until(
                page,
                lambda: any(
                    f["title"].startswith("P, equatorial") for f in page.evaluate(_LINES_JS)
                ),
                60,
                "the variable did not change",
            )
            page.locator("select").filter(has_text="meridional").first.select_option("meridional")
            wait_until(
                page,
                lambda: any("meridional plane" in f["title"] for f in page.evaluate(_LINES_JS)),
                60,
                "the plane did not change",
            )
        finally:
            browser.close()
    assert not errors, errors
