"""Responsiveness of the explorers: server-side time from a widget change to the new plot object.

Targets (issue: interactive explorers): under 250 ms for a 2.5 degree GCM slice on a pressure
level or at a height, and an ASI player of at least 5 frames per second; issue 18: every
explorer interaction under 0.5 s server-side. Every explorer is rendered into a Bokeh
document first, as in a served page, so its times include building or updating the Bokeh
models (not only the new HoloViews object). Each change uses new
parameters (no cache hit), except where stated. The first change is the cold time (it includes
numba compilation and first-use imports); the warm time here is the MEDIAN of the later changes
(each a different value, so a median says more about responsiveness than a best), the max
goes to the note. No peer: the ratio column is n/a. Writes ``results/bench_explore.json``.

    python benchmarks/bench_explore.py
    python benchmarks/bench_explore.py --only gcm   # GCM rows only: results/bench_explore_gcm.json
    python benchmarks/bench_explore.py --only mhd   # MHD rows only: results/bench_explore_mhd.json

The machine is shared: the load average before and after goes into the result file.
"""

import statistics
import sys
import time

from _timing import Recorder

import geospacexr
from geospacexr.explore.asi import AsiExplorer
from geospacexr.explore.gcm import GcmExplorer


def timed(func, repeat):
    out = []
    for k in range(repeat):
        t = time.perf_counter()
        func(k)
        out.append(time.perf_counter() - t)
    return out


ONLY_GCM = sys.argv[1:] == ["--only", "gcm"]
ONLY_MHD = sys.argv[1:] == ["--only", "mhd"]
REC = Recorder(
    "bench_explore_gcm" if ONLY_GCM else "bench_explore_mhd" if ONLY_MHD else "bench_explore",
    "explorer responsiveness, server side (targets: 250 ms per slice, 5 fps; 0.5 s per change)",
)


def report(label, seconds, note=""):
    later = seconds[1:] or seconds
    median = statistics.median(later)
    timing = {"cold": seconds[0], "warm": median, "median": median, "repeat": len(later)}
    note = f"warm = median of {len(later)} changes, max {max(later) * 1e3:.0f} ms" + (
        f"; {note}" if note else ""
    )
    REC.row(label, timing, None, note=note)


def rendered(explorer):
    """Render ``explorer`` into a Bokeh document, as a served page does; returns it."""
    from bokeh.document import Document

    explorer.panel.get_root(Document())  # Bokeh models exist: each change updates them
    return explorer


def gcm_rows():
    """The GCM explorer on the 2.5 degree sample, rendered as in a served page."""
    run = geospacexr.datasets.open_sample("tiegcm-2.5deg")

    def build(k):
        rendered(GcmExplorer(run, prebuild=True))

    report(
        "GCM 2.5 deg explorer: build and render a page",
        timed(build, 4),
        "cold: the first in the process (imports, first file reads); the other projection's "
        "plot is built ahead, hidden",
    )
    cold = rendered(GcmExplorer(run, prebuild=False))
    report(
        "GCM 2.5 deg, first switch to a polar map when nothing was built ahead",
        timed(lambda k: setattr(cold.projection, "value", ["north polar", "global"][k]), 2),
        "prebuild=False: builds the polar figure (cold) and switches back (warm, streamed); "
        "an explorer builds it ahead by default (on page load when served)",
    )
    ex = rendered(GcmExplorer(run, prebuild=True))
    levels = [-4.0 + 0.37 * k for k in range(20)]
    report(
        "GCM 2.5 deg lat-lon, new pressure level",
        timed(lambda k: setattr(ex.level, "value", levels[k]), 20),
    )
    ex.vertical.value = "height"
    heights = [150.0 + 13.0 * k for k in range(20)]
    report(
        "GCM 2.5 deg lat-lon, new height",
        timed(lambda k: setattr(ex.height, "value", heights[k]), 20),
    )
    fields = [v for v in ex.variable.options if v != ex.variable.value][:10]
    report(
        "GCM 2.5 deg lat-lon, new variable",
        timed(lambda k: setattr(ex.variable, "value", fields[k]), len(fields)),
        "sequential and diverging variables alternate (the colour map follows)",
    )
    ex.variable.value = "TN"
    ex.vertical.value = "level"
    ex.projection.value = "north polar"
    report(
        "GCM 2.5 deg north polar map, new pressure level",
        timed(lambda k: setattr(ex.level, "value", levels[k] + 0.1), 20),
    )
    boundaries = [60.0, 40.0, 55.0, 30.0, 65.0, 45.0, 70.0, 35.0, 50.0]
    report(
        "GCM 2.5 deg polar map, new boundary latitude",
        timed(lambda k: setattr(ex.boundary, "value", boundaries[k]), len(boundaries)),
        "streamed into the same figure (its axes follow)",
    )
    projections = ["south polar", "global", "north polar"]
    report(
        "GCM 2.5 deg lat-lon, new projection (global, north, south)",
        timed(lambda k: setattr(ex.projection, "value", projections[k % 3]), 9),
        "global and polar figures built once (the polar one ahead, hidden): a switch shows "
        "the other and streams the slice into it; the slice is cached",
    )
    kinds = ["lev_lat", "lev_lon", "lat_lon"]
    report(
        "GCM 2.5 deg, new slice type (lev-lat, lev-lon, lat-lon)",
        timed(lambda k: setattr(ex.slice, "value", kinds[k % 3]), 9),
        "cold and the first round build each kind's figure; later rounds show the kept "
        "figure and stream into it",
    )
    ex.slice.value = "lev_lat"
    report(
        "GCM 2.5 deg lev-lat, time step",
        timed(lambda k: setattr(ex.time, "value", (k + 1) % 2), 10),
        "with the mean-height axis",
    )
    ex.slice.value = "lev_lon"
    lats = [-60.0 + 6.5 * k for k in range(20)]
    report(
        "GCM 2.5 deg lev-lon, new latitude",
        timed(lambda k: setattr(ex.lat, "value", lats[k]), 20),
    )


def main():
    if ONLY_MHD:
        mhd_rows()
        REC.note("Only the MHD rows (--only mhd); bench_explore.json holds the other explorers.")
        REC.write()
        return
    gcm_rows()
    if ONLY_GCM:
        REC.note("Only the GCM rows (--only gcm); bench_explore.json holds the other explorers.")
        REC.write()
        return
    from geospacexr.explore.mosaic import MosaicExplorer

    sites = ["gill", "rank", "snkq"]
    mosaic = rendered(
        MosaicExplorer(
            [geospacexr.datasets.open_sample(f"themis-{s}") for s in sites],
            [geospacexr.datasets.open_sample(f"themis-{s}-skymap") for s in sites],
        )
    )
    report(
        "mosaic of three sites, next frame",
        timed(lambda k: setattr(mosaic.time, "value", (k + 1) % 60), 20),
    )
    report(
        "mosaic, new minimum elevation",
        timed(lambda k: setattr(mosaic.min_elevation, "value", 11.0 + 2.0 * k), 6),
        "each a new pixel-to-grid mapping: one k-d tree per site, queried only for the cells "
        "near its field of view",
    )
    report(
        "mosaic, new set of sites",
        timed(lambda k: setattr(mosaic.sites, "value", [sites[: 2 + k % 2], sites[1:]][k % 2]), 6),
        "two and three sites alternate: each site's part of the mapping is cached, a new set "
        "only combines them",
    )
    altitudes = sorted({float(a) for a in mosaic.skymaps[0]["altitude"].values})
    report(
        "mosaic, new mapping altitude",
        timed(lambda k: setattr(mosaic.altitude, "value", altitudes[k % len(altitudes)]), 6),
        f"the skymaps' altitudes {', '.join(f'{a:g}' for a in altitudes)} km in turn (new "
        "mappings the first round, cached after)",
    )
    images = geospacexr.datasets.open_sample("themis-gill")
    asi = rendered(AsiExplorer(images, geospacexr.datasets.open_sample("themis-gill-skymap")))
    frames = timed(lambda k: setattr(asi.time, "value", (k + 1) % images.sizes["time"]), 40)
    fps = 1.0 / statistics.median(frames[1:])
    report("ASI player, next frame", frames, f"{fps:.0f} frames per second")
    report(
        "ASI, keogram click (jump to a time)",
        timed(lambda k: asi._keogram_clicked(x=images["time"].values[(17 * k + 5) % 60]), 10),
        "what a click on the keogram sends",
    )
    report(
        "ASI, new contrast",
        timed(lambda k: setattr(asi.contrast, "value", (2.0 + k, 99.0 - k)), 6),
        "image and keogram limits",
    )
    report(
        "ASI, box drawn on the image (mean against time)",
        timed(lambda k: asi._box_drawn((90.5 + 3 * k, 100.5, 130.5 + 3 * k, 150.5)), 6),
        "what a box selection sends: the box's mean over every frame, streamed into the box "
        "plot built with the explorer (and the box into the image)",
    )
    from geospacexr.explore.rb import RbExplorer

    rbx = rendered(RbExplorer(model="t89", position=(-6.0, 0.0, 0.0)))
    angles = [20.0 + 3.0 * k for k in range(10)]
    report(
        "radiation belts T89, new pitch angle (L*, line)",
        timed(lambda k: setattr(rbx.pitch, "value", angles[k]), 10),
    )
    report(
        "radiation belts T89, new position (x)",
        timed(lambda k: setattr(rbx.x, "value", -5.0 - 0.2 * k), 6),
    )
    from geospacexr.rb import warmup

    warmup(["dipole", "igrf", "t89"], progress=False)  # compiled (or loaded) before timing
    report(
        "radiation belts, new model (T89, dipole, IGRF)",
        timed(lambda k: setattr(rbx.model, "value", ["dipole", "igrf", "t89"][k % 3]), 6),
        "after each model's kernels are compiled (the first compile shows a progress message)",
    )
    mhd_rows()
    app_rows()
    many_files(30)
    REC.note(
        "Cold here is the first change after the explorer is built; building it renders the "
        "first view, so most first-use costs (numba compilation, imports) are paid before it."
    )
    REC.write()


def mhd_rows():
    """The MHD explorer on the MAGE sample run and its ReMIX file, rendered as in a page."""
    from geospacexr.explore import mhd as explore_mhd
    from geospacexr.explore.mhd import MhdExplorer

    run = geospacexr.datasets.open_sample("mage-msphere")
    mix = geospacexr.datasets.open_sample("mage-remix")
    ex = rendered(MhdExplorer(run, mix))
    n = run.sizes["time"]
    # steps in turn: each new step and variable is computed once, so clear the slices
    # between changes (no cache hit), as the other rows
    clear = explore_mhd._SLICES.clear

    def step(k):
        clear()
        ex.step.value = (ex.step.value + 1) % n

    report(
        "MHD sample, new step (plane and ReMIX map)",
        timed(step, 8),
        "32x16x32 cells: the step's variable read, sliced and streamed, the ReMIX image too",
    )
    variables = ["Bz", "P", "D", "Vx", "dBz", "Jy", "By", "Vy"]

    def variable(k):
        clear()
        ex.variable.value = variables[k % len(variables)]

    report(
        "MHD sample, new variable",
        timed(variable, len(variables)),
        "log (P, D) and linear variables alternate: a switch between them builds a new figure",
    )

    def plane(k):
        clear()
        ex.plane.value = ["meridional", "equatorial"][k % 2]

    report("MHD sample, new plane (meridional, equatorial)", timed(plane, 6))
    explore_mhd._FIELDS.clear()
    starts = [(-6.0 + 0.3 * k, 0.5, 0.0) for k in range(6)]
    report(
        "MHD sample, click on the plane (trace the line and its L*)",
        timed(lambda k: ex.trace(starts[k]), len(starts)),
        "cold: builds the step's gridded field (rb.models.from_grid, about 1 s, once per step "
        "and process); warm: a field line and a 24-line drift shell",
    )


def app_rows():
    """The served app (sample data): the first page, the other tabs built after it, switches."""
    from bokeh.document import Document

    from geospacexr.explore.app import build_app, load_datasets
    from geospacexr.explore.rb import compile_in_background, compile_state

    # as `geospacexr serve` does at start: the default model compiled (here: loaded) apart
    compile_in_background(["t89"])
    while compile_state("t89") != "ready":
        time.sleep(0.1)
    layout = build_app(load_datasets())
    start = time.perf_counter()
    layout.get_root(Document())
    first = time.perf_counter() - start
    start = time.perf_counter()
    layout.prebuild_tabs()  # what a served page runs once it is shown (pn.state.onload)
    ahead = time.perf_counter() - start
    REC.row(
        "app, the other tabs built once the first page is shown",
        {"cold": first, "warm": ahead, "median": ahead, "repeat": 1},
        None,
        note=f"cold = the first page (its first tab) {first:.2f} s; warm = building the other "
        "tabs after it (on page load, while the user looks at the first tab; the radiation-belt "
        "tab computes then, its kernels compiled at start)",
    )
    names = list(layout._names)
    order = [k for k in range(1, len(names))] + [0]
    report(
        "app, switch tab (" + ", ".join(names[k].split(":")[0] for k in order) + ")",
        timed(lambda k: setattr(layout, "active", order[k % len(order)]), 2 * len(order)),
        "every tab built after the first page showed: a switch is the browser's (the server "
        "only records it)",
    )


def many_files(count):
    """The GCM explorer on a run of ``count`` daily 5-degree files: time steps, peak memory."""
    import resource
    import sys
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_gcm import write_run

    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for day in range(count):
            path = Path(tmp) / f"many_sech_{day:03d}.nc"
            write_run(path, 5.0, [0.0, 6.0, 12.0, 18.0], day=80 + day)
            files.append(path)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        run = geospacexr.open_tiegcm(files)
        ex = GcmExplorer(run)
        steps = timed(lambda k: setattr(ex.time, "value", (7 * k + 3) % run.sizes["time"]), 10)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        report(
            f"GCM explorer on {count} files ({run.sizes['time']} times), time step",
            steps,
            f"peak RSS {peak:.0f} MB (before opening the run {before:.0f} MB)",
        )


if __name__ == "__main__":
    main()
