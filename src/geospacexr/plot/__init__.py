"""Static figures (matplotlib) built on the pure functions.

matplotlib is imported inside the functions, never at package import. Figures are created with
:class:`matplotlib.figure.Figure` (no pyplot state) by :func:`geospacexr.plot.common.new_figure`,
so they work headless and in threads, and show in Jupyter when a cell ends with the returned Axes
or Figure (:mod:`geospacexr.plot.display`).
"""

from .asi import plot_fov, plot_image, plot_keogram, plot_map, plot_montage
from .common import save_figure
from .movie import write_movie

__all__ = [
    "plot_fov",
    "plot_image",
    "plot_keogram",
    "plot_map",
    "plot_montage",
    "save_figure",
    "write_movie",
]
