"""The ASI grid reader on hostile files: wrong attribute types and shapes, a damaged global heap.

Each case is built in ``tmp_path`` from the sample grid file; every one must end in a
``FileFormatError`` naming the file and what was wrong, never a ``ValueError`` from ``float()``,
a broadcasting error later, or a hang inside libhdf5.
"""

import shutil
import struct
import subprocess
import sys
import textwrap

import h5py
import numpy as np
import pytest

import geospacexr
from geospacexr import datasets
from geospacexr.errors import FileFormatError
from geospacexr.io.h5safe import check_global_heaps, read_strings

NAME = "20140310_0600_110km_MOSv001_grid_themis-asi.h5"


@pytest.fixture
def grid(tmp_path):
    path = tmp_path / NAME
    shutil.copyfile(datasets.sample_path("themis-grid"), path)
    return path


def _objects(data: bytes):
    """(offset, index, size) of every object of the first global heap collection."""
    start = data.index(b"GCOL\x01")
    (total,) = struct.unpack_from("<Q", data, start + 8)
    p, out = start + 16, []
    while p + 16 <= start + total:
        index, _, _, size = struct.unpack_from("<HHIQ", data, p)
        out.append((p, index, size))
        if index == 0:
            break
        p += 16 + -(-size // 8) * 8
    return start, total, out


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("fill_value", "not a number"),
        ("min_latitude", "north"),
        ("degrees_per_grid_cell", "fine"),
        ("altitude_km", "high"),
    ],
)
def test_text_where_a_number_belongs(grid, key, value):
    with h5py.File(grid, "r+") as f:
        f["metadata/file"].attrs[key] = value
    with pytest.raises(FileFormatError, match=rf"{NAME}.*attribute {key}.*{value!r}"):
        geospacexr.open_asi_grid(grid)


def test_array_where_one_number_belongs(grid):
    with h5py.File(grid, "r+") as f:
        f["metadata/file"].attrs["altitude_km"] = np.array([110.0, 150.0])
    with pytest.raises(FileFormatError, match=r"altitude_km must be one number.*shape \(2,\)"):
        geospacexr.open_asi_grid(grid)


def test_out_of_range_and_crossed_bounds(grid):
    with h5py.File(grid, "r+") as f:
        f["metadata/file"].attrs["min_latitude"] = "95"
    with pytest.raises(FileFormatError, match=r"min_latitude is 95.0, outside"):
        geospacexr.open_asi_grid(grid)
    with h5py.File(grid, "r+") as f:
        f["metadata/file"].attrs["min_latitude"] = "60"
        f["metadata/file"].attrs["max_latitude"] = "10"
    with pytest.raises(FileFormatError, match="do not bound a grid"):
        geospacexr.open_asi_grid(grid)


def test_numbers_stored_as_numbers_are_read(grid):
    with h5py.File(grid, "r+") as f:
        f["metadata/file"].attrs["altitude_km"] = np.float64(150.0)
        f["metadata/file"].attrs["fill_value"] = np.int32(-999)
    g = geospacexr.open_asi_grid(grid)
    assert g.attrs["altitude_km"] == 150.0
    assert np.isnan(g.image.values).any()  # the fill still becomes NaN


def test_confidence_of_the_wrong_shape(grid):
    with h5py.File(grid, "r+") as f:
        del f["data/source_info/confidence"]
        f["data/source_info/confidence"] = np.ones((2, 2), dtype=np.float32)
    with pytest.raises(FileFormatError, match=r"confidence has shape \(2, 2\), expected"):
        geospacexr.open_asi_grid(grid)


def test_grid_of_text(grid):
    with h5py.File(grid, "r+") as f:
        del f["data/grid"]
        f["data/grid"] = np.array([[[b"a"] * 5]])
    with pytest.raises(FileFormatError, match="/data/grid holds .S1 values, expected numbers"):
        geospacexr.open_asi_grid(grid)


def test_numeric_and_unparseable_timestamps(grid):
    with h5py.File(grid, "r+") as f:
        del f["data/timestamp"]
        f["data/timestamp"] = np.arange(5.0)
    with pytest.raises(FileFormatError, match="/data/timestamp holds float64 values"):
        geospacexr.open_asi_grid(grid)
    with h5py.File(grid, "r+") as f:
        del f["data/timestamp"]
        f["data/timestamp"] = ["yesterday"] * 5
    with pytest.raises(FileFormatError, match="/data/timestamp holds 'yesterday', not a time"):
        geospacexr.open_asi_grid(grid)


def test_empty_timestamps_are_skipped_and_reported(grid):
    """Found by the independent fuzzer (tests/fuzz, asi-grid-h5): empty ``/data/timestamp``
    strings parse as NaT; such frames are skipped and reported, all of them is an error (they
    were returned as frames with no time and nothing reported)."""
    with h5py.File(grid, "r") as f:
        stamps = [s.decode() for s in f["data/timestamp"][()]]
    with h5py.File(grid, "r+") as f:
        del f["data/timestamp"]
        f.create_dataset("data/timestamp", data=[""] * len(stamps), dtype=h5py.string_dtype())
    with pytest.raises(FileFormatError, match="every timestamp is empty or not a time"):
        geospacexr.open_asi_grid(grid)
    with h5py.File(grid, "r+") as f:
        del f["data/timestamp"]
        f.create_dataset("data/timestamp", data=["", *stamps[1:]], dtype=h5py.string_dtype())
    with pytest.warns(geospacexr.errors.DataWarning, match="1 of 5 frame"):
        ds = geospacexr.open_asi_grid(grid)
    assert ds.sizes["time"] == len(stamps) - 1 and not np.isnat(ds.time.values).any()
    assert "empty timestamp" in ds.attrs["problematic_files"]


def test_grid_shape_against_timestamps(grid):
    with h5py.File(grid, "r+") as f:
        del f["data/timestamp"]
        f["data/timestamp"] = ["2014-03-10 06:00:00 UTC"] * 3
    with pytest.raises(FileFormatError, match=r"for 3 timestamps"):
        geospacexr.open_asi_grid(grid)


_CHILD = textwrap.dedent(
    """
    import sys, geospacexr
    from geospacexr.errors import FileFormatError
    try:
        geospacexr.open_asi_grid(sys.argv[1])
    except FileFormatError as exc:
        print("REFUSED", exc)
    else:
        print("OPENED")
    """
)


def _open_in_child(path):
    """Open in a child process: a regression to the libhdf5 loop fails instead of hanging."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("length", [16, 4096])
def test_zeroed_heap_object_is_refused_not_a_hang(grid, length):
    """The robustness harness's cases 114 and 270: zeroed bytes inside the global heap.

    A zeroed object header reads as free space of size 0, which libhdf5's collection walk never
    leaves (``f['data/timestamp'][()]`` hangs).
    """
    data = bytearray(grid.read_bytes())
    _, _, objects = _objects(bytes(data))
    offset = objects[len(objects) // 2][0]  # an object header in the middle of the collection
    data[offset : offset + length] = bytes(min(length, len(data) - offset))
    grid.write_bytes(bytes(data))
    out = _open_in_child(grid)
    assert out.startswith("REFUSED") and "free-space object" in out and NAME in out


def test_heap_collection_past_the_end_of_the_file(grid):
    data = bytearray(grid.read_bytes())
    start, _, _ = _objects(bytes(data))
    data[start + 8 : start + 16] = struct.pack("<Q", 10 * len(data))
    grid.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match="outside the file"):
        check_global_heaps(grid)


def test_heap_object_overrunning_its_collection(grid):
    data = bytearray(grid.read_bytes())
    _, total, objects = _objects(bytes(data))
    offset = objects[0][0]
    data[offset + 8 : offset + 16] = struct.pack("<Q", total)
    grid.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match="overruns the collection"):
        check_global_heaps(grid)


def test_intact_files_pass_the_heap_check(grid, shared_data):
    assert check_global_heaps(grid) >= 1
    assert check_global_heaps(shared_data / "asi/20230324_0600_110km_MOSv001_grid_themis-asi.h5")
    with h5py.File(grid, "r") as f:
        stamps = read_strings(f["data/timestamp"], grid)
    assert len(stamps) == 5 and stamps[0].endswith("UTC")


def test_undecodable_attribute_bytes_still_round_trip_to_netcdf(grid, tmp_path):
    with h5py.File(grid, "r+") as f:
        f["metadata/file"].attrs["comment"] = b"\xff\xfe"
        f["metadata/frame/frame0"].attrs["clear_sites"] = b"gill\xe9"
    g = geospacexr.open_asi_grid(grid)
    g.to_netcdf(tmp_path / "out.nc")  # lone surrogates would raise UnicodeEncodeError here
    assert g.attrs["comment"] == "\xff\xfe" and g.clear_sites.values[0] == "gill\xe9"


def test_a_grid_larger_than_the_memory_limit_is_refused_before_reading(grid, tmp_path):
    from geospacexr import config

    with config.override({"io.max_decompressed_mb": 10}):  # the sample needs 20 MB
        with pytest.raises(FileFormatError, match=r"needs 20 MB .*io.max_decompressed_mb"):
            geospacexr.open_asi_grid(grid)
    # a file declaring 100,000 frames (a few kB on disk) is refused the same way
    big = tmp_path / "big" / NAME
    big.parent.mkdir()
    with h5py.File(big, "w") as f:
        f.create_dataset("data/grid", shape=(512, 1024, 10**5), dtype="f4", chunks=(8, 8, 8))
        f["data/timestamp"] = np.array([b"2014-03-10 06:00:00 UTC"] * 10**5, dtype=object)
    with pytest.raises(FileFormatError, match="io.max_decompressed_mb"):
        geospacexr.open_asi_grid(big)


@pytest.mark.parametrize("variable", ["data/grid", "data/source_info/confidence"])
@pytest.mark.parametrize("damage", ["overlong", "flipped"])
def test_damaged_compressed_chunk_is_refused_before_libhdf5_decodes_it(grid, variable, damage):
    """A chunk whose deflate stream is damaged (flipped bits; or inflating past the chunk's
    size, the damage behind the harness's segfaults in libhdf5) is found by the Python check."""
    import zlib

    with h5py.File(grid, "r") as f:
        ds = f[variable]
        info = ds.id.get_chunk_info(1)
        nbytes = int(np.prod(ds.chunks)) * ds.dtype.itemsize
    data = bytearray(grid.read_bytes())
    at, size = info.byte_offset, info.size
    if damage == "overlong":
        stream = zlib.compress(b"\0" * (nbytes + 4096))
        assert len(stream) <= size
        data[at : at + len(stream)] = stream
    else:
        data[at + size // 2] ^= 0x08
    grid.write_bytes(bytes(data))
    index = tuple(int(o) // int(c) for o, c in zip(info.chunk_offset, ds.chunks, strict=True))
    with pytest.raises(FileFormatError) as caught:
        geospacexr.open_asi_grid(grid)
    message = str(caught.value)
    assert NAME in message and f"variable /{variable}: storage chunk {index}" in message
    assert ("inflates to" if damage == "overlong" else "inflate") in message
