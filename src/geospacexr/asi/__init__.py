"""Pure functions on all-sky imager Datasets: keograms, box metrics, calibration, skymaps.

Two kinds of public names here are thin front doors to other layers, imported only when used
(the science modules themselves never import them): :func:`explore_mosaic` (an explorer, in
:mod:`geospacexr.explore.mosaic`) and ``download`` / ``download_skymap`` (the downloaders, in
:mod:`geospacexr.io.download`, reached through the module ``__getattr__`` below).
"""

from typing import Any

from . import instruments
from .calibration import calibrate
from .contours import contour
from .coverage import conjunctions, field_of_view
from .custom import meridian_keogram, path_keogram, path_pixels
from .keogram import default_column, ewogram, inject_nans, keogram
from .metrics import METRICS, box_mask, box_metric, list_metrics, register_metric
from .mosaic import grid, mosaic, mosaic_matrix
from .night import night_box_series, night_keogram, night_keograms
from .scaling import SCALE_METHODS, list_scalings, register_scaling, scale
from .skymaps import check_skymap, magnetic, pixel_centres, skymap_at
from .spectrograph import emission_intensity, list_emissions, spectrograph_keogram

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
    "emission_intensity",
    "ewogram",
    "explore_mosaic",
    "field_of_view",
    "grid",
    "inject_nans",
    "instruments",
    "keogram",
    "list_emissions",
    "list_metrics",
    "list_scalings",
    "magnetic",
    "meridian_keogram",
    "mosaic",
    "mosaic_matrix",
    "night_box_series",
    "night_keogram",
    "night_keograms",
    "path_keogram",
    "path_pixels",
    "pixel_centres",
    "register_metric",
    "register_scaling",
    "scale",
    "skymap_at",
    "spectrograph_keogram",
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


def __getattr__(name: str) -> Any:
    """Serve ``download`` and ``download_skymap`` from :mod:`geospacexr.io.download` lazily."""
    if name in ("download", "download_skymap"):
        from ..io import download as _download

        value = getattr(_download, name)
        globals()[name] = value  # later lookups skip __getattr__
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
