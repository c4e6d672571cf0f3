"""Damaged variants of valid files, built structurally per format and at random, with a seed.

Each *format* (:data:`FORMATS`) names a reader, a sample file, the format's own opener and a
first computation. :func:`make_cases` returns ``n`` cases for a format: an undamaged control, an
empty file, a wrong magic, every structural damage kind of the format (one variant each, then more
variants as ``n`` grows), and random damage (truncation, flipped bits, zeroed blocks, absurd
numbers in the header; for compressed files also inside the decompressed content). A case is
built lazily (:meth:`Case.build`) so that 500 variants of a 40 MB file never sit on disk at once.

Structural kinds, as a hostile user or a broken instrument computer would produce them:

* decompression bombs: gigabytes of zeros appended as gzip/bzip2 members to a good file, a PGM
  header claiming 32768x32768 frames, millions of 1x1 PGM frames, 400,000 empty gzip members,
  tar members declaring 8 GiB (and a gzip-compressed tar really holding one), PNGs of 9400²;
* HDF5 files declaring huge shapes or a million frames with matching timestamps, external
  storage pointing at a local file, virtual datasets over missing (or other) files;
* IDL ``.sav`` record chains whose next-record offset loops, points backwards or past the end,
  and declared array sizes made absurd;
* attribute type errors: text ``scale_factor``/``add_offset``/``missing_value``, a char ``lon``,
  text grid attributes, a (2, 2) ``confidence``, a skymap ``VALID_INTERVAL_START`` that is not a
  date, renamed dimensions and datasets;
* times outside what ``datetime64[ns]`` holds (2262-12-31 frames, year 2263 model files) and
  implausible ones (1970, 2199): a case that reads "ok" with such a time is *silently wrong*.

Nothing here uses the project's own damage code: the edits are made with ``gzip``, ``bz2``,
``tarfile``, ``struct``, ``h5py`` and ``netCDF4`` on copies of the sample files.
"""

from __future__ import annotations

import bz2
import fnmatch
import functools
import gzip
import io
import random
import re
import shutil
import struct
import tarfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MIB = 1 << 20
GIB = 1 << 30
#: Zeros per gzip/bzip2 member of a bomb (the bombs are concatenated members).
_BOMB_BLOCK = 64 * MIB


@dataclass(frozen=True)
class Format:
    """One file format met by a reader.

    Attributes:
        name: Format name used in test ids, e.g. ``"pgm-themis"``.
        reader: Registry name of the reader.
        sample: Sample dataset holding the valid file.
        pattern: ``fnmatch`` pattern choosing the file in the sample (the first match).
        opener: The format's own opener, ``"module:function"``.
        compute: First computation after loading (see ``worker.COMPUTE``).
        family: Which structural damage applies (``pgm``, ``png``, ``png-tar``, ``h5asi``,
            ``grid``, ``sav``, ``netcdf``, ``dmap``, ``idl``, ``idl-ascii``, ``lfm``,
            ``rio-text``, ``hsr``, ``omni-text``, ``qd-text``).
        window: Plausible times (ISO dates); a time read outside is silently wrong.
        companion: ``(sample, pattern)`` of a valid file the computation needs (an ASI file
            for a skymap or a calibration), or ``None``.
        cases: Cases of the default run when not the harness's default (more structural kinds).
    """

    name: str
    reader: str
    sample: str
    pattern: str
    opener: str
    compute: str
    family: str
    window: tuple[str, str] = ("1990-01-01", "2100-01-01")
    companion: tuple[str, str] | None = None
    cases: int | None = None


GCM_WINDOW = ("1800-01-01", "2262-04-11")

FORMATS: dict[str, Format] = {
    f.name: f
    for f in [
        Format(
            "pgm-themis", "asi-pgm", "themis-gill", "*.pgm.gz", "geospacexr:open_asi", "asi", "pgm"
        ),
        Format("pgm-rego", "asi-pgm", "rego-gill", "*.pgm.gz", "geospacexr:open_asi", "asi", "pgm"),
        Format(
            "png",
            "asi-png",
            "trex_rgb-gill-burst",
            "*.png.tar",
            "geospacexr:open_asi",
            "asi",
            "png",
        ),
        Format(
            "png-tar",
            "asi-png",
            "trex_rgb-gill-burst",
            "*.png.tar",
            "geospacexr:open_asi",
            "asi",
            "png-tar",
        ),
        Format(
            "h5-rgb", "asi-h5", "trex_rgb-gill", "*_rgb-*.h5", "geospacexr:open_asi", "asi", "h5asi"
        ),
        Format(
            "h5-smile",
            "asi-h5",
            "smile-atha",
            "*_rgb-full.h5",
            "geospacexr:open_asi",
            "asi",
            "h5asi",
        ),
        Format(
            "skymap",
            "asi-skymap",
            "themis-gill-skymap",
            "*skymap*.sav",
            "geospacexr:open_skymap",
            "skymap",
            "sav",
            companion=("themis-gill", "*.pgm.gz"),
        ),
        Format(
            "spect-raw",
            "trex_spect_raw",
            "trex_spect-rabb",
            "*_0600_*_spectra.pgm.gz",
            "geospacexr.io.spectrograph:open_spect_raw",
            "spectrograph-raw",
            "pgm",
            cases=30,
        ),
        Format(
            "spect-l1",
            "trex_spect_l1",
            "trex_spect-rabb",
            "*.h5",
            "geospacexr.io.spectrograph:open_spect_l1",
            "spectrograph",
            "spect-l1",
            cases=30,
        ),
        Format(
            "spect-skymap",
            "asi-skymap",
            "trex_spect-rabb",
            "spect_skymap_*.sav",
            "geospacexr.io.spectrograph:open_spect_skymap",
            "spect-skymap",
            "sav",
            companion=("trex_spect-rabb", "*.h5"),
            cases=30,
        ),
        Format(
            "calibration",
            "asi-calibration",
            "rego-calibration",
            "*_flatfield_*.sav",
            "geospacexr:open_calibration",
            "calibration",
            "sav",
            companion=("rego-gill", "*.pgm.gz"),
        ),
        Format(
            "calibration-rayleighs",
            "asi-calibration",
            "rego-calibration",
            "*_rayleighs_*.sav",
            "geospacexr:open_calibration",
            "calibration",
            "sav",
            companion=("rego-gill", "*.pgm.gz"),
        ),
        Format(
            "grid",
            "asi-grid",
            "themis-grid",
            "*_grid_*.h5",
            "geospacexr:open_asi_grid",
            "grid",
            "grid",
        ),
        Format(
            "tiegcm",
            "gcm-netcdf",
            "tiegcm-5deg",
            "*_prim_*.nc",
            "geospacexr:open_tiegcm",
            "gcm",
            "netcdf",
            GCM_WINDOW,
        ),
        Format(
            "waccmx",
            "gcm-netcdf",
            "waccmx",
            "*.nc",
            "geospacexr:open_waccmx",
            "gcm",
            "netcdf",
            GCM_WINDOW,
        ),
        Format(
            "tiegcm-1.94",
            "gcm-netcdf",
            "tiegcm-1.94",
            "*_prim_*.nc",
            "geospacexr:open_tiegcm",
            "gcm",
            "netcdf",
            GCM_WINDOW,
        ),
        Format(
            "waccmx-cesm2",
            "gcm-netcdf",
            "waccmx-cesm2",
            "*.cam.h1.*.nc",
            "geospacexr:open_waccmx",
            "gcm",
            "netcdf",
            GCM_WINDOW,
        ),
        Format(
            "mage-gamera",
            "mage-gamera",
            "mage-msphere",
            "*.gam.h5",
            "geospacexr:open_gamera",
            "mhd",
            "mage",
            GCM_WINDOW,
            cases=30,
        ),
        Format(
            "mage-remix",
            "mage-remix",
            "mage-remix",
            "*.mix.h5",
            "geospacexr:open_remix",
            "ionosphere",
            "remix",
            GCM_WINDOW,
            cases=30,
        ),
        Format(
            "superdarn-fitacf",
            "superdarn-dmap",
            "superdarn-fitacf",
            "*.fitacf.bz2",
            "geospacexr:open_superdarn",
            "none",
            "dmap",
            ("1983-01-01", "2100-01-01"),  # the reader's io.superdarn_earliest_time: first radar
        ),
        Format(
            "swmf-idl",
            "swmf-idl",
            "swmf-idl",
            "3d__*.out",
            "geospacexr:open_swmf",
            "mhd",
            "idl",
            cases=30,
        ),
        Format(
            "swmf-idl-ascii",
            "swmf-idl",
            "swmf-idl",
            "y=0_*.out",
            "geospacexr:open_swmf",
            "mhd",
            "idl-ascii",
            cases=30,
        ),
        Format(
            "lfm-hdf", "lfm-hdf", "lfm-hdf", "*.hdf", "geospacexr:open_lfm", "mhd", "lfm", cases=30
        ),
        Format(
            "riometer-norstar",
            "riometer-norstar",
            "norstar_rio-gill",
            "norstar_k2_*.txt",
            "geospacexr:open_riometer",
            "riometer",
            "rio-text",
            ("2014-03-08", "2014-03-09"),
            cases=30,
        ),
        Format(
            "omni-hourly",
            "omni",
            "omni-hourly",
            "omni2_*.dat",
            "geospacexr:open_omni",
            "omni",
            "omni-text",
            ("2015-01-01", "2016-01-01"),  # a yearly file: any record of 2015 is plausible
            cases=30,
        ),
        Format(
            "omni-1min",
            "omni",
            "omni-1min",
            "omni_min_*.asc",
            "geospacexr:open_omni",
            "omni",
            "omni-text",
            ("2015-03-01", "2015-04-01"),  # a monthly file
            cases=30,
        ),
        Format(
            "qindenton-5min",
            "qindenton",
            "qindenton-5min",
            "QinDenton_*_5min.txt",
            "geospacexr:open_qindenton",
            "omni",
            "qd-text",
            ("2015-03-17", "2015-03-18"),  # a daily file
            cases=40,
        ),
        Format(
            "ts05-yearly",
            "ts05-yearly",
            "ts05-yearly",
            "*_OMNI_5m_with_TS05_variables.dat",
            "geospacexr:open_ts05_yearly",
            "omni",
            "omni-text",
            ("2015-01-01", "2016-01-01"),  # a yearly file
            cases=30,
        ),
        Format(
            "riometer-hsr",
            "riometer-hsr",
            "swan_hsr-mean",
            "*.h5",
            "geospacexr:open_riometer",
            "riometer",
            "hsr",
            ("2024-02-03", "2024-02-04"),
            cases=30,
        ),
    ]
}


def sample_file(sample: str, pattern: str) -> Path:
    """The first file of a sample dataset matching ``pattern`` (the file itself if not a folder)."""
    from geospacexr import datasets

    path = datasets.sample_path(sample)
    if path.is_file():
        return path
    files = sorted(p for p in path.iterdir() if fnmatch.fnmatch(p.name.lower(), pattern.lower()))
    if not files:
        raise FileNotFoundError(f"sample {sample} has no file matching {pattern}")
    return files[0]


@dataclass
class Case:
    """One damaged variant, built on demand.

    Attributes:
        index: Position in the case list.
        kind: Damage family (``control``, ``random``, ``bomb``, ``time-overflow``...).
        label: What was done, specific enough to rebuild the case by hand.
        make: ``make(folder) -> Path`` writes the file into ``folder`` and returns it.
        refuse: The file must not read "ok" (external storage, virtual dataset...).
        control: The undamaged file: anything but "ok" means the harness is broken.
        openers: Which openers run: ``"both"`` (``geospacexr.open`` and the format's own),
            ``"open"`` or ``"own"`` only.
    """

    index: int
    kind: str
    label: str
    make: Callable[[Path], Path]
    refuse: bool = False
    control: bool = False
    openers: str = "both"

    def build(self, folder: Path) -> Path:
        """Write the case into ``folder`` (created) and return the file to open."""
        folder.mkdir(parents=True, exist_ok=True)
        return self.make(folder)


# --------------------------------------------------------------------------- bytes helpers


def _writer(name: str, content: bytes | Callable[[], bytes]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        data = content() if callable(content) else content
        (folder / name).write_bytes(data)
        return folder / name

    return make


def _compress_like(original: bytes, content: bytes) -> bytes:
    if original.startswith(b"\x1f\x8b"):
        return gzip.compress(content, compresslevel=1, mtime=0)
    if original.startswith(b"BZh"):
        return bz2.compress(content, 1)
    return content


def _decompress(data: bytes) -> bytes | None:
    if data.startswith(b"\x1f\x8b"):
        return gzip.decompress(data)
    if data.startswith(b"BZh"):
        return bz2.decompress(data)
    return None


def random_damage(data: bytes, how: str, rng: random.Random) -> tuple[str, bytes]:
    """Damage bytes: ``truncate``, ``flip``, ``zero`` or ``absurd`` (a header number)."""
    n = len(data)
    if how == "truncate":
        cut = rng.randrange(0, n)
        return f"truncated at {cut}", data[:cut]
    if how == "flip":
        out = bytearray(data)
        k = rng.choice([1, 1, 4, 32])
        for _ in range(k):
            i = rng.randrange(n)
            out[i] ^= 1 << rng.randrange(8)
        return f"{k} flipped bits", bytes(out)
    if how == "zero":
        size = rng.choice([16, 512, 4096, 65536])
        i = rng.randrange(n)
        out = bytearray(data)
        out[i : i + size] = bytes(len(out[i : i + size]))
        return f"zeroed {size} bytes at {i}", bytes(out)
    if how == "absurd":
        head = data[:4096]
        numbers = list(re.finditer(rb"\d+", head))
        if not numbers:
            return "absurd (no number found): truncated", data[: n // 2]
        m = rng.choice(numbers)
        huge = rng.choice([b"4294967295", b"99999999999999999999", b"0", b"-1", b"65536"])
        return (
            f"number {m.group()!r} at {m.start()} -> {huge.decode()}",
            data[: m.start()] + huge + data[m.end() :],
        )
    raise ValueError(how)


@functools.cache
def _zero_member(codec: str) -> bytes:
    """One gzip member / bzip2 stream of :data:`_BOMB_BLOCK` zeros (about 64 KB / 50 bytes)."""
    zeros = bytes(_BOMB_BLOCK)
    if codec == "gz":
        return gzip.compress(zeros, compresslevel=9, mtime=0)
    return bz2.compress(zeros, 9)


def _zeros_bomb(codec: str, nbytes: int) -> bytes:
    return _zero_member(codec) * (nbytes // _BOMB_BLOCK)


# --------------------------------------------------------------------------- PGM


_STAMP = re.compile(rb'(#"Image (?:request|readout) start" )(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)')


def _pgm_frames(raw: bytes) -> list[tuple[int, int]]:
    """(start, end) of each PGM frame in a multi-frame file."""
    frames, pos = [], 0
    while pos < len(raw) and raw.startswith(b"P5", pos):
        m = re.compile(rb"P5\s+((?:#[^\n]*\n)*)\s*(\d+)\s+(\d+)\s+(\d+)\s").match(raw, pos)
        if not m:
            break
        w, h, maxval = int(m.group(2)), int(m.group(3)), int(m.group(4))
        end = m.end() + w * h * (2 if maxval > 255 else 1)
        frames.append((pos, end))
        pos = end
    return frames or [(0, len(raw))]


def pgm_cases(src: Path) -> list[tuple[str, str, Callable[[random.Random], tuple]]]:
    """Structural damage kinds of a (gzip) multi-frame PGM file."""
    data = src.read_bytes()
    name = src.name

    @functools.cache
    def raw() -> bytes:
        return _decompress(data) or data

    def header_dims(rng):
        w, h = rng.choice([(32768, 32768), (65535, 65535), (1, 4000000000), (100000, 100000)])
        r = raw()
        m = re.search(rb"\n(\d+) (\d+)\n(\d+)\n", r)
        content = (
            r[: m.start()]
            + f"\n{w} {h}\n".encode()
            + r[m.start() + len(m.group(0)) - len(m.group(3)) - 1 :]
        )
        keep = rng.choice([None, 2 * MIB])
        content = content if keep is None else content[:keep]
        return (
            f"first frame header claims {w}x{h}" + ("" if keep is None else ", 2 MiB kept"),
            _writer(name, lambda: gzip.compress(content, 1, mtime=0)),
            False,
        )

    def appended_zeros(rng):
        size = rng.choice([6 * GIB, 3 * GIB])
        return (
            f"good file + gzip members of {size // GIB} GiB zeros",
            _writer(name, lambda: data + _zeros_bomb("gz", size)),
            False,
        )

    def bz2_bomb(rng):
        size = rng.choice([6 * GIB, 16 * GIB])
        bzname = name.replace(".pgm.gz", ".pgm.bz2")
        return (
            f"{bzname}: good content + bzip2 streams of {size // GIB} GiB zeros",
            _writer(bzname, lambda: bz2.compress(raw(), 1) + _zeros_bomb("bz2", size)),
            False,
        )

    def tiny_frames(rng):
        minimal = rng.random() < 0.5
        count = rng.choice([4_000_000, 1_000_000]) if minimal else rng.choice([200_000, 50_000])
        frames = _pgm_frames(raw())
        head = raw()[frames[0][0] : frames[0][1]]
        m = re.search(rb"\n(\d+) (\d+)\n(\d+)\n", head)
        one = (b"P5\n1 1\n65535\n" if minimal else head[: m.start()] + b"\n1 1\n65535\n") + b"\0\1"

        def content():
            comp = zlib.compressobj(6, zlib.DEFLATED, 31)
            block = one * 10_000
            parts = [comp.compress(block) for _ in range(count // 10_000)]
            return b"".join(parts) + comp.flush()

        what = "minimal" if minimal else "full-header"
        return f"{count} {what} 1x1 frames", _writer(name, content), False

    def empty_members(rng):
        count = rng.choice([400_000, 100_000])
        return (
            f"good file + {count} empty gzip members",
            _writer(name, lambda: data + gzip.compress(b"", mtime=0) * count),
            False,
        )

    def stamp(value: bytes, label: str):
        def build(rng):
            r = raw()
            frames = _pgm_frames(r)
            k = rng.randrange(len(frames))
            a, b = frames[k]
            frame = _STAMP.sub(lambda m: m.group(1) + value, r[a:b])
            content = r[:a] + frame + r[b:]
            return (
                f"frame {k} stamped {value.decode()} ({label})",
                _writer(name, lambda: gzip.compress(content, 1, mtime=0)),
                False,
            )

        return build

    return [
        ("bomb", "pgm header 32768x32768", header_dims),
        ("bomb", "appended zeros", appended_zeros),
        ("bomb", "bzip2 bomb", bz2_bomb),
        ("bomb", "millions of 1x1 frames", tiny_frames),
        ("bomb", "empty gzip members", empty_members),
        ("time-overflow", "2262-12-31", stamp(b"2262-12-31 23:59:59", "beyond datetime64[ns]")),
        ("time-overflow", "1600-01-01", stamp(b"1600-01-01 00:00:00", "before datetime64[ns]")),
        ("time-implausible", "1970", stamp(b"1970-01-01 00:00:00", "implausible")),
        ("time-implausible", "2199", stamp(b"2199-03-10 06:00:00", "implausible")),
        ("attribute", "time not a date", stamp(b"2014-13-45 25:61:61", "not a date")),
    ]


# --------------------------------------------------------------------------- PNG / tar


def _png_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    pos, out = 8, []
    while pos + 8 <= len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        ctype = png[pos + 4 : pos + 8]
        out.append((ctype, png[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return out


def _png(chunks: list[tuple[bytes, bytes]]) -> bytes:
    out = [b"\x89PNG\r\n\x1a\n"]
    for ctype, body in chunks:
        out.append(struct.pack(">I", len(body)) + ctype + body)
        out.append(struct.pack(">I", zlib.crc32(ctype + body) & 0xFFFFFFFF))
    return b"".join(out)


def _ihdr(width: int, height: int, depth: int = 8, color: int = 2) -> bytes:
    return struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)


@functools.cache
def _big_png(side: int) -> bytes:
    """A real RGB 8-bit PNG of ``side``² black pixels (a few hundred KB)."""
    comp = zlib.compressobj(9)
    row = bytes(1 + side * 3)
    body = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    return _png([(b"IHDR", _ihdr(side, side)), (b"IDAT", body), (b"IEND", b"")])


def _tar_members(path: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(path) as tf:
        return [(m, tf.extractfile(m).read()) for m in tf.getmembers() if m.isfile()]


def _tar(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for name, body in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(body), 1635573900
            tf.addfile(info, io.BytesIO(body))
    return buf.getvalue()


_PNG_STAMP = re.compile(r"^(\d{8})_(\d{6})")


def png_cases(src: Path, single: bool) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of a TREx RGB burst PNG (``single``) or PNG tar."""
    members = _tar_members(src)
    first_name, first = members[0][0].name, members[0][1]
    tar_name = src.name

    def out(content_members: list[tuple[str, bytes]]) -> Callable[[Path], Path]:
        if single:
            mname, body = content_members[0]
            return _writer(mname, body)
        return _writer(tar_name, lambda: _tar(content_members))

    def ihdr(rng):
        side = rng.choice([9400, 32768, 65535, 2**31 - 1])
        chunks = [(t, _ihdr(side, side) if t == b"IHDR" else b) for t, b in _png_chunks(first)]
        return f"IHDR claims {side}x{side}", out([(first_name, _png(chunks))]), False

    def big(rng):
        count = 1 if single else rng.choice([24, 6])
        names = [f"20211030_0605{i:02d}_149606_gill_rgb-04_320ms_burst.png" for i in range(count)]
        return (f"{count} real PNGs of 9400x9400", out([(n, _big_png(9400)) for n in names]), False)

    def stamp(value: str, kind: str):
        def build(rng):
            k = rng.randrange(len(members))
            renamed = [
                (_PNG_STAMP.sub(value, m.name) if i == k else m.name, body)
                for i, (m, body) in enumerate(members)
            ]
            if single:
                renamed = [renamed[k]]
            return f"member {k} named {value} ({kind})", out(renamed), False

        return build

    def declared_huge(rng):
        size = rng.choice([8 * GIB, 2**33 - 1, 64 * GIB])
        info = tarfile.TarInfo(first_name)
        info.size, info.mtime = size, 1635573900
        header = info.tobuf(format=tarfile.GNU_FORMAT)
        return (
            f"tar member declaring {size} bytes, {len(first)} present",
            _writer(tar_name, header + first),
            False,
        )

    def gz_huge(rng):
        size = 8 * GIB
        info = tarfile.TarInfo(first_name)
        info.size, info.mtime = size, 1635573900
        header = info.tobuf(format=tarfile.GNU_FORMAT)

        def content():
            return (
                gzip.compress(header, mtime=0)
                + _zeros_bomb("gz", size)
                + gzip.compress(bytes(1024), mtime=0)
            )

        return "gzip-compressed tar holding one 8 GiB member", _writer(tar_name, content), False

    def many(rng):
        count = rng.choice([20_000, 50_000])
        tiny = _png([(b"IHDR", _ihdr(1, 1)), (b"IDAT", zlib.compress(b"\0\0\0\0")), (b"IEND", b"")])
        names = [
            f"20211030_06{i // 60 % 60:02d}{i % 60:02d}_{i:06d}_gill_rgb-04_320ms_burst.png"
            for i in range(count)
        ]
        return (
            f"tar of {count} 1x1 PNGs",
            _writer(tar_name, lambda: _tar([(n, tiny) for n in names])),
            False,
        )

    kinds = [
        ("bomb", "png IHDR huge", ihdr),
        ("bomb", "png 9400x9400", big),
        ("time-overflow", "2262-12-31", stamp("22621231_235959", "beyond datetime64[ns]")),
        ("time-implausible", "1970", stamp("19700101_000000", "implausible")),
        ("time-implausible", "2199", stamp("21991030_060500", "implausible")),
        ("attribute", "time not a date", stamp("20211345_256161", "not a date")),
    ]
    if not single:
        kinds += [
            ("bomb", "tar member declaring 8 GiB", declared_huge),
            ("bomb", "gzip tar 8 GiB member", gz_huge),
            ("bomb", "many tiny members", many),
        ]
    return kinds


# --------------------------------------------------------------------------- HDF5


def _h5_edit(src: Path, name: str, edit: Callable, *extra) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        import h5py

        dest = folder / name
        shutil.copyfile(src, dest)
        with h5py.File(dest, "r+") as f:
            edit(f, folder, *extra)
        return dest

    return make


def _replace(f, path: str, **kwargs):
    del f[path]
    return f.create_dataset(path, **kwargs)


def _external(dataset: str):
    def build(rng):
        target = rng.choice(["local", "passwd"])

        def edit(f, folder):
            old = f[dataset]
            shape, dtype = old.shape, old.dtype
            nbytes = int(np.prod(shape)) * dtype.itemsize
            if target == "local":
                secret = folder / "secret.bin"
                secret.write_bytes(bytes(range(256)) * (nbytes // 256 + 1))
                ext = [(str(secret), 0, nbytes)]
            else:
                ext = [("/etc/passwd", 0, nbytes)]
            _replace(f, dataset, shape=shape, dtype=dtype, external=ext)

        return f"{dataset} stored externally in {target} file", edit, True

    return build


def _virtual(dataset: str):
    def build(rng):
        missing = rng.random() < 0.7

        def edit(f, folder):
            import h5py

            old = f[dataset]
            shape, dtype = old.shape, old.dtype
            source = folder / ("missing.h5" if missing else "other.h5")
            if not missing:
                with h5py.File(source, "w") as g:
                    g.create_dataset("x", data=np.full(shape, 7, dtype=dtype))
            layout = h5py.VirtualLayout(shape=shape, dtype=dtype)
            layout[...] = h5py.VirtualSource(str(source), "x", shape=shape)
            del f[dataset]
            f.create_virtual_dataset(dataset, layout, fillvalue=0)

        what = "a missing file" if missing else "another local file"
        return f"{dataset} a virtual dataset over {what}", edit, True

    return build


def _attr(path: str, key: str, values: list):
    def build(rng):
        value = rng.choice(values)

        def edit(f, folder):
            f[path].attrs[key] = value

        return f"{path} attribute {key} = {value!r}", edit, False

    return build


def h5asi_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of a TREx RGB / SMILE HDF5 file."""
    import h5py

    with h5py.File(src, "r") as f:
        shape = f["data/images"].shape
        stamps = f["data/timestamp"][:]
        frame_attrs = dict(f["metadata/frame/frame0"].attrs)
    stamp_key = next(k for k in frame_attrs if "start" in k)
    tail = stamps[0][19:]  # fractional seconds and " UTC"

    def frames(rng):
        count = rng.choice([1_000_000, 200_000])

        def edit(f, folder):
            h, w, c, _ = shape
            _replace(
                f,
                "data/images",
                shape=(h, w, c, count),
                dtype="u1",
                chunks=(h, w, c, 1),
                compression="gzip",
            )
            t0 = np.datetime64(stamps[0][:19].decode().replace(" ", "T"), "s")
            times = np.datetime_as_string(t0 + np.arange(count) * np.timedelta64(1, "s"))
            text = np.char.add(np.char.replace(times, "T", " ").astype("S19"), tail)
            _replace(
                f, "data/timestamp", data=text, chunks=(min(count, 65536),), compression="gzip"
            )

        return f"{count} frames declared with matching timestamps", edit, False

    def huge_shape(rng):
        side = rng.choice([32768, 100000])

        def edit(f, folder):
            _replace(
                f,
                "data/images",
                shape=(side, side, 3, shape[3]),
                dtype="u1",
                chunks=(512, 512, 3, 1),
                compression="gzip",
            )

        return f"images declared {side}x{side}", edit, False

    def stamp(value: str, label: str):
        def build(rng):
            k = rng.randrange(len(stamps))

            def edit(f, folder):
                ts = f["data/timestamp"][:]
                ts[k] = value.encode() + ts[k][19:]
                f["data/timestamp"][:] = ts
                f[f"metadata/frame/frame{k}"].attrs[stamp_key] = value + tail.decode()

            return f"frame {k} stamped {value} ({label})", edit, False

        return build

    def rename(rng):
        old, new = rng.choice(
            [
                ("data/images", "data/imagez"),
                ("data/timestamp", "data/times"),
                ("metadata/frame", "metadata/frames"),
            ]
        )

        def edit(f, folder):
            f.move(old, new)

        return f"{old} renamed {new}", edit, False

    def retype(rng):
        what = rng.choice(["images float64", "images 3-d", "timestamp float", "timestamp 2-d"])

        def edit(f, folder):
            if what == "images float64":
                _replace(f, "data/images", shape=shape, dtype="f8", chunks=(*shape[:3], 1))
            elif what == "images 3-d":
                _replace(f, "data/images", shape=shape[:3], dtype="u1")
            elif what == "timestamp float":
                _replace(f, "data/timestamp", data=np.arange(len(stamps), dtype="f8"))
            else:
                _replace(f, "data/timestamp", data=np.stack([stamps, stamps]))

        return f"{what}", edit, False

    meta = "metadata/file"
    kinds = [
        ("bomb", "million frames", frames),
        ("bomb", "huge declared shape", huge_shape),
        ("hdf5-external", "external storage", _external("data/images")),
        ("hdf5-virtual", "virtual dataset", _virtual("data/images")),
        ("time-overflow", "2262-12-31", stamp("2262-12-31 23:59:59", "beyond datetime64[ns]")),
        ("time-implausible", "1970", stamp("1970-01-01 00:00:00", "implausible")),
        ("time-implausible", "2199", stamp("2199-10-30 06:05:00", "implausible")),
        ("attribute", "time not a date", stamp("2021-13-45 25:61:61", "not a date")),
        (
            "attribute",
            "geodetic text",
            _attr(meta, "geodetic_latitude", ["north", "", "1e999", "nan"]),
        ),
        (
            "attribute",
            "geodetic array",
            _attr(meta, "geodetic_longitude", [np.zeros((2, 2)), np.array([b"a", b"b"])]),
        ),
        (
            "attribute",
            "exposure text",
            _attr(
                "metadata/frame/frame0",
                "image_effective_exposure",
                ["long ms", "-1 ms", "1e400 ms", np.ones(3)],
            ),
        ),
        ("renamed", "renamed dataset", rename),
        ("attribute", "dataset type or shape", retype),
    ]
    return [(k, lab, _h5_wrap(src, b)) for k, lab, b in kinds]


def spect_l1_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of a TREx spectrograph L1 HDF5 file."""
    import h5py

    with h5py.File(src, "r") as f:
        shape = f["data/spectra"].shape
        stamps = f["data/timestamp"][:]

    def frames(rng):
        count = rng.choice([1_000_000, 200_000])

        def edit(f, folder):
            w, s, _ = shape
            _replace(
                f,
                "data/spectra",
                shape=(w, s, count),
                dtype="f4",
                chunks=(w, s, 1),
                compression="gzip",
            )
            t0 = np.datetime64(stamps[0][:19].decode().replace(" ", "T"), "s")
            times = np.datetime_as_string(t0 + np.arange(count) * np.timedelta64(1, "s"))
            text = np.char.add(np.char.replace(times, "T", " ").astype("S19"), b" UTC")
            _replace(
                f, "data/timestamp", data=text, chunks=(min(count, 65536),), compression="gzip"
            )

        return f"{count} spectra declared with matching timestamps", edit, False

    def stamp(value: str, label: str):
        def build(rng):
            k = rng.randrange(len(stamps))

            def edit(f, folder):
                ts = f["data/timestamp"][:]
                ts[k] = value.encode() + ts[k][19:]
                f["data/timestamp"][:] = ts

            return f"spectrum {k} stamped {value} ({label})", edit, False

        return build

    def rename(rng):
        old, new = rng.choice(
            [
                ("data/spectra", "data/spectrum"),
                ("data/timestamp", "data/times"),
                ("data/wavelength", "data/lambda"),
            ]
        )

        def edit(f, folder):
            f.move(old, new)

        return f"{old} renamed {new}", edit, False

    def retype(rng):
        what = rng.choice(
            [
                "spectra int",
                "spectra 2-d",
                "wavelength reversed",
                "wavelength 2-d",
                "timestamp float",
            ]
        )

        def edit(f, folder):
            if what == "spectra int":
                _replace(f, "data/spectra", shape=shape, dtype="u2", chunks=(*shape[:2], 1))
            elif what == "spectra 2-d":
                _replace(f, "data/spectra", shape=shape[:2], dtype="f4")
            elif what == "wavelength reversed":
                w = f["data/wavelength"][()]
                f["data/wavelength"][...] = w[::-1]
            elif what == "wavelength 2-d":
                w = f["data/wavelength"][()]
                _replace(f, "data/wavelength", data=np.stack([w, w]))
            else:
                _replace(f, "data/timestamp", data=np.arange(len(stamps), dtype="f8"))

        return what, edit, False

    meta = "metadata/file"
    kinds = [
        ("bomb", "million spectra", frames),
        ("hdf5-external", "external storage", _external("data/spectra")),
        ("hdf5-virtual", "virtual dataset", _virtual("data/spectra")),
        ("time-overflow", "2262-12-31", stamp("2262-12-31 23:59:59", "beyond datetime64[ns]")),
        ("time-implausible", "1970", stamp("1970-01-01 00:00:00", "implausible")),
        ("attribute", "time not a date", stamp("2021-13-45 25:61:61", "not a date")),
        (
            "attribute",
            "latitude text",
            _attr(meta, "geographic_latitude", ["north", "", "1e999", np.zeros((2, 2))]),
        ),
        ("renamed", "renamed dataset", rename),
        ("attribute", "dataset type or shape", retype),
    ]
    return [(k, lab, _h5_wrap(src, b)) for k, lab, b in kinds]


def _h5_wrap(src: Path, builder: Callable) -> Callable:
    def build(rng):
        label, edit, refuse = builder(rng)
        return label, _h5_edit(src, src.name, edit), refuse

    return build


def grid_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of a MOSv001 grid HDF5 file."""
    import h5py

    with h5py.File(src, "r") as f:
        shape = f["data/grid"].shape
        stamps = [s.decode() if isinstance(s, bytes) else s for s in f["data/timestamp"][:]]
    meta = "metadata/file"

    def text(key: str):
        return _attr(
            meta,
            key,
            ["none", "", "abc", "1e999", "nan", np.zeros((2, 2)), np.float64(0.0), np.int64(-5)],
        )

    def confidence(rng):
        new = rng.choice([(2, 2), (1,), shape[:2]])

        def edit(f, folder):
            _replace(f, "data/source_info/confidence", data=np.zeros(new, "f4"))

        return f"confidence shape {new}", edit, False

    def stamp(value: str, label: str):
        def build(rng):
            k = rng.randrange(len(stamps))

            def edit(f, folder):
                ts = list(stamps)
                ts[k] = value + " UTC"
                _replace(
                    f, "data/timestamp", data=np.array(ts, dtype=object), dtype=h5py.string_dtype()
                )

            return f"frame {k} stamped {value} ({label})", edit, False

        return build

    def huge_shape(rng):
        side = rng.choice([(65536, 131072), (512, 1024 * 1024)])

        def edit(f, folder):
            _replace(
                f,
                "data/grid",
                shape=(*side, shape[2]),
                dtype="f4",
                chunks=(32, 128, 3),
                compression="gzip",
            )

        return f"grid declared {side}", edit, False

    def resolution(rng):
        value = rng.choice(["1000000", "-1", "0", "512.5"])
        key = rng.choice(["grid_resolution_height", "grid_resolution_width"])

        def edit(f, folder):
            f[meta].attrs[key] = value

        return f"{key} = {value!r}", edit, False

    def rename(rng):
        old, new = rng.choice(
            [
                ("data/grid", "data/grids"),
                ("data/timestamp", "data/times"),
                ("data/source_info/confidence", "data/source_info/conf"),
            ]
        )

        def edit(f, folder):
            f.move(old, new)

        return f"{old} renamed {new}", edit, False

    kinds = [
        ("attribute", "fill_value", text("fill_value")),
        ("attribute", "min_latitude", text("min_latitude")),
        ("attribute", "degrees_per_grid_cell", text("degrees_per_grid_cell")),
        ("attribute", "altitude_km", text("altitude_km")),
        ("attribute", "confidence shape", confidence),
        ("attribute", "grid resolution", resolution),
        ("bomb", "huge declared grid", huge_shape),
        ("hdf5-external", "external storage", _external("data/grid")),
        ("hdf5-virtual", "virtual dataset", _virtual("data/grid")),
        ("time-overflow", "2262-12-31", stamp("2262-12-31 23:59:59", "beyond datetime64[ns]")),
        ("time-implausible", "1970", stamp("1970-01-01 00:00:00", "implausible")),
        ("attribute", "time not a date", stamp("2014-13-45 25:61:61", "not a date")),
        ("renamed", "renamed dataset", rename),
    ]
    return [(k, lab, _h5_wrap(src, b)) for k, lab, b in kinds]


# --------------------------------------------------------------------------- IDL .sav


def sav_records(data: bytes) -> list[tuple[int, int]]:
    """(offset, record type) of each record of an uncompressed IDL save file."""
    out, pos = [], 4
    seen = set()
    while pos + 12 <= len(data) and pos not in seen:
        seen.add(pos)
        rectype, low, high = struct.unpack(">III", data[pos : pos + 12])
        out.append((pos, rectype))
        if rectype == 6:  # END_MARKER
            break
        nxt = (high << 32) | low
        if nxt <= pos:
            break
        pos = nxt
    return out


def sav_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of an IDL ``.sav`` skymap or calibration file."""
    data = src.read_bytes()
    records = sav_records(data)
    name = src.name
    # VARIABLE records (type 2) are where readsav allocates; HEADER-ish ones come first
    variables = [r for r in records if r[1] == 2] or records

    def pointer(target: str):
        def build(rng):
            i = rng.randrange(len(records) - 1)
            if target == "variable" or target == "self-variable":
                i = records.index(rng.choice(variables))
            off = records[i][0]
            if target in ("self", "self-variable"):
                new = off
            elif target == "backward":
                new = records[rng.randrange(0, i + 1)][0] if i else 4
            elif target == "zero":
                new = 0
            elif target == "past end":
                new = len(data) + rng.choice([1, 4096, 2**31])
            else:  # misaligned: a few bytes forward into the same record
                new = off + rng.choice([1, 4, 12])
            out = bytearray(data)
            out[off + 4 : off + 12] = struct.pack(">II", new & 0xFFFFFFFF, new >> 32)
            return (
                f"record {i} (type {records[i][1]}) at {off}: next -> {new} ({target})",
                _writer(name, bytes(out)),
                False,
            )

        return build

    def dims(rng):
        values = [v for v in (256, 257, 512, 3) if struct.pack(">i", v) in data]
        v = rng.choice(values)
        spots = [m.start() for m in re.finditer(re.escape(struct.pack(">i", v)), data)]
        spot = rng.choice(spots)
        huge = rng.choice([2**31 - 1, 2**30, -1, 0])
        out = bytearray(data)
        out[spot : spot + 4] = struct.pack(">i", huge)
        return f"int32 {v} at {spot} -> {huge}", _writer(name, bytes(out)), False

    date = re.search(rb"(?<![0-9])(20\d{8})(?![0-9])", data)

    def interval(value: bytes, label: str):
        def build(rng):
            out = data[: date.start()] + value + data[date.end() :]
            return (
                f"{date.group().decode()} at {date.start()} -> {value.decode()} ({label})",
                _writer(name, out),
                False,
            )

        return build

    def renamed(value: str, label: str):
        def build(rng):
            new = re.sub(r"(?<![0-9])20\d{6}", value, name, count=1)
            return f"file named {new} ({label})", _writer(new, data), False

        return build

    dated = [
        ("attribute", "VALID_INTERVAL_START not a date", interval(b"XXXXXXXXXX", "not a date")),
        ("attribute", "VALID_INTERVAL_START month 13", interval(b"2014130100", "not a date")),
        ("time-overflow", "interval 2262", interval(b"2262123100", "beyond datetime64[ns]")),
        ("time-implausible", "interval 1970", interval(b"1970010100", "implausible")),
    ]
    return [
        ("looping-record", "next offset to itself", pointer("self")),
        ("looping-record", "variable record to itself", pointer("self-variable")),
        ("looping-record", "next offset backward", pointer("backward")),
        ("looping-record", "next offset zero", pointer("zero")),
        ("looping-record", "next offset past end", pointer("past end")),
        ("looping-record", "next offset misaligned", pointer("misaligned")),
        ("bomb", "declared array size", dims),
        *(dated if date is not None else []),
        ("time-overflow", "file name 2263", renamed("22630101", "beyond datetime64[ns]")),
        ("time-implausible", "file name 2199", renamed("21990101", "implausible")),
    ]


# --------------------------------------------------------------------------- netCDF


@functools.cache
def netcdf4_copy(src: Path, folder: Path) -> Path:
    """A netCDF-4 (HDF5, compressed, chunked) copy of a netCDF-3 file, made once."""
    import netCDF4

    dest = folder / f"nc4-{src.name}"
    if dest.exists():
        return dest
    tmp = dest.with_suffix(".tmp")
    with netCDF4.Dataset(src) as a, netCDF4.Dataset(tmp, "w", format="NETCDF4") as b:
        b.setncatts({k: a.getncattr(k) for k in a.ncattrs()})
        for name, dim in a.dimensions.items():
            b.createDimension(name, None if dim.isunlimited() else len(dim))
        for name, var in a.variables.items():
            fill = var.getncattr("_FillValue") if "_FillValue" in var.ncattrs() else None
            new = b.createVariable(
                name, var.dtype, var.dimensions, zlib=var.ndim > 1, complevel=1, fill_value=fill
            )
            new.setncatts({k: var.getncattr(k) for k in var.ncattrs() if k != "_FillValue"})
            var.set_auto_maskandscale(False)
            new.set_auto_maskandscale(False)
            new[...] = var[...]
    tmp.rename(dest)
    return dest


def _nc_edit(src: Path, name: str, edit: Callable) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        import netCDF4

        dest = folder / name
        shutil.copyfile(src, dest)
        with netCDF4.Dataset(dest, "r+") as d:
            d.set_auto_maskandscale(False)
            edit(d)
        return dest

    return make


def netcdf_cases(src: Path, nc4: Path | None) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of a TIE-GCM or WACCM-X history file (netCDF-3 and -4)."""
    import netCDF4

    with netCDF4.Dataset(src) as d:
        names = set(d.variables)
        dims4 = [v for v, var in d.variables.items() if var.ndim == 4]
        time_units = d.variables["time"].getncattr("units")
        tiegcm = "mtime" in names
    main = "TN" if "TN" in names else dims4[0]

    def wrap(builder):
        def build(rng):
            base = nc4 if nc4 is not None and rng.random() > 0.7 else src
            label, edit = builder(rng)
            suffix = " [netCDF-4 copy]" if base is not src else ""
            return label + suffix, _nc_edit(base, src.name, edit), False

        return build

    def attr(key: str, values: list):
        def builder(rng):
            var, value = rng.choice(dims4), rng.choice(values)

            def edit(d):
                d.variables[var].setncattr(key, value)

            return f"{var}.{key} = {value!r}", edit

        return builder

    def char_coord(rng):
        coord = rng.choice(["lon", "lat", "lev"])

        def edit(d):
            d.renameVariable(coord, coord + "_orig")
            d.createDimension("nchar_x", 8)
            v = d.createVariable(coord, "S1", (coord, "nchar_x"))
            v[:] = netCDF4.stringtochar(
                np.array([f"{i:8d}" for i in range(len(d.dimensions[coord]))], dtype="S8")
            )

        return f"char-typed {coord}", edit

    def rename_dim(rng):
        old = rng.choice(["ilev", "lev", "lat", "lon", "time"])
        new = old + "_x"

        def edit(d):
            d.renameDimension(old, new)

        return f"dimension {old} renamed {new}", edit

    def rename_var(rng):
        old = rng.choice(sorted({"Z", "ZG", "lev", "ilev", "time", main} & names))

        def edit(d):
            d.renameVariable(old, old + "_x")

        return f"variable {old} renamed {old}_x", edit

    def time_units_to(units: str, label: str):
        def builder(rng):
            def edit(d):
                d.variables["time"].setncattr("units", units)

            return f"time units {units!r} ({label})", edit

        return builder

    def time_values(values: list, label: str):
        def builder(rng):
            value = rng.choice(values)

            def edit(d):
                t = d.variables["time"]
                t[0] = value

            return f"time[0] = {value} ({label})", edit

        return builder

    def year(value: int, label: str):
        def builder(rng):
            def edit(d):
                if tiegcm:
                    d.variables["year"][:] = value
                    d.variables["time"].setncattr("initial_year", np.int32(value))
                    d.variables["time"].setncattr("units", f"seconds since {value}-3-21 0:0:0")
                else:
                    d.variables["date"][:] = value * 10000 + 321
                    d.variables["time"].setncattr("units", f"days since {value}-01-01 00:00:00")

            return f"year {value} ({label})", edit

        return builder

    def huge_dim(rng):
        # netCDF-3 header: name length, name padded to 4 bytes, then the dimension length
        dim = rng.choice(["lon", "lat"])
        size = rng.choice([2**31 - 1, 2**24])

        def make(folder: Path) -> Path:
            data = bytearray(src.read_bytes())
            with netCDF4.Dataset(src) as d:
                n = len(d.dimensions[dim])
            key = struct.pack(">i", len(dim)) + dim.encode() + b"\0" * (-len(dim) % 4)
            at = data.find(key + struct.pack(">i", n))
            if at >= 0:
                at += len(key)
                data[at : at + 4] = struct.pack(">i", size)
            (folder / src.name).write_bytes(bytes(data))
            return folder / src.name

        return f"dimension {dim} declared {size} in the header", make, False

    overflow_units = time_units.split(" since ")[0] + " since 2263-01-01 00:00:00"
    kinds = [
        ("attribute", "text scale_factor", wrap(attr("scale_factor", ["abc", "1.5", ""]))),
        ("attribute", "text add_offset", wrap(attr("add_offset", ["abc", "10", ""]))),
        ("attribute", "text missing_value", wrap(attr("missing_value", ["none", "1e36", ""]))),
        ("attribute", "array scale_factor", wrap(attr("scale_factor", [np.ones(3), "nan"]))),
        ("attribute", "char coordinate", wrap(char_coord)),
        ("renamed", "renamed dimension", wrap(rename_dim)),
        ("renamed", "renamed variable", wrap(rename_var)),
        ("time-overflow", "year 2263", wrap(year(2263, "beyond datetime64[ns]"))),
        (
            "time-overflow",
            "units since 2263",
            wrap(time_units_to(overflow_units, "beyond datetime64[ns]")),
        ),
        (
            "time-overflow",
            "huge time value",
            wrap(time_values([1e30, 9.2e18, -1e30], "beyond datetime64[ns]")),
        ),
        (
            "attribute",
            "time units not a date",
            wrap(time_units_to("seconds since never", "not a date")),
        ),
        ("attribute", "time NaN", wrap(time_values([np.nan, np.inf], "not a time"))),
        ("bomb", "huge declared dimension", lambda rng: huge_dim(rng)),
    ]
    return kinds


# --------------------------------------------------------------------------- cases


def structural_kinds(fmt: Format, src: Path, scratch: Path) -> list[tuple[str, str, Callable]]:
    """The structural damage kinds of ``fmt`` (``(kind, name, build(rng))``)."""
    mhd = {"idl": idl_cases, "idl-ascii": idl_ascii_cases, "lfm": lfm_cases}
    if fmt.family in mhd:  # SWMF and LFM (first: the MAGE families are added at the end)
        return mhd[fmt.family](src)
    if fmt.family == "pgm":
        return pgm_cases(src)
    if fmt.family in ("png", "png-tar"):
        return png_cases(src, single=fmt.family == "png")
    if fmt.family == "h5asi":
        return h5asi_cases(src)
    if fmt.family == "grid":
        return grid_cases(src)
    if fmt.family == "spect-l1":
        return spect_l1_cases(src)
    if fmt.family == "sav":
        return sav_cases(src)
    if fmt.family == "netcdf":
        return netcdf_cases(src, netcdf4_copy(src, scratch))
    if fmt.family == "dmap":
        return dmap_cases(src)
    if fmt.family in ("rio-text", "hsr"):
        from .rio_damage import hsr_cases, norstar_cases

        return norstar_cases(src) if fmt.family == "rio-text" else hsr_cases(src)
    if fmt.family == "omni-text":
        from .omni_damage import omni_cases

        return omni_cases(src)
    if fmt.family == "qd-text":
        from .omni_damage import omni_cases, qindenton_cases

        return omni_cases(src) + qindenton_cases(src)
    if fmt.family in ("mage", "remix"):
        from .mage_damage import gamera_cases, remix_cases

        return gamera_cases(src) if fmt.family == "mage" else remix_cases(src)
    return []


def _base_bytes(fmt: Format, src: Path) -> tuple[str, bytes]:
    """The file name and bytes that random damage starts from."""
    if fmt.family == "png":
        member, body = _tar_members(src)[0]
        return member.name, body
    return src.name, src.read_bytes()


class _First(random.Random):
    """The first pass over the structural kinds takes each kind's first (canonical) choice."""

    def choice(self, seq):
        return seq[0]

    def random(self) -> float:
        return 0.0


def make_cases(fmt: Format, src: Path, n: int, seed: int, scratch: Path) -> list[Case]:
    """``n`` cases for ``fmt`` built from the valid file ``src`` (deterministic for a seed).

    The list starts with an undamaged control, then every structural kind once (in order, with
    each kind's canonical parameters: the sizes of the issue), an empty file and a wrong magic;
    then further structural variants (new random parameters, about 40 %) and random byte damage.

    Args:
        fmt: The format.
        src: A valid file of the format.
        n: Number of cases.
        seed: Random seed.
        scratch: A folder for files made once per session (netCDF-4 copies).

    Returns:
        The cases; nothing is written until :meth:`Case.build`.
    """
    rng = random.Random(seed)
    name, data = _base_bytes(fmt, src)
    kinds = structural_kinds(fmt, src, scratch)
    nc4 = netcdf4_copy(src, scratch) if fmt.family == "netcdf" else None
    specs: list[tuple[str, str, Callable[[Path], Path], bool, bool]] = [
        ("control", "undamaged file", _writer(name, data), False, True),
    ]
    for kind, _, build in kinds:
        label, make, refuse = build(_First(rng.random()))
        specs.append((kind, label, make, refuse, False))
    specs += [
        ("random", "empty file", _writer(name, b""), False, False),
        ("random", "wrong magic", _writer(name, b"XXXX" + data[4:]), False, False),
    ]
    random_kinds = ["truncate", "flip", "zero", "absurd"]
    compressed = data[:3] in (b"\x1f\x8b\x08", b"BZh")
    i = 0
    while len(specs) < n:
        i += 1
        case_rng = random.Random(rng.random())
        if kinds and case_rng.random() < 0.4:
            kind, _, build = kinds[case_rng.randrange(len(kinds))]
            label, make, refuse = build(case_rng)
            specs.append((kind, label, make, refuse, False))
            continue
        how = random_kinds[i % len(random_kinds)]
        if nc4 is not None and case_rng.random() < 0.4:
            specs.append(
                (
                    "random",
                    f"[netCDF-4 copy] {how}",
                    _random_file(nc4, name, how, case_rng.random()),
                    False,
                    False,
                )
            )
        elif compressed and case_rng.random() < 0.5:
            specs.append(
                (
                    "random",
                    f"inner {how}",
                    _random_inner(name, data, how, case_rng.random()),
                    False,
                    False,
                )
            )
        else:
            specs.append(
                ("random", how, _random_bytes(name, data, how, case_rng.random()), False, False)
            )
    return [
        Case(i, kind, label, make, refuse=refuse, control=control)
        for i, (kind, label, make, refuse, control) in enumerate(specs[:n])
    ]


def _random_bytes(name: str, data: bytes, how: str, seed: float) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        label, damaged = random_damage(data, how, random.Random(seed))
        (folder / name).write_bytes(damaged)
        (folder / "LABEL").write_text(label)
        return folder / name

    return make


def _random_inner(name: str, data: bytes, how: str, seed: float) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        inner = _decompress(data)
        label, damaged = random_damage(inner, how, random.Random(seed))
        (folder / name).write_bytes(_compress_like(data, damaged))
        (folder / "LABEL").write_text("inner " + label)
        return folder / name

    return make


def _random_file(path: Path, name: str, how: str, seed: float) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        label, damaged = random_damage(path.read_bytes(), how, random.Random(seed))
        (folder / name).write_bytes(damaged)
        (folder / "LABEL").write_text("[netCDF-4 copy] " + label)
        return folder / name

    return make


# --------------------------------------------------------------------------- SuperDARN DMAP

#: Records of the sample kept for the structural DMAP cases (small files, quick to damage).
_DMAP_HEAD_RECORDS = 48


def dmap_records(data: bytes) -> list[tuple[int, int, int, int]]:
    """``(offset, size, nscalars, narrays)`` of each record of uncompressed DMAP content."""
    out, pos = [], 0
    while pos + 16 <= len(data):
        _code, size, nscalars, narrays = struct.unpack_from("<iiii", data, pos)
        if size < 16:
            break
        out.append((pos, size, nscalars, narrays))
        pos += size
    return out


def _dmap_fields(data: bytes, offset: int, nscalars: int, narrays: int) -> list[tuple]:
    """``(kind, name, type_offset, type_key)`` of a record's fields (arrays: also dims offset)."""
    sizes = {1: 1, 2: 2, 3: 4, 4: 4, 8: 8, 10: 8, 16: 1, 17: 2, 18: 4, 19: 8}
    pos, out = offset + 16, []
    for _ in range(nscalars):
        nul = data.index(b"\0", pos)
        name, key = data[pos:nul].decode("latin-1"), data[nul + 1]
        out.append(("scalar", name, nul + 1, key))
        pos = data.index(b"\0", nul + 2) + 1 if key == 9 else nul + 2 + sizes[key]
    for _ in range(narrays):
        nul = data.index(b"\0", pos)
        name, key = data[pos:nul].decode("latin-1"), data[nul + 1]
        ndim = struct.unpack_from("<i", data, nul + 2)[0]
        dims = struct.unpack_from(f"<{ndim}i", data, nul + 6)
        out.append(("array", name, nul + 1, key))
        pos = nul + 6 + 4 * ndim + int(np.prod(dims, dtype=np.int64)) * sizes[key]
    return out


def dmap_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of a SuperDARN DMAP file (plain or bzip2).

    Each case damages one record of the sample's first :data:`_DMAP_HEAD_RECORDS` records (the
    canonical choice: record 1, so a reader in lax mode keeps record 0 and may resume after the
    damage) and writes them plain, or bzip2 again for some random variants.
    """
    raw = src.read_bytes()
    compressed = raw.startswith(b"BZh")
    full = bz2.decompress(raw) if compressed else raw
    records = dmap_records(full)
    head = full[: sum(r[1] for r in records[:_DMAP_HEAD_RECORDS])]
    records = records[:_DMAP_HEAD_RECORDS]
    plain = src.name.removesuffix(".bz2")

    def pick(rng) -> int:
        return rng.choice([1, 0, 2, len(records) - 1, len(records) // 2])

    def out(rng, label: str, content: bytes):
        z = rng.choice([False, True])
        if z:
            return f"{label} (bzip2)", _writer(plain + ".bz2", lambda: bz2.compress(content, 1))
        return label, _writer(plain, content)

    def put(i: int, at: int, fmt: str, value: int) -> bytes:
        body = bytearray(head)
        struct.pack_into(fmt, body, records[i][0] + at, value)
        return bytes(body)

    def header(field: int, what: str, choices: list[int]):
        def build(rng):
            i, value = pick(rng), rng.choice(choices)
            label, make = out(rng, f"record {i}: {what} -> {value}", put(i, 4 * field, "<i", value))
            return label, make, False

        return build

    def field_of(i: int, kind: str, rng, key: int | None = None):
        off, _size, ns, na = records[i]
        fields = [f for f in _dmap_fields(head, off, ns, na) if f[0] == kind]
        if key is not None:
            fields = [f for f in fields if f[3] == key] or fields
        return rng.choice(fields)

    def type_byte(kind: str, choices: list[int]):
        def build(rng):
            i = pick(rng)
            _, name, at, key = field_of(i, kind, rng)
            value = rng.choice(choices)
            body = bytearray(head)
            body[at] = value
            label, make = out(
                rng, f"record {i}: {kind} {name!r} type {key} -> {value}", bytes(body)
            )
            return label, make, False

        return build

    def array_dims(which: str):
        def build(rng):
            i = pick(rng)
            _, name, at, _key = field_of(i, "array", rng)
            if which == "ndim":
                value, where = rng.choice([2**31 - 1, 0, -1, 9]), at + 1
            else:
                value, where = rng.choice([2**31 - 1, 2**30, -1, 65536]), at + 5
            body = bytearray(head)
            struct.pack_into("<i", body, where, value)
            label, make = out(rng, f"record {i}: array {name!r} {which} -> {value}", bytes(body))
            return label, make, False

        return build

    def truncated(rng):
        i = pick(rng)
        off, size, _, _ = records[i]
        cut = off + rng.choice([size // 2, 3, 17, size - 1])
        label, make = out(rng, f"cut at byte {cut} (inside record {i})", head[:cut])
        return label, make, False

    def no_nul(rng):
        i = pick(rng)
        _, name, at, _key = field_of(i, "scalar", rng, key=9)
        off, size, _, _ = records[i]
        body = bytearray(head)
        body[at + 1 : off + size] = b"A" * (off + size - at - 1)
        label, make = out(rng, f"record {i}: string {name!r} without its NUL", bytes(body))
        return label, make, False

    def slist_gates(rng):
        i = pick(rng)
        off, _size, ns, na = records[i]
        at = next(f[2] for f in _dmap_fields(head, off, ns, na) if f[1] == "slist")
        value = rng.choice([32767, -5, 75])
        label, make = out(
            rng, f"record {i}: first slist gate -> {value}", put(i, at + 9 - off, "<h", value)
        )
        return label, make, False

    def bomb(rng):
        size = rng.choice([6 * GIB, 16 * GIB])
        return (
            f"{plain}.bz2: good records + bzip2 streams of {size // GIB} GiB zeros",
            _writer(plain + ".bz2", lambda: bz2.compress(head, 1) + _zeros_bomb("bz2", size)),
            False,
        )

    return [
        ("looping-record", "record size 0 (self-looping)", header(1, "size", [0])),
        ("looping-record", "record size negative", header(1, "size", [-1, -16, -(2**31)])),
        ("looping-record", "record size huge", header(1, "size", [2**31 - 1, 2**30])),
        ("looping-record", "record size too small", header(1, "size", [16, 1, 15, 20])),
        ("counts", "scalar count absurd", header(2, "scalar count", [2**31 - 1, -1, 10**6])),
        ("counts", "array count absurd", header(3, "array count", [2**31 - 1, -1, 10**6])),
        ("bomb", "array dims absurd", array_dims("dim")),
        ("dims", "array ndim absurd", array_dims("ndim")),
        ("type", "scalar type byte invalid", type_byte("scalar", [0, 5, 127, 255, 11])),
        ("type", "array type byte invalid", type_byte("array", [9, 0, 255, 6])),
        ("truncated", "cut inside a record", truncated),
        ("string", "string without NUL", no_nul),
        ("gates", "slist gate out of range", slist_gates),
        ("bomb", "bzip2 bomb", bomb),
    ]


# --------------------------------------------------------------------------- SWMF IDL, LFM HDF4


def idl_records(data: bytes) -> list[tuple[int, int]]:
    """``(offset, payload length)`` of each Fortran record of a little-endian IDL file."""
    out, pos = [], 0
    while pos + 4 <= len(data):
        (n,) = struct.unpack("<i", data[pos : pos + 4])
        if n < 0 or pos + 8 + n > len(data):
            break
        out.append((pos, n))
        pos += 8 + n
    return out


def idl_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of a binary (little-endian) SWMF IDL file.

    Record markers that disagree or point past the end, a grid or variable count made huge,
    an ``ndim`` out of range, text over the numbers of the header record, a simulation time of
    1e30 s (with the date of the file name, a time no ``datetime64[ns]`` holds), and a cut
    inside a data record.
    """
    data = src.read_bytes()
    recs = idl_records(data)
    # record index within a frame: 0 header line, 1 it/time/ndim/npar/nvar, 2 grid, 3 params,
    # 4 names, 5 coordinates, 6.. variables
    name = src.name

    def put(at: int, fmt: str, value) -> bytes:
        out = bytearray(data)
        struct.pack_into(fmt, out, at, value)
        return bytes(out)

    def end_marker(rng):
        i = rng.choice([5, 4, 0, 6, len(recs) - 1])
        off, n = recs[i]
        value = rng.choice([n + 1, 0, 2**31 - 1, n - 4])
        return (
            f"record {i}: end marker {n} -> {value}",
            _writer(name, put(off + 4 + n, "<i", value)),
            False,
        )

    def start_marker(rng):
        i = rng.choice([6, 5, 1, 2, len(recs) - 1])
        value = rng.choice([2**31 - 1, 2**30, -4, 0])
        return (
            f"record {i}: start marker -> {value}",
            _writer(name, put(recs[i][0], "<i", value)),
            False,
        )

    def huge_grid(rng):
        value = rng.choice([2**31 - 1, 10**9, 0, -5])
        return f"grid size -> {value}", _writer(name, put(recs[2][0] + 4, "<i", value)), False

    def counts(rng):
        field, value = rng.choice([(4, 10**9), (2, 7), (2, 0), (3, 10**9), (4, -1), (3, -2)])
        label = ["it", "time", "ndim", "npar", "nvar"][field]
        return (
            f"{label} -> {value}",
            _writer(name, put(recs[1][0] + 4 * (1 + field), "<i", value)),
            False,
        )

    def text_numbers(rng):
        off, n = recs[rng.choice([1, 2, 5])]
        out = bytearray(data)
        text = b"not a number " * (n // 13 + 1)
        out[off + 4 : off + 4 + n] = text[:n]
        return f"text over the record at {off}", _writer(name, bytes(out)), False

    def time_overflow(rng):
        value = rng.choice([1e30, float("inf"), -1e20])
        return f"simulation time -> {value}", _writer(name, put(recs[1][0] + 8, "<f", value)), False

    def cut(rng):
        off, n = recs[rng.choice([6, 5, len(recs) - 1])]
        at = off + 4 + n // rng.choice([2, 3, 7])
        return f"cut at {at} inside a data record", _writer(name, data[:at]), False

    return [
        ("marker", "end marker disagrees", end_marker),
        ("marker", "start marker past the end", start_marker),
        ("huge", "huge grid", huge_grid),
        ("huge", "header counts", counts),
        ("text", "text where numbers belong", text_numbers),
        ("time-overflow", "absurd simulation time", time_overflow),
        ("truncated", "cut inside a record", cut),
    ]


def idl_ascii_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of an ASCII SWMF IDL file (header lines and data rows)."""
    lines = src.read_text().splitlines()
    name = src.name

    def edited(index: int, text: str) -> bytes:
        out = list(lines)
        out[index] = text
        return ("\n".join(out) + "\n").encode()

    def header(rng):
        text = rng.choice(["0 0.0 -2 2 1000000000", "0 0.0 9 2 11", "x y z", "0 1e999 -2 2 11"])
        return f"line 2 -> {text!r}", _writer(name, edited(1, text)), False

    def grid(rng):
        text = rng.choice(["2147483647 1", "99999999999999999999 1", "-3 1", "abc 1"])
        return f"grid line -> {text!r}", _writer(name, edited(2, text)), False

    def row(rng):
        i = rng.choice([10, len(lines) - 1, len(lines) // 2])
        text = rng.choice(["nan-ish 1 2", lines[i].replace("E", "Q", 1), "1 2"])
        return f"data line {i} -> {text[:30]!r}", _writer(name, edited(i, text)), False

    def params(rng):
        text = rng.choice(["1.66667", "rbody g", "1e999 2.5", ""])
        return f"parameter line -> {text!r}", _writer(name, edited(3, text)), False

    def names(rng):
        text = rng.choice(["x", "", "x z rho"])
        return f"names line -> {text!r}", _writer(name, edited(4, text)), False

    def cut(rng):
        keep = rng.choice([len(lines) // 2, 6, len(lines) - 1])
        return (
            f"first {keep} lines only",
            _writer(name, ("\n".join(lines[:keep]) + "\n").encode()),
            False,
        )

    def time_overflow(rng):
        it, _t, *rest = lines[1].split()
        text = " ".join([it, rng.choice(["1e30", "inf", "-1e20"]), *rest])
        return f"line 2 -> {text!r}", _writer(name, edited(1, text)), False

    return [
        ("huge", "header counts", header),
        ("huge", "grid sizes", grid),
        ("text", "text where numbers belong", row),
        ("text", "parameter line", params),
        ("text", "names line", names),
        ("truncated", "cut between lines", cut),
        ("time-overflow", "absurd simulation time", time_overflow),
    ]


def lfm_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of an LFM HDF4 file, made with pyhdf on copies."""

    def edit(label: str, change: Callable) -> Callable[[Path], Path]:
        def make(folder: Path) -> Path:
            from pyhdf.SD import SD, SDC

            path = folder / src.name
            shutil.copyfile(src, path)
            sd = SD(str(path), SDC.WRITE)
            try:
                change(sd, SDC)
            finally:
                sd.end()
            (folder / "LABEL").write_text(label)
            return path

        return make

    def mjd(rng):
        value = rng.choice([1e12, -5.0, float("nan"), 200000.0])

        def change(sd, SDC):
            sd.attr("mjd").set(SDC.FLOAT64, value)

        return f"mjd -> {value}", edit(f"mjd -> {value}", change), False

    def text_time(rng):
        def change(sd, SDC):
            sd.attr("time_8byte").set(SDC.CHAR, "not a number")

        return "time_8byte as text", edit("time_8byte as text", change), False

    def rebuilt(rng):
        """A copy without one dataset, or with it 2-D, or with the grid one plane short."""
        name = rng.choice(["bz_", "X_grid", "c_"])
        how = rng.choice(["dropped", "2-D", "short"])
        label = f"{name} {how}"

        def make(folder: Path) -> Path:
            from pyhdf.SD import SD, SDC

            old = SD(str(src), SDC.READ)
            arrays = {n: old.select(n).get() for n in old.datasets()}
            old.end()
            path = folder / src.name
            new = SD(str(path), SDC.WRITE | SDC.CREATE)
            try:
                for n, a in arrays.items():
                    if n == name:
                        if how == "dropped":
                            continue
                        a = a[0] if how == "2-D" else a[:-1]
                    sds = new.create(n, SDC.FLOAT32, a.shape)
                    sds[:] = a.astype("float32")
                    sds.endaccess()
            finally:
                new.end()
            (folder / "LABEL").write_text(label)
            return path

        return label, make, False

    def huge_declared(rng):
        """A copy whose datasets declare a huge (unwritten) shape."""
        dims = rng.choice([(4096, 4096, 4096), (65536, 65536, 2), (2, 2, 2**30)])
        label = f"datasets declared {dims}"

        def make(folder: Path) -> Path:
            from pyhdf.SD import SD, SDC

            path = folder / src.name
            new = SD(str(path), SDC.WRITE | SDC.CREATE)
            try:
                for n in ("X_grid", "Y_grid", "Z_grid", "rho_", "c_", "vx_", "vy_", "vz_",
                          "bx_", "by_", "bz_"):  # fmt: skip
                    sds = new.create(n, SDC.FLOAT32, dims)
                    sds.endaccess()
            finally:
                new.end()
            (folder / "LABEL").write_text(label)
            return path

        return label, make, False

    def text_mjd(rng):
        def change(sd, SDC):
            sd.attr("mjd").set(SDC.CHAR, rng.choice(["yesterday", "58000x", "nan"]))

        return "mjd as text", edit("mjd as text", change), False

    return [
        ("huge", "huge declared shapes", huge_declared),
        ("attribute", "text mjd", text_mjd),
        ("time-overflow", "absurd mjd", mjd),
        ("attribute", "text time", text_time),
        ("renamed", "dataset dropped or reshaped", rebuilt),
    ]
