"""Reference L* (and K) from rbinvariantslib for T96, with timings.

Runs ONLY in the rbinvariantslib reference environment (numpy < 2, PyGeopack, pyvista/VTK)::

    /work/ref/rbinv/bin/python tests/rb/reference/rbinvariantslib_lstar.py
        # -> tests/rb/data/rbinvariantslib_lstar.json
    /work/ref/rbinv/bin/python tests/rb/reference/rbinvariantslib_lstar.py --quick --out -
        # one particle on a coarser grid, JSON on stdout

rbinvariantslib (da Silva et al. 2023, doi:10.1029/2023JA032397) works on GRIDDED fields: the
model is sampled once on a structured grid (``models.get_tsyganenko`` calls PyGeopack's
``ModelField``, i.e. IGRF + T96 from geopack-2008 Fortran), field lines are traced through the
grid with VTK's streamline tracer (pyvista), and L* follows from the latitude at which each
drift-shell field line reaches the model's inner boundary, assuming a dipole inside it:
L* = 2 pi R_in / integral(sin^2 theta dphi).

Offline path: no OMNI look-up; the T96 drivers are passed directly in the ``params`` dict
(``Pdyn``, ``SymH`` (fed to T96's Dst slot), ``By``, ``Bz``) together with ``Vx=-400, Vy=Vz=0``
so that PyGeopack's GSW frame equals GSM (PyGeopack otherwise fills the solar-wind velocity
from its own defaults, which aberrates the frame). ``GEOPACK_NOWARN=1`` silences PyGeopack's
missing-data-file warnings.

Pitch angles: our particles have LOCAL pitch angles at GSM positions. rbinvariantslib's
``starting_pitch_angle`` is the pitch angle at Bmin (its code sets Bm = Bmin / sin^2 alpha),
so we pass ``Bm = |B(start)| / sin^2(alpha_local)`` instead, with |B(start)| from PyGeopack at
the starting point (Gauss, the package's unit). Positions are converted GSM -> SM with PyGeopack
(the package works in SM). K is in G^0.5 Re.

The grid (spherical, r from the inner boundary outwards, log spaced; colatitude and longitude
uniform) and its resolution are recorded in the JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import pathlib
import sys
import time

os.environ.setdefault("GEOPACK_NOWARN", "1")

import numpy as np
import PyGeopack as gp
import rbinvariantslib
from rbinvariantslib import invariants, models

TIME = dt.datetime(2017, 9, 1, 12, 0, 0)
T96_PARAMS = {"Pdyn": 2.0, "SymH": -20.0, "By": 0.0, "Bz": -2.0, "Vx": -400.0, "Vy": 0.0, "Vz": 0.0}
GP_DATE = 20170901
GP_UT = 12.0

# A handful of the IRBEM particle set (ids as in irbem_invariants.py): (id, xyz_gsm, alpha_local)
PARTICLES = [
    ("r4.5_phi0", (4.5, 0.0, 0.0), 30.0),
    ("r4.5_phi0", (4.5, 0.0, 0.0), 60.0),
    ("r6_phi180", (-6.0, 0.0, 0.0), 30.0),
    ("r6_phi180", (-6.0, 0.0, 0.0), 60.0),
    (
        "r5_lat20_phi0",
        (5.0 * math.cos(math.radians(20.0)), 0.0, 5.0 * math.sin(math.radians(20.0))),
        90.0,
    ),
]
QUICK_PARTICLES = [PARTICLES[2]]

GRIDS = {
    # name: (inner boundary Re, outer Re, n_r, n_colat, n_lon)
    "standard": (2.0, 11.0, 100, 121, 121),
    "quick": (2.0, 11.0, 60, 73, 73),
}


def spherical_grid(r_in: float, r_out: float, n_r: int, n_th: int, n_ph: int):
    """Structured SM grid (Re): log-spaced r, colatitude 1..179 deg, longitude 0..360 closed."""
    r = np.geomspace(r_in, r_out, n_r)
    th = np.radians(np.linspace(1.0, 179.0, n_th))
    ph = np.radians(np.linspace(0.0, 360.0, n_ph))
    rr, tt, pp = np.meshgrid(r, th, ph, indexing="ij")
    x = rr * np.sin(tt) * np.cos(pp)
    y = rr * np.sin(tt) * np.sin(pp)
    z = rr * np.cos(tt)
    return x, y, z


def field_gauss_sm(xyz_sm) -> float:
    bx, by, bz = gp.ModelField(
        np.array([xyz_sm[0]]),
        np.array([xyz_sm[1]]),
        np.array([xyz_sm[2]]),
        Date=GP_DATE,
        ut=GP_UT,
        Model="T96",
        CoordIn="SM",
        CoordOut="SM",
        **T96_PARAMS,
    )
    return float(np.sqrt(bx[0] ** 2 + by[0] ** 2 + bz[0] ** 2)) * 1e-5  # nT -> G


def gsm_to_sm(xyz):
    x, y, z = gp.Coords.GSMtoSM(
        np.array([xyz[0]]),
        np.array([xyz[1]]),
        np.array([xyz[2]]),
        GP_DATE,
        GP_UT,
        V=(T96_PARAMS["Vx"], 0.0, 0.0),
    )
    return float(x[0]), float(y[0]), float(z[0])


def run(grid_name: str, particles: list) -> dict:
    """Build the gridded T96 model and compute L* for the particles; timings included."""
    r_in, r_out, n_r, n_th, n_ph = GRIDS[grid_name]
    t0 = time.perf_counter()
    x, y, z = spherical_grid(r_in, r_out, n_r, n_th, n_ph)
    model = models.get_tsyganenko("T96", dict(T96_PARAMS), TIME, x, y, z, inner_boundary=r_in)
    t_model = time.perf_counter() - t0
    print(f"[rbinv] T96 on {x.size} grid points: {t_model:.1f} s", file=sys.stderr, flush=True)

    results = []
    for pid, xyz_gsm, alpha in particles:
        xyz_sm = gsm_to_sm(xyz_gsm)
        b_loc = field_gauss_sm(xyz_sm)
        bm = b_loc / math.sin(math.radians(alpha)) ** 2
        rec = {
            "id": pid,
            "xyz_gsm": list(xyz_gsm),
            "xyz_sm": list(xyz_sm),
            "alpha_local_deg": alpha,
            "Blocal_nT": b_loc * 1e5,
            "Bm_nT": bm * 1e5,
        }
        t1 = time.perf_counter()
        try:
            res = invariants.calculate_LStar(model, xyz_sm, Bm=bm)
            rec.update(
                Lstar=float(res.LStar),
                K_G05Re=float(res.drift_K[0]),
                drift_K_spread_rel=float(np.ptp(res.drift_K) / np.mean(res.drift_K))
                if np.mean(res.drift_K) > 0
                else None,
                Bmin_nT=float(res.drift_K_results[0].Bmin * 1e5),
                drift_is_closed=bool(res.drift_is_closed),
                n_local_times=len(res.drift_local_times),
                drift_rvalues_Re=[float(v) for v in res.drift_rvalues],
                error=None,
            )
        except Exception as exc:  # the peer package raises on non-convergence
            rec.update(Lstar=None, error=f"{type(exc).__name__}: {str(exc)[:300]}")
        rec["seconds"] = time.perf_counter() - t1
        print(
            f"[rbinv] {grid_name} {pid} alpha={alpha}: L*={rec['Lstar']} in {rec['seconds']:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        results.append(rec)
    secs = [r["seconds"] for r in results if r["Lstar"] is not None]
    return {
        "grid": {
            "name": grid_name,
            "frame": "SM",
            "kind": "spherical structured grid: r log-spaced, colatitude 1..179 deg, "
            "longitude 0..360 deg (closed)",
            "inner_boundary_Re": r_in,
            "outer_Re": r_out,
            "n_r": n_r,
            "n_colat": n_th,
            "n_lon": n_ph,
            "n_points": int(x.size),
        },
        "model_build_seconds": t_model,
        "particles": results,
        "seconds_per_Lstar_mean": float(np.mean(secs)) if secs else None,
    }


def main(argv=None) -> int:
    here = pathlib.Path(__file__).resolve()
    default_out = here.parents[1] / "data" / "rbinvariantslib_lstar.json"
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(default_out), help="output JSON path, '-' for stdout")
    ap.add_argument("--quick", action="store_true", help="one particle, coarse grid")
    args = ap.parse_args(argv)

    if args.quick:
        main_run = run("quick", QUICK_PARTICLES)
        quick_run = None
    else:
        main_run = run("standard", PARTICLES)
        # the --quick configuration too, so that a live test can compare like with like
        quick_run = run("quick", QUICK_PARTICLES)

    doc = {
        "description": "rbinvariantslib L* for T96 (tests/rb/reference/rbinvariantslib_lstar.py)",
        "generated_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "quick": bool(args.quick),
        "versions": {
            "rbinvariantslib": rbinvariantslib.__version__,
            "PyGeopack": gp.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
        },
        "time_utc": TIME.isoformat(),
        "t96_params": T96_PARAMS,
        "t96_note": "SymH is passed in T96's Dst slot (= our Dst); Vx=-400, Vy=Vz=0: GSW = GSM",
        "calculate_LStar_kwargs": "defaults (mode='normal', num_local_times=16, "
        "major_step=0.05, minor_step=0.01, trace step 1e-3 Re, interp_local_times=True); "
        "Bm = |B(start)| / sin^2(alpha_local)",
        "units": {"K_G05Re": "G^0.5 Re", "B": "nT", "seconds": "wall, one core"},
        **main_run,
        "quick_configuration": quick_run,
    }
    text = json.dumps(doc, indent=1, allow_nan=False)
    if args.out == "-":
        sys.stdout.write(text + "\n")
    else:
        pathlib.Path(args.out).write_text(text + "\n")
        print(f"[rbinv] wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
