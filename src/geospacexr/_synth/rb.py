"""Radiation-belt samples: a particle set and a T96 field sampled on a grid (``"bfield"``).

The particle set spreads positions over the outer and inner belts (2.5-7 Re, every local time,
magnetic latitudes within 30 degrees), local pitch angles 15-90 degrees and energies 0.1-5 MeV,
at one time. The gridded field is the dipole + T96 field evaluated on a rectilinear GSM grid
whose spacing grows with distance (0.25 Re near the Earth, 1 Re in the far tail), NaN inside the
Earth; it has the layout an MHD reader produces, so gridded-field L* can be checked against the
analytic model. (MHD grids have a hole of 2-3 Re, inside which geospacexr continues with the
internal field alone: a field without the currents inside the hole, whose L* differs from T96's
by about the hole's share of the ring-current flux, ~1% for Dst = -20 nT and a 2.5 Re hole.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr

from ..io.atomic import write_netcdf

#: The sample time, the T96 parameters of the grid and the particle set.
SAMPLE_TIME = "2017-09-01T12:00:00"
T96_PARAMETERS = {"pdyn": 2.0, "dst": -20.0, "by": 0.0, "bz": -2.0}


def particle_set(n: int = 40, seed: int = 2017) -> xr.Dataset:
    """The sample particle set (SM positions, local pitch angles, energies).

    Args:
        n: Number of particles.
        seed: Random seed (the set is deterministic).

    Returns:
        A ``"particles"`` Dataset.
    """
    from ..rb.invariants import particles

    rng = np.random.default_rng(seed)
    L = rng.uniform(2.5, 7.0, n)
    mlat = np.deg2rad(rng.uniform(-30.0, 30.0, n))
    mlt = rng.uniform(0.0, 24.0, n)
    r = L * np.cos(mlat) ** 2
    phi = np.deg2rad(mlt * 15.0 - 180.0)
    x = r * np.cos(mlat) * np.cos(phi)
    y = r * np.cos(mlat) * np.sin(phi)
    z = r * np.sin(mlat)
    pitch = rng.uniform(15.0, 90.0, n).round(1)
    energy = np.round(10 ** rng.uniform(-1.0, np.log10(5.0), n), 3)
    ds = particles(x, y, z, pitch, energy=energy, time=SAMPLE_TIME, frame="SM")
    ds.attrs["description"] = "geospacexr sample particle set (synthetic)"
    return ds


def _axis(extent_lo: float, extent_hi: float) -> np.ndarray:
    """Grid axis with spacing 0.25 Re within 8 Re of the Earth, 0.5 Re to 16 Re, then 1 Re."""
    pieces = []
    for lo, hi, step in ((0.0, 8.0, 0.25), (8.0, 16.0, 0.5), (16.0, 60.0, 1.0)):
        pieces.append(np.arange(lo, hi, step))
    pos = np.concatenate(pieces)
    full = np.unique(np.round(np.concatenate([-pos[::-1], pos]), 6))
    return full[(full >= extent_lo - 1e-9) & (full <= extent_hi + 1e-9)]


def t96_grid(
    x_range: tuple[float, float] = (-20.0, 12.0),
    y_range: tuple[float, float] = (-14.0, 14.0),
    z_range: tuple[float, float] = (-12.0, 12.0),
    inner_boundary: float = 1.0,
) -> xr.Dataset:
    """Dipole + T96 (zero tilt) sampled on a rectilinear GSM grid, as a ``"bfield"`` Dataset.

    Args:
        x_range: Extent of the grid, Re.
        y_range: Extent, Re.
        z_range: Extent, Re.
        inner_boundary: Radius inside which the grid holds NaN (the Earth; MHD grids have a hole
            of 2-3 Re), Re.

    Returns:
        The ``"bfield"`` Dataset (Bx, By, Bz in nT on x, y, z).
    """
    from ..rb import models

    xs, ys, zs = _axis(*x_range), _axis(*y_range), _axis(*z_range)
    model = models.get("t96", **T96_PARAMETERS, internal="dipole")
    gx, gy, gz = np.meshgrid(xs, ys, zs, indexing="ij")
    inside = gx**2 + gy**2 + gz**2 < inner_boundary**2
    bx, by, bz = (np.full(gx.shape, np.nan) for _ in range(3))
    bx[~inside], by[~inside], bz[~inside] = model.field(
        gx[~inside], gy[~inside], gz[~inside], time=None, frame="GSM"
    )
    data = {}
    for name, b in (("Bx", bx), ("By", by), ("Bz", bz)):
        b = b.astype(np.float32)
        data[name] = (("x", "y", "z"), b, {"units": "nT", "long_name": f"{name} (GSM)"})
    return xr.Dataset(
        data,
        coords={
            "x": ("x", xs, {"units": "Re"}),
            "y": ("y", ys, {"units": "Re"}),
            "z": ("z", zs, {"units": "Re"}),
        },
        attrs={
            "geospacexr_kind": "bfield",
            "frame": "GSM",
            "inner_boundary_re": inner_boundary,
            "source": "geospacexr: centred dipole (30000 nT, zero tilt) + T96 sampled on a grid",
            **{f"t96_{k}": v for k, v in T96_PARAMETERS.items()},
        },
    )


def particles_generator() -> Callable[[Path], list[str]]:
    """Generator of the ``rb-particles`` sample (one NetCDF file)."""

    def generate(folder: Path) -> list[str]:
        name = "rb_particles.nc"
        write_netcdf(particle_set(), Path(folder) / name)
        return [name]

    return generate


def t96_grid_generator() -> Callable[[Path], list[str]]:
    """Generator of the ``t96-grid`` sample (one NetCDF file)."""

    def generate(folder: Path) -> list[str]:
        name = "t96_grid.nc"
        write_netcdf(t96_grid(), Path(folder) / name)
        return [name]

    return generate
