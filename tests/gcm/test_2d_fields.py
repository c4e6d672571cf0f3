"""2-D fields and per-time scalars of a history slice, average and draw (issue 17, point 2).

The ``tiegcm-5deg`` sample (its own 2-D HMF2 and NMF2, per-time f107d, Kp, ctpoten...) gets the
2-D secondary fields of NCAR's published tiegcm 2.0 ``secondary.ncd`` listing, ``TEC(time, lat,
lon)`` "TEC: Total Electron Content" in 1/cm2 and ``TLBC`` "Lower boundary condition of TN" in
K, with closed-form values, and the reader's ``attrs["grid"]``. Every value is checked against
the closed form, and every slice :func:`geospacexr.gcm.variables.supported_slices` offers is
run (and every other one refused with an :class:`InvalidArgumentError`).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr.errors import InvalidArgumentError
from geospacexr.gcm.variables import SLICE_KINDS, supported_slices


def tec(lat: np.ndarray, lon: np.ndarray, t: int) -> np.ndarray:
    """Closed-form TEC (1/cm2) at time index ``t``."""
    a, o = np.deg2rad(lat)[:, None], np.deg2rad(lon)[None, :]
    return 1e12 * (2.0 + np.cos(a) * (1.0 + 0.5 * np.cos(o) + 0.25 * np.sin(2.0 * o))) * (1 + t)


@pytest.fixture(scope="module")
def ds() -> xr.Dataset:
    base = geospacexr.datasets.open_sample("tiegcm-5deg")
    lat, lon = base["lat"].values, base["lon"].values
    n = base.sizes["time"]
    out = base.copy()
    out["TEC"] = (
        ("time", "lat", "lon"),
        np.stack([tec(lat, lon, t) for t in range(n)]),
        {"long_name": "TEC: Total Electron Content", "units": "1/cm2", "grid": "geographic"},
    )
    out["TLBC"] = (
        ("time", "lat", "lon"),
        np.broadcast_to(
            180.0 + 10.0 * np.cos(np.deg2rad(lat))[None, :, None], (n, *tec(lat, lon, 0).shape)
        ).copy(),
        {"long_name": "Lower boundary condition of TN", "units": "K", "grid": "geographic"},
    )
    out["Kp"] = out["Kp"].assign_attrs(grid="scalar")
    return out


def test_lat_lon_of_tec_is_the_map_at_that_time(ds):
    t = ds["time"].values[2]
    out = ds.gcm.lat_lon("TEC", time=t)
    assert out.dims == ("lat", "lon")
    np.testing.assert_allclose(out.values, tec(ds["lat"].values, ds["lon"].values, 2), rtol=1e-15)
    assert out.attrs["units"] == "1/cm2" and out.attrs["long_name"].startswith("TEC")
    every = ds.gcm.lat_lon("TEC")
    assert every.dims == ("time", "lat", "lon") and every.sizes["time"] == ds.sizes["time"]
    local = ds.gcm.lat_lon("TEC", time=t, local_time=True)
    assert local.dims == ("lat", "local_time")


@pytest.mark.parametrize("argument", [{"level": 0.0}, {"height": 300.0}, {"pressure": 1e-7}])
def test_vertical_arguments_are_refused_for_2d_fields(ds, argument):
    name = next(iter(argument))
    with pytest.raises(InvalidArgumentError, match=f"TEC is a 2-D field .* takes no {name}=") as e:
        ds.gcm.lat_lon("TEC", time=ds["time"].values[0], **argument)
    assert e.value.argument == name
    with pytest.raises(InvalidArgumentError, match="2-D field"):
        ds.gcm.var_time("TEC", lat=0.0, lon=0.0, **argument)


def test_time_series_and_means_of_tec(ds):
    lat, lon = ds["lat"].values, ds["lon"].values
    n = ds.sizes["time"]
    i, j = int(np.argmin(np.abs(lat - 32.0))), int(np.argmin(np.abs(lon + 61.0)))
    series = ds.gcm.var_time("TEC", lat=32.0, lon=-61.0)
    assert series.dims == ("time",)
    np.testing.assert_allclose(series.values, [tec(lat, lon, t)[i, j] for t in range(n)])
    # cos(lon) and sin(2 lon) vanish over a full circle of 72 longitudes: the zonal mean is exact
    zonal = 1e12 * (2.0 + np.cos(np.deg2rad(lat)))
    lat_time = ds.gcm.lat_time("TEC")
    assert lat_time.dims == ("lat", "time")
    np.testing.assert_allclose(lat_time.values, zonal[:, None] * (1 + np.arange(n)), rtol=1e-12)
    mean = ds.gcm.zonal_mean("TEC")
    np.testing.assert_allclose(mean.values, (zonal[None] * (1 + np.arange(n))[:, None]), rtol=1e-12)
    w = np.cos(np.deg2rad(lat))
    expected = np.sum(w * zonal) / w.sum() * (1 + np.arange(n))
    np.testing.assert_allclose(ds.gcm.global_mean("TEC").values, expected, rtol=1e-12)
    lon_time = ds.gcm.lon_time("TEC", lat=32.0)
    assert lon_time.dims == ("lon", "time")
    np.testing.assert_allclose(lon_time.values[:, 0], tec(lat, lon, 0)[i], rtol=1e-15)
    sampled = ds.gcm.var_time("TEC", lat=32.0, local_time=12.0)
    assert sampled.sizes["time"] == n and np.isfinite(sampled.values).all()


def test_vertical_slices_refuse_2d_fields_saying_what_to_use(ds):
    t = ds["time"].values[0]
    with pytest.raises(InvalidArgumentError, match="lev_lat: TEC has no levels .* lat_time"):
        ds.gcm.lev_lat("TEC", time=t)
    with pytest.raises(InvalidArgumentError, match="lev_lon: TLBC has no levels"):
        ds.gcm.lev_lon("TLBC", time=t, lat=0.0)
    with pytest.raises(InvalidArgumentError, match="lev_time: NMF2 has no levels .* var_time"):
        ds.gcm.lev_time("NMF2", lat=0.0, lon=0.0)


def test_per_time_scalars_give_their_series_and_nothing_else(ds):
    series = ds.gcm.var_time("Kp", lat=0.0)
    xr.testing.assert_allclose(series.reset_coords(drop=True), ds["Kp"].reset_coords(drop=True))
    with pytest.raises(InvalidArgumentError, match="lat_lon: Kp is a per-time scalar"):
        ds.gcm.lat_lon("Kp")
    with pytest.raises(InvalidArgumentError, match="zonal_mean: ctpoten is a per-time scalar"):
        ds.gcm.zonal_mean("ctpoten")
    with pytest.raises(InvalidArgumentError, match="per-time scalar .* no height="):
        ds.gcm.var_time("Kp", lat=0.0, height=300.0)


def _call(ds: xr.Dataset, kind: str, name: str) -> xr.DataArray:
    t = ds["time"].values[1]
    da = ds[name]
    vertical = [d for d in da.dims if d in ("lev", "ilev", "mlev", "imlev")]
    level = {"level": float(ds[vertical[0]].values[3])} if vertical else {}
    calls = {
        "lat_lon": lambda: ds.gcm.lat_lon(name, time=t, **level),
        "lev_lat": lambda: ds.gcm.lev_lat(name, time=t),
        "lev_lon": lambda: ds.gcm.lev_lon(name, time=t, lat=10.0),
        "lev_time": lambda: ds.gcm.lev_time(name, lat=10.0, lon=20.0),
        "lat_time": lambda: ds.gcm.lat_time(name, **level),
        "lon_time": lambda: ds.gcm.lon_time(name, lat=10.0, **level),
        "var_time": lambda: ds.gcm.var_time(name, lat=10.0, lon=20.0, **level),
    }
    return calls[kind]()


@pytest.mark.parametrize("name", ["TEC", "TLBC", "HMF2", "NMF2", "Kp", "f107d", "TN", "NE"])
def test_offered_slices_work_and_the_others_are_refused(ds, name):
    offered = supported_slices(ds, name)
    assert set(offered) <= set(SLICE_KINDS) and offered
    for kind in SLICE_KINDS:
        if kind in offered:
            out = _call(ds, kind, name)
            assert np.isfinite(np.asarray(out.values, dtype=float)).any(), (name, kind)
        else:
            with pytest.raises(InvalidArgumentError):
                _call(ds, kind, name)


def test_variables_table_lists_every_grid(ds):
    rows = {r["name"]: r for r in ds.gcm.variables()}
    assert rows["TN"]["grid"] == "lev" and rows["TN"]["layout"] == "3-D geographic"
    assert rows["NE"]["grid"] == "ilev"
    assert (rows["TEC"]["grid"], rows["TEC"]["horizontal"], rows["TEC"]["layout"]) == (
        "2-D",
        "geographic",
        "2-D geographic",
    )
    assert rows["TEC"]["slices"] == "lat_lon, lat_time, lon_time, var_time"
    assert rows["Kp"]["grid"] == "scalar" and rows["Kp"]["slices"] == "var_time"
    assert rows["TEC"]["dims"] == "time, lat, lon" and rows["TEC"]["units"] == "1/cm2"


# -- figures ----------------------------------------------------------------------------------
def _render(fig) -> None:
    fig.savefig(io.BytesIO(), format="png", dpi=40)


def test_tec_map_has_its_units_and_long_name(ds):
    pytest.importorskip("matplotlib")
    fig = ds.gcm.plot.lat_lon("TEC", projection="platecarree")
    _render(fig)
    title = fig.axes[0].get_title()
    assert "TEC" in title and "total electron content" in title.lower() and "1/cm2" in title
    assert fig.axes[-1].get_ylabel() == "TEC [1/cm2]"  # the colour bar
    assert [line.get_label() for line in fig.axes[0].get_lines()][-1] == "terminator"
    with pytest.raises(InvalidArgumentError, match="TEC is a 2-D field"):
        ds.gcm.plot.lat_lon("TEC", height=300.0)


def test_time_figures_of_2d_fields_and_scalars(ds):
    pytest.importorskip("matplotlib")
    series = ds.gcm.plot.var_time("TEC", lat=40.0, lon=10.0)
    _render(series)
    assert (series.axes[0].get_xlabel(), series.axes[0].get_ylabel()) == (
        "time (UT)",
        "TEC [1/cm2]",
    )
    lat_time = ds.gcm.plot.lat_time("TLBC")
    _render(lat_time)
    assert lat_time.axes[0].get_ylabel() == "latitude (deg)"
    assert lat_time.axes[1].get_ylabel() == "TLBC [K]"
    kp = ds.gcm.plot.var_time("Kp")
    _render(kp)
    assert kp.axes[0].get_ylabel().startswith("Kp")
    assert "°N" not in kp.axes[0].get_title()  # a scalar has no place


def test_per_time_tables_are_listed_with_no_slice(ds):
    """``dtide(time, dtidedim)`` of the tiegcm 2.0 listing: listed, no slice offered or run."""
    with_tide = ds.assign(dtide=(("time", "dtidedim"), np.zeros((ds.sizes["time"], 2))))
    row = {r["name"]: r for r in with_tide.gcm.variables()}["dtide"]
    assert (row["layout"], row["slices"]) == ("other", "")
    assert supported_slices(with_tide, "dtide") == ()
    with pytest.raises(InvalidArgumentError, match="neither the geographic .* nor the geomag"):
        with_tide.gcm.lat_lon("dtide")
