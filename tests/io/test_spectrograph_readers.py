"""TREx spectrograph readers: raw L0 PGM, L1 HDF5, the slit skymap, damaged files."""

from __future__ import annotations

import gzip
import json
import shutil

import numpy as np
import pytest

import geospacexr
from geospacexr import datasets
from geospacexr._synth import spectrograph as synth
from geospacexr.errors import (
    DataWarning,
    FileFormatError,
    IncompatibleInputError,
    InvalidArgumentError,
    OutOfRangeError,
)
from geospacexr.io import spectrograph as spect
from geospacexr.io.registry import find_reader


@pytest.fixture(scope="module")
def sample():
    return datasets.sample_path("trex_spect-rabb")


def _raw(folder):
    return sorted(folder.glob("*_spectra.pgm.gz"))


def _l1(folder):
    return sorted(folder.glob("*.h5"))


def test_raw_layout_and_values(sample):
    ds = spect.open_spect_raw(_raw(sample))
    assert ds.counts.dims == ("time", "spectral", "spatial")
    assert ds.counts.shape == (12, 1024, 256) and ds.counts.dtype == np.uint16
    assert ds.attrs["geospacexr_kind"] == "spectrograph" and ds.attrs["level"] == "raw"
    assert ds.attrs["site"] == "rabb" and ds.attrs["device"] == "spect-02"
    assert ds.attrs["site_lat"] == pytest.approx(58.2225)
    # 15 s cadence from the frames' own 'Image request start'
    assert (np.diff(ds.time.values) == np.timedelta64(15, "s")).all()
    assert not ds.dark.any()
    # the brightest raw pixel is the green line's triangle peak in the arc
    k = synth.line_nodes(557.7, (555.5, 558.5))
    green = ds.counts.values[0, k].astype(float)
    assert int(np.argmax(green)) == pytest.approx(170, abs=3)
    # the raw counts follow the calibrated spectra (offset + gain, with noise)
    truth = synth.spectra(np.array([0.0]))[0]
    assert np.corrcoef(truth[k], green)[0, 1] > 0.99


def test_dark_frames_are_flagged(sample):
    files = sorted(sample.glob("*.pgm.gz"))
    ds = spect.open_spect_raw(files)
    assert ds.sizes["time"] == 16
    assert ds.dark.values.tolist() == [False] * 12 + [True] * 4
    assert float(ds.counts.where(ds.dark, drop=True).mean()) == pytest.approx(600, abs=1)


def test_l1_layout_equals_the_file(sample):
    import h5py

    (path,) = _l1(sample)
    ds = spect.open_spect_l1(path)
    assert ds.spectra.dims == ("time", "wavelength", "spatial")
    assert ds.spectra.shape == (12, 1024, 256) and ds.spectra.dtype == np.float32
    assert ds.wavelength.attrs["units"] == "nm"
    with h5py.File(path) as f:
        np.testing.assert_array_equal(ds.spectra.values[3], f["data/spectra"][:, :, 3])
        np.testing.assert_array_equal(ds.wavelength.values, f["data/wavelength"][()])
    assert ds.time.values[0] == np.datetime64("2021-02-15T06:00:00")
    assert ds.attrs["level"] == "l1" and ds.attrs["site"] == "rabb"
    assert ds.attrs["site_lat"] == pytest.approx(58.2225)


def test_start_end_select(sample):
    ds = spect.open_spect_l1(_l1(sample), start="2021-02-15T06:01", end="2021-02-15T06:01:30")
    assert ds.sizes["time"] == 3
    raw = spect.open_spect_raw(_raw(sample), start="2021-02-15T06:02")
    assert raw.sizes["time"] == 4
    with pytest.raises(OutOfRangeError):
        spect.open_spect_l1(_l1(sample), start="2021-02-15T07:00")
    with pytest.raises(InvalidArgumentError):
        spect.open_spect_raw(_raw(sample), start="yesterday")


def test_open_asi_and_find_reader_route_spectrograph_files(sample):
    assert geospacexr.open_asi(_raw(sample)).attrs["level"] == "raw"
    assert geospacexr.open_asi(_l1(sample)).attrs["level"] == "l1"
    assert find_reader(_raw(sample)[0]).name == "trex_spect_raw"
    assert find_reader(_l1(sample)[0]).name == "trex_spect_l1"
    with pytest.raises(InvalidArgumentError):
        spect.open_spect_raw(_raw(sample), instrument="themis")


def test_skymap_bins_reversed_like_pyucalgarysrs(sample):
    import scipy.io

    (path,) = sample.glob("spect_skymap_*.sav")
    sky = geospacexr.open_skymap(path)
    assert sky.attrs["instrument"] == "trex_spectrograph" and sky.attrs["site"] == "rabb"
    raw = scipy.io.readsav(str(path), python_dict=True)["skymap"][0]
    np.testing.assert_array_equal(sky.elevation.values, raw["FULL_ELEVATION"][::-1])
    np.testing.assert_array_equal(sky.lat_edge.values, raw["FULL_MAP_LATITUDE"][:, ::-1])
    assert sky.sizes == {"altitude": 3, "spatial": 256, "spatial_edge": 257}
    # centres between their edges; at a mapping altitude the interpolation is exact
    at110 = spect.slit_positions(sky, 110.0)
    np.testing.assert_allclose(at110.lat_edge, sky.lat_edge.sel(altitude=110.0), atol=1e-4)
    assert (np.diff(at110.lat.values) > 0).all()  # south to north after the reversal
    both = spect.slit_positions(sky, [100.0, 230.0])
    assert both.lat.dims == ("height", "spatial")
    # higher emission maps further from the site (linear extrapolation beyond 150 km)
    assert both.lat.values[1, 0] < both.lat.values[0, 0]
    with pytest.raises(InvalidArgumentError):
        spect.slit_positions(sky, -5)
    with pytest.raises(InvalidArgumentError):
        spect.slit_positions(sky.drop_vars("lat_edge"), 110)


def test_truncated_raw_file_keeps_good_frames(sample, tmp_path):
    src = _raw(sample)[0]
    content = gzip.decompress(src.read_bytes())
    cut = tmp_path / src.name
    cut.write_bytes(gzip.compress(content[: len(content) * 5 // 8]))
    with pytest.warns(DataWarning, match=src.name):
        ds = spect.open_spect_raw([cut, _raw(sample)[1]])
    assert ds.sizes["time"] == 4 + 2
    report = json.loads(ds.attrs["problematic_files"])
    assert [p["file"] for p in report] == [src.name]


def test_untimed_raw_frame_is_skipped(sample, tmp_path):
    src = _raw(sample)[0]
    content = gzip.decompress(src.read_bytes())
    marker = b'#"Image request start" 2021-02-15 06:00:15'
    assert marker in content
    bad = tmp_path / src.name
    bad.write_bytes(gzip.compress(content.replace(marker, b'#"Image request start" garbage..')))
    with pytest.warns(DataWarning, match="frame 2 of 4"):
        ds = spect.open_spect_raw(bad)
    assert ds.sizes["time"] == 3


def test_nothing_readable_raises(tmp_path):
    junk = tmp_path / "20210215_0600_rabb_spect-02_spectra.pgm.gz"
    junk.write_bytes(b"\x1f\x8b" + b"\x00" * 40)
    with pytest.raises(FileFormatError, match="no spectrograph frame"):
        spect.open_spect_raw(junk)
    h5 = tmp_path / "20210215_06_rabb_spect-02_spectra_cal_v01.h5"
    h5.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(FileFormatError, match="no spectrum could be read"):
        spect.open_spect_l1(h5)


def _l1_copy(sample, tmp_path, edit):
    import h5py

    (src,) = _l1(sample)
    dst = tmp_path / src.name
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        edit(f)
    return dst


def test_l1_structural_defects(sample, tmp_path):
    def no_wavelength(f):
        del f["data/wavelength"]

    def bad_time(f):
        ts = f["data/timestamp"][()]
        ts[2] = b"not a time at all...."[: len(ts[2])]
        del f["data/timestamp"]
        f["data"].create_dataset("timestamp", data=ts)

    def unsorted_wavelength(f):
        w = f["data/wavelength"][()]
        f["data/wavelength"][...] = w[::-1]

    for sub in "abc":
        (tmp_path / sub).mkdir()
    with pytest.raises(FileFormatError, match="/data/wavelength"):
        spect.open_spect_l1(_l1_copy(sample, tmp_path / "a", no_wavelength))
    with pytest.warns(DataWarning, match="frame 3 of 12"):
        ds = spect.open_spect_l1(_l1_copy(sample, tmp_path / "b", bad_time))
    assert ds.sizes["time"] == 11
    with pytest.raises(FileFormatError, match="strictly increasing"):
        spect.open_spect_l1(_l1_copy(sample, tmp_path / "c", unsorted_wavelength))


def test_l1_refused_above_the_array_limit(sample):
    with (
        geospacexr.config.override({"io.max_array_mb": 1}),
        pytest.raises(FileFormatError, match="io.max_array_mb"),
    ):
        spect.open_spect_l1(_l1(sample))


def test_mixed_sites_refused(sample, tmp_path):
    src = _raw(sample)[0]
    other = tmp_path / src.name.replace("rabb", "luck")
    other.write_bytes(
        gzip.compress(
            gzip.decompress(src.read_bytes()).replace(
                b'#"Site unique ID" rabb', b'#"Site unique ID" luck'
            )
        )
    )
    with pytest.raises(IncompatibleInputError, match="more than one site"):
        spect.open_spect_raw([src, other])


def test_open_asi_accepts_the_spectrograph_instrument(sample):
    ds = geospacexr.open_asi(_l1(sample), instrument="trex_spectrograph")
    assert ds.attrs["instrument"] == "trex_spectrograph"
    with pytest.raises(InvalidArgumentError):
        geospacexr.open_asi(_l1(sample), instrument="themis")


def test_skymap_with_wrong_shapes_is_refused(sample, tmp_path):
    import scipy.io

    from geospacexr.io.idlsav import IdlStruct, write_sav

    (path,) = sample.glob("spect_skymap_*.sav")
    rec = scipy.io.readsav(str(path), python_dict=True)["skymap"][0]
    fields = {name: rec[name] for name in rec.dtype.names if name not in ("GENERATION_INFO",)}
    fields = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in fields.items()}
    good = dict(fields)
    bad_shape = dict(fields, FULL_MAP_LATITUDE=fields["FULL_MAP_LATITUDE"][:, :100])
    no_alt = {k: v for k, v in fields.items() if k != "FULL_MAP_ALTITUDE"}
    bad_lat = dict(fields, FULL_MAP_LATITUDE=fields["FULL_MAP_LATITUDE"] + 100)
    write_sav(tmp_path / "spect_skymap_rabb_good.sav", {"skymap": IdlStruct(good)})
    assert spect.open_spect_skymap(tmp_path / "spect_skymap_rabb_good.sav").sizes["spatial"] == 256
    for name, content, match in (
        ("shape", bad_shape, "257 bin edges"),
        ("noalt", no_alt, "lacks FULL_MAP_ALTITUDE"),
        ("lat", bad_lat, "beyond 90"),
    ):
        target = tmp_path / f"spect_skymap_rabb_{name}.sav"
        write_sav(target, {"skymap": IdlStruct(content)})
        with pytest.raises(FileFormatError, match=match):
            geospacexr.open_skymap(target)
    # an ASI skymap is not a spectrograph one
    with pytest.raises(FileFormatError, match="not a spectrograph"):
        spect.open_spect_skymap(datasets.sample_path("themis-gill-skymap"))


def test_l1_lazy_read_equals_the_eager_one(sample, tmp_path):
    import dask.array as da

    eager = spect.open_spect_l1(_l1(sample), start="2021-02-15T06:00:30")
    lazy = spect.open_spect_l1(_l1(sample), start="2021-02-15T06:00:30", chunks={"time": 3})
    assert isinstance(lazy.spectra.data, da.Array)
    assert lazy.spectra.data.chunks[0] == (3, 3, 3, 1)
    np.testing.assert_array_equal(lazy.spectra.values, eager.spectra.values)
    np.testing.assert_array_equal(lazy.time.values, eager.time.values)
    # nothing is allocated at open: the array limit applies when computed, not here
    with geospacexr.config.override({"io.max_array_mb": 1}):
        assert spect.open_spect_l1(_l1(sample), chunks={"time": 1}).sizes["time"] == 12
    # a file removed after the open: the compute names it
    copy = tmp_path / _l1(sample)[0].name
    shutil.copy(_l1(sample)[0], copy)
    gone = spect.open_spect_l1(copy, chunks={"time": 1})
    copy.unlink()
    with pytest.raises(FileFormatError, match="spectrum 1 cannot be read"):
        gone.spectra.isel(time=0).load()
