"""netCDF attacks (classic CDF-1/2 and netCDF-4) for the TIE-GCM and WACCM-X readers.

Semantic attacks go through the netCDF4 library on a copy (attribute type swaps, time values
near and past the datetime64[ns] limits, NaN/inf coordinates, char-typed coordinates, renamed
dimensions and variables); classic-format header attacks edit ``numrecs`` and dimension
lengths in the header bytes; the rest is byte-level damage (a damaged netCDF-4 chunk).
"""

from __future__ import annotations

import random
import shutil
import struct
from pathlib import Path

import netCDF4
import numpy as np

from . import bytes_mut

TIME_VARS = ("time", "year", "day", "mtime", "date", "datesec", "time_bnds", "mtime")
COORDS = ("lat", "lon", "lev", "ilev", "mlat", "mlon", "P0", "hyam", "hybm", "hyai", "hybi")


def _swap_attr_value(rng: random.Random):
    return rng.choice(
        [
            "abc",
            "1e36",
            "",
            "nan",
            np.array([1.0, 2.0]),
            np.array([1, 2, 3, 4]),  # netCDF attributes are 1-D
            np.float64("nan"),
            np.float64("inf"),
            np.int8(-1),
            "2262-12-31",
        ]
    )


def semantic(path: Path, rng: random.Random) -> tuple[str, dict]:
    flags: dict = {}
    with netCDF4.Dataset(path, "r+") as ds:
        ds.set_auto_mask(False)
        ds.set_auto_scale(False)
        names = list(ds.variables)
        data_vars = [n for n in names if ds.variables[n].ndim >= 3]
        kind = rng.choice(
            [
                "scale_text",
                "offset_text",
                "missing_text",
                "attr_swap",
                "attr_swap",
                "time_units",
                "time_values",
                "time_values",
                "time_values",
                "calendar",
                "coord_nan",
                "coord_nan",
                "rename_dim",
                "rename_var",
                "char_coord",
                "fill_all",
                "global_attr",
            ]
        )
        if kind in ("scale_text", "offset_text", "missing_text"):
            v = ds.variables[rng.choice(data_vars)]
            attr = {
                "scale_text": "scale_factor",
                "offset_text": "add_offset",
                "missing_text": "missing_value",
            }[kind]
            value = rng.choice(["abc", "1.0", np.array([1.0, 2.0]), "", np.float64("nan")])
            v.setncattr(attr, value)
            return f"{v.name}@{attr} = {value!r}", flags
        if kind == "attr_swap":
            v = ds.variables[rng.choice(names)]
            attrs = v.ncattrs()
            if not attrs:
                v.setncattr("units", _swap_attr_value(rng))
                return f"{v.name}@units set", flags
            a = rng.choice(attrs)
            if a == "_FillValue":
                a = "units"
            value = _swap_attr_value(rng)
            v.setncattr(a, value)
            return f"{v.name}@{a} = {value!r}", flags
        if kind == "global_attr":
            attrs = ds.ncattrs() or ["title"]
            a = rng.choice(attrs)
            value = _swap_attr_value(rng)
            ds.setncattr(a, value)
            return f"global @{a} = {value!r}", flags
        if kind == "time_units":
            v = ds.variables["time"]
            value = rng.choice(
                [
                    "days since 9999-01-01",
                    "hours since 2262-04-11",
                    "seconds since 1677-01-01",
                    "days since garbage",
                    "",
                    "fortnights since 2003-01-01",
                    "days since 0000-00-00",
                    "minutes since 2003-3-21 25:61:0",
                    "days since -4713-01-01",
                ]
            )
            v.setncattr("units", value)
            return f"time@units = {value!r}", flags
        if kind == "calendar":
            v = ds.variables["time"]
            value = rng.choice(["bogus", "360_day", "julian", "all_leap", "", "none"])
            v.setncattr("calendar", value)
            return f"time@calendar = {value!r}", flags
        if kind == "time_values":
            present = [n for n in TIME_VARS if n in ds.variables]
            n = rng.choice(present)
            v = ds.variables[n]
            data = np.array(v[:])
            choices = {
                "year": [2263, 2262, 1677, 1676, 0, -1, 99999, 2**31 - 1],
                "day": [0, 366, 367, 400, -1, 2**31 - 1],
                "mtime": [-1, 25, 61, 400, 2**31 - 1],
                "date": [22630101, 16770101, 0, -1, 99999999, 20031340, 2**31 - 1],
                "datesec": [-1, 86401, 2**31 - 1],
            }.get(n, [1e9, 1e15, -1e9, np.nan, np.inf, -np.inf, 1e300, 106751.0 * 86400 * 2])
            value = rng.choice(choices)
            where = "all" if rng.random() < 0.5 else "one"
            if where == "all":
                data[...] = value
            else:
                data.flat[rng.randrange(data.size)] = value
            if data.dtype.kind in "iu" and isinstance(value, float):
                data = np.where(np.isfinite(data), data, 0)
            v[:] = data.astype(v.dtype)
            if n in ("year", "date"):
                flags["bad_time"] = f"{n}={value}"
            return f"{n}[{where}] = {value}", flags
        if kind == "coord_nan":
            present = [n for n in COORDS if n in ds.variables]
            n = rng.choice(present)
            v = ds.variables[n]
            data = np.array(v[:], dtype=v.dtype)
            value = rng.choice([np.nan, np.inf, -np.inf, 1e30, -1e30])
            if data.dtype.kind == "f":
                if rng.random() < 0.5:
                    data[...] = value
                else:
                    data.flat[rng.randrange(data.size)] = value
                v[:] = data
            return f"{n} with {value}", flags
        if kind == "rename_dim":
            d = rng.choice(list(ds.dimensions))
            ds.renameDimension(d, d + "_x")
            return f"dimension {d} renamed", flags
        if kind == "rename_var":
            n = rng.choice(names)
            ds.renameVariable(n, n + "_x")
            return f"variable {n} renamed", flags
        if kind == "char_coord":
            n = rng.choice([c for c in ("lon", "lat", "lev", "time") if c in ds.variables])
            old = ds.variables[n]
            dims = old.dimensions
            ds.renameVariable(n, n + "_orig")
            if "strlen9" not in ds.dimensions:
                ds.createDimension("strlen9", 9)
            new = ds.createVariable(n, "S1", (*dims, "strlen9"))
            new[:] = np.full(new.shape, b"x", dtype="S1")
            return f"{n} retyped to char", flags
        # fill_all: a data variable made entirely of its missing value
        v = ds.variables[rng.choice(data_vars)]
        fill = v.getncattr("missing_value") if "missing_value" in v.ncattrs() else 1e36
        v[:] = np.full(v.shape, fill, dtype=v.dtype)
        return f"{v.name} entirely missing", flags


def _classic_header(data: bytes) -> tuple[int, list[tuple[str, int, int]]] | None:
    """Return (version, [(dim name, offset of its length field, length)]) of a CDF-1/2 header."""
    if data[:3] != b"CDF" or data[3] not in (1, 2):
        return None
    pos = 8
    tag, n = struct.unpack(">ii", data[pos : pos + 8])
    pos += 8
    dims = []
    if tag == 0x0A:
        for _ in range(n):
            (nlen,) = struct.unpack(">i", data[pos : pos + 4])
            pos += 4
            name = data[pos : pos + nlen].decode("latin1")
            pos += (nlen + 3) // 4 * 4
            dims.append((name, pos, struct.unpack(">i", data[pos : pos + 4])[0]))
            pos += 4
    return data[3], dims


def header(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    info = _classic_header(data)
    buf = bytearray(data)
    if info is None:
        return bytes_mut.head_bit_flips(data, rng)
    _, dims = info
    if rng.random() < 0.4 or not dims:
        value = rng.choice([0, 1, 0x7FFFFFFF, -1, 1000, 0x7FFFFFFE])
        struct.pack_into(">i", buf, 4, value)
        return bytes(buf), f"numrecs = {value}"
    name, off, length = rng.choice(dims)
    value = rng.choice([0, 1, 0x7FFFFFFF, -1, length * 1000, length + 1, length - 1])
    struct.pack_into(">i", buf, off, value)
    return bytes(buf), f"dimension {name} length {length} -> {value}"


def mutate(src: Path, dst: Path, rng: random.Random) -> tuple[str, dict]:
    r = rng.random()
    if r < 0.65:
        shutil.copyfile(src, dst)
        try:
            return semantic(dst, rng)
        except Exception as exc:
            shutil.copyfile(src, dst)
            return f"(semantic mutation failed: {type(exc).__name__}: {exc}) unchanged", {}
    data = src.read_bytes()
    if r < 0.8:
        out, desc = header(data, rng)
    else:
        out, desc = rng.choice(bytes_mut.GENERIC)(data, rng)
    dst.write_bytes(out)
    return desc, {}
