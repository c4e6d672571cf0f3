"""Bridge from magnetosphere MHD output to the radiation belts: a ``"bfield"`` Dataset.

:func:`field` turns one step of an ``"mhd"`` Dataset (:func:`geospacexr.open_gamera`,
:func:`geospacexr.open_lfm`, :func:`geospacexr.open_swmf`) into a Dataset of kind ``"bfield"``
that :func:`geospacexr.rb.models.from_grid` uses directly (field lines, footprints, K, Lm, L*).

* Curvilinear grids (GAMERA, LFM): B is cell-centred, so the bridge's nodes are the **cell
  centres** (no averaging to corners, which would smooth the field and mix cells across the
  axis). The centres do not cover the whole domain, so three pads are added: the first
  k-plane is repeated after the last (the azimuthal seam closes), a row on the grid's polar
  axis at each end of j (at the centre of the adjacent ring of centres; B there is the run's
  dipole plus the ring's mean residual over it, each k-plane once) and a shell of NaN nodes on
  the inner boundary (between it and the first centres ``from_grid``'s internal field takes
  over, as inside the boundary). ``attrs["inner_field_nt"]``, the area-weighted mean residual
  over the dipole on the first shell of cells, is the external field at the Earth's centre,
  which ``from_grid`` adds inside the boundary.
* Point clouds (SWMF block-adaptive cuts): the cell centres are triangulated (Delaunay) and
  ``r^3 B`` is interpolated linearly (no nearest neighbour) onto a rectilinear grid of spacing
  ``mhd.bridge_resolution_re`` in a box of half-width ``mhd.bridge_extent_re`` clipped to the
  cloud; only the cells within two grid steps of that box are triangulated and the nodes are
  evaluated in chunks, so memory is bounded by the box (``mhd.bridge_max_points``). Nodes
  inside the body radius (``rbody``) are NaN: ``from_grid`` uses the internal field there.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._checks import require
from ..errors import InvalidArgumentError

__all__ = ["field"]

#: Relative spread below which a ring of corner nodes is one point (the grid's polar axis).
_AXIS_TOLERANCE = 1e-6
#: Grid nodes interpolated per chunk when regridding a point cloud.
_CHUNK = 262_144


def _step(ds: xr.Dataset, time: Any) -> xr.Dataset:
    """The Dataset at one time (an int: position; else the nearest time)."""
    if "time" not in ds.dims:
        return ds
    n = ds.sizes["time"]
    if time is None:
        if n != 1:
            raise InvalidArgumentError(
                f"the run has {n} steps: pass time= (a step number 0..{n - 1} or a time)", "time"
            )
        return ds.isel(time=0)
    if isinstance(time, (int, np.integer)):
        if not -n <= int(time) < n:
            raise InvalidArgumentError(f"step {time} is outside 0..{n - 1}", "time")
        return ds.isel(time=int(time))
    try:
        return ds.sel(time=np.datetime64(time, "ns"), method="nearest")
    except (TypeError, ValueError) as exc:
        message = f"not a step number or a time: {time!r} ({exc})"
        raise InvalidArgumentError(message, "time") from None


def _frames(ds: xr.Dataset, frame: str | None) -> tuple[str, str]:
    """(native frame, requested frame), both GSM or SM."""
    from ..rb.frames import frame_name

    native = frame_name(ds.attrs.get("coordinate_system", "SM"), "ds")
    target = native if frame is None else frame_name(frame, "frame")
    for name, value in (("ds", native), ("frame", target)):
        if value not in ("GSM", "SM"):
            raise InvalidArgumentError(f"gridded fields must be in GSM or SM, not {value}", name)
    return native, target


def _rotate(vectors: list[np.ndarray], native: str, target: str, when: Any) -> list[np.ndarray]:
    """Rotate (x, y, z) triples from the native frame to the target frame at a time."""
    if native == target:
        return vectors
    if when is None:
        raise InvalidArgumentError("a frame change needs the step's time", "frame")
    from ..rb.frames import transform

    out: list[np.ndarray] = []
    for i in range(0, len(vectors), 3):
        out.extend(transform(*vectors[i : i + 3], native, target, when))
    return out


def _is_axis(ring: np.ndarray) -> bool:
    """Whether corner nodes (..., 3) along k collapse to points (a polar axis)."""
    spread = np.ptp(ring, axis=0).max()
    return bool(spread <= _AXIS_TOLERANCE * max(1.0, float(np.abs(ring).max())))


def _dipole(ds: xr.Dataset, target: str, when: Any) -> Any:
    """The run's centred dipole in the target frame: a function of positions (..., 3).

    Its moment is ``|MagM0|`` (GAMERA) or ``rb.dipole_moment_nt``; its axis SM z.
    """
    b0 = abs(float(ds.attrs.get("MagM0", config.get().rb.dipole_moment_nt)))
    (ax,), (ay,), (az,) = _rotate(
        [np.array([0.0]), np.array([0.0]), np.array([1.0])], "SM", target, when
    )
    axis = np.array([float(ax), float(ay), float(az)])

    def dipole(p: np.ndarray) -> np.ndarray:
        r2 = (p**2).sum(-1, keepdims=True)
        return b0 / r2**2.5 * (axis * r2 - 3.0 * (p @ axis)[..., None] * p)

    return dipole


def _inner_field(centres: np.ndarray, b: np.ndarray, face: np.ndarray, dipole: Any) -> np.ndarray:
    """The external field at the Earth's centre, from the grid's first shell of cells.

    Inside the inner boundary the run has no currents, so the residual over the dipole is a
    potential field there and each component is harmonic: its mean over a sphere is its value at
    the centre. The mean is taken over the first shell of cell centres, weighted by the area of
    each cell's inner face; ``from_grid`` adds it, uniform, to the dipole inside the boundary
    (the first term of the external field's expansion, which carries the ring current's and the
    magnetopause's depression to the footprints).

    Args:
        centres: The first shell of cell centres, (k, j, 3).
        b: B there, (k, j, 3).
        face: The inner corner sphere, (kc, jc, 3).
        dipole: The run's dipole, a function of positions.

    Returns:
        The uniform field (3,), nT (zero if B is missing on that shell).
    """
    d1 = face[1:, 1:] - face[:-1, :-1]
    d2 = face[:-1, 1:] - face[1:, :-1]
    area = 0.5 * np.linalg.norm(np.cross(d1, d2), axis=-1)[: centres.shape[0], : centres.shape[1]]
    residual = b - dipole(centres)
    ok = np.isfinite(residual).all(-1) & (area > 0)
    if not ok.any():
        return np.zeros(3)
    w = area[ok] / area[ok].sum()
    return (residual[ok] * w[:, None]).sum(0)


def _ring_centres(ring: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """The centres of the rings of cell centres next to a polar axis, projected onto the axis.

    The mean of B over a ring is B at the ring's centre to second order in its radius, so the
    axis node carrying that mean sits there (not between the corner shells, which are further
    from the Earth: the r^-3 dipole would be off by several tenths of a percent).

    Args:
        ring: Cell centres next to the axis, (k, i, 3).
        axis: Corner nodes on the axis, (i + 1, 3).

    Returns:
        (i, 3) points on the axis.
    """
    centroid = ring.mean(axis=0)
    start = axis[0]
    direction = axis[-1] - axis[0]
    direction = direction / np.linalg.norm(direction)
    along = (centroid - start) @ direction
    return start + along[:, None] * direction


def _curvilinear(ds: xr.Dataset, native: str, target: str, when: Any) -> dict[str, Any]:
    """Nodes and B on the padded cell-centre grid of a GAMERA or LFM step."""
    dims = ("k", "j", "i")
    cx, cy, cz, bx, by, bz = (
        ds[v].transpose(*dims).values.astype(np.float64) for v in ("x", "y", "z", "Bx", "By", "Bz")
    )
    corners = np.stack(
        [ds[v].transpose("kc", "jc", "ic").values.astype(np.float64) for v in "XYZ"], axis=-1
    )
    cx, cy, cz, bx, by, bz = _rotate([cx, cy, cz, bx, by, bz], native, target, when)
    ccx, ccy, ccz = _rotate(
        [corners[..., 0], corners[..., 1], corners[..., 2]], native, target, when
    )
    corners = np.stack([ccx, ccy, ccz], axis=-1)
    nodes = np.stack([cx, cy, cz], axis=-1)
    b = np.stack([bx, by, bz], axis=-1)
    unique = nodes.shape[0]  # k-planes before the seam is closed (each cell once)
    cells, bcells = nodes[:, :, 0], b[:, :, 0]  # the first shell of cell centres (k, j, 3)
    # the azimuthal seam: corner planes kc=0 and kc=nk coincide
    if np.allclose(corners[0], corners[-1], rtol=0, atol=1e-6 * np.abs(corners).max()):
        nodes = np.concatenate([nodes, nodes[:1]], axis=0)
        b = np.concatenate([b, b[:1]], axis=0)
    nk = nodes.shape[0]
    # the polar axis at either end of j: a row of nodes on it
    for end, jc in ((0, 0), (-1, -1)):
        ring = corners[:, jc, :, :]  # (kc, ic, 3)
        if not _is_axis(ring):
            continue
        axis = _ring_centres(nodes[:unique, end], ring[0])  # (i, 3)
        row = np.broadcast_to(axis, (nk, *axis.shape))[:, None]
        # the ring mean of the residual over the run's dipole (each k-plane once), plus the
        # dipole on the axis: the r^-3 part's ring mean would be 3 (rho / r)^2 low
        dipole = _dipole(ds, target, when)
        residual = b[:unique, end] - dipole(nodes[:unique, end])
        value = np.nanmean(residual, axis=0) + dipole(axis)  # (i, 3)
        brow = np.broadcast_to(value, (nk, *value.shape))[:, None]
        pair = (row, nodes) if end == 0 else (nodes, row)
        bpair = (brow, b) if end == 0 else (b, brow)
        nodes = np.concatenate(pair, axis=1)
        b = np.concatenate(bpair, axis=1)
    # the field inside the inner boundary: the residual's mean over the first shell of centres
    inner_field = _inner_field(cells, bcells, corners[:, :, 0], _dipole(ds, target, when))
    # the inner boundary: a NaN shell at the inner corner sphere's radius
    rin = float(np.sqrt((corners[:, :, 0] ** 2).sum(-1)).mean())
    first = nodes[:, :, :1]
    shell = first * (rin / np.sqrt((first**2).sum(-1, keepdims=True)))
    nodes = np.concatenate([shell, nodes], axis=2)
    b = np.concatenate([np.full(shell.shape, np.nan), b], axis=2)
    coords = {c: (dims, nodes[..., n]) for n, c in enumerate("xyz")}
    data = {v: (dims, b[..., n]) for n, v in enumerate(("Bx", "By", "Bz"))}
    return {
        "data": data,
        "coords": coords,
        "inner": rin,
        "inner_field": inner_field,
        "grid": "curvilinear cell centres (seam closed, axis rows, NaN inner shell)",
    }


def _rbody(ds: xr.Dataset, r: np.ndarray) -> float:
    """The body radius of a SWMF run: ``rbody`` from the file's parameters, else the cloud's."""
    params = ds.attrs.get("idl_parameters")
    if params:
        try:
            value = json.loads(params).get("rbody") if isinstance(params, str) else None
        except ValueError:
            value = None
        if value is not None and float(value) > 0:
            return float(value)
    return float(np.nanmin(r))


def _cloud(
    ds: xr.Dataset, native: str, target: str, when: Any, resolution: float, extent: float,
    max_points: int,
) -> dict[str, Any]:  # fmt: skip
    """A point-cloud step regridded onto a rectilinear grid (r^3 B, Delaunay-linear)."""
    from scipy.interpolate import LinearNDInterpolator
    from scipy.spatial import Delaunay

    (cell,) = ds["x"].dims
    px, py, pz, bx, by, bz = (
        ds[v].transpose(cell).values.astype(np.float64) for v in ("x", "y", "z", "Bx", "By", "Bz")
    )
    r = np.sqrt(px * px + py * py + pz * pz)
    rbody = _rbody(ds, r)
    px, py, pz, bx, by, bz = _rotate([px, py, pz, bx, by, bz], native, target, when)
    points = np.stack([px, py, pz], axis=-1)
    ok = np.isfinite(points).all(-1) & np.isfinite(np.stack([bx, by, bz], -1)).all(-1)
    lo = np.maximum(points[ok].min(0), -extent)
    hi = np.minimum(points[ok].max(0), extent)
    if np.any(hi - lo < 2 * resolution):
        raise InvalidArgumentError(
            f"the cloud spans less than two grid steps ({resolution} Re) in the box", "ds"
        )
    axes = [lo[d] + resolution * np.arange(int(np.floor((hi[d] - lo[d]) / resolution)) + 1)
            for d in range(3)]  # fmt: skip
    shape = tuple(len(a) for a in axes)
    margin = 2 * resolution
    near = ok & np.all((points >= lo - margin) & (points <= hi + margin), axis=-1)
    if int(np.prod(shape)) > max_points or int(near.sum()) > max_points:
        raise InvalidArgumentError(
            f"regridding needs {int(np.prod(shape))} nodes from {int(near.sum())} cells, more "
            f"than mhd.bridge_max_points = {max_points}: raise mhd.bridge_resolution_re or lower "
            "mhd.bridge_extent_re",
            "ds",
        )
    p = points[near]
    r3 = (r[near] ** 3)[:, None]
    values = np.stack([bx[near], by[near], bz[near]], axis=-1) * r3
    # QJ: joggled input; the block lattice is degenerate (cospherical points), which makes
    # the unjoggled triangulation's point location fall back to a brute-force search
    interp = LinearNDInterpolator(Delaunay(p, qhull_options="QJ"), values)
    gx, gy, gz = np.meshgrid(*axes, indexing="ij")
    flat = np.stack([gx.ravel(), gy.ravel(), gz.ravel()], axis=-1)
    out = np.empty((flat.shape[0], 3))
    for s in range(0, flat.shape[0], _CHUNK):
        out[s : s + _CHUNK] = interp(flat[s : s + _CHUNK])
    rn = np.sqrt((flat**2).sum(-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        out /= (rn**3)[:, None]
    out[rn < rbody] = np.nan
    out = out.reshape(*shape, 3)
    dims = ("x", "y", "z")
    return {
        "data": {v: (dims, out[..., n]) for n, v in enumerate(("Bx", "By", "Bz"))},
        "coords": dict(zip(dims, axes, strict=True)),
        "inner": rbody,
        "grid": f"rectilinear, {resolution:g} Re, linear (Delaunay) interpolation of r^3 B",
    }


def field(
    ds: xr.Dataset,
    time: Any = None,
    frame: str | None = None,
    *,
    resolution: float | None = None,
    extent: float | None = None,
) -> xr.Dataset:
    """One step of an MHD run as a ``"bfield"`` Dataset for :func:`geospacexr.rb.models.from_grid`.

    Curvilinear runs (GAMERA, LFM) keep their grid: the nodes are the cell centres, padded so
    the seam, the polar axis and the inner boundary are covered; point clouds (SWMF) are
    regridded onto a rectilinear grid by linear interpolation of ``r^3 B`` on a Delaunay
    triangulation (module documentation and ``docs/mhd.md``, "Bridge to the radiation belts").

    Args:
        ds: An ``"mhd"`` Dataset with Bx, By, Bz (nT) and x, y, z (Re).
        time: The step: None (a single-step Dataset), a step number (position along ``time``)
            or a time (the nearest step).
        frame: ``"SM"`` or ``"GSM"`` (default: the run's own, ``attrs["coordinate_system"]``:
            SM for GAMERA and LFM, GSM for SWMF); another frame rotates positions and field at
            the step's time.
        resolution: Grid spacing of a regridded point cloud, Re (default
            ``mhd.bridge_resolution_re``).
        extent: Half-width of the regridding box, Re (default ``mhd.bridge_extent_re``).

    Returns:
        A Dataset of kind ``"bfield"``: Bx, By, Bz (nT) on 3-D (curvilinear) or 1-D
        (rectilinear) coordinates x, y, z (Re); attrs ``frame``, ``inner_boundary_re`` (the
        grid's inner boundary radius, Re), ``time``, ``source``, ``bridge_grid`` and, for a
        curvilinear grid, ``inner_field_nt`` (the uniform field ``from_grid`` adds to the
        dipole inside the inner boundary, nT).

    Raises:
        WrongKindError: ``ds`` is not an ``"mhd"`` Dataset.
        MissingVariableError: B or the positions are missing.
        InvalidArgumentError: Several steps and no ``time``, an unknown step, a frame other than
            GSM or SM, or a regridding larger than ``mhd.bridge_max_points``.
    """
    require(ds, "mhd", ["Bx", "By", "Bz", "x", "y", "z"], "mhd.bridge.field")
    cfg = config.get().mhd
    one = _step(ds, time)
    when = one["time"].values if "time" in one.coords else None
    native, target = _frames(ds, frame)
    curvilinear = all(c in one.coords for c in "XYZ") and one["x"].ndim == 3
    if curvilinear:
        built = _curvilinear(one, native, target, when)
    elif one["x"].ndim == 1 and one["Bx"].dims == one["x"].dims:
        built = _cloud(
            one, native, target, when,
            float(config.resolve(resolution, "mhd.bridge_resolution_re")),
            float(config.resolve(extent, "mhd.bridge_extent_re")),
            int(cfg.bridge_max_points),
        )  # fmt: skip
    else:
        raise InvalidArgumentError(
            "need a curvilinear grid (corners X, Y, Z and 3-D centres x, y, z) or a point "
            "cloud (x, y, z on the field's one dimension)",
            "ds",
        )
    model = ds.attrs.get("mhd_model", "mhd")
    out = xr.Dataset(built["data"], coords=built["coords"])
    for v in ("Bx", "By", "Bz"):
        out[v].attrs["units"] = "nT"
    for c in "xyz":
        out[c].attrs["units"] = "Re"
    out.attrs = {
        "geospacexr_kind": "bfield",
        "frame": target,
        "inner_boundary_re": float(built["inner"]),
        "source": f"{model} {ds.attrs.get('source_files', '')}".strip(),
        "time": "" if when is None else str(np.datetime_as_string(when, unit="s")),
        "bridge_grid": built["grid"],
    }
    if "inner_field" in built:
        out.attrs["inner_field_nt"] = [float(v) for v in built["inner_field"]]
    return out
