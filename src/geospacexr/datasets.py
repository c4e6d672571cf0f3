"""Sample data: deterministic generators that write files in the instruments' real formats.

Each sample is registered under a lower-case ``<model-or-instrument>-<detail>`` name. The first
call to :func:`sample_path` runs its seeded generator into the configured sample folder
(``paths.sample_dir``, by default ``<cache_dir>/samples``) and records every file's SHA-256 in a
``manifest.json``; later calls reuse the files after checking them against the manifest. A cache
file that was truncated or altered is detected, reported with a
:class:`~geospacexr.errors.DataWarning` and regenerated; only a failed regeneration is an error.

Because the files are written in the real on-disk format (gzipped multi-frame PGM for THEMIS...),
opening a sample exercises exactly the reader a user's own files go through.

Example:
    >>> from geospacexr import datasets
    >>> datasets.list_samples()                  # doctest: +SKIP
    ['themis-gill']
    >>> ds = datasets.open_sample("themis-gill")   # doctest: +SKIP

The sample registry speaks the common dialect (:mod:`geospacexr._registry`):
:func:`register_sample` (a decorator on the generator), :func:`list_samples` (``details=True``
for one dict per sample), and an unknown name raises
:class:`~geospacexr.errors.UnknownSampleError` (both an
:class:`~geospacexr.errors.UnknownNameError` and a :class:`~geospacexr.errors.SampleDataError`).
Contract of a sample: ``generate(folder: Path) -> list[str]`` writes the files (deterministic,
seeded) and returns their names relative to ``folder``; ``opener(path, **kwargs)`` opens what
:func:`sample_path` returns with the reader real files of that kind go through.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import config
from ._caches import BoundedCache
from ._registry import Registry
from ._synth import asi as _synth_asi
from ._synth import gcm as _synth_gcm
from ._synth import rb as _synth_rb
from ._synth import spectrograph as _synth_spect
from .errors import DataWarning, InvalidArgumentError, SampleDataError, UnknownSampleError
from .io.atomic import atomic_write, interprocess_lock, part_prefix, remove_stale_parts, umask

__all__ = [
    "Sample",
    "list_samples",
    "open_sample",
    "register_sample",
    "sample_info",
    "sample_path",
    "verify_sample",
    "wide_simd_features",
]

MANIFEST = "manifest.json"
#: How the samples' numbers are made, recorded in every manifest: numpy's kernels without
#: AVX-512 (:func:`wide_simd_features`). A cached sample whose manifest says otherwise (or
#: nothing: caches made before the scheme existed, e.g. with AVX-512 kernels) is regenerated, so
#: an old cache can never hand the tests bytes that differ in the last bit from the recorded ones.
ARITHMETIC = "numpy-without-avx512"


@dataclass(frozen=True)
class Sample:
    """A registered sample dataset.

    Attributes:
        name: Lower-case ``<model-or-instrument>-<detail>`` name.
        kind: ``geospacexr_kind`` of the opened Dataset.
        description: One line for listings.
        generate: ``generate(folder) -> list[str]`` writes the files, returns their names.
        opener: ``opener(path) -> Dataset`` opens what :func:`sample_path` returns.
        version: Bumped when the generator changes, so stale caches are rebuilt.
        single_file: If true, :func:`sample_path` returns the one file instead of the folder.
    """

    name: str
    kind: str
    description: str
    generate: Callable[[Path], list[str]]
    opener: Callable[[Path], Any]
    version: int = 1
    single_file: bool = False


#: The samples by name.
_SAMPLES: Registry[Sample] = Registry("sample", error=UnknownSampleError)


def register_sample(
    name: str,
    *,
    kind: str,
    description: str,
    opener: Callable[[Path], Any],
    version: int = 1,
    single_file: bool = False,
) -> Callable[[Callable[[Path], list[str]]], Callable[[Path], list[str]]]:
    """Register a sample generator (decorator).

    Args:
        name: Sample name (lower case, ``<model-or-instrument>-<detail>``).
        kind: ``geospacexr_kind`` of the opened Dataset.
        description: One line for listings.
        opener: Opens the sample path.
        version: Generator version (bump to invalidate caches).
        single_file: Whether the sample is one file.

    Returns:
        The decorator.

    Raises:
        InvalidArgumentError: If the name is not lower case or is already registered (a
            ``ValueError``).
    """
    if not re.fullmatch(r"[a-z0-9_]+(-[a-z0-9_.]+)*", name):
        raise InvalidArgumentError(
            f"sample names are lower-case '<model-or-instrument>[-<detail>]', not {name!r}",
            argument="name",
        )

    def decorator(func: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
        if name in _SAMPLES:
            raise InvalidArgumentError(f"sample {name!r} is already registered", argument="name")
        _SAMPLES.add(name, Sample(name, kind, description, func, opener, version, single_file))
        return func

    return decorator


def list_samples(details: bool = False) -> list[str] | list[dict[str, Any]]:
    """List the registered samples.

    Args:
        details: If true, one dict per sample instead of its name.

    Returns:
        Sorted names; with ``details``, dicts with ``name``, ``description``, ``kind``,
        ``version`` and ``single_file``.

    Example:
        >>> "themis-gill" in list_samples()
        True
    """
    return _SAMPLES.listing(
        details,
        lambda s: {
            "name": s.name,
            "description": s.description,
            "kind": s.kind,
            "version": s.version,
            "single_file": s.single_file,
        },
    )


def sample_info(name: str) -> Sample:
    """Return the :class:`Sample` registered as ``name``.

    Args:
        name: Sample name.

    Returns:
        The registry entry.

    Raises:
        UnknownSampleError: If no sample has that name (a
            :class:`~geospacexr.errors.SampleDataError`; close matches are suggested).
    """
    return _SAMPLES[name]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_verified: BoundedCache[str] = BoundedCache(
    "datasets.file_hashes", "cache.file_hashes", "SHA-256 of sample files, by path, size and mtime"
)


def _hash_cached(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    digest = _verified.get(key)
    if digest is None:
        digest = _sha256(path)
        _verified.put(key, digest)
    return digest


def verify_sample(name: str, folder: Path | None = None) -> list[str]:
    """Check a generated sample against its manifest.

    Args:
        name: Sample name.
        folder: Where it lives (default: the configured sample folder).

    Returns:
        The problems found; empty when every file is present and intact. A sample never
        generated returns ``["not generated"]``.
    """
    sample = sample_info(name)
    folder = folder or Path(config.get().sample_dir) / name
    manifest = folder / MANIFEST
    if not manifest.exists():
        return ["not generated"]
    try:
        record = json.loads(manifest.read_text())
        files = record["files"]
        version = record["version"]
    except (ValueError, KeyError, TypeError, OSError) as exc:
        return [f"unreadable manifest ({exc})"]
    if version != sample.version:
        return [f"made by generator version {version}, current is {sample.version}"]
    arithmetic = record.get("arithmetic")
    if arithmetic != ARITHMETIC:
        return [f"made by generator arithmetic {arithmetic!r}, current is {ARITHMETIC!r}"]
    problems = []
    for rel, info in files.items():
        path = folder / rel
        if not path.exists():
            problems.append(f"{rel} is missing")
        elif path.stat().st_size != info["size"]:
            problems.append(
                f"{rel} has {path.stat().st_size} bytes, expected {info['size']} (truncated?)"
            )
        elif _hash_cached(path) != info["sha256"]:
            problems.append(f"{rel} does not match its recorded SHA-256 (corrupted)")
    return problems


def wide_simd_features() -> list[str]:
    """The AVX-512 kernels of numpy active in this process (none on other CPUs and builds).

    numpy picks its ``exp``/``log``/``sin``/``power`` kernels at run time by CPU; the AVX-512
    ones round a few results differently in the last bit from the AVX2 ones. The samples are
    generated without them (:func:`_run_generator`), so every x86-64 machine makes the same
    bytes and the recorded reference numbers in the tests hold everywhere.

    Returns:
        The names of the active AVX-512 features, as ``NPY_DISABLE_CPU_FEATURES`` takes them.
    """
    try:
        from numpy._core import _multiarray_umath as umath
    except ImportError:  # numpy 1.x
        from numpy.core import _multiarray_umath as umath
    dispatch = getattr(umath, "__cpu_dispatch__", ())
    features = getattr(umath, "__cpu_features__", {})
    # only the dispatch targets the build has and that are on: NPY_DISABLE_CPU_FEATURES turns
    # exactly those off (the CPU's individual AVX-512 flags stay reported)
    return sorted(
        name for name in dispatch if features.get(name) and ("AVX512" in name or name == "X86_V4")
    )


#: Runs one built-in sample's generator in a child process, printing the files it wrote.
_CHILD_GENERATOR = (
    "import json, sys; from pathlib import Path; from geospacexr import datasets; "
    "print(json.dumps(datasets.sample_info(sys.argv[1]).generate(Path(sys.argv[2]))))"
)


def _run_generator(sample: Sample, tmp: Path) -> list[str]:
    """Run a sample's generator into ``tmp``, the same bytes on every x86-64 machine.

    Where numpy's AVX-512 kernels are active (:func:`wide_simd_features`), a built-in sample is
    generated in a child Python with them disabled (``NPY_DISABLE_CPU_FEATURES``); samples
    registered at run time, and every sample on other machines, are generated here.
    """
    features = wide_simd_features()
    if not features or sample.name not in _BUILTIN:
        return list(sample.generate(tmp))
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": " ".join(features)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD_GENERATOR, sample.name, str(tmp)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise SampleDataError(f"the generator of {sample.name!r} failed in its process: {tail}")
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def _generate(sample: Sample, folder: Path) -> None:
    config.make_folder(folder.parent, "paths.sample_dir")  # ConfigError naming the key if not
    # A generator killed half-way leaves its temporary folder behind: the next generation of the
    # same sample removes those of dead processes (their names carry host and process id).
    remove_stale_parts(folder, directories=True)
    tmp = Path(tempfile.mkdtemp(prefix=part_prefix(folder), suffix=".part", dir=folder.parent))
    try:
        names = _run_generator(sample, tmp)
        files = {}
        for rel in names:
            p = tmp / rel
            files[rel] = {"sha256": _sha256(p), "size": p.stat().st_size}
        with atomic_write(tmp / MANIFEST, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "name": sample.name,
                    "version": sample.version,
                    "arithmetic": ARITHMETIC,
                    "files": files,
                },
                fh,
                indent=1,
            )
        os.chmod(tmp, 0o777 & ~umask())
        old = None
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            os.replace(folder, old)
        os.replace(tmp, folder)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except Exception as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise SampleDataError(
            f"could not generate sample {sample.name!r} into {folder}: {exc}"
        ) from exc


def _lock_file(folder: Path) -> Path:
    """The lock file of the sample in ``folder``, beside it (hidden; removed when released)."""
    return folder.with_name(f".{folder.name}.lock")


def sample_path(name: str, generate: bool = True) -> Path:
    """Return the path of a sample: its single file, or the folder holding its files.

    The sample is generated on first use and regenerated (with a warning) when a cached file
    is missing, truncated or corrupted. The check and the generation hold a lock of the sample
    (:func:`geospacexr.io.atomic.interprocess_lock` on ``.<name>.lock`` in the sample folder), so
    processes asking for the same sample at the same moment (two notebooks, parallel test
    workers) make it once: the others wait and then use it.

    Args:
        name: Sample name (see :func:`list_samples`).
        generate: Generate or repair the sample if needed (else raise).

    Returns:
        The file (single-file samples) or folder.

    Raises:
        SampleDataError: If the name is unknown, or the sample is missing and ``generate`` is
            false, or generation fails.
    """
    sample = sample_info(name)
    folder = Path(config.get().sample_dir) / name
    problems = verify_sample(name, folder)
    if problems:
        if not generate:
            raise SampleDataError(f"sample {name!r} in {folder}: {'; '.join(problems)}")
        config.make_folder(folder.parent, "paths.sample_dir")  # ConfigError naming the key if not
        # check and generate under a lock of this sample: another process (a second notebook, a
        # test worker) asking at the same moment waits, then finds the sample made
        with contextlib.ExitStack() as held:
            try:
                held.enter_context(interprocess_lock(_lock_file(folder)))
            except OSError as exc:  # a read-only sample folder holding a damaged sample
                raise SampleDataError(
                    f"could not generate sample {name!r} into {folder}: cannot lock it ({exc})"
                ) from exc
            problems = verify_sample(name, folder)
            if problems:
                if problems != ["not generated"] and not problems[0].startswith(
                    "made by generator"
                ):
                    warnings.warn(
                        f"sample {name!r} in {folder} is damaged ({'; '.join(problems)}); "
                        "regenerating it",
                        DataWarning,
                        stacklevel=2,
                    )
                _generate(sample, folder)
                problems = verify_sample(name, folder)
        if problems:  # pragma: no cover - a generator writing inconsistent files
            raise SampleDataError(
                f"sample {name!r} is still invalid after regeneration: {problems}"
            )
    if sample.single_file:
        record = json.loads((folder / MANIFEST).read_text())
        return folder / next(iter(record["files"]))
    return folder


def open_sample(name: str, **kwargs: Any) -> Any:
    """Open a sample with the reader its real-format files need.

    Args:
        name: Sample name.
        **kwargs: Passed to the reader.

    Returns:
        The standard Dataset.
    """
    sample = sample_info(name)
    return sample.opener(sample_path(name), **kwargs)


def _open_asi_folder(path: Path, **kwargs: Any) -> Any:
    from .io.asi import open_asi

    files = sorted(p for p in Path(path).iterdir() if p.name != MANIFEST)
    return open_asi(files, **kwargs)


# ---------------------------------------------------------------------------------------------
# The registered samples (generators live in geospacexr._synth)
# ---------------------------------------------------------------------------------------------

register_sample(
    "themis-gill",
    kind="asi",
    description="THEMIS ASI Gillam, 3 one-minute gzipped PGM files (60 frames, 256x256), "
    "an auroral arc drifting equatorward",
    opener=_open_asi_folder,
    version=2,  # version 2: the geographic arc shared with the neighbouring sites
)(_synth_asi.themis_generator("gill", "2014-03-10T06:00", minutes=3, seed=20140310))


def _clear_memo() -> None:
    """Forget cached file hashes (tests that damage cache files call this)."""
    _verified.clear()


register_sample(
    "trex_rgb-gill",
    kind="asi",
    description="TREx RGB Gillam nominal data: 2 one-minute HDF5 files, 20 frames each, 553x480",
    opener=_open_asi_folder,
    version=2,  # version 1 was the PNG burst data, now trex_rgb-gill-burst
)(
    _synth_asi.trex_rgb_h5_generator(
        "gill", "2021-10-30T06:05", minutes=2, per_minute=20, seed=20211031
    )
)

register_sample(
    "trex_rgb-gill-burst",
    kind="asi",
    description="TREx RGB Gillam burst data: 2 one-minute PNG tar files, 6 frames each, 553x480",
    opener=_open_asi_folder,
)(_synth_asi.trex_rgb_generator("gill", "2021-10-30T06:05", minutes=2, per_minute=6, seed=20211030))


register_sample(
    "rego-gill",
    kind="asi",
    description="REGO (630.0 nm) Gillam, 2 one-minute gzipped PGM files (40 frames, 512x512)",
    opener=_open_asi_folder,
)(_synth_asi.rego_generator("gill", "2014-03-10T06:00", minutes=2, seed=6300))


def _open_calibrations(path: Path, **kwargs: Any) -> Any:
    from .io.calibration import open_calibration

    return {f.name: open_calibration(f) for f in sorted(Path(path).glob("*.sav"))}


register_sample(
    "rego-calibration",
    kind="calibration",
    description="REGO Rayleighs and flat-field calibration files for rego-gill (IDL .sav); "
    "open_sample returns {file name: Dataset}",
    opener=_open_calibrations,
)(_synth_asi.rego_calibration_generator("15651", "20140101", rayleighs=13.22))


def _open_skymap_file(path: Path, **kwargs: Any) -> Any:
    from .io.skymap import open_skymap

    return open_skymap(path, **kwargs)


register_sample(
    "themis-gill-skymap",
    kind="skymap",
    description="THEMIS ASI Gillam skymap (IDL .sav), valid from 2014-01-01, for themis-gill",
    opener=_open_skymap_file,
    single_file=True,
)(_synth_asi.themis_skymap_generator("gill", "2014010100"))


for _site, _seed in (("rank", 62828), ("snkq", 56536), ("tpas", 53994)):
    register_sample(
        f"themis-{_site}",
        kind="asi",
        description=f"THEMIS ASI {_synth_asi.THEMIS_SITES[_site]['name']}, 3 one-minute PGM files "
        "(60 frames) at the same times as themis-gill, seeing the same geographic arc",
        opener=_open_asi_folder,
    )(_synth_asi.themis_generator(_site, "2014-03-10T06:00", minutes=3, seed=_seed))
    register_sample(
        f"themis-{_site}-skymap",
        kind="skymap",
        description=f"THEMIS ASI {_synth_asi.THEMIS_SITES[_site]['name']} skymap (IDL .sav)",
        opener=_open_skymap_file,
        single_file=True,
    )(_synth_asi.themis_skymap_generator(_site, "2014010100"))


register_sample(
    "smile-atha",
    kind="asi",
    description="SMILE ASI Athabasca (smile-31), 512x512 8-bit RGB HDF5: 2 minute files and "
    "one minute of single-frame files, 5 frames a minute (15 frames), an auroral arc "
    "drifting equatorward",
    opener=_open_asi_folder,
)(
    _synth_asi.smile_generator(
        "atha", "2025-03-15T06:00", minutes=2, per_minute=5, seed=20250315, single_frame_minutes=1
    )
)

register_sample(
    "smile-atha-skymap",
    kind="skymap",
    description="SMILE ASI Athabasca skymap (IDL .sav, 512x512), valid from 2024-11-03, "
    "for smile-atha",
    opener=_open_skymap_file,
    single_file=True,
)(_synth_asi.smile_skymap_generator("atha", "2024110300"))


register_sample(
    "trex_nir-gill",
    kind="asi",
    description="TREx NIR (844.6 nm) Gillam (nir-216), 3 one-minute gzipped PGM files "
    "(30 frames every 6 s, 256x256), an auroral arc drifting equatorward",
    opener=_open_asi_folder,
)(_synth_asi.trex_nir_generator("gill", "2022-03-07T06:00", minutes=3, seed=20220307))

register_sample(
    "trex_nir-gill-skymap",
    kind="skymap",
    description="TREx NIR Gillam skymap (IDL .sav, 256x256), valid from 2022-03-01, "
    "for trex_nir-gill",
    opener=_open_skymap_file,
    single_file=True,
)(_synth_asi.trex_nir_skymap_generator("gill", "2022030100"))

register_sample(
    "trex_blue-gill",
    kind="asi",
    description="TREx Blueline (427.8 nm) Gillam (blue-814), 2 one-minute gzipped PGM files "
    "(40 frames every 3 s, 320 wide x 270 high), an auroral arc drifting equatorward",
    opener=_open_asi_folder,
)(_synth_asi.trex_blue_generator("gill", "2022-03-08T06:00", minutes=2, seed=20220308))

register_sample(
    "trex_blue-gill-skymap",
    kind="skymap",
    description="TREx Blueline Gillam skymap (IDL .sav, 320x270), valid from 2022-03-01, "
    "for trex_blue-gill",
    opener=_open_skymap_file,
    single_file=True,
)(_synth_asi.trex_blue_skymap_generator("gill", "2022030100"))


def _open_grid_file(path: Path, **kwargs: Any) -> Any:
    from .io.asigrid import open_asi_grid

    return open_asi_grid(path, **kwargs)


register_sample(
    "themis-grid",
    kind="asi_grid",
    description="THEMIS ASI grid file (MOSv001 HDF5): the four sample sites, 110 km, 5 frames",
    opener=_open_grid_file,
    single_file=True,
)(_synth_asi.themis_grid_generator(("gill", "rank", "snkq", "tpas"), "2014-03-10T06:00", frames=5))


def _open_gcm_folder(path: Path, **kwargs: Any) -> Any:
    from .io.gcm import open_gcm

    path = Path(path)
    return open_gcm(path if path.is_file() else sorted(path.glob("*.nc")), **kwargs)


register_sample(
    "tiegcm-5deg",
    kind="gcm",
    description="TIE-GCM 5 degree run, 2003-03-21: primary (hourly, float64) and secondary "
    "(half-hourly, float32) histories",
    opener=_open_gcm_folder,
)(_synth_gcm.tiegcm_generator(5.0, run="tiegcm_5deg"))

register_sample(
    "tiegcm-2.5deg",
    kind="gcm",
    description="TIE-GCM 2.5 degree run, 2003-03-21: one secondary history (float32), two times",
    opener=_open_gcm_folder,
)(_synth_gcm.tiegcm_generator(2.5, run="tiegcm_2p5deg", primary=False))

register_sample(
    "tiegcm-control",
    kind="gcm",
    description="TIE-GCM 5 degree control run (quiet), the reference of tiegcm-storm",
    opener=_open_gcm_folder,
)(_synth_gcm.tiegcm_generator(5.0, run="control"))

register_sample(
    "tiegcm-storm",
    kind="gcm",
    description="TIE-GCM 5 degree storm run: tiegcm-control with high-latitude heating, "
    "winds and O/N2 depletion",
    opener=_open_gcm_folder,
)(_synth_gcm.tiegcm_generator(5.0, storm=1.0, run="storm"))

register_sample(
    "tiegcm-1.94",
    kind="gcm",
    description="TIE-GCM 5 degree primary history in the tiegcm1.94 layout of NCAR's published "
    "listing (3-column mtime, time in minutes, no HE/N2, Z without ZG, mag(latlon, latlon), "
    "Kp 1e36), 2003-03-21, two hourly times",
    opener=_open_gcm_folder,
)(_synth_gcm.tiegcm194_generator())

register_sample(
    "waccmx",
    kind="gcm",
    description="WACCM-X 4x5 degree CAM history, 88 hybrid levels to 4e-10 hPa, two hourly times",
    opener=_open_gcm_folder,
    single_file=True,
    version=2,  # version 2: atomic oxygen falling off below 100 km (mesospheric layers)
)(_synth_gcm.waccmx_generator())


def _waccmx_cesm2(folder: Path) -> list[str]:
    from ._synth import cesm

    return cesm.cesm2_generator()(folder)


register_sample(
    "waccmx-cesm2",
    kind="gcm",
    description="WACCM-X as CESM2 writes it (CCMC's layout): an instantaneous hourly h1 and a "
    "daily-mean h0 history (time_bnds), 2020-03-01 on the noleap calendar, 4x5 degrees with "
    "both poles, 130 hybrid levels, terrain (PHIS), fields on the geomagnetic grid",
    opener=_open_gcm_folder,
)(_waccmx_cesm2)


def _open_netcdf(path: Path, **kwargs: Any) -> Any:
    import xarray as xr

    with xr.open_dataset(path, **kwargs) as ds:
        return ds.load()


register_sample(
    "rb-particles",
    kind="particles",
    description="40 radiation-belt particles (SM positions 2.5-7 Re, local pitch angles, "
    "energies 0.1-5 MeV) at 2017-09-01T12:00",
    opener=_open_netcdf,
    single_file=True,
)(_synth_rb.particles_generator())

register_sample(
    "t96-grid",
    kind="bfield",
    description="Dipole + T96 (Pdyn 2 nPa, Dst -20 nT, IMF By 0, Bz -2 nT, zero tilt) on a "
    "rectilinear GSM grid (0.25 Re near the Earth), the layout of MHD output",
    opener=_open_netcdf,
    single_file=True,
)(_synth_rb.t96_grid_generator())


def _superdarn_fitacf(folder: Path) -> list[str]:
    from ._synth import superdarn

    return superdarn.fitacf_generator()(folder)


def _open_superdarn_file(path: Path, **kwargs: Any) -> Any:
    from .io.dmap import open_superdarn

    return open_superdarn(path, **kwargs)


register_sample(
    "superdarn-fitacf",
    kind="superdarn",
    description="SuperDARN Saskatoon FITACF 3.0, 2019-03-01 04-06 UT: 1-min 16-beam scans, "
    "75 gates, ground scatter near the radar, F-region echoes drifting with a two-cell "
    "convection pattern (bzip2 DMAP, written by geospacexr.superdarn.write)",
    opener=_open_superdarn_file,
    single_file=True,
)(_superdarn_fitacf)


# MAGE (GAMERA + ReMIX) samples: generators in geospacexr._synth.mage


def _mage(kind: str) -> Callable[[Path], list[str]]:
    def generate(folder: Path) -> list[str]:
        from ._synth import mage

        if kind == "remix":
            return mage.remix_generator()(folder)
        return mage.gamera_generator(mpi=kind == "mpi")(folder)

    return generate


def _open_gamera_path(path: Path, **kwargs: Any) -> Any:
    from .io.mage import open_gamera

    return open_gamera(path, **kwargs)


def _open_remix_path(path: Path, **kwargs: Any) -> Any:
    from .io.mage import open_remix

    return open_remix(path, **kwargs)


_MAGE_RUN = (
    "a small MAGE run, 4 one-minute steps from 2017-09-04T06:00: a 32x16x32 LFM-like grid "
    "(2 R_E to 25 R_E sunward, 60 R_E tailward), a dipole compressed on the dayside (image "
    "dipole, magnetopause 10.5 to 9 R_E) and stretched on the nightside (cross-tail current "
    "sheet), a plasma sheet, CODE units"
)
register_sample(
    "mage-msphere",
    kind="mhd",
    description=f"GAMERA serial output (msphere.gam.h5) of {_MAGE_RUN}",
    opener=_open_gamera_path,
    single_file=True,
)(_mage("serial"))
register_sample(
    "mage-msphere-mpi",
    kind="mhd",
    description="the mage-msphere run as a 2x2x1 MPI decomposition "
    "(msphere_0002_0002_0001_i_j_0000.gam.h5)",
    opener=_open_gamera_path,
)(_mage("mpi"))
register_sample(
    "mage-remix",
    kind="ionosphere",
    description="ReMIX output (msphere.mix.h5) of the mage-msphere run: region 1/2 currents, "
    "a two-cell potential (60 kV north, 52 kV south), conductances and precipitation in the "
    "oval, both hemispheres on a 45x90 grid to 45 degrees colatitude",
    opener=_open_remix_path,
    single_file=True,
)(_mage("remix"))


def _swmf_idl(folder: Path) -> list[str]:
    from ._synth import mhd_files

    return mhd_files.swmf_generator()(folder)


def _open_swmf_sample(path: Path, **kwargs: Any) -> Any:
    from ._synth.mhd_files import SWMF_3D
    from .io.swmf import open_swmf

    return open_swmf(Path(path) / SWMF_3D if Path(path).is_dir() else path, **kwargs)


register_sample(
    "swmf-idl",
    kind="mhd",
    description="SWMF / BATS-R-US IDL plot files of an analytic magnetosphere (dipole + uniform "
    "compression + day-night stretching, see geospacexr._synth.mhd_files): a 3-D block-adaptive "
    "file (little-endian single precision), a y=0 cut in ASCII and a two-frame z=0 .outs "
    "(big-endian double precision)",
    opener=_open_swmf_sample,
    version=2,  # r^5 without pow (the same bytes on every machine)
)(_swmf_idl)


def _lfm_hdf(folder: Path) -> list[str]:
    from ._synth import mhd_files

    return mhd_files.lfm_generator()(folder)


def _open_lfm_file(path: Path, **kwargs: Any) -> Any:
    from .io.lfm import open_lfm

    return open_lfm(path, **kwargs)


register_sample(
    "lfm-hdf",
    kind="mhd",
    description="LFM HDF4 step (pyLTR's layout: corner grid in cm stored k,j,i, cgs fields) of "
    "the same analytic magnetosphere as swmf-idl on a 20x14x20 grid about the x axis "
    "(generating it needs pyhdf: pip install 'geospacexr[lfm]')",
    opener=_open_lfm_file,
    single_file=True,
    version=2,  # r^5 without pow (the same bytes on every machine)
)(_lfm_hdf)


def _open_spectrograph_folder(path: Path, **kwargs: Any) -> Any:
    from .io.spectrograph import open_spect_l1, open_spect_raw, open_spect_skymap

    folder = Path(path)
    return {
        "raw": open_spect_raw(sorted(folder.glob("*_spectra*.pgm.gz")), **kwargs),
        "l1": open_spect_l1(sorted(folder.glob("*.h5")), **kwargs),
        "skymap": open_spect_skymap(sorted(folder.glob("spect_skymap_*.sav"))),
    }


register_sample(
    "trex_spect-rabb",
    kind="spectrograph",
    description="TREx spectrograph Rabbit Lake: 3 one-minute raw PGM files (15 s, 1024x256), "
    "a dark file, the hour's L1 HDF5 (12 spectra, R/nm) and the slit skymap; lines of known "
    "brightness (geospacexr._synth.spectrograph.line_brightness) on a flat continuum; "
    "open_sample returns {'raw', 'l1', 'skymap'}",
    opener=_open_spectrograph_folder,
)(_synth_spect.spectrograph_generator("rabb", "2021-02-15T06:00", minutes=3, seed=20210215))


# Riometer samples: generators in geospacexr._synth.riometer


def _norstar_rio(folder: Path) -> list[str]:
    from ._synth import riometer

    return riometer.norstar_generator()(folder)


def _swan_hsr(folder: Path) -> list[str]:
    from ._synth import riometer

    return riometer.hsr_generator()(folder)


def _open_riometer_path(path: Path, **kwargs: Any) -> Any:
    from .io.riometer import open_riometer

    return open_riometer(path, **kwargs)


register_sample(
    "norstar_rio-gill",
    kind="riometer",
    description="NORSTAR riometer Gillam, 2014-03-08 to 10: K0 and K2 daily text files (5 s), "
    "a known sidereal quiet-day curve with absorption events (one at 06:02 UT on 2014-03-10, "
    "the night of themis-gill and rego-gill), receiver noise and a burst of interference "
    "(geospacexr._synth.riometer)",
    opener=_open_riometer_path,
    version=2,  # version 1 covered 2007-04-02 to 04 (seed 2007), a night no ASI sample shows
)(_norstar_rio)
register_sample(
    "swan_hsr-mean",
    kind="riometer",
    description="SWAN hyperspectral riometer, one day (2024-02-03, 1 s, 8 bands 20-55 MHz) of "
    "K0 HDF5: the known quiet-day curve per band and absorption events scaling as f^-2",
    opener=_open_riometer_path,
    single_file=True,
)(_swan_hsr)


# OMNI samples: generators in geospacexr._synth.omni


def _omni_hourly(folder: Path) -> list[str]:
    from ._synth import omni

    return omni.write_hourly(folder)


def _omni_minute(folder: Path) -> list[str]:
    from ._synth import omni

    return omni.write_minute(folder)


def _open_omni_path(path: Path, **kwargs: Any) -> Any:
    from .io.omni import open_omni

    return open_omni(path, **kwargs)


register_sample(
    "omni-hourly",
    kind="omni",
    description="OMNI2 hourly ASCII (omni2_2015.dat layout, 55 words), 2015-03-16 to 18: a "
    "shock, 12 h of southward IMF (Bz to -18 nT) and Dst to about -200 nT from the Burton "
    "equation (geospacexr._synth.omni)",
    opener=_open_omni_path,
    single_file=True,
)(_omni_hourly)
register_sample(
    "omni-1min",
    kind="omni",
    description="High-resolution OMNI 1-min ASCII (omni_min_201503.asc layout, 46 words), the "
    "storm's main day 2015-03-17, with a 15-min plasma gap (fills) and SYM-H",
    opener=_open_omni_path,
    single_file=True,
)(_omni_minute)


def _qindenton_5min(folder: Path) -> list[str]:
    from ._synth import qindenton

    return qindenton.write_5min(folder)


def _open_qindenton_path(path: Path, **kwargs: Any) -> Any:
    from .io.qindenton import open_qindenton

    return open_qindenton(path, **kwargs)


register_sample(
    "qindenton-5min",
    kind="omni",
    description="Qin-Denton 5-min file (QinDenton_20150317_5min.txt layout: JSON header, 44 "
    "words) of the OMNI sample storm's main day, with the TS05 W1..W6 computed from its 5-min "
    "solar wind (geospacexr.rb.wparams) and G1..G3",
    opener=_open_qindenton_path,
    single_file=True,
)(_qindenton_5min)


def _ts05_yearly(folder: Path) -> list[str]:
    from ._synth import qindenton

    return qindenton.write_ts05_yearly(folder)


def _open_ts05_yearly_path(path: Path, **kwargs: Any) -> Any:
    from .io.qindenton import open_ts05_yearly

    return open_ts05_yearly(path, **kwargs)


register_sample(
    "ts05-yearly",
    kind="omni",
    description="Tsyganenko's yearly TS05 input layout (2015_OMNI_5m_with_TS05_variables.dat, "
    "23 words, 5 min) for the OMNI sample storm's three days, W1..W6 from geospacexr.rb.wparams, "
    "with a filled plasma gap and an open 3-hour IMF gap (flag -1)",
    opener=_open_ts05_yearly_path,
    single_file=True,
)(_ts05_yearly)

#: The samples this module registers (generated portably by :func:`_run_generator`).
_BUILTIN = frozenset(list_samples())
