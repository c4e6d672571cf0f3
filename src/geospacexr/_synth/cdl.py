"""netCDF files from ``ncdump`` listings (CDL): real layouts, small, with synthetic fields.

Published ``ncdump`` listings of model output (NCAR's TIE-GCM user guide ships some) give every
dim, variable name, type and attribute, and the values of the small variables (coordinates,
times, per-time scalars), but not the large fields. :func:`parse_cdl` reads such a listing;
:func:`write_cdl` writes it as a netCDF file, optionally keeping only some indices of some dims
(fewer latitudes, longitudes or records, for size), with the values the listing gives and the
large fields from a caller's ``fill`` function. Names, types and attributes are written exactly
as listed, so a reader meets the file as users have it.

Only what ``ncdump`` prints is handled: the ``dimensions:``, ``variables:`` (types ``byte``,
``char``, ``short``, ``int``, ``float``, ``double``) and ``data:`` sections, ``UNLIMITED``
dims, attributes on one line (text, or numbers with CDL's type suffixes), ``_`` for fill
values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..io.atomic import atomic_path

__all__ = ["CDLFile", "CDLVariable", "parse_cdl", "write_cdl"]

_TYPES = {"byte": "i1", "char": "S1", "short": "i2", "int": "i4", "float": "f4", "double": "f8"}
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?([bBsSfFdDlL]?)$")


@dataclass
class CDLVariable:
    """One variable of a listing: type (numpy code), dims, attributes (in order), values."""

    name: str
    dtype: str
    dims: tuple[str, ...]
    attrs: dict[str, Any] = field(default_factory=dict)
    values: list[Any] | None = None


@dataclass
class CDLFile:
    """A parsed listing: name, dims (``None`` for UNLIMITED, with ``records``), variables, attrs."""

    name: str
    dims: dict[str, int | None]
    records: int
    variables: dict[str, CDLVariable]
    attrs: dict[str, Any]


def _split_values(text: str) -> list[str]:
    """Comma-separated CDL values (strings may hold commas)."""
    out, current, quoted, i = [], [], False, 0
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\" and i + 1 < len(text):
                current.append(text[i : i + 2])
                i += 2
                continue
            if c == '"':
                quoted = False
            current.append(c)
        elif c == '"':
            quoted = True
            current.append(c)
        elif c == ",":
            out.append("".join(current).strip())
            current = []
        else:
            current.append(c)
        i += 1
    if "".join(current).strip():
        out.append("".join(current).strip())
    return out


def _attr_value(text: str) -> Any:
    items = _split_values(text)
    if items and all(item.startswith('"') for item in items):
        return "".join(item[1:-1].replace('\\"', '"') for item in items)
    numbers = []
    kind = "i4"
    for item in items:
        m = _NUMBER.match(item)
        if not m:
            raise ValueError(f"cannot read CDL attribute value {text!r}")
        suffix = m.group(3).lower()
        body = item[: len(item) - len(m.group(3))] if m.group(3) else item
        if suffix == "f":
            kind = "f4"
        elif suffix == "d" or "." in body or "e" in body.lower():
            kind = "f8" if kind != "f4" else kind
        elif suffix == "s":
            kind = "i2"
        elif suffix == "b":
            kind = "i1"
        numbers.append(float(body))
    array = np.array(numbers, dtype=kind)
    return array[0] if array.size == 1 else array


def parse_cdl(text: str) -> CDLFile:
    """Parse an ``ncdump`` listing (text before ``netcdf`` is ignored).

    Args:
        text: The listing.

    Returns:
        The file's description (:class:`CDLFile`).

    Raises:
        ValueError: If a line cannot be read.
    """
    start = text.index("netcdf ")
    lines = text[start:].splitlines()
    name = lines[0].split()[1]
    dims: dict[str, int | None] = {}
    records = 0
    variables: dict[str, CDLVariable] = {}
    attrs: dict[str, Any] = {}
    section = ""
    data_lines: list[str] = []
    for line in lines[1:]:
        stripped = line.strip()
        if stripped in ("dimensions:", "variables:", "data:") or stripped.startswith("// global"):
            section = stripped.rstrip(":") if not stripped.startswith("//") else "variables"
            continue
        if not stripped or stripped == "}":
            if section == "data":
                data_lines.append("")
            continue
        if section == "dimensions":
            m = re.match(r"(\w+) = (UNLIMITED|\d+) ;(?: // \((\d+) currently\))?", stripped)
            if not m:
                raise ValueError(f"cannot read CDL dimension line {stripped!r}")
            dims[m.group(1)] = None if m.group(2) == "UNLIMITED" else int(m.group(2))
            if m.group(3):
                records = int(m.group(3))
        elif section == "variables":
            m = re.match(r"(\w+) (\w+)(?:\(([^)]*)\))? ;$", stripped)
            if m and m.group(1) in _TYPES:
                dim_names = tuple(d.strip() for d in (m.group(3) or "").split(",") if d.strip())
                variables[m.group(2)] = CDLVariable(m.group(2), _TYPES[m.group(1)], dim_names)
                continue
            m = re.match(r"(\w*):(\w+) = (.*) ;$", stripped)
            if not m:
                raise ValueError(f"cannot read CDL line {stripped!r}")
            value = _attr_value(m.group(3))
            if m.group(1):
                variables[m.group(1)].attrs[m.group(2)] = value
            else:
                attrs[m.group(2)] = value
        elif section == "data":
            data_lines.append(line)
    _parse_data("\n".join(data_lines), variables)
    return CDLFile(name, dims, records, variables, attrs)


def _parse_data(text: str, variables: dict[str, CDLVariable]) -> None:
    pos = 0
    pattern = re.compile(r"\s*(\w+) =")
    while True:
        m = pattern.match(text, pos)
        if not m:
            break
        name = m.group(1)
        end, quoted, i = None, False, m.end()
        while i < len(text):
            c = text[i]
            if quoted and c == "\\":
                i += 2
                continue
            if c == '"':
                quoted = not quoted
            elif c == ";" and not quoted:
                end = i
                break
            i += 1
        if end is None:
            raise ValueError(f"unterminated data of {name}")
        items = _split_values(text[m.end() : end].replace("\n", " "))
        var = variables[name]
        if var.dtype == "S1":
            var.values = [item[1:-1] for item in items]
        else:
            var.values = [None if item == "_" else float(item) for item in items]
        pos = end + 1


Filler = Callable[[CDLVariable, tuple[int, ...], Mapping[str, np.ndarray]], np.ndarray]


def write_cdl(
    cdl: CDLFile,
    path: Path,
    *,
    fill: Filler | None = None,
    keep: Mapping[str, Sequence[int]] | None = None,
    values: Mapping[str, Any] | None = None,
    records: int | None = None,
    format: str = "NETCDF3_64BIT_OFFSET",
) -> None:
    """Write a listing as a netCDF file.

    Args:
        cdl: The parsed listing.
        path: The file to write (atomically).
        fill: ``fill(variable, shape, indices) -> array`` for variables the listing has no
            values of (``indices`` maps each kept dim to the listing's indices kept); those
            are left as fill values without it.
        keep: Indices to keep along some dims (e.g. every third ``lat``), the listing's values
            selected accordingly; the record dim is ``"time"``-like (the UNLIMITED one).
        values: Values replacing the listing's (or filling variables it has none of), already
            on the kept indices.
        records: Number of records when the listing gives none (default: the listing's).
        format: netCDF format.
    """
    import netCDF4

    keep = dict(keep or {})
    values = dict(values or {})
    record_dim = next((d for d, n in cdl.dims.items() if n is None), None)
    nrec = records if records is not None else cdl.records
    full = {d: (n if n is not None else cdl.records) for d, n in cdl.dims.items()}
    indices = {d: np.asarray(keep.get(d, np.arange(full[d])), dtype=int) for d in cdl.dims}
    if record_dim is not None and record_dim not in keep and records is not None:
        indices[record_dim] = np.arange(nrec)
    with atomic_path(path) as tmp, netCDF4.Dataset(tmp, "w", format=format) as nc:
        for dim, size in cdl.dims.items():
            nc.createDimension(dim, None if size is None else indices[dim].size)
        nc.setncatts(cdl.attrs)
        for var in cdl.variables.values():
            v = nc.createVariable(var.name, var.dtype, var.dims)
            v.setncatts(var.attrs)
        for var in cdl.variables.values():
            shape = tuple(int(indices[d].size) for d in var.dims)
            v = nc.variables[var.name]
            if var.name in values:
                data = np.asarray(values[var.name])
            elif var.values is not None:
                data = _listed(var, full, indices)
            elif fill is not None:
                data = fill(var, shape, {d: indices[d] for d in var.dims})
            else:
                continue
            if data is None:
                continue
            if var.dtype == "S1":
                width = shape[-1]
                strings = [str(s)[:width].ljust(width) for s in np.atleast_1d(data)]
                v[:] = netCDF4.stringtochar(np.array(strings, dtype=f"S{width}"))
            elif isinstance(data, np.ma.MaskedArray) or var.dims:
                v[:] = data
            else:
                v.assignValue(data)


def _listed(
    var: CDLVariable, full: Mapping[str, int], indices: Mapping[str, np.ndarray]
) -> np.ndarray | None:
    """The listing's values of a variable, on the kept indices (fill values masked)."""
    assert var.values is not None
    if var.dtype == "S1":
        strings = np.array(var.values, dtype=object)
        lead = var.dims[:-1]
        shape = tuple(full[d] for d in lead)
        strings = strings.reshape(shape) if shape else strings
        for axis, dim in enumerate(lead):
            strings = np.take(strings, indices[dim], axis=axis)
        return strings.reshape(-1)
    raw = np.array([np.nan if x is None else x for x in var.values], dtype=np.float64)
    shape = tuple(full[d] for d in var.dims)
    data = raw.reshape(shape) if shape else raw.reshape(())
    for axis, dim in enumerate(var.dims):
        data = np.take(data, indices[dim], axis=axis)
    missing = np.isnan(data)
    typed = np.where(missing, 0, data).astype(var.dtype)
    if missing.any():
        return np.ma.MaskedArray(typed, mask=missing)
    return typed
