"""Image comparisons of every static figure kind, and geometric checks of their layout.

Each figure is compared with a baseline PNG under ``tests/plot/baseline/`` (made once with
``GEOSPACEXR_UPDATE_BASELINES=1 python -m pytest tests/plot/test_figure_images.py``, then
looked at and committed). The text is hidden before the figure is laid out and drawn, so
that the pixels do not depend on the FreeType or font build of the machine; the text itself is
checked separately, as strings and as positions (tick labels, titles, colour bars), by the
geometric tests below, which would have caught the layout bugs of issue 18 (a clamped "0" km
tick at the ~97 km edge of the height axis, an empty band above the top level, a wide gap
before the colour bar, polar maps off-centre).
"""

from __future__ import annotations

import io
import itertools
import os
from pathlib import Path

import numpy as np
import pytest

mpl = pytest.importorskip("matplotlib")
pytest.importorskip("cartopy")

from matplotlib.testing.compare import compare_images  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from geospacexr import asi, datasets, gcm  # noqa: E402
from geospacexr.plot import gcm as pg  # noqa: E402
from geospacexr.plot import plot_image, plot_keogram  # noqa: E402

BASELINE = Path(__file__).parent / "baseline"
UPDATE = os.environ.get("GEOSPACEXR_UPDATE_BASELINES") == "1"
DPI = 50
TOLERANCE = 4.0  # RMS of 0-255 pixel values; a map off-centre or a missing colour bar is > 20
T = "2003-03-21T01:00"
SITES = ("gill", "rank", "tpas")


@pytest.fixture(scope="module")
def tiegcm():
    return datasets.open_sample("tiegcm-5deg")


@pytest.fixture(scope="module")
def waccmx():
    return datasets.open_sample("waccmx")


@pytest.fixture(scope="module")
def themis():
    return datasets.open_sample("themis-gill")


def _pixels(fig) -> bytes:
    """The figure drawn and laid out without its text (a PNG): independent of the fonts."""
    for text in fig.findobj(Text):
        text.set_visible(False)
    for key in fig.findobj(lambda a: type(a).__name__ == "QuiverKey"):
        key.text.set_visible(False)
    for ax in fig.axes:  # cartopy's gridline labels are made anew at each draw
        for gridliner in [c for c in ax.get_children() if type(c).__name__ == "Gridliner"]:
            gridliner.top_labels = gridliner.bottom_labels = False
            gridliner.left_labels = gridliner.right_labels = False
            gridliner.x_inline = gridliner.y_inline = False
    buffer = io.BytesIO()
    with mpl.rc_context({"path.simplify": False}):
        fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def check_image(fig, name: str, tmp_path: Path) -> None:
    """Compare ``fig`` (text hidden) with ``baseline/<name>.png``."""
    png = _pixels(fig)
    baseline = BASELINE / f"{name}.png"
    if UPDATE:
        BASELINE.mkdir(exist_ok=True)
        baseline.write_bytes(png)
        return
    assert baseline.exists(), f"no baseline {baseline.name}: set GEOSPACEXR_UPDATE_BASELINES=1"
    actual = tmp_path / f"{name}.png"
    actual.write_bytes(png)
    diff = compare_images(str(baseline), str(actual), tol=TOLERANCE, in_decorator=True)
    assert diff is None, f"{name}: differs from its baseline: {diff}"


def _colour_bars(fig):
    return [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]


def _bbox(artist, fig):
    return artist.get_window_extent(fig._get_renderer())


# ---------------------------------------------------------------------------------------------
# GCM figures


def test_lat_lon_map_cylindrical(tiegcm, tmp_path):
    fig = pg.plot_lat_lon(tiegcm, "TN", time=T, height=300.0, wind=True)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    # labelled longitude and latitude ticks
    xlabels = [t.get_text() for t in ax.get_xticklabels()]
    ylabels = [t.get_text() for t in ax.get_yticklabels()]
    assert {"60°W", "0°", "60°E"} <= set(xlabels) and {"30°N", "30°S"} <= set(ylabels)
    # every tick label inside the figure (none cut at the edges)
    width, height = fig.bbox.width, fig.bbox.height
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        box = _bbox(label, fig)
        assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height
    # a wind reference arrow labelled with its speed, a legend entry for the terminator
    keys = [c for c in ax.get_children() if type(c).__name__ == "QuiverKey"]
    assert len(keys) == 1 and keys[0].text.get_text().endswith("m/s")
    assert float(keys[0].text.get_text().split()[0]) > 0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["terminator"]
    # title in sentence case: long name, name and units, height, time
    assert ax.get_title() == "Neutral temperature (TN, K)\n300 km, 2003-03-21 01:00 UT"
    assert 0 < _bbox(ax.title, fig).y0 and _bbox(ax.title, fig).y1 <= height
    assert len(_colour_bars(fig)) == 1
    check_image(fig, "gcm_lat_lon", tmp_path)


@pytest.mark.parametrize("projection", ["north_polar", "south_polar"])
def test_lat_lon_map_polar_is_centred(tiegcm, projection, tmp_path):
    fig = pg.plot_lat_lon(tiegcm, "TN", time=T, height=300.0, projection=projection)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    box = ax.get_position()  # figure fraction
    bar = _colour_bars(fig)[0].get_position()
    # the map fills the figure's height and sits centred in the space left of its colour bar:
    # no wide blank band on the left (the CLI's polar maps sat at the right of a 9-inch figure)
    assert box.height > 0.8
    assert box.x0 < 0.05
    assert bar.x0 - box.x1 < 0.12
    assert abs((box.x0 + box.x1) / 2 - 0.5) < 0.15
    aspect = (box.width * fig.get_figwidth()) / (box.height * fig.get_figheight())
    assert aspect == pytest.approx(1.0, abs=0.02)
    texts = [t.get_text() for t in ax.texts]
    assert ("60°N" if projection == "north_polar" else "60°S") in texts and "90°E" in texts
    if projection == "north_polar":
        check_image(fig, "gcm_north_polar", tmp_path)


def _height_axis(fig):
    ax = fig.axes[0]
    secondary = [c for c in ax.child_axes if type(c).__name__ == "SecondaryAxis"]
    assert len(secondary) == 1
    return ax, secondary[0]


def test_lev_lat_height_axis_gap_and_top(tiegcm, tmp_path):
    fig = pg.plot_lev_lat(tiegcm, "TN", time=T)
    fig.draw_without_rendering()
    ax, right = _height_axis(fig)
    mean_z = gcm.column_heights(tiegcm, "lev").sel(time=T).mean(["lat", "lon"]).values
    z_min, z_max = np.nanmin(mean_z), np.nanmax(mean_z)
    assert 90 < z_min < 100  # the bottom edge is ~97 km, not 0
    # every labelled height lies inside the levels' heights: no clamped "0" at the bottom edge
    bottom, top = ax.get_ylim()
    labels = [t for t in right.yaxis.get_ticklabels() if t.get_text()]
    values = [float(t.get_text().replace("−", "-")) for t in labels]
    assert values and "0" not in [t.get_text() for t in labels]
    assert all(z_min - 1e-6 <= v <= z_max + 1e-6 for v in values)
    ticks = right.yaxis.get_ticklocs()
    assert all(bottom <= right._functions[1](t) <= top for t in ticks)
    # tick labels do not overlap
    boxes = sorted((_bbox(t, fig) for t in labels), key=lambda b: b.y0)
    assert all(a.y1 <= b.y0 for a, b in itertools.pairwise(boxes))
    # no empty band above the top level: the y range ends at the top cell holding data
    da = gcm.lev_lat(tiegcm, "TN", time=T)
    finite = da.lev.values[np.isfinite(da.values).any(axis=1)]
    step = float(np.diff(da.lev.values)[0])
    assert top == pytest.approx(finite.max() + step / 2)
    assert bottom == pytest.approx(finite.min() - step / 2)
    # the colour bar right after the height axis's label (was a gap of ~0.1 of the width)
    bar = _colour_bars(fig)
    assert len(bar) == 1
    label_right = _bbox(right.yaxis.label, fig).x1
    gap = (_bbox(bar[0], fig).x0 - label_right) / fig.bbox.width
    assert 0 <= gap < 0.03
    assert ax.get_title().startswith("Neutral temperature (TN, K)")
    check_image(fig, "gcm_lev_lat", tmp_path)


def test_lev_lon_signed_wind_is_diverging(tiegcm, tmp_path):
    fig = pg.plot_lev_lon(tiegcm, "UN", time=T, lat=40.0)
    mesh = fig.axes[0].collections[0]
    assert mesh.get_cmap().name == "RdBu_r"
    lo, hi = mesh.get_clim()
    assert lo == pytest.approx(-hi) and hi > 0
    assert len(_colour_bars(fig)) == 1
    check_image(fig, "gcm_lev_lon", tmp_path)


def test_signed_fields_by_long_name_and_explicit_choices(tiegcm):
    """A wind known only by its long name is diverging; an explicit cmap or vmin wins."""
    renamed = tiegcm.rename({"UN": "ZONAL"})
    fig = pg.plot_lev_lat(renamed, "ZONAL", time=T)
    assert fig.axes[0].collections[0].get_cmap().name == "RdBu_r"
    fig = pg.plot_lev_lat(tiegcm, "UN", time=T, cmap="coolwarm", vmax=50.0)
    mesh = fig.axes[0].collections[0]
    assert mesh.get_cmap().name == "coolwarm" and mesh.get_clim() == (-50.0, 50.0)
    fig = pg.plot_lev_lat(tiegcm, "TN", time=T)  # positive: sequential, min to max
    assert fig.axes[0].collections[0].get_cmap().name == "viridis"


def test_time_series(tiegcm, tmp_path):
    fig = pg.plot_var_time(tiegcm, "TN", lat=0.0, lon=0.0, height=250.0)
    ax = fig.axes[0]
    assert ax.get_title().startswith("Neutral temperature (TN, K)\n0°N 0°E")
    assert ax.get_ylabel() == "TN [K]"
    check_image(fig, "gcm_var_time", tmp_path)


def test_emission_profile(tiegcm, tmp_path):
    """OI 630.0 nm against level and latitude: a colour bar, no empty band at the top."""
    fig = pg.plot_lev_lat(tiegcm, "OI6300", time=T)
    fig.draw_without_rendering()
    ax = fig.axes[0]
    bars = _colour_bars(fig)
    assert len(bars) == 1 and bars[0].get_ylabel() == "OI6300 [photons cm-3 s-1]"
    assert ax.get_title().startswith("OI 630.0 nm red line volume emission rate (OI6300, ")
    da = gcm.lev_lat(tiegcm, "OI6300", time=T)
    finite = da.lev.values[np.isfinite(da.values).any(axis=1)]
    assert ax.get_ylim()[1] == pytest.approx(finite.max() + 0.25)
    check_image(fig, "gcm_emission_lev_lat", tmp_path)


def test_waccmx_level_axis(waccmx, tmp_path):
    """WACCM-X: pressure levels on a log axis, pressure decreasing upwards, no empty band."""
    fig = pg.plot_lev_lat(waccmx, "TN", time=waccmx.time.values[0])
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    bottom, top = ax.get_ylim()
    assert bottom > top  # inverted: high pressure at the bottom
    lev = waccmx.lev.values
    assert top == pytest.approx(lev[0] - (lev[1] - lev[0]) / 2)
    assert len(_colour_bars(fig)) == 1


# ---------------------------------------------------------------------------------------------
# ASI figures


def test_keogram(themis, tmp_path):
    keo = themis.asi.keogram()
    ax = plot_keogram(keo)
    assert ax.images or ax.collections
    check_image(ax.figure, "asi_keogram", tmp_path)


def test_frame_with_skymap_contours(themis, tmp_path):
    skymap = datasets.open_sample("themis-gill-skymap")
    ax = plot_image(themis, skymap=skymap, contours="elevation")
    assert ax.images
    check_image(ax.figure, "asi_frame_elevation", tmp_path)


def test_mosaic_map(tmp_path):
    skymaps = [datasets.open_sample(f"themis-{s}-skymap") for s in SITES]
    images = [datasets.open_sample(f"themis-{s}") for s in SITES]
    mosaic = asi.mosaic(images, skymaps, time=images[0].time.values[:1])
    ax = mosaic.asi.plot.map(fields_of_view=skymaps)
    check_image(ax.figure, "asi_mosaic_map", tmp_path)


# ---------------------------------------------------------------------------------------------
# Riometer figures


def test_riometer_stack_layout(tmp_path):
    from geospacexr.plot.rio import plot_rio_stack

    hsr = datasets.open_sample("swan_hsr-mean")
    fig = plot_rio_stack(hsr, frequency=[20, 35, 55], window_s=600)
    fig.draw_without_rendering()
    width, height = fig.bbox.width, fig.bbox.height
    boxes = [_bbox(ax, fig) for ax in fig.axes]
    # three panels top to bottom, not overlapping, all as wide as each other
    assert all(a.y0 >= b.y1 for a, b in itertools.pairwise(boxes))
    assert len({round(b.width) for b in boxes}) == 1
    # every panel's tag inside its panel, every tick label and axis label inside the figure
    for ax, box in zip(fig.axes, boxes, strict=True):
        tag = _bbox(ax.texts[0], fig)
        assert box.x0 <= tag.x0 and tag.x1 <= box.x1 and box.y0 <= tag.y0 and tag.y1 <= box.y1
        for label in [*ax.get_yticklabels(), ax.yaxis.label]:
            b = _bbox(label, fig)
            assert b.x0 >= 0 and b.y0 >= 0 and b.y1 <= height
    bottom = fig.axes[-1]
    labels = [t for t in bottom.get_xticklabels() if t.get_text()]
    assert labels and all(0 <= _bbox(t, fig).x0 and _bbox(t, fig).x1 <= width for t in labels)
    # only the bottom panel carries time labels (shared axis)
    assert not any(t.get_text() for ax in fig.axes[:-1] for t in ax.get_xticklabels())
    check_image(fig, "rio_stack", tmp_path)


def test_riometer_site_map(tmp_path):
    from geospacexr.plot.rio import plot_rio_site_map

    norstar = datasets.open_sample("norstar_rio-gill")
    ax = plot_rio_site_map(norstar, extent=(-125, -85, 48, 66))
    fig = ax.figure
    fig.draw_without_rendering()
    # the site labels that are drawn lie inside the map
    box = _bbox(ax, fig)
    shown = [t for t in ax.texts if t.get_visible() and _bbox(t, fig).width > 0]
    inside = [t for t in shown if box.x0 <= _bbox(t, fig).x0 and _bbox(t, fig).x1 <= box.x1]
    assert {"GILL", "CHUR", "MEAN"} <= {t.get_text() for t in inside}
    check_image(fig, "rio_site_map", tmp_path)


def test_image_comparison_can_fail(tiegcm, tmp_path):
    """The comparison sees small changes: the same map without its terminator line differs."""
    if UPDATE:
        pytest.skip("baselines being written")
    fig = pg.plot_lat_lon(tiegcm, "TN", time=T, height=300.0, wind=True, show_terminator=False)
    with pytest.raises(AssertionError, match="differs from its baseline"):
        check_image(fig, "gcm_lat_lon", tmp_path)
