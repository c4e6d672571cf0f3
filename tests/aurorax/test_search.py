"""AuroraX searches against the local replay server: requests, polling, Dataset layouts."""

from __future__ import annotations

import aurorax_schemas as schemas
import jsonschema
import numpy as np
import pytest

import geospacexr.aurorax as ax
from geospacexr.aurorax import replay as rp
from geospacexr.errors import InvalidArgumentError, SearchFailedError, ServiceTimeoutError

GROUND = [
    {
        "programs": ["themis-asi"],
        "platforms": ["gillam"],
        "metadata_filters": ax.cloud_free(min_confidence=80),
    }
]
SPACE = [{"programs": ["swarm"], "platforms": ["swarma"], "hemisphere": ["northern"]}]


@pytest.mark.parametrize("kind", ["conjunctions", "ephemeris", "data_products"])
def test_replayed_records_obey_the_documented_schemas(kind):
    for record in rp.RESULTS[kind]:
        jsonschema.validate(record, schemas.RECORDS[kind])
    jsonschema.validate(rp.AVAILABILITY, schemas.AVAILABILITY)
    jsonschema.validate(rp.MAINTENANCE, schemas.ERROR_DOCUMENT)


def test_conjunction_search_submits_polls_and_returns_a_dataset(replay):
    replay.polls_needed = 3
    ds = ax.conjunctions(
        "2014-03-10T00:00",
        "2014-03-10T23:59",
        ground=GROUND,
        space=SPACE,
        max_distances=500,
        progress=False,
    )
    posts = [e for e in replay.log if e["method"] == "POST"]
    assert [e["path"] for e in posts] == ["/api/v1/conjunctions/search"]
    body = posts[0]["body"]
    jsonschema.validate(body, schemas.CONJUNCTION_QUERY)
    assert body["max_distances"] == {"ground1-space1": 500.0}
    assert body["start"] == "2014-03-10T00:00:00" and body["end"] == "2014-03-10T23:59:00"
    expr = body["ground"][0]["ephemeris_metadata_filters"]["expressions"]
    assert expr == [
        {"key": "calgary_cloud_ml_v1", "operator": "=", "values": ["classified as not cloudy"]},
        {"key": "calgary_cloud_ml_v1_confidence", "operator": ">=", "values": ["80"]},
    ]
    polls = [e for e in replay.log if e["method"] == "GET" and e["path"].count("/") == 5]
    assert len(polls) == 3  # data_uri appears on the third status read
    assert ds.sizes == {"conjunction": 2, "source": 2}
    assert ds.attrs["geospacexr_kind"] == "aurorax_conjunctions"
    assert ds["start"].dtype == np.dtype("datetime64[ns]")
    assert str(ds["closest_epoch"].values[0])[:19] == "2014-03-10T06:01:00"
    np.testing.assert_allclose(ds["min_distance"], [112.48, 301.0])
    assert ds["min_distance"].attrs["units"] == "km"
    assert list(ds["source_name"].values[0]) == [
        "themis-asi/gillam/panchromatic ASI",
        "swarm/swarma/footprint",
    ]
    assert list(ds["conjunction_type"].values) == ["nbtrace", "nbtrace"]
    df = ds.to_dataframe()
    assert len(df) == 4 and "max_distance" in df.columns


def test_results_round_trip_through_netcdf(replay, tmp_path):
    ds = ax.conjunctions("2014-03-10", "2014-03-11", ground=GROUND, space=SPACE, progress=False)
    ds.to_netcdf(tmp_path / "c.nc")
    dp = ax.data_products("2014-03-10", "2014-03-11", programs="themis-asi", progress=False)
    dp.to_netcdf(tmp_path / "d.nc")
    for name, eph in ax.ephemeris("2014-03-10", "2014-03-11", progress=False).items():
        eph.to_netcdf(tmp_path / f"{name.replace('/', '_')}.nc")


def test_every_pair_gets_a_distance(replay):
    ax.conjunctions(
        "2014-03-10",
        "2014-03-11",
        ground=GROUND * 2,
        space=SPACE,
        adhoc=[{"locations": [(56.0, -94.0)]}],
        conjunction_types=["nbtrace", "sbtrace"],
        max_distances={"space1-ground2": 800},
        default_distance=400,
        progress=False,
    )
    body = replay.log[0]["body"]
    assert body["max_distances"] == {
        "ground1-ground2": 400.0,
        "ground1-space1": 400.0,
        "ground1-adhoc1": 400.0,
        "ground2-space1": 800.0,
        "ground2-adhoc1": 400.0,
        "space1-adhoc1": 400.0,
    }
    assert body["adhoc"] == [{"locations": [{"lat": 56.0, "lon": -94.0}]}]
    assert body["space"][0]["hemisphere"] == ["northern"]


def test_ephemeris_one_dataset_per_source_along_epoch(replay):
    out = ax.ephemeris(
        "2014-03-10T05:00",
        "2014-03-10T06:00",
        programs=["swarm", "themis-asi"],
        metadata_filters=[("clausen_ml_oath", "in", ["arc", "discrete"])],
        progress=False,
    )
    body = replay.log[0]["body"]
    jsonschema.validate(body, schemas.EPHEMERIS_QUERY)
    assert body["data_sources"]["ephemeris_metadata_filters"]["logical_operator"] == "AND"
    assert sorted(out) == ["swarm/swarma/footprint", "themis-asi/gillam/panchromatic ASI"]
    sw = out["swarm/swarma/footprint"]
    assert sw.sizes == {"epoch": 3}
    assert [str(t)[11:16] for t in sw["epoch"].values] == ["06:00", "06:01", "06:02"]  # sorted
    np.testing.assert_allclose(sw["nbtrace_lat"], [57.7, 57.8, 57.9])
    assert {"lat", "lon", "sbtrace_lat", "gsm_lat", "metadata_radial_distance"} <= set(sw)
    assert sw.attrs["display_name"] == "Swarm A" and sw.attrs["identifier"] == "3"
    gill = out["themis-asi/gillam/panchromatic ASI"]
    assert np.isnan(gill["sbtrace_lat"]).all() and np.isnan(gill["gsm_lat"]).all()
    assert list(gill["metadata_calgary_cloud_ml_v1"].values) == ["classified as not cloudy"] * 2
    assert gill["metadata_calgary_cloud_ml_v1_confidence"].dtype == float
    df = out.to_dataframe()
    assert len(df) == 5 and set(df["data_source"]) == set(out)
    assert len(gill.to_dataframe()) == 2


def test_data_products_table_with_urls(replay):
    ds = ax.data_products(
        "2014-03-10",
        "2014-03-10T23:59",
        platforms="gillam",
        data_product_types=["keogram", "montage"],
        progress=False,
    )
    jsonschema.validate(replay.log[0]["body"], schemas.DATA_PRODUCTS_QUERY)
    assert replay.log[0]["body"]["data_product_type_filters"] == ["keogram", "montage"]
    assert ds.sizes == {"data_product": 2}
    assert ds["url"].values[0].endswith("full-keogram.pgm.jpg")
    assert list(ds["data_product_type"].values) == ["keogram", "montage"]
    assert list(ds["metadata_keogram_type"].values) == ["daily", ""]
    assert ds.to_dataframe()["url"].str.startswith("https://").all()


def test_response_format_selects_fields(replay):
    ds = ax.conjunctions(
        "2014-03-10",
        "2014-03-11",
        ground=GROUND,
        space=SPACE,
        progress=False,
        response_format={"start": True, "min_distance": True, "data_sources": {"platform": True}},
    )
    data = [e for e in replay.log if e["path"].endswith("/data")]
    assert data[0]["method"] == "POST"
    assert set(ds.data_vars) >= {"start", "min_distance", "source_platform"}
    assert "max_distance" not in ds and "end" not in ds
    assert list(ds["source_platform"].values[0]) == ["gillam", "swarma"]


def test_wait_false_returns_a_handle_to_poll_and_cancel(replay):
    replay.polls_needed = 2
    search = ax.conjunctions("2014-03-10", "2014-03-11", ground=GROUND, space=SPACE, wait=False)
    assert isinstance(search, ax.Search) and search.request_id in search.request_url
    assert "running" in repr(search)
    assert search.poll() is False
    assert search.poll() is True and search.done
    assert search.logs[0]["summary"] == "Search request received"
    assert search.result().sizes["conjunction"] == 2
    other = ax.ephemeris("2014-03-10", "2014-03-11", wait=False)
    other.cancel()
    assert replay.log[-1]["method"] == "DELETE" and other.request_id in replay.log[-1]["path"]
    assert replay.requests[other.request_id]["cancelled"] and "cancelled" in repr(other)


def test_failed_search_raises_with_the_last_log_line(replay):
    replay.fail_search = "Error processing search: the ephemeris table is unavailable"
    with pytest.raises(SearchFailedError, match="ephemeris table is unavailable") as info:
        ax.ephemeris("2014-03-10", "2014-03-11", progress=False)
    assert info.value.code == "error_condition"


def test_search_not_done_in_time_raises_and_stays_pollable(replay):
    import geospacexr.config as gxc

    replay.polls_needed = 10**6
    with (
        gxc.override({"aurorax.timeout_s": 0.1}),
        pytest.raises(ServiceTimeoutError, match=r"not done within 0.1 s \(aurorax.timeout_s\)"),
    ):
        ax.data_products("2014-03-10", "2014-03-11", progress=False)
    search = ax.data_products("2014-03-10", "2014-03-11", wait=False)
    with pytest.raises(ServiceTimeoutError):
        search.wait(timeout=0.05, progress=False)
    replay.polls_needed = 0
    assert search.wait(progress=False).done and search.result().sizes["data_product"] == 2


def test_availability_as_dataset(replay):
    ds = ax.availability("2014-03-10T12:00", "2014-03-12", program="swarm")
    entry = replay.log[0]
    assert entry["query"] == {"start": ["2014-03-10"], "end": ["2014-03-12"], "program": ["swarm"]}
    assert ds.sizes == {"data_source": 2, "date": 3}
    assert ds["minutes"].sel(data_source="swarm/swarma/footprint").values.tolist() == [1440, 720, 0]
    assert ds["minutes"].attrs["units"] == "min"
    assert len(ds.to_dataframe()) == 6


def test_data_sources_as_dataset(replay):
    ds = ax.data_sources(format="with_metadata")
    assert replay.log[0]["query"]["format"] == ["with_metadata"]
    assert list(ds["data_source"].values) == [
        "themis-asi/gillam/panchromatic ASI",
        "swarm/swarma/footprint",
    ]
    assert ds["metadata"].values[0] == '{"site_unique_id": "gill"}'
    assert ds["platform"].values[1] == "swarma"
    basic = ax.data_sources(program="swarm")
    assert list(basic["platform"].values) == ["swarma"] and "owner" not in basic
    with pytest.raises(InvalidArgumentError, match="format"):
        ax.data_sources(format="everything")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ground": GROUND}, "2 to 10 criteria blocks"),
        ({"ground": GROUND * 6, "space": SPACE * 5}, "2 to 10 criteria blocks"),
        ({"ground": GROUND, "space": SPACE, "conjunction_types": ["footprint"]}, "footprint"),
        ({"ground": GROUND, "space": SPACE, "max_distances": {"ground1-space2": 5}}, "not a pair"),
        ({"ground": GROUND, "space": SPACE, "max_distances": -5}, "distance >= 0"),
        ({"ground": [{"program": ["x"]}], "space": SPACE}, "unknown keys"),
        ({"ground": GROUND, "space": [{"hemisphere": ["east"]}]}, "hemisphere"),
        ({"ground": GROUND, "adhoc": [{"locations": [(95, 0)]}]}, "not a position"),
    ],
)
def test_bad_conjunction_arguments_are_refused_before_sending(replay, kwargs, match):
    with pytest.raises(InvalidArgumentError, match=match):
        ax.conjunctions("2014-03-10", "2014-03-11", **kwargs)
    assert replay.log == []


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("calgary_cloud_ml_v1", "~", "x"), "not an operator"),
        (("calgary_cloud_ml_v1", "=", "sunny"), "not among the classes"),
        (("clausen_ml_oath", "in", ["arc", "aurora"]), "not among the classes"),
        (("calgary_apa_ml_v1_confidence", "between", [10]), "two values"),
        (("nbtrace_region", "=", ["a", "b"]), "takes one value"),
    ],
)
def test_bad_metadata_expressions(args, match):
    with pytest.raises(InvalidArgumentError, match=match):
        ax.expression(*args)


def test_metadata_filter_or_and_between():
    f = ax.metadata_filter(
        ("calgary_apa_ml_v1_confidence", "between", [50, 100]),
        {"key": "clausen_ml_oath", "operator": "not in", "values": ["cloudy", "moon"]},
        logical_operator="or",
    )
    jsonschema.validate(f, schemas.FILTER)
    assert f["logical_operator"] == "OR" and f["expressions"][0]["values"] == ["50", "100"]
    with pytest.raises(InvalidArgumentError, match="neither 'AND' nor 'OR'"):
        ax.metadata_filter(logical_operator="XOR")


def test_times_end_before_start_and_time_zones(replay):
    with pytest.raises(InvalidArgumentError, match="before start"):
        ax.ephemeris("2014-03-11", "2014-03-10")
    ax.ephemeris("2014-03-10T01:00+01:00", "2014-03-10T02:00Z", progress=False)
    assert replay.log[0]["body"]["start"] == "2014-03-10T00:00:00"


def test_replay_start_points_the_configuration_at_it(monkeypatch):
    import os

    import geospacexr.config as gxc

    for var in ("API_URL", "ATM_URL", "POLL_INTERVAL_S"):
        monkeypatch.delenv(f"GEOSPACEXR_AURORAX_{var}", raising=False)
    server = rp.start()
    try:
        assert os.environ["GEOSPACEXR_AURORAX_API_URL"] == server.url
        assert gxc.get().aurorax.api_url == server.url == gxc.get().aurorax.atm_url
        assert gxc.get().aurorax.poll_interval_s == 0.05
        ds = ax.conjunctions("2014-03-10", "2014-03-11", ground=GROUND, space=SPACE, progress=False)
        assert ds.sizes["conjunction"] == 2 and server.log[0]["method"] == "POST"
    finally:
        server.close()


def test_metadata_keys_become_netcdf_safe_names(tmp_path):
    rec = dict(rp.EPHEMERIS[0], metadata={"odd key/with slash": 1.5, "text": None})
    ds = ax.ephemeris_datasets([rec])["swarm/swarma/footprint"]
    assert ds["metadata_odd_key_with_slash"].attrs["source_name"] == "metadata.odd key/with slash"
    assert ds["metadata_text"].values.tolist() == [""]
    ds.to_netcdf(tmp_path / "m.nc")


def test_availability_sources_and_comparison_round_trip_through_netcdf(replay, tmp_path):
    ax.availability("2014-03-10", "2014-03-12").to_netcdf(tmp_path / "a.nc")
    ax.data_sources(format="full_record").to_netcdf(tmp_path / "s.nc")
    sw = ax.ephemeris("2014-03-10", "2014-03-11", progress=False)["swarm/swarma/footprint"]
    track = sw[["nbtrace_lat", "nbtrace_lon"]].rename(
        epoch="time", nbtrace_lat="lat", nbtrace_lon="lon"
    )
    ax.compare_footprints(sw, track).to_netcdf(tmp_path / "c.nc")


def test_unnamed_pairs_take_the_configured_distance(replay):
    import geospacexr.config as gxc

    ax.conjunctions("2014-03-10", "2014-03-11", ground=GROUND, space=SPACE, progress=False)
    assert replay.log[0]["body"]["max_distances"] == {"ground1-space1": 300.0}
    with gxc.override({"aurorax.default_distance_km": 750}):
        ax.conjunctions("2014-03-10", "2014-03-11", ground=GROUND, space=SPACE, progress=False)
    posts = [e for e in replay.log if e["method"] == "POST" and e["path"].endswith("/search")]
    assert posts[1]["body"]["max_distances"] == {"ground1-space1": 750.0}
