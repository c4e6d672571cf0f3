"""Read the trex_spect-rabb sample with pyucalgarysrs and integrate it with PyAuroraX.

Reference script (run by tests/asi/test_spectrograph_reference.py live, and once by hand to
record pyaurorax_spectra.json next to it): ``python pyaurorax_spectra.py <sample folder>``.
Prints one JSON line.
"""

import glob
import importlib
import json
import sys

import numpy as np
import pyaurorax
import pyucalgarysrs

folder = sys.argv[1]
srs = pyucalgarysrs.PyUCalgarySRS()
aur = pyaurorax.PyAuroraX()
raw = srs.data.readers.read_trex_spectrograph(sorted(glob.glob(folder + "/*_spectra*.pgm.gz")))
l1 = srs.data.readers.read_trex_spectrograph(sorted(glob.glob(folder + "/*.h5")))
sky = srs.data.readers.read_skymap(glob.glob(folder + "/spect_skymap_*.sav")).data[0]
counts = np.moveaxis(raw.data, -1, 0).astype(np.float64)
out = {
    "raw": {
        "shape": list(raw.data.shape),
        "sum": float(counts.sum()),
        "times": [t.isoformat() for t in raw.timestamp],
        "points": [[k, y, x, float(counts[k, y, x])] for k, y, x in ((0, 424, 170), (15, 3, 9))],
        "problematic": len(raw.problematic_files),
    },
    "l1": {
        "shape": list(l1.data.shape),
        "times": [t.isoformat() for t in l1.timestamp],
        "sum": float(np.asarray(l1.data, dtype=np.float64).sum()),
    },
    "skymap": {
        "elevation": [float(v) for v in sky.full_elevation[[0, 100, 255]]],
        "lat": [[float(v) for v in row] for row in sky.full_map_latitude[:, [0, 128, 256]]],
    },
    "intensity": {},
}
times = list(l1.timestamp)
for emission in ("green", "red", "blue", "hbeta"):
    rows = []
    for loc in (0, 60, 128, 170, 255):
        values = aur.tools.spectra.get_intensity(l1, times, loc, spect_emission=emission)
        rows.append([loc, [float(v) for v in values]])
    out["intensity"][emission] = rows
custom = aur.tools.spectra.get_intensity(
    l1, times[0], 150, spect_band=(700.0, 703.0), spect_band_bg=(705.0, 708.0)
)
out["custom"] = float(custom)
# the slit's polygons on mosaics (PyAuroraX's private skymap preparation, at 150 km)
prep = importlib.import_module("pyaurorax.tools.mosaic._prep_skymaps")
flat = getattr(prep, "__flatten_skymap")({"skymap": sky, "height_km": 150.0, "i": 0})
out["polygons"] = {
    str(b): [flat["polyfill_lon"][:, b].tolist(), flat["polyfill_lat"][:, b].tolist()]
    for b in (0, 128, 254)
}
print(json.dumps(out))
