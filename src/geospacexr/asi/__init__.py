"""Pure functions on all-sky imager Datasets: keograms, box metrics, calibration, skymaps."""

from ..io.download import download, download_skymap
from . import instruments
from .calibration import calibrate
from .contours import contour
from .coverage import conjunctions, field_of_view
from .custom import meridian_keogram, path_keogram, path_pixels
from .keogram import default_column, ewogram, inject_nans, keogram
from .metrics import METRICS, box_mask, box_metric, list_metrics, register_metric
from .mosaic import grid, mosaic, mosaic_matrix
from .night import night_keogram
from .scaling import SCALE_METHODS, list_scalings, register_scaling, scale
from .skymaps import check_skymap, magnetic, pixel_centres, skymap_at

__all__ = [
    "METRICS",
    "SCALE_METHODS",
    "box_mask",
    "box_metric",
    "calibrate",
    "check_skymap",
    "conjunctions",
    "contour",
    "default_column",
    "download",
    "download_skymap",
    "ewogram",
    "explore_mosaic",
    "field_of_view",
    "grid",
    "inject_nans",
    "instruments",
    "keogram",
    "list_metrics",
    "list_scalings",
    "magnetic",
    "meridian_keogram",
    "mosaic",
    "mosaic_matrix",
    "night_keogram",
    "path_keogram",
    "path_pixels",
    "pixel_centres",
    "register_metric",
    "register_scaling",
    "scale",
    "skymap_at",
]


def explore_mosaic(images, skymaps, footprint=None):  # type: ignore[no-untyped-def]
    """A live mosaic explorer (Panel); see :func:`geospacexr.explore.mosaic.explore_mosaic`.

    Args:
        images: ``asi`` Datasets, one per site.
        skymaps: Their skymaps.
        footprint: Optional satellite footprint (``lat``/``lon`` along ``time``).

    Returns:
        A Panel component.
    """
    from ..explore.mosaic import explore_mosaic as _explore

    return _explore(images, skymaps, footprint)
