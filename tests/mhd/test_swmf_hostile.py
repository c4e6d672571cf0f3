"""Damaged IDL files: every one raises FileFormatError, quickly and without large allocations."""

from __future__ import annotations

import struct
import time

import numpy as np
import pytest
from _mhd_frames import small_frame

from geospacexr import config, datasets
from geospacexr._synth import mhd_files
from geospacexr.errors import FileFormatError, InvalidArgumentError
from geospacexr.io.swmf import open_swmf, read_idl_frames

#: A damaged file must be refused within this many seconds (the files are tens of kB).
QUICK_S = 5.0


def records(data: bytes, order: str = "<") -> list[tuple[int, int]]:
    """``(offset, payload length)`` of each Fortran record of a good binary file."""
    out, pos = [], 0
    while pos < len(data):
        (n,) = struct.unpack(order + "i", data[pos : pos + 4])
        out.append((pos, n))
        pos += 8 + n
    return out


@pytest.fixture
def good(tmp_path) -> bytes:
    path = mhd_files.write_idl(tmp_path / "good.out", [small_frame(), small_frame(60.0, 9)])
    return path.read_bytes()


def refused(tmp_path, data: bytes, match: str | None = None, name: str = "bad.outs") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    start = time.perf_counter()
    with pytest.raises(FileFormatError, match=match) as info:
        open_swmf(path)
    assert time.perf_counter() - start < QUICK_S
    assert str(path) in str(info.value)
    return str(info.value)


def put(data: bytes, offset: int, fmt: str, *values) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, *values)
    return bytes(out)


def test_end_marker_mismatch(tmp_path, good):
    off, n = records(good)[3]  # the names record
    msg = refused(tmp_path, put(good, off + 4 + n, "<i", n + 1), "record markers")
    assert f"byte {off}" in msg


def test_start_marker_past_the_end(tmp_path, good):
    off, _ = records(good)[5]  # the first variable
    refused(tmp_path, put(good, off, "<i", 2**31 - 1), "do not fit")


def test_negative_marker(tmp_path, good):
    off, _ = records(good)[6]
    refused(tmp_path, put(good, off, "<i", -8), "declares -8 bytes")


def test_huge_declared_grid(tmp_path, good):
    """A grid of 2**31-1 points: the coordinate record cannot hold it, nothing is allocated."""
    off, _ = records(good)[2]
    refused(tmp_path, put(good, off + 4, "<i", 2**31 - 1), "coordinates record")


def test_huge_nvar_and_bad_ndim(tmp_path, good):
    off, _ = records(good)[1]
    refused(tmp_path, put(good, off + 4 + 16, "<i", 10**9), None)  # nvar: names/records disagree
    refused(tmp_path, put(good, off + 4 + 8, "<i", 7), "ndim=7")
    refused(tmp_path, put(good, off + 4 + 12, "<i", -3), "npar=-3")


def test_header_record_of_the_wrong_size(tmp_path, good):
    off, n = records(good)[1]
    data = good[:off] + struct.pack("<i", 28) + good[off + 4 : off + 4 + n] + b"\0" * 8
    data += struct.pack("<i", 28) + good[off + 8 + n :]
    refused(tmp_path, data)


def test_every_truncation_is_refused(tmp_path, good):
    """Cuts at, and just after, every record marker, and at 40 places in the data."""
    recs = records(good)
    boundary = recs[len(recs) // 2][0]  # the start of the second frame
    cuts = {off + d for off, _ in recs for d in (0, 2, 4, 6)}
    cuts |= set(np.linspace(1, len(good) - 1, 40).astype(int).tolist())
    for cut in sorted(cuts - {0, boundary}):  # the first frame alone is a valid file
        refused(tmp_path, good[:cut])


def test_text_where_numbers_belong(tmp_path, frame3d=None):
    path = mhd_files.write_idl(tmp_path / "a.out", [small_frame()], ascii=True)
    lines = path.read_text().splitlines()
    for index, replace in [(1, "0 zero -3 2 11"), (2, "abc 1 1"), (3, "1.6 rbody"),
                           (10, lines[10].replace("E", "Q", 1)), (40, "nan-ish 1 2")]:  # fmt: skip
        bad = list(lines)
        bad[index] = replace
        refused(tmp_path, ("\n".join(bad) + "\n").encode(), name="t.out")


def test_ascii_declaring_more_points_than_lines(tmp_path):
    path = mhd_files.write_idl(tmp_path / "a.out", [small_frame()], ascii=True)
    lines = path.read_text().splitlines()
    lines[2] = "2000000000 1 1"
    refused(tmp_path, ("\n".join(lines) + "\n").encode(), "only", name="t.out")


def test_ascii_short_row(tmp_path):
    path = mhd_files.write_idl(tmp_path / "a.out", [small_frame()], ascii=True)
    lines = path.read_text().splitlines()
    lines[20] = " ".join(lines[20].split()[:-1])
    refused(tmp_path, ("\n".join(lines) + "\n").encode(), name="t.out")


def test_limits_are_checked_before_allocating(tmp_path, good):
    path = tmp_path / "good.outs"
    path.write_bytes(good)
    with config.override({"io.max_array_mb": 0.001}):
        with pytest.raises(FileFormatError, match="io.max_array_mb"):
            open_swmf(path)
    with config.override({"io.max_frames": 1}):
        with pytest.raises(FileFormatError, match="io.max_frames"):
            open_swmf(path)
    with config.override({"io.max_decompressed_mb": 0.001}):
        with pytest.raises(FileFormatError, match="io.max_decompressed_mb"):
            read_idl_frames(path)


def test_not_idl_at_all(tmp_path):
    refused(tmp_path, b"", "empty", name="e.out")
    refused(tmp_path, b"\x89PNG\r\n\x1a\n" + bytes(200), "not an SWMF IDL file", name="p.out")
    refused(tmp_path, np.arange(100, dtype="<i4").tobytes(), name="n.out")


def test_bad_date_in_name_and_absurd_runtime(tmp_path, good):
    refused(tmp_path, good, "not a date", name="3d__mhd_1_e20151317-060000-000.out")
    off, _ = records(good)[1]
    refused(tmp_path, put(good, off + 8, "<f", np.float32(np.inf)), "simulation time")
    refused(
        tmp_path, put(good, off + 8, "<f", 1e30), "simulation times",
        name="3d__mhd_1_e20150317-060000-000.out",
    )  # fmt: skip


def test_frames_must_agree(tmp_path):
    a, b = small_frame(), small_frame(60.0)
    b["names"] = ["x", "y", "z", *mhd_files.IDL_VARIABLES[::-1]]
    refused(tmp_path, mhd_files.write_idl(tmp_path / "m.outs", [a, b]).read_bytes(), "differ")


def test_sample_files_survive_random_bit_flips(tmp_path):
    """Flipped bits either read (numbers changed) or raise FileFormatError: nothing else."""
    src = (datasets.sample_path("swmf-idl") / mhd_files.SWMF_Z0).read_bytes()
    rng = np.random.default_rng(7)
    for _ in range(40):
        data = bytearray(src)
        for i in rng.integers(0, len(src), 4):
            data[i] ^= 1 << int(rng.integers(8))
        path = tmp_path / "f.outs"
        path.write_bytes(bytes(data))
        try:
            open_swmf(path)
        except FileFormatError:
            pass


def test_times_near_the_datetime64_limits(tmp_path):
    """300 years of runtime from 2015 passes 2262: refused, never a wrapped date."""
    frame = small_frame(300 * 365.25 * 86400.0)
    path = mhd_files.write_idl(tmp_path / "a.out", [frame], precision="double")
    with pytest.raises(FileFormatError, match="datetime64"):
        open_swmf(path, start_time="2015-01-01")
    ok = open_swmf(path, start_time="1900-01-01")
    # a date datetime64[ns] cannot hold, in the name or given, is refused, never wrapped
    # (numpy turns 9999-12-31 into 1816-03-30 in nanoseconds without a word; fuzz swmf-idl 77)
    late = tmp_path / "3d__mhd_1_e99991231-232600-000.out"
    late.write_bytes(path.read_bytes())
    with pytest.raises(FileFormatError, match="datetime64"):
        open_swmf(late)
    with pytest.raises(InvalidArgumentError, match="start_time"):
        open_swmf(path, start_time="9999-12-31")
    from datetime import datetime, timedelta

    want = datetime(1900, 1, 1) + timedelta(seconds=300 * 365.25 * 86400.0)
    assert ok.time.values[0] == np.datetime64(want, "ns")
