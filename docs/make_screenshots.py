"""Drive the served app in headless Chromium and save the screenshots the docs show.

Run from the repository root after ``pip install -e ".[all,test]"`` with Debian's chromium:
``python docs/make_screenshots.py`` (all of them) or ``python docs/make_screenshots.py
explorer-gcm.png`` (only the files named). The PNG files are committed: the docs build needs no
browser.
One screenshot per tab (GCM, ASI, mosaic, MHD, riometers, radiation belts, datasets),
and one per explorer panel the sample app does not show (the ASI explorer with a TREx
spectrograph: no sample imager shares the spectrograph's site); each is taken when the plots
are drawn and the page has stopped changing, never after a fixed time.
"""

import shutil
import socket
import sys
import threading
import time
from pathlib import Path

OUT = Path(__file__).with_name("_static")
#: Longest wait for a tab, seconds (the radiation-belt kernels may compile on a cold cache).
TIMEOUT_S = 600
#: Browser window (width, height) in CSS pixels: the size of every screenshot.
VIEWPORT = (1400, 900)
#: One screenshot per tab: (tab to click, or None for the first; a selector that is there once
#: the tab is built; file in OUT). docs/explorers.md shows each (tests/test_docs.py checks).
SHOTS = (
    (None, "text=GCM explorer", "explorer-gcm.png"),
    ("ASI: themis-gill", "text=ASI explorer", "explorer-asi.png"),
    ("Mosaic", "text=Mosaic explorer", "explorer-mosaic.png"),
    # a field line clicked at (-6, 0.5) R_E on the equatorial plane, with its L*
    ("MHD: mage-msphere", "text=MHD explorer", "explorer-mhd.png"),
    # docs/riometers.md shows it too
    ("Riometers", "text=Riometer panel", "explorer-riometers.png"),
    # the read-outs appear once the kernels are compiled (a message says so meanwhile)
    ("Radiation belts", "text=equatorial pitch angle", "explorer-rb.png"),
    ("Datasets", "text=themis-gill", "explorer-datasets.png"),
)


#: Explorer panels served on their own page: (builder in this file, a selector that is there
#: once the panel is drawn, file in OUT). The page named in the builder's docstring shows it
#: (tests/test_docs.py checks).
PANELS = (("spectrograph_panel", "text=ASI explorer", "explorer-spectrograph.png"),)


def spectrograph_panel():
    """The ASI explorer with the TREx spectrograph's slit and keogram (docs/spectrograph.md).

    The samples hold no imager at the spectrograph's site (Rabbit Lake) and its spectra are of
    another night: as in the browser tests, The Pas's imager is shown with the spectra moved
    onto its frames (one spectrum every fifth frame); the slit is laid on the image where the
    skymaps put it.
    """
    from geospacexr import datasets
    from geospacexr.explore.asi import AsiExplorer

    images = datasets.open_sample("themis-tpas")
    spect = datasets.open_sample("trex_spect-rabb")
    l1 = spect["l1"]
    l1 = l1.assign_coords(time=images.time.values[::5][: l1.sizes["time"]])
    sky = datasets.open_sample("themis-tpas-skymap")
    return AsiExplorer(images, sky, spectrograph=l1, spectrograph_skymap=spect["skymap"]).panel


def settled(page, timeout=TIMEOUT_S):
    """Wait until two screenshots 0.5 s apart are the same (the plots are drawn)."""
    deadline = time.monotonic() + timeout
    last = page.screenshot()
    while True:
        page.wait_for_timeout(500)
        shot = page.screenshot()
        if shot == last:
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the page kept changing")
        last = shot


#: Where a point of the MHD explorer's plane (SM x, y in R_E) is on the page, through the plane
#: figure's own scales (the browser test clicks the same way).
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


def trace_a_line(page):
    """Click the MHD plane at (-6, 0.5) R_E and wait for the line's read-out."""
    settled(page)
    page.mouse.click(*page.evaluate(_PLANE_POINT_JS, [-6.0, 0.5]))
    page.locator("table").filter(has_text="start (SM)").first.wait_for(timeout=TIMEOUT_S * 1000)
    page.mouse.move(5, 5)  # no hover tooltip over the plane


#: What to do on a tab before its screenshot.
ACTIONS = {"explorer-mhd.png": trace_a_line}


def shoot(page, tab, ready, name):
    """Open ``tab``, wait for ``ready`` (a selector) and for the plots, save ``name``."""
    if tab:
        page.get_by_text(tab).first.click()
    page.wait_for_selector(ready, timeout=TIMEOUT_S * 1000)
    if name in ACTIONS:
        ACTIONS[name](page)
    settled(page)
    page.screenshot(path=str(OUT / name))


def main(names: list[str] | None = None) -> None:
    """Take the screenshots named (file names in ``SHOTS``; all of them by default)."""
    from playwright.sync_api import sync_playwright

    unknown = set(names or ()) - {name for _, _, name in SHOTS + PANELS}
    if unknown:
        raise SystemExit(f"no such screenshot: {', '.join(sorted(unknown))}")
    import panel as pn

    from geospacexr.explore import app

    tabs = [shot for shot in SHOTS if not names or shot[2] in names]
    panels = [shot for shot in PANELS if not names or shot[2] in names]
    # every server before the browser: they share this thread's event loop, run in one thread
    # (Playwright's sync API runs an event loop of its own in this thread)
    app_port = _free_port()
    servers = [app.serve(port=app_port, start=False)] if tabs else []
    panel_ports = []
    for builder, _, _ in panels:
        panel_ports.append(_free_port())
        servers.append(
            pn.serve(
                globals()[builder],
                port=panel_ports[-1],
                address="127.0.0.1",
                show=False,
                start=False,
                threaded=False,
                print_url=False,
                websocket_origin=[f"127.0.0.1:{panel_ports[-1]}"],
            )
        )
    for server in servers:
        server.start()
    threading.Thread(target=servers[0].io_loop.start, daemon=True).start()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        width, height = VIEWPORT
        page = browser.new_page(viewport={"width": width, "height": height})
        if tabs:
            page.goto(f"http://127.0.0.1:{app_port}/", wait_until="networkidle", **_WAIT)
        for tab, ready, name in tabs:
            shoot(page, tab, ready, name)
            print("wrote", OUT / name, flush=True)
        for (_, ready, name), port in zip(panels, panel_ports, strict=True):
            page.goto(f"http://127.0.0.1:{port}/", wait_until="networkidle", **_WAIT)
            shoot(page, None, ready, name)
            print("wrote", OUT / name, flush=True)
        browser.close()


_WAIT = {"timeout": TIMEOUT_S * 1000}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    main(sys.argv[1:])
