"""The night keogram: a science core over any iterable of Datasets, and its file front door."""

import json
import warnings

import numpy as np
import pytest
import xarray as xr

from geospacexr import asi, datasets
from geospacexr.asi.night import night_keogram, stream_keogram
from geospacexr.errors import DataWarning, FileFormatError, IncompatibleInputError


@pytest.fixture(scope="module")
def images():
    return datasets.open_sample("themis-gill")


def _minutes(ds):
    """The night as a generator of one-minute Datasets (as files would give them)."""
    minutes = ds.time.values.astype("datetime64[m]")
    for minute in np.unique(minutes):
        yield ds.isel(time=np.flatnonzero(minutes == minute))


def test_stream_keogram_of_a_generator_equals_the_whole_keogram(images):
    whole = asi.keogram(images)
    streamed = stream_keogram(_minutes(images))
    np.testing.assert_array_equal(streamed.values, whole.values)
    np.testing.assert_array_equal(streamed.time.values, whole.time.values)
    assert streamed.attrs["source_files"] == 3 and streamed.attrs["skipped_files"] == 0


def test_stream_keogram_reports_flagged_and_skipped_inputs(images):
    parts = list(_minutes(images))
    parts[1] = parts[1].assign_attrs(problematic_files=json.dumps([{"reason": "frame 7 torn"}]))
    skipped = ["broken.pgm.gz: truncated"]
    with pytest.warns(DataWarning, match="2 file.*broken.pgm.gz: truncated.*frame 7 torn"):
        keo = stream_keogram(iter(parts), skipped=skipped)
    assert keo.attrs["source_files"] == 4 and keo.attrs["skipped_files"] == 2
    with pytest.raises(FileFormatError, match="no file could be read: broken"):
        stream_keogram(iter(()), skipped=skipped)


def test_stream_keogram_refuses_two_sites(images):
    other = datasets.open_sample("themis-rank")
    with pytest.raises(IncompatibleInputError, match="one site and imager"):
        stream_keogram([images.isel(time=[0]), other.isel(time=[0])])


def test_night_keogram_of_files_is_the_stream_of_their_datasets(images):
    files = sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        from_files = night_keogram(files, progress=False)
    xr.testing.assert_identical(from_files, stream_keogram(_minutes(images)))
