r"""Eliassen–Palm (EP) flux and its divergence for TIE-GCM and WACCM-X, as GCMprocpy's EP flux.

The primitive-equation EP flux in log-pressure coordinates (Andrews, Holton & Leovy 1987,
*Middle Atmosphere Dynamics*, Academic Press, eqs. 3.5.3 and 3.5.2a), divided by
:math:`\rho_0 a\cos\phi` so that the components are fluxes per unit mass and the divergence is
the zonal-wind acceleration, as tgcmproc's ``epflux.F`` (B. Foster and H. Liu, 1998; Volland,
*Atmospheric Tidal and Planetary Waves*, 1988, section 2.7) and GCMprocpy 1.5.2
(``data_epflux.py``) give them:

.. math::

    \mathrm{EPVY} = F_\phi / (\rho_0 a\cos\phi)
        = -\overline{u'v'} + \frac{\overline{v'T'}}{\gamma}\,\frac{\partial\bar u}{\partial z}

    \mathrm{EPVZ} = F_z / (\rho_0 a\cos\phi)
        = -\Big[\overline{u'w'} + \Big(\frac{1}{a\cos\phi}
          \frac{\partial(\bar u\cos\phi)}{\partial\phi} - f\Big)\frac{\overline{v'T'}}{\gamma}\Big]

    \mathrm{EPVDIV} = \frac{\nabla\cdot F}{\rho_0 a\cos\phi}
        = \frac{1}{a\cos^2\phi}\frac{\partial(\cos^2\phi\,\mathrm{EPVY})}{\partial\phi}
          + \frac{1}{\rho}\frac{\partial(\rho\,\mathrm{EPVZ})}{\partial z}

with overbars zonal means and primes departures from them, :math:`f = 2\Omega\sin\phi`,
:math:`z = H\ln(p_s/p)` the log-pressure height (:math:`p_s` = 1000 hPa; TIE-GCM's level
``lev = ln(p0/p)`` gives :math:`\Delta z = H\,\Delta\mathrm{lev}`),
:math:`w = \mathrm{d}z/\mathrm{d}t` (TIE-GCM: :math:`H\cdot` OMEGA, OMEGA in s\ :sup:`-1`;
WACCM-X: :math:`-H\omega/p`, :math:`\omega` in Pa s\ :sup:`-1`), and the static stability
:math:`\gamma = \partial\bar T/\partial z + \kappa\bar T/H`, for which
:math:`\overline{v'T'}/\gamma = \overline{v'\theta'}/\bar\theta_z` exactly
(:math:`\theta = T e^{\kappa z/H}`). Constants as tgcmproc: :math:`H = R T_s/g` with
R = 287 J kg\ :sup:`-1` K\ :sup:`-1`, T\ :sub:`s` = 300 K, g = 9.8 m s\ :sup:`-2`
(H = 8785.7 m), :math:`\kappa = R/c_p` with c\ :sub:`p` = 1004 J kg\ :sup:`-1` K\ :sup:`-1`,
a = 6371 km. Derivatives are centred differences, linearly extrapolated at the first and last
level and latitude (as ``epflux.F``); levels that are missing everywhere (TIE-GCM's top
midpoint of TN, UN and VN) are left out of the differences and returned as NaN.

Where we differ from GCMprocpy 1.5.2, on purpose (``tests/gcm/test_epflux.py`` bounds each):

* **the density in the vertical divergence**: by default the log-pressure basic-state density
  :math:`\rho_0 \propto p \propto e^{-z/H}` of the TEM equations (AHL 1987, eq. 3.5.2a);
  GCMprocpy (like tgcmproc's ``mkrhokg``) uses the actual mass density
  :math:`\rho = p\bar m/(kT)`, which adds :math:`\mathrm{EPVZ}\,\partial\ln(\bar m/T)/\partial z`
  to the divergence — large in the thermosphere, where T rises steeply. ``density="mass"``
  reproduces GCMprocpy's choice (with He in the mean molecular mass, which GCMprocpy omits);
* **the rotation rate**: the sidereal :math:`\Omega` = 7.2921e-5 s\ :sup:`-1`; GCMprocpy uses
  2π/86400 s\ :sup:`-1` (the solar day), 0.27 % smaller; pass ``omega=`` to reproduce it;
* **WACCM-X**: GCMprocpy takes the hybrid level values in hPa as if they were ln(p0/p)
  (:math:`z = H\cdot\mathrm{lev_{hPa}}`) and WACCM-X's OMEGA in Pa s\ :sup:`-1` as a velocity
  in m s\ :sup:`-1`, and on a file with CAM's "noleap" calendar it stops with an
  ``AttributeError`` before computing anything. We use :math:`z = H\ln(p_s/p_\mathrm{ref})`
  with the hybrid levels' reference pressures (exact above the hybrid-to-pressure transition,
  ~100 hPa; below it the model surfaces follow the terrain) and :math:`w = -H\omega/p`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ..errors import InvalidArgumentError, MissingVariableError
from ..physics import AMU_G, EARTH_RADIUS_KM
from ._select import check_method, fused, gcm_dataset, select_time, variable

__all__ = [
    "CP",
    "DENSITIES",
    "GRAVITY",
    "OMEGA_EARTH",
    "P_SURFACE_HPA",
    "R_DRY",
    "SCALE_HEIGHT",
    "T_REF",
    "epflux",
]

#: Gravity of the reference scale height, m s-2 (tgcmproc ``epflux.F``).
GRAVITY = 9.8
#: Specific heat at constant pressure, J kg-1 K-1 (tgcmproc).
CP = 1004.0
#: Gas constant of dry air, J kg-1 K-1 (tgcmproc).
R_DRY = 287.0
#: Reference temperature of the scale height, K (tgcmproc).
T_REF = 300.0
#: Reference scale height H = R T_s / g, m (8785.7 m).
SCALE_HEIGHT = R_DRY * T_REF / GRAVITY
#: Earth's sidereal rotation rate, rad s-1 (IERS).
OMEGA_EARTH = 7.2921159e-5
#: Reference surface pressure of the log-pressure height z = H ln(p_s/p), hPa.
P_SURFACE_HPA = 1000.0
#: Densities for the vertical divergence.
DENSITIES = ("log-pressure", "mass")
_SECONDS_PER_DAY = 86400.0
_PA_PER_S = ("Pa/s", "Pa s-1", "Pa s**-1")
_PER_S = ("s-1", "1/s", "s**-1", "s^-1")


def _centred(f: np.ndarray, x: np.ndarray, axis: int) -> np.ndarray:
    """Centred differences df/dx at the interior points along ``axis`` (n-2 values)."""
    f = np.moveaxis(f, axis, -1)
    x = np.asarray(x, dtype=np.float64)
    return np.moveaxis((f[..., 2:] - f[..., :-2]) / (x[2:] - x[:-2]), -1, axis)


def _extend(interior: np.ndarray, axis: int) -> np.ndarray:
    """Add the two end points by linear extrapolation of the interior (tgcmproc's edges)."""
    g = np.moveaxis(interior, axis, -1)
    first = 2.0 * g[..., :1] - g[..., 1:2]
    last = 2.0 * g[..., -1:] - g[..., -2:-1]
    return np.moveaxis(np.concatenate([first, g, last], axis=-1), -1, axis)


def _kernel(
    tm: np.ndarray,
    um: np.ndarray,
    uv: np.ndarray,
    vt: np.ndarray,
    uw: np.ndarray,
    rho: np.ndarray,
    *,
    z: np.ndarray,
    lat: np.ndarray,
    omega: float,
    scale_height: float,
    kappa: float,
    radius: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """EPVY, EPVZ, EPVDIV from zonal means on ``(..., lev, lat)`` (all leading dims at once)."""
    shape = np.broadcast_shapes(tm.shape, um.shape, uv.shape, vt.shape, uw.shape, rho.shape)
    out = [np.full(shape, np.nan) for _ in range(3)]
    lead = tuple(range(tm.ndim - 2))
    keep = np.flatnonzero(~np.all(np.isnan(tm), axis=(*lead, tm.ndim - 1)))
    if keep.size < 3 or lat.size < 3:
        return out[0], out[1], out[2]
    tm, um, uv, vt, uw, rho = (
        np.asarray(np.broadcast_to(a, shape)[..., keep, :], dtype=np.float64)
        for a in (tm, um, uv, vt, uw, rho)
    )
    zk = np.asarray(z, dtype=np.float64)[keep]
    phi = np.deg2rad(np.asarray(lat, dtype=np.float64))
    y = radius * phi
    cos = np.cos(phi)
    with np.errstate(divide="ignore", invalid="ignore"):
        # static stability and vertical shear (interior centred, edges extrapolated)
        gamma = _extend(_centred(tm, zk, -2) + kappa / scale_height * tm[..., 1:-1, :], -2)
        dudz = _extend(_centred(um, zk, -2), -2)
        heat = vt / gamma  # v'T'/gamma = v'theta'/theta_z
        epvy = -uv + heat * dudz
        # (a cos phi)^-1 d(u cos phi)/d phi - f
        dudy = _extend(_centred(um * cos, y, -1) / cos[1:-1], -1)
        coriolis = 2.0 * omega * np.sin(phi)
        epvz = -(uw + (dudy - coriolis) * heat)
        # divergence: (a cos^2)^-1 d(cos^2 Fy)/d phi + rho^-1 d(rho Fz)/dz, in m/s/day
        dfy = _centred(cos**2 * epvy, y, -1) / cos[1:-1] ** 2
        dfz = _extend(_centred(rho * epvz, zk, -2) / rho[..., 1:-1, :], -2)
        div = _extend((dfy + dfz[..., 1:-1]) * _SECONDS_PER_DAY, -1)
    for target, value in zip(out, (epvy, epvz, div), strict=True):
        target[..., keep, :] = value
    return out[0], out[1], out[2]


def _to_lev(ds: xr.Dataset, da: xr.DataArray) -> xr.DataArray:
    """Interface-level field to midpoints: linear in the level, clamped at the ends (GCMprocpy)."""
    if "lev" in da.dims:
        return da
    if "ilev" not in da.dims:
        raise InvalidArgumentError(f"{da.name} has no vertical dim (lev or ilev)", "OMEGA")
    ilev = ds["ilev"].values.astype(np.float64)
    lev = ds["lev"].values.astype(np.float64)
    order = np.argsort(ilev)
    sorted_ilev = ilev[order]
    j = np.clip(np.searchsorted(sorted_ilev, lev) - 1, 0, ilev.size - 2)
    step = sorted_ilev[j + 1] - sorted_ilev[j]
    w = np.clip((lev - sorted_ilev[j]) / np.where(step == 0, 1.0, step), 0.0, 1.0)
    lower = da.isel(ilev=xr.DataArray(order[j], dims="lev"))
    upper = da.isel(ilev=xr.DataArray(order[j + 1], dims="lev"))
    weight = xr.DataArray(w, dims="lev")
    out = lower * (1.0 - weight) + upper * weight
    out = out.drop_vars([c for c in ("ilev", "ipressure") if c in out.coords])
    return out.assign_coords(lev=ds["lev"])


def _log_pressure_height(ds: xr.Dataset, scale_height: float) -> np.ndarray:
    """Log-pressure height H ln(p_s / p_ref) along ``lev``, m (p_ref: level or hybrid pressure)."""
    pressure = ds["pressure"] if "pressure" in ds.coords else None
    if pressure is not None and pressure.dims == ("lev",):
        p_ref = np.asarray(pressure.values, dtype=np.float64)  # TIE-GCM: p0 exp(-lev), hPa
    else:
        p_ref = np.asarray(ds["lev"].values, dtype=np.float64)  # WACCM-X: hybrid level, hPa
    return scale_height * np.log(P_SURFACE_HPA / p_ref)


def _vertical_velocity(
    ds: xr.Dataset, omega_field: xr.DataArray, scale_height: float
) -> xr.DataArray:
    """Log-pressure vertical velocity w = dz/dt, m/s, on ``lev``."""
    units = str(omega_field.attrs.get("units", "")).strip()
    w = _to_lev(ds, omega_field)
    if units in _PA_PER_S:  # WACCM-X pressure velocity: w = -H omega / p
        if "pressure" not in w.coords:
            raise MissingVariableError(
                "epflux: OMEGA in Pa/s needs the pressure coordinate (hyam, hybm, P0, PS)"
            )
        return -scale_height * w / (w["pressure"] * 100.0)
    if units in _PER_S or (units == "" and ds.attrs.get("model") == "TIE-GCM"):
        return scale_height * w  # TIE-GCM: d(ln p0/p)/dt
    raise InvalidArgumentError(
        f"OMEGA has units {units!r}; expected s-1 (TIE-GCM d(ln p0/p)/dt) or Pa/s (WACCM-X)",
        "OMEGA",
    )


def epflux(
    ds: xr.Dataset,
    time: Any = None,
    density: str = "log-pressure",
    omega: float | None = None,
    scale_height: float | None = None,
    method: str = "nearest",
) -> xr.Dataset:
    r"""Eliassen–Palm flux (per unit mass) and its divergence, on ``(lev, lat)``.

    The formula, its reference (Andrews, Holton & Leovy 1987, eqs. 3.5.2a and 3.5.3; tgcmproc
    ``epflux.F``) and the differences from GCMprocpy are in :mod:`geospacexr.gcm.epflux`.

    Args:
        ds: A ``gcm`` Dataset with TN, UN, VN and OMEGA (TIE-GCM primary histories or
            WACCM-X histories).
        time: Time (nearest unless ``method="exact"``); ``None`` keeps every time (lazily).
        density: ``"log-pressure"`` (:math:`\rho_0 \propto p`, the TEM equations'; default)
            or ``"mass"`` (:math:`\rho = p\bar m/kT` from O1, O2 (and He, N2), as GCMprocpy).
        omega: Planetary rotation rate, rad/s (default ``None``: Earth's sidereal rate
            :data:`OMEGA_EARTH`; GCMprocpy uses 2π/86400).
        scale_height: Reference scale height H of the log-pressure height, m (default
            ``None``: R T_s/g = 8785.7 m, tgcmproc's, :data:`SCALE_HEIGHT`).
        method: ``"nearest"`` or ``"exact"`` time matching.

    Returns:
        Dataset with ``EPVY`` and ``EPVZ`` (m2 s-2) and ``EPVDIV`` (m s-1 day-1) on
        ``([time,] lev, lat)``, and the log-pressure height ``zstar`` (km) on ``lev``.

    Raises:
        MissingVariableError: If TN, UN, VN or OMEGA (or, with ``density="mass"``, O1/O2) is
            missing.
        InvalidArgumentError: If ``density`` is unknown, ``omega`` or ``scale_height`` is not
            a positive number, or OMEGA has unknown units.
        OutOfRangeError: If the time is outside the files.

    Example:
        >>> flux = geospacexr.gcm.epflux(ds, time="2003-03-21T01:00")  # doctest: +SKIP
        >>> flux.EPVDIV.sel(lat=40, method="nearest")  # doctest: +SKIP
    """
    gcm_dataset(ds, "epflux", ("TN", "UN", "VN"))
    check_method(method)
    omega = OMEGA_EARTH if omega is None else omega
    scale_height = SCALE_HEIGHT if scale_height is None else scale_height
    if density not in DENSITIES:
        raise InvalidArgumentError(
            f"must be one of {', '.join(DENSITIES)}, not {density!r}", "density"
        )
    for name, value in (("omega", omega), ("scale_height", scale_height)):
        if not (np.isfinite(value) and value > 0):
            raise InvalidArgumentError(f"must be a positive number, not {value!r}", name)
    if "OMEGA" not in ds:
        raise MissingVariableError(
            "epflux needs the vertical motion OMEGA for EPVZ and EPVDIV, which this "
            f"{ds.attrs.get('model', 'GCM')} Dataset lacks: open the primary histories "
            "(TIE-GCM) or a history with OMEGA (WACCM-X)"
        )
    kappa = R_DRY / CP

    def pick(da: xr.DataArray) -> xr.DataArray:
        return select_time(da, time, method)

    t = pick(variable(ds, "TN", "epflux"))
    u = pick(variable(ds, "UN", "epflux"))
    v = pick(variable(ds, "VN", "epflux"))
    w = _vertical_velocity(ds, pick(ds["OMEGA"]), scale_height)
    for name, da in (("TN", t), ("UN", u), ("VN", v)):
        if "lev" not in da.dims:
            raise InvalidArgumentError(f"{name} must be on the midpoint levels (lev)", name)
    drop = [c for c in ("pressure", "ipressure") if c in w.coords]
    w = w.drop_vars(drop)
    t, u, v = (da.drop_vars([c for c in ("pressure",) if c in da.coords]) for da in (t, u, v))

    tm, um, vm, wm = (da.mean("lon") for da in (t, u, v, w))
    up, vp = u - um, v - vm
    uv = (up * vp).mean("lon")
    vt = (vp * (t - tm)).mean("lon")
    uw = (up * (w - wm)).mean("lon")
    zstar = _log_pressure_height(ds, scale_height)
    if density == "mass":
        from .composition import mean_molecular_mass, total_number_density

        rho_full = total_number_density(ds) * mean_molecular_mass(ds) * AMU_G * 1e3  # kg/m3
        rho = pick(rho_full)
        rho = rho.drop_vars([c for c in ("pressure",) if c in rho.coords]).mean("lon")
    else:
        rho0 = xr.DataArray(np.exp(-(zstar - zstar.min()) / scale_height), dims="lev")
        rho = rho0 * xr.ones_like(tm)

    inputs = [tm, um, uv, vt, uw, rho]
    if any(a.chunks for a in inputs):
        inputs = [a.chunk({"lev": -1, "lat": -1}) for a in inputs]
    core = ["lev", "lat"]
    epvy, epvz, epvdiv = xr.apply_ufunc(
        _kernel,
        *inputs,
        input_core_dims=[core] * len(inputs),
        output_core_dims=[core] * 3,
        dask="parallelized",
        output_dtypes=[np.float64] * 3,
        kwargs={
            "z": zstar,
            "lat": ds["lat"].values,
            "omega": float(omega),
            "scale_height": float(scale_height),
            "kappa": kappa,
            "radius": EARTH_RADIUS_KM * 1e3,
        },
    )
    common = {"reference": "Andrews, Holton & Leovy (1987) eq. 3.5.3; tgcmproc epflux.F"}
    epvy.attrs = {"long_name": "EP flux, meridional (per unit mass)", "units": "m2 s-2", **common}
    epvz.attrs = {"long_name": "EP flux, vertical (per unit mass)", "units": "m2 s-2", **common}
    epvdiv.attrs = {
        "long_name": "EP flux divergence (zonal-wind acceleration)",
        "units": "m s-1 day-1",
        "density": density,
        **common,
    }
    out = xr.Dataset({"EPVY": epvy, "EPVZ": epvz, "EPVDIV": epvdiv})
    out = out.transpose(*[d for d in out.dims if d not in core], *core)
    out = out.assign_coords(
        zstar=(
            "lev",
            zstar / 1e3,
            {
                "long_name": f"log-pressure height H ln({P_SURFACE_HPA:g} hPa / p)",
                "units": "km",
            },
        )
    )
    out.attrs = {
        "model": str(ds.attrs.get("model", "")),
        "title": "Eliassen-Palm flux",
        "density": density,
        "omega": float(omega),
        "scale_height_m": float(scale_height),
        "kappa": kappa,
        "earth_radius_m": EARTH_RADIUS_KM * 1e3,
        "reference": (
            "Andrews, Holton & Leovy (1987) Middle Atmosphere Dynamics, eqs. 3.5.2a, 3.5.3; "
            "tgcmproc epflux.F (Foster & Liu 1998); GCMprocpy data_epflux.py"
        ),
    }
    return fused(out)
