"""Atomic writes: nothing geospacexr writes is ever left half-written.

Every writer in the package goes through :func:`atomic_path` (for libraries that write to a path,
such as ``Dataset.to_netcdf``, ``Figure.savefig`` or a movie encoder) or :func:`atomic_write`
(for a file object). Both write a temporary file in the target folder, flush and ``fsync`` it,
then ``os.replace`` it onto the target and ``fsync`` the folder. A process killed half-way leaves
the old file (or no file) and at most a hidden ``.<name>.<host>.<pid>.<random>.part`` temporary,
never a truncated target; the next write to the same target removes the temporaries of writers
on this host whose process no longer exists (never those of a live writer or another host).

Only regular files are written: an existing target that is a directory, a symbolic link, a FIFO
or a device is refused before anything is written (``os.replace`` would otherwise replace the
link or the special file itself, e.g. ``/dev/null`` when run as root).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import InvalidArgumentError

__all__ = [
    "atomic_path",
    "atomic_write",
    "check_folder",
    "check_target",
    "remove_stale_parts",
    "umask",
    "write_netcdf",
]

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


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname()) or "host"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def check_target(path: str | os.PathLike[str]) -> None:
    """Refuse a target path that exists and is not a regular file.

    Args:
        path: The file about to be written (or replaced by a rename).

    Raises:
        InvalidArgumentError: If ``path`` is a symbolic link (even to a regular file), a
            directory, a FIFO, a character or block device or a socket.
    """
    target = Path(path)
    try:
        mode = os.lstat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):  # a missing folder: made or refused later
        return
    for test, what in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            raise InvalidArgumentError(
                f"{target} is {what}: geospacexr writes regular files only (give a file path)",
                "path",
            )


_check_target = check_target  # the old private name


def check_folder(folder: str | os.PathLike[str], what: str, argument: str = "path") -> None:
    """Refuse a folder that cannot be made or written into (before any work is done).

    The nearest existing folder of ``folder`` (itself, or the ancestor it would be created
    in) must be a folder this process can write into.

    Args:
        folder: The folder a file is about to be written in.
        what: What is written there, for the message (``"the keogram"``).
        argument: The argument named in the error (``"-o"``, ``"output"``).

    Raises:
        InvalidArgumentError: If that folder is not a folder or is not writable.
    """
    here = Path(folder)
    while not here.exists() and here.parent != here:
        here = here.parent
    if not here.is_dir():
        raise InvalidArgumentError(
            f"{here} is not a folder: {what} cannot be written in it", argument
        )
    if not os.access(here, os.W_OK | os.X_OK):
        raise InvalidArgumentError(f"{here} is not writable: {what} cannot be written", argument)


def remove_stale_parts(path: str | os.PathLike[str], *, directories: bool = False) -> list[Path]:
    """Remove the temporaries that killed writers left next to ``path``.

    A temporary is stale when it was made on this host by a process that no longer exists
    (its name carries host and process id); temporaries of live writers and of other hosts
    (a shared file system) are left alone.

    Args:
        path: The target file (or folder, for writers that build a whole folder aside).
        directories: Also remove stale temporary folders (made by :func:`part_prefix` names,
            e.g. a sample generated into a temporary folder that is renamed when complete).

    Returns:
        The temporaries removed.
    """
    target = Path(path)
    pattern = re.compile(
        rf"^\.{re.escape(target.name)}\.{re.escape(_host())}\.(\d+)\..*{re.escape(_PART)}"
    )
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            m = pattern.match(entry.name)
            if not m or _alive(int(m.group(1))):
                continue
            if entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
            elif directories and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(Path(entry.path))
    return removed


def part_prefix(path: str | os.PathLike[str]) -> str:
    """The name prefix of this process's temporaries for ``path`` (host and process id in it).

    Use it with the ``.part`` suffix for temporaries made by other means (``tempfile.mkdtemp``)
    so that :func:`remove_stale_parts` recognises them once their writer is dead.

    Args:
        path: The final file or folder.

    Returns:
        ``.<name>.<host>.<pid>.``
    """
    return f".{Path(path).name}.{_host()}.{os.getpid()}."


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success, move it onto ``path`` atomically.

    Args:
        path: The final file.
        suffix: Suffix of the temporary file (default: ``path``'s own suffix, so that libraries
            that choose a format from the extension, such as matplotlib, still do).

    Yields:
        The temporary path to write to.

    Raises:
        InvalidArgumentError: If ``path`` exists and is not a regular file (a directory, a
            symbolic link, a FIFO, a device or a socket).

    Example:
        >>> with atomic_path("out.nc") as tmp:      # doctest: +SKIP
        ...     ds.to_netcdf(tmp)
    """
    target = Path(path)
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(target)
    suffix = target.suffix if suffix is None else suffix
    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}.{_host()}.{os.getpid()}.",
        suffix=f"{_PART}{suffix}",
        dir=target.parent,
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
