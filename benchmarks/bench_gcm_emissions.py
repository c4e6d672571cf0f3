"""GCM emissions over a whole file: geospacexr against GCMprocpy, side by side.

Input: a 2.5 degree TIE-GCM secondary history with 24 hourly times (float32, like a real
secondary; written by ``bench_gcm.write_run`` from the synthetic generator). For each emission
(NO53 and OH83 by default) the whole file is computed, every time and every level:

* geospacexr: ``ds.gcm.emission(name).values``, one lazy vectorised computation;
* GCMprocpy 1.5.2, run in its own interpreter (``--ref-python``): ``arr_mkeno53`` /
  ``arr_mkeoh83`` called for every time and every level, as its API offers.

Each side runs in a fresh process that samples its own resident memory (``/proc/self/statm``)
every few milliseconds; the peak is reported above the memory held just before the computation,
next to the size of the result. Both sides are timed by ``_timing.measure`` with the same
``--repeat`` (the first call alone, "cold", then the best of the further calls, "warm"); the
table goes to ``results/bench_gcm_emissions.json`` and README.md (``report.py``).

    python benchmarks/bench_gcm_emissions.py --ref-python /path/to/venv-with-gcmprocpy/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import Recorder, peer_snippet

CHILD = peer_snippet(r"""
import json, os, sys, threading, time
import numpy as np

PAGE = os.sysconf("SC_PAGE_SIZE")

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE

class Peak:
    def __enter__(self):
        self.base = rss(); self.peak = self.base; self.stop = False
        def watch():
            while not self.stop:
                self.peak = max(self.peak, rss()); time.sleep(0.002)
        self.thread = threading.Thread(target=watch, daemon=True); self.thread.start()
        return self
    def __exit__(self, *exc):
        self.stop = True; self.thread.join(); self.peak = max(self.peak, rss())

side, name, path, repeat = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ntimes = int(sys.argv[5]) if len(sys.argv) > 5 else 0
state = {}
if side == "ours":
    import geospacexr
    ds = geospacexr.open_tiegcm(path)
    times = ds.sizes["time"]

    def compute():
        state["values"] = ds.gcm.emission(name).values
else:
    import logging, warnings
    warnings.filterwarnings("ignore"); logging.disable(logging.CRITICAL)
    import gcmprocpy as g
    from gcmprocpy import data_emissions as de
    func = {"NO53": de.arr_mkeno53, "OH83": de.arr_mkeoh83, "CO215": de.arr_mkeco215}[name]
    d = g.load_datasets(path)
    levs = d[0].ds["lev"].values
    all_times = d[0]._time_values
    times = len(all_times) if ntimes <= 0 else min(ntimes, len(all_times))

    def compute():
        g.clear_data_cache()  # every call computes from the file, as ours does
        state["values"] = np.stack([
            np.stack([np.asarray(func(d, name, t, selected_lev_ilev=float(lev))) for lev in levs])
            for t in all_times[:times]
        ])
with Peak() as peak:
    timing = measure(compute, repeat)
values = state["values"]
print(json.dumps({
    "timing": timing, "times": times, "peak_mb": (peak.peak - peak.base) / 1e6,
    "result_mb": values.nbytes / 1e6, "shape": list(values.shape),
    "versions": package_versions("gcmprocpy", "numpy") if side == "ref" else {},
}))
""")


def run_child(python: str, side: str, name: str, path: Path, repeat: int, ntimes: int) -> dict:
    out = subprocess.run(
        [python, "-c", CHILD, side, name, str(path), str(repeat), str(ntimes)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--ref-python",
        default=os.environ.get("GEOSPACEXR_REF_GCMPROCPY"),
        help="interpreter with gcmprocpy installed (default $GEOSPACEXR_REF_GCMPROCPY)",
    )
    parser.add_argument("--repeat", type=int, default=2, help="warm repeats, both sides")
    parser.add_argument("--emissions", default="NO53,OH83", help="comma-separated names")
    parser.add_argument(
        "--ref-times",
        type=int,
        default=0,
        help="run GCMprocpy on the first N times only and scale its time to all 24 (0: all)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_gcm import write_run

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_2p5deg_sech_001.nc"
        t0 = time.perf_counter()
        write_run(path, 2.5, [float(h) for h in range(24)])
        print(
            f"input: 2.5 deg TIE-GCM secondary, 24 times, {path.stat().st_size / 1e6:.0f} MB "
            f"(made in {time.perf_counter() - t0:.0f} s)"
        )
        rec = Recorder(
            "bench_gcm_emissions",
            "volume emission rates over a whole 2.5 deg TIE-GCM secondary (24 times, every level)",
            peer="GCMprocpy",
        )
        for name in args.emissions.split(","):
            ours = run_child(sys.executable, "ours", name, path, args.repeat, 0)
            ref = None
            note = (
                "same work; ours one lazy vectorised computation, GCMprocpy its arr_mke* "
                "function per time and level"
            )
            if args.ref_python:
                ref = run_child(args.ref_python, "ref", name, path, args.repeat, args.ref_times)
                rec.peer_versions = ref["versions"]
                scale = ours["times"] / ref["times"]
                if scale != 1:
                    for key in ("cold", "warm", "median"):
                        ref["timing"][key] *= scale
                    note += f"; GCMprocpy ran {ref['times']} times, scaled to {ours['times']}"
                note += f"; peak memory +{ours['peak_mb']:.0f} MB ours, +{ref['peak_mb']:.0f} MB GCMprocpy"
            rec.row(
                f"{name}, every time and level {tuple(ours['shape'])}",
                ours["timing"],
                ref and ref["timing"],
                note=note,
            )
        rec.write()


if __name__ == "__main__":
    sys.exit(main())
