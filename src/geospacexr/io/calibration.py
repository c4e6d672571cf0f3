"""All-sky imager calibration files (University of Calgary IDL ``.sav``): Rayleighs and flat fields.

File names are ``<INSTRUMENT>_<Rayleighs|flatfield>_<detector>_<start>-<end or +>_vNN.sav``;
Rayleighs files hold ``rper_dnpersecond_<detector>`` (Rayleighs per DN per second), flat-field
files ``flat_field_multiplier_<detector>`` (an image-sized array), flipped here like the images
(rows; REGO also columns), as pyucalgarysrs does.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import xarray as xr

from ..errors import FileFormatError
from .idlsav import check_record_chain
from .instruments import get_instrument, instrument_of_calibration, instruments, list_instruments
from .registry import Paths, expand_paths, register_reader
from .times import check_validity_start, to_ns

__all__ = ["open_calibration"]

_NAME = re.compile(
    r"^(?P<instrument>[A-Za-z]+)_(?P<kind>rayleighs|flatfield)_(?P<detector>[A-Za-z0-9]+)_(?P<start>\d{8})-(?P<end>\d{8}|\+)_v(?P<version>\d+)\.sav$",
    re.IGNORECASE,
)


def _iso(day: str, file: Any = None) -> str:
    """``YYYYMMDD`` of a file name -> ISO time, ``+`` -> "" (still valid).

    Raises:
        FileFormatError: If the digits are not a real date (month 13, day 32).
    """
    if day == "+":
        return ""
    iso = f"{day[:4]}-{day[4:6]}-{day[6:]}T00:00:00"
    try:
        to_ns(iso, "validity date")
    except ValueError:
        raise FileFormatError(
            f"the name's validity date {day} is not a date (YYYYMMDD)", path=file
        ) from None
    return iso


def _numbers(content: dict[str, Any], key: str, file: Any) -> np.ndarray:
    """A numeric variable of the file (text, structures or objects refused)."""
    value = np.asarray(content[key])
    if value.dtype.kind not in "iuf":
        raise FileFormatError(
            f"{key} is not numeric (found {type(content[key]).__name__} of {value.dtype})",
            path=file,
        )
    return value.astype(np.float64)


@register_reader(
    "asi-calibration",
    kind="calibration",
    patterns=("*_rayleighs_*.sav", "*_flatfield_*.sav"),
    magic=(b"SR\x00\x04", b"SR\x00\x06"),
    sample="rego-calibration",
    description=" and ".join(r.label for r in instruments() if r.calibrations)
    + " Rayleighs and flat-field calibrations (IDL .sav)",
    group=lambda path: path.name,  # one Dataset per file
)
def open_calibration(path: Paths, **_: Any) -> xr.Dataset:
    """Open a Rayleighs or flat-field calibration file.

    Args:
        path: The ``.sav`` file.

    Returns:
        A ``calibration`` Dataset: ``rayleighs_per_dn_per_s`` (scalar) or ``flat_field_multiplier``
        ``(y, x)`` in the images' orientation; attrs ``calibration_type`` (``"rayleighs"`` or
        ``"flatfield"``), ``instrument``, ``detector``, ``valid_start``, ``valid_end`` ("" if
        still valid), ``author``, ``source_file``.

    Raises:
        FileFormatError: If the name or content is not that of a calibration file: a validity
            date in the name that is not a date (or ends before it starts), a Rayleighs factor
            that is not one positive number, a flat field that is not a numeric image.
    """
    import scipy.io

    files = expand_paths(path)
    if len(files) != 1:
        raise FileFormatError(f"open_calibration takes one file, got {len(files)}")
    file = files[0]
    m = _NAME.match(file.name)
    if not m:
        raise FileFormatError(
            "calibration files are named "
            "<INSTRUMENT>_<Rayleighs|flatfield>_<detector>_<start>-<end>_vNN.sav",
            path=file,
        )
    valid_start, valid_end = _iso(m.group("start"), file), _iso(m.group("end"), file)
    if valid_end and valid_end < valid_start:
        raise FileFormatError(
            f"the name's validity ends ({valid_end}) before it starts ({valid_start})", path=file
        )
    found = instrument_of_calibration(m.group("instrument"))
    check_validity_start(valid_start, found, "the name's validity start", file)
    check_record_chain(file)  # readsav loops forever on a damaged record chain
    try:
        content = scipy.io.readsav(str(file), python_dict=True)
    except Exception as exc:  # scipy raises bare Exceptions on damaged files
        raise FileFormatError(
            f"not a readable IDL save file ({type(exc).__name__}: {exc})", path=file
        ) from None
    kind = m.group("kind").lower()
    # the instrument table names the instrument of each file-name prefix; an unknown one is kept
    instrument = instrument_of_calibration(m.group("instrument")) or m.group("instrument").lower()
    attrs = {
        "geospacexr_kind": "calibration",
        "calibration_type": kind,
        "instrument": instrument,
        "detector": m.group("detector"),
        "valid_start": valid_start,
        "valid_end": valid_end,
        "version": f"v{m.group('version')}",
        "author": content.get("author", b"").decode("latin-1")
        if isinstance(content.get("author"), bytes)
        else str(content.get("author", "")),
        "source_file": file.name,
    }
    detector = m.group("detector").lower()
    if kind == "rayleighs":
        key = f"rper_dnpersecond_{detector}"
        if key not in content:
            raise FileFormatError(f"no {key} in the file (it has: {', '.join(content)})", path=file)
        values = _numbers(content, key, file)
        if values.size != 1:
            raise FileFormatError(
                f"{key} must be one number, found shape {values.shape}", path=file
            )
        value = float(values.ravel()[0])
        if not np.isfinite(value) or value <= 0:
            raise FileFormatError(f"impossible Rayleighs factor {value}", path=file)
        return xr.Dataset(
            {
                "rayleighs_per_dn_per_s": (
                    (),
                    value,
                    {"units": "R / (DN/s)", "long_name": "Rayleighs per DN per second"},
                )
            },
            attrs=attrs,
        )
    key = next((k for k in content if k.startswith("flat_field_multiplier")), None)
    if key is None:
        raise FileFormatError(
            f"no flat_field_multiplier in the file (it has: {', '.join(content)})", path=file
        )
    flat = _numbers(content, key, file)
    if flat.ndim != 2 or flat.size == 0:
        raise FileFormatError(
            f"flat_field_multiplier has shape {flat.shape}, expected an image", path=file
        )
    flat = flat[::-1]
    if instrument in list_instruments() and get_instrument(instrument).flip_columns:
        flat = flat[:, ::-1]
    return xr.Dataset(
        {
            "flat_field_multiplier": (
                ("y", "x"),
                np.ascontiguousarray(flat),
                {"units": "1", "long_name": "flat-field multiplier"},
            )
        },
        attrs=attrs,
    )
