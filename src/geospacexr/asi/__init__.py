"""Pure functions on all-sky imager Datasets: keograms and skymap geometry."""

from .keogram import default_column, keogram
from .skymaps import check_skymap, magnetic, pixel_centres, skymap_at

__all__ = ["check_skymap", "default_column", "keogram", "magnetic", "pixel_centres", "skymap_at"]
