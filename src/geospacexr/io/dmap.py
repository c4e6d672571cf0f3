r"""SuperDARN DMAP files (iqdat, rawacf, fitacf, snd, grid, map) as one ``superdarn`` Dataset.

A DMAP file is records written back to back, plain or bzip2-compressed (detected by content,
``BZh``), all numbers little-endian. Each record is a 16-byte header (int32 code 65537, int32
size of the whole record, int32 scalar count, int32 array count), then its scalars (``name\0``,
int8 type key, value; strings NUL-terminated) and its arrays (``name\0``, type key, int32
``ndim``, the dims fastest-varying first, then the values). ``docs/superdarn.md`` describes the
Dataset this module builds.

**Decoding.** A numba kernel (:mod:`geospacexr.io._dmap_kernels`, imported on first use) walks
the record headers and field descriptors of every file once, checking each size, count,
dimension and string end against the record and the buffer, and returns flat tables of where
each field lies (record, name, type, offset, dims): no value is copied and no per-record dict or
per-field Python object is made. Names are interned by a hash and checked byte for byte. The
tables are grouped into columns (name -> records, offsets, shapes) with numpy; each output
variable is then allocated once, at its final shape, and filled by one vectorised copy or
scatter per field (the range-gate arrays through ``slist``). Every allocation is checked against
:class:`~geospacexr.io.limits.Limits` first, the ``(time, range_gate)`` arrays all together and
everything counted cumulatively, and bzip2 content is decompressed in bounded steps
(:func:`geospacexr.io.pgm.decompress`), so neither a bomb nor a record that declares huge dims
takes the memory. Record times outside :func:`plausible_times` are skipped (lax) or refused.

**Damage.** ``mode="strict"`` raises :class:`~geospacexr.errors.FileFormatError` at the first
bad record, naming the file, the record index, its byte offset and the field. ``mode="lax"``
keeps every good record: a record whose header is sound but whose fields are not is skipped and
reading resumes at the next record (its size says where); a header that cannot be trusted ends
the file. Each problem is listed in ``attrs["problematic_records"]`` (JSON list of ``{"file",
"record", "offset", "reason"}``) and one :class:`~geospacexr.errors.DataWarning` names them.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import struct
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from ..errors import (
    ConfigError,
    DataWarning,
    FileFormatError,
    IncompatibleInputError,
    InvalidArgumentError,
)
from .limits import Limits, format_bytes
from .pgm import decompress
from .registry import expand_paths, register_reader
from .times import to_ns

__all__ = [
    "DMAP_TYPES",
    "KINDS",
    "DmapColumns",
    "decode_dmap",
    "detect_kind",
    "open_superdarn",
    "plausible_times",
    "read_dmap_bytes",
]

PathLike = str | os.PathLike[str]

#: The record header's ``code`` in every DMAP record.
RECORD_CODE = 65537
HEADER = struct.Struct("<iiii")
_INT32 = struct.Struct("<i")
#: Most dimensions one DMAP array may declare (real files use at most 3).
MAX_NDIM = 8
#: The file types this reader builds Datasets for.
KINDS = ("iqdat", "rawacf", "fitacf", "snd", "grid", "map")
_RADAR_KINDS = ("iqdat", "rawacf", "fitacf", "snd")
_STRING = 9

#: DMAP type key -> numpy dtype (``None``: a NUL-terminated string).
DMAP_TYPES: dict[int, np.dtype | None] = {
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    10: np.dtype("<i8"),
    16: np.dtype("u1"),
    17: np.dtype("<u2"),
    18: np.dtype("<u4"),
    19: np.dtype("<u8"),
    4: np.dtype("<f4"),
    8: np.dtype("<f8"),
    _STRING: None,
}
_SCALAR_STRUCTS = {k: struct.Struct("<" + dt.char) for k, dt in DMAP_TYPES.items() if dt}

#: Arrays of radar records that are *not* indexed by ``slist`` (their own dims).
RADAR_DIMS: dict[str, tuple[str, ...]] = {
    "ptab": ("pulse",),
    "ltab": ("ltab_lag", "ltab_pulse"),
    "pwr0": ("range_gate",),
    "tsc": ("sequence",),
    "tus": ("sequence",),
    "toff": ("sequence",),
    "tsze": ("sequence",),
    "tatten": ("sequence",),
    "tnoise": ("sequence",),
}
#: Trailing dims of range-gate arrays beyond the gate axis (rawacf lags, re/im).
_RANGE_TAIL: dict[str, tuple[str, ...]] = {"acfd": ("lag", "reim"), "xcfd": ("lag", "reim")}
#: Per-radar arrays of grid and map records (length ``len(stid)``).
_GRID_RADAR = {
    "stid", "channel", "nvec", "freq", "major.revision", "minor.revision", "program.id",
    "noise.mean", "noise.sd", "gsct", "v.min", "v.max", "p.min", "p.max", "w.min", "w.max",
    "ve.min", "ve.max",
}  # fmt: skip
#: Flattened ("ragged") families of grid/map arrays: name prefix -> dim.
RAGGED = {"vector.": "vector", "model.": "model_vector", "boundary.": "boundary_point"}
_RADAR_DIMS = RADAR_DIMS
_RAGGED = RAGGED
_COEFFICIENTS = {"N", "N+1", "N+2", "N+3"}
#: Arrays of fitacf, snd and rawacf records indexed by ``slist`` (one row per reported gate).
_RANGE_FIELDS = {
    "nlag", "qflg", "gflg", "p_l", "p_l_e", "p_s", "p_s_e", "v", "v_e", "w_l", "w_l_e", "w_s",
    "w_s_e", "sd_l", "sd_s", "sd_phi", "phi0", "phi0_e", "elv", "elv_low", "elv_high",
    "elv_fitted", "elv_error", "acfd", "xcfd",
}  # fmt: skip

#: Units and long names of the common fields (SuperDARN RST docs).
_META: dict[str, tuple[str, str]] = {
    "v": ("m/s", "line-of-sight Doppler velocity"),
    "v_e": ("m/s", "velocity error"),
    "p_l": ("dB", "lambda-fit power"),
    "p_l_e": ("dB", "lambda-fit power error"),
    "p_s": ("dB", "sigma-fit power"),
    "p_s_e": ("dB", "sigma-fit power error"),
    "w_l": ("m/s", "lambda-fit spectral width"),
    "w_l_e": ("m/s", "lambda-fit spectral width error"),
    "w_s": ("m/s", "sigma-fit spectral width"),
    "w_s_e": ("m/s", "sigma-fit spectral width error"),
    "elv": ("degree", "elevation angle"),
    "elv_low": ("degree", "elevation angle lower bound"),
    "elv_high": ("degree", "elevation angle upper bound"),
    "phi0": ("rad", "XCF phase"),
    "phi0_e": ("rad", "XCF phase error"),
    "gflg": ("1", "ground-scatter flag"),
    "qflg": ("1", "quality flag"),
    "frang": ("km", "distance to the first range gate"),
    "rsep": ("km", "range-gate separation"),
    "tfreq": ("kHz", "transmitted frequency"),
    "lagfr": ("us", "lag to the first range"),
    "smsep": ("us", "sample separation"),
    "txpl": ("us", "transmitted pulse length"),
    "mpinc": ("us", "multi-pulse increment"),
    "bmnum": ("1", "beam number (0-based)"),
    "bmazm": ("degree", "beam azimuth"),
    "vector.mlat": ("degree", "magnetic latitude of the vector"),
    "vector.mlon": ("degree", "magnetic longitude of the vector"),
    "vector.kvect": ("degree", "azimuth of the line-of-sight vector"),
    "vector.vel.median": ("m/s", "median line-of-sight velocity"),
    "vector.vel.sd": ("m/s", "velocity standard deviation"),
    "pot.drop": ("V", "cross-polar-cap potential"),
    "mlt.start": ("hour", "magnetic local time at the start"),
    "mlt.end": ("hour", "magnetic local time at the end"),
    "mlt.av": ("hour", "mean magnetic local time"),
}


@dataclass
class _Column:
    """One field across records: type keys, record indices and values or buffer positions.

    Every per-entry attribute is a numpy array with one element (or row) per record that has
    the field, in file order (records are unique: a record naming a field twice is damaged).
    """

    key: int
    records: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: scalars: a numpy array, or a list when the field is a string in some record
    values: Any = None
    buffers: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # arrays: file
    offsets: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # arrays: bytes
    #: arrays: numpy (C-order) dims, one row per entry, zero beyond the entry's ``ndims`` (as
    #: many columns as the most dims of any array read, at most ``MAX_NDIM``)
    shapes: np.ndarray = field(default_factory=lambda: np.zeros((0, MAX_NDIM), np.int64))
    ndims: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    types: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # type key each
    keys: set[int] = field(default_factory=set)

    def shape(self, i: int) -> tuple[int, ...]:
        """Entry ``i``'s numpy shape."""
        return tuple(int(d) for d in self.shapes[i, : self.ndims[i]])

    def counts(self) -> np.ndarray:
        """Values held by each entry (the product of its dims; computed once)."""
        cached = self.__dict__.get("_counts")
        if cached is None or cached.size != self.ndims.size:
            if self.shapes.shape[0] and (self.ndims == 1).all():
                cached = self.shapes[:, 0].copy()
            else:
                used = np.arange(self.shapes.shape[1]) < self.ndims[:, None]
                cached = np.where(used, self.shapes, 1).prod(axis=1)
            self.__dict__["_counts"] = cached
        return cached

    def subset(self, sel: np.ndarray, records: np.ndarray | None = None) -> _Column:
        """The entries ``sel`` (an index or mask), with ``records`` as their record indices."""
        values = self.values
        if isinstance(values, list):
            values = [values[i] for i in np.arange(len(values))[sel]]
        elif values is not None:
            values = values[sel]
        recs = self.records[sel] if records is None else records
        types = self.types[sel]
        keys = {int(k) for k in np.unique(types)} if types.size else set(self.keys)
        return _Column(
            self.key, recs, values, self.buffers[sel] if self.buffers.size else self.buffers,
            self.offsets[sel] if self.offsets.size else self.offsets,
            self.shapes[sel] if self.shapes.size else self.shapes,
            self.ndims[sel] if self.ndims.size else self.ndims, types, keys,
        )  # fmt: skip


@dataclass
class _FileTable:
    """The walk of one file: good records and their fields (filled in by :func:`_walk_file`)."""

    ifile: int
    base: int  # global index of the file's first good record
    scalar_names: list[str]
    array_names: list[str]
    # per entry: name id, global record, type key, value offset, value length (scalars)
    s: tuple[np.ndarray, ...]
    # per entry: name id, global record, type key, value offset, ndim, dims (arrays)
    a: tuple[np.ndarray, ...]


@dataclass
class DmapColumns:
    """What the decoding pass gathered from one or more files, column by column.

    Attributes:
        buffers: The (decompressed) content of each file; arrays are views into them.
        scalars: Scalar name -> :class:`_Column`.
        arrays: Array name -> :class:`_Column`.
        nrecords: Records decoded, across files.
        record_file: For each record, the index of its file.
        record_index: For each record, its index within its file.
        record_offset: For each record, its byte offset in its file's content.
        paths: The files.
        problems: ``{"file", "record", "offset", "reason"}`` per problem met.
        kinds: For each record, its DMAP type (:func:`detect_kind`).
    """

    buffers: list[bytes | bytearray] = field(default_factory=list)
    scalars: dict[str, _Column] = field(default_factory=dict)
    arrays: dict[str, _Column] = field(default_factory=dict)
    nrecords: int = 0
    record_file: list[int] = field(default_factory=list)
    record_index: list[int] = field(default_factory=list)
    record_offset: list[int] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    tables: list[_FileTable] = field(default_factory=list)

    def finish(self) -> DmapColumns:
        """Build :attr:`scalars` and :attr:`arrays` from the walked files (after the last)."""
        self.scalars = _merge(self, "s")
        self.arrays = _merge(self, "a")
        self.tables = []  # merged: the walk's tables are not needed any more
        return self

    def keep(self, keep: np.ndarray) -> DmapColumns:
        """These columns restricted to the records where ``keep`` is True (renumbered)."""
        new = np.cumsum(keep) - 1
        out = DmapColumns(
            buffers=self.buffers, nrecords=int(keep.sum()), paths=self.paths,
            problems=self.problems,
            record_file=[v for v, k in zip(self.record_file, keep, strict=True) if k],
            record_index=[v for v, k in zip(self.record_index, keep, strict=True) if k],
            record_offset=[v for v, k in zip(self.record_offset, keep, strict=True) if k],
            kinds=[v for v, k in zip(self.kinds, keep, strict=True) if k],
        )  # fmt: skip
        for source, target in ((self.scalars, out.scalars), (self.arrays, out.arrays)):
            for name, col in source.items():
                sel = keep[col.records]
                if sel.any():
                    target[name] = col.subset(sel, new[col.records[sel]])
        return out


class _Damage(Exception):
    """A record that cannot be decoded (caught by the scanner)."""

    def __init__(self, reason: str, name: str | None = None) -> None:
        self.reason = reason
        self.name = name
        super().__init__(reason)

    def text(self) -> str:
        return f"field {self.name!r}: {self.reason}" if self.name else self.reason


def read_dmap_bytes(
    path: PathLike, limits: Limits | None = None
) -> tuple[bytes | bytearray, str | None]:
    """The content of a DMAP file, through bzip2 when it starts with ``BZh``, bounded.

    Args:
        path: The file.
        limits: The limits in force (default: :meth:`Limits.current`).

    Returns:
        ``(content, problem)``: ``problem`` says why a bzip2 stream ended early (``None`` if
        intact); a truncated stream keeps its exact prefix.

    Raises:
        FileFormatError: If the file or its decompressed content exceeds
            ``io.max_decompressed_mb``, or the file cannot be read.
    """
    limits = limits or Limits.current()
    p = Path(path)
    try:
        size = p.stat().st_size
        limits.check_content(size, p, "the file")
        data = p.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"cannot be read ({exc})", path=p) from exc
    if data.startswith(b"BZh"):
        return decompress(data, path=p, max_mb=limits.max_decompressed_mb, stop=_RecordWalk())
    return data, None


class _RecordWalk:
    """Follow the record chain of content being decompressed; stop at an impossible record.

    A record size below the header's is where the reader stops too (it cannot resynchronise
    from there), so decompressing beyond it is wasted: good records followed by gigabytes of
    zeros end after the first zero header instead of at ``io.max_decompressed_mb``. Each call
    continues from where the previous one stopped (linear in the content).
    """

    def __init__(self) -> None:
        self.pos = 0

    def __call__(self, buffer: bytearray) -> str | None:
        n = len(buffer)
        while self.pos + HEADER.size <= n:
            _code, size, _nscalars, _narrays = HEADER.unpack_from(buffer, self.pos)
            if size < HEADER.size:
                return f"record at byte {self.pos} declares {size} bytes (no record follows)"
            self.pos += size
        return None


def _decode_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


#: Scalar type byte (as stored, unsigned) -> (type key, struct); arrays: byte -> (key, dtype).
_SCALAR_BY_BYTE = {k & 0xFF: (k, st) for k, st in _SCALAR_STRUCTS.items()}
_ARRAY_BY_BYTE = {k & 0xFF: (k, dt) for k, dt in DMAP_TYPES.items() if dt is not None}
_DIM_STRUCTS = {n: struct.Struct(f"<{n}i") for n in range(1, MAX_NDIM + 1)}


def _signed(byte: int) -> int:
    return byte - 256 if byte > 127 else byte


def _record_fields(buf: bytes | bytearray, start: int, end: int, nscalars: int, narrays: int):
    """Parse one record's fields; ``(scalars, arrays)`` lists, or raise :class:`_Damage`."""
    pos = start + HEADER.size
    find = buf.find
    scalars: list[tuple[str, int, Any]] = []
    arrays: list[tuple[str, int, int, tuple[int, ...]]] = []
    add_scalar, add_array = scalars.append, arrays.append
    by_byte = _SCALAR_BY_BYTE
    for _ in range(nscalars):
        nul = find(b"\0", pos, end)
        if nul < 0:
            raise _Damage("a scalar name has no terminating NUL before the record ends")
        name = buf[pos:nul].decode("latin-1")
        pos = nul + 1
        if pos >= end:
            raise _Damage("type key beyond the record's end", name)
        byte = buf[pos]
        pos += 1
        found = by_byte.get(byte)
        if found is not None:
            key, st = found
            if pos + st.size > end:
                raise _Damage("value beyond the record's end", name)
            add_scalar((name, key, st.unpack_from(buf, pos)[0]))
            pos += st.size
        elif byte == _STRING:
            nul = find(b"\0", pos, end)
            if nul < 0:
                raise _Damage("the string value has no terminating NUL before the record ends",
                              name)  # fmt: skip
            add_scalar((name, _STRING, _decode_text(bytes(buf[pos:nul]))))
            pos = nul + 1
        else:
            raise _Damage(f"unknown type key {_signed(byte)}", name)
    by_byte_array = _ARRAY_BY_BYTE
    for _ in range(narrays):
        nul = find(b"\0", pos, end)
        if nul < 0:
            raise _Damage("an array name has no terminating NUL before the record ends")
        name = buf[pos:nul].decode("latin-1")
        pos = nul + 1
        if pos + 5 > end:
            raise _Damage("type and dims beyond the record's end", name)
        byte = buf[pos]
        found_array = by_byte_array.get(byte)
        if found_array is None:
            why = (
                "string arrays are not supported"
                if byte == _STRING
                else f"unknown type key {_signed(byte)}"
            )
            raise _Damage(why, name)
        key, dtype = found_array
        ndim = _INT32.unpack_from(buf, pos + 1)[0]
        pos += 5
        if not 0 < ndim <= MAX_NDIM:
            raise _Damage(f"impossible number of dimensions {ndim}", name)
        if pos + 4 * ndim > end:
            raise _Damage("dims beyond the record's end", name)
        dims = _DIM_STRUCTS[ndim].unpack_from(buf, pos)
        pos += 4 * ndim
        if ndim == 1:
            count = dims[0]
            if count < 0:
                raise _Damage(f"negative dimension in {list(dims)}", name)
        else:
            if min(dims) < 0:
                raise _Damage(f"negative dimension in {list(dims)}", name)
            count = math.prod(dims)
        nbytes = count * dtype.itemsize
        if nbytes > end - pos:
            raise _Damage(
                f"dims {list(dims)} need {nbytes} bytes, only {end - pos} left in the record", name
            )
        add_array((name, key, pos, dims[::-1]))
        pos += nbytes
    return scalars, arrays


def kernels() -> Any:
    """The compiled DMAP kernels (:mod:`geospacexr.io._dmap_kernels`), imported on first use.

    ``import geospacexr`` loads no numba; the reader and the writer fetch the kernels here.

    Returns:
        The kernel module (``walk``, ``gather``, ``gate_block``, ``put_segments``...).
    """
    module = sys.modules.get(f"{__package__}._dmap_kernels")
    if module is None:
        from . import _dmap_kernels as module
    return module


_kernels = kernels


def _raw(buffer: bytes | bytearray) -> np.ndarray:
    """A read-only uint8 view of a buffer (one array type for the kernels, bytes or not)."""
    raw = np.frombuffer(buffer, np.uint8)
    raw.flags.writeable = False
    return raw


def _problem_text(buf: bytes | bytearray, code: int, info: np.ndarray) -> str:
    """The sentence for a problem code of :func:`geospacexr.io._dmap_kernels.walk`."""
    K = _kernels()
    a, b, c = (int(x) for x in info[3:6])
    if code == K.SHORT_HEADER:
        return f"{a} bytes left, too few for a record header (file cut short?)"
    if code == K.BAD_SIZE:
        return f"record size {a} impossible ({b} bytes left from this record)"
    if code == K.BAD_COUNTS:
        return f"impossible counts: {a} scalars, {b} arrays in {c} bytes"
    start, length = int(info[1]), int(info[2])
    name = bytes(buf[start : start + length]).decode("latin-1")
    ndim = int(info[6])
    dims = [int(d) for d in info[7 : 7 + ndim]]
    texts = {
        K.SCALAR_NAME_NUL: (None, "a scalar name has no terminating NUL before the record ends"),
        K.SCALAR_KEY_END: (name, "type key beyond the record's end"),
        K.SCALAR_VALUE_END: (name, "value beyond the record's end"),
        K.STRING_NUL: (name, "the string value has no terminating NUL before the record ends"),
        K.SCALAR_BAD_KEY: (name, f"unknown type key {_signed(a)}"),
        K.ARRAY_NAME_NUL: (None, "an array name has no terminating NUL before the record ends"),
        K.ARRAY_HEAD_END: (name, "type and dims beyond the record's end"),
        K.ARRAY_STRING: (name, "string arrays are not supported"),
        K.ARRAY_BAD_KEY: (name, f"unknown type key {_signed(a)}"),
        K.ARRAY_BAD_NDIM: (name, f"impossible number of dimensions {a}"),
        K.ARRAY_DIMS_END: (name, "dims beyond the record's end"),
        K.ARRAY_NEG_DIM: (name, f"negative dimension in {dims}"),
    }
    if code == K.ARRAY_TOO_BIG:
        key = int(buf[start + length + 1])
        size = DMAP_TYPES[_ARRAY_BY_BYTE[key][0]].itemsize  # type: ignore[union-attr]
        what, why = (
            name,
            f"dims {dims} need {math.prod(dims) * size} bytes, only {a} left in the record",
        )
    else:
        what, why = texts.get(code, (None, f"damaged record (code {code})"))
    return f"field {what!r}: {why}" if what is not None else why


def _intern(
    raw: np.ndarray, hashes: np.ndarray, starts: np.ndarray, lengths: np.ndarray
) -> tuple[list[str], np.ndarray]:
    """Names of a field table: ``(names in order of first appearance, name id per entry)``.

    Names are grouped by hash, then every entry is compared byte for byte with its group's first
    (a collision, which a hostile file could make, is resolved by exact names).
    """
    if hashes.size == 0:
        return [], np.zeros(0, np.int64)
    import pandas as pd  # xarray's own dependency

    # a hash table: ids in order of first appearance, in one pass (no sort)
    ids = np.asarray(pd.factorize(hashes, sort=False)[0], dtype=np.int64)
    # first appearances: where an id passes every id before it
    new = np.ones(ids.size, bool)
    new[1:] = ids[1:] > np.maximum.accumulate(ids)[:-1]
    rep = np.flatnonzero(new)
    names = [
        bytes(raw[s : s + n]).decode("latin-1")
        for s, n in zip(starts[rep], lengths[rep], strict=True)
    ]
    same = _kernels().same_names(raw, starts, lengths, starts[rep], lengths[rep], ids)
    if not same.all():  # hash collision: exact names for the entries that differ
        where = {name: i for i, name in enumerate(names)}
        for i in np.flatnonzero(~same):
            name = bytes(raw[starts[i] : starts[i] + lengths[i]]).decode("latin-1")
            if name not in where:
                where[name] = len(names)
                names.append(name)
            ids[i] = where[name]
        # keep first-appearance order
        firsts = np.full(len(names), ids.size, np.int64)
        np.minimum.at(firsts, ids, np.arange(ids.size))
        order = np.argsort(firsts, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        ids = rank[ids]
        names = [names[i] for i in order]
    return names, ids


def _duplicates(records: np.ndarray, ids: np.ndarray, names: list[str]) -> dict[int, str]:
    """Records naming one field twice: ``{local record: field name}``."""
    if records.size < 2:
        return {}
    key = records * max(1, len(names)) + ids
    span = int(key.max()) + 1
    if span <= 8 * key.size:  # the usual case: a cheap count per (record, name)
        counts = np.bincount(key, minlength=span)
        if counts.max() < 2:
            return {}
    uniq, counts = np.unique(key, return_counts=True)
    found: dict[int, str] = {}
    for k in uniq[counts > 1]:
        found.setdefault(int(k // max(1, len(names))), names[int(k % max(1, len(names)))])
    return found


def _walk_file(cols: DmapColumns, ifile: int, path: Path, mode: str) -> None:
    """Walk one buffer's records; append its good records and fields to ``cols``."""
    K = _kernels()
    buffer = cols.buffers[ifile]
    raw = _raw(buffer)
    rec_off, rec_code, info, s, a = K.walk(raw)
    s_rec, s_hash, s_name, s_nlen, s_key, s_pos, s_len = s
    a_rec, a_hash, a_name, a_nlen, a_key, a_pos, a_ndim, a_dims = a
    s_names, s_ids = _intern(raw, s_hash, s_name, s_nlen)
    a_names, a_ids = _intern(raw, a_hash, a_name, a_nlen)
    problems: dict[int, str] = {}
    for r in np.flatnonzero(rec_code != K.OK):
        problems[int(r)] = _problem_text(buffer, int(rec_code[r]), info[r])
    for names, recs, ids in ((s_names, s_rec, s_ids), (a_names, a_rec, a_ids)):
        for r, name in _duplicates(recs, ids, names).items():
            problems.setdefault(r, f"field {name!r} appears twice in the record")
    for r in sorted(problems):
        if mode == "strict":
            raise FileFormatError(f"record {r} at byte {int(rec_off[r])}: {problems[r]}", path=path)
        cols.problems.append(
            {"file": path.name, "record": r, "offset": int(rec_off[r]), "reason": problems[r]}
        )
    good = np.ones(rec_off.size, bool)
    good[list(problems)] = False
    base = cols.nrecords
    glob = np.cumsum(good) - 1 + base
    ngood = int(good.sum())
    if not problems:  # the usual case: every record kept, no mask to apply
        table = _FileTable(
            ifile, base, s_names, a_names,
            (s_ids, s_rec + base, s_key.astype(np.int64), s_pos, s_len),
            (a_ids, a_rec + base, a_key.astype(np.int64), a_pos, a_ndim, a_dims),
        )  # fmt: skip
    else:
        s_keep = good[s_rec]
        a_keep = good[a_rec]
        table = _FileTable(
            ifile, base, s_names, a_names,
            (s_ids[s_keep], glob[s_rec[s_keep]], s_key[s_keep].astype(np.int64), s_pos[s_keep],
             s_len[s_keep]),
            (a_ids[a_keep], glob[a_rec[a_keep]], a_key[a_keep].astype(np.int64), a_pos[a_keep],
             a_ndim[a_keep], a_dims[a_keep]),
        )  # fmt: skip
    cols.tables.append(table)
    local = np.flatnonzero(good)
    cols.record_file.extend([ifile] * ngood)
    cols.record_index.extend(local.tolist())
    cols.record_offset.extend(rec_off[local].tolist())
    cols.kinds.extend(_record_kinds(s_names, table.s[0], table.s[1] - base, ngood))
    cols.nrecords += ngood


def _record_kinds(names: list[str], ids: np.ndarray, recs: np.ndarray, n: int) -> list[str]:
    """:func:`detect_kind` of every record, from the scalar table."""
    kinds = np.full(n, "unknown", dtype=object)
    # lowest priority first: later assignments win, as detect_kind's order says
    for marker, kind in reversed(_KIND_MARKERS):
        if marker in names:
            kinds[recs[ids == names.index(marker)]] = kind
    return kinds.tolist()


def _merge(cols: DmapColumns, which: str) -> dict[str, _Column]:
    """One :class:`_Column` per field name across the walked files (first-appearance order).

    Each file's table is put in name order once (a counting sort, then one gather per table
    column); every name's entries are then a slice of it.
    """
    parts: dict[str, list[tuple[int, tuple[np.ndarray, ...]]]] = {}
    # dims beyond the most any array has are never read: not carried along
    width = max([1, *(int(t.a[4].max()) for t in cols.tables if t.a[4].size)])
    for table in cols.tables:
        names = table.scalar_names if which == "s" else table.array_names
        columns = table.s if which == "s" else (*table.a[:5], table.a[5][:, :width])
        if not columns[0].size:
            continue
        order, bounds = _kernels().group_order(columns[0], len(names))
        ordered = [c[order] for c in columns[1:]]
        for i, name in enumerate(names):
            lo, hi = int(bounds[i]), int(bounds[i + 1])
            if hi > lo:
                parts.setdefault(name, []).append((table.ifile, tuple(c[lo:hi] for c in ordered)))
    out: dict[str, _Column] = {}
    for name, pieces in parts.items():
        if which == "s":
            out[name] = _scalar_column(cols, pieces)
            continue
        if len(pieces) == 1:
            ifile, (recs, types, offsets, ndims, shapes) = pieces[0]
            buffers = np.full(recs.size, ifile, np.int64)
        else:
            recs, types, offsets, ndims, shapes = (
                np.concatenate([p[k] for _, p in pieces]) for k in range(5)
            )
            buffers = np.concatenate([np.full(p[0].size, f, np.int64) for f, p in pieces])
        keys = {int(k) for k in _distinct(types)}
        out[name] = _Column(int(types[0]), recs, None, buffers, offsets, shapes, ndims,
                            types, keys)  # fmt: skip
    return out


def _scalar_column(cols: DmapColumns, pieces: list[tuple[int, tuple[np.ndarray, ...]]]) -> _Column:
    if len(pieces) == 1:
        recs, types = pieces[0][1][0], pieces[0][1][1]
    else:
        recs = np.concatenate([p[0] for _, p in pieces])
        types = np.concatenate([p[1] for _, p in pieces])
    keys = {int(k) for k in _distinct(types)}
    chunks: list[Any] = []
    for ifile, (_, ktypes, pos, length) in pieces:
        raw = _raw(cols.buffers[ifile])
        if _STRING in keys:
            values: list[Any] = []
            cache: dict[bytes, str] = {}
            view = memoryview(cols.buffers[ifile])
            for k, p, n in zip(ktypes.tolist(), pos.tolist(), length.tolist(), strict=True):
                if k == _STRING:
                    b = bytes(view[p : p + n])
                    text = cache.get(b)
                    if text is None:
                        text = cache[b] = _decode_text(b)
                    values.append(text)
                else:
                    values.append(_numbers(raw, np.array([p]), DMAP_TYPES[k]).tolist()[0])
            chunks.append(values)
        else:
            common = np.result_type(*(DMAP_TYPES[k] for k in sorted(keys)))
            out = np.empty(pos.size, common)
            kinds = _distinct(ktypes)
            if kinds.size == 1:
                out = _numbers(raw, pos, DMAP_TYPES[int(kinds[0])], out)
            else:
                for k in kinds:
                    m = ktypes == k
                    out[m] = _numbers(raw, pos[m], DMAP_TYPES[int(k)])
            chunks.append(out)
    if _STRING in keys:
        values = [v for c in chunks for v in c]
    else:
        values = chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
    return _Column(int(types[0]), recs, values, types=types, keys=keys)


def _distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)``, without sorting when every value is the same (the usual case)."""
    if values.size and (values == values[0]).all():
        return values[:1]
    return np.unique(values)


def _numbers(
    raw: np.ndarray, pos: np.ndarray, dtype: np.dtype | None, out: np.ndarray | None = None
) -> np.ndarray:
    """One value of ``dtype`` at each byte position of ``raw`` (into ``out`` if given)."""
    assert dtype is not None
    if out is None:
        out = np.empty(pos.size, dtype)
    pos = np.ascontiguousarray(pos, dtype=np.int64)
    return _kernels().gather(raw, pos, np.ones(pos.size, np.int64), np.zeros(1, dtype), out)


def decode_dmap(
    buffer: bytes | bytearray,
    path: PathLike | None = None,
    mode: str = "lax",
    columns: DmapColumns | None = None,
) -> DmapColumns:
    """Walk the records of DMAP content and gather their fields column by column.

    Args:
        buffer: Decompressed DMAP content.
        path: The file, named in messages.
        mode: ``"lax"`` (skip damaged records, list them) or ``"strict"`` (raise).
        columns: Columns to extend (several files into one); a new one if ``None``.

    Returns:
        The :class:`DmapColumns` (its ``problems`` lists what lax mode skipped).

    Raises:
        FileFormatError: In strict mode, at the first damaged record (file, record index, byte
            offset, field and reason); in either mode, for empty content.
    """
    cols = columns if columns is not None else DmapColumns()
    _decode(cols, buffer, path, mode)
    return cols.finish()


def _decode(cols: DmapColumns, buffer: bytes | bytearray, path: PathLike | None, mode: str) -> None:
    p = Path(path) if path is not None else Path("<bytes>")
    ifile = len(cols.buffers)
    cols.buffers.append(buffer)
    cols.paths.append(p)
    if not len(buffer):
        raise FileFormatError("empty file: no DMAP record", path=path)
    _walk_file(cols, ifile, p, mode)


#: (scalar name, DMAP type) in :func:`detect_kind`'s order (the first present wins).
_KIND_MARKERS = (
    ("iqdata.revision.major", "iqdat"),
    ("rawacf.revision.major", "rawacf"),
    ("snd.revision.major", "snd"),
    ("fitacf.revision.major", "fitacf"),
    ("map.major.revision", "map"),
    ("start.year", "grid"),
)


def detect_kind(scalar_names: Iterable[str]) -> str:
    """The DMAP file type of a record from its scalar names.

    Args:
        scalar_names: The record's scalar names.

    Returns:
        One of :data:`KINDS`, or ``"unknown"``.
    """
    names = set(scalar_names)
    if "iqdata.revision.major" in names:
        return "iqdat"
    if "rawacf.revision.major" in names:
        return "rawacf"
    if "snd.revision.major" in names:
        return "snd"
    if "fitacf.revision.major" in names:
        return "fitacf"
    if "map.major.revision" in names:
        return "map"
    if "start.year" in names:
        return "grid"
    return "unknown"


# -- building the Dataset ---------------------------------------------------------------------


def _view(cols: DmapColumns, col: _Column, i: int) -> np.ndarray:
    """Record ``i`` of array column ``col``: a numpy view over its file's buffer."""
    shape = col.shape(i)
    dtype = DMAP_TYPES[int(col.types[i])]
    assert dtype is not None  # string arrays are refused while decoding
    return np.frombuffer(
        cols.buffers[int(col.buffers[i])], dtype, count=math.prod(shape), offset=int(col.offsets[i])
    ).reshape(shape)


def _values(
    cols: DmapColumns, col: _Column, entries: np.ndarray, dtype: np.dtype | None = None
) -> np.ndarray:
    """The values of the ``entries`` of array column ``col``, flattened and concatenated.

    Each run of one file and one type is copied out of its buffer by one kernel call (no
    per-record view, no per-byte index array) and converted once to ``dtype`` (default: the
    column's common type).
    """
    entries = np.asarray(entries, dtype=np.int64)
    dtype = np.dtype(dtype) if dtype is not None else _common_dtype(col)
    counts = col.counts()[entries]
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype)
    kinds = col.buffers[entries] * 256 + col.types[entries]
    groups = _distinct(kinds)
    K = _kernels()
    result = np.empty(total, dtype)
    if groups.size == 1:
        ifile, key = divmod(int(groups[0]), 256)
        src = DMAP_TYPES[key]
        assert src is not None
        raw = _raw(cols.buffers[ifile])
        return K.gather(raw, col.offsets[entries], counts, np.zeros(1, src), result)
    first = np.cumsum(counts) - counts
    for g in groups:
        ifile, key = divmod(int(g), 256)
        src = DMAP_TYPES[key]
        assert src is not None
        sel = np.flatnonzero(kinds == g)
        raw = _raw(cols.buffers[ifile])
        K.scatter_runs(raw, col.offsets[entries[sel]], counts[sel], np.zeros(1, src), first[sel],
                       result)  # fmt: skip
    return result


def _spans(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])``, vectorised."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    ends = np.cumsum(counts)
    return np.arange(total, dtype=np.int64) + np.repeat(
        np.asarray(starts) - (ends - counts), counts
    )


def _padded_dtype(dtype: np.dtype) -> np.dtype:
    """A dtype that holds ``dtype``'s values exactly and NaN."""
    if dtype.kind == "f":
        return dtype
    if dtype.itemsize <= 2:
        return np.dtype("f4")
    return np.dtype("f8")


def _common_dtype(col: _Column) -> np.dtype:
    types = [DMAP_TYPES[k] for k in sorted(col.keys)]
    return np.result_type(*types)


def _shape_groups(shapes: np.ndarray) -> list[tuple[tuple[int, ...], np.ndarray]]:
    """Rows of ``shapes`` grouped by value: ``[(shape, row indices)]``, in first-seen order."""
    if shapes.shape[0] == 0:
        return []
    if shapes.shape[1] == 0 or (shapes == shapes[0]).all():
        return [(tuple(int(d) for d in shapes[0]), np.arange(shapes.shape[0]))]
    uniq, first, inverse = np.unique(shapes, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    return [
        (tuple(int(d) for d in uniq[g]), np.flatnonzero(inverse == g)) for g in np.argsort(first)
    ]


class _Builder:
    """Turns :class:`DmapColumns` into Dataset variables, checking each allocation."""

    def __init__(self, cols: DmapColumns, limits: Limits, mode: str, ntime: int) -> None:
        self.cols = cols
        self.limits = limits
        self.mode = mode
        self.ntime = ntime
        self.vars: dict[str, xr.Variable] = {}
        self.coords: dict[str, Any] = {}
        self.allocated = 0

    def problem(self, rec: int, reason: str) -> None:
        cols = self.cols
        f = cols.record_file[rec]
        p = cols.paths[f]
        index, offset = cols.record_index[rec], cols.record_offset[rec]
        if self.mode == "strict":
            raise FileFormatError(f"record {index} at byte {offset}: {reason}", path=p)
        cols.problems.append({"file": p.name, "record": index, "offset": offset, "reason": reason})

    def check(self, nbytes: int, what: str) -> None:
        """Refuse ``nbytes`` more when they, with what is built already, pass the limit."""
        if self.allocated + nbytes <= self.limits.max_array_bytes:
            return
        if self.allocated:
            what = f"{what} (with the {format_bytes(self.allocated)} of variables before it)"
        self.limits.check_array(self.allocated + nbytes, self.cols.paths[0], what)

    def alloc(self, shape: tuple[int, ...], dtype: np.dtype, fill: Any, what: str) -> np.ndarray:
        nbytes = int(np.prod(shape, dtype=object)) * np.dtype(dtype).itemsize
        self.check(nbytes, what)
        self.allocated += nbytes
        return np.full(shape, fill, dtype=dtype)

    def scalar(self, name: str, col: _Column) -> xr.Variable:
        n = self.ntime
        full = len(col.records) == n  # records are unique: then every record has it
        if _STRING in col.keys:
            texts = [str(v) for v in col.values]
            width = max((len(t) for t in texts), default=0)
            self.check(
                n * max(width, 1) * 4, f"scalar {name!r} ({n} strings of {width} characters)"
            )
            out = np.full(n, "", dtype=object)
            out[col.records] = texts
            arr = out.astype(str)
            self.allocated += arr.nbytes
        else:
            dtype = _common_dtype(col)
            if full:
                self.check(n * dtype.itemsize, f"scalar {name!r}")
                self.allocated += n * dtype.itemsize
                arr = np.asarray(col.values, dtype=dtype)
            else:
                arr = self.alloc((n,), _padded_dtype(dtype), np.nan, f"scalar {name!r}")
                arr[col.records] = col.values
        return xr.Variable(("time",), arr, self.attrs(name, col))

    def attrs(self, name: str, col: _Column) -> dict[str, Any]:
        attrs: dict[str, Any] = {"dmap_type": int(max(col.keys))}
        if name in _META:
            attrs["units"], attrs["long_name"] = _META[name]
        return attrs

    def padded(self, name: str, col: _Column, dims: tuple[str, ...] | None = None) -> xr.Variable:
        """Records' arrays stacked on ``time``, each padded to the largest shape (NaN)."""
        ndims = col.ndims
        if ndims.size and (ndims == ndims[0]).all():
            ndim = int(ndims[0])
        else:
            found, counts = np.unique(ndims, return_counts=True)
            ndim = int(found[np.argmax(counts)])
        keep = np.flatnonzero(ndims == ndim)
        for i in np.flatnonzero(ndims != ndim):
            self.problem(
                int(col.records[i]), f"field {name!r}: {int(ndims[i])} dims, other records {ndim}"
            )
        shapes = col.shapes[keep, :ndim]
        shape = tuple(int(d) for d in shapes.max(axis=0))
        dtype = _common_dtype(col)
        need_pad = keep.size < self.ntime or bool((shapes != shape).any())
        out_dtype = _padded_dtype(dtype) if need_pad else dtype
        out = self.alloc((self.ntime, *shape), out_dtype, np.nan if need_pad else 0, repr(name))
        values = _values(self.cols, col, keep, out_dtype)
        if not need_pad:  # every record, one shape: records are 0..n-1 in order
            out[...] = values.reshape(out.shape)
        else:
            counts = col.counts()[keep]
            first = np.cumsum(counts) - counts
            for s, rows in _shape_groups(shapes):
                recs = col.records[keep[rows]]
                size = math.prod(s)
                part = values[_spans(first[rows], np.full(rows.size, size))]
                out[(recs, *(slice(0, k) for k in s))] = part.reshape(rows.size, *s)
        if dims is None or len(dims) != ndim:
            safe = name.replace(".", "_")
            dims = tuple(f"{safe}_dim{a}" for a in range(ndim))
        return xr.Variable(("time", *dims), out, self.attrs(name, col))

    def ragged(self, dim: str, names: list[str]) -> None:
        """Arrays of one family flattened on ``dim``, with the record index of each element."""
        cols = self.cols
        n = self.ntime
        length = np.full(n, -1, np.int64)
        bad = np.zeros(n, bool)
        for name in names:
            col = cols.arrays[name]
            one = col.ndims == 1
            s0 = col.shapes[:, 0]
            recs = col.records
            bad[recs[~one]] = True
            unset = length[recs] < 0
            differs = one & ~unset & (length[recs] != s0)
            bad[recs[differs]] = True
            length[recs[one & unset]] = s0[one & unset]
        for rec in np.flatnonzero(bad):
            self.problem(int(rec), f"the {dim} arrays of this record differ in length (dropped)")
        good = (length >= 0) & ~bad
        recs = np.flatnonzero(good)
        counts = length[recs]
        starts = np.cumsum(counts) - counts
        total = int(counts.sum())
        where = np.full(n, -1, np.int64)
        where[recs] = starts
        record = self.alloc((total,), np.dtype("i4"), 0, f"the {dim} index")
        record[:] = np.repeat(recs, counts)
        for name in names:
            col = cols.arrays[name]
            ok = np.flatnonzero(good[col.records])
            dtype = _common_dtype(col)
            full = ok.size == recs.size
            out_dtype = dtype if full else _padded_dtype(dtype)
            out = self.alloc((total,), out_dtype, np.nan if not full else 0, repr(name))
            okrecs = col.records[ok]
            out[_spans(where[okrecs], length[okrecs])] = _values(cols, col, ok, out_dtype)
            self.vars[name] = xr.Variable((dim,), out, self.attrs(name, col))
        self.coords[f"{dim}_record"] = ((dim,), record)

    def _gate_blocks(
        self, plans: list, entry_of: np.ndarray, sl_len: np.ndarray, sl_first: np.ndarray,
        sl_vals: np.ndarray, ngates: int,
    ) -> dict[str, np.ndarray]:  # fmt: skip
        """The one-value-per-gate fields, decoded record by record in one kernel pass.

        Fields stored with one type in one file are decoded together, a record at a time (its
        fields lie side by side in the buffer), each value straight into its (record, gate)
        cell of a ``(field, time, range_gate)`` block; each field's variable is its slice.
        """
        groups: dict[tuple[int, int, str], list[tuple[str, _Column, np.ndarray]]] = {}
        for name, col, good, _tails, tail, dtype in plans:
            if not good.size or tail:
                continue
            kinds = _distinct(col.buffers[good] * 256 + col.types[good])
            if kinds.size == 1:
                ifile, key = divmod(int(kinds[0]), 256)
                groups.setdefault((ifile, key, dtype.str), []).append((name, col, good))
        out: dict[str, np.ndarray] = {}
        for (ifile, key, dtype), fields in groups.items():
            nf = len(fields)
            shape = (nf, self.ntime, ngates)
            nbytes = math.prod(shape) * np.dtype(dtype).itemsize
            self.check(nbytes, ", ".join(repr(f[0]) for f in fields))
            self.allocated += nbytes
            block = np.empty(shape, dtype)  # the kernel writes every cell (NaN where no value)
            starts = np.full((nf, self.ntime), -1, np.int64)
            for f, (_, col, good) in enumerate(fields):
                starts[f, col.records[good]] = col.offsets[good]
            _kernels().gate_block(
                _raw(self.cols.buffers[ifile]), np.zeros(1, DMAP_TYPES[key]), starts, entry_of,
                sl_len, sl_first, sl_vals, block,
            )  # fmt: skip
            for f, (name, _, _) in enumerate(fields):
                out[name] = block[f]
        return out

    def range_gates(self, names: list[str], slist: _Column, ngates: int) -> None:
        """Scatter each range array by its record's ``slist`` into ``(time, range_gate, ...)``."""
        cols = self.cols
        nsl = slist.records.size
        sl_counts = slist.counts()
        sl_first = np.cumsum(sl_counts) - sl_counts
        sl_vals = _values(cols, slist, np.arange(nsl), np.dtype(np.int64))
        seg = np.repeat(np.arange(nsl), sl_counts)
        outside = (sl_vals < 0) | (sl_vals >= ngates)
        bad_entry = (slist.ndims != 1) | (np.bincount(seg, weights=outside, minlength=nsl) > 0)
        for i in np.flatnonzero(bad_entry):
            self.problem(int(slist.records[i]), "field 'slist': gates outside the range axis "
                         "(record's range data dropped)")  # fmt: skip
        bad_rec = np.zeros(self.ntime, bool)
        bad_rec[slist.records[bad_entry]] = True
        entry_of = np.full(self.ntime, -1, np.int64)
        entry_of[slist.records[~bad_entry]] = np.flatnonzero(~bad_entry)
        sl_len = slist.shapes[:, 0]
        # plan every field first: the (time, range_gate) arrays are checked together
        plans = []
        total = 0
        for name in names:
            col = cols.arrays[name]
            e = entry_of[col.records]
            ok = (e >= 0) & (col.ndims >= 1) & (col.shapes[:, 0] == sl_len[np.maximum(e, 0)])
            if ok.any():  # the tail's ndim is the first good entry's; others do not fit
                tail_ndim = int(col.ndims[np.argmax(ok)]) - 1
                ok &= col.ndims == tail_ndim + 1
            for i in np.flatnonzero(~ok):
                rec = int(col.records[i])
                if not bad_rec[rec]:  # a bad slist was reported already
                    self.problem(rec, f"field {name!r}: shape {list(col.shape(i))} does not "
                                 "match the record's slist (dropped)")  # fmt: skip
            good = np.flatnonzero(ok)
            tails = col.shapes[good, 1 : 1 + (tail_ndim if good.size else 0)]
            tail = tuple(int(d) for d in tails.max(axis=0)) if good.size else ()
            dtype = _padded_dtype(_common_dtype(col))
            total += self.ntime * ngates * math.prod(tail) * dtype.itemsize
            plans.append((name, col, good, tails, tail, dtype))
        self.check(total, f"the (time, range_gate) arrays of {len(names)} fields over "
                   f"{self.ntime} records and {ngates} range gates")  # fmt: skip
        scatter: dict[bytes, np.ndarray] = {}
        blocks = self._gate_blocks(plans, entry_of, sl_len, sl_first, sl_vals, ngates)
        for name, col, good, tails, tail, dtype in plans:
            if name in blocks:
                out = blocks[name]
            else:
                out = self.alloc((self.ntime, ngates, *tail), dtype, np.nan, repr(name))
            if good.size and name not in blocks:
                values = _values(cols, col, good, dtype)
                e = entry_of[col.records[good]]
                lens = sl_len[e]
                for t, rows in _shape_groups(tails):
                    key = e[rows].tobytes()
                    if key not in scatter:  # fields of the same records share the indices
                        flat = np.repeat(col.records[good[rows]] * ngates, lens[rows])
                        flat += sl_vals[_spans(sl_first[e[rows]], lens[rows])]
                        scatter[key] = flat
                    flat = scatter[key]
                    if len(rows) == good.size:
                        part = values
                    else:
                        counts = col.counts()[good]
                        first = np.cumsum(counts) - counts
                        part = values[_spans(first[rows], counts[rows])]
                    rows_out = out.reshape(self.ntime * ngates, *tail)
                    rows_out[(flat, *(slice(0, k) for k in t))] = part.reshape(-1, *t)
            dims = _RANGE_TAIL.get(name)
            if dims is None or len(dims) != len(tail):
                safe = name.replace(".", "_")
                dims = tuple(f"{safe}_dim{a + 1}" for a in range(len(tail)))
            self.vars[name] = xr.Variable(("time", "range_gate", *dims), out, self.attrs(name, col))


def _radar_times(b: _Builder) -> np.ndarray:
    return _compose_time(b, "time.yr", "time.mo", "time.dy", "time.hr", "time.mt", "time.sc",
                         "time.us")  # fmt: skip


def _compose_time(b: _Builder, *names: str) -> np.ndarray:
    """Record times from year, month, day, hour, minute, second and microsecond scalars."""
    n = b.ntime
    parts = []
    for name in names:
        col = b.cols.scalars.get(name)
        arr = np.zeros(n) if name.endswith(".us") and col is None else np.full(n, np.nan)
        if col is not None and _STRING not in col.keys:
            arr[col.records] = np.asarray(col.values, dtype=float)
        parts.append(arr)
    yr, mo, dy, hr, mt, sc, us = parts
    with np.errstate(invalid="ignore"):
        ok = (
            np.isfinite(yr + mo + dy + hr + mt + sc + us)
            & (yr >= 1900) & (yr <= 2200) & (mo >= 1) & (mo <= 12) & (dy >= 1) & (dy <= 31)
            & (hr >= 0) & (hr < 24) & (mt >= 0) & (mt < 60) & (sc >= 0) & (sc < 61)
            & (us >= 0) & (us < 1e6)
        )  # fmt: skip
    months = np.where(ok, (yr - 1970) * 12 + mo - 1, 0).astype(np.int64)
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    nxt = (months + 1).astype("datetime64[M]").astype("datetime64[D]")
    day = first + np.where(ok, dy - 1, 0).astype(np.int64)
    ok &= day < nxt
    ns = np.where(ok, (hr * 3600 + mt * 60) * 1e9, 0).astype(np.int64)
    ns += np.round(np.where(ok, sc * 1e9 + us * 1e3, 0)).astype(np.int64)
    times = day.astype("datetime64[ns]") + ns.astype("timedelta64[ns]")
    times[~ok] = np.datetime64("NaT")
    for rec in np.flatnonzero(~ok):
        b.problem(int(rec), "no valid record time (time is NaT)")
    return times


def _record_times(b: _Builder, kind: str) -> np.ndarray:
    """Each record's time (its start for grid and map records)."""
    if kind in _RADAR_KINDS:
        return _radar_times(b)
    return _compose_time(
        b, "start.year", "start.month", "start.day", "start.hour", "start.minute",
        "start.second", "start.us",
    )  # fmt: skip


def plausible_times() -> tuple[np.datetime64, np.datetime64]:
    """The window SuperDARN record times can lie in.

    Returns:
        ``(earliest, latest)`` as ``datetime64[ns]``: ``io.superdarn_earliest_time`` and now
        plus ``io.superdarn_future_margin_days``.

    Raises:
        ConfigError: If ``io.superdarn_earliest_time`` is not a date.
    """
    cfg = config.get().io
    try:
        first = to_ns(cfg.superdarn_earliest_time, "io.superdarn_earliest_time")
    except ValueError:
        raise ConfigError(
            f"io.superdarn_earliest_time must be an ISO date, not {cfg.superdarn_earliest_time!r}"
        ) from None
    now = np.datetime64(_dt.datetime.now(_dt.UTC).replace(tzinfo=None), "ns")
    margin = np.timedelta64(round(float(cfg.superdarn_future_margin_days) * 86_400), "s")
    return first, now + margin


def _drop_implausible(
    cols: DmapColumns, times: np.ndarray, limits: Limits, mode: str
) -> tuple[DmapColumns, np.ndarray]:
    """Skip (lax) or refuse (strict) records dated outside :func:`plausible_times`."""
    first, last = plausible_times()
    bad = ~np.isnat(times) & ((times < first) | (times > last))
    if not bad.any():
        return cols, times
    b = _Builder(cols, limits, mode, cols.nrecords)
    window = (
        f"outside the plausible range of SuperDARN records ({np.datetime_as_string(first, 'D')} "
        f"to {np.datetime_as_string(last, 'D')}; config keys io.superdarn_earliest_time and "
        "io.superdarn_future_margin_days)"
    )
    for rec in np.flatnonzero(bad):
        when = np.datetime_as_string(times[rec], "s")
        b.problem(int(rec), f"record time {when} is {window} (record skipped)")
    if bad.all():
        raise FileFormatError(f"no record has a plausible time: every record is {window}",
                              path=cols.paths[0])  # fmt: skip
    return cols.keep(~bad), times[~bad]


def _build(cols: DmapColumns, kind: str, limits: Limits, mode: str) -> xr.Dataset:
    times = _record_times(_Builder(cols, limits, mode, cols.nrecords), kind)
    cols, times = _drop_implausible(cols, times, limits, mode)
    n = cols.nrecords
    b = _Builder(cols, limits, mode, n)
    if kind not in _RADAR_KINDS:
        b.coords["end_time"] = (
            ("time",),
            _compose_time(
                _Builder(cols, limits, "lax", n), "end.year", "end.month", "end.day",
                "end.hour", "end.minute", "end.second", "end.us",
            ),
        )  # fmt: skip
    for name, col in cols.scalars.items():
        b.vars[name] = b.scalar(name, col)
    arrays = dict(cols.arrays)
    if kind in _RADAR_KINDS:
        slist = arrays.pop("slist", None)
        range_names: list[str] = []
        ngates = 0
        nrang = cols.scalars.get("nrang")
        if nrang is not None and _STRING not in nrang.keys and len(nrang.values):
            declared = np.asarray(nrang.values, dtype=np.float64)
            declared = declared[np.isfinite(declared)]
            if declared.size:
                ngates = max(0, int(min(declared.max(), 2**40)))  # the limit check follows
        if "pwr0" in arrays:
            ngates = max(ngates, int(arrays["pwr0"].shapes[:, 0].max(initial=0)))
        if slist is not None:
            sl_values = _values(cols, slist, np.arange(slist.records.size), np.dtype(np.int64))
            if sl_values.size:
                ngates = max(ngates, int(sl_values.max()) + 1)
            entry_of = np.full(n, -1, np.int64)
            entry_of[slist.records] = np.arange(slist.records.size)
            sl_len = np.where(slist.ndims == 1, slist.shapes[:, 0], -1)
            for name, col in arrays.items():
                if name in _RADAR_DIMS or name == "data":
                    continue
                e = entry_of[col.records]
                if (
                    name in _RANGE_FIELDS
                    or name.startswith("x_")
                    or bool(((e >= 0) & (col.ndims >= 1) & (col.shapes[:, 0] == sl_len[e])).all())
                ):
                    range_names.append(name)
            ngates = max(0, ngates)
            b.check(ngates * n * 4, f"{n} records of {ngates} gates")
            # slist itself, padded with -1 (the gates each record reported, in file order)
            counts = slist.counts()
            width = int(counts.max(initial=0))
            out = b.alloc((n, width), _common_dtype(slist), -1, "'slist'")
            first = np.cumsum(counts) - counts
            out[
                np.repeat(slist.records, counts), np.arange(counts.sum()) - np.repeat(first, counts)
            ] = sl_values
            b.vars["slist"] = xr.Variable(("time", "slist_index"), out, b.attrs("slist", slist))
            b.range_gates(range_names, slist, ngates)
        for name in range_names:
            arrays.pop(name)
        if kind == "iqdat" and "data" in arrays:
            _iq_data(b, arrays.pop("data"))
        for name, col in arrays.items():
            b.vars[name] = b.padded(name, col, _RADAR_DIMS.get(name))
        if "range_gate" in {d for v in b.vars.values() for d in v.dims}:
            size = max(v.sizes.get("range_gate", 0) for v in b.vars.values())
            b.coords["range_gate"] = ("range_gate", np.arange(size, dtype=np.int32))
    else:
        families: dict[str, list[str]] = {}
        for name in list(arrays):
            for prefix, dim in _RAGGED.items():
                if name.startswith(prefix):
                    families.setdefault(dim, []).append(name)
                    arrays.pop(name)
                    break
        for dim, names in families.items():
            b.ragged(dim, names)
        for name, col in arrays.items():
            if name in _GRID_RADAR:
                b.vars[name] = b.padded(name, col, ("radar",))
            elif name in _COEFFICIENTS:
                b.vars[name] = b.padded(name, col, ("coefficient",))
            else:
                b.vars[name] = b.padded(name, col)
    for dim in ("vector", "model_vector", "boundary_point"):
        key = f"{dim}_record"
        if key in b.coords:
            b.coords[f"{dim}_time"] = ((dim,), times[b.coords[key][1]])
    if any("reim" in v.dims for v in b.vars.values()):
        b.coords["reim"] = ("reim", np.array(["re", "im"]))
    if any("iq" in v.dims for v in b.vars.values()):
        b.coords["iq"] = ("iq", np.array(["i", "q"]))
    _harmonise(b)
    # a field named like one of our dims or coordinates (``time``, ``vector_record``...) is
    # kept under ``<name>_dmap``
    reserved = {"time", *b.coords, *(d for v in b.vars.values() for d in v.dims)}
    for name in [n for n in b.vars if n in reserved]:
        new = f"{name}_dmap"
        while new in b.vars or new in reserved:
            new += "_"
        b.vars[new] = b.vars.pop(name)
    ds = xr.Dataset(b.vars, coords={"time": ("time", times), **b.coords})
    ds.attrs.update(_dataset_attrs(cols, kind))
    return ds


def _harmonise(b: _Builder) -> None:
    """Pad variables whose shared dim is shorter than in another variable (NaN)."""
    sizes: dict[str, int] = {}
    for var in b.vars.values():
        for dim, size in var.sizes.items():
            sizes[dim] = max(size, sizes.get(dim, 0))
    for name, var in list(b.vars.items()):
        short = {d: sizes[d] - s for d, s in var.sizes.items() if s < sizes[d]}
        if not short:
            continue
        dtype = _padded_dtype(var.dtype) if var.dtype.kind in "iuf" else var.dtype
        fill = np.nan if dtype.kind == "f" else ""
        shape = [sizes[d] for d in var.dims]
        b.check(math.prod(shape) * dtype.itemsize, f"{name!r} padded to {shape}")
        b.allocated += math.prod(shape) * dtype.itemsize
        data = np.asarray(var.values, dtype=dtype)
        pad = [(0, short.get(d, 0)) for d in var.dims]
        b.vars[name] = xr.Variable(var.dims, np.pad(data, pad, constant_values=fill), var.attrs)


def _iq_data(b: _Builder, col: _Column) -> None:
    """The iqdat ``data``: each record's samples as (sequence, iq_channel, sample, iq)."""
    cols = b.cols
    dims = []
    for name in ("seqnum", "chnnum", "smpnum"):
        c = cols.scalars.get(name)
        per_record = np.full(b.ntime, -1, np.int64)
        if c is not None and _STRING not in c.keys:
            values = np.asarray(c.values, dtype=np.float64)
            with np.errstate(invalid="ignore"):
                whole = np.isfinite(values) & (values >= 0) & (values < 2**31)
                whole &= np.where(whole, values, 0) % 1 == 0
            per_record[c.records[whole]] = values[whole].astype(np.int64)
        dims.append(per_record[col.records])
    seq, chn, smp = dims
    ok = (seq >= 0) & (chn >= 0) & (smp >= 0)
    ok &= (seq < 2**20) & (chn < 2**20) & (smp < 2**20)  # the product stays exact in int64
    ok &= np.where(ok, seq * chn * smp * 2, -1) == col.counts()
    if not ok.all():
        b.vars["data"] = b.padded("data", col)  # keep it flat
        return
    shapes = np.zeros((col.records.size, MAX_NDIM), np.int64)
    shapes[:, :4] = np.stack([seq, chn, smp, np.full(seq.size, 2)], axis=1)
    reshaped = _Column(
        col.key, col.records, None, col.buffers, col.offsets, shapes,
        np.full(col.records.size, 4, np.int64), col.types, col.keys,
    )  # fmt: skip
    b.vars["data"] = b.padded("data", reshaped, ("sequence", "iq_channel", "sample", "iq"))


def _dataset_attrs(cols: DmapColumns, kind: str) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "geospacexr_kind": "superdarn",
        "superdarn_type": kind,
        "source_files": json.dumps([p.name for p in cols.paths]),
        "problematic_records": json.dumps(cols.problems),
        # the fields' order of first appearance (the writer writes records in this order)
        "dmap_fields": json.dumps({"scalars": list(cols.scalars), "arrays": list(cols.arrays)}),
    }
    stid = cols.scalars.get("stid")
    if stid is not None and _STRING not in stid.keys and np.unique(stid.values).size == 1:
        attrs["station_id"] = int(stid.values[0])
    hemi = cols.scalars.get("hemisphere")
    if hemi is not None and _STRING not in hemi.keys and np.unique(hemi.values).size == 1:
        attrs["hemisphere"] = "north" if int(hemi.values[0]) == 1 else "south"
    return attrs


def _check_mode(mode: str) -> None:
    if mode not in ("lax", "strict"):
        raise InvalidArgumentError(f"must be 'lax' or 'strict', not {mode!r}", argument="mode")


def open_superdarn(
    paths: PathLike | Iterable[PathLike], kind: str | None = None, mode: str = "lax"
) -> xr.Dataset:
    """Open SuperDARN DMAP files (iqdat, rawacf, fitacf, snd, grid, map) as one Dataset.

    Files may be plain or bzip2 (detected by content); several files of one type are
    concatenated in time, in file-name order. ``docs/superdarn.md`` describes the layout: every
    record scalar as a ``time`` variable under its DMAP name; for radar files the per-gate
    arrays scattered by ``slist`` onto ``(time, range_gate)`` (NaN where a record did not report
    the gate), ``slist`` itself on ``(time, slist_index)`` padded with -1, other arrays on their
    own dims; for grid and map files the ``vector.*``, ``model.*`` and ``boundary.*`` arrays
    flattened on ``vector`` / ``model_vector`` / ``boundary_point`` with a ``<dim>_record``
    index and ``<dim>_time``, per-radar arrays on ``(time, radar)`` and the map coefficients
    on ``(time, coefficient)``. Unknown fields are kept. Integer arrays that needed padding
    become floats (``attrs["dmap_type"]`` keeps each field's DMAP type key).

    Args:
        paths: A file, a glob pattern or a list of files.
        kind: ``"iqdat"``, ``"rawacf"``, ``"fitacf"``, ``"snd"``, ``"grid"`` or ``"map"``;
            detected from the records when ``None``.
        mode: ``"lax"``: damaged records and unreadable files are skipped, listed in
            ``attrs["problematic_records"]`` and named in one
            :class:`~geospacexr.errors.DataWarning`; ``"strict"``: the first problem raises.

    Returns:
        A Dataset with ``attrs["geospacexr_kind"] == "superdarn"`` and
        ``attrs["superdarn_type"]`` the file type.

    Raises:
        NoFilesError: If nothing matches ``paths``.
        FileFormatError: If a file is damaged (strict mode; the message names the file, the
            record index, its byte offset and the field), exceeds the ``[io]`` limits, or no
            record can be read at all.
        IncompatibleInputError: If the files hold different DMAP types, or not ``kind``.
        InvalidArgumentError: If ``kind`` or ``mode`` is not one of the values above.

    Example:
        >>> ds = geospacexr.open_superdarn("20180404.*.fitacf.bz2")   # doctest: +SKIP
        >>> ds.v.dims
        ('time', 'range_gate')
    """
    _check_mode(mode)
    if kind is not None and kind not in KINDS:
        raise InvalidArgumentError(f"must be one of {', '.join(KINDS)}, not {kind!r}", "kind")
    files = expand_paths(paths)
    limits = Limits.current()
    cols = DmapColumns()
    for path in files:
        try:
            buffer, problem = read_dmap_bytes(path, limits)
        except FileFormatError as exc:
            if mode == "strict":
                raise
            cols.problems.append(
                {"file": path.name, "record": None, "offset": None,
                 "reason": str(exc).removeprefix(f"{path}: ")}
            )  # fmt: skip
            continue
        if problem is not None:
            if mode == "strict":
                raise FileFormatError(problem, path=path)
            cols.problems.append(
                {"file": path.name, "record": None, "offset": None, "reason": problem}
            )
        before = cols.nrecords
        try:
            _decode(cols, buffer, path, mode)
        except FileFormatError as exc:
            if mode == "strict":
                raise
            cols.problems.append(
                {"file": path.name, "record": None, "offset": None,
                 "reason": str(exc).removeprefix(f"{path}: ")}
            )  # fmt: skip
        if cols.nrecords == before and not any(p["file"] == path.name for p in cols.problems):
            cols.problems.append(
                {"file": path.name, "record": None, "offset": None, "reason": "no DMAP record"}
            )
    cols.finish()
    if cols.nrecords == 0:
        listing = "; ".join(f"{p['file']}: {_where(p)}{p['reason']}" for p in cols.problems)
        raise FileFormatError(f"no DMAP record could be read ({listing})")
    found = sorted(set(cols.kinds) - {"unknown"}) or ["unknown"]
    if len(found) > 1 or found == ["unknown"]:
        raise IncompatibleInputError(
            f"the records are of DMAP types {', '.join(found)}; open one type at a time"
            if len(found) > 1
            else "records of no known DMAP type (no revision or start-time scalars)"
        )
    detected = found[0]
    if kind is not None and kind != detected:
        raise IncompatibleInputError(f"kind={kind!r} asked for, but the files hold {detected}")
    ds = _build(cols, detected, limits, mode)
    if cols.problems:
        listing = "; ".join(f"{p['file']}: {_where(p)}{p['reason']}" for p in cols.problems)
        warnings.warn(
            f"{len(cols.problems)} problem(s) while reading DMAP files (the good records are "
            f"kept; see attrs['problematic_records']): {listing}",
            DataWarning,
            stacklevel=2,
        )
    return ds


def _where(problem: dict[str, Any]) -> str:
    if problem.get("record") is None:
        return ""
    at = f" at byte {problem['offset']}" if problem.get("offset") is not None else ""
    return f"record {problem['record']}{at}: "


def _sniff(path: Path) -> bool:
    """Whether the first record header is a plausible DMAP header."""
    from .registry import peek

    head = peek(path, HEADER.size)
    if len(head) < HEADER.size:
        return False
    code, size, nscalars, narrays = HEADER.unpack(head)
    return code == RECORD_CODE and size >= HEADER.size and 0 <= nscalars and 0 <= narrays


@register_reader(
    "superdarn-dmap",
    kind="superdarn",
    patterns=tuple(
        f"*.{ext}{z}"
        for ext in ("iqdat", "rawacf", "fitacf", "fit", "snd", "grid", "grd", "map", "mp")
        for z in ("", ".bz2")
    ),
    magic=(HEADER.pack(RECORD_CODE, 0, 0, 0)[:4],),
    sniff=_sniff,
    description="SuperDARN DMAP files (iqdat, rawacf, fitacf, snd, grid, map), plain or bzip2",
    sample="superdarn-fitacf",
)
def open_dmap_files(
    files: PathLike | Iterable[PathLike], kind: str | None = None, mode: str = "lax"
) -> xr.Dataset:
    """SuperDARN DMAP files (the ``superdarn-dmap`` reader; see :func:`open_superdarn`).

    Args:
        files: DMAP files of one type.
        kind: The DMAP type; detected when ``None``.
        mode: ``"lax"`` or ``"strict"``.

    Returns:
        The ``superdarn`` Dataset.
    """
    return open_superdarn(files, kind=kind, mode=mode)
