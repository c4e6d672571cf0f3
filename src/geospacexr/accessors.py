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
from . import gcm as _gcm
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
    """TIE-GCM / WACCM-X methods, available as ``ds.gcm.<method>``.

    Each method is the function of the same name in :mod:`geospacexr.gcm`, with the same
    arguments (the Dataset first).
    """

    _name = "gcm"
    _kinds = ("gcm",)

    def variables(self) -> list[dict[str, str]]:
        """The fields with long name, units, dims and grid (:func:`geospacexr.gcm.variables`)."""
        return _gcm.variables(self._require("variables"))

    def lat_lon(
        self,
        var: str,
        time: Any = None,
        level: float | None = None,
        height: float | None = None,
        pressure: float | None = None,
        local_time: bool | None = None,
        method: str = "nearest",
    ) -> xr.DataArray:
        """A latitude-longitude slice (:func:`geospacexr.gcm.lat_lon`)."""
        return _gcm.lat_lon(
            self._require("lat_lon"), var, time, level, height, pressure, local_time, method
        )

    def lev_lon(
        self, var: str, time: Any = None, lat: float | None = None, method: str = "nearest"
    ) -> xr.DataArray:
        """A level-longitude slice (:func:`geospacexr.gcm.lev_lon`)."""
        return _gcm.lev_lon(self._require("lev_lon"), var, time, lat, method)

    def lev_lat(
        self, var: str, time: Any = None, lon: float | None = None, method: str = "nearest"
    ) -> xr.DataArray:
        """A level-latitude slice or zonal mean (:func:`geospacexr.gcm.lev_lat`)."""
        return _gcm.lev_lat(self._require("lev_lat"), var, time, lon, method)

    def lev_time(
        self, var: str, lat: float, lon: float | None = None, local_time: float | None = None
    ) -> xr.DataArray:
        """Profiles against time (:func:`geospacexr.gcm.lev_time`)."""
        return _gcm.lev_time(self._require("lev_time"), var, lat, lon, local_time)

    def lat_time(
        self,
        var: str,
        lon: float | None = None,
        level: float | None = None,
        height: float | None = None,
        pressure: float | None = None,
        local_time: float | None = None,
    ) -> xr.DataArray:
        """Latitude against time (:func:`geospacexr.gcm.lat_time`)."""
        return _gcm.lat_time(
            self._require("lat_time"), var, lon, level, height, pressure, local_time
        )

    def lon_time(
        self,
        var: str,
        lat: float,
        level: float | None = None,
        height: float | None = None,
        pressure: float | None = None,
    ) -> xr.DataArray:
        """Longitude against time (:func:`geospacexr.gcm.lon_time`)."""
        return _gcm.lon_time(self._require("lon_time"), var, lat, level, height, pressure)

    def var_time(
        self,
        var: str,
        lat: float,
        lon: float | None = None,
        level: float | None = None,
        height: float | None = None,
        pressure: float | None = None,
        local_time: float | None = None,
    ) -> xr.DataArray:
        """A time series at one place (:func:`geospacexr.gcm.var_time`)."""
        return _gcm.var_time(
            self._require("var_time"), var, lat, lon, level, height, pressure, local_time
        )

    def at_height(
        self, var: str, heights_km: Any, interpolation: str | None = None
    ) -> xr.DataArray:
        """Per-column interpolation to heights (:func:`geospacexr.gcm.at_height`)."""
        return _gcm.at_height(self._require("at_height"), var, heights_km, interpolation)

    def density(self, species: str, unit: str = "cm-3") -> xr.DataArray:
        """Number or mass density, or mixing ratio (:func:`geospacexr.gcm.density`)."""
        return _gcm.density(self._require("density"), species, unit)

    def zonal_mean(self, var: str) -> xr.DataArray:
        """Mean over longitude (:func:`geospacexr.gcm.zonal_mean`)."""
        return _gcm.zonal_mean(self._require("zonal_mean"), var)

    def global_mean(self, var: str) -> xr.DataArray:
        """Area-weighted global mean (:func:`geospacexr.gcm.global_mean`)."""
        return _gcm.global_mean(self._require("global_mean"), var)

    def along_track(self, var: str, time: Any, lat: Any, lon: Any, height: Any) -> xr.DataArray:
        """Interpolation along a satellite track (:func:`geospacexr.gcm.along_track`)."""
        return _gcm.along_track(self._require("along_track"), var, time, lat, lon, height)

    def derived(self, name: str) -> xr.DataArray:
        """A derived field from the registry (:func:`geospacexr.gcm.derived`)."""
        return _gcm.derived(self._require("derived"), name)

    def emission(
        self,
        name: str,
        time: Any = None,
        level: float | None = None,
        height: float | None = None,
    ) -> xr.DataArray:
        """A volume emission rate from the registry (:func:`geospacexr.gcm.emissions.emission`)."""
        return _gcm.emissions.emission(self._require("emission"), name, time, level, height)

    def brightness(self, name: str, time: Any = None, zenith_angle: float = 0.0) -> xr.DataArray:
        """Column brightness in rayleigh (:func:`geospacexr.gcm.emissions.brightness`)."""
        return _gcm.emissions.brightness(self._require("brightness"), name, time, zenith_angle)

    def explore(self, control: xr.Dataset | None = None) -> Any:
        """A live explorer of every slice (see :func:`geospacexr.explore.gcm.explore`).

        Args:
            control: Optional control run for difference mode.

        Returns:
            A Panel component.
        """
        from .explore.gcm import explore

        return explore(self._require("explore"), control)

    @property
    def plot(self) -> _GcmPlot:
        """Static figures, one per slice (see :mod:`geospacexr.plot.gcm`).

        ``ds.gcm.plot.lat_lon(...)``, ``lev_lat``, ``lev_lon``, ``lev_time``, ``lat_time``,
        ``lon_time`` and ``var_time`` take the slice's arguments plus drawing options.
        """
        return _GcmPlot(self)

    def epflux(
        self,
        time: Any = None,
        density: str = "log-pressure",
        omega: float | None = None,
        scale_height: float | None = None,
        method: str = "nearest",
    ) -> xr.Dataset:
        """Eliassen-Palm flux and its divergence (:func:`geospacexr.gcm.epflux`).

        Args:
            time: One time (nearest) or None for every time.
            density: ``"log-pressure"`` (AHL 1987) or ``"mass"``.
            omega: Rotation rate, rad/s (default sidereal).
            scale_height: Log-pressure scale height, m.
            method: Time selection method.

        Returns:
            Dataset with EPVY, EPVZ (m2 s-2) and EPVDIV (m s-1 day-1).
        """
        from .gcm.epflux import OMEGA_EARTH, SCALE_HEIGHT

        return _gcm.epflux(
            self._require("epflux", ["TN", "UN", "VN", "OMEGA"]),
            time,
            density,
            OMEGA_EARTH if omega is None else omega,
            SCALE_HEIGHT if scale_height is None else scale_height,
            method,
        )


class _GcmPlot:
    """``ds.gcm.plot``: one figure per slice, same arguments as the slice plus drawing options."""

    def __init__(self, accessor: GcmAccessor) -> None:
        self._acc = accessor

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        from .plot import gcm as _plot_gcm

        return getattr(_plot_gcm, f"plot_{name}")(
            self._acc._require(f"plot.{name}"), *args, **kwargs
        )

    def lat_lon(self, var: str, *args: Any, **kwargs: Any) -> Any:
        """Map of a lat-lon slice (:func:`geospacexr.plot.gcm.plot_lat_lon`)."""
        return self._call("lat_lon", var, *args, **kwargs)

    def lev_lat(self, var: str, *args: Any, **kwargs: Any) -> Any:
        """Level-latitude figure (:func:`geospacexr.plot.gcm.plot_lev_lat`)."""
        return self._call("lev_lat", var, *args, **kwargs)

    def lev_lon(self, var: str, *args: Any, **kwargs: Any) -> Any:
        """Level-longitude figure (:func:`geospacexr.plot.gcm.plot_lev_lon`)."""
        return self._call("lev_lon", var, *args, **kwargs)

    def lev_time(self, var: str, *args: Any, **kwargs: Any) -> Any:
        """Level-time figure (:func:`geospacexr.plot.gcm.plot_lev_time`)."""
        return self._call("lev_time", var, *args, **kwargs)

    def lat_time(self, var: str, *args: Any, **kwargs: Any) -> Any:
        """Latitude-time figure (:func:`geospacexr.plot.gcm.plot_lat_time`)."""
        return self._call("lat_time", var, *args, **kwargs)

    def lon_time(self, var: str, *args: Any, **kwargs: Any) -> Any:
        """Longitude-time figure (:func:`geospacexr.plot.gcm.plot_lon_time`)."""
        return self._call("lon_time", var, *args, **kwargs)

    def var_time(self, var: str, *args: Any, **kwargs: Any) -> Any:
        """Time-series figure (:func:`geospacexr.plot.gcm.plot_var_time`)."""
        return self._call("var_time", var, *args, **kwargs)

    def movie(self, out: str, var: str | None = None, *args: Any, **kwargs: Any) -> Any:
        """A movie (MP4 or GIF) of any figure over time or any argument, written atomically.

        Frames are rendered in parallel with fixed colour limits and a progress bar (see
        :func:`geospacexr.plot.gcm.plot_movie`: ``kind=`` any slice or ``"epflux"``,
        ``over=`` the argument that varies, ``fps=``, ``workers=``, ``parallel=``).

        Args:
            out: Output ``.mp4`` or ``.gif`` file.
            var: Variable name.
            *args: ``fps``, ``workers`` (positional, as before).
            **kwargs: Options of :func:`geospacexr.plot.gcm.plot_movie` and of the figure.

        Returns:
            The path written.
        """
        return self._call("movie", out, var, *args, **kwargs)

    def epflux(self, *args: Any, **kwargs: Any) -> Any:
        """EP flux vectors over the divergence (:func:`geospacexr.plot.gcm.plot_epflux`).

        Args:
            *args: ``time``, ``density``, ``omega`` (see the function).
            **kwargs: Drawing options.

        Returns:
            The matplotlib Figure.
        """
        return self._call("epflux", *args, **kwargs)


@xr.register_dataset_accessor("asi")
class AsiAccessor(_Accessor):
    """All-sky imager methods, available as ``ds.asi.<method>``."""

    _name = "asi"
    _kinds = ("asi", "skymap", "asi_grid")

    def keogram(
        self,
        skymap: xr.Dataset | None = None,
        axis: str = "ccd",
        altitude_km: float | None = None,
        column: int | None = None,
        min_elevation: float | None = None,
        cadence: float | None = None,
        longitude: float | None = None,
        path: Any = None,
        width: float | None = None,
        metric: str = "mean",
        percentile: float | None = None,
        date: Any = None,
    ) -> xr.DataArray:
        """Build a keogram (see :func:`geospacexr.asi.keogram`).

        Args:
            skymap: Skymap for geographic or magnetic keograms.
            axis: ``"ccd"``, ``"geo"`` or ``"mag"``.
            altitude_km: Mapping altitude, km (default 110).
            column: Image column (default: PyAuroraX's).
            min_elevation: Elevation cutoff, degrees (default 5).
            cadence: Frame interval, s, to show missing frames as NaN columns.
            longitude: Follow this geographic (or, with ``axis="mag"``, magnetic) meridian.
            path: Points of a custom keogram in the ``axis`` coordinate system.
            width: Strip width of a path keogram, pixels.
            metric: Path keogram metric (mean, median, sum, percentile).
            percentile: The percentile for ``metric="percentile"``.
            date: Date of the magnetic coordinates (default: the first frame).

        Returns:
            DataArray ``(y|lat|mlat, time)``, or ``(segment, time)`` for a path.
        """
        return _asi.keogram(
            self._require("keogram", ["image"]),
            skymap,
            axis,
            altitude_km,
            column,
            min_elevation,
            cadence,
            longitude=longitude,
            path=path,
            width=width,
            metric=metric,
            percentile=percentile,
            date=date,
        )

    def ewogram(
        self,
        skymap: xr.Dataset | None = None,
        axis: str = "ccd",
        altitude_km: float | None = None,
        row: int | None = None,
        min_elevation: float | None = None,
        cadence: float | None = None,
        date: Any = None,
    ) -> xr.DataArray:
        """Build an ewogram (see :func:`geospacexr.asi.ewogram`).

        Args:
            skymap: Skymap for geographic or magnetic ewograms.
            axis: ``"ccd"``, ``"geo"`` or ``"mag"``.
            altitude_km: Mapping altitude, km (default 110).
            row: Image row (default the middle row).
            min_elevation: Elevation cutoff, degrees (default 5).
            cadence: Frame interval, s, to show missing frames as NaN columns.
            date: Date of the magnetic coordinates (default: the first frame).

        Returns:
            DataArray ``(x|lon|mlon, time)``.
        """
        return _asi.ewogram(
            self._require("ewogram", ["image"]),
            skymap,
            axis,
            altitude_km,
            row,
            min_elevation,
            cadence,
            date=date,
        )

    def calibrate(
        self,
        flatfield: xr.Dataset | None = None,
        rayleighs: xr.Dataset | None = None,
        dark_box: int | None = 5,
        exposure_s: float | None = None,
    ) -> xr.Dataset:
        """Counts to Rayleighs (see :func:`geospacexr.asi.calibrate`).

        Args:
            flatfield: Flat-field calibration Dataset.
            rayleighs: Rayleighs calibration Dataset.
            dark_box: Dark corner size, or ``None`` to skip.
            exposure_s: Fixed exposure, seconds (default: each frame's).

        Returns:
            The calibrated Dataset (float32 ``image`` in R).
        """
        return _asi.calibrate(
            self._require("calibrate", ["image"]), flatfield, rayleighs, dark_box, exposure_s
        )

    def box_metric(
        self,
        skymap: xr.Dataset | None = None,
        ccd: Any = None,
        azimuth: Any = None,
        elevation: Any = None,
        geo: Any = None,
        mag: Any = None,
        altitude_km: float | None = None,
        metric: str = "mean",
        percentile: float | None = None,
    ) -> xr.DataArray:
        """A statistic of a box in every frame (see :func:`geospacexr.asi.box_metric`).

        Args:
            skymap: The site's skymap (for azimuth, elevation, geo and mag boxes).
            ccd: ``(x0, x1, y0, y1)``, columns first, as PyAuroraX's ``ccd_bounds``.
            azimuth: ``(az0, az1)`` degrees.
            elevation: ``(el0, el1)`` degrees.
            geo: ``(lon0, lon1, lat0, lat1)``.
            mag: ``(mlon0, mlon1, mlat0, mlat1)``.
            altitude_km: Mapping altitude, km (default 110).
            metric: ``"mean"``, ``"median"``, ``"sum"`` or ``"percentile"``.
            percentile: For ``metric="percentile"``.

        Returns:
            DataArray ``(time,)``.
        """
        return _asi.box_metric(
            self._require("box_metric", ["image"]), skymap, ccd, azimuth, elevation, geo, mag,
            altitude_km, metric, percentile,
        )  # fmt: skip

    def scale(
        self,
        method: str = "percentile",
        low: float | None = None,
        high: float | None = None,
        percentiles: tuple[float, float] = (1.0, 99.5),
    ) -> xr.Dataset:
        """Images scaled to [0, 1] (see :func:`geospacexr.asi.scale`).

        Args:
            method: ``"fixed"``, ``"percentile"`` or ``"auto"``.
            low: Lower bound for ``"fixed"``.
            high: Upper bound for ``"fixed"``.
            percentiles: Percentiles for the other methods.

        Returns:
            The scaled Dataset.
        """
        return _asi.scale(self._require("scale", ["image"]), method, low, high, percentiles)

    def explore(self, skymap: xr.Dataset | None = None) -> Any:
        """A live image/keogram explorer (see :func:`geospacexr.explore.asi.explore`).

        Args:
            skymap: The site's skymap, for elevation contours.

        Returns:
            A Panel component.
        """
        from .explore.asi import explore

        return explore(self._require("explore", ["image"]), skymap)

    def magnetic(
        self, date: Any, altitude_km: float | None = None, grid_deg: float | None = None
    ) -> xr.Dataset:
        """AACGM-v2 coordinates of a skymap's pixels (see :func:`geospacexr.asi.magnetic`).

        Args:
            date: Date of the coefficients.
            altitude_km: Mapping altitude, km (default 110).
            grid_deg: Interpolation grid, degrees; 0 converts every pixel directly (default 1).

        Returns:
            Dataset with ``mlat``, ``mlon`` ``(y, x)``.
        """
        return _asi.magnetic(self._require("magnetic", ["lat_corner"]), date, altitude_km, grid_deg)

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
            **kwargs: ``percentiles``, ``cmap``, ``skymap`` with ``contours`` ("elevation",
                "azimuth", "geo", "mag"), ``levels``, ``altitude_km``.

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

    def movie(
        self,
        out: str,
        start: Any = None,
        end: Any = None,
        fps: float = 10.0,
        percentiles: tuple[float, float] = (1.0, 99.5),
        workers: int | None = None,
    ) -> Any:
        """A movie (MP4 or GIF) of the frames between ``start`` and ``end``, with timestamps.

        On a mosaic or grid file (``asi_grid``) the frames are maps (:func:`plot_map`).
        Frames are rendered in parallel and the file is written atomically
        (:func:`geospacexr.plot.movie.write_movie`).

        Args:
            out: Output ``.mp4`` or ``.gif`` file.
            start: First time (default: the first frame).
            end: Last time (default: the last frame).
            fps: Frames per second.
            percentiles: Contrast limits, common to every frame.
            workers: Rendering threads.

        Returns:
            The path written.
        """
        import numpy as np

        from .plot.asi import plot_image
        from .plot.movie import write_movie

        ds = self._acc._require("plot.movie", ["image"])
        if ds.attrs.get("geospacexr_kind") == "asi_grid":  # a mosaic or grid file: maps
            from .plot.asi import plot_map

            return write_movie(
                lambda i: plot_map(ds, ds["time"].values[i], percentiles=percentiles).figure,
                ds.sizes["time"], out, fps=fps, workers=workers,
            )  # fmt: skip
        from .plot.common import time_window

        sub = ds.isel(time=np.flatnonzero(time_window(ds["time"].values, start, end)))
        step = max(1, sub.sizes["time"] // 10)
        sample = np.asarray(sub["image"].isel(time=slice(None, None, step)).values, dtype=float)
        lo, hi = np.percentile(sample, percentiles)

        def render(i: int) -> Any:
            ax = plot_image(sub, time=sub["time"].values[i], percentiles=(0.0, 100.0))
            for image in ax.images:
                image.set_clim(lo, hi)
            return ax.figure

        return write_movie(render, sub.sizes["time"], out, fps=fps, workers=workers)

    def map(self, time: Any = None, projection: str = "north_polar", **kwargs: Any) -> Any:
        """Map of a mosaic or grid file (see :func:`geospacexr.plot.plot_map`).

        Args:
            time: Frame time (nearest).
            projection: Map projection name.
            **kwargs: ``extent``, ``percentiles``, ``cmap``, ``sites``, ``show_coastlines``, ``ax``.

        Returns:
            The matplotlib Axes.
        """
        from .plot import plot_map

        return plot_map(self._acc._require("plot.map", ["image"]), time, projection, **kwargs)

    def montage(
        self, times: Any = None, step: int | None = None, columns: int = 4, **kwargs: Any
    ) -> Any:
        """A grid of frames with timestamps (see :func:`geospacexr.plot.plot_montage`).

        Args:
            times: Times to show (nearest frames).
            step: Frame step when ``times`` is not given.
            columns: Panels per row.
            **kwargs: ``percentiles``, ``cmap``.

        Returns:
            The matplotlib Figure.
        """
        from .plot import plot_montage

        return plot_montage(
            self._acc._require("plot.montage", ["image"]), times, step, columns, **kwargs
        )


@xr.register_dataset_accessor("rb")
class RbAccessor(_Accessor):
    """Radiation-belt methods (field models, invariants), available as ``ds.rb.<method>``."""

    _name = "rb"
    _kinds = ("bfield", "particles")

    def lstar(
        self, model: Any, accuracy: str | dict[str, Any] | None = None, total_flux: bool = False
    ) -> xr.Dataset:
        """Roederer L*, K, Lm, Bm, alpha_eq and status per particle (:func:`geospacexr.rb.lstar`).

        Args:
            model: A field model (:func:`geospacexr.rb.models.get`).
            accuracy: Preset or settings dict.
            total_flux: Integrate the total field's flux at the surface.

        Returns:
            The invariants Dataset.
        """
        from .rb import invariants

        return invariants.lstar(
            self._require("lstar", ["x", "y", "z", "pitch_angle"]), model, accuracy, total_flux
        )

    def K(self, model: Any, accuracy: str | dict[str, Any] | None = None) -> xr.Dataset:
        """K, Bm, Bmin, Lm and alpha_eq per particle, no drift shell (:func:`geospacexr.rb.K`).

        Args:
            model: A field model.
            accuracy: Preset or settings dict.

        Returns:
            The invariants Dataset.
        """
        from .rb import invariants

        return invariants.K_invariant(
            self._require("K", ["x", "y", "z", "pitch_angle"]), model, accuracy
        )

    def M(self, model: Any = None, b_local: Any = None) -> xr.DataArray:
        """First invariant M (MeV/G) per particle (:func:`geospacexr.rb.M`).

        Args:
            model: A field model giving the local ``|B|``.
            b_local: Local ``|B|`` in nT instead of a model.

        Returns:
            M along ``particle``.
        """
        from .rb import invariants

        return invariants.M(self._require("M", ["energy"]), model, b_local)

    def trace(self, starts: Any, **kwargs: Any) -> xr.Dataset:
        """Trace field lines in this gridded field (``"bfield"``) (:func:`geospacexr.rb.trace`).

        Args:
            starts: (n, 3) start points or a Dataset with x, y, z.
            **kwargs: ``time``, ``frame``, ``altitude_km``, ``rtol``; ``internal`` and
                ``inner_boundary`` go to :func:`geospacexr.rb.models.from_grid`.

        Returns:
            The field-line Dataset.
        """
        from .rb import models, tracing

        grid_kw = {
            k: kwargs.pop(k) for k in ("internal", "moment", "inner_boundary") if k in kwargs
        }
        ds = self._require("trace", ["Bx", "By", "Bz"])
        return tracing.trace(models.from_grid(ds, **grid_kw), starts, **kwargs)
