"""University of Calgary pre-computed ASI grid files (MOSv001 HDF5) as an ``asi_grid`` Dataset.

The file holds ``/data/grid`` ``(512, 1024, frames)`` (RGB: ``(512, 1024, 3, frames)``) on a
geographic grid whose row 0 is +90 degrees, ``/data/source_info/confidence`` on the same grid,
``/data/timestamp`` strings, string-valued attributes on ``/metadata/file`` and per-frame site
lists on ``/metadata/frame/frame<i>``. The reader gives both arrays with latitude ascending
(pyucalgarysrs flips the grid but not the confidence, leaving them in opposite row order), turns
the fill value (-999) into NaN, and keeps the per-frame site lists as string variables along time.
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from ..errors import DataWarning, FileFormatError
from .h5safe import check_global_heaps, length_size, read_strings
from .hdf5 import check_chunks, check_storage
from .instruments import get_instrument
from .registry import Paths, expand_paths, register_reader
from .times import far_from_name, implausible, to_ns

__all__ = ["open_asi_grid"]

_SITE_LISTS = ("sites_in_grid", "clear_sites", "cloudy_sites", "manually_removed_sites")


def _text(value: Any) -> str:
    """An attribute as text that netCDF can store (no lone surrogates from undecodable bytes)."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    value = np.asarray(value)
    if value.size == 1 and value.dtype.kind in "SO":
        item = value.ravel()[0]
        text = item.decode("latin-1") if isinstance(item, bytes) else str(item)
    else:
        text = str(value.tolist() if value.ndim else value.item())
    # h5py decodes invalid UTF-8 with surrogateescape: give those bytes back as Latin-1
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


#: numeric attributes of /metadata/file: (default, lowest, highest); NaN default = not given
_NUMERIC = {
    "fill_value": (-999.0, -np.inf, np.inf),
    "min_latitude": (-90.0, -90.0, 90.0),
    "max_latitude": (90.0, -90.0, 90.0),
    "min_longitude": (-180.0, -360.0, 360.0),
    "max_longitude": (180.0, -360.0, 360.0),
    "degrees_per_grid_cell": (np.nan, 0.0, 180.0),
    "altitude_km": (np.nan, 0.0, 1.0e5),
}


def _instrument(network: str) -> str | None:
    """The instrument of a grid's network (``themis-asi`` -> ``themis``), or ``None``."""
    for token in re.split(r"[-_]", network):
        try:
            return get_instrument(token).name
        except KeyError:  # not an instrument name: try the next token
            continue
    return None


def _dataset(f: Any, name: str, file: Any) -> Any:
    import h5py

    obj = f[name]
    if not isinstance(obj, h5py.Dataset):
        raise FileFormatError(f"/{name} is a {type(obj).__name__}, not a dataset", path=file)
    if obj.dtype.kind not in "iuf":
        raise FileFormatError(f"/{name} holds {obj.dtype} values, expected numbers", path=file)
    return obj


def _check_grid(grid: Any, frames: int, file: Any) -> tuple[int, ...]:
    """The grid's declared shape, checked against the timestamps before anything is read."""
    shape = tuple(int(n) for n in grid.shape)
    rgb_ok = len(shape) == 4 and shape[2] == 3
    if (len(shape) != 3 and not rgb_ok) or shape[-1] != frames or min(shape) < 1:
        raise FileFormatError(
            f"/data/grid has shape {shape} for {frames} timestamps, expected "
            "(lat, lon, frames) or (lat, lon, 3, frames) with one timestamp per frame",
            path=file,
        )
    return shape


def _check_size(shape: tuple[int, ...], conf_present: bool, file: Any) -> None:
    """Refuse a grid whose arrays (as float32) would exceed ``io.max_decompressed_mb``."""
    limit_mb = float(config.get().io.max_decompressed_mb)
    cells = float(np.prod(shape, dtype=np.float64))
    if conf_present:
        cells += cells / (shape[2] if len(shape) == 4 else 1)
    need_mb = cells * np.dtype(np.float32).itemsize / 2**20
    if need_mb > limit_mb:
        raise FileFormatError(
            f"/data/grid of shape {shape} needs {need_mb:.0f} MB in memory, more than the "
            f"io.max_decompressed_mb limit of {limit_mb:g} MB (raise it to read this file)",
            path=file,
        )


def _numbers(raw: dict[str, Any], file: Any) -> dict[str, float]:
    """The numeric attributes of /metadata/file (text in real files), validated."""
    out: dict[str, float] = {}
    for key, (default, low, high) in _NUMERIC.items():
        if key not in raw:
            out[key] = default
            continue
        value = np.asarray(raw[key])
        number: float | None = None
        if value.size == 1 and value.dtype.kind in "iuf":
            number = float(value.ravel()[0])
        elif value.size == 1 and value.dtype.kind in "SUO":
            text = _text(value).strip()
            try:
                number = float(text)
            except ValueError:
                raise FileFormatError(
                    f"/metadata/file attribute {key} must be a number, found the text "
                    f"{text[:40]!r}",
                    path=file,
                ) from None
        if number is None:
            raise FileFormatError(
                f"/metadata/file attribute {key} must be one number, found {value.dtype} "
                f"values of shape {value.shape}",
                path=file,
            )
        if not np.isnan(number) and not (low <= number <= high):
            raise FileFormatError(
                f"/metadata/file attribute {key} is {number}, outside [{low}, {high}]",
                path=file,
            )
        out[key] = number
    for axis, span in (("latitude", 180.0), ("longitude", 360.0)):
        lo, hi = out[f"min_{axis}"], out[f"max_{axis}"]
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi <= lo + span):
            raise FileFormatError(
                f"/metadata/file min_{axis} {lo} and max_{axis} {hi} do not bound a grid",
                path=file,
            )
    return out


@register_reader(
    "asi-grid",
    kind="asi_grid",
    patterns=("*_grid_*.h5",),
    magic=(b"\x89HDF",),
    sample="themis-grid",
    description="University of Calgary ASI grid files (MOSv001, HDF5)",
    group=lambda path: path.name,
)
def open_asi_grid(path: Paths, **_: Any) -> xr.Dataset:
    """Open a University of Calgary ASI grid file.

    Args:
        path: The ``..._MOSv001_grid_<network>.h5`` file.

    Returns:
        An ``asi_grid`` Dataset: ``image`` ``(time, lat, lon[, channel])`` float32 (NaN where the
        file has its fill value), ``confidence`` ``(time, lat, lon)``, the per-frame site lists
        (``sites_in_grid``, ``clear_sites``, ``cloudy_sites``, ``manually_removed_sites``) as
        strings along ``time``; latitude ascending, longitude in [-180, 180); the file's
        attributes in ``attrs`` (``altitude_km`` and ``resolution_deg`` as numbers);
        ``attrs["problematic_files"]`` (JSON) reports frames skipped because their time lies
        outside the instrument's plausible range (:func:`geospacexr.io.times.plausible_range`).

    Raises:
        FileFormatError: If the file is not a readable grid file: missing or damaged datasets,
            a damaged global heap (:mod:`geospacexr.io.h5safe`), text or arrays where a number
            belongs, shapes that do not match, unparseable or only implausible timestamps, or
            arrays larger than ``io.max_decompressed_mb``. The message names the file, the
            dataset or attribute and what was found.
    """
    import h5py

    files = expand_paths(path)
    if len(files) != 1:
        raise FileFormatError(f"open_asi_grid takes one file, got {len(files)}")
    file = files[0]
    try:
        with h5py.File(file, "r") as f:
            missing = [n for n in ("data/grid", "data/timestamp") if n not in f]
            if missing:
                raise FileFormatError(f"not an ASI grid file: no {', '.join(missing)}", path=file)
            # before any variable-length string (timestamps, attributes) reaches libhdf5:
            # a damaged global heap makes it loop forever (see io/h5safe.py)
            check_global_heaps(file, length_size(f))
            stamps = read_strings(f["data/timestamp"], file, "/data/timestamp")
            grid_ds = _dataset(f, "data/grid", file)
            shape = _check_grid(grid_ds, len(stamps), file)
            _check_size(shape, conf_present="data/source_info/confidence" in f, file=file)
            conf_ds = (
                _dataset(f, "data/source_info/confidence", file)
                if "data/source_info/confidence" in f
                else None
            )
            if conf_ds is not None and tuple(conf_ds.shape) != shape[:2] + shape[-1:]:
                raise FileFormatError(
                    f"/data/source_info/confidence has shape {tuple(conf_ds.shape)}, expected "
                    f"{shape[:2] + shape[-1:]} (the grid's latitude, longitude and frames)",
                    path=file,
                )
            raw_attrs = dict(f["metadata/file"].attrs.items()) if "metadata/file" in f else {}
            attrs = {k: _text(v) for k, v in raw_attrs.items()}
            nums = _numbers(raw_attrs, file)  # validated before the arrays are read
            grid = np.asarray(check_chunks(check_storage(grid_ds, file), file)[()], np.float32)
            confidence = (
                None
                if conf_ds is None
                else np.asarray(check_chunks(check_storage(conf_ds, file), file)[()], np.float32)
            )
            frames = []
            for i in range(len(stamps)):
                group = f"metadata/frame/frame{i}"
                frames.append(
                    {k: _text(v) for k, v in f[group].attrs.items()} if group in f else {}
                )
    except FileFormatError:
        raise
    except Exception as exc:  # h5py raises many types on damaged files
        raise FileFormatError(
            f"cannot read the HDF5 file ({type(exc).__name__}: {exc})", path=file
        ) from None
    times = []
    for s in stamps:
        try:
            times.append(to_ns(s.strip().removesuffix("UTC").strip().replace(" ", "T"), "time"))
        except ValueError as exc:
            raise FileFormatError(
                f"/data/timestamp holds {s[:40]!r}, not a time ({exc})", path=file
            ) from None
    times = np.array(times, dtype="datetime64[ns]")
    network = re.search(r"_grid_([a-z0-9_-]+)\.h5$", file.name)
    instrument = _instrument(network.group(1) if network else "")
    bad, why = implausible(times, instrument)
    far, far_why = far_from_name(times, file)  # far from the start time in the file's name
    far &= ~bad
    # an empty timestamp parses as NaT: a frame without a time is skipped and reported too
    missing = np.isnat(times)
    problems = []
    if (bad | missing | far).all():
        raise FileFormatError(
            "every timestamp is empty or not a time"
            if missing.all()
            else f"every timestamp is {why}"
            if bad.all()
            else f"every timestamp is empty, {why} or {far_why}",
            path=file,
        )
    if missing.any():
        problems.append(
            {
                "file": file.name,
                "reason": f"{missing.sum()} of {missing.size} frame(s) have an empty timestamp "
                "(skipped)",
            }
        )
    if bad.any():  # skipped and reported, as open_asi does with its frames
        problems.append(
            {"file": file.name, "reason": f"{bad.sum()} of {bad.size} frame(s) {why} (skipped)"}
        )
    if far.any():
        problems.append(
            {"file": file.name, "reason": f"{far.sum()} of {far.size} frame(s) {far_why} (skipped)"}
        )
    if problems:
        reasons = "; ".join(problem["reason"] for problem in problems)
        warnings.warn(f"{file}: {reasons}", DataWarning, stacklevel=2)
    bad = bad | missing | far
    if bad.any():
        keep = np.flatnonzero(~bad)
        times, grid = times[keep], grid[..., keep]
        confidence = None if confidence is None else confidence[..., keep]
        frames = [frames[i] for i in keep]
    rgb = grid.ndim == 4
    fill = nums["fill_value"]
    image = np.moveaxis(grid, -1, 0)[:, ::-1]  # (time, lat ascending, lon[, channel])
    image = np.where(image == fill, np.nan, image).astype(np.float32)
    nlat, nlon = image.shape[1], image.shape[2]
    lat0, lat1 = nums["min_latitude"], nums["max_latitude"]
    lon0, lon1 = nums["min_longitude"], nums["max_longitude"]
    res = nums["degrees_per_grid_cell"]
    if np.isnan(res):
        res = (lat1 - lat0) / nlat
    lats = lat0 + (lat1 - lat0) / nlat * (np.arange(nlat) + 0.5)
    lons = lon0 + (lon1 - lon0) / nlon * (np.arange(nlon) + 0.5)
    dims = ("time", "lat", "lon", "channel") if rgb else ("time", "lat", "lon")
    data_vars: dict[str, Any] = {
        "image": (
            dims,
            image,
            {"long_name": "grid (mosaic) values", "units": attrs.get("units", "")},
        )
    }
    if confidence is not None:
        conf = np.moveaxis(confidence, -1, 0)[:, ::-1]
        conf = np.where(conf == fill, np.nan, conf).astype(np.float32)
        data_vars["confidence"] = (
            ("time", "lat", "lon"),
            conf,
            {"long_name": "confidence", "method": attrs.get("confidence_method", "")},
        )
    for key in _SITE_LISTS:
        data_vars[key] = (
            ("time",),
            np.array([fr.get(key, "") for fr in frames], dtype=str),
            {"long_name": key.replace("_", " ") + " (comma-separated site_imager)"},
        )
    coords: dict[str, Any] = {
        "time": ("time", times),
        "lat": ("lat", lats, {"units": "degrees_north"}),
        "lon": ("lon", lons, {"units": "degrees_east"}),
    }
    if rgb:
        coords["channel"] = ("channel", ["r", "g", "b"])
    out_attrs = {k: v for k, v in attrs.items()}
    out_attrs.update(
        {
            "geospacexr_kind": "asi_grid",
            "altitude_km": nums["altitude_km"],
            "resolution_deg": res,
            "coords": "geo"
            if attrs.get("coordinate_system", "geographic") == "geographic"
            else attrs["coordinate_system"],
            "network": network.group(1) if network else "",
            "source_file": file.name,
            "problematic_files": json.dumps(problems),
        }
    )
    return xr.Dataset(data_vars, coords=coords, attrs=out_attrs)
