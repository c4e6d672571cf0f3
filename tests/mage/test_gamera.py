"""open_gamera on the samples: layout, units, serial == stitched MPI, laziness, selection."""

from __future__ import annotations

import json
import shutil
import warnings

import h5py
import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr._synth import mage as synth
from geospacexr.errors import DataWarning, FileFormatError, InvalidArgumentError, NoFilesError
from geospacexr.io import mage
from geospacexr.io.registry import find_reader

CELL_VARS = {"D", "P", "Vx", "Vy", "Vz", "Bx", "By", "Bz", "Jx", "Jy", "Jz"}


def test_layout_units_and_attrs(serial_path):
    ds = geospacexr.open_gamera(serial_path)
    assert ds.attrs["geospacexr_kind"] == "mhd"
    assert ds.attrs["mhd_model"] == "gamera"
    assert ds.attrs["mhd_grid"] == "curvilinear"
    assert CELL_VARS <= set(ds.data_vars)
    for name in CELL_VARS:
        assert ds[name].dims == ("time", "k", "j", "i")
    assert ds.sizes == {
        "time": 4, "k": synth.NK, "j": synth.NJ, "i": synth.NI,
        "kc": synth.NK + 1, "jc": synth.NJ + 1, "ic": synth.NI + 1,
    }  # fmt: skip
    for n in "XYZ":
        assert ds[n].dims == ("kc", "jc", "ic") and ds[n].attrs["units"] == "R_E"
        assert ds[n.lower()].dims == ("k", "j", "i")
    units = {"D": "cm-3", "P": "nPa", "Vx": "km s-1", "Bz": "nT", "Jy": "nA m-2"}
    for name, unit in units.items():
        assert ds[name].attrs["units"] == unit
        assert ds[name].attrs["source_name"] == name
    assert ds["time"].dtype == np.dtype("datetime64[ns]")
    assert str(ds["time"].values[0]) == "2017-09-04T06:00:00.000000000"
    assert ds["elapsed"].values[1] == np.timedelta64(60, "s")
    assert ds.attrs["MagM0"] == pytest.approx(synth.MAGM0)
    assert ds.attrs["UnitsID"] == "CODE"


def test_code_units_are_scaled_as_kaipy_does(serial_path):
    ds = geospacexr.open_gamera(serial_path)
    with h5py.File(serial_path) as f:
        raw = {n: f["Step#2"][n][()] for n in ("Bz", "P", "Vx", "D", "Jy")}
    one = ds.sel(time=ds["step"] == 2).isel(time=0)
    factors = {"Bz": 4.58, "P": 1.67e-2, "Vx": 100.0, "D": 1.0, "Jy": 1.0}
    for name, factor in factors.items():
        np.testing.assert_allclose(one[name].values, raw[name] * factor, rtol=1e-6)


def test_physics_of_the_sample(serial_path):
    """The run is what the sample claims: compressed dayside, stretched tail, plasma sheet."""
    ds = geospacexr.open_gamera(serial_path).isel(time=-1)
    x, y, z = ds.x.values, ds.y.values, ds.z.values
    r = np.sqrt(x**2 + y**2 + z**2)
    bz = ds.Bz.values
    dipole = synth.MAGM0 * (3 * z**2 - r**2) / r**5
    eq = np.abs(z) < 0.5
    day = eq & (x > 3) & (x < 7) & (np.abs(y) < 2)
    night = eq & (x < -3) & (x > -7) & (np.abs(y) < 2)
    excess = bz - dipole  # the Chapman-Ferraro field: compresses the dayside most
    assert (excess[day] > 3).all()
    assert excess[day].mean() > 2 * excess[night].mean()
    tail = (x < -15) & (np.abs(y) < 5)
    lobe = tail & (z > 2) & (z < 6)
    assert (ds.Bx.values[lobe] > 10).all()  # stretched: sunward Bx in the northern lobe
    assert (ds.Bx.values[tail & (z < -2) & (z > -6)] < -10).all()
    sheet = tail & (np.abs(z) < 0.7) & (r < 40)
    assert ds.D.values[sheet].mean() > 5 * ds.D.values[lobe].mean()
    assert ds.P.values[sheet].mean() > 0.2
    assert (ds.Jy.values[sheet] > 0).mean() > 0.9  # dawn-to-dusk cross-tail current
    assert night.any() and day.any()


def test_serial_equals_stitched_mpi(serial_path, mpi_dir):
    serial = geospacexr.open_gamera(serial_path)
    stitched = geospacexr.open_gamera(mpi_dir)
    assert json.loads(stitched.attrs["mpi_decomposition"]) == [2, 2, 1]
    assert len(json.loads(stitched.attrs["source_files"])) == 4
    xr.testing.assert_identical(serial.drop_attrs(deep=False), stitched.drop_attrs(deep=False))
    # a selection across block boundaries too
    sel = dict(time=[1, 3], i=slice(10, 22), j=[3, 8, 9, 15], k=5)
    xr.testing.assert_identical(serial.Bz.isel(sel), stitched.Bz.isel(sel))


def test_blocks_found_from_one_block_or_a_list(mpi_dir):
    blocks = sorted(mpi_dir.glob("*.gam.h5"))
    a = geospacexr.open_gamera(blocks[2])
    b = geospacexr.open_gamera(blocks)
    c = geospacexr.open_gamera(blocks[:2])
    for other in (b, c):
        xr.testing.assert_identical(a, other)
    assert find_reader(blocks[3]).name == "mage-gamera"
    assert geospacexr.open(blocks[1]).attrs["mhd_model"] == "gamera"


def test_missing_block_is_named(mpi_dir, tmp_path):
    for p in sorted(mpi_dir.glob("*.gam.h5"))[:3]:
        shutil.copy(p, tmp_path / p.name)
    with pytest.raises(FileFormatError, match="misses 1 block.*_0001_0001_0000.gam.h5"):
        geospacexr.open_gamera(tmp_path / p.name)


def count_reads(monkeypatch):
    calls = []
    real = mage._read_region

    def counting(path, name, *args):
        calls.append((path, name))
        return real(path, name, *args)

    monkeypatch.setattr(mage, "_read_region", counting)
    return calls


def test_one_step_reads_only_that_step(serial_path, mpi_dir, monkeypatch):
    calls = count_reads(monkeypatch)
    ds = geospacexr.open_gamera(serial_path)
    assert calls == []  # opening reads no step data
    ds.Bz.isel(time=2).load()
    assert {name for _, name in calls} == {"Step#2/Bz"}
    assert len(calls) == 1
    calls.clear()
    mpi = geospacexr.open_gamera(mpi_dir)
    mpi.P.isel(time=1, i=slice(0, 4)).load()  # cells of blocks i = 0 only
    assert {name for _, name in calls} == {"Step#1/P"}
    assert len(calls) == 2 and all("_0000_000" in path for path, _ in calls)


def test_chunks_make_dask_arrays_reading_one_step(serial_path, monkeypatch):
    dask = pytest.importorskip("dask")
    calls = count_reads(monkeypatch)
    ds = geospacexr.open_gamera(serial_path, chunks={"time": 1})
    assert isinstance(ds.D.data, dask.array.Array)
    assert ds.D.chunks[0] == (1, 1, 1, 1)
    float(ds.D.isel(time=3).mean())
    assert {name for _, name in calls} == {"Step#3/D"}
    np.testing.assert_array_equal(ds.D.values, geospacexr.open_gamera(serial_path).D.values)


def test_steps_selection(serial_path):
    ds = geospacexr.open_gamera(serial_path, steps=[3, 1])
    assert ds["step"].values.tolist() == [3, 1]
    one = geospacexr.open_gamera(serial_path, steps=2)
    full = geospacexr.open_gamera(serial_path)
    xr.testing.assert_identical(one.Bx, full.Bx.isel(time=[2]))
    with pytest.raises(InvalidArgumentError, match=r"steps: \[7\] not in"):
        geospacexr.open_gamera(serial_path, steps=[1, 7])


def test_times_without_the_cache_and_steps_not_from_zero(serial_path, tmp_path):
    copy = tmp_path / "run.gam.h5"
    shutil.copy(serial_path, copy)
    with h5py.File(copy, "r+") as f:
        del f["timeAttributeCache"]
        f.move("Step#0", "Step#40")  # steps need not start at 0 nor be contiguous
    ds = geospacexr.open_gamera(copy)
    assert ds["step"].values.tolist() == [1, 2, 3, 40]
    assert ds.attrs["time_source"] == "Step# attributes"
    full = geospacexr.open_gamera(serial_path)
    np.testing.assert_array_equal(ds.time.values[:3], full.time.values[1:])
    np.testing.assert_array_equal(ds.Bz.isel(time=3).values, full.Bz.isel(time=0).values)


def test_old_serial_name_is_found_by_content(serial_path, tmp_path):
    copy = tmp_path / "msphere.h5"
    shutil.copy(serial_path, copy)
    assert find_reader(copy).name == "mage-gamera"
    assert geospacexr.open(copy).attrs["runid"] == "msphere"


def test_units_other_than_code_are_kept(serial_path, tmp_path):
    copy = tmp_path / "phys.gam.h5"
    shutil.copy(serial_path, copy)
    with h5py.File(copy, "r+") as f:
        f.attrs["UnitsID"] = "EARTH"  # a variable-length string, read after the heap check
    ds = geospacexr.open_gamera(copy)
    with h5py.File(copy) as f:
        np.testing.assert_array_equal(ds.Bz.isel(time=0).values, f["Step#0/Bz"][()])
    assert ds.attrs["units_scaled"] == 0
    assert ds["elapsed"].values[1] == np.timedelta64(round(60e9 / 63.8), "ns")


def test_no_mjd_gives_elapsed_time_and_a_warning(serial_path, tmp_path):
    copy = tmp_path / "idealised.gam.h5"
    shutil.copy(serial_path, copy)
    with h5py.File(copy, "r+") as f:
        del f["timeAttributeCache"]
        for n in synth.STEPS:
            del f[f"Step#{n}"].attrs["MJD"]
    with pytest.warns(DataWarning, match="no MJD"):
        ds = geospacexr.open_gamera(copy)
    assert ds.time.dtype.kind == "m"


def test_round_trips_through_netcdf(serial_path, tmp_path):
    ds = geospacexr.open_gamera(serial_path, steps=[0, 1])
    ds.to_netcdf(tmp_path / "x.nc")
    with xr.open_dataset(tmp_path / "x.nc") as back:
        xr.testing.assert_allclose(back.load(), ds.load())
        assert back.attrs["mhd_model"] == "gamera"


def test_folder_with_two_runs_and_missing_paths(serial_path, mpi_dir, tmp_path):
    shutil.copy(serial_path, tmp_path / "a.gam.h5")
    shutil.copy(serial_path, tmp_path / "b.gam.h5")
    with pytest.raises(FileFormatError, match="several GAMERA runs"):
        geospacexr.open_gamera(tmp_path)
    with pytest.raises(FileFormatError, match="open each separately"):
        geospacexr.open_gamera([tmp_path / "a.gam.h5", tmp_path / "b.gam.h5"])
    with pytest.raises(NoFilesError):
        geospacexr.open_gamera(tmp_path / "nothing.gam.h5")


def test_opening_does_not_warn(serial_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        geospacexr.open_gamera(serial_path)


def test_a_two_dimensional_run(tmp_path):
    """2-D runs have X and Y only, (Nj+1, Ni+1), and (Nj, Ni) cell variables."""
    path = tmp_path / "plane.gam.h5"
    xc, yc = np.meshgrid(np.linspace(-5, 5, 9), np.linspace(0, 4, 5))
    with h5py.File(path, "w") as f:
        f["X"], f["Y"] = xc, yc
        f.attrs["UnitsID"] = np.bytes_("CODE")
        for n in (5, 6):
            g = f.create_group(f"Step#{n}")
            g.attrs["time"], g.attrs["MJD"] = float(n), 60000.0 + n / 1440
            g["Bz"] = np.full((4, 8), float(n), "f4")
    ds = geospacexr.open_gamera(path)
    assert ds.Bz.dims == ("time", "j", "i") and ds.X.dims == ("jc", "ic")
    np.testing.assert_allclose(ds.Bz.isel(time=1), 6 * 4.58, rtol=1e-6)
    np.testing.assert_allclose(ds.x.values[0, :2], [-4.375, -3.125])
    assert ds.step.values.tolist() == [5, 6]
    assert str(ds.time.values[1]) == "2023-02-25T00:06:00.000000000"
    assert "dV" not in ds


def test_geospacexr_open_groups_blocks_of_one_run(mpi_dir, serial_path):
    from geospacexr.io.registry import group_files

    blocks = sorted(mpi_dir.glob("*.gam.h5"))
    groups = group_files([*blocks, serial_path])
    assert sorted(len(v) for v in groups.values()) == [1, 4]
    ds = geospacexr.open(blocks)
    assert json.loads(ds.attrs["source_files"]) == [b.name for b in blocks]
