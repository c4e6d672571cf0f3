"""Keograms against asilib 0.30.1 (``Imager.keogram``) on the themis-gill sample and its skymap.

What asilib's keogram is (``asilib/imager.py``, ``asilib/asi/themis.py``): asilib reads the PGM
frames and flips their rows, and flips the skymap's square arrays on their row axis, exactly as
pyucalgarysrs does, so its images, elevations and 257x257 corner latitudes/longitudes equal
geospacexr's bit for bit (checked while writing this test). ``keogram()`` with no path takes
image column ``resolution // 2`` = 128 of every frame, keeps the rows whose elevation is
``>= minimum_elevation`` (default 0) and whose skymap **corner** latitude ``lat[row, 128]`` at
the mapping altitude (default 110 km) is finite, in row order, and labels each row with that
corner latitude (``aacgm=True``: AACGM-v2 of the corner, at the mapping altitude, dated to the
start of the time range). It returns ``(times, latitudes, keogram)`` with the keogram
``(time, row)`` float64 and the times the frames' ``Image request start`` stamps.

The geospacexr call that reproduces it is
``images.asi.keogram(sky, axis="geo", column=128, min_elevation=0, altitude_km=110)``
(``axis="mag"`` for ``aacgm=True``). On this sample:

* times: all 60 identical to the nanosecond (asilib keeps microseconds).
* pixels: identical counts for every common pixel (SHA-256 of the whole 60 x 235 keogram and
  every row sum agree); asilib's values are float64 holding the uint16 counts.
* rows: asilib keeps rows 11-245 (235), geospacexr 11-244 (234). Row 245 (elevation 0.198
  degree) has a finite corner at row 245 but NaN corners at row 246, so it has no pixel centre:
  asilib keeps it (labelled with its one finite edge, 66.36 degrees), geospacexr drops it. Row
  10, the mirror image at the other edge (same elevation), is dropped by both, because there
  asilib's corner ``lat[10, 128]`` is the NaN one.
* latitude labels: geospacexr labels a row with its pixel centre (mean of the four corners),
  asilib with the corner ``(row, 128)``, i.e. one edge of the pixel: they differ by half the
  pixel's latitude extent, 0.0065 degree near the zenith to 0.349 degree at the lowest rows
  (mean 0.043 degree at 110 km). Against the midpoint of asilib's two labels bounding the row,
  geospacexr agrees within 0.0014 degree (the rest is the pixel centre lying half a pixel east
  of asilib's corner column), and at 90 and 150 km within 0.0001 degree on the rows checked.
  Magnetic latitudes: 0.005-0.33 degree apart, within 0.006 degree of asilib's midpoint (AACGM
  varies along the half-pixel east offset; geospacexr also interpolates AACGM from a 1 degree
  grid, < 0.001 degree).
* defaults differ: asilib's column is ``width // 2`` = 128 and its elevation cutoff 0;
  geospacexr's defaults are PyAuroraX's column ``width // 2 - 1`` = 127 and the config cutoff
  of 5 degrees (222 rows here). Both sort south to north (asilib by row order, which is
  monotonic in latitude here; geospacexr by latitude). Dims are ``(time, row)`` in asilib and
  ``(lat, time)`` in geospacexr.

The recorded numbers (``data/asilib_keogram.json``) come from ``asilib_keogram.py``, which runs
asilib offline on the same files; the live test reruns it in the interpreter named by
``GEOSPACEXR_REF_ASILIB`` (a venv with asilib 0.30.1) and skips without it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from geospacexr import datasets

HERE = Path(__file__).parent
RECORDED = HERE / "data" / "asilib_keogram.json"
COLUMN = 128  # asilib: resolution[1] // 2
# our pixel-centre label vs the midpoint of asilib's two corner labels bounding the row
MIDPOINT_TOL_GEO = 0.002  # degrees; measured 0.00135 at 110 km, 0.0001 at 90/150 km
MIDPOINT_TOL_MAG = 0.01  # degrees; measured 0.0056


@pytest.fixture(scope="module")
def data():
    return datasets.open_sample("themis-gill"), datasets.open_sample("themis-gill-skymap")


@pytest.fixture
def asilib_reference():
    """Run ``asilib_keogram.py`` in ``$GEOSPACEXR_REF_ASILIB``; its last stdout line as JSON."""
    python = os.environ.get("GEOSPACEXR_REF_ASILIB")
    if not python:
        pytest.skip("set GEOSPACEXR_REF_ASILIB to an interpreter with asilib to compare live")
    out = subprocess.run(
        [
            python,
            str(HERE / "asilib_keogram.py"),
            str(datasets.sample_path("themis-gill")),
            str(datasets.sample_path("themis-gill-skymap")),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def by_row(gram, coordinate):
    """A geo/mag keogram's rows, labels and ``(time, row)`` values, in CCD row order."""
    order = np.argsort(gram["y"].values)
    return (
        gram["y"].values[order],
        gram[coordinate].values[order],
        gram.values[order].T,
    )


def check(reference, images, sky):
    assert reference["columns"] == [COLUMN]
    theirs_rows = np.asarray(reference["rows"])
    n_time, n_row = reference["keogram_shape"]
    assert (n_time, n_row) == (images.sizes["time"], theirs_rows.size)

    # times: identical
    times = np.asarray(reference["times"], dtype="datetime64[ns]")
    np.testing.assert_array_equal(images["time"].values, times)

    # pixel values: the CCD keogram of asilib's column over asilib's rows is its keogram
    ccd = images.asi.keogram(column=COLUMN)
    counts = np.ascontiguousarray(ccd.isel(y=theirs_rows).values.T, dtype="<u2")
    assert hashlib.sha256(counts.tobytes()).hexdigest() == reference["keogram_sha256"]
    assert float(counts.sum(dtype=np.int64)) == reference["keogram_sum"]
    for y, values in reference["keogram_rows"].items():
        assert ccd.sel(y=int(y)).values.tolist() == values

    # the geographic keogram: same pixels, except asilib's outermost row without a centre
    geo = images.asi.keogram(sky, axis="geo", column=COLUMN, min_elevation=0, altitude_km=110)
    assert geo.attrs["column"] == COLUMN
    rows, lat, values = by_row(geo, "lat")
    np.testing.assert_array_equal(rows, theirs_rows[:-1])
    assert theirs_rows[-1] == 245
    assert sky["elevation"].values[245, COLUMN] >= 0  # asilib keeps it: corner (245, 128) finite
    assert np.isnan(sky["lat_corner"].sel(altitude=110).values[246, COLUMN])  # no centre
    np.testing.assert_array_equal(geo["time"].values, times)
    sums = values.astype(np.int64).sum(axis=0)
    np.testing.assert_array_equal(sums, np.asarray(reference["keogram_row_sums"])[:-1])

    # latitude labels: our pixel centre vs asilib's corner (row, 128), half a pixel apart
    corner = np.asarray(reference["lat_110"])
    gap = np.abs(lat - corner[:-1])
    extent = np.abs(np.diff(corner))
    assert np.all(gap > 0)
    assert np.all(gap <= 0.51 * extent)
    assert 0.3 < gap.max() < 0.4  # 0.349 degree at the lowest rows
    midpoint = (corner[:-1] + corner[1:]) / 2
    assert np.abs(lat - midpoint).max() <= MIDPOINT_TOL_GEO

    # other altitudes: the skymap's 90 and 150 km corners
    for altitude, labels in reference["lat_by_alt"].items():
        other = images.asi.keogram(
            sky, axis="geo", column=COLUMN, min_elevation=0, altitude_km=float(altitude)
        )
        ys = list(other["y"].values)
        for y in sorted({int(k) for k in labels} & {int(k) - 1 for k in labels}):
            ours = float(other["lat"].values[ys.index(y)])
            theirs = (labels[str(y)] + labels[str(y + 1)]) / 2
            assert abs(ours - theirs) <= MIDPOINT_TOL_GEO
            assert ours != labels[str(y)]

    # magnetic: asilib's aacgm=True converts its corner at the mapping altitude
    mag = images.asi.keogram(sky, axis="mag", column=COLUMN, min_elevation=0, altitude_km=110)
    rows, mlat, _ = by_row(mag, "mlat")
    np.testing.assert_array_equal(rows, theirs_rows[:-1])
    corner = np.asarray(reference["mlat_110"])
    assert np.all(np.abs(mlat - corner[:-1]) <= 0.51 * np.abs(np.diff(corner)) + MIDPOINT_TOL_MAG)
    assert np.abs(mlat - (corner[:-1] + corner[1:]) / 2).max() <= MIDPOINT_TOL_MAG


def test_against_recorded_asilib(data):
    check(json.loads(RECORDED.read_text()), *data)


def test_defaults_differ_from_asilib(data):
    """geospacexr's defaults are PyAuroraX's (column 127, 5 degrees), not asilib's (128, 0)."""
    images, sky = data
    reference = json.loads(RECORDED.read_text())
    geo = images.asi.keogram(sky, axis="geo")
    assert geo.attrs["column"] == COLUMN - 1
    assert geo.attrs["min_elevation"] == 5
    assert geo.sizes["lat"] < len(reference["rows"]) - 1


def test_against_asilib_live(data, asilib_reference):
    recorded = json.loads(RECORDED.read_text())
    assert asilib_reference["keogram_sha256"] == recorded["keogram_sha256"]
    check(asilib_reference, *data)
