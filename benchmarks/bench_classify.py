"""Classification: accuracy on Seoul's real pre-publication list against the baseline, and
throughput of the rule classifiers, the statistical one, and training on 100,000 records.

Usage: python benchmarks/bench_classify.py [--train-size 100000]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
import time
from pathlib import Path
from statistics import mean

from seoulrec.store.catalog import Catalog
from seoulrec.decide.classify import ClassifyContext, current_scheme, labelled_from_file
from seoulrec.run.demo import DEPARTMENTS, SUBJECTS
from seoulrec.decide.learn import Model, baseline_fit_predict, check_labels, cross_validate, metrics
from seoulrec.decide.scheme import default_scheme

REAL = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpus"
    / "seoul-opengov"
    / "public_list_2021-01.csv"
)
FIELD_CODES = {
    "교통": "TRA",
    "주택도시계획": "HOU",
    "복지": "WEL",
    "환경": "ENV",
    "안전": "SAF",
    "문화관광": "CUL",
}
NOISE = [
    "2025년",
    "하반기",
    "추진",
    "계획",
    "결과",
    "보고",
    "알림",
    "협조",
    "요청",
    "제출",
    "개선",
    "점검",
    "운영",
]


def synthetic(n: int, seed: int = 1) -> list[tuple[dict, str]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        department, _, _, field_name = rng.choice(DEPARTMENTS)
        subject = rng.choice(SUBJECTS[field_name])
        words = subject.split() + rng.sample(NOISE, 3)
        rng.shuffle(words)
        out.append(({"title": " ".join(words), "department": department}, FIELD_CODES[field_name]))
    return out


def real_list() -> None:
    labelled, _ = check_labels(labelled_from_file(REAL, default_scheme()))
    print(
        f"Seoul's real pre-publication list (2021-01): {len(labelled)} labelled titles, 7 categories with 2+ examples"
    )
    rng = random.Random(0)
    for kind in ("morph", "char+stem"):
        splits = []
        for seed in range(5):
            # Train on 70%, evaluate on the other 30% (stratified by category).
            by_class: dict[str, list] = {}
            for item in labelled:
                by_class.setdefault(item[1], []).append(item)
            train, test = [], []
            rng.seed(seed)
            for items in by_class.values():
                rng.shuffle(items)
                cut = max(1, round(len(items) * 0.7))
                train += items[:cut]
                test += items[cut:]
            model = Model.train(train, kind)
            truth = [label for _, label in test]
            ours = metrics(truth, [c for c, _, _ in model.predict([r for r, _ in test], explain=0)])
            base = metrics(truth, baseline_fit_predict(train, [r for r, _ in test]))
            splits.append((ours, base))
        cv = [cross_validate(labelled, kind, seed=s) for s in range(5)]
        print(
            f"  {kind:9s} 70/30 splits x5: accuracy {mean(o['accuracy'] for o, _ in splits):.3f} macro-F1 {mean(o['macro_f1'] for o, _ in splits):.3f}"
            f" | baseline accuracy {mean(b['accuracy'] for _, b in splits):.3f} macro-F1 {mean(b['macro_f1'] for _, b in splits):.3f}"
        )
        print(
            f"  {kind:9s} 2-fold CV x5:       accuracy {mean(r['model']['accuracy'] for r in cv):.3f} macro-F1 {mean(r['model']['macro_f1'] for r in cv):.3f}"
            f" | baseline accuracy {mean(r['baseline']['accuracy'] for r in cv):.3f} macro-F1 {mean(r['baseline']['macro_f1'] for r in cv):.3f}"
        )
        bins: dict[str, list] = {}
        for r in cv:
            for b in r["model"]["calibration"]["reliability"]:
                bins.setdefault(b["confidence"], []).append(b)
        reliability = ", ".join(
            f"{label}: {sum(b['records'] for b in group)} titles, accuracy {sum(b['accuracy'] * b['records'] for b in group) / sum(b['records'] for b in group):.2f}"
            for label, group in sorted(bins.items())
        )
        print(
            f"  {kind:9s} calibration (CV): top-label Brier {mean(r['model']['calibration']['brier'] for r in cv):.3f}; {reliability}"
        )


def throughput(train_size: int) -> None:
    from seoulrec.plugins import classifiers

    data = synthetic(train_size)
    records = [
        dict(r, id=i, unit_task="", record_key=str(i)) for i, (r, _) in enumerate(data[:20000])
    ]
    with tempfile.TemporaryDirectory() as folder:
        catalog = Catalog.create(Path(folder) / "c.db")
        version, scheme = current_scheme(catalog)
        dept_map = Path(folder) / "depts.csv"
        dept_map.write_text(
            "department,category\n"
            + "\n".join(f"{d},{FIELD_CODES[f]}" for d, _, _, f in DEPARTMENTS),
            "utf-8",
        )
        context = ClassifyContext(
            catalog, scheme, version, {"department_map": str(dept_map)}, Path(folder)
        )
        for name in ("department", "keywords"):
            plugin = classifiers.get(name)(context)
            start = time.perf_counter()
            plugin.classify(records)
            print(
                f"  rule classifier {name:10s}: {len(records) / (time.perf_counter() - start):9.0f} records/s"
            )
        for kind in ("morph", "char+stem"):
            start = time.perf_counter()
            model = Model.train(data, kind)
            trained = time.perf_counter() - start
            start = time.perf_counter()
            model.predict(records)
            rate = len(records) / (time.perf_counter() - start)
            print(
                f"  statistical ({kind:9s}): trained on {len(data):,} records in {trained:5.1f} s; predicts {rate:7.0f} records/s with explanations"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train-size", type=int, default=100_000)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    if REAL.exists():
        real_list()
    throughput(args.train_size)


if __name__ == "__main__":
    main()
