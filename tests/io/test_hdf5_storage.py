"""HDF5 datasets whose values live in other files are refused unless the user opts in."""

import shutil

import h5py
import numpy as np
import pytest

import geospacexr
from geospacexr import config, datasets
from geospacexr.errors import FileFormatError


@pytest.fixture(scope="module")
def rgb_file():
    return sorted(datasets.sample_path("trex_rgb-gill").glob("*.h5"))[0]


def _images(path):
    with h5py.File(path, "r") as f:
        return f["data/images"][()]


def test_external_storage_is_refused_by_default(tmp_path, rgb_file):
    images = _images(rgb_file)
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.arange(images.size, dtype=np.uint64).astype(np.uint8).tobytes())
    path = tmp_path / rgb_file.name
    shutil.copy(rgb_file, path)
    with h5py.File(path, "a") as f:
        del f["data/images"]
        f.create_dataset(
            "data/images", shape=images.shape, dtype=images.dtype,
            external=[(str(secret), 0, images.nbytes)],
        )  # fmt: skip
    with pytest.raises(FileFormatError, match="external storage") as err:
        geospacexr.open_asi(path)
    assert "io.hdf5_external_storage" in str(err.value) and str(secret) in str(err.value)
    with config.override({"io.hdf5_external_storage": True}):  # the opt-in reads it
        ds = geospacexr.open_asi(path)
    assert ds.sizes["time"] == images.shape[-1]


def _virtual(path, source, shape, dtype):
    layout = h5py.VirtualLayout(shape=shape, dtype=dtype)
    layout[...] = h5py.VirtualSource(source.name, "data/images", shape=shape)
    with h5py.File(path, "a") as f:
        del f["data/images"]
        f.create_virtual_dataset("data/images", layout, fillvalue=0)


def test_virtual_datasets_are_refused_and_missing_sources_are_errors(tmp_path, rgb_file):
    images = _images(rgb_file)
    source = tmp_path / "source.h5"
    with h5py.File(source, "w") as f:
        f["data/images"] = images
    path = tmp_path / rgb_file.name
    shutil.copy(rgb_file, path)
    _virtual(path, source, images.shape, images.dtype)
    with pytest.raises(FileFormatError, match="virtual dataset over source.h5"):
        geospacexr.open_asi(path)
    with config.override({"io.hdf5_external_storage": True}):
        assert geospacexr.open_asi(path).sizes["time"] == images.shape[-1]
        source.unlink()
        with pytest.raises(FileFormatError, match="source source.h5 is missing"):
            geospacexr.open_asi(path)
