"""Detection gaps found by an outside attack: a decoy DOCTYPE in a comment before a real one
that declares an external entity; pubdoc XML in UTF-16 (either byte order, with or without a
byte-order mark); library errors on damaged data ("Error -3 while decompressing data",
pdfium) that surfaced as "unexpected" instead of ``corrupt``."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from seoulrec.run.demo import DemoDoc, hwpx_bytes, pubdoc_xml
from seoulrec.inputs.discovery import Item
from seoulrec.inputs.reading import process_item

OPTIONS = {"flag_base": 1, "ranks": {}, "kinds": {}, "max_file_mb": 64}


def outcome(path):
    result = process_item(Item(str(path), "file"), OPTIONS, None)
    return result


@pytest.mark.parametrize(
    "decoy",
    [
        "<!-- <!DOCTYPE pubdoc> -->\n",
        "<!-- <!DOCTYPE pubdoc SYSTEM 'x.dtd'> -->\n<!-- another -->\n",
    ],
)
def test_a_decoy_doctype_in_a_comment_does_not_hide_an_external_entity(tmp_path, decoy):
    path = tmp_path / "decoy.xml"
    path.write_text(
        '<?xml version="1.0"?>\n'
        + decoy
        + '<!DOCTYPE pubdoc [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<pubdoc><head/><body><title>&x;</title></body></pubdoc>',
        "utf-8",
    )
    result = outcome(path)
    assert result["outcome"] == "unsafe", result
    assert result["records"] == []


@pytest.mark.parametrize(
    "encoding,bom",
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
    ],
)
def test_utf16_pubdocs_are_read_as_pubdocs(tmp_path, encoding, bom):
    text = pubdoc_xml(DemoDoc(number=7, title="공공자전거 대여소 확충 계획 알림"), encoding="utf-8")
    text = text.decode("utf-8").replace('encoding="utf-8"', 'encoding="utf-16"')
    path = tmp_path / "pubdoc.xml"
    path.write_bytes(bom + text.encode(encoding))
    result = outcome(path)
    assert result["outcome"] == "ok", result
    assert result["format"] == "pubdoc"
    assert [r["title"] for r in result["records"]] == ["공공자전거 대여소 확충 계획 알림"]


def test_a_damaged_deflate_stream_is_corrupt_not_unexpected(tmp_path):
    good = hwpx_bytes(["본문 " * 400], title="제목")
    zf = zipfile.ZipFile(io.BytesIO(good))
    info = zf.getinfo("Contents/section0.xml")
    data = bytearray(good)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 10, start + 40):
        data[i] ^= 0x5A
    path = tmp_path / "damaged.hwpx"
    path.write_bytes(bytes(data))
    result = outcome(path)
    assert result["outcome"] == "corrupt", result
    assert "unexpected" not in result["message"] and not result.get("unexpected")


def test_a_damaged_pdf_is_corrupt_not_unexpected(tmp_path):
    from seoulrec.inputs.formats.identify import identify

    path = tmp_path / "broken.pdf"
    path.write_bytes(
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + b"\x00" * 64
    )
    assert identify(path.read_bytes()) == "pdf"
    result = outcome(path)
    assert result["outcome"] in ("corrupt", "empty"), result
    assert "unexpected" not in result["message"]
