"""Record what pyDARN's range-time plot draws from the real fitacf files (the RTI twin).

Run in a venv with pyDARN (``python3 -m venv /tmp/pydarnref && /tmp/pydarnref/bin/pip install
pydarn``)::

    /tmp/pydarnref/bin/python tests/superdarn/reference/pydarn_rti_twin.py [DATA_DIR] [OUT]

``DATA_DIR`` defaults to ``../shared/data/superdarn`` beside the repository, ``OUT`` to
``pydarn_rti_twin.json.gz`` beside this script; with ``OUT`` ``-`` the JSON goes to standard
output (the live test compares it with the recorded file). For each case (file, parameter, beam,
channel, ground scatter) it calls ``pydarn.RTP.plot_range_time`` with range gates on the y axis
(headless, Agg) and keeps the time of every column (``x`` without the closing end time) and the
colour-mesh values ``z`` (time, gate; ``null`` where masked). With ``groundscatter=True`` pyDARN
paints ground scatter as -1000000 (``GROUND``). It also keeps ``gate2slant(center=True)`` for the
first record's ``frang``/``rsep`` with ``rxrise=0``. Only pyDARN (and its numpy/matplotlib) is
needed.
"""

from __future__ import annotations

import copy
import gzip
import json
import sys
from importlib import metadata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pydarn
from matplotlib import pyplot as plt

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[2].parent / "shared" / "data" / "superdarn"
DEFAULT_OUT = HERE / "pydarn_rti_twin.json.gz"
#: pyDARN's ground-scatter value in ``z`` (``plot_range_time``, "chosen value from davitpy").
GROUND = -1000000.0

#: (file, parameter, beam, channel, groundscatter): the camping beam 9 on channel 2 of pyDARN's
#: file (50 records every 3 s), its sweeping channel 1, every channel at once, ground scatter
#: painted, and the one-record beam 0 of darn-dmap's file (pyDARN 4.3 does not return on its beam 1,
#: the file's last record: a plot of zero width).
CASES = [
    ("pydarn/test.fitacf.bz2", "v", 9, 2, False),
    ("pydarn/test.fitacf.bz2", "p_l", 9, 2, False),
    ("pydarn/test.fitacf.bz2", "w_l", 9, 2, False),
    ("pydarn/test.fitacf.bz2", "elv", 9, 2, False),
    ("pydarn/test.fitacf.bz2", "pwr0", 9, 2, False),
    ("pydarn/test.fitacf.bz2", "v", 9, 2, True),
    ("pydarn/test.fitacf.bz2", "v", 7, "all", False),
    ("pydarn/test.fitacf.bz2", "w_l", 12, 1, True),
    ("pydarn/test.fitacf.bz2", "p_l", 9, "all", False),
    ("darn-dmap/test.fitacf", "v", 0, "all", False),
    ("darn-dmap/test.fitacf", "p_l", 0, 0, True),
]


def case_key(name: str, parameter: str, beam: int, channel: object, ground: bool) -> str:
    """The twin's key of a case: ``file|parameter|beam|channel|groundscatter``."""
    return f"{name}|{parameter}|{beam}|{channel}|{int(ground)}"


def run_case(records: list, parameter: str, beam: int, channel: object, ground: bool) -> dict:
    """pyDARN's columns and values for one case."""
    fig, ax = plt.subplots()
    out = pydarn.RTP.plot_range_time(
        records,
        parameter=parameter,
        beam_num=beam,
        channel=channel,
        ax=ax,
        groundscatter=ground,
        range_estimation=pydarn.RangeEstimation.RANGE_GATE,
    )
    x = out["data"]["x"][:-1]  # the last is the plot's end time, not a column
    z = np.ma.filled(np.ma.asarray(out["data"]["z"], dtype=np.float64), np.nan).T
    plt.close(fig)
    rows = [[None if np.isnan(v) else float(v) for v in row] for row in z]
    return {"times": [t.isoformat() for t in x], "z": rows}


def main(argv: list[str]) -> int:
    data = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATA
    out = argv[2] if len(argv) > 2 else str(DEFAULT_OUT)
    twin: dict = {
        "generator": "tests/superdarn/reference/pydarn_rti_twin.py",
        "pydarn": metadata.version("pydarn"),
        "pydarnio": metadata.version("pydarnio"),
        "ground": GROUND,
        "cases": {},
        "slant_range": {},
    }
    cache: dict[str, list] = {}
    for name, parameter, beam, channel, ground in CASES:
        if name not in cache:
            records, _ = pydarn.read_fitacf(str(data / name))
            cache[name] = records
            first = records[0]
            nrang = max(int(r["nrang"]) for r in records)
            twin["slant_range"][name] = {
                "frang": int(first["frang"]),
                "rsep": int(first["rsep"]),
                "centres": [
                    float(v)
                    for v in pydarn.utils.range_estimations.gate2slant(
                        frang=int(first["frang"]),
                        rsep=int(first["rsep"]),
                        rxrise=0,
                        nrang=nrang,
                        center=True,
                    )
                ],
            }
        key = case_key(name, parameter, beam, channel, ground)
        # a fresh copy each time: plot_range_time of pwr0 rewrites the records' gflg in place
        records = copy.deepcopy(cache[name])
        twin["cases"][key] = run_case(records, parameter, beam, channel, ground)
    text = json.dumps(twin, sort_keys=True)
    if out == "-":
        sys.stdout.write(text)
    else:
        with gzip.open(out, "wt", encoding="utf-8") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
