"""Conjunction, ephemeris and data-product searches of the AuroraX platform, as xarray.

A search is asynchronous on the server: ``POST {kind}/search`` answers ``202`` with a
``Location`` header (the request's URL; its last segment is the request id); the status document
at that URL gets a non-null ``search_result.data_uri`` when the result is ready (or
``error_condition`` true when it failed: the last log line says why); the data are then
``GET {Location}/data`` (or ``POST`` with a ``response_format`` naming the fields wanted), a
``{"result": [...]}`` document. :class:`Search` is that request on our side: ``wait=False``
returns it at once, to poll or cancel.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from ..errors import (
    InvalidArgumentError,
    SearchFailedError,
    ServiceError,
    ServiceTimeoutError,
)
from ._http import Client
from .query import conjunction_query, data_products_query, ephemeris_query

__all__ = [
    "EphemerisResult",
    "Search",
    "conjunctions",
    "conjunctions_dataset",
    "data_products",
    "data_products_dataset",
    "ephemeris",
    "ephemeris_datasets",
]

logger = logging.getLogger("geospacexr.aurorax")

#: The API path of each search kind (``api/v1/<kind>/search``).
KINDS = ("conjunctions", "ephemeris", "data_products")
#: Fields of a data source copied into results, in this order.
SOURCE_FIELDS = (
    "identifier",
    "program",
    "platform",
    "instrument_type",
    "source_type",
    "display_name",
)


def _times(values: Sequence[Any]) -> np.ndarray:
    """``%Y-%m-%dT%H:%M:%S`` strings (``None`` -> NaT) as ``datetime64[ns]``."""
    import pandas as pd

    out = pd.to_datetime(pd.Series(list(values), dtype=object), format="ISO8601", utc=True)
    return out.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def _numbers(values: Sequence[Any]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _column(values: Sequence[Any]) -> np.ndarray:
    """One metadata column: numbers as float (missing: NaN), anything else as text (``""``)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return _numbers(values)
    return np.array(
        ["" if v is None else v if isinstance(v, str) else json.dumps(v) for v in values],
        dtype=object,
    ).astype(str)


def _texts(values: Sequence[Any]) -> np.ndarray:
    return np.array(["" if v is None else str(v) for v in values], dtype=object).astype(str)


def _source_name(src: Mapping[str, Any]) -> str:
    parts = [str(src.get(k) or "") for k in ("program", "platform", "instrument_type")]
    name = "/".join(p for p in parts if p)
    return name or str(src.get("identifier", "unknown"))


def _metadata(records: Sequence[Mapping[str, Any]], dim: str) -> dict[str, tuple]:
    keys: list[str] = []
    for r in records:
        for k in r.get("metadata") or {}:
            if k not in keys:
                keys.append(k)
    return {
        "metadata_" + re.sub(r"\W", "_", k): (
            dim,
            _column([(r.get("metadata") or {}).get(k) for r in records]),
            {"long_name": f"metadata {k}", "source_name": f"metadata.{k}"},
        )
        for k in keys
    }


def conjunctions_dataset(result: Sequence[Mapping[str, Any]], query: Any = None) -> xr.Dataset:
    """The ``result`` list of a conjunction search as a Dataset along ``conjunction``.

    Variables (those present in the result; a ``response_format`` may leave some out):
    ``conjunction_type``; ``start``, ``end``, ``closest_epoch``, ``farthest_epoch`` (UT);
    ``min_distance``, ``max_distance`` (km); the data sources along (``conjunction``,
    ``source``): ``source_identifier``, ``source_program``, ``source_platform``,
    ``source_instrument_type``, ``source_type``, ``source_display_name``, and ``source_name``
    (``program/platform/instrument_type``), padded with ``""`` where a conjunction has fewer;
    ``events`` (the per-pair details, a JSON string per conjunction).

    Args:
        result: The decoded ``result`` list.
        query: The request body, kept in ``attrs["query"]`` as JSON.

    Returns:
        The Dataset (``attrs["geospacexr_kind"] == "aurorax_conjunctions"``).
    """
    dim = "conjunction"
    n = len(result)
    present = set().union(*(r.keys() for r in result)) if result else set()
    data: dict[str, Any] = {}
    if "conjunction_type" in present:
        data["conjunction_type"] = (
            dim,
            _texts([r.get("conjunction_type") for r in result]),
            {"long_name": "conjunction type"},
        )
    for name in ("start", "end", "closest_epoch", "farthest_epoch"):
        if name in present:
            data[name] = (
                dim,
                _times([r.get(name) for r in result]),
                {"long_name": name.replace("_", " ") + " (UT)"},
            )
    for name in ("min_distance", "max_distance"):
        if name in present:
            data[name] = (
                dim,
                _numbers([r.get(name) for r in result]),
                {"units": "km", "long_name": name.replace("_", " ")},
            )
    if "data_sources" in present:
        sources = [list(r.get("data_sources") or []) for r in result]
        width = max((len(s) for s in sources), default=0)
        for field in SOURCE_FIELDS:
            var = "source_type" if field == "source_type" else f"source_{field}"
            table = [
                [(s[i].get(field) if i < len(s) else None) for i in range(width)] for s in sources
            ]
            data[var] = (
                (dim, "source"),
                _texts([v for row in table for v in row]).reshape(n, width),
                {"long_name": f"data source {field.replace('_', ' ')}"},
            )
        names = [[_source_name(s[i]) if i < len(s) else "" for i in range(width)] for s in sources]
        data["source_name"] = (
            (dim, "source"),
            _texts([v for row in names for v in row]).reshape(n, width),
            {"long_name": "data source (program/platform/instrument type)"},
        )
    if "events" in present:
        data["events"] = (
            dim,
            _texts([json.dumps(r.get("events")) for r in result]),
            {"long_name": "events of each pair (JSON)"},
        )
    ds = xr.Dataset(data, coords={dim: np.arange(n)})
    ds.attrs.update(_attrs("aurorax_conjunctions", query))
    return ds


def _location(records: Sequence[Mapping[str, Any]], field: str) -> tuple[np.ndarray, np.ndarray]:
    lats, lons = [], []
    for r in records:
        loc = r.get(field) or {}
        lats.append(loc.get("lat"))
        lons.append(loc.get("lon"))
    return _numbers(lats), _numbers(lons)


#: Ephemeris location fields -> (latitude variable, longitude variable, description).
EPHEMERIS_LOCATIONS = {
    "location_geo": ("lat", "lon", "geographic position"),
    "nbtrace": ("nbtrace_lat", "nbtrace_lon", "north B-trace footprint (geographic)"),
    "sbtrace": ("sbtrace_lat", "sbtrace_lon", "south B-trace footprint (geographic)"),
    "location_gsm": ("gsm_lat", "gsm_lon", "position in GSM"),
}


class EphemerisResult(dict):
    """The ephemeris of a search: ``{data source name: Dataset along epoch}``.

    Keys are ``program/platform/instrument_type`` (e.g. ``"swarm/swarma/footprint"``).
    """

    def to_dataframe(self) -> Any:
        """All sources in one ``pandas.DataFrame`` with a ``data_source`` column."""
        import pandas as pd

        frames = [ds.to_dataframe().assign(data_source=name) for name, ds in self.items()]
        return pd.concat(frames) if frames else pd.DataFrame()


def ephemeris_datasets(result: Sequence[Mapping[str, Any]], query: Any = None) -> EphemerisResult:
    """The ``result`` list of an ephemeris search as one Dataset per data source.

    Each Dataset lies along ``epoch`` (UT, sorted) with ``lat``/``lon`` (geographic position),
    ``nbtrace_lat``/``nbtrace_lon`` and ``sbtrace_lat``/``sbtrace_lon`` (north and south
    B-trace footprints), ``gsm_lat``/``gsm_lon`` (the position in GSM as the API gives it), all
    in degrees (NaN where the API has none), and one ``metadata_<key>`` variable per metadata
    key; the data source's fields are in ``attrs``.

    Args:
        result: The decoded ``result`` list.
        query: The request body, kept in ``attrs["query"]`` as JSON.

    Returns:
        An :class:`EphemerisResult`.
    """
    groups: dict[str, list[Mapping[str, Any]]] = {}
    sources: dict[str, Mapping[str, Any]] = {}
    for r in result:
        src = r.get("data_source") or {}
        name = _source_name(src)
        groups.setdefault(name, []).append(r)
        sources.setdefault(name, src)
    out = EphemerisResult()
    for name, records in groups.items():
        dim = "epoch"
        data: dict[str, Any] = {}
        for field, (la, lo, what) in EPHEMERIS_LOCATIONS.items():
            if any(field in r for r in records):
                lat, lon = _location(records, field)
                data[la] = (dim, lat, {"units": "degrees", "long_name": f"{what}, latitude"})
                data[lo] = (dim, lon, {"units": "degrees", "long_name": f"{what}, longitude"})
        data.update(_metadata(records, dim))
        epochs = _times([r.get("epoch") for r in records])
        ds = xr.Dataset(data, coords={dim: (dim, epochs, {"long_name": "epoch (UT)"})})
        ds = ds.sortby(dim)
        ds.attrs.update(_attrs("aurorax_ephemeris", query))
        ds.attrs.update(
            {k: str(v) for k, v in sources[name].items() if k in SOURCE_FIELDS and v is not None}
        )
        ds.attrs["data_source"] = name
        out[name] = ds
    return out


def data_products_dataset(result: Sequence[Mapping[str, Any]], query: Any = None) -> xr.Dataset:
    """The ``result`` list of a data-product search as a table along ``data_product``.

    Variables: ``url``, ``data_product_type``, ``start``, ``end`` (UT), the data source
    (``program``, ``platform``, ``instrument_type``, ``source_identifier``, ``data_source``
    as ``program/platform/instrument_type``) and one ``metadata_<key>`` per metadata key.

    Args:
        result: The decoded ``result`` list.
        query: The request body, kept in ``attrs["query"]`` as JSON.

    Returns:
        The Dataset (``attrs["geospacexr_kind"] == "aurorax_data_products"``).
    """
    dim = "data_product"
    present = set().union(*(r.keys() for r in result)) if result else set()
    data: dict[str, Any] = {}
    for name in ("url", "data_product_type"):
        if name in present:
            data[name] = (
                dim,
                _texts([r.get(name) for r in result]),
                {"long_name": name.replace("_", " ")},
            )
    for name in ("start", "end"):
        if name in present:
            data[name] = (dim, _times([r.get(name) for r in result]), {"long_name": f"{name} (UT)"})
    if "data_source" in present:
        srcs = [r.get("data_source") or {} for r in result]
        for field in ("program", "platform", "instrument_type"):
            data[field] = (
                dim,
                _texts([s.get(field) for s in srcs]),
                {"long_name": field.replace("_", " ")},
            )
        data["source_identifier"] = (
            dim,
            _texts([s.get("identifier") for s in srcs]),
            {"long_name": "data source identifier"},
        )
        data["data_source"] = (
            dim,
            _texts([_source_name(s) for s in srcs]),
            {"long_name": "data source (program/platform/instrument type)"},
        )
    data.update(_metadata(result, dim))
    ds = xr.Dataset(data, coords={dim: np.arange(len(result))})
    ds.attrs.update(_attrs("aurorax_data_products", query))
    return ds


def _attrs(kind: str, query: Any) -> dict[str, str]:
    out = {"geospacexr_kind": kind, "source": "AuroraX search API"}
    if query is not None:
        out["query"] = json.dumps(query)
    return out


_CONVERTERS = {
    "conjunctions": conjunctions_dataset,
    "ephemeris": ephemeris_datasets,
    "data_products": data_products_dataset,
}


class Search:
    """One search request on the AuroraX platform (what ``wait=False`` returns).

    Args:
        kind: ``"conjunctions"``, ``"ephemeris"`` or ``"data_products"``.
        query: The request body (from :mod:`geospacexr.aurorax.query`).
        client: The connection (default: a new one on ``aurorax.api_url``).

    Attributes:
        kind: The search kind.
        query: The request body sent.
        request_url: The request's status URL (the ``Location`` of the 202 answer).
        request_id: Its last path segment.
        status: The last status document read (``None`` before the first poll).
    """

    def __init__(self, kind: str, query: dict[str, Any], client: Client | None = None) -> None:
        if kind not in KINDS:
            raise InvalidArgumentError(f"{kind!r} is not one of {KINDS}", "kind")
        self.kind = kind
        self.query = query
        self.client = client or Client()
        self.request_url: str | None = None
        self.request_id: str | None = None
        self.status: dict[str, Any] | None = None
        self.cancelled = False

    def __repr__(self) -> str:
        state = (
            "not submitted"
            if self.request_url is None
            else ("cancelled" if self.cancelled else "done" if self.done else "running")
        )
        return f"<Search {self.kind} {self.request_id or ''} {state}>"

    def submit(self) -> Search:
        """Send the request (``POST {kind}/search``, expecting 202 and a ``Location``).

        Returns:
            This search.
        """
        res = self.client.request(
            "POST", f"api/v1/{self.kind}/search", body=self.query, expect=(202,)
        )
        location = res.headers.get("location")
        if not location:
            raise ServiceError(
                f"{self.client.name}: the {self.kind} search was accepted without a Location "
                "header (no request to poll)",
                status=res.status_code,
            )
        self.request_url = self.client.url(location)
        self.request_id = self.request_url.rstrip("/").rsplit("/", 1)[-1]
        logger.info("%s search submitted: request %s", self.kind, self.request_id)
        return self

    def _need_request(self) -> str:
        if self.request_url is None:
            raise InvalidArgumentError("the search was not submitted (call submit())", "search")
        return self.request_url

    @property
    def done(self) -> bool:
        """Whether the last status read says the data are ready."""
        result = (self.status or {}).get("search_result") or {}
        return result.get("data_uri") is not None

    @property
    def logs(self) -> list[dict[str, Any]]:
        """The request's log lines (``timestamp``, ``level``, ``summary``) from the last poll."""
        return list((self.status or {}).get("logs") or [])

    def poll(self) -> bool:
        """Read the status once.

        Returns:
            ``True`` when the data are ready.

        Raises:
            SearchFailedError: The server reports ``error_condition`` true (message: its last
                log line).
        """
        url = self._need_request()
        status = self.client.json("GET", url)
        if not isinstance(status, dict) or "search_result" not in status:
            raise ServiceError(
                f"{self.client.name}: the status of request {self.request_id} has no search_result",
                url=url,
            )
        self.status = status
        result = status.get("search_result") or {}
        if result.get("error_condition"):
            summary = self.logs[-1].get("summary", "") if self.logs else "no log"
            raise SearchFailedError(
                f"{self.client.name}: {self.kind} search {self.request_id} failed: {summary}",
                code="error_condition",
                url=url,
            )
        return self.done

    def wait(
        self,
        timeout: float | None = None,
        poll_interval: float | None = None,
        progress: bool | None = None,
    ) -> Search:
        """Poll until the data are ready.

        Args:
            timeout: Longest wait, seconds (default ``aurorax.timeout_s``).
            poll_interval: Wait between polls, seconds (default ``aurorax.poll_interval_s``).
            progress: Show a progress bar (on stderr in a terminal; in a notebook a display
                emptied when the search is done); ``None``: only in a terminal or notebook.

        Returns:
            This search.

        Raises:
            ServiceTimeoutError: Not ready within ``timeout``.
            SearchFailedError: The search failed on the server.
        """
        from .._progress import progress as progress_bar

        timeout = config.resolve(timeout, "aurorax.timeout_s")
        poll_interval = config.resolve(poll_interval, "aurorax.poll_interval_s")
        self._need_request()
        deadline = time.monotonic() + timeout
        with progress_bar(desc=f"AuroraX {self.kind} search", unit="poll", show=progress) as bar:
            while not self.poll():
                bar.update(1)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ServiceTimeoutError(
                        f"{self.client.name}: {self.kind} search {self.request_id} not done "
                        f"within {timeout:g} s (aurorax.timeout_s); it keeps running on the "
                        "server: wait(), or cancel() it",
                        url=self.request_url,
                    )
                time.sleep(min(poll_interval, left))
            bar.update(1)
        return self

    def cancel(self) -> None:
        """Ask the server to stop the search (``DELETE`` on its request URL)."""
        url = self._need_request()
        self.client.request("DELETE", url, expect=(200, 202, 204))
        self.cancelled = True

    def data(self, response_format: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """The raw ``result`` list (waits first if the data are not ready).

        Args:
            response_format: Fields to return (the API's ``response_format``: ``{field: true}``,
                nested for ``data_source``); sent with ``POST``.

        Returns:
            The decoded records.
        """
        if not self.done:
            self.wait()
        url = self._need_request().rstrip("/") + "/data"
        if response_format is None:
            body = self.client.json("GET", url)
        else:
            body = self.client.json("POST", url, body=dict(response_format))
        if not isinstance(body, dict) or not isinstance(body.get("result"), list):
            raise ServiceError(
                f"{self.client.name}: the data of request {self.request_id} are not a "
                '{"result": [...]} document',
                url=url,
            )
        return body["result"]

    def result(self, response_format: Mapping[str, Any] | None = None) -> Any:
        """The result as xarray (waits first if needed).

        Args:
            response_format: See :meth:`data`.

        Returns:
            Conjunctions and data products: a Dataset; ephemeris: an
            :class:`EphemerisResult` (one Dataset per data source).
        """
        ds = _CONVERTERS[self.kind](self.data(response_format), self.query)
        if self.request_id is not None:
            for item in ds.values() if isinstance(ds, EphemerisResult) else [ds]:
                item.attrs["request_id"] = self.request_id
        return ds


def _run(
    kind: str,
    query: dict[str, Any],
    wait: bool,
    response_format: Any,
    progress: bool | None,
    client: Client | None,
) -> Any:
    search = Search(kind, query, client).submit()
    if not wait:
        return search
    search.wait(progress=progress)
    return search.result(response_format)


def conjunctions(
    start: Any,
    end: Any,
    ground: Sequence[Mapping[str, Any]] = (),
    space: Sequence[Mapping[str, Any]] = (),
    events: Sequence[Mapping[str, Any]] = (),
    adhoc: Sequence[Mapping[str, Any]] = (),
    conjunction_types: Sequence[str] = ("nbtrace",),
    max_distances: float | Mapping[str, float] | None = None,
    default_distance: float | None = None,
    *,
    wait: bool = True,
    response_format: Mapping[str, Any] | None = None,
    progress: bool | None = None,
    client: Client | None = None,
) -> Any:
    """Search the AuroraX platform for conjunctions.

    Args:
        start: First time searched (UT; a string, datetime or datetime64).
        end: Last time searched (UT).
        ground: Ground-instrument criteria blocks, each a dict with ``programs``,
            ``platforms``, ``instrument_types`` (lists of names) and ``metadata_filters``
            (see :func:`geospacexr.aurorax.query.metadata_filter`).
        space: Spacecraft blocks: the same keys plus ``hemisphere`` (``"northern"``,
            ``"southern"``).
        events: Event blocks (``platforms``, ``instrument_types``, ``metadata_filters``).
        adhoc: Fixed-location blocks: ``{"locations": [(lat, lon), ...]}`` in degrees.
        conjunction_types: Any of ``"nbtrace"``, ``"sbtrace"``, ``"geographic"``.
        max_distances: Largest distance of each pair of blocks, km: one number for all, or
            ``{"ground1-space1": 500, ...}`` (pairs not named take ``default_distance``).
        default_distance: Distance of the pairs not named, km (default
            ``aurorax.default_distance_km``, 300).
        wait: Wait for the result (default); ``False`` returns the :class:`Search` at once.
        response_format: Fields to return (the API's ``response_format``).
        progress: Progress bar while waiting (``None``: in a terminal or notebook only).
        client: A :class:`~geospacexr.aurorax._http.Client` (default: from the configuration).

    Returns:
        A Dataset along ``conjunction`` (see :func:`conjunctions_dataset`), or the
        :class:`Search` when ``wait=False``.

    Raises:
        InvalidArgumentError: A bad argument (nothing is sent).
        ServiceError: A subclass per failure (HTTP status, failed search, timeout).
    """
    query = conjunction_query(
        start,
        end,
        ground=ground,
        space=space,
        events=events,
        adhoc=adhoc,
        conjunction_types=conjunction_types,
        distances=max_distances,
        default_distance=default_distance,
    )
    return _run("conjunctions", query, wait, response_format, progress, client)


def ephemeris(
    start: Any,
    end: Any,
    programs: Sequence[str] | str | None = None,
    platforms: Sequence[str] | str | None = None,
    instrument_types: Sequence[str] | str | None = None,
    metadata_filters: Any = None,
    *,
    wait: bool = True,
    response_format: Mapping[str, Any] | None = None,
    progress: bool | None = None,
    client: Client | None = None,
) -> Any:
    """Search the ephemeris the AuroraX platform holds (positions and footprints per minute).

    Args:
        start: First time (UT).
        end: Last time (UT).
        programs: Programs (``"swarm"``, ``"themis-asi"``...); none: all.
        platforms: Platforms (``"swarma"``, ``"gillam"``...).
        instrument_types: Instrument types (``"footprint"``, ``"panchromatic ASI"``...).
        metadata_filters: Ephemeris metadata filter (see
            :func:`geospacexr.aurorax.query.metadata_filter`).
        wait: Wait for the result (default); ``False`` returns the :class:`Search`.
        response_format: Fields to return.
        progress: Progress bar while waiting.
        client: The connection.

    Returns:
        An :class:`EphemerisResult` (one Dataset per data source along ``epoch``), or the
        :class:`Search` when ``wait=False``.

    Raises:
        InvalidArgumentError: A bad argument (nothing is sent).
        ServiceError: A subclass per failure.
    """
    query = ephemeris_query(
        start,
        end,
        programs=programs,
        platforms=platforms,
        instrument_types=instrument_types,
        metadata_filters=metadata_filters,
    )
    return _run("ephemeris", query, wait, response_format, progress, client)


def data_products(
    start: Any,
    end: Any,
    programs: Sequence[str] | str | None = None,
    platforms: Sequence[str] | str | None = None,
    instrument_types: Sequence[str] | str | None = None,
    data_product_types: Sequence[str] | str | None = None,
    metadata_filters: Any = None,
    *,
    wait: bool = True,
    response_format: Mapping[str, Any] | None = None,
    progress: bool | None = None,
    client: Client | None = None,
) -> Any:
    """Search the data products (keograms, montages, movies, summary plots) of the platform.

    Args:
        start: First time (UT).
        end: Last time (UT).
        programs: Programs; none: all.
        platforms: Platforms.
        instrument_types: Instrument types.
        data_product_types: ``"keogram"``, ``"montage"``, ``"movie"``, ``"summary_plot"``,
            ``"data_availability"``; none: all.
        metadata_filters: Data-product metadata filter.
        wait: Wait for the result (default); ``False`` returns the :class:`Search`.
        response_format: Fields to return.
        progress: Progress bar while waiting.
        client: The connection.

    Returns:
        A Dataset along ``data_product`` with the URLs (see :func:`data_products_dataset`),
        or the :class:`Search` when ``wait=False``.

    Raises:
        InvalidArgumentError: A bad argument (nothing is sent).
        ServiceError: A subclass per failure.
    """
    query = data_products_query(
        start,
        end,
        programs=programs,
        platforms=platforms,
        instrument_types=instrument_types,
        data_product_types=data_product_types,
        metadata_filters=metadata_filters,
    )
    return _run("data_products", query, wait, response_format, progress, client)
