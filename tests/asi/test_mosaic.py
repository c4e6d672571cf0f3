import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr import asi, datasets
from geospacexr.errors import IncompatibleInputError

SITES = ("gill", "rank", "snkq", "tpas")


@pytest.fixture(scope="module")
def sites():
    return [datasets.open_sample(f"themis-{s}") for s in SITES], [
        datasets.open_sample(f"themis-{s}-skymap") for s in SITES
    ]


def uniform(ds, value):
    return ds.assign(
        image=(ds.image.dims, np.full(ds.image.shape, value, dtype=np.uint16), ds.image.attrs)
    )


def test_default_grid_is_the_calgary_grid():
    g = asi.grid()
    assert g.sizes == {"lat": 512, "lon": 1024}
    assert g.lat.values[0] == pytest.approx(-90 + 0.3515625 / 2) and np.all(
        np.diff(g.lat.values) > 0
    )
    with pytest.raises(ValueError, match="GiB"):
        asi.grid(resolution_deg=0.001)


def test_single_site_uniform_image_is_uniform_over_the_field_of_view(sites):
    images, skymaps = sites
    ds = uniform(images[0].isel(time=[0]), 1000)
    m = asi.mosaic([ds], [skymaps[0]])
    values = m.image.values[0]
    covered = np.isfinite(values)
    assert covered.sum() > 500
    np.testing.assert_array_equal(values[covered], 1000.0)
    assert (m.site.values[0][covered] == 0).all() and (m.site.values[0][~covered] == -1).all()
    assert np.nanmin(m.elevation.values[0]) >= 5.0
    # every cell holding a pixel centre above the cutoff is covered
    centres = asi.pixel_centres(skymaps[0], 110)
    ok = (skymaps[0].elevation.values >= 5.0) & np.isfinite(centres.lat.values)
    i = np.floor((centres.lat.values[ok] + 90) / 0.3515625).astype(int)
    j = np.floor((centres.lon.values[ok] + 180) / 0.3515625).astype(int)
    assert covered[i, j].all()


def test_cells_take_their_pixels(sites):
    images, skymaps = sites
    m = asi.mosaic([images[0]], [skymaps[0]], time=images[0].time.values[:1])
    centres = asi.pixel_centres(skymaps[0], 110)
    y, x = 128, 120  # near the zenith: many pixels per cell; the cell holds their mean
    i = int(np.floor((centres.lat.values[y, x] + 90) / 0.3515625))
    j = int(np.floor((centres.lon.values[y, x] + 180) / 0.3515625))
    lat, lon = centres.lat.values, centres.lon.values
    inside = (
        (np.floor((lat + 90) / 0.3515625) == i)
        & (np.floor((lon + 180) / 0.3515625) == j)
        & (skymaps[0].elevation.values >= 5)
    )
    assert inside.sum() > 1
    expected = images[0].image.values[0][inside].astype(float).mean()
    assert m.image.values[0, i, j] == pytest.approx(expected, rel=1e-5)


def test_overlap_rules(sites):
    images, skymaps = sites
    first = [uniform(images[0].isel(time=[0]), 1000), uniform(images[2].isel(time=[0]), 3000)]
    pair = [skymaps[0], skymaps[2]]
    by_elevation = asi.mosaic(first, pair, overlap="elevation")
    both = by_elevation.site.values[0] >= 0
    assert set(np.unique(by_elevation.image.values[0][both])) <= {1000.0, 3000.0}
    mean = asi.mosaic(first, pair, overlap="mean")
    assert 2000.0 in set(np.unique(mean.image.values[0][np.isfinite(mean.image.values[0])]))
    nearest = asi.mosaic(first, pair, overlap="nearest")
    lat, lon = np.meshgrid(nearest.lat.values, nearest.lon.values, indexing="ij")
    covered = nearest.site.values[0] >= 0
    d_gill = np.hypot(lat - 56.35, (lon + 94.66) * np.cos(np.deg2rad(lat)))
    d_snkq = np.hypot(lat - 56.54, (lon + 79.23) * np.cos(np.deg2rad(lat)))
    clear = covered & (np.abs(d_gill - d_snkq) > 1.0)
    expected = np.where(d_gill < d_snkq, 0, 1)
    assert (nearest.site.values[0][clear] == expected[clear]).mean() > 0.99


def test_four_sites_mosaic_is_cached_and_round_trips(sites, tmp_path):
    images, skymaps = sites
    m = asi.mosaic(images, skymaps, time=images[0].time.values[:3])
    assert m.attrs["geospacexr_kind"] == "asi_grid" and list(m.sites.values) == list(SITES)
    assert set(np.unique(m.site.values)) == {-1, 0, 1, 2, 3}
    cache = list((geospacexr.config.get().paths.cache_dir / "mosaic").glob("*.npz"))
    assert cache
    assert "asi.mosaic.matrices" in geospacexr.clear_caches()  # the memory cache emptied
    again = asi.mosaic(images, skymaps, time=images[0].time.values[:3])  # from the disk cache
    xr.testing.assert_identical(again, m)
    m.to_netcdf(tmp_path / "m.nc")
    with xr.open_dataset(tmp_path / "m.nc") as back:
        xr.testing.assert_identical(back.load(), m)


def test_mosaic_bad_input(sites):
    images, skymaps = sites
    with pytest.raises(IncompatibleInputError, match="site 'rank'"):
        asi.mosaic([images[0]], [skymaps[1]])
    with pytest.raises(IncompatibleInputError, match="one skymap per image"):
        asi.mosaic(images[:2], skymaps[:1])
    late = images[1].assign_coords(time=images[1].time.values + np.timedelta64(1, "h"))
    with pytest.raises(IncompatibleInputError, match="share no time"):
        asi.mosaic([images[0], late], skymaps[:2])
    with pytest.raises(ValueError, match="overlap must be one of"):
        asi.mosaic(images[:1], skymaps[:1], overlap="max")


def test_magnetic_grid(sites):
    pytest.importorskip("aacgmv2")
    images, skymaps = sites
    g = asi.grid(resolution_deg=0.5, lat=(55, 80), lon=(-50, 10), coords="mag")
    m = asi.mosaic(images[:1], skymaps[:1], grid=g, time=images[0].time.values[:1])
    assert m.attrs["coords"] == "mag" and np.isfinite(m.image.values).sum() > 100


def test_map_of_a_grid():
    pytest.importorskip("cartopy")
    g = datasets.open_sample("themis-grid")
    ax = g.asi.plot.map(time=g.time.values[2], sites={"GILL": (56.35, -94.66)})
    mesh = ax.collections[0]
    drawn = np.ma.filled(np.asarray(mesh.get_array(), dtype=float).reshape(512, 1024), np.nan)
    np.testing.assert_array_equal(np.isfinite(drawn), np.isfinite(g.image.values[2]))
    assert "06:00:06" in ax.get_title()
    assert any(t.get_text().strip() == "GILL" for t in ax.texts)


def test_site_across_the_antimeridian(tmp_path, monkeypatch):
    from geospacexr import open_skymap
    from geospacexr._synth import asi as synth

    monkeypatch.setitem(
        synth.THEMIS_SITES,
        "xmer",
        {"name": "Test", "lat": 65.0, "lon": 179.8, "alt": 0.0, "imager": "themis99"},
    )
    synth.themis_skymap_generator("xmer", "2014010100")(tmp_path)
    sky = open_skymap(next(tmp_path.glob("*.sav")))
    times = np.array(["2014-03-10T06:00"], dtype="datetime64[ns]")
    images = xr.Dataset(
        {
            "image": (
                ("time", "y", "x"),
                np.full((1, 256, 256), 700, dtype=np.uint16),
                {"units": "counts"},
            )
        },
        coords={"time": times},
        attrs={
            "geospacexr_kind": "asi",
            "site": "xmer",
            "instrument": "themis",
            "site_lat": 65.0,
            "site_lon": 179.8,
        },
    )
    m = asi.mosaic([images], [sky])
    covered = np.isfinite(m.image.values[0])
    lon = m.lon.values
    assert covered[:, lon > 179].any() and covered[:, lon < -179].any()  # both sides of the seam
    np.testing.assert_array_equal(m.image.values[0][covered], 700.0)
    # no cell far from the site on the other side of the globe
    assert not covered[:, (lon > -150) & (lon < 150)].any()
