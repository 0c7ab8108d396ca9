"""Original files on the portal (issue 23), offered beside the masked text only when it is safe.

A record's originals are offered only when its decision publishes the original in full (공개;
never 부분공개 or a withheld record), and neither its title and text nor the file's own text
hold an identifier the masker finds. Then:

- a material (PDF, DOCX, HWPX) is its own file; a pubdoc's attachments in a package folder are
  theirs; each is read again from where it was ingested and must have the digest the catalog
  recorded (a file changed or gone since is not offered);
- document properties that can name people are removed from the published copy: PDF Author and
  Creator and its XMP packet (the file is rewritten by pypdf, pages untouched), DOCX
  ``docProps/core.xml`` creator and last-modified-by, HWPX ``content.hpf`` creator and
  last-saved-by (the other ZIP members are copied unchanged). HWP summary information cannot be
  rewritten here, so HWP files are not offered;
- the published copy is read again with seoulrec's own reader and masked: if its text holds an
  identifier, or a removed property is still there, it is not offered (leak scan of the
  originals themselves).

Everything not offered says why, in a sentence the record page shows.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("pdf", "docx", "hwpx")
_CORE = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_OPF = "{http://www.idpf.org/2007/opf/}"


@dataclass
class Copy:
    """What goes into the bundle for one original, or why nothing does."""

    name: str
    data: bytes | None = None
    removed: list[str] = field(default_factory=list)
    why_not: str = ""


def _pdf(data: bytes) -> tuple[bytes, list[str]]:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    info = dict(reader.metadata or {})
    removed = [k.lstrip("/") for k in ("/Author", "/Creator") if info.get(k)]
    xmp = "/Metadata" in reader.root_object
    if not removed and not xmp:
        return data, []
    writer = PdfWriter(clone_from=reader)
    writer.metadata = {k: v for k, v in info.items() if k not in ("/Author", "/Creator")}
    if xmp:
        del writer.root_object["/Metadata"]
        removed.append("XMP")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), removed


def _zip_member(data: bytes, member: str, clear) -> tuple[bytes, list[str]]:
    """``data`` with ``member`` rewritten by ``clear`` (lxml root -> names cleared); every other
    member copied as it was, in the same order and compression."""
    from lxml import etree

    source = zipfile.ZipFile(io.BytesIO(data))
    if member not in source.namelist():
        return data, []
    root = etree.fromstring(source.read(member), etree.XMLParser(resolve_entities=False))
    removed = clear(root)
    if not removed:
        return data, []
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = (
                etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
                if item.filename == member
                else source.read(item.filename)
            )
            target.writestr(item, body, compress_type=item.compress_type)
    return out.getvalue(), removed


def _clear_core(root) -> list[str]:
    removed = []
    for tag, name in ((f"{_DC}creator", "creator"), (f"{_CORE}lastModifiedBy", "lastModifiedBy")):
        for el in root.iter(tag):
            if (el.text or "").strip():
                el.text = ""
                removed.append(name)
    return removed


def _clear_hpf(root) -> list[str]:
    removed = []
    for el in root.iter(f"{_OPF}meta"):
        if el.get("name") in ("creator", "lastsaveby") and (el.text or "").strip():
            el.text = ""
            removed.append(el.get("name"))
    return removed


def published_copy(data: bytes, fmt: str) -> tuple[bytes, list[str]]:
    """The bytes to publish for a file of format ``fmt`` and the properties removed."""
    if fmt == "pdf":
        return _pdf(data)
    if fmt == "docx":
        return _zip_member(data, "docProps/core.xml", _clear_core)
    return _zip_member(data, "Contents/content.hpf", _clear_hpf)


def _people_left(data: bytes, fmt: str) -> bool:
    """Whether a published copy still carries a property that can name a person."""
    if fmt == "pdf":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        info: dict = dict(reader.metadata or {})
        return bool(info.get("/Author") or info.get("/Creator")) or (
            "/Metadata" in reader.root_object
        )
    _, removed = published_copy(data, fmt)
    return bool(removed)


def offer(name: str, path: Path | None, sha256: str | None, fmt: str, masker) -> Copy:
    """The published copy of one original file (see the module docstring), or why not."""
    from seoulrec.errors import SeoulrecError
    from seoulrec.inputs.formats.registry import extract

    if fmt == "hwp" or "hwp5" in fmt:
        return Copy(
            name,
            why_not="HWP 파일은 작성자 정보(문서 요약 정보)를 지울 수 없어 원본 대신 가린 본문만 제공합니다.",
        )
    if fmt not in FORMATS:
        return Copy(name, why_not="이 형식의 파일은 원본을 제공하지 않습니다.")
    try:
        data = path.read_bytes() if path is not None else None
    except OSError:
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != sha256:
        return Copy(
            name, why_not="원본 파일이 수집 당시와 달라졌거나 없어 원본을 제공하지 않습니다."
        )
    try:
        copy, removed = published_copy(data, fmt)
        # Read again what would be published: its text and its properties.
        text = extract(copy, name, fmt).text
        if masker.mask(text)[1] or _people_left(copy, fmt):
            return Copy(name, why_not="원본 파일에 개인정보가 있어 가린 본문만 제공합니다.")
    except (SeoulrecError, ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        return Copy(
            name, why_not=f"원본 파일을 다시 읽지 못해 제공하지 않습니다 ({type(exc).__name__})."
        )
    except Exception:  # noqa: BLE001 - a third-party reader failing: withhold, never publish
        return Copy(name, why_not="원본 파일을 다시 읽지 못해 제공하지 않습니다.")
    return Copy(name, copy, removed)
