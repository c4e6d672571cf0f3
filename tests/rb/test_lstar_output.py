"""``rb.lstar(..., output=)`` without a Client: written part by part, the same to the bit."""

import os

import numpy as np
import pytest
import xarray as xr

from geospacexr import config, rb
from geospacexr.errors import InvalidArgumentError

PER_PART = 3  # 7 particles: parts of 3 + 3 + 1


def _particles():
    rng = np.random.default_rng(8)
    n = 7
    phi = rng.uniform(0, 2 * np.pi, n)
    r = rng.uniform(2.5, 7.0, n)
    time = np.datetime64("2015-03-16T12:00", "ns") + rng.integers(0, 3, n) * np.timedelta64(
        61_500, "ms"
    )  # times that are not whole minutes, shared by some particles across parts
    x, y = r * np.cos(phi), r * np.sin(phi)
    x[4] = 0.5  # inside the Earth: status 6, NaNs
    y[4] = 0.0
    return rb.particles(x, y, 0.2, rng.uniform(30, 90, n), energy=1.5, time=time)


@pytest.fixture(scope="module")
def model():
    return rb.models.get("t89", kp=2)


@pytest.fixture(scope="module")
def in_memory(model):
    return rb.lstar(_particles(), model, accuracy="fast")


def _same(written, expected):
    """Every variable and coordinate equal to the bit (NaN where NaN), same dtypes and attrs."""
    assert set(written.variables) == set(expected.variables)
    for name, var in expected.variables.items():
        got = written[name].values
        assert got.dtype == var.values.dtype, name
        assert np.array_equal(got, var.values, equal_nan=var.dtype.kind == "f"), name
    assert set(written.attrs) == set(expected.attrs)


def test_written_file_is_the_in_memory_result(tmp_path, model, in_memory):
    out = tmp_path / "lstar.nc"
    with config.override({"scale.particles_per_task": PER_PART}):
        assert rb.lstar(_particles(), model, accuracy="fast", output=out) == out
    assert os.listdir(tmp_path) == ["lstar.nc"]  # the part folder is gone
    assert (in_memory["status"] == 6).sum() == 1 and (in_memory["status"] == 0).sum() >= 4
    in_memory.to_netcdf(tmp_path / "reference.nc")
    with xr.open_dataset(out) as got, xr.open_dataset(tmp_path / "reference.nc") as ref:
        got.load()
        xr.testing.assert_identical(got, ref)
    _same(got, in_memory)


def test_accessor_and_finish(tmp_path, model, in_memory):
    def finish(out, particles):
        return out.assign(x=particles["x"]).assign_attrs(note="added")

    out = tmp_path / "lstar.nc"
    with config.override({"scale.particles_per_task": PER_PART}):
        _particles().rb.lstar(model, accuracy="fast", output=out, finish=finish)
    with xr.open_dataset(out) as got:
        got.load()
    _same(got, finish(in_memory, _particles()))


def test_a_failed_part_leaves_nothing(tmp_path, model, monkeypatch):
    """(The part folders of killed runs: ``test_K_footprint_output.py``, for lstar too.)"""
    from geospacexr.rb import invariants

    out = tmp_path / "lstar.nc"
    real, calls = invariants._invariants_dataset, []

    def fails_on_the_second_part(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the second part fails")
        return real(*args, **kwargs)

    monkeypatch.setattr(invariants, "_invariants_dataset", fails_on_the_second_part)
    with config.override({"scale.particles_per_task": PER_PART}):
        with pytest.raises(RuntimeError, match="second part"):
            rb.lstar(_particles(), model, accuracy="fast", output=out)
    assert os.listdir(tmp_path) == []  # no output, no part (the first part's removed too)


def test_a_folder_is_not_an_output(tmp_path, model):
    with pytest.raises(InvalidArgumentError, match="a directory"):
        rb.lstar(_particles(), model, accuracy="fast", output=tmp_path)
