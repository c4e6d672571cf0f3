"""Pure functions on all-sky imager Datasets: keograms and skymap geometry."""

from .keogram import default_column, keogram
from .metrics import METRICS, box_metric
from .skymaps import check_skymap, magnetic, pixel_centres, skymap_at

__all__ = [
    "METRICS",
    "box_metric",
    "check_skymap",
    "default_column",
    "keogram",
    "magnetic",
    "pixel_centres",
    "skymap_at",
]
