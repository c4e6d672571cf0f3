"""Keograms against PyAuroraX 1.27 (tools.keogram) on the themis-gill sample and its skymap.

Recorded once: the CCD keogram's sum and three rows, and PyAuroraX's geographic latitude labels
(``geo_y``: skymap corner latitudes at 110 km along the keogram's column). The live test runs
with ``GEOSPACEXR_REF_UCALGARY`` set to an interpreter with pyaurorax.
"""

import pytest

from geospacexr import datasets

RECORDED = {
    "ccd_sum": 70989482.0,
    "ccd_rows": [[4465.0, 4334.0, 4393.0], [4155.0, 4178.0, 4190.0], [4514.0, 4478.0, 4501.0]],
    "geo_y": {"60": 55.127159118652344, "128": 56.35389709472656, "200": 57.72102355957031},
}


@pytest.fixture(scope="module")
def data():
    return datasets.open_sample("themis-gill"), datasets.open_sample("themis-gill-skymap")


def check(reference, images, sky):
    ccd = images.asi.keogram()
    assert float(ccd.values.astype(float).sum()) == reference["ccd_sum"]
    for y, row in zip((60, 128, 200), reference["ccd_rows"], strict=True):
        assert ccd.values[y, :3].tolist() == row
    geo = images.asi.keogram(sky, axis="geo", min_elevation=0)
    corners = sky.lat_corner.sel(altitude=110).values
    for y, theirs in reference["geo_y"].items():
        y = int(y)
        ours = float(geo.lat.values[list(geo.y.values).index(y)])
        # PyAuroraX labels row y with the corner at (y, column); ours is the pixel centre:
        # they differ by about half a pixel, never more than one pixel's latitude extent
        extent = abs(corners[y + 1, 127] - corners[y, 127]) + abs(corners[y, 128] - corners[y, 127])
        assert abs(ours - theirs) <= extent
        assert abs(ours - theirs) > 0


def test_against_recorded_pyaurorax(data):
    check(RECORDED, *data)


def test_against_pyaurorax_live(data, ucalgary_reference):
    reference = ucalgary_reference(
        "pyaurorax_keogram.py",
        datasets.sample_path("themis-gill"),
        datasets.sample_path("themis-gill-skymap"),
    )
    check(reference, *data)
