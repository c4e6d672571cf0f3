"""TIE-GCM processing: geospacexr against GCMprocpy on the same files, side by side.

Generates its own input (not the notebook samples): a 2.5 degree secondary history with 24
hourly times (float32, like a real secondary), and with ``--many N`` N daily 5 degree files.
GCMprocpy runs in its own interpreter (``--ref-python``), never as a dependency.

Both sides are timed by ``_timing.measure`` with the same ``--repeat``: the first call alone
("cold") and the best of the further calls ("warm"). The table goes to
``results/bench_gcm.json`` and README.md (``report.py``).

    python benchmarks/bench_gcm.py --ref-python /path/to/venv-with-gcmprocpy/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _timing import Recorder, measure, peer_snippet

import geospacexr
from geospacexr._synth import gcm as synth

FIELDS = ("TN", "UN", "VN", "O2", "O1", "HE", "N2", "NO", "NE", "Z", "ZG")


def write_run(path: Path, resolution: float, hours: list[float], day: int = 80) -> None:
    """A secondary history written one time at a time (bounded memory)."""
    import netCDF4

    first = synth.tiegcm_state(resolution, hours[:1])
    synth.write_tiegcm(
        path,
        first,
        [0],
        hours[:1],
        history_type="secondary",
        run_start=(day, 0, 0),
        year=2003,
        fields=FIELDS,
    )
    with netCDF4.Dataset(path, "a") as nc:
        for k, hour in enumerate(hours[1:], start=1):
            state = synth.tiegcm_state(resolution, [hour])
            total = round(hour * 3600)
            nc["time"][k] = hour * 3600.0
            nc["mtime"][k] = [
                day + total // 86400,
                (total % 86400) // 3600,
                (total % 3600) // 60,
                0,
            ]
            nc["year"][k] = 2003
            nc["day"][k] = day + total // 86400
            nc["ut"][k] = (total % 86400) / 3600.0
            for name in ("f107d", "f107a", "hpower", "ctpoten", "Kp"):
                nc[name][k] = nc[name][0]
            for name in FIELDS:
                data = state[name][0].astype(np.float64)
                if name in ("TN", "UN", "VN"):
                    data[-1] = synth.SPVAL
                nc[name][k] = data.astype("f4")
            for name in ("HMF2", "NMF2"):
                nc[name][k] = state[name][0].astype("f4")


REF = peer_snippet(r"""
import json, sys, time, numpy as np, gcmprocpy as g
path, repeat = sys.argv[1], int(sys.argv[2])
t = np.datetime64("2003-03-21T12:00")
d = g.load_datasets(path)
def best(f):
    def call():
        g.clear_data_cache() if hasattr(g, "clear_data_cache") else None
        f()
    return measure(call, repeat)
res = {}
res["latlon"] = best(lambda: g.arr_lat_lon(d, "TN", t, selected_lev_ilev=4.0))
res["levlat"] = best(lambda: g.arr_lev_lat(d, "TN", t, "mean"))
def h300():
    pd3 = g.arr_var(d, "TN", t, plot_mode=True)
    g.interpolate_to_height(d, pd3.values.reshape(pd3.values.shape[0], -1), pd3.levs, t, target_heights=np.array([300.0]))
res["height300"] = best(h300)
res["versions"] = package_versions("gcmprocpy", "numpy", "xarray")
print(json.dumps(res))
""")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--ref-python",
        default=os.environ.get("GEOSPACEXR_REF_GCMPROCPY"),
        help="interpreter with gcmprocpy installed (default $GEOSPACEXR_REF_GCMPROCPY)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="warm repeats, both sides")
    parser.add_argument("--many", type=int, default=0, help="also open N daily 5-degree files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_2p5deg_sech_001.nc"
        t0 = time.perf_counter()
        write_run(path, 2.5, [float(h) for h in range(24)])
        print(
            f"input: 2.5 deg secondary, 24 times, {path.stat().st_size / 1e6:.0f} MB (made in {time.perf_counter() - t0:.0f} s)"
        )
        t = "2003-03-21T12:00"
        ds = geospacexr.open_tiegcm(path)
        ours = {
            "latlon": measure(lambda: ds.gcm.lat_lon("TN", time=t, level=4.0).values, args.repeat),
            "levlat": measure(lambda: ds.gcm.lev_lat("TN", time=t).values, args.repeat),
            "height300": measure(
                lambda: ds.gcm.lat_lon("TN", time=t, height=300.0).values, args.repeat
            ),
        }
        ref = {}
        if args.ref_python:
            out = subprocess.run(
                [args.ref_python, "-c", REF, str(path), str(args.repeat)],
                capture_output=True,
                text=True,
                check=True,
            )
            ref = json.loads(out.stdout.strip().splitlines()[-1])
        rec = Recorder(
            "bench_gcm",
            "TIE-GCM slices of a 2.5 deg, 24-time float32 secondary history",
            peer="GCMprocpy",
        )
        rec.peer_versions = ref.pop("versions", {})
        rows = {
            "latlon": ("lat-lon slice on a pressure level", "same work"),
            "levlat": ("lev-lat zonal mean", "same work"),
            "height300": (
                "lat-lon at 300 km, every column",
                "same work: per-column interpolation to 300 km",
            ),
        }
        for key, (label, note) in rows.items():
            rec.row(label, ours[key], ref.get(key), note=note)
        if args.many:
            files = []
            for day in range(args.many):
                p = Path(tmp) / f"many_sech_{day:03d}.nc"
                write_run(p, 5.0, [float(h) for h in range(24)], day=80 + day)
                files.append(p)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            t1 = time.perf_counter()
            many = geospacexr.open_tiegcm(files)
            opened = time.perf_counter() - t1
            t1 = time.perf_counter()
            _ = many.gcm.lat_time("TN", lon=0.0, level=2.0).values
            sliced = time.perf_counter() - t1
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            rec.row(f"open {args.many} daily 5 deg files lazily", opened, None, note="ours only")
            rec.row(
                f"lat-time slice through {args.many} files",
                sliced,
                None,
                note=f"ours only; peak RSS {peak:.0f} MB (before the slice {before:.0f} MB)",
            )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rec.note(f"Peak memory of the geospacexr process: {rss:.0f} MB.")
    rec.write()


if __name__ == "__main__":
    sys.exit(main())
