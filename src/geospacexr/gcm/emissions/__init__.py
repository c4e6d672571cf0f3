"""Airglow and infrared emissions of GCM output: a registry.

Adding an emission is one function and one decorator line. The function receives its inputs as
float64 numpy arrays of one shape, in the order the decorator declares them, and returns the
volume emission rate; everything else (number densities, grids, laziness, heights, times) is done
here::

    from geospacexr.gcm import emissions

    @emissions.register_emission("NO53", inputs=("TN", "O1", "NO"), units="photons cm-3 s-1",
                        long_name="NO 5.3 um", reference="Kockarts (1980), GRL 7, 137")
    def _no53(tn, o, no):
        return ...

What each input is, when the function receives it:

* a species stored as a mixing ratio (``mmr`` for TIE-GCM, ``mol/mol`` for WACCM-X; N2 by
  closure when the file has none) is a **number density in cm-3**, from
  :func:`geospacexr.gcm.density` (CODATA Boltzmann constant, He in the mean molecular mass);
* everything else is as in the Dataset: temperatures in K, ``NE``/``OP`` in cm-3, heights in km;
* an input on the other vertical grid is put on the emission's grid (``lev`` when any input is on
  ``lev``) at the level's log-pressure, log-linearly for densities and linearly otherwise; the
  TIE-GCM top midpoint, above the top interface, gets NaN.

:func:`emission` returns the rate on the model grid for every time (or one ``time``), or on a
``level`` or at a ``height`` (per column, log-linear: :func:`geospacexr.gcm.at_height`);
:func:`brightness` integrates it over each column, in rayleigh, vertically or along a slant path.
:func:`available` says which emissions a Dataset can compute; asking for one whose inputs are
missing raises :class:`~geospacexr.errors.MissingVariableError` naming them.
:func:`list_emissions` lists every registered emission (``details=True``: one dict each, with
its inputs, units and reference), and an unknown name raises
:class:`~geospacexr.errors.UnknownEmissionError` naming the close matches (an
:class:`~geospacexr.errors.UnknownNameError` and, as before, an
:class:`~geospacexr.errors.InvalidArgumentError`). ``register`` is the former name of
:func:`register_emission` and :func:`registry` the name -> entry dict; both are kept.

Built in: every emission GCMprocpy 1.5.2 computes (a port of tgcmproc ``mkemiss.F`` and
``ohrad.F``), with the same formulas and inputs: ``NO53`` (TN, O1, NO), ``CO215`` (TN, O1,
CO2), ``OH83`` (TN, O1, O2, N2), and the OH Meinel vibrational model (TN, O1, O2, N2, H, O3, HO2:
WACCM-X) with its 39 bands ``OH_v_v'`` (``OH_1_0`` ... ``OH_9_3``), their sum ``OH_TOTAL`` and
the level populations ``OH_VIB_0`` ... ``OH_VIB_9`` (cm-3). The OH model has two schemes
(``scheme=``): ``"corrected"`` (the default, configuration key ``gcm.oh_scheme``) takes the
upward O2 quenching at the rate of the level it leaves, so OH is conserved and the profile is
smooth; ``"gcmprocpy"`` is GCMprocpy's rate matrix term for term, whose upward O2 terms are
taken from the wrong level and do not conserve OH (a jagged step near 1 hPa; see
:func:`oh_vibrational` and ``docs/gcm_oh.md``). The GCMprocpy comparisons use ``"gcmprocpy"``.

**Units.** GCMprocpy labels all of them "photons cm-3 sec-1". For the OH bands that is right
(population times Einstein coefficient). For ``NO53`` and ``CO215`` it is not: the tgcmproc
prefactors are ``hv A k`` (photon energy times Einstein coefficient times the O-atom collision
rate coefficient), and the result is divided by 4 pi, so GCMprocpy's numbers (around 1e-8 in the
lower thermosphere) are *energy* emission rates per steradian, erg cm-3 s-1 sr-1; the photon
volume emission rates are 13 orders of magnitude larger. Ours are photon volume emission rates,
photons cm-3 s-1 (all directions, the quantity a rayleigh counts), and ``attrs["gcmprocpy_factor"]``
holds the exact factor from GCMprocpy's numbers to ours (4 pi A k / prefactor, constants only).
``attrs["photon_energy_erg"]`` gives hc/lambda to turn a photon rate into a cooling rate.
``OH83`` (tgcmproc's 6/95 simple model) is 0.29 [O][O2] k_M [M] / (260 + 2e-11 [O2]): the
O + O2 + M rate (at night the H + O3 source of OH*) over the loss rate of OH(v=8); it is a photon
rate when 0.29 is read in s-1, the branching into v=8 (about 0.3) times the (8,3) Einstein
coefficient (0.918 s-1, Nelson et al. 1990), and its unit and values are kept (factor 1). Read as
a bare branching ratio the same number would be [OH(v=8)] in cm-3, 1/0.918 of the (8,3) rate: the
two readings differ by 9 %. An independent check settles the unit class: on the WACCM-X sample
the full OH(v) model's ``OH_8_3`` and ``OH83`` peak at the same height and their column
brightnesses agree within 30 % (``tests/gcm/test_emissions.py``).

Rates are computed lazily and in blocks: :func:`emission` returns a lazily indexed DataArray (as
a variable of the file is), computed when its values are asked for; a selection computes only
what it selects, and all of it is computed over dask chunks of the inputs written into one
buffer, so the peak memory stays near the size of the result. ``.chunk()`` makes it a dask array.

The package, one module per part:

* :mod:`._registry`: :class:`Emission`, :func:`register_emission`, :func:`list_emissions`;
* :mod:`._inputs`: finding the inputs in a Dataset, densities, the vertical regridding;
* :mod:`._engine`: the lazy :class:`~xarray.backends.BackendArray` and the blockwise computation;
* :mod:`.rates`: :func:`emission` and :func:`available`;
* :mod:`.column`: :func:`brightness`;
* :mod:`.formulas`: the infrared formulas of tgcmproc (NO53, CO215, OH83);
* :mod:`.oh`: the OH Meinel vibrational cascade model;
* :mod:`.oi`: the OI 557.7 and 630.0 nm airglow model (also ``geospacexr.gcm.oi_airglow``).

References:
    Kockarts, G. (1980), Nitric oxide cooling in the terrestrial thermosphere, Geophys. Res.
    Lett. 7(2), 137-140 (NO 5.3 um). Dickinson, R. E. (1984), J. Atmos. Terr. Phys. 46,
    995-1008, and Sharma, R. D. and Wintersteiner, P. P. (1990), Geophys. Res. Lett. 17,
    2201-2204 (CO2 15 um and its O rate coefficient). Lin, C. L. and Leu, M. T. (1982), Int. J.
    Chem. Kinet. 14, 417-434 (O + O2 + M). Makhlouf, U. B., Picard, R. H. and Winick, J. R.
    (1995), J. Geophys. Res. 100(D6), 11289-11311 (OH model); Nelson, D. D. et al. (1990),
    J. Chem. Phys. 93, 7003-7019 (OH Einstein coefficients); Adler-Golden, S. (1997), J.
    Geophys. Res. 102(A9), 19969-19976 (OH quenching); Klenerman, D. and Smith, I. W. M. (1987)
    and Kaye, J. A. (1988) (OH production branching). Hunten, D. M., Roach, F. E. and
    Chamberlain, J. W. (1956), J. Atmos. Terr. Phys. 8, 345-346 (the rayleigh). tgcmproc
    ``mkemiss.F`` and ``ohrad.F`` (NCAR; B. Foster, U. B. Makhlouf, J. Wise), as ported by
    GCMprocpy 1.5.2 (``data_emissions``, ``data_oh``).
"""

from __future__ import annotations

from ._registry import (
    _REGISTRY,  # noqa: F401  (tests and plug-ins remove entries through it)
    Emission,
    list_emissions,
    register,
    register_emission,
    registry,
)
from .column import PHOTON_RATE_UNITS, PHOTONS_PER_RAYLEIGH, brightness
from .formulas import (
    CO215_A,
    CO215_K,
    CO215_PREFACTOR,
    CO215_THETA,
    NO53_A,
    NO53_K,
    NO53_PREFACTOR,
    NO53_THETA,
    co215,
    no53,
    oh83,
)
from .oh import OH_BANDS, OH_EINSTEIN, OH_ENERGY, OH_LEVELS, OH_SCHEMES, oh_scheme, oh_vibrational
from .oi import oi5577, oi6300
from .rates import available, emission

__all__ = [
    "CO215_A",
    "CO215_K",
    "CO215_PREFACTOR",
    "CO215_THETA",
    "NO53_A",
    "NO53_K",
    "NO53_PREFACTOR",
    "NO53_THETA",
    "OH_BANDS",
    "OH_EINSTEIN",
    "OH_ENERGY",
    "OH_LEVELS",
    "OH_SCHEMES",
    "PHOTONS_PER_RAYLEIGH",
    "PHOTON_RATE_UNITS",
    "Emission",
    "available",
    "brightness",
    "co215",
    "emission",
    "list_emissions",
    "no53",
    "oh83",
    "oh_scheme",
    "oh_vibrational",
    "oi5577",
    "oi6300",
    "register",
    "register_emission",
    "registry",
]
