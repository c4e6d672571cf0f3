"""The MAGE samples (generated once per session) and the recorded kaipy twin."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).parent
TWIN_PATH = HERE / "reference" / "kaipy_twin.json.gz"
#: float32 storage scaled in float32 (ours) against float64 (kaipy)
RTOL = 1e-6


def load_twin() -> dict:
    """What kaipy 1.1.5 read from the samples (recorded by ``reference/kaipy_twin.py``)."""
    with gzip.open(TWIN_PATH, "rt", encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="session")
def twin() -> dict:
    """The recorded kaipy twin."""
    return load_twin()


@pytest.fixture
def serial_path() -> Path:
    """``msphere.gam.h5`` of the ``mage-msphere`` sample."""
    from geospacexr import datasets

    return datasets.sample_path("mage-msphere")


@pytest.fixture
def mpi_dir() -> Path:
    """The folder of the ``mage-msphere-mpi`` blocks."""
    from geospacexr import datasets

    return datasets.sample_path("mage-msphere-mpi")


@pytest.fixture
def remix_path() -> Path:
    """``msphere.mix.h5`` of the ``mage-remix`` sample."""
    from geospacexr import datasets

    return datasets.sample_path("mage-remix")


def _check_summary(ours: np.ndarray, rec: dict, what: str) -> None:
    """Our array against a twin record: shape, 64 values, sum, sum of squares, extremes."""
    ours = np.asarray(ours, dtype=np.float64)
    assert list(ours.shape) == rec["shape"], what
    picked = ours[tuple(np.array(rec["index"]))]
    np.testing.assert_allclose(picked, rec["values"], rtol=RTOL, atol=1e-12, err_msg=what)
    scale = np.sqrt(rec["sumsq"]) + 1e-300
    assert abs(ours.sum() - rec["sum"]) <= RTOL * scale * np.sqrt(ours.size), what
    np.testing.assert_allclose((ours**2).sum(), rec["sumsq"], rtol=1e-5, err_msg=what)
    np.testing.assert_allclose([ours.min(), ours.max()], [rec["min"], rec["max"]], rtol=RTOL)


@pytest.fixture
def check_summary():
    """The twin comparison: ``check_summary(ours, record, what)``."""
    return _check_summary
