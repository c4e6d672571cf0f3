"""The spectrograph in the ASI explorer and the app's riometer tab, in headless Chromium."""

import time

import numpy as np
import pytest

pn = pytest.importorskip("panel")

from _browser import GOTO_MS, launch, serve_panel, wait_until  # noqa: E402

from geospacexr import datasets  # noqa: E402
from geospacexr.explore import app  # noqa: E402
from geospacexr.explore.asi import AsiExplorer  # noqa: E402

#: Each figure of the page: title, glyph kinds, the finite values its glyphs draw (the column
#: their colour or y comes from, or an image's pixels) and the cursor's place (a Span).
_FIGURES_JS = """() => {
  const out = [];
  for (const doc of (window.Bokeh ? Bokeh.documents : [])) {
    for (const m of doc.all_models) {
      if (!(m.x_range && m.y_range && m.title && m.renderers)) continue;
      const kinds = [], values = [];
      for (const r of m.renderers) {
        const g = r.glyph, data = r.data_source && r.data_source.data;
        if (!g || !data) continue;
        kinds.push(g.type || g.constructor.name);
        const spec = [g.fill_color, g.color, g.y].find(s => s && s.field);
        const column = spec ? data[spec.field] : data.image;
        if (!column) continue;
        for (const v of column) {
          if (v && v.length !== undefined && typeof v !== "string") {
            for (const u of v) if (Number.isFinite(u)) values.push(u);
          } else if (Number.isFinite(v)) values.push(v);
        }
      }
      const spans = [...m.renderers, ...(m.center || [])]
        .filter(a => a.location !== undefined && a.location !== null)
        .map(a => a.location);
      out.push({title: String(m.title.text), kinds: kinds, finite: values.length,
                sum: values.reduce((a, b) => a + b, 0), spans: spans});
    }
  }
  return out;
}"""


def _figure(page, prefix, glyph=None):
    for f in page.evaluate(_FIGURES_JS):
        if f["title"].startswith(prefix) and (glyph is None or glyph in f["kinds"]):
            return f
    return None


@pytest.fixture
def imager_and_spectrograph():
    ds = datasets.open_sample("themis-tpas")
    sky = datasets.open_sample("themis-tpas-skymap")
    spect = datasets.open_sample("trex_spect-rabb")
    # the sample spectrograph is of another night: its spectra moved to the imager's frames
    l1 = spect["l1"].assign_coords(time=ds.time.values[::5][: spect["l1"].sizes["time"]])
    return ds, sky, l1, spect["skymap"]


@pytest.mark.ui
def test_spectrograph_slit_and_keogram_in_chromium(imager_and_spectrograph, chromium):
    ds, sky, l1, spect_sky = imager_and_spectrograph
    url, stop = serve_panel(
        lambda: AsiExplorer(ds, sky, spectrograph=l1, spectrograph_skymap=spect_sky).panel
    )
    sync = pytest.importorskip("playwright.sync_api")
    errors = []
    try:
        with sync.sync_playwright() as p:
            browser = launch(p, chromium)
            try:
                page = browser.new_page()
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.set_viewport_size({"width": 1400, "height": 1100})
                page.goto(url, wait_until="networkidle", timeout=GOTO_MS)
                page.wait_for_selector("text=ASI explorer", timeout=60000)

                def slit():
                    # the image's figure holds the slit's polygons, coloured by intensity
                    for f in page.evaluate(_FIGURES_JS):
                        if "MultiPolygons" in f["kinds"] and f["finite"] > 0:
                            return f
                    return None

                first = wait_until(page, slit, 90, "the slit was not drawn on the image")
                keogram = wait_until(
                    page,
                    lambda: (f := _figure(page, "spectrograph keogram")) and f["finite"] and f,
                    90,
                    "the spectrograph keogram was not drawn",
                )
                assert "Quad" in keogram["kinds"] and keogram["spans"]
                frame0 = ds.time.values[0].astype("datetime64[ms]").astype(np.int64)
                assert keogram["spans"][0] == pytest.approx(frame0)  # the cursor: frame 0
                # another emission recolours the slit (red is fainter than green here)
                page.locator("select").filter(has_text="hbeta").first.select_option("red")
                wait_until(
                    page,
                    lambda: (f := slit()) and f["sum"] != first["sum"],
                    60,
                    "the slit did not change colour",
                )
                # a click on the spectrograph keogram moves the frame, and both cursors
                # the figures, top to bottom: image and ASI keogram, spectrograph keogram, box
                boxes = []
                for canvas in page.locator("canvas").all():
                    b = canvas.bounding_box()
                    if b and b["width"] > 300 and b["height"] > 150 and canvas.is_visible():
                        boxes.append(b)
                rows = sorted({round(b["y"]) for b in boxes})
                assert len(rows) >= 3, boxes
                box = next(b for b in boxes if round(b["y"]) == rows[-2])

                def moved():
                    page.mouse.click(box["x"] + 0.7 * box["width"], box["y"] + 0.5 * box["height"])
                    deadline = time.monotonic() + 5
                    while time.monotonic() < deadline:
                        f = _figure(page, "spectrograph keogram")
                        if f and f["spans"] and f["spans"][0] > frame0 + 30_000:
                            return f
                        page.wait_for_timeout(200)
                    return None

                wait_until(page, moved, 90, "the keogram click did not move the frame")
            finally:
                browser.close()
    finally:
        stop()
    assert not errors, errors


@pytest.mark.ui
def test_riometer_tab_in_chromium(chromium):
    ds = datasets.open_sample("themis-gill")
    rio = datasets.open_sample("norstar_rio-gill")
    # the riometer sample is of another year: moved (whole days) to the imager's night
    days = ds.time.values[0].astype("datetime64[D]") - rio.time.values[0].astype("datetime64[D]")
    data = {
        "themis-gill": ds,
        "themis-gill-skymap": datasets.open_sample("themis-gill-skymap"),
        "norstar_rio-gill": rio.assign_coords(time=rio.time.values + days),
    }
    url, stop = serve_panel(lambda: app.build_app(data))
    sync = pytest.importorskip("playwright.sync_api")
    errors = []
    try:
        with sync.sync_playwright() as p:
            browser = launch(p, chromium)
            try:
                page = browser.new_page()
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.set_viewport_size({"width": 1400, "height": 1000})
                page.goto(url, wait_until="networkidle", timeout=GOTO_MS)
                page.wait_for_selector("text=ASI explorer", timeout=60000)
                page.get_by_text("Riometers").first.click()
                page.wait_for_selector("text=Riometer panel", timeout=60000)

                def stack():
                    for f in page.evaluate(_FIGURES_JS):
                        if "Line" in f["kinds"] and f["finite"] > 1000 and f["spans"]:
                            return f
                    return None

                trace = wait_until(page, stack, 90, "the riometer stack was not drawn")
                frame0 = ds.time.values[0].astype("datetime64[ms]").astype(np.int64)
                assert trace["spans"][0] == pytest.approx(frame0)
                keogram = wait_until(
                    page, lambda: _figure(page, "keogram"), 60, "no keogram above the stack"
                )
                assert keogram["spans"][0] == pytest.approx(frame0)
                # a click on the trace after the imager's night moves the imager to its last
                # frame: both cursors follow
                canvases = [
                    c.bounding_box()
                    for c in page.locator("canvas").all()
                    if c.is_visible() and c.bounding_box() and c.bounding_box()["width"] > 300
                ]
                box = max(canvases, key=lambda b: b["y"])  # the stack, below the keogram
                last = ds.time.values[-1].astype("datetime64[ms]").astype(np.int64)

                def followed():
                    page.mouse.click(box["x"] + 0.6 * box["width"], box["y"] + 0.5 * box["height"])
                    deadline = time.monotonic() + 5
                    while time.monotonic() < deadline:
                        f, k = stack(), _figure(page, "keogram")
                        if (
                            f
                            and k
                            and f["spans"][0] == pytest.approx(last)
                            and k["spans"][0] == pytest.approx(last)
                        ):
                            return True
                        page.wait_for_timeout(200)
                    return False

                wait_until(page, followed, 90, "the cursors did not follow the click")
            finally:
                browser.close()
    finally:
        stop()
    assert not errors, errors
