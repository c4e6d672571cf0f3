"""Geophysical coordinate frames: GEO, GEI, GSE, GSM, SM and MAG.

The definitions are those of Hapgood (1992) and of Tsyganenko's GEOPACK (``RECALC`` and the
``GEOGSM``, ``GSMGSE``, ``SMGSM``, ``GEOMAG``, ``MAGSM``, ``GEIGEO`` routines), with the dipole
axis of the IGRF-14 dipole terms of the date (:func:`geospacexr.rb.igrf.dipole_coefficients`):

* **GEI** - geocentric equatorial inertial *of date*: z along the Earth's rotation axis (mean
  equator of date), x toward the mean vernal equinox of date. Nutation is ignored, as in
  GEOPACK; this is not J2000 (the two differ by precession, about 0.014 degree per year from
  2000).
* **GEO** - geographic: z the rotation axis, x toward the Greenwich meridian; GEI rotated about
  z by the Greenwich mean sidereal time.
* **MAG** - geomagnetic: z along the northern dipole axis ``(-g11, -h11, -g10)/|...|`` (GEO
  components), y perpendicular to z and the geographic axis (``z_GEO x z_MAG``), x completes.
* **GSE** - geocentric solar ecliptic: x toward the Sun, z the ecliptic north pole.
* **GSM** - geocentric solar magnetospheric: x toward the Sun, z the projection of the northern
  dipole axis on the plane perpendicular to x (y along ``dipole x sun``).
* **SM** - solar magnetic: z the northern dipole axis, y as GSM's y.

The dipole tilt ``ps`` is the angle between the dipole axis and the GSM z axis, positive when the
northern dipole pole leans toward the Sun: ``sin(ps) = dipole . sun``.

Solar ephemeris: the low-precision formulas of the Astronomical Almanac as given by the US Naval
Observatory ("Approximate solar coordinates", "Computing Greenwich apparent sidereal time")
and used by GEOPACK-2008's ``SUN_08``/Python ``geopack.sun``: with ``D`` days from
2000-01-01T12:00 UT, mean anomaly ``g = 357.529 + 0.98560028 D``, mean longitude
``q = 280.459 + 0.98564736 D``, ecliptic longitude ``L = q + 1.915 sin g + 0.020 sin 2g``, mean
obliquity ``e = 23.439 - 0.00000036 D`` (degrees) and GMST ``= 18.697374558 + 24.06570982441908
D`` hours. Good to about 0.01 degree (1 arcmin) between 1900 and 2100, which is also the accuracy
of GEOPACK's frames.

Rotations are returned as 3 x 3 matrices with ``v_to = R @ v_from``.

References:
    Hapgood, M. A. (1992). Space physics coordinate transformations: a user guide. Planet.
    Space Sci., 40(5), 711-717, doi:10.1016/0032-0633(92)90012-D.

    Tsyganenko, N. A. GEOPACK-2008 (Fortran library, RECALC_08 and the transformation
    routines); Python port ``geopack`` by S. Tian.

    U.S. Naval Observatory (2015). Approximate solar coordinates; Computing Greenwich apparent
    sidereal time. https://aa.usno.navy.mil/faq/ (formulas from the Astronomical Almanac).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from .._caches import register_cache
from ..errors import InvalidArgumentError
from .igrf import dipole_coefficients, to_datetime64

__all__ = ["FRAMES", "dipole_tilt", "frame_name", "rotation", "transform"]

#: The frames this module knows, in its canonical spelling.
FRAMES: tuple[str, ...] = ("GEO", "GEI", "GSE", "GSM", "SM", "MAG")

_J2000 = np.datetime64("2000-01-01T12:00", "ns")


def frame_name(name: object, argument: str = "frame") -> str:
    """Return the canonical (upper-case) name of a frame.

    Args:
        name: A frame name, any case (``"gsm"``, ``"GSM"``).
        argument: The argument name used in error messages.

    Returns:
        One of :data:`FRAMES`.

    Raises:
        InvalidArgumentError: If the name is not a known frame (the message lists them).
    """
    key = name.strip().upper() if isinstance(name, str) else None
    if key not in FRAMES:
        raise InvalidArgumentError(
            f"unknown frame {name!r}; valid frames: {', '.join(FRAMES)}", argument=argument
        )
    return key


def _sun(days: float) -> tuple[float, float, float]:
    """GMST, Sun's ecliptic longitude and mean obliquity (radians) ``days`` from J2000.0 UT.

    USNO / Astronomical Almanac low-precision formulas, as in GEOPACK's ``SUN_08``.
    """
    g = math.radians((357.529 + 0.98560028 * days) % 360.0)
    q = (280.459 + 0.98564736 * days) % 360.0
    ecliptic_longitude = math.radians(q + 1.915 * math.sin(g) + 0.020 * math.sin(2.0 * g))
    obliquity = math.radians(23.439 - 3.6e-7 * days)
    gmst = math.radians(((18.697374558 + 24.06570982441908 * days) % 24.0) * 15.0)
    return gmst, ecliptic_longitude, obliquity


def _unit(v: np.ndarray) -> np.ndarray:
    return v / math.sqrt(float(v @ v))


@lru_cache(maxsize=256)
def _axes(time_ns: int) -> dict[str, np.ndarray]:
    """For each frame, the matrix whose rows are its unit axes in GEI (``v_f = A_f @ v_gei``)."""
    t = np.datetime64(time_ns, "ns")
    days = float((t - _J2000) / np.timedelta64(1, "D"))
    gmst, lam, eps = _sun(days)
    cg, sg = math.cos(gmst), math.sin(gmst)
    geo = np.array([[cg, sg, 0.0], [-sg, cg, 0.0], [0.0, 0.0, 1.0]])
    sun = np.array([math.cos(lam), math.cos(eps) * math.sin(lam), math.sin(eps) * math.sin(lam)])
    ecliptic_pole = np.array([0.0, -math.sin(eps), math.cos(eps)])
    g10, g11, h11 = dipole_coefficients(t)
    dipole_geo = _unit(np.array([-g11, -h11, -g10]))
    dipole = geo.T @ dipole_geo  # in GEI
    # MAG: y along z_GEO x dipole
    y_mag = _unit(np.cross(geo[2], dipole))
    mag = np.array([np.cross(y_mag, dipole), y_mag, dipole])
    gse = np.array([sun, np.cross(ecliptic_pole, sun), ecliptic_pole])
    y_gsm = _unit(np.cross(dipole, sun))
    gsm = np.array([sun, y_gsm, np.cross(sun, y_gsm)])
    sm = np.array([np.cross(y_gsm, dipole), y_gsm, dipole])
    axes = {"GEI": np.eye(3), "GEO": geo, "MAG": mag, "GSE": gse, "GSM": gsm, "SM": sm}
    for matrix in axes.values():
        matrix.setflags(write=False)
    return axes


register_cache(
    "rb.frames._axes",
    _axes.cache_clear,
    lambda: _axes.cache_info().currsize,
    limit=lambda: 256,
    description="frame rotation axes by time",
)


def _time_key(time: object) -> int:
    return int(to_datetime64(time, "time").astype(np.int64))


def dipole_tilt(time: object = None) -> float:
    """The dipole tilt angle ``ps`` (radians), GEOPACK's convention.

    ``sin(ps)`` is the projection of the northern IGRF dipole axis on the Earth-Sun line, so
    ``ps > 0`` when the northern magnetic pole leans toward the Sun (northern summer); as
    returned by GEOPACK's ``RECALC`` (Tsyganenko; Hapgood 1992).

    Args:
        time: The instant (``numpy.datetime64``, ISO string or ``datetime``), 1900-2030; ``None``
            gives 0.0 (an untilted dipole).

    Returns:
        The tilt in radians.

    Raises:
        InvalidArgumentError: If the time is invalid or outside 1900-2030 (``argument="time"``).
    """
    if time is None:
        return 0.0
    axes = _axes(_time_key(time))
    return math.asin(max(-1.0, min(1.0, float(axes["SM"][2] @ axes["GSM"][0]))))


def rotation(from_frame: str, to_frame: str, time: object) -> np.ndarray:
    """The rotation matrix between two frames at a time.

    Frames as defined by Hapgood (1992) and GEOPACK (module documentation).

    Args:
        from_frame: The frame of the input vectors, one of :data:`FRAMES` (any case).
        to_frame: The frame of the output vectors.
        time: The instant (``numpy.datetime64``, ISO string or ``datetime``), 1900-2030 (the
            dipole axis comes from IGRF-14).

    Returns:
        A new ``(3, 3)`` orthonormal matrix ``R`` with ``v_to = R @ v_from``.

    Raises:
        InvalidArgumentError: For an unknown frame (``argument="from_frame"`` / ``"to_frame"``)
            or an invalid time (``"time"``).
    """
    source = frame_name(from_frame, "from_frame")
    target = frame_name(to_frame, "to_frame")
    axes = _axes(_time_key(time))
    if source == target:
        return np.eye(3)
    return axes[target] @ axes[source].T


def transform(
    x: np.ndarray | float,
    y: np.ndarray | float,
    z: np.ndarray | float,
    from_frame: str,
    to_frame: str,
    time: object,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rotate vectors (positions or fields) from one frame to another.

    All frames share the Earth's centre, so positions and vectors transform alike (Hapgood 1992).

    Args:
        x: x components in ``from_frame``; any shape, broadcast with ``y`` and ``z``.
        y: y components.
        z: z components.
        from_frame: The input frame, one of :data:`FRAMES` (any case).
        to_frame: The output frame.
        time: The instant, 1900-2030 (see :func:`rotation`).

    Returns:
        ``(x, y, z)`` in ``to_frame``, float64 arrays of the broadcast shape.

    Raises:
        InvalidArgumentError: For an unknown frame or an invalid time.
    """
    r = rotation(from_frame, to_frame, time)
    xb, yb, zb = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
        np.asarray(z, dtype=np.float64),
    )
    return (
        r[0, 0] * xb + r[0, 1] * yb + r[0, 2] * zb,
        r[1, 0] * xb + r[1, 1] * yb + r[1, 2] * zb,
        r[2, 0] * xb + r[2, 1] * yb + r[2, 2] * zb,
    )
