"""TS05 W1..W6 from real solar wind, against the W of published Qin-Denton files.

The fixture (``data/qindenton_2004_storm``, see its README) is four real Qin-Denton 1-min files,
2004-11-07 to 2004-11-10 (the storm of 7-10 November 2004: Bz down to -50 nT, V up to 845 km/s,
Dst down to -373 nT), as LANL distributed them (LANLGeoMag commit 8291311c, file
``libLanlGeoMag/QinDenton/2004/QinDenton_2004MMDD_1min.txt``), compressed with xz. Their
solar-wind columns go through :func:`geospacexr.open_qindenton` into :func:`ts05_w`; the W
columns of the same files are the reference.

Two differences are known and are not errors of ours:

* **Coefficients.** The Qin-Denton W were made with a two-decimal set of relaxation rates and
  exponents (recovered from the files themselves: a least-squares fit of the 1-min
  recursion to them leaves a residual at the files' 3-decimal rounding, and these values,
  the fit rounded, reproduce them to 0.4-5.4 % in scale), not with the values of
  Tsyganenko's ``Parameters.par`` (elements 45-68, what his ``Prepare_input_4.for`` reads
  for his yearly files, and our :data:`TS05_W_COEFFICIENTS`). The sets differ most for W2
  (r 0.70 vs 0.648, gamma 0.67 vs 0.899), W6 (r 0.88 vs 0.843) and W1 / W4; they nearly
  agree for W3 and W5.
* **Cadence.** Qin-Denton sums 1-min samples of S; we (as Tsyganenko) average the inputs into
  5-min bins and sum S of the averages, so a southward excursion shorter than 5 min counts
  less.

So: with the Qin-Denton set substituted (monkeypatched), every mode must agree within the
tolerance below; with our own set, W3 and W5 (whose coefficients nearly agree) must.
"""

import lzma
import warnings
from pathlib import Path

import numpy as np
import pytest

import geospacexr
from geospacexr.errors import DataWarning
from geospacexr.rb import wparams
from geospacexr.rb.wparams import ts05_w

DATA = Path(__file__).parent / "data" / "qindenton_2004_storm"
DAYS = ("20041107", "20041108", "20041109", "20041110")
INPUTS = ["By_GSM", "Bz_GSM", "flow_speed", "proton_density", "Pdyn"]

#: The set the Qin-Denton files were made with (recovered from them: see the module).
QD_COEFFICIENTS = {
    "r": (0.39, 0.70, 0.031, 0.58, 1.15, 0.88),
    "lambda": (0.39, 0.46, 0.39, 0.42, 0.41, 1.29),
    "beta": (0.80, 0.18, 2.32, 1.25, 1.60, 2.40),
    "gamma": (0.87, 0.67, 1.32, 1.29, 0.69, 0.53),
}

#: Tolerance on max |ours - QD| / max(QD) and on rms(ours - QD) / mean(QD), per mode. Two parts:
#: the Qin-Denton processing's own constants differ in scale from the two-decimal set by up to
#: 5.4 % (W6; measured by running the 1-min recursion with the two-decimal set on the files'
#: own Bz1..Bz6, V, N: biases +1.4, -0.7, +4.1, +0.4, -1.7, -5.4 % for W1..W6), and 1-min sums
#: vs sums of 5-min averages add up to 3-4 % rms in the fast modes during the storm.
#: Measured (this fixture): max 0.029 0.030 0.040 0.026 0.038 0.077, rms 0.042 0.031 0.043
#: 0.044 0.039 0.081. What the test catches: a 5-min shift of the time alignment raises W5 /
#: W6 to 0.19 / 0.21 (max); no helium factor (1.0 for 1.16) W6 to 0.19 / 0.34; a wrong sample
#: weight (r/60 for r/12) every mode to 0.8. (The storm of 2001-03-31, not in the fixture,
#: gives max 0.013-0.034 and rms 0.039-0.058 with the same set.)
TOLERANCE = 0.10


@pytest.fixture(scope="module")
def qd(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qindenton")
    for day in DAYS:
        packed = DATA / f"QinDenton_{day}_1min.txt.xz"
        (folder / packed.name[:-3]).write_bytes(lzma.decompress(packed.read_bytes()))
    # these 2012 copies have no JSON header: the reader says so and uses the 44-word layout
    with pytest.warns(DataWarning, match="published 44-word"):
        ds = geospacexr.open_qindenton(folder)
    assert ds.attrs["layout"] == "qindenton-1min" and ds.sizes["time"] == 4 * 1440
    return ds


def _w(qd, monkeypatch=None, coefficients=None, **kw):
    if coefficients is not None:
        for key, value in coefficients.items():
            monkeypatch.setitem(wparams.TS05_W_COEFFICIENTS, key, value)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no gap: the files are filled
        return ts05_w(qd[INPUTS], **kw)


def _reference(qd, w):
    """The Qin-Denton W at the last minute of each 5-min bin (W includes its bin's average)."""
    tq = qd.time.values
    start = w.time.values
    last = np.searchsorted(tq, start + np.timedelta64(5, "m")) - 1
    assert np.all(tq[last] >= start) and np.all(tq[last] < start + np.timedelta64(5, "m"))
    return last, tq[last]


def _misfit(qd, w, modes, *, from_file_start=False, r=None):
    """max |d| / max(QD) and rms(d) / mean(QD) of each mode."""
    last, when = _reference(qd, w)
    out = {}
    for i in modes:
        ours = w[f"W{i}"].values.copy()
        ref = qd[f"W{i}"].values[last]
        if from_file_start:  # the past before the files, carried by the files' first W
            age_h = (when - qd.time.values[0]) / np.timedelta64(1, "h")
            ours = ours + qd[f"W{i}"].values[0] * np.exp(-r[i - 1] * age_h)
        ok = np.isfinite(ours) & np.isfinite(ref)
        assert ok.sum() > 200, f"W{i}: only {ok.sum()} samples compared"
        d = ours[ok] - ref[ok]
        out[i] = (np.abs(d).max() / ref[ok].max(), np.sqrt(np.mean(d**2)) / ref[ok].mean())
    return out


def test_fixture_is_a_storm_with_large_w(qd):
    assert float(qd.Bz_GSM.min()) < -45 and float(qd.Dst.min()) < -350
    assert float(qd.W6.max()) > 50 and float(qd.W3.max()) > 10  # a real test of the scale


def test_qindenton_coefficients_reproduce_the_published_w(qd, monkeypatch):
    """The whole chain (reader, 5-min bins, S, weights, time stamps) against the files' W."""
    r = QD_COEFFICIENTS["r"]
    w = _w(qd, monkeypatch, QD_COEFFICIENTS, spinup_efolds=0)
    misfit = _misfit(qd, w, range(1, 7), from_file_start=True, r=r)
    for i, (peak, rms) in misfit.items():
        assert peak < TOLERANCE and rms < TOLERANCE, (i, peak, rms)
    # no knowledge of the past: after the spin-up (3 e-folds) of all but W3 (97 h > 4 days)
    w = _w(qd, monkeypatch, QD_COEFFICIENTS, spinup_efolds=3)
    assert np.isnan(w.W3.values).all()
    misfit = _misfit(qd, w, (1, 2, 4, 5, 6))
    for i, (peak, rms) in misfit.items():
        assert peak < TOLERANCE and rms < TOLERANCE, (i, peak, rms)


def test_our_coefficients_agree_where_the_sets_agree(qd):
    """W3 and W5: Parameters.par and the Qin-Denton set nearly agree, and so do the W."""
    r = wparams.TS05_W_COEFFICIENTS["r"]
    w = _w(qd, spinup_efolds=0)
    misfit = _misfit(qd, w, (3, 5), from_file_start=True, r=r)
    for i, (peak, rms) in misfit.items():
        assert peak < TOLERANCE and rms < TOLERANCE, (i, peak, rms)
    # W2: gamma 0.899 (ours, Parameters.par) vs 0.67: our W2 is much larger in the storm
    full = _misfit(qd, w, (2,), from_file_start=True, r=r)
    assert full[2][0] > 0.5
    last, _ = _reference(qd, w)
    assert np.nanmax(w.W2.values) > 1.5 * np.nanmax(qd.W2.values[last])


def test_a_later_headed_qindenton_file_was_made_with_the_same_set(tmp_path, monkeypatch):
    """RAM-SCB's 2013-03-17 1-min file (RBSP-ECT era, JSON header): the same set fits it."""
    packed = DATA.parent / "qindenton_2013_ramscb" / "QinDenton_20130317_1min.txt.xz"
    path = tmp_path / packed.name[:-3]
    path.write_bytes(lzma.decompress(packed.read_bytes()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # read by its header, without complaint
        day = geospacexr.open_qindenton(path)
    assert day.sizes["time"] == 1440 and float(day.W6.max()) > 15  # the storm's main phase
    w = _w(day, monkeypatch, QD_COEFFICIENTS, spinup_efolds=0)
    misfit = _misfit(day, w, range(1, 7), from_file_start=True, r=QD_COEFFICIENTS["r"])
    for i, (peak, rms) in misfit.items():  # measured: max 0.019-0.028, rms 0.019-0.042
        assert peak < TOLERANCE and rms < TOLERANCE, (i, peak, rms)
