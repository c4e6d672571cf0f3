"""CESM2 WACCM-X histories as distributed (CCMC's layout): fixtures from header listings.

The fixtures (``tests/gcm/layouts/waccmx_cesm2.py``) carry the variable names, types, dims and
attributes of CAM's history writer in the CESM2 releases, on the CCMC run's grid (subsampled):
lon 0..357.5, lat with both poles, 130 hybrid levels, fields on the geomagnetic grid, ``time``
in days since 1979-01-01 on the ``noleap`` calendar, an instantaneous h1 and a daily-mean h0
with ``time_bnds``, over terrain (PHIS).
"""

from __future__ import annotations

import importlib.util
import json
import warnings
from pathlib import Path

import netCDF4
import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr import datasets
from geospacexr._synth import cesm
from geospacexr.errors import DataWarning, FileFormatError
from geospacexr.gcm import heights
from geospacexr.io._cesm import decode_cf_times

_SPEC = importlib.util.spec_from_file_location(
    "waccmx_cesm2_layout", Path(__file__).parents[1] / "gcm" / "layouts" / "waccmx_cesm2.py"
)
layout = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(layout)

NOLEAP_2020_03_01 = cesm.NOLEAP_DAY_2020_03_01  # 15024: the same count is 2020-02-19 Gregorian
GREGORIAN_2020_03_01 = 15035  # 1979-01-01 to 2020-03-01 with the 11 leap days between


def quiet_open(path, **kwargs):
    """Open with every warning an error (the layouts must open cleanly)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return geospacexr.open_waccmx(path, **kwargs)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cesm2")
    return {
        "h1": layout.build(folder / "ccmc.cam.h1.2020-03-01-00000.nc", "h1"),
        "h0": layout.build(folder / "ccmc.cam.h0.2020-03-01-00000.nc", "h0"),
        "h0_681": layout.build(folder / "dev.cam.h0.2020-03-01-00000.nc", "h0", z3gm="cam6_3_016"),
        "h1_681": layout.build(folder / "dev.cam.h1.2020-03-01-00000.nc", "h1", z3gm="cam6_3_016"),
    }


def true_heights_km(kind: str) -> np.ndarray:
    """The fixture's geometric heights as integrated (gravity varying with height and latitude).

    Independent of CAM's formulas: hydrostatic integration from the surface in the generator.
    """
    times_h = [12.0, 12.0] if kind == "h0" else [0.0, 1.0]
    state = layout.physics(kind, times_h)
    lon = ((state["lon"] + 180.0) % 360.0) - 180.0
    return state["ZTRUE"][..., np.argsort(lon)] / 1000.0, state["PHIS"][0][:, np.argsort(lon)]


def rewrite_times(values_time, calendar, *, drop_date=True, units=None):
    """An ``edit`` for :func:`layout.build`: another calendar/units for ``time``, no date."""

    def edit(header, values):
        attrs = header["variables"]["time"][2]
        attrs["calendar"] = calendar
        if units is not None:
            attrs["units"] = units
        values["time"] = np.asarray(values_time, dtype=np.float64)
        values["time_bnds"] = np.stack([values["time"], values["time"]], axis=1)
        if drop_date:
            for name in ("date", "datesec"):
                del header["variables"][name]

    return edit


# -- opens, with the standard names ------------------------------------------------------------


def test_h1_opens_without_warnings_with_the_standard_names(files):
    ds = quiet_open(files["h1"])
    assert ds.attrs["model"] == "WACCM-X" and ds.attrs["geospacexr_kind"] == "gcm"
    assert ds.attrs["model_version"] == "CESM2 (CAM6)"  # from model_doi_url, not the name
    assert ds.attrs["layout"] == "CAM history: instantaneous fields, hour_1"
    for name, source in {
        "TN": "T", "UN": "U", "VN": "V", "O1": "O", "TE": "TElec", "TI": "TIon", "ZG": "Z3GM",
        "Z": "Z3", "TEC": "ElecColDens",
    }.items():  # fmt: skip
        assert ds[name].attrs["source_name"] == source, name
    assert ds.O1.attrs["units"] == "mol/mol" and ds.ZG.attrs["units"] == "km"
    assert ds.TEC.attrs["units"] == "1/cm2" and ds.TEC.attrs["source_units"] == "TECU"
    # the grid: 130 levels top first, both poles, lon in [-180, 180) and sorted
    assert ds.sizes["lev"] == 130 and ds.sizes["ilev"] == 131
    assert ds.lev.values[0] < ds.lev.values[-1] and ds.lev.attrs["units"] == "hPa"
    assert ds.lat.values[0] == -90.0 and ds.lat.values[-1] == 90.0
    lon = ds.lon.values
    assert lon.min() == -180.0 and lon.max() < 180.0 and np.all(np.diff(lon) > 0)
    # fields on the geomagnetic grid keep their own dims and coordinates
    for name in ("ED1", "ED2", "PHIM2D", "EDYN_ZIGM11_PED", "EDYN_ZIGM2_HAL"):
        assert ds[name].dims == ("time", "mlat", "mlon"), name
    assert ds.sizes["mlat"] == 97 and ds.mlat.values[0] == -90.0 and ds.mlat.values[-1] == 90.0
    assert ds.mlon.values[0] == -180.0 and ds.sizes["mlon"] == 80
    # values: the file's, at the right (rolled) longitude, TEC converted from TECU
    with netCDF4.Dataset(files["h1"]) as nc:
        raw_lon = nc["lon"][:]
        k = int(np.flatnonzero(np.isclose((raw_lon + 180) % 360 - 180, lon[2]))[0])
        raw_t = float(nc["T"][1, 100, 7, k])
        raw_tec = float(nc["ElecColDens"][1, 7, k])
        raw_phi = nc["PHIM2D"][1]
    assert float(ds.TN[1, 100, 7, 2]) == pytest.approx(raw_t, rel=1e-7)
    assert float(ds.TEC[1, 7, 2]) == pytest.approx(raw_tec * 1e12, rel=1e-6)
    np.testing.assert_array_equal(ds.PHIM2D[1].values, raw_phi)
    # found by the reader registry from the file alone
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert geospacexr.open(files["h1"]).attrs["model"] == "WACCM-X"


def test_h0_opens_without_warnings(files):
    ds = quiet_open(files["h0"])
    # PHIS is an instantaneous field even on an averaged tape (its addfld flag 'I')
    assert ds.attrs["layout"] == "CAM history: instantaneous and time-averaged fields, day_1"
    for name in ("TN", "O1", "O2", "NO", "CO2", "NE", "OP", "ZG", "Z", "PHIS", "HMF2", "NMF2"):
        assert name in ds, name
    assert ds.NE.attrs["source_units"] == "cm^3" and ds.NE.attrs["units"] == "cm-3"
    np.testing.assert_allclose(
        ds.pressure.isel(time=0, lev=-1).values,
        (ds.hyam[-1] * ds.P0 + ds.hybm[-1] * ds.PS.isel(time=0)).values / 100.0,
        rtol=1e-6,
    )


# -- times ---------------------------------------------------------------------------------------


def test_noleap_times_after_february_of_a_leap_year(files):
    with netCDF4.Dataset(files["h1"]) as nc:
        raw = nc["time"][:]
        assert nc["time"].calendar == "noleap" and list(nc["date"][:]) == [20200301] * 2
    np.testing.assert_allclose(raw, NOLEAP_2020_03_01 + np.array([0, 1 / 24]))
    expected = np.array(["2020-03-01T00", "2020-03-01T01"], dtype="datetime64[ns]")
    np.testing.assert_array_equal(quiet_open(files["h1"]).time.values, expected)
    # read as Gregorian, the same count would be 2020-02-19: the calendar matters
    assert np.datetime64("1979-01-01") + np.timedelta64(int(raw[0]), "D") == np.datetime64(
        "2020-02-19"
    )


@pytest.mark.parametrize(
    ("calendar", "count"),
    [
        ("noleap", NOLEAP_2020_03_01),
        ("365_day", NOLEAP_2020_03_01),
        ("gregorian", GREGORIAN_2020_03_01),
        ("standard", GREGORIAN_2020_03_01),
        ("proleptic_gregorian", GREGORIAN_2020_03_01),
    ],
)
def test_time_variable_on_each_calendar(tmp_path, calendar, count):
    # no date/datesec: the time variable alone dates the file
    days = count + np.array([0.0, 0.5])
    path = layout.build(tmp_path / "cal.cam.h1.nc", "h1", days, edit=rewrite_times(days, calendar))
    ds = quiet_open(path)
    expected = np.array(["2020-03-01T00", "2020-03-01T12"], dtype="datetime64[ns]")
    np.testing.assert_array_equal(ds.time.values, expected)
    assert ds.time.attrs["source_calendar"] == calendar
    assert ds.time.values.dtype == np.dtype("datetime64[ns]")  # no cftime objects


def test_noleap_decoding_matches_cftime():
    cftime = pytest.importorskip("cftime")
    days = NOLEAP_2020_03_01 + np.array([-1.0, 0.0, 0.75, 300.25, -14000.5])
    units = "days since 1979-01-01 00:00:00"
    ours = decode_cf_times(days, units, "noleap")
    theirs = cftime.num2date(days, units, "noleap")
    labels = [t.strftime("%Y-%m-%dT%H:%M:%S") for t in theirs]
    np.testing.assert_array_equal(ours, np.array(labels, dtype="datetime64[s]"))


def test_time_bounds_of_an_averaged_history(files, tmp_path):
    ds = quiet_open(files["h0"])
    # CAM stamps a mean at the end of its interval; the stamp is kept, the bounds decoded
    np.testing.assert_array_equal(
        ds.time.values, np.array(["2020-03-02", "2020-03-03"], dtype="datetime64[ns]")
    )
    np.testing.assert_array_equal(
        ds.time_bnds.values,
        np.array(
            [["2020-03-01", "2020-03-02"], ["2020-03-02", "2020-03-03"]], dtype="datetime64[ns]"
        ),
    )
    assert ds.time_bnds.dims == ("time", "nbnd") and "end" in ds.time.attrs["comment"]
    # round trip through netCDF
    part = ds[["TN", "PHIS"]].assign_coords(time_bnds=ds.time_bnds).isel(time=[0], lev=[0, -1])
    part.to_netcdf(tmp_path / "rt.nc")
    with xr.open_dataset(tmp_path / "rt.nc") as back:
        np.testing.assert_array_equal(back.time_bnds.values, part.time_bnds.values)
        xr.testing.assert_allclose(back.TN.load(), part.TN.load())


def test_instantaneous_and_averaged_histories_together(files):
    ds = quiet_open([files["h1"], files["h0"]])
    assert ds.sizes["time"] == 4
    assert "pressure" in ds.coords and "time_bnds" in ds.coords  # kept through the merge
    # h0-only fields are NaN at the h1 times and the other way round
    assert np.isnan(ds.CO2.isel(time=0, lev=0, lat=0, lon=0))
    assert np.isfinite(ds.CO2.isel(time=2, lev=0, lat=0, lon=0))


# -- slices at the poles, heights, derived fields, emissions -------------------------------------


def test_poles_in_slices(files):
    ds = quiet_open(files["h0"])
    t0 = ds.time.values[0]
    at_300 = ds.gcm.lat_lon("TN", time=t0, height=300.0)
    assert at_300.dims == ("lat", "lon") and np.isfinite(at_300.values).all()
    for pole in (0, -1):  # one value at a pole, whatever the longitude
        row = at_300.isel(lat=pole).values
        assert np.ptp(row) < 1e-3 * row.mean()
    zonal = ds.gcm.zonal_mean("TN")
    assert np.isfinite(zonal.isel(lat=[0, -1]).values).all()
    np.testing.assert_allclose(
        zonal.isel(time=0, lat=0).values, ds.TN.isel(time=0, lat=0, lon=0).values, rtol=1e-5
    )


def test_heights_from_z3gm_that_includes_the_surface(files):
    ds = quiet_open(files["h0"])
    assert heights.z3gm_reference(ds) == "sea level"
    assert ds.attrs["zg_reference"] == "sea level (as written)"
    truth, _ = true_heights_km("h0")
    # the CESM2 releases' Z3GM = Z3 (1 + Z3/R) is itself approximate (first order in Z3/R: 1.5%
    # low at 700 km, ESCOMP/CAM issue 987); used as written, within 2% of the integration
    np.testing.assert_allclose(ds.ZG.values, truth, rtol=2e-2)
    # lower down, 0.3% (Z3 uses one gravity, the integration gravity varying with latitude)
    np.testing.assert_allclose(ds.ZG.isel(lev=slice(60, None)).values, truth[:, 60:], rtol=4e-3)


def test_z3gm_without_the_surface_height_is_corrected_from_phis(files):
    raw = xr.open_dataset(files["h0_681"], decode_times=False)
    ds = quiet_open(files["h0_681"])
    assert ds.attrs["zg_reference"].startswith("sea level (surface height added")
    assert "issue 681" in ds.ZG.attrs["note"]
    truth, phis = true_heights_km("h0")
    zg = ds.ZG.values
    np.testing.assert_allclose(zg, truth, rtol=5e-3)
    # uncorrected, the plateau's columns would be low by the surface height at every level
    zs_km = phis / cesm.CAM_G / 1000.0
    j, i = np.unravel_index(np.argmax(zs_km), zs_km.shape)
    assert zs_km[j, i] > 3.0
    lon = ds.lon.values[i]
    raw_col = raw.Z3GM.isel(time=0).sel(lon=lon % 360.0).values[:, j] / 1e3
    assert np.all(zg[0, :, j, i] - raw_col > 0.9 * zs_km[j, i])
    # and the lowest level lies above the surface, not higher above it than over the sea
    ocean = np.unravel_index(np.argmin(zs_km), zs_km.shape)
    above = zg[0, -1, j, i] - zs_km[j, i]
    assert 0.0 < above < zg[0, -1][ocean] + 0.05
    # and the heights work: a per-column slice at 300 km
    assert np.isfinite(ds.gcm.lat_lon("TN", time=ds.time.values[0], height=300.0).values).all()


def test_z3gm_without_the_surface_height_is_corrected_from_z3(files):
    ds = quiet_open(files["h1_681"])  # no PHIS in an h1: Zs = Z3 - z
    assert ds.attrs["zg_reference"].startswith("sea level (surface height added")
    truth, _ = true_heights_km("h1")
    np.testing.assert_allclose(ds.ZG.values, truth, rtol=5e-3)


def test_heights_from_z3_when_there_is_no_z3gm(tmp_path):
    def no_z3gm(header, values):
        del header["variables"]["Z3GM"]

    ds = quiet_open(layout.build(tmp_path / "z3.cam.h1.nc", "h1", edit=no_z3gm))
    assert "ZG" not in ds and "Z" in ds
    z = heights.column_heights(ds)
    truth, _ = true_heights_km("h1")
    np.testing.assert_allclose(z.values, truth, rtol=5e-3)
    assert np.isfinite(ds.gcm.lat_lon("TN", time=ds.time.values[0], height=250.0).values).all()


def test_unverifiable_z3gm_warns(tmp_path):
    def no_z3(header, values):
        del header["variables"]["Z3"]

    path = layout.build(tmp_path / "noz3.cam.h1.nc", "h1", edit=no_z3)
    with pytest.warns(DataWarning, match="cannot tell whether Z3GM includes the surface"):
        ds = geospacexr.open_waccmx(path)
    assert ds.attrs["zg_reference"] == "unverified"


def test_derived_fields_and_an_emission(files):
    from geospacexr.gcm.derived import derived
    from geospacexr.gcm.emissions import emission

    ds = quiet_open(files["h0"])
    ratio = derived(ds, "O/N2").isel(time=0)
    assert np.isfinite(ratio.values).all() and (ratio.values > 0).all()
    # O/N2 rises with height: larger at the top level than at 100 hPa-ish levels below
    assert float(ratio.isel(lev=0).mean()) > float(ratio.isel(lev=60).mean())
    rho = derived(ds, "RHO").isel(time=0, lev=-1)
    assert 0.5e-3 < float(np.median(rho.values)) < 1.5e-3  # g/cm3 at the ground
    co2 = emission(ds, "CO215", time=ds.time.values[0], height=110.0)
    assert co2.dims == ("lat", "lon") and np.isfinite(co2.values).all()
    assert (co2.values > 0).all()


# -- bad input -----------------------------------------------------------------------------------


def test_history_without_hybrid_coefficients_is_refused(tmp_path):
    def no_hybrid(header, values):
        for name in ("hyam", "hybm"):
            del header["variables"][name]

    path = layout.build(tmp_path / "nohy.cam.h1.nc", "h1", edit=no_hybrid)
    with pytest.raises(FileFormatError, match=r"nohy\.cam\.h1\.nc.*lacks hyam, hybm.*expected"):
        geospacexr.open_waccmx(path)
    with pytest.raises(FileFormatError, match=r"nohy\.cam\.h1\.nc.*hyam"):
        geospacexr.open(path)


@pytest.mark.parametrize(
    ("units", "calendar", "message"),
    [
        ("days after the start", "noleap", r"variable time .*days after the start.*expected units"),
        ("fortnights since 1979-01-01", "noleap", r"variable time .*expected units"),
        ("days since 1979-01-01 00:00:00", "martian", r"calendar 'martian'.*expected one of"),
        ("days since 1979-01-01 00:00:00", "julian", r"calendar 'julian'.*noleap"),
        ("days since 1500-01-01 00:00:00", "standard", r"variable time.*before 1582-10-15"),
    ],
)
def test_unreadable_time_is_refused(tmp_path, units, calendar, message):
    days = NOLEAP_2020_03_01 + np.array([0.0, 1.0])
    edit = rewrite_times(days, calendar, drop_date=False, units=units)
    path = layout.build(tmp_path / "badtime.cam.h1.nc", "h1", days, edit=edit)
    with pytest.raises(FileFormatError, match=r"badtime\.cam\.h1\.nc.*" + message):
        geospacexr.open_waccmx(path)


def test_time_disagreeing_with_date_warns_and_date_wins(tmp_path):
    days = NOLEAP_2020_03_01 + np.array([0.0, 1 / 24]) + 2.0  # two days off
    path = layout.build(
        tmp_path / "off.cam.h1.nc", "h1", edit=rewrite_times(days, "noleap", drop_date=False)
    )
    with pytest.warns(DataWarning, match="disagrees with date/datesec"):
        ds = geospacexr.open_waccmx(path)
    assert ds.time.values[0] == np.datetime64("2020-03-01T00", "ns")


# -- the sample ----------------------------------------------------------------------------------


def test_cesm2_sample_opens_cleanly():
    path = datasets.sample_path("waccmx-cesm2")
    assert sorted(p.name for p in path.glob("*.nc")) == [
        "waccmx_cesm2.cam.h0.2020-03-01-00000.nc",
        "waccmx_cesm2.cam.h1.2020-03-01-00000.nc",
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = datasets.open_sample("waccmx-cesm2")
    assert ds.attrs["model_version"] == "CESM2 (CAM6)" and ds.sizes["lev"] == 130
    assert ds.sizes["time"] == 4 and {"pressure", "time_bnds"} <= set(ds.coords)
    # the sample carries the fixture's header: same names, types and dims for what both hold
    fixture = layout.parse_header(layout.H1)["variables"]
    with netCDF4.Dataset(path / "waccmx_cesm2.cam.h1.2020-03-01-00000.nc") as nc:
        for name, (_kind, dims, attrs) in fixture.items():
            var = nc[name]
            assert var.dimensions == dims, name
            assert {k: v for k, v in attrs.items()} == {
                k: var.getncattr(k) for k in var.ncattrs() if k != "_FillValue"
            }, name


def test_gcm_explorer_shows_the_cesm2_layout(files):
    pytest.importorskip("panel")
    from bokeh.document import Document

    from geospacexr.explore.gcm import GcmExplorer

    ds = quiet_open(files["h0"])
    ex = GcmExplorer(ds)
    ex.root = ex.panel.get_root(Document())  # rendered, as in a served page
    assert {"TN", "NE", "O1"} <= set(ex.variable.options)
    first_map = ex.element  # the default level is one of the file's hPa levels: it draws
    assert first_map is not None and ex.message.visible is False
    ex.vertical.value = "height"
    ex.height.value = 300.0
    first = ex.element
    assert first is not None and ex.message.visible is False
    ex.variable.value = "NE"
    assert ex.element is not first
    values = np.asarray(ex.element.dimension_values(2))
    assert np.isfinite(values).all() and np.nanmax(values) > 1e4  # F-region electrons, cm-3


def test_command_line_info_and_plot(files, tmp_path, capsys):
    from geospacexr.cli import main

    assert main(["gcm", "info", "--json", str(files["h0"])]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["model"] == "WACCM-X" and info["n_times"] == 2
    assert {row["name"] for row in info["fields"]} >= {"TN", "NE", "ZG", "PHIS"}
    pytest.importorskip("matplotlib")
    out = tmp_path / "tn300.png"
    argv = ["gcm", "plot", str(files["h0"]), "--var", "TN", "--slice", "lat-lon"]
    assert main([*argv, "--height", "300", "--time", "2020-03-02", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")


def test_surface_height_added_through_a_merge_of_both_kinds(files):
    # PHIS only in the h0, Z3 in both: ZG is corrected at every time, h1 times included
    ds = quiet_open([files["h1_681"], files["h0_681"]])
    assert ds.attrs["zg_reference"].startswith("sea level (surface height added")
    assert np.isfinite(ds.ZG.values).all()
    truth_h1, _ = true_heights_km("h1")
    truth_h0, _ = true_heights_km("h0")
    np.testing.assert_allclose(ds.ZG.isel(time=[0, 1]).values, truth_h1, rtol=5e-3)
    np.testing.assert_allclose(ds.ZG.isel(time=[2, 3]).values, truth_h0, rtol=5e-3)
