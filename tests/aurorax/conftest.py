"""The AuroraX replay server (geospacexr.aurorax.replay) as fixtures, checking every request
body against the documented schemas (aurorax_schemas.py), and the ``--live`` switch."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import aurorax_schemas as schemas
import jsonschema

from geospacexr.aurorax.replay import ReplayServer

SCHEMAS = {
    **schemas.QUERIES,
    "atm_forward": schemas.ATM_FORWARD_REQUEST,
    "atm_inverse": schemas.ATM_INVERSE_REQUEST,
}


def validate(what, body):
    """The replay's validator: the first schema violation as ``(path, message)``."""
    try:
        jsonschema.validate(body, SCHEMAS[what])
    except jsonschema.ValidationError as exc:
        return [str(p) for p in exc.absolute_path], exc.message
    return None


def pytest_collection_modifyitems(config, items):
    live = config.getoption("--live", default=False)
    for item in items:
        if "live" in item.keywords and not live:
            item.add_marker(
                pytest.mark.skip(reason="talks to the real AuroraX API: run with --live")
            )


@pytest.fixture(scope="session")
def replay_server():
    server = ReplayServer(validate)
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
