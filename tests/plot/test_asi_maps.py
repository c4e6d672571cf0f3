"""Mosaic maps with fields of view, magnetic lines and a footprint; field-of-view maps."""

import numpy as np
import pytest
import xarray as xr

from geospacexr import asi, datasets, plot
from geospacexr.resources import coastlines

pytest.importorskip("cartopy")
aacgmv2 = pytest.importorskip("aacgmv2")

SITES = ("gill", "rank", "tpas")


@pytest.fixture(scope="module")
def skymaps():
    return [datasets.open_sample(f"themis-{s}-skymap") for s in SITES]


@pytest.fixture(scope="module")
def mosaic(skymaps):
    images = [datasets.open_sample(f"themis-{s}") for s in SITES]
    return asi.mosaic(images, skymaps, time=images[0].time.values[:1])


@pytest.fixture(scope="module")
def track(mosaic):
    t = datasets.open_sample("themis-gill").time.values
    return xr.Dataset(
        {
            "lat": ("time", np.linspace(50, 65, t.size)),
            "lon": ("time", np.linspace(-100, -88, t.size)),
        },
        coords={"time": t},
    )


def test_map_overlays(mosaic, skymaps, track):
    ax = mosaic.asi.plot.map(fields_of_view=skymaps, footprint=track, mag_lines=5)
    rings = [line for line in ax.lines if line.get_color() == "tab:blue"]
    assert len(rings) == len(SITES)
    for line, sky in zip(rings, skymaps, strict=True):
        ring = asi.field_of_view(sky, 110.0)
        np.testing.assert_allclose(line.get_xydata()[:, 1], ring["lat"].values)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "THEMIS" in legend and "footprint" in legend
    # the footprint marker sits at the track point of the frame's time (the first)
    marker = [line for line in ax.lines if line.get_marker() == "o"]
    assert marker and marker[0].get_xydata()[0].tolist() == [-100.0, 50.0]


def test_magnetic_lines_follow_aacgm(mosaic):
    ax = mosaic.asi.plot.map(mag_lines=5, show_coastlines=False)
    contours = [c for c in ax.collections if type(c).__name__.endswith("ContourSet")]
    assert len(contours) == 2  # latitude and longitude lines
    lat_lines = contours[0]
    when = mosaic.time.values[0].astype("datetime64[s]").astype(object)
    checked = 0
    for level, path in zip(lat_lines.levels, lat_lines.get_paths(), strict=True):
        vertices = path.vertices
        if len(vertices) == 0:
            continue
        # the contour vertices are in the map projection: back to geographic
        import cartopy.crs as ccrs

        geo = ccrs.PlateCarree().transform_points(ax.projection, vertices[:, 0], vertices[:, 1])
        mlat, _, _ = aacgmv2.convert_latlon_arr(geo[::7, 1], geo[::7, 0], 110.0, when, "G2A")
        np.testing.assert_allclose(mlat, level, atol=0.1)
        checked += 1
    assert checked >= 3


def test_fov_map_coloured_by_network(skymaps):
    rego = datasets.open_sample("rego-gill")
    ax = plot.plot_fov(skymaps, mag_lines=None)
    assert len([line for line in ax.lines if line.get_color() == "tab:blue"]) == len(SITES)
    assert len(ax.lines) == len(coastlines()) + 2 * len(SITES)  # coastlines, rings, site markers
    assert "110 km" in ax.get_title() and "5 degrees" in ax.get_title()
    assert rego.attrs["instrument"] == "rego"
    assert plot.asi.NETWORK_COLOURS["rego"] != plot.asi.NETWORK_COLOURS["themis"]


def test_overlay_errors(mosaic):
    with pytest.raises(ValueError, match="footprint: must be a Dataset"):
        mosaic.asi.plot.map(footprint=xr.Dataset({"lat": ("n", [1.0])}))
    with pytest.raises(ValueError, match="positive spacing"):
        mosaic.asi.plot.map(mag_lines=-5)
    with pytest.raises(ValueError, match="at least one skymap"):
        plot.plot_fov([])
