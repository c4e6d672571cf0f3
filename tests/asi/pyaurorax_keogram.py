"""PyAuroraX keogram of the themis-gill sample and its skymap (reference script, live test)."""

import glob
import json
import sys

import numpy as np
import pyaurorax
import pyucalgarysrs

samp, skyfile = sys.argv[1:3]
srs = pyucalgarysrs.PyUCalgarySRS()
data = srs.data.readers.read_themis(sorted(glob.glob(samp + "/*.pgm.gz")))
sky = srs.data.readers.read_skymap([skyfile]).data[0]
keo = pyaurorax.PyAuroraX().tools.keogram.create(data.data, data.timestamp)
ccd = keo.data.astype(float)
keo.set_geographic_latitudes(sky, altitude_km=110)
lat = np.asarray(keo.geo_y, dtype=float)
print(
    json.dumps(
        {
            "ccd_sum": float(ccd.sum()),
            "ccd_rows": [ccd[y].tolist()[:3] for y in (60, 128, 200)],
            "geo_y": {str(y): float(lat[y]) for y in (60, 128, 200)},
        }
    )
)
