import h5py
import numpy as np
import pytest

import geospacexr
from geospacexr import datasets
from geospacexr.errors import DataWarning, FileFormatError


def test_rgb_h5_sample_orientation_and_metadata():
    folder = datasets.sample_path("trex_rgb-gill")
    files = sorted(folder.glob("*.h5"))
    ds = geospacexr.open_asi(files)
    assert ds.image.shape == (40, 480, 553, 3) and ds.image.dtype == np.uint8
    assert (
        ds.attrs["instrument"] == "trex_rgb"
        and ds.attrs["site"] == "gill"
        and ds.attrs["imager"] == "rgb-04"
    )
    with h5py.File(files[1], "r") as f:
        raw = f["data"]["images"][:, :, :, 3]
        stamp = f["data"]["timestamp"][3].decode()
    # pyucalgarysrs orientation: rows flipped
    np.testing.assert_array_equal(ds.image.values[23], raw[::-1])
    assert str(ds.time.values[23])[:26] == stamp.replace(" ", "T").removesuffix(" UTC")[:26]
    assert ds.exposure_ms.values[0] == pytest.approx(2997.0)


def test_smile_single_frame_file(tmp_path):
    path = tmp_path / "20230101_060000_123456_luck_smile-01_raw.h5"
    frame = np.random.default_rng(1).integers(0, 255, (100, 120, 3), dtype=np.uint8)
    with h5py.File(path, "w") as f:
        f.create_dataset("data/images", data=frame)
        f.create_dataset("data/timestamp", data=np.array([b"2023-01-01 06:00:00.123456 UTC"]))
        f.create_dataset("metadata/file", shape=(0,), dtype="f4").attrs["site_unique_id"] = (
            np.array([b"luck"])
        )
        f.create_dataset("metadata/frame/frame0", shape=(0,), dtype="f4").attrs[
            "image_request_start"
        ] = np.array([b"2023-01-01 06:00:00.123456 UTC"])
    ds = geospacexr.open_asi(path)
    assert ds.attrs["instrument"] == "smile" and ds.attrs["site"] == "luck"
    np.testing.assert_array_equal(ds.image.values[0], frame[::-1])


def test_damaged_and_incomplete_files(tmp_path):
    good = sorted(datasets.sample_path("trex_rgb-gill").glob("*.h5"))[0]
    cut = tmp_path / good.name.replace("0605", "0606")
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    with pytest.warns(DataWarning, match="cannot read the HDF5 file"):
        ds = geospacexr.open_asi([good, cut])
    assert ds.sizes["time"] == 20
    empty = tmp_path / "20211030_0607_gill_rgb-04_full.h5"
    with h5py.File(empty, "w") as f:
        f.create_dataset("data/other", data=[1])
    with pytest.raises(FileFormatError, match=r"no /data/images"):
        geospacexr.open_asi(empty)


def test_zeroed_global_heap_object_is_refused_not_a_hang(tmp_path):
    """Zeroed bytes inside the variable-length string heap (timestamps, string attributes) make
    libhdf5 loop forever on the first string read: the reader refuses the file first."""
    import shutil
    import struct
    import subprocess
    import sys

    good = sorted(datasets.sample_path("trex_rgb-gill").glob("*.h5"))[0]
    path = tmp_path / good.name
    shutil.copyfile(good, path)
    data = bytearray(path.read_bytes())
    start = data.index(b"GCOL\x01")
    (total,) = struct.unpack_from("<Q", data, start + 8)
    p, objects = start + 16, []
    while p + 16 <= start + total:
        index, _, _, size = struct.unpack_from("<HHIQ", data, p)
        if index == 0:
            break
        objects.append(p)
        p += 16 + -(-size // 8) * 8
    offset = objects[len(objects) // 2]
    data[offset : offset + 16] = bytes(16)
    path.write_bytes(bytes(data))
    child = (
        "import sys, geospacexr\n"
        "from geospacexr.errors import GeospacexrError\n"
        "try:\n"
        "    geospacexr.open_asi(sys.argv[1])\n"
        "except GeospacexrError as exc:\n"
        "    print('REFUSED', exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", child, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("REFUSED") and "free-space object" in done.stdout
    assert good.name in done.stdout


def test_frames_first_is_the_flipped_frame_major_copy():
    from geospacexr.io.h5asi import _frames_first

    rng = np.random.default_rng(3)
    for shape in [(7, 5, 3, 4), (480, 553, 3, 20), (1, 1, 3, 1), (300, 2, 3, 1)]:
        data = rng.integers(0, 255, shape, dtype=np.uint8)
        got = _frames_first(data)
        assert got.flags.c_contiguous
        np.testing.assert_array_equal(got, np.moveaxis(data, -1, 0)[:, ::-1])


def _chunked_rgb(path, frames=12, per_chunk=4, damage_chunk=None):
    """A TREx-RGB-like file whose images are chunked ``per_chunk`` frames at a time."""
    pixels = np.arange(30 * 20 * 3 * frames, dtype=np.uint32).reshape(30, 20, 3, frames) % 251
    stamps = [f"2021-10-30 06:05:{3 * k:02d}.000000 UTC".encode() for k in range(frames)]
    with h5py.File(path, "w") as f:
        f.create_dataset("data/images", data=pixels.astype(np.uint8),
                         chunks=(30, 20, 3, per_chunk), compression="gzip")  # fmt: skip
        f.create_dataset("data/timestamp", data=np.array(stamps))
        offsets = [f["data/images"].id.get_chunk_info(k).byte_offset for k in range(3)]
    if damage_chunk is not None:
        raw = bytearray(path.read_bytes())
        at = offsets[damage_chunk] + 2
        raw[at : at + 40] = bytes(40)  # the deflate stream of that chunk
        path.write_bytes(bytes(raw))
    return pixels.astype(np.uint8)


def test_a_damaged_chunk_skips_its_frames_only_reading_each_chunk_once(tmp_path, monkeypatch):
    path = tmp_path / "20211030_0605_gill_rgb-04_full.h5"
    pixels = _chunked_rgb(path, damage_chunk=1)
    reads = []
    real = h5py.Dataset.__getitem__

    def counting(self, key):
        if self.name == "/data/images":
            reads.append(key)
        return real(self, key)

    monkeypatch.setattr(h5py.Dataset, "__getitem__", counting)
    with pytest.warns(DataWarning, match=r"frame\(s\) 5, 6, 7, 8 cannot be decoded"):
        ds = geospacexr.open_asi(path)
    assert ds.sizes["time"] == 8
    kept = [0, 1, 2, 3, 8, 9, 10, 11]
    np.testing.assert_array_equal(ds.image.values, np.moveaxis(pixels[..., kept], -1, 0)[:, ::-1])
    # one read of everything, then one per chunk (not one per frame)
    assert len(reads) == 1 + 3


def _smile(path, stamps, request_starts):
    frames = len(stamps)
    with h5py.File(path, "w") as f:
        f.create_dataset("data/images", data=np.zeros((8, 6, 3, frames), np.uint8))
        f.create_dataset("data/timestamp", data=np.array(stamps))
        for i, start in enumerate(request_starts):
            f.create_dataset(f"metadata/frame/frame{i}", shape=(0,), dtype="f4").attrs[
                "image_request_start"
            ] = np.bytes_(start)


def test_an_empty_frame_time_attribute_keeps_the_timestamp(tmp_path):
    """Fuzz smile-h5 445: empty attributes gave a NaT frame time, read without a word."""
    path = tmp_path / "20250315_060224_000049_atha_smile-31_raw.h5"
    _smile(path, [b"2025-03-15 06:02:24.000049 UTC"] * 2, [b"", b"2025-03-15 06:02:27 UTC"])
    ds = geospacexr.open_asi(path)
    np.testing.assert_array_equal(
        ds.time.values, np.array(["2025-03-15T06:02:24.000049", "2025-03-15T06:02:27"], "M8[ns]")
    )


def test_frames_without_any_time_are_skipped_and_reported(tmp_path):
    path = tmp_path / "20250315_060224_000049_atha_smile-31_raw.h5"
    _smile(path, [b"2025-03-15 06:02:24 UTC", b""], [b"", b""])
    with pytest.warns(DataWarning, match=r"1 frame\(s\) without a time \(skipped\)"):
        ds = geospacexr.open_asi(path)
    assert ds.sizes["time"] == 1 and not np.isnat(ds.time.values).any()
