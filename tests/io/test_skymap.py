import hashlib

import numpy as np
import pytest
import scipy.io

import geospacexr
from geospacexr import datasets
from geospacexr.errors import FileFormatError
from geospacexr.io.idlsav import IdlStruct, write_sav

REAL = "asi/themis_skymap_atha_20230115-+_v02.sav"
# pyucalgarysrs 1.28.0 read_skymap on the real file: sha256 of its arrays as little-endian float32
# (full_elevation, full_azimuth, full_map_latitude; longitudes compared after wrapping)
UCAL = {
    "elevation": "0ee063b1cd6da788246c993c9f9fcdcb84d7f5241040dcc65f8d1dabd98ebd42",
    "azimuth": "21f4faedc8bd930d7c738e507d431f7b2e0b1204f1b16645a54dc420fd35e4bc",
    "lat_corner": "89b5e061252634a1e3c2380ee093e51aee92bd03df25dc31cd56444cf78189ab",
}


def digest(a):
    return hashlib.sha256(np.ascontiguousarray(a).astype("<f4").tobytes()).hexdigest()


def test_real_skymap_matches_pyucalgarysrs(shared_data):
    sky = geospacexr.open_skymap(shared_data / REAL)
    assert sky.attrs["geospacexr_kind"] == "skymap"
    assert (
        sky.attrs["site"] == "atha"
        and sky.attrs["imager"] == "themis02"
        and sky.attrs["instrument"] == "themis"
    )
    assert sky.attrs["valid_start"] == "2023-01-15T02:00:00" and sky.attrs["valid_end"] == ""
    assert sky.attrs["site_lon"] == pytest.approx(246.35573 - 360, abs=1e-4)
    np.testing.assert_array_equal(sky.altitude.values, [90.0, 110.0, 150.0])
    for name, expected in UCAL.items():
        assert digest(sky[name].values) == expected, name
    lon = sky.lon_corner.values
    finite = lon[np.isfinite(lon)]
    assert finite.min() >= -180 and finite.max() < 180


def test_orientation_matches_the_raw_file(shared_data):
    raw = scipy.io.readsav(str(shared_data / REAL))["skymap"][0]
    sky = geospacexr.open_skymap(shared_data / REAL)
    np.testing.assert_array_equal(sky.elevation.values, raw["FULL_ELEVATION"][::-1])
    np.testing.assert_array_equal(sky.lat_corner.values, raw["FULL_MAP_LATITUDE"][:, ::-1])


def test_idl_writer_round_trips_the_real_files(shared_data, tmp_path):
    raw = scipy.io.readsav(str(shared_data / REAL))["skymap"][0]

    def to_struct(rec):
        return IdlStruct(
            {
                n: (to_struct(rec[n][0]) if isinstance(rec[n], np.recarray) else rec[n])
                for n in rec.dtype.names
            }
        )

    write_sav(tmp_path / "copy_skymap.sav", {"skymap": to_struct(raw)})
    a = geospacexr.open_skymap(shared_data / REAL)
    b = geospacexr.open_skymap(tmp_path / "copy_skymap.sav")
    for name in ("elevation", "azimuth", "lat_corner", "lon_corner"):
        np.testing.assert_array_equal(a[name].values, b[name].values)
    assert a.attrs["valid_start"] == b.attrs["valid_start"]
    cal = scipy.io.readsav(
        str(shared_data / "asi/REGO_Rayleighs_15651_20210908-+_v02.sav"), python_dict=True
    )
    write_sav(tmp_path / "cal.sav", cal)
    back = scipy.io.readsav(str(tmp_path / "cal.sav"), python_dict=True)
    assert set(back) == set(cal)
    for key in cal:
        assert np.asarray(back[key]).tolist() == np.asarray(cal[key]).tolist()


def test_writer_types(tmp_path):
    values = {
        "b": np.uint8(7),
        "i": np.int16(-3),
        "u": np.arange(5, dtype=np.uint16),
        "f": np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3),
        "d": np.float64(2.5),
        "s": "hello",
        "st": IdlStruct(
            {"A": np.int32(1), "B": np.arange(3.0)},
            rows=[{"A": np.int32(1), "B": np.arange(3.0)}, {"A": np.int32(2), "B": np.ones(3)}],
        ),
    }
    write_sav(tmp_path / "t.sav", values)
    back = scipy.io.readsav(str(tmp_path / "t.sav"), python_dict=True)
    assert back["b"] == 7 and back["i"] == -3 and back["d"] == 2.5 and back["s"] == b"hello"
    np.testing.assert_array_equal(back["u"], values["u"])
    np.testing.assert_array_equal(back["f"], values["f"])
    assert list(back["st"]["A"]) == [1, 2]
    np.testing.assert_array_equal(back["st"]["B"][1], np.ones(3))


def test_bad_files(tmp_path):
    (tmp_path / "x_skymap.sav").write_bytes(b"SR\x00\x04garbage")
    with pytest.raises(FileFormatError, match="x_skymap.sav"):
        geospacexr.open_skymap(tmp_path / "x_skymap.sav")
    write_sav(tmp_path / "other_skymap.sav", {"calibration": np.float64(1.0)})
    with pytest.raises(FileFormatError, match="no SKYMAP"):
        geospacexr.open_skymap(tmp_path / "other_skymap.sav")
    write_sav(tmp_path / "partial_skymap.sav", {"skymap": IdlStruct({"SITE_UID": "gill"})})
    with pytest.raises(FileFormatError, match="lacks"):
        geospacexr.open_skymap(tmp_path / "partial_skymap.sav")


def test_sample_skymap_is_found_by_the_registry():
    path = datasets.sample_path("themis-gill-skymap")
    assert path.name == "themis_skymap_gill_20140101-+_v02.sav"
    sky = geospacexr.open(path)
    assert sky.attrs["geospacexr_kind"] == "skymap" and sky.attrs["site"] == "gill"
