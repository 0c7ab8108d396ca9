"""Export: full jsonl and seoul-csv throughput on a generated catalog, an incremental export
after 1% of records changed, and the exporting process's peak memory at two catalog sizes.

Usage: python benchmarks/bench_export.py [--records 1000000]
Each export runs as `python -m seoulrec export index ...` in a child process, so its peak RSS
is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_disclose import generate_catalog  # noqa: E402

from seoulrec.decide.disclosure import apply  # noqa: E402
from seoulrec.decide.policy import load_policy  # noqa: E402


def export(catalog: Path, fmt: str, out: Path, *extra: str) -> tuple[float, dict, float]:
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource, sys; from seoulrec.commands.main import app\ntry:\n app()\nexcept SystemExit as e:\n print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); raise",
            "export",
            "index",
            "--format",
            fmt,
            "--out",
            str(out),
            "--catalog",
            str(catalog),
            "--json",
            *extra,
        ],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    rss_mb = int(proc.stderr.strip().splitlines()[-1]) / 1024
    return seconds, json.loads(proc.stdout), rss_mb


def run(n: int, folder: Path, incremental: bool) -> None:
    path = folder / f"c{n}.db"
    catalog = generate_catalog(path, n)
    catalog.db.execute("UPDATE records SET text = '본문 ' || title")  # jsonl carries published text
    policy = load_policy()
    apply(catalog, policy, date(2026, 11, 26))
    results = {}
    for fmt in ("jsonl", "seoul-csv"):
        seconds, report, rss = export(path, fmt, folder / f"out-{fmt}-{n}", "--since", "last")
        rows = report["manifest"]["counts"]["rows"]
        results[fmt] = (seconds, report["seconds"])
        print(
            f"n={n:,} full {fmt:9s}: {rows:,} rows in {seconds:.1f} s wall ({report['seconds']:.1f} s in the export) = {rows / seconds:,.0f} records/s, child peak RSS {rss:.0f} MiB"
        )
    if not incremental:
        return
    changed = n // 100
    # Two change models, each 1% of the records: the nightly one (a day's intake and corrections
    # are recent documents: the newest 1% by production date, two or three month partitions)
    # and the worst case (1% spread uniformly over every month, so every partition changes).
    models = [
        (
            "recent 1%",
            f"UPDATE records SET title = title || ' (정정)' WHERE id IN (SELECT id FROM records ORDER BY enforcement_date DESC LIMIT {changed})",
        ),
        ("uniform 1%", "UPDATE records SET title = title || ' (정정2)' WHERE id % 100 = 7"),
    ]
    for label, sql in models:
        with catalog.transaction():
            catalog.db.execute(sql)
        start = time.perf_counter()
        counts = apply(catalog, policy, date(2026, 11, 26))
        print(
            f"disclose apply after changing {changed:,} titles ({label}): {counts['changed']:,} decisions changed, {time.perf_counter() - start:.1f} s"
        )
        for fmt in ("jsonl", "seoul-csv"):
            seconds, report, rss = export(path, fmt, folder / f"out-{fmt}-{n}", "--since", "last")
            c = report["manifest"]["counts"]
            full_wall, full_inside = results[fmt]
            print(
                f"n={n:,} incremental {fmt:9s} ({label}): {c['changed_rows']:,} changed rows, {c['partitions_written']} of {c['partitions']} month partitions rewritten "
                f"in {seconds:.2f} s wall = {100 * seconds / full_wall:.1f}% of the full run's wall time; "
                f"{report['seconds']:.2f} s in the export = {100 * report['seconds'] / full_inside:.1f}% of the full export's; child peak RSS {rss:.0f} MiB"
            )
    catalog.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    with tempfile.TemporaryDirectory() as folder:
        run(args.small, Path(folder), incremental=False)
        run(args.records, Path(folder), incremental=True)


if __name__ == "__main__":
    main()
