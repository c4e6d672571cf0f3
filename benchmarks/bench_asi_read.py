"""Reading THEMIS minute files: geospacexr.open_asi against the gzip floor and pyucalgarysrs.

The input is the ``themis-gill`` sample (real THEMIS format), copied into as many minute files
as asked. Every side (the gzip floor, ``open_asi``, pyucalgarysrs ``read_themis``) is timed by
``_timing.measure``: the first call (cold) and the best of ``--repeat`` further calls (warm).
pyucalgarysrs runs in another interpreter given with ``--ref-python`` (default
``$GEOSPACEXR_REF_UCALGARY``; it is never a dependency of geospacexr). The table goes to
``results/bench_asi_read.json`` and, through ``report.py``, to README.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from _timing import Recorder, measure, peer_snippet

import geospacexr
from geospacexr import datasets

REF_SNIPPET = peer_snippet("""
import sys, glob, json
import pyucalgarysrs
files = sorted(glob.glob(sys.argv[1] + "/*.pgm.gz"))
workers = int(sys.argv[2]); repeat = int(sys.argv[3])
reader = pyucalgarysrs.PyUCalgarySRS().data.readers
print(json.dumps({"read": measure(lambda: reader.read_themis(files, n_parallel=workers), repeat),
                  "versions": package_versions("pyucalgarysrs", "numpy")}))
""")


def make_input(folder: Path, minutes: int) -> list[Path]:
    src = sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz"))
    files = []
    for m in range(minutes):
        name = f"20140310_{6 + m // 60:02d}{m % 60:02d}_gill_themis19_full.pgm.gz"
        shutil.copy(src[m % len(src)], folder / name)
        files.append(folder / name)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--ref-python",
        default=os.environ.get("GEOSPACEXR_REF_UCALGARY"),
        help="interpreter with pyucalgarysrs installed (default $GEOSPACEXR_REF_UCALGARY)",
    )
    args = parser.parse_args()
    rec = Recorder(
        "bench_asi_read",
        f"reading {args.minutes} THEMIS minute files, {args.workers} workers",
        peer="pyucalgarysrs",
    )
    with tempfile.TemporaryDirectory() as tmp:
        files = make_input(Path(tmp), args.minutes)
        nbytes = sum(len(gzip.decompress(f.read_bytes())) for f in files)
        floor = measure(lambda: [gzip.decompress(f.read_bytes()) for f in files], args.repeat)
        ours = measure(lambda: geospacexr.open_asi(files, workers=args.workers), args.repeat)
        ref = None
        if args.ref_python:
            out = subprocess.run(
                [args.ref_python, "-c", REF_SNIPPET, tmp, str(args.workers), str(args.repeat)],
                capture_output=True,
                text=True,
                check=True,
            )
            ref = json.loads(out.stdout.strip().splitlines()[-1])
            rec.peer_versions = ref["versions"]
    mb = nbytes / 1e6
    rec.row(
        "read the files (`open_asi` / `read_themis`)",
        ours,
        ref and ref["read"],
        note=f"same files, same {args.workers} workers; {mb:.1f} MB decompressed; ours "
        f"{mb / ours['warm']:.0f} MB/s warm",
    )
    rec.row(
        "floor: plain gzip decompression, 1 thread (ours column)",
        floor,
        None,
        note=f"{mb / floor['warm']:.0f} MB/s: what one core can decompress; not a peer",
    )
    rec.write()


def test_open_asi(benchmark, tmp_path):
    files = make_input(tmp_path, 10)
    ds = benchmark(geospacexr.open_asi, files, workers=2)
    assert ds.sizes["time"] == 200


if __name__ == "__main__":
    main()
