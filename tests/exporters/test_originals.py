"""Originals on the portal (issue 23 item 3): offered only for records published in full with no
identifier in their words or the file's, with people's names removed from the properties;
equal to the source otherwise; the leak scan reads them again."""

from __future__ import annotations

import io
import zipfile

import pytest

from seoulrec.run.demo import DemoDoc, write_package

from ..conftest import cli_json as j
from ..conftest import corpus_file

TODAY = "2026-11-26"


def _plain_pdf() -> bytes:
    """A real PDF (LibreOffice's) with every document property removed: offered byte for byte."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(corpus_file("pdf/002-trivial-libre-office-writer.pdf")))
    writer.metadata = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx_with(text: str, title: str = "연락처 안내") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(title)
    document.add_paragraph(text)
    document.core_properties.author = "김작성"
    document.core_properties.last_modified_by = "박수정"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def site(cli, catalog_path, tmp_path):
    materials = tmp_path / "materials"
    materials.mkdir()
    for name in ("pdf/bill_2125318_original.pdf", "docx/doc-coreprops.docx", "hwpx/sample1.hwpx",
                 "hwp/nts_010000000000073971.hwp"):  # fmt: skip
        (materials / name.split("/")[1]).write_bytes(corpus_file(name).read_bytes())
    (materials / "plain.pdf").write_bytes(_plain_pdf())
    (materials / "contact.docx").write_bytes(_docx_with("문의: 담당자 010-1234-5678"))
    assert cli("ingest", "--catalog", catalog_path, "--class", "public", "--kind", "참고자료",
               materials).exit_code == 0  # fmt: skip
    packages = tmp_path / "packages"
    write_package(
        packages / "public",
        DemoDoc(number=1, title="공공자전거 대여소 확충 계획", attachments=["계획.pdf"],
                body="대여소를 확충합니다."),
        {"계획.pdf": corpus_file("pdf/bill_2125318_original.pdf").read_bytes()},
    )  # fmt: skip
    write_package(
        packages / "partial",
        DemoDoc(number=2, title="도로 정비 계획", code="2NNNNNYNN", attachments=["도로.pdf"],
                body="도로를 정비합니다."),
        {"도로.pdf": _plain_pdf()},
    )  # fmt: skip
    write_package(
        packages / "contact",
        DemoDoc(number=3, title="민원 회신", attachments=["회신.docx"], body="회신합니다."),
        {"회신.docx": _docx_with("민원인 연락처 010-9876-5432")},
    )  # fmt: skip
    assert cli("ingest", "--catalog", catalog_path, "--jobs", 1, packages).exit_code == 0
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    out = tmp_path / "site"
    j(cli, "export", "site", "--out", out, "--catalog", catalog_path)
    return out, materials, packages


def _page(out, title: str) -> tuple[str, str]:
    for page in (out / "records").glob("*.html"):
        html = page.read_text("utf-8")
        if f"<h1>{title}</h1>" in html:
            return page.stem, html
    raise AssertionError(f"no page for {title}")


def _members(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}


def test_public_originals_download_and_equal_their_source_less_the_properties(site):
    from pypdf import PdfReader

    out, materials, _ = site
    # A PDF without document properties: the same bytes.
    record, html = _page(out, "plain")
    assert "원본 파일 내려받기 (PDF)" in html and "문서 정보는 지우고" not in html
    assert (out / "files" / record / "original.pdf").read_bytes() == (
        materials / "plain.pdf"
    ).read_bytes()
    # Creator and the XMP packet removed; the pages and their text as they were.
    record, html = _page(out, "기후위기 대응을 위한 탄소중립ㆍ녹색성장 기본법 일부개정법률안")
    published = PdfReader(out / "files" / record / "original.pdf")
    source = PdfReader(materials / "bill_2125318_original.pdf")
    assert source.metadata.get("/Creator") and "/Metadata" in source.root_object
    assert not published.metadata.get("/Creator") and "/Metadata" not in published.root_object
    assert [p.extract_text() for p in published.pages] == [p.extract_text() for p in source.pages]
    # DOCX and HWPX: every member the same but the properties part, where only the people go.
    for title, name, part in (
        ("doc-coreprops", "doc-coreprops.docx", "docProps/core.xml"),
        ("수학", "sample1.hwpx", "Contents/content.hpf"),
    ):
        record, html = _page(out, title)
        suffix = name.rsplit(".", 1)[1]
        copy = _members((out / "files" / record / f"original.{suffix}").read_bytes())
        original = _members((materials / name).read_bytes())
        assert copy.keys() == original.keys()
        assert {k for k in copy if copy[k] != original[k]} == {part}
        assert b"Steve Canny" not in copy[part] and b">fff<" not in copy[part]
    hwp, html = _page(
        out, "상가를 구분 소유한 자 들이 공동으로 상가를 재건축하는 경우 양도소득세 과세 여부"
    )
    assert "HWP 파일은 작성자 정보" in html and not (out / "files" / hwp).exists()
    # A pubdoc's attachment, public: its original beside the masked text.
    record, html = _page(out, "공공자전거 대여소 확충 계획")
    assert "원본 파일 (PDF)" in html
    assert PdfReader(out / "files" / record / "1.pdf").metadata.get("/Creator") is None
    # The pubdoc body itself, as a page of its own with its words as written.
    body = (out / "files" / record / "original.html").read_text("utf-8")
    assert "대여소를 확충합니다." in body and '<html lang="ko">' in body
    assert 'href="../files/' + record + '/original.html"' in html


def test_no_original_of_a_partial_record_or_one_with_an_identifier(site):
    out, _, _ = site
    for title, sentence in (
        ("도로 정비 계획", "부분공개 문서라"),
        ("민원 회신", "개인정보를 가린 파일이라"),  # the attachment's text holds a phone
    ):
        record, html = _page(out, title)
        assert sentence in html
        files = out / "files" / record
        # The body of 민원 회신 holds no identifier (its page may be offered); its file does.
        assert not [p for p in files.glob("*") if p.suffix not in (".txt", ".html")], title
    record, _ = _page(out, "도로 정비 계획")
    assert not (out / "files" / record / "original.html").exists()  # partial: never
    record, html = _page(out, "연락처 안내")  # a material whose own text holds a phone number
    assert "원본 파일 내려받기" not in html and not list(
        (out / "files").glob(f"{record}/original.*")
    )


def test_the_leak_scan_reads_the_originals_again(site):
    from seoulrec.decide.privacy import Masker
    from seoulrec.inputs.formats.registry import extract

    out, _, _ = site
    originals = [p for p in (out / "files").rglob("*") if p.suffix in (".pdf", ".docx", ".hwpx")]
    assert len(originals) == 5  # plain.pdf, the bill, the DOCX, the HWPX, the attachment
    masker = Masker()
    for path in originals:
        text = extract(path.read_bytes(), path.name, path.suffix[1:]).text
        assert masker.mask(text)[1] == [], path
        assert b"010-" not in path.read_bytes()


def test_a_source_changed_since_ingest_is_not_offered(cli, catalog_path, tmp_path):
    materials = tmp_path / "m"
    materials.mkdir()
    (materials / "plain.pdf").write_bytes(_plain_pdf())
    assert cli("ingest", "--catalog", catalog_path, "--class", "public", materials).exit_code == 0
    j(cli, "disclose", "apply", "--catalog", catalog_path, "--today", TODAY)
    (materials / "plain.pdf").write_bytes(_plain_pdf() + b"\n% changed")
    out = tmp_path / "site"
    j(cli, "export", "site", "--out", out, "--catalog", catalog_path)
    record, html = _page(out, "plain")
    assert "수집 당시와 달라졌거나 없어" in html and not (out / "files" / record).exists()
