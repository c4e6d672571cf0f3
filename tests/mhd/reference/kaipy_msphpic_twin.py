"""Record the arrays kaipy 1.1.5's ``msphpic`` draws on the ``mage-msphere`` sample.

    python kaipy_msphpic_twin.py SERIAL_DIR OUT.json.gz   (run with kaipy's own python)

SERIAL_DIR holds ``msphere.gam.h5`` (sample ``mage-msphere``). For every step, through
``kaipy.gamera.magsphere.GamsphPipe`` as ``msphViz.PlotEqB`` / ``PlotMerid`` call it: the
residual field ``DelBz`` (nT), ``EggSlice("Bz") * bScl``, ``EggSlice("P", doEq=False) * pScl``,
``EggSlice("D", doEq=True)``, ``EggSlice("Vx") * vScl``, and the plane grid ``xxi``, ``yyi``,
``BzD``; whole arrays (the planes are 32 x 32), in kaipy's ``(i, p)`` order.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import sys

import numpy as np


def main(folder: str, out: str) -> None:
    from kaipy.gamera.magsphere import GamsphPipe

    with contextlib.redirect_stdout(sys.stderr):
        gp = GamsphPipe(folder, "msphere", doFast=False)
        rec = {
            "kaipy": "1.1.5",
            "MagM": float(gp.MagM),
            "steps": [int(s) for s in gp.sids],
            "xxi": np.asarray(gp.xxi).tolist(),
            "yyi": np.asarray(gp.yyi).tolist(),
            "BzD": np.asarray(gp.BzD).tolist(),
            "planes": {},
        }
        for s in gp.sids:
            s = int(s)
            rec["planes"][str(s)] = {
                "DelBz": np.asarray(gp.DelBz(s)).tolist(),
                "Bz_eq": (gp.EggSlice("Bz", s, doEq=True) * gp.bScl).tolist(),
                "P_mer": (gp.EggSlice("P", s, doEq=False) * gp.pScl).tolist(),
                "D_eq": np.asarray(gp.EggSlice("D", s, doEq=True)).tolist(),
                "Vx_eq": (gp.EggSlice("Vx", s, doEq=True) * gp.vScl).tolist(),
            }
    text = json.dumps(rec)
    with gzip.open(out, "wt") as f:
        f.write(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
