"""The ``superdarn-fitacf`` sample: deterministic, small, real fitacf fields, plausible physics."""

from __future__ import annotations

import bz2
import warnings

import numpy as np
import pytest

import geospacexr
from geospacexr import datasets
from geospacexr._synth import superdarn as synth
from geospacexr.io.dmap import HEADER, _record_fields, read_dmap_bytes
from geospacexr.io.registry import readers
from geospacexr.superdarn import dmap_bytes


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("superdarn-sample")
    (name,) = datasets.sample_info("superdarn-fitacf").generate(folder)
    return folder / name


@pytest.fixture(scope="module")
def ds(sample):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return geospacexr.open_superdarn(sample, mode="strict")


def _first_record_fields(content: bytes):
    _, size, ns, na = HEADER.unpack_from(content, 0)
    scalars, arrays = _record_fields(content, 0, size, ns, na)
    return [(n, k) for n, k, _ in scalars], [(n, k) for n, k, _, _ in arrays]


def test_registered_and_named_by_the_reader():
    info = datasets.sample_info("superdarn-fitacf")
    assert info.kind == "superdarn" and info.single_file
    assert readers()["superdarn-dmap"].sample == "superdarn-fitacf"


def test_small_deterministic_and_written_exactly(sample, ds):
    raw = sample.read_bytes()
    assert raw.startswith(b"BZh") and len(raw) < 2 * 1024 * 1024
    content = bz2.decompress(raw)
    assert dmap_bytes(synth.fitacf_records()) == content  # same records on every build
    assert dmap_bytes(ds) == content  # and the writer gives them back from the read Dataset


def test_fields_and_types_are_a_real_fitacf_records(sample, superdarn_data):
    real, _ = read_dmap_bytes(superdarn_data / "darn-dmap" / "test.fitacf")
    content = bz2.decompress(sample.read_bytes())
    assert _first_record_fields(content) == _first_record_fields(real)
    # every record of the sample has the one field order (gates are reported in each)
    assert list(synth.SCALARS) == _first_record_fields(real)[0]


def test_scans_beams_and_gates(ds):
    assert ds.attrs["superdarn_type"] == "fitacf" and ds.attrs["station_id"] == 5
    assert ds.sizes["range_gate"] == 75 and set(np.unique(ds.nrang)) == {75}
    span = (ds.time[-1] - ds.time[0]).values / np.timedelta64(1, "m")
    assert 118 < span < 120
    assert np.all(np.diff(ds.time.values) > np.timedelta64(0))
    starts = ds.time.values[ds.scan.values == 1]
    assert len(starts) == 120 and np.all(ds.bmnum.values[ds.scan.values == 1] == 0)
    gaps = np.diff(starts) / np.timedelta64(1, "s")
    assert np.all(np.abs(gaps - 60) < 1)
    assert set(np.unique(ds.bmnum)) == set(range(16))
    azimuth = ds.bmazm.values[:16]
    assert np.allclose(np.diff(azimuth), 3.24, atol=1e-4)


def test_ground_and_ionospheric_scatter_are_plausible(ds):
    gflg = ds.gflg.values
    v, w, p = ds.v.values, ds.w_l.values, ds.p_l.values
    ground, iono = gflg == 1, gflg == 0
    assert 0.1 < ground.sum() / (ground.sum() + iono.sum()) < 0.6
    gate = np.broadcast_to(ds.range_gate.values, gflg.shape)
    assert gate[ground].max() <= 24 and np.median(gate[ground]) < np.median(gate[iono])
    assert np.nanpercentile(np.abs(v[ground]), 95) < 20  # ground scatter: ~0 m/s
    assert 100 < np.nanmedian(np.abs(v[iono])) < 800  # F-region E x B drifts
    assert np.nanmedian(w[iono]) > 3 * np.nanmedian(w[ground])
    assert 0 < np.nanmin(p) and np.nanmax(p) < 50
    assert np.all(ds.v_e.values[iono | ground] > 0)
    # the convection pattern, not noise: each beam sees the same LOS velocity scan after scan
    beam7 = np.where(iono & (ds.bmnum.values[:, None] == 7), v, np.nan)[:, 25:36]
    first, last = np.nanmedian(beam7[:200]), np.nanmedian(beam7[-200:])
    assert abs(first) > 50 and np.sign(first) == np.sign(last)
    noise = ds["noise.sky"].values
    assert np.all((noise > 0) & (noise < 20))
    elv = ds.elv.values[iono]
    assert 10 < np.nanmin(elv) and np.nanmax(elv) < 45
