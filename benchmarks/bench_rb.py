"""L* and field evaluations: geospacexr against IRBEM, rbinvariantslib and geopack-vectorized.

Every package gets the same particles: the set recorded in ``tests/rb/data/irbem_invariants.json``
(2017-09-01T12:00 UT; 16 GSM positions at r = 3, 4.5, 6 Re and r = 5 Re at +-20 deg GSM
latitude; local pitch angles 10/30/60/90 deg), without the four r = 3 Re, 10 deg particles,
which sit in the loss cone: 60 L* per model. Models and drivers as recorded there: IRBEM's
centred dipole (moment 29836.5 nT, tilt 8.103 deg), IGRF, IGRF + T89 (Kp 2), IGRF + T96
(Pdyn 2 nPa, Dst -20 nT, By 0, Bz -2 nT).

What is timed: only the computation, not building the inputs; every side by
``_timing.measure`` (the first call alone, "cold", then the best of ``--repeat`` further calls,
"warm"), with the same ``--repeat`` for ours and the peers:

* geospacexr ``particles.rb.lstar(model)`` on the whole set at ``accuracy="default"``, on one
  core (``NUMBA_NUM_THREADS=1``) and on ``--cores`` cores (the batch is prange-parallel over
  particles), each in a fresh subprocess, so "cold" includes loading (or compiling) numba's
  kernels. The 1-core and N-core subprocesses alternate ``--rounds`` times; the FIRST round is
  the one compared with the peers, the best over all rounds only feeds the scaling note, so
  that load from other users of a shared machine does not fake the scaling. A separate run
  gives our accuracy (max |L*_default / L*_high - 1| over the set) and the one-run
  ``accuracy="high"`` time.
* IRBEM (SpacePy ``irbempy.get_Lstar``, one core) at its default resolution, options
  [1, 0, 0, 0, int], and at its highest, [1, 0, 9, 9, int]. The highest resolution costs about
  6 s per T96 L*, so by default it runs on 4 of the 16 positions (15 L*: r3_phi90, r4.5_phi0,
  r6_phi180, r5_lat20_phi0), once (cold only); ``--irbem-highest-all`` runs the whole set.
  IRBEM's dipole (options[4] = 5) is its own centred dipole with a geographic axis; for speed
  that does not matter. SpacePy's get_Lstar costs 0.03-0.1 s per call in array allocation; the
  set takes two calls (the r = 3 Re positions have only three pitch angles).
* rbinvariantslib (T96 on its gridded field, one core) through
  ``tests/rb/reference/rbinvariantslib_lstar.py``'s ``run()``: the T96 grid is built once
  (reported, not counted per L*), then ``--rbinv-n`` L* (default 1, about 30 s each) run
  1 + ``--rbinv-repeat`` times (first pass cold, best later pass warm); ours runs the same
  particles the same number of times, first in its process (cold).
* Field evaluations per second, ``--points`` random points at 1.5-10 Re in GSM: our
  ``model.field`` (internal + external field) for IGRF, T89, T96 and TS05, against
  geopack-vectorized (``igrf_gsm_vectorized``, ``t89_vectorized``, ``t96_vectorized``,
  ``t04_vectorized``; numpy, one core). geopack's Tsyganenko functions give the external field
  only, so "ext+IGRF" combines its external and IGRF rates, which is what our number includes.

The reference packages run only in their own interpreters (``--irbem-python``: SpacePy and
geopack-vectorized, default ``$GEOSPACEXR_REF_RB``; ``--rbinv-python``: rbinvariantslib,
default ``$GEOSPACEXR_REF_RBINV``), pinned to one CPU where the OS allows it; geopack is
imported offline (its IGRF download at import is blocked, the shipped IGRF-14 table is used).

    python benchmarks/bench_rb.py --irbem-python .refenvs/rb/bin/python \\
        --rbinv-python .refenvs/rbinv/bin/python
    python benchmarks/bench_rb.py --quick --skip-rbinv
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

import numpy as np
from _timing import TIMER_SOURCE, Recorder, measure

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "rb" / "data" / "irbem_invariants.json"
RBINV_SCRIPT_DIR = ROOT / "tests" / "rb" / "reference"
LSTAR_MODELS = ["dipole", "igrf", "t89", "t96"]
FIELD_MODELS = ["igrf", "t89", "t96", "ts05"]
IRBEM_HIGHEST_SUBSET = ["r3_phi90", "r4.5_phi0", "r6_phi180", "r5_lat20_phi0"]
# rbinvariantslib particles, in the order of rbinvariantslib_lstar.PARTICLES (id, local alpha)
RBINV_PARTICLES = [
    ("r4.5_phi0", 30.0),
    ("r4.5_phi0", 60.0),
    ("r6_phi180", 30.0),
    ("r6_phi180", 60.0),
    ("r5_lat20_phi0", 90.0),
]
# TS05 drivers ("moderate" set of tests/rb/reference/geopack_ts05.py): pdyn, dst, by, bz, w1..w6
TS05_PARMOD = [2.0, -30.0, 0.0, -5.0, 8.0, 5.0, 9.5, 30.0, 18.5, 60.0]
T89_IOPT = 3  # Kp = 2 -> T89 iopt 3 (IRBEM and geospacexr map it the same way)
ONE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

PIN = """
import os
try:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
except (AttributeError, OSError):
    pass
"""

IRBEM_SNIPPET = (
    PIN
    + TIMER_SOURCE
    + """
import json, sys, time
import numpy as np
import spacepy
spacepy.config["ncpus"] = 1
import spacepy.coordinates as spc
import spacepy.irbempy as ib
import spacepy.time as spt
cfg = json.loads(sys.argv[1])
MODELS = {"dipole": ("0", 5), "igrf": ("0", 0), "t89": ("T89", 0), "t96": ("T96", 0)}

def calls(parts, ext, opts):
    by_pos = {}
    for xyz, a in parts:
        by_pos.setdefault(tuple(xyz), []).append(a)
    groups = {}
    for xyz, al in by_pos.items():
        groups.setdefault(tuple(al), []).append(list(xyz))
    out = []
    for al, pos in groups.items():
        n = len(pos)
        out.append((spt.Ticktock([cfg["time"]] * n, "ISO"),
                    spc.Coords(pos, "GSM", "car", use_irbem=True),
                    dict(alpha=list(al), extMag=ext, options=opts,
                         omnivals={k: [v] * n for k, v in cfg["drivers"].items()})))
    return out

def run(cs):
    finite = 0
    t = time.perf_counter()
    for ticks, loci, kw in cs:
        r = ib.get_Lstar(ticks, loci, **kw)
        finite += int(np.isfinite(np.asarray(r["Lstar"])[:, :len(kw["alpha"])]).sum())
    return time.perf_counter() - t, finite

def per(t, n):
    return {k: (v / n if v is not None and k != "repeat" else v) for k, v in t.items()}

out = {}
for name in cfg["models"]:
    ext, internal = MODELS[name]
    rec = {}
    for res, (o2, o3), parts, repeat in (
        ("default", (0, 0), cfg["particles"], cfg["repeat"]),
        ("highest", (9, 9), cfg["highest_particles"], 1),
    ):
        cs = calls(parts, ext, [1, 0, o2, o3, internal])
        if res == "default":  # same timer and repeats as ours: first call, then best of N
            state = {}
            t = measure(lambda: state.update(r=run(cs)), repeat)
            finite = state["r"][1]
        else:  # about 6 s per T96 L*: one (cold) run
            sec, finite = run(cs)
            t = {"cold": sec, "warm": None, "median": None, "repeat": 0}
        rec[res] = {"timing": per(t, len(parts)), "n": len(parts), "finite": finite}
        print(f"[irbem] {name} {res}: {1e3 * t['cold'] / len(parts):.1f} ms per L* cold ({len(parts)} L*)",
              file=sys.stderr, flush=True)
    out[name] = rec
out["versions"] = package_versions("spacepy", "numpy")
print(json.dumps(out))
"""
)

GEOPACK_SNIPPET = (
    PIN
    + TIMER_SOURCE
    + """
import contextlib, io, json, sys, time, urllib.request
import numpy as np

def _offline(*args, **kwargs):
    raise OSError("offline benchmark")

urllib.request.urlopen = _offline  # geopack lists the NOAA server at import: stay offline
with contextlib.redirect_stdout(io.StringIO()):
    import geopack.geopack as gp
    gp.update_igrf = lambda local_dir: None
    gp.init_igrf("14")
from geopack.igrf_vectorized import igrf_gsm_vectorized
from geopack.vectorized import t04_vectorized, t89_vectorized, t96_vectorized
cfg = json.loads(sys.argv[2])
x, y, z = np.load(sys.argv[1])
ps = gp.recalc(cfg["ut"])  # default solar wind (-400, 0, 0) km/s: GSW = GSM
t96p = np.array(cfg["t96"] + [0.0] * 6)
t04p = np.array(cfg["ts05"])
funcs = {
    "igrf": lambda x, y, z: igrf_gsm_vectorized(x, y, z),
    "t89": lambda x, y, z: t89_vectorized(cfg["t89_iopt"], ps, x, y, z),
    "t96": lambda x, y, z: t96_vectorized(t96p, ps, x, y, z),
    "ts05": lambda x, y, z: t04_vectorized(t04p, ps, x, y, z),
}
out = {}
for name, f in funcs.items():
    out[name] = measure(lambda f=f: f(x, y, z), cfg["repeat"])
    print(f"[geopack] {name}: {x.size / out[name]['warm']:.0f} points/s", file=sys.stderr, flush=True)
out["versions"] = package_versions("geopack", "geopack-vectorized", "numpy")
print(json.dumps(out))
"""
)

RBINV_SNIPPET = (
    PIN
    + TIMER_SOURCE
    + """
import json, os, sys
os.environ.setdefault("GEOPACK_NOWARN", "1")
sys.path.insert(0, sys.argv[1])
import rbinvariantslib_lstar as R
wanted = [tuple(p) for p in json.loads(sys.argv[2])]
repeat = int(sys.argv[3])
parts = [p for p in R.PARTICLES if (p[0], p[2]) in wanted]
# the grid is built once; the particle set then runs 1 + repeat times: the first pass is the
# cold time, the best later pass the warm one (the same rule as measure())
res = R.run("standard", parts * (1 + repeat))
secs = [p["seconds"] for p in res["particles"]]
n = len(parts)
passes = [sum(secs[i:i + n]) / n for i in range(0, len(secs), n)]
print(json.dumps({
    "build_s": res["model_build_seconds"],
    "timing": {"cold": passes[0], "warm": min(passes[1:]), "median": sorted(passes[1:])[len(passes[1:]) // 2], "repeat": repeat},
    "lstar": [p["Lstar"] for p in res["particles"][:n]],
    "ids": [[p["id"], p["alpha_local_deg"]] for p in res["particles"][:n]],
    "grid_points": res["grid"]["n_points"],
    "versions": package_versions("rbinvariantslib", "PyGeopack", "numpy"),
}))
"""
)


def load_set() -> tuple[dict, list[tuple[str, list[float], float]]]:
    """The recorded IRBEM particle set without the r = 3 Re, 10 deg loss-cone particles."""
    data = json.loads(DATA.read_text())
    parts = []
    for pos in data["positions"]:
        for a in data["alpha_local_deg"]:
            if pos["r"] == 3.0 and a == 10.0:
                continue
            parts.append((pos["id"], [float(v) for v in pos["xyz_gsm"]], float(a)))
    return data, parts


def field_points(n: int, seed: int = 20261127) -> np.ndarray:
    """(3, n) GSM points, uniform in direction, r uniform in 1.5-10 Re."""
    rng = np.random.default_rng(seed)
    r = rng.uniform(1.5, 10.0, n)
    cth = rng.uniform(-1.0, 1.0, n)
    ph = rng.uniform(0.0, 2.0 * np.pi, n)
    sth = np.sqrt(1.0 - cth * cth)
    return np.array([r * sth * np.cos(ph), r * sth * np.sin(ph), r * cth])


def per(timing: dict, n: int) -> dict:
    """A ``measure`` dict for ``n`` items, per item."""
    return {k: (v / n if v is not None and k != "repeat" else v) for k, v in timing.items()}


# --------------------------------------------------------------------------- our worker
def worker(args: argparse.Namespace) -> None:
    """Runs in a subprocess with NUMBA_NUM_THREADS set; prints one JSON line."""
    import numba

    import geospacexr.rb as rb

    data, parts = load_set()
    drv = data["drivers"]
    dip = data["models"]["dipole"]
    when = data["conventions"]["time_utc"]
    t96 = {"pdyn": drv["Pdyn"], "dst": drv["Dst"], "by": drv["ByIMF"], "bz": drv["BzIMF"]}
    models = {
        "dipole": rb.models.get("dipole", tilt=dip["tilt_deg"], moment=dip["B0_nT"]),
        "igrf": rb.models.get("igrf"),
        "t89": rb.models.get("t89", kp=drv["Kp"]),
        "t96": rb.models.get("t96", **t96),
    }
    names = ["pdyn", "dst", "by", "bz"] + [f"w{i}" for i in range(1, 7)]
    ts05 = dict(zip(names, TS05_PARMOD, strict=True))
    field_models = {
        "igrf": models["igrf"],
        "t89": models["t89"],
        "t96": models["t96"],
        "ts05": rb.models.get("ts05", **ts05),
    }

    def pset(rows):
        xyz = np.array([r[1] for r in rows])
        alpha = np.array([r[2] for r in rows])
        return rb.particles(xyz[:, 0], xyz[:, 1], xyz[:, 2], alpha, time=when, frame="GSM")

    p = pset(parts)
    n = len(parts)
    out: dict = {"threads": numba.get_num_threads(), "lstar": {}, "field": {}}
    if args.accuracy:
        # the rbinvariantslib particles FIRST, so that this first call is cold (numba's T96
        # kernels loaded or compiled) like rbinvariantslib's first pass; same repeats as there
        ids = {q["id"]: q["xyz_gsm"] for q in data["positions"]}
        rows = [(i, ids[i], a) for i, a in RBINV_PARTICLES[: max(1, args.rbinv_n)]]
        sub = pset(rows)
        t = measure(lambda: sub.rb.lstar(models["t96"]), args.rbinv_repeat)
        out["rbinv_subset"] = {"timing": per(t, len(rows)), "n": len(rows)}
        for name, m in models.items():
            start = time.perf_counter()
            high = p.rb.lstar(m, accuracy="high")
            rec = {"high_s_per_lstar": (time.perf_counter() - start) / n}
            default = p.rb.lstar(m)
            with np.errstate(invalid="ignore"):
                dev = np.abs(default.lstar.values / high.lstar.values - 1.0)
            rec["max_rel_dev_vs_high"] = float(np.nanmax(dev))
            rec["status"] = {
                str(k): int(v)
                for k, v in zip(*np.unique(default.status.values, return_counts=True), strict=True)
            }
            out["lstar"][name] = rec
        print(json.dumps(out))
        return
    for name, m in models.items():  # cold: the first call in this fresh process
        res: dict = {}
        t = measure(lambda m=m, res=res: res.update(d=p.rb.lstar(m)), args.repeat)
        rec = {
            "timing": per(t, n),
            "s_per_lstar": t["warm"] / n,
            "n": n,
            "finite": int(np.isfinite(res["d"].lstar).sum()),
        }
        out["lstar"][name] = rec
        print(
            f"[ours x{out['threads']}] {name}: {1e3 * t['warm'] / n:.2f} ms per L* warm",
            file=sys.stderr,
            flush=True,
        )
    x, y, z = np.load(args.points_file)
    for name, m in field_models.items():
        out["field"][name] = measure(
            lambda m=m: m.field(x, y, z, time=when, frame="GSM"), args.repeat
        )
    print(json.dumps(out))


# --------------------------------------------------------------------------- main
def run_json(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    """Run a command; its last stdout line is JSON. Progress goes to our stderr."""
    proc = subprocess.run(
        cmd, stdout=subprocess.PIPE, text=True, check=True, env={**os.environ, **(env or {})}
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def ours(args: argparse.Namespace, threads: int, accuracy: bool, points_file: str) -> dict:
    cmd = [sys.executable, __file__, "--worker", "--repeat", str(args.repeat)]
    cmd += ["--points-file", points_file, "--rbinv-repeat", str(args.rbinv_repeat)]
    cmd += ["--rbinv-n", str(args.rbinv_n)] + (["--accuracy"] if accuracy else [])
    return run_json(cmd, {**ONE_THREAD_ENV, "NUMBA_NUM_THREADS": str(threads)})


def best_warm(runs: list[dict]) -> dict[str, float]:
    """Per model, the best warm seconds per L* over several worker runs (scaling only)."""
    return {name: min(r["lstar"][name]["s_per_lstar"] for r in runs) for name in runs[0]["lstar"]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="best of N (default 3)")
    parser.add_argument("--quick", action="store_true", help="one repeat and round, one rbinv L*")
    parser.add_argument("--cores", type=int, default=2, help="threads for the scaling run")
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternating 1-core / N-core worker runs"
    )
    parser.add_argument("--points", type=int, default=100_000, help="field-evaluation points")
    parser.add_argument("--irbem-python", default=os.environ.get("GEOSPACEXR_REF_RB"))
    parser.add_argument("--rbinv-python", default=os.environ.get("GEOSPACEXR_REF_RBINV"))
    parser.add_argument("--rbinv-n", type=int, default=1, help="rbinvariantslib L* to time (1-5)")
    parser.add_argument("--irbem-highest-all", action="store_true", help="whole set at (9, 9)")
    parser.add_argument("--skip-irbem", action="store_true")
    parser.add_argument("--skip-rbinv", action="store_true")
    parser.add_argument("--skip-geopack", action="store_true")
    parser.add_argument("--json", help="also write the raw numbers to this file")
    parser.add_argument(
        "--rbinv-repeat", type=int, default=1, help="warm passes for rbinvariantslib and ours"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--accuracy", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--points-file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if args.quick:
        args.repeat, args.rbinv_n, args.rounds = 1, 1, 1
    args.rbinv_n = min(max(1, args.rbinv_n), len(RBINV_PARTICLES))

    data, parts = load_set()
    drv = data["drivers"]
    t_start = time.perf_counter()
    res: dict = {"n_lstar": len(parts), "load_before": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        points_file = str(Path(tmp) / "points.npy")
        np.save(points_file, field_points(args.points))
        # 1 core and N cores alternate, so that load from other users hits both alike; the
        # first round is the one compared with the peers (same repeats as theirs), the best
        # over all rounds only feeds the scaling column
        runs_1 = [ours(args, 1, False, points_file)]
        runs_n = [ours(args, args.cores, False, points_file)]
        for _ in range(args.rounds - 1):
            runs_1.append(ours(args, 1, False, points_file))
            runs_n.append(ours(args, args.cores, False, points_file))
        res["ours_1"], res["ours_n"] = runs_1[0], runs_n[0]
        res["scaling_1"], res["scaling_n"] = best_warm(runs_1), best_warm(runs_n)
        res["extras"] = ours(args, 1, True, points_file)
        if args.irbem_python and not args.skip_irbem:
            highest = (
                parts
                if args.irbem_highest_all
                else [q for q in parts if q[0] in IRBEM_HIGHEST_SUBSET]
            )
            cfg = {
                "time": data["conventions"]["time_utc"],
                "drivers": drv,
                "models": LSTAR_MODELS,
                "particles": [[q[1], q[2]] for q in parts],
                "highest_particles": [[q[1], q[2]] for q in highest],
                "repeat": args.repeat,
            }
            res["irbem"] = run_json(
                [args.irbem_python, "-c", IRBEM_SNIPPET, json.dumps(cfg)], ONE_THREAD_ENV
            )
        if args.irbem_python and not args.skip_geopack:
            cfg = {
                "ut": float(np.datetime64(data["conventions"]["time_utc"], "s").astype(np.int64)),
                "t89_iopt": T89_IOPT,
                "t96": [drv["Pdyn"], drv["Dst"], drv["ByIMF"], drv["BzIMF"]],
                "ts05": TS05_PARMOD,
                "repeat": args.repeat,
            }
            res["geopack"] = run_json(
                [args.irbem_python, "-c", GEOPACK_SNIPPET, points_file, json.dumps(cfg)],
                ONE_THREAD_ENV,
            )
    if args.rbinv_python and not args.skip_rbinv:
        wanted = [list(p) for p in RBINV_PARTICLES[: args.rbinv_n]]
        res["rbinv"] = run_json(
            [
                args.rbinv_python,
                "-c",
                RBINV_SNIPPET,
                str(RBINV_SCRIPT_DIR),
                json.dumps(wanted),
                str(args.rbinv_repeat),
            ],
            {**ONE_THREAD_ENV, "GEOPACK_NOWARN": "1"},
        )
    res["total_seconds"] = time.perf_counter() - t_start
    res["load_after"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1) + "\n")
    report(args, res)


def report(args: argparse.Namespace, res: dict) -> None:
    """The table rows, written through ``_timing.Recorder``."""
    o1, on = res["ours_1"]["lstar"], res["ours_n"]["lstar"]
    ex = res["extras"]["lstar"]
    irbem, rbinv, gp = res.get("irbem", {}), res.get("rbinv"), res.get("geopack", {})
    nc = res["ours_n"]["threads"]
    rec = Recorder(
        "bench_rb",
        f"L* of {res['n_lstar']} particles and field evaluations of {args.points} points",
        peer="IRBEM / rbinvariantslib / geopack",
    )
    for key in ("irbem", "rbinv", "geopack"):
        if key in res:
            rec.peer_versions.update(res[key].pop("versions", {}))
    for name in LSTAR_MODELS:
        ir = irbem.get(name, {}).get("default")
        scaling = res["scaling_1"][name] / res["scaling_n"][name]
        rec.row(
            f"{name} L*, per L*, 1 core (IRBEM)",
            o1[name]["timing"],
            ir and ir["timing"],
            note=(
                f"ours accuracy='default' (|L*/L*high - 1| <= {ex[name]['max_rel_dev_vs_high']:.1e}),"
                f" IRBEM options [1,0,0,0,int] (its default resolution, ~1 % from its highest);"
                f" finite L* ours {o1[name]['finite']}/{res['n_lstar']}"
                + (f", IRBEM {ir['finite']}/{res['n_lstar']}" if ir else "")
            ),
        )
        rec.row(
            f"{name} L*, per L*, ours on {nc} cores",
            on[name]["timing"],
            None,
            note=f"ours only; scaling 1 -> {nc} cores {scaling:.2f}x (best warm over "
            f"{args.rounds} alternating rounds)",
        )
    if irbem:
        hi = irbem["t96"]["highest"]
        subset = "" if hi["n"] == res["n_lstar"] else f" at {', '.join(IRBEM_HIGHEST_SUBSET)}"
        for name in LSTAR_MODELS:
            rec.row(
                f"{name} L*, per L*, IRBEM highest [1,0,9,9,int] (one run)",
                {"cold": ex[name]["high_s_per_lstar"], "warm": None, "repeat": 0},
                irbem[name]["highest"]["timing"],
                note=f"one run each, not repeated: ours accuracy='high' on all {res['n_lstar']}"
                f" L* (after the kernels are loaded), IRBEM on {hi['n']} L*{subset}",
            )
    sub = res["extras"]["rbinv_subset"]
    if rbinv:
        ids = ", ".join(f"{i} {a:g} deg" for i, a in rbinv["ids"])
        rec.row(
            "t96 L*, per L*, rbinvariantslib particles (1 core)",
            sub["timing"],
            rbinv["timing"],
            note=f"{ids}; rbinvariantslib on its gridded T96 ({rbinv['grid_points']} points, built"
            f" once in {rbinv['build_s']:.1f} s, not counted); ours on the analytic T96",
        )
    n_pts = args.points
    for name in FIELD_MODELS:
        g = gp.get(name)
        peer = g
        note = "ours internal + external field (numba, 1 core)"
        if g and name != "igrf":
            peer = {k: g[k] + gp["igrf"][k] for k in ("cold", "warm", "median")} | {
                "repeat": g["repeat"]
            }
            note += "; geopack-vectorized: its external model + igrf_gsm_vectorized, times added"
        elif g:
            note += "; geopack-vectorized igrf_gsm_vectorized"
        ours_f = res["ours_1"]["field"][name]
        note += f"; ours {n_pts / ours_f['warm']:.3g} points/s warm"
        rec.row(f"{name} field, {n_pts} points", ours_f, peer, note=note)
    rec.note(
        "IRBEM, rbinvariantslib and geopack run in their own interpreters pinned to one CPU; "
        "ours in fresh subprocesses with NUMBA_NUM_THREADS set. Cold = first call in the "
        "process (for ours: numba's compiled kernels loaded from the disk cache, or compiled)."
    )
    rec.write({"raw": res})


if __name__ == "__main__":
    main()
