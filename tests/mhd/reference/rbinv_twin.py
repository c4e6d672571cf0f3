"""Record what rbinvariantslib's readers take from the ``lfm-hdf`` and ``swmf-idl`` samples.

Run in a venv with rbinvariantslib 0.3 (numpy < 2; the ``rbinv`` reference environment,
``bash .ci/refenvs DEST rbinv``, which also holds pyhdf and SpacePy)::

    $GEOSPACEXR_REF_RBINV tests/mhd/reference/rbinv_twin.py LFM_FILE SWMF_FILE [OUT]

``LFM_FILE`` is ``geospacexr.datasets.sample_path("lfm-hdf")``, ``SWMF_FILE`` the 3-D file of
``sample_path("swmf-idl")``; ``OUT`` defaults to ``rbinv_twin.json`` beside this script, ``-``
writes to standard output. geospacexr is not imported.

LFM, as ``rbinvariantslib.models`` reads it: each of ``X_grid``, ``Y_grid``, ``Z_grid``, ``bx_``,
``by_``, ``bz_`` through ``_fix_lfm_hdf4_array_order`` (pyLTR's array-order fix, giving
``(i, j, k)``), the grid cell centres and B after ``_get_fixed_lfm_grid_centers`` /
``_apply_murphy_lfm_grid_patch`` (Re via astropy's ``R_earth``; gauss), the cell-centred
``[:-1, :-1, :-1]`` of B, the centres without the added axis cells and the repeated ``k``
plane, and the constants used.
SWMF, as ``get_swmf_out_model`` reads it before interpolating: ``x, y, z`` and
``nanoTesla2Gauss`` of ``bx, by, bz`` from ``spacepy.pybats.IdlFile``. Per array: dtype, shape,
SHA-256 of the little-endian bytes (16 hex digits), sum and 64 evenly spaced values.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
from astropy import constants, units
from pyhdf.SD import SD, SDC
from rbinvariantslib import models
from rbinvariantslib.utils import nanoTesla2Gauss
from spacepy import pybats

HERE = Path(__file__).resolve().parent
PICKS = 64


def array_record(a) -> dict:
    a = np.ascontiguousarray(np.asarray(a))
    flat = a.ravel()
    idx = np.linspace(0, flat.size - 1, min(PICKS, flat.size)).astype(int)
    little = a.astype(a.dtype.newbyteorder("<"), copy=False)
    return {
        "dtype": a.dtype.newbyteorder("=").str.lstrip("<>=|"),
        "shape": list(a.shape),
        "sha256": hashlib.sha256(little.tobytes()).hexdigest()[:16],
        "sum": float(np.sum(a, dtype="float64")),
        "picks": [float(v) for v in flat[idx]],
    }


def lfm(path: Path) -> dict:
    hdf = SD(str(path), SDC.READ)
    fixed = {
        name: models._fix_lfm_hdf4_array_order(hdf.select(name).get())
        for name in ("X_grid", "Y_grid", "Z_grid", "bx_", "by_", "bz_")
    }
    hdf.end()
    xc, yc, zc = models._get_fixed_lfm_grid_centers(str(path))
    bx, by, bz = models._apply_murphy_lfm_grid_patch(fixed["bx_"], fixed["by_"], fixed["bz_"])
    out = {f"fixed {k}": array_record(v) for k, v in fixed.items()}
    # the cell-centred part pyLTR's LFM.read returns ([:-1, :-1, :-1] of the corner-sized array)
    out.update({f"cells {k}": array_record(fixed[k][:-1, :-1, :-1]) for k in ("bx_", "by_", "bz_")})
    out.update({f"centres {k}": array_record(v) for k, v in zip("XYZ", (xc, yc, zc), strict=True)})
    # the cell centres themselves, without the axis cells and the repeated k plane
    out.update(
        {
            f"centres-cut {k}": array_record(v[:, 1:-1, :-1])
            for k, v in zip("XYZ", (xc, yc, zc), strict=True)
        }
    )
    out.update(
        {
            f"patched {k}": array_record(v)
            for k, v in zip(("Bx", "By", "Bz"), (bx, by, bz), strict=True)
        }
    )
    out["R_earth_cm"] = float(constants.R_earth.to(units.cm).value)
    out["inner_boundary"] = float(models.LFM_INNER_BOUNDARY)
    return out


def swmf(path: Path) -> dict:
    f = pybats.IdlFile(str(path))
    out = {k: array_record(f[k]) for k in ("x", "y", "z")}
    out.update({k: array_record(nanoTesla2Gauss(f[k])) for k in ("bx", "by", "bz")})
    return out


def main(lfm_file: Path, swmf_file: Path, out: str) -> None:
    twin = {
        "generator": "tests/mhd/reference/rbinv_twin.py",
        "rbinvariantslib": metadata.version("rbinvariantslib"),
        "lfm": {"file": lfm_file.name, **lfm(lfm_file)},
        "swmf": {"file": swmf_file.name, **swmf(swmf_file)},
    }
    text = json.dumps(twin, indent=1, sort_keys=True)
    if out == "-":
        sys.stdout.write(text)
    else:
        Path(out).write_text(text + "\n")


if __name__ == "__main__":
    main(
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        sys.argv[3] if len(sys.argv) > 3 else str(HERE / "rbinv_twin.json"),
    )
