"""The reader registry and :func:`geospacexr.open`.

Each reader declares how it recognises its files: file-name patterns, magic bytes at the start
of the (decompressed) content, and optionally a ``sniff`` function that looks inside. Adding a
reader is one function and one decorator line::

    @register_reader("asi-pgm", kind="asi", patterns=("*.pgm", "*.pgm.gz"), magic=(b"P5",),
                     sample="themis-gill")
    def open_pgm(files, **kwargs) -> xr.Dataset: ...

``sample`` names the sample dataset whose files the robustness harness damages to test the reader.

The registry speaks the common dialect (:mod:`geospacexr._registry`): :func:`register_reader`,
:func:`list_readers` (``details=True`` for one dict per reader), and an unknown reader name raises
:class:`~geospacexr.errors.UnknownReaderError`, both an
:class:`~geospacexr.errors.UnknownNameError` and a
:class:`~geospacexr.errors.ReaderNotFoundError`. :func:`readers` is kept (the name -> spec dict).

Contract of a reader: ``open(files: list[pathlib.Path], **kwargs) -> xarray.Dataset``, a
*standard* Dataset (see DESIGN.md) whose ``attrs["geospacexr_kind"]`` is the registered ``kind``;
it accepts ``chunks=`` where the data can be large and reads lazily.
"""

from __future__ import annotations

import bz2
import fnmatch
import glob
import gzip
import lzma
import os
import warnings
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._registry import Registry
from ..errors import (
    DataWarning,
    FileFormatError,
    NoFilesError,
    ReaderNotFoundError,
    UnknownReaderError,
)

__all__ = [
    "ReaderSpec",
    "expand_paths",
    "find_reader",
    "group_files",
    "list_readers",
    "open",
    "peek",
    "read_each",
    "readers",
    "register_reader",
    "warn_problems",
]

PathLike = str | os.PathLike[str]
Paths = PathLike | Iterable[PathLike]


@dataclass(frozen=True)
class ReaderSpec:
    """How a reader recognises its files, and the function that opens them.

    Attributes:
        name: Registry name, e.g. ``"asi-pgm"``.
        kind: ``attrs["geospacexr_kind"]`` of the Datasets it returns.
        open: ``open(files: list[Path], **kwargs) -> xarray.Dataset``.
        patterns: Case-insensitive ``fnmatch`` patterns on the file name.
        magic: Possible first bytes of the content (after gzip/bzip2 decompression).
        sniff: Optional ``sniff(path) -> bool`` that looks inside the file.
        sample: Sample dataset used to test the reader on damaged files.
        description: One line for listings.
        group: Optional ``group(path) -> str``: files with different keys belong to different
            Datasets (e.g. one per ASI site and imager); used by :func:`group_files`.
    """

    name: str
    kind: str
    open: Callable[..., Any]
    patterns: tuple[str, ...] = ()
    magic: tuple[bytes, ...] = ()
    sniff: Callable[[Path], bool] | None = None
    sample: str | None = None
    description: str = ""
    group: Callable[[Path], str] | None = None

    def score(self, path: Path) -> int:
        """Return how well ``path`` matches (0: not at all; name 1, magic 2, sniff 2)."""
        name = path.name.lower()
        score = 0
        if self.patterns:
            if any(fnmatch.fnmatch(name, p.lower()) for p in self.patterns):
                score += 1
        if self.magic:
            head = peek(path, max(len(m) for m in self.magic))
            if any(head.startswith(m) for m in self.magic):
                score += 2
            else:
                return 0  # content contradicts the reader
        if self.sniff is not None and score:
            try:
                ok = self.sniff(path)
            except Exception:  # a sniffer must never break detection
                ok = False
            score = score + 2 if ok else 0
        return score


def _load_builtin() -> None:
    from . import _builtin  # noqa: F401  (registers the built-in readers)


#: The readers by name (the built-in ones are imported on the first lookup).
_READERS: Registry[ReaderSpec] = Registry("reader", loader=_load_builtin, error=UnknownReaderError)


def register_reader(
    name: str,
    *,
    kind: str,
    patterns: Sequence[str] = (),
    magic: Sequence[bytes] = (),
    sniff: Callable[[Path], bool] | None = None,
    sample: str | None = None,
    description: str = "",
    group: Callable[[Path], str] | None = None,
    replace: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a reader (decorator).

    The decorated function is the reader: ``open(files: list[Path], **kwargs) -> Dataset``
    returning a standard Dataset of ``kind``.

    Args:
        name: Registry name.
        kind: The ``geospacexr_kind`` of what it returns.
        patterns: File-name patterns (``fnmatch``, case-insensitive).
        magic: Leading content bytes (after decompression).
        sniff: Optional content check ``sniff(path) -> bool``.
        sample: Sample dataset whose files exercise the reader in the robustness harness.
        description: One line for listings (default: the first docstring line).
        group: Optional ``group(path) -> str`` splitting files into separate Datasets.
        replace: Replace a reader already registered under ``name`` by another function (the
            same function defined again, as a re-run notebook cell does, always replaces).

    Returns:
        The decorator, which returns the function unchanged.

    Raises:
        InvalidArgumentError: If another reader is registered under ``name`` and ``replace``
            is false.
    """

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        doc = (func.__doc__ or "").strip().splitlines()
        spec = ReaderSpec(
            name=name,
            kind=kind,
            open=func,
            patterns=tuple(patterns),
            magic=tuple(magic),
            sniff=sniff,
            sample=sample,
            description=description or (doc[0] if doc else ""),
            group=group,
        )
        if replace:  # a plug-in replacing a built-in reader: load those first, so it stays
            len(_READERS)
        _READERS.add(name, spec, replace=replace, source=func)
        return func

    return decorator


def readers() -> dict[str, ReaderSpec]:
    """Return the registered readers by name (importing the built-in ones first).

    Returns:
        ``{name: ReaderSpec}``, a copy. :func:`list_readers` is the listing of the common
        registry dialect.
    """
    return dict(_READERS)


def list_readers(details: bool = False) -> list[str] | list[dict[str, Any]]:
    """List the registered readers (the built-in ones and any a plug-in added).

    Args:
        details: If true, one dict per reader instead of its name.

    Returns:
        Sorted names; with ``details``, dicts with ``name``, ``description``, ``kind``,
        ``patterns`` and ``sample``.

    Example:
        >>> "asi-pgm" in list_readers()
        True
    """
    return _READERS.listing(
        details,
        lambda spec: {
            "name": spec.name,
            "description": spec.description,
            "kind": spec.kind,
            "patterns": list(spec.patterns),
            "sample": spec.sample,
        },
    )


def peek(path: PathLike, n: int = 64) -> bytes:
    """Return the first ``n`` bytes of a file's content, through gzip or bzip2 if compressed.

    Args:
        path: The file.
        n: Number of bytes.

    Returns:
        Up to ``n`` bytes (fewer for a short or damaged file; never raises on bad content).
    """
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(max(n, 3))
    except OSError:
        return b""
    try:
        if head.startswith(b"\x1f\x8b"):
            with gzip.open(path, "rb") as fh:
                return fh.read(n)
        if head.startswith(b"BZh"):
            with bz2.open(path, "rb") as fh:
                return fh.read(n)
    except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError):
        # a damaged stream (zlib.error is neither an OSError nor a ValueError): no content
        return b""
    return head[:n]


def read_each(
    files: Iterable[Path], read: Callable[[Path], dict[str, Any]], what: str, count: int
) -> tuple[list[tuple[Path, dict[str, Any]]], list[dict[str, str]]]:
    """Read files one by one, keeping the good ones and reporting the others.

    The pattern of the multi-file text and HDF5 readers (riometers, OMNI): a file ``read``
    refuses (:class:`FileFormatError`) is reported and skipped; a file read with a problem
    (``part["problem"]``, e.g. damaged rows skipped) is kept and its problem reported.

    Args:
        files: The files, in order (any iterable, e.g. wrapped in a progress bar).
        read: Reads one file into a dict holding at least ``"problem"`` (text or empty).
        what: What the files hold, for the error message (``"riometer data"``).
        count: How many files were asked for, for the error message.

    Returns:
        ``(parts, problems)``: ``(path, part)`` of every file read, and ``{"file", "reason"}``
        of every file refused or read with a problem.

    Raises:
        FileFormatError: If no file could be read (every file's reason is listed).
    """
    problems: list[dict[str, str]] = []
    parts: list[tuple[Path, dict[str, Any]]] = []
    for path in files:
        try:
            part = read(path)
        except FileFormatError as exc:
            problems.append({"file": path.name, "reason": str(exc).removeprefix(f"{path}: ")})
            continue
        if part["problem"]:
            problems.append({"file": path.name, "reason": part["problem"]})
        parts.append((path, part))
    if not parts:
        reasons = "; ".join(f"{p['file']}: {p['reason']}" for p in problems)
        raise FileFormatError(f"no {what} could be read from {count} file(s): {reasons}")
    return parts, problems


def warn_problems(problems: list[dict[str, str]], what: str, stacklevel: int = 2) -> None:
    """Issue one :class:`~geospacexr.errors.DataWarning` naming every problem of a multi-file read.

    The companion of :func:`read_each`: ``"2 problem(s) reading OMNI files, the good part kept:
    a.lst: ...; b.lst: ..."``. Nothing is issued when ``problems`` is empty.

    Args:
        problems: ``{"file", "reason"}`` dicts, as :func:`read_each` returns them.
        what: What was read (``"OMNI files"``).
        stacklevel: As for :func:`warnings.warn`, counted from the caller of this function.
    """
    if problems:
        warnings.warn(
            f"{len(problems)} problem(s) reading {what}, the good part kept: "
            + "; ".join(f"{p['file']}: {p['reason']}" for p in problems),
            DataWarning,
            stacklevel=stacklevel + 1,
        )


def expand_paths(paths: Paths) -> list[Path]:
    """Turn one path, a glob pattern or a list of either into a sorted list of files.

    Args:
        paths: A path, a glob pattern (``*``, ``?``, ``[``) or an iterable of them.

    Returns:
        Existing files, sorted by name, without duplicates.

    Raises:
        NoFilesError: If nothing matches, naming what was asked for.
    """
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    files: list[Path] = []
    missing = []
    for item in items:
        text = os.fspath(item)
        if any(c in text for c in "*?["):
            found = sorted(Path(p) for p in glob.glob(os.path.expanduser(text)))
            if not found:
                missing.append(text)
            files.extend(p for p in found if p.is_file())
        else:
            p = Path(text).expanduser()
            if p.is_dir():
                found = sorted(q for q in p.iterdir() if q.is_file() and not q.name.startswith("."))
                if not found:
                    missing.append(text)
                files.extend(found)
            elif p.is_file():
                files.append(p)
            else:
                missing.append(text)
    if missing:
        raise NoFilesError(f"no such file or no match: {', '.join(missing)}")
    if not files:
        raise NoFilesError("no files given")
    seen: dict[Path, None] = {}
    for f in files:
        seen.setdefault(f, None)
    return sorted(seen, key=lambda p: (p.name, str(p)))


def find_reader(path: PathLike) -> ReaderSpec:
    """Return the reader that best recognises ``path``.

    Args:
        path: A file.

    Returns:
        The matching :class:`ReaderSpec`.

    Raises:
        ReaderNotFoundError: If no reader recognises the file; the message lists the readers
            and what each expects.
    """
    p = Path(path)
    scored = [(spec.score(p), spec) for spec in readers().values()]
    scored = [(s, spec) for s, spec in scored if s > 0]
    if not scored:
        expected = "; ".join(
            f"{spec.name} ({', '.join(spec.patterns) or 'any name'})" for spec in readers().values()
        )
        raise ReaderNotFoundError(
            f"no reader recognises this file (name and first bytes {peek(p, 8)!r}); "
            f"readers: {expected}",
            path=p,
        )
    scored.sort(key=lambda t: -t[0])
    return scored[0][1]


def group_files(paths: Paths) -> dict[tuple[str, str], list[Path]]:
    """Split files into groups that each open as one Dataset.

    Args:
        paths: Files or glob patterns, possibly of several kinds, sites or instruments.

    Returns:
        ``{(reader name, group key): files}`` in the order first met.

    Raises:
        NoFilesError: If nothing matches.
        ReaderNotFoundError: If a file is recognised by no reader.
    """
    groups: dict[tuple[str, str], list[Path]] = {}
    for path in expand_paths(paths):
        spec = find_reader(path)
        key = spec.group(path) if spec.group else ""
        groups.setdefault((spec.name, key), []).append(path)
    return groups


def open(paths: Paths, reader: str | None = None, **kwargs: Any) -> Any:
    """Open files with the reader that recognises them.

    Args:
        paths: A file, a glob pattern or a list of files of one kind.
        reader: Registry name to force a reader (see :func:`readers`).
        **kwargs: Passed to the reader (e.g. ``chunks=``, ``start=``, ``end=``).

    Returns:
        The standard Dataset the reader builds.

    Raises:
        NoFilesError: If nothing matches ``paths``.
        ReaderNotFoundError: If no reader recognises the files.
        UnknownReaderError: If ``reader`` is not a registered name (a
            :class:`~geospacexr.errors.ReaderNotFoundError` too; the message names close
            matches).
        FileFormatError: If the files need different readers.
    """
    files = expand_paths(paths)
    if reader is not None:
        return _READERS[reader].open(files, **kwargs)
    spec = find_reader(files[0])
    others = {find_reader(f).name for f in files[1:]} - {spec.name}
    if others:
        raise FileFormatError(
            f"the files need different readers ({spec.name} for {files[0].name}, and "
            f"{', '.join(sorted(others))}); open each kind separately"
        )
    return spec.open(files, **kwargs)
