"""Many files, one Dataset at a time: the reading side of streamed computations.

A whole night of all-sky images is hundreds of one-minute files; a computation that needs them
all (a night's keogram) takes them one at a time, so only one file's frames are in memory. The
science side takes any iterable of Datasets (:func:`geospacexr.asi.night.stream_keogram`);
this module turns file names into that iterable, skipping unreadable files and listing them.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import xarray as xr

from ..errors import DataWarning, FileFormatError
from .registry import expand_paths

__all__ = ["FileStream", "stream_files"]


class FileStream:
    """Iterable of Datasets opened one file at a time, with the files it could not read.

    Iterating opens each file in turn (the previous one is released as soon as the consumer
    drops it). A file that raises :class:`~geospacexr.errors.FileFormatError` is not yielded;
    its name and the reason are appended to :attr:`skipped`. The reader's own
    :class:`~geospacexr.errors.DataWarning` messages are silenced: the problems it records in
    ``attrs["problematic_files"]`` travel with the Dataset.

    Args:
        paths: The files, in order.
        opener: ``opener(path) -> Dataset``.
        progress: Show a progress bar (default: when on a terminal).
        desc: Label of the progress bar.

    Attributes:
        paths: The files.
        skipped: ``"<file name>: <reason>"`` for every file that could not be read so far.
    """

    def __init__(
        self,
        paths: list[Path],
        opener: Callable[[Path], xr.Dataset],
        progress: bool | None = None,
        desc: str = "files",
    ) -> None:
        self.paths = paths
        self.skipped: list[str] = []
        self._opener = opener
        self._progress = progress
        self._desc = desc

    def __len__(self) -> int:
        return len(self.paths)

    def __iter__(self) -> Iterator[xr.Dataset]:
        from tqdm import tqdm

        disable = None if self._progress is None else not self._progress
        for path in tqdm(self.paths, desc=self._desc, unit="file", disable=disable):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DataWarning)
                    ds = self._opener(path)
            except FileFormatError as exc:
                self.skipped.append(f"{path.name}: {exc}")
                continue
            yield ds


def stream_files(
    files: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    opener: Callable[[Path], xr.Dataset] | None = None,
    progress: bool | None = None,
    desc: str = "files",
) -> FileStream:
    """Name files (a glob, a folder's pattern or a list) to be opened one at a time.

    Args:
        files: The files.
        opener: ``opener(path) -> Dataset`` (default :func:`geospacexr.open_asi`).
        progress: Show a progress bar while iterating (default: when on a terminal).
        desc: Label of the progress bar.

    Returns:
        A :class:`FileStream`.

    Raises:
        NoFilesError: If ``files`` names no existing file.

    Example:
        >>> stream = stream_files("gill/*.pgm.gz")                       # doctest: +SKIP
        >>> keo = geospacexr.asi.night.stream_keogram(stream)            # doctest: +SKIP
    """
    if opener is None:
        from .asi import open_asi

        opener = open_asi
    return FileStream(expand_paths(files), opener, progress, desc)
