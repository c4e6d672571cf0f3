"""Magnetosphere MHD: pure functions on the ``mhd`` Datasets of :func:`geospacexr.open_gamera`.

:func:`equatorial_slice` and :func:`meridional_slice` cut the curvilinear grid as kaipy's
``GamsphPipe.EggSlice`` does, vectorised (``docs/mhd.md``); :func:`at_points` interpolates a
cell variable to arbitrary points; :func:`residual_bz`, :func:`msphpic` and :func:`plot_extent`
compute what kaipy's ``msphpic`` quick look draws, :func:`ionosphere_step` what the ReMIX polar
maps draw (figures: :mod:`geospacexr.plot.mhd`); :func:`field` hands a step's magnetic field
to the radiation-belt models (:mod:`geospacexr.mhd.bridge`); :func:`topology` classifies the
field lines through seed points as closed, open (north or south) or solar wind.
"""

from __future__ import annotations

from . import bridge
from .bridge import field
from .panels import SIZES, ionosphere_step, msphpic, plot_extent, residual_bz
from .points import at_points, select_step
from .slices import equatorial_slice, meridional_slice, plane_corners
from .topology import TOPOLOGY, topology

__all__ = [
    "SIZES",
    "TOPOLOGY",
    "at_points",
    "bridge",
    "equatorial_slice",
    "field",
    "ionosphere_step",
    "meridional_slice",
    "msphpic",
    "plane_corners",
    "plot_extent",
    "residual_bz",
    "select_step",
    "topology",
]
