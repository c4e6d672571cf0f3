"""TREx RGB and SMILE all-sky imager HDF5 files.

Layout (University of Calgary, as pyucalgarysrs reads it): ``/data/images`` uint8
``(height, width, 3, frames)``, ``/data/timestamp`` ``(frames,)`` strings
``%Y-%m-%d %H:%M:%S.%f UTC``, file metadata as attributes of ``/metadata/file`` and per-frame
metadata as attributes of ``/metadata/frame/frame<i>`` (merged over the file's). SMILE
single-frame files (``YYYYMMDD_HHMMSS_ffffff_<site>_smile-NN_raw.h5``, written when frames were
not bundled into a minute file on site) have a 3-D ``(height, width, 3)`` image and store every
attribute as a one-element array; both flavours read the same way and may be mixed.

Each frame's time is its ``image_request_start`` (SMILE) or ``image_request_start_timestamp``
(TREx RGB) attribute, the timestamps pyucalgarysrs reports, or ``/data/timestamp`` when the
frame has neither. ``start`` / ``end`` select on that time, inclusive. Rows are flipped after
reading, as pyucalgarysrs does, so ``image[k]`` equals its ``data[:, :, :, k]``.

Only the layout above comes from the reader's source and tests; no real file was available to
check the other attribute names, so the site position is taken from ``geodetic_latitude`` /
``geodetic_longitude`` (or ``site_latitude`` / ``latitude`` ...) when present, and the exposure
from the first frame attribute whose name contains ``exposure`` (a number in ms).
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import DataWarning, FileFormatError, IncompatibleInputError
from .h5safe import check_global_heaps, length_size
from .hdf5 import check_size, check_storage
from .instruments import imager_regex, instrument_of_file, instrument_of_imager, instruments
from .limits import Limits
from .times import check_ns, far_from_name, implausible, to_ns

__all__ = ["open_h5_frames"]

_READER = "asi-h5"


def _name(text: str) -> re.Match[str] | None:
    """Site and imager from a file name, for the imagers the table assigns to this reader."""
    return re.match(
        rf"^\d{{8}}_\d{{4,6}}(?:_\d{{6}})?_(?P<site>[a-z0-9]+)_(?P<imager>{imager_regex(_READER)})",
        text,
        re.IGNORECASE,
    )


def _text(value: Any) -> str:
    value = np.asarray(value)
    if value.size == 1:
        value = value.ravel()[0]
    if isinstance(value, bytes):
        return value.decode("latin-1").strip()
    return str(value).strip()


def _stamp(text: str) -> np.datetime64:
    text = text.strip().removesuffix("UTC").strip()
    return to_ns(text.replace(" ", "T"), "frame time")


#: frame attributes holding the frame time (SMILE, TREx RGB), as pyucalgarysrs reads them
_TIME_KEYS = ("image_request_start", "image_request_start_timestamp")
#: attribute names tried, in order, for the site position
_POSITION_KEYS = {
    "lat": ("geodetic_latitude", "site_latitude", "site_map_latitude", "latitude"),
    "lon": ("geodetic_longitude", "site_longitude", "site_map_longitude", "longitude"),
    "alt": ("geodetic_altitude", "site_altitude", "site_map_altitude", "altitude"),
}


def _frame_time(meta: dict[str, str], fallback: np.datetime64) -> np.datetime64:
    for key in _TIME_KEYS:
        if key in meta:
            try:
                when = _stamp(meta[key])
            except ValueError:
                break  # unreadable: keep /data/timestamp
            if np.isnat(when):
                break  # empty: keep /data/timestamp
            return when
    return fallback


def _fixed_width_stamps(values: np.ndarray) -> np.ndarray | None:
    """Stamps of one fixed-width byte layout, parsed without a Python step per stamp.

    The files hold ``YYYY-MM-DD HH:MM:SS.ffffff UTC``; anything else returns ``None`` (and
    goes the slower, general way).
    """
    width = values.dtype.itemsize
    if values.dtype.kind != "S" or values.size == 0 or width < 19:
        return None
    m = values.view(np.uint8).reshape(values.size, width).copy()
    filled = m != 0
    lengths = filled.sum(axis=1)
    size = int(lengths[0])
    if size < 19 or not (lengths == size).all() or not filled[:, :size].all():
        return None
    for suffix in (b" UTC", b"UTC"):
        if (
            size - len(suffix) >= 19
            and (m[:, size - len(suffix) : size] == np.frombuffer(suffix, np.uint8)).all()
        ):
            m[:, size - len(suffix) : size] = 0
            break
    if (m[:, 10] == ord(" ")).all():
        m[:, 10] = ord("T")
    try:
        parsed = m.view(f"S{width}").ravel().astype("datetime64[us]")
        if np.isnat(parsed).any():
            return None
        check_ns(parsed, "frame time")
    except (ValueError, TypeError):
        return None
    return parsed.astype("datetime64[ns]")


def _timestamps(values: np.ndarray) -> np.ndarray:
    """``/data/timestamp`` texts as ``datetime64[ns]``, parsed in one vectorised step.

    Raises:
        ValueError: If a text is not a time or lies outside what ``datetime64[ns]`` holds.
    """
    values = np.atleast_1d(values).ravel()
    fast = _fixed_width_stamps(values)
    if fast is not None:
        return fast
    try:
        if values.dtype.kind == "S":
            texts = np.char.decode(values, "latin-1")
        else:
            texts = np.array([_text(v) for v in values], dtype=str)
        texts = np.char.replace(np.char.strip(texts), "UTC", "")
        texts = np.char.replace(np.char.strip(texts), " ", "T")
        parsed = texts.astype("datetime64[us]")
        if np.isnat(parsed).any():
            raise ValueError("not a time")
        check_ns(parsed, "frame time")
    except (ValueError, TypeError, UnicodeError):
        # one text at a time, for the message naming the bad one
        return np.array([_stamp(_text(v)) for v in values], dtype="datetime64[ns]")
    return parsed.astype("datetime64[ns]")


def _frame_metadata(f: Any, frames: int) -> tuple[dict[str, str], dict[int, dict[str, str]]]:
    """The file's metadata, and that of each frame with a ``/metadata/frame/frame<i>``.

    A frame's own metadata is the file's merged with its group's attributes; a frame without a
    group has the file's. Only the groups present are visited, so a file declaring many frames
    costs what it stores.
    """
    meta = f.get("metadata")
    source = meta.get("file") if meta is not None and hasattr(meta, "get") else None
    file_meta = {k: _text(v) for k, v in source.attrs.items()} if source is not None else {}
    metas: dict[int, dict[str, str]] = {}
    group = meta.get("frame") if meta is not None and hasattr(meta, "get") else None
    if group is None or not hasattr(group, "keys"):
        return file_meta, metas
    for name in group.keys():
        m = re.fullmatch(r"frame(\d{1,12})", name)
        if m is None or int(m.group(1)) >= frames:
            continue
        own = dict(file_meta)
        own.update({k: _text(v) for k, v in group[name].attrs.items()})
        metas[int(m.group(1))] = own
    return file_meta, metas


def _read_file(
    path: Path, t0: np.datetime64 | None, t1: np.datetime64 | None, limits: Limits | None = None
) -> tuple[np.ndarray, np.ndarray, list[dict[str, str]], str | None]:
    import h5py

    limits = limits or Limits.current()
    try:
        with h5py.File(path, "r") as f:
            # A damaged variable-length string heap sends libhdf5 into an endless loop on the
            # first string read (timestamps, attributes): refuse it before reading any.
            check_global_heaps(path, length_size(f))
            group = f.get("data")
            if not isinstance(group, h5py.Group):
                group = {}
            missing = [f"/data/{n}" for n in ("images", "timestamp") if n not in group]
            if missing:
                found = ", ".join(f"/data/{k}" for k in group)
                raise FileFormatError(
                    f"no {' and '.join(missing)} in the HDF5 file"
                    + (f" (it has {found})" if found else ""),
                    path=path,
                )
            images = check_storage(group["images"], path)
            if not isinstance(images, h5py.Dataset) or images.dtype.kind not in "biu":
                raise FileFormatError(
                    f"/data/images is {getattr(images, 'dtype', 'a group')}, expected unsigned "
                    "integer pixels",
                    path=path,
                )
            single = images.ndim == 3
            if images.ndim not in (3, 4) or images.shape[2] != 3:
                raise FileFormatError(
                    f"/data/images has shape {images.shape}, expected (height, width, 3[, frames])",
                    path=path,
                )
            # the declaration, checked before anything is read
            frames = 1 if single else images.shape[3]
            limits.check_frames(frames, path, "frames")
            limits.check_image(images.shape[1], images.shape[0], 3 * images.dtype.itemsize, path)
            timestamp = check_storage(group["timestamp"], path)
            check_size(timestamp, path, limits, kinds="SUO")
            if timestamp.size != frames:
                raise FileFormatError(f"{timestamp.size} timestamps for {frames} frames", path=path)
            stamps = _timestamps(timestamp[()])
            file_meta, own = _frame_metadata(f, frames)
            for i, meta in [(slice(None), file_meta), *own.items()]:
                when = _frame_time(meta, None)  # type: ignore[arg-type]
                if when is not None:
                    stamps[i] = when
            selected = np.ones(frames, dtype=bool)
            if t0 is not None:
                selected &= stamps >= t0
            if t1 is not None:
                selected &= stamps <= t1
            keep = np.flatnonzero(selected).tolist()
            if not keep:
                empty = np.empty((0, *images.shape[:3]), dtype=np.uint8)
                return empty, stamps[:0], [], None
            bad: list[int] = []
            lo, hi = keep[0], keep[-1] + 1
            frame_bytes = int(np.prod(images.shape[:3])) * images.dtype.itemsize
            limits.check_array(
                (hi - lo) * frame_bytes,
                path,
                f"its {hi - lo} frames of {images.shape[1]}x{images.shape[0]}",
            )
            if single:
                data = images[()][..., None]
            else:
                try:  # one contiguous read, then the selection in memory
                    data = images[:, :, :, lo:hi]
                    if len(keep) != hi - lo:
                        data = data[..., [i - lo for i in keep]]
                except OSError:  # a damaged chunk: read chunk by chunk, keep the good ones
                    parts, good = [], []
                    for group in _by_frame_chunk(keep, images.chunks):
                        try:
                            parts.append(images[:, :, :, group[0] : group[-1] + 1])
                            if len(group) != group[-1] + 1 - group[0]:
                                parts[-1] = parts[-1][..., [i - group[0] for i in group]]
                            good.extend(group)
                        except OSError:
                            bad.extend(group)
                    if not good:
                        raise
                    keep, data = good, np.concatenate(parts, axis=-1)
    except FileFormatError:
        raise
    except Exception as exc:  # h5py raises many types on damaged files
        raise FileFormatError(
            f"cannot read the HDF5 file ({type(exc).__name__}: {exc})", path=path
        ) from None
    frames_out = _frames_first(np.asarray(data, dtype=np.uint8))
    problem = (
        f"frame(s) {', '.join(str(i + 1) for i in bad)} cannot be decoded (skipped)"
        if bad
        else None
    )
    metas = [own.get(i, file_meta) for i in keep]
    return frames_out, stamps[keep], metas, problem


def _by_frame_chunk(frames: list[int], chunks: tuple[int, ...] | None) -> list[list[int]]:
    """``frames`` (sorted indices) grouped by the HDF5 chunk that holds them along the frame axis.

    Reading the frames of one chunk one at a time would decompress that chunk once per frame
    (a 1 GiB chunk of 20 frames: 20 times); a group is read at once, and fails or succeeds as
    one. A contiguous dataset (no chunks) is read frame by frame.
    """
    per = chunks[-1] if chunks else 1
    groups: dict[int, list[int]] = {}
    for i in frames:
        groups.setdefault(i // per, []).append(i)
    return list(groups.values())


#: Bytes of the stored ``(row, column, channel, frame)`` pixels that :func:`_frames_first`
#: transposes at a time: a block that stays in a core's cache while it is rearranged.
_TRANSPOSE_BLOCK_BYTES = 1 << 16


def _frames_first(data: np.ndarray) -> np.ndarray:
    """The stored ``(y, x, channel, frame)`` pixels as one contiguous ``(frame, y, x, channel)``.

    Rows are flipped (the file's first row is the image's bottom). Each stored row is a
    ``(x * channel, frame)`` matrix, so the rearrangement is a transpose of a few rows at a
    time: about three times faster than one strided copy of the whole array, which misses the
    cache on nearly every byte (0.7 s against 2.3 s for the 1 GiB a file may declare within
    ``io.max_array_mb``).
    """
    height, frames = data.shape[0], data.shape[-1]
    row = int(np.prod(data.shape[1:-1]))  # x * channel
    src = data[::-1].reshape(height, row, frames)
    out = np.empty((frames, height, row), dtype=data.dtype)
    step = max(1, _TRANSPOSE_BLOCK_BYTES // max(1, row * frames * data.itemsize))
    for r0 in range(0, height, step):
        out[:, r0 : r0 + step] = src[r0 : r0 + step].transpose(2, 0, 1)
    return out.reshape(frames, *data.shape[:-1])


def _exposure_ms(meta: dict[str, str]) -> float:
    for key, value in meta.items():
        if "exposure" in key.lower():
            m = re.match(r"\s*([-+]?\d+(?:\.\d*)?)", value)
            if m:
                return float(m.group(1))
    return float("nan")


def open_h5_frames(paths: list[Path], start: Any = None, end: Any = None) -> xr.Dataset:
    """Read TREx RGB / SMILE HDF5 files of one site into a standard ``asi`` Dataset.

    Args:
        paths: HDF5 files.
        start: First time to keep.
        end: Last time to keep.

    Returns:
        ``image`` ``(time, y, x, channel)`` uint8, ``exposure_ms`` per frame, attrs as
        :func:`geospacexr.open_asi`.

    Limits (:mod:`geospacexr.io.limits`): ``/data/images`` must hold integer pixels and its
    declared shape must stay within ``io.max_frames`` and ``io.max_image_pixels``, the frames
    read (those in ``[start, end]``) within ``io.max_array_mb``, ``/data/timestamp`` within
    ``io.max_array_mb``: all checked from the declarations, before anything is read. A file
    beyond a limit is reported like a damaged one.

    Raises:
        FileFormatError: If no frame can be read (every file's reason is listed).
        IncompatibleInputError: If the files come from several sites, imagers or sizes.
    """
    t0 = None if start is None else to_ns(start, "start")
    t1 = None if end is None else to_ns(end, "end")
    limits = Limits.current()
    problems: list[dict[str, str]] = []
    parts: list[tuple[np.ndarray, np.ndarray, list[dict[str, str]], Path]] = []
    for path in paths:
        try:
            frames, stamps, metas, problem = _read_file(path, t0, t1, limits)
        except FileFormatError as exc:
            problems.append({"file": path.name, "reason": str(exc).removeprefix(f"{path}: ")})
            continue
        if problem:
            problems.append({"file": path.name, "reason": problem})
        untimed = np.isnat(stamps)  # an empty timestamp and no frame attribute to replace it
        if untimed.any():
            problems.append(
                {"file": path.name, "reason": f"{untimed.sum()} frame(s) without a time (skipped)"}
            )
            frames, stamps = frames[~untimed], stamps[~untimed]
            metas = [m for m, b in zip(metas, untimed, strict=True) if not b]
        found = instrument_of_file(path)  # frames outside its plausible range (io.times)
        bad, why = implausible(stamps, found[0].name if found else None)
        if bad.any():
            problems.append({"file": path.name, "reason": f"{bad.sum()} frame(s) {why} (skipped)"})
            frames, stamps = frames[~bad], stamps[~bad]
            metas = [m for m, b in zip(metas, bad, strict=True) if not b]
        far, why = far_from_name(stamps, path)  # far from the start time in the file's name
        if far.any():
            problems.append({"file": path.name, "reason": f"{far.sum()} frame(s) {why} (skipped)"})
            frames, stamps = frames[~far], stamps[~far]
            metas = [m for m, b in zip(metas, far, strict=True) if not b]
        if len(stamps):
            parts.append((frames, stamps, metas, path))
    if not parts:
        reasons = (
            "; ".join(f"{p['file']}: {p['reason']}" for p in problems)
            or "no frame in the time range"
        )
        raise FileFormatError(f"no frame could be read from {len(paths)} HDF5 file(s): {reasons}")
    identities = set()
    for _, _, metas, path in parts:
        m = _name(path.name)
        site = (metas[0].get("site_unique_id") or (m.group("site") if m else "")).lower()
        imager = (metas[0].get("imager_unique_id") or (m.group("imager") if m else "")).lower()
        identities.add((site, imager))
    if len(identities) > 1:
        raise IncompatibleInputError(
            f"files of several sites/imagers: {sorted(identities)}; open each separately"
        )
    shapes = {p[0].shape[1:] for p in parts}
    if len(shapes) > 1:
        raise IncompatibleInputError(f"frames of several sizes: {sorted(shapes)}")
    times = np.concatenate([p[1] for p in parts]).astype("datetime64[ns]")
    metas = [m for p in parts for m in p[2]]
    order = np.argsort(times, kind="stable")
    # one contiguous (time, y, x, channel) array (each file's frames are already contiguous)
    if np.all(order == np.arange(order.size)):
        image = (
            np.ascontiguousarray(parts[0][0])
            if len(parts) == 1
            else np.concatenate([p[0] for p in parts])
        )
    else:
        image = np.concatenate([p[0] for p in parts])[order]
    exposure = {id(m): _exposure_ms(m) for m in metas}  # frames may share one metadata dict
    if problems:
        warnings.warn(
            f"{len(problems)} problem(s) reading HDF5 files, good files kept: "
            + "; ".join(f"{p['file']}: {p['reason']}" for p in problems),
            DataWarning,
            stacklevel=3,
        )
    site, imager = identities.pop()
    first = metas[order[0]]
    # the table's instrument of this imager; an unknown imager is read as the reader's first
    # instrument (TREx RGB), as before the table existed
    instrument = instrument_of_imager(imager, reader=_READER) or instruments(reader=_READER)[0].name

    def number(what: str) -> float:
        for key in _POSITION_KEYS[what]:
            m = re.match(r"\s*([-+]?\d+(?:\.\d*)?)", first.get(key, ""))
            if m:
                return float(m.group(1))
        return float("nan")

    site_lon = number("lon")
    site_lon = (site_lon + 180.0) % 360.0 - 180.0  # [-180, 180), NaN stays NaN

    return xr.Dataset(
        {
            "image": (
                ("time", "y", "x", "channel"),
                image,
                {"long_name": "raw image", "units": "counts"},
            ),
            "exposure_ms": (
                ("time",),
                np.array([exposure[id(metas[i])] for i in order], dtype=np.float32),
                {"long_name": "exposure", "units": "ms"},
            ),
        },
        coords={"time": ("time", times[order]), "channel": ("channel", ["r", "g", "b"])},
        attrs={
            "geospacexr_kind": "asi",
            "instrument": instrument,
            "site": site,
            "imager": imager,
            "site_name": first.get("site_name", ""),
            "site_lat": number("lat"),
            "site_lon": site_lon,
            "site_alt_m": number("alt"),
            "source_files": json.dumps(sorted({p[3].name for p in parts})),
            "problematic_files": json.dumps(problems),
            "file_metadata": json.dumps(first),
            "orientation": "rows flipped after reading as pyucalgarysrs does: "
            "image[k] == pyucalgarysrs data[:, :, :, k]",
        },
    )
