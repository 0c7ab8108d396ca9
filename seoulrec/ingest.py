"""The batch: walk, identify, hash, extract (in worker processes), write, report.

Discovery runs in the parent; each item (a file or a package) is read, hashed and extracted
in a reader process with a time and memory limit (``seoulrec.executors``: a local pebble pool or
a Dask cluster), and the parent writes results in discovery order, whole items in groups
(``seoulrec.writer``). Re-running a batch skips items whose SHA-256 the catalog already holds.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import unicodedata
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .catalog import Catalog
from .writer import clean as _clean
from .writer import shown_path
from .errors import (
    CatalogLocked,
    CorruptDocument,
    ReaderError,
    TooLarge,
    Unreadable,
    UnsafeInput,
    UsageError,
)
from .formats.identify import identify
from .model import ACCEPTED_OUTCOMES, Attachment, Extracted
from .ranks import Ladder, approval_level

from .formats.identify import PUBDOC_NAME

PACKAGE_PRIMARY = (PUBDOC_NAME,)
MAX_FILE_BYTES = 1024 * 1024 * 1024
#: File names never read as records (documented in the README; ``[ingest] ignore`` replaces it).
DEFAULT_IGNORE = (
    "README",
    "README.*",
    "readme.*",
    ".DS_Store",
    "Thumbs.db",
    "desktop.ini",
    "~$*",
    "*.tmp",
    "*.bak",
    ".*",
)


def ignored_name(name: str, patterns) -> bool:
    import fnmatch

    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def read_regular(path: Path, max_bytes: int) -> bytes:
    """Read a regular file without following a symbolic link and without blocking on a FIFO or
    device: those are refused (``unsafe`` for links, ``unreadable`` for the others)."""
    import stat

    # Looked at before it is opened: opening a FIFO, even non-blocking, is seen by whoever
    # holds its other end, and a device may act on an open.
    try:
        before = os.lstat(path)
    except OSError as exc:
        raise Unreadable(f"{shown_path(path.name)}: cannot be read ({exc.strerror})") from None
    if stat.S_ISLNK(before.st_mode):
        raise UnsafeInput(f"{shown_path(path.name)}: a symbolic link; links are never followed")
    if not stat.S_ISREG(before.st_mode):
        raise Unreadable(
            f"{shown_path(path.name)}: not a regular file (FIFO, socket or device); not opened"
        )
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeInput(
                f"{shown_path(path.name)}: a symbolic link; links are never followed"
            ) from None
        raise Unreadable(f"{shown_path(path.name)}: cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable(
                f"{shown_path(path.name)}: not a regular file (FIFO, socket or device); skipped"
            )
        if info.st_size > max_bytes:
            raise TooLarge(
                f"{shown_path(path.name)}: {info.st_size // 2**20} MiB is over the {max_bytes // 2**20} MiB limit"
            )
        return fh.read(info.st_size + 1) if info.st_size else fh.read()


@dataclass(frozen=True)
class Item:
    """One unit of a batch: a standalone file or a package folder."""

    path: str
    kind: str  # "file" | "package_dir"
    size: int = -1  # bytes of a file, as discovery saw it (-1: a folder, or not known)


@dataclass
class IngestOptions:
    jobs: int = 0
    timeout: float = 60.0
    memory_mb: int = 2048
    max_file_mb: int = 1024
    #: The most text one item may bring (its records' and attachments' extracted text, in MiB
    #: of UTF-8). The parent holds an item's text while it writes it; this bounds its memory
    #: (measured: about 4.4x the text at peak). Larger items are refused as too_large.
    max_text_mb: int = 32
    flag_base: int = 1
    ranks: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)  # folder name -> material kind
    material_kind: str | None = None
    material_class: str | None = None  # 공개구분 of unstructured materials (--class)
    dry_run: bool = False
    fail_fast: bool = False
    ignore: tuple[str, ...] = DEFAULT_IGNORE  # file-name patterns never read as records
    # The organ (본청, a district, an affiliated body) an inbox belongs to: its records carry
    # this organ whatever their document says (the document's own organ stays in metadata).
    organ: str | None = None
    organ_code: str | None = None
    wait: float = 3600.0  # seconds to wait for another ingest on the catalog to finish
    executor: str = "local"  # where items are read: "local" (a process pool) or "dask"
    scheduler: str | None = None  # the Dask scheduler, tcp://HOST:PORT

    @classmethod
    def from_config(cls, config, **given) -> "IngestOptions":
        """Options from ``[ingest]`` and ``[ranks]`` of ``seoulrec.toml`` (validated at load),
        with the values given on the command line (None: not given) on top."""
        from .policy import CLASSES

        section = config.section("ingest")
        if given.get("material_class") is not None and given["material_class"] not in CLASSES:
            raise UsageError(
                f"--class must be one of {', '.join(CLASSES)}, not {given['material_class']!r}"
            )
        options = cls(
            jobs=section.get("jobs", 0),
            timeout=float(section.get("timeout", 60)),
            memory_mb=section.get("memory_mb", 2048),
            max_file_mb=section.get("max_file_mb", 1024),
            max_text_mb=section.get("max_text_mb", 32),
            flag_base=section.get("publication_flag_base", 1),
            ranks=config.section("ranks"),
            kinds=section.get("kinds", {}),
            ignore=tuple(section.get("ignore", DEFAULT_IGNORE)),
            wait=float(section.get("wait", 3600)),
            executor=section.get("executor", "local"),
            scheduler=section.get("scheduler"),
        )
        for key, value in given.items():
            if value is not None:
                setattr(options, key, value)
        return options

    def worker_jobs(self) -> int:
        return self.jobs if self.jobs and self.jobs > 0 else (os.cpu_count() or 1)


@dataclass
class BatchReport:
    batch: int | None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[dict] = field(default_factory=list)
    #: Items that failed exactly as before (same path, bytes, outcome): reported, not alarming.
    known_failures: list[dict] = field(default_factory=list)
    incomplete: list[dict] = field(default_factory=list)
    ignored: list[dict] = field(default_factory=list)
    items: int = 0
    dry_run: bool = False
    stopped_early: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


# -- discovery --------------------------------------------------------------------------


def _is_pack_file(path: Path) -> bool:
    if path.suffix.lower() != ".xml":
        return False
    try:
        with open(path, "rb") as fh:
            return identify(fh.read(2048)) == "pack"
    except OSError:
        return False


def is_package_dir(path: Path) -> bool:
    """A folder holding ``pubdoc.xml`` is a package; so is one holding a single pack envelope
    beside its attachments (no subfolders). Several pack envelopes in one folder are each a
    complete package of their own, read as files."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return False
    packs, has_dirs = 0, False
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            has_dirs = True
        elif entry.is_file(follow_symlinks=False):
            if entry.name.lower() in PACKAGE_PRIMARY:
                return True
            if _is_pack_file(Path(entry.path)):
                packs += 1
    return packs == 1 and not has_dirs and len(entries) > 1


def discover(
    paths: Iterable[Path],
    on_skip: Callable[[str, str, str], None] | None = None,
    ignore=DEFAULT_IGNORE,
) -> Iterator[Item]:
    """Yield items in a stable order: files, package folders (found recursively), whole trees.
    Every path given or found is accounted for: what is not an item goes to ``on_skip`` with an
    outcome (links, unreadable folders, FIFOs and devices) or as ``ignored`` (the ignore list)."""
    import stat

    def skip(path, reason: str, message: str) -> None:
        if on_skip:
            on_skip(shown_path(path), reason, message)

    def regular_or_skip(path: Path) -> int | None:
        """The size of a regular file; None (reported) for anything else."""
        try:
            info = os.lstat(path)
        except OSError as exc:
            skip(path, "unreadable", f"cannot be read ({exc.strerror})")
            return None
        if stat.S_ISLNK(info.st_mode):
            skip(path, "unsafe", "symbolic links are not followed")
            return None
        if not stat.S_ISREG(info.st_mode):
            skip(path, "unreadable", "not a regular file (FIFO, socket or device); skipped")
            return None
        return info.st_size

    for raw in paths:
        path = Path(raw)
        if path.is_symlink():
            skip(path, "unsafe", "symbolic links are not followed")
            continue
        if not path.is_dir():
            size = regular_or_skip(path)
            if size is not None:
                yield Item(str(path), "file", size)
            continue
        if not os.access(path, os.R_OK | os.X_OK):
            skip(path, "unreadable", "folder cannot be read (permission denied)")
            continue
        if is_package_dir(path):
            yield Item(str(path), "package_dir")
            continue

        def walk_error(exc: OSError, top: Path = path) -> None:
            skip(exc.filename or top, "unreadable", f"folder cannot be read ({exc.strerror})")

        for root, dirs, files in os.walk(path, followlinks=False, onerror=walk_error):
            dirs.sort()
            root_path = Path(root)
            keep = []
            for d in dirs:
                sub = root_path / d
                if sub.is_symlink():
                    skip(sub, "unsafe", "symbolic links are not followed")
                elif not os.access(sub, os.R_OK | os.X_OK):
                    skip(sub, "unreadable", "folder cannot be read (permission denied)")
                elif is_package_dir(sub):
                    yield Item(str(sub), "package_dir")
                else:
                    keep.append(d)
            dirs[:] = keep
            for name in sorted(files):
                file_path = root_path / name
                if ignored_name(name, ignore) and not file_path.is_symlink():
                    skip(file_path, "ignored", "on the ignore list ([ingest] ignore)")
                    continue
                size = regular_or_skip(file_path)
                if size is not None:
                    yield Item(str(file_path), "file", size)


# -- worker side ----------------------------------------------------------------------------


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name).replace("\\", "/")


def _attachment(name: str, data: bytes) -> Attachment:
    from .formats.registry import extract

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
    from .formats.pack import read_pack
    from .formats.pubdoc import read_pubdoc

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


def _read_file(path: Path, max_bytes: int) -> bytes:
    return read_regular(path, max_bytes)


def _package_members(folder: Path, max_bytes: int) -> tuple[str, bytes, dict[str, bytes]]:
    primary_name, primary = None, None
    members: dict[str, bytes] = {}
    total = 0
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                raise UnsafeInput(f"{rel}: a symbolic link inside the package; refused")
            data = _read_file(path, max_bytes)
            total += len(data)
            if total > max_bytes:
                raise TooLarge(f"{folder.name}: package is over the {max_bytes // 2**20} MiB limit")
            if primary is None and (
                name.lower() in PACKAGE_PRIMARY
                or (path.parent == folder and identify(data[:2048]) == "pack")
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
    from .catalog import public_id

    approvals = []
    for a in extracted.approvals:
        row = asdict(a)
        row["level"] = ladder.level_of(a.position)
        approvals.append(row)
    attachments = [asdict(a) for a in extracted.attachments]
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
    fallback_key: str,
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


def _record_key(extracted: Extracted, fallback: str) -> str:
    if extracted.regnumbercode:
        return f"reg:{extracted.regnumbercode}"
    if extracted.document_number:
        return f"doc:{extracted.document_number}"
    return fallback


MATERIALS_MANIFEST = "materials.csv"
_MATERIALS_CACHE: dict[str, dict[str, dict]] = {}


def materials_manifest(folder: Path) -> dict[str, dict]:
    """``materials.csv`` beside unstructured files: ``file,kind[,title][,class]`` per row. A
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
                from .formats.documents import decode_text

                text, _ = decode_text(data, path.name)
                for row in csv.DictReader(text.splitlines()):
                    name = _nfc((row.get("file") or "").strip())
                    if name:
                        rows[name] = {
                            "kind": (row.get("kind") or "").strip() or None,
                            "title": (row.get("title") or "").strip() or None,
                            "class": (row.get("class") or "").strip() or None,
                        }
        _MATERIALS_CACHE[key] = rows
    return _MATERIALS_CACHE[key]


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
    fallback_key = f"path:{shown_path(path.resolve())}"
    if item.kind == "package_dir":
        primary_name, primary, members = _package_members(path, max_bytes)
        result["sha256"] = sha = _package_sha(primary, members)
        result["format"] = "package"
        if catalog_path and _known(catalog_path, sha, result):
            return
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
    fmt = identify(data, path.name)
    result["format"] = fmt
    if fmt in ("pubdoc", "pack"):
        extracted = build_package(path.name, data, {}, flag_base)
        extracted.metadata.pop("unclaimed", None)
        result["records"].append(
            _approval_record(extracted, fallback_key, sha, item.path, fmt, ladder)
        )
    elif fmt == "package_zip":
        from .formats.ziputil import SafeZip

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
        from .formats.manifest import read_manifest

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
                else _record_key(
                    row, f"row:{shown_path(path.resolve())}:{row.metadata.get('line')}"
                )
            )
            result["records"].append(
                _record(row, key, row_sha, item.path, fmt, ladder, "approval", None)
            )
        if manifest.warnings:
            result["message"] = "; ".join(manifest.warnings[:5])
    else:
        from .formats.registry import extract

        if path.name == MATERIALS_MANIFEST:
            result["format"] = "materials_manifest"  # read beside each material, not a record
            return
        extracted = extract(data, path.name, fmt)
        extracted.metadata["title_source"] = title_source(extracted)
        if not extracted.text.strip():
            extracted.warnings.append("no text extracted")
        is_approval = bool(extracted.document_number and extracted.approvals)
        key = _record_key(extracted, fallback_key) if is_approval else fallback_key
        kind = "approval" if is_approval else "material"
        if not is_approval:
            listed = materials_manifest(path.parent).get(_nfc(path.name), {})
            if listed.get("title"):
                extracted.title, extracted.metadata["title_source"] = listed["title"], "manifest"
            elif not extracted.title:
                extracted.title, extracted.metadata["title_source"] = path.stem, "file_name"
            material_class = options.get("material_class") or listed.get("class")
            if material_class:
                from .policy import CLASSES

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


_KNOWN_DB: dict = {}  # catalog -> a read-only connection, or None (cannot be reached)


def _known(catalog_path: str, sha: str, result: dict) -> bool:
    """Whether the catalog holds this source already (then it is not extracted again). A known
    source whose record still misses attachments is reported incomplete on every run."""
    if catalog_path not in _KNOWN_DB:
        from .pg import PgDatabase, connect, is_url

        try:
            if is_url(catalog_path):
                _KNOWN_DB[catalog_path] = PgDatabase(connect(catalog_path, readonly=True))
            else:
                import sqlite3

                _KNOWN_DB[catalog_path] = sqlite3.connect(
                    f"file:{catalog_path}?mode=ro", uri=True, timeout=30
                )
        except (UsageError, OSError):
            # A reader that cannot see the catalog (a Dask worker without its credentials)
            # reads every item; the parent's writer still tells unchanged ones apart.
            _KNOWN_DB[catalog_path] = None
    conn = _KNOWN_DB[catalog_path]
    if conn is None:
        return False
    if conn.execute("SELECT 1 FROM sources WHERE sha256 = ?", [sha]).fetchone() is None:
        return False
    result["known"] = True
    result["known_incomplete"] = [
        missing
        for (missing,) in conn.execute(
            "SELECT group_concat(a.name, ', ') FROM records r JOIN attachments a ON a.record_id = r.id "
            "WHERE r.sha256 = ? AND r.is_current = 1 AND r.status = 'incomplete' AND a.status = 'missing' GROUP BY r.id",
            [sha],
        )
    ]
    return True


def _init_worker(memory_mb: int, cwd: str | None = None) -> None:
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


# -- parent side ----------------------------------------------------------------------------


def _count(report: BatchReport, result: dict, changes: list[str]) -> None:
    report.items += 1
    if result.get("known"):
        report.unchanged += 1
        return
    path, message = shown_path(result["path"]), _clean(result.get("message") or "")
    if result["outcome"] not in ACCEPTED_OUTCOMES:
        entry = {"path": path, "reason": result["outcome"], "message": message}
        if result.get("known_failure"):
            report.known_failures.append({**entry, "failure": result["known_failure"]})
        else:
            report.failed.append(entry)
        return
    if result["outcome"] == "incomplete":
        report.incomplete.append({"path": path, "reason": "incomplete", "message": message})
    for change in changes:
        setattr(report, change, getattr(report, change) + 1)


def _dry_changes(catalog: Catalog | None, result: dict) -> list[str]:
    changes = []
    for record in result["records"]:
        current = catalog.current_version(record["record_key"]) if catalog else None
        if current and current[2] == record["sha256"]:
            changes.append("unchanged")
        else:
            changes.append("updated" if current else "added")
    return changes


def worker_context():
    """Workers start from a clean fork server, not as forks of this process: the memory limit
    then measures the reader, not whatever the calling process (a test runner, an application
    embedding seoulrec) had mapped, and no state of the caller leaks into a reader."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["seoulrec.ingest", "seoulrec.formats.registry"])
    return context


def _start_batch(catalog: Catalog, paths: list[Path], options: IngestOptions, on_wait) -> int:
    """Open the batch. One ingest at a time per catalog: another one running (the nightly job,
    a colleague) is waited for, up to options.wait seconds, then this one refuses."""
    import time

    batch_options = {
        "paths": [str(p) for p in paths],
        "jobs": options.worker_jobs(),
        "timeout": options.timeout,
        "material_kind": options.material_kind,
    }
    if options.executor != "local":
        batch_options.update(executor=options.executor, scheduler=options.scheduler)
    deadline = time.monotonic() + options.wait
    while True:
        try:
            return catalog.start_batch(batch_options)
        except CatalogLocked as exc:
            if time.monotonic() >= deadline:
                raise
            if on_wait is not None:
                on_wait(str(exc))
                on_wait = None  # said once
            time.sleep(0.5)


def run_batch(
    catalog: Catalog | None,
    paths: list[Path],
    options: IngestOptions,
    on_total: Callable[[int], None] | None = None,
    on_item: Callable[[dict, BatchReport], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> BatchReport:
    """Ingest every item under ``paths``. With ``dry_run`` nothing is written.

    Items are read by the executor (``seoulrec.executors``: the local pool, or Dask) in chunks;
    results are handled in discovery order and written by a ``GroupWriter`` in whole groups."""

    from .executors import make_executor

    missing = [str(p) for p in paths if not Path(p).exists() and not Path(p).is_symlink()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    # The executor is reached (a Dask scheduler answers, its workers see the inputs) before
    # anything is read or the batch opened.
    with make_executor(options, paths) as executor:
        return _run(catalog, paths, options, executor, on_total, on_item, on_wait)


def _run(catalog, paths, options, executor, on_total, on_item, on_wait) -> BatchReport:
    import time

    from .executors import error_result, take_chunk
    from .writer import GroupWriter

    started = time.perf_counter()
    skipped: list[dict] = []
    items = deque(
        discover(
            paths,
            on_skip=lambda p, r, m: skipped.append({"path": p, "reason": r, "message": m}),
            ignore=options.ignore,
        )
    )
    if on_total:
        on_total(len(items) + len(skipped))
    worker_options = {
        "flag_base": options.flag_base,
        "ranks": options.ranks,
        "kinds": options.kinds,
        "material_kind": options.material_kind,
        "material_class": options.material_class,
        "max_file_mb": options.max_file_mb,
        "max_text_mb": options.max_text_mb,
        "organ": options.organ,
        "organ_code": options.organ_code,
    }
    batch_id = None
    if catalog is not None and not options.dry_run:
        batch_id = _start_batch(catalog, paths, options, on_wait)
    report = BatchReport(batch=batch_id, dry_run=options.dry_run)
    catalog_path = None
    if catalog is not None:  # what readers open to skip sources already catalogued
        catalog_path = catalog.reader_location(executor.name == "local")
    stop = False

    def written(result: dict, changes: list[str]) -> None:
        nonlocal stop
        _count(report, result, changes)
        if on_item:
            on_item(result, report)
        if options.fail_fast and result["outcome"] not in ACCEPTED_OUTCOMES:
            stop = True

    writer = (
        GroupWriter(catalog, batch_id, written)
        if catalog is not None and batch_id is not None
        else None
    )

    def handle(result: dict) -> bool:
        """Take one result in discovery order; True when the batch must stop (--fail-fast)."""
        # Files beside a package that its document does not name are items of their own.
        for extra in result.pop("unclaimed", None) or []:
            if ignored_name(Path(extra).name, options.ignore):
                report.ignored.append(
                    {
                        "path": shown_path(extra),
                        "reason": "ignored",
                        "message": "beside a package, not named by it; on the ignore list",
                    }
                )
            else:
                items.append(Item(extra, "file"))
                if on_total:
                    on_total(len(items) + report.items + 1)
        report.ignored.extend(result.pop("ignored", None) or [])
        for missing in result.pop("known_incomplete", None) or []:
            # Still incomplete until its attachment arrives, on every run.
            report.incomplete.append(
                {
                    "path": shown_path(result["path"]),
                    "reason": "incomplete",
                    "message": f"missing attachments: {missing}",
                }
            )
        if writer is None:
            written(result, [] if result.get("known") else _dry_changes(catalog, result))
        else:
            writer.add(result)
            if options.fail_fast and result["outcome"] not in ACCEPTED_OUTCOMES:
                writer.flush()
        return stop

    for skip in skipped:
        if skip["reason"] == "ignored":
            report.ignored.append(skip)
            continue
        result = {
            "path": skip["path"],
            "sha256": None,
            "outcome": skip["reason"],
            "message": skip["message"],
            "records": [],
        }
        if handle(result):
            report.stopped_early = True
            break
    status = "finished"
    try:
        if not report.stopped_early:
            window = executor.slots * 4
            pending: deque = deque()
            try:
                while True:
                    while items and len(pending) < window:
                        chunk = take_chunk(items, executor.slots)
                        pending.append(
                            (chunk, executor.submit(chunk, worker_options, catalog_path))
                        )
                    if not pending:
                        break
                    chunk, future = pending.popleft()
                    if writer is not None and not future.done():
                        # Waiting for a reader: write what is kept once the group is due, so
                        # a slow item does not hold finished ones back (nor a group stay small).
                        if not executor.wait(future, writer.time_left()):
                            writer.flush()
                    try:
                        results = executor.collect(future, chunk)
                    except Exception as exc:  # noqa: BLE001 - timeouts, deaths: per item below
                        if len(chunk) > 1:
                            # Read each item of the chunk on its own, in order: the one at
                            # fault gets its own outcome, the others are read.
                            singles = [
                                ([item], executor.submit([item], worker_options, catalog_path))
                                for item in chunk
                            ]
                            pending.extendleft(reversed(singles))
                            continue
                        results = [error_result(chunk[0], exc, options.timeout)]
                    for item, result in zip(chunk, results):
                        if result.pop("unexpected", False):
                            # A worker can be left broken by an earlier item (a C library after
                            # a MemoryError): read this one again in a fresh process.
                            result = executor.fresh(item, worker_options, catalog_path)
                        if handle(result):
                            report.stopped_early = True
                            break
                    if report.stopped_early:
                        for _, other in pending:
                            other.cancel()
                        executor.stop()
                        break
            except KeyboardInterrupt:
                executor.stop()  # do not wait for items still being read: report what was done
                raise
    except KeyboardInterrupt as exc:
        status = "interrupted"
        exc.report = report  # type: ignore[attr-defined]  # the command prints what was done
        raise
    finally:
        if writer is not None:
            writer.close()
        report.seconds = round(time.perf_counter() - started, 3)
        if batch_id is not None and catalog is not None:
            if report.stopped_early:
                status = "stopped"
            catalog.finish_batch(
                batch_id,
                {
                    "added": report.added,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "failed": len(report.failed),
                },
                status=status,
            )
    return report
