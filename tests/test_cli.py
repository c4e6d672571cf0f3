import subprocess
import sys

import pytest

from geospacexr import datasets
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
    assert str(datasets.sample_path("themis-gill")) in out  # where the files are
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
        # progress lines first ("preparing the explorers..."), then the URL
        lines = []
        while proc.poll() is None and len(lines) < 20:
            lines.append(proc.stdout.readline())
            if f"http://127.0.0.1:{port}/" in lines[-1]:
                break
        assert f"http://127.0.0.1:{port}/" in lines[-1], lines
        # the app is built before the server listens (its caches warm) and the first page is
        # rendered on request: on a loaded 2-core machine that takes a while; wait for it
        page = b""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=120).read()
                break
            except OSError:
                time.sleep(0.5)
        assert b"geospacexr" in page, proc.stderr.read() if proc.poll() is not None else ""
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
    argv = ["asi", "keogram", *args, "-o", str(tmp_path / "n.nc"), "-o", str(tmp_path / "n.png")]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "60 frames" in captured.out
    # the warning is one line on stderr, as every command's warnings
    warned = [line for line in captured.err.splitlines() if "skipped" in line]
    assert len(warned) == 1 and warned[0].startswith("geospacexr asi keogram: DataWarning:")
    keo = xr.open_dataarray(tmp_path / "n.nc")
    full = datasets.open_sample("themis-gill").asi.keogram()
    np.testing.assert_array_equal(keo.values, full.values)
    assert (tmp_path / "n.png").read_bytes().startswith(b"\x89PNG")


def test_night_keogram_command_magnetic_and_path(tmp_path):
    """--axis mag with a skymap, a meridian and a path: the same as one in-memory keogram."""
    import numpy as np
    import xarray as xr

    from geospacexr import datasets

    files = [str(f) for f in sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz"))]
    sky = str(datasets.sample_path("themis-gill-skymap"))
    images = datasets.open_sample("themis-gill")
    skymap = datasets.open_sample("themis-gill-skymap")
    runs = {
        "mag": (["--axis", "mag", "--altitude", "150"], dict(axis="mag", altitude_km=150)),
        "meridian": (["--axis", "geo", "--longitude", "-94"], dict(axis="geo", longitude=-94)),
        "path": (
            ["--axis", "geo", "--point", "54,-95", "--point", "58.5,-94", "--metric", "median"],
            dict(axis="geo", path=[(54, -95), (58.5, -94)], metric="median"),
        ),
    }
    for name, (options, kwargs) in runs.items():
        out = tmp_path / f"{name}.nc"
        assert main(["asi", "keogram", *files, "--skymap", sky, *options, "-o", str(out)]) == 0
        got = xr.open_dataarray(out)
        expected = images.asi.keogram(skymap, **kwargs)
        assert got.dims == expected.dims, name
        np.testing.assert_array_equal(got.values, expected.values, err_msg=name)
        for coord in expected.coords:
            if expected[coord].dtype.kind == "f":
                np.testing.assert_allclose(got[coord], expected[coord], err_msg=f"{name} {coord}")


def test_night_keogram_command_bad_options(tmp_path, capsys):
    from geospacexr import datasets

    files = [str(f) for f in sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz"))]
    out = str(tmp_path / "k.nc")
    # a geographic keogram without the skymap: one line, exit 1, nothing written
    assert main(["asi", "keogram", *files, "--axis", "geo", "-o", out]) == 1
    err = capsys.readouterr().err.strip()
    assert "needs the site's skymap" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "k.nc").exists()
    # a skymap of another site
    other = str(datasets.sample_path("themis-rank-skymap"))
    assert main(["asi", "keogram", *files, "--axis", "geo", "--skymap", other, "-o", out]) == 1
    assert "'rank'" in capsys.readouterr().err
    # a malformed path point: argparse's usage error
    with pytest.raises(SystemExit) as stop:
        main(["asi", "keogram", *files, "--point", "56", "-o", out])
    assert stop.value.code == 2
    assert "two numbers" in capsys.readouterr().err
