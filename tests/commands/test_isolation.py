"""Worker isolation: time and memory limits, a mixed hostile batch, deterministic order."""

import json
import shutil
import sqlite3
import zlib

import pytest

from seoulrec.run.demo import DemoDoc, pubdoc_xml, write_package

from ..conftest import CORPUS
from ..conftest import BACKENDS, init_catalog, open_db


@pytest.fixture(params=BACKENDS)
def catalog_path(request, tmp_path, cli):
    """Every test here runs on an SQLite catalog and on a PostgreSQL one."""
    return init_catalog(request, tmp_path, cli)


def slow_pdf(operations: int = 3_000_000) -> bytes:
    """A valid one-page PDF whose content stream takes PDFium seconds to lay out (~8 s here)."""
    content = b"BT /F1 1 Tf 0 0 Td " + b"(a) Tj 0.001 0 Td " * operations + b"ET"
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def run(cli, catalog_path, *args):
    result = cli("ingest", "--catalog", catalog_path, "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def test_slow_file_times_out_and_the_batch_goes_on(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a-slow.pdf").write_bytes(slow_pdf())
    for i in range(6):
        (src / f"b{i}.xml").write_bytes(pubdoc_xml(DemoDoc(number=i)))
    code, report = run(cli, catalog_path, "--jobs", 2, "--timeout", 1, "--memory-mb", 0, src)
    assert code == 3
    assert [(f["path"].rsplit("/", 1)[-1], f["reason"]) for f in report["failed"]] == [
        ("a-slow.pdf", "timeout")
    ]
    assert report["added"] == 6


def test_memory_hog_is_too_large_and_the_batch_goes_on(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a-huge.txt").write_bytes(
        ("가" * 1000 + "\r\n").encode() * 50_000
    )  # 150 MB of Korean text
    (src / "b.xml").write_bytes(pubdoc_xml(DemoDoc(number=1)))
    code, report = run(cli, catalog_path, "--jobs", 1, "--memory-mb", 300, src)
    assert code == 3
    assert [(f["path"].rsplit("/", 1)[-1], f["reason"]) for f in report["failed"]] == [
        ("a-huge.txt", "too_large")
    ], report["failed"]
    assert report["added"] == 1


def test_mixed_real_batch_gives_documented_outcomes(cli, catalog_path, tmp_path):
    if not CORPUS.exists():
        pytest.skip("../shared/corpus is absent")
    src = tmp_path / "mixed"
    for folder in ("pdf", "docx", "hwp", "hwpx", "pairs"):
        shutil.copytree(CORPUS / folder, src / folder)
    write_package(src / "package", DemoDoc(number=1, attachments=["없음.pdf"]), {})
    (src / "broken.xml").write_bytes(b"<pubdoc>")
    code, report = run(cli, catalog_path, "--jobs", 2, src)
    assert code == 3
    reasons = {f["path"].rsplit("/", 1)[-1]: f["reason"] for f in report["failed"]}
    assert reasons == {
        "bad-source.hwp": "corrupt",
        "drm_wrapped_010000000000146096.hwp": "drm_protected",
        "html_stub_010000000000585068.hwp": "unsupported_format",
        "libreoffice-writer-password.pdf": "encrypted",
        "unreadablemetadata.pdf": "corrupt",
        "broken.xml": "corrupt",
    }
    assert [i["path"].rsplit("/", 1)[-1] for i in report["incomplete"]] == ["package"]
    total_files = sum(1 for p in src.rglob("*") if p.is_file())
    assert report["items"] == total_files  # the package folder is one item of its one file
    assert report["added"] == total_files - len(reasons)
    db = open_db(catalog_path)
    kinds = dict(
        db.execute("SELECT source_format, count(*) FROM records GROUP BY source_format").fetchall()
    )
    assert (
        kinds["pdf"] == 7 and kinds["docx"] == 7 and kinds["ole_hwp5"] == 9 and kinds["hwpx"] == 9
    )


def test_results_are_written_in_discovery_order_whatever_the_jobs(cli, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for i in range(60):
        (src / f"d{i:02d}.xml").write_bytes(pubdoc_xml(DemoDoc(number=i)))
    (src / "d30.pdf").write_bytes(slow_pdf(300_000))  # a slower item in the middle
    orders = []
    for jobs in (1, 2):
        path = tmp_path / f"c{jobs}.db"
        assert cli("init", "--catalog", path).exit_code == 0
        run(cli, path, "--jobs", jobs, src)
        orders.append(
            [
                r[0]
                for r in sqlite3.connect(path).execute(
                    "SELECT source_path FROM records ORDER BY id"
                )
            ]
        )
    assert orders[0] == orders[1] and len(orders[0]) == 61


def test_material_kind_and_title_from_manifest_option_and_folder(cli, catalog_path, tmp_path):
    src = tmp_path / "src"
    (src / "용역").mkdir(parents=True)
    (src / "기타").mkdir()
    (src / "용역" / "보고서.txt").write_text("공공자전거 연구 보고서\n본문", "utf-8")
    (src / "기타" / "회의.txt").write_text("제3차 회의 결과\n본문", "utf-8")
    (src / "기타" / "빈제목.txt").write_text("\n\n   \n내용만", "utf-8")
    (src / "기타" / "materials.csv").write_text(
        "file,kind,title\n회의.txt,회의자료,2025년 제3차 교통정책 회의\n", "utf-8"
    )
    (tmp_path / "work" / "seoulrec.toml").write_text(
        f'[catalog]\npath = "{catalog_path}"\n[ingest.kinds]\n"용역" = "용역자료"\n', "utf-8"
    )
    code, report = run(cli, catalog_path, src)
    assert code == 0 and report["added"] == 3
    rows = {
        r[0].rsplit("/", 1)[-1]: r[1:]
        for r in open_db(catalog_path).execute(
            "SELECT source_path, kind, material_kind, title FROM records"
        )
    }
    assert rows["보고서.txt"] == ("material", "용역자료", "공공자전거 연구 보고서")
    assert rows["회의.txt"] == ("material", "회의자료", "2025년 제3차 교통정책 회의")
    assert rows["빈제목.txt"][2] == "내용만"
    other = tmp_path / "other.db"
    assert cli("init", "--catalog", other).exit_code == 0
    code, report = run(cli, other, "--kind", "조사결과", src / "용역")
    assert (
        sqlite3.connect(other).execute("SELECT material_kind FROM records").fetchone()[0]
        == "조사결과"
    )
