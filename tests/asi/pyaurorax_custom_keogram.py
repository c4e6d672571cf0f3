"""PyAuroraX custom keogram (create_custom, CCD path) of the themis-gill sample (live test)."""

import glob
import json
import sys

import numpy as np
import pyaurorax
import pyucalgarysrs

samp, xs, ys, width = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
x_locs = [int(v) for v in xs.split(",")]
y_locs = [int(v) for v in ys.split(",")]
srs = pyucalgarysrs.PyUCalgarySRS()
data = srs.data.readers.read_themis(sorted(glob.glob(samp + "/*.pgm.gz")))
out = {}
for metric in ("sum", "mean"):
    keo = pyaurorax.PyAuroraX().tools.keogram.create_custom(
        data.data, data.timestamp, "ccd", width, x_locs, y_locs, metric=metric
    )
    out[metric] = np.asarray(keo.data, dtype=float).tolist()
print(json.dumps(out))
