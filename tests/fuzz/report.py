"""Markdown report of a results folder: ``python -m tests.fuzz.report RESULTS_DIR``.

Lists, per format, the counts per outcome and every variant that ended other than ``ok`` /
``gx-error`` (outcome, exception, stage, message, saved file, reproduction command), plus the
near misses: clean reads that took more than half the timeout or more than 1 GiB.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BAD = ("foreign", "memory", "timeout", "crash", "silently-wrong")


def report(results: Path) -> str:
    lines = [f"# Fuzz results: {results}", ""]
    lines.append("| format | variants | " + " | ".join(("ok", "gx-error", *BAD)) + " |")
    lines.append("|---" * (2 + 2 + len(BAD)) + "|")
    details = []
    for summary_file in sorted(results.glob("*/summary.json")):
        s = json.loads(summary_file.read_text())
        c = s.get("counts", {})
        lines.append(
            f"| {s['format']} | {s.get('variants', 0)} | "
            + " | ".join(str(c.get(k, 0)) for k in ("ok", "gx-error", *BAD))
            + " |"
        )
        records = {}
        for line in (summary_file.parent / "variants.jsonl").read_text().splitlines():
            r = json.loads(line)
            records[r["index"]] = r
        bad = [r for _, r in sorted(records.items()) if r["outcome"] in BAD]
        timeout = s.get("limits", {}).get("timeout_s", 20)
        near = [
            r
            for r in records.values()
            if r["outcome"] in ("ok", "gx-error")
            and (r["seconds"] > timeout / 2 or r.get("peak_rss_mib", 0) > 1024)
        ]
        if not bad and not near:
            continue
        details.append(f"## {s['format']}")
        for r in bad:
            details.append(
                f"- **{r['outcome']}** #{r['index']} `{r['mutation'][:120]}`: "
                f"{r.get('exc_type', '')} at {r.get('where', '')}: {r.get('message', '')[:300]!r} "
                f"({r['seconds']} s, {r.get('cpu_s', '?')} s CPU, {r.get('peak_rss_mib')} MiB)"
            )
            details.append(f"  - saved: `{r.get('saved')}`")
            details.append(f"  - repro: `{r.get('repro')}`")
        for r in near:
            details.append(
                f"- near miss ({r['outcome']}) #{r['index']} `{r['mutation'][:120]}`: "
                f"{r['seconds']} s, {r.get('cpu_s', '?')} s CPU, {r.get('peak_rss_mib')} MiB"
            )
        details.append("")
    return "\n".join([*lines, "", *details])


if __name__ == "__main__":
    print(report(Path(sys.argv[1])))
