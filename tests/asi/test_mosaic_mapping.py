"""The pixel-to-grid mapping is the plain algorithm's, bit for bit, and its parts are cached.

:func:`geospacexr.asi.mosaic_matrix` works on the cells a site can cover only (it queries the
k-d tree for the empty cells near the field of view and for the sizes of the pixels it finds)
and keeps each site's part, so a new cutoff, altitude or set of sites costs one tree per site.
``plain_mapping`` below is the algorithm as first written (every cell of the latitude band,
every pixel's size, whole-grid arrays): the fast one must give the same matrix, sites and
elevations exactly, since every frame of a mosaic is ``W @ pixels``.
"""

import importlib

import numpy as np
import pytest
from scipy import sparse
from scipy.spatial import cKDTree

from geospacexr import asi, datasets

mosaic_module = importlib.import_module("geospacexr.asi.mosaic")  # asi.mosaic is a function


def unit(lat, lon):
    la, lo = np.deg2rad(lat), np.deg2rad(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def plain_site(skymap, target, altitude, cutoff):
    centres = asi.pixel_centres(skymap, altitude)
    lat, lon = centres["lat"].values, centres["lon"].values
    elevation = skymap["elevation"].values.astype(np.float64)
    ok = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(elevation) & (elevation >= cutoff)
    pixels = np.flatnonzero(ok.ravel())
    glat, glon = target["lat"].values, target["lon"].values
    res = float(target.attrs["resolution_deg"])
    ncell = glat.size * glon.size
    plat, plon = lat.ravel()[pixels], lon.ravel()[pixels]
    i = np.floor((plat - (glat[0] - res / 2)) / res).astype(np.int64)
    j = np.floor((((plon - (glon[0] - res / 2)) + 360.0) % 360.0) / res).astype(np.int64)
    inside = (i >= 0) & (i < glat.size) & (j >= 0) & (j < glon.size)
    cells = i[inside] * glon.size + j[inside]
    counts = np.bincount(cells, minlength=ncell)
    rows, cols, vals = [cells], [pixels[inside]], [1.0 / counts[cells]]
    tree = cKDTree(unit(plat, plon))
    size = tree.query(unit(plat, plon), k=2)[0][:, 1]
    ci = np.flatnonzero((glat >= plat.min() - 2 * res) & (glat <= plat.max() + 2 * res))
    cand_lat, cand_lon = np.repeat(glat[ci], glon.size), np.tile(glon, ci.size)
    cand_cell = np.repeat(ci, glon.size) * glon.size + np.tile(np.arange(glon.size), ci.size)
    empty = counts[cand_cell] == 0
    d, k = tree.query(
        unit(cand_lat[empty], cand_lon[empty]), k=1, distance_upper_bound=np.deg2rad(5.0)
    )
    found = np.isfinite(d) & (k < plat.size)
    reach = d[found] <= 0.75 * size[k[found]] + 1e-12
    rows.append(cand_cell[empty][found][reach])
    cols.append(pixels[k[found][reach]])
    vals.append(np.ones(int(reach.sum())))
    w = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(ncell, elevation.size),
    )
    covered = np.asarray(w.sum(axis=1)).ravel() > 0
    cell_elev = np.full(ncell, np.nan)
    cell_elev[covered] = (w @ np.where(ok, elevation, 0.0).ravel())[covered]
    all_lat, all_lon = np.meshgrid(glat, glon, indexing="ij")
    dist = np.full(ncell, np.inf)
    site_xyz = unit(np.array(skymap.attrs["site_lat"]), np.array(skymap.attrs["site_lon"]))
    dist[covered] = np.linalg.norm(
        unit(all_lat.ravel()[covered], all_lon.ravel()[covered]) - site_xyz, axis=-1
    )
    return w, cell_elev, dist


def plain_mapping(skymaps, target, altitude, cutoff, overlap):
    parts = [plain_site(s, target, altitude, cutoff) for s in skymaps]
    elevations = np.stack([p[1] for p in parts])
    distances = np.stack([p[2] for p in parts])
    covered = np.isfinite(elevations)
    any_site = covered.any(axis=0)
    best = np.where(any_site, np.argmax(np.where(covered, elevations, -np.inf), axis=0), -1)
    winner = np.where(any_site, np.argmin(distances, axis=0), -1) if overlap == "nearest" else best
    blocks = []
    for s, (w, _, _) in enumerate(parts):
        if overlap == "mean":
            weight = covered[s] / np.maximum(covered.sum(axis=0), 1)
        else:
            weight = (winner == s).astype(np.float64)
        blocks.append(sparse.diags(weight) @ w)
    cell_elev = np.where(
        winner >= 0,
        np.take_along_axis(np.nan_to_num(elevations, nan=-90.0), np.clip(winner, 0, None)[None], 0)[
            0
        ],
        np.nan,
    )
    return sparse.hstack(blocks, format="csr"), winner.astype(np.int16), cell_elev


def assert_same(ours, reference):
    w, site, elevation = reference
    assert ours["W"].shape == w.shape and ours["W"].indices.dtype == w.indices.dtype
    np.testing.assert_array_equal(ours["W"].indptr, w.indptr)
    np.testing.assert_array_equal(ours["W"].indices, w.indices)
    np.testing.assert_array_equal(ours["W"].data, w.data)  # exact: no tolerance
    np.testing.assert_array_equal(ours["site"], site)
    np.testing.assert_array_equal(ours["elevation"], elevation)
    np.testing.assert_array_equal(ours["covered"], np.flatnonzero(np.diff(w.indptr) > 0))


@pytest.fixture(scope="module")
def skymaps():
    return [datasets.open_sample(f"themis-{s}-skymap") for s in ("gill", "rank", "snkq")]


@pytest.mark.parametrize(
    ("altitude", "cutoff", "overlap", "resolution"),
    [
        (110.0, 5.0, "elevation", None),  # the default grid (0.35 deg, the whole globe)
        (127.5, 0.0, "mean", 0.5),  # an interpolated altitude, no cutoff
        (90.0, 17.0, "nearest", 0.25),  # pixels smaller than cells and the other way round
    ],
)
def test_mapping_is_the_plain_algorithm_bit_for_bit(skymaps, altitude, cutoff, overlap, resolution):
    target = asi.grid() if resolution is None else asi.grid(resolution, (40, 75), (-125, -60))
    mosaic_module._MATRICES.memory.clear()
    mosaic_module._SITES.clear()
    ours = asi.mosaic_matrix(skymaps, target, altitude, cutoff, overlap)
    reference = plain_mapping(skymaps, target, altitude, cutoff, overlap)
    assert_same(ours, reference)
    # the file's compact layout (covered cells only) reads back to the same mapping
    assert_same(mosaic_module._decode_matrix(mosaic_module._encode_matrix(ours)), reference)


def test_site_parts_are_cached_and_keyed_by_content(skymaps, monkeypatch, tmp_path):
    target = asi.grid(0.5, (45, 70), (-110, -70))
    mosaic_module._MATRICES.memory.clear()
    mosaic_module._SITES.clear()
    computed = []
    real = mosaic_module._site_matrix
    monkeypatch.setattr(
        mosaic_module,
        "_site_matrix",
        lambda sky, *a: computed.append(sky.attrs["site"]) or real(sky, *a),
    )
    # no file from an earlier run answers for the site set
    monkeypatch.setattr(mosaic_module._MATRICES, "path", lambda key: tmp_path / f"{key}.npz")
    asi.mosaic_matrix(skymaps, target, 110.0, 7.0)
    assert computed == ["gill", "rank", "snkq"]
    pair = asi.mosaic_matrix(skymaps[1:], target, 110.0, 7.0)  # a new set: parts reused
    assert computed == ["gill", "rank", "snkq"]
    assert_same(pair, plain_mapping(skymaps[1:], target, 110.0, 7.0, "elevation"))
    asi.mosaic_matrix(skymaps[:1], target, 110.0, 8.0)  # a new cutoff: computed
    assert computed[-1] == "gill" and len(computed) == 4
    # the key is the content, not the object: a copy hits, a changed skymap does not
    asi.mosaic_matrix([skymaps[0].copy(deep=True)], target, 110.0, 8.0)
    assert len(computed) == 4
    moved = skymaps[0].copy(deep=True)
    moved["elevation"].values[128, 128] -= 1.0
    asi.mosaic_matrix([moved], target, 110.0, 8.0)
    assert len(computed) == 5
