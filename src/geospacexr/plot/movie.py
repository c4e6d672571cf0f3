"""Movies (MP4 or GIF) from figures rendered in parallel, written atomically.

:func:`write_movie` renders frame ``i`` with ``render(i)`` (a matplotlib Figure or an RGB array)
and streams the frames, in order, into the encoder: ``.mp4`` through the ffmpeg that the
imageio-ffmpeg wheel ships (H.264 by libx264, yuv420p, at the speed preset ``io.movie_preset``,
the constant rate factor ``io.movie_crf``, the look-ahead ``io.movie_lookahead`` and the tuning
``io.movie_tune`` of :mod:`geospacexr.config`), ``.gif`` through Pillow. The preset's default is
``veryfast``, not x264's ``medium``: on a 3600 x 2400 frame it takes about half the CPU time for
the same quality and size (the encoder competes with the frame workers for the cores); the
look-ahead's default, 3 frames rather than the preset's 10, lets the encoder keep up with the
workers instead of encoding the frames it holds after the last one. The frames are rendered

* ``parallel="processes"``: in worker processes (:class:`concurrent.futures.ProcessPoolExecutor`;
  forked from this process when that is safe, so they inherit its imports, else from a fork
  server that has imported numpy, xarray and matplotlib once (config
  ``io.movie_start_method``), so a worker starts in milliseconds; ``render`` must be picklable
  and is sent once to each worker, not once per frame), which is what makes matplotlib, whose
  drawing holds the GIL, scale with cores. Forked workers (Linux) copy each frame once, from
  their canvas (a renderer's ``view(i)`` where it has one, a Figure's Agg buffer), into shared
  memory that this process writes to ffmpeg from: no pickling or pipe transfer of the pixels;
* ``parallel="threads"``: in threads (any callable, such as a lambda);
* ``parallel="dask"``: as dask delayed tasks on the active dask scheduler (threads by default,
  a ``dask.distributed`` cluster when a Client is active); with an active Client,
  ``parallel="processes"`` is this too: the cluster's worker processes render the frames
  (:func:`geospacexr.scale.active_client`), at most two per worker thread in flight;
* ``parallel="none"``: one after the other in this process.

At most ``2 * workers`` frames are in flight, so memory stays bounded for long movies. A tqdm
progress bar counts the frames (shown on a terminal, or as asked). The file is written to a
temporary name next to the target and renamed when complete (:func:`geospacexr.io.atomic_path`),
so an interrupted movie leaves no half-written file; the temporary of a killed writer is removed
by the next write to the same target.

Child processes die with the Python process that started them (:mod:`geospacexr._children`):
ffmpeg gets ``PR_SET_PDEATHSIG`` on Linux (and sees its frame pipe close elsewhere), and every
frame worker process watches its parent and exits at once when it is gone, even in the middle
of a frame.
"""

from __future__ import annotations

import gc
import mmap
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .. import config
from .._children import die_with_parent, popen_tied
from ..errors import InvalidArgumentError
from ..io.atomic import atomic_path

__all__ = [
    "PARALLEL",
    "Blitter",
    "figure_to_rgb",
    "render_frames",
    "start_worker_server",
    "write_frames",
    "write_movie",
]

#: How frames can be rendered.
PARALLEL = ("processes", "threads", "dask", "none")
#: Modules the fork server imports once, so that worker processes start warm.
_PRELOAD = [
    "numpy",
    "xarray",
    "dask",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "cartopy.crs",
    "geospacexr.plot.gcm",
    "geospacexr.plot.mhd",
    "geospacexr.plot.movie",
    "h5py",  # what a frame's first read imports (the MHD and ASI readers): not once per worker
    "dask.array",
]
_WORKER_RENDER: list[Callable[[int], Any]] = []
#: A worker's memory maps of the shared frame slots, by file descriptor (:func:`_render_to_slot`).
_WORKER_SLOTS: dict[int, mmap.mmap] = {}


def figure_to_rgb(fig: Any) -> np.ndarray:
    """Render a matplotlib Figure to an ``(height, width, 3)`` uint8 array (Agg, no screen).

    Args:
        fig: A matplotlib Figure.

    Returns:
        The RGB pixels.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()


class Blitter:
    """Frames of one reused figure that redraw only what changes (matplotlib's blitting, Agg).

    The first :meth:`rgb` draws the figure without the changing artists (set ``animated``, so
    a full draw skips them), keeps those pixels (``canvas.copy_from_bbox``) and then draws the
    changing artists over them; every later call restores the kept pixels
    (``restore_region``) and draws only the changing artists, in the order a full draw would
    (the figure's children by z-order, each Axes' children by z-order). The static part (axes
    frames, ticks, tick labels, axis labels, titles, colour bars) is drawn once per figure, not
    once per frame; it is drawn again when the figure's dpi or size changed, or after
    :meth:`invalidate`.

    The pixels are those of a full draw (:func:`figure_to_rgb`) as long as no static artist
    is drawn *over* a changing one: give every artist that overlaps a changing one and lies
    above it (an Axes' spines over its mesh, markers over a map) in ``artists`` too.

    Args:
        fig: The figure the frames are drawn from, reused from frame to frame.
    """

    def __init__(self, fig: Any) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self._background: Any = None
        self._drawn_for: tuple[float, float, float] | None = None

    def invalidate(self) -> None:
        """Draw the static part again at the next frame (after a change to it)."""
        self._background = None

    def _order(self, artist: Any) -> tuple[float, int, float, int]:
        """Where a full draw draws ``artist``: (z-order, place) of its figure child, then within."""

        def place(items: list[Any], item: Any) -> int:
            return next((k for k, x in enumerate(items) if x is item), len(items))

        top = self.fig.get_children()
        ax = artist.axes
        if ax is None or ax is artist:
            return (artist.get_zorder(), place(top, artist), 0.0, 0)
        return (ax.get_zorder(), place(top, ax), artist.get_zorder(),
                place(ax.get_children(), artist))  # fmt: skip

    def rgb(self, artists: Any) -> np.ndarray:
        """The frame: the kept static pixels with ``artists`` drawn over them.

        Args:
            artists: The artists that change from frame to frame (or lie above one that
                does), all in this figure; they are set ``animated`` (left out of a full
                draw) and drawn in a full draw's order.

        Returns:
            The ``(height, width, 3)`` uint8 pixels.
        """
        return self.rgba(artists)[..., :3].copy()

    def rgba(self, artists: Any) -> np.ndarray:
        """The frame as :meth:`rgb`, but the canvas's own RGBA pixels, not a copy.

        Args:
            artists: As :meth:`rgb`.

        Returns:
            The ``(height, width, 4)`` uint8 pixels of the canvas: valid until the next frame
            is drawn on it.
        """
        artists = list(artists)
        for artist in artists:
            artist.set_animated(True)
        state = (float(self.fig.dpi), *map(float, self.fig.get_size_inches()))
        if self._background is None or state != self._drawn_for:
            self.canvas.draw()  # everything but the animated artists
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._drawn_for = state
        else:
            self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for artist in sorted(artists, key=self._order):
            if artist.get_visible():
                artist.draw(renderer)
        return np.asarray(self.canvas.buffer_rgba())


def _as_rgb(item: Any) -> np.ndarray:
    rgb = item if isinstance(item, np.ndarray) else figure_to_rgb(item)
    return np.ascontiguousarray(rgb[..., :3], dtype=np.uint8)


def _init_worker(blob: bytes) -> None:
    """Process-pool initializer: die with the parent; unpickle the renderer once; no dask threads.

    The worker ends as soon as the process that started the pool is gone
    (:func:`geospacexr._children.die_with_parent`), so a killed kernel leaves no worker behind.
    dask computes in the worker's own thread (the processes are the parallelism): set now
    where dask is imported, else through the environment its configuration reads when it is
    (a forked worker of a process that never needed dask does not import it, about 0.13 s).
    """
    import sys

    die_with_parent()

    if "dask" in sys.modules:
        import dask

        dask.config.set(scheduler="synchronous")
    else:
        os.environ["DASK_SCHEDULER"] = "synchronous"
    _WORKER_RENDER[:] = [pickle.loads(blob)]


def _render_in_worker(i: int) -> np.ndarray:
    return _as_rgb(_WORKER_RENDER[0](i))


def _slot_map(fd: int, nbytes: int, maps: dict[int, mmap.mmap], grow: bool) -> mmap.mmap:
    """The memory map of frame slot ``fd`` holding at least ``nbytes`` (grown by a worker)."""
    mm = maps.get(fd)
    if mm is None or len(mm) < nbytes:
        size = os.fstat(fd).st_size
        if size < nbytes:
            if not grow:
                raise OSError(f"frame slot of {size} bytes, not {nbytes}")
            os.ftruncate(fd, nbytes)
            size = nbytes
        mm = maps[fd] = mmap.mmap(fd, size)
    return mm


def _pixels(render: Callable[[int], Any], i: int) -> np.ndarray:
    """Frame ``i`` as an ``(h, w, 3 or 4)`` array, perhaps a view valid until the next frame.

    ``render.view(i)`` where ``render`` has it (a renderer that keeps its canvas, such as
    :class:`Blitter`'s users: the canvas pixels themselves), else ``render(i)``; a Figure is
    drawn on an Agg canvas and its RGBA buffer returned, not copied.
    """
    view = getattr(render, "view", None)
    item = view(i) if callable(view) else render(i)
    if isinstance(item, np.ndarray):
        return item
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(item)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def _render_to_slot(i: int, fd: int) -> tuple[int, ...] | np.ndarray:
    """Render frame ``i`` into the shared memory of slot ``fd``; its shape (the pixels if none).

    The worker copies the pixels once, from the canvas, into memory the parent maps too (the
    slot, a memfd the parent opened before forking the workers), so only the frame's shape
    travels back through the pool's pipe: no copy of the canvas's pixels of their own, no
    pickling, no pipe transfer, no fresh buffer on either side. A slot the worker cannot grow
    makes it send the pixels as usual.
    """
    pixels = _pixels(_WORKER_RENDER[0], i)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] < 3 or not pixels.size:
        return _as_rgb(pixels)
    shape = (pixels.shape[0], pixels.shape[1], 3)
    nbytes = int(np.prod(shape))
    try:
        mm = _slot_map(fd, nbytes, _WORKER_SLOTS, grow=True)
    except OSError:
        return _as_rgb(pixels)
    np.copyto(np.frombuffer(mm, np.uint8, nbytes).reshape(shape), pixels[..., :3])
    return shape


def _frame_slots(ctx: Any, count: int) -> list[int]:
    """``count`` shared-memory frame slots for forked workers (none where that cannot be).

    Anonymous memory files (Linux ``memfd_create``) opened before the workers are forked, so
    the workers inherit them; they are freed when the last process holding one closes it, so a
    killed movie leaves nothing behind. Workers started otherwise (fork server, spawn) and
    systems without memfd send the pixels through the pool's pipe.
    """
    if ctx.get_start_method() != "fork" or not hasattr(os, "memfd_create"):
        return []
    slots: list[int] = []
    try:
        for k in range(count):
            slots.append(os.memfd_create(f"geospacexr-frame-{k}"))
    except OSError:
        for fd in slots:
            os.close(fd)
        return []
    return slots


def _fork_is_safe() -> bool:
    """Whether forking this process is safe.

    Fork must exist, no other Python thread may run (one could hold a lock the child would
    inherit locked) and numba's thread pool must not have started (GNU OpenMP's is not
    fork-safe). Native library pools that handle fork themselves (OpenBLAS's) do not count.
    """
    import sys
    import threading

    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if threading.active_count() != 1:
        return False
    parallel = sys.modules.get("numba.np.ufunc.parallel")
    return parallel is None or not getattr(parallel, "_is_initialized", True)


def _context() -> Any:
    """The multiprocessing context of frame workers (config ``io.movie_start_method``)."""
    method = str(config.get().io.movie_start_method)
    methods = multiprocessing.get_all_start_methods()
    if method == "auto":
        method = "fork" if _fork_is_safe() else "forkserver"
    if method not in methods:
        method = "forkserver" if "forkserver" in methods else "spawn"
    if method == "forkserver":
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_PRELOAD)
        return ctx
    return multiprocessing.get_context(method)


def start_worker_server(parallel: str = "processes", workers: int | None = None) -> bool:
    """Start the fork server that frame worker processes come from, in the background, now.

    With ``parallel="processes"``, the fork server (a new interpreter importing numpy, xarray,
    matplotlib, h5py... once, about two seconds) is otherwise started when the first frame is
    submitted, and the first frames wait for it. A caller that knows it will render frames in
    processes (the ``movie`` commands) calls this first, so that the server imports while the
    caller opens its files and checks its arguments. The server is the process's one
    :mod:`multiprocessing` fork server: a later pool uses it, and it ends with the process.

    Args:
        parallel: How the frames will be rendered (nothing is started unless
            ``"processes"``, or when a dask Client is active: its workers render the frames).
        workers: Parallel workers (default from config ``io.workers``: one per core); nothing
            is started for one.

    Returns:
        Whether a fork server was started or already runs.
    """
    n = int(config.resolve(workers, "io.workers") or (os.cpu_count() or 1))
    if parallel != "processes" or n < 2:
        return False
    from .. import scale

    if scale.active_client() is not None:
        return False
    ctx = _context()
    if ctx.get_start_method() != "forkserver":
        return False
    from multiprocessing import forkserver

    forkserver.ensure_running()
    return True


def _executor(
    parallel: str, workers: int, render: Callable[[int], Any], ctx: Any = None
) -> Executor:
    if parallel == "threads":
        return ThreadPoolExecutor(max_workers=workers)
    try:
        blob = pickle.dumps(render)
    except Exception as exc:  # lambdas, open files...
        raise InvalidArgumentError(
            f"parallel='processes' needs a picklable render function ({type(exc).__name__}: "
            f"{exc}); use parallel='threads' for a lambda or closure",
            "parallel",
        ) from None
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=ctx if ctx is not None else _context(),
        initializer=_init_worker,
        initargs=(blob,),
    )


class _WithOverrides:
    """``render(i)`` inside the caller's configuration overrides (picklable for processes)."""

    def __init__(self, render: Callable[[int], Any], settings: dict[str, Any]) -> None:
        self.render, self.settings = render, settings

    def __call__(self, i: int) -> Any:
        with config.override(self.settings):
            return self.render(i)

    def __getattr__(self, name: str) -> Any:
        if name == "view" and callable(getattr(self.render, "view", None)):
            return self._view
        raise AttributeError(name)

    def _view(self, i: int) -> Any:
        with config.override(self.settings):
            return self.render.view(i)  # type: ignore[attr-defined]


def render_frames(
    render: Callable[[int], Any],
    count: int,
    workers: int | None = None,
    parallel: str = "processes",
    progress: bool | None = None,
    *,
    reuse: bool = False,
) -> Iterator[np.ndarray]:
    """Yield ``render(0) ... render(count - 1)`` as RGB arrays, in order, rendered in parallel.

    Worker processes forked from this one (Linux) hand their frames over in shared memory
    (``2 * workers`` slots, each frame copied once into a slot), not pickled through a pipe.

    Args:
        render: Returns frame ``i`` as a matplotlib Figure or an ``(h, w, 3)`` uint8 array;
            picklable for ``parallel="processes"``.
        count: Number of frames.
        workers: Parallel workers (default from config ``io.workers``: one per core).
        parallel: One of :data:`PARALLEL`.
        progress: Show a tqdm progress bar (default: when on a terminal).
        reuse: Yield frames from shared memory without copying them: a frame is valid only
            until the next one is asked for (a consumer that writes each frame out, as the MP4
            encoder does). By default every frame is an array of its own.

    Yields:
        ``(h, w, 3)`` uint8 arrays.

    Raises:
        InvalidArgumentError: If ``parallel`` is unknown, or ``render`` cannot be pickled for
            ``parallel="processes"``.
    """
    from tqdm import tqdm

    settings = config.overrides()
    if settings and parallel != "none":  # workers start without the caller's overrides
        render = _WithOverrides(render, settings)
    if parallel not in PARALLEL:
        raise InvalidArgumentError(
            f"must be one of {', '.join(PARALLEL)}, not {parallel!r}", "parallel"
        )
    n = int(config.resolve(workers, "io.workers") or (os.cpu_count() or 1))
    if parallel == "processes":
        from .. import scale

        client = scale.active_client()
        if client is not None:  # the cluster's processes, not a pool of this machine's
            parallel = "dask"
            n = sum(client.nthreads().values()) or n
    n = max(1, min(n, count))
    if n == 1 and parallel in ("processes", "threads"):
        parallel = "none"  # no pool to start for one worker
    window = 2 * n
    pool = None
    pending: dict[int, Any] = {}
    submitted = 0
    slots: list[int] = []
    maps: dict[int, mmap.mmap] = {}

    def submit(i: int) -> Any:
        assert pool is not None
        if slots:
            return pool.submit(_render_to_slot, i, slots[i % window])
        if parallel == "processes":
            return pool.submit(_render_in_worker, i)
        return pool.submit(lambda: _as_rgb(render(i)))

    def received(result: Any, i: int) -> np.ndarray:
        if isinstance(result, np.ndarray):
            return result
        shape = tuple(result)
        nbytes = int(np.prod(shape))
        mm = _slot_map(slots[i % window], nbytes, maps, grow=False)
        frame = np.frombuffer(mm, np.uint8, nbytes).reshape(shape)
        return frame if reuse else frame.copy()

    if parallel in ("processes", "threads"):
        # the workers start (are forked) at the first submission: before the progress bar,
        # whose monitor thread would make forking this process unsafe (_fork_is_safe)
        ctx = _context() if parallel == "processes" else None
        pool = _executor(parallel, n, render, ctx)
        if ctx is not None:
            # frame i goes to slot i % window: frame i + window is submitted only after the
            # consumer asked for frame i + 1, so a slot is never written while it is read
            slots = _frame_slots(ctx, window)
        # the objects of this process are moved out of the garbage collector's reach while
        # the workers fork (gc.freeze, as Python's documentation advises before a fork): a
        # worker's collections then do not write to every inherited object, which would copy
        # the pages of this process's heap into each worker (copy on write)
        frozen = ctx is not None and ctx.get_start_method() == "fork"
        frozen = frozen and gc.get_freeze_count() == 0  # not when the caller froze its own
        if frozen:
            gc.freeze()
        try:
            while submitted < min(count, window):
                pending[submitted] = submit(submitted)
                submitted += 1
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            for fd in slots:
                os.close(fd)
            raise
        finally:
            if frozen:
                gc.unfreeze()  # in this process; a worker never collects what it inherited
    bar = tqdm(
        total=count,
        desc="movie",
        unit="frame",
        disable=None if progress is None else not progress,
    )
    try:
        if parallel == "none":
            for i in range(count):
                yield _as_rgb(render(i))
                bar.update(1)
        elif parallel == "dask":
            import dask

            for start in range(0, count, window):
                batch = range(start, min(count, start + window))
                frames = dask.compute(*[dask.delayed(render)(i) for i in batch])
                for frame in frames:
                    yield _as_rgb(frame)
                    bar.update(1)
        else:
            assert pool is not None
            try:
                for i in range(count):
                    while submitted < count and submitted < i + window:
                        pending[submitted] = submit(submitted)
                        submitted += 1
                    frame = received(pending.pop(i).result(), i)
                    yield frame
                    del frame
                    bar.update(1)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
                for fd in slots:
                    os.close(fd)
                for mm in maps.values():
                    try:
                        mm.close()
                    except BufferError:  # a frame the consumer still holds: unmapped with it
                        pass
    finally:
        bar.close()


#: The capacity asked for the pipe into ffmpeg (Linux's default ``pipe-max-size``, 1 MiB):
#: a frame of 3600 x 2400 pixels goes through in about 25 writes, not 400 of the default 64 KiB,
#: each of which wakes the other process.
_PIPE_BYTES = 1 << 20


def _widen_pipe(fd: int) -> None:
    """Ask for a pipe of :data:`_PIPE_BYTES` (Linux); keep the pipe as it is where refused."""
    try:
        import fcntl
    except ImportError:  # Windows
        return
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setsize is None:
        return
    try:
        fcntl.fcntl(fd, setsize, _PIPE_BYTES)
    except OSError:  # over /proc/sys/fs/pipe-max-size for an unprivileged user
        pass


#: The x264 settings of ``io.movie_tune="lowdelay"``: no B-frames (a frame is encoded without
#: waiting for later ones), threads on slices of one frame (not on several frames held at once),
#: the look-ahead in the encoding thread; x264's macroblock tree stays, over the
#: ``io.movie_lookahead`` frames.
_LOW_DELAY = ("bframes=0", "sliced-threads=1", "sync-lookahead=0")


def _encode_mp4(
    path: Path,
    first: np.ndarray,
    rest: Iterator[np.ndarray],
    width: int,
    height: int,
    fps: float,
) -> None:
    """Pipe raw RGB frames into the ffmpeg of imageio-ffmpeg (H.264, yuv420p, MP4).

    ffmpeg is started without ``preexec_fn`` (imageio-ffmpeg's ``write_frames`` sets one, and a
    fork that runs Python code while rendering threads hold library locks can hang;
    imageio-ffmpeg issue 58), through :func:`geospacexr._children.popen_tied`, so the kernel
    kills it if this process dies (Linux; elsewhere it sees its stdin close);
    ``process_group=0`` keeps Ctrl-C from reaching it first. libx264 encodes at the preset
    ``io.movie_preset`` and the constant rate factor ``io.movie_crf`` (checked when set).
    """
    import subprocess
    import tempfile

    import imageio_ffmpeg

    settings = config.get().io
    tune = str(settings.movie_tune)
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-y",
        "-loglevel",
        "error",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{width}x{height}",
        "-r",
        f"{fps:g}",
        "-i",
        "-",
        "-an",
        "-c:v",
        "libx264",
        "-preset",
        str(settings.movie_preset),
        "-crf",
        str(int(settings.movie_crf)),
        *(["-tune", tune] if tune not in ("none", "lowdelay") else []),
        "-x264-params",
        ":".join(
            [
                f"rc-lookahead={int(settings.movie_lookahead)}",
                *(_LOW_DELAY if tune == "lowdelay" else ()),
            ]
        ),
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(path),
    ]
    extra: dict[str, Any] = {} if os.name == "nt" else {"process_group": 0}
    with tempfile.TemporaryFile() as log:
        proc = popen_tied(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log, **extra
        )
        assert proc.stdin is not None
        _widen_pipe(proc.stdin.fileno())
        try:
            proc.stdin.write(memoryview(first))  # the pixels as they are, no copy
            for frame in rest:
                proc.stdin.write(memoryview(frame))
            proc.stdin.close()
        except BrokenPipeError:
            pass  # ffmpeg stopped: its message is read below
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        code = proc.wait()
        if code != 0:
            log.seek(0)
            message = log.read().decode(errors="replace").strip().splitlines()
            raise OSError(f"ffmpeg failed (exit {code}): {message[-1] if message else ''}")


def write_frames(
    frames: Iterator[np.ndarray], path: str | os.PathLike[str], fps: float = 10.0
) -> Path:
    """Encode RGB frames to ``.mp4`` (imageio-ffmpeg) or ``.gif`` (Pillow), atomically.

    Frames are streamed to ffmpeg as they come; every frame is padded (white) or cropped to the
    first frame's size, made even for yuv420p. An MP4 is H.264 at the libx264 speed preset
    ``io.movie_preset`` (default ``veryfast``: half the CPU time of x264's ``medium`` for the
    same quality on plots) and the constant rate factor ``io.movie_crf`` (default 23), from
    :mod:`geospacexr.config` (``config.override({"io.movie_preset": "medium"})`` for one call).

    Args:
        frames: ``(h, w, 3)`` uint8 arrays, in order.
        path: Output file, ``.mp4`` or ``.gif``.
        fps: Frames per second.

    Returns:
        The path written.

    Raises:
        ValueError: If the extension is not .mp4 or .gif, or there are no frames.
    """
    out = Path(path)
    kind = out.suffix.lower()
    if kind not in (".mp4", ".gif"):
        raise InvalidArgumentError(f"movies are .mp4 or .gif, not {out.suffix!r}", "path")
    if not fps > 0:
        raise InvalidArgumentError(f"must be positive, not {fps!r}", "fps")
    iterator = iter(frames)
    first = next(iterator, None)
    if first is None:
        raise InvalidArgumentError("a movie needs at least one frame", "frames")
    height = first.shape[0] + first.shape[0] % 2  # yuv420p needs even sizes
    width = first.shape[1] + first.shape[1] % 2

    def fit(frame: np.ndarray) -> np.ndarray:
        if frame.shape[:2] == (height, width):
            return np.ascontiguousarray(frame, dtype=np.uint8)
        canvas = np.full((height, width, 3), 255, dtype=np.uint8)
        h, w = min(height, frame.shape[0]), min(width, frame.shape[1])
        canvas[:h, :w] = frame[:h, :w]
        return canvas

    with atomic_path(out) as tmp:
        if kind == ".gif":
            from PIL import Image

            images = [Image.fromarray(fit(first))]
            images.extend(Image.fromarray(fit(f)) for f in iterator)
            images[0].save(
                tmp,
                format="GIF",
                save_all=True,
                append_images=images[1:],
                duration=round(1000 / fps),
                loop=0,
            )
        else:
            _encode_mp4(tmp, fit(first), (fit(f) for f in iterator), width, height, fps)
    return out


def write_movie(
    render: Callable[[int], Any],
    count: int,
    path: str | os.PathLike[str],
    fps: float = 10.0,
    workers: int | None = None,
    progress: bool | None = None,
    *,
    parallel: str = "threads",
) -> Path:
    """Render ``count`` frames with ``render(i)`` (a Figure or an RGB array) and write a movie.

    Frames are rendered in parallel (see :func:`render_frames`) and streamed into the encoder
    (:func:`write_frames`): ``.mp4`` through imageio-ffmpeg's bundled ffmpeg (libx264 at the
    preset ``io.movie_preset`` and quality ``io.movie_crf`` of :mod:`geospacexr.config`), or
    ``.gif`` through Pillow, written to a temporary name and renamed when complete.

    Args:
        render: Returns frame ``i`` as a matplotlib Figure or an ``(h, w, 3)`` uint8 array.
        count: Number of frames.
        path: Output file, ``.mp4`` or ``.gif``.
        fps: Frames per second.
        workers: Parallel workers (default from config ``io.workers``: one per core).
        progress: Show a progress bar (default: when on a terminal).
        parallel: ``"threads"`` (default; any callable), ``"processes"`` (a picklable
            ``render``), ``"dask"`` or ``"none"``.

    Returns:
        The path written.

    Raises:
        ValueError: If the extension is not .mp4 or .gif, or there are no frames.
    """
    out = Path(path)
    if out.suffix.lower() not in (".mp4", ".gif"):
        raise InvalidArgumentError(f"movies are .mp4 or .gif, not {out.suffix!r}", "path")
    if count < 1:
        raise InvalidArgumentError("a movie needs at least one frame", "count")
    frames = render_frames(
        render, count, workers, parallel, progress, reuse=out.suffix.lower() == ".mp4"
    )
    return write_frames(frames, out, fps)
