"""The AuroraX replay server as fixtures (see aurorax_replay.py), and the ``--live`` switch."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from aurorax_replay import ReplayServer


def pytest_collection_modifyitems(config, items):
    live = config.getoption("--live", default=False)
    for item in items:
        if "live" in item.keywords and not live:
            item.add_marker(
                pytest.mark.skip(reason="talks to the real AuroraX API: run with --live")
            )


@pytest.fixture(scope="session")
def replay_server():
    server = ReplayServer()
    yield server
    server.close()


@pytest.fixture
def replay(replay_server):
    """The replay server, reset, with the configuration pointed at it (fast polls and retries)."""
    import geospacexr.config as gxc

    replay_server.reset()
    settings = {
        "aurorax.api_url": replay_server.url,
        "aurorax.atm_url": replay_server.url,
        "aurorax.poll_interval_s": 0.01,
        "aurorax.backoff_s": 0.01,
        "aurorax.request_timeout_s": 2.0,
        "aurorax.timeout_s": 10.0,
    }
    with gxc.override(settings):
        yield replay_server
