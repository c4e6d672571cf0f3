"""The rb API around the invariants: footprints, model registry, particles, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr

import geospacexr.rb as rb
from geospacexr import datasets
from geospacexr.errors import DataWarning, InvalidArgumentError, WrongKindError
from geospacexr.rb import frames


def test_footprint_dipole_closed_form():
    times = np.array(["2017-09-01T00:00", "2017-09-01T06:00", "2017-09-01T12:00"], "M8[ns]")
    L = np.array([4.0, 5.0, 6.5])
    mlat = np.deg2rad([10.0, -20.0, 0.0])
    phi = np.deg2rad([30.0, 150.0, 270.0])
    r = L * np.cos(mlat) ** 2
    sm = np.stack(
        [r * np.cos(mlat) * np.cos(phi), r * np.cos(mlat) * np.sin(phi), r * np.sin(mlat)]
    )
    pts = xr.Dataset(
        {c: ("time", sm[i]) for i, c in enumerate("xyz")},
        coords={"time": times},
        attrs={"frame": "SM"},
    )
    model = rb.models.get("dipole")
    out = rb.footprint(pts, model, altitude_km=110.0)
    assert out.attrs["geospacexr_kind"] == "track"
    r_fp = 1.0 + 110.0 / 6371.2
    colat = np.arcsin(np.sqrt(r_fp / L))
    for i, t in enumerate(times):
        foot_sm = r_fp * np.array(
            [np.sin(colat[i]) * np.cos(phi[i]), np.sin(colat[i]) * np.sin(phi[i]), np.cos(colat[i])]
        )
        g = frames.transform(*foot_sm, "SM", "GEO", t)
        lat = np.degrees(np.arcsin(g[2] / r_fp))
        lon = (np.degrees(np.arctan2(g[1], g[0])) + 180) % 360 - 180
        assert out["lat"].values[i] == pytest.approx(float(lat), abs=1e-6)
        assert out["lon"].values[i] == pytest.approx(float(lon), abs=1e-6)
    south = rb.footprint(pts, model, altitude_km=110.0, hemisphere="south")
    assert np.all(south["lat"].values < out["lat"].values)
    np.testing.assert_allclose(out["alt_km"], 110.0)


def test_footprint_open_line_is_nan():
    pts = xr.Dataset(
        {"x": ("time", [-40.0]), "y": ("time", [0.0]), "z": ("time", [30.0])},
        coords={"time": np.array(["2017-09-01T00:00"], "M8[ns]")},
        attrs={"frame": "GSM"},
    )
    out = rb.footprint(pts, rb.models.get("t89", kp=3))
    assert np.isnan(out["lat"].values[0])


def test_particles_of_several_times_and_species():
    p = rb.particles(
        [5.0, 5.0], [0.0, 0.0], [0.0, 0.0], [60.0, 60.0],
        energy=[1.0, 1.0], time=["2017-03-21T00:00", "2017-06-21T12:00"], frame="GSM",
        species="proton",
    )  # fmt: skip
    out = p.rb.lstar(rb.models.get("igrf"), accuracy="fast")
    assert (out["status"] == 0).all()
    assert out["lstar"].values[0] != pytest.approx(out["lstar"].values[1], rel=1e-6)
    m0 = 938.27208816
    p2 = 1.0 * (1.0 + 2 * m0) * 0.75
    np.testing.assert_allclose(out["M"], p2 / (2 * m0 * out["Blocal"].values * 1e-5), rtol=1e-12)


def test_results_record_model_and_settings():
    p = rb.particles(5.0, 0.0, 0.0, 45.0, time="2017-09-01T12:00", frame="GSM")
    out = p.rb.lstar(rb.models.get("t96", pdyn=2, dst=-20, by=1, bz=-3), accuracy="fast")
    assert out.attrs["field_model"] == "t96"
    assert out.attrs["model_pdyn"] == 2.0 and out.attrs["model_bz"] == -3.0
    assert out.attrs["setting_n_local_times"] == 8
    assert out["shell_footprint"].shape == (1, 8, 3)


def test_sample_particles_and_grid():
    p = datasets.open_sample("rb-particles")
    assert p.attrs["geospacexr_kind"] == "particles"
    assert p.sizes["particle"] == 40
    assert {"x", "y", "z", "pitch_angle", "energy"} <= set(p.data_vars)
    out = p.isel(particle=slice(0, 6)).rb.lstar(rb.models.get("t89", kp=2), accuracy="fast")
    assert out.sizes["particle"] == 6


def test_model_registry_errors():
    assert {"dipole", "igrf", "t89", "t96", "ts05"} <= set(rb.models.available())
    with pytest.raises(InvalidArgumentError, match="kp"):
        rb.models.get("t89")
    with pytest.raises(InvalidArgumentError, match="kp"):
        rb.models.get("t89", kp=12)
    with pytest.raises(InvalidArgumentError, match="pdyn"):
        rb.models.get("t96", dst=-20, by=0, bz=0)
    with pytest.raises(InvalidArgumentError, match="pdyn"):
        rb.models.get("t96", pdyn=-1, dst=-20, by=0, bz=0)
    with pytest.raises(InvalidArgumentError, match="w3"):
        rb.models.get("ts05", pdyn=2, dst=-20, by=0, bz=0, w1=1, w2=1, w4=1, w5=1, w6=1)
    with pytest.raises(InvalidArgumentError, match="internal"):
        rb.models.get("t89", kp=2, internal="chaos")
    with pytest.warns(DataWarning):
        rb.models.get("t96", pdyn=25, dst=-20, by=0, bz=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rb.models.get("t96", pdyn=2, dst=-20, by=0, bz=0)


def test_field_frames_and_time():
    m = rb.models.get("igrf")
    with pytest.raises(InvalidArgumentError, match="time"):
        m.field(5.0, 0.0, 0.0)
    with pytest.raises(InvalidArgumentError, match="frame"):
        m.field(5.0, 0.0, 0.0, time="2017-01-01", frame="HEE")
    t = "2017-09-01T12:00"
    # the field is a vector: evaluating in GEO equals rotating the GSM result
    g = frames.transform(5.0, 1.0, 2.0, "GSM", "GEO", t)
    b_geo = m.field(*g, time=t, frame="GEO")
    b_gsm = m.field(5.0, 1.0, 2.0, time=t, frame="GSM")
    np.testing.assert_allclose(frames.transform(*b_gsm, "GSM", "GEO", t), b_geo, rtol=1e-12)
    bx, _, _ = rb.models.get("t89", kp=2, internal="dipole").field(np.ones((2, 3)) * 5, 0, 0)
    assert bx.shape == (2, 3)


def test_trace_bad_input():
    m = rb.models.get("dipole")
    with pytest.raises(InvalidArgumentError, match="starts"):
        rb.trace(m, [[1.0, 2.0]])
    with pytest.raises(InvalidArgumentError, match="model"):
        rb.trace("dipole", [[5.0, 0.0, 0.0]])
    with pytest.raises(InvalidArgumentError, match="rtol"):
        rb.trace(m, [[5.0, 0.0, 0.0]], rtol=1.0)
    with pytest.raises(WrongKindError):
        xr.Dataset(attrs={"geospacexr_kind": "gcm"}).rb.lstar(m)


def test_external_field_dispatch_from_python_and_compiled():
    """The registry's marker selects the external model, in Python and in numba."""
    from geospacexr.rb import _kernel

    for model in (
        rb.models.get("t89", kp=3, internal="dipole"),
        rb.models.get("t96", pdyn=2, dst=-20, by=1, bz=-2, internal="dipole"),
        rb.models.get("dipole"),
    ):
        em, _ip, fp, *_ = model.kernel_args()
        ex = np.array(_kernel.external_field(em, fp, -7.0, 1.0, 2.0))
        total = np.array(model.field(-7.0, 1.0, 2.0))
        internal = np.array(rb.models.get("dipole").field(-7.0, 1.0, 2.0))
        np.testing.assert_allclose(ex, total - internal, rtol=1e-12, atol=1e-12)
