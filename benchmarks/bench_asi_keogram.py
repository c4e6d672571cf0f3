"""Keograms and box metrics on loaded images: geospacexr against PyAuroraX, side by side.

The input is the ``themis-gill`` sample (60 frames of 256 x 256) loaded into memory by each
package's own reader; only the computation is timed (best of ``--repeat``):

* the default CCD keogram (PyAuroraX ``tools.keogram.create``);
* a custom keogram along a five-point CCD path, 6 pixels wide, mean (``create_custom``);
* box metrics: a CCD box and an elevation box, median (``bounding_box.extract_metric``).

PyAuroraX runs in its own interpreter (``--ref-python``), never as a dependency. Prints seconds
and the ratio PyAuroraX / geospacexr for each product.

    python benchmarks/bench_asi_keogram.py --ref-python /path/to/venv-with-pyaurorax/bin/python
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time

from geospacexr import datasets

XS = [20, 60, 127, 200, 230]
YS = [30, 90, 128, 170, 240]

REF_SNIPPET = """
import glob, json, sys, time
import pyaurorax, pyucalgarysrs
samp, sky, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
xs, ys = json.loads(sys.argv[4]), json.loads(sys.argv[5])
srs = pyucalgarysrs.PyUCalgarySRS()
data = srs.data.readers.read_themis(sorted(glob.glob(samp + "/*.pgm.gz")))
skymap = srs.data.readers.read_skymap([sky]).data[0]
ax = pyaurorax.PyAuroraX()
def best(f):
    b = 1e9
    for _ in range(repeat):
        t = time.perf_counter(); f(); b = min(b, time.perf_counter() - t)
    return b
em = ax.tools.bounding_box.extract_metric
print(json.dumps({
    "ccd keogram": best(lambda: ax.tools.keogram.create(data.data, data.timestamp)),
    "path keogram": best(lambda: ax.tools.keogram.create_custom(
        data.data, data.timestamp, "ccd", 6, xs, ys, metric="mean")),
    "ccd box": best(lambda: em.ccd(data.data, (100, 140, 150, 200), "median")),
    "elevation box": best(lambda: em.elevation(data.data, skymap, (40, 80), "median")),
}))
"""


def best_of(repeat: int, func) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ref-python", help="interpreter with pyaurorax and pyucalgarysrs")
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
    print(f"{'product':<16}{'geospacexr s':>14}{'PyAuroraX s':>14}{'ratio':>9}")
    for name, t in ours.items():
        ref = theirs.get(name)
        ratio = f"{ref / t:8.1f}x" if ref else "       -"
        ref_s = f"{ref:14.5f}" if ref else f"{'-':>14}"
        print(f"{name:<16}{t:14.5f}{ref_s}{ratio}")


if __name__ == "__main__":
    main()
