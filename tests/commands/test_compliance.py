"""``seoulrec compliance``: one report of every kind of finding, --json, --fail-on for CI."""

from __future__ import annotations

import pytest

import json
from datetime import date, timedelta

from seoulrec.run.demo import DemoDoc, write_package

from ..conftest import cli_json as j
from ..conftest import BACKENDS, init_catalog


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


TODAY = date.today()


def test_compliance_reports_every_kind_and_fails_on_request(cli, catalog_path, tmp_path):
    empty = cli("compliance", "--fail-on", "any", "--catalog", catalog_path, "--json")
    assert empty.exit_code == 0 and json.loads(empty.stdout)["total"] == 0

    inbox = tmp_path / "inbox"
    write_package(inbox / "ok", DemoDoc(number=1), {})
    write_package(inbox / "rank", DemoDoc(number=2, final_position="특별보좌역"), {})
    write_package(inbox / "secret", DemoDoc(number=3, code="3NNNNYNNN"), {})  # 비공개, no reason
    (inbox / "materials").mkdir()
    (inbox / "materials" / "보고서.txt").write_text("조사 결과 보고서", "utf-8")  # no class
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 broken")
    assert cli("ingest", inbox, "--catalog", catalog_path).exit_code == 3
    day = lambda n: (TODAY + timedelta(days=n)).isoformat()  # noqa: E731
    manifest = tmp_path / "meetings.csv"
    manifest.write_text(
        "id,title,scheduled,status,announced\n"
        f"M1,예산 회의,{day(2)} 10:00,예정,{day(0)}\n"
        f"M2,정책 회의,{day(-15)} 10:00,완료,{day(-25)}\n",
        "utf-8",
    )
    assert cli("meetings", "import", manifest, "--catalog", catalog_path).exit_code == 0
    registry = tmp_path / "registry.csv"
    registry.write_text(
        "item_id,title,department,cycle,category,match\nP1,업무추진비 사용내역,,monthly,공통업무,업무추진비\n",
        "utf-8",
    )
    assert cli("prepub", "import", registry, "--catalog", catalog_path).exit_code == 0
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY.isoformat())

    report = j(cli, "compliance", "--catalog", catalog_path)
    counts = report["counts"]
    for kind in (
        "meeting_announced_late",
        "minutes_overdue",
        "principle5",
        "unresolved_rank",
        "needs_class",
        "needs_category",
        "ingest_failure",
        "prepub_overdue",
    ):
        assert counts[kind] >= 1, (kind, counts)
    assert counts["minutes_late"] == 0
    subjects = {i["kind"]: i["subject"] for i in report["items"]}
    assert subjects["unresolved_rank"] == "특별보좌역"
    assert subjects["ingest_failure"].endswith("broken.pdf")
    assert "업무추진비" in subjects["prepub_overdue"]

    failed = cli("compliance", "--fail-on", "principle5,minutes_overdue", "--catalog", catalog_path)
    assert failed.exit_code == 5
    assert "principle5" in failed.stderr and "principle5" in failed.stdout  # report first
    fine = cli("compliance", "--fail-on", "minutes_late", "--catalog", catalog_path)
    assert fine.exit_code == 0
    bad = cli("compliance", "--fail-on", "typo", "--catalog", catalog_path)
    assert bad.exit_code == 2 and "unknown kind" in bad.stderr
    as_csv = cli("compliance", "--csv", "--catalog", catalog_path).stdout.splitlines()
    assert as_csv[0] == "kind,subject,detail" and len(as_csv) == report["total"] + 1
