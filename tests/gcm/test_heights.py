import warnings

import numpy as np
import pytest
import xarray as xr

from geospacexr import datasets, gcm
from geospacexr.errors import DataWarning, OutOfRangeError
from geospacexr.gcm.heights import interp_columns
from geospacexr.physics import AMU_G, BOLTZMANN_CGS, geometric_heights


def synthetic(zg_ilev, fields, model="TIE-GCM"):
    """A tiny gcm Dataset with given interface heights (time, ilev, lat, lon) and lev fields."""
    nt, ni, ny, nx = zg_ilev.shape
    ilev = np.arange(ni) * 0.5 - 7.0
    lev = ilev + 0.25
    coords = {
        "time": np.array(["2003-03-21T00"], dtype="datetime64[ns]").repeat(nt),
        "ilev": ilev,
        "lev": lev,
        "lat": np.linspace(-45, 45, ny),
        "lon": np.linspace(-180, 180, nx, endpoint=False),
    }
    data = {"ZG": (("time", "ilev", "lat", "lon"), zg_ilev, {"units": "km"})}
    for name, (dims, values, units) in fields.items():
        data[name] = (dims, values, {"units": units})
    return xr.Dataset(
        data, coords=coords, attrs={"geospacexr_kind": "gcm", "model": model, "p0_hPa": 5e-7}
    )


def test_exact_on_linear_and_log_linear_profiles():
    rng = np.random.default_rng(1)
    ny, nx, ni = 3, 4, 12
    base = 95 + 10 * rng.random((1, 1, ny, nx))
    step = 15 + 5 * rng.random((1, 1, ny, nx))  # different columns, different spacing
    zg = base + step * np.arange(ni)[None, :, None, None] ** 1.2
    mid = 0.5 * (zg[:, 1:] + zg[:, :-1])
    mid = np.concatenate([mid, np.full((1, 1, ny, nx), np.nan)], axis=1)  # top midpoint: no height
    tn = 200.0 + 2.5 * mid  # linear in height
    ne_i = 1e5 * np.exp(-(zg - 100.0) / 55.0)  # log-linear in height
    ds = synthetic(
        zg,
        {
            "TN": (("time", "lev", "lat", "lon"), tn, "K"),
            "NE": (("time", "ilev", "lat", "lon"), ne_i, "cm-3"),
        },
    )
    heights = [150.0, 180.5, 210.0]
    t = gcm.at_height(ds, "TN", heights)
    assert t.dims == ("time", "height", "lat", "lon")
    np.testing.assert_allclose(
        t.values, 200.0 + 2.5 * np.array(heights)[None, :, None, None] + 0 * t.values, rtol=1e-12
    )
    n = gcm.at_height(ds, "NE", heights)
    assert n.attrs["interpolation"].startswith("log")
    expected = 1e5 * np.exp(-(np.array(heights)[None, :, None, None] - 100.0) / 55.0)
    np.testing.assert_allclose(n.values, expected + 0 * n.values, rtol=1e-12)


def test_outside_columns_is_nan_with_one_warning():
    zg = (
        np.array([100.0, 200.0, 300.0])[None, :, None, None]
        + np.array([0.0, 60.0])[None, None, None, :]
    )
    zg = np.broadcast_to(zg, (1, 3, 1, 2)).copy()
    tn = np.broadcast_to(np.array([300.0, 600.0, np.nan])[None, :, None, None], (1, 3, 1, 2)).copy()
    ds = synthetic(zg, {"TN": (("time", "lev", "lat", "lon"), tn, "K")})
    with pytest.warns(DataWarning, match="outside some columns") as record:
        out = gcm.at_height(ds, "TN", [160.0])
    assert len(record) == 1
    # column 0: midpoints at 150 and 250 -> 160 inside; column 1: 210 and 310 -> below, NaN
    assert out.values[0, 0, 0, 0] == pytest.approx(330.0)
    assert np.isnan(out.values[0, 0, 0, 1])
    with pytest.raises(OutOfRangeError, match="outside the model's range"):
        gcm.at_height(ds, "TN", [1000.0])


def test_interp_columns_handles_decreasing_coordinates():
    z = np.array([[300.0, 200.0, 100.0]])
    v = np.array([[3.0, 2.0, 1.0]])
    np.testing.assert_allclose(interp_columns(v, z, np.array([150.0, 250.0])), [[1.5, 2.5]])
    assert np.isnan(interp_columns(v, z, np.array([50.0]))).all()


def test_geometric_heights_closed_form():
    """Isothermal, constant mass, g = g0 (r/(r+h))^2: 1/(r+h) = 1/(r+h0) - H0 x / r^2."""
    from geospacexr.physics import gravity

    lat = 30.0
    r_g0 = gravity(0.0, lat)
    c2 = np.cos(np.deg2rad(2 * lat))
    r_eff = 2 * r_g0 / (3.085462e-6 + 2.27e-9 * c2)
    scale = BOLTZMANN_CGS * 800.0 / (16.0 * AMU_G)  # kT/m
    n, dz, h0 = 40, 0.25, 97e5
    heights = geometric_heights(np.full((1, n), scale), np.array([h0]), dz, np.array([lat]))[0]
    h_scale0 = scale / r_g0
    x = dz * np.arange(n + 1)
    exact = 1.0 / (1.0 / (r_eff + h0) - h_scale0 * x / r_eff**2) - r_eff
    np.testing.assert_allclose(heights, exact, rtol=1e-7)


def test_sample_heights_and_gcmprocpy_method_gap():
    """Per-column interpolation against a single global-mean profile (GCMprocpy's method)."""
    ds = datasets.open_sample("tiegcm-5deg").isel(time=[2])
    ours = gcm.at_height(ds, "TN", [300.0]).isel(time=0, height=0).values
    z = gcm.column_heights(ds, "lev").isel(time=0)
    mean_profile = z.mean(("lat", "lon")).values
    tn = ds.TN.isel(time=0).values
    ok = np.isfinite(mean_profile)
    global_profile = np.array(
        [
            [np.interp(300.0, mean_profile[ok], tn[ok, j, i]) for i in range(tn.shape[2])]
            for j in range(tn.shape[1])
        ]
    )
    rel = np.abs(global_profile - ours) / ours
    # the methods differ where column heights differ from the global mean (day/night, latitude)
    assert 0.005 < rel.max() < 0.2
    assert np.isfinite(ours).all()


def test_zg_from_z_is_lazy_and_matches_the_files_zg(tmp_path):
    """ZG from Z (moved out of the reader): nothing read until asked, equal to the file's ZG."""
    import warnings

    import geospacexr
    from geospacexr.gcm.heights import zg_from_z
    from geospacexr.io.gcm import list_completions

    assert "ZG from Z" in list_completions()
    assert list_completions(details=True)[0]["function"].startswith("geospacexr.gcm.heights.")
    sech = datasets.sample_path("tiegcm-5deg") / "tiegcm_5deg_sech_001.nc"
    full = geospacexr.open_tiegcm(sech)
    ds = full.drop_vars("ZG")
    zg = zg_from_z(ds)
    assert zg.chunks is not None and zg.dims == ("time", "ilev", "lat", "lon")
    assert not ds["TN"].variable._in_memory  # building the graph read nothing
    assert zg.attrs["units"] == "km" and zg.name == "ZG"
    np.testing.assert_allclose(zg.isel(time=1).values, full.ZG.isel(time=1).values, rtol=2e-5)
    # the reader's completion: histories without ZG get it, lazily, said in attrs (issue 17:
    # every primary lacks ZG, so no warning reaches the user)
    xr.open_dataset(sech, decode_cf=False).load().drop_vars("ZG").to_netcdf(
        tmp_path / "old.nc", format="NETCDF3_64BIT"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        opened = geospacexr.open_tiegcm(tmp_path / "old.nc")
    assert [str(w.message) for w in caught if issubclass(w.category, DataWarning)] == []
    assert opened.attrs["completions"] == "ZG computed from Z (no ZG on file)"
    assert opened.ZG.attrs["source_name"] == "Z"
    assert opened.ZG.chunks is not None
    with pytest.raises(geospacexr.errors.MissingVariableError, match="Z"):
        zg_from_z(ds.drop_vars("Z"))


def test_dask_backed_heights_are_not_range_checked_up_front():
    """No pass over the run's heights when the call is made; the result is the in-memory one
    wherever that has no error, and a height no column of the run reaches is NaN, not a failure
    part way through the computation."""
    import dask

    zg = (
        np.array([100.0, 200.0, 300.0])[None, :, None, None]
        + np.array([0.0, 50.0])[:, None, None, None]  # time 1 is 50 km higher
    )
    zg = np.broadcast_to(zg, (2, 3, 1, 2)).copy()
    tn = np.broadcast_to(np.array([300.0, 600.0, np.nan])[None, :, None, None], (2, 3, 1, 2))
    ds = synthetic(zg, {"TN": (("time", "lev", "lat", "lon"), tn.copy(), "K")})
    chunked = ds.chunk({"time": 1})

    def no_compute(*args, **kwargs):
        raise AssertionError("computed when the call was made")

    with dask.config.set(scheduler=no_compute):
        inside = gcm.at_height(chunked, "TN", [220.0])  # midpoints 150-250 and 200-300 km
        late = gcm.at_height(chunked, "TN", [280.0])  # only time 1's columns reach it
        beyond = gcm.at_height(chunked, "TN", [1000.0])  # no column at all
    with dask.config.set(scheduler="sync"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        for lazy, height in ((inside, 220.0), (late, 280.0)):
            expected = gcm.at_height(ds, "TN", [height])  # the in-memory path
            np.testing.assert_array_equal(lazy.values, expected.values)
        assert np.isnan(late.isel(time=0).values).all()
        assert np.isfinite(late.isel(time=1).values).all()
        assert np.isnan(beyond.values).all()
        with pytest.raises(OutOfRangeError, match="height 1000 km is outside"):
            gcm.at_height(ds, "TN", [1000.0])  # in memory, the range is checked up front
