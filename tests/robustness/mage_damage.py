"""Structural damage of MAGE files: GAMERA ``.gam.h5`` and ReMIX ``.mix.h5`` (HDF5).

Kinds, as a broken run, a bad copy or a hostile user would produce them: huge declared grids
and time caches (bombs), a step variable stored externally or as a virtual dataset (must be
refused), MJD beyond ``datetime64[ns]``, text or array attributes where numbers belong
(``MagM0``, ``UnitsID``, ``time``, ``MJD``, ``nCPCP``), renamed or removed datasets and groups,
step variables and grids of the wrong shape or type, an inconsistent time cache.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from .damage import _attr, _external, _h5_wrap, _replace, _virtual


def _drop_cache(f) -> None:
    if "timeAttributeCache" in f:
        del f["timeAttributeCache"]


def gamera_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of a GAMERA ``.gam.h5`` file."""
    import h5py

    with h5py.File(src, "r") as f:
        cell = f["Step#0/D"].shape
        steps = sorted(k for k in f if k.startswith("Step#"))

    def huge_grid(rng):
        side = rng.choice([4000, 20000])

        def edit(f, folder):
            _replace(f, "X", shape=(side, side, 64), dtype="f4", chunks=(32, 32, 32),
                     compression="gzip")  # fmt: skip

        return f"X declared {side}x{side}x64", edit, False

    def huge_variable(rng):
        side = rng.choice([4000, 20000])
        step = rng.choice(steps)

        def edit(f, folder):
            _replace(f, f"{step}/D", shape=(side, side, 64), dtype="f4", chunks=(32, 32, 32),
                     compression="gzip")  # fmt: skip

        return f"{step}/D declared {side}x{side}x64", edit, False

    def cache_bomb(rng):
        count = rng.choice([1_000_000, 300_000])

        def edit(f, folder):
            for name in ("step", "time", "MJD"):
                dtype = "i4" if name == "step" else "f8"
                _replace(f, f"timeAttributeCache/{name}", shape=(count,), dtype=dtype,
                         chunks=(4096,), compression="gzip")  # fmt: skip

        return f"timeAttributeCache declaring {count} steps", edit, False

    def mjd(value: float, label: str):
        def build(rng):
            step = rng.choice(steps)

            def edit(f, folder):
                cache = f["timeAttributeCache/MJD"][()]
                cache[steps.index(step) if step in steps else 0] = value
                f["timeAttributeCache/MJD"][...] = cache
                f[step].attrs["MJD"] = value

            return f"{step} MJD = {value} ({label})", edit, False

        return build

    def step_attr(key: str, values: list):
        def build(rng):
            step = rng.choice(steps)
            value = rng.choice(values)

            def edit(f, folder):
                _drop_cache(f)
                f[step].attrs[key] = value

            return f"{step} attribute {key} = {value!r} (no time cache)", edit, False

        return build

    def rename(rng):
        old, new = rng.choice([
            ("X", "Xs"), (f"{steps[1]}/D", f"{steps[1]}/Dens"), ("dV", "dv"),
            (steps[0], "Step#x"), (f"{steps[-1]}/Bz", f"{steps[-1]}/B"),
        ])  # fmt: skip

        def edit(f, folder):
            f.move(old, new)

        return f"{old} renamed {new}", edit, False

    def reshape(rng):
        what = rng.choice(["Bx", "Y", "dV", "Bx-float-text", "Z-2d"])

        def edit(f, folder):
            if what == "Bx":
                _replace(f, f"{steps[2]}/Bx", data=np.zeros((cell[0], cell[1], cell[2] - 1), "f4"))
            elif what == "Y":
                _replace(f, "Y", data=np.zeros((cell[0] + 1, cell[1] + 1, cell[2]), "f4"))
            elif what == "dV":
                _replace(f, "dV", data=np.zeros((2, 2), "f4"))
            elif what == "Bx-float-text":
                _replace(f, f"{steps[1]}/Bx", data=np.full(cell, b"1.0"))
            else:
                _replace(f, "Z", data=np.zeros((cell[1] + 1, cell[2] + 1), "f4"))

        return f"{what} of the wrong shape or type", edit, False

    def cache_mismatch(rng):
        what = rng.choice(["missing step", "length", "repeat"])

        def edit(f, folder):
            n = len(steps)
            if what == "missing step":
                _replace(f, "timeAttributeCache/step", data=np.arange(n) + 100)
            elif what == "length":
                _replace(f, "timeAttributeCache/MJD", data=np.zeros(n + 3))
            else:
                _replace(f, "timeAttributeCache/step", data=np.zeros(n, "i4"))

        return f"time cache {what}", edit, False

    kinds = [
        ("bomb", "huge declared grid", huge_grid),
        ("bomb", "huge declared step variable", huge_variable),
        ("bomb", "time cache declaring many steps", cache_bomb),
        ("hdf5-external", "external storage", _external(f"{steps[0]}/D")),
        ("hdf5-virtual", "virtual dataset", _virtual(f"{steps[1]}/Bz")),
        ("time-overflow", "MJD 1e9", mjd(1e9, "beyond datetime64[ns]")),
        ("time-overflow", "MJD inf", mjd(float("inf"), "not finite")),
        ("attribute", "MagM0 text", _attr("/", "MagM0", ["strong", np.zeros((2, 2)), b""])),
        ("attribute", "UnitsID not text", _attr("/", "UnitsID", [5, np.arange(3), 1e300])),
        ("attribute", "step time text", step_attr("time", ["noon", np.ones(3), b"\xff"])),
        ("attribute", "step MJD text", step_attr("MJD", ["today", np.zeros((2, 2)), ""])),
        ("renamed", "renamed dataset or group", rename),
        ("attribute", "shape or type", reshape),
        ("attribute", "time cache inconsistent", cache_mismatch),
    ]
    return [(k, lab, _h5_wrap(src, b)) for k, lab, b in kinds]


def remix_cases(src: Path) -> list[tuple[str, str, Callable]]:
    """Structural damage kinds of a ReMIX ``.mix.h5`` file."""
    import h5py

    with h5py.File(src, "r") as f:
        steps = sorted(k for k in f if k.startswith("Step#"))
        plane = f[f"{steps[0]}/Potential NORTH"].shape

    def huge_grid(rng):
        side = rng.choice([60000, 200000])

        def edit(f, folder):
            _replace(f, "X", shape=(side, side), dtype="f8", chunks=(256, 256), compression="gzip")

        return f"X declared {side}x{side}", edit, False

    def huge_plane(rng):
        side = rng.choice([60000, 200000])

        def edit(f, folder):
            _replace(f, f"{steps[0]}/Potential NORTH", shape=(side, side), dtype="f4",
                     chunks=(256, 256), compression="gzip")  # fmt: skip

        return f"Potential NORTH declared {side}x{side}", edit, False

    def grid(rng):
        what = rng.choice(["scaled", "reversed", "Y shape", "nan"])

        def edit(f, folder):
            x = f["X"][()]
            if what == "scaled":
                _replace(f, "X", data=3 * x)
            elif what == "reversed":
                _replace(f, "X", data=x[::-1])
            elif what == "Y shape":
                _replace(f, "Y", data=np.zeros((3, 4)))
            else:
                x[2, 3] = np.nan
                _replace(f, "X", data=x)

        return f"grid corners {what}", edit, False

    def mjd(value: float, label: str):
        def build(rng):
            step = rng.choice(steps)

            def edit(f, folder):
                f[step].attrs["MJD"] = value

            return f"{step} MJD = {value} ({label})", edit, False

        return build

    def step_attr(key: str, values: list):
        def build(rng):
            step = rng.choice(steps)
            value = rng.choice(values)

            def edit(f, folder):
                f[step].attrs[key] = value

            return f"{step} attribute {key} = {value!r}", edit, False

        return build

    def rename(rng):
        old, new = rng.choice([
            (f"{steps[0]}/Potential NORTH", f"{steps[0]}/Potential N"),
            (f"{steps[1]}/Hall conductance SOUTH", f"{steps[1]}/Hall"),
            ("Y", "Yc"), (steps[-1], "Step#last"),
        ])  # fmt: skip

        def edit(f, folder):
            f.move(old, new)

        return f"{old} renamed {new}", edit, False

    def reshape(rng):
        what = rng.choice(["later plane", "first plane", "text plane"])

        def edit(f, folder):
            if what == "later plane":
                _replace(
                    f, f"{steps[-1]}/Number flux SOUTH", data=np.zeros((plane[1], plane[0]), "f4")
                )
            elif what == "first plane":
                _replace(f, f"{steps[0]}/Average energy NORTH", data=np.zeros(plane[0], "f4"))
            else:
                _replace(f, f"{steps[1]}/Potential SOUTH", data=np.full(plane, b"x"))

        return f"{what} of the wrong shape or type", edit, False

    kinds = [
        ("bomb", "huge declared grid", huge_grid),
        ("bomb", "huge declared plane", huge_plane),
        ("hdf5-external", "external storage", _external(f"{steps[0]}/Potential NORTH")),
        ("hdf5-virtual", "virtual dataset", _virtual(f"{steps[1]}/Field-aligned current SOUTH")),
        ("time-overflow", "MJD 1e9", mjd(1e9, "beyond datetime64[ns]")),
        ("time-overflow", "MJD -1e12", mjd(-1e12, "beyond datetime64[ns]")),
        ("attribute", "MJD text", step_attr("MJD", ["noon", np.zeros((2, 2)), b""])),
        ("attribute", "CPCP text", step_attr("nCPCP", ["60 kV", np.ones(5000), np.bytes_("60")])),
        ("attribute", "grid corners", grid),
        ("renamed", "renamed dataset or group", rename),
        ("attribute", "shape or type", reshape),
    ]
    return [(k, lab, _h5_wrap(src, b)) for k, lab, b in kinds]
