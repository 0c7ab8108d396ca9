"""Identify a file's format by its content, never by its extension (DOMAIN 8)."""

from __future__ import annotations

import io
import re
import zipfile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HWP3_MAGIC = b"HWP Document File V3"
DRM_MARKERS = (b"<MARKANY_DOCUMENTSAFER", b"<DOCUMENTSAFER", b"SCDSA00", b"<!-- FASOO")
ROOT_TAG = re.compile(rb"<(?!\?|!)\s*([A-Za-z_][\w.:-]*)")
DOCTYPE_NAME = re.compile(rb"<!DOCTYPE\s+([A-Za-z_][\w.:-]*)")

#: Headers of Seoul's published lists, in both real variants (DOMAIN 6).
MANIFEST_KEYS = {
    "package_id",
    "doc_prdctn_dt",
    "src_dept_doc_no",
    "src_dept_doc_id",
    "nid",
    "othbc_se",
    "othbs_se",
}

#: The primary document of a package folder or ZIP (a pack envelope is found by content).
PUBDOC_NAME = "pubdoc.xml"


def _strip_bom(head: bytes) -> bytes:
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            return head[len(bom) :]
    return head


def identify_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            lower = {n.lower() for n in names}
            if "mimetype" in lower:
                try:
                    mimetype = zf.read(next(n for n in names if n.lower() == "mimetype"))[:64]
                except Exception:
                    mimetype = b""
                if b"hwp+zip" in mimetype:
                    return "hwpx"
            if "contents/content.hpf" in lower or any(
                n.startswith("Contents/section") for n in names
            ):
                return "hwpx"
            if "[content_types].xml" in lower:
                if "word/document.xml" in lower:
                    return "docx"
                return "ooxml"
            if any(n.rsplit("/", 1)[-1].lower() == PUBDOC_NAME for n in names):
                return "package_zip"
            for name in names:
                if name.lower().endswith(".xml"):
                    with zf.open(name) as fh:
                        if identify(fh.read(2048)) == "pack":
                            return "package_zip"
            return "zip"
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return "corrupt_zip"


def _is_text(data: bytes) -> str | None:
    sample = data[:65536]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in sample:
        return None
    for enc in ("utf-8", "cp949"):
        try:
            sample.decode(enc)
            return enc
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the sample's end is still text.
            if exc.start >= len(sample) - 3 and len(data) > len(sample):
                return enc
    return None


def identify(data: bytes, name: str = "") -> str:
    """Return a format name for the bytes.

    One of: ``empty``, ``pdf``, ``hwpx``, ``docx``, ``ooxml``, ``package_zip``, ``zip``,
    ``corrupt_zip``, ``hwp5``, ``ole``, ``hwp3``, ``drm``, ``pubdoc``, ``pack``, ``xml``,
    ``html``, ``manifest_csv``, ``manifest_json``, ``json``, ``text``, ``binary``.
    """
    if not data.strip(b" \t\r\n\x00"):
        return "empty"
    head = data[:4096]
    markup = _utf16_markup(data)
    if markup is not None:
        # XML in UTF-16 (with or without a byte-order mark): identified by its UTF-8 text; the
        # readers decode the whole file the same way (xmlsafe.decode_xml).
        kind = identify(markup)
        if kind in ("pubdoc", "pack", "xml", "html"):
            return kind
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return identify_zip(data)
    if head.startswith(OLE_MAGIC):
        kind = _ole_kind(data)
        return {"hwp": "ole_hwp5", "other": "ole"}.get(kind, "corrupt_ole")
    if b"\x11\xe0\xa1\xb1\x1a" in head[:16] and b"\xef\xbf\xbd" in head[:16]:
        # The OLE signature with bytes replaced by U+FFFD: broken by a text-mode transfer.
        return "corrupt_ole"
    if head.startswith(HWP3_MAGIC):
        return "hwp3"
    stripped = _strip_bom(head).lstrip()
    if stripped.startswith(DRM_MARKERS):
        return "drm"
    lowered = stripped[:512].lower()
    if stripped.startswith(b"<"):
        if lowered.startswith((b"<!doctype html", b"<html", b"<!--", b"<head", b"<body", b"<meta")):
            # An HTML comment or page, or an XML file that starts with a comment.
            doctype = DOCTYPE_NAME.search(head)
            if b"<?xml" not in lowered[:64] and not (
                doctype and doctype.group(1) in (b"pubdoc", b"pack")
            ):
                root = _root_tag(head)
                if root not in (b"pubdoc", b"pack"):
                    return "html"
        doctype = DOCTYPE_NAME.search(head)
        root = doctype.group(1) if doctype else _root_tag(head)
        if root == b"pubdoc":
            return "pubdoc"
        if root == b"pack":
            return "pack"
        if root in (b"html", b"HTML"):
            return "html"
        return "xml"
    if stripped[:1] in (b"{", b"["):
        if _looks_like_manifest(stripped):
            return "manifest_json"
        try:  # text that merely starts with a bracket ("[ 문서번호 ]") is text, not JSON
            import json

            json.loads(_strip_bom(data).decode("utf-8"))
            return "json"
        except ValueError:
            pass
    encoding = _is_text(data)
    if encoding is None:
        return "binary"
    first_line = _strip_bom(data[:2048]).split(b"\n", 1)[0]
    try:
        header = {
            c.strip().strip('"').lower()
            for c in first_line.decode(
                encoding if encoding != "utf-16" else "utf-8", "ignore"
            ).split(",")
        }
    except Exception:
        header = set()
    if len(header & MANIFEST_KEYS) >= 2:
        return "manifest_csv"
    return "text"


def _utf16_markup(data: bytes) -> bytes | None:
    """The start of a UTF-16 file that begins with markup, as UTF-8; None otherwise."""
    import codecs

    head = data[:8192]
    for prefix, enc in (
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if head.startswith(prefix):
            body = head[len(prefix) :] if prefix.startswith((b"\xff", b"\xfe")) else head
            text = body[: len(body) // 2 * 2].decode(enc, "ignore").lstrip()
            return text.encode("utf-8") if text.startswith("<") else None
    return None


def _root_tag(head: bytes) -> bytes | None:
    body = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", head, flags=re.S)
    m = ROOT_TAG.search(body)
    return m.group(1) if m else None


def _looks_like_manifest(head: bytes) -> bool:
    return any(
        key.encode() in head[:4096]
        for key in ("package_id", "doc_prdctn_dt", "src_dept_doc_no", "src_dept_doc_id")
    )


def _ole_kind(data: bytes) -> str:
    """``hwp``, ``other`` (a readable OLE container of another kind: DOC, XLS), or ``broken``:
    the OLE signature on a container that cannot be opened (truncated, damaged)."""
    try:
        import olefile

        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if ole.exists("FileHeader"):
                return (
                    "hwp"
                    if ole.openstream("FileHeader").read(32).startswith(b"HWP Document File")
                    else "broken"
                )
            # Legacy Office files are whole OLE containers of another kind; a container with
            # none of the streams any known format has is a damaged or truncated one.
            known = (
                "WordDocument",
                "Workbook",
                "Book",
                "PowerPoint Document",
                "\x05SummaryInformation",
            )
            return "other" if any(ole.exists(stream) for stream in known) else "broken"
    except Exception:
        return "broken"
