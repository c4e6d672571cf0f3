"""HDF5 attacks made with h5py on a copy of a valid file (any HDF5-based reader format).

What an outside attacker tries on HDF5: attributes of the wrong type or shape, datasets of a
huge declared shape (fill value only, so the file stays small), chunk-level compression bombs,
external raw storage pointing at system files, virtual datasets over missing sources, link
loops, bad timestamps, NaN/inf in coordinates and the usual byte-level damage.
"""

from __future__ import annotations

import functools
import random
import shutil
import zlib
from pathlib import Path

import h5py
import numpy as np

from . import bytes_mut
from .pgm_mut import BAD_TIMES

BAD_ATTR_VALUES = [
    "not a number",
    "",
    "nan",
    "inf",
    "1e400",
    "-999.0,1",
    "\u00ff\u2028",
    b"\xff\xfe\x00",
    np.array([[1.0, 2.0], [3.0, 4.0]]),
    np.array([], dtype="f4"),
    np.float64("nan"),
    np.float64("inf"),
    np.int64(2**62),
    np.int64(-1),
    np.array(["a", "b"], dtype="S"),
    "2262-12-31 23:59:59 UTC",
    "1677-01-01 00:00:00 UTC",
]


@functools.lru_cache(maxsize=16)
def zlib_zeros(nbytes: int) -> bytes:
    """A zlib stream (HDF5's deflate filter) of ``nbytes`` zeros, built in bounded memory."""
    co = zlib.compressobj(9)
    block = bytes(1 << 22)
    parts, left = [], nbytes
    while left > 0:
        take = min(left, len(block))
        parts.append(co.compress(block[:take]))
        left -= take
    parts.append(co.flush())
    return b"".join(parts)


def _walk(f: h5py.File) -> tuple[list[str], list[tuple[str, str]]]:
    datasets: list[str] = []
    attrs: list[tuple[str, str]] = [("/", k) for k in f.attrs]

    def visit(name: str, obj) -> None:
        if isinstance(obj, h5py.Dataset):
            datasets.append(name)
        attrs.extend((name, k) for k in obj.attrs)

    f.visititems(visit)
    return datasets, attrs


def _is_timey(ds: h5py.Dataset) -> bool:
    if ds.dtype.kind not in "SOU" or ds.size == 0:
        return False
    first = ds[(0,) * ds.ndim]
    if isinstance(first, bytes):
        first = first.decode("utf-8", "replace")
    return isinstance(first, str) and first[:2] in ("19", "20") and ":" in first


def _replace(f: h5py.File, name: str, **kwargs) -> None:
    attrs = dict(f[name].attrs)
    del f[name]
    new = f.create_dataset(name, **kwargs)
    for k, v in attrs.items():
        try:
            new.attrs[k] = v
        except Exception:
            pass


def _attr_value(rng: random.Random, old):
    v = rng.choice(BAD_ATTR_VALUES)
    if isinstance(v, str) and rng.random() < 0.5:
        return np.bytes_(v.encode("utf-8", "surrogateescape"))
    return v


def semantic(path: Path, rng: random.Random) -> tuple[str, dict]:
    """Modify the HDF5 file at ``path`` in place; return (description, flags)."""
    flags: dict = {}
    with h5py.File(path, "r+") as f:
        datasets, attrs = _walk(f)
        big = sorted(datasets, key=lambda n: -f[n].size)
        timey = [n for n in datasets if _is_timey(f[n])]
        floats = [n for n in datasets if f[n].dtype.kind == "f" and 0 < f[n].size]
        kinds = [
            "attr_swap",
            "attr_swap",
            "attr_swap",
            "attr_delete",
            "dataset_delete",
            "huge_shape",
            "huge_shape",
            "bomb_chunk",
            "external",
            "external",
            "virtual",
            "softlink_loop",
            "extlink",
            "dtype_swap",
            "rank_change",
            "zero_length",
            "time_values",
            "time_values",
            "time_values",
            "nan_inf",
            "attr_all_swap",
        ]
        kind = rng.choice(kinds)
        if kind in ("time_values",) and not timey:
            kind = "attr_swap"
        if kind in ("attr_swap", "attr_delete", "attr_all_swap") and not attrs:
            kind = "huge_shape"
        if kind == "nan_inf" and not floats:
            kind = "huge_shape"
        if kind == "attr_swap":
            obj, key = rng.choice(attrs)
            value = _attr_value(rng, f[obj].attrs[key])
            f[obj].attrs[key] = value
            return f"attribute {obj}@{key} set to {value!r:.60}", flags
        if kind == "attr_all_swap":
            obj = rng.choice(sorted({o for o, _ in attrs}))
            value = _attr_value(rng, None)
            for key in list(f[obj].attrs):
                f[obj].attrs[key] = value
            return f"every attribute of {obj} set to {value!r:.60}", flags
        if kind == "attr_delete":
            obj, key = rng.choice(attrs)
            del f[obj].attrs[key]
            return f"attribute {obj}@{key} deleted", flags
        # mostly datasets that hold data (the readers read them), sometimes any dataset
        nonempty = [n for n in datasets if f[n].size > 0]
        if nonempty and rng.random() < 0.8:
            target = rng.choice(big[:2] + nonempty)
        else:
            target = rng.choice(datasets)
        ds = f[target]
        shape, dtype = ds.shape, ds.dtype
        if kind == "dataset_delete":
            del f[target]
            return f"dataset {target} deleted", flags
        if kind == "huge_shape":
            if not shape:
                shape = (1,)
            axis = rng.randrange(len(shape))
            factor = rng.choice([1000, 100_000, 1_000_000])
            new_shape = list(shape)
            new_shape[axis] = max(1, new_shape[axis]) * factor
            chunks = tuple(max(1, min(s, 64)) for s in new_shape)
            _replace(
                f,
                target,
                shape=tuple(new_shape),
                dtype=dtype if dtype.kind != "O" else h5py.string_dtype(),
                chunks=chunks,
            )
            also = ""
            if timey and target not in timey and rng.random() < 0.6:
                # matching timestamps: the declared frames look real
                t = timey[0]
                n = new_shape[axis]
                if n <= 1_000_000:
                    stamps = np.array([b"2014-03-10 06:00:00.000000 UTC"] * n)
                    _replace(f, t, data=stamps)
                    also = f" and {t} with {n} matching stamps"
            return f"dataset {target} declared {tuple(new_shape)} (fill only){also}", flags
        if kind == "bomb_chunk":
            if not shape:
                shape = (1,)
            item = max(1, dtype.itemsize if dtype.kind not in "OSU" else 1)
            target_bytes = rng.choice([1 << 30, 3 << 30])
            axis = rng.randrange(len(shape))
            other = int(np.prod([s for k, s in enumerate(shape) if k != axis])) or 1
            n_axis = max(1, target_bytes // (other * item))
            new_shape = list(shape)
            new_shape[axis] = n_axis
            dt = dtype if dtype.kind in "iuf" else np.dtype("u1")
            _replace(
                f,
                target,
                shape=tuple(new_shape),
                dtype=dt,
                chunks=tuple(new_shape),
                compression="gzip",
            )
            nbytes = int(np.prod(new_shape)) * dt.itemsize
            f[target].id.write_direct_chunk((0,) * len(new_shape), zlib_zeros(nbytes))
            return f"dataset {target}: one gzip chunk of {nbytes >> 20} MiB zeros", flags
        if kind == "external":
            src = rng.choice(
                [
                    "/etc/passwd",
                    "/dev/zero",
                    "/proc/self/environ",
                    "missing-file.bin",
                    "../../../../etc/hostname",
                ]
            )
            dt = dtype if dtype.kind in "iuf" else np.dtype("u1")
            _replace(
                f, target, shape=shape or (1,), dtype=dt, external=[(src, 0, h5py.h5f.UNLIMITED)]
            )
            if shape and int(np.prod(shape)) > 0:  # an empty attribute holder reads no data
                flags["expect_error"] = f"external storage in {src}"
            return f"dataset {target} stored externally in {src}", flags
        if kind == "virtual":
            dt = dtype if dtype.kind in "iuf" else np.dtype("u1")
            layout = h5py.VirtualLayout(shape=shape or (1,), dtype=dt)
            layout[...] = h5py.VirtualSource("no-such-source.h5", "data", shape=shape or (1,))
            attrs_ = dict(f[target].attrs)
            del f[target]
            f.create_virtual_dataset(target, layout, fillvalue=0)
            for k, v in attrs_.items():
                f[target].attrs[k] = v
            if shape and int(np.prod(shape)) > 0:
                flags["expect_error"] = "virtual dataset over a missing source"
            return f"dataset {target} virtual over a missing file", flags
        if kind == "softlink_loop":
            del f[target]
            f[target] = h5py.SoftLink("/" + target.strip("/"))
            return f"dataset {target} replaced by a soft link to itself", flags
        if kind == "extlink":
            del f[target]
            f[target] = h5py.ExternalLink(rng.choice(["/etc/passwd", "nope.h5"]), "/data")
            return f"dataset {target} replaced by an external link", flags
        if kind == "dtype_swap":
            new = rng.choice(["f8nan", "i8", "S", "c16", "bool"])
            if new == "f8nan":
                data = np.full(shape, np.nan)
            elif new == "S":
                data = np.full(shape, b"x", dtype="S1")
            elif new == "c16":
                data = np.zeros(shape, dtype="c16")
            elif new == "bool":
                data = np.zeros(shape, dtype=bool)
            else:
                data = np.full(shape, -(2**62), dtype="i8")
            _replace(f, target, data=data)
            return f"dataset {target} retyped to {new}", flags
        if kind == "rank_change":
            data = ds[()]
            data = np.asarray(data)
            data = data[..., None] if rng.random() < 0.5 or data.ndim == 0 else data.reshape(-1)
            _replace(f, target, data=data)
            return f"dataset {target} reshaped to {data.shape}", flags
        if kind == "zero_length":
            zshape = tuple(0 if k == 0 else s for k, s in enumerate(shape)) or (0,)
            _replace(
                f, target, shape=zshape, dtype=dtype if dtype.kind != "O" else h5py.string_dtype()
            )
            return f"dataset {target} with zero length {zshape}", flags
        if kind == "time_values":
            t = rng.choice(timey)
            data = f[t][()]
            mode = rng.choice(["one", "all", "dups", "reverse"])
            data = np.array(data, dtype=object)
            if mode == "one":
                data.flat[rng.randrange(data.size)] = rng.choice(BAD_TIMES).encode(
                    "utf-8", "surrogateescape"
                )
            elif mode == "all":
                data[...] = rng.choice(BAD_TIMES).encode("utf-8", "surrogateescape")
            elif mode == "dups":
                data[...] = data.flat[0]
            else:
                data = data[::-1]
            data = np.array(
                [x if isinstance(x, bytes) else str(x).encode() for x in data.flat], dtype=object
            ).reshape(data.shape)
            _replace(f, t, data=data, dtype=h5py.string_dtype("utf-8"))
            return f"timestamps {t}: {mode}", flags
        t = rng.choice(floats)
        data = np.array(f[t][()], dtype="f8")
        v = rng.choice([np.nan, np.inf, -np.inf, 1e300])
        if rng.random() < 0.5:
            data.flat[rng.randrange(data.size)] = v
        else:
            data[...] = v
        _replace(f, t, data=data.astype(f[t].dtype) if f[t].dtype.kind == "f" else data)
        return f"dataset {t} with {v}", flags


def mutate(src: Path, dst: Path, rng: random.Random) -> tuple[str, dict]:
    """Write one damaged copy of HDF5 ``src`` at ``dst``."""
    if rng.random() < 0.7:
        shutil.copyfile(src, dst)
        try:
            return semantic(dst, rng)
        except Exception as exc:
            shutil.copyfile(src, dst)
            fallback = f"(semantic mutation failed: {type(exc).__name__}) "
    else:
        fallback = ""
    data = src.read_bytes()
    fn = rng.choice(bytes_mut.GENERIC)
    out, desc = fn(data, rng)
    dst.write_bytes(out)
    return fallback + desc, {}
