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
