r"""SuperDARN DMAP files (iqdat, rawacf, fitacf, snd, grid, map) as one ``superdarn`` Dataset.

A DMAP file is records written back to back, plain or bzip2-compressed (detected by content,
``BZh``), all numbers little-endian. Each record is a 16-byte header (int32 code 65537, int32
size of the whole record, int32 scalar count, int32 array count), then its scalars (``name\0``,
int8 type key, value; strings NUL-terminated) and its arrays (``name\0``, type key, int32
``ndim``, the dims fastest-varying first, then the values). ``docs/superdarn.md`` describes the
Dataset this module builds.

**Decoding.** One pass walks the record headers and field descriptors of every file, checking
each size, count, dimension and string end against the record and the buffer, and gathers the
fields column by column (name -> records, byte offsets, shapes): no value is copied and no
per-record dict is built. A second step allocates each output variable once, at its final
shape, and fills it from numpy views over the buffer (one vectorised scatter per field for the
range-gate arrays). Every allocation is checked against :class:`~geospacexr.io.limits.Limits`
first, and bzip2 content is decompressed in bounded steps (:func:`geospacexr.io.pgm.decompress`),
so neither a bomb nor a record that declares huge dims takes the memory.

**Damage.** ``mode="strict"`` raises :class:`~geospacexr.errors.FileFormatError` at the first
bad record, naming the file, the record index, its byte offset and the field. ``mode="lax"``
keeps every good record: a record whose header is sound but whose fields are not is skipped and
reading resumes at the next record (its size says where); a header that cannot be trusted ends
the file. Each problem is listed in ``attrs["problematic_records"]`` (JSON list of ``{"file",
"record", "offset", "reason"}``) and one :class:`~geospacexr.errors.DataWarning` names them.
"""

from __future__ import annotations

import json
import math
import os
import struct
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import (
    DataWarning,
    FileFormatError,
    IncompatibleInputError,
    InvalidArgumentError,
)
from .limits import Limits
from .pgm import decompress
from .registry import expand_paths, register_reader

__all__ = [
    "DMAP_TYPES",
    "KINDS",
    "DmapColumns",
    "decode_dmap",
    "detect_kind",
    "open_superdarn",
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
    """One field across records: type key, record indices and values or buffer positions."""

    key: int
    records: list[int] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)  # scalars
    buffers: list[int] = field(default_factory=list)  # arrays: which file's buffer
    offsets: list[int] = field(default_factory=list)  # arrays: byte offset of the values
    shapes: list[tuple[int, ...]] = field(default_factory=list)  # arrays: numpy (C) shape
    types: list[int] = field(default_factory=list)  # arrays: type key of each entry
    keys: set[int] = field(default_factory=set)


@dataclass
class DmapColumns:
    """What the decoding pass gathered from one or more files, column by column.

    Attributes:
        buffers: The (decompressed) content of each file; arrays are views into them.
        scalars: Scalar name -> :class:`_Column`.
        arrays: Array name -> :class:`_Column`.
        nrecords: Records decoded, across files.
        files: File name of each record (index into ``paths``).
        record_file: For each record, the index of its file.
        record_index: For each record, its index within its file.
        record_offset: For each record, its byte offset in its file's content.
        paths: The files.
        problems: ``{"file", "record", "offset", "reason"}`` per problem met.
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
    p = Path(path) if path is not None else Path("<bytes>")
    ifile = len(cols.buffers)
    cols.buffers.append(buffer)
    cols.paths.append(p)
    if not len(buffer):
        raise FileFormatError("empty file: no DMAP record", path=path)
    n = len(buffer)
    pos, index = 0, 0
    while pos < n:
        problem = None
        resync = False
        if n - pos < HEADER.size:
            problem = f"{n - pos} bytes left, too few for a record header (file cut short?)"
        else:
            _code, size, nscalars, narrays = HEADER.unpack_from(buffer, pos)
            if size < HEADER.size or size > n - pos:
                problem = f"record size {size} impossible ({n - pos} bytes left from this record)"
            elif nscalars < 0 or narrays < 0 or nscalars + narrays > size:
                problem = f"impossible counts: {nscalars} scalars, {narrays} arrays in {size} bytes"
                resync = True
            else:
                try:
                    scalars, arrays = _record_fields(buffer, pos, pos + size, nscalars, narrays)
                except _Damage as exc:
                    problem = exc.text()
                    resync = True
        if problem is not None:
            if mode == "strict":
                raise FileFormatError(f"record {index} at byte {pos}: {problem}", path=path)
            cols.problems.append(
                {"file": p.name, "record": index, "offset": pos, "reason": problem}
            )
            if not resync:
                break
            pos += size
            index += 1
            continue
        rec = cols.nrecords
        for name, key, value in scalars:
            col = cols.scalars.get(name)
            if col is None:
                col = cols.scalars[name] = _Column(key)
            col.records.append(rec)
            col.values.append(value)
            col.keys.add(key)
        for name, key, offset, shape in arrays:
            col = cols.arrays.get(name)
            if col is None:
                col = cols.arrays[name] = _Column(key)
            col.records.append(rec)
            col.buffers.append(ifile)
            col.offsets.append(offset)
            col.shapes.append(shape)
            col.types.append(key)
            col.keys.add(key)
        cols.record_file.append(ifile)
        cols.record_index.append(index)
        cols.record_offset.append(pos)
        cols.nrecords += 1
        cols.kinds.append(detect_kind({name for name, _, _ in scalars}))
        pos += size
        index += 1
    return cols


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
    shape = col.shapes[i]
    dtype = DMAP_TYPES[col.types[i]]
    assert dtype is not None  # string arrays are refused while decoding
    count = 1
    for d in shape:
        count *= d
    return np.frombuffer(
        cols.buffers[col.buffers[i]], dtype, count=count, offset=col.offsets[i]
    ).reshape(shape)


def _gather(cols: DmapColumns, col: _Column, entries: list[int]) -> np.ndarray:
    """The values of the ``entries`` of array column ``col``, flattened and concatenated.

    Entries of one type and one buffer are gathered with a single fancy index over the buffer's
    bytes (no per-record view); mixed types fall back to concatenating views in the widest type.
    """
    if not entries:
        return np.zeros(0, _common_dtype(col))
    types = {col.types[i] for i in entries}
    buffers = {col.buffers[i] for i in entries}
    if len(types) > 1 or len(buffers) > 1:
        dtype = _common_dtype(col)
        return np.concatenate([_view(cols, col, i).ravel().astype(dtype) for i in entries])
    dtype = DMAP_TYPES[types.pop()]
    assert dtype is not None
    size = np.array([math.prod(col.shapes[i]) for i in entries], dtype=np.int64)
    nbytes = size * dtype.itemsize
    starts = np.asarray([col.offsets[i] for i in entries], dtype=np.int64)
    total = int(nbytes.sum())
    if total == 0:
        return np.zeros(0, dtype)
    ends = np.cumsum(nbytes)
    index = np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - nbytes), nbytes)
    raw = np.frombuffer(cols.buffers[buffers.pop()], np.uint8)
    return raw[index].view(dtype)


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


class _Builder:
    """Turns :class:`DmapColumns` into Dataset variables, checking each allocation."""

    def __init__(self, cols: DmapColumns, limits: Limits, mode: str, ntime: int) -> None:
        self.cols = cols
        self.limits = limits
        self.mode = mode
        self.ntime = ntime
        self.vars: dict[str, xr.Variable] = {}
        self.coords: dict[str, Any] = {}

    def problem(self, rec: int, reason: str) -> None:
        cols = self.cols
        f = cols.record_file[rec]
        p = cols.paths[f]
        index, offset = cols.record_index[rec], cols.record_offset[rec]
        if self.mode == "strict":
            raise FileFormatError(f"record {index} at byte {offset}: {reason}", path=p)
        cols.problems.append({"file": p.name, "record": index, "offset": offset, "reason": reason})

    def alloc(self, shape: tuple[int, ...], dtype: np.dtype, fill: Any, what: str) -> np.ndarray:
        nbytes = int(np.prod(shape, dtype=object)) * np.dtype(dtype).itemsize
        self.limits.check_array(nbytes, self.cols.paths[0], what)
        return np.full(shape, fill, dtype=dtype)

    def scalar(self, name: str, col: _Column) -> xr.Variable:
        n = self.ntime
        full = len(col.records) == n
        if _STRING in col.keys:
            out = np.full(n, "", dtype=object)
            out[col.records] = [str(v) for v in col.values]
            arr = out.astype(str)
        else:
            dtype = _common_dtype(col)
            if full:
                arr = np.array(col.values, dtype=dtype)
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
        ndims = [len(s) for s in col.shapes]
        ndim = max(set(ndims), key=ndims.count)
        keep = [i for i, d in enumerate(ndims) if d == ndim]
        for i in set(range(len(ndims))) - set(keep):
            self.problem(col.records[i], f"field {name!r}: {ndims[i]} dims, other records {ndim}")
        shape = tuple(max(col.shapes[i][a] for i in keep) for a in range(ndim))
        dtype = _common_dtype(col)
        need_pad = len(keep) < self.ntime or any(col.shapes[i] != shape for i in keep)
        out_dtype = _padded_dtype(dtype) if need_pad else dtype
        out = self.alloc((self.ntime, *shape), out_dtype, np.nan if need_pad else 0, repr(name))
        if not need_pad and col.records == list(range(self.ntime)):
            out[...] = _gather(self.cols, col, keep).reshape(out.shape)
            keep = []
        for i in keep:
            s = col.shapes[i]
            out[(col.records[i], *(slice(0, k) for k in s))] = _view(self.cols, col, i)
        if dims is None or len(dims) != ndim:
            safe = name.replace(".", "_")
            dims = tuple(f"{safe}_dim{a}" for a in range(ndim))
        return xr.Variable(("time", *dims), out, self.attrs(name, col))

    def ragged(self, dim: str, names: list[str]) -> None:
        """Arrays of one family flattened on ``dim``, with the record index of each element."""
        cols = self.cols
        length: dict[int, int] = {}
        bad: set[int] = set()
        for name in names:
            col = cols.arrays[name]
            for i, rec in enumerate(col.records):
                s = col.shapes[i]
                if len(s) != 1 or length.setdefault(rec, s[0]) != s[0]:
                    bad.add(rec)
        for rec in sorted(bad):
            self.problem(rec, f"the {dim} arrays of this record differ in length (dropped)")
        recs = sorted(r for r in length if r not in bad)
        counts = np.array([length[r] for r in recs], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(counts)])
        total = int(starts[-1])
        where = {r: int(s) for r, s in zip(recs, starts[:-1], strict=True)}
        record = self.alloc((total,), np.dtype("i4"), 0, f"the {dim} index")
        for r, s, c in zip(recs, starts[:-1], counts, strict=True):
            record[s : s + c] = r
        for name in names:
            col = cols.arrays[name]
            ok = [i for i, r in enumerate(col.records) if r in where]
            dtype = _common_dtype(col)
            full = len(ok) == len(recs)
            out_dtype = dtype if full else _padded_dtype(dtype)
            out = self.alloc((total,), out_dtype, np.nan if not full else 0, repr(name))
            for i in ok:
                s = where[col.records[i]]
                out[s : s + col.shapes[i][0]] = _view(cols, col, i)
            self.vars[name] = xr.Variable((dim,), out, self.attrs(name, col))
        self.coords[f"{dim}_record"] = ((dim,), record)

    def range_gates(self, names: list[str], slist: _Column, ngates: int) -> None:
        """Scatter each range array by its record's ``slist`` into ``(time, range_gate, ...)``."""
        cols = self.cols
        gates: dict[int, np.ndarray] = {}
        bad: set[int] = set()
        for i, rec in enumerate(slist.records):
            g = _view(cols, slist, i)
            if g.ndim != 1 or (g.size and (g.min() < 0 or g.max() >= ngates)):
                bad.add(rec)
                self.problem(rec, "field 'slist': gates outside the range axis (record's "
                             "range data dropped)")  # fmt: skip
                continue
            gates[rec] = g.astype(np.int64)
        scatter: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
        for name in names:
            col = cols.arrays[name]
            tail = None
            pieces, flat = [], []
            for i, rec in enumerate(col.records):
                s = col.shapes[i]
                g = gates.get(rec)
                if g is None or not s or s[0] != g.size:
                    if rec not in bad:  # a bad slist was reported already
                        self.problem(
                            rec,
                            f"field {name!r}: shape {list(s)} does not match the record's "
                            f"slist (dropped)",
                        )
                    continue
                if tail is None:
                    tail = s[1:]
                if s[1:] != tail:
                    tail = tuple(max(a, b) for a, b in zip(tail, s[1:], strict=False))
                pieces.append((i, g, s))
                flat.append(rec)
            tail = tail or ()
            dtype = _padded_dtype(_common_dtype(col))
            out = self.alloc((self.ntime, ngates, *tail), dtype, np.nan, repr(name))
            uniform = all(s[1:] == tail for _, _, s in pieces)
            if pieces and uniform:
                entries = [i for i, _, _ in pieces]
                values = _gather(cols, col, entries).reshape(-1, *tail)
                key = tuple(flat)
                if key not in scatter:  # fields of the same records share the indices
                    counts = [g.size for _, g, _ in pieces]
                    scatter[key] = (
                        np.repeat(np.asarray(flat, dtype=np.int64), counts),
                        np.concatenate([g for _, g, _ in pieces]),
                    )
                rows, idx = scatter[key]
                out[rows, idx] = values
            else:
                for (i, g, s), rec in zip(pieces, flat, strict=True):
                    out[(rec, g, *(slice(0, k) for k in s[1:]))] = _view(cols, col, i)
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


def _build(cols: DmapColumns, kind: str, limits: Limits, mode: str) -> xr.Dataset:
    n = cols.nrecords
    b = _Builder(cols, limits, mode, n)
    if kind in _RADAR_KINDS:
        times = _radar_times(b)
    else:
        times = _compose_time(
            b, "start.year", "start.month", "start.day", "start.hour", "start.minute",
            "start.second", "start.us",
        )  # fmt: skip
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
        if nrang is not None and _STRING not in nrang.keys and nrang.values:
            ngates = max(0, int(max(nrang.values)))
        if "pwr0" in arrays:
            ngates = max(ngates, max((s[0] for s in arrays["pwr0"].shapes if s), default=0))
        if slist is not None:
            sl_len = {r: s for r, s in zip(slist.records, slist.shapes, strict=True)}
            top = [int(_view(cols, slist, i).max()) for i in range(len(slist.records))
                   if slist.shapes[i] and slist.shapes[i][0]]  # fmt: skip
            ngates = max([ngates, *(t + 1 for t in top)])
            for name, col in arrays.items():
                if name in _RADAR_DIMS or name == "data":
                    continue
                if (
                    name in _RANGE_FIELDS
                    or name.startswith("x_")
                    or all(
                        r in sl_len and len(s) >= 1 and len(sl_len[r]) == 1 and s[0] == sl_len[r][0]
                        for r, s in zip(col.records, col.shapes, strict=True)
                    )
                ):
                    range_names.append(name)
            ngates = max(0, ngates)
            b.limits.check_array(ngates * n * 4, cols.paths[0], f"{n} records of {ngates} gates")
            # slist itself, padded with -1 (the gates each record reported, in file order)
            width = max((s[0] for s in slist.shapes if s), default=0)
            out = b.alloc((n, width), _common_dtype(slist), -1, "'slist'")
            for i, rec in enumerate(slist.records):
                v = _view(cols, slist, i).ravel()
                out[rec, : v.size] = v
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
        data = np.asarray(var.values, dtype=dtype)
        pad = [(0, short.get(d, 0)) for d in var.dims]
        b.vars[name] = xr.Variable(var.dims, np.pad(data, pad, constant_values=fill), var.attrs)


def _iq_data(b: _Builder, col: _Column) -> None:
    """The iqdat ``data``: each record's samples as (sequence, iq_channel, sample, iq)."""
    cols = b.cols

    def scalar(name: str, rec: int) -> int | None:
        c = cols.scalars.get(name)
        if c is None:
            return None
        try:
            return int(c.values[c.records.index(rec)])
        except (ValueError, TypeError):
            return None

    shapes = []
    for i, rec in enumerate(col.records):
        dims = (scalar("seqnum", rec), scalar("chnnum", rec), scalar("smpnum", rec), 2)
        if None in dims or min(dims) < 0 or int(np.prod(dims)) != int(np.prod(col.shapes[i])):
            b.vars["data"] = b.padded("data", col)  # keep it flat
            return
        shapes.append(dims)
    reshaped = _Column(
        col.key, col.records, [], col.buffers, col.offsets, shapes, col.types, col.keys
    )
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
    if stid is not None and _STRING not in stid.keys and len(set(stid.values)) == 1:
        attrs["station_id"] = int(stid.values[0])
    hemi = cols.scalars.get("hemisphere")
    if hemi is not None and _STRING not in hemi.keys and len(set(hemi.values)) == 1:
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
            decode_dmap(buffer, path, mode, cols)
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
