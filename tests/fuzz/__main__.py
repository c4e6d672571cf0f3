"""Command line of the fuzzer: ``python -m tests.fuzz --formats themis-pgm omni -n 100``.

See tests/fuzz/README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .core import DEFAULT_RESULTS, reproduce, run


def main(argv: list[str] | None = None) -> int:
    from .formats import ORDER

    p = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    p.add_argument(
        "--formats", nargs="+", default=None, help=f"formats (default: all): {', '.join(ORDER)}"
    )
    p.add_argument("-n", type=int, default=100, help="variants per format")
    p.add_argument("--start", type=int, default=0, help="first variant index (to resume or extend)")
    p.add_argument(
        "--only", type=int, nargs="*", default=None, help="run only these variant indices"
    )
    p.add_argument("--seed", default="gx-fuzz-1", help="base seed: same seed, same variants")
    p.add_argument("--timeout", type=float, default=20.0, help="time limit per variant (s)")
    p.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="what --timeout counts: wall-clock seconds, or CPU seconds of the variant's "
        "processes (for a shared, loaded machine, where a low-priority child waits for a core)",
    )
    p.add_argument(
        "--wall-limit",
        type=float,
        default=None,
        help="with --clock cpu: the wall-clock bound for a child that blocks (default 10 x "
        "--timeout)",
    )
    p.add_argument("--mem-gib", type=float, default=4.0, help="RLIMIT_AS of each child (GiB)")
    p.add_argument("--results", type=Path, default=DEFAULT_RESULTS, help="results folder")
    p.add_argument(
        "--rename-rate",
        type=float,
        default=0.08,
        help="share of variants also given a hostile file name (bad date/time, long name)",
    )
    p.add_argument("--keep-ok", action="store_true", help="keep variants that read fine too")
    p.add_argument(
        "--repro",
        type=Path,
        default=None,
        help="run one saved variant (needs one --formats) and print the verdict",
    )
    p.add_argument("--list", action="store_true", help="list the formats and their seeds")
    args = p.parse_args(argv)
    formats = args.formats or ORDER
    unknown = [f for f in formats if f not in ORDER]
    if unknown:
        p.error(f"unknown formats {unknown}; known: {ORDER}")
    if args.list:
        from .formats import FORMATS

        for name in formats:
            print(name)
            for s in FORMATS[name].seeds():
                print("   ", s)
        return 0
    from .runner import CLOCK

    CLOCK.update(clock=args.clock, wall_limit=args.wall_limit)
    if args.repro:
        if len(formats) != 1:
            p.error("--repro needs exactly one --formats")
        return reproduce(formats[0], args.repro, timeout=args.timeout, mem_gib=args.mem_gib)
    summaries = run(
        formats,
        n=args.n,
        start=args.start,
        only=args.only,
        base_seed=args.seed,
        timeout=args.timeout,
        mem_gib=args.mem_gib,
        results=args.results,
        keep_ok=args.keep_ok,
        rename_rate=args.rename_rate,
    )
    bad = sum(
        sum(v for k, v in s["counts"].items() if k != "ok" and k != "gx-error") for s in summaries
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
