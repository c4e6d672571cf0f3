"""Movies (MP4 or GIF) from figures rendered in parallel, written atomically."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from .. import config
from ..io.atomic import atomic_path

__all__ = ["figure_to_rgb", "write_movie"]


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


def write_movie(
    render: Callable[[int], Any],
    count: int,
    path: str | os.PathLike[str],
    fps: float = 10.0,
    workers: int | None = None,
    progress: bool | None = None,
) -> Path:
    """Render ``count`` frames with ``render(i)`` (a Figure or an RGB array) and write a movie.

    Frames are rendered in parallel threads; the file (``.mp4`` through imageio-ffmpeg's bundled
    ffmpeg, or ``.gif`` through Pillow) is written to a temporary name and renamed when complete.

    Args:
        render: Returns frame ``i`` as a matplotlib Figure or an ``(h, w, 3)`` uint8 array.
        count: Number of frames.
        path: Output file, ``.mp4`` or ``.gif``.
        fps: Frames per second.
        workers: Rendering threads (default from config ``io.workers``: one per core).
        progress: Show a progress bar (default: when on a terminal).

    Returns:
        The path written.

    Raises:
        ValueError: If the extension is not .mp4 or .gif, or there are no frames.
    """
    from tqdm import tqdm

    out = Path(path)
    kind = out.suffix.lower()
    if kind not in (".mp4", ".gif"):
        raise ValueError(f"movies are .mp4 or .gif, not {out.suffix!r}")
    if count < 1:
        raise ValueError("a movie needs at least one frame")
    threads = config.resolve(workers, "io.workers") or (os.cpu_count() or 1)

    def frame(i: int) -> np.ndarray:
        item = render(i)
        rgb = item if isinstance(item, np.ndarray) else figure_to_rgb(item)
        return np.ascontiguousarray(rgb[..., :3], dtype=np.uint8)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        frames = list(
            tqdm(
                pool.map(frame, range(count)),
                total=count,
                desc="movie",
                unit="frame",
                disable=None if progress is None else not progress,
            )
        )
    height = max(f.shape[0] for f in frames)
    width = max(f.shape[1] for f in frames)
    height += height % 2  # yuv420p needs even sizes
    width += width % 2
    padded = []
    for f in frames:
        canvas = np.full((height, width, 3), 255, dtype=np.uint8)
        canvas[: f.shape[0], : f.shape[1]] = f
        padded.append(canvas)
    with atomic_path(out) as tmp:
        if kind == ".gif":
            from PIL import Image

            images = [Image.fromarray(f) for f in padded]
            images[0].save(
                tmp,
                format="GIF",
                save_all=True,
                append_images=images[1:],
                duration=round(1000 / fps),
                loop=0,
            )
        else:
            import imageio_ffmpeg

            writer = imageio_ffmpeg.write_frames(
                str(tmp),
                (width, height),
                fps=fps,
                codec="libx264",
                pix_fmt_out="yuv420p",
                macro_block_size=1,
                ffmpeg_log_level="error",
            )
            writer.send(None)
            for f in padded:
                writer.send(f)
            writer.close()
    return out
