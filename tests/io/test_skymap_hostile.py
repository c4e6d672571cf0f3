"""Skymap and calibration readers on hostile files: every defect is refused at open.

Each case rewrites the sample file (read with scipy, changed, written with our IDL writer) in
``tmp_path``. A skymap whose validity date is not a date used to open and fail later in the
keogram with a bare ``ValueError``; now it and every other type or shape error is a
``FileFormatError`` at open that names the file and the field.
"""

import re
import shutil

import numpy as np
import pytest
import scipy.io

import geospacexr
from geospacexr import datasets
from geospacexr.errors import FileFormatError
from geospacexr.io.idlsav import IdlStruct, write_sav

SKYMAP = "themis_skymap_gill_20140101-+_v02.sav"
ESCAPED = re.escape(SKYMAP)


def _struct(rec):
    return IdlStruct(
        {
            n: (_struct(rec[n][0]) if isinstance(rec[n], np.recarray) else rec[n])
            for n in rec.dtype.names
        }
    )


@pytest.fixture
def skymap_fields():
    raw = scipy.io.readsav(str(datasets.sample_path("themis-gill-skymap")))["skymap"][0]
    return _struct(raw)


def _write(tmp_path, fields):
    path = tmp_path / SKYMAP
    write_sav(path, {"skymap": fields})
    return path


def test_the_rewritten_sample_opens(tmp_path, skymap_fields):
    sky = geospacexr.open_skymap(_write(tmp_path, skymap_fields))
    assert sky.attrs["valid_start"].startswith("2014-01-01") and sky.attrs["valid_end"] == ""


@pytest.mark.parametrize("value", [b"2014139902", b"yesterday", b"20140101-+", b"1"])
def test_validity_start_that_is_not_a_date(tmp_path, skymap_fields, value):
    skymap_fields.fields["GENERATION_INFO"].fields["VALID_INTERVAL_START"] = value
    with pytest.raises(FileFormatError, match=rf"{ESCAPED}.*VALID_INTERVAL_START is .*not a date"):
        geospacexr.open_skymap(_write(tmp_path, skymap_fields))


@pytest.mark.parametrize("value", [b"1970010100", b"2199010100"])
def test_validity_start_outside_the_instruments_life_is_refused(tmp_path, skymap_fields, value):
    """A zeroed clock (1970) or a flipped digit (2199): real dates, but not for this imager.

    (2262-12-31, beyond datetime64[ns], is refused as "not a date" by the test above's rule.)
    """
    skymap_fields.fields["GENERATION_INFO"].fields["VALID_INTERVAL_START"] = value
    with pytest.raises(FileFormatError, match=rf"{ESCAPED}.*VALID_INTERVAL_START .*plausible"):
        geospacexr.open_skymap(_write(tmp_path, skymap_fields))


def test_validity_that_ends_before_it_starts(tmp_path, skymap_fields):
    skymap_fields.fields["GENERATION_INFO"].fields["VALID_INTERVAL_STOP"] = b"2013010100"
    with pytest.raises(FileFormatError, match="ends .* before it starts"):
        geospacexr.open_skymap(_write(tmp_path, skymap_fields))


def test_keogram_works_on_every_skymap_that_opens(tmp_path, skymap_fields):
    """The outside fuzzer's case: opened fine, failed in the keogram. Now both ends agree."""
    skymap_fields.fields["GENERATION_INFO"].fields["VALID_INTERVAL_STOP"] = b"+"
    sky = geospacexr.open_skymap(_write(tmp_path, skymap_fields))
    images = datasets.open_sample("themis-gill")
    keo = images.asi.keogram(sky)
    assert keo.sizes["time"] == images.sizes["time"]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("SITE_MAP_LATITUDE", b"56.4", "SITE_MAP_LATITUDE must be one number"),
        ("SITE_MAP_LATITUDE", np.float32(123.0), r"SITE_MAP_LATITUDE is 123.0, outside"),
        ("SITE_MAP_LONGITUDE", np.float32(np.nan), "SITE_MAP_LONGITUDE is nan, outside"),
        ("SITE_MAP_ALTITUDE", np.array([1.0, 2.0], dtype=np.float32), "must be one number"),
        ("SITE_UID", np.int16(3), "SITE_UID must be text"),
        ("FULL_MAP_ALTITUDE", np.array([-5.0, 110e3], dtype=np.float32), "FULL_MAP_ALTITUDE"),
        ("FULL_ELEVATION", np.ones(7, dtype=np.float32), r"FULL_ELEVATION has shape \(7,\)"),
        ("FULL_AZIMUTH", b"north", "FULL_AZIMUTH holds .* values, expected numbers"),
    ],
)
def test_fields_of_the_wrong_type_shape_or_range(tmp_path, skymap_fields, key, value, message):
    skymap_fields.fields[key] = value
    with pytest.raises(FileFormatError, match=rf"{ESCAPED}: malformed SKYMAP.*{message}"):
        geospacexr.open_skymap(_write(tmp_path, skymap_fields))


def test_latitudes_beyond_the_pole(tmp_path, skymap_fields):
    lat = np.array(skymap_fields.fields["FULL_MAP_LATITUDE"], dtype=np.float32)
    lat[1, 3, 3] = 400.0
    skymap_fields.fields["FULL_MAP_LATITUDE"] = lat
    with pytest.raises(FileFormatError, match=r"FULL_MAP_LATITUDE holds 1 value\(s\) outside"):
        geospacexr.open_skymap(_write(tmp_path, skymap_fields))


def test_generation_info_that_is_not_a_structure(tmp_path, skymap_fields):
    skymap_fields.fields["GENERATION_INFO"] = np.arange(3, dtype=np.int16)
    with pytest.raises(FileFormatError, match=f"{ESCAPED}: malformed SKYMAP"):
        geospacexr.open_skymap(_write(tmp_path, skymap_fields))


# calibration files


@pytest.fixture
def calibration(tmp_path):
    folder = datasets.sample_path("rego-calibration")
    return {
        kind: scipy.io.readsav(
            str(folder / f"REGO_{kind}_15651_20140101-+_v02.sav"), python_dict=True
        )
        for kind in ("Rayleighs", "flatfield")
    }


def test_calibration_dates_in_the_name(tmp_path, calibration):
    for name in (
        "REGO_Rayleighs_15651_20141399-+_v02.sav",
        "REGO_Rayleighs_15651_20140101-20130101_v02.sav",
    ):
        write_sav(tmp_path / name, calibration["Rayleighs"])
        with pytest.raises(FileFormatError, match=rf"{re.escape(name)}: the name's validity"):
            geospacexr.open_calibration(tmp_path / name)


@pytest.mark.parametrize("day", ["19700101", "21990101"])
def test_calibration_valid_from_an_implausible_date_is_refused(tmp_path, calibration, day):
    name = f"REGO_Rayleighs_15651_{day}-+_v02.sav"
    write_sav(tmp_path / name, calibration["Rayleighs"])
    expected = rf"{re.escape(name)}: the name's validity start.*rego"
    with pytest.raises(FileFormatError, match=expected):
        geospacexr.open_calibration(tmp_path / name)


def test_calibration_factor_of_text_or_many_values(tmp_path, calibration):
    name = tmp_path / "REGO_Rayleighs_15651_20140101-+_v02.sav"
    write_sav(name, {"rper_dnpersecond_15651": b"5.2"})
    with pytest.raises(FileFormatError, match="rper_dnpersecond_15651 is not numeric"):
        geospacexr.open_calibration(name)
    write_sav(name, {"rper_dnpersecond_15651": np.array([5.2, 6.0])})
    with pytest.raises(FileFormatError, match=r"must be one number, found shape \(2,\)"):
        geospacexr.open_calibration(name)


def test_flat_field_of_text_or_the_wrong_shape(tmp_path, calibration):
    name = tmp_path / "REGO_flatfield_15651_20140101-+_v02.sav"
    key = next(k for k in calibration["flatfield"] if k.startswith("flat_field_multiplier"))
    write_sav(name, {key: b"flat"})
    with pytest.raises(FileFormatError, match=f"{key} is not numeric"):
        geospacexr.open_calibration(name)
    write_sav(name, {key: np.ones(5)})
    with pytest.raises(FileFormatError, match="expected an image"):
        geospacexr.open_calibration(name)


def test_intact_calibration_files_still_open(tmp_path, shared_data):
    name = "REGO_Rayleighs_15651_20210908-+_v02.sav"
    shutil.copyfile(shared_data / "asi" / name, tmp_path / name)
    cal = geospacexr.open_calibration(tmp_path / name)
    assert cal.attrs["valid_start"] == "2021-09-08T00:00:00" and cal.rayleighs_per_dn_per_s > 0
