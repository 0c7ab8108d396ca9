"""Unit-task model (issue 21): training on Seoul's whole real week, suggesting for 100,000
records, the model's size; beside the baseline's prediction speed.

Usage:
  python benchmarks/bench_unit_task.py [--records 100000] [--rounds 3]

The model is trained on all 17,078 rows of ../shared/corpus/seoul-opengov/info_list_2021-01-11.csv
(each round), then suggests a unit task, its retention and the top 5 for N records: the week's
titles cycled, each with a number of its own so none is a training row, departments kept.
Prints min / median / max of the training time and of the suggestion time (records/s), the
pickled model's size, and the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

WEEK = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpus"
    / "seoul-opengov"
    / "info_list_2021-01-11.csv"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not WEEK.exists():
        sys.exit(f"{WEEK} is absent: the real week is needed")
    from seoulrec.decide.unit_task import UnitTaskModel, read_labels

    labels = read_labels(WEEK)
    records = [
        {
            "title": f"{labels[i % len(labels)].title} {i}",
            "department": labels[i % len(labels)].department,
        }
        for i in range(args.records)
    ]
    train, suggest = [], []
    size = 0
    for _ in range(args.rounds):
        started = time.perf_counter()
        model = UnitTaskModel().fit(labels)
        train.append(time.perf_counter() - started)
        size = len(model.dumps())
        started = time.perf_counter()
        out = model.suggest(records)
        suggest.append(time.perf_counter() - started)
        assert len(out) == len(records) and all(s.retention for s in out[:1000])
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"train on {len(labels):,} rows ({len(model.tasks):,} unit tasks): "
        f"min {min(train):.1f} s, median {statistics.median(train):.1f} s, max {max(train):.1f} s"
    )
    print(
        f"suggest for {len(records):,} records: min {min(suggest):.1f} s, median "
        f"{statistics.median(suggest):.1f} s, max {max(suggest):.1f} s "
        f"({len(records) / statistics.median(suggest):,.0f} records/s)"
    )
    print(f"model: {size / 2**20:.1f} MiB pickled in the catalog")  # fmt: skip


if __name__ == "__main__":
    main()
