"""The MAGE samples (generated once per session) and the recorded kaipy twin."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

HERE = Path(__file__).parent
TWIN_PATH = HERE / "reference" / "kaipy_twin.json.gz"


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
