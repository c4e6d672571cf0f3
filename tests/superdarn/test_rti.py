"""RTI data and figures: geospacexr.superdarn.rti against pyDARN, gaps, ground scatter, errors.

The recorded twin ``reference/pydarn_rti_twin.json.gz`` holds what pyDARN 4.3's
``RTP.plot_range_time`` puts in its colour mesh for eleven cases on the real fitacf files
(parameters v, p_l, w_l, elv, pwr0; a camping beam, a sweeping beam, every channel; ground
scatter painted); our :func:`geospacexr.superdarn.rti` must give the same values, cell for
cell, at the same record times. Set ``GEOSPACEXR_REF_PYDARN`` to a python with pyDARN to
regenerate the twin live and check it equals the recorded one.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr import superdarn
from geospacexr.errors import InvalidArgumentError, MissingVariableError, WrongKindError

HERE = Path(__file__).parent
TWIN_PATH = HERE / "reference" / "pydarn_rti_twin.json.gz"
with gzip.open(TWIN_PATH, "rt", encoding="utf-8") as _fh:
    TWIN = json.load(_fh)
PYDARN_FILE = "pydarn/test.fitacf.bz2"


@pytest.fixture(scope="module")
def fitacf(superdarn_data):
    """pyDARN's real fitacf: 100 records, channel 1 sweeping, channel 2 camping on beam 9."""
    return geospacexr.open_superdarn(superdarn_data / PYDARN_FILE)


@pytest.fixture(scope="module")
def opened(superdarn_data):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = geospacexr.open_superdarn(superdarn_data / name)
        return cache[name]

    return get


@pytest.mark.parametrize("key", sorted(TWIN["cases"]))
def test_rti_equals_pydarn_cell_for_cell(key, opened):
    name, parameter, beam, channel, ground = key.split("|")
    expected = TWIN["cases"][key]
    da = superdarn.rti(
        opened(name),
        parameter,
        beam=int(beam),
        channel=None if channel == "all" else int(channel),
    )
    times = np.array(expected["times"], dtype="datetime64[ns]")
    np.testing.assert_array_equal(da["time"].values, times)
    z = np.array([[np.nan if v is None else v for v in row] for row in expected["z"]])
    ours = da.values.copy()
    if ground == "1":  # pyDARN paints ground scatter with one value
        ours[da["ground_scatter"].values] = TWIN["ground"]
    assert z.shape[0] == ours.shape[0]
    np.testing.assert_array_equal(ours[:, : z.shape[1]], z)
    assert not np.isfinite(da.values[:, z.shape[1] :]).any()  # pyDARN stops at max(nrang)


@pytest.mark.parametrize("name", sorted(TWIN["slant_range"]))
def test_slant_range_is_pydarns_gate_centre(name, opened):
    expected = TWIN["slant_range"][name]
    ds = opened(name)
    da = superdarn.rti(ds, "v", beam=int(ds.bmnum.values[0]), rxrise=0)
    row = da["slant_range"].values[0]
    np.testing.assert_allclose(row, expected["centres"][: row.size], rtol=0, atol=1e-9)
    assert da["slant_range"].attrs["units"] == "km"


@pytest.mark.skipif(not os.environ.get("GEOSPACEXR_REF_PYDARN"), reason="set GEOSPACEXR_REF_PYDARN")
def test_live_pydarn_rti_twin(superdarn_data):
    """pyDARN, run now on the real files, still draws the recorded values."""
    out = subprocess.run(
        [os.environ["GEOSPACEXR_REF_PYDARN"], str(HERE / "reference" / "pydarn_rti_twin.py"),
         str(superdarn_data), "-"],
        check=True, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    live = json.loads(out.stdout)
    assert live["cases"] == TWIN["cases"]
    assert live["slant_range"] == TWIN["slant_range"]


def test_twin_generator_is_named_in_the_twin():
    assert TWIN["generator"] == "tests/superdarn/reference/pydarn_rti_twin.py"
    assert (HERE / "reference" / "pydarn_rti_twin.py").is_file()


# -- what the DataArray says ----------------------------------------------------------------------
def test_rti_layout_units_and_coordinates(fitacf):
    da = superdarn.rti(fitacf, "v", beam=9, channel=2)
    assert da.dims == ("time", "range_gate") and da.name == "v"
    assert da.attrs["units"] == "m/s" and da.attrs["beam"] == 9 and da.attrs["channel"] == 2
    assert set(np.unique(da["bmnum"].values)) == {9} and set(np.unique(da["channel"])) == {2}
    assert da.sizes["time"] == 50
    assert (np.diff(da["time"].values) > np.timedelta64(0)).all()
    # NaN exactly where a record did not report the gate
    records = superdarn.beam_records(fitacf, 9, 2)
    for i in (0, 17, 49):
        gates = records.slist.values[i]
        gates = gates[gates >= 0]
        reported = np.zeros(da.sizes["range_gate"], bool)
        reported[gates] = True
        assert (np.isfinite(da.values[i]) == reported).all()
    flagged = records.gflg.values == 1
    np.testing.assert_array_equal(da["ground_scatter"].values, flagged)
    frang = records.frang.values[:, None].astype(float)
    rsep = records.rsep.values[:, None].astype(float)
    # the default slant range is geometry's (RST's rule: the record's rise time, 100 us here)
    from geospacexr.superdarn import geometry

    np.testing.assert_array_equal(da["slant_range"].values, geometry.slant_range(records).values)
    rise = records.rxrise.values[:, None].astype(float) * geometry.C_KM_PER_US / 2
    np.testing.assert_allclose(
        da["slant_range"].values, frang + rsep * da.range_gate.values - rise, rtol=0, atol=1e-9
    )
    assert not {"geo_lat", "mag_lat"} & set(da.coords)  # positions only when asked
    zero = superdarn.rti(fitacf, "v", beam=9, channel=2, rxrise=0)
    np.testing.assert_array_equal(zero["slant_range"].values, frang + rsep * da.range_gate.values)
    hw = superdarn.rti(fitacf, "v", beam=9, channel=2, rxrise="hardware")
    np.testing.assert_array_equal(
        hw["slant_range"].values, geometry.slant_range(records, rxrise="hardware").values
    )


def test_columns_reach_the_next_record_unless_it_is_beyond_the_gap(fitacf):
    full = superdarn.rti(fitacf, "p_l", beam=9, channel=2)
    spacing = np.diff(full.time.values).astype(float) / 1e9
    assert full.attrs["max_gap_s"] == pytest.approx(2 * np.median(spacing[spacing > 0]))
    # drop ten records: the record before them ends after max_gap, not at the next record
    keep = np.r_[0:10, 20:50]
    ds = superdarn.beam_records(fitacf, 9, 2).isel(time=keep)
    da = superdarn.rti(ds, "p_l", beam=9, channel=2)
    ends, times = da.time_end.values, da.time.values
    gap = da.attrs["max_gap_s"]
    assert ends[9] == times[9] + np.timedelta64(round(gap * 1e9), "ns")
    assert ends[9] < times[10]
    step = (times[1:] - times[:-1]).astype(float) / 1e9
    joined = step <= gap
    np.testing.assert_array_equal(ends[:-1][joined], times[1:][joined])
    # an explicit max_gap wins; the last column is as wide as a usual spacing
    tight = superdarn.rti(ds, "p_l", beam=9, channel=2, max_gap=1.0)
    assert (tight.time_end.values - tight.time.values <= np.timedelta64(1, "s")).all()


def test_ground_scatter_modes(fitacf):
    grey = superdarn.rti(fitacf, "v", beam=9, channel=2)
    flagged = grey["ground_scatter"].values
    assert flagged.any() and (np.isfinite(grey.values) & ~flagged).any()
    colour = superdarn.rti(fitacf, "v", beam=9, channel=2, ground_scatter="colour")
    np.testing.assert_array_equal(colour.values, grey.values)
    hidden = superdarn.rti(fitacf, "v", beam=9, channel=2, ground_scatter="hide")
    assert not np.isfinite(hidden.values[flagged]).any()
    np.testing.assert_array_equal(hidden.values[~flagged], grey.values[~flagged])
    only = superdarn.rti(fitacf, "v", beam=9, channel=2, ground_scatter="only")
    assert not np.isfinite(only.values[~flagged]).any()
    np.testing.assert_array_equal(only.values[flagged], grey.values[flagged])


def test_time_window_and_every_channel(fitacf):
    every = superdarn.rti(fitacf, "v", beam=9)
    assert set(np.unique(every["channel"].values)) == {1, 2} and every.attrs["channel"] == "all"
    t0, t1 = fitacf.time.values[20], fitacf.time.values[60]
    part = superdarn.rti(fitacf, "v", beam=9, channel=2, start=t0, end=t1)
    assert part.time.values.min() >= t0 and part.time.values.max() <= t1
    assert 0 < part.sizes["time"] < 50


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"beam": 99}, InvalidArgumentError, "beams in the data: 0, 1"),
        ({"beam": 7, "channel": 2}, InvalidArgumentError, "channels of beam 7: 1"),
        ({"parameter": "cp"}, InvalidArgumentError, "not a per-gate variable"),
        ({"parameter": "nope"}, MissingVariableError, "per-gate parameters: nlag"),
        ({"ground_scatter": "pink"}, InvalidArgumentError, "grey, colour, hide, only"),
        ({"start": "2019-01-01"}, InvalidArgumentError, "its records span 2018-04-04"),
        ({"start": "not a time"}, InvalidArgumentError, "not a time"),
        ({"max_gap": -1.0}, InvalidArgumentError, "positive number of seconds"),
    ],
)
def test_errors_say_what_the_data_has(fitacf, kwargs, error, words):
    with pytest.raises(error, match=words):
        superdarn.rti(fitacf, **kwargs)


def test_rti_refuses_other_kinds():
    with pytest.raises(WrongKindError):
        superdarn.rti(xr.Dataset(attrs={"geospacexr_kind": "gcm"}), "v")


def test_rti_parameters_lists_per_gate_numbers(fitacf):
    names = superdarn.rti_parameters(fitacf)
    assert {"v", "p_l", "w_l", "elv", "gflg", "pwr0"} <= set(names)
    assert "slist" not in names and "cp" not in names


def test_beam_summary_panels_and_scalars(fitacf):
    s = superdarn.beam_summary(fitacf, beam=9, channel=2)
    assert s.attrs["parameters"] == "p_l v w_l elv"
    assert {"noise.sky", "noise.search", "tfreq", "nave", "cp"} <= set(s.data_vars)
    assert s["v"].attrs["ground_scatter"] == "grey"
    assert s["p_l"].attrs["ground_scatter"] == "colour"  # grey only on velocity, as pyDARN
    np.testing.assert_array_equal(
        s["w_l"].values, superdarn.rti(fitacf, "w_l", beam=9, channel=2).values
    )
    hidden = superdarn.beam_summary(fitacf, beam=9, channel=2, ground_scatter="hide")
    assert not np.isfinite(hidden["p_l"].values[s["ground_scatter"].values]).any()
    no_elv = superdarn.beam_summary(fitacf.drop_vars("elv"), beam=9, channel=2)
    assert no_elv.attrs["parameters"] == "p_l v w_l"
    two = superdarn.beam_summary(fitacf, beam=9, parameters=["v", "x_v"])
    assert two.attrs["parameters"] == "v x_v"


def test_results_round_trip_through_netcdf(fitacf, tmp_path):
    da = superdarn.rti(fitacf, "v", beam=9, channel=2)
    da.to_netcdf(tmp_path / "rti.nc")
    back = xr.open_dataarray(tmp_path / "rti.nc")
    xr.testing.assert_identical(back.load(), da)
    located = superdarn.rti(fitacf, "v", beam=9, channel=2, coords="geographic")
    located.to_netcdf(tmp_path / "located.nc")
    xr.testing.assert_identical(xr.open_dataarray(tmp_path / "located.nc").load(), located)
    s = superdarn.beam_summary(fitacf, beam=9, channel=2)
    s.to_netcdf(tmp_path / "summary.nc")
    xr.testing.assert_identical(xr.open_dataset(tmp_path / "summary.nc").load(), s)


def test_rti_on_the_sample():
    ds = geospacexr.datasets.open_sample("superdarn-fitacf")
    da = superdarn.rti(ds, "v", beam=7, ground_scatter="hide")
    assert da.sizes["time"] == 120  # one-minute scans for two hours
    assert da.attrs["max_gap_s"] == pytest.approx(120.0, rel=0.01)
    # the sample's ground scatter lies in gates 8-22 and is hidden here
    assert not np.isfinite(
        da.sel(range_gate=slice(8, 22)).values[
            superdarn.rti(ds, "v", beam=7).ground_scatter.sel(range_gate=slice(8, 22)).values
        ]
    ).any()


# -- figures -------------------------------------------------------------------------------------
pytest.importorskip("matplotlib")


def _meshes(ax):
    from matplotlib.collections import QuadMesh

    return [c for c in ax.collections if isinstance(c, QuadMesh)]


def test_plot_rti_velocity_scale_colour_bar_and_ground_scatter(fitacf, tmp_path):
    from geospacexr.plot.superdarn import plot_rti

    fig = plot_rti(fitacf, "v", beam=9, channel=2, save=tmp_path / "rti.png")
    assert (tmp_path / "rti.png").stat().st_size > 0
    ax, cbar_ax = fig.axes[0], fig.axes[1]
    values, grey = _meshes(ax)
    assert values.get_cmap().name == "RdBu"
    assert values.get_clim() == (-200.0, 200.0)
    assert cbar_ax.get_ylabel() == "Velocity (m/s)"
    assert ax.get_ylabel() == "range gate"
    assert "beam 9, channel 2" in ax.get_title()
    # the ground-scatter cells are drawn grey, not in colour
    n_grey = int((~np.ma.getmaskarray(grey.get_array())).sum())
    da = superdarn.rti(fitacf, "v", beam=9, channel=2)
    assert n_grey == int((da.ground_scatter & np.isfinite(da)).sum())
    colour_cells = int((~np.ma.getmaskarray(values.get_array())).sum())
    assert colour_cells == int((~da.ground_scatter & np.isfinite(da)).sum())


def test_plot_rti_hidden_ground_scatter_slant_range_and_gaps(fitacf):
    from geospacexr.plot.superdarn import plot_rti

    ds = superdarn.beam_records(fitacf, 9, 2).isel(time=np.r_[0:10, 20:50])
    fig = plot_rti(ds, "p_l", beam=9, ground_scatter="hide", yaxis="slant_range", vmax=30)
    ax = fig.axes[0]
    (mesh,) = _meshes(ax)  # no grey layer
    assert mesh.get_clim() == (0.0, 30.0) and mesh.get_cmap().name == "plasma"
    assert ax.get_ylabel() == "slant range (km)"
    coords = mesh.get_coordinates()  # (gates + 1, 2 * records, 2)
    assert coords[0, 0, 1] == pytest.approx(180 - 22.5)  # frang - rsep / 2
    # the column between records 9 and 10 is a gap: masked, and wider than zero
    mask = np.ma.getmaskarray(mesh.get_array()).reshape(coords.shape[0] - 1, -1)
    assert mask[:, 19].all()
    assert coords[0, 20, 0] > coords[0, 19, 0]


def test_rti_gate_positions_are_geometrys(fitacf):
    from geospacexr.superdarn import geometry

    records = superdarn.beam_records(fitacf, 9, 2)
    geo = superdarn.rti(fitacf, "v", beam=9, channel=2, coords="geographic")
    pos = geometry.gate_positions(records)
    np.testing.assert_array_equal(geo["geo_lat"].values, pos["lat"].values)
    np.testing.assert_array_equal(geo["geo_lon"].values, pos["lon"].values)
    assert "mag_lat" not in geo.coords and geo.attrs["coords"] == "geographic"
    assert geo["geo_lat"].dims == ("time", "range_gate")
    # Hankasalmi's beam 9 points poleward: latitude grows with range up to near the pole
    lat = geo["geo_lat"].values[0]
    assert (np.diff(lat[:60]) > 0).all() and 86 < lat.max() < 90
    np.testing.assert_array_equal(geo.values, superdarn.rti(fitacf, "v", beam=9, channel=2).values)
    rx0 = superdarn.rti(fitacf, "v", beam=9, channel=2, coords="geographic", rxrise=0)
    np.testing.assert_array_equal(
        rx0["geo_lat"].values, geometry.gate_positions(records, rxrise=0)["lat"].values
    )
    assert (rx0["geo_lat"].values[0, :60] > lat[:60]).all()  # 15 km farther poleward
    with pytest.raises(InvalidArgumentError, match="geographic, aacgm"):
        superdarn.rti(fitacf, "v", beam=9, coords="magnetic")


def test_rti_magnetic_positions_are_geometrys(fitacf):
    pytest.importorskip("aacgmv2")
    from geospacexr.superdarn import geometry
    from geospacexr.superdarn.rti import POSITION_NAMES

    records = superdarn.beam_records(fitacf, 9, 2)
    mag = superdarn.rti(fitacf, "v", beam=9, channel=2, coords="aacgm")
    pos = geometry.gate_positions(records, coords="aacgm")
    for ours, theirs in POSITION_NAMES.items():
        np.testing.assert_array_equal(mag[ours].values, pos[theirs].values)
    assert mag.attrs["aacgm_altitude_km"] == pos.attrs["aacgm_altitude_km"]
    summary = superdarn.beam_summary(fitacf, beam=9, channel=2, coords="aacgm")
    np.testing.assert_array_equal(summary["mag_lat"].values, pos["mlat"].values)


def test_rti_without_hardware_warns_and_uses_the_records_rise_time(fitacf):
    from geospacexr.errors import DataWarning, UnknownNameError

    unknown = fitacf.assign(stid=fitacf.stid * 0 + 999)
    unknown.attrs = {k: v for k, v in fitacf.attrs.items() if k != "station_id"}
    with pytest.warns(DataWarning, match="records' own rxrise"):
        da = superdarn.rti(unknown, "v", beam=9, channel=2)
    np.testing.assert_allclose(
        da["slant_range"].values,
        superdarn.rti(fitacf, "v", beam=9, channel=2)["slant_range"].values,  # rxrise 100 us
        rtol=0,
        atol=1e-9,
    )
    with pytest.raises(UnknownNameError):
        superdarn.rti(unknown, "v", beam=9, channel=2, rxrise="hardware")
    with pytest.raises(UnknownNameError):
        superdarn.rti(unknown, "v", beam=9, channel=2, coords="geographic")


def test_latitude_edges_bracket_the_centres():
    from geospacexr.plot.superdarn import latitude_edges

    centres = np.array([[60.0, 61.0, 63.0, np.nan], [70.0, 69.0, 68.0, 67.0]])
    edges = latitude_edges(centres)
    np.testing.assert_allclose(edges[1], [70.5, 69.5, 68.5, 67.5, 66.5])
    np.testing.assert_allclose(edges[0], [59.5, 60.5, 62.0, 64.0, 66.0])  # NaN: extrapolated
    assert np.isfinite(latitude_edges(np.full((1, 3), np.nan))).all()


@pytest.mark.parametrize(("yaxis", "coord"), [("geo_lat", "geo_lat"), ("mag_lat", "mag_lat")])
def test_plot_rti_latitude_axes(fitacf, yaxis, coord):
    if yaxis == "mag_lat":
        pytest.importorskip("aacgmv2")
    from geospacexr.plot.superdarn import YAXES, plot_rti

    fig = plot_rti(fitacf, "v", beam=9, channel=2, yaxis=yaxis)
    ax = fig.axes[0]
    assert ax.get_ylabel() == YAXES[yaxis][1]
    lat = superdarn.rti(fitacf, "v", beam=9, channel=2, coords="aacgm")[coord].values
    mesh = ax.collections[0]
    y = mesh.get_coordinates()[..., 1]  # (gates + 1, 2 * records)
    # each record's column spans its gates' latitudes: edges bracket every centre
    near = slice(0, 60)  # beam 9 passes near the pole beyond gate 60
    assert (y[:-1, 0][near] < lat[0, near]).all() and (lat[0, near] < y[1:, 0][near]).all()
    np.testing.assert_allclose(y[1:-1, 0], (lat[0, 1:] + lat[0, :-1]) / 2)
    lo, hi = ax.get_ylim()
    assert lo <= np.nanmin(lat) and hi >= np.nanmax(lat[:, near])


def test_plot_rti_latitude_needs_positions_and_unknown_axes_say_so(fitacf):
    from matplotlib.figure import Figure

    from geospacexr.plot.superdarn import draw_rti, plot_rti

    with pytest.raises(InvalidArgumentError, match="gate, slant_range, geo_lat, mag_lat"):
        plot_rti(fitacf, "v", beam=9, yaxis="height")
    da = superdarn.rti(fitacf, "v", beam=9)
    with pytest.raises(InvalidArgumentError, match="coords='geographic'"):
        draw_rti(Figure().add_subplot(), da, yaxis="geo_lat")


def test_plot_rti_draws_into_given_axes_and_signature_is_declared(fitacf):
    import inspect

    from matplotlib.figure import Figure

    from geospacexr.plot.superdarn import plot_rti

    fig = Figure()
    ax = fig.add_subplot()
    assert plot_rti(fitacf, "w_l", beam=9, ax=ax) is fig
    params = list(inspect.signature(plot_rti).parameters)
    compute = list(inspect.signature(superdarn.rti).parameters)
    assert params[: len(compute)] == compute
    assert {"yaxis", "cmap", "vmin", "vmax", "title", "save", "figsize", "ax"} <= set(params)
    assert "yaxis" in plot_rti.__doc__ and "max_gap" in plot_rti.__doc__


def test_plot_summary_panels(fitacf, tmp_path):
    from geospacexr.plot.superdarn import plot_summary

    fig = plot_summary(fitacf, beam=9, channel=2, save=tmp_path / "s.png")
    assert (tmp_path / "s.png").stat().st_size > 0
    labels = [a.get_ylabel() for a in fig.axes]
    assert labels[:3] == ["noise", "freq.\n(MHz)", "CPID"]
    assert labels.count("range gate") == 4
    bars = {a.get_ylabel() for a in fig.axes if a.get_visible()}
    assert {"Power (dB)", "Velocity (m/s)", "Spectral width (m/s)", "Elevation (degree)"} <= bars
    assert "station 10, beam 9, channel 2" in fig._suptitle.get_text()
    assert fig.axes[0].get_yscale() == "log"
