"""Responsiveness of the explorers: server-side time from a widget change to the new plot object.

Targets (issue: interactive explorers): under 250 ms for a 2.5 degree GCM slice on a pressure
level or at a height, and an ASI player of at least 5 frames per second. Each change uses new
parameters (no cache hit), except where stated.

    python benchmarks/bench_explore.py
"""

import statistics
import time

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


def report(label, seconds):
    print(
        f"{label:48s} median {statistics.median(seconds) * 1e3:7.1f} ms   max {max(seconds) * 1e3:7.1f} ms"
    )


def main():
    run = geospacexr.datasets.open_sample("tiegcm-2.5deg")
    ex = GcmExplorer(run)
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
    ex.slice.value = "lev_lat"
    report("GCM 2.5 deg lev-lat, time step", timed(lambda k: setattr(ex.time, "value", k % 2), 10))
    from geospacexr.explore.mosaic import MosaicExplorer

    sites = ["gill", "rank", "snkq"]
    mosaic = MosaicExplorer(
        [geospacexr.datasets.open_sample(f"themis-{s}") for s in sites],
        [geospacexr.datasets.open_sample(f"themis-{s}-skymap") for s in sites],
    )
    report(
        "mosaic of three sites, next frame",
        timed(lambda k: setattr(mosaic.time, "value", (k + 1) % 60), 20),
    )
    images = geospacexr.datasets.open_sample("themis-gill")
    asi = AsiExplorer(images, geospacexr.datasets.open_sample("themis-gill-skymap"))
    frames = timed(lambda k: setattr(asi.time, "value", k % images.sizes["time"]), 40)
    report("ASI player, next frame", frames)
    print(
        f"ASI player sustains {1.0 / statistics.median(frames):.0f} frames per second (server side)"
    )


if __name__ == "__main__":
    main()
