"""Record what kaipy 1.1.5 reads from the MAGE sample files (run with kaipy's own python).

    python kaipy_twin.py SERIAL_DIR MPI_DIR REMIX_FILE OUT.json   (OUT "-": standard output)

SERIAL_DIR holds ``msphere.gam.h5`` (sample ``mage-msphere``), MPI_DIR the four blocks of
``mage-msphere-mpi``, REMIX_FILE is ``msphere.mix.h5`` (``mage-remix``). GAMERA is read through
``kaipy.gamera.magsphere.GamsphPipe`` (grid, ``GetVar`` per step and variable, times, units,
``MagM``), each variable multiplied by the pipe's own unit factor (``bScl``, ``pScl``,
``vScl``; D and J unscaled), as msphpic does; ReMIX through ``kaipy.remix.remix.remix`` and
``init_vars('NORTH'/'SOUTH')``; the equatorial and meridional planes of Bz (x ``bScl``), D
and Jy through ``GamsphPipe.EggSlice``, with the plane grid ``xxi``, ``yyi``, ``xxc``, ``yyc``.
Arrays are too large to keep whole: each is recorded by its
kaipy shape, sum, sum of squares, min, max and its values at 64 seeded indices (kaipy's
``(i, j, k)`` order for GAMERA, ``(colat row, longitude column)`` for ReMIX).
"""

from __future__ import annotations

import contextlib
import json
import sys

import numpy as np

N_PICK = 64


def summary(a: np.ndarray, seed: int) -> dict:
    a = np.asarray(a, dtype=np.float64)
    rng = np.random.default_rng(seed)
    flat = rng.choice(a.size, size=min(N_PICK, a.size), replace=False)
    idx = np.unravel_index(flat, a.shape)
    return {
        "shape": list(a.shape),
        "sum": float(a.sum()),
        "sumsq": float((a**2).sum()),
        "min": float(a.min()),
        "max": float(a.max()),
        "index": [list(map(int, i)) for i in idx],
        "values": a[idx].tolist(),
    }


def gamera(folder: str) -> dict:
    from kaipy.gamera.magsphere import GamsphPipe

    with contextlib.redirect_stdout(sys.stderr):
        gp = GamsphPipe(folder, "msphere", doFast=False)
        scale = {"B": gp.bScl, "P": gp.pScl, "V": gp.vScl}
        out = {
            "isMPI": bool(gp.isMPI),
            "ranks": [int(gp.Ri), int(gp.Rj), int(gp.Rk)],
            "dims": [int(gp.Ni), int(gp.Nj), int(gp.Nk)],
            "UnitsID": gp.UnitsID,
            "MagM": float(gp.MagM),
            "steps": [int(s) for s in gp.sids],
            "T": [float(t) for t in gp.T],
            "MJD": [float(m) for m in gp.MJDs],
            "UT": [u.isoformat() for u in gp.UT],
            "grid": {n: summary(getattr(gp, n), 1 + i) for i, n in enumerate("XYZ")},
            "dV": summary(gp.dV, 4),
            "vars": {},
        }
        out["plane"] = {
            "xxi": summary(gp.xxi, 5),
            "yyi": summary(gp.yyi, 6),
            "xxc": summary(gp.xxc, 7),
            "yyc": summary(gp.yyc, 8),
        }
        for s in gp.sids:
            for n, name in enumerate(("Bz", "D", "Jy")):
                factor = gp.bScl if name == "Bz" else 1.0
                for eq in (True, False):
                    key = f"{int(s)}/{name}/{'equatorial' if eq else 'meridional'}"
                    egg = factor * gp.EggSlice(name, int(s), doEq=eq, doVerb=False)
                    out["plane"][key] = summary(egg, 500 + 10 * int(s) + n + 5 * eq)
        for s in gp.sids:
            for n, name in enumerate(gp.vIDs):
                raw = gp.GetVar(name, int(s), doVerb=False)
                factor = scale.get(name[0], 1.0) if name[0] in "BPV" else 1.0
                out["vars"][f"{int(s)}/{name}"] = summary(factor * raw, 100 * int(s) + n)
    return out


def remix(path: str) -> dict:
    import kaipy.kaiH5 as kh5
    from kaipy.kaiTools import MJD2UT
    from kaipy.remix.remix import remix as Remix

    names = ("potential", "current", "sigmap", "sigmah", "energy", "flux", "eflux", "beta",
             "deltae", "amtype")  # fmt: skip
    with contextlib.redirect_stdout(sys.stderr):
        _, sids = kh5.cntSteps(path, useBars=False)
        mjd = kh5.getTs(path, sids, "MJD", useBars=False)
        out = {
            "steps": [int(s) for s in sids],
            "MJD": [float(m) for m in mjd],
            "UT": [u.isoformat() for u in MJD2UT(mjd)],
            "nCPCP": [float(v) for v in kh5.getTs(path, sids, "nCPCP", useBars=False)],
            "sCPCP": [float(v) for v in kh5.getTs(path, sids, "sCPCP", useBars=False)],
            "vars": {},
        }
        for s in sids:
            ion = Remix(path, int(s))
            for h, hemi in enumerate(("NORTH", "SOUTH")):
                ion.init_vars(hemi)
                for n, name in enumerate(names):
                    data = ion.variables[name]["data"]
                    seed = 1000 * int(s) + 100 * h + n
                    out["vars"][f"{int(s)}/{hemi}/{name}"] = summary(data, seed)
        # cell-centre geometry of the file's columns and rows (independent of kaipy's plot fix)
        x, y = ion.ion["X"], ion.ion["Y"]
        phi = np.degrees(np.unwrap(np.arctan2(y[-1], x[-1])))
        colat = np.degrees(np.arcsin(np.clip(np.hypot(x, y).mean(axis=1), 0, 1)))
        out["column_mlt"] = np.mod(12.0 + 0.5 * (phi[:-1] + phi[1:]) / 15.0, 24.0).tolist()
        out["row_colat"] = (0.5 * (colat[:-1] + colat[1:])).tolist()
    return out


def main() -> None:
    import kaipy

    serial, mpi, mix, dest = sys.argv[1:5]
    twin = {
        "generator": "tests/mage/reference/kaipy_twin.py",
        "kaipy": getattr(kaipy, "__version__", "") or _version(),
        "serial": gamera(serial),
        "mpi": gamera(mpi),
        "remix": remix(mix),
    }
    text = json.dumps(twin, indent=None, sort_keys=True)
    if dest == "-":
        sys.stdout.write(text)
    else:
        with open(dest, "w", encoding="utf-8") as fh:
            fh.write(text)


def _version() -> str:
    from importlib.metadata import version

    return version("kaipy")


if __name__ == "__main__":
    main()
