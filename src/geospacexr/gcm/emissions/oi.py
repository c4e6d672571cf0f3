"""Oxygen airglow lines: OI 557.7 nm (green) and OI 630.0 nm (red) volume emission rates.

Pure, elementwise functions of number densities (cm-3) and temperatures (K). They accept
numbers, numpy arrays, dask arrays and xarray DataArrays (numpy- or dask-backed) and broadcast
them against each other; nothing is computed before the caller asks (dask stays lazy). They
return volume emission rates (VER) in photons cm-3 s-1. The emission registry's ``OI5577`` and
``OI6300`` entries (at the end of this module) call them. The module is also importable under
its former name, ``geospacexr.gcm.oi_airglow`` (the same module object).

OI 557.7 nm, O(1S) -> O(1D):

* mesopause region, the Barth two-step mechanism, O + O + M -> O2* + M, O2* + O -> O2 + O(1S),
  in the empirical form of McDade et al. (1986) fitted to the ETON rocket profiles;
* thermosphere, dissociative recombination O2+ + e -> O + O(1S) (when ion densities are given),
  with O2+ either given or in photochemical equilibrium between O+ + O2 -> O2+ + O and
  O2+ + e -> O + O;
* O(1S) is lost by radiation (all branches) and quenching by O2 and O.

OI 630.0 nm, O(1D) -> O(3P): O(1D) from O2+ + e (O2+ given or in equilibrium as above), lost by
radiation (630.0, 636.4, 639.2 nm) and quenching by N2, O2, O and electrons.

What is left out (and why):

* N2+ and NO+ chemistry: O2+ charge exchange with NO and N, and O2+ from N2+ + O2 or N+ + O2 are
  ignored; in the nighttime F region O2+ comes from O+ + O2. In the E region, where these
  channels matter, TIE-GCM's own O2P should be given as ``n_o2p``;
* the other O(1D) sources (N(2D) + O2, O+ + e radiative recombination, the 557.7 nm cascade from
  O(1S), photoelectron impact and O2 photodissociation by day): the functions describe the
  nightglow; by day they give the recombination part of the dayglow only;
* O(1S) from N2(A) + O (aurora) and photoelectron impact.

The lower boundary of TIE-GCM (ilev = -7, about 97 km) cuts through the Barth layer, which
peaks near 95-97 km: the VER is computed on the model's levels only (nothing is extrapolated), so
the column brightness of a TIE-GCM 557.7 nm profile is that of the part of the layer the model
covers. :func:`check_peak_at_boundary` says (with a :class:`~geospacexr.errors.DataWarning`)
when profiles peak on the bottom level. WACCM-X, whose levels reach the ground, covers the whole
layer.

The rate coefficients, quantum yields and transition probabilities are tabulated, each with its
source, in :data:`RATE_COEFFICIENTS`, :data:`QUANTUM_YIELDS`, :data:`EINSTEIN_COEFFICIENTS` and
:data:`BARTH_PARAMETERS`.

References:
    Berrington, K. A. & Burke, P. G. (1981), Planet. Space Sci. 29, 377-381 (O(1D) + e).
    Campbell, I. M. & Gray, C. N. (1973), Chem. Phys. Lett. 18, 607-609 (O + O + M).
    Froese Fischer, C. & Tachiev, G. (2004), At. Data Nucl. Data Tables 87, 1-184 (O I A values;
    NIST Atomic Spectra Database).
    Kella, D. et al. (1997), Science 276, 1530-1533 (O2+ dissociative recombination yields).
    Link, R. & Cogger, L. L. (1988), J. Geophys. Res. 93, 9883-9892 (630.0 nm nightglow).
    McDade, I. C. et al. (1986), Planet. Space Sci. 34, 789-800 (ETON 2, Barth parameters).
    Slanger, T. G. et al. (1972) (O(1S) + O2) and Slanger, T. G. & Black, G. (1981) (O(1S) + O),
    as cited by GLOW.
    Solomon, S. C. (2017), J. Geophys. Res. Space Physics 122, 7834 and the GLOW model v0.98
    (NCAR/GLOW, gchem.f90): rate table used here for O+ + O2, O2+ + e, O(1D) + O and the O(1S)
    yield, with GLOW's attributions.
    St.-Maurice, J.-P. & Torr, D. G. (1978), J. Geophys. Res. 83, 969-977 (O+ + O2).
    Streit, G. E. et al. (1976), J. Chem. Phys. 65, 4761-4764 (O(1D) + N2, O2).
    Walls, F. L. & Dunn, G. H. (1974), J. Geophys. Res. 79, 1911 (O2+ + e).
    Wiese, W. L., Fuhr, J. R. & Deters, T. M. (1996), J. Phys. Chem. Ref. Data Monograph 7
    (NIST: A(557.7 nm) = 1.26 s-1).
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any, Literal

import numpy as np
import xarray as xr

from ...errors import DataWarning, IncompatibleInputError, InvalidArgumentError
from ._registry import register_emission

__all__ = [
    "BARTH_PARAMETERS",
    "EINSTEIN_COEFFICIENTS",
    "QUANTUM_YIELDS",
    "RATE_COEFFICIENTS",
    "VER_UNITS",
    "check_peak_at_boundary",
    "o1d_density",
    "o1s_density",
    "o2plus_equilibrium",
    "oi5577",
    "oi5577_ver",
    "oi6300",
    "oi6300_ver",
]

#: Units of every volume emission rate returned here.
VER_UNITS = "photons cm-3 s-1"

# ---------------------------------------------------------------------------------------------
# Constants (the tables below document them; the code uses these names)

_A_5577 = 1.26  # s-1, O(1S) -> O(1D) 557.7 nm
_A_1S = 1.35  # s-1, O(1S) total (557.7 + 297.2 nm)
_A_6300 = 5.63e-3  # s-1, O(1D) -> O(3P2) 630.0 nm
_A_1D = 7.45e-3  # s-1, O(1D) total (630.0 + 636.4 + 639.2 nm)
_C_O2 = 211.0  # McDade et al. (1986), O(1S) precursor, dimensionless
_C_O = 15.0
_K_O1S_O = 2.0e-14  # cm3 s-1
_K_O1D_O = 3.0e-12  # cm3 s-1
_BETA_1D = 1.2
_BETA_1S_BOUNDS = (0.03, 0.12)
_TINY = 1e-30  # guards divisions and logarithms of zero densities

#: Einstein A coefficients (s-1) of the O(1S) and O(1D) transitions used here.
EINSTEIN_COEFFICIENTS: dict[str, dict[str, Any]] = {
    "A_5577": {
        "transition": "O(1S) -> O(1D), 557.7 nm",
        "value": _A_5577,
        "units": "s-1",
        "reference": "Wiese, Fuhr & Deters (1996), NIST Atomic Spectra Database",
    },
    "A_1S": {
        "transition": "O(1S), all branches (557.7 nm + 297.2 nm)",
        "value": _A_1S,
        "units": "s-1",
        "reference": "McDade et al. (1986), the value used with their Barth parameters; "
        "NIST: 1.26 + 0.0754 = 1.34",
    },
    "A_6300": {
        "transition": "O(1D) -> O(3P2), 630.0 nm",
        "value": _A_6300,
        "units": "s-1",
        "reference": "Froese Fischer & Tachiev (2004), NIST Atomic Spectra Database",
    },
    "A_1D": {
        "transition": "O(1D), all branches (630.0 + 636.4 + 639.2 nm)",
        "value": _A_1D,
        "units": "s-1",
        "reference": "Froese Fischer & Tachiev (2004): 5.63e-3 + 1.82e-3 + 8.9e-7",
    },
}

#: Empirical parameters of the Barth mechanism for O(1S) (McDade et al. 1986, ETON 2 fit).
BARTH_PARAMETERS: dict[str, dict[str, Any]] = {
    "C_O2": {
        "value": _C_O2,
        "units": "1",
        "reference": "McDade et al. (1986), Planet. Space Sci. 34, 789 (ETON 2 fit)",
    },
    "C_O": {
        "value": _C_O,
        "units": "1",
        "reference": "McDade et al. (1986), Planet. Space Sci. 34, 789 (ETON 2 fit)",
    },
    "M": {
        "value": "[N2] + [O2]",
        "units": "cm-3",
        "reference": "McDade et al. (1986): third bodies of O + O + M",
    },
}

#: Rate coefficients (T: neutral temperature, Te: electron temperature, K).
RATE_COEFFICIENTS: dict[str, dict[str, str]] = {
    "k_OOM": {
        "reaction": "O + O + M -> O2* + M",
        "rate": "4.7e-33 (300/T)^2",
        "units": "cm6 s-1",
        "reference": "Campbell & Gray (1973), as used by McDade et al. (1986)",
    },
    "k_O1S_O2": {
        "reaction": "O(1S) + O2 -> O + O2",
        "rate": "4.0e-12 exp(-865/T)",
        "units": "cm3 s-1",
        "reference": "Slanger et al. (1972), as used by McDade et al. (1986) and GLOW",
    },
    "k_O1S_O": {
        "reaction": "O(1S) + O -> 2 O",
        "rate": "2.0e-14",
        "units": "cm3 s-1",
        "reference": "Slanger & Black (1981), as used by GLOW (Solomon 2017)",
    },
    "k_O1D_N2": {
        "reaction": "O(1D) + N2 -> O + N2",
        "rate": "2.0e-11 exp(107.8/T)",
        "units": "cm3 s-1",
        "reference": "Streit et al. (1976)",
    },
    "k_O1D_O2": {
        "reaction": "O(1D) + O2 -> O + O2",
        "rate": "2.9e-11 exp(67.5/T)",
        "units": "cm3 s-1",
        "reference": "Streit et al. (1976)",
    },
    "k_O1D_O": {
        "reaction": "O(1D) + O -> 2 O",
        "rate": "3.0e-12",
        "units": "cm3 s-1",
        "reference": "GLOW (Solomon 2017), attributed there to Abreu et al. (1986) and "
        "Yee (1991); published estimates range over about 2e-12 to 8e-12",
    },
    "k_O1D_e": {
        "reaction": "O(1D) + e -> O + e",
        "rate": "1.6e-12 Te^0.91",
        "units": "cm3 s-1",
        "reference": "Berrington & Burke (1981) fit, as used by Link & Cogger (1988)",
    },
    "k_Op_O2": {
        "reaction": "O+ + O2 -> O2+ + O",
        "rate": "x = T/300; T < 2000 K: 3.53e-11 - 1.84e-11 x + 4.62e-12 x^2 - 4.95e-13 x^3 "
        "+ 2.00e-14 x^4; T >= 2000 K: 2.82e-11 - 7.74e-12 x + 1.073e-12 x^2 - 5.17e-14 x^3 "
        "+ 9.65e-16 x^4 (2.1e-11 at 300 K)",
        "units": "cm3 s-1",
        "reference": "St.-Maurice & Torr (1978) with Chen et al. (1978), as in GLOW (Solomon "
        "2017); effective temperature = T (ion temperature taken equal to T)",
    },
    "alpha_O2p": {
        "reaction": "O2+ + e -> O + O",
        "rate": "Te < 1200 K: 1.95e-7 (300/Te)^0.7; Te >= 1200 K: 1.6e-7 (300/Te)^0.55",
        "units": "cm3 s-1",
        "reference": "Walls & Dunn (1974), Mehr & Biondi (1969), Alge et al. (1983), as in "
        "GLOW (Solomon 2017)",
    },
}

#: Quantum yields (atoms per reaction).
QUANTUM_YIELDS: dict[str, dict[str, str]] = {
    "beta_1S": {
        "reaction": "O2+ + e -> O(1S) + O",
        "value": "0.12 + 0.02 log10((n_e/[O]) (300/Te)^0.7), bounded to [0.03, 0.12] "
        "(about 0.05 in the night F region)",
        "reference": "GLOW (Solomon 2017), attributed there to Yee et al. (1988); laboratory "
        "yield 0.05 for O2+(v=0) (Kella et al. 1997)",
    },
    "beta_1D": {
        "reaction": "O2+ + e -> O(1D) + O",
        "value": "1.2",
        "reference": "Abreu et al. (1986), as used by GLOW (Solomon 2017); laboratory value "
        "about 1.1 for O2+(v=0) (Kella et al. 1997)",
    },
    "epsilon_Barth": {
        "reaction": "O + O + M -> O2*; O2* + O -> O(1S)",
        "value": "[O] / (C_O2 [O2] + C_O [O])",
        "reference": "McDade et al. (1986)",
    },
}


# ---------------------------------------------------------------------------------------------
# Input handling


def _is_lazy(value: Any) -> bool:
    try:
        from dask.base import is_dask_collection
    except ImportError:  # pragma: no cover - dask is a dependency
        return False
    return bool(is_dask_collection(value))


def _as_float(value: Any, name: str, *, kind: Literal["density", "temperature"]) -> Any:
    """Return ``value`` as float64 (lazily for dask), checking eager inputs' values."""
    if value is None or isinstance(value, (str, bytes, xr.Dataset, dict)):
        raise InvalidArgumentError(
            f"expected a number, numpy/dask array or xarray DataArray of "
            f"{'number densities (cm-3)' if kind == 'density' else 'temperatures (K)'}, "
            f"not {type(value).__name__}",
            argument=name,
        )
    if isinstance(value, xr.DataArray):
        if not np.issubdtype(value.dtype, np.number):
            raise InvalidArgumentError(f"dtype {value.dtype} is not numeric", argument=name)
        out = value.astype(np.float64) if value.dtype != np.float64 else value
    elif _is_lazy(value):
        if not np.issubdtype(value.dtype, np.number):
            raise InvalidArgumentError(f"dtype {value.dtype} is not numeric", argument=name)
        out = value.astype(np.float64)
    else:
        if isinstance(value, numbers.Number) and not isinstance(value, numbers.Real):
            raise InvalidArgumentError("complex values are not allowed", argument=name)
        try:
            out = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"cannot be read as numbers ({type(value).__name__})", argument=name
            ) from None
    if not _is_lazy(out):  # cheap checks on in-memory data only; lazy data stays lazy
        data = np.asarray(out)
        bad = data <= 0 if kind == "temperature" else data < 0
        if np.any(bad):
            what = (
                "temperatures must be > 0 K" if kind == "temperature" else "densities must be >= 0"
            )
            raise InvalidArgumentError(
                f"{what}; found {int(np.count_nonzero(bad))} value(s) such as "
                f"{data[bad].flat[0]:g}",
                argument=name,
            )
    return out


def _check_vertical(**arrays: Any) -> None:
    """Refuse DataArrays on different vertical grids (lev vs ilev): they would broadcast."""
    grids = {
        name: [d for d in a.dims if d in ("lev", "ilev")]
        for name, a in arrays.items()
        if isinstance(a, xr.DataArray)
    }
    kinds = {tuple(v) for v in grids.values() if v}
    if len(kinds) > 1:
        listing = ", ".join(f"{n} on {'/'.join(v)}" for n, v in grids.items() if v)
        raise IncompatibleInputError(
            f"inputs are on different vertical grids ({listing}); interpolate them to one grid "
            "first (TIE-GCM's NE is on interface levels ilev, the species on midpoints lev)"
        )


def _finish(out: Any, name: str, long_name: str) -> Any:
    if isinstance(out, xr.DataArray):
        out.name = name
        out.attrs = {"long_name": long_name, "units": VER_UNITS}
    return out


# ---------------------------------------------------------------------------------------------
# Rate coefficients (elementwise; numpy ufuncs only, so xarray and dask stay lazy)


def _k_oom(t_n: Any) -> Any:
    """O + O + M -> O2* + M, cm6 s-1 (Campbell & Gray 1973)."""
    return 4.7e-33 * (300.0 / t_n) ** 2


def _k_o1s_o2(t_n: Any) -> Any:
    """O(1S) + O2 quenching, cm3 s-1 (Slanger et al. 1972)."""
    return 4.0e-12 * np.exp(-865.0 / t_n)


def _k_o1d_n2(t_n: Any) -> Any:
    """O(1D) + N2 quenching, cm3 s-1 (Streit et al. 1976)."""
    return 2.0e-11 * np.exp(107.8 / t_n)


def _k_o1d_o2(t_n: Any) -> Any:
    """O(1D) + O2 quenching, cm3 s-1 (Streit et al. 1976)."""
    return 2.9e-11 * np.exp(67.5 / t_n)


def _k_o1d_e(t_e: Any) -> Any:
    """O(1D) + e quenching, cm3 s-1 (Berrington & Burke 1981; Link & Cogger 1988)."""
    return 1.6e-12 * t_e**0.91


def _k_op_o2(t_n: Any) -> Any:
    """O+ + O2 -> O2+ + O, cm3 s-1 (St.-Maurice & Torr 1978; GLOW's two-range fit)."""
    x = t_n / 300.0
    low = 3.53e-11 - 1.84e-11 * x + 4.62e-12 * x**2 - 4.95e-13 * x**3 + 2.00e-14 * x**4
    high = 2.82e-11 - 7.74e-12 * x + 1.073e-12 * x**2 - 5.17e-14 * x**3 + 9.65e-16 * x**4
    return low * (x < 20.0 / 3.0) + high * (x >= 20.0 / 3.0)


def _alpha_o2p(t_e: Any) -> Any:
    """O2+ + e -> O + O dissociative recombination, cm3 s-1 (Walls & Dunn 1974; GLOW)."""
    low = 1.95e-7 * (300.0 / t_e) ** 0.7
    high = 1.6e-7 * (300.0 / t_e) ** 0.55
    return low * (t_e < 1200.0) + high * (t_e >= 1200.0)


def _beta_1s(n_e: Any, n_o: Any, t_e: Any) -> Any:
    """O(1S) quantum yield of O2+ + e (GLOW's parameterisation, bounded to [0.03, 0.12])."""
    ratio = n_e / np.maximum(n_o, _TINY) * (300.0 / t_e) ** 0.7
    beta = 0.12 + 0.02 * np.log10(np.maximum(ratio, _TINY))
    return np.minimum(np.maximum(beta, _BETA_1S_BOUNDS[0]), _BETA_1S_BOUNDS[1])


# ---------------------------------------------------------------------------------------------
# Public functions


def o2plus_equilibrium(n_op: Any, n_o2: Any, n_e: Any, t_n: Any, t_e: Any) -> Any:
    """O2+ density in photochemical equilibrium, cm-3.

    [O2+] = k [O+] [O2] / (alpha n_e): production by charge exchange O+ + O2 -> O2+ + O, loss by
    dissociative recombination O2+ + e -> O + O. Charge exchange with NO and N, and the N2+ and
    N+ sources of O2+, are ignored (they matter in the E region, not in the nighttime F region).

    Args:
        n_op: O+ density, cm-3.
        n_o2: O2 density, cm-3.
        n_e: Electron density, cm-3 (zero gives an infinite result).
        t_n: Neutral temperature, K (used as the effective temperature of O+ + O2).
        t_e: Electron temperature, K.

    Returns:
        O2+ density, cm-3, broadcast over the inputs (lazy for dask inputs).

    Raises:
        InvalidArgumentError: If an input is not numeric or, for in-memory data, negative
            (temperatures: not positive).
        IncompatibleInputError: If DataArrays are on different vertical grids (lev and ilev).

    References:
        St.-Maurice, J.-P. & Torr, D. G. (1978), J. Geophys. Res. 83, 969 (O+ + O2, with the
        two-range polynomial of NCAR's GLOW model); Walls, F. L. & Dunn, G. H. (1974),
        J. Geophys. Res. 79, 1911 (O2+ + e, with GLOW's form above 1200 K).
    """
    _check_vertical(n_op=n_op, n_o2=n_o2, n_e=n_e, t_n=t_n, t_e=t_e)
    n_op = _as_float(n_op, "n_op", kind="density")
    n_o2 = _as_float(n_o2, "n_o2", kind="density")
    n_e = _as_float(n_e, "n_e", kind="density")
    t_n = _as_float(t_n, "t_n", kind="temperature")
    t_e = _as_float(t_e, "t_e", kind="temperature")
    out = _k_op_o2(t_n) * n_op * n_o2 / (_alpha_o2p(t_e) * n_e)
    if isinstance(out, xr.DataArray):
        out.name = "O2P"
        out.attrs = {"long_name": "O2+ density (photochemical equilibrium)", "units": "cm-3"}
    return out


def o1s_density(production: Any, n_o: Any, n_o2: Any, t_n: Any) -> Any:
    """O(1S) density in photochemical equilibrium with a given production rate, cm-3.

    [O(1S)] = P / (A_1S + k_O2 [O2] + k_O [O]), with A_1S = 1.35 s-1, k_O2 = 4.0e-12
    exp(-865/T) and k_O = 2.0e-14 cm3 s-1 (see :data:`RATE_COEFFICIENTS`).

    Args:
        production: O(1S) production rate, cm-3 s-1.
        n_o: O density, cm-3.
        n_o2: O2 density, cm-3.
        t_n: Neutral temperature, K.

    Returns:
        O(1S) density, cm-3.

    References:
        McDade, I. C. et al. (1986), Planet. Space Sci. 34, 789 (A_1S); Slanger, T. G. et al.
        (1972) (O2) and Slanger, T. G. & Black, G. (1981) (O), as used by GLOW (Solomon 2017).
    """
    production = _as_float(production, "production", kind="density")
    n_o = _as_float(n_o, "n_o", kind="density")
    n_o2 = _as_float(n_o2, "n_o2", kind="density")
    t_n = _as_float(t_n, "t_n", kind="temperature")
    return production / (_A_1S + _k_o1s_o2(t_n) * n_o2 + _K_O1S_O * n_o)


def o1d_density(
    production: Any, n_o: Any, n_o2: Any, n_n2: Any, t_n: Any, n_e: Any, t_e: Any
) -> Any:
    """O(1D) density in photochemical equilibrium with a given production rate, cm-3.

    [O(1D)] = P / (A_1D + k_N2 [N2] + k_O2 [O2] + k_O [O] + k_e n_e), with A_1D = 7.45e-3 s-1
    and the coefficients of :data:`RATE_COEFFICIENTS`. With no quenchers it is P / A_1D.

    Args:
        production: O(1D) production rate, cm-3 s-1.
        n_o: O density, cm-3.
        n_o2: O2 density, cm-3.
        n_n2: N2 density, cm-3.
        t_n: Neutral temperature, K.
        n_e: Electron density, cm-3.
        t_e: Electron temperature, K.

    Returns:
        O(1D) density, cm-3.

    References:
        Froese Fischer, C. & Tachiev, G. (2004), At. Data Nucl. Data Tables 87, 1 (A_1D);
        Streit, G. E. et al. (1976), J. Chem. Phys. 65, 4761 (N2, O2); Berrington, K. A. &
        Burke, P. G. (1981), Planet. Space Sci. 29, 377, as fitted by Link, R. & Cogger, L. L.
        (1988), J. Geophys. Res. 93, 9883 (electrons); GLOW, Solomon (2017) (O).
    """
    production = _as_float(production, "production", kind="density")
    n_o = _as_float(n_o, "n_o", kind="density")
    n_o2 = _as_float(n_o2, "n_o2", kind="density")
    n_n2 = _as_float(n_n2, "n_n2", kind="density")
    t_n = _as_float(t_n, "t_n", kind="temperature")
    n_e = _as_float(n_e, "n_e", kind="density")
    t_e = _as_float(t_e, "t_e", kind="temperature")
    loss = (
        _A_1D + _k_o1d_n2(t_n) * n_n2 + _k_o1d_o2(t_n) * n_o2 + _K_O1D_O * n_o + _k_o1d_e(t_e) * n_e
    )
    return production / loss


def _recombination_rate(
    n_o2: Any, n_e: Any, t_n: Any, t_e: Any, n_op: Any, n_o2p: Any, where: str
) -> Any:
    """Rate of O2+ + e recombinations, cm-3 s-1, from O2+ if given, else O+ in equilibrium."""
    if n_o2p is not None:
        n_o2p = _as_float(n_o2p, "n_o2p", kind="density")
        return _alpha_o2p(t_e) * n_e * n_o2p
    if n_op is not None:
        # equilibrium: alpha n_e [O2+] = k [O+][O2] -- no division by n_e
        n_op = _as_float(n_op, "n_op", kind="density")
        return _k_op_o2(t_n) * n_op * n_o2
    raise InvalidArgumentError(
        f"{where} needs the O2+ density (n_o2p) or the O+ density (n_op) to compute O2+ "
        "in photochemical equilibrium",
        argument="n_o2p",
    )


def oi5577_ver(
    n_o: Any,
    n_o2: Any,
    n_n2: Any,
    t_n: Any,
    n_e: Any = None,
    n_o2p: Any = None,
    n_op: Any = None,
    t_e: Any = None,
) -> Any:
    """Volume emission rate of the OI 557.7 nm green line, photons cm-3 s-1.

    VER = A_5577 [O(1S)], [O(1S)] = (P_Barth + P_DR) / (A_1S + k_O2 [O2] + k_O [O]) with

    * the Barth mechanism (McDade et al. 1986, ETON):
      P_Barth = k1 [O]^2 [M] [O] / (C_O2 [O2] + C_O [O]), k1 = 4.7e-33 (300/T)^2 cm6 s-1,
      [M] = [N2] + [O2], C_O2 = 211, C_O = 15;
    * when ion densities are given, dissociative recombination O2+ + e -> O(1S) + O:
      P_DR = beta_1S alpha(Te) n_e [O2+], alpha = 1.95e-7 (300/Te)^0.7 cm3 s-1 (Te < 1200 K),
      beta_1S = 0.12 + 0.02 log10((n_e/[O]) (300/Te)^0.7) within [0.03, 0.12] (about 0.05 in
      the night F region; laboratory 0.05, Kella et al. 1997). Without ``n_o2p``, O2+ is in
      photochemical equilibrium with O+ + O2 -> O2+ + O, so alpha n_e [O2+] = k [O+][O2].

    A_5577 = 1.26 s-1 (NIST), A_1S = 1.35 s-1 (McDade et al. 1986). McDade et al. fitted C_O2
    and C_O with A_5577 = 1.18 s-1; with the NIST value the Barth VER is 7 % higher than theirs.

    Args:
        n_o: O density, cm-3.
        n_o2: O2 density, cm-3.
        n_n2: N2 density, cm-3.
        t_n: Neutral temperature, K.
        n_e: Electron density, cm-3; needed with ``n_o2p`` or ``n_op``.
        n_o2p: O2+ density, cm-3 (TIE-GCM's O2P). Takes precedence over ``n_op``.
        n_op: O+ density, cm-3 (O2+ then in photochemical equilibrium).
        t_e: Electron temperature, K; needed with ``n_o2p`` or ``n_op``.

    Returns:
        VER, photons cm-3 s-1, broadcast over the inputs; a DataArray (named ``OI5577``, with
        units) when an input is one, lazy when the inputs are dask-backed.

    Raises:
        InvalidArgumentError: If an input is not numeric, an in-memory density is negative or a
            temperature not positive, or ion inputs come without ``n_e`` / ``t_e`` (or ``n_e``
            without an ion density).
        IncompatibleInputError: If DataArrays are on different vertical grids (lev and ilev).

    References:
        McDade, I. C. et al. (1986), Planet. Space Sci. 34, 789-800; Campbell, I. M. & Gray,
        C. N. (1973), Chem. Phys. Lett. 18, 607; Slanger, T. G. et al. (1972) (O(1S) + O2);
        Wiese, W. L. et al. (1996), NIST (A_5577); Walls, F. L. & Dunn, G. H. (1974),
        J. Geophys. Res. 79, 1911; St.-Maurice, J.-P. & Torr, D. G. (1978), J. Geophys. Res. 83,
        969; Kella, D. et al. (1997), Science 276, 1530; Solomon, S. C. (2017), GLOW v0.98.
    """
    _check_vertical(
        n_o=n_o, n_o2=n_o2, n_n2=n_n2, t_n=t_n, n_e=n_e, n_o2p=n_o2p, n_op=n_op, t_e=t_e
    )
    n_o = _as_float(n_o, "n_o", kind="density")
    n_o2 = _as_float(n_o2, "n_o2", kind="density")
    n_n2 = _as_float(n_n2, "n_n2", kind="density")
    t_n = _as_float(t_n, "t_n", kind="temperature")
    efficiency = n_o / np.maximum(_C_O2 * n_o2 + _C_O * n_o, _TINY)
    production = _k_oom(t_n) * n_o**2 * (n_n2 + n_o2) * efficiency
    ions = n_o2p is not None or n_op is not None
    if ions:
        for name, value in (("n_e", n_e), ("t_e", t_e)):
            if value is None:
                raise InvalidArgumentError(
                    "the O2+ recombination source of 557.7 nm needs the electron density and "
                    "temperature besides n_o2p or n_op",
                    argument=name,
                )
        n_e = _as_float(n_e, "n_e", kind="density")
        t_e = _as_float(t_e, "t_e", kind="temperature")
        rate = _recombination_rate(n_o2, n_e, t_n, t_e, n_op, n_o2p, "oi5577_ver")
        production = production + _beta_1s(n_e, n_o, t_e) * rate
    elif n_e is not None or t_e is not None:
        raise InvalidArgumentError(
            "n_e/t_e given without an ion density: pass n_o2p or n_op for the O2+ "
            "recombination source, or neither n_e nor t_e for the Barth layer alone",
            argument="n_o2p",
        )
    ver = _A_5577 * production / (_A_1S + _k_o1s_o2(t_n) * n_o2 + _K_O1S_O * n_o)
    return _finish(ver, "OI5577", "OI 557.7 nm volume emission rate")


def oi6300_ver(
    n_o: Any,
    n_o2: Any,
    n_n2: Any,
    t_n: Any,
    n_e: Any,
    t_e: Any,
    n_op: Any = None,
    n_o2p: Any = None,
) -> Any:
    """Volume emission rate of the OI 630.0 nm red line, photons cm-3 s-1.

    VER = A_6300 [O(1D)], [O(1D)] = P / (A_1D + k_N2 [N2] + k_O2 [O2] + k_O [O] + k_e n_e) with
    P = beta_1D alpha(Te) n_e [O2+] (beta_1D = 1.2). Without ``n_o2p``, O2+ is in photochemical
    equilibrium with O+ + O2 -> O2+ + O, so P = beta_1D k(T) [O+][O2].

    Coefficients (cm3 s-1): k_N2 = 2.0e-11 exp(107.8/T), k_O2 = 2.9e-11 exp(67.5/T) (Streit et
    al. 1976), k_O = 3.0e-12 (GLOW), k_e = 1.6e-12 Te^0.91 (Berrington & Burke 1981, as used by
    Link & Cogger 1988); A_6300 = 5.63e-3 s-1, A_1D = 7.45e-3 s-1 (Froese Fischer & Tachiev
    2004). O(1D) from N(2D) + O2, O+ + e and the 557.7 nm cascade are not included.

    Args:
        n_o: O density, cm-3.
        n_o2: O2 density, cm-3.
        n_n2: N2 density, cm-3.
        t_n: Neutral temperature, K.
        n_e: Electron density, cm-3.
        t_e: Electron temperature, K.
        n_op: O+ density, cm-3 (O2+ then in photochemical equilibrium).
        n_o2p: O2+ density, cm-3 (TIE-GCM's O2P). Takes precedence over ``n_op``.

    Returns:
        VER, photons cm-3 s-1, broadcast over the inputs; a DataArray (named ``OI6300``, with
        units) when an input is one, lazy when the inputs are dask-backed.

    Raises:
        InvalidArgumentError: If neither ``n_op`` nor ``n_o2p`` is given, an input is not numeric,
            an in-memory density is negative or a temperature not positive.
        IncompatibleInputError: If DataArrays are on different vertical grids (lev and ilev).

    References:
        Link, R. & Cogger, L. L. (1988), J. Geophys. Res. 93, 9883-9892; Streit, G. E. et al.
        (1976), J. Chem. Phys. 65, 4761; Berrington, K. A. & Burke, P. G. (1981), Planet. Space
        Sci. 29, 377; Froese Fischer, C. & Tachiev, G. (2004), At. Data Nucl. Data Tables 87, 1;
        Abreu, V. J. et al. (1986) and Solomon, S. C. (2017), GLOW v0.98 (beta_1D, k_O);
        St.-Maurice, J.-P. & Torr, D. G. (1978), J. Geophys. Res. 83, 969; Walls, F. L. &
        Dunn, G. H. (1974), J. Geophys. Res. 79, 1911.
    """
    _check_vertical(
        n_o=n_o, n_o2=n_o2, n_n2=n_n2, t_n=t_n, n_e=n_e, t_e=t_e, n_op=n_op, n_o2p=n_o2p
    )
    n_o = _as_float(n_o, "n_o", kind="density")
    n_o2 = _as_float(n_o2, "n_o2", kind="density")
    n_n2 = _as_float(n_n2, "n_n2", kind="density")
    t_n = _as_float(t_n, "t_n", kind="temperature")
    n_e = _as_float(n_e, "n_e", kind="density")
    t_e = _as_float(t_e, "t_e", kind="temperature")
    rate = _recombination_rate(n_o2, n_e, t_n, t_e, n_op, n_o2p, "oi6300_ver")
    ver = _A_6300 * o1d_density(_BETA_1D * rate, n_o, n_o2, n_n2, t_n, n_e, t_e)
    return _finish(ver, "OI6300", "OI 630.0 nm volume emission rate")


_PRESSURE_UNITS = {"hpa", "pa", "mb", "mbar", "millibars", "microbars", "dyn/cm2", "dyn cm-2"}
_LENGTH_UNITS = {"km", "m", "cm"}


def _bottom_index(ver: xr.DataArray, dim: str, bottom: str) -> int:
    if bottom == "first":
        return 0
    if bottom == "last":
        return ver.sizes[dim] - 1
    if bottom != "auto":
        raise InvalidArgumentError(
            f"must be 'auto', 'first' or 'last', not {bottom!r}", argument="bottom"
        )
    if dim in ver.coords:
        coord = ver[dim]
        positive = str(coord.attrs.get("positive", "")).lower()
        units = str(coord.attrs.get("units", "")).strip().lower()
        values = np.asarray(coord.values)
        if positive == "up" or units in _LENGTH_UNITS:
            return int(np.nanargmin(values))
        if positive == "down" or units in _PRESSURE_UNITS:
            return int(np.nanargmax(values))
    raise InvalidArgumentError(
        f"cannot tell which end of {dim!r} is the bottom (no coordinate with a 'positive' "
        "attribute or pressure/height units); pass bottom='first' or bottom='last'",
        argument="bottom",
    )


def check_peak_at_boundary(
    ver: xr.DataArray, dim: str, *, bottom: Literal["auto", "first", "last"] = "auto"
) -> bool:
    """Warn when emission profiles peak on the bottom level of the model.

    TIE-GCM's lower boundary (about 97 km) lies inside the 557.7 nm Barth layer: a profile whose
    maximum is on the bottom level has its true peak below the model, and its column brightness
    covers only the part of the layer above the boundary. This computes (it has to: it returns a
    bool) the maximum of each profile along ``dim`` and issues a
    :class:`~geospacexr.errors.DataWarning` naming how many profiles peak on the bottom level.
    Profiles that are zero or NaN throughout are not counted.

    Args:
        ver: Volume emission rates (any dims, one of them vertical).
        dim: The vertical dim (``lev``, ``ilev`` or a height dim).
        bottom: Which end of ``dim`` is the bottom: ``"auto"`` reads the coordinate
            (``positive="up"`` as TIE-GCM's ln(p0/p) or height units: the smallest value;
            ``positive="down"`` as WACCM-X's hPa or pressure units: the largest value), or
            ``"first"`` / ``"last"``.

    Returns:
        True if at least one profile peaks on the bottom level (a warning was issued).

    Raises:
        InvalidArgumentError: If ``ver`` is not a DataArray, ``dim`` is not one of its dims, or
            the bottom cannot be told.

    References:
        Qian, L. et al. (2014), The NCAR TIE-GCM, AGU Monograph 201, 73-83 (lower boundary at
        ln(p0/p) = -7, about 97 km); McDade, I. C. et al. (1986), Planet. Space Sci. 34, 789
        (the Barth layer peaks near 97 km).
    """
    if not isinstance(ver, xr.DataArray):
        raise InvalidArgumentError(
            f"expected an xarray DataArray, not {type(ver).__name__}", argument="ver"
        )
    if dim not in ver.dims:
        raise InvalidArgumentError(
            f"{dim!r} is not a dim of {ver.name or 'the array'} "
            f"(dims: {', '.join(map(str, ver.dims))})",
            argument="dim",
        )
    index = _bottom_index(ver, dim, bottom)
    peak = ver.max(dim, skipna=True)
    at_bottom = (ver.isel({dim: index}) >= peak) & (peak > 0)
    count = int(at_bottom.sum())
    if count == 0:
        return False
    total = int(at_bottom.size)
    level = ver[dim].values[index] if dim in ver.coords else index
    name = ver.name or "emission"
    warnings.warn(
        f"{name}: {count} of {total} profile(s) peak on the bottom level ({dim}={level}); the "
        "layer extends below the model's lower boundary (TIE-GCM's, about 97 km, cuts through "
        "the 557.7 nm Barth layer), so their peak and column brightness are those of the part "
        "the model covers",
        DataWarning,
        stacklevel=2,
    )
    return True


# ---------------------------------------------------------------------------------------------
# the registry entries OI5577 and OI6300 (no peer package computes them)

_OI_INPUTS = ("TN", "O1", "O2", "N2", "NE", "OP", "TE")


def _non_negative(*densities: np.ndarray) -> tuple[np.ndarray, ...]:
    """Densities with rounding negatives set to zero (NaN stays NaN).

    The N2 closure (1 - O2 - O - He) of float32 files gives tiny negatives near the top.
    """
    return tuple(np.where(d < 0, 0.0, d) for d in densities)


@register_emission(
    "OI5577",
    inputs=_OI_INPUTS,
    long_name="OI 557.7 nm green line volume emission rate",
    reference="McDade, I. C. et al. (1986), Planet. Space Sci. 34, 789-800 (Barth mechanism, "
    "ETON parameters); Yee, J.-H. et al. (1988), Kella, D. et al. (1997) (O(1S) yield of O2+ "
    "dissociative recombination); see geospacexr.gcm.oi_airglow",
    wavelength_nm=557.7,
)
def oi5577(
    tn: np.ndarray,
    o: np.ndarray,
    o2: np.ndarray,
    n2: np.ndarray,
    ne: np.ndarray,
    op: np.ndarray,
    te: np.ndarray,
) -> np.ndarray:
    """OI 557.7 nm: the Barth layer plus the thermospheric O2+ recombination source.

    O2+ is taken in photochemical equilibrium with O+ + O2 (the same for TIE-GCM and WACCM-X;
    see :func:`oi5577_ver`). TIE-GCM's lower boundary (about 97 km) cuts through the Barth
    layer: :func:`~geospacexr.gcm.emissions.brightness` warns when profiles peak on the bottom
    level.
    """
    o, o2, n2, ne, op = _non_negative(o, o2, n2, ne, op)
    return oi5577_ver(o, o2, n2, tn, n_e=ne, n_op=op, t_e=te)


@register_emission(
    "OI6300",
    inputs=_OI_INPUTS,
    long_name="OI 630.0 nm red line volume emission rate",
    reference="Link, R. and Cogger, L. L. (1988), J. Geophys. Res. 93, 9883-9892; Streit, G. E. "
    "et al. (1976), J. Chem. Phys. 65, 4761 (quenching); Froese Fischer, C. and Tachiev, G. "
    "(2004) (A coefficients); see geospacexr.gcm.oi_airglow",
    wavelength_nm=630.0,
)
def oi6300(
    tn: np.ndarray,
    o: np.ndarray,
    o2: np.ndarray,
    n2: np.ndarray,
    ne: np.ndarray,
    op: np.ndarray,
    te: np.ndarray,
) -> np.ndarray:
    """OI 630.0 nm from O2+ dissociative recombination (O2+ in equilibrium with O+ + O2).

    See :func:`oi6300_ver`.
    """
    o, o2, n2, ne, op = _non_negative(o, o2, n2, ne, op)
    return oi6300_ver(o, o2, n2, tn, ne, te, n_op=op)
