"""The PostgreSQL catalog (issue 14, points 3 and 4): the same commands give the same catalog,
decisions and published files as on SQLite; bad URLs and newer schemas are refused; many
archivists decide at once while an ingest runs. Needs a server: SEOULREC_TEST_PG (conftest)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from seoulrec.store.catalog import Catalog
from seoulrec.run.demo import DemoDoc, write_package

CLOCKS = {"created", "at", "started", "finished", "decided_at", "since", "updated"}
TODAY = "2026-11-27"


def _inboxes(root: Path) -> tuple[Path, Path]:
    first, second = root / "inbox1", root / "inbox2"
    for i in range(12):
        write_package(
            first / f"p{i:02d}",
            DemoDoc(
                number=i + 1, attachments=["붙임.txt"], code="1NNNNNNNN" if i % 4 else "3NNNNNNNN"
            ),
            {"붙임.txt": f"붙임 {i} 담당자 010-1234-{i:04d}".encode()},
        )
    write_package(first / "q-missing", DemoDoc(number=50, attachments=["없는 붙임.hwp"]), {})
    (first / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    (first / "자료").mkdir()
    (first / "자료" / "회의결과.txt").write_text("회의 결과 보고\n내용", encoding="utf-8")
    # The next day: three documents changed (new versions), one new.
    for i in (1, 2, 3):
        write_package(second / f"p{i:02d}", DemoDoc(number=i + 1, title=f"확충 계획 수정 {i}"), {})
    write_package(second / "p99", DemoDoc(number=99, department="교통정책과"), {})
    return first, second


def _run(cli, *args) -> dict | None:
    result = cli(*args)
    assert result.exit_code in (0, 3), result.output
    return json.loads(result.stdout) if "--json" in args else None


def _work(cli, location: str, root: Path, out: Path) -> dict:
    first, second = (
        _inboxes(root) if not (root / "inbox1").exists() else (root / "inbox1", root / "inbox2")
    )
    reports = {}
    for name, inbox in (("day1", first), ("day2", second)):
        report = _run(cli, "ingest", "--catalog", location, inbox, "--jobs", 2, "--json")
        reports[name] = {
            k: report[k] for k in ("added", "updated", "unchanged", "failed", "incomplete")
        }
    _run(cli, "classify", "run", "--catalog", location)
    _run(cli, "classify", "set", "2", "TRA", "--reason", "교통 업무", "--catalog", location)
    _run(
        cli, "disclose", "set", "3", "--class", "non_public", "--grounds", "5",
        "--reason", "의사결정 과정", "--until", "2099-01-01", "--catalog", location,
    )  # fmt: skip
    reports["apply"] = _run(
        cli, "disclose", "apply", "--today", TODAY, "--json", "--catalog", location
    )
    reports["apply"].pop("seconds", None)
    _run(cli, "export", "index", "--format", "jsonl", "--out", out / "index", "--catalog", location)
    _run(cli, "export", "site", "--no-search", "--out", out / "site", "--catalog", location)
    reports["stats"] = _run(cli, "stats", "--json", "--catalog", location)
    return reports


def _tables(location: str) -> dict:
    catalog = Catalog.open(location, readonly=True)
    tables = {}
    for table in ("records", "approvals", "attachments", "sources", "failures", "disclosures",
                  "record_categories", "disclosure_overrides", "attachment_disclosures"):  # fmt: skip
        rows = list(catalog.db.query(f"SELECT * FROM {table}"))
        key = "id" if rows and "id" in rows[0] else None
        cleaned = [{k: v for k, v in r.items() if k not in CLOCKS} for r in rows]
        tables[table] = sorted(
            cleaned, key=lambda r: r[key] if key else json.dumps(r, sort_keys=True, default=str)
        )
    actions = [r["action"] for r in catalog.db.query("SELECT action FROM audit ORDER BY id")]
    catalog.close()
    tables["audit actions"] = actions
    return tables


def _files(folder: Path) -> dict:
    """Every published file; in JSON lines the moment a record was first published (the
    clock of that run) is left out, and the digests of such files with it."""
    files = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.name in ("manifest.json", "partitions.json", "folder-id"):
            continue
        data = p.read_bytes()
        if p.name == "feed.xml":  # ordered by the clock of publication: compare the entries
            data = b"\n".join(sorted(re.findall(rb"<id>(urn:seoulrec:record:\d+)</id>", data)))
        if p.suffix == ".jsonl":
            rows = [json.loads(line) for line in data.splitlines()]
            for row in rows:
                row.pop("published_since", None)
            data = json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()
        files[str(p.relative_to(folder))] = data
    return files


def test_the_same_work_gives_the_same_catalog_and_files_on_both_backends(cli, tmp_path, pg_url):
    sqlite = str(tmp_path / "catalog.db")
    results = {}
    for name, location in (("sqlite", sqlite), ("postgresql", pg_url)):
        assert cli("init", "--catalog", location, "--folder", tmp_path / name).exit_code == 0
        results[name] = _work(cli, location, tmp_path, tmp_path / f"out-{name}")
    assert results["postgresql"] == results["sqlite"]
    assert results["sqlite"]["day1"]["added"] == 14 and results["sqlite"]["day2"]["updated"] == 3
    lite, pg = _tables(sqlite), _tables(pg_url)
    assert len(lite["records"]) == 18
    for table in lite:
        assert pg[table] == lite[table], table
    for what in ("index", "site"):
        ours, theirs = (
            _files(tmp_path / "out-sqlite" / what),
            _files(tmp_path / "out-postgresql" / what),
        )
        assert ours and theirs.keys() == ours.keys(), what
        different = [name for name in ours if ours[name] != theirs[name]]
        assert not different, (what, different[:5])


def test_records_commands_and_a_re_run_on_each_backend(cli, any_catalog, tmp_path):
    first, _ = _inboxes(tmp_path)
    again = None
    for _ in range(2):
        again = _run(cli, "ingest", "--catalog", any_catalog, first, "--json")
    assert again["added"] == 0 and again["unchanged"] == 14
    # The broken file failed the same way on the first run: known now, not a new failure.
    assert again["failed"] == []
    assert [f["reason"] for f in again["known_failures"]] == ["corrupt"]
    assert "없는 붙임.hwp" in again["incomplete"][0]["message"]
    listed = json.loads(cli("records", "list", "--json", "--catalog", any_catalog).stdout)
    assert len(listed) == 14
    shown = cli("records", "show", "1", "--json", "--catalog", any_catalog)
    assert shown.exit_code == 0 and json.loads(shown.stdout)["id"] == 1
    check = cli("check", "--json", "--catalog", any_catalog)
    assert check.exit_code == 0, check.output


def test_the_audit_log_is_append_only_on_both_backends(any_catalog):
    catalog = Catalog.open(any_catalog)
    catalog.audit("test.entry", detail={"n": 1})
    for statement in ("UPDATE audit SET actor = 'x'", "DELETE FROM audit"):
        with pytest.raises(Exception, match="append-only"):
            with catalog.transaction():
                catalog.db.execute(statement)
    assert catalog.db.execute("SELECT count(*) FROM audit").fetchone()[0] == 1
    catalog.close()


# -- bad input ----------------------------------------------------------------------------------


def test_wrong_credentials_are_a_clear_usage_error_without_the_password(cli, pg_url):
    wrong = pg_url.replace(":seoulrec@", ":not-the-password@", 1)
    assert wrong != pg_url
    result = cli("records", "list", "--catalog", wrong)
    assert result.exit_code == 2
    assert "cannot connect to the PostgreSQL catalog" in result.output
    assert "not-the-password" not in result.output and "Traceback" not in result.output


def test_an_unreachable_host_is_a_clear_usage_error(cli):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = cli("status", "--catalog", f"postgresql://nobody:secret@127.0.0.1:{port}/none")
    assert result.exit_code == 2
    assert f"127.0.0.1:{port}" in result.output and "secret" not in result.output


def test_an_empty_database_asks_for_init(cli, pg_url):
    result = cli("records", "list", "--catalog", pg_url)
    assert result.exit_code == 2 and "seoulrec init --catalog" in result.output


def test_a_catalog_migrated_by_a_newer_seoulrec_is_refused(cli, any_catalog):
    catalog = Catalog.open(any_catalog)
    with catalog.transaction():
        catalog.db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    catalog.close()
    result = cli("records", "list", "--catalog", any_catalog)
    assert result.exit_code == 2
    assert "schema version 99, newer than this seoulrec" in result.output


def test_init_refuses_another_applications_database(cli, pg_url):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id int)")
    result = cli("init", "--catalog", pg_url)
    assert result.exit_code == 2 and "another application's tables (invoices)" in result.output
    with psycopg.connect(pg_url, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
    assert tables == ["invoices"]


def test_init_writes_the_url_without_its_password(cli, pg_url, tmp_path):
    assert cli("init", "--catalog", pg_url, "--folder", tmp_path / "p").exit_code == 0
    written = (tmp_path / "p" / "seoulrec.toml").read_text("utf-8")
    assert pg_url.replace(":seoulrec@", "@") in written and ":seoulrec@" not in written


# -- one ingest at a time, across machines ------------------------------------------------------


def test_a_second_ingest_waits_for_the_first_on_postgresql(pg_url, tmp_path):
    from seoulrec.errors import CatalogLocked
    from seoulrec.inputs.ingest import IngestOptions, run_batch

    first, _ = _inboxes(tmp_path)
    holder = Catalog.create(pg_url)
    batch = holder.start_batch({"paths": ["elsewhere"]})  # an ingest running on another machine
    other = Catalog.open(pg_url)
    with pytest.raises(CatalogLocked, match="another ingest is running"):
        run_batch(other, [first], IngestOptions(jobs=1, wait=0))
    holder.close()  # its session ends (a killed process): PostgreSQL drops the lock
    # ... once the server has ended that session, which can take a moment after the client
    # closed it (a run of the quick suite once got here first).
    import time

    deadline = time.monotonic() + 10
    while not other.run_lock_free("ingest") and time.monotonic() < deadline:
        time.sleep(0.05)
    report = run_batch(other, [first], IngestOptions(jobs=1, wait=0))
    assert report.added == 14
    status = other.db.execute("SELECT status FROM batches WHERE id = ?", [batch]).fetchone()[0]
    assert status == "interrupted"
    other.close()


# -- many archivists at once ----------------------------------------------------------------------

ARCHIVIST = r"""
import json, sys
from datetime import date
from seoulrec.store.catalog import Catalog
from seoulrec.decide import classify, disclosure

url, me, ids = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
catalog = Catalog.open(url)
done = []
for n, record_id in enumerate(ids):
    if n % 2:
        classify.set_manual(catalog, record_id, "TRA", f"{me} 분류 {n}", actor=me)
        done.append(["classify.set", record_id])
    else:
        disclosure.set_manual(catalog, record_id, "non_public", [5], f"{me} 검토 {n}",
                              date(2099, 1, 1), date(2026, 11, 27), actor=me)
        done.append(["disclose.set", record_id])
catalog.close()
print(json.dumps(done))
"""


@pytest.mark.parametrize("archivists", [8])
def test_eight_archivists_decide_while_an_ingest_runs_on_postgresql(pg_url, tmp_path, archivists):
    """Every decision kept and audited exactly once; no error; the ingest finishes."""
    from seoulrec.inputs.ingest import IngestOptions, run_batch

    base = tmp_path / "base"
    for i in range(80):
        write_package(base / f"p{i:03d}", DemoDoc(number=i + 1), {})
    catalog = Catalog.create(pg_url)
    assert run_batch(catalog, [base], IngestOptions(jobs=1)).added == 80
    catalog.close()
    more = tmp_path / "more"
    for i in range(400):
        write_package(more / f"p{i:03d}", DemoDoc(number=1000 + i), {})
    ingest = subprocess.Popen(
        [sys.executable, "-m", "seoulrec", "ingest", "--catalog", pg_url, str(more), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Each archivist decides on 10 records; every record is decided by two archivists, who
    # both read the default scheme into being on first use (it must be imported once).
    workers = []
    for a in range(archivists):
        ids = [1 + (a * 5 + k) % 40 for k in range(10)]
        workers.append(
            subprocess.Popen(
                [sys.executable, "-c", ARCHIVIST, pg_url, f"archivist{a}", json.dumps(ids)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            )
        )
    decided = []
    for proc in workers:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        decided += [tuple(d) for d in json.loads(out)]
    out, err = ingest.communicate(timeout=600)
    assert ingest.returncode == 0, err
    assert json.loads(out)["added"] == 400
    catalog = Catalog.open(pg_url, readonly=True)
    audited = [
        (action, record_id)
        for action, record_id in catalog.db.execute(
            "SELECT action, record_id FROM audit WHERE action IN ('classify.set', 'disclose.set')"
        )
    ]
    assert len(decided) == archivists * 10
    assert sorted(audited) == sorted(decided)  # each decision audited exactly once
    classified = {
        r[0]
        for r in catalog.db.execute(
            "SELECT record_id FROM record_categories WHERE status = 'manual'"
        )
    }
    overrides = catalog.db.execute("SELECT count(*) FROM disclosure_overrides").fetchone()[0]
    assert classified == {rid for action, rid in decided if action == "classify.set"}
    assert overrides == len({rid for action, rid in decided if action == "disclose.set"})
    assert catalog.db.execute("SELECT count(*) FROM records").fetchone()[0] == 480
    assert catalog.db.execute("SELECT count(*) FROM schemes").fetchone()[0] == 1
    catalog.close()


def test_write_transactions_serialise_as_on_sqlite(any_catalog):
    """Read, wait, write: two writers at once never lose an update on either backend (one
    writer at a time, as SQLite's BEGIN IMMEDIATE; on PostgreSQL an advisory lock)."""
    import threading
    import time

    setup = Catalog.open(any_catalog)
    with setup.transaction():
        setup.db.execute("INSERT INTO meta(key, value) VALUES ('counter', '0')")
    setup.close()
    errors: list = []

    def bump() -> None:
        catalog = Catalog.open(any_catalog)
        try:
            for _ in range(3):
                with catalog.transaction():
                    value = int(
                        catalog.db.execute(
                            "SELECT value FROM meta WHERE key = 'counter'"
                        ).fetchone()[0]
                    )
                    time.sleep(0.05)
                    catalog.db.execute(
                        "UPDATE meta SET value = ? WHERE key = 'counter'", [str(value + 1)]
                    )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            catalog.close()

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    check = Catalog.open(any_catalog, readonly=True)
    assert check.db.execute("SELECT value FROM meta WHERE key = 'counter'").fetchone()[0] == "12"
    check.close()


# -- the nightly job --------------------------------------------------------------------------------


def _nightly_project(folder: Path, catalog: str, inboxes: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "seoulrec.toml").write_text(
        f"""[catalog]
path = "{catalog}"

[nightly]
out = "public"

[[nightly.inboxes]]
path = "{inboxes / "inbox1"}"
organ = "서울특별시"
organ_code = "6110000"

[[nightly.inboxes]]
path = "{inboxes / "inbox2"}"
organ = "서울특별시 강남구"
organ_code = "3220000"
""",
        "utf-8",
    )
    return folder


def test_nightly_publishes_the_same_on_both_backends_and_a_second_night_changes_nothing(
    cli, tmp_path, pg_url, monkeypatch
):
    """seoulrec.toml names the database without its password (libpq reads PGPASSWORD)."""
    from urllib.parse import urlsplit

    from seoulrec.store.pg import without_password

    _inboxes(tmp_path)
    assert cli("init", "--catalog", pg_url, "--folder", tmp_path / "pg-init").exit_code == 0
    projects = {
        "sqlite": _nightly_project(tmp_path / "lite", "catalog.db", tmp_path),
        "postgresql": _nightly_project(tmp_path / "pg", without_password(pg_url), tmp_path),
    }
    reports = {}
    for name, project in projects.items():
        monkeypatch.chdir(project)
        if name == "sqlite":
            assert cli("init").exit_code == 0
        else:  # set after the readers' fork server started (with the SQLite night)
            monkeypatch.setenv("PGPASSWORD", urlsplit(pg_url).password)
        first = cli("nightly", "--today", TODAY, "--json")
        assert first.exit_code == 3, first.output  # broken.pdf
        second = cli("nightly", "--today", TODAY, "--json")
        # The same broken file, failing the same way: known, not new; the night is quiet.
        assert second.exit_code == 0, second.output
        reports[name] = (json.loads(first.stdout), json.loads(second.stdout))
        assert reports[name][1]["changed"] is False
        assert [f["path"] for f in reports[name][1]["stages"]["ingest"]["known_failures"]] == [
            f["path"] for f in reports[name][0]["stages"]["ingest"]["failed"]
        ]
    ingest = reports["postgresql"][0]["stages"]["ingest"]
    assert (ingest["added"], ingest["updated"]) == (15, 3)
    for stage in ("ingest", "classify", "disclose"):
        clean = [
            {k: v for k, v in r["stages"][stage].items() if k not in ("seconds", "batch")}
            for r in (reports["sqlite"][0], reports["postgresql"][0])
        ]
        assert clean[0] == clean[1], stage
    for what in ("index", "site"):
        lite = _files(projects["sqlite"] / "public" / what)
        pg = _files(projects["postgresql"] / "public" / what)
        assert lite and pg.keys() == lite.keys()
        assert [n for n in lite if lite[n] != pg[n]] == [], what


def test_the_nightly_lock_on_postgresql_is_held_by_the_session(cli, tmp_path, pg_url, monkeypatch):
    from seoulrec.errors import NightlyLocked

    _inboxes(tmp_path)
    assert cli("init", "--catalog", pg_url, "--folder", tmp_path / "i").exit_code == 0
    holder = Catalog.open(pg_url)
    holder.hold_nightly_lock()
    with pytest.raises(NightlyLocked):
        Catalog.open(pg_url).hold_nightly_lock()
    monkeypatch.chdir(_nightly_project(tmp_path / "p", pg_url, tmp_path))
    result = cli("nightly", "--today", TODAY, "--json")
    assert result.exit_code == 75 and "another nightly run" in result.output
    holder.close()  # the holder's session ends: the lock goes with it
    result = cli("nightly", "--today", TODAY, "--json")
    assert result.exit_code == 3, result.output


def test_the_demo_publishes_the_same_on_postgresql(cli, tmp_path, pg_url):
    """The whole demo (two organs, materials, meetings, the pre-publication registry, every
    export and the portal) on both backends: the same published files."""
    for name, extra in (("lite", []), ("pg", ["--catalog", pg_url])):
        # The same folder for both (materials without a document number are keyed by path).
        result = cli("demo", "--out", tmp_path / "demo", "--jobs", 2, "--json", *extra)
        assert result.exit_code in (0, 3), result.output
        report = json.loads(result.stdout)
        assert report["stages"]["site"]["status"] == "ok"
        (tmp_path / "demo").rename(tmp_path / name)
    assert ":***@" in report["catalog"] and pg_url not in result.stdout  # no password printed
    for what in sorted(p.name for p in (tmp_path / "lite" / "public").iterdir()):
        lite, pg = (
            _files(tmp_path / "lite" / "public" / what),
            _files(tmp_path / "pg" / "public" / what),
        )
        assert lite and pg.keys() == lite.keys(), what
        assert [n for n in lite if lite[n] != pg[n]] == [], what


def test_a_server_that_goes_away_mid_command_is_not_called_a_bug(cli, pg_url, monkeypatch):
    """The command's session is terminated by the server right after it connects (as a DBA's
    pg_terminate_backend or a restart would): a clear error, not 'a bug in seoulrec'."""
    import psycopg

    from seoulrec.store.pg import PgCatalog

    assert cli("init", "--catalog", pg_url).exit_code == 0
    opened = PgCatalog.open.__func__

    def open_then_terminated(cls, *args, **kwargs):
        catalog = opened(cls, *args, **kwargs)
        pid = catalog.db.raw.info.backend_pid
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        return catalog

    monkeypatch.setattr(PgCatalog, "open", classmethod(open_then_terminated))
    result = cli("status", "--catalog", pg_url)
    assert result.exit_code == 1, result.output
    assert "the PostgreSQL catalog stopped answering" in result.output
    assert "bug in seoulrec" not in result.output


def test_readers_skip_known_sources_with_the_sessions_password(pg_url, tmp_path, monkeypatch):
    """Readers come from a fork server that may have started before PGPASSWORD was set: they
    are given the password this session used, so a re-run skips every known source."""
    from urllib.parse import urlsplit

    from seoulrec.inputs.ingest import IngestOptions, run_batch
    from seoulrec.store.pg import without_password

    first, _ = _inboxes(tmp_path)
    warm = Catalog.create(tmp_path / "warm.db")  # starts the readers' fork server
    run_batch(warm, [first / "p00"], IngestOptions(jobs=1))
    warm.close()
    monkeypatch.setenv("PGPASSWORD", urlsplit(pg_url).password)
    catalog = Catalog.create(without_password(pg_url))
    assert urlsplit(catalog.reader_location(True)).password == urlsplit(pg_url).password
    assert urlsplit(catalog.reader_location(False)).password is None  # never sent to Dask
    run_batch(catalog, [first], IngestOptions(jobs=1))
    seen: list = []
    again = run_batch(
        catalog, [first], IngestOptions(jobs=1), on_item=lambda r, _: seen.append(r.get("known"))
    )
    assert again.unchanged == 14 and seen.count(True) == 14
    catalog.close()


def test_a_quiet_apply_stands_and_a_changed_title_is_decided_again_on_both_backends(
    cli, any_catalog, tmp_path
):
    """The database counts changes to what decisions are made from (triggers on SQLite, per
    statement on PostgreSQL): an apply with nothing changed reads nothing; after a change it
    decides again."""
    from tests.conftest import open_db

    first, _ = _inboxes(tmp_path)
    _run(cli, "ingest", "--catalog", any_catalog, first, "--json")

    def apply() -> dict:
        return _run(
            cli, "disclose", "apply", "--today", "2026-11-27", "--catalog", any_catalog, "--json"
        )

    def last_audit() -> dict:
        db = open_db(any_catalog)
        try:
            row = db.execute(
                "SELECT detail FROM audit WHERE action = 'disclose.apply' ORDER BY id DESC LIMIT 1"
            ).fetchone()
        finally:
            db.close()
        return json.loads(row[0])

    decided = apply()
    assert apply()["records"] == decided["records"] and last_audit().get("unchanged")
    db = open_db(any_catalog)
    try:
        db.execute("UPDATE records SET title = '민원 회신 (연락처 010-1234-5678)' WHERE id = 1")
        db.commit()
    finally:
        db.close()
    apply()
    assert not last_audit().get("unchanged")
    shown = json.loads(cli("records", "show", "1", "--json", "--catalog", any_catalog).stdout)
    title = shown["decision"]["public_title"]
    assert title.startswith("민원 회신") and "010-1234-5678" not in title
