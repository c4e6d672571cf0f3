"""geospacexr.scale.fuse_blocks: one dask task per output chunk, shared work computed once.

No cluster here (dask's synchronous scheduler): the cluster tests (tests/test_scale.py) count
the tasks the workers run and compare the numbers with one process.
"""

from __future__ import annotations

import dask
import dask.array as da
import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr import scale
from geospacexr._synth import gcm as synth


def _tasks(array: da.Array) -> dict:
    """The graph dask would run for ``array`` (optimised, as ``compute`` does)."""
    (optimised,) = dask.optimize(array)
    return dict(optimised.__dask_graph__())


class _FileLike:
    """An array read on indexing (as a file variable is): dask keeps it a root of the graph."""

    def __init__(self, values: np.ndarray) -> None:
        self.values, self.shape, self.dtype, self.ndim = values, values.shape, values.dtype, 3

    def __getitem__(self, key):
        return self.values[key].copy()


def _run(values: np.ndarray) -> da.Array:
    """One chunk per "file" (a time each), concatenated along time, as a multi-file open is."""
    files = [da.from_array(_FileLike(values[i : i + 1]), chunks=-1) for i in range(len(values))]
    return da.concatenate(files, axis=0)


def _chain(x: da.Array, w: da.Array) -> da.Array:
    """Two fields read and combined: dask keeps a task per read and chunk (and aliases)."""
    y = x + 1.0
    z = w * 2.0
    return (y * z - x) / (w + 3.0)


def test_one_task_per_chunk_and_the_same_numbers():
    values = np.arange(4 * 5 * 6, dtype=np.float64).reshape(4, 5, 6)
    out = _chain(_run(values), _run(values[::-1] + 0.5))
    fused = scale.fuse_blocks(out)
    assert fused.chunks == out.chunks
    assert len(_tasks(out)) > 2 * out.npartitions  # the premise: several tasks per chunk
    assert len(_tasks(fused)) == fused.npartitions
    with dask.config.set(scheduler="sync"):
        np.testing.assert_array_equal(fused.compute(), out.compute())
    np.testing.assert_array_equal(fused.compute(), _chain(values, values[::-1] + 0.5))


def test_a_slice_with_several_users_in_a_chunk():
    """dask's optimiser merges slices along a fused chain: not across a fused block's branches."""
    values = np.arange(4 * 5 * 6, dtype=np.float64).reshape(4, 5, 6)
    x = _run(values)
    y = x[:, 1:4]  # a slice of the read, used twice
    out = y[:, :1] * 2.0 + y.mean(axis=1, keepdims=True) + _run(values * 0.5)[:, 2:3]
    fused = scale.fuse_blocks(out)
    assert len(_tasks(fused)) == fused.npartitions
    expected = values[:, 1:2] * 2.0 + values[:, 1:4].mean(axis=1, keepdims=True)
    expected = expected + values[:, 2:3] * 0.5
    with dask.config.set(scheduler="sync"):
        np.testing.assert_array_equal(fused.compute(), expected)
        np.testing.assert_array_equal(scale.fuse_blocks(fused * 1.0).compute(), expected)


def test_work_shared_by_chunks_is_computed_once():
    calls = []

    def constant():
        calls.append(1)
        return np.full(3, 10.0)

    x = _run(np.arange(12.0).reshape(4, 1, 3))
    shared = da.from_delayed(dask.delayed(constant)(), shape=(3,), dtype=np.float64)
    out = (x + 1.0) * shared  # every output chunk needs the one shared task
    fused = scale.fuse_blocks(out)
    assert len(_tasks(fused)) == fused.npartitions + 1
    with dask.config.set(scheduler="sync"):
        result = fused.compute()
    assert len(calls) == 1  # not once per output chunk
    np.testing.assert_array_equal(result, (np.arange(12.0).reshape(4, 1, 3) + 1.0) * 10.0)


def test_reductions_across_chunks_stay_parallel():
    x = da.from_array(np.arange(24.0).reshape(8, 3), chunks=(2, 3))
    total = (x * 2.0).sum(axis=0)  # one output chunk gathering four input chunks
    assert scale.fuse_blocks(total) is total
    shifted = x.rechunk((4, 3)) + 1.0  # two input chunks per output chunk
    assert scale.fuse_blocks(shifted) is shifted


def test_xarray_objects_and_non_dask_values():
    values = np.arange(24.0).reshape(4, 6)
    x = xr.DataArray(values, dims=("time", "lon"), name="x", attrs={"units": "K"})
    assert scale.fuse_blocks(x) is x  # nothing to do without dask
    assert scale.fuse_blocks(values) is values
    chunked = x.chunk({"time": 1})
    shared = chunked * 2.0
    ds = xr.Dataset({"a": shared + 1.0, "b": shared - 1.0, "c": ("lon", np.arange(6.0))})
    fused = scale.fuse_blocks(ds)
    assert fused["c"].chunks is None
    assert fused["a"].attrs == ds["a"].attrs
    xr.testing.assert_identical(fused.compute(), ds.compute())
    one = scale.fuse_blocks(chunked * 3.0 + 1.0)
    assert one.name == x.name and one.attrs == x.attrs
    assert len(_tasks(one.data)) == 4
    xr.testing.assert_identical(one.compute(), x * 3.0 + 1.0)


def test_a_file_backed_field_is_not_read(tmp_path):
    state = synth.tiegcm_state(5.0, [0.0])
    path = tmp_path / "one.nc"
    synth.write_tiegcm(path, state, [0], [0.0], history_type="primary", run_start=(80, 0, 0),
                       year=2003, fields=synth.PRIMARY)  # fmt: skip
    tn = geospacexr.open_tiegcm(path)["TN"]
    assert scale.fuse_blocks(tn) is tn
    assert not tn.variable._in_memory


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Three TIE-GCM secondary histories of two times, one chunk per file."""
    folder = tmp_path_factory.mktemp("fuse-run")
    for day in range(3):
        hours = [24.0 * day, 24.0 * day + 12.0]
        state = synth.tiegcm_state(5.0, hours)
        synth.write_tiegcm(
            folder / f"sech_{day:03d}.nc", state, [0, 1], hours,
            history_type="secondary", run_start=(80, 0, 0), year=2003, fields=synth.SECONDARY,
        )  # fmt: skip
    return geospacexr.open_tiegcm(sorted(folder.glob("*.nc")), chunks={"time": 2})


@pytest.mark.parametrize(
    "func",
    [
        pytest.param(lambda ds: geospacexr.gcm.field(ds, "RHO"), id="derived RHO"),
        pytest.param(lambda ds: ds.gcm.zonal_mean("TN"), id="zonal mean TN"),
        pytest.param(lambda ds: ds.gcm.zonal_mean(geospacexr.gcm.field(ds, "O/N2")), id="O/N2"),
        pytest.param(lambda ds: ds.gcm.lat_lon("NO", level=-2.0), id="lat_lon level"),
    ],
)
def test_gcm_results_are_a_task_per_file(run, func):
    """Every field read, the fill masking and the arithmetic of a file: one task."""
    out = func(run)
    assert out.chunks is not None
    graph = _tasks(out.data)
    per_chunk = [k for k in graph if isinstance(k, tuple) and k[0] == out.data.name]
    assert len(per_chunk) == out.data.npartitions == 3
    assert len(graph) <= out.data.npartitions + 4  # and a few constants (coordinates) shared
