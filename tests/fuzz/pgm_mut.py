"""Structure-aware attacks on multi-frame binary PGM files (``.pgm``, ``.pgm.gz``, ``.pgm.bz2``).

The layout (``/work/shared/formats/asi.md``): frames back to back, each ``P5\\n``, ``#"key"
value`` lines, ``W H``, ``maxval``, then ``W*H*2`` bytes of big-endian uint16. The parser here
is written from that description alone.
"""

from __future__ import annotations

import bz2
import gzip
import random
from dataclasses import dataclass

from . import bytes_mut


@dataclass
class Frame:
    head: list[bytes]  # lines between "P5" and the size line, without newlines
    size: bytes  # "W H"
    maxval: bytes
    pixels: bytes

    def dump(self) -> bytes:
        lines = [b"P5", *self.head, self.size, self.maxval]
        return b"\n".join(lines) + b"\n" + self.pixels


def parse(raw: bytes) -> list[Frame]:
    frames = []
    pos = 0
    n = len(raw)
    while pos < n:
        if raw[pos : pos + 3] != b"P5\n":
            raise ValueError(f"no P5 at {pos}")
        pos += 3
        head = []
        while raw[pos : pos + 1] == b"#":
            end = raw.index(b"\n", pos)
            head.append(raw[pos:end])
            pos = end + 1
        end = raw.index(b"\n", pos)
        size = raw[pos:end]
        pos = end + 1
        end = raw.index(b"\n", pos)
        maxval = raw[pos:end]
        pos = end + 1
        w, h = (int(v) for v in size.split())
        nbytes = w * h * (2 if int(maxval) > 255 else 1)
        frames.append(Frame(head, size, maxval, raw[pos : pos + nbytes]))
        pos += nbytes
    return frames


def dump(frames: list[Frame]) -> bytes:
    return b"".join(f.dump() for f in frames)


def decompress(data: bytes, name: str) -> bytes:
    if name.endswith(".gz"):
        return gzip.decompress(data)
    if name.endswith(".bz2"):
        return bz2.decompress(data)
    return data


def compress(raw: bytes, name: str) -> bytes:
    if name.endswith(".gz"):
        return bytes_mut.gzip_bytes(raw, 1)
    if name.endswith(".bz2"):
        return bz2.compress(raw, 1)
    return raw


BAD_TIMES = [
    "2262-04-11 23:47:16.854775 UTC",  # just past datetime64[ns]
    "2262-12-31 23:59:59.000000 UTC",
    "2263-01-01 00:00:00.000000 UTC",
    "1677-09-21 00:12:43.145224 UTC",  # just before
    "1677-01-01 00:00:00.000000 UTC",
    "9999-12-31 23:59:59.999999 UTC",
    "0001-01-01 00:00:00.000000 UTC",
    "1970-01-01 00:00:00.000000 UTC",
    "2014-02-30 06:00:00.000000 UTC",
    "2014-03-10 24:00:00.000000 UTC",
    "2014-03-10 23:59:60.000000 UTC",
    "2014-03-10 06:00:00.0000000000001 UTC",
    "2014-03-10 06:00:00 UTC",
    "2014-03-10T06:00:00Z",
    "-2014-03-10 06:00:00.000000 UTC",
    "2014-03-10 06:00:00.000000 PST",
    "NaN",
    "",
    "2014-03-10 06:00:00.000000 UTC" + "0" * 10000,
    "\xff\xfe garbage",
]

BAD_SIZES = [
    b"32768 32768",
    b"65535 65535",
    b"0 0",
    b"0 256",
    b"-1 256",
    b"256 -256",
    b"1 1",
    b"99999999999 1",
    b"256",
    b"256 256 256",
    b"abc def",
    b"1e3 1e3",
    b"2147483647 2147483647",
    b"4294967297 1",
    b"256 255",
    b"257 256",
    b"",
]
BAD_MAXVAL = [
    b"0",
    b"1",
    b"255",
    b"256",
    b"65536",
    b"-1",
    b"4294967296",
    b"abc",
    b"",
    b"65535 65535",
]

META_VALUES = [
    b"abc",
    b"nan",
    b"inf",
    b"-inf",
    b"1e400",
    b"-999999",
    b"",
    b"\xff\xfe",
    b"1,5",
    b"0x10",
    b"x0=abc,y0=",
    b"WIDTH=-1 HEIGHT=0 XBIN=0",
    b"99999999999999999999",
]


def _time_key(line: bytes) -> bool:
    return line.lower().startswith(b'#"image request start"')


def structural(raw: bytes, rng: random.Random) -> tuple[bytes, str, dict]:
    """One structural attack on decompressed PGM content; returns raw bytes."""
    frames = parse(raw)
    kind = rng.choice(
        [
            "size_line",
            "size_line",
            "maxval",
            "magic",
            "time_value",
            "time_value",
            "time_value",
            "time_missing",
            "time_all_same",
            "time_backwards",
            "dup_frames",
            "reverse_frames",
            "frame_flood",
            "header_flood",
            "long_line",
            "truncate_boundary",
            "truncate_boundary",
            "drop_metadata_key",
            "nonutf8_meta",
            "exposure_value",
            "nul_bytes",
            "short_pixels",
            "extra_pixels",
            "site_path",
            "frames_mixed_size",
            "meta_value",
            "meta_value",
        ]
    )
    flags: dict = {}
    i = rng.randrange(len(frames))
    f = frames[i]
    if kind == "size_line":
        f.size = rng.choice(BAD_SIZES)
        desc = f"frame {i} size line {f.size!r}"
    elif kind == "maxval":
        f.maxval = rng.choice(BAD_MAXVAL)
        desc = f"frame {i} maxval {f.maxval!r}"
    elif kind == "magic":
        magic = rng.choice([b"P2", b"P6", b"P4", b"", b"P5 ", b"p5"])
        out = bytearray(dump(frames))
        starts = [k for k in range(len(frames))]
        pos = sum(len(fr.dump()) for fr in frames[: starts[i]])
        out[pos : pos + 2] = magic
        return bytes(out), f"frame {i} magic {magic!r}", flags
    elif kind == "time_value":
        t = rng.choice(BAD_TIMES)
        every = rng.random() < 0.4
        targets = frames if every else [f]
        for fr in targets:
            fr.head = [
                (
                    b'#"Image request start" ' + t.encode("utf-8", "surrogateescape")
                    if _time_key(h)
                    else h
                )
                for h in fr.head
            ]
        desc = f"{'every frame' if every else f'frame {i}'} request start {t[:60]!r}"
    elif kind == "time_missing":
        for fr in frames if rng.random() < 0.5 else [f]:
            fr.head = [h for h in fr.head if not _time_key(h)]
        desc = "Image request start removed"
    elif kind == "time_all_same":
        t = next((h for h in frames[0].head if _time_key(h)), None)
        for fr in frames:
            fr.head = [t if _time_key(h) else h for h in fr.head]
        desc = "every frame has the first frame's time"
    elif kind == "time_backwards":
        times = [next((h for h in fr.head if _time_key(h)), None) for fr in frames]
        times.reverse()
        for fr, t in zip(frames, times, strict=True):
            fr.head = [t if _time_key(h) else h for h in fr.head]
        desc = "frame times in reverse order"
    elif kind == "dup_frames":
        times = rng.choice([2, 10, 100])
        frames = frames[:i] + [f] * times + frames[i + 1 :]
        desc = f"frame {i} repeated {times}x"
    elif kind == "reverse_frames":
        frames.reverse()
        desc = "frames in reverse order"
    elif kind == "frame_flood":
        n = rng.choice([100_000, 1_000_000])
        keep = [h for h in f.head if _time_key(h) or b"exposure plus" in h.lower()]
        tiny = Frame(keep, b"1 1", b"65535", b"\0\1")
        raw2 = dump(frames[:1]) + tiny.dump() * n
        return raw2, f"{n} frames of 1x1 after the first", flags
    elif kind == "header_flood":
        n = rng.choice([100_000, 2_000_000])
        f.head = f.head + [b'#"Filler key" x'] * n
        desc = f"frame {i} with {n} extra metadata lines"
    elif kind == "long_line":
        n = rng.choice([10 << 20, 200 << 20])
        f.head = [*f.head[:3], b'#"Long" ' + b"A" * n, *f.head[3:]]
        desc = f"frame {i} with one {n >> 20} MiB metadata line"
    elif kind == "truncate_boundary":
        out = dump(frames)
        starts = []
        pos = 0
        for fr in frames:
            starts.append(pos)
            hdr = len(b"\n".join([b"P5", *fr.head, fr.size, fr.maxval])) + 1
            starts += [
                pos + 3,
                pos + hdr - len(fr.maxval) - 1,
                pos + hdr,
                pos + hdr + 1,
                pos + hdr + len(fr.pixels) // 2,
                pos + len(fr.dump()) - 1,
            ]
            pos += len(fr.dump())
        cut = rng.choice(starts)
        return (
            out[:cut],
            f"decompressed content cut at structural offset {cut} of {len(out)}",
            flags,
        )
    elif kind == "drop_metadata_key":
        if f.head:
            k = rng.randrange(len(f.head))
            dropped = f.head.pop(k)
            desc = f"frame {i} metadata line removed: {dropped[:40]!r}"
        else:
            desc = "no-op"
    elif kind == "nonutf8_meta":
        f.head = [h + b" \xff\xfe\xc3" if rng.random() < 0.3 else h for h in f.head]
        desc = f"frame {i} metadata values with invalid UTF-8"
    elif kind == "exposure_value":
        v = rng.choice([b"nan ms", b"inf ms", b"-1 ms", b"1e400 ms", b"ms", b"", b"0 ms"])
        f.head = [
            (h.split(b'"')[0] + b'"' + h.split(b'"')[1] + b'" ' + v)
            if b"exposure plus" in h.lower()
            else h
            for h in f.head
        ]
        desc = f"frame {i} exposure {v!r}"
    elif kind == "nul_bytes":
        f.head = [h.replace(b" ", b"\0", 1) for h in f.head]
        desc = f"frame {i} metadata with NUL bytes"
    elif kind == "short_pixels":
        f.pixels = f.pixels[: rng.randrange(len(f.pixels))]
        desc = f"frame {i} pixel block short"
    elif kind == "extra_pixels":
        f.pixels = f.pixels + rng.randbytes(rng.choice([1, 2, 513]))
        desc = f"frame {i} pixel block with extra bytes"
    elif kind == "site_path":
        v = rng.choice([b"../../etc", b"/etc/passwd", b"gill/../x", b"", b"a" * 5000])
        f.head = [
            (b'#"Site unique ID" ' + v) if h.startswith(b'#"Site unique ID"') else h for h in f.head
        ]
        desc = f"frame {i} site id {v[:30]!r}"
    elif kind == "meta_value":
        keyed = [k for k, h in enumerate(f.head) if h.count(b'"') >= 2]
        v = rng.choice(META_VALUES)
        if keyed:
            k = rng.choice(keyed)
            key = f.head[k].split(b'"')[1]
            f.head[k] = b'#"' + key + b'" ' + v
            desc = f"frame {i} metadata {key[:40]!r} = {v[:40]!r}"
        else:
            desc = "no-op"
    else:  # frames_mixed_size
        f.size = b"128 128"
        f.pixels = f.pixels[: 128 * 128 * 2]
        desc = f"frame {i} is 128x128 among 256x256 frames"
    return dump(frames), desc, flags


def mutate(data: bytes, name: str, rng: random.Random) -> tuple[bytes, str, dict]:
    """One attack on a PGM file: structural (70 %), compression layer, or raw bytes."""
    raw = decompress(data, name)
    r = rng.random()
    if r < 0.6:
        new_raw, desc, flags = structural(raw, rng)
        return compress(new_raw, name), desc, flags
    if r < 0.8 and name.endswith(".gz"):
        out, desc = bytes_mut.gzip_attacks(data, raw, rng)
        return out, desc, {}
    if r < 0.8 and name.endswith(".bz2"):
        gib = rng.choice([1, 4])
        return bytes_mut.zeros_bz2(gib << 30), f"bz2 of {gib} GiB zeros", {}
    if r < 0.9:
        fn = rng.choice(bytes_mut.GENERIC)
        new_raw, desc = fn(raw, rng)
        return compress(new_raw, name), "decompressed: " + desc, {}
    fn = rng.choice(bytes_mut.GENERIC)
    out, desc = fn(data, rng)
    return out, "compressed: " + desc, {}
