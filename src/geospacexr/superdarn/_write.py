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
import math
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
                self.dims[:2] == ("time", "range_gate") and "slist" in ds and name not in RADAR_DIMS
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


class _Pieces:
    """One field's bytes in every record that has it, built for all records at once.

    ``present`` says which records have the field; ``head`` is the constant start of its piece
    (name, NUL, type key, and for arrays ``ndim``); ``dims`` (arrays: one row per present
    record, numpy order) and ``data`` (the values of the present records, concatenated, as
    uint8) with ``lengths`` (data bytes per present record) follow it.
    """

    def __init__(self, present: np.ndarray, head: bytes, data: np.ndarray,
                 lengths: np.ndarray, dims: np.ndarray | None = None) -> None:  # fmt: skip
        self.present = present
        self.head = np.frombuffer(head, np.uint8)
        self.data = data
        self.lengths = lengths.astype(np.int64)
        self.dims = dims

    def sizes(self) -> np.ndarray:
        """Bytes of the piece in each present record."""
        extra = 0 if self.dims is None else 4 * self.dims.shape[1]
        return self.head.size + extra + self.lengths


def _nan_rules(values: np.ndarray, seg: np.ndarray, nseg: int, int_key: bool) -> np.ndarray:
    """Which segments are kept: not all NaN, and no NaN at all for an integer field."""
    if values.dtype.kind != "f":
        return np.ones(nseg, bool)
    nan = np.isnan(values.reshape(values.shape[0], -1)) if values.ndim else np.isnan(values)
    per_row = nan.reshape(nan.shape[0], -1)
    width = per_row.shape[1]
    nan_count = np.bincount(seg, weights=per_row.sum(axis=1), minlength=nseg)
    size = np.bincount(seg, minlength=nseg) * width
    if int_key:
        return nan_count == 0
    return nan_count < size


def _typed_bytes(values: np.ndarray, dtype: np.dtype, name: str) -> np.ndarray:
    """``values`` in the field's DMAP type, as uint8; integers must fit exactly."""
    if dtype.kind in "iu" and values.size:
        info = np.iinfo(dtype)
        if values.dtype.kind == "f":
            bad = ~np.isfinite(values) | (values != np.trunc(values))
            if bad.any():
                raise InvalidArgumentError(
                    f"{name!r} holds values that are not integers for its DMAP type {dtype}",
                    argument="ds",
                )
        lo, hi = values.min(), values.max()
        if lo < info.min or hi > info.max:
            raise InvalidArgumentError(
                f"{name!r} holds values outside its DMAP type {dtype} ({lo} to {hi})",
                argument="ds",
            )
    return np.ascontiguousarray(values.astype(dtype)).reshape(-1).view(np.uint8)


def _field_pieces(f: _Field, n: int, slist: tuple[np.ndarray, np.ndarray] | None) -> list[_Pieces]:
    """The pieces of field ``f`` in every record (``slist``: each record's gate count, gates)."""
    v = f.values
    dtype = f.dtype
    if f.scalar:
        return [_scalar_pieces(f, n)]
    assert dtype is not None
    int_key = dtype.kind != "f"
    head_base = f.encoded + bytes([f.key & 0xFF])
    if f.kind == "slist":
        width = v.shape[1] if v.ndim == 2 else 0
        is_end = v == -1
        length = np.where(is_end.any(axis=1), np.argmax(is_end, axis=1), width)
        mask = np.arange(width) < length[:, None]
        flat = v[mask]
        seg = np.repeat(np.arange(n), length)
        keep = (length > 0) & _nan_rules(flat, seg, n, int_key)
        data = flat[keep[seg]]
        return [_array_piece(f, keep, length[keep][:, None], data, head_base)]
    if f.kind == "range":
        if slist is None:
            return []
        counts, gates = slist
        ngates = v.shape[1]
        tail = v.shape[2:]
        rec_of = np.repeat(np.arange(n), counts)
        rows = v.reshape(n * ngates, *tail)[rec_of * ngates + gates]
        has = (counts > 0) & (math.prod(tail) > 0)
        keep = has & _nan_rules(rows, rec_of, n, int_key)
        data = rows[keep[rec_of]]
        dims = np.column_stack(
            [counts[keep], np.tile(np.array(tail, np.int64), (int(keep.sum()), 1))]
        )
        return [_array_piece(f, keep, dims, data, head_base)]
    if f.kind == "ragged":
        _, bounds = f.bounds
        length = np.diff(bounds)[:n]
        seg = np.repeat(np.arange(n), length)
        flat = v[: int(bounds[n])]
        keep = (length > 0) & _nan_rules(flat, seg, n, int_key)
        data = flat[keep[seg]]
        return [_array_piece(f, keep, length[keep][:, None], data, head_base)]
    if f.kind == "iq":  # rare and small: record by record
        keep = np.zeros(n, bool)
        parts, lens = [], []
        for rec in range(n):
            arr = f._record_array(rec, None)
            if arr is None or arr.size == 0:
                continue
            if arr.dtype.kind == "f" and ((int_key and np.isnan(arr).any()) or np.isnan(arr).all()):
                continue
            keep[rec] = True
            parts.append(arr.reshape(-1))
            lens.append(arr.size)
        data = np.concatenate(parts) if parts else np.zeros(0, v.dtype)
        return [_array_piece(f, keep, np.array(lens, np.int64)[:, None], data, head_base)]
    # padded: each record's row cut to its extent (float rows) or whole
    shape = v.shape[1:]
    if not f.trim:
        keep = np.full(n, math.prod(shape) > 0)
        rows = v.reshape(n, -1)
        keep &= _nan_rules(rows, np.arange(n), n, int_key)
        dims = np.tile(np.array(shape, np.int64), (int(keep.sum()), 1))
        return [_array_piece(f, keep, dims, rows[keep], head_base)]
    ext = f.extent
    present = ext.all(axis=1)
    pieces = []
    if not present.any():
        return pieces
    uniq, inverse = np.unique(ext[present], axis=0, return_inverse=True)
    recs_present = np.flatnonzero(present)
    for g, e in enumerate(uniq):
        recs = recs_present[inverse.reshape(-1) == g]
        block = v[recs][(slice(None), *(slice(0, int(k)) for k in e))]
        rows = block.reshape(recs.size, -1)
        ok = _nan_rules(rows, np.arange(recs.size), recs.size, int_key)
        keep = np.zeros(n, bool)
        keep[recs[ok]] = True
        dims = np.tile(e.astype(np.int64), (int(ok.sum()), 1))
        pieces.append(_array_piece(f, keep, dims, rows[ok], head_base))
    return pieces


def _array_piece(f: _Field, keep: np.ndarray, dims: np.ndarray, data: np.ndarray,
                 head_base: bytes) -> _Pieces:  # fmt: skip
    assert f.dtype is not None
    raw = _typed_bytes(np.asarray(data), f.dtype, f.name)
    per = dims.prod(axis=1) * f.dtype.itemsize if dims.size else np.zeros(0, np.int64)
    head = head_base + _INT32.pack(dims.shape[1])
    return _Pieces(keep, head, raw, per, dims)


def _scalar_pieces(f: _Field, n: int) -> _Pieces:
    v = f.values
    head = f.encoded + bytes([f.key & 0xFF])
    if f.key == _STRING:
        uniq, inverse = np.unique(np.asarray(v).astype(str), return_inverse=True)
        encoded = [str(u).encode("utf-8") + b"\0" for u in uniq]
        lens = np.array([len(e) for e in encoded], np.int64)
        blob = np.frombuffer(b"".join(encoded), np.uint8)
        first = np.cumsum(lens) - lens
        inverse = inverse.reshape(-1)
        lengths = lens[inverse]
        idx = np.repeat(first[inverse] - (np.cumsum(lengths) - lengths), lengths)
        data = blob[np.arange(int(lengths.sum())) + idx]
        return _Pieces(np.ones(n, bool), head, data, lengths)
    assert f.dtype is not None
    if f.dtype.kind in "iu":
        keep = ~np.isnan(v) if v.dtype.kind == "f" else np.ones(n, bool)
        vals = v[keep]
        if vals.dtype.kind == "f":
            vals = np.trunc(vals)  # int(value), as a scalar is written
    else:
        keep = np.ones(n, bool)
        vals = v.astype(np.float64) if v.dtype.kind != "f" else v
    data = _typed_bytes(vals, f.dtype, f.name)
    return _Pieces(keep, head, data, np.full(int(keep.sum()), f.dtype.itemsize))


def dmap_bytes(ds: xr.Dataset) -> bytes:
    """The DMAP records of a ``superdarn`` Dataset, uncompressed.

    The records are assembled field by field for all records at once: each field's bytes in
    every record that has it are laid out by one vectorised step, then copied into place.

    Args:
        ds: A Dataset from :func:`geospacexr.open_superdarn` (or built in its layout: every
            field under its DMAP name on ``time``, with ``attrs["dmap_type"]``).

    Returns:
        The records, one per ``time``, in the Dataset's order.

    Raises:
        InvalidArgumentError: If ``ds`` has no ``time`` dimension, a field has no DMAP type, or
            an integer field holds values its DMAP type cannot.
    """
    from ..io.dmap import kernels as dmap_kernels

    kernels = dmap_kernels()
    if "time" not in ds.dims:
        raise InvalidArgumentError("a superdarn Dataset needs a 'time' dimension", argument="ds")
    n = ds.sizes["time"]
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
    slist_field = next((f for f in arrays if f.kind == "slist"), None)
    gates = None
    pieces: list[_Pieces] = []
    nscalars = np.zeros(n, np.int64)
    narrays = np.zeros(n, np.int64)
    for f in scalars:
        p = _scalar_pieces(f, n)
        nscalars += p.present
        pieces.append(p)
    if slist_field is not None:
        (sp,) = _field_pieces(slist_field, n, None)
        counts = np.zeros(n, np.int64)
        counts[sp.present] = sp.dims[:, 0]
        gates = (counts, sp.data.view(slist_field.dtype).astype(np.int64))
    for f in arrays:
        for p in _field_pieces(f, n, gates):
            narrays += p.present
            pieces.append(p)
    # record sizes and each piece's offset: pieces follow one another in field order
    sizes = np.full(n, HEADER.size, np.int64)
    starts = []
    for p in pieces:
        starts.append(sizes[p.present].copy())
        sizes[p.present] += p.sizes()
    if (sizes > np.iinfo(np.int32).max).any():
        raise InvalidArgumentError("a record would exceed 2 GiB (DMAP sizes are int32)", "ds")
    record_start = np.cumsum(sizes) - sizes
    out = np.empty(int(sizes.sum()), np.uint8)
    header = np.empty((n, 4), "<i4")
    header[:, 0] = RECORD_CODE
    header[:, 1] = sizes
    header[:, 2] = nscalars
    header[:, 3] = narrays
    kernels.put_segments(out, record_start, np.full(n, HEADER.size, np.int64),
                         header.reshape(-1).view(np.uint8))  # fmt: skip
    for p, start in zip(pieces, starts, strict=True):
        at = record_start[p.present] + start
        kernels.put_constant(out, at, p.head)
        at = at + p.head.size
        if p.dims is not None:
            dims = np.ascontiguousarray(p.dims[:, ::-1]).astype("<i4")
            width = 4 * dims.shape[1]
            kernels.put_segments(out, at, np.full(at.size, width, np.int64),
                                 dims.reshape(-1).view(np.uint8))  # fmt: skip
            at = at + width
        kernels.put_segments(out, at, p.lengths, p.data)
    return out.tobytes()


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
