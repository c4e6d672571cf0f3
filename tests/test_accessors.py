import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr.errors import MissingVariableError, WrongKindError


@pytest.fixture(scope="module")
def asi():
    return geospacexr.datasets.open_sample("themis-gill")


def test_accessor_init_never_raises():
    for ds in (
        xr.Dataset(),
        xr.Dataset(attrs={"geospacexr_kind": 3}),
        xr.Dataset({"x": ("t", [1])}),
    ):
        ds.gcm, ds.asi, ds.rb, ds.superdarn, ds.mhd, ds.ionosphere, ds.rio  # noqa: B018


def test_wrong_kind_message_says_what_to_do(asi):
    with pytest.raises(WrongKindError) as info:
        asi.gcm.summary()
    msg = str(info.value)
    assert "all-sky imager" in msg and "ds.gcm.summary" in msg and "open_tiegcm" in msg
    gcm_like = xr.Dataset(attrs={"geospacexr_kind": "gcm"})
    with pytest.raises(
        WrongKindError, match="TIE-GCM or WACCM-X.*ds.asi.keogram needs an all-sky imager.*open_asi"
    ):
        gcm_like.asi.keogram()
    with pytest.raises(WrongKindError, match="no attrs\\['geospacexr_kind'\\]"):
        xr.Dataset().rb.summary()


def test_missing_variable(asi):
    with pytest.raises(MissingVariableError, match="ds.asi.keogram needs the variable.*image"):
        asi.drop_vars("image").asi.keogram()


def test_keogram_is_the_default_column_of_every_frame(asi):
    keo = asi.asi.keogram()
    assert keo.dims == ("y", "time")
    assert keo.attrs["column"] == 127  # PyAuroraX: floor(256 / 2 - 1)
    np.testing.assert_array_equal(keo.values, asi.image.values[:, :, 127].T)
    assert keo.attrs["units"] == "counts"
    # the accessor and the pure function are the same thing
    xr.testing.assert_identical(keo, geospacexr.asi.keogram(asi))
    other = asi.asi.keogram(column=10)
    np.testing.assert_array_equal(other.values, asi.image.values[:, :, 10].T)


def test_keogram_bad_arguments(asi):
    with pytest.raises(ValueError, match="within 0..255"):
        asi.asi.keogram(column=256)
    with pytest.raises(ValueError, match="needs the site's skymap"):
        asi.asi.keogram(axis="geo")
    with pytest.raises(ValueError, match="axis must be one of ccd, geo, mag"):
        asi.asi.keogram(axis="polar")


def test_keogram_round_trips_netcdf(asi, tmp_path):
    keo = asi.asi.keogram()
    keo.to_netcdf(tmp_path / "k.nc")
    with xr.open_dataarray(tmp_path / "k.nc") as back:
        xr.testing.assert_identical(back.load(), keo)


def test_summary(asi):
    info = asi.asi.summary()
    assert info["kind"] == "asi" and info["n_times"] == 60 and info["site"] == "gill"
    assert info["variables"]["image"]["units"] == "counts"


def test_plots(asi):
    pytest.importorskip("matplotlib")
    ax = asi.asi.plot.image()
    assert ax.images and ax.images[0].get_array().shape == (256, 256)
    ax = asi.asi.plot.keogram()
    assert "column 127" in ax.get_title()
