"""Tsyganenko & Sitnov (2005) storm-time external magnetospheric field model (TS05, aka T04s).

The model gives the magnetic field of the magnetospheric current systems (everything except the
Earth's internal field) as a sum of separately shielded modules (Tsyganenko 2002a,b; Tsyganenko
& Sitnov 2005):

* the Chapman-Ferraro field that confines the Earth's dipole inside the magnetopause
  (:func:`_dipole_shield`, 2 x 3 x 3 tilted Cartesian harmonics),
* two modes of the cross-tail current sheet, bent and warped by the dipole tilt, each with its
  own 5 x 5 harmonic shield (:func:`_tail_modes`),
* region-1 and region-2 field-aligned (Birkeland) currents, deformed conical current systems with
  harmonic shields (:func:`_birkeland`),
* the symmetric and partial ring currents (:func:`_ring_current`),
* a fraction of the interplanetary field (By, Bz) that penetrates the magnetopause.

The amplitudes of the tail, ring-current and Birkeland modules depend on the solar-wind ram
pressure, on the pressure-corrected Dst and on the six storm-time driving variables W1..W6
(time integrals of the solar-wind driving since the storm onset, Tsyganenko & Sitnov 2005); the
whole configuration is scaled self-similarly with the ram pressure (Shue et al.-type magnetopause).

This module is an independent numba implementation written from the published equations and
Tsyganenko's Fortran code ``TS04c``/``T04_s`` (assembled March 2004, bug fix of 14 March 2005,
ring-current coefficients corrected 24 June 2006). The coefficient tables at the bottom of the
module are the ones of that Fortran release (the June-2006 corrected set); they are transcribed
as exact decimal values in double precision.

Differences from the original Fortran code (deliberate; none changes the field by more than a
few 1e-7 relative inside the magnetosphere):

* The Fortran ``DATA`` statements of the June-2006 corrections (``A``, ``C_SY``, the ``AP``
  constants) and the exponent 0.37 of the tail-shift formula are default-``REAL`` literals, so a
  stock compilation rounds them to single precision (the original ``T04_s`` also takes ``REAL*4``
  inputs). Here every number is double precision, as in geopack's Python port
  ``geopack.t04.t04``, which this implementation reproduces to ~1e-9 (4e-11 when geopack's NumPy
  elementary functions are replaced by the C library's, which numba uses: the Birkeland module
  differentiates numerically with a 1e-6 step, which turns one-ulp differences into ~1e-9).
  With those constants rounded to single precision, geopack reproduces the compiled Fortran
  (IRBEM's ``T04_s``) to ~1e-14 (median; 6e-9 at worst); as distributed, the two differ by
  ~1e-7 (up to ~5e-5 inside the thin magnetopause transition layer, where the interpolation
  amplifies the small shift of the boundary).
* Only the first mode of the region-1 and region-2 currents enters the TS05 field (the Fortran
  code also computes the second modes but multiplies nothing by them), so the second modes and
  their shielding tables are not evaluated here.
* The iterative search of the unwarped coordinates that locates the magnetopause is capped at
  100 iterations (it converges in a handful); the Fortran loop is unbounded.

Points outside the model magnetopause are treated as in the original code: the model returns
the field that, added to a dipole of moment 30115 nT x Re^3 (epoch 2000, the dipole of the TS05
code), leaves only the penetrated IMF, i.e. ``B_ext = (0, f*By, f*Bz) - B_dipole`` with
``f = A(20) = 0.452536``. Inside a thin transition layer at the magnetopause (``|sigma - s0| <
0.005`` in the model's ellipsoidal coordinate) the total field is interpolated linearly between
the inner model field and that outer field. The position of the magnetopause scales with the
ram pressure as ``(pdyn / 2 nPa) ** -0.152759`` (subsolar point at 10.22 Re for 2 nPa).

References:
    Tsyganenko, N. A., and M. I. Sitnov (2005), Modeling the dynamics of the inner magnetosphere
    during strong geomagnetic storms, J. Geophys. Res., 110, A03208, doi:10.1029/2004JA010798.

    Tsyganenko, N. A. (2002a), A model of the near magnetosphere with a dawn-dusk asymmetry:
    1. Mathematical structure, J. Geophys. Res., 107(A8), 1179, doi:10.1029/2001JA000219.

    Tsyganenko, N. A. (2002b), A model of the near magnetosphere with a dawn-dusk asymmetry:
    2. Parameterization and fitting to observations, J. Geophys. Res., 107(A8), 1176,
    doi:10.1029/2001JA000220.

    Tsyganenko, N. A., H. J. Singer, and J. C. Kasper (2003), Storm-time distortion of the inner
    magnetosphere: How severe can it get?, J. Geophys. Res., 108(A5), 1209,
    doi:10.1029/2002JA009808.
"""

from __future__ import annotations

import math
import warnings

import numba
import numpy as np
from numpy.typing import ArrayLike

from geospacexr.errors import DataWarning, InvalidArgumentError

from .models import Parameter, register_model

__all__ = ["TS05_PARAMETER_RANGES", "ts05", "ts05_field", "validate_ts05_parameters"]

_JIT = {"cache": True, "error_model": "numpy", "nogil": True}

#: Dipole moment (nT Re^3) of the dipole that the TS05 code subtracts outside the magnetopause
#: (epoch 2000, as in Tsyganenko's DIPOLE routine distributed with the model).
_DIPOLE_MOMENT = 30115.0

# Shue et al.-type magnetopause of the model: A0_A, A0_S0, A0_X0, and the half-thickness
# of the transition layer in sigma.
_MP_A = 34.586
_MP_S0 = 1.1960
_MP_X0 = 3.4397
_MP_DSIG = 0.005

#: Indicative ranges (our choice, not limits of the Fortran code) of the conditions sampled by
#: the data the model was fitted to (storms of 1996-2000, Tsyganenko & Sitnov 2005);
#: :func:`validate_ts05_parameters` warns with a DataWarning outside them.
TS05_PARAMETER_RANGES = {
    "pdyn": (0.5, 20.0),  # nPa
    "dst": (-300.0, 20.0),  # nT
    "by": (-50.0, 50.0),  # nT
    "bz": (-50.0, 50.0),  # nT
}


# --------------------------------------------------------------------------------------------
# Dipole and dipole shielding field
# --------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def _dipole(ps, x, y, z):
    """GSM field of the epoch-2000 centred dipole used by the TS05 code (nT)."""
    sps = math.sin(ps)
    cps = math.cos(ps)
    p = x * x
    u = z * z
    v = 3.0 * z * x
    t = y * y
    q = _DIPOLE_MOMENT / math.sqrt(p + t + u) ** 5
    bx = q * ((t + u - 2.0 * p) * sps - v * cps)
    by = -3.0 * y * q * (x * sps + z * cps)
    bz = q * ((p + t - 2.0 * u) * cps - v * sps)
    return bx, by, bz


@numba.njit(**_JIT)
def _dipole_shield(x, y, z, ps):
    """Chapman-Ferraro field shielding the dipole: 2 x 9 tilted Cartesian harmonics.

    Tsyganenko (2002a); coefficients ``_SHIELD_DIPOLE``: 36 linear amplitudes (pairs
    a + b cos(psi) and a + b 2 cos(psi) for the "perpendicular" and "parallel" sums), scales
    P1..3, R1..3, Q1..3, S1..3 and the two tilt factors T1, T2 of the harmonic systems.
    """
    a = _SHIELD_DIPOLE
    cps = math.cos(ps)
    sps = math.sin(ps)
    s2ps = 2.0 * cps  # sps * (a + b * 2 cps) = a sin(psi) + b sin(2 psi)
    st1 = math.sin(ps * a[48])
    ct1 = math.cos(ps * a[48])
    st2 = math.sin(ps * a[49])
    ct2 = math.cos(ps * a[49])
    x1 = x * ct1 - z * st1
    z1 = x * st1 + z * ct1
    x2 = x * ct2 - z * st2
    z2 = x * st2 + z * ct2

    bx = 0.0
    by = 0.0
    bz = 0.0
    # "Perpendicular" symmetry (even in psi); the third harmonic of each row has the form
    # x * d/dz of the first ones, which keeps the shield flexible near the subsolar point.
    czr3 = (math.cos(z1 / a[39]), math.cos(z1 / a[40]), math.cos(z1 / a[41]))
    szr3 = (math.sin(z1 / a[39]), math.sin(z1 / a[40]), math.sin(z1 / a[41]))
    for i in range(3):
        p = a[36 + i]
        cyp = math.cos(y / p)
        syp = math.sin(y / p)
        for k in range(3):
            r = a[39 + k]
            sqpr = math.sqrt(1.0 / p**2 + 1.0 / r**2)
            czr = czr3[k]
            szr = szr3[k]
            expr = math.exp(sqpr * x1)
            if k < 2:
                fx = -sqpr * expr * cyp * szr
                hy = expr / p * syp * szr
                fz = -expr * cyp / r * czr
            else:
                fx = -expr * cyp * (sqpr * z1 * czr + szr / r * (x1 + 1.0 / sqpr))
                hy = expr / p * syp * (z1 * czr + x1 / r * szr / sqpr)
                fz = -expr * cyp * (czr * (1.0 + x1 / r**2 / sqpr) - z1 / r * szr)
            hx = fx * ct1 + fz * st1
            hz = -fx * st1 + fz * ct1
            n = 2 * (3 * i + k)
            amp = a[n] + a[n + 1] * cps
            bx += amp * hx
            by += amp * hy
            bz += amp * hz
    # "Parallel" symmetry (odd in psi).
    czs3 = (math.cos(z2 / a[45]), math.cos(z2 / a[46]), math.cos(z2 / a[47]))
    szs3 = (math.sin(z2 / a[45]), math.sin(z2 / a[46]), math.sin(z2 / a[47]))
    for i in range(3):
        q = a[42 + i]
        cyq = math.cos(y / q)
        syq = math.sin(y / q)
        for k in range(3):
            s = a[45 + k]
            sqqs = math.sqrt(1.0 / q**2 + 1.0 / s**2)
            czs = czs3[k]
            szs = szs3[k]
            exqs = math.exp(sqqs * x2)
            fx = -sqqs * exqs * cyq * czs * sps
            hy = exqs / q * syq * czs * sps
            fz = exqs * cyq / s * szs * sps
            hx = fx * ct2 + fz * st2
            hz = -fx * st2 + fz * ct2
            n = 18 + 2 * (3 * i + k)
            amp = a[n] + a[n + 1] * s2ps
            bx += amp * hx
            by += amp * hy
            bz += amp * hz
    return bx, by, bz


# --------------------------------------------------------------------------------------------
# Tail current sheet
# --------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def _taildisk(d0, deltadx, deltady, x, y, z):
    """Field of a thick axisymmetric current disk, spread out in z and y (Tsyganenko 2002a).

    The sheet half-thickness is ``d0 + deltady (y/20)^2 + deltadx exp(x/7)`` (space-warping as in
    Tsyganenko & Stern 1996; the exp term thickens the sheet sunward).
    """
    f = _TAILDISK_F
    b = _TAILDISK_B
    c = _TAILDISK_C
    rho = math.sqrt(x**2 + y**2)
    drhodx = x / rho
    drhody = y / rho
    dex = math.exp(x / 7.0)
    d = d0 + deltady * (y / 20.0) ** 2 + deltadx * dex
    dddy = deltady * y * 0.005
    dddx = deltadx / 7.0 * dex
    dzeta = math.sqrt(z**2 + d**2)
    ddzetadx = d * dddx / dzeta
    ddzetady = d * dddy / dzeta
    ddzetadz = z / dzeta

    dbx = 0.0
    dby = 0.0
    dbz = 0.0
    for i in range(5):
        bi = b[i]
        ci = c[i]
        s1 = math.sqrt((rho + bi) ** 2 + (dzeta + ci) ** 2)
        s2 = math.sqrt((rho - bi) ** 2 + (dzeta + ci) ** 2)
        ds1drho = (rho + bi) / s1
        ds2drho = (rho - bi) / s2
        ds1ddz = (dzeta + ci) / s1
        ds2ddz = (dzeta + ci) / s2
        ds1dx = ds1drho * drhodx + ds1ddz * ddzetadx
        ds1dy = ds1drho * drhody + ds1ddz * ddzetady
        ds1dz = ds1ddz * ddzetadz
        ds2dx = ds2drho * drhodx + ds2ddz * ddzetadx
        ds2dy = ds2drho * drhody + ds2ddz * ddzetady
        ds2dz = ds2ddz * ddzetadz
        s1ts2 = s1 * s2
        s1ps2 = s1 + s2
        s1ps2sq = s1ps2**2
        fac1 = math.sqrt(s1ps2sq - (2.0 * bi) ** 2)
        asas = fac1 / (s1ts2 * s1ps2sq)
        dasds1 = (1.0 / (fac1 * s2) - asas / s1ps2 * (s2 * s2 + s1 * (3.0 * s1 + 4.0 * s2))) / (
            s1 * s1ps2
        )
        dasds2 = (1.0 / (fac1 * s1) - asas / s1ps2 * (s1 * s1 + s2 * (3.0 * s2 + 4.0 * s1))) / (
            s2 * s1ps2
        )
        dasdx = dasds1 * ds1dx + dasds2 * ds2dx
        dasdy = dasds1 * ds1dy + dasds2 * ds2dy
        dasdz = dasds1 * ds1dz + dasds2 * ds2dz
        dbx = dbx - f[i] * x * dasdz
        dby = dby - f[i] * y * dasdz
        dbz = dbz + f[i] * (2.0 * asas + x * dasdx + y * dasdy)
    return dbx, dby, dbz


@numba.njit(**_JIT)
def _shield_5x5(a, x, y, z, dshift):
    """Shielding field of a tail mode: 5 x 5 Cartesian harmonics, amplitudes linear in dshift."""
    dhx = 0.0
    dhy = 0.0
    dhz = 0.0
    r5 = (1.0 / a[55], 1.0 / a[56], 1.0 / a[57], 1.0 / a[58], 1.0 / a[59])
    sz5 = (
        math.sin(z * r5[0]),
        math.sin(z * r5[1]),
        math.sin(z * r5[2]),
        math.sin(z * r5[3]),
        math.sin(z * r5[4]),
    )
    cz5 = (
        math.cos(z * r5[0]),
        math.cos(z * r5[1]),
        math.cos(z * r5[2]),
        math.cos(z * r5[3]),
        math.cos(z * r5[4]),
    )
    n = 0
    for i in range(5):
        rp = 1.0 / a[50 + i]
        cypi = math.cos(y * rp)
        sypi = math.sin(y * rp)
        for k in range(5):
            rr = r5[k]
            szrk = sz5[k]
            czrk = cz5[k]
            sqpr = math.sqrt(rp**2 + rr**2)
            epr = math.exp(x * sqpr)
            dbx = -sqpr * epr * cypi * szrk
            dby = rp * epr * sypi * szrk
            dbz = -rr * epr * cypi * czrk
            coef = a[n] + a[n + 1] * dshift
            n += 2
            dhx = dhx + coef * dbx
            dhy = dhy + coef * dby
            dhz = dhz + coef * dbz
    return dhx, dhy, dhz


@numba.njit(**_JIT)
def _tail_unwarped(x, y, z, dxshift1, dxshift2, d0, deltady):
    """The two shielded tail modes (unit amplitude) before bending and warping.

    Each mode is the current disk of :func:`_taildisk` with coordinates scaled by alpha (1.1 and
    0.25) about x = -12 Re after a shift of x by xshift + dxshift (6 and 4 Re plus the Dst-
    dependent dxshift1,2), plus its shield (Tsyganenko 2002a; Tsyganenko & Sitnov 2005). The
    sheet half-thickness d0 depends on W1.
    """
    # mode 1: deltadx1, alpha1, xshift1 = 1, 1.1, 6; mode 2: 0, 0.25, 4; xm1 = xm2 = -12
    xsc1 = (x - 6.0 - dxshift1) * 1.1 - (-12.0) * (1.1 - 1.0)
    fx1, fy1, fz1 = _taildisk(d0 * 1.1, 1.0, deltady, xsc1, y * 1.1, z * 1.1)
    hx1, hy1, hz1 = _shield_5x5(_TAIL_SHIELD_1, x, y, z, dxshift1)
    xsc2 = (x - 4.0 - dxshift2) * 0.25 - (-12.0) * (0.25 - 1.0)
    fx2, fy2, fz2 = _taildisk(d0 * 0.25, 0.0, deltady, xsc2, y * 0.25, z * 0.25)
    hx2, hy2, hz2 = _shield_5x5(_TAIL_SHIELD_2, x, y, z, dxshift2)
    return fx1 + hx1, fy1 + hy1, fz1 + hz1, fx2 + hx2, fy2 + hy2, fz2 + hz2


@numba.njit(**_JIT)
def _tail_warped(ps, x, y, z, dxshift1, dxshift2, d0, deltady):
    """Tail modes with the tilt-induced warping of the sheet in the y-z plane.

    The azimuth about the x axis is deformed as ``phi + g rho^2 rho/(rho^4 + xl^4) cos(phi)
    sin(psi)`` with g = 35 and xl = 20 Re (Tsyganenko 2002a).
    """
    g = 35.0
    xl = 20.0
    sps = math.sin(ps)
    rho2 = y**2 + z**2
    rho = math.sqrt(rho2)
    if y == 0.0 and z == 0.0:
        phi = 0.0
        cphi = 1.0
        sphi = 0.0
    else:
        phi = math.atan2(z, y)
        cphi = y / rho
        sphi = z / rho
    rr4l4 = rho / (rho2**2 + xl**4)
    f = phi + g * rho2 * rr4l4 * cphi * sps
    dfdphi = 1.0 - g * rho2 * rr4l4 * sphi * sps
    dfdrho = g * rr4l4**2 * (3.0 * xl**4 - rho2**2) * cphi * sps
    # dg/dx = dxl/dx = 0 in this model, so the x-derivative of the warping vanishes
    dfdx = 0.0
    cf = math.cos(f)
    sf = math.sin(f)
    yas = rho * cf
    zas = rho * sf
    bxa1, bya1, bza1, bxa2, bya2, bza2 = _tail_unwarped(
        x, yas, zas, dxshift1, dxshift2, d0, deltady
    )

    brho_as = bya1 * cf + bza1 * sf
    bphi_as = -bya1 * sf + bza1 * cf
    brho_s = brho_as * dfdphi
    bphi_s = bphi_as - rho * (bxa1 * dfdx + brho_as * dfdrho)
    bx1 = bxa1 * dfdphi
    by1 = brho_s * cphi - bphi_s * sphi
    bz1 = brho_s * sphi + bphi_s * cphi

    brho_as = bya2 * cf + bza2 * sf
    bphi_as = -bya2 * sf + bza2 * cf
    brho_s = brho_as * dfdphi
    bphi_s = bphi_as - rho * (bxa2 * dfdx + brho_as * dfdrho)
    bx2 = bxa2 * dfdphi
    by2 = brho_s * cphi - bphi_s * sphi
    bz2 = brho_s * sphi + bphi_s * cphi
    return bx1, by1, bz1, bx2, by2, bz2


@numba.njit(**_JIT)
def _tail_modes(ps, x, y, z, dxshift1, dxshift2, d0, deltady):
    """Tail modes bent in the x-z plane by the tilt (Tsyganenko 2002a).

    The tilt is replaced by ``psi* = asin(sin(psi) f(r))``, ``f = (1 + (r/rh)^3)^(-1/3)``,
    with a hinging distance ``rh = 7.5 - 5.2 (z/r)^2`` Re; the field is transformed with the
    Jacobian of that deformation (divergence-free general deformation).
    """
    rh0 = 7.5
    rh2 = -5.2
    sps = math.sin(ps)
    r2 = x**2 + y**2 + z**2
    r = math.sqrt(r2)
    zr = z / r
    rh = rh0 + rh2 * zr**2
    drhdr = -zr / r * 2.0 * rh2 * zr
    drhdz = 2.0 * rh2 * zr / r
    rrh = r / rh
    f = 1.0 / (1.0 + rrh**3) ** (1.0 / 3.0)
    dfdr = -(rrh**2) * f**4 / rh
    dfdrh = -rrh * dfdr
    spsas = sps * f
    cpsas = math.sqrt(1.0 - spsas**2)
    xas = x * cpsas - z * spsas
    zas = x * spsas + z * cpsas
    facps = sps / cpsas * (dfdr + dfdrh * drhdr) / r
    psasx = facps * x
    psasy = facps * y
    psasz = facps * z + sps / cpsas * dfdrh * drhdz
    dxasdx = cpsas - zas * psasx
    dxasdy = -zas * psasy
    dxasdz = -spsas - zas * psasz
    dzasdx = spsas + xas * psasx
    dzasdy = xas * psasy
    dzasdz = cpsas + xas * psasz
    fac1 = dxasdz * dzasdy - dxasdy * dzasdz
    fac2 = dxasdx * dzasdz - dxasdz * dzasdx
    fac3 = dzasdx * dxasdy - dxasdx * dzasdy

    bxas1, byas1, bzas1, bxas2, byas2, bzas2 = _tail_warped(
        ps, xas, y, zas, dxshift1, dxshift2, d0, deltady
    )
    bx1 = bxas1 * dzasdz - bzas1 * dxasdz + byas1 * fac1
    by1 = byas1 * fac2
    bz1 = bzas1 * dxasdx - bxas1 * dzasdx + byas1 * fac3
    bx2 = bxas2 * dzasdz - bzas2 * dxasdz + byas2 * fac1
    by2 = byas2 * fac2
    bz2 = bzas2 * dxasdx - bxas2 * dzasdx + byas2 * fac3
    return bx1, by1, bz1, bx2, by2, bz2


# --------------------------------------------------------------------------------------------
# Birkeland (field-aligned) currents
# --------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def _cone_r_s(a, r, theta):
    """Deformed radial distance of the conical current model (Tsyganenko 2002a)."""
    return (
        r
        + a[1] / r
        + a[2] * r / math.sqrt(r**2 + a[10] ** 2)
        + a[3] * r / (r**2 + a[11] ** 2)
        + (
            a[4]
            + a[5] / r
            + a[6] * r / math.sqrt(r**2 + a[12] ** 2)
            + a[7] * r / (r**2 + a[13] ** 2)
        )
        * math.cos(theta)
        + (a[8] * r / math.sqrt(r**2 + a[14] ** 2) + a[9] * r / (r**2 + a[15] ** 2) ** 2)
        * math.cos(2.0 * theta)
    )


@numba.njit(**_JIT)
def _cone_theta_s(a, r, theta):
    """Deformed colatitude of the conical current model (Tsyganenko 2002a)."""
    return (
        theta
        + (a[16] + a[17] / r + a[18] / r**2 + a[19] * r / math.sqrt(r**2 + a[26] ** 2))
        * math.sin(theta)
        + (a[20] + a[21] * r / math.sqrt(r**2 + a[27] ** 2) + a[22] * r / (r**2 + a[28] ** 2))
        * math.sin(2.0 * theta)
        + (a[23] + a[24] / r + a[25] * r / (r**2 + a[29] ** 2)) * math.sin(3.0 * theta)
    )


@numba.njit(**_JIT)
def _fialcos(r, theta, phi, n, theta0, dt):
    """B_theta, B_phi of mode n of a conical sheet of radial currents (spherical components).

    The current flows in a layer of angular half-width ``dt`` around the cone ``theta0``
    (Tsyganenko's 1990-91 "fialco" model; only radial currents, so B_r = 0).
    """
    sinte = math.sin(theta)
    ro = r * sinte
    coste = math.cos(theta)
    sinfi = math.sin(phi)
    cosfi = math.cos(phi)
    tg = sinte / (1.0 + coste)  # tan(theta/2)
    ctg = sinte / (1.0 - coste)  # cot(theta/2)
    tetanp = theta0 + dt
    tetanm = theta0 - dt
    tgp = 0.0
    tgm = 0.0
    tgm2 = 0.0
    tgp2 = 0.0
    if theta >= tetanm:
        tgp = math.tan(tetanp * 0.5)
        tgm = math.tan(tetanm * 0.5)
        tgm2 = tgm * tgm
        tgp2 = tgp * tgp

    cosm1 = 1.0
    sinm1 = 0.0
    tm = 1.0
    tgm2m = 1.0
    tgp2m = 1.0
    btheta = 0.0
    bphi = 0.0
    for m in range(1, n + 1):
        tm = tm * tg
        ccos = cosm1 * cosfi - sinm1 * sinfi
        ssin = sinm1 * cosfi + cosm1 * sinfi
        cosm1 = ccos
        sinm1 = ssin
        if theta < tetanm:
            t = tm
            dtt = 0.5 * m * tm * (tg + ctg)
        elif theta < tetanp:
            tgm2m = tgm2m * tgm2
            fc = 1.0 / (tgp - tgm)
            fc1 = 1.0 / (2 * m + 1)
            tgm2m1 = tgm2m * tgm
            tg21 = 1.0 + tg * tg
            t = fc * (tm * (tgp - tg) + fc1 * (tm * tg - tgm2m1 / tm))
            dtt = 0.5 * m * fc * tg21 * (tm / tg * (tgp - tg) - fc1 * (tm - tgm2m1 / (tm * tg)))
        else:
            tgp2m = tgp2m * tgp2
            tgm2m = tgm2m * tgm2
            fc = 1.0 / (tgp - tgm)
            fc1 = 1.0 / (2 * m + 1)
            t = fc * fc1 * (tgp2m * tgp - tgm2m * tgm) / tm
            dtt = -t * m * 0.5 * (tg + ctg)
        btheta = m * t * ccos / ro
        bphi = -dtt * ssin / r
    return btheta * 800.0, bphi * 800.0


@numba.njit(**_JIT)
def _one_cone(a, x, y, z, mode, dtheta):
    """Field of one (northern) deformed conical current system, fitted to a Biot-Savart field.

    The spherical coordinates are deformed as r -> r_s(r, theta), theta -> theta_s(r, theta)
    and the field is transformed with the Jacobian of the deformation, evaluated by central
    differences with steps of 1e-6 as in the original code.
    """
    dr = 1e-6
    dt = 1e-6
    theta0 = a[30]
    rho2 = x**2 + y**2
    rho = math.sqrt(rho2)
    r = math.sqrt(rho2 + z**2)
    theta = math.atan2(rho, z)
    phi = math.atan2(y, x)

    rs = _cone_r_s(a, r, theta)
    thetas = _cone_theta_s(a, r, theta)
    btast, bfast = _fialcos(rs, thetas, phi, mode, theta0, dtheta)

    drsdr = (_cone_r_s(a, r + dr, theta) - _cone_r_s(a, r - dr, theta)) / (2.0 * dr)
    drsdt = (_cone_r_s(a, r, theta + dt) - _cone_r_s(a, r, theta - dt)) / (2.0 * dt)
    dtsdr = (_cone_theta_s(a, r + dr, theta) - _cone_theta_s(a, r - dr, theta)) / (2.0 * dr)
    dtsdt = (_cone_theta_s(a, r, theta + dt) - _cone_theta_s(a, r, theta - dt)) / (2.0 * dt)

    stsst = math.sin(thetas) / math.sin(theta)
    rsr = rs / r
    br = -rsr / r * stsst * btast * drsdt
    btheta = rsr * stsst * btast * drsdr
    bphi = rsr * bfast * (drsdr * dtsdt - drsdt * dtsdr)

    s = rho / r
    c = z / r
    sf = y / rho
    cf = x / rho
    be = br * s + btheta * c
    return a[0] * (be * cf - bphi * sf), a[0] * (be * sf + bphi * cf), a[0] * (br * c - btheta * s)


@numba.njit(**_JIT)
def _birkeland_mode1(numb, ps, x, y, z, xkappa):
    """Unshielded field of region ``numb`` (1 or 2) Birkeland currents, mode 1 (dawn-dusk).

    Northern and southern cones are combined with the symmetry of the region-1/2 currents, the
    oval is shifted day-night (dphi, b, rho_0) and bent by the tilt (beta = 0.9, rh = 10 Re);
    ``xkappa`` scales the size of the system (Tsyganenko 2002a).
    """
    beta = 0.9
    rh = 10.0
    eps = 3.0
    b = 0.5
    rho_0 = 7.0
    if numb == 1:
        dphi = 0.055
        dtheta = 0.06
        cone = _CONE_11
    else:
        dphi = 0.030
        dtheta = 0.09
        cone = _CONE_21

    xsc = x * xkappa
    ysc = y * xkappa
    zsc = z * xkappa
    rho = math.sqrt(xsc**2 + zsc**2)
    rsc = math.sqrt(xsc**2 + ysc**2 + zsc**2)
    rho2 = rho_0**2
    if xsc == 0.0 and zsc == 0.0:
        phi = 0.0
    else:
        phi = math.atan2(-zsc, xsc)  # cylindrical (rho, phi, y)
    sphic = math.sin(phi)
    cphic = math.cos(phi)

    brack = dphi + b * rho2 / (rho2 + 1.0) * (rho**2 - 1.0) / (rho2 + rho**2)
    r1rh = (rsc - 1.0) / rh
    psias = beta * ps / (1.0 + r1rh**eps) ** (1.0 / eps)
    phis = phi - brack * math.sin(phi) - psias
    dphisphi = 1.0 - brack * math.cos(phi)
    dphisrho = -2.0 * b * rho2 * rho / (rho2 + rho**2) ** 2 * math.sin(phi) + beta * ps * r1rh ** (
        eps - 1.0
    ) * rho / (rh * rsc * (1.0 + r1rh**eps) ** (1.0 / eps + 1.0))
    dphisdy = (
        beta * ps * r1rh ** (eps - 1.0) * ysc / (rh * rsc * (1.0 + r1rh**eps) ** (1.0 / eps + 1.0))
    )
    sphics = math.sin(phis)
    cphics = math.cos(phis)
    xs = rho * cphics
    zs = -rho * sphics

    # two cones (north and south) with the symmetry of the region-1/2 currents
    bxn, byn, bzn = _one_cone(cone, xs, ysc, zs, np.int64(1), dtheta)
    bxs_, bys_, bzs_ = _one_cone(cone, xs, -ysc, -zs, np.int64(1), dtheta)
    bxs = bxn - bxs_
    byas = byn + bys_
    bzs = bzn + bzs_

    brhoas = bxs * cphics - bzs * sphics
    bphias = -bxs * sphics - bzs * cphics
    brho_s = brhoas * dphisphi * xkappa
    bphi_s = (bphias - rho * (byas * dphisdy + brhoas * dphisrho)) * xkappa
    by_s = byas * dphisphi * xkappa
    return brho_s * cphic - bphi_s * sphic, by_s, -brho_s * sphic - bphi_s * cphic


@numba.njit(**_JIT)
def _harmonic_shield_86(a, ps, x_sc, x, y, z, fac_sc):
    """Shield of a Birkeland or ring-current system: 2 x 3 x 3 tilted Cartesian harmonics.

    Each of the 18 harmonics has 4 amplitudes: ``(a1 + a2 x_sc) + (a3 + a4 x_sc) g(psi)`` with
    g = cos(psi) ("perpendicular" sum) or 2 cos(psi) ("parallel" sum, whose harmonics also carry
    a factor sin(psi)); ``x_sc`` is the size-scaling parameter of the shielded system and
    ``fac_sc`` multiplies every harmonic. Coefficients: 72 amplitudes, P1..3, R1..3, Q1..3,
    S1..3, and the two tilt factors.
    """
    cps = math.cos(ps)
    sps = math.sin(ps)
    s3ps = 2.0 * cps
    pst1 = ps * a[84]
    pst2 = ps * a[85]
    st1 = math.sin(pst1)
    ct1 = math.cos(pst1)
    st2 = math.sin(pst2)
    ct2 = math.cos(pst2)
    x1 = x * ct1 - z * st1
    z1 = x * st1 + z * ct1
    x2 = x * ct2 - z * st2
    z2 = x * st2 + z * ct2

    # z-dependent factors of the 3 + 3 harmonic scales R1..3 and S1..3
    szr3 = (math.sin(z1 / a[75]), math.sin(z1 / a[76]), math.sin(z1 / a[77]))
    czr3 = (math.cos(z1 / a[75]), math.cos(z1 / a[76]), math.cos(z1 / a[77]))
    szs3 = (math.sin(z2 / a[81]), math.sin(z2 / a[82]), math.sin(z2 / a[83]))
    czs3 = (math.cos(z2 / a[81]), math.cos(z2 / a[82]), math.cos(z2 / a[83]))

    bx = 0.0
    by = 0.0
    bz = 0.0
    n = 0
    for m in range(2):
        for i in range(3):
            p = a[72 + 6 * m + i]  # P_i (m = 0) or Q_i (m = 1)
            cyp = math.cos(y / p)
            syp = math.sin(y / p)
            for k in range(3):
                if m == 0:
                    r = a[75 + k]
                    sqpr = math.sqrt(1.0 / p**2 + 1.0 / r**2)
                    epr = math.exp(x1 * sqpr)
                    fx = -sqpr * epr * cyp * szr3[k] * fac_sc
                    fy = epr * syp * szr3[k] / p * fac_sc
                    fz = -epr * cyp * czr3[k] / r * fac_sc
                    g = cps
                    ct = ct1
                    st = st1
                else:
                    r = a[81 + k]
                    sqqs = math.sqrt(1.0 / p**2 + 1.0 / r**2)
                    eqs = math.exp(x2 * sqqs)
                    fx = -sps * sqqs * eqs * cyp * czs3[k] * fac_sc
                    fy = sps / p * eqs * syp * czs3[k] * fac_sc
                    fz = sps / r * eqs * cyp * szs3[k] * fac_sc
                    g = s3ps
                    ct = ct2
                    st = st2
                for j in range(4):
                    if j == 0:
                        hx = fx
                        hy = fy
                        hz = fz
                    elif j == 1:
                        hx = fx * x_sc
                        hy = fy * x_sc
                        hz = fz * x_sc
                    elif j == 2:
                        hx = fx * g
                        hy = fy * g
                        hz = fz * g
                    else:
                        hx = fx * g * x_sc
                        hy = fy * g * x_sc
                        hz = fz * g * x_sc
                    hxr = hx * ct + hz * st
                    hzr = -hx * st + hz * ct
                    bx = bx + hxr * a[n]
                    by = by + hy * a[n]
                    bz = bz + hzr * a[n]
                    n += 1
    return bx, by, bz


@numba.njit(**_JIT)
def _birkeland(ps, x, y, z, xkappa1, xkappa2):
    """Shielded region-1 and region-2 Birkeland fields (mode 1 of each, unit amplitude)."""
    fx1, fy1, fz1 = _birkeland_mode1(np.int64(1), ps, x, y, z, xkappa1)
    hx1, hy1, hz1 = _harmonic_shield_86(_BIRK_SHIELD_11, ps, xkappa1 - 1.1, x, y, z, 1.0)
    fx2, fy2, fz2 = _birkeland_mode1(np.int64(2), ps, x, y, z, xkappa2)
    hx2, hy2, hz2 = _harmonic_shield_86(_BIRK_SHIELD_21, ps, xkappa2 - 1.0, x, y, z, 1.0)
    return fx1 + hx1, fy1 + hy1, fz1 + hz1, fx2 + hx2, fy2 + hy2, fz2 + hz2


# --------------------------------------------------------------------------------------------
# Ring current
# --------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def _loop_potential(rhos, zs, rrc, dd):
    """A_phi (per unit amplitude) of a circular current loop of radius rrc, thickness dd.

    The complete elliptic integrals K and E use the Hastings polynomial approximations
    (Abramowitz & Stegun 17.3.34 and 17.3.36), as in the original code.
    """
    p = (rrc + rhos) ** 2 + zs**2 + dd**2
    xk2 = 4.0 * rrc * rhos / p
    xk = math.sqrt(xk2)
    xkrho12 = xk * math.sqrt(rhos)
    m1 = 1.0 - xk2
    dl = math.log(1.0 / m1)
    elk = (
        1.38629436112
        + m1 * (0.09666344259 + m1 * (0.03590092383 + m1 * (0.03742563713 + m1 * 0.01451196212)))
        + dl
        * (
            0.5
            + m1
            * (0.12498593597 + m1 * (0.06880248576 + m1 * (0.03328355346 + m1 * 0.00441787012)))
        )
    )
    ele = (
        1.0
        + m1 * (0.44325141463 + m1 * (0.0626060122 + m1 * (0.04757383546 + m1 * 0.01736506451)))
        + dl
        * m1
        * (0.2499836831 + m1 * (0.09200180037 + m1 * (0.04069697526 + m1 * 0.00526449639)))
    )
    return ((1.0 - xk2 * 0.5) * elk - ele) / xkrho12


@numba.njit(**_JIT)
def _dipolar_inverse(alpha_s, gamma_s):
    """(rho, z) of the point with dipolar coordinates alpha = sin^2(theta)/r, gamma = cos/r^2."""
    gammas2 = gamma_s**2
    alsqh = alpha_s**2 / 2.0
    f = 64.0 / 27.0 * gammas2 + alsqh**2
    q = (math.sqrt(f) + alsqh) ** (1.0 / 3.0)
    c = q - 4.0 * gammas2 ** (1.0 / 3.0) / (3.0 * q)
    if c < 0.0:
        c = 0.0
    g = math.sqrt(c**2 + 4.0 * gammas2 ** (1.0 / 3.0))
    rs = 4.0 / ((math.sqrt(2.0 * g - c) + math.sqrt(c)) * (g + c))
    costs = gamma_s * rs**2
    sints = math.sqrt(1.0 - costs**2)
    return rs * sints, rs * costs


@numba.njit(**_JIT)
def _exp_floor(arg):
    """exp(arg), set to 0 below -500 as in the original code (avoids underflow traps)."""
    if arg < -500.0:
        return 0.0
    return math.exp(arg)


@numba.njit(**_JIT)
def _ap_symmetric(r, sint, cost):
    """A_phi of the symmetric ring current (corrected coefficients of 20 April 2006).

    Two current loops in a space deformed along dipolar field lines: alpha -> alpha_s with three
    Gaussian bumps (Tsyganenko 2002a; Tsyganenko et al. 2003).
    """
    a1, a2, rrc1, dd1, rrc2, dd2, p1, r1, dr1, dla1, p2, r2, dr2, dla2, p3, r3, dr3 = _AP
    prox = False
    sint1 = sint
    cost1 = cost
    if sint1 < 1.0e-2:  # too close to the axis: linear interpolation in sin(theta)
        sint1 = 1.0e-2
        cost1 = 0.99994999875
        prox = True
    alpha = sint1**2 / r
    gamma = cost1 / r**2
    dexp1 = _exp_floor(-(((r - r1) / dr1) ** 2) - (cost1 / dla1) ** 2)
    dexp2 = _exp_floor(-(((r - r2) / dr2) ** 2) - (cost1 / dla2) ** 2)
    dexp3 = _exp_floor(-(((r - r3) / dr3) ** 2))
    alpha_s = alpha * (1.0 + p1 * dexp1 + p2 * dexp2 + p3 * dexp3)
    rhos, zs = _dipolar_inverse(alpha_s, gamma)
    ap = a1 * _loop_potential(rhos, zs, rrc1, dd1) + a2 * _loop_potential(rhos, zs, rrc2, dd2)
    if prox:
        ap = ap * sint / sint1
    return ap


@numba.njit(**_JIT)
def _ap_partial(r, sint, cost):
    """A_phi of the axially symmetric part of the partial ring current (Tsyganenko 2002a)."""
    # fmt: off
    (a1, a2, rrc1, dd1, rrc2, dd2, p1, alpha1, dal1, beta1, dg1, p2, alpha2, dal2, beta2, dg2,
     beta3, p3, alpha3, dal3, beta4, dg3, beta5, q0, q1, alpha4, dal4, dg4, q2, alpha5, dal5,
     dg5, beta6, beta7) = _APPRC
    # fmt: on
    prox = False
    sint1 = sint
    cost1 = cost
    if sint1 < 1.0e-2:
        sint1 = 1.0e-2
        cost1 = 0.99994999875
        prox = True
    alpha = sint1**2 / r
    gamma = cost1 / r**2
    dexp1 = _exp_floor(-((gamma / dg1) ** 2))
    dexp2 = _exp_floor(-(((alpha - alpha4) / dal4) ** 2) - (gamma / dg4) ** 2)
    alpha_s = alpha * (
        1.0
        + p1 / (1.0 + ((alpha - alpha1) / dal1) ** 2) ** beta1 * dexp1
        + p2
        * (alpha - alpha2)
        / (1.0 + ((alpha - alpha2) / dal2) ** 2) ** beta2
        / (1.0 + (gamma / dg2) ** 2) ** beta3
        + p3
        * (alpha - alpha3) ** 2
        / (1.0 + ((alpha - alpha3) / dal3) ** 2) ** beta4
        / (1.0 + (gamma / dg3) ** 2) ** beta5
    )
    gamma_s = gamma * (
        1.0
        + q0
        + q1 * (alpha - alpha4) * dexp2
        + q2
        * (alpha - alpha5)
        / (1.0 + ((alpha - alpha5) / dal5) ** 2) ** beta6
        / (1.0 + (gamma / dg5) ** 2) ** beta7
    )
    rhos, zs = _dipolar_inverse(alpha_s, gamma_s)
    ap = a1 * _loop_potential(rhos, zs, rrc1, dd1) + a2 * _loop_potential(rhos, zs, rrc2, dd2)
    if prox:
        ap = ap * sint / sint1
    return ap


@numba.njit(**_JIT)
def _axisymmetric_field(x, y, z, partial):
    """B = curl(A_phi) of the symmetric ring current (or of the symmetric part of the PRC).

    Derivatives by central differences (step 1e-4); near the axis (sin(theta) < 0.01) A_phi is
    taken linear in sin(theta), as in the original code.
    """
    ds = 1e-2
    dc = 0.99994999875
    d = 1e-4
    drd = 5e3
    rho2 = x**2 + y**2
    r2 = rho2 + z**2
    r = math.sqrt(r2)
    rp = r + d
    rm = r - d
    sint = math.sqrt(rho2) / r
    cost = z / r
    if sint < ds:
        if partial:
            a = _ap_partial(r, ds, dc) / ds
            dardr = (rp * _ap_partial(rp, ds, dc) - rm * _ap_partial(rm, ds, dc)) * drd
        else:
            a = _ap_symmetric(r, ds, dc) / ds
            dardr = (rp * _ap_symmetric(rp, ds, dc) - rm * _ap_symmetric(rm, ds, dc)) * drd
        fxy = z * (2.0 * a - dardr) / (r * r2)
        return fxy * x, fxy * y, (2.0 * a * cost**2 + dardr * sint**2) / r
    theta = math.atan2(sint, cost)
    tp = theta + d
    tm = theta - d
    sintp = math.sin(tp)
    sintm = math.sin(tm)
    costp = math.cos(tp)
    costm = math.cos(tm)
    if partial:
        br = (
            (sintp * _ap_partial(r, sintp, costp) - sintm * _ap_partial(r, sintm, costm))
            / (r * sint)
            * drd
        )
        bt = (rm * _ap_partial(rm, sint, cost) - rp * _ap_partial(rp, sint, cost)) / r * drd
    else:
        br = (
            (sintp * _ap_symmetric(r, sintp, costp) - sintm * _ap_symmetric(r, sintm, costm))
            / (r * sint)
            * drd
        )
        bt = (rm * _ap_symmetric(rm, sint, cost) - rp * _ap_symmetric(rp, sint, cost)) / r * drd
    fxy = (br + bt * cost / sint) / r
    return fxy * x, fxy * y, br * cost - bt * sint


@numba.njit(**_JIT)
def _ffs(a, a0, da):
    sq1 = math.sqrt((a + a0) ** 2 + da**2)
    sq2 = math.sqrt((a - a0) ** 2 + da**2)
    fa = 2.0 / (sq1 + sq2)
    f = fa * a
    fs = 0.5 * (sq1 + sq2) / (sq1 * sq2) * (1.0 - f * f)
    return f, fa, fs


@numba.njit(**_JIT)
def _br_prc_quad(r, sint, cost):
    """Radial component of the "quadrupole" (local-time varying) partial ring current field."""
    # fmt: off
    (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, xk1, al1,
     dal1, b1, be1, xk2, al2, dal2, b2, be2, xk3, xk4, al3, dal3, b3, be3, al4, dal4, dg1, al5,
     dal5, dg2, c1, c2, c3, al6, dal6, drm) = _BR_PRC_Q
    # fmt: on
    sint2 = sint**2
    cost2 = cost**2
    sc = sint * cost
    alpha = sint2 / r
    gamma = cost / r**2

    f, _, _ = _ffs(alpha, al1, dal1)
    d1 = sc * f**xk1 / ((r / b1) ** be1 + 1.0)
    d2 = d1 * cost2
    _, _, fs = _ffs(alpha, al2, dal2)
    d3 = sc * fs**xk2 / ((r / b2) ** be2 + 1.0)
    d4 = d3 * cost2
    _, _, fs = _ffs(alpha, al3, dal3)
    d5 = sc * (alpha**xk3) * (fs**xk4) / ((r / b3) ** be3 + 1.0)
    d6 = d5 * cost2
    arga = ((alpha - al4) / dal4) ** 2 + 1.0
    argg = 1.0 + (gamma / dg1) ** 2
    d7 = sc / arga / argg
    d8 = d7 / arga
    d9 = d8 / arga
    d10 = d9 / arga
    arga = ((alpha - al5) / dal5) ** 2 + 1.0
    argg = 1.0 + (gamma / dg2) ** 2
    d11 = sc / arga / argg
    d12 = d11 / arga
    d13 = d12 / arga
    d14 = d13 / arga
    d15 = sc / (r**4 + c1**4)
    d16 = sc / (r**4 + c2**4) * cost2
    d17 = sc / (r**4 + c3**4) * cost2**2
    _, _, fs = _ffs(alpha, al6, dal6)
    d18 = sc * fs / (1.0 + ((r - 1.2) / drm) ** 2)
    return (
        a1 * d1
        + a2 * d2
        + a3 * d3
        + a4 * d4
        + a5 * d5
        + a6 * d6
        + a7 * d7
        + a8 * d8
        + a9 * d9
        + a10 * d10
        + a11 * d11
        + a12 * d12
        + a13 * d13
        + a14 * d14
        + a15 * d15
        + a16 * d16
        + a17 * d17
        + a18 * d18
    )


@numba.njit(**_JIT)
def _bt_prc_quad(r, sint, cost):
    """Theta component of the "quadrupole" partial ring current field."""
    # fmt: off
    (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, xk1, al1,
     dal1, b1, be1, xk2, al2, dal2, be2, xk3, xk4, al3, dal3, b3, be3, al4, dal4, dg1, al5,
     dal5, dg2, c1, c2, c3) = _BT_PRC_Q
    # fmt: on
    cost2 = cost**2
    alpha = sint**2 / r
    gamma = cost / r**2

    f, _, _ = _ffs(alpha, al1, dal1)
    d1 = f**xk1 / ((r / b1) ** be1 + 1.0)
    d2 = d1 * cost2
    _, fa, _ = _ffs(alpha, al2, dal2)
    d3 = fa**xk2 / r**be2
    d4 = d3 * cost2
    _, _, fs = _ffs(alpha, al3, dal3)
    d5 = fs**xk3 * alpha**xk4 / ((r / b3) ** be3 + 1.0)
    d6 = d5 * cost2
    _, _, fs = _ffs(gamma, 0.0, dg1)
    fcc = 1.0 + ((alpha - al4) / dal4) ** 2
    d7 = 1.0 / fcc * fs
    d8 = d7 / fcc
    d9 = d8 / fcc
    d10 = d9 / fcc
    arg = 1.0 + ((alpha - al5) / dal5) ** 2
    d11 = 1.0 / arg / (1.0 + (gamma / dg2) ** 2)
    d12 = d11 / arg
    d13 = d12 / arg
    d14 = d13 / arg
    d15 = 1.0 / (r**4 + c1**2)
    d16 = cost2 / (r**4 + c2**2)
    d17 = cost2**2 / (r**4 + c3**2)
    return (
        a1 * d1
        + a2 * d2
        + a3 * d3
        + a4 * d4
        + a5 * d5
        + a6 * d6
        + a7 * d7
        + a8 * d8
        + a9 * d9
        + a10 * d10
        + a11 * d11
        + a12 * d12
        + a13 * d13
        + a14 * d14
        + a15 * d15
        + a16 * d16
        + a17 * d17
    )


@numba.njit(**_JIT)
def _prc_quadrupole(x, y, z):
    """Field of the local-time varying ("quadrupole") part of the partial ring current.

    B_r and B_theta are given by fitted expressions; B_phi follows from div B = 0, with
    derivatives by central differences (step 1e-4). Near the axis the field is extrapolated.
    """
    d = 1e-4
    dd = 2e-4
    ds = 1e-2
    dc = 0.99994999875
    rho2 = x**2 + y**2
    r = math.sqrt(rho2 + z**2)
    rho = math.sqrt(rho2)
    sint = rho / r
    cost = z / r
    rp = r + d
    rm = r - d
    if sint > ds:
        cphi = x / rho
        sphi = y / rho
        br = _br_prc_quad(r, sint, cost)
        bt = _bt_prc_quad(r, sint, cost)
        dbrr = (_br_prc_quad(rp, sint, cost) - _br_prc_quad(rm, sint, cost)) / dd
        theta = math.atan2(sint, cost)
        tp = theta + d
        tm = theta - d
        sintp = math.sin(tp)
        costp = math.cos(tp)
        sintm = math.sin(tm)
        costm = math.cos(tm)
        dbtt = (_bt_prc_quad(r, sintp, costp) - _bt_prc_quad(r, sintm, costm)) / dd
        bx = sint * (br + (br + r * dbrr + dbtt) * sphi**2) + cost * bt
        by = -sint * sphi * cphi * (br + r * dbrr + dbtt)
        bz = (br * cost - bt * sint) * cphi
        return bx, by, bz
    st = ds
    ct = dc
    if z < 0.0:
        ct = -dc
    theta = math.atan2(st, ct)
    tp = theta + d
    tm = theta - d
    sintp = math.sin(tp)
    costp = math.cos(tp)
    sintm = math.sin(tm)
    costm = math.cos(tm)
    br = _br_prc_quad(r, st, ct)
    bt = _bt_prc_quad(r, st, ct)
    dbrr = (_br_prc_quad(rp, st, ct) - _br_prc_quad(rm, st, ct)) / dd
    dbtt = (_bt_prc_quad(r, sintp, costp) - _bt_prc_quad(r, sintm, costm)) / dd
    fcxy = r * dbrr + dbtt
    bx = (br * (x**2 + 2.0 * y**2) + fcxy * y**2) / (r * st) ** 2 + bt * cost
    by = -(br + fcxy) * x * y / (r * st) ** 2
    bz = (br * cost / st - bt) * x / r
    return bx, by, bz


@numba.njit(**_JIT)
def _ring_current(ps, x, y, z, sc_sy, sc_pr, phi):
    """Shielded symmetric (SRC) and partial (PRC) ring-current fields, unit amplitudes.

    Both are computed in solar-magnetic coordinates, scaled by sc_sy / sc_pr, the PRC rotated by
    ``phi`` from midnight toward dusk, and shielded by harmonic fields whose amplitudes depend
    on the scale factors (Tsyganenko 2002a).
    """
    cps = math.cos(ps)
    sps = math.sin(ps)
    xt = x * cps - z * sps
    zt = z * cps + x * sps
    xts = xt / sc_sy
    yts = y / sc_sy
    zts = zt / sc_sy
    xta = xt / sc_pr
    yta = y / sc_pr
    zta = zt / sc_pr

    bxs, bys, bzs = _axisymmetric_field(xts, yts, zts, np.bool_(False))
    bxa_s, bya_s, bza_s = _axisymmetric_field(xta, yta, zta, np.bool_(True))
    cp = math.cos(phi)
    sp = math.sin(phi)
    xr = xta * cp - yta * sp
    yr = xta * sp + yta * cp
    bxa_qr, bya_qr, bza_q = _prc_quadrupole(xr, yr, zta)
    bxa_q = bxa_qr * cp + bya_qr * sp
    bya_q = -bxa_qr * sp + bya_qr * cp
    bxp = bxa_s + bxa_q
    byp = bya_s + bya_q
    bzp = bza_s + bza_q

    hxsrc = bxs * cps + bzs * sps
    hysrc = bys
    hzsrc = bzs * cps - bxs * sps
    hxprc = bxp * cps + bzp * sps
    hyprc = byp
    hzprc = bzp * cps - bxp * sps

    x_sc = sc_sy - 1.0
    fsx, fsy, fsz = _harmonic_shield_86(_RC_SHIELD_SY, ps, x_sc, x, y, z, (x_sc + 1.0) ** 3)
    x_sc = sc_pr - 1.0
    fpx, fpy, fpz = _harmonic_shield_86(_RC_SHIELD_PR, ps, x_sc, x, y, z, (x_sc + 1.0) ** 3)
    return (
        hxsrc + fsx,
        hysrc + fsy,
        hzsrc + fsz,
        hxprc + fpx,
        hyprc + fpy,
        hzprc + fpz,
    )


# --------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------


@numba.njit(**_JIT)
def _magnetopause_sigma(x, y, z, sps, xappa):
    """Ellipsoidal coordinate sigma of the model magnetopause at (x, y, z) (Tsyganenko 2002a).

    The magnetopause is the surface sigma = 1.196 of a prolate ellipsoid (a cylinder tailward of
    x0 - a), in coordinates "unwarped" by the tilt.
    """
    rh0 = 7.5
    rh2 = -5.2
    x0 = _MP_X0 / xappa
    am = _MP_A / xappa
    r = math.sqrt(x**2 + y**2 + z**2)
    xss = x
    zss = z
    for _ in range(100):
        xsold = xss
        zsold = zss
        rh = rh0 + rh2 * (zss / r) ** 2
        sinpsas = sps / (1.0 + (r / rh) ** 3) ** 0.33333333
        cospsas = math.sqrt(1.0 - sinpsas**2)
        zss = x * sinpsas + z * cospsas
        xss = x * cospsas - z * sinpsas
        dd = abs(xss - xsold) + abs(zss - zsold)
        if not dd > 1e-6:
            break
    rho2 = y**2 + zss**2
    asq = am**2
    xmxm = am + xss - x0
    if xmxm < 0.0:
        xmxm = 0.0  # cylinder tailward of x = x0 - am
    axx0 = xmxm**2
    aro = asq + rho2
    return math.sqrt((aro + axx0 + math.sqrt((aro + axx0) ** 2 - 4.0 * asq * axx0)) / (2.0 * asq))


@numba.njit(**_JIT)
def ts05(parmod: np.ndarray, ps: float, x: float, y: float, z: float) -> tuple[float, float, float]:
    """TS05 external magnetospheric field at one point (numba kernel).

    A scalar kernel for use inside other numba code (field-line tracing). It does not check its
    inputs; use :func:`validate_ts05_parameters` (or :func:`ts05_field`) once per parameter set.

    Args:
        parmod: float64 array of 10 parameters: solar-wind ram pressure pdyn (nPa), Dst (nT),
            IMF By and Bz (GSM, nT), and the storm-time driving variables W1..W6 (Tsyganenko &
            Sitnov 2005). ``parmod[1]`` is the Dst index itself; the model uses the
            pressure-corrected ``Dst* = 0.8 Dst - 13 sqrt(pdyn)`` internally.
        ps: Dipole tilt angle (radians, positive when the northern magnetic pole tilts toward
            the Sun).
        x: GSM x (Re, 1 Re = 6371.2 km).
        y: GSM y (Re).
        z: GSM z (Re).

    Returns:
        Tuple ``(bx, by, bz)`` of the external (magnetospheric) field in GSM, nT. Outside the
        model magnetopause the result is ``(0, 0.4525 By, 0.4525 Bz)`` minus the epoch-2000
        dipole field (so that adding the dipole leaves the penetrated IMF), with a linear
        transition across a thin layer at the magnetopause, as in the original code. The model
        is singular at the Earth's centre (non-finite result there).

    References:
        Tsyganenko, N. A., and M. I. Sitnov (2005), J. Geophys. Res., 110, A03208,
        doi:10.1029/2004JA010798. Tsyganenko, N. A. (2002a,b), J. Geophys. Res., 107(A8),
        1179 and 1176, doi:10.1029/2001JA000219 and doi:10.1029/2001JA000220.
    """
    a = _A
    pdyn = parmod[0]
    dst = parmod[1] * 0.8 - 13.0 * math.sqrt(pdyn)  # pressure-corrected Dst*
    byimf = parmod[2]
    bzimf = parmod[3]
    w1 = parmod[4]
    w2 = parmod[5]
    w3 = parmod[6]
    w4 = parmod[7]
    w5 = parmod[8]
    w6 = parmod[9]

    xappa = (pdyn / 2.0) ** a[22]  # self-similar scaling with the ram pressure
    xappa3 = xappa**3
    sps = math.sin(ps)
    factimf = a[19]
    oimfy = byimf * factimf  # IMF components outside the magnetosphere
    oimfz = bzimf * factimf

    sigma = _magnetopause_sigma(x, y, z, sps, xappa)
    if not sigma < _MP_S0 + _MP_DSIG:  # outside the magnetosphere and its boundary layer
        qx, qy, qz = _dipole(ps, x, y, z)
        return -qx, oimfy - qy, oimfz - qz

    xx = x * xappa
    yy = y * xappa
    zz = z * xappa

    # dipole shielding field
    cfx, cfy, cfz = _dipole_shield(xx, yy, zz, ps)
    bxcf = cfx * xappa3
    bycf = cfy * xappa3
    bzcf = cfz * xappa3

    # tail field (two modes)
    dstt = -20.0
    if dst < dstt:
        dstt = dst
    znam = abs(dstt) ** 0.37
    dxshift1 = a[23] - a[24] / znam
    dxshift2 = a[25] - a[26] / znam
    d0 = a[35] * math.exp(-w1 / a[36]) + a[68]
    bxt1, byt1, bzt1, bxt2, byt2, bzt2 = _tail_modes(ps, xx, yy, zz, dxshift1, dxshift2, d0, 4.7)

    # Birkeland currents (mode 1 of regions 1 and 2)
    znam = abs(dst)
    if dst >= -20.0:
        znam = 20.0
    xkappa1 = a[31] * (znam / 20.0) ** a[32]
    xkappa2 = a[33] * (znam / 20.0) ** a[34]
    bxr11, byr11, bzr11, bxr21, byr21, bzr21 = _birkeland(ps, xx, yy, zz, xkappa1, xkappa2)

    # ring current (symmetric and partial); the xappa factor makes the ring-current scaling
    # independent of the overall magnetopause compression
    sc_sy = a[27] * (20.0 / znam) ** a[28] * xappa
    sc_pr = a[29] * (20.0 / znam) ** a[30] * xappa
    bxsrc, bysrc, bzsrc, bxprc, byprc, bzprc = _ring_current(ps, xx, yy, zz, sc_sy, sc_pr, a[37])

    # amplitudes (Tsyganenko & Sitnov 2005): saturating functions of the W's
    dlp1 = (pdyn / 2.0) ** a[20]
    dlp2 = (pdyn / 2.0) ** a[21]
    tamp1 = a[1] + a[2] * dlp1 + a[3] * a[38] * w1 / math.sqrt(w1**2 + a[38] ** 2) + a[4] * dst
    tamp2 = a[5] + a[6] * dlp2 + a[7] * a[39] * w2 / math.sqrt(w2**2 + a[39] ** 2) + a[8] * dst
    a_src = a[9] + a[10] * a[40] * w3 / math.sqrt(w3**2 + a[40] ** 2) + a[11] * dst
    a_prc = a[12] + a[13] * a[41] * w4 / math.sqrt(w4**2 + a[41] ** 2) + a[14] * dst
    a_r11 = a[15] + a[16] * a[42] * w5 / math.sqrt(w5**2 + a[42] ** 2)
    a_r21 = a[17] + a[18] * a[43] * w6 / math.sqrt(w6**2 + a[43] ** 2)

    bbx = (
        a[0] * bxcf
        + tamp1 * bxt1
        + tamp2 * bxt2
        + a_src * bxsrc
        + a_prc * bxprc
        + a_r11 * bxr11
        + a_r21 * bxr21
    )
    bby = (
        a[0] * bycf
        + tamp1 * byt1
        + tamp2 * byt2
        + a_src * bysrc
        + a_prc * byprc
        + a_r11 * byr11
        + a_r21 * byr21
        + a[19] * byimf
    )
    bbz = (
        a[0] * bzcf
        + tamp1 * bzt1
        + tamp2 * bzt2
        + a_src * bzsrc
        + a_prc * bzprc
        + a_r11 * bzr11
        + a_r21 * bzr21
        + a[19] * bzimf
    )
    if sigma < _MP_S0 - _MP_DSIG:  # inside the magnetosphere
        return bbx, bby, bbz
    # transition layer: interpolate the total field between inside and outside
    fint = 0.5 * (1.0 - (sigma - _MP_S0) / _MP_DSIG)
    fext = 0.5 * (1.0 + (sigma - _MP_S0) / _MP_DSIG)
    qx, qy, qz = _dipole(ps, x, y, z)
    bx = (bbx + qx) * fint - qx  # the outer x component is zero
    by = (bby + qy) * fint + oimfy * fext - qy
    bz = (bbz + qz) * fint + oimfz * fext - qz
    return bx, by, bz


# --------------------------------------------------------------------------------------------
# Public wrappers
# --------------------------------------------------------------------------------------------


@numba.njit(parallel=True, **_JIT)
def _ts05_many(parmod, ps, x, y, z, bx, by, bz):
    n = x.size
    scalar_tilt = ps.size == 1
    for i in numba.prange(n):
        tilt = ps[0] if scalar_tilt else ps[i]
        bx[i], by[i], bz[i] = ts05(parmod, tilt, x[i], y[i], z[i])


def _as_parmod(parmod: ArrayLike) -> np.ndarray:
    arr = np.asarray(parmod, dtype=np.float64)
    if arr.shape != (10,):
        raise InvalidArgumentError(
            f"expected 10 values [pdyn, dst, by, bz, w1..w6], got an array of shape {arr.shape}",
            argument="parmod",
        )
    return np.ascontiguousarray(arr)


def ts05_field(
    parmod: ArrayLike, ps: ArrayLike, x: ArrayLike, y: ArrayLike, z: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TS05 external magnetospheric field at many points (parallel numba loop).

    ``ps``, ``x``, ``y`` and ``z`` are broadcast against each other (a scalar tilt with position
    arrays is the usual case). The parameters are checked with
    :func:`validate_ts05_parameters` (errors for invalid values, a
    :class:`~geospacexr.errors.DataWarning` outside the fitted range).

    Args:
        parmod: The 10 model parameters ``[pdyn (nPa), dst (nT), by (nT), bz (nT), w1, ..., w6]``
            (see :func:`ts05`).
        ps: Dipole tilt angle(s) in radians (geopack convention).
        x: GSM x (Re), any shape.
        y: GSM y (Re).
        z: GSM z (Re).

    Returns:
        ``(bx, by, bz)``: float64 arrays of the broadcast shape, GSM components in nT.

    Raises:
        InvalidArgumentError: If ``parmod`` does not hold 10 values, a parameter is not finite,
            pdyn is not positive or a W is negative.

    References:
        Tsyganenko, N. A., and M. I. Sitnov (2005), Modeling the dynamics of the inner
        magnetosphere during strong geomagnetic storms, J. Geophys. Res., 110, A03208,
        doi:10.1029/2004JA010798.
    """
    par = _as_parmod(parmod)
    validate_ts05_parameters(par[0], par[1], par[2], par[3], par[4:], stacklevel=3)
    ps_b, xb, yb, zb = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (ps, x, y, z))
    )
    shape = xb.shape
    tilt = np.asarray(ps, dtype=np.float64)
    if tilt.size == 1:
        tilt_flat = tilt.reshape(1).copy()
    else:
        tilt_flat = np.ascontiguousarray(ps_b).ravel()
    xf = np.ascontiguousarray(xb).ravel()
    yf = np.ascontiguousarray(yb).ravel()
    zf = np.ascontiguousarray(zb).ravel()
    bx = np.empty(xf.size)
    by = np.empty(xf.size)
    bz = np.empty(xf.size)
    if xf.size:
        _ts05_many(par, tilt_flat, xf, yf, zf, bx, by, bz)
    return bx.reshape(shape), by.reshape(shape), bz.reshape(shape)


def validate_ts05_parameters(
    pdyn: ArrayLike,
    dst: ArrayLike,
    by: ArrayLike,
    bz: ArrayLike,
    w: ArrayLike,
    *,
    stacklevel: int = 2,
) -> np.ndarray:
    """Check TS05 driving parameters and pack them into ``parmod`` arrays.

    Invalid values raise; values the model can evaluate but that lie outside the conditions
    sampled by its fitting data (:data:`TS05_PARAMETER_RANGES`: pdyn 0.5-20 nPa, Dst -300..+20
    nT, ``|By|``, ``|Bz|`` <= 50 nT) give a :class:`~geospacexr.errors.DataWarning`, since the model
    then extrapolates. The W's have no upper warning limit: they enter through saturating
    functions ``W / sqrt(W^2 + c^2)`` (Tsyganenko & Sitnov 2005).

    Args:
        pdyn: Solar-wind ram pressure (nPa), > 0.
        dst: Dst (or SYM-H) index (nT).
        by: IMF By in GSM (nT).
        bz: IMF Bz in GSM (nT).
        w: The six storm-time variables W1..W6 (dimensionless, >= 0), a sequence of 6 or an
            array whose last axis has length 6.
        stacklevel: Passed to :func:`warnings.warn`.

    Returns:
        float64 array of shape ``broadcast_shape + (10,)``: ``[pdyn, dst, by, bz, w1..w6]``
        (shape ``(10,)`` for scalar inputs), ready for :func:`ts05` / :func:`ts05_field`.

    Raises:
        InvalidArgumentError: Naming the argument, if a value is not finite, pdyn <= 0, a W is
            negative or ``w`` does not have 6 values on its last axis.

    References:
        Tsyganenko, N. A., and M. I. Sitnov (2005), J. Geophys. Res., 110, A03208,
        doi:10.1029/2004JA010798.
    """
    values = {}
    for name, value in (("pdyn", pdyn), ("dst", dst), ("by", by), ("bz", bz)):
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"expected a number, got {value!r}", argument=name) from exc
        if not np.all(np.isfinite(arr)):
            raise InvalidArgumentError("must be finite (got NaN or infinity)", argument=name)
        values[name] = arr
    try:
        warr = np.asarray(w, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"expected 6 numbers W1..W6, got {w!r}", argument="w") from exc
    if warr.ndim == 0 or warr.shape[-1] != 6:
        raise InvalidArgumentError(
            f"expected 6 values W1..W6 on the last axis, got shape {warr.shape}", argument="w"
        )
    if not np.all(np.isfinite(warr)):
        raise InvalidArgumentError("W1..W6 must be finite (got NaN or infinity)", argument="w")
    if np.any(values["pdyn"] <= 0.0):
        raise InvalidArgumentError(
            f"solar-wind ram pressure must be positive (nPa), got min {values['pdyn'].min()}",
            argument="pdyn",
        )
    if np.any(warr < 0.0):
        raise InvalidArgumentError(
            f"W1..W6 must be non-negative, got min {warr.min()}", argument="w"
        )
    for name, (lo, hi) in TS05_PARAMETER_RANGES.items():
        arr = values[name]
        if np.any(arr < lo) or np.any(arr > hi):
            warnings.warn(
                f"TS05 {name} = {arr.min():g}..{arr.max():g} lies outside the range of the "
                f"model's fitting data ({lo:g}..{hi:g}); the model is extrapolating",
                DataWarning,
                stacklevel=stacklevel,
            )
    shape = np.broadcast_shapes(*(v.shape for v in values.values()), warr.shape[:-1])
    out = np.empty((*shape, 10))
    out[..., 0] = values["pdyn"]
    out[..., 1] = values["dst"]
    out[..., 2] = values["by"]
    out[..., 3] = values["bz"]
    out[..., 4:] = warr
    return out


# --------------------------------------------------------------------------------------------
# Coefficient tables: Tsyganenko's TS04c / T04_s Fortran code, release with the 24 June 2006
# corrections (A, C_SY, AP); transcribed as exact decimals. 0-based indices in the code are the
# Fortran indices minus one.
# --------------------------------------------------------------------------------------------

# fmt: off
# T04_s DATA A(69): amplitudes and nonlinear parameters of the model (June 2006 set).
_A = np.array(
    [
        1.0, 5.44118, 0.891995, 9.09684, 0.0,
        -7.18972, 12.27, -4.89408, 0.0, 0.870536,
        1.36081, 0.0, 0.68865, 0.60233, 0.0,
        0.316346, 1.22728, -0.036362, -0.405821, 0.452536,
        0.755831, 0.215662, 0.152759, 5.96235, 23.2036,
        11.2994, 69.9596, 0.989596, -0.0132131, 0.985681,
        0.0344212, 1.02389, 0.207867, 1.5122, 0.0682715,
        1.84714, 1.76977, 1.3769, 0.69635, 0.34328,
        3.28846, 111.293, 5.82287, 4.39664, 0.383403,
        0.648176, 0.0318752, 0.581168, 1.1507, 0.843004,
        0.394732, 0.846509, 0.916555, 0.55092, 0.180725,
        0.898772, 0.387365, 2.26596, 1.29123, 0.436819,
        1.28211, 1.33199, 0.405553, 1.6229, 0.699074,
        1.26131, 2.42297, 0.537116, 0.619441,
    ]
)

# SHLCAR3X3: dipole shield, 36 amplitudes, 12 scales (P, R, Q, S), 2 tilt factors.
_SHIELD_DIPOLE = np.array(
    [
        -901.2327248, 895.8011176, 817.6208321, -845.5880889, -83.73539535,
        86.58542841, 336.8781402, -329.3619944, -311.294712, 308.6011161,
        31.94469304, -31.30824526, 125.8739681, -372.3384278, -235.4720434,
        286.7594095, 21.86305585, -27.42344605, -150.4874688, 2.669338538,
        1.395023949, -0.5540427503, -56.85224007, 3.681827033, -43.48705106,
        5.103131905, 1.073551279, -0.6673083508, 12.21404266, 4.177465543,
        5.799964188, -0.3977802319, -1.044652977, 0.570356001, 3.536082962,
        -3.222069852, 9.620648151, 6.082014949, 27.75216226, 12.44199571,
        5.122226936, 6.982039615, 20.12149582, 6.150973118, 4.663639687,
        15.73319647, 2.303504968, 5.840511214, 0.08385953499, 0.3477844929,
    ]
)

# UNWARPED A1: shield of tail mode 1, 50 amplitudes (pairs) and 10 scales.
_TAIL_SHIELD_1 = np.array(
    [
        -25.45869857, 57.3589908, 317.5501869, -2.626756717, -93.38053698,
        -199.6467926, -858.8129729, 34.09192395, 845.4214929, -29.07463068,
        47.10678547, -128.9797943, -781.7512093, 6.165038619, 167.8905046,
        492.068041, 1654.724031, -46.7733792, -1635.922669, 40.86186772,
        -0.1349775602, -0.09661991179, -0.1662302354, 0.002810467517, 0.2487355077,
        0.1025565237, -14.41750229, -0.8185333989, 11.07693629, 0.7569503173,
        -9.655264745, 112.2446542, 777.5948964, -5.745008536, -83.03921993,
        -490.2278695, -1155.004209, 39.0802332, 1172.780574, -39.44349797,
        -14.07211198, -40.41201127, -313.2277343, 2.203920979, 8.232835341,
        197.7065115, 391.2733948, -18.57424451, -437.2779053, 23.04976898,
        11.75673963, 13.60497313, 4.69192706, 18.20923547, 27.59044809,
        6.677425469, 1.398283308, 2.839005878, 31.24817706, 24.53577264,
    ]
)

# UNWARPED A2: shield of tail mode 2.
_TAIL_SHIELD_2 = np.array(
    [
        -287187.1962, 4970.499233, 410490.1952, -1347.839052, -386370.324,
        3317.98375, -143462.3895, 5706.513767, 171176.2904, 250.888275,
        -506570.8891, 5733.592632, 397975.5842, 9771.762168, -941834.2436,
        7990.97526, 54313.10318, 447.538806, 528046.3449, 12751.04453,
        -21920.98301, -21.05075617, 31971.07875, 3012.641612, -301822.9103,
        -3601.107387, 1797.577552, -6.315855803, 142578.8406, 13161.9364,
        804184.841, -14168.99698, -851926.636, -1890.885671, 972475.6869,
        -8571.862853, 26432.49197, -2554.752298, -482308.3431, -4391.473324,
        105155.916, -1134.62205, -74353.53091, -5382.670711, 695055.0788,
        -916.3365144, -12111.06667, 67.20923358, -367200.9285, -21414.14421,
        14.75567902, 20.7563819, 59.78601609, 16.86431444, 32.58482365,
        23.69472951, 17.24977936, 13.64902647, 68.40989058, 11.67828167,
    ]
)

# TAILDISK F, B, C: expansion of the current disk.
_TAILDISK_F = np.array(
    [
        -71.09346626, -1014.308601, -1272.939359, -3224.935936, -44546.86232,
    ]
)

# TAILDISK B
_TAILDISK_B = np.array(
    [
        10.90101242, 12.68393898, 13.51791954, 14.86775017, 15.12306404,
    ]
)

# TAILDISK C
_TAILDISK_C = np.array(
    [
        0.7954069972, 0.6716601849, 1.174866319, 2.56524992, 10.0198679,
    ]
)

# BIRK_TOT SH11: shield of region-1 mode-1 currents (72 amplitudes, 12 scales, 2 tilts).
_BIRK_SHIELD_11 = np.array(
    [
        46488.84663, -15541.95244, -23210.09824, -32625.03856, -109894.4551,
        -71415.32808, 58168.94612, 55564.87578, -22890.60626, -6056.763968,
        5091.3681, 239.7001538, -13899.49253, 4648.016991, 6971.310672,
        9699.351891, 32633.34599, 21028.48811, -17395.9619, -16461.11037,
        7447.621471, 2528.844345, -1934.094784, -588.3108359, -32588.88216,
        10894.11453, 16238.25044, 22925.60557, 77251.11274, 50375.97787,
        -40763.78048, -39088.6066, 15546.53559, 3559.617561, -3187.730438,
        309.1487975, 88.22153914, -243.0721938, -63.63543051, 191.1109142,
        69.94451996, -187.9539415, -49.89923833, 104.0902848, -120.2459738,
        253.5572433, 89.25456949, -205.6516252, -44.93654156, 124.7026309,
        32.53005523, -98.85321751, -36.51904756, 98.8824169, 24.88493459,
        -55.04058524, 61.14493565, -128.4224895, -45.3502346, 105.0548704,
        -43.66748755, 119.3284161, 31.38442798, -92.87946767, -33.52716686,
        89.98992001, 25.87341323, -48.86305045, 59.69362881, -126.5353789,
        -44.39474251, 101.5196856, 59.41537992, 41.18892281, 80.861012,
        3.066809418, 7.893523804, 30.56212082, 10.36861082, 8.222335945,
        19.97575641, 2.050148531, 4.992657093, 2.300564232, 0.2256245602,
        -0.05841594319,
    ]
)

# BIRK_TOT SH21: shield of region-2 mode-1 currents.
_BIRK_SHIELD_21 = np.array(
    [
        162294.6224, 503885.1125, -27057.67122, -531450.1339, 84747.05678,
        -237142.1712, 84133.6149, 259530.0402, 69196.0516, -189093.5264,
        -19278.55134, 195724.5034, -263082.6367, -818899.6923, 43061.10073,
        863506.6932, -139707.9428, 389984.885, -135167.5555, -426286.9206,
        -109504.0387, 295258.3531, 30415.07087, -305502.9405, 100785.34,
        315010.9567, -15999.50673, -332052.2548, 54964.34639, -152808.375,
        51024.67566, 166720.0603, 40389.67945, -106257.7272, -11126.14442,
        109876.2047, 2.978695024, 558.6019011, 2.685592939, -338.000473,
        -81.9972409, -444.1102659, 89.44617716, 212.0849592, -32.58562625,
        -982.7336105, -35.10860935, 567.8931751, -1.917212423, -260.2023543,
        -1.023821735, 157.5533477, 23.00200055, 232.0603673, -36.79100036,
        -111.9110936, 18.05429984, 447.0481, 15.10187415, -258.7297813,
        -1.032340149, -298.6402478, -1.676201415, 180.5856487, 64.52313024,
        209.0160857, -53.8557401, -98.5216429, 14.35891214, 536.7666279,
        20.09318806, -309.734953, 58.54144539, 67.4522685, 97.92374406,
        4.75244976, 10.46824379, 32.9185611, 12.05124381, 9.962933904,
        15.91258637, 1.804233877, 6.578149088, 2.515223491, 0.1930034238,
        -0.02261109942,
    ]
)

# BIRK_1N2 A11: conical current model, region 1 mode 1 (last value: cone angle).
_CONE_11 = np.array(
    [
        0.161806835, -0.1797957553, 2.999642482, -0.9322708978, -0.681105976,
        0.2099057262, -8.358815746, -14.8603355, 0.3838362986, -16.30945494,
        4.537022847, 2.685836007, 27.97833029, 6.330871059, 1.876532361,
        18.95619213, 0.96515281, 0.4217195118, -0.0895777002, -1.823555887,
        0.7457045438, -0.5785916524, -1.010200918, 0.01112389357, 0.09572927448,
        -0.3599292276, 8.713700514, 0.9763932955, 3.834602998, 2.492118385,
        0.7113544659,
    ]
)

# BIRK_1N2 A21: region 2 mode 1.
_CONE_21 = np.array(
    [
        0.1278764024, -0.2320034273, 1.805623266, -32.3724144, -0.9931490648,
        0.317508563, -2.492465814, -16.21600096, 0.2695393416, -6.752691265,
        3.971794901, 14.54477563, 41.10158386, 7.91288973, 1.258297372,
        9.583547721, 1.014141963, 0.5104134759, -0.1790430468, -1.756358428,
        0.7561986717, -0.6775248254, -0.0401401642, 0.01446794851, 0.1200521731,
        -0.2203584559, 4.50896385, 0.8221623576, 1.77993373, 1.102649543,
        0.886788002,
    ]
)

# FULL_RC C_SY: shield of the symmetric ring current (corrected values, May 2006).
_RC_SHIELD_SY = np.array(
    [
        -957.25349, -817.5450246, 583.2991249, 758.856827, 13.17029064,
        68.94173502, -15.29764089, -53.4315159, 27.34311724, 149.5252826,
        -11.00696044, -179.7031814, 953.0914774, 817.2340042, -581.0791366,
        -757.5387665, -13.10602697, -68.58155678, 15.22447386, 53.15535633,
        -27.07982637, -149.1413391, 10.91433279, 179.3251739, -6.028703251,
        1.303196101, -1.345909343, -1.13829633, -0.06642634348, -0.3795246458,
        0.07487833559, 0.2891156371, -0.5506314391, -0.4443105812, 0.2273682152,
        0.01086886655, -9.130025352, 1.11868484, 1.110838825, 0.1219761512,
        -0.06263009645, -0.1896093743, 0.03434321042, 0.01523060688, -0.4913171541,
        -0.2264814165, -0.04791374574, 0.1981955976, -68.3267814, -48.72036263,
        14.03247808, 16.56233733, 2.369921099, 6.200577111, -1.41584125,
        -0.8184867835, -3.401307527, -8.490692287, 3.217860767, -9.037752107,
        66.09298105, 48.23198578, -13.67277141, -16.27028909, -2.309299411,
        -6.016572391, 1.381468849, 0.7935312553, 3.436934845, 8.260038635,
        -3.136213782, 8.833214943, 8.041075485, 8.024818618, 35.54861873,
        12.55415215, 1.738167799, 3.721685353, 23.06768025, 6.871230562,
        6.806229878, 21.35990364, 1.687412298, 3.500885177, 0.3498952546,
        0.6595919814,
    ]
)

# FULL_RC C_PR: shield of the partial ring current.
_RC_SHIELD_PR = np.array(
    [
        -64820.58481, -63965.62048, 66267.93413, 135049.7504, -36.56316878,
        124.6614669, 56.75637955, -87.56841077, 5848.631425, 4981.097722,
        -6233.712207, -10986.40188, 68716.52057, 65682.69473, -69673.32198,
        -138829.3568, 43.45817708, -117.9565488, -62.14836263, 79.83651604,
        -6211.451069, -5151.633113, 6544.481271, 11353.03491, 23.72352603,
        -256.4846331, 25.77629189, 145.2377187, -4.472639098, -3.554312754,
        2.936973114, 2.682302576, 2.728979958, 26.43396781, -9.312348296,
        -29.65427726, -247.5855336, -206.9111326, 74.25277664, 106.4069993,
        15.45391072, 16.35943569, -5.96517775, -6.0794517, 115.6748385,
        -35.27377307, -32.28763497, -32.53122151, 93.7440931, 84.25677504,
        -29.23010465, -43.79485175, -6.434679514, -6.620247951, 2.443524317,
        2.266538956, -43.82903825, 6.904117876, 12.24289401, 17.62014361,
        152.3078796, 124.5505289, -44.5869029, -63.0238241, -8.999368955,
        -9.693774119, 3.510930306, 3.770949738, -77.96705716, 22.07730961,
        20.46491655, 18.67728847, 9.451290614, 9.313661792, 644.762097,
        418.2515954, 7.183754387, 35.62128817, 19.43180682, 39.57218411,
        15.69384715, 7.123215241, 2.300635346, 21.90881131, -0.0177583937,
        0.399634671,
    ]
)

# AP: symmetric ring current vector potential (corrected values, 20 April 2006).
# order: a1, a2, rrc1, dd1, rrc2, dd2, p1, r1, dr1, dla1, p2, r2, dr2, dla2, p3, r3, dr3
_AP = (
    -456.5289941, 375.9055332, 4.27468495, 2.439528329, 3.367557287,
    3.146382545, -0.2291904607, 3.74606474, 1.508802177, 0.5873525737,
    0.1556236119, 4.993638842, 3.324180497, 0.4368407663, 0.1855957207,
    2.969226745, 2.243367377,
)

# APPRC: symmetric part of the partial ring current.
# order: a1, a2, rrc1, dd1, rrc2, dd2, p1, alpha1, dal1, beta1, dg1, p2, alpha2, dal2, beta2, dg2,
#   beta3, p3, alpha3, dal3, beta4, dg3, beta5, q0, q1, alpha4, dal4, dg4, q2, alpha5, dal5, dg5,
#   beta6, beta7
_APPRC = (
    -80.11202281, 12.58246758, 6.560486035, 1.930711037, 3.827208119,
    0.7789990504, 0.3058309043, 0.1817139853, 0.1257532909, 3.422509402,
    0.04742939676, -4.800458958, -0.02845643596, 0.2188114228, 2.545944574,
    0.00813272793, 0.35868244, 103.1601001, -0.00764731187, 0.1046487459,
    2.958863546, 0.01172314188, 0.4382872938, 0.0113490815, 14.51339943,
    0.2647095287, 0.07091230197, 0.01512963586, 6.861329631, 0.1677400816,
    0.04433648846, 0.05553741389, 0.7665599464, 0.7277854652,
)

# BR_PRC_Q: B_r of the PRC "quadrupole" (linear parameters scaled to 1 nPa).
# order: a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, xk1,
#   al1, dal1, b1, be1, xk2, al2, dal2, b2, be2, xk3, xk4, al3, dal3, b3, be3, al4, dal4, dg1,
#   al5, dal5, dg2, c1, c2, c3, al6, dal6, drm
_BR_PRC_Q = (
    -21.2666329, 32.24527521, -6.062894078, 7.515660734, 233.7341288,
    -227.1195714, 8.483233889, 16.80642754, -24.63534184, 9.067120578,
    -1.052686913, -12.08384538, 18.61969572, -12.71686069, 47017.35679,
    -50646.71204, 7746.058231, 1.531069371, 2.318824273, 0.1417519429,
    0.00638801311, 5.303934488, 4.213397467, 0.7955534018, 0.1401142771,
    0.02306094179, 3.462235072, 2.56874301, 3.477425908, 1.92215511,
    0.1485233485, 0.02319676273, 7.830223587, 8.492933868, 0.1295221828,
    0.01753008801, 0.01125504083, 0.1811846095, 0.04841237481, 0.01981805097,
    6.557801891, 6.348576071, 5.744436687, 0.2265212965, 0.1301957209,
    0.5654023158,
)

# BT_PRC_Q: B_theta of the PRC "quadrupole".
# order: a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, xk1, al1,
#   dal1, b1, be1, xk2, al2, dal2, be2, xk3, xk4, al3, dal3, b3, be3, al4, dal4, dg1, al5, dal5,
#   dg2, c1, c2, c3
_BT_PRC_Q = (
    12.74640393, -7.516393516, -5.476233865, 3.212704645, -59.10926169,
    46.62198189, -0.01644280062, 0.1234229112, -0.08579198697, 0.01321366966,
    0.8970494003, 9.136186247, -38.19301215, 21.73775846, -410.0783424,
    -69.9083269, -848.854344, 1.243288286, 0.207172136, 0.05030555417,
    7.471332374, 3.180533613, 1.376743507, 0.1568504222, 0.02092910682,
    1.985148197, 0.315713994, 1.056309517, 0.1701395257, 0.101987007,
    6.293740981, 5.671824276, 0.1280772299, 0.02189060799, 0.0104069608,
    0.1648265607, 0.04701592613, 0.01526400086, 12.88384229, 3.361775101,
    23.44173897,
)
# fmt: on


# --------------------------------------------------------------------------------------------
# Registry entry (geospacexr.rb.models): the one declaration of the model.
# --------------------------------------------------------------------------------------------
def _validate(params):
    validate_ts05_parameters(
        params["pdyn"], params["dst"], params["by"], params["bz"],
        [params[f"w{i}"] for i in range(1, 7)], stacklevel=5,
    )  # fmt: skip


_SOLAR_WIND = (
    ("pdyn", "nPa", "solar-wind dynamic pressure (> 0)", 2.0),
    ("dst", "nT", "Dst (or SYM-H) index", -20.0),
    ("by", "nT", "IMF By (GSM)", 0.0),
    ("bz", "nT", "IMF Bz (GSM)", -2.0),
)

register_model(
    "ts05",
    ts05,
    description="Tsyganenko & Sitnov (2005) storm-time external field (June-2006 coefficients).",
    parameters=[
        *(
            Parameter(name, units, text, required=True,
                      valid=(0.0, math.inf) if name == "pdyn" else (-math.inf, math.inf),
                      fitted=TS05_PARAMETER_RANGES[name], example=example)
            for name, units, text, example in _SOLAR_WIND
        ),
        *(
            Parameter(f"w{i}", "1", f"storm-time driving variable W{i}", required=True,
                      valid=(0.0, math.inf), span=(0.0, 20.0), example=0.5)
            for i in range(1, 7)
        ),
    ],
    references=[
        "Tsyganenko & Sitnov (2005), J. Geophys. Res., 110, A03208, doi:10.1029/2004JA010798",
    ],
    validate=_validate,
    compile_seconds=10.0,  # measured CPU time of its kernel, cold cache (docs/rb.md)
)  # fmt: skip
