"""Content digest of a netCDF or HDF5 file: what the data are, not how a library stored them.

A byte hash of a generated netCDF/HDF5 sample depends on the storage library (netCDF-C, HDF5,
h5py, their versions and defaults), so it changes when the library does although the data the
recorded reference numbers were computed on did not. :func:`content_digest` hashes the file's
logical content as read through the format's own library instead:

* netCDF (classic or netCDF-4, read with ``netCDF4``): every group, recursively, in name order;
  per group its attributes, its dimensions (name, size, unlimited or not) and its variables (name,
  dimension names, raw values without masking, scaling or char-to-string conversion, as dtype,
  shape and C-order bytes, and attributes);
* HDF5 (read with ``h5py``): every group and dataset, recursively, in name order, with dtype,
  shape, C-order value bytes and attributes; soft and external links by their target; object
  references (dimension scales) by the name of the object they point to, never by file address.

Attributes are hashed sorted by name, in a canonical form (text as UTF-8, numbers as dtype, shape
and bytes; netCDF attributes are 1-D by definition, so a length-1 value and a scalar are the same).
Byte order is normalised to little-endian and structured types are packed, so chunking,
compression, filters, endianness, file format version and library bookkeeping (``_NCProperties``)
do not enter the digest; a changed value, name, type, shape or attribute does.

The module needs only numpy plus ``netCDF4`` or ``h5py`` (imported when a file of that kind is
hashed), so the reference scripts in ``tests/*/reference/`` can load it in their own interpreters
(``importlib.util.spec_from_file_location``) and record the same digest the tests check.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

VERSION = "geospacexr-content-digest-1"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
NETCDF3_MAGICS = (b"CDF\x01", b"CDF\x02", b"CDF\x05")
NETCDF_SUFFIXES = (".nc", ".nc4", ".cdf", ".netcdf")
# attributes that record the writing library rather than the data (netCDF-4 files read by h5py)
LIBRARY_ATTRIBUTES = frozenset({"_NCProperties"})


def file_kind(path: str | Path) -> str:
    """``"netcdf"`` or ``"hdf5"`` from the file's signature (netCDF-4 = HDF5 named ``*.nc``).

    Args:
        path: The file.

    Returns:
        The kind :func:`content_digest` reads it as.

    Raises:
        ValueError: The file is neither netCDF nor HDF5.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head[:4] in NETCDF3_MAGICS:
            return "netcdf"
        # the HDF5 superblock sits at 0 or after a user block of 512, 1024, 2048... bytes
        offset, size = 0, path.stat().st_size
        while offset + 8 <= size:
            fh.seek(offset)
            if fh.read(8) == HDF5_MAGIC:
                return "netcdf" if path.suffix.lower() in NETCDF_SUFFIXES else "hdf5"
            offset = 512 if offset == 0 else offset * 2
    raise ValueError(f"{path} is neither netCDF nor HDF5: compare its bytes instead")


def content_digest(path: str | Path, kind: str | None = None) -> str:
    """Hex SHA-256 of a netCDF or HDF5 file's logical content (see the module docstring).

    Args:
        path: The file.
        kind: ``"netcdf"`` or ``"hdf5"``; by default from :func:`file_kind`.

    Returns:
        64 hexadecimal digits, equal for files holding the same data and attributes however they
        were stored.

    Raises:
        ValueError: Unknown ``kind``, or a file that is neither netCDF nor HDF5.
    """
    kind = kind or file_kind(path)
    h = hashlib.sha256()
    _put(h, VERSION, kind)
    if kind == "netcdf":
        import netCDF4

        with netCDF4.Dataset(str(path), "r") as nc:
            _netcdf_group(h, nc, netCDF4)
    elif kind == "hdf5":
        import h5py

        with h5py.File(str(path), "r") as f:
            _hdf5_group(h, f, f, h5py)
    else:
        raise ValueError(f"kind must be 'netcdf' or 'hdf5', not {kind!r}")
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# canonical encoding


def _put(h: Any, *parts: str | bytes | int | bool) -> None:
    """Feed length-prefixed parts, so no two different sequences give the same stream."""
    for part in parts:
        if isinstance(part, str):
            data = b"s" + part.encode("utf-8", "surrogatepass")
        elif isinstance(part, bool | np.bool_):
            data = b"b" + (b"1" if part else b"0")
        elif isinstance(part, int | np.integer):
            data = b"i" + str(int(part)).encode()
        else:
            data = b"y" + bytes(part)
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)


def _dtype(dtype: np.dtype) -> np.dtype:
    """The same type, little-endian and (for structured types) packed."""
    if dtype.fields is not None:
        return np.dtype([(name, _dtype(dtype.fields[name][0])) for name in dtype.names])
    if dtype.subdtype is not None:
        base, shape = dtype.subdtype
        return np.dtype((_dtype(base), shape))
    return dtype.newbyteorder("<")


def _dtype_text(dtype: np.dtype) -> str:
    dtype = _dtype(dtype)
    return json.dumps(dtype.descr if dtype.fields is not None else dtype.str)


def _value(h: Any, value: Any) -> None:
    """Hash one value (attribute or data) in a canonical form."""
    if value is None:
        _put(h, "none")
    elif isinstance(value, str):
        _put(h, "text", value)
    elif isinstance(value, bytes | np.bytes_):
        _put(h, "text", bytes(value))
    elif isinstance(value, list | tuple):
        _put(h, "list", len(value))
        for item in value:
            _value(h, item)
    else:
        a = np.asarray(np.ma.getdata(value))
        if a.dtype.kind in "US" and a.ndim == 0:
            _value(h, a.item())
        elif a.dtype.hasobject and a.dtype.fields is None and a.ndim == 0:
            item = a.item()
            if not isinstance(item, str | bytes | list | tuple | np.ndarray | np.generic):
                raise TypeError(f"no canonical form for a {type(item).__name__} value")
            _value(h, item)
        elif a.dtype.hasobject:  # vlen strings and arrays, references already resolved
            _put(h, "objects", _dtype_text(a.dtype) if a.dtype.fields else "O", json.dumps(a.shape))
            for item in a.ravel(order="C"):
                if a.dtype.fields is not None:
                    for name in a.dtype.names:
                        _value(h, item[name])
                else:
                    _value(h, item)
        else:
            canonical = np.ascontiguousarray(a.astype(_dtype(a.dtype), copy=False))
            _put(h, "array", _dtype_text(a.dtype), json.dumps(a.shape), canonical.tobytes())


def _attributes(h: Any, attrs: dict[str, Any], one_dimensional: bool) -> None:
    names = sorted(n for n in attrs if n not in LIBRARY_ATTRIBUTES)
    _put(h, "attributes", len(names))
    for name in names:
        value = attrs[name]
        if one_dimensional:  # netCDF attributes are vectors: a scalar is a length-1 vector
            if isinstance(value, list | tuple) and len(value) == 1:
                value = value[0]
            if not isinstance(value, str | bytes | list | tuple):
                value = np.asarray(value)
                value = value.item() if value.dtype.kind in "US" and value.size == 1 else value
                if not isinstance(value, str | bytes):
                    value = value.reshape(-1)
        _put(h, "attribute", name)
        _value(h, value)


# ---------------------------------------------------------------------------------------------
# netCDF


def _netcdf_group(h: Any, group: Any, netCDF4: Any) -> None:
    _put(h, "group", group.path)
    _attributes(h, {n: group.getncattr(n) for n in group.ncattrs()}, one_dimensional=True)
    for name in sorted(group.dimensions):
        dim = group.dimensions[name]
        _put(h, "dimension", name, len(dim), dim.isunlimited())
    for name in sorted(group.variables):
        var = group.variables[name]
        var.set_auto_maskandscale(False)
        var.set_auto_chartostring(False)
        datatype = var.datatype
        if isinstance(datatype, netCDF4.EnumType):
            members = sorted((k, int(v)) for k, v in datatype.enum_dict.items())
            kind = json.dumps(["enum", datatype.name, members])
        elif isinstance(datatype, netCDF4.CompoundType | netCDF4.VLType):
            kind = json.dumps([type(datatype).__name__, datatype.name])
        else:
            kind = "plain"
        _put(h, "variable", name, json.dumps(list(var.dimensions)), kind)
        _attributes(h, {n: var.getncattr(n) for n in var.ncattrs()}, one_dimensional=True)
        _value(h, var[...])
    for name in sorted(group.groups):
        _netcdf_group(h, group.groups[name], netCDF4)


# ---------------------------------------------------------------------------------------------
# HDF5


def _resolve(f: Any, value: Any, h5py: Any) -> Any:
    """Replace object references by the name of what they point to (a file address otherwise)."""
    if isinstance(value, h5py.RegionReference):
        return ["region", f[value].name if value else ""]
    if isinstance(value, h5py.Reference):
        return ["reference", f[value].name if value else ""]
    if isinstance(value, np.ndarray) and value.dtype.hasobject:
        if value.dtype.fields is not None:  # records with a reference field
            rows = [_resolve(f, item, h5py) for item in value.ravel(order="C")]
            return ["records", list(value.dtype.names), list(value.shape), rows]
        out = np.empty(value.shape, dtype=object)
        for index, item in np.ndenumerate(value):
            out[index] = _resolve(f, item, h5py)
        return out
    if isinstance(value, np.void) and value.dtype.hasobject:
        return [_resolve(f, value[name], h5py) for name in value.dtype.names]
    if isinstance(value, h5py.Empty):
        return ["empty", _dtype_text(np.dtype(value.dtype))]
    return value


def _hdf5_attributes(h: Any, f: Any, obj: Any, h5py: Any) -> None:
    attrs = {name: _resolve(f, obj.attrs[name], h5py) for name in obj.attrs}
    _attributes(h, attrs, one_dimensional=False)


def _hdf5_group(h: Any, f: Any, group: Any, h5py: Any) -> None:
    _put(h, "group", group.name)
    _hdf5_attributes(h, f, group, h5py)
    for name in sorted(group):
        link = group.get(name, getlink=True)
        if isinstance(link, h5py.SoftLink):
            _put(h, "soft link", name, link.path)
            continue
        if isinstance(link, h5py.ExternalLink):
            _put(h, "external link", name, link.filename, link.path)
            continue
        obj = group[name]
        if isinstance(obj, h5py.Group):
            _hdf5_group(h, f, obj, h5py)
        elif isinstance(obj, h5py.Dataset):
            _put(h, "dataset", obj.name)
            _hdf5_attributes(h, f, obj, h5py)
            _value(h, _resolve(f, obj[()], h5py))
        else:  # a committed datatype
            _put(h, "datatype", obj.name, _dtype_text(obj.dtype))
