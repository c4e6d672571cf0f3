"""Downloads from the University of Calgary open-data server, into a local mirror.

The server's tree (``servers.ucalgary_url``, ``.../sort_by_project``) is::

    <project>/stream0/YYYY/MM/DD/<site>_<imager>/utHH/<YYYYMMDD_HHMM_site_imager_...>
    <project>/skymaps/<site>/<site>_YYYYMMDD/<proj>_skymap_<site>_<start>-<end>_vNN.sav

with ``<project>`` (``THEMIS/asi``, ``GO-Canada/REGO``, ``TREx/NIR``, ``TREx/blueline``,
``TREx/RGB``), ``stream0`` and the skymap prefix taken from each instrument's row of the
instrument table (:mod:`geospacexr.io.instruments`, its ``download`` layout). Directory pages are
plain HTML listings. Files land in
``<paths.cache_dir>/ucalgary/`` under the same relative paths, so a second call for the same
time range downloads nothing. Each file is fetched into ``<file>.part`` (a later call resumes it
with an HTTP Range request), its size checked against the server's ``Content-Length``, and only
then renamed into place: a file in the mirror is always complete.
"""

from __future__ import annotations

import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .. import config
from ..errors import DataWarning, DownloadError, InvalidArgumentError
from .instruments import Instrument, TableView, UnknownInstrumentError, get_instrument

__all__ = ["PROJECTS", "download", "download_skymap", "list_remote"]

#: Instrument identifier -> (project path, skymap file prefix): a live view of the instrument
#: table's rows that have a download layout.
PROJECTS: Mapping[str, tuple[str, str | None]] = TableView(
    lambda row: None if row.download is None else (row.download.project, row.skymap_prefix)
)
_HREF = re.compile(r'href="([^"?#]+)"', re.IGNORECASE)
_CHUNK = 1 << 16


def _downloadable(instrument: str) -> Instrument:
    """The table row of an instrument that has a download layout."""
    try:
        row = get_instrument(instrument)
    except UnknownInstrumentError as exc:
        close = exc.candidates
        raise UnknownInstrumentError(
            f"instrument must be one of {', '.join(PROJECTS)}, not {instrument!r}"
            + (f"; did you mean {' or '.join(map(repr, close))}?" if close else ""),
            name=exc.name,
            candidates=exc.candidates,
        ) from None
    if row.download is None:
        raise InvalidArgumentError(
            f"instrument must be one of {', '.join(PROJECTS)}, not {instrument!r}: the instrument "
            "table gives no download layout for it",
            argument="instrument",
        )
    return row


def _root(url: str | None) -> str:
    return str(config.resolve(url, "servers.ucalgary_url")).rstrip("/") + "/"


def _request(url: str, headers: dict[str, str] | None = None) -> Any:
    cfg = config.get().servers
    last: Exception | None = None
    for attempt in range(max(1, cfg.retries)):
        try:
            return urllib.request.urlopen(
                urllib.request.Request(url, headers=headers or {}), timeout=cfg.timeout_s
            )
        except urllib.error.HTTPError as exc:
            if exc.code in (404, 410, 416):
                raise
            last = exc
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(min(2.0, 0.2 * (attempt + 1)))
    raise DownloadError(f"{url}: no answer after {cfg.retries} attempts ({last})")


def list_remote(url: str) -> list[str]:
    """Entries of a directory page (sub-directories end with ``/``).

    Args:
        url: Directory URL.

    Returns:
        Entry names, without parent links or sorting links.

    Raises:
        DownloadError: If the page cannot be fetched (404 returns an empty list).
    """
    try:
        with _request(url if url.endswith("/") else url + "/") as response:
            text = response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return []
        raise DownloadError(f"{url}: HTTP {exc.code}") from None
    names = []
    for href in _HREF.findall(text):
        name = urllib.parse.unquote(href)
        if name.startswith(("/", "..", "http:", "https:")) or name in names:
            continue
        names.append(name)
    return names


def _fetch(url: str, target: Path) -> Path:
    """Download one file with resume and a size check, then move it into place atomically."""
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        response = _request(url, headers)
    except urllib.error.HTTPError as exc:
        if exc.code == 416:  # the partial file is already complete (or wrong): start again
            part.unlink(missing_ok=True)
            return _fetch(url, target)
        raise DownloadError(f"{url}: HTTP {exc.code}") from None
    with response:
        resumed = response.status == 206
        length = response.headers.get("Content-Length")
        expected = (int(length) + (have if resumed else 0)) if length is not None else None
        with part.open("ab" if resumed else "wb") as fh:
            while True:
                block = response.read(_CHUNK)
                if not block:
                    break
                fh.write(block)
            fh.flush()
            os.fsync(fh.fileno())
    size = part.stat().st_size
    if expected is not None and size != expected:
        raise DownloadError(
            f"{url}: received {size} bytes, the server announced {expected} "
            f"(kept {part.name} to resume)"
        )
    os.replace(part, target)
    return target


def _minute(name: str) -> np.datetime64 | None:
    m = re.match(r"(\d{8})_(\d{4})", name)
    if not m:
        return None
    d, hm = m.groups()
    return np.datetime64(f"{d[:4]}-{d[4:6]}-{d[6:]}T{hm[:2]}:{hm[2:]}", "m")


def download(
    instrument: str,
    site: str,
    start: Any,
    end: Any,
    dest: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    url: str | None = None,
    progress: bool | None = None,
) -> list[Path]:
    """Download raw image files of one site for a time range (one file per minute).

    Existing complete files are reused; partial ones are resumed. Hours with no data are
    reported with one :class:`~geospacexr.errors.DataWarning`.

    Args:
        instrument: ``themis``, ``rego``, ``trex_nir``, ``trex_blue`` or ``trex_rgb`` (every
            instrument of the table with a download layout, :data:`PROJECTS`).
        site: Site code, e.g. ``gill``.
        start: First minute (anything ``numpy.datetime64`` accepts).
        end: Last minute (inclusive).
        dest: Mirror folder (default ``<paths.cache_dir>/ucalgary``).
        workers: Parallel downloads (default from ``io.workers``).
        url: Server root (default from ``servers.ucalgary_url``).
        progress: Show a progress bar (default: when on a terminal).

    Returns:
        The local files, sorted by time.

    Raises:
        UnknownInstrumentError: On an unknown instrument (an ``InvalidArgumentError``, so a
            ``ValueError``, and a ``KeyError``).
        InvalidArgumentError: On an instrument without a download layout or an empty time range.
        DownloadError: If a file cannot be fetched or arrives incomplete.
    """
    from tqdm import tqdm

    row = _downloadable(instrument)
    assert row.download is not None
    t0, t1 = np.datetime64(start, "m"), np.datetime64(end, "m")
    if t1 < t0:
        raise InvalidArgumentError(f"end ({t1}) is before start ({t0})")
    root = _root(url)
    mirror = Path(dest) if dest is not None else Path(config.get().paths.cache_dir) / "ucalgary"
    project, stream = row.download.project, row.download.stream
    wanted: list[tuple[str, Path]] = []
    missing_hours: list[str] = []
    hour = t0.astype("datetime64[h]")
    while hour <= t1.astype("datetime64[h]"):
        day = str(hour.astype("datetime64[D]")).replace("-", "/")
        day_url = f"{root}{project}/{stream}/{day}/"
        folders = [n.rstrip("/") for n in list_remote(day_url) if n.startswith(f"{site}_")]
        hh = str(hour)[11:13]
        found = False
        for folder in folders:
            rel = f"{project}/{stream}/{day}/{folder}/ut{hh}/"
            for name in list_remote(root + rel):
                when = _minute(name)
                if when is not None and t0 <= when <= t1 and not name.endswith("/"):
                    wanted.append((root + rel + urllib.parse.quote(name), mirror / rel / name))
                    found = True
        if not found:
            missing_hours.append(f"{hour}")
        hour += np.timedelta64(1, "h")
    if missing_hours:
        warnings.warn(
            f"no {instrument} {site} data on the server for hour(s) {', '.join(missing_hours)}",
            DataWarning,
            stacklevel=2,
        )
    todo = [(u, p) for u, p in wanted if not p.exists()]
    threads = config.resolve(workers, "io.workers") or (os.cpu_count() or 1)
    if todo:
        with ThreadPoolExecutor(max_workers=min(threads, len(todo))) as pool:
            jobs = pool.map(lambda item: _fetch(*item), todo)
            list(
                tqdm(
                    jobs,
                    total=len(todo),
                    desc=f"{instrument} {site}",
                    unit="file",
                    disable=None if progress is None else not progress,
                )
            )
    return sorted((p for _, p in wanted), key=lambda p: p.name)


def download_skymap(
    instrument: str,
    site: str,
    date: Any,
    dest: str | os.PathLike[str] | None = None,
    url: str | None = None,
) -> Path:
    """Download the skymap valid for a date: the newest one that starts on or before it.

    Args:
        instrument: Instrument identifier (see :data:`PROJECTS`).
        site: Site code.
        date: The date the images were taken.
        dest: Mirror folder (default ``<paths.cache_dir>/ucalgary``).
        url: Server root (default from config).

    Returns:
        The local skymap file.

    Raises:
        UnknownInstrumentError: On an unknown instrument (also an ``InvalidArgumentError``).
        InvalidArgumentError: On an instrument without a download layout or skymaps.
        DownloadError: If no skymap on the server covers the date, or the download fails.
    """
    row = _downloadable(instrument)
    assert row.download is not None
    project, prefix = row.download.project, row.skymap_prefix
    if prefix is None:
        raise InvalidArgumentError(
            f"the instrument table lists no skymaps for {instrument!r}", argument="instrument"
        )
    root = _root(url)
    when = np.datetime64(date, "D")
    base = f"{project}/skymaps/{site}/"
    candidates = []
    for folder in list_remote(root + base):
        m = re.match(rf"{site}_(\d{{8}})", folder)
        if m:
            day = np.datetime64(f"{m.group(1)[:4]}-{m.group(1)[4:6]}-{m.group(1)[6:]}", "D")
            if day <= when:
                candidates.append((day, folder.rstrip("/")))
    for _day, folder in sorted(candidates, reverse=True):
        for name in list_remote(root + base + folder + "/"):
            m = re.match(rf"{prefix}_skymap_{site}_(\d{{8}})-(\d{{8}}|\+)_v\d+\.sav$", name)
            if not m:
                continue
            stop = m.group(2)
            if stop != "+" and np.datetime64(f"{stop[:4]}-{stop[4:6]}-{stop[6:]}", "D") < when:
                continue
            mirror = (
                Path(dest) if dest is not None else Path(config.get().paths.cache_dir) / "ucalgary"
            )
            target = mirror / base / folder / name
            return (
                target
                if target.exists()
                else _fetch(root + base + folder + "/" + urllib.parse.quote(name), target)
            )
    raise DownloadError(
        f"no {instrument} skymap for {site} on the server covers {when} ({root}{base})"
    )
