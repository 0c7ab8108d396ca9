"""회의 공개: the meetings manifest, the 5-day announcement and 7-day minutes rules, bad rows,
and meeting pages on the portal (under 회의 공개 and the department and field browse pages)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from seoulrec.store.catalog import Catalog
from seoulrec.inputs.meetings import findings

from ..conftest import cli_json as j
from ..conftest import BACKENDS, init_catalog


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


TODAY = date.today()  # the minutes' publication date is the day they are decided: real time


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


@pytest.fixture
def manifest(tmp_path):
    folder = tmp_path / "meetings"
    folder.mkdir()
    (folder / "m3-회의록.txt").write_text("제3차 교통정책위원회 회의록\n안건 심의 결과", "utf-8")
    (folder / "m5-회의록.txt").write_text("제5차 도시계획위원회 회의록\n늦게 공개", "utf-8")
    (folder / "m1-자료.txt").write_text("제1차 회의 안건 자료", "utf-8")
    rows = [
        "id,title,committee,scheduled,place,status,announced,minutes,materials,broadcast,department,field,organ",
        f"M1,제1차 교통정책위원회,교통정책위원회,{day(13)} 14:00,서소문청사 1동,예정,{day(-7)},,m1-자료.txt,https://tv.seoul.go.kr/live,교통정책과,교통,서울특별시",
        f"M2,긴급 안전점검 회의,안전점검단,{day(3)} 10:00,본관,예정,{day(0)},,,,안전총괄과,안전,서울특별시",
        f"M3,제3차 교통정책위원회,교통정책위원회,{day(-3)} 14:00,본관,완료,{day(-12)},m3-회의록.txt,,,교통정책과,교통,서울특별시",
        f"M4,제4차 도시계획위원회,도시계획위원회,{day(-20)} 10:00,본관,완료,{day(-30)},,,,도시계획과,도시,서울특별시",
        f"M5,제5차 도시계획위원회,도시계획위원회,{day(-20)} 15:00,본관,완료,{day(-30)},m5-회의록.txt,,,도시계획과,도시,서울특별시",
        "M6,존재하지 않는 날,위원회,2025-02-30 10:00,본관,예정,,,,,교통정책과,교통,서울특별시",
        f"M7,회의록 파일 없음,위원회,{day(-2)} 10:00,본관,완료,{day(-9)},없는회의록.hwp,,,교통정책과,교통,서울특별시",
        f"M8,미래의 완료 회의,위원회,{day(30)} 10:00,본관,완료,{day(-1)},,,,교통정책과,교통,서울특별시",
    ]
    path = folder / "meetings.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    return path


def test_meetings_import_rules_and_portal_pages(cli, catalog_path, manifest, tmp_path):
    config = tmp_path / "work" / "seoulrec.toml"  # written by init, beside the SQLite catalog
    config.write_text(
        config.read_text("utf-8")
        + '\n[disclosure.materials]\n"회의록" = "public"\n"회의자료" = "public"\n',
        "utf-8",
    )
    result = cli("meetings", "import", manifest, "--catalog", catalog_path, "--json")
    assert result.exit_code == 3, result.output  # two rows skipped, reported
    report = json.loads(result.stdout)
    assert report["added"] == 6 and report["meetings"] == 6
    skipped = {f["id"]: " ".join(f["errors"]) for f in report["failed"]}
    assert "not a date" in skipped["M6"] and "future" in skipped["M8"]
    assert any("없는회의록.hwp does not exist" in w["warning"] for w in report["warnings"])
    again = json.loads(
        cli("meetings", "import", manifest, "--catalog", catalog_path, "--json").stdout
    )
    assert again["added"] == again["updated"] == 0 and again["unchanged"] == 6

    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", day(0))
    catalog = Catalog.open(catalog_path)
    found = {(f["meeting_id"], f["kind"]) for f in findings(catalog, TODAY)}
    catalog.close()
    assert found == {
        ("M2", "meeting_announced_late"),  # announced 3 days before, not 5
        ("M4", "minutes_overdue"),  # held 20 days ago, no minutes
        ("M5", "minutes_late"),  # minutes public only today, 13 days late
    }

    listed = j(cli, "meetings", "list", "--catalog", catalog_path)
    assert [m["meeting_id"] for m in listed] == ["M1", "M2", "M7", "M3", "M5", "M4"]

    out = tmp_path / "site"
    j(cli, "export", "site", "--out", out, "--catalog", catalog_path)
    index = (out / "meetings" / "index.html").read_text("utf-8")
    upcoming, held = index.split("완료된 회의")
    assert "제1차 교통정책위원회" in upcoming and "긴급 안전점검 회의" in upcoming
    assert "제3차 교통정책위원회" in held and "회의록 공개" in held
    assert "존재하지 않는 날" not in index
    m3 = next(
        p
        for p in (out / "meetings").glob("*.html")
        if "제3차" in p.read_text("utf-8") and p.name != "index.html"
    )
    page = m3.read_text("utf-8")
    href = page.split('id="minutes-heading">회의록</h2>')[1].split('href="')[1].split('"')[0]
    assert (m3.parent / href).resolve().is_file()  # the minutes' record page
    assert "안건 심의 결과" in (m3.parent / href).read_text("utf-8")
    # Under the department and field browse pages.
    departments = (out / "browse" / "department").rglob("1.html")
    traffic = next(p for p in departments if "부서별: 교통정책과" in p.read_text("utf-8"))
    assert "제1차 교통정책위원회" in traffic.read_text("utf-8")
    fields = (out / "browse" / "field").rglob("1.html")
    assert any("제4차 도시계획위원회" in p.read_text("utf-8") for p in fields)
