"""Keograms and box metrics on loaded images: geospacexr against PyAuroraX, side by side.

The input is the ``themis-gill`` sample (60 frames of 256 x 256) loaded into memory by each
package's own reader; only the computation is timed, by ``_timing.measure`` on both sides (the
first call alone, "cold", then the best of ``--repeat`` further calls, "warm"):

* the default CCD keogram (PyAuroraX ``tools.keogram.create``);
* a custom keogram along a five-point CCD path, 6 pixels wide, mean (``create_custom``);
* box metrics: a CCD box and an elevation box, median (``bounding_box.extract_metric``).

PyAuroraX runs in its own interpreter (``--ref-python``, default ``$GEOSPACEXR_REF_UCALGARY``),
never as a dependency. Writes ``results/bench_asi_keogram.json`` (rendered by ``report.py``).

    python benchmarks/bench_asi_keogram.py --ref-python /path/to/venv-with-pyaurorax/bin/python
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess

from _timing import Recorder, measure, peer_snippet

from geospacexr import datasets

XS = [20, 60, 127, 200, 230]
YS = [30, 90, 128, 170, 240]

REF_SNIPPET = peer_snippet("""
import glob, json, sys
import pyaurorax, pyucalgarysrs
samp, sky, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
xs, ys = json.loads(sys.argv[4]), json.loads(sys.argv[5])
srs = pyucalgarysrs.PyUCalgarySRS()
data = srs.data.readers.read_themis(sorted(glob.glob(samp + "/*.pgm.gz")))
skymap = srs.data.readers.read_skymap([sky]).data[0]
ax = pyaurorax.PyAuroraX()
def best(f):
    return measure(f, repeat)
em = ax.tools.bounding_box.extract_metric
print(json.dumps({
    "ccd keogram": best(lambda: ax.tools.keogram.create(data.data, data.timestamp)),
    "path keogram": best(lambda: ax.tools.keogram.create_custom(
        data.data, data.timestamp, "ccd", 6, xs, ys, metric="mean")),
    "ccd box": best(lambda: em.ccd(data.data, (100, 140, 150, 200), "median")),
    "elevation box": best(lambda: em.elevation(data.data, skymap, (40, 80), "median")),
    "versions": package_versions("pyaurorax", "pyucalgarysrs", "numpy"),
}))
""")


def best_of(repeat: int, func) -> dict:
    return measure(func, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--ref-python",
        default=os.environ.get("GEOSPACEXR_REF_UCALGARY"),
        help="interpreter with pyaurorax and pyucalgarysrs (default $GEOSPACEXR_REF_UCALGARY)",
    )
    args = parser.parse_args()
    images = datasets.open_sample("themis-gill").load()
    sky = datasets.open_sample("themis-gill-skymap").load()
    path = list(zip(XS, YS, strict=True))
    ours = {
        "ccd keogram": best_of(args.repeat, lambda: images.asi.keogram()),
        "path keogram": best_of(
            args.repeat, lambda: images.asi.keogram(path=path, width=6, metric="mean")
        ),
        "ccd box": best_of(
            args.repeat, lambda: images.asi.box_metric(ccd=(100, 140, 150, 200), metric="median")
        ),
        "elevation box": best_of(
            args.repeat, lambda: images.asi.box_metric(sky, elevation=(40, 80), metric="median")
        ),
    }
    theirs = {}
    if args.ref_python:
        out = subprocess.run(
            [
                args.ref_python,
                "-c",
                REF_SNIPPET,
                str(datasets.sample_path("themis-gill")),
                str(datasets.sample_path("themis-gill-skymap")),
                str(args.repeat),
                json.dumps(XS),
                json.dumps(YS),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        theirs = json.loads(out.stdout.strip().splitlines()[-1])
    rec = Recorder(
        "bench_asi_keogram",
        "keograms and box metrics on 60 loaded 256x256 THEMIS frames",
        peer="PyAuroraX",
    )
    rec.peer_versions = theirs.pop("versions", {})
    notes = {
        "ccd keogram": "same work: the default CCD keogram (one column per frame)",
        "path keogram": "same work: 5-point CCD path, 6 px wide, mean",
        "ccd box": "same work: median of a CCD box per frame",
        "elevation box": "same work: median over 40-80 deg elevation per frame",
    }
    for name, t in ours.items():
        rec.row(name, t, theirs.get(name), note=notes[name])
    rec.write()


if __name__ == "__main__":
    main()
