import csv
import io
import json
import re
import sqlite3
from datetime import datetime
from importlib import resources

import jsonschema
import pytest
from lxml import etree

from seoulrec.run.demo import DemoDoc, write_package
from seoulrec.plugins import Exporter, exporters

from ..conftest import cli_json as j
from ..conftest import corpus_file
from ..conftest import BACKENDS, init_catalog, open_db


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


TODAY = "2026-11-26"


@pytest.fixture
def catalog(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    docs = [
        DemoDoc(number=1, title="공공자전거 대여소 확충", date="2025-10-01", code="1NNNNNNNN"),
        DemoDoc(
            number=2,
            title="감사 결과 처리 계획",
            date="2025-10-02",
            code="3NNNNYNNN",
            body="내부 감사 자료 비밀 본문",
        ),
        DemoDoc(
            number=3,
            title="민원인 조영아 민원 회신",
            date="2025-10-03",
            code="2NNNNNYNN",
            body="연락처 010-1234-5678",
        ),
        DemoDoc(
            number=4,
            title="팀장 전결 문서",
            date="2025-10-04",
            code="1NNNNNNNN",
            final_position="공공자전거팀장",
        ),
    ]
    for doc in docs:
        write_package(src / f"p{doc.number}", doc, {})
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, src).exit_code == 0
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    return catalog_path


def export(cli, catalog, fmt, out, *extra):
    return j(cli, "export", "index", "--format", fmt, "--out", out, "--catalog", catalog, *extra)


def tree(folder):
    """Every file under ``folder`` by relative path, with its bytes (less the folder's own
    signature, a random id per folder)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).as_posix() != ".seoulrec/folder-id"
    }


def change_set(out):
    """The newest change set an incremental export published under changes/."""
    return (
        out
        / "changes"
        / json.loads((out / "manifest.json").read_text("utf-8"))["change_sets"][-1]["name"]
    )


def number_of(catalog, number):
    return (
        open_db(catalog)
        .execute("SELECT id FROM records WHERE document_number = ?", [number])
        .fetchone()[0]
    )


def test_seoul_csv_matches_the_real_list_header_and_conventions(cli, catalog, tmp_path):
    real_header = (
        corpus_file("seoul-opengov/info_list_sample.csv").read_text("utf-8").splitlines()[0]
    )
    result = export(cli, catalog, "seoul-csv", tmp_path / "index")
    part = tmp_path / "index" / "parts" / "2025-10"  # one folder per production month
    raw = (part / "index.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM so Excel opens it
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == real_header
    rows = {r["src_dept_doc_no"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["자전거정책과-1"]["othbc_se"] == "공개" and rows["자전거정책과-1"]["url"].endswith(
        rows["자전거정책과-1"]["package_id"]
    )
    assert (
        rows["자전거정책과-2"]["othbc_se"] == "비공개"
        and rows["자전거정책과-2"]["url"] == "https://opengov.seoul.go.kr/sanction/"
    )
    assert (
        rows["자전거정책과-4"]["url"] == "https://opengov.seoul.go.kr/sanction/"
    )  # below the threshold
    assert rows["자전거정책과-3"]["title"] == "민원인 조*아 민원 회신"  # masked title
    assert rows["자전거정책과-1"]["doc_prdctn_dt"] == "20251001" and re.fullmatch(
        r"\d{15}", rows["자전거정책과-1"]["package_id"]
    )
    as_json = json.loads((part / "index.json").read_text("utf-8"))
    assert [r["src_dept_doc_no"] for r in as_json] == list(rows)
    xml = etree.parse(str(part / "index.xml"))
    assert [r.findtext("src_dept_doc_no") for r in xml.getroot()] == list(rows)
    assert [c.tag for c in xml.getroot()[0]] == real_header.split(",")
    assert result["manifest"]["counts"]["rows"] == 4


def test_jsonl_validates_and_never_carries_withheld_text(cli, catalog, tmp_path):
    export(cli, catalog, "jsonl", tmp_path / "jsonl")
    published = tmp_path / "jsonl" / "parts" / "2025-10" / "records.jsonl"
    schema = json.loads(
        resources.files("seoulrec.data").joinpath("public-record.schema.json").read_text("utf-8")
    )
    lines = [json.loads(line) for line in published.read_text("utf-8").splitlines()]
    for line in lines:
        jsonschema.validate(line, schema)
    by_number = {r["document_number"]: r for r in lines}
    assert "text" not in by_number["자전거정책과-2"] and by_number["자전거정책과-2"]["grounds"] == [
        5
    ]
    assert "비밀 본문" not in published.read_text("utf-8")
    assert (
        "***-****-****" in by_number["자전거정책과-3"]["text"]
        and "010-1234-5678" not in by_number["자전거정책과-3"]["text"]
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**by_number["자전거정책과-2"], "text": "leak"}, schema)


def test_atom_and_sitemap_are_valid(cli, catalog, tmp_path):
    export(cli, catalog, "atom", tmp_path / "atom")
    feed = etree.parse(str(tmp_path / "atom" / "feed.xml")).getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated", "a:author/a:name"):  # RFC 4287 4.1.1
        assert feed.find(required, ns) is not None and feed.findtext(required, namespaces=ns)
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 2  # only published originals
    ids = [e.findtext("a:id", namespaces=ns) for e in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        for required in ("a:id", "a:title", "a:updated", "a:link"):
            assert entry.find(required, ns) is not None
        datetime.fromisoformat(
            entry.findtext("a:updated", namespaces=ns).replace("Z", "+00:00")
        )  # RFC 3339
    export(cli, catalog, "sitemap", tmp_path / "sitemap")
    urlset = etree.parse(str(tmp_path / "sitemap" / "sitemap.xml")).getroot()
    assert urlset.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    locs = [u.findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}loc") for u in urlset]
    assert len(locs) == 2 and all(loc.startswith("https://") for loc in locs)


def test_sitemap_splits_past_the_protocol_limit(tmp_path):
    from seoulrec.publish.export import ExportContext

    plugin = exporters.get("sitemap")()
    plugin.max_urls = 3
    rows = (
        {"original_public": True, "id": f"{i:015d}", "published_since": "2026-11-26T00:00:00+00:00"}
        for i in range(7)
    )
    context = ExportContext(tmp_path, "https://example.org/sanction/", "", "full", {})
    counts = plugin.write(context, rows, tmp_path)
    assert counts == {"rows": 7, "files": 3}
    index = etree.parse(str(tmp_path / "sitemap.xml")).getroot()
    assert (
        index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex" and len(index) == 3
    )
    assert [
        len(etree.parse(str(tmp_path / f"sitemap-000{i}.xml")).getroot()) for i in (1, 2, 3)
    ] == [3, 3, 1]


def test_incremental_with_withdrawals_end_to_end(cli, catalog, tmp_path):
    out = tmp_path / "jsonl"
    first = export(cli, catalog, "jsonl", out, "--since", "last")
    assert first["manifest"]["kind"] == "full" and "no previous export" in first["notes"][0]
    again = export(cli, catalog, "jsonl", out, "--since", "last")
    assert again["manifest"]["kind"] == "delta" and again["manifest"]["counts"]["changed_rows"] == 0
    assert (
        again["manifest"]["counts"]["partitions_written"] == 0
        and again["manifest"]["change_sets"] == []
    )
    # Three changes: an original withdrawn by hand, a record deleted, a withheld one released.
    public = number_of(catalog, "자전거정책과-1")
    j(
        cli,
        "disclose",
        "set",
        public,
        "--class",
        "non_public",
        "--grounds",
        6,
        "--reason",
        "개인정보 포함 확인",
        "--catalog",
        catalog,
        "--today",
        TODAY,
    )
    j(
        cli,
        "records",
        "withdraw",
        number_of(catalog, "자전거정책과-3"),
        "--reason",
        "중복 등록",
        "--catalog",
        catalog,
    )
    j(
        cli,
        "review",
        "decide",
        number_of(catalog, "자전거정책과-2"),
        "overturn",
        "--note",
        "감사 종료",
        "--catalog",
        catalog,
        "--today",
        TODAY,
    )
    applied = j(cli, "disclose", "apply", "--catalog", catalog, "--today", TODAY)
    assert applied["changed"] == 2 and applied["withdrawn"] == 1
    delta = export(cli, catalog, "jsonl", out, "--since", "last")
    assert delta["manifest"]["kind"] == "delta"
    assert (
        delta["manifest"]["counts"]["rows_rendered"] == 2
    )  # the unchanged row is spliced from the published file
    changes = change_set(out)
    rows = [
        json.loads(line) for line in (changes / "records.jsonl").read_text("utf-8").splitlines()
    ]
    assert sorted(r["document_number"] for r in rows) == [
        "자전거정책과-1",
        "자전거정책과-2",
    ]  # only what changed
    tombstones = [
        json.loads(line) for line in (changes / "tombstones.jsonl").read_text("utf-8").splitlines()
    ]
    index = [
        json.loads(line)
        for line in (out / "parts" / "2025-10" / "records.jsonl").read_text("utf-8").splitlines()
    ]
    assert sorted(r["document_number"] for r in index) == [
        "자전거정책과-1",
        "자전거정책과-2",
        "자전거정책과-4",
    ]  # complete
    assert sorted(t["reason"] for t in tombstones) == ["deleted", "original_withdrawn"]
    assert all(t["action"] == "withdraw" for t in tombstones)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    for name, info in manifest["files"].items():
        import hashlib

        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == info["sha256"]
    assert manifest["catalog_state"]["policy_versions"][0].startswith("seoul-open-city-2.0@")


def test_full_export_is_byte_for_byte_reproducible(cli, catalog, tmp_path):
    for fmt in ("seoul-csv", "jsonl", "atom", "sitemap"):
        export(cli, catalog, fmt, tmp_path / f"{fmt}-a")
        export(cli, catalog, fmt, tmp_path / f"{fmt}-b")
        assert tree(tmp_path / f"{fmt}-a") == tree(tmp_path / f"{fmt}-b"), fmt


class ExplodingExporter(Exporter):
    """A real plugin that fails half-way, as a full disk or a bug would."""

    name = "exploding"

    def write(self, context, rows, folder):
        (folder / "partial.txt").write_text(next(iter(rows))["title"], "utf-8")
        raise OSError("No space left on device")


def test_a_failed_export_leaves_the_previous_output_intact(cli, catalog, tmp_path):
    out = tmp_path / "index"
    export(cli, catalog, "seoul-csv", out)
    before = tree(out)
    exporters.all()["exploding"] = ExplodingExporter
    try:
        result = cli("export", "index", "--format", "exploding", "--out", out, "--catalog", catalog)
    finally:
        del exporters.all()["exploding"]
    assert result.exit_code == 1
    assert tree(out) == before
    assert [
        p.name for p in tmp_path.iterdir() if p.name.startswith(".index")
    ] == []  # no temporary leftovers
    status = (
        open_db(catalog)
        .execute("SELECT status FROM export_runs ORDER BY id DESC LIMIT 1")
        .fetchone()[0]
    )
    assert status == "failed"


def test_bad_export_requests(cli, catalog, catalog_path, tmp_path):
    result = cli(
        "export", "index", "--format", "pdf", "--out", tmp_path / "x", "--catalog", catalog
    )
    assert (
        result.exit_code == 2
        and "unknown format 'pdf'; known: atom, jsonl, seoul-csv, sitemap" in result.stderr
    )
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    result = cli("export", "index", "--format", "jsonl", "--out", a_file, "--catalog", catalog)
    assert result.exit_code == 2 and "is a file" in result.stderr
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        import os

        if os.geteuid() != 0:  # root writes anywhere; the check is then moot
            result = cli(
                "export",
                "index",
                "--format",
                "jsonl",
                "--out",
                locked / "out",
                "--catalog",
                catalog,
            )
            assert result.exit_code == 2 and "not writable" in result.stderr
    finally:
        locked.chmod(0o755)
    result = cli(
        "export",
        "index",
        "--format",
        "jsonl",
        "--out",
        tmp_path / "y",
        "--since",
        "yesterday",
        "--catalog",
        catalog,
    )
    assert result.exit_code == 2
    fresh = tmp_path / "fresh.db"
    assert cli("init", "--catalog", fresh).exit_code == 0
    result = cli(
        "export", "index", "--format", "jsonl", "--out", tmp_path / "z", "--catalog", fresh
    )
    assert result.exit_code == 2 and "disclose apply" in result.stderr


def test_an_older_catalog_is_migrated_before_export(cli, tmp_path):
    from seoulrec.store.catalog import Catalog
    from seoulrec.store.schema import MIGRATIONS

    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.commit()
    from seoulrec.store.catalog import SqliteDatabase

    old = Catalog(path, SqliteDatabase(db))
    for version in (1, 2, 3):
        with old.transaction():
            MIGRATIONS[version](old.db, old.dialect)
            old.set_meta("schema_version", str(version))
    db.close()
    src = tmp_path / "src"
    write_package(src / "p", DemoDoc(number=1), {})
    assert cli("ingest", "--catalog", path, src).exit_code == 0  # opening migrates 3 -> current
    j(cli, "disclose", "apply", "--catalog", path, "--today", TODAY)
    assert export(cli, path, "jsonl", tmp_path / "out")["manifest"]["catalog_state"][
        "schema_version"
    ] == max(MIGRATIONS)


def test_a_record_changed_twice_between_exports_is_still_withdrawn(cli, catalog, tmp_path):
    out = tmp_path / "csv"
    export(cli, catalog, "seoul-csv", out, "--since", "last")
    public = number_of(catalog, "자전거정책과-1")
    j(
        cli,
        "disclose",
        "set",
        public,
        "--class",
        "non_public",
        "--grounds",
        6,
        "--reason",
        "개인정보",
        "--catalog",
        catalog,
        "--today",
        TODAY,
    )
    j(cli, "disclose", "apply", "--catalog", catalog, "--today", TODAY)
    j(
        cli,
        "disclose",
        "set",
        public,
        "--class",
        "non_public",
        "--grounds",
        6,
        "--reason",
        "개인정보 (재검토)",
        "--catalog",
        catalog,
        "--today",
        TODAY,
    )
    j(cli, "disclose", "apply", "--catalog", catalog, "--today", TODAY)
    delta = export(cli, catalog, "seoul-csv", out, "--since", "last")
    assert delta["manifest"]["counts"]["tombstones"] == 1
    withdrawn = list(
        csv.DictReader(io.StringIO((change_set(out) / "withdrawn.csv").read_text("utf-8-sig")))
    )
    assert [(w["reason"]) for w in withdrawn] == ["original_withdrawn"]
    rows = list(csv.DictReader(io.StringIO((change_set(out) / "index.csv").read_text("utf-8-sig"))))
    assert [(r["src_dept_doc_no"], r["othbc_se"], r["url"]) for r in rows] == [
        ("자전거정책과-1", "비공개", "https://opengov.seoul.go.kr/sanction/")
    ]


def test_a_url_that_came_with_the_record_is_kept(cli, catalog_path, tmp_path):
    sample = corpus_file("seoul-opengov/info_list_sample.csv")
    given = {
        r["package_id"]: r["url"]
        for r in csv.DictReader(io.StringIO(sample.read_text("utf-8-sig")))
    }
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, sample).exit_code in (0, 3)
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    out = tmp_path / "index"
    export(cli, catalog_path, "seoul-csv", out)
    rows = [
        r
        for p in sorted(out.glob("parts/*/index.csv"))
        for r in csv.DictReader(io.StringIO(p.read_text("utf-8-sig")))
    ]
    assert len(rows) == len(given)
    kept = [r for r in rows if r["url"] == given[r["package_id"]]]
    non_public = [r for r in rows if r["othbc_se"] == "비공개"]
    assert len(kept) + len([r for r in non_public if r["url"] != given[r["package_id"]]]) == len(
        rows
    )
    assert all(r["url"] == "https://opengov.seoul.go.kr/sanction/" for r in non_public)
