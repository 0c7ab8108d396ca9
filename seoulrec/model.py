"""Plain data: records, approvals, attachments and the outcome vocabulary."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from functools import lru_cache


class Outcome(str, Enum):
    """What happened to one file or package. One vocabulary for every reader and the batch."""

    ok = "ok"
    incomplete = "incomplete"
    encrypted = "encrypted"
    drm_protected = "drm_protected"
    unsupported_format = "unsupported_format"
    corrupt = "corrupt"
    unsafe = "unsafe"
    timeout = "timeout"
    too_large = "too_large"
    empty = "empty"
    unreadable = "unreadable"


#: What a records officer should do about each outcome (rendered in the README and `--help`).
OUTCOME_ADVICE: dict[str, str] = {
    "ok": "Nothing: the file was read and catalogued.",
    "incomplete": "The record is catalogued, but an attachment named in the document is missing; "
    "add the file to the package and re-run ingest.",
    "encrypted": "Ask the producing department for an unprotected copy (password-protected "
    "or distribution 배포용 document).",
    "drm_protected": "Export the file without DRM (e.g. MarkAny Document SAFER) from the source "
    "system and re-run ingest.",
    "unsupported_format": "The format is recognised but not readable (e.g. HWP 3.0, legacy OLE); "
    "convert it to HWPX or PDF and re-ingest.",
    "corrupt": "The file is damaged or not what its content claims; fetch it again from the "
    "source system (text-mode transfers break binary files).",
    "unsafe": "The file tried something dangerous (external entities, entity bombs, paths "
    "outside the package, zip bombs); report it to security, do not open it.",
    "timeout": "Reading took longer than the per-file limit; raise --timeout or inspect the file.",
    "too_large": "The file exceeds the size or memory limit; raise the limit or split the file.",
    "empty": "The file has no content; fetch it again.",
    "unreadable": "The file or folder cannot be read (permissions) or is not a regular file "
    "(FIFO, socket, device); fix its permissions or copy the real file, and re-run ingest.",
}

#: Failures are every outcome but these two.
ACCEPTED_OUTCOMES = frozenset({"ok", "incomplete"})


class ApprovalLevel(str, Enum):
    """The rank of the authority that finally approved a document (결재권자 직급)."""

    mayor = "mayor"
    vice_mayor = "vice_mayor"
    office_head = "office_head"
    director = "director"
    division_head = "division_head"
    team_lead = "team_lead"
    staff = "staff"
    unresolved = "unresolved"


#: Highest first; ``unresolved`` is never compared upward.
LEVEL_ORDER = [
    "mayor",
    "vice_mayor",
    "office_head",
    "director",
    "division_head",
    "team_lead",
    "staff",
]


class DisclosureClass(str, Enum):
    """공개구분: 공개 / 부분공개 / 비공개."""

    public = "public"
    partial = "partial"
    non_public = "non_public"


CLASS_LABELS = {"public": "공개", "partial": "부분공개", "non_public": "비공개"}
LABEL_CLASSES = {v: k for k, v in CLASS_LABELS.items()}


@dataclass
class Approval:
    """One box of the approval chain (결재란) or an assist (협조)."""

    order: int
    position: str
    type: str
    name: str = ""
    date: str | None = None
    is_final: bool = False
    kind: str = "approval"  # "approval" or "assist"


@dataclass
class Attachment:
    name: str
    format: str = "missing"
    size: int | None = None
    sha256: str | None = None
    status: str = "ok"
    message: str = ""
    text: str = ""


@dataclass
class Extracted:
    """What a reader recovers from one document. Pure data: no catalog ids."""

    format: str
    title: str = ""
    text: str = ""
    organ: str = ""
    department: str = ""
    recipients: list[str] = field(default_factory=list)
    sender_name: str = ""
    approvals: list[Approval] = field(default_factory=list)
    document_number: str = ""
    regnumbercode: str = ""
    enforcement_date: str | None = None
    disclosure_class: str | None = None
    grounds: list[int] = field(default_factory=list)
    publication_code: str = ""
    attachment_names: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    pages: int | None = None
    metadata: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: For manifest readers: one Extracted per row.
    rows: list["Extracted"] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=1024)
def _parse_grounds(value: str) -> tuple[int, ...]:
    return tuple(json.loads(value))


def parse_grounds(value: str | None) -> tuple[int, ...]:
    """A stored grounds list (JSON, e.g. ``[5, 6]``); cached, as few distinct values exist."""
    return _parse_grounds(value or "[]")
