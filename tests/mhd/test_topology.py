"""Field-line topology (geospacexr.mhd.topology) against closed forms: dipole, Dungey's model.

Dungey's (1961) open magnetosphere in vacuum: a dipole of equatorial surface field B0 plus a
uniform southward field -Bs. The field is axisymmetric about z, so its field lines are the
contours of the flux function (B = grad(psi) x grad(phi), rho the distance from the z axis):

    psi(rho, z) = -B0 rho^2 / r^3 - Bs rho^2 / 2          (R_E units)

On the equator Bz = (1/rho) dpsi/drho = B0 / rho^3 - Bs vanishes on the neutral ring
rho_n = (B0 / Bs)^(1/3), where psi has its maximum along the equator, psi_n = -3 B0 / (2 rho_n).
The separatrix psi = psi_n through the ring bounds three regions (Dungey 1961, Phys. Rev.
Lett. 6, 47; Cowley 1973, Radio Sci. 8, 903): for a seed with psi < psi_n the line is closed
when r < rho_n and interplanetary when r > rho_n; for psi > psi_n it is open, to the northern
cap when z > 0. On the equatorial plane: closed inside rho_n, solar wind outside.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from geospacexr import mhd
from geospacexr.errors import InvalidArgumentError, WrongKindError
from geospacexr.mhd.topology import TOPOLOGY

B0 = 30_000.0  # nT, config rb.dipole_moment_nt
BS = 30.0  # nT southward: rho_n = (B0 / BS)^(1/3) = 10 R_E
RHO_N = (B0 / BS) ** (1.0 / 3.0)
HALF = 24.0  # R_E, half-width of the rectilinear box
CLOSED, NORTH, SOUTH, WIND, UNKNOWN = 0, 1, 2, 3, -1


def dungey_field(x, y, z, bs):
    """Dipole (Earth-like: northward on the equator) plus a uniform Bz = -bs, nT."""
    r2 = x * x + y * y + z * z
    f = -B0 / r2**2.5  # the moment M = -B0 (kaipy's sign convention)
    return 3 * x * z * f, 3 * y * z * f, (3 * z * z - r2) * f - bs


def box_field(bs: float, step: float = 0.5) -> xr.Dataset:
    """A rectilinear ``"bfield"`` Dataset of the Dungey field in a box of half-width HALF."""
    a = np.arange(-HALF, HALF + step / 2, step)
    x, y, z = np.meshgrid(a, a, a, indexing="ij")
    with np.errstate(divide="ignore", invalid="ignore"):
        bx, by, bz = dungey_field(x, y, z, bs)
    inside = x * x + y * y + z * z < 1.5**2
    data = {
        n: (("x", "y", "z"), np.where(inside, np.nan, v))
        for n, v in zip(("Bx", "By", "Bz"), (bx, by, bz), strict=True)
    }
    return xr.Dataset(
        data,
        coords={"x": a, "y": a, "z": a},
        attrs={"geospacexr_kind": "bfield", "frame": "SM", "inner_boundary_re": 2.0},
    )


def curvilinear_run(bs: float, ni: int = 36, nj: int = 24, nk: int = 32) -> xr.Dataset:
    """An ``mhd`` Dataset on a GAMERA-like spherical grid about x (2 to 24 R_E), Dungey's field."""
    r = 2.0 * (HALF / 2.0) ** np.linspace(0.0, 1.0, ni + 1)
    theta = np.linspace(0.0, np.pi, nj + 1)
    phi = np.linspace(0.0, 2 * np.pi, nk + 1)
    P, T, R = np.meshgrid(phi, theta, r, indexing="ij")
    X, Y, Z = R * np.cos(T), R * np.sin(T) * np.cos(P), R * np.sin(T) * np.sin(P)
    Y[:, [0, -1], :] = Z[:, [0, -1], :] = 0.0

    def centre(a):
        return sum(
            a[dk : a.shape[0] - 1 + dk, dj : a.shape[1] - 1 + dj, di : a.shape[2] - 1 + di]
            for dk in (0, 1) for dj in (0, 1) for di in (0, 1)
        ) / 8.0  # fmt: skip

    x, y, z = centre(X), centre(Y), centre(Z)
    b = dict(zip(("Bx", "By", "Bz"), dungey_field(x, y, z, bs), strict=True))
    c, g = ("k", "j", "i"), ("kc", "jc", "ic")
    return xr.Dataset(
        {n: (("time", *c), v[None]) for n, v in b.items()},
        coords={
            "time": [np.datetime64("2015-03-17T12:00")], "step": ("time", [7]),
            "x": (c, x), "y": (c, y), "z": (c, z), "X": (g, X), "Y": (g, Y), "Z": (g, Z),
        },
        attrs={"geospacexr_kind": "mhd", "mhd_model": "test", "coordinate_system": "SM"},
    )  # fmt: skip


def dungey_class(x, z):
    """The closed-form topology of the seed (x, 0, z), and its distance from the separatrix."""
    rho2, r = x * x, np.hypot(x, z)
    psi = -B0 * rho2 / r**3 - BS * rho2 / 2
    psi_n = -1.5 * B0 / RHO_N
    code = np.where(psi > psi_n, np.where(z > 0, NORTH, SOUTH), np.where(r < RHO_N, CLOSED, WIND))
    return code, np.abs(psi / psi_n - 1.0)


@pytest.fixture(scope="module")
def dungey():
    return box_field(BS)


def test_dipole_lines_inside_the_box_are_all_closed_with_their_footpoints():
    grid = box_field(0.0)
    rng = np.random.default_rng(3)
    n = 60
    L = rng.uniform(2.5, 20.0, n)  # equatorial crossing well inside the box
    lat = np.deg2rad(rng.uniform(-40, 40, n))
    lon = rng.uniform(0, 2 * np.pi, n)
    r = L * np.cos(lat) ** 2
    r = np.maximum(r, 2.1)
    lat = np.sign(lat) * np.arccos(np.sqrt(r / L))
    rho = r * np.cos(lat)
    pts = np.stack([rho * np.cos(lon), rho * np.sin(lon), r * np.sin(lat)], -1)
    out = mhd.topology(grid, pts, moment=B0)
    assert (out["topology"] == CLOSED).all(), out["topology"].values
    # the footpoints: cos^2(latitude) = 1/L on the unit sphere; +B ends in the north
    z_foot = np.sqrt(1.0 - 1.0 / L)
    np.testing.assert_allclose(out["z_end_plus"], z_foot, rtol=2e-3)
    np.testing.assert_allclose(out["z_end_minus"], -z_foot, rtol=2e-3)
    assert out.topology.attrs["flag_meanings"].split() == [TOPOLOGY[k] for k in sorted(TOPOLOGY)]


def test_dungey_meridian_matches_the_closed_form(dungey):
    a = np.arange(-19.75, 20.0, 1.5)
    xx, zz = np.meshgrid(a, a, indexing="ij")
    keep = np.hypot(xx, zz) > 2.2
    pts = np.stack([xx[keep], np.zeros(keep.sum()), zz[keep]], -1)
    expected, margin = dungey_class(pts[:, 0], pts[:, 2])
    sure = margin > 0.04  # away from the separatrix (the grid's interpolation moves it a little)
    out = mhd.topology(dungey, pts, moment=B0)
    got = out["topology"].values
    assert sure.sum() > 200 and {CLOSED, NORTH, SOUTH, WIND} <= set(expected[sure])
    wrong = np.flatnonzero(sure & (got != expected))
    assert wrong.size == 0, [(tuple(pts[i]), got[i], expected[i]) for i in wrong]


def test_dungey_equatorial_plane_closed_inside_the_neutral_ring(dungey):
    out = mhd.topology(dungey, plane="equatorial", extent=(-16, 16, -16, 16), resolution=2.0,
                       moment=B0)  # fmt: skip
    assert out["topology"].dims == ("x", "y")
    np.testing.assert_allclose(out["x"], np.arange(-15.0, 16.0, 2.0))  # cell centres
    rho = np.hypot(*np.meshgrid(out["x"], out["y"], indexing="ij"))
    code = out["topology"].values
    assert (code[rho < RHO_N - 1.0] == CLOSED).all()
    assert (code[rho > RHO_N + 1.0] == WIND).all()
    # the last closed line's equatorial distance is the neutral ring's radius, (B0/Bs)^(1/3)
    assert rho[code == CLOSED].max() == pytest.approx(RHO_N, abs=1.5)
    assert rho[code == WIND].min() == pytest.approx(RHO_N, abs=1.5)


def test_through_an_mhd_run_on_a_curvilinear_grid():
    run = curvilinear_run(BS)
    out = run.mhd.topology([[6, 0.3, 0], [-6, 0.3, 0], [14, 0.3, 0], [-14, 0.3, 0],
                            [1, 0.2, 5], [1, 0.2, -5], [0.5, 0, 0]], step=7, moment=B0)  # fmt: skip
    assert out["topology"].values.tolist() == [CLOSED, CLOSED, WIND, WIND, NORTH, SOUTH, UNKNOWN]
    assert out["topology"].dims == ("point",) and float(out["x"][0]) == 6.0


def test_meridional_grid_and_errors(dungey):
    out = mhd.topology(dungey, plane="meridional", extent=(-4, 4, -4, 4), resolution=4.0,
                       moment=B0)  # fmt: skip
    assert out["topology"].dims == ("x", "z") and float(out["y"]) == 0.0
    assert (out["topology"] == CLOSED).all()
    for kwargs, argument in [
        ({"points": [[1.0, 2.0]]}, "points"),
        ({"points": [[np.nan, 0.0, 3.0]]}, "points"),
        ({"plane": "polar"}, "plane"),
        ({"extent": (5, 1, 0, 1)}, "extent"),
        ({"resolution": -1.0}, "resolution"),
        ({"resolution": 1e-3}, "resolution"),  # millions of seeds: refused before tracing
    ]:
        with pytest.raises(InvalidArgumentError) as info:
            mhd.topology(dungey, **kwargs)
        assert info.value.argument == argument
    with pytest.raises(WrongKindError):
        mhd.topology(xr.Dataset(attrs={"geospacexr_kind": "gcm"}))


def test_line_topology_classifies_lines_traced_elsewhere(dungey):
    """``line_topology`` on lines traced by ``rb.trace`` gives topology()'s classes."""
    from geospacexr.mhd.topology import line_topology
    from geospacexr.rb.models import from_grid
    from geospacexr.rb.tracing import trace

    pts = np.array([[-5.0, 0.3, 0.0], [-6.0, 0.3, 9.0], [-6.0, 0.3, -9.0], [-16.0, 0.3, 0.0]])
    expected, _ = dungey_class(pts[:, 0], pts[:, 2])
    assert list(expected) == [CLOSED, NORTH, SOUTH, WIND]
    lines = trace(from_grid(dungey, moment=B0), pts, frame=dungey.attrs["frame"], rtol=1e-6)
    codes = line_topology(lines)
    assert codes.dtype == np.int8
    np.testing.assert_array_equal(codes, mhd.topology(dungey, pts, moment=B0)["topology"])
    np.testing.assert_array_equal(codes, expected)
