"""Record what pyDARN computes from the real map files (the twin ``pydarn_convection_twin.npz``).

Run in a venv with pyDARN (``python3 -m venv /tmp/pydarnref && /tmp/pydarnref/bin/pip install
pydarn``; recorded with pyDARN 4.3, darn-dmap 0.8.2, scipy 1.17)::

    /tmp/pydarnref/bin/python tests/superdarn/reference/pydarn_convection_twin.py [DATA_DIR] [OUT]

``DATA_DIR`` defaults to ``../shared/data/superdarn`` beside the repository, ``OUT`` to
``pydarn_convection_twin.npz`` beside this script. Each map file is read with darn-dmap (what
pyDARN reads with); for every record the twin keeps, under ``<file>/<record>/``:

* ``potential``: ``pydarn.Maps.calculate_potentials`` on its own grid, shape (mlon, mlat)
  with the axes ``mlat`` (1 degree from ``lowlat`` = 30 to 90, negative in the south) and
  ``mlon`` (2 degrees from 0 to 360); kV, set to 0 below ``latmin``; called as
  ``plot_mapdata`` calls it (the record's ``N+2``, ``fit.order``, ``latmin``, ``lat.shft``,
  ``lon.shft``, ``hemisphere``);
* ``fitted_speed``, ``fitted_azimuth``: ``pydarn.Maps.calculated_fitted_velocities`` at the
  record's ``vector.mlat`` / ``vector.mlon`` (m/s; radians from magnetic north), as
  ``plot_mapdata`` calls it for ``MapParams.FITTED_VELOCITY``;
* ``pot_drop``: the file's ``pot.drop`` (V), what pyDARN prints as the CPCP.

No southern map is among the test files, so ``south/test.map/0/`` holds the same arrays for a
southern mirror of ``darn-dmap/test.map``'s first record (``hemisphere`` -1 and
``vector.mlat`` negated, the coefficients unchanged), which checks pyDARN's and our
hemisphere handling against each other.

Only numpy, darn-dmap and pyDARN are needed. With ``OUT`` ``-`` the arrays are written to
standard output as ``.npz`` bytes (the live test compares them with the recorded file).
"""

from __future__ import annotations

import io
import sys
from importlib import metadata
from pathlib import Path

import dmap
import numpy as np
from pydarn import Hemisphere, Maps

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[2].parent / "shared" / "data" / "superdarn"
DEFAULT_OUT = HERE / "pydarn_convection_twin.npz"
MAP_FILES = ("darn-dmap/test.map", "pydarn/test.north.mp")


def record_arrays(rec: dict) -> dict[str, np.ndarray]:
    """pyDARN's potential grid and fitted velocities of one map record."""
    hemisphere = Hemisphere(rec["hemisphere"])
    mlat, mlon, pot = Maps.calculate_potentials(
        rec["N+2"],
        rec["latmin"],
        lat_shift=rec["lat.shft"],
        lon_shift=rec["lon.shft"],
        fit_order=rec["fit.order"],
        hemisphere=hemisphere,
    )
    speed, azimuth = Maps.calculated_fitted_velocities(
        mlats=rec["vector.mlat"],
        mlons=np.radians(rec["vector.mlon"]),
        fit_coefficient=rec["N+2"],
        hemisphere=hemisphere,
        fit_order=rec["fit.order"],
        lat_min=rec["latmin"],
    )
    mlat, mlon = np.asarray(mlat, dtype=np.float64), np.asarray(mlon, dtype=np.float64)
    # pyDARN's grid is regular: keep its axes (the potential is (mlon, mlat))
    assert (mlat == mlat[:1, :]).all() and (mlon == mlon[:, :1]).all()
    return {
        "mlat": mlat[0, :],
        "mlon": mlon[:, 0],
        "potential": np.asarray(pot, dtype=np.float64),
        "fitted_speed": np.asarray(speed, dtype=np.float64),
        "fitted_azimuth": np.asarray(azimuth, dtype=np.float64),
        "pot_drop": np.asarray(rec["pot.drop"], dtype=np.float64),
    }


def build(data: Path) -> dict[str, np.ndarray]:
    """Every array of the twin, keyed ``<file>/<record>/<name>``."""
    out: dict[str, np.ndarray] = {
        "versions": np.array(
            [f"pydarn {metadata.version('pydarn')}", f"darn-dmap {metadata.version('darn-dmap')}"]
        ),
        "generator": np.array("tests/superdarn/reference/pydarn_convection_twin.py"),
    }
    for name in MAP_FILES:
        records = dmap.read_map(str(data / name), mode="strict")
        for r, rec in enumerate(records):
            for key, value in record_arrays(rec).items():
                out[f"{name}/{r}/{key}"] = value
    south = dict(dmap.read_map(str(data / MAP_FILES[0]), mode="strict")[0])
    south["hemisphere"] = -1
    south["vector.mlat"] = -south["vector.mlat"]
    for key, value in record_arrays(south).items():
        out[f"south/test.map/0/{key}"] = value
    return out


def main(argv: list[str]) -> None:
    """Write the twin (``argv``: optional data folder and output path)."""
    data = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATA
    out = argv[2] if len(argv) > 2 else str(DEFAULT_OUT)
    arrays = build(data)
    if out == "-":
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        sys.stdout.buffer.write(buffer.getvalue())
    else:
        np.savez_compressed(out, **arrays)


if __name__ == "__main__":
    main(sys.argv)
