"""Times never wrap around: dates outside datetime64[ns] are refused or reported, not read."""

import gzip
import shutil
import warnings

import numpy as np
import pytest

import geospacexr
from geospacexr import datasets
from geospacexr.errors import FileFormatError, OutOfRangeError
from geospacexr.io.times import NS_RANGE, check_ns, to_ns


def test_to_ns_refuses_what_numpy_would_wrap():
    # numpy's own conversion wraps silently: the reason for the helper
    assert np.datetime64("2262-12-31T00:00:00", "ns") < np.datetime64("1700-01-01", "ns")
    for text in ("2262-12-31T00:00:00", "2263-01-01", "1600-01-01", "9999-12-31"):
        with pytest.raises(OutOfRangeError, match="outside what datetime64"):
            to_ns(text)
    assert to_ns("2014-03-10T06:00:00.063119") == np.datetime64("2014-03-10T06:00:00.063119")
    for edge in NS_RANGE:  # the extreme whole seconds still convert exactly
        assert int(to_ns(edge).astype(np.int64)) == int(edge.astype(np.int64)) * 10**9
    check_ns(np.array(["NaT", "2020-01-01"], dtype="datetime64[D]"))  # NaT passes
    with pytest.raises(ValueError):
        to_ns("not a time")


def test_an_asi_frame_stamped_beyond_2262_is_skipped_and_reported(tmp_path):
    src = sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz"))[0]
    data = gzip.decompress(src.read_bytes())
    first = data.find(b'"Image request start" ') + len(b'"Image request start" ')
    stamp = data[first : first + 10]
    assert stamp == b"2014-03-10"
    bad = data[:first] + b"2262-12-31" + data[first + 10 :]  # only the first frame's stamp
    path = tmp_path / src.name
    path.write_bytes(gzip.compress(bad))
    good = geospacexr.open_asi(src)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        ds = geospacexr.open_asi(path)
    assert ds.sizes["time"] == good.sizes["time"] - 1
    assert ds["time"].values.min() >= np.datetime64("2014-03-10")  # nothing wrapped to 1678
    assert ds.attrs.get("problematic_files") and any("frame" in str(w.message) for w in seen)


def test_a_tiegcm_year_beyond_2262_refuses_the_file(tmp_path):
    import netCDF4

    src = datasets.sample_path("tiegcm-5deg") / "tiegcm_5deg_sech_001.nc"
    path = tmp_path / src.name
    shutil.copy(src, path)
    with netCDF4.Dataset(path, "a") as nc:
        nc["year"][:] = 2263
    with pytest.raises(FileFormatError, match="outside what datetime64"):
        geospacexr.open_tiegcm(path)
