"""Convection maps: the potential, velocities and boundary of a SuperDARN ``map`` Dataset.

A map record (RST ``map_addfit``) holds the spherical-harmonic fit of the ionospheric
electrostatic potential (Ruohoniemi and Baker 1998, doi:10.1029/98JA01288)::

    Phi(theta, phi) = sum_k a_k P_l^|m|(cos(alpha theta)) * (cos(m phi) if m >= 0 else sin(|m| phi))

with ``theta`` the magnetic colatitude (from the pole of the map's hemisphere), ``phi`` the
AACGM magnetic longitude, ``alpha = pi / theta_max`` stretching the cap down to ``latmin``
(``theta_max = 90 - |latmin|`` degrees) onto the whole sphere, and ``P_l^m`` the associated
Legendre functions with the Condon-Shortley phase (RST ``CnvMapEvalPLM``, scipy's convention).
The coefficients are the map's ``N`` (degree ``l``), ``N+1`` (order ``m``; negative for the
``sin`` term), ``N+2`` (``a_k``, volts) and ``N+3`` (its 1-sigma error), in RST's order
``k = l**2`` for ``m = 0`` and ``l**2 + 2m - 1`` / ``+ 2m`` for the cos / sin terms of ``m > 0``
(``CnvMapIndexLegendre``); this module reads ``l`` and ``m`` from ``N`` and ``N+1`` rather than
assuming the order. RST fixes ``a_00`` so that the potential is zero on the ``latmin`` circle,
and the fit is done in coordinates whose pole is displaced by ``lat.shft`` degrees (towards
magnetic longitude ``180 - lon.shft``; RST ``CnvMapCrdShft``), usually zero.

The velocity is the E x B drift of ``E = -grad Phi`` on a sphere of radius ``R = Re + h``
(``h`` the scattering altitude) in a dipole field of strength
``|B| = B_pole (1 - 3 h / Re) sqrt(1 + 3 cos^2 theta) / 2``, directed down in the north and up
in the south (RST ``shfconst.h`` constants below). Azimuths are degrees clockwise from magnetic
north, as the files' ``vector.kvect``. Magnetic local time is ``mlt.av + mlon / 15`` hours:
the record's own MLT of magnetic longitude 0 (AACGM-v2 at the record's mid-time, written by RST).

All functions take the Dataset of :func:`geospacexr.open_superdarn` (``superdarn_type``
``"map"``; :func:`line_of_sight` also ``"grid"``) and a ``time`` selecting records: ``None``
(every record), a record index, a time (the nearest record start) or a list of these.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from ..errors import IncompatibleInputError, InvalidArgumentError, OutOfRangeError

__all__ = [
    "B_POLE_NT",
    "EARTH_RADIUS_KM",
    "convection_map",
    "cross_polar_cap_potential",
    "fitted_velocity",
    "heppner_maynard_boundary",
    "legendre",
    "line_of_sight",
    "magnetic_local_time",
    "map_coefficients",
    "potential",
    "potential_at",
    "shift_coordinates",
]

#: Earth radius of RST's convection-map code (its polar radius, ``shfconst.h``), km.
EARTH_RADIUS_KM = 6357.0
#: Dipole field strength at the pole by hemisphere (RST ``shfconst.h`` ``BNorth``/``BSouth``;
#: the map fit itself uses IGRF at 300 km unless ``noigrf``), nT.
B_POLE_NT = {"north": 58000.0, "south": 68000.0}

_MAP_COEFFICIENTS = ("N", "N+1", "N+2", "N+3")
_MAP_SCALARS = ("fit.order", "latmin", "hemisphere")
_POLE_GUARD = 1e-9  # colatitude (rad) used for points exactly at the pole (limits of m/sin)


# -- records and coefficients ----------------------------------------------------------------
def _map_dataset(ds: Any, where: str) -> xr.Dataset:
    ds = require(ds, "superdarn", where=where)
    kind = ds.attrs.get("superdarn_type")
    if kind != "map":
        raise IncompatibleInputError(
            f"{where} needs a SuperDARN map file (superdarn_type 'map'), not {kind!r}: "
            "a grid file holds line-of-sight vectors only (use line_of_sight)"
        )
    return require(ds, "superdarn", (*_MAP_COEFFICIENTS, *_MAP_SCALARS), where=where)


def _one_record(ds: xr.Dataset, time: Any) -> int:
    times = ds.indexes["time"]
    if isinstance(time, (int, np.integer)) and not isinstance(time, bool):
        index = int(time)
        if not -len(times) <= index < len(times):
            raise OutOfRangeError(f"record {index} is outside the {len(times)} records")
        return index % len(times)
    try:
        stamp = np.datetime64(time, "ns")
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(
            f"must be a record index, a time or a list of them, not {time!r}", "time"
        ) from exc
    if np.isnat(stamp) or not len(times):
        raise OutOfRangeError(f"no record at {time!r}")
    return int(np.argmin(np.abs((times.values - stamp).astype(np.int64))))


def _records(ds: xr.Dataset, time: Any) -> np.ndarray:
    """Record indices selected by ``time`` (see the module docstring)."""
    if time is None:
        return np.arange(ds.sizes["time"])
    if isinstance(time, (list, tuple, np.ndarray)) and not isinstance(time, str):
        return np.array([_one_record(ds, t) for t in np.asarray(time).ravel()], dtype=np.int64)
    return np.array([_one_record(ds, time)], dtype=np.int64)


def _hemisphere(ds: xr.Dataset, r: int) -> int:
    value = float(ds["hemisphere"].values[r])
    return -1 if value < 0 else 1


def map_coefficients(ds: xr.Dataset, time: Any = None) -> xr.Dataset:
    """The fit coefficients of map records as a tidy table.

    Args:
        ds: A SuperDARN map Dataset.
        time: Records to take (None: every record; an index, a time or a list of them).

    Returns:
        A Dataset on ``(time, coefficient)``: ``degree`` (``l``, from ``N``), ``order``
        (``m``, from ``N+1``; negative for the sin term), ``value`` (``N+2``, V) and ``error``
        (``N+3``, V), NaN where a record has fewer coefficients than the longest, plus the
        record's ``fit_order``, ``latmin``, ``lat_shift``, ``lon_shift`` and ``hemisphere``.

    Raises:
        IncompatibleInputError: If the Dataset is not a map file.
    """
    ds = _map_dataset(ds, "map_coefficients")
    sel = ds.isel(time=_records(ds, time))
    out = xr.Dataset(
        {
            "degree": sel["N"].astype(np.float64),
            "order": sel["N+1"].astype(np.float64),
            "value": sel["N+2"].astype(np.float64).assign_attrs(units="V"),
            "error": sel["N+3"].astype(np.float64).assign_attrs(units="V"),
            "fit_order": sel["fit.order"].astype(np.float64),
            "latmin": sel["latmin"].astype(np.float64).assign_attrs(units="degrees"),
            "lat_shift": _scalar(sel, "lat.shft").assign_attrs(units="degrees"),
            "lon_shift": _scalar(sel, "lon.shft").assign_attrs(units="degrees"),
            "hemisphere": sel["hemisphere"].astype(np.float64),
        }
    )
    out["degree"].attrs["long_name"] = "spherical-harmonic degree l (N)"
    out["order"].attrs["long_name"] = "spherical-harmonic order m (N+1; negative: sin term)"
    out["value"].attrs["long_name"] = "potential coefficient (N+2)"
    out["error"].attrs["long_name"] = "coefficient 1-sigma error (N+3)"
    return out


def _scalar(sel: xr.Dataset, name: str) -> xr.DataArray:
    if name in sel:
        return sel[name].astype(np.float64).fillna(0.0)
    return xr.zeros_like(sel["latmin"], dtype=np.float64)


class _Fit:
    """One record's fit: coefficients and geometry (plain numbers for the evaluators)."""

    def __init__(self, ds: xr.Dataset, r: int) -> None:
        degree = np.asarray(ds["N"].values[r], dtype=np.float64)
        order = np.asarray(ds["N+1"].values[r], dtype=np.float64)
        value = np.asarray(ds["N+2"].values[r], dtype=np.float64)
        ok = np.isfinite(degree) & np.isfinite(order) & np.isfinite(value)
        self.l = degree[ok].astype(np.int64)
        self.m = order[ok].astype(np.int64)
        self.a = value[ok]
        self.latmin = abs(float(ds["latmin"].values[r]))
        self.hemisphere = _hemisphere(ds, r)
        self.lat_shift = float(np.nan_to_num(ds["lat.shft"].values[r])) if "lat.shft" in ds else 0.0
        self.lon_shift = float(np.nan_to_num(ds["lon.shft"].values[r])) if "lon.shft" in ds else 0.0
        self.valid = bool(self.a.size) and np.isfinite(self.latmin) and self.latmin < 90.0
        self.lmax = int(self.l.max()) if self.a.size else 0

    @property
    def alpha(self) -> float:
        """The stretch ``pi / theta_max``."""
        return 180.0 / (90.0 - self.latmin)


# -- the mathematics -------------------------------------------------------------------------
def legendre(order: int, x: Any) -> np.ndarray:
    """Associated Legendre functions ``P_l^m(x)`` with the Condon-Shortley phase.

    ``P_l^m(x) = (-1)^m (1 - x^2)^(m/2) d^m P_l(x) / dx^m`` (unnormalised; RST's
    ``CnvMapEvalPLM`` and scipy's ``assoc_legendre_p`` use the same convention), by the
    standard upward recurrences in ``l`` at fixed ``m``, vectorised over ``x``.

    Args:
        order: Largest degree ``l`` (and order ``m``).
        x: Arguments in [-1, 1], any shape.

    Returns:
        An array of shape ``x.shape + (order + 1, order + 2)`` indexed ``[..., l, m]`` (zero
        where ``m > l``; the extra ``m = order + 1`` column, all zero, serves the derivative).

    Raises:
        InvalidArgumentError: If ``order`` is negative.
    """
    if order < 0:
        raise InvalidArgumentError(f"must be >= 0, not {order}", "order")
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros((*x.shape, order + 1, order + 2))
    s = np.sqrt(np.clip((1.0 - x) * (1.0 + x), 0.0, None))
    pmm = np.ones_like(x)
    for m in range(order + 1):
        if m > 0:
            pmm = -pmm * (2 * m - 1) * s
        out[..., m, m] = pmm
        if m + 1 <= order:
            out[..., m + 1, m] = x * (2 * m + 1) * pmm
        for ell in range(m + 2, order + 1):
            out[..., ell, m] = (
                x * (2 * ell - 1) * out[..., ell - 1, m] - (ell + m - 1) * out[..., ell - 2, m]
            ) / (ell - m)
    return out


def _legendre_dtheta(plm: np.ndarray) -> np.ndarray:
    """``d P_l^m(cos t) / dt`` from a :func:`legendre` table (no 1/sin t: finite at the poles).

    ``dP_l^m/dt = (P_l^(m+1) - (l + m)(l - m + 1) P_l^(m-1)) / 2`` for ``m >= 1`` and
    ``P_l^1`` for ``m = 0`` (Condon-Shortley phase).
    """
    lmax = plm.shape[-2] - 1
    out = np.zeros_like(plm)
    ell = np.arange(lmax + 1)[:, None]
    m = np.arange(1, lmax + 1)[None, :]
    out[..., :, 0] = plm[..., :, 1]
    out[..., :, 1 : lmax + 1] = 0.5 * (
        plm[..., :, 2 : lmax + 2] - (ell + m) * (ell - m + 1) * plm[..., :, 0:lmax]
    )
    out[..., :, 1 : lmax + 1] *= m <= ell
    return out


def shift_coordinates(
    mlat: Any, mlon: Any, lat_shift: float, lon_shift: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates in the displaced-pole frame of a map fit (RST ``CnvMapCrdShft``).

    The fit frame's pole lies ``lat_shift`` degrees from the magnetic pole along magnetic
    longitude ``180 - lon_shift``; a point's colatitude is measured from it and its longitude
    from the great circle through both poles (then shifted back by ``lon_shift``). Exact
    spherical rotation, vectorised; the identity when both shifts are zero.

    Args:
        mlat: Magnetic latitudes, degrees (absolute values: colatitude from the map's pole).
        mlon: Magnetic longitudes, degrees.
        lat_shift: The map's ``lat.shft``, degrees.
        lon_shift: The map's ``lon.shft``, degrees.

    Returns:
        ``(lat, lon, rotation)``: latitude and longitude (degrees, lon in [0, 360)) in the fit
        frame, and the angle (degrees) to add to a fit-frame azimuth to get the original
        frame's azimuth.
    """
    lat = np.asarray(mlat, dtype=np.float64)
    lon = np.asarray(mlon, dtype=np.float64)
    if lat_shift == 0.0:
        return lat + 0.0, np.mod(lon, 360.0), np.zeros(np.broadcast(lat, lon).shape)
    colat = np.radians(90.0 - lat)
    phi = np.radians(lon + lon_shift)
    d = np.radians(lat_shift)
    x, y, z = np.sin(colat) * np.cos(phi), np.sin(colat) * np.sin(phi), np.cos(colat)
    # rotate about y so that the displaced pole (-sin d, 0, cos d) becomes +z
    xr_, zr = x * np.cos(d) + z * np.sin(d), -x * np.sin(d) + z * np.cos(d)
    new_lat = np.degrees(np.arcsin(np.clip(zr, -1.0, 1.0)))
    new_lon = np.mod(np.degrees(np.arctan2(y, xr_)) - lon_shift, 360.0)
    # local north of the original frame, seen in the rotated frame: the azimuth rotation
    north = np.stack([-np.cos(colat) * np.cos(phi), -np.cos(colat) * np.sin(phi), np.sin(colat)])
    n_rot = np.stack([north[0] * np.cos(d) + north[2] * np.sin(d), north[1],
                      -north[0] * np.sin(d) + north[2] * np.cos(d)])  # fmt: skip
    colat2, phi2 = np.radians(90.0 - new_lat), np.radians(new_lon + lon_shift)
    e_north = np.stack([-np.cos(colat2) * np.cos(phi2), -np.cos(colat2) * np.sin(phi2),
                        np.sin(colat2)])  # fmt: skip
    e_east = np.stack([-np.sin(phi2), np.cos(phi2), np.zeros_like(phi2)])
    # the original frame's north has azimuth psi in the fit frame: original = fit - psi
    psi = np.degrees(np.arctan2(np.sum(n_rot * e_east, axis=0), np.sum(n_rot * e_north, axis=0)))
    angle = -psi
    return new_lat, new_lon, angle


def _evaluate(
    fit: _Fit,
    mlat: np.ndarray,
    mlon: np.ndarray,
    gradient: bool = False,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Potential (V) and, with ``gradient``, the electric field times the radius at points.

    The field components are ``-dPhi/ds`` per radian of arc (divide by the radius for V/m),
    along the original (unshifted) frame's geographic-sense north and east.
    """
    lat = np.abs(np.asarray(mlat, dtype=np.float64))
    lat, lon, rotation = shift_coordinates(lat, mlon, fit.lat_shift, fit.lon_shift)
    theta = np.radians(90.0 - lat)
    theta = np.maximum(theta, _POLE_GUARD)
    phi = np.radians(lon)
    plm = legendre(fit.lmax, np.cos(fit.alpha * theta))
    mabs = np.abs(fit.m)
    p = plm[..., fit.l, mabs]  # (..., k)
    mphi = mabs * phi[..., None]
    trig = np.where(fit.m >= 0, np.cos(mphi), np.sin(mphi))
    phi_value = np.sum(fit.a * p * trig, axis=-1)
    if not gradient:
        return phi_value, None, None
    dp = _legendre_dtheta(plm)[..., fit.l, mabs]
    dtrig = np.where(fit.m >= 0, -mabs * np.sin(mphi), mabs * np.cos(mphi))
    dphi_dtheta = fit.alpha * np.sum(fit.a * dp * trig, axis=-1)
    dphi_dphi = np.sum(fit.a * p * dtrig, axis=-1)
    # E = -grad Phi; theta grows away from the map's pole, so the component towards the pole
    # ("poleward") is +dPhi/dtheta, and the eastward one -dPhi/dphi / sin(theta)
    e_pole = dphi_dtheta
    e_east = -dphi_dphi / np.sin(theta)
    # from the fit frame back to the original one (azimuths differ by ``rotation``)
    c, s = np.cos(np.radians(rotation)), np.sin(np.radians(rotation))
    e_n = e_pole * c - e_east * s
    e_e = e_pole * s + e_east * c
    # poleward is geographic north in the north, south in the south (|lat| mirrors the
    # southern hemisphere; longitude, hence east, is the same)
    if fit.hemisphere < 0:
        e_n = -e_n
    return phi_value, e_n, e_e


def _evaluate_grid(fit: _Fit, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Potential (V) on the ``lats`` x ``lons`` grid.

    Without a pole shift the expansion separates: ``Phi = (P(lat) * a) @ trig(lon).T``, one
    Legendre table per latitude row and one matrix product, instead of a table per point.
    """
    if fit.lat_shift != 0.0:
        lat2, lon2 = np.meshgrid(lats, lons, indexing="ij")
        return _evaluate(fit, lat2, lon2)[0]
    theta = np.maximum(np.radians(90.0 - np.abs(np.asarray(lats, dtype=np.float64))), _POLE_GUARD)
    mabs = np.abs(fit.m)
    p = legendre(fit.lmax, np.cos(fit.alpha * theta))[:, fit.l, mabs]  # (nlat, k)
    mphi = mabs * np.radians(np.mod(np.asarray(lons, dtype=np.float64), 360.0))[:, None]
    trig = np.where(fit.m >= 0, np.cos(mphi), np.sin(mphi))  # (nlon, k)
    return (p * fit.a) @ trig.T


def _velocity(
    fit: _Fit,
    mlat: np.ndarray,
    mlon: np.ndarray,
    altitude_km: float,
    earth_radius_km: float,
    b_pole_nt: float | None,
) -> dict[str, np.ndarray]:
    _, e_n, e_e = _evaluate(fit, mlat, mlon, gradient=True)
    radius_m = (earth_radius_km + altitude_km) * 1e3
    e_n, e_e = e_n / radius_m, e_e / radius_m  # type: ignore[operator]
    name = "north" if fit.hemisphere > 0 else "south"
    b0 = (B_POLE_NT[name] if b_pole_nt is None else b_pole_nt) * 1e-9
    theta = np.radians(90.0 - np.abs(np.asarray(mlat, dtype=np.float64)))
    bmag = (
        b0
        * (1.0 - 3.0 * altitude_km / earth_radius_km)
        * np.sqrt(3.0 * np.cos(theta) ** 2 + 1.0)
        / 2.0
    )
    # v = E x B / B^2 with B radial: down (B_r < 0) in the north, up in the south
    sign = -1.0 if fit.hemisphere > 0 else 1.0
    v_east = sign * e_n / bmag
    v_north = -sign * e_e / bmag
    return {
        "v_north": v_north,
        "v_east": v_east,
        "speed": np.hypot(v_north, v_east),
        "azimuth": np.degrees(np.arctan2(v_east, v_north)),
    }


def magnetic_local_time(ds: xr.Dataset, mlon: Any, time: Any = None) -> xr.DataArray:
    """Magnetic local time of magnetic longitudes at map or grid records.

    For maps ``MLT = (mlt.av + mlon / 15) mod 24``: ``mlt.av`` is the record's own MLT of
    magnetic longitude 0 (RST writes it from AACGM-v2 at the record's mid-time). Grid files
    carry no MLT: it is computed with ``aacgmv2.convert_mlt`` at the middle of each record when
    ``aacgmv2`` is installed, and is NaN otherwise.

    Args:
        ds: A SuperDARN grid or map Dataset.
        mlon: Magnetic (AACGM-v2) longitudes, degrees (any shape).
        time: Records (None: every record; an index, a time or a list of them).

    Returns:
        MLT in hours on ``(time, *mlon dims)``.
    """
    ds = require(ds, "superdarn", where="magnetic_local_time")
    records = _records(ds, time)
    lon = np.asarray(mlon, dtype=np.float64)
    values = np.stack([_mlt_of(ds, int(r), lon) for r in records]) if len(records) else None
    dims = ("time", *(f"dim_{i}" for i in range(lon.ndim)))
    return xr.DataArray(
        values if values is not None else np.empty((0, *lon.shape)),
        dims=dims,
        coords={"time": ds["time"].values[records]},
        attrs={"units": "h", "long_name": "magnetic local time"},
        name="mlt",
    )


def _mlt_of(ds: xr.Dataset, r: int, mlon: np.ndarray) -> np.ndarray:
    """MLT of ``mlon`` at record ``r``: from ``mlt.av`` (maps), else AACGM-v2 at mid-record.

    Grid files carry no MLT: it is computed with ``aacgmv2.convert_mlt`` at the middle of the
    record when ``aacgmv2`` (the ``asi`` extra) is installed, and is NaN otherwise.
    """
    mlon = np.asarray(mlon, dtype=np.float64)
    if "mlt.av" in ds and np.isfinite(ds["mlt.av"].values[r]):
        return np.mod(float(ds["mlt.av"].values[r]) + mlon / 15.0, 24.0)
    try:
        import aacgmv2
    except ImportError:
        return np.full(mlon.shape, np.nan)
    start = ds["time"].values[r]
    end = ds["end_time"].values[r] if "end_time" in ds.coords else start
    if np.isnat(start):
        return np.full(mlon.shape, np.nan)
    middle = start + (end - start) / 2 if not np.isnat(end) else start
    when = middle.astype("datetime64[us]").astype(object)
    values = np.asarray(aacgmv2.convert_mlt(mlon.ravel(), when, m2a=False), dtype=np.float64)
    return np.mod(values.reshape(mlon.shape), 24.0)


# -- public functions ------------------------------------------------------------------------
def potential_at(ds: xr.Dataset, mlat: Any, mlon: Any, time: Any = None) -> xr.DataArray:
    """The fitted electrostatic potential at given magnetic positions.

    Evaluated exactly from the coefficients at every point, including points equatorward of
    ``latmin`` where the expansion has no meaning (:func:`potential` sets those to zero).

    Args:
        ds: A SuperDARN map Dataset.
        mlat: Magnetic latitudes, degrees (the sign is ignored: colatitude from the map's pole).
        mlon: Magnetic (AACGM) longitudes, degrees; broadcast against ``mlat``.
        time: Records (None: every record; an index, a time or a list of them).

    Returns:
        The potential in kV on ``(time, *point dims)`` (NaN for a record without coefficients).
    """
    ds = _map_dataset(ds, "potential_at")
    records = _records(ds, time)
    lat, lon = np.broadcast_arrays(np.asarray(mlat, np.float64), np.asarray(mlon, np.float64))
    values = np.full((len(records), *lat.shape), np.nan)
    for i, r in enumerate(records):
        fit = _Fit(ds, int(r))
        if fit.valid:
            values[i] = _evaluate(fit, lat, lon)[0] / 1e3
    return xr.DataArray(
        values,
        dims=("time", *(f"dim_{i}" for i in range(lat.ndim))),
        coords={"time": ds["time"].values[records]},
        name="potential",
        attrs={"units": "kV", "long_name": "electrostatic potential"},
    )


def potential(
    ds: xr.Dataset,
    time: Any = None,
    lat_step: float = 1.0,
    mlt_step: float = 0.25,
    lowlat: float | None = None,
) -> xr.DataArray:
    """The fitted electrostatic potential on a magnetic latitude / MLT grid.

    The grid runs from ``lowlat`` to the pole in ``lat_step`` and from 0 to 24 h MLT
    (inclusive, so contours close) in ``mlt_step``; each record's magnetic longitude of a
    grid column is ``15 (MLT - mlt.av)``. The potential is zero equatorward of the record's
    ``latmin`` (the fit's boundary, where RST's fit makes it zero), as pyDARN draws it.

    Args:
        ds: A SuperDARN map Dataset.
        time: Records (None: every record; an index, a time or a list of them).
        lat_step: Latitude spacing, degrees.
        mlt_step: MLT spacing, hours.
        lowlat: Lowest absolute magnetic latitude of the grid, degrees (default: the lowest
            ``latmin`` of the records, rounded down to a whole ``lat_step``).

    Returns:
        The potential in kV on ``(time, mlat, mlt)`` (mlat negative for southern maps), with
        ``mlon`` on ``(time, mlt)`` as a coordinate.

    Raises:
        InvalidArgumentError: For non-positive steps or ``lowlat`` outside (0, 90).
    """
    ds = _map_dataset(ds, "potential")
    if not lat_step > 0:
        raise InvalidArgumentError(f"must be > 0, not {lat_step}", "lat_step")
    if not mlt_step > 0:
        raise InvalidArgumentError(f"must be > 0, not {mlt_step}", "mlt_step")
    records = _records(ds, time)
    latmins = np.abs(np.asarray(ds["latmin"].values[records], dtype=np.float64))
    if lowlat is None:
        finite = latmins[np.isfinite(latmins)]
        lowlat = float(np.floor(finite.min() / lat_step) * lat_step) if finite.size else 50.0
    lowlat = abs(float(lowlat))
    if not 0.0 < lowlat < 90.0:
        raise InvalidArgumentError(f"must lie in (0, 90) degrees, not {lowlat}", "lowlat")
    lats = np.arange(lowlat, 90.0 + lat_step / 2, lat_step)
    lats = lats[lats <= 90.0]
    mlts = np.arange(0.0, 24.0 + mlt_step / 2, mlt_step)
    mlts = mlts[mlts <= 24.0]
    hemispheres = np.array([_hemisphere(ds, int(r)) for r in records])
    south = bool(len(hemispheres)) and bool(np.all(hemispheres < 0))
    values = np.full((len(records), lats.size, mlts.size), np.nan)
    mlons = np.full((len(records), mlts.size), np.nan)
    for i, r in enumerate(records):
        ref = float(ds["mlt.av"].values[r]) if "mlt.av" in ds else 0.0
        mlons[i] = np.mod(15.0 * (mlts - ref), 360.0)
        fit = _Fit(ds, int(r))
        if not fit.valid:
            continue
        pot = _evaluate_grid(fit, lats, mlons[i]) / 1e3
        pot[lats < fit.latmin, :] = 0.0
        values[i] = pot
    return xr.DataArray(
        values,
        dims=("time", "mlat", "mlt"),
        coords={
            "time": ds["time"].values[records],
            "mlat": (
                "mlat",
                -lats if south else lats,
                {"units": "degrees", "long_name": "magnetic latitude (AACGM-v2)"},
            ),
            "mlt": ("mlt", mlts, {"units": "h", "long_name": "magnetic local time"}),
            "mlon": (
                ("time", "mlt"),
                mlons,
                {"units": "degrees", "long_name": "magnetic longitude (AACGM-v2)"},
            ),
        },
        name="potential",
        attrs={"units": "kV", "long_name": "electrostatic potential"},
    )


def _vector_table(ds: xr.Dataset, records: np.ndarray, dim: str) -> xr.Dataset:
    """The ragged ``dim`` elements of ``records`` (in record order)."""
    owner = ds[f"{dim}_record"].values
    pick = np.concatenate([np.flatnonzero(owner == r) for r in records]) if len(records) else []
    on_dim = [name for name in ds.data_vars if ds[name].dims == (dim,)]
    return ds[on_dim].isel({dim: np.asarray(pick, dtype=np.int64)})


def _position_variables(
    ds: xr.Dataset, table: xr.Dataset, dim: str, prefix: str, records: np.ndarray
) -> dict[str, Any]:
    owner = table[f"{dim}_record"].values
    mlat = np.asarray(table[f"{prefix}.mlat"].values, dtype=np.float64)
    mlon = np.asarray(table[f"{prefix}.mlon"].values, dtype=np.float64)
    mlt = np.full(mlat.shape, np.nan)
    for r in records:
        here = owner == r
        mlt[here] = _mlt_of(ds, int(r), mlon[here])
    return {
        "mlat": (dim, mlat, {"units": "degrees", "long_name": "magnetic latitude (AACGM-v2)"}),
        "mlon": (dim, mlon, {"units": "degrees", "long_name": "magnetic longitude (AACGM-v2)"}),
        "mlt": (dim, mlt, {"units": "h", "long_name": "magnetic local time"}),
    }


def fitted_velocity(
    ds: xr.Dataset,
    time: Any = None,
    positions: str = "vector",
    altitude_km: float | None = None,
    earth_radius_km: float = EARTH_RADIUS_KM,
    b_pole_nt: float | None = None,
) -> xr.Dataset:
    """The fitted (E x B) velocity from the gradient of the potential.

    ``E = -grad Phi`` on a sphere of radius ``earth_radius_km + altitude_km``, ``v = E x B /
    B^2`` in the dipole field of the module docstring. The derivative of ``P_l^m`` uses
    ``dP_l^m/dt = (P_l^(m+1) - (l+m)(l-m+1) P_l^(m-1)) / 2``, finite at the pole and on the
    boundary (RST's recurrence divides by ``sin``). pyDARN uses ``Re`` = 6371 km without the
    altitude and a 62,000 nT pole field: its speeds differ from these by a constant factor,
    its azimuths not at all.

    Args:
        ds: A SuperDARN map Dataset.
        time: Records (None: every record; an index, a time or a list of them).
        positions: ``"vector"`` (at the measured vectors, as pyDARN's fitted-velocity map) or
            ``"model"`` (at the statistical model's vectors, ``model.mlat/mlon``).
        altitude_km: Scattering altitude, km (default from config
            ``superdarn.map_altitude_km``, RST's 300).
        earth_radius_km: Earth radius, km.
        b_pole_nt: Dipole field at the pole, nT (default: :data:`B_POLE_NT` of the map's
            hemisphere).

    Returns:
        A Dataset on the ``vector`` (or ``model_vector``) dim of the selected records:
        ``speed`` and ``v_north``/``v_east`` (m/s), ``azimuth`` (degrees clockwise from
        magnetic north), ``potential`` (kV), ``inside_boundary`` (poleward of the
        Heppner-Maynard boundary, where pyDARN colours the vectors), with ``mlat``, ``mlon``,
        ``mlt`` and the record index and time as coordinates.

    Raises:
        InvalidArgumentError: For an unknown ``positions``.
        MissingVariableError: If the records hold no such vectors.
    """
    ds = _map_dataset(ds, "fitted_velocity")
    altitude_km = float(config.resolve(altitude_km, "superdarn.map_altitude_km"))
    if positions not in ("vector", "model"):
        raise InvalidArgumentError(f"must be 'vector' or 'model', not {positions!r}", "positions")
    dim = "vector" if positions == "vector" else "model_vector"
    prefix = "vector" if positions == "vector" else "model"
    require(ds, "superdarn", (f"{prefix}.mlat", f"{prefix}.mlon"), where="fitted_velocity")
    records = _records(ds, time)
    table = _vector_table(ds, records, dim)
    owner = table[f"{dim}_record"].values
    mlat = np.asarray(table[f"{prefix}.mlat"].values, dtype=np.float64)
    mlon = np.asarray(table[f"{prefix}.mlon"].values, dtype=np.float64)
    out = {k: np.full(mlat.shape, np.nan) for k in ("v_north", "v_east", "speed", "azimuth")}
    pot = np.full(mlat.shape, np.nan)
    inside = np.zeros(mlat.shape, dtype=bool)
    for r in records:
        here = owner == r
        fit = _Fit(ds, int(r))
        if not fit.valid or not here.any():
            continue
        for key, value in _velocity(
            fit, mlat[here], mlon[here], altitude_km, earth_radius_km, b_pole_nt
        ).items():
            out[key][here] = value
        pot[here] = _evaluate(fit, mlat[here], mlon[here])[0] / 1e3
        inside[here] = _inside_boundary(ds, int(r), mlat[here], mlon[here])
    coords = _position_variables(ds, table, dim, prefix, records)
    coords[f"{dim}_record"] = table[f"{dim}_record"]
    coords[f"{dim}_time"] = table[f"{dim}_time"]
    units = {"units": "m/s"}
    return xr.Dataset(
        {
            "speed": (dim, out["speed"], {**units, "long_name": "fitted velocity magnitude"}),
            "azimuth": (
                dim,
                out["azimuth"],
                {
                    "units": "degrees",
                    "long_name": "fitted velocity azimuth (clockwise from magnetic north)",
                },
            ),
            "v_north": (dim, out["v_north"], {**units, "long_name": "fitted velocity, north"}),
            "v_east": (dim, out["v_east"], {**units, "long_name": "fitted velocity, east"}),
            "potential": (dim, pot, {"units": "kV", "long_name": "electrostatic potential"}),
            "inside_boundary": (
                dim,
                inside,
                {"long_name": "poleward of the Heppner-Maynard boundary"},
            ),
        },
        coords=coords,
        attrs={"altitude_km": altitude_km, "earth_radius_km": earth_radius_km},
    )


def _inside_boundary(ds: xr.Dataset, r: int, mlat: np.ndarray, mlon: np.ndarray) -> np.ndarray:
    """Points poleward of record ``r``'s Heppner-Maynard boundary (latmin without one)."""
    latmin = abs(float(ds["latmin"].values[r]))
    if "boundary.mlat" not in ds:
        return np.abs(mlat) >= latmin
    here = ds["boundary_point_record"].values == r
    blat = np.abs(np.asarray(ds["boundary.mlat"].values[here], dtype=np.float64))
    blon = np.asarray(ds["boundary.mlon"].values[here], dtype=np.float64)
    if blat.size == 0:
        return np.abs(mlat) >= latmin
    order = np.argsort(np.mod(blon, 360.0))
    limit = np.interp(np.mod(mlon, 360.0), np.mod(blon, 360.0)[order], blat[order], period=360.0)
    return np.abs(mlat) >= limit


def line_of_sight(ds: xr.Dataset, time: Any = None) -> xr.Dataset:
    """The measured line-of-sight vectors of grid or map records.

    ``vector.vel.median`` along ``vector.kvect``: the velocity component in the direction of
    the azimuth ``kvect`` (degrees clockwise from magnetic north), split into ``v_north`` =
    ``v cos(kvect)`` and ``v_east`` = ``v sin(kvect)``.

    Args:
        ds: A SuperDARN grid or map Dataset.
        time: Records (None: every record; an index, a time or a list of them).

    Returns:
        A Dataset on ``vector``: ``velocity`` (signed, m/s), ``speed`` (its magnitude),
        ``azimuth`` (degrees, the direction of the signed vector), ``v_north``, ``v_east``,
        ``kvect``, ``stid`` and, where the file has them, ``velocity_sd``, ``power``,
        ``width``; ``mlat``, ``mlon`` and ``mlt`` as coordinates (for grid files, which carry
        no MLT, from AACGM-v2 at the middle of each record when ``aacgmv2`` is installed,
        else NaN).

    Raises:
        IncompatibleInputError: If the Dataset is neither a grid nor a map file.
        MissingVariableError: If it holds no vectors.
    """
    needed = ("vector.mlat", "vector.mlon", "vector.kvect", "vector.vel.median")
    ds = require(ds, "superdarn", needed, where="line_of_sight")
    if ds.attrs.get("superdarn_type") not in ("grid", "map"):
        raise IncompatibleInputError(
            f"line_of_sight needs a grid or map file, not {ds.attrs.get('superdarn_type')!r}"
        )
    records = _records(ds, time)
    table = _vector_table(ds, records, "vector")
    vel = np.asarray(table["vector.vel.median"].values, dtype=np.float64)
    kvect = np.asarray(table["vector.kvect"].values, dtype=np.float64)
    north, east = vel * np.cos(np.radians(kvect)), vel * np.sin(np.radians(kvect))
    variables: dict[str, Any] = {
        "velocity": ("vector", vel, {"units": "m/s", "long_name": "line-of-sight velocity"}),
        "speed": ("vector", np.abs(vel), {"units": "m/s",
                  "long_name": "line-of-sight speed"}),
        "azimuth": ("vector", np.degrees(np.arctan2(east, north)), {"units": "degrees",
                    "long_name": "line-of-sight vector azimuth (clockwise from magnetic north)"}),
        "v_north": ("vector", north, {"units": "m/s", "long_name": "line-of-sight, north"}),
        "v_east": ("vector", east, {"units": "m/s", "long_name": "line-of-sight, east"}),
        "kvect": ("vector", kvect, {"units": "degrees", "long_name": "beam azimuth (kvect)"}),
    }  # fmt: skip
    for name, key, long_name, units in (
        ("stid", "vector.stid", "station id", ""),
        ("velocity_sd", "vector.vel.sd", "velocity standard deviation", "m/s"),
        ("power", "vector.pwr.median", "power", "dB"),
        ("width", "vector.wdt.median", "spectral width", "m/s"),
    ):
        if key in table:
            attrs = {"long_name": long_name, **({"units": units} if units else {})}
            variables[name] = ("vector", table[key].values, attrs)
    coords = _position_variables(ds, table, "vector", "vector", records)
    coords["vector_record"] = table["vector_record"]
    coords["vector_time"] = table["vector_time"]
    return xr.Dataset(variables, coords=coords)


def heppner_maynard_boundary(ds: xr.Dataset, time: Any = None) -> xr.Dataset:
    """The Heppner-Maynard boundary of map records (the file's ``boundary.mlat/mlon``).

    Args:
        ds: A SuperDARN map Dataset.
        time: Records (None: every record; an index, a time or a list of them).

    Returns:
        A Dataset on ``boundary_point`` with ``mlat``, ``mlon`` and ``mlt`` (hours) and the
        record index and time as coordinates.

    Raises:
        MissingVariableError: If the file holds no boundary.
    """
    ds = _map_dataset(ds, "heppner_maynard_boundary")
    require(ds, "superdarn", ("boundary.mlat", "boundary.mlon"), "heppner_maynard_boundary")
    records = _records(ds, time)
    table = _vector_table(ds, records, "boundary_point")
    coords = _position_variables(ds, table, "boundary_point", "boundary", records)
    coords["boundary_point_record"] = table["boundary_point_record"]
    coords["boundary_point_time"] = table["boundary_point_time"]
    return xr.Dataset(coords=coords, attrs={"long_name": "Heppner-Maynard boundary"})


def cross_polar_cap_potential(
    ds: xr.Dataset,
    time: Any = None,
    lat_step: float = 0.5,
    lon_step: float = 1.0,
    within: str = "latmin",
) -> xr.Dataset:
    """The cross-polar-cap potential (maximum minus minimum) of map records.

    The potential is evaluated on a ``lat_step`` x ``lon_step`` grid poleward of ``latmin``
    (RST's ``map_addfit`` uses 2 x 5 degrees for the file's ``pot.drop``) or of the
    Heppner-Maynard boundary; the file's own ``pot.drop``, ``pot.max`` and ``pot.min`` come
    along for comparison.

    Args:
        ds: A SuperDARN map Dataset.
        time: Records (None: every record; an index, a time or a list of them).
        lat_step: Latitude spacing of the search grid, degrees.
        lon_step: Longitude spacing of the search grid, degrees.
        within: ``"latmin"`` (the fit's region, as RST) or ``"boundary"`` (poleward of the
            Heppner-Maynard boundary).

    Returns:
        A Dataset on ``time``: ``cpcp``, ``potential_max``, ``potential_min`` (kV), the
        ``mlat``/``mlon``/``mlt`` of the maximum and minimum (``max_mlat``...), and
        ``file_pot_drop``, ``file_pot_max``, ``file_pot_min`` (kV) where the file has them.

    Raises:
        InvalidArgumentError: For an unknown ``within`` or non-positive steps.
    """
    ds = _map_dataset(ds, "cross_polar_cap_potential")
    if within not in ("latmin", "boundary"):
        raise InvalidArgumentError(f"must be 'latmin' or 'boundary', not {within!r}", "within")
    if not (lat_step > 0 and lon_step > 0):
        raise InvalidArgumentError("steps must be > 0", "lat_step")
    records = _records(ds, time)
    names = ("cpcp", "potential_max", "potential_min", "max_mlat", "max_mlon", "max_mlt",
             "min_mlat", "min_mlon", "min_mlt")  # fmt: skip
    out = {k: np.full(len(records), np.nan) for k in names}
    lons = np.arange(0.0, 360.0, lon_step)
    for i, r in enumerate(records):
        fit = _Fit(ds, int(r))
        if not fit.valid:
            continue
        lats = np.arange(fit.latmin, 90.0 + lat_step / 2, lat_step)
        lats = np.append(lats[lats < 90.0], 90.0)
        lat2, lon2 = np.meshgrid(lats, lons, indexing="ij")
        pot = _evaluate_grid(fit, lats, lons) / 1e3
        if within == "boundary":
            pot = np.where(_inside_boundary(ds, int(r), lat2, lon2), pot, np.nan)
        hi, lo = np.nanargmax(pot), np.nanargmin(pot)
        sign = fit.hemisphere
        out["potential_max"][i], out["potential_min"][i] = pot.flat[hi], pot.flat[lo]
        out["cpcp"][i] = pot.flat[hi] - pot.flat[lo]
        for tag, k in (("max", hi), ("min", lo)):
            out[f"{tag}_mlat"][i] = sign * lat2.flat[k]
            out[f"{tag}_mlon"][i] = lon2.flat[k]
            out[f"{tag}_mlt"][i] = _mlt_of(ds, int(r), lon2.flat[k])
    kv = {"units": "kV"}
    deg = {"units": "degrees"}
    variables: dict[str, Any] = {
        "cpcp": ("time", out["cpcp"], {**kv, "long_name": "cross-polar-cap potential"}),
        "potential_max": ("time", out["potential_max"], {**kv, "long_name": "potential maximum"}),
        "potential_min": ("time", out["potential_min"], {**kv, "long_name": "potential minimum"}),
    }
    for tag in ("max", "min"):
        variables[f"{tag}_mlat"] = ("time", out[f"{tag}_mlat"], deg)
        variables[f"{tag}_mlon"] = ("time", out[f"{tag}_mlon"], deg)
        variables[f"{tag}_mlt"] = ("time", out[f"{tag}_mlt"], {"units": "h"})
    for name, key in (("file_pot_drop", "pot.drop"), ("file_pot_max", "pot.max"),
                      ("file_pot_min", "pot.min")):  # fmt: skip
        if key in ds:
            values = np.asarray(ds[key].values[records], dtype=np.float64) / 1e3
            variables[name] = ("time", values, {**kv, "long_name": f"the file's {key}"})
    return xr.Dataset(
        variables,
        coords={"time": ds["time"].values[records]},
        attrs={"within": within, "lat_step": lat_step, "lon_step": lon_step},
    )


def convection_map(
    ds: xr.Dataset,
    time: Any = None,
    lat_step: float = 1.0,
    mlt_step: float = 0.25,
    lowlat: float | None = None,
) -> xr.Dataset:
    """Everything a convection map of one record shows, in one Dataset.

    Args:
        ds: A SuperDARN map Dataset.
        time: The record (None: the first; an index or a time, the nearest record start).
        lat_step: Latitude spacing of the potential grid, degrees.
        mlt_step: MLT spacing of the potential grid, hours.
        lowlat: Lowest absolute magnetic latitude of the potential grid, degrees (default: the
            record's ``latmin`` rounded down).

    Returns:
        A Dataset: ``potential`` (kV, ``(mlat, mlt)``), the fitted vectors (``fitted_*`` on
        ``vector``: speed, azimuth, v_north, v_east, inside_boundary), the line-of-sight vectors
        (``los_*``), the Heppner-Maynard boundary (``boundary_mlat``/``_mlt`` on
        ``boundary_point``), and in ``attrs`` the record's time, ``cpcp`` (kV, this grid),
        ``pot_drop`` (kV, the file's), ``fit_order``, ``latmin``, ``hemisphere``, ``model_name``
        and the IMF.

    Raises:
        InvalidArgumentError: If ``time`` selects more than one record.
    """
    ds = _map_dataset(ds, "convection_map")
    records = _records(ds, 0 if time is None else time)
    if len(records) != 1:
        raise InvalidArgumentError("a convection map shows one record", "time")
    r = int(records[0])
    pot = potential(ds, r, lat_step=lat_step, mlt_step=mlt_step, lowlat=lowlat).isel(time=0)
    out = xr.Dataset({"potential": pot.drop_vars("time")})
    if "vector.mlat" in ds and np.any(ds["vector_record"].values == r):
        fitted = fitted_velocity(ds, r)
        los = line_of_sight(ds, r)
        keep = ("mlat", "mlon", "mlt")
        out = out.assign_coords(
            {f"vector_{k}": ("vector", fitted[k].values, fitted[k].attrs) for k in keep}
        )
        for name in ("speed", "azimuth", "v_north", "v_east", "inside_boundary"):
            out[f"fitted_{name}"] = ("vector", fitted[name].values, fitted[name].attrs)
        for name in ("velocity", "speed", "azimuth", "v_north", "v_east"):
            out[f"los_{name}"] = ("vector", los[name].values, los[name].attrs)
    if "boundary.mlat" in ds and np.any(ds["boundary_point_record"].values == r):
        hmb = heppner_maynard_boundary(ds, r)
        for k in ("mlat", "mlon", "mlt"):
            out[f"boundary_{k}"] = ("boundary_point", hmb[k].values, hmb[k].attrs)
    cpcp = cross_polar_cap_potential(ds, r)
    attrs: dict[str, Any] = {
        "time": str(np.datetime_as_string(ds["time"].values[r], unit="s")),
        "record": r,
        "cpcp": float(cpcp["cpcp"].values[0]),
        "fit_order": int(ds["fit.order"].values[r]),
        "latmin": float(ds["latmin"].values[r]),
        "hemisphere": "south" if _hemisphere(ds, r) < 0 else "north",
        "n_vectors": int(np.sum(ds["vector_record"].values == r)) if "vector_record" in ds else 0,
    }
    if "end_time" in ds.coords:
        attrs["end_time"] = str(np.datetime_as_string(ds["end_time"].values[r], unit="s"))
    if "file_pot_drop" in cpcp:
        attrs["pot_drop"] = float(cpcp["file_pot_drop"].values[0])
    for name, key in (("model_name", "model.name"), ("imf_bx", "IMF.Bx"), ("imf_by", "IMF.By"),
                      ("imf_bz", "IMF.Bz")):  # fmt: skip
        if key in ds:
            value = ds[key].values[r]
            attrs[name] = str(value) if isinstance(value, str | np.str_) else float(value)
    out.attrs = attrs
    return out
