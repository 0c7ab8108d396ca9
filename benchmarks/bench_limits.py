"""Each stage against its bare limit (issue 24): A is seoulrec, B a bare loop doing the same
work, timed in pairs (A B A B ...) in one run so that the machine's drift cancels; prints A, B
and A/B as min - median - max.

    python benchmarks/bench_limits.py startup            # --help, status vs import typer, rich
    python benchmarks/bench_limits.py disclose --records 100000
    python benchmarks/bench_limits.py export --records 1000000
    python benchmarks/bench_limits.py masker --megabytes 20
    python benchmarks/bench_limits.py readers             # HWP, HWPX vs their bare section read

Targets: start-up <= 1.3x; disclose apply first <= 3x, unchanged <= 1.5x; export <= 2x;
masker >= 40 MB/s; HWP/HWPX readers <= 2x. Figures are recorded in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def machine() -> str:
    return f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"


def spread(values: list[float], unit: str = "s") -> str:
    fmt = "{:.3f}" if unit == "s" else "{:.2f}"
    return " - ".join(fmt.format(v) for v in (min(values), statistics.median(values), max(values)))


def paired(
    label: str,
    a: Callable[[], None],
    b: Callable[[], None],
    runs: int,
    before_a: Callable[[], None] | None = None,
    before_b: Callable[[], None] | None = None,
) -> float:
    """Time ``a`` and ``b`` in turn ``runs`` times after one warm-up of each; print A, B and
    A/B (pair by pair) as min - median - max; return the median ratio."""
    times_a, times_b = [], []
    for i in range(runs + 1):
        for fn, prepare, times in ((a, before_a, times_a), (b, before_b, times_b)):
            if prepare:
                prepare()
            start = time.perf_counter()
            fn()
            if i:  # the first round warms caches up
                times.append(time.perf_counter() - start)
    ratios = [x / y for x, y in zip(times_a, times_b)]
    print(f"{label}")
    print(f"  A   {spread(times_a)} s")
    print(f"  B   {spread(times_b)} s")
    print(f"  A/B {spread(ratios, 'x')}  ({runs} pairs)")
    return statistics.median(ratios)


# -- start-up -------------------------------------------------------------------------------
def startup(args) -> None:
    """`seoulrec --help` and `seoulrec status` on an empty catalog, each a fresh process, output
    piped (as a script or CI sees it), against `python -c "import typer, rich"`. Bytecode is
    written on the warm-up run (PYTHONDONTWRITEBYTECODE unset), as an installed package has it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    exe = shutil.which("seoulrec") or "seoulrec"
    # The real console script, not a version manager's shim (a shell script of its own).
    script = Path(sys.executable).with_name("seoulrec")
    if script.exists():
        exe = str(script)
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([exe, "init"], cwd=folder, env=env, capture_output=True, check=True)

        def run(*command: str) -> Callable[[], None]:
            return lambda: subprocess.run(
                list(command), cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )

        bare = run(sys.executable, "-c", "import typer, rich")
        paired(
            "seoulrec --help  vs  python -c 'import typer, rich'",
            run(exe, "--help"),
            bare,
            args.runs,
        )
        paired("seoulrec status (empty catalog)  vs  the same", run(exe, "status"), bare, args.runs)


# -- disclose apply -------------------------------------------------------------------------
def disclose(args) -> None:
    """`disclose apply` over a generated catalog against a bare loop over the same rows: the
    same fact query read in the same chunks, and (first run) one row written per record."""
    from datetime import date

    from bench_disclose import generate_catalog

    from seoulrec.decide.disclosure import apply
    from seoulrec.decide.policy import load_policy
    from seoulrec.store import disclosures as store
    from seoulrec.store.catalog import Catalog

    policy, today = load_policy(), date(2026, 11, 26)
    with tempfile.TemporaryDirectory() as folder:
        pristine = Path(folder) / "pristine.db"
        generate_catalog(pristine, args.records).close()
        work = Path(folder) / "work.db"
        holder: dict = {}

        def fresh() -> None:
            if "cat" in holder:
                holder.pop("cat").close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{work}{suffix}").unlink(missing_ok=True)
            shutil.copy(pristine, work)
            holder["cat"] = Catalog.open(work)

        def read_all(write: bool) -> None:
            cat = holder["cat"]
            if write:
                cat.db.execute(
                    "CREATE TABLE IF NOT EXISTS bare_decisions (record_id INTEGER PRIMARY KEY, "
                    + ", ".join(f"c{i} TEXT" for i in range(25))
                    + ")"
                )
            last = 0
            while True:
                rows = store.fact_rows(cat, last, 5000, None)
                if not rows:
                    break
                last = rows[-1][0]
                if write:
                    with cat.transaction():
                        cat.db.executemany(
                            f"INSERT OR REPLACE INTO bare_decisions VALUES ({', '.join('?' * 26)})",
                            [(r[0], *map(str, r[1:26])) for r in rows],
                        )

        print(f"{args.records:,} generated records")
        paired(
            "disclose apply, first run  vs  read the fact rows + write one row per record",
            lambda: apply(holder["cat"], policy, today),
            lambda: read_all(True),
            args.runs,
            before_a=fresh,
            before_b=fresh,
        )
        fresh()
        apply(holder["cat"], policy, today)

        def touch() -> None:  # a change elsewhere: the records must be read, none differs
            holder["cat"].db.execute("UPDATE fact_changes SET n = n + 1")

        for label, before in (
            ("nothing changed but the records read", touch),
            ("a quiet night (nothing changed)", None),
        ):
            paired(
                f"disclose apply, {label}  vs  read the fact rows",
                lambda: apply(holder["cat"], policy, today),
                lambda: read_all(False),
                args.runs,
                before_a=before,
            )
        holder.pop("cat").close()


# -- ingest -----------------------------------------------------------------------------------
def _bare_read(path: str) -> int:
    """The bare limit for one package: read its pubdoc.xml, SHA-256 it, parse it with lxml."""
    import hashlib

    from lxml import etree

    data = Path(path, "pubdoc.xml").read_bytes()
    hashlib.sha256(data).hexdigest()
    return len(etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True)))


def _bare_hash(path: str) -> str:
    import hashlib

    return hashlib.sha256(Path(path, "pubdoc.xml").read_bytes()).hexdigest()


def ingest(args) -> None:
    """pubdoc ingest (run_batch as `seoulrec ingest` runs it) into a fresh catalog, and again
    with nothing changed, against bare loops over the same package folders in as many
    processes: read + SHA-256 + lxml parse, and read + SHA-256."""
    from concurrent.futures import ProcessPoolExecutor

    from bench_ingest import make_corpus

    from seoulrec.inputs.ingest import IngestOptions, run_batch
    from seoulrec.store.catalog import Catalog

    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        make_corpus(corpus, args.packages)
        paths = sorted(str(p) for p in corpus.iterdir())
        print(f"{len(paths):,} pubdoc packages")
        holder: dict = {}
        for jobs in (1, 2):

            def fresh() -> None:
                if "cat" in holder:
                    holder.pop("cat").close()
                db = Path(folder) / "c.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                holder["cat"] = Catalog.create(db)

            def ours(jobs: int = jobs) -> None:
                run_batch(holder["cat"], [corpus], IngestOptions(jobs=jobs))

            def bare(fn=_bare_read, jobs: int = jobs) -> None:
                with ProcessPoolExecutor(jobs) as pool:
                    list(pool.map(fn, paths, chunksize=64))

            paired(
                f"ingest, {jobs} job(s), into a fresh catalog  vs  read + SHA-256 + lxml parse in {jobs} process(es)",
                ours,
                bare,
                args.runs,
                before_a=fresh,
            )
            paired(
                f"ingest again, nothing changed, {jobs} job(s)  vs  read + SHA-256 in {jobs} process(es)",
                ours,
                lambda jobs=jobs: bare(_bare_hash, jobs),
                args.runs,
            )
            holder.pop("cat").close()


# -- readers --------------------------------------------------------------------------------
def readers(args) -> None:
    """HWP and HWPX readers in-process over the real corpus (../shared/corpus) against the bare
    section read: olefile + zlib of every BodyText section; zipfile + lxml of every section."""
    import io
    import zipfile
    import zlib

    import olefile
    from lxml import etree

    from seoulrec.inputs.formats.documents import read_hwp
    from seoulrec.inputs.formats.hwpx import read_hwpx

    corpus = HERE.parents[1] / "shared" / "corpus"
    hwp = [p.read_bytes() for p in sorted((corpus / "hwp").glob("nts_*.hwp"))]
    hwp.append((corpus / "hwp" / "SimpleTable.hwp").read_bytes())
    hwpx = [p.read_bytes() for p in sorted((corpus / "hwpx").glob("*.hwpx"))]

    def bare_hwp() -> None:
        for data in hwp * args.repeat:
            with olefile.OleFileIO(io.BytesIO(data)) as ole:
                for entry in ole.listdir():
                    if entry[0] == "BodyText":
                        zlib.decompress(ole.openstream(entry).read(), -15)

    def bare_hwpx() -> None:
        for data in hwpx * args.repeat:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    if name.startswith("Contents/section"):
                        etree.fromstring(
                            archive.read(name), etree.XMLParser(resolve_entities=False)
                        )

    print(f"{len(hwp)} HWP and {len(hwpx)} HWPX files of the corpus, each read {args.repeat} times")
    paired(
        "read_hwp  vs  olefile + zlib of every BodyText section",
        lambda: [read_hwp(d) for d in hwp * args.repeat],
        bare_hwp,
        args.runs,
    )
    paired(
        "read_hwpx  vs  zipfile + lxml of every section",
        lambda: [read_hwpx(d) for d in hwpx * args.repeat],
        bare_hwpx,
        args.runs,
    )


# -- export -----------------------------------------------------------------------------------
def export(args) -> None:
    """A full export (in-process, no start-up) of a decided catalog against a Python dump of
    the same rows (the same query, ``csv``/``json`` of each row into one file); then an
    incremental one (``since_last``) after 1% of the records changed, against the same dump
    of every row (the folder it leaves holds every row)."""
    import csv
    import json
    from datetime import date

    from bench_disclose import generate_catalog

    from seoulrec.decide.disclosure import apply
    from seoulrec.decide.policy import load_policy
    from seoulrec.decide.privacy import Masker
    from seoulrec.publish.export import run_export
    from seoulrec.store import publications

    with tempfile.TemporaryDirectory() as folder:
        cat = generate_catalog(Path(folder) / "c.db", args.records)
        cat.db.execute("UPDATE records SET text = '본문 ' || title")  # jsonl carries published text
        policy = load_policy()
        apply(cat, policy, date(2026, 11, 26))
        masker = Masker.from_policy(policy.masking)
        print(f"{args.records:,} decided records")
        for fmt, with_text in (("jsonl", True), ("seoul-csv", False)):
            out = Path(folder) / f"out-{fmt}"

            def ours(out: Path = out, fmt: str = fmt) -> None:
                shutil.rmtree(out, ignore_errors=True)
                run_export(cat, fmt, out, False, {}, masker)

            def bare(fmt: str = fmt, with_text: bool = with_text) -> None:
                cursor = publications.decided_rows(cat, with_text)
                with open(Path(folder) / "bare.out", "w", encoding="utf-8", newline="") as fh:
                    if fmt == "jsonl":
                        names: list[str] = []
                        for row in cursor:
                            if not names:
                                names = [f"c{i}" for i in range(len(row))]
                            fh.write(json.dumps(dict(zip(names, row)), ensure_ascii=False) + "\n")
                    else:
                        csv.writer(fh).writerows(cursor)

            paired(
                f"export index --format {fmt}, full  vs  a Python {'json' if fmt == 'jsonl' else 'csv'} dump of the same rows",
                ours,
                bare,
                args.runs,
            )

            def change(changed: int = max(1, args.records // 100)) -> None:
                # Untimed: 1% of the records retitled and decided again.
                cat.db.execute(
                    "UPDATE records SET title = title || ' (정정)' WHERE id IN "
                    f"(SELECT id FROM records ORDER BY random() LIMIT {changed})"
                )
                apply(cat, policy, date(2026, 11, 26))

            def incremental(out: Path = out, fmt: str = fmt) -> None:
                run_export(cat, fmt, out, True, {}, masker)

            paired(
                f"export index --format {fmt} --since-last, 1% of the records changed  vs  the same dump of every row",
                incremental,
                bare,
                args.runs,
                before_a=change,
            )
        cat.close()


# -- masker ---------------------------------------------------------------------------------
def masker(args) -> None:
    """The masker over N MB of real Korean prose with identifiers planted (bench_disclose's
    text) against the naive regex: one alternation of every family's pattern, one scan."""
    import re

    from bench_disclose import korean_text

    from seoulrec.decide import privacy
    from seoulrec.decide.policy import load_policy

    text = korean_text(args.megabytes)
    size = len(text.encode()) / 1e6
    ours = privacy.Masker.from_policy(load_policy().masking)
    naive = re.compile(
        "|".join(
            f"(?:{p})"
            for p in (
                privacy.RRN,
                privacy.PASSPORT,
                privacy.LICENCE,
                privacy.MOBILE,
                privacy.LANDLINE,
                privacy.PHONE_CUED,
                privacy.EMAIL,
                privacy.EMAIL_AT_WORD,
                privacy.INTL_PHONE,
                privacy.ACCOUNT,
                privacy.BUSINESS,
                privacy.NAME,
            )
        )
        .replace("(?P<", "(?P<_")  # the families' inner names, made unique per family
        .replace("(?P<_bare>", "(?:")
        .replace("(?P<_account>", "(?:")
        .replace("(?P<_name>", "(?:")
    )
    found = len(ours.mask(text)[1])
    print(f"{size:.1f} MB of Korean prose, {found:,} findings")
    median = paired(
        "masker  vs  one naive alternation of every pattern (lower A/B is faster)",
        lambda: ours.mask(text),
        lambda: sum(1 for _ in naive.finditer(text)),
        args.runs,
    )
    start = time.perf_counter()
    for _ in range(3):
        ours.mask(text)
    rate = 3 * size / (time.perf_counter() - start)
    print(
        f"  masker throughput: {rate:.1f} MB/s (mean of 3 after the pairs; A/B median {median:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "target", choices=["startup", "ingest", "disclose", "export", "masker", "readers"]
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--megabytes", type=int, default=20)
    parser.add_argument("--packages", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(machine())
    targets = {"startup": startup, "ingest": ingest, "disclose": disclose, "export": export}
    targets.update(masker=masker, readers=readers)
    targets[args.target](args)


if __name__ == "__main__":
    main()
