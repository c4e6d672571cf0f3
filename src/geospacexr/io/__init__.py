"""Readers and writers: one module per file format, each returning a standard Dataset.

No science and no plotting here. See :mod:`geospacexr.io.registry` for how readers are found.
"""

from .asi import open_asi
from .asigrid import open_asi_grid
from .atomic import atomic_path, atomic_write, write_netcdf
from .calibration import open_calibration
from .gcm import open_gcm, open_tiegcm, open_waccmx
from .registry import expand_paths, find_reader, list_readers, open, readers, register_reader
from .skymap import open_skymap

__all__ = [
    "atomic_path",
    "atomic_write",
    "expand_paths",
    "find_reader",
    "list_readers",
    "open",
    "open_asi",
    "open_asi_grid",
    "open_calibration",
    "open_gcm",
    "open_skymap",
    "open_tiegcm",
    "open_waccmx",
    "readers",
    "register_reader",
    "write_netcdf",
]
