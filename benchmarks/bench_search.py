"""`seoulrec search`: answer times at 100,000 and 1,000,000 records on SQLite with the index's
size, and what the index costs ingest.

Usage:
  python benchmarks/bench_search.py latency [--records 100000 1000000]
  python benchmarks/bench_search.py ingest [--rounds 3] [--jobs 2]

latency: a catalog of N records is generated from the real week's titles (cycled, each with a
number of its own) and a sentence of text each, indexed by migration 10's own builder; then 30
query words (those of the real-week test) are searched 3 times each, 20 results a page with
snippets, as `seoulrec search` does (Kiwi already loaded). Prints the median and slowest answer,
the index's size (its FTS5 tables' pages) and the catalog's.

ingest: Seoul's real week (17,078 rows) ingested into fresh catalogs with the index written and
with its writing switched off, alternately (paired rounds), wall time each and the ratio.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

WEEK = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpus"
    / "seoul-opengov"
    / "info_list_2021-01-11.csv"
)
WORDS = (
    "제설 자전거 정비 초과근무 안전 점검 계획 보고 결과 통보 교육 회의 예산 공사 도로 지원 구급 "
    "화재 소방 복지 주택 환경 청소 민원 계약 용역 위원회 감사 시설 자료"
).split()
SENTENCES = [
    "관련 부서의 협조를 요청드립니다.",
    "붙임 자료를 참고하시기 바랍니다.",
    "도로 보수 공사 일정을 아래와 같이 알려드립니다.",
    "시설 안전 점검 결과를 보고합니다.",
    "민원 처리 결과를 통보합니다.",
]


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def generate(path: Path, n: int) -> None:
    from seoulrec.store import fulltext
    from seoulrec.store.catalog import Catalog, now

    with open(WEEK, encoding="utf-8-sig") as fh:
        rows = [(r["title"], r["rspnber_dept_nm"]) for r in csv.DictReader(fh)]
    rng = random.Random(1)
    catalog = Catalog.create(path)
    stamp = now()
    conn = catalog.db.conn
    conn.execute("BEGIN")
    batch = []
    for i in range(1, n + 1):
        title, department = rows[i % len(rows)]
        batch.append(
            (i, f"gen:{i}", 1, 1, "approval", f"{title} {i}", department, "2021-01-14",
             "division_head", "x" * 64, "ok", stamp, rng.choice(SENTENCES))
        )  # fmt: skip
        if len(batch) == 50_000 or i == n:
            conn.executemany(
                "INSERT INTO records(id, record_key, version, is_current, kind, title, department, "
                "enforcement_date, approval_level, sha256, status, created, text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                batch,
            )
            batch = []
    conn.commit()
    with catalog.transaction():
        fulltext.build(catalog.db, catalog.dialect)
    catalog.db.execute("VACUUM")
    catalog.close()


def index_bytes(path: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'fulltext%'"
        ).fetchone()[0]
    finally:
        conn.close()


def latency(sizes: list[int]) -> None:
    from seoulrec import grams
    from seoulrec.store.catalog import Catalog
    from seoulrec.store.fulltext import Query, search

    grams.stem_of("자전거를")  # Kiwi loaded, as after a command's first query
    print(f"machine: {machine()}")
    for n in sizes:
        folder = Path(tempfile.mkdtemp(prefix="bench-search-"))
        try:
            path = folder / "catalog.db"
            started = time.perf_counter()
            generate(path, n)
            built = time.perf_counter() - started
            catalog = Catalog.open(path, readonly=True)
            times, totals = [], []
            for _round in range(3):
                for word in WORDS:
                    t0 = time.perf_counter()
                    total, _hits = search(catalog, Query(word))
                    times.append(time.perf_counter() - t0)
                    totals.append(total)
            catalog.close()
            size = path.stat().st_size
            print(
                f"{n:>9,} records: median {statistics.median(times) * 1000:.1f} ms, "
                f"min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f} ms over {len(times)} searches "
                f"(most matches {max(totals):,}); index {index_bytes(path) / 2**20:.0f} MiB of a "
                f"{size / 2**20:.0f} MiB catalog; generated and indexed in {built:.0f} s"
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def ingest(rounds: int, jobs: int) -> None:
    from seoulrec.inputs.ingest import IngestOptions, run_batch
    from seoulrec.store import fulltext, writer
    from seoulrec.store.catalog import Catalog

    real_add = fulltext.add
    folder = Path(tempfile.mkdtemp(prefix="bench-search-ingest-"))
    inbox = folder / "inbox"
    inbox.mkdir()
    shutil.copy(WEEK, inbox / WEEK.name)
    print(f"machine: {machine()}")
    times: dict[str, list[float]] = {"with index": [], "without": []}
    try:
        for r in range(rounds):
            for label in ("with index", "without") if r % 2 == 0 else ("without", "with index"):
                writer.fulltext.add = real_add if label == "with index" else (lambda c, w: None)  # type: ignore[assignment]
                path = folder / f"{label.replace(' ', '-')}-{r}.db"
                catalog = Catalog.create(path)
                t0 = time.perf_counter()
                report = run_batch(catalog, [inbox], IngestOptions(jobs=jobs))
                times[label].append(time.perf_counter() - t0)
                catalog.close()
                assert report.added == 17078, report
    finally:
        writer.fulltext.add = real_add  # type: ignore[assignment]
        shutil.rmtree(folder, ignore_errors=True)
    ratios = [a / b for a, b in zip(times["with index"], times["without"])]
    for label, values in times.items():
        print(f"{label}: " + ", ".join(f"{v:.2f} s" for v in values))
    print(
        f"with/without: min {min(ratios):.3f}, median {statistics.median(ratios):.3f}, max {max(ratios):.3f} "
        f"({rounds} paired rounds, {jobs} jobs, 17,078 rows of the real week)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    lat = sub.add_parser("latency")
    lat.add_argument("--records", type=int, nargs="+", default=[100_000, 1_000_000])
    ing = sub.add_parser("ingest")
    ing.add_argument("--rounds", type=int, default=3)
    ing.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    if not WEEK.is_file():
        sys.exit(f"{WEEK} is missing: the benchmark reads Seoul's real week from ../shared/corpus")
    if args.what == "latency":
        latency(args.records)
    else:
        ingest(args.rounds, args.jobs)


if __name__ == "__main__":
    main()
