r"""LFM (Lyon-Fedder-Mobarry) HDF4 magnetosphere output as an ``mhd`` Dataset.

An LFM step file (``<run>_mhd_<YYYY-MM-DDTHH-MM-SSZ>.hdf``) is HDF4 (SD interface, read with
`pyhdf <https://fhs.github.io/pyhdf/>`_, the optional ``lfm`` extra). Every array has the
*corner* size ``(nk+1, nj+1, ni+1)`` as the file declares it, ``i`` fastest: ``i`` radial, ``j``
the angle from the x axis (the grid's axis is singular at ``j = 0`` and ``nj``), ``k`` the
azimuth about x. pyLTR and rbinvariantslib "fix the array order" by reshaping the flat data to
``(s[2], s[1], s[0])`` in Fortran order, which is the transpose, giving ``(i, j, k)``; kaipy
reads the arrays as stored, ``(k, j, i)``. This reader keeps the stored order, which is the
``mhd`` kind's ``(k, j, i)``: ``ds.X.values`` is rbinvariantslib's fixed ``X_grid`` transposed.

* ``X_grid``, ``Y_grid``, ``Z_grid``: corner positions in cm (SM) -> ``X``, ``Y``, ``Z`` in Re
  on ``("kc", "jc", "ic")``; cell centres ``x``, ``y``, ``z`` (the mean of the 8 corners, as
  rbinvariantslib computes them) on ``("k", "j", "i")``.
* Cell-centred arrays fill ``[:-1, :-1, :-1]`` of their corner-sized storage (the last plane
  along each axis is unused; kaipy: "corners are poison"): ``rho_`` (g/cm³) -> ``D`` =
  rho / m_p (cm\ :sup:`-3`), ``c_`` (sound speed, cm/s) with rho -> ``P`` = rho c² / gamma (nPa),
  kaipy's conversion; ``vx_``, ``vy_``, ``vz_`` (cm/s) -> ``Vx``... (km/s); ``bx_``,
  ``by_``, ``bz_`` (gauss) -> ``Bx``... (nT). The face fluxes (``bi_``...) and edge fields
  (``ei_``...) are not read.
* Time: the global ``mjd`` attribute when positive, else the date in the file name; the
  simulation time (``time_8byte``, else ``time``) is the ``runtime`` coordinate.

Several files (steps of one run) are stacked along ``time`` in name order; they must share the
grid. Every declared shape is checked against the ``[io]`` limits before an array is read, and
a damaged file raises :class:`~geospacexr.errors.FileFormatError`.

Damaged bytes can crash the HDF4 C library (libdf/libmfhdf) outright, which would kill the
caller's process (a Jupyter kernel). Two defences, in order:

* :func:`check_hdf4_structure` walks the file's data-descriptor chain in Python before the library
  sees it (magic number, every block and every element inside the file, no loop, a bounded number
  of blocks; each vdata header consistent with itself and with its storage) and refuses a
  damaged file, naming the offending descriptor.
* The library itself runs in a child process (``spawn``, tied to us with
  :func:`geospacexr._children.die_with_parent`) that sends the arrays back: if it crashes on
  damage the checks did not see, the caller gets a :class:`~geospacexr.errors.FileFormatError`
  ("the HDF4 library crashed reading ...") instead of dying.
"""

from __future__ import annotations

import os
import re
import struct
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import FileFormatError, InvalidArgumentError
from .limits import Limits
from .registry import expand_paths, peek, register_reader
from .times import to_ns

__all__ = ["LFM_RE_CM", "open_lfm"]

PathLike = str | os.PathLike[str]

#: HDF4 files start with these bytes.
HDF4_MAGIC = b"\x0e\x03\x13\x01"
#: The Earth radius LFM's grids are in units of, cm (pyLTR and kaipy scale by it).
LFM_RE_CM = 6.38e8
#: Proton mass, g, and the adiabatic index: kaipy's conversion of (rho, c) to (n, P).
PROTON_MASS_G = 1.6726219e-24
GAMMA = 5.0 / 3.0

_GRID = ("X_grid", "Y_grid", "Z_grid")
#: LFM cell-centred arrays -> (name, scale to the mhd unit, units, long name).
_CELL = {
    "vx_": ("Vx", 1e-5, "km s-1", "bulk velocity x"),
    "vy_": ("Vy", 1e-5, "km s-1", "bulk velocity y"),
    "vz_": ("Vz", 1e-5, "km s-1", "bulk velocity z"),
    "bx_": ("Bx", 1e5, "nT", "magnetic field x"),
    "by_": ("By", 1e5, "nT", "magnetic field y"),
    "bz_": ("Bz", 1e5, "nT", "magnetic field z"),
}
_NAME_DATE = re.compile(r"_mhd_(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2})Z?")
_MJD0 = datetime(1858, 11, 17)


def _pyhdf():
    try:
        from pyhdf.error import HDF4Error
        from pyhdf.SD import SD, SDC
    except ImportError:
        raise ImportError(
            "LFM HDF4 files need pyhdf: pip install 'geospacexr[lfm]' (or pip install pyhdf)"
        ) from None
    return SD, SDC, HDF4Error


#: HDF4 tags of a vdata header / vdata storage (the HDF4 specification, ``htags.h``).
_DFTAG_VH = 1962
_DFTAG_VS = 1963
#: Tag of an unused data descriptor (``DFTAG_NULL``), whose offset and length mean nothing.
_DFTAG_NULL = 1
#: Offset and length of a descriptor whose element holds no bytes (``INVALID_OFFSET``).
_NO_DATA = -1
#: Bytes of one value of an HDF4 number type (``hntdefs.h``: char8/uchar8/int8/uint8, int16/uint16,
#: float32/int32/uint32, float64/int64/uint64), after masking the native/little-endian flags.
_HDF4_TYPE_BYTES = {3: 1, 4: 1, 20: 1, 21: 1, 22: 2, 23: 2, 5: 4, 24: 4, 25: 4, 6: 8, 26: 8, 27: 8}
_HDF4_TYPE_MASK = 0xFF
#: At most this many data-descriptor blocks (an LFM step has 3; HDF4 writes 16+ per block).
_MAX_DD_BLOCKS = 100_000
#: Bytes of a block header (int16 count, int32 next offset) and of one descriptor.
_DD_HEAD = 6
_DD_SIZE = 12


def check_hdf4_structure(path: PathLike) -> None:
    """Refuse an HDF4 file whose data-descriptor chain or vdata headers are damaged.

    Checks, in pure Python and without the HDF4 library: the magic number; the chain of
    data-descriptor blocks (big-endian int16 count, int32 next-block offset, then ``count``
    descriptors of uint16 tag, uint16 ref, int32 offset, int32 length): every block and every
    element lies inside the file, the chain has no loop and at most ``_MAX_DD_BLOCKS`` blocks;
    every vdata header (tag 1962) is consistent (each field's size is its order times its type's
    size) and its records fit in its storage element (tag 1963, same ref) when it has one.

    Args:
        path: The file.

    Raises:
        FileFormatError: If the file is not HDF4 or a descriptor is damaged (the message names it).
    """
    path = Path(path)
    try:
        with open(path, "rb") as f:
            _check_hdf4_chain(path, f, os.fstat(f.fileno()).st_size)
    except OSError as exc:
        raise FileFormatError(f"cannot read the file ({exc})", path=path) from None


def _read_at(f: Any, offset: int, n: int) -> bytes:
    f.seek(offset)
    return f.read(n)


def _check_hdf4_chain(path: Path, f: Any, size: int) -> None:
    if _read_at(f, 0, len(HDF4_MAGIC)) != HDF4_MAGIC:
        raise FileFormatError("not an HDF4 file (no HDF4 magic number)", path=path)
    elements: dict[tuple[int, int], tuple[int, int]] = {}
    seen: set[int] = set()
    block = len(HDF4_MAGIC)
    while block:
        if block in seen:
            raise FileFormatError(f"the HDF4 descriptor chain loops back to offset {block}", path)
        if len(seen) >= _MAX_DD_BLOCKS:
            raise FileFormatError(f"more than {_MAX_DD_BLOCKS} HDF4 descriptor blocks", path=path)
        seen.add(block)
        if block < len(HDF4_MAGIC) or block + _DD_HEAD > size:
            raise FileFormatError(
                f"the HDF4 descriptor block at offset {block} is outside the file ({size} bytes)",
                path=path,
            )
        count, following = struct.unpack(">hi", _read_at(f, block, _DD_HEAD))
        if count < 0 or block + _DD_HEAD + count * _DD_SIZE > size:
            raise FileFormatError(
                f"the HDF4 descriptor block at offset {block} declares {count} descriptors, "
                f"which do not fit in the file ({size} bytes)",
                path=path,
            )
        table = _read_at(f, block + _DD_HEAD, count * _DD_SIZE)
        for k, (tag, ref, offset, length) in enumerate(struct.iter_unpack(">HHii", table)):
            if tag == _DFTAG_NULL:
                continue
            if offset == _NO_DATA and length in (_NO_DATA, 0):  # an element with no bytes yet
                elements[(tag, ref)] = (0, 0)
                continue
            if offset < 0 or length < 0 or offset + length > size:
                raise FileFormatError(
                    f"HDF4 descriptor {k} of the block at offset {block} (tag {tag}, ref {ref}) "
                    f"points to bytes {offset}..{offset + length}, outside the file ({size} bytes)",
                    path=path,
                )
            elements[(tag, ref)] = (offset, length)
        block = following
    for (tag, ref), (offset, length) in elements.items():
        if tag == _DFTAG_VH:
            header = _read_at(f, offset, length)
            _check_vdata_header(path, header, ref, elements.get((_DFTAG_VS, ref)))


def _check_vdata_header(
    path: Path, header: bytes, ref: int, storage: tuple[int, int] | None
) -> None:
    """One vdata header (``VH``): each field's size matches its type and order; records fit."""

    def bad(why: str) -> FileFormatError:
        return FileFormatError(f"the HDF4 vdata header (tag {_DFTAG_VH}, ref {ref}) {why}", path)

    head = struct.Struct(">hihh")  # interlace, number of records, record size, number of fields
    if len(header) < head.size:
        raise bad(f"is {len(header)} bytes long, too short")
    _, nrecords, record, nfields = head.unpack_from(header)
    if nrecords < 0 or record < 0 or nfields < 0 or head.size + 8 * nfields > len(header):
        raise bad(f"declares {nrecords} records of {record} bytes in {nfields} fields")
    types, sizes, _, orders = (
        struct.unpack_from(f">{nfields}H", header, head.size + i * 2 * nfields) for i in range(4)
    )
    for i, (kind, nbytes, order) in enumerate(zip(types, sizes, orders, strict=True)):
        width = _HDF4_TYPE_BYTES.get(kind & _HDF4_TYPE_MASK)
        if order < 1 or (width is not None and nbytes != width * order):
            raise bad(f"field {i} (type {kind}) declares {order} values in {nbytes} bytes")
    # a missing storage element is one the library reports as missing (a vdata the reader may
    # not even need); a present one too short for the records is read past its end
    held = storage[1] if storage is not None else None
    if held is not None and nrecords * record > held:
        raise bad(f"declares {nrecords} records of {record} bytes, its storage holds {held}")


def _sd_contents(path: str) -> tuple[dict[str, tuple[int, ...]], dict[str, Any]]:
    """(In the child) the SD datasets' shapes and the global attributes of an HDF4 file."""
    SD, SDC, HDF4Error = _pyhdf()
    try:
        sd = SD(path, SDC.READ)
    except HDF4Error as exc:
        raise FileFormatError(f"not a readable HDF4 file ({exc})", path=path) from None
    try:
        try:
            names = {k: tuple(int(n) for n in v[1]) for k, v in sd.datasets().items()}
            attrs = sd.attributes()
        except (HDF4Error, ValueError, TypeError, OverflowError) as exc:
            raise FileFormatError(f"cannot list the HDF4 datasets ({exc})", path=path) from None
    finally:
        sd.end()
    return names, attrs


def _sd_arrays(path: str, wanted: list[str]) -> dict[str, np.ndarray]:
    """(In the child) the SD datasets ``wanted`` of an HDF4 file, as float arrays."""
    SD, SDC, HDF4Error = _pyhdf()
    try:
        sd = SD(path, SDC.READ)
    except HDF4Error as exc:
        raise FileFormatError(f"not a readable HDF4 file ({exc})", path=path) from None
    raw: dict[str, np.ndarray] = {}
    try:
        for name in wanted:
            try:
                sds = sd.select(name)
                raw[name] = np.asarray(sds.get(), dtype=float)
                sds.endaccess()
            # pyhdf reports some read failures as ValueError ("SDreaddata failure": a damaged
            # data descriptor), not HDF4Error
            except (HDF4Error, ValueError, TypeError, OverflowError) as exc:
                raise FileFormatError(f"cannot read {name} ({exc})", path=path) from None
    finally:
        sd.end()
    return raw


def _child_init() -> None:
    from .._children import die_with_parent

    die_with_parent()


_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _retire(pool: ProcessPoolExecutor) -> None:
    """Stop using ``pool`` (the next call starts a fresh child) and wait for its worker to end."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is pool:
            _POOL = None
    pool.shutdown(wait=True, cancel_futures=True)


def _in_child(func: Callable[..., Any], path: Path, *args: Any) -> Any:
    """Run ``func(str(path), *args)`` in the HDF4 child process; its crash -> FileFormatError.

    The child is reused from file to file while they read cleanly; after a file the library
    reported as damaged (or crashed on), the next call starts a fresh one, so that state a
    damaged file left in the library cannot affect the next file.
    """
    global _POOL
    import multiprocessing

    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_child_init,
            )
        pool = _POOL
    try:
        return pool.submit(func, str(path), *args).result()
    except BrokenProcessPool:
        _retire(pool)
        raise FileFormatError(
            f"the HDF4 library crashed reading {path.name} (the file is damaged)", path=path
        ) from None
    except FileFormatError:
        _retire(pool)
        raise


def _sniff(path: Path) -> bool:
    """An HDF4 file; with pyhdf installed, one holding ``X_grid`` and ``bx_``."""
    if not peek(path, 4).startswith(HDF4_MAGIC):
        return False
    try:
        _pyhdf()
    except ImportError:
        return True  # the opener says what to install
    try:
        check_hdf4_structure(path)
        names, _ = _in_child(_sd_contents, path)
    except FileFormatError:
        return False
    return "X_grid" in names and "bx_" in names


def _time(path: Path, attrs: dict[str, Any]) -> tuple[np.datetime64, float]:
    elapsed = attrs.get("time_8byte", attrs.get("time", np.nan))
    try:
        elapsed = float(elapsed)
    except (TypeError, ValueError):
        raise FileFormatError(
            f"the 'time' attribute is {elapsed!r}, not a number", path=path
        ) from None
    mjd = attrs.get("mjd")
    when: datetime | None = None
    if mjd is not None:
        try:
            mjd = float(mjd)
        except (TypeError, ValueError):
            raise FileFormatError(
                f"the 'mjd' attribute is {mjd!r}, not a number", path=path
            ) from None
        if not np.isfinite(mjd) or mjd < 0:
            raise FileFormatError(f"the 'mjd' attribute is {mjd}", path=path)
        if mjd > 0:
            if not -100_000 < mjd < 150_000:  # 1585..2269: outside, not a date LFM writes
                raise FileFormatError(f"the 'mjd' attribute {mjd} is not a plausible date", path)
            when = _MJD0 + timedelta(days=mjd)
    if when is None:
        m = _NAME_DATE.search(path.name)
        if m:
            when = datetime.strptime(m.group(1), "%Y-%m-%dT%H-%M-%S")
    if when is None:
        return np.datetime64("NaT", "ns"), elapsed
    try:  # a date numpy would wrap silently in nanoseconds (year 9999) is refused
        stamp = to_ns(np.datetime64(when, "us"), f"the time {when}")
    except ValueError:
        raise FileFormatError(
            f"the time {when} is outside what datetime64[ns] holds", path=path
        ) from None
    return stamp, elapsed


def _read_step(path: Path, limits: Limits) -> dict[str, Any]:
    _pyhdf()
    check_hdf4_structure(path)
    names, attrs = _in_child(_sd_contents, path)
    needed = [*_GRID, "rho_", "c_", *_CELL]
    missing = [n for n in needed if n not in names]
    if missing:
        raise FileFormatError(
            f"not an LFM MHD file: no {', '.join(missing)} (it holds "
            f"{', '.join(sorted(names)[:12]) or 'no datasets'})",
            path=path,
        )
    shape = names["X_grid"]
    if len(shape) != 3 or min(shape) < 2:
        raise FileFormatError(f"X_grid has shape {shape}, not (nk+1, nj+1, ni+1)", path)
    for name in needed:
        got = names[name]
        if got != shape:
            raise FileFormatError(f"{name} has shape {got}, X_grid {shape}", path=path)
    limits.check_array(int(np.prod(shape)) * 8, path, f"one {shape} LFM array")
    raw = _in_child(_sd_arrays, path, needed)
    for name in needed:
        if raw[name].shape != shape:
            raise FileFormatError(f"{name} reads as {raw[name].shape}, not {shape}", path=path)
    when, elapsed = _time(path, attrs)
    return {"raw": raw, "time": when, "runtime": elapsed, "attrs": attrs, "shape": shape}


def open_lfm(
    paths: PathLike | Iterable[PathLike],
    earth_radius_cm: float = LFM_RE_CM,
    chunks: Any = None,
) -> xr.Dataset:
    """Open LFM HDF4 step files as one ``mhd`` Dataset (needs pyhdf, the ``lfm`` extra).

    The layout, units and array order are in the module docstring: corner grid ``X, Y, Z``
    (Re, SM) on ``("kc", "jc", "ic")``, cell centres ``x, y, z`` and the cell-centred ``D`` (cm-3),
    ``P`` (nPa), ``Vx, Vy, Vz`` (km/s), ``Bx, By, Bz`` (nT) on ``("time", "k", "j", "i")``.

    Args:
        paths: A file, a glob pattern or a list of step files of one run.
        earth_radius_cm: The length unit of the grid in cm (LFM's, 6.38e8 cm, by default;
            rbinvariantslib divides by astropy's 6.3781e8 cm).
        chunks: If given, the Dataset is chunked with dask (``Dataset.chunk(chunks)``).

    Returns:
        A Dataset with ``attrs["geospacexr_kind"] == "mhd"``, ``attrs["mhd_model"] == "lfm"``
        and ``attrs["mhd_grid"] == "curvilinear"``.

    Raises:
        ImportError: If pyhdf is not installed (the message says what to install).
        NoFilesError: If nothing matches ``paths``.
        FileFormatError: If a file is damaged, is not LFM MHD output, exceeds the ``[io]``
            limits, or the files' grids differ.
        InvalidArgumentError: If ``earth_radius_cm`` is not a positive number.

    Example:
        >>> ds = geospacexr.open_lfm("LR_mhd_2013-03-17T06-00-00Z.hdf")  # doctest: +SKIP
        >>> ds.Bz.dims, ds.X.dims
        (('time', 'k', 'j', 'i'), ('kc', 'jc', 'ic'))
    """
    if not (isinstance(earth_radius_cm, int | float) and earth_radius_cm > 0):
        raise InvalidArgumentError(
            f"must be a positive length in cm, not {earth_radius_cm!r}", "earth_radius_cm"
        )
    _pyhdf()
    files = expand_paths(paths)
    limits = Limits.current()
    limits.check_frames(len(files), None, "LFM step files")
    steps = [_read_step(p, limits) for p in files]
    first = steps[0]
    for p, s in zip(files[1:], steps[1:], strict=True):
        if s["shape"] != first["shape"] or any(
            not np.array_equal(s["raw"][g], first["raw"][g]) for g in _GRID
        ):
            raise FileFormatError("its grid differs from the first file's", path=p)
    nt = len(steps)
    nk, nj, ni = (n - 1 for n in first["shape"])
    limits.check_array(nt * nk * nj * ni * 8, files[0], f"one variable over {nt} steps")
    corners = {g[0]: first["raw"][g] / float(earth_radius_cm) for g in _GRID}
    cdims = ("kc", "jc", "ic")
    dims = ("time", "k", "j", "i")
    coords: dict[str, Any] = {}
    for axis, values in corners.items():
        attrs = {"units": "Re", "long_name": f"{axis} cell corner (SM)",
                 "source_name": f"{axis}_grid", "source_units": "cm"}  # fmt: skip
        coords[axis] = (cdims, values, attrs)
        centre = _centres(values)
        coords[axis.lower()] = (
            ("k", "j", "i"), centre,
            {"units": "Re", "long_name": f"{axis.lower()} cell centre (SM)"},
        )  # fmt: skip
    cut = (slice(None, -1),) * 3
    data_vars: dict[str, Any] = {}
    rho = np.stack([s["raw"]["rho_"][cut] for s in steps])
    sound = np.stack([s["raw"]["c_"][cut] for s in steps])
    with np.errstate(all="ignore"):
        data_vars["D"] = (dims, rho / PROTON_MASS_G, {
            "units": "cm-3", "long_name": "number density", "source_name": "rho_",
            "source_units": "g/cm^3"})  # fmt: skip
        data_vars["P"] = (dims, rho * sound**2 / GAMMA * 1e8, {  # dyn cm-2 -> nPa
            "units": "nPa", "long_name": "thermal pressure", "source_name": "rho_, c_",
            "source_units": "g/cm^3, cm/s"})  # fmt: skip
    for source, (name, scale, units, long_name) in _CELL.items():
        data_vars[name] = (
            dims,
            np.stack([s["raw"][source][cut] for s in steps]) * scale,
            {"units": units, "long_name": long_name, "source_name": source,
             "source_units": "cm/s" if source[0] == "v" else "gauss"},
        )  # fmt: skip
    times = np.array([s["time"] for s in steps], "datetime64[ns]")
    ds = xr.Dataset(data_vars, coords=coords)
    ds = ds.assign_coords(
        time=("time", times),
        runtime=("time", np.array([s["runtime"] for s in steps]),
                 {"units": "s", "long_name": "simulation time"}),
    )  # fmt: skip
    first_attrs = first["attrs"]
    ds.attrs.update(
        {
            "geospacexr_kind": "mhd",
            "mhd_model": "lfm",
            "mhd_grid": "curvilinear",
            "coordinate_system": "SM",
            "earth_radius_cm": float(earth_radius_cm),
            "adiabatic_index": GAMMA,
            "lfm_ni": ni,
            "lfm_nj": nj,
            "lfm_nk": nk,
            "source_files": ", ".join(p.name for p in files),
        }
    )
    for key in ("tilt_angle", "tzero", "written_by", "time_step"):
        value = first_attrs.get(key)
        if isinstance(value, str | int | float | np.integer | np.floating):
            ds.attrs[f"lfm_{key}"] = value.item() if hasattr(value, "item") else value
    if chunks is not None:
        ds = ds.chunk(chunks)
    return ds


def _centres(a: np.ndarray) -> np.ndarray:
    """Mean of the 8 corners of each cell (rbinvariantslib's ``_calc_cell_centers``)."""
    return (
        a[:-1, :-1, :-1] + a[1:, :-1, :-1] + a[:-1, 1:, :-1] + a[:-1, :-1, 1:]
        + a[1:, 1:, :-1] + a[:-1, 1:, 1:] + a[1:, :-1, 1:] + a[1:, 1:, 1:]
    ) / 8.0  # fmt: skip


@register_reader(
    "lfm-hdf",
    kind="mhd",
    patterns=("*.hdf", "*.hdf4"),
    magic=(HDF4_MAGIC,),
    sniff=_sniff,
    description="LFM magnetosphere HDF4 step files (needs pyhdf: the lfm extra)",
    sample="lfm-hdf",
)
def open_lfm_files(
    files: PathLike | Iterable[PathLike], earth_radius_cm: float = LFM_RE_CM, chunks: Any = None
) -> xr.Dataset:
    """LFM HDF4 files (the ``lfm-hdf`` reader; see :func:`open_lfm`).

    Args:
        files: Step files of one run.
        earth_radius_cm: Length unit of the grid, cm.
        chunks: Dask chunks, if any.

    Returns:
        The ``mhd`` Dataset.
    """
    return open_lfm(files, earth_radius_cm=earth_radius_cm, chunks=chunks)
