import numpy as np
import pytest
import xarray as xr

from geospacexr import asi, datasets
from geospacexr.geodesy import geographic_to_look, look_to_geographic


def test_geometry_round_trip():
    az = np.array([0.0, 45.0, 170.0, 300.0])
    el = np.array([5.0, 30.0, 60.0, 89.0])
    lat, lon = look_to_geographic(56.35, -94.66, 0.0, az, el, 110.0)
    az2, el2 = geographic_to_look(56.35, -94.66, 0.0, lat, lon, 110.0)
    np.testing.assert_allclose(el2, el, atol=1e-9)
    np.testing.assert_allclose(az2, az, atol=1e-7)


def test_field_of_view_ring():
    sky = datasets.open_sample("themis-gill-skymap")
    fov = asi.field_of_view(sky, 110, 10)
    _, el = geographic_to_look(
        sky.attrs["site_lat"], sky.attrs["site_lon"], 0.0, fov.lat.values, fov.lon.values, 110.0
    )
    np.testing.assert_allclose(el, 10.0, atol=1e-9)
    # a ~ 10 deg elevation at 110 km is ~ 500 km away: ~4.5 degrees of latitude north and south
    assert 4.0 < fov.lat.max() - sky.attrs["site_lat"] < 5.5


def test_conjunctions():
    skymaps = [datasets.open_sample(f"themis-{s}-skymap") for s in ("gill", "rank")]
    times = np.arange(
        "2014-03-10T06:00", "2014-03-10T06:20", np.timedelta64(10, "s"), dtype="datetime64[ns]"
    )
    track = xr.Dataset(
        {
            "lat": ("time", np.linspace(50.0, 70.0, times.size)),
            "lon": ("time", np.full(times.size, -93.5)),
        },
        coords={"time": times},
    )
    found = asi.conjunctions(track, skymaps, min_elevation=10)
    assert set(found.site.values) == {"gill", "rank"}
    for k in range(found.sizes["interval"]):
        site = str(found.site.values[k])
        sky = skymaps[0] if site == "gill" else skymaps[1]
        inside = track.sel(time=slice(found.start.values[k], found.end.values[k]))
        _, el = geographic_to_look(
            sky.attrs["site_lat"],
            sky.attrs["site_lon"],
            0.0,
            inside.lat.values,
            inside.lon.values,
            110.0,
        )
        assert (el >= 10).all()
        assert found.max_elevation.values[k] == pytest.approx(el.max())
    # gill (56 N) comes before rank (63 N) on a northward track
    assert list(found.site.values) == ["gill", "rank"]
    with pytest.raises(ValueError, match="lat and lon along time"):
        asi.conjunctions(xr.Dataset({"x": ("t", [1])}), skymaps)
