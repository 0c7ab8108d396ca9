"""Reading one item, in a reader process: read, hash and extract a file or a package folder
into records (with their approvals and attachments), as plain data for the parent's writer.
Never raises: every failure is an outcome (``seoulrec.model.Outcome``). ``process_item`` is
what an executor (``seoulrec.inputs.executors``) runs; ``worker_context`` sets up its processes."""

from __future__ import annotations

import hashlib
import json
import os
import unicodedata
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from seoulrec.store.writer import shown_path
from seoulrec.errors import (
    SeoulrecError,
    CorruptDocument,
    ReaderError,
    TooLarge,
    UnsafeInput,
)
from seoulrec.inputs.formats.identify import identify
from seoulrec.model import ACCEPTED_OUTCOMES, Attachment, Extracted
from seoulrec.decide.ranks import Ladder, approval_level

from seoulrec.inputs.discovery import PACKAGE_PRIMARY, Item, read_regular


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name).replace("\\", "/")


def _attachment(name: str, data: bytes) -> Attachment:
    from seoulrec.inputs.formats.registry import extract

    fmt = identify(data, name)
    att = Attachment(name=name, format=fmt, size=len(data), sha256=sha256_bytes(data))
    if fmt == "pubdoc":
        att.status, att.message = "ok", ""
        return att
    try:
        extracted = extract(data, name, fmt)
        att.text = extracted.text
        att.status = "ok"
    except ReaderError as exc:
        att.status, att.message = exc.outcome, str(exc)
    except MemoryError:
        att.status, att.message = "too_large", f"{name}: reading it exceeded the memory limit"
    except Exception as exc:  # a reader bug must not lose the package
        att.status, att.message = "corrupt", f"{name}: {type(exc).__name__}: {exc}"
    return att


def build_package(
    primary_name: str, primary: bytes, members: dict[str, bytes], flag_base: int
) -> Extracted:
    """A pubdoc (or pack envelope) plus the files its ``attach/title`` names."""
    from seoulrec.inputs.formats.pack import read_pack
    from seoulrec.inputs.formats.pubdoc import read_pubdoc

    members = {_nfc(k): v for k, v in members.items()}
    fmt = identify(primary, primary_name)
    header: dict = {}
    enveloped: set[str] = set()  # files the pack envelope itself carries as attachments
    if fmt == "pack":
        pack = read_pack(primary, primary_name)
        header = pack.header
        assert pack.pubdoc is not None  # read_pack refuses an envelope without one
        primary_name, primary = pack.pubdoc
        for name, body in pack.attachments:
            members.setdefault(_nfc(name), body)
            enveloped.add(_nfc(name))
    extracted = read_pubdoc(primary, primary_name, flag_base=flag_base)
    if header:
        extracted.metadata["pack_header"] = header
    by_basename = {k.rsplit("/", 1)[-1]: k for k in members}
    used = {_nfc(primary_name)}
    for name in extracted.attachment_names:
        key = _nfc(name)
        member = key if key in members else by_basename.get(key.rsplit("/", 1)[-1])
        if member is None:
            extracted.attachments.append(
                Attachment(
                    name=name,
                    status="missing",
                    message=f"{name}: named in <attach> but not in the package",
                )
            )
            continue
        used.add(member)
        extracted.attachments.append(_attachment(name, members[member]))
    # A package claims only what its document names (and what its envelope carries): other
    # files beside it are not its attachments; the batch reads them as items of their own.
    unclaimed = []
    for member, body in members.items():
        if member in used or member.rsplit("/", 1)[-1].lower() in PACKAGE_PRIMARY:
            continue
        if member in enveloped:
            att = _attachment(member, body)
            att.message = (
                att.message + " " if att.message else ""
            ) + "(in the envelope, not named in <attach>)"
            extracted.attachments.append(att)
        else:
            unclaimed.append(member)
    extracted.metadata["unclaimed"] = unclaimed
    return extracted


def _read_file(path: "Path | str", max_bytes: int) -> bytes:
    return read_regular(path, max_bytes)


def _package_members(folder: Path, max_bytes: int) -> tuple[str, bytes, dict[str, bytes]]:
    """The package's primary document and its other files by path relative to the folder,
    walked in sorted order with plain strings (a Path per file cost more than reading it)."""
    primary_name, primary = None, None
    members: dict[str, bytes] = {}
    total = 0
    base = os.fspath(folder)
    for root, dirs, files in os.walk(base, followlinks=False):
        dirs.sort()
        at_top = root == base
        prefix = "" if at_top else os.path.relpath(root, base).replace(os.sep, "/") + "/"
        for name in sorted(files):
            path = os.path.join(root, name)
            rel = prefix + name
            if os.path.islink(path):
                raise UnsafeInput(f"{rel}: a symbolic link inside the package; refused")
            data = _read_file(path, max_bytes)
            total += len(data)
            if total > max_bytes:
                raise TooLarge(f"{folder.name}: package is over the {max_bytes // 2**20} MiB limit")
            if primary is None and (
                name.lower() in PACKAGE_PRIMARY or (at_top and identify(data[:2048]) == "pack")
            ):
                primary_name, primary = rel, data
            else:
                members[rel] = data
    if primary is None or primary_name is None:
        raise CorruptDocument(f"{folder}: no pubdoc.xml or pack envelope in the package folder")
    return primary_name, primary, members


def _package_sha(primary: bytes, members: dict[str, bytes]) -> str:
    digest = hashlib.sha256(sha256_bytes(primary).encode())
    for name in sorted(members):
        digest.update(f"\0{_nfc(name)}\0{sha256_bytes(members[name])}".encode())
    return digest.hexdigest()


def _record(
    extracted: Extracted,
    key: str,
    sha: str,
    source: str,
    source_format: str,
    ladder: Ladder,
    kind: str,
    material_kind: str | None,
) -> dict:
    from seoulrec.store.schema import public_id

    approvals = []
    for a in extracted.approvals:
        row = dict(vars(a))  # plain fields: a shallow copy is asdict without its deep copies
        row["level"] = ladder.level_of(a.position)
        approvals.append(row)
    attachments = [dict(vars(a)) for a in extracted.attachments]
    status = "incomplete" if any(a.status == "missing" for a in extracted.attachments) else "ok"
    return {
        "record_key": key,
        "kind": kind,
        "material_kind": material_kind,
        "document_number": extracted.document_number or None,
        "regnumbercode": extracted.regnumbercode or None,
        "title": extracted.title,
        "organ": extracted.organ,
        "department": extracted.department,
        "enforcement_date": extracted.enforcement_date,
        "sender_name": extracted.sender_name,
        "recipients": json.dumps(extracted.recipients, ensure_ascii=False),
        "text": extracted.text,
        "approval_level": approval_level(extracted.approvals, ladder)
        if extracted.approvals
        else "unresolved",
        "disclosure_class": extracted.disclosure_class,
        "grounds": json.dumps(extracted.grounds),
        "publication_code": extracted.publication_code or None,
        "unit_task": extracted.metadata.get("unit_task") or None,
        "source_path": shown_path(source),
        "source_format": source_format,
        "sha256": sha,
        "status": status,
        "pages": extracted.pages,
        "metadata": json.dumps(extracted.metadata, ensure_ascii=False, default=str),
        "public_id": public_id(key, str(extracted.metadata.get("package_id") or "")),
        "writer": extracted.metadata.get("writer")
        or next((a.name for a in extracted.approvals if a.kind == "approval"), ""),
        "retention_period": extracted.metadata.get("retention_period") or "",
        "licence": extracted.metadata.get("licence") or "",
        "warnings": json.dumps(extracted.warnings, ensure_ascii=False),
        "title_source": extracted.metadata.get("title_source") or "document",
        "source_url": extracted.metadata.get("source_url") or None,
        "approvals": approvals,
        "attachments": attachments,
    }


def _approval_record(
    extracted: Extracted,
    fallback_key: Callable[[], str],
    sha: str,
    source: str,
    source_format: str,
    ladder: Ladder,
) -> dict:
    """The record of an approval document (a package, a pubdoc or pack file, a ZIP)."""
    return _record(
        extracted,
        _record_key(extracted, fallback_key),
        sha,
        source,
        source_format,
        ladder,
        "approval",
        None,
    )


def _record_key(extracted: Extracted, fallback: Callable[[], str]) -> str:
    """The document's own key, else ``fallback()`` (worked out only then: it resolves a path)."""
    if extracted.regnumbercode:
        return f"reg:{extracted.regnumbercode}"
    if extracted.document_number:
        return f"doc:{extracted.document_number}"
    return fallback()


def _path_key(path: Path, kind: str = "path", suffix: str = "") -> Callable[[], str]:
    """A record keyed by where its file really is (symbolic links and ``..`` resolved), and for
    a list's row, its line (``suffix``)."""
    return lambda: f"{kind}:{shown_path(path.resolve())}{suffix}"


MATERIALS_MANIFEST = "materials.csv"
_MATERIALS_CACHE: dict[str, dict[str, dict]] = {}


def materials_manifest(folder: Path) -> dict[str, dict]:
    """``materials.csv`` beside unstructured files: ``file,kind[,title][,class][,department]
    [,date]`` per row. A
    symbolic link is never followed (its target could be anything outside the input)."""
    key = str(folder)
    if key not in _MATERIALS_CACHE:
        import csv

        rows: dict[str, dict] = {}
        path = folder / MATERIALS_MANIFEST
        if os.path.lexists(path):
            try:
                data = read_regular(path, 16 * 2**20)
            except ReaderError:
                data = None  # reported as its own item by discovery (a link is `unsafe`)
            if data is not None:
                from seoulrec.text import decode_text

                text, _ = decode_text(data, path.name)
                for row in csv.DictReader(text.splitlines()):
                    name = _nfc((row.get("file") or "").strip())
                    if name:
                        rows[name] = {
                            "kind": (row.get("kind") or "").strip() or None,
                            "title": (row.get("title") or "").strip() or None,
                            "class": (row.get("class") or "").strip() or None,
                            "department": (row.get("department") or "").strip() or None,
                            "date": (row.get("date") or "").strip() or None,
                        }
        _MATERIALS_CACHE[key] = rows
    return _MATERIALS_CACHE[key]


def _material_date(value) -> str | None:
    """``2025-03-04``, ``20250304``, PDF ``D:20250304…`` or an ISO timestamp → ``2025-03-04``."""
    import re

    from seoulrec.inputs.formats.pubdoc import normalize_date

    m = re.search(r"(\d{4})-?(\d{2})-?(\d{2})", str(value or ""))
    return normalize_date(str(value or "")) or (normalize_date("-".join(m.groups())) if m else None)


def _material_kind(path: Path, options: dict) -> str | None:
    """--kind, else the folder's materials.csv, else the [ingest.kinds] folder mapping."""
    if options.get("material_kind"):
        return options["material_kind"]
    listed = materials_manifest(path.parent).get(_nfc(path.name), {})
    if listed.get("kind"):
        return listed["kind"]
    kinds = options.get("kinds") or {}
    for part in reversed(path.parts[:-1]):
        if part in kinds:
            return kinds[part]
    return None


def title_source(extracted: Extracted) -> str:
    """Where a reader's title came from: the document's own properties (``metadata``), or its
    first line (``body``), which must not be published while the original is withheld."""
    if not extracted.title:
        return "none"
    given = extracted.metadata.get("title_source")
    if given:  # the reader chose the title from the document's structure
        return {"field": "document", "metadata": "metadata", "file_name": "file_name"}.get(
            given, "body"
        )
    titles: set[str] = set()
    for key, value in extracted.metadata.items():
        if isinstance(value, dict):
            titles.update(
                str(v).strip() for k, v in value.items() if str(k).lower().endswith("title")
            )
        elif str(key).lower().endswith("title"):
            titles.add(str(value).strip())
    return "metadata" if extracted.title.strip() in titles else "body"


_WORKER_LADDER: Ladder | None = None


def _ladder(options: dict) -> Ladder:
    global _WORKER_LADDER
    if _WORKER_LADDER is None:
        _WORKER_LADDER = Ladder.default(options.get("ranks") or None)
    return _WORKER_LADDER


def damaged_data_errors() -> tuple[type[BaseException], ...]:
    """What libraries raise on bytes they cannot decode (a truncated deflate stream, a broken
    PDF, a short structure): the input is damaged, not seoulrec."""
    import struct
    import zipfile
    import zlib

    errors: list[type[BaseException]] = [zlib.error, struct.error, EOFError, zipfile.BadZipFile]
    try:
        from pypdfium2 import PdfiumError

        errors.append(PdfiumError)
    except ImportError:  # pragma: no cover - pypdfium2 is a dependency
        pass
    try:
        from pypdf.errors import PyPdfError

        errors.append(PyPdfError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


def _refuse_large_text(result: dict, max_text_mb: int, name: str) -> None:
    """An item whose extracted text is over ``max_text_mb`` is refused here, in the reader,
    before its text crosses to the parent (whose memory it would multiply)."""
    limit = max_text_mb * 2**20
    chars = 0
    for record in result["records"]:
        chars += len(record.get("text") or "")
        chars += sum(len(a.get("text") or "") for a in record.get("attachments", []))
    if chars * 3 <= limit:  # UTF-8 takes at most 3 bytes for any character in the BMP
        return
    size = sum(
        len((r.get("text") or "").encode("utf-8", "replace"))
        + sum(
            len((a.get("text") or "").encode("utf-8", "replace")) for a in r.get("attachments", [])
        )
        for r in result["records"]
    )
    if size > limit:
        result["outcome"] = "too_large"
        result["message"] = (
            f"{name}: its extracted text is {size / 2**20:.0f} MiB, over the {max_text_mb} MiB "
            "limit ([ingest] max_text_mb, --max-text-mb); raise it to store the text in full"
        )


def process_item(item: Item, options: dict, catalog_path: str | None) -> dict:
    """Read, hash and extract one item. Runs in a worker; returns plain data, never raises."""
    result: dict = {
        "path": item.path,
        "sha256": None,
        "outcome": "ok",
        "message": "",
        "records": [],
        "known": False,
        "format": None,
    }
    name = Path(item.path).name
    try:
        _process(item, options, catalog_path, result)
    except ReaderError as exc:
        result["outcome"], result["message"] = exc.outcome, str(exc)
    except MemoryError:
        result["outcome"], result["message"] = (
            "too_large",
            f"{name}: reading it exceeded the memory limit",
        )
    except (OSError, UnicodeError) as exc:
        result["outcome"], result["message"] = "corrupt", f"{name}: {exc}"
    except damaged_data_errors() as exc:  # a library met bytes it cannot decode: damaged input
        result["outcome"], result["message"] = (
            "corrupt",
            f"{name}: the data is damaged ({type(exc).__name__}: {exc})",
        )
    except Exception as exc:  # a reader bug: the batch goes on, the item is reported
        result["outcome"], result["message"] = (
            "corrupt",
            f"{name}: unexpected {type(exc).__name__}: {exc}",
        )
        result["unexpected"] = True  # the parent retries it once in a fresh process
    if result["outcome"] in ACCEPTED_OUTCOMES:
        _refuse_large_text(result, int(options.get("max_text_mb", 32)), name)
    if result["outcome"] not in ACCEPTED_OUTCOMES:
        result["records"] = []
    elif any(r["status"] == "incomplete" for r in result["records"]):
        result["outcome"] = "incomplete"
        missing = [
            a["name"]
            for r in result["records"]
            for a in r["attachments"]
            if a["status"] == "missing"
        ]
        result["message"] = "missing attachments: " + ", ".join(missing)
    if options.get("organ"):
        _tag_organ(result, options["organ"], options.get("organ_code"))
    if result["records"]:
        # The search index's terms, here in the reader processes rather than in the writer.
        from seoulrec.store.fulltext import index_row, record_parts

        for record in result["records"]:
            record["fulltext"] = index_row(*record_parts(record))
    return result


def _tag_organ(result: dict, organ: str, organ_code: str | None) -> None:
    """The inbox's organ on every record; the document's own organ stays in metadata."""
    for record in result["records"]:
        meta = json.loads(record.get("metadata") or "{}")
        meta["document_organ"] = record.get("organ")
        meta["organ_code"] = organ_code
        record["metadata"] = json.dumps(meta, ensure_ascii=False, default=str)
        record["organ"] = organ


def _process(item: Item, options: dict, catalog_path: str | None, result: dict) -> None:
    path = Path(item.path)
    max_bytes = int(options.get("max_file_mb", 1024)) * 2**20
    flag_base = options.get("flag_base", 1)
    ladder = _ladder(options)
    if item.kind == "package_dir":
        primary_name, primary, members = _package_members(path, max_bytes)
        result["sha256"] = sha = _package_sha(primary, members)
        result["format"] = "package"
        if catalog_path and _known(catalog_path, sha, result):
            return
        fallback_key = _path_key(path)
        extracted = build_package(primary_name, primary, members, flag_base)
        result["unclaimed"] = [str(path / m) for m in extracted.metadata.pop("unclaimed", [])]
        result["records"].append(
            _approval_record(extracted, fallback_key, sha, item.path, "package", ladder)
        )
        return
    data = _read_file(path, max_bytes)
    result["sha256"] = sha = sha256_bytes(data)
    if catalog_path and _known(catalog_path, sha, result):
        return
    fallback_key = _path_key(path)
    fmt = identify(data, path.name)
    result["format"] = fmt
    if fmt in ("pubdoc", "pack"):
        extracted = build_package(path.name, data, {}, flag_base)
        extracted.metadata.pop("unclaimed", None)
        result["records"].append(
            _approval_record(extracted, fallback_key, sha, item.path, fmt, ladder)
        )
    elif fmt == "package_zip":
        from seoulrec.inputs.formats.ziputil import SafeZip

        archive = SafeZip(data, path.name)
        names = archive.names()
        primary_name = next(
            (n for n in names if n.rsplit("/", 1)[-1].lower() in PACKAGE_PRIMARY), ""
        )
        if not primary_name:
            primary_name = next(
                n
                for n in names
                if n.lower().endswith(".xml") and identify(archive.read(n)[:2048]) == "pack"
            )
        members = {n: archive.read(n) for n in names if n != primary_name}
        extracted = build_package(primary_name, archive.read(primary_name), members, flag_base)
        result["ignored"] = [
            {
                "path": f"{shown_path(item.path)}!{m}",
                "reason": "ignored",
                "message": "in the ZIP but not named by its document",
            }
            for m in extracted.metadata.pop("unclaimed", [])
        ]
        result["records"].append(
            _approval_record(extracted, fallback_key, sha, item.path, fmt, ladder)
        )
    elif fmt in ("manifest_csv", "manifest_json"):
        from seoulrec.inputs.formats.manifest import read_manifest

        manifest = read_manifest(data, path.name)
        for row in manifest.rows:
            row_sha = sha256_bytes(
                json.dumps(asdict(row), sort_keys=True, ensure_ascii=False, default=str).encode()
            )
            # A list row is keyed by its package_id, unique per document in Seoul's lists;
            # its department document number repeats across offices (every fire station has
            # its own 예방과), so it keys only rows that carry no package_id.
            package_id = row.metadata.get("package_id")
            key = (
                f"pkg:{package_id}"
                if package_id
                else _record_key(row, _path_key(path, "row", f":{row.metadata.get('line')}"))
            )
            result["records"].append(
                _record(row, key, row_sha, item.path, fmt, ladder, "approval", None)
            )
        if manifest.warnings:
            result["message"] = "; ".join(manifest.warnings[:5])
    else:
        from seoulrec.inputs.formats.registry import extract

        if path.name == MATERIALS_MANIFEST:
            result["format"] = "materials_manifest"  # read beside each material, not a record
            return
        extracted = extract(data, path.name, fmt)
        extracted.metadata["title_source"] = title_source(extracted)
        if not extracted.text.strip():
            extracted.warnings.append("no text extracted")
        is_approval = bool(extracted.document_number and extracted.approvals)
        key = _record_key(extracted, fallback_key) if is_approval else fallback_key()
        kind = "approval" if is_approval else "material"
        if not is_approval:
            listed = materials_manifest(path.parent).get(_nfc(path.name), {})
            if listed.get("title"):
                extracted.title, extracted.metadata["title_source"] = listed["title"], "manifest"
            elif not extracted.title:
                extracted.title, extracted.metadata["title_source"] = path.stem, "file_name"
            # The department and date a portal shows: the manifest's, else the file's own
            # creation date (PDF, DOCX, HWPX properties), never a guess.
            if listed.get("department"):
                extracted.department = listed["department"]
            if not extracted.enforcement_date:
                meta = extracted.metadata
                extracted.enforcement_date = _material_date(
                    listed.get("date")
                    or meta.get("created")
                    or meta.get("CreatedDate")
                    or (meta.get("info") or {}).get("CreationDate")
                    or (meta.get("xmp") or {}).get("created")
                )
            material_class = options.get("material_class") or listed.get("class")
            if material_class:
                from seoulrec.decide.policy import CLASSES

                if material_class not in CLASSES:
                    raise CorruptDocument(
                        f"materials.csv: class {material_class!r} for {path.name} is not one of {', '.join(CLASSES)}"
                    )
                extracted.disclosure_class = material_class
        result["records"].append(
            _record(
                extracted,
                key,
                sha,
                item.path,
                fmt,
                ladder,
                kind,
                None if is_approval else _material_kind(path, options),
            )
        )


_KNOWN_DB: dict = {}  # catalog -> the catalog opened read-only, or None (cannot be reached)


def _known(catalog_path: str, sha: str, result: dict) -> bool:
    """Whether the catalog holds this source already (then it is not extracted again). A known
    source whose record still misses attachments is reported incomplete on every run."""
    if catalog_path not in _KNOWN_DB:
        import sqlite3

        from seoulrec.store.catalog import Catalog

        try:
            _KNOWN_DB[catalog_path] = Catalog.open(catalog_path, readonly=True)
        except (SeoulrecError, OSError, sqlite3.Error):
            # A reader that cannot see the catalog (a Dask worker without its credentials)
            # reads every item; the parent's writer still tells unchanged ones apart.
            _KNOWN_DB[catalog_path] = None
    catalog = _KNOWN_DB[catalog_path]
    if catalog is None or not catalog.known_source(sha):
        return False
    result["known"] = True
    result["known_incomplete"] = catalog.missing_attachments(sha)
    return True


def init_worker(memory_mb: int, cwd: str | None = None) -> None:
    global _WORKER_LADDER
    _WORKER_LADDER = None
    if cwd and os.path.isdir(cwd):
        os.chdir(cwd)  # a Dask worker's reader resolves relative input paths as the caller does
    if memory_mb and memory_mb > 0:
        try:
            import resource

            limit = memory_mb * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ImportError, ValueError, OSError):
            pass


def worker_context():
    """Workers start from a clean fork server, not as forks of this process: the memory limit
    then measures the reader, not whatever the calling process (a test runner, an application
    embedding seoulrec) had mapped, and no state of the caller leaks into a reader."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["seoulrec.inputs.reading", "seoulrec.inputs.formats.registry"])
    return context
