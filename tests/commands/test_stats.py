"""``seoulrec stats``: rates and counts, filtered by organ, and the same figures on the
portal's statistics page (one implementation)."""

from __future__ import annotations

import pytest

import re

from seoulrec.run.demo import DemoDoc, write_package

from ..conftest import cli_json as j
from ..conftest import BACKENDS, init_catalog


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


TODAY = "2026-11-27"


def test_stats_by_organ_and_the_site_shows_the_same_figures(cli, catalog_path, tmp_path):
    city, district = tmp_path / "city", tmp_path / "gangnam"
    for n, code in enumerate(["1NNNNNNNN", "1NNNNNNNN", "2NNNNYNNN", "3NNNNYNNN"], start=1):
        write_package(city / f"p{n}", DemoDoc(number=n, code=code, date=f"2024-0{n}-03"), {})
    for n, code in enumerate(["1NNNNNNNN", "3NNNNYNNN"], start=10):
        write_package(
            district / f"p{n}",
            DemoDoc(number=n, code=code, department="교통행정과", date="2025-05-05"),
            {},
        )
    assert cli("ingest", city, "--catalog", catalog_path, "--organ", "서울특별시").exit_code == 0
    result = cli(
        "ingest",
        district,
        "--catalog",
        catalog_path,
        "--organ",
        "서울특별시 강남구",
        "--organ-code",
        "3220000",
    )
    assert result.exit_code == 0, result.output
    j(
        cli,
        "disclose",
        "set",
        4,
        6,
        "--class",
        "non_public",
        "--grounds",
        5,
        "--reason",
        "감사 중",
        "--until",
        "2027-06-30",
        "--catalog",
        catalog_path,
        "--today",
        TODAY,
    )
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)

    everything = j(cli, "stats", "--catalog", catalog_path)
    assert everything["totals"]["records"] == 6
    organs = {r["name"]: r for r in everything["by_organ"]}
    assert organs["서울특별시"]["records"] == 4 and organs["서울특별시 강남구"]["records"] == 2
    assert organs["서울특별시 강남구"]["non_disclosure_rate"] == 50.0
    gangnam = j(cli, "stats", "--organ", "서울특별시 강남구", "--catalog", catalog_path)
    assert gangnam["totals"]["records"] == 2 and gangnam["totals"]["disclosure_rate"] == 50.0
    assert [r["name"] for r in gangnam["by_department"]] == ["교통행정과"]
    assert [r["name"] for r in gangnam["by_year"]] == ["2025"]
    city_only = j(cli, "stats", "--organ", "서울특별시", "--catalog", catalog_path)
    t = city_only["totals"]
    assert (t["public"], t["partial"], t["non_public"]) == (2, 1, 1)
    assert (t["disclosure_rate"], t["partial_rate"], t["non_disclosure_rate"]) == (50.0, 25.0, 25.0)
    csv_text = cli("stats", "--csv", "--catalog", catalog_path).stdout
    assert "organ,서울특별시 강남구,2,1,0,1,1,50.0,0.0,50.0,50.0" in csv_text

    out = tmp_path / "site"
    j(cli, "export", "site", "--out", out, "--catalog", catalog_path)
    page = (out / "stats.html").read_text("utf-8")
    section = page.split('id="by-organ"')[1].split("</section>")[0]
    row = re.search(r'<th scope="row">서울특별시 강남구</th>((?:<td>[^<]*</td>)+)', section).group(
        1
    )
    cells = re.findall(r"<td>([^<]*)</td>", row)
    g = organs["서울특별시 강남구"]
    assert cells == [
        str(v)
        for v in (
            g["records"],
            g["disclosure_rate"],
            g["partial_rate"],
            g["non_disclosure_rate"],
            g["originals"],
            g["originals_rate"],
        )
    ]
    organ_index = (out / "browse" / "organ" / "index.html").read_text("utf-8")
    assert "서울특별시 강남구" in organ_index and "서울특별시" in organ_index
