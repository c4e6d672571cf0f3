"""Our footprints against the platform's (the ★ comparison)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import geospacexr.aurorax as ax
from geospacexr.errors import InvalidArgumentError


def _track(times, lat, lon):
    return xr.Dataset({"lat": ("time", lat), "lon": ("time", lon)}, coords={"time": times})


def test_footprints_from_the_replay_compared_with_ours(replay):
    sw = ax.ephemeris("2014-03-10T05:00", "2014-03-10T06:00", programs="swarm", progress=False)[
        "swarm/swarma/footprint"
    ]
    times = np.array(["2014-03-10T05:59", "2014-03-10T06:03"], dtype="datetime64[ns]")
    # our track: the replayed footprint moves 0.1 deg/min in lat, 0.05 deg/min in lon
    ours = _track(times, np.array([57.6, 58.0]), np.array([-93.35, -93.15]))
    cmp = ax.compare_footprints(sw, ours, threshold_km=5.0)
    np.testing.assert_allclose(cmp["our_lat"], sw["nbtrace_lat"], atol=1e-3)
    np.testing.assert_allclose(cmp["our_lon"], sw["nbtrace_lon"], atol=1e-3)
    assert float(cmp["distance_km"].max()) < 0.5 and cmp.attrs["differing_epochs"] == 0
    shifted = ours.assign(lat=ours["lat"] + 1.0)  # one degree north: ~113 km at 110 km altitude
    cmp = ax.compare_footprints(sw, shifted, threshold_km=100.0)
    expected = np.radians(1.0) * (6371.2 + 110.0)
    np.testing.assert_allclose(cmp["distance_km"], expected, rtol=2e-3)
    assert cmp["differs"].all() and cmp.attrs["differing_epochs"] == 3
    assert cmp["distance_km"].attrs["units"] == "km"


def test_outside_our_track_is_nan_and_the_date_line_is_harmless():
    epochs = np.array(
        ["2014-03-10T00:00", "2014-03-10T00:01", "2014-03-10T00:05"], dtype="datetime64[ns]"
    )
    platform = xr.Dataset(
        {
            "nbtrace_lat": ("epoch", [60.0, 60.0, 60.0]),
            "nbtrace_lon": ("epoch", [180.0, -179.95, 0.0]),
        },
        coords={"epoch": epochs},
    )
    ours = _track(epochs[:2], np.array([60.0, 60.0]), np.array([179.9, -179.8]))
    cmp = ax.compare_footprints(platform, ours)
    assert np.isnan(cmp["distance_km"].values[2]) and not cmp["differs"].values[2]
    assert cmp["distance_km"].values[0] < 10 and cmp["distance_km"].values[1] < 10
    assert cmp.attrs["compared_epochs"] == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"hemisphere": "east"}, "north"),
        ({"threshold_km": -1}, "distance"),
    ],
)
def test_bad_arguments(kwargs, match):
    epochs = np.array(["2014-03-10T00:00"], dtype="datetime64[ns]")
    platform = xr.Dataset(
        {"nbtrace_lat": ("epoch", [60.0]), "nbtrace_lon": ("epoch", [0.0])},
        coords={"epoch": epochs},
    )
    with pytest.raises(InvalidArgumentError, match=match):
        ax.compare_footprints(platform, _track(epochs, [60.0], [0.0]), **kwargs)
    with pytest.raises(InvalidArgumentError, match="sbtrace"):
        ax.compare_footprints(platform, _track(epochs, [60.0], [0.0]), hemisphere="south")
