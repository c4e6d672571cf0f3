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
from .times import check_validity_start, to_ns

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

#: plausible site altitude (m above sea level) and highest mapping altitude (m)
_SITE_ALT_M = (-500.0, 10_000.0)
_MAP_ALT_M = 10_000_000.0


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1").strip()
    if isinstance(value, np.ndarray) and value.dtype.kind == "O" and value.size == 1:
        return _text(value.item())
    return str(value).strip()


def _interval(text: str, key: str = "VALID_INTERVAL_START") -> str:
    """``YYYYMMDDHH`` (or ``YYYYMMDD``) -> ISO time; ``+`` or nothing -> "" (still valid).

    Raises:
        FileFormatError: If the text is anything else, or not a real date (month 13, hour 25),
            so a damaged validity period is refused at open, not met later in a keogram.
    """
    text = text.strip()
    if text in ("", "+"):
        return ""
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})(\d{2})?", text)
    if m:
        y, mo, d, h = m.groups()
        iso = f"{y}-{mo}-{d}T{h or '00'}:00:00"
        try:
            to_ns(iso, key)
            return iso
        except ValueError:
            pass
    raise FileFormatError(
        f"GENERATION_INFO.{key} is {text[:40]!r}, not a date (YYYYMMDD[HH], or + for open-ended)"
    )


def _scalar(record: Any, key: str, low: float, high: float) -> float:
    """A numeric scalar field of the SKYMAP structure within ``[low, high]``."""
    value = np.asarray(record[key])
    if value.dtype.kind not in "iuf" or value.size != 1:
        shown = _text(record[key])[:40] if value.dtype.kind in "SUO" else f"shape {value.shape}"
        raise FileFormatError(f"{key} must be one number, found {value.dtype} ({shown})")
    number = float(value.ravel()[0])
    if not low <= number <= high:  # also refuses NaN
        raise FileFormatError(f"{key} is {number}, outside [{low}, {high}]")
    return number


def _array(record: Any, key: str, ndim: int) -> np.ndarray:
    """A numeric array field of the SKYMAP structure with ``ndim`` non-empty dimensions."""
    value = np.asarray(record[key])
    if value.dtype.kind not in "iuf":
        raise FileFormatError(f"{key} holds {value.dtype} values, expected numbers")
    if value.ndim != ndim or value.size == 0:
        raise FileFormatError(
            f"{key} has shape {value.shape}, expected {ndim} non-empty dimensions"
        )
    return value


def _within(values: np.ndarray, key: str, low: float, high: float) -> None:
    """Refuse finite values outside ``[low, high]`` (NaN marks pixels outside the view)."""
    with np.errstate(invalid="ignore"):
        bad = np.isinf(values) | (values < low) | (values > high)
    if bad.any():
        raise FileFormatError(
            f"{key} holds {int(bad.sum())} value(s) outside [{low}, {high}] "
            f"(e.g. {values[bad].ravel()[0]})"
        )


def _uid(record: Any, key: str) -> str:
    value = record[key]
    if isinstance(value, np.ndarray) and value.dtype.kind == "O" and value.size == 1:
        value = value.item()
    if not isinstance(value, (bytes, str, np.bytes_, np.str_)):
        raise FileFormatError(f"{key} must be text, found {type(value).__name__}")
    return _text(value)


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
        FileFormatError: If the file is not a readable IDL save file or lacks skymap fields, or
            a field has the wrong type, shape or range: a validity date
            (``VALID_INTERVAL_START``/``STOP``) that is not a date or ends before it starts, a
            site position that is not one number in range, text UIDs that are not text, angle
            and corner arrays of the wrong dtype or shape, latitudes beyond the poles.

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
    if "PROJECT_UID" in names and _uid(record, "PROJECT_UID").lower() == "spect":
        from .spectrograph import build_spect_skymap  # the slit of a spectrograph, no azimuth

        return build_spect_skymap(record, names, file)
    missing = [n for n in _REQUIRED if n not in names]
    if missing:
        raise FileFormatError(f"SKYMAP lacks {', '.join(missing)}", path=file)
    try:
        return _build(record, names, file)
    except FileFormatError as exc:
        raise FileFormatError(f"malformed SKYMAP: {exc}", path=file) from None
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, OverflowError) as exc:
        raise FileFormatError(
            f"malformed SKYMAP ({type(exc).__name__}: {exc})", path=file
        ) from None


def _build(record: Any, names: set[str], file: Path) -> xr.Dataset:
    project = _uid(record, "PROJECT_UID").lower()
    site, imager = _uid(record, "SITE_UID").lower(), _uid(record, "IMAGER_UID").lower()
    # the instrument table names the instrument of each PROJECT_UID; an unknown one is kept
    instrument = instrument_of_skymap_project(project) or project
    site_lat = _scalar(record, "SITE_MAP_LATITUDE", -90.0, 90.0)
    site_lon = float(_wrap(np.float64(_scalar(record, "SITE_MAP_LONGITUDE", -360.0, 360.0))))
    site_alt_m = _scalar(record, "SITE_MAP_ALTITUDE", *_SITE_ALT_M)
    elevation = _array(record, "FULL_ELEVATION", 2).astype(np.float32)
    azimuth = _array(record, "FULL_AZIMUTH", 2).astype(np.float32)
    lat = _array(record, "FULL_MAP_LATITUDE", 3).astype(np.float32)
    lon = _array(record, "FULL_MAP_LONGITUDE", 3).astype(np.float32)
    alt_raw = np.atleast_1d(np.asarray(record["FULL_MAP_ALTITUDE"]))
    if alt_raw.dtype.kind not in "iuf" or alt_raw.ndim != 1:
        raise FileFormatError(
            f"FULL_MAP_ALTITUDE must be a list of altitudes, found {alt_raw.dtype} "
            f"of shape {alt_raw.shape}"
        )
    alt_m = alt_raw.astype(np.float64)
    if alt_m.size == 0 or not np.all(np.isfinite(alt_m)) or np.unique(alt_m).size != alt_m.size:
        raise FileFormatError(f"FULL_MAP_ALTITUDE must hold distinct finite altitudes, not {alt_m}")
    if np.any(alt_m <= 0) or np.any(alt_m > _MAP_ALT_M):
        raise FileFormatError(f"FULL_MAP_ALTITUDE {alt_m} (m) outside (0, {_MAP_ALT_M}] m")
    _within(elevation, "FULL_ELEVATION", -90.0, 90.0)
    _within(lat, "FULL_MAP_LATITUDE", -90.0, 90.0)
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
        if getattr(gen, "dtype", None) is None or gen.dtype.names is None:
            raise FileFormatError("GENERATION_INFO is not a structure")
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
    valid_start = _interval(info.get("VALID_INTERVAL_START", ""), "VALID_INTERVAL_START")
    valid_end = _interval(info.get("VALID_INTERVAL_STOP", ""), "VALID_INTERVAL_STOP")
    check_validity_start(valid_start, instrument, "VALID_INTERVAL_START")
    if valid_start and valid_end and valid_end < valid_start:
        raise FileFormatError(
            f"GENERATION_INFO validity ends ({valid_end}) before it starts ({valid_start})"
        )
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
            "site": site,
            "imager": imager,
            "project": project,
            "instrument": instrument,
            "site_lat": site_lat,
            "site_lon": site_lon,
            "site_alt_m": site_alt_m,
            "valid_start": valid_start,
            "valid_end": valid_end,
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
