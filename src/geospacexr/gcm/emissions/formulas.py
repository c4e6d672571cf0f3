"""The infrared emissions of tgcmproc ``mkemiss.F`` (as GCMprocpy 1.5.2): NO53, CO215, OH83.

Each is a closed-form, pointwise formula of TN and number densities, evaluated in one fused,
GIL-free numba loop per formula. Units: ours are photon volume emission rates; the factor from
GCMprocpy's numbers is in each entry's ``gcmprocpy_factor`` (see
:mod:`geospacexr.gcm.emissions`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from ..._caches import register_cache
from ._registry import register_emission

__all__ = [
    "CO215_A",
    "CO215_K",
    "CO215_PREFACTOR",
    "CO215_THETA",
    "NO53_A",
    "NO53_K",
    "NO53_PREFACTOR",
    "NO53_THETA",
    "co215",
    "no53",
    "oh83",
]

# NO 5.3 um (Kockarts 1980 form): A = Einstein coefficient of NO(v=1), k = O-NO(v) rate
# coefficient, theta = hc/(k lambda) for lambda = 5.3 um; tgcmproc's prefactor 2.63e-22 is
# k_B theta A k = 2.627e-22 erg cm3 s-2.
NO53_A, NO53_K, NO53_THETA, NO53_PREFACTOR = 10.78, 6.5e-11, 2715.0, 2.63e-22
# CO2 15 um: A = Einstein coefficient of CO2(nu2), k sqrt(T) = O-CO2(nu2) rate coefficient,
# theta for lambda = 15 um; tgcmproc's prefactor 5.94e-26 is k_B theta A k = 5.938e-26.
CO215_A, CO215_K, CO215_THETA, CO215_PREFACTOR = 1.28, 3.5e-13, 960.0, 5.94e-26

_TGCMPROC = "tgcmproc mkemiss.F (NCAR, B. Foster; J. Wise), as ported by GCMprocpy 1.5.2"


@functools.lru_cache(maxsize=1)
def _ir_kernels() -> dict[str, Callable[..., None]]:  # compiled on first use, cached on disk
    """One fused loop per formula: no temporaries, the GIL released (threads run in parallel).

    Built once per process (``_ir_kernels.cache_clear()`` forgets them; numba's on-disk cache
    makes a rebuild cheap).
    """
    from numba import njit

    a_no, k_no = NO53_A, NO53_K
    a_co, k_co = CO215_A, CO215_K

    # the exponentials come in precomputed (numpy's SIMD exp); the rest is one fused pass
    @njit(cache=True, nogil=True)
    def no53_loop(e, o, no, out):  # pragma: no cover - compiled
        for i in range(out.size):
            out[i] = a_no * k_no * o[i] * no[i] * e[i] / (a_no + k_no * o[i])

    @njit(cache=True, nogil=True)
    def co215_loop(e, t, o, co2, out):  # pragma: no cover - compiled
        for i in range(out.size):
            k = k_co * np.sqrt(t[i])
            out[i] = a_co * k * o[i] * co2[i] * e[i] / (a_co + k * o[i])

    @njit(cache=True, nogil=True)
    def oh83_loop(p237, t, o, o2, n2, out):  # pragma: no cover - compiled
        for i in range(out.size):
            # (300/T)^2.37 given; (300/T)^2.62 = (300/T)^2.37 (300/T)^(1/4)
            k_n2 = 5.70e-34 * p237[i] * np.sqrt(np.sqrt(300.0 / t[i]))
            k_o2 = 5.96e-34 * p237[i]
            out[i] = 0.29 * o[i] * o2[i] * (k_n2 * n2[i] + k_o2 * o2[i]) / (260.0 + 2e-11 * o2[i])

    return {"NO53": no53_loop, "CO215": co215_loop, "OH83": oh83_loop}


register_cache(
    "gcm.emissions.ir_kernels",
    _ir_kernels.cache_clear,
    lambda: _ir_kernels.cache_info().currsize,
    limit=lambda: 1,
    description="compiled IR emission kernels",
)


def _run(name: str, *arrays: np.ndarray) -> np.ndarray:
    values = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in arrays])
    flat = [np.ascontiguousarray(v).reshape(-1) for v in values]
    tn = flat[0]
    if name == "OH83":  # (300/T)^2.37, in place
        first = np.divide(300.0, tn)
        np.log(first, out=first)
        first *= 2.37
        np.exp(first, out=first)
        args = [first, *flat]
    else:  # exp(-theta/T), in place
        first = np.divide(-(NO53_THETA if name == "NO53" else CO215_THETA), tn)
        np.exp(first, out=first)
        args = [first, *flat[1:]] if name == "NO53" else [first, *flat]
    # each element of the first array is read before it is written: the result goes there
    _ir_kernels()[name](*args, first)
    return first.reshape(values[0].shape)


@register_emission(
    "NO53",
    inputs=("TN", "O1", "NO"),
    long_name="NO 5.3 um volume emission rate",
    reference="Kockarts, G. (1980), Nitric oxide cooling in the terrestrial thermosphere, "
    f"Geophys. Res. Lett. 7(2), 137-140; {_TGCMPROC} (mkeno53)",
    wavelength_nm=5300.0,
    gcmprocpy_factor=4.0 * math.pi * NO53_A * NO53_K / NO53_PREFACTOR,
)
def no53(tn: np.ndarray, o: np.ndarray, no: np.ndarray) -> np.ndarray:
    """NO 5.3 um volume emission rate, photons cm-3 s-1.

    Two-level NO(v=1) excited by collisions with O and emptied by emission or by O
    (Kockarts, 1980): eps = A k [O][NO] exp(-theta/T) / (A + k [O]), A = 10.78 s-1,
    k = 6.5e-11 cm3 s-1, theta = hc/(k_B 5.3 um) = 2715 K. tgcmproc (and GCMprocpy) compute
    2.63e-22 exp(-theta/T)[O][NO] / (4 pi (A + k[O])), with 2.63e-22 = hv A k: the same
    emission in erg cm-3 s-1 sr-1; ours = that x 4 pi A k / 2.63e-22 (3.348e13).

    Args:
        tn: Neutral temperature, K.
        o: Atomic oxygen number density, cm-3.
        no: Nitric oxide number density, cm-3.

    Returns:
        The rate, photons cm-3 s-1.
    """
    return _run("NO53", tn, o, no)


@register_emission(
    "CO215",
    inputs=("TN", "O1", "CO2"),
    long_name="CO2 15 um volume emission rate (O-CO2 collisional term)",
    reference="Dickinson, R. E. (1984), Infrared radiative cooling in the mesosphere and lower "
    "thermosphere, J. Atmos. Terr. Phys. 46, 995-1008; Sharma, R. D. and Wintersteiner, P. P. "
    "(1990), Role of carbon dioxide in cooling planetary thermospheres, Geophys. Res. Lett. 17, "
    f"2201-2204; {_TGCMPROC} (mkeco215)",
    wavelength_nm=15000.0,
    gcmprocpy_factor=4.0 * math.pi * CO215_A * CO215_K / CO215_PREFACTOR,
)
def co215(tn: np.ndarray, o: np.ndarray, co2: np.ndarray) -> np.ndarray:
    """CO2 15 um volume emission rate (its O-CO2 collisional part), photons cm-3 s-1.

    Two-level CO2(nu2) excited by O: eps = A k(T) [O][CO2] exp(-theta/T) / (A + k(T) [O]),
    A = 1.28 s-1, k(T) = 3.5e-13 sqrt(T) cm3 s-1 (6e-12 at 300 K), theta = hc/(k_B 15 um) =
    960 K; the O term gives at least 80 % of the radiance above 110 km. tgcmproc computes
    5.94e-26 sqrt(T) exp(-theta/T)[O][CO2] / (4 pi (A + k(T)[O])), 5.94e-26 = hv A k: erg
    cm-3 s-1 sr-1; ours = that x 4 pi A k / 5.94e-26 (9.478e13).

    Args:
        tn: Neutral temperature, K.
        o: Atomic oxygen number density, cm-3.
        co2: Carbon dioxide number density, cm-3.

    Returns:
        The rate, photons cm-3 s-1.
    """
    return _run("CO215", tn, o, co2)


@register_emission(
    "OH83",
    inputs=("TN", "O1", "O2", "N2"),
    long_name="OH Meinel (8,3) band volume emission rate (simple model)",
    reference="Lin, C. L. and Leu, M. T. (1982), Int. J. Chem. Kinet. 14, 417-434 (O + O2 + M); "
    "Makhlouf, U. B., Picard, R. H. and Winick, J. R. (1995), J. Geophys. Res. 100(D6), "
    f"11289-11311; {_TGCMPROC} (mkeoh83, 6/95)",
    wavelength_nm=727.8,
    gcmprocpy_factor=1.0,
)
def oh83(tn: np.ndarray, o: np.ndarray, o2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """OH (8,3) band volume emission rate from the O3 production rate, photons cm-3 s-1.

    eps = 0.29 [O][O2](k_N2 [N2] + k_O2 [O2]) / (260 + 2e-11 [O2]), with k_N2 = 5.70e-34
    (300/T)^2.62 and k_O2 = 5.96e-34 (300/T)^2.37 cm6 s-1: the O + O2 + M rate, which at night
    equals the H + O3 production of OH*, over the loss rate of OH(v=8) (260 s-1 radiative,
    2e-11 cm3 s-1 quenching by O2); 0.29 s-1 is the branching into v=8 times the (8,3)
    Einstein coefficient, so the result is a photon rate as tgcmproc labels it (factor 1).

    Args:
        tn: Neutral temperature, K.
        o: Atomic oxygen number density, cm-3.
        o2: Molecular oxygen number density, cm-3.
        n2: Molecular nitrogen number density, cm-3.

    Returns:
        The rate, photons cm-3 s-1.
    """
    return _run("OH83", tn, o, o2, n2)
