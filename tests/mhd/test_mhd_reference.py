"""Our SWMF and LFM readers against SpacePy's ``IdlFile`` and rbinvariantslib, on the samples.

The twins under ``reference/`` were recorded by the scripts beside them, run on the sample files
(``spacepy_idl_twin.py`` with SpacePy 0.7, ``rbinv_twin.py`` with rbinvariantslib 0.3). Every
array is compared exactly (SHA-256 of the same dtype's bytes) where both sides hold the file's
numbers, else to 1e-12 on 64 spread values and the sum. Set ``GEOSPACEXR_REF_RB`` (the ``rb``
reference venv, which has SpacePy) and ``GEOSPACEXR_REF_RBINV`` (the ``rbinv`` venv) to re-run
the scripts live and check they still give the recorded twins.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from geospacexr import datasets
from geospacexr._synth import mhd_files
from geospacexr.io.swmf import open_swmf

HERE = Path(__file__).parent
REF = HERE / "reference"
SPACEPY = json.loads((REF / "spacepy_idl_twin.json").read_text())
RBINV = json.loads((REF / "rbinv_twin.json").read_text())


def digest(a: np.ndarray) -> str:
    a = np.ascontiguousarray(a)
    return hashlib.sha256(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()).hexdigest()[
        :16
    ]


def picks(a: np.ndarray, n: int) -> np.ndarray:
    flat = np.asarray(a).ravel()
    return flat[np.linspace(0, flat.size - 1, min(n, flat.size)).astype(int)]


def close(ours: np.ndarray, rec: dict, rtol: float = 1e-12) -> None:
    assert list(ours.shape) == rec["shape"]
    np.testing.assert_allclose(picks(ours, len(rec["picks"])), rec["picks"], rtol=rtol, atol=0)
    scale = float(np.sum(np.abs(ours), dtype="float64"))
    assert np.sum(ours, dtype="float64") == pytest.approx(rec["sum"], abs=rtol * scale)


@pytest.fixture(scope="module")
def swmf_folder() -> Path:
    return datasets.sample_path("swmf-idl")


@pytest.fixture(scope="module")
def lfm_file() -> Path:
    pytest.importorskip("pyhdf.SD")
    return datasets.sample_path("lfm-hdf")


def by_source(ds, name: str):
    for var in ds.variables.values():
        if var.attrs.get("source_name") == name:
            return var
    raise KeyError(name)


CASES = sorted(k for k, v in SPACEPY["files"].items() if "frames" in v)


@pytest.mark.parametrize("entry", CASES)
def test_idl_files_read_as_spacepy_reads_them(entry, swmf_folder):
    rec = SPACEPY["files"][entry]
    name = entry.removesuffix(" (little-endian copy)")
    ds = open_swmf(swmf_folder / name)
    assert ds.sizes["time"] == rec["nframe"]
    assert ds.attrs["idl_format"] == {"bin": "binary", "asc": "ascii"}[rec["format"]]
    for t, frame in enumerate(rec["frames"]):
        assert ds.iteration.values[t] == frame["iter"]
        assert ds.runtime.values[t] == frame["runtime"]
        assert abs(ds.attrs["idl_ndim"]) == frame["ndim"]
        assert list(ds.attrs["idl_grid"]) == frame["grid"]
        assert frame["gtype"].lower() == ds.attrs["mhd_grid"]
        assert ds.attrs["idl_header"] == frame["header"].strip()
        assert json.loads(ds.attrs["idl_parameters"]) == frame["params"]
        if frame["time"] is not None:  # SpacePy dates ASCII frames with 0
            assert ds.time.values[t] == np.datetime64(frame["time"])
        assert frame["names"] == ds.attrs["idl_names"].split()
        for source in frame["names"]:
            var = by_source(ds, source)
            assert var.attrs["source_units"] == frame["units"][source], source
            values = var.values[t] if "time" in var.dims else var.values
            arr = frame["arrays"][source]
            assert values.dtype == np.dtype(arr["dtype"]), source
            assert digest(values) == arr["sha256"], (entry, t, source)


def test_spacepy_cannot_read_big_endian_files():
    """Recorded: why the big-endian sample is compared through a little-endian copy."""
    err = SPACEPY["files"][mhd_files.SWMF_Z0]["error"]
    assert "UnicodeDecodeError" in err
    assert f"{mhd_files.SWMF_Z0} (little-endian copy)" in CASES


def test_swmf_as_rbinvariantslib_reads_it(swmf_folder):
    rec = RBINV["swmf"]
    ds = open_swmf(swmf_folder / rec["file"])
    for axis in "xyz":
        assert digest(ds[axis].values) == rec[axis]["sha256"]
    for name in ("bx", "by", "bz"):  # nanoTesla2Gauss: astropy's nT -> G, in float32
        assert rec[name]["dtype"] == "f4"
        close(ds[name.capitalize()].values[0].astype(float) * 1e-5, rec[name], rtol=1e-6)
        # exactly: the float32 values times 1e-5 in float32
        assert digest(ds[name.capitalize()].values[0] * np.float32(1e-5)) == rec[name]["sha256"]


def test_lfm_as_rbinvariantslib_reads_it(lfm_file):
    from geospacexr.io.lfm import open_lfm

    rec = RBINV["lfm"]
    ds = open_lfm(lfm_file)
    scale = ds.attrs["earth_radius_cm"]
    for axis in "XYZ":
        # pyLTR's array-order fix is the transpose of our stored (k, j, i)
        fixed = (ds[axis].values * scale).T.astype("float32")
        assert digest(fixed) == rec[f"fixed {axis}_grid"]["sha256"]
        # cell centres, in rbinvariantslib's Re (astropy's R_earth)
        centres = ds[axis.lower()].values.T * scale / rec["R_earth_cm"]
        close(centres, rec[f"centres-cut {axis}"], rtol=1e-6)
    for name in ("bx_", "by_", "bz_"):
        ours = (ds[f"B{name[1]}"].values[0].T * 1e-5).astype("float32")
        assert digest(ours) == rec[f"cells {name}"]["sha256"], name


def _run(var: str, *args: str) -> dict:
    out = subprocess.run(
        [os.environ[var], *args], check=True, capture_output=True, text=True, timeout=900
    )
    return json.loads(out.stdout)


@pytest.mark.skipif(not os.environ.get("GEOSPACEXR_REF_RB"), reason="set GEOSPACEXR_REF_RB")
def test_live_spacepy_twin(swmf_folder):
    live = _run("GEOSPACEXR_REF_RB", str(REF / "spacepy_idl_twin.py"), str(swmf_folder), "-")
    assert live["spacepy"].startswith("0.7")
    assert live["files"] == SPACEPY["files"]


@pytest.mark.skipif(not os.environ.get("GEOSPACEXR_REF_RBINV"), reason="set GEOSPACEXR_REF_RBINV")
def test_live_rbinv_twin(swmf_folder, lfm_file):
    live = _run(
        "GEOSPACEXR_REF_RBINV", str(REF / "rbinv_twin.py"), str(lfm_file),
        str(swmf_folder / mhd_files.SWMF_3D), "-",
    )  # fmt: skip
    assert live["rbinvariantslib"].startswith("0.3")
    assert live["lfm"] == RBINV["lfm"] and live["swmf"] == RBINV["swmf"]


def test_twins_name_their_generators():
    assert SPACEPY["generator"] == "tests/mhd/reference/spacepy_idl_twin.py"
    assert RBINV["generator"] == "tests/mhd/reference/rbinv_twin.py"
    assert (REF / "spacepy_idl_twin.py").is_file() and (REF / "rbinv_twin.py").is_file()
