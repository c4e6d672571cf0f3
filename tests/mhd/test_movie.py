"""msphpic movies (geospacexr.plot.mhd.plot_msphpic_movie, ds.mhd.movie): frames, order, files."""

from __future__ import annotations

import functools

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("imageio_ffmpeg")

import geospacexr
from geospacexr.errors import InvalidArgumentError, MissingVariableError, WrongKindError
from geospacexr.plot import mhd as pm
from geospacexr.plot.movie import figure_to_rgb

#: Small frames: the drawing is the same, the encoding quick.
SMALL = {"figsize": (6.0, 4.0), "dpi": 40.0}


@pytest.fixture(scope="module")
def run():
    return geospacexr.datasets.open_sample("mage-msphere")


def read_mp4(path):
    """The decoded frames and the stream's metadata (fps, duration) of an MP4."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    meta = reader.__next__()
    w, h = meta["size"]
    frames = [np.frombuffer(f, dtype=np.uint8).reshape(h, w, 3) for f in reader]
    return frames, meta


def rendered(run, step):
    fig = pm.plot_msphpic(run, step=step, figsize=SMALL["figsize"])
    fig.set_dpi(SMALL["dpi"])
    return figure_to_rgb(fig).astype(float)


def test_mp4_has_one_frame_per_step_from_processes(run, tmp_path, capsys):
    out = run.mhd.movie(tmp_path / "run.mp4", fps=5.0, workers=2, progress=True, **SMALL)
    assert out == tmp_path / "run.mp4"
    assert not [p for p in tmp_path.iterdir() if p.name != "run.mp4"]  # no temporary left
    frames, meta = read_mp4(out)
    assert len(frames) == run.sizes["time"] == 4
    assert meta["fps"] == pytest.approx(5.0)
    assert meta["duration"] == pytest.approx(4 / 5.0, abs=0.05)  # time stamps n / fps
    assert frames[0].shape == (160, 240, 3)  # 6 x 4 inches at 40 dpi
    err = capsys.readouterr().err
    assert "movie" in err and "4/4" in err  # the progress bar


def test_frame_i_is_step_i(run, tmp_path):
    out = pm.plot_msphpic_movie(run, tmp_path / "run.mp4", workers=2, parallel="threads", **SMALL)
    frames, _ = read_mp4(out)
    truth = [rendered(run, int(s)) for s in run["step"].values]
    for i, frame in enumerate(frames):  # frame i is step i, not any other (H.264 is lossy)
        h, w = min(frame.shape[0], truth[i].shape[0]), min(frame.shape[1], truth[i].shape[1])
        errors = [np.abs(frame[:h, :w] - t[:h, :w]).mean() for t in truth]
        assert int(np.argmin(errors)) == i, errors
        assert errors[i] < 4.0, errors  # mean |difference| of 0-255 values


def test_steps_pick_frames_in_the_order_given(run, tmp_path, monkeypatch):
    seen = []
    # what a worker's first frame computes (msphpic) and what its next frames do (redrawn)
    for name in ("msphpic", "msphpic_planes"):
        original = getattr(pm._panels, name)

        def spy(ds, step=-1, *args, _original=original, **kwargs):
            seen.append(step)
            return _original(ds, step, *args, **kwargs)

        monkeypatch.setattr(pm._panels, name, functools.wraps(original)(spy))
    out = run.mhd.plot.movie(tmp_path / "m.gif", steps=[3, 1], parallel="none", bz=True, **SMALL)
    from PIL import Image

    with Image.open(out) as img:
        assert img.n_frames == 2
    assert seen == [3, 1]


def test_start_and_end_choose_the_steps(run):
    times = run["time"].values
    assert pm.movie_steps(run) == [0, 1, 2, 3]
    assert pm.movie_steps(run, start=times[1], end=times[2]) == [1, 2]
    assert pm.movie_steps(run, start=str(times[2])[:19]) == [2, 3]
    assert pm.movie_steps(run, steps=(2, 0)) == [2, 0]
    assert pm.movie_steps(run, steps=np.array([1.0])) == [1]


@pytest.mark.parametrize(
    "kwargs, argument, match",
    [
        ({"out": "m.avi"}, "out", "mp4 or .gif"),
        ({"steps": [9]}, "steps", r"no Step#9 \(it has 0, 1, 2, 3\)"),
        ({"steps": []}, "steps", "no frames"),
        ({"steps": [1.5]}, "steps", "whole numbers"),
        ({"steps": [1], "start": "2017-09-04"}, "start", "not both"),
        ({"start": "2020-01-01"}, "start", "no step between"),
        ({"step": 2}, "step", "steps="),
        ({"save": "x.png"}, "save", "out="),
        ({"colour": "red"}, "colour", "takes no colour"),
        ({"fps": 0}, "fps", "positive"),
        ({"dpi": float("nan")}, "dpi", "positive"),
        ({"parallel": "gpu"}, "parallel", "processes, threads, dask, none"),
        ({"size": "huge"}, "size", "one of small, std"),
        ({"source": True}, None, "SrcP_RING"),
    ],
)
def test_bad_requests_are_refused_before_any_file(run, tmp_path, kwargs, argument, match):
    out = tmp_path / kwargs.pop("out", "m.mp4")
    error = InvalidArgumentError if argument else MissingVariableError
    with pytest.raises(error, match=match) as info:
        pm.plot_msphpic_movie(run, out, parallel=kwargs.pop("parallel", "none"), **kwargs)
    assert getattr(info.value, "argument", None) == argument
    assert list(tmp_path.iterdir()) == []


def test_not_an_mhd_run(tmp_path):
    remix = geospacexr.datasets.open_sample("mage-remix")
    with pytest.raises(WrongKindError):
        remix.pipe(pm.plot_msphpic_movie, tmp_path / "m.mp4")
    with pytest.raises(WrongKindError, match="ds.mhd.movie"):
        remix.mhd.movie(tmp_path / "m.mp4")


@pytest.mark.parametrize("parallel", ["threads", "none"])
def test_a_failed_frame_leaves_no_partial_file_and_the_old_movie(
    run, tmp_path, monkeypatch, parallel
):
    out = tmp_path / "m.mp4"
    out.write_bytes(b"old movie")
    # what a worker's first frame computes (msphpic) and what its next frames do (redrawn)
    for name in ("msphpic", "msphpic_planes"):
        original = getattr(pm._panels, name)

        def failing(ds, step=-1, *args, _original=original, **kwargs):
            if step == 2:
                raise RuntimeError("step 2 failed")
            return _original(ds, step, *args, **kwargs)

        monkeypatch.setattr(pm._panels, name, functools.wraps(original)(failing))
    with pytest.raises(RuntimeError, match="step 2 failed"):
        pm.plot_msphpic_movie(run, out, workers=2, parallel=parallel, **SMALL)
    assert out.read_bytes() == b"old movie"
    assert [p.name for p in tmp_path.iterdir()] == ["m.mp4"]


@pytest.mark.parametrize(
    ("options", "dpi"),
    [({}, SMALL["dpi"]), ({"bz": True, "current": True}, SMALL["dpi"]),
     ({"density": True}, SMALL["dpi"]), ({}, 150.0)],
)  # fmt: skip
def test_a_reused_blitted_figure_draws_the_same_pixels_as_a_new_one(run, options, dpi):
    """Movie frames after a worker's first redraw its figure in place and draw only what changes
    over its kept static part (blitting): exactly the pixels of plot_msphpic drawn anew (no
    tolerance: the static artists lie under or beside the changing ones, never over them)."""
    from matplotlib.axis import Axis

    size = {"figsize": SMALL["figsize"]}
    render = pm._MsphpicFrames(run, [3, 0, 2], {**options, **size}, dpi)
    frames = [render(0)]
    calls = []
    original = Axis.draw

    def counted(self, *args, **kwargs):
        calls.append(self)
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Axis, "draw", counted)
        frames += [render(i) for i in (1, 2)]
    assert calls == []  # the later frames drew no ticks: the static part was kept
    for frame, step in zip(frames, [3, 0, 2], strict=True):
        fig = pm.plot_msphpic(run, step=step, **options, **size)
        fig.set_dpi(dpi)
        np.testing.assert_array_equal(frame, figure_to_rgb(fig))
    assert not np.array_equal(frames[0], frames[1])  # the steps differ
