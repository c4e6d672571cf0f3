"""TS05 W1..W6 from a solar-wind series, against closed forms (geometric sums, decays)."""

import json
import math
import warnings

import numpy as np
import pytest
import xarray as xr

from geospacexr import datasets, rb
from geospacexr.errors import DataWarning, InvalidArgumentError, MissingVariableError
from geospacexr.rb.wparams import TS05_W_COEFFICIENTS, source_functions, ts05_w

R = np.asarray(TS05_W_COEFFICIENTS["r"])
Q = np.exp(-R / 12.0)


def _wind(n, bz, v=450.0, dens=6.0, step_min=5, start="2015-03-16T00:00"):
    t = np.datetime64(start, "ns") + np.arange(n) * np.timedelta64(step_min, "m")
    full = lambda x: np.broadcast_to(np.asarray(x, float), (n,)).copy()  # noqa: E731
    return xr.Dataset(
        {"Bz_GSM": ("time", full(bz)), "flow_speed": ("time", full(v)),
         "proton_density": ("time", full(dens)), "By_GSM": ("time", full(2.0))},
        coords={"time": t},
        attrs={"cadence_s": step_min * 60},
    )  # fmt: skip


def _w(ds, **kw):
    out = ts05_w(ds, **kw)
    return np.stack([out[f"W{i}"].values for i in range(1, 7)], axis=1), out


def test_source_functions_are_the_published_power_laws():
    s = source_functions(5.0 / 1.16, 400.0, -5.0)
    np.testing.assert_allclose(s, np.ones(6), rtol=1e-12)  # every factor is 1
    s = source_functions(10.0, 600.0, -8.0)
    lam, beta, gamma = (np.asarray(TS05_W_COEFFICIENTS[k]) for k in ("lambda", "beta", "gamma"))
    expected = (10 * 1.16 / 5) ** lam * 1.5**beta * 1.6**gamma
    np.testing.assert_allclose(s, expected, rtol=1e-12)
    assert np.all(source_functions(10.0, 600.0, 3.0) == 0)  # northward: no driving
    assert np.isnan(source_functions(-1.0, 600.0, -3.0)).all()


def test_constant_wind_converges_to_the_geometric_series():
    n = 2000  # ~7 days of 5-min samples
    w, _ = _w(_wind(n, bz=-6.0), spinup_efolds=0)
    s = source_functions(6.0, 450.0, -6.0)
    k = np.arange(n)[:, None]
    exact = (R / 12) * s * (1 - Q ** (k + 1)) / (1 - Q)  # partial geometric sums
    np.testing.assert_allclose(w, exact, rtol=1e-10)
    steady = (R / 12) * s / (1 - Q)
    fast = [0, 1, 3, 4, 5]  # W3 (31 h e-folding) is not yet steady after 7 days
    np.testing.assert_allclose(w[-1, fast], steady[fast], rtol=1e-9)


def test_a_step_decays_with_efolding_time_60_over_r_minutes():
    n_on, n_off = 1500, 420
    bz = np.r_[np.full(n_on, -10.0), np.full(n_off, 2.0)]
    w, _ = _w(_wind(n_on + n_off, bz=bz), spinup_efolds=0)
    last = w[n_on - 1]
    m = np.arange(1, n_off)[:, None]
    np.testing.assert_allclose(w[n_on - 1 + m[:, 0]], last * Q**m, rtol=1e-10)
    # e-folding: W falls below W/e within one 5-min step of 60/r minutes after the step
    for i in range(6):
        below = np.flatnonzero(w[n_on - 1 :, i] <= last[i] / math.e)[0] * 5.0  # minutes
        assert 60.0 / R[i] <= below < 60.0 / R[i] + 5.0


def test_northward_imf_gives_zero():
    w, out = _w(_wind(300, bz=np.linspace(0.0, 9.0, 300)), spinup_efolds=0)
    assert np.all(w == 0)
    assert out.attrs["w_gaps"] == "[]" and out.attrs["cadence_s"] == 300


def test_one_minute_averages_give_the_five_minute_result():
    n5 = 400
    rng = np.random.default_rng(4)
    bz5 = rng.normal(-3, 4, n5)
    five = _wind(n5, bz=bz5)
    minute = _wind(5 * n5, bz=np.repeat(bz5, 5) + np.tile([-1, 1, 0, 2, -2], n5), step_min=1)
    a, _ = _w(five, spinup_efolds=0)
    b, _ = _w(minute, spinup_efolds=0)
    np.testing.assert_allclose(a, b, rtol=1e-12)
    # hourly averages are held over their 12 slots
    hourly = _wind(10, bz=-5.0, step_min=60)
    c, out = _w(hourly, spinup_efolds=0)
    assert c.shape == (120, 6) and out.time.size == 120
    # minutes stamped at their centre (hh:mm:30, as LANL's Qin-Denton 1-min files): the same
    # bins, and no empty slot (nor a gap warning) after the last minute
    centred = minute.assign_coords(time=minute.time + np.timedelta64(30, "s"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d, out = _w(centred, spinup_efolds=0)
    assert out.time.size == n5 and out.time.values[0] == minute.time.values[0]
    np.testing.assert_allclose(d, a, rtol=1e-12)


def test_short_gaps_are_interpolated_long_ones_restart_with_spinup():
    n = 1200
    bz = np.full(n, -5.0)
    bz[100:110] = np.nan  # 50 min: filled
    v = np.full(n, 450.0)
    v[500:540] = np.nan  # 200 min: not filled
    ds = _wind(n, bz=bz, v=v)
    with pytest.warns(DataWarning, match="1 gap"):
        w, out = _w(ds, spinup_efolds=0)
    assert list(out.IMF_flag.values[99:111]) == [1] + [2] * 10 + [1]
    assert (out.SW_flag.values[500:540] == -1).all()
    np.testing.assert_allclose(out.Bz_GSM.values[100:110], -5.0)
    assert np.isnan(w[500:540]).all()
    # after the gap the sums restart from zero: the first sample is (r/12) S
    s = source_functions(6.0, 450.0, -5.0)
    np.testing.assert_allclose(w[540], (R / 12) * s, rtol=1e-12)
    assert json.loads(out.attrs["w_gaps"]) == [["2015-03-17T17:40:00", "2015-03-17T21:00:00"]]
    # a shorter limit leaves the 50-min gap open too
    with pytest.warns(DataWarning, match="2 gap"):
        ts05_w(ds, max_gap_minutes=30, spinup_efolds=0)
    # spin-up: W_i is NaN for 3/r_i hours after the start and after the long gap
    with pytest.warns(DataWarning):
        w3, _ = _w(ds)
    for i in range(6):
        slots = math.ceil(3.0 / R[i] * 12)
        first = 540 + slots
        if first < n:
            assert np.isnan(w3[540:first, i]).all() and np.isfinite(w3[first, i])
    assert np.isnan(w3[:, 2]).all()  # W3 needs 94 h: longer than the series


def test_bad_input_gives_clear_errors():
    ds = _wind(10, bz=-1.0)
    with pytest.raises(MissingVariableError, match="proton_density"):
        ts05_w(ds.drop_vars("proton_density"))
    with pytest.raises(InvalidArgumentError, match="along 'time'"):
        ts05_w(ds.to_array())
    with pytest.raises(InvalidArgumentError, match="cadence of 420"):
        ts05_w(ds.assign_attrs(cadence_s=420))
    with pytest.raises(InvalidArgumentError, match="increase"):
        ts05_w(ds.isel(time=[1, 0, 2]))
    with pytest.raises(InvalidArgumentError, match="max_gap_minutes"):
        ts05_w(ds, max_gap_minutes=-1)
    with pytest.raises(InvalidArgumentError, match="no record"):
        ts05_w(ds.isel(time=slice(0, 0)))


def test_omni_sample_drives_ts05_per_particle():
    """lstar(model="ts05", drivers=W from OMNI) equals one call per time with those inputs."""
    minute = datasets.open_sample("omni-1min")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        drivers = rb.ts05_w(minute, spinup_efolds=0)
    times = np.array(
        ["2015-03-17T02:02", "2015-03-17T15:31", "2015-03-17T02:04", "2015-03-19T00:00"],
        "datetime64[ns]",
    )
    p = rb.particles(
        x=[-5.0, -4.5, -6.0, -5.0], y=[0.0, 0.5, 0.0, 0.0], z=0, pitch_angle=[90, 60, 75, 90],
        time=times, frame="GSM",
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        out = rb.lstar(p, "ts05", drivers=drivers, accuracy="fast")
    assert out.status.values[3] == 7 and np.isnan(out.lstar.values[3])
    for i in range(3):
        rec = drivers.sel(time=times[i], method="ffill")  # the 5-min average holding it
        pars = {"pdyn": float(rec.Pdyn), "dst": float(rec.SYM_H), "by": float(rec.By_GSM),
                "bz": float(rec.Bz_GSM),
                **{f"w{k}": float(rec[f"W{k}"]) for k in range(1, 7)}}  # fmt: skip
        assert float(out.driver_w1[i]) == pars["w1"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            one = rb.lstar(p.isel(particle=[i]), rb.models.get("ts05", **pars), accuracy="fast")
        assert out.lstar.values[i] == one.lstar.values[0]  # bit for bit
    assert out.driver_w4.values[1] > 5 and out.driver_w1.values[0] == 0  # storm / quiet


def test_footprint_with_computed_w_equals_one_call_per_time():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        drivers = rb.ts05_w(datasets.open_sample("omni-1min"), spinup_efolds=0)
    times = np.array(["2015-03-17T09:00", "2015-03-17T15:30"], "datetime64[ns]")
    points = xr.Dataset(
        {"x": ("time", [-6.0, -6.0]), "y": ("time", [0.0, 0.0]), "z": ("time", [0.0, 0.0])},
        coords={"time": times},
        attrs={"frame": "GSM"},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        track = rb.footprint(points, "ts05", drivers=drivers)
        for i in range(2):
            rec = drivers.sel(time=times[i])
            pars = {"pdyn": float(rec.Pdyn), "dst": float(rec.SYM_H), "by": float(rec.By_GSM),
                    "bz": float(rec.Bz_GSM),
                    **{f"w{k}": float(rec[f"W{k}"]) for k in range(1, 7)}}  # fmt: skip
            one = rb.footprint(points.isel(time=[i]), rb.models.get("ts05", **pars))
            assert track.lat.values[i] == one.lat.values[0]
            assert track.lon.values[i] == one.lon.values[0]
        quiet = rb.models.get("ts05", pdyn=2, dst=0, by=0, bz=0, w1=0, w2=0, w3=0, w4=0, w5=0,
                              w6=0)  # fmt: skip
        calm = rb.footprint(points.isel(time=[1]), quiet)
    # the storm-time field (W large) stretches the line: the footprint is equatorward
    assert track.lat.values[1] < calm.lat.values[0] - 1.0


def test_recursion_equals_the_direct_sum_of_tsyganenkos_code():
    """Random wind: the sum written out term by term, cut where r (t - t_k) > 10 as his code."""
    rng = np.random.default_rng(7)
    n = 700
    bz = rng.normal(-2.0, 5.0, n)
    v = rng.uniform(300, 800, n)
    dens = rng.uniform(1, 30, n)
    w, _ = _w(_wind(n, bz=bz, v=v, dens=dens), spinup_efolds=0)
    s = source_functions(dens, v, bz)
    direct = np.zeros((n, 6))
    for i in range(n):
        lag_h = (i - np.arange(i + 1)) * 5.0 / 60.0
        for j in range(6):
            arg = -R[j] * lag_h
            keep = arg > -10.0
            direct[i, j] = (R[j] / 12.0) * np.sum(s[: i + 1, j][keep] * np.exp(arg[keep]))
    # the cut tail is at most exp(-10) of the steady W of the strongest driving in the past
    bound = np.exp(-10.0) * (R / 12) * np.nanmax(s, axis=0) / (1 - Q)
    assert np.all(np.abs(w - direct) <= bound)
    assert np.abs(w - direct).max() > 0  # (the cut is seen: the test compares two things)
    np.testing.assert_allclose(w[:60], direct[:60], rtol=1e-12)  # before any cut: exact
