"""SuperDARN figures: range-time-intensity (RTI) plots and pyDARN-style summary plots.

Each figure computes what it draws with a pure function of :mod:`geospacexr.superdarn.rti`
(:func:`~geospacexr.superdarn.rti.rti`, :func:`~geospacexr.superdarn.rti.beam_summary`) and
takes that function's parameters followed by drawing options
(:func:`geospacexr._declare.figure_function`). Figures are made with
:class:`matplotlib.figure.Figure` (no pyplot state), so they work headless and in threads.

Every record is drawn as its own column, from its time to its ``time_end`` (the next record,
or a gap when the next is further than ``max_gap``), with its own range geometry: the y axis in
range gates, in slant range (km, from the record's ``frang``, ``rsep`` and receiver rise time)
or in the geographic or AACGM-v2 latitude of the record's gates (``"geo_lat"``, ``"mag_lat"``:
:func:`geospacexr.superdarn.geometry.gate_positions`, the radar hardware tables).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import xarray as xr

from .._declare import Option, Options, figure_function
from ..errors import InvalidArgumentError
from ..superdarn.rti import beam_summary as _beam_summary
from ..superdarn.rti import rti as _rti_data
from .common import colour_scale, new_figure, require_matplotlib, save_figure, sentence_case
from .options import DRAWING

__all__ = [
    "LATITUDE_YAXES",
    "RTI_STYLES",
    "YAXES",
    "draw_rti",
    "latitude_edges",
    "plot_rti",
    "plot_summary",
    "rti_style",
]

#: y axes of an RTI: option value -> (coordinate of the RTI DataArray, axis label).
YAXES: dict[str, tuple[str, str]] = {
    "gate": ("range_gate", "range gate"),
    "slant_range": ("slant_range", "slant range (km)"),
    "geo_lat": ("geo_lat", "geographic latitude (°)"),
    "mag_lat": ("mag_lat", "AACGM-v2 latitude (°)"),
}
#: Latitude y axes: option value -> the ``coords`` of :func:`geospacexr.superdarn.rti` that
#: gives the coordinate.
LATITUDE_YAXES: dict[str, str] = {"geo_lat": "geographic", "mag_lat": "aacgm"}
#: y axes still to come (none: the latitude axes have arrived); kept for compatibility.
COMING_YAXES: tuple[str, ...] = ()
#: Colour of ground scatter (``ground_scatter="grey"``).
GROUND_COLOUR = "0.55"


@dataclass(frozen=True)
class RtiStyle:
    """How a per-gate parameter is drawn by default.

    Attributes:
        label: Short name for the colour bar (before the unit).
        limits: Default colour limits, or ``None`` for limits from the data.
        cmap: Default colour map.
    """

    label: str
    limits: tuple[float, float] | None
    cmap: str


#: Default label, colour limits and colour map per fitacf parameter. The limits are pyDARN's
#: ``plot_summary`` boundaries (power 0-45 dB, velocity +-200 m/s, width 0-250 m/s, elevation
#: 0-45 degrees); velocity is diverging and symmetric, red away from the radar (negative) and
#: blue towards it (positive), as pyDARN's and RST's velocity scales. Parameters not listed get
#: limits from the data: symmetric about zero with a diverging map when signed (by name or
#: long name, :func:`geospacexr.plot.colours.is_signed`), else ``viridis``.
RTI_STYLES: dict[str, RtiStyle] = {
    "v": RtiStyle("Velocity", (-200.0, 200.0), "RdBu"),
    "x_v": RtiStyle("Velocity (XCF)", (-200.0, 200.0), "RdBu"),
    "p_l": RtiStyle("Power", (0.0, 45.0), "plasma"),
    "x_p_l": RtiStyle("Power (XCF)", (0.0, 45.0), "plasma"),
    "p_s": RtiStyle("Power (sigma fit)", (0.0, 45.0), "plasma"),
    "w_l": RtiStyle("Spectral width", (0.0, 250.0), "viridis"),
    "x_w_l": RtiStyle("Spectral width (XCF)", (0.0, 250.0), "viridis"),
    "w_s": RtiStyle("Spectral width (sigma fit)", (0.0, 250.0), "viridis"),
    "elv": RtiStyle("Elevation", (0.0, 45.0), "inferno"),
    "elv_low": RtiStyle("Elevation (lower bound)", (0.0, 45.0), "inferno"),
    "elv_high": RtiStyle("Elevation (upper bound)", (0.0, 45.0), "inferno"),
    "phi0": RtiStyle("Phase difference", (-np.pi, np.pi), "twilight_shifted"),
    "pwr0": RtiStyle("Lag-0 power", None, "plasma"),
}

#: Labels, default limits and scale of the summary plot's scalar panels (pyDARN's).
_SCALARS = {
    "noise.sky": ("sky noise", (1.0, 1e5)),
    "noise.search": ("search noise", (1.0, 1e5)),
    "tfreq": ("freq.\n(MHz)", (8.0, 22.0)),
    "nave": ("nave", (0.0, 60.0)),
    "cp": ("CPID", None),
}
_KHZ_PER_MHZ = 1e3

RTI_OPTIONS = Options(
    [
        Option(
            "yaxis",
            "gate",
            str,
            '``"gate"`` (range gates), ``"slant_range"`` (km, per record from ``frang``, '
            '``rsep`` and the receiver rise time), ``"geo_lat"`` or ``"mag_lat"`` (the '
            "geographic or AACGM-v2 latitude of each record's gates; ``coords`` is set to match).",
        ),
    ]
)


def rti_style(parameter: str, attrs: dict[str, Any] | None = None) -> RtiStyle:
    """The default label, limits and colour map of a per-gate parameter.

    Args:
        parameter: The variable name (``v``, ``p_l``...).
        attrs: Its attributes (``long_name`` is used for parameters not in
            :data:`RTI_STYLES`).

    Returns:
        The style (limits ``None``: from the data).
    """
    if parameter in RTI_STYLES:
        return RTI_STYLES[parameter]
    from .colours import default_cmap, is_signed

    attrs = attrs or {}
    label = sentence_case(str(attrs.get("long_name", parameter)))
    return RtiStyle(label, None, default_cmap(is_signed(parameter, attrs)))


def _colour_label(da: xr.DataArray) -> str:
    style = rti_style(str(da.name), dict(da.attrs))
    units = da.attrs.get("units", "")
    return f"{style.label} ({units})" if units and units != "1" else style.label


def _scale(da: xr.DataArray, cmap: str | None, vmin: float | None, vmax: float | None) -> Any:
    """``(cmap, vmin, vmax)``: explicit values first, then the parameter's style, then data."""
    from .colours import is_signed

    style = rti_style(str(da.name), dict(da.attrs))
    if style.limits is not None:
        lo, hi = style.limits
        if vmin is None and vmax is not None and lo == -hi:  # keep a symmetric scale symmetric
            lo = -abs(vmax)
        if vmax is None and vmin is not None and lo == -hi:
            hi = abs(vmin)
        return cmap or style.cmap, (lo if vmin is None else vmin), (hi if vmax is None else vmax)
    values = np.asarray(da.values, dtype=np.float64)
    signed = is_signed(str(da.name), dict(da.attrs))
    name, lo, hi = colour_scale(values, signed, cmap or style.cmap, vmin, vmax)
    if hi <= lo:
        hi = lo + 1.0
    return name, lo, hi


def _y_edges(da: xr.DataArray, yaxis: str) -> np.ndarray:
    """Cell edges on the y axis, one row of ``range_gate + 1`` edges per record."""
    if yaxis not in YAXES:
        raise InvalidArgumentError(f"must be one of {', '.join(YAXES)}, not {yaxis!r}", "yaxis")
    gates = np.asarray(da["range_gate"].values, dtype=np.float64)
    n = da.sizes["time"]
    if yaxis in LATITUDE_YAXES:
        if yaxis not in da.coords:
            raise InvalidArgumentError(
                f"{yaxis!r} needs the gates' positions: make the RTI with "
                f"coords={LATITUDE_YAXES[yaxis]!r}",
                "yaxis",
            )
        return latitude_edges(np.asarray(da[yaxis].transpose("time", "range_gate").values))
    if yaxis == "gate":
        row = np.append(gates - 0.5, gates[-1] + 0.5) if gates.size else np.array([-0.5, 0.5])
        return np.broadcast_to(row, (n, row.size))
    if "frang" not in da.coords or "rsep" not in da.coords:
        raise InvalidArgumentError(
            "the slant range needs the records' frang and rsep, which this RTI lacks", "yaxis"
        )
    frang = np.asarray(da["frang"].values, dtype=np.float64)[:, None]
    rsep = np.asarray(da["rsep"].values, dtype=np.float64)[:, None]
    edges = np.append(gates - 0.5, gates[-1] + 0.5)[None, :]
    return frang + rsep * edges


def latitude_edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges along each record's gates from the gate centres (``(records, gates)``).

    Inner edges are midway between neighbouring centres, the outer ones half a step beyond the
    first and last centre; gates without a position (NaN) take edges interpolated (or
    extrapolated linearly) along the record's gate index so that the mesh stays drawable
    (their cells hold no value to show).

    Args:
        centres: Latitudes (or any coordinate) of the gate centres, one row per record.

    Returns:
        ``(records, gates + 1)`` edges.
    """
    c = np.array(centres, dtype=np.float64, ndmin=2)
    index = np.arange(c.shape[1], dtype=np.float64)
    for row in c:
        good = np.isfinite(row)
        if good.sum() >= 2:
            known, values = index[good], row[good]
            row[~good] = np.interp(index[~good], known, values)
            for end, (a, b) in ((index < known[0], (0, 1)), (index > known[-1], (-2, -1))):
                slope = (values[b] - values[a]) / (known[b] - known[a])
                row[end] = values[b] + slope * (index[end] - known[b])
        elif good.any():
            row[~good] = row[good][0]
        else:
            row[:] = 0.0
    if c.shape[1] < 2:
        return np.concatenate([c - 0.5, c + 0.5], axis=1)
    mid = (c[:, 1:] + c[:, :-1]) / 2
    first = c[:, :1] - (mid[:, :1] - c[:, :1])
    last = c[:, -1:] + (c[:, -1:] - mid[:, -1:])
    return np.concatenate([first, mid, last], axis=1)


def _columns(da: xr.DataArray) -> tuple[np.ndarray, np.ndarray]:
    """The x edges (matplotlib dates, two per record: start and end) and which columns are data."""
    from matplotlib import dates

    start = dates.date2num(np.asarray(da["time"].values, dtype="datetime64[ns]"))
    end = dates.date2num(np.asarray(da["time_end"].values, dtype="datetime64[ns]"))
    x = np.empty(2 * start.size)
    x[0::2], x[1::2] = start, end
    return x, np.arange(2 * start.size - 1) % 2 == 0


def _mesh(da: xr.DataArray, yaxis: str, values: np.ndarray) -> tuple[Any, Any, Any]:
    """X, Y (``(gates + 1, 2 * records)``) and the masked C (``(gates, 2 * records - 1)``).

    Each record is a column of its own (start to end); the column between two records is
    masked, so a gap stays empty and each record keeps its own y edges.
    """
    x, data_columns = _columns(da)
    ny = _y_edges(da, yaxis)  # (records, gates + 1)
    y = np.repeat(ny, 2, axis=0).T  # (gates + 1, 2 * records)
    xx = np.broadcast_to(x, y.shape)
    n_gates = values.shape[1]
    c = np.full((n_gates, x.size - 1), np.nan)
    c[:, data_columns] = values.T
    return xx, y, np.ma.masked_invalid(c)


def _time_axis(ax: Any) -> None:
    from matplotlib import dates

    locator = dates.AutoDateLocator(minticks=3, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))


def draw_rti(
    ax: Any,
    da: xr.DataArray,
    yaxis: str = "gate",
    cmap: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = True,
) -> Any:
    """Draw an RTI DataArray of :func:`geospacexr.superdarn.rti` into matplotlib axes.

    Ground scatter is drawn grey when the DataArray was made with ``ground_scatter="grey"``
    (and listed in a legend); NaN cells and gaps between records are left empty.

    Args:
        ax: A matplotlib Axes.
        da: The RTI (``(time, range_gate)`` with ``time_end``, ``ground_scatter`` and, for the
            slant range, ``frang``/``rsep``).
        yaxis: ``"gate"``, ``"slant_range"``, ``"geo_lat"`` or ``"mag_lat"`` (:data:`YAXES`;
            the latitudes need the RTI's ``geo_lat``/``mag_lat``, ``rti(..., coords=...)``).
        cmap: Colour map (default: the parameter's, :data:`RTI_STYLES`).
        vmin: Lower colour limit (default: the parameter's, else from the data).
        vmax: Upper colour limit (default: the parameter's, else from the data).
        colorbar: Add a colour bar labelled with the quantity and its unit.

    Returns:
        The ``QuadMesh`` of the values.
    """
    values = np.asarray(da.transpose("time", "range_gate").values, dtype=np.float64)
    grey = da.attrs.get("ground_scatter") == "grey" and "ground_scatter" in da.coords
    flagged = (
        np.asarray(da["ground_scatter"].transpose("time", "range_gate").values, dtype=bool)
        & np.isfinite(values)
        if grey
        else np.zeros(values.shape, dtype=bool)
    )
    shown = np.where(flagged, np.nan, values)
    name, lo, hi = _scale(da.copy(data=shown), cmap, vmin, vmax)
    x, y, c = _mesh(da, yaxis, shown)
    mesh = ax.pcolormesh(x, y, c, cmap=name, vmin=lo, vmax=hi, shading="flat")
    if flagged.any():
        from matplotlib.colors import ListedColormap
        from matplotlib.patches import Patch

        _, _, g = _mesh(da, yaxis, np.where(flagged, 1.0, np.nan))
        ax.pcolormesh(x, y, g, cmap=ListedColormap([GROUND_COLOUR]), vmin=0, vmax=2)
        ax.legend(
            handles=[Patch(color=GROUND_COLOUR, label="ground scatter")],
            loc="upper right",
            fontsize=7,
            framealpha=0.7,
        )
    if colorbar:
        low = bool(np.any(shown[np.isfinite(shown)] < lo))
        high = bool(np.any(shown[np.isfinite(shown)] > hi))
        extend = {(True, True): "both", (True, False): "min", (False, True): "max"}.get(
            (low, high), "neither"
        )
        ax.figure.colorbar(mesh, ax=ax, label=_colour_label(da), extend=extend, pad=0.01)
    ax.set_ylabel(YAXES[yaxis][1])
    ax.set_xlim(x[0, 0], x[0, -1])
    _time_axis(ax)
    return mesh


def _where(attrs: dict[str, Any], first: Any, last: Any) -> str:
    station = attrs.get("radar_name") or (
        f"station {attrs['station_id']}" if "station_id" in attrs else "radar"
    )
    channel = attrs.get("channel", "all")
    beam = f"beam {attrs.get('beam', '?')}" + ("" if channel == "all" else f", channel {channel}")
    span = (
        np.datetime_as_string(first, unit="s").replace("T", " ")
        + " to "
        + np.datetime_as_string(last, unit="s")[11:]
        + " UT"
    )
    return f"{station}, {beam}, {span}"


def _new_figure(ax: Any, figsize: tuple[float, float]) -> tuple[Any, Any]:
    require_matplotlib()
    if ax is not None:
        return ax.figure, ax
    fig = new_figure(figsize)
    return fig, fig.add_subplot()


def _finish(fig: Any, save: str | os.PathLike[str] | None) -> Any:
    if save is not None:
        save_figure(fig, save)
    return fig


def _with_positions(a: dict[str, Any], yaxis: str) -> dict[str, Any]:
    """The compute arguments with the ``coords`` a latitude y axis needs."""
    need = LATITUDE_YAXES.get(yaxis)
    if need is None or a.get("coords") == need or a.get("coords") == "aacgm":
        return a
    return {**a, "coords": need}


def _draw_rti(ds: xr.Dataset, a: dict[str, Any], o: SimpleNamespace) -> Any:
    da = _rti_data(ds, **_with_positions(a, o.yaxis))
    fig, ax = _new_figure(o.ax, o.figsize)
    draw_rti(ax, da, o.yaxis, o.cmap, o.vmin, o.vmax)
    ax.set_xlabel("time (UT)")
    long_name = str(da.attrs.get("long_name", da.name))
    what = long_name[:1].upper() + long_name[1:]
    times = da["time"].values
    ax.set_title(
        o.title or f"{what} ({da.name})\n{_where(da.attrs, times[0], times[-1])}", fontsize=10
    )
    return _finish(fig, o.save)


plot_rti = figure_function(
    _rti_data,
    _draw_rti,
    name="plot_rti",
    module=__name__,
    summary="Range-time-intensity plot of one fitacf parameter for a beam "
    "(:func:`geospacexr.superdarn.rti`).",
    body="Each record is a column from its time to the next record's (a longer silence than "
    "``max_gap`` stays a gap); ground scatter is grey, coloured or hidden "
    "(``ground_scatter``); the colour bar names the quantity and its unit, with default "
    "limits and colour maps per parameter (:data:`RTI_STYLES`: velocity diverging and "
    "symmetric).",
    options=RTI_OPTIONS + DRAWING.select("cmap", "vmin", "vmax", "title", "save", "figsize", "ax"),
    defaults={"figsize": (9.0, 4.0)},
    docs={
        "cmap": "Colour map (default: the parameter's, :data:`RTI_STYLES`).",
        "vmin": "Lower colour limit (default: the parameter's, else from the data).",
        "vmax": "Upper colour limit (default: the parameter's, else from the data).",
        "ax": "Axes to draw into (default: a new figure); the figure of these axes is returned.",
    },
)


def _gapped(times: np.ndarray, ends: np.ndarray, values: np.ndarray) -> tuple[Any, Any]:
    """A line's x and y with a NaN break wherever the next record is beyond ``time_end``."""
    from matplotlib import dates

    x = dates.date2num(times)
    breaks = np.flatnonzero(ends[:-1] < times[1:])
    y = np.asarray(values, dtype=np.float64)
    if breaks.size:
        gap_x = (x[breaks] + dates.date2num(ends[breaks])) / 2  # within the gap
        x = np.insert(x, breaks + 1, gap_x)
        y = np.insert(y, breaks + 1, np.nan)
    return x, y


def _limits_with(values: np.ndarray, limits: tuple[float, float] | None, log: bool) -> Any:
    finite = values[np.isfinite(values)]
    if log:
        finite = finite[finite > 0]
    if limits is None:
        return None
    lo, hi = limits
    if finite.size:
        lo, hi = min(lo, float(finite.min())), max(hi, float(finite.max()))
    return lo, hi


def _scalar_panels(axes: list[Any], s: xr.Dataset) -> None:
    times, ends = s["time"].values, s["time_end"].values
    noise_ax, freq_ax, cp_ax = axes
    for name, style in (("noise.sky", "-"), ("noise.search", "--")):
        if name in s:
            values = np.asarray(s[name].values, dtype=np.float64)
            x, y = _gapped(times, ends, np.where(values > 0, values, np.nan))
            noise_ax.plot(x, y, style, color="k", lw=1, label=_SCALARS[name][0])
    noise_ax.set_yscale("log")
    noise_values = np.concatenate(
        [np.asarray(s[n].values, dtype=float) for n in ("noise.sky", "noise.search") if n in s]
        or [np.array([])]
    )
    lim = _limits_with(noise_values, _SCALARS["noise.sky"][1], log=True)
    noise_ax.set_ylim(*lim)
    noise_ax.set_ylabel("noise")
    noise_ax.legend(loc="upper right", fontsize=7, ncols=2, framealpha=0.7)
    if "tfreq" in s:
        mhz = np.asarray(s["tfreq"].values, dtype=np.float64) / _KHZ_PER_MHZ
        freq_ax.plot(*_gapped(times, ends, mhz), "--", color="k", lw=1)
        freq_ax.set_ylim(*_limits_with(mhz, _SCALARS["tfreq"][1], log=False))
    freq_ax.set_ylabel(_SCALARS["tfreq"][0])
    if "nave" in s:
        twin = freq_ax.twinx()
        nave = np.asarray(s["nave"].values, dtype=np.float64)
        twin.plot(*_gapped(times, ends, nave), "-", color="tab:blue", lw=1)
        twin.set_ylim(*_limits_with(nave, _SCALARS["nave"][1], log=False))
        twin.set_ylabel(_SCALARS["nave"][0], color="tab:blue")
        twin.tick_params(axis="y", colors="tab:blue")
    if "cp" in s:
        cp = np.asarray(s["cp"].values, dtype=np.float64)
        x, y = _gapped(times, ends, cp)
        cp_ax.step(x, y, where="post", color="k", lw=1)
        values = sorted({int(v) for v in cp[np.isfinite(cp)]})
        cp_ax.set_yticks(values)
        pad = max(1.0, 0.1 * (max(values) - min(values))) if values else 1.0
        if values:
            cp_ax.set_ylim(min(values) - pad, max(values) + pad)
    cp_ax.set_ylabel(_SCALARS["cp"][0])


def _draw_summary(ds: xr.Dataset, a: dict[str, Any], o: SimpleNamespace) -> Any:
    s = _beam_summary(ds, **_with_positions(a, o.yaxis))
    panels = s.attrs["parameters"].split()
    require_matplotlib()
    fig = new_figure(o.figsize)
    heights = [1.0, 1.0, 0.7] + [2.0] * len(panels)
    axes = fig.subplots(len(heights), 1, sharex=True, gridspec_kw={"height_ratios": heights})
    _scalar_panels(list(axes[:3]), s)
    for ax, name in zip(axes[3:], panels, strict=True):
        da = s[name].assign_coords(ground_scatter=s["ground_scatter"])
        da.attrs = dict(s[name].attrs)
        draw_rti(ax, da, o.yaxis)
    for ax in axes[:3]:
        ax.grid(alpha=0.3)
        ax.set_ylabel(ax.get_ylabel(), rotation=0, ha="right", va="center")
        # the scalar panels keep the width of the RTI panels, whose colour bars take room
        fig.colorbar(_invisible_mappable(), ax=ax, pad=0.01).ax.set_visible(False)
    axes[-1].set_xlabel("time (UT)")
    axes[0].set_xlim(*_columns(s[panels[0]])[0][[0, -1]])
    times = s["time"].values
    fig.suptitle(o.title or f"Summary: {_where(s.attrs, times[0], times[-1])}", fontsize=11)
    return _finish(fig, o.save)


def _invisible_mappable() -> Any:
    from matplotlib.cm import ScalarMappable

    return ScalarMappable()


plot_summary = figure_function(
    _beam_summary,
    _draw_summary,
    name="plot_summary",
    module=__name__,
    summary="Summary plot of one beam: noise, frequency and averages, CPID, then RTI panels "
    "(pyDARN's ``plot_summary``; :func:`geospacexr.superdarn.beam_summary`).",
    body="The scalar panels show sky (solid) and search (dashed) noise on a log scale, the "
    "frequency (MHz, dashed) with the number of averages (blue, right axis) and the control "
    "program, with breaks where records are missing; below them one RTI per parameter "
    "(:func:`plot_rti`'s columns, colour maps and limits).",
    options=RTI_OPTIONS + DRAWING.select("title", "save", "figsize"),
    defaults={"figsize": (11.0, 8.5)},
)
