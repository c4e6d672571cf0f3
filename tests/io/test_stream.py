"""io.stream: files opened one at a time, unreadable ones listed (not raised)."""

import pytest

from geospacexr import datasets
from geospacexr.errors import NoFilesError
from geospacexr.io.stream import FileStream, stream_files


def test_stream_opens_lazily_one_file_at_a_time_and_lists_unreadable_files(tmp_path):
    files = sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz"))
    broken = tmp_path / "20140310_0603_gill_themis19_full.pgm.gz"
    broken.write_bytes(b"\x1f\x8b broken")
    opened = []

    def opener(path):
        opened.append(path)
        from geospacexr.io.asi import open_asi

        return open_asi(path)

    stream = stream_files([*files, broken], opener=opener, progress=False)
    assert isinstance(stream, FileStream) and len(stream) == 4
    assert opened == []  # nothing is read before iterating
    iterator = iter(stream)
    first = next(iterator)
    assert opened == [files[0]] and first.sizes["time"] == 20
    rest = list(iterator)
    assert len(rest) == 2 and len(opened) == 4
    assert len(stream.skipped) == 1 and stream.skipped[0].startswith(broken.name + ": ")


def test_stream_default_opener_and_no_files(tmp_path):
    files = sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz"))
    stream = stream_files(files[:1], progress=False)
    (ds,) = list(stream)
    assert ds.attrs["geospacexr_kind"] == "asi" and stream.skipped == []
    with pytest.raises(NoFilesError):
        stream_files(tmp_path / "nothing-*.pgm.gz")
