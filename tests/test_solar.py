import numpy as np
import pytest

from geospacexr.solar import subsolar_point, terminator


def test_equinox_and_solstice_declination():
    # March equinox 2003: 2003-03-21 01:00 UT; June solstice 2003: 06-21 19:10 UT (obliquity 23.44)
    assert abs(subsolar_point("2003-03-21T01:00")[0]) < 0.05
    assert subsolar_point("2003-06-21T19:10")[0] == pytest.approx(23.44, abs=0.02)


def test_equation_of_time_moves_the_subsolar_longitude():
    # early November the Sun is ~16.4 min ahead of mean time: at 12 UT it stands at ~4.1 deg W
    assert subsolar_point("2003-11-03T12:00")[1] == pytest.approx(-4.1, abs=0.1)
    # mid April it is ~0: at 12 UT the Sun is over Greenwich
    assert subsolar_point("2003-04-15T12:00")[1] == pytest.approx(0.0, abs=0.1)


def test_terminator_passes_through_the_poles_at_equinox():
    lat_ss, lon_ss = subsolar_point("2003-06-21T12:00")
    lats = terminator("2003-06-21T12:00", np.array([lon_ss, lon_ss + 180.0]))
    # at the June solstice the terminator reaches 90 - 23.44 degrees on the subsolar meridian
    assert lats[0] == pytest.approx(-(90 - lat_ss), abs=1e-6)
    assert lats[1] == pytest.approx(90 - lat_ss, abs=1e-6)
