"""Ingest throughput and memory: pubdoc packages with small attachments.

Usage: python benchmarks/bench_ingest.py [--sizes 1000,4000] [--jobs 1,2,4,8] [--dask]
Prints, for each batch size and job count, documents per second, the parent's CPU time as a
share of wall time (the writer ceiling: at 100% the parent, not the readers, bounds the rate),
the unchanged re-run rate and the parent's peak RSS growth. With --dask the same batches also
go through a Dask LocalCluster on loopback (workers = jobs, one thread each).
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

from seoulrec.store.catalog import Catalog
from seoulrec.run.demo import random_doc, write_package
from seoulrec.inputs.ingest import IngestOptions, run_batch


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


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def dask_cluster(workers: int):
    import dask
    from distributed import LocalCluster

    dask.config.set({"distributed.worker.daemon": False})
    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
        processes=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,4000")
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--dask", action="store_true", help="also run on a Dask LocalCluster")
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    base = Path(tempfile.mkdtemp(prefix="seoulrec-bench-"))
    try:
        for n in [int(x) for x in args.sizes.split(",")]:
            corpus = base / f"corpus-{n}"
            make_corpus(corpus, n)
            runs = [("local", int(x)) for x in args.jobs.split(",")]
            if args.dask:
                runs += [("dask", int(x)) for x in args.jobs.split(",")]
            for executor, jobs in runs:
                cluster = dask_cluster(jobs) if executor == "dask" else None
                options = IngestOptions(
                    jobs=jobs,
                    executor=executor,
                    scheduler=cluster.scheduler_address if cluster else None,
                )
                catalog = Catalog.create(base / f"bench-{n}-{executor}-{jobs}.db")
                before = rss_mb()
                cpu, start = cpu_seconds(), time.perf_counter()
                report = run_batch(catalog, [corpus], options)
                seconds = time.perf_counter() - start
                cpu = cpu_seconds() - cpu
                assert report.added == n and not report.failed, report
                start = time.perf_counter()
                again = run_batch(catalog, [corpus], options)
                rerun = time.perf_counter() - start
                assert again.unchanged == n
                print(
                    f"n={n:6d} {executor:5s} jobs={jobs}: {n / seconds:7.0f} docs/s ingest, parent CPU {cpu / seconds:4.0%} of wall, "
                    f"{n / rerun:7.0f} docs/s unchanged re-run, parent peak RSS {rss_mb():.0f} MiB (+{rss_mb() - before:.0f})",
                    flush=True,
                )
                catalog.close()
                if cluster is not None:
                    cluster.close()
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
