"""SuperDARN convection maps and grid vector plots on a polar magnetic-local-time map.

Both figures draw the map's hemisphere seen from above its magnetic pole, in magnetic latitude
(circles every 10 degrees) and magnetic local time, noon at the top, dawn (06 MLT) on the
right and midnight at the bottom, as pyDARN and RST's ``map_plot`` draw them (the southern
hemisphere is seen through the Earth, so dawn stays on the right). The map is drawn on plain
equal-aspect axes in the pole's plane (x, y = colatitude times the sine / minus the cosine of
the MLT angle), so vectors are straight arrows of the right direction; a vector of
``vector_scale`` m/s is one degree of latitude long.

* :func:`plot_convection_map` draws one map record
  (:func:`~geospacexr.superdarn.convection.convection_map`): potential contours in kV
  (negative dashed; the maximum ``+`` and minimum ``x`` marked), the fitted or
  line-of-sight vectors coloured by speed, the Heppner-Maynard boundary and the
  cross-polar-cap potential annotated.
* :func:`plot_grid_vectors` draws the line-of-sight vectors of one grid or map record
  (:func:`geospacexr.superdarn.convection.line_of_sight`) coloured by speed, power or width.

matplotlib is imported inside the functions and figures are made without pyplot, so both work
headless.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import xarray as xr

from .._declare import Option, Options, figure_function
from ..errors import InvalidArgumentError
from ..superdarn import convection as _convection
from .common import new_figure, nice_step, require_matplotlib, save_figure
from .options import DRAWING

__all__ = ["SUPERDARN_DRAWING", "plot_convection_map", "plot_grid_vectors"]

_FIGSIZE = (6.6, 6.0)
_GRID_STYLE = {"color": "0.55", "linewidth": 0.5, "linestyle": ":"}
_SPEED_LIMITS = (0.0, 1000.0)  # m/s, pyDARN's default colour range for velocities
_COLOUR_BY = {
    "speed": ("speed", "Line-of-sight speed (m/s)", _SPEED_LIMITS),
    "power": ("power", "Power (dB)", (0.0, 30.0)),
    "width": ("width", "Spectral width (m/s)", (0.0, 250.0)),
}

#: Drawing options of the SuperDARN map figures (declared once, as
#: :data:`~geospacexr.plot.options.DRAWING`).
SUPERDARN_DRAWING = Options(
    [
        Option(
            "vectors",
            "fitted",
            str,
            '``"fitted"`` (the E x B velocity of the fit at the measured vectors, grey '
            'equatorward of the Heppner-Maynard boundary), ``"los"`` (the measured '
            'line-of-sight vectors) or ``"none"``.',
        ),
        Option(
            "contour_spacing",
            None,
            float | None,
            "Potential contour interval, kV (default: a round eighth of the cross-polar-cap "
            "potential).",
        ),
        Option("show_boundary", True, bool, "Draw the Heppner-Maynard boundary."),
        Option(
            "vector_scale",
            150.0,
            float,
            "Vector length: this many m/s are drawn one degree of latitude long (pyDARN's "
            "``len_factor``).",
        ),
        Option(
            "reference_vector",
            500.0,
            float,
            "Speed of the key vector drawn below the map, m/s (0: none).",
        ),
        Option(
            "colour_by",
            "speed",
            str,
            '``"speed"`` (the absolute line-of-sight velocity), ``"power"`` or ``"width"`` '
            "(where the file has them).",
        ),
    ]
)


# -- the polar MLT frame ---------------------------------------------------------------------
def _xy(mlat: Any, angle_h: Any) -> tuple[np.ndarray, np.ndarray]:
    """Plane coordinates: colatitude from the pole, MLT 12 up, 06 right."""
    r = 90.0 - np.abs(np.asarray(mlat, dtype=np.float64))
    a = np.radians(np.asarray(angle_h, dtype=np.float64) * 15.0)
    return r * np.sin(a), -r * np.cos(a)


def _uv(
    angle_h: np.ndarray, v_north: np.ndarray, v_east: np.ndarray, south: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Plane components of (north, east) vectors at MLT angles (equatorward = away)."""
    a = np.radians(np.asarray(angle_h, dtype=np.float64) * 15.0)
    away = v_north if south else -v_north
    return away * np.sin(a) + v_east * np.cos(a), -away * np.cos(a) + v_east * np.sin(a)


def _frame(ax: Any, lowlat: float, south: bool, hours: bool) -> None:
    """Latitude circles, MLT (or magnetic longitude) spokes and labels; equal aspect."""
    rmax = 90.0 - lowlat
    sign = "-" if south else ""
    t = np.linspace(0, 2 * np.pi, 361)
    for lat in np.arange(np.ceil(lowlat / 10) * 10, 90, 10):
        r = 90.0 - lat
        ax.plot(r * np.sin(t), r * np.cos(t), **_GRID_STYLE, zorder=1)
        ax.text(
            r * np.sin(np.radians(45)) + 0.4,
            -r * np.cos(np.radians(45)),
            f"{sign}{lat:g}°",
            fontsize=7,
            color="0.35",
            zorder=1,
        )
    ax.plot(rmax * np.sin(t), rmax * np.cos(t), color="0.2", linewidth=0.8, zorder=1)
    for h in range(0, 24, 3):
        x, y = _xy(90.0 - rmax, h)
        ax.plot([0, x], [0, y], **_GRID_STYLE, zorder=1)
        label = f"{h:02d}" if hours else f"{h * 15}°"
        lx, ly = _xy(90.0 - rmax * 1.07, h)
        ax.text(lx, ly, label, ha="center", va="center", fontsize=8)
    ax.set_aspect("equal")
    ax.set_xlim(-rmax * 1.15, rmax * 1.15)
    ax.set_ylim(-rmax * 1.15, rmax * 1.15)
    ax.set_axis_off()
    what = "MLT (h)" if hours else "AACGM magnetic longitude (MLT unknown)"
    ax.text(
        0.0,
        -0.02,
        f"{what}; magnetic latitude (AACGM-v2)",
        transform=ax.transAxes,
        fontsize=7,
        color="0.3",
        va="top",
    )


def _lowlat(*latitudes: Any) -> float:
    lats = np.concatenate([np.abs(np.ravel(np.asarray(v, dtype=np.float64))) for v in latitudes])
    lats = lats[np.isfinite(lats)]
    low = float(lats.min()) if lats.size else 60.0
    return float(min(np.floor((low - 1.0) / 10.0) * 10.0, 80.0))


def _axes(o: SimpleNamespace) -> tuple[Any, Any]:
    require_matplotlib()
    if o.ax is not None:
        return o.ax.figure, o.ax
    fig = new_figure(o.figsize)
    return fig, fig.add_subplot()


def _vectors(
    ax: Any,
    fig: Any,
    mlat: np.ndarray,
    angle_h: np.ndarray,
    v_north: np.ndarray,
    v_east: np.ndarray,
    colour: np.ndarray,
    south: bool,
    o: SimpleNamespace,
    label: str,
    limits: tuple[float, float],
    grey: np.ndarray | None = None,
) -> None:
    """Dots at the vectors' feet and arrows coloured by ``colour``, a colour bar and a key."""
    from matplotlib.colors import Normalize

    if o.vector_scale <= 0:
        raise InvalidArgumentError(f"must be > 0, not {o.vector_scale}", "vector_scale")
    x, y = _xy(mlat, angle_h)
    u, v = _uv(angle_h, v_north, v_east, south)
    lo = limits[0] if o.vmin is None else o.vmin
    hi = limits[1] if o.vmax is None else o.vmax
    norm = Normalize(lo, hi)
    cmap = o.cmap or "plasma_r"
    shown = np.isfinite(u) & np.isfinite(v) & np.isfinite(x)
    if grey is not None:
        dull = shown & grey
        ax.scatter(x[dull], y[dull], s=3, color="0.75", zorder=3)
        ax.quiver(
            x[dull],
            y[dull],
            u[dull],
            v[dull],
            color="0.75",
            angles="xy",
            scale_units="xy",
            scale=o.vector_scale,
            width=0.0025,
            zorder=3,
        )
        shown &= ~grey
    ax.scatter(x[shown], y[shown], s=3, c=colour[shown], cmap=cmap, norm=norm, zorder=4)
    quiver = ax.quiver(
        x[shown],
        y[shown],
        u[shown],
        v[shown],
        colour[shown],
        cmap=cmap,
        norm=norm,
        angles="xy",
        scale_units="xy",
        scale=o.vector_scale,
        width=0.003,
        zorder=4,
    )
    fig.colorbar(quiver, ax=ax, shrink=0.7, label=label, extend="max")
    if o.reference_vector:
        ax.quiverkey(
            quiver,
            0.80,
            0.03,
            o.reference_vector,
            f"{o.reference_vector:g} m/s",
            labelpos="E",
            coordinates="axes",
            color="k",
            fontproperties={"size": 8},
        )


def _title(when: str, end: str | None, hemisphere: str) -> str:
    start = when.replace("T", " ")[:16]
    stop = f"–{end[11:16]}" if end else ""
    return f"{start}{stop} UT, {hemisphere}ern hemisphere"


# -- convection map --------------------------------------------------------------------------
def _draw_convection_map(ds: xr.Dataset, a: dict[str, Any], o: SimpleNamespace) -> Any:
    if o.vectors not in ("fitted", "los", "none"):
        raise InvalidArgumentError(
            f"must be 'fitted', 'los' or 'none', not {o.vectors!r}", "vectors"
        )
    bundle = _convection.convection_map(ds, **a)
    fig, ax = _axes(o)
    south = bundle.attrs["hemisphere"] == "south"
    pot = bundle["potential"]
    lats = [pot["mlat"].values]
    if "vector_mlat" in bundle.coords:
        lats.append(bundle["vector_mlat"].values)
    lowlat = _lowlat(*lats)
    _frame(ax, lowlat, south, True)

    mlat2, mlt2 = np.meshgrid(pot["mlat"].values, pot["mlt"].values, indexing="ij")
    x2, y2 = _xy(mlat2, mlt2)
    values = pot.values
    cpcp = float(bundle.attrs["cpcp"])
    step = o.contour_spacing or nice_step(max(cpcp, 1.0) / 8.0)
    if step <= 0:
        raise InvalidArgumentError(f"must be > 0, not {step}", "contour_spacing")
    top = step * np.ceil(np.nanmax(np.abs(values)) / step) if np.isfinite(values).any() else step
    levels = np.arange(-top, top + step / 2, step)
    levels = levels[np.abs(levels) > step / 2]  # no zero contour (the latmin circle)
    if levels.size:
        lines = ax.contour(x2, y2, values, levels=levels, colors="0.25", linewidths=0.8, zorder=2)
        ax.clabel(lines, fontsize=6, fmt="%g")
    if np.isfinite(values).any():
        for func, marker in ((np.nanargmax, "+"), (np.nanargmin, "x")):
            k = func(values)
            ax.plot(x2.flat[k], y2.flat[k], marker=marker, color="k", markersize=9, zorder=5)

    if o.show_boundary and "boundary_mlat" in bundle:
        blat, bmlt = bundle["boundary_mlat"].values, bundle["boundary_mlt"].values
        order = np.argsort(bmlt)
        bx, by = _xy(blat[order], bmlt[order])
        ax.plot(
            np.append(bx, bx[:1]),
            np.append(by, by[:1]),
            color="tab:green",
            linewidth=1.3,
            zorder=3,
            label="Heppner-Maynard boundary",
        )

    if o.vectors != "none" and "vector_mlat" in bundle.coords:
        mlat, mlt = bundle["vector_mlat"].values, bundle["vector_mlt"].values
        kind = "fitted" if o.vectors == "fitted" else "los"
        speed = bundle[f"{kind}_speed"].values
        grey = ~bundle["fitted_inside_boundary"].values.astype(bool) if kind == "fitted" else None
        label = "Fitted velocity (m/s)" if kind == "fitted" else "Line-of-sight speed (m/s)"
        _vectors(
            ax,
            fig,
            mlat,
            mlt,
            bundle[f"{kind}_v_north"].values,
            bundle[f"{kind}_v_east"].values,
            speed,
            south,
            o,
            label,
            _SPEED_LIMITS,
            grey,
        )

    fitted = bool(np.isfinite(cpcp))
    info = [f"$\\Phi_{{PC}}$ = {cpcp:.1f} kV" if fitted else "no fit in this record"]
    if "pot_drop" in bundle.attrs:
        info[0] += f" (file: {bundle.attrs['pot_drop']:.1f} kV)"
    info.append(f"N = {bundle.attrs['n_vectors']} vectors")
    info.append(f"order {bundle.attrs['fit_order']}, latmin {bundle.attrs['latmin']:g}°")
    if bundle.attrs.get("model_name"):
        info.append(f"model {bundle.attrs['model_name']}")
    if fitted:
        info.append(f"contours every {step:g} kV")
    ax.text(
        0.0,
        1.0,
        "\n".join(info),
        transform=ax.transAxes,
        fontsize=7.5,
        va="top",
        bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "0.7"},
        zorder=6,
    )
    if o.show_boundary and "boundary_mlat" in bundle:
        ax.legend(loc="lower left", fontsize=7, framealpha=0.85)
    title = o.title or "SuperDARN convection map\n" + _title(
        bundle.attrs["time"], bundle.attrs.get("end_time"), bundle.attrs["hemisphere"]
    )
    ax.set_title(title, fontsize=10)
    if o.save is not None:
        save_figure(fig, o.save)
    return fig


_MAP_OPTIONS = SUPERDARN_DRAWING.select(
    "vectors", "contour_spacing", "show_boundary", "vector_scale", "reference_vector"
) + DRAWING.select("cmap", "vmin", "vmax", "title", "save", "figsize", "ax")

_COLOUR_DOCS = {
    "cmap": "Colour map of the vectors (default ``plasma_r``, as pyDARN).",
    "vmin": "Lower colour limit (default 0 m/s; for power 0 dB).",
    "vmax": "Upper colour limit (default 1000 m/s; 30 dB for power, 250 m/s for width).",
}

plot_convection_map = figure_function(
    _convection.convection_map,
    _draw_convection_map,
    name="plot_convection_map",
    module=__name__,
    summary="Convection map of one map record on a polar MLT map "
    "(:func:`geospacexr.superdarn.convection.convection_map`).",
    body="Potential contours (kV), fitted or line-of-sight vectors coloured by speed, the\n"
    "Heppner-Maynard boundary and the cross-polar-cap potential (this grid's and the file's\n"
    "``pot.drop``), noon at the top and dawn on the right (module docstring).",
    options=_MAP_OPTIONS,
    defaults={"figsize": _FIGSIZE},
    docs={
        "time": "The record (default: the first; an index or a time, the nearest record).",
        **_COLOUR_DOCS,
    },
    raises="    IncompatibleInputError: If the Dataset is not a map file.\n"
    "    InvalidArgumentError: For an unknown ``vectors`` or a non-positive spacing or scale.",
)


# -- grid vectors ----------------------------------------------------------------------------
def _draw_grid_vectors(ds: xr.Dataset, a: dict[str, Any], o: SimpleNamespace) -> Any:
    if o.colour_by not in _COLOUR_BY:
        raise InvalidArgumentError(
            f"must be one of {', '.join(_COLOUR_BY)}, not {o.colour_by!r}", "colour_by"
        )
    los = _convection.line_of_sight(ds, **a)
    records = np.unique(los["vector_record"].values)
    if records.size > 1:
        raise InvalidArgumentError("a grid vector plot shows one record", "time")
    fig, ax = _axes(o)
    mlat = los["mlat"].values
    south = bool(mlat.size) and bool(np.nanmedian(mlat) < 0)
    hours = bool(np.isfinite(los["mlt"].values).all()) and mlat.size > 0
    angle = los["mlt"].values if hours else los["mlon"].values / 15.0
    _frame(ax, _lowlat(mlat), south, hours)
    name, label, limits = _COLOUR_BY[o.colour_by]
    if name not in los:
        raise InvalidArgumentError(f"this file has no {name} for its vectors", "colour_by")
    colour = np.asarray(los[name].values, dtype=np.float64)
    _vectors(
        ax,
        fig,
        mlat,
        angle,
        los["v_north"].values,
        los["v_east"].values,
        colour,
        south,
        o,
        label,
        limits,
    )
    stations = np.unique(los["stid"].values) if "stid" in los else []
    ax.text(
        0.0,
        1.0,
        f"{mlat.size} vectors from {len(stations)} radar(s)",
        transform=ax.transAxes,
        fontsize=7.5,
        va="top",
    )
    r = int(records[0]) if records.size else int(np.atleast_1d(a.get("time") or 0)[0])
    when = str(np.datetime_as_string(ds["time"].values[r], unit="s"))
    end = (
        str(np.datetime_as_string(ds["end_time"].values[r], unit="s"))
        if "end_time" in ds.coords
        else None
    )
    kind = ds.attrs.get("superdarn_type", "grid")
    title = o.title or f"SuperDARN {kind} line-of-sight vectors\n" + _title(
        when, end, "south" if south else "north"
    )
    ax.set_title(title, fontsize=10)
    if o.save is not None:
        save_figure(fig, o.save)
    return fig


plot_grid_vectors = figure_function(
    _convection.line_of_sight,
    _draw_grid_vectors,
    name="plot_grid_vectors",
    module=__name__,
    summary="Line-of-sight vectors of one grid or map record on a polar MLT map "
    "(:func:`geospacexr.superdarn.convection.line_of_sight`).",
    body="Each gridded vector is drawn from its cell along its ``kvect`` azimuth, signed by\n"
    "its velocity, coloured by speed, power or spectral width. Grid files carry no MLT: it\n"
    "comes from AACGM-v2 (``aacgmv2``) or, without it, the map is drawn in magnetic\n"
    "longitude (and says so).",
    options=SUPERDARN_DRAWING.select("colour_by", "vector_scale", "reference_vector")
    + DRAWING.select("cmap", "vmin", "vmax", "title", "save", "figsize", "ax"),
    defaults={"time": 0, "figsize": _FIGSIZE},
    docs={
        "time": "The record (default: the first; an index or a time, the nearest record).",
        **_COLOUR_DOCS,
    },
    raises="    InvalidArgumentError: For an unknown ``colour_by`` or more than one record.",
)
