"""``geospacexr mhd movie``: the msphpic movie from the command line, errors as one line."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("imageio_ffmpeg")

from geospacexr import config, datasets
from geospacexr.cli import main

SMALL = ["--figsize", "4", "3", "--dpi", "40"]


@pytest.fixture(scope="module")
def run_file():
    return datasets.sample_path("mage-msphere")


def n_frames(path):
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    reader.__next__()
    return sum(1 for _ in reader)


def test_movie_of_chosen_steps(run_file, tmp_path, capsys):
    out = tmp_path / "run.mp4"
    argv = ["mhd", "movie", str(run_file), "-o", str(out), "--workers", "2", "--steps", "1", "3"]
    assert main([*argv, *SMALL, "--parallel", "threads", "--fps", "2"]) == 0
    assert "(2 frames)" in capsys.readouterr().out
    assert n_frames(out) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["run.mp4"]


def test_movie_of_a_folder_and_a_time_window(run_file, tmp_path, capsys):
    out = tmp_path / "run.gif"
    argv = ["mhd", "movie", str(run_file.parent), "-o", str(out), "--start", "2017-09-04T06:02"]
    assert main([*argv, *SMALL, "--parallel", "none", "--bz"]) == 0
    assert "(2 frames)" in capsys.readouterr().out
    from PIL import Image

    with Image.open(out) as img:
        assert img.n_frames == 2


@pytest.mark.parametrize(
    "extra, status, message",
    [
        (["--steps", "9"], 1, "--steps: this run has no Step#9 (it has 0, 1, 2, 3)"),
        (["--steps", "1.5"], 1, "--steps: Step# numbers are whole numbers"),
        (["--size", "huge"], 1, "--size: one of small, std, big, bigger, fullD, dm, not 'huge'"),
        (["--start", "2030-01-01"], 1, "--start: no step between"),
        (["--start", "yesterday"], 1, "--start:"),
        (["--steps", "1", "--end", "2017-09-04T06:03"], 1, "give --steps or --start and --end"),
        (["--workers", "-1"], 2, "--workers"),
        (["--fps", "0"], 2, "--fps"),
        (["--parallel", "gpu"], 1, "--parallel: must be one of processes, threads, dask, none"),
        (["--extent", "0", "1"], 2, "unrecognized arguments"),
        (["--slice", "lat-lon"], 2, "unrecognized arguments"),
    ],
)
def test_bad_options_are_one_line(run_file, tmp_path, capsys, extra, status, message):
    out = tmp_path / "m.mp4"
    try:
        got = main(["mhd", "movie", str(run_file), "-o", str(out), *extra])
    except SystemExit as exc:  # argparse's own usage errors
        got = exc.code
    assert got == status
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
    assert "Traceback" not in err
    assert not out.exists()


def test_bad_outputs_and_inputs(run_file, tmp_path, capsys):
    assert main(["mhd", "movie", str(run_file), "-o", str(tmp_path / "m.avi")]) == 2
    assert "-o:" in capsys.readouterr().err
    assert main(["mhd", "movie", str(tmp_path / "none.gam.h5"), "-o", str(tmp_path / "m.mp4")]) == 1
    assert "geospacexr mhd movie: error:" in capsys.readouterr().err
    remix = datasets.sample_path("mage-remix")
    assert main(["mhd", "movie", str(remix), "-o", str(tmp_path / "m.mp4")]) == 1
    err = capsys.readouterr().err
    assert "mhd" in err and "ionosphere" in err, err
    assert list(tmp_path.iterdir()) == []


def test_size_limit_before_any_frame(run_file, tmp_path, capsys, monkeypatch):
    out = tmp_path / "m.mp4"
    with config.override({"cli.max_output_mb": 1}):
        assert main(["mhd", "movie", str(run_file), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "a movie of 4 frames of 1200 x 800 pixels" in err and "--force" in err
    assert not out.exists()


def test_help_is_grouped_with_every_default(capsys, monkeypatch):
    import re

    from geospacexr import cli

    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as info:
        main(["mhd", "movie", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: geospacexr mhd movie RUN [RUN ...] -o OUTPUT [options]")
    titles = re.findall(r"^(\S[^:\n]*):$", out, flags=re.M)
    assert titles == ["options", "input and output", "what to show", "drawing", "movie frames"]
    assert max(map(len, out.splitlines())) <= cli.HELP_WIDTH
    for flag in ("--steps", "--size", "--density", "--workers", "--fps", "--dpi", "--parallel"):
        assert flag in out
    assert "--extent" not in out and "--save" not in out and "--step " not in out
