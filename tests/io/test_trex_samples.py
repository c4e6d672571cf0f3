"""TREx NIR and Blueline samples (trex_nir-gill, trex_blue-gill and their skymaps).

Expectations come from the files themselves, decoded here with gzip and numpy (not with
geospacexr's reader), from the real GILL files of the shared test data (header layout, dark
level), and from the published facts the samples follow (NIR: 256x256 frames every 6 s; Blueline:
320 wide x 270 high every 3 s; GILL at 56.376723 N, -94.643664 E). With pyucalgarysrs available
(``GEOSPACEXR_REF_UCALGARY`` names its interpreter) the reader is also compared live with
pyucalgarysrs's ``read_trex_nir`` / ``read_trex_blue``.
"""

import gzip
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

import geospacexr
from geospacexr import datasets
from geospacexr.asi import check_skymap

REF_PYTHON = Path(os.environ.get("GEOSPACEXR_REF_UCALGARY") or "/nonexistent")
GILL = (56.376723, -94.643664)

#: instrument -> what the sample must be (from the real files and the TREx documentation)
SPEC = {
    "trex_nir": {
        "sample": "trex_nir-gill",
        "imager": "nir-216",
        "shape": (256, 256),  # rows, columns
        "cadence_s": 6,
        "per_minute": 10,
        "minutes": ["20220307_0600", "20220307_0601", "20220307_0602"],
        "tail": "8446",
        "first_keys": 40,
        "later_keys": 10,
        "bare": 2,
        "skymap": "nir_skymap_gill_20220301-+_v01.sav",
        "project": "nir",
        "real": "20220307_0600_gill_nir-216_8446.pgm.gz",
        "reader": "read_trex_nir",
    },
    "trex_blue": {
        "sample": "trex_blue-gill",
        "imager": "blue-814",
        "shape": (270, 320),
        "cadence_s": 3,
        "per_minute": 20,
        "minutes": ["20220308_0600", "20220308_0601"],
        "tail": "full",
        "first_keys": 35,
        "later_keys": 10,
        "bare": 0,
        "skymap": "blue_skymap_gill_20220301-+_v01.sav",
        "project": "blue",
        "real": "20220308_0600_gill_blue-814_full.pgm.gz",
        "reader": "read_trex_blue",
    },
}
INSTRUMENTS = list(SPEC)


def decode(path):
    """Frames of a gzipped multi-frame PGM: ([header lines], pixels as stored) per frame."""
    data = gzip.decompress(Path(path).read_bytes())
    frames, pos = [], 0
    while pos < len(data):
        assert data.startswith(b"P5\n", pos)
        pos += 3
        lines = []
        while data.startswith(b"#", pos):
            end = data.index(b"\n", pos)
            lines.append(data[pos : end + 1])
            pos = end + 1
        end = data.index(b"\n", pos)
        width, height = map(int, data[pos:end].split())
        pos = end + 1
        end = data.index(b"\n", pos)
        assert data[pos:end] == b"65535"
        pos = end + 1
        pixels = np.frombuffer(data, ">u2", width * height, pos).reshape(height, width)
        frames.append((lines, pixels))
        pos += width * height * 2
    return frames


def key_of(line):
    m = re.match(rb'#"([^"]*)"', line)
    return m.group(1).decode() if m else None


def value_of(lines, key):
    for line in lines:
        if key_of(line) == key:
            return line.decode().split('"', 2)[2].strip()
    return None


def layout(lines):
    """A header's structure: key names in order (None for bare '#'), and trailing-space flags."""
    return [(key_of(line), line.endswith(b" \n")) for line in lines]


@pytest.fixture(scope="module", params=INSTRUMENTS)
def inst(request):
    return request.param


@pytest.fixture(scope="module")
def files(inst):
    return sorted(datasets.sample_path(SPEC[inst]["sample"]).glob("*.pgm.gz"))


@pytest.fixture(scope="module")
def ds(files):
    return geospacexr.open_asi(files)


@pytest.fixture(scope="module")
def skymap(inst):
    return datasets.open_sample(SPEC[inst]["sample"] + "-skymap")


def test_files_follow_the_real_naming(inst, files):
    spec = SPEC[inst]
    assert [f.name for f in files] == [
        f"{minute}_gill_{spec['imager']}_{spec['tail']}.pgm.gz" for minute in spec["minutes"]
    ]
    for f in files:
        raw = f.read_bytes()
        # gzip layer as the real files: FNAME is the inner name, MTIME set, OS = 3 (Unix)
        assert raw[3] & 0x08 and raw[9] == 3
        assert raw[10 : raw.index(b"\0", 10)] == f.name.removesuffix(".gz").encode()
        assert int.from_bytes(raw[4:8], "little") > 0


def test_header_layout(inst, files):
    spec = SPEC[inst]
    for f in files:
        frames = decode(f)
        assert len(frames) == spec["per_minute"]
        for i, (lines, pixels) in enumerate(frames):
            keys = [k for k in (key_of(line) for line in lines) if k is not None]
            bare = sum(line == b"#\n" for line in lines)
            assert len(keys) == (spec["first_keys"] if i == 0 else spec["later_keys"])
            assert bare == spec["bare"]
            # the frame's keys end with the exposure, then only the bare '#' lines
            assert keys[-1] == "Exposure plus readout"
            assert all(line == b"#\n" for line in lines[len(lines) - bare :])
            assert pixels.shape == spec["shape"]
        first = frames[0][0]
        assert value_of(first, "Site unique ID") == "gill"
        assert value_of(first, "Imager unique ID") == spec["imager"]
        assert float(value_of(first, "Geographic latitude")) == pytest.approx(GILL[0], abs=1e-6)
        assert float(value_of(first, "Geographic longitude")) == pytest.approx(GILL[1], abs=1e-6)


def test_header_layout_is_the_real_one(inst, files, shared_data):
    # same keys, order, spelling, bare '#' lines and trailing spaces as the real GILL file
    real = decode(shared_data / "asi" / SPEC[inst]["real"])
    ours = decode(files[0])
    assert layout(ours[0][0]) == layout(real[0][0])
    for k in range(1, len(real)):
        assert layout(ours[k][0]) == layout(real[k][0])
    # value formats: the same shape of text, digits aside
    shape = lambda line: re.sub(rb"\d", b"0", line)  # noqa: E731
    assert [shape(line) for line in ours[1][0]] == [shape(line) for line in real[1][0]]


def test_reads_as_the_instrument(inst, ds, files):
    spec = SPEC[inst]
    n = spec["per_minute"] * len(spec["minutes"])
    assert ds.attrs["geospacexr_kind"] == "asi"
    assert ds.attrs["instrument"] == inst
    assert ds.attrs["site"] == "gill" and ds.attrs["imager"] == spec["imager"]
    assert ds.image.dims == ("time", "y", "x")
    assert ds.image.dtype == np.uint16
    assert ds.sizes == {"time": n, "y": spec["shape"][0], "x": spec["shape"][1]}
    assert json.loads(ds.attrs["problematic_files"]) == []
    # times: each frame's request start, read from the headers here
    expected = []
    exposures = []
    for f in files:
        for lines, _ in decode(f):
            text = value_of(lines, "Image request start").removesuffix(" UTC")
            expected.append(np.datetime64(text.replace(" ", "T"), "ns"))
            exposures.append(float(value_of(lines, "Exposure plus readout").removesuffix(" ms")))
    np.testing.assert_array_equal(ds.time.values, np.array(expected))
    step = np.diff(ds.time.values) / np.timedelta64(1, "s")
    np.testing.assert_allclose(step, spec["cadence_s"], atol=0.01)
    np.testing.assert_array_equal(ds.exposure_ms.values, np.array(exposures, dtype=np.float32))


def test_timing_and_exposure_like_the_real_files(inst, ds):
    since = (ds.time.values - ds.time.values[0].astype("datetime64[m]")) / np.timedelta64(1, "us")
    if inst == "trex_nir":
        # requested on the whole 6 s; 5001 or 5002 ms exposure plus readout
        np.testing.assert_array_equal(since, np.arange(ds.sizes["time"]) * 6_000_000)
        assert set(ds.exposure_ms.values.tolist()) <= {5001.0, 5002.0}
        assert 5001.0 in ds.exposure_ms.values
    else:
        # requested about 0.23 s after each 3 s step; 2999.5 ms exposure plus readout
        late = since - np.arange(ds.sizes["time"]) * 3_000_000
        assert np.all((late > 220_000) & (late < 240_000))
        assert np.all(ds.exposure_ms.values == 2999.5)


def test_orientation_matches_pyucalgarysrs_convention(inst, ds, files):
    # image[k] is the stored frame with its rows flipped (no column flip for TREx)
    per = SPEC[inst]["per_minute"]
    frames = decode(files[1])
    for i in (0, per - 1):
        np.testing.assert_array_equal(ds.image.values[per + i], frames[i][1][::-1])


def test_levels_like_the_real_files(inst, ds, skymap, shared_data):
    real = geospacexr.open_asi(shared_data / "asi" / SPEC[inst]["real"])
    img = ds.image.values.astype(float)
    outside = np.isnan(skymap.elevation.values)
    assert outside.any()
    dark = img[:, outside]
    if inst == "trex_nir":
        # the real NIR corners (outside the field of view): dark level and read noise
        ref = real.image.values[:, :20, :20].astype(float)
        assert dark.mean() == pytest.approx(ref.mean(), abs=10)
        assert dark.std() == pytest.approx(ref.std(), rel=0.3)
    else:
        # the real Blueline frame has no unlit pixel: the dark level lies below its corners
        ref = real.image.values.astype(float)
        assert np.percentile(ref, 0.1) < dark.mean() < ref[:, :20, :20].mean()
    # the sky near the zenith as bright as the real one, the arc above it
    h, w = ds.sizes["y"], ds.sizes["x"]
    centre = (slice(h // 2 - 10, h // 2 + 10), slice(w // 2 - 10, w // 2 + 10))
    ref_centre = np.median(real.image.values[:, centre[0], centre[1]])
    assert np.median(img[0][centre]) == pytest.approx(ref_centre, rel=0.15)
    assert np.percentile(img, 99.9) > 1.5 * ref_centre
    assert img.max() < 65535


def test_skymap_fits_the_images(inst, ds, skymap):
    spec = SPEC[inst]
    path = datasets.sample_path(spec["sample"] + "-skymap")
    assert path.name == spec["skymap"]
    assert skymap.attrs["source_file"] == spec["skymap"]
    assert skymap.attrs["project"] == spec["project"] and skymap.attrs["instrument"] == inst
    assert skymap.attrs["site"] == "gill" and skymap.attrs["imager"] == spec["imager"]
    assert skymap.attrs["valid_start"] == "2022-03-01T00:00:00" and skymap.attrs["valid_end"] == ""
    assert skymap.attrs["site_lat"] == pytest.approx(GILL[0], abs=1e-5)
    assert skymap.attrs["site_lon"] == pytest.approx(GILL[1], abs=1e-4)
    h, w = spec["shape"]
    assert skymap.elevation.shape == (h, w)
    assert skymap.lat_corner.shape == (3, h + 1, w + 1)
    np.testing.assert_allclose(skymap.altitude.values, [90.0, 110.0, 150.0])
    assert np.nanmax(skymap.elevation.values) > 89.0
    check_skymap(ds, skymap)  # raises if the site, instrument or size differ


def test_skymap_of_the_other_instrument_is_refused(inst, ds):
    other = "trex_blue" if inst == "trex_nir" else "trex_nir"
    with pytest.raises(geospacexr.errors.IncompatibleInputError):
        check_skymap(ds, datasets.open_sample(SPEC[other]["sample"] + "-skymap"))


def test_arc_drifts_equatorward(ds, skymap):
    keo = ds.asi.keogram(skymap, axis="geo")
    peaks = keo.lat.values[np.argmax(keo.transpose("lat", "time").values, axis=0)]
    seconds = (ds.time.values - ds.time.values[0]) / np.timedelta64(1, "s")
    # 1.3 degrees poleward of GILL at first, then ~0.0072 degree/s (0.8 km/s) equatorward
    assert peaks[0] == pytest.approx(GILL[0] + 1.3, abs=0.3)
    assert peaks[-1] == pytest.approx(GILL[0] + 1.3 - 0.0072 * seconds[-1], abs=0.3)
    slope = np.polyfit(seconds, peaks, 1)[0]
    assert slope == pytest.approx(-0.0072, rel=0.25)


def test_samples_are_deterministic(inst, files, tmp_path):
    spec = SPEC[inst]
    with geospacexr.config.override({"paths.sample_dir": str(tmp_path)}):
        again = sorted(datasets.sample_path(spec["sample"]).glob("*.pgm.gz"))
        sky_again = datasets.sample_path(spec["sample"] + "-skymap")
    sky = datasets.sample_path(spec["sample"] + "-skymap")
    assert [f.name for f in again] == [f.name for f in files]
    for a, b in zip([*files, sky], [*again, sky_again], strict=True):
        assert (
            hashlib.sha256(a.read_bytes()).hexdigest() == hashlib.sha256(b.read_bytes()).hexdigest()
        )


LIVE = """
import sys, json, datetime, numpy as np, pyucalgarysrs
reader, out, start, end = sys.argv[1:5]
files = sys.argv[5:]
kw = {}
if start:
    kw["start_time"] = datetime.datetime.fromisoformat(start)
if end:
    kw["end_time"] = datetime.datetime.fromisoformat(end)
d = getattr(pyucalgarysrs.PyUCalgarySRS().data.readers, reader)(files, quiet=True, **kw)
assert not d.problematic_files, d.problematic_files
np.save(out, np.ascontiguousarray(np.moveaxis(d.data, -1, 0)))
print(json.dumps([t.isoformat() for t in d.timestamp]))
"""

LIVE_SKYMAP = """
import sys, numpy as np, pyucalgarysrs
sky = pyucalgarysrs.PyUCalgarySRS().data.readers.read_skymap(sys.argv[2], quiet=True).data[0]
np.savez(sys.argv[1], elevation=sky.full_elevation, lat=sky.full_map_latitude)
print(sky.project_uid, sky.site_uid, sky.imager_uid)
"""


@pytest.mark.skipif(not REF_PYTHON.exists(), reason="set GEOSPACEXR_REF_UCALGARY to compare live")
@pytest.mark.parametrize(
    ("start", "end"),
    # bounds between frames: pyucalgarysrs compares frame times truncated to the second
    [("", ""), ("06:00:31", "06:01:37.5")],
)
def test_matches_pyucalgarysrs_live(inst, files, tmp_path, start, end):
    day = SPEC[inst]["minutes"][0][:8]
    day = f"{day[:4]}-{day[4:6]}-{day[6:]}T"
    start, end = (day + start if start else ""), (day + end if end else "")
    out = subprocess.run(
        [str(REF_PYTHON), "-c", LIVE, SPEC[inst]["reader"], str(tmp_path / "ref.npy"), start, end]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        check=True,
    )
    ref = np.load(tmp_path / "ref.npy")
    ref_times = np.array(json.loads(out.stdout.strip().splitlines()[-1]), dtype="datetime64[ns]")
    ours = geospacexr.open_asi(files, start=start or None, end=end or None)
    assert ref.shape == ours.image.shape and ref.dtype == np.uint16
    np.testing.assert_array_equal(ours.image.values, ref)
    np.testing.assert_array_equal(ours.time.values, ref_times)
    if not start:
        assert ours.sizes["time"] == SPEC[inst]["per_minute"] * len(files)


@pytest.mark.skipif(not REF_PYTHON.exists(), reason="set GEOSPACEXR_REF_UCALGARY to compare live")
def test_skymap_matches_pyucalgarysrs_live(inst, skymap, tmp_path):
    path = datasets.sample_path(SPEC[inst]["sample"] + "-skymap")
    out = subprocess.run(
        [str(REF_PYTHON), "-c", LIVE_SKYMAP, str(tmp_path / "sky.npz"), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == [SPEC[inst]["project"], "gill", SPEC[inst]["imager"]]
    ref = np.load(tmp_path / "sky.npz")
    np.testing.assert_array_equal(skymap.elevation.values, ref["elevation"])
    np.testing.assert_array_equal(skymap.lat_corner.values, ref["lat"])
