"""All-sky imagers, side by side in one run: geospacexr against pyucalgarysrs and PyAuroraX.

The input is an hour of THEMIS minute files (60 files, 1200 frames of 256 x 256) made from the
``themis-gill`` sample (real THEMIS format) and the ``themis-gill-skymap`` sample skymap.

Every side is timed by ``_timing.measure`` (the first call alone, "cold", then the best of
``--repeat`` further calls, "warm"; the same repeats for both packages):

* reading the hour: ``geospacexr.open_asi(files, workers=W)`` against pyucalgarysrs
  ``read_themis(files, n_parallel=W)`` with the same number of workers, and the floor: plain
  gzip decompression of the same files in one thread (MB/s of decompressed data);
* products over the whole hour of loaded frames: a magnetic keogram (110 km), a geographic
  keogram at 120 km (an altitude the skymap does not carry: both packages interpolate), geo box
  metrics (median) at 110 km (a skymap altitude: PyAuroraX's fast case) and at 120 km, a mag
  box metric (median), and the simple ones (CCD keogram, CCD path keogram, CCD and
  elevation boxes), against PyAuroraX (``tools.keogram.create`` + ``set_magnetic_latitudes`` /
  ``set_geographic_latitudes``, ``create_custom``, ``bounding_box.extract_metric``).

Each package runs in its own process (PyAuroraX in its own interpreter, ``--ref-python``; it is
never a dependency; default ``$GEOSPACEXR_REF_UCALGARY``), which also reports its peak resident
memory. Writes ``results/bench_asi.json`` (rendered into README.md by ``report.py``).

    python benchmarks/bench_asi.py --ref-python /path/to/venv-with-pyaurorax/bin/python
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _timing import Recorder, measure, peer_snippet
from bench_asi_read import make_input

XS = [20, 60, 127, 200, 230]
YS = [30, 90, 128, 170, 240]
CCD_BOX = (100, 140, 150, 200)
ELEVATION_BOX = (40, 80)
GEO_BOX = (-96.0, -93.0, 56.5, 58.0)  # lon0, lon1, lat0, lat1 around Gillam (56.4 N, 94.6 W)
MAG_HALF_WIDTH = (1.5, 0.75)  # mlon, mlat half-widths of the mag box around the zenith

REF_SNIPPET = peer_snippet("""
import glob, json, resource, sys
import pyaurorax, pyucalgarysrs
folder, sky, workers, repeat, boxes = sys.argv[1:6]
workers, repeat, boxes = int(workers), int(repeat), json.loads(boxes)
files = sorted(glob.glob(folder + "/*.pgm.gz"))
srs = pyucalgarysrs.PyUCalgarySRS()
def best(f):
    return measure(f, repeat)
out = {"read": best(lambda: srs.data.readers.read_themis(files, n_parallel=workers))}
data = srs.data.readers.read_themis(files, n_parallel=workers)
out["rss_read_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
skymap = srs.data.readers.read_skymap([sky]).data[0]
ax = pyaurorax.PyAuroraX()
em = ax.tools.bounding_box.extract_metric
kc = ax.tools.keogram.create
def mag_keogram():
    k = kc(data.data, data.timestamp); k.set_magnetic_latitudes(skymap, data.timestamp[0], 110)
def keogram_120():
    k = kc(data.data, data.timestamp); k.set_geographic_latitudes(skymap, 120)
out.update({
    "magnetic keogram": best(mag_keogram),
    "keogram at 120 km": best(keogram_120),
    "geo box": best(lambda: em.geo(data.data, skymap, 110, boxes["geo"], "median")),
    "geo box at 120 km": best(lambda: em.geo(data.data, skymap, 120, boxes["geo"], "median")),
    "mag box": best(lambda: em.mag(data.data, data.timestamp[0], skymap, 110, boxes["mag"],
                                   "median")),
    "ccd keogram": best(lambda: kc(data.data, data.timestamp)),
    "path keogram": best(lambda: ax.tools.keogram.create_custom(
        data.data, data.timestamp, "ccd", 6, boxes["xs"], boxes["ys"], metric="mean")),
    "ccd box": best(lambda: em.ccd(data.data, boxes["ccd"], "median")),
    "elevation box": best(lambda: em.elevation(data.data, skymap, boxes["elevation"], "median")),
})
out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out["versions"] = package_versions("pyaurorax", "pyucalgarysrs", "numpy")
print(json.dumps(out))
""")


def best_of(repeat: int, func) -> dict:
    """Cold and warm times of ``func`` (``_timing.measure``, as on the peer side)."""
    return measure(func, repeat)


PRODUCTS = [
    "magnetic keogram",
    "keogram at 120 km",
    "geo box",
    "geo box at 120 km",
    "mag box",
    "ccd keogram",
    "path keogram",
    "ccd box",
    "elevation box",
]


def ours(folder: str, sky: str, workers: int, repeat: int, boxes: dict) -> dict:
    """The geospacexr side (run in its own process for a clean peak-memory figure)."""
    import resource

    import geospacexr

    files = sorted(Path(folder).glob("*.pgm.gz"))
    out = {"read": best_of(repeat, lambda: geospacexr.open_asi(files, workers=workers))}
    images = geospacexr.open_asi(files, workers=workers)
    out["rss_read_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    skymap = geospacexr.open_skymap(sky)
    asi = images.asi
    path = list(zip(boxes["xs"], boxes["ys"], strict=True))
    out.update(
        {
            "magnetic keogram": best_of(repeat, lambda: asi.keogram(skymap, axis="mag")),
            "keogram at 120 km": best_of(
                repeat, lambda: asi.keogram(skymap, axis="geo", altitude_km=120)
            ),
            "geo box": best_of(
                repeat, lambda: asi.box_metric(skymap, geo=boxes["geo"], metric="median")
            ),
            "geo box at 120 km": best_of(
                repeat,
                lambda: asi.box_metric(skymap, geo=boxes["geo"], altitude_km=120, metric="median"),
            ),
            "mag box": best_of(
                repeat, lambda: asi.box_metric(skymap, mag=boxes["mag"], metric="median")
            ),
            "ccd keogram": best_of(repeat, lambda: asi.keogram()),
            "path keogram": best_of(repeat, lambda: asi.keogram(path=path, width=6, metric="mean")),
            "ccd box": best_of(repeat, lambda: asi.box_metric(ccd=boxes["ccd"], metric="median")),
            "elevation box": best_of(
                repeat,
                lambda: asi.box_metric(skymap, elevation=boxes["elevation"], metric="median"),
            ),
        }
    )
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def boxes_for(sky: Path, first_time: str) -> dict:
    """The boxes both packages use; the mag box is centred on the zenith's AACGM position."""
    import numpy as np

    import geospacexr
    from geospacexr.asi.skymaps import magnetic

    skymap = geospacexr.open_skymap(sky)
    mag = magnetic(skymap, np.datetime64(first_time), 110)
    y, x = np.unravel_index(np.nanargmax(skymap["elevation"].values), skymap["elevation"].shape)
    mlon, mlat = float(mag["mlon"][y, x]), float(mag["mlat"][y, x])
    dlon, dlat = MAG_HALF_WIDTH
    return {
        "geo": list(GEO_BOX),
        "mag": [mlon - dlon, mlon + dlon, mlat - dlat, mlat + dlat],
        "ccd": list(CCD_BOX),
        "elevation": list(ELEVATION_BOX),
        "xs": XS,
        "ys": YS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--ref-python",
        default=os.environ.get("GEOSPACEXR_REF_UCALGARY"),
        help="interpreter with pyaurorax and pyucalgarysrs (default $GEOSPACEXR_REF_UCALGARY)",
    )
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        folder, sky, workers, repeat, boxes = args.worker
        print(json.dumps(ours(folder, sky, int(workers), int(repeat), json.loads(boxes))))
        return
    from geospacexr import datasets

    sky = datasets.sample_path("themis-gill-skymap")
    with tempfile.TemporaryDirectory() as tmp:
        files = make_input(Path(tmp), args.minutes)
        nbytes = sum(len(gzip.decompress(f.read_bytes())) for f in files)
        floor = best_of(args.repeat, lambda: [gzip.decompress(f.read_bytes()) for f in files])
        boxes = boxes_for(sky, "2014-03-10T06:00")
        common = [tmp, str(sky), str(args.workers), str(args.repeat), json.dumps(boxes)]
        run = subprocess.run(
            [sys.executable, __file__, "--worker", *common],
            capture_output=True,
            text=True,
            check=True,
        )
        mine = json.loads(run.stdout.strip().splitlines()[-1])
        ref = None
        if args.ref_python:
            run = subprocess.run(
                [args.ref_python, "-c", REF_SNIPPET, *common],
                capture_output=True,
                text=True,
            )
            if run.returncode:
                raise SystemExit(f"the reference run failed:\n{run.stderr}")
            ref = json.loads(run.stdout.strip().splitlines()[-1])
    mb = nbytes / 1e6
    rec = Recorder(
        "bench_asi",
        f"an hour of THEMIS ({len(files)} minute files, {args.workers} workers): reading and "
        "products over the loaded hour (peer: pyucalgarysrs for reading, PyAuroraX for products)",
        peer="peer",
    )
    if ref:
        rec.peer_versions = ref.pop("versions", {})
    read_note = (
        f"peer: pyucalgarysrs `read_themis`, same {args.workers} workers; {mb:.0f} MB "
        f"decompressed, ours {mb / mine['read']['warm']:.0f} MB/s warm"
    )
    mag = (
        "ours: AACGM-v2 exact on a 1-degree grid + bicubic interpolation to the pixels (within "
        "0.001 deg), at the mapping altitude; PyAuroraX: aacgmv2 for every pixel, at height 0"
    )
    notes = {
        "read": read_note,  # the peer of this row is pyucalgarysrs
        "magnetic keogram": mag,
        "mag box": mag,
        "keogram at 120 km": "both interpolate the skymap to 120 km (not a skymap altitude)",
        "geo box": "110 km is a skymap altitude: PyAuroraX does no interpolation there",
        "geo box at 120 km": "both interpolate the skymap to 120 km",
        "ccd keogram": "same work",
        "path keogram": "same work: 5-point CCD path, 6 px wide, mean",
        "ccd box": "same work: median per frame",
        "elevation box": "same work: median per frame",
    }
    rec.row("read an hour", mine["read"], ref and ref["read"], note=notes["read"])
    for key in PRODUCTS:
        rec.row(key, mine[key], ref and ref[key], note=notes[key])
    rec.row(
        "floor: gzip decompression of the hour, 1 thread (ours column)",
        floor,
        None,
        note=f"{mb / floor['warm']:.0f} MB/s; not a peer",
    )
    theirs = f"{ref['rss_mb']:.0f} MB" if ref else "n/a"
    rec.note(
        f"Peak memory: ours {mine['rss_read_mb']:.0f} MB after reading, {mine['rss_mb']:.0f} MB "
        f"at the end; the peer {theirs} at the end."
    )
    rec.write()


if __name__ == "__main__":
    main()
