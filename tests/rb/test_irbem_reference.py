"""L*, Lm and K against IRBEM (SpacePy's irbempy) at its highest resolution.

The reference numbers come from ``tests/rb/reference/irbem_invariants.py`` (run in a venv with
SpacePy; stored in ``tests/rb/data/irbem_invariants.json``); set ``GEOSPACEXR_REF_RB`` to that
venv's python to regenerate them live in ``test_live_irbem``.

IRBEM's own errors set the tolerances. In its centred dipole (checked here against the closed
form) IRBEM's K is 0.15-0.62% low and its highest-resolution L* is off by up to 0.12%, so K is
compared within 0.7% (for K > 0.1 G^0.5 Re, where the mirror field's last digits do not
dominate) and L* and Lm within 0.2%, while our own K and L* match the closed forms to 1e-5.
IRBEM also uses IGRF-13 at mid-year (2017.5) where we use IGRF-14 at the exact time.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, optimize

import geospacexr.rb as rb

HERE = Path(__file__).parent
DATA = json.loads((HERE / "data" / "irbem_invariants.json").read_text())


def _particles(data=DATA):
    pos = np.array([p["xyz_gsm"] for p in data["positions"]])
    alpha = np.array(data["alpha_local_deg"], dtype=float)
    xyz = np.repeat(pos, alpha.size, axis=0)
    a = np.tile(alpha, pos.shape[0])
    t = data["conventions"]["time_utc"]
    return xyz, a, rb.particles(xyz[:, 0], xyz[:, 1], xyz[:, 2], a, time=t, frame="GSM")


def _ref(name, key, res="highest", data=DATA):
    return np.array(data["models"][name]["resolutions"][res][key], dtype=float).ravel()


def _model(name, data=DATA):
    drv = data["drivers"]
    if name == "igrf":
        return rb.models.get("igrf")
    if name == "t89":
        return rb.models.get("t89", kp=drv["Kp"])
    if name == "t96":
        return rb.models.get(
            "t96", pdyn=drv["Pdyn"], dst=drv["Dst"], by=drv["ByIMF"], bz=drv["BzIMF"]
        )
    raise ValueError(name)


@pytest.fixture(scope="module")
def particle_set():
    return _particles()


def test_irbem_dipole_errors_against_closed_form(particle_set):
    """IRBEM's centred dipole: quantify its K and L* errors, and check ours on the same input."""
    xyz, alpha, p = particle_set
    dm = DATA["models"]["dipole"]
    b0, tilt = dm["B0_nT"], np.deg2rad(dm["tilt_deg"])
    zs = xyz[:, 0] * np.sin(tilt) + xyz[:, 2] * np.cos(tilt)
    r = np.linalg.norm(xyz, axis=1)
    lat = np.arcsin(zs / r)
    shell = r / np.cos(lat) ** 2

    def bmag(L, lam):
        return b0 / L**3 * np.sqrt(1 + 3 * np.sin(lam) ** 2) / np.cos(lam) ** 6

    def k_exact(L, bm):
        lam_m = optimize.brentq(lambda lam: bmag(L, lam) - bm, 0, np.pi / 2 - 1e-9)

        def f(lam):
            ds = L * np.cos(lam) * np.sqrt(1 + 3 * np.sin(lam) ** 2)
            return np.sqrt(max(bm - bmag(L, lam), 0) * 1e-5) * ds

        return integrate.quad(f, -lam_m, lam_m, epsrel=1e-12, limit=200)[0]

    bm = bmag(shell, lat) / np.sin(np.deg2rad(alpha)) ** 2
    surface = bmag(shell, np.arccos(np.sqrt(1 / shell)))
    ok = bm < surface
    kc = np.array([k_exact(a, b) for a, b in zip(shell[ok], bm[ok], strict=True)])
    out = p.rb.lstar(rb.models.get("dipole", tilt=dm["tilt_deg"], moment=b0))
    np.testing.assert_allclose(out["K"].values[ok], kc, rtol=1e-5)
    np.testing.assert_allclose(out["lstar"].values[ok], shell[ok], rtol=1e-5)
    irbem_k = _ref("dipole", "K_G05Re")[ok]
    big = kc > 0.1
    low = irbem_k[big] / kc[big] - 1
    assert np.all((low < -0.001) & (low > -0.007)), low  # IRBEM's K is 0.1-0.7% low
    irbem_l = np.abs(_ref("dipole", "Lstar"))[ok]
    assert np.nanmax(np.abs(irbem_l / shell[ok] - 1)) < 2e-3


@pytest.mark.parametrize("name", ["igrf", "t89", "t96"])
def test_against_irbem_highest_resolution(particle_set, name):
    if name not in DATA["models"]:
        pytest.skip(f"no IRBEM reference for {name}")
    _, alpha, p = particle_set
    out = p.rb.lstar(_model(name))
    ref_l = _ref(name, "Lstar")
    ref_lm = _ref(name, "Lm")
    ref_k = _ref(name, "K_G05Re")
    ours = out["lstar"].values
    # where IRBEM computes L*, so do we (and the other way round, except loss-cone particles,
    # which IRBEM still gives an L* for when its mirror point is below 100 km)
    both = np.isfinite(ref_l) & np.isfinite(ours)
    assert both.sum() >= 0.8 * np.isfinite(ref_l).sum()
    np.testing.assert_allclose(ours[both], ref_l[both], rtol=2e-3)
    okm = np.isfinite(ref_lm) & (ref_lm > 0) & np.isfinite(out["Lm"].values)
    np.testing.assert_allclose(out["Lm"].values[okm], ref_lm[okm], rtol=2e-3)
    okk = both & (ref_k > 0.1)
    np.testing.assert_allclose(out["K"].values[okk], ref_k[okk], rtol=7e-3)
    ref_bm = np.array(DATA["models"][name]["Blocal_over_sin2alpha_nT"], dtype=float).ravel()
    np.testing.assert_allclose(out["Bm"].values, ref_bm, rtol=1e-3)  # IGRF-13/14, epochs
    # particles we cannot compute: loss cone (3) or, in T96's stretched night side, off-equator
    # minima (4), where IRBEM has no L* either
    bad = out["status"].values != 0
    assert set(np.unique(out["status"].values[bad])) <= {3, 4}
    assert np.all(np.isnan(ref_l[bad & (out["status"].values == 4)]))
    assert alpha.size == ours.size


@pytest.mark.skipif(not os.environ.get("GEOSPACEXR_REF_RB"), reason="set GEOSPACEXR_REF_RB")
@pytest.mark.slow
def test_live_irbem(tmp_path):
    """Regenerate the IRBEM numbers with SpacePy (quick mode) and compare L*."""
    out = tmp_path / "irbem.json"
    subprocess.run(
        [os.environ["GEOSPACEXR_REF_RB"], str(HERE / "reference" / "irbem_invariants.py"),
         "--quick", "--out", str(out)],
        check=True,
        timeout=1800,
    )  # fmt: skip
    live = json.loads(out.read_text())
    _, _, p = _particles(live)
    for name in ("igrf", "t89"):
        ref = _ref(name, "Lstar", "default", live)
        ours = p.rb.lstar(_model(name, live))["lstar"].values
        both = np.isfinite(ref) & np.isfinite(ours) & (ref > 0)
        # quick mode runs IRBEM at its default resolution, itself ~1% from converged
        np.testing.assert_allclose(ours[both], ref[both], rtol=1.5e-2)


def _k_reference(model, x0, alpha_deg, time):
    """K by an independent route: scipy's DOP853 along the field line of ``model.field``
    (rtol 1e-12) to the mirror points (found as events) and adaptive quadrature of
    sqrt(Bm - B(s)) on its dense output. G^0.5 Re."""

    def bvec(p):
        bx, by, bz = model.field(p[0], p[1], p[2], time=time, frame="GSM")
        return np.array([float(bx), float(by), float(bz)])

    bm = np.linalg.norm(bvec(x0)) / np.sin(np.deg2rad(alpha_deg)) ** 2
    total = 0.0
    for sign in (1.0, -1.0):

        def mirror(s, p):
            return np.linalg.norm(bvec(p)) - bm

        mirror.terminal, mirror.direction = True, 1
        sol = integrate.solve_ivp(
            lambda s, p, sign=sign: sign * bvec(p) / np.linalg.norm(bvec(p)),
            (0.0, 60.0),
            x0,
            method="DOP853",
            rtol=1e-12,
            atol=1e-12,
            events=mirror,
            dense_output=True,
        )
        end = sol.t_events[0][0]
        total += integrate.quad(
            lambda s, sol=sol: np.sqrt(max(bm - np.linalg.norm(bvec(sol.sol(s))), 0.0)),
            0.0,
            end,
            epsrel=1e-10,
            epsabs=0.0,
            limit=400,
        )[0]
    return total * np.sqrt(1e-5)


@pytest.mark.parametrize("name", ["t89", "t96"])
def test_k_against_an_independent_integral_and_irbems_bias(name):
    """Our K in T89/T96 equals an independent trace-and-quadrature K to 1e-5; IRBEM's highest
    resolution K is low by 0.1-1.4% against that same integral (as in the centred dipole), which
    is why K is compared with IRBEM only within its own error (0.7% above K = 0.1)."""
    positions = [p["xyz_gsm"] for p in DATA["positions"]]
    alphas = DATA["alpha_local_deg"]
    picks = [(i, j) for i in (4, 9, 14) for j in (1, 2)]  # 4.5, 6 Re and 20 deg off-equator
    xyz = np.array([positions[i] for i, _ in picks], dtype=float)
    alpha = np.array([alphas[j] for _, j in picks], dtype=float)
    t = DATA["conventions"]["time_utc"]
    model = _model(name)
    ours = rb.particles(xyz[:, 0], xyz[:, 1], xyz[:, 2], alpha, time=t, frame="GSM").rb.K(model)
    ours = np.asarray(ours["K"] if hasattr(ours, "data_vars") else ours, dtype=float)
    ref = np.array([_k_reference(model, x, a, t) for x, a in zip(xyz, alpha, strict=True)])
    np.testing.assert_allclose(ours, ref, rtol=1e-5)
    irbem = _ref(name, "K_G05Re").reshape(len(positions), -1)
    irbem = np.array([irbem[i, j] for i, j in picks])
    bias = irbem / ref - 1.0
    assert np.all((bias < -1e-3) & (bias > -1.5e-2)), bias
