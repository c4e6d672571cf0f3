"""Where SuperDARN range gates are: slant range, virtual height, geographic and AACGM-v2 position.

The geometry is RST's ``RPosGeo``/``fldpnth`` as pyDARN 4 writes it (``pydarn.utils.geo`` and
``coordinates.gate2geographic_location``), vectorised over every beam, gate and record:

* **Slant range** of gate ``g`` (0-based) of a record, km:
  ``frang - rxrise * c / 2 + g * rsep`` at the gate's centre, half a gate less at its near edge
  (``c`` the speed of light, ``rxrise`` in microseconds). ``frang`` and ``rsep`` come from each
  record; ``rxrise`` from the record when it is non-zero, else from the radar's hardware file
  (RST's rule; pyDARN always takes the hardware value, ``rxrise="hardware"``).
* **Beam direction**: ``psi = beam_separation * (beam - (max_beams / 2 - 0.5)) +
  boresight_shift`` off the boresight; the edges of a beam are half a separation either side.
* **Virtual height** ``h(R)`` of the echo at slant range ``R`` (km), one of
  :data:`VIRTUAL_HEIGHT_MODELS`:

  - ``"standard"`` (RST; Chisham et al. 2008, eq. 1): ``R / 150 * 115`` below 150 km, 115 km
    to 600 km, rising linearly to ``virtual_height_km`` (default 300) at 800 km, that height
    beyond; a ``virtual_height_km`` of 150 or less is used at every range past 150 km;
  - ``"chisham"`` (Chisham et al. 2008, Ann. Geophys. 26, 823, doi:10.5194/angeo-26-823-2008):
    ``A + B R + C R^2`` with the paper's E, F and 1.5-hop coefficients (switching at 787.5 and
    2137.5 km; ``R / 115 * 112`` below 115 km), the elevation for the azimuth correction of
    1.5-hop echoes from the paper's three-segment path;
  - ``"elevation"``: the height a straight ray at elevation ``e`` reaches at slant range
    ``R``, ``sqrt(Re^2 + 2 R Re sin e + R^2) - Re`` (``Re`` = 6371 km), with ``e`` one angle
    (``elevation=``) or each gate's measured ``elv``. pyDARN's ``elv_angle`` passes this
    height through the standard model's range rules (115 km below 600 km); here it is used
    as it is, which is the same beyond 800 km.
* **Position**: the point at slant range ``R`` along the beam whose height above the WGS-84
  ellipsoid's radius is ``h`` (iterated to 0.5 km as RST does), with the azimuth corrected for
  the cone of the beam at the ray's elevation and for the Earth's flattening. Latitudes are
  **geocentric**, as RST's and pyDARN's (RST: "returned in geocentric spherical
  coordinates"); longitudes in [-180, 180].
* **AACGM-v2** (``coords="aacgm"``): the positions converted with
  :func:`geospacexr.geomagnetic.aacgm` at ``aacgm_altitude_km`` (default 300 km, pyDARN's
  fan plots use 250) on the date of the Dataset's first record.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from ..errors import InvalidArgumentError, MissingVariableError
from .hardware import HardwareRecord, Radar, radar, station_of

__all__ = [
    "COORDINATE_SYSTEMS",
    "VIRTUAL_HEIGHT_MODELS",
    "cell_positions",
    "field_of_view",
    "gate_positions",
    "slant_range",
    "virtual_height",
]

#: Speed of light, km per microsecond.
C_KM_PER_US = 299792458.0e-9
#: WGS-84 equatorial radius, km, and flattening (pyDARN's ``EARTH_EQUATORIAL_RADIUS``).
WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
#: Mean Earth radius of the elevation-to-height formula, km (pyDARN's ``Re``).
EARTH_RADIUS_KM = 6371.0
#: The iteration stops when the cell's height is within this of the model's, km (RST).
HEIGHT_TOLERANCE_KM = 0.5
#: Most iterations per cell (RST loops until converged; every real case takes a handful).
MAX_ITERATIONS = 100
#: Chisham et al. (2008) coefficients A, B, C of the E, F and 1.5-hop F segments.
CHISHAM_A = (108.974, 384.416, 1098.28)
CHISHAM_B = (0.0191271, -0.178640, -0.354557)
CHISHAM_C = (6.68283e-5, 1.81405e-4, 9.39961e-5)
#: Virtual-height models of :func:`virtual_height`.
VIRTUAL_HEIGHT_MODELS = ("standard", "chisham", "elevation")
#: Coordinate systems of :func:`gate_positions` and :func:`field_of_view`.
COORDINATE_SYSTEMS = ("geographic", "aacgm")

_B = WGS84_A_KM * (1.0 - WGS84_F)
_E2 = WGS84_A_KM**2 / _B**2 - 1.0


def _choice(value: str, allowed: tuple[str, ...], argument: str) -> str:
    if value not in allowed:
        raise InvalidArgumentError(f"must be one of {', '.join(allowed)}, not {value!r}", argument)
    return value


# -- virtual height --------------------------------------------------------------------------
def virtual_height(
    slant_range_km: Any,
    model: str = "standard",
    virtual_height_km: float | None = None,
    elevation: Any = None,
) -> np.ndarray:
    """Virtual height of echoes at given slant ranges (see the module text for the formulas).

    Args:
        slant_range_km: Slant ranges, km (any shape).
        model: ``"standard"``, ``"chisham"`` or ``"elevation"``
            (:data:`VIRTUAL_HEIGHT_MODELS`).
        virtual_height_km: F-region height of the standard model, km (default from config
            ``superdarn.virtual_height_km``: 300).
        elevation: Elevation angle(s), degrees, of the ``"elevation"`` model (broadcast
            against the slant ranges).

    Returns:
        Heights, km, the broadcast shape.

    Raises:
        InvalidArgumentError: For an unknown model, or the elevation model without angles.
    """
    _choice(model, VIRTUAL_HEIGHT_MODELS, "model")
    r = np.asarray(slant_range_km, dtype=np.float64)
    if model == "elevation":
        if elevation is None:
            raise InvalidArgumentError("the elevation model needs elevation angles", "elevation")
        sin_e = np.sin(np.deg2rad(np.asarray(elevation, dtype=np.float64)))
        return (
            np.sqrt(EARTH_RADIUS_KM**2 + 2 * r * EARTH_RADIUS_KM * sin_e + r**2) - EARTH_RADIUS_KM
        )
    if model == "chisham":
        a, b, c = (np.asarray(v) for v in (CHISHAM_A, CHISHAM_B, CHISHAM_C))
        seg = np.where(r < 787.5, 0, np.where(r <= 2137.5, 1, 2))
        h = a[seg] + b[seg] * r + c[seg] * r**2
        return np.where(r < 115.0, r / 115.0 * 112.0, h)
    top = float(config.resolve(virtual_height_km, "superdarn.virtual_height_km"))
    if top <= 150:
        return np.where(r > 150, top, r / 150.0 * 115.0)
    return np.select(
        [r < 150, r <= 600, r < 800],
        [r / 150.0 * 115.0, 115.0, (r - 600.0) / 200.0 * (top - 115.0) + 115.0],
        default=top,
    )


# -- the core: positions of cells ------------------------------------------------------------
def cell_positions(
    hardware: HardwareRecord,
    beam: Any,
    slant_range_km: Any,
    height_km: Any,
    chisham: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Geocentric latitude and longitude of cells at given beams, slant ranges and heights.

    RST's ``fldpnth`` vectorised: every cell iterates until its height above the WGS-84
    radius under it is within 0.5 km of ``height_km``.

    Args:
        hardware: The radar's hardware line (site, boresight, beams).
        beam: Beam coordinates (0-based; ``b - 0.5`` is the left edge of beam ``b``).
        slant_range_km: Slant ranges, km.
        height_km: Virtual heights, km (:func:`virtual_height`).
        chisham: Use the 1.5-hop elevation of the Chisham model beyond 2137.5 km.

    Returns:
        ``(lat, lon)`` in degrees (geocentric latitude, longitude in [-180, 180]), the
        broadcast shape of the inputs; NaN where the geometry has no solution (a height above
        the slant range).
    """
    beam, rng, height = np.broadcast_arrays(
        np.asarray(beam, dtype=np.float64),
        np.asarray(slant_range_km, dtype=np.float64),
        np.asarray(height_km, dtype=np.float64),
    )
    offset = hardware.max_beams / 2.0 - 0.5
    psi = np.deg2rad(hardware.beam_separation * (beam - offset) + hardware.boresight_shift)
    bore = np.deg2rad(hardware.boresight)
    gd_lat = np.deg2rad(hardware.lat)
    lon0 = np.deg2rad(hardware.lon)
    if lon0 > np.pi:
        lon0 -= 2 * np.pi
    lat0 = np.arctan(_B**2 / WGS84_A_KM**2 * np.tan(gd_lat))  # geocentric
    r_radar = WGS84_A_KM / np.sqrt(1 + _E2 * np.sin(lat0) ** 2)
    delta = gd_lat - lat0
    cos2_psi, sin2_psi = np.cos(psi) ** 2, np.sin(psi) ** 2
    sign = np.where(psi > 0, 1.0, -1.0)

    lat = np.full(beam.shape, np.nan)
    lon = np.full(beam.shape, np.nan)
    r_cell = np.full(beam.shape, r_radar)
    active = np.isfinite(beam) & np.isfinite(rng) & np.isfinite(height) & (rng > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        for _ in range(MAX_ITERATIONS):
            idx = np.flatnonzero(active)
            if idx.size == 0:
                break
            R, h = rng.flat[idx], height.flat[idx]
            rho = r_cell.flat[idx] + h
            rel_elv = np.arcsin((rho**2 - r_radar**2 - R**2) / (2.0 * r_radar * R))
            xelv = rel_elv
            if chisham:
                far = R > 2137.5
                gamma = np.arccos((r_radar**2 + rho**2 - R**2) / (2.0 * r_radar * rho))
                beta = np.arcsin(r_radar * np.sin(gamma / 3.0) / (R / 3.0))
                xelv = np.where(far, np.pi / 2 - beta - gamma / 3.0, rel_elv)
            est = cos2_psi.flat[idx] - np.sin(xelv) ** 2
            tan_az = np.where(est < 0, 1e32, np.sqrt(sin2_psi.flat[idx] / est))
            azimuth = sign.flat[idx] * np.arctan(tan_az) + bore
            # the azimuth in the geocentric horizon (the Earth's flattening)
            kx = np.cos(xelv) * np.sin(azimuth)
            ky = np.cos(xelv) * np.cos(azimuth) * np.cos(delta) + np.sin(xelv) * np.sin(delta)
            az = np.arctan2(kx, ky)
            c_rho, c_lat, c_lon = _field_point(lat0, lon0, r_radar, az, rel_elv, R)
            lat.flat[idx], lon.flat[idx] = c_lat, c_lon
            radius = WGS84_A_KM / np.sqrt(1 + _E2 * np.sin(c_lat) ** 2)
            r_cell.flat[idx] = radius
            done = ~(np.abs(c_rho - radius - h) > HEIGHT_TOLERANCE_KM)  # NaN ends too
            active.flat[idx[done]] = False
    return np.rad2deg(lat), np.rad2deg(lon)


def _field_point(
    lat: float, lon: float, rho: float, azimuth: np.ndarray, elv: np.ndarray, r: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The point at slant range ``r``, azimuth and elevation from a site (RST ``fldpnt``)."""
    cos_t, sin_t = np.cos(np.pi / 2 - lat), np.sin(np.pi / 2 - lat)
    cos_l, sin_l = np.cos(lon), np.sin(lon)
    rx, ry, rz = rho * sin_t * cos_l, rho * sin_t * sin_l, rho * cos_t
    sx = -r * np.cos(elv) * np.cos(azimuth)  # local south
    sy = r * np.cos(elv) * np.sin(azimuth)  # local east
    sz = r * np.sin(elv)  # up
    gx = cos_t * sx + sin_t * sz
    gz = -sin_t * sx + cos_t * sz
    x = rx + cos_l * gx - sin_l * sy
    y = ry + sin_l * gx + cos_l * sy
    z = rz + gz
    out_rho = np.sqrt(x**2 + y**2 + z**2)
    return out_rho, np.pi / 2 - np.arccos(z / out_rho), np.arctan2(y, x)


# -- slant range -----------------------------------------------------------------------------
def _record_values(ds: xr.Dataset, name: str, default: float) -> np.ndarray:
    if name in ds.variables and ds[name].dims == ("time",):
        values = np.asarray(ds[name].values, dtype=np.float64)
        return np.where(np.isfinite(values), values, default)
    return np.full(ds.sizes.get("time", 0), default, dtype=np.float64)


def _rxrise(ds: xr.Dataset, hw_rxrise: np.ndarray, rxrise: Any) -> np.ndarray:
    if rxrise is None:
        values = _record_values(ds, "rxrise", 0.0)
        return np.where(values != 0, values, hw_rxrise)
    if isinstance(rxrise, str):
        if rxrise != "hardware":
            raise InvalidArgumentError(
                f"must be None (the record's), 'hardware' or microseconds, not {rxrise!r}",
                "rxrise",
            )
        return np.asarray(hw_rxrise, dtype=np.float64)
    value = float(rxrise)
    if not np.isfinite(value):
        raise InvalidArgumentError(f"must be finite, not {rxrise!r}", "rxrise")
    return np.full(np.shape(hw_rxrise), value)


def _slant(frang: Any, rsep: Any, rxrise: Any, gate: Any) -> np.ndarray:
    """Slant range, km, of gate coordinate ``gate`` (``g - 0.5`` is the near edge of gate g)."""
    return frang - rxrise * C_KM_PER_US / 2.0 + gate * rsep


def _hardware_per_record(ds: xr.Dataset, rad: Radar) -> tuple[np.ndarray, list[HardwareRecord]]:
    """The index of each record's hardware line in ``rad.records`` (first line before it)."""
    times = ds["time"].values.astype("datetime64[s]")
    starts = np.array([r.valid_from for r in rad.records], dtype="datetime64[s]")
    which = np.searchsorted(starts, times, side="right") - 1
    good = ~np.isnat(times)
    if good.any() and (which[good] < 0).any():
        rad.at(times[good][which[good] < 0][0])  # raises the OutOfRangeError
    which = np.where(good, np.maximum(which, 0), 0)
    return which, list(rad.records)


def slant_range(ds: xr.Dataset, center: bool = True, rxrise: Any = None) -> xr.DataArray:
    """Slant range of every record's range gates, km.

    Args:
        ds: A fitacf, rawacf, iqdat or snd Dataset of one radar (``frang``, ``rsep`` on
            ``time``; 180 and 45 km where a record lacks them).
        center: Centre of each gate (default) or its near edge.
        rxrise: Receiver rise time, microseconds: ``None`` takes each record's ``rxrise``
            (the hardware file's where it is 0, RST's rule), ``"hardware"`` the hardware
            file's (pyDARN's choice), or a number.

    Returns:
        ``(time, range_gate)`` slant ranges, km.
    """
    require(ds, "superdarn", ["range_gate"], where="slant_range")
    rad = radar(station_of(ds))
    which, records = _hardware_per_record(ds, rad)
    hw_rx = np.array([r.rx_rise_time for r in records])[which]
    gates = ds["range_gate"].values.astype(np.float64) - (0.0 if center else 0.5)
    frang = _record_values(ds, "frang", 180.0)[:, None]
    rsep = _record_values(ds, "rsep", 45.0)[:, None]
    rx = _rxrise(ds, hw_rx, rxrise)[:, None]
    out = xr.DataArray(
        _slant(frang, rsep, rx, gates[None, :]),
        dims=("time", "range_gate"),
        coords={"time": ds["time"], "range_gate": ds["range_gate"]},
        name="slant_range",
        attrs={"units": "km", "long_name": "slant range"},
    )
    return out


# -- per-record positions --------------------------------------------------------------------
def gate_positions(
    ds: xr.Dataset,
    coords: str = "geographic",
    model: str = "standard",
    virtual_height_km: float | None = None,
    elevation: float | None = None,
    center: bool = True,
    rxrise: Any = None,
    aacgm_altitude_km: float | None = None,
) -> xr.Dataset:
    """Position of every record's range gates (on the record's beam ``bmnum``).

    Args:
        ds: A fitacf, rawacf, iqdat or snd Dataset of one radar.
        coords: ``"geographic"`` (``lat``, ``lon``) or ``"aacgm"`` (also ``mlat``, ``mlon``).
        model: Virtual-height model: ``"standard"``, ``"chisham"`` or ``"elevation"``.
        virtual_height_km: F-region height of the standard model, km (default from config
            ``superdarn.virtual_height_km``: 300).
        elevation: Elevation angle, degrees, of the ``"elevation"`` model; ``None`` takes
            each gate's measured ``elv`` (gates without one get NaN positions).
        center: Centre of each gate's beam and range (default) or its near-left corner.
        rxrise: Receiver rise time: ``None`` (each record's, else the hardware's),
            ``"hardware"`` or microseconds (:func:`slant_range`).
        aacgm_altitude_km: Altitude of the AACGM-v2 conversion, km (default from config
            ``superdarn.aacgm_altitude_km``: 300).

    Returns:
        A Dataset on ``(time, range_gate)`` with ``lat``, ``lon`` (geocentric, degrees),
        ``slant_range`` and ``virtual_height`` (km) and, for ``"aacgm"``, ``mlat`` and
        ``mlon``; ``attrs["geospacexr_kind"] == "superdarn"``.

    Raises:
        MissingVariableError: Without ``bmnum``, or without ``elv`` for the measured
            elevations.
        UnknownNameError: If the station is not a known radar.
    """
    _choice(coords, COORDINATE_SYSTEMS, "coords")
    _choice(model, VIRTUAL_HEIGHT_MODELS, "model")
    require(ds, "superdarn", ["bmnum", "range_gate"], where="gate_positions")
    srange = slant_range(ds, center=center, rxrise=rxrise)
    rad = radar(station_of(ds))
    which, records = _hardware_per_record(ds, rad)
    beam = np.asarray(ds["bmnum"].values, dtype=np.float64) - (0.0 if center else 0.5)
    angles: Any = elevation
    if model == "elevation" and elevation is None:
        if "elv" not in ds.variables:
            raise MissingVariableError(
                "gate_positions(model='elevation') without elevation= needs the measured "
                "elevations elv, which this Dataset lacks (pass elevation=<degrees>)"
            )
        angles = np.asarray(ds["elv"].transpose("time", "range_gate").values, np.float64)
    height = virtual_height(srange.values, model, virtual_height_km, angles)
    lat = np.full(srange.shape, np.nan)
    lon = np.full(srange.shape, np.nan)
    for k in np.unique(which):
        rows = which == k
        lat[rows], lon[rows] = cell_positions(
            records[k],
            beam[rows, None],
            srange.values[rows],
            height[rows] if np.ndim(height) == 2 else height,
            chisham=model == "chisham",
        )
    dims = ("time", "range_gate")
    out = xr.Dataset(
        {
            "lat": (dims, lat, {"units": "degrees_north", "long_name": "geocentric latitude"}),
            "lon": (dims, lon, {"units": "degrees_east", "long_name": "longitude"}),
            "slant_range": srange.variable,
            "virtual_height": (
                dims,
                np.broadcast_to(height, srange.shape).copy(),
                {"units": "km", "long_name": f"virtual height ({model} model)"},
            ),
        },
        coords={"time": ds["time"], "range_gate": ds["range_gate"]},
        attrs=_attrs(ds, rad, model, center),
    )
    if coords == "aacgm":
        _add_aacgm(out, ds["time"].values, aacgm_altitude_km)
    return out


def _attrs(ds: xr.Dataset | None, rad: Radar, model: str, center: bool) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "geospacexr_kind": "superdarn",
        "superdarn_type": "geometry",
        "station_id": rad.station_id,
        "radar": rad.abbreviation,
        "radar_name": rad.name,
        "hemisphere": rad.hemisphere,
        "virtual_height_model": model,
        "position": "centre" if center else "near-left corner",
        "latitude": "geocentric (RST and pyDARN convention)",
    }
    if ds is not None and "source_files" in ds.attrs:
        attrs["source_files"] = ds.attrs["source_files"]
    return attrs


def _add_aacgm(out: xr.Dataset, times: np.ndarray, altitude_km: float | None) -> None:
    from ..geomagnetic import aacgm

    altitude = float(config.resolve(altitude_km, "superdarn.aacgm_altitude_km"))
    good = times[~np.isnat(times)]
    if good.size == 0:
        raise InvalidArgumentError("no record has a time for the AACGM-v2 date", "coords")
    date = good.min()
    for name, suffix in (("", ""), ("_corner", "_corner")):
        if "lat" + name not in out:
            continue
        lat, lon = out["lat" + name].values, out["lon" + name].values
        # records repeat the same cells (one beam's gates): convert each distinct point once
        points = np.column_stack([lat.ravel(), lon.ravel()])
        finite = np.isfinite(points).all(axis=1)
        mlat, mlon = np.full(lat.size, np.nan), np.full(lat.size, np.nan)
        if finite.any():
            unique, inverse = np.unique(points[finite], axis=0, return_inverse=True)
            u_lat, u_lon = aacgm(unique[:, 0], unique[:, 1], altitude, date)
            mlat[finite], mlon[finite] = u_lat[inverse.ravel()], u_lon[inverse.ravel()]
        mlat, mlon = mlat.reshape(lat.shape), mlon.reshape(lat.shape)
        dims = out["lat" + name].dims
        out["mlat" + suffix] = (dims, mlat, {"units": "degrees", "long_name": "AACGM-v2 latitude"})
        out["mlon" + suffix] = (
            dims,
            mlon,
            {"units": "degrees", "long_name": "AACGM-v2 longitude"},
        )
    out.attrs["aacgm_altitude_km"] = altitude
    out.attrs["aacgm_date"] = str(np.datetime_as_string(date, unit="s"))


# -- the field of view -----------------------------------------------------------------------
def field_of_view(
    source: xr.Dataset | int | str,
    time: Any = None,
    coords: str = "geographic",
    model: str = "standard",
    virtual_height_km: float | None = None,
    elevation: float | None = None,
    frang: float | None = None,
    rsep: float | None = None,
    rxrise: Any = None,
    n_gates: int | None = None,
    aacgm_altitude_km: float | None = None,
) -> xr.Dataset:
    """Centres and corners of every beam and gate of a radar: the cells of a fan plot.

    Args:
        source: A Dataset of one radar (its station, and ``frang``, ``rsep``, ``rxrise``,
            ``nrang`` of the record at ``time``), or a station id or abbreviation.
        time: The time (default: the Dataset's first record; for a radar, its latest
            hardware).
        coords: ``"geographic"`` or ``"aacgm"`` (adds ``mlat``, ``mlon`` and their corners).
        model: Virtual-height model (:data:`VIRTUAL_HEIGHT_MODELS`).
        virtual_height_km: F-region height of the standard model, km (default from config
            ``superdarn.virtual_height_km``: 300).
        elevation: Elevation angle, degrees, of the ``"elevation"`` model.
        frang: Distance to the first gate, km (default: the record's, else 180).
        rsep: Gate length, km (default: the record's, else 45).
        rxrise: Receiver rise time (None: the record's, else the hardware's; ``"hardware"``;
            or microseconds).
        n_gates: Number of gates (default: the Dataset's ``range_gate`` size, else the
            hardware's largest).
        aacgm_altitude_km: Altitude of the AACGM-v2 conversion, km (default from config
            ``superdarn.aacgm_altitude_km``: 300).

    Returns:
        A Dataset with ``lat``, ``lon``, ``slant_range``, ``virtual_height`` on
        ``(beam, range_gate)`` (cell centres) and ``lat_corner``, ``lon_corner`` on
        ``(beam_corner, gate_corner)`` (``n + 1`` edges each: corner ``(i, j)`` is the
        near-left corner of cell ``(i, j)``), plus ``mlat``/``mlon`` for ``"aacgm"``.

    Raises:
        InvalidArgumentError: For the elevation model without ``elevation``, or a bad
            argument.
    """
    _choice(coords, COORDINATE_SYSTEMS, "coords")
    _choice(model, VIRTUAL_HEIGHT_MODELS, "model")
    ds = None
    if isinstance(source, xr.Dataset):
        ds = require(source, "superdarn", where="field_of_view")
        rad = radar(station_of(ds))
        times = ds["time"].values
        if time is None:
            good = np.flatnonzero(~np.isnat(times))
            i = int(good[0]) if good.size else 0
        else:
            i = int(np.argmin(np.abs(times - np.datetime64(time, "ns"))))
        when = times[i]
        record = ds.isel(time=[i])
        hw = rad.at(when)
        frang = float(_record_values(record, "frang", 180.0)[0]) if frang is None else frang
        rsep = float(_record_values(record, "rsep", 45.0)[0]) if rsep is None else rsep
        rx = float(_rxrise(record, np.array([hw.rx_rise_time]), rxrise)[0])
        if n_gates is None:
            n_gates = int(ds.sizes.get("range_gate", hw.max_gates))
    else:
        rad = radar(source)
        hw = rad.at(time)
        when = np.datetime64(time, "ns") if time is not None else None
        frang = 180.0 if frang is None else float(frang)
        rsep = 45.0 if rsep is None else float(rsep)
        rx_rule = "hardware" if rxrise is None else rxrise  # no record: the hardware's
        rx = float(_rxrise(xr.Dataset(), np.array([hw.rx_rise_time]), rx_rule)[0])
        n_gates = hw.max_gates if n_gates is None else n_gates
    if int(n_gates) < 1:
        raise InvalidArgumentError(f"must be at least 1, not {n_gates}", "n_gates")
    n_gates, n_beams = int(n_gates), hw.max_beams
    beams = np.arange(n_beams, dtype=np.float64)
    gates = np.arange(n_gates, dtype=np.float64)
    out = xr.Dataset(
        coords={
            "beam": beams.astype(np.int32),
            "range_gate": gates.astype(np.int32),
            "beam_corner": np.arange(n_beams + 1, dtype=np.int32),
            "gate_corner": np.arange(n_gates + 1, dtype=np.int32),
        },
        attrs=_attrs(ds, rad, model, True),
    )
    for suffix, b, g in (("", beams, gates), ("_corner", np.arange(n_beams + 1) - 0.5, None)):
        gg = gates if g is not None else np.arange(n_gates + 1) - 0.5
        r = np.broadcast_to(_slant(frang, rsep, rx, gg)[None, :], (b.size, gg.size))
        h = virtual_height(r, model, virtual_height_km, elevation)
        lat, lon = cell_positions(hw, b[:, None], r, h, chisham=model == "chisham")
        dims = ("beam", "range_gate") if suffix == "" else ("beam_corner", "gate_corner")
        out["lat" + suffix] = (dims, lat, {"units": "degrees_north", "long_name": "latitude"})
        out["lon" + suffix] = (dims, lon, {"units": "degrees_east", "long_name": "longitude"})
        if suffix == "":
            out["slant_range"] = (dims, r.copy(), {"units": "km", "long_name": "slant range"})
            out["virtual_height"] = (
                dims,
                np.broadcast_to(h, r.shape).copy(),
                {"units": "km", "long_name": f"virtual height ({model} model)"},
            )
    out.attrs.update(
        frang_km=float(frang),
        rsep_km=float(rsep),
        rxrise_us=rx,
        hardware=json.dumps(hw.as_dict()),
    )
    if when is not None:
        out.attrs["time"] = str(np.datetime_as_string(np.datetime64(when, "s"), unit="s"))
    if coords == "aacgm":
        date = np.datetime64(when, "ns") if when is not None else np.datetime64(hw.valid_from)
        _add_aacgm(out, np.array([date], dtype="datetime64[ns]"), aacgm_altitude_km)
    return out
