"""Our magnetic footprints against the AuroraX platform's, for the same satellite and interval.

The platform traces field lines with its own model and at its own footprint altitude; geospacexr
traces them with :func:`geospacexr.rb.tracing.footprint` (the field model and altitude you
choose) for :func:`geospacexr.asi.conjunctions`. :func:`compare_footprints` puts the two tracks
side by side at the platform's epochs and reports the distance between them, so a conjunction
list from one can be trusted (or not) against the other.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .. import config
from ..errors import InvalidArgumentError
from ..geodesy import great_circle_deg

__all__ = ["compare_footprints"]


def compare_footprints(
    platform: xr.Dataset,
    ours: xr.Dataset,
    hemisphere: str = "north",
    threshold_km: float = 100.0,
    altitude_km: float | None = None,
) -> xr.Dataset:
    """Distance between the platform's B-trace footprints and ours, epoch by epoch.

    Our track is interpolated linearly in time onto the platform's epochs (longitudes through
    their unit vectors, so the date line does no harm); epochs outside our track are NaN.

    Args:
        platform: One data source of :func:`geospacexr.aurorax.ephemeris` (``nbtrace_lat``/
            ``nbtrace_lon`` or ``sbtrace_*`` along ``epoch``).
        ours: A footprint track: ``lat``, ``lon`` (degrees) along ``time``
            (:func:`geospacexr.rb.tracing.footprint`).
        hemisphere: ``"north"`` (the platform's ``nbtrace``) or ``"south"`` (``sbtrace``).
        threshold_km: Distance above which an epoch is flagged as differing, km.
        altitude_km: Altitude at which distances are measured, km (default ``asi.altitude_km``).

    Returns:
        A Dataset along ``epoch``: ``platform_lat``/``platform_lon``, ``our_lat``/``our_lon``,
        ``distance_km`` and ``differs`` (distance above the threshold); ``attrs`` hold the
        median and largest distance and the number of differing epochs.

    Raises:
        InvalidArgumentError: Missing variables, an unknown hemisphere, a bad threshold.
    """
    if hemisphere not in ("north", "south"):
        raise InvalidArgumentError(f"{hemisphere!r} is not 'north' or 'south'", "hemisphere")
    prefix = "nbtrace" if hemisphere == "north" else "sbtrace"
    need = {f"{prefix}_lat", f"{prefix}_lon"}
    if (
        not isinstance(platform, xr.Dataset)
        or not need <= set(platform)
        or ("epoch" not in platform.dims)
    ):
        raise InvalidArgumentError(
            f"expected one data source of aurorax.ephemeris with {sorted(need)} along epoch",
            "platform",
        )
    if (
        not isinstance(ours, xr.Dataset)
        or not {"lat", "lon"} <= set(ours)
        or ("time" not in ours.dims)
    ):
        raise InvalidArgumentError("expected a track with lat and lon along time", "ours")
    if not np.isfinite(threshold_km) or threshold_km < 0:
        raise InvalidArgumentError(f"{threshold_km!r} is not a distance >= 0 km", "threshold_km")
    altitude = float(config.resolve(altitude_km, "asi.altitude_km"))
    radius = float(config.get().rb.earth_radius_km) + altitude

    epochs = platform["epoch"].values.astype("datetime64[ns]")
    t_ours = ours["time"].values.astype("datetime64[ns]").astype(np.int64).astype(float)
    t_new = epochs.astype(np.int64).astype(float)
    order = np.argsort(t_ours)
    lat_r = np.radians(ours["lat"].values[order])
    lon_r = np.radians(ours["lon"].values[order])
    vec = np.stack([np.cos(lat_r) * np.cos(lon_r), np.cos(lat_r) * np.sin(lon_r), np.sin(lat_r)])
    inter = np.stack([np.interp(t_new, t_ours[order], v, left=np.nan, right=np.nan) for v in vec])
    norm = np.linalg.norm(inter, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        our_lat = np.degrees(np.arcsin(np.clip(inter[2] / norm, -1, 1)))
        our_lon = np.degrees(np.arctan2(inter[1], inter[0]))
    p_lat = platform[f"{prefix}_lat"].values.astype(float)
    p_lon = platform[f"{prefix}_lon"].values.astype(float)
    distance = np.radians(great_circle_deg(p_lat, p_lon, our_lat, our_lon)) * radius
    differs = np.where(np.isfinite(distance), distance > threshold_km, False)
    finite = distance[np.isfinite(distance)]
    deg = {"units": "degrees"}
    return xr.Dataset(
        {
            "platform_lat": ("epoch", p_lat, {**deg, "long_name": f"platform {prefix} latitude"}),
            "platform_lon": ("epoch", p_lon, {**deg, "long_name": f"platform {prefix} longitude"}),
            "our_lat": ("epoch", our_lat, {**deg, "long_name": "our footprint latitude"}),
            "our_lon": ("epoch", our_lon, {**deg, "long_name": "our footprint longitude"}),
            "distance_km": (
                "epoch",
                distance,
                {"units": "km", "long_name": f"distance at {altitude:g} km altitude"},
            ),
            "differs": ("epoch", differs, {"long_name": f"distance > {threshold_km:g} km"}),
        },
        coords={"epoch": epochs},
        attrs={
            "geospacexr_kind": "aurorax_footprint_comparison",
            "hemisphere": hemisphere,
            "threshold_km": float(threshold_km),
            "altitude_km": altitude,
            "median_distance_km": float(np.median(finite)) if finite.size else np.nan,
            "max_distance_km": float(finite.max()) if finite.size else np.nan,
            "differing_epochs": int(differs.sum()),
            "compared_epochs": int(finite.size),
        },
    )
