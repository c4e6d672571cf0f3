"""Tsyganenko's T89 and T96 external magnetospheric field models (numba kernels).

Two empirical models of the field of the magnetospheric current systems, in GSM coordinates
(positions in Earth radii, Re = 6371.2 km; fields in nT; the dipole tilt ``ps`` in radians,
positive when the northern magnetic pole tilts toward the Sun). They give the *external* field
only: add an internal field (IGRF or a dipole) for the total field.

* :func:`t89` - Tsyganenko (1989), release T89c (Feb 12, 1996), parametrised by the Kp index
  in 7 bins (``iopt``, see :func:`kp_to_iopt`);
* :func:`t96` - Tsyganenko (1995) and Tsyganenko & Stern (1996), release T96_01, parametrised
  by the solar wind dynamic pressure, Dst and the IMF By and Bz (see
  :func:`validate_t96_parameters` for the fitted ranges).

The scalar kernels are ``numba.njit(cache=True)`` functions meant to be called from other
compiled code (the field-line tracer); :func:`t89_field` and :func:`t96_field` evaluate them on
arrays of any shape, in parallel over points, after checking their arguments.

The implementations are independent numba codes written from the published equations and the
algorithms of Tsyganenko's Fortran subroutines ``T89C`` and ``T96_01`` (whose coefficient tables
are transcribed); they agree with the Python ``geopack`` package to better than 1e-9 of ``|B|``
(1e-15 for T89, typically 1e-12 for T96; ``tests/rb/test_tsyganenko.py``). See
:mod:`geospacexr.rb._t96` for how T96 differs numerically from the Fortran original.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numba import njit, prange

from ..errors import DataWarning, InvalidArgumentError
from ._t96 import t96
from .models import Parameter, register_model

__all__ = [
    "T96_FITTED_RANGES",
    "kp_to_iopt",
    "t89",
    "t89_field",
    "t96",
    "t96_field",
    "validate_t96_parameters",
]

# --------------------------------------------------------------------------------------------
# T89c parameters: one row of 30 per Kp bin (iopt 1..7), transcribed from the DATA PARAM table
# of T89C (release of Feb 12, 1996). A(1)-A(17) are the linear parameters (tail, closure
# current, ring current, Chapman-Ferraro + Birkeland field, tilt modulation of the tail), A(18)-
# A(30) the nonlinear ones (DX, ADR, D0, DD, RC, G, AT, DY, DELTA, Q, SX, GAM, DYC).
# --------------------------------------------------------------------------------------------
# fmt: off
_T89_PARAM = np.array([
    [-116.53, -10719.0, 42.375, 59.753, -11363.0, 1.7844, 30.268, -0.35372e-01, -0.66832e-01,
     0.16456e-01, -1.3024, 0.16529e-02, 0.20293e-02, 20.289, -0.25203e-01, 224.91, -9234.8,
     22.788, 7.8813, 1.8362, -0.27228, 8.8184, 2.8714, 14.468, 32.177, 0.01, 0.0, 7.0459, 4.0,
     20.0],
    [-55.553, -13198.0, 60.647, 61.072, -16064.0, 2.2534, 34.407, -0.38887e-01, -0.94571e-01,
     0.27154e-01, -1.3901, 0.13460e-02, 0.13238e-02, 23.005, -0.30565e-01, 55.047, -3875.7,
     20.178, 7.9693, 1.4575, 0.89471, 9.4039, 3.5215, 14.474, 36.555, 0.01, 0.0, 7.0787, 4.0,
     20.0],
    [-101.34, -13480.0, 111.35, 12.386, -24699.0, 2.6459, 38.948, -0.34080e-01, -0.12404,
     0.29702e-01, -1.4052, 0.12103e-02, 0.16381e-02, 24.49, -0.37705e-01, -298.32, 4400.9,
     18.692, 7.9064, 1.3047, 2.4541, 9.7012, 7.1624, 14.288, 33.822, 0.01, 0.0, 6.7442, 4.0,
     20.0],
    [-181.69, -12320.0, 173.79, -96.664, -39051.0, 3.2633, 44.968, -0.46377e-01, -0.16686,
     0.048298, -1.5473, 0.10277e-02, 0.31632e-02, 27.341, -0.50655e-01, -514.10, 12482.0,
     16.257, 8.5834, 1.0194, 3.6148, 8.6042, 5.5057, 13.778, 32.373, 0.01, 0.0, 7.3195, 4.0,
     20.0],
    [-436.54, -9001.0, 323.66, -410.08, -50340.0, 3.9932, 58.524, -0.38519e-01, -0.26822,
     0.74528e-01, -1.4268, -0.10985e-02, 0.96613e-02, 27.557, -0.56522e-01, -867.03, 20652.0,
     14.101, 8.3501, 0.72996, 3.8149, 9.2908, 6.4674, 13.729, 28.353, 0.01, 0.0, 7.4237, 4.0,
     20.0],
    [-707.77, -4471.9, 432.81, -435.51, -60400.0, 4.6229, 68.178, -0.88245e-01, -0.21002,
     0.11846, -2.6711, 0.22305e-02, 0.10910e-01, 27.547, -0.54080e-01, -424.23, 1100.2, 13.954,
     7.5337, 0.89714, 3.7813, 8.2945, 5.174, 14.213, 25.237, 0.01, 0.0, 7.0037, 4.0, 20.0],
    [-1190.4, 2749.9, 742.56, -1110.3, -77193.0, 7.6727, 102.05, -0.96015e-01, -0.74507,
     0.11214, -1.3614, 0.15157e-02, 0.22283e-01, 23.164, -0.74146e-01, -2219.1, 48253.0,
     12.714, 7.6777, 0.57138, 2.9633, 9.3909, 9.7263, 11.123, 21.558, 0.01, 0.0, 4.4518, 4.0,
     20.0],
])
# fmt: on

# Fixed quantities of the T89 model functions: tail-sheet thickness variation along x (A02,
# XLD2, XD), tail current confinement (XLW2), closure currents (RT, SXC, XLWC2).
_T89_A02 = 25.0
_T89_XLW2 = 170.0
_T89_RT = 30.0
_T89_XD = 0.0
_T89_XLD2 = 40.0
_T89_SXC = 4.0
_T89_XLWC2 = 50.0

_NAN = math.nan


@njit(cache=True, error_model="numpy")
def t89(iopt, ps, x, y, z):
    """Tsyganenko T89c external (magnetospheric) field at one point.

    The field of the ring current, the warped tail current sheet with its closure currents and
    the magnetopause (Chapman-Ferraro) + Birkeland currents, with the tilt modulation of the
    tail current added in the T89c release (1992).

    Args:
        iopt: Kp bin, 1..7 for Kp = 0,0+ / 1-,1,1+ / 2-,2,2+ / 3-,3,3+ / 4-,4,4+ / 5-,5,5+ /
            >= 6- (see :func:`kp_to_iopt`).
        ps: Geodipole tilt angle (rad), positive when the north magnetic pole tilts sunward.
        x: GSM x (Re).
        y: GSM y (Re).
        z: GSM z (Re).

    Returns:
        (bx, by, bz): GSM components of the external field (nT); NaNs when ``iopt`` is not in
        1..7. The model is valid up to geocentric distances of about 70 Re.

    References:
        Tsyganenko, N. A. (1989), A magnetospheric magnetic field model with a warped tail
        current sheet, Planet. Space Sci., 37(1), 5-20.
    """
    if iopt < 1 or iopt > 7:
        return _NAN, _NAN, _NAN
    a = _T89_PARAM[iopt - 1]
    ak1, ak2, ak3, ak4, ak5 = a[0], a[1], a[2], a[3], a[4]
    ak6, ak7, ak8, ak9 = a[5], a[6], a[7], a[8]
    ak10, ak11, ak12, ak13 = a[9], a[10], a[11], a[12]
    ak14, ak15, ak16, ak17 = a[13], a[14], a[15], a[16]
    dx = a[17]  # scale of the Chapman-Ferraro field along x
    adr = a[18]  # ring current radius
    d0 = a[19]  # basic half-thickness of the tail current sheet
    dd = a[20]  # rate of thickening of the ring current towards the dayside
    rc = a[21]  # hinging distance of the sheet
    g = a[22]  # amplitude of the tail warping in y
    at = a[23]  # tail current radius
    p = a[24]  # y-scale of the tail current (Dy)
    delt = a[25]  # thickening of the sheet towards the flanks
    q = a[26]
    sx = a[27]
    gam = a[28]  # thickening of the sheet towards the dayside
    dyc = a[29]  # y-scale of the closure currents

    w1 = -0.5 / dx
    w2 = w1 * 2.0
    w4 = -1.0 / 3.0
    w3 = w4 / dx
    w5 = -0.5
    w6 = -3.0
    ak610 = ak6 * w1 + ak10 * w5
    ak711 = ak7 * w2 - ak11
    ak812 = ak8 * w2 + ak12 * w6
    ak913 = ak9 * w3 + ak13 * w4

    tlt2 = ps * ps
    sps = math.sin(ps)
    cps = math.cos(ps)
    x2 = x * x
    y2 = y * y
    z2 = z * z
    htp = 0.5 * sps / cps
    xsm = x * cps - z * sps
    zsm = x * sps + z * cps

    # shape of the tail current sheet and its derivatives
    xrc = xsm + rc
    sxrc = math.sqrt(xrc * xrc + 16.0)
    y4 = y2 * y2
    y410 = y4 + 1.0e4
    sy4 = sps / y410
    zs1 = htp * (xrc - sxrc)
    dzsx = -zs1 / sxrc
    zs = zs1 - g * sy4 * y4
    dzsy = g * (-sy4 / y410 * 4.0e4 * y2 * y)

    # ring current
    xsm2 = xsm * xsm
    dsqt = math.sqrt(xsm2 + _T89_A02)
    fa0 = 0.5 * (1.0 + xsm / dsqt)
    ddr = d0 + dd * fa0
    dfa0 = 0.5 * _T89_A02 / (dsqt * dsqt * dsqt)
    zr = zsm - zs
    tr = math.sqrt(zr * zr + ddr * ddr)
    ro2 = xsm2 + y2
    adrt = adr + tr
    adrt2 = adrt * adrt
    fk = 1.0 / (adrt2 + ro2)
    fc = fk * fk * math.sqrt(fk)
    facxy = 3.0 * adrt * fc / tr
    xzr = xsm * zr
    yzr = y * zr
    dbxdp = facxy * xzr
    xzyz = xsm * dzsx + y * dzsy
    faq = zr * xzyz - ddr * dd * dfa0 * xsm
    dbzdp = fc * (2.0 * adrt2 - ro2) + facxy * faq
    rcx = dbxdp * cps + dbzdp * sps
    rcy = facxy * yzr
    rcz = dbzdp * cps - dbxdp * sps

    # tail current sheet (two modes, each modulated by the tilt)
    d = d0 + delt * y2
    adsl = 0.0
    if abs(gam) >= 1.0e-6:
        xxd = xsm - _T89_XD
        rqd = 1.0 / (xxd * xxd + _T89_XLD2)
        rqds = math.sqrt(rqd)
        h = 0.5 * (1.0 + xxd * rqds)
        hs = 0.5 * _T89_XLD2 * rqd * rqds
        d = d + gam * h
        adsl = -d * xsm * gam * hs
    t = math.sqrt(zr * zr + d * d)
    xsmx = xsm - sx
    rdsq2 = 1.0 / (xsmx * xsmx + _T89_XLW2)
    rdsq = math.sqrt(rdsq2)
    v = 0.5 * (1.0 - xsmx * rdsq)
    dvx = -0.5 * _T89_XLW2 * rdsq * rdsq2
    om = math.sqrt(math.sqrt(xsm2 + 16.0) - xsm)
    oms = -om / (om * om + xsm) * 0.5
    rdy = 1.0 / (p + q * om)
    rdy2 = rdy * rdy
    fy = 1.0 / (1.0 + y2 * rdy2)
    w = v * fy
    yfy1 = 2.0 * fy * y2 * rdy2
    fydy = yfy1 * rdy * fy
    dwx = dvx * fy + fydy * q * oms * v
    ydwy = -v * yfy1 * fy
    ddy = 2.0 * delt * y
    att = at + t
    s1 = math.sqrt(att * att + ro2)
    f5 = 1.0 / s1
    f7 = 1.0 / (s1 + att)
    f1 = f5 * f7
    f3 = f5 * f5 * f5
    f9 = att * f3
    fs = zr * xzyz - d * y * ddy + adsl
    xdwx = xsm * dwx + ydwy
    wt = w / t
    brrz1 = wt * f1
    brrz2 = wt * f3
    dbxc1 = brrz1 * xzr
    dbxc2 = brrz2 * xzr
    wtfs = wt * fs
    dbzc1 = w * f5 + xdwx * f7 + wtfs * f1
    dbzc2 = w * f9 + xdwx * f1 + wtfs * f3
    amp1 = ak1 + ak16 * tlt2
    amp2 = ak2 + ak17 * tlt2
    tx1 = dbxc1 * cps + dbzc1 * sps
    tx2 = dbxc2 * cps + dbzc2 * sps
    tz1 = dbzc1 * cps - dbxc1 * sps
    tz2 = dbzc2 * cps - dbxc2 * sps
    bxt = amp1 * tx1 + amp2 * tx2
    byt = amp1 * brrz1 * yzr + amp2 * brrz2 * yzr
    bzt = amp1 * tz1 + amp2 * tz2

    # closure currents (symmetric and tilt-antisymmetric parts), in GSM
    zpl = z + _T89_RT
    zmn = z - _T89_RT
    rogsm2 = x2 + y2
    spl = math.sqrt(zpl * zpl + rogsm2)
    smn = math.sqrt(zmn * zmn + rogsm2)
    xsxc = x - _T89_SXC
    rqc2 = 1.0 / (xsxc * xsxc + _T89_XLWC2)
    rqc = math.sqrt(rqc2)
    rdyc2 = 1.0 / (dyc * dyc)
    fyc = 1.0 / (1.0 + y2 * rdyc2)
    wc = 0.5 * (1.0 - xsxc * rqc) * fyc
    dwcx = -0.5 * _T89_XLWC2 * rqc2 * rqc * fyc
    dwcy = -2.0 * rdyc2 * wc * fyc * y
    szrp = 1.0 / (spl + zpl)
    szrm = 1.0 / (smn - zmn)
    xywc = x * dwcx + y * dwcy
    wcsp = wc / spl
    wcsm = wc / smn
    fxyp = wcsp * szrp
    fxym = wcsm * szrm
    fxpl = x * fxyp
    fxmn = -x * fxym
    fypl = y * fxyp
    fymn = -y * fxym
    fzpl = wcsp + xywc * szrp
    fzmn = wcsm + xywc * szrm
    bxt += ak3 * (fxpl + fxmn) + ak4 * (fxpl - fxmn) * sps
    byt += ak3 * (fypl + fymn) + ak4 * (fypl - fymn) * sps
    bzt += ak3 * (fzpl + fzmn) + ak4 * (fzpl - fzmn) * sps

    # Chapman-Ferraro + Birkeland current field (div B = 0 fixes the remaining coefficients)
    ex = math.exp(x / dx)
    ec = ex * cps
    es = ex * sps
    ecz = ec * z
    esz = es * z
    eszy2 = esz * y2
    eszz2 = esz * z2
    ecz2 = ecz * z
    esy = es * y
    sx1 = ak6 * ecz + ak7 * es + ak8 * esy * y + ak9 * esz * z
    sy1 = ak10 * ecz * y + ak11 * esy + ak12 * esy * y2 + ak13 * esy * z2
    sz1 = ak14 * ec + ak15 * ec * y2 + ak610 * ecz2 + ak711 * esz + ak812 * eszy2 + ak913 * eszz2
    return bxt + ak5 * rcx + sx1, byt + ak5 * rcy + sy1, bzt + ak5 * rcz + sz1


def kp_to_iopt(kp: float) -> int:
    """The T89 Kp bin ``iopt`` (1..7) of a Kp value.

    T89 was fitted in seven Kp bins: iopt 1 = Kp 0, 0+; 2 = 1-, 1, 1+; 3 = 2-, 2, 2+; 4 = 3-,
    3, 3+; 5 = 4-, 4, 4+; 6 = 5-, 5, 5+; 7 = 6- and above. With the usual decimal Kp (``n-`` =
    n - 1/3, ``n+`` = n + 1/3) a bin spans [n - 0.5, n + 0.5), so ``iopt = min(floor(kp + 0.5) +
    1, 7)``: Kp < 0.5 gives 1, Kp >= 5.5 gives 7.

    Args:
        kp: Planetary Kp index as a number in [0, 9] (e.g. 2.33 or 7/3 for 2+).

    Returns:
        The bin number, an int in 1..7.

    Raises:
        InvalidArgumentError: ``kp`` is not a finite number in [0, 9] (argument ``"kp"``).

    References:
        Tsyganenko, N. A. (1989), Planet. Space Sci., 37(1), 5-20 (the Kp binning of the model).
    """
    try:
        value = math.nan if isinstance(kp, str | bytes) else float(kp)
    except (TypeError, ValueError):
        value = math.nan
    if math.isnan(value):
        raise InvalidArgumentError(f"expected a number in [0, 9], got {kp!r}", "kp")
    if not (0.0 <= value <= 9.0):
        raise InvalidArgumentError(f"expected a Kp value in [0, 9], got {kp!r}", "kp")
    return min(math.floor(value + 0.5) + 1, 7)


# The ranges of the T96 input parameters covered by the data the model was fitted to.
T96_FITTED_RANGES = {
    "pdyn": (0.5, 10.0),
    "dst": (-100.0, 20.0),
    "by": (-10.0, 10.0),
    "bz": (-10.0, 10.0),
}
_T96_UNITS = {"pdyn": "nPa", "dst": "nT", "by": "nT", "bz": "nT"}


def validate_t96_parameters(pdyn, dst, by, bz) -> None:
    """Check T96 driving parameters; warn when they leave the range the model was fitted to.

    The model was fitted to data with (:data:`T96_FITTED_RANGES`) solar wind dynamic pressure
    Pdyn 0.5-10 nPa, Dst -100..+20 nT and IMF ``|By|``, ``|Bz|`` <= 10 nT. Values beyond these are
    extrapolations: the model still returns a field but emits a
    :class:`~geospacexr.errors.DataWarning`. Values it cannot use are errors.

    Args:
        pdyn: Solar wind dynamic pressure (nPa); a number or an array.
        dst: Dst index (nT); a number or an array.
        by: IMF By, GSM (nT); a number or an array.
        bz: IMF Bz, GSM (nT); a number or an array.

    Raises:
        InvalidArgumentError: A value is not a finite number, or ``pdyn`` is not > 0 (the
            argument name is ``"pdyn"``, ``"dst"``, ``"by"`` or ``"bz"``).

    Warns:
        DataWarning: A value is outside the fitted range (one warning per parameter).

    References:
        Tsyganenko, N. A. (1995), J. Geophys. Res., 100, 5599-5612; Tsyganenko, N. A., and
        D. P. Stern (1996), J. Geophys. Res., 101, 27187-27198.
    """
    _check_t96(pdyn, dst, by, bz, stacklevel=3)


def _check_t96(pdyn, dst, by, bz, stacklevel):
    """:func:`validate_t96_parameters`, warning ``stacklevel`` frames up from here."""
    for name, value in (("pdyn", pdyn), ("dst", dst), ("by", by), ("bz", bz)):
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"expected a number, got {value!r}", name) from None
        unit = _T96_UNITS[name]
        bad = arr[~np.isfinite(arr)]
        if bad.size:
            got = f"{bad.flat[0]}" if arr.size == 1 else f"{bad.size} non-finite of {arr.size}"
            raise InvalidArgumentError(f"must be finite, got {got}", name)
        if name == "pdyn" and np.any(arr <= 0.0):
            raise InvalidArgumentError(
                f"the dynamic pressure must be > 0 nPa, got {_describe(arr[arr <= 0.0])}", name
            )
        lo, hi = T96_FITTED_RANGES[name]
        outside = arr[(arr < lo) | (arr > hi)]
        if outside.size:
            warnings.warn(
                f"T96 {name}: {_describe(outside)} {unit} outside the range the model was "
                f"fitted to ({lo:g} to {hi:g} {unit}); the field is an extrapolation",
                DataWarning,
                stacklevel=stacklevel,
            )


def _describe(arr: np.ndarray) -> str:
    flat = np.ravel(arr)
    if flat.size == 1:
        return f"{flat[0]:g}"
    return f"{flat.size} values in [{flat.min():g}, {flat.max():g}]"


# --------------------------------------------------------------------------------------------
# Vectorised evaluation.
# --------------------------------------------------------------------------------------------
@njit(cache=True, parallel=True, error_model="numpy")
def _t89_many(iopt, ps, x, y, z):
    n = x.shape[0]
    bx = np.empty(n)
    by = np.empty(n)
    bz = np.empty(n)
    one_i = iopt.shape[0] == 1
    one_p = ps.shape[0] == 1
    for i in prange(n):
        ii = np.int64(i)  # prange indices may be unsigned
        k = 0 if one_i else ii
        j = 0 if one_p else ii
        bx[i], by[i], bz[i] = t89(iopt[k], ps[j], x[i], y[i], z[i])
    return bx, by, bz


@njit(cache=True, parallel=True, error_model="numpy")
def _t96_many(parmod, ps, x, y, z):
    n = x.shape[0]
    bx = np.empty(n)
    by = np.empty(n)
    bz = np.empty(n)
    one_m = parmod.shape[0] == 1
    one_p = ps.shape[0] == 1
    for i in prange(n):
        ii = np.int64(i)  # prange indices may be unsigned
        k = 0 if one_m else ii
        j = 0 if one_p else ii
        bx[i], by[i], bz[i] = t96(parmod[k], ps[j], x[i], y[i], z[i])
    return bx, by, bz


def _as_array(value, name, dtype=np.float64):
    try:
        return np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"expected numbers, got {value!r}", name) from None


def _common_shape(shapes, names):
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        listed = ", ".join(f"{n} {s}" for n, s in zip(names, shapes, strict=True))
        raise InvalidArgumentError(f"shapes do not broadcast: {listed}", names[0]) from None


def _compact(arr, shape, trailing=()):
    """``arr`` as (1, *trailing) if it holds one value (set), else flattened to (n, *trailing).

    The result is C-contiguous; in the second case ``arr`` is first broadcast to the full shape.
    """
    lead = arr.shape[: arr.ndim - len(trailing)]
    if math.prod(lead) == 1:
        return np.ascontiguousarray(arr.reshape((1, *trailing)))
    full = np.broadcast_to(arr, shape + trailing)
    return np.ascontiguousarray(full).reshape((-1, *trailing))


def _flat(arr, shape):
    return np.ascontiguousarray(np.broadcast_to(arr, shape)).reshape(-1)


def t89_field(iopt, ps, x, y, z) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tsyganenko T89c external field on arrays of positions (parallel over points).

    Args:
        iopt: Kp bin(s), integers in 1..7 (:func:`kp_to_iopt`); a scalar or an array
            broadcastable with the positions.
        ps: Dipole tilt angle(s) (rad); a scalar or broadcastable with the positions.
        x: GSM x (Re), array of any shape.
        y: GSM y (Re), broadcastable with ``x``.
        z: GSM z (Re), broadcastable with ``x``.

    Returns:
        (bx, by, bz): float64 arrays of the broadcast shape, GSM external field in nT.

    Raises:
        InvalidArgumentError: ``iopt`` is not an integer in 1..7, or the arrays do not
            broadcast.

    References:
        Tsyganenko, N. A. (1989), A magnetospheric magnetic field model with a warped tail
        current sheet, Planet. Space Sci., 37(1), 5-20.
    """
    try:
        iarr = np.asarray(iopt)
        ok = iarr.dtype.kind in "iuf"
    except (TypeError, ValueError):
        ok = False
    if ok:
        with np.errstate(invalid="ignore"):
            ok = bool(np.all((iarr >= 1) & (iarr <= 7) & (iarr == np.round(iarr))))
    if not ok:
        raise InvalidArgumentError(f"expected an integer Kp bin 1..7, got {iopt!r}", "iopt")
    iarr = iarr.astype(np.int64)
    pa = _as_array(ps, "ps")
    xa, ya, za = (_as_array(v, n) for v, n in ((x, "x"), (y, "y"), (z, "z")))
    shape = _common_shape(
        [xa.shape, ya.shape, za.shape, pa.shape, iarr.shape], ["x", "y", "z", "ps", "iopt"]
    )
    bx, by, bz = _t89_many(
        _compact(iarr, shape),
        _compact(pa, shape),
        _flat(xa, shape),
        _flat(ya, shape),
        _flat(za, shape),
    )
    return bx.reshape(shape), by.reshape(shape), bz.reshape(shape)


def t96_field(parmod, ps, x, y, z) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tsyganenko T96_01 external field on arrays of positions (parallel over points).

    The parameters are checked with :func:`validate_t96_parameters` (errors for unusable
    values, a :class:`~geospacexr.errors.DataWarning` outside the fitted range).

    Args:
        parmod: ``[pdyn (nPa), dst (nT), by (nT), bz (nT), ...]`` (further elements, e.g. the
            rest of a 10-element PARMOD, are ignored); shape ``(k,)`` with k >= 4 for one set,
            or ``(..., k)`` with leading dimensions broadcastable with the positions for one
            set per point.
        ps: Dipole tilt angle(s) (rad); a scalar or broadcastable with the positions.
        x: GSM x (Re), array of any shape.
        y: GSM y (Re), broadcastable with ``x``.
        z: GSM z (Re), broadcastable with ``x``.

    Returns:
        (bx, by, bz): float64 arrays of the broadcast shape, GSM external field in nT (outside
        the model magnetopause: the IMF interconnection field minus the model dipole, see
        :func:`t96`).

    Raises:
        InvalidArgumentError: ``parmod`` has fewer than 4 parameters or unusable values, or
            the arrays do not broadcast.

    Warns:
        DataWarning: A parameter is outside the range the model was fitted to.

    References:
        Tsyganenko, N. A. (1995), J. Geophys. Res., 100, 5599-5612; Tsyganenko, N. A., and
        D. P. Stern (1996), J. Geophys. Res., 101, 27187-27198.
    """
    pm = _as_array(parmod, "parmod")
    if pm.ndim == 0 or pm.shape[-1] < 4:
        raise InvalidArgumentError(
            f"expected [pdyn, dst, by, bz, ...] along the last axis, got shape {pm.shape}",
            "parmod",
        )
    pm = pm[..., :4]
    _check_t96(pm[..., 0], pm[..., 1], pm[..., 2], pm[..., 3], stacklevel=3)
    pa = _as_array(ps, "ps")
    xa, ya, za = (_as_array(v, n) for v, n in ((x, "x"), (y, "y"), (z, "z")))
    shape = _common_shape(
        [xa.shape, ya.shape, za.shape, pa.shape, pm.shape[:-1]], ["x", "y", "z", "ps", "parmod"]
    )
    bx, by, bz = _t96_many(
        _compact(pm, shape, (4,)),
        _compact(pa, shape),
        _flat(xa, shape),
        _flat(ya, shape),
        _flat(za, shape),
    )
    return bx.reshape(shape), by.reshape(shape), bz.reshape(shape)


# --------------------------------------------------------------------------------------------
# Registry entries (geospacexr.rb.models): the one declaration of each model.
# --------------------------------------------------------------------------------------------
def _pack_t89(params):
    return [kp_to_iopt(params["kp"])]


def _validate_t96(params):
    _check_t96(params["pdyn"], params["dst"], params["by"], params["bz"], stacklevel=5)


_T96_DESCRIPTIONS = {
    "pdyn": "solar-wind dynamic pressure (> 0)",
    "dst": "Dst index",
    "by": "IMF By (GSM)",
    "bz": "IMF Bz (GSM)",
}
_T96_EXAMPLES = {"pdyn": 2.0, "dst": -20.0, "by": 0.0, "bz": -2.0}

_T96_PARAMETERS = [
    Parameter(
        name,
        _T96_UNITS[name],
        _T96_DESCRIPTIONS[name],
        required=True,
        valid=(0.0, math.inf) if name == "pdyn" else (-math.inf, math.inf),
        fitted=T96_FITTED_RANGES[name],
        example=_T96_EXAMPLES[name],
    )
    for name in ("pdyn", "dst", "by", "bz")
]


@register_model(
    "t89",
    description="Tsyganenko (1989) T89c external field, 7 Kp bins.",
    parameters=[
        Parameter("kp", "1", "Kp index (model bins 0,0+ / 1-,1,1+ / ... / >= 6-)", required=True,
                  valid=(0.0, 9.0), fitted=(0.0, 9.0), example=2.0),
    ],
    references=["Tsyganenko (1989), Planet. Space Sci., 37, 5-20"],
    pack=_pack_t89,
    compile_seconds=1.0,  # measured CPU time of its kernel, cold cache (docs/rb.md)
)  # fmt: skip
@njit(cache=True, error_model="numpy")
def t89_kernel(par, ps, x, y, z):
    """T89c external field with the Kp bin ``iopt`` in ``par[0]`` (the registered kernel)."""
    return t89(np.int64(par[0]), ps, x, y, z)


register_model(
    "t96",
    t96,
    description="Tsyganenko (1995, 1996) T96_01 external field.",
    parameters=_T96_PARAMETERS,
    references=[
        "Tsyganenko (1995), J. Geophys. Res., 100, 5599-5612",
        "Tsyganenko & Stern (1996), J. Geophys. Res., 101, 27187-27198",
    ],
    validate=_validate_t96,
    compile_seconds=11.0,
)
