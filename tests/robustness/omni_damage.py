"""Structural damage of OMNI ASCII files (hourly OMNI2, 1-min HRO) and Qin-Denton files.

Kinds, as a bad copy, a broken download or a hostile user would produce them: garbled records,
impossible dates and clocks, records of another year, words that are not numbers, records with a
word more or less, NUL bytes, another encoding, a very long line and a file cut short.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .damage import _writer
from .rio_damage import _index, _indices


def omni_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of an OMNI ASCII file."""
    text = src.read_bytes()
    rows = text.splitlines()

    def rows_edit(kind: str, how: Callable[[list[bytes], object], str]):
        def build(rng):
            new = list(rows)
            label = how(new, rng)
            return f"{kind}: {label}", _writer(src.name, b"\n".join(new) + b"\n"), False

        return (kind, kind, build)

    def garble(new, rng):
        for i in _indices(rng, len(new), 10):
            new[i] = bytes(32 + _index(rng, 95) for _ in range(1 + _index(rng, 300)))
        return "10 records garbled"

    def date(new, rng):
        value = rng.choice([b"2015 367", b"2015   0", b"1900  75", b"9999  75", b"2031  75"])
        i = _index(rng, len(new))
        new[i] = value + new[i][8:]
        return f"record {i} dated {value.decode()}"

    def clock(new, rng):
        value = rng.choice([b" 24", b" 99", b" -1"])
        i = _index(rng, len(new))
        new[i] = new[i][:8] + value + new[i][11:]
        return f"record {i} at hour {value.decode()}"

    def number(new, rng):
        value = rng.choice([b"nan", b"inf", b"1e999", b"-", b"0x1F", b"1,5"])
        i = _index(rng, len(new))
        words = new[i].split()
        words[_index(rng, len(words))] = value
        new[i] = b" ".join(words)
        return f"record {i} word {value.decode()}"

    def columns(new, rng):
        extra = rng.random() < 0.5
        for i in _indices(rng, len(new), 5):
            new[i] = new[i] + b" 1.0" if extra else new[i].rsplit(b" ", 1)[0]
        return "5 records with a word " + ("more" if extra else "less")

    def nul(rng):
        at = _index(rng, len(text))
        return f"NUL bytes at {at}", _writer(src.name, text[:at] + b"\0" * 64 + text[at:]), False

    def encoding(rng):
        which = rng.choice(["utf-16", "utf-32"])
        return f"re-encoded {which}", _writer(src.name, text.decode("latin-1").encode(which)), False

    def long_line(rng):
        size = rng.choice([2_000_000, 20_000_000])
        data = rows[0][:20] + b" " + b"9" * size + b"\n" + text
        return f"a {size}-digit word", _writer(src.name, data), False

    def cut(rng):
        at = _index(rng, len(text))
        return f"cut at byte {at}", _writer(src.name, text[:at]), False

    return [
        rows_edit("rows", garble),
        rows_edit("date", date),
        rows_edit("clock", clock),
        rows_edit("value", number),
        rows_edit("columns", columns),
        ("binary", "NUL", nul),
        ("encoding", "encoding", encoding),
        ("bomb", "long line", long_line),
        ("truncated", "cut", cut),
    ]


def qindenton_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Damage of a Qin-Denton file's JSON header (the records' damage is :func:`omni_cases`)."""
    text = src.read_bytes()
    head, _, body = text.partition(b"# } End JSON")

    def edit(kind: str, label: str, how: Callable[[bytes, object], bytes]):
        def build(rng):
            new = how(head, rng) + b"# } End JSON" + body
            return f"{kind}: {label}", _writer(src.name, new), False

        return (kind, kind, build)

    def column(h, rng):
        value = rng.choice([b"-5", b"4000000000", b'"12"', b"1e9", b"null", b"true", b"[3]"])
        at = h.find(b'"START_COLUMN": ', _index(rng, len(h)))
        at = at if at >= 0 else h.find(b'"START_COLUMN": ')
        end = at + len(b'"START_COLUMN": ')
        stop = end + len(h[end:].split(b" ", 1)[0].rstrip(b",}"))
        return h[:end] + value + h[stop:]

    def dimension(h, rng):
        value = rng.choice([b"[ 0 ]", b"[ 100000 ]", b"[ 3, 2 ]", b'"3"', b"[]"])
        return h.replace(b"[ 6 ]", value, 1).replace(b"[6]", value, 1)

    def braces(h, rng):
        cut = rng.choice([b"{", b"}", b":", b","])
        at = h.find(cut, _index(rng, len(h)))
        return h if at < 0 else h[:at] + h[at + 1 :]

    def uncommented(h, rng):
        lines = h.split(b"\n")
        i = _index(rng, len(lines))
        lines[i] = lines[i].lstrip(b"#")
        return b"\n".join(lines)

    def deep(h, rng):
        return b"# {" + b"[" * 100_000 + h[3:]

    return [
        edit("header", "a START_COLUMN changed", column),
        edit("header", "a DIMENSION changed", dimension),
        edit("header", "a JSON brace or separator removed", braces),
        edit("header", "a header line without its #", uncommented),
        edit("header", "100000 nested brackets", deep),
    ]
