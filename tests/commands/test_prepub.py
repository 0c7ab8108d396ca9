"""사전공표: Seoul's published list imported as it is, seoulrec's registry with rule and
manifest links, and the items overdue for their cycle."""

from __future__ import annotations

import pytest

import json

from seoulrec.run.demo import DemoDoc, write_package

from ..conftest import cli_json as j
from ..conftest import corpus_file
from ..conftest import BACKENDS, init_catalog


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


def test_seouls_public_list_imports_as_it_is(cli, catalog_path):
    source = corpus_file("seoul-opengov/public_list_2021-01.csv")
    first = j(cli, "prepub", "import", source, "--catalog", catalog_path)
    assert first["layout"] == "seoul-public-list"
    assert first["items"] == 31 and first["publications"] == 149 and first["failures"] == 0
    again = j(cli, "prepub", "import", source, "--catalog", catalog_path)
    assert again["added"] == again["updated"] == again["publications"] == 0
    items = {
        i["title"]: i
        for i in j(cli, "prepub", "status", "--today", "2021-02-01", "--catalog", catalog_path)
    }
    assert items["민원처리실적"]["cycle"] == "monthly"  # "2020년 12월 유형별 서식민원처리 실적"
    assert items["민간위탁 현황"]["cycle"] == "quarterly"  # "2020년 4분기 ...", "10월~12월"
    assert items["민간위탁 현황"]["publications"] == 94
    assert not any(i["overdue"] for i in items.values())  # everything was published in January
    later = j(
        cli, "prepub", "status", "--today", "2021-03-15", "--overdue", "--catalog", catalog_path
    )
    assert {i["title"] for i in later} >= {"민원처리실적"}
    assert all(i["cycle"] != "yearly" for i in later)


def test_registry_rules_and_links_and_overdue_items(cli, catalog_path, tmp_path):
    inbox = tmp_path / "inbox"
    write_package(
        inbox / "a", DemoDoc(number=1, title="2026년 10월 교통량 통계 공개", date="2026-10-05"), {}
    )
    write_package(
        inbox / "b", DemoDoc(number=2, title="청사 시설 점검 결과", date="2026-03-02"), {}
    )
    write_package(
        inbox / "c",
        DemoDoc(number=3, title="내부 감사 계획", date="2026-11-02", code="3NNNNYNNN"),
        {},
    )
    assert cli("ingest", inbox, "--catalog", catalog_path).exit_code == 0
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", "2026-11-27")
    registry = tmp_path / "registry.csv"
    registry.write_text(
        "item_id,title,department,cycle,category,match\n"
        "T1,교통량 통계,,monthly,교통,교통량|교통 동향\n"
        "F1,청사 시설 점검,,quarterly,행정,\n"
        "A1,감사 계획,,yearly,행정,감사 계획\n"
        "B1,,,weekly,행정,\n",
        "utf-8",
    )
    links = tmp_path / "links.csv"
    links.write_text("item_id,record\nF1,자전거정책과-2\nF1,없는-문서\n", "utf-8")
    result = cli(
        "prepub", "import", registry, "--links", links, "--catalog", catalog_path, "--json"
    )
    assert result.exit_code == 3, result.output  # the bad registry row and the unknown record
    report = json.loads(result.stdout)
    assert report["items"] == 3 and report["linked"]["added"] == 2
    items = {
        i["item_id"]: i
        for i in j(cli, "prepub", "status", "--today", "2026-11-01", "--catalog", catalog_path)
    }
    assert items["T1"]["latest"] == "2026-10-05" and not items["T1"]["overdue"]
    assert items["F1"]["latest"] == "2026-03-02" and items["F1"]["overdue"]  # a quarter has passed
    # A withheld original publishes nothing: it never fulfils an item.
    assert items["A1"]["publications"] == 0 and items["A1"]["overdue"]
    december = j(
        cli, "prepub", "status", "--today", "2026-12-20", "--overdue", "--catalog", catalog_path
    )
    assert {i["item_id"] for i in december} == {"T1", "F1", "A1"}


def test_a_file_that_is_not_a_registry_is_refused(cli, catalog_path, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", "utf-8")
    result = cli("prepub", "import", other, "--catalog", catalog_path)
    assert result.exit_code == 2 and "not a pre-publication registry" in result.stderr
