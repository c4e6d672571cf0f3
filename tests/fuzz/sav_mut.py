"""IDL SAVE (``.sav``) attacks for skymap and calibration files.

Record-level attacks work on the record chain (``SR`` signature, then records of int32 type,
uint32 low and high words of the next record's offset, 4 spare bytes, payload): offsets pointing
to the record itself, backwards, into a record's middle or past the end; duplicated and looping
records; array descriptors with extreme element counts and dimensions; a compressed file whose
record inflates to gigabytes. Semantic attacks read the seed with ``scipy.io.readsav`` and
write a changed copy with geospacexr's own IDL writer (text where numbers belong, arrays where
scalars belong, wrong shapes, NaN/inf, dates that are not dates).
"""

from __future__ import annotations

import random
import struct
from pathlib import Path

import numpy as np

from . import bytes_mut


def records(data: bytes) -> list[tuple[int, int, int]]:
    """[(start, rectype, next)] following the chain forward (bounded)."""
    out = []
    pos = 4
    seen = set()
    while pos + 16 <= len(data) and pos not in seen and len(out) < 10000:
        seen.add(pos)
        rectype, lo, hi = struct.unpack(">lII", data[pos : pos + 12])
        nxt = lo + (hi << 32)
        out.append((pos, rectype, nxt))
        if rectype == 6 or nxt <= pos:
            break
        pos = nxt
    return out


def _set_next(buf: bytearray, start: int, value: int) -> None:
    struct.pack_into(">II", buf, start + 4, value & 0xFFFFFFFF, (value >> 32) & 0xFFFFFFFF)


def _array_descs(data: bytes) -> list[int]:
    """Offsets of plausible ARRAY_DESC blocks (int32 8, ?, nbytes, nelements, ndims, 0, 0, 8)."""
    found = []
    arr = np.frombuffer(data[: len(data) // 4 * 4], dtype=">i4")
    for k in np.flatnonzero(arr == 8)[:5000]:
        if k + 16 > arr.size:
            continue
        ndims, nmax = arr[k + 4], arr[k + 7]
        if 1 <= ndims <= 8 and nmax == 8:
            dims = arr[k + 8 : k + 8 + ndims]
            if np.prod(dims.astype(np.int64)) == arr[k + 3]:
                found.append(int(k) * 4)
    return found


def record_level(data: bytes, rng: random.Random) -> tuple[bytes, str, dict]:
    recs = records(data)
    buf = bytearray(data)
    kind = rng.choice(
        [
            "next_self",
            "next_back",
            "next_zero",
            "next_past_eof",
            "next_middle",
            "dup_record",
            "dup_record",
            "loop_end",
            "rectype",
            "truncate_boundary",
            "arraydesc",
            "arraydesc",
            "arraydesc",
            "zlib_bomb",
            "no_end",
        ]
    )
    if not recs:
        return (*bytes_mut.bit_flips(data, rng), {})
    i = rng.randrange(len(recs))
    start, rectype, _next = recs[i]
    if kind == "next_self":
        _set_next(buf, start, start)
        return bytes(buf), f"record {i} (type {rectype}) next offset -> itself", {}
    if kind == "next_back":
        target = recs[rng.randrange(i + 1)][0] if i else 4
        _set_next(buf, start, target)
        return bytes(buf), f"record {i} next offset -> {target} (backwards)", {}
    if kind == "next_zero":
        _set_next(buf, start, 0)
        return bytes(buf), f"record {i} next offset -> 0", {}
    if kind == "next_past_eof":
        value = rng.choice([len(data) + 1, len(data) + 10**9, 2**32 - 1, 2**63])
        _set_next(buf, start, value)
        return bytes(buf), f"record {i} next offset -> {value} (file {len(data)})", {}
    if kind == "next_middle":
        value = start + rng.choice([4, 8, 12, 17, 100])
        _set_next(buf, start, value)
        return bytes(buf), f"record {i} next offset -> {value} (inside the record)", {}
    if kind in ("dup_record", "loop_end"):
        var = [r for r in recs if r[1] == 2]
        if not var:
            return bytes(buf), "no VARIABLE record", {}
        s, _, n = rng.choice(var)
        if kind == "loop_end":
            end = recs[-1][0]
            _set_next(buf, end, s)
            buf[end : end + 4] = struct.pack(">l", 2) if rng.random() < 0.5 else buf[end : end + 4]
            return bytes(buf), f"last record points back to VARIABLE record at {s}", {}
        rec = bytes(data[s:n])
        times = rng.choice([2, 50])
        out = bytearray(data[:n])
        for _ in range(times - 1):
            copy = bytearray(rec)
            _set_next(copy, 0, len(out) + len(rec))
            out += copy
        shift = (times - 1) * len(rec)
        tail = bytearray(data[n:])
        for s2, _, n2 in recs:
            if s2 >= n:
                _set_next(tail, s2 - n, n2 + shift)
        # the original record's next pointer must now lead to the first copy (it does: n)
        out += tail
        return bytes(out), f"VARIABLE record at {s} repeated {times}x", {}
    if kind == "rectype":
        value = rng.choice([0, 1, 3, 99, -1, 2**31 - 1, 6])
        struct.pack_into(">l", buf, start, value)
        return bytes(buf), f"record {i} type {rectype} -> {value}", {}
    if kind == "truncate_boundary":
        cuts = sorted({c for s, _, n in recs for c in (s, s + 4, s + 16, s + 40, n - 1)})
        cut = rng.choice([c for c in cuts if 0 < c < len(data)] or [len(data) // 2])
        return bytes(data[:cut]), f"truncated at record boundary {cut}", {}
    if kind == "arraydesc":
        descs = _array_descs(data)
        if not descs:
            return (*bytes_mut.interesting_int(data, rng), {})
        d = rng.choice(descs)
        field = rng.choice(["nbytes", "nelements", "ndims", "dim0", "dims_all"])
        value = rng.choice([0, -1, 2**31 - 1, 2**30, 65536, 1 << 20])
        if field == "nbytes":
            struct.pack_into(">l", buf, d + 8, value)
        elif field == "nelements":
            struct.pack_into(">l", buf, d + 12, value)
        elif field == "ndims":
            struct.pack_into(">l", buf, d + 16, rng.choice([0, -1, 9, 100, 2**31 - 1]))
        elif field == "dim0":
            struct.pack_into(">l", buf, d + 32, value)
        else:
            for k in range(8):
                struct.pack_into(">l", buf, d + 32 + 4 * k, 65536)
            struct.pack_into(">l", buf, d + 16, 8)
            struct.pack_into(">l", buf, d + 12, 0)
        return bytes(buf), f"array descriptor at {d}: {field} = {value}", {}
    if kind == "zlib_bomb":
        from .h5_mut import zlib_zeros

        gib = rng.choice([1, 3])
        payload = zlib_zeros(gib << 30)
        first = data[4 : recs[0][2]] if recs else b""
        out = bytearray(b"SR\x00\x06")
        # first record (TIMESTAMP) uncompressed header + compressed payload
        ts_payload = __import__("zlib").compress(first[16:]) if first else b""
        out += struct.pack(">lII", 10, 4 + 16 + len(ts_payload), 0) + b"\0\0\0\0" + ts_payload
        var_start = len(out)
        out += struct.pack(">lII", 2, var_start + 16 + len(payload), 0) + b"\0\0\0\0" + payload
        end_start = len(out)
        out += struct.pack(">lII", 6, end_start + 16, 0) + b"\0\0\0\0"
        return bytes(out), f"compressed SAVE whose VARIABLE record inflates to {gib} GiB", {}
    # no_end: drop the END_MARKER record
    end = [r for r in recs if r[1] == 6]
    if end:
        return bytes(data[: end[0][0]]), "END_MARKER record removed", {}
    return bytes(buf), "no END_MARKER to remove", {}


# --- semantic: via readsav and geospacexr's IDL writer --------------------------------------
def _to_writer(value):
    from geospacexr.io.idlsav import IdlStruct

    if isinstance(value, np.recarray) or (isinstance(value, np.ndarray) and value.dtype.names):
        rows = []
        for rec in value:
            rows.append(
                {
                    name.upper() if isinstance(name, str) else name[1]: _to_writer(rec[name])
                    for name in value.dtype.names
                }
            )
        if len(rows) == 1:
            return IdlStruct(rows[0])
        return IdlStruct(rows[0], rows=rows)
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            return np.array([_to_writer(v) for v in value.flat]).reshape(value.shape)
        return value.astype(value.dtype.newbyteorder("="))
    if isinstance(value, np.generic):
        return value.astype(value.dtype.newbyteorder("=")) if value.dtype.kind != "S" else value
    return value


BAD_VALUES = [
    b"not a date",
    b"",
    b"2262123123",
    b"1677010100",
    b"99999999",
    np.float32(np.nan),
    np.array([[1.0, 2.0], [3.0, 4.0]], dtype="f4"),
    np.array([], dtype="f4"),
    np.float64(np.inf),
    np.int32(-1),
    b"\xff\xfe",
    np.array([b"a", b"b"]),
]


def _fields(d: dict, prefix: str = "") -> list[tuple[dict, str, str]]:
    from geospacexr.io.idlsav import IdlStruct

    out = []
    for k, v in d.items():
        out.append((d, k, prefix + k))
        if isinstance(v, IdlStruct):
            out.extend(_fields(v.fields, prefix + k + "."))
    return out


def semantic(src: Path, dst: Path, rng: random.Random) -> tuple[str, dict]:
    import scipy.io

    from geospacexr.io.idlsav import write_sav

    raw = scipy.io.readsav(str(src))
    variables = {k.upper() if k.islower() else k: _to_writer(v) for k, v in raw.items()}
    # keep the original names' case as written (readsav lowercases top-level names)
    variables = {k: v for k, v in zip(raw.keys(), variables.values(), strict=True)}
    fields = _fields(variables)
    kind = rng.choice(["value", "value", "value", "delete", "shape", "nan_array", "date"])
    parent, key, label = rng.choice(fields)
    old = parent[key]
    if kind == "date":
        dates = [f for f in fields if "VALID" in f[2] or "DATE" in f[2]]
        if dates:
            parent, key, label = rng.choice(dates)
        parent[key] = rng.choice(
            [
                b"not a date",
                b"",
                b"2262123123",
                b"0000000000",
                b"2014133200",
                np.float64(2014010100.0),
                b"+" * 100,
            ]
        )
        desc = f"{label} = {parent[key]!r:.40}"
    elif kind == "value":
        parent[key] = rng.choice(BAD_VALUES)
        desc = f"{label} ({type(old).__name__}) = {parent[key]!r:.40}"
    elif kind == "delete":
        del parent[key]
        desc = f"{label} deleted"
    elif kind == "shape" and isinstance(old, np.ndarray) and old.size > 1:
        new = rng.choice(["transpose", "crop", "flat", "extra_dim"])
        if new == "transpose":
            parent[key] = np.ascontiguousarray(old.T[..., :-1] if old.ndim > 1 else old[:-1])
        elif new == "crop":
            parent[key] = np.ascontiguousarray(old[..., : max(1, old.shape[-1] // 2)])
        elif new == "flat":
            parent[key] = old.reshape(-1)
        else:
            parent[key] = old[None, ...]
        desc = f"{label} shape {old.shape} -> {parent[key].shape}"
    else:
        if isinstance(old, np.ndarray) and old.dtype.kind == "f":
            v = old.copy()
            v[...] = rng.choice([np.nan, np.inf, -np.inf, 1e30])
            parent[key] = v
            desc = f"{label} all {v.flat[0]}"
        else:
            parent[key] = np.float32(np.nan)
            desc = f"{label} = NaN"
    write_sav(dst, variables)
    return desc, {}


def mutate(src: Path, dst: Path, rng: random.Random) -> tuple[str, dict]:
    r = rng.random()
    if r < 0.35:
        try:
            return semantic(src, dst, rng)
        except Exception as exc:
            note = f"(semantic failed: {type(exc).__name__}: {exc}) "
    else:
        note = ""
    data = src.read_bytes()
    if r < 0.85:
        out, desc, flags = record_level(data, rng)
    else:
        out, desc = rng.choice(bytes_mut.GENERIC)(data, rng)
        flags = {}
    dst.write_bytes(out)
    return note + desc, flags
