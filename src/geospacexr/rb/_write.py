"""``lstar(..., output=)``: each part written where it is computed, then one file.

The particles are split into parts of config ``scale.particles_per_task`` (the tasks of the
cluster path, :func:`geospacexr.rb.invariants._run_on`). Each part's Dataset is built exactly as
:func:`~geospacexr.rb.invariants.lstar` builds the whole one (a particle's results do not depend
on the other particles of its call) and written atomically to ``part-<k>.nc`` in a hidden
temporary folder next to the output, named as :func:`geospacexr.io.atomic.part_prefix` names
temporaries (``.<output name>.<host>.<pid>.<random>.part``, the pid the client's), so that
the folder of a killed run is removed by the next run
(:func:`~geospacexr.io.atomic.remove_stale_parts`).
The client then copies the parts, one at a time, into the output (itself written atomically)
and removes the folder, whether the run succeeded or not.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import xarray as xr

from .. import config
from .models import Model


def _part(
    folder: Path,
    k: int,
    ds: xr.Dataset,
    model: Model | str,
    fixed: Model,
    models: dict[Any, Model | None] | None,
    settings: dict[str, Any],
    total_flux: bool,
    driven: dict[str, Any],
    driven_attrs: dict[str, Any],
    finish: Callable[[xr.Dataset, xr.Dataset], xr.Dataset] | None,
    here: bool,
) -> Path | None:
    """A task: compute one part of the particles and write its Dataset to ``folder``.

    ``model`` is the model the attrs describe (a registry name or a template with drivers),
    ``fixed`` the one computed with when there are no driven ``models``. Returns the part's
    path, or None when the folder is gone (the run was abandoned: nothing is written).
    """
    from ..io.atomic import write_netcdf
    from .invariants import _lstar_dataset, _run_here, _run_task

    if here:
        res, status, foot, eq = _run_here(ds, fixed, settings, True, total_flux, models)
    else:  # the kernels' threads are the worker's
        res, status, foot, eq = _run_task(ds, fixed, models, settings, True, total_flux)
    out = _lstar_dataset(
        ds, model, settings, total_flux, driven, driven_attrs, res, status, foot, eq
    )
    if finish is not None:
        out = finish(out, ds)
    # a run that failed removes its folder while other parts may still be computed: they
    # must not make it again (the atomic write makes missing folders); one removed while a
    # part is written only fails that write (the rename finds no folder)
    if not folder.is_dir():
        return None
    return write_netcdf(out, folder / f"part-{k:08d}.nc")


def write_lstar(
    ds: xr.Dataset,
    model: Model | str,
    models: dict[Any, Model | None] | None,
    settings: dict[str, Any],
    total_flux: bool,
    driven: dict[str, Any],
    driven_attrs: dict[str, Any],
    output: str | os.PathLike[str],
    finish: Callable[[xr.Dataset, xr.Dataset], xr.Dataset] | None,
    progress: bool | None,
) -> Path:
    """Write :func:`~geospacexr.rb.invariants.lstar`'s results to ``output`` part by part.

    Args:
        ds: The particle set.
        model: The model (a registry name with ``models``).
        models: One model per particle time (drivers), or None.
        settings: The numerical settings.
        total_flux: As for ``lstar``.
        driven: ``lstar``'s ``driver_<parameter>`` variables (along ``particle``).
        driven_attrs: Their attrs.
        output: The netCDF file.
        finish: As for ``lstar``.
        progress: Progress bar on a Client (default: when on a terminal).

    Returns:
        ``output`` as a Path.

    Raises:
        InvalidArgumentError: If ``output`` exists and is not a regular file.
    """
    import sys
    import uuid

    from .. import scale
    from ..io.atomic import check_target, part_prefix, remove_stale_parts
    from .invariants import _groups

    target = Path(output)
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(target, directories=True)  # the part folders of killed runs
    folder = Path(tempfile.mkdtemp(prefix=part_prefix(target), suffix=".part", dir=target.parent))
    size = int(config.get().scale.particles_per_task)
    n = ds.sizes["particle"]
    client = scale.active_client()
    fixed: Any = model
    if client is not None and models is None:
        fixed = scale.scatter(model, client)
    futures: list[Any] = []
    try:
        pieces = []
        for k, a in enumerate(range(0, max(n, 1), size)):  # no particle: one empty part
            part = ds.isel(particle=slice(a, a + size))
            own = None if models is None else {t: models[t] for t, _ in _groups(part)}
            mine = {name: (d, v[a : a + size], at) for name, (d, v, at) in driven.items()}
            pieces.append((k, part, own, mine))
        if client is None:
            paths = [
                _part(folder, k, part, model, fixed, own, settings, total_flux, mine,
                      driven_attrs, finish, True)
                for k, part, own, mine in pieces
            ]  # fmt: skip
        else:
            task = scale.Configured(_part)
            name = f"rb-lstar-write-{uuid.uuid4().hex}"  # the dashboard's label
            futures = [
                client.submit(task, folder, k, part, model, fixed, own, settings, total_flux,
                              mine, driven_attrs, finish, False, key=f"{name}-{k}")
                for k, part, own, mine in pieces
            ]  # fmt: skip
            del pieces
            if sys.stderr.isatty() if progress is None else progress:
                scale.progress_bar(futures, client, desc="L*")
            paths = client.gather(futures)
        _combine([p for p in paths if p is not None], target)
    finally:
        if futures:
            client.cancel(futures)
        shutil.rmtree(folder, ignore_errors=True)
    return target


def _combine(parts: list[Path], target: Path) -> None:
    """Copy the parts, one at a time, into ``target`` (atomically), in this process."""
    import dask

    from ..io.atomic import write_netcdf

    with (
        dask.config.set(scheduler="synchronous"),  # not the cluster: it streams here
        xr.open_mfdataset(
            parts,
            combine="nested",
            concat_dim="particle",
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
