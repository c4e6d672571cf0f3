import socket
import threading
import time
import urllib.request

import pytest

pn = pytest.importorskip("panel")

from geospacexr import datasets  # noqa: E402
from geospacexr.explore import app  # noqa: E402


def test_app_has_a_tab_per_sample():
    data = app.load_datasets()
    assert set(data) == set(datasets.list_samples())
    tabs = app.build_app(data)
    assert len(tabs) == len(data)
    text = tabs[0][0].object
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
            page.goto(served, wait_until="networkidle")
            page.wait_for_selector("text=themis-gill", timeout=30000)
            assert page.locator("text=gill").count() > 0
            page.screenshot(path=str(tmp_path / "app.png"))
            assert (tmp_path / "app.png").stat().st_size > 1000
        finally:
            browser.close()
    assert not errors, errors
    assert not remote, f"the page loaded remote resources: {remote}"
