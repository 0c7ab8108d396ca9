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

        paired(
            "disclose apply, nothing changed but the records read  vs  read the fact rows",
            lambda: apply(holder["cat"], policy, today),
            lambda: read_all(False),
            args.runs,
            before_a=touch,
        )
        paired(
            "disclose apply, a quiet night (nothing changed)  vs  read the fact rows",
            lambda: apply(holder["cat"], policy, today),
            lambda: read_all(False),
            args.runs,
        )
        holder.pop("cat").close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("target", choices=["startup", "disclose"])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    print(machine())
    {"startup": startup, "disclose": disclose}[args.target](args)


if __name__ == "__main__":
    main()
