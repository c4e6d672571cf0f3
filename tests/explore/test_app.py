import socket
import threading
import time
import urllib.request

import pytest

pn = pytest.importorskip("panel")

from geospacexr import datasets  # noqa: E402
from geospacexr.explore import app  # noqa: E402


def test_app_tabs_on_the_samples():
    data = app.load_datasets()
    singles = set(datasets.list_samples()) - {"rego-calibration"}
    assert singles <= set(data)
    assert any(t.startswith("rego-calibration: REGO_Rayleighs") for t in data)
    tabs = app.build_app(data)
    assert list(tabs._names) == [
        "GCM: tiegcm-storm",
        "ASI: themis-gill",
        "Mosaic",
        "Radiation belts",
        "Datasets",
    ]
    rb_tab = tabs[3]
    assert "Radiation-belt explorer" in rb_tab[0][0].object
    tabs.active = 3  # the explorer computes when its tab is first shown
    assert "L*" in rb_tab[1][1].object
    summaries = tabs[4].objects
    assert len(summaries) == len(data)
    # imagers pair with their own instrument's skymap, never another network's at the site
    for title, ds in data.items():
        partner = app._companion(title, ds, data)
        if ds.attrs.get("geospacexr_kind") == "asi" and partner is not None:
            assert partner.attrs["instrument"] == ds.attrs["instrument"], title
    # the Mosaic tab mosaics one network (THEMIS here) and draws without an error message
    import panel as pn

    alerts = tabs[2].select(pn.pane.Alert)
    assert alerts and not any(a.visible for a in alerts), [a.object for a in alerts]
    text = next(p.object for p in summaries if p.name == "themis-gill")
    assert "gill" in text and "`image`" in text and "counts" in text


def test_app_on_files(shared_data):
    data = app.load_datasets([shared_data / "asi" / "*.pgm.gz"])
    # three imagers -> three tabs, named by instrument and site
    assert set(data) == {"themis gill", "trex_nir gill", "trex_blue gill"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served():
    port = free_port()
    server = app.serve(port=port, start=False)
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


def test_served_page_answers_and_loads_nothing_remote(served):
    page = urllib.request.urlopen(served, timeout=10).read().decode()
    assert "<title>geospacexr</title>" in page
    assert "cdn." not in page and "https://" not in page.split("<body")[0].replace(
        "https://bokeh", ""
    )


@pytest.mark.ui
def test_served_page_in_chromium(served, chromium, tmp_path):
    sync = pytest.importorskip("playwright.sync_api")
    errors, remote = [], []
    with sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on(
                "request",
                lambda req: (
                    remote.append(req.url)
                    if not req.url.startswith(
                        ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")
                    )
                    else None
                ),
            )
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.goto(served, wait_until="networkidle")
            page.wait_for_selector("text=GCM explorer", timeout=60000)
            page.wait_for_selector(".bk-Canvas, canvas", timeout=60000)
            page.wait_for_timeout(1500)
            before = page.screenshot()
            # switch the variable: the plot must redraw
            select = page.locator("select").first
            select.select_option("UN")
            page.wait_for_timeout(2500)
            after = page.screenshot()
            assert before != after
            (tmp_path / "app.png").write_bytes(after)
            page.get_by_text("Datasets").first.click()
            page.wait_for_selector("text=themis-gill", timeout=30000)
        finally:
            browser.close()
    assert not errors, errors
    assert not remote, f"the page loaded remote resources: {remote}"


def _browser(sync, p, chromium):
    return p.chromium.launch(
        executable_path=chromium,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )


def _plot_canvases(page):
    """Bounding boxes of the visible Bokeh canvases, left to right."""
    boxes = []
    for canvas in page.locator("canvas").all():
        box = canvas.bounding_box()
        if box and box["width"] > 50 and canvas.is_visible() and box not in boxes:
            boxes.append(box)
    return sorted(boxes, key=lambda b: (b["x"], b["y"]))


@pytest.mark.ui
def test_asi_explorer_in_chromium_keogram_click_and_box(served, chromium):
    sync = pytest.importorskip("playwright.sync_api")
    errors = []
    with sync.sync_playwright() as p:
        browser = _browser(sync, p, chromium)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.goto(served, wait_until="networkidle")
            page.wait_for_selector("text=GCM explorer", timeout=60000)
            page.get_by_text("ASI: themis-gill").first.click()
            page.wait_for_selector("text=ASI explorer", timeout=60000)
            page.wait_for_timeout(1500)
            label = page.locator("text=/^2014-03-10 .* UT$/").first
            first = label.inner_text()
            assert first.startswith("2014-03-10 06:00:00")
            image, keogram = _plot_canvases(page)[:2]
            # clicking the keogram three quarters of the way along moves the time there
            page.mouse.click(
                keogram["x"] + 0.75 * keogram["width"], keogram["y"] + 0.5 * keogram["height"]
            )
            page.wait_for_function(
                "t => ![...document.querySelectorAll('*')].some("
                "e => e.childElementCount === 0 && e.textContent.trim() === t)",
                arg=first,
                timeout=20000,
            )
            later = page.locator("text=/^2014-03-10 .* UT$/").first.inner_text()
            assert "06:01:" in later or "06:02:" in later, later
            # a box drawn on the image (box select is active) adds the box time series
            before = page.screenshot()
            x, y, w, h = image["x"], image["y"], image["width"], image["height"]
            page.mouse.move(x + 0.4 * w, y + 0.4 * h)
            page.mouse.down()
            page.mouse.move(x + 0.5 * w, y + 0.5 * h, steps=5)
            page.mouse.move(x + 0.6 * w, y + 0.6 * h, steps=5)
            page.mouse.up()
            page.wait_for_timeout(2500)
            assert len(_plot_canvases(page)) > 2  # the box-metric plot appeared
            assert page.screenshot() != before
        finally:
            browser.close()
    assert not errors, errors


@pytest.mark.ui
def test_five_sessions_stay_responsive(served, chromium):
    sync = pytest.importorskip("playwright.sync_api")
    with sync.sync_playwright() as p:
        browser = _browser(sync, p, chromium)
        try:
            pages = []
            for _ in range(5):
                page = browser.new_page()
                page.set_viewport_size({"width": 1200, "height": 900})
                page.goto(served, wait_until="domcontentloaded")
                pages.append(page)
            for page in pages:
                page.wait_for_selector("text=GCM explorer", timeout=90000)
                page.wait_for_selector("canvas", timeout=90000)
            start = time.monotonic()
            shots = [page.screenshot() for page in pages]
            for page in pages:
                page.locator("select").first.select_option("UN")
            for page, before in zip(pages, shots, strict=True):
                deadline = time.monotonic() + 30
                while page.screenshot() == before:
                    assert time.monotonic() < deadline, "a session did not redraw within 30 s"
                    page.wait_for_timeout(250)
            # all five redraw within a few seconds of each other on two cores
            assert time.monotonic() - start < 30
        finally:
            browser.close()


@pytest.mark.ui
def test_rb_explorer_in_chromium(served, chromium):
    import geospacexr.rb as rb

    # compile the kernels in this (the server's) process first: numba caches them on disk
    rb.particles(5.0, 0.0, 0.0, 45.0, frame="GSM").rb.lstar(rb.models.get("dipole"))
    sync = pytest.importorskip("playwright.sync_api")
    errors = []
    with sync.sync_playwright() as p:
        browser = _browser(sync, p, chromium)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.goto(served, wait_until="networkidle")
            page.wait_for_selector("text=GCM explorer", timeout=60000)
            page.get_by_text("Radiation belts").first.click()
            page.wait_for_selector("text=Radiation-belt explorer", timeout=60000)
            readout = page.locator("table").filter(has_text="equatorial pitch angle").first
            readout.wait_for(timeout=120000)
            before = readout.inner_text()
            assert "L*" in before and "MeV/G" in before
            page.locator("select").filter(has_text="t96").first.select_option("dipole")
            deadline = time.monotonic() + 60
            while readout.inner_text() == before:
                assert time.monotonic() < deadline, "the read-outs did not change"
                page.wait_for_timeout(250)
        finally:
            browser.close()
    assert not errors, errors


@pytest.mark.ui
def test_gcm_map_click_picks_the_vertical_slice_position(served, chromium):
    import re

    sync = pytest.importorskip("playwright.sync_api")
    with sync.sync_playwright() as p:
        browser = _browser(sync, p, chromium)
        try:
            page = browser.new_page()
            page.set_viewport_size({"width": 1400, "height": 1000})
            page.goto(served, wait_until="networkidle")
            page.wait_for_selector("text=GCM explorer", timeout=60000)
            page.wait_for_selector("canvas", timeout=60000)
            page.wait_for_timeout(1500)
            the_map = _plot_canvases(page)[0]
            # click in the south-west quarter of the map (default lon 0, lat 40)
            page.mouse.click(
                the_map["x"] + 0.3 * the_map["width"], the_map["y"] + 0.7 * the_map["height"]
            )
            page.wait_for_timeout(1500)
            page.locator("select").filter(has_text="var_time").first.select_option("var_time")
            lat_label = page.locator("text=/^latitude: /").first
            lat_label.wait_for(timeout=30000)
            lon_label = page.locator("text=/^longitude: /").first
            lat = float(re.search(r"-?[0-9.]+", lat_label.inner_text().split(":")[1]).group())
            lon = float(re.search(r"-?[0-9.]+", lon_label.inner_text().split(":")[1]).group())
            assert lat < 0.0 and lon < 0.0, (lat, lon)
        finally:
            browser.close()
