"""The resource limits every image reader checks before it allocates.

A damaged or hostile file can declare anything: 32768x32768 frames in a 2 MB ``.pgm.gz``, a
million frames in a small HDF5 file, an 8 GiB member in a tar. Readers compare what a file
*declares* (PGM size lines, PNG IHDR chunks, HDF5 dataset shapes, tar member sizes) with the
``[io]`` settings below before reading or allocating anything, and refuse the file with a
:class:`~geospacexr.errors.FileFormatError` that names the file, the limit and how to raise it:

* ``io.max_frames`` - frames (or tar members) in one file;
* ``io.max_image_pixels`` - pixels of one frame;
* ``io.max_array_mb`` - bytes of the largest array a file makes a reader allocate;
* ``io.max_decompressed_mb`` - content of one file after decompression.

Readers that decode in worker threads resolve the limits once in the calling thread with
:meth:`Limits.current` and hand them on, because a :func:`geospacexr.config.override` block is
not seen by threads it did not start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..errors import FileFormatError

__all__ = ["Limits", "format_bytes", "how_to_raise"]

_MB = 1024 * 1024


def format_bytes(nbytes: float) -> str:
    """``nbytes`` in the largest binary unit that keeps it at least 1 (``2.0 GiB``).

    Args:
        nbytes: A size in bytes.

    Returns:
        The size as text.
    """
    value = float(nbytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(value) < 1024 or unit == "PiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} PiB"  # pragma: no cover - the loop always returns


def how_to_raise(key: str) -> str:
    """How to raise the limit ``key`` (its environment variable, the file, an override).

    Args:
        key: Dotted key such as ``"io.max_frames"``.

    Returns:
        The advice, for the end of an error message.
    """
    env = "GEOSPACEXR_" + key.replace(".", "_").upper()
    return (
        f"raise it with {env}, the config file or geospacexr.config.override"
        f"({{{key!r}: ...}}) if the file is genuine"
    )


@dataclass(frozen=True)
class Limits:
    """The ``[io]`` limits in force, with checks that raise a :class:`FileFormatError`.

    Attributes:
        max_frames: ``io.max_frames``.
        max_image_pixels: ``io.max_image_pixels``.
        max_array_mb: ``io.max_array_mb``.
        max_decompressed_mb: ``io.max_decompressed_mb``.
    """

    max_frames: int
    max_image_pixels: int
    max_array_mb: float
    max_decompressed_mb: float

    @classmethod
    def current(cls) -> Limits:
        """The limits of the calling context (its :func:`geospacexr.config.override` blocks).

        Returns:
            The :class:`Limits`.
        """
        io = config.get().io
        return cls(
            int(io.max_frames),
            int(io.max_image_pixels),
            float(io.max_array_mb),
            float(io.max_decompressed_mb),
        )

    @property
    def max_array_bytes(self) -> int:
        """``io.max_array_mb`` in bytes."""
        return int(self.max_array_mb * _MB)

    @property
    def max_content_bytes(self) -> int:
        """``io.max_decompressed_mb`` in bytes."""
        return int(self.max_decompressed_mb * _MB)

    def check_frames(
        self, count: int, path: str | os.PathLike[str] | None, what: str, *, counted: bool = False
    ) -> None:
        """Refuse a file that declares more than ``io.max_frames`` frames.

        Args:
            count: Frames (or members) the file declares, or has shown so far.
            path: The file, named in the message.
            what: What is counted, e.g. ``"frames"`` or ``"tar members"``.
            counted: ``count`` is a running count (reading stopped there), not a declaration.

        Raises:
            FileFormatError: If ``count`` exceeds the limit.
        """
        if count > self.max_frames:
            amount = f"holds more than {self.max_frames:,}" if counted else f"declares {count:,}"
            raise FileFormatError(
                f"{amount} {what}, more than io.max_frames={self.max_frames}; "
                f"{how_to_raise('io.max_frames')}",
                path=_path(path),
            )

    def check_image(
        self,
        width: int,
        height: int,
        bytes_per_pixel: int,
        path: str | os.PathLike[str] | None,
        what: str = "frames",
    ) -> None:
        """Refuse frames with more pixels than ``io.max_image_pixels`` (or bytes than one array).

        Args:
            width: Columns the file declares.
            height: Rows the file declares.
            bytes_per_pixel: Bytes one pixel takes once decoded (all channels).
            path: The file, named in the message.
            what: What is declared, e.g. ``"frames"`` or ``"PNG frames"``.

        Raises:
            FileFormatError: If a frame is too large.
        """
        pixels = int(width) * int(height)
        size = f"{width}x{height} {what} ({format_bytes(pixels * bytes_per_pixel)} each)"
        if pixels > self.max_image_pixels:
            raise FileFormatError(
                f"declares {size}, more than io.max_image_pixels={self.max_image_pixels}; "
                f"{how_to_raise('io.max_image_pixels')}",
                path=_path(path),
            )
        self.check_array(pixels * bytes_per_pixel, path, f"one of its {size}")

    def check_array(self, nbytes: int, path: str | os.PathLike[str] | None, what: str) -> None:
        """Refuse an allocation larger than ``io.max_array_mb``.

        Args:
            nbytes: Bytes the reader would allocate.
            path: The file, named in the message.
            what: What would be allocated, e.g. ``"its 400 frames of 512x512"``.

        Raises:
            FileFormatError: If ``nbytes`` exceeds the limit.
        """
        if nbytes > self.max_array_bytes:
            raise FileFormatError(
                f"{what} would take {format_bytes(nbytes)}, more than "
                f"io.max_array_mb={self.max_array_mb:g}; {how_to_raise('io.max_array_mb')}",
                path=_path(path),
            )

    def check_content(self, nbytes: int, path: str | os.PathLike[str] | None, what: str) -> None:
        """Refuse content larger than ``io.max_decompressed_mb``.

        Args:
            nbytes: Bytes of content (a plain file's size, tar members' declared sizes).
            path: The file, named in the message.
            what: What the bytes are, e.g. ``"the file"`` or ``"its tar members"``.

        Raises:
            FileFormatError: If ``nbytes`` exceeds the limit.
        """
        if nbytes > self.max_content_bytes:
            raise FileFormatError(
                f"{what} hold(s) {format_bytes(nbytes)}, more than "
                f"io.max_decompressed_mb={self.max_decompressed_mb:g}; "
                f"{how_to_raise('io.max_decompressed_mb')}",
                path=_path(path),
            )


def _path(path: str | os.PathLike[str] | None) -> Path | None:
    return None if path is None else Path(path)
