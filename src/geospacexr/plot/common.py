"""Helpers shared by the plotting modules."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import GeospacexrError, InvalidArgumentError
from ..io.atomic import atomic_path

__all__ = ["map_projection", "new_axes", "require_matplotlib", "save_figure", "time_window"]


def require_matplotlib() -> None:
    """Raise a clear error when matplotlib (the ``plot`` extra) is not installed.

    Raises:
        GeospacexrError: If matplotlib cannot be imported.
    """
    if importlib.util.find_spec("matplotlib") is None:
        raise GeospacexrError(
            "plotting needs matplotlib: install the plot extra, pip install 'geospacexr[plot]'"
        )


def new_axes(ax: Any = None, figsize: tuple[float, float] = (6.0, 4.5)) -> Any:
    """Return ``ax`` or the axes of a new headless figure.

    Args:
        ax: Existing matplotlib Axes, or ``None``.
        figsize: Size of a new figure, inches.

    Returns:
        A matplotlib Axes.
    """
    require_matplotlib()
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()


def save_figure(fig: Any, path: str | os.PathLike[str], dpi: int = 120) -> Path:
    """Save a matplotlib figure atomically (the format follows the file extension).

    Args:
        fig: A matplotlib Figure.
        path: Output file (``.png``, ``.pdf``, ``.svg``...).
        dpi: Resolution for raster formats.

    Returns:
        The path written.
    """
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi)
    return Path(path)


def time_window(times: np.ndarray, start: Any = None, end: Any = None) -> np.ndarray:
    """Which times lie in ``[start, end]`` (either end open when None): the frames of a movie.

    Args:
        times: datetime64 values.
        start: First time (inclusive) or None.
        end: Last time (inclusive) or None.

    Returns:
        A boolean mask over ``times``.
    """
    keep = np.ones(np.shape(times), dtype=bool)
    if start is not None:
        keep &= times >= np.datetime64(start, "ns")
    if end is not None:
        keep &= times <= np.datetime64(end, "ns")
    return keep


def map_projection(name: str, central_longitude: float = 0.0) -> Any:
    """The cartopy projection called ``name`` (one of :data:`geospacexr.plot.options.PROJECTIONS`).

    Args:
        name: Projection name.
        central_longitude: Central longitude, degrees.

    Returns:
        A cartopy ``CRS``, or ``None`` for ``"platecarree"`` when cartopy is not installed
        (plain axes then show longitude and latitude).

    Raises:
        InvalidArgumentError: If the name is unknown.
        ImportError: If another projection is asked for without cartopy.
    """
    from .options import PROJECTIONS

    if name not in PROJECTIONS:
        raise InvalidArgumentError(
            f"must be one of {', '.join(PROJECTIONS)}, not {name!r}", "projection"
        )
    try:
        import cartopy.crs as ccrs
    except ImportError:
        if name == "platecarree":
            return None
        raise ImportError("map projections need cartopy: pip install 'geospacexr[plot]'") from None
    return {
        "platecarree": lambda: ccrs.PlateCarree(central_longitude=central_longitude),
        "mercator": lambda: ccrs.Mercator(central_longitude=central_longitude),
        "orthographic": lambda: ccrs.Orthographic(
            central_longitude=central_longitude, central_latitude=30
        ),
        "mollweide": lambda: ccrs.Mollweide(central_longitude=central_longitude),
        "north_polar": lambda: ccrs.NorthPolarStereo(central_longitude=central_longitude),
        "south_polar": lambda: ccrs.SouthPolarStereo(central_longitude=central_longitude),
    }[name]()
