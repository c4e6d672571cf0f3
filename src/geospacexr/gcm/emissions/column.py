"""Column brightness of an emission, in rayleigh, vertically or along a slant path."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from ...errors import InvalidArgumentError, MissingVariableError
from ...physics import EARTH_RADIUS_KM
from .._select import fused, gcm_dataset, time_index
from ._engine import _chunked, _expression, _subset
from ._inputs import _check_inputs, _grid
from ._registry import _entry

__all__ = ["PHOTONS_PER_RAYLEIGH", "PHOTON_RATE_UNITS", "brightness"]

#: Units of a volume emission rate that :func:`brightness` integrates, and their factor to
#: photons cm-3 s-1.
PHOTON_RATE_UNITS = {"photons cm-3 s-1": 1.0, "photons m-3 s-1": 1e-6}

#: 1 rayleigh = 1e6 photons cm-2 s-1 emitted in all directions from a column (Hunten, Roach
#: and Chamberlain, 1956, J. Atmos. Terr. Phys. 8, 345).
PHOTONS_PER_RAYLEIGH = 1e6


def _column_integral(values: np.ndarray, heights: np.ndarray, zenith_deg: float) -> np.ndarray:
    """Integral over height (same units as height) of each column, along a slant path.

    Between two levels the rate is taken as exponential in height when both values are positive
    (exact for exponential segments) and linear otherwise; the slant factor is the van Rhijn
    factor of spherical shells seen from the ground, 1/sqrt(1 - (R sin z / (R + h))^2).
    """
    ok = np.isfinite(values) & np.isfinite(heights)
    order = np.argsort(np.where(ok, heights, np.inf), axis=-1)
    v = np.take_along_axis(np.where(ok, values, np.nan), order, axis=-1)
    h = np.take_along_axis(np.where(ok, heights, np.nan), order, axis=-1)
    if zenith_deg:
        s = EARTH_RADIUS_KM * math.sin(math.radians(zenith_deg)) / (EARTH_RADIUS_KM + h)
        v = v / np.sqrt(1.0 - s * s)
    v0, v1, dh = v[..., :-1], v[..., 1:], np.diff(h, axis=-1)
    with np.errstate(all="ignore"):
        trapezoid = 0.5 * (v0 + v1) * dh
        log_ratio = np.log(v1 / v0)
        exponential = np.where(np.abs(log_ratio) > 1e-8, (v1 - v0) * dh / log_ratio, trapezoid)
        segment = np.where((v0 > 0) & (v1 > 0), exponential, trapezoid)
    valid = np.isfinite(segment)
    total = np.where(valid, segment, 0.0).sum(axis=-1)
    return np.where(valid.any(axis=-1), total, np.nan)


def brightness(
    ds: xr.Dataset,
    name: str,
    time: Any = None,
    zenith_angle: float = 0.0,
    scheme: str | None = None,
) -> xr.DataArray:
    """Column brightness of an emission in rayleigh: what a photometer or imager measures.

    The volume emission rate is integrated over each model column, B = 1e-6 * integral of
    eps dh (eps in photons cm-3 s-1, h in cm), exponentially between levels where the rate is
    positive (exact for an exponential profile), linearly otherwise. With a zenith angle the
    integral follows the line of sight of an observer on the ground through spherical shells,
    each height weighted by the van Rhijn factor 1/sqrt(1 - (R sin z/(R + h))^2), the column
    being taken as horizontally uniform. Only the model's height range is integrated.

    Args:
        ds: A ``gcm`` Dataset with heights (ZG, or Z).
        name: Registry name of an emission in photons cm-3 s-1 (or m-3).
        time: One time (nearest), or ``None`` for every time.
        zenith_angle: Zenith angle of the line of sight, degrees, 0 to 90 (0: vertical).
        scheme: For an emission computed in several ways (the OH Meinel model: ``"corrected"``
            or ``"gcmprocpy"``), which; ``None``: the default (as
            :func:`~geospacexr.gcm.emissions.emission`).

    Returns:
        Lazy (dask) DataArray ``(time, lat, lon)``, ``units = "R"``.

    Raises:
        UnknownEmissionError: If the name is unknown (an ``InvalidArgumentError`` too).
        InvalidArgumentError: If the emission's units are not a photon rate, the zenith angle
            is outside [0, 90], or ``scheme`` is not one of the emission's schemes.
        MissingVariableError: If the Dataset lacks inputs or heights.

    References:
        Hunten, D. M., Roach, F. E., and Chamberlain, J. W. (1956), A photometric unit for the
        airglow and aurora, J. Atmos. Terr. Phys. 8, 345-346 (the rayleigh); van Rhijn, P. J.
        (1921), Publ. Astron. Lab. Groningen 31 (the slant factor).
    """
    from ..heights import column_heights

    gcm_dataset(ds, "brightness")
    entry = _entry(name, scheme)
    if entry.units not in PHOTON_RATE_UNITS:
        raise InvalidArgumentError(
            f"{name} is in {entry.units!r}, not a photon volume emission rate "
            f"({', '.join(PHOTON_RATE_UNITS)}): it has no brightness",
            argument="name",
        )
    zenith = float(zenith_angle)
    if not 0.0 <= zenith <= 90.0:
        raise InvalidArgumentError(
            f"must be between 0 and 90 degrees, not {zenith_angle!r}", argument="zenith_angle"
        )
    _check_inputs(ds, entry, "brightness")
    if "ZG" not in ds and "Z" not in ds:
        raise MissingVariableError(
            "brightness needs heights: ZG (TIE-GCM) or Z3GM/Z3 (WACCM-X); open the secondary "
            "histories (they carry ZG) together with the primaries"
        )
    sub = ds
    if time is not None and "time" in ds.dims:
        index = time_index(ds, time)
        sub = ds.isel(time=slice(index, index + 1))
    sub = _chunked(_subset(sub, entry, extra=("ZG", "Z")))
    grid = _grid(sub, entry)
    if grid is None:
        raise InvalidArgumentError(f"{name} has no vertical dimension to integrate", "name")
    rate = _expression(sub, entry, grid)
    z = column_heights(sub, grid)
    if entry.name == "OI5577":  # TIE-GCM's lower boundary cuts through the Barth layer
        from .oi import check_peak_at_boundary

        rising = float(np.nanmedian(z.diff(grid).values)) > 0  # heights grow with the index
        check_peak_at_boundary(rate, grid, bottom="first" if rising else "last")
    column = xr.apply_ufunc(
        _column_integral,
        rate,
        z,
        input_core_dims=[[grid], [grid]],
        kwargs={"zenith_deg": zenith},
        dask="parallelized",
        output_dtypes=[np.float64],
    )
    # km -> cm, then photons cm-2 s-1 -> rayleigh
    out = column * (PHOTON_RATE_UNITS[entry.units] * 1e5 / PHOTONS_PER_RAYLEIGH)
    if time is not None and "time" in out.dims:
        out = out.isel(time=0)
    out.attrs = {
        "long_name": f"{entry.long_name} brightness"
        + (" (vertical column)" if zenith == 0 else f" (slant path, zenith angle {zenith:g} deg)"),
        "units": "R",
        "reference": entry.reference,
        "emission": entry.name,
        "zenith_angle": zenith,
    }
    if entry.scheme is not None:
        out.attrs["scheme"] = entry.scheme
    out.name = entry.name
    return fused(out)
