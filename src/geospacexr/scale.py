"""Batch work on ``dask.distributed``: find the active Client, start a local cluster, scatter.

geospacexr's batch workloads (many GCM history files, many imager nights, movie frames) are
dask graphs. Without a :class:`distributed.Client` they run on dask's threads in this process;
with one (``Client()`` in a notebook, a ``LocalCluster``, a dask-jobqueue or cloud cluster, or
``--scheduler``/``--workers`` on the command line) the same graphs run on the cluster and give
the same numbers (docs/scaling.md). This module is the one place that talks to
``distributed``, which is imported only when it is used (``pip install
'geospacexr[distributed]'``):

* :func:`active_client`: the Client of this process, or ``None`` (no Client, ``distributed``
  not installed, or called inside a worker's task, where work must stay local);
* :func:`in_worker`: whether this code runs inside a ``distributed`` worker's task;
* :func:`local_cluster` / :func:`connect`: a context manager giving a Client on a new
  ``LocalCluster`` of ``workers`` processes (config ``[scale]``) or on a scheduler's address,
  closed on exit;
* :func:`worker_environment`: the environment (``MALLOC_TRIM_THRESHOLD_``) geospacexr gives
  the worker processes of a local cluster;
* :func:`scatter`: put a large object (mapping matrices, skymaps) on the workers once, so
  that tasks refer to it instead of carrying a copy each;
* :func:`compute`: compute dask collections on the active Client with a progress bar fed from
  the scheduler, or locally when there is none;
* :func:`store`: compute a dask array into a numpy array block by block, on the cluster when
  there is one (``dask.array.store`` cannot write into a local array from other processes);
* :func:`fuse_blocks`: one dask task per output chunk (its reads and arithmetic fused), so a
  chunked GCM computation costs the scheduler a task per file, not one per field and step;
* :class:`Configured`: a task function that runs inside the caller's configuration overrides;
* :func:`warm_up`: compile the numba kernels on every worker before the work.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from . import config
from .errors import InvalidArgumentError

__all__ = [
    "Configured",
    "active_client",
    "compute",
    "connect",
    "fuse_blocks",
    "in_worker",
    "local_cluster",
    "progress_bar",
    "scatter",
    "store",
    "warm_up",
    "worker_environment",
]


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ImportError(
            "running on a dask cluster needs distributed: pip install 'geospacexr[distributed]'"
        ) from None
    return distributed


def in_worker() -> bool:
    """Whether this code runs inside a task on a ``dask.distributed`` worker.

    Returns:
        True inside a worker's task (a Client found there belongs to the worker and must not be
        used to compute the task's own blocks).
    """
    if "distributed" not in sys.modules:
        return False
    from distributed import get_worker

    try:
        get_worker()
    except ValueError:
        return False
    return True


def active_client() -> Any | None:
    """The ``dask.distributed`` Client this process computes on, or ``None``.

    Returns:
        The default Client (the last one made, or the one set with ``as_current``); ``None``
        when ``distributed`` is not installed or not imported yet (no Client can exist then),
        no Client is running, this is a worker's task, or dask's scheduler is set to a local
        one (``dask.config.set(scheduler="threads")``, ``"sync"``...), which a Client's own
        setting yields to.
    """
    if "distributed" not in sys.modules or in_worker():
        return None
    import dask

    scheduler = dask.config.get("scheduler", None)
    if scheduler is not None and scheduler not in ("dask.distributed", "distributed"):
        return None
    from distributed import get_client

    try:
        client = get_client()
    except ValueError:
        return None
    return None if client.status in ("closing", "closed") else client


def _cluster_kwargs(workers: int | None, threads_per_worker: int | None) -> dict[str, Any]:
    cfg = config.get().scale
    n = int(config.resolve(workers, "scale.workers") or 0) or (os.cpu_count() or 1)
    if n < 1:
        raise InvalidArgumentError(f"workers must be 1 or more, not {n}", "workers")
    threads = int(config.resolve(threads_per_worker, "scale.threads_per_worker"))
    memory = cfg.memory_limit_mb
    return {
        "n_workers": n,
        "threads_per_worker": threads,
        "processes": True,
        "memory_limit": f"{memory}MB" if memory else "auto",
        "dashboard_address": cfg.dashboard_address or None,
    }


_TRIM = "MALLOC_TRIM_THRESHOLD_"


@contextlib.contextmanager
def worker_environment() -> Iterator[None]:
    """Worker processes started in this block get the ``scale`` settings for workers.

    Config ``scale.malloc_trim_threshold`` and ``scale.worker_profile``.

    The nannies of a cluster created in the block hand dask's configuration of that moment to
    their workers: ``distributed.worker.profile.enabled`` is config ``scale.worker_profile``
    (off by default: dask's statistical profiler, every 10 ms, for the dashboard's Profile page).

    dask's nannies put ``distributed.nanny.pre-spawn-environ`` (``MALLOC_TRIM_THRESHOLD_``:
    65536) in the environment of the worker processes they start, and copy it into this
    process's ``os.environ``, where it would override the configuration of the next cluster
    started here. Inside the block, the dask setting and ``os.environ`` carry geospacexr's value
    (0: the variable removed, glibc's dynamic thresholds); both are restored on exit. -1 leaves
    dask's setting alone. :func:`local_cluster` starts its workers inside this block; use it
    around ``distributed.LocalCluster(...)`` to give the same workers to a cluster of your own.

    Yields:
        Nothing.
    """
    import dask

    settings = config.get().scale
    with dask.config.set({"distributed.worker.profile.enabled": bool(settings.worker_profile)}):
        with _trim_environment(int(settings.malloc_trim_threshold)):
            yield


@contextlib.contextmanager
def _trim_environment(threshold: int) -> Iterator[None]:
    """``MALLOC_TRIM_THRESHOLD_`` of the workers started in the block (-1: dask's)."""
    import dask

    if threshold < 0:
        yield
        return
    value = str(threshold) if threshold else None
    before = os.environ.get(_TRIM)
    if value is None:
        os.environ.pop(_TRIM, None)
    else:
        os.environ[_TRIM] = value
    try:
        with dask.config.set({f"distributed.nanny.pre-spawn-environ.{_TRIM}": value}):
            yield
    finally:
        if before is None:
            os.environ.pop(_TRIM, None)
        else:
            os.environ[_TRIM] = before


@contextlib.contextmanager
def local_cluster(
    workers: int | None = None, threads_per_worker: int | None = None
) -> Iterator[Any]:
    """A Client on a new ``LocalCluster`` of worker processes, closed on exit.

    The workers start with config ``scale.malloc_trim_threshold`` and ``scale.worker_profile``
    (:func:`worker_environment`; by default without dask's ``MALLOC_TRIM_THRESHOLD_=65536``,
    which makes the temporaries of every block of a GCM computation page-fault again, and
    without dask's statistical profiler: docs/scaling.md).

    Args:
        workers: Worker processes (default from config ``scale.workers``: one per core).
        threads_per_worker: Threads per worker (default from config
            ``scale.threads_per_worker``: 1).

    Yields:
        The :class:`distributed.Client` (the default Client while the block runs); its
        ``dashboard_link`` is the dask dashboard.

    Raises:
        ImportError: If ``distributed`` is not installed.
    """
    distributed = _distributed()
    kwargs = _cluster_kwargs(workers, threads_per_worker)
    with worker_environment():
        cluster = distributed.LocalCluster(**kwargs)
    with cluster, distributed.Client(cluster, set_as_default=True) as client:
        yield client


@contextlib.contextmanager
def connect(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any | None]:
    """A Client for a batch command: on a scheduler's address, on a local cluster, or none.

    Args:
        scheduler: A scheduler's address (``tcp://host:8786``) or a scheduler file (JSON, as
            ``dask scheduler --scheduler-file`` and dask-jobqueue write).
        workers: Start a ``LocalCluster`` with this many worker processes (0: one per core)
            when no ``scheduler`` is given.

    Yields:
        The Client (the default Client while the block runs), or the Client already active
        when neither argument is given (``None`` when there is none: work runs in this process).

    Raises:
        InvalidArgumentError: If both arguments are given.
        ImportError: If ``distributed`` is needed and not installed.
    """
    if scheduler is not None and workers is not None:
        raise InvalidArgumentError("give a scheduler address or a number of workers, not both")
    if scheduler is None and workers is None:
        yield active_client()
        return
    if workers is not None:
        with local_cluster(workers or None) as client:
            yield client
        return
    distributed = _distributed()
    timeout = config.get().scale.timeout_s
    kwargs: dict[str, Any] = {"timeout": timeout, "set_as_default": True}
    if str(scheduler).endswith(".json") and os.path.isfile(str(scheduler)):
        kwargs["scheduler_file"] = str(scheduler)
    else:
        kwargs["address"] = scheduler
    with distributed.Client(**kwargs) as client:
        yield client


def scatter(value: Any, client: Any | None = None) -> Any:
    """Put ``value`` on every worker once (``Client.scatter(broadcast=True)``).

    Tasks that take the returned Future as an argument get the worker's copy: a large object
    (a mosaic's mapping matrix, a skymap's lookup tables) crosses the network once per worker,
    not once per task. Without a Client, ``value`` is returned as is.

    Args:
        value: Any picklable object.
        client: The Client (default: :func:`active_client`).

    Returns:
        A :class:`distributed.Future`, or ``value`` when there is no Client.
    """
    client = client if client is not None else active_client()
    if client is None:
        return value
    return client.scatter(value, broadcast=True, hash=False)


def compute(*collections: Any, progress: bool | None = None, client: Any | None = None) -> Any:
    """Compute dask collections (``dask.compute``), on the active Client when there is one.

    With a Client, the progress bar is ``distributed``'s, fed from the scheduler (it counts the
    tasks done on every worker); without one, the graph runs on dask's threads.

    Args:
        *collections: Dask-backed DataArrays, Datasets, arrays or delayed objects.
        progress: Show a progress bar (default: when on a terminal).
        client: The Client (default: :func:`active_client`).

    Returns:
        A tuple of the computed results, one per collection.
    """
    import dask

    client = client if client is not None else active_client()
    show = sys.stderr.isatty() if progress is None else progress
    if client is None:
        if show:
            from dask.diagnostics import ProgressBar

            with ProgressBar(out=sys.stderr):
                return dask.compute(*collections)
        return dask.compute(*collections)
    futures = client.compute(list(collections))
    if show:
        progress_bar(futures, client)
    return tuple(client.gather(futures))


def progress_bar(futures: Sequence[Any], client: Any, desc: str = "tasks") -> None:
    """Show a tqdm bar (on stderr) fed from the scheduler until ``futures`` are done.

    The scheduler reports how many of the tasks behind ``futures`` (every task of their graphs)
    remain, ten times a second, as ``distributed``'s own progress bar does; this draws it with
    tqdm like every other progress bar of geospacexr.

    Args:
        futures: Futures of :meth:`distributed.Client.compute` or ``submit``.
        client: Their Client.
        desc: Label of the bar.
    """
    from distributed.diagnostics.progressbar import ProgressBar
    from distributed.utils import LoopRunner
    from tqdm import tqdm

    bar = tqdm(total=0, desc=desc, unit="task", file=sys.stderr)

    class _Feed(ProgressBar):
        def _draw_bar(self, remaining: int, all: int, **kwargs: Any) -> None:
            bar.total = all
            bar.n = all - remaining
            bar.refresh()

    try:
        feed = _Feed(list(futures), scheduler=client.scheduler.address)
        LoopRunner(loop=None).run_sync(feed.listen)
    finally:
        bar.close()


def store(array: Any, out: np.ndarray, client: Any | None = None) -> None:
    """Compute a dask array into ``out`` block by block (no second full-size copy).

    With a Client, the blocks are computed on the cluster and written into ``out`` as they
    arrive (each block's memory on the workers is released once it is written); without one,
    ``dask.array.store`` writes them from dask's threads (or the synchronous scheduler when it
    is the configured one).

    Args:
        array: A dask array of ``out``'s shape.
        out: The writable numpy array to fill.
        client: The Client (default: :func:`active_client`).
    """
    import dask
    import dask.array as dsa

    client = client if client is not None else active_client()
    if client is None:
        scheduler = dask.config.get("scheduler", None)
        local = scheduler if scheduler in ("sync", "synchronous", "single-threaded") else "threads"
        dsa.store(array, out, lock=False, scheduler=local)
        return
    from dask.array.core import slices_from_chunks
    from distributed import as_completed

    blocks: Sequence[Any] = array.to_delayed().ravel().tolist()
    regions = slices_from_chunks(array.chunks)
    futures = client.compute(blocks)
    where = {future.key: region for future, region in zip(futures, regions, strict=True)}
    for future, block in as_completed(futures, with_results=True):
        out[where[future.key]] = block
        future.release()


def fuse_blocks(obj: Any) -> Any:
    """One task per output chunk: the work only that chunk needs, fused into its task.

    A chunked GCM computation reads several fields of a file (each read a task, as dask's
    optimiser leaves a field read by several operations), then computes: about 14 tasks per
    chunk, each paying the scheduler's and the worker's round trip. This rewrites the graph so
    that every output chunk is one task running the part of the graph that belongs to it
    alone (its reads, the masking, the arithmetic, a reduction within the chunk), as dask's
    optimiser would run it. Work shared by several output chunks (a constant coordinate, a
    field every chunk needs) stays one task of its own, computed once: nothing is computed
    twice. The numbers are those of the graph before (the same functions on the same data).

    The graph is left as it is when an output chunk would gather several chunks of one
    intermediate (a reduction or a rechunk across chunks: fused, it would run serially in one
    task) or when an output chunk is an input of another, and with a dask older than 2024.12
    (before its task specification).

    Args:
        obj: A dask array, or a DataArray or Dataset (its dask-backed data variables, together:
            work they share stays shared). Anything else is returned as is.

    Returns:
        The same kind of object, with the rewritten graph (or ``obj`` unchanged).
    """
    import xarray as xr

    if isinstance(obj, xr.Dataset):
        names = [n for n, v in obj.data_vars.items() if v.chunks and _is_dask(v.data)]
        fused = _fuse_arrays([obj[n].data for n in names])
        if all(f is obj[n].data for n, f in zip(names, fused, strict=True)):
            return obj
        return obj.assign({n: obj[n].copy(data=d) for n, d in zip(names, fused, strict=True)})
    if isinstance(obj, xr.DataArray):
        # .chunks first: .data of a lazily indexed (file-backed) variable would read it
        if not obj.chunks or not _is_dask(obj.data):
            return obj
        fused = _fuse_arrays([obj.data])[0]
        return obj if fused is obj.data else obj.copy(data=fused)
    if _is_dask(obj):
        return _fuse_arrays([obj])[0]
    return obj


def _is_dask(data: Any) -> bool:
    return type(data).__module__.startswith("dask.array") and hasattr(data, "__dask_graph__")


def _fuse_arrays(arrays: list[Any]) -> list[Any]:
    """:func:`fuse_blocks` of dask arrays, together (see there)."""
    if not arrays:
        return arrays
    import dask.array as dsa

    try:  # dask's task specification (2024.12 and later); with an older dask, no fusion
        from dask._task_spec import Alias, DependenciesMapping, convert_legacy_graph
    except ImportError:
        return arrays
    from dask.base import tokenize
    from dask.core import flatten
    from dask.highlevelgraph import HighLevelGraph, MaterializedLayer
    from dask.utils import ensure_dict, key_split

    outputs = [list(flatten(a.__dask_keys__())) for a in arrays]
    keys = [k for ks in outputs for k in ks]
    graph = HighLevelGraph.merge(*(a.__dask_graph__() for a in arrays))
    dsk = convert_legacy_graph(ensure_dict(arrays[0].__dask_optimize__(graph, keys)))
    dependencies = {k: [d for d in v if d in dsk] for k, v in DependenciesMapping(dsk).items()}
    waiting = dict.fromkeys(dsk, 0)
    for deps in dependencies.values():
        for d in deps:
            waiting[d] += 1
    if len(set(keys)) != len(keys) or any(waiting.get(k, 1) for k in keys):
        return arrays  # an output is missing, repeated or an input of another
    # the owner of a task: the one output chunk that needs it, or None when several do;
    # walked from the outputs towards the roots, a task once all its dependents are known
    shared = None
    owner: dict[Any, Any] = {k: k for k in keys}
    stack = list(keys)
    while stack:
        key = stack.pop()
        mine = owner[key]
        for d in dependencies[key]:
            if d in owner and owner[d] != mine:
                owner[d] = shared
            else:
                owner.setdefault(d, mine)
            waiting[d] -= 1
            if waiting[d] == 0:
                stack.append(d)
    groups: dict[Any, list[Any]] = {k: [] for k in keys}
    for key, mine in owner.items():
        if mine is not shared:
            groups[mine].append(key)
    if all(len(g) == 1 for g in groups.values()):
        return arrays  # one task per chunk already
    for members in groups.values():
        layers = [m[0] for m in members if isinstance(m, tuple)]
        if len(set(layers)) != len(layers):
            return arrays  # several chunks of one layer in one output chunk: keep it parallel
    common = {k: node for k, node in dsk.items() if owner.get(k, shared) is shared}
    # an alias among the shared tasks (dask's optimiser leaves one behind a fused chain) would
    # be a task of its own: its users refer to its target instead
    redirect = {}
    for key, node in common.items():
        target = node
        while isinstance(target, Alias) and target.target in common:
            target = common[target.target]
        if target is not node:
            redirect[key] = target.key
    if redirect:

        def _direct(node: Any) -> Any:
            subs = {d: redirect[d] for d in node.dependencies if d in redirect}
            return node.substitute(subs) if subs else node

        common = {k: _direct(n) for k, n in common.items() if k not in redirect}
        dsk = {k: _direct(n) for k, n in dsk.items() if k not in redirect}
    token = tokenize(*(a.name for a in arrays), "fuse_blocks")
    base = f"fused-common-{token}"
    layers_: dict[str, Any] = {base: MaterializedLayer(common)}
    depends: dict[str, set[str]] = {base: set()}
    out = []
    for array, keys_of in zip(arrays, outputs, strict=True):
        name = f"{key_split(array.name)}-{tokenize(array.name, token)}"
        tasks = {}
        for key in keys_of:
            new = (name, *key[1:]) if isinstance(key, tuple) else name
            tasks[new] = _fused_task(new, key, [dsk[m] for m in groups[key]])
        layers_[name] = MaterializedLayer(tasks)
        depends[name] = {base}
        out.append((array, name))
    full = HighLevelGraph(layers_, depends)
    return [dsa.Array(full, name, array.chunks, meta=array._meta) for array, name in out]


def _fused_task(key: Any, outkey: Any, nodes: list[Any]) -> Any:
    """One task running ``nodes`` (a subgraph whose one output is ``outkey``), as ``key``.

    As dask's ``Task.fuse``, but run by :func:`_run_subgraph`: dask's optimiser takes the
    subgraph of a task run by its own ``_execute_subgraph`` for a linear chain and merges the
    slices along it in place, which is wrong for a subgraph where a slice has several users.
    """
    from dask._task_spec import Task, TaskRef

    if len(nodes) == 1:
        return nodes[0].substitute({}, key=key)
    inner = {node.key: node for node in nodes}
    needed = set().union(*(node.dependencies for node in nodes)) - inner.keys()
    outside = tuple(sorted(needed, key=str))
    return Task(
        key,
        _run_subgraph,
        inner,
        outkey,
        outside,
        *(TaskRef(k) for k in outside),
        _data_producer=any(node.data_producer for node in nodes),
    )


def _run_subgraph(inner: dict, outkey: Any, outside: tuple, *values: Any) -> Any:
    """Run a fused block's subgraph (``inner``, its inputs from outside given) for ``outkey``."""
    from dask._task_spec import _execute_subgraph

    return _execute_subgraph(inner, outkey, outside, *values)


class Configured:
    """``func(*args, **kwargs)`` run inside the caller's configuration overrides (picklable).

    Overrides (:func:`geospacexr.config.override`) live in a ``ContextVar`` of the process that
    made them; a task that runs on a worker starts without them. Wrapping the task's function
    carries them along, so a default that the task resolves from the configuration (a mapping
    altitude, an elevation cutoff) is the caller's.

    Args:
        func: A picklable callable.
        settings: The overrides (default: the caller's, :func:`geospacexr.config.overrides`).
    """

    def __init__(self, func: Any, settings: dict[str, Any] | None = None) -> None:
        self.func = func
        self.settings = config.overrides() if settings is None else dict(settings)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call ``func`` with the overrides in force."""
        if not self.settings:
            return self.func(*args, **kwargs)
        with config.override(self.settings):
            return self.func(*args, **kwargs)


def _warm(models: Sequence[str]) -> float:
    """Compile (or load from numba's disk cache) the kernels batch work uses, in this process."""
    import time

    from .gcm.emissions.formulas import co215, no53, oh83
    from .gcm.heights import interp_columns

    start = time.perf_counter()
    coord = np.array([[0.0, 1.0]])
    for dtype in (np.float32, np.float64):  # the column interpolation of both field dtypes
        interp_columns(np.ones((1, 2), dtype=dtype), coord, np.array([0.5]), log=True)
    one = np.ones(1)
    no53(300.0 * one, one, one)
    co215(300.0 * one, one, one)
    oh83(300.0 * one, one, one, one)
    if models:
        from .rb import warmup

        warmup(list(models), progress=False)
    return time.perf_counter() - start


def warm_up(models: Sequence[str] = (), client: Any | None = None) -> dict[str, float]:
    """Compile the numba kernels on every worker before the work (or in this process).

    A worker that finds the kernels in numba's disk cache (a shared ``NUMBA_CACHE_DIR``) loads
    them in a fraction of a second; one that does not compiles each on first use, seconds
    each, in the middle of the first tasks. This runs the GCM kernels (column interpolation,
    the IR emission loops) and, with ``models``, the radiation-belt field models'
    (:func:`geospacexr.rb.warmup`) once on every worker, so the timing of the work is the
    work's.

    Args:
        models: Field models to compile too (``["t96"]``; default none).
        client: The Client (default: :func:`active_client`; none: this process).

    Returns:
        Seconds spent, per worker address (``{"local": ...}`` without a Client).
    """
    client = client if client is not None else active_client()
    if client is None:
        return {"local": _warm(tuple(models))}
    return dict(client.run(_warm, tuple(models)))
