"""What the riometer figures draw: quantities, moving-average downsampling, fields of view."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr import datasets, rio
from geospacexr.errors import InvalidArgumentError, MissingVariableError, WrongKindError
from geospacexr.io import instruments as table
from geospacexr.io import registry
from geospacexr.io.riometer import RIOMETER_SITES


@pytest.fixture(scope="module")
def norstar():
    return datasets.open_sample("norstar_rio-gill")


@pytest.fixture(scope="module")
def hsr():
    return datasets.open_sample("swan_hsr-mean")


def series(values, cadence_s=5, start="2014-03-10T00:00"):
    t = np.datetime64(start, "ns") + np.arange(len(values)) * np.timedelta64(cadence_s, "s")
    return xr.DataArray(np.asarray(values, float), dims="time", coords={"time": t}, name="x")


def test_downsample_is_the_mean_of_each_window_stamped_at_its_centre():
    x = series(np.arange(36.0))  # 3 minutes of 5 s samples
    out = rio.downsample(x, 60)
    np.testing.assert_allclose(out.values, [5.5, 17.5, 29.5])  # means of 0..11, 12..23, 24..35
    expected = np.array(["2014-03-10T00:00:30", "2014-03-10T00:01:30", "2014-03-10T00:02:30"])
    np.testing.assert_array_equal(out.time.values, expected.astype("datetime64[ns]"))
    assert out.attrs["window_s"] == 60


def test_downsample_skips_nan_and_empty_windows_and_keeps_other_dims():
    values = np.arange(36.0)
    values[:12] = np.nan  # first window empty
    values[12] = 1000.0
    values[13] = np.nan
    x = series(values)
    out = rio.downsample(x.isel(time=np.r_[0:24, 30:36]), 60)
    assert out.sizes["time"] == 2
    np.testing.assert_allclose(out.values, [(1000.0 + np.arange(14, 24).sum()) / 11, 32.5])
    two = xr.concat([x, 2 * x], dim=xr.DataArray([20.0, 30.0], dims="frequency", name="frequency"))
    out2 = rio.downsample(two.transpose("time", "frequency"), 60)
    assert out2.dims == ("time", "frequency") and out2.sizes["time"] == 2
    np.testing.assert_allclose(out2.sel(frequency=30.0).values, 2 * out2.sel(frequency=20.0).values)


def test_downsample_window_zero_config_and_errors():
    x = series(np.arange(24.0))
    assert rio.downsample(x, 0).sizes["time"] == 24
    with geospacexr.config.override({"rio.plot_window_s": 30}):
        assert rio.downsample(x).sizes["time"] == 4
    with pytest.raises(InvalidArgumentError, match="window_s"):
        rio.downsample(x, -5)
    with pytest.raises(InvalidArgumentError, match="no time"):
        rio.downsample(x.rename(time="t"), 60)


def _central_angle_from_slant_range(radius, height, elevation_deg):
    """Independent geometry: slant range from the law of cosines, then the law of sines."""
    e = np.deg2rad(elevation_deg)
    # (R+h)^2 = R^2 + s^2 + 2 R s sin(e)  ->  s
    s = -radius * np.sin(e) + np.sqrt(
        (radius * np.sin(e)) ** 2 + (radius + height) ** 2 - radius**2
    )
    return np.arcsin(s * np.cos(e) / (radius + height))


def test_field_of_view_radius_matches_independent_geometry():
    fov = rio.field_of_view(56.38, -94.64)
    radius = geospacexr.config.get().rb.earth_radius_km
    theta = _central_angle_from_slant_range(radius, 90.0, 60.0)
    assert fov.attrs["radius_km"] == pytest.approx((radius + 90.0) * theta, rel=1e-9)
    # close to the flat-Earth h tan(30 deg) = 51.96 km, and a little smaller (curvature)
    assert 51.0 < fov.attrs["radius_km"] < 90.0 * np.tan(np.deg2rad(30.0))
    # every point of the ring is that great-circle angle from the site (haversine)
    la0, lo0 = np.deg2rad(56.38), np.deg2rad(-94.64)
    la, lo = np.deg2rad(fov.lat.values), np.deg2rad(fov.lon.values)
    h = np.sin((la - la0) / 2) ** 2 + np.cos(la0) * np.cos(la) * np.sin((lo - lo0) / 2) ** 2
    np.testing.assert_allclose(2 * np.arcsin(np.sqrt(h)), theta, rtol=1e-9)
    wider = rio.field_of_view(56.38, -94.64, height_km=90, beam_width_deg=90)
    assert wider.attrs["radius_km"] > 85  # h tan(45) = 90 km, less a little for curvature
    with pytest.raises(InvalidArgumentError):
        rio.field_of_view(np.nan, 0.0)
    with pytest.raises(InvalidArgumentError):
        rio.field_of_view(50.0, 0.0, beam_width_deg=180)


def test_quantity(norstar, hsr):
    raw = rio.quantity(norstar, "raw")
    assert raw.attrs["units"] == "V" and raw.attrs["long_name"] == "raw signal"
    assert rio.quantity(hsr, "raw").attrs["units"] == "dB"
    k2 = rio.quantity(norstar, "k2")
    np.testing.assert_array_equal(k2.values, norstar.absorption.values.astype(float))
    a = rio.quantity(norstar, "absorption", days=3)
    xr.testing.assert_allclose(a, rio.absorption(norstar, days=3).assign_attrs(a.attrs))
    assert a.attrs["units"] == "dB"
    with pytest.raises(MissingVariableError, match="K2"):
        rio.quantity(norstar.drop_vars("absorption"), "k2")
    with pytest.raises(InvalidArgumentError, match="one of raw"):
        rio.quantity(norstar, "power")
    with pytest.raises(InvalidArgumentError, match="only apply"):
        rio.quantity(norstar, "raw", days=3)


def test_accessor_is_the_pure_functions(norstar):
    xr.testing.assert_identical(norstar.rio.absorption(days=3), rio.absorption(norstar, days=3))
    xr.testing.assert_identical(
        norstar.rio.quiet_day_curve(days=3, bins=96), rio.quiet_day_curve(norstar, 3, bins=96)
    )
    with pytest.raises(WrongKindError, match=r"ds.rio.absorption needs a riometer"):
        xr.Dataset(attrs={"geospacexr_kind": "asi"}).rio.absorption()


# -- the instrument table ---------------------------------------------------------------------


def test_riometer_rows_and_sites():
    rows = {r.name: r for r in table.instruments("riometer")}
    assert set(rows) == {"norstar_riometer", "swan_hsr"}
    norstar = rows["norstar_riometer"]
    assert norstar.site("gil") is norstar.site("GILL")  # the old 3-letter code is an alias
    assert norstar.site("gill").name == "Gillam"
    with pytest.raises(KeyError, match="no site 'zzzz'"):
        norstar.site("zzzz")
    # the reader module's table is a view of the instrument table
    assert RIOMETER_SITES == {s.code: (s.name, s.aliases[0], s.lat, s.lon) for s in norstar.sites}
    assert len(rows["swan_hsr"].sites) == 14 and rows["swan_hsr"].site("mean").lat == 54.62
    pairs = table.instrument_sites("riometer")
    assert len(pairs) == len(norstar.sites) + 14
    for _, site in pairs:
        assert -90 <= site.lat <= 90 and -180 <= site.lon < 180
    assert table.get_instrument("norstar_riometer").describe()["sites"][0] == "chur"


@pytest.mark.parametrize("name", ["norstar_rio-gill", "swan_hsr-mean"])
def test_riometer_samples_map_to_their_rows(name):
    path = datasets.sample_path(name)
    files = [path] if path.is_file() else sorted(path.glob("*.txt"))
    ds = datasets.open_sample(name)
    row = table.get_instrument(ds.attrs["instrument"])
    assert row.kind == "riometer" == ds.attrs["geospacexr_kind"]
    for f in files:
        found, reader = table.instrument_of_file(f)
        assert found.name == row.name and registry.find_reader(f).name == reader
    site = row.site(ds.attrs["site"])
    assert ds.attrs["site_lat"] == pytest.approx(site.lat, abs=0.05)
    assert ds.attrs["site_lon"] == pytest.approx(site.lon, abs=0.05)
