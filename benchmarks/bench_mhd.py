"""MAGE (GAMERA) quick looks: geospacexr against kaipy 1.1.5 on the same run.

Input: one GAMERA run for both sides, made in a temporary folder by the generator of the
``mage-msphere`` sample (``geospacexr._synth.mage``, the same physics) with more steps and a
finer grid than the sample (``--frames`` + 2 steps, ``--shape`` cells; default 10 steps of
64 x 32 x 64), plus its ReMIX file (kaipy's msphpic reads it whenever it is there, and its
``-vid`` path fails without it: its git branch is read from it).

What is timed, every row on both sides by ``_timing.measure`` with the same ``--repeat`` (the
first call alone, "cold", then the best of the further calls, "warm"):

* **open + one equatorial slice**: ours ``open_gamera(folder)`` + ``equatorial_slice`` of Bz at
  the last step (computed); kaipy ``GamsphPipe(folder, "msphere")`` + ``EggSlice("Bz", last,
  doEq=True)``. Each in its own fresh interpreter.
* **a step's msphpic figure to PNG**, the run already open: ours ``plot_msphpic(ds, step=last,
  save=...)`` (4 panels, 1440 x 960 PNG at our 120 dpi), and the same saved at 300 dpi; kaipy
  msphpic's own ``makePlot`` for that step without the ReMIX insets, MPI boundaries and hash
  text (``-noion -nompi -nohash``: 2 panels, saved by ``kaiViz.savePic`` at 300 dpi, 3600 x
  2250, and trimmed). Each in its own interpreter, the figure closed after each call.
* **an N-frame movie with 2 workers**, both as the command a user types, each call a new
  process (interpreter start and imports included), timed from this script: ours ``geospacexr
  mhd movie FOLDER --steps 1..N --workers 2 -o run.mp4`` (frames rendered in 2 processes and
  encoded to H.264 at the configured libx264 preset, CRF, tuning and look-ahead,
  ``io.movie_preset``, ``io.movie_crf``, ``io.movie_tune`` and ``io.movie_lookahead``, named in
  the rows' notes; at our 100 dpi, 1200 x 800, and at ``--dpi 300``,
  3600 x 2400); kaipy
  ``msphpic -vid --ncpus 2 -noion -nompi -nohash -overwrite`` (a Pool of 2 processes writing
  ``msphVid/msphpic.N.png`` at 300 dpi; it renders Step#1 to Step#N of N + 2 steps and leaves
  the encoding to the user, so its row has no MP4 step). kaipy's msphpic imports
  ``kaipy.cdaweb_utils`` (for ``--spacecraft``), which needs ``cdasws``, not in kaipy's pinned
  environment: the module is replaced by an empty one before msphpic is imported.

    python benchmarks/bench_mhd.py --ref-python .refenvs/kaipy/bin/python
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
from _timing import Recorder, measure, peer_snippet

RUNID = "msphere"

OURS = peer_snippet(r"""
import json, os, sys
import geospacexr
from geospacexr.mhd import equatorial_slice, select_step

def main():
    task, folder, out, repeat = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if task == "slice":
        def work():
            ds = geospacexr.open_gamera(folder)
            return equatorial_slice(select_step(ds, -1), "Bz").values
    else:
        from geospacexr.plot.common import save_figure
        from geospacexr.plot.mhd import plot_msphpic
        ds = geospacexr.open_gamera(folder)
        dpi = int(task.split("-")[1])

        def work():
            fig = plot_msphpic(ds, step=-1)
            save_figure(fig, out, dpi=dpi)
    print(json.dumps({"timing": measure(work, repeat)}))

if __name__ == "__main__":
    main()
""")

REF = peer_snippet(r"""
import contextlib, json, os, sys, types
sys.modules["kaipy.cdaweb_utils"] = types.ModuleType("kaipy.cdaweb_utils")  # --spacecraft only
import kaipy
kaipy.cdaweb_utils = sys.modules["kaipy.cdaweb_utils"]

def main():
    task, folder, work_dir, repeat = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    os.chdir(work_dir)
    if task == "movie":  # the command line itself: msphpic -vid ...
        from kaipy.scripts.quicklook import msphpic
        sys.argv = ["msphpic", *sys.argv[5:]]
        with contextlib.redirect_stdout(sys.stderr):
            msphpic.main()
        return
    with contextlib.redirect_stdout(sys.stderr):
        from kaipy.gamera.magsphere import GamsphPipe
        if task == "slice":
            def work():
                gp = GamsphPipe(folder, "msphere", doFast=False)
                return gp.EggSlice("Bz", int(gp.sids[-1]), doEq=True, doVerb=False)
        else:
            import argparse
            import matplotlib as mpl
            mpl.use("Agg")
            import matplotlib.pyplot as plt
            from kaipy.scripts.quicklook import msphpic
            import kaipy.gamera.msphViz as mviz
            mpl.rc("mathtext", fontset="stixsans", default="regular")
            mpl.rc("font", size=10)
            args = msphpic.create_command_line_parser().parse_args(
                ["-d", folder, "-id", "msphere", "-noion", "-nompi", "-nohash"])
            gsph = GamsphPipe(folder, "msphere", doFast=False)
            step = int(gsph.sids[-1])
            var = {"n_pad": 0, "doIon": False, "doMIX": False, "doIM": False, "doBigIM": False,
                   "gsph": gsph, "xyBds": mviz.GetSizeBds(args), "figSz": (12, 7.5),
                   "imName": None}

            def work():
                msphpic.makePlot(step, None, step, args, var)
                plt.close("all")
        timing = measure(work, repeat)
    print(json.dumps({"timing": timing,
                      "versions": package_versions("kaipy", "matplotlib", "numpy", "h5py")}))

if __name__ == "__main__":
    main()
""")


def make_run(folder: Path, frames: int, shape: tuple[int, int, int]) -> None:
    """The benchmark run: the sample's generator, ``frames + 2`` steps of ``shape`` cells."""
    from geospacexr._synth import mage

    mage.gamera_generator(count=frames + 2, shape=shape)(folder)
    mage.remix_generator(count=frames + 2)(folder)


def run_snippet(python: str, script: Path, *args: str) -> dict:
    """Run a timing snippet in ``python``; its last stdout line is the JSON result."""
    proc = subprocess.run([python, str(script), *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{script.name} {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def command(cmd: list[str], cwd: Path, env: dict | None = None) -> None:
    """Run a command line to completion (its output discarded), raising if it fails."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}... failed:\n{proc.stderr[-3000:]}")


def main() -> int:
    """Make the run, time both sides, write results/bench_mhd.json."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--ref-python",
        default=os.environ.get("GEOSPACEXR_REF_KAIPY"),
        help="interpreter with kaipy installed (default $GEOSPACEXR_REF_KAIPY)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="warm repeats, both sides")
    parser.add_argument("--frames", type=int, default=8, help="movie frames (N)")
    parser.add_argument("--workers", type=int, default=2, help="movie workers, both sides")
    parser.add_argument(
        "--shape", type=int, nargs=3, default=(64, 32, 64), help="cells along i, j, k"
    )
    args = parser.parse_args()
    shape = tuple(args.shape)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        run = tmp_path / "run"
        run.mkdir()
        t0 = time.perf_counter()
        make_run(run, args.frames, shape)
        steps = args.frames + 2
        print(f"input: {steps} steps of {shape[0]} x {shape[1]} x {shape[2]} cells "
              f"(made in {time.perf_counter() - t0:.0f} s)")  # fmt: skip
        ours_script = tmp_path / "ours.py"
        ours_script.write_text(OURS)
        ref_script = tmp_path / "ref.py"
        ref_script.write_text(REF)
        png = str(tmp_path / "ours.png")
        repeat = str(args.repeat)
        ours = {
            task: run_snippet(sys.executable, ours_script, task, str(run), png, repeat)
            for task in ("slice", "figure-120", "figure-300")
        }
        from geospacexr import config

        io = config.get().io  # what the commands below encode with (same environment)
        x264 = (f"libx264 preset {io.movie_preset}, CRF {io.movie_crf}, tune {io.movie_tune}, "
                f"look-ahead {io.movie_lookahead}")  # fmt: skip
        frames = [str(s) for s in range(1, args.frames + 1)]
        env = dict(os.environ)
        if env.get("PYTHONPATH"):  # the commands run in the temporary folder: PYTHONPATH=src
            env["PYTHONPATH"] = os.pathsep.join(
                os.path.abspath(p) if p else p for p in env["PYTHONPATH"].split(os.pathsep)
            )
        movie = {}
        for dpi in ("100", "300"):
            cmd = [sys.executable, "-m", "geospacexr.cli", "mhd", "movie", str(run), "--steps",
                   *frames, "--workers", str(args.workers), "--dpi", dpi, "--no-progress",
                   "-o", str(tmp_path / f"ours_{dpi}.mp4")]  # fmt: skip
            movie[dpi] = measure(lambda cmd=cmd: command(cmd, tmp_path, env), args.repeat)
        rec = Recorder(
            "bench_mhd",
            f"MAGE quick looks on a {steps}-step run of {shape[0]} x {shape[1]} x {shape[2]} "
            "cells (the mage-msphere generator)",
            peer="kaipy",
        )
        ref = {}
        if args.ref_python:
            work = tmp_path / "kaipy"
            work.mkdir()
            for task in ("slice", "figure"):
                ref[task] = run_snippet(args.ref_python, ref_script, task, str(run), str(work),
                                        repeat)  # fmt: skip
            rec.peer_versions = ref["figure"]["versions"]
            cmd = [args.ref_python, str(ref_script), "movie", str(run), str(work), repeat,
                   "-d", str(run), "-id", RUNID, "-vid", "--ncpus", str(args.workers),
                   "-noion", "-nompi", "-nohash", "-overwrite"]  # fmt: skip
            ref["movie"] = {"timing": measure(lambda: command(cmd, work), args.repeat)}
            made = sorted((work / "msphVid").glob("msphpic.*.png"))
            if len(made) != args.frames:
                raise RuntimeError(f"kaipy wrote {len(made)} frames, not {args.frames}")

        def peer(task: str) -> dict | None:
            return ref[task]["timing"] if task in ref else None

        rec.row(
            "open + equatorial slice of Bz (last step)",
            ours["slice"]["timing"],
            peer("slice"),
            note="ours open_gamera + equatorial_slice; kaipy GamsphPipe + EggSlice",
        )
        rec.row(
            "msphpic figure of a step to PNG (ours at 120 dpi)",
            ours["figure-120"]["timing"],
            peer("figure"),
            note="ours 4 panels, 1440 x 960; kaipy 2 panels (-noion -nompi -nohash), 300 dpi, "
            "3600 x 2250, trimmed",
        )
        rec.row(
            "msphpic figure of a step to PNG (ours at 300 dpi)",
            ours["figure-300"]["timing"],
            peer("figure"),
            note="ours 4 panels, 3600 x 2400; kaipy 2 panels, 3600 x 2250, trimmed",
        )
        rec.row(
            f"{args.frames}-frame movie, {args.workers} workers (ours MP4 at 100 dpi)",
            movie["100"],
            peer("movie"),
            note=f"the commands, new processes: ours geospacexr mhd movie --workers "
            f"{args.workers} (1200 x 800 frames, H.264 MP4, {x264}); kaipy msphpic -vid --ncpus "
            f"{args.workers} (3600 x 2250 PNG frames, no movie file)",
        )
        rec.row(
            f"{args.frames}-frame movie, {args.workers} workers (ours MP4 at 300 dpi)",
            movie["300"],
            peer("movie"),
            note=f"the same with ours at --dpi 300 (3600 x 2400 frames, H.264 MP4, {x264}); "
            "kaipy's PNG frames only",
        )
        if not args.ref_python:
            rec.note("kaipy was not run (no --ref-python / $GEOSPACEXR_REF_KAIPY).")
        rec.write({"frames": args.frames, "workers": args.workers, "shape": list(shape)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
