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


def test_mosaic_with_spectrograph_slits(mosaic):
    """PyAuroraX's mosaic overlay: each slit bin a polygon coloured by its intensity."""
    import warnings

    from matplotlib.collections import PolyCollection

    from geospacexr.asi.spectrograph import emission_intensity, slit_polygons
    from geospacexr.errors import DataWarning

    spect = datasets.open_sample("trex_spect-rabb")
    # the sample spectrograph is of another night: its spectra moved to the mosaic's frame
    step = np.timedelta64(15, "s")
    times = mosaic.time.values[0] - 3 * step + step * np.arange(spect["l1"].sizes["time"])
    l1 = spect["l1"].assign_coords(time=times)
    ax = mosaic.asi.plot.map(spectrographs=[(l1, spect["skymap"])], emission="red")
    slits = [c for c in ax.collections if type(c) is PolyCollection]
    assert len(slits) == 1
    red = emission_intensity(l1, "red")
    np.testing.assert_allclose(slits[0].get_array(), red.values[3])  # the frame's spectrum
    assert slits[0].get_clim() == (0.0, 5000.0)
    assert slits[0].get_cmap().name == "gnuplot2"
    poly = slit_polygons(spect["skymap"], mosaic.attrs["altitude_km"])
    first = slits[0].get_paths()[0].vertices
    np.testing.assert_allclose(first[:4], np.c_[poly.lon.values[0], poly.lat.values[0]][:4])
    assert "O I 630.0 nm intensity (R)" in [a.get_ylabel() for a in ax.figure.axes]
    # intensities given directly, another scale
    ax = mosaic.asi.plot.map(
        spectrographs=[(red, spect["skymap"])], spectrograph_scale=(0.0, 2000.0)
    )
    slit = next(c for c in ax.collections if type(c) is PolyCollection)
    assert slit.get_clim() == (0.0, 2000.0)
    # a spectrograph with no spectrum near the frame is left out, with a warning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax = mosaic.asi.plot.map(spectrographs=[(spect["l1"], spect["skymap"])])
    assert any(issubclass(w.category, DataWarning) for w in caught)
    assert not [c for c in ax.collections if type(c) is PolyCollection]
