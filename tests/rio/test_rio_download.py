"""Riometer and spectrograph downloads by dataset name, against the local 127.0.0.1 server of
the ASI download tests, serving the samples in the open-data server's real folder layout."""

import json
import shutil

import pytest
from _http_fixture import Handler, serve

import geospacexr
from geospacexr import datasets
from geospacexr._synth import riometer as synth
from geospacexr.errors import DataWarning, DownloadError
from geospacexr.io.download import DATASETS, download_dataset

RIO = "GO-Canada/GO-Rio/txt/2007/04/"
HSR = "SWAN/hsr/l0/multi_freq/h5/2024/02/03/"
SPECT_RAW = "TREx/spectrograph/l0/raw/2021/02/15/rabb_spect-02/ut06/"
SPECT_L1 = "TREx/spectrograph/l1/processed/2021/02/15/rabb_spect-02/"


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "server"
    # three days of Gillam K0/K2 files in April 2007 (the synthetic truth behind the sample)
    made = tmp_path / "made"
    synth.write_norstar(made, start="2007-04-02", days=3, seed=2007)
    for f in sorted(made.glob("*.txt")):
        day = root / RIO / f.name.split("_")[3][6:8]
        day.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, day / f.name)
    # another site's file and an older version in the same folder
    d02 = root / RIO / "02"
    shutil.copy(
        d02 / "norstar_k0_rio-gill_20070402_v01.txt", d02 / "norstar_k0_rio-fsim_20070402_v01.txt"
    )
    (d02 / "norstar_k2_rio-gill_20070402_v00.txt").write_text("# old\n")
    # an old-style name (Gillam's code is "gil") on a day of its own
    d05 = root / RIO / "05"
    d05.mkdir()
    shutil.copy(d02 / "norstar_k2_rio-gill_20070402_v01.txt", d05 / "gil_rio_20070405_v1a.txt")
    (root / HSR).mkdir(parents=True)
    shutil.copy(datasets.sample_path("swan_hsr-mean"), root / HSR)
    spect = datasets.sample_path("trex_spect-rabb")
    sky = root / "TREx/spectrograph/skymaps/rabb/rabb_20210215"
    sky.mkdir(parents=True)
    shutil.copy(spect / "spect_skymap_rabb_20210215-+_v01.sav", sky)
    for folder, pattern in ((SPECT_RAW, "*.pgm.gz"), (SPECT_L1, "*.h5")):
        (root / folder).mkdir(parents=True)
        for f in spect.glob(pattern):
            shutil.copy(f, root / folder / f.name)
    with serve(root) as url:
        yield url, root


def test_norstar_k0_days_into_the_mirror(server, tmp_path):
    url, root = server
    mirror = tmp_path / "mirror"
    files = download_dataset(
        "NORSTAR_RIOMETER_K0_TXT",
        "gill",
        "2007-04-02",
        "2007-04-03",
        mirror,
        url=url,
        progress=False,
    )
    assert [f.name for f in files] == [
        "norstar_k0_rio-gill_20070402_v01.txt",
        "norstar_k0_rio-gill_20070403_v01.txt",
    ]
    for f in files:
        assert f.read_bytes() == (root / f.relative_to(mirror)).read_bytes()
        assert str(f.relative_to(mirror)).startswith(RIO)
    manifest = json.loads((mirror / ".manifest.json").read_text())
    assert len(manifest) == 2
    ds = geospacexr.open_riometer(files)
    assert ds.attrs["site"] == "gill" and ds.sizes["time"] == 2 * 17280
    # a second call downloads nothing
    fetched = [p for p, _ in Handler.requests if p.endswith(".txt")]
    geospacexr.rio.download(
        "norstar_riometer_k0_txt", "gill", "2007-04-02", "2007-04-03", mirror, url=url
    )
    assert [p for p, _ in Handler.requests if p.endswith(".txt")] == fetched


def test_k2_highest_version_old_names_and_missing_days(server, tmp_path):
    url, _ = server
    with pytest.warns(DataWarning, match="day.*2007-04-06"):
        files = download_dataset(
            "NORSTAR_RIOMETER_K2_TXT",
            "gill",
            "2007-04-02",
            "2007-04-06",
            tmp_path / "m",
            url=url,
            progress=False,
        )
    assert [f.name for f in files] == [
        "gil_rio_20070405_v1a.txt",
        "norstar_k2_rio-gill_20070402_v01.txt",  # not the v00 beside it
        "norstar_k2_rio-gill_20070403_v01.txt",
        "norstar_k2_rio-gill_20070404_v01.txt",
    ]


def test_hsr_day(server, tmp_path):
    url, _ = server
    files = download_dataset(
        "SWAN_HSR_K0_H5", "mean", "2024-02-03T00:00", "2024-02-03T23:59", tmp_path, url=url
    )
    assert [f.name for f in files] == ["20240203_mean-hsr_k0_v01.h5"]
    assert geospacexr.open_riometer(files).sizes["frequency"] == 8


def test_spectrograph_raw_minutes_and_l1_hours(server, tmp_path):
    url, _ = server
    raw = download_dataset(
        "TREX_SPECT_RAW", "rabb", "2021-02-15T06:01", "2021-02-15T06:03", tmp_path, url=url
    )
    assert [f.name for f in raw] == [
        "20210215_0601_rabb_spect-02_spectra.pgm.gz",
        "20210215_0602_rabb_spect-02_spectra.pgm.gz",
        "20210215_0603_rabb_spect-02_spectra_dark.pgm.gz",
    ]
    l1 = download_dataset(
        "TREX_SPECT_PROCESSED_V1", "rabb", "2021-02-15T06:30", "2021-02-15T06:40", tmp_path, url=url
    )
    assert [f.name for f in l1] == ["20210215_06_rabb_spect-02_spectra_cal_v01.h5"]
    assert geospacexr.open_asi(l1).attrs["geospacexr_kind"] == "spectrograph"
    (sky,) = download_dataset(
        "TREX_SPECT_SKYMAP_IDLSAV", "rabb", "2021-03-01", "2021-03-01", tmp_path, url=url
    )
    assert sky.name == "spect_skymap_rabb_20210215-+_v01.sav"
    assert sky.relative_to(tmp_path).parts[:4] == ("TREx", "spectrograph", "skymaps", "rabb")
    with pytest.raises(DownloadError, match="no TREX_SPECT_SKYMAP_IDLSAV skymap for rabb"):
        download_dataset(
            "TREX_SPECT_SKYMAP_IDLSAV", "rabb", "2020-01-01", "2020-01-01", tmp_path, url=url
        )


def test_cut_transfer_never_lands_and_resumes(server, tmp_path):
    url, root = server
    name = "norstar_k0_rio-gill_20070404_v01.txt"
    Handler.broken = {f"/{RIO}04/{name}"}
    mirror = tmp_path / "mirror"
    with geospacexr.config.override({"servers.retries": 1}):
        with pytest.raises(DownloadError, match="received .* bytes"):
            download_dataset(
                "NORSTAR_RIOMETER_K0_TXT", "gill", "2007-04-04", "2007-04-04", mirror, url=url
            )
    assert not (mirror / RIO / "04" / name).exists()
    Handler.broken = set()
    (f,) = download_dataset(
        "NORSTAR_RIOMETER_K0_TXT", "gill", "2007-04-04", "2007-04-04", mirror, url=url
    )
    assert f.read_bytes() == (root / RIO / "04" / name).read_bytes()


def test_damaged_files_are_refused(server, tmp_path):
    url, root = server
    mirror = tmp_path / "mirror"
    # a text file cut in the middle of a row (served whole: no Content-Length mismatch)
    text = root / RIO / "03" / "norstar_k0_rio-gill_20070403_v01.txt"
    whole = text.read_bytes()
    # without its final newline a file is whole when its last row is
    (root / RIO / "04" / "norstar_k0_rio-gill_20070404_v01.txt").write_bytes(whole[:-1])
    (f,) = download_dataset(
        "NORSTAR_RIOMETER_K0_TXT", "gill", "2007-04-04", "2007-04-04", tmp_path / "m2", url=url
    )
    assert f.read_bytes() == whole[:-1]
    text.write_bytes(whole[:-3])  # cut inside the last number
    with geospacexr.config.override({"servers.retries": 1}):
        with pytest.raises(DownloadError, match="last line is cut off"):
            download_dataset(
                "NORSTAR_RIOMETER_K0_TXT", "gill", "2007-04-03", "2007-04-03", mirror, url=url
            )
        # an HDF5 file without the datasets the HSR reader needs
        import h5py

        hsr = root / HSR / "20240203_mean-hsr_k0_v01.h5"
        with h5py.File(hsr, "a") as f:
            del f["data/raw_power"]
        with pytest.raises(DownloadError, match="raw_power"):
            download_dataset("SWAN_HSR_K0_H5", "mean", "2024-02-03", "2024-02-03", mirror, url=url)
    assert not [p for p in mirror.rglob("*") if p.is_file() and not p.name.startswith(".")]


def test_bad_arguments(server):
    url, _ = server
    with pytest.raises(
        ValueError, match="dataset must be one of .*NORSTAR_RIOMETER_K0_TXT.*did you mean"
    ):
        download_dataset("NORSTAR_RIOMETER_K1_TXT", "gill", "2007-04-02", "2007-04-02", url=url)
    with pytest.raises(ValueError, match="site must be"):
        download_dataset("SWAN_HSR_K0_H5", "../etc", "2024-02-03", "2024-02-03", url=url)
    with pytest.raises(ValueError, match="before start"):
        download_dataset("SWAN_HSR_K0_H5", "mean", "2024-02-04", "2024-02-03", url=url)
    assert {"NORSTAR_RIOMETER_K0_TXT", "NORSTAR_RIOMETER_K2_TXT", "SWAN_HSR_K0_H5"} <= set(DATASETS)


def test_unsafe_listing_names_are_skipped_and_reported(server, tmp_path):
    url, root = server
    (root / RIO / "04" / "..\\norstar_k0_rio-gill_20070404_v02.txt").write_text("# x\n")
    mirror = tmp_path / "mirror"
    with pytest.warns(DataWarning, match=r"skipped 1 unsafe or malformed name"):
        files = download_dataset(
            "NORSTAR_RIOMETER_K0_TXT", "gill", "2007-04-04", "2007-04-04", mirror, url=url
        )
    assert [f.name for f in files] == ["norstar_k0_rio-gill_20070404_v01.txt"]
    assert all(p.resolve().is_relative_to(mirror.resolve()) for p in mirror.rglob("*"))
