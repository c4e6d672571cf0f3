"""The lazy engine: an emission over a whole Dataset, computed only where it is indexed.

:func:`_lazy` wraps a registered emission in a :class:`xarray.backends.BackendArray`, so the
result of :func:`geospacexr.gcm.emissions.emission` is lazily indexed like a variable of a file:
a selection computes only what it selects, over dask chunks of the inputs written into one
buffer (the peak memory stays near the size of the result). The emission of a chunked
(dask-backed) run is instead one dask graph of the whole run, chunk-aligned with it, with or
without a ``dask.distributed`` Client: a reduction over a year of files runs a chunk at a time.
:func:`_expression` is the same
computation as one xarray expression (dask-lazy when the Dataset is chunked), which
:func:`geospacexr.gcm.emissions.brightness` integrates.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

from .._select import fused, vertical_dim
from ._inputs import _grid, _input_array, _input_dims, _resolve, _to_grid
from ._registry import Emission

_CANONICAL = ("time", "lev", "ilev", "lat", "lon")
_BLOCK_POINTS = 1_000_000  # grid points per dask chunk of a computation
_SMALL_POINTS = 50_000  # up to this many points, a block is computed in memory without dask


def _call(func: Callable[..., np.ndarray], *arrays: np.ndarray) -> np.ndarray:
    """Run a registered function on one block: float64 arrays of one shape in, float64 out."""
    values = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in arrays])
    with np.errstate(all="ignore"):
        out = func(*values)
    return np.asarray(np.broadcast_to(out, values[0].shape), dtype=np.float64)


def _expression(ds: xr.Dataset, entry: Emission, grid: str | None) -> xr.DataArray:
    """The emission over ``ds`` as one (dask-lazy when ``ds`` is chunked) xarray expression."""
    arrays = []
    shared: dict[str, xr.DataArray] = {}  # the composition every number density needs, once
    for name in entry.inputs:
        da = _input_array(ds, name, shared)
        source = vertical_dim(da)
        if source is not None and grid is not None and source != grid:
            da = _to_grid(ds, da, source, grid)
        arrays.append(da)
    out = xr.apply_ufunc(
        partial(_call, entry.func),
        *arrays,
        dask="parallelized",
        output_dtypes=[np.float64],
        keep_attrs=False,
    )
    order = [d for d in _CANONICAL if d in out.dims]
    out = out.transpose(*order, ...)
    out.attrs = entry.attrs()
    out.name = entry.name
    return out


def _subset(ds: xr.Dataset, entry: Emission, extra: tuple[str, ...] = ()) -> xr.Dataset:
    """Only the variables a computation reads (cheaper to chunk and to index)."""
    from ..derived import available as derivable_fields

    derivable = derivable_fields(ds)
    names = {_resolve(ds, n, derivable) for n in entry.inputs}
    names |= {"TN", "O1", "O2", "HE", "N2", *extra}
    return ds[[n for n in sorted(n for n in names if n) if n in ds.data_vars]]


def _chunked(ds: xr.Dataset) -> xr.Dataset:
    """Chunks of about ``_BLOCK_POINTS`` points: one time, whole columns, a band of latitudes."""
    vertical = {d: -1 for d in ("lev", "ilev") if d in ds.dims}
    if any(v.chunks for v in ds.data_vars.values()):
        return ds.chunk(vertical)
    column = max(ds.sizes.get("lev", 1), ds.sizes.get("ilev", 1)) * ds.sizes.get("lon", 1)
    chunks: dict[str, int] = dict(vertical)
    if "time" in ds.dims:
        chunks["time"] = 1
    if "lat" in ds.dims:
        chunks["lat"] = max(1, _BLOCK_POINTS // max(column, 1))
    return ds.chunk(chunks)


def _store(expr: xr.DataArray, out: np.ndarray) -> None:
    """Compute into ``out`` chunk by chunk (no second full-size copy, as ``.values`` makes).

    The chunks run on the active ``dask.distributed`` Client when there is one (and this is not
    already a worker's task), else on dask's threads (:func:`geospacexr.scale.store`).
    """
    if not expr.chunks:
        out[...] = expr.values
        return
    from ... import scale

    scale.store(expr.data, out)


class _LazyEmission(BackendArray):
    """An emission over a whole Dataset, computed only where it is indexed (BASIC indexing)."""

    def __init__(self, ds: xr.Dataset, entry: Emission, grid: str | None, dims: tuple[str, ...]):
        self.ds, self.entry, self.grid, self.dims = ds, entry, grid, dims
        self.shape = tuple(ds.sizes[d] for d in dims)
        self.dtype = np.dtype(np.float64)
        self.pointwise = all(
            grid in dims or not ({"lev", "ilev"} & set(dims)) for dims in _input_dims(ds, entry)
        )

    def __getitem__(self, key: indexing.ExplicitIndexer) -> np.ndarray:
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.BASIC, self._compute
        )

    def _compute(self, key: tuple[Any, ...]) -> np.ndarray:
        selection, dropped = {}, []
        for axis, (dim, k) in enumerate(zip(self.dims, key, strict=True)):
            if isinstance(k, (int, np.integer)):
                selection[dim] = slice(int(k), int(k) + 1)
                dropped.append(axis)
            else:
                selection[dim] = k
        vertical = selection.pop(self.grid, slice(None)) if self.grid else slice(None)
        sub = self.ds.isel(selection)
        if self.pointwise and self.grid:
            sub = sub.isel({self.grid: vertical})
            vertical = slice(None)
        points = math.prod(sub.sizes[d] for d in self.dims if d in sub.sizes)
        # a small block is read once and computed in memory (building a graph costs more)
        sub = sub.load() if points <= _SMALL_POINTS else _chunked(sub)
        expr = _expression(sub, self.entry, self.grid)
        if self.grid:
            expr = expr.isel({self.grid: vertical})
        expr = fused(expr.transpose(*self.dims))
        out = np.empty(expr.shape, dtype=np.float64)
        _store(expr, out)
        return out.squeeze(axis=tuple(dropped)) if dropped else out


def _lazy(ds: xr.Dataset, entry: Emission) -> xr.DataArray:
    ds = _subset(ds, entry)
    grid = _grid(ds, entry)
    present: set[str] = set()
    for dims in _input_dims(ds, entry):
        present |= {grid if d in ("lev", "ilev") and grid else d for d in dims}
    dims = tuple(d for d in _CANONICAL if d in present) + tuple(
        sorted(d for d in present if d not in _CANONICAL)
    )
    coords = {
        name: c.variable
        for name, c in ds.coords.items()
        if c.ndim <= 1 and set(c.dims) <= set(dims)
    }
    if _dask_backed(ds):
        # one dask graph over the whole run, with a Client or without: reductions of it (a
        # zonal-mean climatology of every file) run chunk by chunk, on the workers or here,
        # never holding the full field
        expr = fused(_expression(_chunked(ds), entry, grid).transpose(*dims))
        return xr.DataArray(expr.variable, coords=coords, name=entry.name, attrs=entry.attrs())
    data = indexing.LazilyIndexedArray(_LazyEmission(ds, entry, grid, dims))
    return xr.DataArray(
        xr.Variable(dims, data), coords=coords, name=entry.name, attrs=entry.attrs()
    )


def _dask_backed(ds: xr.Dataset) -> bool:
    """Whether ``ds`` is dask-backed (opened with ``chunks=`` or chunked since)."""
    return any(v.chunks for v in ds.data_vars.values())
