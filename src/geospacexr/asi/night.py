"""A whole night's keogram, streamed file by file in bounded memory.

The science, :func:`stream_keogram`, takes any iterable of ``asi`` Datasets and never opens a
file; :func:`night_keogram` is the front door that takes file names and gets the Datasets, one
at a time, from :func:`geospacexr.io.stream.stream_files`.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..errors import DataWarning, FileFormatError, IncompatibleInputError
from .keogram import keogram

__all__ = ["night_keogram", "stream_keogram"]


def night_keogram(
    files: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    column: int | None = None,
    cadence: float | None = None,
    progress: bool | None = None,
    *,
    skymap: xr.Dataset | str | os.PathLike[str] | None = None,
    axis: str = "ccd",
    altitude_km: float | None = None,
    min_elevation: float | None = None,
    longitude: float | None = None,
    path: Sequence[Sequence[float]] | np.ndarray | None = None,
    width: float | None = None,
    metric: str = "mean",
    percentile: float | None = None,
) -> xr.DataArray:
    """A whole night's keogram from many minute files, reading one file at a time.

    Only one file's frames are in memory at once, so a whole night (hundreds of files) fits in
    the memory of one minute. Every kind of :func:`geospacexr.asi.keogram` works: a CCD column,
    geographic or magnetic latitude axes (with the site's skymap), a meridian (``longitude=``)
    or a custom path (``path=``). Magnetic coordinates of every file are dated to the night's
    first frame, so all files share one latitude axis. Unreadable files are skipped, and the
    damaged frames of partly readable files dropped, with one warning that names them.

    Args:
        files: Raw image files (a glob or a list), of one site and imager.
        column: Image column (default PyAuroraX's).
        cadence: If given (seconds), missing frames become NaN columns.
        progress: Show a progress bar (default: when on a terminal).
        skymap: The site's skymap (a Dataset or a ``.sav`` path), for geo/mag axes, meridians
            and geo/mag paths; it is checked against every file (site, size, validity).
        axis: ``"ccd"``, ``"geo"`` or ``"mag"``.
        altitude_km: Mapping altitude, km (default from config ``asi.altitude_km``).
        min_elevation: Elevation cutoff, degrees (default from config ``asi.min_elevation``).
        longitude: Follow this geographic (magnetic for ``axis="mag"``) meridian.
        path: Points of a custom keogram in the ``axis`` coordinate system.
        width: Strip width of a path keogram, pixels (default from config).
        metric: Path keogram metric: ``"mean"``, ``"median"``, ``"sum"`` or ``"percentile"``.
        percentile: The percentile (0-100) for ``metric="percentile"``.

    Returns:
        DataArray ``(y|lat|mlat, time)`` (``channel`` last for RGB), ``(segment, time)`` for a
        path.

    Raises:
        FileFormatError: If no file can be read.
        IncompatibleInputError: If the files come from several sites or imagers, or the skymap
            does not fit them.
        InvalidArgumentError: For keogram options that do not go together (as :func:`keogram`).
    """
    from ..io.stream import stream_files

    stream = stream_files(files, progress=progress, desc="keogram")
    if skymap is not None and not isinstance(skymap, xr.Dataset):
        from ..io.skymap import open_skymap

        skymap = open_skymap(skymap)
    return stream_keogram(
        stream,
        column=column,
        cadence=cadence,
        skymap=skymap,
        axis=axis,
        altitude_km=altitude_km,
        min_elevation=min_elevation,
        longitude=longitude,
        path=path,
        width=width,
        metric=metric,
        percentile=percentile,
        skipped=stream.skipped,
    )


def _name(ds: xr.Dataset, index: int) -> str:
    try:
        names = json.loads(ds.attrs.get("source_files") or "[]")
    except ValueError:
        names = []
    return ", ".join(map(str, names)) if names else f"dataset {index}"


def stream_keogram(
    datasets: Iterable[xr.Dataset],
    column: int | None = None,
    cadence: float | None = None,
    *,
    skymap: xr.Dataset | None = None,
    axis: str = "ccd",
    altitude_km: float | None = None,
    min_elevation: float | None = None,
    longitude: float | None = None,
    path: Sequence[Sequence[float]] | np.ndarray | None = None,
    width: float | None = None,
    metric: str = "mean",
    percentile: float | None = None,
    skipped: Sequence[str] = (),
) -> xr.DataArray:
    """One keogram of many ``asi`` Datasets taken one at a time (the core of :func:`night_keogram`).

    Each Dataset's keogram is computed and loaded before the next Dataset is taken, so a
    generator that opens files lazily (:func:`geospacexr.io.stream.stream_files`) keeps one
    file's frames in memory. Magnetic coordinates of every Dataset are dated to the first
    frame, so all share one latitude axis. Frames a reader flagged (``attrs["problematic_files"]``)
    and the entries of ``skipped`` are reported in one warning.

    Args:
        datasets: ``asi`` Datasets of one site and imager, in any order.
        column: Image column (default PyAuroraX's).
        cadence: If given (seconds), missing frames become NaN columns.
        skymap: The site's skymap, for geo/mag axes, meridians and geo/mag paths.
        axis: ``"ccd"``, ``"geo"`` or ``"mag"``.
        altitude_km: Mapping altitude, km (default from config ``asi.altitude_km``).
        min_elevation: Elevation cutoff, degrees (default from config ``asi.min_elevation``).
        longitude: Follow this geographic (magnetic for ``axis="mag"``) meridian.
        path: Points of a custom keogram in the ``axis`` coordinate system.
        width: Strip width of a path keogram, pixels (default from config).
        metric: Path keogram metric: ``"mean"``, ``"median"``, ``"sum"`` or ``"percentile"``.
        percentile: The percentile (0-100) for ``metric="percentile"``.
        skipped: Inputs that could not be read (``"name: reason"``); read after ``datasets`` is
            exhausted, so a list that the iterable fills as it goes
            (:attr:`geospacexr.io.stream.FileStream.skipped`) is reported in full.

    Returns:
        DataArray ``(y|lat|mlat, time)`` (``channel`` last for RGB), ``(segment, time)`` for a
        path; ``attrs["source_files"]`` counts the inputs, ``attrs["skipped_files"]`` the ones
        skipped.

    Raises:
        FileFormatError: If there is no Dataset at all.
        IncompatibleInputError: If the Datasets come from several sites or imagers, or the
            skymap does not fit them.
        InvalidArgumentError: For keogram options that do not go together (as :func:`keogram`).
    """
    options: dict[str, Any] = dict(
        skymap=skymap,
        axis=axis,
        altitude_km=altitude_km,
        column=column,
        min_elevation=min_elevation,
        longitude=longitude,
        path=path,
        width=width,
        metric=metric,
        percentile=percentile,
    )
    date = None
    parts: list[xr.DataArray] = []
    flagged: list[str] = []
    identity: tuple[Any, ...] | None = None
    first = ""
    for index, ds in enumerate(datasets):
        name = _name(ds, index)
        for bad in json.loads(ds.attrs.get("problematic_files") or "[]"):
            reason = bad.get("reason", bad) if isinstance(bad, dict) else bad
            flagged.append(f"{name}: {reason} (its good frames kept)")
        this = (ds.attrs.get("site"), ds.attrs.get("imager"), ds.sizes.get("x"))
        if identity is None:
            identity, first = this, name
        elif this != identity:
            raise IncompatibleInputError(
                f"{name} is {this[0]}/{this[1]}, {first} {identity[0]}/{identity[1]}: "
                "one site and imager per keogram"
            )
        if date is None:
            date = ds["time"].values.min()
        parts.append(keogram(ds, **options, date=date).load())
        del ds
    problems = [*skipped, *flagged]
    if not parts:
        raise FileFormatError(f"no file could be read: {'; '.join(problems) or 'no files'}")
    if problems:
        warnings.warn(
            f"{len(problems)} file(s) skipped: {'; '.join(problems)}", DataWarning, stacklevel=2
        )
    out = xr.concat(parts, dim="time").sortby("time")
    _, unique = np.unique(out["time"].values, return_index=True)
    out = out.isel(time=np.sort(unique))
    out.attrs = {
        **parts[0].attrs,
        "source_files": len(parts) + len(skipped),
        "skipped_files": len(problems),
    }
    if cadence:
        from .keogram import inject_nans

        out = inject_nans(out, cadence)
    return out
