"""The LFM HDF4 reader: layout, units, array order, time, registry and damaged files."""

from __future__ import annotations

import sys
from datetime import datetime

import numpy as np
import pytest
import xarray as xr

pytest.importorskip("pyhdf.SD")

import geospacexr
from geospacexr import config, datasets
from geospacexr._synth import mhd_files
from geospacexr.errors import FileFormatError
from geospacexr.io.lfm import LFM_RE_CM, open_lfm
from geospacexr.io.registry import find_reader


@pytest.fixture(scope="module")
def sample():
    return datasets.sample_path("lfm-hdf")


def small(tmp_path, name="RUN_mhd_2015-03-17T06-00-00Z.hdf", when=datetime(2015, 3, 17, 6),
          **kw):  # fmt: skip
    corners = mhd_files.lfm_corners(6, 4, 8)
    centres = [mhd_files.cell_centres(c) for c in corners]
    return mhd_files.write_lfm(tmp_path / name, corners, mhd_files.fields(*centres), when, **kw)


def test_sample_layout_units_and_values(sample):
    ds = open_lfm(sample)
    assert ds.attrs["geospacexr_kind"] == "mhd"
    assert (ds.attrs["mhd_model"], ds.attrs["mhd_grid"]) == ("lfm", "curvilinear")
    assert ds.Bz.dims == ("time", "k", "j", "i")
    assert ds.X.dims == ("kc", "jc", "ic") and ds.x.dims == ("k", "j", "i")
    assert dict(ds.sizes) == {"time": 1, "k": 20, "j": 14, "i": 20, "kc": 21, "jc": 15, "ic": 21}
    assert ds.time.values[0] == np.datetime64("2013-09-24T23:26:00")
    assert ds.runtime.values[0] == 3000.0
    # corners: the generator's grid (stored as float32 cm)
    for axis, corner in zip("XYZ", mhd_files.lfm_corners(), strict=True):
        np.testing.assert_allclose(ds[axis].values, corner, rtol=1e-6, atol=1e-6)
    ref = mhd_files.fields(ds.x.values, ds.y.values, ds.z.values)
    for name in ("D", "P", "Vx", "Vy", "Vz", "Bx", "By", "Bz"):
        np.testing.assert_allclose(ds[name].values[0], ref[name], rtol=2e-5, atol=1e-5,
                                   err_msg=name)  # fmt: skip
    assert ds.Bz.attrs["units"] == "nT" and ds.Bz.attrs["source_name"] == "bz_"
    assert ds.D.attrs["units"] == "cm-3" and ds.P.attrs["units"] == "nPa"
    assert ds.Vx.attrs["units"] == "km s-1" and ds.X.attrs["units"] == "Re"


def test_kji_is_the_transpose_of_pyltr_order(sample):
    """pyLTR's fix (reshape the flat data to (s2, s1, s0) in Fortran order) is a transpose."""
    from pyhdf.SD import SD, SDC

    sd = SD(str(sample), SDC.READ)
    raw = sd.select("bx_").get()
    grid = sd.select("X_grid").get()
    sd.end()
    s = raw.shape
    fixed = np.reshape(raw.ravel(), (s[2], s[1], s[0]), order="F")
    np.testing.assert_array_equal(fixed, raw.T)
    ds = open_lfm(sample)
    np.testing.assert_allclose(
        ds.Bx.values[0].T, fixed[:-1, :-1, :-1].astype(float) * 1e5, rtol=1e-12
    )
    np.testing.assert_allclose(ds.X.values * LFM_RE_CM, grid, rtol=1e-12)


def test_time_from_the_name_when_mjd_is_zero(tmp_path):
    path = small(tmp_path)
    from pyhdf.SD import SD, SDC

    sd = SD(str(path), SDC.WRITE)
    sd.attr("mjd").set(SDC.FLOAT64, 0.0)
    sd.end()
    ds = open_lfm(path)
    assert ds.time.values[0] == np.datetime64("2015-03-17T06:00")
    # a name date datetime64[ns] cannot hold is refused, never wrapped into the range
    late = tmp_path / path.name.replace("2015-03-17", "9999-12-31")
    assert late.name != path.name
    late.write_bytes(path.read_bytes())
    with pytest.raises(FileFormatError, match="outside what datetime64"):
        open_lfm(late)


def test_steps_stack_and_roundtrip(tmp_path):
    a = small(tmp_path)
    b = small(tmp_path, "RUN_mhd_2015-03-17T06-01-00Z.hdf", datetime(2015, 3, 17, 6, 1),
              elapsed=3060.0)  # fmt: skip
    ds = open_lfm([b, a], chunks={"time": 1})
    assert ds.sizes["time"] == 2 and ds.Bz.chunks is not None
    np.testing.assert_array_equal(ds.runtime.values, [3000.0, 3060.0])
    ds.to_netcdf(tmp_path / "o.nc")
    xr.testing.assert_identical(xr.open_dataset(tmp_path / "o.nc").load(), ds.load())


def test_earth_radius(tmp_path):
    path = small(tmp_path)
    ds = open_lfm(path, earth_radius_cm=6.3781e8)
    np.testing.assert_allclose(ds.X.values, open_lfm(path).X.values * 6.38e8 / 6.3781e8)
    with pytest.raises(geospacexr.errors.InvalidArgumentError):
        open_lfm(path, earth_radius_cm=-1)


def test_registry(sample, tmp_path):
    assert find_reader(sample).name == "lfm-hdf"
    assert geospacexr.open(sample).attrs["mhd_model"] == "lfm"
    from pyhdf.SD import SD, SDC

    other = tmp_path / "modis.hdf"
    sd = SD(str(other), SDC.WRITE | SDC.CREATE)
    sd.create("Albedo", SDC.FLOAT32, (2, 2))[:] = np.zeros((2, 2), "f4")
    sd.end()
    with pytest.raises(geospacexr.errors.ReaderNotFoundError):
        find_reader(other)
    with pytest.raises(FileFormatError, match="not an LFM MHD file"):
        open_lfm(other)


def test_without_pyhdf_the_message_says_what_to_install(sample, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyhdf.SD", None)
    with pytest.raises(ImportError, match=r"geospacexr\[lfm\]"):
        open_lfm(sample)


def test_damaged_files(tmp_path, sample):
    data = sample.read_bytes()
    for cut in (0, 4, 100, 3000, len(data) // 2, len(data) - 100):
        path = tmp_path / f"cut{cut}.hdf"
        path.write_bytes(data[:cut])
        with pytest.raises(FileFormatError):
            open_lfm(path)
    with config.override({"io.max_array_mb": 0.01}):
        with pytest.raises(FileFormatError, match="io.max_array_mb"):
            open_lfm(sample)


def test_shape_mismatch_and_bad_mjd(tmp_path):
    from pyhdf.SD import SD, SDC

    path = small(tmp_path)
    sd = SD(str(path), SDC.WRITE)
    sd.attr("mjd").set(SDC.FLOAT64, 1e12)
    sd.end()
    with pytest.raises(FileFormatError, match="mjd"):
        open_lfm(path)
    corners = mhd_files.lfm_corners(6, 4, 8)
    centres = [mhd_files.cell_centres(c) for c in corners]
    path = mhd_files.write_lfm(tmp_path / "b.hdf", corners, mhd_files.fields(*centres))
    sd = SD(str(path), SDC.WRITE)
    sd.select("bz_").endaccess()
    sds = sd.create("extra", SDC.FLOAT32, (2, 2))
    sds.endaccess()
    sd.end()
    open_lfm(path)  # an extra dataset is fine
