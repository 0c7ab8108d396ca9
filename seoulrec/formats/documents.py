"""Readers of unstructured materials (비정형문서): text, PDF, DOCX, HWP 5.0.

Each is a pure function ``(bytes, name) -> Extracted``; ``READERS`` maps identified formats
to them for ``formats.registry``.
"""

from __future__ import annotations

import codecs

from ..errors import CorruptDocument, EmptyDocument
from ..model import Extracted


def decode_text(data: bytes, name: str = "text") -> tuple[str, str]:
    """Decode plain text: a BOM (UTF-8, UTF-16) wins, then UTF-8, then CP949 (EUC-KR)."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), "utf-16" if enc == "utf-16" else "utf-8"
            except UnicodeDecodeError as exc:
                raise CorruptDocument(f"{name}: not valid {enc} despite its byte-order mark ({exc.reason})") from None
    for enc in ("utf-8", "cp949"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise CorruptDocument(f"{name}: text in an unknown encoding (neither UTF-8, UTF-16 nor CP949/EUC-KR)")


def read_text(data: bytes, name: str = "text.txt") -> Extracted:
    text, encoding = decode_text(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise EmptyDocument(f"{name}: no text")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return Extracted(format="text", text=text.strip(), title=first[:200], metadata={"encoding": encoding})


READERS = {"text": read_text}
