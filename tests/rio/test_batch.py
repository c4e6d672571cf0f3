"""rio.absorption_by_window: one quiet-day curve per window of days over a long record."""

import numpy as np
import pytest

import geospacexr
from geospacexr import rio
from geospacexr._synth import riometer as synth
from geospacexr.errors import InvalidArgumentError, WrongKindError


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    synth.write_norstar(folder, days=16, levels=("k0",), start="2007-04-02", seed=2007)
    return geospacexr.open_riometer(sorted(folder.glob("*.txt")))


def test_windows_and_their_curves(record):
    out = rio.absorption_by_window(record, days=6)
    # 16 days: windows of 6, 6 and 4 days; the last QDC from the 6 days ending on its last day
    assert [str(d)[:10] for d in out["window_start"].values] == [
        "2007-04-02",
        "2007-04-08",
        "2007-04-14",
    ]
    assert [str(d)[:10] for d in out["qdc_start"].values] == [
        "2007-04-02",
        "2007-04-08",
        "2007-04-12",
    ]
    assert (out["days_with_data"].values == 6).all()
    # each sample uses its own window's QDC: equal to rio.absorption with that window's curve
    last = out["qdc_window"].values == 2
    qdc = rio.quiet_day_curve(record, days=6, end="2007-04-17")
    expected = rio.absorption(record.isel(time=np.flatnonzero(last)), qdc)
    np.testing.assert_allclose(out["absorption"].values[last], expected.values)
    np.testing.assert_allclose(out["qdc"].isel(window=2).values, qdc.values)
    truth = synth.truth(days=16, start="2007-04-02", seed=2007)
    quiet = np.abs(truth["signal_db"] - truth["qdc_db"] + truth["absorption_db"])[:, 0] < 0.5
    err = out["absorption"].values - truth["absorption_db"][:, 0]
    assert np.sqrt(np.mean(err[quiet] ** 2)) < 0.08


def test_a_gap_of_a_whole_window_is_skipped(record):
    day = record["time"].values.astype("datetime64[D]")
    gappy = record.isel(
        time=np.flatnonzero(
            (day < np.datetime64("2007-04-05")) | (day > np.datetime64("2007-04-10"))
        )
    )
    out = rio.absorption_by_window(gappy, days=3)
    assert out.sizes["window"] == 4  # 04-02..04, (05..07 and 08..10 empty), 11..13, 14..16, 17
    assert (out["qdc_window"].values >= 0).all()


def test_bad_arguments(record):
    for days in (0, -3, 2.5, True):
        with pytest.raises(InvalidArgumentError, match="whole number of days"):
            rio.absorption_by_window(record, days=days)
    with pytest.raises(InvalidArgumentError, match="unknown quiet-day curve option"):
        rio.absorption_by_window(record, days=3, bands=4)
    with pytest.raises(InvalidArgumentError, match="at least 4"):
        rio.absorption_by_window(record, days=3, bins=2)
    with pytest.raises(WrongKindError):
        rio.absorption_by_window(record.assign_attrs(geospacexr_kind="asi"), days=3)
