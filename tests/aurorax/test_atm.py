"""The TREx ATM client against the replayed endpoints: golden values, layout, validation."""

from __future__ import annotations

import aurorax_schemas as schemas
import jsonschema
import numpy as np
import pytest

from geospacexr.aurorax import atm
from geospacexr.aurorax import replay as rp
from geospacexr.errors import InvalidArgumentError, ServiceRequestError, ServiceUnavailableError

T = "2021-11-04T06:00"
LAT, LON = 58.227808, -103.680631
GOLDEN_I = dict(zip((4278, 5577, 6300, 8446), rp.GOLDEN_INVERSE["intensities"], strict=True))


def _bodies(replay, endpoint):
    return [e["body"] for e in replay.log if e["path"] == f"/api/v2/atm/{endpoint}"]


def test_forward_golden_5577_and_layout(replay):
    ds = atm.forward(T, LAT, LON)
    assert ds["height_integrated_rayleighs_5577"].item() == pytest.approx(16677.78, abs=0.005)
    assert ds["height_integrated_rayleighs_5577"].attrs["units"] == "R"
    body = _bodies(replay, "forward")[0]
    jsonschema.validate(body, schemas.ATM_FORWARD_REQUEST)
    assert body["maxwellian_energy_flux"] == 10.0  # explicit: server default 10, pyucalgarysrs 0
    assert "maxwellian_characteristic_energy" not in body  # the server's 5000 eV
    assert body["timestamp"] == "2021-11-04T06:00:00"
    assert ds.sizes == {"altitude": len(rp.ALTITUDES)}
    assert ds["altitude"].attrs["units"] == "km"
    for name in (
        "emission_4278",
        "emission_5577",
        "emission_6300",
        "emission_8446",
        "plasma_electron_density",
        "plasma_ion_temperature",
        "plasma_pedersen_conductivity",
        "plasma_hall_conductivity",
        "neutral_temperature",
        "production_rate_n2plus",
        "plasma_ionisation_rate",
    ):
        assert ds[name].dims == ("altitude",), name
    assert ds["emission_5577"].attrs["units"] == "cm-3 s-1"
    assert ds["plasma_pedersen_conductivity"].attrs["units"] == "S m-1"
    assert "emission_1304" not in ds and "height_integrated_rayleighs_smile_uvi_lbh" not in ds
    # the volume emission rate integrates to the brightness (1 R = 1e6 photons cm-2 s-1)
    column = np.trapezoid(ds["emission_5577"].values, ds["altitude"].values * 1e5) * 1e-6
    assert column == pytest.approx(16677.78, rel=1e-3)
    assert "computed by the UCalgary SRS API" in ds.attrs["model"]
    assert ds.attrs["lat"] == LAT and ds.attrs["geospacexr_kind"] == "atm_forward"
    df = ds.to_dataframe()
    assert len(df) == len(rp.ALTITUDES) and "emission_5577" in df.columns


def test_forward_outputs_all_and_selected(replay):
    ds = atm.forward(
        T, LAT, LON, outputs="all", maxwellian_energy_flux=5.0, maxwellian_mean_energy=8000
    )
    body = _bodies(replay, "forward")[0]
    assert body["maxwellian_characteristic_energy"] == 4000.0  # mean = 2 x characteristic
    assert all(body["output"].values())
    assert {"emission_1304", "emission_smile_uvi_lbh", "height_integrated_rayleighs_1356"} <= set(
        ds
    )
    assert ds["height_integrated_rayleighs_5577"].item() == pytest.approx(16677.78 / 2, abs=0.01)
    few = atm.forward(T, LAT, LON, outputs=["emission_6300", "height_integrated_rayleighs_6300"])
    assert set(few.data_vars) == {"emission_6300", "height_integrated_rayleighs_6300"}
    assert "altitude" in few.coords  # asked for implicitly by a profile
    jsonschema.validate(
        {"data": {}, "request": {}, "calculation_duration_ms": 1}, schemas.ATM_FORWARD_ANSWER
    )


def test_forward_custom_spectrum_and_neutral_profile_are_sent(replay):
    energy = np.logspace(2, 5, 20)
    alt = np.linspace(80, 800, 30)
    profile = np.vstack([alt, *(np.full(30, 1e10) for _ in range(5)), np.full(30, 500.0)])
    atm.forward(
        T,
        LAT,
        LON,
        custom_spectrum={"energy": energy, "flux": energy**-1},
        custom_neutral_profile=profile,
        d_region=False,
        nrlmsis_model_version="00",
    )
    body = _bodies(replay, "forward")[0]
    jsonschema.validate(body, schemas.ATM_FORWARD_REQUEST)
    assert len(body["custom_spectrum"]["energy"]) == 20
    assert body["custom_neutral_profile"]["temperature"][0] == 500.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lat": 95}, "not a latitude"),
        ({"lon": 200}, "not a longitude"),
        ({"maxwellian_energy_flux": -1}, "must be >= 0"),
        ({"maxwellian_characteristic_energy": 0}, "must be > 0"),
        ({"maxwellian_characteristic_energy": 5000, "maxwellian_mean_energy": 1e4}, "not both"),
        ({"nrlmsis_model_version": "2.1"}, "'00' or '2.0'"),
        ({"timescale_auroral": 10.5}, "whole number"),
        ({"outputs": ["emission_9999"]}, "unknown outputs"),
        ({"custom_spectrum": [[1, 2, 3]]}, "2 rows"),
        ({"custom_spectrum": {"energy": [3, 2, 1], "flux": [1, 1, 1]}}, "increasing"),
        ({"custom_neutral_profile": np.ones((7, 5)) * np.arange(1, 6)}, "needs 80-800 km"),
        ({"time": "not a time"}, "not a time"),
    ],
)
def test_forward_refuses_bad_inputs_before_calling(replay, kwargs, match):
    args = {"time": T, "lat": LAT, "lon": LON, **kwargs}
    with pytest.raises(InvalidArgumentError, match=match):
        atm.forward(**args)
    assert replay.log == []


def test_forward_server_validation_error_is_a_request_error(replay):
    replay.queue(
        "/api/v2/atm/forward",
        422,
        {
            "detail": [
                {
                    "loc": ["body", "geodetic_latitude"],
                    "msg": "Input should be a valid number",
                    "type": "float_parsing",
                }
            ]
        },
    )
    jsonschema.validate(replay.queued[0]["body"], schemas.VALIDATION_ERROR)
    with pytest.raises(ServiceRequestError, match="geodetic_latitude: Input should be a valid"):
        atm.forward(T, LAT, LON)


def test_forward_retries_a_gateway_error(replay):
    replay.queue("/api/v2/atm/forward", 504, "gateway timeout", times=3)
    with pytest.raises(ServiceUnavailableError, match="HTTP 504"):
        atm.forward(T, LAT, LON, outputs="brightness")
    assert len(replay.log) == 3


def test_forward_grid_is_one_dataset(replay):
    flux = np.array([[1.0, 2.0], [5.0, 10.0]])
    ds = atm.forward_grid(
        T,
        [57.0, 58.0],
        [-104.0, -103.0],
        maxwellian_energy_flux=flux,
        outputs=["height_integrated_rayleighs_5577", "plasma_pedersen_conductivity"],
    )
    assert ds["height_integrated_rayleighs_5577"].dims == ("lat", "lon")
    assert ds["plasma_pedersen_conductivity"].dims == ("lat", "lon", "altitude")
    np.testing.assert_allclose(
        ds["height_integrated_rayleighs_5577"], 16677.78 * flux / 10, atol=0.01
    )
    assert [b["maxwellian_energy_flux"] for b in _bodies(replay, "forward")] == [1, 2, 5, 10]
    assert ds["maxwellian_energy_flux"].dims == ("lat", "lon")
    with pytest.raises(InvalidArgumentError, match="grid's"):
        atm.forward_grid(T, [57.0], [-104.0, -103.0], maxwellian_energy_flux=flux)


def test_inverse_golden(replay):
    ds = atm.inverse(T, LAT, LON, GOLDEN_I, spectral_type="gaussian")
    assert ds["energy_flux"].item() == pytest.approx(8.972)
    assert ds["mean_energy"].item() == pytest.approx(4992.6)
    assert ds["energy_flux"].attrs["units"] == "erg cm-2 s-1"
    assert ds["mean_energy"].attrs["units"] == "eV"
    assert "oxygen_correction_factor" in ds
    body = _bodies(replay, "inverse")[0]
    jsonschema.validate(body, schemas.ATM_INVERSE_REQUEST)
    assert (
        body["intensity_5577"] == 11339.5 and body["precipitation_flux_spectral_type"] == "gaussian"
    )
    assert ds.attrs["intensity_6300_R"] == 528.3
    jsonschema.validate(
        {"data": {"energy_flux": 1.0}, "request": body, "calculation_duration_ms": 3},
        schemas.ATM_INVERSE_ANSWER,
    )


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((T, 49.9, LON, GOLDEN_I, "gaussian"), {}, "outside the inversion's domain"),
        ((T, 71.5, LON, GOLDEN_I, "gaussian"), {}, "outside the inversion's domain"),
        ((T, LAT, -75.0, GOLDEN_I, "gaussian"), {}, "outside the inversion's domain"),
        ((T, LAT, -161, GOLDEN_I, "gaussian"), {}, "outside the inversion's domain"),
        ((T, LAT, LON, {4278: 1, 5577: 2, 6300: 3}, "gaussian"), {}, "missing \\[8446\\]"),
        ((T, LAT, LON, {**GOLDEN_I, 4861: 5}, "gaussian"), {}, "unknown \\[4861\\]"),
        ((T, LAT, LON, {**GOLDEN_I, 5577: -5}, "gaussian"), {}, "must be >= 0"),
        ((T, LAT, LON, GOLDEN_I, "kappa"), {}, "'gaussian' or 'maxwellian'"),
    ],
)
def test_inverse_refuses_inputs_before_calling(replay, args, kwargs, match):
    with pytest.raises(InvalidArgumentError, match=match):
        atm.inverse(*args, **kwargs)
    assert replay.log == []


def test_inverse_unsupported_date_is_the_servers_400(replay):
    with pytest.raises(ServiceRequestError, match="unsupported date 2022-01-01"):
        atm.inverse("2022-01-01T06:00", LAT, LON, GOLDEN_I, "maxwellian")


def _series(values, times, units="R"):
    import xarray as xr

    return xr.DataArray(
        np.asarray(values, float),
        dims="time",
        coords={"time": np.asarray(times, dtype="datetime64[ns]")},
        attrs={"units": units},
    )


def test_inverse_brightness_aligns_the_bands_and_inverts_each_time(replay):
    t = np.array(
        ["2021-11-04T06:00:00", "2021-11-04T06:00:03", "2021-11-04T06:00:06"],
        dtype="datetime64[ns]",
    )
    g = GOLDEN_I
    bands = {
        5577: _series([g[5577], 2 * g[5577], g[5577]], t),
        4278: _series([g[4278]] * 3, t + np.timedelta64(1, "s")),  # 1 s off: within 1.5 s
        6300: _series([g[6300]] * 2, t[:2]),  # none at the third time: dropped
        8446: _series([g[8446]] * 3, t),
    }
    ds = atm.inverse_brightness(bands, LAT, LON, "gaussian")
    assert ds.sizes == {"time": 2}
    np.testing.assert_allclose(ds["energy_flux"], [8.972, 2 * 8.972])
    assert ds["mean_energy"].attrs["units"] == "eV" and ds["brightness_4278"].attrs["units"] == "R"
    assert [b["intensity_4278"] for b in _bodies(replay, "inverse")] == [g[4278]] * 2
    assert ds.attrs["spectral_type"] == "gaussian"


def test_inverse_brightness_refusals(replay):
    import geospacexr.config as gxc

    t = np.array(["2021-11-04T06:00:00"], dtype="datetime64[ns]")
    ok = {b: _series([v], t) for b, v in GOLDEN_I.items()}
    with pytest.raises(InvalidArgumentError, match="not Rayleigh"):
        atm.inverse_brightness(
            {**ok, 6300: _series([1.0], t, units="counts")}, LAT, LON, "gaussian"
        )
    with pytest.raises(InvalidArgumentError, match="missing \\[8446\\]"):
        atm.inverse_brightness({b: ok[b] for b in (4278, 5577, 6300)}, LAT, LON, "gaussian")
    late = {**ok, 8446: _series([1.0], t + np.timedelta64(10, "s"))}
    with pytest.raises(InvalidArgumentError, match="no time in common"):
        atm.inverse_brightness(late, LAT, LON, "gaussian")
    with (
        gxc.override({"aurorax.max_atm_requests": 3}),
        pytest.raises(InvalidArgumentError, match="max_atm_requests"),
    ):
        atm.forward_grid(T, [57.0, 58.0], [-104.0, -103.0])
    assert replay.log == []


def test_atm_results_round_trip_through_netcdf(replay, tmp_path):
    import xarray as xr

    fwd = atm.forward(T, LAT, LON, outputs="all")
    fwd.to_netcdf(tmp_path / "f.nc")
    back = xr.open_dataset(tmp_path / "f.nc")
    assert back["height_integrated_rayleighs_5577"].item() == pytest.approx(16677.78)
    inv = atm.inverse(T, LAT, LON, GOLDEN_I, "maxwellian")
    inv.to_netcdf(tmp_path / "i.nc")
    assert xr.open_dataset(tmp_path / "i.nc").attrs["spectral_type"] == "maxwellian"


def test_conductance_map_from_a_grid(replay):
    import xarray as xr

    grid = atm.forward_grid(
        T,
        [57.5, 58.5],
        [-104.0],
        maxwellian_energy_flux=np.array([[1.0], [10.0]]),
        outputs=["plasma_pedersen_conductivity", "plasma_hall_conductivity"],
    )
    sigma = atm.conductance(grid)
    assert sigma["pedersen_conductance"].dims == ("lat", "lon")
    assert sigma["hall_conductance"].attrs["units"] == "S"
    expected = np.trapezoid(
        grid["plasma_pedersen_conductivity"].values, grid["altitude"].values * 1e3, axis=-1
    )
    np.testing.assert_allclose(sigma["pedersen_conductance"], expected)
    # a closed form: 1e-4 S/m between 100 and 150 km is 5 S
    flat = xr.Dataset(
        {
            n: ("altitude", np.full(6, 1e-4))
            for n in ("plasma_pedersen_conductivity", "plasma_hall_conductivity")
        },
        coords={"altitude": np.linspace(100, 150, 6)},
    )
    assert atm.conductance(flat)["pedersen_conductance"].item() == pytest.approx(5.0)
    with pytest.raises(InvalidArgumentError, match="plasma_hall_conductivity"):
        atm.conductance(flat.drop_vars("plasma_hall_conductivity"))
