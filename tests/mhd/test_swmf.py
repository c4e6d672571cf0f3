"""The SWMF / BATS-R-US IDL reader: layouts, flavours, times, names, units and the registry."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from _mhd_frames import analytic, small_frame

import geospacexr
from geospacexr import datasets
from geospacexr._synth import mhd_files
from geospacexr.io.registry import find_reader, list_readers
from geospacexr.io.swmf import open_swmf

STD = ("D", "Vx", "Vy", "Vz", "Bx", "By", "Bz", "P", "Jx", "Jy", "Jz")


@pytest.fixture(scope="module")
def sample():
    return datasets.sample_path("swmf-idl")


def test_3d_sample_is_the_analytic_field(sample):
    ds = open_swmf(sample / mhd_files.SWMF_3D)
    assert ds.attrs["geospacexr_kind"] == "mhd"
    assert ds.attrs["mhd_model"] == "swmf"
    assert ds.attrs["mhd_grid"] == "unstructured"
    assert (ds.attrs["idl_format"], ds.attrs["byte_order"], ds.attrs["precision"]) == (
        "binary", "little", "single",
    )  # fmt: skip
    assert ds.Bz.dims == ("time", "cell") and ds.x.dims == ("cell",)
    assert set(ds.data_vars) == set(STD)
    assert ds.sizes["cell"] == 11264
    assert ds.time.values[0] == np.datetime64("2013-09-24T23:26:00")
    ref = analytic(ds)
    for name in STD:
        np.testing.assert_allclose(
            ds[name].values[0], ref[name], rtol=2e-6, atol=1e-4, err_msg=name
        )
    assert ds.Bz.attrs["units"] == "nT" and ds.Bz.attrs["source_name"] == "bz"
    assert ds.D.attrs["units"] == "cm-3" and ds.D.attrs["source_units"] == "Mp/cc"
    assert ds.Vx.attrs["units"] == "km s-1" and ds.Jx.attrs["units"] == "uA m-2"
    assert ds.x.attrs["units"] == "Re"
    assert json.loads(ds.attrs["idl_parameters"]) == pytest.approx({"g": 1.66667, "rbody": 2.5})


def test_ascii_cut_and_big_endian_double_outs(sample):
    cut = open_swmf(sample / mhd_files.SWMF_Y0)
    assert cut.attrs["idl_format"] == "ascii" and cut.attrs["idl_ndim"] == -2
    assert set(cut.coords) >= {"x", "z"} and "y" not in cut.coords
    # "R R R" heads a 2-D cut's units: the extra one is skipped, as SpacePy does
    assert cut.x.attrs["units"] == "Re" and cut.z.attrs["units"] == "Re"
    assert cut.Bx.attrs["source_units"] == "nT"
    ref = analytic(cut)
    np.testing.assert_allclose(cut.Bz.values[0], ref["Bz"], rtol=1e-7)
    outs = open_swmf(sample / mhd_files.SWMF_Z0)
    assert (outs.attrs["byte_order"], outs.attrs["precision"]) == ("big", "double")
    assert outs.sizes["time"] == 2 and outs.Bz.dtype == np.float64
    np.testing.assert_array_equal(outs.runtime.values, [0.0, 60.0])
    np.testing.assert_array_equal(outs.iteration.values, [0, 120])
    np.testing.assert_array_equal(
        outs.time.values, np.array(["2013-09-24T23:26:00", "2013-09-24T23:27:00"], "M8[ns]")
    )
    np.testing.assert_array_equal(outs.P.values[0], analytic(outs)["P"])


@pytest.mark.parametrize("byteorder", ["<", ">"])
@pytest.mark.parametrize("precision", ["single", "double"])
def test_byte_orders_and_precisions_read_the_same(tmp_path, byteorder, precision):
    frames = [small_frame(0.0, 0), small_frame(30.0, 50)]
    path = mhd_files.write_idl(
        tmp_path / "3d__mhd_1_e20150317-060000-000.outs", frames,
        byteorder=byteorder, precision=precision,
    )  # fmt: skip
    ds = open_swmf(path)
    dtype = np.float32 if precision == "single" else np.float64
    assert ds.Bz.dtype == dtype and ds.x.dtype == dtype
    assert ds.attrs["byte_order"] == {"<": "little", ">": "big"}[byteorder]
    assert ds.attrs["precision"] == precision
    for t, frame in enumerate(frames):
        for v, name in enumerate(STD):
            np.testing.assert_array_equal(ds[name].values[t], frame["values"][v].astype(dtype))
    np.testing.assert_array_equal(ds.y.values, frames[0]["coords"][1].astype(dtype))
    np.testing.assert_array_equal(ds.runtime.values, [0.0, 30.0])
    assert str(ds.time.values[1]) == "2015-03-17T06:00:30.000000000"


@pytest.fixture
def frame3d() -> dict:
    return small_frame()


def test_ascii_flavour(tmp_path, frame3d):
    path = mhd_files.write_idl(tmp_path / "a.out", [frame3d], ascii=True)
    ds = open_swmf(path)
    assert ds.attrs["idl_format"] == "ascii"
    np.testing.assert_allclose(ds.Bz.values[0], frame3d["values"][6], rtol=1e-7)
    assert np.isnat(ds.time.values[0])  # no date in the name, no start_time
    again = open_swmf(path, start_time="2015-03-17T06:00")
    assert again.time.values[0] == np.datetime64("2015-03-17T06:00")


def test_regular_grid_axes_slowest_first(tmp_path):
    xs, ys, zs = np.linspace(-4, 4, 5), np.linspace(-2, 2, 3), np.array([-1.0, 1.0])
    gx, gy, gz = np.meshgrid(xs, ys, zs, indexing="ij")
    coords = np.stack([g.ravel(order="F") for g in (gx, gy, gz)])
    f = mhd_files.fields(*coords)
    frame = {
        "headline": "R R R nT", "iteration": 3, "runtime": 1.5, "ndim": 3, "grid": [5, 3, 2],
        "params": {}, "names": ["x", "y", "z", "bz"], "coords": coords, "values": f["Bz"][None],
    }  # fmt: skip
    ds = open_swmf(mhd_files.write_idl(tmp_path / "box.out", [frame], precision="double"))
    assert ds.attrs["mhd_grid"] == "regular"
    assert ds.Bz.dims == ("time", "z", "y", "x")
    np.testing.assert_array_equal(ds.x.values, xs)
    np.testing.assert_array_equal(ds.y.values, ys)
    np.testing.assert_array_equal(ds.z.values, zs)
    want = mhd_files.magnetic_field(*np.meshgrid(xs, ys, zs, indexing="ij"))[2]
    np.testing.assert_array_equal(ds.Bz.values[0], want.transpose(2, 1, 0))


def test_generalized_grid(tmp_path):
    i, j = np.meshgrid(np.arange(4.0), np.arange(3.0), indexing="ij")
    x, y = (3 + i) * np.cos(j), (3 + i) * np.sin(j)
    coords = np.stack([x.ravel(order="F"), y.ravel(order="F")])
    frame = {
        "headline": "R R nT", "iteration": 0, "runtime": 0.0, "ndim": -2, "grid": [4, 3],
        "params": {}, "names": ["x", "y", "bz"], "coords": coords,
        "values": (coords[0] * 10 + coords[1])[None],
    }  # fmt: skip
    ds = open_swmf(mhd_files.write_idl(tmp_path / "gen.out", [frame], precision="double"))
    assert ds.attrs["mhd_grid"] == "generalized"
    assert ds.Bz.dims == ("time", "j", "i") and ds.x.dims == ("j", "i")
    np.testing.assert_array_equal(ds.x.values, x.T)
    np.testing.assert_array_equal(ds.Bz.values[0], (x * 10 + y).T)


def test_unknown_variables_keep_their_names(tmp_path, frame3d):
    frame3d["names"] = ["x", "y", "z", "Rho", "ux", "uy", "uz", "b1x", "b1y", "b1z", "p",
                        "jx", "jy", "time"]  # fmt: skip
    frame3d["headline"] = "R R R Mp/cc km/s km/s km/s nT nT nT nPa uA/m2 uA/m2 s"
    ds = open_swmf(mhd_files.write_idl(tmp_path / "v.out", [frame3d]))
    assert {"D", "b1x", "b1z", "time_idl"} <= set(ds.data_vars)
    assert ds.D.attrs["source_name"] == "Rho" and ds.time_idl.attrs["source_name"] == "time"


def test_several_files_stack_in_time(tmp_path):
    a = mhd_files.write_idl(tmp_path / "3d__mhd_1_e20150317-060000-000.out", [small_frame()])
    b = mhd_files.write_idl(tmp_path / "3d__mhd_1_e20150317-060100-000.out", [small_frame(60.0)])
    ds = open_swmf([b, a])
    np.testing.assert_array_equal(
        ds.time.values, np.array(["2015-03-17T06:00", "2015-03-17T06:01"], "M8[ns]")
    )


def test_roundtrips_netcdf_and_chunks(tmp_path, sample):
    ds = open_swmf(sample / mhd_files.SWMF_Z0, chunks={"cell": 200})
    assert ds.Bz.chunks is not None
    ds.to_netcdf(tmp_path / "o.nc")
    back = xr.open_dataset(tmp_path / "o.nc")
    xr.testing.assert_identical(back.load(), ds.load())


def test_registry_finds_idl_files_by_content(sample, tmp_path):
    assert "swmf-idl" in list_readers()
    for name in (mhd_files.SWMF_3D, mhd_files.SWMF_Y0, mhd_files.SWMF_Z0):
        assert find_reader(sample / name).name == "swmf-idl"
    ds = geospacexr.open(sample / mhd_files.SWMF_3D)
    assert ds.attrs["mhd_model"] == "swmf"
    other = tmp_path / "notes.out"
    other.write_text("this is a program's log, not an IDL file\n")
    with pytest.raises(geospacexr.errors.ReaderNotFoundError):
        find_reader(other)


def test_open_sample():
    ds = datasets.open_sample("swmf-idl")
    assert ds.attrs["geospacexr_kind"] == "mhd" and ds.sizes["cell"] == 11264


def test_binary_variables_are_read_only_where_indexed(tmp_path):
    import pickle

    path = mhd_files.write_idl(tmp_path / "l.outs", [small_frame(), small_frame(60.0, 9)])
    ds = open_swmf(path)
    first = ds.Bz.isel(time=0).values.copy()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])  # the second frame's last record is cut after opening
    np.testing.assert_array_equal(ds.Bz.isel(time=0).values, first)
    with pytest.raises(geospacexr.errors.FileFormatError, match="could be read"):
        ds.Jz.isel(time=1).load()
    path.write_bytes(data)
    back = pickle.loads(pickle.dumps(open_swmf(path, chunks={"time": 1})))
    np.testing.assert_array_equal(back.Bz.values[0], first)
    assert back.Bz.isel(time=slice(2, 2)).values.shape == (0, first.size)


def test_ascii_outs_long_header_and_bad_arguments(tmp_path):
    frames = [small_frame(), small_frame(30.0, 5)]
    ds = open_swmf(mhd_files.write_idl(tmp_path / "a_e20150317-060000.outs", frames, ascii=True))
    assert ds.sizes["time"] == 2
    np.testing.assert_array_equal(ds.iteration.values, [0, 5])
    np.testing.assert_allclose(ds.Bz.values[1], frames[1]["values"][6], rtol=1e-7)
    long = small_frame()
    long["headline"] = "R R R " + mhd_files.IDL_UNITS + " " + "x" * 3000  # past the sniffer
    ds = open_swmf(mhd_files.write_idl(tmp_path / "long.out", [long]))
    assert ds.attrs["idl_header"].endswith("x" * 3000)
    with pytest.raises(geospacexr.errors.InvalidArgumentError, match="start_time"):
        open_swmf(tmp_path / "long.out", start_time="not a date")
    with pytest.raises(geospacexr.errors.InvalidArgumentError, match="frame"):
        open_swmf(tmp_path / "long.out", frame="")
