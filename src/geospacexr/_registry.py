"""The one registry dialect every extensible part of geospacexr speaks.

Readers, samples, derived fields, emissions, field models, instruments, ASI box metrics and
scaling methods are each held in a :class:`Registry`. Every registry is used the same way:

* a ``register_<thing>`` decorator (or, for table rows, a ``register_<thing>(entry)`` call)
  adds an entry under a name;
* a ``list_<things>()`` function returns the sorted names (``details=True``: one dict per entry,
  each with at least ``name`` and ``description``);
* looking up a name that is not there raises :class:`geospacexr.errors.UnknownNameError`
  (a ``KeyError``), whose message lists the close matches and every known name.

The contract of an entry (what a reader, an emission or a field model must accept and return)
is stated by each domain next to its ``register_<thing>`` function and in ``docs/extending.md``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from .errors import InvalidArgumentError, UnknownNameError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Mapping[str, T], Generic[T]):
    """Named entries of one kind (a read-only mapping; entries are added with :meth:`add`).

    Args:
        thing: What an entry is, singular, for messages (``"reader"``, ``"field model"``).
        loader: Called once, before the first lookup, to import the built-in entries (lets a
            registry live in a light module while its entries live in heavier ones).
        error: The exception raised for an unknown name: :class:`UnknownNameError` or a
            subclass of it (some registries also keep an older, more specific base class).
        case_sensitive: If false, names are stored and looked up in lower case.
        argument: The keyword that takes these names (``"metric"``), if the error should be
            worded as an argument error ("metric must be one of ..., not 'x'").
    """

    def __init__(
        self,
        thing: str,
        *,
        loader: Callable[[], Any] | None = None,
        error: type[UnknownNameError] = UnknownNameError,
        case_sensitive: bool = True,
        argument: str | None = None,
    ) -> None:
        self.thing = thing
        self._entries: dict[str, T] = {}
        self._sources: dict[str, tuple[Any, Any]] = {}
        self._loader = loader
        self._loaded = loader is None
        self._error = error
        self._case_sensitive = case_sensitive
        self._argument = argument

    # -- the mapping -----------------------------------------------------------------------
    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True  # before the call: the loader's imports register entries
            assert self._loader is not None
            self._loader()

    def _key(self, name: str) -> str:
        if not isinstance(name, str):
            raise InvalidArgumentError(
                f"a {self.thing} name is a string, not {type(name).__name__}"
            )
        return name if self._case_sensitive else name.lower()

    def __getitem__(self, name: str) -> T:
        self._load()
        if not isinstance(name, str):
            raise self.unknown(name)
        key = self._key(name)
        try:
            return self._entries[key]
        except KeyError:
            raise self.unknown(name) from None

    def __iter__(self) -> Iterator[str]:
        self._load()
        return iter(sorted(self._entries))

    def __len__(self) -> int:
        self._load()
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        self._load()
        if not isinstance(name, str):
            return False
        return (name if self._case_sensitive else name.lower()) in self._entries

    # -- adding and listing ----------------------------------------------------------------
    def add(self, name: str, entry: T, *, replace: bool = False, source: Any = None) -> T:
        """Add ``entry`` under ``name``.

        Args:
            name: The entry's name.
            entry: The entry.
            replace: Allow replacing an entry of the same name (default: refuse).
            source: The function that defines the entry (a decorated function). Registering
                the same definition again (same module and qualified name: a re-run notebook
                cell, a reloaded module) replaces the entry instead of being refused.

        Returns:
            ``entry``.

        Raises:
            InvalidArgumentError: If the name is taken by another definition and ``replace``
                is false.
        """
        key = self._key(name)
        origin = _origin(source)
        if key in self._entries and not replace and self._entries[key] is not entry:
            if origin is None or self._sources.get(key) != origin:
                raise InvalidArgumentError(
                    f"a {self.thing} named {name!r} is already registered "
                    "(pass replace=True to replace it)"
                )
        self._entries[key] = entry
        self._sources[key] = origin
        return entry

    def listing(
        self, details: bool = False, describe: Callable[[T], dict[str, Any]] | None = None
    ) -> list[str] | list[dict[str, Any]]:
        """The registry's ``list_<things>(details)``: sorted names, or one dict per entry.

        Args:
            details: If true, ``describe(entry)`` for each entry (sorted by name) instead of
                the names.
            describe: Turns an entry into a dict with at least ``name`` and ``description``.

        Returns:
            The names, or the dicts.
        """
        if not details:
            return self.names()
        if describe is None:
            raise InvalidArgumentError(f"the {self.thing} registry has no details", "details")
        return [describe(self[name]) for name in self]

    def remove(self, name: str) -> None:
        """Remove the entry ``name`` (tests and plug-ins that replace an entry use it).

        Args:
            name: The entry's name.

        Raises:
            UnknownNameError: If there is no such entry.
        """
        self._load()
        key = self._key(name)
        if key not in self._entries:
            raise self.unknown(name)
        del self._entries[key]
        self._sources.pop(key, None)

    def names(self) -> list[str]:
        """Return the sorted names."""
        return list(self)

    def unknown(self, name: object) -> UnknownNameError:
        """Return the error for an unknown ``name``, naming the close matches and all names.

        Args:
            name: The name that was not found.

        Returns:
            The exception (not raised).
        """
        self._load()
        known = sorted(self._entries)
        close = difflib.get_close_matches(str(name).lower(), [k.lower() for k in known], n=3)
        close_names = [k for c in close for k in known if k.lower() == c]  # best first
        hint = f"; did you mean {' or '.join(map(repr, close_names))}?" if close_names else ""
        message = f"unknown {self.thing} {name!r}{hint} (known: {', '.join(known) or 'none'})"
        if self._argument:
            message = f"{self._argument} must be one of {', '.join(known)}, not {name!r}{hint}"
        return self._error(
            message,
            name=str(name),
            candidates=tuple(close_names),
        )


def _origin(source: Any) -> tuple[Any, Any] | None:
    """(module, qualified name) of a defining function, or ``None`` when unknown."""
    key = (getattr(source, "__module__", None), getattr(source, "__qualname__", None))
    return None if None in key else key
