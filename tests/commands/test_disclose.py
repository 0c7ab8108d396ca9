import json
import sqlite3

import pytest

from seoulrec.run.demo import DemoDoc, write_package

from ..conftest import cli_json as j
from ..conftest import corpus_file
from ..conftest import BACKENDS, init_catalog, open_db


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


@pytest.fixture
def catalog(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    docs = [
        DemoDoc(number=1, title="공공자전거 대여소 확충", date="2025-10-01", code="1NNNNNNNN"),
        DemoDoc(number=2, title="감사 결과 처리 계획", date="2025-10-02", code="3NNNNYNNN"),
        DemoDoc(number=3, title="민원인 조영아 민원 회신", date="2025-10-03", code="2NNNNNYNN"),
        DemoDoc(
            number=4,
            title="팀장 전결 문서",
            date="2025-10-04",
            code="1NNNNNNNN",
            final_position="공공자전거팀장",
        ),
        DemoDoc(
            number=5,
            title="행정1부시장 결재 문서",
            date="2026-11-24",
            code="1NNNNNNNN",
            final_position="행정1부시장",
            final_type="결재",
        ),
    ]
    for doc in docs:
        write_package(src / f"p{doc.number}", doc, {})
    (src / "p6").mkdir()
    (src / "p6" / "본문.hwpx").write_bytes(corpus_file("hwpx/seoul_sihaengmun.hwpx").read_bytes())
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, src).exit_code == 0
    return catalog_path


def ids(catalog_path):
    return dict(open_db(catalog_path).execute("SELECT document_number, id FROM records"))


def decisions(catalog_path):
    rows = open_db(catalog_path).execute(
        "SELECT r.document_number, d.original_public, d.disclosure_class, d.public_title FROM disclosures d JOIN records r ON r.id = d.record_id"
    )
    return {n: (bool(o), c, t) for n, o, c, t in rows}


def test_apply_decides_by_rank_date_class_and_masks_titles(cli, catalog):
    counts = j(cli, "disclose", "apply", "--catalog", catalog, "--today", "2026-11-26")
    assert counts["records"] == 6 and counts["policy_version"].startswith("seoul-open-city-2.0@")
    d = decisions(catalog)
    assert d["자전거정책과-1"][:2] == (True, "public")
    assert d["자전거정책과-2"][:2] == (False, "non_public")
    assert d["자전거정책과-3"] == (
        True,
        "partial",
        "민원인 조*아 민원 회신",
    )  # published masked; title masked
    assert d["자전거정책과-4"][0] is False  # team lead: below the division-head threshold
    assert d["자전거정책과-5"][0] is False  # vice mayor: within the 7 hold days
    assert d["전략주택공급과-13666"][:2] == (
        True,
        "partial",
    )  # the real 시행문: 대결 on a division-head box
    later = j(cli, "disclose", "apply", "--catalog", catalog, "--today", "2026-12-05")
    assert later["newly_public"] == 1 and decisions(catalog)["자전거정책과-5"][0] is True
    attachments = (
        open_db(catalog).execute("SELECT count(*) FROM attachment_disclosures").fetchone()[0]
    )
    assert attachments == 0  # these packages carry no attachment files


def test_explain_reads_like_an_answer(cli, catalog):
    j(cli, "disclose", "apply", "--catalog", catalog, "--today", "2026-11-26")
    record = ids(catalog)["자전거정책과-4"]
    result = cli("disclose", "explain", record, "--catalog", catalog, "--today", "2026-11-26")
    assert result.exit_code == 0
    assert "is listed in the public index" in result.stdout
    assert (
        "approved at team_lead level on 2025-10-04, below the division_head threshold in force then"
        in result.stdout
    )
    data = j(
        cli,
        "disclose",
        "explain",
        ids(catalog)["자전거정책과-2"],
        "--catalog",
        catalog,
        "--today",
        "2026-11-26",
    )
    assert data["decision"]["grounds"] == [5] and data["decision"]["original_public"] is False
    assert "ground 5: 감사·감독·의사결정과정·내부검토 등" in data["explanation"]
    assert "No reason in words has been recorded yet" in data["explanation"]


def test_principle_5_check_and_manual_decisions(cli, catalog):
    j(cli, "disclose", "apply", "--catalog", catalog, "--today", "2026-11-26")
    result = cli("disclose", "check", "--catalog", catalog, "--strict", "--json")
    assert result.exit_code == 1
    problems = {
        v["document_number"]: v["problems"] for v in json.loads(result.stdout)["violations"]
    }
    assert problems["자전거정책과-2"] == [
        "no reason in words",
        "ground 5 without a release or review date",
    ]
    number = ids(catalog)["자전거정책과-2"]
    j(
        cli,
        "disclose",
        "set",
        number,
        "--class",
        "non_public",
        "--grounds",
        5,
        "--reason",
        "감사 진행 중",
        "--until",
        "2027-01-31",
        "--catalog",
        catalog,
        "--today",
        "2026-11-26",
    )
    for _ in range(3):
        j(cli, "disclose", "apply", "--catalog", catalog, "--today", "2026-11-26")
    assert decisions(catalog)["자전거정책과-2"][:2] == (False, "non_public")
    remaining = json.loads(cli("disclose", "check", "--catalog", catalog, "--json").stdout)[
        "violations"
    ]
    assert "자전거정책과-2" not in [v["document_number"] for v in remaining]
    # The release date passes: the next apply publishes it.
    j(cli, "disclose", "apply", "--catalog", catalog, "--today", "2027-02-01")
    assert decisions(catalog)["자전거정책과-2"][:2] == (True, "public")
    audit = (
        open_db(catalog)
        .execute("SELECT detail FROM audit WHERE action = 'disclose.set'")
        .fetchone()[0]
    )
    assert json.loads(audit)["reason"] == "감사 진행 중"


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["--class", "non_public", "--grounds", "9", "--reason", "x"],
            "grounds must be numbers 1 to 8",
        ),
        (
            ["--class", "non_public", "--grounds", "5", "--reason", "x", "--until", "2020-01-01"],
            "is not in the future",
        ),
        (["--class", "non_public", "--reason", "x"], "needs --grounds"),
        (["--class", "partial", "--grounds", "6"], "needs --reason"),
        (["--class", "secret", "--grounds", "6", "--reason", "x"], "--class must be"),
    ],
)
def test_bad_manual_decisions(cli, catalog, args, message):
    result = cli("disclose", "set", 1, *args, "--catalog", catalog, "--today", "2026-11-26")
    assert result.exit_code == 2 and message in result.stderr


def test_review_board_queue_decisions_and_due(cli, catalog):
    j(cli, "disclose", "apply", "--catalog", catalog, "--today", "2026-11-26")
    queue = j(cli, "review", "queue", "--catalog", catalog, "--today", "2026-11-26")
    assert [q["document_number"] for q in queue] == [
        "자전거정책과-2",
        "자전거정책과-3",
        "전략주택공급과-13666",
    ]  # oldest first
    withheld = ids(catalog)["자전거정책과-2"]
    j(
        cli,
        "review",
        "decide",
        withheld,
        "overturn",
        "--note",
        "감사 종료",
        "--catalog",
        catalog,
        "--today",
        "2026-11-26",
    )
    j(cli, "disclose", "apply", "--catalog", catalog, "--today", "2026-11-26")
    assert decisions(catalog)["자전거정책과-2"][:2] == (True, "public")
    assert withheld not in [
        q["id"] for q in j(cli, "review", "queue", "--catalog", catalog, "--today", "2026-11-26")
    ]
    public = ids(catalog)["자전거정책과-1"]
    result = cli("review", "decide", public, "uphold", "--note", "x", "--catalog", catalog)
    assert result.exit_code == 2 and "not withheld" in result.stderr
    # A non-public record (set by hand) is due for re-review 5 years after its production.
    other = ids(catalog)["자전거정책과-3"]
    j(
        cli,
        "disclose",
        "set",
        other,
        "--class",
        "non_public",
        "--grounds",
        6,
        "--reason",
        "개인정보",
        "--catalog",
        catalog,
        "--today",
        "2026-11-26",
    )
    j(cli, "disclose", "apply", "--catalog", catalog, "--today", "2026-11-26")
    due = j(cli, "review", "due", "--as-of", "2030-10-03", "--catalog", catalog)
    assert [r["document_number"] for r in due["rereviews"]] == ["자전거정책과-3"]
    assert due["openings"] == []
    assert (
        j(cli, "review", "due", "--as-of", "2056-01-01", "--catalog", catalog)["openings"][0][
            "opens_by_law"
        ]
        == "2056-01-01"
    )


def test_privacy_scan_never_prints_identifiers(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "민원.txt").write_text(
        "민원인 홍길동 회신\n연락처 010-9876-5432 주민등록번호 900101-1234568", "utf-8"
    )
    assert cli("ingest", "--catalog", catalog_path, src).exit_code == 0
    result = cli("privacy", "scan", "--catalog", catalog_path, "--json")
    report = json.loads(result.stdout)
    assert report["totals"] == {
        "name": 2,
        "phone": 1,
        "rrn": 1,
    }  # the title and the text both name 홍길동
    assert (
        "010-9876-5432" not in result.stdout
        and "900101-1234568" not in result.stdout
        and "홍길동" not in result.stdout
    )
    assert "not detected" in report["limits"]


def test_an_unresolved_rank_is_withheld_until_an_archivist_resolves_it(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    write_package(
        src / "p",
        DemoDoc(number=9, final_position="특별보좌역", final_type="결재", date="2025-10-01"),
        {},
    )
    cli("ingest", "--catalog", catalog_path, src)
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", "2026-11-26")
    (record,) = (
        open_db(catalog_path)
        .execute(
            "SELECT r.approval_level, d.original_public FROM records r JOIN disclosures d ON d.record_id = r.id"
        )
        .fetchall()
    )
    assert record == ("unresolved", 0)
    (tmp_path / "work" / "seoulrec.toml").write_text(
        f'[catalog]\npath = "{catalog_path}"\n[ranks]\ndirector = ["국장", "단장", "관", "특별보좌역"]\n',
        "utf-8",
    )
    assert j(cli, "records", "relevel")["changes"] == {"unresolved -> director": 1}
    j(cli, "disclose", "apply", "--today", "2026-11-26")
    (record,) = (
        open_db(catalog_path)
        .execute(
            "SELECT r.approval_level, d.original_public FROM records r JOIN disclosures d ON d.record_id = r.id"
        )
        .fetchall()
    )
    assert record == ("director", 1)


def test_an_interrupted_apply_never_leaves_attachments_published_under_a_withheld_record(
    cli, tmp_path
):
    """Records and their attachments change together; an export refuses a half-applied catalog."""
    from datetime import date

    import pytest as _pytest

    from seoulrec.store.catalog import Catalog
    from seoulrec.run.demo import DemoDoc, write_package
    from seoulrec.decide.disclosure import apply
    from seoulrec.decide.policy import load_policy

    src = tmp_path / "src"
    for n in range(1, 9):
        write_package(
            src / f"p{n}",
            DemoDoc(number=n, attachments=["붙임.txt"]),
            {"붙임.txt": "붙임 본문".encode()},
        )
    path = tmp_path / "c.db"
    assert cli("init", "--catalog", path).exit_code == 0
    assert cli("ingest", "--catalog", path, "--jobs", 1, src).exit_code == 0
    catalog = Catalog.open(path)
    policy = load_policy()
    apply(catalog, policy, date(2026, 11, 26))
    for n in range(1, 9):
        cli(
            "disclose",
            "set",
            n,
            "--class",
            "non_public",
            "--grounds",
            6,
            "--reason",
            "개인정보",
            "--catalog",
            path,
            "--today",
            "2026-11-26",
        )

    def stop_after_first_chunk(_count):
        raise KeyboardInterrupt

    with _pytest.raises(KeyboardInterrupt):
        apply(catalog, policy, date(2026, 11, 27), on_progress=stop_after_first_chunk, chunk=3)
    db = sqlite3.connect(path)
    leaked = db.execute(
        "SELECT count(*) FROM attachment_disclosures a JOIN disclosures d ON d.record_id = a.record_id WHERE a.published = 1 AND d.original_public = 0"
    ).fetchone()[0]
    assert leaked == 0
    assert (
        db.execute("SELECT count(*) FROM attachment_disclosures WHERE published = 1").fetchone()[0]
        == 5
    )  # 3 withheld, 5 not yet re-decided
    result = cli(
        "export", "index", "--format", "jsonl", "--out", tmp_path / "out", "--catalog", path
    )
    assert result.exit_code == 2 and "did not finish" in result.stderr
    apply(catalog, policy, date(2026, 11, 27))
    assert (
        db.execute("SELECT count(*) FROM attachment_disclosures WHERE published = 1").fetchone()[0]
        == 0
    )
    assert (
        cli(
            "export", "index", "--format", "jsonl", "--out", tmp_path / "out", "--catalog", path
        ).exit_code
        == 0
    )
