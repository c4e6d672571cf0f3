"""Tests of the fuzzer itself (fast), and the fuzzer as the acceptance test of issue 16 (slow)."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from pathlib import Path

import pytest

from tests.fuzz import bytes_mut, dmap_mut, pgm_mut, runner
from tests.fuzz.formats import FORMATS, SHARED, Format, superdarn_workload

FITACF = SHARED / "superdarn" / "darn-dmap" / "test.fitacf"


# --- the child runner classifies every outcome -------------------------------------------------
def _raise_foreign(path, ctx, stage):
    stage["where"] = "here"
    raise ValueError("foreign")


def _raise_gx(path, ctx, stage):
    from geospacexr.errors import FileFormatError

    raise FileFormatError("bad", path)


def _wrapped_memory(path, ctx, stage):
    from geospacexr.errors import FileFormatError

    try:
        bytearray(8 << 30)
    except MemoryError as exc:
        raise FileFormatError("wrapped") from exc


def _memory(path, ctx, stage):
    bytearray(8 << 30)


def _sleep(path, ctx, stage):
    time.sleep(30)


def _segfault(path, ctx, stage):
    os.kill(os.getpid(), signal.SIGSEGV)


def _wrong(path, ctx, stage):
    return ["WRONG: time wrapped"]


def _fine(path, ctx, stage):
    return ["a note"]


@pytest.mark.parametrize(
    ("workload", "outcome"),
    [
        (_raise_foreign, "foreign"),
        (_raise_gx, "gx-error"),
        (_wrapped_memory, "memory"),
        (_memory, "memory"),
        (_sleep, "timeout"),
        (_segfault, "crash"),
        (_wrong, "silently-wrong"),
        (_fine, "ok"),
    ],
)
def test_runner_classifies(tmp_path, workload, outcome):
    v = runner.run_in_child(
        workload, tmp_path / "x", {}, timeout=2, mem_gib=4, verdict_file=tmp_path / "verdict.json"
    )
    assert v.outcome == outcome, v
    if outcome == "foreign":
        assert v.exc_type == "builtins.ValueError" and v.where == "here"
        assert "raise ValueError" in v.traceback_tail


def _spin(path, ctx, stage):
    while True:
        pass


def test_cpu_clock_counts_cpu_seconds_and_bounds_a_blocked_child(tmp_path):
    """--clock cpu: a computing child is killed at its CPU limit, a blocked one at the wall."""
    start = time.monotonic()
    v = runner.run_in_child(
        _spin, tmp_path / "x", {}, timeout=1.5, mem_gib=4, verdict_file=tmp_path / "v.json",
        clock="cpu", wall_limit=30,
    )  # fmt: skip
    assert v.outcome == "timeout" and v.cpu_s >= 1.5, v
    assert time.monotonic() - start < 30
    v = runner.run_in_child(
        _sleep, tmp_path / "x", {}, timeout=1.0, mem_gib=4, verdict_file=tmp_path / "v.json",
        clock="cpu", wall_limit=3,
    )  # fmt: skip
    assert v.outcome == "timeout" and v.cpu_s < 1.0 and v.seconds >= 3, v
    assert "3 s wall" in v.message
    with pytest.raises(ValueError, match="clock"):
        runner.run_in_child(
            _fine, tmp_path / "x", {}, timeout=1, mem_gib=4, verdict_file=tmp_path / "v.json",
            clock="sundial",
        )  # fmt: skip


# --- mutators are deterministic and do damage ------------------------------------------------
def _tiny_pgm(frames: int = 3) -> bytes:
    out = b""
    for k in range(frames):
        head = [
            b'#"Site unique ID" gill',
            f'#"Image request start" 2014-03-10 06:00:0{k}.000000 UTC'.encode(),
            b'#"Exposure plus initial readout"    985.07 ms',
        ]
        out += pgm_mut.Frame(head, b"4 3", b"65535", bytes(range(24))).dump()
    return out


def test_pgm_parser_round_trip():
    raw = _tiny_pgm()
    assert pgm_mut.dump(pgm_mut.parse(raw)) == raw


def test_mutators_are_deterministic():
    raw = pgm_mut.compress(_tiny_pgm(), "x.pgm.gz")
    for k in range(20):
        a = pgm_mut.mutate(raw, "x.pgm.gz", random.Random(f"s:{k}"))
        b = pgm_mut.mutate(raw, "x.pgm.gz", random.Random(f"s:{k}"))
        assert a[:2] == b[:2]
        assert a[0] != raw or "no-op" in a[1]


def test_zeros_gzip_is_a_bomb():
    small = bytes_mut.zeros_gzip(64 << 20)
    assert len(small) < (1 << 20)


@pytest.mark.skipif(not FITACF.exists(), reason="needs the shared SuperDARN files")
def test_dmap_parser_consumes_every_record():
    data = FITACF.read_bytes()
    recs = dmap_mut.parse(data)
    assert recs and sum(r.size for r in recs) == len(data)
    assert any(f.name == "time.yr" for f in recs[0].fields)


# --- end to end on one small real file (a few variants, a few seconds) ------------------------
@pytest.mark.skipif(not FITACF.exists(), reason="needs the shared SuperDARN files")
def test_fuzz_smoke(tmp_path, monkeypatch):
    from tests.fuzz import core

    fmt = Format("smoke-fitacf", [], [str(FITACF.relative_to(SHARED))], superdarn_workload)
    monkeypatch.setitem(FORMATS, fmt.name, fmt)
    core._prepare_parent()
    summary = core.run_format(
        fmt.name,
        n=4,
        start=0,
        only=None,
        base_seed="smoke",
        timeout=15,
        mem_gib=4,
        results=tmp_path,
        keep_ok=False,
    )
    assert summary["variants"] == 4
    assert sum(summary["counts"].values()) == 4
    saved = json.loads((tmp_path / fmt.name / "summary.json").read_text())
    assert saved["counts"] == summary["counts"]
    for kind in saved["failure_kinds"].values():
        for ex in kind["examples"]:
            assert Path(ex["saved"]).exists() and "--repro" in ex["repro"]


# --- the acceptance test of issue 16 ---------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "lfm-hdf4"])
def test_readers_survive_the_fuzzer(tmp_path, fmt):
    """30 damaged variants per format: nothing but geospacexr errors or clean reads."""
    from tests.fuzz import core

    core._prepare_parent()
    summary = core.run_format(
        fmt,
        n=30,
        start=0,
        only=None,
        base_seed="ci",
        timeout=20,
        mem_gib=4,
        results=tmp_path,
        keep_ok=False,
    )
    bad = {k: v for k, v in summary["counts"].items() if k not in ("ok", "gx-error") and v}
    assert not bad, json.dumps(summary["failure_kinds"], indent=1)[:4000]


def test_hostile_names_and_name_times():
    import numpy as np

    from tests.fuzz.core import rename
    from tests.fuzz.formats import name_time

    name = "20140310_0600_gill_themis19_full.pgm.gz"
    assert name_time(Path(name)) == np.datetime64("2014-03-10T06:00", "ns")
    assert name_time(Path("20190301.0400.00.sas.fitacf.bz2")) == np.datetime64("2019-03-01T04:00")
    assert name_time(Path("22630101_0600_gill_themis19_full.pgm.gz")) is None
    assert name_time(Path("tiegcm_5deg_sech_001.nc")) is None
    renamed = {rename(name, random.Random(k))[0] for k in range(40)}
    assert len(renamed) > 3 and name not in renamed


def test_time_checks_flag_wrapped_and_nat_times():
    import numpy as np
    import xarray as xr

    from tests.fuzz.formats import time_notes

    t = np.array(["1678-06-11", "2014-03-10"], dtype="datetime64[ns]")
    assert any(n.startswith("WRONG") for n in time_notes(xr.Dataset(coords={"time": t})))
    nat = np.array(["NaT", "2014-03-10"], dtype="datetime64[ns]")
    assert any("NaT" in n for n in time_notes(xr.Dataset(coords={"time": nat})))
    reported = xr.Dataset(coords={"time": nat}, attrs={"problematic_files": '["x"]'})
    assert not any(n.startswith("WRONG") for n in time_notes(reported))
    far = np.array(["2015-03-10"], dtype="datetime64[ns]")
    around = np.datetime64("2014-03-10T06:00", "ns")
    assert any(
        n.startswith("WRONG") for n in time_notes(xr.Dataset(coords={"time": far}), "", around)
    )
    assert not time_notes(xr.Dataset(coords={"time": far}))
    assert any("not datetime64" in n for n in time_notes(xr.Dataset(coords={"time": [1.0]})))
