"""asilib keogram of the themis-gill sample and its skymap (reference script, live test).

Runs in an interpreter with asilib (0.30.1) and aacgmv2; never imports geospacexr. Arguments:
the sample folder (THEMIS ``.pgm.gz`` minute files) and the skymap ``.sav``. asilib is made to
work offline: the files are copied into a temporary folder laid out as asilib's THEMIS data
tree (``<dir>/images/gill/<file>.pgm.gz``, ``<dir>/skymaps/gill/<file>.sav``), the module's
``local_base_dir`` points there, and asilib's ``Downloader`` raises if anything tries to list
or fetch a URL. The last stdout line is the JSON record (asilib's progress bar comes before).
"""

import glob
import hashlib
import importlib
import json
import pathlib
import shutil
import sys
import tempfile

import asilib
import asilib.asi  # asilib.asi.themis is the function; importlib fetches the module
import asilib.download
import numpy as np

TIME_RANGE = ("2014-03-10T06:00", "2014-03-10T06:03")
ROWS = (60, 128, 200)


def offline(*args, **kwargs):
    raise RuntimeError("asilib tried to use the network; the reference must run offline")


def main(sample_dir: str, skymap_file: str) -> dict:
    asilib.download.Downloader.ls = offline
    asilib.download.Downloader.download = offline
    themis = importlib.import_module("asilib.asi.themis")
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        for sub, files in (
            ("images", sorted(glob.glob(sample_dir + "/*.pgm.gz"))),
            ("skymaps", [skymap_file]),
        ):
            (root / sub / "gill").mkdir(parents=True)
            for f in files:
                shutil.copy(f, root / sub / "gill")
        themis.local_base_dir = root
        asi = themis.themis("GILL", time_range=TIME_RANGE)
        times, lat, keo = asi.keogram()  # meridian column, minimum_elevation=0, geographic
        pixels = asi._pixels.copy()
        _, mlat, _ = asi.keogram(aacgm=True)
        by_alt = {}
        for alt in (90, 150):
            other = themis.themis("GILL", time_range=TIME_RANGE, alt=alt)
            _, lat_alt, _ = other.keogram()
            rows = other._pixels[:, 0].tolist()
            # rows y and y + 1: asilib's labels are the corners bounding pixel row y
            by_alt[str(alt)] = {
                str(y): float(lat_alt[rows.index(y)]) for r in ROWS for y in (r, r + 1)
            }
    rows = pixels[:, 0].tolist()
    counts = np.asarray(keo, dtype="<u2")  # asilib returns float64 holding uint16 counts
    assert np.array_equal(counts, keo)
    return {
        "asilib_version": asilib.__version__,
        "time_range": list(TIME_RANGE),
        "columns": sorted(set(pixels[:, 1].tolist())),
        "rows": rows,
        "times": [t.isoformat() for t in times],
        "lat_110": [float(v) for v in lat],
        "mlat_110": [float(v) for v in mlat],
        "lat_by_alt": by_alt,
        "keogram_shape": list(keo.shape),
        "keogram_sum": float(keo.sum()),
        "keogram_sha256": hashlib.sha256(counts.tobytes()).hexdigest(),
        "keogram_row_sums": counts.sum(axis=0, dtype=np.int64).tolist(),
        "keogram_rows": {str(y): counts[:, rows.index(y)].tolist() for y in ROWS},
    }


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:3])))
