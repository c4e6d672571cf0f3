"""Hostile command lines (issue 16, point 7): refused before any work, one line, no traceback.

Every case runs the command in-process (as tests/test_cli.py does) and checks: a non-zero exit
status, one line on stderr naming the problem, no ``Traceback``, and no file written.
"""

from __future__ import annotations

import errno
import functools
import os
import subprocess
import sys

import pytest

import geospacexr.config as gxc
from geospacexr import cli, datasets
from geospacexr.cli import main

try:
    import matplotlib  # noqa: F401

    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False
needs_matplotlib = pytest.mark.skipif(not HAVE_MATPLOTLIB, reason="matplotlib is an optional extra")


@pytest.fixture(scope="module")
def asi_files():
    return [str(f) for f in sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz"))]


@pytest.fixture(scope="module")
def gcm_files():
    folder = datasets.sample_path("tiegcm-5deg")
    return [str(folder / "tiegcm_5deg_prim_001.nc"), str(folder / "tiegcm_5deg_sech_001.nc")]


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def run(argv, capsys):
    """Exit status and stderr of ``geospacexr argv`` (argparse's exits included)."""
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    return code, capsys.readouterr().err


def never(module, name, exc=None):
    """Replace ``module.name`` (keeping its signature, which the parser reads) by a failure."""
    real = getattr(module, name)

    @functools.wraps(real)
    def stand_in(*args, **kwargs):
        if exc is not None:
            raise exc
        pytest.fail(f"the work started ({name} was called)")

    return stand_in


def refused(argv, capsys, message, folder=None):
    """Assert a clean refusal: exit != 0, one line with ``message``, nothing written."""
    code, err = run(argv, capsys)
    assert code not in (0, None), err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "error" in lines[0] and message in lines[0], lines[0]
    if folder is not None:
        assert sorted(p.name for p in folder.iterdir()) == [], "a file was written"
    return lines[0]


# ------------------------------------------------------------------------------------------------
# asi keogram: cadence and the size of the result


@pytest.mark.parametrize(
    "cadence, message",
    [
        ("nan", "argument --cadence"),
        ("inf", "argument --cadence"),
        ("-3", "argument --cadence"),
        ("0", "argument --cadence"),
        ("1e-12", "argument --cadence"),
        ("abc", "expected a number"),
    ],
)
def test_keogram_cadence_must_be_finite_and_positive(asi_files, out, capsys, cadence, message):
    argv = ["asi", "keogram", *asi_files, "--cadence", cadence, "-o", str(out / "k.nc")]
    refused(argv, capsys, message, out)


@pytest.mark.parametrize("cadence", ["1e-9", "1e-5"])
def test_runaway_keogram_is_refused_before_any_work(asi_files, out, capsys, monkeypatch, cadence):
    import geospacexr.asi.night as night

    monkeypatch.setattr(night, "night_keogram", never(night, "night_keogram"))
    argv = ["asi", "keogram", *asi_files, "--cadence", cadence, "-o", str(out / "k.nc")]
    line = refused(argv, capsys, "cli.max_output_mb", out)
    assert "--force" in line and "GB" in line


def test_force_writes_what_the_size_limit_refuses(asi_files, out, capsys):
    argv = ["asi", "keogram", *asi_files, "--cadence", "1", "-o", str(out / "k.nc")]
    with gxc.override({"cli.max_output_mb": 0.1}):  # 181 columns x 256 rows: 0.37 MB
        refused(argv, capsys, "more than cli.max_output_mb = 0.1 MB", out)
        assert main([*argv, "--force"]) == 0
    assert (out / "k.nc").stat().st_size > 0
    # within the limit, no --force needed
    assert main([*argv[:-1], str(out / "k2.nc")]) == 0


def test_keogram_estimate_counts_columns_rows_and_bytes(asi_files):
    nbytes, what = cli._keogram_estimate(asi_files, 3.0)
    columns = 180 // 3 + 1  # three minute files: 06:00 to 06:03
    assert nbytes == columns * (256 + 1) * 8
    assert f"{columns:,} columns" in what and "256 rows" in what


# ------------------------------------------------------------------------------------------------
# outputs: checked before the work


def _device_cases(out, ext):
    fifo = out.parent / "fifo.nc"
    os.mkfifo(fifo)
    link = out.parent / "link.nc"
    link.symlink_to(out.parent / "elsewhere.nc")
    blocker = out.parent / "file"
    blocker.write_text("x")
    return [
        ("/dev/full", "is a device"),
        ("/dev/null", "is a device"),
        (str(fifo), "is a FIFO"),
        (str(link), "symbolic link"),
        (str(out), "is a folder"),
        (str(blocker / f"k{ext}"), "is not a folder"),
        (str(out / "x.unknownext"), "not '.unknownext'"),
        (str(out / "noextension"), "not no extension"),
        ("", "not a file name"),
    ]


def test_keogram_outputs_are_checked_first(asi_files, out, capsys, monkeypatch):
    import geospacexr.asi.night as night

    monkeypatch.setattr(night, "night_keogram", never(night, "night_keogram"))
    for target, message in _device_cases(out, ".nc"):
        line = refused(["asi", "keogram", *asi_files, "-o", target], capsys, message, out)
        if "extension" in message:
            assert ".nc" in line and ".png" in line  # the known formats are listed
    assert not (out.parent / "elsewhere.nc").exists()


def test_output_folder_must_be_writable(asi_files, out, capsys, monkeypatch):
    real = os.access
    locked = out / "locked"
    locked.mkdir()
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: str(p) != str(locked) and real(p, mode))
    refused(
        ["asi", "keogram", *asi_files, "-o", str(locked / "sub" / "k.nc")],
        capsys,
        "is not writable",
    )
    assert list(locked.iterdir()) == []


@needs_matplotlib
def test_gcm_outputs_are_checked_first(gcm_files, out, capsys, monkeypatch):
    monkeypatch.setattr(cli, "_open_gcm", never(cli, "_open_gcm"))
    plot = ["gcm", "plot", *gcm_files, "--var", "TN", "--level", "2"]
    movie = ["gcm", "movie", *gcm_files, "--var", "TN", "--level", "2"]
    emission = ["gcm", "emission", *gcm_files, "--name", "NO53"]
    for target, message in _device_cases(out, ".png"):
        refused([*plot, "-o", target], capsys, message, out)
    refused([*movie, "-o", str(out / "m.avi")], capsys, ".mp4, .gif", out)
    refused([*movie, "-o", "/dev/full"], capsys, "is a device", out)
    refused([*emission, "-o", str(out / "e.png")], capsys, ".nc", out)
    refused([*emission, "-o", "/dev/full"], capsys, "is a device", out)
    refused([*emission, "-o", str(out)], capsys, "is a folder", out)


def test_demo_output_must_be_a_folder(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    refused(["demo", "-o", str(blocker)], capsys, "not a folder")
    refused(["demo", "-o", "/dev/null"], capsys, "not a folder")
    refused(["demo", "-o", str(blocker / "sub")], capsys, "not a folder")
    assert blocker.read_text() == "x"


# ------------------------------------------------------------------------------------------------
# gcm: figure size, dpi, frames, workers


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--figsize", "1000", "1000"], "argument --figsize"),
        (["--figsize", "nan", "3"], "argument --figsize"),
        (["--figsize", "-1", "3"], "argument --figsize"),
        (["--figsize", "0", "3"], "argument --figsize"),
        (["--height", "nan"], "--height: expected a finite number"),
        (["--vmin", "inf"], "--vmin: expected a finite number"),
        (["--levels", "0"], "argument --levels"),
        (["--levels", "10000000"], "argument --levels"),
    ],
)
def test_gcm_plot_numbers(gcm_files, out, capsys, extra, message):
    argv = ["gcm", "plot", *gcm_files, "--var", "TN", "--level", "2", *extra]
    refused([*argv, "-o", str(out / "f.png")], capsys, message, out)


def test_gcm_plot_figure_beyond_the_renderer_or_the_limit(gcm_files, out, capsys, monkeypatch):
    monkeypatch.setattr(cli, "_open_gcm", never(cli, "_open_gcm"))
    argv = ["gcm", "plot", *gcm_files, "--var", "TN", "--level", "2", "-o", str(out / "f.png")]
    with gxc.override({"cli.max_figure_inches": 1000}):  # inches allowed: pixels are not
        refused([*argv, "--figsize", "1000", "1000", "--force"], capsys, "65535 pixels", out)
    with gxc.override({"cli.max_output_mb": 10}):
        line = refused([*argv, "--figsize", "50", "50"], capsys, "cli.max_output_mb", out)
        assert "6000 x 6000 pixel" in line


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--workers", "-5"], "argument --workers"),
        (["--workers", "100000"], "argument --workers"),
        (["--workers", "2.5"], "argument --workers"),
        (["--fps", "nan"], "argument --fps"),
        (["--fps", "0"], "argument --fps"),
        (["--dpi", "-100"], "argument --dpi"),
        (["--dpi", "5000"], "cli.max_output_mb"),
        (["--over", "height", "--values", "200", "nan"], "--values"),
    ],
)
def test_gcm_movie_numbers(gcm_files, out, capsys, extra, message):
    argv = ["gcm", "movie", *gcm_files, "--var", "TN", "--level", "2", *extra]
    refused([*argv, "-o", str(out / "m.gif")], capsys, message, out)


# ------------------------------------------------------------------------------------------------
# serve: port and address


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--port", "99999999"], "argument --port"),
        (["--port", "-5"], "argument --port"),
        (["--port", "80.5"], "argument --port"),
        (["--port", "http"], "argument --port"),
        (["--address", "bad address!"], "argument --address"),
        (["--address", "http://127.0.0.1:80/"], "argument --address"),
        (["--address", ""], "argument --address"),
        (["--address", "1.2.3.999"], "argument --address"),
    ],
)
def test_serve_port_and_address(capsys, monkeypatch, extra, message):
    import geospacexr.explore.app as app

    monkeypatch.setattr(app, "serve", lambda *a, **k: pytest.fail("the server was started"))
    refused(["serve", *extra], capsys, message)


def test_serve_takes_good_values(monkeypatch):
    import geospacexr.explore.app as app

    seen = {}
    monkeypatch.setattr(app, "serve", lambda files, **kw: seen.update(kw))
    assert main(["serve", "--port", "0", "--address", "::1"]) == 0
    assert seen["port"] == 0 and seen["address"] == "::1"
    assert main(["serve", "--port", "65535", "--address", "my-host.example.org"]) == 0


def test_serve_function_checks_port_and_address_too():
    from geospacexr.errors import ConfigError
    from geospacexr.explore.app import serve

    with pytest.raises(ConfigError, match=r"serve\.port.*99999999.*\[0, 65535\]"):
        serve(port=99999999, start=False)
    with pytest.raises(ConfigError, match="serve.address"):
        serve(address="http://x/", start=False)


def test_bad_configured_port_is_one_line(capsys, monkeypatch):
    monkeypatch.setenv("GEOSPACEXR_SERVE_PORT", "99999999")
    monkeypatch.setattr(gxc, "_base", None)  # as in a new process: the environment is read
    line = refused(["config"], capsys, "GEOSPACEXR_SERVE_PORT")
    assert "serve.port" in line and "[0, 65535]" in line


# ------------------------------------------------------------------------------------------------
# what happens during the work: out of memory, a full disk, an unexpected error


def test_out_of_memory_is_one_line(asi_files, out, capsys, monkeypatch):
    import geospacexr.asi.night as night

    monkeypatch.setattr(night, "night_keogram", never(night, "night_keogram", MemoryError()))
    refused(["asi", "keogram", *asi_files, "-o", str(out / "k.nc")], capsys, "out of memory", out)


@needs_matplotlib
def test_out_of_memory_in_a_gcm_command_is_one_line(gcm_files, out, capsys, monkeypatch):
    monkeypatch.setattr(cli, "_open_gcm", never(cli, "_open_gcm", MemoryError()))
    argv = ["gcm", "plot", *gcm_files, "--var", "TN", "--level", "2", "-o", str(out / "f.png")]
    refused(argv, capsys, "out of memory", out)


def test_a_full_disk_is_one_line(asi_files, out, capsys, monkeypatch):
    import geospacexr.io.atomic as atomic

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out / "k.nc"))

    monkeypatch.setattr(atomic, "write_netcdf", full)
    line = refused(["asi", "keogram", *asi_files, "-o", str(out / "k.nc")], capsys, "", out)
    assert "No space left on device" in line and "k.nc" in line


def test_unwritable_cache_dir_is_one_line(capsys, monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("GEOSPACEXR_PATHS_CACHE_DIR", str(blocker / "cache"))
    gxc.reload()
    line = refused(["samples", "--generate", "themis-gill"], capsys, "paths.cache_dir")
    assert "GEOSPACEXR_PATHS_CACHE_DIR" in line


def test_an_unexpected_error_is_one_line_unless_traceback(capsys, monkeypatch):
    monkeypatch.setattr(cli, "_cmd_config", lambda args: {}["boom"])
    code, err = run(["config"], capsys)
    assert code == 3 and len(err.strip().splitlines()) == 1
    assert "internal error: KeyError" in err and "--traceback" in err
    with pytest.raises(KeyError):
        main(["--traceback", "config"])


def test_a_real_process_prints_no_traceback(asi_files, tmp_path):
    for argv in (
        ["serve", "--port", "99999999"],
        ["asi", "keogram", *asi_files, "--cadence", "1e-5", "-o", str(tmp_path / "k.nc")],
        ["asi", "keogram", *asi_files, "-o", "/dev/full"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "geospacexr.cli", *argv], capture_output=True, text=True
        )
        assert proc.returncode not in (0, None), argv
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
