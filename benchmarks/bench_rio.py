"""Riometers: reading a site-month of NORSTAR files and a day of SWAN HSR, against pyucalgarysrs.

The input is written by ``geospacexr._synth.riometer`` (the generator of the samples, in the
exact layouts pyucalgarysrs 1.28 reads; no real riometer file is public offline) into a
temporary folder: 30 daily NORSTAR K0 text files of Gillam at 5 s (17 280 rows a day, ~13 MB)
and one SWAN HSR K0 HDF5 day of Meanook (86 400 samples x 8 bands, 1 s, gzip).

Every side runs in its own fresh process (ours in this interpreter, pyucalgarysrs in the one
given with ``--ref-python``, default ``$GEOSPACEXR_REF_UCALGARY``, the ``ucalgary``
environment of ``.ci/refenvs``), each timed by ``_timing.measure`` (cold = the first call,
warm = best of ``--repeat`` further calls, the same repeats on both sides):

* reading the month: ``geospacexr.open_riometer(files)`` (one Dataset, days concatenated and
  checked) against ``PyUCalgarySRS().data.readers.read_norstar_riometer(files)`` (one object
  per file), both single-process (pyucalgarysrs' default ``n_parallel=1``);
* reading the HSR day: ``open_riometer`` against ``read_swan_hsr``;
* the quiet-day curves, which have no peer (PyUCRio and pyucalgarysrs compute none): the
  month's QDCs and absorption (``geospacexr.rio.absorption_by_window``, 14-day windows, from
  the Dataset already read) as the time per site-month and MB/s of the files' text; the HSR
  day's 8-band QDC and absorption likewise.

Target (issue 22): reading at least 3x faster than pyucalgarysrs. Writes
``results/bench_rio.json`` (rendered into README.md by ``report.py``).

    python benchmarks/bench_rio.py --ref-python /work/scratch/refenvs/ucalgary/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import TIMER_SOURCE, Recorder

DAYS = 30
START = "2007-04-01"
QDC_DAYS = 14

OURS_SNIPPET = (
    "import json, sys\n"
    + TIMER_SOURCE
    + """
import glob
import geospacexr, geospacexr.rio
task, folder, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = {}
if task == "norstar":
    files = sorted(glob.glob(folder + "/*.txt"))
    out["timing"] = measure(lambda: geospacexr.open_riometer(files), repeat)
    ds = geospacexr.open_riometer(files)
    out["samples"] = int(ds.sizes["time"])
    out["qdc"] = measure(lambda: geospacexr.rio.absorption_by_window(ds, days=int(sys.argv[4])), repeat)
    out["windows"] = int(geospacexr.rio.absorption_by_window(ds, days=int(sys.argv[4])).sizes["window"])
elif task == "hsr":
    files = sorted(glob.glob(folder + "/*.h5"))
    out["timing"] = measure(lambda: geospacexr.open_riometer(files), repeat)
    ds = geospacexr.open_riometer(files)
    out["samples"] = int(ds.sizes["time"]) * int(ds.sizes["frequency"])
    out["qdc"] = measure(lambda: geospacexr.rio.absorption_by_window(ds, days=1), repeat)
print(json.dumps(out))
"""
)

PEER_SNIPPET = (
    "import json, sys\n"
    + TIMER_SOURCE
    + """
import glob
import pyucalgarysrs
task, folder, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
readers = pyucalgarysrs.PyUCalgarySRS().data.readers
out = {"versions": package_versions("pyucalgarysrs", "numpy", "h5py")}
if task == "norstar":
    files = sorted(glob.glob(folder + "/*.txt"))
    read = lambda: readers.read_norstar_riometer(files, quiet=True)
    out["timing"] = measure(read, repeat)
    data = read()
    out["samples"] = sum(len(d.timestamp) for d in data.data)
elif task == "hsr":
    files = sorted(glob.glob(folder + "/*.h5"))
    read = lambda: readers.read_swan_hsr(files, quiet=True)
    out["timing"] = measure(read, repeat)
    data = read()
    out["samples"] = sum(d.raw_power.size for d in data.data)
print(json.dumps(out))
"""
)


def make_input(folder: Path, days: int) -> tuple[Path, Path]:
    """Write the NORSTAR month and the HSR day; returns their folders."""
    from geospacexr._synth import riometer

    norstar, hsr = folder / "norstar", folder / "hsr"
    norstar.mkdir()
    hsr.mkdir()
    riometer.write_norstar(norstar, start=START, days=days, levels=("k0",))
    riometer.write_hsr(hsr)
    return norstar, hsr


def _run(python: str, snippet: str, *args: str) -> dict:
    proc = subprocess.run(
        [python, "-c", snippet, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{python} {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=DAYS, help="days of NORSTAR files")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--ref-python",
        default=os.environ.get("GEOSPACEXR_REF_UCALGARY"),
        help="interpreter with pyucalgarysrs 1.28 (default $GEOSPACEXR_REF_UCALGARY)",
    )
    args = parser.parse_args()
    rec = Recorder(
        "bench_rio",
        f"riometers: a site-month ({args.days} days) of 5 s NORSTAR K0 text files and a day "
        "of SWAN HSR (8 bands, 1 s) read, and their quiet-day curves (peer: pyucalgarysrs "
        "1.28's readers on the same files; the QDC has no peer)",
        peer="pyucalgarysrs",
    )
    rep = str(args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        norstar, hsr = make_input(Path(tmp), args.days)
        n_mb, h_mb = _mb(norstar), _mb(hsr)
        ours = {
            "norstar": _run(sys.executable, OURS_SNIPPET, "norstar", str(norstar), rep,
                            str(QDC_DAYS)),
            "hsr": _run(sys.executable, OURS_SNIPPET, "hsr", str(hsr), rep),
        }  # fmt: skip
        peers: dict[str, dict | None] = {"norstar": None, "hsr": None}
        if args.ref_python:
            peers = {
                k: _run(args.ref_python, PEER_SNIPPET, k, str(f), rep)
                for k, f in (("norstar", norstar), ("hsr", hsr))
            }
            rec.peer_versions = peers["norstar"]["versions"]

    def timing(p: dict | None) -> dict | None:
        return p and p["timing"]

    o, p = ours["norstar"], peers["norstar"]
    rec.row(
        f"read a site-month: {args.days} NORSTAR K0 files (open_riometer vs read_norstar_riometer)",
        o["timing"],
        timing(p),
        note=f"{o['samples']:,} samples, {n_mb:.1f} MB of text; ours "
        f"{n_mb / o['timing']['warm']:.0f} MB/s warm"
        + (
            f", pyucalgarysrs {n_mb / p['timing']['warm']:.1f} MB/s ({p['samples']:,} samples)"
            if p
            else ""
        ),
    )
    o, p = ours["hsr"], peers["hsr"]
    rec.row(
        "read a day of SWAN HSR K0 (open_riometer vs read_swan_hsr)",
        o["timing"],
        timing(p),
        note=f"{o['samples']:,} sample-bands, {h_mb:.1f} MB HDF5 (gzip)"
        + (f"; pyucalgarysrs {p['samples']:,}" if p else ""),
    )
    q = ours["norstar"]["qdc"]
    rec.row(
        f"QDCs + absorption of the site-month ({QDC_DAYS}-day windows, "
        f"{ours['norstar']['windows']} QDCs; no peer)",
        q,
        None,
        note=f"time per site-month {q['warm']:.2f} s warm; {n_mb / q['warm']:.0f} MB/s of the "
        f"files' text; read + QDCs {n_mb / (q['warm'] + ours['norstar']['timing']['warm']):.0f} "
        "MB/s",
    )
    q = ours["hsr"]["qdc"]
    rec.row(
        "QDC + absorption of the HSR day, every band (no peer)",
        q,
        None,
        note=f"{h_mb / q['warm']:.1f} MB/s of HDF5; {ours['hsr']['samples'] / q['warm'] / 1e6:.1f}"
        " M sample-bands/s",
    )
    rec.note(
        "Target (issue 22): reading >= 3x pyucalgarysrs. Both readers run in one process "
        "(pyucalgarysrs' default n_parallel=1). Ours returns one checked Dataset (days "
        "concatenated, damaged rows reported); pyucalgarysrs one object per file. The NORSTAR "
        "reader parses a well-formed file with numpy at once and reads line by line only a "
        "file with something unusual in it (which it then names line by line)."
    )
    rec.write({"norstar_mb": n_mb, "hsr_mb": h_mb, "days": args.days})


def test_open_riometer_month(benchmark, tmp_path):
    import geospacexr

    norstar, _ = make_input(tmp_path, 3)
    ds = benchmark(geospacexr.open_riometer, sorted(norstar.glob("*.txt")))
    assert ds.sizes["time"] == 3 * 17280


if __name__ == "__main__":
    main()
