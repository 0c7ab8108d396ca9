"""Unit tasks (단위과제) and retention suggested, queued and accepted through the CLI."""

import csv
import json

import pytest

from seoulrec.run.demo import DemoDoc, write_package

from ..conftest import BACKENDS, init_catalog, open_db
from ..conftest import cli_json as j

TASKS = [
    ("자전거이용시설설치및운영", "5년", "자전거정책과", "공공자전거 대여소 설치 계획 {i}차"),
    ("기초생활보장", "10년", "복지정책과", "기초생활수급자 생계급여 지급 {i}월분"),
    ("일반업무관리", "3년", "기획조정과", "부서 업무 협조 요청 {i}"),
]


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    return init_catalog(request, tmp_path, cli)


@pytest.fixture
def labels(tmp_path):
    """seoulrec's own label layout: title, department, unit_task, retention."""
    path = tmp_path / "labels.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["title", "department", "unit_task", "retention"])
        for task, retention, department, title in TASKS:
            for i in range(1, 21):
                out.writerow([title.format(i=i), department, task, retention])
    return path


@pytest.fixture
def filled(cli, catalog_path, tmp_path):
    """Two pubdocs (no unit task), one the model knows well and one it cannot place, and a
    manifest row that came with its own unit task."""
    src = tmp_path / "src"
    docs = [
        DemoDoc(number=1, title="공공자전거 대여소 설치 계획 알림", department="자전거정책과"),
        DemoDoc(number=2, title="청사 승강기 교체 공사 알림", department="총무과"),
    ]
    for doc in docs:
        write_package(src / f"p{doc.number}", doc, {})
    (src / "list.csv").write_text(
        "package_id,doc_prdctn_dt,tkcrd_nm,title,src_dept_doc_no,writer,othbc_pd,rspnber_dept_nm,othbc_se,cpyrht,url\n"
        "1,20250101,재난및재해관리,공공자전거 대여소 설치 계획,안전과-1,김,준영구,안전과,공개,,\n",
        "utf-8",
    )
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, src).exit_code == 0
    return catalog_path


def test_suggest_queue_accept(cli, filled, labels):
    trained = j(
        cli, "classify", "train", "--target", "unit-task", "--labels", labels, "--catalog", filled
    )
    assert trained["records"] == 60 and trained["unit_tasks"] == 3 and trained["model_bytes"] > 0
    report = j(cli, "classify", "run", "--catalog", filled)["unit_tasks"]
    assert report["model_version"] == 1
    assert report["filed"] + report["needs_review"] == 2  # the manifest row came with its own

    docs = {d["title"]: d for d in j(cli, "records", "list", "--catalog", filled)}
    bike = j(
        cli, "records", "show", docs["공공자전거 대여소 설치 계획 알림"]["id"], "--catalog", filled
    )
    assert bike["unit_task"] == "자전거이용시설설치및운영" and bike["retention_period"] == "5년"
    assert bike["unit_task_filing"]["status"] == "auto"
    assert bike["unit_task_filing"]["confidence"] >= 0.9
    alternatives = bike["unit_task_filing"]["alternatives"]
    assert len(alternatives) == 3 and alternatives[0]["unit_task"] == "자전거이용시설설치및운영"
    assert [a["confidence"] for a in alternatives] == sorted(
        (a["confidence"] for a in alternatives), reverse=True
    )

    own = j(cli, "records", "show", docs["공공자전거 대여소 설치 계획"]["id"], "--catalog", filled)
    assert own["unit_task"] == "재난및재해관리" and own["retention_period"] == "준영구"
    assert own["unit_task_filing"] is None  # came with it, keeps it
    refused = cli("classify", "accept", own["id"], "--reason", "x", "--catalog", filled)
    assert refused.exit_code == 2 and "came with its unit task" in refused.stderr

    lift = docs["청사 승강기 교체 공사 알림"]["id"]
    queue = j(cli, "classify", "unit-tasks", "--catalog", filled)
    assert [q["id"] for q in queue] == [lift]
    assert queue[0]["confidence"] < 0.9 and len(queue[0]["alternatives"]) == 3
    waiting = j(cli, "records", "show", lift, "--catalog", filled)
    assert waiting["unit_task"] is None and waiting["unit_task_filing"]["status"] == "needs_review"

    # A re-run changes nothing.
    again = j(cli, "classify", "run", "--catalog", filled)["unit_tasks"]
    assert again["filed"] == 0 and again["needs_review"] == 0 and again["unchanged"] == 1

    # Accepting the second alternative files it with its usual retention, audited.
    second = queue[0]["alternatives"][1]["unit_task"]
    expected_retention = {t: r for t, r, _, _ in TASKS}[second]
    accepted = j(
        cli, "classify", "accept", lift, "--choice", 2, "--reason", "청사 관리", "--catalog", filled
    )
    assert accepted == {
        "id": lift,
        "unit_task": second,
        "retention": expected_retention,
        "status": "manual",
    }
    shown = j(cli, "records", "show", lift, "--catalog", filled)
    assert (shown["unit_task"], shown["retention_period"]) == (second, expected_retention)
    assert shown["unit_task_filing"]["status"] == "manual"
    assert shown["unit_task_filing"]["actor"] == "test"
    assert j(cli, "classify", "unit-tasks", "--catalog", filled) == []
    audit = (
        open_db(filled)
        .execute("SELECT actor, record_id, detail FROM audit WHERE action = 'classify.unit_task'")
        .fetchall()
    )
    assert [(a, r) for a, r, _ in audit] == [("test", lift)]
    assert json.loads(audit[0][2])["previous"]["status"] == "needs_review"

    # A unit task of one's own needs its retention when the model does not know it.
    unknown = cli(
        "classify", "accept", lift, "--unit-task", "청사관리", "--reason", "x", "--catalog", filled
    )
    assert unknown.exit_code == 2 and "--retention" in unknown.stderr
    named = j(
        cli, "classify", "accept", lift, "--unit-task", "청사관리", "--retention", "10년",
        "--reason", "청사 시설", "--catalog", filled,
    )  # fmt: skip
    assert named["unit_task"] == "청사관리" and named["retention"] == "10년"
    kept = j(cli, "classify", "run", "--catalog", filled)["unit_tasks"]
    assert kept["filed"] == kept["needs_review"] == 0
    assert j(cli, "records", "show", lift, "--catalog", filled)["unit_task"] == "청사관리"


def _published(folder) -> dict[str, dict]:
    return {
        row["title"]: row
        for path in sorted(folder.rglob("records.jsonl"))
        for row in map(json.loads, path.read_text("utf-8").splitlines())
    }


def test_index_carries_filed_unit_tasks(cli, filled, labels, tmp_path):
    """The published index shows a filed unit task and retention, in the full export and in
    the incremental one after an archivist accepts a suggestion."""
    j(cli, "classify", "train", "--target", "unit-task", "--labels", labels, "--catalog", filled)
    j(cli, "classify", "run", "--catalog", filled)
    assert cli("disclose", "apply", "--catalog", filled).exit_code == 0
    out = tmp_path / "index"
    export = ("export", "index", "--format", "jsonl", "--out", out, "--catalog", filled)
    assert cli(*export).exit_code == 0
    rows = _published(out / "parts")
    bike = rows["공공자전거 대여소 설치 계획 알림"]
    assert (bike["unit_task"], bike["retention_period"]) == ("자전거이용시설설치및운영", "5년")
    assert rows["청사 승강기 교체 공사 알림"]["unit_task"] == ""  # waiting: nothing published

    lift_id = [q["id"] for q in j(cli, "classify", "unit-tasks", "--catalog", filled)][0]
    accepted = j(cli, "classify", "accept", lift_id, "--reason", "청사 관리", "--catalog", filled)
    applied = j(cli, "disclose", "apply", "--catalog", filled)
    assert applied["changed"] == 1  # the accepted record alone is republished
    assert cli(*export, "--since", "last").exit_code == 0
    changes = _published(out / "changes")
    assert changes["청사 승강기 교체 공사 알림"]["unit_task"] == accepted["unit_task"]
    assert (
        _published(out / "parts")["청사 승강기 교체 공사 알림"]["unit_task"]
        == accepted["unit_task"]
    )


def test_errors_are_clear(cli, filled, labels, tmp_path):
    result = cli("classify", "run", "--catalog", filled, "--json")
    assert json.loads(result.stdout)["unit_tasks"]["model_version"] is None  # no model: nothing
    result = cli("classify", "accept", 1, "--reason", "x", "--catalog", filled)
    assert result.exit_code == 2 and "no unit-task suggestion" in result.stderr
    result = cli("classify", "accept", 9999, "--reason", "x", "--catalog", filled)
    assert result.exit_code == 2 and "no record with id 9999" in result.stderr
    result = cli("classify", "train", "--target", "unit-task", "--catalog", filled)
    assert result.exit_code == 2 and "--labels" in result.stderr
    result = cli(
        "classify", "eval", "--target", "unit-task", "--labels", labels, "--catalog", filled
    )
    assert result.exit_code == 2 and "no unit-task model yet" in result.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("title,department\n가,나\n", "utf-8")
    result = cli("classify", "train", "--target", "unit-task", "--labels", bad, "--catalog", filled)
    assert result.exit_code == 2 and "needs a column for unit_task" in result.stderr
    result = cli(
        "classify", "train", "--target", "subject", "--labels", labels, "--catalog", filled
    )
    assert result.exit_code == 2 and "--target must be field or unit-task" in result.stderr
    (tmp_path / "work" / "seoulrec.toml").write_text(
        f'[catalog]\npath = "{filled}"\n[classify]\nunit_task_threshold = 1.5\n', "utf-8"
    )
    result = cli("classify", "run")
    assert result.exit_code == 2 and "unit_task_threshold" in result.stderr


def test_a_record_the_model_cannot_place_shows_its_doubt_not_zeroes(cli, filled, tmp_path):
    """Against hundreds of unit tasks a record from an unknown department gets five tiny
    confidences: the queue says "<0.01", never five "0.00" that read as impossible."""
    path = tmp_path / "many.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["title", "department", "unit_task", "retention"])
        for i in range(400):
            out.writerow([f"사업 {i}호 추진 계획", f"부서{i % 40}", f"과제{i}", "3년"])
    assert (
        cli(
            "classify", "train", "--target", "unit-task", "--labels", path, "--catalog", filled
        ).exit_code
        == 0
    )
    assert cli("classify", "run", "--catalog", filled).exit_code == 0
    queue = j(cli, "classify", "unit-tasks", "--catalog", filled)
    assert queue and min(a["confidence"] for a in queue[0]["alternatives"]) < 0.005
    shown = cli("classify", "unit-tasks", "--catalog", filled)
    assert shown.exit_code == 0 and "(<0.01)" in shown.stdout and "(0.00)" not in shown.stdout


def test_confidence_text():
    from seoulrec.commands.console import confidence_text

    assert [confidence_text(c) for c in (0.0, 0.0049, 0.005, 0.42, 1.0)] == [
        "<0.01",
        "<0.01",
        "0.01",
        "0.42",
        "1.00",
    ]
