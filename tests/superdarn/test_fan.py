"""Fan plots: one scan on a cartopy map, geographic or AACGM-v2, ground scatter grey or hidden."""

from __future__ import annotations

import inspect
import subprocess
import sys

import numpy as np
import pytest

import geospacexr
from geospacexr._declare import _resolved_signature, parse_docstring
from geospacexr.errors import InvalidArgumentError
from geospacexr.superdarn import scans as sc

pytest.importorskip("matplotlib")
pytest.importorskip("cartopy")

from geospacexr.plot.superdarn_fan import FAN_OPTIONS, GROUND_SCATTER_GREY, plot_fan


@pytest.fixture(scope="module")
def han(superdarn_data):
    return geospacexr.open_superdarn(superdarn_data / "pydarn" / "test.fitacf.bz2")


def meshes(fig):
    from matplotlib.collections import QuadMesh

    return [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)]


def test_fan_of_velocity_with_grey_ground_scatter(han, tmp_path):
    fig = han.superdarn.plot.fan("v", index=1, channel=1, save=tmp_path / "fan.png")
    assert (tmp_path / "fan.png").stat().st_size > 10_000
    fan = sc.scan_fan(han, "v", index=1, channel=1)
    coloured, grey = meshes(fig)
    values = np.ma.filled(coloured.get_array(), np.nan).reshape(fan["value"].shape)
    ground = fan["gflg"].values == 1
    assert np.isnan(values[ground]).all()
    np.testing.assert_array_equal(values[~ground], fan["value"].values[~ground])
    lo, hi = coloured.get_clim()
    assert lo == -hi and coloured.get_cmap().name == "RdBu_r"  # velocity: centred on zero
    grey_cells = np.isfinite(np.ma.filled(grey.get_array(), np.nan).reshape(ground.shape))
    assert np.array_equal(grey_cells, ground & np.isfinite(fan["value"].values))
    ax = fig.axes[0]
    assert "Hankasalmi (HAN) scan 1" in ax.get_title() and "geographic" in ax.get_title()
    assert fig.axes[-1].get_ylabel() == "line-of-sight Doppler velocity (m/s)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["ground scatter"]
    assert ax.get_legend().legend_handles[0].get_facecolor()[:3] == pytest.approx(
        (float(GROUND_SCATTER_GREY),) * 3
    )
    assert any(t.get_text().strip() == "HAN" for t in ax.texts)


def test_fan_without_ground_scatter_in_magnetic_coordinates(han):
    pytest.importorskip("aacgmv2")
    fig = plot_fan(
        han, "p_l", index=1, coords="aacgm", ground_scatter="remove", vmin=0.0, vmax=30.0,
        show_coastlines=False,
    )  # fmt: skip
    assert len(meshes(fig)) == 1  # nothing grey
    mesh = meshes(fig)[0]
    assert mesh.get_clim() == (0.0, 30.0)
    assert "AACGM-v2" in fig.axes[0].get_title()
    assert fig.axes[-1].get_ylabel() == "lambda-fit power (dB)"
    fan = sc.scan_fan(han, "p_l", index=1, coords="aacgm", ground_scatter="remove")
    outline = fig.axes[0].lines[0]
    _, y = outline.get_data()
    assert np.nanmax(y) == pytest.approx(np.nanmax(fan["mlat_corner"].values))


def test_plot_fan_is_declared_from_scan_fan():
    params = list(inspect.signature(plot_fan).parameters.values())
    compute = list(_resolved_signature(sc.scan_fan).parameters.values())
    assert [p.name for p in params[: len(compute)]] == [p.name for p in compute]
    assert [p.name for p in params[len(compute) :]] == list(FAN_OPTIONS.names)
    assert all(p.kind is p.KEYWORD_ONLY for p in params[len(compute) :])
    doc = parse_docstring(plot_fan).args
    assert set(doc) == {p.name for p in params}
    from geospacexr.plot.options import DRAWING

    assert doc["cmap"] == DRAWING["cmap"].doc and "hemisphere" in doc["projection"]


def test_the_superdarn_namespace_re_exports_the_figure():
    from geospacexr import superdarn

    assert superdarn.plot_fan is plot_fan
    with pytest.raises(AttributeError):
        superdarn.plot_nothing  # noqa: B018


def test_bad_projection(han):
    with pytest.raises(InvalidArgumentError, match="projection"):
        plot_fan(han, "v", projection="lambert")


def test_headless_without_pyplot(superdarn_data, tmp_path):
    code = (
        "import sys, geospacexr\n"
        f"ds = geospacexr.open_superdarn({str(superdarn_data / 'darn-dmap' / 'test.fitacf')!r})\n"
        f"ds.superdarn.plot.fan('w_l', save={str(tmp_path / 'w.png')!r}, show_coastlines=False)\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, env=env
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok" and (tmp_path / "w.png").is_file()


def test_the_accessor_refuses_other_datasets():
    import xarray as xr

    from geospacexr.errors import MissingVariableError, WrongKindError

    with pytest.raises(WrongKindError, match=r"ds\.superdarn\.plot\.fan needs a SuperDARN"):
        xr.Dataset(attrs={"geospacexr_kind": "asi"}).superdarn.plot.fan()
    with pytest.raises(MissingVariableError, match=r"ds\.superdarn\.plot\.fan needs.*bmnum"):
        xr.Dataset(attrs={"geospacexr_kind": "superdarn"}).superdarn.plot.fan()
