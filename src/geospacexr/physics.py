"""Physical constants and small closed-form physics shared by readers and science modules.

Constants are CODATA 2018 values, in cgs where the models work in cgs.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "AMU_G",
    "BOLTZMANN_CGS",
    "EARTH_RADIUS_KM",
    "MOLECULAR_MASS",
    "geometric_heights",
    "gravity",
]

#: Boltzmann constant, erg/K (CODATA 2018, exact).
BOLTZMANN_CGS = 1.380649e-16
#: Mean Earth radius, km (IUGG), for converting geopotential to geometric height.
EARTH_RADIUS_KM = 6371.0
#: Atomic mass unit, g (CODATA 2018).
AMU_G = 1.66053906660e-24
#: Molecular masses (amu) of the species the models carry, by the names the readers give them.
MOLECULAR_MASS = {
    "O1": 16.0, "O": 16.0, "O2": 32.0, "N2": 28.0, "HE": 4.0, "He": 4.0, "NO": 30.0,
    "N2D": 14.0, "N4S": 14.0, "N": 14.0, "AR": 40.0, "Ar": 40.0, "CO2": 44.0, "H": 1.0,
    "O3": 48.0, "HO2": 33.0, "H2": 2.0, "H2O": 18.0, "CO": 28.0, "OH": 17.0,
}  # fmt: skip


def gravity_parameters(lat_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Surface gravity and effective radius of the latitude-dependent gravity model.

    Args:
        lat_deg: Geographic latitude(s), degrees.

    Returns:
        ``(g_surface, r_eff)``: surface gravity (cm/s^2) and the effective radius (cm) with which
        gravity falls off as ``g_surface (r_eff / (r_eff + z))**2``.
    """
    c2 = np.cos(np.deg2rad(2.0 * np.asarray(lat_deg, dtype=np.float64)))
    g_surface = 980.616 * (1.0 - 0.0026373 * c2)
    r_eff = 2.0 * g_surface / (3.085462e-6 + 2.27e-9 * c2)
    return g_surface, r_eff


def gravity(height_cm: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    """Gravity at a height above a latitude, cm/s^2.

    The surface value follows the international gravity formula,
    g_s = 980.616 (1 - 0.0026373 cos 2φ); it decreases with height as an inverse square with an
    effective radius r_e = 2 g_s / (3.085462e-6 + 2.27e-9 cos 2φ) chosen to match the free-air
    gradient: g = g_s (r_e / (r_e + h))^2. This is the form NCAR's TIE-GCM post-processors use to
    turn the model's constant-gravity geopotential into geometric height.

    Args:
        height_cm: Height above the surface, cm.
        lat_deg: Geographic latitude, degrees (broadcast against ``height_cm``).

    Returns:
        Gravity, cm/s^2.
    """
    g_surface, r_eff = gravity_parameters(lat_deg)
    return g_surface * (r_eff / (r_eff + height_cm)) ** 2


def geometric_heights(
    scale_cm2_s2: np.ndarray, bottom_cm: np.ndarray, dz: float | np.ndarray, lat_deg: np.ndarray
) -> np.ndarray:
    """Integrate hydrostatic balance upwards in log-pressure with height-dependent gravity.

    Within a layer of constant S = k T / m (spacing Δx in ln(p0/p)), dh/dx = S / g(h) with
    g = g_s (r_e / (r_e + h))^2 (:func:`gravity`) integrates exactly to
    1/(r_e + h_0) - 1/(r_e + h_1) = S Δx / (g_s r_e^2), which is applied layer by layer.

    Args:
        scale_cm2_s2: ``(..., nlayer)`` k T / m of each layer (erg/g = cm^2/s^2).
        bottom_cm: ``(...)`` height of the lowest interface, cm.
        dz: Interface spacing in ln(p0/p): a number, or ``(..., nlayer)`` per layer.
        lat_deg: Latitude, broadcastable to ``bottom_cm``.

    Returns:
        ``(..., nlayer + 1)`` interface heights, cm.
    """
    g_surface, r_eff = gravity_parameters(lat_deg)
    g_surface = np.asarray(g_surface)[..., None]
    r_eff = np.asarray(r_eff)[..., None]
    steps = scale_cm2_s2 * np.asarray(dz, dtype=np.float64) / (g_surface * r_eff**2)
    inverse = 1.0 / (r_eff[..., 0] + np.asarray(bottom_cm, dtype=np.float64))
    inverse = np.concatenate(
        [np.broadcast_to(inverse, np.broadcast_shapes(inverse.shape, steps.shape[:-1]))[..., None],
         inverse[..., None] - np.cumsum(steps, axis=-1)],
        axis=-1,
    )  # fmt: skip
    return 1.0 / inverse - r_eff
