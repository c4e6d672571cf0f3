"""The SuperDARN tab of ``geospacexr serve FILE.fitacf`` in headless Chromium."""

import time

import pytest

pytest.importorskip("panel")

from _browser import GOTO_MS, launch, plot_canvases, serve_app, wait_until

from geospacexr import datasets

#: The scan label's pattern (it lives in Bokeh's shadow DOM: read through Playwright).
LABEL = "text=/^scan \\d+: 2019-03-01 .* UT$/"


@pytest.fixture
def served_fitacf():
    """``geospacexr serve`` on the SuperDARN sample file, in a thread; yields its URL."""
    url, stop = serve_app([datasets.sample_path("superdarn-fitacf")])
    yield url
    stop()


@pytest.mark.ui
def test_superdarn_tab_slider_picker_and_rti_click(served_fitacf, chromium):
    sync = pytest.importorskip("playwright.sync_api")
    errors = []
    with sync.sync_playwright() as p:
        browser = launch(p, chromium)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.goto(served_fitacf, wait_until="networkidle", timeout=GOTO_MS)
            # the file's explorer is the first tab: the fan and the RTI are drawn
            page.wait_for_selector("text=SuperDARN explorer", timeout=60000)
            wait_until(page, lambda: len(plot_canvases(page)) >= 2, 60, "no fan and RTI")
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

            wait_until(page, stepped, 60, "the slider did not move the scan")
            assert "04:01:00" in page.locator(LABEL).first.inner_text()

            # clicking the RTI three quarters of the way along jumps to a scan there (repeated
            # until the server has seen one click: nothing waits a fixed time)
            rti = max(plot_canvases(page), key=lambda b: b["y"])  # below the fan
            assert rti["width"] > 600, rti  # the hours of records get the page's width

            def clicked():
                page.mouse.click(rti["x"] + 0.75 * rti["width"], rti["y"] + 0.5 * rti["height"])
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    if not page.locator(LABEL).first.inner_text().startswith("scan 1:"):
                        return True
                    page.wait_for_timeout(200)
                return False

            wait_until(page, clicked, 90, "the RTI click did not move the scan")
            text = page.locator(LABEL).first.inner_text()
            hour = int(text.split()[3][:2])
            assert hour == 5, text  # three quarters of 04:00-06:00, less the axes

            # a new parameter redraws the plots without an error
            before = page.screenshot()
            page.locator("select").first.select_option("p_l")
            wait_until(page, lambda: page.screenshot() != before, 60, "no redraw")
        finally:
            browser.close()
    assert not errors, errors
