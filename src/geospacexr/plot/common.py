"""Helpers shared by the plotting modules."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import GeospacexrError, InvalidArgumentError
from ..io.atomic import atomic_path
from . import colours

__all__ = [
    "SIGNED_NAMES",
    "colour_scale",
    "degree_axes",
    "is_signed",
    "map_projection",
    "new_axes",
    "new_figure",
    "nice_step",
    "require_matplotlib",
    "save_figure",
    "sentence_case",
    "time_window",
]

#: Variables that are signed by nature (winds, vertical motion, potential, EP flux, fields): the
#: one list in :data:`geospacexr.plot.colours.SIGNED_VARIABLES`, shared with the explorers.
SIGNED_NAMES = colours.SIGNED_VARIABLES


def require_matplotlib() -> None:
    """Raise a clear error when matplotlib (the ``plot`` extra) is not installed.

    Raises:
        GeospacexrError: If matplotlib cannot be imported.
    """
    if importlib.util.find_spec("matplotlib") is None:
        raise GeospacexrError(
            "plotting needs matplotlib: install the plot extra, pip install 'geospacexr[plot]'"
        )


def new_figure(
    figsize: tuple[float, float] = (6.0, 4.5), layout: str | None = "constrained"
) -> Any:
    """A new figure, made without pyplot: every plotting function's figures come from here.

    No pyplot means no global figure list: nothing to close, nothing kept by a long-running
    server (the explorers), safe in threads (movies). So that such a figure still shows in
    Jupyter when a cell ends with it or with one of its Axes, the first call in an IPython
    session registers display formatters for them (:mod:`geospacexr.plot.display`).

    Args:
        figsize: Size, inches.
        layout: matplotlib's layout engine (``None``: a fixed layout, for figures drawn many
            times such as movie frames, where the constrained layout costs time).

    Returns:
        A matplotlib Figure.
    """
    require_matplotlib()
    from matplotlib.figure import Figure

    from . import display

    display.enable()
    return Figure(figsize=figsize, layout=layout)


def new_axes(ax: Any = None, figsize: tuple[float, float] = (6.0, 4.5)) -> Any:
    """Return ``ax`` or the axes of a new headless figure (:func:`new_figure`).

    Args:
        ax: Existing matplotlib Axes, or ``None``.
        figsize: Size of a new figure, inches.

    Returns:
        A matplotlib Axes.
    """
    require_matplotlib()
    if ax is not None:
        return ax
    return new_figure(figsize).add_subplot()


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


def sentence_case(text: str) -> str:
    """A model's long name in sentence case.

    ``"NEUTRAL ZONAL WIND (+EAST)"`` becomes ``"Neutral zonal wind (+east)"``; symbols and
    abbreviations (``O2+``, ``HMF2``, ``He``, ``NO``) stay as they are.

    Args:
        text: A long name.

    Returns:
        The same words, only the first capitalised.
    """
    words = str(text).split()
    shouting = text.upper() == text
    out = []
    for i, word in enumerate(words):
        core = "".join(c for c in word if c.isalpha())
        plain = core.isalpha() and not any(c.isdigit() for c in word) and len(core) >= 3
        if plain and ((shouting and core.isupper()) or (i > 0 and core.istitle())):
            word = word.lower()
        out.append(word)
    result = " ".join(out)
    return result[:1].upper() + result[1:] if result else result


def close_longitudes(lons: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Close a global map's longitude circle: the first column again, 360 degrees on.

    Cells drawn from centres end half a cell past the outer ones and contours stop at them, so
    a grid from -180 to 177.5 leaves the map's edge at +180 empty: the repeated column fills
    it. A grid that is not one whole circle of evenly spaced cells is kept.

    Args:
        lons: Cell-centre longitudes, increasing, degrees.
        values: ``(y, lon)`` values.

    Returns:
        The longitudes and values, with the closing column when one was needed.
    """
    lons = np.asarray(lons, dtype=np.float64)
    if lons.size < 2:
        return lons, values
    steps = np.diff(lons)
    if not np.allclose(steps, steps[0]) or not np.isclose(lons[-1] - lons[0] + steps[0], 360.0):
        return lons, values  # not a whole circle of evenly spaced cells: nothing to close
    return np.append(lons, lons[0] + 360.0), np.concatenate([values, values[:, :1]], axis=1)


def variable_title(name: Any, attrs: dict[str, Any]) -> str:
    """A variable's title: ``Long name (NAME, units)``, its name said once.

    Model long names often begin with the variable's own name (TIE-GCM's ``"NMF2: Peak Density
    of the F2 Layer"``, ``"UI Zonal ion drift from edynamo"``): that prefix is dropped, since the
    name follows in brackets. A long name that is only the name gives ``NAME (units)``; one in
    which the name is a word of the description (``"He concentration"``) is kept whole.

    Args:
        name: The variable's name.
        attrs: Its attributes (``long_name`` and ``units`` are read).

    Returns:
        The title, in sentence case.
    """
    label = str(name)
    text = str(attrs.get("long_name", label)).strip()
    rest = text[len(label) :] if text.upper().startswith(label.upper()) else None
    if rest is not None and rest.startswith(":"):
        text = rest[1:].strip() or label
    elif rest is not None and rest[:1] == " " and rest.strip()[:1].isupper():
        text = rest.strip()
    long_name = sentence_case(text)
    units = attrs.get("units", "")
    if long_name.lower() == label.lower():
        return f"{label} ({units})" if units else label
    return f"{long_name} ({label}, {units})" if units else f"{long_name} ({label})"


def is_signed(name: Any, attrs: dict[str, Any], values: np.ndarray, difference: bool) -> bool:
    """Whether a field gets a diverging colour map centred on zero (see :func:`colour_scale`).

    Signed by nature (:data:`SIGNED_NAMES`, or a long name about winds, drifts, motion or
    differences) or a difference of two runs, even where the values shown have one sign (a
    westerly jet is drawn red, an easterly one blue); not when every value is zero or missing.

    The rules by name, attributes and long name are :func:`geospacexr.plot.colours.is_signed`,
    which the explorers use too; this adds only the check on the values drawn.

    Args:
        name: The variable's name.
        attrs: Its attributes (``long_name`` is read).
        values: The values drawn.
        difference: Whether the Dataset is a difference of two runs.

    Returns:
        True for a diverging, zero-centred colour map.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0 or not np.any(finite != 0):
        return False
    return colours.is_signed(name, attrs, difference)


def colour_scale(
    values: np.ndarray,
    signed: bool,
    cmap: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
) -> tuple[str, float, float]:
    """The colour map and limits of a static figure.

    Signed fields get ``RdBu_r`` with limits symmetric about zero (the larger of the 1st and
    99th percentiles' magnitudes, so that one outlier does not wash the map out); others get
    ``viridis`` from the minimum to the maximum. Explicit ``cmap``/``vmin``/``vmax`` win.

    Args:
        values: The values drawn.
        signed: Whether to centre on zero (:func:`is_signed`).
        cmap: Colour map asked for, or None.
        vmin: Lower limit asked for, or None.
        vmax: Upper limit asked for, or None.

    Returns:
        ``(cmap, vmin, vmax)``.
    """
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    name = cmap or colours.default_cmap(signed)
    if finite.size == 0:
        return name, (0.0 if vmin is None else vmin), (1.0 if vmax is None else vmax)
    if signed:
        bound = float(max(abs(np.percentile(finite, 1)), abs(np.percentile(finite, 99)))) or 1.0
        if vmin is None and vmax is not None:
            bound = abs(vmax)
        elif vmax is None and vmin is not None:
            bound = abs(vmin)
        return name, (-bound if vmin is None else vmin), (bound if vmax is None else vmax)
    lo = float(finite.min()) if vmin is None else vmin
    hi = float(finite.max()) if vmax is None else vmax
    return name, lo, hi


def nice_step(value: float) -> float:
    """The largest of 1, 2, 5 times a power of ten not above ``value`` (e.g. a quiver key).

    Args:
        value: A positive number.

    Returns:
        The round number (1.0 for a value that is not positive and finite).
    """
    if not np.isfinite(value) or value <= 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(value))
    return float(max(m * power for m in (1.0, 2.0, 5.0) if m * power <= value * (1 + 1e-9)))


def degree_axes(ax: Any, x_label: str = "longitude", y_label: str = "latitude") -> None:
    """Plain longitude/latitude axes: ticks every 60 and 30 degrees, labelled 60°E, 30°N.

    Args:
        ax: A matplotlib Axes (not a cartopy map).
        x_label: Label of the x axis.
        y_label: Label of the y axis.
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter

    def lon(v: float, _pos: Any = None) -> str:
        if v == 0 or abs(v) == 180:
            return f"{abs(v):g}°"
        return f"{abs(v):g}°{'E' if v > 0 else 'W'}"

    def lat(v: float, _pos: Any = None) -> str:
        return "0°" if v == 0 else f"{abs(v):g}°{'N' if v > 0 else 'S'}"

    ax.xaxis.set_major_locator(FixedLocator(np.arange(-180, 181, 60)))
    ax.yaxis.set_major_locator(FixedLocator(np.arange(-90, 91, 30)))
    ax.xaxis.set_major_formatter(FuncFormatter(lon))
    ax.yaxis.set_major_formatter(FuncFormatter(lat))
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
