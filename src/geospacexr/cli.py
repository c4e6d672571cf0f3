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

The options of the ``gcm`` commands are not written here: they are generated from the
signatures and Google-style docstrings of the Python functions the commands call
(:func:`geospacexr.plot.gcm.plot_lat_lon` and the other figure functions,
:func:`geospacexr.plot.gcm.plot_movie`, :func:`geospacexr.gcm.emissions.emission`), so they
have the same names (``local_time`` is ``--local-time``), types and defaults as the Python API.
An option that the chosen ``--slice`` does not take is refused. Bad input gives exit status 2
and a one-line message on stderr (``geospacexr gcm plot: error: ...``), never a traceback.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import inspect
import json
import platform
import re
import sys
import types
import typing
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import config
from ._version import __version__
from .errors import GeospacexrError, InvalidArgumentError

__all__ = ["EXTRAS", "build_parser", "main"]

#: Optional extras and the import names of the packages each brings.
EXTRAS: dict[str, tuple[str, ...]] = {
    "plot": ("matplotlib", "cartopy", "imageio_ffmpeg"),
    "asi": ("aacgmv2", "h5py", "PIL"),
    "interactive": ("panel", "holoviews", "geoviews", "ipywidgets", "jupyter_bokeh"),
}


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
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

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


def _cmd_asi_keogram(args: argparse.Namespace) -> int:
    from .asi.night import night_keogram
    from .io.atomic import write_netcdf

    options = args.asi_options
    kwargs = {
        name: (raw if name == "path" else options[name].value(raw, "keogram"))
        for name, raw in _given(args, options).items()
    }
    keo = night_keogram(args.files, **kwargs)
    for output in args.output:
        path = Path(output)
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
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "pair":
            return tuple(float(v) for v in raw)
        if kind == "list":
            return [_number_or_text(v) for v in raw]
    except ValueError as exc:
        want = {"int": "an integer", "float": "a number", "pair": "two numbers"}.get(kind)
        raise GeospacexrError(
            f"--{option.replace('_', '-')}: expected {want}, not {raw!r}" if want else str(exc)
        ) from None
    return raw


def _number_or_text(value: str) -> Any:
    try:
        return float(value)
    except ValueError:
        return value


@dataclass
class _Option:
    """One option of a gcm command, as the Python functions that take it define it."""

    name: str
    kinds: dict[str, tuple[str, bool]] = field(default_factory=dict)  # function -> kind
    defaults: dict[str, Any] = field(default_factory=dict)
    helps: dict[str, str] = field(default_factory=dict)  # description -> functions
    required: bool = False  # a parameter without a default (e.g. the emission's name)

    def add_to(self, parser: argparse.ArgumentParser, flags: Sequence[str] = ()) -> None:
        flag = "--" + self.name.replace("_", "-")
        names = tuple(flags) or (flag,)
        kinds = {k for k, _ in self.kinds.values()}
        by_default: dict[str, list[str]] = {}
        for label, value in self.defaults.items():
            by_default.setdefault(repr(value), []).append(label)
        if self.required:
            default = "required"
        elif len(by_default) == 1:
            default = f"default: {next(iter(by_default))}"
        else:
            default = "default: " + "; ".join(
                f"{v} for {', '.join(labels)}" for v, labels in by_default.items()
            )
        if len(self.helps) == 1:
            described = next(iter(self.helps))
        else:
            described = " | ".join(f"{', '.join(f)}: {h}" for h, f in self.helps.items())
        text = described
        if "default" not in described.lower() or len(by_default) > 1:
            text = f"{described} ({default.replace('%', '%%')})"
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


class _OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line on stderr and exit status 2 (for batch jobs)."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())}\n")


def _gcm_command(func: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """Bad input (a geospacexr error, a bad value, a missing file) -> one line, exit 2."""

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        def one_line(message: Any, category: type[Warning], *_: Any, **__: Any) -> None:
            text = " ".join(str(message).split())
            print(
                f"geospacexr gcm {args.gcm_command}: {category.__name__}: {text}", file=sys.stderr
            )

        try:
            with warnings.catch_warnings():
                warnings.showwarning = one_line
                return func(args)
        except (GeospacexrError, ValueError, KeyError, OSError) as exc:
            message = " ".join(str(exc).split()) or type(exc).__name__
            print(f"geospacexr gcm {args.gcm_command}: error: {message}", file=sys.stderr)
            return 2

    return run


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
            raise GeospacexrError(
                f"--{name.replace('_', '-')} does not apply to --slice {slice_name} "
                f"(it takes {', '.join(takes)})"
            )
        kwargs[name] = option.value(raw, slice_name)
    return kwargs


def _needs_var(args: argparse.Namespace) -> None:
    if args.slice != "epflux" and not args.var:
        raise GeospacexrError(f"--slice {args.slice} needs --var (a variable name, e.g. TN)")


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


@_gcm_command
def _cmd_gcm_plot(args: argparse.Namespace) -> int:
    from .plot.gcm import plot_function

    _needs_var(args)
    kwargs = _slice_kwargs(args, args.gcm_options, args.slice)
    if args.slice != "epflux":
        kwargs["var"] = args.var
    elif args.var:
        raise GeospacexrError("--slice epflux takes no --var (it uses TN, UN, VN and OMEGA)")
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
    ds = _open_gcm(args.files)
    path = _movie_function()(ds, args.output, args.var or None, kind=args.slice, **movie, **kwargs)
    print(f"wrote {path}")
    return 0


@_gcm_command
def _cmd_gcm_emission(args: argparse.Namespace) -> int:
    from .io.atomic import write_netcdf

    function = _emission_function()
    if function is None:
        raise GeospacexrError("the emissions registry (geospacexr.gcm.emissions) is not available")
    options = args.gcm_options
    kwargs = {
        name: options[name].value(raw, "emission") for name, raw in _given(args, options).items()
    }
    ds = _open_gcm(args.files)
    da = function(ds, **kwargs)
    name = re.sub(r"[^\w.-]", "_", str(da.name or kwargs.get("name", "emission")))
    if Path(args.output).suffix.lower() not in (".nc", ".nc4", ".cdf"):
        raise GeospacexrError(f"-o: emissions are written as NetCDF (.nc), not {args.output!r}")
    write_netcdf(da.to_dataset(name=name), args.output)
    print(f"wrote {args.output} ({name}, {dict(da.sizes)})")
    return 0


def _emission_function() -> Callable[..., Any] | None:
    try:
        from .gcm.emissions import emission
    except ImportError:
        return None
    return emission


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
        q = gcm_sub.add_parser(name, help=summary, description=summary, allow_abbrev=False)
        q.add_argument("files", nargs="+", help=files_help)
        q.add_argument("-o", "--output", required=True, help=out_help)
        q.add_argument("--var", default=None, help=f"{var_help} (not for --slice epflux)")
        q.add_argument(
            "--slice",
            choices=sorted(slices),
            default=default_slice,
            help=f"{movie_docs.get('kind', 'slice')} (default: {default_slice})",
        )
        for option in options.values():
            option.add_to(q)
        q.set_defaults(func=func, gcm_options=options)

    emission = _emission_function()
    e = gcm_sub.add_parser(
        "emission",
        help="a volume emission rate from the emissions registry, to NetCDF",
        allow_abbrev=False,
    )
    e.add_argument("files", nargs="+", help=files_help)
    e.add_argument("-o", "--output", required=True, help="NetCDF file (.nc), written atomically")
    options = {}
    if emission is not None:
        options = _collect_options({"emission": emission}, skip=("ds",))
        for option in options.values():
            option.add_to(e)
    e.set_defaults(func=_cmd_gcm_emission, gcm_options=options)


#: ``geospacexr asi keogram`` spells two of night_keogram's parameters differently (issue 7's
#: command line); every other option is ``--<parameter>``.
_ASI_KEOGRAM_FLAGS = {"altitude_km": ("--altitude", "--altitude-km"), "path": ("--point",)}


def _add_asi_keogram_parser(asi_sub: Any) -> None:
    """``geospacexr asi keogram``: options from :func:`geospacexr.asi.night_keogram`."""
    from .asi.night import night_keogram

    k = asi_sub.add_parser("keogram", help="a whole night's keogram, streamed file by file")
    docs = _doc_args(night_keogram)
    k.add_argument("files", nargs="+", help=docs.get("files", "raw image files"))
    k.add_argument(
        "-o",
        "--output",
        action="append",
        required=True,
        help="night.png and/or night.nc (repeatable)",
    )
    options = _collect_options({"keogram": night_keogram}, skip=("files", "progress"))
    for name, option in options.items():
        flags = _ASI_KEOGRAM_FLAGS.get(name, ())
        if name == "path":  # one point per flag: --point A,B --point C,D
            k.add_argument(
                *flags,
                dest=name,
                type=_point,
                action="append",
                default=argparse.SUPPRESS,
                metavar="A,B",
                help=f"{docs.get(name, '')} One point per flag, repeated: x,y (ccd), lat,lon "
                "(geo) or mlat,mlon (mag).",
            )
        else:
            option.add_to(k, flags=flags)
    k.set_defaults(func=_cmd_asi_keogram, asi_options=options)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``geospacexr`` command."""
    parser = argparse.ArgumentParser(
        prog="geospacexr",
        description="Space-physics data as xarray objects: samples, demo and interactive app.",
    )
    parser.add_argument("--version", action="version", version=f"geospacexr {__version__}")
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

    cfg = config.get()
    p = sub.add_parser("serve", help="start the interactive app (Panel) and print its URL")
    p.add_argument("files", nargs="*", help="data files to explore (default: the sample data)")
    p.add_argument(
        "--port", type=int, default=cfg.serve.port, help="TCP port (default: %(default)s)"
    )
    p.add_argument(
        "--address", default=cfg.serve.address, help="address to listen on (default: %(default)s)"
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
    p.set_defaults(func=_cmd_warmup)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``geospacexr`` command.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 1 on a geospacexr error (message on stderr), 130 when
        interrupted; the ``gcm`` commands give 2 for bad input or usage (one line on stderr).
    """
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
                return 2
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        return int(args.func(args) or 0)
    except GeospacexrError as exc:
        print(f"geospacexr: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("geospacexr: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
