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
    """

    def __init__(
        self,
        thing: str,
        *,
        loader: Callable[[], Any] | None = None,
        error: type[UnknownNameError] = UnknownNameError,
        case_sensitive: bool = True,
    ) -> None:
        self.thing = thing
        self._entries: dict[str, T] = {}
        self._loader = loader
        self._loaded = loader is None
        self._error = error
        self._case_sensitive = case_sensitive

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
    def add(self, name: str, entry: T, *, replace: bool = False) -> T:
        """Add ``entry`` under ``name``.

        Args:
            name: The entry's name.
            entry: The entry.
            replace: Allow replacing an entry of the same name (default: refuse).

        Returns:
            ``entry``.

        Raises:
            InvalidArgumentError: If the name is taken and ``replace`` is false.
        """
        key = self._key(name)
        if key in self._entries and not replace and self._entries[key] is not entry:
            raise InvalidArgumentError(
                f"a {self.thing} named {name!r} is already registered "
                "(pass replace=True to replace it)"
            )
        self._entries[key] = entry
        return entry

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
        return self._error(
            f"unknown {self.thing} {name!r}{hint} (known: {', '.join(known) or 'none'})",
            name=str(name),
            candidates=tuple(close_names),
        )
