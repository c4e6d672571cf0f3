"""All-sky imager figures: a frame, a keogram."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from .._declare import figure_function, with_option_docs
from ..asi.keogram import keogram as _keogram
from ..errors import InvalidArgumentError
from ..io.instruments import TableView, colour_of
from .common import new_axes, new_figure
from .options import DRAWING

__all__ = [
    "plot_asi_keogram",
    "plot_asi_movie",
    "plot_fov",
    "plot_image",
    "plot_keogram",
    "plot_map",
    "plot_montage",
]


_IMAGE_CMAP = "Colour map of single-channel images and grids (default ``gray``)."
_GEOAXES = "A cartopy GeoAxes to draw into (default: a new figure)."


def _limits(values: np.ndarray, percentiles: tuple[float, float]) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = np.percentile(finite, percentiles)
    return float(lo), float(hi if hi > lo else lo + 1)


@with_option_docs(DRAWING, cmap=_IMAGE_CMAP)
def plot_image(
    ds: xr.Dataset,
    time: Any = None,
    ax: Any = None,
    percentiles: tuple[float, float] = (1.0, 99.5),
    cmap: str = "gray",
    skymap: xr.Dataset | None = None,
    contours: str | None = None,
    levels: Any = None,
    altitude_km: float | None = None,
) -> Any:
    """Show one frame of an ``asi`` Dataset as the sky looks (``origin="lower"``).

    With a skymap, contour lines of ``"elevation"``, ``"azimuth"``, geographic (``"geo"``:
    latitude and longitude at ``altitude_km``) or magnetic (``"mag"``: AACGM-v2) coordinates
    are drawn over the image (PyAuroraX's ccd_contour).

    Args:
        ds: An ``asi`` Dataset.
        time: Frame time (nearest frame is shown); default the first frame.
        ax: Axes to draw into (default: a new figure).
        percentiles: Contrast limits as percentiles of the frame.
        cmap: Colour map for single-channel images.
        skymap: The site's skymap, for contours.
        contours: ``"elevation"``, ``"azimuth"``, ``"geo"`` or ``"mag"``.
        levels: Contour levels (default: sensible ones for each kind).
        altitude_km: Mapping altitude for geo/mag contours (default 110).

    Returns:
        The matplotlib Axes.
    """
    require(ds, "asi", ["image"], where="plot_image")
    frame = (
        ds["image"].isel(time=0) if time is None else ds["image"].sel(time=time, method="nearest")
    )
    values = np.asarray(frame.values, dtype=np.float64)
    lo, hi = _limits(values, percentiles)
    ax = new_axes(ax, (5.0, 5.0))
    if "channel" in frame.dims:
        ax.imshow(np.clip((values - lo) / (hi - lo), 0, 1), origin="lower")
    else:
        im = ax.imshow(values, origin="lower", cmap=cmap, vmin=lo, vmax=hi)
        ax.figure.colorbar(im, ax=ax, label=ds["image"].attrs.get("units", ""), shrink=0.8)
    if contours is not None:
        _draw_contours(ax, ds, skymap, contours, levels, altitude_km)
    stamp = np.datetime_as_string(frame["time"].values, unit="s").replace("T", " ")
    ax.set_title(f"{ds.attrs.get('instrument', '').upper()} {ds.attrs.get('site', '')} {stamp} UT")
    ax.set_xlabel("x (pixel)")
    ax.set_ylabel("y (pixel)")
    return ax


def _draw_contours(
    ax: Any,
    ds: xr.Dataset,
    skymap: xr.Dataset | None,
    kind: str,
    levels: Any,
    altitude_km: float | None,
) -> None:
    from ..asi.skymaps import check_skymap, magnetic, pixel_centres

    if skymap is None:
        raise InvalidArgumentError(f"contours={kind!r} need the site's skymap", "skymap")
    check_skymap(ds, skymap)
    fields: list[tuple[np.ndarray, Any, str]] = []
    if kind == "elevation":
        fields.append((skymap["elevation"].values, levels or [10, 20, 30, 45, 60, 75], "orange"))
    elif kind == "azimuth":
        fields.append((skymap["azimuth"].values, levels or list(range(0, 360, 45)), "cyan"))
    elif kind in ("geo", "mag"):
        if kind == "geo":
            pos = pixel_centres(skymap, altitude_km)
            lat, lon = pos["lat"].values, pos["lon"].values
        else:
            pos = magnetic(skymap, ds["time"].values[0], altitude_km)
            lat, lon = pos["mlat"].values, pos["mlon"].values
        fields.append(
            (
                lat,
                levels or np.arange(np.floor(np.nanmin(lat)), np.ceil(np.nanmax(lat)) + 1, 2.0),
                "yellow",
            )
        )
        fields.append(
            (lon, np.arange(np.floor(np.nanmin(lon) / 5) * 5, np.nanmax(lon) + 5, 5.0), "lime")
        )
    else:
        raise InvalidArgumentError(
            f"must be 'elevation', 'azimuth', 'geo' or 'mag', not {kind!r}", "contours"
        )
    for values, lv, colour in fields:
        cs = ax.contour(values, levels=lv, colors=colour, linewidths=0.7, origin="lower")
        ax.clabel(cs, fontsize=6, fmt="%g")


@with_option_docs(DRAWING, cmap=_IMAGE_CMAP)
def plot_keogram(
    keogram: xr.DataArray,
    ax: Any = None,
    percentiles: tuple[float, float] = (1.0, 99.5),
    cmap: str = "gray",
) -> Any:
    """Draw a keogram (rows against time).

    Args:
        keogram: DataArray ``(y|lat|mlat, time)`` from :func:`geospacexr.asi.keogram`.
        ax: Axes to draw into (default: a new figure).
        percentiles: Contrast limits.
        cmap: Colour map.

    Returns:
        The matplotlib Axes.
    """
    ax = new_axes(ax, (8.0, 3.5))
    row = keogram.dims[0]
    values = np.asarray(keogram.values, dtype=np.float64)
    lo, hi = _limits(values, percentiles)
    times = keogram["time"].values
    mesh = ax.pcolormesh(
        times, keogram[row].values, values, cmap=cmap, vmin=lo, vmax=hi, shading="nearest"
    )
    ax.figure.colorbar(mesh, ax=ax, label=keogram.attrs.get("units", ""))
    ax.set_ylabel(row)
    ax.set_xlabel("time (UT)")
    ax.set_title(keogram.attrs.get("long_name", "keogram"))
    return ax


@with_option_docs(DRAWING, cmap=_IMAGE_CMAP)
def plot_montage(
    ds: xr.Dataset,
    times: Any = None,
    step: int | None = None,
    columns: int = 4,
    percentiles: tuple[float, float] = (1.0, 99.5),
    cmap: str = "gray",
) -> Any:
    """A grid of frames with their timestamps.

    Args:
        ds: An ``asi`` Dataset.
        times: Times to show (nearest frames); default every ``step``-th frame.
        step: Frame step when ``times`` is not given (default: about 12 panels).
        columns: Panels per row.
        percentiles: Contrast limits, common to all panels.
        cmap: Colour map for single-channel images.

    Returns:
        The matplotlib Figure.
    """
    from .common import require_matplotlib

    require(ds, "asi", ["image"], where="plot_montage")
    require_matplotlib()
    if times is not None:
        index = [
            int(np.argmin(np.abs(ds["time"].values - np.datetime64(t, "ns"))))
            for t in np.atleast_1d(times)
        ]
    else:
        n = ds.sizes["time"]
        step = step or max(1, n // 12)
        index = list(range(0, n, step))
    rows = -(-len(index) // columns)
    fig = new_figure((2.6 * columns, 2.8 * rows))
    sample = np.asarray(ds["image"].isel(time=index).values, dtype=np.float64)
    lo, hi = _limits(sample, percentiles)
    for k, i in enumerate(index):
        ax = fig.add_subplot(rows, columns, k + 1)
        frame = sample[k]
        if frame.ndim == 3:
            ax.imshow(np.clip((frame - lo) / (hi - lo), 0, 1), origin="lower")
        else:
            ax.imshow(frame, origin="lower", cmap=cmap, vmin=lo, vmax=hi)
        ax.set_title(
            np.datetime_as_string(ds["time"].values[i], unit="s").replace("T", " "), fontsize=8
        )
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"{ds.attrs.get('instrument', '').upper()} {ds.attrs.get('site', '')}")
    return fig


@with_option_docs(DRAWING, cmap=_IMAGE_CMAP, ax=_GEOAXES)
def plot_map(
    ds: xr.Dataset,
    time: Any = None,
    projection: str = "north_polar",
    extent: tuple[float, float, float, float] | None = None,
    percentiles: tuple[float, float] = (1.0, 99.5),
    cmap: str = "gray",
    sites: dict[str, tuple[float, float]] | None = None,
    show_coastlines: bool = True,
    ax: Any = None,
    fields_of_view: list[xr.Dataset] | None = None,
    footprint: xr.Dataset | None = None,
    mag_lines: float | None = None,
    geo_labels: bool = True,
    min_elevation: float | None = None,
    spectrographs: Sequence[tuple[xr.Dataset | xr.DataArray, xr.Dataset]] | None = None,
    emission: str = "green",
    spectrograph_scale: tuple[float, float] | None = None,
) -> Any:
    """Map of a mosaic or grid file (an ``asi_grid`` Dataset) on a cartopy projection.

    Coastlines come from the Natural Earth files shipped in the package (nothing is downloaded).
    Optional overlays: the sites' fields of view coloured by network (:func:`plot_fov`),
    AACGM-v2 magnetic latitude/longitude lines (PyAuroraX's ``add_mag_contours``), a
    satellite footprint track with the frame's time marked, and TREx spectrograph slits laid
    over the mosaic, each bin a polygon at the mosaic's altitude coloured by an emission's
    intensity in the spectrum nearest the frame (PyAuroraX's mosaic overlay:
    :func:`geospacexr.plot.spectrograph.plot_slit`, 0–5000 R ``gnuplot2`` by default).

    Args:
        ds: An ``asi_grid`` Dataset (:func:`geospacexr.asi.mosaic` or
            :func:`geospacexr.open_asi_grid`).
        time: Frame time (nearest); default the first.
        projection: A name of :data:`geospacexr.plot.options.PROJECTIONS`.
        extent: ``(lon0, lon1, lat0, lat1)`` to show (default: the covered cells).
        percentiles: Contrast limits.
        cmap: Colour map (single-channel grids).
        sites: ``{name: (lat, lon)}`` markers to draw.
        show_coastlines: Draw the shipped coastlines.
        ax: A cartopy GeoAxes to draw into (default: a new figure).
        fields_of_view: Skymaps whose fields of view (at the mosaic's altitude) to outline.
        footprint: A footprint track (``lat``, ``lon`` along ``time``) to draw; the point
            nearest the frame's time is marked.
        mag_lines: Spacing, degrees, of AACGM-v2 magnetic latitude lines (longitude lines every
            three times that), dated to the frame; ``None`` draws none.
        geo_labels: Label the geographic grid lines.
        min_elevation: Elevation cutoff of the fields of view (default from config).
        spectrographs: ``(spectra, skymap)`` pairs of TREx spectrographs to lay over the map:
            calibrated (L1) spectra (or an emission's intensities ``(time, spatial)`` in R) and
            the spectrograph's skymap. A spectrograph with no spectrum within one of its
            cadences of the frame is left out with a :class:`~geospacexr.errors.DataWarning`.
        emission: The emission colouring the slits (``green``, ``red``, ``blue``, ``hbeta``;
            :func:`geospacexr.asi.spectrograph.emission_intensity`).
        spectrograph_scale: ``(low, high)`` R of the slits' colour scale (default PyAuroraX's
            0–5000 R).

    Returns:
        The matplotlib Axes.
    """
    import cartopy.crs as ccrs

    from .common import require_matplotlib

    require(ds, "asi_grid", ["image"], where="plot_map")
    require_matplotlib()
    frame = (
        ds["image"].isel(time=0) if time is None else ds["image"].sel(time=time, method="nearest")
    )
    values = np.asarray(frame.values, dtype=np.float64)
    covered = np.isfinite(values) if values.ndim == 2 else np.isfinite(values).all(axis=-1)
    lats, lons = ds["lat"].values, ds["lon"].values
    if extent is None and covered.any():
        rows, cols = np.flatnonzero(covered.any(axis=1)), np.flatnonzero(covered.any(axis=0))
        extent = (
            float(lons[cols[0]]) - 3,
            float(lons[cols[-1]]) + 3,
            float(lats[rows[0]]) - 2,
            float(lats[rows[-1]]) + 2,
        )
    if ax is None:
        ax = _new_map(projection, extent)
    lo, hi = _limits(values[covered] if values.ndim == 2 else values[covered].ravel(), percentiles)
    if values.ndim == 3:
        ax.pcolormesh(
            lons, lats, np.clip((values - lo) / (hi - lo), 0, 1), transform=ccrs.PlateCarree()
        )
    else:
        mesh = ax.pcolormesh(
            lons, lats, values, cmap=cmap, vmin=lo, vmax=hi, transform=ccrs.PlateCarree()
        )
        ax.figure.colorbar(mesh, ax=ax, shrink=0.7, label=ds["image"].attrs.get("units", ""))
    if show_coastlines:
        _draw_coastlines(ax)
    if extent is not None:
        ax.set_extent(extent, crs=ccrs.PlateCarree())
    _geo_lines(ax, geo_labels)
    for name, (lat, lon) in (sites or {}).items():
        ax.plot(lon, lat, marker="^", color="red", transform=ccrs.PlateCarree())
        ax.text(lon, lat, f" {name}", color="red", fontsize=8, transform=ccrs.PlateCarree())
    altitude = ds.attrs.get("altitude_km")
    if fields_of_view:
        _fov_rings(ax, fields_of_view, altitude, min_elevation)
    if mag_lines is not None:
        _mag_lines(ax, float(mag_lines), frame["time"].values, altitude, extent)
    if footprint is not None:
        _footprint(ax, footprint, frame["time"].values)
    if spectrographs:
        _spectrograph_slits(
            ax, spectrographs, emission, spectrograph_scale, frame["time"].values, altitude
        )
    if fields_of_view or footprint is not None:
        ax.legend(loc="lower left", fontsize=7)
    stamp = np.datetime_as_string(frame["time"].values, unit="s").replace("T", " ")
    ax.set_title(f"{ds.attrs.get('altitude_km', '')} km, {stamp} UT")
    return ax


def _spectrograph_slits(
    ax: Any,
    spectrographs: Sequence[tuple[xr.Dataset | xr.DataArray, xr.Dataset]],
    emission: str,
    scale: tuple[float, float] | None,
    when: np.datetime64,
    altitude: Any,
) -> None:
    """Each spectrograph's slit at the mosaic's altitude, coloured at the frame's time."""
    import warnings

    from ..asi.spectrograph import emission_intensity
    from ..errors import DataWarning
    from .spectrograph import SLIT_SCALE_R, plot_slit

    try:
        pairs = [(spectra, sky) for spectra, sky in spectrographs]
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            "must be a list of (spectra, spectrograph skymap) pairs", argument="spectrographs"
        ) from None
    drawn = False
    for spectra, sky in pairs:
        values = (
            spectra
            if isinstance(spectra, xr.DataArray) and "wavelength" not in spectra.dims
            else emission_intensity(spectra, emission)
        )
        times = values["time"].values
        gaps = np.abs((times - when).astype("timedelta64[ns]").astype(np.float64))
        k = int(np.argmin(gaps))
        steps = np.diff(times).astype("timedelta64[ns]").astype(np.float64)
        cadence = float(np.median(steps)) if steps.size else 0.0
        if gaps[k] > cadence:
            stamp = np.datetime_as_string(when, unit="s")
            warnings.warn(
                f"the {sky.attrs.get('site', '')} spectrograph has no spectrum near {stamp} "
                f"(its spectra: {np.datetime_as_string(times[0], unit='s')} to "
                f"{np.datetime_as_string(times[-1], unit='s')}): its slit is not drawn",
                DataWarning,
                stacklevel=3,
            )
            continue
        plot_slit(
            values.isel(time=k),
            sky,
            ax=ax,
            height_km=altitude,
            scale=SLIT_SCALE_R if scale is None else scale,
            colorbar=not drawn,
        )
        drawn = True


#: Colours of the networks' fields of view (by the skymaps' ``instrument`` attribute, names and
#: aliases): a live view of the instrument table's ``colour`` (:mod:`geospacexr.io.instruments`).
NETWORK_COLOURS = TableView(lambda row: row.colour, aliases=True)


def _new_map(projection: str, extent: Any) -> Any:
    """A new figure with one GeoAxes centred on the extent's middle longitude."""
    from .common import map_projection

    centre = 0.0 if extent is None else 0.5 * (extent[0] + extent[1])
    fig = new_figure((7, 6))
    return fig.add_subplot(projection=map_projection(projection, central_longitude=centre))


def _draw_coastlines(ax: Any) -> None:
    """The shipped Natural Earth coastlines, thin grey."""
    import cartopy.crs as ccrs

    from ..resources import coastlines

    for line in coastlines():
        ax.plot(line[:, 0], line[:, 1], color="0.6", linewidth=0.6, transform=ccrs.PlateCarree())


def _geo_lines(ax: Any, labels: bool) -> None:
    try:
        gl = ax.gridlines(draw_labels=labels, linewidth=0.4, color="0.7", x_inline=False)
    except TypeError:  # projections without label support
        gl = ax.gridlines(draw_labels=False, linewidth=0.4, color="0.7")
    if labels and hasattr(gl, "xlabel_style"):
        gl.xlabel_style = gl.ylabel_style = {"size": 7, "color": "0.4"}


def _fov_rings(
    ax: Any, skymaps: list[xr.Dataset], altitude_km: Any, min_elevation: float | None
) -> None:
    import cartopy.crs as ccrs

    from ..asi.coverage import field_of_view

    seen: set[str] = set()
    for sky in skymaps:
        ring = field_of_view(sky, altitude_km=altitude_km, min_elevation=min_elevation)
        network = str(sky.attrs.get("instrument", "")).lower()
        colour = colour_of(network)
        ax.plot(
            ring["lon"].values,
            ring["lat"].values,
            color=colour,
            linewidth=1.2,
            transform=ccrs.Geodetic(),
            label=None if network in seen else network.upper(),
        )
        seen.add(network)


def _mag_lines(ax: Any, step: float, when: Any, altitude_km: Any, extent: Any) -> None:
    """AACGM-v2 latitude/longitude lines: contours of mlat and mlon on a geographic mesh."""
    import cartopy.crs as ccrs

    if not np.isfinite(step) or step <= 0:
        raise InvalidArgumentError(
            f"must be a positive spacing in degrees, not {step!r}", "mag_lines"
        )
    try:
        import aacgmv2
    except ImportError:
        raise ImportError("magnetic lines need aacgmv2: pip install 'geospacexr[asi]'") from None
    lon0, lon1, lat0, lat1 = extent if extent is not None else (-180.0, 180.0, 40.0, 90.0)
    lats = np.linspace(max(lat0 - 5, -89.5), min(lat1 + 5, 89.5), 121)
    lons = np.linspace(lon0 - 10, lon1 + 10, 241)
    glat, glon = np.meshgrid(lats, lons, indexing="ij")
    height = float(altitude_km) if altitude_km not in (None, "") else 0.0
    mlat, mlon, _ = aacgmv2.convert_latlon_arr(
        glat.ravel(),
        glon.ravel(),
        height,
        np.datetime64(when, "s").astype(object),
        method_code="G2A",
    )
    mlat, mlon = mlat.reshape(glat.shape), mlon.reshape(glat.shape)
    finite = np.isfinite(mlat)
    if not finite.any():
        return
    lat_levels = np.arange(np.ceil(np.nanmin(mlat) / step) * step, np.nanmax(mlat) + 1e-9, step)
    cs = ax.contour(
        glon,
        glat,
        mlat,
        levels=lat_levels,
        colors="gold",
        linewidths=0.7,
        transform=ccrs.PlateCarree(),
    )
    ax.clabel(cs, fmt="%g°", fontsize=6)
    # longitude lines: contour a continuous version (unwrapped across the +-180 jump)
    lon_step = 3 * step
    unwrapped = np.unwrap(np.radians(np.where(finite, mlon, 0.0)), axis=1)
    unwrapped = np.degrees(np.unwrap(unwrapped, axis=0))
    unwrapped = np.where(finite, unwrapped, np.nan)
    levels = np.arange(
        np.ceil(np.nanmin(unwrapped) / lon_step) * lon_step, np.nanmax(unwrapped) + 1e-9, lon_step
    )
    ax.contour(
        glon,
        glat,
        unwrapped,
        levels=levels,
        colors="gold",
        linewidths=0.5,
        linestyles="--",
        transform=ccrs.PlateCarree(),
    )


def _footprint(ax: Any, track: xr.Dataset, when: Any) -> None:
    import cartopy.crs as ccrs

    if (
        not isinstance(track, xr.Dataset)
        or not {"lat", "lon"} <= set(track.variables)
        or "time" not in track.dims
    ):
        raise InvalidArgumentError("must be a Dataset with lat and lon along time", "footprint")
    ax.plot(
        track["lon"].values,
        track["lat"].values,
        color="magenta",
        linewidth=1.0,
        transform=ccrs.Geodetic(),
        label="footprint",
    )
    i = int(np.argmin(np.abs(track["time"].values - np.datetime64(when, "ns"))))
    ax.plot(
        float(track["lon"].values[i]),
        float(track["lat"].values[i]),
        marker="o",
        color="magenta",
        markersize=6,
        transform=ccrs.PlateCarree(),
    )


@with_option_docs(DRAWING, ax=_GEOAXES)
def plot_fov(
    skymaps: list[xr.Dataset],
    altitude_km: float | None = None,
    min_elevation: float | None = None,
    projection: str = "north_polar",
    extent: tuple[float, float, float, float] | None = None,
    mag_lines: float | None = None,
    date: Any = None,
    show_coastlines: bool = True,
    ax: Any = None,
) -> Any:
    """Map of the sites' fields of view, coloured by network (PyAuroraX's FoV maps).

    Args:
        skymaps: The sites' skymaps (``instrument`` attribute picks the colour,
            :data:`NETWORK_COLOURS`).
        altitude_km: Mapping altitude, km (default from config ``asi.altitude_km``).
        min_elevation: Elevation cutoff, degrees (default from config ``asi.min_elevation``).
        projection: A name of :data:`geospacexr.plot.options.PROJECTIONS`.
        extent: ``(lon0, lon1, lat0, lat1)`` (default: around the fields of view).
        mag_lines: Spacing of AACGM-v2 latitude lines, degrees (``None``: none).
        date: Date of the magnetic lines (default: the first skymap's ``valid_start``).
        show_coastlines: Draw the shipped coastlines.
        ax: A cartopy GeoAxes to draw into (default: a new figure).

    Returns:
        The matplotlib Axes.

    Raises:
        ValueError: If no skymap is given.
    """
    import cartopy.crs as ccrs

    from ..asi.coverage import field_of_view
    from .common import require_matplotlib

    require_matplotlib()
    if not skymaps:
        raise InvalidArgumentError("plot_fov needs at least one skymap", "skymaps")
    for sky in skymaps:
        require(sky, "skymap", where="plot_fov")
    altitude = float(config.resolve(altitude_km, "asi.altitude_km"))
    rings = [field_of_view(s, altitude, min_elevation) for s in skymaps]
    if extent is None:
        lats = np.concatenate([r["lat"].values for r in rings])
        lons = np.concatenate([r["lon"].values for r in rings])
        extent = (
            float(np.nanmin(lons)) - 3,
            float(np.nanmax(lons)) + 3,
            float(np.nanmin(lats)) - 2,
            float(np.nanmax(lats)) + 2,
        )
    if ax is None:
        ax = _new_map(projection, extent)
    if show_coastlines:
        _draw_coastlines(ax)
    ax.set_extent(extent, crs=ccrs.PlateCarree())
    _geo_lines(ax, True)
    _fov_rings(ax, skymaps, altitude, min_elevation)
    ax.legend(loc="lower left", fontsize=7, title="field of view", title_fontsize=7)
    for sky in skymaps:
        lat, lon = float(sky.attrs["site_lat"]), float(sky.attrs["site_lon"])
        ax.plot(lon, lat, marker="^", color="k", markersize=4, transform=ccrs.PlateCarree())
        ax.text(
            lon,
            lat,
            f" {str(sky.attrs.get('site', '')).upper()}",
            fontsize=7,
            transform=ccrs.PlateCarree(),
        )
    if mag_lines is not None:
        when = date if date is not None else skymaps[0].attrs.get("valid_start") or "2020-01-01"
        _mag_lines(ax, float(mag_lines), np.datetime64(when), altitude, extent)
    cutoff = float(config.resolve(min_elevation, "asi.min_elevation"))
    ax.set_title(f"fields of view at {altitude:g} km above {cutoff:g} degrees elevation")
    return ax


def _draw_asi_keogram(ds: xr.Dataset, a: dict[str, Any], o: Any) -> Any:
    return plot_keogram(_keogram(ds, **a), ax=o.ax, percentiles=o.percentiles, cmap=o.cmap)


plot_asi_keogram = figure_function(
    _keogram,
    _draw_asi_keogram,
    name="plot_asi_keogram",
    module=__name__,
    summary="Build the keogram of an ``asi`` Dataset and draw it "
    "(:func:`geospacexr.asi.keogram`, :func:`plot_keogram`).",
    options=DRAWING.select("ax", "percentiles", "cmap"),
    defaults={"cmap": "gray"},
    docs={"cmap": _IMAGE_CMAP},
    returns="The matplotlib Axes.",
)


def plot_asi_movie(
    ds: xr.Dataset,
    out: str | os.PathLike[str],
    start: Any = None,
    end: Any = None,
    fps: float = 10.0,
    percentiles: tuple[float, float] = (1.0, 99.5),
    workers: int | None = None,
) -> Any:
    """A movie (MP4 or GIF) of the frames between ``start`` and ``end``, with timestamps.

    The contrast limits are common to every frame: the ``percentiles`` of a sample of about ten
    frames spread over the movie. On a mosaic or grid file (kind ``asi_grid``) the frames are
    maps (:func:`plot_map`). Frames are rendered in parallel and the file is written
    atomically (:func:`geospacexr.plot.movie.write_movie`).

    Args:
        ds: An ``asi`` Dataset, or a mosaic/grid file (``asi_grid``).
        out: Output ``.mp4`` (H.264 through imageio-ffmpeg: libx264 at the preset
            ``io.movie_preset``, default ``veryfast``, and quality ``io.movie_crf`` of
            :mod:`geospacexr.config`) or ``.gif`` (Pillow) file.
        start: First time (default: the first frame).
        end: Last time (default: the last frame).
        fps: Frames per second.
        percentiles: Contrast limits, common to every frame.
        workers: Rendering threads.

    Returns:
        The path written.
    """
    from .common import time_window
    from .movie import write_movie

    require(ds, ("asi", "asi_grid"), ["image"], where="plot_asi_movie")
    sub = ds.isel(time=np.flatnonzero(time_window(ds["time"].values, start, end)))
    if ds.attrs.get("geospacexr_kind") == "asi_grid":  # a mosaic or grid file: maps
        return write_movie(
            _MapFrame(sub, percentiles), sub.sizes["time"], out, fps=fps, workers=workers
        )
    step = max(1, sub.sizes["time"] // 10)
    sample = np.asarray(sub["image"].isel(time=slice(None, None, step)).values, dtype=float)
    lo, hi = _limits(sample, percentiles)
    return write_movie(_ImageFrame(sub, lo, hi), sub.sizes["time"], out, fps=fps, workers=workers)


class _ImageFrame:
    """Frame ``i`` of an image movie with fixed contrast limits."""

    def __init__(self, ds: xr.Dataset, lo: float, hi: float) -> None:
        self.ds, self.lo, self.hi = ds, lo, hi

    def __call__(self, i: int) -> Any:
        ax = plot_image(self.ds, time=self.ds["time"].values[i], percentiles=(0.0, 100.0))
        for image in ax.images:
            image.set_clim(self.lo, self.hi)
        return ax.figure


class _MapFrame:
    """Frame ``i`` of a mosaic movie (a map)."""

    def __init__(self, ds: xr.Dataset, percentiles: tuple[float, float]) -> None:
        self.ds, self.percentiles = ds, percentiles

    def __call__(self, i: int) -> Any:
        return plot_map(self.ds, self.ds["time"].values[i], percentiles=self.percentiles).figure
