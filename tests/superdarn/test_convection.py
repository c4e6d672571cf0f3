"""Convection maps (geospacexr.superdarn.convection) on the real map files.

References: closed forms of single Legendre terms, scipy's associated Legendre functions, the
map files' own ``pot.max``/``pot.min`` (RST ``CnvMapFitMap``'s search grid, reproduced here),
RST's zero potential on the ``latmin`` circle, a finite-difference gradient, and pyDARN 4.3's
``calculate_potentials`` / ``calculated_fitted_velocities`` recorded in
``reference/pydarn_convection_twin.npz`` (``GEOSPACEXR_REF_PYDARN`` = a python with pyDARN
regenerates it live).
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from scipy import special

import geospacexr
from geospacexr.errors import IncompatibleInputError, InvalidArgumentError, WrongKindError
from geospacexr.superdarn import convection as cv

#: The scattering altitude the fitted velocities use by default (config).
_ALT = geospacexr.config.resolve(None, "superdarn.map_altitude_km")

HERE = Path(__file__).parent
TWIN_PATH = HERE / "reference" / "pydarn_convection_twin.npz"
MAP_FILES = ("darn-dmap/test.map", "pydarn/test.north.mp")
GRID_FILES = ("darn-dmap/test.grid", "pydarn/test.grd")


@pytest.fixture(scope="module", params=MAP_FILES)
def map_file(request, superdarn_data):
    path = superdarn_data / request.param
    if not path.is_file():
        pytest.skip(f"{path} absent")
    return request.param, geospacexr.open_superdarn(path)


@pytest.fixture(scope="module")
def test_map(superdarn_data):
    path = superdarn_data / MAP_FILES[0]
    if not path.is_file():
        pytest.skip(f"{path} absent")
    return geospacexr.open_superdarn(path)


def single_term(ds: xr.Dataset, degree: int, order: int, value: float = 1000.0) -> xr.Dataset:
    """``ds`` with every coefficient zero but the one of (``degree``, ``order``)."""
    coef = np.where((ds["N"] == degree) & (ds["N+1"] == order), value, 0.0)
    out = ds.copy()
    out["N+2"] = (ds["N+2"].dims, coef)
    return out


# -- the Legendre functions ------------------------------------------------------------------
def test_legendre_matches_scipy_and_closed_forms():
    x = np.linspace(-1.0, 1.0, 41)
    table = cv.legendre(8, x)
    for ell in range(9):
        for m in range(ell + 1):
            np.testing.assert_allclose(table[:, ell, m], special.lpmv(m, ell, x), atol=1e-9)
    s = np.sqrt(1 - x**2)
    np.testing.assert_allclose(table[:, 1, 1], -s, atol=1e-15)
    np.testing.assert_allclose(table[:, 2, 1], -3 * x * s, atol=1e-14)
    np.testing.assert_allclose(table[:, 2, 2], 3 * (1 - x**2), atol=1e-14)
    assert not table[:, :, 9].any() and not table[:, 0, 1:].any()
    with pytest.raises(InvalidArgumentError):
        cv.legendre(-1, x)


def test_legendre_theta_derivative_against_finite_differences():
    t = np.linspace(0.05, np.pi - 0.05, 60)
    h = 1e-6
    numeric = (cv.legendre(6, np.cos(t + h)) - cv.legendre(6, np.cos(t - h))) / (2 * h)
    analytic = cv._legendre_dtheta(cv.legendre(6, np.cos(t)))
    np.testing.assert_allclose(analytic[..., :7], numeric[..., :7], atol=1e-5)


# -- the potential ---------------------------------------------------------------------------
def test_coefficient_layout_is_rsts_index(map_file):
    _, ds = map_file
    table = cv.map_coefficients(ds)
    for r in range(ds.sizes["time"]):
        ell = table["degree"].values[r].astype(int)
        m = table["order"].values[r].astype(int)
        order = int(table["fit_order"].values[r])
        assert ell.size == (order + 1) ** 2
        k = np.where(m == 0, ell**2, ell**2 + 2 * np.abs(m) - 1 + (m < 0))
        np.testing.assert_array_equal(k, np.arange(ell.size))
    assert table["value"].attrs["units"] == "V"


@pytest.mark.parametrize(("degree", "order"), [(1, 0), (2, 1), (2, -1), (3, 2), (4, -3)])
def test_single_term_is_its_closed_form(test_map, degree, order):
    ds = single_term(test_map, degree, order)
    latmin = float(ds["latmin"].values[0])
    mlat = np.array([latmin, 70.0, 75.3, 80.0, 88.0])
    mlon = np.array([10.0, 100.0, 200.0, 300.0, 45.0])
    got = cv.potential_at(ds, mlat, mlon, time=0).values[0]
    x = np.cos(np.pi * (90 - mlat) / (90 - latmin))
    trig = np.cos(order * np.radians(mlon)) if order >= 0 else np.sin(-order * np.radians(mlon))
    expected = special.lpmv(abs(order), degree, x) * trig  # 1000 V = 1 kV
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_potential_is_zero_on_the_latmin_circle(map_file):
    _, ds = map_file
    mlon = np.arange(0.0, 360.0, 7.5)
    for r in range(ds.sizes["time"]):
        latmin = float(ds["latmin"].values[r])
        edge = cv.potential_at(ds, np.full_like(mlon, latmin), mlon, time=r).values[0]
        inside = cv.potential_at(ds, np.full_like(mlon, latmin + 3), mlon, time=r).values[0]
        assert np.abs(edge).max() < 1e-9  # kV
        assert np.abs(inside).max() > 0.1


def test_projection_onto_harmonics_recovers_the_files_coefficients(map_file):
    """Gauss-Legendre quadrature over the stretched cap gives back every N+2 (a_00 is the mean)."""
    from math import factorial

    _, ds = map_file
    nodes, weights = np.polynomial.legendre.leggauss(24)
    phi = np.arange(48) * 2 * np.pi / 48
    for r in range(ds.sizes["time"]):
        latmin = float(ds["latmin"].values[r])
        theta = np.arccos(nodes) * (90 - latmin) / 180  # stretched colatitude back to degrees
        lat = 90 - theta * 180 / np.pi
        lat2, phi2 = np.meshgrid(lat, phi, indexing="ij")
        values = cv.potential_at(ds, lat2, np.degrees(phi2), time=r).values[0] * 1e3
        table = cv.map_coefficients(ds, time=r)
        for ell, m, a in zip(
            table["degree"].values[0],
            table["order"].values[0],
            table["value"].values[0],
            strict=True,
        ):
            ell, m = int(ell), int(m)
            plm = special.lpmv(abs(m), ell, nodes)
            trig = np.cos(m * phi) if m >= 0 else np.sin(-m * phi)
            integral = weights @ (values * plm[:, None]) @ trig * (2 * np.pi / 48)
            norm = 2 / (2 * ell + 1) * factorial(ell + abs(m)) / factorial(ell - abs(m))
            norm *= 2 * np.pi if m == 0 else np.pi
            assert integral / norm == pytest.approx(a, abs=1e-6 * np.abs(values).max())


def rst_search_grid(latmin: float) -> tuple[np.ndarray, np.ndarray]:
    """The points at which RST's CnvMapFitMap searches pot.max/pot.min (2 x 5 degree steps).

    RST evaluates x = cos(pi (90 + lat) / (90 + latmin)) for lat = latmin + 2 i,
    i < int((90 + latmin) / 2): the stretched colatitude runs from pi back towards 0, i.e. the
    true latitude 90 - (90 - latmin)(1 - 2 i / (90 + latmin)).
    """
    i = np.arange(int((90 + latmin) / 2))
    lat = 90 - (90 - latmin) * (1 - 2 * i / (90 + latmin))
    return np.meshgrid(lat, np.arange(72) * 5.0)


def test_file_pot_max_and_min_reproduced_on_rsts_grid(map_file):
    _, ds = map_file
    for r in range(ds.sizes["time"]):
        lat, lon = rst_search_grid(float(ds["latmin"].values[r]))
        volts = cv.potential_at(ds, lat, lon, time=r).values[0] * 1e3
        assert volts.max() == pytest.approx(float(ds["pot.max"].values[r]), abs=1e-6)
        assert volts.min() == pytest.approx(float(ds["pot.min"].values[r]), abs=1e-6)


def test_cross_polar_cap_potential_against_the_files_pot_drop(map_file):
    _, ds = map_file
    cpcp = cv.cross_polar_cap_potential(ds)
    assert cpcp["cpcp"].attrs["units"] == "kV"
    np.testing.assert_allclose(cpcp["file_pot_drop"], ds["pot.drop"].values / 1e3)
    # a finer grid than RST's 2 x 5 degrees: the same drop within 0.5 %, never much less
    np.testing.assert_allclose(cpcp["cpcp"], cpcp["file_pot_drop"], rtol=5e-3)
    assert (cpcp["cpcp"] >= cpcp["file_pot_drop"] * (1 - 1e-3)).all()
    np.testing.assert_allclose(
        cpcp["cpcp"], cpcp["potential_max"] - cpcp["potential_min"], rtol=1e-12
    )
    # the extremes are where the potential says they are
    for i in range(ds.sizes["time"]):
        at_max = cv.potential_at(ds, cpcp["max_mlat"][i], cpcp["max_mlon"][i], time=i)
        assert float(at_max.values[0]) == pytest.approx(float(cpcp["potential_max"][i]))
    inside = cv.cross_polar_cap_potential(ds, within="boundary")
    assert (inside["cpcp"] <= cpcp["cpcp"] + 1e-12).all()
    with pytest.raises(InvalidArgumentError):
        cv.cross_polar_cap_potential(ds, within="everywhere")


def test_potential_grid_in_mlt(map_file):
    _, ds = map_file
    pot = cv.potential(ds)
    assert pot.dims == ("time", "mlat", "mlt")
    assert pot.attrs["units"] == "kV"
    assert pot["mlt"].values[0] == 0 and pot["mlt"].values[-1] == 24
    for r in range(ds.sizes["time"]):
        latmin = float(ds["latmin"].values[r])
        # mlon of a column is 15 (MLT - mlt.av); MLT 0 and 24 are the same place
        expected_mlon = np.mod(15 * (pot["mlt"].values - float(ds["mlt.av"].values[r])), 360)
        np.testing.assert_allclose(pot["mlon"].values[r], expected_mlon)
        np.testing.assert_allclose(pot.values[r, :, 0], pot.values[r, :, -1], atol=1e-9)
        lat2, lon2 = np.meshgrid(pot["mlat"].values, pot["mlon"].values[r], indexing="ij")
        direct = cv.potential_at(ds, lat2, lon2, time=r).values[0]
        direct[lat2 < latmin] = 0.0
        np.testing.assert_allclose(pot.values[r], direct, atol=1e-12)
        assert (pot.values[r][pot["mlat"].values < latmin] == 0).all()
    # the extremes on the MLT grid approach the file's values
    np.testing.assert_allclose(
        pot.max(("mlat", "mlt")) - pot.min(("mlat", "mlt")), ds["pot.drop"] / 1e3, rtol=0.02
    )
    one = cv.potential(ds, time=ds["time"].values[-1], lat_step=2.0, mlt_step=1.0, lowlat=60)
    assert one.sizes == {"time": 1, "mlat": 16, "mlt": 25}
    with pytest.raises(InvalidArgumentError):
        cv.potential(ds, lat_step=0)
    with pytest.raises(InvalidArgumentError):
        cv.potential(ds, lowlat=95)


def test_magnetic_local_time(test_map, superdarn_data):
    mlt = cv.magnetic_local_time(test_map, np.array([0.0, 90.0, 350.0]))
    av = test_map["mlt.av"].values[:, None]
    np.testing.assert_allclose(mlt, np.mod(av + np.array([0, 6, 350 / 15]), 24))
    assert mlt.attrs["units"] == "h"
    grid = geospacexr.open_superdarn(superdarn_data / GRID_FILES[0])
    aacgmv2 = pytest.importorskip("aacgmv2")
    mlt = cv.magnetic_local_time(grid, [0.0, 180.0], time=1)
    middle = grid["time"].values[1] + (grid["end_time"].values[1] - grid["time"].values[1]) / 2
    when = middle.astype("datetime64[us]").astype(object)
    np.testing.assert_allclose(mlt.values[0], aacgmv2.convert_mlt([0.0, 180.0], when), atol=1e-9)


def test_lat_shift_rotates_the_frame(test_map):
    # identity without a shift
    lat, lon, rot = cv.shift_coordinates([70.0, 80.0], [10.0, 370.0], 0.0, 0.0)
    np.testing.assert_allclose(lat, [70, 80])
    np.testing.assert_allclose(lon, [10, 10])
    np.testing.assert_allclose(rot, 0)
    # the displaced pole (lat_shift from the pole along mlon 180 - lon_shift) is the new pole;
    # the old pole lies lat_shift away from it, on the meridian through both
    lat, lon, _ = cv.shift_coordinates([85.0, 90.0], [180.0 - 20.0, 0.0], 5.0, 20.0)
    assert lat[0] == pytest.approx(90.0)
    assert lat[1] == pytest.approx(85.0)
    # colatitude from the displaced pole by the spherical law of cosines
    mlat, mlon = np.array([70.0, 75.0, 82.0]), np.array([30.0, 200.0, 310.0])
    d, shift = 4.0, 10.0
    cos_c = np.cos(np.radians(90 - mlat)) * np.cos(np.radians(d)) - np.sin(
        np.radians(90 - mlat)
    ) * np.sin(np.radians(d)) * np.cos(np.radians(mlon + shift))
    lat, _, _ = cv.shift_coordinates(mlat, mlon, d, shift)
    np.testing.assert_allclose(90 - lat, np.degrees(np.arccos(cos_c)), atol=1e-10)
    # and the potential of an l=1, m=0 term follows the displaced colatitude
    ds = single_term(test_map, 1, 0)
    ds["lat.shft"] = ds["lat.shft"] * 0 + d
    ds["lon.shft"] = ds["lon.shft"] * 0 + shift
    got = cv.potential_at(ds, mlat, mlon, time=0).values[0]
    theta = np.arccos(cos_c)
    np.testing.assert_allclose(got, np.cos(np.pi * theta / np.radians(90 - 68.0)), atol=1e-10)


# -- velocities ------------------------------------------------------------------------------
def finite_difference_velocity(ds, r, mlat, mlon, hemisphere=1, b_pole_nt=None):
    """E = -grad(potential_at), v = E x B / B^2, numerically (RST constants)."""
    h = 1e-4
    radius = (cv.EARTH_RADIUS_KM + _ALT) * 1e3

    def pot(lat, lon):
        return cv.potential_at(ds, lat, lon, time=r).values[0] * 1e3

    lat_signed = mlat * hemisphere
    # potential_at takes |lat|: a step north is +h in signed latitude
    d_north = (pot(np.abs(lat_signed + h), mlon) - pot(np.abs(lat_signed - h), mlon)) / (
        2 * np.radians(h) * radius
    )
    d_east = (pot(mlat, mlon + h) - pot(mlat, mlon - h)) / (
        2 * np.radians(h) * radius * np.cos(np.radians(mlat))
    )
    e_n, e_e = -d_north, -d_east
    name = "north" if hemisphere > 0 else "south"
    b0 = (cv.B_POLE_NT[name] if b_pole_nt is None else b_pole_nt) * 1e-9
    theta = np.radians(90 - mlat)
    bmag = b0 * (1 - 3 * _ALT / cv.EARTH_RADIUS_KM) * np.sqrt(3 * np.cos(theta) ** 2 + 1) / 2
    b_r = -bmag if hemisphere > 0 else bmag
    # E x B for B = b_r * up, with (east, north, up) right-handed
    return e_n * b_r / bmag**2, -e_e * b_r / bmag**2  # v_east, v_north


def test_fitted_velocity_is_e_cross_b_of_the_potential(map_file):
    _, ds = map_file
    for r in range(ds.sizes["time"]):
        fit = cv.fitted_velocity(ds, r)
        assert fit["speed"].attrs["units"] == "m/s"
        keep = np.abs(fit["mlat"].values) > float(ds["latmin"].values[r]) + 0.5
        mlat, mlon = fit["mlat"].values[keep], fit["mlon"].values[keep]
        v_east, v_north = finite_difference_velocity(ds, r, mlat, mlon)
        np.testing.assert_allclose(fit["v_east"].values[keep], v_east, rtol=1e-5, atol=1e-3)
        np.testing.assert_allclose(fit["v_north"].values[keep], v_north, rtol=1e-5, atol=1e-3)
        np.testing.assert_allclose(
            fit["speed"], np.hypot(fit["v_north"], fit["v_east"]), rtol=1e-12
        )
        assert 100 < float(fit["speed"].values[keep].mean()) < 2000  # m/s, a real map


def test_fitted_velocity_with_a_displaced_pole(test_map):
    """With lat.shft/lon.shft the velocity is still E x B of the potential's gradient."""
    ds = test_map.copy()
    ds["lat.shft"] = ds["lat.shft"] * 0 + 4.0
    ds["lon.shft"] = ds["lon.shft"] * 0 + 30.0
    fit = cv.fitted_velocity(ds, 0)
    keep = np.abs(fit["mlat"].values) > 73  # well inside the shifted boundary
    mlat, mlon = fit["mlat"].values[keep], fit["mlon"].values[keep]
    v_east, v_north = finite_difference_velocity(ds, 0, mlat, mlon)
    np.testing.assert_allclose(fit["v_east"].values[keep], v_east, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(fit["v_north"].values[keep], v_north, rtol=1e-5, atol=1e-3)


def test_convection_flows_from_the_positive_to_the_negative_cell(test_map):
    """Flow goes along equipotentials; sunward at the flanks, antisunward over the pole."""
    fit = cv.fitted_velocity(test_map, 0)
    pot_n = cv.potential_at(test_map, fit["mlat"] + 0.01, fit["mlon"], time=0).values[0]
    pot_e = cv.potential_at(test_map, fit["mlat"], fit["mlon"] + 0.01, time=0).values[0]
    coslat = np.cos(np.radians(fit["mlat"].values))
    grad = np.stack([pot_n - fit["potential"].values, (pot_e - fit["potential"].values) / coslat])
    v = np.stack([fit["v_north"].values, fit["v_east"].values])
    cosine = np.sum(grad * v, axis=0) / (np.hypot(*grad) * np.hypot(*v) + 1e-30)
    inside = np.abs(fit["mlat"].values) > 69
    assert np.abs(cosine[inside]).max() < 0.05  # v is perpendicular to grad(Phi)


def test_fitted_velocity_agrees_with_the_measured_line_of_sight(map_file):
    """The fit's component along each vector's kvect follows the measured velocity."""
    _, ds = map_file
    fit, los = cv.fitted_velocity(ds), cv.line_of_sight(ds)
    k = np.radians(los["kvect"].values)
    along = fit["v_north"].values * np.cos(k) + fit["v_east"].values * np.sin(k)
    latmin = ds["latmin"].values[fit["vector_record"].values]
    keep = np.abs(fit["mlat"].values) >= latmin
    assert np.corrcoef(along[keep], los["velocity"].values[keep])[0, 1] > 0.5
    assert np.corrcoef(-along[keep], los["velocity"].values[keep])[0, 1] < 0


def test_southern_map_mirrors_the_northern_one(test_map):
    south = southern_mirror(test_map)
    south["latmin"] = -south["latmin"]  # RST may write it negative: only |latmin| counts
    north_fit = cv.fitted_velocity(test_map, 0, b_pole_nt=60000.0)
    south_fit = cv.fitted_velocity(south, 0, b_pole_nt=60000.0)
    np.testing.assert_allclose(south_fit["potential"], north_fit["potential"])
    np.testing.assert_allclose(south_fit["v_east"], north_fit["v_east"], rtol=1e-10)
    np.testing.assert_allclose(south_fit["v_north"], -north_fit["v_north"], rtol=1e-10)
    keep = np.abs(south_fit["mlat"].values) > 69
    mlat, mlon = -south_fit["mlat"].values[keep], south_fit["mlon"].values[keep]
    v_east, v_north = finite_difference_velocity(south, 0, mlat, mlon, -1, 60000.0)
    np.testing.assert_allclose(south_fit["v_east"].values[keep], v_east, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(south_fit["v_north"].values[keep], v_north, rtol=1e-5, atol=1e-3)
    pot = cv.potential(south, 0)
    assert (pot["mlat"] < 0).all()


def test_model_positions_and_boundary_flags(test_map):
    model = cv.fitted_velocity(test_map, 1, positions="model")
    assert model.sizes["model_vector"] == int(np.sum(test_map["model_vector_record"] == 1))
    assert np.isfinite(model["speed"]).all()
    fit = cv.fitted_velocity(test_map, 0)
    hmb = cv.heppner_maynard_boundary(test_map, 0)
    lowest = float(np.abs(hmb["mlat"]).min())
    assert fit["inside_boundary"].values[np.abs(fit["mlat"].values) < lowest].sum() == 0
    with pytest.raises(InvalidArgumentError):
        cv.fitted_velocity(test_map, positions="grid")


# -- against pyDARN ----------------------------------------------------------------------------
def pydarn_speed_factor(hemisphere: str = "north") -> float:
    """pyDARN's speed over ours: it uses R = Re = 6371 km and a 62,000 nT pole field."""
    ours = (cv.EARTH_RADIUS_KM + _ALT) * cv.B_POLE_NT[hemisphere]
    ours *= 1 - 3 * _ALT / cv.EARTH_RADIUS_KM
    theirs = 6371.0 * 62000.0 * (1 - 3 * _ALT / 6371.0)
    return ours / theirs


def southern_mirror(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` as a southern map: hemisphere -1 and vector latitudes negated (as the twin)."""
    south = ds.copy()
    south["hemisphere"] = south["hemisphere"] * 0 - 1
    south["vector.mlat"] = -south["vector.mlat"]
    return south


@pytest.fixture(scope="module")
def twin():
    with np.load(TWIN_PATH) as z:
        return {k: z[k] for k in z.files}


def twin_cases(map_file):
    """(twin key, Dataset, record, hemisphere) of a file's records and the southern mirror."""
    name, ds = map_file
    cases = [(f"{name}/{r}", ds, r, "north") for r in range(ds.sizes["time"])]
    if name == MAP_FILES[0]:
        cases.append(("south/test.map/0", southern_mirror(ds), 0, "south"))
    return cases


def test_potential_matches_pydarn(map_file, twin):
    for key, ds, r, _ in twin_cases(map_file):
        lat_axis, lon_axis = twin[f"{key}/mlat"], twin[f"{key}/mlon"]
        mlon, mlat = np.meshgrid(lon_axis, lat_axis, indexing="ij")
        theirs = twin[f"{key}/potential"]
        ours = cv.potential_at(ds, mlat, mlon, time=r).values[0]
        ours[np.abs(mlat) < float(ds["latmin"].values[r])] = 0.0  # as pyDARN draws it
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)  # kV
        assert np.abs(theirs).max() > 5  # a real pattern, not zeros
        # and pyDARN's CPCP is the file's pot.drop
        assert float(twin[f"{key}/pot_drop"]) == float(ds["pot.drop"].values[r])


def test_fitted_velocities_match_pydarn(map_file, twin):
    for key, ds, r, hemisphere in twin_cases(map_file):
        fit = cv.fitted_velocity(ds, r)
        speed, azimuth = twin[f"{key}/fitted_speed"], twin[f"{key}/fitted_azimuth"]
        assert speed.shape == fit["speed"].shape
        # poleward of latmin (beyond it the expansion means nothing; RST and pyDARN's
        # derivative divides by a sine that changes sign there)
        keep = np.abs(fit["mlat"].values) >= float(ds["latmin"].values[r])
        diff = np.mod(fit["azimuth"].values - np.degrees(azimuth) + 180, 360) - 180
        assert np.abs(diff[keep]).max() < 2e-3  # degrees (pyDARN works in float32 latitudes)
        np.testing.assert_allclose(
            fit["speed"].values[keep] * pydarn_speed_factor(hemisphere), speed[keep], rtol=2e-5
        )


@pytest.mark.skipif(not os.environ.get("GEOSPACEXR_REF_PYDARN"), reason="set GEOSPACEXR_REF_PYDARN")
def test_live_pydarn_twin(superdarn_data, twin):
    """pyDARN, run now on the real files, still gives the recorded twin."""
    out = subprocess.run(
        [os.environ["GEOSPACEXR_REF_PYDARN"], str(HERE / "reference" / "pydarn_convection_twin.py"),
         str(superdarn_data), "-"],
        check=True, capture_output=True, timeout=600, env={**os.environ, "MPLBACKEND": "Agg"},
    )  # fmt: skip
    with np.load(io.BytesIO(out.stdout)) as live:
        assert sorted(live.files) == sorted(twin)
        for key in twin:
            if twin[key].dtype.kind in "fc":
                np.testing.assert_allclose(live[key], twin[key], rtol=1e-12, atol=1e-12)


def test_twin_generator_is_named_in_the_twin(twin):
    assert str(twin["generator"]) == "tests/superdarn/reference/pydarn_convection_twin.py"
    assert (HERE / "reference" / "pydarn_convection_twin.py").is_file()
    assert str(twin["versions"][0]).startswith("pydarn ")


# -- vectors, boundary, the map bundle, errors -----------------------------------------------
@pytest.mark.parametrize("name", GRID_FILES + MAP_FILES)
def test_line_of_sight_vectors(name, superdarn_data):
    path = superdarn_data / name
    if not path.is_file():
        pytest.skip(f"{path} absent")
    ds = geospacexr.open_superdarn(path)
    los = cv.line_of_sight(ds)
    assert los.sizes["vector"] == ds.sizes["vector"]
    np.testing.assert_allclose(los["velocity"], ds["vector.vel.median"])
    np.testing.assert_allclose(
        los["velocity"] * np.cos(np.radians(ds["vector.kvect"].astype(float))),
        los["v_north"],
        atol=1e-9,
    )
    np.testing.assert_allclose(np.hypot(los["v_north"], los["v_east"]), los["speed"], rtol=1e-6)
    one = cv.line_of_sight(ds, time=-1)
    assert (one["vector_record"] == ds.sizes["time"] - 1).all()
    if ds.attrs["superdarn_type"] == "grid":
        with pytest.raises(IncompatibleInputError):
            cv.potential(ds)
    assert np.isfinite(los["mlt"]).all() and (los["mlt"] >= 0).all() and (los["mlt"] < 24).all()


def test_mlt_of_maps_agrees_with_aacgm(test_map):
    """The map's mlt.av (RST's AACGM-v2) and aacgmv2's MLT agree to about a minute."""
    aacgmv2 = pytest.importorskip("aacgmv2")
    los = cv.line_of_sight(test_map, 0)
    middle = (
        test_map["time"].values[0]
        + (test_map["end_time"].values[0] - test_map["time"].values[0]) / 2
    )
    theirs = aacgmv2.convert_mlt(los["mlon"].values, middle.astype("datetime64[us]").astype(object))
    diff = np.mod(los["mlt"].values - theirs + 12, 24) - 12
    assert np.abs(diff).max() < 0.05  # hours (aacgmv2 2.7 vs the RST that wrote the file)


def test_heppner_maynard_boundary(map_file):
    _, ds = map_file
    hmb = cv.heppner_maynard_boundary(ds)
    assert hmb.sizes["boundary_point"] == ds.sizes["boundary_point"]
    np.testing.assert_array_equal(hmb["mlat"], ds["boundary.mlat"])
    for r in range(ds.sizes["time"]):
        here = hmb["boundary_point_record"].values == r
        # latmin is the boundary's lowest latitude
        assert np.abs(hmb["mlat"].values[here]).min() == pytest.approx(
            float(ds["latmin"].values[r]), abs=1e-4
        )


def test_convection_map_bundle_round_trips_netcdf(map_file, tmp_path):
    _, ds = map_file
    bundle = cv.convection_map(ds)
    assert bundle.attrs["record"] == 0
    assert bundle["potential"].dims == ("mlat", "mlt")
    assert bundle.attrs["cpcp"] == pytest.approx(bundle.attrs["pot_drop"], rel=5e-3)
    assert bundle.sizes["vector"] == int(np.sum(ds["vector_record"] == 0))
    for name in ("fitted_speed", "los_velocity", "boundary_mlat"):
        assert name in bundle
    path = tmp_path / "map.nc"
    bundle.to_netcdf(path)
    back = xr.load_dataset(path)
    np.testing.assert_allclose(back["potential"], bundle["potential"])
    for result in (cv.potential(ds), cv.cross_polar_cap_potential(ds), cv.fitted_velocity(ds)):
        result.to_netcdf(tmp_path / "x.nc")
    with pytest.raises(InvalidArgumentError):
        cv.convection_map(ds, time=[0, 0])


def test_time_selection_and_wrong_input(test_map):
    by_time = cv.cross_polar_cap_potential(test_map, time=str(test_map["time"].values[1]))
    by_index = cv.cross_polar_cap_potential(test_map, time=1)
    np.testing.assert_allclose(by_time["cpcp"], by_index["cpcp"])
    both = cv.cross_polar_cap_potential(test_map, time=[1, 0])
    np.testing.assert_array_equal(both["time"], test_map["time"].values[[1, 0]])
    with pytest.raises(geospacexr.errors.OutOfRangeError):
        cv.potential(test_map, time=5)
    with pytest.raises(InvalidArgumentError):
        cv.potential(test_map, time=object())
    with pytest.raises(WrongKindError):
        cv.potential(xr.Dataset())


def test_records_of_different_fit_orders_and_a_record_without_a_fit(superdarn_data):
    paths = [superdarn_data / name for name in MAP_FILES]
    if not all(p.is_file() for p in paths):
        pytest.skip("map files absent")
    both = geospacexr.open_superdarn(paths)  # order 8, 8 and 6: N+2 NaN-padded in record 2
    assert list(both["fit.order"].values) == [8, 8, 6]
    alone = geospacexr.open_superdarn(paths[1])
    np.testing.assert_allclose(
        cv.cross_polar_cap_potential(both, time=2)["cpcp"],
        cv.cross_polar_cap_potential(alone)["cpcp"],
        rtol=1e-12,
    )
    lat, lon = np.meshgrid(np.arange(75.0, 90.0, 3.0), np.arange(0.0, 360.0, 30.0))
    np.testing.assert_allclose(
        cv.potential_at(both, lat, lon, time=2), cv.potential_at(alone, lat, lon), rtol=1e-12
    )
    broken = both.copy()
    broken["N+2"] = broken["N+2"].where(broken["time"] != broken["time"][1])
    cpcp = cv.cross_polar_cap_potential(broken)
    assert np.isnan(cpcp["cpcp"].values[1]) and np.isfinite(cpcp["cpcp"].values[[0, 2]]).all()
    assert np.isnan(cv.potential(broken, time=1)).all()
    assert np.isnan(cv.fitted_velocity(broken, time=1)["speed"]).all()


def rst_shift(lat, lon, lat_shift, lon_shift):
    """RST CnvMapCrdShft's spherical-triangle formulas, one point (the reference)."""
    lon = (lon + lon_shift) % 360
    a = np.radians(90 - lat)
    d = np.radians(lat_shift)
    b = np.arccos(
        np.clip(
            np.cos(a) * np.cos(d) + np.sin(a) * np.sin(d) * np.cos(np.radians(180 - lon)), -1, 1
        )
    )
    angle = np.arccos(np.clip((np.cos(a) - np.cos(b) * np.cos(d)) / (np.sin(b) * np.sin(d)), -1, 1))
    if lon > 180:
        angle = 2 * np.pi - angle
    # azimuth: RST subtracts sign(d) * cang (adds it beyond 180 degrees) to go to the fit frame
    arg = (np.cos(d) - np.cos(a) * np.cos(b)) / (np.sin(a) * np.sin(b))
    cang = np.degrees(np.arccos(np.clip(arg, -1, 1)))
    to_fit = -np.sign(d) * cang if np.degrees(angle) <= 180 else np.sign(d) * cang
    return 90 - np.degrees(b), (np.degrees(angle) - lon_shift) % 360, -to_fit


@pytest.mark.parametrize("lat_shift, lon_shift", [(3.0, 0.0), (5.0, 20.0), (-4.0, 250.0)])
def test_shift_coordinates_match_rsts_spherical_triangle(lat_shift, lon_shift):
    lat = np.array([62.0, 70.0, 77.5, 84.0, 88.0, 75.0])
    lon = np.array([5.0, 95.0, 170.0, 200.0, 290.0, 359.0])
    ours_lat, ours_lon, ours_rot = cv.shift_coordinates(lat, lon, lat_shift, lon_shift)
    for i in range(lat.size):
        ref_lat, ref_lon, ref_rot = rst_shift(lat[i], lon[i], lat_shift, lon_shift)
        assert ours_lat[i] == pytest.approx(ref_lat, abs=1e-9)
        assert (ours_lon[i] - ref_lon + 180) % 360 - 180 == pytest.approx(0, abs=1e-7)
        # RST's acos of a cosine near 1 costs about 1e-5 degree
        assert (ours_rot[i] - ref_rot + 180) % 360 - 180 == pytest.approx(0, abs=1e-4)
