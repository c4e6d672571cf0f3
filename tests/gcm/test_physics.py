"""Densities, column O/N2 and TEC against closed forms; slices against plain numpy."""

import numpy as np
import pytest
import xarray as xr

from geospacexr import datasets, gcm
from geospacexr.errors import IncompatibleInputError, MissingVariableError, OutOfRangeError
from geospacexr.physics import AMU_G, BOLTZMANN_CGS

T = "2003-03-21T01:00"


@pytest.fixture(scope="module")
def ds():
    return datasets.open_sample("tiegcm-5deg")


def test_number_density_definition(ds):
    point = {"time": T, "lat": 42.5, "lon": 0.0}
    sub = ds.sel(point).isel(lev=10).load()
    o1, o2, he, tn = (float(sub[v]) for v in ("O1", "O2", "HE", "TN"))
    n2 = float(sub["N2"]) if "N2" in sub and np.isfinite(sub["N2"]) else 1 - o1 - o2 - he
    p = 5e-4 * np.exp(-float(sub.lev))  # dyn/cm2
    mbar = 1 / (o1 / 16 + o2 / 32 + he / 4 + n2 / 28)
    n_total = p / (BOLTZMANN_CGS * tn)
    expected = o1 * n_total * mbar / 16
    got = float(gcm.density(ds, "O", "cm-3").sel(point).isel(lev=10))
    assert got == pytest.approx(expected, rel=1e-6)
    # mass density of all four species adds up to RHO
    rho = float(gcm.derived(ds, "RHO").sel(point).isel(lev=10))
    parts = sum(
        float(gcm.density(ds, s, "g/cm3").sel(point).isel(lev=10)) for s in ("O1", "O2", "HE", "N2")
    )
    assert parts == pytest.approx(rho, rel=1e-3)  # file N2 vs closure: float32 rounding
    assert rho == pytest.approx(n_total * mbar * AMU_G, rel=1e-3)


def test_density_units_are_consistent(ds):
    cm3 = gcm.density(ds, "O2", "cm-3").isel(time=0, lev=5, lat=3, lon=4)
    m3 = gcm.density(ds, "O2", "m-3").isel(time=0, lev=5, lat=3, lon=4)
    assert float(m3) == pytest.approx(float(cm3) * 1e6)
    mmr = gcm.density(ds, "O2", "mmr").isel(time=0, lev=5, lat=3, lon=4)
    assert float(mmr) == pytest.approx(float(ds.O2.isel(time=0, lev=5, lat=3, lon=4)), rel=1e-12)
    with pytest.raises(ValueError, match="unit must be one of"):
        gcm.density(ds, "O2", "ppm")


def exponential_atmosphere(h_o=60.0, h_n2=35.0, n0_o=5e10, n0_n2=2e12):
    """Single column, fine grid, isothermal-like exponential O and N2 in cm-3 -> a gcm Dataset."""
    heights = np.linspace(100.0, 1100.0, 401)  # interfaces, km
    mids = 0.5 * (heights[1:] + heights[:-1])
    n_o = n0_o * np.exp(-(mids - 100.0) / h_o)
    n_n2 = n0_n2 * np.exp(-(mids - 100.0) / h_n2)
    tn = np.full_like(mids, 800.0)
    total = n_o + n_n2
    p = total * BOLTZMANN_CGS * tn  # dyn/cm2
    mmr_o = n_o * 16 / (n_o * 16 + n_n2 * 28)
    lev = np.log(5e-4 / p)
    ilev = np.concatenate([lev - 0.001, [lev[-1] + 0.001]])  # only the grid shape matters here
    shape = (1, mids.size, 1, 1)
    ds = xr.Dataset(
        {
            "TN": (("time", "lev", "lat", "lon"), tn.reshape(shape), {"units": "K"}),
            "O1": (("time", "lev", "lat", "lon"), mmr_o.reshape(shape), {"units": "mmr"}),
            "O2": (("time", "lev", "lat", "lon"), np.zeros(shape), {"units": "mmr"}),
            "ZG": (("time", "ilev", "lat", "lon"), heights.reshape(1, -1, 1, 1), {"units": "km"}),
        },
        coords={
            "time": np.array(["2003-03-21"], dtype="datetime64[ns]"),
            "lev": lev,
            "ilev": ilev,
            "lat": [0.0],
            "lon": [0.0],
            "pressure": ("lev", p / 1000.0),
        },
        attrs={"geospacexr_kind": "gcm", "model": "TIE-GCM", "p0_hPa": 5e-7},
    )
    return ds, (h_o, h_n2, n0_o, n0_n2)


def test_column_o_n2_closed_form():
    """GUVI ΣO/N2 of exponential profiles: N2 column 1e17 at z*, O column above z*."""
    ds, (h_o, h_n2, n0_o, n0_n2) = exponential_atmosphere()
    value = float(gcm.derived(ds, "ON2_COLUMN").squeeze())
    z_star = 100.0 + h_n2 * np.log(n0_n2 * h_n2 * 1e5 / 1e17)
    o_column = n0_o * h_o * 1e5 * np.exp(-(z_star - 100.0) / h_o)
    assert value == pytest.approx(o_column / 1e17, rel=2e-3)


def test_tec_of_a_chapman_layer():
    """∫ Nm exp(0.5 (1 - x - e^-x)) dh = Nm H sqrt(2 π e)."""
    heights = np.linspace(80.0, 2000.0, 2000)
    nm, hm, h = 1e6, 300.0, 60.0
    x = (heights - hm) / h
    ne = nm * np.exp(0.5 * (1 - x - np.exp(-x)))
    ds = xr.Dataset(
        {
            "NE": (("time", "ilev", "lat", "lon"), ne.reshape(1, -1, 1, 1), {"units": "cm-3"}),
            "ZG": (("time", "ilev", "lat", "lon"), heights.reshape(1, -1, 1, 1), {"units": "km"}),
        },
        coords={
            "time": np.array(["2003-03-21"], dtype="datetime64[ns]"),
            "ilev": np.arange(heights.size) * 0.01,
            "lat": [0.0],
            "lon": [0.0],
        },
        attrs={"geospacexr_kind": "gcm", "model": "TIE-GCM"},
    )
    tec = float(gcm.derived(ds, "TEC").squeeze())
    expected = nm * h * 1e5 * np.sqrt(2 * np.pi * np.e) / 1e12
    assert tec == pytest.approx(expected, rel=2e-3)


def test_slices_match_numpy(ds):
    tn = ds.TN.sel(time=T).values
    np.testing.assert_allclose(
        gcm.zonal_mean(ds, "TN").sel(time=T).values, np.nanmean(tn, axis=-1), rtol=1e-12
    )
    w = np.cos(np.deg2rad(ds.lat.values))
    level = tn[10]
    expected = (level * w[:, None]).sum() / (w.sum() * level.shape[1])
    assert float(gcm.global_mean(ds, "TN").sel(time=T).isel(lev=10)) == pytest.approx(
        expected, rel=1e-10
    )


def test_level_interpolation_is_linear_in_log_pressure(ds):
    a = gcm.lat_lon(ds, "TN", time=T, level=4.25).values
    b = gcm.lat_lon(ds, "TN", time=T, level=4.75).values
    mid = gcm.lat_lon(ds, "TN", time=T, level=4.375).values
    np.testing.assert_allclose(mid, 0.75 * a + 0.25 * b, rtol=1e-12)
    # pressure= is the same as the level of that pressure
    p = 5e-7 * np.exp(-4.375)
    np.testing.assert_allclose(gcm.lat_lon(ds, "TN", time=T, pressure=p).values, mid, rtol=1e-9)


def test_time_none_keeps_every_time_lazily(ds):
    out = gcm.lat_lon(ds, "TN", level=4.25)
    assert out.dims == ("time", "lat", "lon") and out.chunks is not None
    single = gcm.lat_lon(datasets.open_sample("tiegcm-2.5deg"), "TN", level=0.0)
    assert not single.variable._in_memory


def test_local_time(ds):
    out = gcm.lat_lon(ds, "TN", time=T, level=4.25, local_time=True)
    assert out.dims == ("lat", "local_time")
    assert np.all(np.diff(out.local_time.values) > 0)
    # at 01 UT, lon -180 is at 13 LT
    lon180 = gcm.lat_lon(ds, "TN", time=T, level=4.25).sel(lon=-180.0)
    np.testing.assert_allclose(out.sel(local_time=13.0).values, lon180.values)
    # time slices at a fixed local time: at each time the longitude where LT = 14
    series = gcm.lat_time(ds, "TN", level=4.25, local_time=14.0)
    ut = np.array([0.0, 0.5, 1.0, 1.5])
    np.testing.assert_allclose(series.lon.values, ((14.0 - ut) * 15.0 + 180) % 360 - 180)
    first = gcm.lat_lon(ds, "TN", time="2003-03-21T00:00", level=4.25).sel(lon=-150.0)
    np.testing.assert_allclose(series.isel(time=0).values, first.values, rtol=1e-12)


def test_along_track_matches_grid_points(ds):
    t = np.array(["2003-03-21T01:00"], dtype="datetime64[ns]")
    h = float(gcm.column_heights(ds, "lev").sel(time=T, lat=42.5, lon=10.0).isel(lev=12))
    out = gcm.along_track(ds, "TN", t, [42.5], [10.0], [h])
    assert float(out[0]) == pytest.approx(
        float(ds.TN.sel(time=T, lat=42.5, lon=10.0).isel(lev=12)), rel=1e-6
    )
    far = gcm.along_track(
        ds, "TN", np.array(["2010-01-01"], dtype="datetime64[ns]"), [0.0], [0.0], [300.0]
    )
    assert np.isnan(far.values).all()


def test_difference():
    storm, control = datasets.open_sample("tiegcm-storm"), datasets.open_sample("tiegcm-control")
    d = gcm.difference(storm, control)
    assert d.attrs["difference"] == "absolute"
    heat = d.TN.sel(time=T).isel(lev=20)
    assert float(heat.sel(lat=67.5).mean()) > 50 and abs(float(heat.sel(lat=2.5).mean())) < 1
    pct = gcm.difference(storm, control, kind="percent")
    assert pct.TN.attrs["units"] == "%"
    np.testing.assert_allclose(pct.TN.values, 100 * d.TN.values / control.TN.values, rtol=1e-9)
    with pytest.raises(IncompatibleInputError, match="different grids"):
        gcm.difference(storm, datasets.open_sample("tiegcm-2.5deg"))
    with pytest.raises(IncompatibleInputError, match="different models"):
        gcm.difference(storm, datasets.open_sample("waccmx"))


def test_bad_input(ds):
    with pytest.raises(MissingVariableError, match="did you mean TN"):
        gcm.lat_lon(ds, "TM", time=T, level=0)
    with pytest.raises(OutOfRangeError, match="level=9"):
        gcm.lat_lon(ds, "TN", time=T, level=9.0)
    with pytest.raises(OutOfRangeError, match="height 2000"):
        gcm.lat_lon(ds, "TN", time=T, height=2000.0)
    with pytest.raises(OutOfRangeError, match="outside the files"):
        gcm.lat_lon(ds, "TN", time="2004-01-01", level=0)
    with pytest.raises(OutOfRangeError, match="method='exact'"):
        gcm.lat_lon(ds, "TN", time="2003-03-21T00:10", level=0, method="exact")
    with pytest.raises(ValueError, match="exactly one of level"):
        gcm.lat_lon(ds, "TN", time=T)
    with pytest.raises(ValueError, match="2-D field"):
        gcm.lat_lon(ds, "HMF2", time=T, level=1.0)
    with pytest.raises(MissingVariableError, match="CO2"):
        gcm.derived(ds, "O/CO2")


def test_waccmx_slices():
    w = datasets.open_sample("waccmx")
    a = gcm.lat_lon(w, "TN", time="2003-03-21", height=300.0)
    b = gcm.lat_lon(w, "TN", time="2003-03-21", pressure=1e-6)
    assert a.dims == b.dims == ("lat", "lon")
    assert 600 < float(a.mean()) < 1200
    assert "O/CO2" in gcm.available(w) and "OX" in gcm.available(w)
    # per-column pressure interpolation equals the level where the pressure is the nominal level
    top = float(w.lev.values[3])
    p_col = float(w.pressure.isel(time=0, lev=3, lat=0, lon=0))
    assert p_col == pytest.approx(top, rel=1e-6)  # above 100 hPa, pressure is hyam P0 only


def test_accessor_matches_functions(ds):
    xr.testing.assert_identical(
        ds.gcm.lat_lon("TN", time=T, level=4.25), gcm.lat_lon(ds, "TN", time=T, level=4.25)
    )
    xr.testing.assert_identical(ds.gcm.derived("O/N2"), gcm.derived(ds, "O/N2"))
    rows = ds.gcm.variables()
    tn = next(r for r in rows if r["name"] == "TN")
    assert tn["units"] == "K" and tn["grid"] == "lev"


def _ice_pressure_murphy_koop(t):
    """Ice vapour pressure, Pa: Murphy & Koop (2005), QJRMS 131, 1539, eq. 7 (independent)."""
    return np.exp(9.550426 - 5723.265 / t + 3.53068 * np.log(t) - 0.00728332 * t)


def test_tnfp_frost_point_against_murphy_koop():
    """Water vapour at the ice saturation pressure of T has its frost point at T."""
    w = datasets.open_sample("waccmx").isel(time=[0]).load()
    frost_t = np.array([150.0, 170.0, 190.0, 210.0, 230.0])
    pressure = w["pressure"].broadcast_like(w["TN"]).transpose(*w["TN"].dims).values * 100.0
    levels = w.sizes["lev"]
    # put the five temperatures on five levels: H2O = p_ice(T) / p there
    picks = np.linspace(levels // 3, levels - 1, frost_t.size).astype(int)
    axis = w["TN"].dims.index("lev")
    h2o = np.full(pressure.shape, 1e-6)
    tn = w["TN"].values.copy()
    for k, t in zip(picks, frost_t, strict=True):
        at = [slice(None)] * tn.ndim
        at[axis] = k
        h2o[tuple(at)] = _ice_pressure_murphy_koop(t) / pressure[tuple(at)]
        tn[tuple(at)] = t + 3.0
    h2o = xr.DataArray(h2o, dims=w["TN"].dims, coords=w["TN"].coords)
    tn = w["TN"].copy(data=tn)
    out = gcm.derived(w.assign(H2O=h2o, TN=tn), "TNFP")
    assert out.attrs["units"] == "K"
    for k in picks:
        # Marti & Mauersberger against Murphy & Koop: within 0.3 K over 150-230 K
        np.testing.assert_allclose(out.isel(time=0, lev=k).values, 3.0, atol=0.3)
    assert "TNFP" in gcm.derived.available(w.assign(H2O=h2o))
    assert "TNFP" not in gcm.derived.available(w)
    with pytest.raises(MissingVariableError, match="H2O"):
        gcm.derived(w, "TNFP")
    dry = gcm.derived(w.assign(H2O=h2o * 0.0), "TNFP")
    assert np.isnan(dry.values).all()


@pytest.mark.parametrize("vmr", [False, True])
@pytest.mark.parametrize("has_he", [False, True])
@pytest.mark.parametrize("has_n2", [False, True])
def test_block_temporaries_give_the_plain_expressions_to_the_bit(vmr, has_he, has_n2):
    """The mean mass and densities in a block's temporaries: the plain formulas' values."""
    from geospacexr.gcm import composition as comp
    from geospacexr.physics import AMU_G, BOLTZMANN_CGS, MOLECULAR_MASS

    rng = np.random.default_rng(5)
    shape = (3, 4, 5, 6)
    o1, o2, he, n2, no = (rng.uniform(1e-6, 0.3, shape).astype(np.float32) for _ in range(5))
    o1[0, 0, 0, :2] = np.nan
    tn = rng.uniform(200, 1500, shape).astype(np.float32)
    p = rng.uniform(1e-7, 1e-3, (1, 4, 1, 1))  # float64, broadcast on the level axis
    inputs = [o1, o2, he, n2, no, tn, p]
    before = [a.copy() for a in inputs]
    m = MOLECULAR_MASS
    he_x = he if has_he else 0.0 * o1
    n2_x = n2 if has_n2 else 1.0 - o1 - o2 - he_x
    if vmr:
        expected = (o1 * m["O1"] + o2 * m["O2"] + he_x * m["HE"] + n2_x * m["N2"]) / (
            o1 + o2 + he_x + n2_x
        )
    else:
        expected = 1.0 / (o1 / m["O1"] + o2 / m["O2"] + he_x / m["HE"] + n2_x / m["N2"])
    rest = [a for a, has in ((he, has_he), (n2, has_n2)) if has]
    mbar = comp._mbar_block(vmr, has_he, has_n2, o1, o2, *rest)
    assert mbar.dtype == expected.dtype
    np.testing.assert_array_equal(mbar, expected, strict=True)
    ntot = comp._ntot_block(p, tn)
    np.testing.assert_array_equal(ntot, p / (BOLTZMANN_CGS * tn), strict=True)
    mass = m["NO"]
    vmr_x = no if vmr else no * mbar / mass
    n = vmr_x * ntot
    plain = {
        "cm-3": n,
        "m-3": n * 1e6,
        "g/cm3": n * mass * AMU_G,
        "kg/m3": n * mass * AMU_G * 1e3,
        "mol/mol": vmr_x,
        "mmr": no * mass / mbar if vmr else no,
    }
    for unit, want in plain.items():
        got = comp._density_block(vmr, unit, mass, no, mbar, ntot)
        np.testing.assert_array_equal(got, want, strict=True)
    for a, b in zip(inputs, before, strict=True):  # a block's inputs are never written into
        np.testing.assert_array_equal(a, b)
