"""TIE-GCM histories in the layouts of real model versions, built from NCAR's published listings.

Each layout is an ``ncdump`` listing of a real history, stored verbatim (gzip) in ``data/``:
NCAR's TIE-GCM user guide ships them as ``doc/userguide/_static/{primary,secondary}.ncd`` in
https://github.com/NCAR/tiegcm; the commit and git blob of each are below (``git cat-file -p
<blob>`` in a clone reproduces the file byte for byte). :func:`build` writes one as a netCDF
file with every dim, variable name, type and attribute of the listing, the small variables'
values exactly as listed (coordinates, ``time``, ``mtime``, ``year``, per-time scalars such as
``Kp = 1e+36``, ``mag = _``), latitudes, longitudes and magnetic latitudes/longitudes thinned
for size (every ``n``-th value of the listing's own, both ends of ``mlat``/``mlon`` kept), and
the large fields (which no listing holds) from the sample generator's physics
(:func:`geospacexr._synth.gcm.write_tiegcm_layout`, :func:`~geospacexr._synth.gcm.tiegcm_fields`)
at each record's UT.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geospacexr._synth import cdl as cdl_mod
from geospacexr._synth.gcm import LAYOUT_GRIDS, write_tiegcm_layout

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Layout:
    """One published listing and how much of its horizontal grid a fixture keeps."""

    file: str
    source_path: str
    commit: str
    blob: str
    description: str
    lat_step: int
    lon_step: int
    mag_step: int = 4

    @property
    def source(self) -> str:
        return f"NCAR/tiegcm {self.source_path} @ {self.commit} (blob {self.blob})"


LAYOUTS = {
    "tiegcm1.94-primary": Layout(
        "tiegcm1.94_primary_5deg.ncd.gz",
        "doc/userguide/_static/primary.ncd",
        "a530b8797efe3d2a1a7d48600ee686c1f4cf8621",
        "d08d54ace7c4c65dd38372335bb99e0433a9a2b8",
        "tiegcm1.94-beta.pcntr_decsol_smax_001.nc: 5 deg primary, 6 daily histories, double, "
        "mtime (day, hour, minute), time in minutes, no HE, no N2, Z without ZG",
        lat_step=2,
        lon_step=2,
    ),
    "tiegcm1.94-secondary": Layout(
        "tiegcm1.94_secondary_5deg.ncd.gz",
        "doc/userguide/_static/secondary.ncd",
        "a530b8797efe3d2a1a7d48600ee686c1f4cf8621",
        "f14107dfe14b0a97b0baa21b96f1f3a288a87d61",
        "tiegcm1.94-beta.scntr_decsol_smax_001.nc: 5 deg secondary, float32, hourly, "
        "HMF2/NMF2, conductivities, ZMAG",
        lat_step=3,
        lon_step=4,
    ),
    "tiegcm2.0-primary": Layout(
        "tiegcm2.0_primary_2.5deg.ncd.gz",
        "doc/userguide/_static/primary.ncd",
        "fc297d739d9bdb303543bd75109c6b4703243f30",
        "ec55e08f9f8b445b1d31ab10f77c45fca4a6616c",
        "tiegcm_res2.5_decsol_smax_prim_001.nc: 2.5 deg primary, 6 daily histories, double, "
        "mtime (day, hour, minute), time in minutes, HE and AR, Z without ZG",
        lat_step=6,
        lon_step=8,
    ),
    "tiegcm2.0-secondary": Layout(
        "tiegcm2.0_secondary_2.5deg.ncd.gz",
        "doc/userguide/_static/secondary.ncd",
        "fc297d739d9bdb303543bd75109c6b4703243f30",
        "9b43e48666be4bdc941f0f432e22a845dc142ca7",
        "tiegcm_res2.5_decsol_smax_sech_005.nc: 2.5 deg secondary, float32, 24 hourly histories "
        "across a day boundary, TEC, ZG, ZMAG(time, imlev, mlat, mlon)",
        lat_step=6,
        lon_step=8,
    ),
}


def listing(name: str) -> str:
    """The published listing of a layout, as text."""
    return gzip.decompress((DATA / LAYOUTS[name].file).read_bytes()).decode("utf-8")


def parse(name: str) -> cdl_mod.CDLFile:
    """The parsed listing of a layout."""
    return cdl_mod.parse_cdl(listing(name))


def _thin(size: int, step: int) -> np.ndarray:
    index = np.arange(0, size, step)
    return index if index[-1] == size - 1 else np.append(index, size - 1)


def build(name: str, folder: Path, *, storm: float = 0.0, file_name: str | None = None) -> Path:
    """Write the layout ``name`` as a netCDF file in ``folder``; returns its path.

    Args:
        name: A key of :data:`LAYOUTS`.
        folder: Where to write.
        storm: Storm strength of the physics.
        file_name: The file's name (default: the published file's name).
    """
    layout = LAYOUTS[name]
    spec = parse(name)
    keep = {
        "lat": np.arange(0, spec.dims["lat"], layout.lat_step),
        "lon": np.arange(0, spec.dims["lon"], layout.lon_step),
        "mlat": _thin(spec.dims["mlat"], layout.mag_step),
        "mlon": _thin(spec.dims["mlon"], layout.mag_step),
    }
    path = Path(folder) / (file_name or f"{spec.name}.nc")
    write_tiegcm_layout(spec, path, keep=keep, storm=storm)
    return path


__all__ = ["DATA", "LAYOUTS", "LAYOUT_GRIDS", "Layout", "build", "listing", "parse"]
