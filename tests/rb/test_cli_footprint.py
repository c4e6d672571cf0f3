"""``geospacexr rb footprint POSITIONS --model --drivers OMNI -o out.nc``."""

import warnings

import numpy as np
import pytest
import xarray as xr

from geospacexr import datasets, rb
from geospacexr.cli import main
from geospacexr.errors import DataWarning

POSITIONS = "time,x,y,z\n2015-03-16T12:30,-5,0,0\n2015-03-18T06:10,-5,1,0.5\n"


def _csv(tmp_path, text, name="pos.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("hemisphere", ["north", "south"])
def test_footprint_command_equals_the_api(tmp_path, capsys, hemisphere):
    omni = str(datasets.sample_path("omni-hourly"))
    out = tmp_path / "fp.nc"
    argv = ["rb", "footprint", _csv(tmp_path, POSITIONS), "--drivers", omni,
            "--hemisphere", hemisphere, "--altitude-km", "150", "-o", str(out)]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        assert main(argv) == 0
    assert "2 positions, 2 with a footprint" in capsys.readouterr().out
    points = xr.Dataset(
        {"x": ("time", [-5.0, -5.0]), "y": ("time", [0.0, 1.0]), "z": ("time", [0.0, 0.5])},
        coords={"time": np.array(["2015-03-16T12:30", "2015-03-18T06:10"], "datetime64[ns]")},
        attrs={"frame": "GSM"},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        api = rb.footprint(points, "t96", altitude_km=150.0, hemisphere=hemisphere,
                           drivers=datasets.open_sample("omni-hourly"))  # fmt: skip
    with xr.open_dataset(out) as got:
        for k in ("lat", "lon", "alt_km"):
            np.testing.assert_array_equal(got[k].values, api[k].values)
        np.testing.assert_array_equal(got.row.values, [0, 1])
        np.testing.assert_array_equal(got.position_y.values, [0.0, 1.0])
        assert got.attrs["positions_file"] == "pos.csv" and got.attrs["hemisphere"] == hemisphere
        # the footprints lie on the chosen side, at the altitude asked for
        assert np.all(np.sign(got.lat.values) == (1 if hemisphere == "north" else -1))
        np.testing.assert_allclose(got.alt_km.values, 150.0, atol=1.0)


def test_dipole_footprint_latitude_is_the_invariant_latitude(tmp_path):
    """Closed form: a dipole line from the equator at r (Re) lands at cos^2(lam) = R/r."""
    pos = _csv(tmp_path, "time,x,y,z,pitch_angle\n2015-03-16T12:30,4,0,0,90\n")
    out = tmp_path / "fp.nc"
    argv = ["rb", "footprint", pos, "--model", "dipole", "--frame", "SM",
            "--altitude-km", "0", "-o", str(out)]  # fmt: skip
    assert main(argv) == 0
    with xr.open_dataset(out) as got:
        lat_sm = np.degrees(np.arccos(np.sqrt(1.0 / 4.0)))
        # the dipole model's axis is SM z: the footprint's latitude in SM
        from geospacexr.rb.frames import transform

        r = 1.0 + got.alt_km.values[0] / 6371.2
        lat, lon = np.radians(got.lat.values[0]), np.radians(got.lon.values[0])
        geo = (r * np.cos(lat) * np.cos(lon), r * np.cos(lat) * np.sin(lon), r * np.sin(lat))
        x, y, z = transform(*geo, "GEO", "SM", got.time.values[0])
        got_lat = np.degrees(np.arcsin(z / np.sqrt(x * x + y * y + z * z)))
        np.testing.assert_allclose(got_lat, lat_sm, atol=0.05)


@pytest.mark.parametrize("value", ["-5", "nan", "inf", "km"])
def test_bad_altitude_is_a_usage_error(tmp_path, capsys, value):
    argv = ["rb", "footprint", _csv(tmp_path, POSITIONS), "--model", "dipole",
            "--altitude-km", value, "-o", str(tmp_path / "fp.nc")]  # fmt: skip
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "height above the ground" in capsys.readouterr().err
    assert not (tmp_path / "fp.nc").exists()
