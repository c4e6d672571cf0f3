"""The accessors ``ds.gcm``, ``ds.asi``, ``ds.rb``, ``ds.superdarn``, ``ds.mhd``, ``ds.rio``...

And ``ds.ionosphere``.

A front door.

Following xarray's guidance, an accessor's ``__init__`` only stores the Dataset (it runs on every
attribute access and must never raise). Every method is *derived* from the pure function it
calls (:func:`geospacexr._declare.accessor_method`): same parameters, defaults and docstring,
and a body that checks the kind and the variables it needs through
:func:`geospacexr._checks.require` before calling the function. Accessors hold no logic of their
own; ``tests/test_declare.py`` checks every method against its function.

The plot sub-accessors (``ds.gcm.plot``, ``ds.asi.plot``) are derived the same way from the
figure functions of :mod:`geospacexr.plot`, and the explorers from :mod:`geospacexr.explore`
(those modules import matplotlib, cartopy and Panel only when a figure or explorer is made).
"""

from __future__ import annotations

from collections.abc import Iterable

import xarray as xr

from . import describe as _describe
from ._checks import require
from ._declare import accessor_method, lazy_accessor_method
from .asi.calibration import calibrate as _asi_calibrate
from .asi.keogram import ewogram as _asi_ewogram
from .asi.keogram import keogram as _asi_keogram
from .asi.metrics import box_metric as _asi_box_metric
from .asi.scaling import scale as _asi_scale
from .asi.skymaps import magnetic as _asi_magnetic
from .explore import asi as _explore_asi
from .explore import gcm as _explore_gcm
from .explore import mhd as _explore_mhd
from .explore import superdarn as _explore_superdarn
from .gcm import composition as _composition
from .gcm import derived as _derived
from .gcm import emissions as _emissions
from .gcm import heights as _heights
from .gcm import slices as _slices
from .gcm.epflux import epflux as _gcm_epflux
from .gcm.variables import variables as _gcm_variables
from .mhd import bridge as _mhd_bridge
from .mhd import panels as _mhd_panels
from .mhd import points as _mhd_points
from .mhd import slices as _mhd_slices
from .mhd.topology import topology as _mhd_topology
from .plot import asi as _plot_asi
from .plot import gcm as _plot_gcm
from .plot import mhd as _plot_mhd
from .plot import rio as _plot_rio
from .plot import superdarn as _plot_superdarn
from .plot import superdarn_fan as _plot_superdarn_fan
from .plot import superdarn_maps as _plot_superdarn_maps
from .rio import qdc as _rio_qdc
from .rio import series as _rio_series
from .superdarn import convection as _sd_convection
from .superdarn import geometry as _sd_geometry
from .superdarn import hardware as _sd_hardware
from .superdarn import scans as _sd_scans
from .superdarn.rti import beam_records as _sd_beam_records
from .superdarn.rti import beam_summary as _sd_beam_summary
from .superdarn.rti import rti as _sd_rti
from .superdarn.rti import rti_parameters as _sd_rti_parameters

__all__ = [
    "AsiAccessor",
    "GcmAccessor",
    "IonosphereAccessor",
    "MhdAccessor",
    "RbAccessor",
    "RioAccessor",
    "SuperdarnAccessor",
]

_PARTICLE = ("x", "y", "z", "pitch_angle")
_EPFLUX = ("TN", "UN", "VN", "OMEGA")
_RB = f"{__package__}.rb"


class _Accessor:
    _name = ""
    _kinds: tuple[str, ...] = ()

    def __init__(self, ds: xr.Dataset) -> None:
        self._ds = ds

    def _require(self, method: str, variables: Iterable[str] = ()) -> xr.Dataset:
        return require(self._ds, self._kinds, variables, where=f"ds.{self._name}.{method}")

    summary = accessor_method(_describe.summary)


class _PlotAccessor:
    """A ``ds.<domain>.plot`` sub-accessor: figures of the parent accessor's Dataset."""

    def __init__(self, accessor: _Accessor) -> None:
        self._acc = accessor

    def _require(self, method: str, variables: Iterable[str] = ()) -> xr.Dataset:
        return self._acc._require(f"plot.{method}", variables)


class _GcmPlot(_PlotAccessor):
    """``ds.gcm.plot``: one figure per slice, the slice's arguments plus drawing options."""

    lat_lon = accessor_method(_plot_gcm.plot_lat_lon, name="lat_lon")
    lev_lat = accessor_method(_plot_gcm.plot_lev_lat, name="lev_lat")
    lev_lon = accessor_method(_plot_gcm.plot_lev_lon, name="lev_lon")
    lev_time = accessor_method(_plot_gcm.plot_lev_time, name="lev_time")
    lat_time = accessor_method(_plot_gcm.plot_lat_time, name="lat_time")
    lon_time = accessor_method(_plot_gcm.plot_lon_time, name="lon_time")
    var_time = accessor_method(_plot_gcm.plot_var_time, name="var_time")
    epflux = accessor_method(_plot_gcm.plot_epflux, variables=_EPFLUX, name="epflux")
    movie = accessor_method(_plot_gcm.plot_movie, name="movie")


@xr.register_dataset_accessor("gcm")
class GcmAccessor(_Accessor):
    """TIE-GCM / WACCM-X methods, available as ``ds.gcm.<method>``.

    Each method is the function of the same name in :mod:`geospacexr.gcm`, with the same
    arguments (the Dataset first).
    """

    _name = "gcm"
    _kinds = ("gcm",)

    variables = accessor_method(_gcm_variables)
    lat_lon = accessor_method(_slices.lat_lon)
    lev_lon = accessor_method(_slices.lev_lon)
    lev_lat = accessor_method(_slices.lev_lat)
    lev_time = accessor_method(_slices.lev_time)
    lat_time = accessor_method(_slices.lat_time)
    lon_time = accessor_method(_slices.lon_time)
    var_time = accessor_method(_slices.var_time)
    at_height = accessor_method(_heights.at_height)
    density = accessor_method(_composition.density)
    zonal_mean = accessor_method(_slices.zonal_mean)
    global_mean = accessor_method(_slices.global_mean)
    along_track = accessor_method(_slices.along_track)
    derived = accessor_method(_derived.derived)
    emission = accessor_method(_emissions.emission)
    brightness = accessor_method(_emissions.brightness)
    epflux = accessor_method(_gcm_epflux, variables=_EPFLUX)
    explore = accessor_method(_explore_gcm.explore)

    @property
    def plot(self) -> _GcmPlot:
        """Static figures, one per slice (see :mod:`geospacexr.plot.gcm`).

        ``ds.gcm.plot.lat_lon(...)``, ``lev_lat``, ``lev_lon``, ``lev_time``, ``lat_time``,
        ``lon_time``, ``var_time`` and ``epflux`` take the slice's arguments plus drawing
        options; ``movie`` makes an MP4 or GIF of any of them.
        """
        return _GcmPlot(self)


class _AsiPlot(_PlotAccessor):
    """``ds.asi.plot``: matplotlib figures of an ``asi`` Dataset (:mod:`geospacexr.plot.asi`)."""

    image = accessor_method(_plot_asi.plot_image, variables=["image"], name="image")
    keogram = accessor_method(_plot_asi.plot_asi_keogram, variables=["image"], name="keogram")
    movie = accessor_method(_plot_asi.plot_asi_movie, variables=["image"], name="movie")
    map = accessor_method(_plot_asi.plot_map, variables=["image"], name="map")
    montage = accessor_method(_plot_asi.plot_montage, variables=["image"], name="montage")


@xr.register_dataset_accessor("asi")
class AsiAccessor(_Accessor):
    """All-sky imager methods, available as ``ds.asi.<method>``."""

    _name = "asi"
    _kinds = ("asi", "skymap", "asi_grid")

    keogram = accessor_method(_asi_keogram, variables=["image"])
    ewogram = accessor_method(_asi_ewogram, variables=["image"])
    calibrate = accessor_method(_asi_calibrate, variables=["image"])
    box_metric = accessor_method(_asi_box_metric, variables=["image"])
    scale = accessor_method(_asi_scale, variables=["image"])
    magnetic = accessor_method(_asi_magnetic, variables=["lat_corner"])
    explore = accessor_method(_explore_asi.explore, variables=["image"])

    @property
    def plot(self) -> _AsiPlot:
        """Static figures of this Dataset (``ds.asi.plot.image()``, ``ds.asi.plot.keogram()``)."""
        return _AsiPlot(self)


@xr.register_dataset_accessor("rb")
class RbAccessor(_Accessor):
    """Radiation-belt methods (field models, invariants), available as ``ds.rb.<method>``."""

    _name = "rb"
    _kinds = ("bfield", "particles")

    # the compiled kernels load on first use: these methods are derived on first access
    lstar = lazy_accessor_method(f"{_RB}.invariants:lstar", variables=_PARTICLE)
    K = lazy_accessor_method(f"{_RB}.invariants:K", variables=_PARTICLE)
    M = lazy_accessor_method(f"{_RB}.invariants:M", variables=["energy"])
    trace = lazy_accessor_method(f"{_RB}.tracing:trace_grid", variables=["Bx", "By", "Bz"])


class _SuperdarnPlot(_PlotAccessor):
    """``ds.superdarn.plot``: figures of a radar Dataset (:mod:`geospacexr.plot.superdarn_fan`)."""

    fan = accessor_method(_plot_superdarn_fan.plot_fan, variables=["bmnum"], name="fan")
    convection_map = accessor_method(
        _plot_superdarn_maps.plot_convection_map, name="convection_map"
    )
    grid_vectors = accessor_method(_plot_superdarn_maps.plot_grid_vectors, name="grid_vectors")
    rti = accessor_method(_plot_superdarn.plot_rti, name="rti")
    summary = accessor_method(_plot_superdarn.plot_summary, name="summary")


@xr.register_dataset_accessor("superdarn")
class SuperdarnAccessor(_Accessor):
    """SuperDARN methods (hardware, gates, scans, convection), as ``ds.superdarn.<method>``.

    Each method is the function of the same name in :mod:`geospacexr.superdarn.hardware`,
    :mod:`~geospacexr.superdarn.geometry`, :mod:`~geospacexr.superdarn.scans` or
    :mod:`~geospacexr.superdarn.convection`, with the same
    arguments (the Dataset first). A new capability is one more line here.
    """

    _name = "superdarn"
    _kinds = ("superdarn",)

    # hardware and geometry
    radar_hardware = accessor_method(_sd_hardware.radar_hardware)
    slant_range = accessor_method(_sd_geometry.slant_range, variables=["range_gate"])
    gate_positions = accessor_method(_sd_geometry.gate_positions, variables=["bmnum"])
    field_of_view = accessor_method(_sd_geometry.field_of_view)
    # scans and quality
    scan_index = accessor_method(_sd_scans.scan_index, variables=["scan"])
    with_scan_index = accessor_method(_sd_scans.with_scan_index, variables=["scan"])
    scans = accessor_method(_sd_scans.scans, variables=["scan"])
    scan = accessor_method(_sd_scans.scan, variables=["scan"])
    scan_fan = accessor_method(_sd_scans.scan_fan, variables=["scan", "bmnum"])
    filter_gates = accessor_method(_sd_scans.filter_gates, variables=["range_gate"])
    # range-time-intensity
    rti = accessor_method(_sd_rti)
    beam_records = accessor_method(_sd_beam_records)
    beam_summary = accessor_method(_sd_beam_summary)
    rti_parameters = accessor_method(_sd_rti_parameters)
    # convection maps (map and grid files)
    map_coefficients = accessor_method(_sd_convection.map_coefficients)
    potential = accessor_method(_sd_convection.potential)
    potential_at = accessor_method(_sd_convection.potential_at)
    fitted_velocity = accessor_method(_sd_convection.fitted_velocity)
    line_of_sight = accessor_method(_sd_convection.line_of_sight)
    heppner_maynard_boundary = accessor_method(_sd_convection.heppner_maynard_boundary)
    cross_polar_cap_potential = accessor_method(_sd_convection.cross_polar_cap_potential)
    convection_map = accessor_method(_sd_convection.convection_map)
    magnetic_local_time = accessor_method(_sd_convection.magnetic_local_time)
    explore = accessor_method(_explore_superdarn.explore, variables=["bmnum", "scan"])

    @property
    def plot(self) -> _SuperdarnPlot:
        """Figures: ``ds.superdarn.plot.fan``, ``rti``, ``summary``, ``convection_map``...

        ``grid_vectors`` too; each takes its pure function's arguments plus drawing options.
        """
        return _SuperdarnPlot(self)


class _MhdPlot(_PlotAccessor):
    """``ds.mhd.plot``: figures of an ``mhd`` Dataset (:mod:`geospacexr.plot.mhd`)."""

    msphpic = accessor_method(_plot_mhd.plot_msphpic, variables=["Bz"], name="msphpic")
    movie = accessor_method(_plot_mhd.plot_msphpic_movie, variables=["Bz"], name="movie")


@xr.register_dataset_accessor("mhd")
class MhdAccessor(_Accessor):
    """Magnetosphere MHD methods (GAMERA, BATS-R-US, LFM), available as ``ds.mhd.<method>``.

    Each method is the function of the same name in :mod:`geospacexr.mhd`, with the same
    arguments (the Dataset first). The ionosphere (ReMIX) output of the same run is another
    kind with its own accessor, ``ds.ionosphere``: its grid, variables and figures share nothing
    with the magnetosphere's, so one accessor for both kinds would offer methods that can only
    fail on half of the Datasets.
    """

    _name = "mhd"
    _kinds = ("mhd",)

    equatorial_slice = accessor_method(_mhd_slices.equatorial_slice)
    meridional_slice = accessor_method(_mhd_slices.meridional_slice)
    plane_corners = accessor_method(_mhd_slices.plane_corners, variables=["X", "Y"])
    at_points = accessor_method(_mhd_points.at_points)
    select_step = accessor_method(_mhd_points.select_step)
    residual_bz = accessor_method(_mhd_panels.residual_bz, variables=["Bz"])
    msphpic = accessor_method(_mhd_panels.msphpic, variables=["Bz"])
    field = accessor_method(_mhd_bridge.field, variables=["Bx", "By", "Bz"])
    topology = accessor_method(_mhd_topology, variables=["Bx", "By", "Bz"])
    # the msphpic movie, also ds.mhd.plot.movie beside the other figures
    movie = accessor_method(_plot_mhd.plot_msphpic_movie, variables=["Bz"], name="movie")
    explore = accessor_method(_explore_mhd.explore, variables=["Bx", "By", "Bz", "X", "Y", "Z"])

    @property
    def plot(self) -> _MhdPlot:
        """Figures: ``ds.mhd.plot.msphpic(step=-1, size="std", ...)`` (kaipy's quick look).

        ``ds.mhd.plot.movie(out, ...)`` (also ``ds.mhd.movie``) makes an MP4 or GIF of it over
        the steps, frames rendered in parallel.
        """
        return _MhdPlot(self)


class _IonospherePlot(_PlotAccessor):
    """``ds.ionosphere.plot``: polar maps of an ``ionosphere`` Dataset (plot/mhd.py)."""

    polar = accessor_method(_plot_mhd.plot_remix, variables=["potential", "fac"], name="polar")


@xr.register_dataset_accessor("ionosphere")
class IonosphereAccessor(_Accessor):
    """Ionosphere (ReMIX) methods, available as ``ds.ionosphere.<method>``.

    The accessor is named after the Dataset kind (``"ionosphere"``) rather than the code, so the
    ionospheric output of other coupled models can share it.
    """

    _name = "ionosphere"
    _kinds = ("ionosphere",)

    select_step = accessor_method(_mhd_points.select_step)
    step = accessor_method(_mhd_panels.ionosphere_step, variables=["potential", "fac"], name="step")

    @property
    def plot(self) -> _IonospherePlot:
        """Figures: ``ds.ionosphere.plot.polar(step=-1)``, potential and FAC of both hemispheres."""
        return _IonospherePlot(self)


class _RioPlot(_PlotAccessor):
    """``ds.rio.plot``: figures of a ``riometer`` Dataset (:mod:`geospacexr.plot.rio`)."""

    line = accessor_method(_plot_rio.plot_rio_line, name="line")
    stack = accessor_method(_plot_rio.plot_rio_stack, name="stack")
    site_map = accessor_method(_plot_rio.plot_rio_site_map, name="site_map")


@xr.register_dataset_accessor("rio")
class RioAccessor(_Accessor):
    """Riometer methods (quiet-day curves, absorption, figures), as ``ds.rio.<method>``.

    Each method is the function of the same name in :mod:`geospacexr.rio`, with the same
    arguments (the Dataset first); the figures are ``ds.rio.plot.line``, ``stack`` and
    ``site_map`` (:mod:`geospacexr.plot.rio`).
    """

    _name = "rio"
    _kinds = ("riometer",)

    quiet_day_curve = accessor_method(_rio_qdc.quiet_day_curve)
    absorption = accessor_method(_rio_qdc.absorption)
    signal_db = accessor_method(_rio_qdc.signal_db)
    quantity = accessor_method(_rio_series.quantity)

    @property
    def plot(self) -> _RioPlot:
        """Figures: ``ds.rio.plot.line(what="absorption")``, ``stack()``, ``site_map()``."""
        return _RioPlot(self)
