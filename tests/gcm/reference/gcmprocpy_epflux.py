"""Record GCMprocpy 1.5.2's Eliassen-Palm flux on the sample files (run in GCMprocpy's venv).

GCMprocpy is never a dependency of geospacexr: this script runs in its own interpreter and writes
``tests/gcm/data/gcmprocpy_epflux.json``, which ``tests/gcm/test_epflux.py`` compares with
:func:`geospacexr.gcm.epflux`. Inputs:

* the ``tiegcm-5deg`` primary history (TN, UN, VN, OMEGA, O1, O2 on a 5 degree grid); its zonal
  wind has no zonal mean and u'v' = 0, so the shear terms vanish there; hence also
* the same file with waves added by :func:`make_wave_input` (a sheared zonal jet, and an eddy
  zonal wind in phase with the eddy meridional wind), which exercises every term;
* the ``waccmx`` sample, on which GCMprocpy gives nothing (recorded): with a datetime64 time it
  returns None (its WACCM-X times are cftime "noleap" objects, never equal to a datetime64),
  and with the file's own cftime value it raises AttributeError in ``get_mtime``.

Each input is recorded with ``content_sha256``, the digest of its data and attributes
(``tests/_digest.py``, the helper the test checks with), and ``sha256``, its bytes, which depend on
the netCDF library that wrote the sample and so are informative only.

Usage (the sample paths come from geospacexr, in the project's venv)::

    PRIM=$(python -c "from geospacexr import datasets; \
        print(datasets.sample_path('tiegcm-5deg') / 'tiegcm_5deg_prim_001.nc')")
    WACCMX=$(python -c "from geospacexr import datasets; print(datasets.sample_path('waccmx'))")
    /work/ref/gcmprocpy/bin/python tests/gcm/reference/gcmprocpy_epflux.py "$PRIM" "$WACCMX" \
        -o tests/gcm/data/gcmprocpy_epflux.json

:func:`make_wave_input` uses only numpy and netCDF4, so the test imports it too and runs
geospacexr on the very same modified file.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

TIME = "2003-03-21T01:00"
COMPONENTS = ("EPVY", "EPVZ", "EPVDIV")


def sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (these depend on the library that wrote it)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def content_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a netCDF file's content (``tests/_digest.py``, loaded by path)."""
    helper = Path(__file__).resolve().parents[2] / "_digest.py"
    spec = importlib.util.spec_from_file_location("_digest", helper)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.content_digest(path)


def describe(path: str | Path) -> dict[str, str]:
    """An input's record: file name, content digest and byte digest."""
    return {"file": Path(path).name, "content_sha256": content_sha256(path), "sha256": sha256(path)}


def make_wave_input(src: str | Path, dst: str | Path) -> Path:
    """Copy a TIE-GCM history and add waves to its zonal wind (raw file units, cm/s).

    UN += 3000 sin(2 lat) (1 + 0.5 tanh(lev / 2)) + 0.6 (VN - zonal mean of VN), leaving the
    1e36 fill values alone: a sheared zonal-mean jet (non-zero du/dz and d(u cos)/dy) and an
    eddy momentum flux u'v' = 0.6 v'^2.

    Args:
        src: The primary history.
        dst: The modified copy.

    Returns:
        ``dst``.
    """
    import netCDF4

    dst = Path(dst)
    shutil.copyfile(src, dst)
    with netCDF4.Dataset(dst, "a") as nc:
        nc.set_auto_maskandscale(False)
        un = np.asarray(nc["UN"][:], dtype=np.float64)
        vn = np.asarray(nc["VN"][:], dtype=np.float64)
        lat = np.deg2rad(np.asarray(nc["lat"][:], dtype=np.float64))
        lev = np.asarray(nc["lev"][:], dtype=np.float64)
        valid = (np.abs(un) < 1e35) & (np.abs(vn) < 1e35)
        vz = np.where(valid, vn, 0.0)
        count = np.maximum(valid.sum(axis=-1, keepdims=True), 1)
        eddy = np.where(valid, vz - vz.sum(axis=-1, keepdims=True) / count, 0.0)
        jet = (
            3000.0
            * np.sin(2.0 * lat)[None, None, :, None]
            * (1.0 + 0.5 * np.tanh(lev / 2.0))[None, :, None, None]
        )
        new = np.where(valid, un + jet + 0.6 * eddy, un)
        nc["UN"][:] = new.astype(nc["UN"].dtype)
    return dst


def _gcmprocpy_epflux(path: str | Path, time: str, native_time: bool = False) -> dict:
    """GCMprocpy's three components at ``time`` (or, with ``native_time``, at the file's own
    time value nearest to it, e.g. a cftime object for WACCM-X), or the error it gives."""
    import gcmprocpy as g

    g.clear_data_cache() if hasattr(g, "clear_data_cache") else None
    datasets = g.load_datasets(str(path))
    t = np.datetime64(time, "ns")
    if native_time:
        t = datasets[0]._time_values[-1]
    out: dict = {}
    try:
        for component in COMPONENTS:
            pd = g.arr_epflux(datasets, component, t)
            if pd is None:
                return {"error": f"arr_epflux returned None for time {t!r} ('not found')"}
            out[component] = np.asarray(pd.values, dtype=np.float64).round(14).tolist()
        out["levs"] = np.asarray(pd.levs, dtype=np.float64).tolist()
        out["lats"] = np.asarray(pd.lats, dtype=np.float64).tolist()
    except Exception as exc:  # recorded, not hidden: GCMprocpy fails on some inputs
        out = {"error": f"{type(exc).__name__}: {exc}"}
    return out


def main(argv: list[str] | None = None) -> int:
    """Compute GCMprocpy's EP flux on the inputs and write the JSON record."""
    import gcmprocpy

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("prim", help="tiegcm-5deg primary history (tiegcm_5deg_prim_001.nc)")
    parser.add_argument("waccmx", help="waccmx sample history")
    parser.add_argument("-o", "--output", required=True, help="JSON file to write")
    args = parser.parse_args(argv)
    version = getattr(gcmprocpy, "__version__", None)
    if version is None:
        from importlib.metadata import version as _version

        version = _version("gcmprocpy")
    record = {
        "gcmprocpy_version": version,
        "time": TIME,
        "note": (
            "arr_epflux(datasets, component, time) of GCMprocpy on each input; values are "
            "(lev, lat) with the all-NaN top level of TN dropped by GCMprocpy"
        ),
        "inputs": {
            "tiegcm_prim": describe(args.prim),
            "waccmx": describe(args.waccmx),
        },
    }
    record["tiegcm_prim"] = _gcmprocpy_epflux(args.prim, TIME)
    with tempfile.TemporaryDirectory() as tmp:
        waves = make_wave_input(args.prim, Path(tmp) / "tiegcm_waves_prim_001.nc")
        record["inputs"]["tiegcm_waves"] = describe(waves)
        record["tiegcm_waves"] = _gcmprocpy_epflux(waves, TIME)
    record["waccmx"] = _gcmprocpy_epflux(args.waccmx, TIME)
    record["waccmx_native_time"] = _gcmprocpy_epflux(args.waccmx, TIME, native_time=True)
    Path(args.output).write_text(json.dumps(record, indent=None, separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
