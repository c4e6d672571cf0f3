"""TREx RGB and SMILE all-sky imager HDF5 files.

Layout (University of Calgary, as pyucalgarysrs reads it): ``/data/images`` uint8
``(height, width, 3, frames)`` (single-frame SMILE files: ``(height, width, 3)``),
``/data/timestamp`` ``(frames,)`` strings ``%Y-%m-%d %H:%M:%S.%f UTC``, file metadata as
attributes of ``/metadata/file`` and per-frame metadata as attributes of
``/metadata/frame/frame<i>`` (merged over the file's). Rows are flipped after reading, as
pyucalgarysrs does, so ``image[k]`` equals its ``data[:, :, :, k]``.

Only the layout above comes from the reader's source; no real file was available to check the
attribute names beyond the timestamps, so the exposure is taken from the first frame attribute
whose name contains ``exposure`` (a number in ms).
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

__all__ = ["open_h5_frames"]

_NAME = re.compile(
    r"^\d{8}_\d{4,6}(?:_\d{6})?_(?P<site>[a-z0-9]+)_(?P<imager>(?:rgb|smile)-\d+)", re.IGNORECASE
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
    return np.datetime64(text.replace(" ", "T"), "ns")


def _read_file(
    path: Path, t0: np.datetime64 | None, t1: np.datetime64 | None
) -> tuple[np.ndarray, list[np.datetime64], list[dict[str, str]]]:
    import h5py

    try:
        with h5py.File(path, "r") as f:
            if "data" not in f or "images" not in f["data"] or "timestamp" not in f["data"]:
                raise FileFormatError(
                    "no /data/images and /data/timestamp in the HDF5 file", path=path
                )
            images = f["data"]["images"]
            stamps = [_stamp(_text(v)) for v in np.atleast_1d(f["data"]["timestamp"][()])]
            single = images.ndim == 3
            if images.ndim not in (3, 4) or images.shape[2] != 3:
                raise FileFormatError(
                    f"/data/images has shape {images.shape}, expected (height, width, 3[, frames])",
                    path=path,
                )
            frames = 1 if single else images.shape[3]
            if len(stamps) != frames:
                raise FileFormatError(f"{len(stamps)} timestamps for {frames} frames", path=path)
            keep = [
                i
                for i, t in enumerate(stamps)
                if (t0 is None or t >= t0) and (t1 is None or t <= t1)
            ]
            if not keep:
                return np.empty((0, *images.shape[:3]), dtype=np.uint8), [], []
            data = images[()] if single else images[:, :, :, keep]
            data = data[..., None] if single else data
            file_meta = (
                {k: _text(v) for k, v in f["metadata"]["file"].attrs.items()}
                if "metadata" in f and "file" in f["metadata"]
                else {}
            )
            metas = []
            for i in keep:
                meta = dict(file_meta)
                group = f"metadata/frame/frame{i}"
                if group in f:
                    meta.update({k: _text(v) for k, v in f[group].attrs.items()})
                metas.append(meta)
    except FileFormatError:
        raise
    except Exception as exc:  # h5py raises many types on damaged files
        raise FileFormatError(
            f"cannot read the HDF5 file ({type(exc).__name__}: {exc})", path=path
        ) from None
    frames = np.moveaxis(np.asarray(data, dtype=np.uint8), -1, 0)[:, ::-1]
    return frames, [stamps[i] for i in keep], metas


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

    Raises:
        FileFormatError: If no frame can be read (every file's reason is listed).
        IncompatibleInputError: If the files come from several sites, imagers or sizes.
    """
    t0 = None if start is None else np.datetime64(start, "ns")
    t1 = None if end is None else np.datetime64(end, "ns")
    problems: list[dict[str, str]] = []
    parts: list[tuple[np.ndarray, list[np.datetime64], list[dict[str, str]], Path]] = []
    for path in paths:
        try:
            frames, stamps, metas = _read_file(path, t0, t1)
        except FileFormatError as exc:
            problems.append({"file": path.name, "reason": str(exc).removeprefix(f"{path}: ")})
            continue
        if stamps:
            parts.append((frames, stamps, metas, path))
    if not parts:
        reasons = (
            "; ".join(f"{p['file']}: {p['reason']}" for p in problems)
            or "no frame in the time range"
        )
        raise FileFormatError(f"no frame could be read from {len(paths)} HDF5 file(s): {reasons}")
    identities = set()
    for _, _, metas, path in parts:
        m = _NAME.match(path.name)
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
    image = np.concatenate([p[0] for p in parts])
    times = np.array([t for p in parts for t in p[1]], dtype="datetime64[ns]")
    metas = [m for p in parts for m in p[2]]
    order = np.argsort(times, kind="stable")
    if problems:
        warnings.warn(
            f"{len(problems)} problem(s) reading HDF5 files, good files kept: "
            + "; ".join(f"{p['file']}: {p['reason']}" for p in problems),
            DataWarning,
            stacklevel=3,
        )
    site, imager = identities.pop()
    first = metas[order[0]]
    instrument = "smile" if imager.startswith("smile") else "trex_rgb"

    def number(key: str) -> float:
        try:
            return float(re.match(r"\s*([-+]?\d+(?:\.\d*)?)", first.get(key, "")).group(1))  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            return float("nan")

    return xr.Dataset(
        {
            "image": (
                ("time", "y", "x", "channel"),
                image[order],
                {"long_name": "raw image", "units": "counts"},
            ),
            "exposure_ms": (
                ("time",),
                np.array([_exposure_ms(metas[i]) for i in order], dtype=np.float32),
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
            "site_lat": number("geodetic_latitude"),
            "site_lon": number("geodetic_longitude"),
            "site_alt_m": number("geodetic_altitude"),
            "source_files": json.dumps(sorted({p[3].name for p in parts})),
            "problematic_files": json.dumps(problems),
            "file_metadata": json.dumps(first),
            "orientation": "rows flipped after reading as pyucalgarysrs does: "
            "image[k] == pyucalgarysrs data[:, :, :, k]",
        },
    )
