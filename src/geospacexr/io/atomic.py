"""Atomic writes: nothing geospacexr writes is ever left half-written.

Every writer in the package goes through :func:`atomic_path` (for libraries that write to a path,
such as ``Dataset.to_netcdf``, ``Figure.savefig`` or a movie encoder) or :func:`atomic_write`
(for a file object). Both write a temporary file in the target folder, flush and ``fsync`` it,
then ``os.replace`` it onto the target and ``fsync`` the folder. A process killed half-way leaves
the old file (or no file) and at most a hidden ``.<name>.<random>.part`` temporary, never a
truncated target.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import InvalidArgumentError

__all__ = ["atomic_path", "atomic_write", "umask", "write_netcdf"]

_PART = ".part"


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def umask() -> int:
    """Return the process's file-creation mask (without changing it).

    Returns:
        The umask, e.g. ``0o022``: new files get mode ``0o666 & ~umask()``, folders
        ``0o777 & ~umask()``.
    """
    mask = os.umask(0)
    os.umask(mask)
    return mask


_umask = umask  # the old private name


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success, move it onto ``path`` atomically.

    Args:
        path: The final file.
        suffix: Suffix of the temporary file (default: ``path``'s own suffix, so that libraries
            that choose a format from the extension, such as matplotlib, still do).

    Yields:
        The temporary path to write to.

    Example:
        >>> with atomic_path("out.nc") as tmp:      # doctest: +SKIP
        ...     ds.to_netcdf(tmp)
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    suffix = target.suffix if suffix is None else suffix
    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=f"{_PART}{suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync_file(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give a normal file's mode
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str], mode: str = "wb", **open_kwargs: Any
) -> Iterator[IO[Any]]:
    """Open a temporary file for writing; on success, move it onto ``path`` atomically.

    Args:
        path: The final file.
        mode: ``"wb"`` or ``"w"`` (text; pass ``encoding=`` as for :func:`open`).
        **open_kwargs: Passed to :func:`open`.

    Yields:
        The open file object.

    Raises:
        InvalidArgumentError: If ``mode`` is not a write mode (a ``ValueError``).
    """
    if mode not in {"w", "wb", "wt"}:
        raise InvalidArgumentError(
            f"atomic_write writes whole files: mode must be 'w' or 'wb', not {mode!r}"
        )
    with atomic_path(path) as tmp, open(tmp, mode, **open_kwargs) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


def write_netcdf(ds: Any, path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Write an xarray Dataset to NetCDF atomically.

    Args:
        ds: The Dataset (or DataArray).
        path: Output file.
        **kwargs: Passed to ``to_netcdf`` (``engine``, ``encoding``...).

    Returns:
        The path written.
    """
    with atomic_path(path) as tmp:
        ds.to_netcdf(tmp, **kwargs)
    return Path(path)
