"""M, K, Lm and L* in a centred dipole against the closed forms (independent references)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, optimize

import geospacexr.rb as rb
from geospacexr.errors import InvalidArgumentError, MissingVariableError, WrongKindError

B0 = 30000.0  # nT, the configured default moment


def dipole_b(L, lat):
    """|B| (nT) on the dipole line L at magnetic latitude lat (rad)."""
    return B0 / L**3 * np.sqrt(1 + 3 * np.sin(lat) ** 2) / np.cos(lat) ** 6


def k_closed_form(L, bm):
    """K = ∫ sqrt(Bm - B) ds along the dipole line L by adaptive quadrature (G^0.5 Re)."""
    lam_m = optimize.brentq(lambda lam: dipole_b(L, lam) - bm, 0.0, np.pi / 2 - 1e-9)

    def integrand(lam):
        ds = L * np.cos(lam) * np.sqrt(1 + 3 * np.sin(lam) ** 2)
        return np.sqrt(max(bm - dipole_b(L, lam), 0.0) * 1e-5) * ds

    value, _ = integrate.quad(integrand, -lam_m, lam_m, epsabs=0, epsrel=1e-12, limit=200)
    return value


def positions(L, lat_deg, mlt_deg):
    lat, phi = np.deg2rad(lat_deg), np.deg2rad(mlt_deg)
    r = L * np.cos(lat) ** 2
    return r * np.cos(lat) * np.cos(phi), r * np.cos(lat) * np.sin(phi), r * np.sin(lat)


CASES = [  # L, magnetic latitude, azimuth, local pitch angle
    (3.0, 0.0, 0.0, 90.0),
    (4.0, 10.0, 45.0, 60.0),
    (5.0, 20.0, 90.0, 45.0),
    (6.0, -30.0, 200.0, 70.0),
    (7.0, 0.0, 300.0, 20.0),
    (4.5, 15.0, 120.0, 85.0),
    (2.5, -5.0, 170.0, 35.0),
]


@pytest.fixture(scope="module")
def dipole_result():
    L, lat, mlt, pa = (np.array(c) for c in zip(*CASES, strict=True))
    x, y, z = positions(L, lat, mlt)
    p = rb.particles(x, y, z, pa, energy=1.0)
    return L, lat, pa, p, p.rb.lstar(rb.models.get("dipole"), accuracy="high")


@pytest.mark.parametrize("accuracy", ["fast", "default"])
def test_presets_meet_their_accuracy(dipole_result, accuracy):
    """The default preset is well inside the 0.1% bar on L* and K; "fast" inside 0.1% too."""
    L, lat, pa, p, _ = dipole_result
    out = p.rb.lstar(rb.models.get("dipole"), accuracy=accuracy)
    bm = dipole_b(L, np.deg2rad(lat)) / np.sin(np.deg2rad(pa)) ** 2
    expected = np.array([k_closed_form(li, bi) for li, bi in zip(L, bm, strict=True)])
    tol = 1e-4 if accuracy == "default" else 1e-3
    np.testing.assert_allclose(out["lstar"], L, rtol=tol)
    np.testing.assert_allclose(out["K"], expected, rtol=tol, atol=1e-12)


def test_lstar_equals_dipole_l(dipole_result):
    L, _, _, _, out = dipole_result
    assert (out["status"] == 0).all()
    np.testing.assert_allclose(out["lstar"], L, rtol=1e-3)  # the bar
    np.testing.assert_allclose(out["lstar"], L, rtol=1e-5)  # what we reach


def test_k_matches_quadrature(dipole_result):
    L, lat, pa, _, out = dipole_result
    bm = dipole_b(L, np.deg2rad(lat)) / np.sin(np.deg2rad(pa)) ** 2
    np.testing.assert_allclose(out["Bm"], bm, rtol=1e-9)
    expected = np.array([k_closed_form(li, bi) for li, bi in zip(L, bm, strict=True)])
    np.testing.assert_allclose(out["K"], expected, rtol=1e-3, atol=1e-12)
    np.testing.assert_allclose(out["K"], expected, rtol=1e-5, atol=1e-12)


def test_equatorial_pitch_angle_and_lm(dipole_result):
    L, lat, pa, _, out = dipole_result
    beq = B0 / L**3
    sin2 = np.sin(np.deg2rad(pa)) ** 2 * beq / dipole_b(L, np.deg2rad(lat))
    np.testing.assert_allclose(out["alpha_eq"], np.degrees(np.arcsin(np.sqrt(sin2))), atol=1e-6)
    np.testing.assert_allclose(out["Bmin"], beq, rtol=1e-8)
    # Hilton's approximation of McIlwain's L is good to ~1e-4 in a dipole
    np.testing.assert_allclose(out["Lm"], L, rtol=2e-4)


def test_first_invariant_closed_form(dipole_result):
    L, lat, pa, p, out = dipole_result
    m0 = 0.51099895  # MeV
    gamma = 1.0 + 1.0 / m0
    p_perp_mev = m0 * np.sqrt(gamma**2 - 1) * np.sin(np.deg2rad(pa))
    expected = p_perp_mev**2 / (2 * m0 * dipole_b(L, np.deg2rad(lat)) * 1e-5)
    np.testing.assert_allclose(out["M"], expected, rtol=1e-9)
    np.testing.assert_allclose(p.rb.M(b_local=dipole_b(L, np.deg2rad(lat))), expected, rtol=1e-12)
    np.testing.assert_allclose(p.rb.M(rb.models.get("dipole")), expected, rtol=1e-9)


def test_drift_shell_footprints_on_the_l_shell(dipole_result):
    L, _, _, _, out = dipole_result
    foot = out["shell_footprint"].values
    r = np.linalg.norm(foot, axis=-1)
    np.testing.assert_allclose(r, 1.0, atol=1e-9)
    colat = np.arccos(foot[..., 2] / r)
    np.testing.assert_allclose(
        1.0 / np.sin(colat) ** 2, np.broadcast_to(L[:, None], colat.shape), rtol=1e-6
    )
    eq = out["shell_equator"].values
    np.testing.assert_allclose(
        np.linalg.norm(eq, axis=-1), np.broadcast_to(L[:, None], colat.shape), rtol=1e-6
    )


def test_tilted_dipole_and_frames():
    L = np.array([4.0, 5.5])
    x, y, z = positions(L, np.array([10.0, -20.0]), np.array([30.0, 250.0]))
    p = rb.particles(x, y, z, [50.0, 80.0], frame="SM")
    out = p.rb.lstar(rb.models.get("dipole", tilt=25.0), accuracy="fast")
    np.testing.assert_allclose(out["lstar"], L, rtol=1e-4)


def test_k_only_and_attrs():
    x, y, z = positions(np.array([5.0]), np.array([0.0]), np.array([0.0]))
    out = rb.particles(x, y, z, [30.0]).rb.K(rb.models.get("dipole"))
    assert "lstar" not in out
    assert out.attrs["field_model"] == "dipole"
    assert out.attrs["setting_accuracy"] == "default"
    assert "Shabansky" in out.attrs["status_codes"]


def test_status_codes_per_particle():
    p = rb.particles(
        [np.nan, 0.5, 3.0, 70.0, 5.0],
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [60.0, 60.0, 2.0, 60.0, 60.0],
    )
    out = p.rb.lstar(rb.models.get("dipole"), accuracy="fast")
    # NaN position, inside the Earth, inside the loss cone, beyond the outer boundary, fine
    assert out["status"].values.tolist() == [6, 6, 3, 6, 0]
    assert np.isnan(out["lstar"].values[:4]).all()
    assert np.isfinite(out["lstar"].values[4])


def test_open_line_status():
    # start inside the tracer's domain on a dipole line that leaves it (L = 80 > 60 Re)
    x, y, z = positions(np.array([80.0]), np.array([50.0]), np.array([0.0]))
    out = rb.particles(x, y, z, [60.0]).rb.lstar(rb.models.get("dipole"), accuracy="fast")
    assert out["status"].item() == 1


def test_bad_input():
    with pytest.raises(InvalidArgumentError, match="pitch_angle"):
        rb.particles(5.0, 0.0, 0.0, 0.0)
    with pytest.raises(InvalidArgumentError, match="pitch_angle"):
        rb.particles(5.0, 0.0, 0.0, 120.0)
    with pytest.raises(InvalidArgumentError, match="frame"):
        rb.particles(5.0, 0.0, 0.0, 45.0, frame="XYZ")
    with pytest.raises(InvalidArgumentError, match="name"):
        rb.models.get("t2001")
    with pytest.raises(InvalidArgumentError, match="tilt"):
        rb.models.get("dipole", tilt=120)
    with pytest.raises(InvalidArgumentError, match="accuracy"):
        rb.particles(5.0, 0.0, 0.0, 45.0).rb.lstar(rb.models.get("dipole"), accuracy="best")
    # a model is a model Dataset or a registered name (issue 23: lstar(model="t96", drivers=...));
    # anything else is refused
    with pytest.raises(InvalidArgumentError, match="model"):
        rb.particles(5.0, 0.0, 0.0, 45.0).rb.lstar(42)
    with pytest.raises(InvalidArgumentError, match="name"):
        rb.particles(5.0, 0.0, 0.0, 45.0).rb.lstar("t2001")
    with pytest.raises(MissingVariableError, match="energy"):
        rb.particles(5.0, 0.0, 0.0, 45.0).rb.M(b_local=100.0)
    with pytest.raises(WrongKindError):
        rb.particles(5.0, 0.0, 0.0, 45.0).drop_attrs().rb.lstar(rb.models.get("dipole"))


def test_trace_dipole_line_closed_form():
    m = rb.models.get("dipole")
    lines = rb.trace(m, [[4.0, 0.0, 0.0], [0.0, 6.0, 1.0]], altitude_km=0.0)
    assert (lines["end_north"] == 0).all() and (lines["end_south"] == 0).all()
    for i in range(2):
        n = int(lines["n_points"][i])
        x, y, z = (lines[v].values[i, :n] for v in "xyz")
        r = np.sqrt(x * x + y * y + z * z)
        L = r**3 / (x * x + y * y)
        np.testing.assert_allclose(L, L[int(lines["start_index"][i])], rtol=1e-7)
        np.testing.assert_allclose(r[[0, -1]], 1.0, atol=1e-9)
        bm = np.sqrt(1 + 3 * (z / r) ** 2) * B0 / r**3
        np.testing.assert_allclose(lines["B"].values[i, :n], bm, rtol=1e-12)
    # dipole field-line length between the surface footprints, by quadrature
    L0 = 4.0
    lam0 = np.arccos(np.sqrt(1.0 / L0))
    length, _ = integrate.quad(
        lambda lam: L0 * np.cos(lam) * np.sqrt(1 + 3 * np.sin(lam) ** 2), -lam0, lam0
    )
    n = int(lines["n_points"][0])
    s = lines["s"].values[0, :n]
    np.testing.assert_allclose(s[-1] - s[0], length, rtol=1e-7)


def test_model_field_closed_form():
    m = rb.models.get("dipole", moment=31000.0)
    bx, by, bz = m.field([0.0, 3.0], [0.0, 0.0], [2.0, 0.0])
    np.testing.assert_allclose(bz, [-2 * 31000.0 / 8.0, 31000.0 / 27.0], rtol=1e-12)
    np.testing.assert_allclose([bx, by], 0.0, atol=1e-12)
