"""Attacks on text formats (OMNI ASCII, NORSTAR riometer text, SWMF ASCII ``.out``) and on
Fortran unformatted sequential files (SWMF binary ``.out``/``.outs``)."""

from __future__ import annotations

import random
import re
import struct

from . import bytes_mut

NUMBER = re.compile(rb"-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")
EXTREMES = [
    b"nan",
    b"NaN",
    b"inf",
    b"-inf",
    b"1e400",
    b"-1",
    b"0",
    b"99999",
    b"9999999999999999999999",
    b"2263",
    b"1677",
    b"2262",
    b"-2147483649",
    b"1.5",
    b"x",
    b"",
    b"0x10",
    b"1,5",
]


def line_level(data: bytes, rng: random.Random) -> tuple[bytes, str, dict]:
    lines = data.split(b"\n")
    n = len(lines)
    kind = rng.choice(
        [
            "number",
            "number",
            "number",
            "number_col",
            "year",
            "year",
            "delete",
            "dup",
            "swap",
            "reverse",
            "truncate_line",
            "truncate_mid",
            "long_line",
            "crlf",
            "bom",
            "nonutf8",
            "tabs",
            "flood",
            "header_only",
            "empty_lines",
            "extra_column",
            "missing_column",
        ]
    )
    flags: dict = {}
    i = rng.randrange(n)
    if kind == "number":
        toks = list(NUMBER.finditer(lines[i]))
        if toks:
            m = rng.choice(toks)
            v = rng.choice(EXTREMES)
            lines[i] = lines[i][: m.start()] + v + lines[i][m.end() :]
            return b"\n".join(lines), f"line {i}: {m.group()!r} -> {v!r}", flags
    if kind == "number_col":
        k = rng.randrange(8)
        v = rng.choice(EXTREMES)
        hit = 0
        for j in range(n):
            toks = list(NUMBER.finditer(lines[j]))
            if len(toks) > k and len(toks) > 5:
                m = toks[k]
                lines[j] = lines[j][: m.start()] + v + lines[j][m.end() :]
                hit += 1
        return b"\n".join(lines), f"token {k} of {hit} data lines -> {v!r}", flags
    if kind == "year":
        v = rng.choice([b"2263", b"1677", b"2262", b"9999", b"0", b"-1", b"1899", b"2101"])
        hit = 0
        for j in range(n):
            new = re.sub(rb"\b(19|20)\d\d\b", v, lines[j], count=1)
            if new != lines[j]:
                hit += 1
                lines[j] = new
                if rng.random() < 0.7:
                    break
        if v in (b"2263", b"1677", b"2262", b"9999", b"0", b"-1"):
            flags["bad_time"] = v.decode()
        return b"\n".join(lines), f"year -> {v!r} on {hit} lines", flags
    if kind == "delete":
        k = rng.choice([1, 10, n // 2])
        del lines[i : i + k]
        return b"\n".join(lines), f"{k} lines deleted at {i}", flags
    if kind == "dup":
        k = rng.choice([1, 100])
        lines[i:i] = [lines[i]] * k
        return b"\n".join(lines), f"line {i} duplicated {k}x", flags
    if kind == "swap":
        j = rng.randrange(n)
        lines[i], lines[j] = lines[j], lines[i]
        return b"\n".join(lines), f"lines {i} and {j} swapped", flags
    if kind == "reverse":
        return b"\n".join(reversed(lines)), "lines reversed", flags
    if kind == "truncate_line":
        return b"\n".join(lines[:i]), f"file cut after line {i}", flags
    if kind == "truncate_mid":
        cut = rng.randrange(len(data))
        return data[:cut], f"file cut at byte {cut}", flags
    if kind == "long_line":
        size = rng.choice([1 << 20, 100 << 20])
        lines.insert(i, b"1" * size)
        return b"\n".join(lines), f"{size >> 20} MiB line inserted at {i}", flags
    if kind == "crlf":
        return data.replace(b"\n", b"\r\n"), "CRLF line ends", flags
    if kind == "bom":
        return b"\xef\xbb\xbf" + data, "UTF-8 BOM", flags
    if kind == "nonutf8":
        lines[i] = lines[i] + b"\xff\xfe\x80"
        return b"\n".join(lines), f"invalid UTF-8 on line {i}", flags
    if kind == "tabs":
        return data.replace(b" ", b"\t"), "spaces -> tabs", flags
    if kind == "flood":
        k = rng.choice([10, 200])
        return data * k, f"whole content repeated {k}x", flags
    if kind == "header_only":
        keep = [ln for ln in lines if not ln[:1].isdigit() and not ln.strip()[:1].isdigit()]
        return b"\n".join(keep), "data lines removed", flags
    if kind == "empty_lines":
        return data.replace(b"\n", b"\n\n\n"), "blank lines between every line", flags
    if kind == "extra_column":
        lines[i] = lines[i] + b" 1.0 2.0"
        return b"\n".join(lines), f"extra columns on line {i}", flags
    toks = list(NUMBER.finditer(lines[i]))
    if toks:
        m = toks[-1]
        lines[i] = lines[i][: m.start()]
    return b"\n".join(lines), f"last column removed on line {i}", flags


def mutate_text(data: bytes, name: str, rng: random.Random) -> tuple[bytes, str, dict]:
    if rng.random() < 0.8:
        return line_level(data, rng)
    out, desc = rng.choice(bytes_mut.GENERIC)(data, rng)
    return out, desc, {}


# --- Fortran unformatted sequential --------------------------------------------------------
def fortran_records(data: bytes) -> tuple[str, list[tuple[int, int]]]:
    """Endianness and [(offset of the leading marker, payload length)]."""
    for e in "<>":
        recs = []
        pos = 0
        ok = True
        while pos + 4 <= len(data) and len(recs) < 100000:
            (n,) = struct.unpack_from(e + "i", data, pos)
            if n < 0 or pos + 8 + n > len(data):
                ok = False
                break
            (m,) = struct.unpack_from(e + "i", data, pos + 4 + n)
            if m != n:
                ok = False
                break
            recs.append((pos, n))
            pos += 8 + n
        if ok and recs:
            return e, recs
    return "<", []


def mutate_fortran(data: bytes, name: str, rng: random.Random) -> tuple[bytes, str, dict]:
    if data[:1].isalpha() or data[:1] == b" ":
        return mutate_text(data, name, rng)
    e, recs = fortran_records(data)
    buf = bytearray(data)
    r = rng.random()
    if not recs or r > 0.85:
        out, desc = rng.choice(bytes_mut.GENERIC)(data, rng)
        return out, desc, {}
    kind = rng.choice(
        [
            "marker",
            "marker",
            "trail_marker",
            "header_int",
            "header_int",
            "header_int",
            "header_float",
            "truncate_boundary",
            "dup_record",
            "drop_record",
        ]
    )
    i = rng.randrange(min(len(recs), 6)) if rng.random() < 0.7 else rng.randrange(len(recs))
    pos, n = recs[i]
    if kind == "marker":
        v = rng.choice([0, -1, 2**31 - 1, n + 4, n - 4, 1 << 30])
        struct.pack_into(e + "i", buf, pos, v)
        return bytes(buf), f"record {i} leading marker {n} -> {v}", {}
    if kind == "trail_marker":
        v = rng.choice([0, -1, n + 1])
        struct.pack_into(e + "i", buf, pos + 4 + n, v)
        return bytes(buf), f"record {i} trailing marker -> {v}", {}
    if kind == "header_int":
        # header records 1-3 hold (it, time, ndim, neqpar, nw) and the grid sizes
        j = rng.randrange(min(len(recs), 4))
        p, m = recs[j]
        if m >= 4:
            k = rng.randrange(m // 4)
            v = rng.choice([0, -1, -3, 2**31 - 1, 1 << 20, 65536, 4, 1000])
            struct.pack_into(e + "i", buf, p + 4 + 4 * k, v)
            return bytes(buf), f"record {j} int32 #{k} -> {v}", {}
    if kind == "header_float":
        j = rng.randrange(min(len(recs), 4))
        p, m = recs[j]
        if m >= 8:
            k = rng.randrange(m // 8)
            v = rng.choice([float("nan"), float("inf"), -1e300, 1e300])
            struct.pack_into(e + "d", buf, p + 4 + 8 * k, v)
            return bytes(buf), f"record {j} float64 #{k} -> {v}", {}
    if kind == "truncate_boundary":
        cut = rng.choice([pos, pos + 4, pos + 4 + n // 2, pos + 4 + n])
        return bytes(buf[:cut]), f"cut at record {i} boundary {cut}", {}
    if kind == "dup_record":
        chunk = data[pos : pos + 8 + n]
        return data[:pos] + chunk * 2 + data[pos + 8 + n :], f"record {i} duplicated", {}
    return data[:pos] + data[pos + 8 + n :], f"record {i} removed", {}
