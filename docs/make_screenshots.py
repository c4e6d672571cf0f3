"""Drive the served app in headless Chromium and save the screenshots the docs show.

Run from the repository root after ``pip install -e ".[all,test]"`` with Debian's chromium:
``python docs/make_screenshots.py``. The PNG files are committed: the docs build needs no browser.
"""

import shutil
import socket
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from geospacexr.explore import app

OUT = Path(__file__).with_name("_static")


def main() -> None:
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
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/", wait_until="networkidle")
        page.wait_for_timeout(4000)
        page.screenshot(path=str(OUT / "explorer-gcm.png"))
        page.get_by_text("ASI: themis-gill").first.click()
        page.wait_for_timeout(4000)
        page.screenshot(path=str(OUT / "explorer-asi.png"))
        page.get_by_text("Radiation belts").first.click()
        page.locator("table").filter(has_text="equatorial pitch angle").first.wait_for(
            timeout=180000  # the first L* compiles the kernels (cached afterwards)
        )
        page.wait_for_timeout(3000)
        page.screenshot(path=str(OUT / "explorer-rb.png"))
        browser.close()


if __name__ == "__main__":
    main()
