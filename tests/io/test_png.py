import io
import json
import tarfile

import numpy as np
import pytest

import geospacexr
from geospacexr import datasets
from geospacexr.errors import DataWarning, FileFormatError


def test_png_tar_sample():
    ds = datasets.open_sample("trex_rgb-gill-burst")
    assert ds.image.shape == (12, 480, 553, 3)
    assert np.all(np.diff(ds.time.values) > np.timedelta64(0))
    assert geospacexr.open(datasets.sample_path("trex_rgb-gill-burst") / "*.png.tar").identical(ds)
    keo = ds.asi.keogram()
    assert keo.dims == ("y", "time", "channel")
    green = keo.sel(channel="g").values.astype(float)
    assert green.max() > 100  # the green arc


def test_damaged_frame_in_a_tar_is_skipped(tmp_path):
    src = sorted(datasets.sample_path("trex_rgb-gill-burst").glob("*.png.tar"))[0]
    out = tmp_path / src.name
    with tarfile.open(src) as tin, tarfile.open(out, "w") as tout:
        for k, member in enumerate(tin.getmembers()):
            data = tin.extractfile(member).read()
            if k == 2:
                data = data[:100]
            member.size = len(data)
            tout.addfile(member, io.BytesIO(data))
    with pytest.warns(DataWarning, match="cannot decode PNG"):
        ds = geospacexr.open_asi(out)
    assert ds.sizes["time"] == 5
    assert len(json.loads(ds.attrs["problematic_files"])) == 1


def test_unreadable_png(tmp_path):
    bad = tmp_path / "20211030_060500_149606_gill_rgb-04_320ms_burst.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    with pytest.raises(FileFormatError, match="no PNG frame could be read"):
        geospacexr.open_asi(bad)
