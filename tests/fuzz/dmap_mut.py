"""SuperDARN DMAP attacks (plain and bzip2), from the layout in ``/work/shared/formats/dmap.md``.

Records: 16-byte header (int32 code, size including the header, num_scalars, num_arrays), then
scalars (``name\\0``, int8 type, value) and arrays (``name\\0``, int8 type, int32 ndim, ndim
int32 dims fastest first, values). Everything little-endian. The parser here locates every
field so the attacks can hit sizes, counts, dims, type keys, times and floats precisely.
"""

from __future__ import annotations

import bz2
import random
import struct
from dataclasses import dataclass, field

from . import bytes_mut

SIZES = {1: 1, 2: 2, 3: 4, 10: 8, 16: 1, 17: 2, 18: 4, 19: 8, 4: 4, 8: 8}
FMT = {1: "b", 2: "h", 3: "i", 10: "q", 16: "B", 17: "H", 18: "I", 19: "Q", 4: "f", 8: "d"}


@dataclass
class Field:
    name: str
    type_off: int
    type: int
    value_off: int
    is_array: bool
    dims_off: int = 0
    ndim: int = 0
    count: int = 1


@dataclass
class Record:
    start: int
    size: int
    fields: list[Field] = field(default_factory=list)


def _cstr(data: bytes, pos: int) -> tuple[str, int]:
    end = data.index(b"\0", pos)
    return data[pos:end].decode("latin1"), end + 1


def parse(data: bytes) -> list[Record]:
    recs = []
    pos = 0
    while pos + 16 <= len(data):
        _code, size, ns, na = struct.unpack_from("<iiii", data, pos)
        rec = Record(pos, size)
        p = pos + 16
        for _ in range(ns):
            name, p = _cstr(data, p)
            t = data[p]
            f = Field(name, p, t, p + 1, False)
            p += 1
            if t == 9:
                _, p = _cstr(data, p)
            else:
                p += SIZES[t]
            rec.fields.append(f)
        for _ in range(na):
            name, p = _cstr(data, p)
            t = data[p]
            (ndim,) = struct.unpack_from("<i", data, p + 1)
            dims = struct.unpack_from(f"<{ndim}i", data, p + 5)
            count = 1
            for d in dims:
                count *= d
            f = Field(name, p, t, p + 5 + 4 * ndim, True, p + 5, ndim, count)
            p = f.value_off + count * SIZES[t]
            rec.fields.append(f)
        recs.append(rec)
        pos += size
    return recs


TIME_VALUES = {
    "time.yr": [2263, 2262, 1677, 1676, 0, -1, 32767, -32768, 9999],
    "start.year": [2263, 2262, 1677, 0, -1, 32767, 9999],
    "end.year": [2263, 1677, 0, -1, 32767],
    "time.mo": [0, 13, -1, 255],
    "start.month": [0, 13, -1],
    "end.month": [0, 13],
    "time.dy": [0, 32, -1],
    "start.day": [0, 32, -1],
    "end.day": [0, 32],
    "time.hr": [24, 25, -1],
    "start.hour": [24, 25, -1],
    "end.hour": [25],
    "time.mt": [60, 61, -1],
    "start.minute": [60, -1],
    "end.minute": [61],
    "time.sc": [60, 61, -1, 32767],
    "time.us": [-1, 2_000_000_000, 1_000_000],
    "start.second": [float("nan"), float("inf"), -1.0, 1e300, 61.0],
    "end.second": [float("nan"), 1e300],
}


def _pack(f: Field, value) -> bytes:
    fmt = "<" + FMT[f.type]
    if FMT[f.type] in "fd":
        return struct.pack(fmt, float(value))
    bits = 8 * SIZES[f.type]
    value = int(value)
    if FMT[f.type].isupper():
        value %= 1 << bits
    else:
        value = ((value + (1 << (bits - 1))) % (1 << bits)) - (1 << (bits - 1))
    return struct.pack(fmt, value)


def structural(raw: bytes, rng: random.Random) -> tuple[bytes, str, dict]:
    recs = parse(raw)
    buf = bytearray(raw)
    flags: dict = {}
    kind = rng.choice(
        [
            "rec_size",
            "rec_size",
            "counts",
            "ndim",
            "dims",
            "dims",
            "type_key",
            "time",
            "time",
            "time",
            "time_all",
            "floats_nan",
            "dup_records",
            "reverse_records",
            "record_flood",
            "truncate_boundary",
            "string_unterminated",
            "code",
        ]
    )
    i = rng.randrange(len(recs))
    rec = recs[i]
    arrays = [f for f in rec.fields if f.is_array]
    if kind == "rec_size":
        value = rng.choice(
            [0, -1, 1, 15, 16, rec.size - 1, rec.size + 1, 2**31 - 1, len(raw), -rec.size]
        )
        struct.pack_into("<i", buf, rec.start + 4, value)
        return bytes(buf), f"record {i} size {rec.size} -> {value}", flags
    if kind == "code":
        value = rng.choice([0, -1, 65536, 2**31 - 1])
        struct.pack_into("<i", buf, rec.start, value)
        return bytes(buf), f"record {i} code -> {value}", flags
    if kind == "counts":
        which = rng.choice([8, 12])
        value = rng.choice([0, -1, 2**31 - 1, 1000, 1 << 20])
        struct.pack_into("<i", buf, rec.start + which, value)
        return (
            bytes(buf),
            f"record {i} num_{'scalars' if which == 8 else 'arrays'} -> {value}",
            flags,
        )
    if kind == "ndim" and arrays:
        f = rng.choice(arrays)
        value = rng.choice([0, -1, 2**31 - 1, 100, f.ndim + 1])
        struct.pack_into("<i", buf, f.type_off + 1, value)
        return bytes(buf), f"record {i} array {f.name} ndim {f.ndim} -> {value}", flags
    if kind in ("dims", "ndim") and arrays:
        f = rng.choice(arrays)
        k = rng.randrange(max(1, f.ndim))
        value = rng.choice([0, -1, 2**31 - 1, 1 << 20, 65536, 1 << 28])
        if f.ndim:
            struct.pack_into("<i", buf, f.dims_off + 4 * k, value)
        return bytes(buf), f"record {i} array {f.name} dim {k} -> {value}", flags
    if kind == "type_key":
        f = rng.choice(rec.fields)
        value = rng.choice([0, 5, 6, 7, 9, 11, 20, 99, 255, 8, 1])
        buf[f.type_off] = value
        return bytes(buf), f"record {i} field {f.name} type {f.type} -> {value}", flags
    if kind in ("time", "time_all"):
        targets = recs if kind == "time_all" else [rec]
        name = rng.choice(sorted(TIME_VALUES))
        value = rng.choice(TIME_VALUES[name])
        hit = 0
        for r in targets:
            for f in r.fields:
                if f.name == name and not f.is_array and f.type in FMT:
                    buf[f.value_off : f.value_off + SIZES[f.type]] = _pack(f, value)
                    hit += 1
        if name.endswith("yr") or name.endswith("year"):
            flags["bad_time"] = f"{name}={value}"
        where = "every record" if kind == "time_all" else f"record {i}"
        return bytes(buf), f"{where}: {name} = {value} ({hit} fields)", flags
    if kind == "floats_nan":
        fl = [f for f in rec.fields if f.type in (4, 8)]
        if fl:
            f = rng.choice(fl)
            value = rng.choice([float("nan"), float("inf"), float("-inf"), 3e38])
            for k in range(f.count if f.is_array else 1):
                off = f.value_off + k * SIZES[f.type]
                buf[off : off + SIZES[f.type]] = _pack(f, value)
            return bytes(buf), f"record {i} {f.name} = {value}", flags
    if kind == "dup_records":
        times = rng.choice([2, 10, 100])
        chunk = raw[rec.start : rec.start + rec.size]
        out = raw[: rec.start] + chunk * times + raw[rec.start + rec.size :]
        return out, f"record {i} repeated {times}x", flags
    if kind == "reverse_records":
        out = b"".join(raw[r.start : r.start + r.size] for r in reversed(recs))
        return out, "records in reverse order", flags
    if kind == "record_flood":
        small = min(recs, key=lambda r: r.size)
        n = max(1, min(500_000, (64 << 20) // max(16, small.size)))
        chunk = raw[small.start : small.start + small.size]
        return chunk * n, f"the smallest record ({small.size} B) repeated {n}x", flags
    if kind == "truncate_boundary":
        cuts = [rec.start, rec.start + 4, rec.start + 16]
        cuts += [f.type_off for f in rec.fields] + [f.value_off for f in rec.fields]
        cut = rng.choice(cuts)
        return raw[:cut], f"truncated at {cut} (record {i} structure)", flags
    if kind == "string_unterminated":
        strs = [f for f in rec.fields if f.type == 9 and not f.is_array]
        if strs:
            f = rng.choice(strs)
            end = raw.index(b"\0", f.value_off)
            buf[end] = ord("X")
            return bytes(buf), f"record {i} string {f.name} loses its NUL", flags
    out, desc = bytes_mut.interesting_int(raw, rng)
    return out, "fallback: " + desc, flags


def mutate(data: bytes, name: str, rng: random.Random) -> tuple[bytes, str, dict]:
    compressed = data[:3] == b"BZh"
    raw = bz2.decompress(data) if compressed else data
    r = rng.random()
    if r < 0.7:
        out, desc, flags = structural(raw, rng)
    elif r < 0.8:
        out, desc = rng.choice(bytes_mut.GENERIC)(raw, rng)
        flags = {}
    elif r < 0.9 or not compressed:
        kind = rng.choice(["bomb", "bomb_tail", "stream_flood", "plain_as_bz2", "bz2_truncated"])
        if kind == "bomb":
            gib = rng.choice([1, 4])
            return bytes_mut.zeros_bz2(gib << 30), f"bzip2 of {gib} GiB zeros", {}
        if kind == "bomb_tail":
            return (
                bz2.compress(raw, 1) + bytes_mut.zeros_bz2(1 << 30),
                "valid bzip2 stream + a stream of 1 GiB zeros",
                {},
            )
        if kind == "stream_flood":
            n = rng.choice([10_000, 100_000])
            return bz2.compress(raw, 1) + bz2.compress(b"") * n, f"+{n} empty bzip2 streams", {}
        if kind == "plain_as_bz2":
            return b"BZh9" + raw, "uncompressed records behind a BZh9 magic", {}
        c = bz2.compress(raw, 1)
        cut = rng.randrange(4, len(c))
        return c[:cut], f"bzip2 stream cut at {cut} of {len(c)}", {}
    else:
        out, desc = rng.choice(bytes_mut.GENERIC)(data, rng)
        return out, "compressed: " + desc, {}
    if compressed:
        out = bz2.compress(out, 1)
    return out, desc, flags
