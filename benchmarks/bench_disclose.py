"""Disclosure: the personal-data masker's throughput on Korean text, and `disclose apply` over
a generated catalog of N records (default 1,000,000).

Usage: python benchmarks/bench_disclose.py [--records 1000000] [--megabytes 20]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from seoulrec.store.catalog import Catalog, now
from seoulrec.store.schema import public_id
from seoulrec.decide.disclosure import apply
from seoulrec.decide.policy import load_policy
from seoulrec.decide.privacy import Masker

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
IDENTIFIERS = [
    "민원인 홍길동",
    "010-1234-5678",
    "900101-1234568",
    "kim@example.com",
    "국민은행 계좌 123-45-678901",
    "02-555-1234",
]


def korean_text(megabytes: int) -> str:
    """Real Korean prose (the corpus's bills and rulings) with identifiers planted every ~2 KB."""
    from seoulrec.inputs.formats.documents import read_hwp, read_pdf

    parts = [read_pdf(p.read_bytes()).text for p in sorted((CORPUS / "pdf").glob("bill_*.pdf"))]
    parts += [read_hwp(p.read_bytes()).text for p in sorted((CORPUS / "hwp").glob("nts_*.hwp"))]
    prose = "\n".join(parts)
    rng = random.Random(0)
    chunks, size = [], 0
    while size < megabytes * 1_000_000:
        start = rng.randrange(0, max(1, len(prose) - 700))
        chunk = prose[start : start + 700] + " " + rng.choice(IDENTIFIERS) + " "
        chunks.append(chunk)
        size += len(chunk.encode())
    return "".join(chunks)


def masker_rate(megabytes: int) -> None:
    text = korean_text(megabytes)
    masker = Masker.from_policy(load_policy().masking)
    size = len(text.encode()) / 1e6
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        masked, findings = masker.mask(text)
        runs.append(time.perf_counter() - start)
    seconds = min(runs)
    print(
        f"masker: {size:.1f} MB of Korean text, best of 3: {seconds:.2f} s = {size / seconds:.1f} MB/s (slowest {size / max(runs):.1f}), {len(findings):,} findings (one process)"
    )


def generate_catalog(path: Path, n: int) -> Catalog:
    catalog = Catalog.create(path)
    rng = random.Random(1)
    levels = ["division_head"] * 6 + ["director", "team_lead", "staff", "vice_mayor", "unresolved"]
    classes = [("public", "[]")] * 7 + [
        ("partial", "[5]"),
        ("partial", "[6]"),
        ("non_public", "[5]"),
        (None, "[]"),
    ]
    stamp = now()
    db = catalog.db.conn
    db.execute("BEGIN")
    batch, approvals = [], []
    for i in range(1, n + 1):
        cls, grounds = rng.choice(classes)
        day = date(2012 + rng.randrange(14), rng.randrange(1, 13), rng.randrange(1, 29)).isoformat()
        batch.append(
            (
                i,
                f"reg:{i:013d}",
                1,
                1,
                "approval",
                f"과-{i}",
                f"2025년 업무 계획 알림 {i}" + (" 민원인 홍길동" if i % 50 == 0 else ""),
                "서울특별시",
                "과",
                day,
                rng.choice(levels),
                cls,
                grounds,
                "x" * 64,
                "ok",
                stamp,
                public_id(f"reg:{i:013d}"),
                "김담당",
                "5년",
                "CC BY",
            )
        )
        approvals.append((i, "approval", 3, "과장", "결재", "박과장", day, 1, "division_head"))
        if len(batch) == 20000:
            db.executemany(
                "INSERT INTO records(id, record_key, version, is_current, kind, document_number, title, organ, department, enforcement_date, approval_level, disclosure_class, grounds, sha256, status, created, public_id, writer, retention_period, licence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                batch,
            )
            db.executemany(
                'INSERT INTO approvals(record_id, kind, "order", position, type, name, date, is_final, level) VALUES (?,?,?,?,?,?,?,?,?)',
                approvals,
            )
            batch, approvals = [], []
    if batch:
        db.executemany(
            "INSERT INTO records(id, record_key, version, is_current, kind, document_number, title, organ, department, enforcement_date, approval_level, disclosure_class, grounds, sha256, status, created, public_id, writer, retention_period, licence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            batch,
        )
        db.executemany(
            'INSERT INTO approvals(record_id, kind, "order", position, type, name, date, is_final, level) VALUES (?,?,?,?,?,?,?,?,?)',
            approvals,
        )
    db.commit()
    return catalog


def apply_rate(n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        catalog = generate_catalog(Path(folder) / "big.db", n)
        print(f"generated a catalog of {n:,} records in {time.perf_counter() - start:.1f} s")
        policy = load_policy()
        for run in ("first", "second (idempotent re-apply)"):
            start = time.perf_counter()
            counts = apply(catalog, policy, date(2026, 11, 26))
            seconds = time.perf_counter() - start
            print(
                f"disclose apply, {run}: {counts['records']:,} records in {seconds:.1f} s = {counts['records'] / seconds:,.0f} records/s; "
                f"{counts['original_public']:,} originals published, {counts['titles_masked']:,} titles masked; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
            )
        catalog.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--megabytes", type=int, default=20)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    masker_rate(args.megabytes)
    apply_rate(args.records)


if __name__ == "__main__":
    main()
