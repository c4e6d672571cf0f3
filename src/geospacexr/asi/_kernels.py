"""Compiled kernels for the ASI products: box statistics over many frames in one pass.

A box statistic gathers the box's pixels of every frame and reduces them. For integer images
(uint8 RGB, uint16 counts) the order statistics (median, percentiles) come from a two-level
radix histogram (high byte, then low byte inside the bucket that holds the wanted rank): two
passes over the pixels, no copy and no sort, frames in parallel. The interpolation between the
two ranks follows numpy's default ("linear") percentile method, so the results equal
``np.median`` / ``np.percentile`` exactly.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["METRIC_CODES", "box_reduce"]

METRIC_CODES = {"mean": 0, "sum": 1, "median": 2, "percentile": 3}
_BINS = 256


@njit(cache=True, nogil=True)
def _lerp(a: float, b: float, t: float) -> float:  # pragma: no cover - compiled
    # numpy's _lerp: exact at both ends and symmetric about t = 0.5
    diff = b - a
    if t >= 0.5:
        return b - diff * (1.0 - t)
    return a + diff * t


@njit(cache=True, nogil=True)
def _rank_pair(values, k):  # pragma: no cover - compiled
    """The k-th and (k+1)-th smallest (0-based) of ``values`` (non-negative integers < 65536)."""
    n = values.size
    high = np.zeros(_BINS, dtype=np.int64)
    for i in range(n):
        high[values[i] >> 8] += 1
    # the buckets holding ranks k and k + 1
    k2 = min(k + 1, n - 1)
    b1 = -1
    b2 = -1
    below1 = 0
    below2 = 0
    cum = 0
    for b in range(_BINS):
        if b1 < 0 and cum + high[b] > k:
            b1 = b
            below1 = cum
        if cum + high[b] > k2:
            b2 = b
            below2 = cum
            break
        cum += high[b]
    low1 = np.zeros(_BINS, dtype=np.int64)
    low2 = np.zeros(_BINS, dtype=np.int64)
    for i in range(n):
        h = values[i] >> 8
        if h == b1:
            low1[values[i] & 255] += 1
        if h == b2:
            low2[values[i] & 255] += 1
    r = k - below1
    v1 = 0
    for j in range(_BINS):
        if r < low1[j]:
            v1 = b1 * 256 + j
            break
        r -= low1[j]
    r = k2 - below2
    v2 = 0
    for j in range(_BINS):
        if r < low2[j]:
            v2 = b2 * 256 + j
            break
        r -= low2[j]
    return float(v1), float(v2)


@njit(parallel=True, cache=True)
def box_reduce(frames, offsets, nc, code, q):  # pragma: no cover - compiled
    """Reduce the box pixels of every frame and channel.

    Args:
        frames: ``(time, y * x * channel)`` C-contiguous integer array (uint8 or uint16): each
            frame flattened.
        offsets: Flat offset (int64) of each box pixel's first channel within a frame,
            ``(row * width + column) * nc``; at least one.
        nc: Number of channels (1 for single-channel images).
        code: ``METRIC_CODES`` value.
        q: Percentile (0-100) for the percentile code (50 for the median).

    Returns:
        ``(time, channel)`` float64.
    """
    nt = frames.shape[0]
    n = offsets.size
    out = np.empty((nt, nc))
    position = q / 100.0 * (n - 1)
    k = int(np.floor(position))
    frac = position - k
    for job in prange(nt * nc):
        t = job // nc
        c = job % nc
        frame = frames[t]
        if code <= 1:
            acc = 0.0
            for i in range(n):
                acc += frame[offsets[i] + c]
            out[t, c] = acc / n if code == 0 else acc
        else:
            values = np.empty(n, dtype=np.int32)
            for i in range(n):
                values[i] = frame[offsets[i] + c]
            a, b = _rank_pair(values, k)
            out[t, c] = _lerp(a, b, frac)
    return out
