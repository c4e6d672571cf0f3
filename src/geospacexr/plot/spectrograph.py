"""Spectrograph figures: the slit coloured by an emission's intensity, and its keogram.

The colour scale defaults are PyAuroraX's for spectrograph data on mosaics
(``pyaurorax.tools.mosaic``: 0–5000 R, the ``gnuplot2`` colour map).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ..asi.spectrograph import slit_polygons
from ..errors import InvalidArgumentError
from .common import new_axes

__all__ = ["SLIT_CMAP", "SLIT_SCALE_R", "plot_slit", "plot_spectrograph_keogram"]

#: PyAuroraX's colour map for spectrograph intensities on mosaics.
SLIT_CMAP = "gnuplot2"
#: PyAuroraX's default spectrograph intensity scale on mosaics (R).
SLIT_SCALE_R = (0.0, 5000.0)


def plot_slit(
    intensity: xr.DataArray,
    skymap: xr.Dataset,
    ax: Any = None,
    time: Any = None,
    height_km: float | None = None,
    width_deg: float | None = None,
    cmap: str = SLIT_CMAP,
    scale: tuple[float, float] = SLIT_SCALE_R,
    colorbar: bool = True,
) -> Any:
    """Draw the slit's bins as polygons coloured by intensity (on a map or plain axes).

    On a cartopy GeoAxes (an ASI map or mosaic from :mod:`geospacexr.plot.asi`) the polygons
    are drawn in geographic coordinates (``PlateCarree``), over what is already there.

    Args:
        intensity: ``(time, spatial)`` or ``(spatial,)`` intensities in R
            (:func:`geospacexr.asi.spectrograph.emission_intensity`).
        skymap: The spectrograph skymap.
        ax: Axes to draw into (default: new plain axes in longitude/latitude).
        time: Time to draw (nearest) when ``intensity`` has a time dimension; default the first.
        height_km: Mapping height (default ``asi.altitude_km``).
        width_deg: East-west width of a bin (default PyAuroraX's 1 degree).
        cmap: Colour map (default PyAuroraX's ``gnuplot2``).
        scale: ``(low, high)`` of the colour scale in R (default PyAuroraX's 0–5000 R).
        colorbar: Whether to add a colour bar.

    Returns:
        The matplotlib Axes.

    Raises:
        InvalidArgumentError: If the intensities and the skymap do not have the same bins.
    """
    from matplotlib.collections import PolyCollection

    values = intensity
    if "time" in values.dims:
        values = values.isel(time=0) if time is None else values.sel(time=time, method="nearest")
    poly = slit_polygons(skymap, height_km, width_deg)
    if values.sizes.get("spatial") != poly.sizes["spatial"]:
        raise InvalidArgumentError(
            f"{values.sizes.get('spatial')} intensity bins for a skymap of {poly.sizes['spatial']}",
            argument="intensity",
        )
    ax = new_axes(ax, (4.0, 6.0))
    verts = np.stack([poly.lon.values, poly.lat.values], axis=-1)
    kwargs: dict[str, Any] = {}
    if hasattr(ax, "projection"):  # a cartopy GeoAxes
        import cartopy.crs as ccrs

        kwargs["transform"] = ccrs.PlateCarree()
    coll = PolyCollection(verts, cmap=cmap, edgecolors="none", **kwargs)
    coll.set_array(np.asarray(values.values, dtype=np.float64))
    coll.set_clim(*scale)
    ax.add_collection(coll)
    if not hasattr(ax, "projection"):
        ax.autoscale_view()
        ax.set_xlabel("longitude (°E)")
        ax.set_ylabel("latitude (°N)")
    if colorbar:
        units = intensity.attrs.get("units", "R")
        name = intensity.attrs.get("long_name", "intensity")
        ax.figure.colorbar(coll, ax=ax, shrink=0.7, label=f"{name} ({units})")
    return ax


def plot_spectrograph_keogram(
    keogram: xr.DataArray,
    ax: Any = None,
    cmap: str = SLIT_CMAP,
    scale: tuple[float, float] = SLIT_SCALE_R,
) -> Any:
    """Draw a spectrograph keogram (bins, or their latitudes, against time).

    Args:
        keogram: ``(spatial, time)`` from :func:`geospacexr.asi.spectrograph.spectrograph_keogram`
            (rows at ``lat`` when it has that coordinate).
        ax: Axes to draw into (default: a new figure).
        cmap: Colour map (default PyAuroraX's ``gnuplot2``).
        scale: ``(low, high)`` colour scale in R (default 0–5000 R).

    Returns:
        The matplotlib Axes.
    """
    ax = new_axes(ax, (8.0, 3.5))
    rows = keogram["lat"].values if "lat" in keogram.coords else keogram["spatial"].values
    mesh = ax.pcolormesh(
        keogram["time"].values,
        rows,
        np.asarray(keogram.values, dtype=np.float64),
        cmap=cmap,
        vmin=scale[0],
        vmax=scale[1],
        shading="nearest",
    )
    ax.figure.colorbar(mesh, ax=ax, label=keogram.attrs.get("units", "R"))
    ax.set_ylabel("latitude (°N)" if "lat" in keogram.coords else "spatial bin")
    ax.set_xlabel("time (UT)")
    ax.set_title(keogram.attrs.get("long_name", "spectrograph keogram"))
    return ax
