"""Every in-memory cache of geospacexr, bounded and registered in one place.

A module that keeps anything between calls (computed matrices, verified checksums, compiled
kernels) registers it here, so that :func:`geospacexr.clear_caches` empties them all and a test
can check each stays within its size. Two kinds:

* :class:`BoundedCache`: a thread-safe least-recently-used mapping whose size is a
  configuration key (``cache.*``, read at every insertion, so an override applies at once);
* :func:`register_cache` for anything else (a compiled-kernel slot, a ``functools.lru_cache``):
  a name, a function that clears it and one that tells its size.

Caches hold values that depend only on their keys, never on who asked, so sharing them between
sessions is safe; the per-session state (configuration overrides) lives in a ContextVar
(:mod:`geospacexr.config`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .errors import InvalidArgumentError

__all__ = ["BoundedCache", "CacheEntry", "cache_sizes", "clear_caches", "register_cache"]

V = TypeVar("V")


@dataclass(frozen=True)
class CacheEntry:
    """One registered cache.

    Attributes:
        name: Dotted name, by convention the owning module's (``"asi.mosaic.matrices"``).
        clear: Empties the cache.
        size: Returns the number of entries held now.
        limit: Returns the largest number of entries allowed (``None``: fixed by the code, e.g.
            one compiled kernel).
        description: What is cached.
    """

    name: str
    clear: Callable[[], None]
    size: Callable[[], int]
    limit: Callable[[], int | None]
    description: str = ""


_REGISTRY: dict[str, CacheEntry] = {}
_REGISTRY_LOCK = threading.Lock()


def register_cache(
    name: str,
    clear: Callable[[], None],
    size: Callable[[], int],
    *,
    limit: Callable[[], int | None] | None = None,
    description: str = "",
) -> CacheEntry:
    """Register a cache so that :func:`clear_caches` empties it.

    Registering the same name again replaces the entry (a module reloaded in a session).

    Args:
        name: Dotted name of the cache.
        clear: Function that empties it.
        size: Function that returns how many entries it holds.
        limit: Function that returns its largest size (default: none stated).
        description: What it holds.

    Returns:
        The entry.
    """
    entry = CacheEntry(name, clear, size, limit or (lambda: None), description)
    with _REGISTRY_LOCK:
        _REGISTRY[name] = entry
    return entry


def clear_caches() -> list[str]:
    """Empty every registered cache.

    Returns:
        The names of the caches cleared, sorted.
    """
    with _REGISTRY_LOCK:
        entries = list(_REGISTRY.values())
    for entry in entries:
        entry.clear()
    return sorted(e.name for e in entries)


def cache_sizes() -> dict[str, tuple[int, int | None]]:
    """Return ``{name: (entries held, limit)}`` for every registered cache.

    Returns:
        The sizes, by cache name (limit ``None`` when the code fixes it).
    """
    with _REGISTRY_LOCK:
        entries = list(_REGISTRY.values())
    return {e.name: (e.size(), e.limit()) for e in sorted(entries, key=lambda e: e.name)}


class BoundedCache(Generic[V]):
    """A thread-safe least-recently-used cache whose size is a configuration key.

    It registers itself under ``name`` on creation.

    Args:
        name: Dotted name for :func:`cache_sizes` and messages.
        size_key: The ``cache.*`` configuration key that gives the largest number of entries
            (0 or less: nothing is kept).
        description: What it holds.

    Example:
        >>> c = BoundedCache("doc.example", "cache.explorer_results")
        >>> c.put("a", 1)
        >>> c.get("a")
        1
    """

    def __init__(self, name: str, size_key: str, description: str = "") -> None:
        if not size_key.startswith("cache."):
            raise InvalidArgumentError(
                f"a cache size is a 'cache.*' configuration key, not {size_key!r}", "size_key"
            )
        self.name = name
        self.size_key = size_key
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()
        register_cache(name, self.clear, self.__len__, limit=self.maxsize, description=description)

    def maxsize(self) -> int:
        """Return the configured largest number of entries (at least 0)."""
        from . import config

        return max(int(config.get().get(self.size_key)), 0)

    def get(self, key: Hashable, default: Any = None) -> V | Any:
        """Return the value under ``key`` (marking it recently used), else ``default``.

        Args:
            key: The key.
            default: Returned when the key is absent.

        Returns:
            The cached value or ``default``.
        """
        with self._lock:
            if key not in self._data:
                return default
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key: Hashable, value: V) -> None:
        """Store ``value`` under ``key``, dropping the least recently used entries beyond the size.

        Args:
            key: The key.
            value: The value.
        """
        limit = self.maxsize()
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > limit:
                self._data.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._data

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._data.clear()

    def __repr__(self) -> str:
        return f"BoundedCache({self.name!r}, {len(self)}/{self.maxsize()} entries)"
