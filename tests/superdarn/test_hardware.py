"""Radar hardware: the shipped SuperDARN/hdw files, the parser, the registry, lookups in time."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import geospacexr
from geospacexr.errors import (
    FileFormatError,
    InvalidArgumentError,
    OutOfRangeError,
    UnknownNameError,
    WrongKindError,
)
from geospacexr.superdarn import hardware as hw

HDW = Path(geospacexr.__file__).parent / "data" / "superdarn_hdw"
LINE = (
    "   5  1 19930929 00:00:00  52.16    -106.53     494.0   23.1  0.00  3.24  1  1 -0.158  0.000"
    "    0.0 -100.0   0.0  100.0  10 2  75 16"
)


def test_every_shipped_file_is_a_radar():
    files = sorted(p.name for p in HDW.glob("hdw.dat.*"))
    assert len(files) == 49
    assert hw.list_radars() == sorted(f.split(".")[-1] for f in files)
    ids = [hw.radar(name).station_id for name in hw.list_radars()]
    assert len(set(ids)) == len(ids)
    for name in hw.list_radars():
        r = hw.radar(name)
        starts = [rec.valid_from for rec in r.records]
        assert starts == sorted(starts) and all(rec.station_id == r.station_id for rec in r.records)
        assert [rec.valid_to for rec in r.records[:-1]] == starts[1:]
        assert r.records[-1].valid_to is None
        assert all(rec.max_beams >= 1 and rec.max_gates >= 1 for rec in r.records)


def test_the_credit_is_shipped_with_the_files():
    readme = (HDW / "README.md").read_text(encoding="utf-8")
    assert "SuperDARN/hdw" in readme and "a16657fd2189c2c669197bf99903f018386ac0c1" in readme
    assert "Licence" in readme and "Data Standards Working Group" in readme
    assert (HDW / "README_hdw.txt").read_text().startswith("Each radar has a distinct set")


def test_saskatoon_and_its_changes_over_time():
    sas = hw.radar("sas")
    assert sas.name == "Saskatoon" and sas.station_id == 5 and sas.hemisphere == "north"
    assert hw.radar(5) is sas and hw.radar("SAS") is sas and hw.radar("5") is sas
    first = hw.hardware("sas", "1994-01-01")
    assert (first.lat, first.lon, first.altitude_m) == (52.16, -106.53, 494.0)
    assert first.boresight == 23.1
    assert (first.beam_separation, first.max_beams, first.max_gates, first.rx_rise_time) == (
        3.24, 16, 75, 100.0,
    )  # fmt: skip
    assert first.tdiff_a == -0.158 and first.interferometer_y == -100.0
    # Borealis (2018-12-20) used 3.5 degrees between beams until 2022-02-01
    assert hw.hardware(5, "2019-06-01").beam_separation == 3.5
    assert hw.hardware(5, "2018-12-20T16:10:59").beam_separation == 3.24
    assert hw.hardware(5, "2018-12-20T16:11:00").beam_separation == 3.5
    assert hw.hardware(5, "2022-02-01T18:00").beam_separation == 3.24
    assert hw.hardware(5).valid_from == np.datetime64("2022-02-01T18:00:00")
    assert hw.hardware(5, "1997-01-01").max_gates == 225
    with pytest.raises(OutOfRangeError, match="no hardware before 1993-09-29"):
        hw.hardware("sas", "1990-01-01")


def test_southern_radars_and_names_with_commas():
    assert hw.radar("hal").hemisphere == "south" and hw.radar("hal").records[-1].lat < 0
    assert hw.radar("lyr").name == "Longyearbyen, Svalbard"
    assert hw.radar("han").name == "Hankasalmi" and hw.radar(10).abbreviation == "han"


def test_unknown_radars_are_unknown_name_errors():
    with pytest.raises(UnknownNameError, match="did you mean 'sas'") as info:
        hw.radar("sasx")
    assert isinstance(info.value, KeyError) and "sas" in info.value.candidates
    with pytest.raises(UnknownNameError, match="unknown SuperDARN station id 999.*5 sas"):
        hw.radar(999)
    with pytest.raises(InvalidArgumentError):
        hw.radar(True)


def test_listing_details():
    rows = hw.list_radars(details=True)
    assert [r["name"] for r in rows] == hw.list_radars()
    sas = next(r for r in rows if r["name"] == "sas")
    assert sas["station_id"] == 5 and sas["full_name"] == "Saskatoon" and sas["changes"] == 4
    assert "Saskatoon (stid 5)" in sas["description"] and sas["beams"] == 16


@pytest.mark.parametrize(
    "text, message",
    [
        (LINE.rsplit(" ", 1)[0], "line 2: 21 values, a hardware line has 22"),
        (LINE.replace("19930929", "19931329"), "line 2: 19931329 00:00:00 is not a date"),
        (LINE.replace("52.16", "north"), "line 2: lat is 'north', not a number"),
        (LINE.replace(" 75 16", " 75 1.5"), "max_beams is '1.5', not an integer"),
        (LINE.replace("52.16", "95.0"), "latitude 95.0 / longitude -106.53 out of range"),
        (LINE + "\n" + LINE.replace("   5  1", "   6  1"), "different station ids \\[5, 6\\]"),
        (LINE + "\n" + LINE, "line 3: valid from 1993-09-29T00:00:00, not after"),
        ("# only a comment", "no hardware line"),
        (LINE.replace(" 100.0 ", " nan "), "rx_rise_time is 'nan'"),
    ],
)
def test_parse_errors_name_the_file_and_line(text, message):
    with pytest.raises(FileFormatError, match=message) as info:
        hw.parse_hdw("# Hardware parameters for Test radar.\n" + text, source="hdw.dat.xyz")
    assert str(info.value).startswith("hdw.dat.xyz: ")


def test_parse_and_read_a_file(tmp_path):
    path = tmp_path / "hdw.dat.xyz"
    path.write_text("#  Hardware parameters for Somewhere radar.\n" + LINE + "\n# EOF\n")
    r = hw.read_hdw(path)
    assert (r.abbreviation, r.name, r.station_id, len(r.records)) == ("xyz", "Somewhere", 5, 1)
    with pytest.raises(InvalidArgumentError, match="abbreviation"):
        hw.parse_hdw(LINE, source="radar.txt")
    assert hw.parse_hdw(LINE, abbreviation="ABC").abbreviation == "abc"
    with pytest.raises(FileFormatError, match="cannot read"):
        hw.read_hdw(tmp_path / "hdw.dat.none")
    (tmp_path / "hdw.dat.bin").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(FileFormatError, match="cannot read"):
        hw.read_hdw(tmp_path / "hdw.dat.bin")


def test_register_a_radar():
    new = hw.parse_hdw(LINE.replace("   5  1", " 777  1"), abbreviation="zzz")
    try:
        assert hw.register_radar(new) is new
        assert hw.radar(777) is new and "zzz" in hw.list_radars()
        with pytest.raises(InvalidArgumentError, match="already registered"):
            hw.register_radar(hw.parse_hdw(LINE.replace("   5  1", " 778  1"), abbreviation="zzz"))
        with pytest.raises(InvalidArgumentError, match="station id 5 is already radar 'sas'"):
            hw.register_radar(hw.parse_hdw(LINE, abbreviation="yyy"))
        moved = hw.parse_hdw(LINE.replace("   5  1", " 778  1"), abbreviation="zzz")
        hw.register_radar(moved, replace=True)
        assert hw.radar(778) is moved
        with pytest.raises(UnknownNameError):
            hw.radar(777)
    finally:
        if "zzz" in hw.list_radars():
            hw._RADARS.remove("zzz")
        hw._BY_ID.pop(777, None)
        hw._BY_ID.pop(778, None)
    assert "zzz" not in hw.list_radars()


def test_the_hardware_explains_every_records_beam_azimuth(superdarn_data):
    """bmazm = separation * (bmnum - centre) off the boresight (+ boresight + shift for RST's
    control programs; Borealis, Inuvik's 2022 file, writes the angle off the boresight)."""
    cases = (("pydarn/test.fitacf.bz2", 10, 100.0, True), ("darn-dmap/test.fitacf", 64, 0.0, False))
    for name, stid, rxrise, absolute in cases:
        ds = geospacexr.open_superdarn(superdarn_data / name)
        rec = ds.superdarn.radar_hardware()
        assert rec.station_id == stid and rec.rx_rise_time == rxrise
        expected = rec.beam_separation * (ds.bmnum.values - (rec.max_beams / 2 - 0.5))
        if absolute:
            expected = expected + rec.boresight + rec.boresight_shift
        np.testing.assert_allclose(ds.bmazm.values, expected, atol=1e-4)


def test_station_of_needs_one_station():
    ds = xr.Dataset(
        {"stid": ("time", np.array([5, 10], np.int16))},
        coords={"time": np.array(["2019-01-01", "2019-01-02"], "datetime64[ns]")},
        attrs={"geospacexr_kind": "superdarn"},
    )
    with pytest.raises(InvalidArgumentError, match="records of 2 radars"):
        hw.radar_hardware(ds)
    assert hw.radar_hardware(ds.isel(time=[1])).station_id == 10
    with pytest.raises(InvalidArgumentError, match="no station id"):
        hw.radar_hardware(ds.drop_vars("stid"))
    with pytest.raises(WrongKindError):
        hw.radar_hardware(xr.Dataset())


def test_hardware_record_as_dict_is_json_friendly():
    d = hw.hardware("sas", "2020-01-01").as_dict()
    assert d["valid_from"] == "2018-12-20T16:11:00" and d["valid_to"] == "2022-02-01T18:00:00"
    assert hashlib.sha256(repr(sorted(d.items())).encode()).hexdigest()  # every value printable
