"""geospacexr.scale and GCM work on a 2-worker LocalCluster (processes), compared with one process.

Every cluster result is compared with the same call computed without the Client (dask's
synchronous scheduler in this process): element-wise work, slices, height interpolation,
derived fields, emissions and EP flux are identical to the bit; the area-weighted global mean,
whose reductions numpy sums in an order that depends on the memory layout of the blocks (views
in one process, contiguous copies after crossing to a worker), agrees to floating-point
reassociation (docs/scaling.md).
"""

from __future__ import annotations

import pickle

import dask
import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr import scale
from geospacexr._synth import gcm as synth
from geospacexr.errors import DataWarning, IncompatibleInputError, InvalidArgumentError

distributed = pytest.importorskip("distributed")

FILES = 3  # TIE-GCM history files of one run, two times each
TIMES = (0.0, 12.0)


@pytest.fixture(scope="module")
def client():
    """A 2-worker LocalCluster of processes, one thread each, no dashboard."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def run_files(tmp_path_factory):
    """Three TIE-GCM primary histories (5 degrees, 2 times each) of one run."""
    folder = tmp_path_factory.mktemp("tiegcm-run")
    for day in range(FILES):
        hours = [24.0 * day + h for h in TIMES]
        state = synth.tiegcm_state(5.0, hours)
        synth.write_tiegcm(
            folder / f"run_prim_{day:03d}.nc", state, [0, 1], hours,
            history_type="primary", run_start=(80, 0, 0), year=2003, fields=synth.PRIMARY,
        )  # fmt: skip
    return sorted(folder.glob("*.nc"))


def _serial(func):
    with dask.config.set(scheduler="sync"):
        assert scale.active_client() is None
        return func().compute()


def _on_cluster(client, func):
    with distributed.get_task_stream(client) as stream:
        result = func().compute()
    assert stream.data, "nothing ran on the cluster"
    workers = {task["worker"] for task in stream.data}
    return result, workers


def test_no_client_without_distributed_use():
    assert scale.active_client() is None
    assert not scale.in_worker()
    assert scale.scatter(np.arange(3)) is not None  # returned as is
    with scale.connect() as c:
        assert c is None
    with pytest.raises(InvalidArgumentError):
        with scale.connect("tcp://127.0.0.1:1", workers=2):
            pass


def test_client_found_and_local_scheduler_wins(client):
    assert scale.active_client() is client
    with dask.config.set(scheduler="threads"):
        assert scale.active_client() is None
    with scale.connect() as c:
        assert c is client


def test_backend_array_pickles_and_runs_on_workers(client, run_files):
    """The lazily indexed file array (1e36 masked in place on read) crosses to a worker."""
    ds = geospacexr.open_tiegcm(run_files[0])
    data = ds["TN"].variable._data
    assert not ds["TN"].chunks
    copy = pickle.loads(pickle.dumps(data))
    expected = ds["TN"].values
    assert np.isnan(expected[:, -1]).all()  # the model's 1e36 top midpoint
    np.testing.assert_array_equal(np.asarray(copy), expected)
    chunked = ds.chunk({"time": 1})  # dask tasks that index the file array on the workers
    result, _ = _on_cluster(client, lambda: chunked.gcm.lat_lon("TN", level=7.25))
    xr.testing.assert_identical(result, ds.gcm.lat_lon("TN", level=7.25).compute())
    assert np.isnan(result.values).all()


SLOW = pytest.mark.slow  # the first height interpolation compiles or loads numba in each worker
GCM_CALLS = [
    pytest.param(lambda ds: ds.gcm.lat_lon("TN", level=2.0), id="lat_lon level"),
    pytest.param(lambda ds: ds.gcm.lat_lon("NE", height=250.0), id="lat_lon height"),
    pytest.param(lambda ds: ds.gcm.zonal_mean("UN"), id="zonal mean"),
    pytest.param(lambda ds: geospacexr.gcm.field(ds, "RHO"), id="derived RHO"),
    pytest.param(
        lambda ds: geospacexr.gcm.field(ds, "ON2_COLUMN"), id="derived ON2 column", marks=SLOW
    ),
    pytest.param(lambda ds: ds.gcm.emission("NO53"), id="emission NO53"),
    pytest.param(
        lambda ds: ds.gcm.emission("OI5577", height=120.0), id="OI5577 at height", marks=SLOW
    ),
    pytest.param(lambda ds: ds.gcm.zonal_mean("NO53"), id="NO53 zonal-mean climatology"),
    pytest.param(
        lambda ds: geospacexr.gcm.emissions.brightness(ds, "NO53"), id="brightness", marks=SLOW
    ),
    pytest.param(lambda ds: ds.gcm.epflux(), id="EP flux"),
]


@pytest.mark.parametrize("func", GCM_CALLS)
def test_gcm_on_cluster_identical(client, run_files, func):
    ds = geospacexr.open_tiegcm(run_files, chunks={"time": 1})
    expected = _serial(lambda: func(ds))
    result, _ = _on_cluster(client, lambda: func(ds))
    xr.testing.assert_identical(result, expected)
    assert result.sizes.get("time", FILES * len(TIMES)) == FILES * len(TIMES)


def test_emission_is_a_cluster_graph(client, run_files):
    """With a Client, an emission of a dask-backed run is one graph, chunk-aligned on time."""
    ds = geospacexr.open_tiegcm(run_files, chunks={"time": 1})
    no53 = ds.gcm.emission("NO53")
    assert no53.chunks is not None and set(no53.chunks[0]) == {1}
    with dask.config.set(scheduler="sync"):
        # without a Client: the same graph (the numbers cannot differ between the two paths)
        local = geospacexr.gcm.emissions.emission(ds, "NO53")
        assert local.chunks == no53.chunks
        assert local.data.name == no53.data.name
    _, workers = _on_cluster(client, lambda: no53.mean("lon"))
    assert len(workers) == 2


@pytest.fixture
def emission_calls(monkeypatch):
    """The time extent of each block the emission kernels compute (recorded as they run)."""
    from geospacexr.gcm.emissions import _engine

    calls: list[int] = []
    call = _engine._call

    def recording(func, *arrays):
        out = call(func, *arrays)
        calls.append(out.shape[0])  # blocks are (time, level, lat, lon)
        return out

    monkeypatch.setattr(_engine, "_call", recording)
    return calls


def test_a_chunked_run_reduces_a_chunk_at_a_time_without_a_client(run_files, emission_calls):
    """A climatology of a chunked run in one process computes a file at a time.

    It used to compute the emission of the whole run into one array as the zonal mean was
    asked for (a year of files would not fit in memory); now nothing is computed until
    ``.compute()``, each block is a file's times, and the numbers are those of the run opened
    without chunks.
    """
    ds = geospacexr.open_tiegcm(run_files, chunks={"time": len(TIMES)})
    plain = geospacexr.open_tiegcm(run_files)
    with dask.config.set(scheduler="sync"):
        mean = ds.gcm.zonal_mean("NO53")
        assert mean.chunks is not None and emission_calls == []  # lazy until computed
        result = mean.compute()
    assert emission_calls == [len(TIMES)] * FILES
    xr.testing.assert_identical(result, plain.gcm.zonal_mean("NO53"))


@pytest.mark.parametrize(
    "slice_",
    [
        lambda d, t: d.gcm.lat_lon("NO53", time=t, level=0.0),
        lambda d, t: d.gcm.lev_lat("NO53", time=t),
        lambda d, t: d.gcm.lev_lon("NO53", time=t, lat=40.0),
        lambda d, t: geospacexr.gcm.emissions.emission(d, "NO53", time=t),
    ],
    ids=["lat_lon", "lev_lat", "lev_lon", "emission"],
)
def test_a_time_of_a_chunked_run_computes_only_that_time(run_files, emission_calls, slice_):
    """A slice at one time of a chunked run computes that time, not its file's chunk."""
    ds = geospacexr.open_tiegcm(run_files, chunks={"time": len(TIMES)})
    plain = geospacexr.open_tiegcm(run_files)
    when = ds["time"].values[3]
    with dask.config.set(scheduler="sync"):
        result = slice_(ds, when).compute()
    assert emission_calls == [1]
    xr.testing.assert_identical(result, slice_(plain, when).compute())


def test_a_task_per_file_on_the_cluster(client, run_files):
    """A run with a chunk per file: each file's reads, masking, emission and mean in one task."""
    ds = geospacexr.open_tiegcm(run_files, chunks={"time": len(TIMES)})
    expected = _serial(lambda: ds.gcm.zonal_mean("NO53"))
    with distributed.get_task_stream(client) as stream:
        result = ds.gcm.zonal_mean("NO53").compute()
    xr.testing.assert_identical(result, expected)
    # a task per file and a few shared constants (coordinates): it was 14 tasks per file
    assert len(stream.data) <= FILES + 5, [t["key"] for t in stream.data]


def test_global_mean_to_reassociation(client, run_files):
    ds = geospacexr.open_tiegcm(run_files, chunks={"time": 1})
    expected = _serial(lambda: ds.gcm.global_mean("TN"))
    result, _ = _on_cluster(client, lambda: ds.gcm.global_mean("TN"))
    xr.testing.assert_allclose(result, expected, rtol=1e-13, atol=0)


def test_waccmx_on_cluster_identical(client):
    from geospacexr.datasets import open_sample

    ds = open_sample("waccmx", chunks={"time": 1})
    for func in (
        lambda: ds.gcm.lat_lon("TN", height=200.0),
        lambda: ds.gcm.zonal_mean("NO53"),
    ):
        expected = _serial(func)
        result, _ = _on_cluster(client, func)
        xr.testing.assert_identical(result, expected)


def test_store_and_scatter(client):
    import dask.array as dsa

    values = np.arange(6 * 7 * 5, dtype=np.float64).reshape(6, 7, 5)
    array = dsa.from_array(values, chunks=(2, 3, 5)) ** 1.5
    out = np.empty(values.shape)
    scale.store(array, out)
    np.testing.assert_array_equal(out, values**1.5)

    table = scale.scatter(np.linspace(0.0, 1.0, 11))
    assert isinstance(table, distributed.Future)
    total = client.submit(np.sum, table).result()
    assert total == np.linspace(0.0, 1.0, 11).sum()


SITES = ("gill", "rank", "snkq", "tpas")


def _nights(tmp_path):
    """Four sites' sample files, one with a damaged file added (skipped in both paths)."""
    from geospacexr.datasets import sample_path

    nights = {s: sorted(sample_path(f"themis-{s}").glob("*.pgm.gz")) for s in SITES}
    broken = tmp_path / "20140310_0559_gill_themis19_full.pgm.gz"  # first: it cannot date
    broken.write_bytes(b"\x1f\x8b\x08 not a gzip stream")
    nights["gill"] = [broken, *nights["gill"]]
    skymaps = {s: sample_path(f"themis-{s}-skymap") for s in SITES}
    return nights, skymaps


def _file_tasks(nights, size, dating=None):
    """File tasks of ``size`` files per night; ``dating``: the files run alone first (mag)."""
    dating = dating or {}
    return sum(
        dating.get(n, 0) + -(-(len(f) - dating.get(n, 0)) // size) for n, f in nights.items()
    )


@pytest.mark.parametrize("per_task", [1, 2, 25])
@pytest.mark.parametrize("axis", ["geo", "mag"])
def test_night_keograms_on_cluster_identical(client, tmp_path, axis, per_task):
    from geospacexr import config
    from geospacexr.asi.night import night_keogram, night_keograms

    nights, skymaps = _nights(tmp_path)
    with dask.config.set(scheduler="sync"), pytest.warns(DataWarning, match="1 file"):
        expected = {
            s: night_keogram(f, skymap=skymaps[s], axis=axis, progress=False)
            for s, f in nights.items()
        }
    with (
        config.override({"scale.files_per_task": per_task}),
        distributed.get_task_stream(client) as stream,
        pytest.warns(DataWarning, match="1 file"),
    ):
        result = night_keograms(nights, skymaps, axis=axis, progress=False)
    # per_task files a task (13 files on 2 threads: at most 4, two tasks per thread), one read
    # per distinct skymap (on a worker), one gather per night; for magnetic axes each night's
    # first readable file runs alone first (gill's first file is damaged: its second too)
    kinds: dict[str, int] = {}
    for task in stream.data:
        prefix = distributed.utils.key_split(task["key"])
        kinds[prefix] = kinds.get(prefix, 0) + 1
    dating = {"gill": 2, "rank": 1, "snkq": 1, "tpas": 1} if axis == "mag" else None
    assert kinds == {
        "files_keogram": _file_tasks(nights, min(per_task, 4), dating),
        "open_skymap": len(set(skymaps.values())),
        "gather_night": len(nights),
    }, kinds
    assert list(result) == list(SITES)
    for site in SITES:
        xr.testing.assert_identical(result[site], expected[site])


def test_files_per_task_leaves_two_tasks_per_thread():
    from geospacexr import config
    from geospacexr.asi.night import _batch_size

    class Scheduler:
        def __init__(self, threads):
            self.threads = threads

        def nthreads(self):
            return {f"tcp://w{k}": 1 for k in range(self.threads)}

    assert _batch_size(Scheduler(2), 480) == 25  # the default: 480 files on 2 threads
    assert _batch_size(Scheduler(2), 80) == 20  # 4 tasks for 2 threads
    assert _batch_size(Scheduler(64), 80) == 1  # too few files: one a task
    assert _batch_size(Scheduler(0), 3) == 25  # no worker yet (adaptive): the configured size
    with config.override({"scale.files_per_task": 7}):
        assert _batch_size(Scheduler(2), 480) == 7


def test_night_keogram_uses_the_client_and_the_callers_config(client):
    from geospacexr import config
    from geospacexr.asi.night import night_keogram
    from geospacexr.datasets import sample_path

    files = sorted(sample_path("themis-rank").glob("*.pgm.gz"))
    skymap = sample_path("themis-rank-skymap")
    with config.override({"asi.altitude_km": 150.0, "asi.min_elevation": 20.0}):
        with dask.config.set(scheduler="sync"):
            expected = night_keogram(files, skymap=skymap, axis="geo", progress=False)
        with distributed.get_task_stream(client) as stream:
            result = night_keogram(files, skymap=skymap, axis="geo", progress=False)
    keys = [distributed.utils.key_split(task["key"]) for task in stream.data]
    # 3 files on 2 threads: one file a task (two tasks per thread), and the night's gather
    assert keys.count("files_keogram") == len(files)
    assert keys.count("gather_night") == 1
    xr.testing.assert_identical(result, expected)
    default = night_keogram(files, skymap=skymap, axis="geo", progress=False)
    assert default.sizes["lat"] != result.sizes["lat"]  # the 20 degree cutoff kept fewer rows


def _emission_files(run_files, tmp_path, *flags):
    from geospacexr.cli import main

    files = [str(f) for f in run_files]
    out = tmp_path / f"NO53{len(flags)}.nc"
    assert main(["gcm", "emission", *files, "--name", "NO53", *flags, "-o", str(out)]) == 0
    return out


def test_cli_gcm_emission_on_the_scheduler(client, run_files, tmp_path):
    serial = _emission_files(run_files, tmp_path)
    remote = _emission_files(run_files, tmp_path, "--scheduler", client.scheduler.address)
    assert scale.active_client() is client  # the fixture's Client is the default again
    with xr.open_dataset(serial) as a, xr.open_dataset(remote) as b:
        xr.testing.assert_identical(a, b)


@pytest.mark.slow
def test_cli_gcm_emission_on_local_workers(run_files, tmp_path):
    serial = _emission_files(run_files, tmp_path)
    local = _emission_files(run_files, tmp_path, "--workers", "2")
    with xr.open_dataset(serial) as a, xr.open_dataset(local) as b:
        xr.testing.assert_identical(a, b)


def test_cli_asi_keogram_on_the_scheduler(client, tmp_path):
    from geospacexr.cli import main
    from geospacexr.datasets import sample_path

    files = [str(f) for f in sorted(sample_path("themis-gill").glob("*.pgm.gz"))]
    serial, remote = tmp_path / "serial.nc", tmp_path / "remote.nc"
    with dask.config.set(scheduler="sync"):
        assert main(["asi", "keogram", *files, "-o", str(serial)]) == 0
    with distributed.get_task_stream(client) as stream:
        assert main(["asi", "keogram", *files, "--scheduler", client.scheduler.address,
                     "-o", str(remote)]) == 0  # fmt: skip
    keys = [distributed.utils.key_split(task["key"]) for task in stream.data]
    # 3 files on 2 threads: one file a task (two tasks per thread), and the night's gather
    assert keys.count("files_keogram") == len(files)
    assert keys.count("gather_night") == 1
    with xr.open_dataset(serial) as a, xr.open_dataset(remote) as b:
        xr.testing.assert_identical(a, b)


def test_movie_frames_are_cluster_tasks(client):
    from functools import partial

    from geospacexr.plot.movie import render_frames

    render = partial(np.full, (4, 6, 3), dtype=np.uint8)  # frame i: every pixel i
    with distributed.get_task_stream(client) as stream:
        frames = list(render_frames(render, 5, workers=2, parallel="dask", progress=False))
    assert len(stream.data) == 5
    assert [int(f[0, 0, 0]) for f in frames] == [0, 1, 2, 3, 4]
    with distributed.get_task_stream(client) as stream:  # processes: the cluster's
        again = list(render_frames(render, 5, parallel="processes", progress=False))
    assert len(stream.data) == 5
    np.testing.assert_array_equal(np.stack(again), np.stack(frames))


@pytest.mark.parametrize(
    "box", [{"elevation": (30.0, 90.0), "metric": "median"}, {"ccd": (100, 140, 60, 200)}]
)
def test_night_box_series_on_cluster(client, tmp_path, box):
    from geospacexr import config
    from geospacexr.asi import box_metric, night_box_series
    from geospacexr.io.asi import open_asi
    from geospacexr.io.skymap import open_skymap

    nights, skymaps = _nights(tmp_path)
    with dask.config.set(scheduler="sync"), pytest.warns(DataWarning, match="1 file"):
        serial = night_box_series(nights, skymaps, progress=False, **box)
    with (
        config.override({"scale.files_per_task": 2}),
        distributed.get_task_stream(client) as stream,
        pytest.warns(DataWarning, match="1 file"),
    ):
        result = night_box_series(nights, skymaps, progress=False, **box)
    # two files a task; gill's unreadable first file is met (and skipped) building the mask
    readable = {n: [f for f in files if f.parent != tmp_path] for n, files in nights.items()}
    assert len(stream.data) == _file_tasks(readable, 2) == 8  # 2 + 1 files a night
    xr.testing.assert_identical(result, serial)
    assert list(result["name"].values) == list(SITES)
    for site in SITES:  # each night as box_metric of the whole night gives it
        whole = open_asi([f for f in nights[site] if f.parent != tmp_path])
        expected = box_metric(whole, open_skymap(skymaps[site]), **box)
        got = result.sel(name=site).drop_vars("name")
        np.testing.assert_array_equal(got.values, expected.values)
        np.testing.assert_array_equal(got["time"].values, expected["time"].values)


def test_compute_shows_a_bar_fed_from_the_scheduler(client, capsys):
    import dask.array as dsa

    array = dsa.arange(1000, chunks=100) * 2
    (total,) = scale.compute(array.sum(), progress=True)
    assert int(total) == 999 * 1000
    captured = capsys.readouterr()
    assert captured.out == ""  # stdout stays for the command's own output
    assert "100%" in captured.err and "task" in captured.err


def test_warm_up_runs_on_every_worker(client):
    spent = scale.warm_up(client=client)
    assert set(spent) == set(client.scheduler_info(n_workers=-1)["workers"])
    assert all(seconds >= 0 for seconds in spent.values())


# --------------------------------------------------------------------------- L* along orbits
def _orbit(n=10, seed=3):
    """``n`` particles at 3 to 6 Re near the SM equator, at hours of the omni-hourly sample."""
    from geospacexr import rb

    rng = np.random.default_rng(seed)
    phi, r = rng.uniform(0, 2 * np.pi, n), rng.uniform(3.0, 6.0, n)
    hours = rng.integers(0, 72, n).astype("timedelta64[h]")
    time = np.datetime64("2015-03-16T00:00", "ns") + hours
    return rb.particles(
        r * np.cos(phi), r * np.sin(phi), 0.3, rng.uniform(40, 90, n), time=time, energy=1.0
    )


@pytest.mark.parametrize("driven", [False, True], ids=["fixed", "omni"])
def test_lstar_on_cluster_is_identical(client, driven):
    from geospacexr import config, rb

    p = _orbit()
    if driven:
        model, drivers = "t96", geospacexr.datasets.open_sample("omni-hourly")
    else:
        model, drivers = rb.models.get("t96", pdyn=2.0, dst=-20.0, by=1.0, bz=-3.0), None
    with dask.config.set(scheduler="sync"):
        assert scale.active_client() is None
        one = rb.lstar(p, model, accuracy="fast", drivers=drivers)
    with config.override({"scale.particles_per_task": 4}):  # 3 tasks: 4 + 4 + 2 particles
        with distributed.get_task_stream(client) as stream:
            many = rb.lstar(p, model, accuracy="fast", drivers=drivers, progress=False)
    tasks = [t for t in stream.data if str(t["key"]).startswith("rb-lstar-")]
    assert len(tasks) == 3
    assert len({t["worker"] for t in tasks}) == 2  # both workers took part
    assert (one["status"] == 0).sum() > 5
    xr.testing.assert_identical(one, many)  # to the bit, NaNs where they were


@pytest.mark.parametrize("driven", [False, True], ids=["fixed", "omni"])
def test_lstar_written_by_the_workers_is_the_in_memory_result(client, driven, tmp_path):
    import os

    from geospacexr import config, rb

    p = _orbit()
    if driven:
        model, drivers = "t96", geospacexr.datasets.open_sample("omni-hourly")
    else:
        model, drivers = rb.models.get("t96", pdyn=2.0, dst=-20.0, by=1.0, bz=-3.0), None
    with dask.config.set(scheduler="sync"):
        one = rb.lstar(p, model, accuracy="fast", drivers=drivers)
    out = tmp_path / "lstar.nc"
    with config.override({"scale.particles_per_task": 4}):  # 3 parts: 4 + 4 + 2 particles
        with distributed.get_task_stream(client) as stream:
            path = rb.lstar(p, model, accuracy="fast", drivers=drivers, progress=False,
                            output=out, finish=_lingering())  # fmt: skip
    assert path == out and os.listdir(tmp_path) == ["lstar.nc"]  # no part left
    tasks = [t for t in stream.data if str(t["key"]).startswith("rb-lstar-write-")]
    assert len(tasks) == 3 and len({t["worker"] for t in tasks}) == 2
    with xr.open_dataset(out) as got:
        got.load()
    assert (one["status"] == 0).sum() > 5
    assert set(got.variables) == set(one.variables) and set(got.attrs) == set(one.attrs)
    for name, var in one.variables.items():  # to the bit, NaNs where they were
        assert got[name].dtype == var.dtype, name
        assert np.array_equal(got[name].values, var.values, equal_nan=var.dtype.kind == "f")


def test_a_failed_worker_part_leaves_nothing(client, tmp_path):
    import os

    from geospacexr import config, rb

    p = _orbit()
    model = rb.models.get("t96", pdyn=2.0, dst=-20.0, by=1.0, bz=-3.0)
    # the second of three parts fails on its worker (a lambda is sent by value)
    fails = lambda out, particles: out if int(particles.particle[0]) != 4 else 1 / 0  # noqa: E731
    with config.override({"scale.particles_per_task": 4}):
        with pytest.raises(ZeroDivisionError):
            rb.lstar(p, model, accuracy="fast", progress=False, output=tmp_path / "lstar.nc",
                     finish=fails)  # fmt: skip
    assert os.listdir(tmp_path) == []  # no output, no part folder, no part


def test_K_on_cluster_is_identical(client):
    from geospacexr import rb

    p = _orbit(6, seed=4)
    model = rb.models.get("t96", pdyn=2.0, dst=-20.0, by=1.0, bz=-3.0)
    with dask.config.set(scheduler="sync"):
        one = rb.K(p, model, accuracy="fast")
    xr.testing.assert_identical(one, rb.K(p, model, accuracy="fast", progress=False))


def test_cli_rb_lstar_on_the_scheduler(client, tmp_path, capsys, monkeypatch):
    import sys
    import warnings

    from geospacexr import config
    from geospacexr.cli import main
    from geospacexr.datasets import sample_path
    from geospacexr.errors import DataWarning

    pos = tmp_path / "orbit.csv"
    pos.write_text("time,x,y,z\n2015-03-16T12:30,-5,0,0\n2015-03-17T06:10,-4,1,0\n"
                   "2015-03-18T06:10,0,5,0.5\n")  # fmt: skip
    argv = ["rb", "lstar", str(pos), "--drivers", str(sample_path("omni-hourly")),
            "--accuracy", "fast", "--pitch-angle", "90", "50"]  # fmt: skip
    serial, remote = tmp_path / "serial.nc", tmp_path / "remote.nc"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        with dask.config.set(scheduler="sync"):
            assert main([*argv, "-o", str(serial)]) == 0
        capsys.readouterr()
        monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # the progress bar is drawn
        with config.override({"scale.particles_per_task": 2}):
            with distributed.get_task_stream(client) as stream:
                assert main([*argv, "--scheduler", client.scheduler.address,
                             "-o", str(remote)]) == 0  # fmt: skip
    assert sum(str(t["key"]).startswith("rb-lstar-") for t in stream.data) == 3
    assert "L*" in capsys.readouterr().err  # the bar fed from the scheduler
    with xr.open_dataset(serial) as a, xr.open_dataset(remote) as b:
        xr.testing.assert_identical(a, b)


def test_cli_rb_footprint_on_the_scheduler(client, tmp_path, capsys):
    import warnings

    from geospacexr import config
    from geospacexr.cli import main
    from geospacexr.datasets import sample_path
    from geospacexr.errors import DataWarning

    pos = tmp_path / "orbit.csv"
    rows = [
        f"2015-03-{16 + k // 4}T{(5 * k) % 24:02d}:10,{-5 + k % 3},{k % 2},0.2" for k in range(9)
    ]
    pos.write_text("time,x,y,z\n" + "\n".join(rows) + "\n")
    argv = ["rb", "footprint", str(pos), "--drivers", str(sample_path("omni-hourly")),
            "--hemisphere", "south"]  # fmt: skip
    serial, remote = tmp_path / "serial.nc", tmp_path / "remote.nc"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        with dask.config.set(scheduler="sync"):
            assert main([*argv, "-o", str(serial)]) == 0
        with config.override({"scale.footprints_per_task": 4}):
            with distributed.get_task_stream(client) as stream:
                assert main([*argv, "--scheduler", client.scheduler.address,
                             "-o", str(remote)]) == 0  # fmt: skip
    assert sum(str(t["key"]).startswith("rb-footprint-") for t in stream.data) == 3
    assert "9 positions" in capsys.readouterr().out
    with xr.open_dataset(serial) as a, xr.open_dataset(remote) as b:
        xr.testing.assert_identical(a, b)
        assert np.isfinite(a.lat.values).sum() >= 7


def _track(n=12, seed=11):
    """``n`` spacecraft positions at 6 Re (GSM), at hours of the omni-hourly sample, one NaN."""
    rng = np.random.default_rng(seed)
    hours = rng.integers(0, 72, n).astype("timedelta64[h]")
    phi = rng.uniform(0, 2 * np.pi, n)
    points = xr.Dataset(
        {"x": ("time", 6 * np.cos(phi)), "y": ("time", 6 * np.sin(phi)),
         "z": ("time", rng.uniform(-1, 1, n))},
        coords={"time": np.datetime64("2015-03-16T00:00", "ns") + hours},
        attrs={"frame": "GSM"},
    )  # fmt: skip
    points["x"][3] = np.nan  # skipped in both paths
    return points


def _lingering(seconds=0.5):
    """A part's ``finish`` that holds its worker ``seconds`` (a closure: sent by value).

    A part of a few particles takes a fraction of a second: the scheduler may then hand (or a
    worker steal) every part to one worker, which is correct but leaves the joining of parts
    written by two processes untested. Holding each worker makes the three parts, submitted
    within milliseconds, land on both.
    """
    import time

    def finish(out, _rows):
        time.sleep(seconds)
        return out

    return finish


def _t96(driven):
    """T96 driven by the omni-hourly sample, or with fixed parameters."""
    from geospacexr import rb

    if driven:
        return "t96", geospacexr.datasets.open_sample("omni-hourly")
    return rb.models.get("t96", pdyn=2.0, dst=-20.0, by=1.0, bz=-3.0), None


@pytest.mark.parametrize("driven", [False, True], ids=["fixed", "omni"])
def test_footprint_on_cluster_is_identical(client, driven):
    import warnings

    from geospacexr import config, rb

    points = _track()
    model, drivers = _t96(driven)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        with dask.config.set(scheduler="sync"):
            assert scale.active_client() is None
            one = rb.footprint(points, model, drivers=drivers)
        with config.override({"scale.footprints_per_task": 5}):  # 3 tasks: 5 + 5 + 2
            with distributed.get_task_stream(client) as stream:
                many = rb.footprint(points, model, drivers=drivers)
    tasks = [t for t in stream.data if str(t["key"]).startswith("rb-footprint-")]
    assert len(tasks) == 3
    assert np.isfinite(one["lat"].values).sum() > 5
    xr.testing.assert_identical(one, many)  # to the bit, NaNs where they were


@pytest.mark.parametrize("driven", [False, True], ids=["fixed", "omni"])
@pytest.mark.parametrize("call", ["K", "footprint"])
def test_K_and_footprint_written_by_the_workers_are_the_in_memory_result(
    client, call, driven, tmp_path
):
    import os
    import warnings

    from geospacexr import config, rb

    model, drivers = _t96(driven)
    if call == "K":
        rows, per_task = _orbit(), {"scale.particles_per_task": 4}  # 3 parts: 4 + 4 + 2

        def run(**kw):
            return rb.K(rows, model, accuracy="fast", drivers=drivers, progress=False, **kw)
    else:
        rows, per_task = _track(), {"scale.footprints_per_task": 5}  # 3 parts: 5 + 5 + 2

        def run(**kw):
            return rb.footprint(rows, model, drivers=drivers, **kw)

    out = tmp_path / f"{call}.nc"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        with dask.config.set(scheduler="sync"):
            assert scale.active_client() is None
            one = run()
        with config.override(per_task), distributed.get_task_stream(client) as stream:
            assert run(output=out, finish=_lingering()) == out
    assert os.listdir(tmp_path) == [out.name]  # no part folder left
    tasks = [t for t in stream.data if str(t["key"]).startswith(f"rb-{call}-write-")]
    assert len(tasks) == 3 and len({t["worker"] for t in tasks}) == 2
    good = (one["status"] == 0) if call == "K" else np.isfinite(one["lat"])
    assert good.sum() > 5
    with xr.open_dataset(out) as got:
        xr.testing.assert_identical(got.load(), one)  # to the bit, NaNs where they were


def test_a_failed_footprint_part_on_a_worker_leaves_nothing(client, tmp_path):
    import os

    from geospacexr import config, rb

    model, _ = _t96(False)
    points = _track()
    # the second of three parts fails on its worker (a lambda is sent by value)
    fails = lambda out, pts: out if pts.time[0] != points.time[5] else 1 / 0  # noqa: E731
    with config.override({"scale.footprints_per_task": 5}):
        with pytest.raises(ZeroDivisionError):
            rb.footprint(points, model, output=tmp_path / "track.nc", finish=fails)
    assert os.listdir(tmp_path) == []  # no output, no part folder, no part


@pytest.mark.slow  # the four sites' mapping matrix is built (the session's cache is private)
def test_mosaic_on_cluster_is_identical(client):
    from geospacexr import asi, config, datasets

    images = [datasets.open_sample(f"themis-{s}") for s in SITES]
    images[1] = images[1].chunk({"time": 2})  # dask-backed: computed inside the tasks
    skymaps = [datasets.open_sample(f"themis-{s}-skymap") for s in SITES]
    times = images[0]["time"].values[:7]
    with dask.config.set(scheduler="sync"):
        one = asi.mosaic(images, skymaps, time=times, scale={"rank": 2.0})
    with config.override({"scale.frames_per_task": 3}):  # 3 tasks: 3 + 3 + 1 frames
        with distributed.get_task_stream(client) as stream:
            many = asi.mosaic(images, skymaps, time=times, scale={"rank": 2.0})
    tasks = [t for t in stream.data if str(t["key"]).startswith("asi-mosaic-")]
    assert len(tasks) == 3
    assert np.isfinite(one["image"].values).sum() > 1000
    xr.testing.assert_identical(one, many)  # to the bit
    with pytest.raises(IncompatibleInputError, match="no frame within"):
        asi.mosaic(images, skymaps, time=[times[0], times[0] + np.timedelta64(1, "D")])


def test_night_keograms_written_by_the_workers(client, tmp_path):
    from geospacexr.asi.night import night_keogram, night_keograms

    nights, skymaps = _nights(tmp_path)
    nights = {f"{s} 2014-03-10": f for s, f in list(nights.items())[:2]}  # gill (damaged), rank
    skymaps = {f"{s} 2014-03-10": skymaps[s] for s in SITES[:2]}
    serial, remote = tmp_path / "serial", tmp_path / "remote"
    with dask.config.set(scheduler="sync"), pytest.warns(DataWarning, match="1 file"):
        written = night_keograms(nights, skymaps, axis="geo", progress=False, output=serial)
        expected = {n: night_keogram(f, skymap=skymaps[n], axis="geo", progress=False)
                    for n, f in nights.items()}  # fmt: skip
    with distributed.get_task_stream(client) as stream, pytest.warns(DataWarning, match="gill"):
        paths = night_keograms(nights, skymaps, axis="geo", progress=False, output=remote)
    writers = [t for t in stream.data if str(t["key"]).startswith("_write_night")]
    assert len(writers) == 2  # one writing task per night, on the workers
    assert sorted(p.name for p in paths.values()) == ["gill_2014-03-10.nc", "rank_2014-03-10.nc"]
    assert sorted(p.name for p in remote.iterdir()) == sorted(p.name for p in paths.values())
    for name, path in paths.items():
        with xr.open_dataarray(path) as a, xr.open_dataarray(written[name]) as b:
            xr.testing.assert_identical(a.load(), b.load())
            np.testing.assert_array_equal(a.values, expected[name].values)
            xr.testing.assert_equal(a, expected[name])


def test_night_keograms_output_fails_cleanly(client, tmp_path):
    from geospacexr.asi.night import night_keograms
    from geospacexr.errors import FileFormatError

    bad = tmp_path / "20140310_0600_gill_themis19_full.pgm.gz"
    bad.write_bytes(b"\x1f\x8b\x08 not a gzip stream")
    out = tmp_path / "out"
    with pytest.raises(FileFormatError, match="no file could be read"):
        night_keograms({"gill": [bad]}, axis="ccd", progress=False, output=out)
    assert not out.exists() or not any(out.iterdir())  # no half-written or temporary file
    with pytest.raises(InvalidArgumentError, match="both be written"):
        night_keograms({"a b": [bad], "a/b": [bad]}, output=out)


def test_gcm_field_written_by_the_workers(client, run_files, tmp_path):
    from geospacexr.io.atomic import write_netcdf

    ds = geospacexr.open_tiegcm(run_files, chunks={"time": 2})
    expected = _serial(lambda: ds.gcm.emission("NO53"))
    field = ds.gcm.emission("NO53")
    assert field.chunks  # a graph on the Client: its chunks are written by the workers
    with distributed.get_task_stream(client) as stream:
        path = write_netcdf(field.to_dataset(), tmp_path / "no53.nc")
    stores = [t for t in stream.data if "store" in str(t["key"])]
    assert len(stores) >= FILES  # a write per chunk, on the workers
    assert [p.name for p in tmp_path.iterdir()] == ["no53.nc"]  # the temporary file renamed
    with xr.open_dataset(path) as back:
        xr.testing.assert_identical(back.load(), expected.to_dataset())


def _trim_variable():
    import os

    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


def test_worker_environment_sets_and_restores_the_trim_threshold(monkeypatch):
    from geospacexr import config

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")  # as a first nanny leaves it here
    key = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
    with scale.worker_environment():  # default 0: not set
        assert _trim_variable() is None and dask.config.get(key) is None
    assert _trim_variable() == "65536" and dask.config.get(key) == 65536
    with config.override({"scale.malloc_trim_threshold": 1 << 20}), scale.worker_environment():
        assert _trim_variable() == str(1 << 20) and dask.config.get(key) == str(1 << 20)
    with config.override({"scale.malloc_trim_threshold": -1}), scale.worker_environment():
        assert _trim_variable() == "65536" and dask.config.get(key) == 65536
    assert _trim_variable() == "65536"


def _profiling(dask_worker):
    return "profile" in dask_worker.periodic_callbacks


def test_local_cluster_workers_run_the_profiler_only_when_configured():
    """dask's statistical profiler (every 10 ms, for the dashboard) is off by default."""
    from geospacexr import config

    key = "distributed.worker.profile.enabled"
    before = dask.config.get(key)
    with scale.local_cluster(workers=1) as c:
        assert list(c.run(_profiling).values()) == [False]
    with config.override({"scale.worker_profile": True}), scale.local_cluster(workers=1) as c:
        assert list(c.run(_profiling).values()) == [True]
    assert dask.config.get(key) == before  # the client's configuration is left as it was


def test_local_cluster_workers_get_the_configured_trim_threshold():
    """By default without dask's MALLOC_TRIM_THRESHOLD_=65536; -1 keeps dask's."""
    from geospacexr import config

    with scale.local_cluster(workers=1) as c:
        assert list(c.run(_trim_variable).values()) == [None]
    with config.override({"scale.malloc_trim_threshold": -1}), scale.local_cluster(workers=1) as c:
        assert list(c.run(_trim_variable).values()) == ["65536"]
