"""What the browser tests of ``tests/explore`` share: serving a page, Chromium, waiting on it.

Imported by the test modules as ``from _browser import ...`` (pytest puts this folder on the
path, as ``tests/mhd/_mhd_frames.py`` is imported). Nothing here needs Panel or Playwright at
import time: the modules that use it skip themselves when those are missing.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

#: Page loads get this long (ms): on two loaded cores the first page takes well over 30 s.
GOTO_MS = 180_000
#: How long a server started in a thread has to answer its first request, s.
ANSWER_S = GOTO_MS / 1000
#: Chromium's switches for every browser test: headless in a container, no GPU, no traffic of
#: its own.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_server(server: Any, port: int, wait: bool = True) -> tuple[str, Callable[[], None]]:
    """Start a Bokeh server made with ``start=False`` on its IO loop in a daemon thread.

    Args:
        server: The server (``panel.serve(..., start=False)``, ``app.serve(start=False)``).
        port: Its port.
        wait: Return only once the page answers (within :data:`ANSWER_S`).

    Returns:
        ``(url, stop)``; ``stop()`` stops the server and its loop and joins the thread.
    """
    server.start()
    thread = threading.Thread(target=server.io_loop.start, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + ANSWER_S
    while wait:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            break
        except OSError:
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.1)

    def stop() -> None:
        server.io_loop.add_callback(server.stop)
        server.io_loop.add_callback(server.io_loop.stop)
        thread.join(timeout=10)

    return url, stop


def serve_panel(make: Callable[[], Any], wait: bool = True) -> tuple[str, Callable[[], None]]:
    """Serve ``make()`` (a Panel object per session) on 127.0.0.1 and a free port.

    Returns:
        ``(url, stop)``, as :func:`run_server`.
    """
    import panel as pn

    port = free_port()
    server = pn.serve(
        make,
        port=port,
        address="127.0.0.1",
        show=False,
        start=False,
        threaded=False,
        print_url=False,
        websocket_origin=[f"127.0.0.1:{port}"],
    )
    return run_server(server, port, wait)


def serve_app(paths: Any = None, compile_kernels: bool = False) -> tuple[str, Callable[[], None]]:
    """``geospacexr serve`` (:func:`geospacexr.explore.app.serve`) on a free port.

    Args:
        paths: The files to serve (``None``: the samples).
        compile_kernels: Compile the radiation-belt kernels in the background (off: that would
            load two shared cores during browser tests that do not use them).

    Returns:
        ``(url, stop)``, as :func:`run_server`.
    """
    from geospacexr.explore import app

    port = free_port()
    server = app.serve(paths, port=port, start=False, compile_kernels=compile_kernels)
    return run_server(server, port)


def launch(p: Any, chromium: str, *extra_args: str) -> Any:
    """Headless Chromium (the ``chromium`` fixture's executable) through Playwright's ``p``."""
    return p.chromium.launch(
        executable_path=chromium, headless=True, args=[*CHROMIUM_ARGS, *extra_args]
    )


def wait_until(
    page: Any, condition: Callable[[], Any], timeout: float = 60.0, message: str = ""
) -> Any:
    """Poll ``condition()`` (letting the page run between polls) until true or ``timeout`` s.

    Returns:
        The condition's first true value.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, (
            f"{message or 'the condition did not hold'} within {timeout} s"
        )
        page.wait_for_timeout(200)


def settled(page: Any, timeout: float = 60.0, shot: Callable[[], bytes] | None = None) -> bytes:
    """Wait until the page stops changing: two screenshots 0.3 s apart are the same.

    Args:
        page: The page.
        timeout: How long it may take, s.
        shot: Takes the screenshot (default: the whole page; a clipped one watches a region).

    Returns:
        The last screenshot.
    """
    take = shot or page.screenshot
    state = {"last": take()}

    def same() -> bool:
        page.wait_for_timeout(300)
        now = take()
        unchanged, state["last"] = now == state["last"], now
        return unchanged

    wait_until(page, same, timeout, "the page did not settle")
    return state["last"]


def changed(page: Any, shot: Callable[[], bytes], before: bytes, timeout: float = 90.0) -> bytes:
    """Wait until ``shot()`` differs from ``before``; returns the new screenshot."""
    return wait_until(page, lambda: (now := shot()) != before and now, timeout, "no redraw")


def plot_canvases(page: Any) -> list[dict[str, float]]:
    """Bounding boxes of the visible Bokeh canvases, left to right."""
    boxes = []
    for canvas in page.locator("canvas").all():
        box = canvas.bounding_box()
        if box and box["width"] > 50 and canvas.is_visible() and box not in boxes:
            boxes.append(box)
    return sorted(boxes, key=lambda b: (b["x"], b["y"]))
