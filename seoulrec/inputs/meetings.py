"""Meetings in the open (회의 공개): a manifest of meetings, their minutes and materials, and the
plan's two deadlines: the outline is announced at least 5 days before the meeting, and the
minutes of a finished meeting are published within 7 days after it.

The manifest is CSV (UTF-8, with or without BOM) or JSON (a list of objects) with these fields:

=============  ============================================================================
id             the meeting's identifier in the manifest (required, unique)
title          회의명 (required)
committee      위원회·회의체
scheduled      date and time, ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM`` (required)
place          장소
status         ``예정``/``scheduled``, ``완료``/``held``, ``취소``/``cancelled`` (default 예정)
announced      the day the outline was announced, ``YYYY-MM-DD``
minutes        the minutes document (회의록), a path relative to the manifest
materials      meeting materials (회의자료), paths separated by ``;``
broadcast      a broadcast link (http or https)
department     부서명
field          분야
organ          기관명
=============  ============================================================================

Minutes and materials are ingested as unstructured materials (회의록, 회의자료) and decided
like any record: the site links them only when their original is public. A row with an
impossible date is reported and skipped; a minutes or material file that does not exist is
reported and the meeting is kept without it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

from seoulrec.store import registers as store
from seoulrec.store.catalog import Catalog, now
from seoulrec.errors import ConfigError

ANNOUNCE_DAYS = 5
MINUTES_DAYS = 7
STATUS = {
    "예정": "scheduled",
    "scheduled": "scheduled",
    "완료": "held",
    "held": "held",
    "종료": "held",
    "취소": "cancelled",
    "cancelled": "cancelled",
    "canceled": "cancelled",
}
STATUS_LABELS = {"scheduled": "예정", "held": "완료", "cancelled": "취소"}
FIELDS = (
    "id",
    "title",
    "committee",
    "scheduled",
    "place",
    "status",
    "announced",
    "minutes",
    "materials",
    "broadcast",
    "department",
    "field",
    "organ",
)


def read_manifest(path: Path) -> list[dict]:
    """The manifest's rows as dicts of text (CSV or JSON, by content)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: a meetings manifest must be UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the meetings manifest ({exc.strerror})") from None
    if text.lstrip().startswith("["):
        try:
            rows = json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"{path}: invalid JSON ({exc})") from None
        except RecursionError:
            raise ConfigError(f"{path}: JSON nested too deeply for a meetings manifest") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ConfigError(f"{path}: a JSON meetings manifest is a list of objects")
    else:
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:  # a field over the csv module's limit (128 KiB), a NUL byte
            raise ConfigError(f"{path}: not a readable CSV meetings manifest ({exc})") from None
    unknown = sorted({k for r in rows for k in r if k not in FIELDS and k is not None})
    if unknown:
        raise ConfigError(
            f"{path}: unknown column(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}"
        )
    return [{k: ("" if v is None else str(v)).strip() for k, v in r.items() if k} for r in rows]


#: Meetings of the open administration fall in these years; outside them a date is a typo
#: (0001-01-01) that would break every later date sum (5 days before, 7 days after).
YEARS = (1948, 2199)


def _when(value: str) -> datetime | None:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed if YEARS[0] <= parsed.year <= YEARS[1] else None
    return None


def inside_folder(folder: Path, value: str) -> tuple[Path | None, str]:
    """A manifest's document path, only inside the manifest's folder: relative, no ``..`` out
    of it, no symbolic link on the way (a manifest must not publish /etc/passwd). Returns the
    path, or None and why it was refused."""
    if not value or "\x00" in value:
        return None, "not a file name"
    given = Path(value)
    if given.is_absolute() or value.startswith(("\\", "~")):
        return None, "an absolute path; name documents relative to the manifest's folder"
    root = folder.resolve()
    path = root
    for part in given.parts:
        if part in ("", "."):
            continue
        if part == "..":
            return None, "it leaves the manifest's folder"
        path = path / part
        if path.is_symlink():
            return None, "a symbolic link; manifests name regular files only"
    if not path.resolve().is_relative_to(root):
        return None, "it leaves the manifest's folder"
    return path, ""


def _row(raw: dict, folder: Path, today: date) -> tuple[dict | None, list[str], list[str]]:
    """A meeting from one manifest row; (meeting, errors that skip it, warnings that keep it)."""
    errors: list[str] = []
    warnings: list[str] = []
    refused: list[str] = []
    if not raw.get("id"):
        errors.append("no id")
    if not raw.get("title"):
        errors.append("no title")
    scheduled = _when(raw.get("scheduled", ""))
    if scheduled is None:
        errors.append(f"scheduled {raw.get('scheduled')!r} is not a date (YYYY-MM-DD [HH:MM])")
    announced = None
    if raw.get("announced"):
        parsed = _when(raw["announced"])
        if parsed is None:
            errors.append(f"announced {raw['announced']!r} is not a date (YYYY-MM-DD)")
        else:
            announced = parsed.date()
    status = STATUS.get(raw.get("status", "").lower() or "예정")
    if status is None:
        errors.append(f"status {raw.get('status')!r} is not one of {', '.join(STATUS)}")
    if scheduled and announced and announced > scheduled.date():
        errors.append(f"announced {announced} after the meeting ({scheduled.date()})")
    if scheduled and status == "held" and scheduled.date() > today:
        errors.append(f"status 완료 for a meeting scheduled in the future ({scheduled.date()})")
    if announced and announced > today:
        errors.append(f"announced {announced} is in the future")
    link = raw.get("broadcast", "")
    if link and not link.startswith(("http://", "https://")):
        errors.append(f"broadcast {link!r} is not an http(s) link")
    if errors:
        return None, errors, warnings

    def document(value: str) -> Path | None:
        path, problem = inside_folder(folder, value)
        if problem:
            refused.append(f"document {value!r} refused: {problem}")
            return None
        assert path is not None
        if not path.is_file():
            warnings.append(f"document {value} does not exist")
            return None
        return path

    minutes = document(raw["minutes"]) if raw.get("minutes") else None
    materials = [
        p
        for p in (document(v.strip()) for v in raw.get("materials", "").split(";") if v.strip())
        if p
    ]
    assert scheduled is not None and status is not None
    return (
        {
            "meeting_id": raw["id"],
            "title": raw["title"],
            "committee": raw.get("committee") or None,
            "scheduled_at": scheduled.strftime("%Y-%m-%d %H:%M"),
            "place": raw.get("place") or None,
            "status": status,
            "announced_on": announced.isoformat() if announced else None,
            "broadcast_url": link or None,
            "department": raw.get("department") or None,
            "field": raw.get("field") or None,
            "organ": raw.get("organ") or None,
            "minutes_path": str(minutes) if minutes else None,
            "materials_paths": [str(p) for p in materials],
            "refused": refused,
        },
        errors,
        warnings,
    )


def import_meetings(catalog: Catalog, manifest: Path, config, today: date | None = None) -> dict:
    """Read the manifest, ingest its minutes and materials, and upsert the meetings."""
    from seoulrec.inputs.ingest import IngestOptions, run_batch
    from seoulrec.inputs.reading import sha256_bytes
    from seoulrec.store.writer import shown_path

    today = today or date.today()
    rows = read_manifest(manifest)
    failures: list[dict] = []
    warnings: list[dict] = []
    meetings: list[dict] = []
    seen: set[str] = set()
    # Rows as a person finds them: CSV counts its header line, JSON counts objects from 1.
    first = 1 if manifest.suffix.lower() == ".json" else 2
    for number, raw in enumerate(rows, start=first):
        meeting, errors, notes = _row(raw, manifest.parent, today)
        if raw.get("id") in seen:
            errors = [f"id {raw.get('id')} appears twice"]
            meeting = None
        seen.add(raw.get("id", ""))
        where = f"{manifest.name} row {number}"
        if meeting is None:
            failures.append({"row": where, "id": raw.get("id"), "errors": errors})
            continue
        warnings += [{"row": where, "id": raw["id"], "warning": n} for n in notes]
        failures += [{"row": where, "id": raw["id"], "errors": [r]} for r in meeting["refused"]]
        meetings.append(meeting)
    # The documents are materials like any other: ingested, decided, published by class.
    documents: dict[str, str] = {}
    for kind, paths in (
        ("회의록", [m["minutes_path"] for m in meetings if m["minutes_path"]]),
        ("회의자료", [p for m in meetings for p in m["materials_paths"]]),
    ):
        unique = sorted(set(paths))
        if unique:
            options = IngestOptions.from_config(config, material_kind=kind)
            batch = run_batch(catalog, [Path(p) for p in unique], options)
            failures += [
                {"row": manifest.name, "document": f["path"], "errors": [f.get("reason", "failed")]}
                for f in batch.failed
            ]
        for path in unique:
            sha = sha256_bytes(Path(path).read_bytes())
            found = store.current_key_of_source(catalog, sha, shown_path(path))
            if found:
                documents[path] = found
    added = updated = unchanged = 0
    stamp = now()
    with catalog.transaction():
        for m in meetings:
            row = {k: v for k, v in m.items() if k not in ("materials_paths", "refused")}
            row["minutes_key"] = documents.get(m["minutes_path"] or "")
            row["materials"] = json.dumps(
                [documents[p] for p in m["materials_paths"] if p in documents], ensure_ascii=False
            )
            row["source"] = str(manifest)
            row["row_hash"] = hashlib.sha256(
                json.dumps(row, sort_keys=True, ensure_ascii=False).encode()
            ).hexdigest()
            old = store.meeting_hash(catalog, m["meeting_id"])
            if old == row["row_hash"]:
                unchanged += 1
                continue
            added, updated = (added, updated + 1) if old else (added + 1, updated)
            store.put_row(catalog, "meetings", dict(row, updated=stamp), "meeting_id")
        if added or updated:
            catalog.audit(
                "meetings.import",
                detail={"manifest": str(manifest), "added": added, "updated": updated},
            )
    return {
        "meetings": len(meetings),
        "added": added,
        "updated": updated,
        "unchanged": unchanged,
        "failures": len(failures),
        "failed": failures,
        "warnings": warnings,
    }


#: Meeting fields a citizen reads; each goes through the masker before publication.
PUBLISHED_TEXT = ("title", "committee", "place", "department", "field", "organ")


def public_meetings(catalog: Catalog, masker) -> list[dict]:
    """``list_meetings`` as the portal publishes it: every text field masked."""
    rows = list_meetings(catalog)
    for m in rows:
        for name in PUBLISHED_TEXT:
            if m.get(name):
                m[name] = masker.mask(m[name])[0]
    return rows


def list_meetings(catalog: Catalog) -> list[dict]:
    """Every meeting with its minutes' and materials' public state (for the site and reports)."""
    rows = store.meetings(catalog)
    for m in rows:
        m["materials"] = json.loads(m["materials"] or "[]")
        m["status_label"] = STATUS_LABELS.get(m["status"], m["status"])
        m["minutes"] = _document(catalog, m["minutes_key"])
        m["material_docs"] = [d for d in (_document(catalog, k) for k in m["materials"]) if d]
    return rows


def _document(catalog: Catalog, key: str | None) -> dict | None:
    if not key:
        return None
    found = store.meeting_document(catalog, key)
    if not found:
        return None
    return {
        "record_id": found[0],
        "public_id": found[1],
        "original_public": bool(found[2]),
        "published_on": (found[3] or "")[:10] or None,
        "title": found[4],
    }


def findings(catalog: Catalog, today: date) -> list[dict]:
    """What breaks the plan's meeting rules: an outline announced late (or never, for a
    meeting 5 days away or less), minutes overdue or published late."""
    found = []
    for m in list_meetings(catalog):
        if m["status"] == "cancelled":
            continue
        day = datetime.strptime(m["scheduled_at"][:10], "%Y-%m-%d").date()
        due_announce = day - timedelta(days=ANNOUNCE_DAYS)
        base = {"meeting_id": m["meeting_id"], "title": m["title"], "scheduled": m["scheduled_at"]}
        if m["announced_on"]:
            announced = date.fromisoformat(m["announced_on"])
            if announced > due_announce:
                found.append(
                    base
                    | {
                        "kind": "meeting_announced_late",
                        "due": due_announce.isoformat(),
                        "detail": f"announced {announced}, {(day - announced).days} days before (at least {ANNOUNCE_DAYS})",
                    }
                )
        elif today > due_announce:
            found.append(
                base
                | {
                    "kind": "meeting_announced_late",
                    "due": due_announce.isoformat(),
                    "detail": "no announcement recorded",
                }
            )
        if m["status"] != "held" and day >= today:
            continue
        due_minutes = day + timedelta(days=MINUTES_DAYS)
        minutes = m["minutes"]
        published = minutes and minutes["original_public"] and minutes["published_on"]
        if published and date.fromisoformat(published) > due_minutes:
            found.append(
                base
                | {
                    "kind": "minutes_late",
                    "due": due_minutes.isoformat(),
                    "detail": f"minutes published {published}",
                }
            )
        elif not published and today > due_minutes:
            found.append(
                base
                | {
                    "kind": "minutes_overdue",
                    "due": due_minutes.isoformat(),
                    "detail": "no public minutes"
                    + (" (the minutes document is withheld)" if minutes else ""),
                }
            )
    return found


def digest(catalog: Catalog, today: str) -> str:
    """Changes whenever what the site shows of meetings changes (which ones are upcoming on
    ``today`` included)."""
    h = hashlib.blake2b(digest_size=12)
    for m in list_meetings(catalog):
        m["upcoming"] = m["status"] == "scheduled" and m["scheduled_at"][:10] >= today
        h.update(json.dumps(m, sort_keys=True, ensure_ascii=False, default=str).encode())
    return h.hexdigest()
