"""Movies of any GCM figure: frames, fixed colour limits, parallel rendering, atomic writes."""

from __future__ import annotations

import functools
import subprocess

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("imageio_ffmpeg")

from geospacexr import datasets, gcm
from geospacexr.errors import InvalidArgumentError
from geospacexr.plot import gcm as pg
from geospacexr.plot import movie as pm


def frames_in(path):
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    cmd = [ffmpeg, "-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "null", "-"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    line = [s for s in out.stderr.splitlines() if s.startswith("frame=")][-1]
    return int(line.split("frame=")[1].split()[0])


def gif_frames(path):
    from PIL import Image

    with Image.open(path) as img:
        return img.n_frames


@pytest.fixture(scope="module")
def ds():
    return datasets.open_sample("tiegcm-5deg")


@pytest.fixture
def spy(monkeypatch):
    """Record the arguments of every figure and its axes limits (in-process rendering)."""
    calls = []
    for kind, name in pg.PLOTS.items():
        original = getattr(pg, name)

        @functools.wraps(original)
        def wrapped(*args, _original=original, _kind=kind, **kwargs):
            fig = _original(*args, **kwargs)
            calls.append((_kind, kwargs, fig))
            return fig

        monkeypatch.setattr(pg, name, wrapped)
    return calls


def test_time_lapse_mp4_in_processes(ds, tmp_path):
    out = pg.plot_movie(ds, tmp_path / "tn.mp4", "TN", level=4.0, workers=2, show_coastlines=False)
    assert out == tmp_path / "tn.mp4"
    assert frames_in(out) == ds.sizes["time"]
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]


def test_colour_limits_fixed_over_frames(ds, tmp_path, spy):
    pg.plot_movie(ds, tmp_path / "tn.gif", "TN", height=300.0, parallel="none")
    assert gif_frames(tmp_path / "tn.gif") == ds.sizes["time"]
    every = gcm.lat_lon(ds, "TN", height=300.0).values  # all times
    limits = {(kw["vmin"], kw["vmax"]) for _, kw, _ in spy}
    assert limits == {(float(np.nanmin(every)), float(np.nanmax(every)))}
    assert [kw["time"] for _, kw, _ in spy] == list(ds["time"].values)
    (expected,) = limits
    for _, _, fig in spy:  # every frame's colours span the same range
        assert fig.axes[0].collections[0].get_clim() == expected


def test_signed_field_gets_symmetric_fixed_limits(ds, tmp_path, spy):
    pg.plot_movie(
        ds,
        tmp_path / "un.gif",
        "UN",
        level=2.0,
        start="2003-03-21T00:30",
        end="2003-03-21T01:00",
        parallel="threads",
        workers=2,
    )
    assert gif_frames(tmp_path / "un.gif") == 2
    assert {(kw["vmin"], kw["vmax"]) for _, kw, _ in spy} == {
        (-spy[0][1]["vmax"], spy[0][1]["vmax"])
    }


def test_any_slice_over_any_argument(ds, tmp_path, spy):
    # a lat-time figure (time is an axis) swept through heights
    pg.plot_movie(
        ds, tmp_path / "lt.gif", "TN", kind="lat-time", over="height", values=[200, 300, 400],
        parallel="none",
    )  # fmt: skip
    assert gif_frames(tmp_path / "lt.gif") == 3
    heights = [kw["height"] for kind, kw, _ in spy if kind == "lat_time"]
    assert heights == [200, 300, 400]
    lo = min(np.nanmin(gcm.lat_time(ds, "TN", height=h).values) for h in (200, 300, 400))
    (vmin,) = {kw["vmin"] for _, kw, _ in spy}
    assert vmin == pytest.approx(lo)
    # a time series (no colours): the y-limits are fixed instead
    spy.clear()
    pg.plot_movie(
        ds, tmp_path / "vt.gif", "TN", kind="var_time", over="lat", values=[-40.0, 0.0, 40.0],
        lon=0.0, level=2.0, parallel="none",
    )  # fmt: skip
    ylims = {fig.axes[0].get_ylim() for _, _, fig in spy}
    assert len(ylims) == 1
    series = [gcm.var_time(ds, "TN", lat=a, lon=0.0, level=2.0).values for a in (-40, 0, 40)]
    low, high = ylims.pop()
    assert low < np.min(series) and high > np.max(series)


def test_epflux_movie(tmp_path):
    prim = datasets.sample_path("tiegcm-5deg") / "tiegcm_5deg_prim_001.nc"
    from geospacexr import open_tiegcm

    run = open_tiegcm(prim)  # heights from Z (no ZG in a primary): said in attrs, no warning
    out = pg.plot_movie(run, tmp_path / "ep.mp4", kind="epflux", parallel="dask", workers=2)
    assert frames_in(out) == run.sizes["time"]


def test_bad_requests(ds, tmp_path):
    with pytest.raises(InvalidArgumentError, match="already has time as an axis"):
        pg.plot_movie(ds, tmp_path / "a.mp4", "TN", kind="lat_time", level=2.0)
    with pytest.raises(InvalidArgumentError, match="takes no wind_colour"):
        pg.plot_movie(ds, tmp_path / "a.mp4", "TN", level=2.0, wind_colour="k")
    with pytest.raises(InvalidArgumentError, match="no time between"):
        pg.plot_movie(ds, tmp_path / "a.mp4", "TN", level=2.0, start="2010-01-01")
    with pytest.raises(InvalidArgumentError, match="values"):
        pg.plot_movie(ds, tmp_path / "a.mp4", "TN", over="height")
    with pytest.raises(InvalidArgumentError, match="kind"):
        pg.plot_movie(ds, tmp_path / "a.mp4", "TN", kind="lat-lev")
    with pytest.raises(InvalidArgumentError, match="needs a variable"):
        pg.plot_movie(ds, tmp_path / "a.mp4", level=2.0)
    with pytest.raises(ValueError, match=r"\.mp4 or \.gif"):
        pg.plot_movie(ds, tmp_path / "a.avi", "TN", level=2.0)
    with pytest.raises(InvalidArgumentError, match="picklable"):
        pm.write_movie(lambda i: np.zeros((4, 4, 3), np.uint8), 3, tmp_path / "a.gif",
                       workers=2, parallel="processes")  # fmt: skip
    with pytest.raises(InvalidArgumentError, match="parallel"):
        pm.write_movie(lambda i: np.zeros((4, 4, 3), np.uint8), 3, tmp_path / "a.gif",
                       parallel="gpu")  # fmt: skip
    assert not list(tmp_path.iterdir())


def _frame(i: int) -> np.ndarray:
    if i == 2:
        raise RuntimeError("frame 2 failed")
    return np.full((10, 12, 3), 40 * i, dtype=np.uint8)


@pytest.mark.parametrize("parallel", ["processes", "threads", "none"])
def test_failed_movie_leaves_the_old_file(tmp_path, parallel):
    out = tmp_path / "m.mp4"
    out.write_bytes(b"old movie")
    with pytest.raises(RuntimeError, match="frame 2 failed"):
        pm.write_movie(_frame, 5, out, workers=2, parallel=parallel)
    assert out.read_bytes() == b"old movie"
    assert [p.name for p in tmp_path.iterdir()] == ["m.mp4"]


def _colour(i: int) -> np.ndarray:
    return np.full((9, 13, 3), (50 * i, 0, 255 - 50 * i), dtype=np.uint8)


def test_frames_in_order_from_processes_with_progress_bar(tmp_path, capsys):
    out = pm.write_movie(_colour, 5, tmp_path / "c.gif", workers=2, parallel="processes",
                         progress=True)  # fmt: skip
    from PIL import Image

    with Image.open(out) as img:
        assert img.n_frames == 5
        assert img.size == (14, 10)  # made even (for yuv420p)
        for i in range(5):
            img.seek(i)
            r, _, b = img.convert("RGB").getpixel((3, 3))
            assert abs(r - 50 * i) <= 8 and abs(b - (255 - 50 * i)) <= 8
    err = capsys.readouterr().err
    assert "movie" in err and "5/5" in err
