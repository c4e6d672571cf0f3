"""The riometer site's magnetic position (issue 22): AACGM-v2, else the centred dipole.

The readers import no science; ``geospacexr.rio`` adds the position through a completion
(``geospacexr.io.riometer.register_completion``). Checked against ``aacgmv2`` called directly
and, for the dipole fallback, against the spherical-trigonometry closed form of centred-dipole
coordinates with the IGRF-14 dipole coefficients typed in from the published table.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr import config, datasets
from geospacexr.errors import DataWarning
from geospacexr.io.riometer import list_completions
from geospacexr.rio import magnetic_position, position

#: IGRF-14 degree-1 coefficients (nT) at the DGRF epochs 2010.0 and 2015.0 (Alken et al., 2025;
#: the same values as IGRF-13's), for the closed form below.
DGRF = {2010: (-29496.57, -1586.42, 4944.26), 2015: (-29441.46, -1501.77, 4795.99)}


def dipole_closed_form(lat: float, lon: float, when: np.datetime64) -> tuple[float, float]:
    """Centred-dipole latitude and longitude: the pole from (g10, g11, h11), then
    sin(mlat) = sin(lat) sin(lat_p) + cos(lat) cos(lat_p) cos(lon - lon_p) and
    mlon = atan2(cos(lat) sin(lon - lon_p), sin(lat_p) cos(lat) cos(lon - lon_p)
    - cos(lat_p) sin(lat)) (MAG: y along z_GEO x the dipole axis)."""
    t0, t1 = np.datetime64("2010-01-01", "ns"), np.datetime64("2015-01-01", "ns")
    w = float((when - t0) / (t1 - t0))
    g10, g11, h11 = ((1 - w) * a + w * b for a, b in zip(DGRF[2010], DGRF[2015], strict=True))
    b0 = math.sqrt(g10**2 + g11**2 + h11**2)
    lat_p, lon_p = math.asin(-g10 / b0), math.atan2(-h11, -g11)
    la, dl = math.radians(lat), math.radians(lon) - lon_p
    mlat = math.asin(math.sin(la) * math.sin(lat_p) + math.cos(la) * math.cos(lat_p) * math.cos(dl))
    mlon = math.atan2(
        math.cos(la) * math.sin(dl),
        math.sin(lat_p) * math.cos(la) * math.cos(dl) - math.cos(lat_p) * math.sin(la),
    )
    return math.degrees(mlat), math.degrees(mlon)


@pytest.fixture
def no_aacgm(monkeypatch):
    def missing(*args, **kwargs):
        raise ImportError("AACGM-v2 coordinates need aacgmv2")

    monkeypatch.setattr("geospacexr.geomagnetic.aacgm", missing)


@pytest.mark.parametrize(
    ("sample", "pattern"), [("norstar_rio-gill", "*k0*"), ("swan_hsr-mean", None)]
)
def test_site_magnetic_position_is_aacgm_at_the_layer_height(sample, pattern):
    """site_mlat/site_mlon: AACGM-v2 (aacgmv2 called here) at rio.fov_height_km on the first
    day of the record, for both readers; a changed height is followed."""
    aacgmv2 = pytest.importorskip("aacgmv2")
    where = datasets.sample_path(sample)
    files = sorted(where.glob(pattern)) if pattern else [where]  # HSR: one file
    ds = geospacexr.open_riometer(files)
    first = ds["time"].values.min().astype("datetime64[s]").astype(dt.datetime)
    mlat, mlon, _ = aacgmv2.convert_latlon(
        ds.attrs["site_lat"], ds.attrs["site_lon"], 90.0, first, "G2A"
    )
    assert ds.attrs["site_mlat"] == pytest.approx(mlat, abs=1e-6)
    assert ds.attrs["site_mlon"] == pytest.approx(mlon, abs=1e-6)
    assert ds.attrs["site_magnetic_model"] == f"AACGM-v2 at 90 km, {first:%Y-%m-%d}"
    with config.override({"rio.fov_height_km": 300.0}):
        high = geospacexr.open_riometer(files)
    mlat300, _, _ = aacgmv2.convert_latlon(
        ds.attrs["site_lat"], ds.attrs["site_lon"], 300.0, first, "G2A"
    )
    assert high.attrs["site_mlat"] == pytest.approx(mlat300, abs=1e-6)
    assert abs(mlat300 - mlat) > 0.01  # the height matters: the test can tell
    assert high.attrs["site_magnetic_model"].startswith("AACGM-v2 at 300 km")


def test_days_concatenated_take_the_first_day(tmp_path):
    """Files of several days, given in any order: the position is the first day's, the same
    as a Dataset of that day alone, and it survives NetCDF."""
    files = sorted(datasets.sample_path("norstar_rio-gill").glob("*k0*"))
    assert len(files) > 1
    whole = geospacexr.open_riometer(files[::-1])
    first = geospacexr.open_riometer(files[0])
    later = geospacexr.open_riometer(files[-1])
    day = str(whole["time"].values.min())[:10]
    assert whole.attrs["site_magnetic_model"].endswith(day)
    assert whole.attrs["site_mlat"] == first.attrs["site_mlat"]
    assert later.attrs["site_magnetic_model"] != whole.attrs["site_magnetic_model"]
    whole.to_netcdf(tmp_path / "rio.nc")
    with xr.open_dataset(tmp_path / "rio.nc") as back:
        assert back.attrs["site_mlat"] == whole.attrs["site_mlat"]
        assert back.attrs["site_magnetic_model"] == whole.attrs["site_magnetic_model"]


@pytest.mark.parametrize(
    ("lat", "lon", "when"),
    [
        (56.38, -94.64, "2014-03-08"),  # Gillam
        (54.62, -113.35, "2012-07-01T12:00"),  # Meanook
        (-69.0, 39.6, "2011-01-01"),  # Syowa: the southern hemisphere
        (78.9, 11.9, "2014-12-31T23:00"),  # Ny-Alesund, near the pole
    ],
)
def test_dipole_fallback_is_the_closed_form(no_aacgm, lat, lon, when):
    """Without aacgmv2: the centred dipole of the date, equal to the closed form, and named."""
    found = magnetic_position(lat, lon, when)
    mlat, mlon = dipole_closed_form(lat, lon, np.datetime64(when, "ns"))
    assert found["site_mlat"] == pytest.approx(mlat, abs=1e-8)
    assert (found["site_mlon"] - mlon + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=1e-8)
    assert found["site_magnetic_model"] == f"centred dipole (IGRF-14), {when[:10]}"


def test_dipole_fallback_in_the_reader(no_aacgm):
    ds = geospacexr.open_riometer(sorted(datasets.sample_path("norstar_rio-gill").glob("*k0*")))
    assert ds.attrs["site_magnetic_model"] == "centred dipole (IGRF-14), 2014-03-08"
    mlat, _ = dipole_closed_form(56.38, -94.64, ds["time"].values.min())
    assert ds.attrs["site_mlat"] == pytest.approx(mlat, abs=1e-8)


def test_aacgm_and_dipole_agree_to_a_few_degrees():
    pytest.importorskip("aacgmv2")
    aacgm = magnetic_position(56.38, -94.64, "2014-03-08")
    mlat, _ = dipole_closed_form(56.38, -94.64, np.datetime64("2014-03-08", "ns"))
    assert 0.5 < abs(aacgm["site_mlat"] - mlat) < 5.0  # AACGM is not the dipole


def test_unknown_position_or_time_or_date_beyond_the_models(no_aacgm):
    assert magnetic_position(float("nan"), 0.0, "2014-03-08") == {}
    assert magnetic_position(56.0, float("nan"), "2014-03-08") == {}
    assert magnetic_position(56.0, -94.0, np.datetime64("NaT")) == {}
    assert magnetic_position(56.0, -94.0, "not a time") == {}
    assert magnetic_position(56.0, -94.0, "2031-01-01") == {}  # beyond IGRF-14 too


def test_outside_the_models_span_nothing_even_with_aacgmv2():
    """aacgmv2 extrapolates before 1900 without a word: refused, as IGRF-14 refuses it."""
    from geospacexr.rb.igrf import VALID_FROM, VALID_UNTIL

    assert position.MODEL_SPAN == (VALID_FROM, VALID_UNTIL)
    assert magnetic_position(56.0, -94.0, "1899-12-31") == {}
    assert magnetic_position(56.0, -94.0, "2030-01-02") == {}
    assert magnetic_position(56.0, -94.0, "1900-01-01")["site_mlat"] > 60.0


def test_the_completion_is_registered_and_a_failure_keeps_the_data(monkeypatch):
    assert "site magnetic position" in list_completions()

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(position, "magnetic_position", broken)
    path = sorted(datasets.sample_path("norstar_rio-gill").glob("*k0*"))[0]
    with pytest.warns(DataWarning, match=r"completion 'site magnetic position' skipped"):
        ds = geospacexr.open_riometer(path)
    assert "site_mlat" not in ds.attrs and ds["raw_signal"].size > 0
