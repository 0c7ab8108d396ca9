import codecs
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seoulrec.errors import (
    CorruptDocument,
    DrmProtected,
    EmptyDocument,
    EncryptedDocument,
    UnsupportedFormat,
)
from seoulrec.inputs.formats.documents import para_text, read_docx, read_hwp, read_pdf, read_text
from seoulrec.inputs.formats.hwpx import read_hwpx
from seoulrec.inputs.formats.identify import identify
from seoulrec.inputs.formats.registry import extract

from ..conftest import CORPUS, corpus_file


def read(relative):
    path = corpus_file(relative)
    data = path.read_bytes()
    return extract(data, path.name, identify(data, path.name))


# -- identification by content ------------------------------------------------------------


@pytest.mark.parametrize(
    "relative,fmt",
    [
        ("pdf/bill_2125318_original.pdf", "pdf"),
        ("docx/footnotes.docx", "docx"),
        ("hwpx/seoul_sihaengmun.hwpx", "hwpx"),
        ("hwp/nts_010000000000073971.hwp", "ole_hwp5"),
        ("hwp/drm_wrapped_010000000000146096.hwp", "drm"),
        ("hwp/html_stub_010000000000585068.hwp", "html"),
        ("hwp/bad-source.hwp", "corrupt_ole"),
        ("seoul-opengov/info_list_sample.csv", "manifest_csv"),
    ],
)
def test_real_files_are_identified_by_content(relative, fmt):
    path = corpus_file(relative)
    assert identify(path.read_bytes(), "whatever.bin") == fmt


def test_hwpx_named_hwp_and_generated_formats():
    hwpx = corpus_file("hwpx/sample1.hwpx").read_bytes()
    assert identify(hwpx, "본문.hwp") == "hwpx"
    assert identify(b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + b"\0" * 100) == "hwp3"
    assert identify("가나다 텍스트".encode("cp949")) == "text"
    assert identify(codecs.BOM_UTF16_LE + "가나다".encode("utf-16-le")) == "text"
    assert identify(b"") == "empty"
    from seoulrec.run.demo import zip_bytes

    assert (
        identify(zip_bytes({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>"})) == "ooxml"
    )
    assert identify(zip_bytes({"a.txt": b"x"})) == "zip"


# -- hostile and odd files give documented outcomes ---------------------------------------


def test_drm_html_stub_and_broken_ole_outcomes():
    with pytest.raises(DrmProtected):
        read("hwp/drm_wrapped_010000000000146096.hwp")
    with pytest.raises(UnsupportedFormat, match="HTML"):
        read("hwp/html_stub_010000000000585068.hwp")
    with pytest.raises(CorruptDocument, match="text-mode transfer"):
        read("hwp/bad-source.hwp")
    with pytest.raises(UnsupportedFormat, match="HWP 3.0"):
        extract(b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05", "old.hwp", "hwp3")


def test_password_pdf_is_encrypted_and_unreadable_metadata_pdf_is_corrupt():
    with pytest.raises(EncryptedDocument):
        read("pdf/libreoffice-writer-password.pdf")
    with pytest.raises(CorruptDocument, match="PDFium cannot open it"):
        read("pdf/unreadablemetadata.pdf")


def test_truncated_pdf_is_corrupt():
    data = corpus_file("pdf/minimal-document.pdf").read_bytes()[:600]
    with pytest.raises(CorruptDocument):
        read_pdf(data, "cut.pdf")


# -- PDF ------------------------------------------------------------------------------------


def test_korean_pdf_keeps_word_spacing():
    doc = read("pdf/bill_2125318_original.pdf")
    assert doc.pages == 10
    assert "심의ㆍ의결하기 위하여" in doc.text  # pypdf drops this space
    assert "기후위기 대응을 위한 탄소중립ㆍ녹색성장 기본법" in doc.text
    assert doc.metadata["info"]["Producer"].startswith("Hancom PDF")
    assert doc.text.count("\f") == 9  # page breaks kept


def test_pdf_xmp_and_embedded_files():
    assert (
        read("pdf/output_with_metadata_pymupdf.pdf").metadata["xmp"]["title"]
        == "Sample PDF with XMP Metadata"
    )
    assert read("pdf/output_with_metadata_pymupdf.pdf").title == "Sample PDF with XMP Metadata"
    assert read("pdf/with-attachment.pdf").metadata["embedded_files"] == ["image.png"]
    assert read("pdf/pdflatex-4-pages.pdf").pages == 4


# -- DOCX -----------------------------------------------------------------------------------


def test_docx_paragraphs_tables_headers_footers_footnotes_and_core_properties():
    doc = read("docx/blk-paras-and-tables.docx")
    lines = doc.text.splitlines()
    assert lines[:3] == [
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
        "Text before Table Between Text after",  # a nested table inside a cell, in order
        "Donec semper facilisis metus finibus malesuada.",
    ]
    assert "Left-side\tRight-side" in lines and "Copyright\tPage-number" in lines  # header, footer
    notes = read("docx/footnotes.docx")
    assert "This is footnote text for the third footnote." in notes.text
    assert notes.metadata["footnotes"] == 3
    props = read("docx/doc-coreprops.docx").metadata
    assert (props["title"], props["author"], props["keywords"]) == (
        "Title",
        "Steve Canny",
        "key; word; keyword",
    )
    assert read("docx/doc-no-coreprops.docx").metadata == {
        "title_source": "file_name"
    }  # no core properties


def test_docx_text_agrees_with_python_docx():
    import docx

    path = corpus_file("docx/blk-paras-and-tables.docx")
    reference = [p.text for p in docx.Document(str(path)).paragraphs if p.text.strip()]
    ours = read_docx(path.read_bytes()).text.splitlines()
    assert [line for line in ours if line in reference] == reference


# -- HWPX and HWP 5.0 -------------------------------------------------------------------------


def test_hwpx_sections_tables_and_metadata():
    doc = read("hwpx/SimpleTable.hwpx")
    assert "\t" in doc.text  # table cells
    notice = read("hwpx/mpm_recruitment_notice.hwpx")
    assert len(notice.text) > 500 and "인사혁신처" in notice.text
    assert read("hwpx/seoul_sihaengmun.hwpx").metadata["sections"] == 1


def test_hwp5_body_records_and_summary_information():
    doc = read("hwp/nts_010000000000073971.hwp")
    assert "법규양도2008-0091" in doc.text
    assert "「소득세법」제88조에서 규정하는 양도에 해당함" in doc.text
    assert doc.metadata["version"] == "5.0.1.6" and doc.metadata["created"].startswith("2005-09-27")
    titled = read("hwp/nts_010000000000149440.hwp")
    assert (
        titled.metadata["title"] == "유류매출인지 운송대행인지 여부"
    )  # from HwpSummaryInformation
    assert titled.metadata["author"] == "심사2과"
    assert "증여목적으로 자녀 명의의 예금계좌에" in titled.text


def test_para_text_control_characters():
    # 'A', tab (8 units), 'B', a field start (8 units), 'C', line break (1 unit)
    units = [ord("A"), 9, 0, 0, 0, 0, 0, 0, 9, ord("B"), 3, 0, 0, 0, 0, 0, 0, 3, ord("C"), 10]
    payload = b"".join(u.to_bytes(2, "little") for u in units)
    assert para_text(payload) == "A\tBC\n"


def test_hwp5_password_and_distribution_flags():
    import io

    import olefile

    data = bytearray(corpus_file("hwp/test.hwp").read_bytes())
    with olefile.OleFileIO(io.BytesIO(bytes(data)), write_mode=False) as ole:
        header = ole.openstream("FileHeader").read()
    offset = bytes(data).find(header[:36])
    for bit, message in ((2, "password-protected"), (4, "distribution")):
        patched = bytearray(data)
        props = int.from_bytes(patched[offset + 36 : offset + 40], "little") | bit
        patched[offset + 36 : offset + 40] = props.to_bytes(4, "little")
        with pytest.raises(EncryptedDocument, match=message):
            read_hwp(bytes(patched), "x.hwp")


@pytest.mark.parametrize(
    "stem",
    [
        "hwp5_01",
        "table_19_public_document_multi_page_composite",
        "table_20_real_world_ministry_style",
    ],
)
def test_same_content_as_hwp_and_hwpx_agrees(stem):
    hwp = read_hwp(corpus_file(f"pairs/{stem}.hwp").read_bytes())
    hwpx = read_hwpx(corpus_file(f"pairs/{stem}.hwpx").read_bytes())
    squash = lambda text: re.sub(r"\s+", "", text)  # noqa: E731 - layout whitespace differs (cells: tabs vs lines)
    assert squash(hwp.text) == squash(hwpx.text) and squash(hwp.text)
    assert [w for w in hwp.text.split()] == [w for w in hwpx.text.split()]


# -- text -----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "cp949", "utf-16", "utf-8-sig"])
def test_text_encodings(encoding):
    doc = read_text("연구용역 최종보고서\n서울시 교통".encode(encoding))
    assert doc.title == "연구용역 최종보고서" and "서울시 교통" in doc.text


def test_text_empty_and_unknown_encoding():
    with pytest.raises(EmptyDocument):
        read_text(b"   \n\n")
    with pytest.raises(CorruptDocument, match="unknown encoding"):
        read_text(b"\x81\x20\xff\xfe\x00abc"[1:] + b"\xff")


def test_whole_corpus_never_crashes():
    if not CORPUS.exists():
        pytest.skip("../shared/corpus is absent")
    from seoulrec.errors import ReaderError

    outcomes = {}
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix != ".md"):
        data = path.read_bytes()
        fmt = identify(data, path.name)
        try:
            if fmt.startswith("manifest"):
                from seoulrec.inputs.formats.manifest import read_manifest

                read_manifest(data)
            else:
                extract(data, path.name, fmt)
            outcomes[path.name] = "ok"
        except ReaderError as exc:
            outcomes[path.name] = exc.outcome
    failures = {name: outcome for name, outcome in outcomes.items() if outcome != "ok"}
    assert failures == {
        "bad-source.hwp": "corrupt",
        "drm_wrapped_010000000000146096.hwp": "drm_protected",
        "html_stub_010000000000585068.hwp": "unsupported_format",
        "libreoffice-writer-password.pdf": "encrypted",
        "unreadablemetadata.pdf": "corrupt",
    }
    assert len(outcomes) >= 39


def test_hwpx_nested_table_in_a_cell_keeps_reading_order():
    from seoulrec.run.demo import zip_bytes

    hp = "http://www.hancom.co.kr/hwpml/2011/paragraph"

    def p(text):
        return f"<hp:p><hp:run><hp:t>{text}</hp:t></hp:run></hp:p>"

    def tbl(rows):
        return (
            "<hp:tbl>"
            + "".join(
                "<hp:tr>"
                + "".join(f"<hp:tc><hp:subList>{c}</hp:subList></hp:tc>" for c in row)
                + "</hp:tr>"
                for row in rows
            )
            + "</hp:tbl>"
        )

    inner = tbl([[p("안쪽1"), p("안쪽2")]])
    outer = tbl([[p("바깥A"), f"<hp:p><hp:run><hp:t>셀B</hp:t>{inner}</hp:run></hp:p>"]])
    section = f'<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section" xmlns:hp="{hp}">{p("앞 문단")}<hp:p><hp:run>{outer}</hp:run></hp:p>{p("뒤 문단")}</hs:sec>'
    doc = read_hwpx(
        zip_bytes({"mimetype": b"application/hwp+zip", "Contents/section0.xml": section.encode()})
    )
    assert doc.text.splitlines() == ["앞 문단", "바깥A\t셀B", "안쪽1\t안쪽2", "뒤 문단"]


def test_a_docx_bomb_of_many_members_under_the_member_limit_is_refused():
    """40 members of about 8 MiB each (every one under the per-member checks) in a few hundred
    KiB: the whole archive's expansion and ratio are limited too."""
    import io
    import zipfile

    from seoulrec.errors import UnsafeInput

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        zf.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>',
        )
        for i in range(40):
            zf.writestr(f"word/media/pad{i}.xml", b"<a>" + b" " * (8 * 2**20 - 16) + b"</a>")
    data = buffer.getvalue()
    assert len(data) < 600 * 1024
    with pytest.raises(UnsafeInput, match="zip bomb"):
        extract(data, "bomb.docx", identify(data, "bomb.docx"))


def test_a_truncated_hwp_is_corrupt_not_unsupported():
    data = read_bytes = (CORPUS / "pairs/hwp5_01.hwp").read_bytes() if CORPUS.exists() else None
    if read_bytes is None:
        pytest.skip("../shared/corpus is absent")
    for cut in (len(data) // 2, 4096):
        truncated = data[:cut]
        with pytest.raises(CorruptDocument, match="truncated"):
            extract(truncated, "cut.hwp", identify(truncated, "cut.hwp"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=0xFFFF), max_size=60), st.booleans())
def test_hwp_paragraphs_decode_the_same_in_one_call_as_unit_by_unit(units, odd):
    """The one-call decoding of a paragraph without eight-unit controls gives what reading it
    unit by unit gives (surrogates, one-unit controls, an odd trailing byte)."""
    import struct

    from seoulrec.inputs.formats.documents import _para_text_by_unit, para_text

    payload = struct.pack(f"<{len(units)}H", *units) + (b"A" if odd else b"")
    assert para_text(payload) == _para_text_by_unit(payload)
