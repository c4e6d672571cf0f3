"""xarray's dask checks of numpy data import no dask (geospacexr._lazy_dask); chunks= works."""

import subprocess
import sys

import numpy as np

from geospacexr.mhd import panels


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_opening_and_plotting_a_run_without_chunks_imports_no_dask():
    code = (
        "import sys, geospacexr\n"
        "from geospacexr.plot.mhd import plot_msphpic\n"
        "from geospacexr.mhd import panels\n"
        "ds = geospacexr.datasets.open_sample('mage-msphere')\n"
        "panels.msphpic_planes(ds, 2)\n"
        "fig = plot_msphpic(ds, step=1)\n"
        "print([m for m in ('dask', 'dask.array') if m in sys.modules])"
    )
    assert _run(code) == "[]"


def test_chunks_still_give_dask_arrays_that_xarray_knows():
    code = (
        "import sys, geospacexr, numpy as np\n"
        "from xarray.namedarray.pycompat import array_type, is_chunked_array\n"
        "ds = geospacexr.datasets.open_sample('mage-msphere')\n"
        "assert 'dask.array' not in sys.modules and array_type('dask') == ()\n"
        "lazy = geospacexr.datasets.open_sample('mage-msphere', chunks={'time': 1})\n"
        "import dask.array as da\n"
        "assert array_type('dask') == (da.Array,)\n"
        "assert isinstance(lazy.Bz.data, da.Array) and is_chunked_array(lazy.Bz.data)\n"
        "assert lazy.chunks and dict(lazy.Bz.chunksizes)['time'] == (1,) * lazy.sizes['time']\n"
        "np.testing.assert_array_equal(lazy.Bz.isel(time=1).values, ds.Bz.isel(time=1).values)\n"
        "print('ok')"
    )
    assert _run(code) == "ok"


def test_a_collection_of_dask_is_asked_to_dask():
    from xarray.namedarray import utils

    assert not utils.is_dask_collection(np.zeros(3))
    da = __import__("pytest").importorskip("dask.array")
    assert utils.is_dask_collection(da.zeros(3))


def test_a_frame_s_arrays_are_msphpic_s_numbers():
    import geospacexr

    ds = geospacexr.datasets.open_sample("mage-msphere")
    for step in (0, 2):
        full = panels.msphpic(ds, step=step)
        fast = panels.msphpic_planes(ds, step)
        for name in ("dBz_eq", "Bz_eq", "D_eq", "V_eq", "P_mer", "D_mer", "x", "y"):
            assert fast[name].dtype == full[name].dtype, name
            np.testing.assert_array_equal(fast[name], full[name].values, err_msg=name)
        assert fast["step"] == full["step"] and fast["time"] == full["time"].values
