"""A NORSTAR riometer text file repeated many times over (found by the independent fuzzer,
tests/fuzz, riometer: a 100 MB file took 32 s and 2.7 GiB to read "ok") is refused by
``rio.max_rows_per_file`` before its rows are decoded."""

import pytest

import geospacexr
from geospacexr import datasets
from geospacexr.errors import FileFormatError


def _daily_file():
    folder = datasets.sample_path("norstar_rio-gill")
    return sorted(folder.glob("norstar_k2_rio-gill_*_v01.txt"))[0]


def test_a_file_repeated_over_is_refused_before_decoding(tmp_path):
    src = _daily_file()
    text = src.read_bytes()
    header_end = text.index(b"------------")
    header_end = text.index(b"\n", header_end) + 1
    rows = text[header_end:]
    nrows = rows.count(b"\n")
    assert 10_000 < nrows < 20_000  # a day at 5 s
    bloated = tmp_path / src.name
    bloated.write_bytes(text[:header_end] + rows * 12)
    with pytest.raises(FileFormatError, match=r"more than rio.max_rows_per_file=172,800"):
        geospacexr.open_riometer(bloated)
    # the limit is the configuration's: raised, the file reads (its repeated rows are
    # duplicates of the one day, which the reader keeps once)
    day = geospacexr.open_riometer(src)
    with geospacexr.config.override({"rio.max_rows_per_file": 12 * nrows + 10}):
        ds = geospacexr.open_riometer(bloated)
    assert ds.sizes["time"] == day.sizes["time"] <= nrows
