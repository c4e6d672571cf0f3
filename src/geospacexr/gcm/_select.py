"""Shared selection helpers of the GCM functions: variables, times, vertical grids."""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np
import xarray as xr

from .._checks import require
from ..errors import InvalidArgumentError, MissingVariableError, OutOfRangeError

#: Names accepted for a variable besides the standard one.
ALIASES = {"O": "O1", "T": "TN", "He": "HE", "U": "UN", "V": "VN", "EDens": "NE", "OpDens": "OP"}
#: Vertical dims: TIE-GCM/WACCM-X ``lev``/``ilev`` and TIE-GCM's geomagnetic ``mlev``/``imlev``.
VERTICAL = ("lev", "ilev", "mlev", "imlev")
#: Vertical dims of the geomagnetic grid (ln(p0/p) levels, like ``lev``/``ilev``).
MAGNETIC_VERTICAL = ("mlev", "imlev")
#: Horizontal dims (latitude, longitude) of each grid, by the grid's name.
HORIZONTAL = {"geographic": ("lat", "lon"), "geomagnetic": ("mlat", "mlon")}
#: The grid names a field can be on (``attrs["grid"]`` of the reader, :func:`grid_of`).
GRIDS = ("geographic", "geomagnetic", "scalar")
_METHODS = ("nearest", "exact")


def gcm_dataset(ds: Any, where: str, variables: tuple[str, ...] = ()) -> xr.Dataset:
    """Check that ``ds`` is a ``gcm`` Dataset (and holds ``variables``)."""
    return require(ds, "gcm", variables, where=where)


def variable(ds: xr.Dataset, name: str | xr.DataArray, where: str) -> xr.DataArray:
    """Return a variable by standard name, file name or alias; suggest close names if absent."""
    if isinstance(name, xr.DataArray):
        return name
    gcm_dataset(ds, where)
    if name in ds.data_vars:
        return ds[name]
    alias = ALIASES.get(name)
    if alias and alias in ds.data_vars:
        return ds[alias]
    for key in ds.data_vars:  # the Variables' attrs: a DataArray each would cost ~1 ms
        if ds.variables[key].attrs.get("source_name") == name:
            return ds[key]
    if name in _derivable(ds):
        from .derived import derived

        return derived(ds, name)
    from . import emissions

    if name in emissions.available(ds):  # every slice works on emission rates too
        return emissions.emission(ds, name)
    candidates = [str(v) for v in ds.data_vars if ds[v].ndim >= 3] + sorted(_derivable(ds))
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise MissingVariableError(
        f"{where}: no variable {name!r} in this {ds.attrs.get('model', 'GCM')} Dataset{hint} "
        f"(fields: {', '.join(candidates[:30])})"
    )


def fused(obj: Any) -> Any:
    """``obj`` with one dask task per output chunk (:func:`geospacexr.scale.fuse_blocks`).

    Every GCM function that returns a dask-backed result passes it through here, so that a
    chunked run costs the scheduler one task per chunk (a file's reads, its fill masking and
    the arithmetic in one), not one per field read. Not dask-backed: returned as is.
    """
    from .. import scale

    return scale.fuse_blocks(obj)


def _derivable(ds: xr.Dataset) -> list[str]:
    from .derived import available

    return available(ds)


def vertical_dim(da: xr.DataArray) -> str | None:
    """The vertical dim of a variable (``lev``, ``ilev``, ``mlev`` or ``imlev``), or ``None``."""
    dims = [d for d in da.dims if d in VERTICAL]
    return dims[0] if dims else None


def grid_of(da: xr.DataArray) -> str:
    """The horizontal grid a field is on, from its dims.

    Args:
        da: A field of a ``gcm`` Dataset.

    Returns:
        ``"geomagnetic"`` (dims ``mlat``/``mlon``), ``"geographic"`` (``lat``/``lon``),
        ``"scalar"`` (a per-time value such as ``Kp``: only ``time`` or no dim), or the field's
        ``attrs["grid"]`` (``"other"`` without one) for anything else. The dims decide, not the
        attribute: a field whose ``attrs["grid"]`` disagrees with its dims is on its dims' grid.
    """
    dims = set(da.dims)
    for name, pair in (
        ("geomagnetic", HORIZONTAL["geomagnetic"]),
        ("geographic", HORIZONTAL["geographic"]),
    ):
        if set(pair) <= dims:
            return name
    if dims <= {"time"}:
        return "scalar"
    return str(da.attrs.get("grid", "other"))


def horizontal_dims(da: xr.DataArray, where: str) -> tuple[str, str]:
    """The (latitude, longitude) dims of a field: ``(lat, lon)`` or ``(mlat, mlon)``.

    Args:
        da: A field.
        where: Caller name for messages.

    Returns:
        The two dim names.

    Raises:
        InvalidArgumentError: If the field has no horizontal grid (a per-time scalar such as
            ``Kp``, or dims of no known grid).
    """
    grid = grid_of(da)
    if grid in HORIZONTAL:
        return HORIZONTAL[grid]
    if grid == "scalar":
        raise InvalidArgumentError(
            f"{where}: {da.name} is a per-time scalar ({', '.join(map(str, da.dims)) or 'no dims'}"
            f"): it has no latitude or longitude; use var_time (its time series) or "
            f"ds[{str(da.name)!r}]",
            "var",
        )
    raise InvalidArgumentError(
        f"{where}: {da.name} has dims {da.dims}, on neither the geographic (lat, lon) nor the "
        "geomagnetic (mlat, mlon) grid",
        "var",
    )


def require_vertical(da: xr.DataArray, where: str, alternative: str) -> str:
    """The vertical dim of a field, or a clear error for a 2-D field or scalar.

    Args:
        da: A field.
        where: Caller name for messages.
        alternative: What to use instead, for the message.

    Returns:
        The vertical dim.

    Raises:
        InvalidArgumentError: If the field has no vertical dim.
    """
    grid = vertical_dim(da)
    if grid is None:
        raise InvalidArgumentError(
            f"{where}: {da.name} has no levels (dims {', '.join(map(str, da.dims))}); {where} "
            f"needs a 3-D field on lev, ilev, mlev or imlev: {alternative}",
            "var",
        )
    return grid


def check_method(method: str) -> None:
    """Refuse an unknown time-selection method."""
    if method not in _METHODS:
        raise InvalidArgumentError(f"method must be one of {', '.join(_METHODS)}, not {method!r}")


def to_time(value: Any) -> np.datetime64:
    """Parse a time given as a string, datetime or datetime64."""
    try:
        return np.datetime64(value, "ns")
    except (ValueError, TypeError):
        raise InvalidArgumentError(
            f"time must be a date-time such as '2003-03-21T01:00', not {value!r}"
        ) from None


def select_time(da: xr.DataArray, time: Any, method: str = "nearest") -> xr.DataArray:
    """Select one time (nearest, or exact), or keep every time when ``time`` is ``None``.

    Raises:
        OutOfRangeError: If the time lies outside the files (by more than one output interval),
            or does not exist exactly with ``method="exact"``.
    """
    check_method(method)
    if "time" not in da.dims:
        return da
    if time is None:
        # every time: keep it lazy (a file opened without dask gets a dask view, nothing is read)
        return da if da.chunks or da.variable._in_memory else da.chunk({"time": 1})
    t = to_time(time)
    times = da["time"].values
    if method == "exact":
        exact = np.flatnonzero(times == t)
        if exact.size == 0:
            raise OutOfRangeError(
                f"time {t} is not in the files (method='exact'); times: {_time_range(times)}"
            )
        return da.isel(time=int(exact[0]))
    step = np.median(np.diff(times)) if times.size > 1 else np.timedelta64(0, "ns")
    if t < times.min() - step or t > times.max() + step:
        raise OutOfRangeError(f"time {t} is outside the files ({_time_range(times)})")
    return da.isel(time=int(np.argmin(np.abs(times - t))))


def time_first(ds: xr.Dataset, time: Any, method: str = "nearest") -> tuple[xr.Dataset, bool]:
    """``ds`` cut to the one time a slice selects, when ``ds`` is dask-backed.

    A field of a chunked run is a dask array in the run's chunks: selecting its time afterwards
    computes the whole chunk (a file's times) for one of them. Cut first, only that time is
    computed. Returns ``(ds, cut)``; when ``cut`` the field's ``time`` has one entry, taken with
    ``.isel(time=0)`` (not :func:`select_time` again: one time has no output interval).
    In-memory and lazily indexed Datasets are returned as they are (a selection of theirs
    computes only what it selects).

    Raises:
        OutOfRangeError: As :func:`select_time`.
    """
    if time is None or "time" not in ds.dims or not any(v.chunks for v in ds.data_vars.values()):
        return ds, False
    i = time_index(ds, time, method)
    return ds.isel(time=slice(i, i + 1)), True


def time_of(da: xr.DataArray, time: Any, method: str, cut: bool) -> xr.DataArray:
    """The field at ``time``: :func:`select_time`, or its one time when :func:`time_first` cut."""
    return da.isel(time=0) if cut and "time" in da.dims else select_time(da, time, method)


def time_index(ds: xr.Dataset, time: Any, method: str = "nearest") -> int:
    """The index of the time :func:`select_time` picks among ``ds``'s times.

    Raises:
        OutOfRangeError: As :func:`select_time`.
    """
    index = xr.DataArray(np.arange(ds.sizes["time"]), dims="time", coords={"time": ds["time"]})
    return int(select_time(index, time, method).values)


def _time_range(times: np.ndarray) -> str:
    return f"{times.min()} to {times.max()}, {times.size} times"


def as_number(value: Any, name: str) -> float:
    """``value`` as a float, or :class:`InvalidArgumentError` naming the argument."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"must be a number, not {value!r}", name) from None


def check_range(name: str, value: float | np.ndarray, low: float, high: float, unit: str) -> None:
    """Refuse values outside ``[low, high]`` with a message naming the valid range."""
    try:
        values = np.atleast_1d(np.asarray(value, dtype=np.float64))
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"must be numbers, not {value!r}", name) from None
    bad = values[(values < min(low, high)) | (values > max(low, high)) | ~np.isfinite(values)]
    if bad.size:
        raise OutOfRangeError(
            f"{name}={bad[0]:g} {unit} is outside the model's range "
            f"{min(low, high):g} to {max(low, high):g} {unit}"
        )


def ut_hours(times: np.ndarray) -> np.ndarray:
    """Universal time of day in hours for datetime64 values."""
    t = np.asarray(times, dtype="datetime64[ns]")
    return ((t - t.astype("datetime64[D]")) / np.timedelta64(1, "h")).astype(np.float64)


def local_time_lon(ut: np.ndarray | float, local_time: float) -> np.ndarray:
    """Longitude (degrees, [-180, 180)) where the solar local time is ``local_time`` at ``ut``."""
    lon = (np.asarray(local_time, dtype=np.float64) - np.asarray(ut, dtype=np.float64)) * 15.0
    return (lon + 180.0) % 360.0 - 180.0
