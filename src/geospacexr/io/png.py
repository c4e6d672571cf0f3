"""TREx RGB burst images: single PNG frames and ``.png.tar`` minute files.

A frame is an 8-bit RGB PNG with no text chunks: everything is in its name,
``YYYYMMDD_HHMMSS_ffffff_<site>_<imager>_<exposure>ms_<mode>.png``. A minute file is a tar of
such frames. Rows are flipped after decoding, as pyucalgarysrs does, so ``image[k]`` equals
pyucalgarysrs's ``data[:, :, :, k]``.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import DataWarning, FileFormatError, IncompatibleInputError

__all__ = ["PNG_NAME", "open_png_frames"]

PNG_NAME = re.compile(
    r"^(?P<date>\d{8})_(?P<time>\d{6})_(?P<frac>\d{6})_(?P<site>[a-z0-9]+)_(?P<imager>[a-z]+-\d+)_"
    r"(?P<exposure>[\d.]+)ms_(?P<mode>[a-z0-9-]+)\.png$",
    re.IGNORECASE,
)


def _frames_of(path: Path) -> list[tuple[str, bytes]]:
    """(member name, PNG bytes) of a PNG or a PNG tar."""
    if path.name.lower().endswith(".tar"):
        try:
            with tarfile.open(path) as tar:
                members = sorted(
                    (m for m in tar.getmembers() if m.isfile() and m.name.lower().endswith(".png")),
                    key=lambda m: m.name,
                )
                out = []
                for member in members:
                    fh = tar.extractfile(member)
                    if fh is not None:
                        out.append((Path(member.name).name, fh.read()))
                return out
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise FileFormatError(f"cannot read the PNG tar ({exc})", path=path) from None
    try:
        return [(path.name, path.read_bytes())]
    except OSError as exc:
        raise FileFormatError(f"cannot read ({exc})", path=path) from None


def _decode(data: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return np.asarray(img.convert("RGB"))


def open_png_frames(paths: list[Path], start: Any = None, end: Any = None) -> xr.Dataset:
    """Read TREx RGB PNG frames (and PNG tars) into a standard ``asi`` Dataset.

    Args:
        paths: PNG or ``.png.tar`` files of one site and imager.
        start: First time to keep.
        end: Last time to keep.

    Returns:
        ``image`` ``(time, y, x, channel)`` uint8 with ``channel`` = r, g, b; ``exposure_ms`` and
        ``mode`` per frame; attrs as :func:`geospacexr.open_asi`.

    Raises:
        FileFormatError: If no frame can be read.
        IncompatibleInputError: If the frames come from several sites or imagers or sizes.
    """
    try:
        import PIL  # noqa: F401
    except ImportError:
        raise ImportError("PNG images need Pillow: pip install 'geospacexr[asi]'") from None
    t0 = None if start is None else np.datetime64(start, "ns")
    t1 = None if end is None else np.datetime64(end, "ns")
    problems: list[dict[str, str]] = []
    frames: list[tuple[np.datetime64, np.ndarray, float, str, str, str, str]] = []
    for path in paths:
        try:
            members = _frames_of(path)
        except FileFormatError as exc:
            problems.append({"file": path.name, "reason": str(exc).removeprefix(f"{path}: ")})
            continue
        for name, data in members:
            m = PNG_NAME.match(name)
            if not m:
                problems.append(
                    {
                        "file": path.name,
                        "reason": f"{name}: name does not carry the frame's metadata",
                    }
                )
                continue
            g = m.groupdict()
            stamp = np.datetime64(
                f"{g['date'][:4]}-{g['date'][4:6]}-{g['date'][6:]}T{g['time'][:2]}:{g['time'][2:4]}:{g['time'][4:]}.{g['frac']}",
                "ns",
            )
            if (t0 is not None and stamp < t0) or (t1 is not None and stamp > t1):
                continue
            try:
                pixels = _decode(data)
            except Exception as exc:  # Pillow raises many types on damaged data
                problems.append(
                    {
                        "file": path.name,
                        "reason": f"{name}: cannot decode PNG ({type(exc).__name__})",
                    }
                )
                continue
            frames.append(
                (
                    stamp,
                    pixels[::-1],
                    float(g["exposure"]),
                    g["mode"],
                    g["site"].lower(),
                    g["imager"].lower(),
                    path.name,
                )
            )
    if not frames:
        reasons = (
            "; ".join(f"{p['file']}: {p['reason']}" for p in problems)
            or "no frames in the time range"
        )
        raise FileFormatError(f"no PNG frame could be read from {len(paths)} file(s): {reasons}")
    identities = sorted({(f[4], f[5]) for f in frames})
    if len(identities) > 1:
        raise IncompatibleInputError(
            f"frames of several sites/imagers: {identities}; open each separately"
        )
    shapes = {f[1].shape for f in frames}
    if len(shapes) > 1:
        raise IncompatibleInputError(f"frames of several sizes: {sorted(shapes)}")
    frames.sort(key=lambda f: f[0])
    if problems:
        warnings.warn(
            f"{len(problems)} problem(s) reading PNG frames, good frames kept: "
            + "; ".join(f"{p['file']}: {p['reason']}" for p in problems),
            DataWarning,
            stacklevel=3,
        )
    site, imager = identities[0]
    return xr.Dataset(
        {
            "image": (
                ("time", "y", "x", "channel"),
                np.stack([f[1] for f in frames]),
                {"long_name": "raw image", "units": "counts"},
            ),
            "exposure_ms": (
                ("time",),
                np.array([f[2] for f in frames], dtype=np.float32),
                {"long_name": "requested exposure", "units": "ms"},
            ),
            "mode": (
                ("time",),
                np.array([f[3] for f in frames], dtype=str),
                {"long_name": "imaging mode"},
            ),
        },
        coords={
            "time": ("time", np.array([f[0] for f in frames], dtype="datetime64[ns]")),
            "channel": ("channel", ["r", "g", "b"]),
        },
        attrs={
            "geospacexr_kind": "asi",
            "instrument": "trex_rgb",
            "site": site,
            "imager": imager,
            "site_name": "",
            "site_lat": float("nan"),
            "site_lon": float("nan"),
            "site_alt_m": float("nan"),
            "source_files": json.dumps(sorted({f[6] for f in frames})),
            "problematic_files": json.dumps(problems),
            "file_metadata": json.dumps({}),
            "orientation": "rows flipped after reading as pyucalgarysrs does: "
            "image[k] == pyucalgarysrs data[:, :, :, k]",
        },
    )
