"""The ``superdarn`` Dataset of :func:`geospacexr.open_superdarn`: layout, detection, many files."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import geospacexr
from geospacexr.errors import IncompatibleInputError, InvalidArgumentError
from geospacexr.io.registry import find_reader

FILES = {
    "darn-dmap/test.fitacf": "fitacf",
    "darn-dmap/test.rawacf": "rawacf",
    "darn-dmap/test.iqdat.bz2": "iqdat",
    "darn-dmap/test.snd": "snd",
    "darn-dmap/test.grid": "grid",
    "darn-dmap/test.map": "map",
    "pydarn/test.fitacf.bz2": "fitacf",
    "pydarn/test.rawacf.bz2": "rawacf",
    "pydarn/test.grd": "grid",
    "pydarn/test.north.mp": "map",
}


def _file(superdarn_data, name):
    path = superdarn_data / name
    if not path.is_file():
        pytest.skip(f"{path} absent")
    return path


@pytest.mark.parametrize("name", sorted(FILES))
def test_open_detects_the_reader_and_type_by_content(name, superdarn_data, tmp_path):
    path = _file(superdarn_data, name)
    # a name that says nothing: content alone (bzip2 too) picks the reader and the type
    blind = tmp_path / "records.dat"
    shutil.copyfile(path, blind)
    assert find_reader(blind).name == "superdarn-dmap"
    ds = geospacexr.open(blind)
    assert ds.attrs["geospacexr_kind"] == "superdarn"
    assert ds.attrs["superdarn_type"] == FILES[name]
    assert ds.time.dtype == np.dtype("datetime64[ns]")
    assert not np.isnat(ds.time.values).any()
    assert json.loads(ds.attrs["source_files"]) == ["records.dat"]


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_file_round_trips_through_netcdf(name, superdarn_data, tmp_path):
    ds = geospacexr.open_superdarn(_file(superdarn_data, name))
    out = tmp_path / "out.nc"
    ds.to_netcdf(out)
    import xarray as xr

    with xr.open_dataset(out) as back:
        back.load()
    xr.testing.assert_identical(back, ds)


def test_fitacf_layout(superdarn_data):
    ds = geospacexr.open_superdarn(_file(superdarn_data, "pydarn/test.fitacf.bz2"))
    assert ds.sizes["time"] == 100
    assert str(ds.time.values[0]).startswith("2018-04-04T06:01")
    assert ds.attrs["station_id"] == 10
    assert ds.v.dims == ("time", "range_gate")
    assert ds.v.attrs["units"] == "m/s"
    assert ds.bmnum.dims == ("time",) and ds.bmnum.dtype == np.int16
    assert ds.sizes["range_gate"] >= int(ds.nrang.max())
    # the slist mechanism: values exactly at the reported gates, NaN everywhere else
    for r in (0, 50, 99):
        gates = ds.slist.values[r]
        gates = gates[gates >= 0]
        reported = np.zeros(ds.sizes["range_gate"], bool)
        reported[gates] = True
        assert np.isfinite(ds.v.values[r, reported]).all()
        assert np.isnan(ds.v.values[r, ~reported]).all()
        assert np.isnan(ds.gflg.values[r, ~reported]).all()
        assert set(np.unique(ds.gflg.values[r, reported])) <= {0.0, 1.0}
    # two interleaved modes in this file (pyDARN docs): channel 1 sweeps, channel 2 camps
    assert set(np.unique(ds.channel.values)) == {1, 2}


def test_rawacf_and_iqdat_keep_their_lag_and_sample_dims(superdarn_data):
    raw = geospacexr.open_superdarn(_file(superdarn_data, "darn-dmap/test.rawacf"))
    assert raw.acfd.dims == ("time", "range_gate", "lag", "reim")
    assert list(raw.reim.values) == ["re", "im"]
    assert raw.sizes["lag"] == int(raw.mplgs.max())
    assert raw.ltab.dims == ("time", "ltab_lag", "ltab_pulse")
    assert raw.pwr0.dims == ("time", "range_gate")
    iq = geospacexr.open_superdarn(_file(superdarn_data, "darn-dmap/test.iqdat.bz2"))
    assert iq.data.dims == ("time", "sequence", "iq_channel", "sample", "iq")
    # 16 and 26 sequences: the shorter record is NaN-padded, so int16 samples become float32
    assert list(iq.seqnum.values) == [16, 26]
    assert iq.data.dtype == np.float32
    assert np.isnan(iq.data.values[0, 16:]).all() and not np.isnan(iq.data.values[1]).any()
    assert iq.data.attrs["dmap_type"] == 2  # int16 in the file
    assert iq.sizes["sequence"] == int(iq.seqnum.max())
    assert iq.sizes["sample"] == int(iq.smpnum.max())
    assert iq.tsc.dims == ("time", "sequence")


def test_grid_and_map_vectors_are_a_flat_table_with_their_record(superdarn_data):
    grid = geospacexr.open_superdarn(_file(superdarn_data, "pydarn/test.grd"))
    assert grid.sizes["time"] == 25
    assert grid["vector.mlat"].dims == ("vector",)
    counts = np.bincount(grid.vector_record.values, minlength=25)
    # each record's vectors: as many as its radars' nvec add up to
    np.testing.assert_array_equal(counts, np.nansum(grid.nvec.values, axis=1).astype(int))
    np.testing.assert_array_equal(grid.vector_time.values, grid.time.values[grid.vector_record])
    assert grid.stid.dims == ("time", "radar")
    assert grid.end_time.dtype == np.dtype("datetime64[ns]")
    assert (grid.end_time.values > grid.time.values).all()
    mp = geospacexr.open_superdarn(_file(superdarn_data, "pydarn/test.north.mp"))
    assert mp.attrs["hemisphere"] == "north"
    order = int(mp["fit.order"].values[0])
    assert mp["N+2"].dims == ("time", "coefficient")
    assert mp.sizes["coefficient"] == (order + 1) ** 2
    assert mp["model.mlat"].dims == ("model_vector",)
    assert mp["boundary.mlat"].dims == ("boundary_point",)
    # optional fields of this file that darn-dmap's own test.map lacks are kept
    for key in ("IMF.Kp", "model.name", "noigrf"):
        assert key in mp


def test_many_files_concatenate_in_time(superdarn_data, tmp_path):
    src = _file(superdarn_data, "darn-dmap/test.fitacf")
    a, b = tmp_path / "20221107.1800.00.a.fitacf", tmp_path / "20221107.2000.00.a.fitacf"
    shutil.copyfile(src, a)
    shutil.copyfile(src, b)
    one = geospacexr.open_superdarn(a)
    both = geospacexr.open_superdarn(tmp_path / "*.fitacf")
    assert both.sizes["time"] == 2 * one.sizes["time"]
    np.testing.assert_array_equal(both.v.values[2:], one.v.values)
    assert json.loads(both.attrs["source_files"]) == [a.name, b.name]


def test_different_types_and_wrong_kind_are_refused(superdarn_data):
    fit = _file(superdarn_data, "darn-dmap/test.fitacf")
    grid = _file(superdarn_data, "darn-dmap/test.grid")
    with pytest.raises(IncompatibleInputError, match="fitacf, grid"):
        geospacexr.open_superdarn([fit, grid])
    with pytest.raises(IncompatibleInputError, match="kind='map'"):
        geospacexr.open_superdarn(fit, kind="map")
    assert geospacexr.open_superdarn(fit, kind="fitacf").attrs["superdarn_type"] == "fitacf"
    with pytest.raises(InvalidArgumentError, match="kind"):
        geospacexr.open_superdarn(fit, kind="fit")
    with pytest.raises(InvalidArgumentError, match="mode"):
        geospacexr.open_superdarn(fit, mode="loose")


def test_reader_is_registered():
    specs = geospacexr.io.readers()
    assert specs["superdarn-dmap"].kind == "superdarn"
    assert "superdarn-dmap" in geospacexr.io.list_readers()


def _with_extra_fields(src, tmp_path):
    """``src`` with an unknown int32 scalar and an unknown float32 array added to record 0."""
    import struct

    data = src.read_bytes()
    code, size, ns, na = struct.unpack_from("<iiii", data, 0)
    scalar = b"foo.bar\0" + struct.pack("<bi", 3, 7)
    array = b"foo.arr\0" + struct.pack("<biif", 4, 1, 1, 1.5)
    grown = size + len(scalar) + len(array)
    first = struct.pack("<iiii", code, grown, ns + 1, na + 1) + scalar + data[16:size] + array
    path = tmp_path / "extra.fitacf"
    path.write_bytes(first + data[size:])
    return path


def test_unknown_fields_are_kept(superdarn_data, tmp_path):
    """darn-dmap 0.8's read_fitacf refuses such a file ("Unsupported fields"); we keep them."""
    src = _file(superdarn_data, "darn-dmap/test.fitacf")
    ds = geospacexr.open_superdarn(_with_extra_fields(src, tmp_path), mode="strict")
    assert ds["foo.bar"].values[0] == 7 and np.isnan(ds["foo.bar"].values[1])
    assert ds["foo.arr"].dims == ("time", "foo_arr_dim0")
    assert ds["foo.arr"].values[0, 0] == 1.5 and np.isnan(ds["foo.arr"].values[1, 0])
    plain = geospacexr.open_superdarn(src)
    np.testing.assert_array_equal(ds.v.values, plain.v.values)
