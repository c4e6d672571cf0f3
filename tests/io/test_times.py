"""Times never wrap around: dates outside datetime64[ns] are refused or reported, not read."""

import gzip
import io
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
    with pytest.raises(FileFormatError, match=r"year 2263 .*datetime64\[ns\] cannot hold it"):
        geospacexr.open_tiegcm(path)


# plausible time ranges (issue 16, point 4): in datetime64[ns], but impossible for the instrument

NOW = np.datetime64("2026-01-01T00:00:00")


def test_plausible_range_comes_from_the_instrument_table_and_the_config():
    from geospacexr import config
    from geospacexr.io.instruments import get_instrument
    from geospacexr.io.times import implausible, plausible_range

    first, last = plausible_range("themis", now=NOW)
    assert first == np.datetime64(get_instrument("themis").first_light)
    assert last == NOW + np.timedelta64(2, "D")  # asi.future_margin_days
    assert plausible_range("rego", now=NOW)[0] > first  # REGO came ten years later
    assert plausible_range("nir", now=NOW)[0] == plausible_range("trex_nir", now=NOW)[0]
    # an instrument outside the table: the configured earliest time
    assert plausible_range("not-an-imager", now=NOW)[0] == np.datetime64("1980-01-01")
    with config.override({"asi.earliest_frame_time": "1995-06-01", "asi.future_margin_days": 0}):
        assert plausible_range(None, now=NOW) == (np.datetime64("1995-06-01"), NOW)
    with config.override({"asi.check_frame_times": False}):
        assert plausible_range("themis", now=NOW)[0] == NS_RANGE[0]
    times = np.array(["1970-01-01", "2014-03-10", "2104-01-01", "NaT"], dtype="datetime64[ns]")
    bad, why = implausible(times, "themis", now=NOW)
    assert bad.tolist() == [True, False, True, False]  # NaT is reported elsewhere
    assert "plausible range of themis (2003-01-01 to 2026-01-03" in why
    assert "asi.earliest_frame_time" in why


def test_bad_plausible_range_settings_are_config_errors():
    from geospacexr import config
    from geospacexr.errors import ConfigError
    from geospacexr.io.times import plausible_range

    with config.override({"asi.earliest_frame_time": "long ago"}):
        with pytest.raises(ConfigError, match="asi.earliest_frame_time"):
            plausible_range(None)
    with pytest.raises(ConfigError, match="asi.future_margin_days"):  # refused on the way in
        with config.override({"asi.future_margin_days": float("nan")}):
            plausible_range(None)


@pytest.mark.parametrize("stamp", [b"1970-01-01", b"2104-03-10"])
def test_an_asi_frame_at_an_implausible_time_is_skipped_and_reported(tmp_path, stamp):
    """A zeroed clock (1970) or a flipped digit (2104): both fit datetime64[ns], neither is real."""
    src = sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz"))[0]
    data = gzip.decompress(src.read_bytes())
    first = data.find(b'"Image request start" ') + len(b'"Image request start" ')
    path = tmp_path / src.name
    path.write_bytes(gzip.compress(data[:first] + stamp + data[first + 10 :]))
    good = geospacexr.open_asi(src)
    with pytest.warns(Warning, match="plausible range of themis"):
        ds = geospacexr.open_asi(path)
    assert ds.sizes["time"] == good.sizes["time"] - 1
    assert ds["time"].values.min() >= np.datetime64("2014-03-10")
    assert "frame 1 of" in ds.attrs["problematic_files"]


def test_a_png_frame_at_an_implausible_time_is_skipped(tmp_path):
    import tarfile

    src = sorted(datasets.sample_path("trex_rgb-gill-burst").glob("*.png.tar"))[0]
    path = tmp_path / src.name
    with tarfile.open(src) as tin, tarfile.open(path, "w") as tout:
        for k, member in enumerate(tin.getmembers()):
            content = tin.extractfile(member).read()
            if k == 0:
                member.name = "2009" + member.name[4:]  # before TREx existed
            tout.addfile(member, io.BytesIO(content))
    good = geospacexr.open_asi(src)
    with pytest.warns(Warning, match="plausible range of trex_rgb"):
        ds = geospacexr.open_asi(path)
    assert ds.sizes["time"] == good.sizes["time"] - 1
    assert ds["time"].values.min() >= np.datetime64("2021-01-01")


def test_an_hdf5_frame_at_an_implausible_time_is_skipped(tmp_path):
    import h5py

    src = sorted(datasets.sample_path("trex_rgb-gill").glob("*.h5"))[0]
    path = tmp_path / src.name
    shutil.copy(src, path)
    with h5py.File(path, "r+") as f:
        f["metadata/frame/frame0"].attrs["image_request_start_timestamp"] = (
            "2000-10-30 06:05:00.203117 UTC"
        )
    good = geospacexr.open_asi(src)
    with pytest.warns(Warning, match="plausible range of trex_rgb"):
        ds = geospacexr.open_asi(path)
    assert ds.sizes["time"] == good.sizes["time"] - 1
    assert ds["time"].values.min() >= np.datetime64("2021-01-01")


def test_a_grid_frame_at_an_implausible_time_is_skipped_and_all_of_them_refuse(tmp_path):
    import h5py

    src = datasets.sample_path("themis-grid")
    path = tmp_path / src.name
    shutil.copy(src, path)
    with h5py.File(path, "r+") as f:
        stamps = [s.decode() for s in f["data/timestamp"][()]]
        del f["data/timestamp"]
        f["data/timestamp"] = ["1970-01-01 00:00:00 UTC", *stamps[1:]]
    with pytest.warns(Warning, match="1 of 5 frame.*plausible range of themis"):
        g = geospacexr.open_asi_grid(path)
    assert g.sizes["time"] == 4 and g.image.shape[0] == 4 and g.confidence.shape[0] == 4
    assert "plausible range" in g.attrs["problematic_files"]
    with h5py.File(path, "r+") as f:
        del f["data/timestamp"]
        f["data/timestamp"] = ["2200-01-01 00:00:00 UTC"] * 5
    with pytest.raises(FileFormatError, match="every timestamp is outside the plausible range"):
        geospacexr.open_asi_grid(path)


def _restamp_first_frame(src, path, stamp):
    """``src`` (a ``.pgm.gz``) with its first frame's request start date set to ``stamp``."""
    data = gzip.decompress(src.read_bytes())
    first = data.find(b'"Image request start" ') + len(b'"Image request start" ')
    path.write_bytes(gzip.compress(data[:first] + stamp + data[first + 10 :]))


@pytest.mark.parametrize("sample", ["themis-gill", "trex_spect-rabb"])
def test_a_frame_far_from_its_file_name_time_is_skipped_and_reported(tmp_path, sample):
    """Found by tests/fuzz (spectrograph #0): a 2021-02-15 06:00 file with a frame of 2014.

    The stamp fits the instrument's plausible range, so only the file name tells it is wrong; it
    used to be read as a frame 7 years before the others (a keogram spanning 7 years).
    """
    from geospacexr import config
    from geospacexr.io.times import name_time

    src = sorted(datasets.sample_path(sample).glob("*.pgm.gz"))[0]
    named = name_time(src)
    assert named is not None
    stamp = b"2014-03-10" if named > np.datetime64("2015-01-01") else b"2019-03-10"
    path = tmp_path / src.name
    _restamp_first_frame(src, path, stamp)
    good = geospacexr.open_asi(src)
    with pytest.warns(Warning, match="from the time in the file name"):
        ds = geospacexr.open_asi(path)
    assert ds.sizes["time"] == good.sizes["time"] - 1
    assert abs(ds["time"].values - named).max() < np.timedelta64(1, "h")
    assert "asi.name_time_margin_hours" in ds.attrs["problematic_files"]
    with config.override({"asi.name_time_margin_hours": 24 * 365 * 10}):  # raised: kept
        assert geospacexr.open_asi(path).sizes["time"] == good.sizes["time"]


def test_name_time():
    from geospacexr.io.times import name_time

    assert name_time("20140310_0600_gill_themis19_full.pgm.gz") == np.datetime64("2014-03-10T06")
    assert name_time("x/20250315_060212_000072_atha_smile-31_raw.h5") == np.datetime64(
        "2025-03-15T06:02:12"
    )
    for name in ("20141310_0600_gill.pgm", "22630101_0600_gill.pgm", "gill_20140310_0600.pgm"):
        assert name_time(name) is None


def test_an_hdf5_frame_far_from_its_file_name_time_is_skipped(tmp_path):
    import h5py

    src = sorted(datasets.sample_path("trex_rgb-gill").glob("*.h5"))[0]
    path = tmp_path / src.name
    shutil.copy(src, path)
    with h5py.File(path, "r+") as f:  # plausible for TREx RGB, 10 days before the file's name
        f["metadata/frame/frame0"].attrs["image_request_start_timestamp"] = (
            "2021-10-20 06:05:00.203117 UTC"
        )
    good = geospacexr.open_asi(src)
    with pytest.warns(Warning, match="from the time in the file name"):
        ds = geospacexr.open_asi(path)
    assert ds.sizes["time"] == good.sizes["time"] - 1
    assert ds["time"].values.min() >= np.datetime64("2021-10-30")


def test_a_grid_frame_far_from_its_file_name_time_is_skipped_and_all_of_them_refuse(tmp_path):
    import h5py

    src = datasets.sample_path("themis-grid")  # 20140310_0600_..._grid_themis-asi.h5
    path = tmp_path / src.name
    shutil.copy(src, path)
    with h5py.File(path, "r+") as f:
        stamps = [s.decode() for s in f["data/timestamp"][()]]
        del f["data/timestamp"]
        f["data/timestamp"] = ["2012-03-10 06:00:00 UTC", *stamps[1:]]
    with pytest.warns(Warning, match="1 of 5 frame.*from the time in the file name"):
        g = geospacexr.open_asi_grid(path)
    assert g.sizes["time"] == 4 and g.confidence.shape[0] == 4
    with h5py.File(path, "r+") as f:
        del f["data/timestamp"]
        f["data/timestamp"] = ["2012-03-10 06:00:00 UTC"] * 5
    with pytest.raises(FileFormatError, match="every timestamp is empty, .* or more than 24 h"):
        geospacexr.open_asi_grid(path)


def test_name_window_never_wraps():
    from geospacexr import config
    from geospacexr.io.times import name_window

    with config.override({"asi.name_time_margin_hours": 876_600}):  # a century each side
        first, last, _ = name_window("22000101_0000_gill_themis19_full.pgm")
    assert first == np.datetime64("2200-01-01") - np.timedelta64(36525, "D")
    assert last == NS_RANGE[1]
    with config.override({"asi.check_frame_times": False}):
        assert name_window("22000101_0000_gill_themis19_full.pgm") is None


@pytest.mark.parametrize("start", ["9999-12-31", "1500-01-01T00:00", "not a date"])
def test_validity_start_beyond_nanoseconds_is_refused_not_wrapped(start):
    """numpy turns 9999-12-31 into a date of 1816 in nanoseconds, which looked plausible."""
    from geospacexr.io.times import check_validity_start

    with pytest.raises(FileFormatError, match="VALID_INTERVAL_START"):
        check_validity_start(start, "themis", "VALID_INTERVAL_START")
    check_validity_start("2015-01-01", "themis", "VALID_INTERVAL_START")  # plausible: no error
