"""The OH Meinel vibrational model (tgcmproc ``ohrad.F``, as GCMprocpy 1.5.2 ports it, corrected).

:func:`oh_vibrational` solves the 10x10 steady-state rate equations of OH(v = 0..9) at every
point; the registry holds its 39 bands ``OH_v_v'``, their sum ``OH_TOTAL`` and the populations
``OH_VIB_0`` ... ``OH_VIB_9``, all from TN, O1, O2, N2, H, O3 and HO2 (WACCM-X).

Two rate matrices (``scheme=``, default ``gcm.oh_scheme`` in :mod:`geospacexr.config`):

* ``"corrected"`` (the default): the upward (reverse, v-1 -> v) O2 quenching into level v is
  the rate of level v-1, ``k_O2(v) exp(-(E(v) - E(v-1)) / kT) [O2]``, single quantum, as the
  N2 term and as the diagonal loss of level v-1 count it. Every transfer out of a level is then
  a loss of that level: each column of the matrix sums to minus the chemical loss of its level
  (O, and O3 + HO2 for v = 0), so OH is conserved, the matrix is a non-singular M-matrix and
  the populations are positive and smooth.
* ``"gcmprocpy"``: GCMprocpy 1.5.2's ``data_oh.ohrad`` term for term. Its upward O2 term into
  level v uses the upward rate of level v itself (``rq1o2[v]`` for ``rq1o2[v-1]``) times the
  *downward* multi-quantum fraction, and adds multi-quantum upward terms from every level s <
  v - 1 that the loss of s does not contain. Those gains, fed by the large OH(v=0) population,
  exceed the losses where O is scarce (pressures above ~0.3 hPa): the determinant changes
  sign, the populations go through a pole to negative values, are clipped to zero, and the
  profile gets a jagged step near 1 hPa. Kept for exact comparisons with GCMprocpy.

See ``docs/gcm_oh.md`` for the equations, the evidence and the references.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import partial

import numpy as np

from ..._caches import register_cache
from ...config import resolve
from ...errors import InvalidArgumentError
from ._registry import register_emission

__all__ = [
    "OH_BANDS",
    "OH_EINSTEIN",
    "OH_ENERGY",
    "OH_LEVELS",
    "OH_SCHEMES",
    "oh_scheme",
    "oh_vibrational",
]

OH_LEVELS = 10
#: The rate matrices of :func:`oh_vibrational` (``scheme=``); the first is the default of the
#: ``gcm.oh_scheme`` configuration key.
OH_SCHEMES = ("corrected", "gcmprocpy")
#: Vibrational energies of OH(v), cm-1 (HITRAN, as in ohrad.F).
OH_ENERGY = np.array(
    [0.0, 3568.50, 6971.37, 10210.57, 13287.19, 16201.33, 18951.90, 21536.25, 23949.83, 26185.79]
)
#: Einstein coefficients A(v -> v - dv), s-1, rows v = 0..9, columns dv = 1..6: Nelson et al.
#: (1990), updated by Makhlouf (1999), as in ohrad.F.
OH_EINSTEIN = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [17.36, 0.0, 0.0, 0.0, 0.0, 0.0],
        [23.60, 10.32, 0.0, 0.0, 0.0, 0.0],
        [22.21, 27.57, 1.122, 0.0, 0.0, 0.0],
        [16.45, 48.65, 4.118, 0.134, 0.0, 0.0],
        [9.360, 70.73, 9.415, 0.625, 0.019, 0.0],
        [3.780, 91.13, 17.16, 1.744, 0.110, 0.003],
        [2.310, 107.3, 27.20, 3.785, 0.364, 0.023],
        [7.250, 116.8, 39.07, 7.033, 0.918, 0.088],
        [20.43, 117.5, 51.94, 11.74, 1.962, 0.254],
    ]
)
# quenching of OH(v) by O2, N2 (single quantum) and O (cm3 s-1; Adler-Golden 1997)
_OH_Q_O2 = np.array(
    [0.0, 1.3e-13, 2.7e-13, 5.2e-13, 8.8e-13, 1.7e-12, 3.0e-12, 5.42e-12, 9.81e-12, 1.7e-11]
)
_OH_Q_N2 = np.array(
    [
        0.0,
        5.757e-15,
        1.0e-14,
        1.737e-14,
        3.017e-14,
        5.241e-14,
        9.103e-14,
        1.581e-13,
        2.746e-13,
        4.77e-13,
    ]
)
_OH_Q_O = np.array(
    [3.9e-11, 10.5e-11, 2.5e-10, 2.5e-10, 2.5e-10, 2.5e-10, 2.5e-10, 2.5e-10, 2.5e-10, 2.5e-10]
)
# reverse (upward, v -> v + 1) quenching of level v: the rate of the level above, times
# exp(-(E(v + 1) - E(v))/kT) (detailed balance; the vibrational levels are not degenerate)
_OH_R_O2 = np.append(_OH_Q_O2[1:], 0.0)
_OH_R_N2 = np.append(_OH_Q_N2[1:], 0.0)
_OH_DE_K = np.append(np.diff(OH_ENERGY) * 1.438818, 0.0)  # hc/k = 1.438818 K cm (ohrad.F)
# production branching: H + O3 (Klenerman and Smith 1987) and O + HO2 (Kaye 1988)
_OH_F_HO3 = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.08, 0.17, 0.27, 0.48])
_OH_F_OHO2 = np.array([0.52, 0.34, 0.13, 0.01, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])


def _multi_quantum() -> np.ndarray:
    """Fraction of the O2 quenching of level s that lands in level t (exp(-j) weights)."""
    frac = np.zeros((OH_LEVELS, OH_LEVELS))
    for s in range(1, OH_LEVELS):
        steps = np.arange(min(s, 6))
        weights = np.exp(-steps.astype(np.float64))
        frac[s - steps - 1, s] = weights / weights.sum()
    return frac


_OH_MQ = _multi_quantum()
#: The 39 bands (v, v'), in GCMprocpy's order.
OH_BANDS = [
    (v, v - dv)
    for v in range(1, OH_LEVELS)
    for dv in range(1, 7)
    if v - dv >= 0 and OH_EINSTEIN[v, dv - 1] > 0
]


@functools.lru_cache(maxsize=1)
def _oh_kernel() -> Callable[..., None]:  # compiled on first use, cached on disk
    """The steady-state OH(v) solver, compiled once per process.

    ``_oh_kernel.cache_clear()`` forgets it (numba's on-disk cache makes a rebuild cheap).
    """
    from numba import njit

    @njit(cache=True, nogil=True)
    def solve(
        t,
        o2,
        o,
        n2,
        h,
        o3,
        ho2,
        weights,
        a_v,
        a_sum,
        q_o2,
        q_n2,
        q_o,
        r_o2,
        r_n2,
        de,
        f1,
        f2,
        mq,
        gcmprocpy,
        out,
    ):  # pragma: no cover - compiled
        n = t.shape[0]
        m = a_v.shape[0]
        mat = np.empty((m, m))
        rhs = np.empty(m)
        x = np.empty(m)
        rq_o2 = np.empty(m)
        rq_n2 = np.empty(m)
        for p in range(n):
            tp, so2, so, sn2 = t[p], o2[p], o[p], n2[p]
            sh, so3, sho2 = h[p], o3[p], ho2[p]
            if not (
                np.isfinite(tp)
                and np.isfinite(so2)
                and np.isfinite(so)
                and np.isfinite(sn2)
                and np.isfinite(sh)
                and np.isfinite(so3)
                and np.isfinite(sho2)
                and tp > 0
            ):
                out[p] = np.nan
                continue
            rk1 = 1.4e-10 * np.exp(-470.0 / tp)
            rk2 = 3.0e-11 * np.exp(200.0 / tp)
            rk6 = 1.6e-12 * np.exp(-1140.0 / tp)
            primary = rk1 * sh * so3
            secondary = rk2 * sho2 * so
            for v in range(m):
                boltz = np.exp(-de[v] / tp)
                rq_o2[v] = r_o2[v] * boltz
                rq_n2[v] = r_n2[v] * boltz
            for i in range(m):
                rhs[i] = -(primary * f1[i] + secondary * f2[i])
                for j in range(m):
                    mat[i, j] = 0.0
            rhs[0] -= 1.1e-14 * so3 * sho2
            for v in range(m):
                mat[v, v] = -(
                    a_sum[v]
                    + q_o2[v] * so2
                    + q_n2[v] * sn2
                    + q_o[v] * so
                    + rq_o2[v] * so2
                    + rq_n2[v] * sn2
                )
            mat[0, 0] -= rk6 * so3 + 4.8e-11 * sho2
            for v in range(m - 1):
                mat[v, v + 1] = a_v[v + 1, 0] + mq[v, v + 1] * q_o2[v + 1] * so2 + q_n2[v + 1] * sn2
            for dv in range(2, 7):
                for v in range(m - dv):
                    mat[v, v + dv] = a_v[v + dv, dv - 1] + mq[v, v + dv] * q_o2[v + dv] * so2
            if gcmprocpy:  # GCMprocpy 1.5.2 term for term (does not conserve OH)
                for v in range(1, m):
                    mat[v, v - 1] = mq[v - 1, v] * rq_o2[v] * so2 + rq_n2[v - 1] * sn2
                for v in range(2, m):
                    for s in range(v - 1):
                        mat[v, s] = mq[s, v] * rq_o2[v] * so2
            else:  # upward v-1 -> v at the rates the loss of v-1 counts: OH is conserved
                for v in range(1, m):
                    mat[v, v - 1] = rq_o2[v - 1] * so2 + rq_n2[v - 1] * sn2
            # Gaussian elimination with partial pivoting (as LAPACK gesv)
            for k in range(m):
                piv = k
                best = abs(mat[k, k])
                for i in range(k + 1, m):
                    if abs(mat[i, k]) > best:
                        best = abs(mat[i, k])
                        piv = i
                if piv != k:
                    for j in range(m):
                        tmp = mat[k, j]
                        mat[k, j] = mat[piv, j]
                        mat[piv, j] = tmp
                    tmp = rhs[k]
                    rhs[k] = rhs[piv]
                    rhs[piv] = tmp
                for i in range(k + 1, m):
                    f = mat[i, k] / mat[k, k]
                    if f != 0.0:
                        for j in range(k + 1, m):
                            mat[i, j] -= f * mat[k, j]
                        rhs[i] -= f * rhs[k]
            total = 0.0
            for i in range(m - 1, -1, -1):
                acc = rhs[i]
                for j in range(i + 1, m):
                    acc -= mat[i, j] * x[j]
                x[i] = acc / mat[i, i]
            for i in range(m):
                total += max(x[i], 0.0) * weights[i]
            out[p] = total

    return solve


register_cache(
    "gcm.emissions.oh_kernel",
    _oh_kernel.cache_clear,
    lambda: _oh_kernel.cache_info().currsize,
    limit=lambda: 1,
    description="compiled OH(v) solver",
)


def oh_vibrational(
    weights: np.ndarray,
    tn: np.ndarray,
    o: np.ndarray,
    o2: np.ndarray,
    n2: np.ndarray,
    h: np.ndarray,
    o3: np.ndarray,
    ho2: np.ndarray,
    scheme: str | None = None,
) -> np.ndarray:
    """Weighted sum of the steady-state OH(v = 0..9) populations, point by point.

    Solves the 10x10 steady-state rate equations of tgcmproc ``ohrad.F`` at every point
    (production by H + O3 into v = 6..9 and by O + HO2 into v = 0..3, radiative cascade,
    single-quantum N2 and multi-quantum O2 quenching with their reverse rates, removal by O, and
    for v = 0 by O3 and HO2), clips negative populations to zero, and returns
    sum_v weights[v] [OH(v)]: a band's emission with ``weights`` its Einstein coefficient at
    ``v``, the total with the sums of each level's coefficients, a population with a unit
    vector. The v = 0 self-reaction with OH is left out, as in GCMprocpy without an OH field.

    The two schemes differ only in the upward (reverse) O2 quenching terms. ``"corrected"``
    takes them single quantum at the rate of the level they leave (v-1 -> v at
    k_O2(v) exp(-(E(v) - E(v-1))/kT), the rate the loss of v-1 counts), so OH is conserved: each
    column of the matrix sums to minus its level's chemical loss, the matrix is a non-singular
    M-matrix and the populations are positive. ``"gcmprocpy"`` is GCMprocpy 1.5.2's matrix term
    for term: its upward O2 term into v uses level v's own upward rate times the downward
    multi-quantum fraction, plus multi-quantum upward terms that no loss counts; where O is
    scarce (pressures above ~0.3 hPa) these gains from the large OH(v=0) population outweigh
    the losses, the matrix goes singular and the populations jump and change sign (clipped to
    zero), a jagged step in the profile. Around the OH layer (pressures below 0.02 hPa) the two
    agree to 1e-4: the reverse rates carry exp(-dE/kT) < 1e-5 at mesospheric temperatures.

    Args:
        weights: ``(10,)`` weights of the populations.
        tn: Temperature, K.
        o: O number density, cm-3.
        o2: O2 number density, cm-3.
        n2: N2 number density, cm-3.
        h: H number density, cm-3.
        o3: O3 number density, cm-3.
        ho2: HO2 number density, cm-3.
        scheme: ``"corrected"`` or ``"gcmprocpy"`` (see above); ``None`` takes the
            configuration's ``gcm.oh_scheme`` (``"corrected"`` out of the box).

    Returns:
        Array of the inputs' shape (cm-3 times the weights' units).

    Raises:
        InvalidArgumentError: If ``scheme`` is not one of :data:`OH_SCHEMES`.

    References:
        Makhlouf, U. B., Picard, R. H. and Winick, J. R. (1995), J. Geophys. Res. 100(D6),
        11289-11311; Nelson, D. D. et al. (1990), J. Chem. Phys. 93, 7003-7019 (Einstein
        coefficients); Adler-Golden, S. (1997), J. Geophys. Res. 102(A9), 19969-19976
        (quenching, multi-quantum at high v, single quantum at low v); McDade, I. C. and
        Llewellyn, E. J. (1987), J. Geophys. Res. 92(A7), 7643-7650 (the steady-state OH(v)
        cascade); Klenerman, D. and Smith, I. W. M. (1987), J. Chem. Soc. Faraday Trans. 2
        83, 229-241 (H + O3 branching); Kaye, J. A. (1988), J. Geophys. Res. 93(D1), 285-288
        (O + HO2 branching).
    """
    chosen = oh_scheme(scheme)
    inputs = (tn, o2, o, n2, h, o3, ho2)
    arrays = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in inputs])
    shape = arrays[0].shape
    flat = [np.ascontiguousarray(a).reshape(-1) for a in arrays]
    out = np.empty(flat[0].size)
    _oh_kernel()(
        *flat,
        np.asarray(weights, dtype=np.float64),
        OH_EINSTEIN, OH_EINSTEIN.sum(axis=1), _OH_Q_O2, _OH_Q_N2, _OH_Q_O, _OH_R_O2, _OH_R_N2,
        _OH_DE_K, _OH_F_HO3, _OH_F_OHO2, _OH_MQ, chosen == "gcmprocpy", out,
    )  # fmt: skip
    return out.reshape(shape)


def oh_scheme(scheme: str | None = None) -> str:
    """The OH scheme to use: ``scheme``, or the configured ``gcm.oh_scheme`` when ``None``.

    Args:
        scheme: ``"corrected"``, ``"gcmprocpy"`` or ``None``.

    Returns:
        One of :data:`OH_SCHEMES`.

    Raises:
        InvalidArgumentError: If it is none of them.
    """
    chosen = resolve(scheme, "gcm.oh_scheme")
    if chosen not in OH_SCHEMES:
        raise InvalidArgumentError(
            f"unknown OH scheme {chosen!r}: choose one of {', '.join(map(repr, OH_SCHEMES))}",
            argument="scheme",
        )
    return str(chosen)


_OH_INPUTS = ("TN", "O1", "O2", "N2", "H", "O3", "HO2")
_OH_REFERENCE = (
    "Makhlouf, U. B., Picard, R. H. and Winick, J. R. (1995), J. Geophys. Res. 100(D6), "
    "11289-11311; Nelson, D. D. et al. (1990), J. Chem. Phys. 93, 7003 (Einstein coefficients, "
    "updated by Makhlouf 1999); Adler-Golden, S. (1997), J. Geophys. Res. 102, 19969 "
    "(quenching); Klenerman and Smith (1987), Kaye (1988) (branching); tgcmproc ohrad.F "
    "(B. Foster, U. B. Makhlouf), as ported by GCMprocpy 1.5.2 (data_oh.ohrad); scheme "
    "'corrected': upward O2 quenching single quantum at the rate of the level it leaves "
    "(conserves OH; geospacexr docs/gcm_oh.md)"
)


def _register_oh() -> None:
    for v, lower in OH_BANDS:
        weights = np.zeros(OH_LEVELS)
        weights[v] = OH_EINSTEIN[v, v - lower - 1]
        wavelength = 1e7 / (OH_ENERGY[v] - OH_ENERGY[lower])
        register_emission(
            f"OH_{v}_{lower}",
            inputs=_OH_INPUTS,
            long_name=f"OH Meinel ({v},{lower}) band volume emission rate",
            reference=_OH_REFERENCE,
            wavelength_nm=float(round(wavelength, 1)),
            gcmprocpy_factor=1.0,
            schemes=OH_SCHEMES,
            scheme_config="gcm.oh_scheme",
        )(partial(oh_vibrational, weights))
    register_emission(
        "OH_TOTAL",
        inputs=_OH_INPUTS,
        long_name="OH Meinel volume emission rate, all 39 bands",
        reference=_OH_REFERENCE,
        gcmprocpy_factor=1.0,
        schemes=OH_SCHEMES,
        scheme_config="gcm.oh_scheme",
    )(partial(oh_vibrational, OH_EINSTEIN.sum(axis=1)))
    for v in range(OH_LEVELS):
        register_emission(
            f"OH_VIB_{v}",
            inputs=_OH_INPUTS,
            units="cm-3",
            long_name=f"OH(v={v}) vibrational population",
            reference=_OH_REFERENCE,
            gcmprocpy_factor=1.0,
            schemes=OH_SCHEMES,
            scheme_config="gcm.oh_scheme",
        )(partial(oh_vibrational, np.eye(OH_LEVELS)[v]))


_register_oh()
