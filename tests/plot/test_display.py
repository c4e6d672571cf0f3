"""Figures made without pyplot show in Jupyter: a cell ending in an Axes or a Figure shows it.

The plotting functions return Figures or Axes of figures made without pyplot (no global state,
safe in threads and servers). Jupyter's inline backend shows only pyplot's figures and IPython
has no rich display for an Axes, so ``images.asi.plot.keogram()`` at the end of a cell used to
show ``<Axes: ...>`` and no figure, in Jupyter and in the executed documentation.
"""

from __future__ import annotations

import base64
import sys
import textwrap
import types

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("IPython")

from IPython.core.formatters import DisplayFormatter
from IPython.core.pylabtools import select_figure_formats

from geospacexr.plot import display
from geospacexr.plot.common import new_axes, new_figure

PNG = b"\x89PNG\r\n\x1a\n"


def _png(data: str | bytes) -> bytes:
    return base64.b64decode(data) if isinstance(data, str) else data


@pytest.fixture
def formatter():
    f = DisplayFormatter()
    display.register(f)
    return f


def _drawn_axes():
    ax = new_axes()
    ax.plot([0, 1, 2], [2, 0, 1])
    return ax


def test_an_axes_of_a_pyplot_free_figure_shows_as_its_figure(formatter):
    ax = _drawn_axes()
    data, _ = formatter.format(ax)
    assert _png(data["image/png"]).startswith(PNG)
    assert data["text/plain"].startswith("<Axes")  # the text stays the Axes' own


def test_a_pyplot_free_figure_shows_without_the_inline_backend(formatter):
    fig = new_figure()
    fig.add_subplot().plot([0, 1])
    data, _ = formatter.format(fig)
    assert _png(data["image/png"]).startswith(PNG)


def test_a_geoaxes_shows_too(formatter):
    ccrs = pytest.importorskip("cartopy.crs")
    ax = new_figure().add_subplot(projection=ccrs.PlateCarree())
    ax.set_extent((-120, -80, 45, 70))
    data, _ = formatter.format(ax)
    assert _png(data["image/png"]).startswith(PNG)


def test_pyplot_figures_are_left_to_pyplot(formatter):
    """The inline backend shows pyplot's figures at the end of the cell: never twice."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        ax.plot([0, 1])
        assert "image/png" not in formatter.format(ax)[0]
        assert "image/png" not in formatter.format(fig)[0]
    finally:
        plt.close(fig)


def test_axes_follow_the_sessions_figure_formats(formatter):
    """``%config InlineBackend.figure_formats = ["svg"]`` gives SVG Axes as it gives SVG Figures."""
    ax = _drawn_axes()
    select_figure_formats(types.SimpleNamespace(display_formatter=formatter), {"svg"})
    data, _ = formatter.format(ax)
    assert "image/png" not in data
    assert "<svg" in data["image/svg+xml"]
    select_figure_formats(types.SimpleNamespace(display_formatter=formatter), {"retina"})
    data, md = formatter.format(ax)
    png = _png(data["image/png"])
    assert png.startswith(PNG)
    assert int.from_bytes(png[16:20], "big") // 2 == md["image/png"]["width"]  # twice the pixels


def test_the_plotting_functions_register_in_an_ipython_session(monkeypatch):
    """A plot function run in IPython sets up the display; outside IPython it does nothing."""
    from geospacexr.plot import plot_keogram

    shell = types.SimpleNamespace(display_formatter=DisplayFormatter())
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: None
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert display.enable() is False

    fake.get_ipython = lambda: shell
    keogram = np.arange(12.0).reshape(3, 4)
    import xarray as xr

    da = xr.DataArray(
        keogram,
        dims=("y", "time"),
        coords={"y": [0, 1, 2], "time": np.arange(4).astype("M8[m]").astype("M8[ns]")},
        name="keogram",
    )
    ax = plot_keogram(da)
    data, _ = shell.display_formatter.format(ax)
    assert _png(data["image/png"]).startswith(PNG)


def test_nothing_is_kept(formatter):
    """Showing a figure keeps no reference to it (servers and movies make many)."""
    import gc
    import weakref

    ax = _drawn_axes()
    formatter.format(ax)
    ref = weakref.ref(ax.figure)
    del ax
    gc.collect()
    assert ref() is None


def test_every_figure_of_the_plotting_modules_comes_from_new_figure():
    """``Figure(...)`` made elsewhere in plot/ would not show in Jupyter."""
    import re
    from pathlib import Path

    import geospacexr.plot as plot

    made = []
    for path in Path(plot.__file__).parent.glob("*.py"):
        if path.name == "common.py":
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"(?<![\w.])Figure\(", line) and not line.lstrip().startswith("#"):
                made.append(f"{path.name}:{n}: {line.strip()}")
    assert not made, made


NOTEBOOK = [
    # no %matplotlib, no pyplot: what a user's own first notebook does
    """
    import geospacexr
    images = geospacexr.datasets.open_sample("themis-gill")
    """,
    "images.asi.plot.keogram()",  # an Axes
    "images.asi.plot.montage(step=30)",  # a Figure
    "ax = images.asi.plot.keogram()",  # not the last expression: nothing (as for any object)
    """
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    ax
    """,  # pyplot's: shown once, by the inline backend
    """
    %config InlineBackend.figure_formats = ["svg"]
    images.asi.plot.keogram()
    """,
]


@pytest.mark.slow
def test_a_kernel_shows_the_figures():
    """A real Jupyter kernel: every plotting cell's output is an image, shown once."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(s).strip()) for s in NOTEBOOK]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()

    def images(cell, mime="image/png"):
        return [o for o in cell.outputs if mime in o.get("data", {})]

    cells = nb.cells
    assert len(images(cells[1])) == 1, cells[1].outputs
    assert len(images(cells[2])) == 1, cells[2].outputs
    assert cells[3].outputs == []
    assert len(images(cells[4])) == 1, cells[4].outputs  # not twice
    assert len(images(cells[5], "image/svg+xml")) == 1, cells[5].outputs
    assert not images(cells[5]), cells[5].outputs


def test_new_figure_layouts():
    assert new_figure((3.0, 2.0)).get_layout_engine() is not None  # constrained by default
    fig = new_figure((3.0, 2.0), layout=None)
    assert fig.get_layout_engine() is None
    assert tuple(fig.get_size_inches()) == (3.0, 2.0)


def test_an_axes_still_shows_when_no_formatter_renders_figures(formatter):
    """An interactive backend (ipympl) removes every Figure printer: an Axes is then a PNG."""
    from matplotlib.figure import Figure

    for f in formatter.formatters.values():
        f.pop(Figure, None)
    ax = _drawn_axes()
    data, _ = formatter.format(ax)
    assert _png(data["image/png"]).startswith(PNG)
    assert "image/svg+xml" not in data
