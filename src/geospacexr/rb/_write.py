"""``output=`` of ``lstar``, ``K`` and ``footprint``: each part written where it is computed.

The rows (particles, or a track's positions) are split into parts, the tasks of the cluster
path (config ``scale.particles_per_task`` or ``scale.footprints_per_task``). Each part's Dataset
is built exactly as the in-memory call builds the whole one (a row's results do not depend on
the other rows of its call) and written atomically to ``part-<k>.nc`` in a hidden temporary
folder next to the output, named as :func:`geospacexr.io.atomic.part_prefix` names temporaries
(``.<output name>.<host>.<pid>.<random>.part``, the pid the client's), so that the folder of a
killed run is removed by the next run (:func:`~geospacexr.io.atomic.remove_stale_parts`).
The client then copies the parts, one at a time, into the output (itself written atomically)
and removes the folder, whether the run succeeded or not.

:func:`write_parts` is the machinery (any per-row computation); :func:`write_invariants`
splits a particle set for :func:`~geospacexr.rb.invariants.lstar` and
:func:`~geospacexr.rb.invariants.K`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import xarray as xr

from .. import config
from ..errors import InvalidArgumentError
from .models import Model

#: A ``finish(result, rows) -> Dataset`` function of the ``output=`` callers.
Finish = Callable[[xr.Dataset, xr.Dataset], xr.Dataset]


def check_output(output: str | os.PathLike[str]) -> Path:
    """Check an ``output=`` target before any work is done.

    Args:
        output: The netCDF file to be written.

    Returns:
        ``output`` as a Path.

    Raises:
        InvalidArgumentError: If ``output`` exists and is not a regular file (a directory, a
            symbolic link, a FIFO, a device, a socket), or its folder cannot be created or
            written.
    """
    from ..io.atomic import check_folder, check_target

    target = Path(os.fspath(output))
    if not target.name:
        raise InvalidArgumentError(f"{output!r} is not a file name", "output")
    check_target(target)
    check_folder(target.parent, target.name, "output")
    return target


def _part(
    folder: Path, k: int, compute: Callable[..., xr.Dataset], here: bool, *args: Any
) -> Path | None:
    """A task: ``compute(here, *args)`` (one part's Dataset) written to ``folder``.

    Returns the part's path, or None when the folder is gone (the run was abandoned: nothing is
    written).
    """
    from ..io.atomic import write_netcdf

    out = compute(here, *args)
    # a run that failed removes its folder while other parts may still be computed: they
    # must not make it again (the atomic write makes missing folders); one removed while a
    # part is written only fails that write (the rename finds no folder)
    if not folder.is_dir():
        return None
    return write_netcdf(out, folder / f"part-{k:08d}.nc")


def write_parts(
    output: str | os.PathLike[str],
    compute: Callable[..., xr.Dataset],
    shared: Any,
    pieces: Iterable[tuple[Any, ...]],
    dim: str,
    name: str,
    progress: bool | None = False,
    desc: str = "parts",
) -> Path:
    """Compute parts with ``compute``, each written where it runs, and join them in ``output``.

    Without a Client the parts are computed and written one after the other in this process;
    with one (:func:`geospacexr.scale.active_client`) each is a task on a worker, the client
    receiving only the part paths. Either way the parts are then concatenated along ``dim``,
    one at a time, into ``output`` (written atomically) and their folder removed.

    Args:
        output: The netCDF file (checked with :func:`check_output` by the caller).
        compute: A picklable ``compute(here, shared, *piece) -> Dataset``; ``here`` is False
            on a worker (the task may then size its threads to the worker's).
        shared: An argument of every part (a field model), sent to each worker once.
        pieces: Each part's other arguments, in the order of the rows along ``dim``.
        dim: The dimension the parts are concatenated along.
        name: The tasks' key prefix (the dashboard's label), e.g. ``"rb-K-write"``.
        progress: With a Client, show a progress bar (None: when on a terminal).
        desc: The progress bar's label.

    Returns:
        ``output`` as a Path.
    """
    import sys
    import uuid

    from .. import scale
    from ..io.atomic import part_prefix, remove_stale_parts

    target = Path(output)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_parts(target, directories=True)  # the part folders of killed runs
        folder = Path(
            tempfile.mkdtemp(prefix=part_prefix(target), suffix=".part", dir=target.parent)
        )
    except OSError as exc:
        msg = f"{target}: cannot be written ({exc.strerror or exc})"
        raise InvalidArgumentError(msg, "output") from exc
    client = scale.active_client()
    futures: list[Any] = []
    try:
        if client is None:
            paths = [_part(folder, k, compute, True, shared, *args)
                     for k, args in enumerate(pieces)]  # fmt: skip
        else:
            task = scale.Configured(_part)
            shared = scale.scatter(shared, client)
            key = f"{name}-{uuid.uuid4().hex}"
            futures = [client.submit(task, folder, k, compute, False, shared, *args,
                                     key=f"{key}-{k}")
                       for k, args in enumerate(pieces)]  # fmt: skip
            if sys.stderr.isatty() if progress is None else progress:
                scale.progress_bar(futures, client, desc=desc)
            paths = client.gather(futures)
        _combine([p for p in paths if p is not None], target, dim)
    finally:
        if futures:
            client.cancel(futures)
        shutil.rmtree(folder, ignore_errors=True)
    return target


def _invariants_part(
    here: bool,
    model: Model | str,
    ds: xr.Dataset,
    models: dict[Any, Model | None] | None,
    settings: dict[str, Any],
    do_shell: bool,
    total_flux: bool,
    driven: dict[str, Any],
    driven_attrs: dict[str, Any],
    finish: Finish | None,
) -> xr.Dataset:
    """One part's Dataset of :func:`~geospacexr.rb.invariants.lstar` (``do_shell``) or ``K``.

    ``model`` is the model computed with when there are no driven ``models`` and the one the
    attrs describe (a registry name or a template with drivers).
    """
    from .invariants import _invariants_dataset, _run_here, _run_task

    if here:
        res, status, foot, eq = _run_here(ds, model, settings, do_shell, total_flux, models)  # type: ignore[arg-type]
    else:  # the kernels' threads are the worker's
        res, status, foot, eq = _run_task(ds, model, models, settings, do_shell, total_flux)  # type: ignore[arg-type]
    out = _invariants_dataset(
        ds, model, settings, do_shell, total_flux, driven, driven_attrs, res, status, foot, eq
    )
    return out if finish is None else finish(out, ds)


def write_invariants(
    ds: xr.Dataset,
    model: Model | str,
    models: dict[Any, Model | None] | None,
    settings: dict[str, Any],
    do_shell: bool,
    total_flux: bool,
    driven: dict[str, Any],
    driven_attrs: dict[str, Any],
    output: Path,
    finish: Finish | None,
    progress: bool | None,
) -> Path:
    """Write :func:`~geospacexr.rb.invariants.lstar`'s or ``K``'s results to ``output``.

    The particles are split into parts of config ``scale.particles_per_task``; with driven
    ``models``, each part carries the models of its own particles' times only.

    Args:
        ds: The particle set.
        model: The model (a registry name with ``models``).
        models: One model per particle time (drivers), or None.
        settings: The numerical settings.
        do_shell: L* (the drift shell) rather than K only.
        total_flux: As for ``lstar``.
        driven: The ``driver_<parameter>`` variables (along ``particle``).
        driven_attrs: Their attrs.
        output: The netCDF file (checked).
        finish: As for ``lstar``.
        progress: Progress bar on a Client (default: when on a terminal).

    Returns:
        ``output``.
    """
    from .invariants import _groups

    size = int(config.get().scale.particles_per_task)
    n = ds.sizes["particle"]

    def pieces() -> Iterable[tuple[Any, ...]]:
        for a in range(0, max(n, 1), size):  # no particle: one empty part
            part = ds.isel(particle=slice(a, a + size))
            own = None if models is None else {t: models[t] for t, _ in _groups(part)}
            mine = {key: (d, v[a : a + size], at) for key, (d, v, at) in driven.items()}
            yield (part, own, settings, do_shell, total_flux, mine, driven_attrs, finish)

    what = "lstar" if do_shell else "K"
    return write_parts(output, _invariants_part, model, pieces(), "particle",
                       f"rb-{what}-write", progress, "L*" if do_shell else "K")  # fmt: skip


def _combine(parts: list[Path], target: Path, dim: str) -> None:
    """Copy the parts, one at a time, into ``target`` (atomically), in this process."""
    import dask

    from ..io.atomic import write_netcdf

    with (
        dask.config.set(scheduler="synchronous"),  # not the cluster: it streams here
        xr.open_mfdataset(
            parts,
            combine="nested",
            concat_dim=dim,
            data_vars="minimal",
            coords="minimal",
            compat="override",
            join="exact",
            combine_attrs="override",
            chunks={},
            parallel=False,
        ) as ds,
    ):
        for var in ds.variables.values():  # times: units of the whole run, not of part 0
            if var.dtype.kind in "mM":
                for key in ("units", "dtype", "calendar"):
                    var.encoding.pop(key, None)
        write_netcdf(ds, target)
