"""Record what darn-dmap reads from every real DMAP file (the twin ``darn_dmap_twin.json.gz``).

Run in a venv with darn-dmap 0.8 (``python3 -m venv /tmp/dmapref && /tmp/dmapref/bin/pip install
darn-dmap==0.8.*``)::

    /tmp/dmapref/bin/python tests/superdarn/reference/darn_dmap_twin.py [DATA_DIR] [OUT]

``DATA_DIR`` defaults to ``../shared/data/superdarn`` beside the repository, ``OUT`` to
``darn_dmap_twin.json.gz`` beside this script; with ``OUT`` ``-`` the JSON goes to standard
output (the live test compares it with the recorded file). Every file is read with darn-dmap's
typed reader for its type in strict mode. Per record the twin keeps every scalar (name ->
value, exact: Python floats round-trip through JSON) and, per array, its dtype, its shape and the
first 16 hex digits of the SHA-256 of its little-endian C-order bytes. Only numpy and darn-dmap
are needed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

import dmap
import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[2].parent / "shared" / "data" / "superdarn"
DEFAULT_OUT = HERE / "darn_dmap_twin.json.gz"

#: The DMAP type of each file name ending (pyDARN's test files use .grd and .mp).
TYPES = {
    "rawacf": "rawacf",
    "fitacf": "fitacf",
    "iqdat": "iqdat",
    "snd": "snd",
    "grid": "grid",
    "grd": "grid",
    "map": "map",
    "mp": "map",
}


def file_type(path: Path) -> str:
    """The DMAP type of a file from its name (``test.fitacf.bz2`` -> ``fitacf``)."""
    parts = path.name.lower().split(".")
    if parts[-1] == "bz2":
        parts = parts[:-1]
    return TYPES[parts[-1]]


def digest(array: np.ndarray) -> str:
    """First 16 hex digits of the SHA-256 of the array's little-endian C-order bytes."""
    a = np.ascontiguousarray(array)
    a = a.astype(a.dtype.newbyteorder("<"), copy=False)
    return hashlib.sha256(a.tobytes()).hexdigest()[:16]


def record_twin(record: dict) -> dict:
    """One record: scalars by value, arrays by dtype, shape and digest."""
    scalars, arrays = {}, {}
    for name, value in record.items():
        if isinstance(value, np.ndarray):
            arrays[name] = [value.dtype.str.lstrip("<>|="), list(value.shape), digest(value)]
        else:
            scalars[name] = value.item() if isinstance(value, np.generic) else value
    return {"scalars": scalars, "arrays": arrays}


def build(data_dir: Path) -> dict:
    """The twin of every DMAP file under ``data_dir``."""
    files = {}
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file() and p.name != "README.md"):
        kind = file_type(path)
        records = getattr(dmap, f"read_{kind}")(str(path), mode="strict")
        files[path.relative_to(data_dir).as_posix()] = {
            "type": kind,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "records": [record_twin(r) for r in records],
        }
    return {
        "generator": "tests/superdarn/reference/darn_dmap_twin.py",
        "darn_dmap": metadata.version("darn-dmap"),
        "numpy": np.__version__,
        "files": files,
    }


def main(argv: list[str]) -> None:
    data_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_DATA
    out = argv[2] if len(argv) > 2 else str(DEFAULT_OUT)
    text = json.dumps(build(data_dir), sort_keys=True, separators=(",", ":"))
    if out == "-":
        sys.stdout.write(text)
    else:
        with open(out, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
            fh.write(text.encode("utf-8"))  # mtime 0: the same bytes on every run


if __name__ == "__main__":
    main(sys.argv)
