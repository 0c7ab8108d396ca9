"""One bad input never takes a batch down; every path is accounted for; no link is followed;
the write lock is never held while a worker reads; concurrent batches do not duplicate."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seoulrec.run.demo import DemoDoc, pack_xml, pubdoc_xml, write_package

from .test_isolation import slow_pdf

from ..conftest import BACKENDS, init_catalog, open_db


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


def run(cli, catalog_path, *args):
    result = cli("ingest", "--catalog", catalog_path, "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def counts_match_catalog(catalog_path):
    db = open_db(catalog_path)
    for batch, added, updated, failed in db.execute(
        "SELECT id, added, updated, failed FROM batches"
    ):
        assert (
            added
            == db.execute(
                "SELECT count(*) FROM records WHERE batch_id = ? AND version = 1", [batch]
            ).fetchone()[0]
        )
        assert (
            updated
            == db.execute(
                "SELECT count(*) FROM records WHERE batch_id = ? AND version > 1", [batch]
            ).fetchone()[0]
        )
        assert (
            failed
            == db.execute("SELECT count(*) FROM failures WHERE batch_id = ?", [batch]).fetchone()[0]
        )


def test_an_overflowing_number_and_an_undecodable_name_fail_alone(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    write_package(src / "a", DemoDoc(number=1), {})
    huge = pubdoc_xml(DemoDoc(number=2), encoding="utf-8").replace(
        b'order="1"', b'order="99999999999999999999999999"'
    )
    (src / "b-huge-order.xml").write_bytes(huge)
    os.makedirs(src, exist_ok=True)
    with open(os.path.join(os.fsencode(src), b"c\xff.txt"), "wb") as fh:
        fh.write("회의 자료 본문".encode())
    write_package(src / "d", DemoDoc(number=4), {})
    code, report = run(cli, catalog_path, "--jobs", 1, src)
    assert code == 3
    assert [(f["path"].rsplit("/", 1)[-1], f["reason"]) for f in report["failed"]] == [
        ("b-huge-order.xml", "corrupt")
    ]
    assert "could not be stored" in report["failed"][0]["message"]
    assert report["added"] == 3  # a, d and the oddly named text file
    names = [
        r[0] for r in open_db(catalog_path).execute("SELECT source_path FROM records ORDER BY id")
    ]
    assert any(n.endswith("c\\xff.txt") for n in names)
    counts_match_catalog(catalog_path)


def test_a_fifo_and_an_unreadable_folder_are_reported(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    fifo = src / "fifo.xml"
    os.mkfifo(fifo)
    code, report = run(cli, catalog_path, fifo)
    assert code == 3 and report["failed"] == [
        {
            "path": str(fifo),
            "reason": "unreadable",
            "message": "not a regular file (FIFO, socket or device); skipped",
        }
    ]
    write_package(src / "p", DemoDoc(number=1), {})
    code, report = run(
        cli, catalog_path, "--jobs", 1, src
    )  # inside a tree too, and it never blocks
    # The FIFO again, unchanged: a known failure (reported, not new: exit 0).
    assert (
        code == 0
        and report["failed"] == []
        and [f["reason"] for f in report["known_failures"]] == ["unreadable"]
        and report["added"] == 1
    )
    if os.geteuid() != 0:  # root reads every folder
        locked = src / "locked"
        locked.mkdir()
        locked.chmod(0)
        try:
            code, report = run(cli, catalog_path, src)
            assert any(
                f["path"].endswith("locked") and f["reason"] == "unreadable"
                for f in report["failed"]
            )
        finally:
            locked.chmod(0o755)


def test_a_symlinked_materials_csv_is_never_read(cli, catalog_path, tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("file,kind,title\nreport.txt,용역자료,비밀 외부 제목\n", "utf-8")
    src = tmp_path / "src"
    src.mkdir()
    (src / "report.txt").write_text("연구 용역 결과 보고서\n본문", "utf-8")
    (src / "materials.csv").symlink_to(outside)
    code, report = run(cli, catalog_path, "--jobs", 1, "--kind", "용역자료", src)
    assert code == 3 and [
        (f["path"].rsplit("/", 1)[-1], f["reason"]) for f in report["failed"]
    ] == [("materials.csv", "unsafe")]
    titles = [r[0] for r in open_db(catalog_path).execute("SELECT title FROM records")]
    assert titles == ["연구 용역 결과 보고서"]


def test_a_package_claims_only_what_its_document_names(cli, catalog_path, tmp_path):
    folder = tmp_path / "src" / "pack"
    folder.mkdir(parents=True)
    (folder / "envelope.xml").write_bytes(
        pack_xml(DemoDoc(number=1, attachments=["붙임.txt"]), {"붙임.txt": "붙임 내용".encode()})
    )
    (folder / "pubdoc_example.xml").write_bytes(pubdoc_xml(DemoDoc(number=2)))
    (folder / "README.md").write_text("# notes", "utf-8")
    code, report = run(cli, catalog_path, "--jobs", 1, tmp_path / "src")
    assert code == 0, report
    assert report["added"] == 2  # the envelope's record and pubdoc_example.xml on its own
    assert [i["path"].rsplit("/", 1)[-1] for i in report["ignored"]] == ["README.md"]
    db = open_db(catalog_path)
    attachments = [r[0] for r in db.execute("SELECT name FROM attachments")]
    assert attachments == ["붙임.txt"]


def test_an_incomplete_record_stays_reported_on_every_run(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    write_package(src / "p", DemoDoc(number=1, attachments=["없는 붙임.hwpx"]), {})
    first = run(cli, catalog_path, "--jobs", 1, src)[1]
    again = run(cli, catalog_path, "--jobs", 1, src)[1]
    assert (
        len(first["incomplete"]) == 1 and len(again["incomplete"]) == 1 and again["unchanged"] == 1
    )
    assert "없는 붙임.hwpx" in again["incomplete"][0]["message"]


def seoulrec(*args, cwd):
    return subprocess.Popen(
        [sys.executable, "-m", "seoulrec", *map(str, args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_the_write_lock_is_free_while_a_worker_reads_a_slow_item(cli, catalog_path, tmp_path):
    first = tmp_path / "first"
    write_package(first / "p", DemoDoc(number=1), {})
    assert cli("ingest", "--catalog", catalog_path, first).exit_code == 0
    src = tmp_path / "src"
    write_package(src / "a", DemoDoc(number=2), {})
    (src / "b-slow.pdf").write_bytes(slow_pdf(6_000_000))
    ingest = seoulrec(
        "ingest",
        "--catalog",
        catalog_path,
        "--jobs",
        1,
        "--timeout",
        60,
        "--memory-mb",
        0,
        src,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 60
    db = open_db(catalog_path)
    while (
        db.execute("SELECT count(*) FROM records").fetchone()[0] < 2 and time.monotonic() < deadline
    ):
        time.sleep(0.1)  # until the first item is written and the slow one is being read
    setter = subprocess.run(
        [
            sys.executable,
            "-m",
            "seoulrec",
            "disclose",
            "set",
            "1",
            "--class",
            "non_public",
            "--grounds",
            "5",
            "--reason",
            "내부 검토 중",
            "--until",
            "2099-01-01",
            "--catalog",
            str(catalog_path),
        ],
        capture_output=True,
        text=True,
    )
    still_reading = ingest.poll() is None
    ingest.communicate()
    assert setter.returncode == 0, setter.stderr
    assert still_reading, "the slow item finished before the check; make it slower"


def test_two_concurrent_ingests_never_duplicate_or_make_an_older_copy_current(
    cli, catalog_path, tmp_path
):
    src = tmp_path / "src"
    for n in range(2, 122):
        write_package(src / f"p{n:03d}", DemoDoc(number=n), {})
    older = tmp_path / "older"
    write_package(older / "p001", DemoDoc(number=1, body="첫 판 본문"), {})
    newer = tmp_path / "newer"
    write_package(newer / "p001", DemoDoc(number=1, body="고친 판 본문"), {})
    assert cli("ingest", "--catalog", catalog_path, older).exit_code == 0
    assert cli("ingest", "--catalog", catalog_path, newer).exit_code == 0
    a = seoulrec("ingest", "--catalog", catalog_path, "--jobs", 1, older, src, cwd=tmp_path)
    b = seoulrec("ingest", "--catalog", catalog_path, "--jobs", 1, src, older, cwd=tmp_path)
    outs = [p.communicate() for p in (a, b)]
    codes = [a.returncode, b.returncode]
    for code, (_, stderr) in zip(codes, outs):
        assert code == 0 or (code == 1 and "another ingest" in stderr), stderr
    db = open_db(catalog_path)
    assert (
        db.execute(
            "SELECT count(*) FROM (SELECT record_key FROM records GROUP BY record_key HAVING count(*) > 1) AS twice"
        ).fetchone()[0]
        == 1
    )
    assert (
        db.execute("SELECT count(*) FROM records").fetchone()[0] == 122
    )  # p001 has two versions, no more
    body = db.execute(
        "SELECT text FROM records WHERE is_current = 1 AND regnumbercode = '6110000000001'"
    ).fetchone()[0]
    assert "고친 판" in body  # re-reading the older copy never makes it current
    counts_match_catalog(catalog_path)


def _interruptible() -> None:
    """In the child before it runs: Ctrl-C as in a terminal, whatever the test runner's
    process left blocked or ignored (a child inherits both)."""
    import signal

    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_ctrl_c_with_json_still_reports_what_was_done(cli, catalog_path, tmp_path):
    import signal

    src = tmp_path / "src"
    write_package(src / "a", DemoDoc(number=1), {})
    (src / "b-slow.pdf").write_bytes(slow_pdf(12_000_000))  # ~15 s to read: Ctrl-C lands in it
    started = time.monotonic()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "seoulrec",
            "ingest",
            "--catalog",
            str(catalog_path),
            "--jobs",
            "1",
            "--timeout",
            "60",
            "--memory-mb",
            "0",
            "--json",
            str(src),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_interruptible,
    )
    db = open_db(catalog_path)
    deadline = time.monotonic() + 60
    while (
        db.execute("SELECT count(*) FROM records").fetchone()[0] < 1 and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    assert proc.poll() is None, (
        f"the ingest ended before Ctrl-C ({time.monotonic() - started:.1f} s; first record seen: "
        f"{db.execute('SELECT count(*) FROM records').fetchone()[0]})"
    )
    seen = time.monotonic() - started
    sources = [row[0] for row in db.execute("SELECT source_path FROM records").fetchall()]
    signals = [
        line
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines()
        if line.startswith(("SigBlk", "SigIgn", "SigCgt"))
    ]
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    # (In whole-suite runs under xdist the child once ran on to its end after the signal, with
    # the first record seen at 1.0-1.6 s; never alone. The child's signal state is printed.)
    assert proc.returncode == 130, (err, out[-2000:], f"signal at {seen:.1f} s", sources, signals)
    report = json.loads(out)
    assert report["interrupted"] and report["added"] == 1
    assert db.execute("SELECT status FROM batches").fetchone()[0] == "interrupted"
