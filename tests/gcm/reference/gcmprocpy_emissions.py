"""Record GCMprocpy 1.5.2's emissions for ``tests/gcm/test_emissions.py``.

Runs in GCMprocpy's own interpreter, never in ours (it imports nothing from geospacexr):

    /path/to/venv-with-gcmprocpy/bin/python tests/gcm/reference/gcmprocpy_emissions.py \
        tests/gcm/data/gcmprocpy_emissions.json TIEGCM_SECH_FILE WACCMX_FILE

(the two files are the ``tiegcm-5deg`` secondary history and the ``waccmx`` history of
``geospacexr.datasets.sample_path``). It writes one JSON file with two parts:

* ``formula``: GCMprocpy's own formulas (``mkeno53``, ``mkeco215``, ``mkeoh83``, ``ohrad``) on a
  fixed set of temperatures and number densities, stored with their inputs, so that our kernels
  can be checked on *the same* number densities;
* ``file``: GCMprocpy's dataset functions (``arr_mkeno53``, ``arr_mkeco215``, ``arr_mkeoh83``,
  ``arr_mkoh_band``) on the two sample files at one time and several levels, as fingerprints:
  the sum of the finite values, their count and a few single values.

GCMprocpy cannot use the WACCM-X sample as it is: xarray decodes its "noleap" time axis to
cftime objects, which GCMprocpy's ``get_mtime`` cannot handle (``AttributeError: ... no
attribute 'astype'``). The time axis is therefore converted to datetime64 after loading (the
dates of 2003-03-21 are the same in both calendars); no field is touched.
"""

from __future__ import annotations

import json
import logging
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

import gcmprocpy as g  # noqa: E402
from gcmprocpy import data_emissions as de  # noqa: E402
from gcmprocpy import data_oh as do  # noqa: E402

# points where single values are recorded, (lat index, lon index) in GCMprocpy's arrays (stored
# as latitude and longitude: WACCM-X longitudes run 0..360 there, -180..180 in geospacexr)
POINTS = [(5, 10), (18, 0), (23, 40), (30, 69), (12, 55)]
TIEGCM_LEVELS = [-6.75, -6.25, -5.75, -5.25, -4.75]
WACCMX_LEVEL_INDICES = [36, 40, 44, 47, 50]


def formula_inputs(n: int = 24) -> dict[str, list[float]]:
    """Temperatures (K) and number densities (cm-3) over the ranges met from 60 to 500 km."""
    rng = np.random.default_rng(20260101)

    def logu(lo: float, hi: float) -> np.ndarray:
        return 10.0 ** rng.uniform(np.log10(lo), np.log10(hi), n)

    return {
        "TN": rng.uniform(140.0, 1500.0, n).tolist(),
        "O1": logu(1e8, 1e12).tolist(),
        "O2": logu(1e8, 1e15).tolist(),
        "N2": logu(1e9, 1e16).tolist(),
        "NO": logu(1e5, 1e9).tolist(),
        "CO2": logu(1e5, 1e12).tolist(),
        "H": logu(1e6, 1e9).tolist(),
        "O3": logu(1e4, 1e10).tolist(),
        "HO2": logu(1e4, 1e8).tolist(),
    }


def formula_part() -> dict:
    x = formula_inputs()
    a = {k: np.asarray(v) for k, v in x.items()}
    pops, bands = do.ohrad(a["TN"], a["O2"], a["O1"], a["N2"], a["H"], a["O3"], a["HO2"])
    out = {
        "NO53": de.mkeno53(a["TN"], a["O1"], a["NO"]).tolist(),
        "CO215": de.mkeco215(a["TN"], a["O1"], a["CO2"]).tolist(),
        "OH83": de.mkeoh83(a["TN"], a["O1"], a["O2"], a["N2"]).tolist(),
        "OH_TOTAL": sum(bands.values()).tolist(),
    }
    for (v, lower), values in bands.items():
        out[f"OH_{v}_{lower}"] = values.tolist()
    for v in range(pops.shape[-1]):
        out[f"OH_VIB_{v}"] = pops[:, v].tolist()
    return {"inputs": x, "outputs": out, "bands": [list(k) for k in do.OH_BANDS]}


def fingerprint(values: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> dict:
    """Sum and count of the finite values, and single values by (lat, lon) in degrees."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    return {
        "sum": float(values[finite].sum()),
        "count": int(finite.sum()),
        "points": [[[float(lats[i]), float(lons[j])], float(values[i, j])] for i, j in POINTS],
    }


def file_part(path: str, levels: list[float], names: list[str], fix_time: bool) -> dict:
    datasets = g.load_datasets(path)
    if fix_time:  # cftime "noleap" -> datetime64, see the module docstring
        for mds in datasets:
            index = mds.ds.indexes["time"]
            if not isinstance(index.values[0], np.datetime64):
                mds.ds = mds.ds.assign_coords(time=index.to_datetimeindex(time_unit="ns"))
            mds.__post_init__()  # refresh its cached times
    mds = datasets[0]
    if levels is None:
        levels = [float(mds.ds["lev"].values[i]) for i in WACCMX_LEVEL_INDICES]
    time = mds._time_values[0]
    funcs = {"NO53": de.arr_mkeno53, "CO215": de.arr_mkeco215, "OH83": de.arr_mkeoh83}
    result = {"time": str(np.datetime_as_string(time, unit="s")), "levels": levels, "values": {}}
    for name in names:
        func = funcs.get(name, do.arr_mkoh_band)
        for lev in levels:
            values = func(datasets, name, time, selected_lev_ilev=lev)
            result["values"][f"{name}@{lev!r}"] = fingerprint(
                values, mds.ds["lat"].values, mds.ds["lon"].values
            )
    return result


def main() -> None:
    out, tiegcm, waccmx = sys.argv[1:4]
    record = {
        "gcmprocpy": g.__version__ if hasattr(g, "__version__") else "1.5.2",
        "formula": formula_part(),
        "tiegcm": file_part(tiegcm, TIEGCM_LEVELS, ["NO53", "OH83"], fix_time=False),
        "waccmx": file_part(
            waccmx,
            None,
            ["NO53", "CO215", "OH83", "OH_8_3", "OH_6_2", "OH_3_1", "OH_TOTAL", "OH_VIB_8"],
            fix_time=True,
        ),
    }
    with open(out, "w") as f:
        json.dump(record, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
