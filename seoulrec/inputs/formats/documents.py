"""Readers of unstructured materials (비정형문서): text, PDF, DOCX, HWP 5.0.

Each is a pure function ``(bytes, name) -> Extracted``; ``READERS`` maps identified formats
to them for ``formats.registry``.
"""

from __future__ import annotations

import io
import re
import struct
import zlib

from seoulrec.text import decode_text
from seoulrec.errors import CorruptDocument, EmptyDocument
from seoulrec.model import Extracted
from seoulrec.inputs.formats.titles import choose_title


def read_text(data: bytes, name: str = "text.txt") -> Extracted:
    text, encoding = decode_text(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EmptyDocument(f"{name}: no text")
    title, where = choose_title(text, file_stem=_stem(name))
    return Extracted(
        format="text",
        text=text.strip(),
        title=title,
        metadata={"encoding": encoding, "title_source": where},
    )


READERS = {"text": read_text}


# -- HWP 5.0 ------------------------------------------------------------------------------

HWPTAG_PARA_HEADER = 66
HWPTAG_PARA_TEXT = 67
#: Control characters that occupy one code unit; all others below 32 occupy eight.
CHAR_CONTROLS = {0, 10, 13, 24, 25, 26, 27, 28, 29, 30, 31}
MAX_SECTION_BYTES = 256 * 2**20


def _inflate(data: bytes, name: str) -> bytes:
    d = zlib.decompressobj(-15)
    try:
        out = d.decompress(data, MAX_SECTION_BYTES)
    except zlib.error as exc:
        raise CorruptDocument(f"{name}: a compressed HWP stream is damaged ({exc})") from None
    if d.unconsumed_tail:
        from seoulrec.errors import TooLarge

        raise TooLarge(f"{name}: a body section expands beyond {MAX_SECTION_BYTES // 2**20} MiB")
    return out


def hwp_records(stream: bytes):
    """Yield (tag, level, payload) from an HWP record stream."""
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        (header,) = struct.unpack_from("<I", stream, pos)
        pos += 4
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, (header >> 20) & 0xFFF
        if size == 0xFFF:
            if pos + 4 > end:
                break
            (size,) = struct.unpack_from("<I", stream, pos)
            pos += 4
        yield tag, level, stream[pos : pos + size]
        pos += size


#: Units below 32 that are not one-unit controls: inline and extended controls, eight units
#: long (a tab among them); a paragraph without any is decoded in one call.
_EIGHT_UNIT = re.compile("[" + "".join(chr(c) for c in range(32) if c not in CHAR_CONTROLS) + "]")
_ONE_UNIT = {c: {10: "\n", 30: " ", 31: " ", 24: "-"}.get(c) for c in CHAR_CONTROLS}


def para_text(payload: bytes) -> str:
    """Decode HWPTAG_PARA_TEXT: UTF-16LE with one- and eight-unit control characters."""
    text = payload[: len(payload) // 2 * 2].decode("utf-16-le", "replace")
    if not _EIGHT_UNIT.search(text):
        # Most paragraphs: text and one-unit controls only (a paragraph ends in 13).
        return text.translate(_ONE_UNIT)
    return _para_text_by_unit(payload)


def _para_text_by_unit(payload: bytes) -> str:
    """``para_text`` unit by unit, skipping the eight units of each inline or extended control."""
    units = struct.unpack(f"<{len(payload) // 2}H", payload[: len(payload) // 2 * 2])
    out: list[str] = []
    i, n = 0, len(units)
    while i < n:
        ch = units[i]
        if ch >= 32:
            out.append(chr(ch))
            i += 1
            continue
        if ch in CHAR_CONTROLS:
            if ch == 10:
                out.append("\n")
            elif ch in (30, 31):
                out.append(" ")
            elif ch == 24:
                out.append("-")
            i += 1
            continue
        if ch == 9:
            out.append("\t")
        i += 8
    text = "".join(out)
    # Surrogate pairs arrive as two units; rejoin them.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def read_hwp(data: bytes, name: str = "document.hwp") -> Extracted:
    """HWP 5.0: every BodyText section parsed record by record, and HwpSummaryInformation."""
    import olefile

    from seoulrec.errors import EncryptedDocument

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:
        raise CorruptDocument(f"{name}: not a readable OLE compound file ({exc})") from None
    with ole:
        if not ole.exists("FileHeader"):
            raise CorruptDocument(f"{name}: OLE file without an HWP FileHeader")
        header = ole.openstream("FileHeader").read(256)
        if not header.startswith(b"HWP Document File") or len(header) < 40:
            raise CorruptDocument(f"{name}: the FileHeader signature is not HWP 5.0")
        version = ".".join(str(b) for b in reversed(header[32:36]))
        (props,) = struct.unpack_from("<I", header, 36)
        compressed, password, distribution = bool(props & 1), bool(props & 2), bool(props & 4)
        if password:
            raise EncryptedDocument(f"{name}: the HWP document is password-protected")
        sections = sorted(
            (int(entry[1][7:]), entry)
            for entry in ole.listdir()
            if len(entry) == 2
            and entry[0] == "BodyText"
            and entry[1].startswith("Section")
            and entry[1][7:].isdigit()
        )
        if distribution or (not sections and ole.exists("ViewText")):
            raise EncryptedDocument(
                f"{name}: a distribution document (배포용): its body is encrypted in ViewText"
            )
        if not sections:
            raise CorruptDocument(f"{name}: no BodyText sections")
        lines: list[str] = []
        for _, entry in sections:
            raw = ole.openstream(entry).read()
            stream = _inflate(raw, name) if compressed else raw
            for tag, _level, payload in hwp_records(stream):
                if tag == HWPTAG_PARA_TEXT:
                    text = para_text(payload).strip("\r")
                    if text.strip():
                        lines.append(text.rstrip())
        metadata = {"version": version, "compressed": compressed, "sections": len(sections)}
        if ole.exists("\x05HwpSummaryInformation"):
            try:
                props = ole.getproperties("\x05HwpSummaryInformation", convert_time=True)
            except Exception:
                props = {}
            for pid, key in (
                (2, "title"),
                (3, "subject"),
                (4, "author"),
                (5, "keywords"),
                (6, "comments"),
                (8, "last_saved_by"),
                (12, "created"),
                (13, "modified"),
            ):
                value = props.get(pid)
                if value not in (None, "", b""):
                    if isinstance(value, bytes):
                        value = value.decode("utf-16-le", "ignore")
                    metadata[key] = (
                        value.split("\x00")[0].strip()
                        if isinstance(value, str)
                        else (value.isoformat() if hasattr(value, "isoformat") else value)
                    )
    text = "\n".join(lines)
    result = Extracted(format="hwp5", text=text, metadata=metadata)
    from seoulrec.inputs.formats.foot import apply_foot

    apply_foot(result)
    if not result.title:
        result.title, metadata["title_source"] = choose_title(
            text, str(metadata.get("title") or ""), file_stem=_stem(name)
        )
    return result


READERS["ole_hwp5"] = read_hwp


# -- PDF ----------------------------------------------------------------------------------


def _stem(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base else base


def _largest_text(textpage, limit: int = 4000) -> str:
    """The first page's headline: the text set in its largest sizes (the top two tiers when the
    largest alone is a word or two, as in "검 토 보 고" above a bill's name), in reading order;
    empty when no text stands out from the body size."""
    import statistics

    import pypdfium2.raw as pdfium_c

    count = min(pdfium_c.FPDFText_CountChars(textpage.raw), limit)
    chars = [
        (
            chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)),
            pdfium_c.FPDFText_GetFontSize(textpage.raw, i),
        )
        for i in range(count)
    ]
    sizes = [size for char, size in chars if char.strip()]
    if not sizes:
        return ""
    body = statistics.median(sizes)
    tiers = sorted({round(s) for s in sizes if s >= body * 1.1}, reverse=True)
    if not tiers:
        return ""

    def text_at(floor: float) -> str:
        runs, run = [], []
        for char, size in chars:
            if char.strip() and size >= floor:
                run.append(char)
            elif not char.strip() and run:
                run.append(" ")
            elif run:
                runs.append("".join(run))
                run = []
        if run:
            runs.append("".join(run))
        return " ".join(" ".join(r.split()) for r in runs if r.strip())

    found = text_at(tiers[0] - 0.5)
    if len(found.replace(" ", "")) < 6 and len(tiers) > 1:
        found = text_at(tiers[1] - 0.5)
    return found


def read_pdf(data: bytes, name: str = "document.pdf") -> Extracted:
    """PDF: text per page, document info and embedded files with pypdfium2 (fast, keeps Korean
    word spacing); XMP from the packet in the file, pypdf for compressed metadata streams.
    PDFium opens encrypted files with the empty user password; otherwise ``encrypted``."""
    import pypdfium2 as pdfium

    from seoulrec.errors import EncryptedDocument

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedDocument(f"{name}: the PDF needs a password to open") from None
        raise CorruptDocument(f"{name}: PDFium cannot open it ({exc})") from None
    warnings: list[str] = []
    pages: list[str] = []
    largest = ""
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                try:
                    pages.append(
                        textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
                    )
                    if index == 0:
                        largest = _largest_text(textpage)
                finally:
                    textpage.close()
            except pdfium.PdfiumError as exc:
                warnings.append(f"page {index + 1}: text not extractable ({exc})")
                pages.append("")
            finally:
                page.close()
        try:
            info = {k: v for k, v in pdf.get_metadata_dict(skip_empty=True).items()}
        except Exception as exc:  # damaged Info dictionaries are common
            info = {}
            warnings.append(f"document info unreadable ({type(exc).__name__})")
        metadata: dict = {"info": info, "pages": len(pages)}
        metadata.update(_pdf_extras(data, pdf, warnings))
    finally:
        pdf.close()
    text = "\f".join(pages).strip()
    if not text:
        warnings.append("no text layer (scanned images?): OCR is needed to search it")
    title, metadata["title_source"] = choose_title(
        text,
        str(info.get("Title") or metadata.get("xmp", {}).get("title") or ""),
        largest,
        _stem(name),
    )
    return Extracted(
        format="pdf", text=text, title=title, pages=len(pages), metadata=metadata, warnings=warnings
    )


XMP_PACKET = re.compile(rb"<x:xmpmeta\b.*?</x:xmpmeta>", re.S)
XMP_NS = {
    "title": "{http://purl.org/dc/elements/1.1/}title",
    "creator": "{http://purl.org/dc/elements/1.1/}creator",
    "producer": "{http://ns.adobe.com/pdf/1.3/}Producer",
    "creator_tool": "{http://ns.adobe.com/xap/1.0/}CreatorTool",
    "created": "{http://ns.adobe.com/xap/1.0/}CreateDate",
}


def parse_xmp(packet: bytes) -> dict:
    """The useful fields of an XMP packet (element or attribute form)."""
    from lxml import etree

    from seoulrec.inputs.formats.xmlsafe import refuse_entities, safe_parser

    refuse_entities(packet, "XMP metadata")
    root = etree.fromstring(packet, parser=safe_parser())
    found: dict = {"title": "", "creator": [], "producer": "", "creator_tool": "", "created": ""}
    for el in root.iter():
        for key, tag in XMP_NS.items():
            if el.get(tag):
                found[key] = [el.get(tag)] if key == "creator" else el.get(tag)
            if el.tag == tag:
                items = [
                    " ".join("".join(li.itertext()).split())
                    for li in el.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li")
                ]
                value = items if items else [" ".join("".join(el.itertext()).split())]
                found[key] = (
                    [v for v in value if v]
                    if key == "creator"
                    else next((v for v in value if v), "")
                )
    return found


def _pdf_extras(data: bytes, pdf, warnings: list[str]) -> dict:
    """XMP metadata and embedded file names. XMP packets are normally stored uncompressed and
    are read straight from the bytes; pypdf is the fallback for compressed metadata streams."""
    extras: dict = {}
    try:
        count = pdf.count_attachments()
        if count:
            extras["embedded_files"] = sorted(
                pdf.get_attachment(i).get_name() for i in range(count)
            )
    except Exception as exc:
        warnings.append(f"embedded files unreadable ({type(exc).__name__})")
    packets = XMP_PACKET.findall(data)
    if packets:
        try:
            extras["xmp"] = parse_xmp(packets[-1])
        except Exception as exc:
            warnings.append(f"XMP metadata unreadable ({type(exc).__name__})")
    elif b"/Metadata" in data:
        extras.update(_pypdf_xmp(data, warnings))
    return extras


def _pypdf_xmp(data: bytes, warnings: list[str]) -> dict:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        xmp = reader.xmp_metadata
        if xmp is None:
            return {}
        title = xmp.dc_title or {}
        return {
            "xmp": {
                "title": next(iter(title.values()), "")
                if isinstance(title, dict)
                else str(title or ""),
                "creator": list(xmp.dc_creator or []),
                "producer": xmp.pdf_producer or "",
                "creator_tool": xmp.xmp_creator_tool or "",
                "created": str(xmp.xmp_create_date or ""),
            }
        }
    except Exception as exc:
        warnings.append(f"XMP metadata unreadable ({type(exc).__name__})")
        return {}


READERS["pdf"] = read_pdf


# -- DOCX ---------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CORE_FIELDS = {
    "{http://purl.org/dc/elements/1.1/}title": "title",
    "{http://purl.org/dc/elements/1.1/}creator": "author",
    "{http://purl.org/dc/elements/1.1/}subject": "subject",
    "{http://purl.org/dc/elements/1.1/}description": "comments",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords": "keywords",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy": "last_modified_by",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}category": "category",
    "{http://purl.org/dc/terms/}created": "created",
    "{http://purl.org/dc/terms/}modified": "modified",
}


def _docx_paragraph(p) -> str:
    parts: list[str] = []
    for el in p.iter(W + "t", W + "tab", W + "br", W + "cr", W + "noBreakHyphen"):
        tag = el.tag
        if tag == W + "t":
            parts.append(el.text or "")
        elif tag == W + "tab":
            parts.append("\t")
        elif tag in (W + "br", W + "cr"):
            parts.append("\n")
        else:
            parts.append("-")
    return "".join(parts)


def docx_block_lines(container) -> list[str]:
    """Paragraphs and tables of a body, header, footer or note, in document order."""
    lines: list[str] = []
    for child in container:
        if child.tag == W + "p":
            text = _docx_paragraph(child)
            if text.strip():
                lines.append(text.rstrip())
        elif child.tag == W + "tbl":
            for tr in child.findall(W + "tr"):
                cells = []
                for tc in tr.findall(W + "tc"):
                    cells.append(
                        " ".join(line.strip() for line in docx_block_lines(tc) if line.strip())
                    )
                row = "\t".join(cells).rstrip("\t")
                if row.strip():
                    lines.append(row)
        elif child.tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "smartTag"):
            lines.extend(docx_block_lines(child))
    return lines


def read_docx(data: bytes, name: str = "document.docx") -> Extracted:
    """DOCX through lxml directly (measured faster than python-docx, see benchmarks): body
    paragraphs and tables in order, headers and footers, footnotes and endnotes, core properties."""
    from lxml import etree

    from seoulrec.inputs.formats.ziputil import SafeZip

    from seoulrec.inputs.formats.xmlsafe import refuse_entities, safe_parser

    archive = SafeZip(data, name)
    parser = safe_parser()

    def load(member: str):
        part = archive.read(member)
        refuse_entities(part, f"{name}: {member}")
        try:
            return etree.fromstring(part, parser=parser)
        except etree.XMLSyntaxError as exc:
            raise CorruptDocument(f"{name}: {member} is malformed XML ({exc.msg})") from None

    main = archive.find("word/document.xml")
    if main is None:
        raise CorruptDocument(f"{name}: no word/document.xml")
    body = load(main).find(W + "body")
    lines = docx_block_lines(body) if body is not None else []
    metadata: dict = {}
    extra: dict[str, list[str]] = {"headers": [], "footers": [], "footnotes": [], "endnotes": []}
    for member in sorted(archive.names()):
        lower = member.lower()
        if lower.startswith("word/header") and lower.endswith(".xml"):
            extra["headers"].extend(docx_block_lines(load(member)))
        elif lower.startswith("word/footer") and lower.endswith(".xml"):
            extra["footers"].extend(docx_block_lines(load(member)))
        elif lower in ("word/footnotes.xml", "word/endnotes.xml"):
            key = "footnotes" if "foot" in lower else "endnotes"
            for note in load(member):
                if note.get(W + "type") in (
                    "separator",
                    "continuationSeparator",
                    "continuationNotice",
                ):
                    continue
                extra[key].extend(docx_block_lines(note))
    core = archive.find("docprops/core.xml")
    if core:
        for el in load(core):
            key = CORE_FIELDS.get(el.tag)  # type: ignore[assignment]
            if key and (el.text or "").strip():
                metadata[key] = el.text.strip()
    sections = [("\n".join(lines))]
    for key in ("headers", "footers", "footnotes", "endnotes"):
        if extra[key]:
            metadata[key] = len(extra[key])
            sections.append("\n".join(extra[key]))
    text = "\n".join(s for s in sections if s).strip()
    title, metadata["title_source"] = choose_title(
        "\n".join(lines),
        str(metadata.get("title") or ""),
        file_stem=_stem(name),
        running=set(extra["headers"]) | set(extra["footers"]),
    )
    return Extracted(format="docx", text=text, title=title, metadata=metadata)


READERS["docx"] = read_docx
