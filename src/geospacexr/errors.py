"""The exceptions geospacexr raises.

Every exception is a :class:`GeospacexrError`, so ``except geospacexr.errors.GeospacexrError``
catches anything the toolkit reports on purpose. Each message says what was expected, what was
found and where (file, variable, configuration key), so that a user can act on it.

Where it helps existing code, the specific classes also derive from the matching built-in
exception (``FileFormatError`` is a ``ValueError``, ``MissingVariableError`` a ``KeyError``...).
"""

from __future__ import annotations

__all__ = [
    "CommandLineError",
    "ConfigError",
    "DataWarning",
    "DownloadError",
    "FileFormatError",
    "GeospacexrError",
    "IncompatibleInputError",
    "InvalidArgumentError",
    "MissingVariableError",
    "NoFilesError",
    "OutOfRangeError",
    "ReaderNotFoundError",
    "SampleDataError",
    "SearchFailedError",
    "ServiceAuthError",
    "ServiceError",
    "ServiceMaintenanceError",
    "ServiceNotFoundError",
    "ServiceRateLimitError",
    "ServiceRequestError",
    "ServiceTimeoutError",
    "ServiceUnavailableError",
    "UnknownDerivedError",
    "UnknownEmissionError",
    "UnknownNameError",
    "UnknownReaderError",
    "UnknownSampleError",
    "UnsupportedTypeError",
    "WrongKindError",
]


class GeospacexrError(Exception):
    """Base class of every error geospacexr raises on purpose.

    Attributes:
        argument: The name of the offending Python argument (keyword), when the error is about
            one (:class:`InvalidArgumentError` sets it), else ``None``. Front ends name it in
            their own terms: the command line renders ``height`` as ``--height``, followed by
            :attr:`detail`.
    """

    argument: str | None = None

    @property
    def detail(self) -> str:
        """The message without its argument in front (all of it when there is no argument)."""
        text = str(self)
        prefix = f"{self.argument}: " if self.argument else ""
        return text[len(prefix) :] if prefix and text.startswith(prefix) else text


class FileFormatError(GeospacexrError, ValueError):
    """A file is not in the format its reader expects (truncated, corrupt, wrong layout).

    Args:
        message: What was expected and what was found.
        path: The offending file, if known; it is put in front of the message.
    """

    def __init__(self, message: str, path: object | None = None) -> None:
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {message}" if self.path else message)


class NoFilesError(GeospacexrError, FileNotFoundError):
    """A path, list or glob pattern named no existing file."""


class ReaderNotFoundError(FileFormatError):
    """No registered reader recognises a file (the message names the candidates tried)."""


class MissingVariableError(GeospacexrError, KeyError):
    """A Dataset lacks a variable (or coordinate) that a computation needs.

    Args:
        message: Which variables are needed, which are missing and how to get them.
    """

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class WrongKindError(GeospacexrError, TypeError):
    """A Dataset of one kind (``attrs['geospacexr_kind']``) was given where another is needed."""


class ConfigError(GeospacexrError, ValueError):
    """The configuration file or a ``GEOSPACEXR_*`` environment variable is invalid.

    Args:
        message: What is wrong.
        source: The file path or environment variable name.
        key: The offending key, if known.
        line: The 1-based line number in the file, if known.
    """

    def __init__(
        self,
        message: str,
        source: str | None = None,
        key: str | None = None,
        line: int | None = None,
    ) -> None:
        self.source, self.key, self.line = source, key, line
        where = []
        if source:
            where.append(str(source) + (f", line {line}" if line else ""))
        if key:
            where.append(f"key {key!r}")
        super().__init__(f"{'; '.join(where)}: {message}" if where else message)


class DownloadError(GeospacexrError, OSError):
    """A download failed, or what arrived does not match its expected size or checksum."""


class SampleDataError(GeospacexrError, LookupError):
    """A sample dataset is unknown, or could not be generated into the cache."""


class IncompatibleInputError(GeospacexrError, ValueError):
    """Inputs that cannot be combined (files of different sites, a skymap of another site...)."""


class UnsupportedTypeError(GeospacexrError, TypeError):
    """A value of a type the function cannot handle (a dtype an IDL save file cannot hold...)."""


class DataWarning(UserWarning):
    """Something in the data needs the user's attention, but a result could still be produced."""


class OutOfRangeError(GeospacexrError, ValueError):
    """A requested time, level, pressure or height lies outside what the data cover."""


class InvalidArgumentError(GeospacexrError, ValueError):
    """An argument has a value the function cannot use.

    For example an unknown frame or model name, a pitch angle outside (0, 90] degrees, or a
    missing or out-of-range model parameter.

    Args:
        message: What is wrong.
        argument: The name of the offending argument (kept as :attr:`argument`, so that the
            command line can name its option instead, e.g. ``--height`` for ``height``).
    """

    def __init__(self, message: str, argument: str | None = None) -> None:
        self.argument = argument
        super().__init__(f"{argument}: {message}" if argument else message)


class CommandLineError(InvalidArgumentError):
    """The command line itself is wrong (``geospacexr`` exits with status 2).

    Options that do not go together, a value of the wrong kind, an output format the command
    cannot write.

    Args:
        message: What is wrong, in the command line's terms (``--lon does not apply to ...``).
        argument: The offending option, if one.
    """


class UnknownNameError(GeospacexrError, KeyError):
    """A name that no registry entry has (a reader, sample, emission, field model...).

    Every registry raises it (see :mod:`geospacexr._registry`); the message names the close
    matches and every known name.

    Args:
        message: What was looked up and what is known.
        name: The unknown name.
        candidates: Close matches, best first.
    """

    def __init__(self, message: str, name: str | None = None, candidates: tuple[str, ...] = ()):
        self.name = name
        self.candidates = tuple(candidates)
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


# -- unknown names of the registries that raised a more specific error before the common dialect:
# each inherits from both, so ``except UnknownNameError`` and the older ``except`` clauses catch it.


class UnknownReaderError(UnknownNameError, ReaderNotFoundError):
    """A reader name that no registered reader has (``geospacexr.open(..., reader=...)``)."""


class UnknownSampleError(UnknownNameError, SampleDataError):
    """A sample name that no registered sample has (:mod:`geospacexr.datasets`)."""


class UnknownDerivedError(UnknownNameError, MissingVariableError):
    """A derived-field name that no registered derived field has (:mod:`geospacexr.gcm.derived`)."""


class UnknownEmissionError(UnknownNameError, InvalidArgumentError):
    """An emission name that no registered emission has (:mod:`geospacexr.gcm.emissions`)."""


# -- web services (the AuroraX search API and the TREx ATM, :mod:`geospacexr.aurorax`)


class ServiceError(GeospacexrError, OSError):
    """A web service refused a request or failed to answer (the message is the server's).

    Args:
        message: What went wrong, with the server's own message.
        status: The HTTP status code, if an answer came.
        code: The service's ``error_code``, if its answer had one.
        url: The URL without its query string (never a key or a header).
    """

    def __init__(
        self,
        message: str,
        status: int | None = None,
        code: str | None = None,
        url: str | None = None,
    ) -> None:
        self.status, self.code, self.url = status, code, url
        super().__init__(message)

    def __str__(self) -> str:  # OSError would format its arguments
        return str(self.args[0]) if self.args else ""


class ServiceRequestError(ServiceError, ValueError):
    """HTTP 400 or 422: the service found the request invalid (its ``detail`` is in the message)."""


class ServiceAuthError(ServiceError, PermissionError):
    """HTTP 401 or 403: a missing, wrong or insufficient API key."""


class ServiceNotFoundError(ServiceError):
    """HTTP 404: no such endpoint, search request or data source."""


class ServiceRateLimitError(ServiceError):
    """HTTP 429: too many requests (``retry_after``: the server's wait in seconds, if given)."""

    retry_after: float | None = None


class ServiceUnavailableError(ServiceError):
    """HTTP 5xx (after the configured retries for 502, 503 and 504)."""


class ServiceMaintenanceError(ServiceUnavailableError):
    """HTTP 503 with the service's maintenance page: try again later."""


class ServiceTimeoutError(ServiceError, TimeoutError):
    """No answer within the request timeout after every retry, or a search not done in time."""


class SearchFailedError(ServiceError):
    """A search the service accepted ended with ``error_condition`` true (its last log line)."""
