"""MAGE output: GAMERA magnetosphere ``.gam.h5`` (serial or MPI blocks) and ReMIX ``.mix.h5``.

The layout is the one kaipy 1.1.5 reads (``kaipy/kaiH5.py``, ``kaipy/gamera/gampp.py``,
``kaipy/gamera/magsphere.py``, ``kaipy/remix/remix.py``); no real MAGE file is public, so the
readers follow that code and its test fixtures (``docs/mhd.md`` has the details).

GAMERA (:func:`open_gamera`): root ``X``, ``Y``, ``Z`` cell corners (R_E, SM) and ``dV``; groups
``Step#<n>`` with attributes ``time``, ``MJD``, ``timestep`` and cell-centred datasets
(``D``, ``P``, ``Vx``..``Jz``, optional ``SrcD_RING``...). Arrays are stored with the Fortran
axes reversed, ``(k, j, i)``, which are the Dataset's dims as they are (kaipy transposes to
``(i, j, k)``). An MPI run is one file per rank, ``<runid>_Ri_Rj_Rk_i_j_k.gam.h5``; every block
has the same size and block ``(i, j, k)`` holds cells ``[i dNi, (i+1) dNi)``; the corner arrays
overlap their neighbours by one face, taken once. ``UnitsID = "CODE"`` (also when absent)
means code units, scaled as kaipy does: B x 4.58 -> nT, P x 1.67e-2 -> nPa, V x 100 -> km/s,
time x 63.8 -> s; D is in cm-3 and J is taken as nA/m2 (kaipy's assumption). Time comes from
``timeAttributeCache`` when present (kaipy's choice), else from each step's attributes.

ReMIX (:func:`open_remix`): root ``X``, ``Y`` corners of ``sin(colat) cos(phi)``,
``sin(colat) sin(phi)`` (``phi`` from noon towards dusk), step datasets
``"<quantity> NORTH"`` / ``"<quantity> SOUTH"`` of shape ``(Nlat, Nlon)``.

Both readers are lazy: each variable is an xarray backend array that reads, on access, only the
steps and the part of the grid asked for (one HDF5 read per block); ``chunks=`` makes them dask
arrays. Every dataset is checked before it is read: values in other files (external storage,
virtual datasets) are refused (:mod:`geospacexr.io.hdf5`), declared sizes are compared with the
``[io]`` limits (:mod:`geospacexr.io.limits`), variable-length string attributes are read only
after the global-heap check (:mod:`geospacexr.io.h5safe`), and any failure is a
:class:`~geospacexr.errors.FileFormatError` naming the file, the group and the dataset.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

from ..errors import (
    DataWarning,
    FileFormatError,
    GeospacexrError,
    InvalidArgumentError,
    NoFilesError,
)
from .h5safe import check_global_heaps, length_size
from .hdf5 import check_size, check_storage
from .limits import Limits
from .registry import register_reader

__all__ = ["open_gamera", "open_remix"]

PathLike = str | os.PathLike[str]

#: kaipy's CODE unit factors (``kaipy/gamera/magsphere.py``), per variable name.
CODE_UNITS: dict[str, tuple[float, str, str]] = {
    "D": (1.0, "cm-3", "number density"),
    "P": (1.67e-2, "nPa", "thermal pressure"),
    "Vx": (1.0e2, "km s-1", "velocity x (SM)"),
    "Vy": (1.0e2, "km s-1", "velocity y (SM)"),
    "Vz": (1.0e2, "km s-1", "velocity z (SM)"),
    "Bx": (4.58, "nT", "magnetic field x (SM)"),
    "By": (4.58, "nT", "magnetic field y (SM)"),
    "Bz": (4.58, "nT", "magnetic field z (SM)"),
    "Jx": (1.0, "nA m-2", "current density x (SM)"),
    "Jy": (1.0, "nA m-2", "current density y (SM)"),
    "Jz": (1.0, "nA m-2", "current density z (SM)"),
}
#: kaipy's CODE time unit, s (R_E / 100 km/s).
CODE_TIME_S = 63.8
#: kaipy's default dipole moment, nT R_E^3 (``-kdefs.EarthM0g * 1e5``).
DEFAULT_MAGM0 = -0.2961737e5
#: The run-level attribute cache (``kdefs.grpTimeCache``).
TIME_CACHE = "timeAttributeCache"
_MJD_UNIX = 40_587.0
_NS_MAX_S = int(np.iinfo(np.int64).max) // 1_000_000_000
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_MPI = re.compile(
    r"^(?P<runid>.+)_(?P<Ri>\d{4,})_(?P<Rj>\d{4,})_(?P<Rk>\d{4,})"
    r"_(?P<i>\d{4,})_(?P<j>\d{4,})_(?P<k>\d{4,})\.gam\.h5$"
)
_STEP = re.compile(r"^Step#(-?\d{1,12})$")
_NOTE_J = (
    "GAMERA writes J in code units; kaipy (msphViz.PlotJyXZ) labels it nA/m2 with factor 1, "
    "'just assuming': unconfirmed"
)


# --------------------------------------------------------------------------- small helpers


def _h5py() -> Any:
    import h5py

    return h5py


def _fail(path: PathLike, message: str) -> FileFormatError:
    return FileFormatError(message, path=path)


class _File:
    """An open HDF5 file whose variable-length strings are read only after the heap check."""

    def __init__(self, path: PathLike) -> None:
        self.path = Path(path)
        try:
            self.f = _h5py().File(self.path, "r")
        except FileFormatError:
            raise
        except Exception as exc:
            raise _fail(
                self.path, f"not a readable HDF5 file ({type(exc).__name__}: {exc})"
            ) from None
        self._heaps_checked = False

    def __enter__(self) -> _File:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.f.close()

    def attr(self, obj: Any, name: str, where: str) -> Any:
        """Attribute ``name`` of ``obj`` (None if absent); vlen strings after the heap check."""
        h5py = _h5py()
        try:
            if name not in obj.attrs:
                return None
            aid = h5py.h5a.open(obj.id, name.encode())
            atype = aid.get_type()
            vlen = (
                isinstance(atype, h5py.h5t.TypeStringID) and atype.is_variable_str()
            ) or atype.get_class() == h5py.h5t.VLEN
            if vlen and not self._heaps_checked:
                check_global_heaps(self.path, length_size(self.f))
                self._heaps_checked = True
            shape = aid.shape
            if int(np.prod(shape or (1,), dtype=object)) > 1024:
                raise _fail(self.path, f"{where} attribute {name} holds {shape} values")
            return obj.attrs[name]
        except GeospacexrError:
            raise
        except Exception as exc:
            raise _fail(
                self.path, f"{where}: cannot read attribute {name} ({type(exc).__name__}: {exc})"
            ) from None


def _text(value: Any) -> str:
    value = np.asarray(value)
    if value.size != 1:
        raise ValueError(f"{value.size} values")
    item = value.ravel()[0]
    if isinstance(item, bytes):
        return item.decode("latin-1").strip("\x00 ")
    if isinstance(item, str):
        return item.strip("\x00 ")
    raise ValueError(f"a {value.dtype} value, not text")


def _number(value: Any, path: PathLike, what: str) -> float:
    """One finite number from an attribute value (a scalar or a one-element array)."""
    a = np.asarray(value)
    if a.size != 1 or a.dtype.kind not in "biuf":
        shown = repr(a.tolist())[:60]
        raise _fail(path, f"{what} is {shown} ({a.dtype}), expected one number")
    x = float(a.ravel()[0])
    if not np.isfinite(x):
        raise _fail(path, f"{what} is {x}, expected a finite number")
    return x


def _dataset(file: _File, name: str, where: str = "") -> Any:
    """The dataset ``name`` of the file (checked: a dataset, stored in this file)."""
    h5py = _h5py()
    try:
        obj = file.f.get(name)
    except Exception as exc:
        raise _fail(file.path, f"cannot open {name} ({type(exc).__name__}: {exc})") from None
    if obj is None:
        raise _fail(file.path, f"no dataset {name}{where}")
    if not isinstance(obj, h5py.Dataset):
        raise _fail(file.path, f"{name} is a {type(obj).__name__}, expected a dataset")
    check_storage(obj, file.path)
    return obj


def _read(file: _File, name: str, limits: Limits, shape: tuple[int, ...] | None = None) -> Any:
    """Read a whole numeric dataset after the storage, type, size (and shape) checks."""
    obj = _dataset(file, name)
    check_size(obj, file.path, limits)
    if shape is not None and tuple(obj.shape) != tuple(shape):
        raise _fail(file.path, f"{name} has shape {obj.shape}, expected {tuple(shape)}")
    try:
        return obj[()]
    except Exception as exc:
        raise _fail(
            file.path, f"cannot read {name} ({type(exc).__name__}: {exc}); the file is damaged"
        ) from None


def _mjd_to_ns(mjd: np.ndarray, path: PathLike, what: str) -> np.ndarray:
    """MJD (UTC days) to ``datetime64[ns]``, rounded to the microsecond, never wrapping."""
    mjd = np.asarray(mjd, dtype=np.float64)
    seconds = (mjd - _MJD_UNIX) * 86_400.0
    bad = ~np.isfinite(seconds) | (np.abs(seconds) > _NS_MAX_S - 1)
    if bad.any():
        raise _fail(
            path,
            f"{what} {mjd[bad][:3].tolist()} is not a date datetime64[ns] can hold "
            "(MJD outside about -100000 to 140000)",
        )
    micro = np.round(seconds * 1e6).astype(np.int64)
    return micro.astype("datetime64[us]").astype("datetime64[ns]")


def _seconds_to_td(seconds: np.ndarray, path: PathLike, what: str) -> np.ndarray:
    seconds = np.asarray(seconds, dtype=np.float64)
    bad = ~np.isfinite(seconds) | (np.abs(seconds) > _NS_MAX_S - 1)
    if bad.any():
        raise _fail(path, f"{what} {seconds[bad][:3].tolist()} s is not a time span")
    return np.round(seconds * 1e9).astype(np.int64).astype("timedelta64[ns]")


# --------------------------------------------------------------------------- steps and times


def _step_groups(file: _File, limits: Limits) -> list[int]:
    """Sorted step numbers of the ``Step#<n>`` groups (names only; nothing else is read)."""
    steps = []
    try:
        names = list(file.f.keys())
    except Exception as exc:
        raise _fail(file.path, f"cannot list the groups ({type(exc).__name__}: {exc})") from None
    limits.check_frames(len(names), file.path, "root objects (steps)")
    for name in names:
        if name.startswith("Step#"):
            m = _STEP.match(name)
            if m is None:
                raise _fail(file.path, f"group {name!r} is not Step#<integer>")
            steps.append(int(m.group(1)))
    return sorted(steps)


@dataclass
class _Times:
    steps: np.ndarray  # step numbers
    time: np.ndarray | None  # the step attribute ``time`` (file units)
    mjd: np.ndarray | None
    timestep: np.ndarray | None
    source: str


def _read_times(file: _File, limits: Limits, use_cache: bool = True) -> _Times:
    """Steps and their time attributes: from ``timeAttributeCache`` if there, else the groups."""
    h5py = _h5py()
    groups = _step_groups(file, limits)
    cache = file.f.get(TIME_CACHE) if use_cache else None
    if cache is not None and isinstance(cache, h5py.Group) and "step" in cache:

        def column(name: str, kinds: str = "biuf") -> np.ndarray | None:
            if name not in cache:
                return None
            obj = _dataset(file, f"{TIME_CACHE}/{name}")
            check_size(obj, file.path, limits, kinds=kinds)
            if obj.ndim != 1:
                raise _fail(file.path, f"{TIME_CACHE}/{name} has shape {obj.shape}, expected 1-D")
            limits.check_frames(obj.shape[0], file.path, f"entries in {TIME_CACHE}/{name}")
            try:
                return np.asarray(obj[()])
            except Exception as exc:
                raise _fail(
                    file.path, f"cannot read {TIME_CACHE}/{name} ({type(exc).__name__}: {exc})"
                ) from None

        steps = column("step", "iu")
        assert steps is not None
        out = {}
        for name in ("time", "MJD", "timestep"):
            values = column(name)
            if values is not None and values.shape != steps.shape:
                raise _fail(
                    file.path,
                    f"{TIME_CACHE}/{name} has {values.size} values for {steps.size} steps",
                )
            out[name] = values
        if np.unique(steps).size != steps.size:
            raise _fail(file.path, f"{TIME_CACHE}/step repeats step numbers")
        missing = sorted(set(steps.tolist()) - set(groups))
        if missing:
            raise _fail(
                file.path,
                f"{TIME_CACHE}/step lists step(s) {missing[:5]} that have no Step# group",
            )
        order = np.argsort(steps, kind="stable")
        pick = {k: (None if v is None else v[order]) for k, v in out.items()}
        return _Times(
            steps[order].astype(np.int64), pick["time"], pick["MJD"], pick["timestep"], TIME_CACHE
        )
    if not groups:
        raise _fail(file.path, "no Step#<n> groups: not a GAMERA/ReMIX output (a restart dump?)")
    values: dict[str, list[float]] = {"time": [], "MJD": [], "timestep": []}
    present = dict.fromkeys(values, 0)
    for n in groups:
        group = file.f[f"Step#{n}"]
        if not isinstance(group, h5py.Group):
            raise _fail(file.path, f"Step#{n} is not a group")
        for key in values:
            raw = file.attr(group, key, f"Step#{n}")
            if raw is None:
                values[key].append(np.nan)
            else:
                values[key].append(_number(raw, file.path, f"Step#{n} attribute {key}"))
                present[key] += 1
    cols = {}
    for key, vals in values.items():
        if present[key] == 0:
            cols[key] = None
        elif present[key] != len(groups):
            raise _fail(
                file.path, f"attribute {key} is on {present[key]} of {len(groups)} Step# groups"
            )
        else:
            cols[key] = np.asarray(vals)
    return _Times(
        np.asarray(groups, dtype=np.int64),
        cols["time"],
        cols["MJD"],
        cols["timestep"],
        "Step# attributes",
    )


def _select_steps(times: _Times, steps: Any, path: PathLike) -> np.ndarray:
    """Positions of the requested step numbers in ``times.steps``."""
    if steps is None:
        return np.arange(times.steps.size)
    if isinstance(steps, int | np.integer):
        wanted = [int(steps)]
    elif isinstance(steps, Iterable) and not isinstance(steps, str | bytes):
        wanted = [int(s) for s in steps]
    else:
        raise InvalidArgumentError(
            f"steps: a step number or a list of step numbers (Step#<n>), not {steps!r}",
            argument="steps",
        )
    where = {int(s): p for p, s in enumerate(times.steps.tolist())}
    missing = [s for s in wanted if s not in where]
    if missing:
        first, last = (int(times.steps[0]), int(times.steps[-1])) if times.steps.size else (0, -1)
        raise InvalidArgumentError(
            f"steps: {missing[:5]} not in {Path(path).name} (it has {times.steps.size} steps, "
            f"Step#{first} to Step#{last})",
            argument="steps",
        )
    return np.asarray([where[s] for s in wanted], dtype=np.int64)


def _time_coords(
    times: _Times, pick: np.ndarray, time_scale: float, path: PathLike
) -> tuple[dict[str, Any], bool]:
    """The ``time`` coordinate (from MJD) and ``step`` / ``elapsed`` / ``timestep``."""
    coords: dict[str, Any] = {
        "step": ("time", times.steps[pick], {"long_name": "output step (Step#<n>)"})
    }
    if times.time is not None:
        elapsed = _seconds_to_td(times.time[pick] * time_scale, path, "step time")
        coords["elapsed"] = ("time", elapsed, {"long_name": "simulation time since the start"})
    if times.timestep is not None:
        coords["timestep"] = (
            "time",
            times.timestep[pick].astype(np.int64),
            {"long_name": "solver time step number"},
        )
    mjd = times.mjd
    has_mjd = mjd is not None and mjd.size > 0 and float(np.nanmax(mjd)) > 0  # kaipy's test
    if has_mjd:
        assert mjd is not None
        coords["time"] = ("time", _mjd_to_ns(mjd[pick], path, "MJD"), {"long_name": "UT"})
    elif "elapsed" in coords:
        coords["time"] = coords["elapsed"]
    else:
        coords["time"] = ("time", times.steps[pick])
    return coords, has_mjd


# --------------------------------------------------------------------------- lazy arrays


def _read_region(
    path: str,
    name: str,
    region: tuple[slice, ...],
    shape: tuple[int, ...],
    limits: Limits | None = None,
) -> np.ndarray:
    """Read ``region`` of dataset ``name`` (group/dataset) of ``path``, checked first.

    The one place step data are read (tests count its calls). ``limits`` are those of the
    context that opened the run (a dask task in another thread does not see its overrides).
    """
    try:
        with _File(path) as file:
            obj = file.f.get(name)
            if obj is None:
                raise _fail(path, f"no dataset {name} (other steps have it)")
            if not isinstance(obj, _h5py().Dataset):
                raise _fail(path, f"{name} is a {type(obj).__name__}, expected a dataset")
            check_storage(obj, path)
            if obj.dtype.kind not in "biuf" or obj.dtype.names is not None:
                raise _fail(path, f"{name} has the HDF5 type {obj.dtype}, expected numbers")
            if tuple(obj.shape) != tuple(shape):
                raise _fail(path, f"{name} has shape {obj.shape}, expected {tuple(shape)}")
            count = 1
            for s, n in zip(region, shape, strict=True):
                count *= len(range(*s.indices(n)))
            (limits or Limits.current()).check_array(
                count * obj.dtype.itemsize, path, f"reading {name}"
            )
            return obj[region]
    except GeospacexrError:
        raise
    except Exception as exc:
        raise _fail(
            path, f"cannot read {name} ({type(exc).__name__}: {exc}); the file is damaged"
        ) from None


def _indices(item: Any, size: int) -> tuple[np.ndarray, bool]:
    """An outer-indexer element as an index array, and whether the dim is dropped."""
    if isinstance(item, slice):
        return np.arange(size)[item], False
    if isinstance(item, int | np.integer):
        i = int(item)
        return np.array([i + size if i < 0 else i]), True
    a = np.asarray(item).astype(np.int64).ravel()
    return np.where(a < 0, a + size, a), False


@dataclass(frozen=True)
class _Block:
    path: str
    offset: tuple[int, ...]  # global index of the block's first element, per spatial dim
    shape: tuple[int, ...]  # the block's dataset shape


class _GameraArray(BackendArray):
    """One variable of a GAMERA run, (time, k, j, i): reads the blocks and steps asked for."""

    def __init__(
        self,
        blocks: tuple[_Block, ...],
        groups: tuple[str, ...],
        name: str,
        shape: tuple[int, ...],
        dtype: np.dtype,
        factor: float,
        limits: Limits,
    ) -> None:
        self.limits = limits
        self.blocks = blocks
        self.groups = groups
        self.name = name
        self.shape = (len(groups), *shape)
        self.dtype = dtype
        self.factor = factor

    def __getitem__(self, key: Any) -> np.ndarray:
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.OUTER, self._raw
        )

    def _raw(self, key: tuple[Any, ...]) -> np.ndarray:
        picks = [_indices(item, n) for item, n in zip(key, self.shape, strict=True)]
        sizes = [p[0].size for p in picks]
        self.limits.check_array(
            int(np.prod(sizes, dtype=object)) * self.dtype.itemsize,
            self.blocks[0].path,
            f"{self.name}{list(sizes)}",
        )
        out = np.empty(sizes, dtype=self.dtype)
        times, spatial = picks[0][0], [p[0] for p in picks[1:]]
        for block in self.blocks:
            local, where = [], []
            for idx, off, n in zip(spatial, block.offset, block.shape, strict=True):
                inside = (idx >= off) & (idx < off + n)
                local.append(idx[inside] - off)
                where.append(np.flatnonzero(inside))
            if any(loc.size == 0 for loc in local):
                continue
            region = tuple(slice(int(loc.min()), int(loc.max()) + 1) for loc in local)
            sub_pick = np.ix_(*[loc - r.start for loc, r in zip(local, region, strict=True)])
            for t_out, t in enumerate(times.tolist()):
                data = _read_region(
                    block.path, f"{self.groups[t]}/{self.name}", region, block.shape, self.limits
                )
                out[(t_out, *np.ix_(*where))] = data[sub_pick]
        if self.factor != 1.0:
            with np.errstate(over="ignore"):  # a garbage value scales to inf, as numpy does
                out *= self.dtype.type(self.factor)
        drop = tuple(0 if p[1] else slice(None) for p in picks)
        return out[drop]


# --------------------------------------------------------------------------- GAMERA files


@dataclass
class _Run:
    runid: str
    blocks: dict[tuple[int, int, int], Path]  # (i, j, k) -> file
    decomposition: tuple[int, int, int]  # (Ri, Rj, Rk)

    @property
    def first(self) -> Path:
        return self.blocks[(0, 0, 0)]


def _runid(path: Path) -> str:
    m = _MPI.match(path.name)
    if m:
        return m.group("runid")
    name = path.name
    for suffix in (".gam.h5", ".h5"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _run_key(path: Path) -> str:
    return str(path.parent / _runid(path))


def _find_run(paths: Sequence[Path]) -> _Run:
    """The serial file or the complete set of MPI blocks that ``paths`` belong to."""
    if not paths:
        raise NoFilesError("no GAMERA file given")
    mpi = [(p, _MPI.match(p.name)) for p in paths]
    if all(m is None for _, m in mpi):
        if len(paths) > 1:
            raise FileFormatError(
                f"{len(paths)} serial GAMERA files ({', '.join(p.name for p in paths[:4])}); "
                "a run is one <runid>.gam.h5 file or a set of MPI blocks: open each separately"
            )
        return _Run(_runid(paths[0]), {(0, 0, 0): paths[0]}, (1, 1, 1))
    if any(m is None for _, m in mpi):
        raise FileFormatError(
            "serial GAMERA files and MPI blocks given together: "
            + ", ".join(p.name for p in paths[:4])
        )
    runs = {
        (p.parent, m.group("runid"), m.group("Ri"), m.group("Rj"), m.group("Rk"))
        for p, m in mpi
        if m is not None
    }
    if len(runs) > 1:
        raise FileFormatError(
            f"MPI blocks of {len(runs)} runs or decompositions: "
            + ", ".join(p.name for p in paths[:4])
            + "; open each run separately"
        )
    folder, runid, *rs = runs.pop()
    ri, rj, rk = (int(r) for r in rs)
    if min(ri, rj, rk) < 1:
        raise FileFormatError(f"MPI decomposition {ri}x{rj}x{rk} in {paths[0].name}")
    Limits.current().check_frames(ri * rj * rk, paths[0], "MPI blocks")
    blocks: dict[tuple[int, int, int], Path] = {}
    for p, m in mpi:
        assert m is not None
        blocks[(int(m.group("i")), int(m.group("j")), int(m.group("k")))] = p
    missing = []
    for i in range(ri):
        for j in range(rj):
            for k in range(rk):
                if (i, j, k) in blocks:
                    continue
                name = f"{runid}_{ri:04d}_{rj:04d}_{rk:04d}_{i:04d}_{j:04d}_{k:04d}.gam.h5"
                if (folder / name).is_file():
                    blocks[(i, j, k)] = folder / name
                else:
                    missing.append(name)
    if missing:
        raise FileFormatError(
            f"MPI run {runid} ({ri}x{rj}x{rk} blocks) misses {len(missing)} block(s) in "
            f"{folder}: {', '.join(missing[:4])}{' ...' if len(missing) > 4 else ''}"
        )
    extra = [b for b in blocks if not (b[0] < ri and b[1] < rj and b[2] < rk)]
    if extra:
        raise FileFormatError(f"MPI block indices {extra[:3]} outside the {ri}x{rj}x{rk} run")
    return _Run(runid, blocks, (ri, rj, rk))


def _gamera_paths(path: PathLike | Sequence[PathLike]) -> list[Path]:
    items = [path] if isinstance(path, str | os.PathLike) else list(path)
    out: list[Path] = []
    for item in items:
        p = Path(item).expanduser()
        if p.is_dir():
            serial = sorted(q for q in p.glob("*.gam.h5") if not _MPI.match(q.name))
            blocks = sorted(q for q in p.glob("*.gam.h5") if _MPI.match(q.name))
            if (serial and blocks) or len(serial) > 1:
                raise FileFormatError(
                    f"{p} holds several GAMERA runs "
                    f"({', '.join(q.name for q in (serial + blocks)[:4])}); "
                    "give the file (or one block) to open"
                )
            if not serial and not blocks:
                raise NoFilesError(f"no *.gam.h5 file in {p}")
            out.extend(serial or blocks)
        elif p.is_file():
            out.append(p)
        else:
            raise NoFilesError(f"no such file: {p}")
    return out


def _units_scaled(units_id: str | None) -> bool:
    return units_id is None or units_id.upper() == "CODE"


def open_gamera(
    path: PathLike | Sequence[PathLike],
    steps: int | Iterable[int] | None = None,
    chunks: Any = None,
) -> xr.Dataset:
    """Open GAMERA magnetosphere output (serial or MPI blocks) as a standard ``mhd`` Dataset.

    Args:
        path: A serial ``<runid>.gam.h5`` (or older ``<runid>.h5``) file, any one block of an MPI
            run ``<runid>_Ri_Rj_Rk_i_j_k.gam.h5`` (the other blocks are found beside it), a list
            of blocks, or a folder holding one run.
        steps: Step number(s) to keep (the ``n`` of ``Step#<n>``); default all.
        chunks: dask chunks (e.g. ``{"time": 1}``); default none: lazily indexed backend arrays
            (a selection reads only the steps and cells it needs, without dask).

    Returns:
        A Dataset of kind ``"mhd"`` (``attrs["mhd_model"] = "gamera"``,
        ``attrs["mhd_grid"] = "curvilinear"``): cell-centred variables named as GAMERA names
        them (``D``, ``P``, ``Vx``..``Vz``, ``Bx``..``Bz``, ``Jx``..``Jz``, and any other step
        dataset on the cells or corners) with dims ``(time, k, j, i)`` in physical units
        (``attrs["units"]``), corner coordinates ``X``, ``Y``, ``Z`` (R_E, SM) on
        ``(kc, jc, ic)``, cell centres ``x``, ``y``, ``z`` (the mean of the eight corners) on
        ``(k, j, i)``, ``dV`` (R_E^3), ``time`` from MJD as ``datetime64[ns]`` with ``step``,
        ``elapsed`` and ``timestep`` beside it. ``attrs`` keep ``UnitsID``, ``MagM0``
        (nT R_E^3, kaipy's default when absent), the run id, the MPI decomposition and the files.
        A 2-D run has dims ``(time, j, i)``.

    Raises:
        NoFilesError: If the path does not exist.
        FileFormatError: If a file is not GAMERA output, is damaged, misses a block, or declares
            more than the ``[io]`` limits; the message names the file, group and dataset.
        InvalidArgumentError: If a requested step is not in the run.

    Example:
        >>> ds = open_gamera("run/msphere.gam.h5", steps=[10])   # doctest: +SKIP
        >>> ds.Bz.isel(time=0, k=0)                              # doctest: +SKIP
    """
    run = _find_run(_gamera_paths(path))
    try:
        return _open_gamera(run, steps, chunks)
    except (GeospacexrError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # h5py raises KeyError, OSError, ValueError... on damaged files
        raise _fail(
            run.first, f"cannot read the GAMERA run ({type(exc).__name__}: {exc}); it is damaged"
        ) from None


def _open_gamera(run: _Run, steps: Any, chunks: Any) -> xr.Dataset:
    limits = Limits.current()
    h5py = _h5py()
    first = run.first
    ri, rj, rk = run.decomposition
    with _File(first) as file:
        if "X" not in file.f:
            raise _fail(first, "no dataset X (cell corners): not GAMERA output")
        xobj = _dataset(file, "X")
        ndim = xobj.ndim
        if ndim not in (2, 3) or min(xobj.shape) < 2:
            raise _fail(first, f"X has shape {xobj.shape}, expected 2-D or 3-D cell corners")
        if ndim == 2 and rk != 1:
            raise _fail(first, f"a 2-D run decomposed in k ({ri}x{rj}x{rk})")
        corner_block = tuple(int(n) for n in xobj.shape)
        cell_block = tuple(n - 1 for n in corner_block)
        reps = (rk, rj, ri)[-ndim:]
        global_cells = tuple(n * r for n, r in zip(cell_block, reps, strict=True))
        global_corners = tuple(n + 1 for n in global_cells)
        # each corner array is held in float64 (one array per check, as for every reader)
        limits.check_array(
            int(np.prod(global_corners, dtype=object)) * 8,
            first,
            f"each {'x'.join(map(str, global_corners))} array of the corner grid",
        )
        units_raw = file.attr(file.f, "UnitsID", "root")
        try:
            units_id = None if units_raw is None else _text(units_raw)
        except ValueError as exc:
            raise _fail(first, f"root attribute UnitsID is not text ({exc})") from None
        magm0_raw = file.attr(file.f, "MagM0", "root")
        magm0 = (
            DEFAULT_MAGM0
            if magm0_raw is None
            else _number(magm0_raw, first, "root attribute MagM0")
        )
        provenance = {}
        for key in ("GITHASH", "GITBRANCH"):
            raw = file.attr(file.f, key, "root")
            if raw is not None:
                try:
                    provenance[key] = _text(raw)
                except ValueError:
                    pass  # provenance only: a damaged hash is not worth refusing the run
        times = _read_times(file, limits)
        pick = _select_steps(times, steps, first)
        if pick.size == 0:
            raise _fail(first, "no steps")
        groups = tuple(f"Step#{n}" for n in times.steps[pick])
        # the variables: every numeric dataset of the first selected step on cells or corners
        step0 = file.f.get(groups[0])
        if not isinstance(step0, h5py.Group):
            raise _fail(first, f"{groups[0]} is not a group")
        variables: dict[str, tuple[str, np.dtype]] = {}
        skipped = []
        for name in step0.keys():
            obj = step0.get(name)
            if not isinstance(obj, h5py.Dataset):
                skipped.append(name)
                continue
            check_storage(obj, first)
            check_size(obj, first, limits)
            if tuple(obj.shape) == cell_block:
                variables[name] = ("cell", obj.dtype)
            elif tuple(obj.shape) == corner_block:
                variables[name] = ("corner", obj.dtype)
            else:
                raise _fail(
                    first,
                    f"{groups[0]}/{name} has shape {obj.shape}, neither the cells {cell_block} "
                    f"nor the corners {corner_block} of X",
                )
        root_vars = []
        for name in file.f.keys():
            if name in ("X", "Y", "Z") or name.startswith("Step#") or name == TIME_CACHE:
                continue
            if isinstance(file.f.get(name), h5py.Dataset):
                root_vars.append(name)
    if not variables:
        raise _fail(first, f"{groups[0]} holds no dataset on the grid of X")
    scaled = _units_scaled(units_id)
    time_scale = CODE_TIME_S if scaled else 1.0

    # the grid, stitched: every block's corners, shared faces taken once (and checked equal)
    names_xyz = ("X", "Y", "Z")[:ndim]
    grid = {n: np.empty(global_corners, dtype=np.float64) for n in names_xyz}
    filled = np.zeros(global_corners, dtype=bool)
    dv = np.empty(global_cells, dtype=np.float64) if "dV" in root_vars else None
    blocks_cell: list[_Block] = []
    blocks_corner: list[_Block] = []
    for (i, j, k), bpath in sorted(run.blocks.items()):
        offset_cell = tuple(b * n for b, n in zip((k, j, i)[-ndim:], cell_block, strict=True))
        region = tuple(slice(o, o + n) for o, n in zip(offset_cell, corner_block, strict=True))
        with _File(bpath) as file:
            if bpath != first:
                bsteps = set(_step_groups(file, limits))
                lost = [g for g in groups if int(g[5:]) not in bsteps]
                if lost:
                    raise _fail(bpath, f"block misses {', '.join(lost[:4])} (block 0,0,0 has them)")
            for n in names_xyz:
                values = np.asarray(_read(file, n, limits, corner_block), dtype=np.float64)
                if not np.isfinite(values).all():
                    raise _fail(bpath, f"{n} holds non-finite corner positions")
                target = grid[n][region]
                seen = filled[region]
                if seen.any() and not np.allclose(
                    target[seen], values[seen], rtol=1e-5, atol=1e-6 * (1 + np.abs(values).max())
                ):
                    raise _fail(
                        bpath,
                        f"{n} disagrees with the neighbouring blocks on their shared faces: "
                        "blocks of different runs?",
                    )
                target[...] = values
            filled[region] = True
            if dv is not None:
                cells = tuple(slice(o, o + n) for o, n in zip(offset_cell, cell_block, strict=True))
                dv[cells] = _read(file, "dV", limits, cell_block)
        blocks_cell.append(_Block(str(bpath), offset_cell, cell_block))
        blocks_corner.append(_Block(str(bpath), offset_cell, corner_block))
    if not filled.all():  # pragma: no cover - the blocks tile the grid by construction
        raise _fail(first, "the MPI blocks do not cover the grid")

    dims = ("k", "j", "i")[-ndim:]
    cdims = ("kc", "jc", "ic")[-ndim:]
    data_vars: dict[str, Any] = {}
    for name, (where, dtype) in variables.items():
        factor, units, long_name = CODE_UNITS.get(name, (1.0, "", name))
        if not scaled:
            factor = 1.0
        out_dtype = np.result_type(dtype, np.float32)
        shape = global_cells if where == "cell" else global_corners
        array = _GameraArray(
            tuple(blocks_cell if where == "cell" else blocks_corner),
            groups,
            name,
            shape,
            np.dtype(out_dtype),
            factor,
            limits,
        )
        attrs = {"long_name": long_name, "units": units, "source_name": name}
        if scaled and factor != 1.0:
            attrs["code_unit"] = factor
        if name.startswith("J"):
            attrs["units_note"] = _NOTE_J
        data_vars[name] = xr.Variable(
            ("time", *(dims if where == "cell" else cdims)),
            indexing.LazilyIndexedArray(array),
            attrs,
        )
    coords, has_mjd = _time_coords(times, pick, time_scale, first)
    for n in names_xyz:
        coords[n] = (cdims, grid[n], {"long_name": f"{n} of the cell corners (SM)", "units": "R_E"})
    for n in names_xyz:
        a = grid[n]
        if ndim == 3:
            c = 0.125 * (
                a[:-1, :-1, :-1] + a[1:, :-1, :-1] + a[:-1, 1:, :-1] + a[:-1, :-1, 1:]
                + a[1:, 1:, :-1] + a[1:, :-1, 1:] + a[:-1, 1:, 1:] + a[1:, 1:, 1:]
            )  # fmt: skip
        else:
            c = 0.25 * (a[:-1, :-1] + a[1:, :-1] + a[:-1, 1:] + a[1:, 1:])
        coords[n.lower()] = (
            dims,
            c,
            {
                "long_name": f"{n.lower()} of the cell centres (SM, mean of the corners)",
                "units": "R_E",
            },
        )
    if dv is not None:
        data_vars["dV"] = xr.Variable(
            dims, dv, {"long_name": "cell volume", "units": "R_E3", "source_name": "dV"}
        )
    files = [run.blocks[b].name for b in sorted(run.blocks)]
    attrs = {
        "geospacexr_kind": "mhd",
        "mhd_model": "gamera",
        "mhd_grid": "curvilinear",
        "coordinate_system": "SM",
        "runid": run.runid,
        "UnitsID": units_id if units_id is not None else "CODE (absent: assumed)",
        "units_scaled": int(scaled),
        "MagM0": magm0,
        "MagM0_units": "nT R_E3 (kaipy subtracts -MagM0/r^3 from Bz in nT)",
        "mpi_decomposition": json.dumps([ri, rj, rk]),
        "source_files": json.dumps(files),
        "time_source": times.source if has_mjd else f"{times.source} (no MJD: time is elapsed)",
        "description": "GAMERA magnetosphere MHD output read as kaipy 1.1.5 reads it",
        **provenance,
    }
    if skipped:
        attrs["skipped"] = json.dumps(skipped)
    if not has_mjd:
        import warnings

        warnings.warn(
            f"{first.name}: the steps have no MJD; time holds the simulation time elapsed",
            DataWarning,
            stacklevel=2,
        )
    ds = xr.Dataset(data_vars, coords=coords, attrs=attrs)
    if chunks is not None:
        ds = ds.chunk(chunks)
    return ds


# --------------------------------------------------------------------------- ReMIX


#: ReMIX step quantities: file name -> (our name, units, long name).
REMIX_VARIABLES: dict[str, tuple[str, str, str]] = {
    "Potential": ("potential", "kV", "electric potential"),
    "Field-aligned current": (
        "fac",
        "uA m-2",
        "field-aligned current density, upward positive in both hemispheres",
    ),
    "Pedersen conductance": ("sigma_p", "S", "Pedersen conductance"),
    "Hall conductance": ("sigma_h", "S", "Hall conductance"),
    "Average energy": ("mean_energy", "keV", "mean energy of precipitating electrons"),
    "Number flux": ("number_flux", "cm-2 s-1", "number flux of precipitating electrons"),
    "RCM beta": ("rcm_beta", "1", "RCM beta"),
    "Mono potential drop": ("mono_potential_drop", "kV", "monoenergetic potential drop"),
    "Auroral model type": ("auroral_model_type", "1", "auroral model type"),
    "RCM grid type": ("rcm_grid_type", "1", "RCM (IMAG) grid type"),
    "RCM plasmasphere density": ("rcm_plasmasphere_density", "m-3", "RCM plasmasphere density"),
    "Zhang average energy": ("zhang_mean_energy", "keV", "Zhang mean energy"),
    "Zhang number flux": ("zhang_number_flux", "cm-2 s-1", "Zhang number flux"),
    "IM average energy": ("im_mean_energy", "keV", "inner-magnetosphere mean energy"),
    "IM Energy flux": ("im_energy_flux", "erg cm-2 s-1", "inner-magnetosphere energy flux"),
    "IM average energy proton": ("im_mean_energy_proton", "keV", "IM proton mean energy"),
    "IM Energy flux proton": ("im_energy_flux_proton", "erg cm-2 s-1", "IM proton energy flux"),
}
_HEMISPHERES = ("NORTH", "SOUTH")
#: kaipy's energy flux: mean energy (keV) x number flux (cm-2 s-1) x 1.6e-9 -> erg cm-2 s-1
ENERGY_FLUX_FACTOR = 1.6e-9


class _RemixArray(BackendArray):
    """One ReMIX quantity, (time, hemisphere, colat, mlt), in true MLT order for both.

    Each (step, hemisphere) plane is read whole (it is small) and put in order: the northern
    field-aligned current negated (ReMIX stores it along B), the southern plane's longitudes
    reversed (kaipy's ``[:, ::-1]``), then the columns rolled so that MLT increases from 0.
    ``sources`` of two names multiply them (the energy flux).
    """

    def __init__(
        self,
        path: str,
        groups: tuple[str, ...],
        sources: tuple[str, ...],
        plane: tuple[int, int],
        order: np.ndarray,
        dtype: np.dtype,
        negate_north: bool,
        factor: float,
        limits: Limits,
    ) -> None:
        self.limits = limits
        self.path = path
        self.groups = groups
        self.sources = sources
        self.plane = plane
        self.order = order
        self.shape = (len(groups), 2, *plane)
        self.dtype = dtype
        self.negate_north = negate_north
        self.factor = factor

    def __getitem__(self, key: Any) -> np.ndarray:
        return indexing.explicit_indexing_adapter(
            key, self.shape, indexing.IndexingSupport.OUTER, self._raw
        )

    def _raw(self, key: tuple[Any, ...]) -> np.ndarray:
        picks = [_indices(item, n) for item, n in zip(key, self.shape, strict=True)]
        sizes = [p[0].size for p in picks]
        out = np.empty(sizes, dtype=self.dtype)
        full = tuple(slice(0, n) for n in self.plane)
        rows, cols = picks[2][0], picks[3][0]
        for t_out, t in enumerate(picks[0][0].tolist()):
            for h_out, h in enumerate(picks[1][0].tolist()):
                hemi = _HEMISPHERES[h]
                value = None
                for source in self.sources:
                    plane = _read_region(
                        self.path,
                        f"{self.groups[t]}/{source} {hemi}",
                        full,
                        self.plane,
                        self.limits,
                    ).astype(self.dtype, copy=False)
                    value = plane if value is None else value * plane
                assert value is not None
                if h == 0 and self.negate_north:
                    value = -value
                if h == 1:
                    value = value[:, ::-1]
                value = value[:, self.order]
                out[t_out, h_out] = value[np.ix_(rows, cols)]
        if self.factor != 1.0:
            with np.errstate(over="ignore"):  # a garbage value scales to inf, as numpy does
                out *= self.dtype.type(self.factor)
        drop = tuple(0 if p[1] else slice(None) for p in picks)
        return out[drop]


def _remix_grid(
    file: _File, limits: Limits
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Colatitude of the rows and MLT of the columns (centres and corners), and the roll."""
    path = file.path
    xobj = _dataset(file, "X")
    if xobj.ndim != 2 or min(xobj.shape) < 2:
        raise _fail(path, f"X has shape {xobj.shape}, expected (Nlat+1, Nlon+1) corners")
    x = np.asarray(_read(file, "X", limits), dtype=np.float64)
    y = np.asarray(_read(file, "Y", limits, x.shape), dtype=np.float64)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise _fail(path, "X/Y hold non-finite values")
    rho = np.hypot(x, y)
    if rho.max() > 1.0 + 1e-6:
        raise _fail(path, f"X/Y reach {rho.max():.3g}, outside the unit sphere's projection")
    colat = np.degrees(np.arcsin(np.clip(rho, 0.0, 1.0)))
    colat_rows = colat.mean(axis=1)
    if np.abs(colat - colat_rows[:, None]).max() > 1e-3 or np.any(np.diff(colat_rows) <= 0):
        raise _fail(
            path,
            "X/Y rows are not circles of increasing colatitude: not a ReMIX grid",
        )
    phi = np.degrees(np.unwrap(np.arctan2(y[-1], x[-1])))
    if np.any(np.diff(phi) <= 0) or abs(phi[-1] - phi[0] - 360.0) > 1e-3:
        raise _fail(path, "X/Y columns do not go once round the pole in increasing longitude")
    colat_c = 0.5 * (colat_rows[:-1] + colat_rows[1:])
    phi_c = 0.5 * (phi[:-1] + phi[1:])
    width_h = np.diff(phi) / 15.0
    mlt = np.mod(12.0 + phi_c / 15.0, 24.0)
    order = np.argsort(mlt, kind="stable")
    mlt_sorted = mlt[order]
    widths = width_h[order]
    mlt_corner = np.concatenate(
        [[mlt_sorted[0] - widths[0] / 2], mlt_sorted[0] - widths[0] / 2 + np.cumsum(widths)]
    )
    return colat_rows, colat_c, mlt_sorted, mlt_corner, order


def open_remix(
    path: PathLike | Sequence[PathLike],
    steps: int | Iterable[int] | None = None,
    chunks: Any = None,
) -> xr.Dataset:
    """Open a ReMIX ``<runid>.mix.h5`` file as a standard ``ionosphere`` Dataset.

    Both hemispheres are on one grid with dims ``(time, hemisphere, colat, mlt)``:
    ``hemisphere`` is ``"north"``, ``"south"``; ``colat`` (degrees from the hemisphere's
    magnetic pole) and ``mlt`` (hours, increasing from 0; longitude 0 of the ReMIX grid is noon)
    are the cell centres, ``mlat`` ``(hemisphere, colat)`` the signed magnetic latitude and
    ``colat_corner`` / ``mlt_corner`` the cell edges. The southern hemisphere is put in true MLT
    order as kaipy plots it (its columns reversed: ReMIX stores it mirrored).

    Variables: ``potential`` (kV), ``fac`` (uA/m2, upward positive in both hemispheres: the
    northern one is negated as kaipy does), ``sigma_p`` and ``sigma_h`` (S), ``mean_energy``
    (keV), ``number_flux`` (cm-2 s-1), ``energy_flux`` (erg cm-2 s-1 = mean energy x number
    flux x 1.6e-9, kaipy's formula), ``cpcp`` (kV, from ``nCPCP``/``sCPCP``) and any other
    ``"<quantity> NORTH/SOUTH"`` pair (snake-case names, ``attrs["source_name"]``).

    Args:
        path: The ``.mix.h5`` file (or a one-element list).
        steps: Step number(s) to keep (the ``n`` of ``Step#<n>``); default all.
        chunks: dask chunks; default none (lazily indexed: a step is read when used).

    Returns:
        A Dataset of kind ``"ionosphere"`` (``attrs["ionosphere_model"] = "remix"``).

    Raises:
        NoFilesError: If the file does not exist.
        FileFormatError: If the file is not ReMIX output or is damaged.
        InvalidArgumentError: If a requested step is not in the file.
    """
    items = [path] if isinstance(path, str | os.PathLike) else list(path)
    if len(items) != 1:
        raise FileFormatError(f"{len(items)} ReMIX files given; open one .mix.h5 file at a time")
    p = Path(items[0]).expanduser()
    if not p.is_file():
        raise NoFilesError(f"no such file: {p}")
    try:
        return _open_remix(p, steps, chunks)
    except (GeospacexrError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # h5py raises KeyError, OSError, ValueError... on damaged files
        raise _fail(
            p, f"cannot read the ReMIX file ({type(exc).__name__}: {exc}); it is damaged"
        ) from None


def _open_remix(p: Path, steps: Any, chunks: Any) -> xr.Dataset:
    limits = Limits.current()
    h5py = _h5py()
    with _File(p) as file:
        if "X" not in file.f or "Y" not in file.f:
            raise _fail(p, "no X and Y datasets (grid corners): not ReMIX output")
        colat_rows, colat_c, mlt_c, mlt_corner, order = _remix_grid(file, limits)
        plane = (colat_c.size, mlt_c.size)
        times = _read_times(file, limits)
        pick = _select_steps(times, steps, p)
        if pick.size == 0:
            raise _fail(p, "no steps")
        groups = tuple(f"Step#{n}" for n in times.steps[pick])
        step0 = file.f.get(groups[0])
        if not isinstance(step0, h5py.Group):
            raise _fail(p, f"{groups[0]} is not a group")
        pairs: dict[str, np.dtype] = {}
        for name in step0.keys():
            for hemi in _HEMISPHERES:
                if name.endswith(" " + hemi):
                    base = name[: -len(hemi) - 1]
                    obj = step0.get(name)
                    if not isinstance(obj, h5py.Dataset):
                        raise _fail(p, f"{groups[0]}/{name} is not a dataset")
                    check_storage(obj, p)
                    check_size(obj, p, limits)
                    if tuple(obj.shape) != plane:
                        raise _fail(
                            p,
                            f"{groups[0]}/{name} has shape {obj.shape}, expected {plane} "
                            "(the cells of X/Y)",
                        )
                    pairs.setdefault(base, obj.dtype)
        for base in pairs:
            for hemi in _HEMISPHERES:
                if f"{base} {hemi}" not in step0:
                    raise _fail(p, f"{groups[0]} has no '{base} {hemi}' (the other hemisphere has)")
        if "Potential" not in pairs:
            raise _fail(p, f"{groups[0]} has no 'Potential NORTH/SOUTH': not ReMIX output")
        values = []
        for g in groups:  # the cross polar cap potentials are step attributes only
            group = file.f[g]
            row = []
            for key in ("nCPCP", "sCPCP"):
                raw = file.attr(group, key, g)
                row.append(np.nan if raw is None else _number(raw, p, f"{g} attribute {key}"))
            values.append(row)
        cpcp = np.asarray(values, dtype=np.float64).reshape(len(groups), 2)
    data_vars: dict[str, Any] = {}
    dims = ("time", "hemisphere", "colat", "mlt")

    def add(
        name: str,
        sources: tuple[str, ...],
        units: str,
        long_name: str,
        factor: float = 1.0,
        negate: bool = False,
    ) -> None:
        dtype = np.dtype(np.result_type(*[pairs[s] for s in sources], np.float32))
        array = _RemixArray(str(p), groups, sources, plane, order, dtype, negate, factor, limits)
        attrs = {"long_name": long_name, "units": units, "source_name": " x ".join(sources)}
        data_vars[name] = xr.Variable(dims, indexing.LazilyIndexedArray(array), attrs)

    for base in pairs:
        ours, units, long_name = REMIX_VARIABLES.get(
            base, (re.sub(r"[^0-9a-z]+", "_", base.lower()).strip("_") or "unnamed", "", base)
        )
        add(ours, (base,), units, long_name, negate=base == "Field-aligned current")
    if "Average energy" in pairs and "Number flux" in pairs:
        add(
            "energy_flux",
            ("Average energy", "Number flux"),
            "erg cm-2 s-1",
            "energy flux of precipitating electrons (mean energy x number flux x 1.6e-9)",
            factor=ENERGY_FLUX_FACTOR,
        )
    if np.isfinite(cpcp).any():
        data_vars["cpcp"] = xr.Variable(
            ("time", "hemisphere"),
            cpcp,
            {
                "long_name": "cross polar cap potential",
                "units": "kV",
                "source_name": "nCPCP, sCPCP",
            },
        )
    coords, has_mjd = _time_coords(times, pick, 1.0, p)
    coords.update(
        {
            "hemisphere": ("hemisphere", np.array(["north", "south"])),
            "colat": (
                "colat",
                colat_c,
                {"long_name": "magnetic colatitude (cell centre)", "units": "degree"},
            ),
            "mlt": (
                "mlt",
                mlt_c,
                {"long_name": "magnetic local time (cell centre)", "units": "hour"},
            ),
            "mlat": (
                ("hemisphere", "colat"),
                np.stack([90.0 - colat_c, colat_c - 90.0]),
                {"long_name": "magnetic latitude (cell centre)", "units": "degree"},
            ),
            "colat_corner": (
                "colat_corner",
                colat_rows,
                {"long_name": "magnetic colatitude of the cell edges", "units": "degree"},
            ),
            "mlt_corner": (
                "mlt_corner",
                mlt_corner,
                {"long_name": "MLT of the cell edges", "units": "hour"},
            ),
        }
    )
    attrs = {
        "geospacexr_kind": "ionosphere",
        "ionosphere_model": "remix",
        "ionosphere_radius_km": 6500.0,
        "source_files": json.dumps([p.name]),
        "time_source": times.source if has_mjd else f"{times.source} (no MJD: time is elapsed)",
        "orientation": "both hemispheres in true MLT order, seen from above the north pole "
        "(kaipy's SOUTH[:, ::-1]); the mlt columns are the file's rolled to start at midnight",
        "fac_sign": "upward positive (the file's NORTH negated, as kaipy does)",
        "description": "ReMIX ionosphere output read as kaipy 1.1.5 reads it",
    }
    if not has_mjd:
        import warnings

        warnings.warn(
            f"{p.name}: the steps have no MJD; time holds the simulation time elapsed",
            DataWarning,
            stacklevel=2,
        )
    ds = xr.Dataset(data_vars, coords=coords, attrs=attrs)
    if chunks is not None:
        ds = ds.chunk(chunks)
    return ds


# --------------------------------------------------------------------------- registry


def _hdf5_keys(path: Path) -> tuple[set[str], set[str]] | None:
    """Root names and the names in the first ``Step#`` group (None if not HDF5)."""
    with Path(path).open("rb") as fh:
        if fh.read(8) != _HDF5_MAGIC:
            return None
    h5py = _h5py()
    with h5py.File(path, "r") as f:
        root = set()
        step = set()
        for name in f.keys():
            root.add(name)
            if name.startswith("Step#") and not step:
                g = f.get(name)
                if isinstance(g, h5py.Group):
                    step = set(g.keys())
        return root, step


def _sniff_gamera(path: Path) -> bool:
    keys = _hdf5_keys(path)
    if keys is None:
        return False
    root, step = keys
    return (
        "X" in root
        and "Y" in root
        and any(n.startswith("Step#") for n in root)
        and not any(n.endswith((" NORTH", " SOUTH")) for n in step)
    )


def _sniff_remix(path: Path) -> bool:
    keys = _hdf5_keys(path)
    if keys is None:
        return False
    root, step = keys
    return "X" in root and "Y" in root and any(n.endswith(" NORTH") for n in step)


@register_reader(
    "mage-gamera",
    kind="mhd",
    patterns=("*.gam.h5",),
    magic=(_HDF5_MAGIC,),
    sniff=_sniff_gamera,
    sample="mage-msphere",
    description="MAGE GAMERA magnetosphere MHD output (.gam.h5, serial or MPI blocks)",
    group=_run_key,
)
def _open_gamera_files(files: list[Path], **kwargs: Any) -> xr.Dataset:
    """MAGE GAMERA magnetosphere MHD output (.gam.h5, serial or MPI blocks)."""
    return open_gamera(files, **kwargs)


@register_reader(
    "mage-remix",
    kind="ionosphere",
    patterns=("*.mix.h5",),
    magic=(_HDF5_MAGIC,),
    sniff=_sniff_remix,
    sample="mage-remix",
    description="MAGE ReMIX ionosphere output (.mix.h5, both hemispheres)",
    group=lambda path: str(path),
)
def _open_remix_files(files: list[Path], **kwargs: Any) -> xr.Dataset:
    """MAGE ReMIX ionosphere output (.mix.h5, both hemispheres)."""
    return open_remix(files, **kwargs)
