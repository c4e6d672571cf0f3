from datetime import datetime, timedelta

import numpy as np
import pytest

from geospacexr.solar import subsolar_point, terminator

# Equinox instants (UT, to the minute) from the U.S. Naval Observatory, Astronomical Applications
# Department, "Earth's Seasons: Equinoxes, Solstices, Perihelion, and Aphelion": the instants
# when the Sun's apparent geocentric longitude is 0 (March) or 180 (September) degrees, i.e.
# the declination changes sign.
MARCH_EQUINOXES = [
    "2003-03-21T01:00", "2016-03-20T04:30", "2017-03-20T10:29", "2018-03-20T16:15",
    "2019-03-20T21:58", "2020-03-20T03:50",
]  # fmt: skip
SEPTEMBER_EQUINOXES = [
    "2016-09-22T14:21", "2017-09-22T20:02", "2018-09-23T01:54", "2019-09-23T07:50",
]  # fmt: skip


def _zero_crossing(instant: str) -> datetime:
    """When our declination changes sign, by linear interpolation over +-3 h of ``instant``."""
    t0 = datetime.fromisoformat(instant) - timedelta(hours=3)
    t1 = t0 + timedelta(hours=6)
    d0 = subsolar_point(np.datetime64(t0))[0]
    d1 = subsolar_point(np.datetime64(t1))[0]
    assert d0 * d1 < 0, (instant, d0, d1)  # the sign change is inside the window
    return t0 + (t1 - t0) * (d0 / (d0 - d1))


@pytest.mark.parametrize("instant", MARCH_EQUINOXES + SEPTEMBER_EQUINOXES)
def test_equinox_instants_against_usno(instant):
    # The module claims about 0.01 degree in declination; near an equinox the declination moves
    # 0.0165 degree an hour, so 0.01 degree is 36 min. Measured over these ten: |declination| at
    # USNO's instant at most 0.0035 degree, our sign change 1-13 min early (mean 7 min). The
    # low-precision longitude leaves out aberration (-20.5 arcsec, which the Sun covers in
    # 8 min) and treats UT as TT (about 1 min); its periodic terms are good to about +-5 min.
    assert abs(subsolar_point(instant)[0]) < 0.004
    crossing = _zero_crossing(instant)
    assert abs(crossing - datetime.fromisoformat(instant)) < timedelta(minutes=14)
    # the sign change has the right direction: northward in March, southward in September
    later = subsolar_point(np.datetime64(datetime.fromisoformat(instant) + timedelta(days=1)))[0]
    assert (later > 0) == (instant[5:7] == "03")


def _noaa_sun(time: datetime) -> tuple[float, float]:
    """Declination (deg) and equation of time (min) by the NOAA solar calculator's equations.

    Written here from the NOAA Global Monitoring Laboratory's spreadsheet (after Meeus,
    Astronomical Algorithms, 1991, ch. 24-25): apparent longitude with nutation and aberration,
    obliquity corrected for nutation. Independent of geospacexr.solar's low-precision formulas.
    """
    jd = (time - datetime(2000, 1, 1, 12)).total_seconds() / 86400.0 + 2451545.0
    t = (jd - 2451545.0) / 36525.0
    l0 = (280.46646 + t * (36000.76983 + t * 0.0003032)) % 360.0
    m = 357.52911 + t * (35999.05029 - 0.0001537 * t)
    e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    mr = np.deg2rad(m)
    c = (
        np.sin(mr) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + np.sin(2 * mr) * (0.019993 - 0.000101 * t)
        + np.sin(3 * mr) * 0.000289
    )
    omega = np.deg2rad(125.04 - 1934.136 * t)
    app_lon = np.deg2rad(l0 + c - 0.00569 - 0.00478 * np.sin(omega))
    eps0 = 23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0
    eps = np.deg2rad(eps0 + 0.00256 * np.cos(omega))
    declination = np.rad2deg(np.arcsin(np.sin(eps) * np.sin(app_lon)))
    y = np.tan(eps / 2.0) ** 2
    l0r = np.deg2rad(l0)
    eot = 4.0 * np.rad2deg(
        y * np.sin(2 * l0r)
        - 2 * e * np.sin(mr)
        + 4 * e * y * np.sin(mr) * np.cos(2 * l0r)
        - 0.5 * y * y * np.sin(4 * l0r)
        - 1.25 * e * e * np.sin(2 * mr)
    )
    return float(declination), float(eot)


@pytest.mark.parametrize(
    "when",
    ["1955-01-10T06:00", "1972-05-04T18:30", "1989-08-15T00:00", "2003-11-03T12:00",
     "2010-02-11T09:15", "2024-12-21T09:20", "2038-07-01T21:45", "2049-10-30T03:00"],
)  # fmt: skip
def test_against_the_noaa_algorithm(when):
    """Declination to the module's 0.01 degree (measured: 0.0033 at most), the subsolar longitude
    to 0.0125 degree, 3 s of time (measured: 0.0118), the module's "a few seconds of time"."""
    t = datetime.fromisoformat(when)
    dec, eot_min = _noaa_sun(t)
    lat, lon = subsolar_point(when)
    assert lat == pytest.approx(dec, abs=0.01)
    ut_hours = t.hour + t.minute / 60.0
    noaa_lon = (-15.0 * (ut_hours - 12.0) - eot_min / 4.0 + 180.0) % 360.0 - 180.0
    assert (lon - noaa_lon + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=0.0125)


def test_solstice_declination_is_the_obliquity():
    # June solstice 2003: 06-21 19:10 UT (USNO); obliquity of the ecliptic 23.4387 (IAU 2006)
    assert subsolar_point("2003-06-21T19:10")[0] == pytest.approx(23.4387, abs=0.005)


def test_equation_of_time_moves_the_subsolar_longitude():
    # early November the Sun is ~16.4 min ahead of mean time: at 12 UT it stands at ~4.1 deg W
    assert subsolar_point("2003-11-03T12:00")[1] == pytest.approx(-4.1, abs=0.1)
    # mid April it is ~0: at 12 UT the Sun is over Greenwich
    assert subsolar_point("2003-04-15T12:00")[1] == pytest.approx(0.0, abs=0.1)


def test_terminator_passes_through_the_poles_at_equinox():
    # at the equinox instant the terminator is the great circle 90 degrees from the subsolar
    # meridian, through both poles: away from those two meridians its latitude is +-90
    _, lon_ss = subsolar_point("2020-03-20T03:50")
    lats = terminator("2020-03-20T03:50", lon_ss + np.array([-150.0, -45.0, 45.0, 150.0]))
    np.testing.assert_allclose(np.abs(lats), 90.0, atol=0.01)


def test_terminator_at_the_solstice_reaches_the_polar_circles():
    lat_ss, lon_ss = subsolar_point("2003-06-21T12:00")
    lats = terminator("2003-06-21T12:00", np.array([lon_ss, lon_ss + 180.0]))
    # at the June solstice the terminator reaches 90 - 23.44 degrees on the subsolar meridian
    assert lats[0] == pytest.approx(-(90 - lat_ss), abs=1e-6)
    assert lats[1] == pytest.approx(90 - lat_ss, abs=1e-6)
