"""ASI grid files against pyucalgarysrs 1.28 (read_grid) on the real MOSv001 file.

pyucalgarysrs flips ``grid`` to latitude ascending but leaves ``source_info.confidence`` in the
file's order (row 0 = +90) and keeps the -999 fill; the digests below are of its arrays, moved to
(time, ...), as little-endian float32. Ours is compared after putting the fill back and, for the
confidence, flipping to the file's order.
"""

import hashlib

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr import datasets
from geospacexr.errors import FileFormatError

REAL = "asi/20230324_0600_110km_MOSv001_grid_themis-asi.h5"
GRID = "14874ee4f943f92825fc305d1847e09782cc0a964f7ef72fd3a403fe01d99e31"
CONFIDENCE = "10a323ee2dd1221e373a203e56f42ec01d8c7dabfea5c8ff38f83b100e08e7be"


def digest(a):
    return hashlib.sha256(
        np.ascontiguousarray(np.nan_to_num(a, nan=-999.0)).astype("<f4").tobytes()
    ).hexdigest()


def test_real_grid_file_matches_pyucalgarysrs(shared_data):
    g = geospacexr.open_asi_grid(shared_data / REAL)
    assert g.attrs["geospacexr_kind"] == "asi_grid" and g.attrs["altitude_km"] == 110.0
    assert g.image.shape == (20, 512, 1024) and np.all(np.diff(g.lat.values) > 0)
    assert digest(g.image.values) == GRID
    assert digest(g.confidence.values[:, ::-1]) == CONFIDENCE
    # latitude ascending for both: the data sit between about 43 and 76 N, the confidence too
    rows = np.flatnonzero(np.isfinite(g.image.values[0]).any(axis=1))
    assert 40 < g.lat.values[rows[len(rows) // 2]] < 80
    np.testing.assert_array_equal(np.isfinite(g.image.values), np.isfinite(g.confidence.values))
    assert "gill_themis19" in g.cloudy_sites.values[0]
    assert str(g.time.values[1]) == "2023-03-24T06:00:03.000000000"


def test_sample_grid_round_trip(tmp_path):
    g = datasets.open_sample("themis-grid")
    assert g.image.shape == (5, 512, 1024)
    assert geospacexr.open(datasets.sample_path("themis-grid")).identical(g)
    g.to_netcdf(tmp_path / "g.nc")
    with xr.open_dataset(tmp_path / "g.nc") as back:
        xr.testing.assert_identical(back.load(), g)


def test_not_a_grid_file(tmp_path):
    import h5py

    path = tmp_path / "20230324_0600_110km_MOSv001_grid_x.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("data/other", data=[1])
    with pytest.raises(FileFormatError, match="no data/grid"):
        geospacexr.open_asi_grid(path)
