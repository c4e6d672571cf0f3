"""The emission registry: what an emission is, how one is registered, how they are listed.

Contract of an emission (see :mod:`geospacexr.gcm.emissions` for what each input is): the
registered function is pointwise, ``func(*arrays) -> ndarray``, receiving one float64 numpy
array per declared input, all of one shape and in the declared order (species as number
densities in cm-3, temperatures in K, other fields in the Dataset's units), and returning the
rate in the declared units, of that shape. It never sees a Dataset: grids, densities, vertical
regridding, laziness and chunking are done by the engine (:mod:`._engine`), which calls it once
per block. The decorator declares ``inputs``, ``units``, ``long_name`` and ``reference``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from ..._registry import Registry
from ...config import resolve
from ...errors import InvalidArgumentError, UnknownEmissionError

__all__ = ["Emission", "list_emissions", "register", "register_emission", "registry"]

_PLANCK_CGS = 6.62607015e-27  # erg s (CODATA 2018, exact)
_LIGHT_CGS = 2.99792458e10  # cm/s (exact)


@dataclass(frozen=True)
class Emission:
    """A registered emission.

    Attributes:
        name: Registry name.
        func: ``func(*inputs) -> ndarray``: the rate from float64 arrays of one shape, given in
            the order of ``inputs`` (number densities in cm-3 for species, see the module notes).
        inputs: Variables the Dataset must hold (standard names).
        units: Units of the result.
        long_name: Description.
        reference: Where the formula comes from (papers, code).
        wavelength_nm: Wavelength of the emission, if it has one.
        gcmprocpy_factor: Ours = factor x GCMprocpy's number, for the emissions GCMprocpy has.
        schemes: Names of the variants ``func`` computes (its ``scheme=`` keyword), empty for a
            function without variants.
        scheme_config: Configuration key of the default scheme (else the first of ``schemes``).
        scheme: The scheme this entry computes (set by :func:`_entry` when it is chosen).
    """

    name: str
    func: Callable[..., np.ndarray]
    inputs: tuple[str, ...]
    units: str
    long_name: str
    reference: str
    wavelength_nm: float | None = None
    gcmprocpy_factor: float | None = None
    schemes: tuple[str, ...] = ()
    scheme_config: str | None = None
    scheme: str | None = None

    def attrs(self) -> dict[str, Any]:
        """The attributes of a result (NetCDF-storable)."""
        out: dict[str, Any] = {
            "long_name": self.long_name,
            "units": self.units,
            "reference": self.reference,
            "emission": self.name,
        }
        if self.wavelength_nm is not None:
            out["wavelength_nm"] = float(self.wavelength_nm)
            out["photon_energy_erg"] = _PLANCK_CGS * _LIGHT_CGS / (self.wavelength_nm * 1e-7)
        if self.gcmprocpy_factor is not None:
            out["gcmprocpy_factor"] = float(self.gcmprocpy_factor)
        if self.scheme is not None:
            out["scheme"] = self.scheme
        return out

    def with_scheme(self, scheme: str | None = None) -> Emission:
        """This emission computed with one of its schemes.

        Args:
            scheme: One of ``schemes``, or ``None`` for the default (the configuration key
                ``scheme_config``, else the first scheme).

        Returns:
            The entry whose function computes that scheme and whose attrs record it; the entry
            itself for an emission without schemes and ``scheme=None``.

        Raises:
            InvalidArgumentError: If the emission has no schemes and one is given, or the
                scheme is not one of them.
        """
        if not self.schemes:
            if scheme is None:
                return self
            raise InvalidArgumentError(
                f"{self.name} has one formula: it takes no scheme (schemes exist for "
                f"{', '.join(_with_schemes()) or 'no emission'})",
                argument="scheme",
            )
        if scheme is None:
            scheme = resolve(None, self.scheme_config) if self.scheme_config else self.schemes[0]
        if scheme not in self.schemes:
            raise InvalidArgumentError(
                f"{self.name} has no scheme {scheme!r}: choose one of "
                f"{', '.join(map(repr, self.schemes))}",
                argument="scheme",
            )
        return dataclasses.replace(self, func=partial(self.func, scheme=scheme), scheme=scheme)


#: The emissions by name.
_REGISTRY: Registry[Emission] = Registry("emission", error=UnknownEmissionError)


def register_emission(
    name: str,
    *,
    inputs: tuple[str, ...],
    units: str = "photons cm-3 s-1",
    long_name: str,
    reference: str,
    wavelength_nm: float | None = None,
    gcmprocpy_factor: float | None = None,
    replace: bool = False,
    schemes: tuple[str, ...] = (),
    scheme_config: str | None = None,
) -> Callable[[Callable[..., np.ndarray]], Callable[..., np.ndarray]]:
    """Register an emission (decorator).

    The decorated function gets the inputs as float64 arrays of one shape, in the declared
    order (species as number densities in cm-3, temperatures in K, other fields in the
    Dataset's units) and returns the rate in ``units``; it is returned unchanged.

    Args:
        name: Name users ask for.
        inputs: Variables needed (standard names: TN, O1, O2, N2, NO, CO2, H, O3, HO2, NE...).
        units: Units of the result (a photon volume emission rate for
            :func:`~geospacexr.gcm.emissions.brightness`).
        long_name: Description.
        reference: Papers (and code) the formula comes from.
        wavelength_nm: Wavelength, if any (gives ``photon_energy_erg`` in the result's attrs).
        gcmprocpy_factor: For a GCMprocpy emission, ours divided by GCMprocpy's number.
        replace: Replace an emission already registered under ``name`` by another function
            (the same function defined again, as a re-run notebook cell does, always replaces).
        schemes: Names of the variants the function computes, chosen by its ``scheme=``
            keyword (``emission(ds, name, scheme=...)``); empty (the default) for one formula.
        scheme_config: Configuration key holding the default scheme (else the first one).

    Returns:
        The decorator.

    Raises:
        InvalidArgumentError: If ``inputs`` is empty, or another function is registered under
            ``name`` and ``replace`` is false.

    Example:
        >>> @register_emission("TN_K", inputs=("TN",), units="K", long_name="t",
        ...                    reference="none")
        ... def _t(tn):
        ...     return tn
        >>> _REGISTRY.remove("TN_K")
    """
    if not inputs:
        raise InvalidArgumentError("an emission needs at least one input", argument="inputs")

    def decorator(func: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
        entry = Emission(
            name,
            func,
            tuple(inputs),
            units,
            long_name,
            reference,
            wavelength_nm,
            gcmprocpy_factor,
            tuple(schemes),
            scheme_config,
        )
        _REGISTRY.add(name, entry, replace=replace, source=func)
        return func

    return decorator


#: The name the registry had before the common dialect (``emissions.register``), kept.
register = register_emission


def registry() -> dict[str, Emission]:
    """Every registered emission by name.

    Returns:
        A copy of the registry (see :func:`list_emissions` for the listing).
    """
    return dict(_REGISTRY)


def list_emissions(details: bool = False) -> list[str] | list[dict[str, Any]]:
    """List the registered emissions (whatever a Dataset holds; see ``available(ds)``).

    Args:
        details: If true, one dict per emission instead of its name.

    Returns:
        Sorted names; with ``details``, dicts with ``name``, ``description`` (the long name),
        ``inputs``, ``units``, ``reference``, ``wavelength_nm`` and ``schemes`` (the names
        ``scheme=`` accepts, empty for most).

    Example:
        >>> "NO53" in list_emissions()
        True
    """
    return _REGISTRY.listing(
        details,
        lambda e: {
            "name": e.name,
            "description": e.long_name,
            "inputs": list(e.inputs),
            "units": e.units,
            "reference": e.reference,
            "wavelength_nm": e.wavelength_nm,
            "schemes": list(e.schemes),
        },
    )


def _with_schemes() -> list[str]:
    """Families of emissions that have schemes, for messages (``OH_*`` for the OH bands)."""
    names = sorted(n for n, e in _REGISTRY.items() if e.schemes)
    families = sorted({n.split("_")[0] + "_*" if "_" in n else n for n in names})
    return families


def _entry(name: str, scheme: str | None = None) -> Emission:
    """The entry of ``name`` with its scheme chosen (:meth:`Emission.with_scheme`).

    An unknown name raises :class:`UnknownEmissionError`, a wrong scheme
    :class:`InvalidArgumentError`.
    """
    return _REGISTRY[name].with_scheme(scheme)
