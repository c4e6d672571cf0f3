"""The SuperDARN tab of ``geospacexr serve FILE.fitacf`` in headless Chromium."""

import socket
import threading
import time
import urllib.request

import pytest

pytest.importorskip("panel")

from geospacexr import datasets
from geospacexr.explore import app

#: Page loads get this long (ms): on two loaded cores the first page takes well over 30 s.
GOTO_MS = 180_000
#: The scan label's pattern (it lives in Bokeh's shadow DOM: read through Playwright).
LABEL = "text=/^scan \\d+: 2019-03-01 .* UT$/"


@pytest.fixture
def served_fitacf():
    """``geospacexr serve`` on the SuperDARN sample file, in a thread; yields its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = app.serve(
        [datasets.sample_path("superdarn-fitacf")], port=port, start=False, compile_kernels=False
    )
    server.start()
    thread = threading.Thread(target=server.io_loop.start, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=5).read()
            break
        except OSError:
            time.sleep(0.1)
    yield url
    server.io_loop.add_callback(server.stop)
    server.io_loop.add_callback(server.io_loop.stop)
    thread.join(timeout=10)


def _wait_until(page, condition, timeout, message):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"{message} within {timeout} s"
        page.wait_for_timeout(200)


def _plot_canvases(page):
    """Bounding boxes of the visible Bokeh canvases, left to right."""
    boxes = []
    for canvas in page.locator("canvas").all():
        box = canvas.bounding_box()
        if box and box["width"] > 50 and canvas.is_visible() and box not in boxes:
            boxes.append(box)
    return sorted(boxes, key=lambda b: (b["x"], b["y"]))


@pytest.mark.ui
def test_superdarn_tab_slider_picker_and_rti_click(served_fitacf, chromium):
    sync = pytest.importorskip("playwright.sync_api")
    errors = []
    with sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.goto(served_fitacf, wait_until="networkidle", timeout=GOTO_MS)
            # the file's explorer is the first tab: the fan and the RTI are drawn
            page.wait_for_selector("text=SuperDARN explorer", timeout=60000)
            _wait_until(page, lambda: len(_plot_canvases(page)) >= 2, 60, "no fan and RTI")
            label = page.locator(LABEL).first
            assert label.inner_text() == "scan 0: 2019-03-01 04:00:00 UT"

            # the slider moves the scan (the keyboard on its handle)
            def stepped():
                page.locator(".noUi-handle").first.press("ArrowRight")
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    if page.locator(LABEL).first.inner_text().startswith("scan 1:"):
                        return True
                    page.wait_for_timeout(200)
                return False

            _wait_until(page, stepped, 60, "the slider did not move the scan")
            assert "04:01:00" in page.locator(LABEL).first.inner_text()

            # clicking the RTI three quarters of the way along jumps to a scan there (repeated
            # until the server has seen one click: nothing waits a fixed time)
            rti = max(_plot_canvases(page), key=lambda b: b["y"])  # below the fan
            assert rti["width"] > 600, rti  # the hours of records get the page's width

            def clicked():
                page.mouse.click(rti["x"] + 0.75 * rti["width"], rti["y"] + 0.5 * rti["height"])
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    if not page.locator(LABEL).first.inner_text().startswith("scan 1:"):
                        return True
                    page.wait_for_timeout(200)
                return False

            _wait_until(page, clicked, 90, "the RTI click did not move the scan")
            text = page.locator(LABEL).first.inner_text()
            hour = int(text.split()[3][:2])
            assert hour == 5, text  # three quarters of 04:00-06:00, less the axes

            # a new parameter redraws the plots without an error
            before = page.screenshot()
            page.locator("select").first.select_option("p_l")
            _wait_until(page, lambda: page.screenshot() != before, 60, "no redraw")
        finally:
            browser.close()
    assert not errors, errors
