"""The slit overlay and the spectrograph keogram figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from geospacexr import datasets
from geospacexr.asi.spectrograph import emission_intensity, spectrograph_keogram
from geospacexr.errors import InvalidArgumentError
from geospacexr.plot import spectrograph as psp


@pytest.fixture(scope="module")
def sample():
    return datasets.open_sample("trex_spect-rabb")


def test_slit_polygons_carry_the_intensities(sample):
    green = emission_intensity(sample["l1"], "green")
    ax = psp.plot_slit(green, sample["skymap"], time=green.time.values[2])
    (coll,) = ax.collections
    np.testing.assert_allclose(coll.get_array(), green.isel(time=2).values)
    assert coll.get_clim() == psp.SLIT_SCALE_R
    assert coll.get_cmap().name == psp.SLIT_CMAP
    assert len(coll.get_paths()) == 256
    lat0, lat1 = ax.get_ylim()
    assert lat0 < 55 and lat1 > 62  # the slit spans the meridian across the site
    with pytest.raises(InvalidArgumentError, match="bins"):
        psp.plot_slit(green.isel(spatial=slice(0, 5)), sample["skymap"])


def test_slit_on_a_cartopy_map(sample):
    import cartopy.crs as ccrs
    import matplotlib.pyplot as plt

    ax = plt.figure().add_subplot(projection=ccrs.NorthPolarStereo(-100))
    red = emission_intensity(sample["l1"], "red").isel(time=0)
    psp.plot_slit(red, sample["skymap"], ax=ax, colorbar=False)
    # drawn in geographic coordinates, not in the projection's own
    assert ax.collections[0].get_transform() != ax.transData
    assert ax.collections[0].get_array().size == 256


def test_keogram_figure(sample):
    keo = spectrograph_keogram(sample["l1"], "green", skymap=sample["skymap"])
    ax = psp.plot_spectrograph_keogram(keo)
    assert ax.get_ylabel().startswith("latitude")
    mesh = ax.collections[0]
    assert mesh.get_array().size == keo.size
