"""Record rbinvariantslib's L* on the ``lfm-hdf`` sample, for the bridge's comparison.

Run in the ``rbinv`` reference environment (``bash .ci/refenvs DEST rbinv``)::

    $GEOSPACEXR_REF_RBINV tests/mhd/reference/rbinv_lstar_twin.py LFM_FILE [OUT]

``LFM_FILE`` is ``geospacexr.datasets.sample_path("lfm-hdf")``; ``OUT`` defaults to
``rbinv_lstar_twin.json`` beside this script (``-``: standard output). geospacexr is not
imported. L* of equatorially mirroring particles (``mode="normal"``, pitch angle 90, as
rbinvariantslib runs it) at the starting points of :data:`POINTS`; rbinvariantslib stops its
field lines at the grid's inner boundary, which is known to make its L* 9-17 % low against
analytic fields.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata
from pathlib import Path

from rbinvariantslib import invariants, models

HERE = Path(__file__).resolve().parent
#: Starting points (SM, Re) of the equatorial L* calculations.
POINTS = ((-5.0, 0.3, 0.0), (0.3, 5.0, 0.0))


def main(argv: list[str]) -> None:
    lfm = argv[1]
    out = Path(argv[2]) if len(argv) > 2 else HERE / "rbinv_lstar_twin.json"
    model = models.get_lfm_hdf4_model(lfm)
    rows = []
    for point in POINTS:
        result = invariants.calculate_LStar(model, point, mode="normal", starting_pitch_angle=90.0)
        rows.append({"point": list(point), "lstar": float(result.LStar)})
    text = json.dumps(
        {
            "generator": "tests/mhd/reference/rbinv_lstar_twin.py",
            "rbinvariantslib": metadata.version("rbinvariantslib"),
            "mode": "normal",
            "pitch_angle": 90.0,
            "results": rows,
        },
        indent=1,
    )
    if str(out) == "-":
        print(text)
    else:
        out.write_text(text + "\n")


if __name__ == "__main__":
    main(sys.argv)
