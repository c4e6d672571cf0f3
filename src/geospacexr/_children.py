"""Child processes that die with their parent.

geospacexr starts two kinds of child process: the ffmpeg that encodes a movie
(:mod:`geospacexr.plot.movie`) and the worker processes that render its frames. Neither may
outlive the Python process that started it (a killed kernel must not leave an ffmpeg writing a
hidden ``.part`` file, or workers rendering frames nobody will read):

* **ffmpeg** (:func:`popen_tied`). On Linux it is started through a tiny trampoline, a ``python -I
  -S -c`` that calls ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (libc through ctypes), checks that its
  parent is still the process that started it, and then replaces itself with ffmpeg (``exec``):
  the death signal survives the ``exec``, so the kernel kills ffmpeg the moment its parent dies,
  whoever else holds its pipes. A ``preexec_fn`` would do the same in one process less, but Python
  documents ``preexec_fn`` as unsafe while other threads run (the child can deadlock before
  ``exec``), and movies are encoded while rendering threads run. Elsewhere (macOS, Windows) ffmpeg
  reads its frames from our pipe: when we die the pipe closes and ffmpeg stops.
* **Frame workers** (:func:`die_with_parent`, called by the pool's initializer): the worker sets
  the same death signal (Linux; it fires when its immediate parent dies, which is us for a
  ``spawn`` pool and the fork server for a ``forkserver`` pool), and starts a daemon thread that
  waits on :func:`multiprocessing.parent_process`'s sentinel, a pipe (a process handle on
  Windows) that becomes ready when the process that created the worker is gone, on every
  platform; the thread then ends the worker at once (``os._exit``), even in the middle of a
  frame.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import Any

__all__ = ["die_with_parent", "popen_tied", "set_parent_death_signal"]

#: ``prctl`` option that sets the signal a process receives when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1
#: Exit status of a trampoline whose parent died before ffmpeg could be started.
_ORPHANED = 70
#: Exit status of a frame worker ended by its watchdog because the parent is gone.
_PARENT_GONE = 71

# The trampoline: no imports beyond the standard library, no site packages (-I -S), so it starts
# in milliseconds. argv: <parent pid> <program> <args...>
_TRAMPOLINE = (
    "import ctypes, os, signal, sys\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "if libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) != 0:\n"
    "    sys.exit('prctl(PR_SET_PDEATHSIG) failed: ' + os.strerror(ctypes.get_errno()))\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    f"    os._exit({_ORPHANED})\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


def _linux() -> bool:
    return sys.platform.startswith("linux")


def set_parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux only).

    The signal is tied to the thread that created this process, survives ``exec`` (except into
    set-user-ID programs) and is cleared in this process's own children.

    Args:
        sig: The signal (default ``SIGKILL``).

    Returns:
        Whether it was set: ``False`` off Linux or where ``prctl`` is unavailable.
    """
    if not _linux():
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0)
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return False


def _watch(sentinel: Any) -> None:
    """Block until ``sentinel`` is ready (the parent is gone), then end this process."""
    from multiprocessing.connection import wait

    with contextlib.suppress(Exception):
        wait([sentinel])
    os._exit(_PARENT_GONE)


def die_with_parent() -> bool:
    """Make this worker process end when the process that created it ends.

    Meant for the initializer of a process pool: sets the Linux parent-death signal
    (:func:`set_parent_death_signal`) and, on every platform, starts a daemon thread that waits
    on the parent's sentinel (:func:`multiprocessing.parent_process`) and calls ``os._exit`` when
    it fires. If the parent is already gone, the thread ends the process straight away.

    Returns:
        Whether it was set up; ``False`` (and nothing done) in a process that multiprocessing
        did not start, which has no parent sentinel.
    """
    import multiprocessing

    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    if sentinel is None:
        return False
    set_parent_death_signal()
    threading.Thread(target=_watch, args=(sentinel,), name="geospacexr-parent-watch",
                     daemon=True).start()  # fmt: skip
    return True


def _trampoline_python() -> str | None:
    exe = sys.executable
    if exe and os.path.isfile(exe) and os.access(exe, os.X_OK):
        return exe
    return None  # pragma: no cover - embedded interpreters without an executable


def popen_tied(cmd: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """Start ``cmd`` like :class:`subprocess.Popen`, killed by the kernel if we die (Linux).

    On Linux the command is started through a trampoline that sets ``PR_SET_PDEATHSIG`` to
    ``SIGKILL`` and then replaces itself with it (``exec``: same process id, so ``proc.pid`` is the
    command's). The death signal is tied to the calling thread: call this from a thread that lives
    as long as the child is needed. Elsewhere the command is started as is (give it a pipe from us,
    such as ``stdin=PIPE``, so that it sees end-of-file when we die).

    Args:
        cmd: Program and arguments (``cmd[0]`` searched on ``PATH`` if it has no slash).
        **kwargs: Passed to :class:`subprocess.Popen` (not ``preexec_fn``).

    Returns:
        The running process.

    Raises:
        TypeError: If ``preexec_fn`` or ``shell`` is given.
    """
    if "preexec_fn" in kwargs or kwargs.get("shell"):
        raise TypeError("popen_tied takes an argument list, without preexec_fn or shell")
    args = [str(a) for a in cmd]
    python = _trampoline_python() if _linux() else None
    if python is not None:
        args = [python, "-I", "-S", "-c", _TRAMPOLINE, str(os.getpid()), *args]
    return subprocess.Popen(args, **kwargs)
