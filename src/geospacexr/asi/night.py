"""A whole night's keogram, streamed file by file in bounded memory."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
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
) -> xr.DataArray:
    """The CCD keogram of many minute files, reading one file at a time.

    Only one file's frames are in memory at once, so a whole night (hundreds of files) fits in
    the memory of one minute. Unreadable files are skipped with one warning that names them.

    Args:
        files: Raw image files (a glob or a list), of one site and imager.
        column: Image column (default PyAuroraX's).
        cadence: If given (seconds), missing frames become NaN columns.
        progress: Show a progress bar (default: when on a terminal).

    Returns:
        DataArray ``(y, time)`` (``channel`` last for RGB).

    Raises:
        FileFormatError: If no file can be read.
        IncompatibleInputError: If the files come from several sites or imagers.
    """
    from tqdm import tqdm

    from ..io.asi import open_asi

    paths = expand_paths(files)
    parts: list[xr.DataArray] = []
    problems: list[str] = []
    identity: tuple[Any, ...] | None = None
    bar = tqdm(
        paths, desc="keogram", unit="file", disable=None if progress is None else not progress
    )
    for path in bar:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataWarning)
                ds = open_asi(path)
        except FileFormatError as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        this = (ds.attrs.get("site"), ds.attrs.get("imager"), ds.sizes.get("x"))
        if identity is None:
            identity = this
        elif this != identity:
            raise IncompatibleInputError(
                f"{path.name} is {this[0]}/{this[1]}, earlier files {identity[0]}/{identity[1]}: "
                "one site and imager per keogram"
            )
        parts.append(keogram(ds, column=column).load())
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
