"""Gridded fields (kind "bfield"): interpolation, the inner hole, L* against the analytic model."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

import geospacexr.rb as rb
from geospacexr import datasets
from geospacexr.errors import InvalidArgumentError, MissingVariableError, WrongKindError


def dipole_grid(hole: float = 2.5, step: float = 0.25, extent: float = 9.0) -> xr.Dataset:
    axis = np.arange(-extent, extent + step / 2, step)
    gx, gy, gz = np.meshgrid(axis, axis, axis, indexing="ij")
    r2 = gx**2 + gy**2 + gz**2
    with np.errstate(divide="ignore", invalid="ignore"):
        f = 30000.0 / r2**2.5
        bx, by, bz = -3 * gz * gx * f, -3 * gz * gy * f, (r2 - 3 * gz**2) * f
    data = {
        n: (("x", "y", "z"), np.where(r2 < hole**2, np.nan, b))
        for n, b in (("Bx", bx), ("By", by), ("Bz", bz))
    }
    return xr.Dataset(
        data,
        coords={"x": axis, "y": axis, "z": axis},
        attrs={"geospacexr_kind": "bfield", "frame": "SM", "inner_boundary_re": hole},
    )


@pytest.fixture(scope="module")
def grid():
    return dipole_grid()


def test_interpolated_field_matches_dipole(grid):
    model = rb.models.from_grid(grid)
    rng = np.random.default_rng(1)
    pts = rng.uniform(-7, 7, (200, 3))
    r = np.linalg.norm(pts, axis=1)
    pts, r = pts[r > 2.6], r[r > 2.6]
    bx, by, bz = model.field(*pts.T, frame="SM")
    exact = rb.models.get("dipole").field(*pts.T, frame="SM")
    err = np.linalg.norm(np.array([bx, by, bz]) - np.array(exact), axis=0)
    rel = err / np.linalg.norm(np.array(exact), axis=0)
    # r^3 B interpolation: the error falls as (h / r)^2 (plain trilinear B: ~1.5 (h / r)^2 * 4)
    assert np.max(rel[r > 4]) < 3e-3
    assert np.max(rel) < 1e-2


def test_lstar_on_dipole_grid_with_hole(grid):
    """Lines continue in the internal field inside the hole, so L* reaches the Earth: L* = L."""
    L = np.array([3.0, 4.0, 5.5, 6.5])
    phi = np.deg2rad([0, 100, 200, 300])
    lat = np.deg2rad([0, 10, -20, 5])
    r = L * np.cos(lat) ** 2
    p = rb.particles(
        r * np.cos(lat) * np.cos(phi), r * np.cos(lat) * np.sin(phi), r * np.sin(lat),
        [90, 60, 40, 75], frame="SM",
    )  # fmt: skip
    out = p.rb.lstar(rb.models.from_grid(grid))
    assert (out["status"] == 0).all()
    np.testing.assert_allclose(out["lstar"], L, rtol=1e-3)
    lines = grid.rb.trace([[4.0, 0.0, 0.0]], frame="SM")
    n = int(lines["n_points"][0])
    ends = np.sqrt(lines["x"] ** 2 + lines["y"] ** 2 + lines["z"] ** 2).values[0, [0, n - 1]]
    np.testing.assert_allclose(ends, 1.0, atol=1e-9)


def test_leaving_the_grid(grid):
    model = rb.models.from_grid(grid)
    bx, _, _ = model.field([20.0, 3.0], [0.0, 0.0], [0.0, 0.0], frame="SM")
    assert np.isnan(bx[0]) and np.isfinite(bx[1])
    lines = rb.trace(model, [[5.0, 0.0, 6.0]], frame="SM")  # on L = 19: leaves the box
    assert {int(lines["end_north"][0]), int(lines["end_south"][0])} == {0, 2}
    p = rb.particles(5.0, 0.0, 6.0, 60.0, frame="SM")
    assert p.rb.lstar(model)["status"].item() == 2


def test_t96_grid_sample_against_analytic_t96():
    grid = datasets.open_sample("t96-grid")
    assert grid.attrs["geospacexr_kind"] == "bfield"
    analytic = rb.models.get("t96", pdyn=2, dst=-20, by=0, bz=-2, internal="dipole")
    r = np.array([3.5, 4.5, 5.5, 6.5, 4.0])
    phi = np.deg2rad([0, 60, 120, 180, 240])
    lat = np.deg2rad([0, 10, -15, 5, 0])
    p = rb.particles(
        r * np.cos(lat) * np.cos(phi), r * np.cos(lat) * np.sin(phi), r * np.sin(lat),
        [90, 60, 30, 45, 75], frame="GSM",
    )  # fmt: skip
    a = p.rb.lstar(analytic)
    b = p.rb.lstar(rb.models.from_grid(grid))
    assert (a["status"] == 0).all() and (b["status"] == 0).all()
    np.testing.assert_allclose(b["lstar"], a["lstar"], rtol=5e-3)


def test_bad_grids(grid):
    with pytest.raises(MissingVariableError, match="Bz"):
        rb.models.from_grid(grid.drop_vars("Bz"))
    with pytest.raises(WrongKindError):
        rb.models.from_grid(grid.drop_attrs())
    with pytest.raises(InvalidArgumentError, match="increase"):
        rb.models.from_grid(grid.isel(x=slice(None, None, -1)))
    with pytest.raises(InvalidArgumentError, match="frame"):
        rb.models.from_grid(grid.assign_attrs(frame="HGI"))
    with pytest.raises(InvalidArgumentError, match="GSM or SM"):
        rb.models.from_grid(grid.assign_attrs(frame="GEO"))


def spherical_grid(field, hole: float = 2.5, nr: int = 48, nt: int = 46, nph: int = 64):
    """A curvilinear (r, theta, phi) grid like MHD codes use, with the field on its nodes."""
    r = hole * (12.0 / hole) ** np.linspace(0.0, 1.0, nr)  # geometric in r
    theta = np.linspace(0.06, np.pi - 0.06, nt)
    phi = np.linspace(0.0, 2 * np.pi, nph + 1)  # closed: the seam's nodes repeat
    R, T, P = np.meshgrid(r, theta, phi, indexing="ij")
    x, y, z = R * np.sin(T) * np.cos(P), R * np.sin(T) * np.sin(P), R * np.cos(T)
    bx, by, bz = field(x, y, z)
    dims = ("i", "j", "k")
    return xr.Dataset(
        {"Bx": (dims, bx), "By": (dims, by), "Bz": (dims, bz)},
        coords={"x": (dims, x), "y": (dims, y), "z": (dims, z)},
        attrs={"geospacexr_kind": "bfield", "frame": "GSM", "inner_boundary_re": hole},
    )


def test_curvilinear_grid_dipole_lstar_and_field():
    dipole = rb.models.get("dipole")
    grid = spherical_grid(lambda x, y, z: dipole.field(x, y, z))
    model = rb.models.from_grid(grid)
    assert model.params["grid"] == "curvilinear"
    rng = np.random.default_rng(3)
    pts = rng.uniform(-8, 8, (300, 3))
    r = np.linalg.norm(pts, axis=1)
    pts = pts[(r > 3.0) & (r < 11.0) & (np.abs(pts[:, 2]) / r < 0.95)]
    got = np.array(model.field(*pts.T))
    exact = np.array(dipole.field(*pts.T))
    rel = np.linalg.norm(got - exact, axis=0) / np.linalg.norm(exact, axis=0)
    assert np.max(rel) < 5e-3
    # outside the grid: NaN
    assert np.isnan(model.field([30.0], [0.0], [0.0])[0][0])
    L = np.array([3.5, 5.0, 6.5])
    lat = np.deg2rad([0.0, 15.0, -10.0])
    phi = np.deg2rad([10.0, 140.0, 250.0])
    rr = L * np.cos(lat) ** 2
    p = rb.particles(
        rr * np.cos(lat) * np.cos(phi), rr * np.cos(lat) * np.sin(phi), rr * np.sin(lat),
        [80.0, 50.0, 65.0], frame="GSM",
    )  # fmt: skip
    out = p.rb.lstar(model)
    assert (out["status"] == 0).all()
    np.testing.assert_allclose(out["lstar"], L, rtol=1e-3)


def test_curvilinear_t96_against_analytic():
    t96 = rb.models.get("t96", pdyn=2, dst=-20, by=0, bz=-2, internal="dipole")
    grid = spherical_grid(lambda x, y, z: t96.field(x, y, z), hole=1.05)
    model = rb.models.from_grid(grid)
    p = rb.particles([-5.0, 4.5, 0.0], [0.0, 1.0, -5.5], [0.0, 0.5, 0.0], [45.0, 70.0, 30.0],
                     frame="GSM")  # fmt: skip
    a = p.rb.lstar(t96)
    b = p.rb.lstar(model)
    assert (b["status"] == 0).all()
    np.testing.assert_allclose(b["lstar"], a["lstar"], rtol=5e-3)


def test_bad_curvilinear_grid():
    grid = spherical_grid(lambda x, y, z: (x, y, z))
    with pytest.raises(InvalidArgumentError, match="curvilinear"):
        rb.models.from_grid(grid.assign_coords(x=grid.x.isel(k=0)))


def test_residual_over_the_dipole_is_interpolated_exactly_when_uniform():
    """Dipole + a uniform field on a coarse 1-Re grid: the residual over the dipole is uniform, so
    its linear interpolation is exact (to rounding); interpolating r^3 B is not (the closed form
    is the field itself)."""
    axis = np.arange(-8.0, 8.5, 1.0)
    gx, gy, gz = np.meshgrid(axis, axis, axis, indexing="ij")
    r2 = gx**2 + gy**2 + gz**2
    b0, uniform = 31000.0, np.array([3.0, -2.0, -10.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        f = b0 / r2**2.5
        total = [-3 * gz * gx * f, -3 * gz * gy * f, (r2 - 3 * gz**2) * f]
    data = {
        n: (("x", "y", "z"), np.where(r2 < 4.0, np.nan, b + u))
        for n, b, u in zip(("Bx", "By", "Bz"), total, uniform, strict=True)
    }
    ds = xr.Dataset(
        data,
        coords={"x": axis, "y": axis, "z": axis},
        attrs={"geospacexr_kind": "bfield", "frame": "SM", "inner_boundary_re": 2.0},
    )
    pts = np.random.default_rng(4).uniform(-7.0, 7.0, (300, 3))
    pts = pts[np.linalg.norm(pts, axis=1) > 3.5]
    exact = np.array(rb.models.get("dipole", moment=b0).field(*pts.T, frame="SM"))
    exact += uniform[:, None]
    residual = np.array(rb.models.from_grid(ds, moment=b0).field(*pts.T, frame="SM"))
    np.testing.assert_allclose(residual, exact, rtol=0, atol=1e-9 * np.abs(exact).max())
    total_r3 = np.array(
        rb.models.from_grid(ds, moment=b0, background="none").field(*pts.T, frame="SM")
    )
    assert np.max(np.abs(total_r3 - exact)) > 1e-3 * np.abs(exact).max()
    with pytest.raises(InvalidArgumentError, match="background"):
        rb.models.from_grid(ds, background="quadrupole")
