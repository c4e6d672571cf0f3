"""Small IDL frames written with the sample writer, for flavour and damage tests (helpers)."""

from __future__ import annotations

import numpy as np

from geospacexr._synth import mhd_files


def small_frame(runtime: float = 0.0, iteration: int = 0, ndim: int = -3) -> dict:
    """A 3-D block-adaptive frame of a few hundred cells (the sample's field)."""
    cells = mhd_files.amr_cells((-8.0, -8.0, -8.0), (8.0, 8.0, 8.0), 8.0, 1, 4.0)
    frame = mhd_files._idl_frame(
        cells, ("x", "y", "z", *mhd_files.IDL_VARIABLES), None, runtime, iteration
    )
    frame["ndim"] = ndim
    return frame


def analytic(ds, t: int = 0) -> dict[str, np.ndarray]:
    """The sample field at the Dataset's points (a 2-D cut has 0 for its missing axis)."""
    pos = [ds[c].values if c in ds.coords else 0.0 for c in ("x", "y", "z")]
    return mhd_files.fields(*np.broadcast_arrays(*pos))
