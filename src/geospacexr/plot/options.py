"""Drawing options shared by the figure functions, declared and documented once.

Each figure function (:mod:`geospacexr.plot.gcm`, :mod:`geospacexr.plot.asi`) takes the
parameters of the pure function that computes what it draws, followed by a selection of these
keyword-only options (see :func:`geospacexr._declare.figure_function`). A figure that needs a
different default states it where the figure is declared.
"""

from __future__ import annotations

import os
from typing import Any

from .._declare import Option, Options

__all__ = ["DRAWING", "PROJECTIONS"]

#: Map projections (GCMprocpy's set).
PROJECTIONS = ("platecarree", "mercator", "orthographic", "mollweide", "north_polar", "south_polar")

#: Every drawing option, in the order figure signatures list them.
DRAWING = Options(
    [
        Option(
            "projection",
            "platecarree",
            str,
            "Map projection: "
            + ", ".join(f"``{name}``" for name in PROJECTIONS)
            + " (:data:`geospacexr.plot.options.PROJECTIONS`).",
        ),
        Option("style", "filled", str, '``"filled"`` (cells), ``"contourf"`` or ``"contour"``.'),
        Option("levels", 20, int, "Number of contour levels."),
        Option(
            "cmap",
            None,
            str | None,
            "Colour map (default ``viridis``, ``RdBu_r`` when symmetric).",
        ),
        Option(
            "symmetric",
            None,
            bool | None,
            "Centre the colours on zero (default: for differences and signed fields such as "
            "winds).",
        ),
        Option("vmin", None, float | None, "Lower colour limit (default: from the data)."),
        Option("vmax", None, float | None, "Upper colour limit (default: from the data)."),
        Option("show_coastlines", True, bool, "Draw the shipped Natural Earth coastlines."),
        Option("show_terminator", True, bool, "Draw the day-night terminator."),
        Option("wind", False, bool, "Overlay UN/VN wind vectors at the same level/height."),
        Option("wind_stride", 3, int, "Draw every n-th wind vector."),
        Option(
            "show_magnetic_equator",
            False,
            bool,
            "Draw the IGRF dip equator of the slice's time at the ground "
            "(:func:`geospacexr.geomagnetic.dip_equator`).",
        ),
        Option(
            "magnetic",
            False,
            bool,
            "Plot in centred-dipole (MAG) latitude and longitude of the date instead of "
            "geographic coordinates (plain axes; the model grid is triangulated in MAG "
            "coordinates), as GCMprocpy's magnetic plots.",
        ),
        Option("arrows", True, bool, "Draw the flux vectors."),
        Option(
            "arrow_stride",
            None,
            int | None,
            "Draw every n-th level and latitude (default: about 15 x 18 arrows).",
        ),
        Option(
            "density_scaling",
            True,
            bool,
            "Scale the arrows by sqrt(rho0 / rho0 at the bottom) = exp(-dz / 2H), so that the "
            "growth of a per-unit-mass flux with height (as exp(z / 2H) for a conserved wave) "
            "does not hide the lower levels.",
        ),
        Option("title", None, str | None, "Title (default: the quantity, where and when)."),
        Option(
            "save",
            None,
            str | os.PathLike | None,
            "Write the figure to this file (atomically).",
        ),
        Option("figsize", (8.0, 4.5), tuple[float, float], "Figure size, inches."),
        Option("ax", None, Any, "Axes to draw into (default: a new figure)."),
        Option(
            "percentiles",
            (1.0, 99.5),
            tuple[float, float],
            "Contrast limits as percentiles of the data shown.",
        ),
    ]
)
