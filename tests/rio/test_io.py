"""NORSTAR K0/K2 text and SWAN HSR HDF5 readers (geospacexr.io.riometer)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest

import geospacexr
from geospacexr import datasets
from geospacexr._synth import riometer as synth
from geospacexr.errors import DataWarning, FileFormatError, IncompatibleInputError, WrongKindError
from geospacexr.io.registry import find_reader
from geospacexr.io.riometer import open_riometer, read_norstar_file

HEADER = (
    "# ---- NORSTAR riometer data ----\n"
    "# Processing date: Mon Apr 16 12:00:00 2007\n"
    "# Site unique ID: {site}\n"
    "# Version: 1.0\n"
    "# ------------\n"
)


def write(path: Path, rows: list[str], site: str = "GILL") -> Path:
    path.write_text(HEADER.format(site=site) + "\n".join(rows) + "\n")
    return path


@pytest.fixture(scope="module")
def norstar() -> Path:
    return datasets.sample_path("norstar_rio-gill")


def test_sample_days_concatenated_k2_preferred(norstar):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = geospacexr.open_riometer(norstar)
    assert ds.attrs["geospacexr_kind"] == "riometer"
    assert ds.attrs["site"] == "gill" and ds.attrs["site_lat"] == pytest.approx(56.38)
    assert float(ds.frequency) == 30.0
    assert ds.sizes["time"] == 3 * 17280  # 5 s, the 24:00:00 rows dropped
    dt = np.diff(ds.time.values) / np.timedelta64(1, "s")
    assert (dt == 5).all()
    assert json.loads(ds.attrs["products"]) == ["k0", "k2"]
    assert json.loads(ds.attrs["problematic_files"]) == []
    truth = synth.truth()
    np.testing.assert_allclose(
        10 * np.log10(ds.raw_signal.values), truth["signal_db"][:, 0], atol=1e-3
    )
    np.testing.assert_allclose(
        ds.absorption.values, (truth["qdc_db"] - truth["signal_db"])[:, 0], atol=6e-4
    )
    meta = json.loads(ds.attrs["file_metadata"])
    assert meta["processing_date"] == "2014-03-22 12:00:00"


def test_k0_alone_has_no_absorption_and_registry_finds_it(norstar):
    files = sorted(norstar.glob("norstar_k0_*"))
    assert find_reader(files[0]).name == "riometer-norstar"
    ds = geospacexr.open(files)
    assert "absorption" not in ds and ds.sizes["time"] == 3 * 17280


def test_old_names_site_from_three_letters(tmp_path):
    rows = [
        "02/04/90 00:00:00 1.50 2.0000",
        "02/04/90 00:00:05 1.40 2.1000",
        "02/04/90 24:00:00 1.40 2.1000",
    ]
    p = tmp_path / "rab_rio_19900402_v1a.txt"
    p.write_text("# ---- old file ----\n# ------------\n" + "\n".join(rows) + "\n")
    ds = open_riometer(p)
    assert ds.attrs["site"] == "rabb"  # not pyucalgarysrs' empty string
    assert ds.time.values[0] == np.datetime64("1990-04-02T00:00:00")
    assert ds.sizes["time"] == 2
    np.testing.assert_allclose(ds.absorption.values, [1.5, 1.4], rtol=1e-6)
    p0 = tmp_path / "chu_canopus_dcp_rio_20050402_v0.txt"
    p0.write_text("# ---- old ----\n# ------------\n02/04/05 12:00:00 1.2500\n")
    ds0 = open_riometer(p0)
    assert ds0.attrs["site"] == "chur" and "absorption" not in ds0
    assert ds0.time.values[0] == np.datetime64("2005-04-02T12:00:00")


def test_damaged_rows_kept_part_reported(tmp_path):
    rows = [
        "02/04/07 00:00:00 2.0000",
        "garbage here",
        "02/04/07 00:00:10 nan",
        "31/04/07 00:00:15 2.0",
        "02/04/07 00:00:20 2.5000 9.9",
        "02/04/07 00:00:25 2.2000",
        "03/05/07 00:00:30 2.3000",
    ]
    p = write(tmp_path / "norstar_k0_rio-gill_20070402_v01.txt", rows)
    with pytest.warns(DataWarning, match="4 damaged row"):
        ds = open_riometer(p)
    np.testing.assert_allclose(ds.raw_signal.values, [2.0, 2.2])
    problems = json.loads(ds.attrs["problematic_files"])
    assert problems[0]["file"] == p.name and "line" in problems[0]["reason"]
    assert "1 row(s) dated outside the file's day 2007-04-02" in problems[0]["reason"]


def test_damaged_file_among_good_ones(tmp_path, norstar):
    good = sorted(norstar.glob("norstar_k0_*"))[0]
    bad = tmp_path / "norstar_k0_rio-gill_20070405_v01.txt"
    bad.write_bytes(b"#\x00\x01binary")
    with pytest.warns(DataWarning, match="20070405"):
        ds = open_riometer([good, bad])
    assert ds.sizes["time"] == 17280
    with pytest.raises(FileFormatError, match="no riometer data"):
        open_riometer(bad)


def test_several_sites_refused(tmp_path):
    a = write(tmp_path / "norstar_k0_rio-gill_20070402_v01.txt", ["02/04/07 00:00:00 2.0"])
    b = write(
        tmp_path / "norstar_k0_rio-daws_20070402_v01.txt", ["02/04/07 00:00:00 2.0"], site="DAWS"
    )
    with pytest.raises(IncompatibleInputError, match="several sites"):
        open_riometer([a, b])


def test_hsr_sample():
    path = datasets.sample_path("swan_hsr-mean")
    assert find_reader(path).name == "riometer-hsr"
    ds = geospacexr.open_riometer(path)
    assert ds.raw_power.dims == ("time", "frequency")
    np.testing.assert_allclose(ds.frequency.values, synth.HSR_BANDS_MHZ)
    assert ds.sizes["time"] == 86400 and ds.attrs["instrument"] == "swan_hsr"
    assert ds.attrs["site"] == "mean" and ds.attrs["site_lon"] == pytest.approx(-113.35)
    truth = synth.truth(synth.HSR_DAY, 1, synth.HSR_LON, 1, synth.HSR_BANDS_MHZ, 2024)
    np.testing.assert_allclose(ds.raw_power.values, truth["signal_db"], atol=1e-5)
    with h5py.File(path) as f:
        assert f["data/raw_power"].shape == (8, 86400)


def test_hsr_damaged_timestamps_and_shapes(tmp_path):
    path = datasets.sample_path("swan_hsr-mean")
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    with h5py.File(copy, "r+") as f:
        stamps = f["data/timestamp"][()]
        stamps[5] = b"not a time"
        del f["data/timestamp"]
        f["data/timestamp"] = stamps[:-10]
    with pytest.warns(DataWarning, match="unreadable timestamp"):
        ds = open_riometer(copy)
    assert ds.sizes["time"] == 86400 - 11
    other = tmp_path / "20240204_mean-hsr_k0_v01.h5"
    with h5py.File(other, "w") as f:
        f["data/timestamp"] = np.array([b"2024-02-04 00:00:00 UTC"])
    with pytest.warns(DataWarning, match="no /data/raw_power"):
        open_riometer([copy, other])


def test_roundtrip_netcdf_and_kind_check(tmp_path, norstar):
    ds = open_riometer(sorted(norstar.glob("*k2*"))[0])
    import xarray as xr

    from geospacexr._checks import require

    ds.to_netcdf(tmp_path / "r.nc")
    with xr.open_dataset(tmp_path / "r.nc") as back:
        xr.testing.assert_identical(back.load(), ds)

    with pytest.raises(WrongKindError):
        require(ds, "asi")
    assert require(ds, "riometer") is ds


def test_read_norstar_file_fields(norstar):
    part = read_norstar_file(sorted(norstar.glob("*k2*"))[0])
    assert part["level"] == "k2" and part["dropped_hour24"] == 1 and part["site"] == "gill"
