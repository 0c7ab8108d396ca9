"""Plain text from bytes, as Korean offices write it: a byte-order mark (UTF-8, UTF-16) wins,
then UTF-8, then CP949 (EUC-KR). Used by the readers and by label files alike."""

from __future__ import annotations

import codecs

from seoulrec.errors import CorruptDocument


def decode_text(data: bytes, name: str = "text") -> tuple[str, str]:
    """Decode plain text: a BOM (UTF-8, UTF-16) wins, then UTF-8, then CP949 (EUC-KR)."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), "utf-16" if enc == "utf-16" else "utf-8"
            except UnicodeDecodeError as exc:
                raise CorruptDocument(
                    f"{name}: not valid {enc} despite its byte-order mark ({exc.reason})"
                ) from None
    for enc in ("utf-8", "cp949"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise CorruptDocument(
        f"{name}: text in an unknown encoding (neither UTF-8, UTF-16 nor CP949/EUC-KR)"
    )
