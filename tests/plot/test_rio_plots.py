"""Riometer figures: line and stack plots of raw signal or absorption, the site map.

The checks read the figures' content (lines, their data, labels, limits, patches and their
colours), not pixels.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import numpy as np
import pytest
from matplotlib.colors import to_rgba

import geospacexr
from geospacexr import datasets, rio
from geospacexr.errors import InvalidArgumentError
from geospacexr.io import instruments as table
from geospacexr.plot import rio as prio


@pytest.fixture(scope="module")
def norstar():
    return datasets.open_sample("norstar_rio-gill")


@pytest.fixture(scope="module")
def hsr():
    return datasets.open_sample("swan_hsr-mean")


def _x(line):
    """A line's x data as datetime64 (matplotlib may keep datetimes or date numbers)."""
    x = np.asarray(line.get_xdata())
    if np.issubdtype(x.dtype, np.datetime64):
        return x.astype("datetime64[ns]")
    return np.array(mdates.num2date(x), dtype="datetime64[ns]")


def test_line_plot_draws_the_downsampled_series_with_labels(norstar):
    ax = norstar.rio.plot.line(what="absorption", qdc_options={"days": 3}, window_s=300)
    (line,) = ax.lines
    expected = rio.downsample(rio.absorption(norstar, days=3), 300)
    np.testing.assert_allclose(line.get_ydata(), expected.values)
    np.testing.assert_array_equal(_x(line), expected.time.values)
    assert line.get_ydata().size == 3 * 86400 // 300
    assert ax.get_ylabel() == "absorption (dB)" and ax.get_xlabel() == "time (UT)"
    assert "Gillam (GILL)" in ax.get_title() and "300 s averages" in ax.get_title()
    raw = prio.plot_rio_line(norstar, window_s=0, start="2014-03-09", end="2014-03-09T01:00")
    assert raw.get_ylabel() == "raw signal (V)"
    assert raw.lines[0].get_ydata().size == 721  # every 5 s sample of one hour, both ends
    lo, hi = mdates.num2date(raw.get_xlim())
    # the axis spans exactly the samples drawn (no margins)
    assert (lo.day, lo.hour, lo.minute) == (9, 0, 0) and (hi.day, hi.hour, hi.minute) == (9, 1, 0)


def test_line_plot_default_window_from_config(norstar):
    with geospacexr.config.override({"rio.plot_window_s": 3600}):
        ax = norstar.rio.plot.line()
    assert ax.lines[0].get_ydata().size == 72 and "3600 s averages" in ax.get_title()


def test_line_plot_hsr_one_line_per_band(hsr):
    ax = hsr.rio.plot.line(frequency=[30, 51], window_s=600)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["30 MHz", "50 MHz"]
    assert ax.get_ylabel() == "raw power (dB)"
    np.testing.assert_allclose(
        ax.lines[1].get_ydata(), rio.downsample(hsr.raw_power.sel(frequency=50.0), 600).values
    )


def test_stack_plot_one_panel_per_band_and_per_site(norstar, hsr):
    fig = hsr.rio.plot.stack(window_s=900)
    assert len(fig.axes) == hsr.sizes["frequency"]
    tags = [ax.texts[0].get_text() for ax in fig.axes]
    assert tags == [f"MEAN {f:g} MHz" for f in hsr.frequency.values]
    assert all(ax.get_ylabel() == "raw power (dB)" for ax in fig.axes)
    assert fig.axes[-1].get_xlabel() == "time (UT)"
    colour = table.get_instrument("swan_hsr").colour
    assert all(to_rgba(ax.lines[0].get_color()) == to_rgba(colour) for ax in fig.axes)
    # panels share the time axis
    assert len({ax.get_xlim() for ax in fig.axes}) == 1

    both = prio.plot_rio_stack([norstar, hsr], what="signal", frequency=30, window_s=3600)
    assert [ax.texts[0].get_text() for ax in both.axes] == ["GILL 30 MHz", "MEAN 30 MHz"]
    assert [ax.get_ylabel() for ax in both.axes] == ["riometer signal (dB)"] * 2
    np.testing.assert_allclose(
        both.axes[0].lines[0].get_ydata(), rio.downsample(rio.signal_db(norstar), 3600).values
    )
    assert "riometer signal" in both._suptitle.get_text()


def test_stack_into_given_axes_beside_a_keogram(norstar):
    from matplotlib.figure import Figure

    fig = Figure()
    top, bottom = fig.subplots(2, 1)
    bottom.plot([0, 1], [0, 1])  # another panel (a keogram) shares the figure
    out = prio.plot_rio_stack(
        norstar,
        what="k2",
        window_s=60,
        start="2014-03-10T05:00",
        end="2014-03-10T07:00",
        axes=[top],
    )
    assert out is fig and len(top.lines) == 1 and top.get_title().startswith("riometer")
    assert fig._suptitle is None and top.get_xlabel() == "time (UT)"
    assert (
        top.lines[0].get_ydata().size == 121
    )  # 120 minutes, and the 07:00:00 sample (end included)
    with pytest.raises(InvalidArgumentError, match="1 panel"):
        prio.plot_rio_stack(norstar, axes=[top, bottom])


def test_stack_and_line_errors(norstar):
    with pytest.raises(InvalidArgumentError, match="at least one"):
        prio.plot_rio_stack([])
    with pytest.raises(InvalidArgumentError, match="no riometer sample"):
        norstar.rio.plot.line(start="2020-01-01")
    with pytest.raises(InvalidArgumentError, match="one of raw"):
        norstar.rio.plot.stack(what="power")


def _fovs(ax):
    return {p.get_gid(): p for p in ax.patches if str(p.get_gid()).startswith("fov:")}


def test_site_map_fields_of_view_coloured_by_availability(norstar, hsr):
    pytest.importorskip("cartopy")
    ax = norstar.rio.plot.site_map(show_coastlines=False)
    fovs = _fovs(ax)
    assert len(fovs) == len(table.instrument_sites("riometer"))
    gill = fovs["fov:norstar_riometer:gill:data"]
    colour = table.get_instrument("norstar_riometer").colour
    assert to_rgba(gill.get_facecolor())[:3] == to_rgba(colour)[:3]
    assert gill.get_alpha() == pytest.approx(0.75)  # the whole interval covered
    others = [p for g, p in fovs.items() if g.endswith(":none")]
    assert len(others) == len(fovs) - 1
    assert all(p.get_facecolor()[3] == 0 for p in others)  # outlines only
    assert all(to_rgba(p.get_edgecolor())[:3] == to_rgba(prio.NO_DATA_COLOUR)[:3] for p in others)
    assert "52 km radius" in ax.get_title() and "90 km" in ax.get_title()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["NORSTAR riometer: data", "SWAN HSR: data", "no data"]


def test_site_map_selection_partial_availability_and_extent(norstar, hsr):
    pytest.importorskip("cartopy")
    half = norstar.sel(time=slice("2014-03-08", "2014-03-09T12:00"))
    ax = prio.plot_rio_site_map(
        [half, hsr],
        sites=["gill", "mean", "chur"],
        start="2014-03-08",
        end="2014-03-10T23:59:55",
        show_coastlines=False,
    )
    fovs = _fovs(ax)
    assert set(fovs) == {
        "fov:norstar_riometer:gill:data",
        "fov:norstar_riometer:chur:none",
        "fov:swan_hsr:gill:none",
        "fov:swan_hsr:mean:none",  # its data (2024) lie outside the interval shown
    }
    assert fovs["fov:norstar_riometer:gill:data"].get_alpha() == pytest.approx(
        0.25 + 0.5 * 0.5, abs=0.01
    )
    # the default extent surrounds the drawn sites (Meanook to Churchill)
    import cartopy.crs as ccrs

    lon0, lon1, lat0, lat1 = ax.get_extent(crs=ccrs.PlateCarree())
    assert lon0 < -113.35 and lon1 > -94.08 and lat0 < 54.62 and lat1 > 58.76
    with pytest.raises(InvalidArgumentError, match="no riometer site"):
        prio.plot_rio_site_map(sites=["zzzz"])
    one = prio.plot_rio_site_map(hsr, instruments=["hsr"], show_coastlines=False)
    assert {g.split(":")[1] for g in _fovs(one)} == {"swan_hsr"}
    assert "fov:swan_hsr:mean:data" in _fovs(one)
