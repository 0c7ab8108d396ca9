"""status, batches, failures (resolve, retry), audit, and bulk decisions, through the CLI."""

import pytest
import json

from seoulrec.run.demo import DemoDoc, write_package

from ..conftest import cli_json as j
from ..conftest import BACKENDS, init_catalog


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


TODAY = "2026-11-26"


def test_status_batches_failures_retry_and_audit(cli, catalog_path, tmp_path, monkeypatch):
    monkeypatch.setenv("SEOULREC_ACTOR", "kim.archivist")
    src = tmp_path / "src"
    write_package(src / "p1", DemoDoc(number=1), {})
    (src / "broken.xml").write_bytes(b"<pubdoc>")
    (src / "empty.txt").write_bytes(b"")
    result = cli("ingest", "--catalog", catalog_path, "--jobs", 1, src)
    assert result.exit_code == 3
    status = j(cli, "status", "--catalog", catalog_path)
    assert status["records"]["approval"]["current"] == 1 and status["open_failures"] == 2
    assert status["last_batch"]["failed"] == 2 and status["decisions"]["undecided"] == 1
    human = cli("status", "--catalog", catalog_path)
    assert human.exit_code == 0 and "open failures" in human.stdout
    listed = j(cli, "failures", "--catalog", catalog_path)
    assert sorted(f["path"].rsplit("/", 1)[-1] for f in listed) == ["broken.xml", "empty.txt"]
    assert all(f["what_to_do"] for f in listed)
    empty = next(f for f in listed if f["path"].endswith("empty.txt"))
    j(cli, "failures", "resolve", empty["id"], "--note", "not a record", "--catalog", catalog_path)
    assert [
        f["path"].rsplit("/", 1)[-1] for f in j(cli, "failures", "--catalog", catalog_path)
    ] == ["broken.xml"]
    assert len(j(cli, "failures", "--all", "--catalog", catalog_path)) == 2
    # The officer replaces the broken file and retries only the failed items.
    (src / "broken.xml").write_bytes(
        __import__("seoulrec.run.demo", fromlist=["pubdoc_xml"]).pubdoc_xml(DemoDoc(number=2))
    )
    retried = j(cli, "ingest", "--retry-failed", "--catalog", catalog_path)
    assert retried["added"] == 1 and retried["items"] == 1
    assert j(cli, "failures", "--catalog", catalog_path) == []
    batches = j(cli, "batches", "--catalog", catalog_path)
    assert [b["id"] for b in batches] == [2, 1] and batches[1]["failed"] == 2
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    j(
        cli,
        "disclose",
        "set",
        1,
        "--class",
        "non_public",
        "--grounds",
        6,
        "--reason",
        "개인정보",
        "--catalog",
        catalog_path,
        "--today",
        TODAY,
    )
    entries = j(cli, "audit", "--record", 1, "--catalog", catalog_path)
    assert [e["action"] for e in entries] == ["disclose.set"] and entries[0][
        "actor"
    ] == "kim.archivist"
    assert {e["actor"] for e in j(cli, "audit", "--catalog", catalog_path)} == {"kim.archivist"}
    assert j(cli, "audit", "--actor", "nobody", "--catalog", catalog_path) == []
    assert cli("audit", "--since", "yesterday", "--catalog", catalog_path).exit_code == 2


def test_bulk_decisions_are_one_transaction(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    for n in (1, 2, 3):
        write_package(src / f"p{n}", DemoDoc(number=n), {})
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, src).exit_code == 0
    ids = tmp_path / "ids.txt"
    ids.write_text("1\n# a comment\n\n2\n", "utf-8")
    done = j(
        cli,
        "disclose",
        "set",
        "--ids-from",
        ids,
        "--class",
        "non_public",
        "--grounds",
        5,
        "--reason",
        "내부 검토",
        "--until",
        "2099-01-01",
        "--catalog",
        catalog_path,
        "--today",
        TODAY,
    )
    assert [d["id"] for d in done] == [1, 2]
    # One unknown id: nothing is decided.
    result = cli(
        "disclose", "set", 3, 999, "--class", "public", "--catalog", catalog_path, "--today", TODAY
    )
    assert result.exit_code == 2
    assert len(j(cli, "audit", "--record", 3, "--catalog", catalog_path)) == 0
    result = cli(
        "disclose",
        "set",
        "--ids-from",
        "-",
        "--class",
        "public",
        "--catalog",
        catalog_path,
        "--today",
        TODAY,
        "--json",
        input="3\n",
    )
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["id"] == 3
    filed = j(
        cli, "classify", "set", 1, 2, 3, "TRA", "--reason", "교통 사업", "--catalog", catalog_path
    )
    assert [f["id"] for f in filed] == [1, 2, 3]
    assert (
        cli("classify", "set", 1, "x", "TRA", "--reason", "r", "--catalog", catalog_path).exit_code
        == 2
    )
    bad = tmp_path / "bad.txt"
    bad.write_text("1\nabc\n", "utf-8")
    result = cli(
        "classify", "set", "TRA", "--ids-from", bad, "--reason", "r", "--catalog", catalog_path
    )
    assert result.exit_code == 2 and "line 2" in result.stderr
