"""Record what pyucalgarysrs reads from the riometer sample files (``pyucalgarysrs_rio_twin.json``).

Run in a venv with pyucalgarysrs 1.28 (``python3 -m venv /tmp/rioref && /tmp/rioref/bin/pip
install pyucalgarysrs==1.28.0``, or the ``ucalgary`` refenv of ``.ci/refenvs``)::

    /tmp/rioref/bin/python tests/rio/reference/pyucalgarysrs_rio_twin.py NORSTAR_DIR HSR_FILE [OUT]

``NORSTAR_DIR`` is the ``norstar_rio-gill`` sample folder and ``HSR_FILE`` the ``swan_hsr-mean``
sample file (``geospacexr.datasets.sample_path``); ``OUT`` defaults to the JSON beside this
script, ``-`` writes it to standard output (the live test compares it with the recorded one).
Each file is read on its own with ``PyUCalgarySRS().data.readers.read_norstar_riometer`` or
``read_swan_hsr``. Per file the twin keeps its SHA-256, the number of samples, the first and
last timestamp, and the first 16 hex digits of the SHA-256 of: the timestamps as int64 seconds
since 1970, ``raw_signal`` / ``absorption`` (float32, little-endian) or ``raw_power``
(float32, ``[band, time]``); the band lists and the metadata dict (values as text).
Only numpy and pyucalgarysrs are needed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pyucalgarysrs

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "pyucalgarysrs_rio_twin.json"
EPOCH = datetime.datetime(1970, 1, 1)


def digest(values) -> str:
    a = np.ascontiguousarray(np.asarray(values, dtype=np.float32)).astype("<f4")
    return hashlib.sha256(a.tobytes()).hexdigest()[:16]


def stamps(values) -> tuple[str, str, str]:
    seconds = np.array([int((t - EPOCH).total_seconds()) for t in values], dtype="<i8")
    return (
        hashlib.sha256(seconds.tobytes()).hexdigest()[:16],
        values[0].isoformat() if len(values) else "",
        values[-1].isoformat() if len(values) else "",
    )


def text(meta: dict) -> dict:
    out = {}
    for key, value in meta.items():
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        elif isinstance(value, np.ndarray):
            value = value.tolist()
        out[str(key)] = str(value)
    return out


def main() -> None:
    norstar, hsr = Path(sys.argv[1]), Path(sys.argv[2])
    out = sys.argv[3] if len(sys.argv) > 3 else str(DEFAULT_OUT)
    readers = pyucalgarysrs.PyUCalgarySRS().data.readers
    files = {}
    for path in sorted(norstar.glob("*.txt")):
        data = readers.read_norstar_riometer(str(path), quiet=True)
        assert not data.problematic_files, data.problematic_files
        rio = data.data[0]
        h, first, last = stamps(rio.timestamp)
        files[path.name] = {
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "samples": len(rio.timestamp),
            "first": first,
            "last": last,
            "timestamp": h,
            "raw_signal": digest(rio.raw_signal),
            "absorption": None if rio.absorption is None else digest(rio.absorption),
            "metadata": text(data.metadata[0]),
        }
    data = readers.read_swan_hsr(str(hsr), quiet=True)
    assert not data.problematic_files, data.problematic_files
    h5 = data.data[0]
    h, first, last = stamps(h5.timestamp)
    files[hsr.name] = {
        "sha256": hashlib.sha256(hsr.read_bytes()).hexdigest(),
        "samples": len(h5.timestamp),
        "first": first,
        "last": last,
        "timestamp": h,
        "raw_power": digest(h5.raw_power),
        "band_central_frequency": list(h5.band_central_frequency),
        "band_passband": list(h5.band_passband),
        "metadata": text(data.metadata[0]),
    }
    twin = {
        "generator": "tests/rio/reference/pyucalgarysrs_rio_twin.py",
        "pyucalgarysrs": metadata.version("pyucalgarysrs"),
        "files": files,
    }
    text_out = json.dumps(twin, indent=1, sort_keys=True) + "\n"
    if out == "-":
        sys.stdout.write(text_out)
    else:
        Path(out).write_text(text_out)


if __name__ == "__main__":
    main()
