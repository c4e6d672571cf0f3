"""PyAuroraX CCD contours (tools.ccd_contour) on a skymap (live): elevation, azimuth, geo, mag."""

import datetime
import json
import sys

import numpy as np
import pyaurorax
import pyucalgarysrs

skyfile, date = sys.argv[1:3]
sky = pyucalgarysrs.PyUCalgarySRS().data.readers.read_skymap([skyfile]).data[0]
cc = pyaurorax.PyAuroraX().tools.ccd_contour
when = datetime.datetime.fromisoformat(date)
out = {}


def put(key, xy):
    out[key] = [np.asarray(xy[0], float).tolist(), np.asarray(xy[1], float).tolist()]


for e in (10, 30, 60):
    put(f"elevation={e}", cc.elevation(sky, e))
for a in (45, 200):
    put(f"azimuth={a}", cc.azimuth(sky, a))
lats = sky.full_map_latitude[1]
lons = sky.full_map_longitude[1] % 360
lons = np.where(lons > 180, lons - 360, lons)
lat0 = float(np.round(np.nanmedian(lats)))
lon0 = float(np.round(np.nanmedian(lons)))
put(f"lat={lat0}", cc.geo(sky, 110, constant_lat=lat0))
put(f"lon={lon0}", cc.geo(sky, 110, constant_lon=lon0))
# at 120 km (an interpolated altitude): at a skymap altitude (110 km) PyAuroraX 1.27 skips the
# AACGM conversion and draws a *geographic* latitude line instead
put("mlat", cc.mag(sky, when, 120, constant_lat=lat0 + 9.0))
out["mlat_value"] = lat0 + 9.0
print(json.dumps(out))
