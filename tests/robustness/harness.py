"""Run damaged files through a reader in worker processes and classify what happens.

:func:`run_cases` builds the cases of :mod:`.damage` batch by batch (a batch's files are deleted
once it has run, so 500 variants of a large file never sit on disk together) and runs each batch
in a worker process (:mod:`.worker`) under an address-space limit. The parent watches every case:
a case whose worker uses no CPU for a wall-clock limit (blocked) or goes on using CPU well past
the case's CPU-time limit (a hang in C code that the worker's alarm cannot interrupt) is a
``timeout``, the worker is killed and the rest of its batch runs in a new one; a worker that
dies is a ``crash`` of the case it was running. A worker slowed down by a loaded machine keeps
using CPU and is not killed for that.

Outcomes (:data:`worker.ORDER`): ``ok``, ``error`` (a ``geospacexr.errors`` exception) are good;
``wrong-data``, ``wrong-time``, ``foreign``, ``memory``, ``timeout`` and ``crash`` are failures,
and so is a control (the undamaged file) that does not read ``ok``.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .damage import Case
from .worker import ORDER, RESTART

WORKER = Path(__file__).with_name("worker.py")
GOOD = ("ok", "error")


@dataclass
class Result:
    """What one case did."""

    case: Case
    outcome: str
    detail: str
    label: str
    cpu: float | None = None  #: CPU seconds the case used (``None``: no answer)

    @property
    def bad(self) -> bool:
        """A failure: a bad outcome, or a control that did not read."""
        return self.outcome not in GOOD or (self.case.control and self.outcome != "ok")


def _reader_thread(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user and system, all threads) process ``pid`` used; ``None`` without /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _run_worker(job: dict, folder: Path, wall: float) -> dict[int, tuple]:
    """Run ``job["cases"]`` in workers until each has an answer: ``{i: (outcome, detail, cpu)}``."""
    answers: dict[int, tuple[str, str, float | None]] = {}
    todo = list(range(len(job["cases"])))
    while todo:
        sub = dict(job, cases=[job["cases"][i] for i in todo])
        job_file = folder / "job.json"
        job_file.write_text(json.dumps(sub))
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), str(job_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_reader_thread, args=(proc.stdout, lines), daemon=True).start()
        err: list[str] = []
        err_thread = threading.Thread(target=err.extend, args=(proc.stderr,), daemon=True)
        err_thread.start()
        started: int | None = None
        # the watchdog: a case is hung when its worker has used no CPU for ``wall`` seconds
        # (blocked), or more CPU than ``hard_cpu`` since START (running in C code that the
        # worker's own CPU-time alarm cannot interrupt). A worker slowed down by a loaded
        # machine (or by nice) keeps using CPU and is not killed for being slow. The first
        # case also pays the imports (and loading a companion file): 60 s more of idleness.
        hard_cpu = 2 * job["timeout"] + 10
        cpu0 = progress_cpu = _cpu_seconds(proc.pid)
        progress_at = time.monotonic()
        idle = wall + 60
        why = ""
        while True:
            try:
                line = lines.get(timeout=1.0)
            except queue.Empty:
                now, cpu = time.monotonic(), _cpu_seconds(proc.pid)
                if cpu is None or progress_cpu is None:  # no /proc: wall-clock time only
                    if now - progress_at > idle:
                        why = f"no answer within {idle:.0f} s of wall-clock time"
                        break
                    continue
                if cpu > progress_cpu + 0.05:
                    progress_cpu, progress_at = cpu, now
                if now - progress_at > idle:
                    why = f"no answer and no CPU used for {idle:.0f} s (blocked)"
                    break
                if started is not None and cpu0 is not None and cpu - cpu0 > hard_cpu:
                    why = f"still running after {cpu - cpu0:.0f} s of CPU time (uninterruptible)"
                    break
                continue
            if line is None:
                break
            if line.startswith("START "):
                started = int(line.split()[1])
                cpu0 = progress_cpu = _cpu_seconds(proc.pid)
                progress_at = time.monotonic()
                idle = wall
            elif line.startswith("RESULT "):
                r = json.loads(line[7:])
                answers[todo[r["i"]]] = (r["outcome"], r["detail"], r.get("cpu"))
                started = None
        hung = bool(why)
        if hung:
            proc.kill()
        proc.wait()
        err_thread.join(timeout=5)  # a dying worker's last words (faulthandler's stack)
        left = [k for k, i in enumerate(todo) if i not in answers]
        if not left:
            break
        if proc.returncode == RESTART and not hung and started is None:
            todo = [i for i in todo if i not in answers]
            continue
        culprit = started if started is not None else left[0]
        if hung:
            answers[todo[culprit]] = (
                "timeout",
                f"{why} (worker killed)",
                None,
            )
        else:
            text = "".join(err)
            fatal = text.find("Fatal Python error")  # faulthandler: the stack, not the modules
            if fatal >= 0:
                text = text[fatal:].split("\nExtension modules:")[0][:3000]
            tail = text[-3000:].strip().replace("\n", " | ")
            answers[todo[culprit]] = (
                "crash",
                f"worker died (exit {proc.returncode}): {tail}",
                None,
            )
        todo = [i for i in todo if i not in answers]
    return answers


def _build_child(cases: list[Case], bdir: Path, conn) -> None:
    """In the builder process: build each case, send ``(path, label, error)`` after each."""
    for case in cases:
        cdir = bdir / f"{case.index:04d}"
        try:
            path = case.build(cdir)
        except Exception as exc:
            conn.send(("", case.label, f"could not build the case: {exc!r}"))
            continue
        label_file = cdir / "LABEL"
        label = f"{case.label}: {label_file.read_text()}" if label_file.exists() else case.label
        conn.send((str(path), label, ""))
    conn.close()


def build_batch(cases: list[Case], bdir: Path) -> list[tuple[str, str, str]]:
    """Build ``cases`` into ``bdir`` in child processes: ``(path, label, error)`` per case.

    The builders edit HDF5 and netCDF files with h5py and netCDF4, native code that must not
    run in the parent: it is not thread-safe (netCDF4 releases the GIL around netCDF-C, which
    has no locks of its own; two batches built at once in the parent's threads killed the
    parent with a segmentation fault). Cases are closures, so the child is a fork. A case
    whose builder raises has ``error`` set; a builder process that dies is reported as the
    error of the case it was building, and the remaining cases are built in a new child.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork")
    out: list[tuple[str, str, str]] = []
    while len(out) < len(cases):
        todo = cases[len(out) :]
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_build_child, args=(todo, bdir, send), daemon=True)
        proc.start()
        send.close()
        got = 0
        while got < len(todo):
            # the sentinel, not EOF: a sibling builder forked meanwhile may hold ``send`` open
            wait([recv, proc.sentinel])
            if recv.poll():
                try:
                    out.append(recv.recv())
                except EOFError:  # the child closed its end without sending: it died
                    break
                got += 1
            elif not proc.is_alive():
                break
        proc.join()
        recv.close()
        if got < len(todo):
            why = f"the builder process died (exit {proc.exitcode})"
            out.append(("", todo[got].label, f"could not build the case: {why}"))
    return out


def run_cases(
    fmt,
    cases: list[Case],
    folder: Path,
    timeout: float = 20.0,
    memory_mb: int = 3072,
    workers: int = 2,
    batch: int = 15,
    companion: Path | None = None,
    forced: bool = False,
    warmup: Path | None = None,
    wall: float | None = None,
) -> list[Result]:
    """Build and run every case in worker processes.

    Args:
        fmt: The :class:`~.damage.Format` (reader, opener, computation, time window).
        cases: From :func:`~.damage.make_cases`.
        folder: Where batches are built (each batch's files are deleted after it ran).
        timeout: CPU seconds allowed per case (all openers and the computation together);
            a worker running in C past ``2 * timeout + 10`` CPU seconds is killed.
        memory_mb: Address-space limit of a worker, MiB.
        workers: Worker processes at once.
        batch: Cases per worker process.
        companion: A valid file the computation needs (see ``Format.companion``).
        warmup: A valid file each worker reads and computes on before its first case, off
            the clock (numba compilation and first-use imports are not the case's time).
        forced: Open with ``geospacexr.open(path, reader=fmt.reader)`` only (for readers
            registered by a test, which have no own opener).
        wall: Wall-clock seconds without an answer and without any CPU used after which a
            case is a ``timeout`` (default ``4 * timeout + 10``).

    Returns:
        One :class:`Result` per case, in order.
    """
    batches = [cases[i : i + batch] for i in range(0, len(cases), batch)]
    # the worker enforces ``timeout`` as CPU time; the parent's watchdog catches cases that
    # block without using CPU or run in C code past the worker's alarm
    wall = 4 * timeout + 10 if wall is None else wall

    def run(k: int) -> list[Result]:
        bdir = folder / f"batch{k:03d}"
        entries, results = [], {}
        for case, (path, label, error) in zip(
            batches[k], build_batch(batches[k], bdir), strict=True
        ):
            if error:  # a builder bug must show, not pass silently
                results[case.index] = Result(case, "crash", error, case.label)
                continue
            entries.append(
                (case, label, {"path": path, "refuse": case.refuse, "openers": case.openers})
            )
        job = {
            "reader": fmt.reader,
            "opener": fmt.opener,
            "compute": fmt.compute,
            "window": list(fmt.window),
            "memory_mb": memory_mb,
            "timeout": max(1, round(timeout)),
            "companion": str(companion) if companion else None,
            "forced": forced,
            "warmup": str(warmup) if warmup else None,
            "cases": [e[2] for e in entries],
        }
        answers = _run_worker(job, bdir, wall) if entries else {}
        for j, (case, label, _) in enumerate(entries):
            outcome, detail, cpu = answers[j]
            results[case.index] = Result(case, outcome, detail, label, cpu)
        shutil.rmtree(bdir, ignore_errors=True)
        return [results[c.index] for c in batches[k]]

    out: list[Result] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(run, range(len(batches))):
            out.extend(part)
    return out


def counts(results: list[Result]) -> Counter:
    """Outcome counts."""
    return Counter(r.outcome for r in results)


def report(name: str, results: list[Result]) -> str:
    """A counts table and every failure (case, kind, label, detail), grouped by kind."""
    c = counts(results)
    head = f"{name}: {len(results)} cases | " + " | ".join(f"{o} {c.get(o, 0)}" for o in ORDER)
    timed = [r for r in results if r.cpu is not None]
    if timed:
        slow = max(timed, key=lambda r: r.cpu)
        head += f" | slowest case {slow.case.index} ({slow.case.kind}) {slow.cpu:.1f} s CPU"
    bad = [r for r in results if r.bad]
    lines = [head]
    for kind in sorted({r.case.kind for r in bad}):
        lines.append(f"  [{kind}]")
        for r in (r for r in bad if r.case.kind == kind):
            control = " (CONTROL: the undamaged file must read)" if r.case.control else ""
            lines.append(f"    case {r.case.index} {r.outcome}{control}: {r.label} -> {r.detail}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run formats by hand: ``python -m tests.robustness.harness [-n N] [-t S] [FORMAT...]``.

    Prints each format's counts table and failures; returns 1 when any case failed.
    """
    import argparse
    import tempfile
    import zlib

    from .damage import FORMATS, make_cases, sample_file

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("formats", nargs="*", default=sorted(FORMATS))
    parser.add_argument("-n", type=int, default=500, help="cases per format")
    parser.add_argument("-t", type=float, default=20.0, help="seconds per case")
    parser.add_argument("--memory-mb", type=int, default=3072)
    parser.add_argument(
        "-j", "--workers", type=int, default=2, help="worker processes at once (default 2)"
    )
    parser.add_argument(
        "--only",
        default="",
        help="run only these case numbers of the -n cases (e.g. 411-421,430), in one worker",
    )
    args = parser.parse_args(argv)
    only = set()
    for part in filter(None, args.only.split(",")):
        a, _, b = part.partition("-")
        only.update(range(int(a), int(b or a) + 1))
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.formats:
            fmt = FORMATS[name]
            src = sample_file(fmt.sample, fmt.pattern)
            companion = sample_file(*fmt.companion) if fmt.companion else None
            cases = make_cases(fmt, src, args.n, zlib.crc32(name.encode()), Path(tmp))
            if only:  # a failure that depends on the cases before it in the same worker
                cases = [c for c in cases if c.index in only]
            results = run_cases(
                fmt,
                cases,
                Path(tmp) / name,
                timeout=args.t,
                memory_mb=args.memory_mb,
                workers=max(1, args.workers),
                batch=len(cases) if only else 25,
                companion=companion,
                warmup=src,
            )
            print(report(name, results), flush=True)
            failed = failed or any(r.bad for r in results)
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())
