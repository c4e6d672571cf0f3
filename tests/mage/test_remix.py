"""open_remix on the sample: both hemispheres in MLT, FAC upward positive, kaipy's energy flux."""

from __future__ import annotations

import shutil

import h5py
import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr._synth import mage as synth
from geospacexr.errors import FileFormatError
from geospacexr.io import mage
from geospacexr.io.registry import find_reader


def test_layout(remix_path):
    ds = geospacexr.open_remix(remix_path)
    assert ds.attrs["geospacexr_kind"] == "ionosphere"
    assert find_reader(remix_path).name == "mage-remix"
    assert geospacexr.open(remix_path).attrs["ionosphere_model"] == "remix"
    for name in ("potential", "fac", "sigma_p", "sigma_h", "energy_flux", "mean_energy"):
        assert ds[name].dims == ("time", "hemisphere", "colat", "mlt")
        assert ds[name].attrs["units"]
    assert ds.hemisphere.values.tolist() == ["north", "south"]
    assert ds.sizes["colat"] == synth.NLAT and ds.sizes["mlt"] == synth.NLON
    assert np.all(np.diff(ds.mlt.values) > 0) and 0 <= ds.mlt.values[0] < 24 / synth.NLON
    np.testing.assert_allclose(ds.mlt_corner.values[[0, -1]], [0, 24], atol=1e-9)
    np.testing.assert_allclose(ds.mlat.sel(hemisphere="north"), 90 - ds.colat)
    np.testing.assert_allclose(ds.mlat.sel(hemisphere="south"), ds.colat - 90)
    assert ds.potential.sel(mlt=6, method="nearest").dims == ("time", "hemisphere", "colat")


def test_currents_potential_and_fluxes_where_the_sample_puts_them(remix_path):
    ds = geospacexr.open_remix(remix_path).isel(time=0)
    ring = ds.sel(colat=17.5, method="nearest")  # region 1
    for hemi in ("north", "south"):
        r1 = ring.fac.sel(hemisphere=hemi)
        assert float(r1.sel(mlt=18, method="nearest")) > 0.5  # upward on dusk
        assert float(r1.sel(mlt=6, method="nearest")) < -0.5  # downward on dawn
        r2 = ds.fac.sel(hemisphere=hemi).sel(colat=23.5, method="nearest")
        assert float(r2.sel(mlt=18, method="nearest")) < 0 < float(r2.sel(mlt=6, method="nearest"))
        pot = ds.potential.sel(hemisphere=hemi)
        assert float(pot.sel(mlt=6, method="nearest").max()) > 0  # dawn cell positive
        span = float(pot.max() - pot.min())
        assert span == pytest.approx(float(ds.cpcp.sel(hemisphere=hemi)), rel=0.05)
    np.testing.assert_allclose(ds.energy_flux, ds.mean_energy * ds.number_flux * 1.6e-9, rtol=1e-6)


def test_hemispheres_read_as_stored(remix_path):
    """NORTH negated (ReMIX stores the current along B), SOUTH reversed, both rolled to MLT."""
    ds = geospacexr.open_remix(remix_path)
    with h5py.File(remix_path) as f:
        north = f["Step#1/Field-aligned current NORTH"][()]
        south = f["Step#1/Field-aligned current SOUTH"][()]
    roll = int(np.flatnonzero(ds.mlt.values > 12)[0])  # file column 0 is just after noon
    ours = ds.fac.sel(time=ds.step == 1).isel(time=0)
    np.testing.assert_array_equal(ours.sel(hemisphere="north").values, np.roll(-north, roll, 1))
    np.testing.assert_array_equal(
        ours.sel(hemisphere="south").values, np.roll(south[:, ::-1], roll, 1)
    )


def test_lazy_one_step(remix_path, monkeypatch):
    calls = []
    real = mage._read_region

    def counting(path, name, *args):
        calls.append(name)
        return real(path, name, *args)

    monkeypatch.setattr(mage, "_read_region", counting)
    ds = geospacexr.open_remix(remix_path)
    assert calls == []
    ds.potential.isel(time=2, hemisphere=1).load()
    assert calls == ["Step#2/Potential SOUTH"]
    calls.clear()
    ds.energy_flux.isel(time=0, hemisphere=0, colat=slice(0, 3)).load()
    assert sorted(calls) == ["Step#0/Average energy NORTH", "Step#0/Number flux NORTH"]


def test_steps_chunks_and_netcdf(remix_path, tmp_path):
    pytest.importorskip("dask")
    ds = geospacexr.open_remix(remix_path, steps=[1, 2], chunks={"time": 1})
    assert ds.step.values.tolist() == [1, 2]
    full = geospacexr.open_remix(remix_path)
    xr.testing.assert_identical(ds.fac.load(), full.fac.isel(time=[1, 2]))
    ds.to_netcdf(tmp_path / "mix.nc")
    with xr.open_dataset(tmp_path / "mix.nc") as back:
        xr.testing.assert_allclose(back.load(), ds.load())


def test_a_hemisphere_missing_is_named(remix_path, tmp_path):
    copy = tmp_path / "x.mix.h5"
    shutil.copy(remix_path, copy)
    with h5py.File(copy, "r+") as f:
        del f["Step#0/Hall conductance SOUTH"]
    with pytest.raises(FileFormatError, match="no 'Hall conductance SOUTH'"):
        geospacexr.open_remix(copy)


def test_time_cache_gives_the_same_times(remix_path, tmp_path):
    copy = tmp_path / "cached.mix.h5"
    shutil.copy(remix_path, copy)
    with h5py.File(copy, "r+") as f:
        steps = sorted(int(k[5:]) for k in f if k.startswith("Step#"))
        cache = f.create_group("timeAttributeCache")
        cache["step"] = np.array(steps[::-1])  # any order: sorted by step number
        cache["MJD"] = np.array([f[f"Step#{n}"].attrs["MJD"] for n in steps[::-1]])
    ds = geospacexr.open_remix(copy)
    full = geospacexr.open_remix(remix_path)
    assert ds.attrs["time_source"] == "timeAttributeCache"
    np.testing.assert_array_equal(ds.time.values, full.time.values)
    assert "elapsed" not in ds.coords  # the cache has no time column
    xr.testing.assert_identical(ds.potential, full.potential.drop_vars(["elapsed", "timestep"]))
