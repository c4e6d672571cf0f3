"""A local replay of the AuroraX search API and the TREx ATM endpoints, on 127.0.0.1.

For the tests and for the tutorials when there is no network: it implements the documented
behaviour (the AuroraX API's and pyaurorax's), and nothing of the science.

* ``POST api/v1/{kind}/search`` -> 202 + ``Location``; the status document's ``data_uri``
  becomes non-null after ``polls_needed`` polls (or ``error_condition`` is true with a last log
  line when ``fail_search`` is set); ``GET``/``POST .../data`` -> ``{"result": [...]}`` with
  ``response_format`` field selection (``POST``); ``DELETE`` cancels;
* ``GET api/v1/availability/ephemeris`` and ``api/v1/data_sources`` (``format``, ``program``);
* ``POST api/v2/atm/forward`` and ``/inverse`` (FastAPI-style 422 ``detail`` lists for invalid
  bodies, 400 outside the inversion's region or on an unsupported date);
* the API's error documents for unknown paths and requests; answers queued by
  :meth:`ReplayServer.queue` (a status with a body, after a delay) come first.

The records are hand-built from the API's documented schemas for THEMIS-ASI Gillam and Swarm A
on 2014-03-10 06:00-06:03 UT (the time of the ``themis-gill`` sample), because no recorded API
response is public. The ATM answers reproduce the two published example values (forward 557.7 nm
16677.78 R; inverse 8.972 erg cm-2 s-1, 4992.6 eV); everything else they contain is made up.

Example:
    >>> from geospacexr.aurorax import replay
    >>> server = replay.start()  # doctest: +SKIP
    >>> # geospacexr.aurorax now talks to it (aurorax.api_url / atm_url in the environment)
"""

from __future__ import annotations

import copy
import json
import math
import os
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .atm import FORWARD_OUTPUTS

__all__ = ["ReplayServer", "select", "start"]

#: A validator: ``(what, body) -> None`` when valid, else ``(path, message)``; ``what`` is
#: ``"conjunctions"``, ``"ephemeris"``, ``"data_products"``, ``"atm_forward"``, ``"atm_inverse"``.
Validator = Callable[[str, Any], "tuple[list[str], str] | None"]

GILLAM = {
    "identifier": 41,
    "program": "themis-asi",
    "platform": "gillam",
    "instrument_type": "panchromatic ASI",
    "source_type": "ground",
    "display_name": "THEMIS-ASI GILL",
}
SWARMA = {
    "identifier": 3,
    "program": "swarm",
    "platform": "swarma",
    "instrument_type": "footprint",
    "source_type": "leo",
    "display_name": "Swarm A",
}

CONJUNCTIONS = [
    {
        "conjunction_type": "nbtrace",
        "start": "2014-03-10T06:00:00",
        "end": "2014-03-10T06:02:00",
        "data_sources": [GILLAM, SWARMA],
        "min_distance": 112.48,
        "max_distance": 489.93,
        "closest_epoch": "2014-03-10T06:01:00",
        "farthest_epoch": "2014-03-10T06:02:00",
        "events": [
            {
                "e1_source": GILLAM,
                "e2_source": SWARMA,
                "start": "2014-03-10T06:00:00",
                "end": "2014-03-10T06:02:00",
                "min_distance": 112.48,
                "max_distance": 489.93,
            }
        ],
    },
    {
        "conjunction_type": "nbtrace",
        "start": "2014-03-10T07:49:00",
        "end": "2014-03-10T07:50:00",
        "data_sources": [GILLAM, SWARMA],
        "min_distance": 301.0,
        "max_distance": 455.5,
        "closest_epoch": "2014-03-10T07:49:00",
        "farthest_epoch": "2014-03-10T07:50:00",
        "events": [{"e1_source": GILLAM, "e2_source": SWARMA}],
    },
]

EPHEMERIS = [
    {
        "data_source": SWARMA,
        "epoch": f"2014-03-10T06:{m - 14:02d}:00",
        "location_geo": {"lat": 55.1 + m / 10, "lon": -95.2 + m / 20},
        "nbtrace": {"lat": 56.3 + m / 10, "lon": -94.0 + m / 20},
        "sbtrace": {"lat": -68.2 - m / 10, "lon": -122.5},
        "location_gsm": {"lat": 12.5, "lon": -160.1},
        "metadata": {"nbtrace_region": "north auroral oval", "radial_distance": 6830.1},
    }
    for m in (16, 14, 15)  # out of order: the client sorts by epoch
] + [
    {
        "data_source": GILLAM,
        "epoch": f"2014-03-10T06:{m - 14:02d}:00",
        "location_geo": {"lat": 56.354, "lon": -94.616},
        "nbtrace": {"lat": 56.354, "lon": -94.616},
        "sbtrace": {"lat": None, "lon": None},
        "location_gsm": None,
        "metadata": {
            "calgary_cloud_ml_v1": "classified as not cloudy",
            "calgary_cloud_ml_v1_confidence": 91.2 - m,
            "clausen_ml_oath": "arc",
        },
    }
    for m in (14, 15)
]

DATA_PRODUCTS = [
    {
        "data_source": GILLAM,
        "data_product_type": "keogram",
        "start": "2014-03-10T00:00:00",
        "end": "2014-03-10T23:59:59",
        "url": "https://data.phys.ucalgary.ca/sort_by_project/THEMIS/asi/keograms/2014/03/10/"
        "gill_themis19/20140310__gill_themis19_full-keogram.pgm.jpg",
        "metadata": {"keogram_type": "daily"},
    },
    {
        "data_source": GILLAM,
        "data_product_type": "montage",
        "start": "2014-03-10T06:00:00",
        "end": "2014-03-10T06:59:59",
        "url": "https://data.phys.ucalgary.ca/sort_by_project/THEMIS/asi/montages/2014/03/10/"
        "gill_themis19/ut06/20140310_06__gill_themis19_full-montage.pgm.jpg",
        "metadata": {},
    },
]

AVAILABILITY = [
    {"data_source": SWARMA, "available_ephemeris": {"2014-03-10": 1440, "2014-03-11": 720}},
    {"data_source": GILLAM, "available_ephemeris": {"2014-03-11": 600}},
]

DATA_SOURCES = [
    {**GILLAM, "owner": "dchaddoc@ucalgary.ca", "metadata": {"site_unique_id": "gill"}},
    {**SWARMA, "owner": "dchaddoc@ucalgary.ca", "metadata": {}},
]

RESULTS = {"conjunctions": CONJUNCTIONS, "ephemeris": EPHEMERIS, "data_products": DATA_PRODUCTS}
MAINTENANCE = {
    "error_code": "SERVICE_UNAVAILABLE",
    "error_message": "The AuroraX API is currently in maintenance mode, please try again later",
}


def select(record: dict[str, Any], fmt: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``record`` that a ``response_format`` asks for (``True`` or a nested dict).

    Args:
        record: One result record.
        fmt: The ``response_format``.

    Returns:
        The selected fields.
    """
    out = {}
    for key, want in fmt.items():
        if key not in record:
            continue
        if isinstance(want, dict) and isinstance(record[key], dict):
            out[key] = select(record[key], want)
        elif isinstance(want, dict) and isinstance(record[key], list):
            out[key] = [select(r, want) if isinstance(r, dict) else r for r in record[key]]
        elif want is True:
            out[key] = record[key]
    return out


class ReplayServer:
    """The replay server (see the module docstring), serving from a daemon thread.

    Args:
        validate: Checks request bodies (see :data:`Validator`); ``None``: no check. The tests
            pass one built on the documented JSON schemas.

    Attributes:
        url: Its root, ``http://127.0.0.1:<port>`` (an ephemeral port).
        polls_needed: Status reads before a search's data are ready (default 2).
        fail_search: When set, searches end with ``error_condition`` true and this log line.
        log: Every request: ``method``, ``path``, ``query``, ``headers``, ``body``.
        requests: The search requests received, by id.
    """

    def __init__(self, validate: Validator | None = None) -> None:
        self.lock = threading.Lock()
        self.validate = validate
        self.reset()
        handler = type("Handler", (_Handler,), {"replay": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def reset(self) -> None:
        """Forget requests, queued answers and the log; back to the default behaviour."""
        self.polls_needed = 2
        self.fail_search: str | None = None
        self.queued: list[dict] = []
        self.log: list[dict] = []
        self.requests: dict[str, dict] = {}
        self.results = copy.deepcopy(RESULTS)
        self.atm: dict[str, Callable[[Any], tuple[int, Any]]] = {
            "forward": self._atm_forward,
            "inverse": self._atm_inverse,
        }

    def queue(
        self,
        path_prefix: str,
        status: int = 200,
        body: Any = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests whose path starts with ``path_prefix`` so.

        Args:
            path_prefix: E.g. ``"/api/v1/ephemeris/search"``.
            status: The HTTP status.
            body: A JSON-serialisable body, or text (sent as HTML), or ``None``.
            headers: Extra headers (``Retry-After``...).
            delay: Seconds to wait before answering (the timeout path).
            times: How many requests get this answer.
        """
        for _ in range(times):
            self.queued.append(
                {
                    "prefix": path_prefix,
                    "status": status,
                    "body": body,
                    "headers": headers or {},
                    "delay": delay,
                }
            )

    def settings(self) -> dict[str, Any]:
        """Configuration settings that point geospacexr at this server, with quick polling."""
        return {
            "aurorax.api_url": self.url,
            "aurorax.atm_url": self.url,
            "aurorax.poll_interval_s": 0.05,
        }

    def _check(self, what: str, body: Any) -> tuple[list[str], str] | None:
        return None if self.validate is None else self.validate(what, body)

    def _atm_forward(self, body: Any) -> tuple[int, Any]:
        problem = self._check("atm_forward", body)
        return _validation_error(problem) if problem else atm_forward(body)

    def _atm_inverse(self, body: Any) -> tuple[int, Any]:
        problem = self._check("atm_inverse", body)
        return _validation_error(problem) if problem else atm_inverse(body)

    def close(self) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    replay: ReplayServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status, body=None, headers=None):
        if isinstance(body, bytes | str):
            data = body.encode() if isinstance(body, str) else body
            ctype = "text/html"
        elif body is None:
            data, ctype = b"", None
        else:
            data, ctype = json.dumps(body).encode(), "application/json"
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _handle(self, method):
        replay = self.replay
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return self._send(400, {"error_code": "BAD_JSON", "error_message": "invalid JSON"})
        with replay.lock:
            replay.log.append(
                {
                    "method": method,
                    "path": parts.path,
                    "query": parse_qs(parts.query),
                    "headers": dict(self.headers),
                    "body": body,
                }
            )
            answer = next((q for q in replay.queued if parts.path.startswith(q["prefix"])), None)
            if answer is not None:
                replay.queued.remove(answer)
        if answer is not None:
            if answer["delay"]:
                time.sleep(answer["delay"])
            return self._send(answer["status"], answer["body"], answer["headers"])
        route = parts.path.strip("/").split("/")
        if route[:2] == ["api", "v1"]:
            return self._aurorax(method, route[2:], parse_qs(parts.query), body)
        if route[:3] == ["api", "v2", "atm"] and method == "POST" and len(route) == 4:
            handler = replay.atm.get(route[3])
            if handler is not None:
                status, doc = handler(body)
                return self._send(status, doc)
        return self._send(
            404, {"error_code": "NOT_FOUND", "error_message": f"no endpoint {parts.path}"}
        )

    def _aurorax(self, method, route, query, body):
        replay = self.replay
        if len(route) == 2 and route[1] == "search" and route[0] in RESULTS and method == "POST":
            problem = replay._check(route[0], body)
            if problem:
                return self._send(
                    400, {"error_code": "VALIDATION_ERROR", "error_message": problem[1]}
                )
            rid = str(uuid.uuid4())
            with replay.lock:
                replay.requests[rid] = {
                    "kind": route[0],
                    "query": body,
                    "polls": 0,
                    "cancelled": False,
                }
            location = f"{replay.url}/api/v1/{route[0]}/requests/{rid}"
            return self._send(202, None, {"Location": location})
        if len(route) >= 3 and route[0] in RESULTS and route[1] == "requests":
            req = replay.requests.get(route[2])
            if req is None or req["kind"] != route[0]:
                return self._send(
                    404,
                    {"error_code": "NOT_FOUND", "error_message": f"no search request {route[2]}"},
                )
            if len(route) == 3 and method == "GET":
                return self._send(200, self._status(route[2], req))
            if len(route) == 3 and method == "DELETE":
                req["cancelled"] = True
                return self._send(200, None)
            if len(route) == 4 and route[3] == "data" and method in ("GET", "POST"):
                if req["polls"] < replay.polls_needed:
                    return self._send(
                        404, {"error_code": "NOT_FOUND", "error_message": "the result is not ready"}
                    )
                records = replay.results[route[0]]
                if method == "POST":
                    records = [select(r, body or {}) for r in records]
                return self._send(200, {"result": records})
        if route == ["availability", "ephemeris"] and method == "GET":
            for name in ("start", "end"):
                if name not in query:
                    return self._send(
                        400,
                        {
                            "error_code": "MISSING_PARAMETER",
                            "error_message": f"missing parameter {name}",
                        },
                    )
            return self._send(200, AVAILABILITY)
        if route == ["data_sources"] and method == "GET":
            fmt = query.get("format", ["basic_info"])[0]
            out = DATA_SOURCES
            if "program" in query:
                out = [s for s in out if s["program"] == query["program"][0]]
            if fmt == "identifier_only":
                out = [
                    {
                        "identifier": s["identifier"],
                        "program": s["program"],
                        "platform": s["platform"],
                        "instrument_type": s["instrument_type"],
                    }
                    for s in out
                ]
            elif fmt == "basic_info":
                out = [{k: v for k, v in s.items() if k not in ("owner", "metadata")} for s in out]
            return self._send(200, out)
        return self._send(
            404,
            {"error_code": "NOT_FOUND", "error_message": f"no endpoint api/v1/{'/'.join(route)}"},
        )

    def _status(self, rid, req):
        replay = self.replay
        req["polls"] += 1
        ready = req["polls"] >= replay.polls_needed
        failed = replay.fail_search is not None and ready
        logs = [
            {
                "timestamp": "2026-01-01T00:00:00.000000",
                "level": "info",
                "summary": "Search request received",
            }
        ]
        if failed:
            logs.append(
                {
                    "timestamp": "2026-01-01T00:00:01.000000",
                    "level": "error",
                    "summary": replay.fail_search,
                }
            )
        url = f"{replay.url}/api/v1/{req['kind']}/requests/{rid}"
        return {
            "search_request": {
                "request_id": rid,
                "requested": "2026-01-01T00:00:00.000000",
                "query": req["query"],
                "request_type": req["kind"],
            },
            "search_result": {
                "data_uri": f"{url}/data" if ready and not failed else None,
                "completed_timestamp": "2026-01-01T00:00:01.000000" if ready else None,
                "query_duration": 812 if ready else None,
                "file_size": 2048 if ready else None,
                "result_count": len(replay.results[req["kind"]]) if ready else None,
                "error_condition": failed,
            },
            "logs": logs,
        }

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")


# -- TREx ATM ---------------------------------------------------------------------------------
# Golden values of the projects' executed crib sheets (research notes): forward at
# 2021-11-04T06:00, 58.228 N / -103.681 E, default spectrum -> 5577 = 16677.78 R; inverse of
# 2302.6 / 11339.5 / 528.3 / 427.4 R -> 8.972 erg cm-2 s-1, 4992.6 eV. Everything else this
# replay answers is made up (profile shapes scaled to those numbers, linear in the Maxwellian
# flux): it exercises our parsing, not the model.

GOLDEN_FORWARD = {
    "timestamp": "2021-11-04T06:00:00",
    "lat": 58.228,
    "lon": -103.681,
    "height_integrated_rayleighs_5577": 16677.78,
}
GOLDEN_INVERSE = {
    "intensities": (2302.6, 11339.5, 528.3, 427.4),
    "energy_flux": 8.972,
    "mean_energy": 4992.6,
}
INVERSE_DATES = ("2021-11-04",)
ALTITUDES = [float(a) for a in range(80, 801, 5)]
#: Made-up brightness of the other bands relative to 557.7 nm at the golden point.
RATIOS = {
    "4278": 0.2,
    "5577": 1.0,
    "6300": 0.05,
    "8446": 0.04,
    "1304": 0.3,
    "1356": 0.06,
    "smile_uvi_lbh": 0.5,
}
PEAK_KM = {
    "4278": 115.0,
    "5577": 120.0,
    "6300": 220.0,
    "8446": 125.0,
    "1304": 130.0,
    "1356": 135.0,
    "smile_uvi_lbh": 118.0,
}


def _validation_error(problem: tuple[list[str], str]) -> tuple[int, Any]:
    loc = ["body", *[str(p) for p in problem[0]]]
    return 422, {"detail": [{"loc": loc, "msg": problem[1], "type": "value_error"}]}


def _profile(peak_km: float, width_km: float = 15.0) -> list[float]:
    return [math.exp(-(((a - peak_km) / width_km) ** 2)) for a in ALTITUDES]


def atm_forward(body: dict[str, Any]) -> tuple[int, Any]:
    """The replayed ``POST api/v2/atm/forward``: ``(status, answer)``."""
    flux = body.get("maxwellian_energy_flux", 10.0)  # the server's default
    scale = flux / 10.0
    flags = body.get("output") or {}
    data = {k: None for k in FORWARD_OUTPUTS}
    dz_cm = 5.0 * 1e5
    for band, ratio in RATIOS.items():
        total = GOLDEN_FORWARD["height_integrated_rayleighs_5577"] * ratio * scale
        shape = _profile(PEAK_KM[band])
        # volume emission rate whose height integral (R = 1e-6 * sum(VER) * dz) is the total
        ver = [s * total / (1e-6 * dz_cm * sum(shape)) for s in shape]
        if flags.get(f"height_integrated_rayleighs_{band}"):
            data[f"height_integrated_rayleighs_{band}"] = round(total, 2)
        if flags.get(f"emission_{band}"):
            data[f"emission_{band}"] = ver
    if flags.get("altitudes"):
        data["altitudes"] = ALTITUDES
    for name in FORWARD_OUTPUTS:
        if flags.get(name) and data[name] is None and not name.startswith("height"):
            data[name] = [v * 1e3 * max(scale, 1e-3) for v in _profile(110.0, 30.0)]
    return 200, {"data": data, "request": body, "calculation_duration_ms": 1234.5}


def atm_inverse(body: dict[str, Any]) -> tuple[int, Any]:
    """The replayed ``POST api/v2/atm/inverse``: ``(status, answer)``."""
    lat, lon = body["geodetic_latitude"], body["geodetic_longitude"]
    if not (50.0 <= lat < 71.5 and -160.0 <= lon < -75.0):
        return 400, {"detail": "latitude/longitude outside of the supported region"}
    if body["timestamp"][:10] not in INVERSE_DATES:
        return 400, {"detail": f"unsupported date {body['timestamp'][:10]}"}
    given = tuple(body.get(f"intensity_{w}") for w in (4278, 5577, 6300, 8446))
    if given == GOLDEN_INVERSE["intensities"]:
        flux, mean = GOLDEN_INVERSE["energy_flux"], GOLDEN_INVERSE["mean_energy"]
    else:  # made up: proportional to the green line
        flux = GOLDEN_INVERSE["energy_flux"] * given[1] / GOLDEN_INVERSE["intensities"][1]
        mean = GOLDEN_INVERSE["mean_energy"]
    flags = body.get("output") or {}
    data = {
        "energy_flux": flux if flags.get("energy_flux") else None,
        "mean_energy": mean if flags.get("mean_energy") else None,
        "characteristic_energy": None,
        "oxygen_correction_factor": 1.0 if flags.get("oxygen_correction_factor") else None,
    }
    return 200, {"data": data, "request": body, "calculation_duration_ms": 321.0}


def start(validate: Validator | None = None) -> ReplayServer:
    """Start a replay server and point this process's geospacexr at it (for offline tutorials).

    Sets ``GEOSPACEXR_AURORAX_API_URL``, ``GEOSPACEXR_AURORAX_ATM_URL`` and
    ``GEOSPACEXR_AURORAX_POLL_INTERVAL_S`` in the environment and reloads the configuration (an
    environment variable survives notebook cells, which a context override does not). Unset them
    and call :func:`geospacexr.config.reload` to talk to the real services again.

    Args:
        validate: See :class:`ReplayServer`.

    Returns:
        The running server.
    """
    from .. import config

    server = ReplayServer(validate)
    for key, value in server.settings().items():
        os.environ["GEOSPACEXR_" + key.upper().replace(".", "_")] = str(value)
    config.reload()
    return server
