import numpy as np
import pytest

from geospacexr import resources
from geospacexr.errors import FileFormatError


def test_coastlines_are_shipped_and_valid():
    lines = resources.coastlines()
    assert len(lines) == 134
    assert sum(len(line) for line in lines) == 5128
    allpts = np.concatenate(lines)
    assert allpts[:, 0].min() >= -180 and allpts[:, 0].max() <= 180
    assert allpts[:, 1].min() >= -90 and allpts[:, 1].max() <= 90


def test_unknown_file():
    with pytest.raises(FileFormatError, match="no shipped data file"):
        resources.data_file("nope.json")
    with pytest.raises(ValueError, match="110m"):
        resources.coastlines("10m")
