"""Figures of magnetosphere MHD runs: kaipy's ``msphpic`` quick look and ReMIX polar maps.

* :func:`plot_msphpic` draws the panels of :func:`geospacexr.mhd.msphpic` for one step:
  the residual field ``Bz - dipole`` on the equatorial plane with the ``Bz = 0`` contour
  (kaipy's ``PlotEqB``), the pressure (or density) on the meridian (``PlotMerid``), and the
  density and flow speed on the equatorial plane, each labelled with its units, on kaipy's
  ``-size`` axis limits, with the Earth drawn (day side white, night side black) and the time.
  kaipy's colour ranges are kept: residual field +-25 nT (``RdGy_r``), pressure 0.01-10 nPa
  (log), density 0-25 cm-3 (``-den``) or log 0.1-100 cm-3 on the equator, speed 0-800 km/s.
* :func:`plot_msphpic_movie` makes a movie of :func:`plot_msphpic` over the steps of a run: the
  frames are rendered in worker processes with a progress bar and streamed into an MP4 (or GIF)
  that is written atomically (:mod:`geospacexr.plot.movie`, as the GCM movies). kaipy's colour
  ranges are fixed, so every frame has the same colour scale without a pass over the data.
* :func:`plot_remix` draws the potential (kV, contours every ``contour_step``) and the
  field-aligned current (uA/m2, upward positive, ``RdBu_r``) of both hemispheres of one ReMIX
  step, each seen from above its pole in colatitude and MLT with noon at the top and dawn
  (06 MLT) on the right (x, y = colatitude times the sine / minus the cosine of the MLT angle),
  as the SuperDARN maps of :mod:`geospacexr.plot.superdarn_maps`; the cross-polar-cap potential
  is written under each map.

matplotlib is imported inside the functions and figures are made without pyplot (headless).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import numpy as np
import xarray as xr

from .._declare import Option, Options, figure_function
from ..mhd import panels as _panels
from .common import new_figure, require_matplotlib, save_figure
from .options import DRAWING

__all__ = [
    "COLOUR_LIMITS",
    "MHD_DRAWING",
    "plot_msphpic",
    "plot_msphpic_movie",
    "plot_remix",
    "polar_xy",
]

# kaipy 1.1.5 msphViz colour ranges (dbMax, vP, PlotMerid's density, FAC max of remix.py)
_DB_MAX = 25.0  # nT
_P_RANGE = (1.0e-2, 10.0)  # nPa, log
_D_RANGE = (0.0, 25.0)  # cm-3, linear (PlotMerid -den)
_D_EQ_RANGE = (1.0e-1, 1.0e2)  # cm-3, log
_V_RANGE = (0.0, 800.0)  # km/s
_J_MAX = 10.0  # nA/m2 (msphViz.jMax)
_FAC_MAX = 1.5  # uA/m2 (remix.facMax)
#: The msphpic figure's margins and gaps (fractions of the figure; the colour bars are taken
#: from each panel's cell).
_MSPHPIC_LAYOUT = {"left": 0.06, "right": 0.97, "bottom": 0.07, "top": 0.92, "wspace": 0.15,
                   "hspace": 0.28}  # fmt: skip
#: Fixed colour limits of the msphpic panels (kaipy's), by variable: the residual field ``dBz``
#: (nT), the pressure ``P`` (nPa, log) and the density ``D`` on the equator (cm-3, log).
COLOUR_LIMITS: dict[str, tuple[float, float]] = {
    "dBz": (-_DB_MAX, _DB_MAX),
    "P": _P_RANGE,
    "D": _D_EQ_RANGE,
}
_REMIX_LABELS = {"potential": "Potential [kV]", "fac": "FAC [$\\mu$A/m$^2$], upward +"}

#: Drawing options of the MHD figures (declared once, as
#: :data:`~geospacexr.plot.options.DRAWING`).
MHD_DRAWING = Options(
    [
        Option(
            "size",
            "std",
            str,
            "Axis limits, kaipy's ``-size`` preset: ``small``, ``std``, ``big``, ``bigger``, "
            "``fullD`` or ``dm`` (:data:`geospacexr.mhd.SIZES`).",
        ),
        Option(
            "extent",
            None,
            tuple[float, float, float, float] | None,
            "Axis limits ``(x_min, x_max, y_min, y_max)`` in R_E instead of ``size``.",
        ),
        Option("bz", False, bool, "Show the total Bz instead of the residual field (``-bz``)."),
        Option(
            "density",
            False,
            bool,
            "Show the density instead of the pressure on the meridian (``-den``).",
        ),
        Option(
            "current",
            False,
            bool,
            "Show Jy instead of the pressure on the meridian (``-jy``).",
        ),
        Option("contour_step", 10.0, float, "Potential contour spacing, kV."),
        Option(
            "fields",
            ("potential", "fac"),
            tuple[str, ...],
            "The ReMIX variables drawn, one column each (``sigma_p``, ``sigma_h``, "
            "``energy_flux``, ``mean_energy``... are drawn from zero in ``viridis``).",
        ),
        Option(
            "fac_max",
            _FAC_MAX,
            float,
            "Colour limit of the field-aligned current, uA/m2 (kaipy's ``facMax``).",
        ),
    ]
)


def _earth(ax: Any) -> None:
    """The Earth as kaipy's ``addEarth2D``: a unit circle, day side white, night side black."""
    from matplotlib.patches import Circle, Wedge

    ax.add_patch(Wedge((0, 0), 1.0, 90, 270, facecolor="k", edgecolor="k", zorder=5))
    ax.add_patch(Wedge((0, 0), 1.0, -90, 90, facecolor="w", edgecolor="k", zorder=5))
    ax.add_patch(Circle((0, 0), 1.0, fill=False, edgecolor="k", zorder=5))


def _panel(fig: Any, ax: Any, planes: xr.Dataset, values: xr.DataArray, norm: Any, cmap: str,
           label: str, second: str, extent: tuple[float, ...]) -> Any:  # fmt: skip
    mesh = ax.pcolormesh(
        planes["x_corner"].values, planes["y_corner"].values, np.asarray(values), cmap=cmap,
        norm=norm, shading="flat",
    )  # fmt: skip
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xlabel("SM-X [R$_E$]")
    ax.set_ylabel(f"SM-{second.upper()} [R$_E$]")
    _earth(ax)
    fig.colorbar(mesh, ax=ax, label=label, shrink=0.85)
    return mesh


def _panel_values(planes: Any, o: SimpleNamespace) -> list[np.ndarray]:
    """The values of the four msphpic panels, in drawing order (the figure and a movie's update).

    ``planes`` is :func:`geospacexr.mhd.msphpic`'s Dataset or the arrays of a movie frame
    (``_panels.msphpic_planes``), which hold the same numbers under the same names.
    """
    first = planes["Bz_eq"] if o.bz else planes["dBz_eq"]
    if o.current:
        second = planes["Jy_mer"]
    elif o.density:
        second = planes["D_mer"]
    else:
        second = planes["P_mer"]
    d = np.asarray(planes["D_eq"])
    d = np.where(d > 0, d, np.nan)
    return [np.asarray(first), np.asarray(second), d, np.asarray(planes["V_eq"])]


def _msphpic_title(planes: Any, o: SimpleNamespace) -> str:
    """The figure's title: the run, the time and the step (a Dataset or a frame's arrays)."""
    runid = planes.attrs.get("runid") if hasattr(planes, "attrs") else planes.get("runid")
    when = np.datetime_as_string(np.asarray(planes["time"]), unit="s") if "time" in planes else ""
    step = int(planes["step"]) if "step" in planes else None
    return o.title or f"{runid or 'MHD run'}  {when} UT" + (
        f"  (Step#{step})" if step is not None else ""
    )


def _zero_line(ax: Any, planes: Any) -> Any:
    """The Bz = 0 line on the equatorial panel."""
    return ax.contour(np.asarray(planes["x"]), np.asarray(planes["y"]),
                      np.asarray(planes["Bz_eq"]), [0.0], colors="magenta",
                      linewidths=0.75)  # fmt: skip


def _redraw_msphpic(fig: Any, ds: xr.Dataset, step: int) -> Any:
    """Turn an msphpic figure of ``ds`` into the figure of another step, in place.

    Only what changes from step to step is replaced (the panels' values, the Bz = 0 line, the
    title); the axes, colour bars and their ticks are kept, which saves building and laying out
    the figure for every frame of a movie. The result is the figure :func:`plot_msphpic` draws.
    """
    state = fig._geospacexr_msphpic
    # numpy arrays, not msphpic's Dataset: the same numbers without its xarray bookkeeping
    source = bool(state["compute"].get("source", False))
    planes = _panels.msphpic_planes(ds, step, source, state.setdefault("geometry", {}))
    for mesh, values in zip(state["meshes"], _panel_values(planes, state["options"]), strict=True):
        mesh.set_array(np.ma.masked_invalid(values))
    state["zero"].remove()
    state["zero"] = _zero_line(state["meshes"][0].axes, planes)
    fig._suptitle.set_text(_msphpic_title(planes, state["options"]))
    return fig


def _msphpic_changing(fig: Any) -> list[Any]:
    """The artists an msphpic movie draws for every frame (:class:`~.movie.Blitter`).

    What changes from step to step (the meshes, the Bz = 0 line, the title) and what is drawn
    over it (each panel's Earth and frame); the rest (ticks, labels, titles, colour bars) is
    the same in every frame.
    """
    state = fig._geospacexr_msphpic
    out: list[Any] = [fig._suptitle, *state["meshes"], state["zero"]]
    for mesh in state["meshes"]:
        out.extend(mesh.axes.patches)
        out.extend(mesh.axes.spines.values())
    return out


def _draw_msphpic(ds: xr.Dataset, a: dict[str, Any], o: SimpleNamespace) -> Any:
    require_matplotlib()
    from matplotlib.colors import LogNorm, Normalize

    planes = _panels.msphpic(ds, **a)
    if o.current and "Jy_mer" not in planes:
        from ..errors import MissingVariableError

        raise MissingVariableError("plot_msphpic(current=True) needs Jy, which this run lacks")
    extent = tuple(o.extent) if o.extent is not None else _panels.plot_extent(o.size)
    # a fixed layout: constrained layout would cost half of every frame's drawing
    fig = new_figure(o.figsize, layout=None)
    fig.subplots_adjust(**_MSPHPIC_LAYOUT)
    axes = fig.subplots(2, 2)
    src = "Source " if a.get("source") else ""
    # residual (or total) field on the equator, with the Bz = 0 line
    ax = axes[0, 0]
    values = _panel_values(planes, o)
    if o.bz:
        label, cmap = "Vertical field Bz [nT]", "bwr"
    else:
        label, cmap = "Residual field Bz - dipole [nT]", "RdGy_r"
    meshes = [
        _panel(fig, ax, planes, values[0], Normalize(-_DB_MAX, _DB_MAX), cmap, label, "y", extent)
    ]
    zero = _zero_line(ax, planes)
    ax.set_title("Equatorial plane (z = 0)")
    # pressure, density or Jy on the meridian
    ax = axes[0, 1]
    if o.current:
        norm, cmap = Normalize(-_J_MAX, _J_MAX), "PRGn"
        label = "Jy [nA/m$^2$]"
    elif o.density:
        norm, cmap = Normalize(*_D_RANGE), "viridis"
        label = f"{src}Density [cm$^{{-3}}$]"
    else:
        norm, cmap = LogNorm(*_P_RANGE), "viridis"
        label = f"{src}Pressure [nPa]"
    meshes.append(_panel(fig, ax, planes, values[1], norm, cmap, label, "z", extent))
    ax.set_title("Meridional plane (y = 0)")
    # density and speed on the equator
    meshes.append(_panel(fig, axes[1, 0], planes, values[2], LogNorm(*_D_EQ_RANGE), "viridis",
                         f"{src}Density [cm$^{{-3}}$]", "y", extent))  # fmt: skip
    meshes.append(_panel(fig, axes[1, 1], planes, values[3], Normalize(*_V_RANGE), "magma",
                         "Speed |V| [km/s]", "y", extent))  # fmt: skip
    fig.suptitle(_msphpic_title(planes, o))
    # what a movie's next frame replaces (_redraw_msphpic)
    fig._geospacexr_msphpic = {"meshes": meshes, "zero": zero, "compute": a, "options": o}
    if o.save is not None:
        save_figure(fig, o.save)
    return fig


plot_msphpic = figure_function(
    _panels.msphpic,
    _draw_msphpic,
    name="plot_msphpic",
    module=__name__,
    summary="kaipy's msphpic quick look of one step (:func:`geospacexr.mhd.msphpic`).",
    body="Residual field on the equator with the Bz = 0 line, pressure (density, Jy) on the\n"
    "meridian, density and speed on the equator, on kaipy's ``-size`` limits (module\n"
    "docstring for the colour ranges).",
    options=MHD_DRAWING.select("size", "extent", "bz", "density", "current")
    + DRAWING.select("title", "save", "figsize"),
    defaults={"figsize": (12.0, 8.0)},
)


class _MsphpicFrames:
    """Frame ``i`` of an msphpic movie: :func:`plot_msphpic` of one step (picklable)."""

    def __init__(self, ds: xr.Dataset, steps: list[int], kwargs: dict[str, Any], dpi: float):
        self.ds, self.steps, self.kwargs, self.dpi = ds, steps, kwargs, dpi
        self._local = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_local"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    def __call__(self, i: int) -> np.ndarray:
        """Frame ``i`` as RGB pixels.

        The figure of the first frame a worker (thread) renders is kept and turned into the
        next steps' (:func:`_redraw_msphpic`), not built again; its static part (ticks,
        labels, colour bars) is drawn once and only the changing artists are drawn for each
        frame (:class:`geospacexr.plot.movie.Blitter`): the pixels of a full draw.
        """
        return self.view(i)[..., :3].copy()

    def view(self, i: int) -> np.ndarray:
        """Frame ``i`` as the canvas's RGBA pixels, valid until this worker's next frame."""
        from .movie import Blitter

        blitter = getattr(self._local, "blitter", None)
        if blitter is None:
            fig = plot_msphpic(self.ds, step=self.steps[i], **self.kwargs)
            fig.set_dpi(self.dpi)
            blitter = self._local.blitter = Blitter(fig)
        else:
            _redraw_msphpic(blitter.fig, self.ds, self.steps[i])
        return blitter.rgba(_msphpic_changing(blitter.fig))


def _whole(value: Any) -> bool:
    try:
        return float(value) == int(float(value))
    except (TypeError, ValueError, OverflowError):
        return False


def movie_steps(
    ds: xr.Dataset, steps: Sequence[int] | None = None, start: Any = None, end: Any = None
) -> list[int]:
    """The ``Step#`` numbers of the frames of :func:`plot_msphpic_movie`, in order.

    Args:
        ds: An ``mhd`` Dataset.
        steps: The ``Step#`` numbers (default: every step between ``start`` and ``end``).
        start: First time (inclusive; default the first step).
        end: Last time (inclusive; default the last step).

    Returns:
        The step numbers, one per frame.

    Raises:
        InvalidArgumentError: If a step is not in the run, ``steps`` is empty or is given with
            ``start``/``end``, or no step lies between ``start`` and ``end``.
    """
    from ..errors import InvalidArgumentError
    from .common import time_window

    have = ds["step"].values if "step" in ds.coords else np.arange(ds.sizes.get("time", 1))
    have = [int(s) for s in np.atleast_1d(have)]
    if steps is not None:
        if start is not None or end is not None:
            raise InvalidArgumentError("give steps= or start= and end=, not both", "start")
        given = np.atleast_1d(np.asarray(steps, dtype=object))
        if any(not _whole(v) for v in given):
            raise InvalidArgumentError(f"Step# numbers are whole numbers, not {steps!r}", "steps")
        wanted = [int(v) for v in given]
        if not wanted:
            raise InvalidArgumentError("no frames", "steps")
        missing = [s for s in wanted if s not in have]
        if missing:
            shown = ", ".join(map(str, have[:20])) + ("..." if len(have) > 20 else "")
            raise InvalidArgumentError(
                f"this run has no Step#{missing[0]} (it has {shown})", "steps"
            )
        return wanted
    if "time" not in ds.dims:
        return have
    times = ds["time"].values
    try:
        keep = time_window(times, start, end)
    except ValueError as exc:
        raise InvalidArgumentError(f"{exc}", "start") from None
    chosen = [s for s, k in zip(have, keep, strict=True) if k]
    if not chosen:
        raise InvalidArgumentError(
            f"no step between {start} and {end} (the run: {times.min()} to {times.max()})",
            "start",
        )
    return chosen


def plot_msphpic_movie(
    ds: xr.Dataset,
    out: str | os.PathLike[str],
    fps: float = 4.0,
    workers: int | None = None,
    *,
    steps: Sequence[int] | None = None,
    start: Any = None,
    end: Any = None,
    parallel: str = "processes",
    progress: bool | None = None,
    dpi: float = 100.0,
    **kwargs: Any,
) -> Any:
    """A movie (MP4 or GIF) of kaipy's msphpic quick look over the steps of a run.

    Every frame is :func:`plot_msphpic` of one step, with the same drawing options; kaipy's
    colour ranges are fixed, so the colour scales do not change from frame to frame. By default
    every step between ``start`` and ``end`` is a frame (kaipy's ``msphpic -vid`` skips
    ``Step#0``, the initial state; give ``steps=`` for its frames). Frames are rendered in
    parallel (worker processes by default) with a progress bar, streamed into the encoder and
    written atomically (:func:`geospacexr.plot.movie.write_movie`): an interrupted or failed
    movie leaves no partial file and an older movie of the same name untouched.

    Args:
        ds: An ``mhd`` Dataset on a curvilinear grid (:func:`geospacexr.open_gamera`).
        out: Output ``.mp4`` (H.264 through imageio-ffmpeg: libx264 at the preset
            ``io.movie_preset``, default ``veryfast``, and quality ``io.movie_crf`` of
            :mod:`geospacexr.config`) or ``.gif`` (Pillow) file.
        fps: Frames per second.
        workers: Parallel workers (default from config ``io.workers``: one per core).
        steps: The ``Step#`` numbers of the frames, in order (default: every step between
            ``start`` and ``end``).
        start: First time (inclusive; default the first step).
        end: Last time (inclusive; default the last step).
        parallel: ``"processes"`` (default), ``"threads"``, ``"dask"`` or ``"none"``.
        progress: Show a progress bar (default: when on a terminal).
        dpi: Pixels per inch of the frames (the 12 x 8 inch figure at 100 dpi is 1200 x 800).
        **kwargs: Drawing options of :func:`plot_msphpic` (``size``, ``extent``, ``bz``,
            ``density``, ``current``, ``source``, ``title``, ``figsize``).

    Returns:
        The path written.

    Raises:
        WrongKindError: If ``ds`` is not an ``mhd`` Dataset.
        MissingVariableError: If a variable msphpic draws is missing.
        InvalidArgumentError: For an unknown option, a step the run lacks, no step between
            ``start`` and ``end``, a bad ``fps``/``parallel``, or an output that is not
            ``.mp4``/``.gif``.
    """
    import inspect
    from pathlib import Path

    from .._checks import require
    from ..errors import InvalidArgumentError
    from .movie import write_movie

    require(ds, "mhd", ["Bz"], "plot_msphpic_movie")
    if Path(out).suffix.lower() not in (".mp4", ".gif"):
        raise InvalidArgumentError(f"movies are .mp4 or .gif, not {Path(out).suffix!r}", "out")
    params = inspect.signature(plot_msphpic).parameters
    for name in ("step", "save"):
        if name in kwargs:
            raise InvalidArgumentError(
                f"{name} is not an option of a movie"
                + (": give the frames' steps as steps=" if name == "step" else ": use out="),
                name,
            )
    unknown = sorted(set(kwargs) - set(params))
    if unknown:
        takes = ", ".join(p for p in params if p not in ("ds", "step", "save"))
        raise InvalidArgumentError(
            f"plot_msphpic takes no {', '.join(unknown)} (its options: {takes})", unknown[0]
        )
    if not (isinstance(dpi, int | float) and np.isfinite(dpi) and dpi > 0):
        raise InvalidArgumentError(f"must be a positive number, not {dpi!r}", "dpi")
    if not (isinstance(fps, int | float) and np.isfinite(fps) and fps > 0):
        raise InvalidArgumentError(f"must be a positive number, not {fps!r}", "fps")
    frames = movie_steps(ds, steps, start, end)
    # what the frames will need, checked here before any worker starts (cheaply: no figure)
    if kwargs.get("extent") is None:
        _panels.plot_extent(kwargs.get("size", "std"))
    needed = ["Vx", "Vy", "Vz", *(("SrcP_RING", "SrcD_RING") if kwargs.get("source") else "PD")]
    require(ds, "mhd", needed + (["Jy"] if kwargs.get("current") else []), "plot_msphpic_movie")
    render = _MsphpicFrames(ds, frames, kwargs, float(dpi))
    return write_movie(
        render, len(frames), out, fps=fps, workers=workers, progress=progress, parallel=parallel
    )


def polar_xy(colat: np.ndarray, mlt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Colatitude and MLT to the plane seen from above the pole: noon up, dawn right.

    The projection of the ReMIX polar maps (and of the MHD explorer's ReMIX panel).

    Args:
        colat: Colatitude from the hemisphere's pole, degrees.
        mlt: Magnetic local time, hours.

    Returns:
        ``(x, y)``: ``colat sin(15 MLT)`` and ``-colat cos(15 MLT)`` (degrees of colatitude).
    """
    angle = np.deg2rad(15.0 * mlt)
    return colat * np.sin(angle), -colat * np.cos(angle)


def _draw_remix(ds: xr.Dataset, a: dict[str, Any], o: SimpleNamespace) -> Any:
    require_matplotlib()
    from matplotlib.colors import Normalize

    from ..errors import InvalidArgumentError

    one = _panels.ionosphere_step(ds, **a)
    if o.contour_step <= 0:
        raise InvalidArgumentError("must be positive", argument="contour_step")
    fields = (o.fields,) if isinstance(o.fields, str) else tuple(o.fields)
    maps = [str(v) for v in one.data_vars if {"colat", "mlt"} <= set(one[v].dims)]
    missing = [f for f in fields if f not in maps]
    if not fields or missing:
        raise InvalidArgumentError(
            f"variables on the polar grid ({', '.join(maps)}), not {missing or 'none'}",
            argument="fields",
        )
    fig = new_figure(o.figsize)
    axes = fig.subplots(2, len(fields), squeeze=False)
    cc, mc = np.meshgrid(one["colat_corner"].values, one["mlt_corner"].values, indexing="ij")
    xc, yc = polar_xy(cc, mc)
    ce, me = np.meshgrid(one["colat"].values, one["mlt"].values, indexing="ij")
    xe, ye = polar_xy(ce, me)
    edge = float(one["colat_corner"].max())
    pot_max = float(np.nanmax(np.abs(one["potential"].values))) or 1.0
    for row, hemi in enumerate(one["hemisphere"].values):
        h = one.sel(hemisphere=hemi)
        for col, name in enumerate(fields):
            ax = axes[row, col]
            values = h[name].values
            if name in ("potential", "fac"):
                lim = pot_max if name == "potential" else o.fac_max
                norm, cmap = Normalize(-lim, lim), "RdBu_r"
            else:
                norm, cmap = Normalize(0.0, float(np.nanmax(one[name].values)) or 1.0), "viridis"
            units = one[name].attrs.get("units", "")
            label = _REMIX_LABELS.get(name, name.replace("_", " ")) + (
                f" [{units}]" if units and name not in _REMIX_LABELS else ""
            )
            mesh = ax.pcolormesh(xc, yc, values, cmap=cmap, norm=norm, shading="flat")
            fig.colorbar(mesh, ax=ax, label=label, shrink=0.85)
            if name == "potential":
                top = o.contour_step * np.ceil(pot_max / o.contour_step)
                levels = np.arange(-top, top + 0.5 * o.contour_step, o.contour_step)
                levels = levels[levels != 0]
                if levels.size:
                    ax.contour(xe, ye, h[name].values, levels, colors="k", linewidths=0.6)
            for ring in np.arange(10.0, edge + 1e-9, 10.0):
                t = np.linspace(0, 2 * np.pi, 181)
                ax.plot(ring * np.cos(t), ring * np.sin(t), color="0.5", lw=0.4, ls=":")
            for hour, (ha, va) in {
                0: ("center", "top"),
                6: ("left", "center"),
                12: ("center", "bottom"),
                18: ("right", "center"),
            }.items():
                hx, hy = polar_xy(np.array(edge * 1.04), np.array(float(hour)))
                ax.text(hx, hy, f"{hour:02d}", ha=ha, va=va, fontsize=8)  # fmt: skip
            ax.set_xlim(-edge * 1.15, edge * 1.15)
            ax.set_ylim(-edge * 1.15, edge * 1.15)
            ax.set_aspect("equal")
            ax.set_axis_off()
            title = f"{str(hemi).capitalize()} {name.replace('_', ' ')}"
            if name == "potential" and "cpcp" in h:
                title += f"  (CPCP {float(h['cpcp']):.1f} kV)"
            ax.set_title(title, fontsize=10)
    when = np.datetime_as_string(one["time"].values, unit="s") if "time" in one.coords else ""
    fig.suptitle(o.title or f"ReMIX {when} UT, MLT noon up, dawn right, colatitude rings 10 deg")
    if o.save is not None:
        save_figure(fig, o.save)
    return fig


plot_remix = figure_function(
    _panels.ionosphere_step,
    _draw_remix,
    name="plot_remix",
    module=__name__,
    summary="ReMIX potential and field-aligned current (or other ``fields``), both "
    "hemispheres, in MLT "
    "(:func:`geospacexr.mhd.ionosphere_step`).",
    body="Each hemisphere seen from above its pole, noon at the top, dawn on the right, rings\n"
    "every 10 degrees of colatitude; potential contours every ``contour_step`` kV.",
    options=MHD_DRAWING.select("fields", "contour_step", "fac_max")
    + DRAWING.select("title", "save", "figsize"),
    defaults={"figsize": (9.0, 8.0)},
    raises="    InvalidArgumentError: For a non-positive ``contour_step``, an unknown field or a\n"
    "        missing step.",
)
