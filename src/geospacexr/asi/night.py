"""A whole night's keogram, streamed file by file in bounded memory."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ..errors import DataWarning, FileFormatError, IncompatibleInputError
from ..io.registry import expand_paths
from .keogram import keogram

__all__ = ["night_keogram"]


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
    from tqdm import tqdm

    from ..io.asi import open_asi

    paths = expand_paths(files)
    if skymap is not None and not isinstance(skymap, xr.Dataset):
        from ..io.skymap import open_skymap

        skymap = open_skymap(skymap)
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
    problems: list[str] = []
    identity: tuple[Any, ...] | None = None
    bar = tqdm(
        paths, desc="keogram", unit="file", disable=None if progress is None else not progress
    )
    for file in bar:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataWarning)
                ds = open_asi(file)
        except FileFormatError as exc:
            problems.append(f"{file.name}: {exc}")
            continue
        for bad in json.loads(ds.attrs.get("problematic_files") or "[]"):
            reason = bad.get("reason", bad) if isinstance(bad, dict) else bad
            problems.append(f"{file.name}: {reason} (its good frames kept)")
        this = (ds.attrs.get("site"), ds.attrs.get("imager"), ds.sizes.get("x"))
        if identity is None:
            identity = this
        elif this != identity:
            raise IncompatibleInputError(
                f"{file.name} is {this[0]}/{this[1]}, earlier files {identity[0]}/{identity[1]}: "
                "one site and imager per keogram"
            )
        if date is None:
            date = ds["time"].values.min()
        parts.append(keogram(ds, **options, date=date).load())
        del ds
    if not parts:
        raise FileFormatError(f"no file could be read: {'; '.join(problems) or 'no files'}")
    if problems:
        warnings.warn(
            f"{len(problems)} file(s) skipped: {'; '.join(problems)}", DataWarning, stacklevel=2
        )
    out = xr.concat(parts, dim="time").sortby("time")
    _, unique = np.unique(out["time"].values, return_index=True)
    out = out.isel(time=np.sort(unique))
    out.attrs = {**parts[0].attrs, "source_files": len(paths), "skipped_files": len(problems)}
    if cadence:
        from .keogram import inject_nans

        out = inject_nans(out, cadence)
    return out
