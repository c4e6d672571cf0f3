"""Time-varying model inputs (OMNI drivers) for L*, K and footprints."""

import warnings

import numpy as np
import pytest
import xarray as xr

from geospacexr import datasets, rb
from geospacexr.errors import DataWarning, InvalidArgumentError
from geospacexr.rb.drivers import driver_parameters, drivers_at

T = np.datetime64


@pytest.fixture(scope="module")
def omni():
    return datasets.open_sample("omni-hourly")


def _series(values, start="2015-03-16T00:00", step_h=1, **attrs):
    times = T(start, "ns") + np.arange(len(values)) * np.timedelta64(step_h, "h")
    return xr.Dataset(
        {"Pdyn": ("time", np.asarray(values, float)), "Kp": ("time", np.asarray(values, float))},
        coords={"time": times},
        attrs=attrs,
    )


def test_previous_value_is_the_average_holding_the_time():
    d = _series([1.0, 2.0, 3.0], cadence_s=3600)
    times = np.array(
        ["2015-03-15T23:59", "2015-03-16T00:00", "2015-03-16T00:59", "2015-03-16T01:00",
         "2015-03-16T02:59", "2015-03-16T03:00"], "datetime64[ns]",
    )  # fmt: skip
    v = drivers_at(d, times, {"pdyn": "Pdyn"}, "previous")["pdyn"]
    np.testing.assert_array_equal(v, [np.nan, 1, 1, 2, 3, np.nan])


def test_linear_is_between_centres_and_kp_stays_a_step():
    d = _series([1.0, 2.0, 4.0])  # cadence from the times: 1 h, centres at :30
    times = np.array(
        ["2015-03-16T00:30", "2015-03-16T01:00", "2015-03-16T02:00", "2015-03-16T02:30",
         "2015-03-16T00:10", "2015-03-16T02:40"], "datetime64[ns]",
    )  # fmt: skip
    out = drivers_at(d, times, {"pdyn": "Pdyn", "kp": "Kp"}, "linear")
    np.testing.assert_allclose(out["pdyn"], [1.0, 1.5, 3.0, 4.0, np.nan, np.nan])
    np.testing.assert_array_equal(out["kp"], [1, 2, 4, 4, 1, 4])


def test_fills_and_bad_arguments_give_clear_messages(omni):
    d = _series([1.0, np.nan, 3.0])
    v = drivers_at(d, np.array(["2015-03-16T01:20"], "datetime64[ns]"), {"pdyn": "Pdyn"})
    assert np.isnan(v["pdyn"]).all()
    with pytest.raises(InvalidArgumentError, match="interpolation"):
        drivers_at(d, np.array(["2015-03-16"], "datetime64[ns]"), {"pdyn": "Pdyn"}, "cubic")
    with pytest.raises(InvalidArgumentError, match="W1"):
        driver_parameters("ts05", omni)
    with pytest.raises(InvalidArgumentError, match="along 'time'"):
        driver_parameters("t96", omni.to_array())
    assert driver_parameters("t96", omni) == {
        "pdyn": "Pdyn", "dst": "Dst", "by": "By_GSM", "bz": "Bz_GSM"
    }  # fmt: skip
    minute = datasets.open_sample("omni-1min")
    assert driver_parameters("t96", minute)["dst"] == "SYM_H"
    p = rb.particles(x=-5.0, y=0, z=0, pitch_angle=90)  # no time
    with pytest.raises(InvalidArgumentError, match="particles' times"):
        rb.lstar(p, "t96", drivers=omni)
    with pytest.raises(InvalidArgumentError, match="no drivers"):
        p2 = rb.particles(x=-5.0, y=0, z=0, pitch_angle=90, time="2015-03-16T12:00")
        rb.lstar(p2, rb.models.get("dipole"), drivers=omni)


def test_lstar_with_drivers_equals_one_call_per_time(omni):
    times = np.array(
        ["2015-03-16T12:30", "2015-03-18T06:10", "2015-03-16T12:40", "2014-01-01T00:00"],
        "datetime64[ns]",
    )
    p = rb.particles(
        x=[-5.0, -5.0, -6.0, -5.0], y=[0.0, 1.0, 0.0, 0.0], z=0, pitch_angle=[90, 60, 75, 90],
        time=times, frame="GSM",
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        out = rb.lstar(p, "t96", drivers=omni, accuracy="fast")
    assert out.status.values[3] == 7 and np.isnan(out.lstar.values[3])
    assert out.attrs["drivers_interpolation"] == "previous"
    for i in range(3):
        hour = omni.sel(time=times[i].astype("datetime64[h]"))
        pars = {"pdyn": float(hour.Pdyn), "dst": float(hour.Dst),
                "by": float(hour.By_GSM), "bz": float(hour.Bz_GSM)}  # fmt: skip
        assert float(out.driver_pdyn[i]) == pars["pdyn"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            one = rb.lstar(p.isel(particle=[i]), rb.models.get("t96", **pars), accuracy="fast")
        assert out.lstar.values[i] == one.lstar.values[0]  # bit for bit
        np.testing.assert_array_equal(out.shell_footprint.values[i], one.shell_footprint.values[0])
    # the storm-time shell is smaller than the quiet one at the same place
    assert out.lstar.values[1] < out.lstar.values[0] + 0.5
    # chunks of particles computed on their own give the same result (partitionable)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        parts = [rb.lstar(p.isel(particle=s), "t96", drivers=omni, accuracy="fast")
                 for s in (slice(0, 2), slice(2, 4))]  # fmt: skip
    joined = xr.concat([q.lstar for q in parts], "particle")
    np.testing.assert_array_equal(joined.values, out.lstar.values)
    # the accessor is the same function
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        again = p.isel(particle=[0]).rb.lstar("t96", drivers=omni, accuracy="fast")
    assert again.lstar.values[0] == out.lstar.values[0]


def test_lstar_driven_model_keeps_its_other_parameters(omni):
    p = rb.particles(x=-5.0, y=0, z=0, pitch_angle=90, time="2015-03-16T06:00", frame="GSM")
    template = rb.models.get("t96", pdyn=9.0, dst=-100, by=5, bz=-5, internal="dipole")
    out = rb.K(p, template, accuracy="fast", drivers=omni)
    hour = omni.sel(time=T("2015-03-16T06:00"))
    direct = rb.K(
        p,
        rb.models.get("t96", pdyn=float(hour.Pdyn), dst=float(hour.Dst), by=float(hour.By_GSM),
                      bz=float(hour.Bz_GSM), internal="dipole"),
        accuracy="fast",
    )  # fmt: skip
    assert out.attrs["internal_field"] == "dipole"
    assert out.K.values[0] == direct.K.values[0] and out.Lm.values[0] == direct.Lm.values[0]


def test_footprint_with_drivers(omni):
    times = np.array(["2015-03-16T06:00", "2015-03-17T20:00"], "datetime64[ns]")
    points = xr.Dataset(
        {"x": ("time", [-6.0, -6.0]), "y": ("time", [0.0, 0.0]), "z": ("time", [0.0, 0.0])},
        coords={"time": times},
        attrs={"frame": "GSM"},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        track = rb.footprint(points, "t96", drivers=omni)
        for i in range(2):
            hour = omni.sel(time=times[i])
            m = rb.models.get("t96", pdyn=float(hour.Pdyn), dst=float(hour.Dst),
                              by=float(hour.By_GSM), bz=float(hour.Bz_GSM))  # fmt: skip
            one = rb.footprint(points.isel(time=[i]), m)
            assert track.lat.values[i] == one.lat.values[0]
        quiet = rb.footprint(points.isel(time=[1]), rb.models.get("t96", pdyn=2, dst=0, by=0, bz=0))
    # the storm-time tail stretches the line: its footprint lies equatorward of the quiet one
    assert track.lat.values[1] < quiet.lat.values[0] - 1.0


def test_t89_takes_kp_as_a_step_in_its_bins(omni):
    times = np.array(["2015-03-16T01:00", "2015-03-17T15:20"], "datetime64[ns]")
    p = rb.particles(x=[-6.0, -6.0], y=0, z=0, pitch_angle=70, time=times, frame="GSM")
    out = rb.K(p, "t89", drivers=omni, interpolation="linear", accuracy="fast")
    for i in range(2):
        kp = float(omni.Kp.sel(time=times[i].astype("datetime64[h]")))
        assert float(out.driver_kp[i]) == kp  # the previous value even with "linear"
        one = rb.K(p.isel(particle=[i]), rb.models.get("t89", kp=kp), accuracy="fast")
        assert out.K.values[i] == one.K.values[0]
    assert out.driver_kp.values[1] > out.driver_kp.values[0] + 3


def test_empty_or_single_record_drivers():
    t = np.array(["2015-03-16T00:30"], "datetime64[ns]")
    empty = _series([])
    assert np.isnan(drivers_at(empty, t, {"pdyn": "Pdyn"})["pdyn"]).all()
    with pytest.raises(InvalidArgumentError, match="cadence_s"):
        drivers_at(_series([1.0]), t, {"pdyn": "Pdyn"})
    assert drivers_at(_series([1.0], cadence_s=3600), t, {"pdyn": "Pdyn"})["pdyn"][0] == 1.0
