"""Mosaics: many imagers on one latitude/longitude grid, one sparse product per frame.

How a site's pixels reach the grid (computed once per skymap, altitude, elevation cutoff and grid,
cached through :class:`geospacexr.io.cache.ResultCache`: the last ``cache.mosaic_matrices`` in
memory, every one on disk under ``<paths.cache_dir>/mosaic``, keyed by the skymaps' content; each
site's part is also kept in memory, so a new set of sites only combines parts). The work follows
the field of view, not the grid: one k-d tree of the site's pixels, queried for the empty cells
near the field of view and for the sizes of the pixels found (a new cutoff or altitude for three
THEMIS sites on the 0.35 degree globe takes about 0.1 s; ``bench_explore.py``):

* each pixel's centre, at the mapping altitude, falls in one grid cell; a cell holding several
  pixel centres (near the zenith pixels are much smaller than cells) takes their mean;
* a cell inside the field of view that holds no pixel centre (near the horizon one pixel spans
  many cells) takes the pixel whose centre is nearest, measured on the sphere, if that pixel's
  footprint reaches the cell (distance below the pixel's own size);
* pixels below the elevation cutoff take no part.

That is "cells assigned" where PyAuroraX paints each pixel's polygon. Measured against the
polygon PyAuroraX shows at each cell centre (three THEMIS sites, 110 km, 5 degree cutoff,
``tests/asi/test_mosaic_reference.py``): the covered cells agree to about 2 % (at the cutoff
edge), the site to 99.5 % (the rest along the lines where two sites see a cell at nearly the
same elevation), the pixel is among the cell's pixels in 87 % of the cells and within one
neighbouring pixel in 98 %, never more than four pixels away (near the horizon, where pixels
are long and narrow).
Sites overlap by ``overlap=``: ``"elevation"`` (the site seeing the cell highest wins, as
PyAuroraX's drawing order does), ``"mean"`` (the mean of the sites, ``site`` naming the highest),
``"nearest"`` (the site nearest on the ground, asilib's rule).

The result is one ``scipy.sparse`` matrix per site set; a frame is ``W @ pixels``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from .. import config
from .._caches import BoundedCache
from .._checks import require
from ..errors import IncompatibleInputError, InvalidArgumentError
from ..io.cache import ResultCache
from .skymaps import check_skymap, pixel_centres

__all__ = ["GRID_CALGARY_DEG", "grid", "mosaic", "mosaic_matrix"]

#: The University of Calgary grid files' cell size (512 x 1024 cells, geographic).
GRID_CALGARY_DEG = 0.3515625
_OVERLAP = ("elevation", "mean", "nearest")
_MAX_CELLS = 50_000_000
#: Search radius for the pixel nearest an empty cell (a chord of the unit sphere, ~5 degrees).
_SEARCH_CHORD = float(np.deg2rad(5.0))
#: Version of the cached files' layout (part of every key: other layouts are never read).
_LAYOUT = "covered-cells-1"


def grid(
    resolution_deg: float = GRID_CALGARY_DEG,
    lat: tuple[float, float] = (-90.0, 90.0),
    lon: tuple[float, float] = (-180.0, 180.0),
    coords: str = "geo",
) -> xr.Dataset:
    """A regular latitude/longitude grid for mosaics.

    Args:
        resolution_deg: Cell size, degrees (default the UCalgary grid files': 0.3515625).
        lat: Latitude range (cell edges), degrees.
        lon: Longitude range (cell edges), degrees, within [-180, 180].
        coords: ``"geo"`` (geographic) or ``"mag"`` (AACGM-v2 magnetic latitude/longitude).

    Returns:
        A Dataset with ``lat``, ``lon`` cell-centre coordinates (ascending) and the grid's
        description in attrs.

    Raises:
        InvalidArgumentError: On a bad resolution, range or coordinate system, or a grid too
            large for memory (the estimate is given).
    """
    if coords not in ("geo", "mag"):
        raise InvalidArgumentError(f"coords must be 'geo' or 'mag', not {coords!r}")
    if not resolution_deg > 0:
        raise InvalidArgumentError(f"resolution_deg must be positive, not {resolution_deg!r}")
    (lat0, lat1), (lon0, lon1) = sorted(lat), sorted(lon)
    if lat0 < -90 or lat1 > 90 or lon0 < -180 or lon1 > 180:
        raise InvalidArgumentError(f"grid range lat {lat}, lon {lon} is outside the globe")
    nlat = round((lat1 - lat0) / resolution_deg)
    nlon = round((lon1 - lon0) / resolution_deg)
    if nlat < 1 or nlon < 1:
        raise InvalidArgumentError("the grid has no cell: widen the range or refine the resolution")
    if nlat * nlon > _MAX_CELLS:
        gib = nlat * nlon * 4 * 3 / 2**30
        raise InvalidArgumentError(
            f"a {nlat} x {nlon} grid needs about {gib:.1f} GiB per frame and time step; "
            "choose a coarser resolution or a smaller range"
        )
    lats = lat0 + resolution_deg * (np.arange(nlat) + 0.5)
    lons = lon0 + resolution_deg * (np.arange(nlon) + 0.5)
    return xr.Dataset(
        coords={
            "lat": (
                "lat",
                lats,
                {
                    "units": "degrees_north" if coords == "geo" else "degrees",
                    "long_name": "cell-centre latitude"
                    + (" (AACGM-v2)" if coords == "mag" else ""),
                },
            ),
            "lon": (
                "lon",
                lons,
                {
                    "units": "degrees_east" if coords == "geo" else "degrees",
                    "long_name": "cell-centre longitude"
                    + (" (AACGM-v2)" if coords == "mag" else ""),
                },
            ),
        },
        attrs={
            "geospacexr_kind": "grid",
            "resolution_deg": float(resolution_deg),
            "coords": coords,
        },
    )


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.deg2rad(lat), np.deg2rad(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _site_positions(
    skymap: xr.Dataset, altitude_km: float, coords: str, date: Any
) -> tuple[np.ndarray, np.ndarray]:
    if coords == "geo":
        centres = pixel_centres(skymap, altitude_km)
        return centres["lat"].values, centres["lon"].values
    from .skymaps import magnetic

    mag = magnetic(skymap, date, altitude_km)
    return mag["mlat"].values, mag["mlon"].values


def _digest(skymap: xr.Dataset) -> str:
    """A content hash of the skymap arrays the mapping depends on."""
    h = hashlib.sha256()  # the fastest of hashlib's here (CPU instructions)
    for name in ("elevation", "lat_corner", "lon_corner", "altitude"):
        values = np.ascontiguousarray(skymap[name].values)
        h.update(f"{name}{values.dtype}{values.shape}".encode())
        h.update(memoryview(values).cast("B"))  # the bytes, not a copy of them
    h.update(json.dumps([skymap.attrs.get("site_lat"), skymap.attrs.get("site_lon")]).encode())
    return h.hexdigest()


def _site_part(
    skymap: xr.Dataset,
    digest: str,
    target: xr.Dataset,
    altitude_km: float,
    min_elevation: float,
    date: Any,
) -> dict[str, Any]:
    """One site's mapping, on the cells it covers only (cached in memory).

    Returns a dict: ``cells`` the covered cells (ascending flat indices), ``W`` the
    len(cells) x pixels matrix (row k is cell ``cells[k]``), ``elevation`` and ``distance``
    (chord to the site) per covered cell, ``npix`` the site's pixel count.
    """
    key = (
        digest,
        float(altitude_km),
        float(min_elevation),
        _grid_signature(target),
        str(np.datetime64(date, "D")) if target.attrs["coords"] == "mag" else "",
    )
    found = _SITES.get(key)
    if found is None:
        found = _site_matrix(skymap, target, altitude_km, min_elevation, date)
        _SITES.put(key, found)
    return found


def _site_matrix(
    skymap: xr.Dataset, target: xr.Dataset, altitude_km: float, min_elevation: float, date: Any
) -> dict[str, Any]:
    """Compute :func:`_site_part` (no cache).

    Only cells that can be covered are touched: the k-d tree of the site's pixels is queried
    for the empty cells near the field of view (those within reach of the pixels' bounding
    sphere) and for the local size of the pixels found, never for every pixel or every cell
    of the grid's latitude band, so the cost follows the field of view, not the grid.
    """
    from scipy import sparse
    from scipy.spatial import cKDTree

    lat, lon = _site_positions(skymap, altitude_km, target.attrs["coords"], date)
    elevation = skymap["elevation"].values.astype(np.float64)
    ok = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(elevation) & (elevation >= min_elevation)
    pixels = np.flatnonzero(ok.ravel())
    npix = elevation.size
    glat, glon = target["lat"].values, target["lon"].values
    res = float(target.attrs["resolution_deg"])
    ncell = glat.size * glon.size
    if pixels.size == 0:
        return {
            "cells": np.empty(0, dtype=np.int64),
            "W": sparse.csr_matrix((0, npix)),
            "elevation": np.empty(0),
            "distance": np.empty(0),
            "npix": npix,
        }
    plat, plon = lat.ravel()[pixels], lon.ravel()[pixels]
    # 1) pixel centres into cells (mean of the pixels in a cell)
    i = np.floor((plat - (glat[0] - res / 2)) / res).astype(np.int64)
    j = np.floor((((plon - (glon[0] - res / 2)) + 360.0) % 360.0) / res).astype(np.int64)
    inside = (i >= 0) & (i < glat.size) & (j >= 0) & (j < glon.size)
    cells = i[inside] * glon.size + j[inside]
    counts = np.bincount(cells, minlength=ncell)
    rows = [cells]
    cols = [pixels[inside]]
    vals = [1.0 / counts[cells]]
    # 2) empty cells near the field of view: the nearest pixel, if its footprint reaches the cell
    xyz = _unit(plat, plon)
    tree = cKDTree(xyz)
    lat_lo, lat_hi = np.nanmin(plat) - 2 * res, np.nanmax(plat) + 2 * res
    ci = np.flatnonzero((glat >= lat_lo) & (glat <= lat_hi))
    # the band's cell centres as unit vectors, from one cosine/sine per row and column (the
    # same numbers as _unit of every cell)
    rlat, rlon = np.deg2rad(glat[ci]), np.deg2rad(glon)
    x = np.cos(rlat)[:, None] * np.cos(rlon)[None, :]
    y = np.cos(rlat)[:, None] * np.sin(rlon)[None, :]
    z = np.broadcast_to(np.sin(rlat)[:, None], x.shape)
    # a cell farther than the search radius from the pixels' bounding sphere has no pixel
    # within the radius (triangle inequality; the margin covers rounding)
    centre = xyz.mean(axis=0)
    radius = float(np.sqrt(((xyz - centre) ** 2).sum(axis=1).max()))
    near = (x - centre[0]) ** 2 + (y - centre[1]) ** 2 + (z - centre[2]) ** 2 <= (
        radius + _SEARCH_CHORD + 1e-9
    ) ** 2
    band_cell = ci[:, None] * glon.size + np.arange(glon.size)[None, :]
    near &= counts[band_cell] == 0  # empty cells only
    cand_cell = band_cell[near]  # row-major: the band's order
    cand_xyz = np.stack([x[near], y[near], z[near]], axis=-1)
    if cand_cell.size:
        d, k = tree.query(cand_xyz, k=1, distance_upper_bound=_SEARCH_CHORD)
        found = np.isfinite(d) & (k < plat.size)
        k_ok = k[found]
        # the local pixel size: the chord to the nearest other pixel centre (only for the
        # pixels found; each query is independent of the others)
        needed, where = np.unique(k_ok, return_inverse=True)
        size = tree.query(xyz[needed], k=2)[0][:, 1][where] if needed.size else np.empty(0)
        reach = d[found] <= 0.75 * size + 1e-12
        rows.append(cand_cell[found][reach])
        cols.append(pixels[k_ok[reach]])
        vals.append(np.ones(int(reach.sum())))
    rows_a, cols_a, vals_a = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    covered, row = np.unique(rows_a, return_inverse=True)
    w = sparse.csr_matrix((vals_a, (row, cols_a)), shape=(covered.size, npix))
    # per-cell elevation (of the contributing pixels) and distance to the site
    elev_flat = np.where(ok, elevation, 0.0).ravel()
    site_xyz = _unit(np.array(skymap.attrs["site_lat"]), np.array(skymap.attrs["site_lon"]))
    dist = np.linalg.norm(
        _unit(glat[covered // glon.size], glon[covered % glon.size]) - site_xyz, axis=-1
    )
    return {"cells": covered, "W": w, "elevation": w @ elev_flat, "distance": dist, "npix": npix}


def _grid_signature(target: xr.Dataset) -> tuple[Any, ...]:
    """What identifies a grid (for cache keys)."""
    return (
        target.attrs["coords"],
        float(target.attrs["resolution_deg"]),
        float(target["lat"].values[0]),
        int(target["lat"].size),
        float(target["lon"].values[0]),
        int(target["lon"].size),
    )


def _key(
    digests: list[str],
    target: xr.Dataset,
    altitude_km: float,
    min_elevation: float,
    overlap: str,
    date: Any,
) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(digests).encode())
    h.update(
        json.dumps(
            [
                _LAYOUT,
                float(altitude_km),
                float(min_elevation),
                overlap,
                *_grid_signature(target),
                str(np.datetime64(date, "D")) if target.attrs["coords"] == "mag" else "",
            ]
        ).encode()
    )
    return h.hexdigest()[:32]


def _encode_matrix(result: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The mapping's arrays on the covered cells only (a file a few MB smaller)."""
    w, cells = result["W"], result["covered"]
    return {
        "cells": cells,
        "row_counts": np.diff(w.indptr)[cells],
        "data": w.data,
        "indices": w.indices,
        "shape": np.array(w.shape),
        "site": result["site"][cells],
        "elevation": result["elevation"][cells],
        "offsets": result["offsets"],
    }


def _decode_matrix(f: Mapping[str, np.ndarray]) -> dict[str, Any]:
    from scipy import sparse

    shape = tuple(int(n) for n in f["shape"])
    cells = f["cells"]
    counts = np.zeros(shape[0], dtype=np.int64)
    counts[cells] = f["row_counts"]
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(f["indices"].dtype)
    site = np.full(shape[0], -1, dtype=np.int16)
    site[cells] = f["site"]
    elevation = np.full(shape[0], np.nan)
    elevation[cells] = f["elevation"]
    return {
        "W": sparse.csr_matrix((f["data"], f["indices"], indptr), shape=shape),
        "site": site,
        "elevation": elevation,
        "offsets": f["offsets"],
        "covered": cells,
    }


_MATRICES = ResultCache(
    "asi.mosaic.matrices",
    "mosaic",
    "cache.mosaic_matrices",
    _encode_matrix,
    _decode_matrix,
    "pixel-to-grid matrices of site sets (mosaic_matrix)",
)
_MEMORY = _MATRICES.memory  # the old name (benchmarks/bench_asi_mosaic.py clears it)
_SITES: BoundedCache[dict[str, Any]] = BoundedCache(
    "asi.mosaic.sites",
    "cache.mosaic_matrices",
    "one site's pixel-to-grid mapping on the cells it covers (mosaic_matrix)",
)


def _covered_rows(mapping: dict[str, Any]) -> Any:
    """``W``'s rows of the covered cells (kept in the mapping: a frame is one product)."""
    compact = mapping.get("W_covered")
    if compact is None:
        compact = mapping["W"][mapping["covered"]]
        mapping["W_covered"] = compact
    return compact


def mosaic_matrix(
    skymaps: list[xr.Dataset],
    target: xr.Dataset,
    altitude_km: float,
    min_elevation: float,
    overlap: str = "elevation",
    date: Any = None,
) -> dict[str, Any]:
    """The sparse pixel-to-grid mapping of a set of sites (cached in memory and on disk).

    The last ``cache.mosaic_matrices`` mappings stay in memory (:func:`geospacexr.clear_caches`
    empties them); every mapping is also kept in ``<paths.cache_dir>/mosaic`` for later runs.
    Each site's own part is cached in memory too (as many), so a new set of the same sites
    only combines them.

    Args:
        skymaps: One skymap per site, in the order of the images.
        target: The grid (:func:`grid`).
        altitude_km: Mapping altitude, km.
        min_elevation: Elevation cutoff, degrees.
        overlap: ``"elevation"``, ``"mean"`` or ``"nearest"``.
        date: Date for AACGM coordinates (magnetic grids only).

    Returns:
        A dict: ``W`` the cells x (sum of pixels) matrix, ``site`` the int16 winning site per
        cell (-1 for none), ``elevation`` per cell, ``offsets`` the first pixel of each site,
        ``covered`` the cells any site covers (flat indices, ascending).
    """
    from scipy import sparse

    digests = [_digest(s) for s in skymaps]
    key = _key(digests, target, altitude_km, min_elevation, overlap, date)
    cached = _MATRICES.get(key)
    if cached is not None:
        return cached
    parts = [
        _site_part(s, d, target, altitude_km, min_elevation, date)
        for s, d in zip(skymaps, digests, strict=True)
    ]
    ncell = target["lat"].size * target["lon"].size
    # everything below works on the cells some site covers (the union, ascending); the
    # others have no site, no elevation and no row
    union = np.unique(np.concatenate([p["cells"] for p in parts]))
    nsite = len(parts)
    elevations = np.full((nsite, union.size), np.nan)
    distances = np.full((nsite, union.size), np.inf)
    spread = []  # each site's rows spread over the union
    for s, part in enumerate(parts):
        at = np.searchsorted(union, part["cells"])
        elevations[s, at] = part["elevation"]
        distances[s, at] = part["distance"]
        counts = np.zeros(union.size, dtype=np.int64)
        counts[at] = np.diff(part["W"].indptr)
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(part["W"].indptr.dtype)
        spread.append(
            sparse.csr_matrix(
                (part["W"].data, part["W"].indices, indptr), shape=(union.size, part["npix"])
            )
        )
    covered = np.isfinite(elevations)
    any_site = covered.any(axis=0)
    best_elev = np.where(any_site, np.argmax(np.where(covered, elevations, -np.inf), axis=0), -1)
    if overlap == "nearest":
        winner = np.where(any_site, np.argmin(distances, axis=0), -1)
    else:
        winner = best_elev
    blocks = []
    for s, w in enumerate(spread):
        if overlap == "mean":
            weight = covered[s] / np.maximum(covered.sum(axis=0), 1)
        else:
            weight = (winner == s).astype(np.float64)
        blocks.append(sparse.diags(weight) @ w)
    offsets = np.cumsum([0] + [p["npix"] for p in parts])[:-1]
    small = sparse.hstack(blocks, format="csr")
    row_counts = np.zeros(ncell, dtype=np.int64)
    row_counts[union] = np.diff(small.indptr)
    indptr = np.concatenate([[0], np.cumsum(row_counts)]).astype(small.indptr.dtype)
    big = sparse.csr_matrix((small.data, small.indices, indptr), shape=(ncell, small.shape[1]))
    cell_elev = np.full(ncell, np.nan)
    cell_elev[union] = np.where(
        winner >= 0,
        np.take_along_axis(np.nan_to_num(elevations, nan=-90.0), np.clip(winner, 0, None)[None], 0)[
            0
        ],
        np.nan,
    )
    site = np.full(ncell, -1, dtype=np.int16)
    site[union] = winner
    result = {
        "W": big,
        "site": site,
        "elevation": cell_elev,
        "offsets": offsets,
        "covered": union,  # every cell of the union has a site, hence a non-empty row
    }
    _MATRICES.put(key, result)
    return result


def _frame_indices(
    images: list[xr.Dataset], times: np.ndarray, tolerance: np.timedelta64
) -> list[np.ndarray]:
    """Each site's frame index nearest to each time; refuses a time a site has no frame near."""
    out = []
    for ds in images:
        own = ds["time"].values
        index = np.empty(times.size, dtype=np.int64)
        for k, t in enumerate(times):
            index[k] = int(np.argmin(np.abs(own - t)))
        out.append(index)
    for k, t in enumerate(times):  # the first time, then the first site, that fails
        for ds, index in zip(images, out, strict=True):
            if abs(ds["time"].values[index[k]] - t) > tolerance:
                raise IncompatibleInputError(
                    f"site {ds.attrs.get('site')} has no frame within the tolerance of {t}"
                )
    return out


def _factor(ds: xr.Dataset, scale: dict[str, float] | None) -> float:
    """The multiplier of a site's values (``scale`` by site, else by instrument, else 1)."""
    if not scale:
        return 1.0
    return float(
        scale.get(ds.attrs.get("site", ""), scale.get(ds.attrs.get("instrument", ""), 1.0))
    )


def _frames(
    w: Any,
    images: list[Any],
    indices: list[np.ndarray],
    factors: list[float],
    nchan: int,
    ncovered: int,
) -> np.ndarray:
    """The covered cells of each frame, ``(frames, covered cells, channels)`` float32.

    ``images`` are the sites' ``image`` arrays (DataArrays or numpy, ``time`` first) and
    ``indices`` each site's frame per output frame. One process and a cluster's tasks both
    compute a frame by this function: the same products in the same order.
    """
    out = np.empty((indices[0].size, ncovered, nchan), dtype=np.float32)
    for k in range(out.shape[0]):
        stacks = []
        for image, index, factor in zip(images, indices, factors, strict=True):
            frame = np.asarray(image[int(index[k])], dtype=np.float64).reshape(-1, nchan)
            stacks.append(frame * factor)
        out[k] = w @ np.concatenate(stacks, axis=0)
    return out


def _frame_batch(
    w: Any,
    images: list[Any],
    indices: list[np.ndarray],
    factors: list[float],
    nchan: int,
    ncovered: int,
) -> np.ndarray:
    """A task of :func:`_frames_on`: the batch's frames of every site are read here.

    Dask-backed images are computed by this task itself (dask's synchronous scheduler: a
    worker's task does not submit tasks of its own).
    """
    import dask

    with dask.config.set(scheduler="sync"):
        blocks = [np.asarray(image) for image in images]
    return _frames(w, blocks, indices, factors, nchan, ncovered)


def _frames_on(
    client: Any,
    w: Any,
    covered: np.ndarray,
    images: list[xr.Dataset],
    indices: list[np.ndarray],
    factors: list[float],
    nchan: int,
    ncell: int,
) -> np.ndarray:
    """:func:`_frames` on the cluster: one task per ``scale.frames_per_task`` frames.

    The mapping's covered rows are scattered to the workers once; each task gets the slice of
    each site's images its frames need (lazy file-backed images are read on the worker) and
    returns its frames, written into the result as they arrive.
    """
    import uuid

    from distributed import as_completed

    from .. import scale

    size = int(config.get().scale.frames_per_task)
    shared = scale.scatter(w, client)
    name = f"asi-mosaic-{uuid.uuid4().hex}"
    out = np.full((indices[0].size, ncell, nchan), np.nan, dtype=np.float32)
    where = {}
    futures = []
    for k, a in enumerate(range(0, indices[0].size, size)):
        part = [i[a : a + size] for i in indices]
        pieces = [
            ds["image"].variable[int(i.min()) : int(i.max()) + 1]
            for ds, i in zip(images, part, strict=True)
        ]
        future = client.submit(
            _frame_batch, shared, pieces, [i - i.min() for i in part], factors, nchan,
            covered.size, key=f"{name}-{k}",
        )  # fmt: skip
        where[future.key] = slice(a, a + size)
        futures.append(future)
    for future, block in as_completed(futures, with_results=True):
        out[where[future.key], covered] = block
        future.release()
    return out


def mosaic(
    images: list[xr.Dataset],
    skymaps: list[xr.Dataset],
    altitude_km: float | None = None,
    min_elevation: float | None = None,
    grid: xr.Dataset | None = None,
    time: Any = None,
    overlap: str = "elevation",
    scale: dict[str, float] | None = None,
) -> xr.Dataset:
    """Many sites' images on one latitude/longitude grid.

    Args:
        images: ``asi`` Datasets, one per site.
        skymaps: Their skymaps, paired by site.
        altitude_km: Mapping altitude, km (default from config: 110).
        min_elevation: Elevation cutoff, degrees (default from config: 5).
        grid: The grid (default: the UCalgary grid files', :func:`grid`).
        time: ``None`` for every common time (frames matched to the nearest within
            ``asi.time_tolerance_s``), or a time or list of times.
        overlap: ``"elevation"``, ``"mean"`` or ``"nearest"``.
        scale: Per-site (or per-instrument) multiplier of the values, e.g. to bring networks to
            one scale; ``None`` keeps raw values.

    Returns:
        An ``asi_grid`` Dataset: ``image`` ``(time, lat, lon[, channel])`` float32 (NaN where no
        site sees the cell), ``site`` int16 index into the ``sites`` coordinate (-1 where none),
        ``elevation`` at which that site sees the cell.

    Raises:
        IncompatibleInputError: If images and skymaps do not pair by site, the sites share no
            time, or RGB and single-channel images are mixed.
        InvalidArgumentError: On an unknown overlap rule.
    """
    from .. import asi as _asi

    if overlap not in _OVERLAP:
        raise InvalidArgumentError(f"overlap must be one of {', '.join(_OVERLAP)}, not {overlap!r}")
    if not images or len(images) != len(skymaps):
        raise IncompatibleInputError(
            f"give one skymap per image set ({len(images)} image sets, {len(skymaps)} skymaps)"
        )
    for ds, sky in zip(images, skymaps, strict=True):
        require(ds, "asi", ["image"], where="mosaic")
        check_skymap(ds, sky)
    channels = {"channel" in ds["image"].dims for ds in images}
    if len(channels) > 1:
        raise IncompatibleInputError(
            "RGB and single-channel images in one mosaic: build one per kind"
        )
    altitude = float(config.resolve(altitude_km, "asi.altitude_km"))
    cutoff = float(config.resolve(min_elevation, "asi.min_elevation"))
    target = grid if grid is not None else _asi.grid()
    tolerance = np.timedelta64(round(float(config.get().asi.time_tolerance_s) * 1e9), "ns")
    if time is None:
        times = images[0]["time"].values
        for ds in images[1:]:
            other = ds["time"].values
            near = (
                np.abs(other[np.clip(np.searchsorted(other, times), 0, other.size - 1)] - times)
                <= tolerance
            )
            near |= (
                np.abs(other[np.clip(np.searchsorted(other, times) - 1, 0, other.size - 1)] - times)
                <= tolerance
            )
            times = times[near]
        if times.size == 0:
            raise IncompatibleInputError("the sites share no time (within asi.time_tolerance_s)")
    else:
        times = np.atleast_1d(np.asarray(time, dtype="datetime64[ns]"))
    mapping = mosaic_matrix(skymaps, target, altitude, cutoff, overlap, times[0])
    covered = mapping["covered"]
    w = _covered_rows(mapping)  # the same rows, without the grid's empty ones
    nlat, nlon = target["lat"].size, target["lon"].size
    has_channel = channels.pop()
    nchan = 3 if has_channel else 1
    indices = _frame_indices(images, times, tolerance)
    factors = [_factor(ds, scale) for ds in images]
    from .. import scale as _scale

    client = _scale.active_client()
    if client is None or times.size < 2:
        out = np.full((times.size, nlat * nlon, nchan), np.nan, dtype=np.float32)
        out[:, covered] = _frames(
            w, [ds["image"] for ds in images], indices, factors, nchan, covered.size
        )
    else:
        out = _frames_on(client, w, covered, images, indices, factors, nchan, nlat * nlon)
    image = out.reshape(times.size, nlat, nlon, nchan)
    dims: tuple[str, ...] = ("time", "lat", "lon")
    if has_channel:
        dims += ("channel",)
    else:
        image = image[..., 0]
    site = np.broadcast_to(mapping["site"].reshape(nlat, nlon), (times.size, nlat, nlon))
    cell_elevation = mapping["elevation"].reshape(nlat, nlon).astype(np.float32)  # a new array
    elevation = (
        cell_elevation[None]
        if times.size == 1
        else np.broadcast_to(cell_elevation, (times.size, nlat, nlon)).copy()
    )
    coords: dict[str, Any] = {
        "time": times,
        "lat": target["lat"],
        "lon": target["lon"],
        "sites": ("sites", [str(ds.attrs.get("site", "")) for ds in images]),
    }
    if has_channel:
        coords["channel"] = images[0]["channel"]
    units = {str(ds["image"].attrs.get("units", "")) for ds in images}
    return xr.Dataset(
        {
            "image": (
                dims,
                image,
                {
                    "long_name": "mosaic",
                    "units": units.pop() if len(units) == 1 and not scale else "scaled",
                },
            ),
            "site": (
                ("time", "lat", "lon"),
                site.copy(),
                {"long_name": "index into sites of the contributing site (-1: none)"},
            ),
            "elevation": (
                ("time", "lat", "lon"),
                elevation,
                {"long_name": "elevation at which the site sees the cell", "units": "degrees"},
            ),
        },
        coords=coords,
        attrs={
            "geospacexr_kind": "asi_grid",
            "altitude_km": altitude,
            "min_elevation": cutoff,
            "overlap": overlap,
            "coords": target.attrs["coords"],
            "resolution_deg": float(target.attrs["resolution_deg"]),
            "instruments": json.dumps(
                sorted({str(ds.attrs.get("instrument", "")) for ds in images})
            ),
        },
    )
