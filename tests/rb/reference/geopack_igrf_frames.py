"""Reference numbers for tests/rb/test_igrf.py and tests/rb/test_frames.py.

Runs ONLY in the reference environment (geopack 1.0.13 / geopack-vectorized 1.1.4, ppigrf):

    /work/ref/rb/bin/python tests/rb/reference/geopack_igrf_frames.py [out.json]

(default output: tests/rb/data/geopack_igrf_frames.json). Nothing from geospacexr is imported.

What is recorded:

* ``igrf``: at 5 times x 50 GEO positions (1-10 Re, all latitudes, exact and near-polar axis
  points), the IGRF-14 field from geopack's ``igrf_geo`` + ``bspcar`` (GEO Cartesian nT).
  geopack differs from a plain IGRF synthesis in two documented ways, both recorded:

  - it truncates the expansion at ``nm = min(3 + 30 // int(r + 2), 13)`` (degree 13 only below
    2 Re, 5 at 10 Re); ``nmax`` is stored per point so the test evaluates the same degree;
  - it parses the coefficient table with ``np.float32``, rounding e.g. -1410.3 to
    -1410.300048828125 (relative errors ~1e-8). ``field_geopack_float64`` is geopack's own
    code with its coefficient table replaced by a float64 parse of the same file (same layout
    and same extension of the last column by 5 x SV as ``init_igrf``); ``field_geopack_shipped``
    is geopack unmodified.

  ppigrf (full degree 13, float64, linear-in-time interpolation) gives spherical components
  ``ppigrf_br_btheta_bphi`` at the same positions (None on the polar axis, where ppigrf divides
  by sin(theta)).
* ``frames``: at 6 times, the dipole tilt of ``recalc`` and the rotation matrices of geopack's
  ``geogsm``, ``smgsm``, ``gsmgse``, ``geomag``, ``geigeo``, ``magsm`` (columns = the images of
  the unit vectors), from the float64 table (``float64``) and as shipped (``shipped``).

Times are UT; geopack's ``ut`` is seconds since 1970-01-01.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.metadata
import json
import sys
from pathlib import Path

import numpy as np

IGRF_TIMES = [
    "1965-01-01T00:00:00",  # epoch
    "2000-01-01T00:00:00",  # epoch
    "2015-04-20T12:00:00",  # ~2015.30
    "2024-09-13T06:00:00",  # ~2024.70
    "2028-03-01T18:30:00",  # secular-variation period
]
FRAME_TIMES = [
    "1970-06-21T00:00:00",
    "1995-03-21T12:00:00",
    "2003-10-29T06:11:00",
    "2015-04-20T12:00:00",
    "2024-09-13T06:00:00",
    "2029-12-31T23:59:00",
]
# (name, geopack routine, direction flag): the matrix maps the first frame to the second
FRAME_PAIRS = [
    ("GEO", "GSM", "geogsm", 1),
    ("GSM", "GEO", "geogsm", -1),
    ("SM", "GSM", "smgsm", 1),
    ("GSM", "SM", "smgsm", -1),
    ("GSM", "GSE", "gsmgse", 1),
    ("GSE", "GSM", "gsmgse", -1),
    ("GEO", "MAG", "geomag", 1),
    ("MAG", "GEO", "geomag", -1),
    ("GEI", "GEO", "geigeo", 1),
    ("GEO", "GEI", "geigeo", -1),
    ("MAG", "SM", "magsm", 1),
    ("SM", "MAG", "magsm", -1),
]
N_POINTS = 50


def ut_seconds(iso: str) -> float:
    return (dt.datetime.fromisoformat(iso) - dt.datetime(1970, 1, 1)).total_seconds()


def points(seed: int) -> np.ndarray:
    """50 GEO positions (Re): random radius 1-10, latitude, longitude, plus special cases."""
    rng = np.random.default_rng(seed)
    r = rng.uniform(1.0, 10.0, N_POINTS)
    lat = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, N_POINTS)))
    lon = rng.uniform(-180.0, 180.0, N_POINTS)
    r[:8] = [1.0, 1.0, 1.5, 2.0, 3.0, 6.6, 10.0, 1.0]
    lat[:8] = [90.0, -90.0, 89.9999, -89.99, 0.0, 89.5, -45.0, 60.0]
    lat[8:12] = [88.0, -88.0, 0.0, 0.001]
    xyz = np.stack(
        [
            r * np.cos(np.radians(lat)) * np.cos(np.radians(lon)),
            r * np.cos(np.radians(lat)) * np.sin(np.radians(lon)),
            r * np.sin(np.radians(lat)),
        ],
        axis=1,
    )
    xyz[:2, :2] = 0.0  # exactly on the axis
    return xyz


def float64_table(gp) -> dict:
    """geopack's ``igrf`` table re-parsed in float64 (same layout as ``init_igrf``)."""
    path = Path(gp.__file__).parent / "igrf_coeffs" / "igrf14coeffs.txt"
    lines = [ln for ln in path.read_text().splitlines() if ln[:2] in ("g ", "h ")]
    k = 14
    table = np.zeros(((k + 1) * k // 2, len(gp.years), 2))
    for line in lines:
        cols = line.split()
        n, m = int(cols[1]), int(cols[2])
        table[n * (n + 1) // 2 + m, :, 0 if cols[0] == "g" else 1] = [float(v) for v in cols[3:]]
    table[:, -1, :] = table[:, -2, :] + table[:, -1, :] * 5
    return {"g": table[:, :, 0], "h": table[:, :, 1]}


def geopack_field(gp, xyz: np.ndarray, ut: float) -> tuple[list, list]:
    gp.recalc(ut)
    out, nms = [], []
    for x, y, z in xyz:
        r, theta, phi = gp.sphcar(x, y, z, -1)
        br, bt, bf = gp.igrf_geo(r, theta, phi)
        out.append([float(v) for v in gp.bspcar(theta, phi, br, bt, bf)])
        nms.append(min(int(3 + 30 / int(r + 2)), 13))
    return out, nms


def frame_matrices(gp, ut: float) -> dict:
    psi = float(gp.recalc(ut))
    mats = {}
    for a, b, routine, j in FRAME_PAIRS:
        fn = getattr(gp, routine)
        cols = [fn(*np.eye(3)[k], j) for k in range(3)]
        mats[f"{a}->{b}"] = np.array(cols, dtype=float).T.tolist()
    return {"tilt": psi, "matrices": mats}


def _offline(*args, **kwargs):
    raise OSError("no network access in the reference script")


def main(out_path: Path) -> None:
    import urllib.request

    # geopack runs init_igrf() at import, which lists the NOAA server first: stay offline and
    # use the coefficient files shipped with the package
    urllib.request.urlopen = _offline
    import geopack.geopack as gp
    import ppigrf

    gp.update_igrf = lambda local_dir: None
    gp.init_igrf("14")
    shipped = gp.igrf
    table64 = float64_table(gp)
    coeff_file = Path(gp.__file__).parent / "igrf_coeffs" / "igrf14coeffs.txt"

    igrf_cases = []
    for i, iso in enumerate(IGRF_TIMES):
        xyz = points(1000 + i)
        ut = ut_seconds(iso)
        gp.igrf = table64
        field64, nms = geopack_field(gp, xyz, ut)
        gp.igrf = shipped
        field32, _ = geopack_field(gp, xyz, ut)
        r = np.linalg.norm(xyz, axis=1)
        rho = np.hypot(xyz[:, 0], xyz[:, 1])
        theta = np.degrees(np.arctan2(rho, xyz[:, 2]))
        phi = np.degrees(np.arctan2(xyz[:, 1], xyz[:, 0]))
        ok = rho / r > 1e-6
        br, bt, bp = ppigrf.igrf_gc(
            r[ok] * ppigrf.ppigrf.RE, theta[ok], phi[ok], dt.datetime.fromisoformat(iso)
        )
        sph = np.full((len(r), 3), np.nan)
        sph[ok] = np.stack([br[0], bt[0], bp[0]], axis=1)
        igrf_cases.append(
            {
                "time": iso,
                "xyz_geo": xyz.tolist(),
                "nmax_geopack": nms,
                "field_geopack_float64": field64,
                "field_geopack_shipped": field32,
                "ppigrf_br_btheta_bphi": [None if np.isnan(v[0]) else v.tolist() for v in sph],
            }
        )

    frame_cases = []
    for iso in FRAME_TIMES:
        ut = ut_seconds(iso)
        gp.igrf = table64
        f64 = frame_matrices(gp, ut)
        gp.igrf = shipped
        f32 = frame_matrices(gp, ut)
        frame_cases.append({"time": iso, "float64": f64, "shipped": f32})

    versions = {}
    for dist in ("geopack", "geopack-vectorized", "ppigrf", "numpy"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = None
    record = {
        "generated_by": "tests/rb/reference/geopack_igrf_frames.py",
        "versions": versions,
        "python": sys.version.split()[0],
        "geopack_module_sha256": hashlib.sha256(Path(gp.__file__).read_bytes()).hexdigest(),
        "coefficient_file_sha256": hashlib.sha256(coeff_file.read_bytes()).hexdigest(),
        "notes": __doc__,
        "igrf": igrf_cases,
        "frames": frame_cases,
    }
    out_path.write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[1] / "data" / "geopack_igrf_frames.json"
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    # geopack prints progress to stdout; keep stdout clean for callers
    with contextlib.redirect_stdout(sys.stderr):
        main(target)
    sys.stderr.write(f"wrote {target}\n")
