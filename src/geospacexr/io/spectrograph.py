r"""TREx meridian spectrograph files: raw L0 PGM, processed L1 HDF5 and the slit skymap.

The layouts are those the reference readers of pyucalgarysrs 1.28 implement (no real file is
public offline; ``../shared/formats/aurorax_api.md``, "TREx spectrograph"):

* **L0 raw** (``YYYYMMDD_HHMM_<site>_spect-NN_spectra.pgm.gz``; dark frames
  ``..._spectra_dark.pgm.gz``): gzipped multi-frame PGM, ``#"key" value`` metadata, each frame
  1024 rows (the spectral direction) x 256 columns (the spatial bins along the slit), big-endian
  uint16, one frame every 15 s. :func:`open_spect_raw` returns

  - ``counts`` ``(time, spectral, spatial)`` uint16, ``counts[k] == pyucalgarysrs
    data[:, :, k]`` (no flip: pyucalgarysrs flips no spectrograph frame);
  - ``dark`` ``(time,)`` bool: the frame comes from a dark file (``_dark`` in its name, or a
    ``Mode UID`` / ``Shutter state`` saying ``dark``/``closed``);
  - ``exposure_ms`` ``(time,)`` float32.

* **L1 processed** (hourly ``YYYYMMDD_HH_<site>_spect-NN_..._cal_....h5``): ``/data/spectra``
  ``[wavelength, spatial, time]`` float32 (calibrated, Rayleighs per nm), ``/data/timestamp``
  strings ``%Y-%m-%d %H:%M:%S UTC``, ``/data/wavelength`` nm, file metadata as attributes of
  ``/metadata/file``. :func:`open_spect_l1` returns ``spectra`` ``(time, wavelength, spatial)``
  float32 with the ``wavelength`` coordinate in nm (``spectra[k] == pyucalgarysrs
  data[:, :, k]``).

* **Skymap** (``spect_skymap_<site>_YYYYMMDD-+_vNN.sav``, ``PROJECT_UID = "spect"``):
  ``FULL_ELEVATION`` ``(256,)`` per spatial bin, ``FULL_MAP_LATITUDE`` / ``_LONGITUDE``
  ``(altitude, 257)`` at the bins' edges along the slit, ``FULL_MAP_ALTITUDE`` in m, no azimuth.
  :func:`open_spect_skymap` returns ``elevation`` ``(spatial,)``, ``lat_edge`` / ``lon_edge``
  ``(altitude, spatial_edge)`` and ``lat`` / ``lon`` ``(altitude, spatial)`` (bin centres, the
  mean of the two edges), ``altitude`` in km; :func:`slit_positions` interpolates them to any
  height as PyAuroraX does (linear in altitude, extrapolated).

Every Dataset carries ``attrs["geospacexr_kind"] = "spectrograph"`` (``"skymap"`` for the
skymap), ``instrument = "trex_spectrograph"``, ``level`` (``"raw"`` / ``"l1"``), ``site``,
``device``, ``source_files`` and ``problematic_files`` (JSON). Damaged files are handled as the
ASI readers handle them: the good frames kept, each bad file listed once with its reasons, one
:class:`~geospacexr.errors.DataWarning`; every ``[io]`` limit is checked before the memory it
bounds is taken (:mod:`geospacexr.io.limits`), and HDF5 strings are read through
:mod:`geospacexr.io.h5safe`.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import (
    DataWarning,
    FileFormatError,
    IncompatibleInputError,
    InvalidArgumentError,
    OutOfRangeError,
)
from .h5safe import check_global_heaps, length_size, read_strings
from .hdf5 import check_size, check_storage
from .limits import Limits
from .pgm import DecodedFile, frame_array, read_pgm
from .registry import Paths, expand_paths, peek, register_reader
from .times import (
    check_validity_start,
    implausible_reason,
    name_window,
    plausible_range,
    to_ns,
)

__all__ = [
    "INSTRUMENT",
    "open_spect_l1",
    "open_spect_raw",
    "open_spect_skymap",
    "slit_positions",
]

#: The instrument-table name every spectrograph Dataset carries.
INSTRUMENT = "trex_spectrograph"
#: ``<site>_<device>`` in file names: ``20210215_0600_rabb_spect-02_spectra.pgm.gz``.
_NAME = re.compile(
    r"^(?P<date>\d{8})_(?P<time>\d{2,6})_(?P<site>[a-z0-9]{3,5})_(?P<device>spect-?\d+)",
    re.IGNORECASE,
)
_RAW_PATTERNS = ("*_spect-[0-9]*_spectra*.pgm", "*_spect-[0-9]*_spectra*.pgm.gz")
_L1_PATTERNS = ("*_spect-[0-9]*.h5",)
_SKYMAP_PATTERNS = ("spect_skymap_*.sav",)
#: Metadata values (lower case) of ``Mode UID`` / ``Shutter state`` that mark a dark frame.
_DARK_WORDS = ("dark", "closed")
_LIST_FRAMES = 5


def _site_device(path: Path) -> tuple[str, str]:
    m = _NAME.match(path.name)
    return (m.group("site").lower(), m.group("device").lower()) if m else ("", "")


def _group(path: Path) -> str:
    return "_".join(filter(None, _site_device(path)))


def _frames_text(indices: list[int], total: int) -> str:
    shown = ", ".join(str(i + 1) for i in indices[:_LIST_FRAMES])
    more = f" and {len(indices) - _LIST_FRAMES} more" if len(indices) > _LIST_FRAMES else ""
    return f"frame{'s' if len(indices) > 1 else ''} {shown}{more} of {total}"


def _report(problems: dict[str, list[str]]) -> list[dict[str, str]]:
    return [{"file": n, "reason": "; ".join(problems[n])} for n in sorted(problems)]


def _listing(report: list[dict[str, str]]) -> str:
    return "; ".join(f"{p['file']}: {p['reason']}" for p in report)


def _time_arg(value: Any, name: str) -> np.datetime64 | None:
    if value is None:
        return None
    try:
        return to_ns(value, name)
    except (ValueError, TypeError):
        raise InvalidArgumentError(
            f"must be a date-time (e.g. '2021-02-15T06:00'), not {value!r}", argument=name
        ) from None


def _check_instrument(instrument: str | None) -> None:
    if instrument is not None and instrument != INSTRUMENT:
        raise InvalidArgumentError(
            f"spectrograph files are {INSTRUMENT!r}, not {instrument!r}", argument="instrument"
        )


def _meta(meta: dict[str, str], *keys: str) -> str | None:
    low = {k.lower(): v for k, v in meta.items()}
    return next((low[k] for k in keys if k in low), None)


def _number(text: str | None) -> float:
    m = re.match(r"\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)", text or "")
    return float(m.group(1)) if m else float("nan")


def _request_time(meta: dict[str, str]) -> np.datetime64 | None:
    text = (_meta(meta, "image request start") or "").strip()
    if text.upper().endswith("UTC"):
        text = text[:-3].strip()
    if not text:
        return None
    try:
        return to_ns(text.replace(" ", "T"), "frame time")
    except ValueError:
        return None


def _is_dark(path: Path, meta: dict[str, str]) -> bool:
    if "_dark" in path.name.lower():
        return True
    for key in ("mode uid", "shutter state"):
        value = (_meta(meta, key) or "").lower()
        if any(word in value for word in _DARK_WORDS):
            return True
    return False


def _warn(report: list[dict[str, str]], total: int, what: str) -> None:
    if report:
        warnings.warn(
            f"{len(report)} of {total} {what} file(s) could not be read completely, good "
            f"frames kept: {_listing(report)}",
            DataWarning,
            stacklevel=3,
        )


def _is_spect_pgm(path: Path) -> bool:
    """Content check: the first frame declares 256 columns x 1024 rows."""
    head = peek(path, 8192)
    return re.search(rb"\n256 1024\n65535\n", head) is not None


@register_reader(
    "trex_spect_raw",
    kind="spectrograph",
    patterns=_RAW_PATTERNS,
    magic=(b"P5",),
    sniff=_is_spect_pgm,
    sample="trex_spect-rabb",
    description="TREx spectrograph raw (L0) multi-frame PGM spectra, 1024x256 16-bit",
    group=_group,
)
def open_spect_raw(
    files: Paths,
    instrument: str | None = None,
    start: Any = None,
    end: Any = None,
    workers: int | None = None,
    chunks: Any = None,
) -> xr.Dataset:
    """Open TREx spectrograph raw (L0) PGM files of one site.

    Args:
        files: A file, glob pattern or list of ``.pgm`` / ``.pgm.gz`` files (dark files too).
        instrument: ``"trex_spectrograph"`` or ``None``.
        start: First frame time to keep (inclusive).
        end: Last frame time to keep (inclusive).
        workers: Parallel decoding threads (default ``io.workers``).
        chunks: If given, ``counts`` is returned as a dask array with these chunks.

    Returns:
        The raw spectrograph Dataset described in this module's documentation.

    Raises:
        NoFilesError: If nothing matches ``files``.
        FileFormatError: If no frame can be read (every file and reason listed).
        IncompatibleInputError: If the files are of several sites or frame sizes.
        InvalidArgumentError: If an argument is not valid.
        OutOfRangeError: If no frame lies between ``start`` and ``end``.
    """
    from .asi import _workers

    paths = expand_paths(files)
    _check_instrument(instrument)
    t0, t1 = _time_arg(start, "start"), _time_arg(end, "end")
    limits = Limits.current()

    def decode(path: Path) -> DecodedFile | FileFormatError:
        try:
            return read_pgm(path, limits)
        except FileFormatError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=min(_workers(workers), len(paths))) as pool:
        results = list(pool.map(decode, paths))
    problems: dict[str, list[str]] = {}
    selected: list[tuple[DecodedFile, int, np.datetime64, bool]] = []
    sites: dict[str, str] = {}
    shape: tuple[int, int] | None = None
    span: list[np.datetime64] = []
    earliest, latest = plausible_range(INSTRUMENT)
    for path, d in zip(paths, results, strict=True):
        if isinstance(d, FileFormatError):
            problems.setdefault(path.name, []).append(str(d).removeprefix(f"{path}: "))
            continue
        if d.problem:
            problems.setdefault(path.name, []).append(d.problem)
        if not d.frames:
            if not d.problem:
                problems.setdefault(path.name, []).append("no complete frame")
            continue
        first = d.frames[0]
        if first.bytes_per_pixel != 2:
            problems.setdefault(path.name, []).append(
                "8-bit frames, expected 16-bit spectra (maxval 65535)"
            )
            continue
        fshape = (first.height, first.width)
        if shape is not None and fshape != shape:
            raise IncompatibleInputError(
                f"{path.name} has {fshape[1]}x{fshape[0]} frames, earlier files "
                f"{shape[1]}x{shape[0]}; open files of one spectrograph at a time"
            )
        shape = fshape
        site = (_meta(first.metadata, "site unique id") or _site_device(path)[0]).lower()
        sites[path.name] = site
        bad_time: list[int] = []
        unlikely: list[int] = []
        off_name: list[int] = []  # far from the time in the file's name
        window = name_window(path)
        for i, frame in enumerate(d.frames):
            t = _request_time(frame.metadata)
            if t is None:
                bad_time.append(i)
                continue
            if not earliest <= t <= latest:
                unlikely.append(i)
                continue
            if window is not None and not window[0] <= t <= window[1]:
                off_name.append(i)
                continue
            span.append(t)
            if (t0 is not None and t < t0) or (t1 is not None and t > t1):
                continue
            selected.append((d, i, t, _is_dark(path, frame.metadata)))
        if bad_time:
            problems.setdefault(path.name, []).append(
                f"{_frames_text(bad_time, len(d.frames))}: no valid 'Image request start' (skipped)"
            )
        if unlikely:
            problems.setdefault(path.name, []).append(
                f"{_frames_text(unlikely, len(d.frames))}: 'Image request start' "
                f"{implausible_reason(INSTRUMENT)} (skipped)"
            )
        if off_name:
            problems.setdefault(path.name, []).append(
                f"{_frames_text(off_name, len(d.frames))}: 'Image request start' "
                f"{window[2]} (skipped)"  # type: ignore[index]
            )
    if len(set(sites.values())) > 1:
        raise IncompatibleInputError(
            f"the files come from more than one site: {', '.join(sorted(set(sites.values())))}; "
            "open each site separately"
        )
    report = _report(problems)
    if not span:
        raise FileFormatError(
            f"no spectrograph frame could be read from {len(paths)} file(s): "
            f"{_listing(report) or 'no files'}"
        )
    if not selected:
        raise OutOfRangeError(
            f"no frame between start={start} and end={end} in {len(paths)} file(s), which "
            f"cover {min(span)} to {max(span)}"
        )
    selected.sort(key=lambda s: s[2])
    height, width = shape  # type: ignore[misc]
    counts = np.empty((len(selected), height, width), dtype=np.uint16)
    for k, (d, i, _, _) in enumerate(selected):
        counts[k] = frame_array(d, i)
    metas = [d.frames[i].metadata for d, i, _, _ in selected]
    first_meta = metas[0]
    _warn(report, len(paths), "spectrograph raw")
    site = next(iter(sites.values()))
    ds = xr.Dataset(
        {
            "counts": (
                ("time", "spectral", "spatial"),
                counts,
                {"long_name": "raw spectrograph counts", "units": "counts"},
            ),
            "dark": (
                ("time",),
                np.array([s[3] for s in selected], dtype=bool),
                {"long_name": "dark frame (from a dark file or a closed shutter)"},
            ),
            "exposure_ms": (
                ("time",),
                np.array(
                    [
                        _number(_meta(m, "exposure plus readout", "exposure plus initial readout"))
                        for m in metas
                    ],
                    dtype=np.float32,
                ),
                {"long_name": "exposure plus readout", "units": "ms"},
            ),
        },
        coords={
            "time": ("time", np.array([s[2] for s in selected], dtype="datetime64[ns]")),
            "spectral": ("spectral", np.arange(height), {"long_name": "detector row"}),
            "spatial": ("spatial", np.arange(width), {"long_name": "spatial bin along the slit"}),
        },
        attrs=_attrs(
            "raw",
            site,
            (_meta(first_meta, "imager unique id") or _site_device(selected[0][0].path)[1]),
            first_meta,
            sorted({d.path.name for d, _, _, _ in selected}),
            report,
        ),
    )
    return ds.chunk(chunks) if chunks is not None else ds


def _attrs(
    level: str,
    site: str,
    device: str,
    meta: dict[str, Any],
    sources: list[str],
    report: list[dict[str, str]],
) -> dict[str, Any]:
    text = {k: str(v) for k, v in meta.items()}
    return {
        "geospacexr_kind": "spectrograph",
        "instrument": INSTRUMENT,
        "level": level,
        "site": site,
        "device": device.lower(),
        "site_lat": _number(
            _meta(text, "geodetic latitude", "geographic latitude", "geographic_latitude")
        ),
        "site_lon": _number(
            _meta(text, "geodetic longitude", "geographic longitude", "geographic_longitude")
        ),
        "source_files": json.dumps(sources),
        "problematic_files": json.dumps(report),
        "file_metadata": json.dumps(text),
    }


def _is_spect_h5(path: Path) -> bool:
    import h5py

    with h5py.File(path, "r") as f:
        return "data" in f and "spectra" in f["data"]


def _stamp(text: str) -> np.datetime64:
    text = text.strip()
    if text.upper().endswith("UTC"):
        text = text[:-3].strip()
    return to_ns(text.replace(" ", "T"), "timestamp")


def _read_l1(
    path: Path,
    t0: np.datetime64 | None,
    t1: np.datetime64 | None,
    limits: Limits,
    lazy: bool = False,
) -> tuple[Any, np.ndarray, np.ndarray, dict[str, str], str | None]:
    """``(spectra (time, wavelength, spatial), times, wavelength, metadata, problem)``.

    With ``lazy``, the spectra are a dask array read spectrum by spectrum when computed
    (a damaged one then raises :class:`FileFormatError` at that time).
    """
    import h5py

    try:
        with h5py.File(path, "r") as f:
            check_global_heaps(path, length_size(f))
            group = f.get("data")
            if not isinstance(group, h5py.Group):
                group = {}
            missing = [
                f"/data/{n}" for n in ("spectra", "timestamp", "wavelength") if n not in group
            ]
            if missing:
                raise FileFormatError(f"no {' and '.join(missing)} in the HDF5 file", path=path)
            spectra = check_storage(group["spectra"], path)
            if not isinstance(spectra, h5py.Dataset) or spectra.dtype.kind != "f":
                raise FileFormatError(
                    f"/data/spectra is {getattr(spectra, 'dtype', 'a group')}, expected floats",
                    path=path,
                )
            if spectra.ndim != 3:
                raise FileFormatError(
                    f"/data/spectra has shape {spectra.shape}, expected "
                    "(wavelength, spatial, time)",
                    path=path,
                )
            n_wave, n_spatial, frames = spectra.shape
            limits.check_frames(frames, path, "spectra")
            wavelength = check_size(
                check_storage(group["wavelength"], path), path, limits, kinds="f"
            )
            if wavelength.shape != (n_wave,):
                raise FileFormatError(
                    f"/data/wavelength has shape {wavelength.shape}, expected ({n_wave},)",
                    path=path,
                )
            wave = np.asarray(wavelength[()], dtype=np.float64)
            if not np.all(np.isfinite(wave)) or np.any(np.diff(wave) <= 0):
                raise FileFormatError(
                    "/data/wavelength is not a strictly increasing list of finite values",
                    path=path,
                )
            timestamp = check_size(
                check_storage(group["timestamp"], path), path, limits, kinds="SUO"
            )
            texts = read_strings(timestamp, path, "/data/timestamp")
            if len(texts) != frames:
                raise FileFormatError(f"{len(texts)} timestamps for {frames} spectra", path=path)
            stamps = np.empty(frames, dtype="datetime64[ns]")
            bad: list[int] = []
            earliest, latest = plausible_range(INSTRUMENT)
            for i, text in enumerate(texts):
                try:
                    stamps[i] = _stamp(text)
                except ValueError:
                    stamps[i] = np.datetime64("NaT")
                if np.isnat(stamps[i]) or not earliest <= stamps[i] <= latest:
                    bad.append(i)
            unusable = set(bad)
            keep = [
                i
                for i in range(frames)
                if i not in unusable
                and (t0 is None or stamps[i] >= t0)
                and (t1 is None or stamps[i] <= t1)
            ]
            meta: dict[str, str] = {}
            file_group = f.get("metadata/file")
            if isinstance(file_group, h5py.Group):
                for key, value in file_group.attrs.items():
                    meta[key] = _attr_text(value)
            problem_parts = []
            if bad:
                problem_parts.append(
                    f"{_frames_text(bad, frames)}: no valid timestamp or "
                    f"{implausible_reason(INSTRUMENT)} (skipped)"
                )
            if not keep:
                empty = np.empty((0, n_wave, n_spatial), np.float32)
                return empty, stamps[:0], wave, meta, "; ".join(problem_parts) or None
            if lazy:
                return (
                    _lazy_spectra(path, keep, (n_wave, n_spatial)),
                    stamps[keep],
                    wave,
                    meta,
                    "; ".join(problem_parts) or None,
                )
            lo, hi = keep[0], keep[-1] + 1
            limits.check_array(
                (hi - lo) * n_wave * n_spatial * 4,
                path,
                f"its {hi - lo} spectra of {n_wave}x{n_spatial}",
            )
            unread: list[int] = []
            try:
                data = np.asarray(spectra[:, :, lo:hi], dtype=np.float32)
                data = data[:, :, [i - lo for i in keep]]
            except OSError:  # a damaged chunk: read spectrum by spectrum, keep the good ones
                parts, good = [], []
                for i in keep:
                    try:
                        parts.append(np.asarray(spectra[:, :, i], dtype=np.float32))
                        good.append(i)
                    except OSError:
                        unread.append(i)
                if not good:
                    raise
                keep, data = good, np.stack(parts, axis=-1)
            if unread:
                problem_parts.append(f"{_frames_text(unread, frames)} cannot be decoded (skipped)")
    except FileFormatError:
        raise
    except Exception as exc:  # h5py raises many types on damaged files
        raise FileFormatError(
            f"cannot read the HDF5 file ({type(exc).__name__}: {exc})", path=path
        ) from None
    out = np.ascontiguousarray(np.moveaxis(data, -1, 0))
    return out, stamps[keep], wave, meta, "; ".join(problem_parts) or None


def _read_spectrum(path: Path, index: int) -> np.ndarray:
    """One spectrum ``(wavelength, spatial)`` of an L1 file (the lazy path's task)."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return np.asarray(f["data/spectra"][:, :, index], dtype=np.float32)
    except Exception as exc:  # h5py raises many types on damaged files
        raise FileFormatError(
            f"spectrum {index + 1} cannot be read ({type(exc).__name__}: {exc})", path=path
        ) from None


def _lazy_spectra(path: Path, keep: list[int], shape: tuple[int, int]) -> Any:
    import dask
    import dask.array as da

    return da.stack(
        [
            da.from_delayed(dask.delayed(_read_spectrum)(path, i), shape=shape, dtype=np.float32)
            for i in keep
        ]
    )


def _attr_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray) and value.size == 1:
        return _attr_text(value.reshape(()).item())
    return str(value)


@register_reader(
    "trex_spect_l1",
    kind="spectrograph",
    patterns=_L1_PATTERNS,
    magic=(b"\x89HDF",),
    sniff=_is_spect_h5,
    sample="trex_spect-rabb",
    description="TREx spectrograph processed (L1) hourly HDF5 spectra, Rayleighs per nm",
    group=_group,
)
def open_spect_l1(
    files: Paths,
    instrument: str | None = None,
    start: Any = None,
    end: Any = None,
    workers: int | None = None,
    chunks: Any = None,
) -> xr.Dataset:
    """Open TREx spectrograph processed (L1) HDF5 files of one site.

    Args:
        files: A file, glob pattern or list of hourly ``.h5`` files.
        instrument: ``"trex_spectrograph"`` or ``None``.
        start: First spectrum time to keep (inclusive).
        end: Last spectrum time to keep (inclusive).
        workers: Accepted for the common reader signature (files are read in turn).
        chunks: If given, ``spectra`` is a dask array with these chunks, read spectrum by
            spectrum when computed (the files' structure and timestamps are checked at once;
            ``io.max_array_mb`` then bounds nothing, as nothing is allocated).

    Returns:
        The L1 spectrograph Dataset described in this module's documentation.

    Raises:
        NoFilesError: If nothing matches ``files``.
        FileFormatError: If no spectrum can be read (every file and reason listed).
        IncompatibleInputError: If the files are of several sites or wavelength grids.
        InvalidArgumentError: If an argument is not valid.
        OutOfRangeError: If no spectrum lies between ``start`` and ``end``.
    """
    paths = expand_paths(files)
    _check_instrument(instrument)
    t0, t1 = _time_arg(start, "start"), _time_arg(end, "end")
    limits = Limits.current()
    problems: dict[str, list[str]] = {}
    parts: list[tuple[Path, np.ndarray, np.ndarray]] = []
    wave: np.ndarray | None = None
    meta0: dict[str, str] | None = None
    sites: set[str] = set()
    any_frames = False
    total = 0
    for path in paths:
        try:
            data, times, w, meta, problem = _read_l1(path, t0, t1, limits, chunks is not None)
        except FileFormatError as exc:
            problems.setdefault(path.name, []).append(str(exc).removeprefix(f"{path}: "))
            continue
        if problem:
            problems.setdefault(path.name, []).append(problem)
        any_frames = True
        if wave is not None and (w.shape != wave.shape or not np.allclose(w, wave)):
            raise IncompatibleInputError(
                f"{path.name} has another wavelength grid than the files before it; open "
                "files of one spectrograph calibration at a time"
            )
        wave = w
        site = (_meta(meta, "site_unique_id", "site unique id") or _site_device(path)[0]).lower()
        sites.add(site)
        if meta0 is None:
            meta0 = meta
        if len(times):
            total += len(times)
            if chunks is None:  # a lazy read takes memory only when computed
                limits.check_array(total * data[0].nbytes, path, f"{total} spectra in all")
            parts.append((path, data, times))
    if len(sites) > 1:
        raise IncompatibleInputError(
            f"the files come from more than one site: {', '.join(sorted(sites))}; open each "
            "site separately"
        )
    report = _report(problems)
    if not any_frames:
        raise FileFormatError(
            f"no spectrum could be read from {len(paths)} file(s): {_listing(report) or 'no files'}"
        )
    if not parts:
        raise OutOfRangeError(
            f"no spectrum between start={start} and end={end} in {len(paths)} file(s)"
        )
    if chunks is not None:
        import dask.array as da

        spectra = da.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
    else:
        spectra = np.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
    times = np.concatenate([p[2] for p in parts])
    order = np.argsort(times, kind="stable")
    if np.any(order != np.arange(order.size)):
        spectra, times = spectra[order], times[order]
    _warn(report, len(paths), "spectrograph L1")
    meta0 = meta0 or {}
    ds = xr.Dataset(
        {
            "spectra": (
                ("time", "wavelength", "spatial"),
                spectra,
                {"long_name": "calibrated spectra", "units": "R/nm"},
            )
        },
        coords={
            "time": ("time", times),
            "wavelength": ("wavelength", wave, {"long_name": "wavelength", "units": "nm"}),
            "spatial": (
                "spatial",
                np.arange(spectra.shape[2]),
                {"long_name": "spatial bin along the slit"},
            ),
        },
        attrs=_attrs(
            "l1",
            next(iter(sites)),
            _meta(meta0, "device_unique_id", "imager_unique_id") or _site_device(parts[0][0])[1],
            meta0,
            sorted({p[0].name for p in parts}),
            report,
        ),
    )
    return ds.chunk(chunks) if chunks is not None else ds


def open_spect_skymap(path: Paths, **_: Any) -> xr.Dataset:
    """Open a TREx spectrograph skymap ``.sav`` (``PROJECT_UID = "spect"``).

    :func:`geospacexr.open_skymap` opens these files too (it hands them here).

    Args:
        path: The skymap file (one file).

    Returns:
        The spectrograph skymap Dataset described in this module's documentation.

    Raises:
        FileFormatError: If the file is not a readable IDL save file with a spectrograph
            SKYMAP structure of consistent shapes and ranges.
    """
    from .skymap import open_skymap

    files = expand_paths(path)
    ds = open_skymap(files)
    if ds.attrs.get("instrument") != INSTRUMENT:
        raise FileFormatError(
            f"{files[0].name} is a {ds.attrs.get('instrument')!r} skymap, not a spectrograph one"
        )
    return ds


def build_spect_skymap(record: Any, names: set[str], file: Path) -> xr.Dataset:
    """Build the spectrograph skymap Dataset from a SKYMAP structure (``open_skymap`` calls it).

    The spatial bins are reversed, as pyucalgarysrs reverses them (its ``np.flip`` of
    ``full_elevation`` and of the corner arrays' bin axis), so bin ``i`` of the skymap is bin
    ``i`` of the pyucalgarysrs skymap that PyAuroraX pairs with spectra column ``i``.

    Args:
        record: The SKYMAP structure (a numpy record).
        names: Its field names.
        file: The file, for messages.

    Returns:
        The spectrograph skymap Dataset.

    Raises:
        FileFormatError: If a field is missing or has the wrong dtype, shape or range.
    """
    from .skymap import _interval, _scalar, _text, _uid

    needed = (
        "SITE_UID",
        "IMAGER_UID",
        "SITE_MAP_LATITUDE",
        "SITE_MAP_LONGITUDE",
        "SITE_MAP_ALTITUDE",
        "FULL_ELEVATION",
        "FULL_MAP_ALTITUDE",
        "FULL_MAP_LATITUDE",
        "FULL_MAP_LONGITUDE",
    )
    missing = [n for n in needed if n not in names]
    if missing:
        raise FileFormatError(f"spectrograph SKYMAP lacks {', '.join(missing)}", path=file)
    try:
        info: dict[str, str] = {}
        if "GENERATION_INFO" in names:
            gen = record["GENERATION_INFO"][0]
            if getattr(gen, "dtype", None) is None or gen.dtype.names is None:
                raise FileFormatError("GENERATION_INFO is not a structure")
            for key in ("DATE_GENERATED", "AUTHOR", "VALID_INTERVAL_START", "VALID_INTERVAL_STOP"):
                if key in gen.dtype.names:
                    info[key] = _text(gen[key])
        header = {
            "site": _uid(record, "SITE_UID").lower(),
            "imager": _uid(record, "IMAGER_UID").lower(),
            "project": "spect",
            "site_lat": _scalar(record, "SITE_MAP_LATITUDE", -90.0, 90.0),
            "site_lon": float((_scalar(record, "SITE_MAP_LONGITUDE", -360, 360) + 180) % 360 - 180),
            "site_alt_m": _scalar(record, "SITE_MAP_ALTITUDE", -500.0, 10_000.0),
            "valid_start": _interval(info.get("VALID_INTERVAL_START", ""), "VALID_INTERVAL_START"),
            "valid_end": _interval(info.get("VALID_INTERVAL_STOP", ""), "VALID_INTERVAL_STOP"),
            "generated": info.get("DATE_GENERATED", ""),
            "author": info.get("AUTHOR", ""),
            "generation_info": json.dumps(info),
            "source_file": file.name,
            "orientation": "spatial bins reversed as pyucalgarysrs reverses them",
        }
        check_validity_start(header["valid_start"], INSTRUMENT, "VALID_INTERVAL_START")
        if header["valid_start"] and header["valid_end"]:
            if header["valid_end"] < header["valid_start"]:
                raise FileFormatError(
                    f"GENERATION_INFO validity ends ({header['valid_end']}) before it starts "
                    f"({header['valid_start']})"
                )
        return _spect_skymap(record, file, header)
    except FileFormatError as exc:
        raise FileFormatError(
            f"malformed spectrograph SKYMAP: {str(exc).removeprefix(f'{file}: ')}", path=file
        ) from None
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, OverflowError) as exc:
        raise FileFormatError(
            f"malformed spectrograph SKYMAP ({type(exc).__name__}: {exc})", path=file
        ) from None


def _spect_skymap(record: Any, file: Path, header: dict[str, Any]) -> xr.Dataset:
    def array(key: str) -> np.ndarray:
        value = np.asarray(record[key])
        if value.dtype.kind not in "iuf":
            raise FileFormatError(f"{key} holds {value.dtype}, expected numbers", path=file)
        return value.astype(np.float64)

    elevation = array("FULL_ELEVATION").squeeze()
    lat = array("FULL_MAP_LATITUDE")
    lon = array("FULL_MAP_LONGITUDE")
    alt_m = np.atleast_1d(array("FULL_MAP_ALTITUDE"))
    if elevation.ndim != 1 or elevation.size < 1:
        raise FileFormatError(
            f"FULL_ELEVATION has shape {elevation.shape}, expected one value per spatial bin",
            path=file,
        )
    n = elevation.size
    if lat.shape != (alt_m.size, n + 1) or lon.shape != lat.shape:
        raise FileFormatError(
            f"FULL_MAP_LATITUDE/LONGITUDE shapes {lat.shape}/{lon.shape} do not match "
            f"{alt_m.size} altitudes of {n + 1} bin edges",
            path=file,
        )
    if alt_m.ndim != 1 or not np.all(np.isfinite(alt_m)) or np.any(alt_m <= 0):
        raise FileFormatError(f"FULL_MAP_ALTITUDE {alt_m} is not a list of heights", path=file)
    with np.errstate(invalid="ignore"):
        if np.any(np.abs(lat) > 90) or np.any(np.abs(elevation) > 90):
            raise FileFormatError("latitudes or elevations beyond 90 degrees", path=file)
    if not np.all(np.isfinite(alt_m)) or np.unique(alt_m).size != alt_m.size:
        raise FileFormatError(f"FULL_MAP_ALTITUDE {alt_m} are not distinct heights", path=file)
    # pyucalgarysrs's orientation: the bins reversed
    elevation, lat, lon = elevation[::-1], lat[:, ::-1], lon[:, ::-1]
    lon = (lon + 180.0) % 360.0 - 180.0
    lat_c = 0.5 * (lat[:, :-1] + lat[:, 1:])
    lon_c = _mean_lon(lon[:, :-1], lon[:, 1:])
    return xr.Dataset(
        {
            "elevation": (
                ("spatial",),
                elevation.astype(np.float32),
                {"long_name": "bin-centre elevation", "units": "degrees"},
            ),
            "lat_edge": (
                ("altitude", "spatial_edge"),
                lat.astype(np.float32),
                {"long_name": "bin-edge latitude", "units": "degrees_north"},
            ),
            "lon_edge": (
                ("altitude", "spatial_edge"),
                lon.astype(np.float32),
                {"long_name": "bin-edge longitude", "units": "degrees_east"},
            ),
            "lat": (
                ("altitude", "spatial"),
                lat_c.astype(np.float32),
                {"long_name": "bin-centre latitude", "units": "degrees_north"},
            ),
            "lon": (
                ("altitude", "spatial"),
                lon_c.astype(np.float32),
                {"long_name": "bin-centre longitude", "units": "degrees_east"},
            ),
        },
        coords={
            "altitude": (
                "altitude",
                alt_m / 1000.0,
                {"units": "km", "long_name": "mapping altitude"},
            ),
            "spatial": ("spatial", np.arange(n), {"long_name": "spatial bin along the slit"}),
        },
        attrs={**header, "geospacexr_kind": "skymap", "instrument": INSTRUMENT},
    )


def _mean_lon(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean of two longitudes across the antimeridian, in [-180, 180)."""
    d = (b - a + 180.0) % 360.0 - 180.0
    return (a + d / 2 + 180.0) % 360.0 - 180.0


def slit_positions(skymap: xr.Dataset, height_km: float | Sequence[float]) -> xr.Dataset:
    """Positions of the slit's bins at a height, interpolated as PyAuroraX does.

    PyAuroraX interpolates each bin edge's latitude and longitude linearly in altitude between
    the skymap's mapping altitudes, extrapolating outside them; this does the same for bin
    edges and centres.

    Args:
        skymap: A spectrograph skymap (:func:`open_spect_skymap`).
        height_km: One height or several (km).

    Returns:
        A Dataset with ``lat`` / ``lon`` ``(spatial)`` and ``lat_edge`` / ``lon_edge``
        ``(spatial_edge)`` (an extra leading ``height`` dimension when several heights are
        given).

    Raises:
        InvalidArgumentError: If ``skymap`` is not a spectrograph skymap or a height is not a
            finite positive number.
    """
    if "lat_edge" not in skymap or skymap.attrs.get("instrument") != INSTRUMENT:
        raise InvalidArgumentError(
            "needs a spectrograph skymap (geospacexr.io.spectrograph.open_spect_skymap)",
            argument="skymap",
        )
    heights = np.atleast_1d(np.asarray(height_km, dtype=np.float64))
    if heights.ndim != 1 or not np.all(np.isfinite(heights)) or np.any(heights <= 0):
        raise InvalidArgumentError(
            f"must be finite positive heights in km, not {height_km!r}", argument="height_km"
        )
    alts = skymap.altitude.values.astype(np.float64)
    order = np.argsort(alts)
    alts = alts[order]

    def interp(values: np.ndarray) -> np.ndarray:
        values = values[order]
        if alts.size == 1:
            return np.repeat(values[:1], heights.size, axis=0)
        # linear in altitude, extrapolated from the nearest two altitudes (scipy's
        # interp1d(kind="linear", fill_value="extrapolate"), as PyAuroraX calls it)
        idx = np.clip(np.searchsorted(alts, heights) - 1, 0, alts.size - 2)
        a0, a1 = alts[idx], alts[idx + 1]
        w = ((heights - a0) / (a1 - a0))[:, None]
        return values[idx] * (1 - w) + values[idx + 1] * w

    lon_edge = skymap.lon_edge.values.astype(np.float64)
    # unwrap along altitude so that interpolation does not cross the antimeridian wrongly
    lon_edge = lon_edge[0] + ((lon_edge - lon_edge[0] + 180.0) % 360.0 - 180.0)
    lon_c = skymap.lon.values.astype(np.float64)
    lon_c = lon_c[0] + ((lon_c - lon_c[0] + 180.0) % 360.0 - 180.0)

    def wrap(x: np.ndarray) -> np.ndarray:
        return (x + 180.0) % 360.0 - 180.0

    out = xr.Dataset(
        {
            "lat": (("height", "spatial"), interp(skymap.lat.values.astype(np.float64))),
            "lon": (("height", "spatial"), wrap(interp(lon_c))),
            "lat_edge": (("height", "spatial_edge"), interp(skymap.lat_edge.values.astype(float))),
            "lon_edge": (("height", "spatial_edge"), wrap(interp(lon_edge))),
        },
        coords={"height": ("height", heights, {"units": "km"}), "spatial": skymap.spatial.values},
        attrs={k: v for k, v in skymap.attrs.items() if k in ("site", "instrument")},
    )
    return out if np.ndim(height_km) else out.isel(height=0)
