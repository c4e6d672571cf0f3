"""The ``geospacexr`` command: the Python API for scripts, batch jobs and a first look.

Sub-commands::

    geospacexr info                      version, optional extras, sample data
    geospacexr config                    effective configuration and where each value came from
    geospacexr samples [--generate]      list (and generate) the sample datasets
    geospacexr demo [-o DIR]             the tutorial workflow on the sample data, figures into DIR
    geospacexr serve [FILES...]          the interactive app (Panel), on the samples or on FILES
    geospacexr asi keogram FILES -o OUT  a whole night's keogram (PNG and/or NetCDF), streamed
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

from . import config
from ._version import __version__
from .errors import GeospacexrError

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


def _cmd_asi_keogram(args: argparse.Namespace) -> int:
    from .asi.night import night_keogram
    from .io.atomic import write_netcdf

    keo = night_keogram(args.files, column=args.column, cadence=args.cadence)
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
    k = asi_sub.add_parser("keogram", help="a whole night's keogram, streamed file by file")
    k.add_argument("files", nargs="+", help="raw image files (globs allowed)")
    k.add_argument(
        "-o",
        "--output",
        action="append",
        required=True,
        help="night.png and/or night.nc (repeatable)",
    )
    k.add_argument("--column", type=int, default=None, help="image column (default: the middle)")
    k.add_argument("--cadence", type=float, default=None, help="frame interval, s: gaps become NaN")
    k.set_defaults(func=_cmd_asi_keogram)

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``geospacexr`` command.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 1 on a geospacexr error (message on stderr), 130 when
        interrupted.
    """
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return int(args.func(args) or 0)
    except GeospacexrError as exc:
        print(f"geospacexr: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("geospacexr: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
