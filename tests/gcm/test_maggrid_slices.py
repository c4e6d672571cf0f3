"""Slices and figures of fields on TIE-GCM's geomagnetic grid (issue 17, point 2).

The Datasets are built here to the standard layout the reader gives (``geospacexr.open`` of a
TIE-GCM secondary history): dims ``mlat`` (irregular, poles included), ``mlon`` (-180 to +180,
the periodic duplicate included), ``imlev``/``mlev`` (ln(p0/p), the 5-degree model's 32
levels, -8.5 to 7 and -8.25 to 7.25 as in NCAR's published ``secondary.ncd`` at half the
spacing), ZMAG on ``imlev`` (geopotential height; cm as the contract says, km as real files
write it), ED1 on ``imlev``, JE13D on ``mlev`` and PHIM2D 2-D. Every check is closed form:
fields made linear in the coordinate the slice interpolates in, sums over whole periods, and
the geopotential-to-geometric conversion against a numerical quadrature of gravity.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import xarray as xr

import geospacexr  # noqa: F401  (registers the accessors)
from geospacexr.errors import InvalidArgumentError, MissingVariableError, OutOfRangeError
from geospacexr.gcm.slices import TIEGCM_GRAVITY_CGS, magnetic_heights
from geospacexr.gcm.variables import supported_slices
from geospacexr.physics import gravity

P0_HPA = 5e-7
TIMES = np.array(["2003-03-21T00:00", "2003-03-21T01:00", "2003-03-21T02:00"], "datetime64[ns]")
MLON = np.linspace(-180.0, 180.0, 81)  # 4.5 degrees, both -180 and +180 (periodic duplicate)
IMLEV = np.arange(-8.5, 7.01, 0.5)  # 32 interfaces
MLEV = IMLEV + 0.25  # 32 midpoints; the top one lies above the top interface
ILEV = np.arange(-7.0, 7.01, 0.5)


def _mlat() -> np.ndarray:
    """97 irregular magnetic latitudes, poles and equator included, denser near the equator."""
    x = np.linspace(-1.0, 1.0, 97)
    return 90.0 * np.sign(x) * np.abs(x) ** 1.4


MLAT = _mlat()


def _zmag_km() -> np.ndarray:
    """Geopotential height (km) of every imlev point: rising with level, varying per column."""
    t, k, a, o = np.meshgrid(
        np.arange(TIMES.size), IMLEV, np.deg2rad(MLAT), np.deg2rad(MLON), indexing="ij"
    )
    return 97.0 + 24.0 * (k + 7.0) + 0.6 * (k + 8.5) ** 2 * (1 + 0.1 * np.cos(a) * np.cos(o)) + t


def phim2d(mlat: np.ndarray, mlon: np.ndarray, t: int) -> np.ndarray:
    """A closed-form potential f(mlat, mlon, time), V."""
    a, o = np.deg2rad(mlat)[:, None], np.deg2rad(mlon)[None, :]
    return 2e4 * np.sin(a) * np.cos(o) + 1e3 * np.cos(a) ** 2 + 100.0 * t


def maggrid(zmag_units: str = "cm", chunks: bool = False) -> xr.Dataset:
    """A ``gcm`` Dataset holding the geomagnetic-grid fields of a secondary history."""
    t, k, a, o = np.meshgrid(
        np.arange(TIMES.size), IMLEV, np.deg2rad(MLAT), np.deg2rad(MLON), indexing="ij"
    )
    scale = {"cm": 1e5, "m": 1e3, "km": 1.0}[zmag_units]
    mag = {"grid": "geomagnetic"}
    ds = xr.Dataset(
        {
            "ZMAG": (
                ("time", "imlev", "mlat", "mlon"),
                _zmag_km() * scale,
                {"long_name": "ZMAG from pdynamo", "units": zmag_units, **mag},
            ),
            "ED1": (
                ("time", "imlev", "mlat", "mlon"),
                1e-3 * k + 1e-4 * np.sin(a) * np.cos(o) + 1e-5 * t,
                {"long_name": "ED1: magnetic eastward electric field", "units": "V/m", **mag},
            ),
            "JE13D": (
                ("time", "mlev", "mlat", "mlon"),
                (1e-6 * np.cos(a) * (k + 9.0)),
                {"long_name": "JE13D: eastward current density", "units": "A/m2", **mag},
            ),
            "PHIM2D": (
                ("time", "mlat", "mlon"),
                np.stack([phim2d(MLAT, MLON, i) for i in range(TIMES.size)]),
                {"long_name": "PHIM2D: electric potential", "units": "V", **mag},
            ),
            "Kp": (("time",), np.array([2.0, 3.0, 4.0]), {"long_name": "Kp", "grid": "scalar"}),
        },
        coords={
            "time": TIMES,
            "mlat": ("mlat", MLAT, {"units": "degrees_north"}),
            "mlon": ("mlon", MLON, {"units": "degrees_east"}),
            "imlev": ("imlev", IMLEV, {"long_name": "magnetic interface levels"}),
            "mlev": ("mlev", MLEV, {"long_name": "magnetic midpoint levels"}),
            "ilev": ("ilev", ILEV),
        },
        attrs={"geospacexr_kind": "gcm", "model": "TIE-GCM", "p0_hPa": P0_HPA},
    )
    # JE13D built on the imlev mesh; its dim is mlev (same length)
    return ds.chunk({"time": 1}) if chunks else ds


@pytest.fixture(scope="module")
def ds() -> xr.Dataset:
    return maggrid()


# -- maps and vertical selection -------------------------------------------------------------
def test_lat_lon_of_a_2d_magnetic_field_is_f_on_the_grid(ds):
    out = ds.gcm.lat_lon("PHIM2D", time=TIMES[1])
    assert out.dims == ("mlat", "mlon")
    np.testing.assert_array_equal(out["mlon"].values, MLON)  # both -180 and +180 kept
    np.testing.assert_allclose(out.values, phim2d(MLAT, MLON, 1), rtol=0, atol=1e-9)
    every = ds.gcm.lat_lon("PHIM2D", time=None)
    assert every.dims == ("time", "mlat", "mlon") and every.shape == (3, 97, 81)


def test_level_and_pressure_select_on_imlev_linearly_in_log_pressure(ds):
    at_grid = ds.gcm.lat_lon("ED1", time=TIMES[0], level=0.5)
    np.testing.assert_array_equal(at_grid.values, ds["ED1"].isel(time=0).sel(imlev=0.5).values)
    # ED1 is linear in imlev: halfway between two levels is exact
    between = ds.gcm.lat_lon("ED1", time=TIMES[0], level=0.7)
    a, o = np.deg2rad(MLAT)[:, None], np.deg2rad(MLON)[None, :]
    np.testing.assert_allclose(
        between.values, 1e-3 * 0.7 + 1e-4 * np.sin(a) * np.cos(o), rtol=0, atol=1e-15
    )
    by_pressure = ds.gcm.lat_lon("ED1", time=TIMES[0], pressure=P0_HPA * np.exp(-0.7))
    np.testing.assert_allclose(by_pressure.values, between.values, rtol=0, atol=1e-15)
    assert float(by_pressure["pressure"]) == pytest.approx(P0_HPA * np.exp(-0.7))


def test_magnetic_heights_integrate_gravity_from_the_model_bottom(ds):
    """g(h) dh = g0 dZ: the quadrature of gravity over [h_b, h] equals g0 (Z - Z_b)."""
    from scipy.integrate import quad

    h = magnetic_heights(ds, "imlev")
    assert h.dims == ("time", "imlev", "mlat", "mlon") and h.attrs["units"] == "km"
    z = _zmag_km()
    bottom = int(np.flatnonzero(IMLEV == -7.0)[0])  # the model's lowest interface, ilev -7
    for index in [(0, 5, 10, 3), (2, 31, 48, 40), (1, 0, 96, 80), (0, 20, 70, 17)]:
        k = index[1]
        z_b = z[index[0], bottom, index[2], index[3]]
        height = float(h.values[index])
        work = quad(lambda x: float(gravity(x * 1e5, 45.0)), z_b, height, epsabs=1e-12)[0]
        assert work == pytest.approx(TIEGCM_GRAVITY_CGS * (z[index] - z_b), rel=1e-9, abs=1e-9)
        if k != bottom:
            assert height != pytest.approx(z[index], abs=1e-3)  # a conversion took place
    np.testing.assert_allclose(h.isel(imlev=bottom).values, z[:, bottom], rtol=1e-12)


def test_zmag_units_km_and_cm_give_the_same_heights():
    cm, km, m = (magnetic_heights(maggrid(u), "imlev").values for u in ("cm", "km", "m"))
    np.testing.assert_allclose(cm, km, rtol=1e-12)
    np.testing.assert_allclose(m, km, rtol=1e-12)


def test_mlev_heights_are_midpoints_of_imlev_and_nan_above_the_top(ds):
    hi = magnetic_heights(ds, "imlev").values
    hm = magnetic_heights(ds, "mlev")
    assert hm.dims == ("time", "mlev", "mlat", "mlon")
    np.testing.assert_allclose(hm.values[:, :-1], 0.5 * (hi[:, :-1] + hi[:, 1:]), rtol=1e-12)
    assert np.isnan(hm.values[:, -1]).all()


@pytest.mark.parametrize("chunks", [False, True], ids=["numpy", "dask"])
def test_a_field_linear_in_height_is_exact_at_any_height(chunks):
    """Per-column interpolation on ZMAG heights: F = a + b h gives a + b H at height H."""
    ds = maggrid("km", chunks=chunks)
    h = magnetic_heights(ds, "imlev")
    ds["ED1"] = (50.0 + 0.25 * h).assign_attrs(units="V/m", long_name="linear in height")
    hm = magnetic_heights(ds, "mlev")
    ds["JE13D"] = (-3.0 + 2.0 * hm).assign_attrs(units="A/m2", long_name="linear in height")
    for name, height in (("ED1", 250.0), ("ED1", 423.7), ("JE13D", 300.0)):
        out = ds.gcm.lat_lon(name, time=TIMES[2], height=height)
        if chunks:
            assert out.chunks is not None  # lazy until asked
        assert out.dims == ("mlat", "mlon") and float(out["height"]) == height
        a, b = (50.0, 0.25) if name == "ED1" else (-3.0, 2.0)
        np.testing.assert_allclose(out.values, a + b * height, rtol=1e-12)
    series = ds.gcm.var_time("ED1", lat=30.0, lon=45.0, height=200.0)
    np.testing.assert_allclose(series.values, 50.0 + 0.25 * 200.0, rtol=1e-12)
    lat_time = ds.gcm.lat_time("ED1", height=200.0)
    assert lat_time.dims == ("mlat", "time")
    np.testing.assert_allclose(lat_time.values, 100.0, rtol=1e-12)


# -- sections, series and means ---------------------------------------------------------------
def test_vertical_sections_on_the_magnetic_grid(ds):
    lev_lat = ds.gcm.lev_lat("JE13D", time=TIMES[0])
    assert lev_lat.dims == ("mlev", "mlat")
    # JE13D = 1e-6 cos(mlat) (k + 9): no mlon dependence, so the zonal mean is exact
    k = MLEV[:, None] - 0.25
    np.testing.assert_allclose(
        lev_lat.values, 1e-6 * np.cos(np.deg2rad(MLAT))[None] * (k + 9.0), rtol=1e-12
    )
    lev_lon = ds.gcm.lev_lon("ED1", time=TIMES[0], lat=31.0)
    assert lev_lon.dims == ("imlev", "mlon")
    assert float(lev_lon["mlat"]) == MLAT[np.argmin(np.abs(MLAT - 31.0))]
    lev_time = ds.gcm.lev_time("ED1", lat=0.0, lon=90.0)
    assert lev_time.dims == ("imlev", "time")
    np.testing.assert_allclose(lev_time.sel(imlev=1.0).values, 1e-3 + 1e-5 * np.arange(3))


def test_time_series_take_magnetic_latitude_and_longitude(ds):
    series = ds.gcm.var_time("PHIM2D", lat=60.0, lon=-90.0)
    i = int(np.argmin(np.abs(MLAT - 60.0)))
    j = int(np.argmin(np.abs(MLON + 90.0)))
    expected = [phim2d(MLAT, MLON, t)[i, j] for t in range(3)]
    np.testing.assert_allclose(series.values, expected, rtol=1e-12)
    lon_time = ds.gcm.lon_time("PHIM2D", lat=60.0)
    assert lon_time.dims == ("mlon", "time") and lon_time.sizes["mlon"] == 81


def test_the_periodic_duplicate_longitude_is_picked_and_averaged_once(ds):
    east = ds.gcm.var_time("PHIM2D", lat=45.0, lon=180.0)
    west = ds.gcm.var_time("PHIM2D", lat=45.0, lon=-180.0)
    np.testing.assert_array_equal(east.values, west.values)
    # cos(mlon) sums to zero over the 80 distinct longitudes; counting +180 twice would not
    mean = ds.gcm.zonal_mean("PHIM2D").isel(time=0)
    assert mean.dims == ("mlat",) and mean.attrs["cell_methods"] == "mlon: mean"
    np.testing.assert_allclose(mean.values, 1e3 * np.cos(np.deg2rad(MLAT)) ** 2, atol=1e-9)
    weights = np.cos(np.deg2rad(MLAT)).clip(min=0.0)
    expected = np.sum(weights * 1e3 * np.cos(np.deg2rad(MLAT)) ** 2) / weights.sum()
    total = ds.gcm.global_mean("PHIM2D")
    assert total.dims == ("time",)
    np.testing.assert_allclose(total.values, expected + 100.0 * np.arange(3), rtol=1e-12)


# -- what cannot be done is refused, saying why ----------------------------------------------
def test_height_without_zmag_names_zmag(ds):
    with pytest.raises(MissingVariableError, match="ZMAG"):
        ds.drop_vars("ZMAG").gcm.lat_lon("ED1", time=TIMES[0], height=300.0)


def test_heights_outside_the_columns_are_out_of_range(ds):
    with pytest.raises(OutOfRangeError, match="geomagnetic grid's heights"):
        ds.gcm.lat_lon("ED1", time=TIMES[0], height=5000.0)


def test_local_time_and_tracks_are_geographic_only(ds):
    with pytest.raises(InvalidArgumentError, match="geographic .* grid; PHIM2D is on the geomag"):
        ds.gcm.lat_lon("PHIM2D", time=TIMES[0], local_time=True)
    with pytest.raises(InvalidArgumentError, match="var_time: local_time needs a field on"):
        ds.gcm.var_time("PHIM2D", lat=0.0, local_time=12.0)
    with pytest.raises(InvalidArgumentError, match="along_track"):
        ds.gcm.along_track("PHIM2D", TIMES[:1], [0.0], [0.0], [300.0])


def test_pressure_needs_the_reference_pressure(ds):
    bare = ds.copy()
    bare.attrs = {"geospacexr_kind": "gcm", "model": "TIE-GCM"}
    with pytest.raises(InvalidArgumentError, match="p0_hPa"):
        bare.gcm.lat_lon("ED1", time=TIMES[0], pressure=1e-9)


def test_2d_magnetic_fields_refuse_vertical_requests(ds):
    with pytest.raises(InvalidArgumentError, match="PHIM2D is a 2-D field .* no height="):
        ds.gcm.lat_lon("PHIM2D", time=TIMES[0], height=300.0)
    with pytest.raises(InvalidArgumentError, match="lev_lat: PHIM2D has no levels"):
        ds.gcm.lev_lat("PHIM2D", time=TIMES[0])


def test_variables_say_the_grid_and_the_slices(ds):
    rows = {r["name"]: r for r in ds.gcm.variables()}
    assert rows["ZMAG"]["horizontal"] == "geomagnetic"
    assert rows["ZMAG"]["layout"] == "3-D geomagnetic" and rows["ZMAG"]["grid"] == "imlev"
    assert rows["JE13D"]["grid"] == "mlev"
    assert rows["PHIM2D"]["layout"] == "2-D geomagnetic"
    assert rows["PHIM2D"]["slices"] == "lat_lon, lat_time, lon_time, var_time"
    assert rows["Kp"]["layout"] == "scalar" and rows["Kp"]["slices"] == "var_time"
    assert supported_slices(ds, "ED1") == (
        "lat_lon", "lev_lat", "lev_lon", "lev_time", "lat_time", "lon_time", "var_time",
    )  # fmt: skip


# -- figures ----------------------------------------------------------------------------------
def _render(fig) -> None:
    fig.savefig(io.BytesIO(), format="png", dpi=40)


def test_lat_lon_figure_is_a_magnetic_map(ds):
    pytest.importorskip("matplotlib")
    fig = ds.gcm.plot.lat_lon("PHIM2D", show_magnetic_equator=True)
    _render(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "magnetic longitude (deg)"
    assert ax.get_ylabel() == "magnetic latitude (deg)"
    assert "PHIM2D" in ax.get_title() and "V" in ax.get_title()
    assert fig.axes[1].get_ylabel() == "PHIM2D [V]"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["magnetic equator"]  # no coastline or terminator: they are geographic
    contour = ds.gcm.plot.lat_lon("ED1", height=300.0, style="contourf")
    _render(contour)
    assert "300 km" in contour.axes[0].get_title()


def test_polar_view_of_the_magnetic_pole(ds):
    pytest.importorskip("cartopy")
    fig = ds.gcm.plot.lat_lon("PHIM2D", projection="north_polar")
    _render(fig)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "60° MLAT" in texts and any("magnetic longitude" in t for t in texts)


def test_magnetic_map_refusals(ds):
    pytest.importorskip("matplotlib")
    with pytest.raises(InvalidArgumentError, match="already on the geomagnetic grid"):
        ds.gcm.plot.lat_lon("PHIM2D", magnetic=True)
    with pytest.raises(InvalidArgumentError, match="projection must be one of"):
        ds.gcm.plot.lat_lon("PHIM2D", projection="mollweide")
    with pytest.raises(InvalidArgumentError, match="wind vectors are geographic"):
        ds.gcm.plot.lat_lon("PHIM2D", wind=True)


def test_sections_and_time_figures_label_magnetic_axes(ds):
    pytest.importorskip("matplotlib")
    cases = [
        (ds.gcm.plot.lev_lat("JE13D"), "magnetic latitude (deg)", "mlev = ln(p0/p)"),
        (ds.gcm.plot.lev_lon("ED1", lat=20.0), "magnetic longitude (deg)", "imlev = ln(p0/p)"),
        (ds.gcm.plot.lat_time("PHIM2D"), "time (UT)", "magnetic latitude (deg)"),
        (ds.gcm.plot.lon_time("PHIM2D", lat=70.0), "time (UT)", "magnetic longitude (deg)"),
        (ds.gcm.plot.var_time("PHIM2D", lat=70.0, lon=0.0), "time (UT)", "PHIM2D [V]"),
    ]
    for fig, xlabel, ylabel in cases:
        _render(fig)
        assert (fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()) == (xlabel, ylabel)
    # the section's right-hand axis: mean heights from ZMAG
    section = cases[0][0]
    assert any(a.get_ylabel() == "mean height (km)" for a in section.axes[0].child_axes)
    assert "magnetic" in cases[4][0].axes[0].get_title()


@pytest.mark.parametrize("name", ["ZMAG", "ED1", "JE13D", "PHIM2D", "Kp"])
def test_offered_slices_work_and_the_others_are_refused(ds, name):
    from geospacexr.gcm.variables import SLICE_KINDS

    level = {"level": 0.25} if name in ("ZMAG", "ED1") else {}
    level = {"level": 0.5} if name == "JE13D" else level
    t = TIMES[1]
    calls = {
        "lat_lon": lambda: ds.gcm.lat_lon(name, time=t, **level),
        "lev_lat": lambda: ds.gcm.lev_lat(name, time=t),
        "lev_lon": lambda: ds.gcm.lev_lon(name, time=t, lat=10.0),
        "lev_time": lambda: ds.gcm.lev_time(name, lat=10.0, lon=20.0),
        "lat_time": lambda: ds.gcm.lat_time(name, **level),
        "lon_time": lambda: ds.gcm.lon_time(name, lat=10.0, **level),
        "var_time": lambda: ds.gcm.var_time(name, lat=10.0, lon=20.0, **level),
    }
    offered = supported_slices(ds, name)
    for kind in SLICE_KINDS:
        if kind in offered:
            out = calls[kind]()
            assert np.isfinite(out.values).any(), (name, kind)
            assert not {"lat", "lon"} & set(out.dims), (name, kind)  # magnetic dims kept
        else:
            with pytest.raises(InvalidArgumentError):
                calls[kind]()


# -- the published tiegcm 2.0 secondary layout (NCAR/tiegcm doc/userguide/_static/secondary.ncd)
#: Magnetic latitudes north of the equator as listed (the grid is symmetric; 97 with -mlat, 0).
PUBLISHED_MLAT_NORTH = [
    1.32687203939232, 1.87754943767857, 2.3036287214954, 2.67136426606314, 3.01257883277328,
    3.35148255039153, 3.71151170575936, 4.11722526306697, 4.59404694329679, 5.16689314460211,
    5.85851734698832, 6.68827297583048, 7.67162666281268, 8.82031765103987, 10.142824406667,
    11.6448185129562, 13.3294282264571, 15.1972697734841, 17.2462861630082, 19.4714697638694,
    21.8645574169981, 24.4137889090064, 27.1038148776609, 29.9158266703621, 32.8279553674348,
    35.8159497801506, 38.8540980954293, 41.916313892128, 44.9772754602266, 48.0134966005524,
    51.0042204168578, 53.9320608459731, 56.7833601290163, 59.5482728298363, 62.2206194320588,
    64.7975706790533, 67.2792279882741, 69.6681589022773, 71.9689341802758, 74.1876988925387,
    76.331796630125, 78.4094552099168, 80.4295344892687, 82.4013318763434, 84.3344382773342,
    86.2386359278657, 88.123829239849, 90.0,
]  # fmt: skip


def test_published_secondary_layout_zmag_at_a_height_inverts_the_conversion():
    """ZMAG (float32, km) on the listed 2.5-degree run's grid: ZMAG at height h is Z(h).

    Z(h) = Z_b + (g_s r_e^2 / g0) (1 / (r_e + Z_b) - 1 / (r_e + h)) is the inverse of the
    conversion; ZMAG is interpolated linearly in height between levels 0.25 apart (5-15 km),
    where Z(h) bends by under 0.01 km.
    """
    north = np.array(PUBLISHED_MLAT_NORTH)
    mlat = np.concatenate([-north[::-1], [0.0], north])
    imlev = np.arange(-8.5, 7.001, 0.25)
    mlev = np.arange(-8.25, 7.251, 0.25)
    ilev = np.arange(-7.0, 7.001, 0.25)
    assert (mlat.size, MLON.size, imlev.size, mlev.size, ilev.size) == (97, 81, 63, 63, 57)
    k = imlev[None, :, None, None]
    a = np.deg2rad(mlat)[None, None, :, None]
    o = np.deg2rad(MLON)[None, None, None, :]
    z = 97.0 + 21.0 * (k + 7.0) + 0.9 * (k + 7.0) ** 2 * (1 + 0.15 * np.cos(a) * np.sin(o))
    z = np.broadcast_to(z, (2, *z.shape[1:])).astype(np.float32)
    ds = xr.Dataset(
        {
            "ZMAG": (
                ("time", "imlev", "mlat", "mlon"),
                z,
                {"units": "km", "long_name": "ZMAG from pdynamo"},
            )
        },
        coords={
            "time": TIMES[:2],
            "mlat": mlat,
            "mlon": MLON,
            "imlev": imlev,
            "mlev": mlev,
            "ilev": ilev,
        },
        attrs={"geospacexr_kind": "gcm", "model": "TIE-GCM", "p0_hPa": P0_HPA},
    )
    out = ds.gcm.lat_lon("ZMAG", time=TIMES[0], height=300.0)
    assert out.dims == ("mlat", "mlon")
    np.testing.assert_array_equal(out["mlat"].values, mlat)
    from geospacexr.gcm.slices import _gravity_45

    g_s, r_e = _gravity_45()
    z_b = z[0, int(np.flatnonzero(imlev == -7.0)[0])].astype(np.float64)
    expected = z_b + g_s * r_e**2 / TIEGCM_GRAVITY_CGS * (1 / (r_e + z_b) - 1 / (r_e + 300.0))
    np.testing.assert_allclose(out.values, expected, rtol=0, atol=0.01)
    assert np.abs(out.values - 300.0).max() > 1.0  # geopotential and geometric heights differ
