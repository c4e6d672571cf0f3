"""geospacexr.mhd slices against kaipy's EggSlice (recorded twin) and on their own terms."""

from __future__ import annotations

import numpy as np
import pytest

import geospacexr
from geospacexr.errors import InvalidArgumentError, MissingVariableError, WrongKindError
from geospacexr.mhd import equatorial_slice, meridional_slice, plane_corners


@pytest.mark.parametrize("source", ["serial", "mpi"])
def test_planes_match_kaipy_eggslice(source, twin, serial_path, mpi_dir, check_summary):
    ds = geospacexr.open_gamera(serial_path if source == "serial" else mpi_dir)
    rec = twin[source]["plane"]
    corners = plane_corners(ds)
    check_summary(corners.x_corner.values, rec["xxi"], "xxi")
    check_summary(corners.y_corner.values, rec["yyi"], "yyi")
    eq_bz = equatorial_slice(ds, "Bz")
    check_summary(eq_bz.x.values, rec["xxc"], "xxc")
    check_summary(eq_bz.y.values, rec["yyc"], "yyc")
    n = 0
    for key, summary in rec.items():
        if key.count("/") != 2:
            continue
        step, name, plane = key.split("/")
        cut = (equatorial_slice if plane == "equatorial" else meridional_slice)(ds, name)
        check_summary(cut.sel(time=ds.step == int(step)).isel(time=0).values, summary, key)
        n += 1
    assert n == 4 * 3 * 2


def test_planes_lie_in_their_planes(serial_path):
    ds = geospacexr.open_gamera(serial_path).isel(time=0)
    eq = equatorial_slice(ds, "D")
    mer = meridional_slice(ds, "D")
    assert eq.dims == ("i", "p") and eq.attrs["units"] == "cm-3"
    # the averaged cells straddle the plane: their centres are on it
    k = ds.sizes["k"]
    for kk in ((k - 1, 0), (k // 2 - 1, k // 2)):
        z = 0.5 * (ds.z.isel(k=kk[0]) + ds.z.isel(k=kk[1]))
        assert float(abs(z).max()) < 1e-9
    assert float(eq.y.isel(p=slice(0, ds.sizes["j"])).min()) > 0  # upper half: y > 0
    assert float(mer.z.isel(p=slice(ds.sizes["j"], None)).max()) < 0  # lower half: z < 0
    # the plasma sheet is in the meridional plane near z = 0 on the nightside
    sheet = mer.where((mer.x < -12) & (abs(mer.z) < 2.5))
    lobe = mer.where((mer.x < -12) & (abs(mer.z) > 3) & (abs(mer.z) < 8))
    assert float(sheet.mean()) > 5 * float(lobe.mean())


def test_slices_read_four_planes_of_one_step(serial_path, monkeypatch):
    from geospacexr.io import mage

    calls = []
    real = mage._read_region

    def counting(path, name, region, *args):
        calls.append((name, region))
        return real(path, name, region, *args)

    monkeypatch.setattr(mage, "_read_region", counting)
    ds = geospacexr.open_gamera(serial_path)
    equatorial_slice(ds.isel(time=2), "Bz")  # numpy-backed: select the step first
    assert {name for name, _ in calls} == {"Step#2/Bz"}
    calls.clear()
    pytest.importorskip("dask")
    lazy = equatorial_slice(geospacexr.open_gamera(serial_path, chunks={"time": 1}), "Bz")
    assert calls == []  # dask-backed: nothing read until computed
    lazy.isel(time=1).compute()
    assert {name for name, _ in calls} == {"Step#1/Bz"}


def test_wrong_input(serial_path, remix_path):
    ds = geospacexr.open_gamera(serial_path)
    with pytest.raises(WrongKindError):
        equatorial_slice(geospacexr.open_remix(remix_path), "fac")
    with pytest.raises(MissingVariableError):
        meridional_slice(ds, "Q")
    with pytest.raises(MissingVariableError, match="on the cells"):
        equatorial_slice(ds, "X")
    with pytest.raises(InvalidArgumentError):
        plane_corners(ds, "polar")
    assert np.isfinite(plane_corners(ds, "meridional").z_corner).all()
