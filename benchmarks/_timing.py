"""One way to time both sides of every side-by-side benchmark, and one way to record it.

Every bench times geospacexr and the peer package with the SAME function: ``measure`` below.
Its source (``TIMER_SOURCE``) is prepended verbatim to the snippets that run
in the peer's own interpreter, so the two sides cannot drift apart in how they are timed:

* ``cold``: the first call in the process, timed alone. For geospacexr it includes the numba
  compilation (or the load of numba's on-disk cache) and any first-use imports; for the peer,
  its own first-use costs.
* ``warm``: the best (minimum) of ``repeat`` further calls; ``median`` of the same calls is
  recorded too. Both sides always get the same ``repeat``.

``Recorder`` collects rows and writes ``benchmarks/results/<bench>.json`` with the machine,
date, load average (before and after the run: the machine is shared), Python and package
versions and the exact command; ``python benchmarks/report.py`` renders every result file into
``benchmarks/README.md``. No number in that README is typed by hand.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import json
import os
import platform
import shlex
import sys
from importlib import metadata
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def measure(func, repeat):
    """Cold = the first call alone; warm = best (and median) of ``repeat`` further calls."""
    import time

    start = time.perf_counter()
    func()
    cold = time.perf_counter() - start
    warm = []
    for _ in range(max(1, int(repeat))):
        start = time.perf_counter()
        func()
        warm.append(time.perf_counter() - start)
    warm.sort()
    return {"cold": cold, "warm": warm[0], "median": warm[len(warm) // 2], "repeat": len(warm)}


def package_versions(*names):
    """Installed versions of ``names`` (None when absent), for the result file."""
    from importlib import metadata as md

    out = {}
    for name in names:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = None
    return out


# the peer snippets get these two functions' own source: both sides are timed by one code
TIMER_SOURCE = inspect.getsource(measure) + "\n\n" + inspect.getsource(package_versions)


def peer_snippet(body: str) -> str:
    """A peer-side script: the shared timer's source followed by ``body``."""
    return TIMER_SOURCE + "\n" + body


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (None where the OS has none)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine() -> dict:
    """CPU model, logical cores and memory of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024**2, 1)
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_gb, "os": platform.platform()}


def priority() -> dict | None:
    """This process's CPU priority: its nice value and, on Linux, its autogroup's.

    On a shared machine a bench may be run at a raised priority (``echo -15 >
    /proc/self/autogroup`` as root) so that other work takes little of its cores; the load
    average then overstates what the bench competed with, and this records why.
    """
    out: dict = {"nice": os.nice(0)} if hasattr(os, "nice") else {}
    try:
        text = Path("/proc/self/autogroup").read_text().split()
        out["autogroup_nice"] = int(text[text.index("nice") + 1])
    except (OSError, ValueError, IndexError):
        pass
    return out or None


# the bench's process imports this module before any work: its date and load are taken here
_PROCESS_START = _dt.datetime.now(_dt.UTC)
_PROCESS_LOAD = load_average()


class Recorder:
    """Rows of one benchmark run, written as ``results/<name>.json`` for ``report.py``.

    Args:
        name: The bench's file stem (``bench_asi_mosaic``); names the result file.
        title: One line saying what is compared.
        peer: The peer package(s) as shown in the table header (``"PyAuroraX"``), or None.
    """

    def __init__(self, name: str, title: str, peer: str | None = None):
        self.name = name
        self.title = title
        self.peer = peer
        self.rows: list[dict] = []
        self.notes: list[str] = []
        self.peer_versions: dict = {}
        self.load_before = _PROCESS_LOAD
        self.started = _PROCESS_START

    def row(
        self,
        what: str,
        ours: dict | float | None,
        peer: dict | float | None = None,
        *,
        note: str = "",
        unit: str = "s",
        higher_is_better: bool = False,
    ) -> None:
        """Add one line of the table.

        Args:
            what: What is timed.
            ours: ``measure()``'s dict for geospacexr, or a single number (then there is no
                cold/warm split, e.g. a rate or a time that is cold by construction).
            peer: The same for the peer package; None when it was not run.
            note: When the two sides do different work (or anything a reader must know to
                read the ratio honestly), say it here.
            unit: ``"s"`` for times, anything else for rates.
            higher_is_better: True for rates (points/s): the ratio is then ours / peer.
        """
        self.rows.append(
            {
                "what": what,
                "ours": ours,
                "peer": peer,
                "note": note,
                "unit": unit,
                "higher_is_better": higher_is_better,
            }
        )

    def note(self, text: str) -> None:
        """A sentence printed under the table."""
        self.notes.append(text)

    def write(self, extra: dict | None = None) -> Path:
        """Write the result file and print the table to stdout; returns the file's path."""
        import numpy

        versions = {"python": platform.python_version(), "numpy": numpy.__version__}
        for dist in ("geospacexr", "numba", "xarray"):
            try:
                versions[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                versions[dist] = None
        result = {
            "bench": self.name,
            "title": self.title,
            "peer": self.peer,
            "command": "python " + " ".join(shlex.quote(a) for a in _relative_argv()),
            "date": self.started.strftime("%Y-%m-%d %H:%M UTC"),
            "seconds": round((_dt.datetime.now(_dt.UTC) - self.started).total_seconds()),
            "machine": machine(),
            "load_before": self.load_before,
            "load_after": load_average(),
            "priority": priority(),
            "versions": versions,
            "peer_versions": self.peer_versions,
            "rows": self.rows,
            "notes": self.notes,
            **(extra or {}),
        }
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{self.name}.json"
        path.write_text(json.dumps(result, indent=1) + "\n")
        from report import render_one  # benchmarks/ is sys.path[0] when a bench runs

        print(render_one(result))
        print(f"written: {path}")
        return path


def _relative_argv() -> list[str]:
    argv = list(sys.argv)
    if argv:
        try:
            argv[0] = os.path.relpath(argv[0], Path(__file__).resolve().parents[1])
        except ValueError:
            pass
    # interpreter paths of the peers are machine-specific: keep only their role
    out, skip = [], False
    for a in argv:
        if skip:
            out.append("<peer python>")
            skip = False
            continue
        out.append(a)
        skip = a.endswith("-python")
    return out
