"""A whole night's keogram, streamed file by file in bounded memory.

The science, :func:`stream_keogram`, takes any iterable of ``asi`` Datasets and never opens a
file; :func:`night_keogram` is the front door that takes file names and gets the Datasets, one
at a time, from :func:`geospacexr.io.stream.stream_files`.
"""

from __future__ import annotations

import json
import os
import uuid
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import DataWarning, FileFormatError, IncompatibleInputError, InvalidArgumentError
from .keogram import keogram

__all__ = ["night_box_series", "night_keogram", "night_keograms", "stream_keogram"]


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
    from .. import scale

    client = scale.active_client()
    if client is not None:
        return night_keograms(
            {"night": stream.paths}, skymaps={"night": skymap}, cadence=cadence,
            progress=progress, **{k: v for k, v in options.items() if k != "skymap"},
        )["night"]  # fmt: skip
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
    results: list[tuple[str, list[str], tuple[Any, ...], xr.DataArray]] = []
    for index, ds in enumerate(datasets):
        if date is None:
            date = ds["time"].values.min()
        results.append(_one_keogram(ds, _name(ds, index), options, date))
        del ds
    return _gather(results, list(skipped), cadence)


def _one_keogram(
    ds: xr.Dataset, name: str, options: dict[str, Any], date: Any
) -> tuple[str, list[str], tuple[Any, ...], xr.DataArray]:
    """One Dataset's keogram (loaded), what its reader flagged and its site/imager/size."""
    flagged = []
    for bad in json.loads(ds.attrs.get("problematic_files") or "[]"):
        reason = bad.get("reason", bad) if isinstance(bad, dict) else bad
        flagged.append(f"{name}: {reason} (its good frames kept)")
    identity = (ds.attrs.get("site"), ds.attrs.get("imager"), ds.sizes.get("x"))
    return name, flagged, identity, keogram(ds, **options, date=date).load()


def _gather(
    results: list[tuple[str, list[str], tuple[Any, ...], xr.DataArray]],
    skipped: list[str],
    cadence: float | None,
) -> xr.DataArray:
    """The night's keogram from its files' keograms, in file order (serial or cluster)."""
    parts: list[xr.DataArray] = []
    flagged: list[str] = []
    identity: tuple[Any, ...] | None = None
    first = ""
    for name, flags, this, part in results:
        flagged.extend(flags)
        if identity is None:
            identity, first = this, name
        elif this != identity:
            raise IncompatibleInputError(
                f"{name} is {this[0]}/{this[1]}, {first} {identity[0]}/{identity[1]}: "
                "one site and imager per keogram"
            )
        parts.append(part)
    problems = [*skipped, *flagged]
    if not parts:
        raise FileFormatError(f"no file could be read: {'; '.join(problems) or 'no files'}")
    if problems:
        warnings.warn(
            f"{len(problems)} file(s) skipped: {'; '.join(problems)}", DataWarning, stacklevel=3
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


def _file_keogram(
    path: Path, index: int, skymap: xr.Dataset | None, options: dict[str, Any], date: Any
) -> tuple[Any, Any]:
    """A cluster task: open one file and make its keogram.

    Returns ``((result, date), None)``, or ``(None, "<file>: <reason>")`` for a file that
    cannot be read (skipped as :class:`~geospacexr.io.stream.FileStream` skips it).
    ``date`` None dates the keogram to the file's first frame, and that date is returned with
    the result (the night's first readable file dates the others).
    """
    from ..io.asi import open_asi

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            ds = open_asi(path)
    except FileFormatError as exc:
        return None, f"{path.name}: {exc}"
    when = ds["time"].values.min() if date is None else date
    return (_one_keogram(ds, _name(ds, index), {**options, "skymap": skymap}, when), when), None


def _files_keogram(
    paths: Sequence[Path],
    first: int,
    skymap: xr.Dataset | None,
    options: dict[str, Any],
    date: Any,
) -> list[tuple[Any, Any]]:
    """A cluster task: :func:`_file_keogram` of several files, one after the other.

    ``paths`` are a night's files ``first``, ``first + 1``, ...; each is opened, reduced to its
    keogram and let go before the next, so one file's frames are in memory at a time. Returns
    one ``_file_keogram`` result per file, in order.
    """
    return [_file_keogram(path, first + k, skymap, options, date) for k, path in enumerate(paths)]


def _batch_size(client: Any, files: int) -> int:
    """Files per task: config ``scale.files_per_task``, fewer when ``files`` are too few.

    A call of few files still gives every worker thread two tasks (as long as there are files
    for them), so that a small night does not run on one worker.
    """
    from .. import config

    size = int(config.get().scale.files_per_task)
    threads = sum(client.nthreads().values())  # 0 while an adaptive cluster has no worker
    if threads > 0:
        size = min(size, max(1, -(-files // (2 * threads))))
    return size


def night_keograms(
    nights: Mapping[str, str | os.PathLike[str] | Iterable[str | os.PathLike[str]]],
    skymaps: Mapping[str, xr.Dataset | str | os.PathLike[str] | None] | None = None,
    cadence: float | None = None,
    progress: bool | None = None,
    output: str | os.PathLike[str] | None = None,
    **options: Any,
) -> dict[str, xr.DataArray] | dict[str, Path]:
    """Keograms of many nights (and sites), a few files per task on the active dask Client.

    The files of every night are split into tasks of config ``scale.files_per_task`` files
    (fewer when the call has too few files to give every worker thread two tasks); a task opens
    its files one after the other and makes each one's keogram, so a cluster works on all
    nights at once with one file's frames per task in memory. Each night is then gathered on a
    worker exactly as :func:`night_keogram` gathers it, and the result is the same to the bit,
    whatever the number of files per task. Each skymap is read once, by a worker (a Dataset is
    scattered), and not sent with every task.
    Without a Client, the nights are computed one after the other by :func:`night_keogram`.
    For ``axis="mag"`` each night's first readable file is computed first, since it dates the
    magnetic coordinates of the others.

    With ``output``, each night's keogram is written to ``<output>/<name>.nc`` where it is
    made (on the cluster, by a worker: a season of nights never passes through the client's
    memory; without a Client, here, one night at a time) and the file names are returned.
    Each file is written atomically (a temporary file renamed when complete: a failed or
    interrupted night leaves no half-written file) and reads back as the keogram
    (``xr.open_dataarray``).

    Args:
        nights: ``{name: files}``: a glob or a list of one site's files per name (e.g.
            ``"gill 2014-03-10"``).
        skymaps: ``{name: skymap}`` (a Dataset or a ``.sav`` path) for the names that need one.
        cadence: If given (seconds), missing frames become NaN columns.
        progress: Show a progress bar (default: when on a terminal); on a cluster it is fed
            from the scheduler.
        output: A folder to write each night's keogram to (``<name>.nc``, the name's
            characters other than letters, digits, ``-``, ``_`` and ``.`` replaced by ``_``)
            instead of returning them.
        **options: Keogram options of :func:`night_keogram` (``axis``, ``column``,
            ``altitude_km``, ``min_elevation``, ``longitude``, ``path``, ``width``, ``metric``,
            ``percentile``).

    Returns:
        A dict of keograms by name, each as :func:`night_keogram` returns it; with
        ``output``, a dict of the written files' paths by name.

    Raises:
        FileFormatError: If no file of a night can be read.
        IncompatibleInputError: If a night mixes sites or imagers, or a skymap does not fit.
        InvalidArgumentError: If two names give one file name under ``output``.
    """
    from .. import scale
    from ..io.registry import expand_paths
    from ..io.skymap import open_skymap

    skymaps = dict(skymaps or {})
    targets = _output_paths(output, nights) if output is not None else None
    client = scale.active_client()
    if client is not None:
        return _cluster_keograms(
            client, nights, skymaps, cadence, progress, options, expand_paths, targets
        )
    # a skymap given for several nights (a site's, for each of its nights) is read once
    read: dict[Any, xr.Dataset] = {}
    maps = {}
    for name, m in skymaps.items():
        if m is not None and not isinstance(m, xr.Dataset):
            key = _skymap_key(m)
            if key not in read:
                read[key] = open_skymap(m)
            m = read[key]
        maps[name] = m
    if targets is None:
        return {
            name: night_keogram(
                files, cadence=cadence, progress=progress, skymap=maps.get(name), **options
            )
            for name, files in nights.items()
        }
    from ..io.atomic import write_netcdf

    return {
        name: write_netcdf(
            night_keogram(
                files, cadence=cadence, progress=progress, skymap=maps.get(name), **options
            ),
            targets[name],
        )
        for name, files in nights.items()
    }


def _skymap_key(skymap: Any) -> Any:
    """What identifies a skymap argument: the resolved path of a file, else the object."""
    if isinstance(skymap, str | os.PathLike):
        try:
            return ("path", Path(skymap).resolve())
        except (OSError, RuntimeError):
            return ("path", Path(skymap))
    return ("object", id(skymap))


def _output_paths(output: str | os.PathLike[str], names: Iterable[str]) -> dict[str, Path]:
    """``{name: <output>/<name>.nc}``, names made safe as file names; refuses a collision."""
    import re

    folder = Path(output)
    out: dict[str, Path] = {}
    seen: dict[str, str] = {}
    for name in names:
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)).strip("._") or "night"
        if stem in seen:
            raise InvalidArgumentError(
                f"nights {seen[stem]!r} and {name!r} would both be written to {stem}.nc",
                "output",
            )
        seen[stem] = str(name)
        out[name] = folder / f"{stem}.nc"
    return out


def _open_skymap(path: Any) -> xr.Dataset:
    """A cluster task: read a skymap (on a worker)."""
    from ..io.skymap import open_skymap

    return open_skymap(path)


def _gather_night(
    batches: list[list[tuple[Any, Any]]], cadence: float | None
) -> tuple[xr.DataArray, list[str]]:
    """A cluster task: one night's keogram from its file tasks' results (:func:`_gather`) here.

    ``batches`` are the results of the night's :func:`_files_keogram` tasks, in file order.
    Returns the keogram and the messages of the :class:`DataWarning` it raised (warnings on a
    worker do not reach the client: it raises them again).
    """
    parts, skipped = [], []
    for result, reason in (r for batch in batches for r in batch):
        if result is None:
            skipped.append(reason)
        else:
            parts.append(result[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataWarning)
        keogram = _gather(parts, skipped, cadence)
    return keogram, [str(w.message) for w in caught if issubclass(w.category, DataWarning)]


def _write_night(
    results: list[list[tuple[Any, Any]]], cadence: float | None, target: Path
) -> tuple[Path, list[str]]:
    """A cluster task: gather one night's file keograms and write it (atomically) here.

    Returns the path and the messages of the :class:`DataWarning` it raised (warnings on a
    worker do not reach the client: it raises them again).
    """
    from ..io.atomic import write_netcdf

    keogram, messages = _gather_night(results, cadence)
    return write_netcdf(keogram, target), messages


def _cluster_keograms(
    client: Any,
    nights: Mapping[str, Any],
    maps: Mapping[str, Any],
    cadence: float | None,
    progress: bool | None,
    options: dict[str, Any],
    expand: Any,
    targets: dict[str, Path] | None = None,
) -> dict[str, xr.DataArray] | dict[str, Path]:
    import sys

    from distributed import wait

    from .. import scale

    task = scale.Configured(_files_keogram)
    paths = {name: expand(files) for name, files in nights.items()}
    size = _batch_size(client, sum(len(p) for p in paths.values()))
    # each distinct skymap once: a file is read by a worker (in parallel, not in the client,
    # and moved from there to the workers that need it), a Dataset is scattered
    opener = scale.Configured(_open_skymap)
    shared: dict[Any, Any] = {}
    scattered: dict[str, Any] = {}
    for name, m in maps.items():
        if m is None:
            scattered[name] = None
            continue
        key = _skymap_key(m)
        if key not in shared:
            shared[key] = (
                scale.scatter(m, client)
                if isinstance(m, xr.Dataset)
                else client.submit(opener, m, key=f"open_skymap-{uuid.uuid4().hex}")
            )
        scattered[name] = shared[key]
    mag = options.get("axis", "ccd") == "mag"

    def submit(name: str, i: int, date: Any, count: int = 1) -> Any:
        """The task of the night's files ``i`` to ``i + count - 1``."""
        return client.submit(
            task,
            paths[name][i : i + count],
            i,
            scattered.get(name),
            options,
            date,
            key=f"files_keogram-{uuid.uuid4().hex}",
        )

    def submit_rest(name: str, start: int, date: Any) -> list[Any]:
        """Tasks of ``size`` files from the night's file ``start`` on."""
        return [
            submit(name, i, date, min(size, len(paths[name]) - i))
            for i in range(start, len(paths[name]), size)
        ]

    futures: dict[str, list[Any]] = {name: [] for name in paths}
    # the date dates only magnetic coordinates; for those, each night's first readable file
    # dates the others: every night's first file runs first, alone (all nights at once), then
    # the next file of a night whose first could not be read, and so on
    dating = {name: 0 for name, files in paths.items() if mag and files}
    for name in dating:
        futures[name].append(submit(name, 0, None))
    while dating:
        for name in list(dating):
            ((result, _),) = futures[name][-1].result()
            if result is not None or dating[name] + 1 >= len(paths[name]):
                del dating[name]
                date = result[1] if result is not None else None
                futures[name] += submit_rest(name, len(futures[name]), date)
            else:
                dating[name] += 1
                futures[name].append(submit(name, dating[name], None))
    if not mag:
        for name in paths:
            futures[name] = submit_rest(name, 0, None)
    every = [f for fs in futures.values() for f in fs]
    if targets is not None:  # each night gathered and written by a worker
        writes = {
            name: client.submit(_write_night, fs, cadence, targets[name], pure=False)
            for name, fs in futures.items()
        }
        if sys.stderr.isatty() if progress is None else progress:
            scale.progress_bar([*every, *writes.values()], client, "keogram")
        written: dict[str, Path] = {}
        for name, future in writes.items():
            path, messages = future.result()
            for message in messages:
                warnings.warn(f"{name}: {message}", DataWarning, stacklevel=3)
            written[name] = path
        return written
    # each night gathered by a worker as soon as its files are done (in parallel with the other
    # nights' files, not in the client after all of them)
    nightly = {
        name: client.submit(_gather_night, fs, cadence, pure=False) for name, fs in futures.items()
    }
    show = sys.stderr.isatty() if progress is None else progress
    if show:
        scale.progress_bar([*every, *nightly.values()], client, "keogram")
    wait(list(nightly.values()))
    out = {}
    for name, future in nightly.items():
        keogram, messages = future.result()
        for message in messages:
            warnings.warn(message, DataWarning, stacklevel=3)
        out[name] = keogram
    return out


def _file_box(path: Path, mask: np.ndarray, box: dict[str, Any]) -> tuple[Any, Any]:
    """A task: one file's box statistic with the mask built once.

    Returns ``(series, None)``, or ``(None, "<file>: <reason>")`` for a file that cannot be read.
    """
    from ..io.asi import open_asi
    from .metrics import _box_series

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            ds = open_asi(path)
    except FileFormatError as exc:
        return None, f"{path.name}: {exc}"
    return _box_series(ds, mask, box["metric"], box["percentile"], box["kind"]), None


def _files_box(
    paths: Sequence[Path], mask: np.ndarray, box: dict[str, Any]
) -> list[tuple[Any, Any]]:
    """A cluster task: :func:`_file_box` of several files, one after the other, in order."""
    return [_file_box(path, mask, box) for path in paths]


def night_box_series(
    nights: Mapping[str, str | os.PathLike[str] | Iterable[str | os.PathLike[str]]],
    skymaps: Mapping[str, xr.Dataset | str | os.PathLike[str] | None] | None = None,
    progress: bool | None = None,
    **box: Any,
) -> xr.DataArray:
    """A box statistic's time series over many nights (and sites), a few files per task.

    The box's pixel mask is built once per night (from the night's first readable file, so a
    magnetic box is dated to the night's first frame, as :func:`geospacexr.asi.box_metric` of
    the whole night dates it) and scattered to the workers of the active dask Client; the
    night's files are then split into tasks of config ``scale.files_per_task`` files (fewer
    when the call has too few files for two tasks per worker thread), each reading its files
    one after the other and reducing their frames. Without a Client the files are
    read one after the other in this process. Either way the series equals
    ``box_metric(open_asi(files), skymap, ...)`` of each night.

    Args:
        nights: ``{name: files}``: a glob or a list of one site's files per name.
        skymaps: ``{name: skymap}`` (a Dataset or a ``.sav`` path) for boxes that need one.
        progress: Show a progress bar (default: when on a terminal).
        **box: The box and statistic of :func:`geospacexr.asi.box_metric` (``ccd``,
            ``azimuth``, ``elevation``, ``geo`` or ``mag``; ``altitude_km``, ``metric``,
            ``percentile``).

    Returns:
        DataArray ``(name, time)`` (``channel`` last for RGB), the names in the order given and
        the union of their times (NaN where a night has no frame), with the attrs of the first
        night's series.

    Raises:
        FileFormatError: If no file of a night can be read.
        InvalidArgumentError: For a box or metric :func:`~geospacexr.asi.box_metric` refuses.
    """
    import sys

    from .. import scale
    from ..io.asi import open_asi
    from ..io.registry import expand_paths
    from ..io.skymap import open_skymap
    from .metrics import _box_kind, box_mask, check_metric

    metric, percentile = box.pop("metric", "mean"), box.pop("percentile", None)
    check_metric(metric, percentile)
    modes = ("ccd", "azimuth", "elevation", "geo", "mag")
    shape = {k: box.pop(k) for k in modes if k in box}
    altitude = box.pop("altitude_km", None)
    if box:
        raise InvalidArgumentError(f"unknown box option(s): {', '.join(sorted(box))}")
    box = {
        "metric": metric,
        "percentile": percentile,
        "kind": _box_kind(*(shape.get(k) for k in modes)),
    }
    client = scale.active_client()
    task = scale.Configured(_files_box)
    series: dict[str, list[Any]] = {}
    skipped: dict[str, list[str]] = {}
    expanded = {name: expand_paths(files) for name, files in nights.items()}
    if client is not None:
        size = _batch_size(client, sum(len(p) for p in expanded.values()))
    for name, paths in expanded.items():
        sky = (skymaps or {}).get(name)
        sky = open_skymap(sky) if sky is not None and not isinstance(sky, xr.Dataset) else sky
        skipped[name], mask = [], None
        for k, path in enumerate(paths):  # the night's first readable file shapes the mask
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DataWarning)
                    first = open_asi(path)
            except FileFormatError as exc:
                skipped[name].append(f"{path.name}: {exc}")
                continue
            mask = box_mask(first, sky, altitude_km=altitude, **shape)
            paths = paths[k:]
            break
        if mask is None:
            raise FileFormatError(f"{name}: no file could be read: {'; '.join(skipped[name])}")
        if client is None:
            series[name] = [_file_box(p, mask, box) for p in paths]
        else:
            shared = scale.scatter(mask, client)
            series[name] = [
                client.submit(task, paths[i : i + size], shared, box, pure=False)
                for i in range(0, len(paths), size)
            ]
    if client is not None:
        every = [f for fs in series.values() for f in fs]
        show = sys.stderr.isatty() if progress is None else progress
        if show:
            scale.progress_bar(every, client, "box series")
        series = {
            name: [r for batch in client.gather(fs) for r in batch] for name, fs in series.items()
        }
    parts = []
    for name, results in series.items():
        good = [r for r, _ in results if r is not None]
        skipped[name] += [reason for r, reason in results if r is None]
        if not good:
            raise FileFormatError(f"{name}: no file could be read: {'; '.join(skipped[name])}")
        part = xr.concat(good, dim="time").sortby("time")
        parts.append(part.assign_attrs(good[0].attrs))
    problems = [p for name in skipped for p in skipped[name]]
    if problems:
        warnings.warn(
            f"{len(problems)} file(s) skipped: {'; '.join(problems)}", DataWarning, stacklevel=2
        )
    out = xr.concat(parts, dim="name", join="outer", combine_attrs="override")
    return out.assign_coords(name=list(nights))
