"""HDF4 attacks (the LFM reader): the data-descriptor chain and its offsets and lengths.

An HDF4 file starts with the magic ``0e 03 13 01``; then DD blocks: int16 number of
descriptors, int32 offset of the next block, then per descriptor uint16 tag, uint16 ref,
int32 offset and int32 length of the element (all big-endian).
"""

from __future__ import annotations

import random
import struct

from . import bytes_mut

MAGIC = b"\x0e\x03\x13\x01"


def dd_blocks(data: bytes) -> list[tuple[int, int, int]]:
    """[(block offset, number of descriptors, next block offset)], following the chain."""
    out = []
    pos = 4
    seen = set()
    while 0 < pos and pos + 6 <= len(data) and pos not in seen and len(out) < 1000:
        seen.add(pos)
        n, nxt = struct.unpack_from(">hi", data, pos)
        out.append((pos, n, nxt))
        pos = nxt
    return out


def mutate(data: bytes, name: str, rng: random.Random) -> tuple[bytes, str, dict]:
    blocks = dd_blocks(data) if data[:4] == MAGIC else []
    if not blocks or rng.random() < 0.25:
        out, desc = rng.choice(bytes_mut.GENERIC)(data, rng)
        return out, desc, {}
    buf = bytearray(data)
    b, n, _next = rng.choice(blocks)
    kind = rng.choice(
        [
            "dd_offset",
            "dd_offset",
            "dd_length",
            "dd_length",
            "dd_tag",
            "ndds",
            "next_self",
            "next_back",
            "next_past_eof",
            "truncate_dd",
        ]
    )
    k = rng.randrange(max(1, n))
    dd = b + 6 + 12 * k
    if kind == "dd_offset":
        v = rng.choice([0, -1, 2**31 - 1, len(data), len(data) - 1, b, 4])
        struct.pack_into(">i", buf, dd + 4, v)
        return bytes(buf), f"DD {k} of block {b}: offset -> {v}", {}
    if kind == "dd_length":
        v = rng.choice([0, -1, 2**31 - 1, 1 << 30, len(data)])
        struct.pack_into(">i", buf, dd + 8, v)
        return bytes(buf), f"DD {k} of block {b}: length -> {v}", {}
    if kind == "dd_tag":
        v = rng.choice([0, 1, 702, 720, 1962, 65535, 40000])
        struct.pack_into(">H", buf, dd, v)
        return bytes(buf), f"DD {k} of block {b}: tag -> {v}", {}
    if kind == "ndds":
        v = rng.choice([0, -1, 32767, n + 1])
        struct.pack_into(">h", buf, b, v)
        return bytes(buf), f"DD block {b}: count {n} -> {v}", {}
    if kind == "next_self":
        struct.pack_into(">i", buf, b + 2, b)
        return bytes(buf), f"DD block {b}: next -> itself", {}
    if kind == "next_back":
        struct.pack_into(">i", buf, b + 2, 4)
        return bytes(buf), f"DD block {b}: next -> the first block", {}
    if kind == "next_past_eof":
        v = rng.choice([len(data) + 10, 2**31 - 1, -5])
        struct.pack_into(">i", buf, b + 2, v)
        return bytes(buf), f"DD block {b}: next -> {v}", {}
    return bytes(buf[: dd + rng.randrange(12)]), f"cut inside DD {k} of block {b}", {}
