"""All-sky imager skymaps (University of Calgary IDL ``.sav`` files) as a ``skymap`` Dataset.

Layout of the Dataset :func:`open_skymap` returns:

* ``elevation``, ``azimuth`` ``(y, x)``: pixel-centre angles in degrees (NaN outside the field
  of view), in the images' orientation;
* ``lat_corner``, ``lon_corner`` ``(altitude, y_corner, x_corner)``: geographic latitude and
  longitude of the pixel corners at the file's mapping altitudes (coordinate ``altitude`` in km),
  longitude in [-180, 180);
* attrs: ``geospacexr_kind = "skymap"``, ``site``, ``imager``, ``instrument``, ``project``,
  ``site_lat``, ``site_lon``, ``site_alt_m``, ``valid_start`` and ``valid_end`` (ISO times; an
  empty ``valid_end`` means "still valid", the file's ``+``), ``generated``, ``author``,
  ``source_file``.

**Orientation.** Rows are flipped (REGO also columns), exactly as pyucalgarysrs does for both
images and skymaps, so ``skymap.elevation[y, x]`` describes ``image[..., y, x]`` of
:func:`geospacexr.open_asi`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import FileFormatError
from .idlsav import check_record_chain
from .instruments import get_instrument, instrument_of_skymap_project, list_instruments
from .registry import Paths, expand_paths, register_reader

__all__ = ["open_skymap"]

_REQUIRED = (
    "SITE_UID",
    "IMAGER_UID",
    "PROJECT_UID",
    "SITE_MAP_LATITUDE",
    "SITE_MAP_LONGITUDE",
    "SITE_MAP_ALTITUDE",
    "FULL_ELEVATION",
    "FULL_AZIMUTH",
    "FULL_MAP_ALTITUDE",
    "FULL_MAP_LATITUDE",
    "FULL_MAP_LONGITUDE",
)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1").strip()
    if isinstance(value, np.ndarray) and value.dtype.kind == "O" and value.size == 1:
        return _text(value.item())
    return str(value).strip()


def _interval(text: str) -> str:
    """``YYYYMMDDHH`` (or ``YYYYMMDD``) -> ISO time; ``+`` -> "" (still valid)."""
    text = text.strip()
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})(\d{2})?", text)
    if not m:
        return ""
    y, mo, d, h = m.groups()
    return f"{y}-{mo}-{d}T{h or '00'}:00:00"


def _wrap(lon: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (lon + 180.0) % 360.0 - 180.0


@register_reader(
    "asi-skymap",
    kind="skymap",
    patterns=("*skymap*.sav",),
    magic=(b"SR\x00\x04", b"SR\x00\x06"),
    sample="themis-gill-skymap",
    description="University of Calgary all-sky imager skymaps (IDL .sav)",
    group=lambda path: path.name,  # one Dataset per file
)
def open_skymap(path: Paths, **_: Any) -> xr.Dataset:
    """Open a University of Calgary skymap ``.sav`` file.

    Args:
        path: The skymap file (one file; a list or pattern must match exactly one).

    Returns:
        The ``skymap`` Dataset described in this module's documentation.

    Raises:
        FileFormatError: If the file is not a readable IDL save file or lacks skymap fields.

    Example:
        >>> sky = geospacexr.open_skymap("themis_skymap_gill_20140101-+_v02.sav")  # doctest: +SKIP
        >>> sky.elevation.dims
        ('y', 'x')
    """
    import scipy.io

    files = expand_paths(path)
    if len(files) != 1:
        raise FileFormatError(
            f"open_skymap takes one file, got {len(files)}: {', '.join(f.name for f in files)}"
        )
    file = files[0]
    check_record_chain(file)  # readsav loops forever on a damaged record chain
    try:
        content = scipy.io.readsav(str(file), python_dict=True)
    except Exception as exc:  # scipy raises bare Exceptions on damaged files
        raise FileFormatError(
            f"not a readable IDL save file ({type(exc).__name__}: {exc})", path=file
        ) from None
    if "skymap" not in content:
        raise FileFormatError(
            f"no SKYMAP structure in the file (it has: {', '.join(content) or 'nothing'})",
            path=file,
        )
    try:
        record = content["skymap"][0]
        names = set(record.dtype.names)
    except (TypeError, IndexError, AttributeError):
        raise FileFormatError("SKYMAP is not a structure", path=file) from None
    missing = [n for n in _REQUIRED if n not in names]
    if missing:
        raise FileFormatError(f"SKYMAP lacks {', '.join(missing)}", path=file)
    try:
        return _build(record, names, file)
    except (ValueError, TypeError, IndexError) as exc:  # FileFormatError is a ValueError
        raise FileFormatError(f"malformed SKYMAP ({exc})", path=file) from None


def _build(record: Any, names: set[str], file: Path) -> xr.Dataset:
    project = _text(record["PROJECT_UID"]).lower()
    # the instrument table names the instrument of each PROJECT_UID; an unknown one is kept
    instrument = instrument_of_skymap_project(project) or project
    elevation = np.asarray(record["FULL_ELEVATION"], dtype=np.float32)
    azimuth = np.asarray(record["FULL_AZIMUTH"], dtype=np.float32)
    lat = np.asarray(record["FULL_MAP_LATITUDE"], dtype=np.float32)
    lon = np.asarray(record["FULL_MAP_LONGITUDE"], dtype=np.float32)
    alt_m = np.atleast_1d(np.asarray(record["FULL_MAP_ALTITUDE"], dtype=np.float64))
    if alt_m.size == 0 or not np.all(np.isfinite(alt_m)) or np.unique(alt_m).size != alt_m.size:
        raise FileFormatError(f"FULL_MAP_ALTITUDE must hold distinct finite altitudes, not {alt_m}")
    if elevation.ndim != 2 or azimuth.shape != elevation.shape:
        raise FileFormatError(f"elevation/azimuth shapes {elevation.shape}/{azimuth.shape}")
    h, w = elevation.shape
    if lat.shape != (alt_m.size, h + 1, w + 1) or lon.shape != lat.shape:
        raise FileFormatError(
            f"corner arrays {lat.shape} do not match {alt_m.size} altitudes of "
            f"{h + 1}x{w + 1} corners"
        )
    # pyucalgarysrs orientation: flip rows (REGO also columns: the table's flip_columns)
    elevation, azimuth = elevation[::-1], azimuth[::-1]
    lat, lon = lat[:, ::-1], lon[:, ::-1]
    flip_columns = instrument in list_instruments() and get_instrument(instrument).flip_columns
    if flip_columns:
        elevation, azimuth, lat, lon = (
            elevation[:, ::-1],
            azimuth[:, ::-1],
            lat[:, :, ::-1],
            lon[:, :, ::-1],
        )
    info: dict[str, str] = {}
    if "GENERATION_INFO" in names:
        gen = record["GENERATION_INFO"][0]
        for key in (
            "DATE_GENERATED",
            "AUTHOR",
            "VALID_INTERVAL_START",
            "VALID_INTERVAL_STOP",
            "DATE_TIME_USED",
            "CODE_USED",
        ):
            if key in gen.dtype.names:
                info[key] = _text(gen[key])
    site_lon = float(_wrap(np.float64(record["SITE_MAP_LONGITUDE"])))
    ds = xr.Dataset(
        {
            "elevation": (
                ("y", "x"),
                np.ascontiguousarray(elevation),
                {"long_name": "pixel-centre elevation", "units": "degrees"},
            ),
            "azimuth": (
                ("y", "x"),
                np.ascontiguousarray(azimuth),
                {"long_name": "pixel-centre azimuth (east of north)", "units": "degrees"},
            ),
            "lat_corner": (
                ("altitude", "y_corner", "x_corner"),
                np.ascontiguousarray(lat),
                {"long_name": "pixel-corner latitude", "units": "degrees_north"},
            ),
            "lon_corner": (
                ("altitude", "y_corner", "x_corner"),
                np.ascontiguousarray(_wrap(lon)),
                {"long_name": "pixel-corner longitude", "units": "degrees_east"},
            ),
        },
        coords={
            "altitude": (
                "altitude",
                alt_m / 1000.0,
                {"units": "km", "long_name": "mapping altitude"},
            )
        },
        attrs={
            "geospacexr_kind": "skymap",
            "site": _text(record["SITE_UID"]).lower(),
            "imager": _text(record["IMAGER_UID"]).lower(),
            "project": project,
            "instrument": instrument,
            "site_lat": float(record["SITE_MAP_LATITUDE"]),
            "site_lon": site_lon,
            "site_alt_m": float(record["SITE_MAP_ALTITUDE"]),
            "valid_start": _interval(info.get("VALID_INTERVAL_START", "")),
            "valid_end": _interval(info.get("VALID_INTERVAL_STOP", "")),
            "generated": info.get("DATE_GENERATED", ""),
            "author": info.get("AUTHOR", ""),
            "generation_info": json.dumps(info),
            "source_file": file.name,
            "orientation": "rows flipped after reading"
            + (" and columns" if flip_columns else "")
            + " as pyucalgarysrs does, matching open_asi images",
        },
    )
    return ds
