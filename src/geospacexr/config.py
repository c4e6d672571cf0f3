"""One place for every default geospacexr uses.

The effective configuration is built, lowest priority first, from

1. the built-in defaults below;
2. a TOML file: ``$GEOSPACEXR_CONFIG`` if set, else ``~/.config/geospacexr/config.toml``
   (``$XDG_CONFIG_HOME`` is honoured) when it exists;
3. ``GEOSPACEXR_<SECTION>_<KEY>`` environment variables, e.g. ``GEOSPACEXR_ASI_MIN_ELEVATION=10``
   or ``GEOSPACEXR_PATHS_CACHE_DIR=/scratch/gx``;
4. explicit function arguments: every function whose keyword defaults to ``None`` for a physical
   choice reads the value here through :func:`resolve`.

The TOML file has one table per section::

    [paths]
    cache_dir = "/scratch/me/geospacexr"

    [asi]
    altitude_km = 110
    min_elevation = 10

A malformed file, an unknown section or key, a value of the wrong type or outside the key's
allowed values raises :class:`~geospacexr.errors.ConfigError` naming the file (or variable), the
key, the value, what is allowed and the line. Every key has allowed values: declared in its
field's ``metadata`` (``min``, ``max``, ``gt``, ``lt``, ``choices``, ``check``), else derived
from its type and name (see :func:`limits`); the built-in defaults obey them too.
``geospacexr config`` prints the effective values and where each came from.

Example:
    >>> import geospacexr.config as gxc
    >>> gxc.get().asi.altitude_km
    110.0
    >>> with gxc.override({"asi.altitude_km": 150}):
    ...     gxc.resolve(None, "asi.altitude_km")
    150.0
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import errno
import functools
import ipaddress
import math
import os
import re
import stat
import threading
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError, InvalidArgumentError

__all__ = [
    "Config",
    "allowed",
    "check_address",
    "check_value",
    "config_file",
    "describe",
    "get",
    "keys",
    "limits",
    "make_folder",
    "override",
    "overrides",
    "reload",
    "resolve",
    "validate",
]

ENV_PREFIX = "GEOSPACEXR_"
ENV_FILE = "GEOSPACEXR_CONFIG"


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


#: Longest host name (RFC 1035: 253 characters written out).
_HOSTNAME_MAX = 253
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def check_address(value: str) -> str | None:
    """Why ``value`` is not an address a server can listen on (``None`` if it is one).

    An address is an IPv4 or IPv6 address (``127.0.0.1``, ``::1``, ``0.0.0.0``) or a host
    name of letters, digits and hyphens in dot-separated labels (``localhost``,
    ``my-host.example.org``); nothing else (no scheme, port, path, spaces or control
    characters).

    Args:
        value: The address.

    Returns:
        ``None`` when valid, else the reason.
    """
    if not isinstance(value, str) or not value:
        return "an address is an IP address or a host name, not an empty value"
    try:
        ipaddress.ip_address(value)
        return None
    except ValueError:
        pass
    name = value[:-1] if value.endswith(".") else value
    if (
        len(name) > _HOSTNAME_MAX
        or not all(_HOST_LABEL.fullmatch(label) for label in name.split("."))
        or name.replace(".", "").isdigit()
    ):
        return f"{value!r} is neither an IP address nor a host name"
    return None


def _check_url(value: str) -> str | None:
    """Why ``value`` is not an ``http(s)://host/...`` or ``file:///...`` URL (``None`` if it is)."""
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        return f"{value!r} is not a URL ({exc})"
    if parts.scheme in ("http", "https") and parts.hostname:
        return None
    if parts.scheme == "file" and parts.path:
        return None
    return f"{value!r} is not an http://, https:// or file:// URL"


def _limit(default: Any = dataclasses.MISSING, **meta: Any) -> Any:
    """A dataclass field with its allowed values in ``metadata`` (see :func:`limits`)."""
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class PathsConfig:
    """Where geospacexr keeps files.

    Attributes:
        cache_dir: Downloads, mosaic pixel-to-grid matrices and other caches.
        sample_dir: Generated sample data (default: ``<cache_dir>/samples``).
        data_dir: Where users keep their own data; the CLI looks here for relative paths.
    """

    cache_dir: Path = field(default_factory=lambda: _xdg("XDG_CACHE_HOME", ".cache") / "geospacexr")
    sample_dir: Path | None = None
    data_dir: Path = field(default_factory=Path.cwd)


@dataclass(frozen=True)
class ServersConfig:
    """Remote data servers.

    Attributes:
        ucalgary_url: Root of the University of Calgary open-data tree (``sort_by_project``).
        timeout_s: Network timeout of one request, seconds.
        retries: Attempts per file before a download is reported as failed.
        backoff_s: Wait before the second attempt, seconds; it doubles at each further one.
    """

    ucalgary_url: str = _limit("https://data.phys.ucalgary.ca/sort_by_project", check=_check_url)
    timeout_s: float = _limit(30.0, gt=0, max=3600)
    retries: int = _limit(3, min=1, max=100)
    backoff_s: float = _limit(0.5, min=0, max=3600)


@dataclass(frozen=True)
class AsiConfig:
    """All-sky imager defaults.

    Attributes:
        altitude_km: Emission (mapping) altitude for skymaps, keograms and mosaics, km.
        min_elevation: Elevation cutoff, degrees above the horizon.
        time_tolerance_s: Largest offset when matching frames of different sites, seconds.
        keogram_width: Width of a path (custom) keogram's strip, pixels.
        aacgm_grid_deg: Spacing of the geographic grid on which AACGM-v2 is evaluated exactly
            before it is interpolated to many points (a whole skymap), degrees; 0 converts
            every point directly. The interpolation error is below 0.001 degree at 1 degree.
        check_frame_times: Skip (and report) ASI frames stamped outside the plausible range:
            before the instrument's first light (the instrument table's ``first_light``, else
            ``earliest_frame_time``) or after now plus ``future_margin_days``.
        earliest_frame_time: Earliest plausible frame time (ISO date) of an instrument whose
            row in the instrument table gives no ``first_light``.
        future_margin_days: Frames stamped later than now plus this many days are implausible.
        name_time_margin_hours: Frames stamped further than this from the time in their file's
            name (``YYYYMMDD_HHMM_...``, the start of a 1-minute file) are skipped and reported
            (with ``check_frame_times``): a frame of a file named 2021-02-15 06:00 stamped 2014
            is damaged, whichever of the two is wrong.
    """

    altitude_km: float = _limit(110.0, gt=0, max=2000)
    min_elevation: float = _limit(5.0, min=0, lt=90)
    time_tolerance_s: float = 1.5
    keogram_width: float = _limit(5.0, gt=0, max=1000)
    aacgm_grid_deg: float = _limit(1.0, min=0, max=30)
    check_frame_times: bool = True
    earliest_frame_time: str = "1980-01-01"
    future_margin_days: float = _limit(2.0, min=0, max=36525)
    name_time_margin_hours: float = _limit(24.0, min=0, max=876_600)


@dataclass(frozen=True)
class GcmConfig:
    """TIE-GCM / WACCM-X defaults.

    Attributes:
        emission_height_km: Default height of emission maps, km.
        time_chunk: Times per dask chunk when several history files are opened together.
        earliest_year: Earliest model year a history file may carry; a file dated earlier is
            refused as damaged. The default covers pre-industrial (1850) climate runs and the
            1859 Carrington storm; whatever is set, ``datetime64[ns]`` holds no date before
            1677-09-22.
        latest_year: Latest model year a history file may carry (the default covers scenario
            runs to 2100 with margin; ``datetime64[ns]`` holds no date after 2262-04-11).
        oh_scheme: Rate matrix of the OH Meinel model (:mod:`geospacexr.gcm.emissions.oh`):
            ``"corrected"`` (conserves OH: smooth, positive populations) or ``"gcmprocpy"``
            (GCMprocpy 1.5.2's matrix, for exact comparisons with it).
    """

    emission_height_km: float = 250.0
    time_chunk: int = 1
    earliest_year: int = _limit(1800, min=1, max=9999)
    latest_year: int = _limit(2200, min=1, max=9999)
    oh_scheme: str = _limit("corrected", choices=("corrected", "gcmprocpy"))


#: The accuracy presets of L* and K (the keys of :data:`geospacexr.rb.invariants.ACCURACY`,
#: checked by a test; not imported here, which would load numba with the configuration).
RB_ACCURACY_PRESETS = ("fast", "default", "high")
#: The libx264 speed presets, fastest first (``io.movie_preset``).
X264_PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow",
                "slower", "veryslow")  # fmt: skip
#: The libx264 tunings (``io.movie_tune``): ``"lowdelay"`` (ours, see :class:`IoConfig`),
#: ``"none"`` (the preset as it is) and x264's own ``-tune`` values.
X264_TUNES = ("lowdelay", "none", "film", "animation", "grain", "stillimage", "psnr", "ssim",
              "fastdecode", "zerolatency")  # fmt: skip


@dataclass(frozen=True)
class RbConfig:
    """Magnetic-field model, field-line tracing and invariant defaults.

    Attributes:
        earth_radius_km: Earth radius used as the length unit (Re), km (the IGRF and Tsyganenko
            reference radius).
        dipole_moment_nt: Equatorial surface field B0 of the centred dipole, nT. The convention
            is a fixed moment (30,000 nT, as in most radiation-belt work); pass
            ``moment="igrf"`` to a model to use the IGRF dipole term of the date instead.
        accuracy: Default accuracy preset of L* and K (``"fast"``, ``"default"``, ``"high"``).
        trace_stop_altitude_km: Altitude of the atmosphere for traced lines and mirror points:
            a particle mirroring below it is lost (status 3), km.
        trace_outer_re: Field lines reaching this distance count as open, Re.
        trace_max_step_re: Largest integration step of the tracer, Re.
        trace_max_steps: Largest number of steps per half field line.
        compile_message: Print one line on stderr when a model's kernels compile (cold cache).
        drivers_interpolation: How time-varying model inputs (``drivers=``, e.g. OMNI) are
            taken at a particle's time: ``"previous"`` (the average whose interval holds the
            time) or ``"linear"`` (between the averages' centres); see
            :mod:`geospacexr.rb.drivers`.
        w_max_gap_minutes: Longest IMF or plasma gap filled by linear interpolation before the
            TS05 W parameters are computed (Tsyganenko's yearly files: 2 h); a longer gap gives
            no W (:mod:`geospacexr.rb.wparams`).
        w_spinup_efolds: W is NaN for this many e-folding times of each mode after the start of
            a series or an unfilled gap (the unknown past then weighs at most ``exp(-3)``).
    """

    earth_radius_km: float = _limit(6371.2, gt=0)
    dipole_moment_nt: float = _limit(30000.0, gt=0, max=1e6)
    accuracy: str = _limit("default", choices=RB_ACCURACY_PRESETS)
    trace_stop_altitude_km: float = _limit(100.0, min=0, max=10000)
    trace_outer_re: float = _limit(60.0, gt=1, max=1000)
    trace_max_step_re: float = _limit(1.0, gt=0, max=10)
    trace_max_steps: int = _limit(4000, min=10, max=10_000_000)
    compile_message: bool = True
    drivers_interpolation: str = _limit("previous", choices=("previous", "linear"))
    w_max_gap_minutes: float = _limit(120.0, min=0, max=10080)
    w_spinup_efolds: float = _limit(3.0, min=0, max=50)


@dataclass(frozen=True)
class IoConfig:
    """Reading and writing.

    Attributes:
        workers: Parallel workers for reading many files (0: one per CPU core).
        max_decompressed_mb: Largest content of one image file once decompressed (a
            ``.pgm``/``.pgm.gz``/``.pgm.bz2``, the members of a PNG tar), MB; a file that
            expands beyond it is refused (a real 1-minute file holds 3 to 30 MB).
        max_sav_record_mb: Largest decompressed record of a compressed IDL ``.sav`` file, MB.
        hdf5_external_storage: Read HDF5 datasets whose data lie in other files (external
            storage, virtual datasets). Off by default: such a dataset in a downloaded file
            could make a reader show any local file's bytes.
        max_frames: Most image frames one file may hold (PGM frames, PNG tar members, HDF5
            frames); a 1-minute file holds 20 to 180, a full night at 3 s about 15,000.
        max_image_pixels: Most pixels one image frame may have (width x height, from the
            PGM size line, the PNG IHDR, the HDF5 dataset shape); 100 megapixels, ten times
            beyond any all-sky camera.
        max_array_mb: Largest array one file may make a reader allocate, MB (the decoded
            images of a file, a declared HDF5 dataset), checked before the allocation.
        superdarn_earliest_time: Earliest plausible SuperDARN record time (ISO date; the first
            radar, Goose Bay, began in 1983): DMAP records dated earlier are skipped and
            reported (lax) or refused (strict).
        superdarn_future_margin_days: DMAP records dated later than now plus this many days
            are implausible likewise.
        movie_preset: The libx264 speed preset of MP4 movies (:mod:`geospacexr.plot.movie`;
            ``ultrafast`` ... ``veryslow``, :data:`X264_PRESETS`). The default ``veryfast``
            encodes a 3600 x 2400 frame in about half the CPU time of x264's own default
            ``medium``, and on msphpic frames (flat colour fields, lines and text) at the same
            quality and file size within 1 % (PSNR 40.6 dB against the frames, limited by
            yuv420p's halved colour resolution, not by the preset); ``ultrafast`` is faster
            again but makes files almost three times larger. The encoder runs beside the frame
            workers, so its cost slows a movie on a machine with few cores.
        movie_crf: The x264 constant rate factor of MP4 movies, 0 (lossless) to 51 (worst);
            lower is better quality and larger files, 23 is x264's default.
        movie_lookahead: How many frames x264 looks ahead (its ``rc-lookahead``: the frames
            its macroblock tree and frame-type decisions see) before it encodes one; the
            presets' own values are 10 (``veryfast``) to 60. x264 holds these frames, and at
            the end of a movie the frames it holds are encoded after the last one is rendered,
            with the frame workers idle: the default 3 keeps that short. 0 turns the
            macroblock tree off (larger files).
        movie_tune: How libx264 is tuned (:data:`X264_TUNES`). The default ``"lowdelay"``
            encodes every frame as it arrives: no B-frames, threads on slices of one frame
            rather than on several frames at once, the look-ahead in the encoding thread, and
            x264's macroblock tree kept. Against the preset as it is (``"none"``, 10 frames of
            look-ahead) an 8-frame 300 dpi msphpic movie was about 15 % faster on 2 cores
            (x264 had no frames left to encode after the last one), at the same
            file size within 1 % and 0.2 dB lower PSNR (39.8 against 40.0 dB). x264's
            ``"zerolatency"`` is as fast but drops the macroblock tree: files 1.6 times larger.
        movie_start_method: How movie frame worker processes start
            (:func:`geospacexr.plot.movie.render_frames`): ``"auto"`` forks the calling
            process when that is safe (Linux and macOS, no other Python thread running, numba's
            thread pool not started: the command-line ``movie`` commands), so the workers
            inherit its imports, and otherwise takes them from a fork server (a fresh
            interpreter that imports numpy, xarray and matplotlib once, about two seconds of
            CPU); ``"fork"``, ``"forkserver"`` and ``"spawn"`` force one.
    """

    workers: int = 0
    max_decompressed_mb: float = 1024.0
    max_sav_record_mb: float = 256.0
    hdf5_external_storage: bool = False
    max_frames: int = 100_000
    max_image_pixels: int = 100_000_000
    max_array_mb: float = 1024.0
    superdarn_earliest_time: str = "1983-01-01"
    superdarn_future_margin_days: float = _limit(2.0, min=0, max=36525)
    movie_preset: str = _limit("veryfast", choices=X264_PRESETS)
    movie_crf: int = _limit(23, min=0, max=51)
    movie_lookahead: int = _limit(3, min=0, max=250)
    movie_tune: str = _limit("lowdelay", choices=X264_TUNES)
    movie_start_method: str = _limit("auto", choices=("auto", "fork", "forkserver", "spawn"))


@dataclass(frozen=True)
class CacheConfig:
    """Sizes of the in-memory caches (see :func:`geospacexr.clear_caches`).

    Every cache geospacexr keeps in memory holds at most this many entries, the least recently
    used entry leaving first; 0 turns a cache off. Files cached on disk (downloads, mosaic
    matrices under ``paths.cache_dir``) are not counted here.

    Attributes:
        mosaic_matrices: Pixel-to-grid matrices of site sets kept in memory by
            :func:`geospacexr.asi.mosaic_matrix` (each can be tens of MB).
        file_hashes: Checksums of sample files already verified in this process.
        explorer_results: Results an explorer keeps per process (field lines traced for the
            radiation-belt explorer, slices of the GCM explorer).
        explorer_fields: Gridded magnetic fields of MHD steps the MHD explorer keeps built per
            process (:func:`geospacexr.rb.models.from_grid` of one step: about a second to
            build on the sample run, and as large as the run's grid).
        explorer_figures: Plots a GCM explorer keeps built (hidden) per session: switching back
            to a projection, slice type or polar boundary seen before only streams new data
            into its figure instead of building a new one (0: every switch builds anew).
    """

    mosaic_matrices: int = _limit(8, min=0, max=1_000_000)
    file_hashes: int = _limit(4096, min=0, max=100_000_000)
    explorer_results: int = _limit(64, min=0, max=1_000_000)
    explorer_fields: int = _limit(4, min=0, max=10_000)
    explorer_figures: int = _limit(8, min=0, max=1000)


@dataclass(frozen=True)
class ServeConfig:
    """The ``geospacexr serve`` app.

    Attributes:
        port: TCP port.
        address: Address to listen on (loopback by default).
    """

    port: int = _limit(5006, min=0, max=65535)
    address: str = _limit("127.0.0.1", check=check_address)


@dataclass(frozen=True)
class SuperdarnConfig:
    """SuperDARN geometry defaults (:mod:`geospacexr.superdarn.geometry`).

    Attributes:
        virtual_height_km: Height of the standard virtual-height model beyond 800 km of slant
            range (the F region), km: RST's and pyDARN's 300.
        aacgm_altitude_km: Altitude at which gate positions are converted to AACGM-v2, km.
        map_altitude_km: Altitude of the F-region scatter at which a convection map's fitted
            velocities are evaluated (E x B on a sphere of radius Re + this), km: RST's 300.
    """

    virtual_height_km: float = _limit(300.0, gt=0, max=2000)
    aacgm_altitude_km: float = _limit(300.0, min=0, max=2000)
    map_altitude_km: float = _limit(300.0, min=0, max=2000)


@dataclass(frozen=True)
class MhdConfig:
    """MHD output to radiation-belt fields (:func:`geospacexr.mhd.bridge.field`).

    Attributes:
        bridge_resolution_re: Spacing of the rectilinear grid a point-cloud (SWMF) field is
            regridded onto, Re.
        bridge_extent_re: Half-width of that grid's box about the Earth, Re (clipped to the
            cloud's own extent; only cells inside it are triangulated, which bounds memory).
        bridge_max_points: Largest number of grid nodes (and of cloud points) one regridding
            may use; a bigger request is refused before any work.
        topology_resolution_re: Spacing of the seeds of a field-line topology map on a plane
            (:func:`geospacexr.mhd.topology`), Re.
        topology_max_seeds: Largest number of field lines one topology map may trace; a
            bigger request is refused before any work.
    """

    bridge_resolution_re: float = _limit(0.5, gt=0, max=10)
    bridge_extent_re: float = _limit(10.0, gt=0, max=1000)
    bridge_max_points: int = _limit(20_000_000, min=1)
    topology_resolution_re: float = _limit(1.0, gt=0, max=100)
    topology_max_seeds: int = _limit(200_000, min=1)


@dataclass(frozen=True)
class RioConfig:
    """Riometer quiet-day curves and absorption (:mod:`geospacexr.rio`).

    Attributes:
        qdc_days: Days of data a quiet-day curve is built from (the window ending on the last
            day of the data, or on ``end``).
        qdc_bins: Sidereal-time bins per sidereal day (288: five sidereal minutes).
        qdc_rank: The upper-envelope statistic: the ``qdc_rank``-th highest of the days' bin
            values (1: the highest; 2 skips one day of interference, as Krishnaswamy et al.
            1985 recommend).
        qdc_harmonics: Sidereal-day Fourier harmonics kept when smoothing the curve (0: only
            the mean; more follows sharper features and more noise).
        min_samples_per_bin: Fewest samples a day must have in a bin for its value to count.
        volts_db_factor: ``signal_dB = volts_db_factor * log10(V)`` for riometers that record
            a voltage proportional to the received power (NORSTAR): 10.
        plot_window_s: Moving-average window of the riometer line and stack plots, seconds:
            each plotted point is the mean of the samples of one window (0: every sample).
        beam_width_deg: Full width of a riometer's beam, degrees (a wide-beam riometer's
            antenna: about 60 degrees between half-power points), for its field of view.
        fov_height_km: Height of the absorbing D-region layer where the field of view is drawn,
            km (90).
        max_rows_per_file: Most data rows one NORSTAR riometer text file may hold (a daily
            file at the 5 s cadence holds 17,280; the default allows a day at 0.5 s): a file
            beyond it is refused before its rows are decoded (a file repeated many times
            over would otherwise cost seconds and gigabytes per 100 MB).
    """

    qdc_days: int = _limit(14, min=1, max=366)
    qdc_bins: int = _limit(288, min=4, max=86400)
    qdc_rank: int = _limit(2, min=1, max=366)
    qdc_harmonics: int = _limit(8, min=0, max=1000)
    min_samples_per_bin: int = _limit(3, min=1, max=100000)
    volts_db_factor: float = _limit(10.0, gt=0, max=100)
    plot_window_s: float = _limit(60.0, min=0, max=86400)
    beam_width_deg: float = _limit(60.0, gt=0, lt=180)
    fov_height_km: float = _limit(90.0, gt=0, max=1000)
    max_rows_per_file: int = _limit(172_800, min=1, max=100_000_000)


@dataclass(frozen=True)
class CliConfig:
    """The ``geospacexr`` command.

    Attributes:
        max_output_mb: Largest estimated output of one command, MB: frames x pixels x bytes
            per value of a keogram or movie, width x height x 4 of a figure, the array of an
            emission. A bigger request (a keogram at a cadence of 10 microseconds) is refused
            before any work unless ``--force`` is given.
        max_figure_inches: Largest width or height of a figure (``--figsize``), inches.
    """

    max_output_mb: float = _limit(2048.0, gt=0)
    max_figure_inches: float = _limit(100.0, gt=0, max=1000)


@dataclass(frozen=True)
class ScaleConfig:
    """Running batch work on ``dask.distributed`` (:mod:`geospacexr.scale`).

    Attributes:
        workers: Worker processes of a local cluster started for ``--workers`` or
            :func:`geospacexr.scale.local_cluster` (0: one per CPU core).
        threads_per_worker: Threads in each worker process (numba kernels and matplotlib hold
            the GIL or use one core each: 1 gives one task per core).
        memory_limit_mb: Memory each worker may use before the nanny restarts it, MB (0: the
            machine's memory shared out between the workers, dask's ``"auto"``).
        dashboard_address: Where a local cluster serves its dask dashboard (``":0"``: a free
            port; empty: no dashboard).
        timeout_s: Longest wait to connect to a scheduler given by address, seconds.
        particles_per_task: Particles of one task when L*, K or Lm run on a Client
            (:func:`geospacexr.rb.lstar`): a particle's L* costs ~10 to 50 ms, so the default
            gives tasks of seconds, far above the scheduler's ~1 ms per task.
        footprints_per_task: Positions of one task when :func:`geospacexr.rb.footprint` runs
            on a Client: a footprint is one traced half line, ~1 to 5 ms.
        frames_per_task: Frames of one task when :func:`geospacexr.asi.mosaic` runs on a
            Client: a frame of four sites on the default grid is a few ms of sparse products.
        malloc_trim_threshold: glibc's ``MALLOC_TRIM_THRESHOLD_`` in the worker processes of a
            local cluster (:func:`geospacexr.scale.local_cluster`, ``--workers``), bytes.
            0 (the default): not set, glibc's own dynamic thresholds, under which a worker
            reuses the memory of a block's temporaries for the next block; -1: dask's setting
            (``distributed.nanny.pre-spawn-environ``, 65536, or the variable of the
            environment), which returns freed memory to the system at once, so that every
            block's temporaries page-fault again (the 30-file NO 5.3 µm climatology of
            ``benchmarks/bench_scale.py`` took 2.8 to 2.9 s on one worker with it and 2.2 to
            2.4 s without, for ~40 MB more at the worker's peak: docs/scaling.md); a positive
            value: that threshold. Workers of a cluster not started by geospacexr keep their own
            environment (:func:`geospacexr.scale.worker_environment` gives it to them).
        worker_profile: dask's statistical profiler in the worker processes of a local cluster
            (``distributed.worker.profile.enabled``: a sample of every thread each 10 ms, for
            the dashboard's Profile page). Off by default: it cost the 480-file keograms of
            ``benchmarks/bench_scale.py`` about a tenth of a worker's time (docs/scaling.md);
            the task stream, progress and memory pages of the dashboard do not need it.
        files_per_task: Most image files of one task when night keograms or box time series
            run on a Client (:func:`geospacexr.asi.night_keograms`,
            :func:`geospacexr.asi.night_box_series`): a THEMIS minute file costs ~20 to 40 ms
            to read and reduce, so the default gives tasks of ~0.5 to 1 s, far above the
            scheduler's ~1 ms per task. Fewer files a task when a call has too few files to give
            every worker thread two tasks; one file's frames are in memory at a time either way.
    """

    workers: int = _limit(0, min=0, max=100_000)
    threads_per_worker: int = _limit(1, min=1, max=1024)
    memory_limit_mb: float = _limit(0.0, min=0)
    dashboard_address: str = ":0"
    timeout_s: float = _limit(30.0, gt=0, max=3600)
    particles_per_task: int = _limit(200, min=1, max=10_000_000)
    footprints_per_task: int = _limit(2000, min=1, max=10_000_000)
    frames_per_task: int = _limit(50, min=1, max=10_000_000)
    malloc_trim_threshold: int = _limit(0, min=-1, max=2**62)
    worker_profile: bool = False
    files_per_task: int = _limit(25, min=1, max=1_000_000)


@dataclass(frozen=True)
class AuroraxConfig:
    """The AuroraX search API and the TREx ATM (:mod:`geospacexr.aurorax`).

    Attributes:
        api_url: Root of the AuroraX API (``api/v1/...`` is appended).
        atm_url: Root of the UCalgary SRS API serving the TREx ATM (``api/v2/atm/...``).
        poll_interval_s: Wait between two status requests of a search, seconds (pyaurorax: 1).
        timeout_s: Longest wait for a search's result (submit to data), seconds.
        request_timeout_s: Network timeout of one HTTP request, seconds (pyaurorax: 10).
        retries: Attempts of one request that timed out, could not connect or got a 502/503/504
            answer, before the error is raised.
        backoff_s: Wait before the second attempt, seconds; it doubles at each further one.
        api_key: Key sent as ``x-aurorax-api-key`` (else ``$AURORAX_API_KEY``); never printed.
        max_atm_requests: Most ATM requests one call may send (grids, time series): one
            request per point, so a bigger call is refused before the first.
        default_distance_km: Largest distance of a conjunction search's block pairs that
            ``max_distances`` does not name, km.
    """

    api_url: str = _limit("https://api.aurorax.space", check=_check_url)
    atm_url: str = _limit("https://api.phys.ucalgary.ca", check=_check_url)
    poll_interval_s: float = _limit(1.0, gt=0, max=3600)
    timeout_s: float = _limit(600.0, gt=0, max=86400)
    request_timeout_s: float = _limit(10.0, gt=0, max=3600)
    retries: int = _limit(3, min=1, max=100)
    backoff_s: float = _limit(0.5, min=0, max=3600)
    api_key: str = field(default="", repr=False, metadata={"secret": True})
    max_atm_requests: int = _limit(1000, min=1, max=1_000_000)
    default_distance_km: float = _limit(300.0, min=0, max=20000)


@dataclass(frozen=True)
class Config:
    """The effective configuration: one attribute per section.

    Attributes:
        paths: :class:`PathsConfig`.
        servers: :class:`ServersConfig`.
        asi: :class:`AsiConfig`.
        gcm: :class:`GcmConfig`.
        rb: :class:`RbConfig`.
        io: :class:`IoConfig`.
        cache: :class:`CacheConfig`.
        serve: :class:`ServeConfig`.
        cli: :class:`CliConfig`.
        superdarn: :class:`SuperdarnConfig`.
        rio: :class:`RioConfig`.
        aurorax: :class:`AuroraxConfig`.
        mhd: :class:`MhdConfig`.
        scale: :class:`ScaleConfig`.
        sources: For every ``section.key``, where its value came from.
    """

    paths: PathsConfig = field(default_factory=PathsConfig)
    servers: ServersConfig = field(default_factory=ServersConfig)
    asi: AsiConfig = field(default_factory=AsiConfig)
    gcm: GcmConfig = field(default_factory=GcmConfig)
    rb: RbConfig = field(default_factory=RbConfig)
    io: IoConfig = field(default_factory=IoConfig)
    cache: CacheConfig = field(default_factory=CacheConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    cli: CliConfig = field(default_factory=CliConfig)
    superdarn: SuperdarnConfig = field(default_factory=SuperdarnConfig)
    rio: RioConfig = field(default_factory=RioConfig)
    aurorax: AuroraxConfig = field(default_factory=AuroraxConfig)
    mhd: MhdConfig = field(default_factory=MhdConfig)
    scale: ScaleConfig = field(default_factory=ScaleConfig)
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def sample_dir(self) -> Path:
        """The sample-data folder (``paths.sample_dir`` or ``<cache_dir>/samples``)."""
        return self.paths.sample_dir or self.paths.cache_dir / "samples"

    def get(self, key: str) -> Any:
        """Return the value of a dotted key such as ``"asi.altitude_km"``.

        Args:
            key: ``section.name``.

        Returns:
            The value.

        Raises:
            ConfigError: If the key does not exist.
        """
        section, _, name = key.partition(".")
        if (section, name) not in _schema():
            raise ConfigError(
                f"unknown configuration key; known keys: {', '.join(keys())}", key=key
            )
        return getattr(getattr(self, section), name)

    def as_dict(self) -> dict[str, Any]:
        """Return ``{"section.key": value}`` for every key."""
        return {f"{s}.{n}": getattr(getattr(self, s), n) for s, n in _schema()}


_SECTIONS = {f.name: f.default_factory for f in dataclasses.fields(Config) if f.name != "sources"}


def _schema() -> dict[tuple[str, str], Any]:
    """``{(section, key): type annotation}`` for every configurable key."""
    out = {}
    for section, cls in _SECTIONS.items():
        for f in dataclasses.fields(cls):
            out[(section, f.name)] = _annotation(f.type)
    return out


def keys() -> list[str]:
    """Return every configurable key as ``section.key``."""
    return [f"{s}.{n}" for s, n in _schema()]


# ------------------------------------------------------------------------------------------------
# Allowed values

#: Numeric keys without a declared lower bound whose name marks a limit, a size or a count
#: of things that must be positive (a zero limit would refuse everything).
POSITIVE_NAMES = re.compile(r"^max_|_(mb|gb|bytes|pixels|frames|chunk|steps)$")
#: Numeric keys without a declared lower bound whose name marks a duration or a distance.
NONNEGATIVE_NAMES = re.compile(r"_(s|km)$")
#: Largest integer a key may hold (numpy's int64), whatever its declared range.
INT_MAX = 2**63 - 1
_BOUNDS = ("min", "gt", "max", "lt")


def _fields() -> dict[tuple[str, str], dataclasses.Field[Any]]:
    return {
        (section, f.name): f for section, cls in _SECTIONS.items() for f in dataclasses.fields(cls)
    }


def _type_name(annotation: Any) -> str:
    """``"int"``, ``"float"``, ``"Path"``... of a field's annotation (a string or a type)."""
    return _annotation(annotation).replace(" | None", "")


def _annotation(annotation: Any) -> str:
    """A field's annotation as written (``"Path | None"``), also when it is a real type."""
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("pathlib.", "")


def limits(key: str) -> dict[str, Any]:
    """The allowed values of a key: what its field declares, else what its type and name imply.

    A field declares them in its ``metadata`` (``field(default=..., metadata={...})``):
    ``min``/``max`` (inclusive bounds), ``gt``/``lt`` (exclusive bounds), ``choices`` (the
    accepted values) and ``check`` (a function returning why a value is refused, or ``None``).
    A key that declares no bound gets one from its type and name:

    * every number must be finite (no NaN or infinity);
    * an integer must lie in ``[0, 2**63)``;
    * a number named ``max_*`` or ``*_mb``, ``*_gb``, ``*_bytes``, ``*_pixels``, ``*_frames``,
      ``*_chunk``, ``*_steps`` must be positive (an integer at least 1);
    * a number named ``*_s`` (a duration) or ``*_km`` (a distance) must be at least 0;
    * a text or a path may not contain a NUL character.

    Args:
        key: ``section.key``.

    Returns:
        ``{"min"|"gt"|"max"|"lt"|"choices"|"check": ...}``, the bounds in force.

    Raises:
        ConfigError: If the key does not exist.
    """
    section, _, name = key.partition(".")
    cls = _SECTIONS.get(section)
    out = None if cls is None else _limits_of(cls, name)
    if out is None:
        raise ConfigError(f"unknown configuration key; known keys: {', '.join(keys())}", key=key)
    return dict(out)


@functools.cache
def _limits_of(cls: type, name: str) -> dict[str, Any] | None:
    """:func:`limits` of field ``name`` of the section class ``cls`` (``None``: no such field)."""
    found = next((f for f in dataclasses.fields(cls) if f.name == name), None)
    if found is None:
        return None
    declared = dict(found.metadata)
    base = _type_name(found.type)
    out: dict[str, Any] = {}
    if base in ("int", "float"):
        if "min" not in declared and "gt" not in declared:
            if POSITIVE_NAMES.search(name):
                out.update({"min": 1} if base == "int" else {"gt": 0})
            elif base == "int" or NONNEGATIVE_NAMES.search(name):
                out["min"] = 0
        if base == "int" and "max" not in declared and "lt" not in declared:
            out["max"] = INT_MAX
    out.update({k: v for k, v in declared.items() if k in (*_BOUNDS, "choices", "check")})
    return out


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e16 else repr(value)


def allowed(key: str) -> str:
    """Describe in words the values a key accepts (for messages and the documentation).

    Args:
        key: ``section.key``.

    Returns:
        For example ``"an integer in [0, 65535]"``, ``"a finite number > 0"`` or
        ``"one of 'fast', 'default', 'high'"``.
    """
    section, _, name = key.partition(".")
    lim = limits(key)
    base = _type_name(_fields()[(section, name)].type)
    if "choices" in lim:
        return "one of " + ", ".join(repr(c) for c in lim["choices"])
    if base in ("int", "float"):
        what = "an integer" if base == "int" else "a finite number"
        low = next(((b, lim[b]) for b in ("min", "gt") if b in lim), None)
        high = next(((b, lim[b]) for b in ("max", "lt") if b in lim), None)
        if high is not None and high[1] == INT_MAX:
            high = None
        if low and high:
            return (
                f"{what} in {'[' if low[0] == 'min' else '('}{_number(low[1])}, "
                f"{_number(high[1])}{']' if high[0] == 'max' else ')'}"
            )
        if low:
            return f"{what} {'>=' if low[0] == 'min' else '>'} {_number(low[1])}"
        if high:
            return f"{what} {'<=' if high[0] == 'max' else '<'} {_number(high[1])}"
        return what
    if base == "bool":
        return "true or false"
    if name == "address":
        return "an IP address or a host name"
    if "check" in lim and lim["check"] is _check_url:
        return "an http://, https:// or file:// URL"
    return "a path" if base == "Path" else "a text"


def _check(key: str, value: Any) -> None:
    """Raise ``InvalidArgumentError`` (the reason, in words) if ``value`` is not allowed."""
    if value is None:
        return  # an optional key left unset (paths.sample_dir)
    lim = limits(key)
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidArgumentError(f"{value!r} is not allowed (allowed: {allowed(key)})")
    if isinstance(value, int | float) and not isinstance(value, bool):
        too_low = ("min" in lim and value < lim["min"]) or ("gt" in lim and value <= lim["gt"])
        too_high = ("max" in lim and value > lim["max"]) or ("lt" in lim and value >= lim["lt"])
        if too_low or too_high:
            raise InvalidArgumentError(
                f"{_number(value)} is out of range (allowed: {allowed(key)})"
            )
    if isinstance(value, str | Path) and "\x00" in str(value):
        raise InvalidArgumentError(f"{str(value)!r} contains a NUL character")
    if "choices" in lim and value not in lim["choices"]:
        raise InvalidArgumentError(f"{value!r} is not allowed (allowed: {allowed(key)})")
    check: Callable[[Any], str | None] | None = lim.get("check")
    if check is not None:
        reason = check(value)
        if reason:
            raise InvalidArgumentError(reason)


def check_value(key: str, value: Any, *, from_text: bool = False) -> Any:
    """Convert a value for a key and check it against the key's allowed values.

    Args:
        key: ``section.key`` (a known key).
        value: The value (``from_text``: as written in an environment variable).
        from_text: Parse ``value`` from text.

    Returns:
        The value, converted to the key's type.

    Raises:
        InvalidArgumentError: If the value has the wrong type or is not allowed; the message
            says why and what is allowed (without the key: see :func:`validate`).
    """
    section, _, name = key.partition(".")
    if isinstance(value, Path):
        value = str(value)
    converted = _convert(value, _schema()[(section, name)], from_text=from_text)
    _check(key, converted)
    return converted


def _redact(key: str, exc: Exception) -> str:
    """The message of a refused value, without the value when the key is a secret (API key)."""
    section, _, name = key.partition(".")
    if _fields()[(section, name)].metadata.get("secret"):
        return f"the value is refused (allowed: {allowed(key)}, no NUL; not shown: a secret)"
    return str(exc)


def validate(key: str, value: Any, *, from_text: bool = False, source: str | None = None) -> Any:
    """Convert a value for a key and check it against the key's allowed values.

    This is what the TOML file, the environment and :func:`override` go through; the command
    line uses it for options that are configuration keys too (``--port``, ``--address``).

    Args:
        key: ``section.key``.
        value: The value (``from_text``: as written in an environment variable).
        from_text: Parse ``value`` from text.
        source: Where the value comes from, for the message.

    Returns:
        The value, converted to the key's type.

    Raises:
        ConfigError: If the key is unknown or the value has the wrong type or is not allowed
            (the message names the key, the value, what is allowed and the source).
    """
    section, _, name = key.partition(".")
    schema = _schema()
    if (section, name) not in schema:
        raise ConfigError(
            f"unknown configuration key; known keys: {', '.join(keys())}", source=source, key=key
        )
    try:
        return check_value(key, value, from_text=from_text)
    except ValueError as exc:
        raise ConfigError(_redact(key, exc), source=source, key=key) from None


def _convert(value: Any, annotation: str, *, from_text: bool) -> Any:
    """Convert ``value`` to the type named by ``annotation`` or raise ``InvalidArgumentError``."""
    base = annotation.replace(" | None", "")
    if base == "Path":
        if not isinstance(value, str) or not value:
            raise InvalidArgumentError(f"expected a path (non-empty string), found {value!r}")
        return Path(os.path.expandvars(value)).expanduser()
    if base == "str":
        if not isinstance(value, str):
            raise InvalidArgumentError(f"expected a string, found {value!r}")
        return value
    if base == "bool":
        if from_text:
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
        elif isinstance(value, bool):
            return value
        raise InvalidArgumentError(f"expected true or false, found {value!r}")
    if base == "int":
        if from_text:
            value = value.strip()
            if not re.fullmatch(r"[+-]?\d+", value):
                raise InvalidArgumentError(f"expected an integer, found {value!r}")
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidArgumentError(f"expected an integer, found {value!r}")
        return value
    if base == "float":
        if from_text:
            try:
                return float(value)
            except ValueError:
                raise InvalidArgumentError(f"expected a number, found {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidArgumentError(f"expected a number, found {value!r}")
        return float(value)
    raise ConfigError(f"unsupported configuration type {annotation}")  # pragma: no cover


def _locate(text: str, section: str, key: str | None) -> int | None:
    """Find the 1-based line of ``[section]`` / ``key`` in a TOML text."""
    current = ""
    section_line = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[\s*([^\]]+?)\s*\]", stripped)
        if header:
            current = header.group(1).strip('"')
            if current == section and key is None:
                return number
            if current == section:
                section_line = number
            continue
        if key is None:
            continue
        m = re.match(r'^"?([A-Za-z0-9_.\-]+)"?\s*=', stripped)
        if m:
            name = m.group(1)
            if (current == section and name == key) or (not current and name == f"{section}.{key}"):
                return number
    return section_line


def config_file() -> Path:
    """Return the path of the TOML file that is (or would be) read."""
    env = os.environ.get(ENV_FILE)
    if env:
        return Path(env).expanduser()
    return _xdg("XDG_CONFIG_HOME", ".config") / "geospacexr" / "config.toml"


#: The configuration file is a few hundred bytes; anything beyond this is not one (it also bounds
#: the read of a device such as /dev/zero named by mistake).
MAX_FILE_BYTES = 1 << 20


def _read_text(path: Path) -> str:
    """The file's text: a regular file only, read up to :data:`MAX_FILE_BYTES`."""
    mode = path.stat().st_mode  # FileNotFoundError for a missing file
    if not stat.S_ISREG(mode):
        raise ConfigError(
            "not a regular file (a FIFO, device or folder cannot be a configuration file)",
            source=str(path),
        )
    with path.open("rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(
            f"larger than {MAX_FILE_BYTES} bytes: not a configuration file", source=str(path)
        )
    return data.decode("utf-8")


def _read_file(path: Path) -> dict[tuple[str, str], tuple[Any, str]]:
    """Parse the TOML file into ``{(section, key): (value, source)}``."""
    try:
        text = _read_text(path)
    except FileNotFoundError:
        if os.environ.get(ENV_FILE):
            raise ConfigError(
                f"the file named by ${ENV_FILE} does not exist", source=str(path)
            ) from None
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the configuration file ({exc})", source=str(path)) from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ConfigError("not valid TOML (nested too deeply)", source=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigError(
            f"not valid TOML ({exc})", source=str(path), line=int(m.group(1)) if m else None
        ) from None
    schema = _schema()
    out: dict[tuple[str, str], tuple[Any, str]] = {}
    for section, table in data.items():
        if section not in _SECTIONS:
            raise ConfigError(
                f"unknown section [{section}]; known sections: {', '.join(_SECTIONS)}",
                source=str(path),
                key=section,
                line=_locate(text, section, None),
            )
        if not isinstance(table, dict):
            raise ConfigError(
                f"expected a table [{section}], found a value",
                source=str(path),
                key=section,
                line=_locate(text, section, None),
            )
        for key, value in table.items():
            line = _locate(text, section, key)
            dotted = f"{section}.{key}"
            if (section, key) not in schema:
                known = [n for s, n in schema if s == section]
                raise ConfigError(
                    f"unknown key; [{section}] knows: {', '.join(known)}",
                    source=str(path),
                    key=dotted,
                    line=line,
                )
            try:
                converted = _convert(value, schema[(section, key)], from_text=False)
                _check(dotted, converted)
            except ValueError as exc:
                raise ConfigError(
                    _redact(dotted, exc), source=str(path), key=dotted, line=line
                ) from None
            out[(section, key)] = (converted, f"{path}:{line}" if line else str(path))
    return out


def _read_env() -> dict[tuple[str, str], tuple[Any, str]]:
    """Collect ``GEOSPACEXR_<SECTION>_<KEY>`` variables (other GEOSPACEXR_* names are ignored)."""
    schema = _schema()
    out: dict[tuple[str, str], tuple[Any, str]] = {}
    for var, raw in os.environ.items():
        if not var.startswith(ENV_PREFIX) or var == ENV_FILE:
            continue
        rest = var[len(ENV_PREFIX) :].lower()
        section, _, key = rest.partition("_")
        if section not in _SECTIONS:
            continue  # not a configuration variable (e.g. a test-reference setting)
        if (section, key) not in schema:
            known = [f"{ENV_PREFIX}{s.upper()}_{n.upper()}" for s, n in schema if s == section]
            raise ConfigError(f"unknown setting; known: {', '.join(known)}", source=var, key=rest)
        try:
            converted = _convert(raw, schema[(section, key)], from_text=True)
            _check(f"{section}.{key}", converted)
        except ValueError as exc:
            dotted = f"{section}.{key}"
            raise ConfigError(_redact(dotted, exc), source=var, key=dotted) from None
        out[(section, key)] = (converted, var)
    return out


def _build(layers: list[dict[tuple[str, str], tuple[Any, str]]]) -> Config:
    values: dict[str, dict[str, Any]] = {s: {} for s in _SECTIONS}
    sources = {k: "default" for k in keys()}
    for layer in layers:
        for (section, key), (value, source) in layer.items():
            values[section][key] = value
            sources[f"{section}.{key}"] = source
    if "sample_dir" not in values["paths"]:
        sources["paths.sample_dir"] = "default (<paths.cache_dir>/samples)"
    for section, cls in _SECTIONS.items():  # the built-in defaults obey the same limits
        for f in dataclasses.fields(cls):
            if f.name in values[section]:
                continue  # checked where it was read
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
            try:
                _check(f"{section}.{f.name}", default)
            except ValueError as exc:
                raise ConfigError(
                    f"built-in default: {exc}", source="default", key=f"{section}.{f.name}"
                ) from None
    sections = {s: cls(**values[s]) for s, cls in _SECTIONS.items()}
    return Config(**sections, sources=sources)


_Layer = dict[tuple[str, str], tuple[Any, str]]


@dataclass(frozen=True)
class _Overrides:
    """The override layers in force in one context, with the configuration they give.

    ``config`` was built on the file-and-environment base of ``generation``; a :func:`reload`
    starts a new generation, so the next :func:`get` in this context rebuilds it.
    """

    layers: tuple[_Layer, ...] = ()
    generation: int = -1
    config: Config | None = None


# File and environment: one base for the whole process (reload() rebuilds it).
_lock = threading.Lock()
_base_layers: list[_Layer] = []
_base: Config | None = None
_generation = 0
# Overrides: per context. A thread starts with an empty context, an asyncio task with a copy of
# its creator's, and a Panel session runs its callbacks in its own; so two sessions (threads,
# tasks) overriding the same key each see only their own value.
_overrides: contextvars.ContextVar[_Overrides] = contextvars.ContextVar(
    "geospacexr_config_overrides",
    default=_Overrides(),  # noqa: B039  (a frozen dataclass holding a tuple: immutable)
)


def reload() -> Config:
    """Re-read the TOML file and the environment and return the new configuration.

    The file and the environment are shared by the whole process; the overrides of the calling
    context (:func:`override`) stay in force on top of them.

    Raises:
        ConfigError: If the file or an environment variable is invalid.
    """
    global _base, _base_layers, _generation
    layers = [_read_file(config_file()), _read_env()]
    base = _build(layers)
    with _lock:
        _base_layers, _base, _generation = layers, base, _generation + 1
    return get()


def get() -> Config:
    """Return the effective configuration (read once, then cached; see :func:`reload`).

    The result includes the overrides of the calling context only: the ``with``
    :func:`override` blocks entered in this thread, asyncio task or Panel session.

    Raises:
        ConfigError: If the file or an environment variable is invalid.
    """
    base = _base
    if base is None:
        return reload()
    state = _overrides.get()
    if not state.layers:
        return base
    with _lock:
        layers, generation = list(_base_layers), _generation
    if state.config is not None and state.generation == generation:
        return state.config
    cfg = _build([*layers, *state.layers])
    _overrides.set(_Overrides(state.layers, generation, cfg))  # cached for this context only
    return cfg


def resolve(value: Any, key: str) -> Any:
    """Return ``value`` if it is not ``None``, else the configured default for ``key``.

    This is how explicit function arguments take precedence over the configuration.

    Args:
        value: The caller's argument, or ``None``.
        key: Dotted key such as ``"asi.min_elevation"``.

    Returns:
        The value to use.
    """
    if value is not None:
        return value
    if key == "paths.sample_dir":
        return get().sample_dir
    return get().get(key)


def overrides() -> dict[str, Any]:
    """The settings overridden in the calling context, as ``{"section.key": value}``.

    Hand them to work that runs elsewhere (a process, a dask worker) and re-enter them there
    with :func:`override`, so the work sees the caller's settings
    (:func:`geospacexr.plot.movie.render_frames` does this for movie frames).

    Returns:
        The effective overridden values (an inner block's value wins).
    """
    out: dict[str, Any] = {}
    for layer in _overrides.get().layers:
        for (section, key), (value, _) in layer.items():
            out[f"{section}.{key}"] = value
    return out


@contextlib.contextmanager
def override(settings: Mapping[str, Any]) -> Iterator[Config]:
    """Temporarily change settings (for a block of code, a test or a notebook cell).

    The change is seen only in the calling context: inside the ``with`` block, by the code it
    calls and by asyncio tasks created there, never by other threads, other tasks or other
    Panel sessions (the layers live in a :class:`contextvars.ContextVar`). A thread started
    inside the block starts without it (threads begin with an empty context); to hand the
    override to a worker, run it with ``contextvars.copy_context().run``.

    Args:
        settings: ``{"section.key": value}``; values are type- and range-checked like the TOML
            file's.

    Yields:
        The configuration in force inside the block.

    Raises:
        ConfigError: On an unknown key, a value of the wrong type or outside the key's range.
    """
    schema = _schema()
    layer = {}
    for dotted, value in settings.items():
        section, _, key = dotted.partition(".")
        if (section, key) not in schema:
            raise ConfigError(f"unknown key; known keys: {', '.join(keys())}", key=dotted)
        layer[(section, key)] = (validate(dotted, value, source="override"), "override")
    reload()  # the file and the environment as they are now, as on entering before
    token = _overrides.set(_Overrides((*_overrides.get().layers, layer)))
    try:
        yield get()
    finally:
        _overrides.reset(token)
        reload()  # as before: leaving a block re-reads the file and the environment


def make_folder(path: str | os.PathLike[str], key: str = "paths.cache_dir") -> Path:
    """Create a folder the configuration chose (and its parents), or say which key to change.

    Args:
        path: The folder (under ``paths.cache_dir``, ``paths.sample_dir``...).
        key: The configuration key the folder comes from, named in the message.

    Returns:
        The folder, as a :class:`~pathlib.Path`.

    Raises:
        ConfigError: If the folder cannot be created or is not writable (a read-only file
            system, a file in the way, no permission); the message names the folder, the
            reason, the key and where the key's value was set.
    """
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(f"[Errno {errno.EACCES}] Permission denied: {str(folder)!r}")
    except (OSError, ValueError) as exc:
        cfg = get()
        if key == "paths.sample_dir" and cfg.paths.sample_dir is None:
            key = "paths.cache_dir"  # the sample folder is <paths.cache_dir>/samples
        source = cfg.sources.get(key, "default")
        raise ConfigError(
            f"cannot create or write the folder {folder} ({exc}); set {key} to a writable "
            f"folder (GEOSPACEXR_{key.replace('.', '_').upper()}=... or the [{key.split('.')[0]}] "
            "table of the configuration file)",
            source=source,
            key=key,
        ) from None
    return folder


def describe(cfg: Config | None = None) -> str:
    """Return a text table of every setting, its value and where it came from.

    Args:
        cfg: The configuration to describe (default: the effective one).

    Returns:
        The table, one line per key, preceded by the configuration file path.
    """
    cfg = cfg or get()
    path = config_file()
    lines = [f"# configuration file: {path} ({'found' if path.exists() else 'not present'})"]
    values = cfg.as_dict()
    values["paths.sample_dir"] = cfg.sample_dir
    width = max(len(k) for k in values)
    for key, value in values.items():
        if value and _fields()[tuple(key.split(".", 1))].metadata.get("secret"):
            value = "(set, not shown)"  # an API key
        lines.append(f"{key:<{width}}  {value!s:<48}  [{cfg.sources.get(key, 'default')}]")
    return "\n".join(lines)
