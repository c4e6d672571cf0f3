"""Qin-Denton files and Tsyganenko's yearly TS05 input files.

The Qin-Denton fixture follows the header listing of a published hourly file
(``QinDenton_20120901_hour.txt`` as distributed by RBSP-ECT, kept in SpacePy's tests): the
same JSON entries, START_COLUMNs, DIMENSIONs and ELEMENT_NAMES, and records of the same
44 words and widths (the numbers are ours). The yearly fixture follows Tsyganenko's
``Data_format`` (Fortran ``2I4,2I3,3F8.2,3F8.1,F7.2,F9.0,F7.1,2(3X,I2),F8.4,7F7.2``).
"""

import json
import warnings

import numpy as np
import pytest

import geospacexr
from geospacexr import datasets, rb
from geospacexr.errors import DataWarning, FileFormatError
from geospacexr.io.qindenton import read_qindenton_file


def _entry(name, column, units=None, elements=None):
    lines = [f'#  "{name}":   {{ "DESCRIPTION": "{name}.",', f'#     "NAME": "{name}",']
    if elements:
        lines.append(f'#     "DIMENSION": [ {len(elements)} ],')
        lines.append(f'#     "START_COLUMN": {column},')
        names = ", ".join(f'"{e}"' for e in elements)
        lines.append(f'#     "ELEMENT_NAMES": [ {names} ] }},')
    else:
        lines.append(f'#     "START_COLUMN": {column},')
        lines.append(f'#     "UNITS": "{units}" }},')
    return [*lines, "#"]


def _header(speed="Vsw"):
    lines = ['# {', '#  "OriginFile": { "DESCRIPTION": "ViRBO origin file for Qin-Denton data",',
             '#     "NAME": "OriginFile", "VALUES": [""]},', "#"]  # fmt: skip
    scalars = [("DateTime", "UTC"), ("Year", "Years"), ("Month", "Months"), ("Day", "Days"),
               ("Hour", "Hours"), ("Minute", "Minutes"), ("Second", "Seconds"),
               ("ByIMF", "nT"), ("BzIMF", "nT"), (speed, "km/s"), ("Den_P", "cm^-3"),
               ("Pdyn", "nPa")]  # fmt: skip
    for k, (name, units) in enumerate(scalars):
        lines += _entry(name, k, units)
    lines += _entry("G", 12, elements=["G1", "G2", "G3"])
    for k, name in enumerate(["ByIMF", "BzIMF", speed, "Den_P", "Pdyn"]):
        lines += _entry(f"{name}_status", 15 + k, "dimless")
    lines += _entry("G_status", 20, elements=["G1_status", "G2_status", "G3_status"])
    lines += _entry("Kp", 23, "dimless") + _entry("akp3", 24, "dimless") + _entry("Dst", 25, "nT")
    lines += _entry("Bz", 26, elements=[f"Bz{i}" for i in range(1, 7)])
    lines += _entry("W", 32, elements=[f"W{i}" for i in range(1, 7)])
    last = _entry("W_status", 38, elements=[f"W{i}_status" for i in range(1, 7)])
    last[-2] = last[-2].rstrip(",")  # the last entry has no comma
    return "\n".join(lines + last + ["# } End JSON"]) + "\n"


def _record(hour, by, bz, v, n, p, w, status=2, day="2012-09-01", dst=14, kp=1.7):
    y, m, d = (int(x) for x in day.split("-"))
    ws = "  ".join(f"{x:5.3f}" for x in w)
    bzs = "  ".join(f"{bz:5.2f}" for _ in range(6))
    return (
        f"{day}T{hour:02d}:00:00 {y}{m:4d}{d:3d}{hour:3d}  0 00 {by:7.2f} {bz:6.2f} {v:6.1f} "
        f"{n:7.2f} {p:6.2f}    0.70   2.97   1.64  2 2 {status} 2 2 2 2 2 {kp:6.2f}  0.22 "
        f"{dst:5d}  {bzs}   {ws}  2 2 2 2 2 2"
    )


RECORDS = [
    _record(0, -0.40, -2.00, 304.0, 5.80, 1.01, [0.276, 0.512, 0.029, 0.204, 0.380, 0.414]),
    _record(1, -1.30, -3.00, 317.0, 9.60, 1.80, [0.397, 0.704, 0.040, 0.328, 0.545, 0.762], 1),
    _record(2, -2.20, -2.70, 321.0, 13.0, 2.46, [0.524, 0.894, 0.053, 0.450, 0.686, 1.294]),
]


def _write(tmp_path, records=RECORDS, name="QinDenton_20120901_hour.txt", speed="Vsw"):
    path = tmp_path / name
    path.write_text(_header(speed) + "\n".join(records) + "\n")
    return path


def test_qindenton_file_reads_by_its_header(tmp_path):
    path = _write(tmp_path)
    assert len(RECORDS[0].split()) == 44
    json.loads(  # the fixture's header is JSON once the '#' are stripped
        "\n".join(line[1:] for line in _header().splitlines()).rsplit("End JSON", 1)[0]
    )
    ds = geospacexr.open_qindenton(path)
    assert ds.attrs["geospacexr_kind"] == "omni" and ds.attrs["layout"] == "qindenton-hour"
    assert ds.attrs["cadence_s"] == 3600
    np.testing.assert_array_equal(
        ds.time.values, np.array(["2012-09-01T00", "2012-09-01T01", "2012-09-01T02"], "M8[ns]")
    )
    np.testing.assert_allclose(ds.W6.values, [0.414, 0.762, 1.294])
    np.testing.assert_allclose(ds.W1.values, [0.276, 0.397, 0.524])
    np.testing.assert_allclose(ds.By_GSM.values, [-0.40, -1.30, -2.20])
    np.testing.assert_allclose(ds.flow_speed.values, [304.0, 317.0, 321.0])
    np.testing.assert_allclose(ds.G3.values, [1.64] * 3)
    np.testing.assert_allclose(ds.Bz6.values, [-2.0, -3.0, -2.7])
    assert list(ds.flow_speed_status.values) == [2, 1, 2] and (ds.Bz_GSM_status == 2).all()
    assert ds.Dst.attrs["units"] == "nT" and ds.W1.attrs["source_name"] == "W1"
    assert ds.Kp.values[0] == pytest.approx(1.7)
    # the registry recognises it (name and content)
    assert geospacexr.open(path).attrs["layout"] == "qindenton-hour"
    # the older header spelling of the speed
    (tmp_path / "old").mkdir()
    old = _write(tmp_path / "old", name="QinDenton_20120901_1min.txt", speed="V_SW")
    part = read_qindenton_file(old)
    assert part["cadence_s"] == 60 and part["words"]["flow_speed"] == "V_SW"


def test_damaged_records_are_reported_and_skipped(tmp_path):
    records = [*RECORDS]
    records.insert(1, RECORDS[1].rsplit(" ", 3)[0])  # a record cut short
    records.append(_record(4, 1.0, 1.0, 400.0, 5.0, 2.0, [0.1] * 6, day="2012-09-02"))
    records.append(RECORDS[2].replace("2012   9  1  2", "2012  13  1  2"))  # month 13
    path = _write(tmp_path, records)
    with pytest.warns(DataWarning, match="1 damaged record.*outside the file's period") as rec:
        ds = geospacexr.open_qindenton(path)
    assert ds.time.size == 3
    assert "impossible date" in str(rec[0].message)
    assert json.loads(ds.attrs["problematic_files"])[0]["file"] == path.name


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("2012-09-01T00:00:00 2012 9 1 0 0 0 1 2 3\n", "no JSON header"),
        ("# { not json\n# } End JSON\n", "not valid JSON"),
        ('# { "Year": { "START_COLUMN": -3 } }\n', "START_COLUMN"),
        ('# { "W": { "START_COLUMN": 2, "DIMENSION": [ 6 ] } }\n', "ELEMENT_NAMES"),
        ('# { "Year": { "START_COLUMN": 1 } }\n', "no Month"),
    ],
)
def test_bad_headers_are_clear_errors(tmp_path, text, match):
    path = tmp_path / "QinDenton_20120901_hour.txt"
    path.write_text(text)
    with pytest.raises(FileFormatError, match=match):
        geospacexr.open_qindenton(path)


def test_no_record_or_binary_is_a_clear_error(tmp_path):
    with pytest.raises(FileFormatError, match="no readable Qin-Denton record"):
        geospacexr.open_qindenton(_write(tmp_path, records=[]))
    binary = tmp_path / "QinDenton_20120902_hour.txt"
    binary.write_bytes(b"# {\0\0\0" * 10)
    with pytest.raises(FileFormatError, match="binary"):
        geospacexr.open_qindenton(binary)


def _yearly(year, doy, hour, minute, bz, flags=(1, 1), w=(1.0, 2.0, 3.0, 4.0, 5.0, 6.0)):
    """One record in Tsyganenko's Fortran format."""
    return (
        f"{year:4d}{doy:4d}{hour:3d}{minute:3d}{2.1:8.2f}{-3.5:8.2f}{bz:8.2f}"
        f"{-450.0:8.1f}{12.0:8.1f}{-5.0:8.1f}{6.25:7.2f}{91000:8d}.{-23.0:7.1f}"
        f"   {flags[0]:2d}   {flags[1]:2d}{-0.2531:8.4f}{2.43:7.2f}"
        + "".join(f"{x:7.2f}" for x in w)
    )


def test_tsyganenko_yearly_file(tmp_path):
    lines = [
        _yearly(2004, 313, 0, 0, -4.25),
        _yearly(2004, 313, 0, 5, -6.0, flags=(2, 1)),
        _yearly(2004, 313, 0, 10, 999.99, flags=(-1, 1), w=(0, 0, 0, 0, 0, 0)),
        _yearly(2005, 1, 0, 0, 1.0),  # another year: reported
    ]
    assert all(len(line.split()) == 23 for line in lines)
    path = tmp_path / "2004_OMNI_5m_with_TS05_variables.dat"
    path.write_text("\n".join(lines) + "\n")
    with pytest.warns(DataWarning, match="outside the file's period"):
        ds = geospacexr.open(path)
    assert ds.attrs["layout"] == "ts05-yearly-5min" and ds.attrs["cadence_s"] == 300
    assert ds.time.values[0] == np.datetime64("2004-11-08T00:00")
    np.testing.assert_allclose(ds.Bz_GSM.values[:2], [-4.25, -6.0])
    assert np.isnan(ds.Bz_GSM.values[2]) and np.isnan(ds.W1.values[2])
    np.testing.assert_allclose(ds.W6.values[:2], [6.0, 6.0])
    np.testing.assert_allclose(ds.dipole_tilt.values[0], np.degrees(-0.2531))
    np.testing.assert_allclose(ds.flow_speed.values[0], np.sqrt(450**2 + 12**2 + 5**2))
    assert list(ds.IMF_flag.values) == [1, 2, -1]
    assert ds.SYM_H.values[0] == -23.0 and ds.Pdyn.values[0] == 2.43
    with pytest.raises(FileFormatError, match="23 words"):
        geospacexr.open_ts05_yearly(_write(tmp_path))


def test_sample_drives_ts05_and_matches_the_w_computation():
    qd = datasets.open_sample("qindenton-5min")
    assert qd.attrs["layout"] == "qindenton-5min" and qd.time.size == 288
    assert {f"W{i}" for i in range(1, 7)} | {"G1", "G2", "G3", "Kp", "Dst"} <= set(qd.data_vars)
    assert (qd.G1 >= 0).all()
    assert float(qd.W4.max()) > 5  # the storm's partial ring current
    times = np.array(["2015-03-17T15:31", "2015-03-17T10:33"], "datetime64[ns]")
    p = rb.particles(x=[-4.5, -4.5], y=[0.5, 0.0], z=0, pitch_angle=60, time=times, frame="GSM")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        out = rb.K(p, "ts05", drivers=qd, accuracy="fast")
        for i in range(2):
            rec = qd.sel(time=times[i], method="ffill")
            pars = {"pdyn": float(rec.Pdyn), "dst": float(rec.Dst), "by": float(rec.By_GSM),
                    "bz": float(rec.Bz_GSM),
                    **{f"w{k}": float(rec[f"W{k}"]) for k in range(1, 7)}}  # fmt: skip
            one = rb.K(p.isel(particle=[i]), rb.models.get("ts05", **pars), accuracy="fast")
            assert out.K.values[i] == one.K.values[0] and out.Lm.values[i] == one.Lm.values[0]
    assert out.attrs["drivers_sources"].startswith("pdyn: Pdyn; dst: Dst")


def test_a_damaged_header_on_published_records_falls_back_to_the_published_layout(tmp_path):
    good = geospacexr.open_qindenton(_write(tmp_path))
    path = tmp_path / "broken" / "QinDenton_20120901_hour.txt"
    path.parent.mkdir()
    path.write_text(_header().replace('"START_COLUMN": 32', '"START_COLUMN": "x"', 1)
                    + "\n".join(RECORDS) + "\n")  # fmt: skip
    with pytest.warns(DataWarning, match="published 44-word Qin-Denton layout"):
        ds = geospacexr.open_qindenton(path)
    for name in ("W1", "W6", "By_GSM", "Dst", "G2", "Bz3", "flow_speed_status"):
        np.testing.assert_array_equal(ds[name].values, good[name].values)
    # records of another width: the damaged header is the error
    path.write_text("# { broken\n# } End JSON\n2012-09-01T00:00:00 2012 9 1 0 0 0 1.0\n")
    with pytest.raises(FileFormatError, match="not valid JSON"):
        geospacexr.open_qindenton(path)
