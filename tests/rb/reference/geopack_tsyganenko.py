"""Reference values of the T89 and T96 external field models from the ``geopack`` package.

Runs in the *reference* environment (a Python with ``geopack`` installed, never the project's
own one) and writes ``tests/rb/data/geopack_tsyganenko.json`` (or the path given as the first
argument): the package versions, the inputs (positions, tilts, T89 Kp bins, T96 parameter
sets) and geopack's field at every input, as exact float reprs.

    /work/ref/rb/bin/python tests/rb/reference/geopack_tsyganenko.py [out.json]

Only the model modules ``geopack.t89`` and ``geopack.t96`` are imported (``geopack.geopack``
would try to download IGRF coefficients at import). The test ``tests/rb/test_tsyganenko.py``
compares geospacexr's numba kernels with these numbers (recorded), and with a fresh run of this
script when ``GEOSPACEXR_REF_RB`` names the reference interpreter (live).
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
from geopack import t89 as gp_t89
from geopack import t96 as gp_t96

SEED = 20240611
T96_PARMODS = [  # [pdyn (nPa), dst (nT), by (nT), bz (nT)]
    [2.0, -10.0, 2.0, -1.0],  # quiet, weakly southward
    [1.0, 0.0, 0.0, 5.0],  # northward IMF, clock angle 0 (Fortran: 2 pi)
    [3.0, -30.0, 0.0, 0.0],  # zero IMF
    [5.0, -50.0, -5.0, -5.0],  # moderate storm
    [8.0, -90.0, 8.0, -10.0],  # strong driving, compressed magnetosphere
    [0.5, 15.0, -3.0, 3.0],  # low pressure, expanded magnetosphere
]


def _unit(lat, lon):
    return np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)


def make_points(rng):
    """(x, y, z, ps) rows spread over the magnetosphere; deterministic for a given rng."""
    pts = []
    # inner magnetosphere, 2-8 Re, |latitude| < 40 deg
    for _ in range(16):
        r = rng.uniform(2.0, 8.0)
        ux, uy, uz = _unit(np.radians(rng.uniform(-40, 40)), rng.uniform(0, 2 * np.pi))
        pts.append([r * ux, r * uy, r * uz])
    # plasma sheet and tail lobes, x -30..-8
    for _ in range(12):
        pts.append([rng.uniform(-30, -8), rng.uniform(-12, 12), rng.uniform(-8, 8)])
    # dayside near the magnetopause (some inside, in and beyond the T96 boundary layer)
    for _ in range(8):
        pts.append([rng.uniform(6, 12), rng.uniform(-8, 8), rng.uniform(-6, 6)])
    pts += [[10.9, 0.5, 0.3], [11.0, 0.0, 0.0], [9.5, 1.0, -1.0], [12.0, -2.0, 1.0]]
    # high latitudes: dipole field lines with footprint colatitudes 5-30 deg, both hemispheres
    for _ in range(14):
        th0 = np.radians(rng.uniform(5, 30))
        rmax = min(8.0, 0.9 / math.sin(th0) ** 2)
        r = rng.uniform(2.0, rmax)
        th = math.asin(math.sqrt(r) * math.sin(th0))
        if rng.uniform() < 0.5:
            th = math.pi - th
        phi = rng.uniform(0, 2 * np.pi)
        pts.append([r * math.sin(th) * math.cos(phi), r * math.sin(th) * math.sin(phi),
                    r * math.cos(th)])  # fmt: skip
    # flanks, the noon-midnight plane, the far tail, the x-axis
    pts += [
        [0.0, 15.0, 2.0],
        [-5.0, -20.0, -3.0],
        [5.0, -12.0, 4.0],
        [-30.0, 0.0, 3.0],
        [-15.0, 0.0, 1.0],
        [-10.0, 0.0, 0.0],
        [3.0, 0.0, 2.0],
        [10.0, 0.0, 0.0],
    ]
    pts = np.array(pts, dtype=float)
    ps = rng.uniform(-0.5, 0.5, len(pts))
    ps[:3] = [-0.5, 0.0, 0.5]
    ps[-3:] = [0.5, -0.5, 0.0]
    return np.column_stack([pts, ps])


def _sha256(module):
    return hashlib.sha256(Path(module.__file__).read_bytes()).hexdigest()


def _version(dist):
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def main(out: Path) -> None:
    rng = np.random.default_rng(SEED)
    points = make_points(rng)
    t89_b = []
    for iopt in range(1, 8):
        t89_b.append([[float(v) for v in gp_t89.t89(iopt, p, x, y, z)] for x, y, z, p in points])
    t96_b = []
    for parmod in T96_PARMODS:
        pm = np.array(parmod + [0.0] * 6)
        t96_b.append([[float(v) for v in gp_t96.t96(pm, p, x, y, z)] for x, y, z, p in points])
    record = {
        "description": "geopack T89 (t89.t89) and T96 (t96.t96) external fields, GSM, nT",
        "generator": "tests/rb/reference/geopack_tsyganenko.py",
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "geopack": _version("geopack"),
            "geopack-vectorized": _version("geopack-vectorized"),
        },
        "sources": {
            "geopack.t89": {"file": Path(gp_t89.__file__).name, "sha256": _sha256(gp_t89)},
            "geopack.t96": {"file": Path(gp_t96.__file__).name, "sha256": _sha256(gp_t96)},
        },
        "seed": SEED,
        "points": {"columns": ["x", "y", "z", "ps"], "values": points.tolist()},
        "t89": {"iopt": list(range(1, 8)), "b": t89_b},
        "t96": {"parmod": T96_PARMODS, "b": t96_b},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[1] / "data" / "geopack_tsyganenko.json"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
