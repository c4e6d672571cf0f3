import gzip
import zlib

import pytest

import geospacexr
from geospacexr.errors import FileFormatError, GeospacexrError, NoFilesError, ReaderNotFoundError
from geospacexr.io import registry


def test_expand_paths(tmp_path):
    for name in ("b.txt", "a.txt", ".hidden"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in registry.expand_paths(tmp_path / "*.txt")] == ["a.txt", "b.txt"]
    assert [p.name for p in registry.expand_paths(tmp_path)] == ["a.txt", "b.txt"]
    both = registry.expand_paths([tmp_path / "a.txt", str(tmp_path / "*.txt")])
    assert [p.name for p in both] == ["a.txt", "b.txt"]
    with pytest.raises(NoFilesError, match="nothing"):
        registry.expand_paths(tmp_path / "nothing*.nc")
    with pytest.raises(NoFilesError, match="missing.nc"):
        registry.expand_paths([tmp_path / "a.txt", tmp_path / "missing.nc"])


def test_peek_sees_through_gzip(tmp_path):
    path = tmp_path / "x.pgm.gz"
    path.write_bytes(gzip.compress(b"P5\n#hello"))
    assert registry.peek(path, 2) == b"P5"
    (tmp_path / "broken.gz").write_bytes(b"\x1f\x8b\x08garbage")
    assert registry.peek(tmp_path / "broken.gz") == b""


def _bad_deflate(name, tmp_path):
    # a valid gzip header, then an invalid deflate block: gzip.open's read raises zlib.error
    path = tmp_path / name
    path.write_bytes(gzip.compress(b"P5\n")[:10] + b"\xff" * 100)
    with pytest.raises(zlib.error):
        with gzip.open(path) as fh:
            fh.read(8)
    return path


def test_peek_swallows_zlib_errors_of_damaged_streams(tmp_path):
    assert registry.peek(_bad_deflate("bad.pgm.gz", tmp_path)) == b""
    broken_bz2 = tmp_path / "bad.bz2"
    broken_bz2.write_bytes(b"BZh9" + b"\xff" * 50)
    assert registry.peek(broken_bz2) == b""


def test_open_of_a_damaged_gzip_pgm_ends_in_a_geospacexr_error(tmp_path):
    path = _bad_deflate("20140310_0600_gill_themis19_full.pgm.gz", tmp_path)
    with pytest.raises(GeospacexrError) as info:
        geospacexr.open(path)
    assert path.name in str(info.value)


def test_pgm_reader_is_found_by_name_and_magic(tmp_path):
    path = tmp_path / "20140310_0600_gill_themis19_full.pgm.gz"
    path.write_bytes(gzip.compress(b"P5\n2 2\n65535\n" + bytes(8)))
    assert registry.find_reader(path).name == "asi-pgm"
    liar = tmp_path / "20140310_0600_gill_themis19_full.pgm"
    liar.write_bytes(b"CDF\x01 not a pgm")
    with pytest.raises(ReaderNotFoundError, match="asi-pgm"):
        registry.find_reader(liar)


def test_unknown_file_lists_the_readers(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(ReaderNotFoundError) as info:
        geospacexr.open(path)
    assert "notes.txt" in str(info.value) and "asi-pgm" in str(info.value)


def test_open_refuses_files_of_different_readers(tmp_path, monkeypatch):
    pgm = tmp_path / "a.pgm"
    pgm.write_bytes(b"P5\n2 2\n65535\n" + bytes(8))
    other = tmp_path / "b.fake"
    other.write_bytes(b"FAKE")

    @registry.register_reader("fake-test", kind="asi", patterns=("*.fake",), magic=(b"FAKE",))
    def open_fake(files, **kwargs):
        return files

    try:
        assert registry.open(other) == [other]
        with pytest.raises(FileFormatError, match="different readers"):
            registry.open([pgm, other])
        with pytest.raises(ReaderNotFoundError, match="unknown reader"):
            registry.open(other, reader="nope")
    finally:
        registry._READERS.remove("fake-test")
