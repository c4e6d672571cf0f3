"""Our slices and derived fields against GCMprocpy 1.5.2 on the same file.

GCMprocpy is never a dependency. Its output on the ``tiegcm-5deg`` secondary history (the sample
files are deterministic) is recorded as fingerprints in ``data/gcmprocpy_slices.json`` by
``reference/gcmprocpy_slices.py`` (run with GCMprocpy's interpreter): the sum of the finite
values (GCMprocpy leaves TIE-GCM's float32 fill value 1e36 unmasked in the top TN level; those
are excluded), their count, and two or three single values. With ``GEOSPACEXR_REF_GCMPROCPY``
set to a Python interpreter that has gcmprocpy installed, the generator is run again and must
reproduce the record exactly, and whole slices are compared live.

Where the methods are the same (a level on the grid, the midpoint between two levels, zonal
means, time series) we agree to 1e-6. Where they differ the gap is measured, bounded just above the measurement and explained
(see the table above ``RHO_POINTS``):

* O/N2: GCMprocpy divides the stored mass mixing ratios; ours is the number-density ratio, so
  GCMprocpy's equals ours x 16/28;
* number and mass densities: GCMprocpy leaves He out of the mean molecular mass and uses
  k = 1.3805e-16, amu = 1.66e-24; near 425 km (level 4.25), where He is abundant, that changes
  densities by a few percent;
* heights: GCMprocpy interpolates every column with one global-mean height profile (and pairs
  midpoint values with interface heights, a quarter-level offset); ours is per column.
"""

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from geospacexr import datasets, gcm

T = "2003-03-21T01:00"

RECORD = Path(__file__).parent / "data" / "gcmprocpy_slices.json"
GENERATOR = Path(__file__).parent / "reference" / "gcmprocpy_slices.py"


def _load_reference(path: Path = RECORD) -> dict:
    """key -> (sum of finite values, count, [(index, value), ...]) recorded with gcmprocpy 1.5.2."""
    record = json.loads(path.read_text())["fingerprints"]
    return {
        key: (fp["sum"], fp["count"], [(tuple(index), value) for index, value in fp["points"]])
        for key, fp in record.items()
    }


REFERENCE = _load_reference()


@pytest.fixture(scope="module")
def ds():
    from geospacexr import open_tiegcm

    return open_tiegcm(datasets.sample_path("tiegcm-5deg") / "tiegcm_5deg_sech_001.nc")


def check(key, ours, rtol=1e-6, scale=1.0, drop_top=False):
    total, count, points = REFERENCE[key]
    values = np.asarray(ours, dtype=np.float64) * scale
    if drop_top:  # GCMprocpy keeps the unmasked 1e36 top level; we give NaN there
        values = values[:-1]
    assert np.isfinite(values).sum() == count
    assert np.nansum(values) == pytest.approx(total, rel=rtol)
    for index, value in points:
        assert values[index] == pytest.approx(value, rel=rtol)


def test_same_method_slices(ds):
    check("latlon_TN_lev4p25", gcm.lat_lon(ds, "TN", time=T, level=4.25))
    # halfway between two levels: their average = our log-pressure interpolation
    check("latlon_TN_lev4p5", gcm.lat_lon(ds, "TN", time=T, level=4.5))
    check("latlon_NE_ilev2p0", gcm.lat_lon(ds, "NE", time=T, level=2.0))
    check("levlat_TN_mean", gcm.lev_lat(ds, "TN", time=T), drop_top=True)
    check("levlon_TN_lat42p5", gcm.lev_lon(ds, "TN", time=T, lat=42.5), drop_top=True)
    check("levtime_TN_lat42p5_lon0", gcm.lev_time(ds, "TN", lat=42.5, lon=0.0), drop_top=True)
    check("lattime_TN_lev4p25_lon0", gcm.lat_time(ds, "TN", lon=0.0, level=4.25))
    check("lontime_TN_lev4p25_lat42p5", gcm.lon_time(ds, "TN", lat=42.5, level=4.25))
    check("vartime_TN_lev4p25_lat42p5_lon0", gcm.var_time(ds, "TN", lat=42.5, lon=0.0, level=4.25))


def test_same_method_derived(ds):
    check("derived_N2_lev4p25", gcm.lat_lon(ds, "N2", time=T, level=4.25))
    check("derived_PMB_lev4p25", gcm.lat_lon(ds, "PMB", time=T, level=4.25))
    # number-density ratio vs GCMprocpy's mass-mixing-ratio ratio: exact factor 16/28
    check("derived_O_N2_lev4p25", gcm.lat_lon(ds, "O/N2", time=T, level=4.25), scale=16.0 / 28.0)


# Measured gaps (ours vs GCMprocpy 1.5.2 at 2003-03-21T01:00), relative to GCMprocpy's value:
#                     recorded points   mean of the slice   whole 36x72 slice (live)
#   RHO, level 4.25   1.46-1.80 %       1.98 %              1.38-2.51 %
#   O1 cm-3, 4.25     2.05-2.54 %       2.81 %              1.93-3.57 %
#   TN at 300 km      0.96-3.16 %       0.80 %              0.00-3.45 %
# The bounds below sit just above these.
#
# Densities: GCMprocpy's number density is mmr * p / (k' T) * m' / M with k' = 1.3805e-16 (ours:
# CODATA 1.380649e-16, +1.08e-4) and m' = 1 / (O2/32 + O/16 + (1 - O2 - O)/28): He counted as N2
# (mass 28 instead of 4), which raises the mean mass by 1.9-3.5 % where He is 0.5-1 % of the mass
# (level 4.25, ~425 km). Its RHO sums O, O2 and the file's N2 (so it misses He's mass, -0.5 to
# -1 %) at amu' = 1.66e-24 (ours CODATA, -3.3e-4). These factors, computed from the file's
# mixing ratios, account for the whole gap to 3e-7 (test_density_gap_is_he_and_constants).
#
# TN at 300 km: GCMprocpy interpolates every column linearly on one global-mean height profile
# (the mean ZG of each interface, paired with the midpoint TN values: a quarter-level offset);
# ours interpolates each column on its own midpoint heights. Columns whose local heights stray
# most from the global mean differ most: the warm, expanded equatorial afternoon (3.5 % near
# 15 LT at the equator), against 0.25 % near the poles, in zonal mean. Rebuilding
# GCMprocpy's method from the file's ZG and TN gives its numbers to 1e-8
# (test_height_gap_is_the_global_mean_profile), so the gap is the method, not the data.
RHO_POINTS, RHO_MEAN, RHO_FULL = 0.0181, 0.0199, 0.0252
O1_POINTS, O1_MEAN, O1_FULL = 0.0254, 0.0282, 0.0358
T300_POINTS, T300_MEAN, T300_FULL = 0.0317, 0.0081, 0.0346


def _gap(ours, theirs):
    return np.abs(np.asarray(ours, dtype=np.float64) - theirs) / np.abs(theirs)


def _density_factors(ds):
    """GCMprocpy / ours for O1 number density and for RHO, from the file's mixing ratios."""
    from geospacexr.physics import AMU_G, BOLTZMANN_CGS

    s = ds.sel(time=T).sel(lev=4.25)
    o, o2, he, n2 = (s[v].values.astype(np.float64) for v in ("O1", "O2", "HE", "N2"))
    m_theirs = 1.0 / (o2 / 32.0 + o / 16.0 + np.maximum(1e-5, 1.0 - o2 - o) / 28.0)
    m_ours = 1.0 / (o2 / 32.0 + o / 16.0 + he / 4.0 + n2 / 28.0)
    number = BOLTZMANN_CGS / 1.3805e-16 * m_theirs / m_ours
    mass = number * 1.66e-24 / AMU_G * (o + o2 + n2)
    return number, mass


def _gcmprocpy_height_method(ds, height_km):
    """TN at ``height_km`` the way GCMprocpy 1.5.2's ``interpolate_to_height`` does it."""
    s = ds.sel(time=T)
    profile = s["ZG"].values.mean(axis=(1, 2))  # km, one global-mean height per interface
    tn = s["TN"].values.astype(np.float64)  # midpoint values, paired with interface heights
    out = np.empty(tn.shape[1:])
    for j, k in np.ndindex(out.shape):
        out[j, k] = np.interp(height_km, profile, tn[:, j, k])
    return out


def test_documented_differences_are_measured(ds):
    total, count, points = REFERENCE["derived_RHO_lev4p25"]
    rho = gcm.lat_lon(ds, "RHO", time=T, level=4.25).values
    assert max(_gap(rho[i], v) for i, v in points) < RHO_POINTS
    assert _gap(np.nanmean(rho), total / count) < RHO_MEAN
    assert all(rho[i] < v for i, v in points)  # GCMprocpy's heavier mean mass: theirs larger

    total, count, points = REFERENCE["dens_O1_cm3"]
    n_o = gcm.density(ds, "O1", "cm-3").sel(time=T).sel(lev=4.25).values
    assert max(_gap(n_o[i], v) for i, v in points) < O1_POINTS
    assert _gap(np.nanmean(n_o), total / count) < O1_MEAN
    assert all(n_o[i] < v for i, v in points)

    total, count, points = REFERENCE["height300_TN"]
    t300 = gcm.lat_lon(ds, "TN", time=T, height=300.0).values
    assert np.isfinite(t300).sum() == count
    assert max(_gap(t300[i], v) for i, v in points) < T300_POINTS
    assert _gap(np.nanmean(t300), total / count) < T300_MEAN


def test_density_gap_is_he_and_constants(ds):
    number, mass = _density_factors(ds)
    rho = gcm.lat_lon(ds, "RHO", time=T, level=4.25).values
    n_o = gcm.density(ds, "O1", "cm-3").sel(time=T).sel(lev=4.25).values
    for key, ours in (("derived_RHO_lev4p25", rho * mass), ("dens_O1_cm3", n_o * number)):
        total, _, points = REFERENCE[key]
        assert np.nansum(ours) == pytest.approx(total, rel=1e-6)
        for index, value in points:
            assert ours[index] == pytest.approx(value, rel=1e-6)


def test_height_gap_is_the_global_mean_profile(ds):
    theirs = _gcmprocpy_height_method(ds, 300.0)
    total, count, points = REFERENCE["height300_TN"]
    assert np.isfinite(theirs).sum() == count
    assert theirs.sum() == pytest.approx(total, rel=1e-8)
    for index, value in points:
        assert theirs[index] == pytest.approx(value, rel=1e-8)


LIVE = """
import sys, warnings, numpy as np, gcmprocpy as g
warnings.filterwarnings("ignore")
path, out = sys.argv[1:3]
d = g.load_datasets(path)
t = np.datetime64("2003-03-21T01:00")
a = g.arr_lat_lon(d, "TN", t, selected_lev_ilev=4.25)
b = g.arr_lev_lat(d, "TN", t, "mean", plot_mode=True).values
rho = g.arr_lat_lon(d, "RHO", t, selected_lev_ilev=4.25)
n_o = g.arr_density(d, "O1", t, to_unit="CM3", selected_lev_ilev=4.25).values
tn = d[0].ds["TN"].sel(time=t).values
h, _ = g.interpolate_to_height(d, tn.reshape(tn.shape[0], -1), d[0].ds["lev"].values, t,
                               target_heights=np.array([300.0]))
np.savez(out, latlon=np.asarray(a, dtype=float), levlat=np.asarray(b, dtype=float),
         rho=np.asarray(rho, dtype=float), n_o=np.asarray(n_o, dtype=float),
         t300=h[0].reshape(tn.shape[1:]))
"""

live = pytest.mark.skipif(
    not os.environ.get("GEOSPACEXR_REF_GCMPROCPY"),
    reason="set GEOSPACEXR_REF_GCMPROCPY to compare live",
)


def _sample():
    return datasets.sample_path("tiegcm-5deg") / "tiegcm_5deg_sech_001.nc"


@live
def test_live_against_gcmprocpy(ds, tmp_path):
    subprocess.run(
        [
            os.environ["GEOSPACEXR_REF_GCMPROCPY"],
            "-c",
            LIVE,
            str(_sample()),
            str(tmp_path / "r.npz"),
        ],
        check=True,
        capture_output=True,
    )
    ref = np.load(tmp_path / "r.npz")
    np.testing.assert_allclose(
        gcm.lat_lon(ds, "TN", time=T, level=4.25).values, ref["latlon"], rtol=1e-6
    )
    ours = gcm.lev_lat(ds, "TN", time=T).values
    np.testing.assert_allclose(ours[:-1], ref["levlat"][:-1], rtol=1e-6)
    # the documented gaps over the whole slice, and their explanation
    number, mass = _density_factors(ds)
    rho = gcm.lat_lon(ds, "RHO", time=T, level=4.25).values
    n_o = gcm.density(ds, "O1", "cm-3").sel(time=T).sel(lev=4.25).values
    assert _gap(rho, ref["rho"]).max() < RHO_FULL
    assert _gap(n_o, ref["n_o"]).max() < O1_FULL
    np.testing.assert_allclose(rho * mass, ref["rho"], rtol=1e-6)
    np.testing.assert_allclose(n_o * number, ref["n_o"], rtol=1e-6)
    t300 = gcm.lat_lon(ds, "TN", time=T, height=300.0).values
    assert _gap(t300, ref["t300"]).max() < T300_FULL
    np.testing.assert_allclose(_gcmprocpy_height_method(ds, 300.0), ref["t300"], rtol=1e-8)


@live
def test_live_generator_reproduces_the_record(tmp_path):
    out = tmp_path / "gcmprocpy_slices.json"
    subprocess.run(
        [os.environ["GEOSPACEXR_REF_GCMPROCPY"], str(GENERATOR), str(_sample()), "-o", str(out)],
        check=True,
        capture_output=True,
    )
    assert json.loads(out.read_text()) == json.loads(RECORD.read_text())
