"""Writing ``superdarn`` Datasets back to DMAP records, exactly.

The Dataset of :func:`geospacexr.open_superdarn` keeps every field under its DMAP name with its
DMAP type key in ``attrs["dmap_type"]`` and the fields' file order in ``attrs["dmap_fields"]``.
Each record is rebuilt from it: scalars from the ``time`` variables, range-gate arrays gathered
back at the record's ``slist`` gates, ``vector``/``model_vector``/``boundary_point`` elements
split back per record by ``<dim>_record``, other arrays cut back to the record's own extent
(the padding the reader added is NaN). What the Dataset cannot say is decided as SuperDARN's RST
writes it: a record with no gates has no ``slist`` and no range arrays, a record with no vectors
has no vector arrays, and a field whose values in a record are all NaN padding is absent there.
"""

from __future__ import annotations

import bz2
import json
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import IncompatibleInputError, InvalidArgumentError
from ..io.atomic import atomic_write
from ..io.dmap import DMAP_TYPES, HEADER, KINDS, RADAR_DIMS, RAGGED, RECORD_CODE

PathLike = str | os.PathLike[str]

_STRING = 9
_INT32 = struct.Struct("<i")
_SCALAR_STRUCTS = {k: struct.Struct("<" + dt.char) for k, dt in DMAP_TYPES.items() if dt}
#: numpy dtype -> DMAP type key (fields that have no ``dmap_type`` attribute).
_KEY_OF_DTYPE = {dt: k for k, dt in DMAP_TYPES.items() if dt is not None}
_RAGGED_DIMS = tuple(RAGGED.values())


def _key(var: xr.DataArray | xr.Variable, name: str) -> int:
    key = var.attrs.get("dmap_type")
    if key is not None:
        key = int(key)
        if key not in DMAP_TYPES:
            raise InvalidArgumentError(f"{name!r} has an unknown dmap_type {key}", argument="ds")
        return key
    if var.dtype.kind in "US O":
        return _STRING
    dtype = var.dtype.newbyteorder("<") if var.dtype.itemsize > 1 else var.dtype
    if dtype not in _KEY_OF_DTYPE:
        raise InvalidArgumentError(
            f"{name!r} has dtype {var.dtype} and no dmap_type attribute", argument="ds"
        )
    return _KEY_OF_DTYPE[dtype]


def _resolve(ds: xr.Dataset, name: str, originals: set[str]) -> str | None:
    """The Dataset variable holding DMAP field ``name`` (the reader renames ``time`` & co)."""
    if name in ds.data_vars:
        return name
    candidate = f"{name}_dmap"
    while candidate in ds.variables:
        if candidate in ds.data_vars and candidate not in originals:
            return candidate
        candidate += "_"
    return None


def _field_order(ds: xr.Dataset) -> tuple[list[str], list[str]]:
    """DMAP (scalar names, array names) in file order."""
    recorded = ds.attrs.get("dmap_fields")
    if recorded:
        fields = json.loads(recorded)
        return list(fields["scalars"]), list(fields["arrays"])
    scalars, arrays = [], []
    for name, var in ds.data_vars.items():
        if "time" not in var.dims and not set(var.dims) & set(_RAGGED_DIMS):
            continue
        (scalars if var.dims == ("time",) else arrays).append(str(name))
    if "slist" in arrays:  # the range arrays follow slist, as RST writes them
        arrays.remove("slist")
        first = next((i for i, a in enumerate(arrays) if "range_gate" in ds[a].dims), len(arrays))
        arrays.insert(first, "slist")
    return scalars, arrays


class _Field:
    """One DMAP field of the Dataset and how to cut a record's value out of it."""

    def __init__(self, ds: xr.Dataset, name: str, var: str, scalar: bool) -> None:
        self.name = name
        self.encoded = name.encode("latin-1") + b"\0"
        data = ds[var]
        self.key = _key(data, name)
        self.values = data.values
        self.dims = data.dims
        self.scalar = scalar
        dtype = DMAP_TYPES[self.key]
        self.dtype = dtype
        self.kind = "scalar"
        if not scalar:
            if name == "slist":
                self.kind = "slist"
            elif (
                self.dims[:2] == ("time", "range_gate")
                and "slist" in ds
                and name not in RADAR_DIMS
            ):
                self.kind = "range"
            elif self.dims and self.dims[0] in _RAGGED_DIMS:
                self.kind = "ragged"
                record = ds[f"{self.dims[0]}_record"].values.astype(np.int64)
                self.bounds = (record, np.searchsorted(record, np.arange(ds.sizes["time"] + 1)))
            elif name == "data" and self.dims == ("time", "sequence", "iq_channel", "sample",
                                                   "iq"):  # fmt: skip
                self.kind = "iq"
                self.iq_dims = [
                    ds[s].values if s in ds else None for s in ("seqnum", "chnnum", "smpnum")
                ]
            else:
                self.kind = "padded"
                self.trim = self.values.dtype.kind == "f"
                if self.trim:
                    self.extent = self._extents()

    def _extents(self) -> np.ndarray:
        """Per record, the extent of each non-time axis that holds values (0: all NaN)."""
        finite = ~np.isnan(self.values)
        out = np.zeros((finite.shape[0], finite.ndim - 1), dtype=np.int64)
        for axis in range(1, finite.ndim):
            other = tuple(a for a in range(1, finite.ndim) if a != axis)
            along = finite.any(axis=other) if other else finite
            size = along.shape[1]
            last = size - np.argmax(along[:, ::-1], axis=1)
            out[:, axis - 1] = np.where(along.any(axis=1), last, 0)
        return out

    def scalar_bytes(self, rec: int) -> bytes | None:
        value = self.values[rec]
        if self.key == _STRING:
            return self.encoded + bytes([_STRING]) + str(value).encode("utf-8") + b"\0"
        assert self.dtype is not None
        if self.dtype.kind in "iu":
            if isinstance(value, float | np.floating) and np.isnan(value):
                return None  # NaN padding: the record did not have this scalar
            value = int(value)
        else:
            value = float(value)
        return self.encoded + bytes([self.key & 0xFF]) + _SCALAR_STRUCTS[self.key].pack(value)

    def array_bytes(self, rec: int, gates: np.ndarray | None) -> bytes | None:
        arr = self._record_array(rec, gates)
        if arr is None or arr.size == 0:
            return None
        assert self.dtype is not None
        if arr.dtype.kind == "f" and self.dtype.kind != "f":
            if np.isnan(arr).any():
                return None  # padding where the record had no such field
        if arr.dtype.kind == "f" and np.isnan(arr).all():
            return None
        dims = arr.shape[::-1]
        head = self.encoded + bytes([self.key & 0xFF]) + _INT32.pack(len(dims))
        return head + struct.pack(f"<{len(dims)}i", *dims) + arr.astype(self.dtype).tobytes()

    def _record_array(self, rec: int, gates: np.ndarray | None) -> np.ndarray | None:
        v = self.values
        if self.kind == "slist":
            row = v[rec]
            stop = np.flatnonzero(row == -1)
            return row[: stop[0] if stop.size else row.size]
        if self.kind == "range":
            if gates is None or gates.size == 0:
                return None
            return v[rec, gates]
        if self.kind == "ragged":
            _, bounds = self.bounds
            return v[bounds[rec] : bounds[rec + 1]]
        if self.kind == "iq":
            shape = []
            for d in self.iq_dims:
                if d is None or not np.isfinite(d[rec]):
                    return v[rec].reshape(-1)
                shape.append(int(d[rec]))
            s, c, m = shape
            return v[rec, :s, :c, :m, :].reshape(-1)
        row = v[rec]
        if self.trim:
            ext = self.extent[rec]
            if not ext.all():
                return None
            row = row[tuple(slice(0, int(e)) for e in ext)]
        return row


def _share_extents(fields: list[_Field]) -> None:
    """Fields sharing a dim get, per record, the largest extent any of them has on it."""
    by_dim: dict[str, list[tuple[_Field, int]]] = {}
    for f in fields:
        if f.kind == "padded" and f.trim:
            for axis, dim in enumerate(f.dims[1:]):
                by_dim.setdefault(str(dim), []).append((f, axis))
    for members in by_dim.values():
        if len(members) < 2:
            continue
        top = np.max([f.extent[:, a] for f, a in members], axis=0)
        for f, a in members:
            present = f.extent.all(axis=1)
            f.extent[:, a] = np.where(present, top, 0)


def dmap_bytes(ds: xr.Dataset) -> bytes:
    """The DMAP records of a ``superdarn`` Dataset, uncompressed.

    Args:
        ds: A Dataset from :func:`geospacexr.open_superdarn` (or built in its layout: every
            field under its DMAP name on ``time``, with ``attrs["dmap_type"]``).

    Returns:
        The records, one per ``time``, in the Dataset's order.

    Raises:
        InvalidArgumentError: If ``ds`` has no ``time`` dimension or a field has no DMAP type.
    """
    if "time" not in ds.dims:
        raise InvalidArgumentError("a superdarn Dataset needs a 'time' dimension", argument="ds")
    scalar_names, array_names = _field_order(ds)
    originals = set(scalar_names) | set(array_names)
    scalars = [
        _Field(ds, name, var, True)
        for name in scalar_names
        if (var := _resolve(ds, name, originals)) is not None
    ]
    arrays = [
        _Field(ds, name, var, False)
        for name in array_names
        if (var := _resolve(ds, name, originals)) is not None
    ]
    _share_extents(arrays)
    slist = next((f for f in arrays if f.kind == "slist"), None)
    out = bytearray()
    for rec in range(ds.sizes["time"]):
        parts_s = [b for f in scalars if (b := f.scalar_bytes(rec)) is not None]
        gates = None
        if slist is not None:
            found = slist._record_array(rec, None)
            gates = np.asarray(found, dtype=np.int64) if found is not None else None
        parts_a = [b for f in arrays if (b := f.array_bytes(rec, gates)) is not None]
        body = b"".join(parts_s) + b"".join(parts_a)
        out += HEADER.pack(RECORD_CODE, HEADER.size + len(body), len(parts_s), len(parts_a))
        out += body
    return bytes(out)


def write(ds: xr.Dataset, path: PathLike, kind: str | None = None) -> Path:
    """Write a ``superdarn`` Dataset to a DMAP file, atomically (bzip2 if ``path`` ends in .bz2).

    Every record is written with its fields in the order read and each scalar and array with
    its original DMAP type (``attrs["dmap_type"]``); double scalars stay doubles. A file read
    with :func:`geospacexr.open_superdarn` and written unchanged is byte-identical to its
    (decompressed) original when its records share one field order, as RST's writers make
    them. The file is written to a temporary name and moved into place (never appended to).

    Args:
        ds: A Dataset from :func:`geospacexr.open_superdarn` (or in its layout).
        path: Output file; ``.bz2`` compresses.
        kind: If given, the DMAP type the Dataset must hold (``attrs["superdarn_type"]``).

    Returns:
        The path written.

    Raises:
        InvalidArgumentError: If ``kind`` is not a DMAP type or a field has no DMAP type.
        IncompatibleInputError: If ``ds`` holds another DMAP type than ``kind``.

    Example:
        >>> ds = geospacexr.open_superdarn("20180404.0601.00.rkn.fitacf.bz2")  # doctest: +SKIP
        >>> geospacexr.superdarn.write(ds, "copy.fitacf")                      # doctest: +SKIP
    """
    if kind is not None:
        if kind not in KINDS:
            raise InvalidArgumentError(f"must be one of {', '.join(KINDS)}, not {kind!r}", "kind")
        held = ds.attrs.get("superdarn_type")
        if held is not None and held != kind:
            raise IncompatibleInputError(f"kind={kind!r} asked for, but the Dataset holds {held}")
    data: Any = dmap_bytes(ds)
    target = Path(path)
    if target.name.endswith(".bz2"):
        data = bz2.compress(data)
    with atomic_write(target) as fh:
        fh.write(data)
    return target
