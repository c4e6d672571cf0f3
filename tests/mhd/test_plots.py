"""The MHD figures (geospacexr.plot.mhd): what is drawn is what the pure functions compute."""

from __future__ import annotations

import numpy as np
import pytest

import geospacexr
from geospacexr import mhd
from geospacexr.errors import InvalidArgumentError
from geospacexr.plot.mhd import plot_msphpic, plot_remix

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def run():
    return geospacexr.datasets.open_sample("mage-msphere").load()


@pytest.fixture(scope="module")
def remix():
    return geospacexr.datasets.open_sample("mage-remix").load()


def _meshes(ax):
    from matplotlib.collections import QuadMesh

    return [c for c in ax.collections if isinstance(c, QuadMesh)]


def _colorbar_labels(fig):
    return [ax.get_ylabel() for ax in fig.axes if ax.get_label() == "<colorbar>"]


def test_msphpic_draws_the_panels_with_units(run, tmp_path):
    planes = mhd.msphpic(run, step=2)
    fig = plot_msphpic(run, step=2, save=tmp_path / "m.png")
    assert (tmp_path / "m.png").stat().st_size > 10_000
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(axes) == 4
    drawn = [np.asarray(_meshes(ax)[0].get_array()).reshape(32, 32) for ax in axes]
    np.testing.assert_allclose(drawn[0], planes.dBz_eq.values)
    np.testing.assert_allclose(drawn[1], planes.P_mer.values)
    np.testing.assert_allclose(drawn[3], planes.V_eq.values)
    np.testing.assert_allclose(drawn[2], np.where(planes.D_eq > 0, planes.D_eq, np.nan))
    labels = _colorbar_labels(fig)
    assert any("Residual" in s and "[nT]" in s for s in labels)
    assert any("Pressure [nPa]" in s for s in labels)
    assert any("km/s" in s for s in labels)
    assert axes[0].get_xlim() == (-40.0, 20.0) and axes[0].get_ylim() == (-30.0, 30.0)
    assert axes[1].get_ylabel() == "SM-Z [R$_E$]"
    assert "Step#2" in fig._suptitle.get_text()
    # the Bz = 0 line: one contour set on the residual panel
    assert any(
        type(c).__name__ == "QuadContourSet"
        for c in [*axes[0].collections, *axes[0].get_children()]
    )


def test_msphpic_options(run):
    planes = mhd.msphpic(run)
    fig = plot_msphpic(run, bz=True, density=True, size="small")
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    np.testing.assert_allclose(_meshes(axes[0])[0].get_array().reshape(32, 32), planes.Bz_eq)
    np.testing.assert_allclose(_meshes(axes[1])[0].get_array().reshape(32, 32), planes.D_mer)
    assert axes[0].get_xlim() == (-10.0, 5.0)
    fig = plot_msphpic(run, current=True, extent=(-20.0, 10.0, -8.0, 8.0), title="t")
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    np.testing.assert_allclose(_meshes(axes[1])[0].get_array().reshape(32, 32), planes.Jy_mer)
    assert axes[1].get_ylim() == (-8.0, 8.0) and fig._suptitle.get_text() == "t"
    with pytest.raises(InvalidArgumentError, match="size"):
        plot_msphpic(run, size="huge")
    with pytest.raises(TypeError, match="colour"):
        plot_msphpic(run, colour="red")


def test_accessor_figures(run, remix):
    fig = run.mhd.plot.msphpic(step=0)
    assert "Step#0" in fig._suptitle.get_text()
    fig = remix.ionosphere.plot.polar(step=1)
    assert len([ax for ax in fig.axes if ax.get_label() != "<colorbar>"]) == 4


def test_remix_draws_both_hemispheres_noon_up(remix):
    one = mhd.ionosphere_step(remix, step=3)
    fig = plot_remix(remix, step=3)
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(axes) == 4
    shape = one.potential.sel(hemisphere="north").shape
    order = [("north", "potential"), ("north", "fac"), ("south", "potential"), ("south", "fac")]
    for ax, (hemi, name) in zip(axes, order, strict=True):
        mesh = _meshes(ax)[0]
        np.testing.assert_allclose(mesh.get_array().reshape(shape), one[name].sel(hemisphere=hemi))
        assert hemi in ax.get_title().lower()
        coords = mesh.get_coordinates()  # (colat corner, mlt corner, 2)
        mlt = one.mlt_corner.values
        noon, dawn = np.argmin(np.abs(mlt - 12.0)), np.argmin(np.abs(mlt - 6.0))
        edge = coords[-1]
        assert edge[noon, 1] > 0 and abs(edge[noon, 0]) < 0.05 * edge[noon, 1]  # noon up
        assert edge[dawn, 0] > 0 and abs(edge[dawn, 1]) < 0.05 * edge[dawn, 0]  # dawn right
    # region 1 upward on dusk in the sample: the FAC map is positive on the dusk side
    fac = one.fac.sel(hemisphere="north")
    assert float(fac.sel(mlt=slice(17, 19)).max()) > 0.5
    assert "CPCP" in axes[0].get_title()
    labels = _colorbar_labels(fig)
    assert any("Potential [kV]" in s for s in labels) and any("FAC" in s for s in labels)
    with pytest.raises(InvalidArgumentError, match="contour_step"):
        plot_remix(remix, contour_step=0.0)


def test_remix_other_fields(remix):
    one = mhd.ionosphere_step(remix, step=1)
    fig = plot_remix(remix, step=1, fields=("sigma_p", "energy_flux", "fac"))
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(axes) == 6
    shape = one.fac.sel(hemisphere="south").shape
    drawn = _meshes(axes[4])[0]
    np.testing.assert_allclose(
        drawn.get_array().reshape(shape), one.energy_flux.sel(hemisphere="south")
    )
    assert drawn.norm.vmin == 0.0 and drawn.norm.vmax == pytest.approx(float(one.energy_flux.max()))
    assert any(one.sigma_p.attrs["units"] in s for s in _colorbar_labels(fig))
    fig = plot_remix(remix, fields="sigma_h")
    assert len([ax for ax in fig.axes if ax.get_label() != "<colorbar>"]) == 2
    with pytest.raises(InvalidArgumentError, match="fields.*sigma_p.*cpcp"):
        plot_remix(remix, fields=("cpcp",))


def test_msphpic_on_an_lfm_run():
    from geospacexr.errors import MissingVariableError

    lfm = geospacexr.datasets.open_sample("lfm-hdf")
    planes = mhd.msphpic(lfm)
    fig = lfm.mhd.plot.msphpic()
    ax = next(a for a in fig.axes if a.get_label() != "<colorbar>")
    np.testing.assert_allclose(
        _meshes(ax)[0].get_array().reshape(planes.dBz_eq.shape), planes.dBz_eq
    )
    with pytest.raises(MissingVariableError, match="Jy"):
        plot_msphpic(lfm, current=True)
