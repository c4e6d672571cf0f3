"""Numba kernels of the DMAP reader (:mod:`geospacexr.io.dmap`): the record walk and value gathers.

:func:`walk` visits every record header and field descriptor of a buffer once, checking every
size, count, dimension and string end against the record and the buffer exactly as the Python
rules in ``docs/superdarn.md`` say, and returns flat tables (one row per field) of where each
value lies: no value is decoded here and no Python object is made per field. A record that
breaks a rule gets a problem code and the numbers its message needs (the Python side words it).
Imported lazily by the reader: importing :mod:`geospacexr` loads no numba.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Problem codes of :func:`walk` (the Python side turns them into sentences).
OK = 0
SHORT_HEADER = 1  # info: bytes left
BAD_SIZE = 2  # info: size, bytes left
BAD_COUNTS = 3  # info: nscalars, narrays, size
SCALAR_NAME_NUL = 10
SCALAR_KEY_END = 11
SCALAR_VALUE_END = 12
STRING_NUL = 13
SCALAR_BAD_KEY = 14  # info: type byte
ARRAY_NAME_NUL = 20
ARRAY_HEAD_END = 21
ARRAY_STRING = 22
ARRAY_BAD_KEY = 23  # info: type byte
ARRAY_BAD_NDIM = 24  # info: ndim
ARRAY_DIMS_END = 25
ARRAY_NEG_DIM = 26  # info: ndim, dims
ARRAY_TOO_BIG = 27  # info: ndim, dims, bytes left

MAX_NDIM = 8
#: ``rec_info`` columns: code, name start, name length, a, b, c, ndim, dims[8]
INFO_WIDTH = 7 + MAX_NDIM
_STRING = 9


@njit(cache=True)
def _itemsize(byte):
    """Bytes of a numeric DMAP type key (as stored, unsigned); 0: not numeric."""
    if byte == 1 or byte == 16:
        return 1
    if byte == 2 or byte == 17:
        return 2
    if byte == 3 or byte == 18 or byte == 4:
        return 4
    if byte == 10 or byte == 19 or byte == 8:
        return 8
    return 0


@njit(cache=True)
def _find_nul(buf, pos, end):
    for i in range(pos, end):
        if buf[i] == 0:
            return i
    return -1


@njit(cache=True)
def _hash(buf, start, stop):
    """FNV-1a of a name's bytes (names are checked byte for byte afterwards)."""
    h = np.uint64(14695981039346656037)
    prime = np.uint64(1099511628211)
    for i in range(start, stop):
        h = (h ^ np.uint64(buf[i])) * prime
    return h ^ np.uint64(stop - start)


@njit(cache=True)
def _record(buf, start, end, nscalars, narrays, fill, si, ai, info, r,
            s_rec, s_hash, s_name, s_nlen, s_key, s_pos, s_len,
            a_rec, a_hash, a_name, a_nlen, a_key, a_pos, a_ndim, a_dims):  # fmt: skip
    """Parse one record's fields; returns the problem code (``info[r]`` holds its numbers)."""
    pos = start + 16
    for _ in range(nscalars):
        nul = _find_nul(buf, pos, end)
        if nul < 0:
            return SCALAR_NAME_NUL
        info[r, 1] = pos
        info[r, 2] = nul - pos
        name, nlen = pos, nul - pos
        pos = nul + 1
        if pos >= end:
            return SCALAR_KEY_END
        byte = buf[pos]
        pos += 1
        size = _itemsize(byte)
        if size > 0:
            if pos + size > end:
                return SCALAR_VALUE_END
            length = size
        elif byte == _STRING:
            nul = _find_nul(buf, pos, end)
            if nul < 0:
                return STRING_NUL
            length = nul - pos
        else:
            info[r, 3] = byte
            return SCALAR_BAD_KEY
        if fill:
            s_rec[si] = r
            s_hash[si] = _hash(buf, name, name + nlen)
            s_name[si] = name
            s_nlen[si] = nlen
            s_key[si] = byte
            s_pos[si] = pos
            s_len[si] = length
        si += 1
        pos += length + (1 if size == 0 else 0)
    for _ in range(narrays):
        nul = _find_nul(buf, pos, end)
        info[r, 1] = pos
        info[r, 2] = 0
        if nul < 0:
            return ARRAY_NAME_NUL
        info[r, 2] = nul - pos
        name, nlen = pos, nul - pos
        pos = nul + 1
        if pos + 5 > end:
            return ARRAY_HEAD_END
        byte = buf[pos]
        size = _itemsize(byte)
        if size == 0:
            if byte == _STRING:
                return ARRAY_STRING
            info[r, 3] = byte
            return ARRAY_BAD_KEY
        ndim = (
            np.int64(buf[pos + 1])
            | (np.int64(buf[pos + 2]) << 8)
            | (np.int64(buf[pos + 3]) << 16)
            | (np.int64(buf[pos + 4]) << 24)
        )
        if ndim >= 2**31:
            ndim -= 2**32
        pos += 5
        if ndim <= 0 or ndim > MAX_NDIM:
            info[r, 3] = ndim
            return ARRAY_BAD_NDIM
        if pos + 4 * ndim > end:
            return ARRAY_DIMS_END
        info[r, 6] = ndim
        negative = False
        zero = False
        for k in range(ndim):
            p = pos + 4 * k
            d = (
                np.int64(buf[p])
                | (np.int64(buf[p + 1]) << 8)
                | (np.int64(buf[p + 2]) << 16)
                | (np.int64(buf[p + 3]) << 24)
            )
            if d >= 2**31:
                d -= 2**32
            info[r, 7 + k] = d
            if d < 0:
                negative = True
            elif d == 0:
                zero = True
        pos += 4 * ndim
        if negative:
            return ARRAY_NEG_DIM
        left = end - pos
        count = 0
        if not zero:
            count = 1
            for k in range(ndim):
                count *= info[r, 7 + k]
                if count * size > left:  # dims >= 1: the product only grows
                    info[r, 3] = left
                    return ARRAY_TOO_BIG
        if fill:
            a_rec[ai] = r
            a_hash[ai] = _hash(buf, name, name + nlen)
            a_name[ai] = name
            a_nlen[ai] = nlen
            a_key[ai] = byte
            a_pos[ai] = pos
            a_ndim[ai] = ndim
            for k in range(ndim):  # numpy (C) order: the file stores fastest-varying first
                a_dims[ai, k] = info[r, 7 + ndim - 1 - k]
        ai += 1
        pos += count * size
    return OK


@njit(cache=True)
def _pass(buf, fill, info, rec_off, rec_code, rec_fields,
          s_rec, s_hash, s_name, s_nlen, s_key, s_pos, s_len,
          a_rec, a_hash, a_name, a_nlen, a_key, a_pos, a_ndim, a_dims):  # fmt: skip
    n = buf.size
    pos = 0
    r = 0
    si = 0
    ai = 0
    while pos < n:
        if fill:
            code = rec_code[r]
        else:
            code = OK
        size = 0
        if n - pos < 16:
            code = SHORT_HEADER
            info[r, 3] = n - pos
        else:
            size = (
                np.int64(buf[pos + 4])
                | (np.int64(buf[pos + 5]) << 8)
                | (np.int64(buf[pos + 6]) << 16)
                | (np.int64(buf[pos + 7]) << 24)
            )
            if size >= 2**31:
                size -= 2**32
            ns = np.int64(0)
            na = np.int64(0)
            for k in range(4):
                ns |= np.int64(buf[pos + 8 + k]) << (8 * k)
                na |= np.int64(buf[pos + 12 + k]) << (8 * k)
            if ns >= 2**31:
                ns -= 2**32
            if na >= 2**31:
                na -= 2**32
            if size < 16 or size > n - pos:
                code = BAD_SIZE
                info[r, 3] = size
                info[r, 4] = n - pos
            elif ns < 0 or na < 0 or ns + na > size:
                code = BAD_COUNTS
                info[r, 3] = ns
                info[r, 4] = na
                info[r, 5] = size
            elif not fill:
                code = _record(buf, pos, pos + size, ns, na, False, si, ai, info, r,
                               s_rec, s_hash, s_name, s_nlen, s_key, s_pos, s_len,
                               a_rec, a_hash, a_name, a_nlen, a_key, a_pos, a_ndim,
                               a_dims)  # fmt: skip
                if code == OK:
                    si += ns
                    ai += na
            elif code == OK:
                _record(buf, pos, pos + size, ns, na, True, si, ai, info, r,
                        s_rec, s_hash, s_name, s_nlen, s_key, s_pos, s_len,
                        a_rec, a_hash, a_name, a_nlen, a_key, a_pos, a_ndim, a_dims)  # fmt: skip
                si += ns
                ai += na
        if not fill:
            rec_off[r] = pos
            rec_code[r] = code
            info[r, 0] = code
        r += 1
        if code == SHORT_HEADER or code == BAD_SIZE:
            break
        pos += size
    return r, si, ai


@njit(cache=True)
def _int32(buf, pos):
    v = (
        np.int64(buf[pos])
        | (np.int64(buf[pos + 1]) << 8)
        | (np.int64(buf[pos + 2]) << 16)
        | (np.int64(buf[pos + 3]) << 24)
    )
    if v >= 2**31:
        v -= 2**32
    return v


@njit(cache=True)
def _count_records(buf):
    """Records the walk will visit: the chain of sizes, up to the first impossible header."""
    n = buf.size
    pos = 0
    r = 0
    while pos < n:
        r += 1
        if n - pos < 16:
            break
        size = _int32(buf, pos + 4)
        if size < 16 or size > n - pos:
            break
        pos += size
    return r


@njit(cache=True)
def walk(buf):
    """Walk every record of ``buf`` (uint8): record table and field tables.

    Returns:
        ``(rec_off, rec_code, info, scalars, arrays)``: per record its byte offset, problem code
        and the numbers of its problem (:data:`INFO_WIDTH` columns); the scalar table ``(record,
        name hash, name start, name length, type byte, value start, value length)`` and the
        array table ``(record, name hash, name start, name length, type byte, value start,
        ndim, dims in numpy order)``, rows in file order, for the records without a problem.
    """
    cap = _count_records(buf)
    info = np.zeros((cap, INFO_WIDTH), np.int64)
    rec_off = np.zeros(cap, np.int64)
    rec_code = np.zeros(cap, np.int64)
    rec_fields = np.zeros(0, np.int64)
    e64 = np.zeros(0, np.int64)
    eh = np.zeros(0, np.uint64)
    e8 = np.zeros(0, np.uint8)
    ed = np.zeros((0, MAX_NDIM), np.int64)
    nrec, ns, na = _pass(buf, False, info, rec_off, rec_code, rec_fields,
                         e64, eh, e64, e64, e8, e64, e64,
                         e64, eh, e64, e64, e8, e64, e64, ed)  # fmt: skip
    s_rec = np.empty(ns, np.int64)
    s_hash = np.empty(ns, np.uint64)
    s_name = np.empty(ns, np.int64)
    s_nlen = np.empty(ns, np.int64)
    s_key = np.empty(ns, np.uint8)
    s_pos = np.empty(ns, np.int64)
    s_len = np.empty(ns, np.int64)
    a_rec = np.empty(na, np.int64)
    a_hash = np.empty(na, np.uint64)
    a_name = np.empty(na, np.int64)
    a_nlen = np.empty(na, np.int64)
    a_key = np.empty(na, np.uint8)
    a_pos = np.empty(na, np.int64)
    a_ndim = np.empty(na, np.int64)
    a_dims = np.zeros((na, MAX_NDIM), np.int64)
    _pass(buf, True, info, rec_off, rec_code, rec_fields,
          s_rec, s_hash, s_name, s_nlen, s_key, s_pos, s_len,
          a_rec, a_hash, a_name, a_nlen, a_key, a_pos, a_ndim, a_dims)  # fmt: skip
    return (
        rec_off[:nrec].copy(),
        rec_code[:nrec].copy(),
        info[:nrec].copy(),
        (s_rec, s_hash, s_name, s_nlen, s_key, s_pos, s_len),
        (a_rec, a_hash, a_name, a_nlen, a_key, a_pos, a_ndim, a_dims),
    )


@njit(cache=True)
def same_names(buf, start, length, rep_start, rep_length, group):
    """Whether each name equals its group's representative, byte for byte (hash check)."""
    out = np.ones(start.size, np.bool_)
    for i in range(start.size):
        g = group[i]
        if length[i] != rep_length[g]:
            out[i] = False
            continue
        a = start[i]
        b = rep_start[g]
        for k in range(length[i]):
            if buf[a + k] != buf[b + k]:
                out[i] = False
                break
    return out


@njit(cache=True)
def put_segments(out, offsets, lengths, src):
    """Write ``src`` (uint8), cut into consecutive pieces of ``lengths``, at ``offsets``."""
    k = 0
    for i in range(offsets.size):
        o = offsets[i]
        m = lengths[i]
        out[o : o + m] = src[k : k + m]
        k += m


@njit(cache=True)
def put_constant(out, offsets, piece):
    """Write the same bytes ``piece`` at every offset of ``offsets``."""
    m = piece.size
    for i in range(offsets.size):
        o = offsets[i]
        out[o : o + m] = piece


@njit(cache=True)
def _typed(buf, proto, shift):
    """``buf[shift:]`` seen as ``proto``'s type (whole values only)."""
    size = proto.itemsize
    n = (buf.size - shift) // size
    return buf[shift : shift + n * size].view(proto.dtype)


@njit(cache=True)
def gather(buf, starts, counts, proto, out):
    """Decode ``counts[i]`` values of ``proto``'s type at ``starts[i]``, one run after another.

    The values land in ``out`` (converted to its type) in entry order: one pass over the
    buffer, no intermediate byte copy. ``proto`` is a one-element array of the stored type
    (DMAP is little-endian, as every machine numba targets here). The buffer is seen as that
    type once per byte alignment (no view made per run).
    """
    size = proto.itemsize
    first = np.empty(starts.size, np.int64)
    k = 0
    for i in range(starts.size):
        first[i] = k
        k += counts[i]
    for shift in range(size):
        vals = _typed(buf, proto, shift)
        for i in range(starts.size):
            s = starts[i]
            if s % size != shift:
                continue
            q = (s - shift) // size
            k = first[i]
            for j in range(counts[i]):
                out[k + j] = vals[q + j]
    return out


@njit(cache=True)
def scatter_runs(buf, starts, counts, proto, dest, out):
    """Decode entry ``i``'s ``counts[i]`` values into ``out[dest[i]:dest[i] + counts[i]]``."""
    size = proto.itemsize
    for shift in range(size):
        vals = _typed(buf, proto, shift)
        for i in range(starts.size):
            s = starts[i]
            if s % size != shift:
                continue
            q = (s - shift) // size
            d = dest[i]
            for j in range(counts[i]):
                out[d + j] = vals[q + j]


@njit(cache=True)
def gate_block(buf, proto, starts, entry_of, sl_len, sl_first, gates, out):
    """Fill ``out[f, r, :]`` (NaN) and decode field ``f`` of record ``r`` into it by gate.

    ``starts[f, r]`` is where the field's values lie in ``buf`` (-1: the record lacks it);
    ``entry_of[r]`` the record's ``slist`` entry (-1: none, the row stays NaN), whose
    ``sl_len`` gates are ``gates[sl_first[e]:sl_first[e] + sl_len[e]]``. Records outer,
    fields inner: each record's bytes are read while in cache.
    """
    size = proto.itemsize
    v0 = _typed(buf, proto, 0)
    v1 = _typed(buf, proto, 1 % size)
    v2 = _typed(buf, proto, 2 % size)
    v3 = _typed(buf, proto, 3 % size)
    v4 = _typed(buf, proto, 4 % size)
    v5 = _typed(buf, proto, 5 % size)
    v6 = _typed(buf, proto, 6 % size)
    v7 = _typed(buf, proto, 7 % size)
    nf, nrec = out.shape[0], out.shape[1]
    for r in range(nrec):
        e = entry_of[r]
        for f in range(nf):
            row = out[f, r]
            row[:] = np.nan
            s = starts[f, r]
            if s < 0 or e < 0:
                continue
            shift = s % size
            if shift == 0:
                vals = v0
            elif shift == 1:
                vals = v1
            elif shift == 2:
                vals = v2
            elif shift == 3:
                vals = v3
            elif shift == 4:
                vals = v4
            elif shift == 5:
                vals = v5
            elif shift == 6:
                vals = v6
            else:
                vals = v7
            q = (s - shift) // size
            g = sl_first[e]
            for j in range(sl_len[e]):
                row[gates[g + j]] = vals[q + j]


@njit(cache=True)
def group_order(ids, ngroups):
    """A stable counting sort of ``ids`` (0 <= id < ngroups): ``(order, bounds)``.

    ``order[bounds[g]:bounds[g + 1]]`` are the positions holding ``g``, in increasing order.
    """
    bounds = np.zeros(ngroups + 1, np.int64)
    for i in range(ids.size):
        bounds[ids[i] + 1] += 1
    for g in range(ngroups):
        bounds[g + 1] += bounds[g]
    fill = bounds[:-1].copy()
    order = np.empty(ids.size, np.int64)
    for i in range(ids.size):
        g = ids[i]
        order[fill[g]] = i
        fill[g] += 1
    return order, bounds
