import bz2
import gzip
import json

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr.errors import DataWarning, FileFormatError, IncompatibleInputError
from geospacexr.io.asi import detect_instrument
from geospacexr.io.pgm import decompress, parse_frames

THEMIS = "asi/20140310_0600_gill_themis19_full.pgm.gz"
NIR = "asi/20220307_0600_gill_nir-216_8446.pgm.gz"
BLUE = "asi/20220308_0600_gill_blue-814_full.pgm.gz"


def naive_frames(path, width, height):
    """An independent, naive decoder: split on the maxval line, read big-endian pixels."""
    data = gzip.decompress(path.read_bytes())
    frames, pos = [], 0
    while True:
        i = data.find(b"\n65535\n", pos)
        if i < 0:
            break
        start = i + len(b"\n65535\n")
        frames.append(
            np.frombuffer(data[start : start + width * height * 2], ">u2").reshape(height, width)
        )
        pos = start + width * height * 2
    return np.stack(frames)


def test_real_themis_file(shared_data):
    path = shared_data / THEMIS
    ds = geospacexr.open_asi(path)
    assert ds.attrs["geospacexr_kind"] == "asi"
    assert ds.image.dims == ("time", "y", "x") and ds.image.shape == (20, 256, 256)
    assert ds.image.dtype == np.uint16
    assert ds.time.dtype == np.dtype("datetime64[ns]")
    assert str(ds.time.values[0]) == "2014-03-10T06:00:00.063119000"
    assert str(ds.time.values[1]) == "2014-03-10T06:00:03.042202000"
    assert ds.exposure_ms.values[0] == pytest.approx(985.07, abs=1e-3)
    assert ds.attrs["site"] == "gill" and ds.attrs["imager"] == "themis19"
    assert ds.attrs["instrument"] == "themis"
    assert ds.attrs["site_lat"] == pytest.approx(56.3539) and ds.attrs["site_lon"] == pytest.approx(
        -94.6557
    )
    assert json.loads(ds.attrs["problematic_files"]) == []
    # pyucalgarysrs orientation: rows flipped after reading
    raw = naive_frames(path, 256, 256)
    np.testing.assert_array_equal(ds.image.values, raw[:, ::-1, :])


@pytest.mark.parametrize(
    "name, shape, frames, exposure", [(NIR, (256, 256), 10, 5001.0), (BLUE, (270, 320), 20, 2999.5)]
)
def test_real_trex_files(shared_data, name, shape, frames, exposure):
    ds = geospacexr.open(shared_data / name)
    assert ds.image.shape == (frames, *shape)
    assert ds.exposure_ms.values[0] == pytest.approx(exposure)
    raw = naive_frames(shared_data / name, shape[1], shape[0])
    np.testing.assert_array_equal(ds.image.values, raw[:, ::-1, :])
    assert np.all(np.diff(ds.time.values) > np.timedelta64(0))


def test_instrument_detection(tmp_path):
    assert detect_instrument("20220307_0600_gill_nir-216_8446.pgm.gz") == "trex_nir"
    assert detect_instrument("20210908_0600_fsmi_rego-652_6300.pgm.gz") == "rego"
    assert detect_instrument("x.pgm", {"Imager unique ID": "themis07"}) == "themis"
    with pytest.raises(FileFormatError, match="instrument="):
        detect_instrument("image.pgm")


def test_round_trip_netcdf(shared_data, tmp_path):
    ds = geospacexr.open_asi(shared_data / THEMIS)
    ds.to_netcdf(tmp_path / "a.nc")
    with xr.open_dataset(tmp_path / "a.nc") as back:
        xr.testing.assert_identical(back.load(), ds)


def test_start_end_and_chunks(shared_data):
    path = shared_data / THEMIS
    ds = geospacexr.open_asi(path, start="2014-03-10T06:00:10", end="2014-03-10T06:00:20")
    assert ds.sizes["time"] == 3
    assert ds.time.values.min() >= np.datetime64("2014-03-10T06:00:10")
    lazy = geospacexr.open_asi(path, chunks={"time": 5})
    assert lazy.image.chunks is not None
    with pytest.raises(ValueError, match="no frame between"):
        geospacexr.open_asi(path, start="2015-01-01")
    with pytest.raises(ValueError, match="date-time"):
        geospacexr.open_asi(path, start="yesterday-ish")


def test_truncated_file_keeps_good_frames(shared_data, tmp_path):
    data = (shared_data / THEMIS).read_bytes()
    good = tmp_path / "20140310_0600_gill_themis19_full.pgm.gz"
    good.write_bytes(data[: len(data) // 2])
    with pytest.warns(DataWarning, match="truncated"):
        ds = geospacexr.open_asi(good)
    assert 5 <= ds.sizes["time"] < 20
    problems = json.loads(ds.attrs["problematic_files"])
    assert problems[0]["file"] == good.name and "truncated" in problems[0]["reason"]
    full = geospacexr.open_asi(shared_data / THEMIS)
    np.testing.assert_array_equal(ds.image.values, full.image.values[: ds.sizes["time"]])


def test_corrupt_gzip_file_is_dropped_and_reported(shared_data, tmp_path):
    data = bytearray((shared_data / THEMIS).read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    bad = tmp_path / "20140310_0601_gill_themis19_full.pgm.gz"
    bad.write_bytes(bytes(data))
    good = tmp_path / "20140310_0600_gill_themis19_full.pgm.gz"
    good.write_bytes((shared_data / THEMIS).read_bytes())
    with pytest.warns(DataWarning, match=bad.name):
        ds = geospacexr.open_asi([good, bad])
    assert ds.sizes["time"] == 20
    assert json.loads(ds.attrs["problematic_files"])[0]["file"] == bad.name
    with pytest.raises(FileFormatError, match="no frame could be read"):
        geospacexr.open_asi(bad)


def test_bad_pgm_content(tmp_path):
    path = tmp_path / "20140310_0600_gill_themis19_full.pgm"
    path.write_bytes(b"P6\n2 2\n255\n" + bytes(12))
    with pytest.raises(FileFormatError, match="expected the magic 'P5'"):
        geospacexr.open_asi(path)
    path.write_bytes(b"P5\n99999999 2\n65535\n" + bytes(8))
    with pytest.raises(FileFormatError, match="impossible size"):
        geospacexr.open_asi(path)
    path.write_bytes(b"")
    with pytest.raises(FileFormatError, match="empty file"):
        geospacexr.open_asi(path)


def test_mixed_sites_are_refused(shared_data, tmp_path):
    a = tmp_path / "20140310_0600_gill_themis19_full.pgm.gz"
    a.write_bytes((shared_data / THEMIS).read_bytes())
    raw = gzip.decompress(a.read_bytes()).replace(
        b'"Site unique ID" gill', b'"Site unique ID" fsmi'
    )
    b = tmp_path / "20140310_0600_fsmi_themis10_full.pgm.bz2"
    b.write_bytes(bz2.compress(raw))
    with pytest.raises(IncompatibleInputError, match="more than one site"):
        geospacexr.open_asi([a, b])


def test_decompress_variants():
    content = b"P5\n2 1\n65535\n\x00\x01\x00\x02"
    assert decompress(gzip.compress(content)) == (content, None)
    assert decompress(gzip.compress(content) + gzip.compress(content)) == (content * 2, None)
    assert decompress(bz2.compress(content)) == (content, None)
    _, problem = decompress(bz2.compress(content * 100)[:-10])
    assert "truncated" in problem
    frames, problem = parse_frames(content)
    assert len(frames) == 1 and problem is None
    assert parse_frames(content + b"P5\n3 1\n65535\n" + bytes(6))[1].startswith(
        "frame 2: size 3x1 differs"
    )


@pytest.mark.parametrize(
    "name", ["20220307_0600_gill_nir-216_8446.pgm.gz", "20220308_0600_gill_blue-814_full.pgm.gz"]
)
def test_trex_site_position_from_geographic_keys(shared_data, name):
    # TREx NIR and Blueline headers give "Geographic latitude/longitude" (THEMIS: "Geodetic")
    path = shared_data / "asi" / name
    if not path.exists():
        pytest.skip(f"{path} absent")
    ds = geospacexr.open_asi(path)
    meta = json.loads(ds.attrs["file_metadata"])
    lat = next(v for k, v in meta.items() if k.lower() == "geographic latitude")
    lon = next(v for k, v in meta.items() if k.lower() == "geographic longitude")
    assert ds.attrs["site_lat"] == pytest.approx(float(lat))
    assert ds.attrs["site_lon"] == pytest.approx(float(lon))


def test_one_file_opens_in_the_calling_thread_and_many_on_the_pool(
    shared_data, tmp_path, monkeypatch
):
    """A single file (a cluster task's, a stream's) starts no threads; several use the pool.

    The frames are the same either way: the pooled open of two files is the concatenation of
    the two files opened one at a time.
    """
    import shutil

    import geospacexr.io.asi as asi_module

    first = tmp_path / THEMIS.split("/")[1]
    shutil.copy(shared_data / THEMIS, first)
    second = tmp_path / first.name.replace("_0600_", "_0601_")
    data = bytearray(gzip.decompress(first.read_bytes()))
    # the copy is a minute later: its frame times say so (and its name does)
    data = data.replace(b"2014-03-10 06:00:", b"2014-03-10 06:01:")
    second.write_bytes(gzip.compress(bytes(data)))

    real_pool = asi_module.ThreadPoolExecutor
    pools: list[int] = []

    def counting_pool(max_workers):
        pools.append(max_workers)
        return real_pool(max_workers=max_workers)

    monkeypatch.setattr(asi_module, "ThreadPoolExecutor", counting_pool)
    singles = [geospacexr.open_asi(p, workers=2) for p in (first, second)]
    assert pools == []
    both = geospacexr.open_asi([first, second], workers=2)
    assert pools and all(n == 2 for n in pools)
    np.testing.assert_array_equal(
        both.image.values, np.concatenate([s.image.values for s in singles])
    )
    np.testing.assert_array_equal(
        both.time.values, np.concatenate([s.time.values for s in singles])
    )
