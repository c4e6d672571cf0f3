"""All-sky imager raw image files as a standard ``asi`` Dataset.

Layout of the Dataset :func:`open_asi` returns (fixed: notebooks rely on it):

* ``image`` ``(time, y, x)`` uint16 counts, ``attrs["units"] = "counts"``;
* ``time`` datetime64[ns]: each frame's ``Image request start``;
* per-frame metadata as time-indexed variables: ``exposure_ms`` (float32), ``device`` and
  ``mode`` (strings) where the files carry them;
* attrs: ``geospacexr_kind = "asi"``, ``instrument`` (``themis``, ``rego``, ``trex_nir``,
  ``trex_blue``, ``trex_rgb``, ``smile``), ``site``, ``imager``, ``site_lat``, ``site_lon``,
  ``site_alt_m``, ``source_files`` and ``problematic_files`` (JSON strings), ``orientation``.

**Orientation.** Rows are flipped after reading (REGO also columns), exactly as pyucalgarysrs
does, so ``ds.image[k]`` equals pyucalgarysrs's ``data[:, :, k]`` pixel for pixel and
``imshow(ds.image[k], origin="lower")`` shows the sky as the skymap describes it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from ..errors import (
    DataWarning,
    FileFormatError,
    IncompatibleInputError,
    InvalidArgumentError,
    OutOfRangeError,
)
from .instruments import TableView, instrument_of_file, instruments, reader_patterns
from .instruments import get_instrument as _get_instrument
from .limits import Limits
from .pgm import DecodedFile, frame_array, read_pgm
from .registry import Paths, ReaderSpec, expand_paths, readers, register_reader
from .times import implausible_reason, name_window, plausible_range, to_ns

__all__ = ["INSTRUMENTS", "detect_instrument", "open_asi", "open_pgm_files"]

#: Instrument identifier -> imager-name pattern in file names (``..._<site>_<imager>_...``): a live
#: view of the instrument table (:mod:`geospacexr.io.instruments`), ``asi`` rows only.
INSTRUMENTS: Mapping[str, str] = TableView(
    lambda row: row.imager_pattern if row.kind == "asi" and row.imager_pattern else None
)
_NAME = re.compile(
    r"^(?P<date>\d{8})_(?P<time>\d{4,6})(?:_\d{6})?_(?P<site>[a-z0-9]{3,5})_(?P<imager>[a-z]+-?\d+)",
    re.IGNORECASE,
)
_EXPOSURE_KEYS = (
    "exposure plus initial readout",
    "exposure plus readout",
    "exposure duration plus readout",
    "effective image exposure",
)
#: Reader registry name -> the format's name in messages; the order is the order in which a
#: mix of formats is reported ("HDF5 and other files", "PNG and PGM files").
_FORMAT_NAMES = {"asi-h5": "HDF5", "asi-png": "PNG", "asi-pgm": "PGM"}
#: The reader of raw image files that no pattern and no content check recognises: the PGM
#: decoder, whose errors say what is wrong with the bytes (an empty file, a wrong magic...).
_FALLBACK_READER = "asi-pgm"
#: How many frame numbers a problem report lists before eliding the rest.
_LIST_FRAMES = 5


def detect_instrument(path: str | os.PathLike[str], metadata: dict[str, str] | None = None) -> str:
    """Return the instrument identifier of an image file.

    Args:
        path: The file (its name is tried first).
        metadata: The first frame's metadata, tried when the name says nothing.

    Returns:
        One of :data:`INSTRUMENTS`.

    Raises:
        FileFormatError: If neither the name nor the metadata identify the instrument.
    """
    name = Path(path).name.lower()
    m = _NAME.match(name)
    candidates = [m.group("imager")] if m else []
    if metadata:
        low = {k.lower(): v for k, v in metadata.items()}
        candidates.append(low.get("imager unique id", "").lower())
    rows = instruments("asi")
    for imager in candidates:
        for row in rows:
            if row.matches_imager(imager):
                return row.name
    examples = [r.example_imager for r in rows if r.example_imager]
    listing = ", ".join(examples[:-1]) + (" or " if len(examples) > 1 else "") + examples[-1]
    raise FileFormatError(
        f"cannot tell the instrument from the file name or its 'Imager unique ID'; expected an "
        f"imager such as {listing} (pass instrument= one of {', '.join(INSTRUMENTS)})",
        path=path,
    )


def _get(meta: dict[str, str], *keys: str) -> str | None:
    low = {k.lower(): v for k, v in meta.items()}
    for key in keys:
        if key in low:
            return low[key]
    return None


def _number(text: str | None) -> float:
    if text is None:
        return float("nan")
    m = re.match(r"\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)", text)
    return float(m.group(1)) if m else float("nan")


def _exposure(meta: dict[str, str]) -> float:
    return _number(_get(meta, *_EXPOSURE_KEYS))


def _frame_time(meta: dict[str, str]) -> np.datetime64 | None:
    text = _get(meta, "image request start")
    if not text:
        return None
    text = text.strip()
    if text.upper().endswith("UTC"):
        text = text[:-3].strip()
    try:
        return to_ns(text.replace(" ", "T"), "frame time")
    except ValueError:
        return None


class _PerMeta:
    """Results computed once per metadata dict (PGM frames that change nothing share one).

    A file of many frames then costs one lookup per distinct dict, not one per frame. Each
    entry keeps its dict alive, so an ``id`` is never reused while the cache exists; make one
    per call.
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], tuple[Any, Any]] = {}

    def __call__(self, what: str, meta: dict[str, str], func: Any) -> Any:
        key = (what, id(meta))
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = (meta, func(meta))
        return hit[1]


def _workers(workers: int | None) -> int:
    workers = config.resolve(workers, "io.workers")
    return workers if workers and workers > 0 else (os.cpu_count() or 1)


def _each(func: Any, items: Sequence[Any], workers: int | None) -> list[Any]:
    """``[func(item) for item in items]``, on a pool of threads when that can help.

    One item (a single file: the task of a cluster's worker, a file of a stream) or one thread
    runs in the calling thread: a pool's threads would cost their start and a hand-over of
    the GIL per item and gain nothing.
    """
    threads = min(_workers(workers), len(items))
    if threads <= 1:
        return [func(item) for item in items]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(func, items))


def _to_time(value: Any, name: str) -> np.datetime64 | None:
    if value is None:
        return None
    try:
        return to_ns(value, name)
    except (ValueError, TypeError):
        raise InvalidArgumentError(
            f"must be a date-time (e.g. '2014-03-10T06:00'), not {value!r}", argument=name
        ) from None


def _frame_list(indices: list[int]) -> str:
    """``frames 1, 2, 5`` (1-based), eliding a long list."""
    shown = ", ".join(str(i + 1) for i in indices[:_LIST_FRAMES])
    more = f" and {len(indices) - _LIST_FRAMES} more" if len(indices) > _LIST_FRAMES else ""
    return f"frame{'s' if len(indices) > 1 else ''} {shown}{more}"


def _problem_list(problems: dict[str, list[str]]) -> list[dict[str, str]]:
    """One ``{"file", "reason"}`` entry per file (its reasons joined), sorted by file name."""
    return [{"file": name, "reason": "; ".join(problems[name])} for name in sorted(problems)]


def _listing(problems: list[dict[str, str]]) -> str:
    return "; ".join(f"{p['file']}: {p['reason']}" for p in problems)


def open_asi(
    files: Paths,
    instrument: str | None = None,
    start: Any = None,
    end: Any = None,
    workers: int | None = None,
    chunks: Any = None,
) -> xr.Dataset:
    """Open raw all-sky imager files of one site as a standard ``asi`` Dataset.

    Files are decoded in parallel threads into one preallocated array; frames outside
    ``[start, end]`` are skipped without being copied. A truncated or corrupt file does not stop
    the read: its complete frames are kept, it is listed once in ``attrs["problematic_files"]``
    (a JSON list of ``{"file", "reason"}``) with every reason found, and one
    :class:`~geospacexr.errors.DataWarning` names them all. A gzip or bzip2 stream that fails its
    integrity check cannot be trusted anywhere, so such a file contributes no frame. A file
    that declares more than the ``[io]`` reader limits allow (``io.max_frames``,
    ``io.max_image_pixels``, ``io.max_array_mb``, ``io.max_decompressed_mb``; see
    :mod:`geospacexr.io.limits`) is refused before its memory is taken and reported the same way,
    the message naming the key to raise.

    **Which reader.** Each file's reader comes from the reader registry
    (:mod:`geospacexr.io.registry`): the instrument table's file patterns
    (:mod:`geospacexr.io.instruments`) first, then the ``asi`` readers' own patterns, then their
    content checks; a file nothing recognises goes to the PGM decoder, whose error names the
    defect. All files of one call must need the same reader.

    **One site per call.** Files of several sites or instruments are refused rather than
    merged; :func:`geospacexr.io.registry.group_files` splits a mixed list into one group per
    site and imager, each of which opens with this function.

    Args:
        files: A file, a glob pattern or a list of files (``.pgm``, ``.pgm.gz``, ``.pgm.bz2``;
            TREx RGB ``.png`` / ``.png.tar`` and RGB / SMILE ``.h5`` are also accepted, one
            format per call; TREx spectrograph raw and L1 files give the ``spectrograph``
            Datasets of :mod:`geospacexr.io.spectrograph`).
        instrument: Instrument identifier (see :data:`INSTRUMENTS`); detected when ``None``.
        start: First time to keep (inclusive), anything ``numpy.datetime64`` accepts.
        end: Last time to keep (inclusive).
        workers: Parallel decoding threads (default from ``io.workers``: one per core); a
            single PGM file is decoded in the calling thread.
        chunks: If given, the image is returned as a dask array with these chunks.

    Returns:
        The Dataset described in this module's documentation, sorted by time.

    Raises:
        NoFilesError: If nothing matches ``files``.
        FileFormatError: If no frame can be read from any file (every file and its reason is
            listed).
        IncompatibleInputError: If the files come from different sites, instruments, formats
            (readers) or image sizes.
        InvalidArgumentError: If ``instrument``, ``start`` or ``end`` is not valid.
        OutOfRangeError: If no frame lies between ``start`` and ``end`` (the message gives the
            times the files cover).

    Example:
        >>> ds = geospacexr.open_asi("gill/20140310_06*_themis19_full.pgm.gz")  # doctest: +SKIP
        >>> ds.image.dims
        ('time', 'y', 'x')
    """
    paths = expand_paths(files)
    if instrument not in {r.name for r in instruments("spectrograph")}:  # their readers check
        _check_instrument(instrument)
    # refuse bad arguments before any reading
    _to_time(start, "start")
    _to_time(end, "end")
    chosen: dict[str, ReaderSpec] = {}
    for path in paths:
        spec = _reader_for(path)
        chosen.setdefault(spec.name, spec)
    if len(chosen) > 1:
        raise IncompatibleInputError(_mixed_formats(list(chosen)))
    (spec,) = chosen.values()
    return spec.open(
        paths, instrument=instrument, start=start, end=end, workers=workers, chunks=chunks
    )


def _check_instrument(instrument: str | None) -> None:
    if instrument is not None and instrument not in INSTRUMENTS:
        raise InvalidArgumentError(
            f"must be one of {', '.join(INSTRUMENTS)}, not {instrument!r}", argument="instrument"
        )


def _asi_readers() -> list[ReaderSpec]:
    return [spec for spec in readers().values() if spec.kind == "asi"]


def _reader_for(path: Path) -> ReaderSpec:
    """The registry reader of a raw image file (see :func:`open_asi`, "Which reader")."""
    specs = readers()
    known = instrument_of_file(path)
    if known is not None and known[1] in specs:
        return specs[known[1]]
    asi = _asi_readers()
    name = path.name.lower()
    by_name = [s for s in asi if any(fnmatch.fnmatch(name, p.lower()) for p in s.patterns)]
    if len(by_name) == 1:
        return by_name[0]
    candidates = by_name or asi
    scored = sorted(((s.score(path), i) for i, s in enumerate(candidates)), reverse=True)
    if scored and scored[0][0] > 0:
        return candidates[scored[0][1]]
    if by_name:
        return by_name[0]
    return specs[_FALLBACK_READER]


def _mixed_formats(names: list[str]) -> str:
    """The message for files that need different readers, naming the formats."""
    order = list(_FORMAT_NAMES)
    names = sorted(names, key=lambda n: order.index(n) if n in order else len(order))
    labels = [_FORMAT_NAMES.get(n, n) for n in names]
    # earlier releases' wording: "HDF5 and other files", "PNG and PGM files"
    rest = "other" if labels[0] == _FORMAT_NAMES["asi-h5"] else " and ".join(labels[1:])
    return f"{labels[0]} and {rest} files in one call: open each format separately"


@register_reader(
    "asi-pgm",
    kind="asi",
    patterns=("*.pgm", "*.pgm.gz", "*.pgm.bz2"),
    magic=(b"P5",),
    sample="themis-gill",
    description=", ".join(r.label for r in instruments(reader="asi-pgm"))
    + " multi-frame PGM images",
    group=lambda path: "_".join(filter(None, (_site_from_name(path), _imager_from_name(path)))),
)
def open_pgm_files(
    files: Paths,
    instrument: str | None = None,
    start: Any = None,
    end: Any = None,
    workers: int | None = None,
    chunks: Any = None,
) -> xr.Dataset:
    """Multi-frame PGM files (the ``asi-pgm`` reader; :func:`open_asi` documents everything).

    Args:
        files: PGM files (``.pgm``, ``.pgm.gz``, ``.pgm.bz2``) of one site.
        instrument: Instrument identifier; detected when ``None``.
        start: First time to keep (inclusive).
        end: Last time to keep (inclusive).
        workers: Parallel decoding threads for several files (one file is decoded in the
            calling thread).
        chunks: If given, the image is returned as a dask array with these chunks.

    Returns:
        The ``asi`` Dataset.
    """
    paths = expand_paths(files)
    _check_instrument(instrument)
    t0, t1 = _to_time(start, "start"), _to_time(end, "end")

    # file name -> reasons; filled in this thread only, so no lock is needed
    problems: dict[str, list[str]] = {}
    limits = Limits.current()  # resolved here: the worker threads do not see config overrides
    per_meta = _PerMeta()

    def decode(path: Path) -> DecodedFile | FileFormatError:
        try:
            return read_pgm(path, limits)
        except FileFormatError as exc:
            return exc

    results = _each(decode, paths, workers)
    decoded: list[DecodedFile] = []
    for path, result in zip(paths, results, strict=True):
        if isinstance(result, FileFormatError):
            problems.setdefault(path.name, []).append(str(result).removeprefix(f"{path}: "))
        else:
            decoded.append(result)

    # select frames: (decoded file, frame index, time), checking consistency across files
    selected: list[tuple[DecodedFile, int, np.datetime64]] = []
    identity: dict[str, tuple[str, str]] = {}
    shape: tuple[int, int, int] | None = None
    span: list[np.datetime64] = []  # every valid frame time, for the out-of-range message
    for d in decoded:
        if d.problem:
            problems.setdefault(d.path.name, []).append(d.problem)
        if not d.frames:
            if not d.problem:
                problems.setdefault(d.path.name, []).append("no complete frame")
            continue
        meta0 = d.frames[0].metadata
        inst = instrument or detect_instrument(d.path, meta0)
        site = (_get(meta0, "site unique id") or _site_from_name(d.path) or "").lower()
        identity[d.path.name] = (inst, site)
        if len(set(identity.values())) > 1:
            break
        fshape = (d.frames[0].height, d.frames[0].width, d.frames[0].bytes_per_pixel)
        if shape is not None and fshape != shape:
            raise IncompatibleInputError(
                f"{d.path.name} has {fshape[1]}x{fshape[0]} frames, earlier files "
                f"{shape[1]}x{shape[0]}; open files of one imager at a time"
            )
        shape = fshape
        untimed: list[int] = []
        repeated: list[int] = []  # a frame without its own time inherits the previous one's
        unlikely: list[int] = []  # outside the instrument's plausible range (io.times)
        earliest, latest = plausible_range(inst)
        off_name: list[int] = []  # far from the time in the file's name
        window = name_window(d.path)
        previous: np.datetime64 | None = None
        for i, frame in enumerate(d.frames):
            t = per_meta("time", frame.metadata, _frame_time)
            if t is None:
                untimed.append(i)
                continue
            if not earliest <= t <= latest:
                unlikely.append(i)
                continue
            if window is not None and not window[0] <= t <= window[1]:
                off_name.append(i)
                continue
            if t == previous:
                repeated.append(i)
                continue
            previous = t
            span.append(t)
            if (t0 is not None and t < t0) or (t1 is not None and t > t1):
                continue
            selected.append((d, i, t))
        if untimed:
            problems.setdefault(d.path.name, []).append(
                f"{_frame_list(untimed)} of {len(d.frames)}: no valid 'Image request start' "
                "(skipped)"
            )
        if unlikely:
            problems.setdefault(d.path.name, []).append(
                f"{_frame_list(unlikely)} of {len(d.frames)}: 'Image request start' "
                f"{implausible_reason(inst)} (skipped)"
            )
        if off_name:
            problems.setdefault(d.path.name, []).append(
                f"{_frame_list(off_name)} of {len(d.frames)}: 'Image request start' "
                f"{window[2]} (skipped)"  # type: ignore[index]
            )
        if repeated:
            problems.setdefault(d.path.name, []).append(
                f"{_frame_list(repeated)} of {len(d.frames)}: the same 'Image request start' as "
                "the frame before (no time of its own; skipped)"
            )

    kinds = sorted(set(identity.values()))
    if len(kinds) > 1:
        listing = ", ".join(f"{site or '?'} ({inst})" for inst, site in kinds)
        raise IncompatibleInputError(
            f"the files come from more than one site or instrument: {listing}; "
            "open each site separately (one Dataset per site; "
            "geospacexr.io.registry.group_files splits a list by site and imager)"
        )
    report = _problem_list(problems)
    if not kinds or not span:
        raise FileFormatError(
            f"no frame could be read from {len(paths)} file(s): {_listing(report) or 'no files'}"
        )
    inst, site = kinds[0]
    if not selected:
        raise OutOfRangeError(
            f"no frame between start={start} and end={end} in {len(paths)} file(s), which "
            f"cover {min(span)} to {max(span)}"
        )

    selected.sort(key=lambda s: s[2])
    height, width, bpp = shape  # type: ignore[misc]
    image = np.empty((len(selected), height, width), dtype=np.uint16 if bpp == 2 else np.uint8)
    flip_columns = _get_instrument(inst).flip_columns

    def copy(k: int) -> None:
        d, i, _ = selected[k]
        frame = frame_array(d, i)[::-1]
        image[k] = frame[:, ::-1] if flip_columns else frame

    # the frames of one file are copied in this thread (a few MB; pool threads cost more)
    _each(copy, range(len(selected)), workers if len(paths) > 1 else 1)

    metas = [d.frames[i].metadata for d, i, _ in selected]
    first = selected[0][0].frames[0].metadata
    times = np.array([t for _, _, t in selected], dtype="datetime64[ns]")
    data_vars: dict[str, Any] = {
        "image": (
            ("time", "y", "x"),
            image,
            {"long_name": "raw image", "units": "counts"},
        ),
        "exposure_ms": (
            ("time",),
            np.array(
                [per_meta("exposure", m, _exposure) for m in metas],
                dtype=np.float32,
            ),
            {"long_name": "exposure plus readout", "units": "ms"},
        ),
    }
    for name, key, long_name in (
        ("device", "ccd device", "CCD device"),
        ("mode", "mode unique id", "imaging mode"),
    ):
        values = [per_meta(key, m, lambda m, key=key: _get(m, key)) for m in metas]
        if any(v is not None for v in values):
            data_vars[name] = (
                ("time",),
                np.array([v or "" for v in values], dtype=str),
                {"long_name": long_name},
            )
    if report:
        warnings.warn(
            f"{len(report)} of {len(paths)} {inst} file(s) could not be read completely, "
            f"good frames kept: {_listing(report)}",
            DataWarning,
            stacklevel=2,
        )
    attrs = {
        "geospacexr_kind": "asi",
        "instrument": inst,
        "site": site,
        "imager": (
            _get(first, "imager unique id") or _imager_from_name(selected[0][0].path) or ""
        ).lower(),
        "site_name": _get(first, "site name") or "",
        # THEMIS and REGO write "Geodetic ...", TREx NIR and Blueline "Geographic ..."
        "site_lat": _number(_get(first, "geodetic latitude", "geographic latitude")),
        "site_lon": _number(_get(first, "geodetic longitude", "geographic longitude")),
        "site_alt_m": _number(_get(first, "geodetic altitude", "geographic altitude")),
        "source_files": json.dumps(sorted({d.path.name for d, _, _ in selected})),
        "problematic_files": json.dumps(report),
        "file_metadata": json.dumps(first),
        "orientation": (
            "rows flipped after reading"
            + (" and columns" if flip_columns else "")
            + " as pyucalgarysrs does: image[k] == pyucalgarysrs data[:, :, k]"
        ),
    }
    ds = xr.Dataset(data_vars, coords={"time": ("time", times)}, attrs=attrs)
    if chunks is not None:
        ds = ds.chunk(chunks)
    return ds


def _site_from_name(path: Path) -> str | None:
    m = _NAME.match(path.name)
    return m.group("site") if m else None


def _imager_from_name(path: Path) -> str | None:
    m = _NAME.match(path.name)
    return m.group("imager") if m else None


@register_reader(
    "asi-png",
    kind="asi",
    patterns=reader_patterns("asi-png"),
    sample="trex_rgb-gill-burst",
    description=", ".join(r.label for r in instruments(reader="asi-png"))
    + " burst frames (PNG) and PNG tar minute files",
    group=lambda path: "_".join(filter(None, (_site_from_name(path), _imager_from_name(path)))),
)
def _open_png_registry(
    files: Paths,
    instrument: str | None = None,
    start: Any = None,
    end: Any = None,
    workers: int | None = None,
    chunks: Any = None,
) -> xr.Dataset:
    """TREx RGB PNG frames (the ``asi-png`` reader; see :func:`open_asi`)."""
    from .png import open_png_frames

    _check_instrument(instrument)
    ds = open_png_frames(expand_paths(files), _to_time(start, "start"), _to_time(end, "end"))
    return ds.chunk(chunks) if chunks is not None else ds


def _is_asi_h5(path: Path) -> bool:
    import h5py

    with h5py.File(path, "r") as f:
        return "data" in f and "images" in f["data"]


@register_reader(
    "asi-h5",
    kind="asi",
    patterns=reader_patterns("asi-h5"),
    magic=(b"\x89HDF",),
    sniff=_is_asi_h5,
    sample="trex_rgb-gill",
    description=" and ".join(r.label for r in instruments(reader="asi-h5")) + " HDF5 image files",
    group=lambda path: "_".join(filter(None, (_site_from_name(path), _imager_from_name(path)))),
)
def _open_h5_registry(
    files: Paths,
    instrument: str | None = None,
    start: Any = None,
    end: Any = None,
    workers: int | None = None,
    chunks: Any = None,
) -> xr.Dataset:
    """TREx RGB / SMILE HDF5 files (the ``asi-h5`` reader; see :func:`open_asi`)."""
    from .h5asi import open_h5_frames

    _check_instrument(instrument)
    ds = open_h5_frames(expand_paths(files), _to_time(start, "start"), _to_time(end, "end"))
    return ds.chunk(chunks) if chunks is not None else ds
