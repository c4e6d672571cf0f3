"""The one place geospacexr caches computed results: bounded in memory, then on disk.

Science modules compute; they never write files. When a result is worth keeping between runs
(a mosaic's pixel-to-grid matrix takes seconds to build and is reused for every frame of every
night), the science module hands it to a :class:`ResultCache`, which

* keeps the most recently used results in memory, at most ``cache.<size_key>`` of them
  (:class:`geospacexr._caches.BoundedCache`, emptied by :func:`geospacexr.clear_caches`);
* stores each result as one ``.npz`` file of named arrays in ``<paths.cache_dir>/<folder>/``,
  written atomically (:func:`geospacexr.io.atomic.atomic_path`), so a killed process never
  leaves a truncated file; a damaged file is deleted and counts as a miss; an unwritable cache
  folder only costs the next run the computation.

The science module supplies ``encode`` (result -> named arrays) and ``decode`` (named arrays ->
result), so this module knows nothing about what it stores.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .. import config
from .._caches import BoundedCache
from .atomic import atomic_path

__all__ = ["ResultCache", "cache_folder"]


def cache_folder(folder: str) -> Path:
    """Return ``<paths.cache_dir>/<folder>`` (not created).

    Args:
        folder: Sub-folder name.

    Returns:
        The path, from the configuration in force.
    """
    return Path(config.get().paths.cache_dir) / folder


class ResultCache:
    """Results by key: a bounded in-memory cache in front of ``.npz`` files.

    Args:
        name: Dotted name of the in-memory part (see :func:`geospacexr._caches.cache_sizes`).
        folder: Sub-folder of ``paths.cache_dir`` for the files.
        size_key: ``cache.*`` configuration key giving the in-memory size.
        encode: Turns a result into ``{name: array}`` for the file.
        decode: Turns the arrays read back into the result.
        description: What is cached.
    """

    def __init__(
        self,
        name: str,
        folder: str,
        size_key: str,
        encode: Callable[[Any], Mapping[str, np.ndarray]],
        decode: Callable[[Mapping[str, np.ndarray]], Any],
        description: str = "",
    ) -> None:
        self.folder = folder
        self.memory: BoundedCache[Any] = BoundedCache(name, size_key, description)
        self._encode = encode
        self._decode = decode

    def path(self, key: str) -> Path:
        """Return the file that holds ``key``'s result.

        Args:
            key: The result's key (a hex digest: it becomes a file name).

        Returns:
            ``<paths.cache_dir>/<folder>/<key>.npz``.
        """
        return cache_folder(self.folder) / f"{key}.npz"

    def get(self, key: str) -> Any | None:
        """Return the result under ``key`` from memory, else from its file, else ``None``.

        Args:
            key: The result's key.

        Returns:
            The result, or ``None`` on a miss (a damaged file is deleted and is a miss).
        """
        found = self.memory.get(key)
        if found is not None:
            return found
        path = self.path(key)
        if not path.exists():
            return None
        try:
            with np.load(path) as f:
                result = self._decode({name: f[name] for name in f.files})
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            path.unlink(missing_ok=True)  # a damaged cache file: recompute
            return None
        self.memory.put(key, result)
        return result

    def put(self, key: str, result: Any) -> None:
        """Keep ``result`` in memory and write its file (silently skipped if unwritable).

        Args:
            key: The result's key.
            result: The result.
        """
        self.memory.put(key, result)
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(path) as tmp, open(tmp, "wb") as fh:
                np.savez(fh, **self._encode(result))
        except OSError:  # an unwritable cache only costs the next run the computation
            pass

    def clear(self, files: bool = False) -> None:
        """Empty the in-memory part, and with ``files=True`` delete this cache's files too.

        Args:
            files: Also delete ``<paths.cache_dir>/<folder>/*.npz``.
        """
        self.memory.clear()
        if files:
            folder = cache_folder(self.folder)
            for path in folder.glob("*.npz") if folder.is_dir() else ():
                path.unlink(missing_ok=True)
