"""Spectrograph science: emission intensities per spatial bin and spectrograph keograms.

An emission's intensity in one spatial bin is the trapezoidal integral of the calibrated
spectrum (R/nm, :func:`geospacexr.io.spectrograph.open_spect_l1`) over the line's band minus
the integral over a nearby background band, in Rayleighs. The default bands
(:data:`EMISSION_BANDS`) are PyAuroraX's (``pyaurorax.tools.spectra.get_intensity``, 1.27):
the samples whose wavelength lies in ``[low, high]`` (inclusive) are integrated, and by default
the background band's *integral* is subtracted as PyAuroraX subtracts it
(``subtract="integral"``), so the numbers equal PyAuroraX's on the same files. Where the two
bands have different widths (blue: 3.5 nm line, 2 nm background; H-beta: 3 nm and 2 nm) that
leaves part of the continuum in the result; ``subtract="mean"`` removes the background band's
mean level over the line band's width instead, which removes a flat continuum exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .. import config
from ..errors import InvalidArgumentError

__all__ = [
    "EMISSION_BANDS",
    "SLIT_WIDTH_DEG",
    "ccd_position",
    "emission_intensity",
    "list_emissions",
    "slit_on_ccd",
    "slit_polygons",
    "spectrograph_keogram",
]

#: Emission -> line centre (nm), integration band and background band (nm, inclusive): the
#: choices of PyAuroraX 1.27 (``tools.spectra.get_intensity``): green 557.0 ± 1.5 / 552.0 ± 1.5,
#: red 630.0 ± 1.5 / 625.0 ± 1.5, blue 427.8 - 3.0 .. + 0.5 / 430.0 ± 1.0, H-beta 486.1 ± 1.5 /
#: 480.0 ± 1.0.
EMISSION_BANDS: dict[str, dict[str, Any]] = {
    "green": {"line_nm": 557.7, "band": (555.5, 558.5), "background": (550.5, 553.5),
              "description": "O I 557.7 nm"},
    "red": {"line_nm": 630.0, "band": (628.5, 631.5), "background": (623.5, 626.5),
            "description": "O I 630.0 nm"},
    "blue": {"line_nm": 427.8, "band": (424.8, 428.3), "background": (429.0, 431.0),
             "description": "N2+ 427.8 nm (first negative)"},
    "hbeta": {"line_nm": 486.1, "band": (484.6, 487.6), "background": (479.0, 481.0),
              "description": "H-beta 486.1 nm (proton aurora)"},
}  # fmt: skip
_SUBTRACT = ("integral", "mean")
#: East-west width (degrees of longitude) PyAuroraX gives each slit bin's polygon on maps
#: (``pyaurorax.tools.mosaic``: ``SPECT_WIDTH_DEG``).
SLIT_WIDTH_DEG = 1.0


def list_emissions(details: bool = False) -> list[str] | list[dict[str, Any]]:
    """Return the emissions :func:`emission_intensity` knows by name.

    Args:
        details: If true, one dict per emission (``name``, ``description``, ``line_nm``,
            ``band``, ``background``).

    Returns:
        Sorted names, or dicts sorted by name.
    """
    names = sorted(EMISSION_BANDS)
    if not details:
        return names
    return [{"name": n, **EMISSION_BANDS[n]} for n in names]


def _band(value: Any, argument: str) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"must be a (low, high) pair of wavelengths in nm, not {value!r}", argument=argument
        ) from None
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise InvalidArgumentError(
            f"must be finite wavelengths with low < high, not {value!r}", argument=argument
        )
    return low, high


def _integrate(
    spectra: xr.DataArray, band: tuple[float, float], argument: str
) -> tuple[xr.DataArray, float]:
    """Trapezoidal integral over the samples in ``band`` and the span they cover (nm)."""
    wave = spectra.wavelength.values
    inside = np.flatnonzero((wave >= band[0]) & (wave <= band[1]))
    if inside.size < 2:
        raise InvalidArgumentError(
            f"{band[0]:g}-{band[1]:g} nm holds {inside.size} wavelength sample(s) of the data "
            f"({wave.min():.2f}-{wave.max():.2f} nm); an integral needs at least two",
            argument=argument,
        )
    part = spectra.isel(wavelength=inside).astype(np.float64)
    return part.integrate("wavelength"), float(wave[inside[-1]] - wave[inside[0]])


def emission_intensity(
    ds: xr.Dataset,
    emission: str = "green",
    band: tuple[float, float] | None = None,
    background: tuple[float, float] | bool | None = None,
    subtract: str = "integral",
) -> xr.DataArray:
    """Intensity of an emission in each spatial bin at each time, in Rayleighs.

    Args:
        ds: Calibrated (L1) spectrograph spectra (``spectra`` ``(time, wavelength, spatial)``
            in R/nm, :func:`geospacexr.io.spectrograph.open_spect_l1`), or the ``spectra``
            DataArray itself.
        emission: ``"green"``, ``"red"``, ``"blue"`` or ``"hbeta"``: the default bands
            (:data:`EMISSION_BANDS`, PyAuroraX's).
        band: ``(low, high)`` nm to integrate instead of the emission's band.
        background: ``(low, high)`` nm of the background band instead of the emission's;
            ``False`` for no background subtraction.
        subtract: ``"integral"`` (PyAuroraX: minus the background band's integral) or
            ``"mean"`` (minus the background band's mean level times the line band's span).

    Returns:
        ``intensity`` ``(time, spatial)`` float64 in R, with the bands used in its attrs.

    Raises:
        InvalidArgumentError: If ``ds`` holds no calibrated spectra, the emission is unknown,
            a band is malformed or holds fewer than two wavelength samples, or ``subtract``
            is unknown.

    Example:
        >>> l1 = geospacexr.datasets.open_sample("trex_spect-rabb")["l1"]  # doctest: +SKIP
        >>> emission_intensity(l1, "green").isel(time=0).max()  # doctest: +SKIP
    """
    spectra = ds if isinstance(ds, xr.DataArray) else ds.get("spectra")
    if spectra is None or "wavelength" not in getattr(spectra, "dims", ()):
        raise InvalidArgumentError(
            "needs calibrated spectrograph spectra with a wavelength dimension (open L1 files "
            "with geospacexr.io.spectrograph.open_spect_l1; raw counts have no wavelengths)",
            argument="ds",
        )
    if emission not in EMISSION_BANDS:
        raise InvalidArgumentError(
            f"must be one of {', '.join(sorted(EMISSION_BANDS))}, not {emission!r}",
            argument="emission",
        )
    if subtract not in _SUBTRACT:
        raise InvalidArgumentError(
            f"must be one of {', '.join(_SUBTRACT)}, not {subtract!r}", argument="subtract"
        )
    row = EMISSION_BANDS[emission]
    line_band = _band(row["band"] if band is None else band, "band")
    if background is False:
        bg_band = None
    elif background is None or background is True:
        bg_band = _band(row["background"], "background")
    else:
        bg_band = _band(background, "background")
    result, span = _integrate(spectra, line_band, "band")
    if bg_band is not None:
        bg, bg_span = _integrate(spectra, bg_band, "background")
        result = result - (bg if subtract == "integral" else bg * (span / bg_span))
    attrs = dict(spectra.attrs)
    result = result.rename("intensity")
    result.attrs = {
        "long_name": f"{row['description'] if band is None else 'band'} intensity",
        "units": "R",
        "emission": emission,
        "band_nm": list(line_band),
        "background_nm": [] if bg_band is None else list(bg_band),
        "subtract": subtract if bg_band is not None else "none",
        "method": "trapezoidal integral of the band minus the background band (PyAuroraX's)",
    }
    for key in ("site", "device", "instrument"):
        if key in getattr(ds, "attrs", attrs):
            result.attrs[key] = getattr(ds, "attrs", attrs)[key]
    dims = [d for d in ("time", "spatial") if d in result.dims]
    return result.transpose(*dims, ...)


def spectrograph_keogram(
    ds: xr.Dataset,
    emission: str = "green",
    skymap: xr.Dataset | None = None,
    height_km: float | None = None,
    **kwargs: Any,
) -> xr.DataArray:
    """A spectrograph keogram: an emission's intensity, spatial bin x time.

    Args:
        ds: Calibrated (L1) spectra, as for :func:`emission_intensity`.
        emission: The emission (see :func:`emission_intensity`).
        skymap: The spectrograph skymap; when given, ``lat`` and ``lon`` of each bin at
            ``height_km`` become coordinates along ``spatial``.
        height_km: Mapping height (default ``asi.altitude_km``).
        **kwargs: ``band``, ``background`` and ``subtract`` of :func:`emission_intensity`.

    Returns:
        ``keogram`` ``(spatial, time)`` in R.

    Raises:
        InvalidArgumentError: As :func:`emission_intensity`, or if ``skymap`` does not have
            as many bins as the spectra.
    """
    intensity = emission_intensity(ds, emission, **kwargs)
    keo = intensity.transpose("spatial", "time").rename("keogram")
    keo.attrs["long_name"] = f"{intensity.attrs['long_name']} keogram"
    if skymap is not None:
        from ..io.spectrograph import slit_positions

        height = float(config.resolve(height_km, "asi.altitude_km"))
        where = slit_positions(skymap, height)
        if where.sizes["spatial"] != keo.sizes["spatial"]:
            raise InvalidArgumentError(
                f"the skymap has {where.sizes['spatial']} bins, the spectra {keo.sizes['spatial']}",
                argument="skymap",
            )
        keo = keo.assign_coords(
            lat=("spatial", where.lat.values, {"units": "degrees_north"}),
            lon=("spatial", where.lon.values, {"units": "degrees_east"}),
        )
        keo.attrs["height_km"] = height
    return keo


def slit_polygons(
    skymap: xr.Dataset, height_km: float | None = None, width_deg: float | None = None
) -> xr.Dataset:
    """The slit's bins as map polygons at a height, as PyAuroraX draws them on mosaics.

    Each bin is the quadrilateral between its two edges (interpolated to ``height_km`` with
    :func:`geospacexr.io.spectrograph.slit_positions`), widened east and west by half of
    ``width_deg`` degrees of longitude: vertices (edge 1 west, edge 2 west, edge 2 east,
    edge 1 east, edge 1 west again), PyAuroraX's order. Unlike PyAuroraX, the last bin gets its
    polygon too (PyAuroraX's loop stops one bin short).

    Args:
        skymap: A spectrograph skymap (:func:`geospacexr.io.spectrograph.open_spect_skymap`).
        height_km: Mapping height (default ``asi.altitude_km``).
        width_deg: East-west width (default :data:`SLIT_WIDTH_DEG`, PyAuroraX's).

    Returns:
        ``lat`` and ``lon`` ``(spatial, vertex)`` with 5 vertices (closed polygons).

    Raises:
        InvalidArgumentError: If ``skymap`` is not a spectrograph skymap, the height is not
            positive or the width is not a positive number.
    """
    from ..io.spectrograph import slit_positions

    height = float(config.resolve(height_km, "asi.altitude_km"))
    width = SLIT_WIDTH_DEG if width_deg is None else float(width_deg)
    if not np.isfinite(width) or width <= 0:
        raise InvalidArgumentError(
            f"must be a positive width, not {width_deg!r}", argument="width_deg"
        )
    edges = slit_positions(skymap, height)
    lat_e, lon_e = edges.lat_edge.values, edges.lon_edge.values
    lat1, lat2, lon1, lon2 = lat_e[:-1], lat_e[1:], lon_e[:-1], lon_e[1:]
    half = width / 2.0
    lon = np.stack([lon1 - half, lon2 - half, lon2 + half, lon1 + half, lon1 - half], axis=-1)
    lat = np.stack([lat1, lat2, lat2, lat1, lat1], axis=-1)
    return xr.Dataset(
        {
            "lat": (("spatial", "vertex"), lat, {"units": "degrees_north"}),
            "lon": (
                ("spatial", "vertex"),
                (lon + 180.0) % 360.0 - 180.0,
                {"units": "degrees_east"},
            ),
        },
        coords={"spatial": edges.spatial.values},
        attrs={"height_km": height, "width_deg": width, "site": skymap.attrs.get("site", "")},
    )


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Unit vectors (..., 3) of latitudes and longitudes in degrees."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _local_offsets(
    clat: np.ndarray, clon: np.ndarray, py: np.ndarray, px: np.ndarray, lat: Any, lon: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Sub-pixel offsets (dx, dy) from pixel (px, py) to (lat, lon): one Newton step.

    The pixel-centre field's derivatives along columns and rows (central differences, one-sided
    at the field of view's edge) make a 2x2 Jacobian in local north/east degrees; the offsets
    solve it. An offset of more than a pixel (a point beyond the field of view's last pixel)
    is NaN; without a Jacobian (a lone pixel) the offset is 0.
    """
    ny, nx = clat.shape

    def derivative(axis_len: int, index: np.ndarray, step: tuple[int, int]) -> np.ndarray:
        lo = np.clip(index - 1, 0, axis_len - 1)
        hi = np.clip(index + 1, 0, axis_len - 1)
        if step == (0, 1):
            a = (py, lo)
            b = (py, hi)
        else:
            a = (lo, px)
            b = (hi, px)
        dlat = (clat[b] - clat[a]) / np.maximum(hi - lo, 1)
        dlon = ((clon[b] - clon[a] + 180.0) % 360.0 - 180.0) / np.maximum(hi - lo, 1)
        return np.stack([dlat, dlon * np.cos(np.radians(clat[py, px]))], axis=-1)

    jx = derivative(nx, px, (0, 1))  # (n, 2): d(north, east)/dx
    jy = derivative(ny, py, (1, 0))
    target = np.stack(
        [
            np.asarray(lat) - clat[py, px],
            ((np.asarray(lon) - clon[py, px] + 180.0) % 360.0 - 180.0)
            * np.cos(np.radians(clat[py, px])),
        ],
        axis=-1,
    )
    det = jx[:, 0] * jy[:, 1] - jx[:, 1] * jy[:, 0]
    ok = np.isfinite(det) & (np.abs(det) > 0)
    safe = np.where(ok, det, 1.0)
    dx = (target[:, 0] * jy[:, 1] - target[:, 1] * jy[:, 0]) / safe
    dy = (jx[:, 0] * target[:, 1] - jx[:, 1] * target[:, 0]) / safe
    dx = np.where(ok, dx, 0.0)
    dy = np.where(ok, dy, 0.0)
    beyond = (np.abs(dx) > 1.0) | (np.abs(dy) > 1.0)
    return np.where(beyond, np.nan, dx), np.where(beyond, np.nan, dy)


def ccd_position(
    skymap: xr.Dataset,
    lat: Any,
    lon: Any,
    altitude_km: float | None = None,
    min_elevation: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Where points at a mapping altitude fall on an imager's CCD, to a fraction of a pixel.

    Each point goes to the pixel whose centre (at ``altitude_km``,
    :func:`geospacexr.asi.skymaps.pixel_centres`) is nearest on the sphere, then is moved within
    that pixel by the local gradient of the pixel-centre field (one Newton step). Points farther
    than one pixel diagonal from every pixel above ``min_elevation`` (the rule of
    :func:`geospacexr.asi.custom.path_pixels`), or more than a pixel beyond the nearest one, are
    outside the field of view: NaN.

    Args:
        skymap: The imager's skymap (:func:`geospacexr.open_skymap`).
        lat: Geographic latitudes, degrees (any shape).
        lon: Geographic longitudes, degrees east (same shape).
        altitude_km: Mapping altitude, km (default from config ``asi.altitude_km``); within the
            skymap's altitudes.
        min_elevation: Elevation cutoff, degrees (default from config ``asi.min_elevation``).

    Returns:
        ``(x, y)``: float arrays of ``lat``'s shape, column and row as in ``image[y, x]``
        (pixel ``k`` spans ``k - 0.5`` to ``k + 0.5``); NaN outside the field of view.

    Raises:
        InvalidArgumentError: If ``lat`` and ``lon`` differ in shape, or no pixel is above
            ``min_elevation``.
        OutOfRangeError: If the altitude is outside the skymap's altitudes.
    """
    from scipy.spatial import cKDTree

    from ..geodesy import great_circle_deg
    from .skymaps import pixel_centres, skymap_at

    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    if lat.shape != lon.shape:
        raise InvalidArgumentError(
            f"lat {lat.shape} and lon {lon.shape} must have the same shape", argument="lon"
        )
    centres = pixel_centres(skymap, altitude_km)
    altitude = float(centres["altitude"])
    clat = centres["lat"].values.astype(np.float64)
    clon = centres["lon"].values.astype(np.float64)
    cutoff = float(config.resolve(min_elevation, "asi.min_elevation"))
    elevation = skymap["elevation"].values.astype(np.float64)
    valid = np.isfinite(clat) & np.isfinite(clon) & np.isfinite(elevation) & (elevation >= cutoff)
    if not valid.any():
        raise InvalidArgumentError(
            f"no pixel of this skymap is above {cutoff:g} degrees elevation",
            argument="min_elevation",
        )
    corners = skymap_at(skymap, altitude)
    qlat, qlon = corners["lat_corner"].values, corners["lon_corner"].values
    diagonal = np.fmax(
        great_circle_deg(qlat[:-1, :-1], qlon[:-1, :-1], qlat[1:, 1:], qlon[1:, 1:]),
        great_circle_deg(qlat[1:, :-1], qlon[1:, :-1], qlat[:-1, 1:], qlon[:-1, 1:]),
    )
    vy, vx = np.nonzero(valid)
    flat_lat, flat_lon = lat.ravel(), lon.ravel()
    x = np.full(flat_lat.shape, np.nan)
    y = np.full(flat_lat.shape, np.nan)
    finite = np.isfinite(flat_lat) & np.isfinite(flat_lon)
    if finite.any():
        tree = cKDTree(_unit(clat[valid], clon[valid]))
        _, idx = tree.query(_unit(flat_lat[finite], flat_lon[finite]))
        py, px = vy[idx], vx[idx]
        distance = great_circle_deg(flat_lat[finite], flat_lon[finite], clat[py, px], clon[py, px])
        size = diagonal[py, px]
        inside = ~(np.isfinite(size) & (distance > size))
        dx, dy = _local_offsets(clat, clon, py, px, flat_lat[finite], flat_lon[finite])
        x[finite] = np.where(inside, px + dx, np.nan)
        y[finite] = np.where(inside, py + dy, np.nan)
    return x.reshape(lat.shape), y.reshape(lat.shape)


def slit_on_ccd(
    skymap: xr.Dataset,
    imager_skymap: xr.Dataset,
    height_km: float | None = None,
    width_deg: float | None = None,
    min_elevation: float | None = None,
) -> xr.Dataset:
    """The slit's bins as polygons on an imager's CCD: the slit drawn over its images.

    The map polygons of :func:`slit_polygons` (at ``height_km``) are put on the CCD with
    :func:`ccd_position`; a bin with a vertex outside the imager's field of view is left out
    (all its vertices NaN).

    Args:
        skymap: The spectrograph skymap (:func:`geospacexr.io.spectrograph.open_spect_skymap`).
        imager_skymap: The imager's skymap (:func:`geospacexr.open_skymap`).
        height_km: Mapping height (default ``asi.altitude_km``), within the imager skymap's
            altitudes.
        width_deg: East-west width of a bin (default :data:`SLIT_WIDTH_DEG`, PyAuroraX's).
        min_elevation: The imager's elevation cutoff (default ``asi.min_elevation``).

    Returns:
        ``x`` and ``y`` ``(spatial, vertex)`` (column and row, as in ``image[y, x]``), with
        ``lat``/``lon`` of the map polygons and ``inside`` ``(spatial)``: the bins drawn.

    Raises:
        InvalidArgumentError: As :func:`slit_polygons` and :func:`ccd_position`.
        OutOfRangeError: If the height is outside the imager skymap's altitudes.
    """
    poly = slit_polygons(skymap, height_km, width_deg)
    x, y = ccd_position(
        imager_skymap, poly.lat.values, poly.lon.values, poly.attrs["height_km"], min_elevation
    )
    inside = np.isfinite(x).all(axis=-1) & np.isfinite(y).all(axis=-1)
    x[~inside] = np.nan
    y[~inside] = np.nan
    dims = ("spatial", "vertex")
    return poly.assign(
        x=(dims, x, {"long_name": "CCD column"}),
        y=(dims, y, {"long_name": "CCD row"}),
        inside=("spatial", inside, {"long_name": "bin inside the imager's field of view"}),
    ).assign_attrs(imager_site=imager_skymap.attrs.get("site", ""))
