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
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import config
from .errors import DataWarning, SampleDataError
from .io.atomic import _umask, atomic_write

__all__ = [
    "Sample",
    "list_samples",
    "open_sample",
    "register_sample",
    "sample_info",
    "sample_path",
    "verify_sample",
]

MANIFEST = "manifest.json"


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


_SAMPLES: dict[str, Sample] = {}


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
        ValueError: If the name is not lower case or is already registered.
    """
    if name != name.lower() or "-" not in name:
        raise ValueError(
            f"sample names are lower-case '<model-or-instrument>-<detail>', not {name!r}"
        )

    def decorator(func: Callable[[Path], list[str]]) -> Callable[[Path], list[str]]:
        if name in _SAMPLES:
            raise ValueError(f"sample {name!r} is already registered")
        _SAMPLES[name] = Sample(name, kind, description, func, opener, version, single_file)
        return func

    return decorator


def list_samples() -> list[str]:
    """Return the names of every registered sample, sorted."""
    return sorted(_SAMPLES)


def sample_info(name: str) -> Sample:
    """Return the :class:`Sample` registered as ``name``.

    Args:
        name: Sample name.

    Returns:
        The registry entry.

    Raises:
        SampleDataError: If no sample has that name (close matches are suggested).
    """
    if name not in _SAMPLES:
        close = difflib.get_close_matches(str(name), _SAMPLES, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise SampleDataError(
            f"unknown sample {name!r}{hint} (available: {', '.join(list_samples())})"
        )
    return _SAMPLES[name]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


_verified: dict[tuple[str, int, int], str] = {}


def _hash_cached(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _verified:
        _verified[key] = _sha256(path)
    return _verified[key]


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


def _generate(sample: Sample, folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{sample.name}.", suffix=".part", dir=folder.parent))
    try:
        names = sample.generate(tmp)
        files = {}
        for rel in names:
            p = tmp / rel
            files[rel] = {"sha256": _sha256(p), "size": p.stat().st_size}
        with atomic_write(tmp / MANIFEST, "w", encoding="utf-8") as fh:
            json.dump(
                {"name": sample.name, "version": sample.version, "files": files}, fh, indent=1
            )
        os.chmod(tmp, 0o777 & ~_umask())
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


def sample_path(name: str, generate: bool = True) -> Path:
    """Return the path of a sample: its single file, or the folder holding its files.

    The sample is generated on first use and regenerated (with a warning) when a cached file
    is missing, truncated or corrupted.

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
        if problems != ["not generated"] and not problems[0].startswith("made by generator"):
            warnings.warn(
                f"sample {name!r} in {folder} is damaged ({'; '.join(problems)}); regenerating it",
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


# ---------------------------------------------------------------------------------------------
# THEMIS all-sky imager, Gillam: gzipped multi-frame 16-bit PGM, one file per UT minute.
# ---------------------------------------------------------------------------------------------

#: Real site parameters (from the files' own headers).
THEMIS_SITES: dict[str, dict[str, Any]] = {
    "gill": {"name": "Gillam", "lat": 56.3539, "lon": -94.6557, "alt": 0.0, "imager": "themis19"},
}

_THEMIS_FILE_KEYS = (
    ("Revised", "2006-05-22"),
    ("Project unique ID", "themis-gbo"),
    ("Site unique ID", "{site}"),
    ("Imager unique ID", "{imager}"),
    ("Imager model", "starlight Xpress MX716 with THEMIS all-sky optics"),
    ("Imager comment", "geospacexr sample data (synthetic)"),
    ("Ccd type", "Sony ICX249AL"),
    ("Ccd xsize", "752 pixels"),
    ("Ccd ysize", "290 pixels"),
    ("Ccd background", "3300"),
    ("Pixel depth", "16 bits"),
    ("Pixel aspect ratio", "0.5181"),
    ("Optical type", "THEMIS all-sky"),
    ("Optical projection", "a1=1.5,a3=0.0,b2=0.0,b4=0.0"),
    ("Optical center", "x0=382,y0=150"),
    ("Computer name", "{site} i686"),
    ("Operating system", "Linux 2.4.37.11"),
    ("Project unique ID", "THEMIS"),
    ("Site unique ID", "{site}"),
    ("Site name", "{name}"),
    ("Geodetic latitude", "{lat:.4f}"),
    ("Geodetic Longitude", "{lon:.4f}"),
    ("Geodetic altitude", "{alt:.1f}"),
)


def _themis_frames(minutes: int, seed: int, size: int = 256, per_minute: int = 20) -> np.ndarray:
    """Synthesise ``minutes * per_minute`` raw THEMIS frames (rows as stored in the file).

    The sky: an east-west auroral arc at 110 km drifting equatorward at about 0.8 km/s (Gaussian
    north-south profile, 20 km wide, brightness modulated along the arc), van Rhijn brightening
    towards the horizon, airglow background, fixed stars, CCD bias near 3300 counts, shot and
    read noise. The lens is an equidistant fisheye (zenith angle proportional to radius, 90
    degrees at the field-of-view edge); north is towards row 0 and east towards column 0, as
    in the raw THEMIS files.
    """
    rng = np.random.default_rng(seed)
    centre = (size - 1) / 2
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    radius = size * 0.46
    r = np.hypot(yy - centre, xx - centre)
    inside = r <= radius
    zenith = np.deg2rad(90.0 * np.clip(r / radius, 0, 1))
    azimuth = np.arctan2(centre - xx, centre - yy)  # 0 = north (row 0), 90 deg = east (col 0)
    altitude = 110.0
    ground = altitude * np.tan(np.minimum(zenith, np.deg2rad(84)))
    north_km = ground * np.cos(azimuth)
    east_km = ground * np.sin(azimuth)
    van_rhijn = 1.0 / np.sqrt(1 - (6371.0 / (6371.0 + altitude)) ** 2 * np.sin(zenith) ** 2)
    vignette = np.cos(zenith) ** 0.5
    stars = np.zeros((size, size))
    for _ in range(40):
        sy, sx = rng.uniform(0.1, 0.9, 2) * size
        stars += rng.uniform(300, 2500) * np.exp(-((yy - sy) ** 2 + (xx - sx) ** 2) / 1.2)
    n = minutes * per_minute
    frames = np.empty((n, size, size), dtype=np.uint16)
    for k in range(n):
        t = k * 60.0 / per_minute
        arc_north = 220.0 - 0.8 * t
        along = 1.0 + 0.35 * np.sin(2 * np.pi * (east_km / 300.0 + t / 90.0))
        arc = 6000.0 * along * np.exp(-0.5 * ((north_km - arc_north) / 20.0) ** 2)
        sky = (900.0 + arc) * van_rhijn * vignette + stars
        signal = np.where(inside, sky, 0.0)
        counts = 3300.0 + signal + rng.normal(0.0, 1.0, signal.shape) * np.sqrt(25.0**2 + signal)
        frames[k] = np.clip(np.rint(counts), 0, 65535).astype(np.uint16)
    return frames


def _write_themis_minute(
    path: Path, frames: np.ndarray, start: np.datetime64, site: str, seq0: int
) -> None:
    info = THEMIS_SITES[site]
    fields = {"site": site, **info}
    head = "".join(f'#"{k}" {v.format(**fields)}\n' for k, v in _THEMIS_FILE_KEYS)
    parts = []
    for i, frame in enumerate(frames):
        t_req = start + np.timedelta64(63119 + 3_000_000 * i, "us")
        t_read = t_req + np.timedelta64(985_070, "us")
        stamp = lambda t: np.datetime_as_string(t, unit="us").replace("T", " ") + " UTC"  # noqa: E731
        keys = (
            f'#"Mode unique ID" full\n#"Mode sequence number" {seq0 + i}\n#"CCD device" /dev/ccdA\n'
            '#"Exposure options" WIDTH=512 HEIGHT=256 XBIN=2 YBIN=1 XOFFSET=126 YOFFSET=22 '
            "MSEC=999\n"
            f'#"Image request start" {stamp(t_req)}\n#"Image readout start" {stamp(t_read)}\n'
            '#"Exposure plus initial readout"    985.07 ms\n'
        )
        header = (
            "P5\n" + (head if i == 0 else "") + keys + f"{frame.shape[1]} {frame.shape[0]}\n65535\n"
        )
        parts.append(header.encode("latin-1"))
        parts.append(frame.astype(">u2").tobytes())
    mtime = int((start - np.datetime64("1970-01-01T00:00:00", "s")) / np.timedelta64(1, "s"))
    with (
        atomic_write(path) as fh,
        gzip.GzipFile(
            filename=path.name.removesuffix(".gz"),
            mode="wb",
            fileobj=fh,
            mtime=mtime,
            compresslevel=6,
        ) as gz,
    ):
        gz.write(b"".join(parts))


def _themis_generator(site: str, day: str, minutes: int, seed: int) -> Callable[[Path], list[str]]:
    def generate(folder: Path) -> list[str]:
        info = THEMIS_SITES[site]
        frames = _themis_frames(minutes, seed)
        names = []
        for m in range(minutes):
            start = np.datetime64(day, "m") + np.timedelta64(m, "m")
            stamp = str(start).replace("-", "").replace(":", "").replace("T", "_")
            name = f"{stamp}_{site}_{info['imager']}_full.pgm.gz"
            _write_themis_minute(
                folder / name, frames[m * 20 : (m + 1) * 20], start, site, 2027380 + 20 * m
            )
            names.append(name)
        return names

    return generate


def _open_asi_folder(path: Path, **kwargs: Any) -> Any:
    from .io.asi import open_asi

    return open_asi(sorted(Path(path).glob("*.pgm*")), **kwargs)


register_sample(
    "themis-gill",
    kind="asi",
    description="THEMIS ASI Gillam, 3 one-minute gzipped PGM files (60 frames, 256x256), "
    "an auroral arc drifting equatorward",
    opener=_open_asi_folder,
)(_themis_generator("gill", "2014-03-10T06:00", minutes=3, seed=20140310))


def _clear_memo() -> None:
    """Forget cached file hashes (tests that damage cache files call this)."""
    _verified.clear()
