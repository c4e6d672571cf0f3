"""The same calls against the real services (``pytest --live``; skipped by default)."""

from __future__ import annotations

import numpy as np
import pytest

import geospacexr.aurorax as ax
from geospacexr.aurorax import atm

pytestmark = pytest.mark.live


def test_live_data_sources_and_availability():
    ds = ax.data_sources(program="swarm")
    assert "swarma" in set(ds["platform"].values)
    av = ax.availability("2020-01-01", "2020-01-02", program="swarm")
    assert av["minutes"].sizes["date"] == 2


def test_live_conjunctions_ephemeris_data_products():
    conj = ax.conjunctions(
        "2020-01-01T00:00",
        "2020-01-01T23:59",
        ground=[{"programs": ["themis-asi"]}],
        space=[{"programs": ["swarm"]}],
        max_distances=500,
        progress=False,
    )
    assert "conjunction" in conj.sizes  # possibly none on that day
    if conj.sizes["conjunction"]:
        assert set(conj["conjunction_type"].values) <= {"nbtrace"}
    eph = ax.ephemeris("2020-01-01T06:00", "2020-01-01T06:10", platforms="swarma", progress=False)
    for ds in eph.values():
        assert np.isfinite(ds["lat"]).any()
    dp = ax.data_products("2020-01-01", "2020-01-01T23:59", platforms="gillam", progress=False)
    assert "data_product" in dp.sizes
    if dp.sizes["data_product"]:
        assert all(u.startswith("http") for u in dp["url"].values)


def test_live_atm_golden_values():
    fwd = atm.forward("2021-11-04T06:00", 58.227808, -103.680631, outputs="brightness")
    assert fwd["height_integrated_rayleighs_5577"].item() == pytest.approx(16677.78, rel=0.05)
    inv = atm.inverse(
        "2021-11-04T06:00",
        58.227808,
        -103.680631,
        {4278: 2302.6, 5577: 11339.5, 6300: 528.3, 8446: 427.4},
        "gaussian",
    )
    assert inv["energy_flux"].item() == pytest.approx(8.972, rel=0.1)
