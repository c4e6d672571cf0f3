"""The swmf-idl and lfm-hdf samples: registered, deterministic, small, the documented field."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from geospacexr import datasets
from geospacexr._synth import mhd_files


def _digests(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_registered_as_mhd():
    info = {d["name"]: d for d in datasets.list_samples(details=True)}
    assert info["swmf-idl"]["kind"] == "mhd" and info["lfm-hdf"]["kind"] == "mhd"


def test_swmf_generation_is_deterministic_and_small(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    names = mhd_files.swmf_generator()(a)
    mhd_files.swmf_generator()(b)
    assert _digests(a) == _digests(b)
    assert sum((a / n).stat().st_size for n in names) < 2_000_000


def test_lfm_generation_is_deterministic_wherever_written(tmp_path):
    pytest.importorskip("pyhdf.SD")
    a, b = tmp_path / "a", tmp_path / "deeper" / "b"
    a.mkdir(), b.mkdir(parents=True)
    mhd_files.lfm_generator()(a)
    mhd_files.lfm_generator()(b)
    assert _digests(a) == _digests(b)  # HDF4 stores the name it was opened with: a bare one


def test_field_is_a_potential_field():
    """div B = 0 and curl B = 0 (central differences), and the equatorial field of the docs."""
    h = 1e-4
    p = np.array([[5.0, 2.0, 1.0], [-8.0, -3.0, 2.5], [3.0, 0.5, -4.0]])

    def jac(x, y, z):
        out = np.empty((3, 3, len(x)))
        for k, d in enumerate(np.eye(3)):
            plus = mhd_files.magnetic_field(x + h * d[0], y + h * d[1], z + h * d[2])
            minus = mhd_files.magnetic_field(x - h * d[0], y - h * d[1], z - h * d[2])
            for i in range(3):
                out[i, k] = (plus[i] - minus[i]) / (2 * h)
        return out

    j = jac(*p.T)
    scale = np.abs(j).max()
    assert np.abs(j[0, 0] + j[1, 1] + j[2, 2]).max() < 1e-6 * scale
    assert np.abs(j - j.transpose(1, 0, 2)).max() < 1e-6 * scale
    _, _, bz = mhd_files.magnetic_field(np.array([4.0, -4.0]), 0.0, 0.0)
    np.testing.assert_allclose(bz, [30000 / 64 + 20 + 8, 30000 / 64 + 20 - 8])
