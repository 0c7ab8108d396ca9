"""Real processes at once on one catalog: archivists making `classify set`, `disclose set` and
`review decide` decisions while a nightly run and an ingest are running, and two ingests at
once. No "database is locked", no lost or doubled decision, no duplicate version, every
archivist's write audited exactly once."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from seoulrec.run.demo import random_doc, write_package

TODAY = "2026-11-27"
ENV = dict(os.environ)


def cli(project: Path, *args, actor: str = "test") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "seoulrec", *map(str, args)],
        cwd=project,
        env=dict(ENV, SEOULREC_ACTOR=actor),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(proc: subprocess.Popen) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=600)
    return proc.returncode, out, err


ARCHIVIST = """
import subprocess, sys
project, kind, ids = sys.argv[1], sys.argv[2], [int(i) for i in sys.argv[3].split(",")]
for record in ids:
    if kind == "disclose":
        args = ["disclose", "set", record, "--class", "non_public", "--grounds", "5",
                "--reason", f"감사 {record}", "--until", "2027-06-30", "--today", "2026-11-27"]
    elif kind == "classify":
        args = ["classify", "set", record, "TRA", "--reason", f"교통 {record}"]
    else:
        args = ["review", "decide", record, "overturn", "--note", f"공개 {record}", "--today", "2026-11-27"]
    done = subprocess.run([sys.executable, "-m", "seoulrec", *map(str, args)], cwd=project,
                          capture_output=True, text=True)
    print(record, done.returncode, done.stderr.strip().replace("\\n", " "), flush=True)
"""


@pytest.mark.slow
def test_archivists_decide_while_the_nightly_job_and_ingests_run(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    rng = random.Random(11)
    first, tonight, other = tmp_path / "inbox-1", tmp_path / "inbox-2", tmp_path / "inbox-3"
    for n in range(1, 61):
        write_package(first / f"p{n}", random_doc(rng, n), {})
    for n in range(61, 161):
        write_package(tonight / f"p{n}", random_doc(rng, n), {})
    for n in range(161, 221):
        write_package(other / f"p{n}", random_doc(rng, n), {})
    assert finished(cli(project, "init"))[0] == 0
    code, _, err = finished(
        cli(project, "nightly", "--inbox", first, "--out", "public", "--today", TODAY)
    )
    assert code == 0, err
    script = tmp_path / "archivist.py"
    script.write_text(ARCHIVIST, "utf-8")

    nightly = cli(project, "nightly", "--inbox", tonight, "--out", "public", "--today", TODAY)
    ingest_a = cli(project, "ingest", other, "--jobs", 1)
    ingest_b = cli(project, "ingest", other, "--jobs", 1)
    plan = {
        "disclose": list(range(1, 21)),
        "classify": list(range(21, 41)),
        "review": list(range(1, 11)),  # the board on records the archivists just withheld
    }
    archivists = [
        subprocess.Popen(
            [sys.executable, str(script), str(project), kind, ",".join(map(str, ids))],
            env=dict(ENV, SEOULREC_ACTOR=f"archivist-{kind}"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for kind, ids in plan.items()
    ]
    outputs = {kind: finished(p) for kind, p in zip(plan, archivists)}
    results = {
        name: finished(p) for name, p in (("nightly", nightly), ("a", ingest_a), ("b", ingest_b))
    }

    everything = "\n".join(o[1] + o[2] for o in outputs.values()) + "\n".join(
        r[1] + r[2] for r in results.values()
    )
    assert "database is locked" not in everything
    assert results["nightly"][0] == 0, results["nightly"][2]
    # Two ingests of one inbox and the nightly job's at once: each waits for the one before it,
    # so the later ones find the inbox catalogued. Never two writing.
    assert (results["a"][0], results["b"][0]) == (0, 0), results
    assert any("waiting" in results[k][2] for k in ("a", "b", "nightly")), results
    for kind, (code, out, err) in outputs.items():
        assert code == 0, err
        lines = [line.split(" ", 2) for line in out.splitlines()]
        failed = [line for line in lines if line[1] != "0"]
        if kind == "review":
            # The board may only overturn a record once its non-disclosure is decided; a
            # refusal must be a clear message, never a lock error.
            assert all("locked" not in line[2] for line in failed)
        else:
            assert failed == [], failed

    db = sqlite3.connect(project / "seoulrec.db")
    try:
        # No duplicate version: one current record per key, versions 1..n without gaps.
        assert db.execute(
            "SELECT count(*) FROM (SELECT record_key FROM records WHERE is_current = 1 GROUP BY record_key HAVING count(*) > 1)"
        ).fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM records WHERE is_current = 1").fetchone() == (220,)
        # Every archivist's decision is there, once, and audited once.
        overrides = dict(
            db.execute(
                "SELECT r.id, o.reason FROM disclosure_overrides o JOIN records r ON r.record_key = o.record_key AND r.is_current = 1"
            )
        )
        assert {i: overrides.get(i) for i in plan["disclose"]} == {
            i: f"감사 {i}" for i in plan["disclose"]
        }
        audited = db.execute(
            "SELECT action, record_id, count(*) FROM audit WHERE action IN ('disclose.set', 'classify.set') GROUP BY action, record_id"
        ).fetchall()
        assert sorted((a, r) for a, r, _ in audited) == sorted(
            [("disclose.set", i) for i in plan["disclose"]]
            + [("classify.set", i) for i in plan["classify"]]
        )
        assert {n for _, _, n in audited} == {1}
        manual = dict(
            db.execute("SELECT record_id, category FROM record_categories WHERE status = 'manual'")
        )
        assert {i: manual.get(i) for i in plan["classify"]} == dict.fromkeys(
            plan["classify"], "TRA"
        )
        reviews = db.execute(
            "SELECT record_id, count(*) FROM review_decisions GROUP BY record_id HAVING count(*) > 1"
        ).fetchall()
        assert reviews == []
    finally:
        db.close()
