"""geospacexr.superdarn.write: DMAP written back byte for byte, atomically, plain or bzip2."""

from __future__ import annotations

import bz2
import json
import warnings

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr.errors import IncompatibleInputError, InvalidArgumentError
from geospacexr.io.dmap import read_dmap_bytes
from geospacexr.superdarn import dmap_bytes, write

FILES = [
    "darn-dmap/test.fitacf",
    "darn-dmap/test.grid",
    "darn-dmap/test.iqdat.bz2",
    "darn-dmap/test.map",
    "darn-dmap/test.rawacf",
    "darn-dmap/test.snd",
    "pydarn/test.fitacf.bz2",
    "pydarn/test.grd",
    "pydarn/test.north.mp",
    "pydarn/test.rawacf.bz2",
]


def _open(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the real files are intact: no DataWarning
        return geospacexr.open_superdarn(path, mode="strict")


def test_every_real_file_is_listed(superdarn_data):
    found = sorted(
        str(p.relative_to(superdarn_data)).replace("\\", "/")
        for p in superdarn_data.rglob("*")
        if p.is_file() and p.suffix != ".md"
    )
    assert found == sorted(FILES)


@pytest.mark.parametrize("name", FILES)
def test_real_file_round_trips_byte_for_byte(superdarn_data, tmp_path, name):
    src = superdarn_data / name
    original, problem = read_dmap_bytes(src)
    assert problem is None
    ds = _open(src)
    assert dmap_bytes(ds) == bytes(original)
    out = write(ds, tmp_path / src.name.removesuffix(".bz2"))
    assert out.read_bytes() == bytes(original)
    # and what was written reads back to the same Dataset, bit for bit
    again = _open(out)
    xr.testing.assert_identical(again.drop_attrs(deep=False), ds.drop_attrs(deep=False))


@pytest.mark.parametrize("name", ["darn-dmap/test.fitacf", "pydarn/test.grd"])
def test_bz2_path_compresses(superdarn_data, tmp_path, name):
    src = superdarn_data / name
    ds = _open(src)
    out = write(ds, tmp_path / "copy.bz2")
    raw = out.read_bytes()
    assert raw.startswith(b"BZh")
    assert bz2.decompress(raw) == bytes(read_dmap_bytes(src)[0])


def test_map_doubles_are_not_narrowed(superdarn_data, tmp_path):
    """darn-dmap 0.8 rounds double scalars through float32; we keep all 64 bits."""
    ds = _open(superdarn_data / "darn-dmap/test.map")
    assert ds["chi.sqr"].attrs["dmap_type"] == 8
    ds["chi.sqr"].values[:] = 1 / 3
    again = _open(write(ds, tmp_path / "third.map"))
    assert again["chi.sqr"].values[0] == 1 / 3
    assert float(np.float32(1 / 3)) != 1 / 3  # the test could tell a float32 round trip


def test_writing_twice_replaces_instead_of_appending(superdarn_data, tmp_path):
    ds = _open(superdarn_data / "darn-dmap/test.snd")
    out = tmp_path / "twice.snd"
    write(ds, out)
    first = out.read_bytes()
    write(ds, out)
    assert out.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["twice.snd"]  # no temporary left


def test_edited_values_and_subsets_are_written(superdarn_data, tmp_path):
    ds = _open(superdarn_data / "pydarn/test.fitacf.bz2")
    part = ds.isel(time=slice(10, 20)).copy(deep=True)
    part["v"].values[:] = np.where(np.isnan(part["v"].values), np.nan, 123.0)
    again = _open(write(part, tmp_path / "part.fitacf"))
    assert again.sizes["time"] == 10
    np.testing.assert_array_equal(again.time.values, ds.time.values[10:20])
    np.testing.assert_array_equal(np.isnan(again.v.values), np.isnan(part.v.values))
    assert set(np.unique(again.v.values[~np.isnan(again.v.values)])) == {123.0}
    assert again["v"].dtype == np.float32


def test_kind_is_checked(superdarn_data, tmp_path):
    ds = _open(superdarn_data / "darn-dmap/test.snd")
    with pytest.raises(IncompatibleInputError, match="holds snd"):
        write(ds, tmp_path / "x.fitacf", kind="fitacf")
    with pytest.raises(InvalidArgumentError, match="kind"):
        write(ds, tmp_path / "x.fitacf", kind="fit")
    assert not list(tmp_path.iterdir())


def test_a_dataset_without_time_is_refused(tmp_path):
    with pytest.raises(InvalidArgumentError, match="time"):
        write(xr.Dataset({"a": ("x", [1])}), tmp_path / "x.fitacf")


def test_reachable_from_the_package():
    assert geospacexr.superdarn.write is write


def test_integers_that_do_not_fit_their_dmap_type_are_refused(superdarn_data, tmp_path):
    """The writer packs whole columns at once: an edit out of the field's range is an error."""
    ds = _open(superdarn_data / "darn-dmap/test.fitacf")
    big = ds.copy(deep=True)
    big["bmnum"] = big["bmnum"].astype("i4")  # attrs keep dmap_type 2: a DMAP short
    big["bmnum"].values[0] = 40000
    with pytest.raises(InvalidArgumentError, match=r"'bmnum' holds values outside"):
        write(big, tmp_path / "big.fitacf")
    half = ds.copy(deep=True)
    half["slist"] = half["slist"].astype("f8")
    half["slist"].values[0, 0] = 2.5
    with pytest.raises(InvalidArgumentError, match=r"'slist' holds values that are not integers"):
        write(half, tmp_path / "half.fitacf")
    assert not list(tmp_path.iterdir())


def test_records_with_and_without_fields_side_by_side(superdarn_data, tmp_path):
    """Records with and without gates or a field, written together, read back as they were."""
    import struct

    from geospacexr.io.dmap import _record_fields

    ds = _open(superdarn_data / "pydarn/test.fitacf.bz2")
    mixed = ds.isel(time=[3, 0, 7]).copy(deep=True)
    mixed["v"].values[1] = np.nan  # no gate of record 1 keeps a velocity: v absent there
    mixed["slist"].values[2, :] = -1  # record 2 reports no gate: no range array at all
    data = dmap_bytes(mixed)
    path = tmp_path / "mixed.fitacf"
    path.write_bytes(data)
    back = geospacexr.open_superdarn(path, mode="strict")
    assert back.sizes["time"] == 3
    assert np.isnan(back.v.values[1]).all() and not np.isnan(back.p_l.values[1]).all()
    assert (back.slist.values[2] == -1).all() and np.isnan(back.p_l.values[2]).all()
    np.testing.assert_array_equal(back.ptab.values, mixed.ptab.values)
    names, pos = [], 0
    while pos < len(data):
        _, size, ns, na = struct.unpack_from("<iiii", data, pos)
        scalars, arrays = _record_fields(data, pos, pos + size, ns, na)
        names.append([a[0] for a in arrays])
        assert [s[0] for s in scalars] == json.loads(ds.attrs["dmap_fields"])["scalars"]
        pos += size
    assert "v" in names[0] and "v" not in names[1] and "p_l" in names[1]
    assert names[2] == ["ptab", "ltab", "pwr0"]
