"""Reading THEMIS minute files: geospacexr.open_asi against the gzip floor and pyucalgarysrs.

The input is the ``themis-gill`` sample (real THEMIS format), copied into as many minute files
as asked. Prints seconds (best of ``--repeat``), MB/s of decompressed data and the ratios.
pyucalgarysrs runs in this interpreter when importable, or in another one given with
``--ref-python`` (it is never a dependency of geospacexr).
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import geospacexr
from geospacexr import datasets

REF_SNIPPET = """
import sys, time, glob
import pyucalgarysrs
files = sorted(glob.glob(sys.argv[1] + "/*.pgm.gz"))
workers = int(sys.argv[2]); repeat = int(sys.argv[3])
reader = pyucalgarysrs.PyUCalgarySRS().data.readers
best = 1e9
for _ in range(repeat):
    t = time.perf_counter()
    reader.read_themis(files, n_parallel=workers)
    best = min(best, time.perf_counter() - t)
print(best)
"""


def make_input(folder: Path, minutes: int) -> list[Path]:
    src = sorted(datasets.sample_path("themis-gill").glob("*.pgm.gz"))
    files = []
    for m in range(minutes):
        name = f"20140310_{6 + m // 60:02d}{m % 60:02d}_gill_themis19_full.pgm.gz"
        shutil.copy(src[m % len(src)], folder / name)
        files.append(folder / name)
    return files


def best_of(repeat: int, func) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ref-python", help="interpreter with pyucalgarysrs installed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = make_input(Path(tmp), args.minutes)
        nbytes = sum(len(gzip.decompress(f.read_bytes())) for f in files)
        floor = best_of(args.repeat, lambda: [gzip.decompress(f.read_bytes()) for f in files])
        ours = best_of(args.repeat, lambda: geospacexr.open_asi(files, workers=args.workers))
        print(f"input: {len(files)} THEMIS minute files, {nbytes / 1e6:.1f} MB decompressed")
        print(f"gzip floor (1 thread): {floor:.3f} s  {nbytes / 1e6 / floor:.0f} MB/s")
        rate = nbytes / 1e6 / ours
        print(f"geospacexr.open_asi ({args.workers} workers): {ours:.3f} s  {rate:.0f} MB/s")
        print(f"ratio open_asi / gzip floor: {ours / floor:.2f}")
        python = args.ref_python
        if python is None:
            try:
                import pyucalgarysrs  # noqa: F401

                python = "python"
            except ImportError:
                print("pyucalgarysrs: not installed here (give --ref-python to compare)")
        if python:
            out = subprocess.run(
                [python, "-c", REF_SNIPPET, tmp, str(args.workers), str(args.repeat)],
                capture_output=True,
                text=True,
                check=True,
            )
            ref = float(out.stdout.strip().splitlines()[-1])
            print(f"pyucalgarysrs read_themis ({args.workers} workers): {ref:.3f} s")
            print(f"speed-up of geospacexr over pyucalgarysrs: {ref / ours:.1f}x")


def test_open_asi(benchmark, tmp_path):
    files = make_input(tmp_path, 10)
    ds = benchmark(geospacexr.open_asi, files, workers=2)
    assert ds.sizes["time"] == 200


if __name__ == "__main__":
    main()
