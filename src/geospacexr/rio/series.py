"""What riometer figures draw: a quantity as a time series, averaged down, and fields of view.

* :func:`quantity` picks what to draw from a ``riometer`` Dataset: the raw signal in its own
  units, the signal in dB, the absorption computed from a quiet-day curve, or the NORSTAR K2
  files' own absorption;
* :func:`downsample` averages a series over consecutive windows of ``rio.plot_window_s``
  seconds (a moving average sampled once per window: PyUCRio's downsampling), so a month of 5 s
  samples draws as a few thousand points without aliasing spikes into the picture;
* :func:`field_of_view` is the circle a riometer's beam covers at the absorbing layer's height.

The field of view assumes a wide-beam riometer whose antenna pattern is ``rio.beam_width_deg``
(60 degrees) wide between half-power points, pointing at the zenith, and an absorbing layer at
``rio.fov_height_km`` (90 km, the D region): the beam edge leaves the site at elevation
``e = 90 - width / 2`` and meets the layer at the Earth-centre angle
``theta = 90 - e - asin(R cos e / (R + h))`` (:func:`geospacexr.geodesy.look_to_geographic`),
a circle of radius ``(R + h) theta`` along the layer: 51.8 km for 60 degrees at 90 km
(``h tan 30 = 52.0`` km on a flat Earth).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from .. import config
from .._checks import require
from ..errors import InvalidArgumentError, MissingVariableError
from ..geodesy import look_to_geographic
from .qdc import absorption, signal_db

__all__ = ["QUANTITIES", "downsample", "field_of_view", "quantity"]

#: What the riometer figures can draw (see :func:`quantity`).
QUANTITIES = ("raw", "signal", "absorption", "k2")

_NS_PER_S = 1_000_000_000


def quantity(
    ds: xr.Dataset,
    what: str = "raw",
    qdc: xr.DataArray | None = None,
    **qdc_options: Any,
) -> xr.DataArray:
    """One quantity of a riometer Dataset as a time series, with publication labels.

    Args:
        ds: A ``riometer`` Dataset (:func:`geospacexr.open_riometer`).
        what: ``"raw"`` (``raw_signal`` in V for NORSTAR, ``raw_power`` in dB for HSR),
            ``"signal"`` (the signal in dB, :func:`geospacexr.rio.signal_db`), ``"absorption"``
            (quiet-day curve minus signal, :func:`geospacexr.rio.absorption`) or ``"k2"`` (the
            NORSTAR K2 files' own absorption column).
        qdc: The quiet-day curve for ``"absorption"`` (default: built from ``ds``).
        **qdc_options: Passed to :func:`geospacexr.rio.quiet_day_curve` when ``qdc`` is
            ``None`` (``days``, ``end``, ``bins``...).

    Returns:
        ``(time[, frequency])`` with ``long_name`` and ``units`` attrs.

    Raises:
        InvalidArgumentError: If ``what`` is not one of :data:`QUANTITIES`.
        MissingVariableError: If the Dataset lacks the variable (``"k2"`` without K2 files).
    """
    require(ds, "riometer", where="geospacexr.rio.quantity")
    if what not in QUANTITIES:
        raise InvalidArgumentError(
            f"must be one of {', '.join(QUANTITIES)}, not {what!r}", argument="what"
        )
    if what == "absorption":
        return absorption(ds, qdc, **qdc_options).assign_attrs(long_name="absorption")
    if qdc is not None or qdc_options:
        raise InvalidArgumentError(
            "a quiet-day curve and its options only apply to what='absorption'", argument="qdc"
        )
    if what == "signal":
        return signal_db(ds)
    name = "absorption" if what == "k2" else ("raw_power" if "raw_power" in ds else "raw_signal")
    if name not in ds:
        need = "K2 files (their absorption column)" if what == "k2" else "raw_signal or raw_power"
        raise MissingVariableError(
            f"geospacexr.rio.quantity({what!r}) needs {need}; the Dataset has "
            f"{', '.join(map(str, ds.data_vars)) or 'nothing'}"
        )
    out = ds[name].astype(np.float64)
    label = {"absorption": "absorption (K2)", "raw_power": "raw power"}.get(name, "raw signal")
    return out.assign_attrs(long_name=label, units=ds[name].attrs.get("units", ""))


def downsample(data: xr.DataArray, window_s: float | None = None) -> xr.DataArray:
    """Average a time series over consecutive windows (moving-average downsampling).

    Windows are ``window_s`` seconds long and aligned on multiples of ``window_s`` since
    1970-01-01 (so on UT midnight for divisors of a day); each gives the mean of its finite
    samples, stamped at the window's centre. Windows without a sample are left out.

    Args:
        data: ``(time, ...)`` values.
        window_s: Window length, seconds (default ``rio.plot_window_s``; 0: no averaging).

    Returns:
        The averaged series, the same attrs, with ``attrs["window_s"]``.

    Raises:
        InvalidArgumentError: If ``window_s`` is negative or ``data`` has no ``time`` dim.
    """
    window = float(config.resolve(window_s, "rio.plot_window_s"))
    if not np.isfinite(window) or window < 0:
        raise InvalidArgumentError(f"must be >= 0 seconds, not {window}", argument="window_s")
    if "time" not in data.dims:
        raise InvalidArgumentError("the series has no time dimension", argument="data")
    if window == 0 or data.sizes["time"] == 0:
        return data.assign_attrs(window_s=0.0)
    step = round(window * _NS_PER_S)
    ordered = data.transpose("time", ...)
    ns = ordered["time"].values.astype("datetime64[ns]").astype(np.int64)
    group = np.floor_divide(ns, step)
    values = ordered.values.reshape(ordered.sizes["time"], -1)
    means = pd.DataFrame(values).groupby(group).mean()
    keep = means.notna().any(axis=1).to_numpy()
    index = means.index.to_numpy()[keep]
    centres = (index * step + step // 2).astype("datetime64[ns]")
    out = means.to_numpy()[keep].reshape((index.size, *ordered.shape[1:]))
    coords = {k: v for k, v in ordered.coords.items() if "time" not in v.dims}
    coords["time"] = ("time", centres)
    return xr.DataArray(
        out, dims=ordered.dims, coords=coords, name=data.name, attrs=dict(data.attrs)
    ).assign_attrs(window_s=window)


def field_of_view(
    lat: float,
    lon: float,
    height_km: float | None = None,
    beam_width_deg: float | None = None,
    points: int = 181,
) -> xr.Dataset:
    """The circle a zenith-pointing riometer beam covers at the absorbing layer's height.

    See the module docstring for the assumption (beam full width, layer height) and the
    geometry.

    Args:
        lat: Site geographic latitude, degrees.
        lon: Site geographic longitude, degrees.
        height_km: Layer height, km (default ``rio.fov_height_km``, 90).
        beam_width_deg: Full beam width between half-power points, degrees (default
            ``rio.beam_width_deg``, 60).
        points: Points on the circle (the first repeated at the end).

    Returns:
        ``lat`` and ``lon`` ``(point,)``, attrs ``radius_km`` (along the layer),
        ``height_km``, ``beam_width_deg``.

    Raises:
        InvalidArgumentError: If the site position is not finite or ``points`` < 4.
    """
    height = float(config.resolve(height_km, "rio.fov_height_km"))
    width = float(config.resolve(beam_width_deg, "rio.beam_width_deg"))
    if not (np.isfinite(lat) and np.isfinite(lon)):
        raise InvalidArgumentError(f"the site position ({lat}, {lon}) is unknown", "lat")
    if points < 4:
        raise InvalidArgumentError(f"must be at least 4, not {points}", argument="points")
    if not 0 < width < 180 or not height > 0:
        raise InvalidArgumentError(
            f"beam width must be in (0, 180) and height > 0, not {width} and {height}",
            argument="beam_width_deg",
        )
    elevation = 90.0 - width / 2.0
    azimuth = np.linspace(0.0, 360.0, points)
    ring_lat, ring_lon = look_to_geographic(
        float(lat), float(lon), 0.0, azimuth, np.full(points, elevation), height
    )
    radius = float(config.get().rb.earth_radius_km)
    e = np.deg2rad(elevation)
    theta = np.pi / 2 - e - np.arcsin(radius * np.cos(e) / (radius + height))
    return xr.Dataset(
        {
            "lat": ("point", ring_lat, {"units": "degrees_north"}),
            "lon": ("point", ring_lon, {"units": "degrees_east"}),
        },
        coords={"azimuth": ("point", azimuth, {"units": "degrees"})},
        attrs={
            "radius_km": float((radius + height) * theta),
            "height_km": height,
            "beam_width_deg": width,
            "site_lat": float(lat),
            "site_lon": float(lon),
        },
    )
