"""`seoulrec search` (issue 22): Korean full-text search of the catalog on both backends, kept
in step with ingest, new versions and withdrawals, built by a migration, verified by `check`;
and, on Seoul's real week, recall 1.0 against a substring check for 30 words."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seoulrec.run.demo import DemoDoc, write_package

from ..conftest import BACKENDS, corpus_file, init_catalog, open_db
from ..conftest import cli_json as j

TODAY = "2026-01-05"


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    return init_catalog(request, tmp_path, cli)


DOCS = [
    DemoDoc(
        number=1,
        title="2021년 제설대책 추진 계획",
        department="도로관리과",
        date="2025-01-10",
        body="간선 도로의 눈을 치우는 순서를 정합니다.",
    ),
    DemoDoc(number=2, title="공공자전거 대여소 확충 알림", date="2025-02-11"),
    DemoDoc(
        number=3,
        title="도로 보수 결과 보고",
        department="도로관리과",
        date="2025-03-12",
        body="겨울철 염화칼슘 살포 구간을 점검하였습니다.",
        code="3NNNNNNNN",
    ),
    DemoDoc(
        number=4,
        title="청소년 수련시설 안전 점검",
        department="청소년정책과",
        date="2025-04-13",
        body="수련관 시설을 살펴봅니다.",
        attachments=["점검표.txt"],
    ),
]


def _ingest(cli, catalog_path, tmp_path, docs=DOCS):
    inbox = tmp_path / "inbox"
    for doc in docs:
        extra = {"점검표.txt": "소화기 비치 현황과 비상구 확인".encode()} if doc.attachments else {}
        write_package(inbox / f"p{doc.number}", doc, extra)
    assert cli("ingest", inbox, "--catalog", catalog_path).exit_code == 0
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    return inbox


def _titles(cli, catalog_path, *args):
    found = j(cli, "search", *args, "--catalog", catalog_path)
    return [r["title"] for r in found["results"]], found


def test_words_inside_compounds_and_before_particles_are_found(cli, catalog_path, tmp_path):
    _ingest(cli, catalog_path, tmp_path)
    assert _titles(cli, catalog_path, "제설")[0] == ["2021년 제설대책 추진 계획"]
    assert _titles(cli, catalog_path, "자전거를")[0] == ["공공자전거 대여소 확충 알림"]
    assert _titles(cli, catalog_path, "제설대책은")[0] == ["2021년 제설대책 추진 계획"]
    # Every word must be there; the text and the attachments are searched too.
    assert _titles(cli, catalog_path, "도로 계획")[0] == ["2021년 제설대책 추진 계획"]
    titles, found = _titles(cli, catalog_path, "염화칼슘을")
    assert titles == ["도로 보수 결과 보고"] and found["results"][0]["matched_in"] == "text"
    assert "[염화칼슘]" in found["results"][0]["snippet"]
    titles, found = _titles(cli, catalog_path, "비상구")
    assert (
        titles == ["청소년 수련시설 안전 점검"]
        and found["results"][0]["matched_in"] == "attachment"
    )
    # A withheld record (비공개) is found: this is the archivist's catalog.
    assert found["results"][0]["disclosure_class"] == "public"
    withheld = _titles(cli, catalog_path, "보수")[1]["results"][0]
    assert withheld["disclosure_class"] == "non_public"
    # One syllable: wherever it stands (년 finds 2021년 and 청소년).
    assert sorted(_titles(cli, catalog_path, "년")[0]) == [
        "2021년 제설대책 추진 계획",
        "청소년 수련시설 안전 점검",
    ]
    assert _titles(cli, catalog_path, "없는말")[1]["total"] == 0


def test_filters_paging_and_formats(cli, catalog_path, tmp_path):
    _ingest(cli, catalog_path, tmp_path)
    assert len(_titles(cli, catalog_path, "도로")[0]) == 2
    assert _titles(cli, catalog_path, "도로", "--class", "non_public")[0] == ["도로 보수 결과 보고"]
    assert _titles(cli, catalog_path, "도로", "--from", "2025-02-01")[0] == ["도로 보수 결과 보고"]
    assert _titles(cli, catalog_path, "도로", "--to", "2025-02-01")[0] == [
        "2021년 제설대책 추진 계획"
    ]
    assert _titles(cli, catalog_path, "점검", "--department", "청소년정책과")[0] == [
        "청소년 수련시설 안전 점검"
    ]
    assert _titles(cli, catalog_path, "도로", "--kind", "material")[1]["total"] == 0
    first, page = _titles(cli, catalog_path, "도로", "--limit", "1")
    second, _ = _titles(cli, catalog_path, "도로", "--limit", "1", "--offset", "1")
    assert page["total"] == 2 and len(first) == len(second) == 1 and first != second
    table = cli("search", "도로", "--csv", "--catalog", catalog_path).stdout.splitlines()
    assert table[0] == "id,title,department,date,class,matched in,snippet"
    assert len(table) == 3 and "[도로]" in table[1] + table[2]
    assert "\t" in cli("search", "도로", "--tsv", "--catalog", catalog_path).stdout
    shown = cli("search", "제설", "--catalog", catalog_path)
    assert shown.exit_code == 0 and "1 records match" in shown.stderr + shown.stdout
    bad = cli("search", "도로", "--status", "gone", "--catalog", catalog_path)
    assert bad.exit_code == 2 and "--status" in bad.stderr


def test_new_versions_and_withdrawals_stay_in_step(cli, catalog_path, tmp_path):
    inbox = _ingest(cli, catalog_path, tmp_path)
    changed = DemoDoc(
        number=2, title="공공자전거 대여소 폐쇄 알림", date="2025-02-11", body="폐쇄합니다."
    )
    write_package(inbox / "p2", changed, {})
    assert cli("ingest", inbox, "--catalog", catalog_path).exit_code == 0
    assert _titles(cli, catalog_path, "폐쇄")[0] == ["공공자전거 대여소 폐쇄 알림"]
    assert _titles(cli, catalog_path, "확충")[1]["total"] == 0  # the old version is superseded
    assert _titles(cli, catalog_path, "확충", "--status", "superseded")[0] == [
        "공공자전거 대여소 확충 알림"
    ]
    record = _titles(cli, catalog_path, "제설")[1]["results"][0]["id"]
    done = cli("records", "withdraw", record, "--reason", "중복", "--catalog", catalog_path)
    assert done.exit_code == 0, done.output
    assert _titles(cli, catalog_path, "제설")[1]["total"] == 0
    assert _titles(cli, catalog_path, "제설", "--status", "withdrawn")[1]["total"] == 1
    assert j(cli, "check", "--quick", "--catalog", catalog_path)["counts"]["fulltext"] == 0


def test_check_finds_a_broken_index_and_repair_rebuilds_it(cli, tmp_path):
    catalog = init_catalog(type("R", (), {"param": "sqlite"})(), tmp_path, cli)
    _ingest(cli, catalog, tmp_path)
    db = sqlite3.connect(catalog)
    db.execute("INSERT INTO fulltext(fulltext) VALUES ('delete-all')")
    db.commit()
    db.close()
    assert _titles(cli, catalog, "제설")[1]["total"] == 0
    found = cli("check", "--quick", "--json", "--catalog", catalog)
    assert found.exit_code == 1 and json.loads(found.stdout)["counts"]["fulltext"] >= 1
    assert cli("check", "--repair", "--quick", "--catalog", catalog).exit_code == 0
    assert _titles(cli, catalog, "제설")[0] == ["2021년 제설대책 추진 계획"]


def test_an_older_catalog_gets_its_index_from_the_migration(cli, tmp_path):
    catalog = init_catalog(type("R", (), {"param": "sqlite"})(), tmp_path, cli)
    _ingest(cli, catalog, tmp_path)
    db = sqlite3.connect(catalog)
    db.execute("DROP TABLE fulltext")
    db.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    assert _titles(cli, catalog, "자전거를")[0] == [
        "공공자전거 대여소 확충 알림"
    ]  # migrated on open
    assert j(cli, "status", "--catalog", catalog)["records"]


#: Words chosen from Seoul's real week: compounds (초과근무, 위원회), words inside compounds
#: (제설 in 제설대책), words that are also inside other words (청소 in 청소년, 보고 in 보고서).
REAL_WORDS = (
    "제설 자전거 정비 초과근무 안전 점검 계획 보고 결과 통보 교육 회의 예산 공사 도로 지원 구급 "
    "화재 소방 복지 주택 환경 청소 민원 계약 용역 위원회 감사 시설 자료"
).split()


@pytest.mark.slow
def test_the_real_week_every_title_holding_a_word_is_found(cli, tmp_path, catalog_path):
    source = corpus_file("seoul-opengov/info_list_2021-01-11.csv")
    catalog = catalog_path
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(source, inbox / source.name)
    assert cli("ingest", inbox, "--catalog", catalog).exit_code == 0
    with open(source, encoding="utf-8-sig") as fh:
        count = sum(1 for _ in csv.DictReader(fh))
    db = open_db(catalog)
    titles = dict(db.execute("SELECT id, title FROM records WHERE is_current = 1").fetchall())
    db.close()
    assert len(titles) == count
    for word in REAL_WORDS + ["자전거를", "제설대책은"]:
        stem = word.removesuffix("를").removesuffix("은")
        expected = {i for i, t in titles.items() if stem in (t or "")}
        found = j(cli, "search", word, "--limit", "10000", "--catalog", catalog)
        got = {r["id"] for r in found["results"]}
        assert found["total"] == len(got)
        assert expected <= got, f"{word}: {len(expected - got)} titles holding it not found"
        # Every result holds the word (in its title, or in its text: the snippet shows it).
        holding = [r for r in found["results"] if stem in r["title"] or f"[{stem}]" in r["snippet"]]
        assert len(holding) >= 0.95 * len(got), word


def _index_terms_word_by_word(text: str) -> tuple[str, str]:
    """The index's terms as the grams module's docstring defines them, one word at a time."""
    from seoulrec.grams import RUN

    terms: list[str] = []
    finals: list[str] = []
    for run in RUN.findall(text):
        if "가" <= run[0] <= "힣":
            if len(run) == 1:
                terms.append(run)
            else:
                terms += [run[i : i + 2] for i in range(len(run) - 1)]
                finals.append(run[-1])
        else:
            terms.append(run.lower())
    return " ".join(terms), " ".join(dict.fromkeys(finals))


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["제설대책", "가", "나다", "자전거를", "ABC", "x1", "ΑΣ", "İ", " ", ".", "\n"]
        )
        | st.text(max_size=6),
        max_size=30,
    )
)
def test_index_terms_looked_up_are_the_words_own(parts):
    """The memoised terms (``seoulrec.grams``) are those worked out word by word, whatever the
    text, and the same on a second call (from the memo)."""
    from seoulrec.grams import index_terms

    text = "".join(parts)
    assert index_terms(text) == _index_terms_word_by_word(text)
    assert index_terms(text) == _index_terms_word_by_word(text)
