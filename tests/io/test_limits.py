"""Resource limits of the image readers (issue 16, point 1).

Every hostile file here is small on disk (gzip/bzip2 of zeros, sparse files, tar and PNG headers
declaring huge sizes, HDF5 chunked datasets with no chunk written) but declares, or expands to,
far more than a reader may allocate. Each must be refused with a ``FileFormatError`` that names
the file and the ``io.*`` key to raise, before the memory is taken: a test that finishes is a
test that did not allocate gigabytes. Raising the key through ``geospacexr.config.override``
lets a genuine large-but-small-on-disk file through.
"""

import bz2
import gzip
import io
import os
import struct
import subprocess
import sys
import tarfile
import zlib

import h5py
import numpy as np
import pytest

import geospacexr
from geospacexr import config
from geospacexr.errors import DataWarning, FileFormatError
from geospacexr.io import pgm
from geospacexr.io.hdf5 import check_size
from geospacexr.io.limits import Limits

PGM_NAME = "20140310_0600_gill_themis19_full.pgm"
H5_NAME = "20230503_0600_gill_rgb-04_full.h5"
PNG_NAME = "20211030_060500_{:06d}_gill_rgb-04_320ms_burst.png"


def refused(call, key, path):
    """Run ``call``, expecting a FileFormatError naming ``path`` and the config ``key``."""
    with pytest.raises(FileFormatError) as info:
        call()
    message = str(info.value)
    assert key in message, message
    assert path.name in message, message
    env = "GEOSPACEXR_" + key.replace(".", "_").upper()
    assert env in message, message
    return message


def pgm_frame(width, height, maxval=255, stamp="2014-03-10 06:00:00.000000", pixels=None):
    nbytes = width * height * (2 if maxval > 255 else 1)
    head = f'P5\n#"Image request start" {stamp} UTC\n{width} {height}\n{maxval}\n'.encode()
    return head + (bytes(nbytes) if pixels is None else pixels)


def gzip_of(header, zeros, level=1):
    """A gzip member of ``header`` followed by ``zeros`` zero bytes, built 1 MiB at a time."""
    co = zlib.compressobj(level, wbits=31)
    out = [co.compress(header)]
    block = bytes(1 << 20)
    for _ in range(zeros >> 20):
        out.append(co.compress(block))
    out.append(co.compress(bytes(zeros & ((1 << 20) - 1))))
    out.append(co.flush())
    return b"".join(out)


# --- PGM -------------------------------------------------------------------------------------


def test_pgm_header_declaring_huge_frames_is_refused_before_decompressing(tmp_path):
    # its header asks for 32768x32768 16-bit frames (2 GiB each); the header is checked as
    # soon as it is decompressed, so the (smaller) decompression limit is never reached
    path = tmp_path / f"{PGM_NAME}.gz"
    path.write_bytes(gzip_of(b"P5\n32768 32768\n65535\n", 64 << 20))
    assert path.stat().st_size < 1 << 20
    with config.override({"io.max_decompressed_mb": 32}):
        message = refused(lambda: pgm.read_pgm(path), "io.max_image_pixels", path)
    assert "32768x32768" in message and "2.0 GiB" in message
    # open_asi reports the same reason (decoded in worker threads)
    refused(lambda: geospacexr.open_asi(path), "io.max_image_pixels", path)


def test_pgm_limits_come_from_config_overrides_in_worker_threads(tmp_path):
    path = tmp_path / f"{PGM_NAME}.gz"
    frames = b"".join(
        pgm_frame(3000, 3000, stamp=f"2014-03-10 06:00:{s:02d}.000000") for s in range(0, 9, 3)
    )
    path.write_bytes(gzip.compress(frames))
    with config.override({"io.max_image_pixels": 1_000_000}):
        refused(lambda: geospacexr.open_asi(path), "io.max_image_pixels", path)
    with config.override({"io.max_array_mb": 20}):
        message = refused(lambda: geospacexr.open_asi(path), "io.max_array_mb", path)
        assert "3 frames of 3000x3000" in message
    with config.override({"io.max_frames": 2}):
        refused(lambda: geospacexr.open_asi(path), "io.max_frames", path)
    with config.override({"io.max_image_pixels": 10_000_000, "io.max_frames": 3}):
        ds = geospacexr.open_asi(path)
    assert ds.image.shape == (3, 3000, 3000)


def test_pgm_of_millions_of_tiny_frames_is_refused_by_frame_count(tmp_path):
    # 94 KB: 4 million 1x1 frames (each once copied the metadata dict: 1.1 GB per million)
    path = tmp_path / f"{PGM_NAME}.gz"
    path.write_bytes(gzip.compress(pgm_frame(1, 1) + b"P5\n1 1\n255\n\0" * 4_000_000, 9))
    assert path.stat().st_size < 200_000
    message = refused(lambda: geospacexr.open_asi(path), "io.max_frames", path)
    assert "more than 100,000 frames" in message


def test_pgm_frames_without_changes_share_their_metadata(tmp_path):
    content = pgm_frame(2, 2) + b"P5\n2 2\n255\n\0\0\0\0" * 50 + pgm_frame(2, 2, stamp="x")
    frames, problem = pgm.parse_frames(content)
    assert problem is None and len(frames) == 52
    assert all(f.metadata is frames[0].metadata for f in frames[:51])
    assert frames[51].metadata is not frames[0].metadata
    assert frames[51].metadata["Image request start"] == "x UTC"
    assert frames[0].metadata["Image request start"] == "2014-03-10 06:00:00.000000 UTC"


def test_pgm_many_frames_pass_when_the_limit_is_raised(tmp_path):
    path = tmp_path / f"{PGM_NAME}.gz"
    stamps = [f"2014-03-10 06:{m:02d}:{s:02d}.000000" for m in range(50) for s in range(60)]
    path.write_bytes(gzip.compress(b"".join(pgm_frame(4, 4, stamp=t) for t in stamps)))
    with config.override({"io.max_frames": 1000}):
        refused(lambda: geospacexr.open_asi(path), "io.max_frames", path)
    ds = geospacexr.open_asi(path)  # 3000 frames: well within the default
    assert ds.sizes["time"] == 3000


def test_good_file_followed_by_gigabytes_of_zeros(tmp_path):
    # a good member, then 400 members of 16 MiB of zeros each: 6.25 GiB from 6.5 MB
    path = tmp_path / f"{PGM_NAME}.gz"
    zeros = gzip_of(b"", 16 << 20)
    path.write_bytes(gzip.compress(pgm_frame(8, 8)) + zeros * 400)
    with config.override({"io.max_decompressed_mb": 64}):
        message = refused(lambda: geospacexr.open_asi(path), "io.max_decompressed_mb", path)
    assert "64 MB" in message


def test_bzip2_bomb_is_streamed_and_refused(tmp_path):
    # a .bz2 of a good frame and 96 MiB of zeros, a few hundred bytes on disk
    path = tmp_path / f"{PGM_NAME}.bz2"
    comp = bz2.BZ2Compressor(9)
    parts = [comp.compress(pgm_frame(8, 8))]
    block = bytes(16 << 20)
    parts += [comp.compress(block) for _ in range(6)]
    path.write_bytes(b"".join(parts) + comp.flush())
    assert path.stat().st_size < 2_000
    with config.override({"io.max_decompressed_mb": 32}):
        message = refused(lambda: pgm.read_pgm(path), "io.max_decompressed_mb", path)
    assert "corrupt" not in message  # a limit, not damage


def test_bzip2_bomb_of_concatenated_streams_is_refused(tmp_path):
    # a good stream, then streams of zeros (as pbzip2 writes): every stream counts
    path = tmp_path / f"{PGM_NAME}.bz2"
    path.write_bytes(bz2.compress(pgm_frame(8, 8)) + bz2.compress(bytes(16 << 20), 9) * 8)
    with config.override({"io.max_decompressed_mb": 32}):
        message = refused(lambda: pgm.read_pgm(path), "io.max_decompressed_mb", path)
    assert "corrupt" not in message
    # within the limit, every stream is decompressed and the zeros reported as such
    two = tmp_path / f"x_{PGM_NAME}.bz2"
    two.write_bytes(bz2.compress(pgm_frame(8, 8)) * 2 + b"trailing junk")
    buffer, problem = pgm.decompress(two.read_bytes(), path=two)
    assert bytes(buffer) == pgm_frame(8, 8) * 2
    assert "trailing garbage" in problem


_RLIMIT_CHILD = """
import bz2, resource, sys
from geospacexr import config
from geospacexr.errors import FileFormatError
from geospacexr.io import pgm
data = open(sys.argv[1], "rb").read()
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
with config.override({"io.max_decompressed_mb": 64}):
    try:
        pgm.decompress(data)
    except FileFormatError as exc:
        print("refused", "io.max_decompressed_mb" in str(exc))
    except MemoryError:
        print("memory")
    else:
        print("read")
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux (RLIMIT_AS, /proc)")
@pytest.mark.parametrize("codec", ["gz", "bz2"])
def test_bomb_peak_memory_stays_near_the_limit(tmp_path, codec):
    # 1 GiB of zeros against a 64 MB limit, under an address-space limit of what the
    # interpreter already uses plus 256 MiB: keeping the whole output would die of MemoryError
    import resource

    block = bytes(64 << 20)
    if codec == "gz":
        member = gzip.compress(block, 9, mtime=0)
    else:
        member = bz2.compress(block, 9)
    path = tmp_path / f"{PGM_NAME}.{codec}"
    path.write_bytes(member * 16)
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import geospacexr.io.pgm, resource;print(open('/proc/self/statm').read().split()[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    pages = int(probe.stdout.split()[0])
    limit = pages * resource.getpagesize() + (256 << 20) + path.stat().st_size * 4
    result = subprocess.run(
        [sys.executable, "-c", _RLIMIT_CHILD, str(path), str(limit)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["refused", "True"], result.stdout + result.stderr


def test_plain_pgm_larger_than_the_limit_is_refused_unread(tmp_path):
    path = tmp_path / PGM_NAME
    with path.open("wb") as fh:  # sparse: 6 GiB declared, nothing written
        fh.write(pgm_frame(8, 8))
        fh.truncate(6 << 30)
    refused(lambda: pgm.read_pgm(path), "io.max_decompressed_mb", path)


def test_header_check_runs_on_plain_content():
    with pytest.raises(FileFormatError, match="io.max_image_pixels"):
        pgm.check_header(b"P5\n#comment\n20000 20000\n255\n")
    pgm.check_header(b"P5\n256 256\n65535\n")  # fine
    pgm.check_header(b"P5\n256")  # incomplete: left to parse_frames


# --- PNG and PNG tars --------------------------------------------------------------------------


def png_header(width, height, idat=b""):
    """A PNG whose IHDR declares ``width`` x ``height`` RGB (8-bit); ``idat`` as its data."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def test_tar_of_huge_pngs_is_refused_from_their_headers(tmp_path):
    # 24 PNGs of 9400x9400 (6.4 GB decoded) in a tar of a few KB once compressed
    path = tmp_path / "20211030_0605_gill_rgb-04_burst.png.tar"
    idat = zlib.compress(bytes(1 << 20), 9)  # the start of the zeros; never decoded
    with tarfile.open(path, "w:gz") as tar:
        for k in range(24):
            add(tar, PNG_NAME.format(k * 1000), png_header(9400, 9400, idat))
    assert path.stat().st_size < 100_000
    message = refused(lambda: geospacexr.open_asi(path), "io.max_array_mb", path)
    assert "24 decoded PNG frames" in message


def test_png_declaring_a_huge_frame_is_refused(tmp_path):
    path = tmp_path / PNG_NAME.format(1)
    path.write_bytes(png_header(32768, 32768))
    refused(lambda: geospacexr.open_asi(path), "io.max_image_pixels", path)


def test_pillow_bomb_error_is_a_file_format_error(tmp_path):
    # our limit raised beyond Pillow's own (2 x PIL.Image.MAX_IMAGE_PIXELS): Pillow refuses
    from PIL import Image

    side = int((2.2 * Image.MAX_IMAGE_PIXELS) ** 0.5)
    path = tmp_path / PNG_NAME.format(2)
    path.write_bytes(png_header(side, side))
    with config.override({"io.max_image_pixels": side * side, "io.max_array_mb": 1e6}):
        with pytest.raises(FileFormatError, match="Pillow refuses it as a decompression bomb"):
            geospacexr.open_asi(path)


def test_compressed_tar_member_declaring_gigabytes_is_refused_unread(tmp_path):
    # a gzip-compressed .png.tar whose single member declares 8 GiB
    info = tarfile.TarInfo(PNG_NAME.format(3))
    info.size = 8 << 30
    raw = info.tobuf(format=tarfile.GNU_FORMAT) + bytes(1 << 16)
    path = tmp_path / "20211030_0605_gill_rgb-04_burst.png.tar"
    path.write_bytes(gzip.compress(raw))
    message = refused(lambda: geospacexr.open_asi(path), "io.max_decompressed_mb", path)
    assert "8.0 GiB" in message


def gz_tar_of(member_name, head, zeros):
    """A gzip-compressed tar whose one member is ``head`` then ``zeros`` zero bytes (cheap).

    The zeros are one gzip member of 16 MiB repeated: a multi-member gzip file is one stream
    to a reader, so a GiB of content costs a few KB and no time to build.
    """
    info = tarfile.TarInfo(member_name)
    info.size = len(head) + zeros
    block = 16 << 20
    assert zeros % block == 0
    pad = -info.size % tarfile.BLOCKSIZE
    return (
        gzip.compress(info.tobuf(format=tarfile.GNU_FORMAT) + head, mtime=0)
        + gzip.compress(bytes(block), 9, mtime=0) * (zeros // block)
        + gzip.compress(bytes(pad + 2 * tarfile.BLOCKSIZE), mtime=0)
    )


_TAR_CHILD = """
import resource, sys
from pathlib import Path
import PIL.Image
from geospacexr import config
from geospacexr.errors import FileFormatError
from geospacexr.io import png
# what the interpreter already uses, plus the headroom: far less than the member
used = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
limit = used + int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
with config.override({"io.max_decompressed_mb": int(sys.argv[3])}):
    try:
        png.open_png_frames([Path(sys.argv[1])])
    except FileFormatError as exc:
        print("refused", "not a PNG: no PNG signature" in str(exc))
    except MemoryError:
        print("memory")
    else:
        print("read")
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux (RLIMIT_AS, /proc)")
def test_compressed_tar_member_of_zeros_within_the_limit_is_not_held(tmp_path):
    # a gzip-compressed .png.tar whose one member is 128 MiB of zeros, exactly the content
    # limit: it passes the size check, but it is no PNG, so it is skipped in bounded steps,
    # never read whole (it used to cost twice the member: 2.3 GiB for a 1 GiB member)
    path = tmp_path / "20211030_0605_gill_rgb-04_burst.png.tar"
    path.write_bytes(gz_tar_of(PNG_NAME.format(4), b"", 128 << 20))
    assert path.stat().st_size < 1 << 20
    result = subprocess.run(
        [sys.executable, "-c", _TAR_CHILD, str(path), str(64 << 20), "128"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["refused", "True"], result.stdout + result.stderr


def test_png_member_larger_than_its_header_allows_is_skipped_unread(tmp_path):
    # an 8x8 PNG header followed by 64 MiB: no honest 8x8 PNG is that large; the member is
    # reported and not read, the good frames of the tar are kept
    from PIL import Image

    good = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(good, format="PNG")
    path = tmp_path / "20211030_0605_gill_rgb-04_burst.png.tar"
    with tarfile.open(path, "w:gz") as tar:
        add(tar, PNG_NAME.format(1), good.getvalue())
        info = tarfile.TarInfo(PNG_NAME.format(2))
        info.size = (64 << 20) + 100
        tar.addfile(info, io.BytesIO(png_header(8, 8) + bytes(info.size - len(png_header(8, 8)))))
        add(tar, PNG_NAME.format(3), good.getvalue())
    with pytest.warns(DataWarning, match=r"more than a 8x8 PNG can take .*not read"):
        ds = geospacexr.open_asi(path)
    assert ds.sizes["time"] == 2
    assert ds.image.values[0, 0, 0].tolist() == [10, 20, 30]


def test_png_tar_member_declaring_huge_frames_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "20211030_0605_gill_rgb-04_burst.png.tar"
    path.write_bytes(gz_tar_of(PNG_NAME.format(5), png_header(32768, 32768), 16 << 20))
    refused(lambda: geospacexr.open_asi(path), "io.max_image_pixels", path)


def damaged_tar(path, mode, pngs, at):
    """A tar of ``pngs`` compressed with ``mode``, 64 bytes flipped at fraction ``at``."""
    plain = path.with_name("plain.tar")
    with tarfile.open(plain, mode) as tar:
        for k, data in enumerate(pngs):
            add(tar, PNG_NAME.format(k), data)
    raw = bytearray(plain.read_bytes())
    start = int(len(raw) * at)
    raw[start : start + 64] = bytes(b ^ 0x55 for b in raw[start : start + 64])
    path.write_bytes(bytes(raw))


def test_damaged_compressed_png_tars_keep_the_frames_before_the_damage(tmp_path):
    # broken compressed data in an xz or gzip tar raises LZMAError / zlib.error, which are no
    # OSErrors: the frames before the damage are kept and the damage reported
    from PIL import Image

    pngs = []
    for k in range(8):
        image = (np.arange(64 * 64 * 3).reshape(64, 64, 3) * (k + 1) % 251).astype(np.uint8)
        out = io.BytesIO()
        Image.fromarray(image).save(out, format="PNG", compress_level=0)
        pngs.append(out.getvalue())
    path = tmp_path / "20211030_0605_gill_rgb-04_burst.png.tar"
    damaged_tar(path, "w:xz", pngs, 0.7)
    with pytest.warns(DataWarning, match=r"PNG tar cut short after \d frame\(s\) \(Corrupt"):
        ds = geospacexr.open_asi(path)
    assert 0 < ds.sizes["time"] < 8
    assert np.array_equal(ds.image.values[0][::-1], np.asarray(Image.open(io.BytesIO(pngs[0]))))
    flat = io.BytesIO()
    Image.new("RGB", (64, 64), (1, 2, 3)).save(flat, format="PNG", compress_level=0)
    damaged_tar(path, "w:gz", [flat.getvalue()] * 4, 0.5)
    with pytest.raises(FileFormatError, match="PNG tar cut short .*while decompressing"):
        geospacexr.open_asi(path)


def test_plain_file_that_is_no_png_is_not_read(tmp_path):
    path = tmp_path / PNG_NAME.format(6)
    with path.open("wb") as fh:  # sparse: 512 MiB of zeros, nothing written
        fh.truncate(512 << 20)
    with pytest.raises(FileFormatError, match="not a PNG"):
        geospacexr.open_asi(path)


def test_tar_of_too_many_members_is_refused(tmp_path):
    path = tmp_path / "20211030_0605_gill_rgb-04_burst.png.tar"
    with tarfile.open(path, "w") as tar:
        for k in range(30):
            add(tar, f"junk{k}.txt", b"")
    with config.override({"io.max_frames": 20}):
        refused(lambda: geospacexr.open_asi(path), "io.max_frames", path)


def test_png_sample_passes_only_within_the_array_limit():
    from geospacexr import datasets

    files = sorted(datasets.sample_path("trex_rgb-gill-burst").glob("*.png.tar"))
    with config.override({"io.max_array_mb": 1}):
        with pytest.raises(FileFormatError, match="io.max_array_mb"):
            geospacexr.open_asi(files)
    with config.override({"io.max_array_mb": 10}):  # 12 frames of 480x553 RGB: 9.1 MiB
        assert geospacexr.open_asi(files).sizes["time"] == 12


# --- HDF5 --------------------------------------------------------------------------------------


def stamps(n, start="2023-05-03T06:00:00"):
    times = np.datetime64(start, "us") + np.arange(n) * np.timedelta64(3, "ms")
    text = np.char.add(np.char.replace(np.datetime_as_string(times), "T", " "), " UTC")
    return text.astype("S30")


def write_h5(path, shape, n, timestamp=None, dtype="u1"):
    with h5py.File(path, "w") as f:
        f.create_dataset(
            "data/images", shape=shape, dtype=dtype, chunks=(*shape[:3], 1)[: len(shape)]
        )
        if timestamp is None:
            f.create_dataset("data/timestamp", data=stamps(n), compression="gzip")
        else:
            f.create_dataset("data/timestamp", **timestamp)
        f.create_dataset("metadata/file", shape=(0,), dtype="f4")


def test_h5_of_a_million_frames(tmp_path):
    # declared (chunked, no chunk written) with a million matching timestamps
    path = tmp_path / H5_NAME
    write_h5(path, (48, 55, 3, 1_000_000), 1_000_000)
    assert path.stat().st_size < 20 << 20
    message = refused(lambda: geospacexr.open_asi(path), "io.max_frames", path)
    assert "1,000,000 frames" in message
    # allowed, it is read efficiently: the timestamps at once, the selection in one read
    with config.override({"io.max_frames": 1_000_000}):
        refused(lambda: geospacexr.open_asi(path), "io.max_array_mb", path)  # 7.4 GiB
        ds = geospacexr.open_asi(path, start="2023-05-03T06:00:00", end="2023-05-03T06:00:00.030")
    assert ds.sizes["time"] == 11
    assert str(ds.time.values[-1]).startswith("2023-05-03T06:00:00.030")


def test_h5_declaring_huge_frames_is_refused(tmp_path):
    path = tmp_path / H5_NAME
    write_h5(path, (32768, 32768, 3, 2), 2)
    refused(lambda: geospacexr.open_asi(path), "io.max_image_pixels", path)
    single = tmp_path / "20230101_060000_123456_luck_smile-01_raw.h5"
    with h5py.File(single, "w") as f:
        f.create_dataset("data/images", shape=(20000, 20000, 3), dtype="u1", chunks=(64, 64, 3))
        f.create_dataset("data/timestamp", data=stamps(1))
    refused(lambda: geospacexr.open_asi(single), "io.max_image_pixels", single)


def test_h5_array_limit_and_raising_it(tmp_path):
    path = tmp_path / H5_NAME
    write_h5(path, (480, 553, 3, 20), 20)  # 15 MiB declared, nothing stored
    with config.override({"io.max_array_mb": 5}):
        message = refused(lambda: geospacexr.open_asi(path), "io.max_array_mb", path)
    assert "20 frames of 553x480" in message
    ds = geospacexr.open_asi(path)
    assert ds.image.shape == (20, 480, 553, 3) and int(ds.image.max()) == 0
    assert ds.image.values.flags["C_CONTIGUOUS"]


def test_h5_timestamp_of_huge_strings_is_refused_unread(tmp_path):
    path = tmp_path / H5_NAME
    write_h5(
        path,
        (48, 55, 3, 3000),
        3000,
        timestamp={"shape": (3000,), "dtype": "S1048576", "chunks": (1,)},
    )
    message = refused(lambda: geospacexr.open_asi(path), "io.max_array_mb", path)
    assert "/data/timestamp" in message


def test_h5_images_of_a_foreign_type_are_refused(tmp_path):
    path = tmp_path / H5_NAME
    write_h5(path, (48, 55, 3, 2), 2, dtype=np.dtype([("a", "f8"), ("b", "S1000")]))
    with pytest.raises(FileFormatError, match="expected unsigned integer pixels"):
        geospacexr.open_asi(path)


def test_check_size_on_declarations(tmp_path):
    path = tmp_path / "x.h5"
    with h5py.File(path, "w") as f:
        big = f.create_dataset("big", shape=(1 << 20, 1 << 20), dtype="f8", chunks=(64, 64))
        small = f.create_dataset("small", data=np.zeros(10))
        text = f.create_dataset("text", data=np.array([b"a"]))
        limits = Limits.current()
        with pytest.raises(FileFormatError, match=r"/big .*8\.0 TiB.*io.max_array_mb"):
            check_size(big, path, limits)
        assert check_size(small, path, limits) is small
        assert check_size(big, path, limits, count=10) is big
        with pytest.raises(FileFormatError, match="HDF5 type"):
            check_size(text, path, limits)
        assert check_size(text, path, limits, kinds="S") is text


def test_limit_problems_of_one_file_do_not_hide_the_others(tmp_path):
    good = tmp_path / f"{PGM_NAME}.gz"
    good.write_bytes(gzip.compress(pgm_frame(8, 8)))
    bad = tmp_path / "20140310_0601_gill_themis19_full.pgm.gz"
    bad.write_bytes(gzip_of(b"P5\n32768 32768\n65535\n", 1 << 20))
    with pytest.warns(DataWarning, match="io.max_image_pixels"):
        ds = geospacexr.open_asi([good, bad])
    assert ds.sizes["time"] == 1


@pytest.mark.parametrize("codec", ["gz", "bz2"])
def test_refused_bomb_error_does_not_keep_the_output_alive(tmp_path, codec):
    # a caller that keeps the error (a batch worker, a notebook's last exception) must not
    # keep the limit's worth of decompressed bytes alive through its traceback
    block = bytes(16 << 20)
    member = gzip.compress(block, 9, mtime=0) if codec == "gz" else bz2.compress(block, 9)
    path = tmp_path / f"{PGM_NAME}.{codec}"
    path.write_bytes(member * 6)
    with config.override({"io.max_decompressed_mb": 48}):
        with pytest.raises(FileFormatError) as info:
            pgm.read_pgm(path)
    largest = 0
    tb = info.value.__traceback__
    while tb is not None:
        for value in tb.tb_frame.f_locals.values():
            held = getattr(value, "buffer", value)  # the output gatherer or a bare buffer
            if isinstance(held, (bytes, bytearray)):
                largest = max(largest, len(held))
        tb = tb.tb_next
    assert largest <= pgm._MAX_PIECE
