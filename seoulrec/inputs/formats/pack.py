"""Transfer envelopes (``pack.dtd``): base64 contents and base64-encoded file names."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from seoulrec.errors import CorruptDocument
from seoulrec.inputs.formats.xmlsafe import local, parse

B64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")


def decode_filename(raw: str) -> str:
    """File names are sometimes base64 of EUC-KR or UTF-8 bytes; decode them when they are."""
    raw = (raw or "").strip()
    if not raw or "." in raw or not B64.match(raw) or len(raw) % 4:
        return raw
    try:
        decoded = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return raw
    for enc in ("utf-8", "cp949"):
        try:
            text = decoded.decode(enc)
        except UnicodeDecodeError:
            continue
        if text.isprintable() and "." in text:
            return text
    return raw


@dataclass
class PackContent:
    header: dict = field(default_factory=dict)
    pubdoc: tuple[str, bytes] | None = None
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    other: list[tuple[str, str]] = field(default_factory=list)  # (role, name) of seals, logos ...


def read_pack(data: bytes, name: str = "pack.xml") -> PackContent:
    """Split a pack envelope into its pubdoc and attachments (bytes decoded from base64)."""
    root, _warnings = parse(data, name)
    if local(root.tag) != "pack":
        raise CorruptDocument(f"{name}: root element is <{local(root.tag)}>, not <pack>")
    result = PackContent()
    header = root.find("header")
    if header is not None:
        for child in header:
            key = local(child.tag)
            result.header[key] = (child.text or "").strip()
            for attr, value in child.attrib.items():
                result.header[f"{key}@{attr}"] = value
    contents = root.findall("contents/content")
    if not contents:
        raise CorruptDocument(f"{name}: the pack envelope has no <contents>")
    for i, content in enumerate(contents, start=1):
        role = (content.get("content-role") or "").strip().lower()
        filename = decode_filename(content.get("filename") or "") or f"content-{i}"
        encoding = (content.get("content-transfer-encoding") or "base64").lower()
        raw = "".join(content.itertext())
        if encoding == "base64":
            try:
                body = base64.b64decode("".join(raw.split()), validate=True)
            except (binascii.Error, ValueError):
                raise CorruptDocument(
                    f"{name}: content {i} ({filename}) is not valid base64"
                ) from None
        else:
            body = raw.encode(content.get("charset") or "utf-8", "replace")
        if role == "pubdoc":
            if result.pubdoc is not None:
                raise CorruptDocument(f'{name}: more than one content has content-role="pubdoc"')
            result.pubdoc = (filename, body)
        elif role in ("attach", "attach_body"):
            result.attachments.append((filename, body))
        else:
            result.other.append((role, filename))
    if result.pubdoc is None:
        raise CorruptDocument(f'{name}: no content with content-role="pubdoc" in the pack envelope')
    return result
