"""SMILE all-sky imager HDF5 files: the smile-atha sample and the reader (geospacexr.io.h5asi).

Expectations come from the files themselves, read here with h5py, and from the published facts
the sample follows (SMILE ATHA is imager smile-31 at 54.602631 N, 246.355728 E; frames every
3 s). With pyucalgarysrs available (``GEOSPACEXR_REF_UCALGARY`` names its interpreter) the reader
is also compared live with pyucalgarysrs's ``read_smile``.
"""

import hashlib
import json
import os
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest

import geospacexr
from geospacexr import datasets

REF_PYTHON = Path(os.environ.get("GEOSPACEXR_REF_UCALGARY") or "/nonexistent")


@pytest.fixture(scope="module")
def folder():
    return datasets.sample_path("smile-atha")


@pytest.fixture(scope="module")
def files(folder):
    return sorted(folder.glob("*.h5"))


@pytest.fixture(scope="module")
def ds(files):
    return geospacexr.open_asi(files)


def request_starts(path):
    """Frame times of one file from its image_request_start attributes, read with h5py."""
    with h5py.File(path, "r") as f:
        n = 1 if f["data/images"].ndim == 3 else f["data/images"].shape[3]
        out = []
        for i in range(n):
            value = f[f"metadata/frame/frame{i}"].attrs["image_request_start"]
            value = np.atleast_1d(value)[0]
            value = value.decode() if isinstance(value, bytes) else str(value)
            out.append(np.datetime64(value.removesuffix(" UTC").replace(" ", "T"), "ns"))
    return out


def test_sample_files_follow_the_real_naming(files):
    names = [f.name for f in files]
    assert names[:2] == [
        "20250315_0600_atha_smile-31_rgb-full.h5",
        "20250315_0601_atha_smile-31_rgb-full.h5",
    ]
    singles = names[2:]
    assert len(singles) == 5
    for name, path in zip(singles, files[2:], strict=True):
        # single-frame files are named after their request time, to the microsecond
        t = request_starts(path)[0]
        expected = str(t)[:26].replace("-", "").replace(":", "").replace("T", "_")
        assert name == expected.replace(".", "_") + "_atha_smile-31_raw.h5"


def test_sample_reads_as_smile(ds, files):
    assert ds.image.dims == ("time", "y", "x", "channel")
    assert ds.image.dtype == np.uint8
    assert ds.image.shape == (15, 512, 512, 3)
    assert list(ds.channel.values) == ["r", "g", "b"]
    assert ds.attrs["geospacexr_kind"] == "asi"
    assert ds.attrs["instrument"] == "smile"
    assert ds.attrs["site"] == "atha" and ds.attrs["imager"] == "smile-31"
    assert ds.attrs["site_lat"] == pytest.approx(54.602631, abs=1e-6)
    assert ds.attrs["site_lon"] == pytest.approx(246.355728 - 360.0, abs=1e-6)
    assert json.loads(ds.attrs["problematic_files"]) == []
    assert np.all(ds.exposure_ms.values == 2000.0)
    # every frame on the real 3 s grid, a few tens of microseconds after the step
    since = (ds.time.values - np.datetime64("2025-03-15T06:00", "ns")) / np.timedelta64(1, "us")
    steps, micro = np.divmod(since, 3_000_000)
    assert np.all(np.diff(steps) > 0)
    assert np.all((micro > 0) & (micro < 1000))
    # times are the files' request starts, in file order
    expected = [t for f in files for t in request_starts(f)]
    np.testing.assert_array_equal(ds.time.values, np.array(expected, dtype="datetime64[ns]"))


def test_levels_look_like_smile_frames(ds):
    img = ds.image.values.astype(float)
    corners = img[:, :40, :40].reshape(-1, 3).mean(axis=0)
    # dark background of real frames: red ~8-12, green ~4-6, blue ~5-8 counts
    assert 7 < corners[0] < 13 and 3 < corners[1] < 7 and 4 < corners[2] < 9
    # the aurora is green: the brightest green well above the other channels
    peak = np.percentile(img[..., 1], 99.9)
    assert 40 < peak < 200
    assert np.percentile(img[..., 0], 99.9) < peak and np.percentile(img[..., 2], 99.9) < peak


def test_orientation_matches_pyucalgarysrs_convention(ds, files):
    # minute file: image[k] is the file's /data/images[..., k] with rows flipped
    with h5py.File(files[1], "r") as f:
        raw = f["data/images"][:, :, :, 3]
    np.testing.assert_array_equal(ds.image.values[5 + 3], raw[::-1])
    # single-frame file: 3-D image
    with h5py.File(files[4], "r") as f:
        assert f["data/images"].ndim == 3
        single = f["data/images"][()]
    np.testing.assert_array_equal(ds.image.values[12], single[::-1])


def test_single_frame_files_alone(files):
    singles = files[2:]
    part = geospacexr.open_asi(singles)
    assert part.sizes["time"] == 5 and part.attrs["instrument"] == "smile"
    assert part.attrs["site_lat"] == pytest.approx(54.602631, abs=1e-6)
    for k, path in enumerate(singles):
        with h5py.File(path, "r") as f:
            # the attributes of single-frame files are one-element arrays
            assert f["metadata/file"].attrs["site_unique_id"].shape == (1,)
            np.testing.assert_array_equal(part.image.values[k], f["data/images"][()][::-1])
        assert part.time.values[k] == request_starts(path)[0]


def test_start_and_end(ds, files):
    times = ds.time.values
    # inclusive at exact frame times
    sub = geospacexr.open_asi(files, start=times[3], end=times[11])
    np.testing.assert_array_equal(sub.time.values, times[3:12])
    np.testing.assert_array_equal(sub.image.values, ds.image.values[3:12])
    # between frames, and across the minute / single-frame boundary
    sub = geospacexr.open_asi(files, start="2025-03-15T06:01:30", end="2025-03-15T06:02:30")
    np.testing.assert_array_equal(sub.time.values, times[8:13])
    only_end = geospacexr.open_asi(files, end="2025-03-15T06:00:20")
    assert only_end.sizes["time"] == 2
    with pytest.raises(geospacexr.errors.FileFormatError, match="no frame"):
        geospacexr.open_asi(files, start="2025-03-15T07:00")


def test_registry_and_folder_detect_smile(folder, ds):
    assert geospacexr.open(folder / "*.h5").identical(ds)
    assert datasets.open_sample("smile-atha").identical(ds)


def test_round_trips_through_netcdf(ds, tmp_path):
    import xarray as xr

    small = ds.isel(time=slice(0, 2))
    small.to_netcdf(tmp_path / "s.nc")
    with xr.open_dataset(tmp_path / "s.nc") as back:
        xr.testing.assert_identical(back.load(), small)


def test_skymap_sample_matches_the_images(ds):
    sky = datasets.open_sample("smile-atha-skymap")
    assert sky.attrs["instrument"] == "smile" and sky.attrs["project"] == "smile"
    assert sky.attrs["site"] == "atha" and sky.attrs["imager"] == "smile-31"
    assert sky.attrs["source_file"] == "smile_skymap_atha_20241103-+_v01.sav"
    assert sky.attrs["valid_start"] == "2024-11-03T00:00:00" and sky.attrs["valid_end"] == ""
    assert sky.attrs["site_lat"] == pytest.approx(54.602631, abs=1e-5)
    assert sky.attrs["site_lon"] == pytest.approx(-113.644272, abs=1e-4)
    assert sky.elevation.shape == ds.image.shape[1:3]
    assert sky.lat_corner.shape == (3, 513, 513)
    np.testing.assert_allclose(sky.altitude.values, [90.0, 110.0, 150.0])
    # zenith near the centre, sky outside the fisheye circle is NaN
    assert np.nanmax(sky.elevation.values) > 89.5
    assert np.isnan(sky.elevation.values[0, 0])
    # pixels outside the field of view are dark in every frame
    outside = np.isnan(sky.elevation.values)
    assert ds.image.values[:, outside].mean() < 12


def test_arc_drifts_equatorward_over_the_site(ds):
    sky = datasets.open_sample("smile-atha-skymap")
    keo = ds.asi.keogram(sky, axis="geo").sel(channel="g")
    peaks = keo.lat.values[np.argmax(keo.values, axis=0)]
    # 1.3 degrees poleward of the site at first, ~0.0072 degree/s equatorward (168 s)
    assert peaks[0] == pytest.approx(54.6 + 1.3, abs=0.3)
    assert peaks[-1] == pytest.approx(54.6 + 1.3 - 0.0072 * 168, abs=0.3)


def test_sample_is_deterministic(files, tmp_path):
    with geospacexr.config.override({"paths.sample_dir": str(tmp_path)}):
        again = sorted(datasets.sample_path("smile-atha").glob("*.h5"))
    digest = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    assert [f.name for f in again] == [f.name for f in files]
    assert [hashlib.sha256(f.read_bytes()).hexdigest() for f in again] == digest


def test_request_start_attribute_gives_the_time(tmp_path):
    # the frame attribute (what pyucalgarysrs reports) wins over /data/timestamp, which is only
    # the fallback of frames without it
    path = tmp_path / "20250101_0600_gill_smile-01_rgb-full.h5"
    frames = np.random.default_rng(3).integers(0, 255, (20, 24, 3, 2), dtype=np.uint8)
    with h5py.File(path, "w") as f:
        f["data/images"] = frames
        f["data/timestamp"] = np.array(
            [b"2025-01-01 06:00:00.000050 UTC", b"2025-01-01 06:00:03.000050 UTC"]
        )
        meta = f.create_dataset("metadata/file", shape=(0,), dtype="f4")
        meta.attrs["site_unique_id"] = "gill"
        meta.attrs["geodetic_longitude"] = "265.356323"  # 0-360 east
        meta.attrs["geodetic_latitude"] = "56.376724"
        frame0 = f.create_dataset("metadata/frame/frame0", shape=(0,), dtype="f4")
        frame0.attrs["image_request_start"] = "2025-01-01 06:00:00.000071 UTC"
        f.create_dataset("metadata/frame/frame1", shape=(0,), dtype="f4")
    out = geospacexr.open_asi(path)
    assert out.attrs["instrument"] == "smile" and out.attrs["site"] == "gill"
    assert str(out.time.values[0]) == "2025-01-01T06:00:00.000071000"
    assert str(out.time.values[1]) == "2025-01-01T06:00:03.000050000"
    assert out.attrs["site_lon"] == pytest.approx(265.356323 - 360.0)
    assert out.attrs["site_lat"] == pytest.approx(56.376724)
    np.testing.assert_array_equal(out.image.values[1], frames[::-1, :, :, 1])


LIVE = """
import sys, json, datetime, numpy as np, pyucalgarysrs
out, start, end = sys.argv[1:4]
files = sys.argv[4:]
kw = {}
if start:
    kw["start_time"] = datetime.datetime.fromisoformat(start)
if end:
    kw["end_time"] = datetime.datetime.fromisoformat(end)
d = pyucalgarysrs.PyUCalgarySRS().data.readers.read_smile(files, quiet=True, **kw)
assert not d.problematic_files, d.problematic_files
np.save(out, np.ascontiguousarray(np.moveaxis(d.data, -1, 0)))
print(json.dumps([t.isoformat() for t in d.timestamp]))
"""


@pytest.mark.skipif(not REF_PYTHON.exists(), reason="set GEOSPACEXR_REF_UCALGARY to compare live")
@pytest.mark.parametrize(
    ("start", "end"),
    [("", ""), ("2025-03-15T06:00:30", "2025-03-15T06:02:30"), ("2025-03-15T06:01:40", "")],
)
def test_matches_pyucalgarysrs_live(files, tmp_path, start, end):
    out = subprocess.run(
        [str(REF_PYTHON), "-c", LIVE, str(tmp_path / "ref.npy"), start, end, *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
    )
    ref = np.load(tmp_path / "ref.npy")
    ref_times = np.array(json.loads(out.stdout.strip().splitlines()[-1]), dtype="datetime64[ns]")
    ours = geospacexr.open_asi(files, start=start or None, end=end or None)
    assert ref.shape == ours.image.shape and ref.dtype == np.uint8
    np.testing.assert_array_equal(ours.image.values, ref)
    np.testing.assert_array_equal(ours.time.values, ref_times)
