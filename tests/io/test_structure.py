"""io.structure.check_structure: whole-file structure checks (used before a download is kept)."""

import bz2
import gzip
import io
import struct
import tarfile
import zlib
from pathlib import Path

import numpy as np
import pytest

import geospacexr.config as gxc
from geospacexr import datasets
from geospacexr.errors import FileFormatError
from geospacexr.io.structure import check_structure

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "asi"


def pgm_frame(width=4, height=3, maxval=65535, meta=b'#"key" value\n'):
    pixels = bytes(width * height * (2 if maxval > 255 else 1))
    return b"P5\n" + meta + f"{width} {height}\n{maxval}\n".encode() + pixels


def png_bytes(width=3, height=2):
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(np.zeros((height, width, 3), np.uint8)).save(out, format="PNG")
    return out.getvalue()


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "name",
    [
        "20140310_0600_gill_themis19_full.pgm.gz",
        "20220307_0600_gill_nir-216_8446.pgm.gz",
        "20220308_0600_gill_blue-814_full.pgm.gz",
        "20211030_060500_149606_gill_rgb-04_320ms_burst.png",
        "themis_skymap_atha_20230115-+_v02.sav",
        "REGO_Rayleighs_15651_20210908-+_v02.sav",
        "20230324_0600_110km_MOSv001_grid_themis-asi.h5",
    ],
)
def test_real_files_pass(name):
    path = REAL / name
    if not path.exists():
        pytest.skip("real data folder not linked")
    check_structure(path)


def test_sample_hdf5_and_tar_pass():
    for path in sorted(datasets.sample_path("trex_rgb-gill").glob("*.h5"))[:1]:
        check_structure(path, reader="asi-h5")
    for path in sorted(datasets.sample_path("trex_rgb-gill-burst").glob("*.tar"))[:1]:
        check_structure(path)


def test_pgm_frames(tmp_path):
    good = pgm_frame() + pgm_frame(meta=b"#\n") + pgm_frame(maxval=255)
    check_structure(write(tmp_path, "a.pgm", good))
    check_structure(write(tmp_path, "a.pgm.gz", gzip.compress(good)))
    check_structure(write(tmp_path, "a.pgm.bz2", bz2.compress(good)))
    # a .part file is judged by the name it will get
    check_structure(write(tmp_path, "x.part", gzip.compress(good)), name="a.pgm.gz")
    cases = {
        "pixel bytes before the end": good[:-1],
        "magic 'P5'": good + b"\0" * 64,  # zeros after a good file
        "implausible size": pgm_frame(width=40000, height=1)[:60],
        "maxval": pgm_frame(maxval=70000),
        "bad size": b"P5\nfour 3\n65535\n" + bytes(24),
        "cut short": b"P5\n4 3\n",
        "unterminated": b"P5\n" + b"#" * 5000,
        "empty": b"",
    }
    for message, data in cases.items():
        with pytest.raises(FileFormatError, match=message):
            check_structure(write(tmp_path, "b.pgm", data))


def test_compressed_damage(tmp_path):
    good = gzip.compress(pgm_frame() * 3)
    for bad in (good[:-4], good[:-8] + bytes(4) + good[-4:], good[: len(good) // 2]):
        with pytest.raises(FileFormatError, match="damaged or truncated"):
            check_structure(write(tmp_path, "c.pgm.gz", bad))
    with pytest.raises(FileFormatError, match="damaged or truncated"):
        check_structure(write(tmp_path, "c.dat.bz2", bz2.compress(b"x" * 1000)[:-10]))
    check_structure(write(tmp_path, "c.dat.gz", gzip.compress(b"x" * 1000)))


def test_decompressed_size_is_bounded(tmp_path):
    bomb = write(tmp_path, "bomb.dat.gz", gzip.compress(bytes(3 << 20)))
    with gxc.override({"io.max_decompressed_mb": 1.0}):
        with pytest.raises(FileFormatError, match=r"more than 1 MB \(io.max_decompressed_mb"):
            check_structure(bomb)
    check_structure(bomb)


def test_png(tmp_path):
    good = png_bytes()
    check_structure(write(tmp_path, "a.png", good))
    ihdr_end = 8 + 8 + 13 + 4
    bad_depth = good[:8] + chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 2, 3, 2, 0, 0, 0))
    cases = {
        "no PNG signature": b"GIF89a" + good[6:],
        "first chunk": good[:8] + chunk(b"tEXt", b"a\0b") + good[8:],
        "bit depth": bad_depth + good[ihdr_end:],
        "IHDR size": good[:8] + chunk(b"IHDR", struct.pack(">IIBBBBB", 0, 2, 8, 2, 0, 0, 0)),
        "fails its CRC": good[:40] + bytes([good[40] ^ 1]) + good[41:],
        "before IEND": good[:-12],
        "data after IEND": good + b"x",
    }
    for message, data in cases.items():
        with pytest.raises(FileFormatError, match=message):
            check_structure(write(tmp_path, "b.png", data))


def _tar(members, mode="w"):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def test_tar(tmp_path):
    png = png_bytes()
    good = _tar([("a.png", png), ("b.png", png)])
    check_structure(write(tmp_path, "a.png.tar", good))
    check_structure(write(tmp_path, "z.png.tar", _tar([("a.png", png)], "w:gz")))
    check_structure(write(tmp_path, "e.png.tar", good[:2048]))  # ends at a member boundary
    second = 512 + 512 * -(-len(png) // 512)
    header = bytearray(good)
    header[second + 100 : second + 108] = b"garbage!"
    cases = {
        "not a regular file": _tar([("a.png", png), ("link.png", None)]),
        "damaged tar header after 1 member": bytes(header),
        "fails its CRC": _tar([("a.png", png[:40] + bytes([png[40] ^ 1]) + png[41:])]),
        "empty tar": bytes(10240),
        "damaged tar after 1 member": good[: second + 512 + len(png) // 2],
        "a damaged tar header after 1": good[: second + 100],
    }
    for message, data in cases.items():
        with pytest.raises(FileFormatError, match=message):
            check_structure(write(tmp_path, "b.png.tar", data))
    big = write(tmp_path, "big.png.tar", _tar([("a.bin", bytes(3 << 20))]))
    with gxc.override({"io.max_decompressed_mb": 1.0}):
        with pytest.raises(FileFormatError, match="io.max_decompressed_mb"):
            check_structure(big)


def test_hdf5(tmp_path):
    import h5py

    with pytest.raises(FileFormatError, match="not a readable HDF5"):
        check_structure(write(tmp_path, "a.h5", b"\x89HDF\r\n\x1a\n" + bytes(100)))
    path = tmp_path / "b.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("data/images", data=np.zeros((4, 4, 3, 2), np.uint8), chunks=(4, 4, 3, 1))
        f.create_dataset("data/timestamp", data=np.array([b"a", b"b"]))
    check_structure(path, reader="asi-h5")
    data = path.read_bytes()
    with pytest.raises(FileFormatError, match="HDF5"):
        check_structure(write(tmp_path, "c.h5", data[: len(data) // 2]), reader="asi-h5")
    with h5py.File(path, "a") as f:
        del f["data/timestamp"]
    with pytest.raises(FileFormatError, match="/data/timestamp"):
        check_structure(path, reader="asi-h5")
    check_structure(path)  # no reader given: no datasets required


def test_idl_save(tmp_path):
    sky = datasets.sample_path("themis-gill-skymap").read_bytes()
    check_structure(write(tmp_path, "s.sav", sky))
    with pytest.raises(FileFormatError, match="record"):
        check_structure(write(tmp_path, "t.sav", sky[: len(sky) // 2]))


def test_other_files_pass_unchecked(tmp_path):
    check_structure(write(tmp_path, "README.txt", b"\0\1anything"))


def test_pgm_frame_count_is_bounded(tmp_path, monkeypatch):
    from geospacexr.io import structure

    path = write(tmp_path, "many.pgm.gz", gzip.compress(pgm_frame(1, 1) * 3))
    check_structure(path)
    if hasattr(gxc.get().io, "max_frames"):  # the setting, once the configuration has it
        with gxc.override({"io.max_frames": 2}):
            with pytest.raises(FileFormatError, match=r"more than 2 frames \(io.max_frames"):
                check_structure(path)
    else:
        monkeypatch.setattr(structure, "MAX_FRAMES", 2)
        with pytest.raises(FileFormatError, match=r"more than 2 frames \(io.max_frames"):
            check_structure(path)


def test_hdf5_external_storage_is_refused_whatever_the_reader(tmp_path):
    import h5py

    outside = write(tmp_path, "outside.bin", b"s" * 16)
    path = tmp_path / "x.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("any/where", (16,), np.uint8, external=[(str(outside), 0, 16)])
    with pytest.raises(FileFormatError, match="external"):
        check_structure(path)
