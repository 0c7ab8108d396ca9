import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile

import jsonschema
import pytest

from seoulrec.run.demo import DemoDoc, pack_xml, pubdoc_xml, write_package, zip_bytes
from seoulrec.store.records import record_schema

from ..conftest import BACKENDS, corpus_file, init_catalog, open_db


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


def ingest_json(cli, catalog_path, *args):
    result = cli("ingest", "--catalog", catalog_path, "--jobs", 2, "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_package_folder_pack_zip_and_hwpx_are_ingested(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    write_package(
        src / "a", DemoDoc(number=1, attachments=["붙임.txt"]), {"붙임.txt": "붙임 내용".encode()}
    )
    (src / "b.xml").write_bytes(
        pack_xml(DemoDoc(number=2, attachments=["결과.txt"]), {"결과.txt": b"ok"})
    )
    (src / "c.zip").write_bytes(zip_bytes({"c/pubdoc.xml": pubdoc_xml(DemoDoc(number=3))}))
    hwpx = corpus_file("hwpx/seoul_sihaengmun.hwpx")
    (src / "본문.hwpx").write_bytes(hwpx.read_bytes())
    code, report = ingest_json(cli, catalog_path, src)
    assert code == 0, report
    assert (report["added"], report["updated"], report["unchanged"], report["failed"]) == (
        4,
        0,
        0,
        [],
    )
    listed = json.loads(cli("records", "list", "--catalog", catalog_path, "--json").stdout)
    schema = record_schema()
    for record in listed:
        jsonschema.validate(record, schema)
    by_number = {r["document_number"]: r for r in listed}
    assert set(by_number) == {
        "자전거정책과-1",
        "자전거정책과-2",
        "자전거정책과-3",
        "전략주택공급과-13666",
    }
    real = by_number["전략주택공급과-13666"]
    assert real["approval_level"] == "division_head" and real["grounds"] == [5]
    assert by_number["자전거정책과-1"]["attachments"][0]["name"] == "붙임.txt"
    assert len(by_number["자전거정책과-1"]["attachments"][0]["sha256"]) == 64


def test_rerun_adds_nothing_and_says_so(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    for i in range(5):
        write_package(src / f"p{i}", DemoDoc(number=i), {})
    code, first = ingest_json(cli, catalog_path, src)
    assert first["added"] == 5
    code, second = ingest_json(cli, catalog_path, src)
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 0, 5)
    human = cli("ingest", "--catalog", catalog_path, src)
    assert "Nothing new" in human.stderr


def test_changed_document_becomes_a_new_version(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    write_package(src / "p", DemoDoc(number=42, title="초안 제목"), {})
    ingest_json(cli, catalog_path, src)
    write_package(src / "p", DemoDoc(number=42, title="수정된 제목"), {})
    code, report = ingest_json(cli, catalog_path, src)
    assert (report["added"], report["updated"]) == (0, 1)
    versions = json.loads(
        cli("records", "list", "--catalog", catalog_path, "--all-versions", "--json").stdout
    )
    assert [(v["version"], v["title"], v["is_current"]) for v in versions] == [
        (1, "초안 제목", False),
        (2, "수정된 제목", True),
    ]
    current = json.loads(cli("records", "list", "--catalog", catalog_path, "--json").stdout)
    assert [c["title"] for c in current] == ["수정된 제목"]


def test_dry_run_writes_nothing(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    write_package(src / "p", DemoDoc(number=1), {})
    code, report = ingest_json(cli, catalog_path, "--dry-run", src)
    assert report["added"] == 1 and report["dry_run"] and report["batch"] is None
    assert json.loads(cli("records", "list", "--catalog", catalog_path, "--json").stdout) == []


def test_missing_attachment_keeps_the_record_as_incomplete(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    write_package(src / "p", DemoDoc(number=5, attachments=["없는파일.pdf"]), {})
    code, report = ingest_json(cli, catalog_path, src)
    assert code == 0 and report["added"] == 1
    assert report["incomplete"][0]["message"] == "missing attachments: 없는파일.pdf"
    (record,) = json.loads(cli("records", "list", "--catalog", catalog_path, "--json").stdout)
    assert record["ingest_status"] == "incomplete" and record["status"] == "current"
    assert record["attachments"][0]["status"] == "missing"


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buffer.getvalue()


def test_hostile_and_broken_items_fail_clearly_and_the_batch_goes_on(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "slip.zip").write_bytes(
        _zip({"pubdoc.xml": pubdoc_xml(DemoDoc(number=1)), "../../evil.txt": b"x"})
    )
    (src / "abs.zip").write_bytes(
        _zip({"pubdoc.xml": pubdoc_xml(DemoDoc(number=2)), "/etc/evil": b"x"})
    )
    (src / "bomb.zip").write_bytes(
        _zip({"pubdoc.xml": pubdoc_xml(DemoDoc(number=3)), "big.bin": b"\0" * (64 * 2**20)})
    )
    (src / "xxe.xml").write_bytes(
        b'<?xml version="1.0"?><!DOCTYPE pubdoc [<!ENTITY x SYSTEM "file:///etc/passwd">]><pubdoc>&x;</pubdoc>'
    )
    (src / "malformed.xml").write_bytes(b"<?xml version='1.0'?><pubdoc><body></pubdoc>")
    (src / "empty.xml").write_bytes(b"")
    (src / "undefined.xml").write_bytes(
        pubdoc_xml(DemoDoc(number=4)).replace(b"&nbsp;", b"&bogus;")
    )
    (src / "blob.bin").write_bytes(bytes(range(256)) * 4)
    link_target = tmp_path / "outside.xml"
    link_target.write_bytes(pubdoc_xml(DemoDoc(number=6)))
    os.symlink(link_target, src / "link.xml")
    write_package(src / "good", DemoDoc(number=9), {})
    code, report = ingest_json(cli, catalog_path, src)
    assert code == 3  # finished, some items failed
    reasons = {os.path.basename(f["path"]): f["reason"] for f in report["failed"]}
    assert reasons == {
        "slip.zip": "unsafe",
        "abs.zip": "unsafe",
        "bomb.zip": "unsafe",
        "xxe.xml": "unsafe",
        "malformed.xml": "corrupt",
        "empty.xml": "empty",
        "undefined.xml": "corrupt",
        "blob.bin": "unsupported_format",
        "link.xml": "unsafe",
    }
    assert report["added"] == 1
    assert not (tmp_path / "evil.txt").exists() and not (src.parent.parent / "evil.txt").exists()
    messages = {os.path.basename(f["path"]): f["message"] for f in report["failed"]}
    assert "zip-slip" in messages["slip.zip"] and "entity &bogus;" in messages["undefined.xml"]
    db = open_db(catalog_path)
    assert db.execute("SELECT count(*) FROM failures").fetchone()[0] == 9


def test_fail_fast_stops_at_the_first_failure(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a-bad.xml").write_bytes(b"<pubdoc>")
    for i in range(20):
        (src / f"b{i:02d}.xml").write_bytes(pubdoc_xml(DemoDoc(number=i)))
    code, report = ingest_json(
        cli, catalog_path, "--fail-fast", src
    )  # exit 1: stopped, not finished
    assert code == 1 and report["stopped_early"] and len(report["failed"]) == 1
    assert report["added"] < 20


def test_thousands_of_files_with_one_bad_one(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(2000):
        (src / f"doc{i:04d}.xml").write_bytes(pubdoc_xml(DemoDoc(number=i)))
    (src / "doc1000-bad.xml").write_bytes(b"<pubdoc><unclosed></pubdoc>")
    code, report = ingest_json(cli, catalog_path, src)
    assert code == 3
    assert report["added"] == 2000 and len(report["failed"]) == 1
    assert report["failed"][0]["path"].endswith("doc1000-bad.xml")


def test_usage_errors_exit_2(cli, catalog_path, tmp_path):
    result = cli("ingest", "--catalog", catalog_path, tmp_path / "nope")
    assert result.exit_code == 2 and "no such file or folder" in result.stderr
    result = cli("ingest", "--catalog", tmp_path / "missing.db", tmp_path)
    assert result.exit_code == 2 and "seoulrec init" in result.stderr
    result = cli("records", "show", "999", "--catalog", catalog_path)
    assert result.exit_code == 2 and "no record with id 999" in result.stderr
    result = cli("records", "list", "--catalog", catalog_path, "--from", "yesterday")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.stderr


def test_records_list_filters_and_limit(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    write_package(
        src / "a",
        DemoDoc(number=1, department="복지정책과", date="2025-01-10", code="1NNNNNNNN"),
        {},
    )
    write_package(
        src / "b",
        DemoDoc(number=2, department="복지정책과", date="2025-06-10", code="3NNNNYNNN"),
        {},
    )
    write_package(
        src / "c",
        DemoDoc(number=3, department="문화정책과", date="2025-03-10", code="1NNNNNNNN"),
        {},
    )
    ingest_json(cli, catalog_path, src)

    def ids(*args):
        return [
            r["document_number"]
            for r in json.loads(
                cli("records", "list", "--catalog", catalog_path, "--json", *args).stdout
            )
        ]

    assert ids("--department", "복지정책과") == ["복지정책과-1", "복지정책과-2"]
    assert ids("--from", "2025-02-01", "--to", "2025-12-31") == ["복지정책과-2", "문화정책과-3"]
    assert ids("--class", "non_public") == ["복지정책과-2"]
    assert len(ids("--limit", "2")) == 2
    later = tmp_path / "later"
    write_package(later / "p9", DemoDoc(number=9, department="문화정책과", title="나중 배치"), {})
    ingest_json(cli, catalog_path, later)
    assert ids("--batch", "2") == ["문화정책과-9"] and "문화정책과-9" not in ids("--batch", "1")


@pytest.mark.slow
def test_killed_run_leaves_a_consistent_catalog_and_a_rerun_finishes(catalog_path, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(3000):
        (src / f"d{i:04d}.xml").write_bytes(pubdoc_xml(DemoDoc(number=i)))
    env = {**os.environ, "SEOULREC_CATALOG": str(catalog_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "seoulrec", "ingest", "--jobs", "2", str(src)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    db = open_db(catalog_path, timeout=30)
    deadline = time.monotonic() + 60
    while (
        time.monotonic() < deadline
        and db.execute("SELECT count(*) FROM records").fetchone()[0] < 300
    ):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    written = db.execute("SELECT count(*) FROM records").fetchone()[0]
    assert 0 < written < 3000, "the run was not interrupted mid-way"
    if not isinstance(catalog_path, str):  # SQLite's own check (PostgreSQL checks its pages)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Every record that exists is whole: its approvals and its source row were written with it.
    assert (
        db.execute(
            "SELECT count(*) FROM records r WHERE NOT EXISTS (SELECT 1 FROM approvals a WHERE a.record_id = r.id)"
        ).fetchone()[0]
        == 0
    )
    assert db.execute("SELECT count(*) FROM sources").fetchone()[0] == written
    db.close()
    rerun = subprocess.run(
        [sys.executable, "-m", "seoulrec", "ingest", "--jobs", "2", "--json", str(src)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["added"] == 3000 - written and report["unchanged"] == written
    db = open_db(catalog_path)
    statuses = [r[0] for r in db.execute("SELECT status FROM batches ORDER BY id")]
    assert statuses == ["interrupted", "finished"]


def test_symlinks_inside_zips_and_package_folders_are_refused(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("pubdoc.xml", pubdoc_xml(DemoDoc(number=1)))
        link = zipfile.ZipInfo("attach/passwd")
        link.external_attr = 0o120777 << 16  # a symbolic link member pointing outside
        zf.writestr(link, "/etc/passwd")
    (src / "link.zip").write_bytes(buffer.getvalue())
    package = write_package(src / "pkg", DemoDoc(number=2), {})
    os.symlink("/etc/passwd", package / "passwd")
    code, report = ingest_json(cli, catalog_path, src)
    reasons = {os.path.basename(f["path"]): (f["reason"], f["message"]) for f in report["failed"]}
    assert reasons["link.zip"][0] == "unsafe" and "symbolic link" in reasons["link.zip"][1]
    assert reasons["pkg"][0] == "unsafe" and "symbolic link" in reasons["pkg"][1]
    assert report["added"] == 0


def test_a_zip_holding_a_pack_envelope_under_any_name_is_one_package(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    envelope = pack_xml(DemoDoc(number=77, attachments=["결과.txt"]), {"결과.txt": "결과".encode()})
    (src / "transfer.zip").write_bytes(zip_bytes({"transfer-0077.xml": envelope}))
    code, report = ingest_json(cli, catalog_path, src)
    assert code == 0 and report["added"] == 1
    (record,) = json.loads(cli("records", "list", "--catalog", catalog_path, "--json").stdout)
    assert (
        record["document_number"] == "자전거정책과-77" and record["source_format"] == "package_zip"
    )
