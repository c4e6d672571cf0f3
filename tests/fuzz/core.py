"""The fuzzing loop: seeds -> deterministic damaged variants -> child runs -> per-format JSON."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

from .runner import OUTCOMES, Verdict, run_in_child, run_workload_here

DEFAULT_RESULTS = Path(os.environ.get("GX_FUZZ_RESULTS", "/work/scratch/fuzz-results"))
REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
EXAMPLES_PER_KIND = 5


def _prepare_parent() -> None:
    """Imports and settings shared by every child (they are forked from this process)."""
    import dask

    import geospacexr  # noqa: F401

    dask.config.set(scheduler="synchronous")  # one core per child, no thread pools to fork


def repro_command(fmt: str, path: Path, timeout: float, mem_gib: float) -> str:
    return (
        f"cd {REPO} && PYTHONPATH=src {PYTHON} -m tests.fuzz --formats {fmt} "
        f"--repro '{path}' --timeout {timeout:g} --mem-gib {mem_gib:g}"
    )


def regen_command(fmt: str, index: int, seed: str, rename_rate: float) -> str:
    return (
        f"cd {REPO} && PYTHONPATH=src {PYTHON} -m tests.fuzz --formats {fmt} "
        f"--only {index} --seed {seed} --rename-rate {rename_rate:g} --keep-ok"
    )


def _kind_key(v: dict) -> str:
    if v["outcome"] in ("foreign", "gx-error", "memory"):
        return f"{v['outcome']} | {v['exc_type']} | {v['where']}"
    if v["outcome"] == "silently-wrong":
        first = v["message"].split(";")[0].removeprefix("WRONG: ")
        return "silently-wrong | " + re.sub(r"\d+", "#", first)[:80]
    return v["outcome"]


BAD_NAME_DATES = ["22630101", "16770101", "20141399", "00000000", "99991231", "20140230"]


def rename(name: str, rng: random.Random) -> tuple[str, str]:
    """A hostile file name: the date (and time) in the name replaced, or the name stretched."""
    m = re.search(r"(?<!\d)(?:19|20)\d{6}(?!\d)", name)
    kind = rng.choice(["date", "date", "time", "long"])
    if kind == "long":
        return "x" * 200 + name, "name prefixed with 200 characters"
    if not m:
        return name, ""
    if kind == "date":
        new = rng.choice(BAD_NAME_DATES)
        return name[: m.start()] + new + name[m.end() :], f"renamed with date {new}"
    t = re.compile(r"(?<=\d{8}[_.])\d{2,6}")
    mt = t.search(name)
    if not mt:
        return name, ""
    new = rng.choice(["9999", "2561", "0000", "99"])[: len(mt.group())].ljust(len(mt.group()), "9")
    return name[: mt.start()] + new + name[mt.end() :], f"renamed with time {new}"


def run_format(
    fmt_name: str,
    *,
    n: int,
    start: int,
    only,
    base_seed: str,
    timeout: float,
    mem_gib: float,
    results: Path,
    keep_ok: bool,
    rename_rate: float = 0.08,
) -> dict:
    from .formats import FORMATS, mutator_for

    fmt = FORMATS[fmt_name]
    out_dir = results / fmt_name
    # One work folder per fuzzer process: two runs on the same results folder must not
    # remove each other's variants when one of them finishes.
    work = out_dir / f"work-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    print(f"== {fmt_name}: preparing seeds", flush=True)
    seeds = fmt.seeds()
    context = fmt.context()
    good_seeds = []
    baseline = {}
    for s in seeds:
        t0 = time.monotonic()
        v = run_workload_here(fmt.workload, s, context)
        baseline[str(s)] = {
            "outcome": v["outcome"],
            "seconds": round(time.monotonic() - t0, 2),
            "message": v.get("message", ""),
        }
        print(f"   seed {s.name}: {v['outcome']} {v.get('message', '')[:200]}", flush=True)
        if v["outcome"] == "ok":
            good_seeds.append(s)
    if not good_seeds:
        summary = {
            "format": fmt_name,
            "error": "no seed reads cleanly",
            "baseline": baseline,
            "counts": {},
        }
        (out_dir / "summary.json").write_text(json.dumps(summary, indent=1))
        return summary
    indices = only if only is not None else range(start, start + n)
    log = (out_dir / "variants.jsonl").open("a")
    verdict_file = work / "verdict.json"
    records = []
    for i in indices:
        seed = good_seeds[i % len(good_seeds)]
        rng = random.Random(f"{base_seed}:{fmt_name}:{i}")
        vdir = work / f"{i:05d}"
        shutil.rmtree(vdir, ignore_errors=True)
        vdir.mkdir()
        dst = vdir / seed.name
        t0 = time.monotonic()
        try:
            desc, flags = mutator_for(seed)(seed, dst, rng)
        except Exception as exc:
            desc, flags = f"MUTATOR FAILED {type(exc).__name__}: {exc}", {}
            shutil.copyfile(seed, dst)
        name_rng = random.Random(f"{base_seed}:{fmt_name}:{i}:name")
        if name_rng.random() < rename_rate:
            new_name, how = rename(seed.name, name_rng)
            if new_name != seed.name:
                dst = dst.rename(vdir / new_name)
                desc = f"{desc} + file {how}"
        build_s = time.monotonic() - t0
        verdict: Verdict = run_in_child(
            fmt.workload, dst, context, timeout=timeout, mem_gib=mem_gib, verdict_file=verdict_file
        )
        if verdict.outcome == "ok" and flags.get("expect_error"):
            verdict.outcome = "silently-wrong"
            verdict.message = f"WRONG: read without error: {flags['expect_error']}"
            verdict.where = "check"
        rec = {
            "format": fmt_name,
            "index": i,
            "seed": str(seed),
            "mutation": desc,
            "flags": flags,
            "size": dst.stat().st_size,
            "build_s": round(build_s, 2),
            **verdict.to_json(),
        }
        rec["seconds"] = round(rec["seconds"], 2)
        rec["peak_rss_mib"] = round(rec["peak_rss_mib"], 1)
        rec["cpu_s"] = round(rec["cpu_s"], 2)
        if verdict.outcome == "ok" and not keep_ok:
            shutil.rmtree(vdir, ignore_errors=True)
            rec["saved"] = None
        else:
            keep = out_dir / "variants" / f"{i:05d}-{verdict.outcome}"
            shutil.rmtree(keep, ignore_errors=True)
            keep.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(vdir), keep)
            rec["saved"] = str(keep / seed.name)
            rec["repro"] = repro_command(fmt_name, keep / seed.name, timeout, mem_gib)
            rec["regenerate"] = regen_command(fmt_name, i, base_seed, rename_rate)
        log.write(json.dumps(rec, default=str) + "\n")
        log.flush()
        records.append(rec)
        mark = "" if verdict.outcome in ("ok", "gx-error") else "  <<<"
        print(
            f"   [{fmt_name} {i:4d}] {verdict.outcome:14s} {verdict.seconds:5.1f}s "
            f"{desc[:70]!s:70s} {verdict.exc_type[:40]}{mark}",
            flush=True,
        )
    log.close()
    shutil.rmtree(work, ignore_errors=True)
    return summarise(fmt_name, out_dir, baseline, timeout, mem_gib)


def summarise(
    fmt_name: str, out_dir: Path, baseline: dict | None, timeout: float, mem_gib: float
) -> dict:
    """Summary over every variant recorded for the format (all runs in variants.jsonl)."""
    latest: dict[int, dict] = {}
    for line in (out_dir / "variants.jsonl").read_text().splitlines():
        rec = json.loads(line)
        latest[rec["index"]] = rec
    records = [latest[k] for k in sorted(latest)]
    counts = Counter(r["outcome"] for r in records)
    kinds: dict[str, dict] = {}
    for r in records:
        if r["outcome"] == "ok":
            continue
        key = _kind_key(r)
        k = kinds.setdefault(key, {"count": 0, "examples": []})
        k["count"] += 1
        if len(k["examples"]) < EXAMPLES_PER_KIND:
            k["examples"].append(
                {
                    f: r.get(f)
                    for f in (
                        "index",
                        "mutation",
                        "exc_type",
                        "message",
                        "where",
                        "traceback_tail",
                        "seconds",
                        "cpu_s",
                        "peak_rss_mib",
                        "saved",
                        "repro",
                        "regenerate",
                    )
                }
            )
    slow = sorted((r for r in records if r["outcome"] != "timeout"), key=lambda r: -r["seconds"])[
        :5
    ]
    summary = {
        "format": fmt_name,
        "variants": len(records),
        "counts": {o: counts.get(o, 0) for o in OUTCOMES},
        "limits": {"timeout_s": timeout, "mem_gib": mem_gib},
        "baseline": baseline,
        "failure_kinds": dict(sorted(kinds.items(), key=lambda kv: -kv[1]["count"])),
        "slowest_non_timeouts": [
            {f: r.get(f) for f in ("index", "outcome", "seconds", "mutation")} for r in slow
        ],
        "largest_peak_rss_mib": sorted(
            (
                {
                    "index": r["index"],
                    "peak_rss_mib": r["peak_rss_mib"],
                    "outcome": r["outcome"],
                    "mutation": r["mutation"],
                }
                for r in records
            ),
            key=lambda d: -d["peak_rss_mib"],
        )[:5],
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
    return summary


def run(
    formats, *, n, start, only, base_seed, timeout, mem_gib, results, keep_ok, rename_rate=0.08
) -> list[dict]:
    _prepare_parent()
    results.mkdir(parents=True, exist_ok=True)
    out = []
    for f in formats:
        s = run_format(
            f,
            n=n,
            start=start,
            only=only,
            base_seed=base_seed,
            timeout=timeout,
            mem_gib=mem_gib,
            results=results,
            keep_ok=keep_ok,
            rename_rate=rename_rate,
        )
        print(f"== {f}: {s.get('counts')}", flush=True)
        out.append(s)
    (results / "index.json").write_text(
        json.dumps({s["format"]: s.get("counts") for s in out}, indent=1)
    )
    return out


def reproduce(fmt_name: str, path: Path, *, timeout: float, mem_gib: float) -> int:
    """Run one file through the format's workload in a child and print the verdict."""
    from .formats import FORMATS

    _prepare_parent()
    fmt = FORMATS[fmt_name]
    context = fmt.context()
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"gx-fuzz-repro-{os.getpid()}.json"
    v = run_in_child(
        fmt.workload, Path(path), context, timeout=timeout, mem_gib=mem_gib, verdict_file=work
    )
    print(json.dumps(v.to_json(), indent=1))
    if v.traceback_tail:
        print(v.traceback_tail)
    return 0 if v.outcome in ("ok", "gx-error") else 1
