import subprocess
import sys

import pytest

from geospacexr.cli import main


def test_info(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "geospacexr" in out and "optional extras" in out and "themis-gill" in out


def test_config_shows_sources(capsys, monkeypatch):
    monkeypatch.setenv("GEOSPACEXR_ASI_MIN_ELEVATION", "12")
    import geospacexr.config

    geospacexr.config.reload()
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "asi.min_elevation" in out and "12.0" in out and "[GEOSPACEXR_ASI_MIN_ELEVATION]" in out


def test_bad_config_is_a_clean_error(capsys, monkeypatch, tmp_path):
    bad = tmp_path / "c.toml"
    bad.write_text("[asi\n")
    monkeypatch.setenv("GEOSPACEXR_CONFIG", str(bad))
    proc = subprocess.run(
        [sys.executable, "-m", "geospacexr.cli", "config"], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert (
        "geospacexr: error:" in proc.stderr
        and str(bad) in proc.stderr
        and "Traceback" not in proc.stderr
    )


def test_samples(capsys):
    assert main(["samples", "--generate", "themis-gill"]) == 0
    out = capsys.readouterr().out
    assert "themis-gill" in out and "ready" in out
    assert main(["samples", "nope-sample"]) == 1
    assert "unknown sample" in capsys.readouterr().err


def test_demo_writes_figures(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "demo"
    assert main(["demo", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    made = sorted(p.name for p in out.iterdir())
    assert made == sorted(
        [
            "themis-gill-summary.json",
            "themis-gill-keogram.nc",
            "themis-gill-keogram.png",
            "themis-gill-first-frame.png",
            "themis-gill-last-frame.png",
            "tiegcm-5deg-TN-300km.nc",
            "tiegcm-5deg-TN-300km.png",
            "tiegcm-5deg-TN-zonal-mean.png",
        ]
    )
    for name in made:
        assert name in printed
        assert (out / name).stat().st_size > 100
    assert (out / "themis-gill-keogram.png").read_bytes().startswith(b"\x89PNG")


def test_serve_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["serve", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--port" in out and "--address" in out and "--show" in out and "--no-show" in out


def test_serve_command_prints_url_serves_and_stops_on_interrupt():
    pytest.importorskip("panel")
    import os
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "geospacexr.cli", "serve", "--port", str(port), "--no-show"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line
        for _ in range(200):
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.1)
        assert b"geospacexr" in page
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) in (0, 130)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_night_keogram_command(tmp_path, capsys):
    import numpy as np
    import xarray as xr

    from geospacexr import datasets

    folder = datasets.sample_path("themis-gill")
    files = sorted(folder.glob("*.pgm.gz"))
    # one damaged file in the night: skipped with a warning, the rest kept
    (tmp_path / "20140310_0603_gill_themis19_full.pgm.gz").write_bytes(b"\x1f\x8b broken")
    args = [str(f) for f in files] + [str(tmp_path / "20140310_0603_gill_themis19_full.pgm.gz")]
    with pytest.warns(Warning, match="skipped"):
        assert (
            main(
                [
                    "asi",
                    "keogram",
                    *args,
                    "-o",
                    str(tmp_path / "n.nc"),
                    "-o",
                    str(tmp_path / "n.png"),
                ]
            )
            == 0
        )
    out = capsys.readouterr().out
    assert "60 frames" in out
    keo = xr.open_dataarray(tmp_path / "n.nc")
    full = datasets.open_sample("themis-gill").asi.keogram()
    np.testing.assert_array_equal(keo.values, full.values)
    assert (tmp_path / "n.png").read_bytes().startswith(b"\x89PNG")
