"""The ``ds.gcm``, ``ds.asi`` and ``ds.rb`` accessors: a front door onto the pure functions.

Following xarray's guidance, an accessor's ``__init__`` only stores the Dataset (it runs on every
attribute access and must never raise). Each method checks the kind and the variables it needs
through :func:`geospacexr._checks.require` and delegates to the pure function with the same name
and arguments; accessors hold no logic of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import xarray as xr

from . import asi as _asi
from . import describe as _describe
from ._checks import require

__all__ = ["AsiAccessor", "GcmAccessor", "RbAccessor"]


class _Accessor:
    _name = ""
    _kinds: tuple[str, ...] = ()

    def __init__(self, ds: xr.Dataset) -> None:
        self._ds = ds

    def _require(self, method: str, variables: Iterable[str] = ()) -> xr.Dataset:
        return require(self._ds, self._kinds, variables, where=f"ds.{self._name}.{method}")

    def summary(self) -> dict[str, Any]:
        """Summarise the Dataset (see :func:`geospacexr.describe.summary`).

        Returns:
            Kind, time span, sizes, variables and identifying attributes.
        """
        return _describe.summary(self._require("summary"))


@xr.register_dataset_accessor("gcm")
class GcmAccessor(_Accessor):
    """TIE-GCM / WACCM-X methods, available as ``ds.gcm.<method>``."""

    _name = "gcm"
    _kinds = ("gcm",)


@xr.register_dataset_accessor("asi")
class AsiAccessor(_Accessor):
    """All-sky imager methods, available as ``ds.asi.<method>``."""

    _name = "asi"
    _kinds = ("asi",)

    def keogram(
        self,
        skymap: xr.Dataset | None = None,
        axis: str = "ccd",
        column: int | None = None,
    ) -> xr.DataArray:
        """Build a keogram (see :func:`geospacexr.asi.keogram`).

        Args:
            skymap: Skymap for geographic or magnetic keograms.
            axis: ``"ccd"``.
            column: Image column (default: PyAuroraX's).

        Returns:
            DataArray ``(y, time)``.
        """
        return _asi.keogram(self._require("keogram", ["image"]), skymap, axis=axis, column=column)

    @property
    def plot(self) -> _AsiPlot:
        """Static figures of this Dataset (``ds.asi.plot.image()``, ``ds.asi.plot.keogram()``)."""
        return _AsiPlot(self)


class _AsiPlot:
    """``ds.asi.plot``: matplotlib figures built on the ``ds.asi`` methods."""

    def __init__(self, accessor: AsiAccessor) -> None:
        self._acc = accessor

    def image(self, time: Any = None, ax: Any = None, **kwargs: Any) -> Any:
        """Show one frame (see :func:`geospacexr.plot.plot_image`).

        Args:
            time: Frame time (nearest); default the first frame.
            ax: Axes to draw into.
            **kwargs: ``percentiles``, ``cmap``.

        Returns:
            The matplotlib Axes.
        """
        from .plot import plot_image

        return plot_image(self._acc._require("plot.image", ["image"]), time=time, ax=ax, **kwargs)

    def keogram(
        self, ax: Any = None, percentiles: tuple[float, float] = (1.0, 99.5), **kwargs: Any
    ) -> Any:
        """Draw the keogram (:meth:`AsiAccessor.keogram`, :func:`geospacexr.plot.plot_keogram`).

        Args:
            ax: Axes to draw into.
            percentiles: Contrast limits.
            **kwargs: Passed to :meth:`AsiAccessor.keogram` (``skymap``, ``axis``, ``column``).

        Returns:
            The matplotlib Axes.
        """
        from .plot import plot_keogram

        return plot_keogram(self._acc.keogram(**kwargs), ax=ax, percentiles=percentiles)


@xr.register_dataset_accessor("rb")
class RbAccessor(_Accessor):
    """Radiation-belt methods (field models, invariants), available as ``ds.rb.<method>``."""

    _name = "rb"
    _kinds = ("bfield", "particles")
