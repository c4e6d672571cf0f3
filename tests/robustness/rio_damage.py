"""Structural damage of riometer files: NORSTAR K0/K2 text and SWAN HSR HDF5.

Text kinds, as a bad copy, a broken logger or a hostile user would produce them: garbled rows,
impossible dates and clocks, rows of another day, numbers that are not numbers, rows with a
column more or less, a header that never ends, NUL bytes, another encoding and a very long line.
HDF5 kinds: huge declared arrays (bombs), ``raw_power`` stored externally or as a virtual
dataset (must be refused), timestamps damaged, missing, too few or not text, ``raw_power`` of
the wrong rank or type, band lists of the wrong length, odd metadata attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from .damage import _attr, _external, _h5_wrap, _replace, _virtual, _writer


def _index(rng, n: int) -> int:
    """A position in ``range(n)`` from ``rng.random()`` (the harness's first pass overrides
    ``random`` to return 0, which sends ``randrange``/``sample`` into an endless loop)."""
    return min(int(rng.random() * n), n - 1)


def _indices(rng, n: int, k: int) -> list[int]:
    return sorted({_index(rng, n) for _ in range(k)})


def norstar_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of a NORSTAR K0/K2 text file."""
    text = src.read_bytes()
    head, sep, body = text.partition(b"------------\n")
    rows = body.splitlines()

    def rows_edit(kind: str, how: Callable[[list[bytes], object], str]):
        def build(rng):
            new = list(rows)
            label = how(new, rng)
            return (
                f"{kind}: {label}",
                _writer(src.name, head + sep + b"\n".join(new) + b"\n"),
                False,
            )

        return (kind, kind, build)

    def garble(new, rng):
        for i in _indices(rng, len(new), 20):
            new[i] = bytes(32 + _index(rng, 95) for _ in range(1 + _index(rng, 39)))
        return "20 rows garbled"

    def date(new, rng):
        value = rng.choice([b"31/02/14", b"00/00/00", b"08/13/14", b"09/03/14", b"08/03/70"])
        i = _index(rng, len(new))
        new[i] = value + new[i][8:]
        return f"row {i} dated {value.decode()}"

    def clock(new, rng):
        value = rng.choice([b"25:00:00", b"23:61:00", b"99:99:99", b"24:00:01"])
        i = _index(rng, len(new))
        new[i] = new[i][:9] + value + new[i][17:]
        return f"row {i} at {value.decode()}"

    def number(new, rng):
        value = rng.choice([b"nan", b"inf", b"1e999", b"-", b"0x1F", b"1,5"])
        i = _index(rng, len(new))
        new[i] = new[i].rsplit(b" ", 1)[0] + b" " + value
        return f"row {i} value {value.decode()}"

    def columns(new, rng):
        extra = rng.random() < 0.5
        for i in _indices(rng, len(new), 5):
            new[i] = new[i] + b" 1.0" if extra else new[i].rsplit(b" ", 1)[0]
        return "5 rows with a column " + ("more" if extra else "less")

    def header(rng):
        what = rng.choice(["never ends", "only", "missing"])
        if what == "never ends":
            data = head + b"\n".join(b"# " + r for r in rows[:100]) + b"\n"
        elif what == "only":
            data = head + sep
        else:
            data = body
        return f"header {what}", _writer(src.name, data), False

    def nul(rng):
        at = _index(rng, len(text))
        return f"NUL bytes at {at}", _writer(src.name, text[:at] + b"\0" * 64 + text[at:]), False

    def encoding(rng):
        which = rng.choice(["utf-16", "utf-32"])
        return f"re-encoded {which}", _writer(src.name, text.decode("latin-1").encode(which)), False

    def long_line(rng):
        size = rng.choice([2_000_000, 20_000_000])
        data = head + sep + b"08/03/14 00:00:00 " + b"9" * size + b"\n" + body
        return f"a {size}-digit value", _writer(src.name, data), False

    return [
        rows_edit("rows", garble),
        rows_edit("date", date),
        rows_edit("clock", clock),
        rows_edit("value", number),
        rows_edit("columns", columns),
        ("header", "header", header),
        ("binary", "NUL", nul),
        ("encoding", "encoding", encoding),
        ("bomb", "long line", long_line),
    ]


def hsr_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of a SWAN HSR HDF5 file."""
    import h5py

    with h5py.File(src, "r") as f:
        bands, times = f["data/raw_power"].shape
        stamps = f["data/timestamp"][()]

    def huge(rng):
        count = rng.choice([10**9, 10**8])

        def edit(f, folder):
            _replace(f, "data/raw_power", shape=(bands, count), dtype="f4",
                     chunks=(bands, 4096), compression="gzip")  # fmt: skip

        return f"raw_power declared {bands}x{count}", edit, False

    def stamp(rng):
        what = rng.choice(["garbled", "another day", "year 9999", "numbers", "too few", "empty"])

        def edit(f, folder):
            new = stamps.copy()
            if what == "garbled":
                new[_index(rng, times)] = b"2024-02-3X 25:61:00 UTC"
            elif what == "another day":
                new[_index(rng, times)] = b"2031-07-01 00:00:00 UTC"
            elif what == "year 9999":
                new[:] = b"9999-12-31 23:59:59 UTC"
            if what == "numbers":
                _replace(f, "data/timestamp", data=np.arange(times, dtype="f8"))
            elif what == "too few":
                _replace(f, "data/timestamp", data=new[: times // 2])
            elif what == "empty":
                _replace(f, "data/timestamp", data=new[:0])
            else:
                _replace(f, "data/timestamp", data=new)

        return f"timestamp {what}", edit, False

    def power(rng):
        what = rng.choice(["1-D", "3-D", "text", "transposed", "nan"])

        def edit(f, folder):
            values = f["data/raw_power"][()]
            if what == "1-D":
                _replace(f, "data/raw_power", data=values[0])
            elif what == "3-D":
                _replace(f, "data/raw_power", data=values[None])
            elif what == "text":
                _replace(f, "data/raw_power", data=np.array([b"x"] * 10))
            elif what == "transposed":
                _replace(f, "data/raw_power", data=values.T)
            else:
                values[:, ::7] = np.nan
                _replace(f, "data/raw_power", data=values)

        return f"raw_power {what}", edit, False

    def band_list(rng):
        what = rng.choice(["short", "missing", "numbers", "passband missing"])

        def edit(f, folder):
            if what == "short":
                _replace(f, "data/band_central_frequency", data=np.array([b"30.0 MHz"]))
            elif what == "missing":
                del f["data/band_central_frequency"]
            elif what == "numbers":
                _replace(f, "data/band_central_frequency", data=np.arange(bands, dtype="f8"))
            else:
                del f["data/band_passband"]

        return f"bands {what}", edit, False

    def group(rng):
        what = rng.choice(["no data", "no metadata"])

        def edit(f, folder):
            if what == "no data":
                f.move("data", "elsewhere")
            else:
                del f["metadata"]

        return f"group {what}", edit, False

    odd = ["", "abc", "1e999", "nan", np.zeros((2, 2)), np.float64(0.0), np.int64(-5)]
    return [
        ("bomb", "huge raw_power", _h5_wrap(src, huge)),
        ("external", "external raw_power", _h5_wrap(src, _external("data/raw_power"))),
        ("virtual", "virtual raw_power", _h5_wrap(src, _virtual("data/raw_power"))),
        ("time", "timestamp", _h5_wrap(src, stamp)),
        ("layout", "raw_power", _h5_wrap(src, power)),
        ("layout", "bands", _h5_wrap(src, band_list)),
        ("layout", "groups", _h5_wrap(src, group)),
        (
            "attribute",
            "latitude",
            _h5_wrap(src, _attr("metadata/file", "geographic_latitude", odd)),
        ),
        ("attribute", "site", _h5_wrap(src, _attr("metadata/file", "site_unique_id", odd))),
    ]
