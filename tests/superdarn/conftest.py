"""Real SuperDARN files (``../shared/data/superdarn``) and the recorded darn-dmap twin."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

HERE = Path(__file__).parent
TWIN_PATH = HERE / "reference" / "darn_dmap_twin.json.gz"


def load_twin() -> dict:
    """The twin recorded by ``reference/darn_dmap_twin.py``."""
    with gzip.open(TWIN_PATH, "rt", encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="session")
def twin() -> dict:
    """What darn-dmap 0.8 read from every real file (recorded)."""
    return load_twin()


@pytest.fixture(scope="session")
def superdarn_data(shared_data) -> Path:
    """The folder of real DMAP files (skips when the shared data is absent)."""
    path = shared_data / "superdarn"
    if not path.is_dir():
        pytest.skip(f"real SuperDARN folder {path} is absent")
    return path
