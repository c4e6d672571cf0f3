"""Riometer figures: a line plot, a stack plot (one panel per site or HSR band), a site map.

PyUCRio's plots (``pyucrio.tools.plot``: line and stack plots of raw or absorption data with
moving-average downsampling, and site maps coloured by data availability), drawn from the pure
functions of :mod:`geospacexr.rio` (:func:`~geospacexr.rio.quantity`,
:func:`~geospacexr.rio.downsample`, :func:`~geospacexr.rio.field_of_view`). matplotlib and
cartopy are imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from ..errors import InvalidArgumentError
from ..io.instruments import (
    FALLBACK_COLOUR,
    UnknownInstrumentError,
    get_instrument,
    instrument_sites,
    label_of,
)
from ..rio.series import downsample, field_of_view, quantity
from .common import new_axes, new_figure, require_matplotlib, time_window

__all__ = ["NO_DATA_COLOUR", "plot_rio_line", "plot_rio_site_map", "plot_rio_stack"]

#: Colour of the fields of view of sites without data on a site map (light grey).
NO_DATA_COLOUR = "0.65"


def _datasets(data: xr.Dataset | Sequence[xr.Dataset] | None, where: str) -> list[xr.Dataset]:
    if data is None:
        return []
    items = [data] if isinstance(data, xr.Dataset) else list(data)
    for ds in items:
        require(ds, "riometer", where=where)
    return items


def _bands(series: xr.DataArray, frequency: Any) -> list[xr.DataArray]:
    """One series per band: the selected (nearest) frequencies, or every band."""
    if "frequency" not in series.dims:
        return [series]
    if frequency is None:
        chosen = series["frequency"].values
    else:
        wanted = np.atleast_1d(np.asarray(frequency, dtype=float))
        chosen = series["frequency"].sel(frequency=wanted, method="nearest").values
    return [series.sel(frequency=f) for f in dict.fromkeys(chosen.tolist())]


def _prepared(
    ds: xr.Dataset,
    what: str,
    qdc: xr.DataArray | None,
    qdc_options: dict[str, Any] | None,
    window_s: float | None,
    start: Any,
    end: Any,
) -> xr.DataArray:
    series = quantity(ds, what, qdc, **(qdc_options or {}))
    series = series.isel(time=time_window(series["time"].values, start, end))
    if series.sizes["time"] == 0:
        raise InvalidArgumentError(
            f"no riometer sample between {start} and {end} (the data cover "
            f"{ds.time.values[0]} to {ds.time.values[-1]})",
            argument="start",
        )
    return downsample(series, window_s)


def _y_label(series: xr.DataArray) -> str:
    units = series.attrs.get("units", "")
    name = str(series.attrs.get("long_name", series.name or ""))
    return f"{name} ({units})" if units else name


def _mhz(series: xr.DataArray) -> str:
    f = series.coords.get("frequency")
    return "" if f is None or f.ndim else f"{float(f):g} MHz"


def _site_tag(ds: xr.Dataset) -> str:
    return str(ds.attrs.get("site", "")).upper() or "?"


def _time_axis(ax: Any) -> None:
    """UT ticks (concise dates: the day written once) and the axis label."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("time (UT)")


def _caption(ds: xr.Dataset, series: xr.DataArray) -> str:
    site = str(ds.attrs.get("site_name", "")) or _site_tag(ds)
    window = float(series.attrs.get("window_s", 0.0))
    text = f"{label_of(str(ds.attrs.get('instrument', '')))} {site} ({_site_tag(ds)})"
    return text + (f", {window:g} s averages" if window else "")


def plot_rio_line(
    ds: xr.Dataset,
    what: str = "raw",
    qdc: xr.DataArray | None = None,
    qdc_options: dict[str, Any] | None = None,
    window_s: float | None = None,
    frequency: float | Sequence[float] | None = None,
    start: Any = None,
    end: Any = None,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Line plot of one riometer's raw signal or absorption against UT (one line per HSR band).

    Args:
        ds: A ``riometer`` Dataset.
        what: ``"raw"``, ``"signal"`` (dB), ``"absorption"`` or ``"k2"``
            (:func:`geospacexr.rio.quantity`).
        qdc: The quiet-day curve for ``"absorption"`` (default: built from ``ds``).
        qdc_options: Options of :func:`geospacexr.rio.quiet_day_curve` when ``qdc`` is
            ``None`` (e.g. ``{"days": 3}``).
        window_s: Moving-average window, seconds (default ``rio.plot_window_s``; 0: every
            sample).
        frequency: HSR bands to draw (nearest band centres, MHz; default every band).
        start: First time drawn (default: the first sample).
        end: Last time drawn (default: the last sample).
        ax: Axes to draw into (default: a new figure).
        title: Title (default: instrument, site and averaging window).

    Returns:
        The matplotlib Axes.

    Raises:
        InvalidArgumentError: If ``what`` is unknown or no sample lies between ``start`` and
            ``end``.
    """
    (ds,) = _datasets(ds, "plot_rio_line")
    series = _prepared(ds, what, qdc, qdc_options, window_s, start, end)
    ax = new_axes(ax, (8.0, 3.5))
    bands = _bands(series, frequency)
    for band in bands:
        ax.plot(band["time"].values, band.values, linewidth=0.8, label=_mhz(band) or None)
    if len(bands) > 1:
        ax.legend(fontsize=7, ncols=min(len(bands), 4), title="band", title_fontsize=7)
    ax.set_ylabel(_y_label(series))
    ax.set_xlim(series["time"].values[0], series["time"].values[-1])
    _time_axis(ax)
    ax.set_title(title if title is not None else _caption(ds, series), fontsize=10)
    ax.grid(True, linewidth=0.3, color="0.8")
    return ax


def plot_rio_stack(
    data: xr.Dataset | Sequence[xr.Dataset],
    what: str = "raw",
    qdc_options: dict[str, Any] | None = None,
    window_s: float | None = None,
    frequency: float | Sequence[float] | None = None,
    start: Any = None,
    end: Any = None,
    figsize: tuple[float, float] | None = None,
    title: str | None = None,
    axes: Sequence[Any] | None = None,
) -> Any:
    """Stack plot: one panel per site (a list of Datasets) or per HSR band, sharing the UT axis.

    Each panel is labelled with its site and frequency and its own quantity and unit; the
    panels share the time axis (in UT), so events line up from site to site or band to band.

    Args:
        data: A ``riometer`` Dataset or several (one per site).
        what: ``"raw"``, ``"signal"`` (dB), ``"absorption"`` or ``"k2"``
            (:func:`geospacexr.rio.quantity`); for ``"absorption"`` each Dataset gets its own
            quiet-day curve.
        qdc_options: Options of :func:`geospacexr.rio.quiet_day_curve` (e.g. ``{"days": 3}``).
        window_s: Moving-average window, seconds (default ``rio.plot_window_s``; 0: every
            sample).
        frequency: HSR bands to draw (nearest band centres, MHz; default every band).
        start: First time drawn (default: the first sample).
        end: Last time drawn (default: the last sample).
        figsize: Figure size, inches (default: 8 wide, 1.3 per panel).
        title: Title (default: the quantity and the averaging window).
        axes: Axes to draw the panels into, one per panel, top to bottom (to compose the stack
            with other panels, e.g. an all-sky imager keogram); default: a new figure.

    Returns:
        The matplotlib Figure (its axes top to bottom in ``fig.axes``; with ``axes``, their
        figure).

    Raises:
        InvalidArgumentError: If no Dataset is given, ``what`` is unknown, a Dataset has no
            sample between ``start`` and ``end``, or ``axes`` has not one Axes per panel.
    """
    require_matplotlib()
    items = _datasets(data, "plot_rio_stack")
    if not items:
        raise InvalidArgumentError("plot_rio_stack needs at least one Dataset", "data")
    panels: list[tuple[xr.Dataset, xr.DataArray]] = []
    for ds in items:
        series = _prepared(ds, what, None, qdc_options, window_s, start, end)
        panels.extend((ds, band) for band in _bands(series, frequency))
    if axes is None:
        size = figsize if figsize is not None else (8.0, 1.0 + 1.3 * len(panels))
        fig = new_figure(size)
        axes = list(fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0])
    else:
        axes = list(axes)
        if len(axes) != len(panels):
            raise InvalidArgumentError(
                f"{len(panels)} panel(s) to draw into {len(axes)} Axes", argument="axes"
            )
        fig = axes[0].figure
        for ax in axes[:-1]:
            ax.tick_params(labelbottom=False)
    for ax, (ds, band) in zip(axes, panels, strict=True):
        colour = _colour(ds)
        ax.plot(band["time"].values, band.values, linewidth=0.8, color=colour)
        tag = " ".join(t for t in (_site_tag(ds), _mhz(band)) if t)
        ax.text(
            0.995, 0.92, tag, transform=ax.transAxes, ha="right", va="top", fontsize=8,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1.5},
        )  # fmt: skip
        ax.set_ylabel(_y_label(band), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(True, linewidth=0.3, color="0.8")
    span = (
        min(band["time"].values[0] for _, band in panels),
        max(band["time"].values[-1] for _, band in panels),
    )
    for ax in axes:
        ax.set_xlim(*span)
    _time_axis(axes[-1])
    first = panels[0][1]
    window = float(first.attrs.get("window_s", 0.0))
    name = str(first.attrs.get("long_name", what))
    default = f"riometer {name}" + (f", {window:g} s averages" if window else "")
    if len(fig.axes) == len(axes):
        fig.suptitle(title if title is not None else default, fontsize=10)
    else:  # composed with other panels: the title goes on the top panel
        axes[0].set_title(title if title is not None else default, fontsize=10)
    return fig


def _colour(ds: xr.Dataset) -> str:
    """The instrument table's colour of a riometer Dataset's instrument (grey if unknown).

    Args:
        ds: A ``riometer`` Dataset.

    Returns:
        A matplotlib colour.
    """
    try:
        return get_instrument(str(ds.attrs.get("instrument", ""))).colour
    except UnknownInstrumentError:
        return FALLBACK_COLOUR


def _available(items: list[xr.Dataset], start: Any, end: Any) -> dict[tuple[str, str], float]:
    """(instrument, site) -> fraction of the shown interval with finite samples."""
    out: dict[tuple[str, str], float] = {}
    for ds in items:
        times = ds["time"].values
        keep = time_window(times, start, end)
        name = "raw_power" if "raw_power" in ds else "raw_signal"
        if name not in ds or not keep.any():
            continue
        values = ds[name].transpose("time", ...).values[keep].reshape(int(keep.sum()), -1)
        good = np.isfinite(values).any(axis=1)
        t0 = np.datetime64(start, "ns") if start is not None else times[keep][0]
        t1 = np.datetime64(end, "ns") if end is not None else times[keep][-1]
        span = max(float((t1 - t0) / np.timedelta64(1, "s")), 1.0)
        steps = np.diff(times[keep]) / np.timedelta64(1, "s")
        cadence = float(np.median(steps)) if steps.size else 1.0
        fraction = min(1.0, good.sum() * cadence / span)
        try:
            instrument = get_instrument(str(ds.attrs.get("instrument", ""))).name
        except UnknownInstrumentError:
            continue  # an instrument the table does not know: no site of the map
        key = (instrument, str(ds.attrs.get("site", "")))
        out[key] = max(out.get(key, 0.0), fraction)
    return out


def plot_rio_site_map(
    data: xr.Dataset | Sequence[xr.Dataset] | None = None,
    instruments: Sequence[str] | None = None,
    sites: Sequence[str] | None = None,
    height_km: float | None = None,
    beam_width_deg: float | None = None,
    start: Any = None,
    end: Any = None,
    projection: str = "north_polar",
    extent: tuple[float, float, float, float] | None = None,
    show_coastlines: bool = True,
    ax: Any = None,
) -> Any:
    """Map of riometer sites and fields of view, coloured by data availability.

    The sites and positions come from the instrument table (:mod:`geospacexr.io.instruments`,
    rows of kind ``"riometer"``). Each field of view is the circle a zenith beam of
    ``beam_width_deg`` covers at ``height_km`` (:func:`geospacexr.rio.field_of_view`): filled
    in the instrument's colour where ``data`` has samples of that site (the fill's opacity is
    the fraction of the interval covered), a grey outline where it has none.

    Args:
        data: ``riometer`` Datasets whose sites count as available (default: none).
        instruments: Instrument names (default every riometer of the table).
        sites: Site codes to draw (default: every site of the instruments).
        height_km: Absorbing layer height, km (default ``rio.fov_height_km``).
        beam_width_deg: Full beam width, degrees (default ``rio.beam_width_deg``).
        start: Start of the interval availability is measured over (default: the data's).
        end: End of that interval (default: the data's).
        projection: A name of :data:`geospacexr.plot.options.PROJECTIONS`.
        extent: ``(lon0, lon1, lat0, lat1)`` (default: around the sites drawn).
        show_coastlines: Draw the shipped Natural Earth coastlines.
        ax: A cartopy GeoAxes to draw into (default: a new figure).

    Returns:
        The matplotlib Axes.

    Raises:
        InvalidArgumentError: If no listed site is left to draw.
    """
    require_matplotlib()
    import cartopy.crs as ccrs
    from matplotlib.patches import Patch
    from matplotlib.transforms import offset_copy

    from ..resources import coastlines
    from .common import map_projection

    items = _datasets(data, "plot_rio_site_map")
    wanted = None if instruments is None else {get_instrument(n).name for n in instruments}
    codes = None if sites is None else {s.lower() for s in sites}
    chosen = [
        (row, site)
        for row, site in instrument_sites("riometer")
        if (wanted is None or row.name in wanted) and (codes is None or site.code in codes)
    ]
    if not chosen:
        raise InvalidArgumentError("no riometer site of the table to draw", argument="sites")
    available = _available(items, start, end)
    rings = [field_of_view(site.lat, site.lon, height_km, beam_width_deg) for _, site in chosen]
    if extent is None:
        lons = np.concatenate([r["lon"].values for r in rings])
        lats = np.concatenate([r["lat"].values for r in rings])
        extent = (
            float(np.nanmin(lons)) - 4,
            float(np.nanmax(lons)) + 4,
            float(np.nanmin(lats)) - 2,
            float(np.nanmax(lats)) + 2,
        )
    if ax is None:
        fig = new_figure((7, 6))
        centre = 0.5 * (extent[0] + extent[1])
        ax = fig.add_subplot(projection=map_projection(projection, central_longitude=centre))
    plate = ccrs.PlateCarree()
    if show_coastlines:
        for line in coastlines():
            ax.plot(line[:, 0], line[:, 1], color="0.6", linewidth=0.6, transform=plate)
    ax.set_extent(extent, crs=plate)
    ax.gridlines(linewidth=0.4, color="0.7")
    labelled: list[tuple[str, float, float]] = []  # one label per site shared by instruments
    for (row, site), ring in zip(chosen, rings, strict=True):
        fraction = available.get((row.name, site.code), 0.0)
        has = fraction > 0
        ax.fill(  # counter-clockwise (azimuth decreasing): cartopy fills the inside
            ring["lon"].values[::-1],
            ring["lat"].values[::-1],
            facecolor=row.colour if has else "none",
            alpha=0.25 + 0.5 * fraction if has else None,
            edgecolor=row.colour if has else NO_DATA_COLOUR,
            linewidth=1.2 if has else 0.8,
            transform=ccrs.Geodetic(),
            gid=f"fov:{row.name}:{site.code}:{'data' if has else 'none'}",
        )
        lon0, lon1, lat0, lat1 = extent
        if not (lon0 <= site.lon <= lon1 and lat0 <= site.lat <= lat1):
            continue  # outside the map: no marker, no label (text is not clipped to the map)
        ax.plot(site.lon, site.lat, marker="^", color="k", markersize=3, transform=plate)
        if any(
            c == site.code and abs(la - site.lat) < 0.2 and abs(lo - site.lon) < 0.2
            for c, la, lo in labelled
        ):
            continue
        labelled.append((site.code, site.lat, site.lon))
        below = offset_copy(plate._as_mpl_transform(ax), fig=ax.figure, y=-5.0, units="points")
        ax.text(
            site.lon,
            site.lat,
            site.code.upper(),
            fontsize=6,
            ha="center",
            va="top",
            color="k" if has else "0.35",
            fontweight="bold" if has else "normal",
            transform=below,
            clip_on=True,
        )
    handles = [
        Patch(facecolor=row.colour, edgecolor=row.colour, alpha=0.6, label=f"{row.label}: data")
        for row in dict.fromkeys(r for r, _ in chosen)
    ]
    handles.append(Patch(facecolor="none", edgecolor=NO_DATA_COLOUR, label="no data"))
    ax.legend(handles=handles, loc="lower left", fontsize=7)
    height = float(config.resolve(height_km, "rio.fov_height_km"))
    width = float(config.resolve(beam_width_deg, "rio.beam_width_deg"))
    radius = rings[0].attrs["radius_km"]
    ax.set_title(
        f"riometer fields of view: {width:g} degree beams at {height:g} km "
        f"({radius:.0f} km radius)",
        fontsize=10,
    )
    return ax
