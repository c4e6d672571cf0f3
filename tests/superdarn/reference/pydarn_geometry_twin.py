"""Record pyDARN's range-gate positions and scans on the real fitacf files (the twin).

Run in a venv with pyDARN 4 (``python3 -m venv /tmp/pydarnref && /tmp/pydarnref/bin/pip install
pydarn``)::

    /tmp/pydarnref/bin/python tests/superdarn/reference/pydarn_geometry_twin.py [DATA_DIR] [OUT]

The twin is ``pydarn_geometry_twin.json.gz``. ``DATA_DIR`` defaults to
``../shared/data/superdarn`` beside the repository, ``OUT`` to
``pydarn_geometry_twin.json.gz`` beside this script (``-``: standard output, for the live test).
For each real fitacf file, with the first record's ``frang`` and ``rsep`` (pyDARN takes
``rxrise`` from its hardware files), the twin keeps:

* ``geographic_corners``: ``Coords.GEOGRAPHIC`` (``geo_coordinates``, height 300 km, the
  near-left corners of every beam and gate, ``include_invalid=True``);
* ``aacgm_corners``: ``Coords.AACGM`` on the first record's date (positions at 300 km,
  converted to AACGM-v2 at 250 km);
* ``centres_standard``, ``centres_chisham``, ``centres_elevation20``:
  ``gate2geographic_location(center=True)`` of every beam and gate (pyDARN centres the beam
  but, as ``center`` is not passed on to ``gate2slant``, not the range: the points are at the
  centre of each beam's near edge) with the standard model at
  300 km, the Chisham model, and a 20 degree elevation (``height=None, elv_angle=20``);
* ``scans``: ``build_scan`` (the scan number of every record, ``find_records_by_scan``'s
  grouping).
"""

from __future__ import annotations

import gzip
import json
import sys
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np
import pydarn
from pydarn import Coords, RadarID, SuperDARNRadars, VHModels
from pydarn.utils.coordinates import gate2geographic_location
from pydarn.utils.scan import build_scan

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[2].parent / "shared" / "data" / "superdarn"
DEFAULT_OUT = HERE / "pydarn_geometry_twin.json.gz"
FILES = ("darn-dmap/test.fitacf", "pydarn/test.fitacf.bz2")


def _round(a) -> list:
    return np.round(np.asarray(a, dtype=float), 6).tolist()


def _read(path: Path) -> list[dict]:
    if path.suffix == ".bz2":
        import bz2
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".fitacf", delete=False) as tmp:
            tmp.write(bz2.decompress(path.read_bytes()))
        path = Path(tmp.name)
    records = pydarn.read_fitacf(str(path))
    return records[0] if isinstance(records, tuple) else records


def one(path: Path) -> dict:
    records = _read(path)
    first = records[0]
    stid = RadarID(int(first["stid"]))
    hw = SuperDARNRadars.radars[stid].hardware_info
    frang, rsep = int(first["frang"]), int(first["rsep"])
    nrang = int(first["nrang"])
    date = pydarn.time2datetime(first)
    beams = hw.beams
    out = {
        "stid": int(first["stid"]),
        "time": date.isoformat(),
        "frang": frang,
        "rsep": rsep,
        "nrang": nrang,
        "hardware_rxrise": float(hw.rx_rise_time),
        "beams": beams,
    }
    lat, lon = Coords.GEOGRAPHIC(
        stid=stid, gates=[0, nrang], rsep=rsep, frang=frang, include_invalid=True
    )
    out["geographic_corners"] = {"lat": _round(lat), "lon": _round(lon)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlat, mlon = Coords.AACGM(
            stid=stid, gates=[0, nrang], rsep=rsep, frang=frang, date=date, include_invalid=True
        )
    out["aacgm_corners"] = {"mlat": _round(mlat), "mlon": _round(mlon)}
    cases = {
        "centres_standard": {"height": 300},
        "centres_chisham": {"height": 300, "virtual_height_model": VHModels.CHISHAM},
        "centres_elevation20": {"height": None, "elv_angle": 20.0},
    }
    for name, extra in cases.items():
        la = np.full((nrang, beams), np.nan)
        lo = np.full((nrang, beams), np.nan)
        for b in range(beams):
            for g in range(nrang):
                la[g, b], lo[g, b] = gate2geographic_location(
                    stid=stid,
                    beam=b,
                    range_gate=g,
                    frang=frang,
                    rsep=rsep,
                    center=True,
                    **extra,
                )
        out[name] = {"lat": _round(la), "lon": _round(lo)}
    out["scans"] = build_scan(records).astype(int).tolist()
    return out


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    target = sys.argv[2] if len(sys.argv) > 2 else str(DEFAULT_OUT)
    twin = {
        "generator": "tests/superdarn/reference/pydarn_geometry_twin.py",
        "pydarn": metadata.version("pydarn"),
        "aacgmv2": metadata.version("aacgmv2"),
        "files": {name: one(data / name) for name in FILES},
    }
    text = json.dumps(twin, sort_keys=True)
    if target == "-":
        sys.stdout.write(text)
    else:
        with gzip.open(target, "wt", encoding="utf-8") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
