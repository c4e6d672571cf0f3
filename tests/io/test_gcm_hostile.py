"""Damaged TIE-GCM and WACCM-X histories: only geospacexr errors, naming file and variable.

Each case rebuilds a sample history in ``tmp_path`` with one kind of damage an outside fuzzer
found (issue 16): a corrupted compressed chunk, attributes of the wrong type, a char-typed or
renamed coordinate, implausible years. A file either opens *and computes*, or the reader
refuses it with :class:`~geospacexr.errors.FileFormatError`; never a foreign exception at
open, at ``load()`` or at the first computation.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dask
import h5py
import netCDF4
import numpy as np
import pytest

import geospacexr
from geospacexr import config, datasets
from geospacexr.errors import (
    ConfigError,
    DataWarning,
    FileFormatError,
    GeospacexrError,
)


@pytest.fixture(scope="module")
def sech() -> Path:
    return datasets.sample_path("tiegcm-5deg") / "tiegcm_5deg_sech_001.nc"


@pytest.fixture(scope="module")
def waccmx() -> Path:
    return datasets.sample_path("waccmx")


Change = Callable[[str, dict[str, Any]], dict[str, Any] | None]


def rewrite(
    src: Path,
    dst: Path,
    change: Change | None = None,
    *,
    netcdf4: bool = False,
    rename_dims: dict[str, str] | None = None,
    extra_dims: dict[str, int] | None = None,
    compressed: tuple[str, ...] = (),
) -> Path:
    """Copy a netCDF file variable by variable; ``change`` may alter or drop (None) each one.

    ``change(name, spec)`` gets ``spec`` = dict(dtype, dims, attrs, data) and returns it (changed)
    or None. ``netcdf4=True`` writes compressed netCDF-4 with one chunk per time of 4-D fields.
    """
    rename_dims = rename_dims or {}
    fmt = "NETCDF4" if netcdf4 else "NETCDF3_64BIT_OFFSET"
    with netCDF4.Dataset(src) as a, netCDF4.Dataset(dst, "w", format=fmt) as b:
        a.set_auto_maskandscale(False)
        b.setncatts({k: a.getncattr(k) for k in a.ncattrs()})
        for name, dim in a.dimensions.items():
            b.createDimension(rename_dims.get(name, name), None if dim.isunlimited() else len(dim))
        for name, size in (extra_dims or {}).items():
            b.createDimension(name, size)
        for name, var in a.variables.items():
            spec = {
                "dtype": var.dtype,
                "dims": tuple(rename_dims.get(d, d) for d in var.dimensions),
                "attrs": {k: var.getncattr(k) for k in var.ncattrs()},
                "data": var[...],
            }
            spec = change(name, spec) if change else spec
            if spec is None:
                continue
            kwargs: dict[str, Any] = {}
            if netcdf4 and len(spec["dims"]) == 4:
                sizes = [len(b.dimensions[d]) for d in spec["dims"]]
                kwargs = {"zlib": True, "complevel": 4, "chunksizes": (1, *sizes[1:])}
            elif netcdf4 and name in compressed:
                kwargs = {"zlib": True, "complevel": 4}
            attrs = dict(spec["attrs"])
            fill = attrs.pop("_FillValue", None)
            out = b.createVariable(name, spec["dtype"], spec["dims"], fill_value=fill, **kwargs)
            out.set_auto_maskandscale(False)
            out.setncatts(attrs)
            out[...] = spec["data"]
    return dst


def set_attr(variable: str, key: str, value: Any) -> Change:
    def change(name: str, spec: dict[str, Any]) -> dict[str, Any]:
        if name == variable:
            spec["attrs"][key] = value
        return spec

    return change


def open_and_compute(path: Path, **kwargs: Any) -> Any:
    """What a user does first: open, load, one slice at a height."""
    ds = geospacexr.open(path, **kwargs)
    ds.load()
    field = "TN"
    return ds.gcm.lat_lon(field, height=300).values


# -- 1. a damaged chunk, found at load -----------------------------------------------------------


@pytest.fixture(scope="module")
def damaged_chunk(sech, tmp_path_factory) -> Path:
    """A netCDF-4 copy of the secondary whose TN chunk at time 2 has garbage in its deflate data."""
    folder = tmp_path_factory.mktemp("chunk")
    good = rewrite(sech, folder / "good_sech.nc", netcdf4=True)
    with h5py.File(good, "r") as h5:
        info = h5["TN"].id.get_chunk_info_by_coord((2, 0, 0, 0))
    data = bytearray(good.read_bytes())
    data[info.byte_offset + 16 : info.byte_offset + 400] = b"\x55" * 384
    bad = folder / "chunk_sech.nc"
    bad.write_bytes(bytes(data))
    return bad


def test_damaged_chunk_at_load_names_file_variable_and_chunk(damaged_chunk):
    ds = geospacexr.open_tiegcm(damaged_chunk)  # opens: nothing of TN read yet
    assert not ds["TN"].variable._in_memory
    np.testing.assert_array_equal(ds.TN.isel(time=0).shape, (29, 36, 72))
    assert np.isfinite(ds.TN.isel(time=1, lev=3).values).all()  # undamaged chunks read
    with pytest.raises(FileFormatError) as info:
        ds.load()
    message = str(info.value)
    assert "chunk_sech.nc" in message and "variable TN" in message
    assert "storage chunk (2, 0, 0, 0)" in message
    with pytest.raises(FileFormatError, match=r"TN\[2, 5, 0:36, 0:72\]"):
        np.asarray(ds.TN.isel(time=2, lev=5))


def test_damaged_chunk_in_dask_names_file_and_variable(damaged_chunk):
    ds = geospacexr.open_tiegcm(damaged_chunk, chunks={"time": 1})
    assert ds.TN.chunks is not None
    assert np.isfinite(ds.TN.isel(time=0, lev=slice(0, -1)).values).all()
    with dask.config.set(scheduler="threads"), pytest.raises(FileFormatError) as info:
        ds.TN.mean().compute()
    assert "chunk_sech.nc" in str(info.value) and "variable TN" in str(info.value)


def test_undamaged_netcdf4_copy_reads_like_the_original(sech, damaged_chunk):
    good = damaged_chunk.with_name("good_sech.nc")
    a = geospacexr.open_tiegcm(good).load()
    b = geospacexr.open_tiegcm(sech).load()
    np.testing.assert_array_equal(a.TN.values, b.TN.values)
    np.testing.assert_array_equal(a.ZG.values, b.ZG.values)


def _replace_chunk(good: Path, bad: Path, variable: str, coord: tuple, edit: Callable) -> Path:
    """Copy ``good`` to ``bad`` with the stored bytes of one chunk passed through ``edit``."""
    with h5py.File(good, "r") as h5:
        info = h5[variable].id.get_chunk_info_by_coord(coord)
    data = bytearray(good.read_bytes())
    stored = bytes(data[info.byte_offset : info.byte_offset + info.size])
    new = edit(stored)
    assert len(new) == len(stored)
    data[info.byte_offset : info.byte_offset + info.size] = new
    bad.write_bytes(bytes(data))
    return bad


def test_chunk_that_inflates_past_its_size_never_reaches_libhdf5(damaged_chunk, monkeypatch):
    """The damage behind the harness's segfaults (tiegcm 82, tiegcm-1.94 44 and 152).

    Flipped bits in a deflate stream can make it inflate to more bytes than the chunk holds;
    every netCDF-4 file that crashed a harness worker had such a chunk, and libhdf5 decoding
    it left the process to die later. The chunk is refused by the Python check, before the
    netCDF library is asked for it.
    """
    import zlib

    good = damaged_chunk.with_name("good_sech.nc")

    def overlong(stored: bytes) -> bytes:
        stream = zlib.compress(b"\0" * (29 * 36 * 72 * 8 + 4096))  # a few hundred bytes
        return stream + stored[len(stream) :]

    bad = _replace_chunk(good, damaged_chunk.with_name("overlong.nc"), "TN", (2, 0, 0, 0), overlong)
    ds = geospacexr.open_tiegcm(bad)
    assert np.isfinite(ds.TN.isel(time=1, lev=3).values).all()  # the other chunks read

    from xarray.backends.netCDF4_ import NetCDF4ArrayWrapper

    asked: list[str] = []
    library = NetCDF4ArrayWrapper.__getitem__

    def recording(self, key):
        asked.append(f"{self.variable_name}{getattr(key, 'tuple', key)}")
        return library(self, key)

    monkeypatch.setattr(NetCDF4ArrayWrapper, "__getitem__", recording)
    with pytest.raises(FileFormatError) as info:
        np.asarray(ds.TN.isel(time=2))
    message = str(info.value)
    assert "overlong.nc" in message and "variable TN" in message
    assert "storage chunk (2, 0, 0, 0)" in message
    assert re.search(r"inflates to \d+ bytes( or more)?, not the chunk's 300672", message)
    assert not [a for a in asked if a.startswith("TN")]  # the netCDF library never saw it


def test_flipped_bit_in_a_chunk_is_found_by_its_checksum(damaged_chunk):
    good = damaged_chunk.with_name("good_sech.nc")

    def flip(stored: bytes) -> bytes:
        out = bytearray(stored)
        out[len(out) // 2] ^= 0x10
        return bytes(out)

    bad = _replace_chunk(good, damaged_chunk.with_name("flipped.nc"), "TN", (1, 0, 0, 0), flip)
    with pytest.raises(FileFormatError, match=r"storage chunk \(1, 0, 0, 0\).*(inflate|bytes)"):
        geospacexr.open_tiegcm(bad).load()


def test_damaged_coordinate_chunk_is_refused_at_open(sech, tmp_path, monkeypatch):
    """xarray reads the index coordinates at open, before any guard: they are checked first."""
    good = rewrite(sech, tmp_path / "lat_sech.nc", netcdf4=True, compressed=("lat",))

    def flip(stored: bytes) -> bytes:
        out = bytearray(stored)
        out[len(out) // 2] ^= 0x04
        return bytes(out)

    bad = _replace_chunk(good, tmp_path / "bad_lat.nc", "lat", (0,), flip)
    from xarray.backends.netCDF4_ import NetCDF4DataStore

    opened: list[str] = []
    monkeypatch.setattr(NetCDF4DataStore, "open", lambda *a, **k: opened.append("x") or 1 / 0)
    with pytest.raises(FileFormatError, match=r"bad_lat\.nc.*variable lat: storage chunk \(0,\)"):
        geospacexr.open_tiegcm(bad)
    assert not opened  # refused before the netCDF library opened the file for xarray


def test_damaged_object_header_is_refused_before_libnetcdf_opens_the_file(
    damaged_chunk, tmp_path, monkeypatch
):
    """libnetcdf meeting damaged HDF5 metadata can corrupt the process's heap; h5py reads every
    object header and attribute first and the file is refused before ``netCDF4.Dataset``."""
    import re

    good = damaged_chunk.with_name("good_sech.nc")
    data = bytearray(good.read_bytes())
    headers = [m.start() for m in re.finditer(b"OHDR", data)]
    assert len(headers) > 10  # netCDF-4 writes checksummed (version 2) object headers
    data[headers[5] + 24] ^= 0xFF  # inside a variable's header: its checksum no longer matches
    bad = tmp_path / "header_sech.nc"
    bad.write_bytes(bytes(data))

    def never(*args, **kwargs):
        raise AssertionError("netCDF4.Dataset opened a file with damaged metadata")

    monkeypatch.setattr(netCDF4, "Dataset", never)
    with pytest.raises(FileFormatError, match=r"header_sech\.nc: cannot read the HDF5 file"):
        geospacexr.open_tiegcm(bad)


def test_chunks_are_checked_once_per_open(damaged_chunk, monkeypatch):
    from geospacexr.io import h5safe

    good = damaged_chunk.with_name("good_sech.nc")
    seen: list[tuple] = []
    check = h5safe.ChunkChecker._check_one

    def counting(self, fh, name, start, *args):
        seen.append((name, start))
        return check(self, fh, name, start, *args)

    monkeypatch.setattr(h5safe.ChunkChecker, "_check_one", counting)
    ds = geospacexr.open_tiegcm(good)
    ds.TN.isel(time=1).load()
    assert [s for s in seen if s[0] == "TN"] == [("TN", (1, 0, 0, 0))]
    ds.TN.load()
    ds.TN.load()
    tn = [s for s in seen if s[0] == "TN"]
    assert sorted(tn) == [("TN", (t, 0, 0, 0)) for t in range(ds.sizes["time"])]


# -- declared sizes the file cannot hold: refused before anything is allocated -------------------


@pytest.mark.parametrize("records", [2**31 - 1, 2**24])
def test_record_count_larger_than_the_file_is_refused_at_open(sech, tmp_path, records):
    data = bytearray(sech.read_bytes())
    assert data[:4] == b"CDF\x02"
    data[4:8] = records.to_bytes(4, "big")  # numrecs of the classic header
    path = tmp_path / "nrec_sech.nc"
    path.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match=rf"nrec_sech\.nc: .*dimension of {records} values"):
        geospacexr.open_tiegcm(path)


def test_record_count_a_little_too_large_is_refused_by_the_times(sech, tmp_path):
    data = bytearray(sech.read_bytes())
    data[4:8] = (1000).to_bytes(4, "big")  # mtime/year past the file read as fill values
    path = tmp_path / "nrec_sech.nc"
    path.write_bytes(bytes(data))
    with pytest.raises(FileFormatError, match=r"nrec_sech\.nc: impossible model time"):
        geospacexr.open_tiegcm(path)


def test_read_larger_than_the_limit_names_variable_and_key(damaged_chunk, monkeypatch):
    from geospacexr.io import gcm

    monkeypatch.setattr(gcm, "_SMALL_READ_BYTES", 0)  # check every read, however small
    good = damaged_chunk.with_name("good_sech.nc")
    with config.override({"io.max_decompressed_mb": 0.5}):
        ds = geospacexr.open_tiegcm(good)
        assert np.isfinite(ds.TN.isel(time=0, lev=3).values).all()  # 10 KB: read
        with pytest.raises(
            FileFormatError, match=r"good_sech\.nc: variable TN: reading TN\[0:4, .*io\.max_dec"
        ):
            ds.TN.load()


# -- 2. attributes of the wrong type --------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "key", "value"),
    [
        ("TN", "scale_factor", "abc"),
        ("TN", "add_offset", "abc"),
        ("TN", "missing_value", "abc"),
        ("UN", "scale_factor", np.array([1.0, 2.0])),
        ("TE", "add_offset", np.nan),
        ("year", "scale_factor", "x"),
    ],
)
def test_value_attribute_of_wrong_type_is_refused(sech, tmp_path, variable, key, value):
    path = rewrite(sech, tmp_path / "attr_sech.nc", set_attr(variable, key, value))
    with pytest.raises(FileFormatError) as info:
        open_and_compute(path)
    message = str(info.value)
    assert "attr_sech.nc" in message and f"variable {variable}" in message and key in message


@pytest.mark.parametrize(("key", "value"), [("missing_value", "abc"), ("scale_factor", "abc")])
def test_waccmx_value_attribute_of_wrong_type_is_refused(waccmx, tmp_path, key, value):
    path = rewrite(waccmx, tmp_path / "attr.cam.h1.nc", set_attr("T", key, value))
    with pytest.raises(FileFormatError, match=rf"attr\.cam\.h1\.nc.*variable T\b.*{key}"):
        open_and_compute(path)


def test_text_fill_value_is_refused(damaged_chunk, tmp_path):
    path = tmp_path / "fill_sech.nc"
    path.write_bytes(damaged_chunk.with_name("good_sech.nc").read_bytes())
    with h5py.File(path, "r+") as h5:
        h5["Z"].attrs["_FillValue"] = np.bytes_("abc")
    with pytest.raises(FileFormatError, match=r"fill_sech\.nc.*variable Z: attribute _FillValue"):
        geospacexr.open_tiegcm(path)


def test_descriptive_attribute_that_is_not_text_is_dropped_with_a_warning(sech, tmp_path):
    path = rewrite(sech, tmp_path / "units_sech.nc", set_attr("TN", "long_name", np.int32(7)))
    with pytest.warns(DataWarning, match="variable TN: attribute long_name is not text"):
        assert np.isfinite(open_and_compute(path)).any()


def test_vector_missing_value_masks_every_value(sech, tmp_path):
    def change(name, spec):
        if name == "TE":
            spec["attrs"]["missing_value"] = np.array([1e36, -5.0])
            spec["data"][0, 0, 0, 0] = -5.0
            spec["data"][0, 1, 0, 0] = 1e36
        return spec

    ds = geospacexr.open_tiegcm(rewrite(sech, tmp_path / "mv_sech.nc", change))
    te = ds.TE.isel(time=0, lat=0, lon=0).values
    assert np.isnan(te[:2]).all() and np.isfinite(te[2:]).all()


# -- 2. coordinates and fields of the wrong type or shape ----------------------------------------


def char_coordinate(coordinate: str) -> Change:
    """The coordinate stored as characters (one string per value, a char dim added)."""

    def change(name, spec):
        if name == coordinate:
            text = np.array([f"{v:<8.3f}"[:8] for v in spec["data"]], dtype="S8")
            spec.update(dtype="S1", dims=(*spec["dims"], "nchar"), data=netCDF4.stringtochar(text))
        return spec

    return change


@pytest.mark.parametrize("coordinate", ["lon", "lat", "lev", "ilev"])
def test_char_coordinate_is_refused(sech, tmp_path, coordinate):
    path = rewrite(
        sech, tmp_path / "char_sech.nc", char_coordinate(coordinate), extra_dims={"nchar": 8}
    )
    with pytest.raises(FileFormatError, match=rf"char_sech\.nc.*coordinate {coordinate}"):
        open_and_compute(path)


@pytest.mark.parametrize("coordinate", ["lon", "lev"])
def test_waccmx_char_coordinate_is_refused(waccmx, tmp_path, coordinate):
    path = rewrite(
        waccmx, tmp_path / "char.cam.h1.nc", char_coordinate(coordinate), extra_dims={"nchar": 8}
    )
    with pytest.raises(FileFormatError, match=rf"char\.cam\.h1\.nc.*coordinate {coordinate}"):
        open_and_compute(path)


def test_one_dimensional_char_lon_is_refused(sech, tmp_path):
    def change(name, spec):
        if name == "lon":
            spec.update(dtype="S1", data=np.array([b"x"] * spec["data"].size))
        return spec

    path = rewrite(sech, tmp_path / "c1_sech.nc", change)
    with pytest.raises(FileFormatError, match=r"c1_sech\.nc.*coordinate lon must be numeric"):
        open_and_compute(path)


def drop_zg(name, spec):
    return None if name == "ZG" else spec


@pytest.mark.parametrize("dim", ["ilev", "lev", "lat", "lon"])
def test_renamed_dim_is_refused_not_a_value_error(sech, tmp_path, dim):
    # without ZG the reader would compute it from Z: the completion must never see the damage
    path = rewrite(sech, tmp_path / "dim_sech.nc", drop_zg, rename_dims={dim: dim + "x"})
    with pytest.raises(FileFormatError, match=rf"dim_sech\.nc.*coordinate {dim}\b"):
        open_and_compute(path)


def test_waccmx_renamed_dim_is_refused(waccmx, tmp_path):
    path = rewrite(waccmx, tmp_path / "dim.cam.h1.nc", rename_dims={"lev": "levx"})
    with pytest.raises(FileFormatError, match=r"dim\.cam\.h1\.nc.*coordinate lev\b"):
        open_and_compute(path)


def test_zg_completion_skipped_with_a_warning_when_z_is_on_the_wrong_grid(sech, tmp_path):
    def change(name, spec):
        if name == "ZG":
            return None
        if name == "Z":  # Z on midpoints: a layout fields may have, not the one ZG-from-Z needs
            spec["dims"] = ("time", "lev", "lat", "lon")
        return spec

    path = rewrite(sech, tmp_path / "zlev_sech.nc", change)
    with pytest.warns(DataWarning, match=r"zlev_sech\.nc: no ZG on file, and none computed"):
        ds = geospacexr.open_tiegcm(path)
    assert "ZG" not in ds and "Z" in ds
    ds.load()
    assert np.isfinite(ds.gcm.lat_lon("TN", level=2.0).values).all()  # pressure slices work
    try:  # heights from the misplaced Z, or a geospacexr error: nothing foreign
        ds.gcm.lat_lon("TN", height=300)
    except GeospacexrError:
        pass


def test_a_completion_that_fails_is_skipped_with_a_warning(sech, tmp_path, monkeypatch):
    from geospacexr.gcm import heights

    def broken(ds):
        raise ValueError("a bug in a completion")

    monkeypatch.setattr(heights, "zg_from_z", broken)
    path = rewrite(sech, tmp_path / "nozg_sech.nc", drop_zg)
    with pytest.warns(DataWarning, match=r"completion 'ZG from Z' skipped \(ValueError"):
        ds = geospacexr.open_tiegcm(path)
    assert "ZG" not in ds


def test_char_field_is_refused(sech, tmp_path):
    def change(name, spec):
        if name == "HMF2":
            spec.update(dtype="S1", data=np.full(spec["data"].shape, b"x"))
        return spec

    path = rewrite(sech, tmp_path / "cf_sech.nc", change)
    with pytest.raises(FileFormatError, match=r"cf_sech\.nc.*field HMF2 must be numeric"):
        geospacexr.open_tiegcm(path)


def test_unknown_field_on_an_odd_layout_is_dropped_with_a_warning(sech, tmp_path):
    def change(name, spec):
        if name == "NMF2":
            spec["dims"] = ("time", "lon", "lat")
            spec["data"] = np.zeros((4, 72, 36), np.float32)
        return spec

    path = rewrite(sech, tmp_path / "odd_sech.nc", change)
    with pytest.warns(DataWarning, match=r"odd_sech\.nc: field NMF2 has dims"):
        ds = geospacexr.open_tiegcm(path)
    assert "NMF2" not in ds and "HMF2" in ds


@pytest.mark.parametrize(
    ("variable", "values", "match"),
    [
        ("lat", lambda v: v * 3, "lat outside"),
        ("lon", lambda v: np.where(np.arange(v.size) == 3, np.nan, v), "lon must hold finite"),
        ("lev", lambda v: np.zeros_like(v), "lev repeats"),
        ("lat", lambda v: np.random.default_rng(0).permutation(v), "lat is not monotonic"),
        ("p0", lambda v: v, None),
    ],
)
def test_bad_coordinate_values_are_refused(sech, tmp_path, variable, values, match):
    def change(name, spec):
        if name == variable:
            if match is None:  # p0 as text
                spec.update(dtype="S1", dims=("nchar",), data=np.array([b"x"] * 8))
            else:
                spec["data"] = values(np.asarray(spec["data"], dtype=np.float64))
        return spec

    path = rewrite(sech, tmp_path / "coord_sech.nc", change, extra_dims={"nchar": 8})
    with pytest.raises(FileFormatError, match=rf"coord_sech\.nc.*{match or 'p0'}"):
        open_and_compute(path)


def test_tiegcm_longitudes_from_0_to_360_are_wrapped_and_sorted(sech, tmp_path):
    def change(name, spec):
        if name == "lon":
            spec["data"] = np.asarray(spec["data"]) % 360.0
        return spec

    path = rewrite(sech, tmp_path / "lon360_sech.nc", change)
    ds, ref = geospacexr.open_tiegcm(path), geospacexr.open_tiegcm(sech)
    np.testing.assert_array_equal(ds.lon.values, ref.lon.values)
    np.testing.assert_array_equal(ds.TN.isel(time=0).values, ref.TN.isel(time=0).values)


@pytest.mark.parametrize(
    ("argument", "value"), [("height", "abc"), ("level", "x"), ("pressure", [1, 2])]
)
def test_slice_arguments_that_are_not_numbers(sech, argument, value):
    from geospacexr.errors import InvalidArgumentError

    ds = geospacexr.open_tiegcm(sech)
    with pytest.raises(InvalidArgumentError, match=f"{argument}: must be a number"):
        ds.gcm.lat_lon("TN", **{argument: value})
    with pytest.raises(InvalidArgumentError, match="lon: must be a number"):
        ds.gcm.lev_lat("TN", lon="east")


def test_history_without_times_is_refused(sech, tmp_path):
    def change(name, spec):
        if "time" in spec["dims"]:
            spec["data"] = spec["data"][:0]
        return spec

    path = rewrite(sech, tmp_path / "empty_sech.nc", change)
    with pytest.raises(FileFormatError, match=r"empty_sech\.nc.*no time records"):
        geospacexr.open_tiegcm(path)


def test_mtime_of_the_wrong_shape_is_refused(sech, tmp_path):
    def change(name, spec):
        if name == "mtime":
            spec.update(dtype="f8", dims=("time", "lat"), data=np.ones((4, 36)))
        return spec

    path = rewrite(sech, tmp_path / "mt_sech.nc", change)
    with pytest.raises(FileFormatError, match=r"mt_sech\.nc.*variable mtime must be numbers"):
        geospacexr.open_tiegcm(path)


def test_three_column_mtime_of_older_versions(sech, tmp_path):
    # tiegcm 1.94 / 2.0: mtime = (day, hour, minute)
    def change(name, spec):
        if name == "mtime":
            spec.update(dims=("time", "mtimedim3"), data=spec["data"][:, :3])
        return spec

    path = rewrite(sech, tmp_path / "old_sech.nc", change, extra_dims={"mtimedim3": 3})
    ds = geospacexr.open_tiegcm(path)
    np.testing.assert_array_equal(ds.time.values, geospacexr.open_tiegcm(sech).time.values)


# -- 3. times: plausible years, never wrapped ----------------------------------------------------


def set_year(year: int) -> Change:
    def change(name, spec):
        if name == "year":
            spec["data"] = np.full_like(spec["data"], year)
        return spec

    return change


@pytest.mark.parametrize("year", [1, 1500, 1677, 1799, 2201, 2262, 2263, 30000])
def test_implausible_tiegcm_year_is_refused(sech, tmp_path, year):
    path = rewrite(sech, tmp_path / "year_sech.nc", set_year(year))
    with pytest.raises(FileFormatError) as info:
        geospacexr.open_tiegcm(path)
    message = str(info.value)
    assert "year_sech.nc" in message and f"year {year} " in message
    assert "gcm.earliest_year" in message and "gcm.latest_year" in message


def test_year_range_follows_the_config(sech, tmp_path):
    path = rewrite(sech, tmp_path / "y1700_sech.nc", set_year(1700))
    with config.override({"gcm.earliest_year": 1678}), warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # the time variable says 2003
        ds = geospacexr.open_tiegcm(path)
    assert str(ds.time.values[0]).startswith("1700-03-21")
    # 1677-03-21 is not in datetime64[ns] (from 1677-09-21): refused, never wrapped to 2261
    early = rewrite(sech, tmp_path / "y1677_sech.nc", set_year(1677))
    with (
        config.override({"gcm.earliest_year": 1000}),
        pytest.raises(FileFormatError, match=r"y1677_sech\.nc.*datetime64\[ns\]"),
    ):
        geospacexr.open_tiegcm(early)


def test_inverted_year_range_is_a_config_error(sech):
    with (
        config.override({"gcm.earliest_year": 2100, "gcm.latest_year": 2000}),
        pytest.raises(ConfigError, match="gcm.earliest_year"),
    ):
        geospacexr.open_tiegcm(sech)


@pytest.mark.parametrize("date", [10101, 15000101, 22630101])
def test_implausible_waccmx_date_is_refused(waccmx, tmp_path, date):
    def change(name, spec):
        if name == "date":
            spec["data"] = np.full_like(spec["data"], date)
        return spec

    path = rewrite(waccmx, tmp_path / "date.cam.h1.nc", change)
    with pytest.raises(FileFormatError, match=r"date\.cam\.h1\.nc.*variable date.*gcm\.earliest"):
        geospacexr.open_waccmx(path)


def test_waccmx_fixed_year_run_on_its_time_variable(waccmx, tmp_path):
    # a perpetual run dated year 1 (no date/datesec): refused with the way out
    def change(name, spec):
        if name in ("date", "datesec"):
            return None
        if name == "time":
            spec["attrs"]["units"] = "days since 0001-01-01 00:00:00"
        return spec

    path = rewrite(waccmx, tmp_path / "fixed.cam.h1.nc", change)
    with pytest.raises(FileFormatError, match=r"fixed\.cam\.h1\.nc.*year 1 .*shift"):
        geospacexr.open_waccmx(path)


def test_waccmx_impossible_date_is_refused(waccmx, tmp_path):
    def change(name, spec):
        if name == "date":
            spec["data"] = np.full_like(spec["data"], 20030230)
        return spec

    path = rewrite(waccmx, tmp_path / "feb.cam.h1.nc", change)
    with pytest.raises(FileFormatError, match=r"feb\.cam\.h1\.nc.*impossible date"):
        geospacexr.open_waccmx(path)


# -- a quick sweep: byte damage to the header of a netCDF-3 history ------------------------------


def test_header_byte_damage_gives_only_geospacexr_errors(sech, tmp_path):
    data = sech.read_bytes()
    rng = np.random.default_rng(16)
    header = 6000  # the variable and attribute table of the sample
    foreign = []
    for i in range(20):
        out = bytearray(data)
        for pos in rng.integers(4, header, size=int(rng.integers(1, 4))):
            out[pos] ^= 1 << int(rng.integers(8))
        path = tmp_path / f"flip{i}_sech.nc"
        path.write_bytes(bytes(out))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ds = geospacexr.open(path)
                ds.load()
                if "ZG" in ds and "TN" in ds:
                    ds.gcm.lat_lon("TN", height=300).load()
        except GeospacexrError:
            pass
        except Exception as exc:  # what the test looks for
            foreign.append(f"case {i}: {type(exc).__name__}: {exc}")
    assert not foreign, "\n".join(foreign)
