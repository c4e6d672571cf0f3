"""Calibration against PyAuroraX 1.27 (tools.calibration.rego) on the rego-gill sample.

PyAuroraX's numbers were recorded once (sum and three pixels of its output with a fixed 2.0 s
exposure); with ``GEOSPACEXR_REF_UCALGARY`` pointing at an interpreter with pyaurorax the test
also runs live. Without the flat field the two agree exactly (to float32 rounding, 1e-6); with
it, PyAuroraX truncates the flat-fielded counts to integers: its value is ours rounded down to a
whole DN, so ours exceeds it by 0 to 1 DN (13.22 R / 2 s = 6.61 R here), a relative difference of
at most 1 / (the pixel's DN). That is what is checked, pixel by pixel and on the sum.
"""

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import scipy.io

import geospacexr
from geospacexr import datasets
from geospacexr.errors import IncompatibleInputError

RECORDED = {
    "full": {"sum": 33938265609.64501, "points": [[0, 256, 255, 1692.1600341796875], [10, 400, 100, 6186.9599609375], [39, 30, 480, 297.45001220703125]]},
    "noflat": {"sum": 18125028389.751907, "points": [[0, 256, 255, 1692.1600341796875], [10, 400, 100, 2432.47998046875], [39, 30, 480, 52.880001068115234]]},
}  # fmt: skip
RAYLEIGHS = 13.22  # R per DN per second of the rego-calibration sample
EXPOSURE_S = 2.0
R_PER_DN = RAYLEIGHS / EXPOSURE_S


@pytest.fixture(scope="module")
def inputs():
    ds = datasets.open_sample("rego-gill")
    cals = datasets.open_sample("rego-calibration")
    ray = next(v for k, v in cals.items() if "Rayleighs" in k)
    flat = next(v for k, v in cals.items() if "flatfield" in k)
    return ds, flat, ray


def test_real_rayleighs_file(shared_data):
    path = shared_data / "asi/REGO_Rayleighs_15651_20210908-+_v02.sav"
    cal = geospacexr.open_calibration(path)
    raw = scipy.io.readsav(str(path))
    assert float(cal.rayleighs_per_dn_per_s) == float(raw["rper_dnpersecond_15651"])
    assert cal.attrs["instrument"] == "rego" and cal.attrs["detector"] == "15651"
    assert cal.attrs["valid_start"] == "2021-09-08T00:00:00" and cal.attrs["valid_end"] == ""


def check(result, recorded, rtol=1e-6):
    """Same numbers: the sum and the pixels to ``rtol`` (float32 rounding)."""
    values = result.image.values.astype(np.float64)
    assert values.sum() == pytest.approx(recorded["sum"], rel=rtol)
    for k, y, x, v in recorded["points"]:
        assert values[k, y, x] == pytest.approx(v, rel=rtol)


def check_truncated(result, recorded, rtol=1e-6):
    """PyAuroraX's value is ours rounded down to a whole DN: 0 <= ours - theirs < 1 DN.

    Relative to PyAuroraX's value that is at most 1 / DN of the pixel (1/45 for the faintest
    recorded pixel, 1/936 for the brightest); on the sum, 1 / (mean DN) = 2.0e-3 with a
    measured 0.42 DN (8.6e-4). ``rtol`` allows float32 rounding.
    """
    values = result.image.values.astype(np.float64)
    for k, y, x, theirs in recorded["points"]:
        dn = theirs / R_PER_DN
        assert dn == pytest.approx(round(dn), abs=1e-4)  # theirs is a whole number of DN
        rel = (values[k, y, x] - theirs) / theirs
        assert -rtol <= rel < 1.0 / dn + rtol
    mean_dn = recorded["sum"] / values.size / R_PER_DN
    rel = (values.sum() - recorded["sum"]) / recorded["sum"]
    assert 0.0 < rel < 1.0 / mean_dn


def test_matches_pyaurorax(inputs):
    ds, flat, ray = inputs
    noflat = ds.asi.calibrate(rayleighs=ray, exposure_s=EXPOSURE_S)
    assert noflat.image.attrs["units"] == "R" and noflat.image.dtype == np.float32
    assert float(ray.rayleighs_per_dn_per_s) == RAYLEIGHS
    check(noflat, RECORDED["noflat"])
    full = ds.asi.calibrate(flat, ray, exposure_s=EXPOSURE_S)
    check_truncated(full, RECORDED["full"])


def test_exposure_from_the_files(inputs):
    ds, flat, ray = inputs
    fixed = ds.asi.calibrate(flat, ray, exposure_s=2.0)
    own = ds.asi.calibrate(flat, ray)  # exposure_ms is 2000 in the files
    np.testing.assert_allclose(own.image.values, fixed.image.values, rtol=1e-6)


def test_wrong_calibrations(inputs):
    ds, _, ray = inputs
    with pytest.raises(IncompatibleInputError, match="flatfield argument is a rayleighs"):
        ds.asi.calibrate(ray, ray)
    themis = datasets.open_sample("themis-gill")
    with pytest.raises(IncompatibleInputError, match="calibration is for rego"):
        themis.asi.calibrate(rayleighs=ray)


@pytest.mark.skipif(
    not os.environ.get("GEOSPACEXR_REF_UCALGARY"),
    reason="set GEOSPACEXR_REF_UCALGARY to compare live",
)
def test_live_against_pyaurorax(inputs, tmp_path):
    script = Path(__file__).with_name("pyaurorax_calibration.py")
    out = subprocess.run(
        [
            os.environ["GEOSPACEXR_REF_UCALGARY"],
            str(script),
            str(datasets.sample_path("rego-gill")),
            str(datasets.sample_path("rego-calibration")),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    live = json.loads(out.stdout.strip().splitlines()[-1])
    ds, flat, ray = inputs
    check(ds.asi.calibrate(rayleighs=ray, exposure_s=EXPOSURE_S), live["noflat"])
    check_truncated(ds.asi.calibrate(flat, ray, exposure_s=EXPOSURE_S), live["full"])
