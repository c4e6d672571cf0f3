"""University of Calgary pre-computed ASI grid files (MOSv001 HDF5) as an ``asi_grid`` Dataset.

The file holds ``/data/grid`` ``(512, 1024, frames)`` (RGB: ``(512, 1024, 3, frames)``) on a
geographic grid whose row 0 is +90 degrees, ``/data/source_info/confidence`` on the same grid,
``/data/timestamp`` strings, string-valued attributes on ``/metadata/file`` and per-frame site
lists on ``/metadata/frame/frame<i>``. The reader gives both arrays with latitude ascending
(pyucalgarysrs flips the grid but not the confidence, leaving them in opposite row order), turns
the fill value (-999) into NaN, and keeps the per-frame site lists as string variables along time.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import xarray as xr

from ..errors import FileFormatError
from .hdf5 import check_storage
from .registry import Paths, expand_paths, register_reader

__all__ = ["open_asi_grid"]

_SITE_LISTS = ("sites_in_grid", "clear_sites", "cloudy_sites", "manually_removed_sites")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    value = np.asarray(value)
    if value.size == 1 and value.dtype.kind in "SO":
        item = value.ravel()[0]
        return item.decode("latin-1") if isinstance(item, bytes) else str(item)
    return str(value.tolist() if value.ndim else value.item())


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
        attributes in ``attrs`` (``altitude_km`` and ``resolution_deg`` as numbers).

    Raises:
        FileFormatError: If the file is not a readable grid file.
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
            grid = np.asarray(check_storage(f["data/grid"], file)[()], dtype=np.float32)
            confidence = (
                np.asarray(
                    check_storage(f["data/source_info/confidence"], file)[()], dtype=np.float32
                )
                if "data/source_info/confidence" in f
                else None
            )
            stamps = [_text(v) for v in np.atleast_1d(f["data/timestamp"][()])]
            attrs = (
                {k: _text(v) for k, v in f["metadata/file"].attrs.items()}
                if "metadata/file" in f
                else {}
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
    try:
        times = np.array(
            [
                np.datetime64(s.strip().removesuffix("UTC").strip().replace(" ", "T"), "ns")
                for s in stamps
            ]
        )
    except ValueError:
        raise FileFormatError(f"bad timestamps {stamps[:2]}", path=file) from None
    rgb = grid.ndim == 4
    if grid.ndim not in (3, 4) or grid.shape[-1] != times.size:
        raise FileFormatError(
            f"/data/grid has shape {grid.shape} for {times.size} timestamps", path=file
        )
    fill = float(attrs.get("fill_value", "-999.0"))
    image = np.moveaxis(grid, -1, 0)[:, ::-1]  # (time, lat ascending, lon[, channel])
    image = np.where(image == fill, np.nan, image).astype(np.float32)
    nlat, nlon = image.shape[1], image.shape[2]
    lat0, lat1 = float(attrs.get("min_latitude", -90.0)), float(attrs.get("max_latitude", 90.0))
    lon0, lon1 = float(attrs.get("min_longitude", -180.0)), float(attrs.get("max_longitude", 180.0))
    res = float(attrs.get("degrees_per_grid_cell", (lat1 - lat0) / nlat))
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
    network = re.search(r"_grid_([a-z0-9_-]+)\.h5$", file.name)
    out_attrs = {k: v for k, v in attrs.items()}
    out_attrs.update(
        {
            "geospacexr_kind": "asi_grid",
            "altitude_km": float(attrs.get("altitude_km", "nan")),
            "resolution_deg": res,
            "coords": "geo"
            if attrs.get("coordinate_system", "geographic") == "geographic"
            else attrs["coordinate_system"],
            "network": network.group(1) if network else "",
            "source_file": file.name,
        }
    )
    return xr.Dataset(data_vars, coords=coords, attrs=out_attrs)
