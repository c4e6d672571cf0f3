import subprocess

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from geospacexr import datasets


def frames_in(path):
    import imageio_ffmpeg

    out = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-i",
            str(path),
            "-map",
            "0:v:0",
            "-c",
            "copy",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
    )
    line = [s for s in out.stderr.splitlines() if s.startswith("frame=")][-1]
    return int(line.split("frame=")[1].split()[0])


def test_asi_movie_mp4_and_gif(tmp_path):
    pytest.importorskip("imageio_ffmpeg")
    ds = datasets.open_sample("themis-gill")
    path = ds.asi.plot.movie(tmp_path / "m.mp4", end="2014-03-10T06:00:30", fps=10)
    assert frames_in(path) == 10
    from PIL import Image

    gif = ds.asi.plot.movie(
        tmp_path / "m.gif", start="2014-03-10T06:01:00", end="2014-03-10T06:01:10"
    )
    with Image.open(gif) as img:
        assert img.n_frames == 4
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]
    with pytest.raises(ValueError, match=r"\.mp4 or \.gif"):
        ds.asi.plot.movie(tmp_path / "m.avi")


def test_gcm_movie(tmp_path):
    pytest.importorskip("imageio_ffmpeg")
    run = datasets.open_sample("tiegcm-5deg")
    path = run.gcm.plot.movie(tmp_path / "tn.mp4", "TN", height=300.0, show_coastlines=False)
    assert frames_in(path) == run.sizes["time"]


def test_frame_rendering_is_the_figure():
    from matplotlib.figure import Figure

    from geospacexr.plot.movie import figure_to_rgb

    fig = Figure(figsize=(2, 1), dpi=50)
    fig.patch.set_facecolor("red")
    rgb = figure_to_rgb(fig)
    assert rgb.shape == (50, 100, 3)
    np.testing.assert_array_equal(rgb[10, 10], [255, 0, 0])


def test_mosaic_movie(tmp_path):
    pytest.importorskip("cartopy")
    pytest.importorskip("imageio_ffmpeg")
    grid = datasets.open_sample("themis-grid").isel(time=[0, 1, 2])
    path = grid.asi.plot.movie(tmp_path / "mosaic.mp4", fps=3)
    assert frames_in(path) == 3


class _AltitudeFrame:
    """A frame whose pixel value is the configured ASI altitude (picklable)."""

    def __call__(self, i):
        from geospacexr import config

        return np.full((4, 4, 3), int(config.get().asi.altitude_km), dtype=np.uint8)


@pytest.mark.parametrize("parallel", ["threads", "processes", "dask", "none"])
def test_workers_see_the_callers_config_overrides(parallel):
    from geospacexr import config
    from geospacexr.plot.movie import render_frames

    with config.override({"asi.altitude_km": 150}):
        frames = list(render_frames(_AltitudeFrame(), 3, workers=2, parallel=parallel))
    assert [int(f[0, 0, 0]) for f in frames] == [150, 150, 150]
    default = int(config.get().asi.altitude_km)
    assert default != 150
    assert int(next(render_frames(_AltitudeFrame(), 1, parallel=parallel))[0, 0, 0]) == default


def _x264_settings(path):
    """The encoder settings libx264 writes into the stream (its SEI user data), as a dict."""
    data = path.read_bytes()
    start = data.index(b"options: ") + len(b"options: ")
    text = data[start : data.index(b"\x00", start)].decode("ascii", "replace")
    return dict(item.split("=", 1) for item in text.split() if "=" in item)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        # the default: veryfast, CRF 23, a look-ahead of 3 frames, low delay: no B-frames,
        # the macroblock tree kept
        (
            {},
            {
                "subme": "2",
                "ref": "1",
                "crf": "23.0",
                "rc_lookahead": "3",
                "bframes": "0",
                "mbtree": "1",
                "sync_lookahead": None,
            },
        ),
        ({"io.movie_tune": "none"}, {"rc_lookahead": "3", "bframes": "3", "mbtree": "1"}),
        (
            {"io.movie_preset": "ultrafast", "io.movie_crf": 30},
            {"subme": "0", "cabac": "0", "crf": "30.0"},
        ),
        (
            {"io.movie_preset": "medium", "io.movie_crf": 18, "io.movie_lookahead": 20},
            {"subme": "7", "ref": "3", "crf": "18.0", "rc_lookahead": "20"},
        ),
        # zerolatency: no B-frames, no macroblock tree (so no look-ahead)
        ({"io.movie_tune": "zerolatency"}, {"bframes": "0", "mbtree": "0"}),
    ],
)
def test_the_configured_x264_settings_reach_ffmpeg(tmp_path, settings, expected):
    pytest.importorskip("imageio_ffmpeg")
    from geospacexr import config
    from geospacexr.plot.movie import write_frames

    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (48, 64, 3), dtype=np.uint8) for _ in range(3)]
    with config.override(settings):
        out = write_frames(iter(frames), tmp_path / "m.mp4", fps=3)
    used = _x264_settings(out)
    assert {k: used.get(k) for k in expected} == expected, used
    assert frames_in(out) == 3


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("io.movie_preset", "fastest", "'fastest' is not allowed.*'veryfast'"),
        ("io.movie_crf", 52, "52 is out of range"),
        ("io.movie_crf", -1, "-1 is out of range"),
        ("io.movie_lookahead", 251, "251 is out of range"),
        ("io.movie_lookahead", -1, "-1 is out of range"),
        ("io.movie_tune", "fast", "'fast' is not allowed.*'zerolatency'"),
    ],
)
def test_a_bad_x264_setting_is_a_clear_error(key, value, match, monkeypatch):
    from geospacexr import config
    from geospacexr.errors import ConfigError

    with pytest.raises(ConfigError, match=match) as caught, config.override({key: value}):
        pass
    assert key in str(caught.value)
    variable = f"GEOSPACEXR_{key.replace('.', '_').upper()}"
    monkeypatch.setenv(variable, str(value))
    with pytest.raises(ConfigError, match=match) as caught:
        config.reload()
    assert variable in str(caught.value)
    monkeypatch.delenv(variable)
    config.reload()


def test_blitted_frames_are_full_draws_and_follow_a_change_of_dpi():
    from matplotlib.figure import Figure

    from geospacexr.plot.movie import Blitter, figure_to_rgb

    fig = Figure(figsize=(3, 2), dpi=60)
    ax = fig.add_subplot()
    ax.set_xlim(0, 10)
    ax.set_ylim(-1.5, 1.5)
    ax.set_xlabel("x")
    x = np.linspace(0, 10, 200)
    (line,) = ax.plot(x, np.sin(x), lw=2)
    marker = ax.scatter([5], [0], s=200, zorder=3)  # above the line: drawn after it
    title = fig.suptitle("frame 0")
    blit = Blitter(fig)

    def frame(i):
        line.set_ydata(np.sin(x + i))
        title.set_text(f"frame {i}")
        return blit.rgb([title, marker, line, *ax.spines.values()])  # any order given

    def full():
        for artist in (title, marker, line, *ax.spines.values()):
            artist.set_animated(False)
        try:
            return figure_to_rgb(fig)
        finally:
            for artist in (title, marker, line, *ax.spines.values()):
                artist.set_animated(True)

    first, second = frame(0), frame(1)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(second, full())
    np.testing.assert_array_equal(frame(0), first)
    fig.set_dpi(90)  # the static part is drawn again at the new size
    bigger = frame(2)
    assert bigger.shape == (180, 270, 3)
    np.testing.assert_array_equal(bigger, full())


def test_the_worker_server_starts_ahead_only_for_processes():
    import multiprocessing

    from geospacexr import config
    from geospacexr.plot.movie import render_frames, start_worker_server

    assert not start_worker_server("threads", 2)
    assert not start_worker_server("processes", 1)
    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork server here")
    with config.override({"io.movie_start_method": "forkserver"}):
        assert start_worker_server("processes", 2)
        frames = list(render_frames(_AltitudeFrame(), 2, workers=2, parallel="processes"))
    assert len(frames) == 2  # the pool's workers come from the server already started


def test_workers_are_forked_only_when_that_is_safe():
    """io.movie_start_method="auto": fork in a one-thread process (the movie commands: the
    workers inherit its imports), the fork server when another thread runs."""
    import multiprocessing
    import sys
    import threading

    from geospacexr import config
    from geospacexr.plot import movie

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork here")
    fresh = subprocess.run(
        [sys.executable, "-c", "from geospacexr.plot import movie; "
         "print(movie._context().get_start_method(), movie.start_worker_server('processes', 2))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert fresh.stdout.split() == ["fork", "False"]  # no server started for nothing
    # the workers of render_frames are forked by this process itself, progress bar or not
    # (the bar's monitor thread starts after them)
    code = (
        "import os, functools, numpy as np\n"
        "from geospacexr.plot.movie import render_frames\n"
        "def frame(main, i):\n"
        "    return np.full((2, 2, 3), int(os.getppid() == main), dtype=np.uint8)\n"
        "render = functools.partial(frame, os.getpid())\n"
        "frames = render_frames(render, 4, workers=2, parallel='processes', progress=True)\n"
        "print([int(f[0, 0, 0]) for f in frames])\n"
    )
    forked = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert forked.stdout.strip() == "[1, 1, 1, 1]", forked.stderr[-2000:]
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not movie._fork_is_safe()
        assert movie._context().get_start_method() in ("forkserver", "spawn")
    finally:
        stop.set()
        other.join()
    for method in ("fork", "forkserver"):
        with config.override({"io.movie_start_method": method}):
            assert movie._context().get_start_method() == method
            with config.override({"asi.altitude_km": 150}):
                frames = list(
                    movie.render_frames(_AltitudeFrame(), 3, workers=2, parallel="processes")
                )
        assert [int(f[0, 0, 0]) for f in frames] == [150, 150, 150]


def test_a_bad_start_method_is_a_clear_error():
    from geospacexr import config
    from geospacexr.errors import ConfigError

    with pytest.raises(ConfigError, match="movie_start_method"):
        with config.override({"io.movie_start_method": "teleport"}):
            pass


class _SizedFrame:
    """Frame ``i``: ``(20 + 2 i) x 30`` pixels of value ``i`` (growing frames; picklable)."""

    def __call__(self, i):
        if i == 99:
            raise RuntimeError("frame 99 fails")
        return np.full((20 + 2 * i, 30, 3), i, dtype=np.uint8)


class _ViewFrames:
    """A renderer with ``view(i)``: one RGBA canvas redrawn for every frame (picklable)."""

    def __init__(self):
        self.canvas = None

    def view(self, i):
        if self.canvas is None:
            self.canvas = np.zeros((16, 24, 4), dtype=np.uint8)
        self.canvas[...] = (i, 2 * i, 3 * i, 255)
        return self.canvas

    def __call__(self, i):
        raise AssertionError("a worker with shared slots draws through view(i)")


class _FigureFrames:
    """Frame ``i``: a small matplotlib Figure with ``i`` written on it (picklable)."""

    def __call__(self, i):
        from matplotlib.figure import Figure

        fig = Figure(figsize=(1.2, 0.8), dpi=50)
        fig.text(0.2, 0.4, f"frame {i}", color=f"C{i}")
        return fig


def _fork_with_memfd():
    import multiprocessing
    import os

    if "fork" not in multiprocessing.get_all_start_methods() or not hasattr(os, "memfd_create"):
        pytest.skip("no fork or memfd here")


def _frame_slots_open():
    """The frame slots (memfds) this process has open."""
    import os

    names = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            names.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # the listing's own descriptor, closed by now
            pass
    return [name for name in names if "geospacexr-frame" in name]


def test_forked_workers_hand_frames_over_in_shared_memory(monkeypatch):
    """Frames of forked workers come through shared slots (grown for larger frames), are
    arrays of their own unless reuse=True asks for views, and every slot is closed after."""
    from geospacexr import config
    from geospacexr.plot import movie

    _fork_with_memfd()
    made = []
    real = movie._frame_slots
    monkeypatch.setattr(movie, "_frame_slots", lambda *a: made.append(real(*a)) or made[-1])
    with config.override({"io.movie_start_method": "fork"}):
        frames = list(movie.render_frames(_SizedFrame(), 7, workers=2, parallel="processes"))
        assert len(made[0]) == 4  # 2 * workers slots
        assert _frame_slots_open() == []
        assert [f.shape for f in frames] == [(20 + 2 * i, 30, 3) for i in range(7)]
        assert [np.unique(f).tolist() for f in frames] == [[i] for i in range(7)]
        assert all(f.flags.owndata for f in frames)  # copies: kept past the next frame
        seen = []
        for f in movie.render_frames(_SizedFrame(), 7, workers=2, parallel="processes",
                                     reuse=True):  # fmt: skip
            assert not f.flags.owndata  # a view of the slot
            seen.append((f.shape, np.unique(f).tolist()))
        assert seen == [((20 + 2 * i, 30, 3), [i]) for i in range(7)]
        del f  # the last view keeps its slot mapped (and mmap's own descriptor) while it lives
        with pytest.raises(RuntimeError, match="frame 99 fails"):
            list(movie.render_frames(lambda i: _SizedFrame()(99 if i == 3 else i), 5,
                                     workers=2, parallel="threads"))  # fmt: skip
        failing = _Failing()
        with pytest.raises(RuntimeError, match="frame 99 fails"):
            list(movie.render_frames(failing, 6, workers=2, parallel="processes"))
    assert _frame_slots_open() == []  # the slots of all three movies are closed


class _Failing:
    def __call__(self, i):
        return _SizedFrame()(99 if i == 3 else i)


def test_workers_draw_through_view_and_figures_without_a_copy():
    """A renderer's view(i) (the msphpic movies' canvas) is what the workers copy into the
    slots, through the caller's config overrides too; a Figure is drawn as figure_to_rgb."""
    from geospacexr import config
    from geospacexr.plot import movie

    _fork_with_memfd()
    with config.override({"io.movie_start_method": "fork", "asi.altitude_km": 150}):
        frames = list(movie.render_frames(_ViewFrames(), 5, workers=2, parallel="processes"))
        figures = list(movie.render_frames(_FigureFrames(), 3, workers=2, parallel="processes"))
    assert [f[0, 0].tolist() for f in frames] == [[i, 2 * i, 3 * i] for i in range(5)]
    assert all(f.shape == (16, 24, 3) for f in frames)
    for i, f in enumerate(figures):
        assert np.array_equal(f, movie.figure_to_rgb(_FigureFrames()(i)))
    assert len({f.tobytes() for f in figures}) == 3


def test_the_pipe_into_ffmpeg_is_widened():
    import os

    fcntl = pytest.importorskip("fcntl")
    from geospacexr.plot import movie

    if not hasattr(fcntl, "F_GETPIPE_SZ"):
        pytest.skip("pipe sizes are Linux's")
    read, write = os.pipe()
    try:
        before = fcntl.fcntl(write, fcntl.F_GETPIPE_SZ)
        movie._widen_pipe(write)
        after = fcntl.fcntl(write, fcntl.F_GETPIPE_SZ)
    finally:
        os.close(read)
        os.close(write)
    assert after in (before, movie._PIPE_BYTES)
    if os.geteuid() == 0:
        assert after == movie._PIPE_BYTES


class _FrozenFrame:
    """Frame ``i``: 1 where the worker's inherited objects are frozen (gc.freeze), else 0."""

    def __call__(self, i):
        import gc

        return np.full((2, 2, 3), int(gc.get_freeze_count() > 0), dtype=np.uint8)


def test_forked_workers_inherit_frozen_objects_and_the_caller_keeps_its_own():
    import gc

    from geospacexr import config
    from geospacexr.plot import movie

    _fork_with_memfd()
    assert gc.get_freeze_count() == 0
    with config.override({"io.movie_start_method": "fork"}):
        frames = list(movie.render_frames(_FrozenFrame(), 4, workers=2, parallel="processes"))
        assert [int(f[0, 0, 0]) for f in frames] == [1, 1, 1, 1]
        assert gc.get_freeze_count() == 0  # unfrozen here once the workers are forked
        gc.freeze()  # a caller's own freeze is left as it is
        try:
            count = gc.get_freeze_count()
            list(movie.render_frames(_FrozenFrame(), 2, workers=2, parallel="processes"))
            assert gc.get_freeze_count() == count
        finally:
            gc.unfreeze()


def test_forked_workers_of_a_process_without_dask_do_not_import_it_yet_compute_synchronously():
    """A forked worker sets dask's synchronous scheduler without importing dask (0.13 s): a
    dask the frame imports later reads it from the environment."""
    import sys
    import textwrap

    code = textwrap.dedent(
        """
        import sys
        import numpy as np
        from geospacexr.plot.movie import render_frames

        def render(i):
            seen = "dask" in sys.modules
            import dask

            sync = dask.config.get("scheduler", None) == "synchronous"
            return np.full((2, 2, 3), 100 * seen + sync, np.uint8)

        if __name__ == "__main__":
            assert "dask" not in sys.modules
            frames = render_frames(render, 2, workers=2, parallel="processes", progress=False)
            print([int(f[0, 0, 0]) for f in frames], "dask" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[1,", "1]", "False"]
