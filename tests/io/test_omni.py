"""The OMNI reader: hourly OMNI2 and 1-min HRO ASCII layouts, fills, damage, the CDF path."""

import json
import warnings

import numpy as np
import pytest

import geospacexr
from geospacexr import datasets
from geospacexr._synth import omni as synth
from geospacexr.errors import DataWarning, FileFormatError, IncompatibleInputError
from geospacexr.io.omni import open_omni, read_omni_file


@pytest.fixture(scope="module")
def hourly():
    return datasets.sample_path("omni-hourly")


@pytest.fixture(scope="module")
def minute():
    return datasets.sample_path("omni-1min")


def test_hourly_layout_words_and_fills(hourly):
    lines = hourly.read_text().splitlines()
    assert len(lines) == 72
    # the fixed Fortran record of SPDF's omni2.text: 55 words, 327 columns
    assert all(len(line) == 327 and len(line.split()) == 55 for line in lines)
    ds = open_omni(hourly)
    assert ds.attrs["geospacexr_kind"] == "omni" and ds.attrs["cadence_s"] == 3600
    assert ds.time.values[0] == np.datetime64("2015-03-16T00:00")
    assert ds.time.values[-1] == np.datetime64("2015-03-18T23:00")
    first = lines[0].split()
    # word 41 Dst, 29 flow pressure, 17 Bz GSM, 39 Kp*10
    assert ds.Dst.values[0] == float(first[40])
    assert ds.Pdyn.values[0] == float(first[28])
    assert ds.Bz_GSM.values[0] == float(first[16])
    assert ds.Kp.values[0] == pytest.approx(round(float(first[38]) * 0.3) / 3)
    assert ds.Dst.attrs["units"] == "nT" and ds.Pdyn.attrs["units"] == "nPa"
    assert ds.Dst.attrs["source_name"] == "word 41"
    # 999.9 (F6.1) and 99.9 (PC(N), F6.1) fills are NaN, Kp in thirds within [0, 9]
    assert first[51] == "999.9" and np.isnan(ds.PC_N.values).all()
    kp = ds.Kp.values
    np.testing.assert_allclose(kp * 3, np.round(kp * 3), atol=1e-12)
    assert 0 <= kp.min() and kp.max() <= 9


def test_hourly_sample_is_a_storm(hourly):
    ds = open_omni(hourly)
    assert ds.Dst.min() < -150 and ds.Dst.isel(time=slice(0, 24)).min() > -30
    assert ds.Bz_GSM.min() < -15 and ds.Pdyn.max() > 8 and ds.Kp.max() >= 6
    # Dst falls while Bz is southward (the main phase)
    south = ds.Bz_GSM < -10
    assert float(ds.Dst.diff("time").where(south.isel(time=slice(1, None))).mean()) < -5


def test_minute_layout_and_gap(minute):
    lines = minute.read_text().splitlines()
    assert all(len(line.split()) == 46 for line in lines)
    ds = geospacexr.open(minute)  # found by the registry
    assert ds.attrs["layout"] == "hro-1min" and ds.sizes["time"] == 1440
    assert "Dst" not in ds and "Kp" not in ds and ds.SYM_H.min() < -150
    assert int(ds.Pdyn.isnull().sum()) == 15 and int(ds.Bz_GSM.isnull().sum()) == 0
    step = np.diff(ds.time.values) / np.timedelta64(1, "s")
    assert (step == 60).all()


def test_five_minute_layout(tmp_path):
    words = [2015, 76, 0, 5] + [1.0] * 42 + [12.5, float("nan"), 0.2]
    formats = synth._HRO_FORMAT + ["F9.2"] * 3
    (tmp_path / "omni_5min_201503.asc").write_text(synth.record(words, formats) + "\n")
    ds = open_omni(tmp_path / "omni_5min_201503.asc")
    assert ds.attrs["layout"] == "hro-5min" and ds.attrs["cadence_s"] == 300
    assert ds.time.values[0] == np.datetime64("2015-03-17T00:05")
    assert ds.proton_flux_10MeV.values[0] == 12.5 and np.isnan(ds.proton_flux_30MeV.values[0])


def test_damaged_lines_are_skipped_and_reported(tmp_path, hourly):
    lines = hourly.read_text().splitlines()
    lines[3] = lines[3][:100]  # truncated record
    lines[5] = lines[5].replace("2015  75", "2015 400", 1)  # day 400
    lines[7] = "x" * 50
    path = tmp_path / "omni2_2015.dat"
    path.write_text("\n".join(lines) + "\n")
    with pytest.warns(DataWarning, match="3 damaged record"):
        ds = open_omni(path)
    assert ds.sizes["time"] == 69
    problems = json.loads(ds.attrs["problematic_files"])
    assert problems[0]["file"] == "omni2_2015.dat" and "lines 4, 6, 8" in problems[0]["reason"]


def test_unreadable_files(tmp_path, hourly):
    empty = tmp_path / "omni2_2014.dat"
    empty.write_text("")
    binary = tmp_path / "omni2_2013.dat"
    binary.write_bytes(b"\0\1\2" * 100)
    with pytest.raises(FileFormatError, match="no OMNI record"):
        open_omni(empty)
    with pytest.raises(FileFormatError, match="binary"):
        open_omni(binary)
    with pytest.warns(DataWarning, match="omni2_2014.dat"):  # the good file is kept
        ds = open_omni([empty, hourly])
    assert ds.sizes["time"] == 72
    with geospacexr.config.override({"io.max_decompressed_mb": 0.001}):
        with pytest.raises(FileFormatError, match="io.max_decompressed_mb"):
            read_omni_file(hourly)


def test_resolutions_are_not_mixed(hourly, minute):
    with pytest.raises(IncompatibleInputError, match="several resolutions"):
        open_omni([hourly, minute])


def test_overlapping_files_keep_one_record_per_time(tmp_path, hourly):
    lines = hourly.read_text().splitlines()
    (tmp_path / "omni2_a.dat").write_text("\n".join(lines[:40]) + "\n")
    (tmp_path / "omni2_b.dat").write_text("\n".join(lines[30:]) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = open_omni(tmp_path)
    assert ds.sizes["time"] == 72 and ds.identical(open_omni(hourly).assign_attrs(ds.attrs))


def test_round_trips_through_netcdf(tmp_path, hourly):
    ds = open_omni(hourly)
    ds.to_netcdf(tmp_path / "omni.nc")
    import xarray as xr

    with xr.open_dataset(tmp_path / "omni.nc") as back:
        assert back.identical(ds)


def test_hro_cdf(tmp_path, minute):
    cdflib = pytest.importorskip("cdflib")
    from cdflib.cdfwrite import CDF as Writer

    ds = open_omni(minute)
    epochs = cdflib.cdfepoch.compute_epoch(
        [[int(s) for s in str(t)[:19].replace("T", "-").replace(":", "-").split("-")] + [0]
         for t in ds.time.values]
    )  # fmt: skip
    path = tmp_path / "omni_hro_1min_20150317_v01.cdf"
    w = Writer(str(path), cdf_spec={"rDim_sizes": []})
    for name, values, ctype in (("Epoch", np.asarray(epochs), 31),
                                ("BZ_GSM", np.nan_to_num(ds.Bz_GSM.values, nan=9999.99), 21),
                                ("Pressure", np.nan_to_num(ds.Pdyn.values, nan=99.99), 21),
                                ("SYM_H", ds.SYM_H.values.astype(np.int32), 4)):  # fmt: skip
        attrs = (
            {}
            if name == "Epoch"
            else {"FILLVAL": [{"BZ_GSM": 9999.99, "Pressure": 99.99, "SYM_H": 99999}[name], ctype]}
        )
        w.write_var({"Variable": name, "Data_Type": ctype, "Num_Elements": 1, "Rec_Vary": True,
                     "Dim_Sizes": []}, var_attrs=attrs, var_data=values)  # fmt: skip
    w.close()
    cdf = open_omni(path)
    assert cdf.attrs["layout"] == "hro-1min" and cdf.sizes["time"] == 1440
    np.testing.assert_array_equal(cdf.time.values, ds.time.values)
    np.testing.assert_allclose(cdf.Bz_GSM.values, ds.Bz_GSM.values, rtol=1e-6)
    assert int(cdf.Pdyn.isnull().sum()) == 15 and cdf.SYM_H.attrs["source_name"] == "SYM_H"


def test_cdf_without_cdflib_says_what_to_install(tmp_path, monkeypatch):
    import sys

    path = tmp_path / "omni_hro_1min_20150317_v01.cdf"
    path.write_bytes(b"\xcd\xf3\x00\x01" + b"\0" * 100)
    monkeypatch.setitem(sys.modules, "cdflib", None)
    with pytest.raises(FileFormatError, match=r"geospacexr\[omni\]"):
        open_omni(path)


def test_records_outside_the_files_period_are_damaged(tmp_path, minute):
    lines = minute.read_text().splitlines()
    lines[10] = lines[10].replace("2015  76", "2016  76", 1)
    (tmp_path / "omni_min_201503.asc").write_text("\n".join(lines) + "\n")
    with pytest.warns(DataWarning, match="outside the file's period 2015-03"):
        ds = open_omni(tmp_path / "omni_min_201503.asc")
    assert ds.sizes["time"] == 1439 and ds.time.dt.year.max() == 2015


def test_extended_hourly_files_with_lyman_alpha(tmp_path, hourly):
    lines = [line + "  0.007831" for line in hourly.read_text().splitlines()]  # word 56
    (tmp_path / "omni2_2015.dat").write_text("\n".join(lines) + "\n")
    ds = open_omni(tmp_path / "omni2_2015.dat")
    base = open_omni(hourly)
    assert ds.attrs["layout"] == "omni2-hourly"
    for name in ("Dst", "Kp", "Pdyn", "Bz_GSM", "magnetosonic_mach"):
        np.testing.assert_array_equal(ds[name].values, base[name].values)
