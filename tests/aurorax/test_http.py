"""The HTTP layer against the replay server: each error class, retries, timeouts, the API key."""

from __future__ import annotations

import logging

import pytest
from aurorax_schemas import SECRET

import geospacexr.aurorax as ax
import geospacexr.config as gxc
from geospacexr.aurorax import replay as rp
from geospacexr.aurorax._http import API_KEY_HEADER, Client, error_message
from geospacexr.errors import (
    GeospacexrError,
    ServiceAuthError,
    ServiceError,
    ServiceMaintenanceError,
    ServiceNotFoundError,
    ServiceRateLimitError,
    ServiceRequestError,
    ServiceTimeoutError,
    ServiceUnavailableError,
)

SEARCH = "/api/v1/ephemeris/search"


def _search():
    return ax.ephemeris("2014-03-10", "2014-03-11", programs="swarm", progress=False)


@pytest.mark.parametrize(
    ("status", "body", "cls", "match"),
    [
        (
            400,
            {"error_code": "VALIDATION_ERROR", "error_message": "start is after end"},
            ServiceRequestError,
            "HTTP 400: VALIDATION_ERROR: start is after end",
        ),
        (
            422,
            {"detail": [{"loc": ["body", "start"], "msg": "field required"}]},
            ServiceRequestError,
            "HTTP 422: start: field required",
        ),
        (
            401,
            {"error_code": "UNAUTHORIZED", "error_message": "invalid API key"},
            ServiceAuthError,
            "invalid API key.*no API key: set aurorax.api_key",
        ),
        (403, "<html><body>Forbidden</body></html>", ServiceAuthError, "Forbidden"),
        (
            404,
            {"error_code": "NOT_FOUND", "error_message": "no such request"},
            ServiceNotFoundError,
            "HTTP 404: NOT_FOUND: no such request",
        ),
        (
            429,
            {"error_code": "RATE_LIMITED", "error_message": "slow down"},
            ServiceRateLimitError,
            "slow down",
        ),
        (
            500,
            {"error_code": "INTERNAL", "error_message": "database exploded"},
            ServiceUnavailableError,
            "HTTP 500: INTERNAL: database exploded",
        ),
        (503, rp.MAINTENANCE, ServiceMaintenanceError, "maintenance mode"),
        (
            503,
            "<html><h1>Down for maintenance</h1></html>",
            ServiceMaintenanceError,
            "Down for maintenance",
        ),
    ],
)
def test_each_status_gives_its_error_with_the_servers_message(replay, status, body, cls, match):
    replay.queue(SEARCH, status, body, headers={"Retry-After": "7"} if status == 429 else None)
    with pytest.raises(cls, match=match) as info:
        _search()
    err = info.value
    assert isinstance(err, ServiceError) and isinstance(err, GeospacexrError)
    assert err.status == status and err.url.endswith(SEARCH)
    assert len(replay.log) == 1  # not retried
    if status == 429:
        assert err.retry_after == 7.0
    if status in (400, 422):
        assert isinstance(err, ValueError)


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_then_raised(replay, status):
    replay.queue(
        SEARCH, status, {"error_code": "BAD_GATEWAY", "error_message": "upstream"}, times=3
    )
    with pytest.raises(ServiceUnavailableError, match=f"HTTP {status}"):
        _search()
    assert len(replay.log) == 3  # aurorax.retries


def test_a_retry_that_succeeds(replay):
    replay.queue(SEARCH, 502, "bad gateway", times=2)
    out = _search()
    assert "swarm/swarma/footprint" in out
    assert [e["path"] for e in replay.log[:3]] == [SEARCH] * 3


def test_slow_answers_time_out_retry_with_backoff_then_raise(replay, monkeypatch):
    import threading
    import time as _time

    sleeps = []
    real_sleep = _time.sleep

    def sleep(s):  # the client's waits (the server's threads sleep too)
        if threading.current_thread() is threading.main_thread():
            sleeps.append(s)
        real_sleep(s)

    monkeypatch.setattr("geospacexr.aurorax._http.time.sleep", sleep)
    replay.queue(SEARCH, 202, None, delay=1.0, times=4)
    with (
        gxc.override(
            {"aurorax.request_timeout_s": 0.2, "aurorax.retries": 4, "aurorax.backoff_s": 0.02}
        ),
        pytest.raises(ServiceTimeoutError, match=r"within 0.2 s .* after 4 attempt") as info,
    ):
        _search()
    assert isinstance(info.value, TimeoutError)
    assert len([e for e in replay.log if e["path"] == SEARCH]) == 4
    assert sleeps == pytest.approx([0.02, 0.04, 0.08])


def test_slow_then_fast_recovers(replay):
    replay.queue(SEARCH, 202, None, delay=3.0)  # the first attempt times out, the second answers
    with gxc.override({"aurorax.request_timeout_s": 1.0}):
        assert "swarm/swarma/footprint" in _search()
    assert [e["path"] for e in replay.log[:2]] == [SEARCH, SEARCH]


def test_connection_refused_is_unavailable_after_retries():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with gxc.override({"aurorax.api_url": f"http://127.0.0.1:{port}", "aurorax.backoff_s": 0}):
        with pytest.raises(ServiceUnavailableError, match="could not connect.*3 attempt"):
            ax.data_sources()


def test_error_document_in_a_200_answer(replay):
    search = ax.conjunctions(
        "2014-03-10",
        "2014-03-11",
        ground=[{"programs": ["a"]}],
        space=[{"programs": ["b"]}],
        wait=False,
    )
    replay.polls_needed = 0
    replay.queue(
        f"/api/v1/conjunctions/requests/{search.request_id}/data",
        200,
        {"error": {"error_code": "DATA_EXPIRED", "error_message": "result deleted"}},
    )
    with pytest.raises(ServiceError, match="DATA_EXPIRED: result deleted"):
        search.result()


def test_unknown_request_is_not_found(replay):
    search = ax.Search("ephemeris", {}, Client())
    search.request_url = f"{replay.url}/api/v1/ephemeris/requests/nope"
    with pytest.raises(ServiceNotFoundError, match="no search request nope"):
        search.poll()


def test_server_validation_of_our_query_is_reported(replay):
    search = ax.Search("ephemeris", {"start": "yesterday"})
    with pytest.raises(ServiceRequestError, match="VALIDATION_ERROR"):
        search.submit()


def test_missing_location_header(replay):
    replay.queue(SEARCH, 202, None)
    with pytest.raises(ServiceError, match="without a Location"):
        _search()


def test_error_message_shapes():
    assert error_message({"error_code": "X", "error_message": "m"}) == ("X", "m")
    assert error_message({"error": {"error_code": "Y", "error_message": "n"}}) == ("Y", "n")
    assert error_message({"detail": "bad"}) == (None, "bad")
    assert error_message([1]) == (None, None)


# -- the API key --------------------------------------------------------------------------------


def test_api_key_is_sent_only_to_the_api_and_never_shown(replay, monkeypatch, caplog, capsys):
    monkeypatch.setenv("AURORAX_API_KEY", SECRET)
    caplog.set_level(logging.DEBUG, logger="geospacexr.aurorax")
    client = Client()
    assert client.has_key and SECRET not in repr(client) and SECRET not in str(vars(client))
    replay.queue(
        SEARCH, 401, {"error_code": "UNAUTHORIZED", "error_message": f"key {SECRET} revoked"}
    )
    with pytest.raises(ServiceAuthError) as info:
        ax.ephemeris("2014-03-10", "2014-03-11", client=client, progress=False)
    assert SECRET not in str(info.value) and "***" in str(info.value)
    assert "no API key" not in str(info.value)
    assert replay.log[0]["headers"][API_KEY_HEADER] == SECRET
    search = ax.ephemeris("2014-03-10", "2014-03-11", client=client, wait=False)
    search.wait(progress=True)
    assert SECRET not in repr(search)
    # a Location on another origin does not get the key
    search.request_url = search.request_url.replace("127.0.0.1", "localhost")
    search.poll()
    assert API_KEY_HEADER not in {k.lower() for k in replay.log[-1]["headers"]}
    for retry in (502, 502):
        replay.queue(SEARCH, retry, f"echo {SECRET}")
    with pytest.raises(ServiceUnavailableError):
        with gxc.override({"aurorax.retries": 2}):
            ax.ephemeris("2014-03-10", "2014-03-11", client=client, progress=False)
    out = capsys.readouterr()
    assert caplog.records and SECRET not in caplog.text
    assert SECRET not in out.out + out.err


def test_api_key_from_config_is_not_printed(replay, monkeypatch, tmp_path):
    monkeypatch.delenv("AURORAX_API_KEY", raising=False)
    with gxc.override({"aurorax.api_key": SECRET}):
        cfg = gxc.get()
        assert SECRET not in repr(cfg) and SECRET not in gxc.describe(cfg)
        assert "(set, not shown)" in gxc.describe(cfg)
        ax.data_sources()
        assert replay.log[-1]["headers"][API_KEY_HEADER] == SECRET
    with pytest.raises(Exception) as info:
        gxc.validate("aurorax.api_key", SECRET + "\x00")
    assert SECRET not in str(info.value)


def test_no_key_no_header(replay, monkeypatch):
    monkeypatch.delenv("AURORAX_API_KEY", raising=False)
    ax.data_sources()
    assert API_KEY_HEADER not in {k.lower() for k in replay.log[-1]["headers"]}


def test_a_broken_answer_is_a_service_error(replay, monkeypatch):
    import requests

    def broken(*args, **kwargs):
        raise requests.exceptions.ChunkedEncodingError("connection broken")

    monkeypatch.setattr(requests.Session, "request", broken)
    with pytest.raises(ServiceError, match="failed: ChunkedEncodingError"):
        ax.data_sources()


def test_a_non_json_answer_is_a_service_error(replay):
    replay.queue("/api/v1/data_sources", 200, "<html>proxy login</html>")
    with pytest.raises(ServiceError, match="not JSON.*proxy login"):
        ax.data_sources()


def test_a_refused_key_is_never_echoed(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text("[aurorax]\napi_key = 123456789\n")
    monkeypatch.setenv("GEOSPACEXR_CONFIG", str(path))
    with pytest.raises(Exception, match="aurorax.api_key") as info:
        gxc.reload()
    assert "123456789" not in str(info.value)
