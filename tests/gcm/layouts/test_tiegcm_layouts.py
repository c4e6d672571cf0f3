"""TIE-GCM histories laid out as NCAR's published listings of real runs (issue 17).

Fixtures: :mod:`tiegcm_layouts` (sources named there). Each opens without any warning, dates
its records from ``year``/``mtime`` exactly as a reader of the listing would by hand, masks the
1e36 slots, slices per column in height, and gives derived fields and emissions.
"""

from __future__ import annotations

import gzip
import hashlib
import warnings

import netCDF4
import numpy as np
import pytest
import tiegcm_layouts as layouts

import geospacexr


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiegcm_layouts")
    return {name: layouts.build(name, folder) for name in layouts.LAYOUTS}


def open_quietly(path):
    """Open with every warning an error: no warning may reach the user (issue 17)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return geospacexr.open_tiegcm(path)


@pytest.mark.parametrize("name", list(layouts.LAYOUTS))
def test_listing_is_the_published_file(name):
    # the git blob id of the stored listing is the one in NCAR/tiegcm at the named commit
    text = gzip.decompress((layouts.DATA / layouts.LAYOUTS[name].file).read_bytes())
    blob = hashlib.sha1(b"blob %d\0" % len(text) + text).hexdigest()
    assert blob == layouts.LAYOUTS[name].blob


@pytest.mark.parametrize("name", list(layouts.LAYOUTS))
def test_fixture_keeps_every_name_type_and_attribute(files, name):
    spec = layouts.parse(name)
    with netCDF4.Dataset(files[name]) as nc:
        assert list(nc.dimensions) == list(spec.dims)
        assert list(nc.variables) == list(spec.variables)
        assert {k: nc.getncattr(k) for k in nc.ncattrs()}.keys() == spec.attrs.keys()
        for var in spec.variables.values():
            got = nc.variables[var.name]
            assert got.dimensions == var.dims
            assert got.dtype == np.dtype(var.dtype), var.name
            assert got.ncattrs() == list(var.attrs), var.name
            for key, value in var.attrs.items():
                np.testing.assert_array_equal(got.getncattr(key), value)
        # small variables as listed (lat/lon thinned): times, scalars, the magnetic grid ends
        np.testing.assert_array_equal(
            nc["time"][:], np.array(spec.variables["time"].values, dtype=float)
        )
        assert nc["mlat"][0] == -90 and nc["mlat"][-1] == 90
        assert nc["mlon"][0] == -180 and nc["mlon"][-1] == 180


@pytest.mark.parametrize("name", list(layouts.LAYOUTS))
def test_opens_without_any_warning(files, name):
    ds = open_quietly(files[name])
    assert ds.attrs["model"] == "TIE-GCM"
    assert ds.attrs["layout"] == "tiegcm1.94-2.x"
    assert ds.attrs["history_interval_s"] == 60 * layouts.parse(name).attrs["delhist_mins"]


EXPECTED_TIMES = {
    # mtime (day, hour, minute) of 2002, by hand: day 355 is 21 December
    "tiegcm1.94-primary": ("2002-12-21T00:00", "2002-12-26T00:00", 6),
    "tiegcm2.0-primary": ("2002-12-21T00:00", "2002-12-26T00:00", 6),
    # 359,1,0 ... 359,23,0 then 360,0,0: across the day boundary
    "tiegcm2.0-secondary": ("2002-12-25T01:00", "2002-12-26T00:00", 24),
    "tiegcm1.94-secondary": ("2002-12-21T01:00", "2002-12-22T00:00", 24),
}


@pytest.mark.parametrize("name", list(EXPECTED_TIMES))
def test_times_decoded_from_year_and_three_column_mtime(files, name):
    ds = open_quietly(files[name])
    first, last, count = EXPECTED_TIMES[name]
    assert ds.sizes["time"] == count
    assert ds.time.values[0] == np.datetime64(first) and ds.time.values[-1] == np.datetime64(last)
    assert np.all(np.diff(ds.time.values) > np.timedelta64(0))


def test_time_minutes_since_unpadded_date_agrees_with_mtime(files):
    # "minutes since 2002-12-21 0:0:0": 5820 minutes = 4 days 1 hour = day 359, 01:00
    with netCDF4.Dataset(files["tiegcm2.0-secondary"]) as nc:
        assert nc["time"].units == "minutes since 2002-12-21 0:0:0"
        minutes = nc["time"][:]
    ds = open_quietly(files["tiegcm2.0-secondary"])
    expected = np.datetime64("2002-12-21T00:00") + minutes.astype("timedelta64[m]")
    np.testing.assert_array_equal(ds.time.values, expected.astype("datetime64[ns]"))


def test_tiegcm194_secondary_time_without_a_time_unit_is_said_not_guessed(files):
    # the published 1.94-beta secondary carries NMF2's attributes on `time` (units "1/cm3")
    ds = open_quietly(files["tiegcm1.94-secondary"])
    assert "1/cm3" in ds.attrs["time_note"]
    assert ds.attrs["model_version"] == "tiegcm1.94"


@pytest.mark.parametrize("name", list(layouts.LAYOUTS))
def test_1e36_slots_are_nan(files, name):
    ds = open_quietly(files[name])
    for scalar in ("Kp", "bximf", "bzimf", "swvel", "swden", "al"):
        assert ds[scalar].dims == ("time",) and ds[scalar].isnull().all(), scalar
        assert ds[scalar].attrs["grid"] == "scalar"
    assert (ds["byimf"] == 0).all() and (ds["ctpoten"] == 60).all()
    # mag(latlon, latlon): distinct dims, the unwritten values NaN
    assert ds["mag"].dims == ("pole", "latlon") and ds["mag"].isnull().all()
    assert ds["mag"].attrs["source_dims"] == "latlon, latlon"
    # the model's spval at the top midpoint of TN (float32 or double)
    top = ds["TN"].isel(lev=-1)
    assert top.isnull().all() and ds["TN"].isel(lev=slice(None, -1)).notnull().all()


def test_versions_recognised_from_content(files):
    expected = {
        "tiegcm1.94-primary": "tiegcm1.94",
        "tiegcm1.94-secondary": "tiegcm1.94",
        "tiegcm2.0-primary": "tiegcm2.0",
        "tiegcm2.0-secondary": "tiegcm2.0",
    }
    for name, version in expected.items():
        ds = open_quietly(files[name])
        assert ds.attrs["model_version"] == version, name
        assert ds.attrs["file_model_version"] == "tiegcm_trunk"
        assert ds.attrs["model_version_from"].startswith("file content")


def test_geomagnetic_and_2d_fields_keep_their_grids(files):
    ds = open_quietly(files["tiegcm2.0-secondary"])
    zmag = ds["ZMAG"]
    assert zmag.dims == ("time", "imlev", "mlat", "mlon")
    assert zmag.attrs["grid"] == "geomagnetic" and zmag.attrs["units"] == "km"
    assert ds["mlat"].values[0] == -90 and ds["mlat"].values[-1] == 90
    assert ds["mlon"].values[0] == -180 and ds["mlon"].values[-1] == 180
    assert ds.sizes["imlev"] == 63 and ds.sizes["mlev"] == 63
    # ZMAG rises with imlev (km), in the thermosphere's range
    profile = zmag.isel(time=0).mean(("mlat", "mlon")).values
    assert np.all(np.diff(profile) > 0) and 60 < profile[0] < 120 and profile[-1] > 400
    for name in ("TEC", "TLBC", "ULBC", "VLBC"):
        assert ds[name].dims == ("time", "lat", "lon") and ds[name].attrs["grid"] == "geographic"
    assert ds["TN"].attrs["grid"] == "geographic"


def _column_interp(field, heights, target):
    """Independent per-column interpolation: numpy's interp on each column."""
    out = np.full(field.shape[1:], np.nan)
    for j in range(field.shape[1]):
        for i in range(field.shape[2]):
            ok = np.isfinite(field[:, j, i]) & np.isfinite(heights[:, j, i])
            out[j, i] = np.interp(target, heights[ok, j, i], field[ok, j, i])
    return out


@pytest.mark.parametrize("name", list(layouts.LAYOUTS))
def test_per_column_height_slice(files, name):
    ds = open_quietly(files[name])
    t = ds.time.values[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tn = ds.gcm.lat_lon("TN", time=t, height=300)
    assert tn.dims == ("lat", "lon") and np.isfinite(tn.values).all()
    zg = ds["ZG"].sel(time=t).values
    zmid = 0.5 * (zg[:-1] + zg[1:])  # midpoint heights (lev below the top interface)
    reference = _column_interp(ds["TN"].sel(time=t).values[: zmid.shape[0]], zmid, 300.0)
    np.testing.assert_allclose(tn.values, reference, rtol=2e-3)
    if name == "tiegcm1.94-primary":  # no ZG on file: computed from Z, lazily, and said so
        assert "ZG computed from Z" in ds.attrs["completions"]
        assert open_quietly(files[name])["ZG"].chunks is not None


def test_tiegcm194_primary_without_he_and_n2(files):
    ds = open_quietly(files["tiegcm1.94-primary"])
    assert "HE" not in ds and "N2" not in ds
    t = ds.time.values[0]
    ratio = ds.gcm.lat_lon("O/N2", time=t, level=0.25).values
    o1 = ds["O1"].sel(time=t, lev=0.25).values
    o2 = ds["O2"].sel(time=t, lev=0.25).values
    n2 = 1.0 - o1 - o2  # closure without He, as tiegcm1.94 itself
    np.testing.assert_allclose(ratio, (o1 / 16.0) / (n2 / 28.0), rtol=1e-7)
    mbar = geospacexr.gcm.mean_molecular_mass(ds.sel(time=t))
    assert "no He" in mbar.attrs["long_name"]
    np.testing.assert_allclose(
        mbar.sel(lev=0.25).values, 1.0 / (o1 / 16.0 + o2 / 32.0 + n2 / 28.0), rtol=1e-12
    )
    density = ds.gcm.lat_lon(geospacexr.gcm.density(ds, "O1"), time=t, height=250)
    assert np.isfinite(density.values).all() and 1e8 < float(density.mean()) < 1e10


@pytest.mark.parametrize("name", ["tiegcm1.94-primary", "tiegcm2.0-primary", "tiegcm2.0-secondary"])
def test_emission_on_old_layouts(files, name):
    ds = open_quietly(files[name])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rate = ds.gcm.emission("OI6300", time=ds.time.values[0], height=250)
    assert rate.dims == ("lat", "lon") and np.isfinite(rate.values).all()
    assert float(rate.max()) > 0


@pytest.mark.parametrize("name", list(layouts.LAYOUTS))
def test_derived_fields_on_old_layouts(files, name):
    ds = open_quietly(files[name])
    t = ds.time.values[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ratio = ds.gcm.lat_lon("O/N2", time=t, height=250)
        rho = ds.gcm.lat_lon("RHO", time=t, level=0.25)
    assert np.isfinite(ratio.values).all() and 0.3 < float(np.median(ratio.values)) < 30
    # RHO = p m / (k T): against the file's own DEN (g/cm3, on ilev) where the file has it
    assert np.isfinite(rho.values).all() and 1e-16 < float(rho.mean()) < 1e-11
    if "DEN" in ds:
        den = np.exp(ds["DEN"].sel(time=t).pipe(np.log).interp(ilev=0.25)).values
        np.testing.assert_allclose(rho.values, den, rtol=0.02)


def test_emission_needs_what_the_1_94_secondary_lacks(files):
    ds = open_quietly(files["tiegcm1.94-secondary"])
    with pytest.raises(geospacexr.errors.MissingVariableError, match="needs OP"):
        ds.gcm.emission("OI6300", time=ds.time.values[0], height=250)


def test_primary_and_secondary_of_different_cadences_merge(files):
    # 2.0: daily primaries, hourly secondaries; the union of their times
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = geospacexr.open_tiegcm([files["tiegcm2.0-primary"], files["tiegcm2.0-secondary"]])
    assert ds.sizes["time"] == 6 + 24 - 1  # 2002-12-26 00:00 is in both
    assert {"HE", "ZG", "ZMAG", "TEC", "TN_NM"} <= set(ds.data_vars)
    assert ds["HE"].sel(time="2002-12-21T00:00").notnull().all()  # primary only
    assert ds["TEC"].sel(time="2002-12-21T00:00").isnull().all()
    assert ds["ZMAG"].sel(time="2002-12-25T05:00").notnull().all()  # secondary only
    tn = ds.gcm.lat_lon("TN", time=np.datetime64("2002-12-25T05:00"), height=300)
    assert np.isfinite(tn.values).all()


def test_merged_primary_and_secondary_give_derived_fields_emissions_and_the_explorer(files):
    # at a secondary-only hour the primary's fields are missing, at a shared hour all are there
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = geospacexr.open_tiegcm([files["tiegcm2.0-primary"], files["tiegcm2.0-secondary"]])
        shared = np.datetime64("2002-12-26T00:00")
        ratio = ds.gcm.lat_lon("O/N2", time=shared, height=250)
        rate = ds.gcm.emission("OI6300", time=shared, height=250)
    assert np.isfinite(ratio.values).all() and 0.3 < float(np.median(ratio.values)) < 30
    assert np.isfinite(rate.values).all() and float(rate.max()) > 0
    pytest.importorskip("panel")
    from geospacexr.explore.gcm import GcmExplorer

    ex = GcmExplorer(ds, prebuild=False)
    assert {"TN", "TEC", "ZMAG", "HE"} <= set(ex.variable.options)
    ex.variable.value = "TEC"
    assert not ex.message.visible, ex.message.object


def test_mixed_versions_are_refused_naming_files_and_versions(files):
    with pytest.raises(geospacexr.errors.IncompatibleInputError) as info:
        geospacexr.open_tiegcm([files["tiegcm1.94-primary"], files["tiegcm2.0-secondary"]])
    message = str(info.value)
    assert files["tiegcm1.94-primary"].name in message and "tiegcm1.94" in message
    assert files["tiegcm2.0-secondary"].name in message and "tiegcm2.0" in message


@pytest.mark.parametrize("name", ["tiegcm1.94-primary", "tiegcm2.0-secondary"])
def test_gcm_explorer_on_old_layouts(files, name):
    pytest.importorskip("panel")
    from geospacexr.explore.gcm import GcmExplorer

    ds = open_quietly(files[name])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex = GcmExplorer(ds)
        assert "TN" in ex.variable.options
        field = "TEC" if name.endswith("secondary") else "TLBC"  # 2-D (time, lat, lon) fields
        assert field in ex.variable.options
        means = {}
        for variable in ("TN", field):
            ex.variable.value = variable
            image = ex.element.get(0)
            values = np.asarray(image.dimension_values(2), dtype=float)
            assert np.isfinite(values).sum() > values.size // 2, variable
            means[variable] = np.nanmean(values)
        assert means["TN"] != pytest.approx(means[field], rel=1e-3)  # the map changed


@pytest.mark.parametrize("name", ["tiegcm1.94-primary", "tiegcm2.0-secondary"])
def test_old_layouts_round_trip_through_netcdf(files, name, tmp_path):
    import xarray as xr

    ds = open_quietly(files[name])
    ds.to_netcdf(tmp_path / "copy.nc")
    with xr.open_dataset(tmp_path / "copy.nc") as back:
        assert back["mag"].dims == ("pole", "latlon")
        assert back.attrs["model_version"] == ds.attrs["model_version"]
        assert {v: back[v].attrs["grid"] for v in back.data_vars} == {
            v: ds[v].attrs["grid"] for v in ds.data_vars
        }
        np.testing.assert_array_equal(back["TN"].values, ds["TN"].values)
