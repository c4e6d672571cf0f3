import io
import json
import struct
import tarfile
import zlib

import numpy as np
import pytest

import geospacexr
from geospacexr import datasets
from geospacexr.errors import DataWarning, FileFormatError
from geospacexr.io import png


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


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_of(rows, width, height, color, extra=b""):
    """A PNG of filtered ``rows`` (each a filter byte and the row bytes)."""
    head = struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0)
    z = zlib.compress(b"".join(rows))
    cut = len(z) // 2  # two IDAT chunks
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", head)
        + extra
        + _chunk(b"IDAT", z[:cut])
        + _chunk(b"IDAT", z[cut:])
        + _chunk(b"IEND", b"")
    )


def test_plain_pngs_decode_as_pillow_does():
    from PIL import Image

    rng = np.random.default_rng(1)
    for _ in range(60):
        height, width = (int(v) for v in rng.integers(1, 12, 2))
        color = int(rng.choice([0, 2]))
        image = rng.integers(0, 256, (height, width * (3 if color else 1)), dtype=np.uint8)
        rows = []
        for i in range(height):
            up = i > 0 and rng.random() < 0.5
            row = (image[i].astype(int) - image[i - 1]) % 256 if up else image[i]
            rows.append(bytes([2 if up else 0]) + row.astype(np.uint8).tobytes())
        extra = _chunk(b"tEXt", b"k\0v") if rng.random() < 0.3 else b""
        data = _png_of(rows, width, height, color, extra)
        ours = png._plain_png(data)
        assert ours is not None
        assert np.array_equal(ours, np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
        damaged = bytearray(data)
        damaged[-20] ^= 1  # a CRC or IDAT byte: left to Pillow
        assert png._plain_png(bytes(damaged)) is None
    # Sub/Average/Paeth filters, palettes, 16 bits: left to Pillow
    sub = _png_of([b"\x01\x05\x06\x07"], 1, 1, 2)
    assert png._plain_png(sub) is None


def test_tar_of_many_tiny_frames(tmp_path):
    tiny = _png_of([b"\0\1\2\3"], 1, 1, 2)
    names = [
        f"20211030_06{i // 60 % 60:02d}{i % 60:02d}_{i:06d}_gill_rgb-04_320ms_burst.png"
        for i in range(3000)
    ]
    # one name beyond datetime64[ns], one before the instrument's first light
    names += [
        "22631030_060000_000000_gill_rgb-04_320ms_burst.png",
        "19901030_060000_000000_gill_rgb-04_320ms_burst.png",
    ]
    path = tmp_path / "20211030_0600_gill_rgb-04_burst.png.tar"
    with tarfile.open(path, "w") as tar:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = len(tiny)
            tar.addfile(info, io.BytesIO(tiny))
    with pytest.warns(DataWarning) as caught:
        ds = geospacexr.open_asi(path)
    assert ds.sizes["time"] == 3000
    assert np.all(ds.image.values == [1, 2, 3])
    message = str(caught[0].message)
    assert "impossible date or time" in message
    assert "plausible range" in message
    with pytest.warns(DataWarning):
        window = geospacexr.open_asi(path, start="2021-10-30T06:00:10", end="2021-10-30T06:00:19.5")
    assert window.sizes["time"] == 10
