"""Magnetic topology of an MHD run: closed, open (north or south) or solar-wind field lines.

:func:`topology` traces the field line through every seed point in both directions through the
gridded field of one step (:func:`geospacexr.mhd.bridge.field` wrapped by
:func:`geospacexr.rb.models.from_grid`, traced by :func:`geospacexr.rb.tracing.trace`) and
classifies it by where its two ends go:

* **closed**: both ends reach the inner boundary (the Earth, or ``altitude_km`` above it);
* **open north** / **open south**: one end reaches the inner boundary, in the northern
  (``z > 0``) or southern hemisphere, and the other leaves (the outer boundary
  ``rb.trace_outer_re`` or the edge of the grid);
* **solar wind** (IMF): neither end reaches the inner boundary;
* **undetermined**: a half line hit the step limit (``rb.trace_max_steps``), or the seed lies
  outside the field (inside the Earth, beyond the grid).

Seeds are given points or a regular grid on the equatorial (z = 0) or meridional (y = 0) plane.
The classification boundary of a dipole plus a uniform southward field (Dungey's 1961 open
magnetosphere) is known in closed form and is the test (``docs/mhd.md``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from ..errors import InvalidArgumentError

__all__ = ["TOPOLOGY", "line_topology", "topology"]

#: The classes of :func:`topology` (the ``topology`` variable's values, CF flag_values).
TOPOLOGY: dict[int, str] = {
    -1: "undetermined",
    0: "closed",
    1: "open_north",
    2: "open_south",
    3: "solar_wind",
}
#: The tracer's end code of a half line that reached the inner boundary, and of one that hit
#: the step limit (:data:`geospacexr.rb.tracing.END_CODES`).
_INNER, _STEP_LIMIT = 0, 3
#: Planes a seed grid can lie on: the two axes spanning it, and the fixed coordinate.
_PLANES = {"equatorial": ("x", "y", "z"), "meridional": ("x", "z", "y")}


def _seed_grid(
    plane: str, extent: Any, resolution: float | None
) -> tuple[np.ndarray, dict[str, np.ndarray], tuple[str, str], str]:
    """Seeds on a regular grid of the plane: (n, 3) points, the axes, their dims, the fixed axis."""
    from .panels import plot_extent

    if plane not in _PLANES:
        raise InvalidArgumentError(f"'equatorial' or 'meridional', not {plane!r}", "plane")
    step = float(config.resolve(resolution, "mhd.topology_resolution_re"))
    if not (np.isfinite(step) and step > 0):
        raise InvalidArgumentError(f"must be a positive number, not {resolution!r}", "resolution")
    box = plot_extent("std") if extent is None else tuple(float(v) for v in extent)
    if len(box) != 4 or not np.all(np.isfinite(box)) or box[1] <= box[0] or box[3] <= box[2]:
        raise InvalidArgumentError(
            f"(a_min, a_max, b_min, b_max) with a_min < a_max and b_min < b_max, not {extent!r}",
            "extent",
        )
    first, second, fixed = _PLANES[plane]
    # cell centres of a grid of square cells: no seed on the axes (the grid's polar axis)
    na = max(1, int(np.floor((box[1] - box[0]) / step)))
    nb = max(1, int(np.floor((box[3] - box[2]) / step)))
    limit = config.get().mhd.topology_max_seeds
    if na * nb > limit:
        raise InvalidArgumentError(
            f"{na} x {nb} seeds, more than mhd.topology_max_seeds = {limit}: use a coarser "
            "resolution or a smaller extent",
            "resolution",
        )
    a = box[0] + step * (0.5 + np.arange(na))
    b = box[2] + step * (0.5 + np.arange(nb))
    aa, bb = np.meshgrid(a, b, indexing="ij")
    pts = np.zeros((aa.size, 3))
    pts[:, "xyz".index(first)] = aa.ravel()
    pts[:, "xyz".index(second)] = bb.ravel()
    return pts, {first: a, second: b}, (first, second), fixed


def _classify(lines: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Topology codes, and the z of each line's two ends (NaN where an end did not land)."""
    ends = np.stack([lines["end_south"].values, lines["end_north"].values], axis=-1)
    n = lines["n_points"].values.astype(np.int64)
    z = lines["z"].values
    rows = np.arange(z.shape[0])
    z_minus = z[rows, 0] if z.shape[1] else np.full(rows.size, np.nan)
    z_plus = z[rows, np.maximum(n - 1, 0)] if z.shape[1] else np.full(rows.size, np.nan)
    landed = ends == _INNER
    foot = np.where(landed[:, 0], z_minus, z_plus)  # the landed end of a one-footed line
    code = np.full(rows.size, 3, dtype=np.int8)  # neither end landed: solar wind
    both = landed.all(axis=1)
    one = landed.any(axis=1) & ~both
    code[both] = 0
    code[one & (foot >= 0)] = 1
    code[one & (foot < 0)] = 2
    code[(ends == _STEP_LIMIT).any(axis=1) | (n <= 1)] = -1
    return (
        code,
        np.where(landed[:, 0], z_minus, np.nan),
        np.where(landed[:, 1], z_plus, np.nan),
    )


def line_topology(lines: xr.Dataset) -> np.ndarray:
    """The topology class of each traced line, by where its two ends went.

    The classification of :func:`topology`, for lines already traced (by
    :func:`geospacexr.rb.trace` through any field): closed, open north or south, solar wind
    or undetermined (:data:`TOPOLOGY`).

    Args:
        lines: Traced lines (:func:`geospacexr.rb.trace`: ``end_south``, ``end_north``,
            ``n_points`` and ``z`` along ``line``).

    Returns:
        One int8 code per line (the keys of :data:`TOPOLOGY`).
    """
    return _classify(lines)[0]


def topology(
    ds: xr.Dataset,
    points: Any = None,
    step: int | None = -1,
    *,
    plane: str = "equatorial",
    extent: tuple[float, float, float, float] | None = None,
    resolution: float | None = None,
    altitude_km: float = 0.0,
    internal: str = "dipole",
    moment: Any = None,
    rtol: float = 1e-6,
) -> xr.Dataset:
    """Classify the field line through each seed as closed, open north/south or solar wind.

    Every line is traced both ways through the gridded field of one step (the bridge of
    :func:`geospacexr.mhd.field`, :func:`geospacexr.rb.models.from_grid`'s internal field
    inside the grid's inner boundary) until the inner boundary (the Earth, or ``altitude_km``
    above it), the outer boundary (config ``rb.trace_outer_re``) or the edge of the grid.
    **closed**: both ends reach the inner boundary; **open_north** / **open_south**: one end
    does, in the northern (``z > 0``) or southern hemisphere; **solar_wind**: neither does;
    **undetermined**: a half line reached the step limit (``rb.trace_max_steps``) or the seed
    lies outside the field (inside the Earth, beyond the grid).

    Args:
        ds: An ``mhd`` Dataset (:func:`geospacexr.open_gamera`, ``open_lfm``, ``open_swmf``),
            or a ``"bfield"`` Dataset (:func:`geospacexr.mhd.field`, any gridded field).
        points: Seeds, an ``(n, 3)`` array of positions in R_E in the run's frame (SM for
            GAMERA and LFM, GSM for SWMF); default: a grid on ``plane``.
        step: The ``Step#`` number of an ``mhd`` Dataset (``-1`` the last); ignored for a
            ``"bfield"`` Dataset.
        plane: Plane of the seed grid when no ``points`` are given: ``"equatorial"`` (z = 0,
            axes x and y) or ``"meridional"`` (y = 0, axes x and z); the seeds are the centres
            of square cells of side ``resolution`` filling ``extent``.
        extent: The grid's box ``(a_min, a_max, b_min, b_max)`` in R_E along the plane's two
            axes (default kaipy's ``std`` view: x from -40 to 20, the other from -30 to 30).
        resolution: Seed spacing on the plane, R_E (default config
            ``mhd.topology_resolution_re``).
        altitude_km: Altitude of the inner boundary above the Earth's surface, km.
        internal: Field inside the grid's inner boundary: ``"dipole"`` or ``"igrf"``.
        moment: Dipole B0 for ``internal="dipole"`` (nT; default config
            ``rb.dipole_moment_nt``).
        rtol: Relative tolerance of the field-line integrator.

    Returns:
        A Dataset with ``topology`` (int8: -1 undetermined, 0 closed, 1 open_north,
        2 open_south, 3 solar_wind; CF ``flag_values``/``flag_meanings``) and ``z_end_minus``,
        ``z_end_plus`` (the z of the ends that reached the inner boundary, towards -B and +B,
        R_E, else NaN), on ``point`` (with coordinates ``x``, ``y``, ``z``) for ``points``, or
        on the plane's two axes (``x``, ``y`` or ``x``, ``z``) for a grid.

    Raises:
        WrongKindError: If ``ds`` is neither an ``mhd`` nor a ``"bfield"`` Dataset.
        MissingVariableError: If the field or its positions are missing.
        InvalidArgumentError: For seeds that are not ``(n, 3)`` finite positions, an unknown
            plane, a bad extent or resolution, more seeds than config
            ``mhd.topology_max_seeds``, or a step the run lacks.
    """
    from ..rb.models import from_grid
    from ..rb.tracing import trace
    from .bridge import field
    from .points import select_step

    require(ds, ("mhd", "bfield"), ["Bx", "By", "Bz", "x", "y", "z"], "mhd.topology")
    if points is not None:
        pts = np.asarray(points, dtype=float)
        if pts.ndim == 1 and pts.size == 3:
            pts = pts[None, :]
        if pts.ndim != 2 or pts.shape[1] != 3 or not np.all(np.isfinite(pts)):
            raise InvalidArgumentError(
                f"seed points are an (n, 3) array of finite positions in R_E, not shape "
                f"{pts.shape}",
                "points",
            )
        axes: dict[str, np.ndarray] = {}
    else:
        pts, axes, dims, fixed = _seed_grid(plane, extent, resolution)
    limit = config.get().mhd.topology_max_seeds
    if pts.shape[0] > limit:
        raise InvalidArgumentError(
            f"{pts.shape[0]} seeds, more than mhd.topology_max_seeds = {limit}: use a coarser "
            "resolution or a smaller extent",
            "points" if points is not None else "resolution",
        )
    if ds.attrs.get("geospacexr_kind") == "mhd":
        one = select_step(ds, step)
        grid = field(one)
    else:
        grid = ds
    model = from_grid(grid, internal=internal, moment=moment)
    frame = grid.attrs.get("frame", "SM")
    when = grid.attrs.get("time") or None
    lines = trace(model, pts, time=when, frame=frame, altitude_km=altitude_km, rtol=rtol)
    code, z_minus, z_plus = _classify(lines)
    surface = 1.0 + float(altitude_km) / config.get().rb.earth_radius_km
    code[np.linalg.norm(pts, axis=1) <= surface] = -1  # a seed inside the inner boundary
    attrs = {
        "long_name": "magnetic topology of the field line through the seed",
        "flag_values": np.array(sorted(TOPOLOGY), dtype=np.int8),
        "flag_meanings": " ".join(TOPOLOGY[k] for k in sorted(TOPOLOGY)),
    }
    end_attrs = {"units": "Re", "long_name": "z of the end on the inner boundary"}
    if points is not None:
        out = xr.Dataset(
            {
                "topology": ("point", code, attrs),
                "z_end_minus": ("point", z_minus, {**end_attrs, "direction": "-B"}),
                "z_end_plus": ("point", z_plus, {**end_attrs, "direction": "+B"}),
            },
            coords={c: ("point", pts[:, i], {"units": "Re"}) for i, c in enumerate("xyz")},
        )
    else:
        shape = tuple(axes[d].size for d in dims)
        out = xr.Dataset(
            {
                "topology": (dims, code.reshape(shape), attrs),
                "z_end_minus": (dims, z_minus.reshape(shape), {**end_attrs, "direction": "-B"}),
                "z_end_plus": (dims, z_plus.reshape(shape), {**end_attrs, "direction": "+B"}),
            },
            coords={**{d: (d, axes[d], {"units": "Re"}) for d in dims}, fixed: 0.0},
        )
    out.attrs = {
        "geospacexr_kind": "mhd_topology",
        "frame": frame,
        "altitude_km": float(altitude_km),
        "outer_boundary_re": float(config.get().rb.trace_outer_re),
        "source": str(grid.attrs.get("source", "")),
    }
    if "time" in grid.attrs:
        out.attrs["time"] = str(grid.attrs["time"])
    return out
