r"""SWMF / BATS-R-US IDL output (``.out``, ``.outs``) as an ``mhd`` Dataset.

BATS-R-US writes its plot files in the "IDL" format that SpacePy's ``spacepy.pybats.IdlFile``
reads. A file holds one frame (``.out``) or several (``.outs``) written back to back. Each frame
is, in the binary flavour, five or six Fortran unformatted records followed by the data records;
every record is wrapped in 4-byte length markers (before and after, equal), in the byte order of
the machine that wrote it (either order is read here):

1. the header line: the units of the coordinates and variables (``"R R R Mp/cc km/s ..."``),
   or free text;
2. ``it`` (int32, the iteration), ``time`` (the simulation time in seconds, a float of the
   file's precision), ``ndim``, ``npar``, ``nvar`` (int32). The record is 20 bytes in a single-
   precision file and 24 in a double-precision one (how the precision is detected). A negative
   ``ndim`` marks a non-Cartesian grid: *unstructured* (block-adaptive cuts and 3-D files, every
   point listed, ``grid = [npoints, 1, 1]``) or *generalized* (structured but curvilinear);
3. ``grid``: ``|ndim|`` int32 sizes;
4. when ``npar > 0``: the ``npar`` parameters (``g``, ``rbody``...) in the file's precision;
5. the names of the coordinates, the variables and the parameters, blank-separated;
6. the coordinates: ``|ndim| * npoints`` floats, Fortran order (first index fastest);
7. then one record of ``npoints`` floats per variable.

The ASCII flavour has the same items one per line (``it time ndim npar nvar`` on line 2), then one
line of ``|ndim| + nvar`` numbers per point.

**Dataset.** ``attrs["geospacexr_kind"] = "mhd"``, ``attrs["mhd_model"] = "swmf"`` and
``attrs["mhd_grid"]`` ``"unstructured"`` (dims ``("time", "cell")``, coordinates ``x, y, z`` on
``cell``, in Re), ``"regular"`` (one dimension per coordinate, named after it, with its 1-D
values; slowest first, so a 3-D box is ``("time", "z", "y", "x")``) or ``"generalized"`` (dims
``("time", "k", "j", "i")``, the last ``|ndim|`` of them, with full coordinate arrays). The MHD
variables take GAMERA's names (``Rho`` -> ``D``, ``Ux`` -> ``Vx``, ``jx`` -> ``Jx``...; the file's
name stays in ``attrs["source_name"]``, its unit text in ``attrs["source_units"]``); any other
variable keeps its name. ``runtime`` (s) and ``iteration`` are coordinates on ``time``. Values
keep the file's precision. The variables of binary files are lazy: a frame's record is read
from disk only when that frame is indexed (``chunks=`` makes them dask arrays, one read per
chunk); the coordinates are read at once.

**Time.** The file holds the simulation time only. The date comes from the file name as SWMF
writes it (``..._e20130924-232600...`` or ``..._t20130924232600...``), from ``start_time=`` (the
run's start, to which ``runtime`` is added) or is ``NaT``. As SpacePy does, the frames of an
``.outs`` file are dated from the name's first date plus their runtime minus the first frame's.

**Damage.** Every record marker is checked (the length before, the same length after, inside
the file), every declared count against the record that holds it, every allocation against the
``[io]`` limits (:class:`~geospacexr.io.limits.Limits`) before it is made, and text where numbers
belong is refused: a damaged file raises :class:`~geospacexr.errors.FileFormatError` naming the
file, the frame and the byte offset.
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

from ..errors import FileFormatError, InvalidArgumentError
from .limits import Limits
from .registry import expand_paths, peek, register_reader
from .times import to_ns

__all__ = ["STANDARD_NAMES", "open_swmf", "read_idl_frames"]

PathLike = str | os.PathLike[str]

#: BATS-R-US variable names (lower case) -> the ``mhd`` Dataset's (GAMERA's) names.
STANDARD_NAMES: dict[str, str] = {
    "rho": "D",
    "ux": "Vx",
    "uy": "Vy",
    "uz": "Vz",
    "bx": "Bx",
    "by": "By",
    "bz": "Bz",
    "p": "P",
    "jx": "Jx",
    "jy": "Jy",
    "jz": "Jz",
}

#: SWMF unit text -> CF-style unit (anything else is kept as written).
_UNITS: dict[str, str] = {
    "r": "Re",
    "re": "Re",
    "mp/cc": "cm-3",
    "amu/cc": "cm-3",
    "/cc": "cm-3",
    "km/s": "km s-1",
    "nt": "nT",
    "npa": "nPa",
    "ua/m2": "uA m-2",
    "ua/m^2": "uA m-2",
    "mv/m": "mV m-1",
    "j/m3": "J m-3",
    "g/cm3": "g cm-3",
    "km": "km",
    "s": "s",
}

_LONG_NAMES = {
    "D": "number density",
    "P": "thermal pressure",
    "Vx": "bulk velocity x",
    "Vy": "bulk velocity y",
    "Vz": "bulk velocity z",
    "Bx": "magnetic field x",
    "By": "magnetic field y",
    "Bz": "magnetic field z",
    "Jx": "current density x",
    "Jy": "current density y",
    "Jz": "current density z",
}

#: Names the Dataset uses for its own dims and coordinates (a file variable so named is renamed).
_RESERVED = {"time", "cell", "runtime", "iteration", "i", "j", "k"}

#: Largest header or names record accepted while sniffing (BATS-R-US writes 500-char lines).
_SNIFF_BYTES = 2048
_MAX_NDIM = 3
#: datetime64[ns] holds +-2**63 ns around 1970 (1677-09-21 to 2262-04-11), in seconds.
_NS_RANGE_S = 9.2e9


@dataclass
class IdlFrame:
    """One frame of an IDL file: its header, and where its numbers are.

    Attributes:
        headline: The header line (units, or free text).
        iteration: ``it``.
        runtime: Simulation time, s.
        ndim: Signed number of dimensions (negative: not Cartesian).
        grid: Sizes of the grid, ``|ndim|`` of them.
        params: Parameter name -> value.
        names: Coordinate then variable names (the parameters' names removed).
        npoints: Points in the frame.
        offset: Byte offset of the coordinate record (binary), or ``-1``.
        values: ``(ndim + nvar, npoints)`` numbers (ASCII), else ``None``.
    """

    headline: str
    iteration: int
    runtime: float
    ndim: int
    grid: tuple[int, ...]
    params: dict[str, float]
    names: list[str]
    npoints: int
    offset: int = -1
    nnames: int = 0
    values: np.ndarray | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        """``"regular"``, ``"unstructured"`` or ``"generalized"``."""
        if self.ndim > 0:
            return "regular"
        return "generalized" if any(n > 1 for n in self.grid[1:]) else "unstructured"


@dataclass
class IdlFile:
    """What :func:`read_idl_frames` found in one file.

    Attributes:
        path: The file.
        fmt: ``"binary"`` or ``"ascii"``.
        byteorder: ``"<"`` or ``">"`` (binary), else ``""``.
        dtype: Float type of the numbers (with the file's byte order).
        frames: The frames, in file order.
    """

    path: Path
    fmt: str
    byteorder: str
    dtype: np.dtype
    frames: list[IdlFrame]


# ----------------------------------------------------------------------------------- probing


def _marker(data: bytes, pos: int, order: str) -> int | None:
    if pos + 4 > len(data):
        return None
    return struct.unpack(order + "i", data[pos : pos + 4])[0]


def probe(head: bytes) -> tuple[str, str, int] | None:
    """Tell an IDL file's flavour from its first bytes.

    Args:
        head: The first bytes of the file (enough for the first two records).

    Returns:
        ``("binary", byteorder, float size)``, ``("ascii", "", 8)``, or ``None`` when the bytes
        are neither.
    """
    for order in ("<", ">"):
        n = _marker(head, 0, order)
        if n is None or not 0 < n <= len(head) - 8:
            continue
        if _marker(head, 4 + n, order) != n:
            continue
        m = _marker(head, 8 + n, order)
        if m in (20, 24):
            return "binary", order, 4 if m == 20 else 8
    lines = head.split(b"\n", 3)
    if len(lines) >= 3:
        try:
            it, _t, ndim, npar, nvar = lines[1].split()
            int(it), float(_t)
            ndim, npar, nvar = int(ndim), int(npar), int(nvar)
            grid = [int(v) for v in lines[2].split()]
        except ValueError:
            return None
        if 1 <= abs(ndim) <= _MAX_NDIM and npar >= 0 and nvar >= 0 and len(grid) == abs(ndim):
            return "ascii", "", 8
    return None


def _sniff(path: Path) -> bool:
    """Whether the file starts like a binary or ASCII IDL file."""
    return probe(peek(path, _SNIFF_BYTES)) is not None


# ----------------------------------------------------------------------------------- binary


class _Records:
    """Fortran unformatted records of an open file, every marker checked."""

    def __init__(self, fh, size: int, order: str, path: Path):
        self.fh, self.size, self.order, self.path = fh, size, order, path

    def fail(self, message: str) -> FileFormatError:
        return FileFormatError(message, path=self.path)

    def record(self, pos: int, what: str) -> tuple[int, int]:
        """``(payload offset, payload length)`` of the record at ``pos`` (markers checked)."""
        if pos + 4 > self.size:
            raise self.fail(f"the file ends (at byte {self.size}) before the {what} record")
        self.fh.seek(pos)
        (n,) = struct.unpack(self.order + "i", self.fh.read(4))
        if n < 0 or pos + 8 + n > self.size:
            raise self.fail(
                f"the {what} record at byte {pos} declares {n} bytes, which do not fit in the "
                f"file ({self.size} bytes): truncated or not an IDL file"
            )
        self.fh.seek(pos + 4 + n)
        (m,) = struct.unpack(self.order + "i", self.fh.read(4))
        if m != n:
            raise self.fail(
                f"the record markers of the {what} record at byte {pos} disagree ({n} before, "
                f"{m} after): a damaged file"
            )
        return pos + 4, n

    def read(self, pos: int, n: int) -> bytes:
        self.fh.seek(pos)
        return self.fh.read(n)


def _text(raw: bytes) -> str:
    return raw.decode("latin-1").replace("\x00", " ").strip()


def _expect(rec: _Records, n: int, want: int, what: str, pos: int) -> None:
    if n != want:
        raise rec.fail(f"the {what} record at byte {pos} holds {n} bytes where {want} are expected")


def _names_and_params(
    names: list[str], ndim: int, nvar: int, values: list[float], where: str, path: Path
) -> tuple[list[str], dict[str, float]]:
    if len(names) < ndim + nvar:
        raise FileFormatError(
            f"{where}: {len(names)} names for {ndim} coordinates and {nvar} variables", path=path
        )
    pnames = names[ndim + nvar :]
    pnames += [f"param{i}" for i in range(len(pnames), len(values))]
    return names[: ndim + nvar], {p: float(v) for p, v in zip(pnames, values, strict=False)}


def _binary_frames(path: Path, order: str, fsize: int, limits: Limits) -> list[IdlFrame]:
    size = path.stat().st_size
    fdt = np.dtype(order + ("f4" if fsize == 4 else "f8"))
    head = struct.Struct(order + ("ifiii" if fsize == 4 else "idiii"))
    frames: list[IdlFrame] = []
    with path.open("rb") as fh:
        rec = _Records(fh, size, order, path)
        pos = 0
        while pos < size:
            where = f"frame {len(frames)}"
            start, n = rec.record(pos, f"{where} header line")
            headline = _text(rec.read(start, n))
            pos = start + n + 4
            start, n = rec.record(pos, f"{where} it/time/ndim/npar/nvar")
            _expect(rec, n, head.size, f"{where} it/time/ndim/npar/nvar", pos)
            it, runtime, ndim, npar, nvar = head.unpack(rec.read(start, n))
            if not 1 <= abs(ndim) <= _MAX_NDIM or npar < 0 or nvar < 0:
                raise rec.fail(
                    f"{where} at byte {pos} declares ndim={ndim}, npar={npar}, nvar={nvar} "
                    f"(|ndim| 1 to {_MAX_NDIM}, counts >= 0 expected)"
                )
            if not math.isfinite(runtime):
                raise rec.fail(f"{where} at byte {pos}: the simulation time is {runtime}")
            pos = start + n + 4
            start, n = rec.record(pos, f"{where} grid size")
            _expect(rec, n, 4 * abs(ndim), f"{where} grid size", pos)
            grid = struct.unpack(f"{order}{abs(ndim)}i", rec.read(start, n))
            if min(grid) < 1:
                raise rec.fail(f"{where} at byte {pos} declares grid sizes {list(grid)}")
            pos = start + n + 4
            values: list[float] = []
            if npar > 0:
                start, n = rec.record(pos, f"{where} parameters")
                _expect(rec, n, npar * fsize, f"{where} parameters", pos)
                values = np.frombuffer(rec.read(start, n), fdt).astype(float).tolist()
                pos = start + n + 4
            start, n = rec.record(pos, f"{where} names")
            names = _text(rec.read(start, n)).split()
            nnames = len(names)
            pos = start + n + 4
            nd = abs(ndim)
            names, params = _names_and_params(names, nd, nvar, values, where, path)
            frame = IdlFrame(headline, int(it), float(runtime), int(ndim), tuple(grid),
                             params, names, 0, nnames=nnames)  # fmt: skip
            npoints = grid[0] if frame.kind == "unstructured" else math.prod(grid)
            frame.npoints = npoints
            # the data records: checked before anything is read
            start, n = rec.record(pos, f"{where} coordinates")
            _expect(rec, n, nd * npoints * fsize, f"{where} coordinates", pos)
            frame.offset = pos
            pos = start + n + 4
            for v in range(nvar):
                start, n = rec.record(pos, f"{where} variable {names[nd + v]!r}")
                _expect(rec, n, npoints * fsize, f"{where} variable {names[nd + v]!r}", pos)
                pos = start + n + 4
            frames.append(frame)
            limits.check_frames(len(frames), path, "IDL frames", counted=True)
    return frames


class _IdlVariable(BackendArray):
    """One variable over all frames, read from the file only where it is indexed.

    Each frame is a record of ``npoints`` floats on disk (binary files: ``(path, byte offset,
    npoints, file dtype)``, read with :func:`numpy.fromfile`) or an array in memory (ASCII
    files); frames with fewer points than the widest are NaN-padded. Plain data only, so the
    array pickles into dask workers.
    """

    def __init__(self, sources: list[Any], shape: tuple[int, ...], dtype: np.dtype):
        self.sources, self.shape, self.dtype = sources, shape, np.dtype(dtype)

    def __getitem__(self, key: indexing.ExplicitIndexer) -> np.ndarray:
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.BASIC, self._read
        )

    def _frame(self, t: int) -> np.ndarray:
        source = self.sources[t]
        if isinstance(source, np.ndarray):
            raw = source
        else:
            path, offset, count, dtype = source
            raw = np.fromfile(path, np.dtype(dtype), count=count, offset=offset)
            if raw.size != count:
                raise FileFormatError(
                    f"frame {t}: {raw.size} of {count} values could be read (the file changed "
                    "since it was opened?)",
                    path=path,
                )
        out = np.full(math.prod(self.shape[1:]), np.nan, self.dtype)
        out[: raw.size] = raw
        return out.reshape(self.shape[1:])

    def _read(self, key: tuple[Any, ...]) -> np.ndarray:
        tkey, rest = key[0], tuple(key[1:])
        if isinstance(tkey, int | np.integer):
            return self._frame(int(tkey))[rest]
        frames = range(self.shape[0])[tkey]
        if not len(frames):
            inner = np.broadcast_to(np.zeros((), self.dtype), self.shape[1:])[rest].shape
            return np.empty((0, *inner), self.dtype)
        return np.stack([self._frame(t)[rest] for t in frames])


# ----------------------------------------------------------------------------------- ASCII


def _ascii_frames(path: Path, limits: Limits) -> list[IdlFrame]:
    try:
        text = path.read_bytes().decode("latin-1")
    except OSError as exc:
        raise FileFormatError(f"cannot read: {exc}", path=path) from exc
    lines = text.splitlines()
    frames: list[IdlFrame] = []
    pos = 0
    while pos < len(lines):
        if not lines[pos].strip() and all(not s.strip() for s in lines[pos:]):
            break
        where = f"frame {len(frames)} (line {pos + 1})"
        try:
            headline = lines[pos].strip()
            it, runtime, ndim, npar, nvar = lines[pos + 1].split()
            it, runtime = int(it), float(runtime)
            ndim, npar, nvar = int(ndim), int(npar), int(nvar)
            grid = tuple(int(v) for v in lines[pos + 2].split())
        except (IndexError, ValueError) as exc:
            raise FileFormatError(
                f"{where}: the header lines are not 'it time ndim npar nvar' and the grid "
                f"sizes ({exc})",
                path=path,
            ) from None
        if not 1 <= abs(ndim) <= _MAX_NDIM or npar < 0 or nvar < 0 or not math.isfinite(runtime):
            raise FileFormatError(
                f"{where} declares ndim={ndim}, npar={npar}, nvar={nvar}, time={runtime}",
                path=path,
            )
        if len(grid) != abs(ndim) or min(grid) < 1:
            raise FileFormatError(f"{where} declares grid sizes {list(grid)}", path=path)
        pos += 3
        values: list[float] = []
        if npar > 0:
            try:
                values = [float(v) for v in lines[pos].split()]
            except (IndexError, ValueError):
                raise FileFormatError(
                    f"{where}: the parameter line is not numbers", path=path
                ) from None
            if len(values) != npar:
                raise FileFormatError(
                    f"{where}: {len(values)} parameters where {npar} are declared", path=path
                )
            pos += 1
        if pos >= len(lines):
            raise FileFormatError(f"{where}: the file ends before the names", path=path)
        nd = abs(ndim)
        raw = lines[pos].split()
        names, params = _names_and_params(raw, nd, nvar, values, where, path)
        pos += 1
        frame = IdlFrame(headline, it, runtime, ndim, grid, params, names, 0, nnames=len(raw))
        npoints = grid[0] if frame.kind == "unstructured" else math.prod(grid)
        frame.npoints = npoints
        if npoints > len(lines) - pos:
            raise FileFormatError(
                f"{where} declares {npoints} points, but only {len(lines) - pos} lines follow",
                path=path,
            )
        limits.check_array(npoints * (nd + nvar) * 8, path, f"{where}'s {npoints} points")
        block = lines[pos : pos + npoints]
        try:
            table = np.loadtxt(block, dtype=float, ndmin=2)
        except ValueError as exc:
            raise FileFormatError(
                f"{where}: a data line is not numbers ({exc})", path=path
            ) from None
        if table.shape != (npoints, nd + nvar):
            raise FileFormatError(
                f"{where}: the data lines hold {table.shape[1]} columns where "
                f"{nd + nvar} are declared",
                path=path,
            )
        frame.values = np.ascontiguousarray(table.T)
        pos += npoints
        frames.append(frame)
        limits.check_frames(len(frames), path, "IDL frames", counted=True)
    if not frames:
        raise FileFormatError("no IDL frame (an empty file?)", path=path)
    return frames


# ----------------------------------------------------------------------------------- reading


def read_idl_frames(path: PathLike, limits: Limits | None = None) -> IdlFile:
    """Scan an IDL file: its flavour and every frame's header (binary numbers stay on disk).

    Args:
        path: A ``.out`` or ``.outs`` file.
        limits: The ``[io]`` limits (default: those in force).

    Returns:
        The :class:`IdlFile`.

    Raises:
        FileFormatError: If the file is not a readable IDL file (the message says where).
    """
    path = Path(path)
    limits = limits or Limits.current()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileFormatError(f"cannot read: {exc}", path=path) from exc
    limits.check_content(size, path, "the file")
    if size == 0:
        raise FileFormatError("empty file", path=path)
    found = probe(peek(path, _SNIFF_BYTES))
    if found is None:
        # a longer header line than the sniffer looks at: try the first record's own length
        found = _probe_long(path, size)
    if found is None:
        raise FileFormatError(
            "not an SWMF IDL file: neither Fortran records (either byte order) nor the ASCII "
            "header lines",
            path=path,
        )
    fmt, order, fsize = found
    if fmt == "ascii":
        return IdlFile(path, "ascii", "", np.dtype("f8"), _ascii_frames(path, limits))
    frames = _binary_frames(path, order, fsize, limits)
    if not frames:
        raise FileFormatError("no IDL frame", path=path)
    return IdlFile(path, "binary", order, np.dtype(order + f"f{fsize}"), frames)


def _probe_long(path: Path, size: int) -> tuple[str, str, int] | None:
    with path.open("rb") as fh:
        first = fh.read(4)
        for order in ("<", ">"):
            if len(first) < 4:
                return None
            (n,) = struct.unpack(order + "i", first)
            if _SNIFF_BYTES - 8 < n <= min(size - 12, 1 << 20):
                fh.seek(0)
                found = probe(fh.read(n + 12))
                if found is not None:
                    return found
    return None


_E_DATE = re.compile(r"_e(\d{8}-\d{6})")
_T_DATE = re.compile(r"_t(\d{14})(?!\d)")


def _name_date(path: Path) -> datetime | None:
    """The date SWMF put in the file name (``_eYYYYMMDD-HHMMSS`` or ``_tYYYYMMDDHHMMSS``)."""
    name = path.name
    for pattern, fmt in ((_E_DATE, "%Y%m%d-%H%M%S"), (_T_DATE, "%Y%m%d%H%M%S")):
        m = pattern.search(name)
        if m:
            try:
                return datetime.strptime(m.group(1), fmt)
            except ValueError:
                raise FileFormatError(
                    f"the date in the file name ({m.group(1)}) is not a date", path=path
                ) from None
    return None


def _frame_times(path: Path, runtimes: list[float], start_time: Any) -> np.ndarray:
    if start_time is not None:
        base = to_ns(start_time, "start_time")  # checked by open_swmf
        offsets = np.asarray(runtimes, float)
    else:
        t0 = _name_date(path)
        if t0 is None:
            return np.full(len(runtimes), np.datetime64("NaT", "ns"))
        try:  # a date numpy would wrap silently in nanoseconds (year 9999) is refused
            base = to_ns(t0, "the date in the file name")
        except ValueError as exc:
            raise FileFormatError(str(exc), path=path) from None
        offsets = np.asarray(runtimes, float) - runtimes[0]
    # summed as Python integers (int64 nanoseconds would wrap silently), then range-checked
    problem = FileFormatError(
        f"simulation times {offsets.min()}..{offsets.max()} s put the frames outside what "
        "datetime64[ns] holds (1677-2262)",
        path=path,
    )
    if not np.all(np.isfinite(offsets)) or np.any(np.abs(offsets) > 2 * _NS_RANGE_S):
        raise problem
    start = int(base.astype("int64"))
    total = [start + round(float(o) * 1e9) for o in offsets]
    if any(abs(t) > _NS_RANGE_S * 1e9 for t in total):
        raise problem
    return np.array(total, "int64").view("datetime64[ns]")


def _cf_units(text: str) -> str:
    return _UNITS.get(text.lower(), text)


def _frame_units(frame: IdlFrame, nparam: int) -> list[str]:
    """The unit of each coordinate and variable, as SpacePy's ``header='units'`` assigns them.

    SWMF often writes more units than coordinates ("R R R" for a 2-D cut): the extra ones at the
    front are skipped (``len(units) + npar - len(names)`` of them).
    """
    units = frame.headline.split()
    total = len(frame.names)
    skip = max(0, len(units) + nparam - (frame.nnames or total + nparam))
    out = units[skip : skip + total]
    return out + [""] * (total - len(out))


def _standard_name(name: str, taken: set[str]) -> str:
    new = STANDARD_NAMES.get(name.lower(), name)
    if new.lower() in ("x", "y", "z") and name.lower() == new.lower():
        new = new.lower()
    if new in _RESERVED:
        new = f"{new}_idl"
    if new in taken:
        new = name if name not in taken else f"{name}_{len(taken)}"
    return new


def open_swmf(
    paths: PathLike | Iterable[PathLike],
    start_time: Any = None,
    frame: str = "GSM",
    chunks: Any = None,
) -> xr.Dataset:
    """Open SWMF / BATS-R-US IDL output (``.out``, ``.outs``; binary or ASCII) as one Dataset.

    Binary files in either byte order and in single or double precision, and ASCII files, are
    read as SpacePy's ``spacepy.pybats.IdlFile`` reads them (header, units, iteration, time,
    grid, parameters and names from the file), every frame of an ``.outs`` file and every
    file given (in name order) along ``time``. The layout is in the module docstring.

    Args:
        paths: A file, a glob pattern or a list of files of one run and one grid layout.
        start_time: The run's start (anything ``numpy.datetime64`` takes): frame times are it
            plus the simulation time. By default the date in the file name is used, else the
            times are ``NaT``.
        frame: Coordinate system of the output, recorded in ``attrs["coordinate_system"]``
            (the file does not say; BATS-R-US's magnetosphere runs in GSM by default).
        chunks: If given, the Dataset is chunked with dask (``Dataset.chunk(chunks)``).

    Returns:
        A Dataset with ``attrs["geospacexr_kind"] == "mhd"`` and ``attrs["mhd_model"] ==
        "swmf"``.

    Raises:
        NoFilesError: If nothing matches ``paths``.
        FileFormatError: If a file is damaged or not an IDL file, exceeds the ``[io]``
            limits, or the files do not share one grid layout and variable list.
        InvalidArgumentError: If ``start_time`` is not a date or ``frame`` not a name.

    Example:
        >>> ds = geospacexr.open_swmf("3d__var_1_e20150317-060000-000.out")  # doctest: +SKIP
        >>> ds.attrs["mhd_grid"], ds.Bz.dims
        ('unstructured', ('time', 'cell'))
    """
    if not isinstance(frame, str) or not frame:
        raise InvalidArgumentError(f"must be a coordinate-system name, not {frame!r}", "frame")
    if start_time is not None:
        try:
            start = to_ns(start_time, "start_time")  # never wrapped (year 9999)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"is not a date ({exc})", "start_time") from None
        if np.isnat(start):
            raise InvalidArgumentError("is not a date (NaT)", "start_time")
    files = expand_paths(paths)
    limits = Limits.current()
    scanned = [read_idl_frames(p, limits) for p in files]
    first_file, first = scanned[0], scanned[0].frames[0]
    entries: list[tuple[IdlFile, IdlFrame]] = []
    times: list[np.ndarray] = []
    for f in scanned:
        for fr in f.frames:
            if fr.names != first.names or fr.ndim != first.ndim or fr.kind != first.kind:
                raise FileFormatError(
                    f"frames differ in names or grid layout ({fr.names} ndim {fr.ndim} against "
                    f"{first.names} ndim {first.ndim} of {first_file.path.name}); open them "
                    "separately",
                    path=f.path,
                )
            if fr.kind != "unstructured" and fr.grid != first.grid:
                raise FileFormatError(
                    f"grid {list(fr.grid)} differs from {list(first.grid)}", path=f.path
                )
            entries.append((f, fr))
        times.append(_frame_times(f.path, [fr.runtime for fr in f.frames], start_time))
    limits.check_frames(len(entries), first_file.path, "IDL frames in all", counted=True)
    nd = abs(first.ndim)
    nmax = max(fr.npoints for _, fr in entries)
    out_dtype = np.result_type(*[f.dtype.newbyteorder("=") for f in scanned])
    limits.check_array(
        len(entries) * nmax * out_dtype.itemsize, first_file.path,
        f"one variable over {len(entries)} frames of {nmax} points",
    )  # fmt: skip
    # coordinates are read now (frames are compared); variables stay on disk until indexed
    coords = [np.full((len(entries), nmax), np.nan, out_dtype) for _ in range(nd)]
    sources: list[list[Any]] = [[] for _ in first.names[nd:]]
    for t, (f, fr) in enumerate(entries):
        if f.fmt == "ascii":
            for v in range(nd):
                coords[v][t, : fr.npoints] = fr.values[v]
            for v, src in enumerate(sources):
                src.append(fr.values[nd + v])
            continue
        step = f.dtype.itemsize
        grid = _IdlVariable([(str(f.path), fr.offset + 4, nd * fr.npoints, f.dtype.str)],
                            (1, nd * fr.npoints), f.dtype.newbyteorder("="))  # fmt: skip
        values = grid[indexing.BasicIndexer((0, slice(None)))].reshape(nd, fr.npoints)
        for v in range(nd):
            coords[v][t, : fr.npoints] = values[v]
        start = fr.offset + 8 + nd * fr.npoints * step
        for v, src in enumerate(sources):
            src.append((str(f.path), start + 4 + v * (8 + fr.npoints * step), fr.npoints,
                        f.dtype.str))  # fmt: skip
    stack: list[Any] = [*coords, *sources]
    ds = _build(first, entries, stack, nd, nmax, out_dtype)
    ds = ds.assign_coords(
        time=("time", np.concatenate(times)),
        runtime=("time", np.array([fr.runtime for _, fr in entries]),
                 {"units": "s", "long_name": "simulation time"}),
        iteration=("time", np.array([fr.iteration for _, fr in entries], "int64"),
                   {"long_name": "iteration"}),
    )  # fmt: skip
    fmts = sorted({f.fmt for f in scanned})
    ds.attrs.update(
        {
            "geospacexr_kind": "mhd",
            "mhd_model": "swmf",
            "mhd_grid": first.kind,
            "coordinate_system": frame,
            "idl_format": "/".join(fmts),
            "byte_order": "/".join(
                sorted({{"<": "little", ">": "big"}.get(f.byteorder, "n/a") for f in scanned})
            ),
            "precision": "/".join(
                sorted({"double" if f.dtype.itemsize == 8 else "single" for f in scanned})
                if "binary" in fmts
                else ["ascii"]
            ),
            "idl_header": first.headline,
            "idl_ndim": first.ndim,
            "idl_names": " ".join(first.names),
            "idl_grid": np.array(first.grid, "int64"),
            "idl_parameters": json.dumps(first.params),
            "source_files": json.dumps([f.path.name for f in scanned]),
        }
    )
    if chunks is not None:
        ds = ds.chunk(chunks)
    return ds


def _build(
    first: IdlFrame,
    entries: list[tuple[IdlFile, IdlFrame]],
    stack: list[Any],
    nd: int,
    nmax: int,
    dtype: np.dtype,
) -> xr.Dataset:
    units = _frame_units(first, len(first.params))
    taken: set[str] = set()
    names = []
    for name in first.names:
        new = _standard_name(name, taken)
        taken.add(new)
        names.append(new)
    kind = first.kind
    coords: dict[str, Any] = {}
    data_vars: dict[str, Any] = {}
    if kind == "unstructured":
        dims: tuple[str, ...] = ("time", "cell")
        shape = (len(entries), nmax)
    elif kind == "regular":
        axes = [names[a] for a in range(nd)]
        if len(set(axes)) < nd:
            raise FileFormatError(f"repeated coordinate names {axes}", path=entries[0][0].path)
        dims = ("time", *axes[::-1])
        shape = (len(entries), *first.grid[::-1])
    else:
        dims = ("time", *("k", "j", "i")[-nd:])
        shape = (len(entries), *first.grid[::-1])
    for v, name in enumerate(first.names):
        new = names[v]
        attrs = {"source_name": name, "source_units": units[v], "units": _cf_units(units[v])}
        if new in _LONG_NAMES:
            attrs["long_name"] = _LONG_NAMES[new]
        if v >= nd:
            lazy = _IdlVariable(stack[v], shape, dtype)
            data_vars[new] = (dims, indexing.LazilyIndexedArray(lazy), attrs)
            continue
        values = stack[v].reshape(shape)
        if v < nd:
            attrs["long_name"] = f"{new} position"
            if kind == "regular":
                # a regular grid's coordinate varies along its own axis only (first frame)
                axis = nd - v
                index = [0] * nd
                index[axis - 1] = slice(None)
                coords[new] = (new, values[(0, *index)], attrs)
                continue
            same = all(np.array_equal(values[0], values[t], equal_nan=True)
                       for t in range(1, len(entries)))  # fmt: skip
            coords[new] = (dims[1:], values[0], attrs) if same else (dims, values, attrs)
            continue
    return xr.Dataset(data_vars, coords=coords)


@register_reader(
    "swmf-idl",
    kind="mhd",
    patterns=("*.out", "*.outs"),
    sniff=_sniff,
    description="SWMF / BATS-R-US IDL plot files (.out, .outs; binary either byte order and "
    "precision, or ASCII)",
    sample="swmf-idl",
)
def open_swmf_files(
    files: PathLike | Iterable[PathLike], start_time: Any = None, frame: str = "GSM",
    chunks: Any = None,
) -> xr.Dataset:  # fmt: skip
    """SWMF / BATS-R-US IDL files (the ``swmf-idl`` reader; see :func:`open_swmf`).

    Args:
        files: IDL files of one run.
        start_time: The run's start, when the file names carry no date.
        frame: Coordinate system recorded in the attributes.
        chunks: Dask chunks, if any.

    Returns:
        The ``mhd`` Dataset.
    """
    return open_swmf(files, start_time=start_time, frame=frame, chunks=chunks)
