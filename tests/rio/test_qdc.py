"""Quiet-day curves and absorption (geospacexr.rio) against the synthetic truth."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr import config, rio
from geospacexr._synth import riometer as synth
from geospacexr.errors import (
    IncompatibleInputError,
    InvalidArgumentError,
    OutOfRangeError,
    WrongKindError,
)

START = "2007-03-06"
DAYS = 28
LON = -94.64


def dataset(t: dict, hsr: bool, freqs=(30.0,), lon: float = LON) -> xr.Dataset:
    """A riometer Dataset holding the synthetic signal (as the readers lay it out)."""
    if hsr:
        data = {"raw_power": (("time", "frequency"), t["signal_db"].astype(np.float32))}
        coords = {"time": t["time"], "frequency": ("frequency", np.array(freqs))}
    else:
        volts = (10.0 ** (t["signal_db"][:, 0] / 10.0)).astype(np.float32)
        data = {"raw_signal": (("time",), volts, {"units": "V"})}
        coords = {"time": t["time"], "frequency": 30.0}
    return xr.Dataset(
        data, coords=coords, attrs={"geospacexr_kind": "riometer", "site": "x", "site_lon": lon}
    )


@pytest.fixture(scope="module")
def month() -> tuple[dict, xr.Dataset]:
    t = synth.truth(START, DAYS, LON, 5, (30.0,), seed=7)
    return t, dataset(t, hsr=False)


def test_sidereal_time_matches_the_generators_and_a_published_value():
    # Meeus, Astronomical Algorithms, ex. 12.a: 1987-04-10 0h UT, GMST 13h10m46.3668s
    gmst = rio.local_sidereal_time(np.array(["1987-04-10T00:00"], "datetime64[ns]"), 0.0)
    assert gmst[0] == pytest.approx(13 + 10 / 60 + 46.3668 / 3600, abs=2e-5)
    t = np.arange("2007-04-02", "2007-04-03", np.timedelta64(1, "h"), dtype="datetime64[ns]")
    np.testing.assert_allclose(
        rio.local_sidereal_time(t, 20.0), synth.local_sidereal_hours(t, 20.0), atol=1e-9
    )


def test_month_recovers_the_known_qdc(month):
    _, ds = month
    qdc = rio.quiet_day_curve(ds)
    assert qdc.dims == ("sidereal_time",) and qdc.sizes["sidereal_time"] == 288
    assert qdc.attrs["days"] == 14 and qdc.attrs["window_end"] == "2007-04-02"
    truth = synth.qdc_db(qdc.sidereal_time.values)
    error = np.abs(qdc.values - truth)
    assert error.max() < 0.02, error.max()
    # the highest day value (rank 1) catches the interference burst of day 2 when in the window
    early = {"days": 14, "end": "2007-03-19"}
    best = np.abs(rio.quiet_day_curve(ds, **early).values - truth).max()
    naive = np.abs(rio.quiet_day_curve(ds, rank=1, **early).values - truth).max()
    assert best < 0.02 and naive > 0.2


def test_month_recovers_the_injected_events(month):
    t, ds = month
    a = rio.absorption(ds)
    assert a.attrs["units"] == "dB" and a.dims == ("time",)
    # the truth absorption plus receiver noise (the signal's own noise, 0.04 dB rms)
    diff = a.values - t["absorption_db"][:, 0]
    clean = np.ones(diff.size, bool)
    burst = (t["time"] >= np.datetime64("2007-03-07T07:00")) & (
        t["time"] < np.datetime64("2007-03-07T07:20")
    )
    clean[burst] = False
    assert abs(np.mean(diff[clean])) < 0.02
    assert np.sqrt(np.mean(diff[clean] ** 2)) < 0.06
    np.testing.assert_allclose(diff[burst], -1.5, atol=0.2)  # interference: negative absorption
    # every event peak: one-minute means agree to 0.05 dB
    minute = a.coarsen(time=12).mean().values
    true_minute = t["absorption_db"][:, 0].reshape(-1, 12).mean(axis=1)
    peaks = true_minute > 0.5
    assert peaks.sum() > 100
    np.testing.assert_allclose(minute[peaks], true_minute[peaks], atol=0.05)


def test_k2_files_agree_with_our_absorption(tmp_path):
    # both files of each day from one truth; the K2 absorption is QDC_true - signal
    synth.write_norstar(tmp_path, start="2007-04-01", days=8, levels=("k0", "k2"), seed=11)
    k0 = geospacexr.open_riometer(sorted(tmp_path.glob("norstar_k0_*")))
    k2 = geospacexr.open_riometer(sorted(tmp_path.glob("norstar_k2_*")))
    ours = rio.absorption(k0, days=8)
    diff = ours.values - k2.absorption.values
    assert np.sqrt(np.mean(diff**2)) < 0.02
    assert np.abs(diff).max() < 0.06


def test_hsr_every_band():
    freqs = synth.HSR_BANDS_MHZ
    t = synth.truth("2024-01-20", 15, synth.HSR_LON, 60, freqs, seed=3)
    ds = dataset(t, hsr=True, freqs=freqs, lon=synth.HSR_LON)
    qdc = rio.quiet_day_curve(ds, bins=96, min_samples=1)
    assert qdc.dims == ("sidereal_time", "frequency")
    for k, f in enumerate(freqs):
        truth = synth.qdc_db(qdc.sidereal_time.values, f)
        assert np.abs(qdc.values[:, k] - truth).max() < 0.05, f
    a = rio.absorption(ds, qdc)
    strong = t["absorption_db"][:, 2] > 1.0  # 30 MHz
    ratio = a.values[strong, 0] / a.values[strong, 2]  # 20 MHz over 30 MHz: (30/20)^2
    assert np.median(ratio) == pytest.approx(2.25, rel=0.05)


def test_hsr_sample_opens_into_absorption():
    ds = geospacexr.datasets.open_sample("swan_hsr-mean")
    a = rio.absorption(ds, days=1, rank=1, bins=96)
    assert a.dims == ("time", "frequency") and np.isfinite(a.values).all()


def test_config_and_arguments(month):
    _, ds = month
    with config.override({"rio.qdc_bins": 96, "rio.qdc_days": 7}):
        q = rio.quiet_day_curve(ds)
    assert q.sizes["sidereal_time"] == 96 and q.attrs["days"] == 7
    q = rio.quiet_day_curve(ds, days=["2007-03-10", "2007-03-12", "2007-03-15"])
    assert q.attrs["days"] == 3
    with pytest.raises(OutOfRangeError, match="no riometer sample"):
        rio.quiet_day_curve(ds, days=3, end="2010-01-01")
    with pytest.raises(InvalidArgumentError, match="rank"):
        rio.quiet_day_curve(ds, rank=0)
    with pytest.raises(InvalidArgumentError, match="only apply"):
        rio.absorption(ds, q, rank=2)
    with pytest.raises(WrongKindError, match="riometer"):
        rio.quiet_day_curve(xr.Dataset(attrs={"geospacexr_kind": "asi"}))
    hsr = dataset(synth.truth("2024-01-20", 2, 0.0, 600, (20.0, 30.0)), True, (20.0, 30.0))
    with pytest.raises(IncompatibleInputError, match="frequencies"):
        rio.absorption(hsr, q)
    nolon = ds.copy()
    nolon.attrs["site_lon"] = float("nan")
    with pytest.raises(InvalidArgumentError, match="longitude"):
        rio.quiet_day_curve(nolon)


def test_results_roundtrip_netcdf(month, tmp_path):
    _, ds = month
    q = rio.quiet_day_curve(ds, bins=48)
    q.to_netcdf(tmp_path / "q.nc")
    back = xr.open_dataarray(tmp_path / "q.nc")
    xr.testing.assert_identical(back.load(), q)
    assert json.dumps(dict(q.attrs))
