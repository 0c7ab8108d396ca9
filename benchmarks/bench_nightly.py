"""The nightly job at scale, per stage (seoulrec.run.pipeline.run_pipeline, as `seoulrec nightly`).

A. A day's intake: N approval packages (default 20,000; Seoul forecasts about 2,000,000
   electronic documents a year) through the whole pipeline, portal included, into an empty
   project; then the same night again with no new input.
B. A night with no new input over a large catalog (default 1,000,000 records, generated
   directly in SQLite and already classified): the first run writes the index exports, the
   second is timed. The portal is left out of B unless --site is given (a 1,000,000-page site
   takes over an hour to build once); its no-op check is timed in A.

Usage: python benchmarks/bench_nightly.py [--intake 20000] [--records 1000000] [--site]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from bench_disclose import generate_catalog  # noqa: E402

from seoulrec.store.catalog import Catalog, now  # noqa: E402
from seoulrec.config import CONFIG_TEMPLATE, load_config  # noqa: E402
from seoulrec.run.demo import random_doc, write_package  # noqa: E402
from seoulrec.run.pipeline import Plan, run_pipeline  # noqa: E402

TODAY = date(2026, 11, 27)


def project(folder: Path, catalog: str = "seoulrec.db"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "seoulrec.toml").write_text(
        CONFIG_TEMPLATE.format(catalog=catalog) + '\n[nightly]\nout = "public"\n', "utf-8"
    )
    return load_config(folder / "seoulrec.toml")


def show(label: str, report) -> None:
    stages = ", ".join(f"{name} {stage['seconds']:.1f} s" for name, stage in report.stages.items())
    print(f"{label}: {report.seconds:.1f} s (changed: {report.changed}; {stages})", flush=True)
    failed = report.failed_stage
    if failed:
        print(f"  stage {failed} failed: {report.stages[failed]['error']}")


def intake(count: int, tmp: Path) -> None:
    config = project(tmp / "a")
    inbox = tmp / "a-inbox"
    rng = random.Random(7)
    started = time.perf_counter()
    for i in range(count):
        doc = random_doc(rng, 100_000 + i)
        write_package(inbox / f"{i // 1000:03d}" / f"p{i:06d}", doc, {})
    print(f"A: wrote {count:,} packages in {time.perf_counter() - started:.1f} s (not timed below)")
    catalog = Catalog.create(tmp / "a" / "seoulrec.db")
    plan = Plan.from_config(config, inboxes=[inbox], today=TODAY)
    show(f"A: intake of {count:,} documents, whole pipeline", run_pipeline(catalog, config, plan))
    show("A: the same night again, no new input", run_pipeline(catalog, config, plan))
    from seoulrec.publish.site import site_is_current

    started = time.perf_counter()
    current = site_is_current(catalog, tmp / "a" / "public" / "site", {})
    print(f"A: the site's no-op check alone: {time.perf_counter() - started:.2f} s ({current})")
    catalog.close()


def quiet_night(records: int, tmp: Path, site: bool) -> None:
    config = project(tmp / "b")
    started = time.perf_counter()
    catalog = generate_catalog(tmp / "b" / "seoulrec.db", records)
    catalog.db.conn.execute("BEGIN")
    catalog.db.conn.execute(
        "INSERT INTO record_categories(record_key, record_id, category, scheme_version, status, classifier, at) "
        "SELECT record_key, id, NULL, 1, 'auto', 'bench', ? FROM records",
        [now()],
    )
    catalog.db.conn.commit()
    print(
        f"B: generated and classified {records:,} records in {time.perf_counter() - started:.1f} s (not timed)"
    )
    inbox = tmp / "b-inbox"
    inbox.mkdir()
    plan = Plan.from_config(config, inboxes=[inbox], today=TODAY)
    plan.site = site
    show("B: first run (writes every export)", run_pipeline(catalog, config, plan))
    show(
        f"B: a night with no new input over {records:,} records",
        run_pipeline(catalog, config, plan),
    )
    catalog.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--intake", type=int, default=20_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--site", action="store_true", help="Include the portal in part B.")
    parser.add_argument("--skip", choices=["A", "B"], action="append", default=[])
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if "A" not in args.skip:
            intake(args.intake, tmp)
        if "B" not in args.skip:
            quiet_night(args.records, tmp, args.site)


if __name__ == "__main__":
    main()
