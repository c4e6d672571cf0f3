import json
import warnings

import netCDF4
import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr import datasets
from geospacexr.errors import DataWarning, FileFormatError, IncompatibleInputError


@pytest.fixture(scope="module")
def tg_files():
    folder = datasets.sample_path("tiegcm-5deg")
    return folder / "tiegcm_5deg_prim_001.nc", folder / "tiegcm_5deg_sech_001.nc"


def test_secondary_reads_lazily_with_standard_names(tg_files):
    _, sech = tg_files
    ds = geospacexr.open_tiegcm(sech)
    assert ds.attrs["geospacexr_kind"] == "gcm" and ds.attrs["model"] == "TIE-GCM"
    # lazy, and without dask for one file
    assert not ds["TN"].variable._in_memory
    assert ds["TN"].chunks is None
    assert ds.TN.dtype == np.float32
    np.testing.assert_array_equal(
        ds.time.values,
        np.array(
            ["2003-03-21T00:00", "2003-03-21T00:30", "2003-03-21T01:00", "2003-03-21T01:30"],
            dtype="datetime64[ns]",
        ),
    )
    # units and names
    assert ds.UN.attrs["units"] == "m/s" and ds.UN.attrs["source_units"] == "cm/s"
    assert ds.ZG.attrs["units"] == "km" and ds.Z.attrs["units"] == "km"
    assert ds.O1.attrs["units"] == "mmr"
    assert ds.lev.attrs["units"] == "ln(p0/p)" and ds.lev.attrs["source_units"] == ""
    with netCDF4.Dataset(sech) as nc:
        nc.set_auto_mask(False)
        raw_un = nc["UN"][0, 5, 10, 20]
        raw_zg = nc["ZG"][0, 5, 10, 20]
    assert float(ds.UN[0, 5, 10, 20]) == pytest.approx(float(raw_un) / 100.0, rel=1e-6)
    assert float(ds.ZG[0, 5, 10, 20]) == pytest.approx(float(raw_zg) / 1e5, rel=1e-6)
    # pressure coordinates: p = p0 exp(-level), p0 = 5e-4 microbar = 5e-7 hPa
    np.testing.assert_allclose(ds.pressure.values, 5e-7 * np.exp(-ds.lev.values), rtol=1e-12)
    np.testing.assert_allclose(ds.ipressure.values, 5e-7 * np.exp(-ds.ilev.values), rtol=1e-12)


def test_float32_secondaries_mask_the_double_missing_value(tg_files):
    _, sech = tg_files
    with xr.open_dataset(sech, decode_times=False) as plain:
        # the trap: xarray alone leaves 9.99999962e35 in the top TN level
        assert float(plain.TN.isel(time=0, lev=-1, lat=0, lon=0)) > 1e35
    ds = geospacexr.open_tiegcm(sech)
    assert ds.sizes["lev"] == 29  # the level is kept
    top = ds.TN.isel(lev=-1).values
    assert np.isnan(top).all()
    assert np.isfinite(ds.TN.isel(lev=slice(None, -1)).values).all()
    assert float(np.nanmax(ds.TN.values)) < 3000


@pytest.mark.parametrize("compiled_from", [0, 1 << 62])
def test_missing_values_mask_the_same_compiled_or_by_numpy(tg_files, monkeypatch, compiled_from):
    """Small reads are masked by numpy, large ones by the compiled kernel: same NaNs, same
    values (each path forced in turn, against the file read without masking)."""
    from geospacexr.io import gcm as gcm_io

    _, sech = tg_files
    monkeypatch.setattr(gcm_io, "MASK_COMPILED_MIN_SIZE", compiled_from)
    ds = geospacexr.open_tiegcm(sech)
    with netCDF4.Dataset(sech) as nc:
        nc.set_auto_mask(False)
        raw = np.asarray(nc["TN"][:], dtype=np.float64)
        fill = float(nc["TN"].missing_value)
    got = ds.TN.values
    expected = np.where(raw == np.float32(fill), np.nan, raw)
    assert np.isnan(expected).any() and np.isfinite(expected).any()
    np.testing.assert_array_equal(got, expected)


def test_primary_and_secondary_are_merged(tg_files):
    prim, sech = tg_files
    ds = geospacexr.open_tiegcm([sech, prim])
    assert ds.sizes["time"] == 4
    assert ds.TN.chunks is not None  # several files: dask, one time per chunk
    assert all(c == 1 for c in ds.TN.chunks[0])
    # primary-only field: NaN at the secondary-only times
    n2d = ds.N2D.isel(lev=3, lat=4, lon=5).values
    assert np.isfinite(n2d[[0, 2]]).all() and np.isnan(n2d[[1, 3]]).all()
    # at common times the primary's double precision values win
    with netCDF4.Dataset(prim) as nc:
        nc.set_auto_mask(False)
        raw = nc["TN"][1, 3, 4, 5]
    assert float(ds.TN.isel(time=2, lev=3, lat=4, lon=5)) == float(raw)
    assert json.loads(ds.attrs["history_types"]) == ["primary", "secondary"]


def test_zg_from_z_when_missing(tg_files, tmp_path):
    _, sech = tg_files
    ds_full = geospacexr.open_tiegcm(sech)
    plain = xr.open_dataset(sech, decode_cf=False).load()
    plain.drop_vars("ZG").to_netcdf(tmp_path / "old_sech.nc", format="NETCDF3_64BIT")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # issue 17: said in attrs, no warning
        ds = geospacexr.open_tiegcm(tmp_path / "old_sech.nc")
    assert "ZG computed from Z" in ds.attrs["completions"]
    # the file's ZG came from the same hydrostatic balance: agreement to float32 precision
    np.testing.assert_allclose(ds.ZG.values, ds_full.ZG.values, rtol=2e-5)


def test_missing_lev_units_still_opens(tg_files, tmp_path):
    _, sech = tg_files
    plain = xr.open_dataset(sech, decode_cf=False).load()
    del plain["lev"].attrs["units"]
    del plain["ilev"].attrs["units"]
    plain.to_netcdf(tmp_path / "nounits.nc", format="NETCDF3_64BIT")
    ds = geospacexr.open_tiegcm(tmp_path / "nounits.nc")
    assert ds.attrs["model"] == "TIE-GCM" and ds.sizes["lev"] == 29


def test_time_cross_check_warns(tg_files, tmp_path):
    _, sech = tg_files
    plain = xr.open_dataset(sech, decode_cf=False).load()
    plain["time"].attrs["units"] = "seconds since 2003-3-22 0:0:0"
    plain.to_netcdf(tmp_path / "badtime.nc", format="NETCDF3_64BIT")
    with pytest.warns(DataWarning, match="disagrees with year/mtime"):
        ds = geospacexr.open_tiegcm(tmp_path / "badtime.nc")
    assert str(ds.time.values[0]).startswith("2003-03-21T00:00")


def test_not_a_gcm_file(tmp_path):
    xr.Dataset({"a": ("x", [1.0, 2.0])}).to_netcdf(tmp_path / "other.nc")
    with pytest.raises(FileFormatError, match="not a TIE-GCM or WACCM-X history.*mtime"):
        geospacexr.open_tiegcm(tmp_path / "other.nc")


def test_truncated_file_names_the_file(tg_files, tmp_path):
    _, sech = tg_files
    bad = tmp_path / "cut_sech.nc"
    bad.write_bytes(sech.read_bytes()[:20000])
    with pytest.raises(FileFormatError, match="cut_sech.nc"):
        geospacexr.open_tiegcm(bad).load()


def test_different_grids_are_refused(tg_files):
    _, sech = tg_files
    other = sorted(datasets.sample_path("tiegcm-2.5deg").glob("*.nc"))
    with pytest.raises(IncompatibleInputError, match="different grids"):
        geospacexr.open_tiegcm([sech, *other])


def test_models_are_not_mixed(tg_files):
    with pytest.raises(IncompatibleInputError, match="mix models"):
        geospacexr.open([tg_files[1], datasets.sample_path("waccmx")])
    with pytest.raises(FileFormatError, match="expected WACCM-X"):
        geospacexr.open_waccmx(tg_files[1])


def test_registry_recognises_gcm_files(tg_files):
    from geospacexr.io.registry import find_reader

    assert find_reader(tg_files[0]).name == "gcm-netcdf"
    assert find_reader(datasets.sample_path("waccmx")).name == "gcm-netcdf"


def test_waccmx_reader():
    path = datasets.sample_path("waccmx")
    ds = geospacexr.open_waccmx(path)
    assert ds.attrs["model"] == "WACCM-X"
    for name in (
        "TN",
        "UN",
        "VN",
        "O1",
        "O2",
        "N2",
        "HE",
        "CO2",
        "H",
        "O3",
        "HO2",
        "NE",
        "OP",
        "ZG",
        "Z",
        "TE",
        "TI",
    ):
        assert name in ds, name
    assert ds.TN.attrs["source_name"] == "T" and ds.O1.attrs["source_name"] == "O"
    assert ds.O1.attrs["units"] == "mol/mol"
    lon = ds.lon.values
    assert lon.min() >= -180 and lon.max() < 180 and np.all(np.diff(lon) > 0)
    with netCDF4.Dataset(path) as nc:
        raw_lon = nc["lon"][:]
        k = int(np.argmin(np.abs(((raw_lon + 180) % 360 - 180) - lon[3])))
        raw_z = nc["Z3GM"][0, 10, 7, k]
        hyam, hybm, p0, ps = nc["hyam"][:], nc["hybm"][:], float(nc["P0"][...]), nc["PS"][0, 7, k]
    assert float(ds.ZG[0, 10, 7, 3]) == pytest.approx(float(raw_z) / 1000.0, rel=1e-6)
    np.testing.assert_allclose(
        ds.pressure.isel(time=0, lat=7, lon=3).values, (hyam * p0 + hybm * ps) / 100.0, rtol=1e-6
    )
    assert ds.lev.values[0] < ds.lev.values[-1]  # index 0 is the model top
    np.testing.assert_array_equal(
        ds.time.values, np.array(["2003-03-21T00", "2003-03-21T01"], dtype="datetime64[ns]")
    )


def test_waccmx_noleap_time_without_date(tmp_path):
    plain = xr.open_dataset(datasets.sample_path("waccmx"), decode_cf=False).load()
    plain = plain.drop_vars(["date", "datesec"])
    plain.to_netcdf(tmp_path / "nodate.nc", format="NETCDF3_64BIT")
    ds = geospacexr.open_waccmx(tmp_path / "nodate.nc")
    # day 79 since 2003-01-01 on the noleap calendar is March 21
    np.testing.assert_array_equal(
        ds.time.values, np.array(["2003-03-21T00", "2003-03-21T01"], dtype="datetime64[ns]")
    )


def test_round_trip_netcdf(tg_files, tmp_path):
    ds = geospacexr.open_tiegcm(tg_files[1]).isel(time=[0])
    ds.to_netcdf(tmp_path / "rt.nc")
    with xr.open_dataset(tmp_path / "rt.nc") as back:
        xr.testing.assert_allclose(back.load(), ds.load())


def test_hydrostatic_consistency_of_the_sample(tg_files):
    """ZG of the sample satisfies dh = kT/(m g(h, lat)) d(ln p) between interfaces.

    Independent of the generator's integration: g at the mean of the two interface heights.
    """
    from geospacexr.physics import AMU_G, BOLTZMANN_CGS, gravity

    ds = geospacexr.open_tiegcm(tg_files[1]).isel(time=1).load()
    dz = 0.5
    zg = ds.ZG.transpose("lat", "lon", "ilev").values * 1e5
    tn = ds.TN.transpose("lat", "lon", "lev").values[..., :-1]
    o1, o2, he = (ds[v].transpose("lat", "lon", "lev").values[..., :-1] for v in ("O1", "O2", "HE"))
    n2 = 1 - o1 - o2 - he
    mbar = 1 / (o1 / 16 + o2 / 32 + he / 4 + n2 / 28)
    g = gravity(0.5 * (zg[..., 1:] + zg[..., :-1]), ds.lat.values[:, None, None])
    expected = BOLTZMANN_CGS * tn / (mbar * AMU_G * g) * dz
    np.testing.assert_allclose(np.diff(zg, axis=-1), expected, rtol=2e-4)
    # heights are plausible: ~97 km at the bottom, a few hundred km at the top
    assert 90 < zg[..., 0].min() / 1e5 < 100 and 400 < zg[..., -1].min() / 1e5 < 900
