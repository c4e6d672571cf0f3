"""PyAuroraX bounding-box metrics (tools.bounding_box.extract_metric) on themis-gill (live)."""

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
em = pyaurorax.PyAuroraX().tools.bounding_box.extract_metric
out = {}
for metric in ("mean", "median", "sum"):
    out[f"ccd_{metric}"] = np.asarray(em.ccd(data.data, (100, 140, 150, 200), metric)).tolist()
    out[f"elevation_{metric}"] = np.asarray(em.elevation(data.data, sky, (40, 80), metric)).tolist()
    out[f"azimuth_{metric}"] = np.asarray(em.azimuth(data.data, sky, (30, 80), metric)).tolist()
    out[f"geo_{metric}"] = np.asarray(
        em.geo(data.data, sky, 110, (-95.5, -93.5, 55.5, 57.5), metric)
    ).tolist()
print(json.dumps(out))
