"""Small compiled helpers shared by the readers and the slices (numba, cached on disk).

Imported lazily by the functions that use them, so ``import geospacexr`` does not load numba.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["mask_equal", "nanmean_last"]


@njit(cache=True, nogil=True)
def _mask_flat(flat, fill):  # pragma: no cover - compiled
    for i in range(flat.size):
        if flat[i] == fill:
            flat[i] = np.nan


def mask_equal(values: np.ndarray, fill: float) -> np.ndarray:
    """Set the elements equal to ``fill`` to NaN, in place (one pass, no temporary mask).

    Args:
        values: A writeable floating-point array.
        fill: The value to replace (compared in the array's own dtype).

    Returns:
        ``values``.
    """
    if values.flags.c_contiguous:
        _mask_flat(values.reshape(-1), values.dtype.type(fill))
    else:
        np.putmask(values, values == values.dtype.type(fill), np.nan)
    return values


@njit(cache=True, nogil=True)
def _nanmean_rows(rows):  # pragma: no cover - compiled
    # serial: a slice's few hundred thousand values take well under a millisecond, less than
    # waking a thread pool costs
    out = np.empty(rows.shape[0])
    for i in range(rows.shape[0]):
        total = 0.0
        count = 0
        for j in range(rows.shape[1]):
            v = rows[i, j]
            finite = v == v  # branch-free NaN test
            total += v if finite else 0.0
            count += finite
        out[i] = total / count if count else np.nan
    return out


def nanmean_last(values: np.ndarray) -> np.ndarray:
    """Mean over the last axis ignoring NaN, in float64 (NaN where a row has no value).

    Args:
        values: A floating-point array of any shape.

    Returns:
        float64 array of ``values.shape[:-1]``.
    """
    values = np.asarray(values)
    if values.dtype.kind != "f":
        values = values.astype(np.float64)
    rows = np.ascontiguousarray(values).reshape(-1, values.shape[-1]) if values.size else None
    if rows is None:
        return np.full(values.shape[:-1], np.nan)
    return _nanmean_rows(rows).reshape(values.shape[:-1])


@njit(cache=True, nogil=True)
def _keys(t):  # pragma: no cover - compiled
    # Keys (1981) cubic convolution weights (a = -0.5) for the four nodes around t in [0, 1)
    t2 = t * t
    t3 = t2 * t
    return (
        -0.5 * t3 + t2 - 0.5 * t,
        1.5 * t3 - 2.5 * t2 + 1.0,
        -1.5 * t3 + 2.0 * t2 + 0.5 * t,
        0.5 * t3 - 0.5 * t2,
    )


@njit(cache=True, nogil=True)
def bicubic(grids, rows, cols):  # pragma: no cover - compiled
    """Keys cubic-convolution interpolation of several grids at fractional positions.

    Args:
        grids: ``(k, ny, nx)`` values on a regular grid.
        rows: Fractional row positions (0 = first row), each at least 1 and below ``ny - 2``.
        cols: Fractional column positions, likewise.

    Returns:
        ``(k, n)`` interpolated values (third-order accurate for smooth fields).
    """
    k = grids.shape[0]
    n = rows.size
    out = np.empty((k, n))
    for p in range(n):
        i = int(np.floor(rows[p]))
        j = int(np.floor(cols[p]))
        wy = _keys(rows[p] - i)
        wx = _keys(cols[p] - j)
        for c in range(k):
            acc = 0.0
            for a in range(4):
                line = 0.0
                for b in range(4):
                    line += wx[b] * grids[c, i - 1 + a, j - 1 + b]
                acc += wy[a] * line
            out[c, p] = acc
    return out


@njit(cache=True, nogil=True)
def interp_directions(unit, rows, cols):  # pragma: no cover - compiled
    """Interpolate a grid of unit vectors (:func:`bicubic`) and return latitude/longitude.

    Args:
        unit: ``(3, ny, nx)`` unit vectors (x, y, z) on a regular grid.
        rows: Fractional row positions (see :func:`bicubic`).
        cols: Fractional column positions.

    Returns:
        Latitude and longitude in degrees, longitude in [-180, 180).
    """
    xyz = bicubic(unit, rows, cols)
    n = rows.size
    lat = np.empty(n)
    lon = np.empty(n)
    for p in range(n):
        x = xyz[0, p]
        y = xyz[1, p]
        lat[p] = np.rad2deg(np.arctan2(xyz[2, p], np.hypot(x, y)))
        v = np.rad2deg(np.arctan2(y, x))
        lon[p] = v - 360.0 if v >= 180.0 else v
    return lat, lon
