"""Why a word on most pages searches slowly: Pagefind's own ranking, compared across Pagefind
binaries on the same synthetic pages, in headless Chromium on localhost.

Usage: python benchmarks/bench_pagefind_versions.py [--pages 60000] [--other /path/to/pagefind]
The installed `pagefind` Python package's binary is always measured; ``--other`` adds another
binary (for example Pagefind 1.6.0 from npm: `npm pack @pagefind/linux-x64@1.6.0`, then
`package/bin/pagefind_extended`). Pages carry ASCII terms as seoulrec's keyed Korean terms do:
`kcommon` on every page, Zipf-distributed words from a 30,000-word vocabulary.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))
from tests.exporters import browser  # noqa: E402

QUERIES = ["k00017", "kcommon", "k00001", "k00100", "k02000"]


def pages(folder: Path, count: int) -> None:
    rng = random.Random(1)
    folder.mkdir(parents=True, exist_ok=True)
    vocabulary = [f"k{i:05d}" for i in range(30_000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    (folder / "index.html").write_text('<html lang="ko"><body><h1>home</h1></body></html>', "utf-8")
    for i in range(count):
        words = " ".join(rng.choices(vocabulary, weights, k=30))
        sub = folder / "r" / str(i // 1000)
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i}.html").write_text(
            f'<html lang="ko"><head><title>t{i}</title></head><body><article data-pagefind-body>'
            f"<h1>title {i} kcommon</h1><p>kcommon kcommonplus {words}</p></article></body></html>",
            "utf-8",
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=60_000)
    parser.add_argument("--other", type=Path, action="append", default=[])
    args = parser.parse_args()
    if browser.missing():
        sys.exit(f"needs a browser: {browser.missing()}")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "pages"
        pages(source, args.pages)
        binaries = [("installed", [sys.executable, "-m", "pagefind"])]
        binaries += [(str(path), [str(path)]) for path in args.other]
        for label, command in binaries:
            site = Path(tmp) / f"site-{len(list(Path(tmp).iterdir()))}"
            shutil.copytree(source, site)
            version = subprocess.run(
                [*command, "--version"], capture_output=True, text=True
            ).stdout.strip()
            started = time.perf_counter()
            subprocess.run(
                [*command, "--site", str(site), "--force-language", "ko", "--silent"], check=True
            )
            print(
                f"{label} ({version}): indexed {args.pages:,} pages in {time.perf_counter() - started:.1f} s"
            )
            with browser.served(site) as base, browser.chromium() as driver:
                driver.set_script_timeout(600)
                driver.get(base + "index.html")
                for query in QUERIES:
                    answer = browser.search(driver, query)
                    print(
                        f"  {query}: {answer.get('count', 0):,} results, search {answer.get('ms', 0):.0f} ms, "
                        f"{answer.get('bytes', 0) / 1024:.0f} KiB {answer.get('error', '')}"
                    )


if __name__ == "__main__":
    main()
