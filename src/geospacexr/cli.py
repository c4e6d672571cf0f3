"""The ``geospacexr`` command: the Python API for scripts, batch jobs and a first look.

Sub-commands::

    geospacexr info                      version, optional extras, sample data
    geospacexr config                    effective configuration and where each value came from
    geospacexr samples [--generate]      list (and generate) the sample datasets
    geospacexr demo [-o DIR]             the tutorial workflow on the sample data, figures into DIR
    geospacexr serve [FILES...]          the interactive app (Panel), on the samples or on FILES
    geospacexr asi keogram FILES -o OUT  a whole night's keogram (PNG and/or NetCDF), streamed
    geospacexr gcm info FILES            what a TIE-GCM / WACCM-X run holds
    geospacexr gcm plot FILES --var TN --slice lat-lon --height 400 -o out.png
    geospacexr gcm movie FILES --var TN --slice lat-lon --level 4 -o out.mp4
    geospacexr gcm emission FILES --name NO53 -o out.nc
    geospacexr superdarn info FILES      what SuperDARN DMAP files hold
    geospacexr superdarn rti FILES --parameter v --beam 7 -o rti.png
    geospacexr superdarn summary FILES --beam 7 -o summary.png
    geospacexr superdarn fan FILES --time 2018-04-04T06:02 --parameter v [--magnetic] -o fan.png
    geospacexr superdarn map FILES --time 0 -o map.png   convection map (map) or vectors (grid)
    geospacexr superdarn convert FILES -o DIR   DMAP to NetCDF, one file per day
    geospacexr rio info FILES            what riometer files (NORSTAR K0/K2, SWAN HSR) hold
    geospacexr rio absorption FILES --days 14 -o out.nc   quiet-day curves and absorption
    geospacexr mhd movie RUN --workers 2 -o run.mp4   kaipy's msphpic over the steps, in parallel

The options of the ``gcm`` commands are not written here: they are generated from the
signatures and Google-style docstrings of the Python functions the commands call
(:func:`geospacexr.plot.gcm.plot_lat_lon` and the other figure functions,
:func:`geospacexr.plot.gcm.plot_movie`, :func:`geospacexr.gcm.emissions.emission`), so they
have the same names (``local_time`` is ``--local-time``), types and defaults as the Python API.
An option that the chosen ``--slice`` does not take is refused. Every error is one line on
stderr (``geospacexr gcm plot: error: ...``), never a traceback, with an exit status from one
table (:data:`EXIT_STATUS`): 2 when the command line itself is wrong, 1 when the work could not
be done, 3 for an unexpected error. Messages name the command's options, not the Python
keywords of the functions behind them (:class:`CliTerms`).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import inspect
import json
import math
import os
import platform
import re
import shutil
import stat
import sys
import textwrap
import types
import typing
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import config
from ._version import __version__
from .errors import CommandLineError, GeospacexrError, InvalidArgumentError

__all__ = ["EXIT_STATUS", "EXTRAS", "build_parser", "main"]

#: The exit statuses of every command (docs/cli.md): name -> status.
EXIT_STATUS: dict[str, int] = {
    "ok": 0,
    "error": 1,  # the work could not be done: a geospacexr error, a system error, no memory
    "usage": 2,  # the command line itself is wrong (argparse, CommandLineError)
    "unexpected": 3,  # a bug: one line, or Python's traceback with --traceback
    "interrupted": 130,
}

#: Optional extras and the import names of the packages each brings.
EXTRAS: dict[str, tuple[str, ...]] = {
    "plot": ("matplotlib", "cartopy", "imageio_ffmpeg"),
    "asi": ("aacgmv2", "h5py", "PIL"),
    "interactive": ("panel", "holoviews", "geoviews", "ipywidgets", "jupyter_bokeh"),
    "lfm": ("pyhdf",),
    "aurorax": ("requests",),
    "distributed": ("distributed",),
}


# ------------------------------------------------------------------------------------------------
# Checks made before any work: option values, outputs, and the size of what would be written

#: NetCDF outputs (written by :func:`geospacexr.io.atomic.write_netcdf`).
NETCDF_FORMATS = (".nc", ".nc4", ".cdf")
#: Movie outputs (:func:`geospacexr.plot.movie.write_movie`: H.264 MP4 or a GIF).
MOVIE_FORMATS = (".mp4", ".gif")
#: Figure outputs when matplotlib cannot be asked (it lists its own when installed).
_FIGURE_FORMATS = (".eps", ".jpeg", ".jpg", ".pdf", ".png", ".ps", ".svg", ".svgz", ".tif", ".tiff")
#: Largest width or height of a raster image matplotlib's Agg renderer draws, pixels.
AGG_MAX_PIXELS = 2**16 - 1
#: Finest keogram cadence: one nanosecond, the resolution of the time coordinate.
MIN_CADENCE_S = 1e-9
#: Most parallel workers of one command (each can be a process).
MAX_WORKERS = 1024
_INT64_MAX = 2**63 - 1


def figure_formats() -> tuple[str, ...]:
    """The file extensions a figure can be saved as (matplotlib's formats), with the dot.

    Returns:
        Sorted extensions such as ``(".eps", ".jpg", ..., ".png", ".svg")``.
    """
    try:
        from matplotlib.backend_bases import FigureCanvasBase
    except ImportError:
        return _FIGURE_FORMATS
    return tuple(sorted(f".{ext}" for ext in FigureCanvasBase.get_supported_filetypes()))


def _number_type(
    integer: bool = False,
    *,
    low: float | None = None,
    low_open: bool = False,
    high: float | None = None,
    high_open: bool = False,
    key: str | None = None,
    unit: str = "",
) -> Callable[[str], float | int]:
    """An argparse ``type=``: a finite number (an integer) within bounds, else a clean error.

    ``key`` takes the bounds of a configuration key (the option sets that key's value).
    """

    def parse(text: str) -> float | int:
        try:
            value: float | int = int(text) if integer else float(text)
        except (TypeError, ValueError):
            want = "an integer" if integer else "a number"
            raise argparse.ArgumentTypeError(f"expected {want}, not {text!r}") from None
        if key is not None:
            try:
                return config.check_value(key, value)
            except ValueError as exc:
                raise argparse.ArgumentTypeError(str(exc)) from None
        bad = not math.isfinite(value) or (integer and abs(value) > _INT64_MAX)
        if low is not None:
            bad = bad or value < low or (low_open and value == low)
        if high is not None:
            bad = bad or value > high or (high_open and value == high)
        if bad:
            raise argparse.ArgumentTypeError(f"{text!r} is out of range (allowed: {allowed})")
        return value

    what = "an integer" if integer else "a finite number"
    if low is not None and high is not None:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        allowed = f"{what} in {left}{low:g}, {high:g}{right}"
    elif low is not None:
        allowed = f"{what} {'>' if low_open else '>='} {low:g}"
    elif high is not None:
        allowed = f"{what} {'<' if high_open else '<='} {high:g}"
    else:
        allowed = what
    allowed += f" {unit}" if unit else ""
    parse.__name__ = "integer" if integer else "number"  # argparse names it in messages
    return parse


def _inches(text: str) -> float:
    """``--figsize`` element: inches, finite, positive, at most ``cli.max_figure_inches``."""
    return _number_type(
        low=0.0, low_open=True, high=config.get().cli.max_figure_inches, unit="inches"
    )(text)


#: argparse ``type=`` of the generated options that have a range of their own, by parameter.
OPTION_TYPES: dict[str, Callable[[str], Any]] = {
    "cadence": _number_type(low=MIN_CADENCE_S, unit="seconds"),
    "fps": _number_type(low=0.0, low_open=True, high=1000.0, unit="frames per second"),
    "dpi": _number_type(low=0.0, low_open=True, high=float(AGG_MAX_PIXELS)),
    "workers": _number_type(integer=True, low=0, high=MAX_WORKERS),
    "levels": _number_type(integer=True, low=1, high=1000),
    "wind_stride": _number_type(integer=True, low=1),
    "arrow_stride": _number_type(integer=True, low=1),
    "column": _number_type(integer=True, low=0),
    "percentile": _number_type(low=0.0, high=100.0),
    "altitude_km": _number_type(key="asi.altitude_km"),
    "min_elevation": _number_type(key="asi.min_elevation"),
    "width": _number_type(key="asi.keogram_width"),
    "figsize": _inches,
    "beam": _number_type(integer=True, low=0),
    "channel": _number_type(integer=True, low=0),
    "max_gap": _number_type(low=0.0, low_open=True, unit="seconds"),
}


def _port(text: str) -> int:
    """``--port``: an integer 0-65535 (the bounds of ``serve.port``)."""
    try:
        return int(config.check_value("serve.port", text, from_text=True))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _address(text: str) -> str:
    """``--address``: an IP address or a host name (as ``serve.address``)."""
    reason = config.check_address(text)
    if reason:
        raise argparse.ArgumentTypeError(reason)
    return text


def _mb(nbytes: float) -> str:
    return f"{nbytes / 1e6:,.0f} MB" if nbytes < 1e9 else f"{nbytes / 1e9:,.1f} GB"


def check_size(nbytes: float, what: str, force: bool, hint: str = "") -> None:
    """Refuse an output estimated above ``cli.max_output_mb`` unless ``--force`` was given.

    Args:
        nbytes: The estimated size, bytes.
        what: What would be that large, with how it was estimated.
        force: The user's ``--force``.
        hint: How to ask for less (e.g. "use a longer --cadence").

    Raises:
        InvalidArgumentError: If the estimate is above the limit and ``force`` is false.
    """
    limit_mb = config.get().cli.max_output_mb
    if force or nbytes <= limit_mb * 1e6:
        return
    raise InvalidArgumentError(
        f"{what} would be about {_mb(nbytes)}, more than cli.max_output_mb = {limit_mb:g} MB: "
        f"{hint + ', ' if hint else ''}give --force to go ahead anyway, or raise "
        "cli.max_output_mb"
    )


def check_output(path: str | os.PathLike[str], formats: Sequence[str], what: str) -> Path:
    """Check an output file before any work: known format, a plain file, a writable folder.

    Args:
        path: The ``-o`` value.
        formats: The extensions accepted (with the dot, lower case).
        what: What is written there, for messages ("the keogram").

    Returns:
        The path.

    Raises:
        InvalidArgumentError: If the extension is not one of ``formats``; the path is a
            folder, a device, a FIFO, a socket or a symbolic link; or its folder cannot be
            created or written.
    """
    text = os.fspath(path)
    if not text or "\x00" in text:
        raise CommandLineError(f"{text!r} is not a file name", "-o")
    out = Path(text)
    try:
        st = out.lstat()
    except (FileNotFoundError, NotADirectoryError):
        st = None  # the folder is checked below
    except OSError as exc:
        raise InvalidArgumentError(f"{out}: cannot be checked ({exc.strerror})", "-o") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise InvalidArgumentError(f"{out} is a folder; give a file name for {what}", "-o")
        if stat.S_ISLNK(st.st_mode):
            raise InvalidArgumentError(
                f"{out} is a symbolic link (writing would replace the link, not its target); "
                "give the real path",
                "-o",
            )
        if not stat.S_ISREG(st.st_mode):
            kind = (
                "a FIFO"
                if stat.S_ISFIFO(st.st_mode)
                else ("a socket" if stat.S_ISSOCK(st.st_mode) else "a device")
            )
            raise InvalidArgumentError(f"{out} is {kind}, not a file; give a file name", "-o")
    suffix = out.suffix.lower()
    if suffix not in formats:
        found = f"{out.suffix!r}" if out.suffix else "no extension"
        raise CommandLineError(
            f"{out}: {what} is written as {', '.join(formats)} (the extension chooses the "
            f"format), not {found}",
            "-o",
        )
    from .io.atomic import check_folder

    check_folder(out.parent, what, "-o")
    return out


def check_output_folder(path: str | os.PathLike[str], what: str) -> Path:
    """Check an output folder before any work: not a file or device, creatable and writable.

    Args:
        path: The folder.
        what: What is written there.

    Returns:
        The path.

    Raises:
        InvalidArgumentError: If it exists and is not a folder, or cannot be created or written.
    """
    out = Path(os.fspath(path))
    if not str(path):
        raise InvalidArgumentError("an empty folder name", "-o")
    if out.exists() and not out.is_dir():
        raise InvalidArgumentError(f"{out} exists and is not a folder", "-o")
    from .io.atomic import check_folder

    check_folder(out, what, "-o")
    return out


def _figure_pixels(figsize: Sequence[float], dpi: float, what: str) -> tuple[int, int]:
    """Width and height in pixels; refuse what the Agg renderer cannot draw at all."""
    width, height = (math.ceil(float(v) * dpi) for v in figsize)
    if max(width, height) > AGG_MAX_PIXELS:
        raise CommandLineError(
            f"{figsize[0]:g} x {figsize[1]:g} inches at {dpi:g} dpi is {width} x {height} "
            f"pixels; {what} can be at most {AGG_MAX_PIXELS} pixels a side",
            "--figsize",
        )
    return width, height


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _cmd_info(args: argparse.Namespace) -> int:
    from . import datasets

    print(f"geospacexr {__version__} (Python {platform.python_version()}, {sys.executable})")
    print("optional extras:")
    for extra, modules in EXTRAS.items():
        missing = [m for m in modules if not _installed(m)]
        state = "installed" if not missing else f"missing {', '.join(missing)}"
        print(f"  {extra:<12} {state}")
    cfg = config.get()
    print(f"sample folder: {cfg.sample_dir}")
    for name in datasets.list_samples():
        problems = datasets.verify_sample(name)
        state = (
            "ready"
            if not problems
            else ("not generated" if problems == ["not generated"] else "damaged")
        )
        print(f"  {name:<24} {state}")
    print(f"configuration file: {config.config_file()}")
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    print(config.describe())
    return 0


def _cmd_samples(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from . import datasets

    names = args.names or datasets.list_samples()
    for name in names:
        datasets.sample_info(name)  # unknown names fail before any work
    if args.generate:
        for name in tqdm(names, desc="generating samples", unit="sample", disable=None):
            datasets.sample_path(name)
    for name in names:
        info = datasets.sample_info(name)
        problems = datasets.verify_sample(name)
        state = "ready" if not problems else "; ".join(problems)
        print(f"{name:<24} {info.kind:<10} {state:<16} {info.description}")
        if not problems:  # where to find it: the path to pass to geospacexr.open or the CLI
            print(f"{'':<24} {datasets.sample_path(name, generate=False)}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from . import datasets
    from .demo import run_demo

    check_output_folder(args.output, "the demo's files")
    datasets.sample_info(args.sample)  # an unknown sample fails before the folder is made
    made = run_demo(args.output, sample=args.sample)
    print(f"demo finished: {len(made)} files in {Path(args.output).resolve()}")
    for path, what in made:
        print(f"  {path}  {what}")
    return 0


def _cmd_warmup(args: argparse.Namespace) -> int:
    """``geospacexr warmup [--models ...]``: compile the radiation-belt kernels now."""
    from .rb import warmup

    names = [n for item in args.models or () for n in item.split(",") if n] or None
    seconds = warmup(names, progress=not args.quiet)
    for name, spent in seconds.items():
        print(f"{name:<12} {spent:7.1f} s")
    print("kernels compiled and cached on disk: later processes start without compiling")
    return 0


def _point(text: str) -> tuple[float, float]:
    """Parse a path point ``A,B`` (two numbers)."""
    try:
        a, b = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a point is two numbers A,B, not {text!r}") from None
    return a, b


#: The time stamp that starts every all-sky file name (``YYYYMMDD_HHMM[SS]_...``).
_FILE_TIME = re.compile(r"(\d{8})_(\d{4})(\d{2})?(?!\d)")
#: A minute: the span of one file named to the minute.
_FILE_MINUTE_S = 60.0
#: The span assumed for a file whose name carries no time (hour files are the longest).
_FILE_HOUR_S = 3600.0
#: Bytes of one keogram value (float64, NaN where a frame is missing) and of one time.
_VALUE_BYTES = 8


def _keogram_estimate(
    files: Sequence[str], cadence: float, rows: int | None = None
) -> tuple[float, str]:
    """Bytes of a keogram at ``cadence`` over the files' time span, with how it was counted.

    The span comes from the time stamps in the file names (``YYYYMMDD_HHMM``), plus one
    minute; rows and channels from the instrument table (the tallest imager when the files
    match no instrument); ``rows`` overrides them (a path keogram's segments).
    """
    import numpy as np

    from .io.instruments import instrument_of_file, instruments
    from .io.registry import expand_paths

    paths = expand_paths(files)
    stamps = []
    for path in paths:
        m = _FILE_TIME.match(path.name)
        if m:
            try:
                stamps.append(
                    np.datetime64(
                        f"{m[1][:4]}-{m[1][4:6]}-{m[1][6:]}T{m[2][:2]}:{m[2][2:]}:{m[3] or '00'}",
                        "s",
                    )
                )
            except ValueError:
                pass
    if stamps:
        span = float((max(stamps) - min(stamps)) / np.timedelta64(1, "s")) + _FILE_MINUTE_S
    else:
        span = len(paths) * _FILE_HOUR_S
    channels = 1
    if rows is None:
        found = instrument_of_file(paths[0])
        if found is not None and found[0].image_size:
            rows, channels = max(found[0].image_size), found[0].channels
        else:
            sizes = [max(r.image_size) * r.channels for r in instruments() if r.image_size]
            rows = max(sizes, default=1)
    columns = math.floor(span / cadence) + 1
    nbytes = float(columns) * (rows * channels + 1) * _VALUE_BYTES
    return nbytes, (
        f"a keogram of {columns:,} columns ({span:g} s at a {cadence:g} s cadence) x "
        f"{rows * channels} rows x {_VALUE_BYTES} bytes"
    )


def _cmd_asi_keogram(args: argparse.Namespace) -> int:
    from .asi.night import night_keogram
    from .io.atomic import write_netcdf

    options = args.asi_options
    kwargs = {
        name: (raw if name == "path" else options[name].value(raw, "keogram"))
        for name, raw in _given(args, options).items()
    }
    formats = (*NETCDF_FORMATS, *figure_formats())
    outputs = [check_output(output, formats, "the keogram") for output in args.output]
    if kwargs.get("cadence"):
        rows = len(kwargs["path"]) if kwargs.get("path") else None
        check_size(
            *_keogram_estimate(args.files, kwargs["cadence"], rows),
            force=args.force,
            hint="use a longer --cadence (seconds between frames)",
        )
    with _cluster(args):  # a few files per task on the cluster, when there is one
        keo = night_keogram(args.files, **kwargs)
    for path in outputs:
        if path.suffix.lower() in (".nc", ".nc4", ".cdf"):
            write_netcdf(keo.to_dataset(), path)
        else:
            from .plot import plot_keogram, save_figure

            ax = plot_keogram(keo)
            save_figure(ax.figure, path)
        print(
            f"wrote {path} ({keo.sizes['time']} frames, "
            f"{str(keo.time.values[0])[:19]} to {str(keo.time.values[-1])[:19]})"
        )
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .explore.app import serve

    serve(args.files, port=args.port, address=args.address, show=args.show)
    return 0


# ------------------------------------------------------------------------------------------------
# geospacexr gcm: options generated from the Python functions' signatures and docstrings

#: Parameters that are not options: the Dataset, and what --var, --name and -o give.
_GCM_NOT_OPTIONS = ("ds", "var", "save", "out", "kind", "kwargs")
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def _plain(text: str) -> str:
    """Docstring text without reST markup, safe for argparse's %-formatting."""
    text = re.sub(r":(?:func|data|class|mod|meth|attr):`~?(?:[\w.]*\.)?([\w]+)`", r"\1", text)
    text = re.sub(r":math:`([^`]*)`", r"\1", text)
    text = text.replace("``", "").replace("\\", "")
    return text.replace("%", "%%")


def _doc_args(func: Callable[..., Any]) -> dict[str, str]:
    """The ``Args:`` section of a Google-style docstring: name -> plain description."""
    from ._declare import plain_args

    return {k: _plain(v) for k, v in plain_args(func).items()}


def _kind_of(hint: Any) -> tuple[str, bool]:
    """How the command line spells a type hint: (kind, accepts None)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(hint) if a is not type(None)]
        optional = len(members) < len(typing.get_args(hint))
    else:
        members, optional = [hint], hint is None
    kinds = set()
    for member in members:
        base = typing.get_origin(member) or member
        if member is bool:
            kinds.add("bool")
        elif member is int:
            kinds.add("int")
        elif member is float:
            kinds.add("float")
        elif base is tuple:
            kinds.add("pair")
        elif base in (list, Sequence, typing.Sequence) or (
            isinstance(base, type) and issubclass(base, Sequence) and base is not str
        ):
            kinds.add("list")
        else:  # str, os.PathLike, Any (times): passed as written
            kinds.add("text")
    if kinds == {"int", "float"}:
        kinds = {"float"}
    kind = kinds.pop() if len(kinds) == 1 else "text"
    return kind, optional


def _convert(raw: Any, kind: str, optional: bool, option: str) -> Any:
    """Turn what argparse collected into the value the Python function expects."""
    if isinstance(raw, bool) or raw is None:
        return raw
    if optional and isinstance(raw, str) and raw.lower() == "none":
        return None
    try:
        if kind == "bool":
            low = str(raw).lower()
            if low not in _TRUE + _FALSE:
                raise InvalidArgumentError(f"expected yes or no, not {raw!r}")
            return low in _TRUE
        if kind == "int":
            return _finite(int(raw))
        if kind == "float":
            return _finite(float(raw))
        if kind == "pair":
            return tuple(_finite(float(v)) for v in raw)
        if kind == "list":
            return [_number_or_text(v) for v in raw]
    except ValueError as exc:
        want = {"int": "an integer", "float": "a number", "pair": "two numbers"}
        if isinstance(exc, _NotFinite):
            want = {"int": "an integer", "float": "a finite number", "pair": "two finite numbers"}
        flag = f"--{option.replace('_', '-')}"
        raise CommandLineError(
            f"{flag}: expected {want[kind]}, not {raw!r}" if kind in want else f"{flag}: {exc}"
        ) from None
    return raw


class _NotFinite(ValueError):
    """A number that is NaN or infinite (or an integer beyond int64)."""


def _finite(value: float) -> float:
    """``value`` if it is a finite number (an integer numpy can hold), else ``_NotFinite``."""
    if not math.isfinite(value) or (isinstance(value, int) and abs(value) > _INT64_MAX):
        raise _NotFinite(value)
    return value


def _number_or_text(value: str) -> Any:
    try:
        number = float(value)
    except ValueError:
        return value
    if not math.isfinite(number):
        raise InvalidArgumentError(f"expected finite numbers, not {value!r}")
    return number


@dataclass
class _Option:
    """One option of a gcm command, as the Python functions that take it define it."""

    name: str
    kinds: dict[str, tuple[str, bool]] = field(default_factory=dict)  # function -> kind
    defaults: dict[str, Any] = field(default_factory=dict)
    helps: dict[str, list[str]] = field(default_factory=dict)  # description -> functions
    required: bool = False  # a parameter without a default (e.g. the emission's name)

    def help_text(self, every: Sequence[str] = ()) -> str:
        """The option's help: its description, one line per function where they differ.

        Args:
            every: The functions (slices) of the command; an option that only some of them
                take says which.

        Returns:
            The help text (``%`` escaped for argparse; a line per function's description).
        """
        by_default: dict[str, list[str]] = {}
        for label, value in self.defaults.items():
            by_default.setdefault(_shown(value), []).append(label)
        if self.required:
            default = "required"
        elif len(by_default) == 1:
            default = f"default: {next(iter(by_default))}"
        else:
            default = "default: " + "; ".join(
                f"{v} for {', '.join(labels)}" for v, labels in by_default.items()
            )
        default = default.replace("%", "%%")
        if len(self.helps) <= 1:
            text = next(iter(self.helps), "")
            if "default" not in text.lower() or len(by_default) > 1:
                text = f"{text} ({default})" if text else f"({default})"
        else:  # the functions describe it differently: one line each, then the default
            text = "\n".join(f"- {', '.join(f)}: {h}" for h, f in self.helps.items())
            if len(by_default) > 1 or not all("default" in h.lower() for h in self.helps):
                text += f"\n({default})"
        takes = [label for label in every if label in self.kinds]
        others = [label for label in every if label not in self.kinds]
        if takes and others:  # the shorter list
            text += (
                f"\nonly with --slice {', '.join(takes)}"
                if len(takes) <= len(others)
                else f"\nnot with --slice {', '.join(others)}"
            )
        return text

    def add_to(
        self,
        parser: argparse.ArgumentParser | argparse._ArgumentGroup,
        flags: Sequence[str] = (),
        every: Sequence[str] = (),
    ) -> None:
        """Declare the option on ``parser`` (or an argument group).

        Args:
            parser: The parser or argument group.
            flags: The option's spellings (default ``--<name>``).
            every: The functions (slices) of the command, for :meth:`help_text`.
        """
        flag = "--" + self.name.replace("_", "-")
        names = tuple(flags) or (flag,)
        kinds = {k for k, _ in self.kinds.values()}
        text = self.help_text(every)
        if kinds == {"bool"}:
            parser.add_argument(
                *names,
                dest=self.name,
                action=argparse.BooleanOptionalAction,
                default=argparse.SUPPRESS,
                help=text,
            )
            return
        extra: dict[str, Any] = {"metavar": self.name.upper()}
        if "pair" in kinds:
            extra["nargs"] = 2
        elif "list" in kinds:
            extra["nargs"] = "+"
        elif "bool" in kinds:  # a flag for some functions, a value for others (local_time)
            extra.update(nargs="?", const="true", metavar="VALUE")
        check = OPTION_TYPES.get(self.name)
        if check is not None and kinds <= {"int", "float", "pair"}:  # range-checked by argparse
            optional = any(accepts_none for _, accepts_none in self.kinds.values())
            extra["type"] = _or_none(check) if optional else check
        parser.add_argument(
            *names,
            dest=self.name,
            default=argparse.SUPPRESS,
            required=self.required,
            help=text,
            **extra,
        )

    def value(self, raw: Any, function: str) -> Any:
        kind, optional = self.kinds[function]
        return _convert(raw, kind, optional, self.name)


def _collect_options(
    functions: dict[str, Callable[..., Any]], skip: Sequence[str] = _GCM_NOT_OPTIONS
) -> dict[str, _Option]:
    """Every parameter of ``functions`` (label -> function) as an :class:`_Option`."""
    options: dict[str, _Option] = {}
    for label, func in functions.items():
        hints = typing.get_type_hints(func)
        docs = _doc_args(func)
        for param in inspect.signature(func).parameters.values():
            if param.name in skip or param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
                continue
            option = options.setdefault(param.name, _Option(param.name))
            option.kinds[label] = _kind_of(hints.get(param.name, Any))
            option.defaults[label] = None if param.default is param.empty else param.default
            option.required = param.default is param.empty
            if docs.get(param.name):
                option.helps.setdefault(docs[param.name], []).append(label)
    return options


def _slice_functions() -> dict[str, Callable[..., Any]]:
    from .plot import gcm as plot_gcm

    return {k.replace("_", "-"): plot_gcm.plot_function(k) for k in plot_gcm.PLOTS}


def _movie_function() -> Callable[..., Any]:
    from .plot.gcm import plot_movie

    return plot_movie


def _shown(value: Any) -> str:
    """A default as it is typed on the command line (``none``, ``yes``, ``9.0 4.8``)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return " ".join(_shown(v) for v in value)
    return str(value)


def _or_none(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse ``type=`` that also takes ``none`` (the Python default ``None``)."""

    def parse(text: str) -> Any:
        return None if text.strip().lower() == "none" else check(text)

    parse.__name__ = getattr(check, "__name__", "value")
    return parse


#: Widest help text, columns (narrower on a narrower terminal).
HELP_WIDTH = 100
#: Column where option descriptions start (when the option fits before it).
HELP_POSITION = 30


class HelpFormatter(argparse.HelpFormatter):
    """``--help`` at most :data:`HELP_WIDTH` columns, keeping the line breaks of a help text.

    A help line that starts with ``- `` (one function's description of the option) is wrapped
    with its continuation lines indented under it.
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = HELP_POSITION,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = min(shutil.get_terminal_size().columns, HELP_WIDTH) - 2
        super().__init__(prog, indent_increment, max_help_position, min(width, HELP_WIDTH - 2))

    def _split_lines(self, text: str, width: int) -> list[str]:
        lines: list[str] = []
        for paragraph in text.splitlines():
            paragraph = " ".join(paragraph.split())
            indent = "  " if paragraph.startswith("- ") else ""
            lines.extend(
                textwrap.wrap(paragraph, width, subsequent_indent=indent, break_on_hyphens=False)
                or [""]
            )
        return lines


class _OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line on stderr and exit status 2 (for batch jobs).

    Its help is at most :data:`HELP_WIDTH` columns wide (:class:`HelpFormatter`).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> typing.NoReturn:
        self.exit(EXIT_STATUS["usage"], f"{self.prog}: error: {' '.join(message.split())}\n")


def _gcm_command(func: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """Errors of a gcm command as one line, in the command's terms.

    A :class:`~geospacexr.errors.CommandLineError` exits with status 2; any other geospacexr
    error, a bad value the data reject (a ``ValueError`` or ``KeyError`` from xarray or pandas)
    or a system error with status 1 (:data:`EXIT_STATUS`). Warnings are one line each too, as
    for every command (:func:`_one_line_warnings`).
    """

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            with _one_line_warnings(args):
                return func(args)
        except (GeospacexrError, ValueError, KeyError, OSError) as exc:
            message = cli_message(exc, args)
            print(f"geospacexr gcm {args.gcm_command}: error: {message}", file=sys.stderr)
            return EXIT_STATUS["usage" if isinstance(exc, CommandLineError) else "error"]

    return run


@contextlib.contextmanager
def _one_line_warnings(args: argparse.Namespace) -> Iterator[None]:
    """Show each warning as one line on stderr, in the command's terms (``prog: Category: ...``).

    Args:
        args: The parsed command line (its ``cli_terms`` and ``cli_prog``).

    Yields:
        Nothing; warnings raised meanwhile are shown this way.
    """
    prog = getattr(args, "cli_prog", "geospacexr")

    def one_line(message: Any, category: type[Warning], *_: Any, **__: Any) -> None:
        print(
            f"{prog}: {category.__name__}: {cli_message(Warning(message), args)}", file=sys.stderr
        )

    with warnings.catch_warnings():
        warnings.showwarning = one_line
        yield


def _open_gcm(files: Sequence[str]) -> Any:
    from .io.gcm import open_gcm

    return open_gcm(list(files))


def _given(args: argparse.Namespace, options: dict[str, _Option]) -> dict[str, Any]:
    return {name: getattr(args, name) for name in options if hasattr(args, name)}


def _slice_kwargs(
    args: argparse.Namespace, options: dict[str, _Option], slice_name: str
) -> dict[str, Any]:
    """The given options, converted for the figure function of ``slice_name``."""
    kwargs = {}
    for name, raw in _given(args, options).items():
        option = options[name]
        if "movie" in option.kinds:
            continue
        if slice_name not in option.kinds:
            takes = sorted(
                "--" + n.replace("_", "-") for n, o in options.items() if slice_name in o.kinds
            )
            raise CommandLineError(
                f"--{name.replace('_', '-')} does not apply to --slice {slice_name} "
                f"(it takes {', '.join(takes)})"
            )
        kwargs[name] = option.value(raw, slice_name)
    return kwargs


def _needs_var(args: argparse.Namespace) -> None:
    if args.slice != "epflux" and not args.var:
        raise CommandLineError(f"--slice {args.slice} needs --var (a variable name, e.g. TN)")


@_gcm_command
def _cmd_gcm_info(args: argparse.Namespace) -> int:
    from . import gcm
    from .describe import summary

    ds = _open_gcm(args.files)
    info = summary(ds)
    info["files"] = json.loads(ds.attrs.get("source_files", "[]"))
    info["fields"] = gcm.variables(ds)
    info["derived"] = gcm.available(ds)
    try:
        from .gcm import emissions
    except ImportError:  # pragma: no cover - the registry is optional
        info["emissions"] = []
    else:
        info["emissions"] = emissions.available(ds)
    info["slices"] = sorted(_slice_functions())
    if args.json:
        print(json.dumps(info, indent=1, default=str))
        return 0
    print(f"{info.get('model', 'GCM')} run: {', '.join(info['files']) or '?'}")
    print(
        f"  {info.get('n_times', 0)} times, {info.get('time_start', '?')} to "
        f"{info.get('time_end', '?')}"
    )
    print("  grid: " + ", ".join(f"{k} {v}" for k, v in info["dims"].items()))
    print("  fields:")
    for row in info["fields"]:
        print(f"    {row['name']:<10} {row['units']:<10} {row['grid']:<5} {row['long_name']}")
    print(f"  derived: {', '.join(info['derived']) or 'none'}")
    print(f"  emissions: {', '.join(info['emissions']) or 'none'}")
    print(f"  slices (--slice): {', '.join(info['slices'])}")
    return 0


def _figsize(kwargs: dict[str, Any], options: dict[str, _Option], slice_name: str) -> Any:
    """The figure size the figure function will use: ``--figsize`` or its own default."""
    return kwargs.get("figsize") or options["figsize"].defaults.get(slice_name) or (8.0, 4.5)


@_gcm_command
def _cmd_gcm_plot(args: argparse.Namespace) -> int:
    from .plot.common import save_figure
    from .plot.gcm import plot_function

    _needs_var(args)
    kwargs = _slice_kwargs(args, args.gcm_options, args.slice)
    if args.slice != "epflux":
        kwargs["var"] = args.var
    elif args.var:
        raise CommandLineError("--slice epflux takes no --var (it uses TN, UN, VN and OMEGA)")
    check_output(args.output, figure_formats(), "the figure")
    dpi = inspect.signature(save_figure).parameters["dpi"].default
    width, height = _figure_pixels(_figsize(kwargs, args.gcm_options, args.slice), dpi, "a figure")
    check_size(
        width * height * 4.0,
        f"a {width} x {height} pixel figure at {dpi} dpi (4 bytes a pixel)",
        args.force,
        hint="use a smaller --figsize",
    )
    ds = _open_gcm(args.files)
    plot_function(args.slice)(ds, save=args.output, **kwargs)
    print(f"wrote {args.output}")
    return 0


@_gcm_command
def _cmd_gcm_movie(args: argparse.Namespace) -> int:
    _needs_var(args)
    options = args.gcm_options
    kwargs = _slice_kwargs(args, options, args.slice)
    movie = {
        name: options[name].value(raw, "movie")
        for name, raw in _given(args, options).items()
        if "movie" in options[name].kinds
    }
    check_output(args.output, MOVIE_FORMATS, "the movie")
    if args.scheduler is None:  # the frames' worker processes start importing while ds opens
        from .plot.movie import start_worker_server

        start_worker_server(movie.get("parallel", "processes"), movie.get("workers"))
    dpi = movie.get("dpi") or options["dpi"].defaults["movie"]
    width, height = _figure_pixels(_figsize(kwargs, options, args.slice), dpi, "a frame")
    ds = _open_gcm(args.files)
    frames = _movie_frames(ds, movie)
    check_size(
        float(frames) * width * height * 3,
        f"a movie of {frames} frames of {width} x {height} pixels (3 bytes a pixel)",
        args.force,
        hint="use fewer frames (--start/--end, --values), a smaller --figsize or --dpi",
    )
    if args.scheduler is not None:
        movie.setdefault("parallel", "dask")  # frames as tasks on the cluster
    with _cluster(args):
        path = _movie_function()(
            ds, args.output, args.var or None, kind=args.slice, **movie, **kwargs
        )
    print(f"wrote {path}")
    return 0


def _movie_frames(ds: Any, movie: dict[str, Any]) -> int:
    """How many frames a movie of ``ds`` will have (as :func:`geospacexr.plot.gcm.plot_movie`)."""
    if movie.get("values") is not None:
        return len(movie["values"])
    if movie.get("over", "time") != "time":
        return 1  # plot_movie asks for values=
    from .plot.common import time_window

    times = ds["time"].values
    try:
        return int(time_window(times, movie.get("start"), movie.get("end")).sum())
    except ValueError as exc:
        raise InvalidArgumentError(f"{exc}", "--start/--end") from None


@_gcm_command
def _cmd_gcm_emission(args: argparse.Namespace) -> int:
    from .io.atomic import write_netcdf

    check_output(args.output, NETCDF_FORMATS, "the emission")
    function = _emission_function()
    if function is None:
        raise GeospacexrError("the emissions registry (geospacexr.gcm.emissions) is not available")
    options = args.gcm_options
    kwargs = {
        name: options[name].value(raw, "emission") for name, raw in _given(args, options).items()
    }
    with _cluster(args) as client:  # opened under the Client: the emission is its graph
        ds = _open_gcm(args.files)
        da = function(ds, **kwargs)
        name = re.sub(r"[^\w.-]", "_", str(da.name or kwargs.get("name", "emission")))
        check_size(
            float(da.nbytes),
            f"the emission {dict(da.sizes)}",
            args.force,
            hint="select fewer times",
        )
        if client is not None and da.chunks:  # progress fed from the scheduler
            from . import scale

            (da,) = scale.compute(da, client=client)
        elif client is not None:
            da = da.load()  # lazily indexed: its blocks are computed on the cluster
    write_netcdf(da.to_dataset(name=name), args.output)
    print(f"wrote {args.output} ({name}, {dict(da.sizes)})")
    return 0


def _emission_function() -> Callable[..., Any] | None:
    try:
        from .gcm.emissions import emission
    except ImportError:
        return None
    return emission


#: The sections of a command's ``--help`` (argparse argument groups), in this order: title ->
#: the options (by Python keyword) it lists. An option in none of them is listed under
#: :data:`OTHER_OPTIONS` (tests keep that section empty for the commands built from functions).
HELP_GROUPS: dict[str, tuple[str, ...]] = {
    "input and output": ("files", "output", "force"),
    "what to show": ("var", "slice", "name", "scheme"),  # scheme: gcm emission (OH)
    "where and when": (
        *("time", "level", "height", "pressure", "local_time", "method", "lat", "lon"),
        "magnetic",
    ),
    "keogram": ("axis", "column", "longitude", "path", "width", "metric", "percentile", "cadence"),
    "radar records": ("parameter", "parameters", "beam", "channel", "ground_scatter", "max_gap"),
    "imager geometry": ("skymap", "altitude_km", "min_elevation"),
    "drawing": (
        *("projection", "style", "levels", "cmap", "symmetric", "vmin", "vmax", "title"),
        *("figsize", "show_coastlines", "show_terminator", "wind", "wind_stride"),
        *("show_magnetic_equator", "yaxis"),
    ),
    "EP flux (--slice epflux)": (
        *("density", "omega", "scale_height", "arrows", "arrow_stride", "density_scaling"),
    ),
    "computing": ("scheduler",),  # and --workers of gcm emission / asi keogram (moved)
    "movie frames": (
        *("over", "values", "start", "end", "fps", "dpi", "workers", "parallel", "progress"),
    ),
}
#: The ``--help`` section of options that :data:`HELP_GROUPS` does not place.
OTHER_OPTIONS = "other options"
#: The usage line of the commands with many options (the full list is in the sections below).
_SHORT_USAGE = "%(prog)s FILES [FILES ...] -o OUTPUT [options]"


def _help_groups(
    parser: argparse.ArgumentParser, moved: dict[str, str] | None = None
) -> Callable[[str], Any]:
    """The sections of ``parser``'s help (:data:`HELP_GROUPS`): option name -> its group.

    ``moved`` places options of this command in another section than :data:`HELP_GROUPS` does
    (``--start``/``--end`` of ``superdarn rti`` select records, not movie frames).
    """
    groups = {title: parser.add_argument_group(title) for title in (*HELP_GROUPS, OTHER_OPTIONS)}
    where = {name: title for title, names in HELP_GROUPS.items() for name in names}
    where.update(moved or {})
    return lambda name: groups[where.get(name, OTHER_OPTIONS)]


def _force_help() -> str:
    return (
        "write even if the estimated output is larger than the configuration's "
        f"cli.max_output_mb (now {config.get().cli.max_output_mb:g} MB)"
    )


def _add_cluster_options(group: Callable[[str], Any], workers: bool = True) -> None:
    """``--scheduler ADDRESS`` (and ``--workers N``): run a batch command on dask.distributed."""
    group("scheduler").add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="run on this dask.distributed scheduler (tcp://host:8786, or a scheduler JSON "
        "file as dask-jobqueue writes), with a progress bar fed from the scheduler "
        "(default: in this process)",
    )
    if workers:
        group("workers").add_argument(
            "--workers",
            metavar="N",
            type=int,
            default=None,
            help="run on a new local dask cluster of N worker processes (0: config "
            "scale.workers, one per core out of the box) (default: in this process)",
        )


def _cluster(args: argparse.Namespace) -> Any:
    """The Client of ``--scheduler``/``--workers`` (a context manager; none: in this process)."""
    from . import scale

    return scale.connect(getattr(args, "scheduler", None), getattr(args, "workers", None))


def _add_gcm_parsers(sub: Any) -> None:
    """``geospacexr gcm info|plot|movie|emission``, options from the Python functions."""
    p = sub.add_parser(
        "gcm",
        help="TIE-GCM / WACCM-X: info, figures, movies, emissions",
        description="TIE-GCM / WACCM-X from the command line: the same functions, options and "
        "defaults as the Python API (geospacexr.plot.gcm, geospacexr.gcm.emissions).",
    )
    p.error = functools.partial(_OneLineParser.error, p)  # type: ignore[method-assign]
    gcm_sub = p.add_subparsers(
        dest="gcm_command", required=True, metavar="COMMAND", parser_class=_OneLineParser
    )
    files_help = "history files of one run (globs allowed)"

    info = gcm_sub.add_parser("info", help="what the files hold", allow_abbrev=False)
    info.add_argument("files", nargs="+", help=files_help)
    info.add_argument("--json", action="store_true", help="print JSON (for scripts)")
    info.set_defaults(func=_cmd_gcm_info)

    slices = _slice_functions()
    movie_func = _movie_function()
    movie_params = inspect.signature(movie_func).parameters
    default_slice = movie_params["kind"].default.replace("_", "-")
    movie_docs = _doc_args(movie_func)
    var_help = _doc_args(slices["lat-lon"]).get("var", "variable name")
    plot_options = _collect_options(slices)
    aliases = {  # what the Python functions call -o and --slice, and the slices' functions
        "keywords": {"save": "--output", "out": "--output", "kind": "--slice"},
        "values": {
            alias: f"--slice {name}"
            for name, function in slices.items()
            for alias in (name.replace("-", "_"), function.__name__)
            if "_" in alias
        },
    }
    movie_options = {**plot_options, **_collect_options({"movie": movie_func})}
    for name, options, func, out_help in (
        ("plot", plot_options, _cmd_gcm_plot, _doc_args(slices["lat-lon"]).get("save", "")),
        ("movie", movie_options, _cmd_gcm_movie, movie_docs.get("out", "")),
    ):
        summary = (
            "one figure of a slice (or the EP flux)"
            if name == "plot"
            else "a time-lapse of any slice, frames rendered in parallel, MP4 or GIF"
        )
        q = gcm_sub.add_parser(
            name, help=summary, description=summary, allow_abbrev=False, usage=_SHORT_USAGE
        )
        group = _help_groups(q)
        group("files").add_argument("files", nargs="+", metavar="FILES", help=files_help)
        group("output").add_argument("-o", "--output", required=True, help=out_help)
        group("force").add_argument("--force", action="store_true", help=_force_help())
        if name == "movie":
            _add_cluster_options(group, workers=False)
        group("var").add_argument(
            "--var", default=None, help=f"{var_help} (not for --slice epflux; default: none)"
        )
        group("slice").add_argument(
            "--slice",
            choices=sorted(slices),
            default=default_slice,
            metavar="SLICE",
            help=f"the figure: {', '.join(sorted(slices))} (default: {default_slice})",
        )
        for option in options.values():
            option.add_to(group(option.name), every=sorted(slices))
        q.set_defaults(func=func, gcm_options=options, cli_aliases=aliases)

    emission = _emission_function()
    summary = "a volume emission rate from the emissions registry, to NetCDF"
    e = gcm_sub.add_parser(
        "emission", help=summary, description=summary, allow_abbrev=False, usage=_SHORT_USAGE
    )
    group = _help_groups(e, moved={"workers": "computing"})
    group("files").add_argument("files", nargs="+", metavar="FILES", help=files_help)
    _add_cluster_options(group)
    group("output").add_argument(
        "-o", "--output", required=True, help="NetCDF file (.nc), written atomically"
    )
    group("force").add_argument("--force", action="store_true", help=_force_help())
    options = {}
    if emission is not None:
        options = _collect_options({"emission": emission}, skip=("ds",))
        for option in options.values():
            option.add_to(group(option.name))
    e.set_defaults(func=_cmd_gcm_emission, gcm_options=options)


#: ``geospacexr asi keogram`` spells two of night_keogram's parameters differently (issue 7's
#: command line); every other option is ``--<parameter>``.
_ASI_KEOGRAM_FLAGS = {"altitude_km": ("--altitude", "--altitude-km"), "path": ("--point",)}


def _add_asi_keogram_parser(asi_sub: Any) -> None:
    """``geospacexr asi keogram``: options from :func:`geospacexr.asi.night_keogram`."""
    from .asi.night import night_keogram

    summary = "a whole night's keogram, streamed file by file"
    k = asi_sub.add_parser("keogram", help=summary, description=summary, usage=_SHORT_USAGE)
    docs = _doc_args(night_keogram)
    group = _help_groups(k, moved={"workers": "computing"})
    group("files").add_argument(
        "files", nargs="+", metavar="FILES", help=docs.get("files", "raw image files")
    )
    _add_cluster_options(group)
    group("output").add_argument(
        "-o",
        "--output",
        action="append",
        required=True,
        help="night.png and/or night.nc (repeatable; NetCDF .nc/.nc4/.cdf or a figure format "
        "of matplotlib: .png, .pdf, .svg...)",
    )
    group("force").add_argument("--force", action="store_true", help=_force_help())
    options = _collect_options({"keogram": night_keogram}, skip=("files", "progress"))
    for name, option in options.items():
        flags = _ASI_KEOGRAM_FLAGS.get(name, ())
        if name == "path":  # one point per flag: --point A,B --point C,D
            group(name).add_argument(
                *flags,
                dest=name,
                type=_point,
                action="append",
                default=argparse.SUPPRESS,
                metavar="A,B",
                help=f"{docs.get(name, '')} One point per flag, repeated: x,y (ccd), lat,lon "
                "(geo) or mlat,mlon (mag). (default: none)",
            )
        else:
            option.add_to(group(name), flags=flags)
    k.set_defaults(func=_cmd_asi_keogram, asi_options=options)


# ------------------------------------------------------------------------------------------------
# geospacexr superdarn: info, rti, summary, fan, map, convert (options from the Python functions)

#: Parameters of the SuperDARN figure functions that are not options (the Dataset, ``-o``, axes).
_SUPERDARN_NOT_OPTIONS = ("ds", "save", "ax")
#: ``superdarn rti``/``summary`` options in another help section than :data:`HELP_GROUPS`.
_SUPERDARN_SECTIONS = {
    "start": "radar records",
    "end": "radar records",
    "coords": "radar records",
    "rxrise": "radar records",
    **dict.fromkeys(
        ("index", "min_power", "max_velocity_error", "max_width_error", "quality_flag"),
        "radar records",
    ),
    **dict.fromkeys(
        ("model", "virtual_height_km", "aacgm_altitude_km", "lat_step", "mlt_step", "lowlat"),
        "where and when",
    ),
    **dict.fromkeys(
        ("grey_ground_scatter", "show_fov", "show_radar", "vectors", "contour_spacing"),
        "drawing",
    ),
    **dict.fromkeys(("show_boundary", "vector_scale", "reference_vector", "colour_by"), "drawing"),
}
#: Leading fields of an RST file name that are its date and time (``20180404.0601.00.``).
_RST_NAME = re.compile(r"^(\d{8})((?:\.\d+)*)\.(.+)$")


def _superdarn_command(func: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """Errors of a superdarn command as one line, in the command's terms (:func:`_gcm_command`)."""

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            with _one_line_warnings(args):
                return func(args)
        except (GeospacexrError, ValueError, KeyError, OSError) as exc:
            message = cli_message(exc, args)
            print(
                f"geospacexr superdarn {args.superdarn_command}: error: {message}", file=sys.stderr
            )
            return EXIT_STATUS["usage" if isinstance(exc, CommandLineError) else "error"]

    return run


def _superdarn_functions() -> dict[str, Callable[..., Any]]:
    from .plot.superdarn import plot_rti, plot_summary
    from .plot.superdarn_fan import plot_fan

    return {"rti": plot_rti, "summary": plot_summary, "fan": plot_fan}


def _superdarn_map_functions() -> dict[str, Callable[..., Any]]:
    """``superdarn map``'s figure per file type: the convection map, or a grid's vectors."""
    from .plot.superdarn_maps import plot_convection_map, plot_grid_vectors

    return {"map": plot_convection_map, "grid": plot_grid_vectors}


def _record_or_time(raw: Any) -> Any:
    """``--time`` of ``superdarn map``: an integer is a record index, anything else a time."""
    text = str(raw).strip()
    return int(text) if re.fullmatch(r"[+-]?\d+", text) else text


def _check_figure_output(args: argparse.Namespace, figsize: Any) -> None:
    """The output format and the figure's size, checked before any file is read."""
    from .plot.common import save_figure

    check_output(args.output, figure_formats(), "the figure")
    dpi = inspect.signature(save_figure).parameters["dpi"].default
    width, height = _figure_pixels(figsize, dpi, "a figure")
    check_size(
        width * height * 4.0,
        f"a {width} x {height} pixel figure at {dpi} dpi (4 bytes a pixel)",
        args.force,
        hint="use a smaller --figsize",
    )


def _open_superdarn(files: Sequence[str]) -> Any:
    from .io.dmap import open_superdarn

    return open_superdarn(list(files))


@_superdarn_command
def _cmd_superdarn_info(args: argparse.Namespace) -> int:
    import numpy as np

    from .superdarn import rti_parameters

    ds = _open_superdarn(args.files)
    times = ds["time"].values
    valid = times[~np.isnat(times)]

    def present(name: str) -> list[int]:
        if name not in ds:
            return []
        values = np.asarray(ds[name].values)
        return sorted({int(v) for v in values[np.isfinite(values)]})

    info: dict[str, Any] = {
        "files": json.loads(ds.attrs.get("source_files", "[]")),
        "type": ds.attrs.get("superdarn_type", ""),
        "station_id": ds.attrs.get("station_id"),
        "records": int(ds.sizes.get("time", 0)),
        "time_start": str(valid.min())[:23] if valid.size else None,
        "time_end": str(valid.max())[:23] if valid.size else None,
        "beams": present("bmnum"),
        "channels": present("channel"),
        "cpids": present("cp"),
        "range_gates": int(ds.sizes.get("range_gate", 0)),
        "parameters": rti_parameters(ds) if "range_gate" in ds.dims else [],
        "problematic_records": len(json.loads(ds.attrs.get("problematic_records", "[]"))),
    }
    if "tfreq" in ds:
        freq = present("tfreq")
        info["frequency_khz"] = [freq[0], freq[-1]] if freq else []
    if args.json:
        print(json.dumps(info, indent=1, default=str))
        return 0
    print(f"SuperDARN {info['type']}: {', '.join(info['files'])}")
    station = info["station_id"]
    print(f"  station {station if station is not None else '(several)'}, {info['records']} records")
    print(f"  {info['time_start']} to {info['time_end']} UT")
    for key, label in (("beams", "beams"), ("channels", "channels"), ("cpids", "CPIDs")):
        if info[key]:
            print(f"  {label}: {', '.join(map(str, info[key]))}")
    if info.get("frequency_khz"):
        print(f"  frequency: {info['frequency_khz'][0]}-{info['frequency_khz'][1]} kHz")
    if info["parameters"]:
        print(f"  range gates: {info['range_gates']}")
        print(f"  per-gate parameters (--parameter): {', '.join(info['parameters'])}")
    if info["problematic_records"]:
        print(f"  problematic records: {info['problematic_records']} (see attrs)")
    return 0


@_superdarn_command
def _cmd_superdarn_figure(args: argparse.Namespace) -> int:
    name = args.superdarn_command
    options = args.superdarn_options
    kwargs = {k: options[k].value(raw, name) for k, raw in _given(args, options).items()}
    if getattr(args, "magnetic", False):
        if kwargs.get("coords", "aacgm") != "aacgm":
            raise CommandLineError(
                f"--magnetic draws in AACGM-v2 coordinates: it does not go with "
                f"--coords {kwargs['coords']}"
            )
        kwargs["coords"] = "aacgm"
    _check_figure_output(args, kwargs.get("figsize") or options["figsize"].defaults[name])
    ds = _open_superdarn(args.files)
    _superdarn_functions()[name](ds, save=args.output, **kwargs)
    print(f"wrote {args.output}")
    return 0


@_superdarn_command
def _cmd_superdarn_map(args: argparse.Namespace) -> int:
    options = args.superdarn_options
    given = _given(args, options)
    figsizes = set(options["figsize"].defaults.values())
    default_figsize = next(iter(figsizes)) if len(figsizes) == 1 else max(figsizes)
    figsize = options["figsize"].value(given["figsize"], "map") if "figsize" in given else None
    _check_figure_output(args, figsize or default_figsize)
    ds = _open_superdarn(args.files)
    kind = str(ds.attrs.get("superdarn_type", ""))
    functions = _superdarn_map_functions()
    if kind not in functions:
        raise CommandLineError(
            f"superdarn map draws map files (the convection map) and grid files (their "
            f"vectors), not {kind or 'these'} files; for fitacf files use superdarn fan"
        )
    kwargs = {}
    for name, raw in given.items():
        if kind not in options[name].kinds:
            takes = [k for k in functions if k in options[name].kinds]
            raise CommandLineError(
                f"--{name.replace('_', '-')} applies to {' and '.join(takes)} files, "
                f"not to this {kind} file"
            )
        kwargs[name] = _record_or_time(raw) if name == "time" else options[name].value(raw, kind)
    record, n = kwargs.get("time"), int(ds.sizes.get("time", 0))
    if isinstance(record, int) and not -n <= record < n:
        raise InvalidArgumentError(
            f"record {record} is not in the file, which has {n} record{'s' * (n != 1)} "
            f"(0 to {n - 1}; or give a time)",
            "time",
        )
    functions[kind](ds, save=args.output, **kwargs)
    print(f"wrote {args.output}")
    return 0


def superdarn_days(files: Sequence[str]) -> dict[str, list[Path]]:
    """Group DMAP files by day, as ``superdarn convert`` writes them: output name -> files.

    A file named as RST names them (``20180404.0601.00.rkn.fitacf.bz2``) belongs to the day and
    series of its name (``20180404.rkn.fitacf``); any other file to the UTC day of its first
    record and its own name (``test.fitacf`` of 2022-11-07 is ``20221107.test.fitacf``).

    Args:
        files: The files (globs allowed).

    Returns:
        ``"<YYYYMMDD>.<series>.nc"`` -> the files of that day, in name order; days in order.

    Raises:
        NoFilesError: If ``files`` names no existing file.
    """
    import numpy as np

    from .io.registry import expand_paths

    days: dict[str, list[Path]] = {}
    for path in expand_paths(files):
        name = path.name[:-4] if path.name.lower().endswith(".bz2") else path.name
        m = _RST_NAME.match(name)
        if m:
            key = f"{m[1]}.{m[3]}.nc"
        else:
            times = np.asarray(_open_superdarn([str(path)])["time"].values)
            times = times[~np.isnat(times)]
            day = (
                np.datetime_as_string(times.min(), unit="D").replace("-", "")
                if times.size
                else "undated"
            )
            key = f"{day}.{name}.nc"
        days.setdefault(key, []).append(path)
    return dict(sorted(days.items()))


@_superdarn_command
def _cmd_superdarn_convert(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .io.atomic import write_netcdf

    out = Path(args.output)
    single = out.suffix.lower() in NETCDF_FORMATS
    if single:
        check_output(out, NETCDF_FORMATS, "the NetCDF file")
    else:
        if out.suffix:
            raise CommandLineError(
                f"{out}: give a folder (one NetCDF file per day) or a {', '.join(NETCDF_FORMATS)} "
                f"file (files of one day), not {out.suffix!r}",
                "-o",
            )
        check_output_folder(out, "the NetCDF files")
    days = superdarn_days(args.files)
    if single and len(days) > 1:
        raise CommandLineError(
            f"the files hold {len(days)} days ({', '.join(k[:8] for k in days)}); give a folder "
            "to write one NetCDF file per day",
            "-o",
        )
    # the size of the largest day, from the first day's Dataset per byte of DMAP file
    first_key = next(iter(days))
    first = _open_superdarn([str(p) for p in days[first_key]])
    per_byte = first.nbytes / max(1, sum(p.stat().st_size for p in days[first_key]))
    largest = max(days, key=lambda k: sum(p.stat().st_size for p in days[k]))
    check_size(
        per_byte * sum(p.stat().st_size for p in days[largest]),
        f"the Dataset of {largest[:8]} (from {first_key[:8]}'s "
        f"{per_byte:.1f} bytes of Dataset per byte of file)",
        args.force,
        hint="convert fewer files at a time",
    )
    disable = None if args.progress is None else not args.progress
    for key in tqdm(list(days), desc="convert", unit="day", disable=disable, file=sys.stderr):
        ds = first if key == first_key else _open_superdarn([str(p) for p in days[key]])
        target = out if single else out / key
        if not single:
            out.mkdir(parents=True, exist_ok=True)
        write_netcdf(ds, target)
        tqdm.write(
            f"wrote {target} ({ds.sizes['time']} records from {len(days[key])} file(s))",
            file=sys.stdout,
        )
        first = None  # release the first day once written
    return 0


def _add_superdarn_parsers(sub: Any) -> None:
    """``geospacexr superdarn info|rti|summary|fan|map|convert``, options from the functions."""
    p = sub.add_parser(
        "superdarn",
        help="SuperDARN DMAP files: info, RTI, summary, fan and convection-map plots, NetCDF",
        description="SuperDARN radar files (fitacf, rawacf, iqdat, snd, grid, map) from the "
        "command line: the same functions, options and defaults as the Python API "
        "(geospacexr.superdarn, geospacexr.plot.superdarn).",
    )
    p.error = functools.partial(_OneLineParser.error, p)  # type: ignore[method-assign]
    sd_sub = p.add_subparsers(
        dest="superdarn_command", required=True, metavar="COMMAND", parser_class=_OneLineParser
    )
    files_help = "DMAP files, plain or bzip2, of one type (globs allowed)"

    info = sd_sub.add_parser("info", help="what the files hold", allow_abbrev=False)
    info.add_argument("files", nargs="+", help=files_help)
    info.add_argument("--json", action="store_true", help="print JSON (for scripts)")
    info.set_defaults(func=_cmd_superdarn_info)

    summaries = {
        "rti": "a range-time-intensity plot of one fitacf parameter for a beam",
        "summary": "a summary plot of a beam: noise, frequency, CPID and RTI panels (pyDARN's)",
        "fan": "a fan plot of one scan of a fitacf parameter on a polar map (geographic or "
        "--magnetic)",
    }
    for name, function in _superdarn_functions().items():
        q = sd_sub.add_parser(
            name,
            help=summaries[name],
            description=summaries[name],
            allow_abbrev=False,
            usage=_SHORT_USAGE,
        )
        group = _help_groups(q, _SUPERDARN_SECTIONS)
        group("files").add_argument("files", nargs="+", metavar="FILES", help=files_help)
        group("output").add_argument(
            "-o", "--output", required=True, help=_doc_args(function).get("save", "")
        )
        group("force").add_argument("--force", action="store_true", help=_force_help())
        options = _collect_options({name: function}, skip=_SUPERDARN_NOT_OPTIONS)
        for option in options.values():
            option.add_to(group(option.name))
        if name == "fan":
            group("magnetic").add_argument(
                "--magnetic",
                action="store_true",
                help="draw in AACGM-v2 magnetic coordinates (the same as --coords aacgm)",
            )
        q.set_defaults(
            func=_cmd_superdarn_figure,
            superdarn_options=options,
            cli_aliases={"keywords": {"save": "--output"}},
        )

    summary = (
        "a convection map of a map file (potential, fitted vectors, boundary, CPCP) or the "
        "line-of-sight vectors of a grid file, for one record"
    )
    m = sd_sub.add_parser(
        "map", help=summary, description=summary, allow_abbrev=False, usage=_SHORT_USAGE
    )
    group = _help_groups(m, _SUPERDARN_SECTIONS)
    group("files").add_argument("files", nargs="+", metavar="FILES", help=files_help)
    map_functions = _superdarn_map_functions()
    group("output").add_argument(
        "-o", "--output", required=True, help=_doc_args(map_functions["map"]).get("save", "")
    )
    group("force").add_argument("--force", action="store_true", help=_force_help())
    options = _collect_options(map_functions, skip=_SUPERDARN_NOT_OPTIONS)
    for option in options.values():
        option.add_to(group(option.name))
    m.set_defaults(
        func=_cmd_superdarn_map,
        superdarn_options=options,
        cli_aliases={"keywords": {"save": "--output"}},
    )

    summary = "DMAP to NetCDF, one file per day (written atomically), with a progress bar"
    c = sd_sub.add_parser(
        "convert", help=summary, description=summary, allow_abbrev=False, usage=_SHORT_USAGE
    )
    group = _help_groups(c, {"progress": "input and output"})
    group("files").add_argument("files", nargs="+", metavar="FILES", help=files_help)
    group("output").add_argument(
        "-o",
        "--output",
        required=True,
        help="a folder, which receives one NetCDF file per day and series "
        "(20180404.rkn.fitacf.nc), or a .nc file when the files hold one day",
    )
    group("force").add_argument("--force", action="store_true", help=_force_help())
    group("progress").add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when on a terminal)",
    )
    c.set_defaults(func=_cmd_superdarn_convert)


# ------------------------------------------------------------------------------------------------
# geospacexr rio: info and absorption of riometer files (NORSTAR K0/K2 text, SWAN HSR HDF5)

#: Fewest bytes of a NORSTAR text row (``dd/mm/yy HH:MM:SS V`` and a newline), for the estimate
#: of how many rows a file can hold.
_RIO_MIN_ROW_BYTES = 20
#: Bytes per sample of ``rio absorption``'s output besides the bands: the time, the window index.
_RIO_SAMPLE_BYTES = 8 + 4
#: Bytes per sample and band: the signal (float32), the absorption (float64) and a K2 column.
_RIO_BAND_BYTES = 4 + 8 + 4


def _rio_command(func: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """Errors of a rio command as one line, in the command's terms (:func:`_gcm_command`)."""

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            with _one_line_warnings(args):
                return func(args)
        except (GeospacexrError, ValueError, KeyError, OSError) as exc:
            message = cli_message(exc, args)
            print(f"geospacexr rio {args.rio_command}: error: {message}", file=sys.stderr)
            return EXIT_STATUS["usage" if isinstance(exc, CommandLineError) else "error"]

    return run


def _rio_estimate(files: Sequence[str]) -> tuple[float, str]:
    """Bytes of ``rio absorption``'s output, from the files' sizes (text) or shapes (HDF5)."""
    from .io.registry import expand_paths, peek

    samples, bands_samples = 0, 0
    for path in expand_paths(files):
        if peek(path, 4).startswith(b"\x89HDF"):
            import h5py

            try:
                with h5py.File(path, "r") as f:
                    shape = f["data/raw_power"].shape
            except Exception:  # the reader reports damaged files; they add nothing here
                continue
            if len(shape) == 2:
                samples += int(shape[1])
                bands_samples += int(shape[0]) * int(shape[1])
        else:
            rows = path.stat().st_size // _RIO_MIN_ROW_BYTES
            samples += rows
            bands_samples += rows
    nbytes = samples * _RIO_SAMPLE_BYTES + bands_samples * _RIO_BAND_BYTES
    return float(nbytes), (
        f"the absorption of up to {samples:,} samples ({bands_samples:,} sample-bands, "
        f"{_RIO_SAMPLE_BYTES} + {_RIO_BAND_BYTES} bytes a band)"
    )


@_rio_command
def _cmd_rio_info(args: argparse.Namespace) -> int:
    import numpy as np

    from .io.riometer import open_riometer

    ds = open_riometer(list(args.files))
    times = ds["time"].values
    step = np.diff(times) / np.timedelta64(1, "s") if times.size > 1 else np.array([])
    freq = np.atleast_1d(ds["frequency"].values).tolist()
    problems = json.loads(ds.attrs.get("problematic_files", "[]"))
    info: dict[str, Any] = {
        "instrument": ds.attrs.get("instrument", ""),
        "site": ds.attrs.get("site", ""),
        "site_name": ds.attrs.get("site_name", ""),
        "site_lat": ds.attrs.get("site_lat"),
        "site_lon": ds.attrs.get("site_lon"),
        "site_mlat": ds.attrs.get("site_mlat"),
        "site_mlon": ds.attrs.get("site_mlon"),
        "site_magnetic_model": ds.attrs.get("site_magnetic_model"),
        "products": json.loads(ds.attrs.get("products", "[]")),
        "files": json.loads(ds.attrs.get("source_files", "[]")),
        "samples": int(times.size),
        "start": str(times.min())[:19] if times.size else None,
        "end": str(times.max())[:19] if times.size else None,
        "days": int(np.unique(times.astype("datetime64[D]")).size),
        "cadence_s": float(np.median(step)) if step.size else None,
        "frequency_mhz": freq,
        "variables": [str(v) for v in ds.data_vars],
        "problems": problems,
    }
    if args.json:
        print(json.dumps(info, indent=2, default=str))
        return 0
    print(
        f"{info['instrument']} {info['site']} ({info['site_name']}), "
        f"{info['site_lat']:.2f} N {info['site_lon']:.2f} E"
    )
    if info["site_mlat"] is not None:
        print(
            f"  magnetic {info['site_mlat']:.2f} N {info['site_mlon']:.2f} E "
            f"({info['site_magnetic_model']})"
        )
    print(f"  {len(info['files'])} file(s), products {', '.join(info['products'])}")
    print(
        f"  {info['samples']:,} samples, {info['start']} to {info['end']} "
        f"({info['days']} day(s), cadence {info['cadence_s']} s)"
    )
    print(
        f"  frequency {', '.join(f'{f:g}' for f in freq)} MHz; variables "
        f"{', '.join(info['variables'])}"
    )
    if problems:
        print(
            f"  {len(problems)} problem(s): "
            + "; ".join(f"{p['file']}: {p['reason']}" for p in problems)
        )
    return 0


@_rio_command
def _cmd_rio_absorption(args: argparse.Namespace) -> int:
    from .io.atomic import write_netcdf
    from .io.riometer import open_riometer
    from .rio import absorption_by_window

    out = check_output(args.output, NETCDF_FORMATS, "the absorption")
    check_size(*_rio_estimate(args.files), force=args.force, hint="give fewer files at a time")
    options = {
        k: getattr(args, k)
        for k in ("bins", "rank", "harmonics", "min_samples")
        if getattr(args, k) is not None
    }
    ds = open_riometer(list(args.files), progress=args.progress)
    result = absorption_by_window(ds, days=args.days, progress=args.progress, **options)
    write_netcdf(result, out)
    starts = result["window_start"].values
    print(
        f"wrote {out} ({result.sizes['time']:,} samples of {result.attrs.get('site', '')}, "
        f"{str(result['time'].values[0])[:10]} to {str(result['time'].values[-1])[:10]}, "
        f"{starts.size} quiet-day curve(s) of {result.attrs['qdc_days']} day(s))"
    )
    return 0


def _positive_int(text: str) -> int:
    """A whole number of at least 1 (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least 1, not {value}")
    return value


def _count(text: str) -> int:
    """A whole number of at least 0 (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"at least 0, not {value}")
    return value


def _add_rio_parsers(sub: Any) -> None:
    """``geospacexr rio info|absorption``: riometer files, quiet-day curves and absorption."""
    cfg = config.get().rio
    p = sub.add_parser(
        "rio",
        help="riometer files (NORSTAR K0/K2, SWAN HSR): info, quiet-day curves and absorption",
        description="Riometer files from the command line: geospacexr.open_riometer and "
        "geospacexr.rio (quiet-day curves, cosmic noise absorption).",
    )
    p.error = functools.partial(_OneLineParser.error, p)  # type: ignore[method-assign]
    rio_sub = p.add_subparsers(
        dest="rio_command", required=True, metavar="COMMAND", parser_class=_OneLineParser
    )
    files_help = (
        "riometer files of one site: NORSTAR K0/K2 text or SWAN HSR HDF5 (globs and folders "
        "allowed)"
    )
    info = rio_sub.add_parser("info", help="what the files hold", allow_abbrev=False)
    info.add_argument("files", nargs="+", metavar="FILES", help=files_help)
    info.add_argument("--json", action="store_true", help="print JSON (for scripts)")
    info.set_defaults(func=_cmd_rio_info)

    summary = (
        "quiet-day curves (one per window of --days days) and cosmic noise absorption of a "
        "record, to NetCDF (written atomically), with a progress bar"
    )
    a = rio_sub.add_parser(
        "absorption", help=summary, description=summary, allow_abbrev=False, usage=_SHORT_USAGE
    )
    io_group = a.add_argument_group("input and output")
    io_group.add_argument("files", nargs="+", metavar="FILES", help=files_help)
    io_group.add_argument(
        "-o",
        "--output",
        required=True,
        help="NetCDF file (.nc, .nc4, .cdf): the signal, absorption (dB), the QDC of each "
        "window and its days",
    )
    io_group.add_argument("--force", action="store_true", help=_force_help())
    io_group.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress bars (default: when on a terminal)",
    )
    q = a.add_argument_group("quiet-day curves")
    q.add_argument(
        "--days",
        type=_positive_int,
        default=None,
        help="window length in UT days; one QDC per window (default: rio.qdc_days, "
        f"{cfg.qdc_days})",
    )
    q.add_argument(
        "--bins",
        type=_positive_int,
        default=None,
        help=f"sidereal-time bins per sidereal day (default: rio.qdc_bins, {cfg.qdc_bins})",
    )
    q.add_argument(
        "--rank",
        type=_positive_int,
        default=None,
        help="upper-envelope rank: the rank-th highest day per bin (default: rio.qdc_rank, "
        f"{cfg.qdc_rank})",
    )
    q.add_argument(
        "--harmonics",
        type=_count,
        default=None,
        help="sidereal-day Fourier harmonics kept (default: rio.qdc_harmonics, "
        f"{cfg.qdc_harmonics})",
    )
    q.add_argument(
        "--min-samples",
        type=_positive_int,
        default=None,
        help="fewest samples of a day in a bin for it to count (default: "
        f"rio.min_samples_per_bin, {cfg.min_samples_per_bin})",
    )
    a.set_defaults(func=_cmd_rio_absorption)


# ------------------------------------------------------------------------------------------------
# geospacexr mhd movie: kaipy's msphpic over the steps of a run (geospacexr.plot.mhd)

#: Help sections of the ``mhd movie`` options that :data:`HELP_GROUPS` does not place.
_MHD_HELP = {
    **dict.fromkeys(("steps", "source", "bz", "density", "current"), "what to show"),
    "size": "drawing",
}


def _mhd_movie_functions() -> tuple[Callable[..., Any], Callable[..., Any]]:
    from .plot.mhd import plot_msphpic, plot_msphpic_movie

    return plot_msphpic_movie, plot_msphpic


def _open_mhd(files: Sequence[str]) -> Any:
    """A GAMERA run (a file, one MPI block or a folder), or any ``mhd`` file the registry knows."""
    from ._checks import require

    if len(files) == 1 and Path(files[0]).is_dir():
        from .io.mage import open_gamera

        return open_gamera(files[0])
    from .io.registry import open as open_files

    return require(open_files(list(files)), "mhd", where="geospacexr mhd movie")


def _cmd_mhd_movie(args: argparse.Namespace) -> int:
    """``geospacexr mhd movie``: errors as one line (:func:`_gcm_command`'s statuses)."""
    try:
        with _one_line_warnings(args):
            options = args.mhd_options
            kwargs = {
                name: options[name].value(raw, next(iter(options[name].kinds)))
                for name, raw in _given(args, options).items()
            }
            check_output(args.output, MOVIE_FORMATS, "the movie")
            from .plot.movie import start_worker_server

            # the frames' worker processes start importing while the run is opened
            start_worker_server(kwargs.get("parallel", "processes"), kwargs.get("workers"))
            movie_func, _ = _mhd_movie_functions()
            dpi = kwargs.get("dpi") or options["dpi"].defaults["movie"]
            figsize = kwargs.get("figsize") or options["figsize"].defaults["msphpic"]
            width, height = _figure_pixels(figsize, dpi, "a frame")
            ds = _open_mhd(args.files)
            from .plot.mhd import movie_steps

            steps = movie_steps(ds, kwargs.get("steps"), kwargs.get("start"), kwargs.get("end"))
            check_size(
                float(len(steps)) * width * height * 3,
                f"a movie of {len(steps)} frames of {width} x {height} pixels (3 bytes a pixel)",
                args.force,
                hint="use fewer frames (--start/--end, --steps), a smaller --figsize or --dpi",
            )
            path = movie_func(ds, args.output, **kwargs)
            print(f"wrote {path} ({len(steps)} frames)")
            return 0
    except (GeospacexrError, ValueError, KeyError, OSError) as exc:
        print(f"geospacexr mhd movie: error: {cli_message(exc, args)}", file=sys.stderr)
        return EXIT_STATUS["usage" if isinstance(exc, CommandLineError) else "error"]


def _add_mhd_parsers(sub: Any) -> None:
    """``geospacexr mhd movie``, options from plot_msphpic_movie and plot_msphpic."""
    p = sub.add_parser(
        "mhd", help="magnetosphere MHD runs (MAGE/GAMERA, LFM): movies", description="MHD runs"
    )
    p.error = functools.partial(_OneLineParser.error, p)  # type: ignore[method-assign]
    mhd_sub = p.add_subparsers(
        dest="mhd_command", required=True, metavar="COMMAND", parser_class=_OneLineParser
    )
    movie_func, figure = _mhd_movie_functions()
    options = {
        **_collect_options({"movie": movie_func}),
        # --extent (four numbers) is left to the Python API: --size picks kaipy's limits
        **_collect_options({"msphpic": figure}, skip=(*_GCM_NOT_OPTIONS, "step", "extent")),
    }
    summary = "kaipy's msphpic quick look over the steps, frames rendered in parallel, MP4 or GIF"
    q = mhd_sub.add_parser(
        "movie",
        help=summary,
        description=summary,
        allow_abbrev=False,
        usage="%(prog)s RUN [RUN ...] -o OUTPUT [options]",
    )
    group = _help_groups(q, _MHD_HELP)
    group("files").add_argument(
        "files",
        nargs="+",
        metavar="RUN",
        help="a GAMERA run: its .gam.h5 file, one MPI block or its folder (or LFM files)",
    )
    group("output").add_argument(
        "-o", "--output", required=True, help=_doc_args(movie_func).get("out", "")
    )
    group("force").add_argument("--force", action="store_true", help=_force_help())
    for option in options.values():
        option.add_to(group(option.name))
    q.set_defaults(
        func=_cmd_mhd_movie,
        mhd_options=options,
        cli_aliases={"keywords": {"out": "--output", "save": "--output"}},
    )


# ------------------------------------------------------------------------------------------------
# Messages in the command line's terms: ``height=`` of the Python API is ``--height`` here

#: A Python value as messages write it after ``keyword=``: quoted text, ``...``, a list or a
#: tuple, or a bare word or number.
_VALUE = r"'[^']*'|\"[^\"]*\"|\.\.\.|\[[^\[\]]*\]|\([^()]*\)|[-+\w.:]+"
#: Words that say a quoted name is an argument (``'over' is not an argument``).
_ARGUMENT_WORDS = r"(?:argument|keyword|parameter|option)s?"


@dataclass
class CliTerms:
    """How one command names the Python keywords of the functions it calls.

    Built from the command's own argparse declarations (each option's ``dest`` is the Python
    keyword it sets), plus the keywords the command spells differently (``save`` is ``-o``)
    and Python names that stand for an option's value (the figure function ``lat_lon`` is
    ``--slice lat-lon``).

    Attributes:
        flags: Python keyword -> option (``"local_time"`` -> ``"--local-time"``); a positional
            argument maps to its metavar (``"files"`` -> ``"FILES"``).
        metavars: Python keyword -> the placeholder of its value (``"TIME"``).
        negations: Python keyword -> its ``--no-`` form, for on/off options.
        switches: Python keywords whose option alone means true (``--wind``, ``--local-time``).
        values: Python name -> the options it stands for (``"lat_lon"`` -> ``"--slice lat-lon"``).
    """

    flags: dict[str, str] = field(default_factory=dict)
    metavars: dict[str, str] = field(default_factory=dict)
    negations: dict[str, str] = field(default_factory=dict)
    switches: set[str] = field(default_factory=set)
    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, parser: argparse.ArgumentParser) -> CliTerms:
        """The terms of the command that ``parser`` parses (its options and its aliases).

        Args:
            parser: A leaf parser (``geospacexr gcm plot``...).

        Returns:
            The terms.
        """
        terms = cls()
        for action in parser._actions:
            name = action.dest
            if name in (argparse.SUPPRESS, "help") or not name.isidentifier():
                continue
            metavar = action.metavar if isinstance(action.metavar, str) else name.upper()
            if not action.option_strings:
                terms.flags[name] = metavar
                continue
            longs = [s for s in action.option_strings if s.startswith("--")]
            plain = [s for s in longs if not s.startswith("--no-")]
            terms.flags[name] = (plain or action.option_strings)[0]  # as the command spells it
            terms.metavars[name] = metavar
            negation = [s for s in longs if s.startswith("--no-")]
            if negation:
                terms.negations[name] = negation[0]
            if action.nargs in (0, "?"):
                terms.switches.add(name)
        aliases = parser.get_default("cli_aliases") or {}
        for keyword, flag in aliases.get("keywords", {}).items():
            terms.flags.setdefault(keyword, flag)
            source = next((k for k, v in terms.flags.items() if v == flag and k != keyword), None)
            if source is not None and source in terms.metavars:
                terms.metavars.setdefault(keyword, terms.metavars[source])
        terms.values.update(aliases.get("values", {}))
        return terms

    def option(self, keyword: str, value: str | None = None) -> str:
        """``keyword=value`` as options: ``--keyword VALUE`` (``--keyword`` for ``True``...).

        Args:
            keyword: A Python keyword that :attr:`flags` knows.
            value: The value as the message wrote it, or ``None`` when it wrote none.

        Returns:
            The option, with its value when the message gave one.
        """
        flag = self.flags[keyword]
        if value is None or not flag.startswith("-"):  # a positional argument: its metavar
            return flag
        if value == "...":
            return f"{flag} {self.metavars.get(keyword, keyword.upper())}"
        if value == "None":  # how the command line spells None
            return f"{flag} none"
        if value == "True" and (keyword in self.switches or keyword in self.negations):
            return flag
        if value == "False" and keyword in self.negations:
            return self.negations[keyword]
        if value[:1] in "'\"" and value[-1:] == value[:1] and len(value) > 1:
            inner = value[1:-1]
            value = inner if inner and not re.search(r"\s", inner) else value
        elif value[:1] in "[(" and value[-1:] in "])":
            value = " ".join(v.strip().strip("'\"") for v in value[1:-1].split(",") if v.strip())
        return f"{flag} {value}"

    def translate(self, text: str, values: bool = True) -> str:
        """Rewrite the Python keywords a message names as this command's options.

        ``level=, height= or pressure=`` becomes ``--level, --height or --pressure``;
        ``axis='geo'`` ``--axis geo``; ``time=...`` ``--time TIME``; a call ``keogram(skymap,
        axis='geo')`` ``--skymap SKYMAP --axis geo``; a quoted name said to be an argument
        (``argument 'over'``) ``--over``; a keyword that starts a sentence (``time must be``,
        ``time: ...``) or follows ``needs``; a keyword with an underscore anywhere
        (``local_time``) ``--local-time``; ``lat_lon`` (a value alias) ``--slice lat-lon``. A
        keyword in plain words (``the time is...``) is left alone: it may mean the quantity.
        Names that are no option of the command are left as they are.

        Args:
            text: The message.
            values: Rewrite the value aliases too (``lat_lon``); help texts, which list the
                slices by their Python names, leave them.

        Returns:
            The message in the command line's terms.
        """
        aliases = self.values if values else {}
        names = [k for k in self.flags if k.isidentifier()]
        if not names and not aliases:
            return text
        every = sorted({*names, *aliases}, key=len, reverse=True)
        keyword = "|".join(map(re.escape, sorted(names, key=len, reverse=True))) or r"(?!x)x"
        anyname = "|".join(map(re.escape, every))

        def call(m: re.Match[str]) -> str:
            parts = _split_arguments(m["args"])
            rendered = []
            for part in parts:
                kw = re.fullmatch(rf"(?P<k>\w+)\s*=\s*(?P<v>{_VALUE})?", part)
                if kw and kw["k"] in self.flags:
                    rendered.append(self.option(kw["k"], kw["v"]))
                elif part in self.flags:
                    rendered.append(self.option(part, "..."))
                else:
                    return m[0]  # a Python expression of something else: left alone
            head = aliases.get(m["func"])
            return " ".join(([head] if head else []) + rendered) if rendered else m[0]

        text = re.sub(r"(?<![\w./\\-])(?P<func>\w+)\((?P<args>[^()]*)\)", call, text)
        text = re.sub(
            rf"(?<![\w./\\-])(?P<k>{keyword})=(?!=)(?P<v>{_VALUE})?",
            lambda m: self.option(m["k"], m["v"]),
            text,
        )
        text = re.sub(
            rf"(?P<pre>\b{_ARGUMENT_WORDS} )'(?P<k>{keyword})'|'(?P<k2>{keyword})'(?= is not an "
            rf"{_ARGUMENT_WORDS})",
            lambda m: (m["pre"] or "") + self.flags[m["k"] or m["k2"]],
            text,
        )
        # the argument a sentence is about: "time: ...", "path must be ...", "needs percentile"
        text = re.sub(
            rf"^(?P<k>{keyword})(?=: | must | needs | takes )",
            lambda m: self.flags[m["k"]],
            text,
        )
        text = re.sub(
            rf"(?P<pre>\bneeds )(?P<k>{keyword})(?![\w'\"-])",
            lambda m: m["pre"] + self.flags[m["k"]],
            text,
        )

        def word(m: re.Match[str]) -> str:
            name = m[0]
            if name in aliases:
                return aliases[name]
            return self.flags[name] if "_" in name and name in self.flags else name

        # (not in a file name: /data/lat_lon.nc)
        text = re.sub(rf"(?<![\w.'\"/\\-])(?:{anyname})(?![\w'\"=/\\-]|\.\w|\()", word, text)
        # a plain keyword listed with options: "choose magnetic or --local-time"
        sep = r"(?:,? (?:or|and|nor) |, )"
        for _ in range(2):
            text = re.sub(
                rf"(?<![\w.'\"-])(?P<k>{keyword})(?P<sep>{sep})(?=--\w)",
                lambda m: self.flags[m["k"]] + m["sep"],
                text,
            )
            text = re.sub(
                rf"(?P<pre>--[\w-]+{sep})(?P<k>{keyword})(?![\w'\"-])",
                lambda m: m["pre"] + self.flags[m["k"]],
                text,
            )
        return text


def _split_arguments(text: str) -> list[str]:
    """The comma-separated arguments of a call as written, brackets and quotes kept whole."""
    parts, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def cli_message(exc: BaseException, args: argparse.Namespace | None = None) -> str:
    """An error's message on one line, in the terms of the command that was run.

    An error that knows its argument (:attr:`geospacexr.errors.GeospacexrError.argument`) is
    rendered with the command's option (``--height: ...``); the Python keywords the message
    names are rewritten as options by :meth:`CliTerms.translate`.

    Args:
        exc: The error.
        args: The parsed command line (its ``cli_terms``), or ``None`` before parsing.

    Returns:
        The one-line message.
    """
    terms = getattr(args, "cli_terms", None)
    text = _one_line(exc)
    if not isinstance(terms, CliTerms):
        return text
    argument = getattr(exc, "argument", None)
    if isinstance(exc, GeospacexrError) and argument in terms.flags:
        return f"{terms.flags[argument]}: {terms.translate(' '.join(exc.detail.split()))}"
    # a file name in front (FileFormatError's path, an OSError's file) is kept as it is
    path = getattr(exc, "path", None) or getattr(exc, "filename", None)
    prefix = f"{path}: " if isinstance(path, (str, os.PathLike)) else ""
    if prefix and text.startswith(prefix):
        return prefix + terms.translate(text[len(prefix) :])
    return terms.translate(text)


def _set_terms(parser: argparse.ArgumentParser) -> None:
    """Give every leaf parser under ``parser`` its :class:`CliTerms` (``args.cli_terms``)."""
    children = [
        child
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for child in dict.fromkeys(action.choices.values())
    ]
    for child in children:
        _set_terms(child)
    if not children:
        terms = CliTerms.of(parser)
        parser.set_defaults(cli_terms=terms, cli_prog=parser.prog)
        for action in parser._actions:  # the help of options made from docstrings, too
            if action.help and action.help is not argparse.SUPPRESS:
                action.help = terms.translate(action.help, values=False)


# ------------------------------------------------------------------------------------------------
# geospacexr rb lstar: L* along a list of positions, the field model driven by OMNI (one block)

#: Columns of a POSITIONS file: time, then x, y, z (Re, --frame) or lat, lon, alt (geocentric
#: degrees and km above the reference sphere rb.earth_radius_km, converted to GEO).
POSITION_COLUMNS = (("x", "y", "z"), ("lat", "lon", "alt"))


def read_positions(path: str | os.PathLike[str], frame: str | None = None) -> Any:
    """Read a POSITIONS file of ``geospacexr rb lstar``: netCDF or CSV, one row per position.

    A CSV file has a header line naming its columns; a netCDF file has the same names as
    variables along one dimension. Columns: ``time`` (ISO 8601, UT), then ``x``, ``y``, ``z``
    (Re, in ``frame`` or the file's ``attrs["frame"]``, default GSM) or ``lat``, ``lon``,
    ``alt`` (geocentric degrees and km above the reference sphere, read as GEO); optionally
    ``pitch_angle`` (local, degrees) per row.

    Args:
        path: The file (``.nc``/``.nc4``/``.cdf`` read as netCDF, anything else as CSV).
        frame: Frame of ``x``, ``y``, ``z`` (overrides the file's).

    Returns:
        A Dataset along ``row`` with ``time``, ``x``, ``y``, ``z`` (Re) and maybe
        ``pitch_angle``; ``attrs["frame"]``.

    Raises:
        FileFormatError: An unreadable file, missing columns, times or numbers that do not
            parse, or no row.
    """
    import numpy as np
    import xarray as xr

    from .errors import FileFormatError

    path = Path(path)
    if not path.is_file():
        raise FileFormatError("no such positions file", path=path)
    columns: dict[str, Any] = {}
    attrs: dict[str, Any] = {}
    if path.suffix.lower() in NETCDF_FORMATS:
        try:
            with xr.open_dataset(path) as ds:
                columns = {k: ds[k].values.ravel() for k in ds.variables if ds[k].ndim <= 1}
                attrs = dict(ds.attrs)
        except (OSError, ValueError) as exc:
            raise FileFormatError(f"not a readable netCDF file ({exc})", path=path) from None
    else:
        import csv

        try:
            with path.open(newline="", encoding="utf-8") as fh:
                rows = list(csv.reader(line for line in fh if not line.startswith("#")))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise FileFormatError(f"not a readable CSV file ({exc})", path=path) from None
        if not rows:
            raise FileFormatError("empty positions file (expected a header line)", path=path)
        header = [h.strip().lower() for h in rows[0]]
        body = [r for r in rows[1:] if any(c.strip() for c in r)]
        for n, r in enumerate(body):
            if len(r) != len(header):
                raise FileFormatError(
                    f"row {n + 2} has {len(r)} fields for {len(header)} columns", path=path
                )
        columns = {h: np.array([r[i].strip() for r in body]) for i, h in enumerate(header)}
    names = next((c for c in POSITION_COLUMNS if all(k in columns for k in c)), None)
    if "time" not in columns or names is None:
        raise FileFormatError(
            "positions need columns time and x, y, z (Re) or lat, lon, alt (degrees, km); "
            f"found {', '.join(columns) or 'none'}",
            path=path,
        )
    try:
        time = np.asarray(columns["time"], dtype="datetime64[ns]")
    except (ValueError, TypeError) as exc:
        raise FileFormatError(f"time: not ISO 8601 times ({exc})", path=path) from None
    values = {}
    for key in (*names, "pitch_angle"):
        if key in columns:
            try:
                values[key] = np.asarray(columns[key], dtype=float)
            except ValueError as exc:
                raise FileFormatError(f"{key}: not numbers ({exc})", path=path) from None
    if time.size == 0:
        raise FileFormatError("no position in the file", path=path)
    if np.isnat(time).any():
        raise FileFormatError(f"{int(np.isnat(time).sum())} missing time(s)", path=path)
    if names == ("lat", "lon", "alt"):
        r = 1.0 + values.pop("alt") / config.get().rb.earth_radius_km
        lat, lon = np.deg2rad(values.pop("lat")), np.deg2rad(values.pop("lon"))
        values.update(x=r * np.cos(lat) * np.cos(lon), y=r * np.cos(lat) * np.sin(lon))
        values["z"] = r * np.sin(lat)
        frame = "GEO"
    out = xr.Dataset({k: ("row", v) for k, v in values.items()}, coords={"time": ("row", time)})
    out.attrs["frame"] = str(frame or attrs.get("frame", "GSM")).upper()
    return out


def _name_value(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    try:
        if not sep or not name.strip():
            raise ValueError
        return name.strip().lower(), _finite(float(value))
    except (ValueError, argparse.ArgumentTypeError):
        raise argparse.ArgumentTypeError(
            f"expected NAME=NUMBER (e.g. w1=0.5), got {text!r}"
        ) from None


def _altitude_km(text: str) -> float:
    """``--altitude-km``: a finite height in km, not below the ground."""
    try:
        value = _finite(float(text))
        if value < 0.0:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a height above the ground in km, got {text!r}"
        ) from None
    return value


def _cmd_rb_lstar(args: argparse.Namespace) -> int:
    import functools

    import numpy as np
    import xarray as xr

    from . import rb

    output = check_output(args.output, NETCDF_FORMATS, "the L* results")
    positions = read_positions(args.positions, args.frame)
    if "pitch_angle" in positions:
        if args.pitch_angle:
            raise CommandLineError(
                "the positions file has a pitch_angle column: leave out --pitch-angle",
                "pitch_angle",
            )
        rows, pitch = np.arange(positions.sizes["row"]), positions["pitch_angle"].values
    else:
        angles = np.asarray(args.pitch_angle or [90.0], dtype=float)
        rows = np.repeat(np.arange(positions.sizes["row"]), angles.size)
        pitch = np.tile(angles, positions.sizes["row"])
    model, drivers = _rb_model(args)
    p = rb.particles(
        positions["x"].values[rows], positions["y"].values[rows], positions["z"].values[rows],
        pitch, time=positions["time"].values[rows], frame=positions.attrs["frame"],
    ).assign_coords(row=("particle", rows))  # fmt: skip
    finish = functools.partial(_lstar_positions, name=Path(args.positions).name)
    with _cluster(args):  # each part written by its worker, the bar fed from the scheduler
        rb.lstar(p, model, accuracy=args.accuracy, drivers=drivers,
                 interpolation=args.interpolation, output=output, finish=finish)  # fmt: skip
    with xr.open_dataset(output) as out:
        ok = int((out["status"].values == 0).sum())
        print(f"wrote {output} ({out.sizes['particle']} particles, {ok} with an L*)")
    return 0


def _rb_model(args: argparse.Namespace) -> tuple[Any, Any]:
    """The field model and drivers of ``geospacexr rb lstar|footprint`` from their options."""
    from . import rb
    from .rb.models import MODELS

    entry = MODELS[args.model]  # an unknown name names the close ones
    params = dict(args.param or [])
    drivers = None
    if args.drivers:
        drivers = _open_drivers(args.drivers, entry.name)
    if drivers is not None and (params or args.internal != "igrf"):  # a template model
        from .rb.drivers import DRIVER_VARIABLES

        for q in entry.parameters:  # the driven ones take their example value until driven
            if any(v in drivers for v in DRIVER_VARIABLES.get(q.name, ())):
                params.setdefault(q.name, q.example)
    missing = [q.name for q in entry.parameters if q.required and q.name not in params]
    if drivers is None and missing:
        raise CommandLineError(
            f"{entry.name.upper()} needs {', '.join(missing)}: give --drivers OMNI files or "
            "--param NAME=VALUE",
            "param",
        )
    model: Any = entry.name
    if drivers is None or params or args.internal != "igrf":
        internal = {"internal": args.internal} if entry.external else {}
        model = rb.models.get(entry.name, **params, **internal)
    return model, drivers


def _cmd_rb_footprint(args: argparse.Namespace) -> int:
    import functools

    import numpy as np
    import xarray as xr

    from . import rb

    output = check_output(args.output, NETCDF_FORMATS, "the footprints")
    positions = read_positions(args.positions, args.frame)
    if "pitch_angle" in positions:  # a column of an L* positions file: not used here
        positions = positions.drop_vars("pitch_angle")
    model, drivers = _rb_model(args)
    points = positions.assign_coords(row=("row", np.arange(positions.sizes["row"])))
    points = points.swap_dims(row="time")
    finish = functools.partial(_footprint_positions, name=Path(args.positions).name)
    with _cluster(args):  # each part written by its worker, the bar fed from the scheduler
        rb.footprint(points, model, altitude_km=args.altitude_km, hemisphere=args.hemisphere,
                     drivers=drivers, interpolation=args.interpolation, output=output,
                     finish=finish)  # fmt: skip
    with xr.open_dataset(output) as out:
        ok = int(np.isfinite(out["lat"].values).sum())
        print(f"wrote {output} ({out.sizes['time']} positions, {ok} with a footprint)")
    return 0


def _footprint_positions(track: Any, points: Any, name: str) -> Any:
    """``rb.footprint``'s ``finish`` for ``geospacexr rb footprint``: row, position, file name."""
    track = track.assign_coords(row=("time", points["row"].values))
    for k in "xyz":
        track[f"position_{k}"] = ("time", points[k].values)
        track[f"position_{k}"].attrs.update(
            units="Re", long_name=f"spacecraft {k} ({points.attrs['frame']})"
        )
    track.attrs["positions_file"] = name
    track.attrs["positions_frame"] = points.attrs["frame"]
    return track


def _lstar_positions(out: Any, particles: Any, name: str) -> Any:
    """``rb.lstar``'s ``finish`` for ``geospacexr rb lstar``: the pitch angles, the file name."""
    out = out.assign(pitch_angle=particles["pitch_angle"])
    out.attrs["positions_file"] = name
    return out


def _open_drivers(paths: list[str], model: str) -> Any:
    """OMNI, Qin-Denton or TS05 yearly files as drivers; TS05's W computed when absent."""
    from .errors import ReaderNotFoundError
    from .io.omni import open_omni
    from .io.registry import expand_paths, find_reader
    from .io.registry import open as open_files

    files = expand_paths(paths)
    try:
        name = find_reader(files[0]).name
    except ReaderNotFoundError:
        name = "omni"  # let the OMNI reader say what is wrong with the file
    drivers = open_files(files) if name in ("qindenton", "ts05-yearly") else open_omni(files)
    if model == "ts05" and "W1" not in drivers:
        from .rb.wparams import ts05_w

        print(
            "geospacexr: computing the TS05 W1..W6 from the OMNI solar wind "
            "(geospacexr.rb.wparams; spin-up and gaps as config rb.w_spinup_efolds, "
            "rb.w_max_gap_minutes)",
            file=sys.stderr,
        )
        drivers = ts05_w(drivers)
    return drivers


def _add_rb_parsers(sub: Any) -> None:
    p = sub.add_parser("rb", help="radiation belts: L* and footprints along positions")
    rb_sub = p.add_subparsers(dest="rb_command", required=True, metavar="PRODUCT")
    positions_help = (
        "netCDF or CSV file with columns time and x, y, z (Re) or lat, lon, alt "
        "(geocentric degrees, km)"
    )

    def model_options(q: Any) -> None:  # the same model and drivers for every product
        q.add_argument("--model", default="t96", help="field model (default: %(default)s)")
        q.add_argument("--drivers", nargs="+", metavar="OMNI",
                       help="OMNI files (hourly OMNI2, 1-/5-min HRO), Qin-Denton files or "
                       "Tsyganenko's yearly TS05 files giving the model's inputs at each "
                       "position's time; for ts05 without W1..W6 they are computed from the "
                       "OMNI solar wind (default: none, give --param)")  # fmt: skip
        q.add_argument("--param", action="append", type=_name_value, metavar="NAME=VALUE",
                       help="a fixed model parameter, e.g. w1=0.5 (default: none)")  # fmt: skip
        q.add_argument("--frame", default=None,
                       help="frame of x, y, z (default: the file's attrs, else GSM)")  # fmt: skip
        q.add_argument("--internal", choices=("igrf", "dipole"), default="igrf",
                       help="internal field (default: %(default)s)")  # fmt: skip
        q.add_argument(
            "--interpolation",
            choices=("previous", "linear"),
            default=None,
            help="drivers at a position's time (default: config rb.drivers_interpolation)",
        )
        _add_cluster_options(lambda name: q)

    summary = "Roederer L* (and K, Lm, Bm) at each position, the model driven by OMNI files"
    q = rb_sub.add_parser("lstar", help=summary, description=summary, allow_abbrev=False)
    q.add_argument("positions", metavar="POSITIONS",
                   help=f"{positions_help}, optionally pitch_angle")  # fmt: skip
    q.add_argument("-o", "--output", required=True, help="output netCDF file (required)")
    q.add_argument("--pitch-angle", type=float, nargs="+", metavar="DEGREES",
                   help="local pitch angles, each position at each (default: 90)")  # fmt: skip
    q.add_argument("--accuracy", choices=("fast", "default", "high"), default=None,
                   help="accuracy preset (default: config rb.accuracy)")  # fmt: skip
    model_options(q)
    q.set_defaults(func=_cmd_rb_lstar)

    summary = (
        "magnetic footprint of each position (the field line traced down to an altitude), "
        "the model driven by OMNI files"
    )
    q = rb_sub.add_parser("footprint", help=summary, description=summary, allow_abbrev=False)
    q.add_argument("positions", metavar="POSITIONS", help=positions_help)
    q.add_argument("-o", "--output", required=True, help="output netCDF file (required)")
    q.add_argument("--hemisphere", choices=("north", "south"), default="north",
                   help="footprint hemisphere (default: %(default)s)")  # fmt: skip
    q.add_argument("--altitude-km", type=_altitude_km, default=None, metavar="KM",
                   help="footprint altitude (default: config asi.altitude_km)")  # fmt: skip
    model_options(q)
    q.set_defaults(func=_cmd_rb_footprint)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``geospacexr`` command."""
    parser = _OneLineParser(
        prog="geospacexr",
        description="Space-physics data as xarray objects: samples, demo and interactive app.",
    )
    parser.add_argument("--version", action="version", version=f"geospacexr {__version__}")
    parser.add_argument(
        "--traceback",
        action="store_true",
        help="on an unexpected error, show Python's traceback instead of one line (for reports)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("info", help="version, optional extras and sample data")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("config", help="the effective configuration and where each value came from")
    p.set_defaults(func=_cmd_config)

    p = sub.add_parser("samples", help="list the sample datasets (and generate them)")
    p.add_argument("names", nargs="*", help="samples to show or generate (default: all)")
    p.add_argument("--generate", action="store_true", help="generate (or repair) the samples")
    p.set_defaults(func=_cmd_samples)

    p = sub.add_parser("demo", help="run the tutorial workflow on the sample data, write figures")
    p.add_argument(
        "-o", "--output", default="geospacexr-demo", help="output folder (default: %(default)s)"
    )
    p.add_argument("--sample", default="themis-gill", help="sample to use (default: %(default)s)")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("asi", help="all-sky imager products")
    asi_sub = p.add_subparsers(dest="asi_command", required=True, metavar="PRODUCT")
    _add_asi_keogram_parser(asi_sub)

    _add_gcm_parsers(sub)
    _add_superdarn_parsers(sub)
    _add_rio_parsers(sub)
    _add_rb_parsers(sub)
    _add_mhd_parsers(sub)

    cfg = config.get()
    p = sub.add_parser("serve", help="start the interactive app (Panel) and print its URL")
    p.add_argument("files", nargs="*", help="data files to explore (default: the sample data)")
    p.add_argument(
        "--port",
        type=_port,
        default=cfg.serve.port,
        help="TCP port, 0-65535; 0 picks a free one (default: %(default)s)",
    )
    p.add_argument(
        "--address",
        type=_address,
        default=cfg.serve.address,
        help="IP address or host name to listen on (default: %(default)s)",
    )
    p.add_argument(
        "--show",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="open a browser tab (default: no, just print the URL)",
    )
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("warmup", help="compile the radiation-belt kernels (before going offline)")
    p.add_argument("--models", nargs="+", metavar="MODEL", help="field models (default: all)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(
        func=_cmd_warmup, cli_aliases={"keywords": {"names": "--models", "name": "--models"}}
    )
    _set_terms(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``geospacexr`` command.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status (:data:`EXIT_STATUS`, the same for every command): 0 on success; 1
        when the work could not be done (a geospacexr error, a system error such as a full
        disk or a missing permission, a lack of memory); 2 when the command line itself is
        wrong (argparse's usage errors, :class:`~geospacexr.errors.CommandLineError`); 3 on an
        unexpected error, unless ``--traceback`` is given; 130 when interrupted. Every error
        is one line on stderr, naming the command's options (:func:`cli_message`).
    """
    traceback = "--traceback" in (sys.argv[1:] if argv is None else argv)
    args: argparse.Namespace | None = None
    try:
        parser = build_parser()
        args, extra = parser.parse_known_args(argv)
        if extra:
            if getattr(args, "gcm_command", None):  # one line, exit 2, as the gcm commands
                print(
                    f"geospacexr gcm {args.gcm_command}: error: unrecognized arguments: "
                    f"{' '.join(extra)}",
                    file=sys.stderr,
                )
                return EXIT_STATUS["usage"]
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        with _one_line_warnings(args):
            return int(args.func(args) or 0)
    except GeospacexrError as exc:
        print(f"geospacexr: error: {cli_message(exc, args)}", file=sys.stderr)
        return EXIT_STATUS["usage" if isinstance(exc, CommandLineError) else "error"]
    except KeyboardInterrupt:
        print("geospacexr: interrupted", file=sys.stderr)
        return EXIT_STATUS["interrupted"]
    except MemoryError:
        print(
            "geospacexr: error: out of memory (ask for less: fewer files or frames, a coarser "
            "cadence, a smaller figure)",
            file=sys.stderr,
        )
        return EXIT_STATUS["error"]
    except OSError as exc:  # a full disk, a missing permission, a port already in use...
        print(f"geospacexr: error: {cli_message(exc, args)}", file=sys.stderr)
        return EXIT_STATUS["error"]
    except Exception as exc:
        if traceback:
            raise
        print(
            f"geospacexr: internal error: {type(exc).__name__}: {_one_line(exc)} (run again "
            "with --traceback and report it)",
            file=sys.stderr,
        )
        return EXIT_STATUS["unexpected"]


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line (an OSError's reason and file name)."""
    if isinstance(exc, OSError) and not isinstance(exc, GeospacexrError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    return " ".join(str(exc).split()) or type(exc).__name__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
