"""Our DMAP decode against darn-dmap 0.8, field for field, on every real file.

The twin ``reference/darn_dmap_twin.json.gz`` holds what darn-dmap's typed readers (strict mode)
return for each file of ``../shared/data/superdarn``: every scalar's value and every array's
dtype, shape and SHA-256 (first 16 hex digits of its little-endian C-order bytes). Each record
is rebuilt from our Dataset (range-gate arrays gathered back through ``slist``, ragged grid/map
vectors selected by ``vector_record``, padded arrays cut to the record's shape, NaN-padded
integers cast back) and must match exactly: same field set, same values, same bytes. Set
``GEOSPACEXR_REF_DMAP`` to a python with darn-dmap 0.8 to regenerate the twin live and check it
equals the recorded one.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import geospacexr
from geospacexr.io.dmap import _RAGGED

HERE = Path(__file__).parent
with gzip.open(HERE / "reference" / "darn_dmap_twin.json.gz", "rt", encoding="utf-8") as _fh:
    TWIN = json.load(_fh)
FILES = sorted(TWIN["files"])
RAGGED_DIMS = set(_RAGGED.values())


def digest(array: np.ndarray) -> str:
    a = np.ascontiguousarray(array)
    a = a.astype(a.dtype.newbyteorder("<"), copy=False)
    return hashlib.sha256(a.tobytes()).hexdigest()[:16]


def record_array(ds, name: str, r: int, shape: list[int], dtype: str) -> np.ndarray:
    """Record ``r``'s array ``name`` rebuilt from the Dataset, in the file's dtype and shape."""
    var = ds[name]
    if name == "slist":
        values = var.values[r, : shape[0]]
    elif var.dims[0] in RAGGED_DIMS:
        values = var.values[ds[f"{var.dims[0]}_record"].values == r]
    elif name == "data" and ds.attrs["superdarn_type"] == "iqdat":
        cut = tuple(slice(0, k) for k in ds.data.shape[1:])
        values = var.values[r][cut].ravel()[: int(np.prod(shape))]
    elif var.dims[:2] == ("time", "range_gate") and name != "pwr0":
        gates = ds.slist.values[r]
        gates = gates[gates >= 0]
        values = var.values[r, gates]
        values = values[(slice(None), *(slice(0, k) for k in shape[1:]))]
    else:
        values = var.values[r][tuple(slice(0, k) for k in shape)]
    values = np.asarray(values)
    assert list(values.shape) == list(shape), (name, r, values.shape, shape)
    if values.dtype.kind == "f" and np.dtype(dtype).kind != "f":
        assert not np.isnan(values).any(), (name, r)
    cast = values.astype(dtype)
    if values.dtype.kind == "f":
        np.testing.assert_array_equal(cast.astype(values.dtype), values, err_msg=f"{name} {r}")
    return cast


@pytest.mark.parametrize("name", FILES)
def test_every_field_of_every_record_matches_darn_dmap(name, superdarn_data):
    path = superdarn_data / name
    if not path.is_file():
        pytest.skip(f"{path} absent")
    expected = TWIN["files"][name]
    ds = geospacexr.open_superdarn(path, mode="strict")
    assert ds.attrs["geospacexr_kind"] == "superdarn"
    assert ds.attrs["superdarn_type"] == expected["type"]
    assert json.loads(ds.attrs["problematic_records"]) == []
    records = expected["records"]
    assert ds.sizes["time"] == len(records)
    array_names = set()
    for r, rec in enumerate(records):
        for key, value in rec["scalars"].items():
            ours = ds[key].values[r]
            if isinstance(value, str):
                assert str(ours) == value, (key, r)
            elif isinstance(value, float) and np.isnan(value):
                assert np.isnan(ours), (key, r)
            else:
                assert ours == value, (key, r, ours, value)
                assert type(ours.item()) is type(value), (key, r)  # int stays int
        for key, (dtype, shape, dig) in rec["arrays"].items():
            array_names.add(key)
            got = record_array(ds, key, r, shape, dtype)
            assert digest(got) == dig, (name, key, r)
    # nothing invented: every variable is a DMAP field (or slist / the ragged indices)
    scalar_names = {k for rec in records for k in rec["scalars"]}
    assert set(ds.data_vars) == scalar_names | array_names


@pytest.mark.parametrize("name", FILES)
def test_records_missing_a_field_are_nan_there(name, superdarn_data):
    path = superdarn_data / name
    if not path.is_file():
        pytest.skip(f"{path} absent")
    records = TWIN["files"][name]["records"]
    ds = geospacexr.open_superdarn(path)
    for key in ds.data_vars:
        var = ds[key]
        if var.dims[0] != "time":
            continue
        for r, rec in enumerate(records):
            if key not in rec["scalars"] and key not in rec["arrays"]:
                assert np.isnan(var.values[r]).all(), (key, r)


def test_twin_covers_every_real_file(superdarn_data):
    on_disk = sorted(
        p.relative_to(superdarn_data).as_posix()
        for p in superdarn_data.rglob("*")
        if p.is_file() and p.name != "README.md"
    )
    assert on_disk == FILES
    for name in FILES:
        data = (superdarn_data / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == TWIN["files"][name]["sha256"], name


@pytest.mark.skipif(not os.environ.get("GEOSPACEXR_REF_DMAP"), reason="set GEOSPACEXR_REF_DMAP")
def test_live_darn_dmap_twin(superdarn_data):
    """darn-dmap, run now on the real files, still gives the recorded twin."""
    out = subprocess.run(
        [os.environ["GEOSPACEXR_REF_DMAP"], str(HERE / "reference" / "darn_dmap_twin.py"),
         str(superdarn_data), "-"],
        check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    live = json.loads(out.stdout)
    assert live["darn_dmap"].startswith("0.8")
    assert live["files"] == TWIN["files"]


def test_twin_generator_is_named_in_the_twin():
    assert TWIN["generator"] == "tests/superdarn/reference/darn_dmap_twin.py"
    assert Path(HERE / "reference" / "darn_dmap_twin.py").is_file()
