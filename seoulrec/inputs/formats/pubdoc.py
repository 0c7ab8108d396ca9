"""pubdoc XML (``pubdoc.dtd``, PUBLIC "-//KORGOVERN//DTD PUBDOC 2.0//EN"; DOMAIN 3.3)."""

from __future__ import annotations

import re

from lxml import etree

from seoulrec.errors import CorruptDocument
from seoulrec.model import Approval, Extracted
from seoulrec.decide.publication import parse_code, parse_printed
from seoulrec.inputs.formats.xmlsafe import local, parse

BLOCK = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "title",
}
CELL = {"td", "th"}
DATE = re.compile(r"(\d{4})\s*[-.]\s*(\d{1,2})\s*[-.]\s*(\d{1,2})")


def normalize_date(value: str | None) -> str | None:
    """``2010. 3. 5.`` / ``2010-03-05`` / ``20100305`` → ``2010-03-05``; else None."""
    if not value:
        return None
    value = value.strip()
    m = DATE.search(value)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    elif re.fullmatch(r"\d{8}(\d{6})?", value):
        y, mo, d = int(value[:4]), int(value[4:6]), int(value[6:8])
    else:
        return None
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def xhtml_text(element: etree._Element | None) -> str:
    """Text of an XHTML-like subtree: blocks on their own lines, table cells tab-separated."""
    if element is None:
        return ""
    parts: list[str] = []

    def walk(el):
        name = local(el.tag)
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            cname = local(child.tag)
            if cname in CELL:
                parts.append("\t")
            elif cname in BLOCK:
                parts.append("\n")
            if child.tail:
                parts.append(child.tail)
        return name

    walk(element)
    text = "".join(parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \u3000]+", " ", line).strip(" \t") for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _text(el: etree._Element | None, path: str) -> str:
    if el is None:
        return ""
    found = el.find(path)
    if found is None:
        return ""
    return " ".join("".join(found.itertext()).split())


def _approvals(approvalinfo: etree._Element | None) -> list[Approval]:
    chain: list[Approval] = []
    if approvalinfo is None:
        return chain
    for kind in ("approval", "assist"):
        for i, box in enumerate(approvalinfo.findall(kind), start=1):
            order_attr = (box.get("order") or "").strip().lower()
            is_final = kind == "approval" and order_attr == "final"
            order = int(order_attr) if order_attr.isdigit() else i
            chain.append(
                Approval(
                    order=order,
                    position=_text(box, "signposition"),
                    type=_text(box, "type"),
                    name=_text(box, "name"),
                    date=normalize_date(_text(box, "date")),
                    is_final=is_final,
                    kind=kind,
                )
            )
    approvals = [a for a in chain if a.kind == "approval"]
    if approvals and not any(a.is_final for a in approvals):
        approvals[-1].is_final = True
    # "final" boxes sort last: give them the next order number.
    top = max((a.order for a in approvals if not a.is_final), default=0)
    for a in approvals:
        if a.is_final and a.order <= top:
            a.order = top + 1
    return chain


def read_pubdoc(data: bytes, name: str = "pubdoc.xml", flag_base: int = 1) -> Extracted:
    """Read one pubdoc XML document. Raises ReaderError subclasses on bad input."""
    root, warnings = parse(data, name)
    if local(root.tag) != "pubdoc":
        raise CorruptDocument(f"{name}: root element is <{local(root.tag)}>, not <pubdoc>")
    head, body, foot = root.find("head"), root.find("body"), root.find("foot")
    if body is None:
        raise CorruptDocument(f"{name}: <pubdoc> has no <body>")
    result = Extracted(format="pubdoc", warnings=warnings)
    result.organ = _text(head, "organ")
    if head is not None:
        for recipient in head.iterfind("receiptinfo/recipient"):
            text = " ".join("".join(recipient.itertext()).split())
            if text:
                result.recipients.append(text)
    result.title = _text(body, "title")
    result.text = xhtml_text(body.find("content"))
    if foot is not None:
        result.sender_name = _text(foot, "sendername")
        result.approvals = _approvals(foot.find("approvalinfo"))
        regnumber = foot.find("processinfo/regnumber")
        if regnumber is not None:
            result.document_number = " ".join("".join(regnumber.itertext()).split())
            result.regnumbercode = (regnumber.get("regnumbercode") or "").strip()
            if result.regnumbercode and not re.fullmatch(r"\d{13}", result.regnumbercode):
                warnings.append(f"regnumbercode {result.regnumbercode!r} is not 13 digits")
        result.enforcement_date = normalize_date(_text(foot, "processinfo/enforcedate"))
        publication = foot.find("sendinfo/publication")
        if publication is not None:
            code = publication.get("code") or ""
            label = "".join(publication.itertext()).strip()
            parsed = None
            if code:
                parsed = parse_code(code, flag_base=flag_base)
            elif label:
                parsed = parse_printed(label)
            if parsed:
                result.disclosure_class = parsed.disclosure_class
                result.grounds = list(parsed.grounds)
                result.publication_code = parsed.code
        result.department = department_of_number(result.document_number)
    result.attachment_names = [
        " ".join("".join(t.itertext()).split()) for t in root.iterfind("attach/title")
    ]
    result.attachment_names = [n for n in result.attachment_names if n]
    return result


def department_of_number(document_number: str) -> str:
    """The department part of a document number: ``전략주택공급과-13666`` → ``전략주택공급과``."""
    m = re.match(r"^(.+?)[-:]\s*[\d-]+$", document_number or "")
    return m.group(1).strip() if m else ""
