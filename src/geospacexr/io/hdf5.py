"""Checks every HDF5 reader applies before it reads a dataset's values.

An HDF5 dataset can keep its values outside the file: *external storage* (raw bytes at an offset
of any other file, e.g. ``/etc/passwd``) or a *virtual dataset* (a view of datasets in other
files, filled with the fill value where a source file is missing). A reader that follows either
shows whatever those files hold, or silently invented fill values, as if they were the image.
Both are refused unless the configuration allows them (``io.hdf5_external_storage``); when
allowed, a virtual dataset whose source files are missing is still an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import config
from ..errors import FileFormatError

__all__ = ["check_storage"]


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
