"""Damage valid files in many ways and check that a reader never fails badly.

For a reader and a valid file, :func:`make_cases` produces damaged variants with a fixed seed:
truncation at random offsets, flipped bytes, zeroed blocks, a wrong magic number, an empty file
and headers with absurd sizes; for compressed files the same damage is also applied to the
decompressed content, which is then compressed again, so that the parser itself meets it.

:func:`run_cases` opens and loads every variant in worker processes, in batches. Each case must
either read or raise a ``geospacexr.errors`` exception within the time limit. Anything else is a
failure: another exception, a hang, a memory blow-up (the workers run under an address-space
limit), or a crash in C code (the worker dies; the case it was running is reported and the rest
of its batch runs in a new worker).
"""

from __future__ import annotations

import bz2
import gzip
import json
import os
import random
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

WORKER = Path(__file__).with_name("worker.py")


@dataclass
class Case:
    index: int
    label: str
    path: Path


def _compress_like(original: bytes, content: bytes) -> bytes:
    if original.startswith(b"\x1f\x8b"):
        return gzip.compress(content, mtime=0)
    if original.startswith(b"BZh"):
        return bz2.compress(content)
    return content


def _decompress(data: bytes) -> bytes | None:
    if data.startswith(b"\x1f\x8b"):
        return gzip.decompress(data)
    if data.startswith(b"BZh"):
        return bz2.decompress(data)
    return None


def _damage(data: bytes, how: str, rng: random.Random) -> tuple[str, bytes]:
    n = len(data)
    if how == "truncate":
        cut = rng.randrange(0, n)
        return f"truncated at {cut}", data[:cut]
    if how == "flip":
        out = bytearray(data)
        k = rng.choice([1, 1, 4, 32])
        for _ in range(k):
            i = rng.randrange(n)
            out[i] ^= 1 << rng.randrange(8)
        return f"{k} flipped bits", bytes(out)
    if how == "zero":
        size = rng.choice([16, 512, 4096, 65536])
        i = rng.randrange(n)
        out = bytearray(data)
        out[i : i + size] = bytes(len(out[i : i + size]))
        return f"zeroed {size} bytes at {i}", bytes(out)
    if how == "absurd":
        head = data[:4096]
        numbers = [m for m in re.finditer(rb"\d+", head)]
        if not numbers:
            return "absurd (no number found): truncated", data[: n // 2]
        m = rng.choice(numbers)
        huge = rng.choice([b"4294967295", b"99999999999999999999", b"0", b"-1", b"65536"])
        return f"number {m.group()!r} at {m.start()} -> {huge.decode()}", data[
            : m.start()
        ] + huge + data[m.end() :]
    raise ValueError(how)


def make_cases(source: Path, folder: Path, n: int, seed: int = 12345) -> list[Case]:
    """Write ``n`` damaged variants of ``source`` into ``folder`` (each keeps the file name).

    Args:
        source: A valid file the reader can open.
        folder: Where to write the cases (one sub-folder each).
        n: Number of cases (at least 2: an empty file and a wrong magic are always included).
        seed: Random seed.

    Returns:
        The cases.
    """
    rng = random.Random(seed)
    data = source.read_bytes()
    inner = _decompress(data)
    variants: list[tuple[str, bytes]] = [("empty file", b""), ("wrong magic", b"XXXX" + data[4:])]
    if inner is not None:
        variants.append(("wrong inner magic", _compress_like(data, b"XXXX" + inner[4:])))
    kinds = ["truncate", "flip", "zero", "absurd"]
    while len(variants) < n:
        how = kinds[len(variants) % len(kinds)]
        if inner is not None and rng.random() < 0.5:
            label, damaged = _damage(inner, how, rng)
            variants.append((f"inner {label}", _compress_like(data, damaged)))
        else:
            variants.append(_damage(data, how, rng))
    cases = []
    for i, (label, content) in enumerate(variants[:n]):
        d = folder / f"{i:04d}"
        d.mkdir(parents=True, exist_ok=True)
        (d / source.name).write_bytes(content)
        cases.append(Case(i, label, d / source.name))
    return cases


def _run_batch(reader: str, batch: list[Case], timeout: float, memory_mb: int) -> dict[int, str]:
    """Run cases in one worker; returns {index: failure message} and re-runs after a crash."""
    failures: dict[int, str] = {}
    pending = list(batch)
    while pending:
        args = [
            sys.executable,
            str(WORKER),
            reader,
            str(memory_mb),
            str(max(1, round(timeout))),
            *[str(c.path) for c in pending],
        ]
        try:
            proc = subprocess.run(
                args,
                capture_output=True,
                text=True,
                timeout=timeout * len(pending) + 30,
                env=os.environ.copy(),
            )
            out, died = proc.stdout, proc.returncode != 0
            reason = f"worker died (exit {proc.returncode}): {proc.stderr[-400:]}"
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            died, reason = True, "hang: no answer within the time limit"
        done: set[int] = set()
        started = None
        for line in out.splitlines():
            if line.startswith("START "):
                started = int(line.split()[1])
            elif line.startswith("RESULT "):
                result = json.loads(line[7:])
                done.add(result["i"])
                if not result["ok"]:
                    failures[pending[result["i"]].index] = result["detail"]
        if not died:
            break
        culprit = started if started is not None and started not in done else None
        if culprit is None:  # died before or between cases: report the first unfinished one
            culprit = min(set(range(len(pending))) - done, default=None)
            if culprit is None:
                break
        failures[pending[culprit].index] = reason
        pending = pending[culprit + 1 :]
    return failures


def run_cases(
    reader: str,
    cases: list[Case],
    timeout: float = 20.0,
    memory_mb: int = 4096,
    workers: int = 2,
    batch: int = 10,
) -> dict[int, str]:
    """Open and load every case in worker processes.

    Args:
        reader: Registry name of the reader.
        cases: From :func:`make_cases`.
        timeout: Seconds allowed per case.
        memory_mb: Address-space limit of a worker, MiB.
        workers: Worker processes at once.
        batch: Cases per worker process.

    Returns:
        ``{case index: failure message}``; empty when every case behaved.
    """
    batches = [cases[i : i + batch] for i in range(0, len(cases), batch)]
    failures: dict[int, str] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for result in pool.map(lambda b: _run_batch(reader, b, timeout, memory_mb), batches):
            failures.update(result)
    return failures
