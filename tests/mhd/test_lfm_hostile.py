"""Hostile bytes in LFM HDF4 files (issue 16): refused with FileFormatError, never a crash.

Robustness-harness case 448 of ``lfm-hdf`` (500 cases, seed ``crc32("lfm-hdf")``) flips 32 bits
of the sample; one of them turns the ``order`` of a vdata field from 1 into 4097, and libhdf4
then dies with a segmentation fault. The reader refuses it in Python before the library sees it,
and runs the library in a child process so that a crash the checks miss is an error too.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

import pytest

pytest.importorskip("pyhdf.SD")

from geospacexr import datasets
from geospacexr.errors import FileFormatError
from geospacexr.io import lfm
from geospacexr.io.lfm import check_hdf4_structure, open_lfm

#: (offset, xor mask) of the 32 bits harness case 448 flips in the lfm-hdf sample.
CASE_448_FLIPS = [
    (35151, 4), (35889, 8), (74965, 32), (80742, 16), (90213, 32), (91212, 128), (100844, 128),
    (104129, 32), (126211, 2), (138731, 2), (158809, 4), (160127, 2), (166582, 32), (187046, 32),
    (235051, 8), (288719, 16), (300256, 128), (307010, 32), (308942, 32), (310401, 2),
    (334565, 4), (337718, 128), (380935, 8), (387635, 32), (388175, 4), (391267, 4), (435476, 4),
    (441355, 32), (446725, 8), (470625, 64), (535464, 16), (545799, 1),
]  # fmt: skip
CASE_448_SHA256 = "df23544f430155c4"
SAMPLE_SHA256 = "5a4136753d05c5bb"


@pytest.fixture(scope="module")
def sample():
    return datasets.sample_path("lfm-hdf")


@pytest.fixture
def case_448(tmp_path, sample):
    data = sample.read_bytes()
    assert hashlib.sha256(data).hexdigest()[:16] == SAMPLE_SHA256, "the sample changed"
    out = bytearray(data)
    for offset, mask in CASE_448_FLIPS:
        out[offset] ^= mask
    assert hashlib.sha256(out).hexdigest()[:16] == CASE_448_SHA256
    path = tmp_path / sample.name
    path.write_bytes(bytes(out))
    return path


def test_case_448_matches_the_harness(tmp_path, sample, case_448):
    damage = pytest.importorskip("tests.robustness.damage")
    fmt = damage.FORMATS["lfm-hdf"]
    cases = damage.make_cases(fmt, sample, 500, zlib.crc32(b"lfm-hdf"), tmp_path / "scratch")
    built = next(c for c in cases if c.index == 448).build(tmp_path / "harness")
    assert built.read_bytes() == case_448.read_bytes()


def test_case_448_is_refused_before_the_library_sees_it(case_448):
    with pytest.raises(FileFormatError, match=r"vdata header \(tag 1962, ref 118\).*4097"):
        check_hdf4_structure(case_448)
    with pytest.raises(FileFormatError, match="4097 values in 4 bytes") as info:
        open_lfm(case_448)
    assert case_448.name in str(info.value)
    assert not lfm._sniff(case_448)


def test_a_crash_of_the_hdf4_library_is_an_error(case_448, monkeypatch):
    # without the Python checks, libhdf4 dies on this file: in the child, not in us
    monkeypatch.setattr(lfm, "check_hdf4_structure", lambda path: None)
    with pytest.raises(FileFormatError, match="the HDF4 library crashed reading"):
        open_lfm(case_448)
    assert not lfm._sniff(case_448)


def test_the_undamaged_sample_passes_the_checks(sample):
    check_hdf4_structure(sample)
    assert open_lfm(sample).Bz.shape == (1, 20, 14, 20)  # and the child is usable again


def _blocks(data: bytes) -> list[int]:
    out, block = [], 4
    while block:
        out.append(block)
        block = struct.unpack_from(">i", data, block + 2)[0]
    return out


def _write(tmp_path, data: bytearray):
    path = tmp_path / "damaged_mhd_2013-09-24T23-26-00Z.hdf"
    path.write_bytes(bytes(data))
    return path


def test_damaged_descriptor_chains(tmp_path, sample):
    data = sample.read_bytes()
    blocks = _blocks(data)
    assert len(blocks) > 1
    loop = bytearray(data)
    struct.pack_into(">i", loop, blocks[-1] + 2, blocks[0])
    with pytest.raises(FileFormatError, match="loops back to offset 4"):
        check_hdf4_structure(_write(tmp_path, loop))
    outside = bytearray(data)
    struct.pack_into(">i", outside, blocks[0] + 2, len(data) + 10)
    with pytest.raises(FileFormatError, match="block at offset .* is outside the file"):
        open_lfm(_write(tmp_path, outside))
    count = bytearray(data)
    struct.pack_into(">h", count, blocks[-1], 32000)
    with pytest.raises(FileFormatError, match="declares 32000 descriptors"):
        open_lfm(_write(tmp_path, count))
    element = bytearray(data)
    struct.pack_into(">i", element, blocks[0] + 6 + 8, len(data))  # descriptor 0's length
    with pytest.raises(FileFormatError, match="descriptor 0 of the block at offset 4"):
        open_lfm(_write(tmp_path, element))
    magic = bytearray(data)
    magic[0] ^= 1
    with pytest.raises(FileFormatError, match="magic"):
        check_hdf4_structure(_write(tmp_path, magic))


def test_descriptor_tag_pyhdf_reads_as_valueerror(tmp_path, sample):
    """Found by the independent fuzzer (tests/fuzz, lfm-hdf4 case 114 of its first run): the
    int16 -2 at byte 120 (a data descriptor's tag) makes pyhdf raise ``ValueError("SDreaddata
    failure")`` instead of HDF4Error; it is a FileFormatError naming the dataset."""
    data = bytearray(sample.read_bytes())
    assert hashlib.sha256(data).hexdigest()[:16] == SAMPLE_SHA256, "the sample changed"
    struct.pack_into(">h", data, 120, -2)
    with pytest.raises(FileFormatError, match=r"cannot read \w+ \(SDreaddata failure\)"):
        open_lfm(_write(tmp_path, data)).load()
