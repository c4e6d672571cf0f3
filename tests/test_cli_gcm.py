"""``geospacexr gcm info|plot|movie|emission``: options generated from the Python API."""

from __future__ import annotations

import functools
import inspect
import json
import subprocess
import sys

import pytest

from geospacexr import cli, datasets
from geospacexr.cli import main

# matplotlib is an optional extra: only the tests that draw need it. Our own modules are
# imported plainly everywhere, so a broken import fails instead of skipping.
try:
    import matplotlib  # noqa: F401

    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False
needs_matplotlib = pytest.mark.skipif(not HAVE_MATPLOTLIB, reason="matplotlib is an optional extra")

T = "2003-03-21T01:00"


@pytest.fixture(scope="module")
def files():
    folder = datasets.sample_path("tiegcm-5deg")
    return [str(folder / "tiegcm_5deg_prim_001.nc"), str(folder / "tiegcm_5deg_sech_001.nc")]


def _help(*command):
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0


def test_info(files, capsys):
    assert main(["gcm", "info", *files]) == 0
    out = capsys.readouterr().out
    assert "TIE-GCM" in out and "4 times" in out and "TN" in out and "lat-lon" in out
    assert main(["gcm", "info", "--json", *files]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["model"] == "TIE-GCM" and info["n_times"] == 4
    assert "O/N2" in info["derived"] and "epflux" in info["slices"]
    assert {row["name"] for row in info["fields"]} >= {"TN", "UN", "VN", "OMEGA"}


@needs_matplotlib
def test_plot_lat_lon_at_a_height(files, tmp_path, capsys):
    out = tmp_path / "out.png"
    argv = ["gcm", "plot", *files, "--var", "TN", "--slice", "lat-lon", "--height", "400"]
    assert main([*argv, "--time", T, "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert f"wrote {out}" in capsys.readouterr().out


def test_every_parameter_of_every_figure_is_an_option(capsys):
    from geospacexr.plot import gcm as pg

    helps = {}
    for command in ("plot", "movie"):
        _help("gcm", command)
        helps[command] = capsys.readouterr().out
    for kind in pg.PLOTS:
        for name in inspect.signature(pg.plot_function(kind)).parameters:
            if name not in ("ds", "var", "save"):
                for command in ("plot", "movie"):
                    assert "--" + name.replace("_", "-") in helps[command], (kind, name)
    for name in inspect.signature(pg.plot_movie).parameters:
        if name not in ("ds", "out", "var", "kind", "kwargs"):
            assert "--" + name.replace("_", "-") in helps["movie"]
            assert "--" + name.replace("_", "-") not in helps["plot"]


def test_options_come_from_the_function_definition(monkeypatch, capsys):
    """A new parameter of a figure function becomes an option, with its docstring and default."""
    from geospacexr.plot import gcm as pg

    original = pg.plot_lev_lat

    def plot_lev_lat(ds, var, time=None, lon=None, *, zonal_weight: float = 0.5, **kw):
        """Test double.

        Args:
            ds: Dataset.
            var: Variable.
            time: Time.
            lon: Longitude.
            zonal_weight: A brand-new knob.
            **kw: Drawing options.
        """
        return original(ds, var, time, lon, **kw)

    monkeypatch.setattr(pg, "plot_lev_lat", plot_lev_lat)
    _help("gcm", "plot")
    out = " ".join(capsys.readouterr().out.split())
    assert "--zonal-weight ZONAL_WEIGHT A brand-new knob. (default: 0.5)" in out


@needs_matplotlib
def test_only_given_options_are_passed_so_defaults_are_the_apis(files, tmp_path, monkeypatch):
    from geospacexr.plot import gcm as pg

    calls = []
    original = pg.plot_lev_time

    @functools.wraps(original)
    def spy(*args, **kwargs):
        calls.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(pg, "plot_lev_time", spy)
    out = str(tmp_path / "lt.png")
    argv = ["gcm", "plot", *files, "--var", "TN", "--slice", "lev-time", "-o", out]
    assert main([*argv, "--lat", "40", "--local-time", "12", "--no-symmetric"]) == 0
    assert calls[-1] == {
        "var": "TN",
        "save": out,
        "lat": 40.0,
        "local_time": 12.0,
        "symmetric": False,
    }
    assert main([*argv, "--figsize", "6", "3", "--lon", "none", "--local-time", "12"]) == 0
    assert calls[-1]["figsize"] == (6.0, 3.0) and calls[-1]["lon"] is None


@needs_matplotlib
def test_movie(files, tmp_path, capsys):
    out = tmp_path / "m.gif"
    argv = ["gcm", "movie", *files, "--var", "TN", "--level", "4", "--workers", "1"]
    assert main([*argv, "--end", "2003-03-21T00:30", "--no-show-coastlines", "-o", str(out)]) == 0
    from PIL import Image

    with Image.open(out) as img:
        assert img.n_frames == 2
    assert "wrote" in capsys.readouterr().out
    sweep = tmp_path / "h.gif"
    argv = ["gcm", "movie", *files, "--var", "TN", "--slice", "lat-time", "--over", "height"]
    assert main([*argv, "--values", "200", "300", "--parallel", "none", "-o", str(sweep)]) == 0
    with Image.open(sweep) as img:
        assert img.n_frames == 2


@needs_matplotlib
def test_epflux_figure(files, tmp_path):
    out = tmp_path / "ep.png"
    assert main(["gcm", "plot", files[0], "--slice", "epflux", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")


def test_emission(files, tmp_path, capsys):
    import xarray as xr

    out = tmp_path / "no53.nc"
    argv = ["gcm", "emission", *files, "--name", "NO53", "--height", "120", "--time", T]
    assert main([*argv, "-o", str(out)]) == 0
    with xr.open_dataset(out) as back:
        assert "NO53" in back and back["NO53"].dims == ("lat", "lon")
    assert main(["gcm", "emission", *files, "--name", "NOPE", "-o", str(out)]) == 1
    assert "error" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra, message, status",
    [  # 1: the work cannot be done (the data say no); 2: the command line itself is wrong
        (["--var", "TNX", "--level", "2"], "no variable 'TNX'", 1),
        (["--var", "TN", "--height", "4000"], "outside the model's range", 1),
        (["--var", "TN", "--height", "abc"], "--height: expected a number", 2),
        (["--var", "TN", "--lon", "10"], "--lon does not apply to --slice lat-lon", 2),
        (["--level", "2"], "needs --var", 2),
        (["--var", "TN", "--level", "2", "--time", "yesterday"], "time must be a date-time", 1),
        (["--var", "TN", "--level", "2", "--bogus", "1"], "unrecognized arguments: --bogus", 2),
        (["--var", "TN", "--slice", "epflux"], "--slice epflux takes no --var", 2),
    ],
)
def test_bad_input_is_one_line_with_the_status_of_its_kind(
    files, tmp_path, capsys, extra, message, status
):
    code = main(["gcm", "plot", *files, *extra, "-o", str(tmp_path / "x.png")])
    err = capsys.readouterr().err.strip()
    assert code == status == cli.EXIT_STATUS["error" if status == 1 else "usage"]
    assert len(err.splitlines()) == 1 and message in err and "error:" in err
    assert not (tmp_path / "x.png").exists()


def test_usage_errors_are_exit_2_and_one_line(capsys):
    with pytest.raises(SystemExit) as info:
        main(["gcm", "plot", "x.nc", "--var", "TN", "--slice", "lat-lev", "-o", "x.png"])
    assert info.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_a_real_process_exits_1_without_a_traceback(tmp_path):
    """No file matches: the work cannot be done (1), as for every other command."""
    argv = ["gcm", "plot", str(tmp_path / "none*.nc"), "--var", "TN", "-o", str(tmp_path / "x.png")]
    proc = subprocess.run(
        [sys.executable, "-m", "geospacexr.cli", *argv], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("geospacexr gcm plot: error:")
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_option_table_kinds():
    assert cli._kind_of(float | None) == ("float", True)
    assert cli._kind_of(bool) == ("bool", False)
    assert cli._kind_of(tuple[float, float]) == ("pair", False)
    assert cli._convert("none", "float", True, "lon") is None
    assert cli._convert("yes", "bool", True, "wind") is True
