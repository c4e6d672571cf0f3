"""Run PyAuroraX calibration on the rego-gill sample (reference script; run by the live test)."""

import glob
import json
import sys

import numpy as np
import pyaurorax
import pyucalgarysrs

samp, cal = sys.argv[1:3]
srs = pyucalgarysrs.PyUCalgarySRS()
d = srs.data.readers.read_rego(sorted(glob.glob(samp + "/*.pgm.gz")))
ray = srs.data.readers.read_calibration(glob.glob(cal + "/REGO_Rayleighs*.sav")).data[0]
flat = srs.data.readers.read_calibration(glob.glob(cal + "/REGO_flatfield*.sav")).data[0]
aur = pyaurorax.PyAuroraX()
full = aur.tools.calibration.rego(
    d.data.copy(), cal_flatfield=flat, cal_rayleighs=ray, exposure_length_sec=2.0
)
noflat = aur.tools.calibration.rego(
    d.data.copy(), cal_rayleighs=ray, step_flatfield_calibration=False, exposure_length_sec=2.0
)
out = {}
for name, a in (("full", full), ("noflat", noflat)):
    a = np.moveaxis(a, -1, 0).astype(np.float64)
    out[name] = {
        "sum": float(a.sum()),
        "points": [
            [k, y, x, float(a[k, y, x])]
            for k, y, x in ((0, 256, 255), (10, 400, 100), (39, 30, 480))
        ],
    }
print(json.dumps(out))
