"""Bad input to the all-sky imager readers and geometry: each case has its own, tested message.

Partial reads are checked three ways: the good frames are kept (compared with an independent
decoding of the same bytes), the damaged file is listed once in ``attrs["problematic_files"]``
with its reason, and exactly one warning is raised.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import re
import shutil
import tarfile
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import xarray as xr

import geospacexr
from geospacexr import asi, datasets
from geospacexr.errors import (
    DataWarning,
    FileFormatError,
    GeospacexrError,
    IncompatibleInputError,
    InvalidArgumentError,
    OutOfRangeError,
)
from geospacexr.geodesy import look_to_geographic
from geospacexr.io.idlsav import IdlStruct, write_sav
from geospacexr.io.registry import group_files

REAL_THEMIS = "asi/20140310_0600_gill_themis19_full.pgm.gz"
REAL_NIR = "asi/20220307_0600_gill_nir-216_8446.pgm.gz"
REAL_BLUE = "asi/20220308_0600_gill_blue-814_full.pgm.gz"
REAL_PNG = "asi/20211030_060500_149606_gill_rgb-04_320ms_burst.png"
REAL_SKYMAP = "asi/themis_skymap_atha_20230115-+_v02.sav"
MAXVAL_LINE = b"\n65535\n"


# ---------------------------------------------------------------------------------------------
# helpers (independent of the code under test)
# ---------------------------------------------------------------------------------------------


def sample_files(name: str, pattern: str) -> list[Path]:
    return sorted(datasets.sample_path(name).glob(pattern))


def naive_frames(content: bytes, width: int, height: int) -> np.ndarray:
    """Complete frames of decompressed PGM content: split on the maxval line, big-endian pixels."""
    frames, pos, size = [], 0, width * height * 2
    while (i := content.find(MAXVAL_LINE, pos)) >= 0:
        start = i + len(MAXVAL_LINE)
        if start + size > len(content):
            break
        frames.append(np.frombuffer(content[start : start + size], ">u2").reshape(height, width))
        pos = start + size
    return np.stack(frames) if frames else np.empty((0, height, width), ">u2")


def gunzip_prefix(data: bytes) -> bytes:
    """What a truncated gzip stream decodes to, with the standard library's zlib."""
    d = zlib.decompressobj(wbits=31)
    return d.decompress(data)


def read_once(*args, **kwargs):
    """Call ``open_asi`` and return ``(dataset, every warning raised)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = geospacexr.open_asi(*args, **kwargs)
    return ds, caught


def assert_one_problem(ds, caught, name: str, reason: str) -> None:
    """Exactly one DataWarning naming the file; the file listed once with ``reason`` (regex)."""
    assert len(caught) == 1, [str(w.message) for w in caught]
    assert issubclass(caught[0].category, DataWarning)
    assert name in str(caught[0].message)
    problems = json.loads(ds.attrs["problematic_files"])
    assert [p["file"] for p in problems] == [name]
    assert re.search(reason, problems[0]["reason"]), problems[0]["reason"]


def pgm_frame(
    width: int = 4,
    height: int = 3,
    stamp: str | None = "2014-03-10 06:00:00.000000",
    site: str = "gill",
    imager: str = "themis19",
    size_line: str | None = None,
    maxval: int = 65535,
    seed: int = 0,
) -> bytes:
    """One binary PGM frame in the THEMIS layout, written by hand."""
    meta = [f'#"Site unique ID" {site}', f'#"Imager unique ID" {imager}']
    if stamp is not None:
        meta.append(f'#"Image request start" {stamp} UTC')
    meta.append('#"Exposure plus initial readout" 985.07 ms')
    size = size_line if size_line is not None else f"{width} {height}"
    head = "P5\n" + "\n".join(meta) + f"\n{size}\n{maxval}\n"
    pixels = np.random.default_rng(seed).integers(0, 60000, (height, width)).astype(">u2")
    return head.encode() + pixels.tobytes()


def pgm_pixels(frame: bytes, width: int = 4, height: int = 3) -> np.ndarray:
    return np.frombuffer(frame[-width * height * 2 :], ">u2").reshape(height, width)


def good_minute(tmp_path: Path, minute: str = "01") -> tuple[Path, list[bytes]]:
    """An intact two-frame file of the same site, imager and size as the damaged ones."""
    frames = [
        pgm_frame(stamp=f"2014-03-10 06:{minute}:0{k}.000000", seed=100 + k) for k in range(2)
    ]
    path = tmp_path / f"20140310_06{minute}_gill_themis19_full.pgm"
    path.write_bytes(b"".join(frames))
    return path, frames


# ---------------------------------------------------------------------------------------------
# truncated and corrupt compressed files
# ---------------------------------------------------------------------------------------------


def test_truncated_gzip_sample_keeps_its_good_frames(tmp_path):
    files = sample_files("themis-gill", "*.pgm.gz")
    copies = [tmp_path / f.name for f in files]
    for f, c in zip(files, copies, strict=True):
        shutil.copyfile(f, c)
    data = files[1].read_bytes()
    cut = data[: len(data) * 3 // 5]
    copies[1].write_bytes(cut)
    expected_cut = naive_frames(gunzip_prefix(cut), 256, 256)
    assert 0 < len(expected_cut) < 20
    ds, caught = read_once(copies)
    assert_one_problem(ds, caught, copies[1].name, r"^truncated gzip stream \(file ends early\)$")
    intact = [naive_frames(gzip.decompress(f.read_bytes()), 256, 256) for f in (files[0], files[2])]
    expected = np.concatenate([intact[0], expected_cut, intact[1]])
    assert ds.sizes["time"] == 40 + len(expected_cut)
    np.testing.assert_array_equal(ds.image.values, expected[:, ::-1, :])
    assert json.loads(ds.attrs["source_files"]) == [c.name for c in copies]


@pytest.mark.parametrize(
    "name, width, height", [(REAL_THEMIS, 256, 256), (REAL_NIR, 256, 256), (REAL_BLUE, 320, 270)]
)
def test_truncated_real_files_keep_their_good_frames(shared_data, tmp_path, name, width, height):
    data = (shared_data / name).read_bytes()
    cut = tmp_path / Path(name).name
    cut.write_bytes(data[: len(data) // 2])
    expected = naive_frames(gunzip_prefix(cut.read_bytes()), width, height)
    ds, caught = read_once(cut)
    assert_one_problem(ds, caught, cut.name, "truncated gzip stream")
    np.testing.assert_array_equal(ds.image.values, expected[:, ::-1, :])


def test_truncated_bzip2_keeps_its_good_frames(tmp_path):
    content = gzip.decompress(sample_files("themis-gill", "*.pgm.gz")[0].read_bytes())
    packed = bz2.compress(content)
    bad = tmp_path / "20140310_0600_gill_themis19_full.pgm.bz2"
    bad.write_bytes(packed[: len(packed) * 3 // 4])
    expected = naive_frames(bz2.BZ2Decompressor().decompress(bad.read_bytes()), 256, 256)
    assert 0 < len(expected) < 20
    ds, caught = read_once(bad)
    assert_one_problem(ds, caught, bad.name, r"^truncated bzip2 stream")
    np.testing.assert_array_equal(ds.image.values, expected[:, ::-1, :])


def test_trailing_garbage_after_gzip_keeps_every_frame(tmp_path):
    src = sample_files("themis-gill", "*.pgm.gz")[0]
    bad = tmp_path / src.name
    bad.write_bytes(src.read_bytes() + b"not gzip at all")
    ds, caught = read_once(bad)
    assert_one_problem(ds, caught, bad.name, r"^15 bytes of trailing garbage after the gzip data$")
    expected = naive_frames(gzip.decompress(src.read_bytes()), 256, 256)
    np.testing.assert_array_equal(ds.image.values, expected[:, ::-1, :])


def test_corrupt_gzip_next_to_a_good_file(tmp_path):
    src = sample_files("themis-gill", "*.pgm.gz")
    good = tmp_path / src[0].name
    shutil.copyfile(src[0], good)
    data = bytearray(src[1].read_bytes())
    data[-8:-4] = bytes(4)  # the CRC32 of the content: the stream fails its integrity check
    bad = tmp_path / src[1].name
    bad.write_bytes(bytes(data))
    ds, caught = read_once([good, bad])
    assert_one_problem(ds, caught, bad.name, r"^corrupt gzip data \(.*\)$")
    assert ds.sizes["time"] == 20
    assert json.loads(ds.attrs["source_files"]) == [good.name]


def test_no_readable_file_names_every_file(tmp_path):
    empty = tmp_path / "20140310_0600_gill_themis19_full.pgm.gz"
    empty.write_bytes(b"")
    garbage = tmp_path / "20140310_0601_gill_themis19_full.pgm.gz"
    garbage.write_bytes(b"\x1f\x8b" + bytes(100))
    with pytest.raises(FileFormatError, match="no frame could be read from 2 file") as info:
        geospacexr.open_asi([empty, garbage])
    message = str(info.value)
    assert f"{empty.name}: empty file" in message
    assert f"{garbage.name}: corrupt gzip data" in message


# ---------------------------------------------------------------------------------------------
# PGM with a wrong header or size
# ---------------------------------------------------------------------------------------------

WHOLE_FILE_DEFECTS = {
    "wrong magic": (b"P6\n4 3\n255\n" + bytes(36), r"not a binary PGM: expected the magic 'P5'"),
    "size line not numbers": (pgm_frame(size_line="four 3"), r"frame 1: bad size line b'four 3'"),
    "size line too long": (
        pgm_frame(size_line="4 3 65535 7"),
        r"frame 1: impossible size \[4, 3, 65535, 7\]",
    ),
    "zero width": (pgm_frame(size_line="0 3"), r"frame 1: impossible size \[0, 3, 65535\]"),
    "huge height": (
        pgm_frame(size_line="4 99999999"),
        r"frame 1: impossible size \[4, 99999999, 65535\]",
    ),
    "bad maxval": (pgm_frame(maxval=70000), r"frame 1: impossible maxval 70000"),
    "header cut short": (pgm_frame()[:40], r"frame 1: header cut short"),
    "pixels cut short": (
        pgm_frame()[:-5],
        r"frame 1: truncated \(19 of the 24 pixel bytes its 4x3 size line asks for",
    ),
    "empty": (b"", r"empty file"),
}


@pytest.mark.parametrize("defect", sorted(WHOLE_FILE_DEFECTS))
def test_unreadable_pgm_header_is_named(tmp_path, defect):
    content, reason = WHOLE_FILE_DEFECTS[defect]
    path = tmp_path / "20140310_0600_gill_themis19_full.pgm"
    path.write_bytes(content)
    with pytest.raises(
        FileFormatError, match=rf"no frame could be read from 1 file\(s\): {path.name}: {reason}"
    ):
        geospacexr.open_asi(path)


def damaged_second_frame(kind: str) -> tuple[bytes, int, str]:
    """(file content, frames expected from it, reason regex) for a defect after frame 1."""
    first = pgm_frame(stamp="2014-03-10 06:00:00.000000", seed=1)
    second = pgm_frame(stamp="2014-03-10 06:00:03.000000", seed=2)
    third = pgm_frame(stamp="2014-03-10 06:00:06.000000", seed=3)
    if kind == "size differs":
        return (
            first + pgm_frame(3, 3, stamp="2014-03-10 06:00:03.000000"),
            1,
            r"^frame 2: size 3x3 differs from the first frame's 4x3$",
        )
    if kind == "pixels cut short":
        return first + second[:-7], 1, r"^frame 2: truncated \(17 of the 24 pixel bytes"
    if kind == "garbage between frames":
        return first + b"XXXX" + second, 1, r"^frame 2: expected 'P5' at byte \d+, found b'XXXXP5"
    if kind == "frame with a bad time":
        return (
            first + pgm_frame(stamp="2014-03-10 25:00:03.000000", seed=2) + third,
            2,
            r"^frame 2 of 3: no valid 'Image request start' \(skipped\)$",
        )
    if kind == "frame without a time":  # it would inherit frame 1's: a duplicate time
        return (
            first + pgm_frame(stamp=None, seed=2) + third,
            2,
            r"^frame 2 of 3: the same 'Image request start' as the frame before",
        )
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "size differs",
        "pixels cut short",
        "garbage between frames",
        "frame with a bad time",
        "frame without a time",
    ],
)
def test_damaged_later_frame_keeps_the_good_ones(tmp_path, kind):
    content, kept, reason = damaged_second_frame(kind)
    bad = tmp_path / "20140310_0600_gill_themis19_full.pgm"
    bad.write_bytes(content)
    good, good_frames = good_minute(tmp_path)
    ds, caught = read_once([bad, good])
    assert_one_problem(ds, caught, bad.name, reason)
    assert ds.sizes["time"] == kept + len(good_frames)
    np.testing.assert_array_equal(ds.image.values[0], pgm_pixels(pgm_frame(seed=1))[::-1])
    np.testing.assert_array_equal(ds.image.values[-1], pgm_pixels(good_frames[-1])[::-1])


def test_size_line_too_small_is_reported(tmp_path):
    """Frame 1 declares 4x2 but holds 4x3 pixels: the next header is not where it should be."""
    first = pgm_frame(size_line="4 2", seed=1)
    second = pgm_frame(stamp="2014-03-10 06:00:03.000000", seed=2)
    bad = tmp_path / "20140310_0600_gill_themis19_full.pgm"
    bad.write_bytes(first + second)
    expected_at = len(first) - 4 * 3 * 2 + 4 * 2 * 2  # where a 4x2 frame would have ended
    ds, caught = read_once(bad)
    assert_one_problem(
        ds,
        caught,
        bad.name,
        rf"^frame 2: expected 'P5' at byte {expected_at}, found .* \(frame 1 declares 4x2 "
        r"pixels: "
        r"its size line is wrong or extra bytes follow it\)$",
    )
    assert ds.image.shape == (1, 2, 4)  # what frame 1 declares; reported as suspect above


def test_file_whose_frames_have_no_time_is_unreadable(tmp_path):
    path = tmp_path / "20140310_0600_gill_themis19_full.pgm"
    path.write_bytes(pgm_frame(stamp=None) + pgm_frame(stamp="yesterday"))
    with pytest.raises(
        FileFormatError,
        match=rf"no frame could be read from 1 file\(s\): {path.name}: frames 1, 2 of 2: "
        "no valid 'Image request start'",
    ):
        geospacexr.open_asi(path)


def test_files_of_different_image_sizes_are_refused(tmp_path):
    a = tmp_path / "20140310_0600_gill_themis19_full.pgm"
    a.write_bytes(pgm_frame(4, 3))
    b = tmp_path / "20140310_0601_gill_themis19_full.pgm"
    b.write_bytes(pgm_frame(5, 3, stamp="2014-03-10 06:01:00.000000"))
    with pytest.raises(
        IncompatibleInputError, match=rf"{b.name} has 5x3 frames, earlier files 4x3"
    ):
        geospacexr.open_asi([a, b])


def test_time_window_outside_the_files(tmp_path):
    good, _ = good_minute(tmp_path)
    with pytest.raises(
        OutOfRangeError,
        match=r"no frame between start=2015-01-01 and end=None in 1 file\(s\), which cover "
        r"2014-03-10T06:01:00\.000000000 to 2014-03-10T06:01:01\.000000000",
    ):
        geospacexr.open_asi(good, start="2015-01-01")
    with pytest.raises(InvalidArgumentError, match=r"^end: must be a date-time"):
        geospacexr.open_asi(good, end="soon")
    with pytest.raises(InvalidArgumentError, match=r"^instrument: must be one of themis, "):
        geospacexr.open_asi(good, instrument="allsky")


# ---------------------------------------------------------------------------------------------
# PNG frames and PNG tars
# ---------------------------------------------------------------------------------------------


def test_truncated_png_tar_keeps_the_frames_before_the_cut(tmp_path):
    pytest.importorskip("PIL")
    from PIL import Image

    src = sample_files("trex_rgb-gill-burst", "*.png.tar")[0]
    data = src.read_bytes()
    cut_at = len(data) // 2
    bad = tmp_path / src.name
    bad.write_bytes(data[:cut_at])
    with tarfile.open(src) as tar:
        members = tar.getmembers()
        whole = [m for m in members if m.offset_data + m.size <= cut_at]
        expected = [np.asarray(Image.open(tar.extractfile(m)).convert("RGB")) for m in whole]
    assert 0 < len(whole) < len(members)
    ds, caught = read_once(bad)
    assert_one_problem(
        ds, caught, bad.name, rf"^PNG tar cut short after {len(whole)} frame\(s\) \(.*\)$"
    )
    np.testing.assert_array_equal(ds.image.values, np.stack(expected)[:, ::-1])


def test_unreadable_png_files_are_all_named(tmp_path):
    pytest.importorskip("PIL")
    png = tmp_path / "20211030_060500_149606_gill_rgb-04_320ms_burst.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    tar = tmp_path / "20211030_0606_gill_rgb-04_burst.png.tar"
    tar.write_bytes(b"this is not a tar file" * 50)
    empty = tmp_path / "20211030_0607_gill_rgb-04_burst.png.tar"
    with tarfile.open(empty, "w") as t:
        info = tarfile.TarInfo("readme.txt")
        info.size = 2
        t.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(FileFormatError, match=r"no PNG frame could be read from 3 file") as info:
        geospacexr.open_asi([png, tar, empty])
    message = str(info.value)
    assert f"{png.name}: {png.name}: cannot decode PNG" in message
    assert f"{tar.name}: cannot read the PNG tar" in message
    assert f"{empty.name}: the tar holds no PNG frame" in message


def test_png_name_without_metadata_is_reported(tmp_path):
    pytest.importorskip("PIL")
    src = sample_files("trex_rgb-gill-burst", "*.png.tar")[0]
    out = tmp_path / src.name
    with tarfile.open(src) as tin, tarfile.open(out, "w") as tout:
        for k, member in enumerate(tin.getmembers()):
            data = tin.extractfile(member).read()
            if k == 1:
                member.name = "frame.png"
            tout.addfile(member, io.BytesIO(data))
    ds, caught = read_once(out)
    assert_one_problem(ds, caught, out.name, r"^frame\.png: the name does not carry the frame's")
    assert ds.sizes["time"] == 5


# ---------------------------------------------------------------------------------------------
# HDF5 (TREx RGB, SMILE)
# ---------------------------------------------------------------------------------------------


def write_h5(path: Path, images=None, timestamps=None) -> Path:
    import h5py

    with h5py.File(path, "w") as f:
        if images is not None:
            f.create_dataset("data/images", data=images)
        if timestamps is not None:
            f.create_dataset("data/timestamp", data=np.array(timestamps, dtype="S"))
    return path


STAMPS = ["2021-10-30 06:07:00.000000 UTC", "2021-10-30 06:07:03.000000 UTC"]


def test_h5_missing_a_dataset_is_listed_and_the_good_file_kept(tmp_path):
    pytest.importorskip("h5py")
    good = sample_files("trex_rgb-gill", "*.h5")[0]
    bad = write_h5(
        tmp_path / "20211030_0607_gill_rgb-04_full.h5", images=np.zeros((4, 5, 3, 2), np.uint8)
    )
    ds, caught = read_once([good, bad])
    assert_one_problem(ds, caught, bad.name, r"/data/timestamp")
    assert ds.sizes["time"] == 20


@pytest.mark.parametrize("missing", ["images", "timestamp"])
def test_h5_message_names_only_the_missing_dataset(tmp_path, missing):
    pytest.importorskip("h5py")
    path = write_h5(
        tmp_path / "20211030_0607_gill_rgb-04_full.h5",
        images=None if missing == "images" else np.zeros((4, 5, 3, 2), np.uint8),
        timestamps=None if missing == "timestamp" else STAMPS,
    )
    present = "timestamp" if missing == "images" else "images"
    with pytest.raises(FileFormatError, match=rf"no /data/{missing} in the HDF5 file") as info:
        geospacexr.open_asi(path)
    assert f"/data/{present} in the HDF5 file" not in str(info.value)


def test_h5_wrong_layouts(tmp_path):
    pytest.importorskip("h5py")
    four_channels = write_h5(
        tmp_path / "20211030_0607_gill_rgb-04_full.h5",
        images=np.zeros((4, 5, 4, 2), np.uint8),
        timestamps=STAMPS,
    )
    with pytest.raises(
        FileFormatError,
        match=r"/data/images has shape \(4, 5, 4, 2\), expected \(height, width, 3\[, frames\]\)",
    ):
        geospacexr.open_asi(four_channels)
    too_few = write_h5(
        tmp_path / "20211030_0608_gill_rgb-04_full.h5",
        images=np.zeros((4, 5, 3, 3), np.uint8),
        timestamps=STAMPS,
    )
    with pytest.raises(FileFormatError, match=r"2 timestamps for 3 frames"):
        geospacexr.open_asi(too_few)
    with pytest.raises(FileFormatError, match=r"no frame could be read from 2 HDF5 file") as info:
        geospacexr.open_asi([four_channels, too_few])
    assert four_channels.name in str(info.value) and too_few.name in str(info.value)


def test_h5_corrupt_frame_keeps_the_other_frames(tmp_path):
    h5py = pytest.importorskip("h5py")
    src = sample_files("trex_rgb-gill", "*.h5")[0]
    with h5py.File(src, "r") as f:
        chunk = f["data/images"].id.get_chunk_info(10)  # one chunk per frame in these files
        stamps = [s.decode() for s in f["data/timestamp"][()]]
    data = bytearray(src.read_bytes())
    middle = chunk.byte_offset + chunk.size // 2
    data[middle : middle + 64] = bytes(64)
    bad = tmp_path / src.name
    bad.write_bytes(bytes(data))
    ds, caught = read_once(bad)
    assert_one_problem(ds, caught, bad.name, r"frame.*\b11\b")
    assert ds.sizes["time"] == 19
    lost = np.datetime64(stamps[10].removesuffix(" UTC").replace(" ", "T"), "ns")
    assert lost not in ds.time.values


# ---------------------------------------------------------------------------------------------
# several sites, instruments or formats in one call
# ---------------------------------------------------------------------------------------------


def test_two_sites_are_refused_and_group_files_splits_them():
    gill = sample_files("themis-gill", "*.pgm.gz")
    rank = sample_files("themis-rank", "*.pgm.gz")
    with pytest.raises(
        IncompatibleInputError,
        match=r"more than one site or instrument: gill \(themis\), rank \(themis\); "
        r"open each site separately .*group_files",
    ):
        geospacexr.open_asi(gill + rank)
    groups = group_files(gill + rank)
    assert {key for _, key in groups} == {"gill_themis19", "rank_themis31"}
    sites = {geospacexr.open_asi(files).attrs["site"] for files in groups.values()}
    assert sites == {"gill", "rank"}


def test_two_instruments_of_one_site_are_refused(shared_data):
    with pytest.raises(
        IncompatibleInputError,
        match=r"more than one site or instrument: gill \(themis\), gill \(trex_nir\)",
    ):
        geospacexr.open_asi([shared_data / REAL_THEMIS, shared_data / REAL_NIR])
    # different image sizes too: the instrument is named first
    with pytest.raises(IncompatibleInputError, match=r"gill \(themis\), gill \(trex_blue\)"):
        geospacexr.open_asi([shared_data / REAL_THEMIS, shared_data / REAL_BLUE])


def test_two_formats_are_refused(shared_data):
    pgm = shared_data / REAL_THEMIS
    with pytest.raises(IncompatibleInputError, match=r"PNG and PGM files in one call"):
        geospacexr.open_asi([pgm, shared_data / REAL_PNG])
    h5 = sample_files("trex_rgb-gill", "*.h5")[0]
    with pytest.raises(IncompatibleInputError, match=r"HDF5 and other files in one call"):
        geospacexr.open_asi([pgm, h5])


def test_png_frames_of_two_sites_are_refused(tmp_path):
    pytest.importorskip("PIL")
    src = sample_files("trex_rgb-gill-burst", "*.png.tar")[0]
    with tarfile.open(src) as tar:
        members = tar.getmembers()[:2]
        blobs = [tar.extractfile(m).read() for m in members]
    a = tmp_path / members[0].name
    b = tmp_path / members[1].name.replace("_gill_", "_rabb_")
    a.write_bytes(blobs[0])
    b.write_bytes(blobs[1])
    with pytest.raises(
        IncompatibleInputError,
        match=r"more than one site or imager: gill \(rgb-04\), rabb \(rgb-04\)",
    ):
        geospacexr.open_asi([a, b])


def test_h5_files_of_two_sites_are_refused(tmp_path):
    h5py = pytest.importorskip("h5py")
    src = sample_files("trex_rgb-gill", "*.h5")
    other = tmp_path / src[1].name.replace("_gill_", "_rabb_")
    shutil.copyfile(src[1], other)
    with h5py.File(other, "a") as f:
        f["metadata/file"].attrs["site_unique_id"] = "rabb"
    with pytest.raises(
        IncompatibleInputError,
        match=r"several sites/imagers: \[\('gill', 'rgb-04'\), \('rabb', 'rgb-04'\)\]",
    ):
        geospacexr.open_asi([src[0], other])


# ---------------------------------------------------------------------------------------------
# skymaps: another site, instrument or size, outside the validity period
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def images():
    return datasets.open_sample("themis-gill")


@pytest.fixture(scope="module")
def sky():
    return datasets.open_sample("themis-gill-skymap")


def test_skymap_of_another_site(images):
    rank = datasets.open_sample("themis-rank-skymap")
    with pytest.raises(
        IncompatibleInputError, match=r"the skymap is for site 'rank', the images for 'gill'"
    ):
        asi.check_skymap(images, rank)
    with pytest.raises(IncompatibleInputError, match=r"skymap is for site 'rank'"):
        images.asi.box_metric(rank, elevation=(30, 90))


def test_real_skymap_of_another_site(images, shared_data):
    atha = geospacexr.open_skymap(shared_data / REAL_SKYMAP)
    with pytest.raises(
        IncompatibleInputError, match=r"the skymap is for site 'atha', the images for 'gill'"
    ):
        images.asi.box_metric(atha, geo=(-96.0, -93.0, 57.0, 58.0))


def test_skymap_of_another_instrument(sky, shared_data):
    nir = geospacexr.open_asi(shared_data / REAL_NIR)  # gill, 256x256 like the THEMIS skymap
    with pytest.raises(
        IncompatibleInputError,
        match=r"the skymap is for instrument 'themis', the images for 'trex_nir'",
    ):
        asi.check_skymap(nir, sky)


def test_skymap_of_another_image_size(images, sky):
    with pytest.raises(
        IncompatibleInputError, match=r"the skymap is 256x256 pixels, the images 200x256"
    ):
        asi.check_skymap(images.isel(x=slice(0, 200)), sky)


def test_skymap_validity_period_from_the_file(images, sky, tmp_path):
    raw = scipy.io.readsav(str(datasets.sample_path("themis-gill-skymap")))["skymap"][0]

    def to_struct(rec, **changes):
        fields = {
            n: (to_struct(rec[n][0]) if isinstance(rec[n], np.recarray) else rec[n])
            for n in rec.dtype.names
        }
        fields.update(changes)
        return IdlStruct(fields)

    gen = raw["GENERATION_INFO"][0]
    ended = to_struct(raw, GENERATION_INFO=to_struct(gen, VALID_INTERVAL_STOP="2014030100"))
    write_sav(tmp_path / "themis_skymap_gill_20140101-20140301_v01.sav", {"skymap": ended})
    old = geospacexr.open_skymap(tmp_path / "themis_skymap_gill_20140101-20140301_v01.sav")
    assert old.attrs["valid_end"] == "2014-03-01T00:00:00"
    with pytest.raises(
        IncompatibleInputError,
        match=r"the images \(2014-03-10T06:02:57.* postdate the skymap's validity "
        r"\(until 2014-03-01T00:00:00\)",
    ):
        images.asi.keogram(old, axis="geo")
    future = sky.assign_attrs(valid_start="2014-03-10T06:01:00")
    with pytest.raises(
        IncompatibleInputError,
        match=r"the images \(2014-03-10T06:00:00.* predate the skymap's validity "
        r"\(from 2014-03-10T06:01:00\)",
    ):
        asi.check_skymap(images, future)
    # the images inside the period pass; a single frame (scalar time) is checked too
    asi.check_skymap(images.sel(time=slice("2014-03-10T06:01", None)), future)
    with pytest.raises(IncompatibleInputError, match="predate"):
        asi.check_skymap(images.isel(time=0), future)


# ---------------------------------------------------------------------------------------------
# boxes outside the field of view
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "box",
    [{"geo": (10.0, 20.0, 10.0, 20.0)}, {"elevation": (91.0, 95.0)}],
    ids=["geo", "elevation"],
)
def test_box_outside_the_field_of_view(images, sky, box):
    ((mode, bounds),) = box.items()
    with pytest.raises(
        ValueError, match=rf"the {mode} box \({bounds[0]}, .*\) contains no pixel of the field"
    ):
        asi.box_metric(images, sky, **box)


def test_box_outside_the_field_of_view_says_where_the_field_of_view_is(images, sky):
    centres = asi.pixel_centres(sky, 110)
    seen = np.isfinite(sky.elevation.values)
    lat, lon = centres.lat.values[seen], centres.lon.values[seen]
    with pytest.raises(GeospacexrError, match=r"field of view at 110 km spans") as info:
        asi.box_metric(images, sky, geo=(10.0, 20.0, 10.0, 20.0))
    for value in (np.nanmin(lon), np.nanmax(lon), np.nanmin(lat), np.nanmax(lat)):
        assert f"{value:.1f}" in str(info.value)


# ---------------------------------------------------------------------------------------------
# mapping altitudes: interpolated between the file's, refused outside them
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("altitude", [80.0, 150.5, 250.0])
def test_altitude_outside_the_skymap(sky, images, altitude):
    expected = (
        rf"altitude {altitude:g} km is outside the skymap's mapping altitudes \(90, 110, 150 km\)"
        r"; the skymap cannot be extrapolated, so choose an altitude from 90 to 150 km$"
    )
    with pytest.raises(OutOfRangeError, match=expected):
        asi.skymap_at(sky, altitude)
    with pytest.raises(OutOfRangeError, match=expected):
        images.asi.box_metric(sky, geo=(-96.0, -93.0, 57.0, 58.0), altitude_km=altitude)
    with pytest.raises(OutOfRangeError, match=expected):
        images.asi.keogram(sky, axis="geo", altitude_km=altitude)


def test_altitude_in_metres_and_not_a_number(sky):
    with pytest.raises(
        OutOfRangeError, match=r"\(altitudes are in km: 110000 km looks like metres"
    ):
        asi.skymap_at(sky, 110_000)
    for bad in (float("nan"), float("inf"), "high"):
        with pytest.raises(InvalidArgumentError, match=r"^altitude_km: .*finite number of km"):
            asi.skymap_at(sky, bad)


def test_interpolated_altitude_between_the_files(sky):
    at120 = asi.skymap_at(sky, 120)
    assert float(at120.altitude) == 120.0
    lat110, lat150 = (sky.lat_corner.sel(altitude=a).values.astype(float) for a in (110, 150))
    np.testing.assert_allclose(at120.lat_corner.values, lat110 + 0.25 * (lat150 - lat110))
    # longitudes: unwrapped with numpy along altitude, then interpolated, then wrapped
    lons = np.deg2rad(sky.lon_corner.sel(altitude=[110, 150]).values.astype(float))
    unwrapped = np.rad2deg(np.unwrap(lons, axis=0))
    expected = unwrapped[0] + 0.25 * (unwrapped[1] - unwrapped[0])
    diff = (at120.lon_corner.values - expected + 180.0) % 360.0 - 180.0
    assert np.nanmax(np.abs(diff)) < 1e-9
    assert np.array_equal(np.isnan(at120.lat_corner.values), np.isnan(lat110 + lat150))


def test_interpolation_across_the_date_line_with_unsorted_altitudes():
    lat = np.array([[[20.0, 20.0], [21.0, 21.0]], [[10.0, 10.0], [11.0, 11.0]]])
    lon = np.array([[[-179.0, -178.0], [-179.0, -178.0]], [[179.0, 178.0], [179.0, 178.0]]])
    sky = xr.Dataset(
        {
            "lat_corner": (("altitude", "y_corner", "x_corner"), lat),
            "lon_corner": (("altitude", "y_corner", "x_corner"), lon),
        },
        coords={"altitude": [150.0, 90.0]},
        attrs={"geospacexr_kind": "skymap"},
    )
    out = asi.skymap_at(sky, 120.0)
    np.testing.assert_allclose(out.lat_corner.values, [[15.0, 15.0], [16.0, 16.0]])
    # halfway between 179 E and 179 W is the date line; between 178 E and 178 W too
    distance_to_dateline = np.abs((out.lon_corner.values + 360.0) % 360.0 - 180.0)
    assert distance_to_dateline.max() < 1e-9
    out = asi.skymap_at(sky, 105.0)  # a quarter of the way from 90 km (179 E) to 150 km
    np.testing.assert_allclose(out.lon_corner.values[0, 0], 179.5)


def test_interpolated_real_skymap_agrees_with_line_of_sight_geometry(shared_data):
    real = geospacexr.open_skymap(shared_data / REAL_SKYMAP)
    centres = asi.pixel_centres(real, 130)
    lat, lon = look_to_geographic(
        real.site_lat, real.site_lon, 0.0, real.azimuth.values, real.elevation.values, 130.0
    )
    high = real.elevation.values > 10
    error = np.nanmax(np.abs(centres.lat.values - lat)[high])
    spread = np.nanmax(
        np.abs(real.lat_corner.sel(altitude=150) - real.lat_corner.sel(altitude=110))
    )
    assert error < 0.03  # linear interpolation between 110 and 150 km
    assert error < 0.05 * float(spread)  # far better than taking either file altitude
    assert np.nanmax(np.abs((centres.lon.values - lon + 180) % 360 - 180)[high]) < 0.06
