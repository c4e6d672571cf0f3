"""Drive the served app in headless Chromium and save the screenshots the docs show.

Run from the repository root after ``pip install -e ".[all,test]"`` with Debian's chromium:
``python docs/make_screenshots.py`` (all of them) or ``python docs/make_screenshots.py
explorer-gcm.png`` (only the files named). The PNG files are committed: the docs build needs no
browser.
One screenshot per tab (GCM, ASI, mosaic, MHD, radiation belts, datasets); each is taken when the
tab's plots are drawn and the page has stopped changing, never after a fixed time.
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
    # the read-outs appear once the kernels are compiled (a message says so meanwhile)
    ("Radiation belts", "text=equatorial pitch angle", "explorer-rb.png"),
    ("Datasets", "text=themis-gill", "explorer-datasets.png"),
)


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

    unknown = set(names or ()) - {name for _, _, name in SHOTS}
    if unknown:
        raise SystemExit(f"no such screenshot: {', '.join(sorted(unknown))}")

    from geospacexr.explore import app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = app.serve(port=port, start=False)
    server.start()
    threading.Thread(target=server.io_loop.start, daemon=True).start()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        width, height = VIEWPORT
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(f"http://127.0.0.1:{port}/", wait_until="networkidle")
        for tab, ready, name in SHOTS:
            if names and name not in names:
                continue
            shoot(page, tab, ready, name)
            print("wrote", OUT / name, flush=True)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
