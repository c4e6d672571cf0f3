r"""The International Geomagnetic Reference Field, 14th generation (IGRF-14).

The internal (main) field of the Earth as the gradient of a scalar potential,

.. math::

    V(r, \theta, \phi) = a \sum_{n=1}^{N} \left(\frac{a}{r}\right)^{n+1}
        \sum_{m=0}^{n} \left(g_n^m \cos m\phi + h_n^m \sin m\phi\right) P_n^m(\cos\theta),
    \qquad \mathbf{B} = -\nabla V,

with the Schmidt semi-normalised associated Legendre functions :math:`P_n^m`, the reference
radius :math:`a` = 6371.2 km (1 Re here) and the Gauss coefficients :math:`g_n^m, h_n^m` of the
official IGRF-14 table (Alken et al., 2025; IAGA Division V-MOD), shipped unmodified as
``geospacexr/data/igrf14coeffs.txt`` (checked against its SHA-256 on first use).

Time dependence (as in the IAGA synthesis programs and in GEOPACK):

* between two 5-year epochs the coefficients vary linearly *in time*: at an instant ``t`` between
  the epochs ``T0`` and ``T1`` (1 January, 00:00 UT of the epoch years) the weight of ``T1`` is
  ``(t - T0) / (T1 - T0)``;
* after the last main-field epoch (2025.0) the secular variation extends the 2025 coefficients
  linearly, reaching ``g(2025) + 5 * SV`` on 2030-01-01, the end of validity;
* a float time is a decimal year ``Y``: the instant ``floor(Y)``-01-01 plus ``Y - floor(Y)``
  times the length of that year (365 or 366 days), so ``2024.5`` is 2024-07-02T00:00.

Coefficient packing (the order of the rows of the official table and of the ``gh`` array of the
IAGA Fortran synthesis ``igrf14syn``): for n = 1 ... 13, ``g(n,0)``, then for m = 1 ... n
``g(n,m), h(n,m)``; so ``g(n,0)`` is at index ``n*n - 1``, ``g(n,m)`` at ``n*n - 2 + 2*m`` and
``h(n,m)`` at ``n*n - 1 + 2*m``, 195 numbers in all for ``NMAX = 13`` (up to 1995 the table
stops at degree 10 and carries zeros beyond).

The kernel :func:`igrf_geo` evaluates the sums with the standard recursions for the Schmidt
functions (Langel 1987; Winch et al. 2005) and for ``cos/sin(m phi)``, carrying
``P_n^m / sin(theta)`` for m >= 1 so that the azimuthal component needs no division by
``sin(theta)``: it is exact on and near the polar axis.

References:
    Alken, P., et al. (2025). International Geomagnetic Reference
    Field: the fourteenth generation. IAGA Division V, Working Group V-MOD,
    https://www.ncei.noaa.gov/products/international-geomagnetic-reference-field
    (coefficients: doi:10.5281/zenodo.14012302).

    Langel, R. A. (1987). The main field. In J. A. Jacobs (Ed.), Geomagnetism, vol. 1,
    pp. 249-512. Academic Press.

    Winch, D. E., Ivers, D. J., Turner, J. P. R., & Stening, R. J. (2005). Geomagnetism and
    Schmidt quasi-normalization. Geophys. J. Int., 160, 487-504,
    doi:10.1111/j.1365-246X.2004.02472.x.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
from functools import cache
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from .._caches import register_cache
from ..errors import FileFormatError, InvalidArgumentError
from ..resources import data_file

__all__ = [
    "COEFFICIENT_FILE",
    "NCOEFF",
    "NMAX",
    "VALID_FROM",
    "VALID_UNTIL",
    "IGRFCoefficients",
    "coefficients",
    "dipole_coefficients",
    "igrf_field",
    "igrf_geo",
    "load_coefficients",
    "packed_index",
    "to_datetime64",
]

#: Maximum spherical-harmonic degree of IGRF-14.
NMAX = 13
#: Number of packed Gauss coefficients for degree ``NMAX`` (``NMAX * (NMAX + 2)``).
NCOEFF = NMAX * (NMAX + 2)
#: Name of the shipped coefficient table (see :func:`geospacexr.resources.data_file`).
COEFFICIENT_FILE = "igrf14coeffs.txt"
#: First instant covered by IGRF-14.
VALID_FROM = np.datetime64("1900-01-01T00:00", "ns")
#: Last instant covered by IGRF-14 (end of the 2025-2030 secular variation).
VALID_UNTIL = np.datetime64("2030-01-01T00:00", "ns")

_UNIX_EPOCH = np.datetime64("1970-01-01T00:00", "ns")


class IGRFCoefficients(NamedTuple):
    """The parsed IGRF-14 table (read-only arrays).

    Attributes:
        epochs: The main-field epochs, integer years 1900, 1905, ..., 2025.
        gh: ``(len(epochs), 195)`` packed Schmidt semi-normalised coefficients, nT.
        sv: ``(195,)`` secular variation after the last epoch, nT/year.
    """

    epochs: np.ndarray
    gh: np.ndarray
    sv: np.ndarray


def packed_index(kind: str, n: int, m: int) -> int:
    """Index of ``g(n, m)`` (``kind="g"``) or ``h(n, m)`` (``kind="h"``) in a packed ``gh``.

    Args:
        kind: ``"g"`` or ``"h"``.
        n: Degree, 1 or more.
        m: Order, ``0 <= m <= n`` (``m >= 1`` for ``h``).

    Returns:
        The position in the IAGA packing (the row order of the official table).

    Raises:
        InvalidArgumentError: For a degree/order pair that has no coefficient.
    """
    if n < 1 or not 0 <= m <= n or kind not in ("g", "h") or (kind == "h" and m == 0):
        raise InvalidArgumentError(f"no IGRF coefficient {kind}({n},{m})", argument="kind")
    if m == 0:
        return n * n - 1
    return n * n - 2 + 2 * m + (1 if kind == "h" else 0)


@cache
def load_coefficients() -> IGRFCoefficients:
    """Read the shipped IGRF-14 coefficient table (once; later calls return the same arrays).

    The file is the official table of IAGA Division V-MOD (Alken et al., 2025): two comment
    lines, a ``c/s deg ord`` line, a ``g/h n m 1900.0 ... 2025.0 2025-30`` line naming the
    epochs and the secular-variation column, then one row per coefficient.

    Returns:
        The epochs, the packed coefficients of each epoch and the secular variation.

    Raises:
        FileFormatError: If the file is missing, altered or not laid out as expected.
    """
    path = data_file(COEFFICIENT_FILE)
    epochs: list[int] | None = None
    rows: dict[int, list[float]] = {}
    for number, line in enumerate(path.read_text(encoding="ascii").splitlines(), start=1):
        fields = line.split()
        if not fields or line.startswith("#") or fields[0] == "c/s":
            continue
        if fields[0] == "g/h":
            if fields[-1] != "2025-30":
                raise FileFormatError(f"line {number}: no 2025-30 secular variation", path=path)
            epochs = [int(float(v)) for v in fields[3:-1]]
            continue
        if fields[0] not in ("g", "h") or epochs is None:
            raise FileFormatError(f"line {number}: unexpected {line[:30]!r}", path=path)
        n, m = int(fields[1]), int(fields[2])
        values = [float(v) for v in fields[3:]]
        if len(values) != len(epochs) + 1:
            raise FileFormatError(f"line {number}: {len(values)} values", path=path)
        rows[packed_index(fields[0], n, m)] = values
    if (
        epochs is None
        or epochs != list(range(1900, 2030, 5))
        or sorted(rows) != list(range(NCOEFF))
    ):
        raise FileFormatError("not the IGRF-14 table (epochs 1900-2025, degree 13)", path=path)
    table = np.array([rows[i] for i in range(NCOEFF)], dtype=np.float64).T
    gh = np.ascontiguousarray(table[:-1])
    sv = np.ascontiguousarray(table[-1])
    epoch_array = np.array(epochs, dtype=np.int64)
    for array in (epoch_array, gh, sv):
        array.setflags(write=False)
    return IGRFCoefficients(epoch_array, gh, sv)


register_cache(
    "rb.igrf.load_coefficients",
    load_coefficients.cache_clear,
    lambda: load_coefficients.cache_info().currsize,
    limit=lambda: 1,
    description="the shipped IGRF-14 coefficient table",
)


def to_datetime64(time: object, argument: str = "time") -> np.datetime64:
    """Convert a time to a ``numpy.datetime64[ns]`` instant (UT).

    The one time converter of :mod:`geospacexr.rb.igrf` and :mod:`geospacexr.rb.frames`.

    Args:
        time: A ``numpy.datetime64``, an ISO 8601 string (a trailing ``Z`` is allowed), a
            ``datetime.datetime`` / ``datetime.date`` / ``pandas.Timestamp`` (time-zone aware
            values are converted to UT) or a number, read as a decimal year (``2024.5`` is
            2024-07-02T00:00: the fraction is of the length of that year).
        argument: The argument name used in error messages.

    Returns:
        The instant as a scalar ``numpy.datetime64`` with nanosecond unit.

    Raises:
        InvalidArgumentError: If ``time`` is missing, not a single time, NaT or unparsable.
    """
    value = time
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise InvalidArgumentError(
                f"expected one time, got an array of shape {value.shape}", argument=argument
            )
        value = value[()]
    try:
        result = _parse_time(value)
    except (ValueError, TypeError, OverflowError):
        result = None
    if result is None:
        raise InvalidArgumentError(
            f"expected a time (numpy.datetime64, ISO string, datetime or decimal year), "
            f"got {time!r}",
            argument=argument,
        )
    if np.isnat(result):
        raise InvalidArgumentError("the time is NaT", argument=argument)
    return result


def _parse_time(value: object) -> np.datetime64 | None:
    """The instant of a scalar time value, or None when it is not a time (see to_datetime64)."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Real) and not isinstance(value, np.timedelta64):
        year_float = float(value)
        if not math.isfinite(year_float) or not 1.0 <= year_float < 10000.0:
            return None
        year = math.floor(year_float)
        start = np.datetime64(f"{year:04d}-01-01", "ns")
        length = np.datetime64(f"{year + 1:04d}-01-01", "ns") - start
        offset = np.timedelta64(round((year_float - year) * length.astype(np.int64)), "ns")
        return start + offset
    if hasattr(value, "to_datetime64") and not isinstance(value, np.datetime64):
        if getattr(value, "tzinfo", None) is not None:
            value = value.tz_convert("UTC").tz_localize(None)
        value = value.to_datetime64()
    elif isinstance(value, _dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(_dt.UTC).replace(tzinfo=None)
    elif isinstance(value, str):
        value = value.strip()
        if value[-1:] in ("Z", "z"):
            value = value[:-1]
    elif not isinstance(value, (np.datetime64, _dt.date)):
        return None
    return np.datetime64(value, "ns")


def _epoch(year: int) -> np.datetime64:
    return np.datetime64(f"{year:04d}-01-01", "ns")


def coefficients(time: object) -> np.ndarray:
    """Packed IGRF-14 Gauss coefficients at a time.

    Linear interpolation in time between the 5-year epochs, and the 2025-2030 secular variation
    after 2025.0, as in the IAGA synthesis programs (Alken et al., 2025) and in GEOPACK
    (Tsyganenko's ``RECALC``): see the module documentation.

    Args:
        time: The instant (``numpy.datetime64``, ISO string, ``datetime`` or decimal year), UT,
            between 1900-01-01 and 2030-01-01 inclusive.

    Returns:
        A new float64 array of the 195 Schmidt semi-normalised coefficients (nT) in the IAGA
        packing: ``g(1,0), g(1,1), h(1,1), g(2,0), g(2,1), h(2,1), g(2,2), h(2,2), ...``.

    Raises:
        InvalidArgumentError: If the time is not a time or lies outside 1900-2030
            (``argument="time"``).
    """
    t = to_datetime64(time, "time")
    if not VALID_FROM <= t <= VALID_UNTIL:
        raise InvalidArgumentError(
            f"IGRF-14 covers 1900-01-01 to 2030-01-01, not {t.astype('datetime64[s]')}",
            argument="time",
        )
    table = load_coefficients()
    year = int(t.astype("datetime64[Y]").astype(np.int64)) + 1970
    index = min((year - int(table.epochs[0])) // 5, len(table.epochs) - 1)
    epoch = int(table.epochs[index])
    t0, t1 = _epoch(epoch), _epoch(epoch + 5)
    weight = float((t - t0) / (t1 - t0))
    if index == len(table.epochs) - 1:
        return table.gh[index] + (5.0 * weight) * table.sv
    return (1.0 - weight) * table.gh[index] + weight * table.gh[index + 1]


def dipole_coefficients(time: object) -> tuple[float, float, float]:
    """The degree-1 (dipole) IGRF-14 coefficients at a time.

    Args:
        time: The instant (see :func:`coefficients`).

    Returns:
        ``(g10, g11, h11)`` in nT (Alken et al., 2025); ``g10 < 0`` for the present field.

    Raises:
        InvalidArgumentError: If the time is invalid or outside 1900-2030.
    """
    gh = coefficients(time)
    return float(gh[0]), float(gh[1]), float(gh[2])


def _recursion_tables(nmax: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Constants of the Schmidt semi-normalised Legendre recursions (Winch et al. 2005).

    ``P(n,m) = A[n,m] cos(theta) P(n-1,m) - B[n,m] P(n-2,m)`` for ``n > m`` and
    ``P(m,m) = D[m] sin(theta) P(m-1,m-1)``.
    """
    a = np.zeros((nmax + 1, nmax + 1))
    b = np.zeros((nmax + 1, nmax + 1))
    d = np.ones(nmax + 1)
    for m in range(nmax + 1):
        if m >= 2:
            d[m] = math.sqrt((2.0 * m - 1.0) / (2.0 * m))
        for n in range(m + 1, nmax + 1):
            norm = math.sqrt(float((n - m) * (n + m)))
            a[n, m] = (2.0 * n - 1.0) / norm
            b[n, m] = math.sqrt(float((n - 1 - m) * (n - 1 + m))) / norm
    return a, b, d


_REC_A, _REC_B, _REC_D = _recursion_tables(NMAX)


@njit(cache=True, nogil=True, error_model="numpy")
def igrf_geo(gh, nmax, x, y, z):
    """IGRF internal field at a GEO Cartesian position (numba kernel).

    The gradient of the spherical-harmonic potential (module docstring; Alken et al., 2025),
    with the Schmidt semi-normalised Legendre functions and their theta derivatives from the
    standard recursions (Langel 1987; Winch et al. 2005) and ``cos/sin(m phi)`` from the angle
    addition recursion. For m >= 1 the recursion carries ``P_n^m / sin(theta)`` (started from
    ``P_(m-1)^(m-1)``), so ``B_phi`` and the Cartesian components are exact on the polar axis.
    No allocation; NaN in, NaN out; the origin gives non-finite values.

    Args:
        gh: Packed Schmidt semi-normalised coefficients (float64, IAGA order, nT), e.g. from
            :func:`coefficients`.
        nmax: Highest degree to sum; clipped to ``NMAX`` and to the degree ``gh`` holds.
        x: GEO x (Re = 6371.2 km).
        y: GEO y (Re).
        z: GEO z (Re).

    Returns:
        ``(bx, by, bz)``: the field in GEO Cartesian components, nT.
    """
    nmax_use = min(nmax, NMAX)
    while nmax_use > 0 and nmax_use * (nmax_use + 2) > gh.shape[0]:
        nmax_use -= 1
    rho2 = x * x + y * y
    r = math.sqrt(rho2 + z * z)
    rho = math.sqrt(rho2)
    if rho > 0.0:
        cp = x / rho
        sp = y / rho
    else:
        cp = 1.0
        sp = 0.0
    ct = z / r
    st = rho / r
    ar = 1.0 / r

    br = 0.0
    bt = 0.0
    bp = 0.0
    # diagonal Schmidt functions P(m,m), their derivative, and P(m,m)/sin(theta)
    pdiag = 1.0
    ddiag = 0.0
    rdiag = 1.0
    cm = 1.0
    sm = 0.0
    rm = ar * ar  # (a/r)^(m+2)
    for m in range(nmax_use + 1):
        if m > 0:
            dm = _REC_D[m]
            ddiag = dm * (st * ddiag + ct * pdiag)
            rdiag = dm * pdiag
            pdiag = st * rdiag
            cm, sm = cm * cp - sm * sp, sm * cp + cm * sp
            rm *= ar
            stm = st
        else:
            stm = 1.0
        # rcur = P(n,m)/sin(theta)^min(m,1); dcur = dP(n,m)/dtheta; *prev: the same at n-1
        rcur = rdiag
        dcur = ddiag
        rprev = 0.0
        dprev = 0.0
        rn = rm
        for n in range(m, nmax_use + 1):
            if n > m:
                an = _REC_A[n, m]
                bn = _REC_B[n, m]
                rnew = an * ct * rcur - bn * rprev
                dnew = an * (ct * dcur - st * stm * rcur) - bn * dprev
                rprev = rcur
                dprev = dcur
                rcur = rnew
                dcur = dnew
                rn *= ar
            if n == 0:
                continue
            base = n * n - 1
            if m == 0:
                g = gh[base]
                br += (n + 1) * rn * g * rcur
                bt -= rn * g * dcur
            else:
                g = gh[base + 2 * m - 1]
                h = gh[base + 2 * m]
                w = g * cm + h * sm
                br += (n + 1) * rn * w * (st * rcur)
                bt -= rn * w * dcur
                bp += rn * m * (g * sm - h * cm) * rcur
    bh = br * st + bt * ct
    return bh * cp - bp * sp, bh * sp + bp * cp, br * ct - bt * st


@njit(parallel=True, cache=True, error_model="numpy")
def _igrf_many(gh, nmax, rot, x, y, z, bx, by, bz):
    """``igrf_geo`` at many points given in a frame with ``v_frame = rot @ v_geo``."""
    for i in prange(x.shape[0]):
        xg = rot[0, 0] * x[i] + rot[1, 0] * y[i] + rot[2, 0] * z[i]
        yg = rot[0, 1] * x[i] + rot[1, 1] * y[i] + rot[2, 1] * z[i]
        zg = rot[0, 2] * x[i] + rot[1, 2] * y[i] + rot[2, 2] * z[i]
        gx, gy, gz = igrf_geo(gh, nmax, xg, yg, zg)
        bx[i] = rot[0, 0] * gx + rot[0, 1] * gy + rot[0, 2] * gz
        by[i] = rot[1, 0] * gx + rot[1, 1] * gy + rot[1, 2] * gz
        bz[i] = rot[2, 0] * gx + rot[2, 1] * gy + rot[2, 2] * gz


def igrf_field(
    x: np.ndarray | float,
    y: np.ndarray | float,
    z: np.ndarray | float,
    time: object,
    frame: str = "GEO",
    nmax: int = NMAX,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """IGRF-14 internal field at many positions (vectorised, numba-parallel).

    Evaluates :func:`igrf_geo` (Alken et al., 2025) with the coefficients of ``time``. For a
    frame other than GEO the positions are rotated to GEO and the field back with
    :func:`geospacexr.rb.frames.rotation` (GEOPACK / Hapgood 1992 definitions).

    Args:
        x: x positions in ``frame``, Re (6371.2 km); any shape, broadcast with ``y`` and ``z``.
        y: y positions, Re.
        z: z positions, Re.
        time: The instant (``numpy.datetime64``, ISO string, ``datetime`` or decimal year),
            1900-2030.
        frame: The frame of the positions and of the returned field, one of
            :data:`geospacexr.rb.frames.FRAMES` (case-insensitive).
        nmax: Highest degree (default the full IGRF, 13).

    Returns:
        ``(bx, by, bz)`` in nT, in ``frame``, each of the broadcast shape of the positions.

    Raises:
        InvalidArgumentError: For an invalid time (``"time"``), frame (``"frame"``) or degree.
    """
    from . import frames

    if isinstance(nmax, (bool, np.bool_)) or not isinstance(nmax, numbers.Integral):
        raise InvalidArgumentError(f"expected an integer degree, got {nmax!r}", argument="nmax")
    if not 1 <= int(nmax) <= NMAX:
        raise InvalidArgumentError(f"must be within 1..{NMAX}, not {nmax}", argument="nmax")
    name = frames.frame_name(frame, "frame")
    gh = coefficients(time)
    rot = np.eye(3) if name == "GEO" else frames.rotation("GEO", name, time)
    xb, yb, zb = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64),
        np.asarray(y, dtype=np.float64),
        np.asarray(z, dtype=np.float64),
    )
    shape = xb.shape
    xs, ys, zs = (np.ascontiguousarray(a.ravel()) for a in (xb, yb, zb))
    bx, by, bz = np.empty_like(xs), np.empty_like(xs), np.empty_like(xs)
    _igrf_many(gh, int(nmax), np.ascontiguousarray(rot), xs, ys, zs, bx, by, bz)
    return bx.reshape(shape), by.reshape(shape), bz.reshape(shape)
