"""HWPX (OWPML, KS X 6101): every section, nested tables, ``content.hpf`` metadata.

Elements are matched by local name, so both Hancom's 2011 namespaces and the 2024 OWPML ones
work. When the text ends with an approval foot (결문), it is parsed (``foot.parse_foot``).
"""

from __future__ import annotations

import re

from lxml import etree

from seoulrec.errors import CorruptDocument, EncryptedDocument
from seoulrec.model import Extracted
from seoulrec.inputs.formats.foot import apply_foot
from seoulrec.inputs.formats.xmlsafe import local, refuse_entities, safe_parser
from seoulrec.inputs.formats.titles import choose_title
from seoulrec.inputs.formats.ziputil import SafeZip

_PARSER = safe_parser(remove_comments=True)
SECTION = re.compile(r"^Contents/section(\d+)\.xml$", re.I)


def _parse(data: bytes, name: str):
    refuse_entities(data, name)
    try:
        return etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise CorruptDocument(f"{name}: malformed XML ({exc.msg})") from None


def paragraph_lines(root) -> list[str]:
    """Lines of text: one per paragraph, table rows as tab-separated cells."""
    lines: list[str] = []

    def run_text(p) -> tuple[str, list]:
        parts: list[str] = []
        tables: list = []

        def walk(el):
            for child in el:
                name = local(child.tag)
                if name == "t":
                    if child.text:
                        parts.append(child.text)
                    for sub in child:
                        sname = local(sub.tag)
                        if sname == "tab":
                            parts.append("\t")
                        elif sname in ("lineBreak", "br"):
                            parts.append(" ")
                        if sub.tail:
                            parts.append(sub.tail)
                elif name == "tbl":
                    tables.append(child)
                elif name in ("p", "subList"):
                    continue  # text boxes and shapes: handled as nested paragraphs below
                else:
                    walk(child)

        for run in p:
            if local(run.tag) == "run":
                walk(run)
        return "".join(parts), tables

    def table_lines(tbl):
        for tr in tbl:
            if local(tr.tag) != "tr":
                continue
            cells = []
            for tc in tr:
                if local(tc.tag) != "tc":
                    continue
                cell_lines: list[str] = []
                for p in tc.iter("{*}p"):
                    if _nearest_cell(p) is tc:
                        text, tables = run_text(p)
                        if text.strip():
                            cell_lines.append(text.strip())
                        for nested in tables:
                            # A nested table inside a cell becomes lines of its own after the row.
                            nested_rows.append(nested)
                cells.append(" ".join(cell_lines))
            row = "\t".join(cells).rstrip("\t")
            if row.strip():
                lines.append(row)

    nested_rows: list = []

    def emit_paragraphs(container):
        for p in container:
            if local(p.tag) != "p":
                continue
            text, tables = run_text(p)
            if text.strip():
                lines.append(text.rstrip())
            for tbl in tables:
                table_lines(tbl)
                while nested_rows:
                    table_lines(nested_rows.pop(0))
            # Text boxes / drawing objects hold sub-lists of paragraphs too.
            for sub in p.iter("{*}subList"):
                if _nearest_table(sub) is None:
                    emit_paragraphs(sub)

    emit_paragraphs(root)
    return lines


def _nearest_cell(el):
    parent = el.getparent()
    while parent is not None:
        if local(parent.tag) == "tc":
            return parent
        parent = parent.getparent()
    return None


def _nearest_table(el):
    parent = el.getparent()
    while parent is not None:
        if local(parent.tag) == "tbl":
            return parent
        if local(parent.tag) == "p":
            return None
        parent = parent.getparent()
    return None


def hpf_metadata(data: bytes, name: str) -> dict:
    root = _parse(data, name)
    meta: dict = {}
    for el in root.iter():
        lname = local(el.tag)
        if lname == "title" and (el.text or "").strip():
            meta["title"] = el.text.strip()
        elif lname == "language" and el.text:
            meta["language"] = el.text.strip()
        elif lname == "meta" and el.get("name"):
            value = (el.text or "").strip()
            if value:
                meta[el.get("name")] = value
    return meta


def read_hwpx(data: bytes, name: str = "document.hwpx") -> Extracted:
    """Read an HWPX file: text of every section in order, metadata, and the approval foot if any."""
    archive = SafeZip(data, name)
    manifest = archive.find("meta-inf/manifest.xml")
    if manifest and b"encryption" in archive.read(manifest).lower():
        raise EncryptedDocument(f"{name}: the HWPX package is password-encrypted")
    sections = sorted(
        ((int(m.group(1)), n) for n in archive.names() if (m := SECTION.match(n))),
    )
    if not sections:
        raise CorruptDocument(f"{name}: no Contents/section*.xml in the HWPX package")
    lines: list[str] = []
    running: set[str] = set()
    for _, section in sections:
        root = _parse(archive.read(section), f"{name}:{section}")
        lines.extend(paragraph_lines(root))
        for el in root.iter("{*}header", "{*}footer"):
            running.update(t.text.strip() for t in el.iter("{*}t") if t.text and t.text.strip())
    result = Extracted(format="hwpx", text="\n".join(lines))
    hpf = archive.find("contents/content.hpf")
    if hpf:
        result.metadata = hpf_metadata(archive.read(hpf), f"{name}:content.hpf")
    result.metadata["sections"] = len(sections)
    apply_foot(result)
    if not result.title:
        stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        result.title, result.metadata["title_source"] = choose_title(
            result.text, result.metadata.get("title", ""), file_stem=stem, running=running
        )
    return result


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line[:200]
    return ""
