"""Calibration against PyAuroraX 1.27 (tools.calibration.rego) on the rego-gill sample.

PyAuroraX's numbers were recorded once (sum and three pixels of its output with a fixed 2.0 s
exposure); with ``GEOSPACEXR_REF_UCALGARY`` pointing at an interpreter with pyaurorax the test
also runs live. Without the flat field the two agree exactly; with it, PyAuroraX truncates the
flat-fielded counts to integers (up to 1 DN, i.e. 13.22 / 2 R here), which bounds the difference.
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
RAYLEIGHS = 13.22


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


def check(result, recorded, rtol):
    values = result.image.values.astype(np.float64)
    assert values.sum() == pytest.approx(recorded["sum"], rel=rtol)
    for k, y, x, v in recorded["points"]:
        assert values[k, y, x] == pytest.approx(v, rel=rtol, abs=RAYLEIGHS / 2)


def test_matches_pyaurorax(inputs):
    ds, flat, ray = inputs
    noflat = ds.asi.calibrate(rayleighs=ray, exposure_s=2.0)
    assert noflat.image.attrs["units"] == "R" and noflat.image.dtype == np.float32
    check(noflat, RECORDED["noflat"], 1e-6)
    full = ds.asi.calibrate(flat, ray, exposure_s=2.0)
    # the flat-field truncation in PyAuroraX: at most 1 DN = R/2 per pixel, ~0.5 DN on average
    check(full, RECORDED["full"], 2e-3)


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
    ds, _, ray = inputs
    check(ds.asi.calibrate(rayleighs=ray, exposure_s=2.0), live["noflat"], 1e-6)
