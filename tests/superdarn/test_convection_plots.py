"""Convection-map and grid-vector figures (geospacexr.plot.superdarn_maps) on the real files.

What is drawn is checked against the pure functions: the contoured potential's extremes, each
arrow's direction from its azimuth and MLT (an independent formula of the polar frame), the
colours, the boundary, the annotation and the labels.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import geospacexr
from geospacexr._declare import parse_docstring
from geospacexr.errors import IncompatibleInputError, InvalidArgumentError
from geospacexr.plot import superdarn_maps as sm
from geospacexr.superdarn import convection as cv


@pytest.fixture(scope="module")
def test_map(superdarn_data):
    path = superdarn_data / "pydarn" / "test.north.mp"
    if not path.is_file():
        pytest.skip(f"{path} absent")
    return geospacexr.open_superdarn(path)


@pytest.fixture(scope="module")
def test_grid(superdarn_data):
    path = superdarn_data / "pydarn" / "test.grd"
    if not path.is_file():
        pytest.skip(f"{path} absent")
    return geospacexr.open_superdarn(path)


def quivers(ax):
    return [c for c in ax.collections if type(c).__name__ == "Quiver"]


def plane_direction(mlt_h, azimuth_deg):
    """Unit arrow in the map plane (noon up, dawn right, north = towards the centre)."""
    a = np.radians(np.asarray(mlt_h) * 15.0)
    towards_pole = np.stack([-np.sin(a), np.cos(a)])
    east = np.stack([np.cos(a), np.sin(a)])
    az = np.radians(azimuth_deg)
    return np.cos(az) * towards_pole + np.sin(az) * east


def test_convection_map_draws_the_fit(test_map, tmp_path):
    fig = sm.plot_convection_map(test_map, save=tmp_path / "map.png")
    assert (tmp_path / "map.png").read_bytes().startswith(b"\x89PNG")
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]
    assert type(fig).__name__ == "Figure"
    ax = fig.axes[0]
    bundle = cv.convection_map(test_map)
    # potential contours in kV, every 2 kV for a 19.5 kV map, no zero contour
    contour = next(c for c in ax.collections if type(c).__name__ in ("QuadContourSet",))
    levels = np.asarray(contour.levels)
    np.testing.assert_allclose(np.mod(levels, 2.0), 0.0)
    np.testing.assert_allclose(np.diff(levels), np.where(np.diff(np.sign(levels)), 4.0, 2.0))
    assert 0.0 not in levels
    pot = bundle["potential"]
    assert levels.min() <= float(pot.min()) + 2 and levels.max() >= float(pot.max()) - 2
    # the maximum (+) and minimum (x) sit where the grid's extremes are
    markers = {line.get_marker(): line for line in ax.lines if line.get_marker() in ("+", "x")}
    for marker, func in (("+", np.argmax), ("x", np.argmin)):
        i, j = np.unravel_index(func(pot.values), pot.shape)
        r = 90 - pot["mlat"].values[i]
        a = np.radians(pot["mlt"].values[j] * 15)
        np.testing.assert_allclose(
            [markers[marker].get_xdata()[0], markers[marker].get_ydata()[0]],
            [r * np.sin(a), -r * np.cos(a)],
            atol=1e-9,
        )
    # the Heppner-Maynard boundary
    hmb = next(line for line in ax.lines if line.get_label() == "Heppner-Maynard boundary")
    radius = np.hypot(hmb.get_xdata(), hmb.get_ydata())
    np.testing.assert_allclose(
        np.sort(radius[:-1]), np.sort(90 - np.abs(bundle["boundary_mlat"].values)), atol=1e-9
    )
    # fitted vectors coloured by speed, grey equatorward of the boundary
    coloured = quivers(ax)[-1]
    inside = bundle["fitted_inside_boundary"].values.astype(bool)
    np.testing.assert_allclose(coloured.get_array(), bundle["fitted_speed"].values[inside])
    uv = np.stack([coloured.U, coloured.V])
    expected = plane_direction(
        bundle["vector_mlt"].values[inside], bundle["fitted_azimuth"].values[inside]
    )
    np.testing.assert_allclose(uv / np.hypot(*uv), expected, atol=1e-9)
    np.testing.assert_allclose(np.hypot(*uv), bundle["fitted_speed"].values[inside], rtol=1e-9)
    # annotations and labels with units
    texts = " ".join(t.get_text() for t in ax.texts)
    assert f"{bundle.attrs['cpcp']:.1f} kV" in texts
    assert f"file: {bundle.attrs['pot_drop']:.1f} kV" in texts
    assert "TS18" in texts and "order 6" in texts and "MLT (h)" in texts
    for hour in ("00", "06", "12", "18"):
        assert hour in [t.get_text() for t in ax.texts]
    noon = next(t for t in ax.texts if t.get_text() == "12")
    assert noon.get_position()[1] > 0 and abs(noon.get_position()[0]) < 1e-9  # noon up
    dawn = next(t for t in ax.texts if t.get_text() == "06")
    assert dawn.get_position()[0] > 0  # dawn right
    assert "2022-10-07 21:02" in ax.get_title()
    assert fig.axes[1].get_ylabel() == "Fitted velocity (m/s)"


def test_convection_map_options(test_map):
    los = sm.plot_convection_map(test_map, vectors="los", contour_spacing=5.0, vmax=500.0)
    ax = los.axes[0]
    arrows = quivers(ax)[-1]
    bundle = cv.convection_map(test_map)
    np.testing.assert_allclose(arrows.get_array(), np.abs(bundle["los_velocity"].values))
    assert arrows.get_clim() == (0.0, 500.0)
    contour = next(c for c in ax.collections if type(c).__name__ == "QuadContourSet")
    np.testing.assert_allclose(np.mod(contour.levels, 5.0), 0.0)
    bare = sm.plot_convection_map(test_map, vectors="none", show_boundary=False)
    assert not quivers(bare.axes[0])
    assert not [line for line in bare.axes[0].lines if line.get_label().startswith("Heppner")]
    from matplotlib.figure import Figure

    fig = Figure()
    target = fig.add_subplot()
    assert sm.plot_convection_map(test_map, ax=target, title="mine") is fig
    assert target.get_title() == "mine"
    with pytest.raises(InvalidArgumentError, match="vectors"):
        sm.plot_convection_map(test_map, vectors="model")
    with pytest.raises(InvalidArgumentError, match="vector_scale"):
        sm.plot_convection_map(test_map, vector_scale=0)
    with pytest.raises(TypeError):
        sm.plot_convection_map(test_map, colour="red")


def test_figure_signatures_are_declared_once():
    import inspect

    for func, compute in (
        (sm.plot_convection_map, cv.convection_map),
        (sm.plot_grid_vectors, cv.line_of_sight),
    ):
        params = inspect.signature(func).parameters
        computed = list(inspect.signature(compute).parameters)
        assert list(params)[: len(computed)] == computed
        doc = parse_docstring(func)
        assert set(doc.args) == set(params)
        assert all(doc.args.values())
    assert inspect.signature(sm.plot_grid_vectors).parameters["time"].default == 0


def test_grid_vectors(test_grid, tmp_path):
    fig = sm.plot_grid_vectors(test_grid, time=3, save=tmp_path / "grid.png")
    assert (tmp_path / "grid.png").stat().st_size > 1000
    ax = fig.axes[0]
    los = cv.line_of_sight(test_grid, 3)
    arrows = quivers(ax)[-1]
    assert arrows.N == los.sizes["vector"]
    np.testing.assert_allclose(arrows.get_array(), los["speed"].values)
    uv = np.stack([arrows.U, arrows.V])
    expected = plane_direction(los["mlt"].values, los["azimuth"].values)
    np.testing.assert_allclose(uv / np.hypot(*uv), expected, atol=1e-6)
    assert "2021-02-05 12:07" in ax.get_title() and "grid" in ax.get_title()
    assert fig.axes[1].get_ylabel() == "Line-of-sight speed (m/s)"
    power = sm.plot_grid_vectors(test_grid, colour_by="power")
    np.testing.assert_allclose(
        quivers(power.axes[0])[-1].get_array(), cv.line_of_sight(test_grid, 0)["power"].values
    )
    assert power.axes[1].get_ylabel() == "Power (dB)"
    with pytest.raises(InvalidArgumentError, match="colour_by"):
        sm.plot_grid_vectors(test_grid, colour_by="elevation")
    with pytest.raises(InvalidArgumentError, match="one record"):
        sm.plot_grid_vectors(test_grid, time=[0, 1])


def test_grid_vectors_without_aacgm_are_drawn_in_magnetic_longitude(test_grid, monkeypatch):
    monkeypatch.setitem(sys.modules, "aacgmv2", None)  # import aacgmv2 now fails
    fig = sm.plot_grid_vectors(test_grid, time=1)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("MLT unknown" in t for t in texts)
    assert "90°" in texts  # spokes labelled in magnetic longitude


def test_grid_vectors_of_a_map_file_and_a_grid_file_refused_for_a_map(test_map, test_grid):
    fig = sm.plot_grid_vectors(test_map)
    assert quivers(fig.axes[0])[-1].N == test_map.sizes["vector"]
    with pytest.raises(IncompatibleInputError):
        sm.plot_convection_map(test_grid)


def test_a_record_without_a_fit_is_drawn_and_says_so(test_map):
    broken = test_map.copy()
    broken["N+2"] = broken["N+2"] * np.nan
    fig = sm.plot_convection_map(broken)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "no fit in this record" in texts and "contours" not in texts
