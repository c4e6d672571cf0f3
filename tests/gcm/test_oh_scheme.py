"""The OH Meinel model's two schemes: "corrected" (the default) and "gcmprocpy".

GCMprocpy 1.5.2's ``data_oh.ohrad`` takes the upward O2 quenching into level v from level v's
own upward rate (``rq1o2[v]`` for ``rq1o2[v-1]``) and adds multi-quantum upward terms that no
level's loss counts, so its rate matrix does not conserve OH; where O is scarce it goes singular
and the WACCM-X sample's OH profile has a jagged step near 1 hPa (issue 18, notebook 02). The
"corrected" scheme takes each upward transfer at the rate its source level loses.

Checked here, each against something written independently of ``oh.py``:

* the full steady state, built in this file as a list of flows (source, target, rate; every
  flow a loss of its source and a gain of its target) from the coefficients typed again below,
  and solved with :func:`numpy.linalg.solve`;
* without collisions, the pure radiative cascade (a top-down recursion), in both schemes;
* conservation: production = chemical loss of OH (and, without collisions, radiated power =
  vibrational energy produced), which the "gcmprocpy" scheme breaks;
* the sample's profile: no rougher than its roughest input with "corrected", a step with
  "gcmprocpy" (the measure fails on the old jagged profile);
* the API: ``scheme=`` on ``emission``/``brightness``/the accessor, the ``gcm.oh_scheme`` key,
  ``attrs["scheme"]``, the errors.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from geospacexr import config, datasets
from geospacexr.errors import ConfigError, InvalidArgumentError
from geospacexr.gcm import emissions as em
from geospacexr.gcm.emissions._inputs import _input_array

T = "2003-03-21T00:00"

# Coefficients typed again from the papers' tables as ohrad.F uses them (not read from oh.py).
ENERGY = np.array(  # cm-1, HITRAN
    [0.0, 3568.50, 6971.37, 10210.57, 13287.19, 16201.33, 18951.90, 21536.25, 23949.83, 26185.79]
)
A = {  # Einstein coefficients A(v -> v'), s-1 (Nelson et al. 1990, Makhlouf 1999)
    1: [17.36],
    2: [23.60, 10.32],
    3: [22.21, 27.57, 1.122],
    4: [16.45, 48.65, 4.118, 0.134],
    5: [9.360, 70.73, 9.415, 0.625, 0.019],
    6: [3.780, 91.13, 17.16, 1.744, 0.110, 0.003],
    7: [2.310, 107.3, 27.20, 3.785, 0.364, 0.023],
    8: [7.250, 116.8, 39.07, 7.033, 0.918, 0.088],
    9: [20.43, 117.5, 51.94, 11.74, 1.962, 0.254],
}
K_O2 = [0.0, 1.3e-13, 2.7e-13, 5.2e-13, 8.8e-13, 1.7e-12, 3.0e-12, 5.42e-12, 9.81e-12, 1.7e-11]
K_N2 = [0.0, 5.757e-15, 1e-14, 1.737e-14, 3.017e-14, 5.241e-14, 9.103e-14, 1.581e-13,
        2.746e-13, 4.77e-13]  # fmt: skip
K_O = [3.9e-11, 10.5e-11] + [2.5e-10] * 8
BRANCH_H_O3 = {6: 0.08, 7: 0.17, 8: 0.27, 9: 0.48}  # Klenerman and Smith (1987)
BRANCH_O_HO2 = {0: 0.52, 1: 0.34, 2: 0.13, 3: 0.01}  # Kaye (1988)
HC_OVER_K = 1.438818  # K cm


def flows(t, o2, o, n2, h, o3, ho2):
    """Production per level, the flows (source, target, rate s-1) and the chemical losses."""
    production = np.zeros(10)
    for v, f in BRANCH_H_O3.items():
        production[v] += 1.4e-10 * np.exp(-470.0 / t) * h * o3 * f
    for v, f in BRANCH_O_HO2.items():
        production[v] += 3.0e-11 * np.exp(200.0 / t) * ho2 * o * f
    production[0] += 1.1e-14 * o3 * ho2  # O3 + HO2 -> OH + 2 O2
    out = []
    for v in range(1, 10):
        for dv, a in enumerate(A[v], start=1):
            out.append((v, v - dv, a))  # radiative cascade
        # O2: multi-quantum down to v-1 ... v-6 with weights exp(-(dv-1)), total k_O2(v)
        steps = range(1, min(v, 6) + 1)
        norm = sum(np.exp(-(dv - 1.0)) for dv in steps)
        for dv in steps:
            out.append((v, v - dv, K_O2[v] * o2 * np.exp(-(dv - 1.0)) / norm))
        out.append((v, v - 1, K_N2[v] * n2))  # N2: single quantum
        # the reverse (v-1 -> v) of the single-quantum steps, by detailed balance
        boltzmann = np.exp(-(ENERGY[v] - ENERGY[v - 1]) * HC_OVER_K / t)
        out.append((v - 1, v, (K_O2[v] * o2 + K_N2[v] * n2) * boltzmann))
    loss = np.array([k * o for k in K_O])  # OH(v) + O -> H + O2
    loss[0] += 1.6e-12 * np.exp(-1140.0 / t) * o3 + 4.8e-11 * ho2
    return production, out, loss


def steady_state(point):
    """Populations OH(v = 0..9) of one point: d/dt = 0 of every level, numpy.linalg.solve."""
    production, out, loss = flows(*point)
    m = np.diag(-loss)
    for source, target, rate in out:
        m[target, source] += rate
        m[source, source] -= rate
    return np.linalg.solve(m, -production)


def populations(point, scheme):
    """oh_vibrational's populations of one point (one unit weight vector per level)."""
    args = [np.array([x]) for x in point]
    t, o2, o, n2, h, o3, ho2 = args
    return np.array(
        [em.oh_vibrational(np.eye(10)[v], t, o, o2, n2, h, o3, ho2, scheme=scheme)[0]
         for v in range(10)]
    )  # fmt: skip


def random_points(n, seed=18):
    """Points spanning mesospheric to stratospheric conditions (T, O2, O, N2, H, O3, HO2)."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(150.0, 400.0, n)
    o2 = 10 ** rng.uniform(12.0, 17.0, n)
    return np.column_stack(
        [
            t,
            o2,
            10 ** rng.uniform(2.0, 12.0, n),  # O
            o2 * 3.7,  # N2
            10 ** rng.uniform(4.0, 9.0, n),  # H
            10 ** rng.uniform(6.0, 12.0, n),  # O3
            10 ** rng.uniform(5.0, 8.0, n),  # HO2
        ]
    )


# ---------------------------------------------------------------------------------------------
# the corrected scheme against independent forms


@pytest.mark.parametrize("point", list(random_points(40)))
def test_corrected_scheme_is_the_conserving_steady_state(point):
    expected = steady_state(point)
    assert (expected > 0).all()  # the flow matrix is an M-matrix: no clipping is needed
    np.testing.assert_allclose(populations(point, "corrected"), expected, rtol=1e-9)


def test_gcmprocpy_scheme_is_not_that_steady_state():
    """The same check fails on GCMprocpy's matrix (so it can fail)."""
    point = (261.0, 2.88e15, 3.19e4, 1.07e16, 9.53e5, 1.33e8, 1.70e6)  # sample level 64, 0.5 hPa
    expected = steady_state(point)
    ours = populations(point, "gcmprocpy")
    assert not np.allclose(ours, expected, rtol=1e-2)


@pytest.mark.parametrize("scheme", em.OH_SCHEMES)
def test_without_collisions_it_is_the_radiative_cascade(scheme):
    """O2 = N2 = O = 0: x_v = (P_v + sum_u A(u -> v) x_u) / sum_w A(v -> w), from v = 9 down."""
    t, h, o3, ho2 = 200.0, 1e8, 1e9, 1e7
    point = (t, 0.0, 0.0, 0.0, h, o3, ho2)
    produced = 1.4e-10 * np.exp(-470.0 / t) * h * o3
    x = np.zeros(10)
    for v in range(9, 0, -1):
        gain = produced * BRANCH_H_O3.get(v, 0.0)
        gain += sum(A[u][u - v - 1] * x[u] for u in range(v + 1, 10) if u - v <= len(A[u]))
        x[v] = gain / sum(A[v])
    gain0 = 1.1e-14 * o3 * ho2 + sum(A[u][u - 1] * x[u] for u in range(1, 7))
    x[0] = gain0 / (1.6e-12 * np.exp(-1140.0 / t) * o3 + 4.8e-11 * ho2)
    np.testing.assert_allclose(populations(point, scheme), x, rtol=1e-12)


def test_without_collisions_radiated_power_is_the_vibrational_energy_produced():
    """Each band's rate times its wavenumber, summed, is sum_v P_v E_v (all ends in v = 0)."""
    t, h, o3 = 190.0, 3e7, 5e8
    args = [np.array([x]) for x in (t, 0.0, 0.0, 0.0, h, o3, 0.0)]
    tn, o2, o, n2, hh, oo3, ho2 = args
    power = 0.0
    for v, w in em.OH_BANDS:
        entry = em.registry()[f"OH_{v}_{w}"]
        assert entry.inputs == ("TN", "O1", "O2", "N2", "H", "O3", "HO2")
        rate = entry.func(tn, o, o2, n2, hh, oo3, ho2)[0]
        power += rate * (ENERGY[v] - ENERGY[w])
    produced = 1.4e-10 * np.exp(-470.0 / t) * h * o3
    expected = sum(produced * f * ENERGY[v] for v, f in BRANCH_H_O3.items())
    assert power == pytest.approx(expected, rel=1e-12)


def chemical_balance(point, x):
    """(production, chemical loss) of OH, cm-3 s-1."""
    production, _, loss = flows(*point)
    return production.sum(), float(loss @ x)


@pytest.mark.parametrize("point", list(random_points(10, seed=7)))
def test_corrected_scheme_conserves_oh(point):
    made, lost = chemical_balance(point, populations(point, "corrected"))
    assert lost == pytest.approx(made, rel=1e-9)


def test_gcmprocpy_scheme_does_not_conserve_oh():
    point = (252.0, 1.56e15, 2.42e5, 5.81e15, 4.49e6, 3.26e6, 1.30e6)  # sample level 62, 0.26 hPa
    made, lost = chemical_balance(point, populations(point, "gcmprocpy"))
    assert lost > 1.5 * made  # OH made from nothing by the upward terms


# ---------------------------------------------------------------------------------------------
# the sample's profile (notebook 02's figure)


@pytest.fixture(scope="module")
def waccmx():
    return datasets.open_sample("waccmx").isel(lon=slice(None, None, 8))


def roughness(values, lev):
    """Largest |second difference of log10| along the levels at pressures below 100 hPa."""
    with np.errstate(all="ignore"):
        d2 = np.abs(np.diff(np.log10(values), 2, axis=0))
    keep = (np.log10(lev) < 2.0)[1:-1]
    return float(np.nanmax(d2[keep]))


def test_sample_profile_is_smooth_with_the_corrected_scheme(waccmx):
    """The jagged step near log10 p = 0 is the model's (GCMprocpy's matrix), not the sample's.

    Measured on the native levels (no interpolation): the roughest input (O3) has a largest
    second difference of 0.68 in log10, the corrected OH_TOTAL 0.40, GCMprocpy's 4.1 (its
    populations go through a pole between 0.5 and 1.3 hPa and are clipped to zero).
    """
    lev = waccmx["lev"].values
    one = waccmx.sel(time=T)
    inputs = max(
        roughness(_input_array(one, n).values, lev)
        for n in ("TN", "O1", "O2", "N2", "H", "O3", "HO2")
    )
    corrected = roughness(em.emission(waccmx, "OH_TOTAL", time=T).values, lev)
    old = roughness(em.emission(waccmx, "OH_TOTAL", time=T, scheme="gcmprocpy").values, lev)
    assert 0.3 < inputs < 1.0
    assert corrected < inputs
    assert old > 3 * inputs  # the measure fails on the old profile
    zonal = em.emission(waccmx, "OH_TOTAL", time=T).mean("lon").values  # as notebook 02 draws
    assert roughness(zonal, lev) < inputs


def test_schemes_agree_around_the_oh_layer(waccmx):
    """The reverse rates carry exp(-dE/kT) < 1e-5 in the mesosphere: same layer, same peak."""
    new = em.emission(waccmx, "OH_TOTAL", time=T)
    old = em.emission(waccmx, "OH_TOTAL", time=T, scheme="gcmprocpy")
    layer = waccmx["lev"] < 0.02  # hPa
    gap = np.abs(new.where(layer) / old.where(layer) - 1.0)
    assert float(gap.max()) < 1e-4
    profile = new.mean(("lat", "lon"))
    assert float(profile["lev"][int(profile.argmax("lev"))]) < 0.01


# ---------------------------------------------------------------------------------------------
# the API


def test_scheme_through_the_api(waccmx, tmp_path):
    level = float(waccmx["lev"].values[64])
    default = waccmx.gcm.emission("OH_TOTAL", time=T, level=level)
    assert default.attrs["scheme"] == "corrected" == config.get().get("gcm.oh_scheme")
    old = waccmx.gcm.emission("OH_TOTAL", time=T, level=level, scheme="gcmprocpy")
    assert old.attrs["scheme"] == "gcmprocpy"
    assert not np.allclose(default.values, old.values, rtol=1e-2)
    with config.override({"gcm.oh_scheme": "gcmprocpy"}):
        configured = em.emission(waccmx, "OH_TOTAL", time=T, level=level)
        assert configured.attrs["scheme"] == "gcmprocpy"
        np.testing.assert_allclose(configured.values, old.values, rtol=1e-12)
    b = waccmx.gcm.brightness("OH_8_3", time=T, scheme="gcmprocpy")
    assert b.attrs["scheme"] == "gcmprocpy"
    assert waccmx.gcm.brightness("OH_8_3", time=T).attrs["scheme"] == "corrected"
    default.to_netcdf(tmp_path / "oh.nc")
    with xr.open_dataarray(tmp_path / "oh.nc") as back:
        assert back.attrs["scheme"] == "corrected"
    details = {d["name"]: d for d in em.list_emissions(details=True)}
    assert details["OH_TOTAL"]["schemes"] == list(em.OH_SCHEMES)
    assert details["NO53"]["schemes"] == []
    assert "scheme" not in em.registry()["NO53"].with_scheme().attrs()


def test_scheme_errors(waccmx):
    with pytest.raises(InvalidArgumentError, match="'corrected', 'gcmprocpy'"):
        em.emission(waccmx, "OH_TOTAL", time=T, scheme="tgcmproc")
    with pytest.raises(InvalidArgumentError, match="OH_"):
        em.emission(waccmx, "OI5577", time=T, scheme="gcmprocpy")
    with pytest.raises(InvalidArgumentError, match="scheme"):
        em.oh_vibrational(np.ones(10), 200.0, 1e10, 1e14, 4e14, 1e7, 1e8, 1e7, scheme="x")
    with pytest.raises(ConfigError):
        with config.override({"gcm.oh_scheme": "newest"}):
            pass
