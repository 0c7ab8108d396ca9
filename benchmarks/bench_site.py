"""The portal at scale: build time (pages and search index), and for 20 queries in a real
headless Chromium on localhost, each on a freshly opened home page: the time to the first 10
results shown (search and their rows) and the index bytes the query downloaded (meta.json
included).

Usage: python benchmarks/bench_site.py [--records 10000]
Needs Debian's chromium and chromium-driver and selenium (as the browser test does).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from bench_disclose import generate_catalog  # noqa: E402

from seoulrec.decide.disclosure import apply  # noqa: E402
from seoulrec.decide.policy import load_policy  # noqa: E402
from seoulrec.decide.privacy import Masker  # noqa: E402
from seoulrec.publish.site import build_site  # noqa: E402
from tests.exporters import browser  # noqa: E402

#: 20 queries: words in every generated text (추진), common subjects, rarer words, a department,
#: a word with a particle, two words, a compound written apart, a name that is nowhere.
QUERIES = [
    "추진", "계획", "정비", "주택", "공급", "자전거", "점검", "도서관", "탄소", "민원",
    "복지정책과", "예방", "대여소", "풍수해", "모아타운", "일자리", "자전거를", "노인 일자리",
    "지진대비", "홍철수",
]  # fmt: skip
SYLLABLES = "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초코토포호구누두루무부수우주추쿠투푸후"


def vary(catalog, seed: int = 1) -> None:
    """Titles and texts with a realistic vocabulary: the demo's subjects and departments, plus
    words drawn from a Zipf-like distribution over 30,000 pseudo-words (a real archive has many
    rare words and a few very common ones; identical titles would make every word common)."""
    import random

    from seoulrec.run.demo import DEPARTMENTS, SUBJECTS

    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(30_000)
    ]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    subjects = [s for group in SUBJECTS.values() for s in group]
    rows = []
    for (record_id,) in catalog.db.execute("SELECT id FROM records").fetchall():
        department = rng.choice(DEPARTMENTS)[0]
        words = " ".join(rng.choices(vocabulary, weights, k=12))
        subject = rng.choice(subjects)
        rows.append(
            (
                f"{subject} {words[:20]}",
                f"{subject}을(를) 추진합니다. {words}",
                department,
                record_id,
            )
        )
    with catalog.transaction():
        catalog.db.conn.executemany(
            "UPDATE records SET title = ?, text = ?, department = ? WHERE id = ?", rows
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10_000)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.db"
        catalog = generate_catalog(path, args.records)
        vary(catalog)
        apply(catalog, load_policy(), date(2026, 11, 26))
        out = Path(folder) / "site"
        started = time.perf_counter()
        result = build_site(catalog, out, {}, Masker())
        total = time.perf_counter() - started
        pages = sum(1 for _ in out.rglob("*.html"))
        print(
            f"n={args.records:,}: site built in {total:.1f} s ({pages:,} pages; search bundle {result.search['files']:,} files, "
            f"{result.search['bytes'] / 2**20:.1f} MiB)"
        )
        changed = max(1, args.records // 100)
        with catalog.transaction():
            catalog.db.execute(
                f"UPDATE records SET title = title || ' (정정)' WHERE id IN (SELECT id FROM records ORDER BY random() LIMIT {changed})"
            )
        apply(catalog, load_policy(), date(2026, 11, 26))
        again = build_site(catalog, out, {}, Masker(), since_last=True)
        print(
            f"n={args.records:,}: incremental build after {changed:,} changed records in {again.seconds:.1f} s "
            f"({again.reused:,} pages reused; pages {again.seconds - again.search['seconds']:.1f} s, search index {again.search['seconds']:.1f} s); "
            f"full build: pages {total - result.search['seconds']:.1f} s, search index {result.search['seconds']:.1f} s"
        )
        if browser.missing():
            print(f"browser measurements skipped: {browser.missing()}")
            return
        import statistics

        times, sizes = [], []
        with browser.served(out) as base, browser.chromium() as driver:
            # No browser cache: every query downloads what it needs, as on a first visit.
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
            for query in QUERIES:
                # Each query on a freshly opened home page, as a citizen arriving would: the
                # filter values and every index file it needs are fetched for it.
                driver.get("about:blank")
                browser.SENT["search"] = 0
                driver.get(base + "index.html")
                answer = browser.search(driver, query, every=False)
                sent = browser.SENT["search"]
                times.append(answer["total_ms"])
                sizes.append(sent)
                print(
                    f"  {query!r}: {answer['count']:,} results; first 10 shown in {answer['total_ms']:.0f} ms "
                    f"(search {answer['ms']:.0f} ms); {sent / 1024:.0f} KiB of index"
                )
        print(
            f"n={args.records:,}: first results median {statistics.median(times):.0f} ms, worst {max(times):.0f} ms; "
            f"index bytes per query median {statistics.median(sizes) / 1024:.0f} KiB, worst {max(sizes) / 1024:.0f} KiB"
        )


if __name__ == "__main__":
    main()
