"""``geospacexr superdarn info|rti|summary|fan|map|convert`` on the real DMAP files.

Run in-process (as tests/test_cli.py does): outputs, one-line errors naming options, the exit
table (:data:`geospacexr.cli.EXIT_STATUS`), outputs and sizes checked before any file is read,
NetCDF written one file per day that reads back to the same values.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import xarray as xr

import geospacexr
import geospacexr.config as gxc
from geospacexr import cli
from geospacexr.cli import EXIT_STATUS, main

FITACF = "pydarn/test.fitacf.bz2"


@pytest.fixture(scope="module")
def fitacf(superdarn_data):
    return str(superdarn_data / FITACF)


def run(argv, capsys):
    """Exit status, stdout and stderr of ``geospacexr argv`` (argparse's exits included)."""
    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def refuses_before_reading(monkeypatch):
    """Make any read of a DMAP file fail the test (checks must come first)."""

    def never(*_a, **_k):
        raise AssertionError("the files were read before the command line was checked")

    monkeypatch.setattr(cli, "_open_superdarn", never)


def test_info_text_and_json(fitacf, capsys):
    code, out, err = run(["superdarn", "info", fitacf], capsys)
    assert code == 0 and not err
    assert "SuperDARN fitacf: test.fitacf.bz2" in out
    assert "station 10, 100 records" in out and "channels: 1, 2" in out
    assert "(--parameter): nlag, qflg, gflg, p_l" in out
    code, out, _ = run(["superdarn", "info", fitacf, "--json"], capsys)
    info = json.loads(out)
    assert code == 0 and info["records"] == 100 and info["beams"] == list(range(16))
    assert info["cpids"] == [-26007, 153] and info["frequency_khz"] == [12370, 12410]
    assert "v" in info["parameters"] and info["problematic_records"] == 0


def test_info_on_a_map_file(superdarn_data, capsys):
    code, out, _ = run(["superdarn", "info", str(superdarn_data / "darn-dmap/test.map")], capsys)
    assert code == 0 and "SuperDARN map" in out and "2 records" in out


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        ("rti", ["--yaxis", "slant_range"]),
        ("summary", ["--yaxis", "slant_range"]),
        ("rti", ["--yaxis", "geo_lat", "--rxrise", "0"]),
    ],
)
def test_figures_are_written(fitacf, tmp_path, capsys, command, extra):
    pytest.importorskip("matplotlib")
    out = tmp_path / f"{command}.png"
    argv = ["superdarn", command, fitacf, "--beam", "9", "--channel", "2", "-o", str(out)]
    argv += extra
    code, stdout, err = run(argv, capsys)
    assert code == 0, err
    assert out.stat().st_size > 10_000 and f"wrote {out}" in stdout


def test_rti_options_come_from_the_python_function(capsys):
    with pytest.raises(SystemExit):
        main(["superdarn", "rti", "--help"])
    text = capsys.readouterr().out
    for flag in ("--parameter", "--beam", "--channel", "--ground-scatter", "--max-gap"):
        assert flag in text
    for flag in ("--yaxis", "--cmap", "--vmin", "--start", "--end", "--figsize"):
        assert flag in text
    assert "radar records:" in text and cli.OTHER_OPTIONS not in text
    assert "--ax" not in text and "--save" not in text


@pytest.mark.parametrize(
    ("extra", "status", "words"),
    [
        (["--beam", "99"], "error", "--beam: no record of beam 99 (beams in the data: 0, 1"),
        (["--beam", "7", "--channel", "2"], "error", "--channel: no record of beam 7"),
        (["--parameter", "nope"], "error", "--parameter: no variable 'nope'"),
        (["--yaxis", "height"], "error", "--yaxis: must be one of gate, slant_range, geo_lat"),
        (["--rxrise", "soon"], "error", "--rxrise: must be None (the record's), 'hardware'"),
        (["--coords", "polar"], "error", "--coords: must be None or one of geographic, aacgm"),
        (["--ground-scatter", "pink"], "error", "--ground-scatter: must be one of grey"),
        (["--beam", "-1"], "usage", "argument --beam: '-1' is out of range"),
        (["--max-gap", "0"], "usage", "argument --max-gap"),
        (["--figsize", "1e6", "3"], "usage", "--figsize"),
    ],
)
def test_rti_errors_are_one_line_naming_options(fitacf, tmp_path, capsys, extra, status, words):
    pytest.importorskip("matplotlib")
    out = tmp_path / "x.png"
    code, _, err = run(["superdarn", "rti", fitacf, "-o", str(out), *extra], capsys)
    assert code == EXIT_STATUS[status], err
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "status", "words"),
    [
        ("superdarn rti {f} -o {d}/x.txt", "usage", "-o: {d}/x.txt: the figure is written as"),
        ("superdarn summary {f} -o {d}", "error", "is a folder"),
        ("superdarn fan {f} -o {d}/x.txt", "usage", "-o: {d}/x.txt: the figure is written as"),
        ("superdarn map {f} -o {d}/x.txt", "usage", "-o: {d}/x.txt: the figure is written as"),
        ("superdarn convert {f} -o {d}/x.csv", "usage", "give a folder"),
        ("superdarn convert {f} -o {d}/afile", "error", "{d}/afile exists and is not a folder"),
    ],
)
def test_outputs_are_checked_before_any_file_is_read(
    fitacf, tmp_path, capsys, monkeypatch, argv, status, words
):
    refuses_before_reading(monkeypatch)
    (tmp_path / "afile").write_text("not a folder")
    code, _, err = run(argv.format(f=fitacf, d=tmp_path).split(), capsys)
    assert code == EXIT_STATUS[status], err
    assert words.format(d=tmp_path) in err and "Traceback" not in err


def test_missing_file_is_exit_1(tmp_path, capsys):
    code, _, err = run(["superdarn", "info", str(tmp_path / "none.fitacf")], capsys)
    assert code == EXIT_STATUS["error"] and "none.fitacf" in err


def test_convert_one_netcdf_per_day_reads_back(superdarn_data, fitacf, tmp_path, capsys):
    other = str(superdarn_data / "darn-dmap/test.fitacf")
    out = tmp_path / "nc"
    code, stdout, err = run(["superdarn", "convert", fitacf, other, "-o", str(out)], capsys)
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert names == ["20180404.test.fitacf.nc", "20221107.test.fitacf.nc"]
    assert "100 records from 1 file(s)" in stdout
    original = geospacexr.open_superdarn(fitacf)
    back = xr.open_dataset(out / "20180404.test.fitacf.nc").load()
    np.testing.assert_array_equal(back["v"].values, original["v"].values)
    np.testing.assert_array_equal(back["time"].values, original["time"].values)
    assert back.attrs["geospacexr_kind"] == "superdarn" and back.attrs["station_id"] == 10
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left


def test_convert_groups_rst_files_by_the_day_of_their_name(fitacf, tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    for hour in ("0601", "0801"):
        shutil.copy(fitacf, src / f"20180404.{hour}.00.rkn.fitacf.bz2")
    shutil.copy(fitacf, src / "20180405.0001.00.rkn.fitacf.bz2")
    days = cli.superdarn_days([str(src / "*.bz2")])
    assert list(days) == ["20180404.rkn.fitacf.nc", "20180405.rkn.fitacf.nc"]
    assert [p.name[:13] for p in days["20180404.rkn.fitacf.nc"]] == [
        "20180404.0601",
        "20180404.0801",
    ]
    out = tmp_path / "one.nc"
    code, _, err = run(["superdarn", "convert", str(src / "*.bz2"), "-o", str(out)], capsys)
    assert code == EXIT_STATUS["usage"] and "the files hold 2 days (20180404, 20180405)" in err
    assert not out.exists()
    first_day = [str(p) for p in days["20180404.rkn.fitacf.nc"]]
    code, _, err = run(["superdarn", "convert", *first_day, "-o", str(out)], capsys)
    assert code == 0, err
    assert xr.open_dataset(out).sizes["time"] == 200  # two files of one day, concatenated


def test_convert_size_limit_and_force(fitacf, tmp_path, capsys):
    out = tmp_path / "day.nc"
    with gxc.override({"cli.max_output_mb": 0.1}):  # the day's Dataset is about 1.1 MB
        code, _, err = run(["superdarn", "convert", fitacf, "-o", str(out)], capsys)
        assert code == EXIT_STATUS["error"]
        assert "more than cli.max_output_mb = 0.1 MB" in err and "--force" in err
        assert not out.exists()
        code, _, err = run(["superdarn", "convert", fitacf, "-o", str(out), "--force"], capsys)
        assert code == 0, err
    assert out.stat().st_size > 0


def test_convert_shows_a_progress_bar_when_asked(fitacf, tmp_path, capsys):
    code, _, err = run(
        ["superdarn", "convert", fitacf, "-o", str(tmp_path / "p"), "--progress"], capsys
    )
    assert code == 0 and "convert" in err and "day" in err
    code, _, err = run(
        ["superdarn", "convert", fitacf, "-o", str(tmp_path / "q"), "--no-progress"], capsys
    )
    assert code == 0 and not err


# -- fan and map ----------------------------------------------------------------------------------
def _figure_calls(monkeypatch, module, name):
    """Record the keywords the command passes to a figure function (and still draw it)."""
    import functools
    import importlib

    mod = importlib.import_module(module)
    calls = []
    real = getattr(mod, name)

    @functools.wraps(real)
    def spy(ds, **kwargs):
        calls.append((ds, kwargs))
        return real(ds, **kwargs)

    monkeypatch.setattr(mod, name, spy)
    return calls


def test_fan_magnetic_passes_the_options_to_plot_fan(fitacf, tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    pytest.importorskip("aacgmv2")
    calls = _figure_calls(monkeypatch, "geospacexr.plot.superdarn_fan", "plot_fan")
    out = tmp_path / "fan.png"
    argv = ["superdarn", "fan", fitacf, "--time", "2018-04-04T06:02:10", "--parameter", "p_l"]
    argv += ["--channel", "1", "--magnetic", "--ground-scatter", "remove", "-o", str(out)]
    code, stdout, err = run(argv, capsys)
    assert code == 0, err
    assert out.stat().st_size > 10_000 and f"wrote {out}" in stdout
    ((_, kwargs),) = calls
    assert kwargs["coords"] == "aacgm" and kwargs["parameter"] == "p_l"
    assert kwargs["time"] == "2018-04-04T06:02:10" and kwargs["channel"] == 1
    assert kwargs["ground_scatter"] == "remove" and kwargs["save"] == str(out)


def test_fan_options_come_from_plot_fan(capsys):
    import inspect

    from geospacexr.plot.superdarn_fan import plot_fan

    with pytest.raises(SystemExit):
        main(["superdarn", "fan", "--help"])
    text = capsys.readouterr().out
    for name in inspect.signature(plot_fan).parameters:
        if name not in ("ds", "save", "ax"):
            assert "--" + name.replace("_", "-") in text, name
    assert "--magnetic" in text and cli.OTHER_OPTIONS not in text


@pytest.mark.parametrize(
    ("extra", "status", "words"),
    [
        (["--magnetic", "--coords", "geographic"], "usage", "--magnetic draws in AACGM-v2"),
        (["--parameter", "nope"], "error", "needs the variable(s) nope"),
        (["--figsize", "1e6", "3"], "usage", "--figsize"),
    ],
)
def test_fan_errors_are_one_line(fitacf, tmp_path, capsys, extra, status, words):
    pytest.importorskip("matplotlib")
    out = tmp_path / "x.png"
    code, _, err = run(["superdarn", "fan", fitacf, "-o", str(out), *extra], capsys)
    assert code == EXIT_STATUS[status], err
    assert words in err and len(err.strip().splitlines()) == 1 and not out.exists()


def test_map_draws_the_convection_map_of_a_map_file(superdarn_data, tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    calls = _figure_calls(monkeypatch, "geospacexr.plot.superdarn_maps", "plot_convection_map")
    out = tmp_path / "map.png"
    path = str(superdarn_data / "darn-dmap/test.map")
    argv = ["superdarn", "map", path, "--time", "1", "--vectors", "los", "-o", str(out)]
    code, stdout, err = run(argv, capsys)
    assert code == 0, err
    assert out.stat().st_size > 10_000 and f"wrote {out}" in stdout
    ((ds, kwargs),) = calls
    assert ds.attrs["superdarn_type"] == "map"
    assert kwargs["time"] == 1 and kwargs["vectors"] == "los"  # an integer is a record
    calls.clear()
    stamp = str(ds.time.values[0])[:19]
    code, _, err = run(["superdarn", "map", path, "--time", stamp, "-o", str(out)], capsys)
    assert code == 0, err
    assert calls[0][1]["time"] == stamp


def test_map_draws_the_vectors_of_a_grid_file(superdarn_data, tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib")
    calls = _figure_calls(monkeypatch, "geospacexr.plot.superdarn_maps", "plot_grid_vectors")
    out = tmp_path / "grid.png"
    path = str(superdarn_data / "pydarn/test.grd")
    argv = ["superdarn", "map", path, "--colour-by", "power", "-o", str(out)]
    code, _, err = run(argv, capsys)
    assert code == 0, err
    assert out.stat().st_size > 10_000
    ((ds, kwargs),) = calls
    assert ds.attrs["superdarn_type"] == "grid" and kwargs["colour_by"] == "power"


@pytest.mark.parametrize(
    ("name", "extra", "words"),
    [
        (
            "pydarn/test.grd",
            ["--vectors", "los"],
            "--vectors applies to map files, not to this grid",
        ),
        ("darn-dmap/test.map", ["--colour-by", "power"], "--colour-by applies to grid files"),
        (FITACF, [], "not fitacf files; for fitacf files use superdarn fan"),
    ],
)
def test_map_says_which_options_fit_which_files(
    superdarn_data, tmp_path, capsys, name, extra, words
):
    pytest.importorskip("matplotlib")
    out = tmp_path / "x.png"
    argv = ["superdarn", "map", str(superdarn_data / name), "-o", str(out), *extra]
    code, _, err = run(argv, capsys)
    assert code == EXIT_STATUS["usage"], err
    assert words in err and len(err.strip().splitlines()) == 1 and not out.exists()


def test_map_record_index_beyond_the_file_names_time(superdarn_data, tmp_path, capsys):
    out = tmp_path / "x.png"
    path = str(superdarn_data / "pydarn/test.north.mp")
    code, _, err = run(["superdarn", "map", path, "--time", "1", "-o", str(out)], capsys)
    assert code == EXIT_STATUS["error"], err
    assert "--time: record 1 is not in the file, which has 1 record (0 to 0" in err
    assert not out.exists()


def test_map_options_are_both_figures(capsys):
    import inspect

    from geospacexr.plot.superdarn_maps import plot_convection_map, plot_grid_vectors

    with pytest.raises(SystemExit):
        main(["superdarn", "map", "--help"])
    text = capsys.readouterr().out
    for function in (plot_convection_map, plot_grid_vectors):
        for name in inspect.signature(function).parameters:
            if name not in ("ds", "save", "ax"):
                assert "--" + name.replace("_", "-") in text, name
    assert cli.OTHER_OPTIONS not in text
