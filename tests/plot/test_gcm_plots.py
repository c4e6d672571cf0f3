import numpy as np
import pytest
import xarray as xr

pytest.importorskip("matplotlib")

from geospacexr import datasets, gcm
from geospacexr.errors import InvalidArgumentError
from geospacexr.plot import gcm as pg
from geospacexr.resources import coastlines

T = "2003-03-21T01:00"


@pytest.fixture(scope="module")
def ds():
    return datasets.open_sample("tiegcm-5deg")


def test_lat_lon_map_draws_the_slice_coastlines_terminator_and_wind(ds, tmp_path):
    fig = ds.gcm.plot.lat_lon("TN", time=T, height=300, wind=True, save=tmp_path / "map.png")
    assert (tmp_path / "map.png").read_bytes().startswith(b"\x89PNG")
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]
    ax = fig.axes[0]
    mesh = ax.collections[0]
    expected = gcm.lat_lon(ds, "TN", time=T, height=300).values
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(expected.shape), expected)
    labels = [line.get_label() for line in ax.lines]
    assert "terminator" in labels
    assert len(ax.lines) == len(coastlines()) + 1
    assert any(type(c).__name__ == "Quiver" for c in ax.collections)
    assert "300 km" in ax.get_title() and "01:00" in ax.get_title()


@pytest.mark.parametrize("projection", pg.PROJECTIONS)
def test_projections(ds, projection):
    pytest.importorskip("cartopy")
    fig = pg.plot_lat_lon(ds, "TN", time=T, level=2.0, projection=projection, show_terminator=False)
    assert type(fig.axes[0]).__name__ == "GeoAxes"


def test_differences_get_a_symmetric_colour_map():
    d = gcm.difference(datasets.open_sample("tiegcm-storm"), datasets.open_sample("tiegcm-control"))
    fig = d.gcm.plot.lat_lon("UN", time=T, level=2.0, show_coastlines=False)
    mesh = fig.axes[0].collections[0]
    assert mesh.get_cmap().name == "RdBu_r"
    lo, hi = mesh.get_clim()
    assert lo == pytest.approx(-hi)


@pytest.mark.parametrize(
    "name, kwargs, xdim",
    [
        ("lev_lat", {"time": T}, "lat"),
        ("lev_lon", {"time": T, "lat": 40.0}, "lon"),
        ("lev_time", {"lat": 40.0, "lon": 0.0}, "time"),
        ("lat_time", {"level": 2.0, "local_time": 14.0}, "time"),
        ("lon_time", {"lat": 0.0, "height": 250.0}, "time"),
    ],
)
def test_every_slice_has_a_plot(ds, name, kwargs, xdim, tmp_path):
    fig = getattr(ds.gcm.plot, name)("TN", save=tmp_path / f"{name}.png", **kwargs)
    assert (tmp_path / f"{name}.png").stat().st_size > 1000
    expected = getattr(gcm, name)(ds, "TN", **kwargs)
    ydim = next(d for d in expected.dims if d != xdim)
    values = expected.transpose(ydim, xdim).values
    drawn = np.asarray(fig.axes[0].collections[0].get_array()).reshape(values.shape)
    np.testing.assert_allclose(drawn, values)
    assert fig.axes[-1].get_ylabel() == "TN [K]"  # the colour bar


def test_time_series_plot(ds):
    fig = ds.gcm.plot.var_time("TN", lat=0.0, lon=0.0, height=250.0)
    series = gcm.var_time(ds, "TN", lat=0.0, lon=0.0, height=250.0)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), series.values)
    assert fig.axes[0].get_ylabel() == "TN [K]"


def test_bad_projection(ds):
    with pytest.raises(ValueError, match="projection: must be one of"):
        pg.plot_lat_lon(ds, "TN", time=T, level=2.0, projection="lambert")


def test_magnetic_equator_and_magnetic_coordinates(ds):
    from geospacexr.geomagnetic import dip_equator

    fig = pg.plot_lat_lon(ds, "TN", time=T, level=2.0, show_magnetic_equator=True)
    ax = fig.axes[0]
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "dip equator")
    x, y = line.get_data()
    np.testing.assert_allclose(y, dip_equator(x, np.datetime64(T, "ns")), atol=1e-9)
    fig = pg.plot_lat_lon(ds, "TN", time=T, level=2.0, magnetic=True, show_magnetic_equator=True)
    ax = fig.axes[0]
    assert "magnetic latitude" in ax.get_ylabel()
    tri = ax.collections[0]
    assert tri.get_array().size > 0
    for style in ("contourf", "contour"):
        pg.plot_lat_lon(ds, "TN", time=T, level=2.0, magnetic=True, style=style)
    with pytest.raises(InvalidArgumentError, match="magnetic"):
        pg.plot_lat_lon(ds, "TN", time=T, level=2.0, magnetic=True, local_time=True)


@pytest.mark.parametrize(
    ("name", "long_name", "units", "title"),
    [
        # TIE-GCM's "NAME: description" long names: the name is said once, in brackets
        ("PHIM2D", "PHIM2D: Electric Potential", "V", "Electric potential (PHIM2D, V)"),
        (
            "NMF2",
            "NMF2: Peak Density of the F2 Layer",
            "1/cm3",
            "Peak density of the F2 layer (NMF2, 1/cm3)",
        ),
        (
            "UI",
            "UI Zonal ion drift from edynamo",
            "cm/s",
            "Zonal ion drift from edynamo (UI, cm/s)",
        ),
        # the name as a word of the description, or the whole long name: kept
        ("HE", "He concentration", "mol/mol", "He concentration (HE, mol/mol)"),
        ("Kp", "Kp", "", "Kp"),
        ("ctpoten", "ctpoten", "V", "ctpoten (V)"),
        ("AR", "ARGON", "", "Argon (AR)"),
        ("TN", "NEUTRAL TEMPERATURE", "K", "Neutral temperature (TN, K)"),
    ],
)
def test_titles_say_the_variable_name_once(name, long_name, units, title):
    from geospacexr.explore.gcm import _title as explorer_title
    from geospacexr.plot.common import variable_title

    attrs = {"long_name": long_name, "units": units} if units else {"long_name": long_name}
    assert variable_title(name, attrs) == title
    da = xr.DataArray([1.0], dims="x", name=name, attrs=attrs)
    assert explorer_title(da) == title


@pytest.mark.parametrize("projection", ["north_polar", "south_polar"])
@pytest.mark.parametrize("sample,var", [("tiegcm-2.5deg", "TN"), ("waccmx-cesm2", "PHIM2D")])
def test_polar_contour_maps_render_and_cover_the_pole(projection, sample, var):
    """Polar contours render (cartopy 0.25's path transform failed on them: SciTools/cartopy#2635)
    and fill the cap up to the pole, though the model grid stops half a cell short of it."""
    import io

    pytest.importorskip("cartopy")
    import matplotlib.pyplot as plt

    ds = datasets.open_sample(sample)
    kwargs = {"height": 300} if var == "TN" else {}
    fig = ds.gcm.plot.lat_lon(var, projection=projection, style="contourf", **kwargs)
    fig.savefig(io.BytesIO(), format="png", dpi=40)
    ax = fig.axes[0]
    mesh = next(c for c in ax.collections if hasattr(c, "levels"))
    # points a tenth of a degree from the pole (the pole itself is a vertex of every cell)
    lat = -89.9 if projection == "south_polar" else 89.9
    for lon in (1.3, 91.3, 179.3, -88.7):  # off the grid lines (the seam is a cell edge)
        point = ax.projection.transform_point(lon, lat, ax.projection.as_geodetic())
        assert any(path.contains_point(point) for path in mesh.get_paths()), lon
    plt.close(fig)
