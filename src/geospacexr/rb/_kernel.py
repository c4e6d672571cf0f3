"""The compiled core of :mod:`geospacexr.rb`: field dispatch, the field-line tracer, K and L*.

Everything here is ``numba.njit(cache=True)`` and works on plain arrays, so a whole L* (dozens of
field lines, hundreds of thousands of field evaluations) runs without returning to Python.

A field model reaches the kernels as a marker and packed arrays (built by
:meth:`geospacexr.rb.models.Model.kernel_args`), so numba can cache the compiled tracer on disk:

* ``em``: an :class:`ExternalModel` marker, a first-class function: the external field's
  kernel (the one registered with :func:`geospacexr.rb.models.register_model`, or none). Every
  marker has the same numba type, so the tracer, K and L* kernels compile once for every model
  (one specialisation, cached on disk) and call the model's kernel through a function pointer;
  a model's first use compiles only its own kernel;
* ``ip`` (int64): ``[internal code, IGRF nmax, gridded field (0 or 1)]``;
* ``fp`` (float64): ``[tilt ps (rad), dipole B0 (nT), dipole axis (3), rotation trace->GEO (9,
  row-major), grid inner radius (Re), the external model's packed parameters (any number)]``;
* ``gh`` (float64): packed IGRF Gauss coefficients (length 1 when unused);
* ``gx, gy, gz, gb, gc, gk``: a gridded field (axes or bucket geometry, values, curvilinear
  nodes, bucket index; size 1 when unused).

Positions are in Earth radii in the *trace frame* (GSM for the analytic models, the grid's frame
for gridded fields); fields are in nT.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import sys
from pathlib import Path
from typing import Any

import numba.experimental.function_type  # noqa: F401 (typing and unboxing of first-class functions)
import numpy as np
from numba import njit, prange, types
from numba.core.types.function_type import WrapperAddressProtocol

from .igrf import igrf_geo

# Long argument lists of the compiled kernels are kept compact (no formatter below).
# fmt: off

INTERNAL_NONE = 0
INTERNAL_DIPOLE = 1
INTERNAL_IGRF = 2

FP_PS = 0
FP_B0 = 1
FP_AXIS = 2
FP_ROT = 5
FP_RINNER = 14
FP_PARMOD = 15  # the external model's parameters start here and run to the end of fp
FP_SIZE = 15  # without the external parameters
IP_GRID = 2  # nonzero: a gridded field (the grid, the internal field inside its hole)
IP_SIZE = 3

# Trace end codes.
END_INNER = 0
END_OUTER = 1
END_DOMAIN = 2
END_STEPS = 3
END_BSTOP = 4

# Drift-shell search traces stop where |B| exceeds the mirror field by this factor.
SHELL_MARGIN = 1.05

# Particle status codes (documented in geospacexr.rb.invariants.STATUS).
OK = 0
OPEN = 1
LEAVES_DOMAIN = 2
MIRROR_BELOW = 3
SHABANSKY = 4
NO_CONVERGENCE = 5
INVALID_POSITION = 6

NT_TO_G = 1.0e-5


# --------------------------------------------------------------------------- field evaluation
@njit(cache=True, error_model="numpy")
def dipole_field(b0, ax, ay, az, x, y, z):
    """Centred dipole of equatorial surface field ``b0`` (nT) with its north axis ``a``."""
    r2 = x * x + y * y + z * z
    r = math.sqrt(r2)
    f = b0 / (r2 * r2 * r)
    ad3 = 3.0 * (ax * x + ay * y + az * z)
    return f * (ax * r2 - ad3 * x), f * (ay * r2 - ad3 * y), f * (az * r2 - ad3 * z)


@njit(cache=True, error_model="numpy")
def internal_field(ip, fp, gh, x, y, z):
    """The internal (dipole or IGRF) field in the trace frame."""
    code = ip[0]
    if code == INTERNAL_DIPOLE:
        return dipole_field(fp[FP_B0], fp[FP_AXIS], fp[FP_AXIS + 1], fp[FP_AXIS + 2], x, y, z)
    if code == INTERNAL_IGRF:
        r = FP_ROT
        xg = fp[r] * x + fp[r + 1] * y + fp[r + 2] * z
        yg = fp[r + 3] * x + fp[r + 4] * y + fp[r + 5] * z
        zg = fp[r + 6] * x + fp[r + 7] * y + fp[r + 8] * z
        bx, by, bz = igrf_geo(gh, ip[1], xg, yg, zg)
        return (
            fp[r] * bx + fp[r + 3] * by + fp[r + 6] * bz,
            fp[r + 1] * bx + fp[r + 4] * by + fp[r + 7] * bz,
            fp[r + 2] * bx + fp[r + 5] * by + fp[r + 8] * bz,
        )
    return 0.0, 0.0, 0.0


@njit(cache=True, error_model="numpy")
def _locate(axis, v):
    """Index i with axis[i] <= v <= axis[i+1] and the fraction, or -1 outside."""
    n = axis.shape[0]
    if not (axis[0] <= v <= axis[n - 1]):
        return -1, 0.0
    i = np.searchsorted(axis, v) - 1
    if i < 0:
        i = 0
    if i > n - 2:
        i = n - 2
    return i, (v - axis[i]) / (axis[i + 1] - axis[i])


@njit(cache=True, error_model="numpy")
def _rectilinear(gx, gy, gz, gb, x, y, z, cubic):
    """Trilinear interpolation of r^3 B (``cubic``) or of B on a rectilinear Earth-centred grid.

    Interpolating r^3 B instead of B removes the r^-3 fall-off of the dominant dipole part,
    which trilinear weights would otherwise overestimate by ~1.5 (h / r)^2 near the Earth
    (0.6% at 4 Re on a 0.25 Re grid); r^3 B varies only with latitude and the external field.
    Without ``cubic`` the values (a residual over the dipole) are interpolated as they are.

    Returns:
        (Bx, By, Bz, inside): NaN and inside = False outside the grid.
    """
    i, fx = _locate(gx, x)
    j, fy = _locate(gy, y)
    k, fz = _locate(gz, z)
    if i < 0 or j < 0 or k < 0:
        return np.nan, np.nan, np.nan, False
    r3 = (x * x + y * y + z * z) ** 1.5 if cubic else 1.0
    bx = 0.0
    by = 0.0
    bz = 0.0
    for di in range(2):
        wx = fx if di == 1 else 1.0 - fx
        for dj in range(2):
            wy = fy if dj == 1 else 1.0 - fy
            for dk in range(2):
                wz = fz if dk == 1 else 1.0 - fz
                cx, cy, cz = gx[i + di], gy[j + dj], gz[k + dk]
                w = wx * wy * wz
                if cubic:
                    w *= (cx * cx + cy * cy + cz * cz) ** 1.5
                bx += w * gb[i + di, j + dj, k + dk, 0]
                by += w * gb[i + di, j + dj, k + dk, 1]
                bz += w * gb[i + di, j + dj, k + dk, 2]
    return bx / r3, by / r3, bz / r3, True


#: Relative size of a cell's Jacobian determinant below which the cell is treated as degenerate
#: at the point (a polar axis of a spherical grid: a face collapsed to an edge).
_DEGENERATE = 1e-12
#: Newton iterations of the local-coordinate search in one cell.
_NEWTON_STEPS = 12
#: Tolerance on the local coordinates (inside the cell) and on the position residual (relative
#: to the cell's size) of an accepted point.
_CELL_TOLERANCE = 1e-9


@njit(cache=True, error_model="numpy")
def _cell_map(gc, i, j, k, u, v, w):
    """Trilinear map of cell (i, j, k) at (u, v, w): the point and its Jacobian (row-major)."""
    f0 = f1 = f2 = 0.0
    a00 = a01 = a02 = a10 = a11 = a12 = a20 = a21 = a22 = 0.0
    for a in range(2):
        wa = u if a == 1 else 1.0 - u
        da = 1.0 if a == 1 else -1.0
        for b in range(2):
            wb = v if b == 1 else 1.0 - v
            db = 1.0 if b == 1 else -1.0
            for c in range(2):
                wc = w if c == 1 else 1.0 - w
                dc = 1.0 if c == 1 else -1.0
                px = gc[i + a, j + b, k + c, 0]
                py = gc[i + a, j + b, k + c, 1]
                pz = gc[i + a, j + b, k + c, 2]
                t = wa * wb * wc
                tu = da * wb * wc
                tv = wa * db * wc
                tw = wa * wb * dc
                f0 += t * px
                f1 += t * py
                f2 += t * pz
                a00 += tu * px
                a01 += tv * px
                a02 += tw * px
                a10 += tu * py
                a11 += tv * py
                a12 += tw * py
                a20 += tu * pz
                a21 += tv * pz
                a22 += tw * pz
    return f0, f1, f2, a00, a01, a02, a10, a11, a12, a20, a21, a22


@njit(cache=True, error_model="numpy")
def _solve3(a00, a01, a02, a10, a11, a12, a20, a21, a22, r0, r1, r2):
    """Solution (s0, s1, s2, det) of the 3x3 system a s = r by Cramer's rule (0 if singular)."""
    c00 = a11 * a22 - a12 * a21
    c01 = a10 * a22 - a12 * a20
    c02 = a10 * a21 - a11 * a20
    det = a00 * c00 - a01 * c01 + a02 * c02
    if det == 0.0 or det != det:
        return 0.0, 0.0, 0.0, det
    s0 = (r0 * c00 - a01 * (r1 * a22 - a12 * r2) + a02 * (r1 * a21 - a11 * r2)) / det
    s1 = (a00 * (r1 * a22 - a12 * r2) - r0 * c01 + a02 * (a10 * r2 - r1 * a20)) / det
    s2 = (a00 * (a11 * r2 - r1 * a21) - a01 * (a10 * r2 - r1 * a20) + r0 * c02) / det
    return s0, s1, s2, det


@njit(cache=True, error_model="numpy")
def _invert_cell(gc, i, j, k, x, y, z):
    """Local coordinates (u, v, w) of a point in the hexahedral cell (i, j, k), by Newton.

    Cells on a polar axis (a spherical grid's axis singularity, where a face collapses to an
    edge) have a singular Jacobian on the axis itself. There the step is the damped
    least-squares one (Levenberg-Marquardt with a vanishing damping): the minimum-norm step,
    which leaves the azimuthal coordinate alone (any value is the same point) and solves the
    others. A point is accepted only if the map reproduces it (residual below a fraction of
    the cell's size) inside the cell (both with a small tolerance).

    Returns:
        (u, v, w, ok): ok when Newton converged inside the cell (with a small tolerance).
    """
    u = 0.5
    v = 0.5
    w = 0.5
    for _ in range(_NEWTON_STEPS):
        f0, f1, f2, a00, a01, a02, a10, a11, a12, a20, a21, a22 = _cell_map(gc, i, j, k, u, v, w)
        r0 = x - f0
        r1 = y - f1
        r2 = z - f2
        scale = (a00 * a00 + a01 * a01 + a02 * a02 + a10 * a10 + a11 * a11 + a12 * a12
                 + a20 * a20 + a21 * a21 + a22 * a22)
        s0, s1, s2, det = _solve3(a00, a01, a02, a10, a11, a12, a20, a21, a22, r0, r1, r2)
        if not (abs(det) > _DEGENERATE * scale * math.sqrt(scale)):
            # degenerate at this point (on an axis): minimum-norm damped least squares,
            # (J^T J + damping) s = J^T r
            m00 = a00 * a00 + a10 * a10 + a20 * a20
            m01 = a00 * a01 + a10 * a11 + a20 * a21
            m02 = a00 * a02 + a10 * a12 + a20 * a22
            m11 = a01 * a01 + a11 * a11 + a21 * a21
            m12 = a01 * a02 + a11 * a12 + a21 * a22
            m22 = a02 * a02 + a12 * a12 + a22 * a22
            damping = _DEGENERATE * (m00 + m11 + m22)
            if not (damping > 0.0):
                return u, v, w, False
            s0, s1, s2, det = _solve3(
                m00 + damping, m01, m02, m01, m11 + damping, m12, m02, m12, m22 + damping,
                a00 * r0 + a10 * r1 + a20 * r2,
                a01 * r0 + a11 * r1 + a21 * r2,
                a02 * r0 + a12 * r1 + a22 * r2,
            )
            if det == 0.0 or det != det:
                return u, v, w, False
        u += s0
        v += s1
        w += s2
        if abs(s0) + abs(s1) + abs(s2) < 1e-12:
            break
        if abs(u - 0.5) > 2.0 or abs(v - 0.5) > 2.0 or abs(w - 0.5) > 2.0:
            return u, v, w, False
    tol = _CELL_TOLERANCE
    if not (-tol <= u <= 1 + tol and -tol <= v <= 1 + tol and -tol <= w <= 1 + tol):
        return u, v, w, False
    size = 0.0  # the cell's diagonals
    for d in range(3):
        size += (gc[i + 1, j + 1, k + 1, d] - gc[i, j, k, d]) ** 2
        size += (gc[i + 1, j, k, d] - gc[i, j + 1, k + 1, d]) ** 2
        size += (gc[i, j + 1, k, d] - gc[i + 1, j, k + 1, d]) ** 2
        size += (gc[i, j, k + 1, d] - gc[i + 1, j + 1, k, d]) ** 2
    f0, f1, f2 = _cell_map(gc, i, j, k, u, v, w)[:3]
    miss = math.sqrt((x - f0) ** 2 + (y - f1) ** 2 + (z - f2) ** 2)
    return u, v, w, miss <= tol * math.sqrt(size)


@njit(cache=True, error_model="numpy")
def _curvilinear(gx, gb, gc, gk, x, y, z, cubic):
    """Interpolation of r^3 B (or B) in the curvilinear cell holding the point (bucket search).

    ``gx`` holds the bucket geometry [x0, y0, z0, hx, hy, hz]; ``gk`` the bucket counts
    [nbx, nby, nbz], the CSR offsets of each bucket's cells and the cell numbers.
    """
    if not (x == x and y == y and z == z):
        return np.nan, np.nan, np.nan, False
    nbx, nby, nbz = gk[0], gk[1], gk[2]
    bi = math.floor((x - gx[0]) / gx[3])
    bj = math.floor((y - gx[1]) / gx[4])
    bk = math.floor((z - gx[2]) / gx[5])
    if bi < 0 or bj < 0 or bk < 0 or bi >= nbx or bj >= nby or bk >= nbz:
        return np.nan, np.nan, np.nan, False
    bucket = (bi * nby + bj) * nbz + bk
    nb = nbx * nby * nbz
    start = gk[3 + bucket]
    stop = gk[3 + bucket + 1]
    nj = gc.shape[1] - 1
    nk = gc.shape[2] - 1
    for q in range(start, stop):
        cell = gk[3 + nb + 1 + q]
        i = cell // (nj * nk)
        j = (cell // nk) % nj
        k = cell % nk
        u, v, w, ok = _invert_cell(gc, i, j, k, x, y, z)
        if not ok:
            continue
        r3 = (x * x + y * y + z * z) ** 1.5 if cubic else 1.0
        bx = 0.0
        by = 0.0
        bz = 0.0
        for a in range(2):
            wa = u if a == 1 else 1.0 - u
            for b in range(2):
                wb = v if b == 1 else 1.0 - v
                for c in range(2):
                    wc = w if c == 1 else 1.0 - w
                    px = gc[i + a, j + b, k + c, 0]
                    py = gc[i + a, j + b, k + c, 1]
                    pz = gc[i + a, j + b, k + c, 2]
                    wt = wa * wb * wc
                    if cubic:
                        wt *= (px * px + py * py + pz * pz) ** 1.5
                    bx += wt * gb[i + a, j + b, k + c, 0]
                    by += wt * gb[i + a, j + b, k + c, 1]
                    bz += wt * gb[i + a, j + b, k + c, 2]
        return bx / r3, by / r3, bz / r3, True
    return np.nan, np.nan, np.nan, False


@njit(cache=True, error_model="numpy")
def grid_field(gx, gy, gz, gb, gc, gk, x, y, z, cubic=True):
    """A gridded field at a point: rectilinear (axes gx, gy, gz) or curvilinear (nodes gc).

    ``cubic``: interpolate r^3 B (a total field); else the values as they are (a residual).

    Returns:
        (Bx, By, Bz, inside): NaN and inside = False outside the grid's domain; NaN with
        inside = True in a cell touching NaN values (the hole around the Earth).
    """
    if gc.shape[0] > 1:
        return _curvilinear(gx, gb, gc, gk, x, y, z, cubic)
    return _rectilinear(gx, gy, gz, gb, x, y, z, cubic)


@njit(cache=True, error_model="numpy")
def build_buckets(gc, nbx, nby, nbz):
    """Precompute the cell search of a curvilinear grid: the cells overlapping each bucket.

    Args:
        gc: Node coordinates (ni, nj, nk, 3).
        nbx: Buckets along x.
        nby: Buckets along y.
        nbz: Buckets along z.

    Returns:
        (geometry [x0, y0, z0, hx, hy, hz], gk as described in :func:`_curvilinear`).
    """
    ni, nj, nk = gc.shape[0] - 1, gc.shape[1] - 1, gc.shape[2] - 1
    lo = np.empty(3)
    hi = np.empty(3)
    for d in range(3):
        lo[d] = np.nanmin(gc[:, :, :, d])
        hi[d] = np.nanmax(gc[:, :, :, d])
    nbs = np.array([nbx, nby, nbz])
    geo = np.empty(6)
    for d in range(3):
        span = hi[d] - lo[d]
        geo[d] = lo[d] - 1e-9 * (1.0 + abs(span))
        geo[3 + d] = span * (1.0 + 2e-9) / nbs[d] + 1e-12
    nb = nbx * nby * nbz
    counts = np.zeros(nb, dtype=np.int64)
    ncell = ni * nj * nk
    boxes = np.empty((ncell, 6), dtype=np.int64)
    for i in range(ni):
        for j in range(nj):
            for k in range(nk):
                cell = (i * nj + j) * nk + k
                for d in range(3):
                    cmin = np.inf
                    cmax = -np.inf
                    for a in range(2):
                        for b in range(2):
                            for c in range(2):
                                val = gc[i + a, j + b, k + c, d]
                                cmin = min(cmin, val)
                                cmax = max(cmax, val)
                    b0 = math.floor((cmin - geo[d]) / geo[3 + d])
                    b1 = math.floor((cmax - geo[d]) / geo[3 + d])
                    boxes[cell, 2 * d] = max(0, b0)
                    boxes[cell, 2 * d + 1] = min(nbs[d] - 1, b1)
                for bi in range(boxes[cell, 0], boxes[cell, 1] + 1):
                    for bj in range(boxes[cell, 2], boxes[cell, 3] + 1):
                        for bk in range(boxes[cell, 4], boxes[cell, 5] + 1):
                            counts[(bi * nby + bj) * nbz + bk] += 1
    total = counts.sum()
    gk = np.empty(3 + nb + 1 + total, dtype=np.int64)
    gk[0], gk[1], gk[2] = nbx, nby, nbz
    gk[3] = 0
    for q in range(nb):
        gk[3 + q + 1] = gk[3 + q] + counts[q]
    fill = np.zeros(nb, dtype=np.int64)
    for cell in range(ncell):
        for bi in range(boxes[cell, 0], boxes[cell, 1] + 1):
            for bj in range(boxes[cell, 2], boxes[cell, 3] + 1):
                for bk in range(boxes[cell, 4], boxes[cell, 5] + 1):
                    bucket = (bi * nby + bj) * nbz + bk
                    gk[3 + nb + 1 + gk[3 + bucket] + fill[bucket]] = cell
                    fill[bucket] += 1
    return geo, gk


@njit(cache=True, error_model="numpy")
def field(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x, y, z):
    """The model's total field (nT) at one point of the trace frame."""
    if ip[IP_GRID] != 0:
        bx, by, bz, _ = _grid_or_hole(ip, fp, gh, gx, gy, gz, gb, gc, gk, x, y, z)
        return bx, by, bz
    bx, by, bz = internal_field(ip, fp, gh, x, y, z)
    ex, ey, ez = external_field(em, fp, x, y, z)
    return bx + ex, by + ey, bz + ez


@njit(cache=True, error_model="numpy")
def external_field(em, fp, x, y, z):
    """The external model's field: the marker's kernel, called through its function pointer.

    The kernel receives the packed model parameters ``fp[FP_PARMOD:]`` and the dipole tilt
    ``fp[FP_PS]`` (radians).
    """
    return em(fp[FP_PARMOD:], fp[FP_PS], x, y, z)


@njit(cache=True, error_model="numpy")
def _grid_or_hole(ip, fp, gh, gx, gy, gz, gb, gc, gk, x, y, z):
    """A gridded model's field: the grid, or the internal field inside its hole.

    A gridded model's packed parameters ``fp[FP_PARMOD:FP_PARMOD + 7]`` are [B0, axis (3),
    inner field (3)] (see :func:`geospacexr.rb.models.from_grid`): with B0 > 0 the grid holds
    the residual over that dipole, interpolated linearly, and the dipole is added at the point;
    with B0 = 0 it holds the total field, interpolated as r^3 B. Inside the hole the internal
    field plus the uniform inner field (the external field continued inward) takes over.
    """
    b0 = 0.0
    hx = 0.0
    hy = 0.0
    hz = 0.0
    if fp.shape[0] >= FP_PARMOD + 7:
        b0 = fp[FP_PARMOD]
        hx, hy, hz = fp[FP_PARMOD + 4], fp[FP_PARMOD + 5], fp[FP_PARMOD + 6]
    if x * x + y * y + z * z < fp[FP_RINNER] * fp[FP_RINNER]:
        bx, by, bz = internal_field(ip, fp, gh, x, y, z)
        return bx + hx, by + hy, bz + hz, True
    bx, by, bz, inside = grid_field(gx, gy, gz, gb, gc, gk, x, y, z, not (b0 > 0.0))
    if bx != bx:
        if inside:
            # a cell touching the grid's hole around the Earth: the internal field takes over
            bx, by, bz = internal_field(ip, fp, gh, x, y, z)
            bx += hx
            by += hy
            bz += hz
    elif b0 > 0.0:
        dx, dy, dz = dipole_field(b0, fp[FP_PARMOD + 1], fp[FP_PARMOD + 2], fp[FP_PARMOD + 3],
                                  x, y, z)
        bx += dx
        by += dy
        bz += dz
    return bx, by, bz, True


# --------------------------------------------------------------------------- external models
#: The signature every external-field kernel is compiled for: ``kernel(par, ps, x, y, z) ->
#: (bx, by, bz)`` with the packed parameters ``par`` (a C-contiguous float64 array), the dipole
#: tilt ``ps`` (radians) and a position (Re, trace frame); the field in nT.
KERNEL_SIGNATURE = types.UniTuple(types.float64, 3)(
    types.float64[::1], types.float64, types.float64, types.float64, types.float64
)


@njit(cache=True, error_model="numpy")
def no_external_field(par, ps, x, y, z):
    """The external field of internal-only and gridded models: none."""
    return 0.0, 0.0, 0.0


class ExternalModel(WrapperAddressProtocol):
    """A model's external-field kernel as the compiled tracer takes it: a function pointer.

    Numba types every marker alike (a first-class function of :data:`KERNEL_SIGNATURE`), so the
    tracer, K and L* kernels compile **once**, for every model, and call the model's kernel
    through the pointer at run time; each kernel compiles on its own (once, cached on disk by
    numba), for that one signature, when a marker is first passed to a compiled function.
    Markers are made by :func:`external_model` (the field-model registry does it; see
    :func:`geospacexr.rb.models.register_model`).

    Args:
        key: ``"none"`` (no external field), ``"grid"`` (a gridded field) or a registered
            model's ``"<name>-<token>"``.
        kernel: The compiled kernel ``kernel(par, ps, x, y, z) -> (bx, by, bz)`` (None for
            ``"none"`` and ``"grid"``).
    """

    __slots__ = ("kernel", "key")

    def __init__(self, key: str, kernel: Any = None) -> None:
        self.key = key
        self.kernel = kernel

    def signature(self) -> Any:
        """The kernels' one signature (numba's wrapper-address protocol)."""
        return KERNEL_SIGNATURE

    def __wrapper_address__(self) -> int:
        """The address of the kernel compiled for :data:`KERNEL_SIGNATURE` (compiled on demand).

        A kernel that cannot return three floats for these arguments fails to compile here
        (numba's ``TypingError``, "No conversion from ...").
        """
        kernel = no_external_field if self.kernel is None else self.kernel
        result = kernel.get_compile_result(KERNEL_SIGNATURE)
        return result.library.get_pointer_to_function(result.fndesc.llvm_cfunc_wrapper_name)

    def __reduce__(self) -> tuple[Any, tuple[str, Any]]:
        return external_model, (self.key, self.kernel)

    def __repr__(self) -> str:
        return f"ExternalModel({self.key!r})"


def external_model(key: str, kernel: Any = None) -> ExternalModel:
    """The marker of ``key`` for ``kernel``.

    Args:
        key: Marker key (unique per kernel version: see :func:`kernel_token`).
        kernel: The numba-compiled external field ``kernel(par, ps, x, y, z)``.

    Returns:
        The :class:`ExternalModel`.
    """
    return ExternalModel(key, kernel)


def _hash_code(h: Any, code: Any) -> None:
    h.update(code.co_code)
    h.update(repr((code.co_name, code.co_names, code.co_varnames)).encode())
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            _hash_code(h, const)
        elif isinstance(const, frozenset):
            h.update(repr(sorted(map(repr, const))).encode())
        else:
            h.update(repr(const).encode())


def kernel_token(kernel: Any) -> str:
    """A short hash of a kernel's code, captured values and module source file.

    It is part of the marker key (the compile notice is shown once per key and process).

    Args:
        kernel: A numba dispatcher (or a plain function).

    Returns:
        12 hexadecimal digits, the same in every process for the same code.
    """
    py = getattr(kernel, "py_func", kernel)
    h = hashlib.sha256(py.__qualname__.encode())
    _hash_code(h, py.__code__)
    for cell in py.__closure__ or ():  # values a closure kernel captured (frozen by numba)
        value = cell.cell_contents
        inner = getattr(value, "py_func", None)
        h.update(kernel_token(value).encode() if inner is not None else repr(value).encode())
    path = getattr(sys.modules.get(py.__module__), "__file__", None)
    if path:
        with contextlib.suppress(OSError):
            h.update(Path(path).read_bytes())
    return h.hexdigest()[:12]


NO_EXTERNAL = external_model("none")
GRID = external_model("grid")


@njit(cache=True, parallel=True, error_model="numpy")
def field_many(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x, y, z):
    """Vectorised :func:`field` over flat arrays (parallel over points)."""
    n = x.shape[0]
    bx = np.empty(n)
    by = np.empty(n)
    bz = np.empty(n)
    for i in prange(n):
        bx[i], by[i], bz[i] = field(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x[i], y[i], z[i])
    return bx, by, bz


# --------------------------------------------------------------------------- tracer
@njit(cache=True, error_model="numpy")
def _unit(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x, y, z, sign):
    bx, by, bz = field(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x, y, z)
    b = math.sqrt(bx * bx + by * by + bz * bz)
    if not (b > 0.0):  # NaN (outside a grid) or a null
        return np.nan, np.nan, np.nan, np.nan
    f = sign / b
    return bx * f, by * f, bz * f, b


# Dormand-Prince 5(4) tableau (Dormand & Prince 1980) and its dense-output weights (Hairer,
# Norsett & Wanner, Solving ODEs I, contd5): y(t) = Hermite cubic + t^2 (1 - t)^2 * c5.
_DP_A = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.2, 0.0, 0.0, 0.0, 0.0, 0.0],
        [3.0 / 40.0, 9.0 / 40.0, 0.0, 0.0, 0.0, 0.0],
        [44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0, 0.0, 0.0, 0.0],
        [19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0, 0.0, 0.0],
        [9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0, 0.0],
        [35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0],
    ]
)
_DP_E = np.array(
    [
        71.0 / 57600.0,
        0.0,
        -71.0 / 16695.0,
        71.0 / 1920.0,
        -17253.0 / 339200.0,
        22.0 / 525.0,
        -1.0 / 40.0,
    ]
)
_DP_D = np.array(
    [
        -12715105075.0 / 11282082432.0,
        0.0,
        87487479700.0 / 32700410799.0,
        -10690763975.0 / 1880347072.0,
        701980252875.0 / 199316789632.0,
        -1453857185.0 / 822651844.0,
        69997945.0 / 29380423.0,
    ]
)


@njit(cache=True, error_model="numpy")
def _dp_step(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, y, h, sign, k, yt, c5):
    """One Dormand-Prince step of length h from y (k[0] holds the derivative at y).

    Fills k[1..6] (k[6]: derivative at the new point, FSAL), yt (new point) and c5 (the
    dense-output correction of the step).

    Returns:
        |B| at the new point (NaN when a stage left the model's domain).
    """
    b = 0.0
    for st in range(1, 7):
        for d in range(3):
            acc = 0.0
            for j in range(st):
                acc += _DP_A[st, j] * k[j, d]
            yt[d] = y[d] + h * acc
        ux, uy, uz, b = _unit(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, yt[0], yt[1], yt[2], sign)
        if not (b > 0.0):
            return np.nan
        k[st, 0], k[st, 1], k[st, 2] = ux, uy, uz
    for d in range(3):
        acc = 0.0
        for j in range(7):
            acc += _DP_D[j] * k[j, d]
        c5[d] = h * acc
    return b


@njit(cache=True, error_model="numpy")
def _dp_error(y, yt, k, h, rtol):
    err = 0.0
    for d in range(3):
        e = 0.0
        for j in range(7):
            e += _DP_E[j] * k[j, d]
        sc = rtol + rtol * max(abs(y[d]), abs(yt[d]))
        err = max(err, abs(h * e) / sc)
    return err


@njit(cache=True, error_model="numpy")
def _dense(y0, y1, t0, t1, c5, h, u, out):
    """Position at fraction u of a step (Hermite cubic on the end tangents + correction)."""
    u2 = u * u
    w = u2 * (1.0 - u) * (1.0 - u)
    h00 = 2 * u2 * u - 3 * u2 + 1
    h10 = u2 * u - 2 * u2 + u
    h01 = -2 * u2 * u + 3 * u2
    h11 = u2 * u - u2
    for d in range(3):
        out[d] = h00 * y0[d] + h10 * h * t0[d] + h01 * y1[d] + h11 * h * t1[d] + w * c5[d]


@njit(cache=True, error_model="numpy")
def trace_half(
    em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x0, y0, z0, sign, r_in, r_out, rtol, hmax, bstop, pos,
    tan, bmag,
    arc, cor
):
    """Trace from a point along ``sign * B`` with an adaptive Dormand-Prince 5(4) integrator.

    Writes nodes into ``pos`` (n, 3), unit tangents along +B into ``tan``, |B| into ``bmag``,
    the arc length (in the direction of travel, >= 0) into ``arc`` and each step's dense-output
    correction into ``cor`` (row i: the step from node i to i + 1). The last node of a line that
    reaches the inner boundary lies on it (located on the dense output, then stepped to exactly).
    The trace also stops once |B| exceeds ``bstop`` (np.inf: never).

    Returns:
        (number of nodes, end code).
    """
    nmax = pos.shape[0]
    ux, uy, uz, b = _unit(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x0, y0, z0, sign)
    if not (b > 0.0):
        return 0, END_DOMAIN
    pos[0, 0], pos[0, 1], pos[0, 2] = x0, y0, z0
    tan[0, 0], tan[0, 1], tan[0, 2] = ux * sign, uy * sign, uz * sign
    bmag[0] = b
    arc[0] = 0.0
    n = 1
    r0 = math.sqrt(x0 * x0 + y0 * y0 + z0 * z0)
    h = min(hmax, 0.05 * r0)
    k = np.empty((7, 3))
    y = np.empty(3)
    yt = np.empty(3)
    c5 = np.empty(3)
    t0 = np.empty(3)
    t1 = np.empty(3)
    p = np.empty(3)
    y[0], y[1], y[2] = x0, y0, z0
    k[0, 0], k[0, 1], k[0, 2] = ux, uy, uz
    s = 0.0
    while n < nmax:
        b = _dp_step(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, y, h, sign, k, yt, c5)
        if not (b > 0.0):
            if h > 1e-6:
                h *= 0.25
                continue
            return n, END_DOMAIN
        err = _dp_error(y, yt, k, h, rtol)
        if err > 1.0:
            h *= max(0.2, 0.9 * err**-0.2)
            continue
        r1 = math.sqrt(yt[0] * yt[0] + yt[1] * yt[1] + yt[2] * yt[2])
        if r1 <= r_in:
            # find the fraction of the step where r = r_in on the dense output, redo the step
            for d in range(3):
                t0[d] = k[0, d]
                t1[d] = k[6, d]
            lo, hi = 0.0, 1.0
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                _dense(y, yt, t0, t1, c5, h, mid, p)
                if math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]) > r_in:
                    lo = mid
                else:
                    hi = mid
                if hi - lo < 1e-14:
                    break
            h = h * 0.5 * (lo + hi)
            b = _dp_step(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, y, h, sign, k, yt, c5)
            if not (b > 0.0):
                return n, END_DOMAIN
        s += h
        pos[n, 0], pos[n, 1], pos[n, 2] = yt[0], yt[1], yt[2]
        tan[n, 0], tan[n, 1], tan[n, 2] = k[6, 0] * sign, k[6, 1] * sign, k[6, 2] * sign
        cor[n - 1, 0], cor[n - 1, 1], cor[n - 1, 2] = c5[0], c5[1], c5[2]
        bmag[n] = b
        arc[n] = s
        n += 1
        if r1 <= r_in:
            return n, END_INNER
        if r1 >= r_out:
            return n, END_OUTER
        if b > bstop:
            return n, END_BSTOP
        y[0], y[1], y[2] = yt[0], yt[1], yt[2]
        k[0, 0], k[0, 1], k[0, 2] = k[6, 0], k[6, 1], k[6, 2]
        grow = 5.0 if err == 0.0 else min(5.0, 0.9 * err**-0.2)
        h = min(h * grow, hmax, 0.5 * r1)
    return n, END_STEPS


@njit(cache=True, error_model="numpy")
def trace_line(
    em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x0, y0, z0, r_in, r_out, rtol, hmax, bstop, work, sc,
    line
):
    """Trace the whole field line through a point, from its -B end to its +B end.

    ``work`` (6, nmax, 3) and ``sc`` (nmax, 4) are scratch arrays; ``line`` (2 nmax, 11) receives
    the nodes with columns x, y, z, |B|, s (arc length increasing along +B, 0 at the start
    point), the unit tangent along +B (3 columns) and the dense-output correction of the
    interval to the next node (3 columns). Each half stops early once |B| > ``bstop``.

    Returns:
        (n nodes, index of the start point, end code towards -B, end code towards +B).
    """
    nb, eb = trace_half(
        em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x0, y0, z0, -1.0, r_in, r_out, rtol, hmax, bstop,
        work[0],
        work[1], sc[:, 0], sc[:, 1], work[2]
    )
    nf, ef = trace_half(
        em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x0, y0, z0, 1.0, r_in, r_out, rtol, hmax, bstop,
        work[3],
        work[4], sc[:, 2], sc[:, 3], work[5]
    )
    if nb == 0 or nf == 0:
        return 0, 0, END_DOMAIN, END_DOMAIN
    n = 0
    for i in range(nb - 1, 0, -1):
        for d in range(3):
            line[n, d] = work[0, i, d]
            line[n, 5 + d] = work[1, i, d]
            line[n, 8 + d] = work[2, i - 1, d]
        line[n, 3] = sc[i, 0]
        line[n, 4] = -sc[i, 1]
        n += 1
    start = n
    for i in range(nf):
        for d in range(3):
            line[n, d] = work[3, i, d]
            line[n, 5 + d] = work[4, i, d]
            line[n, 8 + d] = work[5, i, d] if i < nf - 1 else 0.0
        line[n, 3] = sc[i, 2]
        line[n, 4] = sc[i, 3]
        n += 1
    return n, start, eb, ef


# --------------------------------------------------------------------------- along a line
@njit(cache=True, error_model="numpy")
def _point(line, i, s, p):
    """Position at arc length ``s`` in node interval ``i`` (dense output), written into ``p``."""
    s0 = line[i, 4]
    h = line[i + 1, 4] - s0
    u = (s - s0) / h
    u2 = u * u
    w = u2 * (1.0 - u) * (1.0 - u)
    h00 = 2 * u2 * u - 3 * u2 + 1
    h10 = u2 * u - 2 * u2 + u
    h01 = -2 * u2 * u + 3 * u2
    h11 = u2 * u - u2
    for d in range(3):
        p[d] = (
            h00 * line[i, d]
            + h10 * h * line[i, 5 + d]
            + h01 * line[i + 1, d]
            + h11 * h * line[i + 1, 5 + d]
            + w * line[i, 8 + d]
        )


@njit(cache=True, error_model="numpy")
def _bmag_at(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, i, s, p):
    _point(line, i, s, p)
    bx, by, bz = field(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, p[0], p[1], p[2])
    return math.sqrt(bx * bx + by * by + bz * bz)


@njit(cache=True, error_model="numpy")
def _interval(line, lo, hi, s):
    j = lo
    while j < hi - 1 and line[j + 1, 4] < s:
        j += 1
    return j


@njit(cache=True, error_model="numpy", inline="always")
def _refine_min(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, n, imin, p):
    """Golden-section refinement of the minimum of |B| around node ``imin``.

    Returns:
        (s of the minimum, its node interval, Bmin).
    """
    lo = max(imin - 1, 0)
    hi = min(imin + 1, n - 1)
    a, b = line[lo, 4], line[hi, 4]
    g = 0.3819660112501051

    c = a + g * (b - a)
    d = b - g * (b - a)
    fc = _bmag_at(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, _interval(line, lo, hi, c), c, p)
    fd = _bmag_at(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, _interval(line, lo, hi, d), d, p)
    for _ in range(60):
        if b - a < 1e-9 * (1.0 + abs(a)):
            break
        if fc < fd:
            b, d, fd = d, c, fc
            c = a + g * (b - a)
            fc = _bmag_at(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, _interval(line, lo, hi, c),
                c, p)
        else:
            a, c, fc = c, d, fd
            d = b - g * (b - a)
            fd = _bmag_at(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, _interval(line, lo, hi, d),
                d, p)
    sm = 0.5 * (a + b)
    j = _interval(line, lo, hi, sm)
    bmin = _bmag_at(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, j, sm, p)
    if line[imin, 3] < bmin:
        return line[imin, 4], min(imin, n - 2), line[imin, 3]
    return sm, j, bmin


@njit(cache=True, error_model="numpy")
def _mirror(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, i, bm, p):
    """Arc length where |B| = bm inside node interval ``i`` (Illinois false position)."""
    a, b = line[i, 4], line[i + 1, 4]
    fa, fb = line[i, 3] - bm, line[i + 1, 3] - bm
    side = 0
    for _ in range(100):
        c = (a * fb - b * fa) / (fb - fa)
        fc = _bmag_at(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, i, c, p) - bm
        if abs(fc) <= 1e-13 * bm or abs(b - a) < 1e-13:
            return c
        if fc * fb > 0:
            b, fb = c, fc
            if side == -1:
                fa *= 0.5
            side = -1
        else:
            a, fa = c, fc
            if side == 1:
                fb *= 0.5
            side = 1
    return 0.5 * (a + b)


# Gauss-Legendre nodes/weights on [0, 1] (8 points).
_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)
GL_X = 0.5 * (_GL_X + 1.0)
GL_W = 0.5 * _GL_W


@njit(cache=True, error_model="numpy")
def _k_piece(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, i, a, b, bm, mode, p):
    """∫ sqrt(bm - B) ds over [a, b] inside node interval i (nT^0.5 Re).

    mode 0: plain Gauss-Legendre; 1: the mirror point is at ``a`` (s = a + u^2);
    2: the mirror point is at ``b`` (s = b - u^2).
    """
    total = 0.0
    if mode == 0:
        for q in range(GL_X.shape[0]):
            s = a + (b - a) * GL_X[q]
            v = bm - _bmag_at(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, i, s, p)
            total += GL_W[q] * math.sqrt(max(v, 0.0))
        return total * (b - a)
    umax = math.sqrt(max(b - a, 0.0))
    for q in range(GL_X.shape[0]):
        u = umax * GL_X[q]
        s = a + u * u if mode == 1 else b - u * u
        v = bm - _bmag_at(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, i, s, p)
        total += GL_W[q] * 2.0 * u * math.sqrt(max(v, 0.0))
    return total * umax


@njit(cache=True, error_model="numpy")
def line_k(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, n, bm, r_atm, refine, out):
    """K, Bmin and the mirror points of a closed traced line for mirror field ``bm``.

    Writes into ``out``: [K (G^0.5 Re), Bmin (nT), s_mirror_south, s_mirror_north, s_min,
    min(r of the mirror points)]. K is 0 and the mirror points NaN when ``bm < Bmin``.

    ``refine``: locate the minimum between the nodes (always done when bm is within 5% of the
    node minimum).

    Returns:
        Status code (OK, MIRROR_BELOW or SHABANSKY).
    """
    p = np.empty(3)
    imin = 0
    for i in range(1, n):
        if line[i, 3] < line[imin, 3]:
            imin = i
    if refine or abs(bm / line[imin, 3] - 1.0) < 0.05:
        smin, _jmin, bmin = _refine_min(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, n, imin, p)
    else:  # the node minimum is enough to tell whether bm is above it
        smin, bmin = line[imin, 4], line[imin, 3]
    out[1] = bmin
    out[4] = smin
    out[0] = 0.0
    out[2] = np.nan
    out[3] = np.nan
    out[5] = np.nan
    if bm < bmin:
        return OK
    # walk south from the minimum to the first node with B >= bm, checking monotonicity
    tol = 1e-9
    i = imin
    while i > 0 and line[i, 3] < bm:
        if line[i - 1, 3] < line[i, 3] * (1.0 - tol):
            return SHABANSKY
        i -= 1
    if line[i, 3] < bm:
        return MIRROR_BELOW
    isouth = i  # mirror point in [isouth, isouth + 1]
    i = imin
    while i < n - 1 and line[i, 3] < bm:
        if line[i + 1, 3] < line[i, 3] * (1.0 - tol):
            return SHABANSKY
        i += 1
    if line[i, 3] < bm:
        return MIRROR_BELOW
    inorth = i - 1  # mirror point in [inorth, inorth + 1]
    s1 = _mirror(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, isouth, bm, p)
    s2 = _mirror(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, inorth, bm, p)
    out[2] = s1
    out[3] = s2
    _point(line, isouth, s1, p)
    r1 = math.sqrt(p[0] ** 2 + p[1] ** 2 + p[2] ** 2)
    _point(line, inorth, s2, p)
    r2 = math.sqrt(p[0] ** 2 + p[1] ** 2 + p[2] ** 2)
    out[5] = min(r1, r2)
    if out[5] < r_atm:
        return MIRROR_BELOW
    k = 0.0
    if isouth == inorth:
        mid = 0.5 * (s1 + s2)
        k += _k_piece(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, isouth, s1, mid, bm,
                      np.int64(1), p)
        k += _k_piece(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, isouth, mid, s2, bm,
                      np.int64(2), p)
    else:
        k += _k_piece(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, isouth, s1, line[isouth + 1, 4],
            bm, np.int64(1), p)
        for j in range(isouth + 1, inorth):
            k += _k_piece(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, j, line[j, 4], line[j + 1,
                4], bm, np.int64(0), p)
        k += _k_piece(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, inorth, line[inorth, 4], s2, bm,
            np.int64(2), p)
    out[0] = k * math.sqrt(NT_TO_G)
    return OK


# --------------------------------------------------------------------------- drift shells, L*
_GLF_X, _GLF_W = np.polynomial.legendre.leggauss(24)
GLF_X = 0.5 * (_GLF_X + 1.0)
GLF_W = 0.5 * _GLF_W

# Hilton (1971) approximation of McIlwain's L: L^3 B / M = 1 + a1 X^1/3 + a2 X^2/3 + a3 X.
HILTON = np.array([1.35047, 0.465376, 0.0475455])

# res columns
R_LSTAR = 0
R_K = 1
R_LM = 2
R_BM = 3
R_BMIN = 4
R_BLOCAL = 5
R_ALPHA_EQ = 6
R_PHI = 7
R_SIZE = 8


@njit(cache=True, error_model="numpy", inline="always")
def hilton_lm(k, bm, b0):
    """McIlwain's L from K (G^0.5 Re), Bm (nT) and the dipole moment B0 (nT Re^3)."""
    bm_g = bm * NT_TO_G
    m_g = b0 * NT_TO_G
    i = k / math.sqrt(bm_g)
    x = i * i * i * bm_g / m_g
    c = x ** (1.0 / 3.0)
    f = 1.0 + HILTON[0] * c + HILTON[1] * c * c + HILTON[2] * x
    return (m_g / bm_g * f) ** (1.0 / 3.0)


@njit(cache=True, error_model="numpy", inline="always")
def _basis(fp):
    """Unit vectors (e1, e2, a): a the dipole axis, e1 towards the trace frame's x axis."""
    ax, ay, az = fp[FP_AXIS], fp[FP_AXIS + 1], fp[FP_AXIS + 2]
    e1x, e1y, e1z = 1.0 - ax * ax, -ax * ay, -ax * az
    nrm = math.sqrt(e1x * e1x + e1y * e1y + e1z * e1z)
    e1x, e1y, e1z = e1x / nrm, e1y / nrm, e1z / nrm
    e2x = ay * e1z - az * e1y
    e2y = az * e1x - ax * e1z
    e2z = ax * e1y - ay * e1x
    out = np.empty((3, 3))
    out[0, 0], out[0, 1], out[0, 2] = e1x, e1y, e1z
    out[1, 0], out[1, 1], out[1, 2] = e2x, e2y, e2z
    out[2, 0], out[2, 1], out[2, 2] = ax, ay, az
    return out


@njit(cache=True, error_model="numpy", inline="always")
def _cap_column(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, basis, theta, phi, total_field):
    """∫_0^theta (-B_r) sin(t) dt at r = 1 along azimuth phi about the dipole axis (nT)."""
    acc = 0.0
    for q in range(GLF_X.shape[0]):
        t = theta * GLF_X[q]
        st, ct = math.sin(t), math.cos(t)
        cp, sp = math.cos(phi), math.sin(phi)
        px = st * (cp * basis[0, 0] + sp * basis[1, 0]) + ct * basis[2, 0]
        py = st * (cp * basis[0, 1] + sp * basis[1, 1]) + ct * basis[2, 1]
        pz = st * (cp * basis[0, 2] + sp * basis[1, 2]) + ct * basis[2, 2]
        if total_field:
            bx, by, bz = field(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, px, py, pz)
        else:
            bx, by, bz = internal_field(ip, fp, gh, px, py, pz)
        acc += GLF_W[q] * -(bx * px + by * py + bz * pz) * st
    return acc * theta


@njit(cache=True, error_model="numpy")
def _shell_f(
    em, ip, fp, gh, gx, gy, gz, gb, gc, gk, basis, rho, phi, bm, k0, r_in, r_atm, r_out, rtol, hmax,
    work, sc,
    line, kout
):
    """Trace the line through the equatorial point (rho, phi); return (f, n, status).

    f = K(line) - k0 for lines whose minimum field is below bm, and a continuous negative
    extension -k0 - (Bmin / bm - 1) otherwise, so that f increases with rho through the root.
    """
    cp, sp = math.cos(phi), math.sin(phi)
    x = rho * (cp * basis[0, 0] + sp * basis[1, 0])
    y = rho * (cp * basis[0, 1] + sp * basis[1, 1])
    z = rho * (cp * basis[0, 2] + sp * basis[1, 2])
    # only the part of the line below the mirror field matters here: stop a little beyond it
    n, _start, eb, ef = trace_line(
        em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x, y, z, r_in, r_out, rtol, hmax, bm * SHELL_MARGIN,
        work, sc,
        line
    )
    if n == 0 or eb == END_DOMAIN or ef == END_DOMAIN:
        return np.inf, n, LEAVES_DOMAIN
    if (eb != END_INNER and eb != END_BSTOP) or (ef != END_INNER and ef != END_BSTOP):
        return np.inf, n, OPEN
    st = line_k(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, n, bm, r_atm, np.bool_(False), kout)
    if bm < kout[1]:
        return -k0 - (kout[1] / bm - 1.0), n, OK
    return kout[0] - k0, n, st


@njit(cache=True, error_model="numpy", inline="always")
def _foot_trace(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, basis, rho, phi, r_in, r_out, rtol, hmax,
    work, sc,
                foot):
    """Trace from the equatorial point (rho, phi) along +B to the inner boundary.

    Returns:
        (colatitude, azimuth of the footprint about the dipole axis, end code).
    """
    cp, sp = math.cos(phi), math.sin(phi)
    x = rho * (cp * basis[0, 0] + sp * basis[1, 0])
    y = rho * (cp * basis[0, 1] + sp * basis[1, 1])
    z = rho * (cp * basis[0, 2] + sp * basis[1, 2])
    nf, ef = trace_half(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x, y, z, 1.0, r_in, r_out, rtol,
        hmax, np.inf,
                        work[3], work[4], sc[:, 2], sc[:, 3], work[5])
    if ef != END_INNER:
        return np.nan, np.nan, ef
    px, py, pz = work[3, nf - 1, 0], work[3, nf - 1, 1], work[3, nf - 1, 2]
    foot[0], foot[1], foot[2] = px, py, pz
    r = math.sqrt(px * px + py * py + pz * pz)
    ca = (px * basis[2, 0] + py * basis[2, 1] + pz * basis[2, 2]) / r
    q1 = px * basis[0, 0] + py * basis[0, 1] + pz * basis[0, 2]
    q2 = px * basis[1, 0] + py * basis[1, 1] + pz * basis[1, 2]
    return math.acos(min(1.0, max(-1.0, ca))), math.atan2(q2, q1), ef


@njit(cache=True, error_model="numpy", inline="always")
def _equator_radius(line, n, basis):
    """Distance from the axis where the line crosses the dipole's equatorial plane."""
    for i in range(n - 1):
        z0 = line[i, 0] * basis[2, 0] + line[i, 1] * basis[2, 1] + line[i, 2] * basis[2, 2]
        z1 = (
            line[i + 1, 0] * basis[2, 0]
            + line[i + 1, 1] * basis[2, 1]
            + line[i + 1, 2] * basis[2, 2]
        )
        if z0 <= 0.0 < z1 or z1 <= 0.0 < z0:
            w = z0 / (z0 - z1)
            p = np.empty(3)
            for d in range(3):
                p[d] = line[i, d] + w * (line[i + 1, d] - line[i, d])
            q1 = p[0] * basis[0, 0] + p[1] * basis[0, 1] + p[2] * basis[0, 2]
            q2 = p[0] * basis[1, 0] + p[1] * basis[1, 1] + p[2] * basis[1, 2]
            return math.sqrt(q1 * q1 + q2 * q2), math.atan2(q2, q1)
    return np.nan, np.nan


@njit(cache=True, error_model="numpy", inline="always")
def _footprint(line, n, basis, foot):
    """Store the +B (northern) end of the line; return its (colatitude, azimuth) about the axis."""
    px, py, pz = line[n - 1, 0], line[n - 1, 1], line[n - 1, 2]
    foot[0], foot[1], foot[2] = px, py, pz
    r = math.sqrt(px * px + py * py + pz * pz)
    ca = (px * basis[2, 0] + py * basis[2, 1] + pz * basis[2, 2]) / r
    q1 = px * basis[0, 0] + py * basis[0, 1] + pz * basis[0, 2]
    q2 = px * basis[1, 0] + py * basis[1, 1] + pz * basis[1, 2]
    return math.acos(min(1.0, max(-1.0, ca))), math.atan2(q2, q1)


@njit(cache=True, error_model="numpy", inline="always")
def _min_point(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, smin, eq):
    i = 0
    while i < line.shape[0] - 2 and line[i + 1, 4] < smin:
        i += 1
    p = np.empty(3)
    _point(line, i, smin, p)
    eq[0], eq[1], eq[2] = p[0], p[1], p[2]


@njit(cache=True, error_model="numpy", inline="always")
def _solve_shell(
    em, ip, fp, gh, gx, gy, gz, gb, gc, gk, basis, a, slope, phi, bm, k0, r_in, r_atm, r_out, rtol,
    hmax, tol,
    max_iter, work, sc, line, kout
):
    """Equatorial distance of the drift-shell line at azimuth ``phi`` (K = k0 at mirror field bm).

    Secant iterations from the guess ``a`` (first step from the previous local time's slope
    dK/drho), safeguarded by bisection once the root is bracketed (f increases with rho; open
    lines count as f = +inf). The last line traced is the solution's (left in ``line``).

    Returns:
        (status, rho, slope, n nodes of the solution's line).
    """
    lo = -1.0
    hi = -1.0
    fa, n, st = _shell_f(
        em, ip, fp, gh, gx, gy, gz, gb, gc, gk, basis, a, phi, bm, k0, r_in, r_atm, r_out, rtol,
        hmax, work, sc,
        line, kout
    )
    if st == SHABANSKY or st == MIRROR_BELOW:
        return st, a, slope, n
    if fa < 0:
        lo = a
    elif fa > 0:
        hi = a
    else:
        return OK, a, slope, n
    if math.isfinite(fa) and slope > 0:
        b = a - fa / slope
    else:
        b = a * (0.98 if fa > 0 else 1.02)
    for _ in range(max_iter):
        b = min(max(b, r_in * 1.001), r_out * 0.999)
        fb, n, st = _shell_f(
            em, ip, fp, gh, gx, gy, gz, gb, gc, gk, basis, b, phi, bm, k0, r_in, r_atm, r_out, rtol,
            hmax, work,
            sc, line, kout
        )
        if st == SHABANSKY or st == MIRROR_BELOW:
            return st, b, slope, n
        if fb < 0:
            lo = b
        elif fb > 0:
            hi = b
        if math.isfinite(fb) and (abs(b - a) < tol * b or fb == 0.0):
            if math.isfinite(fa) and b != a:
                slope = (fb - fa) / (b - a)
            return OK, b, slope, n
        c = np.nan
        if math.isfinite(fa) and math.isfinite(fb) and fb != fa:
            c = b - fb * (b - a) / (fb - fa)
        if lo > 0 and hi > 0:
            if not (min(lo, hi) < c < max(lo, hi)):
                c = 0.5 * (lo + hi)
        elif not (c > 0) or abs(c - b) > 0.5 * b:
            c = b * (0.9 if fb > 0 else 1.1)
            if (lo > 0 and c <= lo) or (hi > 0 and c >= hi):
                c = 0.5 * (b + (lo if lo > 0 else hi))
        if (b <= r_in * 1.001 and c <= b) or (b >= r_out * 0.999 and c >= b):
            return LEAVES_DOMAIN if st == LEAVES_DOMAIN else OPEN, b, slope, n
        a, fa = b, fb
        b = c
    return NO_CONVERGENCE, b, slope, n


@njit(cache=True, error_model="numpy")
def invariants_one(
    em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x0, y0, z0, alpha_deg, nlt, r_in, r_atm, r_out, rtol,
    hmax, shell_rtol, max_iter, total_flux, do_shell, work, sc, line, res, foot, eq
):
    """K, Bm, Lm, alpha_eq and (when ``do_shell``) Roederer's L* of one particle.

    Returns:
        The status code; results in ``res`` (see the R_* columns), drift-shell footprints and
        minimum-B points in ``foot`` and ``eq`` (nlt, 3).
    """
    for c in range(res.shape[0]):
        res[c] = np.nan
    r0 = math.sqrt(x0 * x0 + y0 * y0 + z0 * z0)
    if not (r0 > r_in) or not (r0 < r_out) or not (0.0 < alpha_deg <= 90.0):
        return INVALID_POSITION
    basis = _basis(fp)
    kout = np.empty(6)
    n, start, eb, ef = trace_line(
        em, ip, fp, gh, gx, gy, gz, gb, gc, gk, x0, y0, z0, r_in, r_out, rtol, hmax, np.inf, work,
        sc, line
    )
    if n == 0 or eb == END_DOMAIN or ef == END_DOMAIN:
        return LEAVES_DOMAIN
    if eb != END_INNER or ef != END_INNER:
        return OPEN
    blocal = line[start, 3]
    sa = math.sin(math.radians(alpha_deg))
    bm = blocal / (sa * sa)
    res[R_BLOCAL] = blocal
    res[R_BM] = bm
    st = line_k(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, n, bm, r_atm, np.bool_(True), kout)
    res[R_BMIN] = kout[1]
    if st != OK:
        return st
    if kout[1] > bm * (1.0 + 1e-9):  # the particle's own line: Bmin <= Blocal <= Bm
        return NO_CONVERGENCE
    if not (kout[2] <= 0.0 <= kout[3]):  # the particle is in an off-equator well
        return SHABANSKY
    k0 = kout[0]
    res[R_K] = k0
    res[R_ALPHA_EQ] = math.degrees(math.asin(math.sqrt(min(1.0, kout[1] / bm))))
    b0 = fp[FP_B0]
    res[R_LM] = hilton_lm(k0, bm, b0) if k0 > 0.0 else (b0 / bm) ** (1.0 / 3.0)
    if not do_shell:
        return OK
    rho, phi0 = _equator_radius(line, n, basis)
    if not (rho > 0.0):
        return NO_CONVERGENCE
    res[R_PHI] = phi0
    theta = np.empty(nlt)
    azim = np.empty(nlt)
    theta[0], azim[0] = _footprint(line, n, basis, foot[0])
    _min_point(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, kout[4], eq[0])
    rhos = np.empty(nlt)
    rhos[0] = rho
    slope = np.nan
    for j in range(1, nlt):
        phi = phi0 + 2.0 * math.pi * j / nlt
        # first guess: extrapolate the equatorial distance from the previous local times
        a = rhos[j - 1] if j < 3 else 2.0 * rhos[j - 1] - rhos[j - 2]
        st, rho, slope, n = _solve_shell(
            em, ip, fp, gh, gx, gy, gz, gb, gc, gk, basis, a, slope, phi, bm, k0, r_in, r_atm,
            r_out, rtol,
            hmax, shell_rtol, max_iter, work, sc, line, kout
        )
        if st != OK:
            return st
        rhos[j] = rho
        _min_point(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, line, kout[4], eq[j])
        theta[j], azim[j], end = _foot_trace(
            em, ip, fp, gh, gx, gy, gz, gb, gc, gk, basis, rho, phi, r_in, r_out, rtol, hmax, work,
            sc, foot[j]
        )
        if end != END_INNER:
            return LEAVES_DOMAIN if end == END_DOMAIN else OPEN
    # magnetic flux through the polar cap bounded by the footprints: the footprint azimuth is a
    # smooth periodic function of the uniform start azimuth t, so integrate over t with the
    # trapezoidal rule and the spectral derivative d(azimuth)/dt
    dev = np.empty(nlt)
    for j in range(nlt):
        t = azim[0] + 2.0 * math.pi * j / nlt
        d = azim[j] - t
        dev[j] = math.atan2(math.sin(d), math.cos(d))
    flux = 0.0
    for j in range(nlt):
        deriv = 0.0
        for kk in range(1, (nlt + 1) // 2):
            re = 0.0
            im = 0.0
            for m in range(nlt):
                ang = 2.0 * math.pi * kk * m / nlt
                re += dev[m] * math.cos(ang)
                im -= dev[m] * math.sin(ang)
            ang = 2.0 * math.pi * kk * j / nlt
            # d/dt of (re cos + ... ) for the +k and -k terms together
            deriv += 2.0 * kk * (-re * math.sin(ang) - im * math.cos(ang)) / nlt
        g = _cap_column(em, ip, fp, gh, gx, gy, gz, gb, gc, gk, basis, theta[j], azim[j],
                        total_flux)
        flux += g * (1.0 + deriv)
    flux *= 2.0 * math.pi / nlt
    res[R_LSTAR] = 2.0 * math.pi * b0 / flux
    return OK


@njit(cache=True, parallel=True, error_model="numpy")
def invariants_many(
    em, ip, fp, gh, gx, gy, gz, gb, gc, gk, xs, ys, zs, alphas, nlt, r_in, r_atm, r_out, rtol, hmax,
    shell_rtol,
    max_iter, total_flux, do_shell, nmax, res, status, foot, eq
):
    """:func:`invariants_one` over many particles of one time (parallel over particles)."""
    for i in prange(xs.shape[0]):
        work = np.empty((6, nmax, 3))
        sc = np.empty((nmax, 4))
        line = np.empty((2 * nmax, 11))
        status[i] = invariants_one(
            em, ip, fp, gh, gx, gy, gz, gb, gc, gk, xs[i], ys[i], zs[i], alphas[i], nlt, r_in,
            r_atm, r_out,
            rtol, hmax, shell_rtol, max_iter, total_flux, do_shell, work, sc, line, res[i], foot[i],
            eq[i]
        )


@njit(cache=True, parallel=True, error_model="numpy")
def trace_many(
    em, ip, fp, gh, gx, gy, gz, gb, gc, gk, xs, ys, zs, r_in, r_out, rtol, hmax, nmax, lines,
    counts, starts,
    ends
):
    """Trace many field lines (parallel); each into ``lines[i]`` (2 nmax, 11)."""
    for i in prange(xs.shape[0]):
        work = np.empty((6, nmax, 3))
        sc = np.empty((nmax, 4))
        n, st, eb, ef = trace_line(
            em, ip, fp, gh, gx, gy, gz, gb, gc, gk, xs[i], ys[i], zs[i], r_in, r_out, rtol, hmax,
            np.inf, work,
            sc, lines[i]
        )
        counts[i] = n
        starts[i] = st
        ends[i, 0] = eb
        ends[i, 1] = ef
