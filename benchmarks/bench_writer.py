"""The catalog writer alone: pubdoc results written with extraction taken out.

Usage: python benchmarks/bench_writer.py [--docs 20000] [--repeat 3] [--postgres URL]

Reads a generated corpus of pubdoc packages once (in this process), then writes the same
results into fresh catalogs with the two writers seoulrec has, alternately, and prints docs/s
for each and their ratio:
  item by item: one savepoint and one INSERT per row per item, commit every 64 items, default
                page cache and WAL checkpoints (the writer before issue 14; the same code is
                the fallback for a group the fast path refuses);
  batched:      the GroupWriter: one lookup and one executemany per table per group of up to
                2,048 items, a 64 MiB page cache and a checkpoint every 20,000 WAL pages.
With --postgres URL (a role that may create databases, e.g. the one .ci/postgres.sh prints)
the batched writer also writes into a fresh PostgreSQL database each round.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_ingest import make_corpus  # noqa: E402

from seoulrec.store.catalog import Catalog  # noqa: E402
from seoulrec.inputs.discovery import discover  # noqa: E402
from seoulrec.inputs.reading import process_item  # noqa: E402
from seoulrec.store.writer import GroupWriter  # noqa: E402

OPTIONS = {"flag_base": 1, "ranks": None, "kinds": None, "max_file_mb": 1024}


def fresh_database(admin_url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


def write_all(folder, name: str, results: list[dict], batched: bool) -> float:
    catalog = Catalog.create(folder if isinstance(folder, str) else folder / f"{name}.db")
    batch = catalog.start_batch({})
    seen: list[int] = []
    writer = GroupWriter(catalog, batch, lambda r, c: seen.append(len(c)), batched=batched)
    if not batched:  # the writer as it was: 64-item commit groups, the connection's defaults
        writer.MAX_ITEMS = 64
        for name, value in writer.saved.items():
            catalog.db.conn.execute(f"PRAGMA {name} = {int(value)}")
    work = copy.deepcopy(results)
    start = time.perf_counter()
    for result in work:
        writer.add(result)
    writer.close()
    seconds = time.perf_counter() - start
    rows = catalog.db.execute("SELECT count(*) FROM records").fetchone()[0]
    assert rows == len(results) and sum(seen) == len(results), (rows, len(results))
    catalog.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", help="also write into PostgreSQL (admin URL)")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    base = Path(tempfile.mkdtemp(prefix="seoulrec-bench-writer-"))
    try:
        make_corpus(base / "corpus", args.docs)
        items = list(discover([base / "corpus"]))
        results = [process_item(item, OPTIONS, None) for item in items]
        assert all(r["outcome"] == "ok" for r in results)
        times: dict[str, list[float]] = {"item by item": [], "batched": []}
        if args.postgres:
            times["batched, PostgreSQL"] = []
        for round_ in range(args.repeat):
            for name, batched in (("item by item", False), ("batched", True)):
                times[name].append(write_all(base, f"{name[:4]}-{round_}", results, batched))
            if args.postgres:
                url = fresh_database(args.postgres, f"seoulrec_bench_{round_}")
                times["batched, PostgreSQL"].append(write_all(url, "pg", results, True))
        n = len(results)
        best = {name: min(t) for name, t in times.items()}
        for name, t in times.items():
            print(
                f"{name:20s}: {n / best[name]:8.0f} docs/s (best of {len(t)}; median {n / statistics.median(t):.0f})"
            )
        print(f"ratio batched / item by item: {best['item by item'] / best['batched']:.2f}x")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
