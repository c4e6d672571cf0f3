"""Reference radiation-belt invariants from IRBEM (through SpacePy's ``irbempy``).

Runs ONLY in the reference environment (SpacePy 0.7.0 with its bundled IRBEM library), never in
the geospacexr development environment::

    # full run (about 9 minutes), writes tests/rb/data/irbem_invariants.json
    /work/ref/rb/bin/python tests/rb/reference/irbem_invariants.py
    # subset (3 positions x 2 pitch angles, default resolution, ~7 s), JSON on stdout
    /work/ref/rb/bin/python tests/rb/reference/irbem_invariants.py --quick --out -

For a fixed particle set (time 2017-09-01T12:00:00 UTC, positions in GSM, local pitch angles
10/30/60/90 deg) it records, for four field models and two IRBEM resolution settings, what
``irbempy.get_Lstar`` (IRBEM ``make_lstar_shell_splitting1``) returns: L*, Lm, the second
invariant I ("Xj", in Re), Bmirr and Bmin (nT), MLT (h), plus K = I * sqrt(Bmirr[G])
(G^0.5 Re) and the equatorial pitch angle derived from those IRBEM numbers. Per position it also
records ``get_Bfield`` (Blocal, B vector in GEO), ``find_magequator`` (Bmin and the
minimum-B point) and, per pitch angle, ``find_Bmirror`` (mirror field and mirror point), and the
wall time per L*.

Models (IRBEM ``options[4]`` selects the internal field, ``extMag`` the external one):

* ``dipole``: ``options[4] = 5``, IRBEM's "centred dipole". Its moment is the IGRF dipole term
  sqrt(g10^2 + g11^2 + h11^2) at the epoch, but its axis is the GEOGRAPHIC z axis (not the IGRF
  dipole axis), and IRBEM builds its GSM frame from that axis, so the dipole tilt is the solar
  declination. The moment and the tilt IRBEM used are read from its COMMON blocks and recorded
  (``B0_nT``, ``tilt_deg``). Requires ``options[1] = 0`` (with ``options[1] > 0`` IRBEM skips
  its centred-dipole initialisation).
* ``igrf``: IGRF (IRBEM ships IGRF-13), no external field.
* ``t89``: IGRF + Tsyganenko 89c, Kp = 2 (IRBEM maps Kp*10 = 20 to T89 iopt = 3).
* ``t96``: IGRF + Tsyganenko 96, Pdyn = 2 nPa, Dst = -20 nT, ByIMF = 0, BzIMF = -2 nT.

``options[1] = 0`` everywhere: IRBEM evaluates IGRF (and the dipole axis of its GSM frame) at
decimal year 2017.5, not at the date; the tilt uses the actual UT.

Resolutions: ``default`` = ``options[2:4] = (0, 0)`` (IRBEM's recommended), ``highest`` =
``(9, 9)``, the largest values IRBEM accepts (options[2] is clamped to 0..9; options[3] sizes a
250-element array, so 9 is its maximum too). They set the polar-cap integration step
dtheta = pi / (720 * (options[2] + 1)) and the number of drift-shell field lines
25 * (options[3] + 1); they affect L* only (Lm, I, Bmin come from the same fixed-step trace).

NaN becomes ``null`` in the JSON. IRBEM's sign convention is kept: a negative Lm or L* means the
field line / drift shell reaches the Earth (particle lost to the atmosphere).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import json
import math
import pathlib
import sys
import time

import numpy as np
import spacepy

spacepy.config["ncpus"] = 1  # no multiprocessing: timings are single-core
import spacepy.coordinates as spc  # noqa: E402
import spacepy.irbempy as ib  # noqa: E402
import spacepy.time as spt  # noqa: E402

TIME_ISO = "2017-09-01T12:00:00"
RADII = (3.0, 4.5, 6.0)
PHIS_DEG = (0.0, 90.0, 180.0, 270.0)
OFF_EQ = ((5.0, 20.0, 0.0), (5.0, 20.0, 180.0), (5.0, -20.0, 0.0), (5.0, -20.0, 180.0))
ALPHA_LOCAL_DEG = (10.0, 30.0, 60.0, 90.0)
GSM_SYSAXES = 2  # IRBEM sysaxes code for GSM (spacepy.coordinates.SYSAXES_TYPES['GSM'])

DRIVERS = {
    "Kp": 2.0,
    "Dst": -20.0,
    "dens": 5.0,
    "velo": 400.0,
    "Pdyn": 2.0,
    "ByIMF": 0.0,
    "BzIMF": -2.0,
    **{k: 0.0 for k in ("G1", "G2", "G3", "W1", "W2", "W3", "W4", "W5", "W6")},
}

MODELS = {
    "dipole": {
        "extMag": "0",
        "int_option": 5,
        "description": "IRBEM centred dipole (options[4]=5): moment |g10,g11,h11| of IGRF-13 at "
        "2017.5, axis = geographic z; IRBEM's GSM frame uses that axis (tilt = solar "
        "declination). No external field.",
    },
    "igrf": {
        "extMag": "0",
        "int_option": 0,
        "description": "IGRF-13 at 2017.5 (options[4]=0), no external field.",
    },
    "t89": {
        "extMag": "T89",
        "int_option": 0,
        "description": "IGRF-13 at 2017.5 + T89c with Kp=2 (IRBEM maginput Kp*10=20 -> iopt=3).",
    },
    "t96": {
        "extMag": "T96",
        "int_option": 0,
        "description": "IGRF-13 at 2017.5 + T96 with Pdyn=2 nPa, Dst=-20 nT, ByIMF=0, "
        "BzIMF=-2 nT (GSM; IRBEM's T96 has no solar-wind aberration).",
    },
}

RESOLUTIONS = {"default": (0, 0), "highest": (9, 9)}

# Subset used by --quick (the live test): position ids and pitch angles.
QUICK_POSITIONS = ("r4.5_phi0", "r6_phi180", "r5_lat20_phi0")
QUICK_ALPHAS = (30.0, 90.0)


def _fmt(x: float) -> str:
    return f"{x:g}"


def particle_positions() -> list[dict]:
    """Fixed GSM positions (Re): equatorial ring points and off-equator points."""
    out = []
    for r in RADII:
        for phi in PHIS_DEG:
            p = math.radians(phi)
            out.append(
                {
                    "id": f"r{_fmt(r)}_phi{_fmt(phi)}",
                    "r": r,
                    "phi_deg": phi,
                    "lat_gsm_deg": 0.0,
                    "xyz_gsm": [r * math.cos(p), r * math.sin(p), 0.0],
                }
            )
    for r, lat, phi in OFF_EQ:
        p, la = math.radians(phi), math.radians(lat)
        out.append(
            {
                "id": f"r{_fmt(r)}_lat{_fmt(lat)}_phi{_fmt(phi)}",
                "r": r,
                "phi_deg": phi,
                "lat_gsm_deg": lat,
                "xyz_gsm": [
                    r * math.cos(la) * math.cos(p),
                    r * math.cos(la) * math.sin(p),
                    r * math.sin(la),
                ],
            }
        )
    # exact zeros instead of 1e-16 residues from cos(90 deg)
    for q in out:
        q["xyz_gsm"] = [0.0 if abs(v) < 1e-12 else v for v in q["xyz_gsm"]]
    return out


def _clean(x):
    """Nested dicts/lists with NaN -> None and numpy scalars -> float."""
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, (float, np.floating)):
        return None if not np.isfinite(x) else float(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


def _irbem_state() -> dict:
    """Dipole moment (nT), eccentric-dipole terms and tilt (deg) from IRBEM's COMMON blocks."""
    lib = ib.irbemlib
    dip = (ctypes.c_double * 8).in_dll(lib, "dipigrf_")
    tilt = ctypes.c_double.in_dll(lib, "dip_ang_")
    return {
        "B0_nT": dip[0],
        "dipole_centre_GEO_Re": [dip[1], dip[2], dip[3]],
        "dipole_axis_cos_sin_theta_phi": [dip[4], dip[5], dip[6], dip[7]],
        "tilt_deg": tilt.value,
    }


def _irbem_version() -> dict:
    lib = ib.irbemlib
    v = ctypes.c_int32(0)
    lib.irbem_fortran_version1_(ctypes.byref(v))
    rls = ctypes.create_string_buffer(80)
    lib.irbem_fortran_release1_(rls, ctypes.c_long(80))
    return {"fortran_version": v.value, "fortran_release": rls.value.decode().strip()}


def run_model(
    name: str, positions: list[dict], alphas: tuple, resolutions: dict, timing: bool = True
) -> dict:
    """All IRBEM quantities for one model at the given positions and local pitch angles."""
    spec = MODELS[name]
    ext = spec["extMag"]
    ticks = spt.Ticktock([TIME_ISO], "ISO")
    omni = {k: [v] for k, v in DRIVERS.items()}
    base_opts = [1, 0, 0, 0, spec["int_option"]]
    nalpha = len(alphas)
    sin2 = np.sin(np.radians(alphas)) ** 2

    def coords(xyz):
        return spc.Coords([xyz], "GSM", "car", use_irbem=True)

    # position-level quantities (resolution-independent)
    blocal, bvec, bmin_eq, eq_geo = [], [], [], []
    bm_mirror, mirror_geo = [], []
    for q in positions:
        c = coords(q["xyz_gsm"])
        bf = ib.get_Bfield(ticks, c, extMag=ext, options=base_opts, omnivals=omni)
        blocal.append(float(bf["Blocal"][0]))
        bvec.append(bf["Bvec"][0].tolist())
        me = ib.find_magequator(ticks, c, extMag=ext, options=base_opts, omnivals=omni)
        bmin_eq.append(float(me["Bmin"][0]))
        eq_geo.append(np.asarray(me["loci"].data)[0].tolist())
        row_b, row_x = [], []
        for a in alphas:  # one call per angle: spacepy keeps only the last mirror point
            fb = ib.find_Bmirror(ticks, c, [a], extMag=ext, options=base_opts, omnivals=omni)
            row_b.append(float(np.ravel(fb["Bmirr"])[0]))
            row_x.append(np.asarray(fb["loci"].data)[0].tolist())
        bm_mirror.append(row_b)
        mirror_geo.append(row_x)
    state = _irbem_state()
    blocal_a = np.array(blocal)
    eq_geo_a = np.array(eq_geo, dtype=float)
    mirror_geo_a = np.array(mirror_geo, dtype=float)

    out = {
        "extMag": ext,
        "description": spec["description"],
        "B0_nT": state["B0_nT"],
        "tilt_deg": state["tilt_deg"],
        "irbem_dipole_common": state,
        "position_ids": [q["id"] for q in positions],
        "Blocal_nT": blocal,
        "Bvec_GEO_nT": bvec,
        "Bmin_magequator_nT": bmin_eq,
        "magequator_GEO_Re": eq_geo_a,
        "magequator_r_Re": np.linalg.norm(eq_geo_a, axis=1),
        "find_Bmirror_Bmirr_nT": bm_mirror,
        "mirror_point_GEO_Re": mirror_geo_a,
        "mirror_point_r_Re": np.linalg.norm(mirror_geo_a, axis=2),
        "Blocal_over_sin2alpha_nT": blocal_a[:, None] / sin2[None, :],
        "resolutions": {},
    }

    all_coords = spc.Coords([q["xyz_gsm"] for q in positions], "GSM", "car", use_irbem=True)
    all_ticks = spt.Ticktock([TIME_ISO] * len(positions), "ISO")
    all_omni = {k: [v] * len(positions) for k, v in DRIVERS.items()}
    n_l = len(positions) * nalpha

    def lstar_call(opts):
        t0 = time.perf_counter()
        r = ib.get_Lstar(
            all_ticks, all_coords, alpha=list(alphas), extMag=ext, options=opts, omnivals=all_omni
        )
        return r, time.perf_counter() - t0

    for rname, (o3, o4) in resolutions.items():
        opts = [1, 0, o3, o4, spec["int_option"]]
        # warm-up call (first-call overheads excluded from timings)
        ib.get_Lstar(
            ticks,
            coords(positions[0]["xyz_gsm"]),
            alpha=list(alphas),
            extMag=ext,
            options=opts,
            omnivals=omni,
        )
        # one batched call: all positions x all alphas (IRBEM resets its drift-shell first
        # guess for every alpha, so values do not depend on batching)
        r, elapsed = lstar_call(opts)
        _, elapsed0 = lstar_call([0, *opts[1:]])  # same without L*: Lm, I, Bmirr only
        lstar = np.asarray(r["Lstar"])[:, :nalpha]
        xj = np.asarray(r["Xj"])[:, :nalpha]
        bmirr = np.asarray(r["Bmirr"])[:, :nalpha]
        bmin = np.asarray(r["Bmin"])
        with np.errstate(invalid="ignore"):
            k = xj * np.sqrt(bmirr * 1e-5)  # nT -> G
            sin2_eq = np.clip(sin2[None, :] * bmin[:, None] / blocal_a[:, None], 0.0, 1.0)
            alpha_eq = np.degrees(np.arcsin(np.sqrt(sin2_eq)))
        block = {
            "options": opts,
            "Lstar": lstar,
            "Lm": np.asarray(r["Lm"])[:, :nalpha],
            "I_Re": xj,
            "K_G05Re": k,
            "Bmirr_nT": bmirr,
            "Bmin_nT": bmin,
            "MLT_h": np.asarray(r["MLT"]),
            "alpha_eq_deg": alpha_eq,
            "seconds_per_Lstar": elapsed / n_l,
            "seconds_per_Lstar_without_drift_shell": elapsed0 / n_l,
            "seconds_batch_total": elapsed,
            "n_Lstar": int(lstar.size),
            "n_Lstar_finite": int(np.isfinite(lstar).sum()),
        }
        if rname == "default" and timing:
            # per-position cost (one get_Lstar call per position, all alphas), and a check
            # that the single-position calls reproduce the batched values
            per_pos, maxdiff = [], 0.0
            for i, q in enumerate(positions):
                t0 = time.perf_counter()
                r1 = ib.get_Lstar(
                    ticks,
                    coords(q["xyz_gsm"]),
                    alpha=list(alphas),
                    extMag=ext,
                    options=opts,
                    omnivals=omni,
                )
                per_pos.append((time.perf_counter() - t0) / nalpha)
                d = np.abs(np.asarray(r1["Lstar"])[0, :nalpha] - lstar[i])
                if np.any(np.isfinite(d)):
                    maxdiff = max(maxdiff, float(np.nanmax(d)))
            block["seconds_per_Lstar_by_position"] = per_pos
            block["max_abs_Lstar_diff_single_vs_batched"] = maxdiff
        out["resolutions"][rname] = block
        print(
            f"[irbem] {name:6s} {rname:8s} opts={opts}: {elapsed / n_l:.4f} s per L* "
            f"(batched; {elapsed0 / n_l:.4f} s without drift shell; {lstar.size} L*, "
            f"{int(np.isfinite(lstar).sum())} finite)",
            file=sys.stderr,
            flush=True,
        )
    return _clean(out)


def main(argv=None) -> int:
    here = pathlib.Path(__file__).resolve()
    default_out = here.parents[1] / "data" / "irbem_invariants.json"
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(default_out), help="output JSON path, '-' for stdout")
    ap.add_argument(
        "--quick",
        action="store_true",
        help=f"subset {QUICK_POSITIONS} x {QUICK_ALPHAS} deg, default resolution",
    )
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated model names")
    ap.add_argument(
        "--resolutions", default=",".join(RESOLUTIONS), help="comma-separated: default,highest"
    )
    args = ap.parse_args(argv)

    positions = particle_positions()
    alphas = ALPHA_LOCAL_DEG
    resolutions = {k: RESOLUTIONS[k] for k in args.resolutions.split(",")}
    if args.quick:
        positions = [q for q in positions if q["id"] in QUICK_POSITIONS]
        alphas = QUICK_ALPHAS
        resolutions = {"default": RESOLUTIONS["default"]}

    t_start = time.perf_counter()
    models = {
        m: run_model(m, positions, alphas, resolutions, timing=not args.quick)
        for m in args.models.split(",")
    }
    doc = {
        "description": "IRBEM reference invariants (tests/rb/reference/irbem_invariants.py)",
        "generated_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "quick": bool(args.quick),
        "versions": {
            "spacepy": spacepy.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "irbem": {**_irbem_version(), "bundled_source": "irbem-lib-20220829-dfb9d26"},
            "igrf": "IGRF-13 (bundled in IRBEM), evaluated at decimal year 2017.5",
        },
        "conventions": {
            "time_utc": TIME_ISO,
            "position_frame": "GSM (IRBEM sysaxes=2), Earth radii (6371.2 km)",
            "irbem_sysaxes_GSM": GSM_SYSAXES,
            "alpha_local_deg": "local pitch angle at the given position (IRBEM's alpha input)",
            "alpha_eq_deg": "asin(sqrt(sin^2(alpha_local) * Bmin / Blocal)), from IRBEM Bmin, "
            "Blocal",
            "I_Re": "IRBEM Xj: I = integral of sqrt(1 - B/Bm) ds between mirror points, Re",
            "K_G05Re": "K = I * sqrt(Bmirr) with Bmirr in gauss (1 G = 1e5 nT), G^0.5 Re",
            "Bmirr_nT": "IRBEM's B at the mirror point it found (make_lstar_shell_splitting1)",
            "Blocal_over_sin2alpha_nT": "exact mirror field for the local pitch angle",
            "Lm": "McIlwain L (Hilton approximation with IRBEM's B0 = IGRF dipole moment)",
            "Lstar": "Roederer L* = 2*pi*B0/Phi, Phi = flux through the polar cap at r = 1 Re",
            "sign": "negative Lm / Lstar: field line / drift shell reaches the Earth (IRBEM)",
            "null": "NaN (IRBEM bad value), e.g. open or lost drift shell",
            "array_layout": "[position][alpha] for per-particle, [position] for per-position",
            "GEO_vectors": "get_Bfield Bvec and find_* points are in GEO (IRBEM), Re / nT",
            "seconds_per_Lstar": "wall time of ONE get_Lstar call over all positions and "
            "alphas divided by their number (one core, warm library); "
            "seconds_per_Lstar_without_drift_shell: same call with options[0]=0 (Lm, I, "
            "Bmirr only); seconds_per_Lstar_by_position (default resolution): one call per "
            "position / n_alpha, includes spacepy's per-call overhead (~0.05-0.1 s: it "
            "allocates 25 x 100000 input arrays)",
            "options": "IRBEM options: [L* flag, IGRF update (0: year.5), dtheta resolution, "
            "drift-shell resolution, internal field]",
        },
        "drivers": DRIVERS,
        "positions": positions,
        "alpha_local_deg": list(alphas),
        "models": models,
        "total_seconds": time.perf_counter() - t_start,
    }
    text = json.dumps(doc, indent=1, allow_nan=False)
    if args.out == "-":
        sys.stdout.write(text + "\n")
    else:
        pathlib.Path(args.out).write_text(text + "\n")
        print(f"[irbem] wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
