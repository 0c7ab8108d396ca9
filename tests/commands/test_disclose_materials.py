"""Unstructured materials can be published by class; body titles of withheld records and page
furniture are never published as titles; an archivist's reason passes the masker."""

import json

import pytest

from ..conftest import cli_json as j
from ..conftest import BACKENDS, init_catalog


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


TODAY = "2026-11-26"


def ingest_material(cli, catalog, folder, name, text, *extra):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, "utf-8")
    report = j(cli, "ingest", "--catalog", catalog, "--jobs", 1, folder / name, *extra)
    assert report["added"] == 1, report


def records(cli, catalog):
    return {r["id"]: r for r in j(cli, "records", "list", "--catalog", catalog)}


def exported(cli, catalog, out):
    j(cli, "export", "index", "--format", "jsonl", "--out", out, "--catalog", catalog)
    return [
        json.loads(line)
        for p in sorted(out.glob("parts/*/records.jsonl"))
        for line in p.read_text("utf-8").splitlines()
    ]


def test_a_material_without_class_is_listed_needs_a_class_and_publishes_once_set(
    cli, catalog_path, tmp_path
):
    ingest_material(
        cli,
        catalog_path,
        tmp_path / "in",
        "meeting.txt",
        "2025년 교통 정책 자문회의 결과\n회의 본문 내용",
        "--kind",
        "회의자료",
    )
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    check = j(cli, "disclose", "check", "--catalog", catalog_path)
    assert check["count"] == 0 and [r["material_kind"] for r in check["needs_class"]] == [
        "회의자료"
    ]
    (row,) = exported(cli, catalog_path, tmp_path / "out1")
    assert (
        not row["original_public"] and row["title"] == "회의자료 (부서 미상, 일자 미상)"
    )  # a body title, withheld
    assert check["needs_title"][0]["listed_as"] == row["title"]
    record_id = next(iter(records(cli, catalog_path)))
    j(
        cli,
        "disclose",
        "set",
        record_id,
        "--class",
        "public",
        "--catalog",
        catalog_path,
        "--today",
        TODAY,
    )
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    (row,) = exported(cli, catalog_path, tmp_path / "out2")
    assert (
        row["original_public"]
        and row["title"] == "2025년 교통 정책 자문회의 결과"
        and "회의 본문" in row["text"]
    )
    explained = j(
        cli, "disclose", "explain", record_id, "--catalog", catalog_path, "--today", TODAY
    )
    assert (
        "unstructured material" in explained["explanation"]
        and "rank of its approver" not in explained["explanation"]
    )


def test_class_from_ingest_from_the_policy_and_an_overturn_publish_materials(
    cli, catalog_path, tmp_path
):
    ingest_material(
        cli,
        catalog_path,
        tmp_path / "a",
        "study.txt",
        "연구 용역 보고서\n본문",
        "--kind",
        "용역자료",
        "--class",
        "public",
    )
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "materials.csv").write_text(
        "file,kind,title,class\nsurvey.txt,조사자료,시민 설문 결과,non_public\n", "utf-8"
    )
    (folder / "survey.txt").write_text("설문 본문", "utf-8")
    assert j(cli, "ingest", "--catalog", catalog_path, "--jobs", 1, folder)["added"] == 1
    ingest_material(
        cli, catalog_path, tmp_path / "c", "plan.txt", "기본 계획\n본문", "--kind", "계획자료"
    )
    (tmp_path / "work" / "seoulrec.toml").write_text(
        f'[catalog]\npath = "{getattr(catalog_path, "name", catalog_path)}"\n[disclosure.materials]\n"계획자료" = "public"\n',
        "utf-8",
    )
    j(cli, "disclose", "apply", "--today", TODAY)
    by_title = {r["title"]: r for r in exported(cli, catalog_path, tmp_path / "out1")}
    assert (
        by_title["연구 용역 보고서"]["original_public"] and by_title["기본 계획"]["original_public"]
    )
    assert not by_title["시민 설문 결과"][
        "original_public"
    ]  # a title from materials.csv is published even when withheld
    survey = next(
        i for i, r in records(cli, catalog_path).items() if r["title"] == "시민 설문 결과"
    )
    j(cli, "review", "decide", survey, "overturn", "--note", "공개 가능", "--today", TODAY)
    j(cli, "disclose", "apply", "--today", TODAY)
    by_title = {r["title"]: r for r in exported(cli, catalog_path, tmp_path / "out2")}
    assert by_title["시민 설문 결과"]["original_public"]


def test_page_furniture_is_never_a_public_title(cli, catalog_path, tmp_path):
    for name, first in (("회의록.txt", "- 1 -"), ("심의결과.txt", "[ 문서번호 ]")):
        ingest_material(
            cli,
            catalog_path,
            tmp_path / name,
            name,
            f"{first}\n이 문서는 회의에서 논의한 내용을 정리한 것입니다.",
            "--kind",
            "회의자료",
            "--class",
            "public",
        )
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    titles = sorted(r["title"] for r in exported(cli, catalog_path, tmp_path / "out"))
    assert titles == [
        "심의결과",
        "회의록",
    ]  # no heading before the body: the file name, never the furniture
    from seoulrec.decide.disclosure import public_title
    from seoulrec.decide.privacy import Masker

    for furniture in (
        "- 1 -",
        "[ 문서번호 ]",
        "1 2",
    ):  # a stored title that is furniture is never published
        info = {
            "title": furniture,
            "title_source": "metadata",
            "kind": "material",
            "material_kind": "회의자료",
            "department": "",
            "enforcement_date": None,
        }
        assert public_title(info, True, Masker())[0] == "회의자료 (부서 미상, 일자 미상)"


def test_an_archivists_reason_is_masked_before_it_is_published(cli, catalog_path, tmp_path):
    ingest_material(
        cli,
        catalog_path,
        tmp_path / "in",
        "m.txt",
        "민원 처리 결과\n본문",
        "--kind",
        "민원자료",
        "--class",
        "public",
    )
    record_id = next(iter(records(cli, catalog_path)))
    reason = "신청인 홍길동(920404-1567890, 010-8901-2345, hong@example.com)의 개인정보 포함"
    j(
        cli,
        "disclose",
        "set",
        record_id,
        "--class",
        "non_public",
        "--grounds",
        6,
        "--reason",
        reason,
        "--catalog",
        catalog_path,
        "--today",
        TODAY,
    )
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    out = tmp_path / "out"
    (row,) = exported(cli, catalog_path, out)
    published = "".join(p.read_text("utf-8") for p in out.rglob("*") if p.is_file())
    for secret in ("920404-1567890", "010-8901-2345", "hong@example.com", "홍길동"):
        assert secret not in published
    assert row["reason"].startswith("신청인 홍*동(") and "******-*******" in row["reason"]
