"""Format-blind byte mutations and compression-layer attacks.

Every mutator takes the seed's bytes and a :class:`random.Random` and returns
``(new_bytes, description)``. They are what a generic fuzzer (or a flaky disk) does: flip
bits, splice, duplicate, zero or cut ranges, and drop in interesting integers.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import random
import struct
import zlib

INTERESTING32 = [
    0,
    1,
    2,
    0x7F,
    0x80,
    0xFF,
    0x100,
    0x7FFF,
    0x8000,
    0xFFFF,
    0x10000,
    0x7FFFFFFF,
    0x80000000,
    0xFFFFFFFF,
    0x3FFFFFFF,
    1 << 20,
    1 << 24,
]


def bit_flips(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    buf = bytearray(data)
    n = rng.choice([1, 2, 4, 8, 32, 256])
    for _ in range(n):
        i = rng.randrange(len(buf))
        buf[i] ^= 1 << rng.randrange(8)
    return bytes(buf), f"{n} random bit flips"


def head_bit_flips(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """Bit flips concentrated in the first 4 KiB (headers live there)."""
    buf = bytearray(data)
    n = rng.choice([1, 2, 4, 16])
    span = min(len(buf), 4096)
    for _ in range(n):
        i = rng.randrange(span)
        buf[i] ^= 1 << rng.randrange(8)
    return bytes(buf), f"{n} bit flips in the first {span} bytes"


def random_bytes_range(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    buf = bytearray(data)
    start = rng.randrange(len(buf))
    length = min(len(buf) - start, rng.choice([1, 4, 16, 512, 8192]))
    fill = rng.choice(["zero", "ff", "random"])
    if fill == "zero":
        buf[start : start + length] = bytes(length)
    elif fill == "ff":
        buf[start : start + length] = b"\xff" * length
    else:
        buf[start : start + length] = rng.randbytes(length)
    return bytes(buf), f"{length} bytes at {start} set to {fill}"


def splice(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """Copy a chunk of the file over another place of the file."""
    n = len(data)
    length = rng.choice([8, 64, 1024, 65536])
    src = rng.randrange(max(1, n - length))
    dst = rng.randrange(max(1, n - length))
    chunk = data[src : src + length]
    out = data[:dst] + chunk + data[dst + len(chunk) :]
    return out, f"{len(chunk)} bytes from {src} copied over {dst}"


def insert_or_delete(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    n = len(data)
    at = rng.randrange(n)
    length = rng.choice([1, 3, 7, 100, 4096])
    if rng.random() < 0.5:
        return data[:at] + rng.randbytes(length) + data[
            at:
        ], f"{length} random bytes inserted at {at}"
    return data[:at] + data[at + length :], f"{length} bytes deleted at {at}"


def duplicate_chunk(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    n = len(data)
    length = rng.choice([16, 1024, 65536, n // 2])
    at = rng.randrange(max(1, n - length))
    chunk = data[at : at + length]
    times = rng.choice([2, 10])
    return data[:at] + chunk * times + data[
        at + length :
    ], f"{len(chunk)} bytes at {at} repeated {times}x"


def interesting_int(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    buf = bytearray(data)
    value = rng.choice([*INTERESTING32, -1, -2, -(1 << 31)])
    endian = rng.choice("<>")
    width = rng.choice([2, 4, 8])
    span = min(len(buf) - width, rng.choice([256, 4096, len(buf)]))
    at = rng.randrange(max(1, span)) & ~(width - 1)
    fmt = {2: "h", 4: "i", 8: "q"}[width]
    lim = 1 << (8 * width - 1)
    v = ((value + lim) % (2 * lim)) - lim
    struct.pack_into(endian + fmt, buf, at, v)
    return bytes(buf), f"int{8 * width}{endian} {value} written at {at}"


def truncate_random(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    at = rng.choice(
        [0, 1, 2, 3, 4, 8, 16, 64, 512, rng.randrange(len(data)), len(data) - 1, len(data) // 2]
    )
    at = max(0, min(at, len(data) - 1))
    return data[:at], f"truncated at byte {at} of {len(data)}"


GENERIC = [
    bit_flips,
    head_bit_flips,
    random_bytes_range,
    splice,
    insert_or_delete,
    duplicate_chunk,
    interesting_int,
    truncate_random,
]


# --- compression-layer attacks (the payload is the *decompressed* content) -----------------
@functools.lru_cache(maxsize=8)
def zeros_gzip(nbytes: int, level: int = 9) -> bytes:
    """A gzip member whose content is ``nbytes`` zeros, built in bounded memory."""
    co = zlib.compressobj(level, zlib.DEFLATED, 31)
    block = bytes(1 << 22)
    parts = []
    left = nbytes
    while left > 0:
        take = min(left, len(block))
        parts.append(co.compress(block[:take]))
        left -= take
    parts.append(co.flush())
    return b"".join(parts)


@functools.lru_cache(maxsize=8)
def zeros_bz2(nbytes: int) -> bytes:
    co = bz2.BZ2Compressor(9)
    block = bytes(1 << 22)
    parts = []
    left = nbytes
    while left > 0:
        take = min(left, len(block))
        parts.append(co.compress(block[:take]))
        left -= take
    parts.append(co.flush())
    return b"".join(parts)


def gzip_bytes(payload: bytes, level: int = 1) -> bytes:
    return gzip.compress(payload, compresslevel=level, mtime=0)


def gzip_attacks(gz: bytes, raw: bytes, rng: random.Random) -> tuple[bytes, str]:
    """Attacks on the gzip layer of a ``.gz`` file (``raw`` is its decompressed content)."""
    kind = rng.choice(
        [
            "zeros_tail",
            "zeros_only",
            "member_flood",
            "empty_member_flood",
            "trailing_garbage",
            "bad_crc",
            "bad_isize",
            "fextra_huge",
            "fname_unterminated",
            "reserved_flags",
            "bz2_inside",
            "plain_inside",
            "truncated_deflate",
            "many_small_members",
        ]
    )
    if kind == "zeros_tail":
        gib = rng.choice([1, 2, 6])
        return gz + zeros_gzip(
            gib << 30
        ), f"valid file followed by a gzip member of {gib} GiB of zeros"
    if kind == "zeros_only":
        gib = rng.choice([1, 4])
        return zeros_gzip(gib << 30), f"gzip of {gib} GiB of zeros only"
    if kind == "member_flood":
        n = rng.choice([10_000, 100_000])
        one = gzip_bytes(raw[:64])
        return gz + one * n, f"valid file + {n} gzip members of 64 header bytes"
    if kind == "empty_member_flood":
        n = rng.choice([100_000, 400_000])
        return gz + gzip_bytes(b"") * n, f"valid file + {n} empty gzip members"
    if kind == "trailing_garbage":
        return gz + rng.randbytes(rng.choice([1, 9, 1000])), "random bytes after the gzip member"
    if kind == "bad_crc":
        buf = bytearray(gz)
        buf[-8] ^= 0xFF
        return bytes(buf), "gzip CRC32 wrong"
    if kind == "bad_isize":
        buf = bytearray(gz)
        struct.pack_into("<I", buf, len(buf) - 4, rng.choice([0, 0xFFFFFFFF, 1]))
        return bytes(buf), "gzip ISIZE wrong"
    if kind == "fextra_huge":
        # rebuild the header with FEXTRA of 65535 bytes declared but 10 present
        body = zlib.compressobj(1, zlib.DEFLATED, -15)
        deflated = body.compress(raw) + body.flush()
        head = b"\x1f\x8b\x08\x04" + b"\0\0\0\0\x00\x03" + struct.pack("<H", 65535) + b"A" * 10
        tail = struct.pack("<II", zlib.crc32(raw) & 0xFFFFFFFF, len(raw) & 0xFFFFFFFF)
        return head + deflated + tail, "gzip FEXTRA declares 65535 bytes"
    if kind == "fname_unterminated":
        head = b"\x1f\x8b\x08\x08" + b"\0\0\0\0\x00\x03" + b"x" * 5000
        return head, "gzip FNAME never terminated, no body"
    if kind == "reserved_flags":
        buf = bytearray(gz)
        buf[3] |= 0xE0
        return bytes(buf), "gzip reserved FLG bits set"
    if kind == "bz2_inside":
        return bz2.compress(raw, 1), "bzip2 content under a .gz name"
    if kind == "plain_inside":
        return raw, "uncompressed content under a .gz name"
    if kind == "truncated_deflate":
        cut = rng.randrange(10, len(gz))
        return gz[:cut], f"gzip stream cut at {cut} of {len(gz)}"
    n = rng.choice([1000, 20000])
    step = max(1, len(raw) // n)
    members = b"".join(gzip_bytes(raw[i : i + step]) for i in range(0, len(raw), step))
    return members, f"content split into {len(raw) // step} gzip members"
