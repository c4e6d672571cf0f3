"""TIE-GCM layouts of every version, multi-file runs and bad input (issue 17).

Files: the ``tiegcm-1.94`` sample (NCAR's tiegcm1.94 primary listing), the current-layout
samples, and variants of the 1.94 sample. The variants start from one copy of that sample on a
coarser geographic grid (``small_primary``: every name, type, attribute and value of the sample,
every 3rd latitude and 4th longitude; 1/12 of its 25 MB), made once per module; a variant that
changes only values or attributes is that copy patched in place (:func:`patched`), one that
changes dims is rewritten variable by variable (:func:`rewrite`).
"""

from __future__ import annotations

import gzip
import warnings
from collections.abc import Callable
from pathlib import Path

import netCDF4
import numpy as np
import pytest

import geospacexr
from geospacexr import datasets
from geospacexr._synth import cdl
from geospacexr._synth.gcm import LAYOUT_LISTINGS, layout_listing
from geospacexr.errors import FileFormatError, IncompatibleInputError
from geospacexr.io.gcm import OverlapWarning

LISTINGS = Path(__file__).parents[1] / "gcm" / "layouts" / "data"

#: change(name, spec) -> spec or None (drop); spec: dims, dtype, data, attrs
Change = Callable[[str, dict], dict | None]
#: The geographic grid of the variants: enough columns for maps, a twelfth of the sample's.
SMALL_GRID = {"lat": slice(None, None, 3), "lon": slice(None, None, 4)}


def rewrite(
    src: Path,
    dst: Path,
    change: Change | None = None,
    *,
    dims: dict[str, int | None] | None = None,
    attrs: dict | None = None,
    select: dict[str, slice] | None = None,
) -> Path:
    """Copy a netCDF-3 file variable by variable through ``change`` (netCDF4, any dims).

    ``select`` (dim -> slice) keeps part of a dim (read only that part).
    """
    select = select or {}
    with netCDF4.Dataset(src) as nc:
        nc.set_auto_mask(False)
        gattrs = {k: nc.getncattr(k) for k in nc.ncattrs()}
        all_dims = {
            d: (None if v.isunlimited() else len(range(len(v))[select.get(d, slice(None))]))
            for d, v in nc.dimensions.items()
        }
        specs = {}
        for name, var in nc.variables.items():
            index = tuple(select.get(d, slice(None)) for d in var.dimensions)
            spec = {
                "dims": var.dimensions,
                "dtype": var.dtype,
                "data": var[index] if index else var[...],
                "attrs": {k: var.getncattr(k) for k in var.ncattrs()},
            }
            spec = change(name, spec) if change else spec
            if spec is not None:
                specs[name] = spec
    all_dims.update(dims or {})
    gattrs.update(attrs or {})
    gattrs = {k: v for k, v in gattrs.items() if v is not None}
    with netCDF4.Dataset(dst, "w", format="NETCDF3_64BIT_OFFSET") as out:
        for dim, size in all_dims.items():
            if any(dim in s["dims"] for s in specs.values()):
                out.createDimension(dim, size)
        out.setncatts(gattrs)
        for name, spec in specs.items():
            v = out.createVariable(name, spec["dtype"], spec["dims"])
            v.set_auto_mask(False)
            v.setncatts(spec["attrs"])
            if spec["dims"]:
                v[:] = spec["data"]
            else:
                v.assignValue(spec["data"])
    return dst


def patched(src: Path, dst: Path, edit: Callable[[netCDF4.Dataset], None]) -> Path:
    """A byte copy of ``src`` changed in place by ``edit(nc)`` (netCDF4, append mode, no masks).

    For changes of values and attributes only; dims and variables stay (see :func:`rewrite`).
    """
    dst.write_bytes(src.read_bytes())
    with netCDF4.Dataset(dst, "a") as nc:
        nc.set_auto_mask(False)
        edit(nc)
    return dst


@pytest.fixture(scope="module")
def old_primary() -> Path:
    return datasets.sample_path("tiegcm-1.94") / "tiegcm194_5deg_prim_001.nc"


@pytest.fixture(scope="module")
def small_primary(old_primary, tmp_path_factory) -> Path:
    """The old-layout sample on :data:`SMALL_GRID`, written once per module."""
    folder = tmp_path_factory.mktemp("small_primary")
    return rewrite(old_primary, folder / old_primary.name, select=SMALL_GRID)


@pytest.fixture(scope="module")
def current() -> tuple[Path, Path]:
    folder = datasets.sample_path("tiegcm-5deg")
    return folder / "tiegcm_5deg_prim_001.nc", folder / "tiegcm_5deg_sech_001.nc"


def open_quietly(paths):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return geospacexr.open_tiegcm(paths)


# -- the old-layout sample -------------------------------------------------------------------


def test_sample_listing_is_the_tests_copy_of_the_published_file():
    stored = gzip.decompress((LISTINGS / LAYOUT_LISTINGS["tiegcm1.94-primary"]).read_bytes())
    assert layout_listing("tiegcm1.94-primary") == stored.decode("utf-8")


def test_old_layout_sample_has_the_listings_layout(old_primary):
    spec = cdl.parse_cdl(layout_listing("tiegcm1.94-primary"))
    with netCDF4.Dataset(old_primary) as nc:
        assert list(nc.variables) == list(spec.variables)
        for var in spec.variables.values():
            assert nc[var.name].dimensions == var.dims and nc[var.name].dtype == var.dtype
        assert nc.dimensions["mtimedim"].size == 3 and nc.dimensions["ilev"].size == 29
        assert nc["time"].units == "minutes since 2003-3-21 0:0:0"
        assert nc.delhist_mins == 60 and "HE" not in nc.variables and "ZG" not in nc.variables
        assert nc["mag"].dimensions == ("latlon", "latlon")
        np.testing.assert_array_equal(nc["Kp"][:], 1e36)


def test_small_copy_keeps_the_samples_layout_and_values(old_primary, small_primary):
    # the variants below start from this copy: only the geographic grid is coarser
    with netCDF4.Dataset(old_primary) as full, netCDF4.Dataset(small_primary) as small:
        full.set_auto_mask(False)
        small.set_auto_mask(False)
        assert small.data_model == full.data_model
        assert {k: small.getncattr(k) for k in small.ncattrs()}.keys() == set(full.ncattrs())
        for key in full.ncattrs():
            np.testing.assert_array_equal(small.getncattr(key), full.getncattr(key))
        assert list(small.dimensions) == list(full.dimensions)
        for dim, size in full.dimensions.items():
            expected = len(range(len(size))[SMALL_GRID.get(dim, slice(None))])
            assert len(small.dimensions[dim]) == expected, dim
        assert small.dimensions["time"].isunlimited()
        assert list(small.variables) == list(full.variables)
        for name, var in full.variables.items():
            got = small[name]
            assert (got.dimensions, got.dtype) == (var.dimensions, var.dtype), name
            assert got.ncattrs() == var.ncattrs(), name
            for key in var.ncattrs():
                np.testing.assert_array_equal(got.getncattr(key), var.getncattr(key))
            index = tuple(SMALL_GRID.get(d, slice(None)) for d in var.dimensions)
            np.testing.assert_array_equal(got[...], var[index] if index else var[...])


def test_old_layout_sample_opens_without_warnings(old_primary):
    ds = open_quietly(old_primary)
    np.testing.assert_array_equal(
        ds.time.values, np.array(["2003-03-21T00:00", "2003-03-21T01:00"], dtype="datetime64[ns]")
    )
    assert ds.attrs["model_version"] == "tiegcm1.94" and ds.attrs["layout"] == "tiegcm1.94-2.x"
    assert ds["Kp"].isnull().all() and "ZG" in ds and ds["ZG"].chunks is not None
    # the same physics as the current-layout sample at the same time: maps agree
    same = open_quietly(datasets.sample_path("tiegcm-5deg") / "tiegcm_5deg_sech_001.nc")
    a = ds.gcm.lat_lon("TN", time=ds.time.values[1], level=0.25)
    b = same.gcm.lat_lon("TN", time=ds.time.values[1], level=0.25)
    np.testing.assert_allclose(a.values, b.values, rtol=1e-6)


# -- current (3.x) layouts --------------------------------------------------------------------


def test_current_layout_primary_and_secondary(current):
    prim, sech = current
    for path, dtype in ((prim, np.float64), (sech, np.float32)):
        ds = open_quietly(path)
        assert ds["TN"].dtype == dtype
        assert ds.attrs["layout"] == "tiegcm3.x" and ds.attrs["model_version"] == "tiegcm3.0"
        assert ds.attrs["model_version_from"] == "model_version attribute"
        assert ds.attrs["history_interval_s"] in (1800.0, 3600.0)
        assert ds["Kp"].attrs["grid"] == "scalar" and ds["TN"].attrs["grid"] == "geographic"


def four_columns(name, spec):
    """mtime (day, hour, minute) -> (day, hour, minute, second); time in seconds."""
    if name == "mtime":
        data = spec["data"]
        spec.update(
            dims=("time", "mtimedim4"),
            data=np.concatenate([data, np.zeros_like(data[:, :1])], axis=1),
            attrs={**spec["attrs"], "units": "day, hour, minute, second"},
        )
    if name == "time":
        spec["data"] = spec["data"] * 60.0
        spec["attrs"] = {**spec["attrs"], "units": "seconds since 2003-3-21 0:0:0"}
    return spec


def test_mtime_width_and_time_unit_combinations(small_primary, tmp_path):
    reference = open_quietly(small_primary).time.values
    # 4 columns, seconds, delhist_secs (the current writer's form)
    path = rewrite(
        small_primary,
        tmp_path / "four_prim.nc",
        four_columns,
        dims={"mtimedim4": 4},
        attrs={"delhist_mins": None, "delhist_secs": np.int32(3600)},
    )
    ds = open_quietly(path)
    np.testing.assert_array_equal(ds.time.values, reference)
    assert ds.attrs["layout"] == "tiegcm3.x" and ds.attrs["history_interval_s"] == 3600.0

    # 3 columns with seconds, and 4 columns with minutes: both read, both agree
    def seconds_only(nc):
        nc["time"][:] = nc["time"][:] * 60.0
        nc["time"].units = "seconds since 2003-3-21 0:0:0"

    ds = open_quietly(patched(small_primary, tmp_path / "sec_prim.nc", seconds_only))
    np.testing.assert_array_equal(ds.time.values, reference)

    def columns_only(name, spec):
        return four_columns(name, spec) if name == "mtime" else spec

    path = rewrite(small_primary, tmp_path / "col_prim.nc", columns_only, dims={"mtimedim4": 4})
    np.testing.assert_array_equal(open_quietly(path).time.values, reference)


def test_ilev_one_longer_than_lev(small_primary, tmp_path):
    def longer(name, spec):
        if "ilev" in spec["dims"]:  # one more interface on top, extrapolated
            axis = spec["dims"].index("ilev")
            top = np.take(spec["data"], [-1], axis=axis)
            step = top - np.take(spec["data"], [-2], axis=axis)
            spec["data"] = np.concatenate([spec["data"], top + step], axis=axis)
        return spec

    path = rewrite(small_primary, tmp_path / "ilev_prim.nc", longer, dims={"ilev": 30})
    ds = open_quietly(path)
    assert ds.sizes["ilev"] == ds.sizes["lev"] + 1 == 30
    assert ds["ilev"].values[-1] == 7.5 and ds["lev"].values[-1] == 7.25
    assert "ZG" in ds and ds["ZG"].sizes["ilev"] == 30
    t = ds.time.values[0]
    tn = ds.gcm.lat_lon("TN", time=t, height=300)
    reference = open_quietly(small_primary).gcm.lat_lon("TN", time=t, height=300)
    np.testing.assert_allclose(tn.values, reference.values, rtol=1e-6)


# -- multi-file runs --------------------------------------------------------------------------


def shift_hours(hours: int) -> Callable[[netCDF4.Dataset], None]:
    """An edit for :func:`patched`: every record ``hours`` later, TN + 1 K if shifted."""

    def edit(nc):
        mtime = nc["mtime"][:]
        mtime[:, 1] += hours
        nc["mtime"][:] = mtime
        per_hour = 60.0 if "minutes" in nc["time"].units else 3600.0
        nc["time"][:] = nc["time"][:] + hours * per_hour
        if hours:
            nc["TN"][:] = nc["TN"][:] + 1.0  # tells the files apart

    return edit


def test_overlapping_files_keep_the_later_files_histories(small_primary, tmp_path):
    first = patched(small_primary, tmp_path / "run_prim_001.nc", shift_hours(0))  # 0, 1 UT
    second = patched(small_primary, tmp_path / "run_prim_002.nc", shift_hours(1))  # 1, 2 UT
    with pytest.warns(
        OverlapWarning, match=r"run_prim_001\.nc.*replaced by the later file run_prim_002\.nc"
    ):
        ds = geospacexr.open_tiegcm([second, first])
    assert ds.sizes["time"] == 3
    assert "run_prim_002.nc" in ds.attrs["overlaps"]
    # 1 UT comes from the later file (its first history, TN + 1 K there)
    later = open_quietly(second)["TN"].isel(time=0, lev=0).values
    np.testing.assert_allclose(ds["TN"].isel(time=1, lev=0).values, later)
    assert not np.allclose(later, open_quietly(first)["TN"].isel(time=1, lev=0).values)
    np.testing.assert_allclose(
        ds["TN"].isel(time=0, lev=0).values, open_quietly(first)["TN"].isel(time=0, lev=0).values
    )


def test_mixed_versions_or_grids_refused_naming_files_and_versions(old_primary, current):
    _, sech = current
    with pytest.raises(IncompatibleInputError) as info:
        geospacexr.open_tiegcm([old_primary, sech])
    message = str(info.value)
    assert old_primary.name in message and "tiegcm1.94" in message
    assert sech.name in message and "tiegcm3.0" in message
    other = sorted(datasets.sample_path("tiegcm-2.5deg").glob("*.nc"))[0]
    with pytest.raises(IncompatibleInputError, match=r"different grids.*tiegcm3\.0"):
        geospacexr.open_tiegcm([current[1], other])


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [1, 2, 5, 6])
def test_mtime_of_another_width_is_refused(small_primary, tmp_path, width):
    def change(name, spec):
        if name == "mtime":
            data = np.zeros((spec["data"].shape[0], width), dtype="i4")
            data[:, : min(3, width)] = spec["data"][:, : min(3, width)]
            spec.update(dims=("time", "odd"), data=data)
        return spec

    path = rewrite(small_primary, tmp_path / f"w{width}_prim.nc", change, dims={"odd": width})
    with pytest.raises(FileFormatError) as info:
        geospacexr.open_tiegcm(path)
    message = str(info.value)
    assert path.name in message and "variable mtime" in message and "3 or 4 columns" in message


@pytest.mark.parametrize(
    "units",
    [
        "fortnights since 2003-3-21 0:0:0",
        "minutes since 2003-13-45 0:0:0",
        "minutes since the start of the run",
        "minutes after 2003-3-21",
    ],
)
def test_time_unit_that_cannot_be_parsed_is_refused(small_primary, tmp_path, units):
    def change(nc):
        nc["time"].units = units

    path = patched(small_primary, tmp_path / "units_prim.nc", change)
    if "since" not in units:  # not a time unit at all: dated from year/mtime, and said so
        ds = open_quietly(path)
        assert units in ds.attrs["time_note"]
        return
    with pytest.raises(FileFormatError) as info:
        geospacexr.open_tiegcm(path)
    message = str(info.value)
    assert path.name in message and "variable time" in message and "since Y-M-D" in message


def test_missing_lev_is_refused(small_primary, tmp_path):
    path = rewrite(
        small_primary, tmp_path / "nolev_prim.nc", lambda n, s: None if n == "lev" else s
    )
    with pytest.raises(FileFormatError) as info:
        geospacexr.open(path)
    message = str(info.value)
    assert path.name in message and "lacks lev" in message and "expected" in message


def test_time_variable_disagreeing_with_mtime_is_said(small_primary, tmp_path):
    def change(nc):
        nc["time"][:] = nc["time"][:] + 30.0  # 30 minutes off

    path = patched(small_primary, tmp_path / "off_prim.nc", change)
    with pytest.warns(geospacexr.errors.DataWarning, match=r"off_prim\.nc.*disagrees.*1800 s"):
        ds = geospacexr.open_tiegcm(path)
    assert ds.time.values[0] == np.datetime64("2003-03-21T00:00")  # from year/mtime


# -- fields on the geomagnetic grid ---------------------------------------------------------------


def add_magnetic_fields(src: Path, dst: Path, fields: dict) -> Path:
    """A copy of ``src`` with float32 fields added (name -> (dims, values, units))."""
    dst.write_bytes(src.read_bytes())
    with netCDF4.Dataset(dst, "a") as nc:
        for name, (dims, values, units) in fields.items():
            v = nc.createVariable(name, "f4", dims)
            v.setncatts({"long_name": name, "units": units, "missing_value": 1e36})
            v[:] = values
    return dst


def test_geomagnetic_fields_keep_their_own_dims_and_coords(small_primary, tmp_path):
    with netCDF4.Dataset(small_primary) as nc:
        n = {d: len(nc.dimensions[d]) for d in ("time", "mlat", "mlon", "mlev", "imlev")}
        mlat = nc["mlat"][:]
    rng = np.random.default_rng(17)
    ed1 = rng.normal(0, 1e-3, (n["time"], n["imlev"], n["mlat"], n["mlon"]))
    ed1[0, 0, 0, 0] = 1e36  # the model's spval
    fields = {
        "ED1": (("time", "imlev", "mlat", "mlon"), ed1, "V/m"),
        "JE13D": (
            ("time", "mlev", "mlat", "mlon"),
            np.ones((n["time"], n["mlev"], n["mlat"], n["mlon"])),
            "A/m2",
        ),
        "PHIM2D": (("time", "mlat", "mlon"), np.zeros((n["time"], n["mlat"], n["mlon"])), "V"),
    }
    ds = open_quietly(add_magnetic_fields(small_primary, tmp_path / "mag_prim.nc", fields))
    assert ds["ED1"].dims == ("time", "imlev", "mlat", "mlon")
    assert ds["JE13D"].dims == ("time", "mlev", "mlat", "mlon")
    assert ds["PHIM2D"].dims == ("time", "mlat", "mlon")
    for name in fields:
        assert ds[name].attrs["grid"] == "geomagnetic" and name in ds.data_vars
    np.testing.assert_array_equal(ds["mlat"].values, mlat)
    assert ds["mlon"].values[0] == -180 and ds["mlon"].values[-1] == 180  # both kept
    assert np.isnan(ds["ED1"].values[0, 0, 0, 0]) and np.isfinite(ds["ED1"].values[0, 1]).all()
    np.testing.assert_allclose(ds["ED1"].values[1], ed1[1].astype("f4"))
    # the geographic fields are untouched by the magnetic grid
    assert ds["TN"].dims == ("time", "lev", "lat", "lon") and ds["TN"].attrs["grid"] == "geographic"


def test_geomagnetic_grid_is_validated(small_primary, tmp_path):
    def bad_mlat(nc):
        nc["mlat"][:] = nc["mlat"][:] * 1.5  # beyond the poles

    path = patched(small_primary, tmp_path / "mlat_prim.nc", bad_mlat)
    with pytest.raises(FileFormatError, match=r"mlat_prim\.nc.*coordinate mlat outside"):
        geospacexr.open_tiegcm(path)
    # a field on the magnetic grid in another dim order is not one the slices can use: dropped
    with netCDF4.Dataset(small_primary) as nc:
        n = {d: len(nc.dimensions[d]) for d in ("time", "mlat", "mlon")}
    fields = {"ODD": (("time", "mlon", "mlat"), np.zeros((n["time"], n["mlon"], n["mlat"])), "V")}
    with pytest.warns(geospacexr.errors.DataWarning, match=r"field ODD has dims"):
        ds = geospacexr.open_tiegcm(
            add_magnetic_fields(small_primary, tmp_path / "odd_prim.nc", fields)
        )
    assert "ODD" not in ds
