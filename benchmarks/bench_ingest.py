"""Ingest throughput and memory: pubdoc packages with small attachments.

Usage: python benchmarks/bench_ingest.py [--sizes 1000,4000] [--jobs 1,2]
Prints documents per second and the parent's peak RSS growth for each batch size and job count.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path

from seoulrec.catalog import Catalog
from seoulrec.demo import random_doc, write_package
from seoulrec.ingest import IngestOptions, run_batch


def make_corpus(folder: Path, n: int) -> None:
    rng = random.Random(n)
    for i in range(n):
        doc = random_doc(rng, i + 1)
        doc.attachments = ["붙임.txt"]
        write_package(
            folder / f"p{i:06d}", doc, {"붙임.txt": (doc.title + " 붙임 자료\n").encode() * 20}
        )


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,4000")
    parser.add_argument("--jobs", default="1,2")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    base = Path(tempfile.mkdtemp(prefix="seoulrec-bench-"))
    try:
        for n in [int(x) for x in args.sizes.split(",")]:
            corpus = base / f"corpus-{n}"
            make_corpus(corpus, n)
            for jobs in [int(x) for x in args.jobs.split(",")]:
                catalog = Catalog.create(base / f"bench-{n}-{jobs}.db")
                before = rss_mb()
                start = time.perf_counter()
                report = run_batch(catalog, [corpus], IngestOptions(jobs=jobs))
                seconds = time.perf_counter() - start
                assert report.added == n and not report.failed, report
                start = time.perf_counter()
                again = run_batch(catalog, [corpus], IngestOptions(jobs=jobs))
                rerun = time.perf_counter() - start
                assert again.unchanged == n
                print(
                    f"n={n:6d} jobs={jobs}: {n / seconds:7.0f} docs/s ingest, {n / rerun:7.0f} docs/s unchanged re-run, parent peak RSS {rss_mb():.0f} MiB (+{rss_mb() - before:.0f})"
                )
                catalog.close()
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
