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
def _select(counts, k):  # pragma: no cover - compiled
    """The bin holding rank ``k`` of four interleaved histograms, and the count below it."""
    cum = 0
    for b in range(_BINS):
        h = counts[0, b] + counts[1, b] + counts[2, b] + counts[3, b]
        if cum + h > k:
            return b, cum
        cum += h
    return _BINS - 1, cum


@njit(cache=True, nogil=True)
def _rank_pair(values, k):  # pragma: no cover - compiled
    """The k-th and (k+1)-th smallest (0-based) of ``values`` (uint16).

    Two passes: a histogram of the high bytes finds the buckets holding both ranks, a histogram
    of the low bytes inside those buckets finds the values. Each histogram is kept four times,
    interleaved over consecutive values, so that runs of equal values (the usual case in an
    image) do not serialise on one counter.
    """
    n = values.size
    k2 = min(k + 1, n - 1)
    whole = n - n % 4
    high = np.zeros((4, _BINS), dtype=np.int32)
    for i in range(0, whole, 4):
        high[0, values[i] >> 8] += 1
        high[1, values[i + 1] >> 8] += 1
        high[2, values[i + 2] >> 8] += 1
        high[3, values[i + 3] >> 8] += 1
    for i in range(whole, n):
        high[0, values[i] >> 8] += 1
    b1, below1 = _select(high, k)
    b2, below2 = _select(high, k2)
    low1 = np.zeros((4, _BINS), dtype=np.int32)
    low2 = np.zeros((4, _BINS), dtype=np.int32)
    if b1 == b2:  # the usual case: one bucket
        for i in range(0, whole, 4):
            for q in range(4):
                v = values[i + q]
                if v >> 8 == b1:
                    low1[q, v & 255] += 1
        for i in range(whole, n):
            if values[i] >> 8 == b1:
                low1[0, values[i] & 255] += 1
    else:
        for i in range(n):
            v = values[i]
            h = v >> 8
            if h == b1:
                low1[i & 3, v & 255] += 1
            elif h == b2:
                low2[i & 3, v & 255] += 1
    j1, _ = _select(low1, k - below1)
    if b2 == b1:
        j2, _ = _select(low1, k2 - below1)
    else:
        j2, _ = _select(low2, k2 - below2)
    return float(b1 * 256 + j1), float(b2 * 256 + j2)


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
            values = np.empty(n, dtype=np.uint16)
            for i in range(n):
                values[i] = frame[offsets[i] + c]
            a, b = _rank_pair(values, k)
            out[t, c] = _lerp(a, b, frac)
    return out


@njit(cache=True, nogil=True)
def pixel_centres(lat, lon):  # pragma: no cover - compiled
    """Centres of pixels from their corners: ``(H + 1, W + 1)`` -> two ``(H, W)`` float64.

    The centre latitude is the mean of the four corner latitudes; the centre longitude is the
    mean of the four corner longitudes taken relative to the top-left corner (each difference
    wrapped to [-180, 180], so pixels on the antimeridian are safe), wrapped to [-180, 180).
    NaN where any corner is NaN.
    """
    h = lat.shape[0] - 1
    w = lat.shape[1] - 1
    clat = np.empty((h, w))
    clon = np.empty((h, w))
    for i in range(h):
        for j in range(w):
            ref = np.float64(lon[i, j])
            total = 0.0
            for di in range(2):
                for dj in range(2):
                    d = np.float64(lon[i + di, j + dj]) - ref
                    total += d - 360.0 * np.floor(d / 360.0 + 0.5)
            clat[i, j] = 0.25 * (
                np.float64(lat[i, j])
                + np.float64(lat[i + 1, j])
                + np.float64(lat[i, j + 1])
                + np.float64(lat[i + 1, j + 1])
            )
            c = ref + 0.25 * total + 180.0
            clon[i, j] = c - 360.0 * np.floor(c / 360.0) - 180.0
    return clat, clon
