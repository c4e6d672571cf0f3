"""Our riometer readers against pyucalgarysrs 1.28's, on the sample files.

The twin ``reference/pyucalgarysrs_rio_twin.json`` holds what pyucalgarysrs' NORSTAR and SWAN
HSR readers return for each sample file (made by ``reference/pyucalgarysrs_rio_twin.py``):
timestamps, signals and absorption (SHA-256 of their float32 bytes), band lists and metadata.
Each file read alone by our reader must give the same values bit for bit. Set
``GEOSPACEXR_REF_UCALGARY`` to a python with pyucalgarysrs 1.28 to rerun the readers live and
check they still give the recorded twin.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from geospacexr import datasets
from geospacexr.io.riometer import open_riometer

HERE = Path(__file__).parent
SCRIPT = HERE / "reference" / "pyucalgarysrs_rio_twin.py"
TWIN = json.loads((HERE / "reference" / "pyucalgarysrs_rio_twin.json").read_text())


def digest(values) -> str:
    a = np.ascontiguousarray(np.asarray(values, dtype=np.float32)).astype("<f4")
    return hashlib.sha256(a.tobytes()).hexdigest()[:16]


def seconds(times) -> str:
    s = (np.asarray(times) - np.datetime64("1970-01-01", "ns")) // np.timedelta64(1, "s")
    return hashlib.sha256(s.astype("<i8").tobytes()).hexdigest()[:16]


@pytest.fixture(scope="module")
def files() -> dict[str, Path]:
    folder = datasets.sample_path("norstar_rio-gill")
    out = {p.name: p for p in folder.glob("*.txt")}
    hsr = datasets.sample_path("swan_hsr-mean")
    out[hsr.name] = hsr
    return out


def test_twin_covers_the_sample_files_unchanged(files):
    assert sorted(files) == sorted(TWIN["files"])
    for name, path in files.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == TWIN["files"][name]["sha256"], name


@pytest.mark.parametrize("name", sorted(n for n in TWIN["files"] if n.endswith(".txt")))
def test_norstar_file_matches_pyucalgarysrs(name, files):
    ref = TWIN["files"][name]
    ds = open_riometer(files[name])
    assert ds.sizes["time"] == ref["samples"]
    assert str(ds.time.values[0])[:19] == ref["first"]
    assert str(ds.time.values[-1])[:19] == ref["last"]
    assert seconds(ds.time.values) == ref["timestamp"]
    assert digest(ds.raw_signal.values) == ref["raw_signal"]
    if ref["absorption"] is None:
        assert "absorption" not in ds
    else:
        assert digest(ds.absorption.values) == ref["absorption"]
    assert json.loads(ds.attrs["file_metadata"]) == ref["metadata"]
    assert ds.attrs["site"] == ref["metadata"]["site_unique_id"]


def test_hsr_file_matches_pyucalgarysrs(files):
    name = next(n for n in TWIN["files"] if n.endswith(".h5"))
    ref = TWIN["files"][name]
    ds = open_riometer(files[name])
    assert ds.sizes["time"] == ref["samples"]
    assert seconds(ds.time.values) == ref["timestamp"]
    assert digest(ds.raw_power.transpose("frequency", "time").values) == ref["raw_power"]
    assert ds.band_central_frequency.values.tolist() == ref["band_central_frequency"]
    assert ds.band_passband.values.tolist() == ref["band_passband"]
    assert {k: str(v) for k, v in json.loads(ds.attrs["file_metadata"]).items()} == ref["metadata"]


@pytest.mark.skipif(
    not os.environ.get("GEOSPACEXR_REF_UCALGARY"), reason="set GEOSPACEXR_REF_UCALGARY"
)
def test_live_pyucalgarysrs_twin(files):
    """pyucalgarysrs, run now on the sample files, still gives the recorded twin."""
    hsr = next(p for n, p in files.items() if n.endswith(".h5"))
    norstar = next(p for n, p in files.items() if n.endswith(".txt")).parent
    out = subprocess.run(
        [os.environ["GEOSPACEXR_REF_UCALGARY"], str(SCRIPT), str(norstar), str(hsr), "-"],
        check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    live = json.loads(out.stdout)
    assert live["pyucalgarysrs"].startswith("1.28")
    assert live["files"] == TWIN["files"]


def test_twin_generator_is_named_in_the_twin():
    assert TWIN["generator"] == "tests/rio/reference/pyucalgarysrs_rio_twin.py"
    assert SCRIPT.is_file() and TWIN["pyucalgarysrs"] == "1.28.0"
