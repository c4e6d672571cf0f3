"""All-sky imager mosaics: geospacexr.asi.mosaic against PyAuroraX's mosaic tools, same input.

The input is the THEMIS samples of three sites (``themis-gill``, ``themis-rank``,
``themis-snkq``: 60 frames of 256 x 256 each, real THEMIS file formats) and their skymaps.
Altitude 110 km, minimum elevation 5 degrees, geospacexr's default grid (0.35 deg, global).

Both sides are timed by ``_timing.measure`` with the same ``--repeat``: the first call alone
("cold": for geospacexr it includes the numba compilation) and the best of the further calls
("warm"):

* mapping preparation: geospacexr's ``asi.mosaic`` of one frame on an EMPTY mapping cache
  (memory cleared and disk cache in a fresh folder before every call), i.e. building the sparse
  pixel-to-cell matrix plus one frame; PyAuroraX's ``prep_skymaps`` + ``prep_images``;
* per frame: ``asi.mosaic`` of 10 times on the warm mapping cache / 10; PyAuroraX ``create``
  of 10 frames / 10 (a PolyCollection of every pixel) and, as its own row, ``create`` plus
  drawing it into a cartopy map with Agg (what a user pays to see it);
* prep + 10 frames: the rows above added up by one formula for both sides.

The two do different work: geospacexr assigns pixels to cells of a regular grid and returns
an image array; PyAuroraX builds one polygon per pixel. PyAuroraX (with pyucalgarysrs and
cartopy) runs in its own interpreter (``--ref-python``, default ``$GEOSPACEXR_REF_UCALGARY``),
never as a dependency. Writes ``results/bench_asi_mosaic.json`` (rendered by ``report.py``).

    python benchmarks/bench_asi_mosaic.py --ref-python /path/to/venv-with-pyaurorax/bin/python
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import subprocess
import sys
import tempfile

from _timing import Recorder, measure, peer_snippet

import geospacexr
from geospacexr import asi, datasets

SITES = ("gill", "rank", "snkq")
FRAMES = 10

REF = peer_snippet(r"""
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
repeat = spec["repeat"]
state = {}
def prep():
    state["skymaps"] = aur.tools.mosaic.prep_skymaps(skymaps, height_km=110, site_uid_order=sites, progress_bar_disable=True)
    state["images"] = aur.tools.mosaic.prep_images(data)
res["prep"] = measure(prep, repeat)
lat0 = sum(float(s.site_map_latitude) for s in skymaps) / len(skymaps)
lon0 = sum(float(s.site_map_longitude) - (360.0 if float(s.site_map_longitude) > 180 else 0.0) for s in skymaps) / len(skymaps)
projection = ccrs.NearsidePerspective(central_longitude=lon0, central_latitude=lat0)
extent = [lon0 - 25, lon0 + 25, lat0 - 12, lat0 + 12]
def create(k):
    return aur.tools.mosaic.create(state["images"], state["skymaps"], state["images"].timestamps[k], projection, min_elevation=5)
def draw(mosaic):
    fig = plt.figure(figsize=(8, 8))
    ax = fig.add_axes((0, 0, 1, 1), projection=projection)
    ax.add_collection(copy(mosaic.polygon_data))
    ax.set_extent(extent)
    fig.canvas.draw()
    plt.close(fig)
res["frames"] = measure(lambda: [create(k) for k in range(frames)], repeat)
res["frames_draw"] = measure(lambda: [draw(create(k)) for k in range(frames)], repeat)
res["polygons"] = len(create(0).polygon_data.get_paths())
res["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
res["versions"] = package_versions("pyaurorax", "pyucalgarysrs", "cartopy", "matplotlib", "numpy")
print(json.dumps(res))
""")


def per(timing: dict, n: int) -> dict:
    """A ``measure`` dict of ``n`` items, per item."""
    return {**timing, **{k: timing[k] / n for k in ("cold", "warm", "median")}}


def added(prep: dict, frame: dict, n: int) -> dict:
    """Preparation plus ``n`` frames, cold and warm (the same formula for both sides)."""
    return {k: prep[k] + n * frame[k] for k in ("cold", "warm", "median")} | {
        "repeat": prep["repeat"]
    }


def cold(func):
    """Run ``func`` on an empty mosaic cache: memory cleared, disk cache in a fresh folder."""

    def run():
        clear = getattr(geospacexr, "clear_caches", None)
        if clear is not None:
            clear()
        else:  # before geospacexr.clear_caches() existed
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
    parser.add_argument(
        "--ref-python",
        default=os.environ.get("GEOSPACEXR_REF_UCALGARY"),
        help="interpreter with pyaurorax and cartopy (default $GEOSPACEXR_REF_UCALGARY)",
    )
    parser.add_argument("--repeat", type=int, default=2, help="warm repeats, both sides")
    args = parser.parse_args()

    image_paths = {s: str(datasets.sample_path(f"themis-{s}")) for s in SITES}
    skymap_paths = {s: str(datasets.sample_path(f"themis-{s}-skymap")) for s in SITES}
    images = [datasets.open_sample(f"themis-{s}") for s in SITES]
    skymaps = [datasets.open_sample(f"themis-{s}-skymap") for s in SITES]
    first = images[0].time.values[:1]
    ten = images[0].time.values[:FRAMES]

    ours = {}
    with tempfile.TemporaryDirectory() as tmp, geospacexr.config.override({"paths.cache_dir": tmp}):
        ours["prep"] = measure(cold(lambda: asi.mosaic(images, skymaps, time=first)), args.repeat)
        asi.mosaic(images, skymaps, time=first)  # the mapping cache is warm from here on
        ours["frame"] = per(
            measure(lambda: asi.mosaic(images, skymaps, time=ten), args.repeat), FRAMES
        )
        out = asi.mosaic(images, skymaps, time=first)
    ours["e2e"] = added(ours["prep"], ours["frame"], FRAMES)
    ours["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cells = int((out["site"] >= 0).sum())
    shape = f"{asi.grid()['lat'].size}x{asi.grid()['lon'].size}"

    ref = None
    if args.ref_python:
        spec = {
            "sites": SITES,
            "frames": FRAMES,
            "images": image_paths,
            "skymaps": skymap_paths,
            "repeat": args.repeat,
        }
        proc = subprocess.run(
            [args.ref_python, "-c", REF, json.dumps(spec)],
            capture_output=True,
            text=True,
            check=True,
        )
        ref = json.loads(proc.stdout.strip().splitlines()[-1])
        ref["frame"] = per(ref["frames"], FRAMES)
        ref["frame_draw"] = per(ref["frames_draw"], FRAMES)
        ref["e2e"] = added(ref["prep"], ref["frame"], FRAMES)
        ref["e2e_draw"] = added(ref["prep"], ref["frame_draw"], FRAMES)

    rec = Recorder(
        "bench_asi_mosaic",
        f"three-site THEMIS mosaic ({', '.join(SITES)}; 256x256; 110 km; min elevation 5 deg)",
        peer="PyAuroraX",
    )
    work = (
        f"different work: ours assigns pixels to cells of a {shape} grid ({cells} cells "
        "covered) and returns an image; PyAuroraX builds one polygon per pixel"
        + (f" ({ref['polygons']} polygons)" if ref else "")
    )
    if ref:
        rec.peer_versions = ref["versions"]
    rec.row(
        "mapping preparation",
        ours["prep"],
        ref and ref["prep"],
        note="ours on an emptied mapping cache every call; PyAuroraX prep_skymaps + prep_images; "
        + work,
    )
    rec.row(f"per frame (mean of {FRAMES})", ours["frame"], ref and ref["frame"], note=work)
    rec.row(
        "per frame, PyAuroraX incl. Agg drawing",
        ours["frame"],
        ref and ref["frame_draw"],
        note="ours is an image array already; PyAuroraX's polygons drawn into a cartopy map",
    )
    rec.row(
        f"prep + {FRAMES} frames",
        ours["e2e"],
        ref and ref["e2e"],
        note="the rows above added up, same formula both sides",
    )
    rec.row(
        f"prep + {FRAMES} frames, PyAuroraX incl. drawing",
        ours["e2e"],
        ref and ref["e2e_draw"],
        note="the rows above added up, same formula both sides",
    )
    theirs = f"{ref['peak_mb']:.0f} MB" if ref else "n/a"
    rec.note(f"Peak memory: ours {ours['peak_mb']:.0f} MB, PyAuroraX's process {theirs}.")
    rec.write()


if __name__ == "__main__":
    sys.exit(main())
