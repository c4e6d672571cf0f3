"""Data files shipped inside the package (map outlines), read without any download."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from ._caches import register_cache
from .errors import FileFormatError, InvalidArgumentError

__all__ = ["coastlines", "data_file"]

#: SHA-256 of every shipped file, checked on first use.
CHECKSUMS = {
    "ne_110m_coastline.geojson": "851f581ff5ffb844deed8ae1a9ce22e3c4bb3d74fa342cadb5d8e39b41ae7c3c",
    "ne_110m_land.geojson": "9e0729ee253ca7d7a5c4ae9395fb1902264c5377c52e224d13dd85010e2835d9",
    "igrf14coeffs.txt": "8f8d88403028fc4ee92c4f38d97b46e0a87e2cfc496045b43c9e26c1d6b0903c",
}


def data_file(name: str) -> Path:
    """Return the path of a shipped data file, checked against its recorded SHA-256.

    Args:
        name: File name (see :data:`CHECKSUMS`).

    Returns:
        The path inside the installed package.

    Raises:
        FileFormatError: If the file is unknown, missing or altered (a broken installation).
    """
    if name not in CHECKSUMS:
        raise FileFormatError(f"no shipped data file {name!r}; shipped: {', '.join(CHECKSUMS)}")
    path = Path(str(resources.files("geospacexr") / "data" / name))
    if not path.is_file():
        raise FileFormatError("shipped data file missing: reinstall geospacexr", path=path)
    if hashlib.sha256(path.read_bytes()).hexdigest() != CHECKSUMS[name]:
        raise FileFormatError(
            "shipped data file does not match its checksum: reinstall geospacexr", path=path
        )
    return path


@cache
def coastlines(resolution: str = "110m") -> tuple[np.ndarray, ...]:
    """Return the Natural Earth coastlines as ``(n, 2)`` arrays of (longitude, latitude) degrees.

    Args:
        resolution: ``"110m"`` (the shipped resolution).

    Returns:
        One array per coastline segment; segments stop at ±180° and never wrap across it.

    Raises:
        InvalidArgumentError: If the resolution is not shipped (a ``ValueError``).
    """
    if resolution != "110m":
        raise InvalidArgumentError(f"shipped coastline resolutions: 110m, not {resolution!r}")
    features = json.loads(data_file("ne_110m_coastline.geojson").read_text(encoding="utf-8"))[
        "features"
    ]
    lines = []
    for feature in features:
        geometry = feature["geometry"]
        parts = (
            geometry["coordinates"]
            if geometry["type"] == "MultiLineString"
            else [geometry["coordinates"]]
        )
        lines.extend(np.asarray(part, dtype=np.float64) for part in parts)
    return tuple(lines)


register_cache(
    "resources.coastlines",
    coastlines.cache_clear,
    lambda: coastlines.cache_info().currsize,
    limit=lambda: 1,  # one shipped resolution; other resolutions raise and are not cached
    description="Natural Earth coastline segments",
)
