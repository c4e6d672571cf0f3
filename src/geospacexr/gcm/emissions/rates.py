"""Volume emission rates of registered emissions: :func:`emission` and :func:`available`."""

from __future__ import annotations

from typing import Any

import xarray as xr

from ...errors import InvalidArgumentError
from .._select import fused, gcm_dataset, time_index
from ._engine import _lazy
from ._inputs import _check_inputs, _missing
from ._registry import _REGISTRY, _entry

__all__ = ["available", "emission"]


def available(ds: xr.Dataset) -> list[str]:
    """Names of the emissions this Dataset can compute (every input present or derivable).

    Args:
        ds: A ``gcm`` Dataset.

    Returns:
        Sorted names.
    """
    gcm_dataset(ds, "emissions.available")
    return sorted(name for name, entry in _REGISTRY.items() if not _missing(ds, entry))


def emission(
    ds: xr.Dataset,
    name: str,
    time: Any = None,
    level: float | None = None,
    height: float | None = None,
    scheme: str | None = None,
) -> xr.DataArray:
    """Volume emission rate of a registered emission.

    Args:
        ds: A ``gcm`` Dataset (TIE-GCM or WACCM-X).
        name: Registry name (see :func:`available`, :func:`registry`), e.g. ``"NO53"``,
            ``"OH_8_3"``.
        time: One time (nearest), or ``None`` for every time of the Dataset.
        level: A model level (as :func:`geospacexr.gcm.lat_lon`: ln(p0/p) for TIE-GCM, hybrid
            hPa for WACCM-X; between levels, linear in log-pressure).
        height: A geometric height, km (per column, log-linear in height).
        scheme: For an emission computed in several ways (``list_emissions(details=True)``
            lists each one's ``schemes``), which: the OH Meinel model (``OH_*``) has
            ``"corrected"`` (conserves OH) and ``"gcmprocpy"`` (GCMprocpy 1.5.2's rate matrix,
            for exact comparisons; see :func:`~geospacexr.gcm.emissions.oh_vibrational`).
            ``None``: the default (``gcm.oh_scheme`` in the configuration, ``"corrected"``).

    Returns:
        Lazy DataArray ``(time, lev|ilev, lat, lon)`` (without ``time`` for one time, without
        the vertical dim for a level or a height) with ``units``, ``long_name``,
        ``reference`` and ``emission`` in its attrs (and ``scheme`` for an emission that has
        schemes). On the model grid it is lazily indexed
        (nothing is computed until values are asked for, and then only what is selected);
        on a level or a height it is a dask array. For a run opened with ``chunks=`` it is a
        dask array in the run's chunks, with or without a ``dask.distributed`` Client: a
        reduction over the run (``ds.gcm.zonal_mean``) computes one chunk at a time, and a
        selection computes the chunks it touches (chunks of one time for interactive use).

    Raises:
        UnknownEmissionError: If the name is unknown (an ``InvalidArgumentError`` too; the
            message names close matches).
        InvalidArgumentError: If both ``level`` and ``height`` are given, or ``scheme`` is not
            one of the emission's schemes (or given for an emission without schemes).
        MissingVariableError: If the Dataset lacks inputs (they are named).
        OutOfRangeError: If the time, level or height is outside the Dataset.

    References:
        Per emission, in ``attrs["reference"]`` and in the module notes.
    """
    gcm_dataset(ds, "emission")
    entry = _entry(name, scheme)
    _check_inputs(ds, entry, "emission")
    if level is not None and height is not None:
        raise InvalidArgumentError("give level= or height=, not both", argument="level")
    if time is not None and "time" in ds.dims:
        # the time chosen first: of a chunked run only that time is computed, not its chunk
        index = time_index(ds, time)
        out = _lazy(ds.isel(time=slice(index, index + 1)), entry)
        out = out.isel(time=0) if "time" in out.dims else out
    else:
        out = _lazy(ds, entry)
    if level is not None or height is not None:
        from ..slices import select_vertical

        out = out.chunk({"time": 1} if "time" in out.dims else {})
        out = select_vertical(ds, out, level=level, height=height, where=f"emission {name}")
        out.attrs = {**entry.attrs(), **out.attrs}
        out.name = entry.name
    return fused(out)
