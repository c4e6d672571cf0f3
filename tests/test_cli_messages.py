"""The command line speaks its own language: options, not Python keywords; readable ``--help``.

Errors raised deep in the library name Python keywords (``height=``, ``'skymap'``,
``local_time``); every command renders them as its own options (``--height``...). The cases
are generated from each command's argparse declarations, so a new option is covered at once.
"""

from __future__ import annotations

import argparse
import re

import pytest

from geospacexr import cli, datasets
from geospacexr.cli import CliTerms, build_parser, cli_message, main
from geospacexr.errors import InvalidArgumentError, OutOfRangeError


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(command words, parser) of every command that runs something."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for action in subs:
        for name, child in action.choices.items():
            yield from _leaves(child, (*path, name))


LEAVES = dict(_leaves(build_parser()))
#: (command, Python keyword, option) of every option of every command.
OPTIONS = [
    (" ".join(path), keyword, flag)
    for path, parser in LEAVES.items()
    for keyword, flag in parser.get_default("cli_terms").flags.items()
]
#: The commands whose options are generated from Python functions.
GENERATED = ["gcm plot", "gcm movie", "gcm emission", "asi keogram"]


def _terms(command: str) -> CliTerms:
    return LEAVES[tuple(command.split())].get_default("cli_terms")


def _ns(command: str) -> argparse.Namespace:
    return argparse.Namespace(cli_terms=_terms(command))


def test_every_command_knows_its_options():
    """Each command (info, config, samples, demo, serve, warmup, asi keogram, gcm ...) has terms."""
    commands = {" ".join(path) for path in LEAVES}
    assert {"info", "samples", "demo", "serve", "warmup", "asi keogram", "gcm plot"} <= commands
    assert {"gcm movie", "gcm emission", "gcm info", "config"} <= commands
    for command in commands:
        assert isinstance(_terms(command), CliTerms), command
    plot = _terms("gcm plot").flags
    assert plot["height"] == "--height" and plot["local_time"] == "--local-time"
    assert plot["save"] == plot["output"] == "--output" and plot["kind"] == "--slice"
    keogram = _terms("asi keogram").flags
    assert keogram["altitude_km"] == "--altitude" and keogram["path"] == "--point"
    assert keogram["skymap"] == "--skymap" and keogram["files"] == "FILES"
    assert _terms("warmup").flags["name"] == "--models"
    assert _terms("serve").flags["port"] == "--port"


@pytest.mark.parametrize("command, keyword, flag", OPTIONS)
def test_keywords_become_options(command, keyword, flag):
    terms, ns = _terms(command), _ns(command)
    # structured: an error that knows its argument
    got = cli_message(InvalidArgumentError("must be positive", keyword), ns)
    assert got == f"{flag}: must be positive"
    if not flag.startswith("-"):  # a positional argument: its metavar
        assert terms.translate(f"give {keyword}=...") == f"give {flag}"
        return
    # keyword=, keyword=value, keyword=..., in a call, quoted as an argument, in lists
    assert terms.translate(f"give exactly one of {keyword}= or x") == (
        f"give exactly one of {flag} or x"
    )
    assert terms.translate(f"{keyword}='abc' is wrong") == f"{flag} abc is wrong"
    assert terms.translate(f"pass {keyword}=12.5.") == f"pass {flag} 12.5."
    metavar = terms.metavars[keyword]
    assert terms.translate(f"(pass {keyword}=...)") == f"(pass {flag} {metavar})"
    assert terms.translate(f"call f({keyword}=3)") == f"call {flag} 3"
    assert terms.translate(f"unexpected keyword argument '{keyword}'") == (
        f"unexpected keyword argument {flag}"
    )
    assert terms.translate(f"{keyword}: too big") == f"{flag}: too big"
    assert terms.translate(f"{keyword} must be positive") == f"{flag} must be positive"
    assert keyword not in terms.translate(f"it needs {keyword}").split()
    if "_" in keyword:  # a snake_case keyword is never an English word
        assert terms.translate(f"choose {keyword} or not") == f"choose {flag} or not"
    # the same words as data names or prose are left alone
    for text in (
        f"no variable '{keyword}' in the files",
        f"'{keyword}'",
        f"plot_{keyword}=3",
        f"{keyword}==3",
        f"my{keyword}= 3",
        f"the files' {keyword}s",
    ):
        assert terms.translate(text) == text, text
    if "_" not in keyword:
        assert terms.translate(f"the {keyword} is out of range") == (
            f"the {keyword} is out of range"
        )


def test_values_and_switches():
    terms = _terms("gcm plot")
    assert terms.translate("wind=True") == "--wind"
    assert terms.translate("wind=False") == "--no-wind"
    assert terms.translate("local_time=True") == "--local-time"
    assert terms.translate("vmin=None") == "--vmin none"
    assert terms.translate("figsize=(9, 4.8)") == "--figsize 9 4.8"
    assert terms.translate("method='exact'") == "--method exact"
    assert terms.translate('title="a b"') == '--title "a b"'
    # the slices' Python names are the --slice values
    assert terms.translate("lat_lon(local_time=True) needs one time: pass time=...") == (
        "--slice lat-lon --local-time needs one time: pass --time TIME"
    )
    assert terms.translate("var_time: give level=") == "--slice var-time: give --level"
    assert terms.translate("plot_lev_lat takes no height") == "--slice lev-lat takes no height"
    assert terms.translate("choose magnetic or local_time, not both") == (
        "choose --magnetic or --local-time, not both"
    )
    # a call with something that is no option is Python, left alone (its keywords rewritten)
    assert terms.translate("f(ds, height=3)") == "f(ds, --height 3)"
    keogram = _terms("asi keogram")
    assert keogram.translate("axis='geo' needs the site's skymap: keogram(skymap, axis='geo')") == (
        "--axis geo needs the site's skymap: --skymap SKYMAP --axis geo"
    )
    assert keogram.translate("altitude_km must be positive") == "--altitude must be positive"


def test_help_texts_use_options(capsys):
    """The options' help, generated from docstrings, names options too."""
    with pytest.raises(SystemExit):
        main(["gcm", "plot", "--help"])
    out = capsys.readouterr().out
    assert 'method="exact"' not in out and "--method exact" in out
    assert "local_time" not in out and "--local-time" in out


@pytest.fixture(scope="module")
def gcm_files():
    folder = datasets.sample_path("tiegcm-5deg")
    return [str(folder / "tiegcm_5deg_prim_001.nc"), str(folder / "tiegcm_5deg_sech_001.nc")]


@pytest.mark.parametrize(
    "argv, expected, python",
    [
        (
            "gcm plot {files} --var TN -o {out}.png".split(),
            "--slice lat-lon: give exactly one of --level, --height or --pressure",
            ("level=", "height=", "lat_lon"),
        ),
        (
            "gcm plot {files} --var TN --level 2 --style x".split(),
            "--style: must be 'filled', 'contourf' or 'contour', not 'x'",
            ("error: style:",),
        ),
        (
            "gcm plot {files} --var TN --level 2 --magnetic --local-time --time {T}".split(),
            "--magnetic: choose --magnetic or --local-time, not both",
            ("local_time",),
        ),
        (
            "gcm movie {files} --var TN --level 2 --over bogus".split(),
            "--over: 'bogus' is not an argument of --slice lat-lon",
            ("error: over:", "plot_lat_lon"),
        ),
        (
            "gcm movie {files} --var TN --slice lat-time --height 300 --over height".split(),
            "give it as --values",
            ("values=",),
        ),
        (
            "gcm emission {files} --name NO53 --level 2 --height 120".split(),
            "--level: give --level or --height, not both",
            ("level=", "height="),
        ),
        (
            "asi keogram {asi} --axis geo".split(),
            "--axis geo needs the site's skymap: --skymap SKYMAP --axis geo",
            ("axis=", "skymap,"),
        ),
        (
            "asi keogram {asi} --longitude -94".split(),
            "(--longitude LONGITUDE) needs the site's skymap",
            ("longitude=",),
        ),
        (
            "asi keogram {asi} --metric percentile --point 1,2 --point 3,4".split(),
            "needs --percentile between 0 and 100",
            ("needs percentile",),
        ),
        (["warmup", "--models", "t69"], "--models: unknown field model 't69'", ("error: name:",)),
    ],
)
def test_library_errors_name_options(gcm_files, tmp_path, capsys, argv, expected, python):
    """Real errors from the library, through main(): one line, in the command's terms."""
    asi = [str(f) for f in sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz"))]
    out = str(tmp_path / "out")
    args = []
    for word in argv:
        if word == "{files}":
            args += gcm_files
        elif word == "{asi}":
            args += asi
        else:
            args.append(word.format(out=out, T="2003-03-21T01:00"))
    if "-o" not in args:
        suffix = {"movie": ".mp4", "emission": ".nc", "keogram": ".nc", "plot": ".png"}
        if len(args) > 1 and args[1] in suffix:
            args += ["-o", out + suffix[args[1]]]
    code = main(args)
    err = capsys.readouterr().err.strip()
    assert code != 0 and len(err.splitlines()) == 1, err
    assert expected in err, err
    for text in python:
        assert text not in err, (text, err)


def test_warnings_of_gcm_commands_name_options(monkeypatch, capsys, gcm_files, tmp_path):
    """A warning raised under a gcm command is one line in the command's terms too."""
    import warnings

    def warn_and_fail(args):
        warnings.warn("local_time=True ignores lon=", UserWarning, stacklevel=1)
        raise OutOfRangeError("height=4000 is above the model top")

    command = cli._gcm_command(warn_and_fail)
    prog = LEAVES[("gcm", "plot")].get_default("cli_prog")
    args = argparse.Namespace(gcm_command="plot", cli_terms=_terms("gcm plot"), cli_prog=prog)
    assert command(args) == cli.EXIT_STATUS["error"]
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "geospacexr gcm plot: UserWarning: --local-time ignores --lon",
        "geospacexr gcm plot: error: --height 4000 is above the model top",
    ]


def test_an_error_before_parsing_is_left_as_written():
    assert cli_message(InvalidArgumentError("bad", "height")) == "height: bad"
    assert cli_message(ValueError("height= is wrong"), None) == "height= is wrong"


# ------------------------------------------------------------------------------------------------
# --help: sections, no '|'-joined text, defaults, at most 100 columns


def _help_text(command: str, monkeypatch, capsys, columns: int = 200) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    with pytest.raises(SystemExit) as info:
        main([*command.split(), "--help"])
    assert info.value.code == 0
    return capsys.readouterr().out


SECTIONS = {
    "gcm plot": ("input and output", "what to show", "where and when", "drawing", "EP flux"),
    "gcm movie": ("input and output", "what to show", "where and when", "drawing", "movie frames"),
    "gcm emission": ("input and output", "what to show", "where and when"),
    "asi keogram": ("input and output", "keogram", "imager geometry"),
}


@pytest.mark.parametrize("command", GENERATED)
def test_help_is_grouped_and_readable(command, monkeypatch, capsys):
    out = _help_text(command, monkeypatch, capsys)
    titles = re.findall(r"^(\S[^:\n]*):$", out, flags=re.M)
    for section in SECTIONS[command]:
        assert any(t.startswith(section) for t in titles), (section, titles)
    assert cli.OTHER_OPTIONS not in titles, "an option in no section: add it to HELP_GROUPS"
    lines = out.splitlines()
    assert max(map(len, lines)) <= cli.HELP_WIDTH, max(lines, key=len)
    assert not [line for line in lines if " | " in line or "|" in line]
    assert out.startswith(f"usage: geospacexr {command} FILES [FILES ...] -o OUTPUT [options]")
    # every option made from a function shows its default (or says it is required)
    parser = LEAVES[tuple(command.split())]
    for action in parser._actions:
        if action.option_strings and action.dest not in ("help", "force", "output"):
            assert re.search(r"default|required", action.help, flags=re.I), action.dest


@pytest.mark.parametrize("columns", [80, 100, 300])
def test_help_fits_the_terminal_up_to_100_columns(columns, monkeypatch, capsys):
    for command in ("gcm plot", "asi keogram", "serve", "samples"):
        out = _help_text(command, monkeypatch, capsys, columns)
        longest = max(out.splitlines(), key=len)
        # argparse cannot break a single long option name; the descriptions fit
        assert len(longest) <= min(columns, cli.HELP_WIDTH) or " " not in longest.strip(), longest


def test_per_slice_descriptions_are_one_line_each(monkeypatch, capsys):
    out = _help_text("gcm plot", monkeypatch, capsys)
    block = out[out.index("  --level LEVEL") : out.index("  --height HEIGHT")]
    assert "- lat-lon: Level on the variable's own grid." in block
    assert "- lat-time, lon-time, var-time: Level on the variable's grid." in block
    assert "(default: none)" in block
    assert "only with --slice lat-lon, lat-time, lon-time, var-time" in block
    assert "--wind, --no-wind" in out and "(default: no)" in out
    assert "(default: 9.0 4.8 for lat-lon;" in " ".join(out.split())


# ------------------------------------------------------------------------------------------------
# One table of exit statuses for every command


@pytest.mark.parametrize(
    "argv, status",
    [
        # the work cannot be done: 1, whichever command
        ("gcm info {missing}.nc", "error"),
        ("gcm plot {missing}.nc --var TN -o {out}.png", "error"),
        ("gcm emission {missing}.nc --name NO53 -o {out}.nc", "error"),
        ("asi keogram {missing}.pgm.gz -o {out}.nc", "error"),
        ("samples no-such-sample", "error"),
        ("demo --sample no-such-sample -o {out}", "error"),
        ("warmup --models t69", "error"),
        # the command line itself is wrong: 2, whichever command
        ("gcm plot {missing}.nc --var TN -o {out}.txt", "usage"),
        ("gcm movie {missing}.nc --var TN -o {out}.png", "usage"),
        ("gcm emission {missing}.nc --name NO53 -o {out}.png", "usage"),
        ("asi keogram {missing}.pgm.gz -o {out}.txt", "usage"),
        ("gcm plot {missing}.nc --var TN --lon 3 -o {out}.png", "usage"),
        ("gcm plot {missing}.nc --level 3 -o {out}.png", "usage"),
        ("gcm plot {missing}.nc --var TN --slice nope -o {out}.png", "usage"),
        ("asi keogram {missing}.pgm.gz --cadence nan -o {out}.nc", "usage"),
        ("serve --port 99999", "usage"),
        ("samples --bogus", "usage"),
        ("nope", "usage"),
    ],
)
def test_one_exit_status_table_for_every_command(argv, status, tmp_path, capsys):
    words = argv.format(missing=tmp_path / "none", out=tmp_path / "out").split()
    try:
        code = main(words)
    except SystemExit as stop:  # argparse's own usage errors
        code = stop.code
    err = capsys.readouterr().err.strip()
    assert code == cli.EXIT_STATUS[status], err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert not list(tmp_path.iterdir()), "nothing is written"


def test_file_names_are_left_alone():
    from geospacexr.errors import FileFormatError

    terms, ns = _terms("gcm plot"), _ns("gcm plot")
    for text in (
        "/data/lat_lon.nc is damaged",
        "run/local_time.nc",
        "C:\\\\runs\\\\wind_stride.nc",
    ):
        assert terms.translate(text) == text
    exc = FileFormatError("truncated (local_time= is unset)", "/data/height=3/lat_lon.nc")
    assert cli_message(exc, ns) == "/data/height=3/lat_lon.nc: truncated (--local-time is unset)"
    err = FileNotFoundError(2, "No such file or directory", "local_time.nc")
    assert cli_message(err, ns) == "local_time.nc: No such file or directory"


def test_warnings_of_every_command_are_one_line(monkeypatch, capsys):
    """A warning under any command (here `config`) is one line: `prog: Category: text`."""
    import warnings

    from geospacexr.errors import DataWarning

    def config_that_warns(args):
        warnings.warn("2 file(s) skipped:\n a.pgm.gz; b.pgm.gz", DataWarning, stacklevel=1)
        return 0

    monkeypatch.setattr(cli, "_cmd_config", config_that_warns)
    assert main(["config"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["geospacexr config: DataWarning: 2 file(s) skipped: a.pgm.gz; b.pgm.gz"]
