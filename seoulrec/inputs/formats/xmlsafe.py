"""Safe parsing of pubdoc and pack XML without any DTD.

Real pubdoc files declare ``<!DOCTYPE pubdoc SYSTEM "pubdoc.dtd">`` and use XHTML named entities
(``&nbsp;``) that only the external entity files define. We never load a DTD: the DOCTYPE is
dropped, the XHTML names are turned into character references from Python's own HTML 4 /
XHTML 1.0 table, and any document that declares entities of its own (external entities, XXE,
"billion laughs") is refused before the parser sees it.
"""

from __future__ import annotations

import codecs
import re
from html.entities import name2codepoint

from lxml import etree

from seoulrec.errors import CorruptDocument, UnsafeInput

XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)[\"'][^>]*\?>")
XML_DECL_ANY = re.compile(r"^\s*<\?xml[^>]*\?>")
DOCTYPE = re.compile(
    r"<!DOCTYPE\s+[A-Za-z_][\w.:-]*(?:\s+(?:SYSTEM|PUBLIC)(?:\s+(?:\"[^\"]*\"|'[^']*'))+)?\s*(\[.*?\]\s*)?>",
    re.S,
)
ENTITY_DECL = re.compile(r"<!ENTITY", re.I)
ENTITY_REF = re.compile(r"&([A-Za-z_][A-Za-z0-9_.-]*);")
PREDEFINED = {"amp", "lt", "gt", "quot", "apos"}

#: Korean legacy encodings: CP949 is a superset of EUC-KR that real files actually use.
ENCODING_ALIASES = {
    "euc-kr": "cp949",
    "euckr": "cp949",
    "ks_c_5601-1987": "cp949",
    "ksc5601": "cp949",
    "uhc": "cp949",
}


def decode_xml(data: bytes, name: str = "document") -> tuple[str, list[str]]:
    """Decode XML bytes by BOM, then the declared encoding; fall back to UTF-8 / CP949 with a warning."""
    warnings: list[str] = []
    if not data.strip():
        from seoulrec.errors import EmptyDocument

        raise EmptyDocument(f"{name}: the file is empty")
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(enc), warnings
            except UnicodeDecodeError as exc:
                raise CorruptDocument(
                    f"{name}: bytes are not valid {enc} despite the byte-order mark ({exc.reason} at byte {exc.start})"
                ) from None
    # UTF-16 without a byte-order mark, recognised by "<" next to a zero byte (XML 1.0, F.1).
    for start, enc in ((b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be")):
        if data.startswith(start):
            try:
                return data.decode(enc), warnings
            except UnicodeDecodeError as exc:
                raise CorruptDocument(
                    f"{name}: bytes look like {enc} but are not valid ({exc.reason} at byte {exc.start})"
                ) from None
    m = XML_DECL.match(data)
    declared = m.group(1).decode("ascii").lower() if m else "utf-8"
    encoding = ENCODING_ALIASES.get(declared, declared)
    try:
        codecs.lookup(encoding)
    except LookupError:
        warnings.append(f"unknown declared encoding {declared!r}; read as UTF-8/CP949")
        encoding = "utf-8"
    try:
        return data.decode(encoding), warnings
    except UnicodeDecodeError as exc:
        first_error = exc
    for fallback in ("utf-8", "cp949"):
        if fallback == encoding:
            continue
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            continue
        warnings.append(
            f"declared encoding {declared!r} is wrong: the bytes are {fallback}; read as {fallback}"
        )
        return text, warnings
    raise CorruptDocument(
        f"{name}: bytes are neither the declared {declared!r} nor UTF-8/CP949 "
        f"({first_error.reason} at byte {first_error.start}). Re-export the file with a correct encoding."
    )


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)


def prepare(text: str, name: str = "document") -> bytes:
    """Refuse entity declarations, drop the DOCTYPE, resolve XHTML names; return UTF-8 bytes."""
    text = XML_DECL_ANY.sub("", text, count=1)
    # Comments blanked (same length, so positions hold): a decoy "<!-- <!DOCTYPE x> -->" must
    # not hide the real DOCTYPE after it.
    scan = COMMENT.sub(lambda c: " " * len(c.group(0)), text)
    m = DOCTYPE.search(scan)
    if m and ENTITY_DECL.search(scan, m.end(), m.end() + 65536):
        raise UnsafeInput(
            f"{name}: an <!ENTITY declaration after the DOCTYPE (line {_line_of(text, m.end())}); refused unread"
        )
    if m:
        subset = m.group(1) or ""
        if ENTITY_DECL.search(subset):
            kind = (
                "an external entity (XXE)"
                if re.search(r"SYSTEM|PUBLIC", subset)
                else "its own entities (possible entity-expansion bomb)"
            )
            raise UnsafeInput(
                f"{name}: the DOCTYPE declares {kind} at line {_line_of(text, m.start())}; "
                "pubdoc documents never need one, so the file is refused unread"
            )
        text = text[: m.start()] + text[m.end() :]
    elif ENTITY_DECL.search(scan[:65536]):
        raise UnsafeInput(f"{name}: an <!ENTITY declaration outside a DOCTYPE; refused unread")

    def replace(match: re.Match) -> str:
        entity = match.group(1)
        if entity in PREDEFINED:
            return match.group(0)
        codepoint = name2codepoint.get(entity)
        if codepoint is None:
            raise CorruptDocument(
                f"{name}: entity &{entity}; is not defined by the pubdoc DTD "
                f"(line {_line_of(text, match.start())}). Fix the source document."
            )
        return f"&#{codepoint};"

    text = ENTITY_REF.sub(replace, text)
    return text.encode("utf-8")


_ENTITY_MARKS = (b"<!ENTITY", "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be"))


def refuse_entities(data: bytes, name: str) -> None:
    """A part of a DOCX, HWPX or XMP packet that declares entities is an entity bomb or an
    external-entity attack (Office and Hancom never write one): ``unsafe``, refused unparsed."""
    head = data[:65536]
    if any(mark in head for mark in _ENTITY_MARKS):
        raise UnsafeInput(
            f"{name}: declares XML entities (possible entity-expansion bomb or external entity); "
            "refused unparsed"
        )


def safe_parser(**options) -> etree.XMLParser:
    """An lxml parser that never resolves entities, loads a DTD or touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        **options,
    )


_PARSER = safe_parser(remove_comments=True, remove_pis=True)


def parse(data: bytes, name: str = "document") -> tuple[etree._Element, list[str]]:
    """Decode, sanitise and parse XML bytes; raises ReaderError subclasses with clear reasons."""
    text, warnings = decode_xml(data, name)
    prepared = prepare(text, name)
    try:
        root = etree.fromstring(prepared, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise CorruptDocument(f"{name}: malformed XML: {exc.msg} (line {exc.lineno})") from None
    return root, warnings


_LOCAL_NAMES: dict = {}


def local(tag) -> str:
    """An element's name without its namespace ("" for comments and processing instructions);
    a document has few distinct tags, so each is split once (readers ask for every element's)."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
        if len(_LOCAL_NAMES) < 10_000:
            _LOCAL_NAMES[tag] = name
    return name
