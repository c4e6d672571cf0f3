"""Downloads from the University of Calgary open-data server, into a local mirror.

The server's tree (``servers.ucalgary_url``, ``.../sort_by_project``) is::

    <project>/stream0/YYYY/MM/DD/<site>_<imager>/utHH/<YYYYMMDD_HHMM_site_imager_...>
    <project>/skymaps/<site>/<site>_YYYYMMDD/<proj>_skymap_<site>_<start>-<end>_vNN.sav

with ``<project>`` (``THEMIS/asi``, ``GO-Canada/REGO``, ``TREx/NIR``, ``TREx/blueline``,
``TREx/RGB``), ``stream0`` and the skymap prefix taken from each instrument's row of the
instrument table (:mod:`geospacexr.io.instruments`, its ``download`` layout). Directory pages are
plain HTML listings. Files land in
``<paths.cache_dir>/ucalgary/`` under the same relative paths, so a second call for the same
time range downloads nothing.

What is checked:

* **Names from listings.** Every name a directory page gives (day folders, hour files, skymap
  folders and files) is percent-decoded and must be one path component: not empty, not ``.`` or
  ``..``, no slash, backslash, ``:`` or NUL, not absolute. It must also have the shape its level
  of the tree holds: ``<site>_<imager>`` with an imager id of the instrument
  (``imager_pattern``), hour files matching the instrument's file-name patterns with a
  ``YYYYMMDD_HHMM`` stamp, ``<site>_YYYYMMDD`` skymap folders and
  ``<proj>_skymap_<site>_<start>-<end>_vNN.sav`` skymap files; and the local target, once
  resolved, must lie inside the mirror. Offending names are skipped and named in one
  :class:`~geospacexr.errors.DataWarning` per call; when they leave nothing valid, the call
  raises :class:`~geospacexr.errors.DownloadError`. (Harmless names of another shape, such as a
  README or another site's folder, are ignored silently.) The site argument must be letters
  and digits.
* **Completed files.** ``<mirror>/.manifest.json`` records the size and SHA-256 of every file
  completed into the mirror (rewritten atomically, under a lock, ``.manifest.lock``, shared by
  threads and processes). A cached file is reused only if it matches its record; a changed,
  truncated or unrecorded file is fetched again, never returned. A symbolic link or a special
  file at a target in the mirror is never replaced (:class:`~geospacexr.errors.DownloadError`).
* **Transfers.** Each file is fetched into ``<file>.part`` (a later call resumes it with an
  HTTP Range request), one download per file at a time (an ``flock`` on the ``.part``, which a
  killed process cannot leave behind: a second download of the same file waits, then finds it
  complete or resumes it). A 206 answer must carry a ``Content-Range`` starting at the
  requested byte, otherwise the ``.part`` is emptied and the download restarts from zero, once;
  a 416 answer restarts from zero once, then fails. The file is renamed into place only when
  complete: its size must equal the server's ``Content-Length``, and its structure must pass
  :func:`geospacexr.io.structure.check_structure` (PGM frames counted to the end after
  decompressing a ``.gz``/``.bz2`` with its CRC, within ``io.max_decompressed_mb``; PNG chunks
  and CRCs; tar member headers; HDF5 superblock, the datasets its reader needs, their storage
  and every chunk; the IDL record chain of a skymap), which is also what catches a cut transfer
  without a ``Content-Length``. A body that fails is discarded and fetched again (it may have
  been damaged in transit) within the retries; a damaged file is never renamed into the mirror.
* **Failures.** Timeouts (``servers.timeout_s``), connection errors, 5xx answers, short
  transfers and bodies that fail the structure check are retried ``servers.retries`` times in
  all, waiting ``servers.backoff_s`` seconds and doubling; other 4xx answers fail at once.
  Everything ends in :class:`~geospacexr.errors.DownloadError`. The settings of
  :func:`geospacexr.config.override` reach the parallel download workers.
"""

from __future__ import annotations

import bz2
import contextlib
import contextvars
import fnmatch
import gzip
import hashlib
import http.client
import json
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zlib
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import config
from ..errors import DataWarning, DownloadError, FileFormatError, InvalidArgumentError
from .atomic import atomic_write, check_target
from .instruments import (
    Instrument,
    TableView,
    UnknownInstrumentError,
    get_instrument,
    instrument_of_file,
)
from .structure import check_structure

__all__ = [
    "DATASETS",
    "PROJECTS",
    "RemoteDataset",
    "download",
    "download_dataset",
    "download_skymap",
    "list_remote",
]

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


def _backoff(attempt: int) -> None:
    """Wait before attempt ``attempt + 1`` (``servers.backoff_s``, doubling each time)."""
    time.sleep(config.get().servers.backoff_s * 2**attempt)


def _request(url: str, headers: dict[str, str] | None = None) -> Any:
    cfg = config.get().servers
    last: Exception | None = None
    attempts = max(1, cfg.retries)
    for attempt in range(attempts):
        try:
            return urllib.request.urlopen(
                urllib.request.Request(url, headers=headers or {}), timeout=cfg.timeout_s
            )
        except urllib.error.HTTPError as exc:
            if exc.code < 500 and exc.code not in (408, 429):
                raise
            last = exc
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        if attempt + 1 < attempts:
            _backoff(attempt)
    raise DownloadError(f"{url}: no answer after {attempts} attempts ({last})")


def list_remote(url: str) -> list[str]:
    """Entries of a directory page (sub-directories end with ``/``).

    Names are percent-decoded, as the server means them; they are *not* checked here (the
    callers check each one against what its level of the tree should hold).

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
    except OSError as exc:  # a timeout or a dropped connection while reading the page
        raise DownloadError(f"{url}: listing failed ({exc})") from None
    names = []
    for href in _HREF.findall(text):
        # parent, absolute and off-site links as written in the page (an encoded ``..%2F`` is
        # not a parent link: it is kept, for the caller to reject by name)
        if href.startswith(("/", "../", "http:", "https:")) or href == "..":
            continue
        name = urllib.parse.unquote(href)
        if name in names:
            continue
        names.append(name)
    return names


# --- names taken from listings ----------------------------------------------------------------

_SITE = re.compile(r"[a-z0-9]+", re.IGNORECASE)


def _component(name: str) -> bool:
    """Whether a (decoded) listing name is one safe path component (a trailing ``/`` allowed)."""
    bare = name[:-1] if name.endswith("/") else name
    return (
        bool(bare)
        and bare not in (".", "..")
        and not any(c in bare for c in ("/", "\\", "\x00", ":"))
        and not os.path.isabs(bare)
        and bare == bare.strip()
    )


def _inside(mirror: Path, target: Path) -> bool:
    """Whether ``target`` resolves to a path inside the mirror root."""
    return target.resolve().is_relative_to(mirror.resolve())


def _check_site(site: str) -> str:
    if not isinstance(site, str) or not _SITE.fullmatch(site):
        raise InvalidArgumentError(
            f"site must be a site code of letters and digits, not {site!r}", argument="site"
        )
    return site


def _warn_rejected(rejected: list[str], where: str) -> None:
    if rejected:
        warnings.warn(
            f"skipped {len(rejected)} unsafe or malformed name(s) in the listing of {where}: "
            + ", ".join(map(repr, rejected)),
            DataWarning,
            stacklevel=3,
        )


# --- integrity: the manifest -------------------------------------------------------------------

_MANIFEST = ".manifest.json"
_MANIFEST_LOCK = ".manifest.lock"
_LOCK = threading.Lock()


def _manifest(mirror: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((mirror / _MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextlib.contextmanager
def _manifest_lock(mirror: Path) -> Iterator[None]:
    """Hold the manifest lock, for this process's threads and for other processes.

    Threads share a mutex; processes ``flock`` ``<mirror>/.manifest.lock`` where the platform
    has it.
    """
    with _LOCK:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: threads only
            yield
            return
        with open(mirror / _MANIFEST_LOCK, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _record(mirror: Path, target: Path, size: int, digest: str) -> None:
    """Add one completed file to ``<mirror>/.manifest.json`` (read, merge, atomic replace).

    The read-merge-replace runs under a lock shared by threads and processes, so concurrent
    downloads into one mirror never drop each other's records; the replacement is atomic
    (:func:`geospacexr.io.atomic.atomic_write`, which also removes temporaries that killed
    writers left).
    """
    key = target.resolve().relative_to(mirror.resolve()).as_posix()
    with _manifest_lock(mirror):
        data = _manifest(mirror)
        data[key] = {"size": size, "sha256": digest}
        with atomic_write(mirror / _MANIFEST, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, indent=0, sort_keys=True))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _verified(mirror: Path, target: Path) -> bool:
    """Whether a mirror file exists and matches its manifest record (size and SHA-256).

    Only a regular file inside the mirror can match: a symbolic link or a special file never
    does (the download then refuses to replace it).
    """
    if target.is_symlink() or not target.is_file() or not _inside(mirror, target):
        return False
    key = target.resolve().relative_to(mirror.resolve()).as_posix()
    entry = _manifest(mirror).get(key)
    if not isinstance(entry, dict):
        return False
    return entry.get("size") == target.stat().st_size and entry.get("sha256") == _sha256(target)


def _complete_archive(path: Path, name: str) -> bool:
    """Whether a ``.gz``/``.bz2`` file decompresses to its end (gzip: with a valid CRC).

    Streams in blocks, so memory stays bounded. Other files return ``True`` (nothing to check).
    """
    opener = gzip.open if name.endswith(".gz") else bz2.open if name.endswith(".bz2") else None
    if opener is None:
        return True
    try:
        with opener(path, "rb") as fh:
            while fh.read(_CHUNK):
                pass
    except (OSError, EOFError, zlib.error, ValueError):
        return False
    return True


_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


def _discard(part: Path) -> None:
    """Empty a ``.part`` in place (its inode, which the download lock is held on, stays)."""
    with contextlib.suppress(FileNotFoundError):
        os.truncate(part, 0)


@contextlib.contextmanager
def _part_lock(part: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``part`` (created empty if missing) for one download.

    Two downloads of one file (threads of this process or other processes) never write its
    ``.part`` at the same time: the second waits for the first, then finds the file complete or
    resumes what is left. The lock is ``flock`` on the ``.part`` itself, so it disappears with a
    killed process and can never be stale; a ``.part`` renamed or removed while waiting is
    locked again under its new inode. On exit an empty ``.part`` is removed. Without ``fcntl``
    (Windows) there is no lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    while True:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.fstat(fd).st_ino == os.stat(part).st_ino
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        os.close(fd)  # the previous holder renamed or removed it: lock the current one
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            if os.fstat(fd).st_ino == os.stat(part).st_ino and os.stat(part).st_size == 0:
                part.unlink()
        os.close(fd)  # releases the lock


def _fetch(url: str, target: Path, mirror: Path, reader: str | None = None) -> Path:
    """Download one file with resume and integrity checks, then move it into place atomically.

    Bounded: ``servers.retries`` attempts with backoff for timeouts, connection errors, 5xx,
    short transfers and bodies that fail the structure check; one restart from zero for a bad
    206 ``Content-Range`` or a 416 answer. One download at a time per file (:func:`_part_lock`).
    ``reader`` names the reader the structure check is made for (default: the instrument
    table's reader of the file name).
    """
    if not _inside(mirror, target):
        raise DownloadError(f"{url}: target {target} lies outside the mirror {mirror}")
    part = target.with_name(target.name + ".part")
    for path in (target, part):
        try:
            check_target(path)
        except InvalidArgumentError as exc:
            raise DownloadError(f"{url}: {exc}") from None
    target.parent.mkdir(parents=True, exist_ok=True)
    with _part_lock(part):
        if _verified(mirror, target):  # another download completed it while we waited
            return target
        return _transfer(url, target, part, mirror, reader)


def _transfer(url: str, target: Path, part: Path, mirror: Path, reader: str | None = None) -> Path:
    """The attempts of :func:`_fetch`, run while holding the ``.part`` lock."""
    if reader is None:
        found = instrument_of_file(target.name)
        reader = found[1] if found else None
    cfg = config.get().servers
    attempts = max(1, cfg.retries)
    restarted = False
    problem = "no attempt"
    for attempt in range(attempts):
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            response = _request(url, headers)
        except urllib.error.HTTPError as exc:
            if exc.code == 416 and not restarted:  # stale or too long .part: start again, once
                _discard(part)
                restarted = True
                continue
            raise DownloadError(f"{url}: HTTP {exc.code}") from None
        with response:
            resumed = response.status == 206
            if resumed:
                m = _RANGE.match(response.headers.get("Content-Range") or "")
                if m is None or int(m.group(1)) != have:
                    response.close()
                    _discard(part)
                    if restarted:
                        raise DownloadError(
                            f"{url}: 206 answer with Content-Range "
                            f"{response.headers.get('Content-Range')!r} for a request from "
                            f"byte {have}, again after a restart from zero"
                        )
                    restarted = True
                    continue
            length = response.headers.get("Content-Length")
            try:
                expected = (int(length) + (have if resumed else 0)) if length else None
            except ValueError:
                expected = None
            try:
                with part.open("ab" if resumed else "wb") as fh:
                    while True:
                        block = response.read(_CHUNK)
                        if not block:
                            break
                        fh.write(block)
                    fh.flush()
                    os.fsync(fh.fileno())
            except (OSError, http.client.HTTPException) as exc:  # timeout / dropped mid-body
                problem = f"transfer broke off ({exc!r}; kept {part.name} to resume)"
                if attempt + 1 < attempts:
                    _backoff(attempt)
                continue
        size = part.stat().st_size
        if expected is not None and size != expected:
            problem = (
                f"received {size} bytes, the server announced {expected} "
                f"(kept {part.name} to resume)"
            )
            if size > expected:  # more than announced: nothing of it can be trusted
                _discard(part)
            if attempt + 1 < attempts:
                _backoff(attempt)
            continue
        try:
            check_structure(part, name=target.name, reader=reader)
        except FileFormatError as exc:  # damaged in transit, or on the server: try again
            _discard(part)
            reason = str(exc).removeprefix(f"{part}: ")
            problem = (
                f"the {size} bytes received are not a complete, undamaged file (truncated or "
                f"corrupt{'' if expected is not None else ', no Content-Length'}: {reason}); "
                "discarded"
            )
            if attempt + 1 < attempts:
                _backoff(attempt)
            continue
        digest = _sha256(part)
        os.replace(part, target)
        _record(mirror, target, size, digest)
        return target
    raise DownloadError(f"{url}: {problem} after {attempts} attempts")


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
    row = _downloadable(instrument)
    assert row.download is not None
    t0, t1 = np.datetime64(start, "m"), np.datetime64(end, "m")
    if t1 < t0:
        raise InvalidArgumentError(f"end ({t1}) is before start ({t0})")
    root = _root(url)
    site = _check_site(site)
    mirror = Path(dest) if dest is not None else Path(config.get().paths.cache_dir) / "ucalgary"
    project, stream = row.download.project, row.download.stream
    wanted: list[tuple[str, Path]] = []
    missing_hours: list[str] = []
    rejected: list[str] = []
    hour = t0.astype("datetime64[h]")
    while hour <= t1.astype("datetime64[h]"):
        day = str(hour.astype("datetime64[D]")).replace("-", "/")
        day_url = f"{root}{project}/{stream}/{day}/"
        folders = []
        for entry in list_remote(day_url):
            if not _component(entry):
                rejected.append(entry)
                continue
            if not entry.startswith(f"{site}_"):
                continue  # another site's folder
            folder = entry.rstrip("/")
            imager = folder[len(site) + 1 :]
            if not _component(entry) or not (
                row.matches_imager(imager)
                if row.imager_pattern
                else re.fullmatch(r"[a-z0-9-]+", imager, re.IGNORECASE)
            ):
                rejected.append(entry)
                continue
            folders.append(folder)
        hh = str(hour)[11:13]
        found = False
        for folder in folders:
            rel = f"{project}/{stream}/{day}/{folder}/ut{hh}/"
            for name in list_remote(root + rel):
                if not _component(name) or name.endswith("/"):
                    if not _component(name):
                        rejected.append(name)
                    continue
                when = _minute(name)
                if when is None or not any(
                    fnmatch.fnmatch(name.lower(), p.lower()) for p in row.file_patterns
                ):
                    if when is not None:  # looks like a data file, has a wrong shape
                        rejected.append(name)
                    continue
                target = mirror / rel / name
                if not _inside(mirror, target):
                    rejected.append(name)
                    continue
                if t0 <= when <= t1:
                    wanted.append((root + rel + urllib.parse.quote(name), target))
                    found = True
        if not found:
            missing_hours.append(f"{hour}")
        hour += np.timedelta64(1, "h")
    _warn_rejected(rejected, f"{root}{project}/{stream}")
    if rejected and not wanted:
        raise DownloadError(
            f"no valid {instrument} {site} file names on the server between {t0} and {t1}; "
            f"rejected: {', '.join(map(repr, rejected))}"
        )
    if missing_hours:
        warnings.warn(
            f"no {instrument} {site} data on the server for hour(s) {', '.join(missing_hours)}",
            DataWarning,
            stacklevel=2,
        )
    _fetch_all(wanted, mirror, f"{instrument} {site}", workers, progress)
    return sorted((p for _, p in wanted), key=lambda p: p.name)


def _fetch_all(
    wanted: list[tuple[str, Path]],
    mirror: Path,
    desc: str,
    workers: int | None,
    progress: bool | None,
    reader: str | None = None,
) -> None:
    """Fetch the ``(url, target)`` pairs not yet verified in the mirror, in parallel threads."""
    from tqdm import tqdm

    todo = [(u, p) for u, p in wanted if not _verified(mirror, p)]
    threads = config.resolve(workers, "io.workers") or (os.cpu_count() or 1)
    if not todo:
        return
    with ThreadPoolExecutor(max_workers=min(threads, len(todo))) as pool:
        # each worker runs in a copy of the caller's context, so config.override() holds
        contexts = [contextvars.copy_context() for _ in todo]
        jobs = pool.map(lambda item, ctx: ctx.run(_fetch, *item, mirror, reader), todo, contexts)
        list(
            tqdm(
                jobs,
                total=len(todo),
                desc=desc,
                unit="file",
                disable=None if progress is None else not progress,
            )
        )


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
    return _skymap(instrument, project, prefix, site, date, dest, url)


def _skymap(
    what: str,
    project: str,
    prefix: str,
    site: str,
    date: Any,
    dest: str | os.PathLike[str] | None,
    url: str | None,
) -> Path:
    """The newest skymap valid on ``date`` (:func:`download_skymap`).

    From ``<project>/skymaps/<site>/<site>_YYYYMMDD/<prefix>_skymap_...``; ``what`` names the
    instrument or dataset in messages.
    """
    root = _root(url)
    site = _check_site(site)
    mirror = Path(dest) if dest is not None else Path(config.get().paths.cache_dir) / "ucalgary"
    when = np.datetime64(date, "D")
    base = f"{project}/skymaps/{site}/"
    candidates = []
    rejected: list[str] = []
    for entry in list_remote(root + base):
        m = re.fullmatch(rf"{site}_(\d{{8}})/?", entry)
        if not m or not _component(entry):
            rejected.append(entry)
            continue
        try:
            day = np.datetime64(f"{m.group(1)[:4]}-{m.group(1)[4:6]}-{m.group(1)[6:]}", "D")
        except ValueError:
            rejected.append(entry)
            continue
        if day <= when:
            candidates.append((day, entry.rstrip("/")))
    result: Path | None = None
    for _day, folder in sorted(candidates, reverse=True):
        for name in list_remote(root + base + folder + "/"):
            m = re.fullmatch(rf"{prefix}_skymap_{site}_(\d{{8}})-(\d{{8}}|\+)_v\d+\.sav", name)
            if not m or not _component(name):
                if name.endswith(".sav") or not _component(name):
                    rejected.append(name)
                continue
            stop = m.group(2)
            try:
                if stop != "+" and np.datetime64(f"{stop[:4]}-{stop[4:6]}-{stop[6:]}", "D") < when:
                    continue
            except ValueError:
                rejected.append(name)
                continue
            target = mirror / base / folder / name
            if not _inside(mirror, target):
                rejected.append(name)
                continue
            result = (
                target
                if _verified(mirror, target)
                else _fetch(root + base + folder + "/" + urllib.parse.quote(name), target, mirror)
            )
            break
        if result is not None:
            break
    _warn_rejected(rejected, root + base)
    if result is not None:
        return result
    raise DownloadError(
        f"no {what} skymap for {site} on the server covers {when} ({root}{base})"
        + (f"; rejected: {', '.join(map(repr, rejected))}" if rejected else "")
    )


# --- datasets by name (riometers, the TREx spectrograph) ----------------------------------------


@dataclass(frozen=True)
class RemoteDataset:
    """Where the files of one named dataset live on the open-data server, and their names.

    Attributes:
        name: The dataset name, as the University of Calgary data API spells it
            (``NORSTAR_RIOMETER_K0_TXT``).
        path: Its folder under ``servers.ucalgary_url`` (``GO-Canada/GO-Rio/txt``).
        layout: The folders under ``path``: ``"day"`` (``YYYY/MM/DD/<file>``), ``"device-day"``
            (``YYYY/MM/DD/<site>_<device>/<file>``) or ``"device-hour"``
            (``YYYY/MM/DD/<site>_<device>/utHH/<file>``).
        names: Regular expressions a whole file name of one site matches; ``{site}`` stands
            for the site code and ``{code}`` for its old three-letter NORSTAR code. Groups:
            ``date`` (``YYYYMMDD``), optionally ``hh`` or ``hhmm`` (hourly or minute files) and
            ``ver`` (the version number: of several versions of one file, the highest is
            taken).
        reader: The reader (registry name) of its files, for the structure check of every
            download (:func:`geospacexr.io.structure.check_structure`).
        device: Regular expression of the ``<device>`` folder part (``device-*`` layouts).
        description: One line for listings.

    A ``"skymap"`` layout is a skymap dataset: ``names`` holds the file-name prefix
    (``spect``) and :func:`download_dataset` fetches the skymap valid on the start day from
    ``<path>/skymaps/<site>/<site>_YYYYMMDD/<prefix>_skymap_<site>_<start>-<end>_vNN.sav``, as
    :func:`download_skymap` does for the imagers.
    """

    name: str
    path: str
    layout: str
    names: tuple[str, ...]
    reader: str
    device: str | None = None
    description: str = ""

    def patterns(self, site: str) -> list[re.Pattern[str]]:
        """The compiled file-name patterns of one site (old names only if it has a code)."""
        from .riometer import RIOMETER_SITES

        code = RIOMETER_SITES.get(site, ("", "", 0.0, 0.0))[1]
        out = []
        for template in self.names:
            if "{code}" in template and not code:
                continue
            text = template.replace("{site}", re.escape(site)).replace("{code}", re.escape(code))
            out.append(re.compile(text, re.IGNORECASE))
        return out


_V = r"_v(?P<ver>\d+)"
#: The datasets :func:`download_dataset` fetches, by name. Server paths and file names from the
#: University of Calgary open-data tree (as pyUCalgarySRS's test-data builder,
#: ``tools/build_test_data.py``, fetches them): NORSTAR K0 and K2 share ``GO-Canada/GO-Rio/txt``
#: (old names ``chu_canopus_dcp_rio_20050402_v0.txt`` are K0, ``rab_rio_19900402_v1a.txt`` K2);
#: SWAN HSR under ``SWAN/hsr/l0/multi_freq/h5``; the spectrograph's raw minute files in
#: ``TREx/spectrograph/l0/raw`` and its hourly L1 files in ``TREx/spectrograph/l1/processed``.
DATASETS: dict[str, RemoteDataset] = {
    d.name: d
    for d in (
        RemoteDataset(
            "NORSTAR_RIOMETER_K0_TXT",
            "GO-Canada/GO-Rio/txt",
            "day",
            (
                r"norstar_k0_rio-{site}_(?P<date>\d{8})" + _V + r"\.txt",
                r"{code}_(?:[a-z]+_)*rio_(?P<date>\d{8})_v0\.txt",
            ),
            "riometer-norstar",
            description="NORSTAR riometer raw signal (K0), daily text files, 5 s",
        ),
        RemoteDataset(
            "NORSTAR_RIOMETER_K2_TXT",
            "GO-Canada/GO-Rio/txt",
            "day",
            (
                r"norstar_k2_rio-{site}_(?P<date>\d{8})" + _V + r"\.txt",
                r"{code}_rio_(?P<date>\d{8})_v1a\.txt",
            ),
            "riometer-norstar",
            description="NORSTAR riometer absorption and raw signal (K2), daily text files",
        ),
        RemoteDataset(
            "SWAN_HSR_K0_H5",
            "SWAN/hsr/l0/multi_freq/h5",
            "day",
            (r"(?P<date>\d{8})_{site}-hsr_k0" + _V + r"\.h5",),
            "riometer-hsr",
            description="SWAN hyperspectral riometer raw power (K0), daily HDF5 files",
        ),
        RemoteDataset(
            "TREX_SPECT_RAW",
            "TREx/spectrograph/l0/raw",
            "device-hour",
            (
                r"(?P<date>\d{8})_(?P<hhmm>\d{4})_{site}_spect-\d+_spectra(?:_dark)?"
                r"\.pgm(?:\.gz)?",
            ),
            "trex_spect_raw",
            device=r"spect-\d+",
            description="TREx spectrograph raw spectra (L0), minute PGM files",
        ),
        RemoteDataset(
            "TREX_SPECT_PROCESSED_V1",
            "TREx/spectrograph/l1/processed",
            "device-day",
            (r"(?P<date>\d{8})_(?P<hh>\d{2})_{site}_spect-\d+(?:_[a-z0-9]+)*?_cal" + _V + r"\.h5",),
            "trex_spect_l1",
            device=r"spect-\d+",
            description="TREx spectrograph calibrated spectra (L1), hourly HDF5 files",
        ),
        RemoteDataset(
            "TREX_SPECT_SKYMAP_IDLSAV",
            "TREx/spectrograph",
            "skymap",
            ("spect",),
            "asi-skymap",
            description="TREx spectrograph skymaps (slit bins' positions), IDL save files",
        ),
    )
}


def _dataset(name: str) -> RemoteDataset:
    if isinstance(name, str) and name.upper() in DATASETS:
        return DATASETS[name.upper()]
    import difflib

    close = difflib.get_close_matches(str(name).upper(), list(DATASETS), n=2)
    raise InvalidArgumentError(
        f"dataset must be one of {', '.join(DATASETS)}, not {name!r}"
        + (f"; did you mean {' or '.join(map(repr, close))}?" if close else ""),
        argument="dataset",
    )


def _stamp(m: re.Match[str]) -> np.datetime64 | None:
    """The time a matched file name gives (its day, hour or minute), ``None`` if impossible."""
    import datetime as _dt

    d = m.group("date")
    groups = m.groupdict()
    hh, mm = 0, 0
    if groups.get("hhmm"):
        hh, mm = int(groups["hhmm"][:2]), int(groups["hhmm"][2:])
    elif groups.get("hh"):
        hh = int(groups["hh"])
    try:
        when = _dt.datetime(int(d[:4]), int(d[4:6]), int(d[6:]), hh, mm)
    except ValueError:
        return None
    return np.datetime64(when, "m")


def download_dataset(
    dataset: str,
    site: str,
    start: Any,
    end: Any,
    dest: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    url: str | None = None,
    progress: bool | None = None,
) -> list[Path]:
    """Download the files of a named dataset (riometers, the TREx spectrograph) for one site.

    The same mirror, manifest, resumption, structure checks and listing-name checks as
    :func:`download` (module docstring); the folders and file names of each dataset are in
    :data:`DATASETS`. Daily files are taken for every UT day from ``start``'s to ``end``'s;
    hourly and minute files when their hour or minute lies in ``[start, end]``; of a skymap
    dataset, the one skymap valid on ``start``'s day. Of several
    versions of one file (``_v01``, ``_v03``) the highest is taken. Days (or hours) with no
    file are reported in one :class:`~geospacexr.errors.DataWarning`.

    Args:
        dataset: ``NORSTAR_RIOMETER_K0_TXT``, ``NORSTAR_RIOMETER_K2_TXT``, ``SWAN_HSR_K0_H5``,
            ``TREX_SPECT_RAW``, ``TREX_SPECT_PROCESSED_V1`` or ``TREX_SPECT_SKYMAP_IDLSAV``
            (case-insensitive).
        site: Site code (``gill``; a NORSTAR site's old three-letter files are found too).
        start: First day or time (anything ``numpy.datetime64`` accepts).
        end: Last day or time (inclusive; a bare date means that whole day).
        dest: Mirror folder (default ``<paths.cache_dir>/ucalgary``).
        workers: Parallel downloads (default from ``io.workers``).
        url: Server root (default from ``servers.ucalgary_url``).
        progress: Show a progress bar (default: when on a terminal).

    Returns:
        The local files, sorted by name.

    Raises:
        InvalidArgumentError: On an unknown dataset, a bad site code or an empty time range.
        DownloadError: If a file cannot be fetched or arrives incomplete, or the listings hold
            only unsafe or malformed names.

    Example:
        >>> files = download_dataset("NORSTAR_RIOMETER_K0_TXT", "gill", "2007-04-01",
        ...                          "2007-04-30")  # doctest: +SKIP
    """
    spec = _dataset(dataset)
    t0 = np.datetime64(start, "m")
    end64 = np.datetime64(end)
    # a bare date (or month) as the end means all of it
    t1 = (
        (end64 + 1).astype("datetime64[m]") - np.timedelta64(1, "m")
        if np.datetime_data(end64.dtype)[0] in ("D", "M", "Y")
        else end64.astype("datetime64[m]")
    )
    if t1 < t0:
        raise InvalidArgumentError(f"end ({t1}) is before start ({t0})")
    if spec.layout == "skymap":
        return [_skymap(spec.name, spec.path, spec.names[0], site, t0, dest, url)]
    root = _root(url)
    site = _check_site(site).lower()
    mirror = Path(dest) if dest is not None else Path(config.get().paths.cache_dir) / "ucalgary"
    patterns = spec.patterns(site)
    best: dict[str, tuple[int, str, Path]] = {}  # name without version -> (version, url, target)
    rejected: list[str] = []
    empty: list[str] = []
    day = t0.astype("datetime64[D]")
    last_day = t1.astype("datetime64[D]")
    while day <= last_day:
        rel_day = f"{spec.path}/{str(day).replace('-', '/')}/"
        folders = [rel_day]
        if spec.layout != "day":
            folders = []
            for entry in list_remote(root + rel_day):
                if not _component(entry):
                    rejected.append(entry)
                    continue
                folder = entry.rstrip("/")
                if not folder.lower().startswith(f"{site}_"):
                    continue  # another site's folder
                if not re.fullmatch(spec.device or "", folder[len(site) + 1 :], re.IGNORECASE):
                    rejected.append(entry)
                    continue
                if spec.layout == "device-hour":
                    first = max(t0, day.astype("datetime64[m]")).astype("datetime64[h]")
                    stop = min(t1, (day + 1).astype("datetime64[m]") - 1).astype("datetime64[h]")
                    hours = np.arange(first, stop + 1)
                    folders += [f"{rel_day}{folder}/ut{str(h)[11:13]}/" for h in hours]
                else:
                    folders.append(f"{rel_day}{folder}/")
        found = False
        for rel in folders:
            for name in list_remote(root + rel):
                if not _component(name):
                    rejected.append(name)
                    continue
                if name.endswith("/"):
                    continue
                m = next((p.fullmatch(name) for p in patterns if p.fullmatch(name)), None)
                if m is None:
                    continue  # another site's or another dataset's file
                when = _stamp(m)
                target = mirror / rel / name
                if when is None or not _inside(mirror, target):
                    rejected.append(name)
                    continue
                if spec.layout == "day":
                    inside = day == when.astype("datetime64[D]")
                else:
                    unit = "m" if m.groupdict().get("hhmm") else "h"
                    inside = t0.astype(f"datetime64[{unit}]") <= when <= t1
                if not inside:
                    continue
                found = True
                version = int(m.groupdict().get("ver") or 0)
                key = name[: m.start("ver")] if m.groupdict().get("ver") else name
                if key not in best or version > best[key][0]:
                    best[key] = (version, root + rel + urllib.parse.quote(name), target)
        if not found:
            empty.append(str(day))
        day += 1
    _warn_rejected(rejected, f"{root}{spec.path}")
    wanted = [(u, p) for _, u, p in best.values()]
    if rejected and not wanted:
        raise DownloadError(
            f"no valid {spec.name} {site} file names on the server between {t0} and {t1}; "
            f"rejected: {', '.join(map(repr, rejected))}"
        )
    if empty:
        warnings.warn(
            f"no {spec.name} {site} data on the server for day(s) {', '.join(empty)}",
            DataWarning,
            stacklevel=2,
        )
    _fetch_all(wanted, mirror, f"{spec.name} {site}", workers, progress, spec.reader)
    return sorted((p for _, p in wanted), key=lambda p: p.name)
