"""The ASI reader against pyucalgarysrs, the University of Calgary's own reader.

pyucalgarysrs is never a dependency. Its output on the real files was recorded once as SHA-256
digests of its image arrays (pyucalgarysrs 1.28.0, ``data`` transposed to (time, y, x), as
little-endian uint16) and its first timestamps. With ``GEOSPACEXR_REF_UCALGARY`` set to a Python
interpreter that has pyucalgarysrs installed, the comparison also runs live, frame by frame.
"""

import hashlib
import json
import os
import subprocess

import numpy as np
import pytest

import geospacexr

# file -> (pyucalgarysrs reader, frames, sha256 of its data, first two timestamps)
REFERENCE = {
    "20140310_0600_gill_themis19_full.pgm.gz": (
        "read_themis",
        20,
        "0f1972d767c8bc3b2d96453a0ce34f136def9348829728055b555358cfbab875",
        ("2014-03-10T06:00:00.063119", "2014-03-10T06:00:03.042202"),
    ),
    "20220307_0600_gill_nir-216_8446.pgm.gz": (
        "read_trex_nir",
        10,
        "f41a4ab04c0e4e99ac67678f06a667842b7dc1070cbe41dee7fafcf694952502",
        None,
    ),
    "20220308_0600_gill_blue-814_full.pgm.gz": (
        "read_trex_blue",
        20,
        "9251b2695ff9846e17fa19dd9fc5e585d0ecbdb17a043c1f178403ac4f88505e",
        ("2022-03-08T06:00:00.233598", "2022-03-08T06:00:03.233862"),
    ),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_matches_recorded_pyucalgarysrs_output(shared_data, name):
    _, frames, digest, times = REFERENCE[name]
    ds = geospacexr.open_asi(shared_data / "asi" / name)
    assert ds.sizes["time"] == frames
    ours = hashlib.sha256(np.ascontiguousarray(ds.image.values).astype("<u2").tobytes()).hexdigest()
    assert ours == digest
    if times:
        got = [str(t)[:26] for t in ds.time.values[:2]]
        assert got == list(times)


LIVE = """
import sys, json, numpy as np, pyucalgarysrs
reader, path, out = sys.argv[1:4]
d = getattr(pyucalgarysrs.PyUCalgarySRS().data.readers, reader)([path])
np.save(out, np.ascontiguousarray(np.moveaxis(d.data, -1, 0)))
print(json.dumps([t.isoformat() for t in d.timestamp]))
"""


@pytest.mark.skipif(
    not os.environ.get("GEOSPACEXR_REF_UCALGARY"),
    reason="set GEOSPACEXR_REF_UCALGARY to compare live",
)
@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_matches_pyucalgarysrs_live(shared_data, name, tmp_path):
    python = os.environ["GEOSPACEXR_REF_UCALGARY"]
    reader = REFERENCE[name][0]
    path = shared_data / "asi" / name
    out = subprocess.run(
        [python, "-c", LIVE, reader, str(path), str(tmp_path / "ref.npy")],
        capture_output=True,
        text=True,
        check=True,
    )
    ref = np.load(tmp_path / "ref.npy")
    ds = geospacexr.open_asi(path)
    np.testing.assert_array_equal(ds.image.values, ref)
    times = json.loads(out.stdout.strip().splitlines()[-1])
    np.testing.assert_array_equal(ds.time.values, np.array(times, dtype="datetime64[ns]"))


def test_rgb_png_matches_pyucalgarysrs(shared_data):
    # pyucalgarysrs 1.28.0 read_trex_rgb: data (480, 553, 3, 1) moved to (1, 480, 553, 3)
    path = shared_data / "asi/20211030_060500_149606_gill_rgb-04_320ms_burst.png"
    ds = geospacexr.open_asi(path)
    assert ds.image.dims == ("time", "y", "x", "channel") and ds.image.dtype == np.uint8
    assert list(ds.channel.values) == ["r", "g", "b"]
    digest = hashlib.sha256(np.ascontiguousarray(ds.image.values).tobytes()).hexdigest()
    assert digest == "ceb3b7a2195e0df184c04f0f3508bb3a4b6d304d5bb1c70dd942f4f94afecb79"
    assert str(ds.time.values[0]) == "2021-10-30T06:05:00.149606000"
    assert ds.exposure_ms.values[0] == 320.0 and ds.attrs["instrument"] == "trex_rgb"
