"""Scans (pyDARN's build_scan on the real files, the sample's one-minute scans) and gate filters."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr.errors import (
    InvalidArgumentError,
    MissingVariableError,
    OutOfRangeError,
    WrongKindError,
)
from geospacexr.superdarn import scans as sc

HERE = Path(__file__).parent
with gzip.open(HERE / "reference" / "pydarn_geometry_twin.json.gz", "rt", encoding="utf-8") as fh:
    TWIN = json.load(fh)


@pytest.fixture(scope="module")
def han(superdarn_data):
    """Hankasalmi, 100 records: channel 1 sweeps beams 15..0, channel 2 camps on beam 9."""
    return geospacexr.open_superdarn(superdarn_data / "pydarn" / "test.fitacf.bz2")


@pytest.mark.parametrize("name", sorted(TWIN["files"]))
def test_scan_index_is_pydarns(superdarn_data, name):
    ds = geospacexr.open_superdarn(superdarn_data / name)
    index = ds.superdarn.scan_index()
    assert index.dims == ("time",) and index.name == "scan_index"
    assert index.values.tolist() == TWIN["files"][name]["scans"]


def test_scans_of_a_two_channel_file(han):
    parts = han.superdarn.scans()
    assert [p.sizes["time"] for p in parts] == [32, 32, 32, 4]
    for k, part in enumerate(parts):
        assert set(part["scan_index"].values) == {k}
        assert np.abs(part["scan"].values[0]) == 1  # each scan starts at a flagged record
        if k:
            assert part["time"].values[0] > parts[k - 1]["time"].values[-1]
    one = sc.scans(han, channel=1)
    assert [p.sizes["time"] for p in one] == [16, 16, 16, 2]
    assert one[0]["bmnum"].values.tolist() == list(range(15, -1, -1))
    assert set(sc.scan(han, 1, channel=2)["bmnum"].values) == {9}
    with pytest.raises(
        InvalidArgumentError, match=r"no record on channel 7 \(channels: \[1, 2\]\)"
    ):
        sc.scans(han, channel=7)


def test_one_scan_by_number_or_time(han):
    times = han["time"].values
    assert sc.scan(han)["scan_index"].values[0] == 0
    assert sc.scan(han, index=-1).sizes["time"] == 4
    assert sc.scan(han, time=times[40])["scan_index"].values[0] == 1
    assert sc.scan(han, time=times[32])["scan_index"].values[0] == 1  # a scan's first record
    assert sc.scan(han, time=times[31] + np.timedelta64(1, "s"))["scan_index"].values[0] == 0
    with pytest.raises(OutOfRangeError, match="4 scans"):
        sc.scan(han, index=4)
    with pytest.raises(OutOfRangeError, match="outside the records"):
        sc.scan(han, time="2018-04-03")
    with pytest.raises(InvalidArgumentError, match="not both"):
        sc.scan(han, index=1, time=times[0])


def test_the_samples_one_minute_scans():
    ds = geospacexr.datasets.open_sample("superdarn-fitacf")
    parts = sc.scans(ds)
    sizes = {p.sizes["time"] for p in parts}
    assert sizes == {16} and len(parts) == ds.sizes["time"] // 16
    assert all(p["bmnum"].values.tolist() == list(range(16)) for p in parts[:3])
    grouped = sc.with_scan_index(ds).groupby("scan_index")
    assert len(grouped) == len(parts)


def test_filter_gates(han):
    v, gflg = han["v"].values, han["gflg"].values
    removed = han.superdarn.filter_gates(ground_scatter="remove")
    assert not np.isfinite(removed["v"].values[gflg == 1]).any()
    np.testing.assert_array_equal(removed["v"].values[gflg == 0], v[gflg == 0])
    only = sc.filter_gates(han, ground_scatter="only")
    assert not np.isfinite(only["v"].values[gflg == 0]).any()
    assert np.isfinite(only["v"].values[gflg == 1]).sum() == np.isfinite(v[gflg == 1]).sum() > 0
    strict = sc.filter_gates(han, min_power=3.0, max_velocity_error=50.0, max_width_error=40.0)
    kept = np.isfinite(strict["v"].values)
    assert kept.sum() > 0 and kept.sum() < np.isfinite(v).sum()
    assert np.all(han["p_l"].values[kept] >= 3.0) and np.all(han["v_e"].values[kept] <= 50.0)
    assert np.all(han["w_l_e"].values[kept] <= 40.0)
    # every fitted per-gate variable is blanked together; pwr0 and the flags are not
    assert np.array_equal(np.isfinite(strict["w_l"].values), kept)
    xr.testing.assert_identical(strict["pwr0"], han["pwr0"])
    xr.testing.assert_identical(strict["gflg"], han["gflg"])
    assert strict["v"].attrs == han["v"].attrs
    info = json.loads(strict.attrs["gate_filters"])
    assert info["min_power"] == 3.0 and info["ground_scatter"] == "keep"
    quality = sc.filter_gates(han, quality_flag=True)
    assert np.all(han["qflg"].values[np.isfinite(quality["v"].values)] == 1)
    assert np.isfinite(han["v"].values).sum() > 0  # the input is unchanged


def test_filter_errors(han):
    with pytest.raises(InvalidArgumentError, match="ground_scatter: must be one of keep"):
        sc.filter_gates(han, ground_scatter="grey")
    with pytest.raises(MissingVariableError, match="v_e"):
        sc.filter_gates(han.drop_vars("v_e"), max_velocity_error=100.0)
    with pytest.raises(MissingVariableError, match="ds.superdarn.scan_index needs.*scan"):
        han.drop_vars("scan").superdarn.scan_index()
    with pytest.raises(WrongKindError):
        sc.scan_index(xr.Dataset(attrs={"geospacexr_kind": "gcm"}))


def test_scan_fan_takes_each_beams_last_report(han):
    fan = han.superdarn.scan_fan("v", index=1, channel=1)
    one = sc.scan(han, 1, channel=1)
    assert fan["value"].dims == ("beam", "range_gate") and fan.attrs["scan_index"] == 1
    for rec in range(one.sizes["time"]):
        b = int(one["bmnum"].values[rec])
        np.testing.assert_array_equal(fan["value"].values[b], one["v"].values[rec])
    assert fan["value"].attrs["units"] == "m/s"
    # both channels: beam 9 holds, gate by gate, the last record that reported the gate
    both = sc.scan_fan(han, "v", index=1)
    records = sc.scan(han, 1)
    on9 = records["v"].values[records["bmnum"].values == 9]
    expected = np.full(on9.shape[1], np.nan)
    for row in on9:
        expected = np.where(np.isfinite(row), row, expected)
    np.testing.assert_array_equal(both["value"].values[9], expected)
    hidden = sc.scan_fan(han, "v", index=1, ground_scatter="remove")
    assert not np.any(hidden["gflg"].values == 1)
    assert np.any(both["gflg"].values == 1)
    with pytest.raises(InvalidArgumentError, match="not a per-gate variable"):
        sc.scan_fan(han, "noise.search")
    with pytest.raises(InvalidArgumentError, match="model"):
        sc.scan_fan(han, "v", model="elevation")
