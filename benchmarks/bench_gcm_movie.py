"""A 24-frame 2.5 degree lat-lon movie: geospacexr against GCMprocpy's ``mov_lat_lon``.

Input: the same file for both, a 2.5 degree TIE-GCM secondary history with 24 hourly times
(float32), made by ``bench_gcm.write_run``. The movie: TN on level 4.0, every time, MP4.

* geospacexr: ``plot_movie(ds, "out.mp4", "TN", level=4.0)`` (``ds.gcm.plot.movie``): frames
  rendered in worker processes (``--workers``, default one per core), colour limits fixed
  over the frames, streamed into ffmpeg, atomic write. Timed in a fresh interpreter (after
  ``import geospacexr``) as "cold" (the first movie: it starts the fork server that imports
  matplotlib and cartopy once) and "warm" (a second movie in the same session); also with
  ``parallel="none"`` (one process) and without coastlines and terminator (GCMprocpy's
  default draws neither).
* GCMprocpy 1.5.2: ``load_datasets(path)`` + ``mov_lat_lon(datasets, "TN", level=4.0, fps=5)``
  in its own interpreter (``--ref-python``): one figure per time saved as PNG, read back and
  encoded by matplotlib's FFMpegWriter. GCMprocpy's venv has no ffmpeg, so matplotlib is
  pointed at the same imageio-ffmpeg binary that geospacexr uses.

Prints seconds (best of ``--repeat``) and the ratio GCMprocpy / geospacexr.

    python benchmarks/bench_gcm_movie.py --ref-python /work/ref/gcmprocpy/bin/python
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

OURS = r"""
import json, sys, time
import geospacexr
from geospacexr.plot.gcm import plot_movie

def main():
    path, out, workers, variant = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    ds = geospacexr.open_tiegcm(path)
    kw = {"workers": workers or None, "progress": False}
    if variant == "bare":
        kw.update(show_coastlines=False, show_terminator=False)
    if variant == "serial":
        kw["parallel"] = "none"
    times = []
    for _ in range(2):  # cold (first movie of the session), then warm
        t = time.perf_counter()
        plot_movie(ds, out, "TN", level=4.0, **kw)
        times.append(time.perf_counter() - t)
    print(json.dumps({"cold": times[0], "warm": times[1], "frames": int(ds.sizes["time"])}))

if __name__ == "__main__":
    main()
"""

REF = r"""
import json, os, sys, time
import matplotlib
matplotlib.use("Agg")
matplotlib.rcParams["animation.ffmpeg_path"] = sys.argv[2]
import gcmprocpy as g
os.chdir(sys.argv[3])  # mov_lat_lon writes its PNGs and the MP4 into the working folder
t = time.perf_counter()
d = g.load_datasets(sys.argv[1])
g.mov_lat_lon(d, "TN", level=4.0, fps=5)
print(json.dumps({"seconds": time.perf_counter() - t}))
"""


def run_ours(script: Path, path: Path, out: Path, workers: int, variant: str) -> dict:
    """Time our movie in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, str(script), str(path), str(out), str(workers), variant],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_ref(ref_python: str, path: Path, work: Path) -> float:
    """Time GCMprocpy's mov_lat_lon in its own interpreter."""
    import imageio_ffmpeg

    work.mkdir(exist_ok=True)
    proc = subprocess.run(
        [ref_python, "-c", REF, str(path), imageio_ffmpeg.get_ffmpeg_exe(), str(work)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(proc.stdout.strip().splitlines()[-1])["seconds"])


def main() -> int:
    """Make the input, time both, print the ratio."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ref-python", help="interpreter with gcmprocpy installed")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs")
    parser.add_argument("--workers", type=int, default=0, help="0: one per core")
    parser.add_argument("--input", help="use this 2.5 deg file instead of making one")
    args = parser.parse_args()
    from bench_gcm import write_run

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if args.input:
            path = Path(args.input)
        else:
            path = tmp_path / "bench_2p5deg_sech_001.nc"
            t0 = time.perf_counter()
            write_run(path, 2.5, [float(h) for h in range(24)])
            print(f"input: 2.5 deg secondary, 24 times (made in {time.perf_counter() - t0:.0f} s)")
        script = tmp_path / "ours.py"
        script.write_text(OURS)
        results = {}
        for variant in ("default", "bare", "serial"):
            runs = [
                run_ours(script, path, tmp_path / f"ours_{variant}.mp4", args.workers, variant)
                for _ in range(args.repeat)
            ]
            results[variant] = {
                "cold": min(r["cold"] for r in runs),
                "warm": min(r["warm"] for r in runs),
            }
            frames = runs[0]["frames"]
        ref = None
        if args.ref_python:
            ref = min(run_ref(args.ref_python, path, tmp_path / "ref") for _ in range(args.repeat))
        print(f"{frames}-frame 2.5 deg lat-lon movie of TN on level 4.0, MP4")
        labels = {
            "default": "geospacexr (processes, coastlines+terminator)",
            "bare": "geospacexr (processes, no coastlines)",
            "serial": "geospacexr (one process, coastlines)",
        }
        for variant, label in labels.items():
            for when in ("cold", "warm"):
                seconds = results[variant][when]
                line = f"{label:48s} {when}  {seconds:6.2f} s"
                if ref is not None:
                    line += f"   GCMprocpy {ref:6.2f} s   speed-up {ref / seconds:5.1f}x"
                print(line)
        if ref is None:
            print("(give --ref-python to time GCMprocpy's mov_lat_lon on the same file)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
