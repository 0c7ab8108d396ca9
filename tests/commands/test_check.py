"""``seoulrec check``: a sound catalog and its outputs pass; each kind of damage is found, and
``--repair`` fixes what is safe to fix without deleting records."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from seoulrec.run.demo import DemoDoc, write_package

TODAY = "2026-11-27"


@pytest.fixture
def project(cli, tmp_path):
    root = tmp_path / "work"
    assert cli("init").exit_code == 0
    inbox = tmp_path / "inbox"
    write_package(
        inbox / "a", DemoDoc(number=1, attachments=["붙임.txt"]), {"붙임.txt": "붙임 본문".encode()}
    )
    write_package(
        inbox / "b",
        DemoDoc(number=2, code="3NNNNYNNN", attachments=["비밀.txt"]),
        {"비밀.txt": "비밀 붙임".encode()},
    )
    result = cli("nightly", "--inbox", inbox, "--out", root / "public", "--today", TODAY)
    assert result.exit_code == 0, result.output
    return root


def check(cli, *args):
    result = cli("check", "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_sound_project_passes(cli, project):
    code, report = check(cli)
    assert code == 0 and report["sound"] and report["problems"] == []
    assert report["counts"] == dict.fromkeys(report["counts"], 0)


def test_each_kind_of_damage_is_found_and_safe_ones_repaired(cli, project):
    db = sqlite3.connect(project / "seoulrec.db")
    db.execute(
        "INSERT INTO batches(started, status, pid) VALUES ('2026-11-27T00:00:00', 'running', ?)",
        [dead_pid()],
    )
    withheld = db.execute("SELECT record_id FROM disclosures WHERE original_public = 0").fetchone()[
        0
    ]
    db.execute("UPDATE attachment_disclosures SET published = 1 WHERE record_id = ?", [withheld])
    db.execute("UPDATE batches SET added = added + 5 WHERE id = 1")
    db.execute("UPDATE sources SET sha256 = 'not-a-digest' WHERE rowid = 1")
    db.commit()
    db.close()
    page = next((project / "public" / "site" / "records").glob("*.html"))
    page.write_text(page.read_text("utf-8") + "<!-- tampered -->", "utf-8")
    leftover = project / "public" / f".site.tmp-{dead_pid()}-deadbeef"
    leftover.mkdir()

    code, report = check(cli)
    assert code == 1 and not report["sound"]
    counts = report["counts"]
    assert counts["stale_runs"] == 1 and counts["attachment_decisions"] == 1
    assert counts["batch_counts"] == 1 and counts["digests"] == 1
    assert counts["outputs"] == 1 and counts["leftovers"] == 1
    assert any(page.name in p["detail"] for p in report["problems"])

    records_before = (
        sqlite3.connect(project / "seoulrec.db").execute("SELECT count(*) FROM records").fetchone()
    )
    code, report = check(cli, "--repair")
    assert len(report["repaired"]) == 3  # the batch, the attachment decisions, the leftover
    assert not leftover.exists()
    left = {p["check"] for p in report["problems"]}
    assert left == {"batch_counts", "digests", "outputs"}  # by hand: never rewritten silently
    db = sqlite3.connect(project / "seoulrec.db")
    assert db.execute("SELECT count(*) FROM records").fetchone() == records_before
    assert db.execute(
        "SELECT published FROM attachment_disclosures WHERE record_id = ?", [withheld]
    ).fetchone() == (0,)
    assert db.execute("SELECT status FROM batches ORDER BY id DESC LIMIT 1").fetchone() == (
        "interrupted",
    )
    db.close()
    assert code == 1


def test_quick_checks_sizes_only(cli, project):
    page = next((project / "public" / "site" / "records").glob("*.html"))
    text = page.read_text("utf-8")
    page.write_text(text.replace("<", ">", 1), "utf-8")  # same size, other bytes
    assert check(cli, "--quick")[0] == 0
    assert check(cli)[0] == 1
