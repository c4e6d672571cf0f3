"""Damaged MAGE files are refused with a FileFormatError that names the file, group, dataset."""

from __future__ import annotations

import shutil

import h5py
import numpy as np
import pytest

import geospacexr
from geospacexr import config
from geospacexr.errors import FileFormatError


def replace(f, name, **kwargs):
    del f[name]
    f.create_dataset(name, **kwargs)


def shape_of(f, name):
    return f[name].shape


def external(f, name, folder):
    old = f[name]
    nbytes = int(np.prod(old.shape)) * old.dtype.itemsize
    (folder / "secret.bin").write_bytes(bytes(range(256)) * (nbytes // 256 + 1))
    replace(
        f,
        name,
        shape=old.shape,
        dtype=old.dtype,
        external=[(str(folder / "secret.bin"), 0, nbytes)],
    )


def virtual(f, name, folder):
    old = f[name]
    layout = h5py.VirtualLayout(shape=old.shape, dtype=old.dtype)
    layout[...] = h5py.VirtualSource(str(folder / "missing.h5"), "x", shape=old.shape)
    shape, dtype = old.shape, old.dtype
    del f[name]
    f.create_virtual_dataset(name, layout, fillvalue=0)
    assert f[name].shape == shape and f[name].dtype == dtype


def set_attr(obj_name, key, value):
    def edit(f, folder):
        f[obj_name].attrs[key] = value

    return edit


def drop_cache(f):
    if "timeAttributeCache" in f:
        del f["timeAttributeCache"]


GAMERA_EDITS = {
    "step variable of the wrong shape (first step)": (
        lambda f, d: replace(f, "Step#0/Bx", data=np.zeros((32, 16, 31), "f4")),
        "Step#0/Bx has shape",
    ),
    "step variable of the wrong shape (later step)": (
        lambda f, d: replace(f, "Step#2/Bx", data=np.zeros((32, 16, 31), "f4")),
        "Step#2/Bx has shape",
    ),
    "Y not the shape of X": (
        lambda f, d: replace(f, "Y", data=np.zeros((33, 17, 30), "f4")),
        "Y has shape",
    ),
    "dV of the wrong shape": (
        lambda f, d: replace(f, "dV", data=np.zeros(5, "f4")),
        "dV has shape",
    ),
    "no X": (lambda f, d: f.move("X", "Xold"), "no dataset X"),
    "missing variable in a later step": (lambda f, d: f.__delitem__("Step#1/D"), "Step#1/D"),
    "text step data": (
        lambda f, d: replace(f, "Step#3/P", data=np.full((32, 16, 32), b"abc")),
        "Step#3/P has the HDF5 type",
    ),
    "no steps": (
        lambda f, d: [drop_cache(f)] + [f.__delitem__(f"Step#{n}") for n in range(4)],
        "no Step#<n> groups",
    ),
    "text MagM0": (set_attr("/", "MagM0", "strong"), "MagM0 is"),
    "numeric UnitsID": (set_attr("/", "UnitsID", 5), "UnitsID is not text"),
    "text MJD in the steps": (
        lambda f, d: [drop_cache(f), set_attr("Step#1", "MJD", "noon")(f, d)],
        "Step#1 attribute MJD",
    ),
    "MJD beyond datetime64": (
        lambda f, d: [drop_cache(f), set_attr("Step#2", "MJD", 1e9)(f, d)],
        "MJD",
    ),
    "MJD on some steps only": (
        lambda f, d: [drop_cache(f), f["Step#2"].attrs.__delitem__("MJD")],
        "attribute MJD is on 3 of 4",
    ),
    "time cache of text": (
        lambda f, d: replace(f, "timeAttributeCache/MJD", data=np.array([b"a"] * 4)),
        "timeAttributeCache/MJD",
    ),
    "time cache listing a missing step": (
        lambda f, d: replace(f, "timeAttributeCache/step", data=np.array([0, 1, 2, 9])),
        "no Step# group",
    ),
    "time cache of another length": (
        lambda f, d: replace(f, "timeAttributeCache/MJD", data=np.zeros(7)),
        "7 values for 4 steps",
    ),
    "step group not numbered": (lambda f, d: f.create_group("Step#abc"), "Step#abc"),
    "external storage (first step)": (lambda f, d: external(f, "Step#0/D", d), "external storage"),
    "external storage (later step)": (lambda f, d: external(f, "Step#3/Bz", d), "external storage"),
    "virtual dataset": (lambda f, d: virtual(f, "Step#2/Vx", d), "virtual dataset"),
    "huge declared grid": (
        lambda f, d: replace(
            f, "X", shape=(4000, 4000, 4000), dtype="f4", chunks=(16, 16, 16), compression="gzip"
        ),
        "io.max_array_mb",
    ),
}


@pytest.mark.parametrize("label", sorted(GAMERA_EDITS))
def test_damaged_gamera(label, serial_path, tmp_path):
    edit, message = GAMERA_EDITS[label]
    copy = tmp_path / "msphere.gam.h5"
    shutil.copy(serial_path, copy)
    with h5py.File(copy, "r+") as f:
        edit(f, tmp_path)
    with pytest.raises(FileFormatError, match=message) as info:
        geospacexr.open_gamera(copy).load()
    assert str(copy) in str(info.value)


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_truncated_gamera(keep, serial_path, tmp_path):
    data = serial_path.read_bytes()
    copy = tmp_path / "msphere.gam.h5"
    copy.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(FileFormatError, match=str(copy)):
        geospacexr.open_gamera(copy).load()


def test_external_storage_allowed_by_configuration(serial_path, tmp_path):
    copy = tmp_path / "msphere.gam.h5"
    shutil.copy(serial_path, copy)
    with h5py.File(copy, "r+") as f:
        external(f, "Step#3/Bz", tmp_path)
    with config.override({"io.hdf5_external_storage": True}):
        ds = geospacexr.open_gamera(copy).load()
    assert ds.Bz.shape[0] == 4


def blocks_copy(mpi_dir, tmp_path):
    for p in mpi_dir.glob("*.gam.h5"):
        shutil.copy(p, tmp_path / p.name)
    return sorted(tmp_path.glob("*.gam.h5"))


def test_mpi_block_of_another_run(mpi_dir, tmp_path):
    blocks = blocks_copy(mpi_dir, tmp_path)
    with h5py.File(blocks[3], "r+") as f:
        f["X"][...] = f["X"][()] + 1.0
    with pytest.raises(FileFormatError, match="shared faces"):
        geospacexr.open_gamera(blocks[0])


def test_mpi_block_missing_a_step(mpi_dir, tmp_path):
    blocks = blocks_copy(mpi_dir, tmp_path)
    with h5py.File(blocks[2], "r+") as f:
        del f["Step#3"]
    with pytest.raises(FileFormatError, match="block misses Step#3") as info:
        geospacexr.open_gamera(blocks[0])
    assert blocks[2].name in str(info.value)


def test_mpi_block_of_another_size(mpi_dir, tmp_path):
    blocks = blocks_copy(mpi_dir, tmp_path)
    with h5py.File(blocks[1], "r+") as f:
        replace(f, "Z", data=np.zeros((33, 9, 16), "f4"))
    with pytest.raises(FileFormatError, match="Z has shape"):
        geospacexr.open_gamera(blocks[0])


REMIX_EDITS = {
    "corners off the unit sphere": (
        lambda f, d: replace(f, "X", data=5 * f["X"][()]),
        "outside the unit sphere",
    ),
    "corners in no order": (
        lambda f, d: replace(f, "X", data=f["X"][()][::-1]),
        "not circles of increasing colatitude",
    ),
    "plane of the wrong shape": (
        lambda f, d: replace(f, "Step#0/Potential NORTH", data=np.zeros((45, 89), "f4")),
        "Potential NORTH has shape",
    ),
    "later plane of the wrong shape": (
        lambda f, d: replace(f, "Step#3/Potential SOUTH", data=np.zeros((3, 3), "f4")),
        "Step#3/Potential SOUTH has shape",
    ),
    "no potential": (
        lambda f, d: [f.__delitem__(f"Step#0/Potential {h}") for h in ("NORTH", "SOUTH")],
        "no 'Potential NORTH/SOUTH'",
    ),
    "text CPCP": (set_attr("Step#1", "nCPCP", "big"), "Step#1 attribute nCPCP"),
    "no Y": (lambda f, d: f.__delitem__("Y"), "no X and Y"),
    "virtual plane": (lambda f, d: virtual(f, "Step#2/Number flux NORTH", d), "virtual dataset"),
}


@pytest.mark.parametrize("label", sorted(REMIX_EDITS))
def test_damaged_remix(label, remix_path, tmp_path):
    edit, message = REMIX_EDITS[label]
    copy = tmp_path / "msphere.mix.h5"
    shutil.copy(remix_path, copy)
    with h5py.File(copy, "r+") as f:
        edit(f, tmp_path)
    with pytest.raises(FileFormatError, match=message) as info:
        geospacexr.open_remix(copy).load()
    assert str(copy) in str(info.value)


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.95])
def test_truncated_remix(keep, remix_path, tmp_path):
    data = remix_path.read_bytes()
    copy = tmp_path / "msphere.mix.h5"
    copy.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(FileFormatError, match=str(copy)):
        geospacexr.open_remix(copy).load()
