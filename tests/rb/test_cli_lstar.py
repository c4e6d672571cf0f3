"""``geospacexr rb lstar POSITIONS --model --drivers OMNI -o out.nc``."""

import warnings

import numpy as np
import pytest
import xarray as xr

from geospacexr import datasets, rb
from geospacexr.cli import main, read_positions
from geospacexr.errors import DataWarning


@pytest.fixture(scope="module")
def omni_file():
    return str(datasets.sample_path("omni-hourly"))


def _csv(tmp_path, text, name="pos.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_lstar_command_equals_the_api(tmp_path, omni_file, capsys):
    pos = _csv(
        tmp_path, "# a comment\ntime,x,y,z\n2015-03-16T12:30,-5,0,0\n2015-03-18T06:10,-5,1,0\n"
    )
    out = tmp_path / "out.nc"
    argv = ["rb", "lstar", pos, "--drivers", omni_file, "--accuracy", "fast",
            "--pitch-angle", "90", "60", "-o", str(out)]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        assert main(argv) == 0
    assert "4 particles" in capsys.readouterr().out
    with xr.open_dataset(out) as got:
        np.testing.assert_array_equal(got.row.values, [0, 0, 1, 1])
        np.testing.assert_array_equal(got.pitch_angle.values, [90, 60, 90, 60])
        p = rb.particles([-5, -5, -5, -5], [0, 0, 1, 1], 0, [90, 60, 90, 60], frame="GSM",
                         time=got.time.values)  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            api = rb.lstar(p, "t96", drivers=datasets.open_sample("omni-hourly"), accuracy="fast")
        np.testing.assert_array_equal(got.lstar.values, api.lstar.values)
        assert got.attrs["field_model"] == "t96" and got.attrs["positions_file"] == "pos.csv"


def test_lat_lon_alt_netcdf_positions_are_geo(tmp_path):
    ds = xr.Dataset(
        {"lat": ("n", [0.0, 45.0]), "lon": ("n", [90.0, 0.0]), "alt": ("n", [6371.2, 0.0])},
        coords={"time": ("n", np.array(["2015-03-16", "2015-03-16"], "datetime64[ns]"))},
    )
    ds.to_netcdf(tmp_path / "pos.nc")
    pos = read_positions(tmp_path / "pos.nc")
    assert pos.attrs["frame"] == "GEO"
    np.testing.assert_allclose(pos.x.values, [0.0, np.sqrt(0.5)], atol=1e-12)
    np.testing.assert_allclose(pos.y.values, [2.0, 0.0], atol=1e-12)


def test_fixed_parameters_without_drivers(tmp_path, capsys):
    pos = _csv(tmp_path, "time,x,y,z,pitch_angle\n2015-03-16T12:30,-5,0,0,80\n")
    argv = ["rb", "lstar", pos, "--model", "t89", "--param", "kp=2", "--accuracy", "fast",
            "-o", str(tmp_path / "o.nc")]  # fmt: skip
    assert main(argv) == 0
    with xr.open_dataset(tmp_path / "o.nc") as got:
        assert got.attrs["model_kp"] == 2 and got.pitch_angle.values[0] == 80


@pytest.mark.parametrize(
    "text, argv, status, message",
    [
        ("time,a,b\n2015-03-16,1,2\n", [], 1, "columns time and x, y, z"),
        ("time,x,y,z\nyesterday,1,2,3\n", [], 1, "not ISO 8601"),
        ("time,x,y,z\n2015-03-16,1,two,3\n", [], 1, "y: not numbers"),
        ("time,x,y,z\n2015-03-16,1,2\n", [], 1, "row 2 has 3 fields"),
        ("time,x,y,z\n", [], 1, "no position"),
        ("", [], 1, "empty positions file"),
        ("time,x,y,z,pitch_angle\n2015-03-16,-5,0,0,90\n", ["--pitch-angle", "45"], 2,
         "--pitch-angle"),
        ("time,x,y,z\n2015-03-16,-5,0,0\n", ["--model", "t69"], 1, "t89"),
        ("time,x,y,z\n2015-03-16,-5,0,0\n", ["--param", "kp"], 2, "NAME=NUMBER"),
        ("time,x,y,z\n2015-03-16,-5,0,0\n", ["--model", "t96"], 2,
         "T96 needs pdyn, dst, by, bz: give --drivers"),
        ("time,x,y,z\n2015-03-16,-5,0,0\n", ["--model", "ts05", "--drivers", "BAD"], 1,
         "no OMNI record"),
    ],
)  # fmt: skip
def test_bad_input_messages(tmp_path, omni_file, capsys, text, argv, status, message):
    pos = _csv(tmp_path, text)
    bad = _csv(tmp_path, "not a solar-wind file\n", "winds.txt")
    argv = [omni_file if a == "OMNI" else bad if a == "BAD" else a for a in argv]
    try:
        rc = main(["rb", "lstar", pos, "-o", str(tmp_path / "o.nc"), *argv])
    except SystemExit as exc:  # argparse's own usage errors
        rc = exc.code
    assert rc == status
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_output_must_be_netcdf(tmp_path, capsys):
    pos = _csv(tmp_path, "time,x,y,z\n2015-03-16,-5,0,0\n")
    assert main(["rb", "lstar", pos, "--param", "kp=1", "--model", "t89",
                 "-o", str(tmp_path / "o.png")]) == 2  # fmt: skip
    assert ".nc" in capsys.readouterr().err


def test_internal_field_with_drivers(tmp_path, omni_file, capsys):
    pos = _csv(tmp_path, "time,x,y,z\n2015-03-16T06:00,-5,0,0\n")
    argv = ["rb", "lstar", pos, "--drivers", omni_file, "--internal", "dipole",
            "--accuracy", "fast", "-o", str(tmp_path / "o.nc")]  # fmt: skip
    assert main(argv) == 0
    with xr.open_dataset(tmp_path / "o.nc") as got:
        assert got.attrs["internal_field"] == "dipole" and got.driver_pdyn.values[0] > 0


@pytest.mark.parametrize("sample", ["qindenton-5min", "omni-1min"])
def test_ts05_driven_by_w_files_or_by_w_computed_from_omni(tmp_path, capsys, sample):
    pos = _csv(tmp_path, "time,x,y,z\n2015-03-17T15:31,-4.5,0.5,0\n2015-03-17T10:33,-4.5,0,0\n")
    out = tmp_path / "out.nc"
    argv = ["rb", "lstar", pos, "--model", "ts05", "--drivers",
            str(datasets.sample_path(sample)), "--accuracy", "fast", "--pitch-angle", "60",
            "-o", str(out)]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        assert main(argv) == 0
        drivers = datasets.open_sample(sample)
        if sample == "omni-1min":
            drivers = rb.ts05_w(drivers)
    err = capsys.readouterr().err
    assert ("computing the TS05 W1..W6" in err) == (sample == "omni-1min")
    with xr.open_dataset(out) as got:
        p = rb.particles([-4.5, -4.5], [0.5, 0], 0, 60, frame="GSM", time=got.time.values)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            api = rb.lstar(p, "ts05", drivers=drivers, accuracy="fast")
        np.testing.assert_array_equal(got.lstar.values, api.lstar.values)
        np.testing.assert_array_equal(got.driver_w4.values, api.driver_w4.values)
        assert np.isfinite(got.driver_w1.values).all()
        if sample == "omni-1min":  # one day of OMNI: W3 (31 h e-folding) still spinning up
            assert np.isnan(got.driver_w3.values).all() and (got.status.values == 7).all()
        else:
            assert np.isfinite(got.lstar.values).all()
