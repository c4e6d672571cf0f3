"""The content digest of test samples: blind to storage, sensitive to every value and attribute."""

import hashlib

import numpy as np
import pytest
from _digest import content_digest, file_kind

RNG = np.random.default_rng(15)
FIELD = RNG.normal(size=(3, 4, 6, 8))  # time, lev, lat, lon
COUNTS = RNG.integers(0, 4000, size=(3, 6, 8)).astype("u2")


def byte_hash(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_nc(path, fmt="NETCDF4", field=FIELD, units="K", group=True, **storage):
    """A small history: unlimited time, 4-D float64, 3-D uint16/int32, text and vector attrs."""
    import netCDF4

    order = ">" if storage.get("endian") == "big" else "<"
    big = {k: v for k, v in storage.items() if k != "chunksizes"}
    with netCDF4.Dataset(path, "w", format=fmt) as nc:
        nc.setncatts({"title": "digest test", "mtime": np.array([80, 1, 0], "i4"), "n": 3})
        nc.createDimension("time", None)
        for name, size in zip(("lev", "lat", "lon"), FIELD.shape[1:], strict=True):
            nc.createDimension(name, size)
        v = nc.createVariable("time", "f8", ("time",))
        v.units = "hours since 2003-03-21"
        v[:] = [0.0, 1.0, 2.0]
        dims = ("time", "lev", "lat", "lon")
        v = nc.createVariable("TN", order + "f8", dims, fill_value=1e36, **storage)
        v.setncatts({"units": units, "long_name": "neutral temperature"})
        v[:] = field
        counts_type = order + ("u2" if fmt == "NETCDF4" else "i4")  # classic: no uint16
        v = nc.createVariable("counts", counts_type, ("time", "lat", "lon"), **big)
        v[:] = COUNTS
        if group and fmt == "NETCDF4":
            sub = nc.createGroup("diagnostics").createGroup("inner")
            sub.createDimension("k", 5)
            s = sub.createVariable("name", str, ("k",))
            s[:] = np.array(["a", "bb", "ccc", "", "e"], dtype=object)
            w = sub.createVariable("weight", order + "f4", ("k",), **big)
            w.comment = "nested"
            w[:] = np.linspace(0, 1, 5)
    return path


def write_h5(path, libver="earliest", image=COUNTS, site="gill", alias="/data/image", **storage):
    """A TREx-like HDF5 file: a dataset per group, a dimension scale, text and vector attrs."""
    import h5py

    with h5py.File(path, "w", libver=libver) as f:
        f.attrs["instrument"] = site + "_rgb"
        f.attrs["version"] = np.int32(2)
        data = f.create_group("data")
        img = data.create_dataset("image", data=image, **storage)
        img.attrs["units"] = np.bytes_(b"counts")  # fixed-length string
        img.attrs["range"] = np.array([0.0, 4000.0])
        t = data.create_dataset("timestamp", data=np.arange(image.shape[0], dtype="f8") * 3.0)
        t.make_scale("timestamp")
        img.dims[0].attach_scale(t)
        meta = f.create_group("metadata/frame")
        meta.create_dataset("sites", data=[b"gill", b"rank"], dtype=h5py.string_dtype())
        meta["alias"] = h5py.SoftLink(alias)
    return path


NC_STORAGES = [
    {},
    {"zlib": True, "complevel": 6, "shuffle": True, "chunksizes": (1, 2, 6, 8)},
    {"zlib": True, "complevel": 1, "chunksizes": (3, 4, 3, 4), "endian": "big"},
    {"chunksizes": (3, 4, 6, 8)},
]


def test_netcdf_storage_does_not_matter(tmp_path):
    paths = [write_nc(tmp_path / f"s{i}.nc", **s) for i, s in enumerate(NC_STORAGES)]
    assert len({byte_hash(p) for p in paths}) == len(paths)  # the bytes all differ
    assert len({content_digest(p) for p in paths}) == 1


def test_netcdf_format_does_not_matter(tmp_path):
    formats = ("NETCDF3_CLASSIC", "NETCDF3_64BIT_OFFSET", "NETCDF4_CLASSIC")
    paths = [write_nc(tmp_path / f"{fmt}.nc", fmt=fmt) for fmt in formats]
    assert file_kind(paths[0]) == file_kind(paths[-1]) == "netcdf"
    assert len({content_digest(p) for p in paths}) == 1


def test_netcdf_content_changes_the_digest(tmp_path):
    base = content_digest(write_nc(tmp_path / "base.nc"))
    one = FIELD.copy()
    one[2, 3, 5, 7] = np.nextafter(one[2, 3, 5, 7], np.inf)  # one value, by one ulp
    changed = {
        "value": write_nc(tmp_path / "value.nc", field=one, zlib=True),
        "attribute": write_nc(tmp_path / "attribute.nc", units="degK"),
        "group": write_nc(tmp_path / "group.nc", group=False),
    }
    digests = {name: content_digest(p) for name, p in changed.items()}
    assert base not in digests.values() and len(set(digests.values())) == len(digests)


def test_netcdf_nested_group_value_changes_the_digest(tmp_path):
    import netCDF4

    path = write_nc(tmp_path / "a.nc")
    before = content_digest(path)
    with netCDF4.Dataset(path, "a") as nc:
        nc["diagnostics/inner/name"][3] = "d"
    assert content_digest(path) != before


HDF5_STORAGES = [
    {},
    {"chunks": (1, 6, 8), "compression": "gzip", "compression_opts": 9, "shuffle": True},
    {"chunks": (3, 2, 2), "compression": "lzf", "fletcher32": True},
]


def test_hdf5_storage_and_library_format_do_not_matter(tmp_path):
    paths = [write_h5(tmp_path / f"s{i}.h5", **s) for i, s in enumerate(HDF5_STORAGES)]
    paths.append(write_h5(tmp_path / "latest.h5", libver="latest"))
    assert file_kind(paths[0]) == "hdf5"
    assert len({byte_hash(p) for p in paths}) == len(paths)
    assert len({content_digest(p) for p in paths}) == 1


def test_hdf5_content_changes_the_digest(tmp_path):
    base = content_digest(write_h5(tmp_path / "base.h5"))
    one = COUNTS.copy()
    one[1, 2, 3] += 1
    changed = [
        write_h5(tmp_path / "value.h5", image=one, chunks=(1, 6, 8)),
        write_h5(tmp_path / "attribute.h5", site="rank"),
        write_h5(tmp_path / "dtype.h5", image=COUNTS.astype("i4")),
        write_h5(tmp_path / "link.h5", alias="/data/timestamp"),
    ]
    digests = [content_digest(p) for p in changed]
    assert base not in digests and len(set(digests)) == len(digests)


def test_not_netcdf_or_hdf5(tmp_path):
    path = tmp_path / "x.pgm"
    path.write_bytes(b"P5\n2 2\n255\n\x00\x01\x02\x03")
    with pytest.raises(ValueError, match="neither netCDF nor HDF5"):
        content_digest(path)
    with pytest.raises(ValueError, match="kind must be"):
        content_digest(write_nc(tmp_path / "a.nc"), kind="zarr")
