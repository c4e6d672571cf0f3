"""A 24-frame 2.5 degree lat-lon movie: geospacexr against GCMprocpy's ``mov_lat_lon``.

Input: the same file for both, a 2.5 degree TIE-GCM secondary history with 24 hourly times
(float32), made by ``bench_gcm.write_run``. The movie: TN on level 4.0, every time, MP4.

* geospacexr: ``plot_movie(ds, "out.mp4", "TN", level=4.0)`` (``ds.gcm.plot.movie``): frames
  rendered in worker processes (``--workers``, default one per core), colour limits fixed
  over the frames, streamed into ffmpeg, atomic write; also with ``parallel="none"`` (one
  process) and without coastlines and terminator (GCMprocpy's default draws neither).
* GCMprocpy 1.5.2: ``load_datasets(path)`` + ``mov_lat_lon(datasets, "TN", level=4.0, fps=5)``
  in its own interpreter (``--ref-python``): one figure per time saved as PNG, read back and
  encoded by matplotlib's FFMpegWriter. GCMprocpy's venv has no ffmpeg, so matplotlib is
  pointed at the same imageio-ffmpeg binary that geospacexr uses.

Each side runs in a fresh interpreter and is timed by ``_timing.measure`` with the same
``--repeat``: opening the file plus making the movie, the first time alone ("cold": for us it
starts the fork server that imports matplotlib and cartopy once) and the best of the further
times ("warm"). The table goes to ``results/bench_gcm_movie.json`` and README.md.

    python benchmarks/bench_gcm_movie.py --ref-python .refenvs/gcmprocpy/bin/python
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import Recorder, peer_snippet

OURS = peer_snippet(r"""
import json, sys
import geospacexr
from geospacexr.plot.gcm import plot_movie

def main():
    path, out, workers, variant = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    repeat = int(sys.argv[5])
    kw = {"workers": workers or None, "progress": False}
    if variant == "bare":
        kw.update(show_coastlines=False, show_terminator=False)
    if variant == "serial":
        kw["parallel"] = "none"

    def movie():
        ds = geospacexr.open_tiegcm(path)
        plot_movie(ds, out, "TN", level=4.0, **kw)
        return ds.sizes["time"]

    print(json.dumps({"timing": measure(movie, repeat), "frames": int(movie())}))

if __name__ == "__main__":
    main()
""")

REF = peer_snippet(r"""
import json, os, sys
import matplotlib
matplotlib.use("Agg")
matplotlib.rcParams["animation.ffmpeg_path"] = sys.argv[2]
import gcmprocpy as g
os.chdir(sys.argv[3])  # mov_lat_lon writes its PNGs and the MP4 into the working folder

def movie():
    d = g.load_datasets(sys.argv[1])
    g.mov_lat_lon(d, "TN", level=4.0, fps=5)

print(json.dumps({"timing": measure(movie, int(sys.argv[4])),
                  "versions": package_versions("gcmprocpy", "matplotlib", "numpy")}))
""")


def run_ours(script: Path, path: Path, out: Path, workers: int, variant: str, repeat: int) -> dict:
    """Time our movie in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, str(script), str(path), str(out), str(workers), variant, str(repeat)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_ref(ref_python: str, path: Path, work: Path, repeat: int) -> dict:
    """Time GCMprocpy's mov_lat_lon in its own interpreter."""
    import imageio_ffmpeg

    work.mkdir(exist_ok=True)
    proc = subprocess.run(
        [ref_python, "-c", REF, str(path), imageio_ffmpeg.get_ffmpeg_exe(), str(work), str(repeat)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    """Make the input, time both, print the ratio."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--ref-python",
        default=os.environ.get("GEOSPACEXR_REF_GCMPROCPY"),
        help="interpreter with gcmprocpy installed (default $GEOSPACEXR_REF_GCMPROCPY)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="warm repeats, both sides")
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
            out = tmp_path / f"ours_{variant}.mp4"
            results[variant] = run_ours(script, path, out, args.workers, variant, args.repeat)
            frames = results[variant]["frames"]
        ref = None
        rec = Recorder(
            "bench_gcm_movie",
            f"a {frames}-frame 2.5 deg lat-lon movie of TN on level 4.0, MP4",
            peer="GCMprocpy",
        )
        if args.ref_python:
            ref = run_ref(args.ref_python, path, tmp_path / "ref", args.repeat)
            rec.peer_versions = ref["versions"]
        rows = {
            "default": (
                "ours: processes, coastlines + terminator",
                "ours draws coastlines and the terminator; GCMprocpy's default draws neither",
            ),
            "bare": ("ours: processes, no coastlines", "same drawing on both sides"),
            "serial": (
                "ours: one process, coastlines + terminator",
                "one process; ours draws coastlines and the terminator, GCMprocpy neither",
            ),
        }
        for variant, (label, note) in rows.items():
            rec.row(
                label,
                results[variant]["timing"],
                ref and ref["timing"],
                note=note + "; both: open the file + mov_lat_lon / plot_movie",
            )
        rec.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
