"""``seoulrec nightly``: the whole pipeline in one run, the report, exit codes, the lock, the
double-run no-op, per-organ inboxes, bad plans refused before anything runs, a killed run
finished by the next one."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seoulrec.run.demo import DemoDoc, write_package
from seoulrec.run.pipeline import lock_path

TODAY = "2026-11-27"


def tree(folder: Path) -> dict:
    """Every file under ``folder``: its bytes' digest, inode and mtime (a rewrite shows)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            found[path.relative_to(folder).as_posix()] = (
                hashlib.sha256(path.read_bytes()).hexdigest(),
                st.st_ino,
                st.st_mtime_ns,
            )
    return found


@pytest.fixture
def project(tmp_path, cli):
    """A project with two organs' inboxes declared in seoulrec.toml."""
    root = tmp_path / "work"
    assert cli("init").exit_code == 0
    city, district = tmp_path / "inbox-city", tmp_path / "inbox-gangnam"
    for n in range(1, 4):
        write_package(city / f"p{n}", DemoDoc(number=n, date=f"2025-0{n}-02"), {})
    write_package(
        district / "g1",
        DemoDoc(number=11, title="강남구 주차장 정비 계획", department="교통행정과"),
        {},
    )
    config = root / "seoulrec.toml"
    config.write_text(
        config.read_text("utf-8")
        + f"""
[nightly]
out = "public"

[[nightly.inboxes]]
path = "{city}"
organ = "서울특별시"
organ_code = "6110000"

[[nightly.inboxes]]
path = "{district}"
organ = "서울특별시 강남구"
organ_code = "3220000"
""",
        "utf-8",
    )
    return root


def nightly(cli, *args):
    result = cli("nightly", "--today", TODAY, "--json", *args)
    return result, (json.loads(result.stdout) if result.stdout.strip() else None)


def test_two_runs_publish_once_and_the_second_touches_no_byte(cli, project, tmp_path):
    result, report = nightly(cli)
    assert result.exit_code == 0, result.output
    assert report["changed"] is True and report["status"] == "ok"
    assert set(report["stages"]) == {"ingest", "classify", "disclose", "export", "site"}
    assert report["stages"]["ingest"]["added"] == 4
    for stage in report["stages"].values():
        assert stage["status"] == "ok" and stage["seconds"] >= 0
    public = project / "public"
    for folder in ("index", "jsonl", "feed", "sitemap", "site"):
        assert (public / folder / "manifest.json").is_file(), folder
    before = tree(public)
    # Every record carries the organ of its inbox, in the index and the portal's browse pages.
    rows = [
        json.loads(line)
        for part in sorted((public / "jsonl" / "parts").rglob("records.jsonl"))
        for line in part.read_text("utf-8").splitlines()
    ]
    assert sorted(r["organ"] for r in rows) == ["서울특별시"] * 3 + ["서울특별시 강남구"]
    organ_page = (public / "site" / "browse" / "organ" / "index.html").read_text("utf-8")
    assert "서울특별시 강남구" in organ_page

    result, report = nightly(cli)
    assert result.exit_code == 0, result.output
    assert report["changed"] is False
    assert report["stages"]["ingest"]["unchanged"] == 4
    assert {f["output"] for f in report["stages"]["export"]["formats"].values()} == {"unchanged"}
    assert report["stages"]["site"]["output"] == "unchanged"
    assert tree(public) == before  # not one byte, inode or mtime changed
    assert "Nothing changed" in result.stderr

    # New input the next night: published, and only what changed is rebuilt.
    write_package(tmp_path / "inbox-city" / "p9", DemoDoc(number=9, date="2025-09-09"), {})
    result, report = nightly(cli)
    assert result.exit_code == 0 and report["changed"] is True
    assert report["stages"]["ingest"]["added"] == 1
    assert report["stages"]["site"]["reused"] == 4
    assert len(list((public / "site" / "records").glob("*.html"))) == 5


def test_inboxes_are_never_written(cli, project, tmp_path):
    inboxes = [tmp_path / "inbox-city", tmp_path / "inbox-gangnam"]
    before = [tree(folder) for folder in inboxes]
    for (
        folder
    ) in inboxes:  # read-only as a mount would be (root ignores the bits; the tree check does not)
        for path in folder.rglob("*"):
            path.chmod(0o555 if path.is_dir() else 0o444)
    result, _ = nightly(cli)
    assert result.exit_code == 0, result.output
    assert [tree(folder) for folder in inboxes] == before


def test_item_failures_exit_3_with_the_report(cli, project, tmp_path):
    (tmp_path / "inbox-city" / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
    result, report = nightly(cli)
    assert result.exit_code == 3, result.output
    assert report["status"] == "partial" and report["stages"]["ingest"]["failures"] == 1
    assert report["stages"]["ingest"]["failed"][0]["path"].endswith("broken.pdf")
    assert (project / "public" / "site" / "index.html").is_file()  # the rest was published


def test_a_failed_stage_stops_the_run_with_exit_4(cli, project):
    foreign = project / "public" / "jsonl"
    foreign.mkdir(parents=True)
    (foreign / "notes.txt").write_text("someone else's file")
    result, report = nightly(cli)
    assert result.exit_code == 4, result.output
    assert report["failed_stage"] == "export" and "site" not in report["stages"]
    assert "seoulrec did not make it" in report["stages"]["export"]["error"]
    assert (foreign / "notes.txt").read_text() == "someone else's file"
    assert "stage export failed" in result.stderr


def test_bad_plans_are_refused_before_anything_runs(cli, project, tmp_path):
    catalog = project / "seoulrec.db"
    stamp = catalog.stat().st_mtime_ns
    result, _ = nightly(cli, "--inbox", tmp_path / "missing")
    assert result.exit_code == 2 and "does not exist" in result.stderr
    result, _ = nightly(cli, "--out", tmp_path / "inbox-city" / "public")
    assert result.exit_code == 2 and "overlap" in result.stderr
    config = project / "seoulrec.toml"
    config.write_text(config.read_text("utf-8").replace("inbox-gangnam", "inbox-nowhere"))
    result, _ = nightly(cli)
    assert result.exit_code == 2 and "inbox-nowhere" in result.stderr
    assert catalog.stat().st_mtime_ns == stamp
    assert not (project / "public").exists()


HOLD = (
    "import fcntl, json, os, sys, time\n"
    "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
    "fcntl.flock(fd, fcntl.LOCK_EX)\n"
    "os.write(fd, json.dumps({'pid': os.getpid(), 'started': 'earlier'}).encode())\n"
    "print('held', flush=True)\n"
    "time.sleep(60)\n"
)


def test_the_lock_refuses_a_live_run_and_takes_over_a_dead_one(cli, project):
    lock = lock_path(project / "seoulrec.db")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result, _ = nightly(cli)
        assert result.exit_code == 75, result.output
        assert "another nightly run" in result.stderr and str(holder.pid) in result.stderr
        assert not (project / "public").exists()
    finally:
        holder.kill()  # SIGKILL: the kernel releases its flock; its line stays in the file
        holder.wait()
    # The holder is gone: its lock is free at once, taken over and reported.
    result, report = nightly(cli)
    assert result.exit_code == 0, result.output
    assert report["lock"]["stale_lock"]["pid"] == holder.pid
    assert "stale lock" in result.stderr
    assert not lock.exists()  # released at the end: the file removed, no holder named


def test_a_dead_runs_lock_is_free_even_when_its_pid_is_reused(cli, project):
    """The lock names a pid that is alive now (a reused pid, here this test's own process):
    no process holds the flock, so the next run takes it."""
    lock = lock_path(project / "seoulrec.db")
    lock.write_text(json.dumps({"pid": os.getpid(), "started": "before a restart"}))
    result, report = nightly(cli)
    assert result.exit_code == 0, result.output
    assert report["lock"]["stale_lock"]["pid"] == os.getpid()


@pytest.mark.slow
def test_a_killed_run_is_finished_by_the_next(project, tmp_path):
    for n in range(20, 60):
        write_package(tmp_path / "inbox-city" / f"q{n}", DemoDoc(number=n), {})
    command = [sys.executable, "-m", "seoulrec", "nightly", "--today", TODAY, "--json"]
    proc = subprocess.Popen(
        command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    seen = ""
    while time.monotonic() < deadline and "· site" not in seen:
        seen += proc.stderr.readline()
    os.kill(proc.pid, signal.SIGKILL)  # in the middle of the portal build
    proc.wait()
    assert "· site" in seen
    assert not (project / "public" / "site" / "manifest.json").exists()
    done = subprocess.run(command, cwd=project, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["lock"]["stale_lock"]["pid"] == proc.pid
    assert report["stages"]["site"]["output"] == "written"
    assert len(list((project / "public" / "site" / "records").glob("*.html"))) == 44
    assert not [p for p in (project / "public").iterdir() if p.name.startswith(".")]
    again = json.loads(subprocess.run(command, cwd=project, capture_output=True, text=True).stdout)
    assert again["changed"] is False


def test_exports_refuse_an_output_folder_inside_a_configured_inbox(cli, project, tmp_path):
    j_args = ("--catalog", project / "seoulrec.db")
    assert cli("disclose", "apply", "--today", TODAY, *j_args).exit_code == 0
    inside = tmp_path / "inbox-gangnam" / "site"
    for args in (
        ("export", "site", "--out", inside),
        ("export", "index", "--format", "jsonl", "--out", inside),
    ):
        result = cli(*args, *j_args)
        assert result.exit_code == 2 and "inbox" in result.stderr, result.output
    assert not inside.exists()
