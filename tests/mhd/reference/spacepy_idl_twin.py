"""Record what SpacePy's ``pybats.IdlFile`` reads from the ``swmf-idl`` sample files (the twin).

Run in a venv with SpacePy 0.7 (the ``rb`` reference environment, ``bash .ci/refenvs DEST rb``,
or ``python3 -m venv /tmp/spacepyref && /tmp/spacepyref/bin/pip install spacepy``)::

    $GEOSPACEXR_REF_RB tests/mhd/reference/spacepy_idl_twin.py SAMPLE_FOLDER [OUT]

``SAMPLE_FOLDER`` is ``geospacexr.datasets.sample_path("swmf-idl")``; ``OUT`` defaults to
``spacepy_idl_twin.json`` beside this script, ``-`` writes to standard output (the live test).
Only numpy and SpacePy are needed (geospacexr is not imported).

Per file and frame (``IdlFile.switch_frame``): the header attributes (``iter``, ``runtime``,
``ndim``, ``nparam``, ``nvar``, ``header``, the parameters), the frame time SpacePy derives from
the file name, the variable names in file order with their ``units``, and per array its dtype,
shape, the SHA-256 of its little-endian bytes (first 16 hex digits), its sum and 64 values at
evenly spaced flat indices.

SpacePy 0.7 cannot read big-endian binary files: ``_probe_idlfile`` calls ``newbyteorder`` on
its dtypes without keeping the result, so a big-endian file is taken for ASCII and fails. The
script records that error, then byte-swaps every Fortran record of the file into a
little-endian copy (each record's 4-byte markers, the ``it ndim npar nvar`` integers, the grid
integers and the floats, with ``struct`` here, not with geospacexr) and records what SpacePy
reads from the copy under ``"<name> (little-endian copy)"``.
"""

from __future__ import annotations

import hashlib
import json
import struct
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np
from spacepy.pybats import IdlFile

HERE = Path(__file__).resolve().parent
PICKS = 64


def digest(a: np.ndarray) -> str:
    a = np.ascontiguousarray(a)
    return hashlib.sha256(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()).hexdigest()[
        :16
    ]


def array_record(a) -> dict:
    a = np.asarray(a)
    flat = a.ravel()
    idx = np.linspace(0, flat.size - 1, min(PICKS, flat.size)).astype(int)
    return {
        "dtype": a.dtype.newbyteorder("=").str.lstrip("<>=|"),
        "shape": list(a.shape),
        "sha256": digest(a),
        "sum": float(np.sum(a, dtype="float64")),
        "picks": [float(v) for v in flat[idx]],
    }


def frame_record(d: IdlFile) -> dict:
    names = [k for k in d.keys() if k != "grid"]
    params = {k: float(v) for k, v in d.attrs.items() if k not in (
        "file", "format", "iter_range", "runtime_range", "time_range", "nframe", "iters",
        "runtimes", "times", "iframe", "time", "strtime", "iter", "runtime", "ndim", "nparam",
        "nvar", "header")}  # fmt: skip
    t = d.attrs["time"]
    return {
        "iter": int(d.attrs["iter"]),
        "runtime": float(d.attrs["runtime"]),
        "ndim": int(d.attrs["ndim"]),
        "nparam": int(d.attrs["nparam"]),
        "nvar": int(d.attrs["nvar"]),
        "header": d.attrs["header"],
        "params": params,
        "time": t.isoformat() if hasattr(t, "isoformat") else None,
        "grid": [int(v) for v in d["grid"]],
        "gtype": d["grid"].attrs["gtype"],
        "names": names,
        "units": {k: d[k].attrs.get("units", "") for k in names},
        "arrays": {k: array_record(d[k]) for k in names},
    }


def read(path: Path) -> dict:
    try:
        d = IdlFile(str(path))
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    frames = []
    for i in range(int(d.attrs["nframe"])):
        d.switch_frame(i)
        frames.append(frame_record(d))
    return {"format": d.attrs["format"], "nframe": int(d.attrs["nframe"]), "frames": frames}


def swap_to_little(data: bytes) -> bytes:
    """A big-endian IDL binary file re-marshalled little-endian, record by record."""
    out = bytearray()
    pos, k, fsize = 0, 0, 4
    layout = []  # per frame: header, head, grid, [params], names, coords, vars...
    while pos < len(data):
        (n,) = struct.unpack(">i", data[pos : pos + 4])
        body = data[pos + 4 : pos + 4 + n]
        pos += 8 + n
        if not layout:
            layout = ["text", "head", "grid", "params?", "text", "floats"]
        kind = layout.pop(0)
        if kind == "head":
            fsize = 4 if n == 20 else 8
            it, t, ndim, npar, nvar = struct.unpack(">i" + "fd"[fsize // 8] + "iii", body)
            body = struct.pack("<i" + "fd"[fsize // 8] + "iii", it, t, ndim, npar, nvar)
            if npar == 0:
                layout.remove("params?")
            layout += ["floats"] * nvar
        elif kind == "grid":
            body = np.frombuffer(body, ">i4").astype("<i4").tobytes()
        elif kind in ("floats", "params?"):
            body = np.frombuffer(body, f">f{fsize}").astype(f"<f{fsize}").tobytes()
        mark = struct.pack("<i", len(body))
        out += mark + body + mark
        k += 1
    return bytes(out)


def main(folder: Path, out: str) -> None:
    files = sorted(p for p in folder.iterdir() if p.suffix in (".out", ".outs"))
    twin = {
        "generator": "tests/mhd/reference/spacepy_idl_twin.py",
        "spacepy": metadata.version("spacepy"),
        "files": {},
    }
    for p in files:
        rec = read(p)
        twin["files"][p.name] = rec
        if "error" in rec and p.read_bytes()[:4] != b"\x00\x00\x00\x00":
            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / p.name
                copy.write_bytes(swap_to_little(p.read_bytes()))
                twin["files"][f"{p.name} (little-endian copy)"] = read(copy)
    text = json.dumps(twin, indent=1, sort_keys=True)
    if out == "-":
        sys.stdout.write(text)
    else:
        Path(out).write_text(text + "\n")


if __name__ == "__main__":
    main(
        Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else str(HERE / "spacepy_idl_twin.json")
    )
