"""Which site and pixel PyAuroraX's mosaic paints at each grid-cell centre (reference script).

PyAuroraX 1.27 ``tools.mosaic.prep_skymaps`` gives every pixel's corner polygon at the mapping
altitude; ``tools.mosaic.create`` draws them as one PolyCollection ordered by elevation in 0.1
degree bins from the cutoff up (sites in input order within a bin), so the polygon drawn last
over a point is what the map shows there. This script replays that order over the centres of
the University of Calgary grid cells (0.3515625 degree) and records, per cell, the site index
and the flattened pixel index (row * width + column) on top, or -1.

    python pyaurorax_mosaic_owners.py OUT.npz MIN_ELEVATION SAMPLE SKYMAP [SAMPLE SKYMAP ...]
"""

import sys

import numpy as np
import pyaurorax
import pyucalgarysrs
from matplotlib.path import Path


def main():
    out_path, min_el = sys.argv[1], float(sys.argv[2])
    pairs = list(zip(sys.argv[3::2], sys.argv[4::2], strict=True))
    srs = pyucalgarysrs.PyUCalgarySRS()
    skymaps = [srs.data.readers.read_skymap([sky]).data[0] for _, sky in pairs]
    aurorax = pyaurorax.PyAuroraX()
    prepped = aurorax.tools.mosaic.prep_skymaps(skymaps, 110, n_parallel=2)

    res = 0.3515625
    lat_c = -90 + (np.arange(512) + 0.5) * res
    lon_c = -180 + (np.arange(1024) + 0.5) * res
    site_owner = np.full((512, 1024), -1, dtype=np.int16)
    pixel_owner = np.full((512, 1024), -1, dtype=np.int32)

    # the drawing order of tools.mosaic.create: elevation bins (el, el + 0.1], sites within a bin
    order = []
    el = min_el
    while el < 90:
        for s in range(len(skymaps)):
            elev = prepped.elevation[s]
            idx = np.nonzero(np.logical_and(elev > el, elev <= el + 0.1))[0]
            lats, lons = prepped.polyfill_lat[s][:, idx], prepped.polyfill_lon[s][:, idx]
            ok = ~np.isnan(lats).any(axis=0) & ~np.isnan(lons).any(axis=0)
            order.extend((s, int(p)) for p in idx[ok])
        el += 0.1

    for s, p in order:
        plat, plon = prepped.polyfill_lat[s][:, p], prepped.polyfill_lon[s][:, p]
        i0 = np.searchsorted(lat_c, plat.min())
        i1 = np.searchsorted(lat_c, plat.max())
        j0 = np.searchsorted(lon_c, plon.min())
        j1 = np.searchsorted(lon_c, plon.max())
        if i1 <= i0 or j1 <= j0:
            continue
        gi, gj = np.meshgrid(np.arange(i0, i1), np.arange(j0, j1), indexing="ij")
        inside = Path(np.column_stack([plon, plat])).contains_points(
            np.column_stack([lon_c[gj.ravel()], lat_c[gi.ravel()]])
        )
        site_owner[gi.ravel()[inside], gj.ravel()[inside]] = s
        pixel_owner[gi.ravel()[inside], gj.ravel()[inside]] = p

    rows, cols = np.nonzero(site_owner >= 0)
    box = (rows.min(), rows.max() + 1, cols.min(), cols.max() + 1)
    np.savez_compressed(
        out_path,
        box=np.asarray(box),
        site=site_owner[box[0] : box[1], box[2] : box[3]],
        pixel=pixel_owner[box[0] : box[1], box[2] : box[3]],
    )
    print(box)


if __name__ == "__main__":
    main()
