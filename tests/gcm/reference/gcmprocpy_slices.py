"""Record GCMprocpy 1.5.2's slices and derived fields for ``tests/gcm/test_gcmprocpy_reference.py``.

Runs in GCMprocpy's own interpreter, never in ours (it imports nothing from geospacexr)::

    SECH=$(python -c "from geospacexr import datasets; \
        print(datasets.sample_path('tiegcm-5deg') / 'tiegcm_5deg_sech_001.nc')")
    /path/to/venv-with-gcmprocpy/bin/python tests/gcm/reference/gcmprocpy_slices.py \
        "$SECH" -o tests/gcm/data/gcmprocpy_slices.json

It writes 15 fingerprints of GCMprocpy's output on the ``tiegcm-5deg`` secondary history at
2003-03-21T01:00: for each array, the sum of its finite values, their count and two or three
single values at fixed indices of GCMprocpy's array. GCMprocpy leaves TIE-GCM's float32 fill
value 1e36 unmasked in the top TN level (``lev`` = 7.25); values of magnitude >= 1e35 are
therefore counted as missing, like NaN. The arrays:

* ``arr_lat_lon`` of TN on a level (4.25), halfway between two levels (4.5) and of NE on an
  interface level (ilev 2.0);
* ``arr_lev_lat`` (zonal mean), ``arr_lev_lon`` (lat 42.5), ``arr_lev_time``,
  ``arr_lat_time``, ``arr_lon_time`` and ``arr_var_time`` of TN, with ``plot_mode=True``;
* its derivable fields N2, O/N2, PMB and RHO through ``arr_lat_lon`` at level 4.25;
* ``arr_density`` of O1 in cm-3 at level 4.25;
* TN on the 300 km height surface by ``interpolate_to_height`` (the function its height
  cross-sections use) applied to every (lat, lon) column at once.

The output is deterministic: running the script again on the same sample reproduces the
recorded file byte for byte (the live test does exactly that).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import warnings
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

TIME = "2003-03-21T01:00"
FILL_LIMIT = 1e35  # TIE-GCM float32 fill value 1e36, left unmasked by GCMprocpy
HEIGHT_KM = 300.0

# single values recorded for each array shape (indices into GCMprocpy's arrays)
LATLON_POINTS = [(5, 10), (31, 69), (18, 0)]  # (lat, lon)
LEVLAT_POINTS = [(5, 10), (24, 33), (14, 0)]  # (lev, lat)
LEVLON_POINTS = [(5, 10), (24, 69), (14, 0)]  # (lev, lon)
LEVTIME_POINTS = [(5, 2), (24, 1), (14, 0)]  # (lev, time)
LATTIME_POINTS = [(5, 2), (31, 1), (18, 0)]  # (lat, time)
LONTIME_POINTS = [(5, 2), (67, 1), (36, 0)]  # (lon, time)
VARTIME_POINTS = [(1,), (3,)]  # (time,)


def fingerprint(values, points: list[tuple[int, ...]]) -> dict:
    """Sum and count of the valid values (finite, below the fill value) and single values.

    Args:
        values: An array, or an object with a ``values`` array (GCMprocpy's ``PlotData``).
        points: Indices at which single values are recorded.

    Returns:
        ``{"sum": float, "count": int, "points": [[index, value], ...]}``.
    """
    values = np.asarray(getattr(values, "values", values), dtype=np.float64)
    valid = np.isfinite(values) & (np.abs(values) < FILL_LIMIT)
    return {
        "sum": float(values[valid].sum()),
        "count": int(valid.sum()),
        "points": [[list(index), float(values[index])] for index in points],
    }


def record(path: str | Path) -> dict:
    """GCMprocpy's 15 fingerprints on the ``tiegcm-5deg`` secondary history.

    Args:
        path: The ``tiegcm_5deg_sech_001.nc`` sample.

    Returns:
        The record written by :func:`main`.
    """
    import gcmprocpy as g

    datasets = g.load_datasets(str(path))
    t = np.datetime64(TIME)
    out = {}

    def latlon(name: str, level: float):
        return g.arr_lat_lon(datasets, name, t, selected_lev_ilev=level)

    out["latlon_TN_lev4p25"] = fingerprint(latlon("TN", 4.25), LATLON_POINTS)
    out["latlon_TN_lev4p5"] = fingerprint(latlon("TN", 4.5), LATLON_POINTS)
    out["latlon_NE_ilev2p0"] = fingerprint(latlon("NE", 2.0), LATLON_POINTS)
    out["levlat_TN_mean"] = fingerprint(
        g.arr_lev_lat(datasets, "TN", t, "mean", plot_mode=True), LEVLAT_POINTS
    )
    out["levlon_TN_lat42p5"] = fingerprint(
        g.arr_lev_lon(datasets, "TN", t, 42.5, plot_mode=True), LEVLON_POINTS
    )
    out["levtime_TN_lat42p5_lon0"] = fingerprint(
        g.arr_lev_time(datasets, "TN", 42.5, 0.0, plot_mode=True), LEVTIME_POINTS
    )
    out["lattime_TN_lev4p25_lon0"] = fingerprint(
        g.arr_lat_time(datasets, "TN", 0.0, 4.25, plot_mode=True), LATTIME_POINTS
    )
    out["lontime_TN_lev4p25_lat42p5"] = fingerprint(
        g.arr_lon_time(datasets, "TN", 42.5, 4.25, plot_mode=True), LONTIME_POINTS
    )
    out["vartime_TN_lev4p25_lat42p5_lon0"] = fingerprint(
        g.arr_var_time(datasets, "TN", 42.5, 0.0, 4.25, plot_mode=True), VARTIME_POINTS
    )
    for name, key in (("N2", "N2"), ("O/N2", "O_N2"), ("PMB", "PMB"), ("RHO", "RHO")):
        out[f"derived_{key}_lev4p25"] = fingerprint(latlon(name, 4.25), LATLON_POINTS)
    out["dens_O1_cm3"] = fingerprint(
        g.arr_density(datasets, "O1", t, to_unit="CM3", selected_lev_ilev=4.25), LATLON_POINTS
    )
    mds = datasets[0]
    tn = np.asarray(mds.ds["TN"].sel(time=t).values)  # (lev, lat, lon)
    columns, _ = g.interpolate_to_height(
        datasets,
        tn.reshape(tn.shape[0], -1),
        mds.ds["lev"].values,
        t,
        target_heights=np.array([HEIGHT_KM]),
    )
    out["height300_TN"] = fingerprint(columns[0].reshape(tn.shape[1:]), LATLON_POINTS)
    return out


def main(argv: list[str] | None = None) -> int:
    """Compute the fingerprints and write the JSON record.

    Args:
        argv: Command-line arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status, 0.
    """
    from importlib.metadata import version

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sech", help="tiegcm-5deg secondary history (tiegcm_5deg_sech_001.nc)")
    parser.add_argument("-o", "--output", required=True, help="JSON file to write")
    args = parser.parse_args(argv)
    result = {
        "gcmprocpy_version": version("gcmprocpy"),
        "file": Path(args.sech).name,
        "time": TIME,
        "note": (
            "sum and count of the finite values below 1e35 (GCMprocpy leaves the 1e36 fill "
            "value of the top TN level unmasked) and single values [index, value]"
        ),
        "fingerprints": record(args.sech),
    }
    Path(args.output).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
