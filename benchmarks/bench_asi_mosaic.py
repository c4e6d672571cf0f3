"""All-sky imager mosaics: geospacexr.asi.mosaic against PyAuroraX's mosaic tools, same input.

The input is the THEMIS samples of three sites (``themis-gill``, ``themis-rank``,
``themis-snkq``: 60 frames of 256 x 256 each, real THEMIS file formats) and their skymaps.
Altitude 110 km, minimum elevation 5 degrees, geospacexr's default grid (0.35 deg, global).

Measured on each side:

* mapping preparation: geospacexr's first ``asi.mosaic`` call on a cold cache (memory cleared,
  disk cache in a fresh folder), i.e. building the sparse pixel-to-cell matrix plus one frame;
  PyAuroraX's ``prep_skymaps`` + ``prep_images``;
* per frame: geospacexr ``asi.mosaic`` of 10 times on the warm cache / 10; PyAuroraX
  ``create`` (a PolyCollection of every pixel) and, separately, drawing it into a cartopy map
  with Agg (what a user pays to see it; no basemap features, which need a download);
* prep + 10 frames end to end.

PyAuroraX (with pyucalgarysrs and cartopy) runs in its own interpreter (``--ref-python``),
never as a dependency. Prints seconds (best of ``--repeat`` for geospacexr, one run for
PyAuroraX, whose skymap preparation takes tens of seconds), the ratios and peak memory.

    python benchmarks/bench_asi_mosaic.py --ref-python /path/to/venv-with-pyaurorax/bin/python
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import subprocess
import sys
import tempfile
import time

import geospacexr
from geospacexr import asi, datasets

SITES = ("gill", "rank", "snkq")
FRAMES = 10

REF = r"""
import glob, json, resource, sys, time, warnings
from copy import copy
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import cartopy.crs as ccrs
import pyaurorax, pyucalgarysrs
from pyucalgarysrs.data import Dataset

warnings.simplefilter("ignore")
spec = json.loads(sys.argv[1])
sites, frames = spec["sites"], spec["frames"]
# prep_images skips Data objects without a dataset; reading files directly leaves it None,
# so give it the THEMIS raw dataset description (no network needed).
themis = Dataset("THEMIS_ASI_RAW", "THEMIS ASI raw", "", "", False, True, "L0", ["pyaurorax"], "1min")
readers = pyucalgarysrs.PyUCalgarySRS().data.readers
t = time.perf_counter()
data = [readers.read_themis(sorted(glob.glob(spec["images"][s] + "/*.pgm.gz")), dataset=themis) for s in sites]
skymaps = [readers.read_skymap([spec["skymaps"][s]]).data[0] for s in sites]
res = {"read": time.perf_counter() - t}  # not compared: reading is bench_asi_read.py
aur = pyaurorax.PyAuroraX()
t = time.perf_counter()
prepped_skymaps = aur.tools.mosaic.prep_skymaps(skymaps, height_km=110, site_uid_order=sites, progress_bar_disable=True)
res["prep_skymaps"] = time.perf_counter() - t
t = time.perf_counter()
prepped_images = aur.tools.mosaic.prep_images(data)
res["prep_images"] = time.perf_counter() - t
lat0 = sum(float(s.site_map_latitude) for s in skymaps) / len(skymaps)
lon0 = sum(float(s.site_map_longitude) - (360.0 if float(s.site_map_longitude) > 180 else 0.0) for s in skymaps) / len(skymaps)
projection = ccrs.NearsidePerspective(central_longitude=lon0, central_latitude=lat0)
extent = [lon0 - 25, lon0 + 25, lat0 - 12, lat0 + 12]
create, draw = [], []
for k in range(frames):
    t = time.perf_counter()
    mosaic = aur.tools.mosaic.create(prepped_images, prepped_skymaps, prepped_images.timestamps[k], projection, min_elevation=5)
    create.append(time.perf_counter() - t)
    t = time.perf_counter()
    fig = plt.figure(figsize=(8, 8))
    ax = fig.add_axes((0, 0, 1, 1), projection=projection)
    ax.add_collection(copy(mosaic.polygon_data))
    ax.set_extent(extent)
    fig.canvas.draw()
    plt.close(fig)
    draw.append(time.perf_counter() - t)
res["create"] = create
res["draw"] = draw
res["polygons"] = len(mosaic.polygon_data.get_paths())
res["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(res))
"""


def best(repeat: int, func) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        func()
        times.append(time.perf_counter() - t)
    return min(times)


def cold(func):
    """Run ``func`` on an empty mosaic cache: memory cleared, disk cache in a fresh folder."""

    def run():
        importlib.import_module("geospacexr.asi.mosaic")._MEMORY.clear()
        with (
            tempfile.TemporaryDirectory() as tmp,
            geospacexr.config.override({"paths.cache_dir": tmp}),
        ):
            return func()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ref-python", help="interpreter with pyaurorax and cartopy installed")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    image_paths = {s: str(datasets.sample_path(f"themis-{s}")) for s in SITES}
    skymap_paths = {s: str(datasets.sample_path(f"themis-{s}-skymap")) for s in SITES}
    images = [datasets.open_sample(f"themis-{s}") for s in SITES]
    skymaps = [datasets.open_sample(f"themis-{s}-skymap") for s in SITES]
    first = images[0].time.values[:1]
    ten = images[0].time.values[:FRAMES]
    print(
        f"input: {len(SITES)} THEMIS sites ({', '.join(SITES)}), {images[0]['image'].shape[0]} frames of "
        f"{images[0]['image'].shape[1]}x{images[0]['image'].shape[2]} each; 110 km, min elevation 5 deg"
    )

    ours = {}
    with tempfile.TemporaryDirectory() as tmp, geospacexr.config.override({"paths.cache_dir": tmp}):
        ours["prep"] = best(args.repeat, cold(lambda: asi.mosaic(images, skymaps, time=first)))
        asi.mosaic(images, skymaps, time=first)  # warm the cache for the per-frame timing
        ours["frame"] = best(args.repeat, lambda: asi.mosaic(images, skymaps, time=ten)) / FRAMES
        ours["e2e"] = best(args.repeat, cold(lambda: asi.mosaic(images, skymaps, time=ten)))
        out = asi.mosaic(images, skymaps, time=first)
    ours["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cells = int((out["site"] >= 0).sum())
    print(
        f"geospacexr output: image {dict(out['image'].sizes)} float32, {cells} cells covered (grid {asi.grid()['lat'].size}x{asi.grid()['lon'].size})"
    )

    ref = None
    if args.ref_python:
        spec = {"sites": SITES, "frames": FRAMES, "images": image_paths, "skymaps": skymap_paths}
        proc = subprocess.run(
            [args.ref_python, "-c", REF, json.dumps(spec)],
            capture_output=True,
            text=True,
            check=True,
        )
        ref = json.loads(proc.stdout.strip().splitlines()[-1])
        ref["prep"] = ref["prep_skymaps"] + ref["prep_images"]
        ref["frame"] = sum(ref["create"]) / len(ref["create"])
        ref["frame_draw"] = (sum(ref["create"]) + sum(ref["draw"])) / len(ref["create"])
        ref["e2e"] = ref["prep"] + sum(ref["create"])
        ref["e2e_draw"] = ref["e2e"] + sum(ref["draw"])
        print(
            f"PyAuroraX output: one PolyCollection of {ref['polygons']} pixel polygons per frame "
            f"(prep_skymaps {ref['prep_skymaps']:.2f} s, prep_images {ref['prep_images']:.2f} s)"
        )

    rows = [
        ("mapping preparation", "prep", "prep"),
        ("per frame", "frame", "frame"),
        ("per frame, PyAuroraX incl. Agg draw", "frame", "frame_draw"),
        (f"prep + {FRAMES} frames end to end", "e2e", "e2e"),
        (f"prep + {FRAMES} frames, PyAuroraX incl. draw", "e2e", "e2e_draw"),
    ]
    for label, ok, rk in rows:
        if ref is None and ok != rk:
            continue
        line = f"{label:42s} geospacexr {ours[ok]:9.4f} s"
        if ref is not None:
            line += f"   PyAuroraX {ref[rk]:9.4f} s   speed-up {ref[rk] / ours[ok]:7.1f}x"
        print(line)
    print(f"peak memory of this process (geospacexr): {ours['peak_mb']:.0f} MB")
    if ref is not None:
        print(f"peak memory of the PyAuroraX process: {ref['peak_mb']:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
