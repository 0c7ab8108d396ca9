"""Characters XML cannot hold never make a published XML file invalid (issue 20): a title with
a control character (``\\x01``), exported in every format; lxml parses every XML file."""

from __future__ import annotations

import pytest
from lxml import etree

from ..conftest import cli_json


def test_control_characters_give_valid_xml_in_every_export(cli, catalog_path, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "list.csv").write_text(
        "package_id,doc_prdctn_dt,title,src_dept_doc_no,rspnber_dept_nm,othbc_se\n"
        '100000000000001,20251001,"제어\x01문자\x0b가 든 <제목> & 끝\ufffe",예방과-1,예방\x02과,공개\n',
        "utf-8",
    )
    assert cli("ingest", inbox, "--catalog", catalog_path).exit_code == 0
    cli_json(cli, "disclose", "apply", "--catalog", catalog_path)
    record = cli_json(cli, "records", "list", "--catalog", catalog_path)[0]
    assert "\x01" in record["title"]  # kept in the catalog as it came
    parsed = 0
    for fmt in ("seoul-csv", "atom", "sitemap"):
        out = tmp_path / fmt
        cli_json(cli, "export", "index", "-f", fmt, "-o", out, "--catalog", catalog_path)
        for path in out.rglob("*.xml"):
            etree.parse(str(path))  # raises on invalid XML
            parsed += 1
    assert parsed >= 3
    seoul = next((tmp_path / "seoul-csv").glob("parts/*/index.xml")).read_text("utf-8")
    title = seoul.split("<title>")[1].split("</title>")[0]
    assert title == "제어문자 가 든 &lt;제목&gt; &amp; 끝", title  # \x0b is white space
    assert "<rspnber_dept_nm>예방과</rspnber_dept_nm>" in seoul


def test_the_feed_and_sitemap_drop_characters_xml_cannot_hold(tmp_path):
    """The feed and sitemap carry published originals only: their writers, called directly with
    a published row whose fields hold control characters."""
    from seoulrec.publish.export import ExportContext
    from seoulrec.plugins import exporters

    row = {
        "id": "100000000000001",
        "title": "제어\x01문자\x0b <제목> & 끝",
        "document_number": "예방과-1",
        "organ": "서울\x02특별시",
        "department": "예방과",
        "class_label": "공개",
        "enforcement_date": "2025-10-01",
        "published_since": "2025-10-02T00:00:00",
        "original_public": 1,
        "disclosure_class": "public",
        "source_url": "https://opengov.seoul.go.kr/sanction/1\x03",
    }
    for name in ("atom", "sitemap"):
        folder = tmp_path / name
        folder.mkdir()
        context = ExportContext(folder, "https://opengov.seoul.go.kr/sanction/", "", "full", {})
        exporters.get(name)().write(context, [dict(row)], folder)
        files = list(folder.rglob("*.xml"))
        assert files
        for path in files:
            tree = etree.parse(str(path))
            assert "\x01" not in etree.tostring(tree, encoding="unicode")
    feed = (tmp_path / "atom" / "feed.xml").read_text("utf-8")
    assert "제어문자 &lt;제목&gt; &amp; 끝" in feed and "서울특별시" in feed


@pytest.mark.parametrize(
    "title",
    [
        "평범한 제목",
        "줄\n바뀜\r\n제목",
        '=HYPERLINK("x")',
        "제어\x01문자 <제목> & 끝\ufffe",
        "널\x00문자가 든 제목",
        "-1 + @ \t 탭",
    ],
)
def test_seoul_csv_rows_are_one_line_safe_cells_and_valid_xml(title):
    """The row renderer's fast path (the common row checked in one pass) gives what cleaning
    every value one by one gives."""
    import csv
    import io
    import json

    from lxml import etree

    from exporters.seoul_csv import HEADER, SeoulCsvExporter, seoul_row
    from seoulrec.publish.cells import spreadsheet_safe, xml_clean

    class Context:
        def url(self, row):
            return "https://example.org/r/1"

    row = {
        "id": "1", "enforcement_date": "2025-10-01", "unit_task": "업무", "title": title,
        "document_number": "과-1", "writer": "김담당", "retention_period": "5년",
        "department": "과", "class_label": "공개", "licence": "CC BY",
    }  # fmt: skip
    line, as_json, as_xml = SeoulCsvExporter().render(Context(), row)
    expected = [" ".join(v.splitlines()) for v in (seoul_row(Context(), row)[k] for k in HEADER)]
    assert "\n" not in line + as_json + as_xml and "\r" not in line
    assert next(csv.reader(io.StringIO(line))) == [spreadsheet_safe(v) for v in expected]
    assert list(json.loads(as_json).values()) == expected
    assert as_json == json.dumps(dict(zip(HEADER, expected)), ensure_ascii=False)
    parsed = etree.fromstring(as_xml.encode())
    assert [e.text or "" for e in parsed] == [xml_clean(v) for v in expected]
