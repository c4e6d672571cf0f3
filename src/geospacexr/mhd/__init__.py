"""Magnetosphere MHD: pure functions on the ``mhd`` Datasets of :func:`geospacexr.open_gamera`.

:func:`equatorial_slice` and :func:`meridional_slice` cut the curvilinear grid as kaipy's
``GamsphPipe.EggSlice`` does, vectorised (``docs/mhd.md``).
"""

from __future__ import annotations

from .slices import equatorial_slice, meridional_slice, plane_corners

__all__ = ["equatorial_slice", "meridional_slice", "plane_corners"]
