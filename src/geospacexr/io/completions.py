"""Completions: what a science package adds to the Datasets a reader returns.

A reader imports no science (``tests/test_layers.py``). Where its Dataset should carry something
the files lack but science determines from what they hold (the ``gcm`` package computes ZG from
Z for the TIE-GCM reader; the ``rio`` package gives a riometer site's magnetic position), the
science package registers a *completion* with the reader, and the reader runs every registered
completion, in name order, on the Dataset it built: the dependency points from science to io,
never back. Importing :mod:`geospacexr` imports the packages that register them.

Each reader that accepts completions holds one :class:`Completions` and offers its
``register_completion`` and ``list_completions`` (:func:`geospacexr.io.gcm.register_completion`,
:func:`geospacexr.io.riometer.register_completion`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import xarray as xr

from .._registry import Registry
from ..errors import DataWarning, FileFormatError

__all__ = ["Completion", "Completions"]

#: A completion: ``(ds, source) -> ds``, given the reader's standard Dataset (attrs set) and the
#: first file's name for messages; it returns the Dataset with what it adds (lazily: no
#: ``.values`` on whole fields), or ``ds`` unchanged.
Completion = Callable[[xr.Dataset, str], xr.Dataset]


class Completions:
    """The completions registered with one reader.

    Args:
        thing: What an entry is, for messages (``"gcm completion"``).
    """

    def __init__(self, thing: str) -> None:
        self._registry: Registry[Completion] = Registry(thing)

    def register(self, name: str, *, replace: bool = False) -> Callable[[Completion], Completion]:
        """A decorator that registers ``fn(ds, source) -> ds`` under ``name``.

        Args:
            name: The completion's name.
            replace: Replace a completion of the same name.

        Returns:
            The decorator; it returns the function unchanged.
        """

        def decorator(fn: Completion) -> Completion:
            return self._registry.add(name, fn, replace=replace, source=fn)

        return decorator

    def listing(self, details: bool = False) -> list[str] | list[dict[str, str]]:
        """The registered completions' names, sorted, or one dict each.

        Args:
            details: Return one dict per completion (``name``, ``description``, ``function``).

        Returns:
            Sorted names, or the dicts.
        """
        if not details:
            return self._registry.names()
        return [
            {
                "name": name,
                "description": (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else "",
                "function": f"{fn.__module__}.{fn.__qualname__}",
            }
            for name, fn in self._registry.items()
        ]

    def run(self, ds: xr.Dataset, source: str, stacklevel: int = 4) -> xr.Dataset:
        """Run every completion on ``ds``, in name order.

        A completion that fails, or returns something other than a Dataset, is skipped with one
        :class:`~geospacexr.errors.DataWarning` naming it; a
        :class:`~geospacexr.errors.FileFormatError` from it refuses the file, as from the
        reader itself.

        Args:
            ds: The reader's Dataset.
            source: The first file's name, for messages.
            stacklevel: The warnings' stack level, counted from this method.

        Returns:
            The completed Dataset.
        """
        for name, completion in self._registry.items():
            why: Any = None
            try:
                out = completion(ds, source)
            except FileFormatError:
                raise
            except (KeyboardInterrupt, MemoryError):
                raise
            except Exception as exc:
                why = f"skipped ({type(exc).__name__}: {exc})"
            else:
                if isinstance(out, xr.Dataset):
                    ds = out
                    continue
                why = f"returned {type(out).__name__}, not a Dataset; skipped"
            warnings.warn(
                f"{source}: completion {name!r} {why}", DataWarning, stacklevel=stacklevel
            )
        return ds
