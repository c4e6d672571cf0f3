"""Reference values of the TS05 (T04s) external field from geopack and, if available, IRBEM.

Runs in the *reference* environment (never imported by geospacexr or its tests), e.g.::

    /work/ref/rb/bin/python tests/rb/reference/geopack_ts05.py tests/rb/data/geopack_ts05.json

Without an argument the JSON goes to stdout. It records the package versions, the inputs (four
parameter sets, ~60 GSM points per set spread over the magnetosphere, dipole tilts -0.5..0.5
rad) and the external field computed by

* ``geopack.t04.t04`` (geopack 1.0.13, Sheng Tian's Python port of Tsyganenko's TS05 code):
  the reference our implementation must match (key ``geopack``);
* the same geopack code with its NumPy elementary functions (sin, cos, tan, exp, log, arctan2)
  replaced by the C-library ones from :mod:`math` (key ``geopack_libm``). The Birkeland-current
  module differentiates a coordinate deformation numerically with a step of 1e-6 Re, so a
  one-ulp difference between NumPy's (SIMD) and the C library's functions, e.g. in an arctan2,
  changes geopack's field by up to ~1e-9 relative; numba uses the C library, so this variant
  isolates the algorithm from that floating-point noise;
* IRBEM's Fortran ``T04_s`` (``libirbem.so`` shipped with SpacePy, called through ctypes), i.e.
  Tsyganenko's original Fortran compiled as such, recorded to document how far the Fortran
  (single-precision ``DATA`` constants) is from the double-precision ports.

geopack's ``t04.py`` is loaded from its file, not through ``import geopack``: depending on the
installed distribution, ``geopack/__init__.py`` imports ``geopack.geopack``, which tries to
download IGRF coefficients at import time (no network here, and t04 does not need IGRF).

Points near the model magnetopause are placed on rays at chosen values of the model's
magnetopause coordinate sigma (inside, in, and outside the transition layer); ``_sigma`` below
reproduces the magnetopause geometry of Tsyganenko's EXTERN only to choose those inputs - the
expected values all come from geopack / IRBEM.
"""

from __future__ import annotations

import ctypes
import hashlib
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import sys
from pathlib import Path

import numpy as np

TILTS = (-0.5, -0.25, 0.0, 0.25, 0.5)

# [pdyn (nPa), Dst (nT), By (nT), Bz (nT), W1, W2, W3, W4, W5, W6]
PARAMETER_SETS = {
    # median quiet-time (Kp <= 1) OMNI conditions 1996-2025, as tabulated by OTSO v1.3.9
    "quiet": [1.31, -4.0, -0.16, 0.58, 0.07, 0.06, 0.13, 0.03, 0.05, 0.08],
    # the example values "taken from Tsyganenko's papers" in SPEDAS' crib_tt04s.pro
    "moderate": [2.0, -30.0, 0.0, -5.0, 8.0, 5.0, 9.5, 30.0, 18.5, 60.0],
    # illustrative storm main phase (W's scaled from the example set)
    "storm": [5.0, -120.0, 4.0, -12.0, 4.5, 3.2, 14.0, 45.0, 12.0, 40.0],
    # illustrative intense storm, compressed magnetosphere
    "intense": [12.0, -250.0, -8.0, -25.0, 16.0, 11.0, 35.0, 95.0, 40.0, 110.0],
}

# (label, x, y, z, fixed tilt or None): GSM Re
COMMON_POINTS = [
    # inner magnetosphere, 2-8 Re
    ("inner", 2.5, 0.0, 0.0, None),
    ("inner", 0.0, 3.0, 0.0, None),
    ("inner", -3.0, 0.0, 0.5, None),
    ("inner", 0.0, -4.0, 1.0, None),
    ("inner", 4.5, 2.0, -1.0, None),
    ("inner", -5.0, 3.0, 0.0, None),
    ("inner", -6.6, 0.0, 0.0, None),
    ("inner", 6.6, 0.0, 0.0, None),
    ("inner", 0.0, 6.6, 0.0, None),
    ("inner", 0.0, -6.6, 0.5, None),
    ("inner", -4.0, -4.0, -2.0, None),
    ("inner", 3.0, -3.0, 2.0, None),
    ("inner", -7.5, 1.0, 1.0, None),
    ("inner", 5.0, 5.0, -1.0, None),
    ("inner", -2.0, 2.0, 2.0, None),
    ("inner", 7.5, -2.0, 0.3, None),
    # high latitudes
    ("high_latitude", 1.0, 0.0, 5.0, None),
    ("high_latitude", -1.0, 2.0, 6.0, None),
    ("high_latitude", 2.0, -1.0, -5.0, None),
    ("high_latitude", 0.0, 0.0, 7.0, None),
    ("high_latitude", -3.0, 0.0, 5.0, None),
    ("high_latitude", 0.5, 0.5, -3.5, None),
    ("high_latitude", -4.0, 3.0, -6.0, None),
    ("high_latitude", 4.0, -2.0, 6.0, None),
    # on the solar-magnetic z axis (x = z tan(psi)): the near-axis branches of the ring current
    ("sm_axis", 4.0 * math.tan(0.3), 0.0, 4.0, 0.3),
    ("sm_axis", -5.0 * math.tan(-0.4), 0.0, -5.0, -0.4),
    ("sm_axis", 0.0, 0.0, 3.0, 0.0),
    # on the x axis at zero tilt (y = z = 0 special case of the tail warping)
    ("x_axis", -15.0, 0.0, 0.0, 0.0),
    ("x_axis", 5.0, 0.0, 0.0, 0.0),
    # tail, x = -8 .. -30 Re
    ("tail", -10.0, 0.0, 0.5, None),
    ("tail", -10.0, 5.0, -1.0, None),
    ("tail", -12.0, -3.0, 2.0, None),
    ("tail", -15.0, 8.0, 3.0, None),
    ("tail", -18.0, -6.0, -4.0, None),
    ("tail", -20.0, 0.0, 1.0, None),
    ("tail", -20.0, 10.0, 0.0, None),
    ("tail", -22.0, -2.0, 6.0, None),
    ("tail", -25.0, 3.0, -2.0, None),
    ("tail", -28.0, 0.0, 0.2, None),
    ("tail", -30.0, -8.0, 3.0, None),
    ("tail", -30.0, 5.0, -8.0, None),
    ("tail", -14.0, -10.0, 0.0, None),
    ("tail", -9.0, 2.0, 4.0, None),
    # dayside and flanks, near the magnetopause (some are outside for the compressed sets)
    ("dayside", 8.0, 0.0, 0.0, None),
    ("dayside", 9.0, 1.0, 1.0, None),
    ("dayside", 7.0, 5.0, 3.0, None),
    ("dayside", 6.0, -6.0, 2.0, None),
    ("dayside", 8.5, -2.0, -2.0, None),
    ("dayside", 3.0, 9.0, 0.0, None),
    ("dayside", 0.0, 10.0, 2.0, None),
    ("dayside", -3.0, -12.0, -1.0, None),
    ("dayside", 5.0, 0.0, 7.0, None),
    ("dayside", 10.0, 0.0, 0.0, None),
    ("flank", -10.0, 16.0, 0.0, None),
    ("flank", -20.0, -15.0, 5.0, None),
]

# rays (direction, tilt) used to place magnetopause points, one per parameter set
MAGNETOPAUSE_RAYS = {
    "quiet": ((1.0, 0.0, 0.0), 0.0),
    "moderate": ((0.6, 0.8, 0.0), 0.25),
    "storm": ((0.5, -0.3, 0.8), -0.5),
    "intense": ((-0.3, 0.9, 0.3), 0.5),
}
# offsets in units of the half-thickness (0.005) of the transition layer in sigma
MAGNETOPAUSE_OFFSETS = {
    "magnetopause_inside": -1.6,
    "magnetopause_layer_in": -0.6,
    "magnetopause_layer_out": 0.6,
    "magnetopause_outside": 5.0,
}


def _sigma(pdyn, ps, x, y, z):
    """Magnetopause coordinate of Tsyganenko's EXTERN (input selection only)."""
    xappa = (pdyn / 2.0) ** 0.152759
    x0 = 3.4397 / xappa
    am = 34.586 / xappa
    r = math.sqrt(x * x + y * y + z * z)
    sps = math.sin(ps)
    xss, zss = x, z
    while True:
        xsold, zsold = xss, zss
        rh = 7.5 - 5.2 * (zss / r) ** 2
        sinpsas = sps / (1 + (r / rh) ** 3) ** 0.33333333
        cospsas = math.sqrt(1 - sinpsas**2)
        zss = x * sinpsas + z * cospsas
        xss = x * cospsas - z * sinpsas
        if abs(xss - xsold) + abs(zss - zsold) <= 1e-6:
            break
    rho2 = y * y + zss * zss
    asq = am * am
    xmxm = max(am + xss - x0, 0.0)
    axx0 = xmxm * xmxm
    aro = asq + rho2
    return math.sqrt((aro + axx0 + math.sqrt((aro + axx0) ** 2 - 4 * asq * axx0)) / (2 * asq))


def _point_at_sigma(pdyn, ps, direction, target):
    d = np.asarray(direction, dtype=float)
    d = d / np.linalg.norm(d)
    lo, hi = 2.0, 60.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _sigma(pdyn, ps, *(mid * d)) < target:
            lo = mid
        else:
            hi = mid
    return [float(v) for v in 0.5 * (lo + hi) * d]


class _LibmNumpy:
    """Stands for ``numpy`` inside geopack's t04 module, with libm elementary functions."""

    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    tan = staticmethod(math.tan)
    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    arctan2 = staticmethod(math.atan2)

    def __getattr__(self, name):
        return getattr(np, name)


def _load_geopack_t04(libm=False):
    spec = importlib.util.find_spec("geopack")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("geopack is not installed in this interpreter")
    path = Path(next(iter(spec.submodule_search_locations))) / "t04.py"
    name = "_geopack_t04_libm" if libm else "_geopack_t04"
    module_spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    if libm:
        module.np = _LibmNumpy()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return module.t04, digest


def _load_irbem_t04():
    """IRBEM's Fortran T04_s(PARMOD, X, Y, Z, BX, BY, BZ), tilt in degrees in /dip_ang/."""
    try:
        spec = importlib.util.find_spec("spacepy")
    except (ImportError, ValueError):
        return None, None
    if spec is None or not spec.submodule_search_locations:
        return None, None
    lib_path = Path(next(iter(spec.submodule_search_locations))) / "irbempy" / "libirbem.so"
    if not lib_path.exists():
        return None, None
    lib = ctypes.CDLL(os.fspath(lib_path))
    tilt = ctypes.c_double.in_dll(lib, "dip_ang_")
    dbl = ctypes.c_double

    def t04(parmod, ps, x, y, z):
        tilt.value = math.degrees(ps)
        par = (dbl * 10)(*parmod)
        bx, by, bz = dbl(), dbl(), dbl()
        lib.t04_s_(
            par,
            ctypes.byref(dbl(x)),
            ctypes.byref(dbl(y)),
            ctypes.byref(dbl(z)),
            ctypes.byref(bx),
            ctypes.byref(by),
            ctypes.byref(bz),
        )
        return [bx.value, by.value, bz.value]

    return t04, os.fspath(lib_path.name)


def _version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def build_cases():
    cases = []
    for j, (name, parmod) in enumerate(PARAMETER_SETS.items()):
        for i, (label, x, y, z, fixed) in enumerate(COMMON_POINTS):
            ps = TILTS[(i + 2 * j) % len(TILTS)] if fixed is None else fixed
            cases.append({"set": name, "label": label, "ps": ps, "xyz": [x, y, z]})
        direction, ps = MAGNETOPAUSE_RAYS[name]
        for label, offset in MAGNETOPAUSE_OFFSETS.items():
            xyz = _point_at_sigma(parmod[0], ps, direction, 1.196 + offset * 0.005)
            cases.append({"set": name, "label": label, "ps": ps, "xyz": xyz})
    return cases


def _dumps(record):
    """JSON with one line per case (readable diffs); floats keep their full repr."""
    head = {k: v for k, v in record.items() if k != "cases"}
    text = json.dumps(head, indent=1)[:-2]
    lines = ",\n".join("  " + json.dumps(case) for case in record["cases"])
    return text + ',\n "cases": [\n' + lines + "\n ]\n}"


def main(argv):
    geopack_t04, t04_sha256 = _load_geopack_t04()
    geopack_libm_t04, _ = _load_geopack_t04(libm=True)
    irbem_t04, irbem_lib = _load_irbem_t04()
    cases = build_cases()
    for case in cases:
        parmod = PARAMETER_SETS[case["set"]]
        x, y, z = case["xyz"]
        case["geopack"] = [float(v) for v in geopack_t04(parmod, case["ps"], x, y, z)]
        case["geopack_libm"] = [float(v) for v in geopack_libm_t04(parmod, case["ps"], x, y, z)]
        case["irbem"] = None if irbem_t04 is None else irbem_t04(parmod, case["ps"], x, y, z)
    record = {
        "description": (
            "TS05 (T04s) external field, GSM nT: geopack.t04.t04 (stock and with libm "
            "elementary functions) and IRBEM's Fortran T04_s"
        ),
        "generator": "tests/rb/reference/geopack_ts05.py",
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "geopack": _version("geopack"),
            "geopack_t04_sha256": t04_sha256,
            "spacepy": _version("spacepy") if irbem_t04 is not None else None,
            "irbem_library": irbem_lib,
        },
        "parmod_order": ["pdyn", "dst", "by", "bz", "w1", "w2", "w3", "w4", "w5", "w6"],
        "parameter_sets": PARAMETER_SETS,
        "cases": cases,
    }
    text = _dumps(record)
    if len(argv) > 1:
        Path(argv[1]).write_text(text + "\n")
    else:
        sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main(sys.argv)
