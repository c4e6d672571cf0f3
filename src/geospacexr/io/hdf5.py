"""Checks every HDF5 reader applies before it reads a dataset's values.

An HDF5 dataset can keep its values outside the file: *external storage* (raw bytes at an offset
of any other file, e.g. ``/etc/passwd``) or a *virtual dataset* (a view of datasets in other
files, filled with the fill value where a source file is missing). A reader that follows either
shows whatever those files hold, or silently invented fill values, as if they were the image.
Both are refused unless the configuration allows them (``io.hdf5_external_storage``); when
allowed, a virtual dataset whose source files are missing is still an error.

A dataset also declares its shape and type before any value is read: a chunked dataset with no
chunk written can declare a million frames in a file of a few kilobytes. :func:`check_size`
compares the declaration with the ``[io]`` limits (:mod:`geospacexr.io.limits`) so a reader
refuses it before allocating.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .. import config
from ..errors import FileFormatError
from .h5safe import ChunkChecker
from .limits import Limits

__all__ = ["check_chunks", "check_size", "check_storage"]


def check_size(
    dataset: Any,
    path: str | Path,
    limits: Limits | None = None,
    *,
    kinds: str = "biuf",
    count: int | None = None,
) -> Any:
    """Refuse an HDF5 dataset whose declared type or size would make reading it run away.

    Checks the declaration only (shape and dtype, from the file's metadata), so nothing is
    allocated: the dtype must be one of ``kinds`` (numpy kind letters: ``"S"`` for fixed
    strings, ``"O"`` for variable-length ones) and the whole array (or ``count`` elements of it)
    must fit in ``io.max_array_mb``.

    Args:
        dataset: An ``h5py.Dataset``.
        path: The file it belongs to (for the message).
        limits: The limits (default: those in force in the calling context).
        kinds: Accepted numpy dtype kinds.
        count: Elements that will be read, when not the whole dataset.

    Returns:
        ``dataset``, unchanged.

    Raises:
        FileFormatError: If ``dataset`` is not a dataset, has another dtype kind (compound,
            enum, reference...) or would take more than ``io.max_array_mb``.
    """
    name = getattr(dataset, "name", "?")
    dtype = getattr(dataset, "dtype", None)
    shape = getattr(dataset, "shape", None)
    if dtype is None or shape is None:
        raise FileFormatError(f"{name} is not an HDF5 dataset", path=path)
    if dtype.kind not in kinds or dtype.names is not None:
        raise FileFormatError(
            f"{name} has the HDF5 type {dtype}, not one this reader can use", path=path
        )
    elements = int(np.prod(shape, dtype=object)) if count is None else int(count)
    (limits or Limits.current()).check_array(
        elements * max(dtype.itemsize, 1),
        path,
        f"{name} (declared {'x'.join(str(n) for n in shape) or 'scalar'} {dtype})",
    )
    return dataset


def check_storage(dataset: Any, path: str | Path) -> Any:
    """Refuse an HDF5 dataset whose values live in other files.

    Args:
        dataset: An ``h5py.Dataset``.
        path: The file it belongs to (for the message and to resolve virtual sources).

    Returns:
        ``dataset``, unchanged.

    Raises:
        FileFormatError: External storage or a virtual dataset while
            ``io.hdf5_external_storage`` is off, or a virtual dataset with a missing source.
    """
    allowed = bool(config.get().io.hdf5_external_storage)
    name = getattr(dataset, "name", "?")
    external = getattr(dataset, "external", None)
    if external:
        if not allowed:
            files = ", ".join(str(entry[0]) for entry in external)
            raise FileFormatError(
                f"{name} keeps its values in other file(s) ({files}: HDF5 external storage); "
                "refused (set io.hdf5_external_storage = true to read it)",
                path=path,
            )
    if getattr(dataset, "is_virtual", False):
        sources = dataset.virtual_sources()
        if not allowed:
            files = ", ".join(sorted({s.file_name for s in sources}))
            raise FileFormatError(
                f"{name} is an HDF5 virtual dataset over {files}; refused "
                "(set io.hdf5_external_storage = true to read it)",
                path=path,
            )
        folder = Path(path).parent
        for source in sources:
            if source.file_name != "." and not (folder / source.file_name).exists():
                raise FileFormatError(
                    f"{name} is a virtual dataset whose source {source.file_name} is missing",
                    path=path,
                )
    return dataset


def check_chunks(dataset: Any, path: str | Path) -> Any:
    """Check every stored compressed chunk of an HDF5 dataset in Python before libhdf5 decodes it.

    A damaged deflate stream (one that inflates past its chunk's size) decoded by libhdf5
    can leave the process to crash later (:class:`~geospacexr.io.h5safe.ChunkChecker`); call
    this after :func:`check_size` and before reading the whole dataset.

    Args:
        dataset: An ``h5py.Dataset``.
        path: The file it belongs to.

    Returns:
        ``dataset``, unchanged.

    Raises:
        FileFormatError: A damaged chunk (named with the dataset and the chunk's index).
    """
    name = getattr(dataset, "name", None)
    if name and getattr(dataset, "chunks", None) is not None:
        ChunkChecker(path).check(name, None)
    return dataset
