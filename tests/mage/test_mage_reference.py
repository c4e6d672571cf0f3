"""Our MAGE readers against kaipy 1.1.5 on the sample files, value for value.

The twin ``reference/kaipy_twin.json.gz`` holds what kaipy read from the three samples
(``reference/kaipy_twin.py``, run with a python where kaipy 1.1.5 is installed with
``--no-deps``): for GAMERA, ``GamsphPipe``'s grid, cell volumes, steps, times, units, dipole
moment and every variable of every step (``GetVar`` times the pipe's own unit factor), serial
and through its MPI path; for ReMIX, ``remix.init_vars`` of both hemispheres at every step.
Each array is kept as its kaipy shape, sum, sum of squares, extremes and 64 seeded values in
kaipy's index order; ours must give the same numbers after the documented reordering (kaipy
transposes GAMERA arrays to ``(i, j, k)``; ReMIX columns are rolled to MLT order here). Set
``GEOSPACEXR_REF_KAIPY`` to kaipy's python to record the twin again, live, and compare.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import geospacexr

HERE = Path(__file__).parent
REMIX_NAMES = {
    "potential": "potential",
    "current": "fac",
    "sigmap": "sigma_p",
    "sigmah": "sigma_h",
    "energy": "mean_energy",
    "flux": "number_flux",
    "eflux": "energy_flux",
    "beta": "rcm_beta",
    "deltae": "mono_potential_drop",
    "amtype": "auroral_model_type",
}


def check_gamera(ds, rec: dict, check_summary) -> None:
    assert ds.attrs["geospacexr_kind"] == "mhd"
    assert json.loads(ds.attrs["mpi_decomposition"]) == rec["ranks"]
    assert [ds.sizes[d] for d in ("i", "j", "k")] == rec["dims"]
    assert ds.attrs["UnitsID"] == rec["UnitsID"]
    assert ds.attrs["MagM0"] == pytest.approx(rec["MagM"], rel=1e-12)
    assert ds["step"].values.tolist() == rec["steps"]
    np.testing.assert_allclose(ds["elapsed"].values / np.timedelta64(1, "s"), rec["T"], atol=1e-6)
    # kaipy's UT goes through astropy's isot (millisecond text); ours is the microsecond
    ut = np.array(rec["UT"], dtype="datetime64[ns]")
    assert np.abs(ds["time"].values - ut).max() <= np.timedelta64(1, "ms")
    for n in "XYZ":
        check_summary(ds[n].values.T, rec["grid"][n], n)
    check_summary(ds["dV"].values.T, rec["dV"], "dV")
    seen = set()
    for key, summary in rec["vars"].items():
        step, name = key.split("/")
        seen.add(name)
        values = ds[name].sel(time=ds["step"] == int(step)).isel(time=0).values
        check_summary(values.T, summary, key)  # kaipy's (i, j, k) is ours transposed
    assert seen == {v for v in ds.data_vars if v != "dV"}


def test_serial_run_matches_kaipy(twin, serial_path, check_summary):
    check_gamera(geospacexr.open_gamera(serial_path), twin["serial"], check_summary)
    assert twin["serial"]["isMPI"] is False


def test_mpi_run_matches_kaipy(twin, mpi_dir, check_summary):
    assert twin["mpi"]["isMPI"] is True
    block = sorted(mpi_dir.glob("*_0001_0001_0000.gam.h5"))[0]  # any block finds the others
    check_gamera(geospacexr.open_gamera(block), twin["mpi"], check_summary)


def test_remix_matches_kaipy(twin, remix_path, check_summary):
    rec = twin["remix"]
    ds = geospacexr.open_remix(remix_path)
    assert ds["step"].values.tolist() == rec["steps"]
    ut = np.array(rec["UT"], dtype="datetime64[ns]")
    assert np.abs(ds["time"].values - ut).max() <= np.timedelta64(1, "ms")
    np.testing.assert_allclose(ds["cpcp"].sel(hemisphere="north"), rec["nCPCP"])
    np.testing.assert_allclose(ds["cpcp"].sel(hemisphere="south"), rec["sCPCP"])
    np.testing.assert_allclose(ds["colat"], rec["row_colat"], atol=1e-9)
    # the file's column c is our MLT position nearest its centre MLT (rolled to start at 0)
    delta = (ds["mlt"].values[None, :] - np.array(rec["column_mlt"])[:, None] + 12) % 24 - 12
    column = np.abs(delta).argmin(axis=1)
    assert np.abs(delta[np.arange(column.size), column]).max() < 1e-9
    assert sorted(column.tolist()) == list(range(ds.sizes["mlt"]))
    for key, summary in rec["vars"].items():
        step, hemi, name = key.split("/")
        values = ds[REMIX_NAMES[name]].sel(hemisphere=hemi.lower())
        values = values.sel(time=ds["step"] == int(step)).isel(time=0).values[:, column]
        check_summary(values, summary, key)


@pytest.mark.skipif(not os.environ.get("GEOSPACEXR_REF_KAIPY"), reason="set GEOSPACEXR_REF_KAIPY")
def test_live_kaipy_twin(twin, serial_path, mpi_dir, remix_path):
    """kaipy, run now on the samples, still gives the recorded twin."""
    out = subprocess.run(
        [os.environ["GEOSPACEXR_REF_KAIPY"], str(HERE / "reference" / "kaipy_twin.py"),
         str(serial_path.parent), str(mpi_dir), str(remix_path), "-"],
        check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    live = json.loads(out.stdout)
    assert live["kaipy"].startswith("1.1")
    # floats to 1e-12: the samples are generated with numpy's trigonometry, whose last bit can
    # differ between numpy builds and CPUs (the twin was recorded on another machine)
    for key in ("serial", "mpi", "remix"):
        _same(live[key], twin[key], key)


def _same(live, rec, where):
    """Recorded and live twin values equal: structure and text exactly, floats to 1e-12."""
    if isinstance(rec, dict):
        assert isinstance(live, dict) and live.keys() == rec.keys(), where
        for k in rec:
            _same(live[k], rec[k], f"{where}.{k}")
    elif isinstance(rec, list):
        assert isinstance(live, list) and len(live) == len(rec), where
        for i, (a, b) in enumerate(zip(live, rec, strict=True)):
            _same(a, b, f"{where}[{i}]")
    elif isinstance(rec, float) and not isinstance(live, bool):
        assert live == pytest.approx(rec, rel=1e-12, abs=1e-12, nan_ok=True), where
    else:
        assert live == rec, where


def test_twin_generator_is_named_in_the_twin(twin):
    assert twin["generator"] == "tests/mage/reference/kaipy_twin.py"
    assert (HERE / "reference" / "kaipy_twin.py").is_file()
    assert twin["kaipy"].startswith("1.1.5")
