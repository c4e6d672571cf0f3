"""The HTTP layer of :mod:`geospacexr.aurorax`: one ``requests`` session, retries, error mapping.

Every call to the AuroraX API and the TREx ATM goes through :class:`Client.request`, which

* sends JSON, with the API key (``aurorax.api_key`` or ``$AURORAX_API_KEY``) in the
  ``x-aurorax-api-key`` header only to the configured API's own origin (scheme, host and port),
  never follows redirects (a key header would follow them to another host) and never logs it,
  puts it in a ``repr`` or in an error message;
* retries a request that timed out (``aurorax.request_timeout_s``), could not connect, or got a
  502, 504 or a 503 that is not the maintenance page: ``aurorax.retries`` attempts in all,
  waiting ``aurorax.backoff_s`` seconds and doubling; then raises
  :class:`~geospacexr.errors.ServiceTimeoutError` or
  :class:`~geospacexr.errors.ServiceUnavailableError`;
* maps the other answers to specific :mod:`geospacexr.errors` classes, with the server's own
  message (its ``error_code``/``error_message`` document, a FastAPI ``detail`` list, or the
  start of the body): 400 and 422 -> :class:`~geospacexr.errors.ServiceRequestError`, 401 and
  403 -> :class:`~geospacexr.errors.ServiceAuthError`, 404 ->
  :class:`~geospacexr.errors.ServiceNotFoundError`, 429 ->
  :class:`~geospacexr.errors.ServiceRateLimitError` (not retried: its ``retry_after`` says how
  long the server asks to wait), the maintenance page ->
  :class:`~geospacexr.errors.ServiceMaintenanceError`, other 5xx ->
  :class:`~geospacexr.errors.ServiceUnavailableError`. A 200 whose body is an
  ``{"error": {...}}`` document is an error too (:class:`~geospacexr.errors.ServiceError`).
"""

from __future__ import annotations

import json
import logging
import os
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

from .. import config
from ..errors import (
    InvalidArgumentError,
    ServiceAuthError,
    ServiceError,
    ServiceMaintenanceError,
    ServiceNotFoundError,
    ServiceRateLimitError,
    ServiceRequestError,
    ServiceTimeoutError,
    ServiceUnavailableError,
)

__all__ = ["API_KEY_ENV", "API_KEY_HEADER", "Client", "error_message"]

logger = logging.getLogger("geospacexr.aurorax")

#: Environment variable read for the API key when ``aurorax.api_key`` is empty.
API_KEY_ENV = "AURORAX_API_KEY"
#: The header the AuroraX API reads the key from.
API_KEY_HEADER = "x-aurorax-api-key"
#: Answers retried (with the backoff) before they are reported.
RETRY_STATUS = (502, 503, 504)
#: How much of a non-JSON error body goes into a message.
BODY_EXCERPT = 300


def _requests() -> Any:
    try:
        import requests
    except ImportError as exc:  # pragma: no cover - the extra is missing
        raise ImportError(
            "geospacexr.aurorax needs the 'requests' package: pip install 'geospacexr[aurorax]'"
        ) from exc
    return requests


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port


def _public(url: str) -> str:
    """The URL without its query string or fragment (what messages and logs show)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{parts.path}"


def error_message(body: Any) -> tuple[str | None, str | None]:
    """The service's ``(error_code, message)`` from a parsed error body (``None`` if absent).

    Understands the AuroraX documents ``{"error_code", "error_message"}`` and
    ``{"error": {"error_code", "error_message"}}``, and FastAPI's ``{"detail": "..."}`` and
    ``{"detail": [{"loc": [...], "msg": "..."}]}`` (each item as ``loc: msg``).

    Args:
        body: The decoded JSON body.

    Returns:
        The code and the message.
    """
    if not isinstance(body, dict):
        return None, None
    if isinstance(body.get("error"), dict):
        body = body["error"]
    if "error_message" in body or "error_code" in body:
        code = body.get("error_code")
        return (None if code is None else str(code)), str(body.get("error_message", ""))
    detail = body.get("detail")
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
                parts.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", "")))
            else:
                parts.append(str(item))
        return None, "; ".join(parts)
    if detail is not None:
        return None, str(detail)
    return None, None


class _Secret:
    """A text that never shows itself (``repr``, ``str``, ``vars`` of its holder)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


class Client:
    """A connection to one web service (the AuroraX API or the UCalgary SRS API).

    Args:
        base_url: The service root (default: ``aurorax.api_url``).
        api_key: The key (default: ``aurorax.api_key``, else ``$AURORAX_API_KEY``); sent only
            to ``base_url``'s origin.
        name: The service's name in messages.

    The timeout, retries and backoff are read from the configuration at each request, so
    :func:`geospacexr.config.override` applies to a client made before it.
    """

    def __init__(
        self, base_url: str | None = None, api_key: str | None = None, name: str = "AuroraX API"
    ) -> None:
        cfg = config.get().aurorax
        self.base_url = (base_url or cfg.api_url).rstrip("/") + "/"
        self.name = name
        key = api_key if api_key is not None else (cfg.api_key or os.environ.get(API_KEY_ENV, ""))
        self.__key = _Secret(key) if key else None
        self._session: Any = None

    def __repr__(self) -> str:
        return (
            f"Client({self.base_url!r}, name={self.name!r}, "
            f"api_key={'set' if self.__key else 'not set'})"
        )

    @property
    def has_key(self) -> bool:
        """Whether an API key is configured (the key itself is never exposed)."""
        return self.__key is not None

    def url(self, path: str) -> str:
        """An absolute URL: ``path`` relative to the service root (an absolute URL is kept)."""
        return urljoin(self.base_url, path)

    def _headers(self, url: str) -> dict[str, str]:
        headers = {"accept": "application/json", "user-agent": "geospacexr"}
        if self.__key and _origin(url) == _origin(self.base_url):
            headers[API_KEY_HEADER] = self.__key.reveal()
        return headers

    def _scrub(self, text: str) -> str:
        return text.replace(self.__key.reveal(), "***") if self.__key else text

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        expect: tuple[int, ...] = (200,),
    ) -> Any:
        """Send one request and return the answer (retrying per the configuration).

        Args:
            method: ``"GET"``, ``"POST"``, ``"DELETE"``.
            path: Relative to the service root, or an absolute URL.
            params: Query parameters (``None`` values are left out).
            body: A JSON-serialisable body.
            expect: The status codes that count as success.

        Returns:
            The ``requests.Response``.

        Raises:
            ServiceError: A subclass for each kind of failure (see the module documentation).
        """
        requests = _requests()
        cfg = config.get().aurorax
        url = self.url(path)
        if urlsplit(url).scheme not in ("http", "https"):
            raise InvalidArgumentError(f"{_public(url)} is not an http(s) URL", "path")
        if self._session is None:
            self._session = requests.Session()
        query = None if params is None else {k: v for k, v in params.items() if v is not None}
        data = None if body is None else json.dumps(body)
        headers = self._headers(url)
        if data is not None:
            headers["content-type"] = "application/json"
        wait = cfg.backoff_s
        last: ServiceError | None = None
        for attempt in range(1, cfg.retries + 1):
            if attempt > 1:
                logger.info(
                    "%s %s: attempt %d of %d in %.3g s (%s)",
                    method,
                    _public(url),
                    attempt,
                    cfg.retries,
                    wait,
                    last,
                )
                time.sleep(wait)
                wait *= 2
            logger.debug("%s %s", method, _public(url))
            try:
                res = self._session.request(
                    method,
                    url,
                    params=query,
                    data=data,
                    headers=headers,
                    timeout=cfg.request_timeout_s,
                    allow_redirects=False,
                )
            except requests.exceptions.Timeout:
                last = ServiceTimeoutError(
                    f"{self.name}: no answer to {method} {_public(url)} within "
                    f"{cfg.request_timeout_s:g} s (aurorax.request_timeout_s) after {attempt} "
                    f"attempt(s) (aurorax.retries)",
                    url=_public(url),
                )
                continue
            except requests.exceptions.ConnectionError as exc:
                reason = self._scrub(type(exc).__name__)
                last = ServiceUnavailableError(
                    f"{self.name}: could not connect for {method} {_public(url)} ({reason}) "
                    f"after {attempt} attempt(s) (aurorax.retries)",
                    url=_public(url),
                )
                continue
            except requests.exceptions.RequestException as exc:  # a broken answer: not retried
                raise ServiceError(
                    f"{self.name}: {method} {_public(url)} failed: {type(exc).__name__}",
                    url=_public(url),
                ) from None
            if res.status_code in expect:
                self._check_document(res, method, url)
                return res
            error = self._error(res, method, url)
            if res.status_code in RETRY_STATUS and not isinstance(error, ServiceMaintenanceError):
                last = error
                continue
            raise error
        assert last is not None
        raise last

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """:meth:`request`, returning the decoded JSON body (``None`` for an empty one)."""
        res = self.request(method, path, **kwargs)
        return _decode(res) if res.content else None

    def _check_document(self, res: Any, method: str, url: str) -> None:
        """Raise the error document a successful status may carry (``{"error": {...}}``)."""
        if not res.content or "json" not in res.headers.get("content-type", ""):
            return
        body = _decode(res)
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            code, message = error_message(body)
            raise ServiceError(
                self._scrub(
                    f"{self.name}: {method} {_public(url)} returned an error document: "
                    f"{code or 'no error_code'}: {message}"
                ),
                status=res.status_code,
                code=code,
                url=_public(url),
            )

    def _error(self, res: Any, method: str, url: str) -> ServiceError:
        status = res.status_code
        try:
            body = res.json()
        except ValueError:
            body = None
        code, message = error_message(body)
        if message is None:
            text = res.text.strip() if res.content else ""
            message = " ".join(text.split())[:BODY_EXCERPT] or (res.reason or "no message")
        head = f"{self.name}: {method} {_public(url)} answered HTTP {status}"
        text = self._scrub(f"{head}: {code + ': ' if code else ''}{message}")
        kwargs = {"status": status, "code": code, "url": _public(url)}
        if status in (400, 422):
            return ServiceRequestError(text, **kwargs)
        if status in (401, 403):
            hint = "" if self.has_key else f" (no API key: set aurorax.api_key or ${API_KEY_ENV})"
            return ServiceAuthError(text + hint, **kwargs)
        if status == 404:
            return ServiceNotFoundError(text, **kwargs)
        if status == 429:
            err = ServiceRateLimitError(text, **kwargs)
            try:
                err.retry_after = float(res.headers.get("retry-after", ""))
            except ValueError:
                err.retry_after = None
            return err
        if status == 503 and "maintenance" in message.lower():
            return ServiceMaintenanceError(text, **kwargs)
        if status >= 500:
            return ServiceUnavailableError(text, **kwargs)
        if 300 <= status < 400:
            where = res.headers.get("location", "")
            return ServiceError(f"{text} (redirect to {_public(where)} not followed)", **kwargs)
        return ServiceError(text, **kwargs)


def _decode(res: Any) -> Any:
    try:
        return res.json()
    except ValueError as exc:
        raise ServiceError(
            f"answer from {_public(res.url)} is not JSON: {' '.join(res.text.split())[:80]!r}",
            status=res.status_code,
            url=_public(res.url),
        ) from exc
