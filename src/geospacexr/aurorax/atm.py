"""The TREx Auroral Transport Model (ATM), run by the UCalgary SRS API, as xarray.

**The physics is the server's.** :func:`forward` and :func:`inverse` send a request to
``POST {aurorax.atm_url}/api/v2/atm/forward`` and ``.../inverse`` (model version 2) and turn the
answer into a Dataset with units; geospacexr computes nothing of the model itself. What happens
here is checking the inputs before anything is sent (ranges, the inversion's latitude/longitude
box, array shapes), choosing defaults explicitly, and labelling the result.

Defaults: the server's own defaults (API 1.66 OpenAPI description) are used, stated in each
argument. Where the reference client differs they are named: pyucalgarysrs 1.28 sends
``maxwellian_energy_flux=0`` by default, the server's default is 10 erg cm⁻² s⁻¹; **we send
10** (a default spectrum that produces aurora), always explicitly, so the result does not depend
on either party's default.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import xarray as xr

from ..errors import InvalidArgumentError, ServiceError
from ._http import Client
from .query import format_time

__all__ = [
    "FORWARD_OUTPUTS",
    "INVERSE_BOX",
    "OUTPUT_SETS",
    "conductance",
    "forward",
    "forward_dataset",
    "forward_grid",
    "inverse",
    "inverse_brightness",
    "inverse_dataset",
]

#: Every forward output the API offers: name -> (units, long name). Names starting
#: ``height_integrated_rayleighs_`` are scalars (Rayleigh); the others are profiles along
#: ``altitude`` (``altitudes``, km, is the coordinate).
FORWARD_OUTPUTS: dict[str, tuple[str, str]] = {
    "height_integrated_rayleighs_4278": ("R", "height-integrated 427.8 nm (N2+ 1NG) brightness"),
    "height_integrated_rayleighs_5577": ("R", "height-integrated 557.7 nm (OI green) brightness"),
    "height_integrated_rayleighs_6300": ("R", "height-integrated 630.0 nm (OI red) brightness"),
    "height_integrated_rayleighs_8446": ("R", "height-integrated 844.6 nm (OI) brightness"),
    "height_integrated_rayleighs_1304": ("R", "height-integrated 130.4 nm (OI) brightness"),
    "height_integrated_rayleighs_1356": ("R", "height-integrated 135.6 nm (OI) brightness"),
    "height_integrated_rayleighs_smile_uvi_lbh": (
        "R",
        "height-integrated N2 LBH brightness in the SMILE UVI band",
    ),
    "altitudes": ("km", "altitude"),
    "emission_4278": ("cm-3 s-1", "volume emission rate, 427.8 nm"),
    "emission_5577": ("cm-3 s-1", "volume emission rate, 557.7 nm"),
    "emission_6300": ("cm-3 s-1", "volume emission rate, 630.0 nm"),
    "emission_8446": ("cm-3 s-1", "volume emission rate, 844.6 nm"),
    "emission_1304": ("cm-3 s-1", "volume emission rate, 130.4 nm"),
    "emission_1356": ("cm-3 s-1", "volume emission rate, 135.6 nm"),
    "emission_smile_uvi_lbh": ("cm-3 s-1", "volume emission rate, N2 LBH (SMILE UVI band)"),
    "plasma_electron_density": ("cm-3", "electron density"),
    "plasma_o2plus_density": ("cm-3", "O2+ density"),
    "plasma_noplus_density": ("cm-3", "NO+ density"),
    "plasma_oplus_density": ("cm-3", "O+ density"),
    "plasma_ionisation_rate": ("cm-3 s-1", "ionisation rate"),
    "plasma_electron_temperature": ("K", "electron temperature"),
    "plasma_ion_temperature": ("K", "ion temperature"),
    "plasma_pedersen_conductivity": ("S m-1", "Pedersen conductivity"),
    "plasma_hall_conductivity": ("S m-1", "Hall conductivity"),
    "neutral_o2_density": ("cm-3", "O2 density"),
    "neutral_o_density": ("cm-3", "O density"),
    "neutral_n2_density": ("cm-3", "N2 density"),
    "neutral_n_density": ("cm-3", "N density"),
    "neutral_temperature": ("K", "neutral temperature"),
    "production_rate_o2plus": ("cm-3 s-1", "O2+ production rate"),
    "production_rate_oplus": ("cm-3 s-1", "O+ production rate"),
    "production_rate_oneg": ("cm-3 s-1", "O- production rate"),
    "production_rate_o": ("cm-3 s-1", "O production rate"),
    "production_rate_nplus": ("cm-3 s-1", "N+ production rate"),
    "production_rate_n2plus": ("cm-3 s-1", "N2+ production rate"),
    "production_rate_n": ("cm-3 s-1", "N production rate"),
    "production_rate_n2d": ("cm-3 s-1", "N(2D) production rate"),
}
_UV = ("1304", "1356", "smile_uvi_lbh")
#: Named output sets: ``"default"`` is everything but the far-UV (130.4, 135.6 nm, LBH).
OUTPUT_SETS: dict[str, tuple[str, ...]] = {
    "all": tuple(FORWARD_OUTPUTS),
    "default": tuple(n for n in FORWARD_OUTPUTS if not n.endswith(_UV)),
    "brightness": tuple(n for n in FORWARD_OUTPUTS if n.startswith("height_integrated")),
}
#: The inversion's domain (API 1.66): latitude in [50, 71.5), longitude in [-160, -75), degrees.
INVERSE_BOX = {"lat": (50.0, 71.5), "lon": (-160.0, -75.0)}
#: Neutral-profile altitude range the forward model needs covered, km (without / with D region).
NEUTRAL_RANGE_KM = {False: (80.0, 800.0), True: (50.0, 500.0)}
_NEUTRAL_FIELDS = (
    "altitude",
    "o_density",
    "o2_density",
    "n2_density",
    "n_density",
    "no_density",
    "temperature",
)
#: Inverse outputs: name -> (units, long name).
INVERSE_OUTPUTS = {
    "energy_flux": ("erg cm-2 s-1", "precipitating electron energy flux"),
    "mean_energy": ("eV", "precipitating electron mean energy"),
    "oxygen_correction_factor": ("1", "oxygen correction factor"),
}
WAVELENGTHS = (4278, 5577, 6300, 8446)


def _number(value: Any, name: str, *, low: float | None = None, strict: bool = False) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{value!r} is not a number", name) from None
    if not math.isfinite(out):
        raise InvalidArgumentError(f"{value!r} is not a finite number", name)
    if low is not None and (out <= low if strict else out < low):
        raise InvalidArgumentError(f"{out:g} must be {'>' if strict else '>='} {low:g}", name)
    return out


def _position(lat: Any, lon: Any) -> tuple[float, float]:
    la, lo = _number(lat, "lat"), _number(lon, "lon")
    if not -90 <= la <= 90:
        raise InvalidArgumentError(f"{la:g} is not a latitude in [-90, 90] degrees", "lat")
    if not -180 <= lo <= 180:
        raise InvalidArgumentError(
            f"{lo:g} is not a longitude in [-180, 180] degrees (the API's convention)", "lon"
        )
    return la, lo


def _outputs(outputs: str | Iterable[str]) -> dict[str, bool]:
    if isinstance(outputs, str):
        if outputs not in OUTPUT_SETS:
            raise InvalidArgumentError(
                f"{outputs!r} is not an output set ({', '.join(OUTPUT_SETS)}) ", "outputs"
            )
        names = set(OUTPUT_SETS[outputs])
    else:
        names = set(outputs)
        unknown = sorted(names - set(FORWARD_OUTPUTS))
        if unknown:
            raise InvalidArgumentError(
                f"unknown outputs {unknown}; known: {', '.join(FORWARD_OUTPUTS)}", "outputs"
            )
        if any(not n.startswith("height_integrated") for n in names):
            names.add("altitudes")
    return {n: n in names for n in FORWARD_OUTPUTS}


def _table(value: Any, fields: tuple[str, ...], name: str) -> dict[str, list[float]]:
    """A custom spectrum / neutral profile: a dict of arrays or an array of rows."""
    if isinstance(value, Mapping):
        missing = [f for f in fields if f not in value]
        if missing or set(value) - set(fields):
            raise InvalidArgumentError(f"needs exactly the keys {', '.join(fields)}", name)
        rows = [np.asarray(value[f], dtype=float) for f in fields]
    else:
        arr = np.asarray(value, dtype=float)
        if arr.ndim != 2 or arr.shape[0] != len(fields):
            raise InvalidArgumentError(
                f"an array of {len(fields)} rows ({', '.join(fields)}) is needed, got shape "
                f"{arr.shape}",
                name,
            )
        rows = list(arr)
    n = {r.shape for r in rows}
    if len(n) != 1 or rows[0].ndim != 1 or rows[0].size < 2:
        raise InvalidArgumentError("every row must be 1-D, of the same length >= 2", name)
    if not all(np.isfinite(r).all() for r in rows):
        raise InvalidArgumentError("values must be finite", name)
    if (rows[0] <= 0).any() or (np.diff(rows[0]) <= 0).any():
        raise InvalidArgumentError(f"{fields[0]} must be positive and increasing", name)
    if any((r < 0).any() for r in rows[1:]):
        raise InvalidArgumentError("values must be >= 0", name)
    return {f: r.tolist() for f, r in zip(fields, rows, strict=True)}


def forward_request(
    time: Any,
    lat: float,
    lon: float,
    *,
    maxwellian_energy_flux: float = 10.0,
    maxwellian_characteristic_energy: float | None = None,
    maxwellian_mean_energy: float | None = None,
    gaussian_energy_flux: float = 0.0,
    gaussian_peak_energy: float | None = None,
    gaussian_spectral_width: float | None = None,
    kappa_energy_flux: float = 0.0,
    kappa_mean_energy: float | None = None,
    kappa_k_index: float | None = None,
    exponential_energy_flux: float = 0.0,
    exponential_characteristic_energy: float | None = None,
    exponential_starting_energy: float | None = None,
    proton_energy_flux: float = 0.0,
    proton_characteristic_energy: float | None = None,
    custom_spectrum: Any = None,
    custom_neutral_profile: Any = None,
    d_region: bool = False,
    nrlmsis_model_version: str = "2.0",
    oxygen_correction_factor: float = 1.0,
    timescale_auroral: int = 600,
    timescale_transport: int = 600,
    outputs: str | Iterable[str] = "default",
    no_cache: bool = False,
) -> dict[str, Any]:
    """The body of ``POST api/v2/atm/forward``, checked (see :func:`forward`)."""
    la, lo = _position(lat, lon)
    body: dict[str, Any] = {
        "timestamp": format_time(time, "time"),
        "geodetic_latitude": la,
        "geodetic_longitude": lo,
    }
    if maxwellian_characteristic_energy is not None and maxwellian_mean_energy is not None:
        raise InvalidArgumentError(
            "give maxwellian_characteristic_energy or maxwellian_mean_energy (= 2 x the "
            "characteristic energy), not both",
            "maxwellian_mean_energy",
        )
    if maxwellian_mean_energy is not None:
        maxwellian_characteristic_energy = (
            _number(maxwellian_mean_energy, "maxwellian_mean_energy", low=0, strict=True) / 2
        )
    fluxes = {
        "maxwellian_energy_flux": maxwellian_energy_flux,
        "gaussian_energy_flux": gaussian_energy_flux,
        "kappa_energy_flux": kappa_energy_flux,
        "exponential_energy_flux": exponential_energy_flux,
        "proton_energy_flux": proton_energy_flux,
    }
    for name, value in fluxes.items():
        body[name] = _number(value, name, low=0)
    energies = {
        "maxwellian_characteristic_energy": maxwellian_characteristic_energy,
        "gaussian_peak_energy": gaussian_peak_energy,
        "gaussian_spectral_width": gaussian_spectral_width,
        "kappa_mean_energy": kappa_mean_energy,
        "kappa_k_index": kappa_k_index,
        "exponential_characteristic_energy": exponential_characteristic_energy,
        "exponential_starting_energy": exponential_starting_energy,
        "proton_characteristic_energy": proton_characteristic_energy,
    }
    for name, value in energies.items():
        if value is not None:
            body[name] = _number(value, name, low=0, strict=True)
    if custom_spectrum is not None:
        body["custom_spectrum"] = _table(custom_spectrum, ("energy", "flux"), "custom_spectrum")
    if custom_neutral_profile is not None:
        prof = _table(custom_neutral_profile, _NEUTRAL_FIELDS, "custom_neutral_profile")
        need = NEUTRAL_RANGE_KM[bool(d_region)]
        if prof["altitude"][0] > need[0] or prof["altitude"][-1] < need[1]:
            raise InvalidArgumentError(
                f"the profile covers {prof['altitude'][0]:g}-{prof['altitude'][-1]:g} km; the "
                f"model interpolates only and needs {need[0]:g}-{need[1]:g} km "
                f"(d_region={bool(d_region)})",
                "custom_neutral_profile",
            )
        body["custom_neutral_profile"] = prof
    if nrlmsis_model_version not in ("00", "2.0"):
        raise InvalidArgumentError(
            f"{nrlmsis_model_version!r} is not '00' or '2.0'", "nrlmsis_model_version"
        )
    body["d_region"] = bool(d_region)
    body["nrlmsis_model_version"] = nrlmsis_model_version
    body["oxygen_correction_factor"] = _number(
        oxygen_correction_factor, "oxygen_correction_factor", low=0, strict=True
    )
    for name, value in (
        ("timescale_auroral", timescale_auroral),
        ("timescale_transport", timescale_transport),
    ):
        seconds = _number(value, name, low=0, strict=True)
        if not seconds.is_integer():
            raise InvalidArgumentError(f"{seconds:g} is not a whole number of seconds", name)
        body[name] = int(seconds)
    body["output"] = _outputs(outputs)
    body["no_cache"] = bool(no_cache)
    return body


def forward_dataset(
    answer: Mapping[str, Any], request: Mapping[str, Any] | None = None
) -> xr.Dataset:
    """An ATM forward answer (``{"data": {...}, "calculation_duration_ms"}``) as a Dataset.

    Args:
        answer: The decoded answer.
        request: The request sent (its position and time go into ``attrs``).

    Returns:
        Profiles along ``altitude`` (km), brightnesses as scalars (R), units in ``attrs``.
    """
    data = answer.get("data")
    if not isinstance(data, Mapping):
        raise ServiceError("the ATM answer has no 'data' object")
    variables: dict[str, Any] = {}
    coords: dict[str, Any] = {}
    alt = data.get("altitudes")
    if alt is not None:
        coords["altitude"] = (
            "altitude",
            np.asarray(alt, dtype=float),
            {"units": "km", "long_name": "altitude"},
        )
    for name, value in data.items():
        if value is None or name == "altitudes" or name not in FORWARD_OUTPUTS:
            continue
        units, long_name = FORWARD_OUTPUTS[name]
        attrs = {"units": units, "long_name": long_name, "source_name": name}
        if name.startswith("height_integrated"):
            variables[name] = ((), float(value), attrs)
            continue
        arr = np.asarray(value, dtype=float)
        if alt is None or arr.shape != (len(alt),):
            raise ServiceError(
                f"ATM output {name} has shape {arr.shape}, not the {len(alt or [])} altitudes"
            )
        variables[name] = ("altitude", arr, attrs)
    ds = xr.Dataset(variables, coords=coords)
    ds.attrs.update(_model_attrs("atm_forward", answer, request))
    return ds


def _model_attrs(kind: str, answer: Mapping[str, Any], request: Mapping[str, Any] | None) -> dict:
    import json

    out: dict[str, Any] = {
        "geospacexr_kind": kind,
        "model": "TREx Auroral Transport Model v2, computed by the UCalgary SRS API",
        "calculation_duration_ms": float(answer.get("calculation_duration_ms") or 0.0),
    }
    if request is not None:
        out["time"] = request["timestamp"]
        out["lat"] = float(request["geodetic_latitude"])
        out["lon"] = float(request["geodetic_longitude"])
        out["request"] = json.dumps(request)
    return out


def forward(
    time: Any,
    lat: float,
    lon: float,
    maxwellian_energy_flux: float = 10.0,
    maxwellian_characteristic_energy: float | None = None,
    maxwellian_mean_energy: float | None = None,
    gaussian_energy_flux: float = 0.0,
    gaussian_peak_energy: float | None = None,
    gaussian_spectral_width: float | None = None,
    kappa_energy_flux: float = 0.0,
    kappa_mean_energy: float | None = None,
    kappa_k_index: float | None = None,
    exponential_energy_flux: float = 0.0,
    exponential_characteristic_energy: float | None = None,
    exponential_starting_energy: float | None = None,
    proton_energy_flux: float = 0.0,
    proton_characteristic_energy: float | None = None,
    custom_spectrum: Any = None,
    custom_neutral_profile: Any = None,
    d_region: bool = False,
    nrlmsis_model_version: str = "2.0",
    oxygen_correction_factor: float = 1.0,
    timescale_auroral: int = 600,
    timescale_transport: int = 600,
    outputs: str | Iterable[str] = "default",
    *,
    no_cache: bool = False,
    client: Client | None = None,
) -> xr.Dataset:
    """Run the TREx ATM forward model on the UCalgary SRS API for one precipitation spectrum.

    Energies left ``None`` are not sent: the server uses its default (given below). Fluxes are
    always sent. The spectra superimpose, except the exponential one, which replaces the others
    above its starting energy (the server's rule).

    Args:
        time: UT of the calculation (any time up to the end of the previous day).
        lat: Geodetic latitude, degrees [-90, 90].
        lon: Geodetic longitude, degrees [-180, 180].
        maxwellian_energy_flux: Maxwellian total energy flux, erg cm⁻² s⁻¹ (ours and the
            server's default 10; pyucalgarysrs 1.28 sends 0).
        maxwellian_characteristic_energy: Maxwellian characteristic energy, eV (server: 5000).
        maxwellian_mean_energy: Or the mean energy, eV (= 2 x characteristic; sent as the
            characteristic energy).
        gaussian_energy_flux: Gaussian total energy flux, erg cm⁻² s⁻¹ (0: off).
        gaussian_peak_energy: Gaussian peak energy, eV (server: 1000).
        gaussian_spectral_width: Gaussian width, eV (server: 100).
        kappa_energy_flux: Kappa total energy flux, erg cm⁻² s⁻¹ (0: off).
        kappa_mean_energy: Kappa mean energy, eV (server: 30000).
        kappa_k_index: Kappa index (server: 5).
        exponential_energy_flux: Exponential tail energy flux, erg cm⁻² s⁻¹ (0: off).
        exponential_characteristic_energy: Its characteristic energy, eV (server: 50000).
        exponential_starting_energy: Its starting energy E0, eV (server: 50000).
        proton_energy_flux: Proton energy flux, erg cm⁻² s⁻¹ (0: off; ionisation and
            densities only).
        proton_characteristic_energy: Proton characteristic energy, eV (server: 10000).
        custom_spectrum: ``{"energy": eV, "flux": cm⁻² s⁻¹ eV⁻¹}`` or a (2, N) array; must
            cover the energies of interest (the model does not extrapolate).
        custom_neutral_profile: ``{"altitude" (km), "o_density", "o2_density", "n2_density",
            "n_density", "no_density" (cm⁻³), "temperature" (K)}`` or a (7, N) array covering
            80-800 km (50-500 km with ``d_region``).
        d_region: Include the D region.
        nrlmsis_model_version: ``"2.0"`` (default) or ``"00"``.
        oxygen_correction_factor: Scales atomic oxygen (default 1).
        timescale_auroral: Duration of the precipitation T0, s (default 600).
        timescale_transport: L / v0 of the auroral structure, s (default 600).
        outputs: ``"default"`` (all but 130.4/135.6 nm and LBH), ``"all"``, ``"brightness"``,
            or names of :data:`FORWARD_OUTPUTS`.
        no_cache: Ask the server not to answer from its cache.
        client: The connection (default: ``aurorax.atm_url``).

    Returns:
        A Dataset: profiles along ``altitude`` (km) with units, brightnesses as scalars (R).

    Raises:
        InvalidArgumentError: A bad input (nothing is sent).
        ServiceError: A subclass per failure (``ServiceRequestError`` for the server's 422
            validation errors, with its ``detail``).
    """
    body = forward_request(
        time,
        lat,
        lon,
        maxwellian_energy_flux=maxwellian_energy_flux,
        maxwellian_characteristic_energy=maxwellian_characteristic_energy,
        maxwellian_mean_energy=maxwellian_mean_energy,
        gaussian_energy_flux=gaussian_energy_flux,
        gaussian_peak_energy=gaussian_peak_energy,
        gaussian_spectral_width=gaussian_spectral_width,
        kappa_energy_flux=kappa_energy_flux,
        kappa_mean_energy=kappa_mean_energy,
        kappa_k_index=kappa_k_index,
        exponential_energy_flux=exponential_energy_flux,
        exponential_characteristic_energy=exponential_characteristic_energy,
        exponential_starting_energy=exponential_starting_energy,
        proton_energy_flux=proton_energy_flux,
        proton_characteristic_energy=proton_characteristic_energy,
        custom_spectrum=custom_spectrum,
        custom_neutral_profile=custom_neutral_profile,
        d_region=d_region,
        nrlmsis_model_version=nrlmsis_model_version,
        oxygen_correction_factor=oxygen_correction_factor,
        timescale_auroral=timescale_auroral,
        timescale_transport=timescale_transport,
        outputs=outputs,
        no_cache=no_cache,
    )
    client = client or _atm_client()
    answer = client.json("POST", "api/v2/atm/forward", body=body)
    return forward_dataset(answer, body)


def _atm_client() -> Client:
    from .. import config

    return Client(config.get().aurorax.atm_url, name="UCalgary SRS API (ATM)")


def forward_grid(
    time: Any, lat: Any, lon: Any, *, client: Client | None = None, **kwargs: Any
) -> xr.Dataset:
    """:func:`forward` at every point of a latitude x longitude grid, as one Dataset.

    One request per point (the API takes one position per request), same spectrum everywhere
    (or per-point arrays of the spectral keywords, shaped like the grid). A map of height-
    integrated brightness or, with the conductivity profiles, the input of a conductance map.

    Args:
        time: UT (one time for the grid).
        lat: Latitudes, degrees (1-D).
        lon: Longitudes, degrees (1-D).
        client: The connection.
        **kwargs: :func:`forward` keywords; an array value of shape ``(len(lat), len(lon))``
            gives each point its own value (e.g. an energy-flux map).

    Returns:
        The :func:`forward` variables with ``lat`` and ``lon`` dimensions in front.
    """
    lats = np.atleast_1d(np.asarray(lat, dtype=float))
    lons = np.atleast_1d(np.asarray(lon, dtype=float))
    if lats.ndim != 1 or lons.ndim != 1:
        raise InvalidArgumentError("lat and lon are 1-D arrays of the grid's axes", "lat")
    shape = (lats.size, lons.size)
    per_point = {}
    for key, value in kwargs.items():
        if (
            isinstance(value, np.ndarray | list | tuple)
            and key
            not in (
                "custom_spectrum",
                "custom_neutral_profile",
                "outputs",
            )
            and np.shape(value) != ()
        ):
            arr = np.asarray(value, dtype=float)
            if arr.shape != shape:
                raise InvalidArgumentError(f"shape {arr.shape} is not the grid's {shape}", key)
            per_point[key] = arr
    _check_count(lats.size * lons.size)
    client = client or _atm_client()
    rows = []
    for i, la in enumerate(lats):
        cells = []
        for j, lo in enumerate(lons):
            point = {**kwargs, **{k: float(v[i, j]) for k, v in per_point.items()}}
            cells.append(forward(time, la, lo, client=client, **point))
        rows.append(xr.concat(cells, dim="lon", combine_attrs="drop_conflicts"))
    ds = xr.concat(rows, dim="lat", combine_attrs="drop_conflicts")
    ds = ds.assign_coords(
        lat=("lat", lats, {"units": "degrees_north", "long_name": "geodetic latitude"}),
        lon=("lon", lons, {"units": "degrees_east", "long_name": "geodetic longitude"}),
    )
    for key, arr in per_point.items():
        ds[key] = (("lat", "lon"), arr, {"long_name": f"input {key}"})
    ds.attrs.pop("request", None)
    ds.attrs["geospacexr_kind"] = "atm_forward"
    return ds


def inverse_request(
    time: Any,
    lat: float,
    lon: float,
    intensities: Mapping[int | str, float],
    spectral_type: str,
    *,
    nrlmsis_model_version: str = "2.0",
    special_logic_keyword: str | None = None,
    no_cache: bool = False,
) -> dict[str, Any]:
    """The body of ``POST api/v2/atm/inverse``, checked (see :func:`inverse`)."""
    la, lo = _position(lat, lon)
    for name, value, (low, high) in (
        ("lat", la, INVERSE_BOX["lat"]),
        ("lon", lo, INVERSE_BOX["lon"]),
    ):
        if not low <= value < high:
            raise InvalidArgumentError(
                f"{value:g} is outside the inversion's domain [{low:g}, {high:g}) degrees "
                "(the TREx region; the server refuses it)",
                name,
            )
    if not isinstance(intensities, Mapping):
        raise InvalidArgumentError("a dict {4278: R, 5577: R, 6300: R, 8446: R}", "intensities")
    given = {int(k): v for k, v in intensities.items()}
    missing = [w for w in WAVELENGTHS if w not in given]
    extra = sorted(set(given) - set(WAVELENGTHS))
    if missing or extra:
        raise InvalidArgumentError(
            f"needs exactly the wavelengths {WAVELENGTHS} (Å); missing {missing}, unknown {extra}",
            "intensities",
        )
    if spectral_type not in ("gaussian", "maxwellian"):
        raise InvalidArgumentError(
            f"{spectral_type!r} is not 'gaussian' or 'maxwellian'", "spectral_type"
        )
    if nrlmsis_model_version not in ("00", "2.0"):
        raise InvalidArgumentError(
            f"{nrlmsis_model_version!r} is not '00' or '2.0'", "nrlmsis_model_version"
        )
    body: dict[str, Any] = {
        "timestamp": format_time(time, "time"),
        "geodetic_latitude": la,
        "geodetic_longitude": lo,
    }
    for w in WAVELENGTHS:
        body[f"intensity_{w}"] = _number(given[w], f"intensities[{w}]", low=0)
    body["precipitation_flux_spectral_type"] = spectral_type
    body["nrlmsis_model_version"] = nrlmsis_model_version
    if special_logic_keyword is not None:
        body["special_logic_keyword"] = str(special_logic_keyword)
    body["output"] = dict.fromkeys(INVERSE_OUTPUTS, True)
    body["no_cache"] = bool(no_cache)
    return body


def inverse_dataset(
    answer: Mapping[str, Any], request: Mapping[str, Any] | None = None
) -> xr.Dataset:
    """An ATM inverse answer as a Dataset of scalars (``energy_flux``, ``mean_energy``...)."""
    data = answer.get("data")
    if not isinstance(data, Mapping):
        raise ServiceError("the ATM answer has no 'data' object")
    variables = {}
    for name, (units, long_name) in INVERSE_OUTPUTS.items():
        if data.get(name) is not None:
            variables[name] = ((), float(data[name]), {"units": units, "long_name": long_name})
    ds = xr.Dataset(variables)
    ds.attrs.update(_model_attrs("atm_inverse", answer, request))
    if request is not None:
        ds.attrs["spectral_type"] = request["precipitation_flux_spectral_type"]
        for w in WAVELENGTHS:
            ds.attrs[f"intensity_{w}_R"] = float(request[f"intensity_{w}"])
    return ds


def inverse(
    time: Any,
    lat: float,
    lon: float,
    intensities: Mapping[int | str, float],
    spectral_type: str,
    nrlmsis_model_version: str = "2.0",
    special_logic_keyword: str | None = None,
    *,
    no_cache: bool = False,
    client: Client | None = None,
) -> xr.Dataset:
    """Invert four auroral brightnesses to the precipitating electrons (TREx ATM, on the server).

    Args:
        time: UT; the server supports specific dates only (others: 400,
            :class:`~geospacexr.errors.ServiceRequestError`).
        lat: Geodetic latitude, degrees, in [50, 71.5) (refused here otherwise).
        lon: Geodetic longitude, degrees, in [-160, -75) (refused here otherwise).
        intensities: Height-integrated brightness, Rayleigh, at 4278, 5577, 6300 and 8446 Å
            (all four; the server's defaults 1000/6000/600/400 R are never used silently).
        spectral_type: ``"gaussian"`` (mean energy is the peak energy) or ``"maxwellian"``
            (mean energy = 2 x characteristic). Required (the server defaults to gaussian;
            pyucalgarysrs 1.28 requires it).
        nrlmsis_model_version: ``"2.0"`` (default) or ``"00"``.
        special_logic_keyword: A keyword from UCalgary staff for special logic (rarely used).
        no_cache: Ask the server not to answer from its cache.
        client: The connection (default: ``aurorax.atm_url``).

    Returns:
        Scalars ``energy_flux`` (erg cm⁻² s⁻¹), ``mean_energy`` (eV) and
        ``oxygen_correction_factor``.

    Raises:
        InvalidArgumentError: A bad input (nothing is sent).
        ServiceError: A subclass per failure.
    """
    body = inverse_request(
        time,
        lat,
        lon,
        intensities,
        spectral_type,
        nrlmsis_model_version=nrlmsis_model_version,
        special_logic_keyword=special_logic_keyword,
        no_cache=no_cache,
    )
    client = client or _atm_client()
    answer = client.json("POST", "api/v2/atm/inverse", body=body)
    return inverse_dataset(answer, body)


def _check_count(n: int) -> None:
    from .. import config

    limit = config.get().aurorax.max_atm_requests
    if n > limit:
        raise InvalidArgumentError(
            f"{n} points would send {n} ATM requests, more than aurorax.max_atm_requests "
            f"({limit}); use fewer points or raise the limit"
        )


def inverse_brightness(
    brightness: Mapping[int | str, xr.DataArray],
    lat: float,
    lon: float,
    spectral_type: str,
    tolerance_s: float | None = None,
    *,
    client: Client | None = None,
    **kwargs: Any,
) -> xr.Dataset:
    """Run :func:`inverse` on time series of calibrated brightness in the four bands.

    The series come from our ASI pipeline: :func:`geospacexr.asi.metrics.box_metric` of
    calibrated images (a box), or one row of a keogram, of the 427.8, 557.7, 630.0 and 844.6 nm
    imagers at the same place. The 557.7 nm series sets the times; each other band takes its
    nearest sample within ``tolerance_s``; times where a band has none (or a NaN) are dropped.
    One request per remaining time.

    Args:
        brightness: ``{4278: DataArray, 5577: ..., 6300: ..., 8446: ...}``, each along ``time``,
            in Rayleigh (``attrs["units"]``, when set, must be ``"R"``).
        lat: Geodetic latitude of the box or row, degrees (the inversion's domain: [50, 71.5)).
        lon: Geodetic longitude, degrees ([-160, -75)).
        spectral_type: ``"gaussian"`` or ``"maxwellian"`` (see :func:`inverse`).
        tolerance_s: Largest time difference between bands, s (default ``asi.time_tolerance_s``).
        client: The connection.
        **kwargs: Other :func:`inverse` keywords (``nrlmsis_model_version``...).

    Returns:
        A Dataset along ``time``: ``energy_flux`` (erg cm⁻² s⁻¹), ``mean_energy`` (eV),
        ``oxygen_correction_factor`` and the four input brightnesses ``brightness_<band>`` (R).

    Raises:
        InvalidArgumentError: A missing band, a series not in Rayleigh, no common time, or more
            times than ``aurorax.max_atm_requests``.
    """
    from .. import config

    series = {}
    for key, value in brightness.items():
        band = int(key)
        if not isinstance(value, xr.DataArray) or value.dims != ("time",):
            raise InvalidArgumentError(
                f"the {band} series must be a DataArray along time only", "brightness"
            )
        units = value.attrs.get("units")
        if units is not None and units != "R":
            raise InvalidArgumentError(
                f"the {band} series is in {units!r}, not Rayleigh: calibrate the images first",
                "brightness",
            )
        series[band] = value
    missing = [w for w in WAVELENGTHS if w not in series]
    if missing or set(series) - set(WAVELENGTHS):
        raise InvalidArgumentError(
            f"needs exactly the bands {WAVELENGTHS}; missing {missing}", "brightness"
        )
    tolerance = float(config.resolve(tolerance_s, "asi.time_tolerance_s"))
    ref = series[5577].dropna("time")
    aligned = {5577: ref}
    for band in WAVELENGTHS:
        if band == 5577:
            continue
        other = series[band].dropna("time").sortby("time")
        aligned[band] = other.reindex(
            time=ref["time"], method="nearest", tolerance=np.timedelta64(int(tolerance * 1e9), "ns")
        )
    table = xr.Dataset({f"brightness_{b}": aligned[b] for b in WAVELENGTHS}).dropna("time")
    if table.sizes["time"] == 0:
        raise InvalidArgumentError(
            f"the four bands have no time in common within {tolerance:g} s", "brightness"
        )
    _check_count(table.sizes["time"])
    client = client or _atm_client()
    results = []
    for i in range(table.sizes["time"]):
        row = table.isel(time=i)
        values = {b: float(row[f"brightness_{b}"]) for b in WAVELENGTHS}
        results.append(
            inverse(row["time"].values, lat, lon, values, spectral_type, client=client, **kwargs)
        )
    out = xr.concat(results, dim="time", combine_attrs="drop_conflicts")
    out = out.assign_coords(time=table["time"])
    for b in WAVELENGTHS:
        out[f"brightness_{b}"] = table[f"brightness_{b}"].assign_attrs(
            units="R", long_name=f"input brightness, {b / 10:g} nm"
        )
    for key in ("request", "time", *tuple(f"intensity_{w}_R" for w in WAVELENGTHS)):
        out.attrs.pop(key, None)
    out.attrs.update(
        {
            "geospacexr_kind": "atm_inverse",
            "lat": float(lat),
            "lon": float(lon),
            "spectral_type": spectral_type,
            "tolerance_s": tolerance,
        }
    )
    return out


def conductance(ds: xr.Dataset) -> xr.Dataset:
    """Height-integrated Pedersen and Hall conductances of :func:`forward` results.

    The trapezoidal integral over ``altitude`` of ``plasma_pedersen_conductivity`` and
    ``plasma_hall_conductivity`` (S m⁻¹ x m = S): over a :func:`forward_grid` result, a
    conductance map. The integral covers the altitudes the model returned (NaN profile values
    are skipped); this is geospacexr's arithmetic on the server's profiles.

    Args:
        ds: A :func:`forward` or :func:`forward_grid` Dataset with both conductivity profiles.

    Returns:
        ``pedersen_conductance`` and ``hall_conductance`` (S) on the other dimensions.

    Raises:
        InvalidArgumentError: If a profile or the altitude is missing.
    """
    need = ("plasma_pedersen_conductivity", "plasma_hall_conductivity")
    missing = [n for n in need if n not in ds]
    if missing or "altitude" not in ds.coords:
        raise InvalidArgumentError(
            f"needs {', '.join(need)} along altitude (missing: {missing or ['altitude']}); "
            "ask forward() for outputs including them",
            "ds",
        )
    metres = ds["altitude"] * 1000.0
    out = xr.Dataset()
    for name, label in zip(need, ("pedersen", "hall"), strict=True):
        profile = ds[name].fillna(0.0).assign_coords(altitude=metres)
        out[f"{label}_conductance"] = profile.integrate("altitude").assign_attrs(
            units="S", long_name=f"height-integrated {label.capitalize()} conductance"
        )
    out.attrs.update({k: v for k, v in ds.attrs.items() if k != "request"})
    out.attrs["geospacexr_kind"] = "atm_conductance"
    return out
