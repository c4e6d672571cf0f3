"""Run one damaged file in a forked child under a memory limit and a wall-clock timeout.

The parent has imported geospacexr and warmed each format's workload on a valid seed, so a
child starts in milliseconds; each child sets ``RLIMIT_AS``, runs the format's workload and
writes a JSON verdict to a file. The parent classifies what it sees:

``ok``
    the workload finished and every sanity check passed;
``gx-error``
    an exception derived from :class:`geospacexr.errors.GeospacexrError` (without a
    ``MemoryError`` in its chain);
``foreign``
    any other exception type escaped (type, message and traceback tail recorded);
``memory``
    a ``MemoryError`` escaped, or was wrapped in a geospacexr error (found in ``__cause__`` /
    ``__context__``): with no limit that file grows until the machine dies;
``timeout``
    the child ran past the wall-clock limit and was killed;
``crash``
    the child died on a signal or exited without a verdict;
``silently-wrong``
    the workload finished but returned something that cannot be right (a time outside
    1950-2100 or NaT, or a file the mutation made unreadable by intent, such as HDF5 external
    storage pointing at ``/etc/passwd``, read without a word).
"""

from __future__ import annotations

import faulthandler
import json
import os
import resource
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUTCOMES = ("ok", "gx-error", "foreign", "memory", "timeout", "crash", "silently-wrong")


@dataclass
class Verdict:
    """What happened to one variant."""

    outcome: str
    exc_type: str = ""
    message: str = ""
    where: str = ""
    traceback_tail: str = ""
    seconds: float = 0.0
    peak_rss_mib: float = 0.0
    cpu_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen and len(seen) < 20:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def classify_exception(exc: BaseException, where: str) -> dict[str, Any]:
    """Classify an exception raised by the workload (runs in the child)."""
    from geospacexr.errors import GeospacexrError

    chain = _chain(exc)
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    tail = "\n".join(tb.strip().splitlines()[-14:])
    if isinstance(exc, MemoryError):
        outcome = "memory"
    elif isinstance(exc, GeospacexrError):
        outcome = "memory" if any(isinstance(e, MemoryError) for e in chain[1:]) else "gx-error"
    else:
        outcome = "foreign"
    return {
        "outcome": outcome,
        "exc_type": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "message": str(exc)[:600],
        "where": where,
        "traceback_tail": tail[-3000:],
    }


def run_workload_here(workload: Callable[[Path, Any], list[str]], path: Path, context: Any) -> dict:
    """Run a workload in this process and return the verdict dict (no limits set here)."""
    stage = {"where": "open"}
    try:
        notes = workload(path, context, stage) or []
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return classify_exception(exc, stage["where"])
    wrong = [n for n in notes if n.startswith("WRONG:")]
    if wrong:
        return {"outcome": "silently-wrong", "message": "; ".join(wrong)[:600], "where": "check"}
    return {"outcome": "ok", "notes": notes}


def set_memory_limit(gib: float) -> None:
    """Limit this process's address space to ``gib`` GiB."""
    limit = int(gib * 1024**3)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _forget_parent_pools() -> None:
    """Drop worker pools a forked child inherited from the parent (their threads are gone).

    The LFM reader keeps a module-level ``spawn`` process pool; the parent's pool (made while
    warming up on the seeds) is unusable after ``fork``, so the child starts its own.
    """
    lfm = sys.modules.get("geospacexr.io.lfm")
    if lfm is not None and hasattr(lfm, "_POOL"):
        lfm._POOL = None


#: How :func:`run_in_child` times a child when not told: ``python -m tests.fuzz --clock``.
CLOCK: dict[str, Any] = {"clock": "wall", "wall_limit": None}


def _group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) of the live processes of process group ``pgid`` (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        # after the command: state, ppid, pgrp, ..., utime (12th), stime (13th)
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def run_in_child(
    workload: Callable[..., list[str]],
    path: Path,
    context: Any,
    *,
    timeout: float,
    mem_gib: float,
    verdict_file: Path,
    clock: str | None = None,
    wall_limit: float | None = None,
) -> Verdict:
    """Fork, run ``workload(path, context)`` under the limits, and classify the result.

    ``clock="wall"`` kills the child after ``timeout`` seconds of wall-clock time. On a shared,
    loaded machine a low-priority child can spend most of that waiting for a core, so
    ``clock="cpu"`` counts the CPU seconds of the child's process group instead (the child and
    any process it started; what a dedicated core would take), with ``wall_limit`` (default 10 x
    ``timeout``) as the bound for a child that blocks without computing.
    """
    clock = clock or CLOCK["clock"]
    wall_limit = wall_limit or CLOCK["wall_limit"]
    if clock not in ("wall", "cpu"):
        raise ValueError(f"clock is 'wall' or 'cpu', not {clock!r}")
    bound = timeout if clock == "wall" else (wall_limit or 10.0 * timeout)
    verdict_file.unlink(missing_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            os.setpgid(0, 0)
            # pytest's faulthandler writes to its own copy of stderr: a crash the child is
            # there to contain would print its traceback into the test log
            faulthandler.disable()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            set_memory_limit(mem_gib)
            _forget_parent_pools()
            result = run_workload_here(workload, path, context)
            verdict_file.write_text(json.dumps(result, default=str))
        except BaseException:
            code = 3
        os._exit(code)
    # parent
    status = None
    rusage = None
    killed = False
    while True:
        wpid, st, ru = os.wait4(pid, os.WNOHANG)
        if wpid == pid:
            status, rusage = st, ru
            break
        elapsed = time.monotonic() - start
        over = elapsed > bound
        if not over and clock == "cpu" and elapsed > 0.5 * timeout:
            over = _group_cpu(pid) > timeout
        if over:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, status, rusage = os.wait4(pid, 0)
            killed = True
            break
        time.sleep(0.01 if elapsed < 1.0 else 0.1)
    seconds = time.monotonic() - start
    peak = rusage.ru_maxrss / 1024 if rusage else 0.0
    cpu = rusage.ru_utime + rusage.ru_stime if rusage else 0.0
    if killed:
        return Verdict(
            "timeout",
            message=(
                f"killed after {timeout:g} s wall ({cpu:.1f} s CPU)"
                if clock == "wall"
                else f"killed after {seconds:.0f} s wall, {cpu:.1f} s CPU (limits: "
                f"{timeout:g} s CPU, {bound:g} s wall)"
            ),
            seconds=seconds,
            peak_rss_mib=peak,
            cpu_s=cpu,
        )
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return Verdict(
            "crash",
            exc_type=f"signal {signal.Signals(sig).name}",
            seconds=seconds,
            peak_rss_mib=peak,
            cpu_s=cpu,
        )
    if not verdict_file.exists():
        return Verdict(
            "crash",
            exc_type=f"exit status {os.WEXITSTATUS(status)} without verdict",
            seconds=seconds,
            peak_rss_mib=peak,
        )
    data = json.loads(verdict_file.read_text())
    verdict_file.unlink(missing_ok=True)
    v = Verdict(
        data["outcome"],
        exc_type=data.get("exc_type", ""),
        message=data.get("message", ""),
        where=data.get("where", ""),
        traceback_tail=data.get("traceback_tail", ""),
        seconds=seconds,
        peak_rss_mib=peak,
        cpu_s=cpu,
        notes=data.get("notes", []),
    )
    return v
