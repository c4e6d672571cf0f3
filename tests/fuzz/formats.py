"""The formats under attack: seed files, the mutator for each seed, and each format's workload.

A workload opens the file with ``geospacexr.open`` *and* the format's own opener, loads it and
runs one typical computation, so that errors deferred to ``.load()`` or to the first
computation are caught as well. It returns notes; a note starting with ``WRONG:`` marks the
result as silently wrong.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

SHARED = Path(os.environ.get("GEOSPACEXR_SHARED_DATA", "/work/shared/data"))
PLAUSIBLE_YEARS = (1950, 2100)


# --- mutator dispatch ------------------------------------------------------------------------
def _bytes_mutator(fn) -> Callable[[Path, Path, random.Random], tuple[str, dict]]:
    def run(src: Path, dst: Path, rng: random.Random) -> tuple[str, dict]:
        out, desc, flags = fn(src.read_bytes(), src.name, rng)
        dst.write_bytes(out)
        return desc, flags

    return run


def mutator_for(path: Path) -> Callable[[Path, Path, random.Random], tuple[str, dict]]:
    from . import dmap_mut, h5_mut, hdf4_mut, nc_mut, pgm_mut, png_mut, sav_mut, text_mut

    name = path.name.lower()
    if ".pgm" in name:
        return _bytes_mutator(pgm_mut.mutate)
    if name.endswith((".png", ".png.tar")):
        return _bytes_mutator(png_mut.mutate)
    if name.endswith((".hdf", ".hdf4")):
        return _bytes_mutator(hdf4_mut.mutate)
    if name.endswith((".h5", ".hdf5")):
        return h5_mut.mutate
    if name.endswith(".nc"):
        return nc_mut.mutate
    if name.endswith(".sav"):
        return sav_mut.mutate
    if name.endswith((".out", ".outs")):
        return _bytes_mutator(text_mut.mutate_fortran)
    if name.endswith((".txt", ".asc", ".dat")):
        return _bytes_mutator(text_mut.mutate_text)
    return _bytes_mutator(dmap_mut.mutate)  # DMAP family


# --- checks ------------------------------------------------------------------------------------
NAME_TIME = re.compile(r"(?<!\d)((?:19|20)\d{6})[_.](\d{2})(\d{2})?")
NAME_WINDOW_DAYS = 2


def name_time(path: Path) -> np.datetime64 | None:
    """The time in a file name (``YYYYMMDD_HHMM``, ``YYYYMMDD.HHMM``, ``YYYYMMDD_HH``), if any."""
    m = NAME_TIME.search(path.name)
    if not m:
        return None
    d, hh, mm = m.group(1), m.group(2), m.group(3) or "00"
    if not (1950 <= int(d[:4]) < 2100):
        return None
    try:
        return np.datetime64(f"{d[:4]}-{d[4:6]}-{d[6:]}T{hh}:{mm}", "ns")
    except ValueError:
        return None


def time_notes(obj: Any, label: str = "", around: np.datetime64 | None = None) -> list[str]:
    """``WRONG:`` notes for times that cannot be right.

    Datetime64 values outside the plausible years, NaT (unless the reader reported problems in
    the attrs), a ``time`` that is not datetime64 at all (cftime objects, numbers), and, for a
    file whose name holds a time, frame times more than ``NAME_WINDOW_DAYS`` from it.
    """
    import xarray as xr

    notes = []
    items = []
    if isinstance(obj, xr.Dataset):
        items = [(n, obj[n]) for n in list(obj.variables)]
    elif isinstance(obj, xr.DataArray):
        items = [(n, obj[n]) for n in obj.coords] + [(obj.name or "result", obj)]
    for name, var in items:
        if name == "time" and var.dtype.kind not in "Mm" and var.size:
            notes.append(
                f"WRONG: {label}time is {var.dtype} ({var.values.ravel()[0]!r:.40}), not datetime64"
            )
            continue
        if var.dtype.kind != "M" or var.size == 0:
            continue
        values = np.asarray(var.values).astype("datetime64[ns]").ravel()
        if np.isnat(values).any():
            if _reported(obj):
                notes.append(f"{label}{name} holds NaT (reported in attrs)")
            else:
                notes.append(f"WRONG: {label}{name} holds NaT (nothing reported in attrs)")
        good = values[~np.isnat(values)]
        if good.size:
            lo, hi = good.min(), good.max()
            if lo < np.datetime64(f"{PLAUSIBLE_YEARS[0]}-01-01") or hi >= np.datetime64(
                f"{PLAUSIBLE_YEARS[1]}-01-01"
            ):
                notes.append(f"WRONG: {label}{name} spans {lo} .. {hi}")
            elif around is not None and name == "time":
                window = np.timedelta64(NAME_WINDOW_DAYS, "D")
                if (lo < around - window or hi > around + window) and not _reported(obj):
                    notes.append(f"WRONG: {label}time spans {lo} .. {hi}, file name says {around}")
    return notes


def _reported(obj: Any) -> bool:
    """Whether the reader reported problems in the result's attributes."""
    for key in ("problematic_records", "problematic_files", "skipped_frames", "problems"):
        value = getattr(obj, "attrs", {}).get(key)
        if value not in (None, "", "[]", [], "{}"):
            return True
    return False


def _reduce(ds) -> None:
    for name in ds.data_vars:
        v = ds[name]
        if v.dtype.kind in "iuf" and v.size:
            float(v.mean())  # numpy accumulates in float64 without a float64 copy


# --- workloads ----------------------------------------------------------------------------------
def _open_both(path: Path, opener: Callable, stage: dict):
    import geospacexr as gx

    stage["where"] = "geospacexr.open"
    a = gx.open(path)
    stage["where"] = "geospacexr.open(...).load()"
    a = a.load()
    around = name_time(path)
    notes = time_notes(a, "open: ", around)
    stage["where"] = f"{opener.__name__}"
    b = opener(path)
    stage["where"] = f"{opener.__name__}(...).load()"
    b = b.load()
    notes += time_notes(b, f"{opener.__name__}: ", around)
    return b, notes


def asi_workload(path: Path, ctx: dict, stage: dict) -> list[str]:
    import geospacexr as gx

    ds, notes = _open_both(path, gx.open_asi, stage)
    stage["where"] = "keogram (ccd)"
    k = ds.asi.keogram()
    k.values  # noqa: B018
    notes += time_notes(k, "keogram: ")
    stage["where"] = "reduction"
    _reduce(ds)
    sk = ctx.get("skymap")
    if (
        sk is not None
        and ds.sizes.get("y") == sk.sizes.get("y")
        and ds.sizes.get("x") == sk.sizes.get("x")
    ):
        stage["where"] = "keogram (geo, sample skymap)"
        ds.asi.keogram(sk, axis="geo").values  # noqa: B018
    cal = ctx.get("calibration")
    if cal:
        stage["where"] = "calibrate"
        out = ds.asi.calibrate(flatfield=cal.get("flatfield"), rayleighs=cal.get("rayleighs"))
        out["image"].values  # noqa: B018
    return notes


def skymap_workload(path: Path, ctx: dict, stage: dict) -> list[str]:
    import geospacexr as gx

    sk, notes = _open_both(path, gx.open_skymap, stage)
    for images in ctx.get("images", []):
        same = all(images.attrs.get(k) == sk.attrs.get(k) for k in ("instrument", "site"))
        if same and images.sizes.get("y") == sk.sizes.get("y"):
            stage["where"] = "keogram (geo) with the damaged skymap"
            images.asi.keogram(sk, axis="geo").values  # noqa: B018
            stage["where"] = "keogram (mag) with the damaged skymap"
            images.asi.keogram(sk, axis="mag").values  # noqa: B018
            break
    return notes


def calibration_workload(path: Path, ctx: dict, stage: dict) -> list[str]:
    import geospacexr as gx

    cal, notes = _open_both(path, gx.open_calibration, stage)
    images = ctx.get("images")
    if images is not None:
        stage["where"] = "calibrate with the damaged file"
        kw = {"flatfield": cal} if "flatfield" in path.name.lower() else {"rayleighs": cal}
        images.asi.calibrate(**kw)["image"].values  # noqa: B018
    return notes


def grid_workload(path: Path, ctx: dict, stage: dict) -> list[str]:
    import geospacexr as gx

    ds, notes = _open_both(path, gx.open_asi_grid, stage)
    stage["where"] = "reduction (time mean)"
    for name in ds.data_vars:
        if ds[name].dtype.kind == "f" and "time" in ds[name].dims:
            ds[name].mean("time").values  # noqa: B018
    return notes


def _gcm_workload(opener_name: str, variables: tuple[str, ...]):
    def run(path: Path, ctx: dict, stage: dict) -> list[str]:
        import geospacexr as gx

        ds, notes = _open_both(path, getattr(gx, opener_name), stage)
        var = next((v for v in variables if v in ds), None)
        if var:
            stage["where"] = f"gcm.lat_lon({var!r}, height=300)"
            r = ds.gcm.lat_lon(var, height=300.0)
            r.values  # noqa: B018
            notes += time_notes(r, "lat_lon: ")
            stage["where"] = f"gcm.lat_lon({var!r}, level)"
            lev = float(ds["lev"][len(ds["lev"]) // 2]) if "lev" in ds else None
            if lev is not None:
                ds.gcm.lat_lon(var, level=lev).values  # noqa: B018
        return notes

    run.__name__ = f"gcm_workload_{opener_name}"
    return run


def superdarn_workload(path: Path, ctx: dict, stage: dict) -> list[str]:
    import geospacexr as gx

    ds, notes = _open_both(path, gx.open_superdarn, stage)
    stage["where"] = "reduction"
    _reduce(ds)
    if ds.attrs.get("superdarn_type") in ("fitacf", "rawacf"):
        stage["where"] = "superdarn.scan_index()"
        ds.superdarn.scan_index().values  # noqa: B018
        stage["where"] = "superdarn.slant_range()"
        ds.superdarn.slant_range().values  # noqa: B018
    return notes


def _generic_workload(opener_name: str):
    def run(path: Path, ctx: dict, stage: dict) -> list[str]:
        import geospacexr as gx

        if opener_name.startswith("geospacexr.io."):
            import importlib

            mod, fn = opener_name.rsplit(".", 1)
            opener = getattr(importlib.import_module(mod), fn)
        else:
            opener = getattr(gx, opener_name)
        ds, notes = _open_both(path, opener, stage)
        stage["where"] = "reduction"
        _reduce(ds)
        return notes

    run.__name__ = f"workload_{opener_name}"
    return run


def spectrograph_workload(path: Path, ctx: dict, stage: dict) -> list[str]:
    import geospacexr as gx
    from geospacexr.io import spectrograph as sp

    name = path.name.lower()
    opener = (
        sp.open_spect_skymap
        if name.endswith(".sav")
        else (sp.open_spect_l1 if name.endswith(".h5") else sp.open_spect_raw)
    )
    if name.endswith(".sav"):
        stage["where"] = "open_spect_skymap"
        ds = opener(path).load()
        _ = gx  # geospacexr.open would pick the ASI skymap reader for *skymap*.sav
        notes = time_notes(ds)
    else:
        ds, notes = _open_both(path, opener, stage)
    stage["where"] = "reduction"
    _reduce(ds)
    return notes


def riometer_workload(path: Path, ctx: dict, stage: dict) -> list[str]:
    import geospacexr as gx

    ds, notes = _open_both(path, gx.open_riometer, stage)
    stage["where"] = "reduction"
    _reduce(ds)
    stage["where"] = "rio.signal_db()"
    ds.rio.signal_db().values  # noqa: B018
    return notes


# --- the formats --------------------------------------------------------------------------------
@dataclass
class Format:
    name: str
    samples: list[tuple[str, str]]  # (sample name, glob inside it) ; "" = the single file
    shared: list[str]  # paths below SHARED
    workload: Callable[[Path, dict, dict], list[str]]
    context: Callable[[], dict] = field(default=lambda: {})

    def seeds(self) -> list[Path]:
        from geospacexr import datasets

        out: list[Path] = []
        for sample, pattern in self.samples:
            p = datasets.sample_path(sample)
            out += sorted(p.glob(pattern)) if pattern else [p]
        out += [SHARED / s for s in self.shared if (SHARED / s).exists()]
        return out


def _themis_ctx() -> dict:
    import geospacexr as gx
    from geospacexr import datasets

    return {"skymap": gx.open_skymap(datasets.sample_path("themis-gill-skymap")).load()}


def _rego_ctx() -> dict:
    import geospacexr as gx
    from geospacexr import datasets

    folder = datasets.sample_path("rego-calibration")
    return {
        "calibration": {
            "flatfield": gx.open_calibration(next(folder.glob("*flatfield*.sav"))).load(),
            "rayleighs": gx.open_calibration(next(folder.glob("*Rayleighs*.sav"))).load(),
        }
    }


def _skymap_ctx() -> dict:
    import geospacexr as gx
    from geospacexr import datasets

    images = [gx.open_asi(sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz"))[0]).load()]
    nir = sorted(datasets.sample_path("trex_nir-gill").glob("*.pgm.gz"))
    if nir:
        images.append(gx.open_asi(nir[0]).load())
    return {"images": images}


def _calibration_ctx() -> dict:
    import geospacexr as gx
    from geospacexr import datasets

    first = sorted(datasets.sample_path("rego-gill").glob("*.pgm.gz"))[0]
    return {"images": gx.open_asi(first).load()}


FORMATS: dict[str, Format] = {}


def _add(fmt: Format) -> None:
    FORMATS[fmt.name] = fmt


_add(
    Format(
        "themis-pgm",
        [("themis-gill", "*.pgm.gz")],
        ["asi/20140310_0600_gill_themis19_full.pgm.gz"],
        asi_workload,
        _themis_ctx,
    )
)
_add(Format("rego-pgm", [("rego-gill", "*.pgm.gz")], [], asi_workload, _rego_ctx))
_add(
    Format(
        "trex-pgm",
        [("trex_nir-gill", "*0600*.pgm.gz")],
        [
            "asi/20220307_0600_gill_nir-216_8446.pgm.gz",
            "asi/20220308_0600_gill_blue-814_full.pgm.gz",
        ],
        asi_workload,
    )
)
_add(Format("trex-rgb-h5", [("trex_rgb-gill", "*.h5")], [], asi_workload))
_add(
    Format(
        "trex-rgb-png",
        [("trex_rgb-gill-burst", "*.png.tar")],
        ["asi/20211030_060500_149606_gill_rgb-04_320ms_burst.png"],
        asi_workload,
    )
)
_add(Format("smile-h5", [("smile-atha", "*.h5")], [], asi_workload))
_add(
    Format(
        "skymap-sav",
        [("themis-gill-skymap", ""), ("trex_nir-gill-skymap", "")],
        ["asi/themis_skymap_atha_20230115-+_v02.sav"],
        skymap_workload,
        _skymap_ctx,
    )
)
_add(
    Format(
        "calibration-sav",
        [("rego-calibration", "*.sav")],
        ["asi/REGO_Rayleighs_15651_20210908-+_v02.sav"],
        calibration_workload,
        _calibration_ctx,
    )
)
_add(
    Format(
        "asi-grid-h5",
        [("themis-grid", "")],
        ["asi/20230324_0600_110km_MOSv001_grid_themis-asi.h5"],
        grid_workload,
    )
)
_add(
    Format(
        "tiegcm-nc",
        [("tiegcm-5deg", "*sech*.nc"), ("tiegcm-1.94", "*.nc")],
        [],
        _gcm_workload("open_tiegcm", ("TN",)),
    )
)
_add(
    Format(
        "waccmx-nc",
        [("waccmx-cesm2", "*h1*.nc"), ("waccmx", "")],
        [],
        _gcm_workload("open_waccmx", ("TN", "T")),
    )
)
_add(
    Format(
        "superdarn-fitacf",
        [("superdarn-fitacf", "")],
        ["superdarn/darn-dmap/test.fitacf", "superdarn/pydarn/test.fitacf.bz2"],
        superdarn_workload,
    )
)
_add(
    Format(
        "superdarn-rawacf",
        [],
        ["superdarn/darn-dmap/test.rawacf", "superdarn/pydarn/test.rawacf.bz2"],
        superdarn_workload,
    )
)
_add(
    Format(
        "superdarn-map",
        [],
        [
            "superdarn/darn-dmap/test.map",
            "superdarn/pydarn/test.north.mp",
            "superdarn/darn-dmap/test.grid",
            "superdarn/pydarn/test.grd",
        ],
        superdarn_workload,
    )
)
_add(Format("gamera-h5", [("mage-msphere", "")], [], _generic_workload("open_gamera")))
_add(Format("swmf-idl", [("swmf-idl", "*.out*")], [], _generic_workload("open_swmf")))
_add(Format("lfm-hdf4", [("lfm-hdf", "")], [], _generic_workload("open_lfm")))
_add(
    Format(
        "riometer",
        [("norstar_rio-gill", "*20140310*.txt"), ("swan_hsr-mean", "")],
        [],
        riometer_workload,
    )
)
_add(
    Format(
        "spectrograph",
        [
            ("trex_spect-rabb", "*0600*.pgm.gz"),
            ("trex_spect-rabb", "*.h5"),
            ("trex_spect-rabb", "*.sav"),
        ],
        [],
        spectrograph_workload,
    )
)
_add(Format("omni", [("omni-1min", ""), ("omni-hourly", "")], [], _generic_workload("open_omni")))

ORDER = list(FORMATS)
