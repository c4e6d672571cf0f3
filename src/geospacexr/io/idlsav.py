"""Writing IDL SAVE (``.sav``) files (the format of University of Calgary skymaps); checking them.

Skymaps and calibrations are IDL save files; writing them here makes the sample files exactly
what users download.

The writer covers what those files use: named variables that are scalars, strings, numeric
arrays (byte, int16, uint16, int32, uint32, int64, float32, float64) and structures (nested, and
arrays of structures). The layout follows the unofficial specification of the IDL SAVE format
(C. Markwardt): a ``SR`` signature, then records, each with a type, the offset of the next record
and a payload, all big-endian and aligned to 32 bits; a VARIABLE record holds the variable name,
its type descriptor (array and structure descriptors) and its data. ``scipy.io.readsav`` reads
the result (tested, including a round trip of a real skymap).

:func:`check_record_chain` walks the record chain of a file before ``scipy.io.readsav`` reads it:
readsav follows each record's next-record offset blindly, so a damaged offset (pointing at its
own record, backwards or past the end) makes it loop forever while its memory grows.

Example:
    >>> write_sav("cal.sav", {"rper_dnpersecond_15651": np.array(5.2)})  # doctest: +SKIP
"""

from __future__ import annotations

import io
import os
import struct
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import config
from ..errors import FileFormatError, UnsupportedTypeError
from .atomic import atomic_write

__all__ = ["IdlStruct", "check_record_chain", "write_sav"]

# numpy kind/size -> IDL type code
_TYPECODES = {
    ("u", 1): 1,
    ("i", 2): 2,
    ("i", 4): 3,
    ("f", 4): 4,
    ("f", 8): 5,
    ("u", 2): 12,
    ("u", 4): 13,
    ("i", 8): 14,
    ("u", 8): 15,
    ("b", 1): 1,
}
_STRING, _STRUCT = 7, 8
_RECORD = {"VARIABLE": 2, "END_MARKER": 6, "TIMESTAMP": 10, "VERSION": 14}


@dataclass
class IdlStruct:
    """An IDL structure: ordered fields, optionally an array of ``nrows`` identical structures.

    Attributes:
        fields: ``{TAG: value}``; values are numbers, strings/bytes, arrays or ``IdlStruct``.
        name: Structure name (``""`` for an anonymous structure).
        rows: For an array of structures, one ``fields`` dict per element (same tags and types).
    """

    fields: dict[str, Any]
    name: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)

    def elements(self) -> list[dict[str, Any]]:
        """The structure's elements (one unless ``rows`` is given)."""
        return self.rows or [self.fields]


class _Writer:
    def __init__(self) -> None:
        self.buf = io.BytesIO()

    def long(self, value: int) -> None:
        self.buf.write(struct.pack(">l", int(value)))

    def raw(self, data: bytes) -> None:
        self.buf.write(data)

    def align(self) -> None:
        pad = (-self.buf.tell()) % 4
        self.buf.write(b"\0" * pad)

    def string(self, text: str | bytes) -> None:
        data = text.encode("latin-1") if isinstance(text, str) else text
        self.long(len(data))
        if data:
            self.raw(data)
            self.align()

    def string_data(self, text: str | bytes) -> None:
        data = text.encode("latin-1") if isinstance(text, str) else bytes(text)
        self.long(len(data))
        if data:
            self.long(len(data))
            self.raw(data)
            self.align()


def _kind(value: Any) -> tuple[str, Any]:
    """Classify a value as struct, string, strings, array or scalar (with the value to write)."""
    if isinstance(value, IdlStruct):
        return "struct", value
    if isinstance(value, str | bytes):
        return "string", value
    array = np.asarray(value)
    if array.dtype.kind in "US":
        if array.ndim == 0:
            return "string", array.item()
        return "strings", array
    if array.ndim == 0:
        return "scalar", array
    return "array", array


def _typecode(array: np.ndarray) -> int:
    key = (array.dtype.kind, array.dtype.itemsize)
    if key not in _TYPECODES:
        raise UnsupportedTypeError(f"cannot write {array.dtype} to an IDL save file")
    return _TYPECODES[key]


def _array_desc(w: _Writer, shape: tuple[int, ...], nbytes: int) -> None:
    dims = list(reversed(shape)) or [1]
    w.long(8)
    w.long(0)
    w.long(nbytes)
    w.long(int(np.prod(shape)) if shape else 1)
    w.long(len(dims))
    w.long(0)
    w.long(0)
    w.long(8)
    for k in range(8):
        w.long(dims[k] if k < len(dims) else 0)


def _element_nbytes(kind: str, value: Any) -> int:
    if kind == "array":
        return value.size * value.dtype.itemsize
    if kind == "scalar":
        return value.dtype.itemsize
    if kind in ("string", "strings"):
        return 12 * (1 if kind == "string" else value.size)
    return sum(_element_nbytes(*_kind(v)) for v in value.fields.values())


def _struct_desc(w: _Writer, st: IdlStruct) -> None:
    tags = list(st.fields.items())
    kinds = [_kind(v) for _, v in tags]
    w.long(9)
    w.string(st.name.upper())
    w.long(0)  # not predefined: the full definition follows
    w.long(len(tags))
    w.long(sum(_element_nbytes(k, v) for k, v in kinds))
    offset = 0
    for (_, _value), (kind, value) in zip(tags, kinds, strict=True):
        w.long(offset)
        if kind == "struct":
            w.long(_STRUCT)
            w.long(36)
        elif kind in ("string", "strings"):
            w.long(_STRING)
            w.long(4 if kind == "strings" else 0)
        elif kind == "array":
            w.long(_typecode(value))
            w.long(4)
        else:
            w.long(_typecode(value))
            w.long(0)
        offset += _element_nbytes(kind, value)
    for name, _ in tags:
        w.string(name.upper())
    for kind, value in kinds:  # array descriptors of array (and structure) tags, in tag order
        if kind == "array":
            _array_desc(w, value.shape, value.size * value.dtype.itemsize)
        elif kind == "strings":
            _array_desc(w, value.shape, value.size * 12)
        elif kind == "struct":
            n = len(value.elements())
            _array_desc(w, (n,), n * _element_nbytes("struct", value))
    for kind, value in kinds:
        if kind == "struct":
            _struct_desc(w, value)


def _scalar_data(w: _Writer, value: np.ndarray) -> None:
    code = _typecode(value)
    if code == 1:
        w.long(1)
        w.raw(struct.pack(">B", int(value)) + b"\0\0\0")
    elif code in (2, 12):
        w.raw(b"\0\0" + value.astype(">i2" if code == 2 else ">u2").tobytes())
    else:
        w.raw(value.astype(value.dtype.newbyteorder(">")).tobytes())


def _array_data(w: _Writer, value: np.ndarray) -> None:
    code = _typecode(value)
    flat = np.ascontiguousarray(value)
    if code == 1:
        w.long(flat.nbytes)
        w.raw(flat.astype("u1").tobytes())
    elif code in (2, 12):
        wide = np.zeros(flat.size * 2, dtype=">u2" if code == 12 else ">i2")
        wide[1::2] = flat.ravel()
        w.raw(wide.tobytes())
    else:
        w.raw(flat.astype(flat.dtype.newbyteorder(">")).tobytes())
    w.align()


def _struct_data(w: _Writer, st: IdlStruct) -> None:
    for element in st.elements():
        for _, raw_value in element.items():
            kind, value = _kind(raw_value)
            if kind == "struct":
                _struct_data(w, value)
            elif kind == "string":
                w.string_data(value)
            elif kind == "strings":
                for item in value.ravel():
                    w.string_data(item)
                w.align()
            elif kind == "array":
                _array_data(w, value)
            else:
                _scalar_data(w, value)


def _record(out: io.BytesIO, rectype: int, payload: bytes) -> None:
    start = out.tell()
    nextrec = start + 16 + len(payload)
    out.write(struct.pack(">lII", rectype, nextrec & 0xFFFFFFFF, nextrec >> 32))
    out.write(b"\0\0\0\0")
    out.write(payload)


def _variable_payload(name: str, value: Any) -> bytes:
    w = _Writer()
    w.string(name.upper())
    kind, value = _kind(value)
    if kind == "struct":
        w.long(_STRUCT)
        w.long(36)
        n = len(value.elements())
        _array_desc(w, (n,), n * _element_nbytes("struct", value))
        _struct_desc(w, value)
        w.long(7)
        _struct_data(w, value)
    elif kind == "string":
        w.long(_STRING)
        w.long(0)
        w.long(7)
        w.string_data(value)
    elif kind == "strings":
        w.long(_STRING)
        w.long(4)
        _array_desc(w, value.shape, value.size * 12)
        w.long(7)
        for item in value.ravel():
            w.string_data(item)
    elif kind == "array":
        w.long(_typecode(value))
        w.long(4)
        _array_desc(w, value.shape, value.size * value.dtype.itemsize)
        w.long(7)
        _array_data(w, value)
    else:
        w.long(_typecode(value))
        w.long(0)
        w.long(7)
        _scalar_data(w, value)
    return w.buf.getvalue()


def write_sav(
    path: str | os.PathLike[str],
    variables: dict[str, Any],
    *,
    user: str = "geospacexr",
    host: str = "geospacexr",
    date: str | None = None,
) -> None:
    """Write variables to an IDL SAVE file, atomically.

    Args:
        path: Output file.
        variables: ``{name: value}``; values are numbers, strings, numpy arrays or
            :class:`IdlStruct`.
        user: User recorded in the TIMESTAMP record.
        host: Host recorded in the TIMESTAMP record.
        date: Date string of the TIMESTAMP record (default: now, in IDL's ``%a %b %d %H:%M:%S %Y``).

    Raises:
        UnsupportedTypeError: If a value has a type IDL files cannot hold here (a
            ``TypeError``).
    """
    out = io.BytesIO()
    out.write(b"SR\x00\x04")
    stamp = _Writer()
    stamp.raw(b"\0" * 1024)
    stamp.string(date or time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(0)))
    stamp.string(user)
    stamp.string(host)
    _record(out, _RECORD["TIMESTAMP"], stamp.buf.getvalue())
    version = _Writer()
    version.long(9)
    version.string("x86_64")
    version.string("linux")
    version.string("8.8")
    _record(out, _RECORD["VERSION"], version.buf.getvalue())
    for name, value in variables.items():
        _record(out, _RECORD["VARIABLE"], _variable_payload(name, value))
    _record(out, _RECORD["END_MARKER"], b"")
    with atomic_write(path) as fh:
        fh.write(out.getvalue())


_HEADER = 16  # RECTYPE, next-record offset (low and high 32 bits), 4 unknown bytes
_FORMATS = {b"\x00\x04": False, b"\x00\x06": True}  # record format -> compressed
_KNOWN_RECTYPES = frozenset({0, 1, 2, 3, 6, 10, 12, 13, 14, 15, 16, 17, 19, 20})
_TYPED_RECORDS = frozenset({2, 16})  # VARIABLE and HEAP_DATA: a type descriptor, then data
_MAX_STRUCT_DEPTH = 64  # nesting of structure descriptors (real files use 2 or 3)


class _Body:
    """Bounded big-endian reader over one record body: reading past its end is an error."""

    def __init__(self, data: bytes, where: str, path: str | os.PathLike[str]) -> None:
        self.data, self.pos, self.where, self.path = data, 0, where, path

    def fail(self, what: str) -> FileFormatError:
        return FileFormatError(f"{self.where}: {what}", path=self.path)

    def long(self) -> int:
        if self.pos + 4 > len(self.data):
            raise self.fail("type descriptor runs past the end of its record")
        (value,) = struct.unpack_from(">l", self.data, self.pos)
        self.pos += 4
        return value

    def uint64(self) -> int:
        if self.pos + 8 > len(self.data):
            raise self.fail("type descriptor runs past the end of its record")
        (value,) = struct.unpack_from(">Q", self.data, self.pos)
        self.pos += 8
        return value

    def skip(self, n: int) -> None:
        if n < 0 or self.pos + n > len(self.data):
            raise self.fail("type descriptor runs past the end of its record")
        self.pos += n

    def string(self) -> str:
        n = self.long()
        if n < 0:
            raise self.fail(f"string of negative length {n} in the type descriptor")
        start = self.pos
        self.skip(n + (-n) % 4)
        return self.data[start : start + n].decode("latin-1")


def _check_array_desc(body: _Body) -> None:
    """One ARRAY_DESC: its element count must fit in the record (each element takes a byte)."""
    start = body.long()
    if start == 8:
        body.skip(4)
        body.long()  # nbytes
        nelements = body.long()
        ndims = body.long()
        body.skip(8)
        nmax = body.long()
        if not 0 <= nmax <= 8:
            raise body.fail(f"array descriptor with {nmax} dimensions (IDL has at most 8)")
        dims = [body.long() for _ in range(nmax)]
    elif start == 18:  # 64-bit array descriptor
        body.skip(8)
        body.uint64()  # nbytes
        nelements = body.uint64()
        ndims = body.long()
        body.skip(8)
        dims = []
        for _ in range(8):
            body.long()
            dims.append(body.long())
    else:
        raise body.fail(f"unknown array descriptor start {start}")
    room = len(body.data) - body.pos
    if not 0 <= nelements <= room:
        raise body.fail(
            f"array of {nelements} elements declared in a record with {room} bytes of data left "
            "(a damaged size would make the reader allocate or loop without end)"
        )
    if not 0 <= ndims <= 8 or any(d < 0 for d in dims):
        raise body.fail(f"array descriptor with {ndims} dimensions of sizes {dims}")


def _check_struct_desc(body: _Body, structs: set[str], depth: int) -> None:
    """One STRUCT_DESC with its tags' array and structure descriptors, recursively."""
    if depth > _MAX_STRUCT_DEPTH:
        raise body.fail(f"structures nested deeper than {_MAX_STRUCT_DEPTH}")
    if body.long() != 9:
        raise body.fail("structure descriptor does not start with 9")
    name = body.string()
    predef = body.long()
    ntags = body.long()
    body.long()  # nbytes
    if predef & 1:
        if name not in structs:
            raise body.fail(f"structure {name!r} refers to a definition that was never given")
        return
    if not 0 <= ntags <= (len(body.data) - body.pos) // 12:  # a tag descriptor is 12 bytes
        raise body.fail(f"structure {name!r} declares {ntags} tags, more than its record holds")
    tags = []
    for _ in range(ntags):
        if body.long() == -1:
            body.uint64()
        body.long()  # typecode
        flags = body.long()
        tags.append(flags)
    for _ in range(ntags):
        body.string()
    for flags in tags:
        if flags & 4:
            _check_array_desc(body)
    for flags in tags:
        if flags & 32:
            _check_struct_desc(body, structs, depth + 1)
    if predef & 6:  # inherits / is a superclass: class name and superclasses
        body.string()
        nsup = body.long()
        if not 0 <= nsup <= (len(body.data) - body.pos) // 4:
            raise body.fail(f"structure {name!r} declares {nsup} superclasses")
        for _ in range(nsup):
            body.string()
        for _ in range(nsup):
            _check_struct_desc(body, structs, depth + 1)
    if name:
        structs.add(name)


def _check_type_descriptor(
    data: bytes, rectype: int, structs: set[str], where: str, path: str | os.PathLike[str]
) -> None:
    """The type descriptor of a VARIABLE or HEAP_DATA record, checked against the record's size.

    ``scipy.io.readsav`` allocates and loops by the declared element counts before it reads
    the data: a count damaged to 2**31 makes it build a record array of two billion rows (or read
    two billion strings) for minutes. Each element takes at least one byte of the record, so a
    count larger than what is left of the record is refused here.
    """
    body = _Body(data, where, path)
    if rectype == _RECORD["VARIABLE"]:
        body.string()  # the variable's name
    else:  # HEAP_DATA: heap index and 4 unknown bytes
        body.long()
        body.skip(4)
    body.long()  # typecode
    flags = body.long()
    if flags & 2:  # a system variable: readsav refuses it itself
        return
    if flags & 32:
        _check_array_desc(body)
        _check_struct_desc(body, structs, 0)
    elif flags & 4:
        _check_array_desc(body)


def check_record_chain(path: str | os.PathLike[str], *, max_record_mb: float | None = None) -> int:
    """Walk the record chain of an IDL save file without trusting it (bounded time and memory).

    Every record's next-record offset must lie strictly after its own 16-byte header and within
    the file, so the walk visits at most ``size / 16`` records; the chain must end at an
    END_MARKER record. In a compressed file (record format ``00 06``) each record body is
    zlib-decompressed in a bounded way: one that expands beyond the limit, or is not valid zlib
    data, is refused.

    Args:
        path: The ``.sav`` file.
        max_record_mb: Largest decompressed record of a compressed file, MB (default: the
            ``io.max_sav_record_mb`` setting).

    Returns:
        The number of records, END_MARKER included.

    Raises:
        FileFormatError: On a missing signature, an unknown record format or record type, an
            offset that points at or before its record or past the end, a chain without an
            END_MARKER, or a compressed record that is corrupt or too large; the message names
            the record (its number and offset).
    """
    limit_mb = config.resolve(max_record_mb, "io.max_sav_record_mb")
    limit = int(limit_mb * 1024 * 1024)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise FileFormatError(f"cannot read ({exc.strerror or exc})", path=path) from None
    with fh:
        size = os.fstat(fh.fileno()).st_size
        head = fh.read(4)
        if head[:2] != b"SR":
            raise FileFormatError("not an IDL save file (no 'SR' signature)", path=path)
        if head[2:4] not in _FORMATS:
            raise FileFormatError(f"unknown IDL save record format {head[2:4]!r}", path=path)
        compressed = _FORMATS[head[2:4]]
        pos, count = 4, 0
        structs: set[str] = set()  # structure definitions met so far (PREDEF refers to them)
        while True:
            where = f"record {count} at offset {pos}"
            if pos + _HEADER > size:
                raise FileFormatError(
                    f"truncated: {where} has no complete header before the end of the file "
                    f"({size} bytes) and no END_MARKER record was met",
                    path=path,
                )
            fh.seek(pos)
            rectype, low, high = struct.unpack(">lII", fh.read(12))
            count += 1
            if rectype == _RECORD["END_MARKER"]:
                return count
            if rectype not in _KNOWN_RECTYPES:
                raise FileFormatError(f"{where}: unknown record type {rectype}", path=path)
            nextrec = low + (high << 32)
            if nextrec < pos + _HEADER:
                raise FileFormatError(
                    f"{where}: next-record offset {nextrec} does not point past the record "
                    "(a damaged chain would make the reader loop)",
                    path=path,
                )
            if nextrec > size:
                raise FileFormatError(
                    f"{where}: next-record offset {nextrec} is past the end of the file "
                    f"({size} bytes)",
                    path=path,
                )
            if compressed or rectype in _TYPED_RECORDS:
                fh.seek(pos + _HEADER)
                body = fh.read(nextrec - pos - _HEADER)
                if compressed:
                    body = _check_compressed(body, limit, limit_mb, where, path)
                if rectype in _TYPED_RECORDS:
                    _check_type_descriptor(body, rectype, structs, where, path)
            pos = nextrec


def _check_compressed(
    body: bytes, limit: int, limit_mb: float, where: str, path: str | os.PathLike[str]
) -> bytes:
    """Decompress one record body with a bounded output, refusing corrupt or oversized data."""
    d = zlib.decompressobj()
    produced = 0
    data = body
    parts = []
    try:
        while True:
            chunk = d.decompress(data, 1 << 20)
            parts.append(chunk)
            produced += len(chunk)
            if produced > limit:
                raise FileFormatError(
                    f"{where}: compressed record expands beyond {limit_mb:g} MB "
                    "(setting io.max_sav_record_mb)",
                    path=path,
                )
            data = d.unconsumed_tail
            if d.eof or (not data and not chunk):
                break
    except zlib.error as exc:
        raise FileFormatError(f"{where}: corrupt compressed record ({exc})", path=path) from None
    if not d.eof:
        raise FileFormatError(f"{where}: truncated compressed record", path=path)
    return b"".join(parts)
