"""Attacks on TREx RGB burst PNG frames and their ``.png.tar`` minute files.

PNG: a signature, then chunks (length, type, data, CRC32 over type+data); IHDR holds width,
height, bit depth, colour type; IDAT chunks hold one zlib stream of filtered rows. The attacks
rebuild valid CRCs so that a decoder gets past them: decompression bombs (a 9400² or 30000²
frame of zeros in a few hundred KiB), IHDR sizes that do not match the data, other bit
depths / colour types / interlacing, damaged chunks. Tar: members with huge declared sizes,
many members, path traversal and link members, names with times at the datetime64 limits,
and a gzip-compressed tar holding a multi-GiB member.
"""

from __future__ import annotations

import functools
import io
import random
import struct
import tarfile
import zlib

from . import bytes_mut

SIG = b"\x89PNG\r\n\x1a\n"


def chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    out = []
    pos = 8
    while pos + 12 <= len(png):
        (n,) = struct.unpack_from(">I", png, pos)
        out.append((png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + n]))
        pos += 12 + n
    return out


def build(parts: list[tuple[bytes, bytes]]) -> bytes:
    return SIG + b"".join(chunk(k, d) for k, d in parts)


@functools.lru_cache(maxsize=8)
def bomb_png(width: int, height: int, channels: int = 3) -> bytes:
    """A valid 8-bit PNG of zeros, compressed in bounded memory."""
    co = zlib.compressobj(9)
    row = bytes(1 + width * channels)
    parts = []
    block = row * max(1, (1 << 22) // len(row))
    rows_per_block = len(block) // len(row)
    left = height
    while left > 0:
        take = min(left, rows_per_block)
        parts.append(co.compress(block[: take * len(row)]))
        left -= take
    parts.append(co.flush())
    ctype = {1: 0, 3: 2, 4: 6}[channels]
    ihdr = struct.pack(">IIBBBBB", width, height, 8, ctype, 0, 0, 0)
    return build([(b"IHDR", ihdr), (b"IDAT", b"".join(parts)), (b"IEND", b"")])


def png_attack(png: bytes, rng: random.Random) -> tuple[bytes, str]:
    parts = chunks(png)
    kind = rng.choice(
        [
            "bomb",
            "bomb",
            "ihdr_size",
            "ihdr_size",
            "depth",
            "crc",
            "idat_cut",
            "no_iend",
            "extra_chunks",
            "zero_size",
            "generic",
        ]
    )
    if kind == "bomb":
        w, h = rng.choice([(9400, 9400), (30000, 30000), (553, 2_000_000), (65535, 1)])
        return bomb_png(w, h), f"PNG of {w}x{h} zeros ({w * h * 3 >> 20} MiB decoded)"
    ihdr = bytearray(parts[0][1])
    if kind == "ihdr_size":
        w = rng.choice([0, 1, 553, 554, 2**31 - 1, 65535, 100000])
        h = rng.choice([0, 1, 480, 481, 2**31 - 1, 65535])
        struct.pack_into(">II", ihdr, 0, w, h)
        parts[0] = (b"IHDR", bytes(ihdr))
        return build(parts), f"IHDR says {w}x{h} (data for 553x480)"
    if kind == "depth":
        depth, ctype, interlace = rng.choice(
            [(16, 2, 0), (1, 0, 0), (8, 3, 0), (8, 6, 0), (8, 2, 1), (7, 2, 0), (8, 5, 0)]
        )
        ihdr[8], ihdr[9], ihdr[12] = depth, ctype, interlace
        parts[0] = (b"IHDR", bytes(ihdr))
        return build(parts), f"IHDR depth {depth} colour type {ctype} interlace {interlace}"
    if kind == "crc":
        out = bytearray(png)
        out[8 + 8 + 13] ^= 0xFF
        return bytes(out), "IHDR CRC wrong"
    if kind == "idat_cut":
        parts = [(k, d[: len(d) // 2] if k == b"IDAT" else d) for k, d in parts]
        return build(parts), "IDAT data cut in half (valid CRC)"
    if kind == "no_iend":
        return build([p for p in parts if p[0] != b"IEND"]), "IEND removed"
    if kind == "extra_chunks":
        n = rng.choice([1000, 100000])
        extra = [(b"tEXt", b"k\0" + b"v" * 10)] * n
        return build(parts[:1] + extra + parts[1:]), f"{n} tEXt chunks before IDAT"
    if kind == "zero_size":
        struct.pack_into(">II", ihdr, 0, 0, 0)
        parts[0] = (b"IHDR", bytes(ihdr))
        return build([*parts[:1], (b"IEND", b"")]), "0x0 image without IDAT"
    out, desc = rng.choice(bytes_mut.GENERIC)(png, rng)
    return out, desc


def _tar(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def _set_tar_size(raw: bytearray, header_at: int, size: int) -> None:
    field = (b"%011o" % size) + b"\0" if size < 8**11 else b"\x80" + size.to_bytes(11, "big")
    raw[header_at + 124 : header_at + 136] = field
    raw[header_at + 148 : header_at + 156] = b" " * 8
    chk = sum(raw[header_at : header_at + 512])
    raw[header_at + 148 : header_at + 156] = b"%06o\0 " % chk


@functools.lru_cache(maxsize=4)
def gz_tar_bomb(name: str, gib: int) -> bytes:
    """A gzip-compressed tar whose one member is ``gib`` GiB of zeros (bounded memory)."""
    info = tarfile.TarInfo(name)
    info.size = gib << 30
    co = zlib.compressobj(6, zlib.DEFLATED, 31)
    parts = [co.compress(info.tobuf(format=tarfile.GNU_FORMAT))]
    block = bytes(1 << 22)
    left = gib << 30
    while left > 0:
        parts.append(co.compress(block[: min(left, len(block))]))
        left -= len(block)
    parts.append(co.flush())
    return b"".join(parts)


def tar_attack(data: bytes, rng: random.Random) -> tuple[bytes, str, dict]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    kind = rng.choice(
        [
            "member_size",
            "member_size",
            "png_in_member",
            "png_in_member",
            "bomb_members",
            "many_members",
            "traversal",
            "links",
            "bad_names",
            "dup_names",
            "gz_bomb",
            "truncate",
            "generic",
        ]
    )
    i = rng.randrange(len(members))
    if kind == "member_size":
        raw = bytearray(data)
        offsets = []
        pos = 0
        for _m, d in members:
            offsets.append(pos)
            pos += 512 + (len(d) + 511) // 512 * 512
        size = rng.choice([8 << 30, 2**33 - 1, 1 << 40, 0, 1, len(members[i][1]) + 1])
        _set_tar_size(raw, offsets[i], size)
        return bytes(raw), f"tar member {i} declares {size} bytes", {}
    if kind == "png_in_member":
        new, desc = png_attack(members[i][1], rng)
        m = members[i][0]
        m.size = len(new)
        members[i] = (m, new)
        return _tar(members), f"member {i}: {desc}", {}
    if kind == "bomb_members":
        n = rng.choice([6, 24])
        bomb = bomb_png(9400, 9400)
        out = []
        for k in range(n):
            info = tarfile.TarInfo(f"20211030_0605{k % 60:02d}_149606_gill_rgb-04_320ms_burst.png")
            info.size = len(bomb)
            out.append((info, bomb))
        return _tar(out), f"{n} PNGs of 9400x9400 ({n * 9400 * 9400 * 3 >> 30} GiB decoded)", {}
    if kind == "many_members":
        n = rng.choice([20000, 200000])
        tiny = bomb_png(1, 1)
        out = []
        for k in range(n):
            info = tarfile.TarInfo(
                f"20211030_06{(k // 60) % 60:02d}{k % 60:02d}_{k:06d}_gill_rgb-04_320ms_burst.png"
            )
            info.size = len(tiny)
            out.append((info, tiny))
        return _tar(out), f"{n} members of 1x1 PNGs", {}
    if kind == "traversal":
        name = rng.choice(
            [
                "../../../tmp/gxfuzz_" + members[i][0].name,
                "/tmp/gxfuzz.png",
                "a/../../" + members[i][0].name,
            ]
        )
        members[i][0].name = name
        return _tar(members), f"member {i} named {name!r}", {}
    if kind == "links":
        info = tarfile.TarInfo(members[i][0].name)
        info.type = rng.choice([tarfile.SYMTYPE, tarfile.LNKTYPE])
        info.linkname = rng.choice(["/etc/passwd", "/dev/zero", members[0][0].name])
        members[i] = (info, None)
        return _tar(members), f"member {i} is a link to {info.linkname}", {"maybe": "link"}
    if kind == "bad_names":
        t = rng.choice(
            [
                "22630101_060500_000000",
                "16770101_060500_000000",
                "20211330_060500_000000",
                "20211030_256099_000000",
                "99999999_999999_999999",
            ]
        )
        members[i][0].name = t + "_gill_rgb-04_320ms_burst.png"
        flags = {"bad_time": t} if t[:4] in ("2263", "1677") else {}
        return _tar(members), f"member {i} named with time {t}", flags
    if kind == "dup_names":
        for m, _ in members:
            m.name = members[0][0].name
        return _tar(members), "every member has the same name", {}
    if kind == "gz_bomb":
        gib = rng.choice([1, 8])
        return (
            gz_tar_bomb(members[0][0].name, gib),
            f"gzip-compressed tar, one {gib} GiB member",
            {},
        )
    if kind == "truncate":
        cut = rng.choice([100, 512, 1024, len(data) // 2, len(data) - 1, len(data) - 1024])
        return data[:cut], f"tar cut at {cut}", {}
    out, desc = rng.choice(bytes_mut.GENERIC)(data, rng)
    return out, desc, {}


def mutate(data: bytes, name: str, rng: random.Random) -> tuple[bytes, str, dict]:
    if name.lower().endswith(".tar"):
        return tar_attack(data, rng)
    out, desc = png_attack(data, rng)
    return out, desc, {}
