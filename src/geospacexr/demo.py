"""The tutorial workflow on the sample data, as one function (``geospacexr demo``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from tqdm import tqdm

from . import datasets
from .describe import summary
from .io.atomic import atomic_write, write_netcdf

__all__ = ["run_demo"]


def run_demo(
    output: str | os.PathLike[str] = "geospacexr-demo",
    sample: str = "themis-gill",
    gcm_sample: str | None = "tiegcm-5deg",
) -> list[tuple[Path, str]]:
    """Open a sample, compute its products and write figures and files into ``output``.

    Steps: generate (once) and open the ASI sample in its real file format, summarise it, build
    the CCD keogram, save it as NetCDF, and draw the first and last frames and the keogram; then
    open the GCM sample run, map the neutral temperature at 300 km (per-column interpolation)
    with winds, draw its zonal mean, and save the map's data as NetCDF.

    Args:
        output: Output folder (created if needed).
        sample: An ASI sample name.
        gcm_sample: A GCM sample name, or ``None`` to skip the GCM part.

    Returns:
        ``(path, description)`` of every file written.

    Raises:
        SampleDataError: If ``sample`` is unknown.
        GeospacexrError: If matplotlib (the ``plot`` extra) is missing.
    """
    from .plot import plot_image, plot_keogram, save_figure
    from .plot.common import require_matplotlib

    require_matplotlib()
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    made: list[tuple[Path, str]] = []
    steps = tqdm(
        total=6 + (3 if gcm_sample else 0), desc="geospacexr demo", unit="step", disable=None
    )
    try:
        steps.set_postfix_str("sample data")
        ds = datasets.open_sample(sample)
        steps.update()

        steps.set_postfix_str("summary")
        info = summary(ds)
        path = out / f"{sample}-summary.json"
        with atomic_write(path, "w", encoding="utf-8") as fh:
            json.dump(info, fh, indent=1)
        made.append(
            (
                path,
                f"summary of {sample}: {info['n_times']} frames, "
                f"{info['time_start']} to {info['time_end']}",
            )
        )
        steps.update()

        steps.set_postfix_str("keogram")
        keo = ds.asi.keogram()
        path = write_netcdf(keo.to_dataset(), out / f"{sample}-keogram.nc")
        made.append((path, f"CCD keogram (column {keo.attrs['column']}) as NetCDF"))
        steps.update()

        steps.set_postfix_str("figures")
        ax = plot_keogram(keo)
        made.append((save_figure(ax.figure, out / f"{sample}-keogram.png"), "keogram figure"))
        steps.update()
        for label, index in (("first", 0), ("last", -1)):
            ax = plot_image(ds, time=ds.time.values[index])
            made.append(
                (save_figure(ax.figure, out / f"{sample}-{label}-frame.png"), f"{label} frame")
            )
            steps.update()
        if gcm_sample:
            made.extend(_gcm_part(out, gcm_sample, steps))
    finally:
        steps.close()
    return made


def _gcm_part(out: Path, name: str, steps: tqdm) -> list[tuple[Path, str]]:
    from .plot.gcm import plot_lat_lon, plot_lev_lat

    steps.set_postfix_str("GCM run")
    run = datasets.open_sample(name)
    time = run["time"].values[-1]
    stamp = str(np.datetime_as_string(time, unit="m"))
    steps.update()
    steps.set_postfix_str("GCM slices")
    slice_ = run.gcm.lat_lon("TN", time=time, height=300.0)
    made = [
        (
            write_netcdf(slice_.to_dataset(), out / f"{name}-TN-300km.nc"),
            f"TN at 300 km, {stamp} UT",
        )
    ]
    steps.update()
    steps.set_postfix_str("GCM figures")
    plot_lat_lon(run, "TN", time=time, height=300.0, wind=True, save=out / f"{name}-TN-300km.png")
    made.append((out / f"{name}-TN-300km.png", "map of TN at 300 km with winds and terminator"))
    plot_lev_lat(run, "TN", time=time, save=out / f"{name}-TN-zonal-mean.png")
    made.append((out / f"{name}-TN-zonal-mean.png", "zonal-mean TN against level and height"))
    steps.update()
    return made
