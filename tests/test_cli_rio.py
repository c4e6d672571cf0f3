"""``geospacexr rio info|absorption``: riometer files from the command line, and bad input."""

import json
import re
import shutil

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr import datasets
from geospacexr._synth import riometer as synth
from geospacexr.cli import EXIT_STATUS, main


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """Twenty days of K0 and K2 files of Gillam (the synthetic truth of the samples)."""
    folder = tmp_path_factory.mktemp("rio")
    synth.write_norstar(folder, days=20, levels=("k0", "k2"), start="2007-04-02", seed=2007)
    return folder


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_info_text_and_json(capsys):
    folder = datasets.sample_path("norstar_rio-gill")
    code, out, err = _run(["rio", "info", folder / "norstar_k0_rio-gill_20140308_v01.txt"], capsys)
    assert code == 0, err
    assert "norstar_riometer gill (Gillam)" in out and "17,280 samples" in out
    assert "cadence 5.0 s" in out and "30 MHz" in out
    assert re.search(r"magnetic 6\d\.\d\d N -2\d\.\d\d E \((AACGM-v2|centred dipole)", out)
    hsr = datasets.sample_path("swan_hsr-mean")
    code, out, err = _run(["rio", "info", "--json", hsr], capsys)
    info = json.loads(out)
    assert info["instrument"] == "swan_hsr" and info["site"] == "mean"
    assert len(info["frequency_mhz"]) == 8 and info["samples"] == 86400 and info["problems"] == []
    assert info["site_magnetic_model"].endswith("2024-02-03") and 55 < info["site_mlat"] < 65


def test_absorption_of_a_record(month, tmp_path, capsys):
    out = tmp_path / "gill.nc"
    code, printed, err = _run(
        ["rio", "absorption", month / "*.txt", "--days", "7", "-o", out, "--no-progress"], capsys
    )
    assert code == 0, err
    assert "3 quiet-day curve(s) of 7 day(s)" in printed and str(out) in printed
    with xr.open_dataset(out) as ds:
        assert ds.sizes["time"] == 20 * 17280 and ds.sizes["window"] == 3
        assert ds["qdc"].dims == ("window", "sidereal_time")
        assert str(ds["window_start"].values[2])[:10] == "2007-04-16"
        # the last window (6 days) takes its QDC from the 7 days ending on its last day
        assert str(ds["qdc_start"].values[2])[:10] == "2007-04-15"
        assert ds.attrs["qdc_days"] == 7 and ds.attrs["site"] == "gill"
        # against the truth, and against the K2 files' own column, away from the interference
        truth = synth.truth(days=20, start="2007-04-02", seed=2007)
        err_db = ds["absorption"].values - truth["absorption_db"][:, 0]
        quiet = (
            np.abs(truth["signal_db"][:, 0] - truth["qdc_db"][:, 0] + truth["absorption_db"][:, 0])
            < 0.5
        )
        assert np.sqrt(np.mean(err_db[quiet] ** 2)) < 0.08
        k2 = ds["absorption_k2"].values
        assert np.sqrt(np.nanmean((ds["absorption"].values - k2)[quiet] ** 2)) < 0.08
    assert not [p for p in tmp_path.iterdir() if p != out]  # no temporary left


def test_hsr_absorption_every_band(tmp_path, capsys):
    out = tmp_path / "hsr.nc"
    code, _, err = _run(
        ["rio", "absorption", datasets.sample_path("swan_hsr-mean"), "--days", "1", "-o", out],
        capsys,
    )
    assert code == 0, err
    with xr.open_dataset(out) as ds:
        assert ds["absorption"].dims == ("time", "frequency") and ds.sizes["frequency"] == 8
        assert ds["qdc"].dims == ("window", "sidereal_time", "frequency")


def test_qdc_options_reach_the_curve(month, tmp_path, capsys):
    out = tmp_path / "o.nc"
    files = sorted(month.glob("norstar_k0*"))[:3]
    argv = ["rio", "absorption", *files, "--bins", "96", "--rank", "1", "--harmonics", "4"]
    code, _, err = _run([*argv, "--min-samples", "2", "-o", out], capsys)
    assert code == 0, err
    with xr.open_dataset(out) as ds:
        assert ds.sizes["sidereal_time"] == 96
        assert (ds.attrs["qdc_rank"], ds.attrs["qdc_harmonics"], ds.attrs["qdc_min_samples"]) == (
            1,
            4,
            2,
        )


@pytest.mark.parametrize(
    "extra, status, message",
    [
        (["--days", "0"], "usage", "--days: at least 1, not 0"),
        (["--days", "two"], "usage", "--days: a whole number, not 'two'"),
        (["--harmonics", "-1"], "usage", "--harmonics: at least 0"),
        (["--bins", "2"], "error", "--bins: must be at least 4, not 2"),
    ],
)
def test_bad_options(month, tmp_path, capsys, extra, status, message):
    files = sorted(month.glob("norstar_k0*"))[:2]
    try:
        code = main(["rio", "absorption", *map(str, files), *extra, "-o", str(tmp_path / "o.nc")])
    except SystemExit as stop:
        code = stop.code
    err = capsys.readouterr().err.strip()
    assert code == EXIT_STATUS[status], err
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert not list(tmp_path.iterdir())


def test_bad_input(month, tmp_path, capsys):
    k0 = month / "norstar_k0_rio-gill_20070402_v01.txt"
    other = tmp_path / "in"
    other.mkdir()
    fsim = k0.read_text().replace("GILL", "FSIM")
    (other / "norstar_k0_rio-fsim_20070402_v01.txt").write_text(fsim)
    (other / "norstar_k0_rio-gill_20070403_v01.txt").write_bytes(b"\x00\x01garbage")
    shutil.copy(datasets.sample_path("swan_hsr-mean"), other)
    out = tmp_path / "o.nc"
    cases = [
        ([tmp_path / "none*.txt"], "error", "no such file or no match"),
        (
            [other / "norstar_k0_rio-gill_20070403_v01.txt"],
            "error",
            "no riometer data could be read",
        ),
        ([k0, other / "norstar_k0_rio-fsim_20070402_v01.txt"], "error", "several sites"),
        ([k0, other / "20240203_mean-hsr_k0_v01.h5"], "error", "mixed"),
    ]
    for files, status, message in cases:
        code, _, err = _run(["rio", "absorption", *files, "-o", out], capsys)
        assert code == EXIT_STATUS[status] and message in err, (files, err)
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    for target, message in ((tmp_path / "o.txt", "is written as .nc"), (other, "is a folder")):
        code, _, err = _run(["rio", "absorption", k0, "-o", target], capsys)
        assert code != 0 and message in err, err
    assert not out.exists()
    # a damaged file among good ones: a one-line warning, the good files' absorption written
    code, _, err = _run(
        ["rio", "absorption", k0, other / "norstar_k0_rio-gill_20070403_v01.txt", "-o", out],
        capsys,
    )
    assert code == 0 and "DataWarning" in err and "20070403" in err
    assert xr.open_dataset(out).sizes["time"] == 17280


def test_output_too_big_needs_force(month, tmp_path, capsys):
    out = tmp_path / "o.nc"
    files = sorted(month.glob("norstar_k0*"))[:2]
    with geospacexr.config.override({"cli.max_output_mb": 0.1}):
        code, _, err = _run(["rio", "absorption", *files, "-o", out], capsys)
        assert code == 1 and "--force" in err and "cli.max_output_mb" in err
        code, _, err = _run(["rio", "absorption", *files, "--force", "-o", out], capsys)
        assert code == 0, err


def test_hostile_outputs(month, tmp_path, capsys, monkeypatch):
    k0 = month / "norstar_k0_rio-gill_20070402_v01.txt"
    link = tmp_path / "link.nc"
    link.symlink_to(tmp_path / "elsewhere.nc")
    for target, message in ((link, "symbolic link"), ("/dev/null", "is a device")):
        code, _, err = _run(["rio", "absorption", k0, "-o", target], capsys)
        assert code == 1 and message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "elsewhere.nc").exists()

    # a full disk while writing: one line, nothing left behind
    def full(self, path, *args, **kwargs):
        import errno
        import os

        with open(path, "wb") as fh:
            fh.write(b"CDF")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(xr.Dataset, "to_netcdf", full)
    out = tmp_path / "full" / "o.nc"
    code, _, err = _run(["rio", "absorption", k0, "-o", out], capsys)
    assert code == 1 and "No space left on device" in err and "Traceback" not in err, err
    assert not out.exists() and not [p for p in out.parent.glob("*")]


def test_progress_bars_on_request(month, tmp_path, capsys):
    files = sorted(month.glob("norstar_k0*"))[:3]
    code, _, err = _run(
        ["rio", "absorption", *files, "--progress", "-o", tmp_path / "o.nc"], capsys
    )
    assert code == 0
    assert "reading NORSTAR files" in err and "3/3" in err and "quiet-day curves" in err


def test_a_real_process_prints_one_line(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "norstar_k0_rio-gill_20070402_v01.txt"
    bad.write_text("# header\n# ------------\nnot a row\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "geospacexr.cli",
            "rio",
            "absorption",
            str(bad),
            "-o",
            str(tmp_path / "o.nc"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().startswith("geospacexr rio absorption: error: no riometer data")
    assert "no readable row" in proc.stderr and not (tmp_path / "o.nc").exists()
