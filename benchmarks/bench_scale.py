"""Scaling out on dask.distributed: 1 vs 2 workers of a LocalCluster, and the overhead.

Generates its own input (not the notebook samples):

* GCM: ``--files`` TIE-GCM secondary histories of one run (5 degrees, float32, the layout of
  ``bench_gcm.write_run``), each a day of ``--times`` histories: 24 by default, the hourly
  secondaries of a daily file as TIE-GCM writes them (``--times 4``, the size of earlier
  records, is a workload of under a second, where the fixed costs of a cluster dominate).
  Opened once with ``open_tiegcm(files, chunks={"time": times})`` (one chunk per file; the
  open, in the client, is its own row). The workload is one call: the zonal-mean NO 5.3 µm
  cooling of every time of every file, ``ds.gcm.zonal_mean("NO53").compute()``.
* ASI: ``--sites`` THEMIS sites x ``--nights`` nights of ``--minutes`` one-minute PGM files
  (20 frames of 256x256 each, ~1.9 MB gzipped; 60 a night by default, 480 files, ~0.9 GB in the
  temporary folder, made in parallel by 2 processes in a few minutes; ``--minutes 10`` is the
  earlier, smaller size; a real night is 720 files); the workload is every night's geographic
  keogram, :func:`geospacexr.asi.night.night_keograms` (config ``scale.files_per_task`` files a
  task, or ``--files-per-task``; each skymap read once on a worker, each night gathered on a
  worker).
* L*: ``--particles`` electrons (20k, the issue's size: a long run, minutes per call) at 3 to
  6 Re near the SM equator, local pitch angles 40 to 90 degrees, at hours of the
  ``omni-hourly`` sample, T96 driven by it, ``accuracy="fast"``: :func:`geospacexr.rb.lstar`
  (one task per config ``scale.particles_per_task`` particles). The in-process run gives numba
  one thread (the kernel's ``prange`` would otherwise use both cores), as a worker's task does.

The kernels are warmed first (:func:`geospacexr.scale.warm_up`, in this process and on every
worker). GCM and ASI are timed by ``_timing.measure`` (first call alone = cold, best and median
of ``--repeat`` further calls); L* by ``--lstar-repeat`` calls (best and median). Three ways: in
this process on one thread (dask's synchronous scheduler: the single-process path), on a
``LocalCluster`` of 1 worker process (1 thread) and on one of 2 worker processes (1 thread
each). Strong scaling is the 1-worker best time over the 2-worker best time; the overhead of
the distributed path is the 1-worker best time over the in-process best time. Memory per worker
is the largest worker's resident set after each workload and its peak so far (``VmHWM``). The
machine is shared: each row notes the load average after it.

    python benchmarks/bench_scale.py [--files 30] [--times 24] [--sites 4] [--nights 2]
        [--minutes 60] [--files-per-task 0] [--particles 20000] [--repeat 3]
        [--lstar-repeat 1] [--workloads gcm,asi,lstar] [--record bench_scale]

The 20k-particle L* row is a long run (minutes a call, three ways): it can be recorded on its
own, ``--workloads lstar --record bench_scale_lstar``, and the other rows with a smaller
``--particles``. The ASI
row is recorded on its own as ``--workloads asi --record bench_scale_asi``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import Recorder, load_average, measure

SITES = ("gill", "rank", "snkq", "tpas", "fsmi", "atha", "pina", "kapu")


def write_gcm(folder: Path, files: int, times: int) -> list[Path]:
    """``files`` secondary histories, ``times`` each, one day per file."""
    from geospacexr._synth import gcm as synth

    paths = []
    for day in range(files):
        hours = [24.0 * day + 24.0 * k / times for k in range(times)]
        state = synth.tiegcm_state(5.0, hours)
        path = folder / f"bench_sech_{day:03d}.nc"
        synth.write_tiegcm(
            path, state, list(range(times)), hours,
            history_type="secondary", run_start=(80, 0, 0), year=2003, fields=synth.SECONDARY,
        )  # fmt: skip
        paths.append(path)
    return paths


def write_asi(
    folder: Path, sites: int, nights: int, minutes: int, processes: int = 2
) -> tuple[dict, dict]:
    """THEMIS minute files per site and night, and each site's skymap.

    The nights are made by ``processes`` processes at once (the gzip of the files is most of
    the time); the files are the same whatever their number.
    """
    from concurrent.futures import ProcessPoolExecutor

    from geospacexr._synth import asi as synth

    available = [s for s in SITES if s in synth.THEMIS_SITES][:sites]
    if len(available) < sites:
        raise SystemExit(f"only {len(available)} THEMIS sites can be generated")
    skymaps, jobs = {}, {}
    for k, site in enumerate(available):
        sky = folder / f"{site}-skymap"
        sky.mkdir()
        skymaps[site] = sky / synth.themis_skymap_generator(site, "2014010100")(sky)[0]
        for night in range(nights):
            day = np.datetime64("2014-03-10T06:00") + np.timedelta64(night, "D")
            out = folder / f"{site}-{night}"
            out.mkdir()
            jobs[f"{site} night {night}"] = (site, str(day), minutes, 1000 * k + night, out)
    with ProcessPoolExecutor(max_workers=max(1, processes)) as pool:
        made = dict(zip(jobs, pool.map(_write_night, jobs.values()), strict=True))
    nights_files = {name: [jobs[name][-1] / n for n in names] for name, names in made.items()}
    return nights_files, {name: skymaps[name.split()[0]] for name in nights_files}


def _write_night(job: tuple) -> list[str]:
    """One night's THEMIS minute files (a process of :func:`write_asi`)."""
    from geospacexr._synth import asi as synth

    site, day, minutes, seed, out = job
    return synth.themis_generator(site, day, minutes, seed=seed)(out)


def orbit_particles(n: int):
    """``n`` particles at hours of the omni-hourly sample (the workload of the L* row)."""
    from geospacexr import rb

    rng = np.random.default_rng(2015)
    phi, r = rng.uniform(0, 2 * np.pi, n), rng.uniform(3.0, 6.0, n)
    hours = rng.integers(0, 72, n).astype("timedelta64[h]")
    time = np.datetime64("2015-03-16T00:00", "ns") + hours
    return rb.particles(
        r * np.cos(phi), r * np.sin(phi), 0.3, rng.uniform(40, 90, n), time=time, energy=1.0
    )


def worker_memory_mb(client) -> tuple[float, float]:
    """(resident now, peak resident so far) of the largest worker process, MB."""
    values = list(client.run(_memory_mb).values())
    return max(v[0] for v in values), max(v[1] for v in values)


def _memory_mb() -> tuple[float, float]:
    """(resident now, peak resident so far) of this process, MB.

    The peak is the process's own high-water mark (``VmHWM``), not ``ru_maxrss``: a worker
    process is forked from the client's and exec'd, and Linux carries the client's resident
    size at that moment into the child's ``ru_maxrss`` (a client that had just computed the
    in-process path made every worker "peak" at its 0.7 to 1 GB).
    """
    import resource

    import psutil

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6  # kB on Linux
    try:
        with open("/proc/self/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
            peak = peak * 1024 / 1e6  # kB
    except (OSError, StopIteration):
        pass
    return psutil.Process().memory_info().rss / 1e6, peak


def measure_warm(func, repeat):
    """Best and median of ``repeat`` calls after the kernels were warmed (no separate cold call).

    Returns the timing and the last call's result. Used for the L* row, whose one call is minutes: the numba kernels are compiled (or loaded)
    beforehand by :func:`geospacexr.scale.warm_up` in this process and on every worker.
    """
    times, result = [], None
    for _ in range(max(1, int(repeat))):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    times.sort()
    cell = {"cold": None, "warm": times[0], "median": times[len(times) // 2], "repeat": len(times)}
    return cell, result


def main() -> int:
    """Make the inputs, time each workload three ways, record the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=30, help="TIE-GCM history files")
    parser.add_argument(
        "--times", type=int, default=24, help="times per history file (24: hourly, a day a file)"
    )
    parser.add_argument("--sites", type=int, default=4, help="THEMIS sites")
    parser.add_argument("--nights", type=int, default=2, help="nights per site")
    parser.add_argument(
        "--minutes", type=int, default=60, help="minute files per night (10: the earlier size)"
    )
    parser.add_argument(
        "--files-per-task",
        type=int,
        default=0,
        help="ASI files of one cluster task (0: config scale.files_per_task)",
    )
    parser.add_argument(
        "--particles", type=int, default=20000, help="particles of the L* row (a long run)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="warm repeats (GCM, ASI)")
    parser.add_argument("--lstar-repeat", type=int, default=1, help="timed L* calls per way")
    parser.add_argument(
        "--workloads", default="gcm,asi,lstar", help="comma-separated subset of gcm,asi,lstar"
    )
    parser.add_argument(
        "--record", default="bench_scale", help="result file stem (results/<record>.json)"
    )
    args = parser.parse_args()
    chosen = {w.strip() for w in args.workloads.split(",") if w.strip()}
    if not chosen or chosen - {"gcm", "asi", "lstar"}:
        parser.error("--workloads takes a comma-separated subset of gcm,asi,lstar")

    import dask
    import distributed

    import geospacexr
    from geospacexr.asi.night import night_keograms

    rec = Recorder(args.record, "dask.distributed: 1 vs 2 LocalCluster workers, and overhead")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        gcm_files = write_gcm(folder, args.files, args.times) if "gcm" in chosen else []
        nights, skymaps = (
            write_asi(folder, args.sites, args.nights, args.minutes)
            if "asi" in chosen
            else ({}, {})
        )
        n_asi = sum(len(f) for f in nights.values())
        print(f"inputs made in {time.perf_counter() - t0:.0f} s")

        if "gcm" in chosen:
            t0 = time.perf_counter()
            run = geospacexr.open_tiegcm(gcm_files, chunks={"time": args.times})  # a chunk a file
            rec.row(
                f"GCM: open_tiegcm of {args.files} files (in the client, every way alike)",
                time.perf_counter() - t0,
                note="not in the GCM rows below: the run is opened once, then computed",
            )
            rec.note(
                f"GCM: {args.files} daily files of {args.times} times (5 degrees, float32; 24: "
                "hourly secondaries as TIE-GCM writes them). The clusters' workers start as "
                "scale.local_cluster starts them (scale.worker_environment: config "
                "scale.malloc_trim_threshold, by default without dask's MALLOC_TRIM_THRESHOLD_)."
            )

        def gcm():
            return run.gcm.zonal_mean("NO53").compute()

        asi_settings = (
            {"scale.files_per_task": args.files_per_task} if args.files_per_task > 0 else {}
        )

        def asi():
            with geospacexr.config.override(asi_settings):
                return night_keograms(nights, skymaps, axis="geo", progress=False)

        import warnings

        import numba

        from geospacexr import config, rb, scale
        from geospacexr.errors import DataWarning

        particles = orbit_particles(args.particles)
        omni = geospacexr.datasets.open_sample("omni-hourly")
        per_task = int(config.get().scale.particles_per_task)
        asi_per_task = args.files_per_task or int(config.get().scale.files_per_task)

        def lstar():
            threads = numba.get_num_threads()
            if scale.active_client() is None:
                numba.set_num_threads(1)  # one thread, as in a 1-thread worker's task
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DataWarning)  # Dst beyond T96's fit
                    return rb.lstar(particles, "t96", drivers=omni, accuracy="fast", progress=False)
            finally:
                numba.set_num_threads(threads)

        workloads = {
            f"GCM: zonal-mean NO 5.3 µm of {args.files} files x {args.times} times": gcm,
            f"ASI: geo keograms, {args.sites} sites x {args.nights} nights of {args.minutes} "
            f"files ({n_asi} files), at most {asi_per_task} a task": asi,
            f"L*: {args.particles} particles, T96 driven by OMNI, fast, {per_task} a task": lstar,
        }
        workloads = {
            what: func
            for (what, func), key in zip(workloads.items(), ("gcm", "asi", "lstar"), strict=True)
            if key in chosen
        }
        timings: dict[str, dict[str, dict]] = {w: {} for w in workloads}
        loads: dict[str, list] = {}
        memory: dict[str, tuple[float, float]] = {}
        reference = {}

        def timed(what, func):
            """(timing, result): L* reuses its timed call's result (a call is minutes)."""
            if what.startswith("L*"):
                return measure_warm(func, args.lstar_repeat)
            return measure(func, args.repeat), func()

        scale.warm_up(models=["t96"])
        with dask.config.set(scheduler="sync"):
            for what, func in workloads.items():
                timings[what]["in-process"], reference[what] = timed(what, func)
                loads[f"{what}, in-process"] = load_average()
        for workers in (1, 2):
            t0 = time.perf_counter()
            with (
                scale.worker_environment(),  # the workers of scale.local_cluster
                distributed.LocalCluster(
                    n_workers=workers, threads_per_worker=1, dashboard_address=None
                ) as cluster,
                distributed.Client(cluster) as client,
            ):
                rec.row(f"start a LocalCluster of {workers} worker(s)", time.perf_counter() - t0)
                warm = scale.warm_up(models=["t96"], client=client)
                rec.row(
                    f"warm-up of the kernels on a {workers}-worker cluster (longest worker)",
                    max(warm.values()),
                    note="scale.warm_up, before the timed work (numba's disk cache is warm)",
                )
                for what, func in workloads.items():
                    how = f"{workers} worker(s)"
                    timings[what][how], result = timed(what, func)
                    loads[f"{what}, {how}"] = load_average()
                    memory[f"{what}, {how}"] = worker_memory_mb(client)
                    if not _same(result, reference[what]):
                        rec.note(f"{what}: the {workers}-worker result differs from one process")
        for what in workloads:
            t = timings[what]
            for how, cell in t.items():
                load = loads[f"{what}, {how}"]
                mem = memory.get(f"{what}, {how}")
                rec.row(
                    f"{what}, {how}",
                    cell,
                    note=f"median {cell['median']:.2f} s; load average {load[0]:.1f} after"
                    + (
                        f"; worker memory {mem[0]:.0f} MB resident after, {mem[1]:.0f} MB peak"
                        if mem
                        else ""
                    ),
                )
            one, two, local = (t[k]["warm"] for k in ("1 worker(s)", "2 worker(s)", "in-process"))
            rec.row(
                f"{what}: strong scaling, 1 / 2 workers",
                one / two,
                unit="x",
                note="best times; the issue's target is >= 1.6x (GCM), >= 1.7x (ASI), >= 1.8x (L*)",
            )
            rec.row(
                f"{what}: overhead, 1 worker / in-process",
                one / local - 1.0,
                unit="fraction",
                note="best times; the issue's target is <= 0.10",
            )
        rec.note(
            "Worker memory: the largest worker's resident set after the workload and its peak "
            "so far (VmHWM, which includes the warm-up's compilation)."
        )
        rec.note(
            "The machine has 2 cores shared with other sessions: each row's note gives the 1-min "
            "load average after it; with a load above 2 the workers share their cores with other "
            "processes and the speedups are understated (docs/scaling.md)."
        )
        rec.note(
            "Results of every cluster run are compared with the in-process result (identical "
            "DataArrays / Datasets); a difference is noted here."
        )
    rec.write()
    return 0


def _same(a, b) -> bool:
    import xarray as xr

    try:
        if isinstance(a, dict):
            for k in a:
                xr.testing.assert_identical(a[k], b[k])
        else:
            xr.testing.assert_identical(a, b)
    except AssertionError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
